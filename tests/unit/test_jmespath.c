/*
 * test_jmespath.c — the JMESPath engine beyond the compliance suites:
 * custom functions, error types and positions, limits, and two threads
 * sharing one compiled program.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/guardrail.h"
#include "guardrail/jmespath.h"
#include "testlib.h"

static gr_value parse_json(gr_arena *a, const char *text)
{
	gr_value v;
	gr_error e;
	if (gr_decode_json(a, text, strlen(text), NULL, &v, &e) != 0) {
		fprintf(stderr, "bad test JSON: %s\n", text);
		v = gr_make_null();
	}
	return v;
}

/* Evaluate expr over JSON input with a registry; render the result (or the error). */
static void run(const gr_jp_functions *fns, const char *expr, const char *input, char *out, size_t cap)
{
	gr_arena a;
	gr_arena_init(&a);
	gr_value in = parse_json(&a, input), res;
	gr_jp_program *p;
	gr_jp_error err;
	if (gr_jp_compile(expr, strlen(expr), fns, NULL, &p, &err) != 0) {
		snprintf(out, cap, "error %s @%zu", gr_jp_error_name(err.type), err.offset);
	} else {
		if (gr_jp_eval(p, &in, &a, &res, &err) != 0) {
			snprintf(out, cap, "error %s @%zu", gr_jp_error_name(err.type), err.offset);
		} else {
			gr_buf b;
			gr_buf_init(&b);
			gr_write_json(&b, &res, -1);
			snprintf(out, cap, "%s", b.data ? b.data : "");
			gr_buf_free(&b);
		}
		gr_jp_free(p);
	}
	gr_arena_free(&a);
}

static void expect(const gr_jp_functions *fns, const char *expr, const char *input, const char *want)
{
	char got[1024];
	run(fns, expr, input, got, sizeof got);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "  expression: %s\n", expr);
	CHECK_STR(got, want);
}

/* to_upper(string) -> string, as the policy engine will add it. */
static int fn_to_upper(gr_jp_call *c, const gr_value *args, size_t n, gr_value *out)
{
	char *s = gr_jp_call_alloc(c, args[0].u.s.len + 1);
	if (!s)
		return -1;
	for (size_t i = 0; i < args[0].u.s.len; i++)
		s[i] = (char)toupper((unsigned char)args[0].u.s.ptr[i]);
	s[args[0].u.s.len] = '\0';
	*out = gr_make_string_ref(s, args[0].u.s.len);
	return 0;
}

/* count_if(array, &expr): how many items the expression finds truthy. */
static int fn_count_if(gr_jp_call *c, const gr_value *args, size_t n, gr_value *out)
{
	int64_t k = 0;
	for (size_t i = 0; i < args[0].u.a.len; i++) {
		gr_value r;
		if (gr_jp_call_expref(c, &args[1], &args[0].u.a.items[i], &r) != 0)
			return -1;
		k += gr_jp_truthy(&r);
	}
	*out = gr_make_int(k);
	return 0;
}

/* add(number, number...) with a userdata offset; fails on negative sums. */
static int fn_add(gr_jp_call *c, const gr_value *args, size_t n, gr_value *out)
{
	double s = *(const double *)gr_jp_call_userdata(c);
	for (size_t i = 0; i < n; i++)
		s += gr_number(&args[i]);
	if (s < 0)
		return gr_jp_call_fail(c, GR_JP_INVALID_VALUE, "add(): negative sum");
	*out = gr_make_double(s);
	return 0;
}

