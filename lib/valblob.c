/*
 * valblob.c — a value tree in a compact byte form, and back (pipeline.h).
 *
 * A session keeps the CustomResourceDefinitions of its inputs between its
 * passes; most of them define versions no input object uses, so their
 * schemas are only ever needed again if some object does. A tree costs
 * 32 bytes a node and 64 a member plus its strings; the same tree as bytes
 * costs a few bytes a node: a tag byte, positions as varints (lines as the
 * difference from the previous position), and strings through a table of
 * the blob's own: a string's first occurrence is written out, every later
 * one is its index (a schema's keywords, repeated thousands of times, cost
 * a byte or two each). Decoding gives the same tree (types, values, member
 * order, positions of nodes and keys, merge_keys); equal strings then share
 * one copy in the arena (trees are read-only once built).
 *
 * Layout: node = tag [merge_keys] line-delta(zigzag) column payload, with
 * tag = type | 8 (merge_keys follows) | 16 (bool true); payload: int as a
 * zigzag varint, double as 8 bytes, string as a string ref, array as a
 * count and its items, object as a count and per member a key ref, the
 * key's line-delta and column, and its value; a mapping's `<<` members
 * (merge_keys of them, kept past its len: value.h) follow its count. A string ref is a varint:
 * (length << 1 | 1) then the bytes for a new string, (index << 1) for a
 * seen one.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "pipeline.h"

#define MAX_DEPTH 4096

/* ---- encoding ---- */

typedef struct str_slot {
	const char *p; /* NULL: empty slot */
	size_t len;
	uint64_t hash;
	size_t index;
} str_slot;

struct gri_blob_writer {
	unsigned char *data;
	size_t len, cap;
	str_slot *slots;
	size_t mask, nstrings;
	uint32_t line; /* the previous position's line */
	bool failed;
};
typedef gri_blob_writer encoder;

static __attribute__((noinline)) bool grow(encoder *e, size_t more)
{
	if (e->failed)
		return false;
	size_t cap = e->cap ? e->cap * 2 : 4096;
	while (cap < e->len + more)
		cap *= 2;
	unsigned char *d = realloc(e->data, cap);
	if (!d) {
		e->failed = true;
		return false;
	}
	e->data = d;
	e->cap = cap;
	return true;
}

/* Room for more bytes (false once memory ran out: e->cap stays short). */
static inline bool reserve(encoder *e, size_t more)
{
	return e->cap - e->len >= more || grow(e, more);
}

static inline void put_varint(encoder *e, uint64_t x)
{
	if (!reserve(e, 10))
		return;
	while (x >= 0x80) {
		e->data[e->len++] = (unsigned char)(x | 0x80);
		x >>= 7;
	}
	e->data[e->len++] = (unsigned char)x;
}

static uint64_t zigzag(int64_t x)
{
	return ((uint64_t)x << 1) ^ (uint64_t)(x >> 63);
}

static inline void put_position(encoder *e, uint32_t line, uint32_t column)
{
	put_varint(e, zigzag((int64_t)line - (int64_t)e->line));
	put_varint(e, column);
	e->line = line;
}

static bool grow_table(encoder *e)
{
	size_t cap = e->slots ? (e->mask + 1) * 2 : 1024;
	str_slot *s = calloc(cap, sizeof *s);
	if (!s) {
		e->failed = true;
		return false;
	}
	for (size_t i = 0; e->slots && i <= e->mask; i++) {
		if (!e->slots[i].p)
			continue;
		size_t j = e->slots[i].hash & (cap - 1);
		while (s[j].p)
			j = (j + 1) & (cap - 1);
		s[j] = e->slots[i];
	}
	free(e->slots);
	e->slots = s;
	e->mask = cap - 1;
	return true;
}

static void put_string(encoder *e, const char *p, size_t len)
{
	if (!p)
		p = "";
	if ((e->nstrings + 1) * 2 > (e->slots ? e->mask + 1 : 0) && !grow_table(e))
		return;
	uint64_t h = gri_hash_words(p, len, 0);
	size_t i = h & e->mask;
	for (; e->slots[i].p; i = (i + 1) & e->mask) {
		const str_slot *s = &e->slots[i];
		if (s->hash == h && s->len == len && memcmp(s->p, p, len) == 0) {
			put_varint(e, (uint64_t)s->index << 1);
			return;
		}
	}
	e->slots[i] = (str_slot){p, len, h, e->nstrings++};
	put_varint(e, (uint64_t)len << 1 | 1);
	if (!reserve(e, len))
		return;
	memcpy(e->data + e->len, p, len);
	e->len += len;
}

