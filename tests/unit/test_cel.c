/*
 * test_cel.c — the CEL engine beyond the conformance suites: error types
 * and columns, the limits that stop hostile expressions (deep nesting,
 * huge literals, cost bombs), evaluation over a document without copying
 * it, time zones from tzdata, the CRD validator's wording, the static
 * estimated-cost limits, and two threads sharing one compiled program.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/cel.h"
#include "guardrail/guardrail.h"
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

/* Compile (Kubernetes mode, `self` declared) and evaluate over JSON input;
 * render the result as JSON, or "error <type>@<column>: <message>". */
static void run_opts(const gr_cel_options *o, const char *expr, const char *input, char *out, size_t cap)
{
	gr_arena a;
	gr_arena_init(&a);
	gr_cel_env *env = gr_cel_env_new(o);
	gr_cel_env_declare(env, "self", NULL);
	gr_cel_program *p;
	gr_cel_error err;
	if (gr_cel_compile(env, expr, strlen(expr), &p, &err) != 0) {
		snprintf(out, cap, "error %s@%u: %s", gr_cel_error_name(err.type), err.column, err.message);
		gr_cel_env_free(env);
		gr_arena_free(&a);
		return;
	}
	gr_cel_env_free(env);
	gr_value doc = parse_json(&a, input ? input : "null");
	gr_cel_value self = gr_cel_from_json(&doc), r;
	if (gr_cel_eval(p, &self, 1, &a, &r, NULL, &err) != 0)
		snprintf(out, cap, "error %s@%u: %s", gr_cel_error_name(err.type), err.column, err.message);
	else {
		gr_buf b;
		gr_buf_init(&b);
		gr_cel_write_json(&b, &r);
		snprintf(out, cap, "%s", b.data ? b.data : "");
		gr_buf_free(&b);
	}
	gr_cel_free(p);
	gr_arena_free(&a);
}

static void run(const char *expr, const char *input, char *out, size_t cap)
{
	gr_cel_options o;
	gr_cel_options_default(&o);
	o.kubernetes = true;
	o.homogeneous_literals = true;
	run_opts(&o, expr, input, out, cap);
}

#define EXPECT_EVAL(expr, input, want)                                                                       \
	do {                                                                                                 \
		char got_[1024];                                                                             \
		run(expr, input, got_, sizeof got_);                                                         \
		CHECK_STR(got_, want);                                                                       \
	} while (0)

static void test_values_and_errors(void)
{
	EXPECT_EVAL("self.spec.replicas <= self.spec.max", "{\"spec\":{\"replicas\":3,\"max\":5}}", "true");
	EXPECT_EVAL(
	        "self.spec.containers.all(c, c.image.startsWith('registry.local/'))",
	        "{\"spec\":{\"containers\":[{\"image\":\"registry.local/a\"},{\"image\":\"docker.io/b\"}]}}",
	        "false");
	EXPECT_EVAL("dyn(1) == 1.0 && 2u < 3 && 3.5 > 3", NULL, "true");
	EXPECT_EVAL("1 == 1.0", NULL,
	            "error check@3: found no matching overload for '_==_' applied to '(int, double)'");
	EXPECT_EVAL("[1, 2, 3].map(x, x * 2).filter(x, x > 2)", NULL, "[4,6]");
	EXPECT_EVAL("{'a': 1}.transformMap(k, v, v + 1)", NULL, "{\"a\":2}");
	EXPECT_EVAL("(1 / 0 > 0) || true", NULL, "true"); /* commutative error absorption */
	EXPECT_EVAL("true && (1 / 0 > 0)", NULL, "error eval@12: division by zero");
	EXPECT_EVAL("9223372036854775807 + 1", NULL, "error eval@21: integer overflow");
	EXPECT_EVAL("-9223372036854775808", NULL, "-9223372036854775808");
	EXPECT_EVAL("self.x", "{}", "error eval@6: no such key: x");
	EXPECT_EVAL("1 +", NULL, "error syntax@4: syntax error: unexpected end of expression");
	EXPECT_EVAL("1 == 'a'", NULL,
	            "error check@3: found no matching overload for '_==_' applied to '(int, string)'");
	EXPECT_EVAL("[1, 'a']", NULL, "error check@5: expected type 'int' but found 'string'");
	EXPECT_EVAL("duration('1d')", NULL, "error check@10: invalid duration argument");
	EXPECT_EVAL("nope", NULL, "error check@1: undeclared reference to 'nope'");
	EXPECT_EVAL("quantity('1Gi').isGreaterThan(quantity('1G'))", NULL, "true");
	EXPECT_EVAL("cidr('10.0.0.0/8').containsIP('10.1.2.3')", NULL, "true");
	EXPECT_EVAL("'%s-%d'.format(['a', 1])", NULL, "\"a-1\"");
	EXPECT_EVAL("self.?a.?b.orValue(7)", "{\"a\":{}}", "7");
	/* a presence test on null, a number or a string finds nothing (cel-go's
	 * refQualify); a plain selection there, or a presence test on a list,
	 * is an error */
	EXPECT_EVAL("self.m.?labels.orValue({}).size()", "{\"m\":null}", "0");
	EXPECT_EVAL("has(self.m.labels) || has(self.n.x) || has(self.s.x)",
	            "{\"m\":null,\"n\":1,\"s\":\"a\"}", "false");
	EXPECT_EVAL("self.m[?'labels'].hasValue()", "{\"m\":null}", "false");
	EXPECT_EVAL("self.?m.labels", "{\"m\":null}",
	            "error eval@9: type 'null_type' does not support field selection");
	EXPECT_EVAL("self.m.labels", "{\"m\":null}",
	            "error eval@8: type 'null_type' does not support field selection");
	EXPECT_EVAL("has(self.l.x)", "{\"l\":[1]}",
	            "error eval@10: type 'list' does not support field selection");
	EXPECT_EVAL("'héllo'.size() == 5 && 'héllo'.substring(1, 2) == 'é'", NULL, "true");
}

