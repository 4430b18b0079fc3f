/*
 * kube_score.c — the kube-score profile: one row per kube-score check
 * (kube-score.<check-id>), graded as kube-score grades: a finding of
 * severity error is CRITICAL, warning is WARNING, info is ALMOST_OK; a
 * judged object without findings is ALL_OK; an object the check skips
 * (not targeted by a Service, fewer than 2 replicas...) is not judged.
 *
 * Configuration follows kube-score's flags (--kubernetes-version,
 * --min-replicas-*, --ignore-container-*-limit). With
 * kube_score_zero_config the Go zero values apply instead of the CLI
 * defaults, as in kube-score's own tests.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "rules_int.h"

#define KS(id, sa, on, summary, fix, fn, param)                                                              \
	{                                                                                                    \
		{"kube-score." id,                                                                           \
		 "kube-score",                                                                               \
		 sa,                                                                                         \
		 on,                                                                                         \
		 summary,                                                                                    \
		 fix,                                                                                        \
		 "kube-score:" id,                                                                           \
		 "docs/migrating.md#kube-score"},                                                            \
		        fn, param, NULL                                                                      \
	}
#define CRIT      GR_SEV_ERROR, GR_ACTION_ENFORCE
#define WARN      GR_SEV_WARNING, GR_ACTION_WARN
#define CRITICAL  GR_SEV_ERROR
#define WARNING   GR_SEV_WARNING
#define ALMOST_OK GR_SEV_INFO

static bool zero(const rl_ctx *c)
{
	return c->opt->kube_score_zero_config;
}

/* apps/v1 Deployment or StatefulSet, batch Job/CronJob etc.: kube-score's parser kinds */
static bool is(const gr_object *o, const char *api, const char *kind)
{
	return strcmp(o->kind, kind) == 0 && (!api || strcmp(o->api_version, api) == 0);
}

static bool is_batch(const gr_object *o)
{
	return is(o, NULL, "Job") || is(o, NULL, "CronJob");
}

/* kube-score's PodSpecers: Pod, Job, CronJob, Deployment, StatefulSet, DaemonSet (ReplicaSet is not one) */
static bool pod_specer(const gr_object *o)
{
	return o->pod_spec && (is(o, "v1", "Pod") || is_batch(o) || is(o, NULL, "Deployment") ||
	                       is(o, NULL, "StatefulSet") || is(o, NULL, "DaemonSet"));
}

static int64_t replicas_or(const gr_object *o, int64_t dflt, bool *set)
{
	int64_t r = dflt;
	*set = rl_int(gr_get_path(o->root, "spec", "replicas", NULL), &r);
	return r;
}

static bool any_obj(void *user, const gr_object *o)
{
	*(const gr_object **)user = o;
	return false;
}

/* ---- resources ---- */

static void container_resources(rl_ctx *c)
{
	if (!pod_specer(c->obj))
		return;
	rl_judged(c);
	bool any = false, crit = false, warn = false;
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG | RL_INIT, &k)) {
		any = true;
		const gr_value *res = gr_get(k.node, "resources");
		if (c->rule->param == 0) {
			if (!c->opt->kube_score_ignore_cpu_limit &&
			    !rl_quantity_nonzero(gr_get_path(res, "limits", "cpu", NULL))) {
				rl_emit_sev(c, CRITICAL, rl_cpath(c, &k, ".resources.limits.cpu"), k.node,
				            "CPU limit is not set");
				crit = true;
			}
			if (!c->opt->kube_score_ignore_memory_limit &&
			    !rl_quantity_nonzero(gr_get_path(res, "limits", "memory", NULL))) {
				rl_emit_sev(c, CRITICAL, rl_cpath(c, &k, ".resources.limits.memory"), k.node,
				            "Memory limit is not set");
				crit = true;
			}
			if (!rl_quantity_nonzero(gr_get_path(res, "requests", "cpu", NULL)) ||
			    !rl_quantity_nonzero(gr_get_path(res, "requests", "memory", NULL)))
				warn = true;
		} else {
			if (!rl_quantity_nonzero(gr_get_path(res, "limits", "ephemeral-storage", NULL))) {
				rl_emit_sev(c, CRITICAL, rl_cpath(c, &k, ".resources.limits"), k.node,
				            "Ephemeral Storage limit is not set");
				crit = true;
			}
			if (!rl_quantity_nonzero(gr_get_path(res, "requests", "ephemeral-storage", NULL)))
				warn = true;
		}
	}
	if (!any)
		rl_emit_sev(c, CRITICAL, rl_spath(c, ".containers"), c->obj->pod_spec,
		            "No containers defined");
	else if (!crit && warn)
		rl_emit_sev(c, WARNING, rl_spath(c, ".containers"), c->obj->pod_spec,
		            c->rule->param ? "Ephemeral Storage request is not set"
		                           : "CPU or memory request is not set");
}

static bool qeq(const gr_value *a, const gr_value *b)
{
	double x = 0, y = 0;
	if (!rl_quantity(a, &x))
		x = 0;
	if (!rl_quantity(b, &y))
		y = 0;
	return x == y;
}

