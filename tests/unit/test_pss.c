/* test_pss.c — the Pod Security engine: parsing, namespace labels, modes,
 * exemptions, paths and positions, versioned behaviour. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/guardrail.h"
#include "guardrail/pss.h"
#include "testlib.h"

static gr_arena arena;

/* Decode YAML (one or more documents) into objects. */
static gr_object *objects(const char *yaml, size_t *n)
{
	gr_document *docs;
	size_t ndocs;
	gr_error err;
	*n = 0;
	if (gr_decode(&arena, yaml, strlen(yaml), NULL, &docs, &ndocs, &err) != 0) {
		fprintf(stderr, "decode: %s\n", err.message);
		return NULL;
	}
	gr_object *all = gr_arena_calloc(&arena, 16, sizeof *all);
	for (size_t d = 0; d < ndocs; d++) {
		gr_object *objs;
		size_t k;
		gr_objects_from_document(&arena, &docs[d], "test.yaml", &objs, &k);
		for (size_t i = 0; i < k && *n < 16; i++)
			all[(*n)++] = objs[i];
	}
	return all;
}

typedef struct run {
	gr_findings out;
	gr_checker *checker; /* pss alone, derived with the Namespaces of the input */
} run;

/* A pss checker with the given modes (NULL: off) and exemptions. */
static gr_checker *pss_checker(const char *enforce, const char *warn, const char *audit,
                               const char *const *exempt_ns, size_t nns, const char *const *exempt_rc,
                               size_t nrc, gr_error *err)
{
	gr_options *o = gr_options_new();
	gr_checker *c = NULL;
	int rc = gr_options_select(o, "pss", err);
	rc = rc ? rc : gr_options_set(o, "pss", "enforce", enforce ? enforce : "", err);
	rc = rc ? rc : gr_options_set(o, "pss", "warn", warn ? warn : "", err);
	rc = rc ? rc : gr_options_set(o, "pss", "audit", audit ? audit : "", err);
	for (size_t i = 0; rc == 0 && i < nns; i++)
		rc = gr_options_set(o, "pss", "exempt-namespace", exempt_ns[i], err);
	for (size_t i = 0; rc == 0 && i < nrc; i++)
		rc = gr_options_set(o, "pss", "exempt-runtime-class", exempt_rc[i], err);
	if (rc == 0)
		gr_checker_new(&c, o, err);
	gr_options_free(o);
	return c;
}

/* Create the engine with the given modes, prepare it with every object (the
 * set, whose trees are copied: the objects' arena is freed before the
 * checks), check every object; findings of all objects in r->out. */
static int judge(run *r, const char *enforce, const char *warn, const char *audit,
                 const char *const *exempt_ns, size_t nns, const char *const *exempt_rc, size_t nrc,
                 const char *yaml)
{
	gr_error err;
	gr_findings_init(&r->out, &arena);
	r->checker = NULL;
	gr_checker *base = pss_checker(enforce, warn, audit, exempt_ns, nns, exempt_rc, nrc, &err);
	if (!base) {
		fprintf(stderr, "create: %s\n", err.message);
		return -1;
	}
	gr_arena scratch;
	gr_arena_init(&scratch);
	gr_arena saved = arena;
	arena = scratch;
	size_t n;
	gr_object *objs = objects(yaml, &n);
	gr_set *set = gr_set_new();
	for (size_t i = 0; i < n; i++)
		gr_set_add(set, &objs[i], true);
	scratch = arena;
	arena = saved;
	gr_arena_free(&scratch);
	int rc = gr_checker_derive(&r->checker, base, set, &err);
	gr_checker_unref(base);
	if (rc) {
		gr_set_free(set);
		fprintf(stderr, "derive: %s\n", err.message);
		return -1;
	}
	objs = objects(yaml, &n);
	for (size_t i = 0; i < n; i++) {
		gr_check_ctx ctx = {.arena = &arena, .set = set};
		gr_checker_check_object(r->checker, &objs[i], &ctx, &r->out, NULL, &err);
	}
	gr_set_free(set); /* the prepared state copied what it keeps */
	return 0;
}

static void done(run *r)
{
	gr_checker_unref(r->checker);
	gr_findings_free(&r->out);
}

