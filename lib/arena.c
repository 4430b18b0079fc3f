/*
 * arena.c — chunked bump allocator (see arena.h).
 *
 * Chunks grow geometrically from 64 KiB to 4 MiB so a small document costs
 * one malloc and a large one a few dozen. Oversized requests get a dedicated
 * chunk linked behind the current one, so the current chunk keeps filling.
 */
#include "guardrail/arena.h"

#include "cnum.h"
#include "internal.h"
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gr_arena_chunk {
	gr_arena_chunk *next;
	size_t size; /* usable bytes in data */
	size_t off;
	_Alignas(16) unsigned char data[];
};

#define ARENA_MIN_CHUNK ((size_t)64 * 1024)
#define ARENA_MAX_CHUNK ((size_t)4 * 1024 * 1024)

void gr_arena_init(gr_arena *a)
{
	memset(a, 0, sizeof *a);
}

void gr_arena_set_limit(gr_arena *a, size_t limit)
{
	a->limit = limit;
}

void gr_arena_expect(gr_arena *a, size_t expected)
{
	size_t first = 4096;
	while (first < expected && first < ARENA_MIN_CHUNK)
		first *= 2;
	a->first_chunk = first;
}

bool gri_arena_owns(const gr_arena *a, const void *p)
{
	const unsigned char *u = p;
	for (const gr_arena_chunk *c = a->head; c; c = c->next)
		if (u >= c->data && u < c->data + c->size)
			return true;
	return false;
}

void gri_arena_adopt(gr_arena *to, gr_arena *from)
{
	gr_arena_chunk *c = from->head;
	if (!c)
		return;
	gr_arena_chunk *last = c;
	while (last->next)
		last = last->next;
	if (to->head) { /* behind to's current chunk, which keeps filling */
		last->next = to->head->next;
		to->head->next = c;
	} else {
		to->head = c;
	}
	to->used += from->used;
	to->reserved += from->reserved;
	size_t limit = from->limit, first = from->first_chunk;
	memset(from, 0, sizeof *from);
	from->limit = limit;
	from->first_chunk = first;
}

gri_arena_mark gri_arena_mark_get(const gr_arena *a)
{
	gri_arena_mark m = {a->head, a->head ? a->head->next : NULL, a->head ? a->head->off : 0, a->used,
	                    a->reserved};
	return m;
}

/* Chunks come in two ways (bump_slow): a new chunk to fill goes first in
 * the list, and a big request's own chunk right behind the chunk being
 * filled. So the chunks obtained since the mark are those before the
 * marked chunk, and those between it and the chunk that followed it. */
void gri_arena_rollback(gr_arena *a, const gri_arena_mark *m)
{
	gr_arena_chunk *c = a->head;
	while (c && c != m->head) {
		gr_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	if (m->head) {
		c = m->head->next;
		while (c && c != m->after) {
			gr_arena_chunk *next = c->next;
			free(c);
			c = next;
		}
		m->head->next = m->after;
		m->head->off = m->off;
	}
	a->head = m->head;
	a->used = m->used;
	a->reserved = m->reserved;
}

void gr_arena_free(gr_arena *a)
{
	gr_arena_chunk *c = a->head;
	while (c) {
		gr_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	size_t limit = a->limit, first = a->first_chunk;
	memset(a, 0, sizeof *a);
	a->limit = limit;
	a->first_chunk = first;
}

static gr_arena_chunk *new_chunk(gr_arena *a, size_t size)
{
	if (a->limit && (a->reserved + size > a->limit || size > a->limit))
		return NULL;
	gr_arena_chunk *c = malloc(sizeof *c + size);
	if (!c)
		return NULL;
	c->size = size;
	c->off = 0;
	c->next = NULL;
	a->reserved += size;
	return c;
}

/* A request that does not fit the current chunk: a new chunk, or a chunk
 * of its own for a big request. */
static void *bump_slow(gr_arena *a, size_t size)
{
	gr_arena_chunk *c = a->head;
	size_t want = c ? c->size * 2 : a->first_chunk ? a->first_chunk : ARENA_MIN_CHUNK;
	if (want > ARENA_MAX_CHUNK)
		want = ARENA_MAX_CHUNK;
	if (size > want / 4) {
		/* Big request: a chunk of its own, kept behind the current one. */
		gr_arena_chunk *big = new_chunk(a, size);
		if (!big)
			return NULL;
		big->off = size;
		if (c) {
			big->next = c->next;
			c->next = big;
		} else {
			a->head = big;
		}
		a->used += size;
		return big->data;
	}
	gr_arena_chunk *n = new_chunk(a, want);
	if (!n)
		return NULL;
	n->next = c;
	a->head = n;
	n->off = size;
	a->used += size;
	return n->data;
}

/*
 * Bump size bytes aligned to align (a power of two, a constant at each
 * call) from the current chunk. Strings ask for alignment 1, so a
 * one-letter key costs two bytes rather than sixteen; the padding an
 * aligned request skips is counted in `used`.
 */
static inline __attribute__((always_inline)) void *bump(gr_arena *a, size_t size, size_t align)
{
	if (size == 0)
		size = 1;
	if (size > SIZE_MAX / 2)
		return NULL;
	gr_arena_chunk *c = a->head;
	if (c) {
		size_t off = (c->off + align - 1) & ~(align - 1);
		if (off <= c->size && c->size - off >= size) {
			void *p = c->data + off;
			a->used += off - c->off + size;
			c->off = off + size;
			return p;
		}
	}
	return bump_slow(a, size);
}

void *gr_arena_alloc(gr_arena *a, size_t size)
{
	return bump(a, size, 16);
}

void *gr_arena_calloc(gr_arena *a, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		return NULL;
	void *p = gr_arena_alloc(a, count * size);
	if (p)
		memset(p, 0, count * size);
	return p;
}

char *gr_arena_strndup(gr_arena *a, const char *s, size_t len)
{
	if (len >= SIZE_MAX / 2)
		return NULL;
	char *p = bump(a, len + 1, 1);
	if (!p)
		return NULL;
	/* most strings of a tree are keys and short values: two overlapping
	 * moves inside [s, s + len) instead of a call */
	if (len >= 8 && len <= 16) {
		uint64_t h, t;
		memcpy(&h, s, 8);
		memcpy(&t, s + len - 8, 8);
		memcpy(p, &h, 8);
		memcpy(p + len - 8, &t, 8);
	} else if (len >= 4 && len < 8) {
		uint32_t h, t;
		memcpy(&h, s, 4);
		memcpy(&t, s + len - 4, 4);
		memcpy(p, &h, 4);
		memcpy(p + len - 4, &t, 4);
	} else if (len < 4) {
		for (size_t i = 0; i < len; i++)
			p[i] = s[i];
	} else {
		memcpy(p, s, len);
	}
	p[len] = '\0';
	return p;
}

char *gr_arena_strdup(gr_arena *a, const char *s)
{
	return gr_arena_strndup(a, s, strlen(s));
}

char *gr_arena_printf(gr_arena *a, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = gri_vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	if ((size_t)n < sizeof small)
		return gr_arena_strndup(a, small, (size_t)n);
	char *p = gr_arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	gri_vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
