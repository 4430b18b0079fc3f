/*
 * cel_k8s_cost.c — Kubernetes' CEL cost tests (k8s.io/apiserver
 * pkg/cel/library cost_test.go: ../shared/conformance/cel/k8s_library/
 * k8s_library_cost.jsonl, 225 expressions). Each record gives two checks:
 * `<id>:runtime`, the exact runtime cost of evaluating the expression, and
 * `<id>:estimated`, the compile-time [min, max] estimate
 * (gr_cel_estimate_cost). Misses are in cel_k8s_cost.known-failures.
 */
#include "cel_common.h"
#include "guardrail/authz.h"

#define DATA           "../shared/conformance/cel/k8s_library/k8s_library_cost.jsonl"
#define KNOWN          "tests/conformance/cel_k8s_cost.known-failures"
#define EXPECTED_CASES 225

int main(int argc, char **argv)
{
	int list = argc > 1 && !strcmp(argv[1], "--list");
	cel_known known;
	cel_known_load(KNOWN, &known);
	gr_arena a;
	gr_arena_init(&a);
	cel_lines lines;
	if (cel_read_lines(DATA, &a, &lines) < 0) {
		printf("cel-k8s-cost: 0 passed, 1 failed\n");
		return 1;
	}
	int pass = 0, kfail = 0, fail = 0, unexpected = 0, bad = 0;
	for (size_t i = 0; i < lines.n; i++) {
		const gr_value *c = &lines.items[i];
		const char *id = gr_get_str(c, "id");
		const gr_value *ev = gr_get(c, "expr");
		const gr_value *want = gr_get(c, "expected_runtime_cost");
		char what[600] = "", ewhat[600] = "";
		int ok_rt = 0, ok_est = 0;
		const gr_value *we = gr_get(c, "expected_estimated_cost");
		const gr_value *wmin = gr_get(we, "min"), *wmax = gr_get(we, "max");
		gr_cel_options o;
		gr_cel_options_default(&o);
		o.kubernetes = true; /* the test's env: no homogeneous-literal validator, no folding */
		o.jsonpatch = true;  /* ... with the JSONPatch library */
		/* testCostEstimator.EstimateSize: any string or bytes it is asked about is 0..12 */
		o.string_size_estimate = 12;
		gr_cel_env *env = gr_cel_env_new(&o);
		/* the test's `authorizer`: typed as the API server declares it,
		 * answered by an always-allow authorizer */
		gr_cel_env_declare_object(env, "authorizer", GR_CEL_OBJ_AUTHORIZER);
		gr_cel_program *p;
		gr_cel_error err;
		gr_arena ca;
		gr_arena_init(&ca);
		if (!gr_is(ev, GR_STRING))
			snprintf(what, sizeof what, "malformed record");
		else if (gr_cel_compile(env, ev->u.s.ptr, ev->u.s.len, &p, &err) != 0) {
			snprintf(what, sizeof what, "compile error: %s", err.message);
			snprintf(ewhat, sizeof ewhat, "compile error: %s", err.message);
		} else {
			uint64_t lo, hi;
			gr_cel_estimate_cost(p, &lo, &hi);
			if (!gr_is(wmin, GR_INT) || !gr_is(wmax, GR_INT))
				snprintf(ewhat, sizeof ewhat, "malformed expected_estimated_cost");
			else if (lo != (uint64_t)wmin->u.i || hi != (uint64_t)wmax->u.i)
				snprintf(ewhat, sizeof ewhat, "estimated [%llu, %llu], want [%lld, %lld]",
				         (unsigned long long)lo, (unsigned long long)hi, (long long)wmin->u.i,
				         (long long)wmax->u.i);
			else
				ok_est = 1;
			static const gr_authz_user user = {.username = "test-user", .uid = ""};
			gr_cel_value vars[1] = {gr_cel_authorizer(&ca, &gr_authorizer_always_allow, &user)},
			             r;
			uint64_t cost = 0;
			if (gr_cel_eval(p, vars, 1, &ca, &r, &cost, &err) != 0)
				snprintf(what, sizeof what, "eval error: %s", err.message);
			else if (!gr_is(want, GR_INT) || (uint64_t)want->u.i != cost)
				snprintf(what, sizeof what, "runtime cost %llu, want %lld",
				         (unsigned long long)cost,
				         gr_is(want, GR_INT) ? (long long)want->u.i : -1LL);
			else
				ok_rt = 1;
			gr_cel_free(p);
		}
		gr_arena_free(&ca);
		gr_cel_env_free(env);
		for (int stage = 0; stage < 2; stage++) {
			char cid[600];
			snprintf(cid, sizeof cid, "%s:%s", id ? id : "?", stage ? "estimated" : "runtime");
			int ok = stage ? ok_est : ok_rt;
			const char *msg = stage ? ewhat : what;
			int k = cel_known_find(&known, cid);
			if (ok && k < 0)
				pass++;
			else if (ok) {
				unexpected++;
				fprintf(stderr, "UNEXPECTED PASS %s\n", cid);
			} else if (k >= 0)
				kfail++;
			else {
				fail++;
				if (!list)
					fprintf(stderr, "FAIL %s: %s\n", cid, msg);
			}
			if (list && !ok)
				printf("%s\t%s\n", cid, msg);
		}
	}
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
	        "k8s cost: %zu expressions, %d checks pass, %d known failures, %d new failures, %d "
	        "unexpected passes\n",
	        lines.n, pass, kfail, fail, unexpected);
	cel_lines_free(&lines);
	gr_arena_free(&a);
	cel_known_free(&known);
	if (list)
		return 0;
	printf("cel-k8s-cost: %d passed, %d failed (%d known failures)\n", pass, fail + unexpected + bad,
	       kfail);
	return fail + unexpected + bad ? 1 : 0;
}