static const gr_finding *find(const run *r, const char *rule)
{
	for (size_t i = 0; i < r->out.len; i++)
		if (strcmp(r->out.items[i].rule, rule) == 0)
			return &r->out.items[i];
	return NULL;
}

static size_t count(const run *r, const char *rule)
{
	size_t n = 0;
	for (size_t i = 0; i < r->out.len; i++)
		if (strcmp(r->out.items[i].rule, rule) == 0)
			n++;
	return n;
}

static void test_parsing(void)
{
	gr_pss_level l;
	int minor;
	gr_pss_spec s;
	gr_error err;
	CHECK(gr_pss_parse_level("baseline", &l) == 0 && l == GR_PSS_BASELINE);
	CHECK(gr_pss_parse_level("restricted", &l) == 0 && l == GR_PSS_RESTRICTED);
	CHECK(gr_pss_parse_level("privileged", &l) == 0 && l == GR_PSS_PRIVILEGED);
	CHECK(gr_pss_parse_level("Baseline", &l) == -1);
	CHECK(gr_pss_parse_level("", &l) == -1);
	CHECK(gr_pss_parse_level(NULL, &l) == -1);
	CHECK(gr_pss_parse_version("v1.25", &minor) == 0 && minor == 25);
	CHECK(gr_pss_parse_version("v1.0", &minor) == 0 && minor == 0);
	CHECK(gr_pss_parse_version("latest", &minor) == 0 && minor == GR_PSS_LATEST);
	CHECK(gr_pss_parse_version("v1.025", &minor) == -1);
	CHECK(gr_pss_parse_version("1.25", &minor) == -1);
	CHECK(gr_pss_parse_version("v2.0", &minor) == -1);
	CHECK(gr_pss_parse_version("v1.", &minor) == -1);
	CHECK(gr_pss_parse_version("v1.2x", &minor) == -1);
	CHECK(gr_pss_parse_version("v1.99999999999999999999", &minor) == 0 && minor == GR_PSS_LATEST);
	CHECK(gr_pss_parse_spec("restricted:v1.23", &s, &err) == 0 && s.level == GR_PSS_RESTRICTED &&
	      s.minor == 23);
	CHECK(gr_pss_parse_spec("baseline", &s, &err) == 0 && s.level == GR_PSS_BASELINE &&
	      s.minor == GR_PSS_LATEST);
	CHECK(gr_pss_parse_spec("baseline:", &s, &err) == -1);
	CHECK(gr_pss_parse_spec("strict:v1.2", &s, &err) == -1 && strstr(err.message, "strict"));
	CHECK(gr_pss_parse_spec("baseline:v9", &s, &err) == -1 && strstr(err.message, "v9"));
	char buf[16];
	CHECK_STR(gr_pss_version_name(7, buf, sizeof buf), "v1.7");
	CHECK_STR(gr_pss_version_name(GR_PSS_LATEST, buf, sizeof buf), "latest");

	/* a bad option names the option (not a command-line flag) and the value */
	gr_options *o = gr_options_new();
	CHECK(gr_options_set(o, "pss", "warn", "restricted:v1.x", &err) == -1);
	CHECK(strstr(err.message, "warn") && strstr(err.message, "restricted:v1.x") &&
	      !strstr(err.message, "--"));
	CHECK(gr_options_set(o, "pss", "enforce", "everything", &err) == -1 &&
	      strstr(err.message, "enforce"));
	CHECK(gr_options_set(o, "pss", "enforcement", "baseline", &err) == -1 &&
	      strstr(err.message, "unknown"));
	CHECK(gr_options_set(o, "pss", "enforce", "restricted:v1.20", &err) == 0);
	gr_options_free(o);
}

