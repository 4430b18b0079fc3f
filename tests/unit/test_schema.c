/* test_schema.c — the schema engine: loader, compiler, validator, CRDs, metadata rules. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../lib/schema/schema_int.h"
#include "guardrail/guardrail.h"
#include "guardrail/schema.h"
#include "testlib.h"

#define SCHEMAS "../shared/k8s-openapi"

static gr_arena arena;
static gr_findings found;
static gr_check_ctx ctx;

/* Validate every object of yaml; findings in `found`. */
static void run(gr_schema_registry *r, const char *yaml, bool strict, bool ignore_missing)
{
	gr_findings_free(&found);
	gr_findings_init(&found, &arena);
	memset(&ctx, 0, sizeof ctx);
	ctx.arena = &arena;
	gr_document *docs;
	size_t nd;
	gr_error err;
	if (gr_decode(&arena, yaml, strlen(yaml), NULL, &docs, &nd, &err) != 0) {
		test_failed++;
		fprintf(stderr, "decode failed: %s\n", err.message);
		return;
	}
	gr_schema_check_options opt = {.strict = strict, .ignore_missing_schemas = ignore_missing};
	for (size_t d = 0; d < nd; d++) {
		gr_object *objs;
		size_t no;
		gr_objects_from_document(&arena, &docs[d], "test.yaml", &objs, &no);
		for (size_t o = 0; o < no; o++)
			gr_schema_check(r, &objs[o], &opt, &ctx, &found);
	}
}

static void dump(void)
{
	for (size_t i = 0; i < found.len; i++)
		fprintf(stderr, "    %s %s %s:%u:%u %s\n", found.items[i].rule,
		        gr_action_name(found.items[i].action), found.items[i].path, found.items[i].line,
		        found.items[i].column, found.items[i].message);
}

static const gr_finding *find(const char *rule, const char *path)
{
	for (size_t i = 0; i < found.len; i++)
		if (strcmp(found.items[i].rule, rule) == 0 && strcmp(found.items[i].path, path) == 0)
			return &found.items[i];
	return NULL;
}

#define EXPECT(rule, path)                                                                                   \
	do {                                                                                                 \
		if (find(rule, path)) {                                                                      \
			test_passed++;                                                                       \
		} else {                                                                                     \
			test_failed++;                                                                       \
			fprintf(stderr, "%s:%d: no %s at %s; got:\n", __FILE__, __LINE__, rule, path);       \
			dump();                                                                              \
		}                                                                                            \
	} while (0)

#define EXPECT_COUNT(n)                                                                                      \
	do {                                                                                                 \
		if (found.len == (n)) {                                                                      \
			test_passed++;                                                                       \
		} else {                                                                                     \
			test_failed++;                                                                       \
			fprintf(stderr, "%s:%d: expected %d findings, got:\n", __FILE__, __LINE__,           \
			        (int)(n));                                                                   \
			dump();                                                                              \
		}                                                                                            \
	} while (0)

#define EXPECT_NONE()                                                                                        \
	do {                                                                                                 \
		if (found.len == 0) {                                                                        \
			test_passed++;                                                                       \
		} else {                                                                                     \
			test_failed++;                                                                       \
			fprintf(stderr, "%s:%d: expected no finding, got:\n", __FILE__, __LINE__);           \
			dump();                                                                              \
		}                                                                                            \
	} while (0)

static const char pod_ok[] = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {app: web}\nspec:\n"
                             "  containers:\n  - name: c\n    image: nginx\n";