static void requests_equal(rl_ctx *c)
{
	if (!pod_specer(c->obj))
		return;
	rl_judged(c);
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG | RL_INIT, &k)) {
		const gr_value *res = gr_get(k.node, "resources");
		int p = c->rule->param; /* 0 both, 1 cpu, 2 memory, 3 ephemeral */
		if ((p == 0 || p == 1) &&
		    !qeq(gr_get_path(res, "requests", "cpu", NULL), gr_get_path(res, "limits", "cpu", NULL)))
			rl_emit(c, rl_cpath(c, &k, ".resources"), k.node,
			        "CPU requests does not match limits");
		if ((p == 0 || p == 2) && !qeq(gr_get_path(res, "requests", "memory", NULL),
		                               gr_get_path(res, "limits", "memory", NULL)))
			rl_emit(c, rl_cpath(c, &k, ".resources"), k.node,
			        "Memory requests does not match limits");
		if (p == 3) {
			const gr_value *rq = gr_get_path(res, "requests", "ephemeral-storage", NULL);
			const gr_value *lm = gr_get_path(res, "limits", "ephemeral-storage", NULL);
			if (rq && lm && !qeq(rq, lm))
				rl_emit(c, rl_cpath(c, &k, ".resources"), k.node,
				        "Ephemeral Storage request does not match limit");
		}
	}
}

/* ---- images ---- */

static const char *tag_after_last_colon(const char *img)
{
	const char *col = img ? strrchr(img, ':') : NULL;
	return col ? col + 1 : "";
}

static void image_tag(rl_ctx *c)
{
	if (!pod_specer(c->obj))
		return;
	rl_judged(c);
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG | RL_INIT, &k)) {
		const char *t = tag_after_last_colon(gr_get_str(k.node, "image"));
		if (!*t || strcmp(t, "latest") == 0)
			rl_emit(c, rl_cpath(c, &k, ".image"), gr_get(k.node, "image"),
			        "Image with latest tag");
	}
}

static void pull_policy(rl_ctx *c)
{
	if (!pod_specer(c->obj))
		return;
	rl_judged(c);
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG | RL_INIT, &k)) {
		const char *p = gr_get_str(k.node, "imagePullPolicy");
		const char *t = tag_after_last_colon(gr_get_str(k.node, "image"));
		if ((!p || !*p) && (!*t || strcmp(t, "latest") == 0))
			continue;
		if (!rl_is(p, "Always"))
			rl_emit(c, rl_cpath(c, &k, ".imagePullPolicy"), k.node,
			        "ImagePullPolicy is not set to Always");
	}
}

/* ---- security context ---- */

static void sc_rule(rl_ctx *c)
{
	if (!pod_specer(c->obj))
		return;
	rl_judged(c);
	const gr_value *psc = gr_get(c->obj->pod_spec, "securityContext");
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG | RL_INIT, &k)) {
		switch (c->rule->param) {
		case 0:
			if (rl_true(gr_get(k.sc, "privileged")))
				rl_emit(c, rl_cpath(c, &k, ".securityContext.privileged"), k.node,
				        "The container is privileged");
			break;
		case 1:
			if (!rl_true(gr_get(k.sc, "readOnlyRootFilesystem")))
				rl_emit(c, rl_cpath(c, &k, ".securityContext.readOnlyRootFilesystem"), k.node,
				        k.sc ? "The pod has a container with a writable root filesystem"
				             : "Container has no configured security context");
			break;
		default: {
			if (!k.sc && !psc) {
				rl_emit(c, rl_cpath(c, &k, ".securityContext"), k.node,
				        "Container has no configured security context");
				break;
			}
			int64_t u, g;
			const gr_value *uv = gr_get(k.sc, "runAsUser"), *gv = gr_get(k.sc, "runAsGroup");
			if (!uv)
				uv = gr_get(psc, "runAsUser");
			if (!gv)
				gv = gr_get(psc, "runAsGroup");
			if (!rl_int(uv, &u) || u < 10000)
				rl_emit(c, rl_cpath(c, &k, ".securityContext.runAsUser"), k.node,
				        "The container is running with a low user ID");
			if (!rl_int(gv, &g) || g < 10000)
				rl_emit(c, rl_cpath(c, &k, ".securityContext.runAsGroup"), k.node,
				        "The container running with a low group ID");
		}
		}
	}
}

static void seccomp(rl_ctx *c)
{
	if (!pod_specer(c->obj))
		return;
	rl_judged(c);
	const gr_value *ann = c->obj->pod_metadata ? gr_get(c->obj->pod_metadata, "annotations") : NULL;
	if (gr_get(ann, "seccomp.security.alpha.kubernetes.io/defaultProfileName"))
		return;
	if (gr_get_path(c->obj->pod_spec, "securityContext", "seccompProfile", NULL))
		return;
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG, &k))
		if (!rl_set_(gr_get(k.sc, "seccompProfile"))) {
			rl_emit(c, rl_cpath(c, &k, ".securityContext.seccompProfile"), k.node,
			        "The pod has not configured Seccomp for its containers");
			return;
		}
}

