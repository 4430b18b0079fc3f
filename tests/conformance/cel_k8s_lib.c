/*
 * cel_k8s_lib.c — the k8s.io/apiserver CEL library tests (quantity,
 * format, ip, cidr, semver: ../shared/conformance/cel/k8s_library/
 * k8s_library_eval.jsonl, 350 cases extracted, fewer here: one in eight
 * is held back) run in Kubernetes mode.
 *
 * Values compare by CEL equality after the expected Kubernetes object is
 * built with its constructor (quantities compare numerically); runtime
 * errors compare exactly or as a regular expression, as the Go test does;
 * compile errors must fail compilation with a matching message. Misses
 * are in cel_k8s_lib.known-failures.
 */
#include <regex.h>

#include "cel_common.h"

#define DATA           "../shared/conformance/cel/k8s_library/k8s_library_eval.jsonl"
#define KNOWN          "tests/conformance/cel_k8s_lib.known-failures"
#define EXPECTED_CASES 311

/* Programs of the current case: a result may point into its program (a
 * literal's text), so they are freed only when the case is done. */
static gr_cel_program *live[8];
static size_t nlive;

static void free_live(void)
{
	for (size_t i = 0; i < nlive; i++)
		gr_cel_free(live[i]);
	nlive = 0;
}

static int eval_expr(const char *expr, size_t len, gr_arena *a, gr_cel_value *out, gr_cel_error *err)
{
	gr_cel_options o;
	gr_cel_options_default(&o);
	o.kubernetes = true;
	o.homogeneous_literals = true;
	gr_cel_env *env = gr_cel_env_new(&o);
	gr_cel_program *p;
	if (gr_cel_compile(env, expr, len, &p, err) < 0) {
		gr_cel_env_free(env);
		return -2;
	}
	gr_cel_env_free(env);
	int rc = gr_cel_eval(p, NULL, 0, a, out, NULL, err);
	if (nlive < sizeof live / sizeof live[0])
		live[nlive++] = p;
	else
		gr_cel_free(p);
	return rc;
}

static int pattern_match(const char *pattern, const char *s)
{
	regex_t re;
	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB))
		return strstr(s, pattern) != NULL;
	int r = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return r;
}

/* The expected value; Kubernetes objects are built with their constructor. */
static int expected_value(gr_arena *a, const gr_value *j, gr_cel_value *out)
{
	const gr_value *k = gr_get(j, "k8s");
	if (!k)
		return cel_decode_value(a, j, out);
	const char *type = gr_get_str(k, "type"), *val = gr_get_str(k, "value");
	if (!type || !val)
		return -1;
	const char *ctor = !strcmp(type, "net.IP")                ? "ip"
	                   : !strcmp(type, "net.CIDR")            ? "cidr"
	                   : !strcmp(type, "kubernetes.Quantity") ? "quantity"
	                   : !strcmp(type, "kubernetes.Semver")   ? "semver"
	                                                          : NULL;
	if (!ctor)
		return -1;
	char *expr = gr_arena_printf(a, "%s('%s')", ctor, val);
	gr_cel_error err;
	return eval_expr(expr, strlen(expr), a, out, &err) == 0 ? 0 : -1;
}