static void test_labels(void)
{
	gr_pss_policy p = {
	        {{GR_PSS_BASELINE, 20}, {GR_PSS_RESTRICTED, GR_PSS_LATEST}, {GR_PSS_PRIVILEGED, 5}}};
	CHECK(gr_pss_policy_apply_label(&p, "app", "x") == 0);
	CHECK(gr_pss_policy_apply_label(&p, "pod-security.kubernetes.io/enforcer", "x") == 0);
	CHECK(gr_pss_policy_apply_label(&p, "pod-security.kubernetes.io/enforce", "restricted") == 1);
	CHECK(p.mode[GR_PSS_ENFORCE].level == GR_PSS_RESTRICTED);
	CHECK(p.mode[GR_PSS_ENFORCE].minor == 20); /* version label absent: the default's version */
	CHECK(gr_pss_policy_apply_label(&p, "pod-security.kubernetes.io/enforce", "bogus") == -1);
	CHECK(p.mode[GR_PSS_ENFORCE].level == GR_PSS_RESTRICTED); /* invalid enforce: restricted */
	CHECK(gr_pss_policy_apply_label(&p, "pod-security.kubernetes.io/warn", "bogus") == -1);
	CHECK(p.mode[GR_PSS_WARN].level == GR_PSS_PRIVILEGED); /* invalid warn: fail open */
	CHECK(gr_pss_policy_apply_label(&p, "pod-security.kubernetes.io/audit", "Restricted") == -1);
	CHECK(p.mode[GR_PSS_AUDIT].level == GR_PSS_PRIVILEGED);
	CHECK(gr_pss_policy_apply_label(&p, "pod-security.kubernetes.io/audit-version", "v1.9") == 1);
	CHECK(p.mode[GR_PSS_AUDIT].minor == 9);
	CHECK(gr_pss_policy_apply_label(&p, "pod-security.kubernetes.io/enforce-version", "1.9") == -1);
	CHECK(p.mode[GR_PSS_ENFORCE].minor == GR_PSS_LATEST); /* invalid version: latest */
}

static const char *const POD_PRIV = "apiVersion: v1\n"
                                    "kind: Pod\n"
                                    "metadata:\n"
                                    "  name: p\n"
                                    "  namespace: team\n"
                                    "spec:\n"
                                    "  containers:\n"
                                    "  - name: app\n"
                                    "    image: x\n"
                                    "    securityContext:\n"
                                    "      privileged: true\n";

static void test_modes(void)
{
	run r;
	/* Defaults: enforce baseline, warn restricted. */
	judge(&r, "baseline:latest", "restricted:latest", NULL, NULL, 0, NULL, 0, POD_PRIV);
	const gr_finding *f = find(&r, "pss.privileged");
	CHECK(f && f->action == GR_ACTION_ENFORCE && f->severity == GR_SEV_ERROR);
	CHECK(count(&r, "pss.privileged") == 1); /* once, not once per mode */
	if (f) {
		CHECK_STR(f->message,
		          "privileged (container \"app\" must not set securityContext.privileged=true)");
		CHECK_STR(f->path, "spec.containers[0].securityContext.privileged");
		CHECK(f->line == 11 && f->column == 19);
		CHECK_STR(f->doc, "docs/rules/pss.md#privileged");
		CHECK(f->remediation && strstr(f->remediation, "privileged"));
	}
	f = find(&r, "pss.runAsNonRoot");
	CHECK(f && f->action == GR_ACTION_WARN && f->severity == GR_SEV_WARNING);
	if (f) {
		CHECK_STR(f->path, "spec.containers[0].securityContext.runAsNonRoot");
		CHECK(f->line == 11 && f->column == 7); /* unset: the securityContext mapping that lacks it */
		CHECK_STR(f->doc, "docs/rules/pss.md#runasnonroot");
	}
	f = find(&r, "pss.allowPrivilegeEscalation");
	CHECK(f && f->action == GR_ACTION_WARN);
	done(&r);

	/* Audit only. */
	judge(&r, NULL, NULL, "restricted:v1.0", NULL, 0, NULL, 0, POD_PRIV);
	f = find(&r, "pss.privileged");
	CHECK(f && f->action == GR_ACTION_AUDIT && f->severity == GR_SEV_WARNING);
	CHECK(find(&r, "pss.allowPrivilegeEscalation") == NULL); /* v1.8+ only */
	CHECK(find(&r, "pss.runAsNonRoot") != NULL);
	done(&r);

	/* Enforce restricted, warn baseline: everything is enforce. */
	judge(&r, "restricted", "baseline", "baseline", NULL, 0, NULL, 0, POD_PRIV);
	for (size_t i = 0; i < r.out.len; i++)
		CHECK(r.out.items[i].action == GR_ACTION_ENFORCE);
	CHECK(r.out.len >= 5);
	done(&r);

	/* Warn at an older version than enforce: the newer checks stay enforce,
	 * nothing duplicated. */
	judge(&r, "restricted:latest", "restricted:v1.20", NULL, NULL, 0, NULL, 0, POD_PRIV);
	CHECK(count(&r, "pss.capabilities_restricted") == 1);
	for (size_t i = 0; i < r.out.len; i++)
		CHECK(r.out.items[i].action == GR_ACTION_ENFORCE);
	done(&r);

	/* Privileged level everywhere: nothing. */
	judge(&r, "privileged", "privileged:v1.3", NULL, NULL, 0, NULL, 0, POD_PRIV);
	CHECK(r.out.len == 0);
	done(&r);
}