static void env_dup(rl_ctx *c)
{
	if (!pod_specer(c->obj))
		return;
	rl_judged(c);
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG | RL_INIT, &k)) {
		const gr_value *env = gr_get(k.node, "env");
		for (size_t i = 0; env && env->type == GR_ARRAY && i < env->u.a.len; i++) {
			const char *n = gr_get_str(&env->u.a.items[i], "name");
			for (size_t j = 0; n && j < i; j++)
				if (rl_is(gr_get_str(&env->u.a.items[j], "name"), n)) {
					rl_emit(c, rl_cpath(c, &k, ".env"), env,
					        "Environment Variable Key Duplication");
					break;
				}
		}
	}
}

static void ports_check(rl_ctx *c)
{
	if (!pod_specer(c->obj))
		return;
	rl_judged(c);
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG | RL_INIT, &k)) {
		const gr_value *ports = gr_get(k.node, "ports");
		for (size_t i = 0; ports && ports->type == GR_ARRAY && i < ports->u.a.len; i++) {
			const gr_value *p = &ports->u.a.items[i];
			const char *n = gr_get_str(p, "name");
			int64_t cp = 0;
			rl_int(gr_get(p, "containerPort"), &cp);
			if (cp == 0)
				rl_emit(c, rl_cpath(c, &k, ".ports"), p, "Container port is missing or 0");
			if (n && strlen(n) > 15)
				rl_emit(c, rl_cpath(c, &k, ".ports"), p, "Container port name is too long");
			for (size_t j = 0; n && *n && j < i; j++)
				if (rl_is(gr_get_str(&ports->u.a.items[j], "name"), n))
					rl_emit(c, rl_cpath(c, &k, ".ports"), p,
					        "Container ports name is duplicated");
		}
	}
}

/* ---- probes ---- */

static bool targeted_by_service(const rl_set *s, const gr_object *o)
{
	const gr_object *hit = NULL;
	rl_each_service_selecting(s, o->namespace_, rl_pod_labels(o), true, any_obj, &hit);
	return hit != NULL;
}

static void probes(rl_ctx *c)
{
	if (!pod_specer(c->obj))
		return;
	if (is_batch(c->obj)) {
		rl_judged(c);
		return;
	}
	rl_judged(c);
	if (!targeted_by_service(rl_use_set(c), c->obj)) {
		rl_skip(c, "The pod is not targeted by a service, skipping probe checks.");
		return;
	}
	bool ready = false, live = false;
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG | RL_INIT, &k)) {
		ready |= rl_set_(gr_get(k.node, "readinessProbe"));
		live |= rl_set_(gr_get(k.node, "livenessProbe"));
	}
	if (!ready)
		rl_emit_sev(c, CRITICAL, rl_spath(c, ".containers"), c->obj->pod_spec,
		            "Container is missing a readinessProbe");
	else if (!live)
		rl_emit_sev(c, ALMOST_OK, rl_spath(c, ".containers"), c->obj->pod_spec,
		            "Container is missing a livenessProbe");
}

static int64_t port_int(const gr_value *v)
{
	int64_t x;
	return rl_int(v, &x) ? x : 0; /* named ports compare as 0 */
}

static void probes_identical(rl_ctx *c)
{
	if (!pod_specer(c->obj))
		return;
	rl_judged(c);
	if (is_batch(c->obj))
		return;
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG | RL_INIT, &k)) {
		const gr_value *r = gr_get(k.node, "readinessProbe"), *l = gr_get(k.node, "livenessProbe");
		if (!r || !l)
			continue;
		bool same = false;
		const gr_value *rh = gr_get(r, "httpGet"), *lh = gr_get(l, "httpGet");
		if (rh && lh)
			same = rl_is(gr_get_str(rh, "path") ? gr_get_str(rh, "path") : "",
			             gr_get_str(lh, "path") ? gr_get_str(lh, "path") : "") &&
			       port_int(gr_get(rh, "port")) == port_int(gr_get(lh, "port"));
		const gr_value *rt = gr_get(r, "tcpSocket"), *lt = gr_get(l, "tcpSocket");
		if (rt && lt)
			same = port_int(gr_get(rt, "port")) == port_int(gr_get(lt, "port"));
		const gr_value *re = gr_get(r, "exec"), *le = gr_get(l, "exec");
		if (re && le) {
			const gr_value *rc = gr_get(re, "command"), *lc = gr_get(le, "command");
			same = (!rc && !lc) || (rc && lc && gr_equal(rc, lc));
		}
		if (same)
			rl_emit(c, rl_cpath(c, &k, ".livenessProbe"), l,
			        "Container has the same readiness and liveness probe");
	}
}

/* ---- workloads ---- */

