/*
 * fuzz_yaml_diff.c — libFuzzer differential target: the same bytes decoded
 * as YAML by libyaml and by guardrail's own reader (lib/yaml/) must give the
 * same documents with identical trees (values, key order, line:column of
 * every node), or an error from both. Our reader may refuse what it does not
 * read (an error saying so, with a position). When both fail, the number of
 * documents returned before the error may differ (libyaml closes some
 * documents before a parser error); those both return must be identical.
 * Anything else that differs aborts. Seeds (tests/fuzz/run.sh): ../shared/corpus,
 * the yaml-test-suite inputs, and tests/fuzz/yaml_diff/, which holds every
 * disagreement found so far (replayed by make test, fuzz-regressions.sh).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/guardrail.h"

static int same_value(const gr_value *a, const gr_value *b)
{
	if (a->type != b->type || a->line != b->line || a->column != b->column)
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
			if (!same_value(&a->u.a.items[i], &b->u.a.items[i]))
				return 0;
		return 1;
	case GR_OBJECT:
		if (a->u.o.len != b->u.o.len)
			return 0;
		for (size_t i = 0; i < a->u.o.len; i++) {
			const gr_member *x = &a->u.o.members[i], *y = &b->u.o.members[i];
			if (x->key_len != y->key_len || memcmp(x->key, y->key, x->key_len) != 0 ||
			    x->line != y->line || x->column != y->column || !same_value(&x->value, &y->value))
				return 0;
		}
		return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gr_decode_limits l1, l2;
	gr_decode_limits_default(&l1);
	l1.max_alias_nodes = 100000;
	l2 = l1;
	l1.yaml_reader = GR_YAML_READER_LIBYAML;
	l2.yaml_reader = GR_YAML_READER_OWN;
	gr_arena a1, a2;
	gr_arena_init(&a1);
	gr_arena_init(&a2);
	gr_arena_set_limit(&a1, (size_t)512 * 1024 * 1024);
	gr_arena_set_limit(&a2, (size_t)512 * 1024 * 1024);
	gr_document *d1, *d2;
	size_t n1, n2;
	gr_error e1, e2;
	gr_error_clear(&e1);
	gr_error_clear(&e2);
	int rc1 = gr_decode_yaml(&a1, (const char *)data, size, &l1, &d1, &n1, &e1);
	int rc2 = gr_decode_yaml(&a2, (const char *)data, size, &l2, &d2, &n2, &e2);
	int unsupported = rc2 && strstr(e2.message, "does not read") != NULL;
	if (!unsupported) {
		int same = n1 == n2 && (rc1 != 0) == (rc2 != 0);
		for (size_t i = 0; same && i < n1; i++)
			same = d1[i].index == d2[i].index && same_value(&d1[i].root, &d2[i].root);
		/* Known difference: when both fail, libyaml sometimes closes the
		 * document before the error (a parser error after a complete
		 * root) and so returns it, where our reader does not; documents
		 * of the same index that both return must still be identical. */
		if (rc1 && rc2 && !same) {
			same = 1;
			for (size_t i = 0, j = 0; same && i < n1 && j < n2;) {
				if (d1[i].index < d2[j].index)
					i++;
				else if (d2[j].index < d1[i].index)
					j++;
				else
					same = same_value(&d1[i++].root, &d2[j++].root);
			}
		}
		if (!same) {
			fprintf(stderr,
			        "yaml readers disagree: libyaml rc %d (%u docs) %u:%u %s | ours rc %d (%u "
			        "docs) %u:%u %s\n",
			        rc1, (unsigned)n1, e1.line, e1.column, rc1 ? e1.message : "", rc2,
			        (unsigned)n2, e2.line, e2.column, rc2 ? e2.message : "");
			abort();
		}
	}
	gr_arena_free(&a1);
	gr_arena_free(&a2);
	return 0;
}
