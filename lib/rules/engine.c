/*
 * engine.c — the "rules" engine: the rule packs in the pipeline.
 *
 * Options (key = value; the CLI maps its flags onto them):
 *   profile            guardrail | polaris | kube-score | kube-linter
 *   only               RULE[,RULE...] (repeatable; ids or packs)
 *   enable, disable    RULE[,RULE...]
 *   ignore-test, enable-optional-test   kube-score ids (its --ignore-test,
 *                      --enable-optional-test)
 *   config             a .guardrail.yaml (the caller finds it; lib never reads the cwd)
 *   upstream-config    the profile's own file (Polaris config.yaml, .kube-linter.yaml)
 *   target-kubernetes  X.Y
 *   allowed-registries, denied-registries   REG[,REG...] (repeatable)
 *   require-digest, require-qualified, assume-complete   true | false
 *   min-replicas       N
 *   kube-score-version, kube-score-min-replicas-deployment,
 *   kube-score-min-replicas-hpa, kube-score-ignore-cpu-limit,
 *   kube-score-ignore-memory-limit, kube-linter-no-defaults
 *   schema-dir, kubernetes-version   the schemas kube-linter's schema-validation
 *                      check and kubeconform custom checks validate against
 *                      (opened in the kube-linter profile only)
 * Files are loaded in prepare; flags win over the files.
 *
 * The engine declares every kind a cross-object rule reads, so the session
 * keeps those trees and derives a checker for its inputs: prepare then
 * indexes the whole input set once (gr_rules_index) and check judges one
 * object against it. Without a derived set (the inputs hold none of those
 * kinds) an object is judged against an index of itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "guardrail/engine.h"
#include "guardrail/rules.h"
#include "guardrail/schema.h"
#include "guardrail/set.h"

/* run.c: the rules without their own guardrail.dev/ignore handling when
 * own_ignore is false (the pipeline applies the annotation then); with
 * lone, the object is judged alone (an admission request): a rule that
 * looks at other objects has no verdict, its findings are dropped and
 * *not_judged counts it. */
int gri_rules_check_object_ex(const gr_rules *r, const gr_rules_index *ix, const gr_object *obj,
                              gr_findings *out, bool own_ignore, bool lone, size_t *not_judged,
                              gr_error *err);

typedef struct strv {
	char **v;
	size_t n;
} strv;

typedef struct rules_config {
	char *profile, *config, *upstream, *target, *ks_version;
	char *schema_dir, *schema_version; /* kube-linter schema-validation / kubeconform checks */
	strv only, enable, disable, allowed, denied;
	int assume_complete, require_digest, require_qualified; /* -1 unset */
	int min_replicas, ks_min_dep, ks_min_hpa;
	int ks_ignore_cpu, ks_ignore_mem;
	int kl_no_defaults;
} rules_config;

typedef struct rules_prepared {
	gr_rules *rules;
	bool own_rules;
	gr_rules_file *file, *upstream;
	gr_schema_registry *schema; /* opened when a schema directory is given */
	gr_rules_index *ix;         /* over the session's set, when derived */
	gr_object *objs;            /* the set's objects, contiguous */
} rules_prepared;

static void strv_free(strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* Append each comma-separated item of value. */
static int strv_add_csv(strv *s, const char *value, gr_error *err)
{
	const char *p = value;
	while (*p) {
		while (*p == ',' || *p == ' ')
			p++;
		const char *e = p;
		while (*e && *e != ',')
			e++;
		const char *t = e;
		while (t > p && t[-1] == ' ')
			t--;
		if (t > p) {
			char **g = realloc(s->v, (s->n + 1) * sizeof *g);
			if (!g)
				return gr_error_set(err, 0, 0, "out of memory");
			s->v = g;
			s->v[s->n] = strndup(p, (size_t)(t - p));
			if (!s->v[s->n])
				return gr_error_set(err, 0, 0, "out of memory");
			s->n++;
		}
		p = e;
	}
	return 0;
}

static void config_free(void *p)
{
	rules_config *c = p;
	if (!c)
		return;
	free(c->profile);
	free(c->config);
	free(c->upstream);
	free(c->target);
	free(c->ks_version);
	free(c->schema_dir);
	free(c->schema_version);
	strv_free(&c->only);
	strv_free(&c->enable);
	strv_free(&c->disable);
	strv_free(&c->allowed);
	strv_free(&c->denied);
	free(c);
}

static int config_new(void **out, gr_error *err)
{
	rules_config *c = calloc(1, sizeof *c);
	if (!c)
		return gr_error_set(err, 0, 0, "out of memory");
	c->assume_complete = c->require_digest = c->require_qualified = -1;
	c->ks_ignore_cpu = c->ks_ignore_mem = -1;
	*out = c;
	return 0;
}

static int set_str(char **dst, const char *v, gr_error *err)
{
	free(*dst);
	*dst = strdup(v);
	return *dst ? 0 : gr_error_set(err, 0, 0, "out of memory");
}

static int set_bool(int *dst, const char *key, const char *v, gr_error *err)
{
	if (!strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "yes"))
		*dst = 1;
	else if (!strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "no"))
		*dst = 0;
	else
		return gr_error_set(err, 0, 0, "%s: \"%.100s\" is not true or false", key, v);
	return 0;
}