static void cronjob(rl_ctx *c)
{
	if (!is(c->obj, "batch/v1", "CronJob") && !is(c->obj, "batch/v1beta1", "CronJob"))
		return;
	rl_judged(c);
	if (c->rule->param == 0) {
		if (!gr_get_path(c->obj->root, "spec", "startingDeadlineSeconds", NULL))
			rl_emit(c, "spec.startingDeadlineSeconds", c->obj->root,
			        "The CronJob should have startingDeadlineSeconds configured");
	} else {
		const char *p = gr_get_str(c->obj->pod_spec, "restartPolicy");
		if (!rl_is(p, "Never") && !rl_is(p, "OnFailure"))
			rl_emit(c, rl_spath(c, ".restartPolicy"), c->obj->pod_spec,
			        p && *p ? "The CronJob has an invalid restartPolicy"
			                : "The CronJob is missing a valid restartPolicy");
	}
}

static const gr_object *hpa_targeting(const rl_set *s, const gr_object *o, bool compare_api, bool kind_ci)
{
	uint64_t h = rl_hash("HorizontalPodAutoscaler", o->namespace_, NULL);
	for (uint32_t e = rl_map_first(&s->by_kind_ns, h); e; e = rl_map_next(&s->by_kind_ns, e, h)) {
		const gr_object *x = &s->objs[rl_map_obj(&s->by_kind_ns, e)];
		if (strcmp(x->kind, "HorizontalPodAutoscaler") || strcmp(x->namespace_, o->namespace_))
			continue;
		const gr_value *ref = gr_get_path(x->root, "spec", "scaleTargetRef", NULL);
		const char *k = gr_get_str(ref, "kind");
		bool kind_ok = kind_ci ? rl_streq_ci(k, o->kind) : rl_is(k, o->kind);
		if (kind_ok && rl_is(gr_get_str(ref, "name"), o->name) &&
		    (!compare_api || rl_is(gr_get_str(ref, "apiVersion"), o->api_version)))
			return x;
	}
	return NULL;
}

static void deployment_replicas(rl_ctx *c)
{
	if (!is(c->obj, "apps/v1", "Deployment"))
		return;
	if (!targeted_by_service(rl_use_set(c), c->obj)) {
		rl_skip(c, "Skipped as the Deployment is not targeted by service");
		return;
	}
	if (hpa_targeting(rl_use_set(c), c->obj, true, false)) {
		rl_skip(c, "Skipped as the Deployment is controlled by a HorizontalPodAutoscaler");
		return;
	}
	rl_judged(c);
	bool set;
	int64_t r = replicas_or(c->obj, 1, &set);
	int min = c->opt->kube_score_min_replicas_deployment;
	if (!zero(c) && min == 0)
		min = 2;
	if (r < min)
		rl_emit(c, "spec.replicas", c->obj->root, "Deployment few replicas");
}

static void deployment_strategy(rl_ctx *c)
{
	if (!is(c->obj, "apps/v1", "Deployment"))
		return;
	if (!targeted_by_service(rl_use_set(c), c->obj)) {
		rl_skip(c, "Skipped as the Deployment is not targeted by service");
		return;
	}
	rl_judged(c);
	const char *t = gr_get_str(gr_get_path(c->obj->root, "spec", "strategy", NULL), "type");
	if (t && *t && strcmp(t, "RollingUpdate") != 0)
		rl_emit(c, "spec.strategy.type", c->obj->root, "Deployment update strategy");
}

static void hpa_static(rl_ctx *c)
{
	if (!is(c->obj, "apps/v1", "Deployment"))
		return;
	if (!hpa_targeting(rl_use_set(c), c->obj, false, true))
		return;
	rl_judged(c);
	if (gr_get_path(c->obj->root, "spec", "replicas", NULL))
		rl_emit(c, "spec.replicas", c->obj->root,
		        "The deployment is targeted by a HPA, but a static replica count is configured");
}

static const char *const topo_keys[] = {"kubernetes.io/hostname",
                                        "topology.kubernetes.io/region",
                                        "topology.kubernetes.io/zone",
                                        "failure-domain.beta.kubernetes.io/region",
                                        "failure-domain.beta.kubernetes.io/zone",
                                        NULL};

static bool term_ok(const gr_value *term, const gr_value *labels)
{
	const char *tk = gr_get_str(term, "topologyKey");
	bool key = false;
	for (int i = 0; tk && topo_keys[i]; i++)
		key |= strcmp(tk, topo_keys[i]) == 0;
	return key && rl_selector_selects(gr_get(term, "labelSelector"), labels, false);
}

