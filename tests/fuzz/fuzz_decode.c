/*
 * fuzz_decode.c — libFuzzer harness for the YAML and JSON decoders: any
 * bytes in, an error or a tree out, never a crash, a hang or unbounded
 * memory. The tree is then turned into objects and written back as JSON to
 * walk every node. The same bytes also go through the chunked path that
 * `check` uses (gr_split_yaml, then gr_decode_yaml_chunk per piece), which
 * must agree with gr_decode on the number of documents when both succeed,
 * and build the map of Helm's `# Source:` comments (gr_source_map_build).
 * Seeds: ../shared/corpus (by path) and tests/fuzz/decode/ (UTF-16, NDJSON,
 * tags, nested Lists, special floats).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/guardrail.h"

/* Every mapping's kept << keys (gr_value.merge_keys) are readable and are
 * << keys; the walk is bounded like the decoder's depth. */
static void walk_merge_keys(const gr_value *v, int depth)
{
	if (depth > 600)
		return;
	if (v->type == GR_ARRAY)
		for (size_t i = 0; i < v->u.a.len; i++)
			walk_merge_keys(&v->u.a.items[i], depth + 1);
	if (v->type != GR_OBJECT)
		return;
	for (size_t i = 0; i < v->merge_keys; i++)
		if (strcmp(v->u.o.members[v->u.o.len + i].key, "<<") != 0)
			abort();
	for (size_t i = 0; i < v->u.o.len; i++)
		walk_merge_keys(&v->u.o.members[i].value, depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gr_arena a;
	gr_arena_init(&a);
	gr_arena_set_limit(&a, (size_t)512 * 1024 * 1024);
	gr_document *docs;
	size_t ndocs;
	gr_error err;
	gr_decode_limits lim;
	gr_decode_limits_default(&lim);
	lim.max_alias_nodes = 100000; /* keep each run fast */
	(void)gr_decode(&a, (const char *)data, size, &lim, &docs, &ndocs, &err);
	gr_buf b;
	gr_buf_init(&b);
	for (size_t i = 0; i < ndocs; i++) {
		gr_object *objs;
		size_t n;
		if (gr_objects_from_document(&a, &docs[i], "fuzz", &objs, &n) == 0)
			for (size_t k = 0; k < n; k++)
				gr_write_json(&b, objs[k].root, -1);
		gr_buf_reset(&b);
	}
	gr_buf_free(&b);
	gr_arena_free(&a);
	/* kube-linter's loader: a repeated key keeps its last value */
	lim.duplicate_keys_last_wins = true;
	if (gr_decode(&a, (const char *)data, size, &lim, &docs, &ndocs, &err) == 0)
		for (size_t i = 0; i < ndocs; i++)
			walk_merge_keys(&docs[i].root, 0);
	gr_arena_free(&a);
	lim.duplicate_keys_last_wins = false;
	int whole_rc = gr_decode(&a, (const char *)data, size, &lim, &docs, &ndocs, &err);
	size_t whole_n = ndocs;
	gr_arena_free(&a);
	if (!gr_looks_like_json((const char *)data, size)) {
		gr_chunk *chunks;
		size_t nchunks, total = 0;
		int chunk_rc = 0;
		if (gr_split_yaml((const char *)data, size, &chunks, &nchunks) == 0) {
			for (size_t i = 0; i < nchunks; i++) {
				if (gr_decode_yaml_chunk(&a, (const char *)data, size, &chunks[i], &lim,
				                         &docs, &ndocs, &err))
					chunk_rc = -1;
				total += ndocs;
			}
			free(chunks);
			if (whole_rc == 0 && chunk_rc == 0 && total != whole_n)
				abort(); /* the two paths disagree */
		}
		gr_arena_free(&a);
	}
	/* Helm's `# Source:` map: spans in order, apart, each line found in
	 * its own span only, at a line of the template from 1 up. */
	gr_source_map m;
	if (gr_source_map_build((const char *)data, size, &m) == 0) {
		for (size_t i = 0; i < m.n; i++) {
			const gr_source_span *sp = &m.spans[i];
			if (sp->first != sp->base + 1 || !sp->name[0] ||
			    (i && sp->first <= m.spans[i - 1].last))
				abort();
			uint32_t line;
			const char *f = gr_source_map_find(&m, sp->first, &line);
			if (sp->first <= sp->last && (f != sp->name || line != 1))
				abort();
			if (gr_source_map_find(&m, sp->base, &line) && (!i || m.spans[i - 1].last < sp->base))
				abort();
		}
		gr_source_map_free(&m);
	}
	return 0;
}
