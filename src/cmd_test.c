/*
 * cmd_test.c — `guardrail test [PATH...]`: run Kyverno CLI tests
 * (kyverno-test.yaml) with guardrail's Kyverno engine and compare every
 * expectation strictly.
 *
 * Each PATH is a kyverno-test.yaml or a directory searched recursively
 * (hidden `.kyverno-test` folders included) for files of that name. The
 * library runs each test (gr_kyverno_test_run); this file only finds the
 * tests and prints: a table like `kyverno test` prints, or JSON, or JUnit.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cmd.h"
#include "guardrail/guardrail.h"
#include "guardrail/kyverno.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: guardrail test [options] [PATH...]\n\n"
	             "Run Kyverno CLI tests (kyverno-test.yaml: cli.kyverno.io/v1alpha1 Test and the\n"
	             "older unversioned form) with guardrail's Kyverno engine. Each PATH is a test\n"
	             "file or a directory searched recursively; the default is the current directory.\n"
	             "Every (policy, rule, resource, kind, result) expectation is compared strictly:\n"
	             "a rule that gives no response counts as skip, an expected fail must fail.\n\n"
	             "options:\n"
	             "  -o, --output FORMAT   text (default), json or junit\n"
	             "      --fail-only       text: print only the rows that do not hold\n"
	             "      --now TIME        the clock of time_now*() (RFC 3339 or seconds since 1970)\n"
	             "  -h, --help            show this help\n\n"
	             "Rules this engine does not evaluate (mutate, generate, verifyImages, CEL) are\n"
	             "reported as \"not evaluated\" and counted in the summary; they do not fail the run.\n\n"
	             "Exit codes: 0 every expectation holds, 1 at least one does not, 2 a test, policy\n"
	             "or resource is malformed or unreadable, or no test was found.\n");
}

typedef struct row {
	char *test, *policy, *rule, *resource, *kind, *expected, *actual, *reason;
	int state; /* 0 holds, 1 does not, 2 not evaluated */
	bool no_response;
} row;

static row *rows;
static size_t nrows, caprows;
static char **files;
static size_t nfiles, capfiles;

static char *dup(const char *s)
{
	return strdup(s ? s : "");
}

static void sink(void *user, const gr_kyverno_expectation *e)
{
	(void)user;
	if (nrows == caprows) {
		caprows = caprows ? caprows * 2 : 64;
		rows = realloc(rows, caprows * sizeof *rows);
		if (!rows) {
			fprintf(stderr, "guardrail test: out of memory\n");
			exit(2);
		}
	}
	row *r = &rows[nrows++];
	r->test = dup(e->test_file);
	r->policy = dup(e->policy);
	r->rule = dup(e->rule);
	r->resource = dup(e->resource);
	r->kind = dup(e->kind);
	r->expected = dup(e->expected);
	r->actual = dup(e->actual);
	r->reason = dup(e->reason);
	r->state = e->not_evaluated ? 2 : e->ok ? 0 : 1;
	r->no_response = e->no_response;
	if (!r->test || !r->policy || !r->rule || !r->resource || !r->kind || !r->expected || !r->actual ||
	    !r->reason) {
		fprintf(stderr, "guardrail test: out of memory\n");
		exit(2);
	}
}

/* 1 when memory ran out. */
static int add_path(const char *path)
{
	if (nfiles == capfiles) {
		size_t cap = capfiles ? capfiles * 2 : 32;
		char **grown = realloc(files, cap * sizeof *files);
		if (!grown)
			return 1;
		files = grown;
		capfiles = cap;
	}
	if (!(files[nfiles] = strdup(path)))
		return 1;
	nfiles++;
	return 0;
}

static int add_file(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	if (type != FTW_F || strcmp(path + ftw->base, "kyverno-test.yaml") != 0)
		return 0;
	return add_path(path);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool parse_now(const char *s, int64_t *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*end == '\0') {
		*out = v;
		return true;
	}
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p || (*p != 'Z' && *p != '\0'))
		return false;
	*out = (int64_t)timegm(&tm);
	return true;
}

static void xml(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fputc(*s, out);
		}
	}
}

static void json_str(FILE *out, const char *s)
{
	gr_buf b;
	gr_buf_init(&b);
	gr_buf_json_string(&b, s, strlen(s));
	fwrite(b.data, 1, b.len, out);
	gr_buf_free(&b);
}

static const char *cap_status(const char *s)
{
	if (!strcmp(s, "pass"))
		return "Pass";
	if (!strcmp(s, "fail"))
		return "Fail";
	if (!strcmp(s, "skip"))
		return "Skip";
	if (!strcmp(s, "warn"))
		return "Warn";
	if (!strcmp(s, "error"))
		return "Error";
	return s;
}