static void anti_affinity(rl_ctx *c)
{
	if (!is(c->obj, "apps/v1", c->rule->param ? "StatefulSet" : "Deployment"))
		return;
	bool set;
	int64_t r = replicas_or(c->obj, 1, &set);
	if (set && r < 2)
		return;
	rl_judged(c);
	const gr_value *pa = gr_get_path(c->obj->pod_spec, "affinity", "podAntiAffinity", NULL);
	const gr_value *labels = rl_pod_labels(c->obj);
	const gr_value *pref = gr_get(pa, "preferredDuringSchedulingIgnoredDuringExecution");
	const gr_value *req = gr_get(pa, "requiredDuringSchedulingIgnoredDuringExecution");
	for (size_t i = 0; pref && pref->type == GR_ARRAY && i < pref->u.a.len; i++)
		if (term_ok(gr_get(&pref->u.a.items[i], "podAffinityTerm"), labels))
			return;
	for (size_t i = 0; req && req->type == GR_ARRAY && i < req->u.a.len; i++)
		if (term_ok(&req->u.a.items[i], labels))
			return;
	rl_emit(c, rl_spath(c, ".affinity"), c->obj->pod_spec, "%s does not have a host podAntiAffinity set",
	        c->obj->kind);
}

static void has_pdb(rl_ctx *c)
{
	if (!is(c->obj, "apps/v1", c->rule->param ? "StatefulSet" : "Deployment"))
		return;
	bool set;
	int64_t r = replicas_or(c->obj, 1, &set);
	if (set && r < 2)
		return;
	rl_judged(c);
	const gr_object *pdb = NULL;
	rl_each_selecting(rl_use_set(c), "PodDisruptionBudget", c->obj->namespace_, rl_pod_labels(c->obj),
	                  true, any_obj, &pdb);
	if (pdb)
		return;
	rl_emit(c, NULL, NULL, "No matching PodDisruptionBudget was found");
}

static void pdb_policy(rl_ctx *c)
{
	if (!is(c->obj, NULL, "PodDisruptionBudget"))
		return;
	rl_judged(c);
	const gr_value *spec = gr_get(c->obj->root, "spec");
	if (!gr_get(spec, "minAvailable") && !gr_get(spec, "maxUnavailable"))
		rl_emit(c, "spec", spec, "PodDisruptionBudget missing policy");
}

static void selector_match(rl_ctx *c)
{
	if (!is(c->obj, "apps/v1", c->rule->param ? "StatefulSet" : "Deployment"))
		return;
	rl_judged(c);
	const gr_value *sel = gr_get_path(c->obj->root, "spec", "selector", NULL);
	if (!sel || !rl_selector_selects(sel, rl_pod_labels(c->obj), true))
		rl_emit(c, "spec.selector", c->obj->root,
		        "Pod selector labels do not match template metadata labels");
}

static void statefulset_service(rl_ctx *c)
{
	if (!is(c->obj, "apps/v1", "StatefulSet"))
		return;
	rl_judged(c);
	const char *sn = gr_get_str(gr_get(c->obj->root, "spec"), "serviceName");
	const gr_object *svc = sn ? rl_find(rl_use_set(c), "Service", c->obj->namespace_, sn) : NULL;
	if (!svc || !rl_is(gr_get_str(gr_get(svc->root, "spec"), "clusterIP"), "None") ||
	    !rl_map_selects(gr_get_path(svc->root, "spec", "selector", NULL), rl_pod_labels(c->obj), true))
		rl_emit(c, "spec.serviceName", c->obj->root, "StatefulSet does not have a valid serviceName");
}

static void topology(rl_ctx *c)
{
	if (!pod_specer(c->obj))
		return;
	rl_judged(c);
	const gr_value *t = gr_get(c->obj->pod_spec, "topologySpreadConstraints");
	for (size_t i = 0; t && t->type == GR_ARRAY && i < t->u.a.len; i++) {
		const gr_value *x = &t->u.a.items[i];
		int64_t v;
		const char *wu = gr_get_str(x, "whenUnsatisfiable");
		const gr_value *md = gr_get(x, "minDomains");
		if (!rl_set_(gr_get(x, "labelSelector")) ||
		    (rl_int(gr_get(x, "maxSkew"), &v) ? v == 0 : true) || (md && rl_int(md, &v) && v == 0) ||
		    !gr_get_str(x, "topologyKey") || !*gr_get_str(x, "topologyKey") ||
		    !(rl_is(wu, "DoNotSchedule") || rl_is(wu, "ScheduleAnyway"))) {
			rl_emit(c, rl_spath(c, ".topologySpreadConstraints"), x,
			        "Pod Topology Spread Constraints");
			return;
		}
	}
}

/* ---- network ---- */

typedef struct netpol_dirs {
	bool in, eg;
} netpol_dirs;

/* The directions a selecting NetworkPolicy covers: policyTypes, or when it
 * has none, Ingress plus Egress if it has egress rules. */
static bool add_dirs(void *user, const gr_object *p)
{
	netpol_dirs *d = user;
	if (strcmp(p->api_version, "networking.k8s.io/v1") != 0)
		return true;
	const gr_value *spec = gr_get(p->root, "spec");
	const gr_value *pt = gr_get(spec, "policyTypes");
	if (!pt || pt->type != GR_ARRAY || pt->u.a.len == 0) {
		d->in = true;
		const gr_value *egr = gr_get(spec, "egress");
		d->eg |= egr && egr->type == GR_ARRAY && egr->u.a.len > 0;
	} else {
		d->in |= rl_has_str(pt, "Ingress", false);
		d->eg |= rl_has_str(pt, "Egress", false);
	}
	return true;
}

