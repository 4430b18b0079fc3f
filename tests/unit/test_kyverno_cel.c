/*
 * test_kyverno_cel.c — Kyverno's validate.cel rules, one behaviour per
 * check: pass and fail, the message (messageExpression, the expression's
 * message, validate.message, "failed expression"), variables, an
 * expression error denying (Kyverno's validator has no failure policy:
 * Fail), celPreconditions (skip) after Kyverno's preconditions, request,
 * oldObject and namespaceObject as the CLI binds them, params by paramRef
 * (found, absent, undeclared, no lookup), authorizer (not evaluated), autogen's
 * rewriting for pod controllers, and that every expression compiles once;
 * then Kyverno's ValidatingPolicy: statuses, matching, autogen, libraries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/kyverno/kyverno_int.h"
#include "guardrail/decode.h"
#include "guardrail/kyverno.h"
#include "testlib.h"

typedef struct got {
	char status[16][32];
	char rule[16][96];
	char message[16][300];
	int n;
} got;

static void collect(void *user, const gr_kyverno_response *r)
{
	got *g = user;
	if (g->n < 16) {
		snprintf(g->status[g->n], sizeof g->status[0], "%s", gr_kyverno_status_name(r->status));
		snprintf(g->rule[g->n], sizeof g->rule[0], "%s", r->rule);
		snprintf(g->message[g->n], sizeof g->message[0], "%s", r->message ? r->message : "");
		g->n++;
	}
}

static const gr_value *param_cm;

static int lookup(void *user, const char *av, const char *kind, const char *ns, const char *name,
                  const gr_value **out)
{
	(void)user;
	*out = NULL;
	if (!param_cm || strcmp(av, "v1") || strcmp(kind, "ConfigMap"))
		return -1;
	if (strcmp(ns, "default") || strcmp(name, "allowed"))
		return 0;
	*out = param_cm;
	return 1;
}

static char last_message[600];

/* Status of `rule` for the resource ("none": no response; "load error"). */
static const char *run(const char *policy, const char *resource, const char *rule, const char *op,
                       bool with_lookup)
{
	static char out[32];
	gr_kyverno_set *set = gr_kyverno_set_new(NULL);
	gr_error err;
	last_message[0] = 0;
	if (gr_kyverno_set_load_buffer(set, "policy.yaml", policy, strlen(policy), NULL, &err) != 0) {
		snprintf(out, sizeof out, "load error");
		snprintf(last_message, sizeof last_message, "%u:%u: %.200s", err.line, err.column,
		         err.message);
		gr_kyverno_set_free(set);
		return out;
	}
	gr_arena a;
	gr_arena_init(&a);
	gr_document *docs;
	size_t n;
	if (gr_decode(&a, resource, strlen(resource), NULL, &docs, &n, &err) != 0 || n == 0) {
		snprintf(out, sizeof out, "bad resource");
	} else {
		got g = {.n = 0};
		gr_kyverno_request req = {
		        .object = &docs[0].root, .operation = op, .resource = with_lookup ? lookup : NULL};
		gr_kyverno_evaluate(set, &req, &a, collect, &g, &err);
		snprintf(out, sizeof out, "none");
		for (int i = 0; i < g.n; i++)
			if (strcmp(g.rule[i], rule) == 0) {
				snprintf(out, sizeof out, "%s", g.status[i]);
				snprintf(last_message, sizeof last_message, "%s", g.message[i]);
			}
	}
	gr_arena_free(&a);
	gr_kyverno_set_free(set);
	return out;
}

#define HEAD                                                                                                 \
	"apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: p\nspec:\n  rules:\n  - name: "  \
	"r\n    match:\n      any:\n      - resources:\n          kinds: [Pod]\n"

#define POD(ns, extra)                                                                                       \
	"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"x\",\"namespace\":\"" ns           \
	"\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"" extra "}]}}"

