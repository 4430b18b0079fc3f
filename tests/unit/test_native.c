/*
 * test_native.c — the native engine through a checker: one object per
 * case, the (rule, path, reason) it must yield, warnings for what the
 * server only warns about, and options (kubernetes-version) checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/native/native_int.h" /* the rule table, for the docs check */
#include "guardrail/guardrail.h"
#include "guardrail/session.h"
#include "testlib.h"

static gr_checker *chk;

/* findings of one YAML object; returns the count, fills the first match */
static size_t run(const char *yaml, const char *path, const char *reason, gr_action *act, bool *found)
{
	gr_arena a;
	gr_arena_init(&a);
	gr_document *docs;
	size_t nd;
	gr_error err;
	*found = false;
	size_t n = 0;
	if (gr_decode(&a, yaml, strlen(yaml), NULL, &docs, &nd, &err) != 0 || nd != 1) {
		fprintf(stderr, "decode: %s\n", err.message);
		gr_arena_free(&a);
		return (size_t)-1;
	}
	gr_object *objs;
	size_t no;
	gr_objects_from_document(&a, &docs[0], "t.yaml", &objs, &no);
	gr_findings f;
	gr_findings_init(&f, &a);
	gr_check_ctx ctx = {.arena = &a};
	gr_object_status st;
	gr_checker_check_object(chk, &objs[0], &ctx, &f, &st, &err);
	n = f.len;
	for (size_t i = 0; i < f.len; i++)
		if (strcmp(f.items[i].path, path) == 0 &&
		    (!reason || (f.items[i].reason && strcmp(f.items[i].reason, reason) == 0))) {
			*found = true;
			if (act)
				*act = f.items[i].action;
		}
	gr_findings_free(&f);
	gr_arena_free(&a);
	return n;
}

#define POD(spec)                                                                                            \
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    "           \
	"image: nginx\n" spec

static void expect(const char *yaml, const char *path, const char *reason)
{
	bool found;
	gr_action act = GR_ACTION_AUDIT;
	run(yaml, path, reason, &act, &found);
	CHECK(found);
	CHECK(act == GR_ACTION_ENFORCE);
	if (!found)
		fprintf(stderr, "  expected %s (%s) in:\n%s\n", path, reason, yaml);
}

static void clean(const char *yaml)
{
	bool found;
	size_t n = run(yaml, "", NULL, NULL, &found);
	CHECK(n == 0);
	if (n)
		fprintf(stderr, "  expected no finding in:\n%s\n", yaml);
}

static void test_pod(void)
{
	clean(POD("  restartPolicy: Always\n"));
	expect(POD("  restartPolicy: Sometimes\n"), "spec.restartPolicy", "FieldValueNotSupported");
	expect(POD("    ports:\n    - containerPort: 70000\n"), "spec.containers[0].ports[0].containerPort",
	       "FieldValueInvalid");
	expect(POD("    ports:\n    - containerPort: 80\n      protocol: tcp\n"),
	       "spec.containers[0].ports[0].protocol", "FieldValueNotSupported");
	expect(POD("    imagePullPolicy: always\n"), "spec.containers[0].imagePullPolicy",
	       "FieldValueNotSupported");
	expect("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: C_1\n"
	       "    image: x\n",
	       "spec.containers[0].name", "FieldValueInvalid");
	expect(POD("  - name: c\n    image: y\n"), "spec.containers[1].name", "FieldValueDuplicate");
	expect(POD("    volumeMounts:\n    - name: nope\n      mountPath: /x\n"),
	       "spec.containers[0].volumeMounts[0].name", "FieldValueNotFound");
	expect(POD("    livenessProbe:\n      exec:\n        command: [a]\n      httpGet:\n        port: "
	           "80\n"),
	       "spec.containers[0].livenessProbe.httpGet", "FieldValueForbidden");
}