static void pod_netpol(rl_ctx *c)
{
	if (!pod_specer(c->obj))
		return;
	rl_judged(c);
	netpol_dirs d = {false, false};
	rl_each_selecting(rl_use_set(c), "NetworkPolicy", c->obj->namespace_, rl_pod_labels(c->obj), true,
	                  add_dirs, &d);
	bool in = d.in, eg = d.eg;
	if (!in && !eg)
		rl_emit_sev(c, CRITICAL, NULL, NULL, "The pod does not have a matching NetworkPolicy");
	else if (!in)
		rl_emit_sev(c, WARNING, NULL, NULL, "The pod does not have a matching ingress NetworkPolicy");
	else if (!eg)
		rl_emit_sev(c, WARNING, NULL, NULL, "The pod does not have a matching egress NetworkPolicy");
}

static void netpol_targets(rl_ctx *c)
{
	if (!is(c->obj, "networking.k8s.io/v1", "NetworkPolicy"))
		return;
	rl_judged(c);
	const gr_object *hit = NULL;
	rl_each_selected(rl_use_set(c), c->obj->namespace_,
	                 gr_get_path(c->obj->root, "spec", "podSelector", NULL), false, true, any_obj, &hit);
	if (!hit)
		rl_emit(c, "spec.podSelector", c->obj->root,
		        "The NetworkPolicys selector doesn't match any pods");
}

static void service_targets(rl_ctx *c)
{
	if (!is(c->obj, "v1", "Service"))
		return;
	rl_judged(c);
	const gr_value *spec = gr_get(c->obj->root, "spec");
	if (rl_is(gr_get_str(spec, "type"), "ExternalName"))
		return;
	const gr_value *sel = gr_get(spec, "selector");
	if (!sel || sel->type != GR_OBJECT || sel->u.o.len == 0)
		return; /* empty selector matches everything */
	const gr_object *hit = NULL;
	rl_each_selected(rl_use_set(c), c->obj->namespace_, sel, true, false, any_obj, &hit);
	if (!hit)
		rl_emit(c, "spec.selector", sel, "The services selector does not match any pods");
}

static void service_type(rl_ctx *c)
{
	if (!is(c->obj, "v1", "Service"))
		return;
	rl_judged(c);
	if (rl_is(gr_get_str(gr_get(c->obj->root, "spec"), "type"), "NodePort"))
		rl_emit(c, "spec.type", c->obj->root, "The service is of type NodePort");
}

static bool svc_port(const gr_object *svc, int64_t num, const char *name)
{
	const gr_value *ports = gr_get_path(svc->root, "spec", "ports", NULL);
	for (size_t i = 0; ports && ports->type == GR_ARRAY && i < ports->u.a.len; i++) {
		int64_t p;
		if (num > 0 && rl_int(gr_get(&ports->u.a.items[i], "port"), &p) && p == num)
			return true;
		if (name && *name && rl_is(gr_get_str(&ports->u.a.items[i], "name"), name))
			return true;
	}
	return false;
}

static void ingress_targets(rl_ctx *c)
{
	if (!is(c->obj, NULL, "Ingress"))
		return;
	bool v1 = strcmp(c->obj->api_version, "networking.k8s.io/v1") == 0;
	if (!v1 && strcmp(c->obj->api_version, "networking.k8s.io/v1beta1") &&
	    strcmp(c->obj->api_version, "extensions/v1beta1"))
		return;
	rl_judged(c);
	const gr_value *rules = gr_get_path(c->obj->root, "spec", "rules", NULL);
	for (size_t i = 0; rules && rules->type == GR_ARRAY && i < rules->u.a.len; i++) {
		const gr_value *paths = gr_get_path(&rules->u.a.items[i], "http", "paths", NULL);
		for (size_t j = 0; paths && paths->type == GR_ARRAY && j < paths->u.a.len; j++) {
			const gr_value *b = gr_get(&paths->u.a.items[j], "backend");
			const char *name;
			int64_t num = 0;
			const char *pname = NULL;
			if (v1) {
				name = gr_get_str(gr_get(b, "service"), "name");
				const gr_value *port = gr_get_path(b, "service", "port", NULL);
				rl_int(gr_get(port, "number"), &num);
				pname = gr_get_str(port, "name");
			} else {
				name = gr_get_str(b, "serviceName");
				const gr_value *sp = gr_get(b, "servicePort");
				if (!rl_int(sp, &num))
					pname = rl_str(sp);
			}
			const gr_object *svc =
			        name ? rl_find(rl_use_set(c), "Service", c->obj->namespace_, name) : NULL;
			if (!svc || !svc_port(svc, num, pname)) {
				rl_emit(c, "spec.rules", b ? b : c->obj->root, "No service match was found");
				return;
			}
		}
	}
}

/* ---- HPA, labels, versions ---- */