static void test_builtin(gr_schema_registry *r)
{
	run(r, pod_ok, true, false);
	EXPECT_NONE();

	/* type: spec.replicas a string */
	run(r,
	    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: \"3\"\n"
	    "  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n"
	    "    spec: {containers: [{name: c, image: i}]}\n",
	    true, false);
	EXPECT("schema.type", "spec.replicas");
	const gr_finding *f = find("schema.type", "spec.replicas");
	if (f) {
		CHECK_STR(f->message, "spec.replicas: expected integer, got string \"3\"");
		CHECK_STR(f->reason, "FieldValueTypeInvalid");
		CHECK(f->line == 5 && f->column == 13);
		CHECK(f->action == GR_ACTION_ENFORCE && f->severity == GR_SEV_ERROR);
		CHECK_STR(f->doc, "docs/rules/schema.md#schematype");
	}

	/* required: a Deployment without selector, and a container without name:
	 * the schema's zero default for Container.name ("") does not satisfy
	 * required, as the API server rejects an empty name */
	run(r,
	    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n"
	    "    spec: {containers: [{image: i}]}\n",
	    true, false);
	EXPECT("schema.required", "spec.selector");
	EXPECT("schema.required", "spec.template.spec.containers[0].name");
	EXPECT_COUNT(2);
	f = find("schema.required", "spec.selector");
	if (f) {
		CHECK(f->line == 5 && f->column == 3); /* the parent object */
		CHECK_STR(f->reason, "FieldValueRequired");
	}

	/* a Pod without spec: spec defaults to {} and then lacks containers */
	run(r, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n", true, false);
	EXPECT("schema.required", "spec.containers");

	/* enum: 1.30's built-in documents carry none; see the patched and CRD cases */

	/* unknown field: strict error, non-strict warning; position is the key */
	const char *unk =
	        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: i}]\n"
	        "  restartPolicyy: Always\n";
	run(r, unk, true, false);
	EXPECT("schema.unknown-field", "spec.restartPolicyy");
	f = find("schema.unknown-field", "spec.restartPolicyy");
	if (f)
		CHECK(f->severity == GR_SEV_ERROR && f->action == GR_ACTION_ENFORCE && f->line == 6 &&
		      f->column == 3);
	run(r, unk, false, false);
	f = find("schema.unknown-field", "spec.restartPolicyy");
	CHECK(f && f->severity == GR_SEV_WARNING && f->action == GR_ACTION_WARN);

	/* list-map duplicates: the later index, with defaults (protocol TCP) applied */
	run(r,
	    "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: "
	    "i\n"
	    "    ports:\n    - containerPort: 80\n    - containerPort: 80\n      protocol: TCP\n"
	    "    - containerPort: 80\n      protocol: UDP\n",
	    true, false);
	EXPECT("schema.duplicate", "spec.containers[0].ports[1]");
	EXPECT_COUNT(1);
	/* duplicate container names (list-map key name) */
	run(r,
	    "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: i}\n"
	    "  - {name: c, image: j}\n",
	    true, false);
	EXPECT("schema.duplicate", "spec.containers[1]");
	/* list-set duplicates: finalizers is a set in 1.30? use a known set: topologySpreadConstraints
	 * matchLabelKeys is listType=atomic; Pod securityContext.supplementalGroups atomic. The
	 * set case is covered with a CRD below. */

	/* nulls: a non-nullable property set to null is pruned (no finding) */
	run(r,
	    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  creationTimestamp: null\ndata: null\n",
	    true, false);
	EXPECT_NONE();
	/* a null array item is a type error */
	run(r, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  finalizers: [null]\n", true, false);
	EXPECT("schema.type", "metadata.finalizers[0]");

	/* formats: int32 range, byte, date-time, quantity, int-or-string */
	run(r,
	    "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: "
	    "i\n"
	    "    ports: [{containerPort: 4294967296}]\n    resources:\n      limits: {cpu: 1x, memory: 1Gi}\n"
	    "      requests: {cpu: 0.5, memory: \"1e3\"}\n",
	    true, false);
	EXPECT("schema.format", "spec.containers[0].ports[0].containerPort");
	EXPECT("schema.format", "spec.containers[0].resources.limits.cpu");
	EXPECT_COUNT(2);
	run(r, "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  a: aGVsbG8=\n  b: not base64!\n",
	    true, false);
	EXPECT("schema.format", "data.b");
	EXPECT_COUNT(1);
	run(r,
	    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: "
	    "{a: b}}\n"
	    "  strategy:\n    rollingUpdate: {maxSurge: 25%, maxUnavailable: 1}\n  template:\n"
	    "    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: i}]}\n",
	    true, false);
	EXPECT_NONE();
	run(r,
	    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: "
	    "{a: b}}\n"
	    "  strategy:\n    rollingUpdate: {maxSurge: true}\n  template:\n"
	    "    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: i}]}\n",
	    true, false);
	EXPECT("schema.type", "spec.strategy.rollingUpdate.maxSurge");
	run(r,
	    "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nstatus:\n  startTime: "
	    "2024-13-01T00:00:00Z\n"
	    "  completionTime: \"2024-01-31T12:00:00.5+01:00\"\nspec:\n  template:\n"
	    "    spec: {restartPolicy: Never, containers: [{name: c, image: i}]}\n",
	    true, false);
	EXPECT("schema.format", "status.startTime");
	EXPECT_COUNT(1);
	/* int64: an integer written beyond 2^63 decodes as a double */
	run(r,
	    "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  activeDeadlineSeconds: 1e19\n"
	    "  ttlSecondsAfterFinished: 4\n  template:\n    spec: {restartPolicy: Never, containers: [{name: "
	    "c, image: i}]}\n",
	    true, false);
	EXPECT("schema.format", "spec.activeDeadlineSeconds");
	EXPECT_COUNT(1);

	/* metadata rules */
	run(r, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n", true, false);
	EXPECT("schema.metadata", "metadata.name");
	run(r, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: web-\n", true, false);
	EXPECT_NONE();
	run(r, "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", true, false);
	EXPECT("schema.metadata", "metadata.name");
	CHECK(find("schema.metadata", "metadata.name") &&
	      strcmp(find("schema.metadata", "metadata.name")->reason, "FieldValueRequired") == 0);
	run(r, "apiVersion: v1\nkind: Namespace\nmetadata: {name: a.b}\n", true, false);
	EXPECT("schema.metadata", "metadata.name"); /* namespaces are DNS labels */
	run(r, "apiVersion: v1\nkind: Service\nmetadata: {name: 1web}\nspec: {ports: [{port: 80}]}\n", true,
	    false);
	EXPECT("schema.metadata", "metadata.name"); /* services are DNS-1035 labels */
	run(r,
	    "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: "
	    "\"system:controller:x\"}\n",
	    true, false);
	EXPECT_NONE(); /* RBAC names are path segments */
	run(r,
	    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: Bad_NS\n  labels:\n"
	    "    \"-bad\": ok\n    good: \"bad value!\"\n    example.com/ok: v\n  annotations:\n"
	    "    \"a/b/c\": x\n    Example.COM/Fine: ok\n",
	    true, false);
	EXPECT("schema.metadata", "metadata.namespace");
	EXPECT("schema.metadata", "metadata.labels");
	EXPECT("schema.metadata", "metadata.annotations");
	EXPECT_COUNT(4);
	/* annotation total size: 256 KiB */
	{
		size_t big = 256 * 1024 + 10;
		char *y = malloc(big + 200);
		int n = sprintf(
		        y,
		        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations:\n    a: \"");
		memset(y + n, 'x', big);
		strcpy(y + n + big, "\"\n");
		run(r, y, true, false);
		EXPECT("schema.metadata", "metadata.annotations");
		free(y);
	}

	/* missing schema: error, or skipped */
	run(r, "apiVersion: v1\nkind: configmap\nmetadata: {name: x}\n", true, false);
	EXPECT("schema.missing", "");
	f = find("schema.missing", "");
	CHECK(f && strstr(f->message, "did you mean kind ConfigMap?"));
	run(r, "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata: {name: x}\n", true,
	    false);
	f = find("schema.missing", "");
	CHECK(f && strstr(f->message, "served as ") && strstr(f->message, "autoscaling/v2") &&
	      strstr(f->message, "autoscaling/v1"));
	run(r, "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: x}\n", true, true);
	CHECK(found.len == 0 && ctx.skipped);
	/* not an object / no apiVersion / kind */
	run(r, "- a\n- b\n", true, false);
	EXPECT("schema.object", "");
	run(r, "kind: Pod\nmetadata: {name: x}\n", true, false);
	EXPECT("schema.object", "apiVersion");
}

static const char crd[] =
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        "metadata: {name: widgets.example.com}\n"
        "spec:\n  group: example.com\n  scope: Namespaced\n  names: {kind: Widget, plural: widgets}\n"
        "  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      "
        "openAPIV3Schema:\n"
        "        type: object\n"
        "        x-kubernetes-validations: [{rule: \"self.spec.size > 0\"}]\n"
        "        properties:\n"
        "          spec:\n            type: object\n            required: [size]\n            properties:\n"
        "              size: {type: integer, minimum: 1, maximum: 10}\n"
        "              name: {type: string, maxLength: 5, nullable: true}\n"
        "              mode: {type: string, enum: [a, b]}\n"
        "              tags:\n                type: array\n                x-kubernetes-list-type: set\n"
        "                items: {type: string}\n"
        "              extra:\n                type: object\n                "
        "x-kubernetes-preserve-unknown-fields: true\n"
        "              port: {x-kubernetes-int-or-string: true}\n"
        "              template:\n                type: object\n                "
        "x-kubernetes-embedded-resource: true\n"
        "                x-kubernetes-preserve-unknown-fields: true\n"
        "              strict: {type: object, properties: {a: {type: string}}}\n"
        "  - name: v0\n    served: false\n    storage: false\n    schema:\n      openAPIV3Schema: {type: "
        "object}\n";

static void test_crd(gr_schema_registry *r)
{
	gr_document *docs;
	size_t nd;
	gr_error err;
	CHECK(gr_decode(&arena, crd, strlen(crd), NULL, &docs, &nd, &err) == 0);
	CHECK(gr_schema_add_crd(r, &docs[0].root, &err) == 1); /* v0 is not served */
	CHECK(gr_schema_has_kind(r, "example.com", "v1", "Widget"));
	CHECK(!gr_schema_has_kind(r, "example.com", "v0", "Widget"));
	/* a CRD for a built-in group-version is not registered: built-ins win */
	const char *takeover =
	        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
	        "metadata: {name: x}\nspec:\n  group: apps\n  names: {kind: Deployment}\n"
	        "  versions: [{name: v1, served: true, schema: {openAPIV3Schema: {type: object}}}]\n";
	CHECK(gr_decode(&arena, takeover, strlen(takeover), NULL, &docs, &nd, &err) == 0);
	CHECK(gr_schema_add_crd(r, &docs[0].root, &err) == 0);
	/* not a CRD */
	CHECK(gr_schema_add_crd(r, &docs[0].root.u.o.members[0].value, &err) == 0);

	const char *head =
	        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  labels: {a: b}\n";
	char y[2048];
	snprintf(y, sizeof y,
	         "%sspec:\n  size: 3\n  name: null\n  mode: a\n  tags: [x, z]\n  extra: {anything: [1, 2]}\n"
	         "  port: http\n  template:\n    apiVersion: v1\n    kind: Pod\n    metadata: {name: p}\n    "
	         "foo: 1\n",
	         head);
	run(r, y, true, false);
	EXPECT_NONE();
	CHECK(ctx.not_evaluated == 0); /* the root's CEL rule runs (lib/cel) and holds */

	snprintf(y, sizeof y,
	         "%sspec:\n  size: 11\n  name: toolong\n  mode: c\n  tags: [x, x]\n  port: 1.5\n"
	         "  template: {metadata: {name: p}}\n  strict: {a: x, b: y}\n",
	         head);
	run(r, y, true, false);
	EXPECT("schema.value", "spec.size");
	EXPECT("schema.value", "spec.name");
	EXPECT("schema.enum", "spec.mode");
	EXPECT("schema.duplicate", "spec.tags[1]");
	EXPECT("schema.type", "spec.port");
	EXPECT("schema.required", "spec.template.apiVersion");
	EXPECT("schema.required", "spec.template.kind");
	EXPECT("schema.unknown-field", "spec.strict.b");
	EXPECT_COUNT(8);

	snprintf(y, sizeof y, "%sspec: {}\nstatus: {}\n", head);
	run(r, y, true, false);
	EXPECT("schema.required", "spec.size");
	EXPECT("schema.unknown-field", "status");
	/* custom resource metadata: name rules and label types */
	run(r,
	    "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: W!\n  labels: {a: 1}\nspec: {size: "
	    "1}\n",
	    true, false);
	EXPECT("schema.metadata", "metadata.name");
	EXPECT("schema.type", "metadata.labels.a");

	/* the CRD object itself: a typo in a type */
	run(r,
	    "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: "
	    "a.b.c}\nspec:\n"
	    "  group: b.c\n  scope: Namespaced\n  names: {kind: A, plural: a}\n  versions:\n"
	    "  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n"
	    "        type: object\n        properties:\n          spec:\n            type: object\n"
	    "            properties: {m: {type: strign}}\n",
	    true, false);
	EXPECT("schema.crd", "spec.validation.openAPIV3Schema.properties[spec].properties[m].type");
}

/* Add the one CRD of text to r (its version becomes servable). */
static void add_crd(gr_schema_registry *r, const char *text)
{
	gr_document *docs;
	size_t nd;
	gr_error err;
	CHECK(gr_decode(&arena, text, strlen(text), NULL, &docs, &nd, &err) == 0);
	CHECK(gr_schema_add_crd(r, &docs[0].root, &err) == 1);
}

/* pattern: Go's regexp syntax (lib/regex), including what POSIX lacks */
static const char pattern_crd[] =
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: "
        "ps.example.com}\n"
        "spec:\n  group: example.com\n  scope: Cluster\n  names: {kind: P, plural: ps}\n"
        "  versions:\n  - name: v1\n    served: true\n    schema:\n      openAPIV3Schema:\n        type: "
        "object\n"
        "        properties:\n"
        "          host: {type: string, pattern: "
        "'^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'}\n"
        "          tok: {type: string, pattern: '^[A-Za-z0-9!#$%&*+\\-.^_\\x60|~]+$'}\n"
        "          dur: {type: string, pattern: '^([0-9]{1,5}(h|m|s|ms)){1,4}$'}\n"
        "          ci: {type: string, pattern: '^(?i)(abort|warn)?$'}\n"
        "          w: {type: string, pattern: '^[\\w\\s:/.\\\\-]+$'}\n"
        "          nc: {type: string, pattern: '^(?:[-A-Za-z0-9/._~!$&()*+,;=:@]|[%][0-9a-fA-F]{2})+$'}\n"
        "          d: {type: string, pattern: '^\\d+$'}\n"
        "          g: {type: string, pattern: '^(?P<word>\\p{Greek}+)\\b(?i:x)$'}\n"
        "          bad: {type: string, pattern: '('}\n"
        "          big: {type: string, pattern: '^([a-z]{1,1000}){1,1000}$'}\n";

static void test_pattern(gr_schema_registry *r)
{
	add_crd(r, pattern_crd);
	run(r,
	    "apiVersion: example.com/v1\nkind: P\nmetadata: {name: p}\nhost: '*.example.com'\ntok: "
	    "\"a-b.c^_`|~\"\n"
	    "dur: 1h30m\nci: WARN\nw: 'C:\\\\x y/z.-'\nnc: a%2Fb\nd: '42'\ng: αβX\n",
	    true, false);
	EXPECT_NONE();
	/* a pattern Go rejects is never a silent pass: each value it would
	 * check is reported (schema.crd), since the API server refuses the CRD */
	run(r, "apiVersion: example.com/v1\nkind: P\nmetadata: {name: p}\nbad: x\nbig: abc\n", true, false);
	EXPECT("schema.crd", "bad");
	EXPECT("schema.crd", "big");
	EXPECT_COUNT(2);
	run(r, "apiVersion: example.com/v1\nkind: P\nmetadata: {name: p}\ng: abc\n", true, false);
	EXPECT("schema.value", "g");
	EXPECT_COUNT(1);
	run(r,
	    "apiVersion: example.com/v1\nkind: P\nmetadata: {name: p}\nhost: Example.com\ntok: a b\ndur: 1x\n"
	    "ci: stop\nw: a;b\nnc: a%zz\nd: 4a\n",
	    true, false);
	EXPECT("schema.value", "host");
	EXPECT("schema.value", "tok");
	EXPECT("schema.value", "dur");
	EXPECT("schema.value", "ci");
	EXPECT("schema.value", "w");
	EXPECT("schema.value", "nc");
	EXPECT("schema.value", "d");
	EXPECT_COUNT(7);
}

/* allOf/anyOf/oneOf/not as value validations */
static const char comb_crd[] =
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: "
        "cs.example.com}\n"
        "spec:\n  group: example.com\n  scope: Cluster\n  names: {kind: C, plural: cs}\n"
        "  versions:\n  - name: v1\n    served: true\n    schema:\n      openAPIV3Schema:\n        type: "
        "object\n"
        "        properties:\n"
        "          one:\n            type: object\n            properties: {a: {type: string}, b: {type: "
        "string}}\n"
        "            oneOf: [{required: [a]}, {required: [b]}]\n"
        "          any:\n            type: string\n            anyOf: [{enum: [x]}, {pattern: '^y'}]\n"
        "          all:\n            type: integer\n            allOf: [{minimum: 1}, {maximum: 5}]\n"
        "          nt:\n            type: string\n            not: {enum: [forbidden]}\n"
        "          ios: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}\n"
        "          addr:\n            type: object\n"
        "            properties: {type: {type: string, default: IP}, value: {type: string}}\n"
        "            oneOf:\n            - properties: {type: {enum: [IP]}, value: {anyOf: [{format: ipv4}, "
        "{format: ipv6}]}}\n"
        "            - properties: {type: {not: {enum: [IP]}}}\n"
        "          best:\n            type: object\n"
        "            properties: {p: {type: string}, q: {type: string}}\n"
        "            oneOf:\n            - properties: {p: {minLength: 10}}\n"
        "            - properties: {p: {maxLength: 2}, q: {minLength: 1}}\n"
        "          dup:\n            type: object\n"
        "            properties: {a: {type: string, maxLength: 3}, b: {type: string}}\n"
        "            oneOf: [{properties: {a: {maxLength: 3}}, required: [b]}, {required: [a, b]}]\n"
        "          either:\n            type: string\n"
        "            anyOf: [{minLength: 10}, {maxLength: 2}]\n";

static void test_combinators(gr_schema_registry *r)
{
	add_crd(r, comb_crd);
	run(r,
	    "apiVersion: example.com/v1\nkind: C\nmetadata: {name: c}\none: {a: x}\nany: yes-please\nall: 3\n"
	    "nt: fine\nios: 3\naddr: {value: 1.2.3.4}\n",
	    true, false);
	EXPECT_NONE(); /* addr.type defaults to IP before oneOf is judged: one branch only */
	run(r,
	    "apiVersion: example.com/v1\nkind: C\nmetadata: {name: c}\none: {a: x, b: z}\nany: z\nall: 9\n"
	    "nt: forbidden\nios: str\n",
	    true, false);
	EXPECT("schema.value", "one");
	EXPECT("schema.value", "any");
	EXPECT("schema.enum", "any"); /* the closest alternative (a tie: the first) */
	EXPECT("schema.value", "all");
	EXPECT("schema.value", "nt");
	EXPECT_COUNT(5);
	/* type defaults to IP, so value must be an address: as the API server,
	 * the closest alternative's errors are reported beside the oneOf's
	 * (the first alternative applies more validators than the second),
	 * and the anyOf's inside it the same way (a tie: the first) */
	run(r, "apiVersion: example.com/v1\nkind: C\nmetadata: {name: c}\naddr: {value: not-an-ip}\n", true,
	    false);
	EXPECT("schema.value", "addr");
	EXPECT("schema.value", "addr.value");
	EXPECT("schema.format", "addr.value");
	EXPECT_COUNT(3);
	CHECK(found.len == 3 &&
	      strstr(found.items[0].message, "none of 2 matches, the closest is alternative 1"));
	CHECK(found.len == 3 && strcmp(found.items[2].reason, "FieldValueTypeInvalid") == 0 &&
	      strstr(found.items[2].message, "(format ipv4)"));
	/* the closest is the alternative with the highest MatchCount, not the
	 * first: the second weighs p and q, the first p alone */
	run(r, "apiVersion: example.com/v1\nkind: C\nmetadata: {name: c}\nbest: {p: abcd, q: x}\n", true,
	    false);
	EXPECT("schema.value", "best");
	EXPECT("schema.value", "best.p");
	EXPECT_COUNT(2);
	CHECK(found.len == 2 && strstr(found.items[0].message, "the closest is alternative 2"));
	CHECK(found.len == 2 && strstr(found.items[1].message, "at most 2 characters"));
	/* what the schema reported itself is not reported again for the
	 * closest alternative (the API server drops repeated messages) */
	run(r, "apiVersion: example.com/v1\nkind: C\nmetadata: {name: c}\ndup: {a: abcdef}\n", true, false);
	EXPECT("schema.value", "dup");
	EXPECT("schema.required", "dup.b");
	EXPECT("schema.value", "dup.a");
	EXPECT_COUNT(3);
	/* a tie: the first alternative's error */
	run(r, "apiVersion: example.com/v1\nkind: C\nmetadata: {name: c}\neither: abcd\n", true, false);
	EXPECT_COUNT(2);
	CHECK(found.len == 2 && strstr(found.items[0].message, "(anyOf); none of 2 matches, the closest is "
	                                                       "alternative 1"));
	CHECK(found.len == 2 && strstr(found.items[1].message, "at least 10 characters"));
	run(r, "apiVersion: example.com/v1\nkind: C\nmetadata: {name: c}\naddr: {type: Host, value: a.b}\n",
	    true, false);
	EXPECT_NONE();
	run(r, "apiVersion: example.com/v1\nkind: C\nmetadata: {name: c}\none: {}\n", true, false);
	EXPECT("schema.value", "one");
	EXPECT("schema.required", "one.a"); /* the closest (a tie): the first */
	EXPECT_COUNT(2);
}

static void test_patches(void)
{
	gr_schema_registry *plain, *patched;
	gr_error err;
	CHECK(gr_schema_registry_open(&plain, SCHEMAS, "1.30", NULL, &err) == 0);
	CHECK(gr_schema_registry_open(&patched, SCHEMAS, "1.30", SCHEMAS "/patches/1.23", &err) == 0);
	const char *pod =
	        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n"
	        "    ports: [{containerPort: 80, protocol: udp}]\n";
	run(plain, pod, true, false);
	EXPECT_NONE();
	run(patched, pod, true, false);
	EXPECT("schema.required", "spec.containers[0].image");
	EXPECT("schema.enum", "spec.containers[0].ports[0].protocol");
	gr_schema_registry_free(plain);
	gr_schema_registry_free(patched);

	/* merge patch semantics (RFC 7386) */
	gr_value t, p;
	const char *tj = "{\"a\":\"b\",\"c\":{\"d\":\"e\",\"f\":\"g\"}}";
	const char *pj = "{\"a\":\"z\",\"c\":{\"f\":null},\"n\":[1]}";
	CHECK(gr_decode_json(&arena, tj, strlen(tj), NULL, &t, &err) == 0);
	CHECK(gr_decode_json(&arena, pj, strlen(pj), NULL, &p, &err) == 0);
	gr_value m = gr_json_merge_patch(&arena, &t, &p);
	gr_buf b;
	gr_buf_init(&b);
	gr_write_json(&b, &m, -1);
	CHECK_STR(b.data, "{\"a\":\"z\",\"c\":{\"d\":\"e\"},\"n\":[1]}");
	gr_buf_free(&b);
}

static void test_registry(void)
{
	gr_schema_registry *r;
	gr_error err;
	CHECK(gr_schema_registry_open(&r, SCHEMAS, NULL, NULL, &err) == 0);
	if (r) {
		CHECK_STR(gr_schema_registry_version(r), "1.35"); /* newest present */
		gr_schema_registry_free(r);
	}
	CHECK(gr_schema_registry_open(&r, SCHEMAS, "1.12", NULL, &err) == -1);
	CHECK(strstr(err.message, "1.27") && strstr(err.message, "1.35"));
	CHECK(gr_schema_registry_open(&r, "/nonexistent", NULL, NULL, &err) == -1);
	/* the library never picks a directory itself */
	CHECK(gr_schema_registry_open(&r, NULL, NULL, NULL, &err) == -1 && strstr(err.message, "schema-dir"));
	/* a directory of our own: version 9.9 with one document, and a patch */
	char tmpl[] = "/tmp/gr-schema-XXXXXX";
	char *base = mkdtemp(tmpl);
	CHECK(base != NULL);
	if (!base)
		return;
	char p[512];
	snprintf(p, sizeof p, "%s/9.9", base);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/9.9/api", base);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/9.9/api/v1.json", base);
	FILE *f = fopen(p, "w");
	fputs("{\"paths\":{},\"components\":{\"schemas\":{"
	      "\"T\":{\"type\":\"object\",\"x-kubernetes-group-version-kind\":[{\"group\":\"\",\"version\":"
	      "\"v1\","
	      "\"kind\":\"Thing\"}],\"properties\":{\"apiVersion\":{\"type\":\"string\"},\"kind\":{\"type\":"
	      "\"string\"},"
	      "\"metadata\":{\"type\":\"object\"},"
	      "\"self\":{\"allOf\":[{\"$ref\":\"#/components/schemas/T\"}],\"nullable\":true},"
	      "\"nul\":{\"type\":\"string\",\"nullable\":true},\"s\":{\"type\":\"string\"},"
	      "\"raw\":{\"type\":\"object\"},"
	      "\"set\":{\"type\":\"array\",\"x-kubernetes-list-type\":\"set\",\"items\":{\"type\":"
	      "\"integer\"}}}}}}}",
	      f);
	fclose(f);
	CHECK(gr_schema_registry_open(&r, base, NULL, NULL, &err) == 0);
	if (r) {
		CHECK_STR(gr_schema_registry_version(r), "9.9");
		run(r,
		    "apiVersion: v1\nkind: Thing\nmetadata: {name: t}\nnul: null\nself: {self: {s: 1, set: "
		    "[1, 2, 1]}}\n"
		    "raw: {any: thing}\ns: null\n",
		    true, false);
		EXPECT("schema.type", "self.self.s");
		EXPECT("schema.duplicate", "self.self.set[2]");
		EXPECT_COUNT(2);
		gr_schema_registry_free(r);
	}
	snprintf(p, sizeof p, "rm -rf '%s'", base);
	CHECK(system(p) == 0);
}

/* Threads share one registry: lazy loads of group-versions race. */
typedef struct thread_arg {
	gr_schema_registry *reg;
	const char *yaml;
	size_t findings;
} thread_arg;

static void *thread_main(void *p)
{
	thread_arg *t = p;
	gr_arena a;
	gr_arena_init(&a);
	gr_document *docs;
	size_t nd;
	gr_error err;
	t->findings = (size_t)-1;
	if (gr_decode(&a, t->yaml, strlen(t->yaml), NULL, &docs, &nd, &err) == 0 && nd == 1) {
		gr_object *objs;
		size_t no;
		gr_objects_from_document(&a, &docs[0], "t.yaml", &objs, &no);
		gr_findings f;
		gr_findings_init(&f, &a);
		gr_schema_check_options opt = {.strict = true};
		for (int i = 0; i < 50; i++) {
			gr_check_ctx c = {.arena = &a};
			gr_schema_check(t->reg, &objs[0], &opt, &c, &f);
		}
		t->findings = f.len;
		gr_findings_free(&f);
	}
	gr_arena_free(&a);
	return NULL;
}

static void test_threads(void)
{
	gr_schema_registry *r;
	gr_error err;
	if (gr_schema_registry_open(&r, SCHEMAS, "1.31", NULL, &err) != 0) {
		test_failed++;
		return;
	}
	static const char *const docs[] = {
	        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i, "
	        "bad: 1}]}\n",
	        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: x}\n",
	        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec: {parallelism: x}\n",
	        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules: [{verbs: "
	        "1}]\n",
	};
	pthread_t th[8];
	thread_arg args[8];
	for (int i = 0; i < 8; i++) {
		args[i] = (thread_arg){r, docs[i % 4], 0};
		pthread_create(&th[i], NULL, thread_main, &args[i]);
	}
	for (int i = 0; i < 8; i++)
		pthread_join(th[i], NULL);
	/* every run of a document finds the same thing, whichever thread loaded its schema */
	for (int i = 0; i < 8; i++)
		CHECK(args[i].findings != (size_t)-1 && args[i].findings > 0 && args[i].findings % 50 == 0 &&
		      args[i].findings == args[i % 4].findings);
	gr_schema_registry_free(r);
}

/* Findings of one document checked against r: their paths and messages,
 * one line each, in out (empty on a decode failure). */
static void check_lines(gr_schema_registry *r, const char *yaml, char *out, size_t cap)
{
	out[0] = '\0';
	gr_arena a;
	gr_arena_init(&a);
	gr_document *docs;
	size_t nd, used = 0;
	gr_error err;
	if (gr_decode(&a, yaml, strlen(yaml), NULL, &docs, &nd, &err) == 0 && nd == 1) {
		gr_object *objs;
		size_t no;
		gr_objects_from_document(&a, &docs[0], "t.yaml", &objs, &no);
		gr_findings f;
		gr_findings_init(&f, &a);
		gr_schema_check_options opt = {.strict = true};
		gr_check_ctx c = {.arena = &a};
		gr_schema_check(r, &objs[0], &opt, &c, &f);
		for (size_t i = 0; i < f.len && used < cap; i++) {
			int k = snprintf(out + used, cap - used, "%s: %s\n",
			                 f.items[i].path ? f.items[i].path : "", f.items[i].message);
			used += k > 0 ? (size_t)k : 0;
		}
		gr_findings_free(&f);
	}
	gr_arena_free(&a);
}

/* With the schema cache warm, loading a group-version compiles only the
 * kind asked for; the first other kind asked for compiles the rest from
 * the cached bytes. Every kind must judge as it does with the cache cold
 * (everything compiled at once), asked for in any order, on any thread. */
static void test_lazy_kinds(void)
{
	static const char *const docs[] = {
	        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: x}], bad: 1}\n",
	        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i, "
	        "resources: {limits: {cpu: []}}, bad: 1}]}\n",
	        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: 1}\nbinaryData: []\n",
	        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: d}\nspec: {replicas: x, template: "
	        "{spec: {containers: [{name: c, ports: [{containerPort: y}]}]}}}\n",
	        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: x, template: "
	        "{spec: {containers: [{name: c, bad: 1}]}}}\n",
	};
	enum { N = sizeof docs / sizeof docs[0] };
	char tmpl[] = "/tmp/gr-lazy-XXXXXX";
	char *cache = mkdtemp(tmpl);
	CHECK(cache != NULL);
	if (!cache)
		return;
	static char want[N][2048], got[N][2048];
	gr_error err;
	gr_schema_registry *r;
	/* cold: every kind of a group-version compiled when it loads */
	CHECK(gr_schema_registry_open(&r, SCHEMAS, "1.31", NULL, &err) == 0);
	CHECK(gr_schema_registry_set_cache(r, cache, &err) == 0);
	for (int i = 0; i < N; i++) {
		check_lines(r, docs[i], want[i], sizeof want[i]);
		CHECK(want[i][0] != '\0');
	}
	gr_schema_registry_free(r);
	/* warm, in other orders: the first kind of core/v1 and of apps/v1
	 * loads alone, the next compiles the rest */
	static const int orders[][N] = {{0, 1, 2, 3, 4}, {2, 1, 0, 4, 3}, {1, 4, 2, 3, 0}};
	for (size_t o = 0; o < sizeof orders / sizeof orders[0]; o++) {
		CHECK(gr_schema_registry_open(&r, SCHEMAS, "1.31", NULL, &err) == 0);
		CHECK(gr_schema_registry_set_cache(r, cache, &err) == 0);
		for (int j = 0; j < N; j++) {
			int i = orders[o][j];
			check_lines(r, docs[i], got[i], sizeof got[i]);
			CHECK(strcmp(got[i], want[i]) == 0);
		}
		/* asked again: the same */
		for (int i = 0; i < N; i++) {
			check_lines(r, docs[i], got[i], sizeof got[i]);
			CHECK(strcmp(got[i], want[i]) == 0);
		}
		gr_schema_registry_free(r);
	}
	/* warm, threads asking for different kinds of one group-version at once */
	CHECK(gr_schema_registry_open(&r, SCHEMAS, "1.31", NULL, &err) == 0);
	CHECK(gr_schema_registry_set_cache(r, cache, &err) == 0);
	pthread_t th[8];
	thread_arg args[8];
	for (int i = 0; i < 8; i++) {
		args[i] = (thread_arg){r, docs[i % N], 0};
		pthread_create(&th[i], NULL, thread_main, &args[i]);
	}
	for (int i = 0; i < 8; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 8; i++)
		CHECK(args[i].findings != (size_t)-1 && args[i].findings > 0 &&
		      args[i].findings == args[i % N].findings);
	gr_schema_registry_free(r);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", cache);
	CHECK(system(cmd) == 0);
}