static void test_namespaces_and_exemptions(void)
{
	char yaml[4096];
	snprintf(yaml, sizeof yaml,
	         "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n  labels:\n"
	         "    pod-security.kubernetes.io/enforce: privileged\n"
	         "    pod-security.kubernetes.io/warn: baseline\n"
	         "    pod-security.kubernetes.io/audit: restricted\n"
	         "    pod-security.kubernetes.io/audit-version: v1.7\n"
	         "---\n%s"
	         "---\n"
	         "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: strict\n  labels:\n"
	         "    pod-security.kubernetes.io/enforce: nonsense\n"
	         "---\n"
	         "apiVersion: v1\nkind: Pod\nmetadata:\n  name: q\n  namespace: strict\n"
	         "spec:\n  containers:\n  - name: c\n    image: x\n",
	         POD_PRIV);
	run r;
	judge(&r, "baseline:latest", "restricted:latest", NULL, NULL, 0, NULL, 0, yaml);
	/* team: privileged is only warned (baseline), runAsNonRoot only audited. */
	const gr_finding *f = find(&r, "pss.privileged");
	CHECK(f && f->action == GR_ACTION_WARN && strcmp(f->object->namespace_, "team") == 0);
	f = find(&r, "pss.runAsNonRoot");
	CHECK(f != NULL);
	/* strict: invalid enforce label means restricted, enforced. */
	size_t strict_enforced = 0, team_audit = 0;
	for (size_t i = 0; i < r.out.len; i++) {
		const gr_finding *x = &r.out.items[i];
		if (strcmp(x->object->namespace_, "strict") == 0 && x->action == GR_ACTION_ENFORCE)
			strict_enforced++;
		if (strcmp(x->object->namespace_, "team") == 0 && x->action == GR_ACTION_AUDIT)
			team_audit++;
		if (strcmp(x->object->namespace_, "team") == 0)
			CHECK(strcmp(x->rule, "pss.allowPrivilegeEscalation") != 0); /* audit is v1.7 */
	}
	CHECK(strict_enforced >= 3);
	CHECK(team_audit >= 1);
	CHECK(find(&r, "pss.namespace") == NULL);
	done(&r);

	const char *ns[] = {"team"};
	judge(&r, "restricted", "restricted", "restricted", ns, 1, NULL, 0, POD_PRIV);
	CHECK(r.out.len == 0);
	done(&r);

	const char *rc[] = {"kata"};
	char with_rc[1024];
	snprintf(with_rc, sizeof with_rc, "%s  runtimeClassName: kata\n", POD_PRIV);
	judge(&r, "restricted", NULL, NULL, NULL, 0, rc, 1, with_rc);
	CHECK(r.out.len == 0);
	done(&r);
	judge(&r, "restricted", NULL, NULL, NULL, 0, rc, 1, POD_PRIV);
	CHECK(r.out.len > 0);
	done(&r);

	/* Not a workload: nothing. */
	judge(&r, "restricted", NULL, NULL, NULL, 0, NULL, 0,
	      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  privileged: \"true\"\n");
	CHECK(r.out.len == 0);
	done(&r);
}