/* The environment of an older API server lacks the later libraries. */
static void test_versions(void)
{
	char got[512];
	gr_cel_options o;
	gr_cel_options_default(&o);
	o.kubernetes = true;
	o.kubernetes_minor = 29;
	run_opts(&o, "ip('10.0.0.1').family()", NULL, got, sizeof got);
	CHECK_STR(got, "error check@1: undeclared reference to 'ip'");
	run_opts(&o, "[1, 2].all(i, v, v > i)", NULL, got, sizeof got);
	CHECK(strstr(got, "error") != NULL); /* two-variable comprehensions: 1.32 */
	o.kubernetes_minor = 30;
	run_opts(&o, "ip('10.0.0.1').family()", NULL, got, sizeof got);
	CHECK_STR(got, "4");
	o.kubernetes_minor = 0; /* the newest */
	run_opts(&o, "[1, 2].all(i, v, v > i) && semver('1.2.3').major() == 1", NULL, got, sizeof got);
	CHECK_STR(got, "true");
	/* Kubernetes' lists library v1 (1.37): includes() is membership for a
	 * list and equality for anything else, never a substring search */
	run_opts(&o,
	         "[[1, 2, 3].includes(2), [1, 2].includes(4), [1, 2].includes(dyn(2.0)), "
	         "'model-a'.includes('model-a'), 'model-a'.includes('model')]",
	         NULL, got, sizeof got);
	CHECK_STR(got, "[true,false,true,true,false]");
	o.kubernetes_minor = 36;
	run_opts(&o, "[1].includes(1)", NULL, got, sizeof got);
	CHECK_STR(got, "error check@5: undeclared reference to 'includes'");
	o.kubernetes_minor = 37;
	run_opts(&o, "[1].includes(1)", NULL, got, sizeof got);
	CHECK_STR(got, "true");
	/* JSONPatch: only where the API server declares it (MutatingAdmissionPolicy, 1.32+) */
	o.kubernetes_minor = 0;
	run_opts(&o, "jsonpatch.escapeKey('k8s.io/my~label')", NULL, got, sizeof got);
	CHECK_STR(got, "error check@1: undeclared reference to 'jsonpatch'");
	o.jsonpatch = true;
	run_opts(&o, "'/metadata/labels/' + jsonpatch.escapeKey('k8s.io/my~label')", NULL, got, sizeof got);
	CHECK_STR(got, "\"/metadata/labels/k8s.io~1my~0label\"");
	run_opts(&o, "jsonpatch.escapeKey(1)", NULL, got, sizeof got);
	CHECK(strstr(got, "error check") != NULL);
	o.kubernetes_minor = 31;
	run_opts(&o, "jsonpatch.escapeKey('a')", NULL, got, sizeof got);
	CHECK_STR(got, "error check@1: undeclared reference to 'jsonpatch'");
}

