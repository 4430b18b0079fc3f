/*
 * fuzz_yaml_fast.c — libFuzzer differential target: the YAML reader's
 * direct path (lib/yaml/reader.c, gri_yaml_read_tree) against its events
 * path. The same bytes decoded with GR_YAML_READER_OWN (the direct path
 * first, the events for what it gives up) and with GR_YAML_READER_EVENTS
 * (the events only) must give identical results: the same documents, trees
 * (types, values, key order and heads, merge keys, line:column of every
 * node and key) and the same error (position, message, kind). A small
 * max_depth and memory factor half the time put the limits in play.
 * Seeds (tests/fuzz/run.sh): ../shared/corpus, the yaml-test-suite inputs,
 * tests/fuzz/yaml_diff/ and tests/fuzz/yaml_fast/ (every disagreement found,
 * created with the first).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/tree_same.h"
#include "guardrail/guardrail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gr_decode_limits l1, l2;
	gr_decode_limits_default(&l1);
	l1.max_alias_nodes = 100000;
	if (size && (data[size - 1] & 1)) { /* the limits in play */
		l1.max_depth = 1 + data[0] % 8;
		l1.max_memory_factor = 1 + data[size - 1] % 4;
		l1.duplicate_keys_last_wins = (data[0] & 0x40) != 0;
	}
	l2 = l1;
	l1.yaml_reader = GR_YAML_READER_EVENTS;
	l2.yaml_reader = GR_YAML_READER_OWN;
	gr_arena a1, a2;
	gr_arena_init(&a1);
	gr_arena_init(&a2);
	gr_arena_set_limit(&a1, (size_t)512 * 1024 * 1024);
	gr_arena_set_limit(&a2, (size_t)512 * 1024 * 1024);
	gr_document *d1 = NULL, *d2 = NULL;
	size_t n1 = 0, n2 = 0;
	gr_error e1, e2;
	gr_error_clear(&e1);
	gr_error_clear(&e2);
	int rc1 = gr_decode_yaml(&a1, (const char *)data, size, &l1, &d1, &n1, &e1);
	int rc2 = gr_decode_yaml(&a2, (const char *)data, size, &l2, &d2, &n2, &e2);
	int same = n1 == n2 && (rc1 != 0) == (rc2 != 0);
	for (size_t i = 0; same && i < n1; i++)
		same = d1[i].index == d2[i].index && tree_same(&d1[i].root, &d2[i].root, 1, NULL, 0);
	if (same && rc1)
		same = e1.line == e2.line && e1.column == e2.column && e1.kind == e2.kind &&
		       strcmp(e1.message, e2.message) == 0;
	if (!same) {
		fprintf(stderr,
		        "direct and events paths disagree: events rc %d (%u docs) %u:%u %s | direct rc %d "
		        "(%u docs) %u:%u %s\n",
		        rc1, (unsigned)n1, e1.line, e1.column, rc1 ? e1.message : "", rc2, (unsigned)n2,
		        e2.line, e2.column, rc2 ? e2.message : "");
		abort();
	}
	gr_arena_free(&a1);
	gr_arena_free(&a2);
	return 0;
}