static int set_int(int *dst, const char *key, const char *v, gr_error *err)
{
	char *end;
	long x = strtol(v, &end, 10);
	if (!*v || *end || x < 0 || x > 100000)
		return gr_error_set(err, 0, 0, "%s: \"%.100s\" is not a number from 0 to 100000", key, v);
	*dst = (int)x;
	return 0;
}

static int config_set(void *p, const char *key, const char *value, gr_error *err)
{
	rules_config *c = p;
	if (!strcmp(key, "profile")) {
		if (gr_rules_profile_parse(value) < 0)
			return gr_error_set(err, 0, 0,
			                    "profile \"%.100s\" is not one of guardrail, polaris, "
			                    "kube-score, kube-linter",
			                    value);
		return set_str(&c->profile, value, err);
	}
	if (!strcmp(key, "only"))
		return strv_add_csv(&c->only, value, err);
	if (!strcmp(key, "enable"))
		return strv_add_csv(&c->enable, value, err);
	if (!strcmp(key, "disable"))
		return strv_add_csv(&c->disable, value, err);
	if (!strcmp(key, "ignore-test") || !strcmp(key, "enable-optional-test")) {
		/* kube-score's flags: upstream ids, prefixed */
		strv tmp = {0};
		if (strv_add_csv(&tmp, value, err))
			return -1;
		for (size_t i = 0; i < tmp.n; i++) {
			char id[300];
			snprintf(id, sizeof id, "kube-score.%s", tmp.v[i]);
			if (strv_add_csv(key[0] == 'i' ? &c->disable : &c->enable, id, err)) {
				strv_free(&tmp);
				return -1;
			}
		}
		strv_free(&tmp);
		return 0;
	}
	if (!strcmp(key, "allowed-registries"))
		return strv_add_csv(&c->allowed, value, err);
	if (!strcmp(key, "denied-registries"))
		return strv_add_csv(&c->denied, value, err);
	if (!strcmp(key, "config"))
		return set_str(&c->config, value, err);
	if (!strcmp(key, "upstream-config"))
		return set_str(&c->upstream, value, err);
	if (!strcmp(key, "target-kubernetes")) {
		int a, b;
		char tail;
		const char *v = value[0] == 'v' ? value + 1 : value;
		if (sscanf(v, "%d.%d%c", &a, &b, &tail) != 2 || a != 1 || b < 0)
			return gr_error_set(
			        err, 0, 0, "target-kubernetes: \"%.100s\" is not a version like 1.32", value);
		return set_str(&c->target, v, err);
	}
	if (!strcmp(key, "kube-score-version"))
		return set_str(&c->ks_version, value, err);
	if (!strcmp(key, "assume-complete"))
		return set_bool(&c->assume_complete, key, value, err);
	if (!strcmp(key, "require-digest"))
		return set_bool(&c->require_digest, key, value, err);
	if (!strcmp(key, "require-qualified"))
		return set_bool(&c->require_qualified, key, value, err);
	if (!strcmp(key, "kube-score-ignore-cpu-limit"))
		return set_bool(&c->ks_ignore_cpu, key, value, err);
	if (!strcmp(key, "kube-score-ignore-memory-limit"))
		return set_bool(&c->ks_ignore_mem, key, value, err);
	if (!strcmp(key, "kube-linter-no-defaults"))
		return set_bool(&c->kl_no_defaults, key, value, err);
	if (!strcmp(key, "min-replicas"))
		return set_int(&c->min_replicas, key, value, err);
	if (!strcmp(key, "kube-score-min-replicas-deployment"))
		return set_int(&c->ks_min_dep, key, value, err);
	if (!strcmp(key, "schema-dir"))
		return set_str(&c->schema_dir, value, err);
	if (!strcmp(key, "kubernetes-version"))
		return set_str(&c->schema_version, value, err);
	if (!strcmp(key, "kube-score-min-replicas-hpa"))
		return set_int(&c->ks_min_hpa, key, value, err);
	return gr_error_set(
	        err, 0, 0,
	        "unknown option \"%.100s\" (profile, only, enable, disable, config, upstream-config, "
	        "target-kubernetes, allowed-registries, denied-registries, require-digest, "
	        "require-qualified, "
	        "assume-complete, min-replicas, kube-score-*, kube-linter-no-defaults, schema-dir, "
	        "kubernetes-version)",
	        key);
}