static void test_names_and_warnings(void)
{
	expect("apiVersion: v1\nkind: Service\nmetadata:\n  name: web.v1\nspec:\n  ports:\n  - port: 80\n",
	       "metadata.name", "FieldValueInvalid");
	clean("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web.v1\n");
	clean("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: "
	      "Custom:Admin\nrules: []\n");
	expect("apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: 80\n"
	       "    targetPort: \"8080\"\n",
	       "spec.ports[0].targetPort", "FieldValueInvalid");
	/* the server only warns: a warning, never enforce */
	bool found;
	gr_action act = GR_ACTION_ENFORCE;
	run("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  selector:\n"
	    "    matchLabels: {a: b}\n  template:\n    metadata:\n      labels: {a: b}\n    spec:\n"
	    "      terminationGracePeriodSeconds: -1\n      containers:\n      - name: c\n        image: x\n",
	    "spec.template.spec.terminationGracePeriodSeconds", NULL, &act, &found);
	CHECK(found);
	CHECK(act == GR_ACTION_WARN);
	/* StatefulSet templates are not validated by the 1.32 server */
	clean("apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: s\nspec:\n  selector:\n"
	      "    matchLabels: {a: b}\n  template:\n    metadata:\n      labels: {a: b}\n    spec:\n"
	      "      containers:\n      - name: Bad_Name\n        image: x\n");
	expect("apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  schedule: \"61 * * * "
	       "*\"\n"
	       "  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n"
	       "          containers:\n          - name: c\n            image: x\n",
	       "spec.schedule", "FieldValueInvalid");
}

#define VWC(hook)                                                                                            \
	"apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata:\n"     \
	"  name: w\nwebhooks:\n- name: a.example.com\n  admissionReviewVersions: [v1]\n"                     \
	"  sideEffects: None\n" hook

