/*
 * test_yaml_diff.c — guardrail's own YAML reader (lib/yaml/) against libyaml,
 * file by file: every YAML file of ../shared/corpus, the kubectl-validate
 * and pod-security fixtures is decoded with both readers (gr_decode, so the
 * same builder, resolution and limits), and the results must be the same:
 * the same documents with identical trees (types, values, key order, line
 * and column of every node), or an error from both. An error whose position
 * differs is counted and listed (syntax messages differ by design); a file
 * our reader rejects as unsupported while libyaml reads it, or any other
 * difference, fails the test. Prints the counts; asserts how many files ran.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/guardrail.h"
#include "testlib.h"

static size_t nfiles, nsame, nboth_err, nerrpos, ndiff;

static int same_value(const gr_value *a, const gr_value *b, char *why, size_t cap)
{
	if (a->type != b->type || a->line != b->line || a->column != b->column) {
		snprintf(why, cap, "node at %u:%u (type %d) vs %u:%u (type %d)", a->line, a->column, a->type,
		         b->line, b->column, b->type);
		return 0;
	}
	switch ((gr_type)a->type) {
	case GR_NULL: return 1;
	case GR_BOOL:
		if (a->u.b != b->u.b)
			return snprintf(why, cap, "bool at %u:%u", a->line, a->column), 0;
		return 1;
	case GR_INT:
		if (a->u.i != b->u.i)
			return snprintf(why, cap, "int at %u:%u", a->line, a->column), 0;
		return 1;
	case GR_DOUBLE:
		if (memcmp(&a->u.d, &b->u.d, sizeof a->u.d) != 0)
			return snprintf(why, cap, "double at %u:%u", a->line, a->column), 0;
		return 1;
	case GR_STRING:
		if (a->u.s.len != b->u.s.len || memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) != 0)
			return snprintf(why, cap, "string at %u:%u: \"%.*s\" vs \"%.*s\"", a->line, a->column,
			                (int)(a->u.s.len > 60 ? 60 : a->u.s.len), a->u.s.ptr,
			                (int)(b->u.s.len > 60 ? 60 : b->u.s.len), b->u.s.ptr),
			       0;
		return 1;
	case GR_ARRAY:
		if (a->u.a.len != b->u.a.len)
			return snprintf(why, cap, "sequence length at %u:%u", a->line, a->column), 0;
		for (size_t i = 0; i < a->u.a.len; i++)
			if (!same_value(&a->u.a.items[i], &b->u.a.items[i], why, cap))
				return 0;
		return 1;
	case GR_OBJECT:
		if (a->u.o.len != b->u.o.len)
			return snprintf(why, cap, "mapping size at %u:%u", a->line, a->column), 0;
		for (size_t i = 0; i < a->u.o.len; i++) {
			const gr_member *x = &a->u.o.members[i], *y = &b->u.o.members[i];
			if (x->key_len != y->key_len || memcmp(x->key, y->key, x->key_len) != 0 ||
			    x->line != y->line || x->column != y->column)
				return snprintf(why, cap, "key at %u:%u vs %u:%u", x->line, x->column,
				                y->line, y->column),
				       0;
			if (!same_value(&x->value, &y->value, why, cap))
				return 0;
		}
		return 1;
	}
	return 0;
}

static void diff_file(const char *path)
{
	char *data;
	size_t n;
	gr_error rerr;
	if (gr_read_file(path, 0, &data, &n, &rerr))
		return;
	nfiles++;
	gr_decode_limits l1, l2;
	gr_decode_limits_default(&l1);
	gr_decode_limits_default(&l2);
	l1.yaml_reader = GR_YAML_READER_LIBYAML;
	l2.yaml_reader = GR_YAML_READER_OWN;
	gr_arena a1, a2;
	gr_arena_init(&a1);
	gr_arena_init(&a2);
	gr_document *d1, *d2;
	size_t n1, n2;
	gr_error e1, e2;
	gr_error_clear(&e1);
	gr_error_clear(&e2);
	int rc1 = gr_decode(&a1, data, n, &l1, &d1, &n1, &e1);
	int rc2 = gr_decode(&a2, data, n, &l2, &d2, &n2, &e2);
	char why[300] = "";
	int same = n1 == n2;
	if (!same)
		snprintf(why, sizeof why, "%zu documents vs %zu", n1, n2);
	for (size_t i = 0; same && i < n1; i++) {
		if (d1[i].index != d2[i].index) {
			snprintf(why, sizeof why, "document index %u vs %u", d1[i].index, d2[i].index);
			same = 0;
		} else {
			same = same_value(&d1[i].root, &d2[i].root, why, sizeof why);
		}
	}
	if (same && (rc1 != 0) != (rc2 != 0)) {
		same = 0;
		snprintf(why, sizeof why, "libyaml %.100s, ours %.100s", rc1 ? e1.message : "ok",
		         rc2 ? e2.message : "ok");
	}
	if (!same) {
		ndiff++;
		test_failed++;
		fprintf(stderr, "DIFF %s: %s\n", path, why);
		if (rc1 || rc2)
			fprintf(stderr, "  libyaml: %u:%u %s | ours: %u:%u %s\n", e1.line, e1.column,
			        rc1 ? e1.message : "ok", e2.line, e2.column, rc2 ? e2.message : "ok");
	} else if (rc1) {
		nboth_err++;
		if (e1.line != e2.line || e1.column != e2.column) {
			nerrpos++;
			fprintf(stderr, "error position %s: libyaml %u:%u %s | ours %u:%u %s\n", path,
			        e1.line, e1.column, e1.message, e2.line, e2.column, e2.message);
		}
		test_passed++;
	} else {
		nsame++;
		test_passed++;
	}
	gr_arena_free(&a1);
	gr_arena_free(&a2);
	free(data);
}

static void yaml_file(const char *path)
{
	if (test_has_suffix(path, ".yaml") || test_has_suffix(path, ".yml"))
		diff_file(path);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			diff_file(argv[i]);
	} else {
		static const char *const dirs[] = {"../shared/corpus",
		                                   "../shared/conformance/kubectl-validate",
		                                   "../shared/conformance/pod-security"};
		for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
			size_t before = nfiles;
			test_each_file(dirs[i], yaml_file);
			printf("%s: %zu YAML files\n", dirs[i], nfiles - before);
			CHECK(nfiles > before); /* the data is there */
		}
		CHECK(nfiles >= 1400);
	}
	printf("yaml diff: %zu files, %zu identical, %zu both errors (%zu at another position), %zu "
	       "different\n",
	       nfiles, nsame, nboth_err, nerrpos, ndiff);
	return test_report("yaml_diff");
}