static int run_case(const gr_value *c, gr_arena *a, gr_buf *what)
{
	const gr_value *ev = gr_get(c, "expr");
	const char *kind = gr_get_str(c, "expected_kind");
	const gr_value *exp = gr_get(c, "expected");
	if (!gr_is(ev, GR_STRING) || !kind || !exp)
		return 0;
	gr_cel_value r;
	gr_cel_error err;
	int rc = eval_expr(ev->u.s.ptr, ev->u.s.len, a, &r, &err);
	gr_buf show;
	gr_buf_init(&show);
	int ok = 0;
	if (!strcmp(kind, "compile_error")) {
		const gr_value *res = gr_get(exp, "compile_error_regex");
		ok = rc == -2;
		for (size_t i = 0; ok && res && i < res->u.a.len; i++)
			ok = pattern_match(res->u.a.items[i].u.s.ptr, err.message);
		if (!ok)
			gr_buf_printf(what, "expected a compile error, got rc %d: %s", rc,
			              rc ? err.message : "");
	} else if (!strcmp(kind, "runtime_error")) {
		const char *msg = gr_get_str(exp, "error"), *match = gr_get_str(exp, "match");
		ok = rc == -1 && msg &&
		     (match && !strcmp(match, "exact") ? !strcmp(err.message, msg)
		                                       : pattern_match(msg, err.message));
		if (!ok)
			gr_buf_printf(what, "expected error '%s', got rc %d: %s", msg ? msg : "", rc,
			              rc ? err.message : cel_show(&show, &r));
	} else {
		gr_cel_value want;
		if (rc != 0)
			gr_buf_printf(what, "error: %s", err.message);
		else if (expected_value(a, exp, &want) < 0)
			gr_buf_puts(what, "cannot build the expected value");
		else {
			ok = r.kind == want.kind && gr_cel_equal(&r, &want);
			if (r.kind == GR_CEL_OPTIONAL && want.kind == GR_CEL_OPTIONAL)
				ok = cel_strict_equal(&r, &want);
			if (!ok) {
				gr_buf_printf(what, "got %s", cel_show(&show, &r));
				gr_buf_printf(what, ", want %s", cel_show(&show, &want));
			}
		}
	}
	gr_buf_free(&show);
	return ok;
}

int main(int argc, char **argv)
{
	int list = argc > 1 && !strcmp(argv[1], "--list");
	cel_known known;
	cel_known_load(KNOWN, &known);
	gr_arena a;
	gr_arena_init(&a);
	cel_lines lines;
	if (cel_read_lines(DATA, &a, &lines) < 0) {
		printf("cel-k8s-lib: 0 passed, 1 failed\n");
		return 1;
	}
	int pass = 0, kfail = 0, fail = 0, unexpected = 0, bad = 0;
	gr_buf what;
	gr_buf_init(&what);
	for (size_t i = 0; i < lines.n; i++) {
		const gr_value *c = &lines.items[i];
		const char *id = gr_get_str(c, "id");
		gr_arena ca;
		gr_arena_init(&ca);
		gr_buf_reset(&what);
		int ok = run_case(c, &ca, &what);
		free_live();
		gr_arena_free(&ca);
		int k = id ? cel_known_find(&known, id) : -1;
		if (ok && k < 0)
			pass++;
		else if (ok) {
			unexpected++;
			fprintf(stderr, "UNEXPECTED PASS %s (listed as: %s)\n", id, known.reasons[k]);
		} else if (k >= 0)
			kfail++;
		else {
			fail++;
			if (!list)
				fprintf(stderr, "FAIL %s: %s\n  %s\n", id, gr_get_str(c, "expr"),
				        what.data ? what.data : "");
		}
		if (list && !ok)
			printf("%s\t%s\n", id, what.data ? what.data : "");
	}
	gr_buf_free(&what);
	for (size_t i = 0; i < known.n; i++)
		if (!known.seen[i]) {
			fprintf(stderr, "known failure %s matches no case\n", known.ids[i]);
			bad++;
		}
	if ((int)lines.n != EXPECTED_CASES) {
		fprintf(stderr, "ran %zu cases, expected %d\n", lines.n, EXPECTED_CASES);
		bad++;
	}
	fprintf(stderr,
	        "k8s library: %zu cases, %d pass, %d known failures, %d new failures, %d unexpected passes\n",
	        lines.n, pass, kfail, fail, unexpected);
	cel_lines_free(&lines);
	gr_arena_free(&a);
	cel_known_free(&known);
	if (list)
		return 0;
	printf("cel-k8s-lib: %d passed, %d failed (%d known failures)\n", pass, fail + unexpected + bad,
	       kfail);
	return fail + unexpected + bad ? 1 : 0;
}
