/*
 * cel_crd_compile.c — apiextensions-apiserver's TestCelCompilation
 * (../shared/conformance/cel/k8s_crd/crd_compilation.jsonl: 25 schemas,
 * 45 rules): each rule of the root schema compiled as the CRD validator
 * compiles it (gr_cel_crd_new, then gr_cel_crd_rule: self and oldSelf typed
 * by the schema, oldSelf optional under optionalOldSelf, a bool result, a
 * blank rule without a program), its messageExpression too (a string
 * result), then judged per the record: no_error, invalid_error_contains (in the validator's wording,
 * "compilation failed: ERROR: <input>:1:N: ..."), transition_rule,
 * message_expression_error_contains, custom_check "program is nil". The
 * estimated-cost cases (crd_estimated_cost.jsonl, 301) are counted here as
 * well: each rule's estimated maximum cost (gr_cel_estimate_cost) must be
 * cel-go's. Misses are in cel_crd_compile.known-failures.
 */
#include "cel_common.h"

#define DATA           "../shared/conformance/cel/k8s_crd/crd_compilation.jsonl"
#define COST           "../shared/conformance/cel/k8s_crd/crd_estimated_cost.jsonl"
#define KNOWN          "tests/conformance/cel_crd_compile.known-failures"
#define EXPECTED_RULES 45
#define EXPECTED_COST  301

static int compile_one(const gr_value *schema, const char *text, bool optional_old, gr_cel_program **p,
                       char *msg, size_t cap)
{
	gr_cel_schema *s = gr_cel_schema_new(schema, false, NULL);
	gr_cel_options o;
	gr_cel_options_default(&o);
	o.kubernetes = true;
	o.homogeneous_literals = true;
	gr_cel_env *env = gr_cel_env_new(&o);
	gr_cel_env_declare(env, "self", gr_cel_schema_root(s));
	if (optional_old)
		gr_cel_env_declare_optional(env, "oldSelf", gr_cel_schema_root(s));
	else
		gr_cel_env_declare(env, "oldSelf", gr_cel_schema_root(s));
	gr_cel_error err;
	int rc = gr_cel_compile(env, text, strlen(text), p, &err);
	if (rc != 0)
		snprintf(msg, cap, "compilation failed: ERROR: <input>:1:%u: %s", err.column, err.message);
	gr_cel_env_free(env);
	gr_cel_schema_free(s);
	return rc;
}

/* One matcher ({"no_error": true}, {"all_of": [...]}, ...) against rule r
 * of the schema as the CRD validator compiled it (gr_cel_crd_rule). */
static int judge(const gr_value *m, const gr_cel_crd *crd, size_t r, const char *rule, gr_buf *what)
{
	const gr_value *all = gr_get(m, "all_of");
	if (all) {
		int ok = 1;
		for (size_t i = 0; i < all->u.a.len; i++)
			ok &= judge(&all->u.a.items[i], crd, r, rule, what);
		return ok;
	}
	const char *error = NULL, *msg_error = NULL;
	const gr_cel_program *p = crd ? gr_cel_crd_rule(crd, r, &error, &msg_error) : NULL;
	if (!crd || !error) {
		gr_buf_puts(what, "[the schema did not compile] ");
		return 0;
	}
	int ok = 0;
	const gr_value *t;
	const char *s;
	if ((t = gr_get(m, "no_error")))
		ok = !error[0];
	else if ((s = gr_get_str(m, "invalid_error_contains")))
		ok = error[0] && strstr(error, s);
	else if ((t = gr_get(m, "transition_rule")))
		ok = p && gr_cel_uses(p, 1) == t->u.b;
	else if ((s = gr_get_str(m, "message_expression_error_contains"))) {
		ok = msg_error[0] && strstr(msg_error, s);
		if (!ok)
			gr_buf_printf(what, "[messageExpression: %s] ",
			              msg_error[0] ? msg_error : "compiled");
	} else if ((s = gr_get_str(m, "custom_check")) && !strcmp(s, "program is nil"))
		ok = !p;
	else
		gr_buf_puts(what, "[matcher not supported] ");
	if (!ok)
		gr_buf_printf(what, "[%s: %s] ", rule, error[0] ? error : p ? "compiled" : "no program");
	return ok;
}