static void test_pass_fail_messages(void)
{
	const char *p = HEAD "    validate:\n      message: rule message\n      cel:\n        expressions:\n"
	                     "        - expression: \"object.spec.containers.all(c, c.image != 'nginx')\"\n";
	CHECK_STR(run(p, POD("default", ""), "r", NULL, false), "fail");
	CHECK_STR(last_message, "rule message"); /* validate.message fills a validation without one */
	CHECK_STR(run(p, POD("default", ",\"x\":1"), "r", NULL, false), "fail");
	const char *ok = HEAD "    validate:\n      cel:\n        expressions:\n"
	                      "        - expression: \"object.spec.containers.size() == 1\"\n";
	CHECK_STR(run(ok, POD("default", ""), "r", NULL, false), "pass");
	const char *own =
	        HEAD "    validate:\n      message: rule message\n      cel:\n        expressions:\n"
	             "        - expression: \"false\"\n          message: own\n";
	CHECK_STR(run(own, POD("default", ""), "r", NULL, false), "fail");
	CHECK_STR(last_message, "own");
	const char *bare =
	        HEAD "    validate:\n      cel:\n        expressions:\n        - expression: \"1 > 2\"\n";
	CHECK_STR(run(bare, POD("default", ""), "r", NULL, false), "fail");
	CHECK_STR(last_message, "failed expression: 1 > 2");
	const char *mexpr =
	        HEAD "    validate:\n      cel:\n        variables:\n        - name: img\n"
	             "          expression: \"object.spec.containers[0].image\"\n        expressions:\n"
	             "        - expression: \"variables.img != 'nginx'\"\n          message: plain\n"
	             "          messageExpression: \"'image ' + variables.img + ' is not allowed'\"\n";
	CHECK_STR(run(mexpr, POD("default", ""), "r", NULL, false), "fail");
	CHECK_STR(last_message, "image nginx is not allowed");
	/* the first validation that denies gives the message */
	const char *two = HEAD "    validate:\n      cel:\n        expressions:\n"
	                       "        - expression: \"true\"\n          message: first\n"
	                       "        - expression: \"false\"\n          message: second\n"
	                       "        - expression: \"false\"\n          message: third\n";
	CHECK_STR(run(two, POD("default", ""), "r", NULL, false), "fail");
	CHECK_STR(last_message, "second");
}

static void test_or_value_on_a_value(void)
{
	/* cel-go returns a receiver that is not an optional as it is */
	const char *p = HEAD "    validate:\n      cel:\n        expressions:\n"
	                     "        - expression: \"object.spec.containers.orValue([]).size() == 1 && "
	                     "object.spec.?initContainers.orValue([]).size() == 0 && "
	                     "object.spec.containers[0].name.or(optional.of('x')) == 'c'\"\n";
	CHECK_STR(run(p, POD("default", ""), "r", NULL, false), "pass");
}

static void test_errors_deny(void)
{
	/* a missing key at run time denies: failurePolicy Fail */
	const char *p = HEAD "    validate:\n      cel:\n        expressions:\n"
	                     "        - expression: \"object.spec.nodeName == 'a'\"\n";
	CHECK_STR(run(p, POD("default", ""), "r", NULL, false), "fail");
	CHECK(strstr(last_message, "no such key") != NULL);
	/* an expression that does not compile is kept and denies when run */
	const char *bad = HEAD "    validate:\n      cel:\n        expressions:\n"
	                       "        - expression: \"object.spec.(\"\n";
	CHECK_STR(run(bad, POD("default", ""), "r", NULL, false), "fail");
	CHECK(strstr(last_message, "compilation failed") != NULL);
	/* a variable is evaluated when an expression reaches it, as the API
	 * server's composition does: one that fails denies through the
	 * expressions that use it, and not at all when none reaches it */
	const char *var = HEAD "    validate:\n      cel:\n        variables:\n        - name: v\n"
	                       "          expression: \"object.missing\"\n        expressions:\n"
	                       "        - expression: \"variables.v == 1\"\n";
	CHECK_STR(run(var, POD("default", ""), "r", NULL, false), "fail");
	CHECK(strstr(last_message, "composited variable \"v\" fails to evaluate") != NULL);
	const char *unused = HEAD "    validate:\n      cel:\n        variables:\n        - name: v\n"
	                          "          expression: \"object.missing\"\n        expressions:\n"
	                          "        - expression: \"true\"\n";
	CHECK_STR(run(unused, POD("default", ""), "r", NULL, false), "pass");
	const char *guarded =
	        HEAD "    validate:\n      cel:\n        variables:\n        - name: node\n"
	             "          expression: \"object.spec.nodeName\"\n        expressions:\n"
	             "        - expression: \"!has(object.spec.nodeName) || variables.node == 'a'\"\n";
	CHECK_STR(run(guarded, POD("default", ""), "r", NULL, false), "pass");
	const char *broken = HEAD "    validate:\n      cel:\n        variables:\n        - name: b\n"
	                          "          expression: \"object.(\"\n        expressions:\n"
	                          "        - expression: \"variables.b\"\n";
	CHECK_STR(run(broken, POD("default", ""), "r", NULL, false), "fail");
	CHECK(strstr(last_message, "composited variable \"b\" fails to compile") != NULL);
	/* an audit annotation's error is no decision */
	const char *aa =
	        HEAD "    validate:\n      cel:\n        expressions:\n        - expression: \"true\"\n"
	             "        auditAnnotations:\n        - key: k\n"
	             "          valueExpression: \"object.missing\"\n";
	CHECK_STR(run(aa, POD("default", ""), "r", NULL, false), "pass");
	/* validate.cel must be a mapping, with file:line:col */
	const char *notmap = HEAD "    validate:\n      cel: [1]\n";
	CHECK_STR(run(notmap, POD("default", ""), "r", NULL, false), "load error");
	CHECK(strncmp(last_message, "13:12:", 6) == 0 &&
	      strstr(last_message, "validate.cel must be a mapping"));
}

