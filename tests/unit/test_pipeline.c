/*
 * test_pipeline.c — the library pipeline: options, checkers, sessions and
 * the input set. Set-level definitions resolve by input order whatever the
 * number of threads; a repeated definition is a finding; an engine
 * registered at run time sees the whole set and can fail loudly; inputs come
 * as bytes, trees or failures; a small retention budget (decode again)
 * changes nothing in the output.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guardrail/guardrail.h"
#include "testlib.h"

#define SCHEMAS "../shared/k8s-openapi"

static gr_checker *checker(const char *engines, gr_options *extra)
{
	gr_error err;
	gr_options *o = extra ? extra : gr_options_new();
	gr_checker *c = NULL;
	if (gr_options_select(o, engines, &err) || gr_options_set(o, "schema", "schema-dir", SCHEMAS, &err) ||
	    gr_options_set(o, "schema", "kubernetes-version", "1.30", &err) || gr_checker_new(&c, o, &err))
		fprintf(stderr, "checker: %s\n", err.message);
	gr_options_free(o);
	return c;
}

/* ---- a session rendered to one string (JSON report), per input order ---- */

typedef struct capture {
	gr_reporter *rep;
	gr_buf out;
	size_t calls;
	size_t stop_after; /* 0: never */
	size_t errors;
} capture;

static int on_result(void *user, const gr_input_result *r)
{
	capture *c = user;
	gr_report_file(c->rep, &c->out, &r->report);
	c->errors += r->errors;
	c->calls++;
	return c->stop_after && c->calls >= c->stop_after;
}

typedef struct input {
	const char *name;
	const char *yaml;
} input;

static int helm_source; /* gr_session_options.helm_source of run() */

/* Run inputs through a session on c; the JSON report (malloc'd) and summary. */
static char *run(gr_checker *c, const input *in, size_t n, unsigned jobs, size_t retain, gr_summary *sum)
{
	gr_session_options so;
	gr_session_options_default(&so);
	so.jobs = jobs;
	so.helm_source = helm_source;
	if (retain)
		so.max_retained_bytes = retain;
	gr_session *s = gr_session_new(c, &so);
	for (size_t i = 0; i < n; i++)
		gr_session_add_bytes(s, in[i].name, in[i].yaml, strlen(in[i].yaml));
	capture cap = {.rep = gr_reporter_new(GR_FORMAT_JSON, false, "test")};
	gr_buf_init(&cap.out);
	gr_report_begin(cap.rep, &cap.out);
	gr_error err;
	CHECK(gr_session_run(s, on_result, &cap, sum, &err) == 0);
	CHECK(cap.calls == n);
	gr_report_end(cap.rep, &cap.out, sum);
	gr_session_free(s);
	gr_reporter_free(cap.rep);
	char *text = strndup(cap.out.data ? cap.out.data : "", cap.out.len);
	gr_buf_free(&cap.out);
	return text;
}

static const char ns_a[] = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n"
                           "    pod-security.kubernetes.io/enforce: restricted\n";
static const char ns_b[] = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n"
                           "    pod-security.kubernetes.io/enforce: privileged\n";
static const char pod_in_shop[] = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\n"
                                  "spec:\n  containers: [{name: c, image: nginx}]\n";
static const char crd[] =
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        "metadata: {name: widgets.ex.com}\nspec:\n  group: ex.com\n  names: {kind: Widget, "
        "plural: widgets}\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n"
        "    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n"
        "        properties:\n          size: {type: integer}\n";
static const char widget_bad[] = "apiVersion: ex.com/v1\nkind: Widget\nmetadata: {name: w, namespace: shop}\n"
                                 "size: big\n";

