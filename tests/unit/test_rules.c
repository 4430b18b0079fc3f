/*
 * test_rules.c — the rule packs over small inline input sets: one
 * violating and one clean case per area, the reference parser's grammar,
 * the deprecation table, ignore annotations, --only and profiles.
 */
#include <stdlib.h>
#include <string.h>

#include "guardrail/decode.h"
#include "guardrail/object.h"
#include "guardrail/rules.h"
#include "guardrail/schema.h"
#include "testlib.h"

static gr_arena arena;

/* Decode YAML into objects (arena-owned). */
static gr_object *load(const char *yaml, size_t *n)
{
	gr_document *docs;
	size_t nd;
	gr_error err;
	*n = 0;
	if (gr_decode(&arena, yaml, strlen(yaml), NULL, &docs, &nd, &err) != 0)
		return NULL;
	gr_object *all = gr_arena_calloc(&arena, 64, sizeof *all);
	for (size_t i = 0; i < nd && *n < 64; i++) {
		gr_object *o;
		size_t no;
		if (gr_objects_from_document(&arena, &docs[i], "t.yaml", &o, &no) != 0)
			continue;
		for (size_t j = 0; j < no && *n < 64; j++)
			all[(*n)++] = o[j];
	}
	return all;
}

/* Count findings of rule over yaml with options o (NULL: defaults). */
static int count(const char *yaml, const char *rule, const gr_rules_options *o)
{
	gr_rules_options def;
	memset(&def, 0, sizeof def);
	gr_rules *r;
	gr_error err;
	if (gr_rules_new(&r, o ? o : &def, &err) != 0)
		return -1;
	size_t n;
	gr_object *objs = load(yaml, &n);
	gr_findings f;
	gr_findings_init(&f, &arena);
	gr_rules_check_set(r, objs, n, &f, &err);
	int c = 0;
	for (size_t i = 0; i < f.len; i++)
		if (strcmp(f.items[i].rule, rule) == 0)
			c++;
	gr_findings_free(&f);
	gr_rules_free(r);
	return c;
}

static const char *deploy_latest =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: a}\n"
        "spec:\n  replicas: 1\n  selector: {matchLabels: {app: web}}\n"
        "  template:\n    metadata: {labels: {app: web}}\n"
        "    spec:\n      containers:\n      - name: c\n        image: nginx\n";

static void test_bp(void)
{
	CHECK(count(deploy_latest, "bp.image-tag-latest", NULL) == 1);
	CHECK(count(deploy_latest, "bp.memory-limit", NULL) == 1);
	CHECK(count(deploy_latest, "bp.readiness-probe", NULL) == 1);
	CHECK(count(deploy_latest, "bp.replicas", NULL) == 1);
	CHECK(count(deploy_latest, "bp.cpu-limit", NULL) == 0); /* off by default */
	const char *good =
	        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec:\n  containers:\n"
	        "  - name: c\n    image: registry.example.com/app:1.2@sha256:"
	        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
	        "    resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 64Mi}}\n"
	        "    readinessProbe: {httpGet: {port: http}}\n    ports: [{name: http, containerPort: "
	        "8080}]\n";
	CHECK(count(good, "bp.image-tag-latest", NULL) == 0);
	CHECK(count(good, "bp.memory-limit", NULL) == 0);
	CHECK(count(good, "bp.probe-port", NULL) == 0);
	CHECK(count(good, "bp.readiness-probe", NULL) == 0);
	const char *job =
	        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n"
	        "      restartPolicy: Always\n      containers: [{name: c, image: busybox:1.36}]\n";
	CHECK(count(job, "bp.restart-policy", NULL) == 1);
	CHECK(count(job, "bp.readiness-probe", NULL) == 0); /* Jobs need no readiness probe */
	CHECK(count(job, "bp.job-ttl", NULL) == 1);
}