static void test_time_zones(void)
{
	/* 2009-02-13T23:31:30Z: Friday; in Sydney (UTC+11 in February) it is Saturday 10:31 */
	EXPECT_EVAL("timestamp('2009-02-13T23:31:30Z').getHours('Australia/Sydney')", NULL, "10");
	EXPECT_EVAL("timestamp('2009-02-13T23:31:30Z').getDayOfWeek('Australia/Sydney')", NULL, "6");
	EXPECT_EVAL("timestamp('2009-02-13T23:31:30Z').getHours('-02:30')", NULL, "21");
	/* a summer date past the zone file's last transition uses its POSIX rule */
	EXPECT_EVAL("timestamp('2090-07-01T12:00:00Z').getHours('Europe/Paris')", NULL, "14");
	EXPECT_EVAL("timestamp('2090-01-01T12:00:00Z').getHours('Europe/Paris')", NULL, "13");
	EXPECT_EVAL("timestamp('2009-02-13T23:31:30Z').getHours('No/Such_Zone')", NULL,
	            "error eval@35: unknown time zone 'No/Such_Zone'");
}

/* What hostile input meets: a bounded error, never a crash or a hang. */
static void test_limits(void)
{
	char got[1024];
	/* deep nesting: parentheses, unary operators, member chains */
	size_t n = 40000;
	char *deep = malloc(2 * n + 2);
	memset(deep, '(', n);
	deep[n] = '1';
	memset(deep + n + 1, ')', n);
	deep[2 * n + 1] = 0;
	run(deep, NULL, got, sizeof got);
	CHECK(strstr(got, "error limit@") && strstr(got, "max recursion depth exceeded"));
	memset(deep, '!', n);
	deep[n] = 0;
	strcat(deep, "true");
	run(deep, NULL, got, sizeof got);
	CHECK(strstr(got, "max recursion depth exceeded") != NULL);
	free(deep);
	/* a huge list literal is just data */
	size_t items = 200000;
	char *big = malloc(items * 2 + 16);
	size_t o = 0;
	big[o++] = '[';
	for (size_t i = 0; i < items; i++) {
		big[o++] = '1';
		big[o++] = ',';
	}
	o--;
	strcpy(big + o, "].size()");
	gr_cel_options opt;
	gr_cel_options_default(&opt);
	opt.kubernetes = true;
	opt.max_expression = 1u << 20;
	run_opts(&opt, big, NULL, got, sizeof got);
	CHECK_STR(got, "200000");
	opt.max_expression = 1000;
	run_opts(&opt, big, NULL, got, sizeof got);
	CHECK(strstr(got, "error limit@") != NULL);
	free(big);
	/* cost bombs stop at the cost limit */
	gr_cel_options_default(&opt);
	opt.kubernetes = true;
	opt.cost_limit = 1000000;
	run_opts(&opt,
	         "[1,2,3,4,5,6,7,8,9,10].map(a, [1,2,3,4,5,6,7,8,9,10].map(b, [1,2,3,4,5,6,7,8,9,10].map(c, "
	         "[1,2,3,4,5,6,7,8,9,10].map(d, [1,2,3,4,5,6,7,8,9,10].map(e, [1,2,3,4,5,6,7,8,9,10])))))",
	         NULL, got, sizeof got);
	CHECK(strstr(got, "error limit@") && strstr(got, "cost limit exceeded"));
	run_opts(&opt, "lists.range(1000000).map(x, x).size()", NULL, got, sizeof got);
	CHECK(strstr(got, "cost limit exceeded") != NULL);
}

/* A list from a document is read in place: no element is copied. */
static void test_no_copy(void)
{
	gr_arena a;
	gr_arena_init(&a);
	gr_value doc = parse_json(&a, "{\"items\":[\"x\",\"y\"]}");
	gr_cel_value self = gr_cel_from_json(&doc);
	gr_cel_env *env = gr_cel_env_new(NULL);
	gr_cel_env_declare(env, "self", NULL);
	gr_cel_program *p;
	gr_cel_error err;
	CHECK(gr_cel_compile(env, "self.items", 10, &p, &err) == 0);
	gr_cel_value r;
	CHECK(gr_cel_eval(p, &self, 1, &a, &r, NULL, &err) == 0);
	CHECK(r.kind == GR_CEL_LIST && r.backing == 1 && r.u.json == gr_get(&doc, "items"));
	gr_cel_value first = gr_cel_list_at(&r, 0);
	CHECK(first.kind == GR_CEL_STRING && first.u.s.ptr == gr_get(&doc, "items")->u.a.items[0].u.s.ptr);
	gr_cel_free(p);
	gr_cel_env_free(env);
	gr_arena_free(&a);
}

