/*
 * test_yaml_fast.c — the YAML reader's direct path (gri_yaml_read_tree,
 * lib/yaml/reader.c) against its events path, which is the reference:
 * every YAML file of ../shared/corpus, of the conformance suites and of the
 * project's own cases is decoded both ways (GR_YAML_READER_OWN, which tries
 * the direct path first, and GR_YAML_READER_EVENTS), and the results must
 * be identical: the same documents and trees (types, values, key order and
 * key heads, merge keys, line and column of every node and key) and the
 * same error (position, message, kind). A direct path that reads a
 * document differently, or gives it up after a wrong guess that the events
 * path then reads differently, fails here.
 *
 * It also asserts, piece by piece, that the direct path reads what it was
 * written for: most corpus documents by count and by bytes (the figures
 * are printed), and a set of small documents written here for each shape
 * it reads, and that it gives up on each shape it leaves to the events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/internal.h"
#include "guardrail/guardrail.h"
#include "testlib.h"
#include "tree_same.h"

static size_t nfiles, ndiff, npieces, nfast, bytes_all, bytes_fast;

/* Decode text both ways; 0 when the results are identical (why says what
 * differs otherwise). */
static int compare(const char *data, size_t n, const gr_decode_limits *base, char *why, size_t cap)
{
	gr_decode_limits l1 = *base, l2 = *base;
	l1.yaml_reader = GR_YAML_READER_EVENTS;
	l2.yaml_reader = GR_YAML_READER_OWN;
	gr_arena a1, a2;
	gr_arena_init(&a1);
	gr_arena_init(&a2);
	gr_document *d1 = NULL, *d2 = NULL;
	size_t n1 = 0, n2 = 0;
	gr_error e1, e2;
	gr_error_clear(&e1);
	gr_error_clear(&e2);
	int rc1 = gr_decode(&a1, data, n, &l1, &d1, &n1, &e1);
	int rc2 = gr_decode(&a2, data, n, &l2, &d2, &n2, &e2);
	int same = n1 == n2;
	if (!same)
		snprintf(why, cap, "%zu documents vs %zu", n1, n2);
	for (size_t i = 0; same && i < n1; i++) {
		if (d1[i].index != d2[i].index) {
			snprintf(why, cap, "document index %u vs %u", d1[i].index, d2[i].index);
			same = 0;
		} else {
			same = tree_same(&d1[i].root, &d2[i].root, 1, why, cap);
		}
	}
	if (same && ((rc1 != 0) != (rc2 != 0) ||
	             (rc1 && (e1.line != e2.line || e1.column != e2.column || e1.kind != e2.kind ||
	                      strcmp(e1.message, e2.message) != 0)))) {
		same = 0;
		snprintf(why, cap, "events %u:%u %.100s | direct %u:%u %.100s", e1.line, e1.column,
		         rc1 ? e1.message : "ok", e2.line, e2.column, rc2 ? e2.message : "ok");
	}
	gr_arena_free(&a1);
	gr_arena_free(&a2);
	return same ? 0 : -1;
}

/* Does the direct path read this one piece (no '---' inside)? */
static int direct_reads(const char *data, size_t n)
{
	gr_arena a;
	gr_arena_init(&a);
	gr_decode_limits l;
	gr_decode_limits_default(&l);
	gri_budget b;
	gri_budget_init(&b, &a, n, &l);
	gr_value root;
	int ok = gri_yaml_read_tree(data, n, &a, &b, l.max_depth, 0, &root);
	gr_arena_free(&a);
	return ok;
}

static void file(const char *path)
{
	char *data;
	size_t n;
	gr_error rerr;
	if (gr_read_file(path, 0, &data, &n, &rerr))
		return;
	nfiles++;
	gr_decode_limits l;
	gr_decode_limits_default(&l);
	char why[300] = "";
	if (compare(data, n, &l, why, sizeof why)) {
		ndiff++;
		test_failed++;
		fprintf(stderr, "DIFF %s: %s\n", path, why);
	} else {
		test_passed++;
	}
	if (!gr_looks_like_json(data, n)) {
		gr_chunk *chunks;
		size_t nchunks;
		if (gr_split_yaml(data, n, &chunks, &nchunks) == 0) {
			for (size_t i = 0; i < nchunks; i++) {
				npieces++;
				bytes_all += chunks[i].length;
				if (direct_reads(data + chunks[i].offset, chunks[i].length)) {
					nfast++;
					bytes_fast += chunks[i].length;
				}
			}
			free(chunks);
		}
	}
	free(data);
}

/* YAML files; every file of the yaml-test-suite and of the fuzz seeds */
static void input_file(const char *path)
{
	if (test_has_suffix(path, ".yaml") || test_has_suffix(path, ".yml") ||
	    strstr(path, "yaml-test-suite") || strstr(path, "tests/fuzz/"))
		file(path);
}

/* Shapes the direct path reads (1) or leaves to the events (0), each
 * compared with the events path too. */
