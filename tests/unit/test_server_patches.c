/*
 * test_server_patches.c — the schema engine's built-in server patches
 * (lib/schema/server_patches.c): each compiled-in text is a JSON object that
 * only edits definitions present in every shipped version, and through a
 * checker the schema engine follows the server (StatefulSet serviceName,
 * a Job's pod failure policy condition status, an EndpointSlice without
 * endpoints, duplicate env names and container ports) unless its option
 * server-patches=false asks for the published schemas. Run from the
 * repository root; the schemas are read from ../shared/k8s-openapi.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/schema/registry_int.h" /* the compiled-in patch texts */
#include "guardrail/decode.h"
#include "guardrail/guardrail.h"
#include "guardrail/session.h"
#include "testlib.h"

#define SCHEMAS "../shared/k8s-openapi"

/* every property or definition a patch names exists in the document of every version */
static void check_targets(const gr_value *patch, const gr_value *doc, const char *what)
{
	for (size_t i = 0; patch->type == GR_OBJECT && i < patch->u.o.len; i++) {
		const gr_member *m = &patch->u.o.members[i];
		if (m->value.type != GR_OBJECT)
			continue; /* a value set or removed */
		const gr_value *t = gr_getn(doc, m->key, m->key_len);
		CHECK(t && t->type == GR_OBJECT);
		if (!t || t->type != GR_OBJECT) {
			fprintf(stderr, "  %s: no %.*s\n", what, (int)m->key_len, m->key);
			continue;
		}
		check_targets(&m->value, t, what);
	}
}

static void test_texts(void)
{
	static const char *const versions[] = {"1.27", "1.28", "1.29", "1.30", "1.31",
	                                       "1.32", "1.33", "1.34", "1.35", NULL};
	const char *rel;
	const char *text;
	size_t n = 0;
	for (size_t i = 0; (text = gri_schema_server_patch_text(i, &rel)) != NULL; i++, n++) {
		gr_arena a;
		gr_arena_init(&a);
		gr_value patch;
		gr_error err;
		CHECK(gr_decode_json(&a, text, strlen(text), NULL, &patch, &err) == 0);
		CHECK(patch.type == GR_OBJECT);
		for (int v = 0; versions[v]; v++) {
			char path[512], what[600];
			snprintf(path, sizeof path, SCHEMAS "/%s/%s", versions[v], rel);
			char *data;
			size_t len;
			gr_value doc;
			if (gr_read_file(path, 0, &data, &len, &err) != 0) {
				fprintf(stderr, "  %s: %s\n", path, err.message);
				CHECK(0);
				continue;
			}
			CHECK(gr_decode_json(&a, data, len, NULL, &doc, &err) == 0);
			free(data);
			snprintf(what, sizeof what, "%s", path);
			check_targets(&patch, &doc, what);
		}
		gr_arena_free(&a);
	}
	CHECK(n == 4);
}

/* the rules of the findings of one YAML object, through a schema-only checker */
static size_t findings(bool patches, const char *yaml, const char *rule, const char *path)
{
	gr_options *o = gr_options_new();
	gr_error err;
	gr_checker *chk = NULL;
	size_t hits = 0;
	if (gr_options_select(o, "schema", &err) ||
	    gr_options_set(o, "schema", "schema-dir", SCHEMAS, &err) ||
	    gr_options_set(o, "schema", "kubernetes-version", "1.32", &err) ||
	    gr_options_set(o, "schema", "server-patches", patches ? "true" : "false", &err) ||
	    gr_checker_new(&chk, o, &err)) {
		fprintf(stderr, "checker: %s\n", err.message);
		gr_options_free(o);
		CHECK(0);
		return (size_t)-1;
	}
	gr_options_free(o);
	gr_arena a;
	gr_arena_init(&a);
	gr_document *docs;
	size_t nd;
	if (gr_decode(&a, yaml, strlen(yaml), NULL, &docs, &nd, &err) == 0 && nd == 1) {
		gr_object *objs;
		size_t no;
		gr_objects_from_document(&a, &docs[0], "t.yaml", &objs, &no);
		gr_findings f;
		gr_findings_init(&f, &a);
		gr_check_ctx ctx = {.arena = &a};
		gr_object_status st;
		gr_checker_check_object(chk, &objs[0], &ctx, &f, &st, &err);
		for (size_t i = 0; i < f.len; i++)
			if (strcmp(f.items[i].rule, rule) == 0 && strcmp(f.items[i].path, path) == 0)
				hits++;
		gr_findings_free(&f);
	}
	gr_arena_free(&a);
	gr_checker_unref(chk);
	return hits;
}

static void both(const char *yaml, const char *rule, const char *path)
{
	CHECK(findings(false, yaml, rule, path) == 1); /* the published schema says so */
	CHECK(findings(true, yaml, rule, path) == 0);  /* the server does not */
}

static void test_engine(void)
{
	both("apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: s\nspec:\n  selector:\n"
	     "    matchLabels: {a: b}\n  template:\n    metadata:\n      labels: {a: b}\n    spec:\n"
	     "      containers:\n      - name: c\n        image: x\n",
	     "schema.required", "spec.serviceName");
	both("apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  podFailurePolicy:\n"
	     "    rules:\n    - action: Ignore\n      onPodConditions:\n      - type: DisruptionTarget\n"
	     "  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n"
	     "        image: x\n",
	     "schema.required", "spec.podFailurePolicy.rules[0].onPodConditions[0].status");
	both("apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: e\naddressType: "
	     "IPv4\n",
	     "schema.required", "endpoints");
	both("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: "
	     "x\n"
	     "    env:\n    - {name: A, value: '1'}\n    - {name: A, value: '2'}\n",
	     "schema.duplicate", "spec.containers[0].env[1]");
	both("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  selector:\n"
	     "    matchLabels: {a: b}\n  template:\n    metadata:\n      labels: {a: b}\n    spec:\n"
	     "      containers:\n      - name: c\n        image: x\n        ports:\n"
	     "        - containerPort: 80\n        - containerPort: 80\n",
	     "schema.duplicate", "spec.template.spec.containers[0].ports[1]");
	/* a Service's ports stay a list-map: the server refuses duplicates there too */
	const char *svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n"
	                  "  - port: 80\n  - port: 80\n";
	CHECK(findings(true, svc, "schema.duplicate", "spec.ports[1]") == 1);
}

int main(void)
{
	test_texts();
	test_engine();
	return test_report("server-patches");
}