/* A schema checker for 1.30 with crd options; NULL and err set on failure. */
static gr_checker *schema_checker(const char *version, const char *crd_path, gr_error *err)
{
	gr_options *o = gr_options_new();
	gr_checker *c = NULL;
	int rc = gr_options_select(o, "schema", err);
	rc = rc ? rc : gr_options_set(o, "schema", "schema-dir", SCHEMAS, err);
	rc = rc ? rc : gr_options_set(o, "schema", "kubernetes-version", version, err);
	if (crd_path)
		rc = rc ? rc : gr_options_set(o, "schema", "crd", crd_path, err);
	if (rc == 0)
		gr_checker_new(&c, o, err);
	gr_options_free(o);
	return c;
}

/* What gr_checker_check_object does around the engines: the old object of
 * an admission request reaches CRD transition rules (oldSelf); kustomize's
 * files are skipped with their reason; guardrail.dev/ignore with its reason
 * drops the named findings of any engine and counts them. */
static void test_checker_around_engines(void)
{
	gr_error err;
	gr_checker *c = schema_checker("1.30", "tests/cases/check/cel-transition-old/crd.yaml", &err);
	CHECK(c != NULL);
	if (!c)
		return;
	const char *y =
	        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: d}\n"
	        "spec: {replicas: 3, maxReplicas: 5}\n"
	        "---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: d}\n"
	        "spec: {replicas: 4, maxReplicas: 5}\n"
	        "---\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n"
	        "---\napiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g\n  annotations:\n"
	        "    guardrail.dev/ignore: \"other, schema.missing\"\n"
	        "    guardrail.dev/ignore-reason: installed by the vendor\n"
	        "---\napiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: h\n  annotations:\n"
	        "    guardrail.dev/ignore: schema.missing\n";
	gr_document *docs;
	size_t nd;
	CHECK(gr_decode(&arena, y, strlen(y), NULL, &docs, &nd, &err) == 0 && nd == 5);
	if (nd != 5) {
		gr_checker_unref(c);
		return;
	}
	gr_object *o[5];
	size_t no;
	for (size_t i = 0; i < 5; i++)
		gr_objects_from_document(&arena, &docs[i], "t.yaml", &o[i], &no);
	gr_object_status st;
	/* offline, no old object: the transition rule is not judged */
	gr_findings_reset(&found);
	memset(&ctx, 0, sizeof ctx);
	ctx.arena = &arena;
	CHECK(gr_checker_check_object(c, o[0], &ctx, &found, &st, &err) == 0);
	EXPECT_NONE();
	/* an UPDATE lowering replicas: oldSelf is the request's old object */
	memset(&ctx, 0, sizeof ctx);
	ctx.arena = &arena;
	ctx.operation = "UPDATE";
	ctx.old_object = o[1]->root;
	CHECK(gr_checker_check_object(c, o[0], &ctx, &found, &st, &err) == 0);
	EXPECT_COUNT(1);
	CHECK(found.len == 1 && strcmp(found.items[0].rule, "cel.validation") == 0);
	CHECK(st == GR_OBJECT_INVALID);
	/* raising them passes */
	gr_findings_reset(&found);
	ctx.old_object = o[0]->root;
	CHECK(gr_checker_check_object(c, o[1], &ctx, &found, &st, &err) == 0);
	EXPECT_NONE();
	/* kustomize configuration: skipped, with its reason, by no engine */
	memset(&ctx, 0, sizeof ctx);
	ctx.arena = &arena;
	CHECK(gr_checker_check_object(c, o[2], &ctx, &found, &st, &err) == 0);
	EXPECT_NONE();
	CHECK(st == GR_OBJECT_SKIPPED && ctx.skipped && ctx.skip_reason &&
	      strstr(ctx.skip_reason, "kustomize"));
	/* the ignore annotation: honoured only when asked, counted, needs its reason */
	memset(&ctx, 0, sizeof ctx);
	ctx.arena = &arena;
	CHECK(gr_checker_check_object(c, o[3], &ctx, &found, &st, &err) == 0);
	EXPECT("schema.missing", "");
	CHECK(ctx.suppressed == 0);
	gr_findings_reset(&found);
	ctx.honour_ignore_annotation = true;
	CHECK(gr_checker_check_object(c, o[3], &ctx, &found, &st, &err) == 0);
	EXPECT_NONE();
	CHECK(ctx.suppressed == 1 && st == GR_OBJECT_VALID);
	ctx.suppressed = 0;
	CHECK(gr_checker_check_object(c, o[4], &ctx, &found, &st, &err) == 0); /* no reason */
	EXPECT("schema.missing", "");
	CHECK(ctx.suppressed == 0 && st == GR_OBJECT_INVALID);
	gr_findings_reset(&found);
	gr_checker_unref(c);
}