/* A CR before its CRD; Namespaces defined twice: first wins, for every -j. */
static void test_set_level_order(void)
{
	gr_checker *c = checker("schema,pss", NULL);
	CHECK(c != NULL);
	if (!c)
		return;
	input in[] = {{"widget.yaml", widget_bad},
	              {"pod.yaml", pod_in_shop},
	              {"a/ns.yaml", ns_a},
	              {"b/ns.yaml", ns_b},
	              {"crd.yaml", crd}};
	gr_summary sum;
	char *first = run(c, in, 5, 1, 0, &sum);
	/* the CRD applies to the Widget before it: size is not an integer */
	CHECK(strstr(first, "\"rule\":\"schema.type\"") != NULL);
	/* the first Namespace (restricted) applies: the pod is invalid at enforce */
	CHECK(strstr(first, "\"rule\":\"pss.runAsNonRoot\",\"severity\":\"error\",\"action\":\"enforce\"") !=
	      NULL);
	/* the second definition is a finding naming the first */
	CHECK(strstr(first, "\"rule\":\"input.conflict\"") != NULL && strstr(first, "a/ns.yaml:1:1") != NULL);
	CHECK(sum.files == 5 && sum.objects == 5 && sum.errors == 0);
	CHECK(sum.invalid == 2 && sum.valid == 3);
	for (unsigned jobs = 2; jobs <= 8; jobs *= 2)
		for (size_t retain = 0; retain <= 1; retain++) {
			gr_summary s2;
			char *again = run(c, in, 5, jobs, retain, &s2);
			CHECK_STR(again, first);
			free(again);
		}
	free(first);
	/* the other order: the privileged Namespace first, the pod is valid */
	input swapped[] = {{"b/ns.yaml", ns_b}, {"a/ns.yaml", ns_a}, {"pod.yaml", pod_in_shop}};
	char *other = run(c, swapped, 3, 2, 0, &sum);
	CHECK(sum.invalid == 0 && strstr(other, "b/ns.yaml:1:1") != NULL);
	free(other);
	/* ignore_definitions: the inputs' Namespace does not apply */
	gr_session_options so;
	gr_session_options_default(&so);
	so.ignore_definitions = true;
	gr_session *s = gr_session_new(c, &so);
	gr_session_add_bytes(s, "ns.yaml", ns_a, strlen(ns_a));
	gr_session_add_bytes(s, "pod.yaml", pod_in_shop, strlen(pod_in_shop));
	gr_error err;
	CHECK(gr_session_run(s, NULL, NULL, &sum, &err) == 0 && sum.invalid == 0 && sum.objects == 2);
	CHECK(gr_session_run(s, NULL, NULL, &sum, &err) == -1); /* a session runs once */
	gr_session_free(s);
	gr_checker_unref(c);
}

/* ---- an engine registered at run time ---- */

typedef struct probe_config {
	bool fail;
	char *missing_rule;
} probe_config;

static int probe_new(void **out, gr_error *err)
{
	*out = calloc(1, sizeof(probe_config));
	return *out ? 0 : gr_error_set(err, 0, 0, "out of memory");
}

static int probe_set(void *cfg, const char *key, const char *value, gr_error *err)
{
	probe_config *c = cfg;
	if (strcmp(key, "fail") == 0) {
		c->fail = value && strcmp(value, "true") == 0;
		return 0;
	}
	return gr_error_set(err, 0, 0, "unknown option \"%s\"", key);
}

static void probe_free(void *cfg)
{
	free(cfg);
}

static size_t prepared_configmaps; /* what prepare saw in the last derivation */

static int probe_prepare(const void *cfg, const void *base, const gr_set *set, void **out, gr_error *err)
{
	const size_t *idx;
	prepared_configmaps = gr_set_kind(set, "", "ConfigMap", &idx);
	for (size_t i = 0; i < prepared_configmaps; i++)
		if (!gr_set_has_tree(set, idx[i]) || !gr_set_object(set, idx[i])->root)
			return gr_error_set(err, 0, 0, "a declared kind without its tree");
	*out = (void *)cfg;
	return 0;
}

static int count_match(void *user, size_t index)
{
	(*(size_t *)user)++;
	return 0;
}

/* A Pod naming a ConfigMap in its annotation "cm" that the set lacks. */
static int probe_check(const void *prepared, const gr_object *obj, gr_check_ctx *ctx, gr_findings *out,
                       gr_error *err)
{
	const probe_config *c = prepared;
	if (strcmp(obj->kind, "Pod") != 0)
		return 0;
	if (c->fail)
		return gr_error_set(err, 0, 0, "probe broke");
	if (!ctx->set)
		return gr_error_set(err, 0, 0, "no set");
	const char *cm = gr_get_str(gr_get_path(obj->root, "metadata", "annotations", NULL), "cm");
	if (cm && !gr_set_find(ctx->set, "", "ConfigMap", obj->namespace_, cm))
		gr_findings_addf(out, obj, "probe.missing-configmap", GR_SEV_ERROR, GR_ACTION_ENFORCE,
		                 "metadata.annotations.cm", NULL, "no ConfigMap %s", cm);
	/* the Services selecting this pod's labels, from the label index */
	const gr_value *labels = gr_get_path(obj->root, "metadata", "labels", NULL);
	const char *app = gr_get_str(labels, "app");
	if (app) {
		gr_label sel[] = {{"app", app}};
		size_t n = 0;
		gr_set_select(ctx->set, "", "Service", obj->namespace_, sel, 1, count_match, &n);
		if (n == 0)
			gr_findings_addf(out, obj, "probe.unselected", GR_SEV_WARNING, GR_ACTION_WARN, "",
			                 NULL, "no Service selects app=%s", app);
	}
	return 0;
}