static void test_crd(void)
{
	gr_arena a;
	gr_arena_init(&a);
	gr_value schema = parse_json(
	        &a,
	        "{\"type\":\"object\",\"properties\":{\"spec\":{\"type\":\"object\",\"x-kubernetes-"
	        "validations\":["
	        "{\"rule\":\"self.replicas <= self.maxReplicas\",\"message\":\"too many\"},"
	        "{\"rule\":\"self.replicas >= oldSelf.replicas\",\"message\":\"no scaling down\"}],"
	        "\"properties\":{\"replicas\":{\"type\":\"integer\"},\"maxReplicas\":{\"type\":\"integer\","
	        "\"default\":10},\"my-field\":{\"type\":\"string\"}}}}}");
	gr_cel_crd_options o;
	memset(&o, 0, sizeof o);
	gr_cel_error err;
	gr_cel_crd *c = gr_cel_crd_new(&schema, &o, &err);
	CHECK(c != NULL);
	if (!c)
		return;
	CHECK(gr_cel_crd_rule_count(c) == 2 && gr_cel_crd_transition_count(c) == 1);
	gr_value obj = parse_json(&a, "{\"spec\":{\"replicas\":12}}"); /* maxReplicas defaults to 10 */
	gr_value old = parse_json(&a, "{\"spec\":{\"replicas\":20}}");
	gr_cel_violation *v;
	size_t n;
	gr_cel_crd_validate(c, &obj, NULL, "", &a, &v, &n, NULL);
	CHECK(n == 1 && !strcmp(v[0].message, ".spec: Invalid value: too many"));
	gr_cel_crd_validate(c, &obj, &old, "", &a, &v, &n, NULL); /* the transition rule runs too */
	CHECK(n == 2 && strstr(v[1].message, "no scaling down"));
	gr_cel_crd_free(c);
	/* escaped property names and an undefined field */
	schema = parse_json(&a, "{\"type\":\"object\",\"properties\":{\"my-field\":{\"type\":\"string\"}},"
	                        "\"x-kubernetes-validations\":[{\"rule\":\"self.my__dash__field == 'x'\"},"
	                        "{\"rule\":\"self.other == 1\"}]}");
	c = gr_cel_crd_new(&schema, &o, &err);
	CHECK(c && gr_cel_crd_compile_errors(c) == 1);
	gr_value o2 = parse_json(&a, "{\"my-field\":\"x\"}");
	gr_cel_crd_validate(c, &o2, NULL, "root", &a, &v, &n, NULL);
	CHECK(n == 1 && strstr(v[0].message, "undefined field 'other'"));
	gr_cel_crd_free(c);
	gr_arena_free(&a);
}

/* gr_cel_crd_new builds only the schema nodes rules need: a rule deep in
 * the schema still runs (through ancestors without rules), siblings without
 * rules are skipped, and a property a node declares is never taken for an
 * additionalProperties key even though its node was not built. */
