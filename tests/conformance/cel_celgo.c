/*
 * cel_celgo.c — cel-go's parser and checker tests (../shared/conformance/
 * cel/celgo_incremental/{parsing,checking}.jsonl): an expression cel-go
 * parses must parse here and one it rejects must be rejected (`parse_ok`);
 * one it type-checks (with the test's declared identifiers) must compile
 * here in checked mode and one it rejects must fail (`check_ok`). The
 * ASTs and types cel-go prints are not compared. Misses are in
 * cel_celgo.known-failures.
 */
#include "cel_common.h"

#define KNOWN          "tests/conformance/cel_celgo.known-failures"
#define EXPECTED_CASES (194 * 2 + 135 * 2)

/* 1 when the expression compiles (checked or not) with the record's identifiers. */
static int compiles(const gr_value *c, int checked, gr_buf *msg)
{
	const gr_value *ev = gr_get(c, "expr");
	if (!gr_is(ev, GR_STRING))
		return 0;
	gr_cel_options o;
	gr_cel_options_default(&o);
	o.kubernetes = true;
	o.unchecked = !checked;
	o.container = gr_get_str(c, "container");
	gr_cel_env *env = gr_cel_env_new(&o);
	const gr_value *tenv = gr_get(c, "type_env");
	for (size_t i = 0; tenv && gr_is(tenv, GR_ARRAY) && i < tenv->u.a.len; i++) {
		const gr_value *e = &tenv->u.a.items[i];
		const char *name = gr_get_str(e, "name");
		if (name && gr_get(e, "ident"))
			gr_cel_env_declare(env, name, NULL);
		/* declared function overloads, for the checker */
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
	gr_cel_program *p;
	gr_cel_error err;
	int ok = gr_cel_compile(env, ev->u.s.ptr, ev->u.s.len, &p, &err) == 0;
	if (ok)
		gr_cel_free(p);
	else
		gr_buf_printf(msg, "%s: %s at column %u", gr_cel_error_name(err.type), err.message,
		              err.column);
	gr_cel_env_free(env);
	return ok;
}

int main(int argc, char **argv)
{
	int list = argc > 1 && !strcmp(argv[1], "--list");
	static const char *const files[] = {"../shared/conformance/cel/celgo_incremental/parsing.jsonl",
	                                    "../shared/conformance/cel/celgo_incremental/checking.jsonl",
	                                    NULL};
	cel_known known;
	cel_known_load(KNOWN, &known);
	int pass = 0, kfail = 0, fail = 0, unexpected = 0, bad = 0, total = 0;
	gr_buf msg;
	gr_buf_init(&msg);
	for (int f = 0; files[f]; f++) {
		gr_arena a;
		gr_arena_init(&a);
		cel_lines lines;
		if (cel_read_lines(files[f], &a, &lines) < 0) {
			bad++;
			gr_arena_free(&a);
			continue;
		}
		for (size_t i = 0; i < lines.n; i++) {
			const gr_value *c = &lines.items[i];
			const char *id = gr_get_str(c, "id");
			for (int stage = 0; stage < 2; stage++) {
				const gr_value *want = gr_get(c, stage ? "check_ok" : "parse_ok");
				char cid[300];
				snprintf(cid, sizeof cid, "%s:%s", id ? id : "?", stage ? "check" : "parse");
				gr_buf_reset(&msg);
				int got = compiles(c, stage, &msg);
				int ok = gr_is(want, GR_BOOL) && got == want->u.b;
				total++;
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
						fprintf(stderr, "FAIL %s: %s: cel-go %s, guardrail %s %s\n",
						        cid, gr_get_str(c, "expr"),
						        want && want->u.b ? "accepts" : "rejects",
						        got ? "accepts" : "rejects",
						        msg.data ? msg.data : "");
				}
				if (list && !ok)
					printf("%s\tcel-go %s, guardrail %s (%s) %s\n", cid,
					       want && want->u.b ? "accepts" : "rejects",
					       got ? "accepts" : "rejects", gr_get_str(c, "expr"),
					       msg.data ? msg.data : "");
			}
		}
		cel_lines_free(&lines);
		gr_arena_free(&a);
	}
	gr_buf_free(&msg);
	for (size_t i = 0; i < known.n; i++)
		if (!known.seen[i]) {
			fprintf(stderr, "known failure %s matches no case\n", known.ids[i]);
			bad++;
		}
	if (total != EXPECTED_CASES) {
		fprintf(stderr, "ran %d checks, expected %d\n", total, EXPECTED_CASES);
		bad++;
	}
	cel_known_free(&known);
	fprintf(stderr,
	        "cel-go parser/checker: %d checks, %d pass, %d known failures, %d new failures, %d "
	        "unexpected passes\n",
	        total, pass, kfail, fail, unexpected);
	if (list)
		return 0;
	printf("cel-celgo: %d passed, %d failed (%d known failures)\n", pass, fail + unexpected + bad, kfail);
	return fail + unexpected + bad ? 1 : 0;
}