/* The engine through the checker, as a session drives it: a crd option in
 * the base checker, a CRD of the inputs in a derived one. */
static void test_engine(void)
{
	gr_error err;
	gr_checker *base =
	        schema_checker("1.30", "../shared/conformance/kubectl-validate/testcases/crds", &err);
	CHECK(base != NULL);
	if (!base)
		return;
	CHECK(gr_checker_wants_kind(base, "apiextensions.k8s.io", "CustomResourceDefinition"));
	CHECK(!gr_checker_wants_kind(base, "", "CustomResourceDefinition"));
	const char *y =
	        "apiVersion: stable.example.com/v1\nkind: CELBasic\nmetadata: {name: b}\nvalue: 3\nextra: 1\n"
	        "---\n"
	        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
	        "metadata: {name: ws.ex.com}\nspec:\n  group: ex.com\n  names: {kind: W}\n  scope: Cluster\n"
	        "  versions: [{name: v1, served: true, schema: {openAPIV3Schema: {type: object}}}]\n"
	        "---\napiVersion: ex.com/v1\nkind: W\nmetadata: {name: w}\n";
	gr_document *docs;
	size_t nd;
	CHECK(gr_decode(&arena, y, strlen(y), NULL, &docs, &nd, &err) == 0 && nd == 3);
	gr_object *o[3];
	size_t no;
	gr_set *set = gr_set_new();
	for (size_t i = 0; i < 3 && i < nd; i++) {
		gr_objects_from_document(&arena, &docs[i], "e.yaml", &o[i], &no);
		CHECK(gr_set_add(set, o[i], gr_checker_wants_kind(base, o[i]->group, o[i]->kind)) == 0);
	}
	/* the kinds the set cannot change are judged without it */
	CHECK(!gr_checker_needs_set(base, o[0]) && !gr_checker_needs_set(base, o[1]));
	CHECK(gr_checker_needs_set(base, o[2]));
	gr_checker *c = NULL;
	CHECK(gr_checker_derive(&c, base, set, &err) == 0);
	gr_set_free(set);
	if (!c) {
		gr_checker_unref(base);
		return;
	}
	gr_findings_free(&found);
	gr_findings_init(&found, &arena);
	memset(&ctx, 0, sizeof ctx);
	ctx.arena = &arena;
	gr_object_status st;
	CHECK(gr_checker_check_object(c, o[0], &ctx, &found, &st, &err) == 0); /* CRD from the crd option */
	EXPECT("schema.unknown-field", "extra");
	CHECK(st == GR_OBJECT_INVALID);
	CHECK(ctx.not_evaluated == 0); /* the CRD's CEL rules are evaluated (lib/cel) */
	memset(&ctx, 0, sizeof ctx);
	ctx.arena = &arena;
	CHECK(gr_checker_check_object(c, o[2], &ctx, &found, &st, &err) == 0); /* CRD from the inputs */
	EXPECT_COUNT(1);
	CHECK(st == GR_OBJECT_VALID);
	/* the base checker does not know W: the derived one is another checker */
	memset(&ctx, 0, sizeof ctx);
	ctx.arena = &arena;
	CHECK(gr_checker_check_object(base, o[2], &ctx, &found, &st, &err) == 0);
	CHECK(st == GR_OBJECT_INVALID);
	gr_checker_unref(c);
	gr_checker_unref(base);
	/* a crd path that does not exist fails the checker */
	CHECK(schema_checker("1.30", "/nonexistent/crds", &err) == NULL);
	/* an unknown version fails it too, listing those present */
	CHECK(schema_checker("2.0", NULL, &err) == NULL && strstr(err.message, "1.30"));
	/* options are checked when set */
	gr_options *opts = gr_options_new();
	CHECK(gr_options_set(opts, "schema", "strict", "maybe", &err) == -1 && strstr(err.message, "strict"));
	CHECK(gr_options_set(opts, "schema", "no-such-option", "1", &err) == -1);
	CHECK(gr_options_set(opts, "nosuchengine", "strict", "true", &err) == -1);
	CHECK(gr_options_select(opts, "", &err) == -1);
	CHECK(gr_options_select(opts, "schema,bogus", &err) == -1 && strstr(err.message, "bogus"));
	gr_options_free(opts);
}