static void test_ref(void)
{
	const char *svc = "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: a}\n"
	                  "spec: {selector: {app: nope}, ports: [{port: 80, targetPort: http}]}\n---\n";
	char buf[4096];
	snprintf(buf, sizeof buf, "%s%s", svc, deploy_latest);
	CHECK(count(buf, "ref.service-selector", NULL) == 1);
	const char *svc2 = "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: a}\n"
	                   "spec: {selector: {app: web}, ports: [{port: 80, targetPort: http}]}\n---\n";
	snprintf(buf, sizeof buf, "%s%s", svc2, deploy_latest);
	CHECK(count(buf, "ref.service-selector", NULL) == 0);
	CHECK(count(buf, "ref.service-target-port", NULL) == 1); /* no port named http */
	const char *svc3 = "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: a}\n"
	                   "spec: {selector: {app: p}, ports: [{port: 80, targetPort: 9090}]}\n---\n"
	                   "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a, labels: {app: p}}\n"
	                   "spec: {containers: [{name: c, image: x:1, ports: [{containerPort: 8080}]}]}\n";
	CHECK(count(svc3, "ref.service-target-port", NULL) == 1); /* declares 8080, not 9090 */
	/* duplicates */
	snprintf(buf, sizeof buf, "%s---\n%s", deploy_latest, deploy_latest);
	CHECK(count(buf, "ref.duplicate", NULL) == 1);
	/* ConfigMap refs: only when the namespace is declared, or assume_complete */
	const char *pod =
	        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec:\n  containers:\n"
	        "  - name: c\n    image: x:1\n    envFrom: [{configMapRef: {name: cfg}}]\n";
	CHECK(count(pod, "ref.configmap", NULL) == 0);
	gr_rules_options o;
	memset(&o, 0, sizeof o);
	o.assume_complete = true;
	CHECK(count(pod, "ref.configmap", &o) == 1);
	snprintf(buf, sizeof buf, "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n%s", pod);
	CHECK(count(buf, "ref.configmap", NULL) == 1);
	/* PDB that blocks every drain */
	const char *pdb =
	        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p, namespace: a}\n"
	        "spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}\n---\n";
	snprintf(buf, sizeof buf, "%s%s", pdb, deploy_latest);
	CHECK(count(buf, "ref.pdb-blocks-drain", NULL) == 1);
	/* selector/labels mismatch */
	const char *mis =
	        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n"
	        "  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: b}}\n"
	        "    spec: {containers: [{name: c, image: x:1}]}\n";
	CHECK(count(mis, "ref.selector-labels", NULL) == 1);
}

static void test_api(void)
{
	const char *old = "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: d}\n";
	gr_rules_options o;
	memset(&o, 0, sizeof o);
	o.target_kubernetes = "1.15";
	CHECK(count(old, "api.deprecated", &o) == 1);
	CHECK(count(old, "api.removed", &o) == 0);
	o.target_kubernetes = "1.16";
	CHECK(count(old, "api.removed", &o) == 1);
	CHECK(count(old, "api.removed", NULL) == 1);
	const char *lac =
	        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  annotations:\n"
	        "    kubectl.kubernetes.io/last-applied-configuration: '{\"apiVersion\":\"apps/v1beta1\","
	        "\"kind\":\"Deployment\"}'\n";
	CHECK(count(lac, "api.removed", NULL) == 1);
}

static void test_helm(void)
{
	/* a Helm 3 release Secret whose manifest holds an extensions/v1beta1 Ingress */
	char yaml[4096];
	snprintf(yaml, sizeof yaml,
	         "apiVersion: v1\nkind: Secret\nmetadata:\n  name: sh.helm.release.v1.shop.v1\n  labels: "
	         "{owner: helm}\n"
	         "type: helm.sh/release.v1\ndata:\n  release: %s\n---\n"
	         "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shop.v1\n  labels: {owner: helm}\n"
	         "data:\n  release: %s\n",
	         "SDRzSUFIbUlER3NDLzIyT3NRN0NNQXhFZjhVS0s2WHFtcG1GR1luSmkwc05SRFJPVkp0Q2hmaDNHaW9rQnJiejZlNzV"
	         "uazRvc3ZQZzlKS3lXNE1iZWRDUVpMYWErWW9rNGNScUpWRlZGY29LOXVrMkhObERLZFRHTWZka3JIV1E4OENxbTRsaW"
	         "owSTVIQmFRQjM0WVM1RmFqMDNMUmczS05Vam5ZYmQwVU9Mc2RtVGtVUURLSWc5M2JsRStMMzlabEhPaGZBRmJ6bjJhS"
	         "W92OVphUXJpbnU5QVlLbEVZL2tBQUFB",
	         "H4sIAHmIDGsC/"
	         "22OsQ7CMAxEf8UKK6XqmpmFGYnJi0sNRDROVJtChfh3GiokBrbz6e75nk4osvPg9JKyW4MbedCQZLaa+"
	         "Yok4cRqJVFVFcoK9uk2HNlDKdTGMfdkrHWQ88Cqm4lij0I5HBaQB34YS5Faj03LRg3KNUjnYbd0UOLsdmTkUQDKIg93"
	         "blE+L39ZlHOhfAFbzn2aIov9ZaQrinu9AYKlEY/kAAAA");
	CHECK(count(yaml, "api.removed", NULL) == 2); /* once from the Secret, once from the ConfigMap */
	/* not a release: no finding, no crash */
	CHECK(count("apiVersion: v1\nkind: Secret\nmetadata: {name: x}\ntype: helm.sh/release.v1\n"
	            "data: {release: \"!!notbase64\"}\n",
	            "api.removed", NULL) == 0);
}

