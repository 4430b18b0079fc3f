/*
 * pod_security.c — conformance of the pss engine with upstream's Pod
 * Security fixtures (../shared/conformance/pod-security).
 *
 * Layout: <level>/v1.<minor>/{pass,fail}/<check><N>.yaml, one Pod each. A
 * pass fixture must give no pss finding when judged (as enforce) at its level
 * and version; a fail fixture must give at least one, among them the check
 * its file name names, whose message holds the text upstream's own test
 * requires (expected-reasons.tsv). Like upstream's integration test, every
 * pod is also wrapped in a Deployment, a Job and a CronJob (value trees
 * built in memory around the same pod nodes, so line numbers survive): the
 * wrapped verdict must be the same, with paths under the wrapper's pod spec.
 *
 * The newest version's fixtures are judged once more at "latest".
 *
 * Prints "pod-security: N passed, N failed"; no known failures.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/guardrail.h"
#include "guardrail/pss.h"

#define ROOT "../shared/conformance/pod-security"

typedef struct expectation {
	char prefix[64];
	char check_id[64];
	char reason[128]; /* "" when upstream asserts none */
} expectation;

static expectation expectations[64];
static size_t nexpectations;
static int passed, failed, reported;

static void fail(const char *file, const char *wrapper, const char *fmt, const char *a)
{
	failed++;
	if (reported++ < 60) {
		fprintf(stderr, "FAIL %s [%s]: ", file, wrapper);
		fprintf(stderr, fmt, a);
		fputc('\n', stderr);
	}
}

static int load_expectations(void)
{
	FILE *f = fopen(ROOT "/expected-reasons.tsv", "r");
	if (!f)
		return -1;
	char line[512];
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\r\n")] = '\0';
		char *cols[4] = {0};
		char *p = line;
		for (int i = 0; i < 4 && p; i++) {
			cols[i] = p;
			p = strchr(p, '\t');
			if (p)
				*p++ = '\0';
		}
		if (!cols[3] || nexpectations >= sizeof expectations / sizeof expectations[0])
			continue;
		expectation *e = &expectations[nexpectations++];
		snprintf(e->prefix, sizeof e->prefix, "%s", cols[0]);
		snprintf(e->check_id, sizeof e->check_id, "%s", cols[1]);
		snprintf(e->reason, sizeof e->reason, "%s", strcmp(cols[3], "-") == 0 ? "" : cols[3]);
	}
	fclose(f);
	return nexpectations ? 0 : -1;
}

/* "capabilities_baseline2.yaml" -> expectation for "capabilities_baseline". */
static const expectation *expectation_for(const char *name)
{
	char prefix[128];
	snprintf(prefix, sizeof prefix, "%.100s", name);
	char *dot = strstr(prefix, ".yaml");
	if (dot)
		*dot = '\0';
	size_t n = strlen(prefix);
	while (n > 0 && prefix[n - 1] >= '0' && prefix[n - 1] <= '9')
		prefix[--n] = '\0';
	for (size_t i = 0; i < nexpectations; i++)
		if (strcmp(expectations[i].prefix, prefix) == 0)
			return &expectations[i];
	return NULL;
}

static void set_member(gr_value *obj, size_t i, const char *key, gr_value v)
{
	gr_member *m = &obj->u.o.members[i];
	gr_member_set_key(m, key, strlen(key));
	m->value = v;
}

static gr_value pod_template(gr_arena *a, const gr_value *pod)
{
	gr_value t = gr_make_object(a, 2);
	const gr_value *meta = gr_get(pod, "metadata");
	const gr_value *spec = gr_get(pod, "spec");
	set_member(&t, 0, "metadata", meta ? *meta : gr_make_object(a, 0));
	set_member(&t, 1, "spec", spec ? *spec : gr_make_object(a, 0));
	return t;
}

static gr_value header(gr_arena *a, gr_value *root, const char *api, const char *kind)
{
	set_member(root, 0, "apiVersion", gr_make_string_ref(api, strlen(api)));
	set_member(root, 1, "kind", gr_make_string_ref(kind, strlen(kind)));
	gr_value meta = gr_make_object(a, 1);
	set_member(&meta, 0, "name", gr_make_string_ref("wrapped", 7));
	return meta;
}