static void test_custom_functions(void)
{
	static const double offset = 0.5;
	gr_jp_functions *f = gr_jp_functions_new();
	CHECK(f != NULL);
	gr_jp_function up = {"to_upper", {GR_JP_ARG_STRING}, 1, false, fn_to_upper, NULL};
	gr_jp_function cnt = {"count_if", {GR_JP_ARG_ARRAY, GR_JP_ARG_EXPREF}, 2, false, fn_count_if, NULL};
	gr_jp_function add = {"add", {GR_JP_ARG_NUMBER}, 1, true, fn_add, (void *)&offset};
	CHECK(gr_jp_functions_add(f, &up) == 0);
	CHECK(gr_jp_functions_add(f, &cnt) == 0);
	CHECK(gr_jp_functions_add(f, &add) == 0);
	/* Malformed registrations are refused. */
	gr_jp_function bad = {"bad-name", {GR_JP_ARG_ANY}, 1, false, fn_to_upper, NULL};
	CHECK(gr_jp_functions_add(f, &bad) == -1);
	gr_jp_function novar = {"v", {0}, 0, true, fn_to_upper, NULL};
	CHECK(gr_jp_functions_add(f, &novar) == -1);

	expect(f, "to_upper(metadata.name)", "{\"metadata\":{\"name\":\"web\"}}", "\"WEB\"");
	expect(f, "items[*].to_upper(@)", "{\"items\":[\"a\",\"b\"]}", "[\"A\",\"B\"]");
	expect(f, "count_if(c, &privileged)", "{\"c\":[{\"privileged\":true},{},{\"privileged\":false}]}",
	       "1");
	expect(f, "add(`1`, `2`, `3`)", "{}", "6.5");
	expect(f, "add(`1`)", "{}", "1.5");
	/* Signatures are checked for custom functions as for built-ins. */
	expect(f, "to_upper(`1`)", "{}", "error invalid-type @0");
	expect(f, "to_upper('a', 'b')", "{}", "error invalid-arity @0");
	expect(f, "add()", "{}", "error invalid-arity @0");
	expect(f, "count_if(c, c)", "{\"c\":[]}", "error invalid-type @0");
	/* A callback's own error keeps its type and the call's position. */
	expect(f, "x | add(`-5`)", "{}", "error invalid-value @4");
	/* Built-ins are still there; the builtins-only registry does not know customs. */
	expect(f, "length('abc')", "{}", "3");
	expect(NULL, "to_upper('a')", "{}", "error unknown-function @0");

	/* A registration replaces a built-in of the same name. */
	gr_jp_function len2 = {"length", {GR_JP_ARG_STRING}, 1, false, fn_to_upper, NULL};
	CHECK(gr_jp_functions_add(f, &len2) == 0);
	expect(f, "length('abc')", "{}", "\"ABC\"");

	/* A program does not depend on the registry once compiled. */
	gr_jp_program *p;
	gr_jp_error err;
	CHECK(gr_jp_compile("to_upper(@)", 11, f, NULL, &p, &err) == 0);
	gr_jp_functions_free(f);
	gr_arena a;
	gr_arena_init(&a);
	gr_value in = gr_make_string_ref("ok", 2), res;
	CHECK(gr_jp_eval(p, &in, &a, &res, &err) == 0);
	CHECK(res.type == GR_STRING && strcmp(res.u.s.ptr, "OK") == 0);
	gr_jp_free(p);
	gr_arena_free(&a);
}

static void test_errors(void)
{
	expect(NULL, "foo.", "{}", "error syntax @4");
	expect(NULL, "foo[?bar ==]", "{}", "error syntax @11");
	expect(NULL, "a = b", "{}", "error syntax @2");
	expect(NULL, "`\"bad`", "{}", "error syntax @0");
	expect(NULL, "  \"unterminated", "{}", "error syntax @2");
	expect(NULL, "'raw", "{}", "error syntax @0");
	expect(NULL, "foo | bar(@)", "{}", "error unknown-function @6");
	expect(NULL, "abs(`1`, `2`)", "{}", "error invalid-arity @0");
	expect(NULL, "a.abs(b)", "{\"a\":{\"b\":\"x\"}}", "error invalid-type @2");
	expect(NULL, "a[::0]", "{}", "error invalid-value @4");
	expect(NULL, "sort_by(@, &a)", "[{\"a\":1},{\"a\":\"x\"}]", "error invalid-type @0");
	expect(NULL, "", "{}", "error syntax @0");
	/* Offsets of the error struct are 0-based; the message is filled. */
	gr_jp_program *p;
	gr_jp_error err;
	CHECK(gr_jp_compile("a.[", 3, NULL, NULL, &p, &err) == -1);
	CHECK(err.type == GR_JP_SYNTAX && err.offset == 3 && err.message[0] != '\0');
	CHECK(p == NULL);
	CHECK_STR(gr_jp_error_name(GR_JP_INVALID_ARITY), "invalid-arity");
	/* Expressions with NUL bytes or high bytes are errors, not crashes. */
	CHECK(gr_jp_compile("a\0b", 3, NULL, NULL, &p, &err) == -1 && err.offset == 1);
	CHECK(gr_jp_compile("\xff", 1, NULL, NULL, &p, &err) == -1 && err.type == GR_JP_SYNTAX);
}

static char *repeat(const char *head, const char *unit, size_t n, const char *tail)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
	char *s = malloc(hl + ul * n + tl + 1), *p = s;
	memcpy(p, head, hl);
	p += hl;
	for (size_t i = 0; i < n; i++, p += ul)
		memcpy(p, unit, ul);
	memcpy(p, tail, tl + 1);
	return s;
}

static void expect_limit(const char *expr, const gr_jp_limits *lim)
{
	gr_jp_program *p = NULL;
	gr_jp_error err;
	int rc = gr_jp_compile(expr, strlen(expr), NULL, lim, &p, &err);
	CHECK(rc == -1 && err.type == GR_JP_LIMIT);
	gr_jp_free(p);
}