static void hpa_target(rl_ctx *c)
{
	if (!is(c->obj, NULL, "HorizontalPodAutoscaler"))
		return;
	rl_judged(c);
	const gr_value *ref = gr_get_path(c->obj->root, "spec", "scaleTargetRef", NULL);
	const char *api = gr_get_str(ref, "apiVersion"), *kind = gr_get_str(ref, "kind"),
	           *name = gr_get_str(ref, "name");
	const gr_object *t = kind && name ? rl_find(rl_use_set(c), kind, c->obj->namespace_, name) : NULL;
	if (!t || !rl_is(api ? api : "", t->api_version))
		rl_emit(c, "spec.scaleTargetRef", ref ? ref : c->obj->root,
		        "The HPA target does not match anything");
}

static void hpa_replicas(rl_ctx *c)
{
	if (!is(c->obj, NULL, "HorizontalPodAutoscaler"))
		return;
	rl_judged(c);
	int64_t mn = 1;
	rl_int(gr_get_path(c->obj->root, "spec", "minReplicas", NULL), &mn);
	int min = c->opt->kube_score_min_replicas_hpa;
	if (!zero(c) && min == 0)
		min = 2;
	if (mn < min)
		rl_emit(c, "spec.minReplicas", c->obj->root, "HPA has less than %d replicas", min);
}

