/*
 * cel_spec.c — the cel-spec conformance tests (../shared/conformance/cel/
 * celspec/jsonl, 2,456 tests in 30 files) run on lib/cel in plain-CEL mode
 * with every library Kubernetes enables.
 *
 * A `value` test passes when the result has the expected kind and value
 * (maps ignore order, NaN matches NaN); an `error` test when compiling or
 * evaluating fails; a `default_true` test when the result is true; a
 * check-only test (deduced type only) when gr_cel_program_type() gives the
 * deduced type.
 * Results are reported per Kubernetes tier (subsets/: 1 core, 2 needs
 * protobuf types, 3 outside the Kubernetes environment). Misses are listed
 * in tests/conformance/cel_spec.known-failures; an unexpected pass fails.
 *
 * `cel_spec --list` prints every failing id with what happened, for
 * maintaining the known-failures file.
 */
#include "cel_common.h"

#define SPEC_DIR       "../shared/conformance/cel/celspec/jsonl"
#define KNOWN          "tests/conformance/cel_spec.known-failures"
#define EXPECTED_CASES 2456

static const char *const files[] = {"basic",
                                    "bindings_ext",
                                    "block_ext",
                                    "comparisons",
                                    "conversions",
                                    "dynamic",
                                    "encoders_ext",
                                    "enums",
                                    "fields",
                                    "fp_math",
                                    "integer_math",
                                    "lists",
                                    "logic",
                                    "macros",
                                    "macros2",
                                    "math_ext",
                                    "namespace",
                                    "network_ext",
                                    "optionals",
                                    "parse",
                                    "plumbing",
                                    "proto2",
                                    "proto2_ext",
                                    "proto3",
                                    "string",
                                    "string_ext",
                                    "timestamps",
                                    "type_deduction",
                                    "unknowns",
                                    "wrappers",
                                    NULL};

typedef struct tally {
	int pass, known, fail, unexpected;
} tally;

/* Run one case: 1 pass, 0 fail; *what describes a failure. */
static int run_case(const gr_value *c, gr_arena *a, gr_buf *what)
{
	const gr_value *ev = gr_get(c, "expr");
	const char *expr = gr_get_str(c, "expr");
	const char *kind = gr_get_str(c, "expected_kind");
	if (!expr || !kind) {
		gr_buf_puts(what, "malformed record");
		return 0;
	}
	gr_cel_options o;
	gr_cel_options_default(&o);
	o.kubernetes = true;
	const gr_value *dc = gr_get(c, "disable_check");
	o.unchecked = gr_is(dc, GR_BOOL) && dc->u.b;
	o.container = gr_get_str(c, "container");
	gr_cel_env *env = gr_cel_env_new(&o);
	const gr_value *tenv = gr_get(c, "type_env");
	const gr_value *bind = gr_get(c, "bindings");
	gr_cel_value vars[64];
	size_t nv = 0;
	for (size_t i = 0; tenv && i < tenv->u.a.len && nv < 64; i++) {
		const gr_value *e = &tenv->u.a.items[i];
		const char *name = gr_get_str(e, "name");
		if (name && gr_get(e, "ident") && gr_cel_env_declare(env, name, NULL) == 0)
			vars[nv++] = gr_cel_unbound();
		/* declared function overloads: for the checker (check-only tests) */
		const gr_value *ovs = gr_get(gr_get(e, "function"), "overloads");
		for (size_t k = 0; name && gr_is(ovs, GR_ARRAY) && k < ovs->u.a.len; k++) {
			const gr_value *ov = &ovs->u.a.items[k];
			const gr_value *ps = gr_get(ov, "params");
			const gr_value *inst = gr_get(ov, "is_instance_function");
			const char *params[16];
			size_t np = 0;
			for (size_t q = 0; gr_is(ps, GR_ARRAY) && q < ps->u.a.len && np < 16; q++)
				params[np++] =
				        gr_is(&ps->u.a.items[q], GR_STRING) ? ps->u.a.items[q].u.s.ptr : NULL;
			gr_cel_env_declare_function(env, name, gr_is(inst, GR_BOOL) && inst->u.b, params, np,
			                            gr_get_str(ov, "result_type"));
		}
	}
	for (size_t i = 0; bind && gr_is(bind, GR_OBJECT) && i < bind->u.o.len; i++) {
		const char *name = bind->u.o.members[i].key;
		gr_cel_value v;
		if (cel_decode_value(a, &bind->u.o.members[i].value, &v) < 0) {
			gr_buf_printf(what, "binding %s uses a protobuf value", name);
			gr_cel_env_free(env);
			return 0;
		}
		size_t idx = nv;
		for (size_t k = 0; k < gr_cel_env_count(env); k++)
			(void)k;
		if (gr_cel_env_declare(env, name, NULL) == 0) {
			if (nv < 64)
				vars[nv++] = v;
		} else {
			/* declared through type_env: find its slot (declaration order) */
			for (size_t k = 0; tenv && k < tenv->u.a.len; k++) {
				const char *tn = gr_get_str(&tenv->u.a.items[k], "name");
				if (tn && !strcmp(tn, name)) {
					idx = k;
					break;
				}
			}
			if (idx < nv)
				vars[idx] = v;
		}
	}
	gr_cel_program *p = NULL;
	gr_cel_error err;
	int ok;
	if (gr_cel_compile(env, expr, ev->u.s.len, &p, &err) < 0) {
		ok = !strcmp(kind, "error");
		if (!ok)
			gr_buf_printf(what, "compile error: %s: %s at column %u", gr_cel_error_name(err.type),
			              err.message, err.column);
		gr_cel_env_free(env);
		return ok;
	}
	gr_cel_env_free(env);
	if (!strcmp(kind, "none")) {
		/* check-only: the deduced type is the result */
		const char *want = gr_get_str(c, "deduced_type");
		ok = want && !strcmp(gr_cel_program_type(p), want);
		if (!ok)
			gr_buf_printf(what, "deduced type %s, want %s", gr_cel_program_type(p),
			              want ? want : "?");
		gr_cel_free(p);
		return ok;
	}
	gr_cel_value r;
	int rc = gr_cel_eval(p, vars, nv, a, &r, NULL, &err);
	gr_buf show;
	gr_buf_init(&show);
	if (!strcmp(kind, "error")) {
		ok = rc < 0;
		if (!ok)
			gr_buf_printf(what, "expected an error, got %s", cel_show(&show, &r));
	} else if (rc < 0) {
		ok = 0;
		gr_buf_printf(what, "eval error: %s", err.message);
	} else if (!strcmp(kind, "default_true")) {
		ok = r.kind == GR_CEL_BOOL && r.u.b;
		if (!ok)
			gr_buf_printf(what, "expected true, got %s", cel_show(&show, &r));
	} else {
		gr_cel_value want;
		if (cel_decode_value(a, gr_get(c, "expected"), &want) < 0) {
			ok = 0;
			gr_buf_puts(what, "expected value uses a protobuf type");
		} else {
			ok = cel_strict_equal(&r, &want);
			if (!ok) {
				gr_buf_printf(what, "got %s", cel_show(&show, &r));
				gr_buf_printf(what, ", want %s", cel_show(&show, &want));
			}
		}
	}
	gr_buf_free(&show);
	gr_cel_free(p);
	return ok;
}

