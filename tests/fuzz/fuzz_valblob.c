/*
 * fuzz_valblob.c — libFuzzer harness for the byte form of value trees
 * (lib/valblob.c) that a session keeps CRDs in. Its bytes are the
 * library's own, never an input's, but the reader must still fail cleanly
 * on any bytes: an error or a tree, never a crash, a hang or unbounded
 * memory. A tree that decodes is written again and read back: the same
 * tree, node for node in order (not gr_equal: bytes may hold a mapping with
 * a key twice, which no decoder builds and gr_equal does not compare as
 * written), and the same bytes when written a third time. Seeds:
 * tests/fuzz/valblob/ (blobs of small manifests, one with `<<` keys).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/pipeline.h"
#include "guardrail/guardrail.h"

/* Node for node, in order: types, values (doubles by their bits),
 * positions, keys and merge_keys, the `<<` members past len included. */
static int same(const gr_value *a, const gr_value *b)
{
	if (a->type != b->type || a->line != b->line || a->column != b->column ||
	    a->merge_keys != b->merge_keys)
		return 0;
	switch ((gr_type)a->type) {
	case GR_NULL: return 1;
	case GR_BOOL: return a->u.b == b->u.b;
	case GR_INT: return a->u.i == b->u.i;
	case GR_DOUBLE: return memcmp(&a->u.d, &b->u.d, sizeof a->u.d) == 0;
	case GR_STRING: return a->u.s.len == b->u.s.len && memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0;
	case GR_ARRAY:
		if (a->u.a.len != b->u.a.len)
			return 0;
		for (size_t i = 0; i < a->u.a.len; i++)
			if (!same(&a->u.a.items[i], &b->u.a.items[i]))
				return 0;
		return 1;
	case GR_OBJECT:
		if (a->u.o.len != b->u.o.len)
			return 0;
		for (size_t i = 0; i < a->u.o.len + a->merge_keys; i++) {
			const gr_member *x = &a->u.o.members[i], *y = &b->u.o.members[i];
			if (x->key_len != y->key_len || memcmp(x->key, y->key, x->key_len) != 0 ||
			    x->line != y->line || x->column != y->column || !same(&x->value, &y->value))
				return 0;
		}
		return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gr_arena a;
	gr_arena_init(&a);
	gr_arena_set_limit(&a, (size_t)64 * 1024 * 1024);
	gr_value v;
	if (gri_blob_decode(&a, data, size, &v) == 0) {
		unsigned char *b1, *b2;
		size_t n1, n2;
		if (gri_blob_encode(&v, &b1, &n1) == 0) {
			gr_value w;
			if (gri_blob_decode(&a, b1, n1, &w) != 0 || !same(&v, &w))
				abort();
			if (gri_blob_encode(&w, &b2, &n2) == 0) {
				if (n1 != n2 || memcmp(b1, b2, n1) != 0)
					abort();
				free(b2);
			}
			free(b1);
		}
	} else if (v.type != GR_NULL) {
		abort();
	}
	gr_arena_free(&a);
	return 0;
}