static void shapes(void)
{
	static const struct {
		int direct;
		const char *text;
	} cases[] = {
	        {1, "a: 1\nb: two\n"},
	        {1, "---\napiVersion: v1\nkind: Pod\n"},
	        {1, "# c\n\na:   x   # c\n  # c\nb:\n  - 1\n  -   2\n"},
	        {1, "a:\n- x\n- y\nb: z\n"},                /* an indentless sequence */
	        {1, "- a: 1\n  b: 2\n- c\n- - d\n  - e\n"}, /* compact entries */
	        {1, "a: \"q\\tx\\u00e9\"\nb: 'it''s'\nc: \"two\n  lines\"\n"},
	        {1, "d: |\n  one\n   two\n\ne: >-\n  f\n  g\n\n  h\nf: |+\n  k\n\n"},
	        {1, "d: plain\n  continued\n\n  and more\ne: x\n"},
	        {1, "a: []\nb: {}  # empty\nc:\nd: ~\ne: 1e3\nf: 0x1F\ng: yes\nh: 2001-12-14\n"},
	        {1, "\"quoted key\": 1\n'single': 2\nk\xc3\xa9y: v\xc3\xa9\n"},
	        {1, "  a: 1\n  b:\n    c: 2\n"},
	        {1, "- 1\n- 2\n"},
	        {1, "\xEF\xBB\xBF"
	            "a: 1\n"},
	        {1, "a: 1\r\nb:\r\n  - x\r\n"},
	        {0, "a: &x 1\nb: *x\n"},
	        {0, "a: !!str 1\n"},
	        {0, "<<: {a: 1}\n"},
	        {1, "a: [1, \"two\", 'three', 4.5]\nb: {c: 1, \"d\": e}\n"},
	        {1, "args: [\n  --x,\n  --y\n]\ndrop: [\"ALL\"]  # c\n"},
	        {0, "a: [1, [2]]\n"},
	        {0, "a: [b: c]\n"},
	        {0, "a: {b: }\n"},
	        {0, "a: {b: [c]}\n"},
	        {0, "{x: :x}\n"},
	        {0, "a: <<\n"},
	        {0, "[a]: b\n"},
	        {0, "? a\n: b\n"},
	        {0, "%YAML 1.2\n---\na: 1\n"},
	        {0, "a: 1\na: 2\n"},
	        {0, "true: 1\n"},
	        {0, "1: one\n"},
	        {0, "a: .nan\n"},
	        {0, "a: 1\n...\n"},
	        {0, "--- a: 1\n"},
	        {0, "scalar\n"},
	        {0, ""},
	        {0, "a: b: c\n"},
	        {0, "a:\n\tb: 1\n"},
	        {0, "a: 1\n b: 2\n"},
	        {0, "a: \"unterminated\n"},
	};
	gr_decode_limits l;
	gr_decode_limits_default(&l);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const char *t = cases[i].text;
		size_t n = strlen(t);
		char why[300] = "";
		if (compare(t, n, &l, why, sizeof why)) {
			test_failed++;
			fprintf(stderr, "DIFF case %zu: %s\n", i, why);
		} else {
			test_passed++;
		}
		int got = direct_reads(t, n);
		if (got != cases[i].direct)
			fprintf(stderr, "case %zu: direct path %s it\n", i, got ? "reads" : "gives up");
		CHECK(got == cases[i].direct);
	}
	/* limits are the events path's: nesting past max_depth is its error */
	char deep[4096];
	size_t o = 0;
	for (int d = 0; d < 40; d++) {
		for (int s = 0; s < d; s++)
			deep[o++] = ' ';
		o += (size_t)snprintf(deep + o, sizeof deep - o, "k:\n");
	}
	deep[o] = 0;
	l.max_depth = 10;
	char why[300] = "";
	CHECK(compare(deep, o, &l, why, sizeof why) == 0);
	gr_decode_limits_default(&l);
	l.duplicate_keys_last_wins = true;
	CHECK(compare("a: 1\na: 2\n", 10, &l, why, sizeof why) == 0);
	/* past the memory budget: the events path's error, at its position */
	size_t big = 40000, len = 3 + big * 11;
	char *dense = malloc(len + 1);
	memcpy(dense, "a:\n", 3);
	for (size_t i = 0; i < big; i++)
		memcpy(dense + 3 + i * 11, "- 12345678\n", 11);
	l.max_memory_factor = 1;
	gr_arena a;
	gr_arena_init(&a);
	gr_document *docs;
	size_t nd;
	gr_error e;
	CHECK(gr_decode(&a, dense, len, &l, &docs, &nd, &e) != 0 && strstr(e.message, "too dense"));
	gr_arena_free(&a);
	CHECK(compare(dense, len, &l, why, sizeof why) == 0);
	gr_decode_limits_default(&l);
	CHECK(compare(dense, len, &l, why, sizeof why) == 0);
	CHECK(direct_reads(dense, len));
	free(dense);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			file(argv[i]);
		return test_report("yaml_fast");
	}
	shapes();
	static const char *const dirs[] = {"../shared/corpus",     "../shared/conformance", "tests/cases",
	                                   "tests/fuzz/yaml_diff", "tests/fuzz/decode",     "examples"};
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
		size_t before = nfiles;
		test_each_file(dirs[i], input_file);
		printf("%s: %zu files\n", dirs[i], nfiles - before);
		CHECK(nfiles > before); /* the data is there */
	}
	printf("yaml fast: %zu files, %zu different; direct path: %zu of %zu pieces, %zu of %zu bytes\n",
	       nfiles, ndiff, nfast, npieces, bytes_fast, bytes_all);
	/* what it is for: most documents, most bytes (the corpus is in the count) */
	CHECK(nfast * 2 > npieces);
	CHECK(bytes_fast * 2 > bytes_all);
	return test_report("yaml_fast");
}
