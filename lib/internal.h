/*
 * internal.h — helpers shared by the decoders, not part of the public API.
 */
#ifndef GUARDRAIL_INTERNAL_H
#define GUARDRAIL_INTERNAL_H

#include <stddef.h>

#include "guardrail/value.h"

/*
 * Scratch stack used while a collection is open: children are pushed here
 * and copied into the arena in one piece when the collection closes, so
 * arrays and objects end up contiguous without knowing their size up front.
 */
typedef struct gr_stack {
	unsigned char *data;
	size_t len, cap; /* bytes */
} gr_stack;

void *gr_stack_push(gr_stack *s, size_t size); /* NULL on allocation failure */
void gr_stack_free(gr_stack *s);

/*
 * Index of the first member whose key repeats an earlier one, or (size_t)-1.
 * Linear for small objects, hashed for large ones, so a hostile object with
 * a million keys costs linear time.
 */
size_t gr_find_duplicate_key(const gr_member *m, size_t n);

#endif