static void test_image_ref(void)
{
	static const struct {
		const char *ref;
		int ok;
		const char *domain, *path, *tag;
	} cases[] = {
	        {"nginx", 1, "docker.io", "library/nginx", ""},
	        {"nginx:1.27", 1, "docker.io", "library/nginx", "1.27"},
	        {"localhost:5000/app:v1", 1, "localhost:5000", "app", "v1"},
	        {"registry:5000/app", 1, "registry:5000", "app", ""},
	        {"[::1]:5000/app:v1", 1, "[::1]:5000", "app", "v1"},
	        {"Example.com/app", 1, "Example.com", "app", ""},
	        {"org/app", 1, "docker.io", "org/app", ""},
	        {"index.docker.io/nginx", 1, "docker.io", "library/nginx", ""},
	        {"a/b__c/d-e--f.g:tag_1.0-x", 1, "docker.io", "a/b__c/d-e--f.g", "tag_1.0-x"},
	        {"Org/app", 1, "Org", "app", ""},
	        {"app/UPPER", 0, "", "", ""},
	        {"app:", 0, "", "", ""},
	        {"app:-x", 0, "", "", ""},
	        {"a//b", 0, "", "", ""},
	        {"a___b", 0, "", "", ""},
	        {"-a", 0, "", "", ""},
	        {"app@sha256:abc", 0, "", "", ""},
	        {"app@md5:0123456789abcdef0123456789abcdef", 0, "", "", ""},
	        {"", 0, "", "", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		gr_image_ref r;
		int ok = gr_image_ref_parse(cases[i].ref, &r, NULL) == 0;
		CHECK(ok == cases[i].ok);
		if (ok && cases[i].ok) {
			CHECK_STR(r.domain, cases[i].domain);
			CHECK_STR(r.path, cases[i].path);
			CHECK_STR(r.tag, cases[i].tag);
		}
	}
	gr_image_ref r;
	const char *h64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char b[512];
	snprintf(b, sizeof b, "app:1@sha256:%s", h64);
	CHECK(gr_image_ref_parse(b, &r, NULL) == 0 && strcmp(r.tag, "1") == 0 && r.digest[0]);
	snprintf(b, sizeof b, "app@sha512:%s%s", h64, h64);
	CHECK(gr_image_ref_parse(b, &r, NULL) == 0);
	snprintf(b, sizeof b, "app@sha384:%s%.32s", h64, h64);
	CHECK(gr_image_ref_parse(b, &r, NULL) == 0);
	snprintf(b, sizeof b, "app@sha256:%.63s", h64);
	CHECK(gr_image_ref_parse(b, &r, NULL) != 0);
	/* a 250-character one-component name: valid as written, longer once library/ is added */
	char longname[260];
	memset(longname, 'a', 250);
	longname[250] = '\0';
	CHECK(gr_image_ref_parse(longname, &r, NULL) == 0 && strlen(r.path) == 258 &&
	      !strncmp(r.path, "library/", 8));
	memset(longname, 'a', 256);
	longname[256] = '\0';
	CHECK(gr_image_ref_parse(longname, &r, NULL) != 0); /* over 255 as written */
	/* allow-list */
	gr_rules_options o;
	memset(&o, 0, sizeof o);
	const char *allowed[] = {"registry.example.com"};
	o.allowed_registries = allowed;
	o.nallowed_registries = 1;
	CHECK(count(deploy_latest, "image.registry-allowed", &o) == 1);
	o.require_qualified = true;
	CHECK(count(deploy_latest, "image.unqualified", &o) == 1);
}

static void test_ignore_and_only(void)
{
	const char *ign =
	        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
	        "    guardrail.dev/ignore: bp.image-tag-latest\n    guardrail.dev/ignore-reason: demo\n"
	        "spec: {containers: [{name: c, image: nginx}]}\n";
	CHECK(count(ign, "bp.image-tag-latest", NULL) == 0);
	const char *noreason = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
	                       "    guardrail.dev/ignore: bp.image-tag-latest\n"
	                       "spec: {containers: [{name: c, image: nginx}]}\n";
	CHECK(count(noreason, "bp.image-tag-latest", NULL) == 1);
	CHECK(count(noreason, "rules.ignore-without-reason", NULL) == 1);
	gr_rules_options o;
	memset(&o, 0, sizeof o);
	const char *only[] = {"bp.memory-limit"};
	o.only = only;
	o.nonly = 1;
	CHECK(count(deploy_latest, "bp.image-tag-latest", &o) == 0);
	CHECK(count(deploy_latest, "bp.memory-limit", &o) == 1);
	const char *bad[] = {"bp.nope"};
	o.only = bad;
	gr_rules *r;
	gr_error err;
	CHECK(gr_rules_new(&r, &o, &err) != 0 && strstr(err.message, "bp.nope"));
}

static void test_table(void)
{
	/* every rule: an id with its pack as prefix, a summary, a remediation and a doc anchor */
	size_t n = gr_rules_count();
	CHECK(n > 80);
	for (size_t i = 0; i < n; i++) {
		const gr_rule_info *x = gr_rules_info(i);
		CHECK(x && x->summary && x->remediation && x->doc && x->upstream);
		CHECK(x && strncmp(x->id, x->pack, strlen(x->pack)) == 0 && x->id[strlen(x->pack)] == '.');
		for (size_t j = 0; j < i; j++)
			if (strcmp(gr_rules_info(j)->id, x->id) == 0)
				CHECK(!"duplicate rule id");
	}
}

static int count_with_file(const char *yaml, const char *rule, const char *conf)
{
	gr_rules_file *f;
	gr_error err;
	if (gr_rules_file_parse("c.yaml", conf, strlen(conf), &f, &err) != 0) {
		fprintf(stderr, "config: %s\n", err.message);
		return -1;
	}
	gr_rules_options o;
	memset(&o, 0, sizeof o);
	gr_rules_file_apply(f, &o, &err);
	int n = count(yaml, rule, &o);
	gr_rules_file_free(f);
	return n;
}

static void config_error(const char *conf, unsigned line, unsigned col, const char *needle)
{
	gr_rules_file *f;
	gr_error err;
	gr_error_clear(&err);
	int rc = gr_rules_file_parse("c.yaml", conf, strlen(conf), &f, &err);
	CHECK(rc != 0);
	if (rc == 0) {
		gr_rules_file_free(f);
		return;
	}
	if (err.line != line || err.column != col || !strstr(err.message, needle))
		fprintf(stderr, "config error: %u:%u %s (file %s)\n", err.line, err.column, err.message,
		        err.file);
	CHECK(err.line == line && err.column == col);
	CHECK(strstr(err.message, needle) != NULL);
	CHECK_STR(err.file, "c.yaml");
}

static void test_config(void)
{
	/* rules on/off, severity override, exemptions by namespace, name, selector */
	CHECK(count_with_file(deploy_latest, "bp.cpu-limit", "rules:\n  bp.cpu-limit: {enabled: true}\n") ==
	      1);
	CHECK(count_with_file(deploy_latest, "bp.memory-limit", "rules:\n  bp.memory-limit: false\n") == 0);
	CHECK(count_with_file(deploy_latest, "bp.memory-limit", "packs: {bp: false}\n") == 0);
	CHECK(count_with_file(
	              deploy_latest, "bp.memory-limit",
	              "exemptions:\n- {rules: [bp.memory-limit], namespaces: [a], reason: legacy}\n") == 0);
	CHECK(count_with_file(
	              deploy_latest, "bp.memory-limit",
	              "exemptions:\n- {rules: [bp.memory-limit], namespaces: [b], reason: legacy}\n") == 1);
	CHECK(count_with_file(deploy_latest, "bp.memory-limit",
	                      "exemptions:\n- {rules: [\"bp.*\"], names: [\"we*\"], reason: legacy}\n") == 0);
	const char *labelled = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {tier: batch}}\n"
	                       "spec: {containers: [{name: c, image: nginx}]}\n";
	CHECK(count_with_file(labelled, "bp.image-tag-latest",
	                      "exemptions:\n- rules: [bp]\n  selector: {matchLabels: {tier: batch}}\n  "
	                      "reason: x\n") == 0);
	CHECK(count_with_file(labelled, "image.digest",
	                      "parameters: {requireDigestNamespaces: [default]}\n") == 0);
	CHECK(count_with_file(deploy_latest, "image.digest",
	                      "parameters: {requireDigestNamespaces: [a]}\n") == 1);
	CHECK(count_with_file(deploy_latest, "image.registry-allowed",
	                      "parameters:\n  allowedRegistries: [registry.example.com]\n") == 1);
	/* severity override is applied */
	{
		gr_rules_file *f;
		gr_error err;
		const char *conf = "rules:\n  bp.memory-limit: {severity: error, action: enforce}\n";
		CHECK(gr_rules_file_parse("c.yaml", conf, strlen(conf), &f, &err) == 0);
		gr_rules_options o;
		memset(&o, 0, sizeof o);
		gr_rules_file_apply(f, &o, &err);
		gr_rules *r;
		gr_rules_new(&r, &o, &err);
		size_t n;
		gr_object *objs = load(deploy_latest, &n);
		gr_findings fs;
		gr_findings_init(&fs, &arena);
		gr_rules_check_set(r, objs, n, &fs, &err);
		bool seen = false;
		for (size_t i = 0; i < fs.len; i++)
			if (!strcmp(fs.items[i].rule, "bp.memory-limit"))
				seen = fs.items[i].severity == GR_SEV_ERROR &&
				       fs.items[i].action == GR_ACTION_ENFORCE;
		CHECK(seen);
		gr_findings_free(&fs);
		gr_rules_free(r);
		gr_rules_file_free(f);
	}
	/* schema errors at file:line:col */
	config_error("profile: polaris\nbogus: 1\n", 2, 1, "unknown key \"bogus\"");
	config_error("rules:\n  bp.nope: true\n", 2, 3, "unknown rule \"bp.nope\"");
	config_error("rules:\n  bp.cpu-limit: {severity: fatal}\n", 2, 28, "severity \"fatal\"");
	config_error("exemptions:\n- {namespaces: [a]}\n", 2, 3, "needs a reason");
	config_error("targetKubernetes: 1.32\n", 1, 19, "must be a string");
	config_error("profile: kubescore\n", 1, 10, "profile \"kubescore\"");
	config_error("parameters: {minReplicas: 0}\n", 1, 27, "between 1 and 1000");
	config_error("packs: {bq: true}\n", 1, 9, "unknown pack");
	config_error("rules: [\n", 2, 1, "");
}