static void test_admission(void)
{
	clean(VWC("  clientConfig:\n    service: {name: s, namespace: ns, path: /validate}\n"
	          "  rules:\n  - operations: [CREATE]\n    apiGroups: ['']\n    apiVersions: [v1]\n"
	          "    resources: [pods, pods/status]\n"));
	expect(VWC("  clientConfig:\n    url: http://example.com/x\n"), "webhooks[0].clientConfig.url",
	       "FieldValueInvalid");
	expect(VWC("  clientConfig:\n    url: https://example.com/x?a=b\n"), "webhooks[0].clientConfig.url",
	       "FieldValueInvalid");
	expect(VWC("  clientConfig: {}\n"), "webhooks[0].clientConfig", "FieldValueRequired");
	expect(VWC("  timeoutSeconds: 31\n  clientConfig:\n    url: https://e.com\n"),
	       "webhooks[0].timeoutSeconds", "FieldValueInvalid");
	expect(VWC("  failurePolicy: fail\n  clientConfig:\n    url: https://e.com\n"),
	       "webhooks[0].failurePolicy", "FieldValueNotSupported");
	expect(VWC("  clientConfig:\n    service: {name: s, namespace: ns, path: validate}\n"),
	       "webhooks[0].clientConfig.service.path", "FieldValueInvalid");
	expect(VWC("  clientConfig:\n    url: https://e.com\n  rules:\n  - operations: [CREATE, '*']\n"
	           "    apiGroups: ['']\n    apiVersions: [v1]\n    resources: ['*', pods]\n"),
	       "webhooks[0].rules[0].operations", "FieldValueInvalid");
	expect(VWC("  clientConfig:\n    url: https://e.com\n  rules:\n  - operations: [create]\n"
	           "    apiGroups: ['']\n    apiVersions: [v1]\n    resources: [pods]\n"),
	       "webhooks[0].rules[0].operations[0]", "FieldValueNotSupported");
	expect(VWC("  clientConfig:\n    url: https://e.com\n- name: a.example.com\n"
	           "  admissionReviewVersions: [v1]\n  sideEffects: None\n  clientConfig:\n"
	           "    url: https://e.com\n"),
	       "webhooks[1].name", "FieldValueDuplicate");
	expect("apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\n"
	       "metadata:\n  name: m\nwebhooks:\n- name: short.com\n  admissionReviewVersions: [v2]\n"
	       "  sideEffects: Some\n  reinvocationPolicy: Sometimes\n  clientConfig:\n"
	       "    url: https://e.com\n",
	       "webhooks[0].name", "FieldValueInvalid");
	expect("apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\n"
	       "metadata:\n  name: m\nwebhooks:\n- name: a.b.com\n  admissionReviewVersions: [v2]\n"
	       "  sideEffects: Some\n  clientConfig:\n    url: https://e.com\n",
	       "webhooks[0].admissionReviewVersions", "FieldValueInvalid");
	expect("apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\n"
	       "metadata:\n  name: m\nwebhooks:\n- name: a.b.com\n  admissionReviewVersions: [v1]\n"
	       "  sideEffects: Some\n  clientConfig:\n    url: https://e.com\n",
	       "webhooks[0].sideEffects", "FieldValueNotSupported");

#define VAP(spec)                                                                                            \
	"apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n"          \
	"  name: p\nspec:\n" spec
	clean(VAP("  matchConstraints:\n    resourceRules:\n    - operations: [CREATE]\n"
	          "      apiGroups: [apps]\n      apiVersions: [v1]\n      resources: [deployments]\n"
	          "  validations:\n  - expression: object.spec.replicas <= 5\n"));
	expect(VAP("  validations:\n  - expression: 'true'\n"), "spec.matchConstraints",
	       "FieldValueRequired");
	expect(VAP("  matchConstraints: {}\n  validations:\n  - expression: 'true'\n"),
	       "spec.matchConstraints.resourceRules", "FieldValueRequired");
	expect(VAP("  matchConstraints:\n    resourceRules:\n    - operations: [CREATE]\n"
	           "      apiGroups: [apps]\n      apiVersions: [v1]\n      resources: [deployments]\n"),
	       "spec.validations", "FieldValueRequired");
	expect(VAP("  paramKind: {apiVersion: a/b/c, kind: X}\n  matchConstraints: {}\n"
	           "  validations:\n  - expression: 'true'\n    reason: Teapot\n"),
	       "spec.validations[0].reason", "FieldValueNotSupported");
	expect(VAP("  variables:\n  - name: in\n    expression: 'true'\n  matchConstraints: {}\n"
	           "  validations:\n  - expression: 'true'\n"),
	       "spec.variables[0].name", "FieldValueInvalid");
	expect("apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\n"
	       "metadata:\n  name: b\nspec:\n  policyName: p\n  validationActions: [Deny, Warn]\n",
	       "spec.validationActions", "FieldValueInvalid");
	expect("apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\n"
	       "metadata:\n  name: b\nspec:\n  policyName: p\n",
	       "spec.validationActions", "FieldValueRequired");
	expect("apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\n"
	       "metadata:\n  name: b\nspec:\n  policyName: p\n  validationActions: [Deny]\n"
	       "  paramRef: {name: x, selector: {}}\n",
	       "spec.paramRef.name", "FieldValueForbidden");
	clean("apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\n"
	      "metadata:\n  name: b\nspec:\n  policyName: p\n  validationActions: [Deny, Audit]\n"
	      "  paramRef: {name: x}\n");
}

