/*
 * test_crdkeep.c — what a session keeps of the CRDs among its inputs. With
 * no engine that judges objects again (schema alone), kept CRD trees lose
 * their schema descriptions and the schemas of versions no input uses or
 * an earlier CRD registers first; equal subschemas compile to one node.
 * None of it may change a finding: the same inputs give the same findings
 * with an engine that keeps whole trees (vap), in any order of inputs and
 * with one or two threads; a property named "description" is still a
 * property; two definitions that differ only in a description still
 * conflict. Every engine set prunes now: when a policy of the inputs makes
 * vap judge a CRD judged early again, it judges the whole tree (kept as
 * bytes), descriptions included.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/guardrail.h"
#include "testlib.h"

#define SCHEMAS "../shared/k8s-openapi"

/* v1 and v2 of Widget; v1's spec has a property named "description", and
 * two equal subschemas (a and b) whose default objects sit at different
 * places. */
static const char crd[] =
        "apiVersion: apiextensions.k8s.io/v1\n"
        "kind: CustomResourceDefinition\n"
        "metadata: {name: widgets.example.com}\n"
        "spec:\n"
        "  group: example.com\n"
        "  names: {kind: Widget, plural: widgets}\n"
        "  scope: Namespaced\n"
        "  versions:\n"
        "  - name: v1\n"
        "    served: true\n"
        "    storage: true\n"
        "    schema:\n"
        "      openAPIV3Schema:\n"
        "        type: object\n"
        "        description: a widget\n"
        "        properties:\n"
        "          spec:\n"
        "            type: object\n"
        "            description: the widget's spec\n"
        "            properties:\n"
        "              description: {type: integer, description: a property named description}\n"
        "              size: {type: integer, maximum: 10, description: how big}\n"
        "              a:\n"
        "                type: object\n"
        "                properties:\n"
        "                  x: {type: string, enum: [p, q], description: one of two}\n"
        "                  d: {type: object, default: {n: 1}, properties: {n: {type: integer}}}\n"
        "              b:\n"
        "                type: object\n"
        "                properties:\n"
        "                  x: {type: string, enum: [p, q], description: one of two}\n"
        "                  d: {type: object, default: {n: 1}, properties: {n: {type: integer}}}\n"
        "  - name: v2\n"
        "    served: true\n"
        "    storage: false\n"
        "    schema:\n"
        "      openAPIV3Schema:\n"
        "        type: object\n"
        "        properties:\n"
        "          spec:\n"
        "            type: object\n"
        "            properties:\n"
        "              size: {type: string, description: how big in words}\n";

/* The same CRD but for one description: a conflict. */
static const char crd_other_text[] = "apiVersion: apiextensions.k8s.io/v1\n"
                                     "kind: CustomResourceDefinition\n"
                                     "metadata: {name: widgets.example.com}\n"
                                     "spec:\n"
                                     "  group: example.com\n"
                                     "  names: {kind: Widget, plural: widgets}\n"
                                     "  scope: Namespaced\n"
                                     "  versions:\n"
                                     "  - name: v1\n"
                                     "    served: true\n"
                                     "    storage: true\n"
                                     "    schema:\n"
                                     "      openAPIV3Schema:\n"
                                     "        type: object\n"
                                     "        description: another text\n";

static const char w1[] = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: ns}\n"
                         "spec:\n  description: words\n  size: 20\n  a: {x: r}\n  b: {x: p}\n";
static const char w2[] = "apiVersion: example.com/v2\nkind: Widget\nmetadata: {name: w2, namespace: ns}\n"
                         "spec: {size: 3}\n";

/* A policy on CRDs that reads what pruning takes away (a schema's
 * description): judged again with the set, the CRD must be judged whole. */
static const char vap_text[] =
        "apiVersion: admissionregistration.k8s.io/v1\n"
        "kind: ValidatingAdmissionPolicy\n"
        "metadata: {name: no-widget-text}\n"
        "spec:\n"
        "  matchConstraints:\n"
        "    resourceRules:\n"
        "    - apiGroups: [apiextensions.k8s.io]\n"
        "      apiVersions: [v1]\n"
        "      operations: [CREATE, UPDATE]\n"
        "      resources: [customresourcedefinitions]\n"
        "  validations:\n"
        "  - expression: \"!has(object.spec.versions[0].schema.openAPIV3Schema.description) || "
        "object.spec.versions[0].schema.openAPIV3Schema.description != 'a widget'\"\n"
        "    message: described as a widget\n"
        "---\n"
        "apiVersion: admissionregistration.k8s.io/v1\n"
        "kind: ValidatingAdmissionPolicyBinding\n"
        "metadata: {name: no-widget-text}\n"
        "spec:\n"
        "  policyName: no-widget-text\n"
        "  validationActions: [Deny]\n";

static gr_checker *checker(const char *engines)
{
	gr_error err;
	gr_options *o = gr_options_new();
	gr_checker *c = NULL;
	if (gr_options_select(o, engines, &err) || gr_options_set(o, "schema", "schema-dir", SCHEMAS, &err) ||
	    gr_options_set(o, "schema", "kubernetes-version", "1.30", &err) || gr_checker_new(&c, o, &err))
		fprintf(stderr, "checker: %s\n", err.message);
	gr_options_free(o);
	return c;
}

