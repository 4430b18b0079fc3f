/*
 * query_cel.c — `guardrail query --cel EXPR [FILE...]`: evaluate a CEL
 * expression in Kubernetes' environment with `self` and `object` bound to
 * each YAML or JSON document of the inputs, and print each result as JSON
 * (Kubernetes objects such as quantities and IPs as their string form).
 * For writing and debugging x-kubernetes-validations rules and
 * ValidatingAdmissionPolicy expressions.
 *
 * `-n`/`--null-input` evaluates the expression once with nothing bound.
 * Errors read `error: <type>: <message> at column N` and exit 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "guardrail/cel.h"
#include "guardrail/guardrail.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: guardrail query --cel EXPRESSION [-n] [--raw] [--compact] [FILE...]\n\n"
	             "Evaluate a CEL expression (Kubernetes' environment: quantity, ip, cidr,\n"
	             "url, semver, format, lists, sets, strings, optionals) with `self` and\n"
	             "`object` bound to each YAML or JSON document of the files (standard input\n"
	             "when none is given, or for '-') and print each result as JSON.\n\n"
	             "options:\n"
	             "  -n, --null-input  evaluate once with nothing bound; read no input\n"
	             "  -r, --raw         print a string result without quotes\n"
	             "  -c, --compact     print each result on one line\n"
	             "  -h, --help        show this help\n\n"
	             "Exit codes: 0 ok, 2 bad expression, unreadable or invalid input, or an\n"
	             "evaluation error. Errors read 'error: <type>: <message> at column N'.\n");
}

int query_cel_requested(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return 0;
		if (!strcmp(argv[i], "--cel"))
			return 1;
	}
	return 0;
}

static void report(const char *expr, const gr_cel_error *err)
{
	fprintf(stderr, "error: %s: %s at column %u\n", gr_cel_error_name(err->type), err->message,
	        err->column ? err->column : 1);
	if (!strchr(expr, '\n') && strlen(expr) < 200 && err->column)
		fprintf(stderr, "  %s\n  %*s^\n", expr, (int)err->column - 1, "");
}

static void print_result(const gr_cel_value *v, int raw, int compact)
{
	if (raw && v->kind == GR_CEL_STRING) {
		fwrite(v->u.s.ptr, 1, v->u.s.len, stdout);
		fputc('\n', stdout);
		return;
	}
	gr_buf b;
	gr_buf_init(&b);
	gr_cel_write_json(&b, v);
	if (!compact && b.data) {
		/* re-indent through the value tree */
		gr_arena a;
		gr_arena_init(&a);
		gr_value tree;
		gr_error err;
		if (gr_decode_json(&a, b.data, b.len, NULL, &tree, &err) == 0) {
			gr_buf p;
			gr_buf_init(&p);
			gr_write_json(&p, &tree, 2);
			gr_buf_free(&b);
			b = p;
		}
		gr_arena_free(&a);
	}
	gr_buf_putc(&b, '\n');
	if (b.data)
		fwrite(b.data, 1, b.len, stdout);
	gr_buf_free(&b);
}

int cmd_query_cel(int argc, char **argv)
{
	int raw = 0, compact = 0, null_input = 0, i = 1;
	const char *expr = NULL;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--cel")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "guardrail query: --cel needs an expression\n");
				return 2;
			}
			expr = argv[++i];
		} else if (!strcmp(a, "-r") || !strcmp(a, "--raw")) {
			raw = 1;
		} else if (!strcmp(a, "-c") || !strcmp(a, "--compact")) {
			compact = 1;
		} else if (!strcmp(a, "-n") || !strcmp(a, "--null-input")) {
			null_input = 1;
		} else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "guardrail query: unknown option '%s'\n", a);
			usage(stderr);
			return 2;
		} else {
			break;
		}
	}
	if (!expr) {
		fprintf(stderr, "guardrail query: missing expression\n");
		usage(stderr);
		return 2;
	}
	gr_cel_options o;
	gr_cel_options_default(&o);
	o.kubernetes = true;
	o.homogeneous_literals = true;
	o.duration_total_ms = true;
	o.fold_constants = true; /* the API server's programs are planned with cel-go's OptOptimize */
	o.cost_limit = 1000000;  /* the API server's per-call limit */
	gr_cel_env *env = gr_cel_env_new(&o);
	if (!env || (!null_input && (gr_cel_env_declare(env, "self", NULL) < 0 ||
	                             gr_cel_env_declare(env, "object", NULL) < 0))) {
		fprintf(stderr, "guardrail query: out of memory\n");
		gr_cel_env_free(env);
		return 2;
	}
	gr_cel_program *prog;
	gr_cel_error cerr;
	if (gr_cel_compile(env, expr, strlen(expr), &prog, &cerr) != 0) {
		report(expr, &cerr);
		gr_cel_env_free(env);
		return 2;
	}
	gr_cel_env_free(env);
	int status = 0;
	if (null_input) {
		gr_arena arena;
		gr_arena_init(&arena);
		gr_cel_value r;
		if (gr_cel_eval(prog, NULL, 0, &arena, &r, NULL, &cerr) != 0) {
			report(expr, &cerr);
			status = 2;
		} else
			print_result(&r, raw, compact);
		gr_arena_free(&arena);
		gr_cel_free(prog);
		fflush(stdout);
		return status;
	}
	static char *const stdin_only[] = {"-"};
	char *const *files = i < argc ? argv + i : stdin_only;
	int nfiles = i < argc ? argc - i : 1;
	for (int f = 0; f < nfiles && status == 0; f++) {
		const char *name = strcmp(files[f], "-") == 0 ? "<stdin>" : files[f];
		char *data;
		size_t len;
		gr_error err;
		if (gr_read_file(files[f], 0, &data, &len, &err) != 0) {
			fprintf(stderr, "%s: %s\n", name, err.message);
			status = 2;
			break;
		}
		gr_arena arena;
		gr_arena_init(&arena);
		gr_document *docs = NULL;
		size_t ndocs = 0;
		int rc = gr_decode(&arena, data, len, NULL, &docs, &ndocs, &err);
		for (size_t d = 0; d < ndocs; d++) {
			gr_cel_value vars[2], r;
			vars[0] = vars[1] = gr_cel_from_json(&docs[d].root);
			if (gr_cel_eval(prog, vars, 2, &arena, &r, NULL, &cerr) != 0) {
				report(expr, &cerr);
				status = 2;
				break;
			}
			print_result(&r, raw, compact);
		}
		if (rc != 0 && status == 0) {
			fprintf(stderr, "%s:%u:%u: %s\n", name, err.line, err.column, err.message);
			status = 2;
		}
		gr_arena_free(&arena);
		free(data);
	}
	fflush(stdout);
	gr_cel_free(prog);
	return status;
}