#define S(lit) lit, sizeof lit - 1

/* The strfmt formats a CRD schema may name, each function against values
 * whose answer kube-openapi's strfmt (and the Go parsers it calls) gives. */
static void test_strfmt_functions(void)
{
	CHECK(gri_format_uuid_ok(S("123e4567-e89b-12d3-a456-426614174000"), 0));
	CHECK(gri_format_uuid_ok(S("123E4567E89B12D3A456426614174000"), 0)); /* dashes optional, any case */
	CHECK(!gri_format_uuid_ok(S("123e4567-e89b-12d3-a456-42661417400"), 0));
	CHECK(!gri_format_uuid_ok(S("123e4567-e89b-12d3-a456-4266141740000"), 0));
	CHECK(!gri_format_uuid_ok(S("g23e4567-e89b-12d3-a456-426614174000"), 0));
	CHECK(gri_format_uuid_ok(S("a3bb189e-8bf9-3888-9912-ace4e6543002"), 3));
	CHECK(!gri_format_uuid_ok(S("a3bb189e-8bf9-4888-9912-ace4e6543002"), 3));
	CHECK(gri_format_uuid_ok(S("16fd2706-8baf-433b-82eb-8c7fada847da"), 4));
	CHECK(!gri_format_uuid_ok(S("16fd2706-8baf-433b-c2eb-8c7fada847da"), 4)); /* variant c */
	CHECK(gri_format_uuid_ok(S("886313e1-3b8a-5372-9b90-0c9aee199e5d"), 5));
	CHECK(!gri_format_uuid_ok(S("886313e1-3b8a-4372-9b90-0c9aee199e5d"), 5));

	CHECK(gri_format_hostname_ok(S("example.com")) == 1 && gri_format_hostname_ok(S("localhost")) == 1);
	CHECK(gri_format_hostname_ok(S("1host.example.com")) == 1);
	CHECK(gri_format_hostname_ok(S("b\xc3\xbc"
	                               "cher.example")) == 1); /* a Unicode letter */
	CHECK(gri_format_hostname_ok(S("-a.example.com")) == 0 && gri_format_hostname_ok(S("a_b.com")) == 0);
	CHECK(gri_format_hostname_ok(S("example.c")) == 0); /* a top-level domain of one letter */
	CHECK(gri_format_hostname_ok(S("a.b.c1")) == 0);    /* ... or with a digit */
	CHECK(gri_format_hostname_ok(S("")) == 0);
	char longlabel[80];
	memset(longlabel, 'a', 70);
	memcpy(longlabel + 70, ".com", 5);
	CHECK(gri_format_hostname_ok(longlabel, strlen(longlabel)) == 0);

	CHECK(gri_format_bsonobjectid_ok(S("507f1f77bcf86cd799439011")));
	CHECK(!gri_format_bsonobjectid_ok(S("507f1f77bcf86cd79943901")) &&
	      !gri_format_bsonobjectid_ok(S("507f1f77bcf86cd79943901z")));

	CHECK(gri_format_date_ok(S("2024-02-29")) && gri_format_date_ok(S("2000-02-29")));
	CHECK(!gri_format_date_ok(S("2023-02-29")) && !gri_format_date_ok(S("1900-02-29")));
	CHECK(!gri_format_date_ok(S("2024-13-01")) && !gri_format_date_ok(S("2024-00-10")) &&
	      !gri_format_date_ok(S("2024-04-31")));
	CHECK(!gri_format_date_ok(S("2024-1-01")) && !gri_format_date_ok(S("2024-01-01T00:00:00Z")));

	CHECK(gri_format_duration_ok(S("1h30m")) && gri_format_duration_ok(S("-1.5h")) &&
	      gri_format_duration_ok(S("0")));
	CHECK(gri_format_duration_ok(S("5 minutes")) && gri_format_duration_ok(S("3 days")) &&
	      gri_format_duration_ok(S("2 Weeks")));
	CHECK(gri_format_duration_ok(S("10 \xc2\xb5s")) && gri_format_duration_ok(S("1d 12hours")));
	CHECK(gri_format_duration_ok(S("about 5s or so"))); /* strfmt finds the match inside */
	CHECK(!gri_format_duration_ok(S("")) && !gri_format_duration_ok(S("5")) &&
	      !gri_format_duration_ok(S("soon")));
	CHECK(!gri_format_duration_ok(S("5 fortnights")) && !gri_format_duration_ok(S("5 hrs")));
	CHECK(!gri_format_duration_ok(S("99999999999999999999 days"))); /* strconv.Atoi overflows */

	CHECK(gri_format_cidr_ok(S("10.0.0.0/8")) && gri_format_cidr_ok(S("010.0.0.0/08")));
	CHECK(gri_format_cidr_ok(S("2001:db8::/32")) && gri_format_cidr_ok(S("::/0")));
	CHECK(!gri_format_cidr_ok(S("10.0.0.0/33")) && !gri_format_cidr_ok(S("10.0.0.0")) &&
	      !gri_format_cidr_ok(S("10.0.0.0/")));
	CHECK(!gri_format_cidr_ok(S("2001:db8::/129")) && !gri_format_cidr_ok(S("10.0.0/8")) &&
	      !gri_format_cidr_ok(S("10.0.0.0/+8")));

	CHECK(gri_format_ipv4_sloppy_ok(S("10.0.0.1")) && gri_format_ipv4_sloppy_ok(S("010.000.000.001")));
	CHECK(gri_format_ipv4_sloppy_ok(S("::ffff:1.2.3.4")));
	CHECK(!gri_format_ipv4_sloppy_ok(S("1.2.3")) && !gri_format_ipv4_sloppy_ok(S("256.1.1.1")) &&
	      !gri_format_ipv4_sloppy_ok(S("::1")));

	CHECK(gri_format_mac_ok(S("00:1a:2b:3c:4d:5e")) && gri_format_mac_ok(S("00-1A-2B-3C-4D-5E")));
	CHECK(gri_format_mac_ok(S("001a.2b3c.4d5e")) && gri_format_mac_ok(S("00:1a:2b:3c:4d:5e:6f:70")));
	CHECK(!gri_format_mac_ok(S("00:1a:2b:3c:4d")) && !gri_format_mac_ok(S("00:1a-2b:3c:4d:5e")));
	CHECK(!gri_format_mac_ok(S("00:1a:2b:3c:4d:5g")) && !gri_format_mac_ok(S("001a.2b3c.4d5")));

	CHECK(gri_format_base64_strfmt_ok(S("aGk=")) && gri_format_base64_strfmt_ok(S("aA==")) &&
	      gri_format_base64_strfmt_ok(S("abcd")));
	CHECK(!gri_format_base64_strfmt_ok(S("")) && !gri_format_base64_strfmt_ok(S("aGk")) &&
	      !gri_format_base64_strfmt_ok(S("a===")) && !gri_format_base64_strfmt_ok(S("ab=c")) &&
	      !gri_format_base64_strfmt_ok(S("aGk=\n")));
	/* uri: url.ParseRequestURI */
	CHECK(gri_format_uri_ok(S("https://example.com/x")) && gri_format_uri_ok(S("/just/a/path")));
	CHECK(gri_format_uri_ok(S("http://user:pw@host:8080/p?q=1#frag")) && gri_format_uri_ok(S("*")));
	CHECK(gri_format_uri_ok(S("mailto:a@b.c")) && gri_format_uri_ok(S("urn:isbn:0451450523")) &&
	      gri_format_uri_ok(S("http:")));
	CHECK(gri_format_uri_ok(S("https://[::1]:443/")) && gri_format_uri_ok(S("https://[fe80::1%25en0]/")));
	CHECK(gri_format_uri_ok(S("https://example.com:/")) && gri_format_uri_ok(S("https://b\xc3\xbc"
	                                                                           "cher.de/")));
	CHECK(!gri_format_uri_ok(S("")) && !gri_format_uri_ok(S("example.com")) &&
	      !gri_format_uri_ok(S("relative/path")));
	CHECK(!gri_format_uri_ok(S("https://exa mple.com/")) && !gri_format_uri_ok(S("http://host:port/")));
	CHECK(!gri_format_uri_ok(S("/bad%zz")) && !gri_format_uri_ok(S("https://example.com/%")) &&
	      !gri_format_uri_ok(S(":foo")));
	CHECK(!gri_format_uri_ok(S("http://a b@host/")) && !gri_format_uri_ok(S("http://[::1/")) &&
	      !gri_format_uri_ok(S("https://example.com/\tx")));
	CHECK(!gri_format_uri_ok(S("http://%41.com/")) && gri_format_uri_ok(S("http://%c3%bc.com/")));
	CHECK(gri_format_ssn_ok(S("123-45-6789")) && gri_format_ssn_ok(S("123 45-6789")));
	CHECK(!gri_format_ssn_ok(S("123456789")) && !gri_format_ssn_ok(S("123-45-678a")) &&
	      !gri_format_ssn_ok(S("12-345-6789")));
	CHECK(gri_format_isbn_ok(S("0321751043"), 10) && gri_format_isbn_ok(S("0-8044-2957-X"), 10));
	CHECK(!gri_format_isbn_ok(S("0321751044"), 10) && !gri_format_isbn_ok(S("X321751043"), 10));
	CHECK(gri_format_isbn_ok(S("978-0321751041"), 13) && gri_format_isbn_ok(S("978 0 321 75104 1"), 0));
	CHECK(!gri_format_isbn_ok(S("9780321751042"), 13) && !gri_format_isbn_ok(S("0321751043"), 13) &&
	      gri_format_isbn_ok(S("0321751043"), 0));
	CHECK(gri_format_hexcolor_ok(S("#fff")) && gri_format_hexcolor_ok(S("1A2B3C")));
	CHECK(!gri_format_hexcolor_ok(S("#ffff")) && !gri_format_hexcolor_ok(S("#ggg")) &&
	      !gri_format_hexcolor_ok(S("")));
	CHECK(gri_format_rgbcolor_ok(S("rgb(255,128,0)")) && gri_format_rgbcolor_ok(S("rgb( 0 , 9 ,10 )")));
	CHECK(!gri_format_rgbcolor_ok(S("rgb(256,0,0)")) && !gri_format_rgbcolor_ok(S("rgb(01,0,0)")) &&
	      !gri_format_rgbcolor_ok(S("rgb(1,2)")) && !gri_format_rgbcolor_ok(S("RGB(1,2,3)")));
}