/* wrapper: 0 Deployment, 1 Job, 2 CronJob */
static gr_value wrap(gr_arena *a, const gr_value *pod, int wrapper)
{
	static const char *const apis[] = {"apps/v1", "batch/v1", "batch/v1"};
	static const char *const kinds[] = {"Deployment", "Job", "CronJob"};
	gr_value root = gr_make_object(a, 4);
	set_member(&root, 2, "metadata", header(a, &root, apis[wrapper], kinds[wrapper]));
	gr_value spec = gr_make_object(a, 2);
	if (wrapper == 2) {
		gr_value job_spec = gr_make_object(a, 1);
		set_member(&job_spec, 0, "template", pod_template(a, pod));
		gr_value job_template = gr_make_object(a, 1);
		set_member(&job_template, 0, "spec", job_spec);
		set_member(&spec, 0, "schedule", gr_make_string_ref("0 * * * *", 9));
		set_member(&spec, 1, "jobTemplate", job_template);
	} else {
		set_member(&spec, 0, wrapper == 0 ? "selector" : "backoffLimit",
		           wrapper == 0 ? gr_make_object(a, 0) : gr_make_int(0));
		set_member(&spec, 1, "template", pod_template(a, pod));
	}
	set_member(&root, 3, "spec", spec);
	return root;
}