static void prepared_free(void *p)
{
	rules_prepared *s = p;
	if (!s)
		return;
	gr_rules_index_free(s->ix);
	free(s->objs);
	if (s->own_rules) {
		gr_rules_free(s->rules);
		gr_schema_registry_free(s->schema);
		gr_rules_file_free(s->file);
		gr_rules_file_free(s->upstream);
	}
	free(s);
}

/* A file error as one message with its position. */
static int file_error(gr_error *err)
{
	char msg[sizeof err->message];
	snprintf(msg, sizeof msg, "%s", err->message);
	if (err->file[0] && err->line)
		return gr_error_set(err, err->line, err->column, "%s:%u:%u: %s", err->file, err->line,
		                    err->column, msg);
	if (err->file[0])
		return gr_error_set(err, 0, 0, "%s: %s", err->file, msg);
	return -1;
}

static int build_rules(const rules_config *c, rules_prepared *s, gr_error *err)
{
	gr_rules_options o;
	memset(&o, 0, sizeof o);
	/* the CLI's defaults for kube-score (its tests use zero values instead) */
	o.kube_score_ignore_annotation = o.kube_score_optional_annotation = true;
	if (c->config) {
		if (gr_rules_file_load(c->config, &s->file, err) != 0)
			return file_error(err);
		if (gr_rules_file_apply(s->file, &o, err) != 0)
			return -1;
	}
	if (c->profile)
		o.profile = (gr_rules_profile)gr_rules_profile_parse(c->profile);
	if (c->upstream) {
		if (o.profile != GR_PROFILE_POLARIS && o.profile != GR_PROFILE_KUBE_LINTER)
			return gr_error_set(err, 0, 0,
			                    "upstream-config needs profile polaris or kube-linter");
		if (gr_rules_file_load_upstream(o.profile, c->upstream, &s->upstream, err) != 0)
			return file_error(err);
		gr_rules_profile keep = o.profile;
		const gr_rules_file *guard = o.file;
		if (gr_rules_file_apply(s->upstream, &o, err) != 0)
			return -1;
		o.profile = keep;
		o.file = guard; /* the .guardrail.yaml's exemptions and overrides still apply */
		o.upstream_file = s->upstream;
	}
	if (c->only.n) {
		o.only = (const char *const *)c->only.v;
		o.nonly = c->only.n;
	}
	if (c->enable.n) {
		o.enable = (const char *const *)c->enable.v;
		o.nenable = c->enable.n;
	}
	if (c->disable.n) {
		o.disable = (const char *const *)c->disable.v;
		o.ndisable = c->disable.n;
	}
	if (c->allowed.n) {
		o.allowed_registries = (const char *const *)c->allowed.v;
		o.nallowed_registries = c->allowed.n;
	}
	if (c->denied.n) {
		o.denied_registries = (const char *const *)c->denied.v;
		o.ndenied_registries = c->denied.n;
	}
	if (c->target)
		o.target_kubernetes = c->target;
	if (c->assume_complete >= 0)
		o.assume_complete = c->assume_complete;
	if (c->require_digest >= 0)
		o.require_digest = c->require_digest;
	if (c->require_qualified >= 0)
		o.require_qualified = c->require_qualified;
	if (c->min_replicas)
		o.min_replicas = c->min_replicas;
	if (c->ks_version)
		o.kube_score_version = c->ks_version;
	o.kube_score_min_replicas_deployment = c->ks_min_dep;
	o.kube_score_min_replicas_hpa = c->ks_min_hpa;
	if (c->ks_ignore_cpu >= 0)
		o.kube_score_ignore_cpu_limit = c->ks_ignore_cpu;
	if (c->ks_ignore_mem >= 0)
		o.kube_score_ignore_memory_limit = c->ks_ignore_mem;
	o.kube_linter_no_defaults = c->kl_no_defaults > 0;
	o.pipeline_reports_conflicts = true;
	if (c->schema_dir && o.profile == GR_PROFILE_KUBE_LINTER &&
	    gr_schema_registry_open(&s->schema, c->schema_dir, c->schema_version, NULL, err) != 0)
		return -1;
	o.schema = s->schema;
	if (gr_rules_new(&s->rules, &o, err) != 0)
		return -1;
	s->own_rules = true;
	return 0;
}