static int count_upstream(gr_rules_profile p, const char *yaml, const char *rule, const char *conf, int *sev)
{
	gr_rules_file *f;
	gr_error err;
	if (gr_rules_file_parse_upstream(p, "u.yaml", conf, strlen(conf), &f, &err) != 0) {
		fprintf(stderr, "upstream config: %s\n", err.message);
		return -1;
	}
	gr_rules_options o;
	memset(&o, 0, sizeof o);
	gr_rules_file_apply(f, &o, &err);
	gr_rules *r;
	if (gr_rules_new(&r, &o, &err) != 0)
		return -1;
	size_t n;
	gr_object *objs = load(yaml, &n);
	gr_findings fs;
	gr_findings_init(&fs, &arena);
	gr_rules_check_set(r, objs, n, &fs, &err);
	int c = 0;
	for (size_t i = 0; i < fs.len; i++)
		if (!strcmp(fs.items[i].rule, rule)) {
			c++;
			if (sev)
				*sev = (int)fs.items[i].severity;
		}
	gr_findings_free(&fs);
	gr_rules_free(r);
	gr_rules_file_free(f);
	return c;
}

static void test_upstream_configs(void)
{
	const char *pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: legacy, namespace: a}\n"
	                  "spec: {hostPID: true, hostIPC: true, containers: [{name: c, image: nginx}]}\n";
	/* Polaris: only listed checks run, with the listed level */
	const char *pol = "checks:\n  hostPIDSet: warning\n  tagNotSpecified: danger\n  hostIPCSet: ignore\n";
	int sev = -1;
	CHECK(count_upstream(GR_PROFILE_POLARIS, pod, "polaris.hostPIDSet", pol, &sev) == 1 &&
	      sev == GR_SEV_WARNING);
	CHECK(count_upstream(GR_PROFILE_POLARIS, pod, "polaris.tagNotSpecified", pol, &sev) == 1 &&
	      sev == GR_SEV_ERROR);
	CHECK(count_upstream(GR_PROFILE_POLARIS, pod, "polaris.hostIPCSet", pol, NULL) == 0);
	CHECK(count_upstream(GR_PROFILE_POLARIS, pod, "polaris.runAsRootAllowed", pol, NULL) == 0);
	const char *polex = "checks: {hostPIDSet: danger}\nexemptions:\n- controllerNames: [legacy]\n  "
	                    "rules: [hostPIDSet]\n";
	CHECK(count_upstream(GR_PROFILE_POLARIS, pod, "polaris.hostPIDSet", polex, NULL) == 0);
	/* the Polaris exemption annotation */
	const char *annotated = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
	                        "    polaris.fairwinds.com/hostPIDSet-exempt: \"true\"\nspec: {hostPID: "
	                        "true, containers: []}\n";
	CHECK(count_upstream(GR_PROFILE_POLARIS, annotated, "polaris.hostPIDSet",
	                     "checks: {hostPIDSet: danger}\n", NULL) == 0);
	/* kube-linter: defaults, doNotAutoAddDefaults, include, exclude, and its annotation */
	CHECK(count_upstream(GR_PROFILE_KUBE_LINTER, pod, "kube-linter.host-pid", "checks: {}\n", NULL) == 1);
	CHECK(count_upstream(GR_PROFILE_KUBE_LINTER, pod, "kube-linter.host-pid",
	                     "checks: {doNotAutoAddDefaults: true, include: [host-ipc]}\n", NULL) == 0);
	CHECK(count_upstream(GR_PROFILE_KUBE_LINTER, pod, "kube-linter.host-ipc",
	                     "checks: {doNotAutoAddDefaults: true, include: [host-ipc]}\n", NULL) == 1);
	CHECK(count_upstream(GR_PROFILE_KUBE_LINTER, pod, "kube-linter.host-pid",
	                     "checks: {exclude: [host-pid]}\n", NULL) == 0);
	const char *klann = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
	                    "    ignore-check.kube-linter.io/host-pid: \"debug pod\"\nspec: {hostPID: true, "
	                    "containers: []}\n";
	CHECK(count_upstream(GR_PROFILE_KUBE_LINTER, klann, "kube-linter.host-pid", "checks: {}\n", NULL) ==
	      0);
	/* kube-linter custom checks from templates that map */
	const char *custom =
	        "checks: {doNotAutoAddDefaults: true}\ncustomChecks:\n"
	        "- name: team-label\n  template: required-label\n  params: {key: team}\n"
	        "- name: no-reloader\n  template: forbidden-annotation\n"
	        "  scope: {objectKinds: [Any]}\n  params: {key: reloader.stakater.com/auto, value: 'true'}\n";
	const char *reload = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n"
	                     "    reloader.stakater.com/auto: \"true\"\n";
	CHECK(count_upstream(GR_PROFILE_KUBE_LINTER, pod, "kube-linter.team-label", custom, NULL) == 1);
	CHECK(count_upstream(GR_PROFILE_KUBE_LINTER, reload, "kube-linter.no-reloader", custom, NULL) == 1);
	CHECK(count_upstream(GR_PROFILE_KUBE_LINTER, pod, "kube-linter.host-pid", custom, NULL) == 0);
	/* upstream configuration files of kube-linter's own e2e tests load (or say what is unsupported) */
	gr_rules_file *f;
	gr_error err;
	CHECK(gr_rules_file_load_upstream(GR_PROFILE_KUBE_LINTER,
	                                  "../shared/conformance/rulepacks/kube-linter/e2etests/testdata/"
	                                  "all-built-in-config.yaml",
	                                  &f, &err) == 0);
	gr_rules_file_free(f);
	CHECK(gr_rules_file_load_upstream(
	              GR_PROFILE_KUBE_LINTER,
	              "../shared/conformance/rulepacks/kube-linter/e2etests/testdata/cel-config.yaml", &f,
	              &err) == 0);
	gr_rules_file_free(f);
	const char *unsupported = "customChecks:\n- name: x\n  template: liveness-port\n";
	CHECK(gr_rules_file_parse_upstream(GR_PROFILE_KUBE_LINTER, "k.yaml", unsupported, strlen(unsupported),
	                                   &f, &err) != 0 &&
	      strstr(err.message, "not supported") && err.line == 3);
	CHECK(gr_rules_file_parse_upstream(GR_PROFILE_POLARIS, "p.yaml", "checks: {nope: danger}\n", 22, &f,
	                                   &err) != 0 &&
	      strstr(err.message, "unknown Polaris check") && err.line == 1 && err.column == 10);
}

