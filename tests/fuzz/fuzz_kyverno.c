/*
 * fuzz_kyverno.c — libFuzzer harness for the Kyverno engine: the bytes are
 * loaded as policies (any malformed policy must be an error, never a
 * crash), then every document of them is evaluated as a resource against
 * those policies and against a fixed set that exercises every part of the
 * engine (anchors, operators, variables, context, preconditions, foreach,
 * deny, anyPattern, autogen, validate.cel with celPreconditions, variables,
 * messageExpression, params and audit annotations, a ValidatingPolicy with
 * its autogen forms). Params are looked up
 * among the input's own documents. Loading, matching, substitution, the
 * custom JMESPath functions and the CEL rules must never crash, hang or
 * read out of bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "guardrail/guardrail.h"
#include "guardrail/kyverno.h"

static const char fixed[] =
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: fixed}\nspec:\n"
        "  validationFailureAction: Enforce\n  rules:\n"
        "  - name: pattern\n    match: {any: [{resources: {kinds: ['*']}}]}\n"
        "    validate:\n      pattern:\n        metadata: {=(labels): {'*': '?*'}}\n"
        "        =(spec):\n          =(containers):\n          - (name): 'a*'\n            image: '!*:latest "
        "| >1'\n"
        "            X(foo): null\n            ^(ports): [{containerPort: '1-65535'}]\n"
        "            <(securityContext): {=(runAsUser): '>0 & <=10Gi'}\n"
        "  - name: deny\n    match: {any: [{resources: {kinds: ['*'], operations: [CREATE]}}]}\n"
        "    context:\n    - name: n\n      variable: {jmesPath: 'length(request.object.spec.containers || "
        "`[]`)', "
        "default: 0}\n"
        "    preconditions: {any: [{key: '{{ request.object.metadata.name || \"\" }}', operator: NotEquals, "
        "value: ''}]}\n"
        "    validate:\n      message: '{{ request.object.metadata.name }} {{ n }}'\n"
        "      deny:\n        conditions:\n          all:\n"
        "          - {key: '{{ n }}', operator: GreaterThan, value: '1h'}\n"
        "          - {key: '{{ request.object.spec.*.image }}', operator: AnyNotIn, value: ['a*', '1-5']}\n"
        "          - {key: '{{ regex_replace_all(''(a+)+'', to_string(@), ''$1'') }}', operator: AllIn, "
        "value: "
        "'[\"x\"]'}\n"
        "  - name: foreach\n    match: {any: [{resources: {kinds: [Pod]}}]}\n"
        "    validate:\n      foreach:\n      - list: request.object.spec.containers\n"
        "        foreach:\n        - list: element.ports\n          pattern: {containerPort: '<1024'}\n"
        "      - list: 'request.object.metadata.labels | items(@, ''k'', ''v'')'\n"
        "        deny: {conditions: {any: [{key: '{{ element.v }}', operator: Equals, value: '{{ element.k "
        "}}'}]}}\n"
        "  - name: anypattern\n    match: {any: [{resources: {kinds: [Pod], selector: {matchLabels: {'a*': "
        "b}}}}]}\n"
        "    validate:\n      anyPattern:\n      - spec: {hostNetwork: false}\n      - spec: {=(hostPID): "
        "'{{ request.object.spec.hostNetwork }}'}\n"
        "  - name: cel\n    match: {any: [{resources: {kinds: [Pod, ConfigMap]}}]}\n"
        "    celPreconditions: [{name: p, expression: \"request.operation != 'CONNECT'\"}]\n"
        "    validate:\n      message: cel says no\n      cel:\n"
        "        variables:\n        - {name: cs, expression: \"object.?spec.?containers.orValue([])\"}\n"
        "        - {name: n, expression: \"variables.cs.size() + (oldObject == null ? 0 : 1)\"}\n"
        "        expressions:\n"
        "        - {expression: \"variables.cs.all(c, c.image.matches('^[a-z]+:[0-9.]+$'))\", "
        "messageExpression: \"'n=' + string(variables.n) + ' ns=' + "
        "namespaceObject.?metadata.?name.orValue('')\"}\n"
        "        - {expression: \"request.userInfo.username == '' && has(object.metadata)\", reason: "
        "Forbidden}\n"
        "        auditAnnotations:\n        - {key: k, valueExpression: \"object.kind\"}\n"
        "  - name: cel-params\n    match: {any: [{resources: {kinds: ['*']}}]}\n"
        "    validate:\n      cel:\n        paramKind: {apiVersion: v1, kind: ConfigMap}\n"
        "        paramRef: {name: params, parameterNotFoundAction: Deny}\n"
        "        expressions:\n        - expression: \"object.metadata.name in "
        "params.data.?names.orValue('').split(',')\"\n"
        "---\napiVersion: policies.kyverno.io/v1\nkind: ValidatingPolicy\nmetadata: {name: vpol}\nspec:\n"
        "  validationActions: [Deny]\n  matchConstraints:\n    resourceRules:\n"
        "    - {apiGroups: [''], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [pods]}\n"
        "    excludeResourceRules:\n    - {apiGroups: ['*'], apiVersions: ['*'], operations: ['*'], "
        "resources: "
        "['*'], resourceNames: [skip]}\n"
        "    objectSelector: {matchExpressions: [{key: a, operator: NotIn, values: [b]}]}\n"
        "  matchConditions: [{name: c, expression: \"request.operation != 'DELETE'\"}]\n"
        "  variables: [{name: cs, expression: \"object.spec.containers\"}]\n"
        "  validations:\n  - {expression: \"variables.cs.all(c, c.image.contains(':'))\", messageExpression: "
        "\"object.metadata.name\"}\n"
        "  - expression: \"namespaceObject == null || namespaceObject.metadata.name != 'default'\"\n";

/* validate.cel params: the first document of that kind and name */
static gr_object *fuzz_objs;
static size_t fuzz_nobjs;