static const char *const probe_kinds[] = {"ConfigMap", NULL};

static const gr_engine probe = {
        .name = "probe",
        .kinds = probe_kinds,
        .config_new = probe_new,
        .config_set = probe_set,
        .config_free = probe_free,
        .prepare = probe_prepare,
        .check = probe_check,
};

static const char cross[] =
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  namespace: team\n"
        "  annotations: {cm: conf}\n  labels: {app: web}\nspec: {containers: [{name: c, image: x}]}\n"
        "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n  namespace: team\n"
        "  annotations: {cm: other}\n  labels: {app: db}\nspec: {containers: [{name: c, image: x}]}\n";
static const char cross_defs[] =
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: conf, namespace: team}\n---\n"
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: team\n"
        "  labels: {app: web, tier: front}\nspec: {selector: {app: web}}\n";

static void test_custom_engine(void)
{
	gr_error err;
	gr_options *o = gr_options_new();
	CHECK(gr_options_register(o, &probe, &err) == 0);
	CHECK(gr_options_register(o, &probe, &err) == -1 && strstr(err.message, "already"));
	const char *const *names;
	size_t n = gr_options_engines(o, &names);
	size_t builtins = 0;
	while (gr_builtin_engines[builtins])
		builtins++;
	CHECK(n == builtins + 1 && strcmp(names[n - 1], "probe") == 0); /* after the built-ins */
	CHECK(gr_options_set(o, "probe", "colour", "red", &err) == -1);
	gr_checker *c = checker("probe", o);
	CHECK(c != NULL);
	if (!c)
		return;
	input in[] = {{"pods.yaml", cross}, {"defs.yaml", cross_defs}};
	gr_summary sum;
	char *out = run(c, in, 2, 2, 0, &sum);
	CHECK(prepared_configmaps == 1);
	/* pod b names a missing ConfigMap; pod a is selected by a Service, b is not */
	CHECK(strstr(out, "no ConfigMap other") != NULL && strstr(out, "no ConfigMap conf") == NULL);
	CHECK(strstr(out, "no Service selects app=db") != NULL && strstr(out, "app=web") == NULL);
	CHECK(sum.invalid == 1 && sum.errors == 0);
	free(out);
	gr_checker_unref(c);

	/* an engine that fails: an error and a finding, not fewer findings */
	o = gr_options_new();
	gr_options_register(o, &probe, &err);
	gr_options_set(o, "probe", "fail", "true", &err);
	c = checker("probe", o);
	if (!c)
		return;
	out = run(c, in, 2, 1, 0, &sum);
	CHECK(sum.errors == 2 && strstr(out, "\"rule\":\"engine\"") && strstr(out, "probe broke"));
	free(out);
	gr_checker_unref(c);
}

/* ---- inputs: trees, failures, lists; the set's own API ---- */