/* The tag and position of v. */
static void put_head(encoder *e, const gr_value *v)
{
	if (!reserve(e, 2))
		return;
	unsigned tag = v->type & 7;
	if (v->merge_keys)
		tag |= 8;
	if (v->type == GR_BOOL && v->u.b)
		tag |= 16;
	e->data[e->len++] = (unsigned char)tag;
	if (v->merge_keys)
		e->data[e->len++] = v->merge_keys;
	put_position(e, v->line, v->column);
}

static void put_value(encoder *e, const gr_value *v, int depth);

void gri_blob_put_container(gri_blob_writer *w, const gr_value *v, size_t count)
{
	put_head(w, v);
	put_varint(w, count);
}

void gri_blob_put_merge_members(gri_blob_writer *w, const gr_value *v)
{
	for (size_t i = v->u.o.len; v->type == GR_OBJECT && i < v->u.o.len + v->merge_keys; i++) {
		gri_blob_put_key(w, &v->u.o.members[i]);
		put_value(w, &v->u.o.members[i].value, 1);
	}
}

void gri_blob_put_key(gri_blob_writer *w, const gr_member *m)
{
	put_string(w, m->key, m->key_len);
	put_position(w, m->line, m->column);
}

static void put_value(encoder *e, const gr_value *v, int depth)
{
	if (depth > MAX_DEPTH) {
		e->failed = true;
		return;
	}
	put_head(e, v);
	switch ((gr_type)v->type) {
	case GR_NULL:
	case GR_BOOL: break;
	case GR_INT: put_varint(e, zigzag(v->u.i)); break;
	case GR_DOUBLE:
		if (reserve(e, 8)) {
			memcpy(e->data + e->len, &v->u.d, 8);
			e->len += 8;
		}
		break;
	case GR_STRING: put_string(e, v->u.s.ptr, v->u.s.len); break;
	case GR_ARRAY:
		put_varint(e, v->u.a.len);
		for (size_t i = 0; i < v->u.a.len && !e->failed; i++)
			put_value(e, &v->u.a.items[i], depth + 1);
		break;
	case GR_OBJECT:
		put_varint(e, v->u.o.len);
		for (size_t i = 0; i < v->u.o.len + v->merge_keys && !e->failed; i++) {
			const gr_member *m = &v->u.o.members[i];
			put_string(e, m->key, m->key_len);
			put_position(e, m->line, m->column);
			put_value(e, &m->value, depth + 1);
		}
		break;
	default: e->failed = true; break;
	}
}

void gri_blob_put_value(gri_blob_writer *w, const gr_value *v)
{
	put_value(w, v, 0);
}

gri_blob_writer *gri_blob_writer_new(void)
{
	return calloc(1, sizeof(gri_blob_writer));
}

int gri_blob_writer_finish(gri_blob_writer *w, unsigned char **out, size_t *outlen)
{
	if (!w)
		return -1;
	free(w->slots);
	int rc = w->failed ? -1 : 0;
	if (rc) {
		free(w->data);
	} else {
		/* the blob lives on: give back what the doubling left over */
		unsigned char *d = w->len ? realloc(w->data, w->len) : w->data;
		*out = d ? d : w->data;
		*outlen = w->len;
	}
	free(w);
	return rc;
}

int gri_blob_encode(const gr_value *v, unsigned char **out, size_t *outlen)
{
	gri_blob_writer *w = gri_blob_writer_new();
	if (w)
		gri_blob_put_value(w, v);
	return gri_blob_writer_finish(w, out, outlen);
}

/* ---- decoding ---- */

typedef struct decoder {
	gr_arena *a;
	const unsigned char *p, *end;
	const char **strs; /* the table, as copies in the arena */
	size_t *lens;
	size_t nstrs, cap;
	uint32_t line;
} decoder;

static inline bool get_varint(decoder *d, uint64_t *x)
{
	if (d->p < d->end && *d->p < 0x80) { /* most are one byte */
		*x = *d->p++;
		return true;
	}
	uint64_t r = 0;
	for (unsigned shift = 0; shift < 64 && d->p < d->end; shift += 7) {
		unsigned char b = *d->p++;
		r |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*x = r;
			return true;
		}
	}
	return false;
}