static void test_limits(void)
{
	/* Deep nesting through the parser's recursion... */
	char *s = repeat("", "(", 100000, "a");
	expect_limit(s, NULL);
	free(s);
	s = repeat("", "!", 100000, "a");
	expect_limit(s, NULL);
	free(s);
	s = repeat("", "[", 100000, "a");
	expect_limit(s, NULL);
	free(s);
	/* ...and through left-leaning chains that do not recurse in the parser. */
	/* A dotted chain is one path node evaluated by a loop: long is fine. */
	s = repeat("a", ".a", 20000, "");
	expect(NULL, s, "{\"a\":{\"a\":{}}}", "null");
	free(s);
	expect(NULL, "a.a.a", "{\"a\":{\"a\":{\"a\":7}}}", "7");
	expect(NULL, "a.\"b\".c", "{\"a\":{\"b\":{\"c\":[1]}}}", "[1]");
	expect(NULL, "a.b.c", "{\"a\":{\"b\":5}}", "null");
	s = repeat("a", " || a", 20000, "");
	expect_limit(s, NULL);
	free(s);
	s = repeat("a", "[0]", 20000, "");
	expect_limit(s, NULL);
	free(s);
	/* Within the limit, a long chain works. */
	s = repeat("a", ".a", 100, "");
	expect(NULL, s, "{}", "null");
	free(s);
	/* Expression length. */
	gr_jp_limits lim;
	gr_jp_limits_default(&lim);
	lim.max_expression = 10;
	expect_limit("abcdefghijk", &lim);

	/* Result size: each step doubles; the byte cap stops it. */
	s = repeat("@", " | [@, @][]", 64, "");
	gr_jp_limits_default(&lim);
	lim.max_result_bytes = 1 << 20;
	gr_jp_program *p;
	gr_jp_error err;
	CHECK(gr_jp_compile(s, strlen(s), NULL, &lim, &p, &err) == 0);
	gr_arena a;
	gr_arena_init(&a);
	gr_value in = gr_make_array(&a, 1), res;
	in.u.a.items[0] = gr_make_int(1);
	CHECK(gr_jp_eval(p, &in, &a, &res, &err) == -1 && err.type == GR_JP_LIMIT);
	CHECK(a.used < (2u << 20));
	gr_jp_free(p);
	free(s);
	/* A string that doubles: to_string and join. */
	s = repeat("'x'", " | join('', [@, @])", 80, "");
	CHECK(gr_jp_compile(s, strlen(s), NULL, &lim, &p, &err) == 0);
	CHECK(gr_jp_eval(p, &in, &a, &res, &err) == -1 && err.type == GR_JP_LIMIT);
	gr_jp_free(p);
	free(s);
	/* The caller's arena limit is honoured too. */
	gr_arena small;
	gr_arena_init(&small);
	gr_arena_set_limit(&small, 4096);
	s = repeat("@", " | [@, @][]", 20, "");
	CHECK(gr_jp_compile(s, strlen(s), NULL, NULL, &p, &err) == 0);
	CHECK(gr_jp_eval(p, &in, &small, &res, &err) == -1 && err.type == GR_JP_LIMIT);
	gr_jp_free(p);
	free(s);
	gr_arena_free(&small);
	gr_arena_free(&a);
}

struct worker {
	const gr_jp_program *p;
	const gr_value *in;
	int mismatches;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	for (int i = 0; i < 20000; i++) {
		gr_arena a;
		gr_arena_init(&a);
		gr_value res;
		gr_jp_error err;
		if (gr_jp_eval(w->p, w->in, &a, &res, &err) != 0 || res.type != GR_ARRAY ||
		    res.u.a.len != 2 || strcmp(res.u.a.items[0].u.s.ptr, "b") != 0)
			w->mismatches++;
		gr_arena_free(&a);
	}
	return NULL;
}