static void test_preconditions_and_bindings(void)
{
	const char *p =
	        HEAD "    celPreconditions:\n    - name: update\n      expression: \"request.operation == "
	             "'UPDATE'\"\n"
	             "    validate:\n      cel:\n        expressions:\n"
	             "        - expression: \"object.spec == oldObject.spec\"\n";
	CHECK_STR(run(p, POD("default", ""), "r", NULL, false), "skip");
	CHECK_STR(last_message, "cel preconditions not met");
	/* UPDATE without an old object: oldObject is the object itself */
	CHECK_STR(run(p, POD("default", ""), "r", "UPDATE", false), "pass");
	/* Kyverno's preconditions come first */
	const char *kp =
	        HEAD "    preconditions:\n      all:\n      - key: a\n        operator: Equals\n"
	             "        value: b\n"
	             "    validate:\n      cel:\n        expressions:\n        - expression: \"false\"\n";
	CHECK_STR(run(kp, POD("default", ""), "r", NULL, false), "skip");
	CHECK_STR(last_message, "preconditions not met");
	/* CREATE: oldObject is null; request and namespaceObject are bound */
	const char *b = HEAD "    validate:\n      cel:\n        expressions:\n"
	                     "        - expression: \"oldObject == null && request.operation == 'CREATE' && "
	                     "request.kind.kind == 'Pod' && request.resource.resource == 'pods' && "
	                     "request.namespace == 'team' && request.name == 'x' && "
	                     "namespaceObject.metadata.name == 'team'\"\n";
	CHECK_STR(run(b, POD("team", ""), "r", NULL, false), "pass");
	/* a Namespace has no namespaceObject */
	const char *ns =
	        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: p\nspec:\n  rules:\n"
	        "  - name: r\n    match:\n      any:\n      - resources:\n          kinds: [Namespace]\n"
	        "    validate:\n      cel:\n        expressions:\n"
	        "        - expression: \"namespaceObject == null\"\n";
	CHECK_STR(run(ns, "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"n\"}}", "r",
	              NULL, false),
	          "pass");
}