static const char fmt_crd[] =
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: "
        "fs.example.com}\n"
        "spec:\n  group: example.com\n  scope: Cluster\n  names: {kind: F, plural: fs}\n"
        "  versions:\n  - name: v1\n    served: true\n    schema:\n      openAPIV3Schema:\n        type: "
        "object\n        properties:\n"
        "          id: {type: string, format: uuid}\n"
        "          day: {type: string, format: date}\n"
        "          every: {type: string, format: duration}\n"
        "          net: {type: string, format: cidr}\n"
        "          host: {type: string, format: hostname}\n"
        "          at: {type: string, format: datetime}\n" /* strfmt removes dashes: date-time */
        "          mail: {type: string, format: email}\n"
        "          link: {type: string, format: uri}\n"
        "          secret: {type: string, format: password}\n"
        "          blob: {type: string, format: byte}\n"
        "          big: {type: integer, format: int32}\n";

/* A CRD's formats are kube-openapi's: checked, or counted not evaluated. */
static void test_crd_formats(gr_schema_registry *r)
{
	add_crd(r, fmt_crd);
	run(r,
	    "apiVersion: example.com/v1\nkind: F\nmetadata: {name: f}\nid: "
	    "123e4567-e89b-12d3-a456-426614174000\n"
	    "day: 2024-02-29\nevery: 5 minutes\nnet: 10.0.0.0/8\nhost: example.com\n"
	    "at: 2024-01-31T12:00:00Z\nsecret: anything\nblob: aGk=\n"
	    "big: 3000000000\n", /* apiextensions drops int32: not checked in a CRD */
	    true, false);
	EXPECT_NONE();
	CHECK(ctx.not_evaluated == 0);
	run(r,
	    "apiVersion: example.com/v1\nkind: F\nmetadata: {name: f}\nid: not-a-uuid\nday: 2023-02-29\n"
	    "every: soon\nnet: 10.0.0.0/33\nhost: -bad-\nat: yesterday\n"
	    "blob: \"\"\n", /* strfmt's byte (govalidator's IsBase64) wants a group of four */
	    true, false);
	EXPECT("schema.format", "id");
	EXPECT("schema.format", "day");
	EXPECT("schema.format", "every");
	EXPECT("schema.format", "net");
	EXPECT("schema.format", "host");
	EXPECT("schema.format", "at");
	EXPECT("schema.format", "blob");
	EXPECT_COUNT(7);
	CHECK(found.len && strcmp(found.items[0].reason, "FieldValueTypeInvalid") == 0);
	/* email: the API server checks it with Go's net/mail; never passed as
	 * checked. uri: checked. */
	run(r, "apiVersion: example.com/v1\nkind: F\nmetadata: {name: f}\nmail: a@b.c\nlink: /x\n", true,
	    false);
	EXPECT_NONE();
	CHECK(ctx.not_evaluated == 1);
	run(r, "apiVersion: example.com/v1\nkind: F\nmetadata: {name: f}\nlink: example.com/x\n", true,
	    false);
	EXPECT("schema.format", "link");
	EXPECT_COUNT(1);
}