/* The messages of rule `rule` over yaml with kube-linter configuration conf, joined by '|'. */
static int kl_messages(const char *yaml, const char *conf, const char *rule, char *out, size_t cap,
                       gr_schema_registry *schema)
{
	gr_rules_file *f;
	gr_error err;
	out[0] = '\0';
	if (gr_rules_file_parse_upstream(GR_PROFILE_KUBE_LINTER, "k.yaml", conf, strlen(conf), &f, &err) !=
	    0) {
		snprintf(out, cap, "config: %s (line %u)", err.message, err.line);
		return -1;
	}
	gr_rules_options o;
	memset(&o, 0, sizeof o);
	gr_rules_file_apply(f, &o, &err);
	o.profile = GR_PROFILE_KUBE_LINTER;
	o.upstream_file = f;
	o.kube_linter_no_defaults = true;
	o.schema = schema;
	gr_rules *r;
	if (gr_rules_new(&r, &o, &err) != 0) {
		snprintf(out, cap, "new: %s", err.message);
		gr_rules_file_free(f);
		return -1;
	}
	size_t n;
	gr_object *objs = load(yaml, &n);
	gr_findings fs;
	gr_findings_init(&fs, &arena);
	gr_rules_check_set(r, objs, n, &fs, &err);
	int c = 0;
	size_t len = 0;
	for (size_t i = 0; i < fs.len; i++)
		if (!strcmp(fs.items[i].rule, rule)) {
			c++;
			len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, "%s%s", len ? "|" : "",
			                        fs.items[i].message);
			if (len >= cap)
				len = cap - 1;
		}
	gr_findings_free(&fs);
	gr_rules_free(r);
	gr_rules_file_free(f);
	return c;
}