static void test_params_and_authorizer(void)
{
	const char *p = HEAD "    validate:\n      cel:\n        paramKind:\n          apiVersion: v1\n"
	                     "          kind: ConfigMap\n        paramRef:\n          name: allowed\n"
	                     "          namespace: default\n        expressions:\n"
	                     "        - expression: \"object.spec.containers.all(c, c.image in "
	                     "params.data.images.split(','))\"\n";
	gr_arena a;
	gr_arena_init(&a);
	gr_value *cm = gr_arena_alloc(&a, sizeof *cm);
	gr_error err;
	const char *cmj = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"allowed\","
	                  "\"namespace\":\"default\"},\"data\":{\"images\":\"nginx,redis\"}}";
	CHECK(gr_decode_json(&a, cmj, strlen(cmj), NULL, cm, &err) == 0);
	param_cm = cm;
	CHECK_STR(run(p, POD("default", ""), "r", NULL, true), "pass");
	param_cm = NULL;
	/* no lookup: not evaluated, with the reason */
	CHECK_STR(run(p, POD("default", ""), "r", NULL, false), "not evaluated");
	CHECK(strstr(last_message, "validate.cel params") != NULL);
	/* the lookup cannot tell (a kind it does not hold): not evaluated */
	CHECK_STR(run(p, POD("default", ""), "r", NULL, true), "not evaluated");
	/* absent: a rule error, as Kyverno's CollectParams */
	param_cm = cm;
	const char *absent = HEAD "    validate:\n      cel:\n        paramKind:\n          apiVersion: v1\n"
	                          "          kind: ConfigMap\n        paramRef:\n          name: other\n"
	                          "        expressions:\n        - expression: \"params != null\"\n";
	CHECK_STR(run(absent, POD("default", ""), "r", NULL, true), "error");
	CHECK(strstr(last_message, "error in parameterized resource") != NULL);
	param_cm = NULL;
	gr_arena_free(&a);
	/* params without paramKind/paramRef are undeclared: the expression fails */
	const char *undeclared = HEAD "    validate:\n      cel:\n        expressions:\n"
	                              "        - expression: \"params == null\"\n";
	CHECK_STR(run(undeclared, POD("default", ""), "r", NULL, false), "fail");
	/* authorizer: no cluster to ask offline */
	const char *az = HEAD "    validate:\n      cel:\n        expressions:\n"
	                      "        - expression: \"authorizer.group('').resource('pods').check('get')"
	                      ".allowed()\"\n";
	CHECK_STR(run(az, POD("default", ""), "r", NULL, false), "not evaluated");
	CHECK(strstr(last_message, "authorizer") != NULL);
}

static void test_autogen_and_compile_once(void)
{
	const char *p = HEAD "    validate:\n      cel:\n        expressions:\n"
	                     "        - expression: \"object.spec.containers.all(c, c.image != 'nginx') && "
	                     "object.metadata.name != 'forbidden'\"\n";
	const char *deploy =
	        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\","
	        "\"namespace\":\"default\"},\"spec\":{\"template\":{\"metadata\":{\"name\":"
	        "\"forbidden\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"redis\"}]}}}}";
	/* object.metadata becomes the template's metadata */
	CHECK_STR(run(p, deploy, "autogen-r", NULL, false), "fail");
	const char *cron = "{\"apiVersion\":\"batch/v1\",\"kind\":\"CronJob\",\"metadata\":{\"name\":\"j\","
	                   "\"namespace\":\"default\"},\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{"
	                   "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}}}}}";
	CHECK_STR(run(p, cron, "autogen-cronjob-r", NULL, false), "fail");
	CHECK_STR(run(p, cron, "autogen-r", NULL, false), "none");
	/* compiled once, at load: a Pod rule, its controller and CronJob forms */
	gr_kyverno_set *set = gr_kyverno_set_new(NULL);
	gr_error err;
	CHECK(gr_kyverno_set_load_buffer(set, "p.yaml", p, strlen(p), NULL, &err) == 0);
	CHECK(set->ncels == 3);
	CHECK(gr_kyverno_set_not_evaluated_count(set) == 0);
	gr_kyverno_set_free(set);
}

#define VPOL(rules, body)                                                                                    \
	"apiVersion: policies.kyverno.io/v1\nkind: ValidatingPolicy\nmetadata:\n  name: vp\nspec:\n"         \
	"  validationActions: [Deny]\n  matchConstraints:\n    resourceRules:\n" rules body

#define POD_RULE                                                                                             \
	"    - {apiGroups: [''], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [pods]}\n"