static const char *result_of(const row *r)
{
	return r->state == 0 ? "Pass" : r->state == 2 ? "Not evaluated" : "Fail";
}

static void reason_of(const row *r, char *buf, size_t cap)
{
	if (r->state == 0)
		snprintf(buf, cap, "Ok%s", r->no_response ? " (no rule response: skip)" : "");
	else if (r->state == 2)
		snprintf(buf, cap, "%s", r->reason);
	else
		snprintf(buf, cap, "Want %s, got %s%s%.300s", cap_status(r->expected), cap_status(r->actual),
		         r->reason[0] ? ": " : "", r->reason);
}

static void print_table(size_t from, size_t to, bool fail_only)
{
	size_t w[4] = {2, 6, 4, 8};
	for (size_t i = from; i < to; i++) {
		row *r = &rows[i];
		size_t res = strlen(r->kind) + strlen(r->resource) + 1;
		if (strlen(r->policy) > w[1])
			w[1] = strlen(r->policy);
		if (strlen(r->rule) > w[2])
			w[2] = strlen(r->rule);
		if (res > w[3])
			w[3] = res;
	}
	printf("  %-*s  %-*s  %-*s  %-*s  %-13s  %s\n", (int)w[0], "ID", (int)w[1], "POLICY", (int)w[2],
	       "RULE", (int)w[3], "RESOURCE", "RESULT", "REASON");
	for (size_t i = from; i < to; i++) {
		row *r = &rows[i];
		if (fail_only && r->state == 0)
			continue;
		char res[600], reason[512];
		snprintf(res, sizeof res, "%s/%s", r->kind[0] ? r->kind : "-", r->resource);
		reason_of(r, reason, sizeof reason);
		printf("  %-*zu  %-*s  %-*s  %-*s  %-13s  %s\n", (int)w[0], i - from + 1, (int)w[1],
		       r->policy, (int)w[2], r->rule, (int)w[3], res, result_of(r), reason);
	}
}

static void print_text(bool fail_only, size_t held, size_t missed, size_t not_eval)
{
	size_t i = 0;
	while (i < nrows) {
		size_t j = i;
		while (j < nrows && strcmp(rows[j].test, rows[i].test) == 0)
			j++;
		printf("%sLoading test ( %s ) ...\n", i ? "\n" : "", rows[i].test);
		print_table(i, j, fail_only);
		i = j;
	}
	printf("\nTest Summary: %zu tests passed and %zu tests failed", held, missed);
	if (not_eval)
		printf(" (%zu not evaluated: rule types or policy kinds this engine does not run)", not_eval);
	printf("\n");
}

static void print_json(size_t held, size_t missed, size_t not_eval)
{
	printf("{\"results\":[");
	for (size_t i = 0; i < nrows; i++) {
		row *r = &rows[i];
		printf("%s\n{\"test\":", i ? "," : "");
		json_str(stdout, r->test);
		printf(",\"policy\":");
		json_str(stdout, r->policy);
		printf(",\"rule\":");
		json_str(stdout, r->rule);
		printf(",\"resource\":");
		json_str(stdout, r->resource);
		printf(",\"kind\":");
		json_str(stdout, r->kind);
		printf(",\"expected\":");
		json_str(stdout, r->expected);
		printf(",\"actual\":");
		json_str(stdout, r->actual);
		printf(",\"status\":\"%s\",\"noResponse\":%s,\"reason\":",
		       r->state == 0   ? "pass"
		       : r->state == 2 ? "not-evaluated"
		                       : "fail",
		       r->no_response ? "true" : "false");
		json_str(stdout, r->reason);
		printf("}");
	}
	printf("\n],\"summary\":{\"passed\":%zu,\"failed\":%zu,\"notEvaluated\":%zu}}\n", held, missed,
	       not_eval);
}

