/*
 * kyverno_policies.c — the Kyverno policy library's own tests
 * (../shared/conformance/kyverno-policies, every kyverno-test.yaml),
 * compared strictly (see lib/kyverno/testrun.c).
 *
 * Every expectation of a test over ClusterPolicy/Policy documents is
 * counted once, in one bucket: validate (judged and compared; the
 * validate.cel rules and the ValidatingPolicies counted apart), or not
 * evaluated (mutate, generate, CEL that needs a cluster, other rule
 * types), or outside this
 * engine (tests of ValidatingPolicy and other policies.kyverno.io kinds),
 * or unresolved (the test names a rule its policy does not have). Validate
 * expectations that do not match are listed in
 * tests/conformance/kyverno-policies.known-failures as
 * `test-path|policy|rule|resource|kind reason`; a listed case that matches
 * fails the run, and so does a change in how many validate, validate.cel
 * and ValidatingPolicy cases ran.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/kyverno.h"

#define BASE  "../shared/conformance/kyverno-policies"
#define KNOWN "tests/conformance/kyverno-policies.known-failures"
/* validate expectations of the library's tests (asserted) */
#define EXPECTED_VALIDATE 1739
/* validate.cel expectations (the library's *-cel folders; asserted) */
#define EXPECTED_CEL 1545
/* ValidatingPolicy expectations judged (the *-vpol folders, less those
 * whose policies call Kyverno's cluster libraries; asserted) */
#define EXPECTED_VPOL 1317

static char **tests;
static size_t ntests, captests;
static char **known;
static bool *known_seen;
static size_t nknown;
static int verbose;

static size_t validate_total, matched, known_hit, unexpected, unexpected_pass;
static size_t cel_total, cel_matched, cel_known;
static size_t vpol_total, vpol_matched, vpol_known, n_vpol_not_evaluated;
static size_t n_mutate, n_generate, n_cel, n_other_rule, n_other_kind, n_unresolved, n_broken_tests;
static size_t no_response;

static int collect(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	if (type == FTW_F && strcmp(path + ftw->base, "kyverno-test.yaml") == 0) {
		if (ntests == captests) {
			captests = captests ? captests * 2 : 512;
			tests = realloc(tests, captests * sizeof *tests);
		}
		tests[ntests++] = strdup(path);
	}
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_known(void)
{
	FILE *f = fopen(KNOWN, "r");
	if (!f)
		return;
	char line[2048];
	size_t cap = 0;
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		char *sp = strchr(line, ' ');
		if (sp)
			*sp = '\0';
		line[strcspn(line, "\n")] = '\0';
		if (nknown == cap) {
			cap = cap ? cap * 2 : 64;
			known = realloc(known, cap * sizeof *known);
			known_seen = realloc(known_seen, cap * sizeof *known_seen);
		}
		known_seen[nknown] = false;
		known[nknown++] = strdup(line);
	}
	fclose(f);
}

static long find_known(const char *id)
{
	for (size_t i = 0; i < nknown; i++)
		if (strcmp(known[i], id) == 0)
			return (long)i;
	return -1;
}

static void sink(void *user, const gr_kyverno_expectation *e)
{
	(void)user;
	const char *rel = e->test_file + strlen(BASE) + 1;
	if (e->not_evaluated) {
		const char *r = e->reason ? e->reason : "";
		if (e->vpol)
			n_vpol_not_evaluated++;
		else if (strstr(r, "policy kind is not evaluated"))
			n_other_kind++;
		else if (strstr(r, "mutate"))
			n_mutate++;
		else if (strstr(r, "generate"))
			n_generate++;
		else if (strstr(r, "cel"))
			n_cel++;
		else
			n_other_rule++;
		return;
	}
	if (e->reason && strstr(e->reason, "do not hold")) {
		n_other_kind++;
		return;
	}
	if (e->reason && strstr(e->reason, "has no rule")) {
		n_unresolved++;
		return;
	}
	if (e->cel)
		cel_total++;
	else if (e->vpol)
		vpol_total++;
	else
		validate_total++;
	if (e->no_response)
		no_response++;
	char id[1024];
	snprintf(id, sizeof id, "%s|%s|%s|%s|%s", rel, e->policy, e->rule, e->resource, e->kind);
	long k = find_known(id);
	if (e->ok) {
		matched++;
		if (e->cel)
			cel_matched++;
		if (e->vpol)
			vpol_matched++;
		if (k >= 0) {
			unexpected_pass++;
			printf("FAIL  %s: listed as a known failure but matches (remove it from %s)\n", id,
			       KNOWN);
		}
		return;
	}
	if (k >= 0) {
		known_hit++;
		if (e->cel)
			cel_known++;
		if (e->vpol)
			vpol_known++;
		known_seen[k] = true;
		if (verbose)
			printf("known %s expected=%s actual=%s\n", id, e->expected, e->actual);
		return;
	}
	unexpected++;
	printf("FAIL  %s expected=%s actual=%s: %s\n", id, e->expected, e->actual,
	       e->reason ? e->reason : "");
}