int main(int argc, char **argv)
{
	int list = argc > 1 && !strcmp(argv[1], "--list");
	cel_known known;
	cel_known_load(KNOWN, &known);
	gr_arena a;
	gr_arena_init(&a);
	cel_lines lines, cost;
	if (cel_read_lines(DATA, &a, &lines) < 0 || cel_read_lines(COST, &a, &cost) < 0) {
		printf("cel-crd-compile: 0 passed, 1 failed\n");
		return 1;
	}
	int pass = 0, kfail = 0, fail = 0, unexpected = 0, bad = 0, rules = 0;
	gr_buf what;
	gr_buf_init(&what);
	for (size_t i = 0; i < lines.n + cost.n; i++) {
		int is_cost = i >= lines.n;
		const gr_value *c = is_cost ? &cost.items[i - lines.n] : &lines.items[i];
		const char *id = gr_get_str(c, "id");
		const gr_value *schema = gr_get(c, "schema");
		const gr_value *rl = gr_get(c, "rules"), *ex = gr_get(c, "expect_per_rule");
		size_t n = is_cost ? 1 : gr_is(rl, GR_ARRAY) ? rl->u.a.len : 0;
		/* the rules compiled as the CRD validator compiles them (not a
		 * resource root: TestCelCompilation's schemas are fragments) */
		gr_cel_crd *crd = NULL;
		if (!is_cost) {
			gr_cel_crd_options co;
			memset(&co, 0, sizeof co);
			gr_cel_error cerr;
			crd = gr_cel_crd_new(schema, &co, &cerr);
		}
		for (size_t r = 0; r < n; r++) {
			char cid[600];
			snprintf(cid, sizeof cid, "%s#rule%zu", id ? id : "?", r);
			gr_buf_reset(&what);
			int ok;
			if (is_cost) {
				/* the rule at the schema's root, compiled as the API server
				 * does; its estimated maximum cost must be cel-go's */
				const gr_value *want = gr_get(gr_get(c, "expect"), "estimated_max_cost");
				const char *rule = gr_get_str(c, "rule");
				gr_cel_program *p = NULL;
				char msg[600] = "";
				ok = 0;
				if (!rule || !gr_is(want, GR_INT))
					gr_buf_puts(&what, "malformed record");
				else if (compile_one(schema, rule, false, &p, msg, sizeof msg) != 0)
					gr_buf_printf(&what, "%s", msg);
				else {
					uint64_t lo, hi;
					gr_cel_estimate_cost(p, &lo, &hi);
					ok = hi == (uint64_t)want->u.i;
					if (!ok)
						gr_buf_printf(&what, "estimated max cost %llu, want %lld",
						              (unsigned long long)hi, (long long)want->u.i);
				}
				gr_cel_free(p);
			} else {
				rules++;
				ok = judge(&ex->u.a.items[r], crd, r, rl->u.a.items[r].u.s.ptr, &what);
			}
			int k = cel_known_find(&known, cid);
			if (ok && k < 0)
				pass++;
			else if (ok) {
				unexpected++;
				fprintf(stderr, "UNEXPECTED PASS %s (listed as: %s)\n", cid,
				        known.reasons[k]);
			} else if (k >= 0)
				kfail++;
			else {
				fail++;
				if (!list)
					fprintf(stderr, "FAIL %s: %s\n", cid, what.data ? what.data : "");
			}
			if (list && !ok)
				printf("%s\t%s\n", cid, what.data ? what.data : "");
		}
		gr_cel_crd_free(crd);
	}
	gr_buf_free(&what);
	for (size_t i = 0; i < known.n; i++)
		if (!known.seen[i]) {
			fprintf(stderr, "known failure %s matches no case\n", known.ids[i]);
			bad++;
		}
	if (rules != EXPECTED_RULES || (int)cost.n != EXPECTED_COST) {
		fprintf(stderr, "ran %d rules and %zu cost cases, expected %d and %d\n", rules, cost.n,
		        EXPECTED_RULES, EXPECTED_COST);
		bad++;
	}
	fprintf(stderr,
	        "crd compilation: %d rules + %zu estimated-cost cases, %d pass, %d known failures, %d new "
	        "failures, %d unexpected passes\n",
	        rules, cost.n, pass, kfail, fail, unexpected);
	cel_lines_free(&lines);
	cel_lines_free(&cost);
	gr_arena_free(&a);
	cel_known_free(&known);
	if (list)
		return 0;
	printf("cel-crd-compile: %d passed, %d failed (%d known failures)\n", pass, fail + unexpected + bad,
	       kfail);
	return fail + unexpected + bad ? 1 : 0;
}