int main(int argc, char **argv)
{
	int list = argc > 1 && !strcmp(argv[1], "--list");
	cel_known known;
	cel_known_load(KNOWN, &known);
	tally tiers[4];
	memset(tiers, 0, sizeof tiers);
	int total = 0, bad = 0;
	gr_buf what;
	gr_buf_init(&what);
	for (int f = 0; files[f]; f++) {
		char path[256];
		snprintf(path, sizeof path, "%s/%s.jsonl", SPEC_DIR, files[f]);
		gr_arena a;
		gr_arena_init(&a);
		cel_lines lines;
		if (cel_read_lines(path, &a, &lines) < 0) {
			bad++;
			gr_arena_free(&a);
			continue;
		}
		for (size_t i = 0; i < lines.n; i++) {
			const gr_value *c = &lines.items[i];
			const char *id = gr_get_str(c, "id");
			const gr_value *t = gr_get(c, "k8s_tier");
			int tier = gr_is(t, GR_INT) && t->u.i >= 1 && t->u.i <= 3 ? (int)t->u.i : 3;
			gr_arena ca;
			gr_arena_init(&ca);
			gr_buf_reset(&what);
			int ok = run_case(c, &ca, &what);
			gr_arena_free(&ca);
			total++;
			int k = id ? cel_known_find(&known, id) : -1;
			if (ok && k < 0)
				tiers[tier].pass++;
			else if (ok) {
				tiers[tier].unexpected++;
				fprintf(stderr, "UNEXPECTED PASS %s (listed as: %s)\n", id, known.reasons[k]);
			} else if (k >= 0)
				tiers[tier].known++;
			else {
				tiers[tier].fail++;
				if (!list)
					fprintf(stderr, "FAIL %s: %s\n  %s\n", id, gr_get_str(c, "expr"),
					        what.data ? what.data : "");
			}
			if (list && !ok)
				printf("%s\t%s\n", id, what.data ? what.data : "");
		}
		cel_lines_free(&lines);
		gr_arena_free(&a);
	}
	gr_buf_free(&what);
	for (size_t i = 0; i < known.n; i++)
		if (!known.seen[i]) {
			fprintf(stderr, "known failure %s matches no case\n", known.ids[i]);
			bad++;
		}
	cel_known_free(&known);
	int pass = 0, fail = 0, kn = 0;
	for (int t = 1; t <= 3; t++) {
		int n = tiers[t].pass + tiers[t].known + tiers[t].fail + tiers[t].unexpected;
		fprintf(stderr,
		        "tier %d: %d cases, %d pass, %d known failures, %d new failures, %d unexpected "
		        "passes\n",
		        t, n, tiers[t].pass, tiers[t].known, tiers[t].fail, tiers[t].unexpected);
		pass += tiers[t].pass;
		kn += tiers[t].known;
		fail += tiers[t].fail + tiers[t].unexpected;
	}
	if (total != EXPECTED_CASES) {
		fprintf(stderr, "ran %d cases, expected %d\n", total, EXPECTED_CASES);
		bad++;
	}
	if (list)
		return 0;
	printf("cel-spec: %d passed, %d failed (%d known failures)\n", pass, fail + bad, kn);
	return fail + bad ? 1 : 0;
}
