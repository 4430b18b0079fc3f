/*
 * cmd_query.c — `guardrail query EXPR [FILE...]`: evaluate a JMESPath
 * expression over every YAML or JSON document of the inputs and print each
 * result as JSON (the `jp` of this project).
 *
 * The expression is compiled once and evaluated per document; each file's
 * documents and results live in one arena freed after the file. Every cost
 * is bounded: inputs are read once up to 256 MiB (gr_read_file), an
 * evaluation allocates at most max_result_bytes, and so does the printed
 * form of one result (a result may share subtrees — `[@,@]` nested forty
 * deep is a few bytes in memory and 2^40 copies in print). Over a limit is
 * `error: limit: ...` and exit 2, as is a failed write to standard output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "guardrail/guardrail.h"
#include "guardrail/jmespath.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: guardrail query [--raw] [--compact] EXPRESSION [FILE...]\n\n"
	             "Evaluate a JMESPath expression over each YAML or JSON document of the\n"
	             "files (standard input when none is given, or for '-') and print each\n"
	             "result as JSON.\n\n"
	             "options:\n"
	             "  -r, --raw       print a string result without quotes\n"
	             "  -c, --compact   print each result on one line\n"
	             "  -h, --help      show this help\n\n"
	             "Exit codes: 0 ok, 2 bad expression, unreadable or invalid input, or an\n"
	             "evaluation error. Errors read 'error: <type>: <message> at column N'.\n");
}

/* error: <type>: <message> at column N, then the expression and a caret. */
static void report(const char *expr, const gr_jp_error *err)
{
	fprintf(stderr, "error: %s: %s at column %zu\n", gr_jp_error_name(err->type), err->message,
	        err->offset + 1);
	if (!strchr(expr, '\n') && strlen(expr) < 200) {
		fprintf(stderr, "  %s\n  %*s^\n", expr, (int)err->offset, "");
	}
}

/* Print one result; -1 after reporting why (a limit, memory). */
static int print_result(const gr_value *v, int raw, int compact, size_t limit)
{
	if (raw && v->type == GR_STRING) {
		fwrite(v->u.s.ptr, 1, v->u.s.len, stdout);
		fputc('\n', stdout);
		return 0;
	}
	gr_buf b;
	gr_buf_init(&b);
	b.limit = limit;
	gr_write_json(&b, v, compact ? -1 : 2);
	gr_buf_putc(&b, '\n');
	int rc = 0;
	if (b.over_limit) {
		fprintf(stderr,
		        "error: limit: the result printed is larger than max_result_bytes (%zu bytes)\n",
		        limit);
		rc = -1;
	} else if (b.failed) {
		fprintf(stderr, "error: limit: out of memory printing the result\n");
		rc = -1;
	} else if (b.data) {
		fwrite(b.data, 1, b.len, stdout);
	}
	gr_buf_free(&b);
	return rc;
}

int cmd_query(int argc, char **argv)
{
	int raw = 0, compact = 0, i = 1;
	if (query_cel_requested(argc, argv))
		return cmd_query_cel(argc, argv);
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "-r") == 0 || strcmp(a, "--raw") == 0) {
			raw = 1;
		} else if (strcmp(a, "-c") == 0 || strcmp(a, "--compact") == 0) {
			compact = 1;
		} else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "guardrail query: unknown option '%s'\n", a);
			usage(stderr);
			return 2;
		} else {
			break;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "guardrail query: missing expression\n");
		usage(stderr);
		return 2;
	}
	const char *expr = argv[i++];
	gr_jp_program *prog;
	gr_jp_error jerr;
	gr_jp_limits limits;
	gr_jp_limits_default(&limits);
	if (gr_jp_compile(expr, strlen(expr), NULL, &limits, &prog, &jerr) != 0) {
		report(expr, &jerr);
		return 2;
	}
	static char *const stdin_only[] = {"-"};
	char *const *files = i < argc ? argv + i : stdin_only;
	int nfiles = i < argc ? argc - i : 1;
	int status = 0;
	for (int f = 0; f < nfiles && status == 0; f++) {
		const char *name = strcmp(files[f], "-") == 0 ? "<stdin>" : files[f];
		char *data;
		size_t len;
		gr_error err;
		if (gr_read_file(files[f], GR_INPUT_MAX_BYTES, &data, &len, &err) != 0) {
			if (err.kind == GR_ERR_SIZE)
				fprintf(stderr, "error: limit: %s: %s (split the input)\n", name,
				        err.message);
			else
				fprintf(stderr, "%s: %s\n", name, err.message);
			status = 2;
			break;
		}
		gr_arena arena;
		gr_arena_init(&arena);
		gr_document *docs = NULL;
		size_t ndocs = 0;
		int rc = gr_decode(&arena, data, len, NULL, &docs, &ndocs, &err);
		/* Documents before a decode error are still queried, then the error is reported. */
		for (size_t d = 0; d < ndocs; d++) {
			gr_value result;
			if (gr_jp_eval(prog, &docs[d].root, &arena, &result, &jerr) != 0) {
				report(expr, &jerr);
				status = 2;
				break;
			}
			if (print_result(&result, raw, compact, limits.max_result_bytes) != 0) {
				status = 2;
				break;
			}
		}
		if (rc != 0 && status == 0) {
			fprintf(stderr, "%s:%u:%u: %s\n", name, err.line, err.column, err.message);
			status = 2;
		}
		gr_arena_free(&arena);
		free(data);
	}
	/* a full disk or a closed pipe is an error, never a silent success */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "guardrail query: cannot write the output: %s\n",
		        strerror(errno ? errno : EIO));
		status = 2;
	}
	gr_jp_free(prog);
	return status;
}