int main(void)
{
	gr_arena_init(&arena);
	gr_findings_init(&found, &arena);
	test_strfmt_functions();
	/* formats and names */
	CHECK(gr_format_quantity_ok("500m", 4) && gr_format_quantity_ok("1Gi", 3) &&
	      gr_format_quantity_ok("1e3", 3));
	CHECK(gr_format_quantity_ok("+.5", 3) && gr_format_quantity_ok("1.", 2) &&
	      gr_format_quantity_ok("2E-3", 4));
	CHECK(!gr_format_quantity_ok("", 0) && !gr_format_quantity_ok("1x", 2) &&
	      !gr_format_quantity_ok("Gi", 2));
	CHECK(!gr_format_quantity_ok("1 Gi", 4) && !gr_format_quantity_ok("1e", 2) &&
	      !gr_format_quantity_ok("1gi", 3));
	CHECK(gr_format_datetime_ok("2024-01-31T12:00:00Z", 20));
	CHECK(gr_format_datetime_ok("2024-01-31T12:00:00.123456+05:30", 32));
	CHECK(!gr_format_datetime_ok("2024-02-30T12:00:00Z", 20) && !gr_format_datetime_ok("yesterday", 9));
	CHECK(gr_format_byte_ok("", 0) && gr_format_byte_ok("aGVsbG8=", 8) &&
	      gr_format_byte_ok("aGVs\nbG8=", 9));
	CHECK(!gr_format_byte_ok("aGVsbG8", 7) && !gr_format_byte_ok("a=bc", 4) &&
	      !gr_format_byte_ok("ab!c", 4));
	CHECK(gr_format_ipv4_ok("10.0.0.1", 8) && gr_format_ipv4_ok("::ffff:1.2.3.4", 14));
	CHECK(!gr_format_ipv4_ok("1.2.3", 5) && !gr_format_ipv4_ok("01.2.3.4", 8) &&
	      !gr_format_ipv4_ok("::1", 3));
	CHECK(gr_format_ipv6_ok("1200:0000:AB00:1234:0000:2552:7777:1313", 39) &&
	      gr_format_ipv6_ok("1234::", 6));
	CHECK(!gr_format_ipv6_ok("1.2.3.4", 7) && !gr_format_ipv6_ok("fe80::1%eth0", 12) &&
	      !gr_format_ipv6_ok("1:::2", 5));
	CHECK(gr_is_dns1123_subdomain("a.b-c.d", 7) && !gr_is_dns1123_subdomain("a..b", 4));
	CHECK(!gr_is_dns1123_subdomain("A", 1) && !gr_is_dns1123_subdomain("-a", 2));
	CHECK(gr_is_dns1123_label("abc-1", 5) && !gr_is_dns1123_label("a.b", 3));
	CHECK(gr_is_qualified_name("app.kubernetes.io/name", 22) && gr_is_qualified_name("My_Key.1", 8));
	CHECK(!gr_is_qualified_name("a/b/c", 5) && !gr_is_qualified_name("/a", 2) &&
	      !gr_is_qualified_name("_a", 2));
	CHECK(gr_is_label_value("", 0) && gr_is_label_value("v1.2_x", 6) && !gr_is_label_value("_", 1));

	gr_schema_registry *r;
	gr_error err;
	if (gr_schema_registry_open(&r, SCHEMAS, "1.30", NULL, &err) != 0) {
		fprintf(stderr, "cannot open schemas: %s\n", err.message);
		test_failed++;
	} else {
		test_builtin(r);
		test_crd(r);
		test_pattern(r);
		test_combinators(r);
		test_crd_formats(r);
		gr_schema_registry_free(r);
	}
	test_patches();
	test_registry();
	test_threads();
	test_lazy_kinds();
	test_engine();
	test_checker_around_engines();
	gr_findings_free(&found);
	gr_arena_free(&arena);
	return test_report("test_schema");
}