static void print_junit(size_t held, size_t missed, size_t not_eval)
{
	printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	printf("<testsuites name=\"guardrail test\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\">\n",
	       held + missed + not_eval, missed, not_eval);
	size_t i = 0;
	while (i < nrows) {
		size_t j = i, f = 0, s = 0;
		while (j < nrows && strcmp(rows[j].test, rows[i].test) == 0) {
			f += rows[j].state == 1;
			s += rows[j].state == 2;
			j++;
		}
		printf("  <testsuite name=\"");
		xml(stdout, rows[i].test);
		printf("\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\">\n", j - i, f, s);
		for (size_t k = i; k < j; k++) {
			row *r = &rows[k];
			printf("    <testcase classname=\"");
			xml(stdout, r->policy);
			printf("\" name=\"");
			xml(stdout, r->rule);
			printf(" ");
			xml(stdout, r->kind);
			printf("/");
			xml(stdout, r->resource);
			printf(" %s\"", r->expected);
			if (r->state == 0) {
				printf("/>\n");
				continue;
			}
			printf(">\n      <%s message=\"", r->state == 2 ? "skipped" : "failure");
			if (r->state == 2)
				xml(stdout, r->reason);
			else {
				printf("want %s, got %s: ", r->expected, r->actual);
				xml(stdout, r->reason);
			}
			printf("\"/>\n    </testcase>\n");
		}
		printf("  </testsuite>\n");
		i = j;
	}
	printf("</testsuites>\n");
}

int cmd_test(int argc, char **argv)
{
	const char *output = "text";
	bool fail_only = false;
	gr_kyverno_options opt = {0};
	char **paths = calloc((size_t)argc + 1, sizeof *paths);
	int npaths = 0;
	if (!paths) {
		fprintf(stderr, "guardrail test: out of memory\n");
		return 2;
	}
	bool only_paths = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (only_paths || a[0] != '-' || !a[1]) {
			paths[npaths++] = argv[i];
		} else if (strcmp(a, "--") == 0) {
			only_paths = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			free(paths);
			return 0;
		} else if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && i + 1 < argc) {
			output = argv[++i];
		} else if (!strncmp(a, "--output=", 9)) {
			output = a + 9;
		} else if (!strcmp(a, "--fail-only")) {
			fail_only = true;
		} else if (!strcmp(a, "--now") && i + 1 < argc) {
			if (!parse_now(argv[++i], &opt.now)) {
				fprintf(stderr, "guardrail test: --now: not a time: %s\n", argv[i]);
				free(paths);
				return 2;
			}
		} else {
			fprintf(stderr, "guardrail test: unknown option '%s'\n", a);
			usage(stderr);
			free(paths);
			return 2;
		}
	}
	if (npaths == 0)
		paths[npaths++] = ".";
	if (strcmp(output, "text") && strcmp(output, "json") && strcmp(output, "junit")) {
		fprintf(stderr, "guardrail test: unknown output format '%s' (text, json, junit)\n", output);
		return 2;
	}
	for (int p = 0; p < npaths; p++) {
		struct stat st;
		if (stat(paths[p], &st) != 0) {
			fprintf(stderr, "guardrail test: %s: no such file or directory\n", paths[p]);
			free(paths);
			return 2;
		}
		size_t before = nfiles;
		if (S_ISDIR(st.st_mode)) {
			int rc = nftw(paths[p], add_file, 32, FTW_PHYS);
			if (rc != 0) {
				fprintf(stderr, "guardrail test: %s: %s\n", paths[p],
				        rc == 1 ? "out of memory" : "cannot be read");
				free(paths);
				return 2;
			}
			qsort(files + before, nfiles - before, sizeof *files, cmp_str);
		} else if (add_path(paths[p])) {
			fprintf(stderr, "guardrail test: out of memory\n");
			free(paths);
			return 2;
		}
	}
	free(paths);
	if (nfiles == 0) {
		fprintf(stderr, "guardrail test: no kyverno-test.yaml found\n");
		return 2;
	}
	int status = 0;
	for (size_t f = 0; f < nfiles; f++) {
		gr_error err;
		gr_error_clear(&err);
		if (gr_kyverno_test_run(files[f], &opt, sink, NULL, &err) != 0) {
			fprintf(stderr, "%s:%u:%u: %s\n", err.file[0] ? err.file : files[f], err.line,
			        err.column, err.message);
			status = 2;
		}
	}
	size_t held = 0, missed = 0, not_eval = 0;
	for (size_t r = 0; r < nrows; r++) {
		held += rows[r].state == 0;
		missed += rows[r].state == 1;
		not_eval += rows[r].state == 2;
	}
	if (!strcmp(output, "json"))
		print_json(held, missed, not_eval);
	else if (!strcmp(output, "junit"))
		print_junit(held, missed, not_eval);
	else
		print_text(fail_only, held, missed, not_eval);
	fflush(stdout);
	for (size_t r = 0; r < nrows; r++) {
		row *x = &rows[r];
		free(x->test), free(x->policy), free(x->rule), free(x->resource), free(x->kind),
		        free(x->expected), free(x->actual), free(x->reason);
	}
	free(rows);
	for (size_t f = 0; f < nfiles; f++)
		free(files[f]);
	free(files);
	if (status)
		return status;
	return missed ? 1 : 0;
}