static bool label_value_ok(const char *v)
{
	size_t n = strlen(v);
	if (n == 0)
		return true;
	if (!isalnum((unsigned char)v[0]) || !isalnum((unsigned char)v[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && !strchr("-_.", v[i]))
			return false;
	return true;
}

static void label_values(rl_ctx *c)
{
	rl_judged(c);
	const gr_value *l = rl_labels(c->obj);
	for (size_t i = 0; l && l->type == GR_OBJECT && i < l->u.o.len; i++) {
		const char *v = rl_str(&l->u.o.members[i].value);
		if (v && !label_value_ok(v))
			rl_emit(c, "metadata.labels", &l->u.o.members[i].value, "Invalid label value");
	}
}

static int ks_minor(const char *v)
{
	int a = 0, b = 0;
	if (!v)
		return 0;
	if (*v == 'v')
		v++;
	return sscanf(v, "%d.%d", &a, &b) == 2 ? a * 100 + b : 0;
}

static void stable_version(rl_ctx *c)
{
	static const struct {
		const char *api, *kind, *repl;
		int since;
	} t[] = {
	        {"extensions/v1beta1", "Deployment", "apps/v1", 109},
	        {"extensions/v1beta1", "DaemonSet", "apps/v1", 109},
	        {"extensions/v1beta1", "Ingress", "networking.k8s.io/v1", 119},
	        {"extensions/v1beta1", "IngressClass", "networking.k8s.io/v1", 119},
	        {"apps/v1beta1", "Deployment", "apps/v1", 109},
	        {"apps/v1beta1", "StatefulSet", "apps/v1", 109},
	        {"apps/v1beta2", "Deployment", "apps/v1", 109},
	        {"apps/v1beta2", "StatefulSet", "apps/v1", 109},
	        {"apps/v1beta2", "DaemonSet", "apps/v1", 109},
	        {"batch/v1beta1", "CronJob", "batch/v1", 121},
	        {"policy/v1beta1", "PodDisruptionBudget", "policy/v1", 121},
	        {"networking.k8s.io/v1beta1", "Ingress", "networking.k8s.io/v1", 119},
	        {"networking.k8s.io/v1beta1", "IngressClass", "networking.k8s.io/v1", 119},
	        {"autoscaling/v2beta1", "HorizontalPodAutoscaler", "autoscaling/v2", 123},
	        {"autoscaling/v2beta2", "HorizontalPodAutoscaler", "autoscaling/v2", 123},
	};
	rl_judged(c);
	const char *kv = c->opt->kube_score_version;
	if (!kv && !zero(c))
		kv = "v1.18";
	int v = ks_minor(kv);
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (!strcmp(t[i].api, c->obj->api_version) && !strcmp(t[i].kind, c->obj->kind) &&
		    v >= t[i].since)
			rl_emit(c, "apiVersion", gr_get(c->obj->root, "apiVersion"),
			        "The apiVersion and kind %s/%s is deprecated: It's recommended to use %s "
			        "instead which has "
			        "been available since Kubernetes v%d.%d",
			        c->obj->api_version, c->obj->kind, t[i].repl, t[i].since / 100,
			        t[i].since % 100);
}

const rl_rule rl_pack_kube_score[] = {
        KS("container-resources", CRIT, true, "container resources are not set", "set requests and limits",
           container_resources, 0),
        KS("container-ephemeral-storage-request-and-limit", CRIT, true, "ephemeral storage is not set",
           "set ephemeral-storage requests and limits", container_resources, 1),
        KS("container-resource-requests-equal-limits", CRIT, false, "requests differ from limits",
           "set requests equal to limits", requests_equal, 0),
        KS("container-cpu-requests-equal-limits", CRIT, false, "CPU requests differ from limits",
           "set requests.cpu equal to limits.cpu", requests_equal, 1),
        KS("container-memory-requests-equal-limits", CRIT, false, "memory requests differ from limits",
           "set requests.memory equal to limits.memory", requests_equal, 2),
        KS("container-ephemeral-storage-request-equals-limit", CRIT, false,
           "ephemeral-storage request differs from limit",
           "set the ephemeral-storage request equal to the limit", requests_equal, 3),
        KS("container-image-tag", CRIT, true, "image with latest tag", "pin the image tag", image_tag, 0),
        KS("container-image-pull-policy", CRIT, true, "imagePullPolicy is not Always",
           "set imagePullPolicy: Always", pull_policy, 0),
        KS("container-security-context-privileged", CRIT, true, "the container is privileged",
           "remove privileged", sc_rule, 0),
        KS("container-security-context-readonlyrootfilesystem", CRIT, true, "the root filesystem is writable",
           "set readOnlyRootFilesystem: true", sc_rule, 1),
        KS("container-security-context-user-group-id", CRIT, true, "low user or group id",
           "set runAsUser and runAsGroup to 10000 or more", sc_rule, 2),
        KS("container-seccomp-profile", WARN, false, "seccomp is not configured", "set seccompProfile",
           seccomp, 0),
        KS("container-ports-check", CRIT, false, "container ports are invalid", "fix port names and numbers",
           ports_check, 0),
        KS("environment-variable-key-duplication", CRIT, true, "environment variable key duplication",
           "keep one entry per name", env_dup, 0),
        KS("pod-probes", CRIT, true, "probes are missing", "add readinessProbe and livenessProbe", probes, 0),
        KS("pod-probes-identical", CRIT, true, "identical readiness and liveness probes",
           "use different probes", probes_identical, 0),
        KS("pod-networkpolicy", CRIT, true, "no matching NetworkPolicy", "add a NetworkPolicy", pod_netpol,
           0),
        KS("pod-topology-spread-constraints", CRIT, true, "invalid topology spread constraints",
           "fix the constraints", topology, 0),
        KS("networkpolicy-targets-pod", CRIT, true, "the NetworkPolicy selects no pods", "fix podSelector",
           netpol_targets, 0),
        KS("service-targets-pod", CRIT, true, "the Service selects no pods", "fix the selector",
           service_targets, 0),
        KS("service-type", WARN, true, "the Service is of type NodePort", "use ClusterIP", service_type, 0),
        KS("ingress-targets-service", CRIT, true, "the Ingress targets no Service", "fix the backend",
           ingress_targets, 0),
        KS("cronjob-has-deadline", CRIT, true, "the CronJob has no deadline", "set startingDeadlineSeconds",
           cronjob, 0),
        KS("cronjob-restartpolicy", CRIT, true, "the CronJob has an invalid restartPolicy",
           "set restartPolicy Never or OnFailure", cronjob, 1),
        KS("deployment-replicas", WARN, true, "the Deployment has few replicas", "raise spec.replicas",
           deployment_replicas, 0),
        KS("deployment-strategy", WARN, true, "the Deployment does not use RollingUpdate",
           "use RollingUpdate", deployment_strategy, 0),
        KS("deployment-targeted-by-hpa-does-not-have-replicas-configured", CRIT, true,
           "an HPA-scaled Deployment sets replicas", "remove spec.replicas", hpa_static, 0),
        KS("deployment-has-host-podantiaffinity", WARN, true, "no host podAntiAffinity",
           "add podAntiAffinity", anti_affinity, 0),
        KS("statefulset-has-host-podantiaffinity", WARN, true, "no host podAntiAffinity",
           "add podAntiAffinity", anti_affinity, 1),
        KS("deployment-has-poddisruptionbudget", CRIT, true, "no matching PodDisruptionBudget", "add a PDB",
           has_pdb, 0),
        KS("statefulset-has-poddisruptionbudget", CRIT, true, "no matching PodDisruptionBudget", "add a PDB",
           has_pdb, 1),
        KS("poddisruptionbudget-has-policy", CRIT, true, "the PDB has no policy",
           "set minAvailable or maxUnavailable", pdb_policy, 0),
        KS("deployment-pod-selector-labels-match-template-metadata-labels", CRIT, true,
           "selector does not match template labels", "fix spec.selector", selector_match, 0),
        KS("statefulset-pod-selector-labels-match-template-metadata-labels", CRIT, true,
           "selector does not match template labels", "fix spec.selector", selector_match, 1),
        KS("statefulset-has-servicename", CRIT, true, "no valid headless serviceName",
           "add a headless Service", statefulset_service, 0),
        KS("horizontalpodautoscaler-has-target", CRIT, true, "the HPA target does not exist",
           "fix scaleTargetRef", hpa_target, 0),
        KS("horizontalpodautoscaler-replicas", WARN, true, "the HPA has few replicas", "raise minReplicas",
           hpa_replicas, 0),
        KS("label-values", CRIT, true, "invalid label value", "fix the label value", label_values, 0),
        KS("stable-version", WARN, true, "deprecated apiVersion", "use the replacement apiVersion",
           stable_version, 0),
        RL_PACK_END,
};