static void test_paths(void)
{
	const char *cron = "apiVersion: batch/v1\n"
	                   "kind: CronJob\n"
	                   "metadata:\n"
	                   "  name: c\n"
	                   "spec:\n"
	                   "  schedule: '* * * * *'\n"
	                   "  jobTemplate:\n"
	                   "    spec:\n"
	                   "      template:\n"
	                   "        metadata:\n"
	                   "          annotations:\n"
	                   "            container.apparmor.security.beta.kubernetes.io/b: unconfined\n"
	                   "        spec:\n"
	                   "          containers:\n"
	                   "          - name: a\n"
	                   "            image: x\n"
	                   "          - name: b\n"
	                   "            image: x\n"
	                   "            securityContext:\n"
	                   "              privileged: true\n"
	                   "              capabilities:\n"
	                   "                add: [NET_BIND_SERVICE, SYS_ADMIN]\n"
	                   "          ephemeralContainers:\n"
	                   "          - name: debug\n"
	                   "            image: x\n"
	                   "            ports:\n"
	                   "            - containerPort: 80\n"
	                   "              hostPort: 8080\n";
	run r;
	judge(&r, "baseline", NULL, NULL, NULL, 0, NULL, 0, cron);
	const gr_finding *f = find(&r, "pss.privileged");
	CHECK(f &&
	      strcmp(f->path,
	             "spec.jobTemplate.spec.template.spec.containers[1].securityContext.privileged") == 0);
	CHECK(f && f->line == 20 && f->column == 27);
	f = find(&r, "pss.capabilities_baseline");
	CHECK(count(&r, "pss.capabilities_baseline") == 1);
	CHECK(f && strcmp(f->path, "spec.jobTemplate.spec.template.spec.containers[1].securityContext."
	                           "capabilities.add[1]") == 0);
	CHECK(f && f->line == 22 && f->column == 41);
	CHECK(f && strstr(f->message, "\"SYS_ADMIN\"") && strstr(f->message, "container \"b\""));
	f = find(&r, "pss.hostPorts");
	CHECK(f &&
	      strcmp(f->path,
	             "spec.jobTemplate.spec.template.spec.ephemeralContainers[0].ports[0].hostPort") == 0);
	CHECK(f && f->line == 28 && strstr(f->message, "container \"debug\" uses hostPort 8080"));
	f = find(&r, "pss.appArmorProfile");
	CHECK(f && strcmp(f->path, "spec.jobTemplate.spec.template.metadata.annotations[container.apparmor."
	                           "security.beta.kubernetes.io/b]") == 0);
	CHECK(f && f->line == 12);
	done(&r);
}

static const char *pod_with(const char *spec_tail)
{
	return gr_arena_printf(&arena,
	                       "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n"
	                       "  containers:\n  - name: app\n    image: x\n%s",
	                       spec_tail);
}