static void test_inputs_and_set(void)
{
	gr_checker *c = checker("schema", NULL);
	if (!c)
		return;
	gr_arena a;
	gr_arena_init(&a);
	gr_value root;
	gr_error err;
	const char *j =
	        "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"apiVersion\":\"v1\",\"kind\":"
	        "\"ConfigMap\",\"metadata\":{\"name\":\"x\"}},{\"apiVersion\":\"v1\",\"kind\":\"Pod\","
	        "\"metadata\":{\"name\":\"p\"},\"spec\":{}}]}";
	CHECK(gr_decode_json(&a, j, strlen(j), NULL, &root, &err) == 0);
	gr_session *s = gr_session_new(c, NULL);
	CHECK(gr_session_add_value(s, "request.object", &root) == 0);
	gr_error why;
	gr_error_set(&why, 0, 0, "permission denied");
	CHECK(gr_session_add_failed(s, "secret.yaml", &why) == 0);
	capture cap = {.rep = gr_reporter_new(GR_FORMAT_TEXT, false, "t")};
	gr_buf_init(&cap.out);
	gr_summary sum;
	CHECK(gr_session_run(s, on_result, &cap, &sum, &err) == 0);
	/* the List's two items; the pod lacks containers; the failed input is an error */
	CHECK(sum.files == 2 && sum.objects == 2 && sum.invalid == 1 && sum.errors == 1);
	CHECK(cap.errors == 1 && cap.out.data && strstr(cap.out.data, "secret.yaml: error read"));
	gr_buf_free(&cap.out);
	gr_reporter_free(cap.rep);
	gr_session_free(s);

	/* stop early from the callback */
	static const char one[] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";
	s = gr_session_new(c, NULL);
	for (int i = 0; i < 5; i++)
		gr_session_add_bytes(s, "x.yaml", one, strlen(one));
	capture stop = {.rep = gr_reporter_new(GR_FORMAT_TEXT, false, "t"), .stop_after = 2};
	gr_buf_init(&stop.out);
	CHECK(gr_session_run(s, on_result, &stop, &sum, &err) == 0 && stop.calls == 2 && sum.files == 2);
	gr_buf_free(&stop.out);
	gr_reporter_free(stop.rep);
	gr_session_free(s);

	/* a set built by hand: lookups by name, kind and labels, in input order */
	gr_set *set = gr_set_new();
	const char *y = "apiVersion: v1\nkind: Service\nmetadata: {name: s1, namespace: team, labels: {a: "
	                "'1', b: '2'}}\n"
	                "---\napiVersion: v1\nkind: Service\nmetadata: {name: s2, namespace: team, labels: "
	                "{a: '1'}}\n"
	                "---\napiVersion: v1\nkind: Service\nmetadata: {name: s3, namespace: other, labels: "
	                "{a: '1'}}\n";
	gr_document *docs;
	size_t nd;
	CHECK(gr_decode(&a, y, strlen(y), NULL, &docs, &nd, &err) == 0 && nd == 3);
	for (size_t d = 0; d < nd; d++) {
		gr_object *objs;
		size_t no;
		gr_objects_from_document(&a, &docs[d], "svc.yaml", &objs, &no);
		CHECK(gr_set_add(set, &objs[0], d == 0) == 0);
	}
	gr_arena_free(&a); /* the set copied what it keeps */
	CHECK(gr_set_count(set) == 3);
	const gr_object *o = gr_set_find(set, "", "Service", "team", "s2");
	CHECK(o && strcmp(o->name, "s2") == 0 && o->root == NULL);
	CHECK(gr_set_find(set, "", "Service", "team", "s3") == NULL);
	CHECK(gr_set_has_tree(set, 0) && gr_set_object(set, 0)->root != NULL);
	CHECK(gr_get_str(gr_get_path(gr_set_object(set, 0)->root, "metadata", NULL), "name") != NULL);
	const size_t *idx;
	CHECK(gr_set_kind(set, "", "Service", &idx) == 3 && idx[0] == 0 && idx[2] == 2);
	CHECK(gr_set_kind(set, "apps", "Service", &idx) == 0);
	gr_label sel[] = {{"a", "1"}, {"b", "2"}};
	size_t hits = 0;
	CHECK(gr_set_select(set, "", "Service", "team", sel, 1, count_match, &hits) == 2 && hits == 2);
	CHECK(gr_set_select(set, "", "Service", NULL, sel, 1, count_match, &hits) == 3);
	CHECK(gr_set_select(set, "", "Service", NULL, sel, 2, count_match, &hits) == 1);
	gr_label none[] = {{"a", "9"}};
	CHECK(gr_set_select(set, "", "Service", NULL, none, 1, count_match, &hits) == 0);
	const gr_label *labels;
	CHECK(gr_set_labels(set, 0, &labels) == 2 && strcmp(labels[1].key, "b") == 0);
	gr_set_free(set);
	gr_checker_unref(c);
}

/* ---- limits: an input over the size limit says so, read or given ---- */

static void test_limits(void)
{
	gr_checker *c = checker("pss", NULL);
	if (!c)
		return;
	char path[] = "/tmp/gr-limit-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	FILE *f = fdopen(fd, "w");
	fputs(pod_in_shop, f);
	fclose(f);
	gr_session_options so;
	gr_session_options_default(&so);
	so.limits.max_bytes = 16;
	gr_session *s = gr_session_new(c, &so);
	gr_session_add_file(s, path);
	gr_session_add_bytes(s, "big.yaml", pod_in_shop, strlen(pod_in_shop));
	capture cap = {.rep = gr_reporter_new(GR_FORMAT_TEXT, false, "t")};
	gr_buf_init(&cap.out);
	gr_summary sum;
	gr_error err;
	CHECK(gr_session_run(s, on_result, &cap, &sum, &err) == 0);
	CHECK(sum.errors == 2 && sum.objects == 0);
	/* the fix speaks of the size, not of paths and permissions */
	const char *out = cap.out.data ? cap.out.data : "";
	CHECK(strstr(out, "error read") && strstr(out, "error decode"));
	CHECK(strstr(out, "over the size limit") != NULL && strstr(out, "permissions") == NULL);
	gr_buf_free(&cap.out);
	gr_reporter_free(cap.rep);
	gr_session_free(s);
	unlink(path);
	gr_checker_unref(c);
}