static void test_crd_pruned(void)
{
	gr_arena a;
	gr_arena_init(&a);
	gr_value schema = parse_json(
	        &a, "{\"type\":\"object\",\"properties\":{"
	            "\"spec\":{\"type\":\"object\",\"properties\":{"
	            "\"big\":{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"string\"}}},"
	            "\"list\":{\"type\":\"array\",\"maxItems\":3,\"items\":{\"type\":\"object\","
	            "\"properties\":{\"n\":{\"type\":\"integer\",\"x-kubernetes-validations\":["
	            "{\"rule\":\"self < 10\",\"message\":\"small\"}]}}}}}},"
	            "\"labels\":{\"type\":\"object\",\"properties\":{\"fixed\":{\"type\":\"string\"}},"
	            "\"additionalProperties\":{\"type\":\"string\",\"x-kubernetes-validations\":["
	            "{\"rule\":\"self.size() < 3\",\"message\":\"short\"}]}}}}");
	gr_cel_crd_options o;
	memset(&o, 0, sizeof o);
	gr_cel_error err;
	gr_cel_crd *c = gr_cel_crd_new(&schema, &o, &err);
	CHECK(c != NULL);
	if (!c) {
		gr_arena_free(&a);
		return;
	}
	CHECK(gr_cel_crd_rule_count(c) == 2);
	gr_cel_violation *v;
	size_t n;
	gr_value obj = parse_json(&a, "{\"spec\":{\"big\":{\"x\":\"y\"},\"list\":[{\"n\":1},{\"n\":12}]},"
	                              "\"labels\":{\"fixed\":\"a long value\",\"k\":\"ok\"}}");
	gr_cel_crd_validate(c, &obj, NULL, "", &a, &v, &n, NULL);
	CHECK(n == 1 && strstr(v[0].message, "small") && !strcmp(v[0].field, ".spec.list[1].n"));
	obj = parse_json(&a, "{\"labels\":{\"k\":\"too long\"}}");
	gr_cel_crd_validate(c, &obj, NULL, "", &a, &v, &n, NULL);
	CHECK(n == 1 && strstr(v[0].message, "short") && !strcmp(v[0].field, ".labels[k]"));
	gr_cel_crd_free(c);
	gr_arena_free(&a);
}

/* The API server's static cost limits: an O(n^2) rule over unbounded
 * lists is refused (per rule), the same rule over bounded lists passes, and
 * a rule under an unbounded list counts once per element that fits in a
 * request towards the schema's total. */
static void test_static_cost(void)
{
	gr_arena a;
	gr_arena_init(&a);
	gr_cel_crd_options o;
	memset(&o, 0, sizeof o);
	o.static_cost_limits = true;
	gr_cel_error err;
	gr_cel_violation *v;
	size_t n;
	const char *nested = "self.a.all(x, self.b.all(y, x != y))";
	char text[1024];
	snprintf(text, sizeof text,
	         "{\"type\":\"object\",\"x-kubernetes-validations\":[{\"rule\":\"%s\"}],"
	         "\"properties\":{\"a\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}},"
	         "\"b\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}}}",
	         nested);
	gr_value schema = parse_json(&a, text);
	gr_cel_crd *c = gr_cel_crd_new(&schema, &o, &err);
	CHECK(c && gr_cel_crd_compile_errors(c) == 1);
	gr_value obj = parse_json(&a, "{\"a\":[1],\"b\":[2]}");
	gr_cel_crd_validate(c, &obj, NULL, "root", &a, &v, &n, NULL);
	CHECK(n >= 1 &&
	      strstr(v[n - 1].message, "root: Forbidden: estimated rule cost exceeds budget by factor "
	                               "of more than 100x (try simplifying the rule"));
	gr_cel_crd_free(c);
	/* the same rule over lists of at most 100 items costs 100 * 100 * ~6 */
	snprintf(text, sizeof text,
	         "{\"type\":\"object\",\"x-kubernetes-validations\":[{\"rule\":\"%s\"}],"
	         "\"properties\":{\"a\":{\"type\":\"array\",\"maxItems\":100,\"items\":{\"type\":"
	         "\"integer\"}},\"b\":{\"type\":\"array\",\"maxItems\":100,\"items\":{\"type\":"
	         "\"integer\"}}}}",
	         nested);
	schema = parse_json(&a, text);
	c = gr_cel_crd_new(&schema, &o, &err);
	CHECK(c && gr_cel_crd_compile_errors(c) == 0);
	gr_cel_crd_validate(c, &obj, NULL, "root", &a, &v, &n, NULL);
	CHECK(n == 0);
	gr_cel_crd_free(c);
	/* a cheap rule (cost 3: self, .size(), >) on the items of an unbounded list of
	 * strings: 3 * (3145728 / 3) exceeds no per-rule limit; 40 of them exceed the
	 * schema's total */
	gr_buf b;
	gr_buf_init(&b);
	gr_buf_puts(&b, "{\"type\":\"object\",\"properties\":{\"l\":{\"type\":\"array\",\"items\":"
	                "{\"type\":\"string\",\"x-kubernetes-validations\":[");
	for (int i = 0; i < 40; i++)
		gr_buf_printf(&b, "%s{\"rule\":\"self.size() > %d\"}", i ? "," : "", i);
	gr_buf_puts(&b, "]}}}}");
	schema = parse_json(&a, b.data);
	gr_buf_free(&b);
	c = gr_cel_crd_new(&schema, &o, &err);
	CHECK(c && gr_cel_crd_compile_errors(c) == 0);
	gr_cel_crd_validate(c, &obj, NULL, "root", &a, &v, &n, NULL);
	CHECK(n == 1 &&
	      strstr(v[0].message, "root: Forbidden: x-kubernetes-validations estimated rule & "
	                           "messageExpression cost total for entire OpenAPIv3 schema exceeds "
	                           "budget by factor of"));
	gr_cel_crd_free(c);
	/* without the option (the runtime validator alone) nothing is refused */
	o.static_cost_limits = false;
	schema = parse_json(&a, text);
	c = gr_cel_crd_new(&schema, &o, &err);
	CHECK(c && gr_cel_crd_compile_errors(c) == 0);
	gr_cel_crd_free(c);
	gr_arena_free(&a);
}

