/*
 * internal.h — helpers shared by the decoders, not part of the public API.
 */
#ifndef GUARDRAIL_INTERNAL_H
#define GUARDRAIL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "guardrail/decode.h"
#include "guardrail/value.h"

/* FNV-1a: continue hash h (start from GR_HASH_SEED) over n bytes. */
#define GR_HASH_SEED 1469598103934665603ULL
static inline uint64_t gr_hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* limits, or the defaults written into *def when limits is NULL. */
const gr_decode_limits *gr_limits_or_default(const gr_decode_limits *limits, gr_decode_limits *def);
/* 0, or -1 with err set (at 1:1) when len is over limits->max_bytes. */
int gr_check_input_size(size_t len, const gr_decode_limits *limits, gr_error *err);

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
