/*
 * test_early.c — inputs judged as soon as they are decoded (no engine needs
 * the set for them) are judged again when a later input holds a policy
 * that concerns them (gr_engine.revoking_kinds): the verdicts are those of
 * a run with the policy first, whatever the order, the number of threads,
 * or whether the object's tree was kept (ConfigMap, a declared kind) or
 * must be decoded again (a Service; a file is read again).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guardrail/guardrail.h"
#include "testlib.h"

static const char svc[] = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n"
                          "spec: {ports: [{port: 80}]}\n";
static const char cm[] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: conf, namespace: shop}\n"
                         "data: {a: b}\n";
static const char vap[] = "apiVersion: admissionregistration.k8s.io/v1\n"
                          "kind: ValidatingAdmissionPolicy\nmetadata: {name: deny}\nspec:\n"
                          "  matchConstraints:\n    resourceRules:\n"
                          "    - {apiGroups: [''], apiVersions: [v1], operations: [CREATE], "
                          "resources: [services, configmaps]}\n"
                          "  validations:\n  - {expression: 'false', message: denied}\n---\n"
                          "apiVersion: admissionregistration.k8s.io/v1\n"
                          "kind: ValidatingAdmissionPolicyBinding\nmetadata: {name: deny}\n"
                          "spec: {policyName: deny, validationActions: [Deny]}\n";
static const char kyv[] = "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: team}\n"
                          "spec:\n  validationFailureAction: Enforce\n  rules:\n  - name: team\n"
                          "    match: {any: [{resources: {kinds: [ConfigMap, Service]}}]}\n"
                          "    validate:\n      message: a team label\n"
                          "      pattern: {metadata: {labels: {team: '?*'}}}\n";

static gr_checker *checker(const char *engines)
{
	gr_error err;
	gr_options *o = gr_options_new();
	gr_checker *c = NULL;
	if (gr_options_select(o, engines, &err) || gr_checker_new(&c, o, &err))
		fprintf(stderr, "checker: %s\n", err.message);
	gr_options_free(o);
	return c;
}

typedef struct tally {
	size_t files;
	char rules[512];
} tally;

static int on_result(void *user, const gr_input_result *r)
{
	tally *t = user;
	t->files++;
	for (size_t i = 0; i < r->report.nfindings; i++) {
		size_t l = strlen(t->rules);
		snprintf(t->rules + l, sizeof t->rules - l, "%s:%s ", r->report.file,
		         r->report.findings[i].rule);
	}
	return 0;
}

/* Run the inputs ("svc", "cm", "vap", "kyv", or "@svc": the Service from
 * a file) in order; the findings as "file:rule ..." and the summary. */
static void run(gr_checker *c, const char *const *names, size_t n, unsigned jobs, const char *svc_path,
                tally *t, gr_summary *sum)
{
	gr_session_options so;
	gr_session_options_default(&so);
	so.jobs = jobs;
	gr_session *s = gr_session_new(c, &so);
	for (size_t i = 0; i < n; i++) {
		const char *y = !strcmp(names[i], "svc")   ? svc
		                : !strcmp(names[i], "cm")  ? cm
		                : !strcmp(names[i], "vap") ? vap
		                                           : kyv;
		if (!strcmp(names[i], "@svc"))
			gr_session_add_file(s, svc_path);
		else
			gr_session_add_bytes(s, names[i], y, strlen(y));
	}
	memset(t, 0, sizeof *t);
	gr_error err;
	CHECK(gr_session_run(s, on_result, t, sum, &err) == 0);
	CHECK(t->files == n);
	gr_session_free(s);
}

static void test_vap(const char *svc_path)
{
	gr_checker *c = checker("vap");
	if (!c)
		return;
	static const char *const before[] = {"svc", "cm", "vap"}, *const after[] = {"vap", "svc", "cm"};
	static const char *const file[] = {"@svc", "cm", "vap"};
	for (unsigned jobs = 1; jobs <= 2; jobs++) {
		tally t;
		gr_summary sum;
		run(c, before, 3, jobs, svc_path, &t, &sum);
		CHECK(sum.invalid == 2 && sum.objects == 4);
		CHECK(strstr(t.rules, "svc:vap.deny") != NULL);
		CHECK(strstr(t.rules, "cm:vap.deny") != NULL);
		tally t2;
		run(c, after, 3, jobs, svc_path, &t2, &sum);
		CHECK(sum.invalid == 2);
		CHECK(strstr(t2.rules, "svc:vap.deny") != NULL && strstr(t2.rules, "cm:vap.deny") != NULL);
		run(c, file, 3, jobs, svc_path, &t, &sum);
		CHECK(sum.invalid == 2 && sum.errors == 0);
		CHECK(strstr(t.rules, "svc.yaml:vap.deny") != NULL); /* read again */
	}
	/* without the policy, nothing to judge them against */
	static const char *const none[] = {"svc", "cm"};
	tally t;
	gr_summary sum;
	run(c, none, 2, 1, svc_path, &t, &sum);
	CHECK(sum.invalid == 0 && t.rules[0] == '\0');
	gr_checker_unref(c);
}

static void test_kyverno(const char *svc_path)
{
	gr_checker *c = checker("kyverno");
	if (!c)
		return;
	static const char *const before[] = {"svc", "cm", "kyv"}, *const file[] = {"@svc", "kyv"};
	tally t;
	gr_summary sum;
	run(c, before, 3, 1, svc_path, &t, &sum);
	CHECK(sum.invalid == 2);
	CHECK(strstr(t.rules, "svc:kyverno.team") != NULL || strstr(t.rules, "svc:kyverno") != NULL);
	CHECK(strstr(t.rules, "cm:kyverno") != NULL);
	run(c, file, 2, 1, svc_path, &t, &sum);
	CHECK(sum.invalid == 1 && strstr(t.rules, "svc.yaml:kyverno") != NULL);
	gr_checker_unref(c);
}

int main(void)
{
	char dir[] = "/tmp/gr-early-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	char path[64];
	snprintf(path, sizeof path, "%s/svc.yaml", dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return 1;
	fputs(svc, f);
	fclose(f);
	test_vap(path);
	test_kyverno(path);
	unlink(path);
	rmdir(dir);
	return test_report("early");
}
