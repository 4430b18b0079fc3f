/*
 * jp_suite.c — the JMESPath compliance runner (see jp_suite.h).
 *
 * A `result` case passes when the expression compiles and evaluates to a
 * value equal to the expected one as JSON (gr_equal: 1 == 1.0, member
 * order ignored). An `error` case passes when compile or evaluation fails
 * with that error type; the suites do not say at which stage. `bench`
 * cases are only checked to run without error and are not counted.
 */
#include "jp_suite.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/decode.h"
#include "guardrail/jmespath.h"

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *show(gr_buf *b, const gr_value *v)
{
	gr_buf_reset(b);
	gr_write_json(b, v, -1);
	return b->data ? b->data : "";
}

/* the registry the cases compile with (NULL: built-ins, specification dialect) */
static const gr_jp_functions *suite_functions;

static void run_case(const char *file, const gr_value *given, const gr_value *c, int *pass, int *fail)
{
	const gr_value *expr = gr_get(c, "expression");
	const gr_value *result = gr_get(c, "result");
	const gr_value *error = gr_get(c, "error");
	const gr_value *bench = gr_get(c, "bench");
	if (!gr_is(expr, GR_STRING)) {
		fprintf(stderr, "%s: case without expression\n", file);
		(*fail)++;
		return;
	}
	gr_jp_program *prog = NULL;
	gr_jp_error err;
	gr_arena arena;
	gr_arena_init(&arena);
	gr_buf b;
	gr_buf_init(&b);
	gr_value out;
	int rc = gr_jp_compile(expr->u.s.ptr, expr->u.s.len, suite_functions, NULL, &prog, &err);
	if (rc == 0)
		rc = gr_jp_eval(prog, given, &arena, &out, &err);
	if (bench) {
		/* Not counted; a benchmark must still run. */
		if (rc != 0) {
			fprintf(stderr, "%s: bench %s: %s: %s\n", file, expr->u.s.ptr,
			        gr_jp_error_name(err.type), err.message);
			(*fail)++;
		}
	} else if (error) {
		const char *want = gr_is(error, GR_STRING) ? error->u.s.ptr : "?";
		if (rc != 0 && strcmp(gr_jp_error_name(err.type), want) == 0) {
			(*pass)++;
		} else {
			(*fail)++;
			if (rc == 0)
				fprintf(stderr, "%s: %s: expected error %s, got %s\n", file, expr->u.s.ptr,
				        want, show(&b, &out));
			else
				fprintf(stderr, "%s: %s: expected error %s, got %s: %s\n", file,
				        expr->u.s.ptr, want, gr_jp_error_name(err.type), err.message);
		}
	} else if (result) {
		if (rc == 0 && gr_equal(&out, result)) {
			(*pass)++;
		} else {
			(*fail)++;
			if (rc != 0)
				fprintf(stderr, "%s: %s: unexpected error %s at %zu: %s\n", file,
				        expr->u.s.ptr, gr_jp_error_name(err.type), err.offset, err.message);
			else {
				fprintf(stderr, "%s: %s: got %s", file, expr->u.s.ptr, show(&b, &out));
				fprintf(stderr, ", expected %s\n", show(&b, result));
			}
		}
	} else {
		fprintf(stderr, "%s: %s: case without result, error or bench\n", file, expr->u.s.ptr);
		(*fail)++;
	}
	gr_buf_free(&b);
	gr_jp_free(prog);
	gr_arena_free(&arena);
}

static void run_file(const char *path, int *pass, int *fail)
{
	char *data;
	size_t len;
	gr_error e;
	if (gr_read_file(path, 0, &data, &len, &e) != 0) {
		fprintf(stderr, "%s: %s\n", path, e.message);
		(*fail)++;
		return;
	}
	gr_arena a;
	gr_arena_init(&a);
	gr_value root;
	if (gr_decode_json(&a, data, len, NULL, &root, &e) != 0 || !gr_is(&root, GR_ARRAY)) {
		fprintf(stderr, "%s:%u:%u: %s\n", path, e.line, e.column, e.message);
		(*fail)++;
	} else {
		for (size_t i = 0; i < root.u.a.len; i++) {
			const gr_value *suite = &root.u.a.items[i];
			const gr_value *given = gr_get(suite, "given");
			const gr_value *cases = gr_get(suite, "cases");
			if (!given || !gr_is(cases, GR_ARRAY)) {
				fprintf(stderr, "%s: suite %zu malformed\n", path, i);
				(*fail)++;
				continue;
			}
			for (size_t j = 0; j < cases->u.a.len; j++)
				run_case(path, given, &cases->u.a.items[j], pass, fail);
		}
	}
	gr_arena_free(&a);
	free(data);
}

static int run_suite_counts(const char *name, const char *dir, int expected, int *out_pass, int *out_fail)
{
	int pass = 0, fail = 0;
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "%s: cannot open %s\n", name, dir);
		printf("%s: 0 passed, 1 failed\n", name);
		return 1;
	}
	char *names[256];
	size_t n = 0;
	struct dirent *ent;
	while ((ent = readdir(d)) != NULL && n < 256) {
		size_t l = strlen(ent->d_name);
		if (l > 5 && strcmp(ent->d_name + l - 5, ".json") == 0)
			names[n++] = strdup(ent->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof names[0], cmp_names);
	for (size_t i = 0; i < n; i++) {
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		run_file(path, &pass, &fail);
		free(names[i]);
	}
	if (n == 0)
		fail++;
	printf("%s: ran %d cases\n", name, pass + fail);
	if (expected >= 0 && pass + fail != expected) {
		printf("FAIL  %s: ran %d cases, expected %d (a case file was added, removed or not read)\n",
		       name, pass + fail, expected);
		fail++;
	}
	printf("%s: %d passed, %d failed\n", name, pass, fail);
	*out_pass = pass;
	*out_fail = fail;
	return fail ? 1 : 0;
}

static int run_suite(const char *name, const char *dir, int expected)
{
	int pass, fail;
	return run_suite_counts(name, dir, expected, &pass, &fail);
}

int jp_run_suite_dialects(const char *name, const char *dir, int expected)
{
	int p1, f1, p2, f2;
	suite_functions = NULL;
	run_suite_counts(name, dir, expected, &p1, &f1);
	gr_jp_functions *fns = gr_jp_functions_new();
	if (!fns) {
		printf("%s: %d passed, %d failed\n", name, p1, f1 + 1);
		return 1;
	}
	gr_jp_functions_set_flags(fns, GR_JP_NULL_SUBEXPRESSION);
	suite_functions = fns;
	char dialect[256];
	snprintf(dialect, sizeof dialect, "%s (null sub-expression dialect)", name);
	run_suite_counts(dialect, dir, expected, &p2, &f2);
	suite_functions = NULL;
	gr_jp_functions_free(fns);
	printf("%s, both dialects: %d passed, %d failed\n", name, p1 + p2, f1 + f2);
	return f1 + f2 ? 1 : 0;
}

int jp_run_suite(const char *name, const char *dir)
{
	return run_suite(name, dir, -1);
}

int jp_run_suite_expect(const char *name, const char *dir, int expected)
{
	return run_suite(name, dir, expected);
}