/* Deduced types (gr_cel_program_type) and declared functions. */
static void test_types(void)
{
	gr_cel_options o;
	gr_cel_options_default(&o);
	o.kubernetes = true;
	gr_cel_env *env = gr_cel_env_new(&o);
	const char *fp[] = {"string", "int"}, *tp[] = {"T", "U"};
	CHECK(gr_cel_env_declare_function(env, "fn", false, fp, 2, "string") == 0);
	CHECK(gr_cel_env_declare_function(env, "pair", false, tp, 2, "pair(T, U)") == 0);
	static const struct {
		const char *expr, *type;
	} cases[] = {{"fn('abc', 123)", "string"},
	             {"[[], [[]]]", "list(list(list(dyn)))"},
	             {"[optional.none(), optional.of(1)]", "list(optional_type(int))"},
	             {"[pair(1, 'a'), pair(dyn(1), 'b')][0]", "pair(dyn, string)"},
	             {"true ? 1 : dyn(2)", "dyn"},
	             {"{'a': 1}", "map(string, int)"}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		gr_cel_program *p;
		gr_cel_error err;
		int rc = gr_cel_compile(env, cases[i].expr, strlen(cases[i].expr), &p, &err);
		CHECK(rc == 0);
		if (rc == 0) {
			CHECK_STR(gr_cel_program_type(p), cases[i].type);
			gr_cel_free(p);
		}
	}
	/* a declared overload the arguments do not fit, and no implementation */
	gr_cel_program *p;
	gr_cel_error err;
	CHECK(gr_cel_compile(env, "fn(1, 2)", 8, &p, &err) != 0 &&
	      strstr(err.message, "found no matching overload for 'fn'"));
	CHECK(gr_cel_compile(env, "fn('a', 2)", 10, &p, &err) == 0);
	gr_arena a;
	gr_arena_init(&a);
	gr_cel_value r;
	CHECK(gr_cel_eval(p, NULL, 0, &a, &r, NULL, &err) != 0);
	gr_cel_free(p);
	gr_arena_free(&a);
	gr_cel_env_free(env);
}

typedef struct work {
	const gr_cel_program *p;
	int ok;
} work;

static void *worker(void *arg)
{
	work *w = arg;
	w->ok = 1;
	for (int i = 0; i < 2000; i++) {
		gr_arena a;
		gr_arena_init(&a);
		gr_value doc = gr_make_int(i);
		gr_cel_value self = gr_cel_from_json(&doc), r;
		gr_cel_error err;
		if (gr_cel_eval(w->p, &self, 1, &a, &r, NULL, &err) != 0 || r.kind != GR_CEL_LIST ||
		    gr_cel_size(&r) != 3) {
			w->ok = 0;
		} else {
			gr_cel_value last = gr_cel_list_at(&r, 2);
			if (last.kind != GR_CEL_INT || last.u.i != i + 3)
				w->ok = 0;
		}
		gr_arena_free(&a);
	}
	return NULL;
}