static void test_quota_limits(void)
{
	clean("apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: q\nspec:\n  hard:\n    pods: '10'\n"
	      "    requests.cpu: 500m\n    count/deployments.apps: '3'\n  scopes: [NotTerminating]\n");
	expect("apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: q\nspec:\n  hard:\n    pods: 1500m\n",
	       "spec.hard[pods]", "FieldValueInvalid");
	expect("apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: q\nspec:\n  hard:\n    gpus: '1'\n",
	       "spec.hard[gpus]", "FieldValueInvalid");
	expect("apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: q\nspec:\n  hard:\n    cpu: '-1'\n",
	       "spec.hard[cpu]", "FieldValueInvalid");
	expect("apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: q\nspec:\n  hard:\n    cpu: '1'\n"
	       "  scopes: [BestEffort]\n",
	       "spec.scopes", "FieldValueInvalid");
	expect("apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: q\nspec:\n  hard:\n    pods: '1'\n"
	       "  scopes: [Terminating, NotTerminating]\n",
	       "spec.scopes", "FieldValueInvalid");
	expect("apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: q\nspec:\n  hard:\n    pods: '1'\n"
	       "  scopeSelector:\n    matchExpressions:\n    - scopeName: PriorityClass\n      operator: "
	       "In\n",
	       "spec.scopeSelector.matchExpressions.values", "FieldValueRequired");
	expect("apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: q\nspec:\n  hard:\n    pods: '1'\n"
	       "  scopeSelector:\n    matchExpressions:\n    - scopeName: BestEffort\n      operator: In\n"
	       "      values: [x]\n",
	       "spec.scopeSelector.matchExpressions.operator", "FieldValueInvalid");
#define LR(limits) "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: l\nspec:\n  limits:\n" limits
	clean(LR("  - type: Container\n    min: {cpu: 100m}\n    max: {cpu: '2'}\n    default: {cpu: 500m}\n"
	         "    defaultRequest: {cpu: 200m}\n    maxLimitRequestRatio: {cpu: '4'}\n"
	         "  - type: PersistentVolumeClaim\n    max: {storage: 10Gi}\n"));
	expect(LR("  - type: Container\n    min: {cpu: '2'}\n    max: {cpu: '1'}\n"),
	       "spec.limits[0].min[cpu]", "FieldValueInvalid");
	expect(LR("  - type: Container\n    default: {cpu: 100m}\n    defaultRequest: {cpu: 200m}\n"),
	       "spec.limits[0].defaultRequest[cpu]", "FieldValueInvalid");
	expect(LR("  - type: Pod\n    default: {cpu: 100m}\n"), "spec.limits[0].default",
	       "FieldValueForbidden");
	expect(LR("  - type: Container\n    max: {storage: 1Gi}\n"), "spec.limits[0].max[storage]",
	       "FieldValueInvalid");
	expect(LR("  - type: Node\n    max: {cpu: '1'}\n"), "spec.limits[0].type", "FieldValueInvalid");
	expect(LR("  - type: Container\n    max: {cpu: '1'}\n  - type: Container\n    max: {cpu: '2'}\n"),
	       "spec.limits[1].type", "FieldValueDuplicate");
	expect(LR("  - type: PersistentVolumeClaim\n    default: {storage: 1Gi}\n"), "spec.limits[0].limits",
	       "FieldValueRequired");
	expect(LR("  - type: Container\n    maxLimitRequestRatio: {cpu: 500m}\n"),
	       "spec.limits[0].maxLimitRequestRatio[cpu]", "FieldValueInvalid");
}

/* replace the checker by one at this version, stored or not */
static void use(const char *version, bool stored)
{
	gr_options *o = gr_options_new();
	gr_error err;
	gr_checker *n = NULL;
	if (gr_options_select(o, "native", &err) ||
	    gr_options_set(o, "native", "kubernetes-version", version, &err) ||
	    gr_options_set(o, "native", "stored", stored ? "true" : "false", &err) ||
	    gr_checker_new(&n, o, &err)) {
		fprintf(stderr, "checker %s: %s\n", version, err.message);
		CHECK(0);
	} else {
		gr_checker_unref(chk);
		chk = n;
	}
	gr_options_free(o);
}

#define SIDECAR(probe) POD("  initContainers:\n  - name: s\n    image: x\n    restartPolicy: Always\n" probe)