static bool starts_with(const char *s, const char *prefix)
{
	return prefix && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Judge one object; check the verdict. Returns a bitmask-free signature of
 * rule ids found (sorted, joined) into sig for cross-wrapper comparison. */
static void judge(gr_checker *state, const gr_object *obj, gr_arena *a, const char *file, const char *wrapper,
                  bool expect_pass, const expectation *ex, char *sig, size_t sigcap)
{
	gr_findings out;
	gr_findings_init(&out, a);
	gr_check_ctx ctx = {.arena = a};
	gr_error err;
	if (gr_checker_check_object(state, obj, &ctx, &out, NULL, &err))
		fail(file, wrapper, "engine failed: %s", err.message);
	sig[0] = '\0';
	bool ok = true;
	if (expect_pass) {
		if (out.len != 0) {
			ok = false;
			char msg[600];
			snprintf(msg, sizeof msg, "%s %s: %s", out.items[0].rule, out.items[0].path,
			         out.items[0].message);
			fail(file, wrapper, "expected no finding, got %s", msg);
		}
	} else {
		char want[96];
		snprintf(want, sizeof want, "pss.%s", ex->check_id);
		bool found = false;
		for (size_t i = 0; i < out.len; i++)
			if (strcmp(out.items[i].rule, want) == 0 && strstr(out.items[i].message, ex->reason))
				found = true;
		if (!found) {
			ok = false;
			char msg[700];
			snprintf(msg, sizeof msg, "no %s finding with \"%s\" (%zu findings%s%s)", want,
			         ex->reason, out.len, out.len ? ", first: " : "",
			         out.len ? out.items[0].message : "");
			fail(file, wrapper, "%s", msg);
		}
	}
	for (size_t i = 0; i < out.len && ok; i++) {
		const gr_finding *f = &out.items[i];
		if (!starts_with(f->path, obj->pod_spec_path) &&
		    !starts_with(f->path, obj->pod_metadata_path)) {
			ok = false;
			fail(file, wrapper, "path %s is not under the pod spec", f->path);
		} else if (f->line == 0 || f->column == 0) {
			ok = false;
			fail(file, wrapper, "finding at %s has no line/column", f->path);
		} else if (f->action != GR_ACTION_ENFORCE || f->severity != GR_SEV_ERROR) {
			ok = false;
			fail(file, wrapper, "finding %s is not an enforce error", f->rule);
		}
	}
	size_t len = 0;
	for (size_t i = 0; i < out.len; i++) {
		int n = snprintf(sig + len, sigcap - len, "%s;", out.items[i].rule);
		if (n < 0 || (size_t)n >= sigcap - len)
			break;
		len += (size_t)n;
	}
	if (ok)
		passed++;
	gr_findings_free(&out);
}

static void run_file(gr_checker *state, const char *path, const char *name, bool expect_pass)
{
	const expectation *ex = expectation_for(name);
	if (!expect_pass && !ex) {
		fail(path, "Pod", "%s", "no expectation for this file name in expected-reasons.tsv");
		return;
	}
	char *data;
	size_t len;
	gr_error err;
	gr_error_clear(&err);
	if (gr_read_file(path, 0, &data, &len, &err) != 0) {
		fail(path, "Pod", "read: %s", err.message);
		return;
	}
	gr_arena a;
	gr_arena_init(&a);
	gr_document *docs;
	size_t ndocs;
	gr_object *objs;
	size_t nobjs;
	if (gr_decode(&a, data, len, NULL, &docs, &ndocs, &err) != 0 || ndocs != 1 ||
	    gr_objects_from_document(&a, &docs[0], path, &objs, &nobjs) != 0 || nobjs != 1 ||
	    !objs[0].pod_spec) {
		fail(path, "Pod", "decode: %s", err.message[0] ? err.message : "not one Pod");
	} else {
		char sig_pod[2048], sig[2048];
		judge(state, &objs[0], &a, path, "Pod", expect_pass, ex, sig_pod, sizeof sig_pod);
		static const char *const names[] = {"Deployment", "Job", "CronJob"};
		for (int w = 0; w < 3; w++) {
			gr_value *root = gr_arena_alloc(&a, sizeof *root);
			*root = wrap(&a, objs[0].root, w);
			gr_object o;
			gr_object_init(&a, &o, root, path, 0, -1);
			if (!o.pod_spec || strcmp(o.kind, names[w]) != 0) {
				fail(path, names[w], "%s", "wrapper has no pod spec");
				continue;
			}
			int before = failed;
			judge(state, &o, &a, path, names[w], expect_pass, ex, sig, sizeof sig);
			if (failed == before && strcmp(sig, sig_pod) != 0) {
				passed--;
				fail(path, names[w], "rules differ from the Pod's: %s", sig);
			}
		}
	}
	gr_arena_free(&a);
	free(data);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int yaml_only(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return n > 5 && strcmp(d->d_name + n - 5, ".yaml") == 0;
}

/* Judge every fixture of one folder with the engine set to enforce spec. */
static void run_folder(const char *dir, const char *spec_text)
{
	gr_checker *state = NULL;
	gr_error err;
	gr_options *o = gr_options_new();
	if (gr_options_select(o, "pss", &err) || gr_options_set(o, "pss", "enforce", spec_text, &err) ||
	    gr_options_set(o, "pss", "warn", "", &err) || gr_options_set(o, "pss", "audit", "", &err) ||
	    gr_checker_new(&state, o, &err)) {
		gr_options_free(o);
		fail(dir, "-", "create: %s", err.message);
		return;
	}
	gr_options_free(o);
	for (int p = 0; p < 2; p++) {
		char sub[600];
		snprintf(sub, sizeof sub, "%s/%s", dir, p ? "fail" : "pass");
		struct dirent **list;
		int n = scandir(sub, &list, yaml_only, by_name);
		for (int i = 0; i < n; i++) {
			char path[1024];
			snprintf(path, sizeof path, "%s/%s", sub, list[i]->d_name);
			run_file(state, path, list[i]->d_name, p == 0);
			free(list[i]);
		}
		if (n >= 0)
			free(list);
	}
	gr_checker_unref(state);
}

/* Verdicts over every fixture, level, version and wrapper kind. */
#define CHECKS 18740

int main(void)
{
	if (load_expectations() != 0) {
		fprintf(stderr, "cannot read " ROOT "/expected-reasons.tsv\n");
		printf("pod-security: 0 passed, 1 failed\n");
		return 1;
	}
	static const char *const levels[] = {"baseline", "restricted"};
	int folders = 0;
	for (int l = 0; l < 2; l++) {
		int newest = -1;
		for (int minor = 0; minor < 1000; minor++) {
			char dir[512];
			snprintf(dir, sizeof dir, ROOT "/%s/v1.%d", levels[l], minor);
			DIR *d = opendir(dir);
			if (!d) {
				if (minor > 40)
					break;
				continue;
			}
			closedir(d);
			folders++;
			newest = minor;
			char spec_text[64];
			snprintf(spec_text, sizeof spec_text, "%s:v1.%d", levels[l], minor);
			run_folder(dir, spec_text);
		}
		/* The newest fixtures judged at "latest" must give the same verdicts. */
		if (newest >= 0) {
			char dir[512], spec_text[64];
			snprintf(dir, sizeof dir, ROOT "/%s/v1.%d", levels[l], newest);
			snprintf(spec_text, sizeof spec_text, "%s:latest", levels[l]);
			run_folder(dir, spec_text);
		}
	}
	if (folders == 0)
		fail(ROOT, "-", "%s", "no fixture folders found");
	/* every verdict counts once; a suite that shrinks or grows unreviewed fails */
	int ran = passed + failed;
	printf("pod-security: ran %d checks\n", ran);
	if (ran != CHECKS) {
		printf("FAIL  ran %d checks, expected %d (fixtures were added, removed or not read)\n", ran,
		       CHECKS);
		failed++;
	}
	printf("pod-security: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