static void test_versions(void)
{
	run r;
	/* Windows pods are exempt from the Linux-only restricted checks from v1.25. */
	const char *win = pod_with("  os:\n    name: windows\n  securityContext:\n    runAsNonRoot: true\n");
	judge(&r, "restricted:v1.24", NULL, NULL, NULL, 0, NULL, 0, win);
	CHECK(find(&r, "pss.allowPrivilegeEscalation") && find(&r, "pss.seccompProfile_restricted") &&
	      find(&r, "pss.capabilities_restricted"));
	done(&r);
	judge(&r, "restricted:v1.25", NULL, NULL, NULL, 0, NULL, 0, win);
	CHECK(r.out.len == 0);
	done(&r);

	/* procMount: user-namespaced pods relaxed at baseline from v1.35, never at restricted. */
	const char *userns =
	        pod_with("    securityContext:\n      procMount: Unmasked\n  hostUsers: false\n");
	judge(&r, "baseline:v1.34", NULL, NULL, NULL, 0, NULL, 0, userns);
	CHECK(find(&r, "pss.procMount") != NULL);
	done(&r);
	judge(&r, "baseline:v1.35", NULL, NULL, NULL, 0, NULL, 0, userns);
	CHECK(r.out.len == 0);
	done(&r);
	judge(&r, "restricted:v1.35", NULL, NULL, NULL, 0, NULL, 0, userns);
	CHECK(find(&r, "pss.procMount_restricted") != NULL);
	done(&r);

	/* sysctls: the safe set grows. */
	const char *sysctl =
	        pod_with("  securityContext:\n    sysctls:\n    - name: net.ipv4.tcp_rmem\n      value: x\n");
	judge(&r, "baseline:v1.31", NULL, NULL, NULL, 0, NULL, 0, sysctl);
	CHECK(find(&r, "pss.sysctls") != NULL);
	done(&r);
	judge(&r, "baseline:v1.32", NULL, NULL, NULL, 0, NULL, 0, sysctl);
	CHECK(r.out.len == 0);
	done(&r);

	/* AppArmor fields are judged at every version. */
	const char *aa = pod_with("    securityContext:\n      appArmorProfile:\n        type: Unconfined\n");
	judge(&r, "baseline:v1.0", NULL, NULL, NULL, 0, NULL, 0, aa);
	const gr_finding *f = find(&r, "pss.appArmorProfile");
	CHECK(f && strstr(f->message, "forbidden AppArmor profile") && strstr(f->message, "Unconfined"));
	done(&r);

	/* seccomp baseline: annotations before v1.19, fields after. */
	const char *field = pod_with("  securityContext:\n    seccompProfile:\n      type: Unconfined\n");
	judge(&r, "baseline:v1.18", NULL, NULL, NULL, 0, NULL, 0, field);
	CHECK(r.out.len == 0);
	done(&r);
	judge(&r, "baseline:v1.19", NULL, NULL, NULL, 0, NULL, 0, field);
	f = find(&r, "pss.seccompProfile_baseline");
	CHECK(f && strcmp(f->path, "spec.securityContext.seccompProfile.type") == 0);
	done(&r);

	/* Any explicit seccomp type other than RuntimeDefault/Localhost is
	 * forbidden at baseline too, not only Unconfined. */
	const char *bogus = pod_with("    securityContext:\n      seccompProfile:\n        type: Bogus\n");
	judge(&r, "baseline:v1.19", NULL, NULL, NULL, 0, NULL, 0, bogus);
	f = find(&r, "pss.seccompProfile_baseline");
	CHECK(f && strstr(f->message, "container \"app\"") && strstr(f->message, "\"Bogus\""));
	done(&r);
	/* Annotations (before v1.19): docker/default is fine, unconfined is not,
	 * and an annotation naming no container of the pod is inert. */
	const char *ann = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
	                  "    seccomp.security.alpha.kubernetes.io/pod: docker/default\n"
	                  "    container.seccomp.security.alpha.kubernetes.io/ghost: unconfined\n"
	                  "    container.seccomp.security.alpha.kubernetes.io/app: unconfined\n"
	                  "spec:\n  containers:\n  - name: app\n    image: x\n";
	judge(&r, "baseline:v1.18", NULL, NULL, NULL, 0, NULL, 0, ann);
	CHECK(count(&r, "pss.seccompProfile_baseline") == 1);
	f = find(&r, "pss.seccompProfile_baseline");
	CHECK(f && strcmp(f->path,
	                  "metadata.annotations[container.seccomp.security.alpha.kubernetes.io/app]") == 0);
	CHECK(f && f->line == 8);
	done(&r);
	judge(&r, "baseline:v1.19", NULL, NULL, NULL, 0, NULL, 0, ann);
	CHECK(r.out.len == 0);
	done(&r);

	/* seLinux type container_engine_t is allowed from v1.31. */
	const char *engine_t =
	        pod_with("  securityContext:\n    seLinuxOptions:\n      type: container_engine_t\n");
	judge(&r, "baseline:v1.30", NULL, NULL, NULL, 0, NULL, 0, engine_t);
	CHECK(find(&r, "pss.seLinuxOptions") != NULL);
	done(&r);
	judge(&r, "baseline:v1.31", NULL, NULL, NULL, 0, NULL, 0, engine_t);
	CHECK(r.out.len == 0);
	done(&r);

	/* hostProbesAndHostLifecycle exists from v1.34. */
	const char *probe = pod_with("    lifecycle:\n      preStop:\n        httpGet:\n          host: "
	                             "evil\n          port: 1\n");
	judge(&r, "baseline:v1.33", NULL, NULL, NULL, 0, NULL, 0, probe);
	CHECK(r.out.len == 0);
	done(&r);
	judge(&r, "baseline:v1.34", NULL, NULL, NULL, 0, NULL, 0, probe);
	f = find(&r, "pss.hostProbesAndHostLifecycle");
	CHECK(f && strcmp(f->path, "spec.containers[0].lifecycle.preStop.httpGet.host") == 0);
	done(&r);

	/* Bad input never crashes: wrong types everywhere. */
	const char *weird = "apiVersion: v1\nkind: Pod\nmetadata: 3\nspec:\n  containers: [1, "
	                    "{securityContext: 2}, {name: 5}]\n"
	                    "  volumes: [x, {name: v, hostPath: {path: /}}]\n  securityContext: [1]\n  "
	                    "hostNetwork: \"true\"\n";
	judge(&r, "restricted", NULL, NULL, NULL, 0, NULL, 0, weird);
	CHECK(find(&r, "pss.hostPathVolumes") != NULL);
	CHECK(find(&r, "pss.hostNamespaces") == NULL);
	done(&r);
}

