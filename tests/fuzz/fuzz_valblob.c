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
#include "../support/tree_same.h"
#include "guardrail/guardrail.h"

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
			if (gri_blob_decode(&a, b1, n1, &w) != 0 || !tree_same(&v, &w, 0, NULL, 0))
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
