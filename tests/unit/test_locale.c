/*
 * test_locale.c — numbers print and parse the same under any LC_NUMERIC.
 * The test adopts the environment's locale (setlocale(LC_ALL, "")), as an
 * embedding program may; tests/scripts/locale.sh runs it under a German
 * locale (decimal comma) built for the purpose, with --require-comma so
 * that a locale that failed to load is a failure, not a silent pass.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/guardrail.h"
#include "testlib.h"

static void test_printing(void)
{
	gr_buf b;
	gr_buf_init(&b);
	gr_buf_printf(&b, "%g %.2f", 1.5, 0.25);
	CHECK_STR(b.data, "1.5 0.25");
	gr_buf_reset(&b);
	gr_value d = gr_make_double(2.5);
	gr_write_json(&b, &d, -1);
	CHECK_STR(b.data, "2.5");
	gr_buf_free(&b);
	gr_arena a;
	gr_arena_init(&a);
	CHECK_STR(gr_arena_printf(&a, "%g", 0.125), "0.125");
	gr_error err;
	gr_error_set(&err, 0, 0, "%g", 3.75);
	CHECK_STR(err.message, "3.75");
	gr_arena_free(&a);
}

static void test_parsing(void)
{
	gr_jp_program *p;
	gr_jp_error jerr;
	const char *expr = "to_number('1.5')";
	CHECK(gr_jp_compile(expr, strlen(expr), NULL, NULL, &p, &jerr) == 0);
	if (!p)
		return;
	gr_arena a;
	gr_arena_init(&a);
	gr_value out, in = gr_make_null();
	CHECK(gr_jp_eval(p, &in, &a, &out, &jerr) == 0);
	CHECK(out.type == GR_DOUBLE && out.u.d == 1.5);
	gr_jp_free(p);
	gr_arena_free(&a);
}

typedef struct render {
	gr_reporter *rep;
	gr_buf out;
} render;

static int on_result(void *user, const gr_input_result *r)
{
	render *x = user;
	gr_report_file(x->rep, &x->out, &r->report);
	return 0;
}

/* A schema message with a decimal bound, through a whole session. */
static void test_session(void)
{
	static const char crd[] =
	        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: "
	        "gs.ex.com}\n"
	        "spec:\n  group: ex.com\n  names: {kind: G, plural: gs}\n  scope: Cluster\n  versions:\n"
	        "  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n"
	        "        type: object\n        properties:\n          ratio: {type: number, maximum: 0.5}\n"
	        "---\napiVersion: ex.com/v1\nkind: G\nmetadata: {name: g}\nratio: 2\n";
	gr_error err;
	gr_options *o = gr_options_new();
	gr_checker *c = NULL;
	int rc = gr_options_select(o, "schema", &err);
	rc = rc ? rc : gr_options_set(o, "schema", "schema-dir", "../shared/k8s-openapi", &err);
	rc = rc ? rc : gr_checker_new(&c, o, &err);
	gr_options_free(o);
	CHECK(rc == 0);
	if (rc)
		return;
	/* Decoded in the C locale: reading numbers is the decoders' part (their
	 * own tests); checking and reporting under the caller's locale is this one. */
	char saved[128];
	snprintf(saved, sizeof saved, "%s", setlocale(LC_NUMERIC, NULL));
	setlocale(LC_NUMERIC, "C");
	gr_arena a;
	gr_arena_init(&a);
	gr_document *docs = NULL;
	size_t nd = 0;
	CHECK(gr_decode(&a, crd, strlen(crd), NULL, &docs, &nd, &err) == 0 && nd == 2);
	setlocale(LC_NUMERIC, saved);
	gr_session *s = gr_session_new(c, NULL);
	for (size_t i = 0; i < nd; i++)
		gr_session_add_value(s, "g.yaml", &docs[i].root);
	render x = {.rep = gr_reporter_new(GR_FORMAT_JSON, false, "t")};
	gr_buf_init(&x.out);
	gr_summary sum;
	CHECK(gr_session_run(s, on_result, &x, &sum, &err) == 0 && sum.invalid == 1);
	CHECK(x.out.data && strstr(x.out.data, "less than or equal to 0.5") != NULL);
	if (x.out.data && !strstr(x.out.data, "0.5"))
		fprintf(stderr, "%s\n", x.out.data);
	gr_session_free(s);
	gr_arena_free(&a);
	gr_buf_free(&x.out);
	gr_reporter_free(x.rep);
	gr_checker_unref(c);
}

int main(int argc, char **argv)
{
	const char *loc = setlocale(LC_ALL, "");
	const char *point = localeconv()->decimal_point;
	printf("locale %s, decimal point \"%s\"\n", loc ? loc : "(none)", point);
	if (argc > 1 && strcmp(argv[1], "--require-comma") == 0)
		CHECK(strcmp(point, ",") == 0); /* the locale under test really is active */
	test_printing();
	test_parsing();
	test_session();
	return test_report("locale");
}