static void test_table(void)
{
	CHECK(gr_pss_check_count() == 19);
	size_t restricted = 0;
	for (size_t i = 0; i < gr_pss_check_count(); i++)
		restricted += gr_pss_check_at(i)->level == GR_PSS_RESTRICTED;
	CHECK(restricted == 7);
	CHECK(gr_pss_check_at(gr_pss_check_count()) == NULL);

	/* Every check id has a "## <id>" entry in docs/rules/pss.md, and its
	 * doc anchor is the id lowercased (GitHub's heading anchor). */
	char *doc;
	size_t len;
	gr_error err;
	if (gr_read_file("docs/rules/pss.md", 0, &doc, &len, &err) != 0) {
		CHECK(!"docs/rules/pss.md readable");
		return;
	}
	for (size_t i = 0; i < gr_pss_check_count(); i++) {
		const gr_pss_check_info *c = gr_pss_check_at(i);
		char heading[128], anchor[128], rule[128];
		snprintf(heading, sizeof heading, "\n## %s\n", c->id);
		snprintf(rule, sizeof rule, "pss.%s", c->id);
		size_t n = (size_t)snprintf(anchor, sizeof anchor, "docs/rules/pss.md#%s", c->id);
		for (size_t k = 0; k < n; k++)
			if (anchor[k] >= 'A' && anchor[k] <= 'Z')
				anchor[k] = (char)(anchor[k] - 'A' + 'a');
		if (!strstr(doc, heading))
			fprintf(stderr, "docs/rules/pss.md lacks a heading for %s\n", c->id);
		CHECK(strstr(doc, heading) != NULL);
		CHECK_STR(c->doc, anchor);
		CHECK_STR(c->rule, rule);
	}
	free(doc);
}

/* check() is called from several threads at once on one engine state. */
typedef struct thread_job {
	gr_checker *checker;
	const gr_object *objs;
	size_t n;
	size_t findings; /* total over all rounds */
} thread_job;

static void *thread_main(void *arg)
{
	thread_job *j = arg;
	for (int round = 0; round < 200; round++) {
		gr_arena a;
		gr_arena_init(&a);
		gr_findings out;
		gr_findings_init(&out, &a);
		gr_error err;
		for (size_t i = 0; i < j->n; i++) {
			gr_check_ctx ctx = {.arena = &a};
			gr_checker_check_object(j->checker, &j->objs[i], &ctx, &out, NULL, &err);
		}
		j->findings += out.len;
		gr_findings_free(&out);
		gr_arena_free(&a);
	}
	return NULL;
}

static void test_threads(void)
{
	run r;
	judge(&r, "baseline", "restricted", "restricted:v1.20", NULL, 0, NULL, 0, POD_PRIV);
	size_t once = r.out.len;
	size_t n;
	gr_object *objs = objects(POD_PRIV, &n);
	thread_job jobs[4];
	pthread_t th[4];
	for (int t = 0; t < 4; t++) {
		jobs[t] = (thread_job){.checker = r.checker, .objs = objs, .n = n};
		pthread_create(&th[t], NULL, thread_main, &jobs[t]);
	}
	for (int t = 0; t < 4; t++) {
		pthread_join(th[t], NULL);
		CHECK(jobs[t].findings == once * 200);
	}
	CHECK(once > 0);
	done(&r);
}

int main(void)
{
	gr_arena_init(&arena);
	test_parsing();
	test_labels();
	test_modes();
	test_namespaces_and_exemptions();
	test_paths();
	test_versions();
	test_table();
	test_threads();
	gr_arena_free(&arena);
	return test_report("pss");
}