static int lookup(void *user, const char *av, const char *kind, const char *ns, const char *name,
                  const gr_value **out)
{
	(void)user;
	(void)ns;
	*out = NULL;
	for (size_t i = 0; i < fuzz_nobjs; i++) {
		const gr_object *o = &fuzz_objs[i];
		const char *oav = gr_get_str(o->root, "apiVersion");
		if (oav && !strcmp(oav, av) && !strcmp(o->kind, kind) && !strcmp(o->name, name)) {
			*out = o->root;
			return 1;
		}
	}
	return name[0] == 'x' ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static gr_kyverno_set *base;
	gr_error err;
	if (!base) {
		gr_kyverno_options opt = {.now = 1767225600, .seed = 1};
		base = gr_kyverno_set_new(&opt);
		if (!base || gr_kyverno_set_load_buffer(base, "fixed", fixed, strlen(fixed), NULL, &err) != 0)
			__builtin_trap(); /* the fixed policy must load */
	}
	gr_kyverno_options opt = {.now = 1767225600, .seed = 1};
	gr_kyverno_set *own = gr_kyverno_set_new(&opt);
	if (own)
		gr_kyverno_set_load_buffer(own, "fuzz", (const char *)data, size, NULL, &err);
	gr_arena a;
	gr_arena_init(&a);
	gr_arena_set_limit(&a, 64u << 20);
	gr_document *docs = NULL;
	size_t ndocs = 0;
	gr_decode(&a, (const char *)data, size, NULL, &docs, &ndocs, &err);
	for (size_t d = 0; d < ndocs; d++) {
		gr_object *objs;
		size_t n;
		if (gr_objects_from_document(&a, &docs[d], "fuzz", &objs, &n) != 0)
			continue;
		fuzz_objs = objs;
		fuzz_nobjs = n;
		for (size_t i = 0; i < n; i++) {
			static const char *const ops[] = {NULL, "UPDATE", "DELETE"};
			gr_kyverno_request req = {
			        .object = objs[i].root, .operation = ops[i % 3], .resource = lookup};
			gr_arena ea;
			gr_arena_init(&ea);
			gr_arena_set_limit(&ea, 64u << 20);
			gr_kyverno_evaluate(base, &req, &ea, NULL, NULL, &err);
			if (own)
				gr_kyverno_evaluate(own, &req, &ea, NULL, NULL, &err);
			gr_arena_free(&ea);
		}
	}
	gr_arena_free(&a);
	gr_kyverno_set_free(own);
	return 0;
}