static void test_versions(void)
{
	/* sidecars: restartPolicy on init containers from 1.29; dropped before */
	const char *bad_rp = POD("  initContainers:\n  - name: s\n    image: x\n    restartPolicy: Never\n");
	const char *probe = SIDECAR("    startupProbe:\n      exec:\n        command: [a]\n");
	use("1.28", false);
	clean(bad_rp);
	expect(probe, "spec.initContainers[0].startupProbe", "FieldValueForbidden");
	use("1.29", false);
	expect(bad_rp, "spec.initContainers[0].restartPolicy", "FieldValueNotSupported");
	clean(probe);

	/* env var names: strict before 1.32, relaxed from 1.32 */
	const char *env = POD("    env:\n    - name: 1FOO\n      value: x\n");
	const char *prefix = POD("    envFrom:\n    - prefix: 'my var'\n      configMapRef: {name: c}\n");
	use("1.31", false);
	expect(env, "spec.containers[0].env[0].name", "FieldValueInvalid");
	expect(prefix, "spec.containers[0].envFrom[0].prefix", "FieldValueInvalid");
	use("1.32", false);
	clean(env);
	clean(prefix);

	/* preStop sleep: dropped before 1.30, > 0 until 1.32, 0 allowed from 1.33 */
	const char *sleep0 = POD("    lifecycle:\n      preStop:\n        sleep:\n          seconds: 0\n");
	use("1.29", false);
	expect(sleep0, "spec.containers[0].lifecycle.preStop", "FieldValueRequired");
	use("1.32", false);
	expect(sleep0, "spec.containers[0].lifecycle.preStop.sleep", "FieldValueInvalid");
	use("1.33", false);
	clean(sleep0);
	expect(POD("    lifecycle:\n      preStop:\n        sleep:\n          seconds: -1\n"),
	       "spec.containers[0].lifecycle.preStop.sleep", "FieldValueInvalid");

	/* procMount and supplementalGroupsPolicy: dropped until 1.32, validated from 1.33 */
	const char *pm = POD("    securityContext:\n      procMount: Bogus\n");
	const char *unmasked = POD("    securityContext:\n      procMount: Unmasked\n");
	const char *sgp = POD("  securityContext:\n    supplementalGroupsPolicy: Bogus\n");
	use("1.32", false);
	clean(pm);
	clean(unmasked);
	clean(sgp);
	use("1.33", false);
	expect(pm, "spec.containers[0].securityContext.procMount", "FieldValueNotSupported");
	expect(unmasked, "spec.containers[0].securityContext.procMount", "FieldValueInvalid");
	clean(POD("    securityContext:\n      procMount: Unmasked\n  hostUsers: false\n"));
	expect(sgp, "spec.securityContext.supplementalGroupsPolicy", "FieldValueNotSupported");

	/* DNS search domains: '_' allowed from 1.33 */
	const char *under = POD("  dnsConfig:\n    searches: [my_domain.example.com]\n");
	use("1.32", false);
	expect(under, "spec.dnsConfig.searches[0]", "FieldValueInvalid");
	use("1.33", false);
	clean(under);
	clean(POD("  dnsConfig:\n    searches: ['.']\n"));

	/* Job fields gated on: podReplacementPolicy and backoffLimitPerIndex (1.29),
	 * successPolicy (1.31), managedBy (1.32) */
#define JOB(spec)                                                                                            \
	"apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n" spec                                \
	"  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n"           \
	"        image: x\n"
	const char *prp = JOB("  podReplacementPolicy: Sometimes\n");
	const char *bpi = JOB("  backoffLimitPerIndex: 1\n");
	const char *mfi = JOB("  completionMode: Indexed\n  completions: 3\n  maxFailedIndexes: 1\n");
	const char *sp = JOB("  successPolicy:\n    rules:\n    - succeededCount: 1\n");
	const char *mb = JOB("  managedBy: kueue\n");
	use("1.28", false);
	clean(prp);
	clean(bpi);
	clean(mfi);
	use("1.29", false);
	expect(prp, "spec.podReplacementPolicy", "FieldValueNotSupported");
	expect(JOB("  podReplacementPolicy: TerminatingOrFailed\n  podFailurePolicy:\n    rules: []\n"),
	       "spec.podReplacementPolicy", "FieldValueNotSupported");
	expect(bpi, "spec.backoffLimitPerIndex", "FieldValueInvalid");
	expect(mfi, "spec.backoffLimitPerIndex", "FieldValueRequired");
	use("1.30", false);
	clean(sp);
	use("1.31", false);
	expect(sp, "spec.completionMode", "FieldValueInvalid");
	clean(mb);
	use("1.32", false);
	expect(mb, "spec.managedBy", "FieldValueInvalid");
	clean(JOB("  managedBy: kueue.x-k8s.io/multikueue\n"));
}