typedef struct tally {
	char out[4096];
	size_t files;
} tally;

static bool keep_vap;

static int on_result(void *user, const gr_input_result *r)
{
	tally *t = user;
	t->files++;
	for (size_t i = 0; i < r->report.nfindings; i++) {
		const gr_finding *f = &r->report.findings[i];
		if (!strncmp(f->rule, "vap.", 4) && !keep_vap)
			continue;
		size_t l = strlen(t->out);
		snprintf(t->out + l, sizeof t->out - l, "%s:%s:%s:%u:%u ", r->report.file, f->rule, f->path,
		         f->line, f->column);
	}
	return 0;
}

/* The inputs (names of the texts above) in order: the findings. */
static void run(const char *engines, const char *const *names, size_t n, unsigned jobs, tally *t)
{
	gr_checker *c = checker(engines);
	CHECK(c != NULL);
	if (!c)
		return;
	gr_session_options so;
	gr_session_options_default(&so);
	so.jobs = jobs;
	gr_session *s = gr_session_new(c, &so);
	for (size_t i = 0; i < n; i++) {
		const char *y = !strcmp(names[i], "crd")     ? crd
		                : !strcmp(names[i], "other") ? crd_other_text
		                : !strcmp(names[i], "w1")    ? w1
		                : !strcmp(names[i], "vap")   ? vap_text
		                                             : w2;
		gr_session_add_bytes(s, names[i], y, strlen(y));
	}
	memset(t, 0, sizeof *t);
	gr_summary sum;
	gr_error err;
	CHECK(gr_session_run(s, on_result, t, &sum, &err) == 0);
	CHECK(t->files == n);
	gr_session_free(s);
	gr_checker_unref(c);
}

/* schema alone (pruned) and schema,vap (whole trees) agree. */
static void same_both_ways(const char *const *names, size_t n, const char *must, const char *must_not)
{
	for (unsigned jobs = 1; jobs <= 2; jobs++) {
		tally pruned, whole;
		run("schema", names, n, jobs, &pruned);
		run("schema,vap", names, n, jobs, &whole);
		CHECK(strcmp(pruned.out, whole.out) == 0);
		if (strcmp(pruned.out, whole.out))
			fprintf(stderr, "pruned: %s\nwhole:  %s\n", pruned.out, whole.out);
		if (must && !strstr(pruned.out, must))
			fprintf(stderr, "missing %s in: %s\n", must, pruned.out);
		if (must)
			CHECK(strstr(pruned.out, must) != NULL);
		if (must_not)
			CHECK(strstr(pruned.out, must_not) == NULL);
	}
}

int main(void)
{
	/* v1 used, v2 not: v1's findings, the property named description kept */
	const char *a[] = {"crd", "w1"};
	same_both_ways(a, 2, "w1:schema.type:spec.description:5:16", NULL);
	same_both_ways(a, 2, "w1:schema.value:spec.size", NULL);
	same_both_ways(a, 2, "w1:schema.enum:spec.a.x", "spec.b.x");
	/* the custom resource first: the CRD still defines it */
	const char *b[] = {"w1", "crd", "w2"};
	same_both_ways(b, 3, "w1:schema.value:spec.size", NULL);
	same_both_ways(b, 3, "w2:schema.type:spec.size", NULL); /* v2 compiled when used */
	/* a later definition differing by a description: a conflict, and the
	 * first definition applies */
	const char *c[] = {"crd", "other", "w1"};
	same_both_ways(c, 3, "other:input.conflict", NULL);
	same_both_ways(c, 3, "w1:schema.value:spec.size", NULL);
	const char *d[] = {"other", "crd", "w1"};
	same_both_ways(d, 3, "crd:input.conflict", "w1:schema.value");
	/* the same definition twice: no conflict */
	const char *e[] = {"crd", "w2", "crd", "w1"};
	same_both_ways(e, 4, "w2:schema.type:spec.size", "input.conflict");
	/* a CRD judged early, then again once the inputs' policy is known: the
	 * policy reads its whole tree (a description), in either input order */
	keep_vap = true;
	const char *f[] = {"crd", "w1", "vap"}, *g[] = {"vap", "crd"};
	for (unsigned jobs = 1; jobs <= 2; jobs++) {
		tally t;
		run("schema,vap", f, 3, jobs, &t);
		CHECK(strstr(t.out, "crd:vap.no-widget-text") != NULL);
		CHECK(strstr(t.out, "w1:schema.value:spec.size") != NULL);
		run("schema,vap", g, 2, jobs, &t);
		CHECK(strstr(t.out, "crd:vap.no-widget-text") != NULL);
		run("vap", f, 3, jobs, &t);
		CHECK(strstr(t.out, "crd:vap.no-widget-text") != NULL);
	}
	keep_vap = false;
	return test_report("crdkeep");
}