/* kube-linter's cel-expression and kubeconform templates, schema-validation */
static void test_kube_linter_templates(void)
{
	char m[2048];
	const char *objs = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: {x: '1'}\n---\n"
	                   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n";
	const char *cel = "customChecks:\n- name: c\n  scope: {objectKinds: [ConfigMap]}\n"
	                  "  template: cel-expression\n  params:\n    check: |\n"
	                  "      has(object.metadata.labels) ? 'labelled ' + object.metadata.name + ' of ' + "
	                  "string(size(objects)) : ''\n";
	CHECK(kl_messages(objs, cel, "kube-linter.c", m, sizeof m, NULL) == 1 &&
	      !strcmp(m, "CEL check expression returned: labelled a of 2"));
	/* an evaluation error and a result that is not a string are reports, never a pass */
	const char *err_cel = "customChecks:\n- name: c\n  scope: {objectKinds: [Any]}\n"
	                      "  template: cel-expression\n  params: {check: 'object.metadata.labels.x'}\n";
	CHECK(kl_messages(objs, err_cel, "kube-linter.c", m, sizeof m, NULL) == 2 &&
	      strstr(m, "error evaluating CEL check expression: failed to evaluate CEL expression: ") &&
	      strstr(m, "no such key"));
	const char *int_cel = "customChecks:\n- name: c\n  template: cel-expression\n"
	                      "  scope: {objectKinds: [Any]}\n  params: {check: '1 + 1'}\n";
	CHECK(kl_messages(objs, int_cel, "kube-linter.c", m, sizeof m, NULL) == 2 &&
	      strstr(m, "error evaluating CEL check expression: expected string, got 2"));
	/* a typed kind sees Go's always-present struct fields (kube-linter's JSON round trip) */
	const char *sm =
	        "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: s}\nspec: {}\n";
	const char *has_cel = "customChecks:\n- name: c\n  template: cel-expression\n"
	                      "  scope: {objectKinds: [Any]}\n"
	                      "  params: {check: \"has(object.spec.namespaceSelector.any) ? 'y' : 'n'\"}\n";
	CHECK(kl_messages(sm, has_cel, "kube-linter.c", m, sizeof m, NULL) == 1 &&
	      !strcmp(m, "CEL check expression returned: n"));
	/* compile errors are configuration errors, at the expression's line */
	const char *bad_cel = "customChecks:\n- name: c\n  template: cel-expression\n  params:\n"
	                      "    check: 'object.('\n";
	CHECK(kl_messages(objs, bad_cel, "kube-linter.c", m, sizeof m, NULL) == -1 &&
	      strstr(m, "CEL expression") && strstr(m, "line 5"));
	const char *no_check = "customChecks:\n- name: c\n  template: cel-expression\n";
	CHECK(kl_messages(objs, no_check, "kube-linter.c", m, sizeof m, NULL) == -1 &&
	      strstr(m, "params.check"));
	/* kubeconform: schema locations are guardrail's own; without a registry the rules refuse to run */
	const char *kc_loc = "customChecks:\n- name: k\n  template: kubeconform\n"
	                     "  params: {schemaLocations: [default]}\n";
	CHECK(kl_messages(objs, kc_loc, "kube-linter.k", m, sizeof m, NULL) == -1 &&
	      strstr(m, "schemaLocations"));
	const char *kc = "customChecks:\n- name: k\n  template: kubeconform\n"
	                 "  params: {strict: true, ignoreMissingSchemas: true, skipKinds: [Secret]}\n";
	CHECK(kl_messages(objs, kc, "kube-linter.k", m, sizeof m, NULL) == -1 && strstr(m, "--schema-dir"));
	gr_schema_registry *reg;
	gr_error err;
	CHECK(gr_schema_registry_open(&reg, "../shared/k8s-openapi", NULL, NULL, &err) == 0);
	const char *bad =
	        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: 1}\nextra: 2\n---\n"
	        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nbogus: 1\n---\n"
	        "apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t}\n";
	CHECK(kl_messages(bad, kc, "kube-linter.k", m, sizeof m, reg) == 1 &&
	      !strncmp(m, "resource is not valid: ", 23) && strstr(m, "extra"));
	const char *lax =
	        "customChecks:\n- name: k\n  template: kubeconform\n  params: {skipKinds: [Secret]}\n";
	CHECK(kl_messages(bad, lax, "kube-linter.k", m, sizeof m, reg) == 2 &&
	      strstr(m, "error while processing resource") == NULL && !strstr(m, "extra") &&
	      strstr(m, "Thing"));
	const char *sv = "checks: {include: [schema-validation]}\n";
	CHECK(kl_messages(bad, sv, "kube-linter.schema-validation", m, sizeof m, reg) == 2);
	gr_schema_registry_free(reg);
}

int main(void)
{
	gr_arena_init(&arena);
	test_bp();
	test_ref();
	test_api();
	test_helm();
	test_kube_linter_templates();
	test_image_ref();
	test_ignore_and_only();
	test_table();
	test_config();
	test_upstream_configs();
	gr_arena_free(&arena);
	return test_report("rules");
}
