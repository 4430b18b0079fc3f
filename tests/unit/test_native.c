/*
 * test_native.c — the native engine through a checker: one object per
 * case, the (rule, path, reason) it must yield, warnings for what the
 * server only warns about, and options (kubernetes-version) checked.
 */
#include <stdio.h>
#include <string.h>

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
	test_options();
	gr_checker_unref(chk);
	gr_options_free(o);
	return test_report("native");
}
