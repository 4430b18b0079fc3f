/*
 * cel_crd.c — the apiextensions-apiserver CRD validation-rule cases
 * (../shared/conformance/cel/k8s_crd/crd_validation.jsonl, 1,054 cases):
 * each OpenAPI schema's x-kubernetes-validations compiled with lib/cel's
 * schema-to-CEL type mapping and evaluated over the object (and old
 * object), without the schema engine.
 *
 * Every expectation of a record is checked: the verdict, the error texts
 * (contains / one-to-one / exact type and field), the exact runtime cost
 * and remaining budget where the Go test asserts them, and warnings under
 * ratcheting (GR_CEL_VIOLATION_RATCHETED, compared exactly). A case
 * passes only when all hold. Misses are in cel_crd.known-failures.
 */
#include "cel_common.h"

#define DATA           "../shared/conformance/cel/k8s_crd/crd_validation.jsonl"
#define KNOWN          "tests/conformance/cel_crd.known-failures"
#define EXPECTED_CASES 1054

static int contains(const char *h, const char *n)
{
	return h && n && strstr(h, n) != NULL;
}

static int run_case(const gr_value *c, gr_arena *a, gr_buf *what)
{
	gr_cel_crd_options o;
	memset(&o, 0, sizeof o);
	const gr_value *root = gr_get(c, "isRoot");
	o.is_root = gr_is(root, GR_BOOL) && root->u.b;
	const gr_value *rt = gr_get(c, "ratcheting");
	o.ratcheting = gr_is(rt, GR_BOOL) && rt->u.b;
	const gr_value *cb = gr_get(c, "costBudget"), *pl = gr_get(c, "perCallLimit");
	if (gr_is(cb, GR_INT)) {
		o.cost_budget_set = true;
		o.cost_budget = (uint64_t)cb->u.i;
	}
	if (gr_is(pl, GR_INT)) {
		o.per_call_limit_set = true;
		o.per_call_limit = (uint64_t)pl->u.i;
	}
	gr_cel_error err;
	gr_cel_crd *crd = gr_cel_crd_new(gr_get(c, "schema"), &o, &err);
	if (!crd) {
		gr_buf_printf(what, "schema did not compile: %s", err.message);
		return 0;
	}
	const gr_value *obj = gr_get(c, "object");
	const gr_value *old = gr_get(c, "oldObject");
	if (old && old->type == GR_NULL)
		old = NULL;
	gr_cel_violation *v;
	size_t n;
	uint64_t remaining;
	gr_cel_crd_validate(crd, obj, old, "root", a, &v, &n, &remaining);
	uint64_t used = (o.cost_budget_set ? o.cost_budget : 10000000) - remaining;
	/* ratcheted failures are the API server's warnings: apart from the errors */
	gr_cel_violation *warn = gr_arena_alloc(a, (n + 1) * sizeof *warn);
	size_t nw = 0, ne = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i].kind == GR_CEL_VIOLATION_RATCHETED) {
			if (warn)
				warn[nw++] = v[i];
		} else
			v[ne++] = v[i];
	}
	n = ne;
	gr_cel_crd_free(crd);
	const gr_value *e = gr_get(c, "expect");
	int ok = 1;
	for (size_t i = 0; i < n; i++)
		gr_buf_printf(what, "[%s] ", v[i].message);
	const gr_value *valid = gr_get(e, "valid");
	if (gr_is(valid, GR_BOOL) && valid->u.b && n != 0)
		ok = 0;
	if (gr_is(valid, GR_BOOL) && !valid->u.b && n == 0)
		ok = 0;
	const char *each = gr_get_str(e, "each_error_contains");
	if (each)
		for (size_t i = 0; i < n; i++)
			if (!contains(v[i].message, each))
				ok = 0;
	const gr_value *one = gr_get(e, "exactly_one_error");
	if (gr_is(one, GR_BOOL) && one->u.b && n != 1)
		ok = 0;
	const char *some = gr_get_str(e, "some_error_contains");
	if (some) {
		int f = 0;
		for (size_t i = 0; i < n; i++)
			f |= contains(v[i].message, some);
		ok &= f;
	}
	const char *ec = gr_get_str(e, "error_contains");
	if (ec) {
		int f = 0;
		for (size_t i = 0; i < n; i++)
			f |= contains(v[i].message, ec);
		ok &= f;
	}
	const gr_value *oto = gr_get(e, "errors_match_one_to_one");
	if (gr_is(oto, GR_ARRAY)) {
		if (oto->u.a.len != n)
			ok = 0;
		else {
			int used_s[64] = {0};
			for (size_t i = 0; i < n && i < 64; i++) {
				int f = 0;
				for (size_t k = 0; k < oto->u.a.len && k < 64; k++)
					if (!used_s[k] && contains(v[i].message, oto->u.a.items[k].u.s.ptr)) {
						used_s[k] = 1;
						f = 1;
						break;
					}
				ok &= f;
			}
		}
	}
	const gr_value *tf = gr_get(e, "errors_exact_type_and_field");
	if (gr_is(tf, GR_ARRAY)) {
		if (tf->u.a.len != n)
			ok = 0;
		for (size_t k = 0; k < tf->u.a.len && ok; k++) {
			const char *ty = gr_get_str(&tf->u.a.items[k], "type");
			const char *fi = gr_get_str(&tf->u.a.items[k], "field");
			int f = 0;
			for (size_t i = 0; i < n; i++)
				if (ty && fi && !strcmp(v[i].reason, ty) && !strcmp(v[i].field, fi))
					f = 1;
			ok &= f;
		}
	}
	const gr_value *cnt = gr_get(e, "error_count");
	if (gr_is(cnt, GR_INT) && (size_t)cnt->u.i != n)
		ok = 0;
	const gr_value *errc = gr_get(e, "errors_contain");
	if (gr_is(errc, GR_ARRAY))
		for (size_t k = 0; k < errc->u.a.len; k++) {
			int f = 0;
			for (size_t i = 0; i < n; i++)
				f |= contains(v[i].message, errc->u.a.items[k].u.s.ptr);
			ok &= f;
		}
	const gr_value *wc = gr_get(e, "warning_count");
	if ((gr_is(wc, GR_INT) && (size_t)wc->u.i != nw) || (!wc && nw)) {
		ok = 0;
		gr_buf_printf(what, "(%zu warnings, want %lld) ", nw,
		              gr_is(wc, GR_INT) ? (long long)wc->u.i : 0LL);
	}
	const gr_value *we = gr_get(e, "warnings_exact");
	for (size_t k = 0; gr_is(we, GR_ARRAY) && k < we->u.a.len; k++) {
		int f = 0;
		for (size_t i = 0; i < nw; i++)
			f |= !strcmp(warn[i].message, we->u.a.items[k].u.s.ptr);
		if (!f) {
			ok = 0;
			gr_buf_printf(what, "(no warning '%s') ", we->u.a.items[k].u.s.ptr);
		}
	}
	for (size_t i = 0; i < nw; i++)
		gr_buf_printf(what, "[warning: %s] ", warn[i].message);
	const gr_value *cost = gr_get(e, "runtime_cost");
	if (!cost)
		cost = gr_get(e, "cost");
	if (gr_is(cost, GR_INT) && (uint64_t)cost->u.i != used) {
		ok = 0;
		gr_buf_printf(what, "(runtime cost %llu, want %lld) ", (unsigned long long)used,
		              (long long)cost->u.i);
	}
	const gr_value *rb = gr_get(e, "remaining_budget");
	if (gr_is(rb, GR_INT) && rb->u.i >= 0 && (uint64_t)rb->u.i != remaining) {
		ok = 0;
		gr_buf_printf(what, "(remaining budget %llu, want %lld) ", (unsigned long long)remaining,
		              (long long)rb->u.i);
	}
	if (!ok)
		gr_buf_printf(what, "expect %s", "");
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
		printf("cel-crd: 0 passed, 1 failed\n");
		return 1;
	}
	int pass = 0, kfail = 0, fail = 0, unexpected = 0, bad = 0;
	gr_buf what, ex;
	gr_buf_init(&what);
	gr_buf_init(&ex);
	for (size_t i = 0; i < lines.n; i++) {
		const gr_value *c = &lines.items[i];
		const char *id = gr_get_str(c, "id");
		gr_arena ca;
		gr_arena_init(&ca);
		gr_buf_reset(&what);
		int ok = run_case(c, &ca, &what);
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
			if (!list) {
				gr_buf_reset(&ex);
				gr_write_json(&ex, gr_get(c, "expect"), -1);
				fprintf(stderr, "FAIL %s: %s\n  got %s\n  %s\n", id, gr_get_str(c, "rule"),
				        what.data ? what.data : "", ex.data);
			}
		}
		if (list && !ok) {
			gr_buf_reset(&ex);
			gr_write_json(&ex, gr_get(c, "expect"), -1);
			printf("%s\t%s | %s | %s\n", id, gr_get_str(c, "rule"), what.data ? what.data : "",
			       ex.data);
		}
	}
	gr_buf_free(&what);
	gr_buf_free(&ex);
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
	        "crd rules: %zu cases, %d pass, %d known failures, %d new failures, %d unexpected passes\n",
	        lines.n, pass, kfail, fail, unexpected);
	cel_lines_free(&lines);
	gr_arena_free(&a);
	cel_known_free(&known);
	if (list)
		return 0;
	printf("cel-crd: %d passed, %d failed (%d known failures)\n", pass, fail + unexpected + bad, kfail);
	return fail + unexpected + bad ? 1 : 0;
}