static void test_stored(void)
{
	/* a Job read from a cluster carries its generated selector */
	const char *job = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  selector:\n"
	                  "    matchLabels:\n      batch.kubernetes.io/controller-uid: 0d5d6a1e\n"
	                  "  template:\n    metadata:\n      labels:\n"
	                  "        batch.kubernetes.io/controller-uid: 0d5d6a1e\n"
	                  "        controller-uid: 0d5d6a1e\n        job-name: j\n"
	                  "    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n"
	                  "        image: x\n";
	/* ... and a Pod its ephemeral containers, added through a subresource */
	const char *pod = POD("  ephemeralContainers:\n  - name: debug\n    image: busybox\n");
	use("1.32", false);
	expect(job, "spec.selector", "FieldValueInvalid");
	expect(pod, "spec.ephemeralContainers", "FieldValueForbidden");
	use("1.32", true);
	clean(job);
	clean(pod);
	/* what holds for every stored object still holds */
	expect("apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  selector:\n"
	       "    matchLabels:\n      controller-uid: a\n  template:\n    metadata:\n      labels:\n"
	       "        controller-uid: b\n    spec:\n      restartPolicy: Never\n      containers:\n"
	       "      - name: c\n        image: x\n",
	       "spec.template.metadata.labels", "FieldValueInvalid");
	expect(POD("  ephemeralContainers:\n  - name: debug\n    image: busybox\n    ports:\n"
	           "    - containerPort: 80\n"),
	       "spec.ephemeralContainers[0].ports", "FieldValueForbidden");
	gr_options *o = gr_options_new();
	gr_error err;
	CHECK(gr_options_set(o, "native", "stored", "maybe", &err) != 0);
	gr_options_free(o);
	use("1.32", false);
}

/* every rule row has its entry in docs/rules/native.md naming the function it
 * mirrors (run from the repository root, as tests/run-all.sh does) */
static void test_docs(void)
{
	char *doc;
	size_t n;
	gr_error err;
	if (gr_read_file("docs/rules/native.md", 0, &doc, &n, &err) != 0) {
		fprintf(stderr, "docs/rules/native.md: %s\n", err.message);
		CHECK(0);
		return;
	}
	for (int i = 0; i < NV_RULE_COUNT; i++) {
		char h[200];
		snprintf(h, sizeof h, "### %s\n", nv_rules[i].id);
		const char *e = strstr(doc, h);
		CHECK(e != NULL);
		if (!e) {
			fprintf(stderr, "  no entry for %s\n", nv_rules[i].id);
			continue;
		}
		char m[600];
		snprintf(m, sizeof m, "- mirrors: `%s", nv_rules[i].upstream);
		const char *next = strstr(e + 4, "\n### ");
		const char *at = strstr(e, m);
		CHECK(at && (!next || at < next));
		if (!at || (next && at > next))
			fprintf(stderr, "  %s: entry does not name %s\n", nv_rules[i].id,
			        nv_rules[i].upstream);
	}
	free(doc);
}

