/*
 * arena.h — bump allocator that owns everything decoded from one input.
 *
 * Every value tree, object and finding lives in an arena owned by a file
 * (CLI) or a request (webhook); freeing the arena frees it all at once, so no
 * node is ever freed alone. Allocation is a pointer bump inside a chunk; a
 * request larger than a chunk gets a chunk of its own.
 *
 * An arena may carry a byte limit: past it every allocation fails (returns
 * NULL) and the caller reports "input too large" instead of exhausting memory.
 */
#ifndef GUARDRAIL_ARENA_H
#define GUARDRAIL_ARENA_H

#include "guardrail/defs.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gr_arena_chunk gr_arena_chunk;

typedef struct gr_arena {
	gr_arena_chunk *head; /* chunk being filled */
	size_t used;          /* bytes handed out, all chunks */
	size_t reserved;      /* bytes obtained from malloc, all chunks */
	size_t limit;         /* 0: no limit */
	size_t first_chunk;   /* size of the first chunk; 0: the default (64 KiB) */
} gr_arena;

void gr_arena_init(gr_arena *a);
/* Size the first chunk for about `expected` bytes (4 KiB to 64 KiB), so
 * that many small arenas alive at once do not each hold 64 KiB. */
void gr_arena_expect(gr_arena *a, size_t expected);
/* Set a cap on the bytes the arena may obtain; 0 removes it. */
void gr_arena_set_limit(gr_arena *a, size_t limit);
/* Release every chunk; the arena can be used again afterwards. */
void gr_arena_free(gr_arena *a);

/* Aligned to 16 bytes. NULL on exhaustion (limit or malloc). */
void *gr_arena_alloc(gr_arena *a, size_t size);
/* Zeroed. */
void *gr_arena_calloc(gr_arena *a, size_t count, size_t size);
/* Copy of len bytes plus a terminating NUL; packed, without alignment. */
char *gr_arena_strndup(gr_arena *a, const char *s, size_t len);
char *gr_arena_strdup(gr_arena *a, const char *s);
/* printf into the arena; NULL on exhaustion. */
char *gr_arena_printf(gr_arena *a, const char *fmt, ...) GR_PRINTF(2, 3);

#ifdef __cplusplus
}
#endif

#endif