static void test_threads(void)
{
	gr_cel_env *env = gr_cel_env_new(NULL);
	gr_cel_env_declare(env, "self", NULL);
	gr_cel_program *p;
	gr_cel_error err;
	CHECK(gr_cel_compile(env, "[1, 2, 3].map(x, self + x)", 26, &p, &err) == 0);
	gr_cel_env_free(env);
	work w[2] = {{p, 0}, {p, 0}};
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		CHECK(pthread_create(&t[i], NULL, worker, &w[i]) == 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	CHECK(w[0].ok && w[1].ok);
	gr_cel_free(p);
}

/* Runtime cost of `expr` in the CRD validator's dialect (constants folded),
 * `self` bound to the JSON input; UINT64_MAX when it does not compile. */
static uint64_t runtime_cost(bool fold, const char *expr, const char *input)
{
	gr_cel_options o;
	gr_cel_options_default(&o);
	o.kubernetes = true;
	o.homogeneous_literals = true;
	o.fold_constants = fold;
	gr_arena a;
	gr_arena_init(&a);
	gr_cel_env *env = gr_cel_env_new(&o);
	gr_cel_env_declare(env, "self", NULL);
	gr_cel_program *p;
	gr_cel_error err;
	uint64_t cost = UINT64_MAX;
	if (gr_cel_compile(env, expr, strlen(expr), &p, &err) == 0) {
		gr_value doc = parse_json(&a, input ? input : "null");
		gr_cel_value self = gr_cel_from_json(&doc), r;
		cost = 0;
		gr_cel_eval(p, &self, 1, &a, &r, &cost, &err);
		gr_cel_free(p);
	}
	gr_cel_env_free(env);
	gr_arena_free(&a);
	return cost;
}

/* cel-go's interpreter charges a selection or index on anything but an
 * attribute (a literal, a call, a macro) once more: the relative attribute
 * it wraps the operand in. */
static void test_runtime_cost(void)
{
	const char *doc = "{\"l\":[\"a\",\"b\"],\"m\":{\"k\":1}}";
	CHECK(runtime_cost(true, "self.l[1]", doc) == 3);        /* self, .l, [1] */
	CHECK(runtime_cost(true, "['a', 'b'][1]", NULL) == 2);   /* folded list, attribute, [1] */
	CHECK(runtime_cost(false, "['a', 'b'][1]", NULL) == 12); /* list creation 10 */
	CHECK(runtime_cost(true, "['a', 'b'][4]", NULL) == 2);   /* charged when it fails too */
	CHECK(runtime_cost(true, "{'k': 1}.k", NULL) == 2);      /* the same for a selection */
	CHECK(runtime_cost(true, "self.l.map(x, x)[0]", doc) ==
	      runtime_cost(true, "self.l.map(x, x)", doc) + 2); /* and a macro's result */
	CHECK(runtime_cost(true, "(true ? self.m : self.m).k", doc) == 3);
	/* folding (the API server's OptOptimize): a constant list costs nothing
	 * where a plain program creates it (10) on every iteration */
	CHECK(runtime_cost(false, "lists.range(10).all(i, [1, 2, 3].size() == 3)", NULL) ==
	      runtime_cost(true, "lists.range(10).all(i, [1, 2, 3].size() == 3)", NULL) + 10 * 10);
	CHECK(runtime_cost(false, "duration('1s') < duration('2s')", NULL) ==
	      runtime_cost(true, "duration('1s') < duration('2s')", NULL) + 2);
	CHECK(runtime_cost(true, "type(1) == int", NULL) == 1); /* type() of a constant is folded too */
	/* x in [constants]: a set lookup (no call cost) for primitive elements,
	 * false without evaluating x for an empty list, charged by the list's
	 * size otherwise, and 1 for a map */
	CHECK(runtime_cost(true, "self.m.k in [1, 2, 3]", doc) == 3);
	CHECK(runtime_cost(true, "self.m.k in []", doc) == 0);
	CHECK(runtime_cost(true, "duration('1s') in [duration('1s'), duration('2s')]", NULL) == 2);
	CHECK(runtime_cost(true, "'k' in {'k': 1}", NULL) == 1);
	CHECK(runtime_cost(false, "self.m.k in [1, 2, 3]", doc) == 3 + 10 + 3);
	/* cel.bind ranges over an empty list literal */
	CHECK(runtime_cost(false, "cel.bind(x, self.l, x.size())", doc) ==
	      runtime_cost(true, "cel.bind(x, self.l, x.size())", doc) + 10);
}

int main(void)
{
	test_values_and_errors();
	test_versions();
	test_time_zones();
	test_limits();
	test_no_copy();
	test_crd();
	test_crd_pruned();
	test_static_cost();
	test_types();
	test_threads();
	test_runtime_cost();
	return test_report("cel");
}