static void test_validating_policy(void)
{
	const char *p =
	        VPOL(POD_RULE, "  validations:\n  - expression: \"true\"\n"
	                       "  - expression: \"object.spec.containers.all(c, c.image != 'nginx')\"\n"
	                       "    message: no nginx\n  - expression: \"false\"\n    message: later\n");
	CHECK_STR(run(p, POD("default", ""), "", NULL, false), "fail");
	CHECK_STR(last_message, "no nginx"); /* the first that denies */
	const char *ok = VPOL(POD_RULE, "  validations:\n  - expression: \"object.kind == 'Pod'\"\n");
	CHECK_STR(run(ok, POD("default", ""), "", NULL, false), "pass");
	/* an object the constraints do not match: no response */
	CHECK_STR(run(ok, "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"s\"}}", "",
	              NULL, false),
	          "none");
	/* DELETE is not among the operations */
	CHECK_STR(run(ok, POD("default", ""), "", "DELETE", false), "none");
	/* an expression that errors is an error */
	const char *err = VPOL(POD_RULE, "  validations:\n  - expression: \"object.spec.nodeName == 'x'\"\n");
	CHECK_STR(run(err, POD("default", ""), "", NULL, false), "error");
	/* a false matchCondition is a skip */
	const char *mc =
	        VPOL(POD_RULE, "  matchConditions:\n  - name: team\n    expression: \"request.namespace == "
	                       "'team'\"\n  validations:\n  - expression: \"false\"\n");
	CHECK_STR(run(mc, POD("default", ""), "", NULL, false), "skip");
	CHECK_STR(run(mc, POD("team", ""), "", NULL, false), "fail");
	/* resourceNames in excludeResourceRules */
	const char *ex =
	        VPOL(POD_RULE, "  excludeResourceRules:\n"
	                       "    - {apiGroups: [''], apiVersions: [v1], operations: [CREATE], resources: "
	                       "[pods], resourceNames: [x]}\n"
	                       "  validations:\n  - expression: \"false\"\n");
	CHECK_STR(run(ex, POD("default", ""), "", NULL, false),
	          "fail"); /* misplaced: under resourceRules' list */
	const char *ex2 =
	        "apiVersion: policies.kyverno.io/v1\nkind: ValidatingPolicy\nmetadata:\n  name: vp\nspec:\n"
	        "  matchConstraints:\n    resourceRules:\n" POD_RULE "    excludeResourceRules:\n"
	        "    - {apiGroups: [''], apiVersions: [v1], operations: [CREATE], resources: [pods], "
	        "resourceNames: [x]}\n  validations:\n  - expression: \"false\"\n";
	CHECK_STR(run(ex2, POD("default", ""), "", NULL, false), "none");
	/* autogen: a Deployment is judged on its pod template; controllers can be narrowed */
	const char *ag =
	        VPOL(POD_RULE, "  validations:\n  - expression: \"object.spec.containers.all(c, c.image != "
	                       "'busybox') && object.metadata.?labels.?app.orValue('') == 'x'\"\n");
	const char *deploy =
	        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\","
	        "\"namespace\":\"default\"},\"spec\":{\"template\":{\"metadata\":{\"labels\":{\"app\":"
	        "\"x\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"redis\"}]}}}}";
	CHECK_STR(run(ag, deploy, "", NULL, false), "pass");
	const char *narrowed =
	        "apiVersion: policies.kyverno.io/v1\nkind: ValidatingPolicy\nmetadata:\n  name: vp\n"
	        "spec:\n  autogen:\n    podControllers:\n      controllers: [CronJob]\n"
	        "  matchConstraints:\n    resourceRules:\n" POD_RULE
	        "  validations:\n  - expression: \"false\"\n";
	CHECK_STR(run(narrowed, deploy, "", NULL, false), "none");
	/* Kyverno's cluster libraries: not evaluated, with the reason */
	const char *lib = VPOL(POD_RULE, "  validations:\n  - expression: \"resource.Get('v1', 'configmaps', "
	                                 "'default', 'x').data.a == 'b'\"\n");
	CHECK_STR(run(lib, POD("default", ""), "", NULL, false), "not evaluated");
	CHECK(strstr(last_message, "Kyverno's CEL libraries") != NULL);
	/* a malformed one is a load error */
	const char *bad =
	        "apiVersion: policies.kyverno.io/v1\nkind: ValidatingPolicy\nmetadata:\n  name: vp\n"
	        "spec:\n  validations: 3\n";
	CHECK_STR(run(bad, POD("default", ""), "", NULL, false), "load error");
	CHECK(strncmp(last_message, "6:16:", 5) == 0);
}

int main(void)
{
	test_pass_fail_messages();
	test_or_value_on_a_value();
	test_errors_deny();
	test_preconditions_and_bindings();
	test_params_and_authorizer();
	test_autogen_and_compile_once();
	test_validating_policy();
	return test_report("kyverno-cel");
}