static int prepare(const void *config, const void *base, const gr_set *set, void **out, gr_error *err)
{
	const rules_prepared *b = base;
	*out = NULL;
	rules_prepared *s = calloc(1, sizeof *s);
	if (!s)
		return gr_error_set(err, 0, 0, "out of memory");
	if (b) {
		s->rules = b->rules; /* the base outlives this state */
	} else if (build_rules(config, s, err) != 0) {
		prepared_free(s);
		return -1;
	}
	size_t n = set ? gr_set_count(set) : 0;
	if (n) {
		s->objs = malloc(n * sizeof *s->objs);
		if (!s->objs) {
			prepared_free(s);
			return gr_error_set(err, 0, 0, "out of memory");
		}
		for (size_t i = 0; i < n; i++)
			s->objs[i] = *gr_set_object(set, i);
		if (gr_rules_index_new(s->objs, n, &s->ix, err) != 0) {
			prepared_free(s);
			return -1;
		}
	}
	*out = s;
	return 0;
}

static int check(const void *prepared, const gr_object *obj, gr_check_ctx *ctx, gr_findings *out,
                 gr_error *err)
{
	const rules_prepared *s = prepared;
	bool own_ignore = !ctx->honour_ignore_annotation; /* else the pipeline applies it */
	/* An admission request (the webhook) is one object: the objects around
	 * it in the cluster are not in the set, so a cross-object rule would
	 * judge it against nothing (every Service "selects no pod"). */
	bool lone = ctx->request != NULL;
	size_t not_judged = 0;
	int rc;
	if (s->ix)
		rc = gri_rules_check_object_ex(s->rules, s->ix, obj, out, own_ignore, lone, &not_judged, err);
	else {
		gr_rules_index *own;
		if (gr_rules_index_new(obj, 1, &own, err) != 0)
			return -1;
		rc = gri_rules_check_object_ex(s->rules, own, obj, out, own_ignore, lone, &not_judged, err);
		gr_rules_index_free(own);
	}
	gr_check_ctx_not_evaluated(ctx, not_judged,
	                           "rules about other objects (ref.*, a NetworkPolicy, PDB, HPA or "
	                           "ServiceAccount of the workload) are not judged at admission: the "
	                           "webhook sees one object; check and audit judge them");
	return rc;
}

/* Every kind a cross-object rule reads whole. */
static const char *const kinds[] = {"Namespace",
                                    "Service",
                                    "ServiceAccount",
                                    "ConfigMap",
                                    "Secret",
                                    "PersistentVolumeClaim",
                                    "Pod",
                                    "ReplicationController",
                                    "apps/Deployment",
                                    "apps/StatefulSet",
                                    "apps/DaemonSet",
                                    "apps/ReplicaSet",
                                    "extensions/Deployment",
                                    "extensions/DaemonSet",
                                    "extensions/ReplicaSet",
                                    "extensions/Ingress",
                                    "extensions/NetworkPolicy",
                                    "batch/Job",
                                    "batch/CronJob",
                                    "policy/PodDisruptionBudget",
                                    "networking.k8s.io/NetworkPolicy",
                                    "networking.k8s.io/Ingress",
                                    "autoscaling/HorizontalPodAutoscaler",
                                    "gateway.networking.k8s.io/HTTPRoute",
                                    "gateway.networking.k8s.io/GRPCRoute",
                                    "rbac.authorization.k8s.io/Role",
                                    "rbac.authorization.k8s.io/ClusterRole",
                                    "monitoring.coreos.com/ServiceMonitor",
                                    "apps.openshift.io/DeploymentConfig",
                                    "keda.sh/ScaledObject",
                                    "apiextensions.k8s.io/CustomResourceDefinition",
                                    NULL};

const gr_engine gri_engine_rules = {
        .name = "rules",
        .summary = "best practices (bp.*), cross-object checks (ref.*), deprecated APIs (api.*), image "
                   "provenance "
                   "(image.*), and the polaris, kube-score and kube-linter profiles",
        .kinds = kinds,
        .config_new = config_new,
        .config_set = config_set,
        .config_free = config_free,
        .prepare = prepare,
        .check = check,
        .prepared_free = prepared_free,
};

const gr_engine *gr_rules_engine(void)
{
	return &gri_engine_rules;
}