/* ---- the cell: a checker replaced while references are held ---- */

static void test_cell(void)
{
	gr_checker *one = checker("pss", NULL), *two = checker("pss", NULL);
	if (!one || !two)
		return;
	gr_checker_cell *cell = gr_checker_cell_new(one);
	gr_checker *held = gr_checker_cell_get(cell);
	CHECK(held == one);
	gr_checker_cell_set(cell, two);
	gr_checker *now = gr_checker_cell_get(cell);
	CHECK(now == two);
	/* the old one is still usable by its holder */
	gr_summary sum;
	input in[] = {{"pod.yaml", pod_in_shop}};
	char *out = run(held, in, 1, 1, 0, &sum);
	CHECK(sum.objects == 1);
	free(out);
	gr_checker_unref(held);
	gr_checker_unref(now);
	gr_checker_unref(one);
	gr_checker_unref(two);
	gr_checker_cell_free(cell);
}

/* Helm's `# Source:` comments: a finding of a rendered document at its
 * template, on every path of the session (judged early, judged with the
 * set after the trees were dropped and decoded again, on threads). */
static void test_helm_source(void)
{
	gr_checker *c = checker("schema", NULL);
	char rendered[1024], plain_pod[600];
	snprintf(rendered, sizeof rendered, "---\n# Source: shop/templates/widget.yaml\n%s", widget_bad);
	snprintf(plain_pod, sizeof plain_pod, "# Source: shop/templates/pod.yaml\n%s  bad: 1\n", pod_in_shop);
	const input in[] = {{"crd.yaml", crd}, {"<stdin>", rendered}, {"pod.yaml", plain_pod}};
	for (unsigned jobs = 1; jobs <= 2; jobs++)
		for (size_t retain = 0; retain <= 1; retain++) {
			gr_summary sum;
			helm_source = GR_HELM_SOURCE_NEVER;
			char *never = run(c, in, 3, jobs, retain, &sum);
			helm_source = GR_HELM_SOURCE_STREAMS;
			char *streams = run(c, in, 3, jobs, retain, &sum);
			helm_source = GR_HELM_SOURCE_ALWAYS;
			char *always = run(c, in, 3, jobs, retain, &sum);
			/* the widget's finding: its line in the input, less the comment's (line 2) */
			static const char prefix[] = "\"file\":\"<stdin>\",\"document\":0,\"line\":";
			const char *at = strstr(never, prefix);
			unsigned line = at ? (unsigned)atoi(at + sizeof prefix - 1) : 0;
			CHECK(line > 3);
			char want[200], rendered_at[100];
			snprintf(want, sizeof want,
			         "\"file\":\"shop/templates/widget.yaml\",\"document\":0,\"line\":%u,",
			         line - 2);
			snprintf(rendered_at, sizeof rendered_at,
			         "\"rendered\":{\"file\":\"<stdin>\",\"line\":%u}", line);
			CHECK(!strstr(never, "rendered") && !strstr(never, "templates"));
			CHECK(strstr(streams, want) && strstr(streams, rendered_at));
			CHECK(strstr(always, want) && strstr(always, rendered_at));
			/* bytes given to the session are a stream's (a file is one only
			 * with ALWAYS: tests/cases/check/helm-source-file); the pod's
			 * unknown field, line 7 of its input, is line 6 of its template */
			CHECK(strstr(never, "\"file\":\"pod.yaml\",\"document\":0,\"line\":7,"));
			CHECK(strstr(streams,
			             "\"file\":\"shop/templates/pod.yaml\",\"document\":0,\"line\":6,"));
			CHECK(strstr(always,
			             "\"file\":\"shop/templates/pod.yaml\",\"document\":0,\"line\":6,"));
			free(never);
			free(streams);
			free(always);
		}
	helm_source = GR_HELM_SOURCE_NEVER;
	gr_checker_unref(c);
}

int main(void)
{
	test_set_level_order();
	test_custom_engine();
	test_inputs_and_set();
	test_limits();
	test_cell();
	test_helm_source();
	return test_report("pipeline");
}