static void test_former_gaps(void)
{
	/* emptyDir.sizeLimit must not be negative */
	expect(POD("  volumes:\n  - name: v\n    emptyDir:\n      sizeLimit: -1Gi\n"),
	       "spec.volumes[0].emptyDir.sizeLimit", "FieldValueForbidden");
	clean(POD("  volumes:\n  - name: v\n    emptyDir:\n      sizeLimit: 1Gi\n"));
	/* Linux-only fields on a Windows pod, Windows options on a Linux pod */
	expect(POD("    securityContext:\n      runAsUser: 1000\n  os:\n    name: windows\n"),
	       "spec.containers[0].securityContext.runAsUser", "FieldValueForbidden");
	expect(POD("  os:\n    name: linux\n  securityContext:\n    windowsOptions:\n      runAsUserName: "
	           "x\n"),
	       "spec.securityContext.windowsOptions", "FieldValueForbidden");
	clean(POD("    securityContext:\n      runAsNonRoot: true\n  os:\n    name: windows\n"));
	/* HPA metric targets */
#define HPA(metric)                                                                                          \
	"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: h\nspec:\n"           \
	"  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: d}\n  maxReplicas: 3\n"             \
	"  metrics:\n" metric
	expect(HPA("  - type: Resource\n    resource:\n      name: cpu\n"),
	       "spec.metrics[0].resource.target.type", "FieldValueRequired");
	expect(HPA("  - type: Resource\n    resource:\n      name: cpu\n      target: {type: Utilization}\n"),
	       "spec.metrics[0].resource.target.averageUtilization", "FieldValueRequired");
	expect(HPA("  - type: Pods\n    pods:\n      metric: {name: m}\n      target: {type: AverageValue, "
	           "averageValue: '0'}\n"),
	       "spec.metrics[0].pods.target.averageValue", "FieldValueInvalid");
	/* the server does not cross-check the target type with the value given */
	clean(HPA("  - type: Resource\n    resource:\n      name: cpu\n      target: {type: Utilization, "
	          "averageValue: 500m}\n"));
	/* a docker config secret's payload is JSON */
	expect("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ntype: kubernetes.io/dockerconfigjson\n"
	       "stringData:\n  .dockerconfigjson: '{not json'\n",
	       "data[.dockerconfigjson]", "FieldValueInvalid");
	expect("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ntype: kubernetes.io/dockerconfigjson\n"
	       "data:\n  .dockerconfigjson: e25vdCBqc29u\n",
	       "data[.dockerconfigjson]", "FieldValueInvalid");
	clean("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ntype: kubernetes.io/dockerconfigjson\n"
	      "data:\n  .dockerconfigjson: eyJhdXRocyI6IHt9fQ==\n");
}

static void test_options(void)
{
	gr_options *o = gr_options_new();
	gr_error err;
	CHECK(gr_options_set(o, "native", "kubernetes-version", "1.31", &err) == 0);
	CHECK(gr_options_set(o, "native", "kubernetes-version", "v1.33", &err) == 0);
	CHECK(gr_options_set(o, "native", "kubernetes-version", "2.0", &err) != 0);
	CHECK(gr_options_set(o, "native", "kubernetes-version", "one", &err) != 0);
	CHECK(gr_options_set(o, "native", "bogus", "x", &err) != 0);
	gr_options_free(o);
}

int main(void)
{
	gr_options *o = gr_options_new();
	gr_error err;
	if (gr_options_select(o, "native", &err) || gr_checker_new(&chk, o, &err)) {
		fprintf(stderr, "checker: %s\n", err.message);
		return 1;
	}
	test_pod();
	test_names_and_warnings();
	test_admission();
	test_quota_limits();
	test_versions();
	test_stored();
	test_former_gaps();
	test_docs();
	test_options();
	gr_checker_unref(chk);
	gr_options_free(o);
	return test_report("native");
}