static void test_threads(void)
{
	gr_arena a;
	gr_arena_init(&a);
	gr_value in =
	        parse_json(&a, "{\"c\":[{\"n\":\"c\",\"p\":true},{\"n\":\"a\"},{\"n\":\"b\",\"p\":1}]}");
	const char *expr = "sort_by(c[?p], &n)[*].n";
	gr_jp_program *p;
	gr_jp_error err;
	CHECK(gr_jp_compile(expr, strlen(expr), NULL, NULL, &p, &err) == 0);
	struct worker w[2] = {{p, &in, 0}, {p, &in, 0}};
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		CHECK(pthread_create(&t[i], NULL, work, &w[i]) == 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	CHECK(w[0].mismatches == 0 && w[1].mismatches == 0);
	gr_jp_free(p);
	gr_arena_free(&a);
}

static void test_values(void)
{
	/* Results point into the input: no copy of a selected subtree. */
	gr_arena a;
	gr_arena_init(&a);
	gr_value in = parse_json(&a, "{\"spec\":{\"containers\":[{\"name\":\"x\"}]}}"), res;
	gr_jp_program *p;
	gr_jp_error err;
	CHECK(gr_jp_compile("spec.containers", 15, NULL, NULL, &p, &err) == 0);
	CHECK(gr_jp_eval(p, &in, &a, &res, &err) == 0);
	CHECK(res.u.a.items == gr_get(gr_get(&in, "spec"), "containers")->u.a.items);
	CHECK_STR(gr_jp_source(p), "spec.containers");
	gr_jp_free(p);
	gr_arena_free(&a);
	/* Numbers: int and double mix; to_string uses the JSON writer. */
	expect(NULL, "sum(@)", "[1, 2.5]", "3.5");
	expect(NULL, "sum(@)", "[9223372036854775807, 1]", "9223372036854776000");
	expect(NULL, "abs(@)", "-9223372036854775808", "9223372036854776000");
	expect(NULL, "to_string(@)", "{\"a\":[1,1.5,\"x\"]}", "\"{\\\"a\\\":[1,1.5,\\\"x\\\"]}\"");
	expect(NULL, "to_number('1e3')", "{}", "1000");
	expect(NULL, "to_number(' 1')", "{}", "null");
	expect(NULL, "length('héllo')", "{}", "5");
	expect(NULL, "reverse('héllo')", "{}", "\"olléh\"");
	expect(NULL, "sort(@)", "[\"b\",\"é\",\"a\",\"z\"]", "[\"a\",\"b\",\"z\",\"é\"]");
	expect(NULL, "`foo`", "{}", "\"foo\"");
	expect(NULL, "{a: `1`, a: `2`}", "{}", "{\"a\":2}");
	expect(NULL, "[?@ > `1`]", "[1, 2, \"3\", 1.5]", "[2,1.5]");
	expect(NULL, "a[9223372036854775807:-9223372036854775807:-9223372036854775807]", "{\"a\":[1,2,3]}",
	       "[3]");
	expect(NULL, "a[-9223372036854775807:]", "{\"a\":[1,2,3]}", "[1,2,3]");
}

/* Found by fuzz_jmespath_eval: a JSON text ending in a backslash inside a
 * string made the JSON reader read one byte past its input. The input is
 * copied to an exact-size buffer so AddressSanitizer sees any overread. */
static void test_regressions(void)
{
	static const char crash[] = "\"\\n\"\n{\"\\"; /* "\n" newline {"\ */
	size_t nl = 4, n = sizeof crash - 1;
	char *exact = malloc(n - nl - 1);
	memcpy(exact, crash + nl + 1, n - nl - 1);
	gr_arena a;
	gr_arena_init(&a);
	gr_value v;
	gr_error e;
	CHECK(gr_decode_json(&a, exact, n - nl - 1, NULL, &v, &e) == -1);
	free(exact);
	gr_arena_free(&a);
}

/* `null.expr`: in the specification's dialect expr runs over null (a
 * function there sees null); with GR_JP_NULL_SUBEXPRESSION (Kyverno's
 * go-jmespath-community) it is null and a projection drops the element. */
static void test_null_subexpression(void)
{
	expect(NULL, "missing.keys(@)", "{}", "error invalid-type @8");
	expect(NULL, "a[].r.keys(@)[]", "{\"a\":[{\"r\":{\"x\":1}},{\"n\":1}]}", "error invalid-type @6");
	expect(NULL, "missing.[a]", "{}", "null");
	gr_jp_functions *k = gr_jp_functions_new();
	gr_jp_functions_set_flags(k, GR_JP_NULL_SUBEXPRESSION);
	CHECK(gr_jp_functions_flags(k) == GR_JP_NULL_SUBEXPRESSION);
	CHECK(gr_jp_functions_flags(NULL) == 0);
	expect(k, "missing.keys(@)", "{}", "null");
	expect(k, "a[].r.keys(@)[]", "{\"a\":[{\"r\":{\"x\":1}},{\"n\":1}]}", "[\"x\"]");
	expect(k, "a[].r.length(@)", "{\"a\":[{\"r\":\"ab\"},{},{\"r\":null}]}", "[2]");
	/* a pipe is not a sub-expression: null reaches the function */
	expect(k, "missing | keys(@)", "{}", "error invalid-type @10");
	expect(k, "keys(missing)", "{}", "error invalid-type @0");
	gr_jp_functions_free(k);
}

int main(void)
{
	test_regressions();
	test_null_subexpression();
	test_custom_functions();
	test_errors();
	test_limits();
	test_threads();
	test_values();
	return test_report("jmespath");
}