static inline bool get_position(decoder *d, uint32_t *line, uint32_t *column)
{
	uint64_t dl, c;
	if (!get_varint(d, &dl) || !get_varint(d, &c) || c > UINT32_MAX)
		return false;
	int64_t delta = (int64_t)(dl >> 1) ^ -(int64_t)(dl & 1);
	int64_t l = (int64_t)d->line + delta;
	if (l < 0 || l > UINT32_MAX)
		return false;
	*line = d->line = (uint32_t)l;
	*column = (uint32_t)c;
	return true;
}

static bool get_string(decoder *d, const char **p, size_t *len)
{
	uint64_t x;
	if (!get_varint(d, &x))
		return false;
	if (!(x & 1)) {
		if ((x >> 1) >= d->nstrs)
			return false;
		*p = d->strs[x >> 1];
		*len = d->lens[x >> 1];
		return true;
	}
	uint64_t n = x >> 1;
	if (n > (uint64_t)(d->end - d->p))
		return false;
	if (d->nstrs == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 256;
		const char **s = realloc(d->strs, cap * sizeof *s);
		if (!s)
			return false;
		d->strs = s;
		size_t *l = realloc(d->lens, cap * sizeof *l);
		if (!l)
			return false;
		d->lens = l;
		d->cap = cap;
	}
	char *c = gr_arena_strndup(d->a, (const char *)d->p, (size_t)n);
	if (!c)
		return false;
	d->p += n;
	d->strs[d->nstrs] = c;
	d->lens[d->nstrs++] = (size_t)n;
	*p = c;
	*len = (size_t)n;
	return true;
}

static bool get_value(decoder *d, gr_value *v, int depth)
{
	if (depth > MAX_DEPTH || d->p >= d->end)
		return false;
	unsigned tag = *d->p++;
	memset(v, 0, sizeof *v);
	v->type = (uint8_t)(tag & 7);
	if (tag & 8) {
		if (d->p >= d->end)
			return false;
		v->merge_keys = *d->p++;
	}
	if (!get_position(d, &v->line, &v->column))
		return false;
	uint64_t x;
	switch ((gr_type)v->type) {
	case GR_NULL: return true;
	case GR_BOOL: v->u.b = (tag & 16) != 0; return true;
	case GR_INT:
		if (!get_varint(d, &x))
			return false;
		v->u.i = (int64_t)(x >> 1) ^ -(int64_t)(x & 1);
		return true;
	case GR_DOUBLE:
		if (d->end - d->p < 8)
			return false;
		memcpy(&v->u.d, d->p, 8);
		d->p += 8;
		return true;
	case GR_STRING: return get_string(d, &v->u.s.ptr, &v->u.s.len);
	case GR_ARRAY:
		/* every item takes at least three bytes: a count past that is corrupt */
		if (!get_varint(d, &x) || x > (uint64_t)(d->end - d->p) / 3)
			return false;
		v->u.a.len = (size_t)x;
		v->u.a.items = x ? gr_arena_alloc(d->a, (size_t)x * sizeof *v->u.a.items) : NULL;
		if (x && !v->u.a.items)
			return false;
		for (size_t i = 0; i < x; i++)
			if (!get_value(d, &v->u.a.items[i], depth + 1))
				return false;
		return true;
	case GR_OBJECT: {
		if (!get_varint(d, &x) || x + v->merge_keys > (uint64_t)(d->end - d->p) / 6)
			return false;
		size_t all = (size_t)x + v->merge_keys; /* the `<<` members past len */
		v->u.o.len = (size_t)x;
		v->u.o.members = all ? gr_arena_alloc(d->a, all * sizeof *v->u.o.members) : NULL;
		if (all && !v->u.o.members)
			return false;
		for (size_t i = 0; i < all; i++) {
			gr_member *m = &v->u.o.members[i];
			const char *k;
			size_t klen;
			if (!get_string(d, &k, &klen))
				return false;
			gr_member_set_key(m, k, klen);
			if (!get_position(d, &m->line, &m->column) || !get_value(d, &m->value, depth + 1))
				return false;
		}
		return true;
	}
	default: return false;
	}
}

int gri_blob_decode(gr_arena *a, const unsigned char *p, size_t n, gr_value *out)
{
	decoder d = {.a = a, .p = p, .end = p + n};
	bool ok = get_value(&d, out, 0) && d.p == d.end;
	free(d.strs);
	free(d.lens);
	if (!ok)
		*out = gr_make_null();
	return ok ? 0 : -1;
}