int main(int argc, char **argv)
{
	verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	if (nftw(BASE, collect, 32, FTW_PHYS) != 0 || ntests == 0) {
		printf("cannot read %s\nkyverno-policies: 0 passed, 1 failed\n", BASE);
		return 1;
	}
	qsort(tests, ntests, sizeof *tests, cmp);
	load_known();
	gr_kyverno_options opt = {.now = 1767225600, .seed = 1};
	for (size_t i = 0; i < ntests; i++) {
		gr_error err;
		gr_error_clear(&err);
		if (gr_kyverno_test_run(tests[i], &opt, sink, NULL, &err) != 0) {
			n_broken_tests++;
			if (verbose)
				printf("test not run: %s: %s:%u:%u: %s\n", tests[i], err.file, err.line,
				       err.column, err.message);
		}
	}
	size_t stale = 0;
	for (size_t i = 0; i < nknown; i++)
		if (!known_seen[i] && find_known(known[i]) == (long)i) {
			/* a listed case that did not run as a miss: either it matched
			 * (reported above) or it no longer exists */
			stale++;
		}
	printf("kyverno tests: %zu files; %zu could not be run as Kyverno ClusterPolicy tests\n", ntests,
	       n_broken_tests);
	size_t all = validate_total + cel_total + vpol_total;
	printf("validate expectations: %zu, matched %zu (%.1f%%), known failures %zu, unexpected %zu, "
	       "no rule response (counted as skip) %zu\n",
	       all, matched, all ? 100.0 * (double)matched / (double)all : 0.0, known_hit, unexpected,
	       no_response);
	printf("  non-CEL: %zu, matched %zu; validate.cel: %zu, matched %zu (%.1f%%), known failures %zu\n",
	       validate_total, matched - cel_matched - vpol_matched, cel_total, cel_matched,
	       cel_total ? 100.0 * (double)cel_matched / (double)cel_total : 0.0, cel_known);
	printf("  ValidatingPolicy: %zu, matched %zu (%.1f%%), known failures %zu; not evaluated (Kyverno's "
	       "cluster "
	       "libraries) %zu\n",
	       vpol_total, vpol_matched, vpol_total ? 100.0 * (double)vpol_matched / (double)vpol_total : 0.0,
	       vpol_known, n_vpol_not_evaluated);
	printf("not evaluated: mutate %zu, generate %zu, validate.cel %zu, other rule types %zu; other "
	       "policy kinds "
	       "%zu; "
	       "unresolved rule names %zu\n",
	       n_mutate, n_generate, n_cel, n_other_rule, n_other_kind, n_unresolved);
	int bad = (int)(unexpected + unexpected_pass);
	if (EXPECTED_VALIDATE && validate_total != EXPECTED_VALIDATE) {
		printf("FAIL  ran %zu validate expectations, expected %d\n", validate_total,
		       EXPECTED_VALIDATE);
		bad++;
	}
	if (EXPECTED_CEL && cel_total != EXPECTED_CEL) {
		printf("FAIL  ran %zu validate.cel expectations, expected %d\n", cel_total, EXPECTED_CEL);
		bad++;
	}
	if (EXPECTED_VPOL && vpol_total != EXPECTED_VPOL) {
		printf("FAIL  ran %zu ValidatingPolicy expectations, expected %d\n", vpol_total,
		       EXPECTED_VPOL);
		bad++;
	}
	if (stale > unexpected_pass) {
		printf("FAIL  %zu known-failure lines name no case that ran\n", stale - unexpected_pass);
		bad++;
	}
	printf("kyverno-policies: %zu passed, %d failed\n", matched + known_hit, bad);
	return bad ? 1 : 0;
}
