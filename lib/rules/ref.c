/*
 * ref.c — cross-object rules (ref.*), judged over the whole input set
 * through the index: Services and their pods and ports, Ingress and
 * HTTPRoute backends, HPA targets and requests, PodDisruptionBudgets,
 * NetworkPolicies, references to ConfigMaps/Secrets/ServiceAccounts/PVCs,
 * StatefulSet governing Services, duplicates, selector/label mismatches.
 *
 * References to objects that may live in the cluster are reported only
 * when the set declares the namespace (a Namespace object) or the caller
 * says the set is complete (--assume-complete).
 */
#include <stdio.h>
#include <stdlib.h>

#include "rules_int.h"

#define REF(id, sa, on, summary, fix, up, fn, param)                                                         \
	{                                                                                                    \
		{"ref." id, "ref", sa, on, summary, fix, up, "docs/rules/ref.md#ref" id}, fn, param, NULL    \
	}
#define W GR_SEV_WARNING, GR_ACTION_WARN
#define E GR_SEV_ERROR, GR_ACTION_ENFORCE

const gr_object *rl_hpa_for(const rl_set *s, const gr_object *o);

static bool first(void *user, const gr_object *o)
{
	*(const gr_object **)user = o;
	return false;
}

static int64_t replicas_of(const gr_object *o)
{
	int64_t r = 1;
	rl_int(gr_get_path(o->root, "spec", "replicas", NULL), &r);
	return r;
}

/* ---- Services ---- */

static bool is_core_service(const gr_object *o)
{
	return rl_kind(o, "Service") && o->group[0] == '\0';
}

static void service_selects(rl_ctx *c)
{
	if (!is_core_service(c->obj))
		return;
	const gr_value *spec = gr_get(c->obj->root, "spec");
	if (rl_is(gr_get_str(spec, "type"), "ExternalName"))
		return;
	const gr_value *sel = gr_get(spec, "selector");
	if (!sel || sel->type != GR_OBJECT || sel->u.o.len == 0)
		return; /* no selector: endpoints are managed by hand */
	rl_judged(c);
	const gr_object *hit = NULL;
	rl_each_selected(rl_use_set(c), c->obj->namespace_, sel, true, false, first, &hit);
	if (!hit)
		rl_emit(c, "spec.selector", sel,
		        "the Service's selector matches no pod template in namespace \"%s\"",
		        c->obj->namespace_[0] ? c->obj->namespace_ : "default");
}

typedef struct port_q {
	const gr_value *target;
	bool found;
	bool any_declared; /* some selected container declares ports */
} port_q;

static bool ctr_has_port(const gr_value *ctr, const gr_value *target)
{
	const gr_value *ports = gr_get(ctr, "ports");
	int64_t num;
	bool isnum = rl_int(target, &num);
	const char *name = rl_str(target);
	for (size_t i = 0; ports && ports->type == GR_ARRAY && i < ports->u.a.len; i++) {
		const gr_value *p = &ports->u.a.items[i];
		int64_t cp;
		if (isnum && rl_int(gr_get(p, "containerPort"), &cp) && cp == num)
			return true;
		if (name && rl_is(gr_get_str(p, "name"), name))
			return true;
	}
	return false;
}

static bool port_in_pod(void *user, const gr_object *o)
{
	port_q *q = user;
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(o, RL_REG, &k)) {
		const gr_value *ports = gr_get(k.node, "ports");
		q->any_declared |= ports && ports->type == GR_ARRAY && ports->u.a.len > 0;
		if (ctr_has_port(k.node, q->target)) {
			q->found = true;
			return false;
		}
	}
	return true;
}

static void service_target_port(rl_ctx *c)
{
	if (!is_core_service(c->obj))
		return;
	const gr_value *sel = gr_get_path(c->obj->root, "spec", "selector", NULL);
	if (!sel || sel->type != GR_OBJECT || sel->u.o.len == 0)
		return;
	const gr_object *hit = NULL;
	rl_each_selected(rl_use_set(c), c->obj->namespace_, sel, true, false, first, &hit);
	if (!hit)
		return; /* ref.service-selector reports it */
	rl_judged(c);
	const gr_value *ports = gr_get_path(c->obj->root, "spec", "ports", NULL);
	for (size_t i = 0; ports && ports->type == GR_ARRAY && i < ports->u.a.len; i++) {
		const gr_value *p = &ports->u.a.items[i];
		const gr_value *t = gr_get(p, "targetPort");
		if (!t)
			t = gr_get(p, "port");
		if (!t || (t->type != GR_STRING && t->type != GR_INT))
			continue;
		port_q q = {t, false, false};
		rl_each_selected(rl_use_set(c), c->obj->namespace_, sel, true, false, port_in_pod, &q);
		/* A name must resolve. A number is judged only when the selected
		 * containers declare their ports (a container may listen on a port
		 * it does not declare, but one that lists its ports and not this
		 * one is almost always a typo). */
		if (!q.found && t->type == GR_INT && q.any_declared) {
			char path[64];
			snprintf(path, sizeof path, "spec.ports[%zu].targetPort", i);
			rl_emit(c, path, t, "no container selected by the Service declares port %lld",
			        (long long)t->u.i);
			continue;
		}
		if (!q.found && t->type == GR_STRING) {
			char path[64];
			snprintf(path, sizeof path, "spec.ports[%zu].targetPort", i);
			rl_emit(c, path, t,
			        "no container selected by the Service declares a port named \"%s\"",
			        t->u.s.ptr);
		}
	}
}

/* ---- Ingress / HTTPRoute backends ---- */

static bool service_has_port(const gr_object *svc, const gr_value *num, const char *name)
{
	const gr_value *ports = gr_get_path(svc->root, "spec", "ports", NULL);
	int64_t n = 0;
	bool isnum = rl_int(num, &n);
	for (size_t i = 0; ports && ports->type == GR_ARRAY && i < ports->u.a.len; i++) {
		const gr_value *p = &ports->u.a.items[i];
		int64_t pn;
		if (isnum && rl_int(gr_get(p, "port"), &pn) && pn == n)
			return true;
		if (name && rl_is(gr_get_str(p, "name"), name))
			return true;
	}
	return false;
}

static void check_backend(rl_ctx *c, const gr_value *svcref, const char *path, const char *name,
                          const gr_value *num, const char *pname)
{
	if (!name)
		return;
	const gr_object *svc = rl_find(rl_use_set(c), "Service", c->obj->namespace_, name);
	if (!svc) {
		if (rl_ns_complete(c, c->obj->namespace_))
			rl_emit(c, path, svcref, "backend Service \"%s\" is not defined", name);
		return;
	}
	if ((num || pname) && !service_has_port(svc, num, pname)) {
		if (pname)
			rl_emit(c, path, svcref, "backend Service \"%s\" has no port named \"%s\"", name,
			        pname);
		else {
			int64_t n = 0;
			rl_int(num, &n);
			rl_emit(c, path, svcref, "backend Service \"%s\" has no port %lld", name,
			        (long long)n);
		}
	}
}

static void ingress_backend_v1(rl_ctx *c, const gr_value *b, const char *path)
{
	const gr_value *svc = gr_get(b, "service");
	if (svc) { /* networking.k8s.io/v1 */
		const gr_value *port = gr_get(svc, "port");
		check_backend(c, svc, path, gr_get_str(svc, "name"), gr_get(port, "number"),
		              gr_get_str(port, "name"));
		return;
	}
	const char *name = gr_get_str(b, "serviceName"); /* v1beta1 */
	const gr_value *port = gr_get(b, "servicePort");
	check_backend(c, b, path, name, port && port->type != GR_STRING ? port : NULL, rl_str(port));
}

static void ingress_backends(rl_ctx *c)
{
	if (rl_kind(c->obj, "Ingress")) {
		rl_judged(c);
		const gr_value *spec = gr_get(c->obj->root, "spec");
		const gr_value *def = gr_get(spec, "defaultBackend");
		if (!def)
			def = gr_get(spec, "backend");
		if (def)
			ingress_backend_v1(c, def, "spec.defaultBackend");
		const gr_value *rules = gr_get(spec, "rules");
		for (size_t i = 0; rules && rules->type == GR_ARRAY && i < rules->u.a.len; i++) {
			const gr_value *paths = gr_get_path(&rules->u.a.items[i], "http", "paths", NULL);
			for (size_t j = 0; paths && paths->type == GR_ARRAY && j < paths->u.a.len; j++) {
				char path[96];
				snprintf(path, sizeof path, "spec.rules[%zu].http.paths[%zu].backend", i, j);
				ingress_backend_v1(c, gr_get(&paths->u.a.items[j], "backend"), path);
			}
		}
	} else if (rl_kind(c->obj, "HTTPRoute") || rl_kind(c->obj, "GRPCRoute")) {
		rl_judged(c);
		const gr_value *rules = gr_get_path(c->obj->root, "spec", "rules", NULL);
		for (size_t i = 0; rules && rules->type == GR_ARRAY && i < rules->u.a.len; i++) {
			const gr_value *refs = gr_get(&rules->u.a.items[i], "backendRefs");
			for (size_t j = 0; refs && refs->type == GR_ARRAY && j < refs->u.a.len; j++) {
				const gr_value *r = &refs->u.a.items[j];
				const char *kind = gr_get_str(r, "kind");
				const char *ns = gr_get_str(r, "namespace");
				if ((kind && strcmp(kind, "Service") != 0) ||
				    (ns && strcmp(ns, c->obj->namespace_) != 0))
					continue;
				char path[96];
				snprintf(path, sizeof path, "spec.rules[%zu].backendRefs[%zu]", i, j);
				check_backend(c, r, path, gr_get_str(r, "name"), gr_get(r, "port"), NULL);
			}
		}
	}
}

/* ---- HPA ---- */

static void hpa_target(rl_ctx *c)
{
	if (!rl_kind(c->obj, "HorizontalPodAutoscaler"))
		return;
	rl_judged(c);
	const gr_value *ref = gr_get_path(c->obj->root, "spec", "scaleTargetRef", NULL);
	const char *kind = gr_get_str(ref, "kind"), *name = gr_get_str(ref, "name");
	if (!kind || !name)
		return;
	const gr_object *t = rl_find(rl_use_set(c), kind, c->obj->namespace_, name);
	if (!t) {
		if (rl_ns_complete(c, c->obj->namespace_))
			rl_emit(c, "spec.scaleTargetRef", ref, "scale target %s \"%s\" is not defined", kind,
			        name);
		return;
	}
	if (c->rule->param == 0 || !t->pod_spec)
		return;
	/* ref.hpa-requests: Resource metrics need requests of that resource. */
	const gr_value *metrics = gr_get_path(c->obj->root, "spec", "metrics", NULL);
	bool cpu = false, mem = false;
	if (!metrics) /* autoscaling/v1: targetCPUUtilizationPercentage, 80 when unset */
		cpu = true;
	for (size_t i = 0; metrics && metrics->type == GR_ARRAY && i < metrics->u.a.len; i++) {
		const gr_value *m = &metrics->u.a.items[i];
		const char *rn = gr_get_str(gr_get(m, "resource"), "name");
		if (!rl_is(gr_get_str(m, "type"), "Resource") || !rn)
			continue;
		const char *tt = gr_get_str(gr_get_path(m, "resource", "target", NULL), "type");
		if (tt && strcmp(tt, "Utilization") != 0)
			continue; /* AverageValue needs no requests */
		cpu |= strcmp(rn, "cpu") == 0;
		mem |= strcmp(rn, "memory") == 0;
	}
	for (int r = 0; r < 2; r++) {
		if (!(r == 0 ? cpu : mem))
			continue;
		const char *res = r == 0 ? "cpu" : "memory";
		rl_ctr k;
		rl_ctr_begin(&k);
		while (rl_ctr_next(t, RL_REG, &k))
			if (!rl_quantity_nonzero(gr_get_path(k.node, "resources", "requests", res, NULL))) {
				rl_emit(c, "spec.metrics", metrics ? metrics : ref,
				        "the HPA scales on %s utilization but container \"%s\" of %s \"%s\" "
				        "has no %s request",
				        res, k.name, kind, name, res);
				break;
			}
	}
}

/* ---- PodDisruptionBudget ---- */

typedef struct pdb_q {
	rl_ctx *c;
	const gr_value *min;
	bool any;
} pdb_q;

static bool pdb_min_blocks(void *user, const gr_object *o)
{
	pdb_q *q = user;
	q->any = true;
	int64_t reps = replicas_of(o);
	const gr_object *hpa = rl_hpa_for(rl_use_set(q->c), o);
	if (hpa)
		rl_int(gr_get_path(hpa->root, "spec", "minReplicas", NULL), &reps);
	if (rl_kind(o, "Pod") || rl_kind(o, "DaemonSet") || rl_kind(o, "Job") || rl_kind(o, "CronJob"))
		return true;
	int64_t min;
	if (rl_int(q->min, &min) && min >= reps)
		rl_emit(q->c, "spec.minAvailable", q->min,
		        "minAvailable %lld >= the %lld replica(s) of %s \"%s\": no voluntary disruption is "
		        "ever allowed",
		        (long long)min, (long long)reps, o->kind, o->name);
	return true;
}

static void pdb_rules(rl_ctx *c)
{
	if (!rl_kind(c->obj, "PodDisruptionBudget"))
		return;
	rl_judged(c);
	const gr_value *spec = gr_get(c->obj->root, "spec");
	const gr_value *sel = gr_get(spec, "selector");
	if (c->rule->param == 0) { /* selects nothing */
		const gr_object *hit = NULL;
		rl_each_selected(rl_use_set(c), c->obj->namespace_, sel, false, true, first, &hit);
		if (!hit)
			rl_emit(c, "spec.selector", sel ? sel : spec,
			        "the PodDisruptionBudget selects no pods");
		return;
	}
	const gr_value *mu = gr_get(spec, "maxUnavailable");
	const gr_value *ma = gr_get(spec, "minAvailable");
	int64_t x;
	if ((rl_int(mu, &x) && x == 0) || rl_is(rl_str(mu), "0%"))
		rl_emit(c, "spec.maxUnavailable", mu,
		        "maxUnavailable is 0: no voluntary disruption is ever allowed");
	else if (rl_is(rl_str(ma), "100%"))
		rl_emit(c, "spec.minAvailable", ma,
		        "minAvailable is 100%%: no voluntary disruption is ever allowed");
	else if (ma && ma->type != GR_STRING && sel) {
		pdb_q q = {c, ma, false};
		rl_each_selected(rl_use_set(c), c->obj->namespace_, sel, false, false, pdb_min_blocks, &q);
	}
}

/* ---- NetworkPolicy ---- */

static void netpol_selects(rl_ctx *c)
{
	if (!rl_kind(c->obj, "NetworkPolicy"))
		return;
	const gr_value *sel = gr_get_path(c->obj->root, "spec", "podSelector", NULL);
	if (rl_selector_empty(sel))
		return; /* selects every pod of the namespace */
	rl_judged(c);
	const gr_object *hit = NULL;
	rl_each_selected(rl_use_set(c), c->obj->namespace_, sel, false, false, first, &hit);
	if (!hit)
		rl_emit(c, "spec.podSelector", sel,
		        "the NetworkPolicy's podSelector matches no pod template in the inputs");
}

static void netpol_peers(rl_ctx *c)
{
	if (!rl_kind(c->obj, "NetworkPolicy"))
		return;
	rl_judged(c);
	static const char *const dirs[][2] = {{"ingress", "from"}, {"egress", "to"}};
	for (int d = 0; d < 2; d++) {
		const gr_value *rules = gr_get_path(c->obj->root, "spec", dirs[d][0], NULL);
		for (size_t i = 0; rules && rules->type == GR_ARRAY && i < rules->u.a.len; i++) {
			const gr_value *peers = gr_get(&rules->u.a.items[i], dirs[d][1]);
			for (size_t j = 0; peers && peers->type == GR_ARRAY && j < peers->u.a.len; j++) {
				const gr_value *p = &peers->u.a.items[j];
				const gr_value *ps = gr_get(p, "podSelector");
				if (!ps || gr_get(p, "namespaceSelector") || rl_selector_empty(ps))
					continue;
				const gr_object *hit = NULL;
				rl_each_selected(rl_use_set(c), c->obj->namespace_, ps, false, false, first,
				                 &hit);
				if (!hit) {
					char path[96];
					snprintf(path, sizeof path, "spec.%s[%zu].%s[%zu].podSelector",
					         dirs[d][0], i, dirs[d][1], j);
					rl_emit(c, path, ps,
					        "peer podSelector matches no pod template in the inputs");
				}
			}
		}
	}
}

/* ---- references from pods ---- */

enum { R_CM, R_SECRET, R_SA, R_PVC };

static void missing_ref(rl_ctx *c, const char *kind, const char *name, const gr_value *at, const char *path,
                        bool optional)
{
	if (!name || !*name || optional)
		return;
	if (!rl_find(rl_use_set(c), kind, c->obj->namespace_, name))
		rl_emit(c, path, at, "%s \"%s\" is not defined in namespace \"%s\"", kind, name,
		        c->obj->namespace_[0] ? c->obj->namespace_ : "default");
}

static void pod_refs(rl_ctx *c)
{
	if (!c->obj->pod_spec)
		return;
	rl_judged(c);
	if (!rl_ns_complete(c, c->obj->namespace_))
		return; /* the referenced objects may live in the cluster */
	const gr_value *ps = c->obj->pod_spec;
	int want = c->rule->param;
	char path[256];
	if (want == R_SA) {
		const char *sa = gr_get_str(ps, "serviceAccountName");
		if (!sa || !*sa)
			sa = gr_get_str(ps, "serviceAccount");
		if (sa && *sa && strcmp(sa, "default") != 0)
			missing_ref(c, "ServiceAccount", sa, ps, rl_spath(c, ".serviceAccountName"), false);
		return;
	}
	if (want == R_SECRET) {
		const gr_value *ips = gr_get(ps, "imagePullSecrets");
		for (size_t i = 0; ips && ips->type == GR_ARRAY && i < ips->u.a.len; i++) {
			snprintf(path, sizeof path, "%s.imagePullSecrets[%zu]", c->obj->pod_spec_path, i);
			missing_ref(c, "Secret", gr_get_str(&ips->u.a.items[i], "name"), &ips->u.a.items[i],
			            path, false);
		}
	}
	const gr_value *vols = gr_get(ps, "volumes");
	for (size_t i = 0; vols && vols->type == GR_ARRAY && i < vols->u.a.len; i++) {
		const gr_value *v = &vols->u.a.items[i];
		snprintf(path, sizeof path, "%s.volumes[%zu]", c->obj->pod_spec_path, i);
		if (want == R_CM && gr_get(v, "configMap"))
			missing_ref(c, "ConfigMap", gr_get_str(gr_get(v, "configMap"), "name"), v, path,
			            rl_true(gr_get_path(v, "configMap", "optional", NULL)));
		if (want == R_SECRET && gr_get(v, "secret"))
			missing_ref(c, "Secret", gr_get_str(gr_get(v, "secret"), "secretName"), v, path,
			            rl_true(gr_get_path(v, "secret", "optional", NULL)));
		if (want == R_PVC && gr_get(v, "persistentVolumeClaim"))
			missing_ref(c, "PersistentVolumeClaim",
			            gr_get_str(gr_get(v, "persistentVolumeClaim"), "claimName"), v, path,
			            false);
		const gr_value *srcs = gr_get_path(v, "projected", "sources", NULL);
		for (size_t j = 0; srcs && srcs->type == GR_ARRAY && j < srcs->u.a.len; j++) {
			const gr_value *s = &srcs->u.a.items[j];
			const char *f = want == R_CM ? "configMap" : want == R_SECRET ? "secret" : NULL;
			if (f && gr_get(s, f))
				missing_ref(c, want == R_CM ? "ConfigMap" : "Secret",
				            gr_get_str(gr_get(s, f), "name"), s, path,
				            rl_true(gr_get_path(s, f, "optional", NULL)));
		}
	}
	if (want == R_PVC)
		return;
	rl_ctr k;
	rl_ctr_begin(&k);
	const char *kind = want == R_CM ? "ConfigMap" : "Secret";
	const char *keyref = want == R_CM ? "configMapKeyRef" : "secretKeyRef";
	const char *fromref = want == R_CM ? "configMapRef" : "secretRef";
	while (rl_ctr_next(c->obj, RL_ALL, &k)) {
		const gr_value *env = gr_get(k.node, "env");
		for (size_t i = 0; env && env->type == GR_ARRAY && i < env->u.a.len; i++) {
			const gr_value *r = gr_get_path(&env->u.a.items[i], "valueFrom", keyref, NULL);
			if (!r)
				continue;
			char sfx[64];
			snprintf(sfx, sizeof sfx, ".env[%zu].valueFrom.%s", i, keyref);
			const char *name = gr_get_str(r, "name");
			bool opt = rl_true(gr_get(r, "optional"));
			const gr_object *o =
			        name ? rl_find(rl_use_set(c), kind, c->obj->namespace_, name) : NULL;
			if (!o)
				missing_ref(c, kind, name, r, rl_cpath(c, &k, sfx), opt);
			else if (!opt) {
				const char *key = gr_get_str(r, "key");
				bool has =
				        key &&
				        (gr_get(gr_get(o->root, "data"), key) ||
				         gr_get(gr_get(o->root, want == R_CM ? "binaryData" : "stringData"),
				                key));
				if (key && !has)
					rl_emit(c, rl_cpath(c, &k, sfx), r, "%s \"%s\" has no key \"%s\"",
					        kind, name, key);
			}
		}
		const gr_value *ef = gr_get(k.node, "envFrom");
		for (size_t i = 0; ef && ef->type == GR_ARRAY && i < ef->u.a.len; i++) {
			const gr_value *r = gr_get(&ef->u.a.items[i], fromref);
			if (!r)
				continue;
			char sfx[64];
			snprintf(sfx, sizeof sfx, ".envFrom[%zu].%s", i, fromref);
			missing_ref(c, kind, gr_get_str(r, "name"), r, rl_cpath(c, &k, sfx),
			            rl_true(gr_get(r, "optional")));
		}
	}
}

/* ---- ServiceMonitor ---- */

static bool svc_in_ns_selected(const rl_set *s, const char *ns, const gr_value *sel)
{
	uint64_t h = rl_hash("Service", ns, NULL);
	for (uint32_t e = rl_map_first(&s->by_kind_ns, h); e; e = rl_map_next(&s->by_kind_ns, e, h)) {
		const gr_object *o = &s->objs[rl_map_obj(&s->by_kind_ns, e)];
		if (rl_kind(o, "Service") && !strcmp(o->namespace_, ns) &&
		    rl_selector_selects(sel, rl_labels(o), true))
			return true;
	}
	return false;
}

static void servicemonitor(rl_ctx *c)
{
	if (!rl_kind(c->obj, "ServiceMonitor") || strcmp(c->obj->group, "monitoring.coreos.com") != 0)
		return;
	rl_judged(c);
	const gr_value *spec = gr_get(c->obj->root, "spec");
	const gr_value *sel = gr_get(spec, "selector");
	const gr_value *nsel = gr_get(spec, "namespaceSelector");
	const gr_value *names = gr_get(nsel, "matchNames");
	if (rl_true(gr_get(nsel, "any"))) {
		uint64_t h = rl_hash("Service", NULL, NULL);
		for (uint32_t e = rl_map_first(&rl_use_set(c)->by_kind, h); e;
		     e = rl_map_next(&rl_use_set(c)->by_kind, e, h))
			if (rl_selector_selects(
			            sel,
			            rl_labels(&rl_use_set(c)->objs[rl_map_obj(&rl_use_set(c)->by_kind, e)]),
			            true))
				return;
	} else if (names && names->type == GR_ARRAY && names->u.a.len) {
		for (size_t i = 0; i < names->u.a.len; i++)
			if (rl_str(&names->u.a.items[i]) &&
			    svc_in_ns_selected(rl_use_set(c), names->u.a.items[i].u.s.ptr, sel))
				return;
	} else if (svc_in_ns_selected(rl_use_set(c), c->obj->namespace_, sel))
		return;
	if (rl_ns_complete(c, c->obj->namespace_))
		rl_emit(c, "spec.selector", sel ? sel : spec,
		        "the ServiceMonitor selects no Service in the inputs");
}

/* ---- StatefulSet, duplicates, selectors ---- */

static void statefulset_service(rl_ctx *c)
{
	if (!rl_kind(c->obj, "StatefulSet"))
		return;
	rl_judged(c);
	const gr_value *sn = gr_get_path(c->obj->root, "spec", "serviceName", NULL);
	const char *name = rl_str(sn);
	if (!name || !*name) {
		rl_emit(c, "spec.serviceName", gr_get(c->obj->root, "spec"),
		        "the StatefulSet has no serviceName");
		return;
	}
	const gr_object *svc = rl_find(rl_use_set(c), "Service", c->obj->namespace_, name);
	if (!svc) {
		if (rl_ns_complete(c, c->obj->namespace_))
			rl_emit(c, "spec.serviceName", sn, "governing Service \"%s\" is not defined", name);
		return;
	}
	if (!rl_is(gr_get_str(gr_get(svc->root, "spec"), "clusterIP"), "None"))
		rl_emit(c, "spec.serviceName", sn,
		        "governing Service \"%s\" is not headless (clusterIP: None)", name);
}

static void duplicates(rl_ctx *c)
{
	if (!c->obj->kind[0] || !c->obj->name[0])
		return;
	rl_judged(c);
	uint64_t h = rl_hash(c->obj->kind, c->obj->namespace_, c->obj->name);
	for (uint32_t e = rl_map_first(&rl_use_set(c)->by_name, h); e;
	     e = rl_map_next(&rl_use_set(c)->by_name, e, h)) {
		const gr_object *o = &rl_use_set(c)->objs[rl_map_obj(&rl_use_set(c)->by_name, e)];
		if (o == c->obj || rl_same_object(o, c->obj))
			return; /* the first of its name is not a duplicate */
		if (strcmp(o->kind, c->obj->kind) == 0 && strcmp(o->namespace_, c->obj->namespace_) == 0 &&
		    strcmp(o->name, c->obj->name) == 0 && strcmp(o->group, c->obj->group) == 0) {
			/* In the pipeline, a second definition with different content of a
			 * kind whose trees are kept is already an input.conflict finding. */
			if (c->opt->pipeline_reports_conflicts && o->root && c->obj->root &&
			    !gr_equal(o->root, c->obj->root))
				return;
			rl_emit(c, "metadata.name", gr_get_path(c->obj->root, "metadata", "name", NULL),
			        "%s \"%s\" is defined twice (first in %s, document %u)", c->obj->kind,
			        c->obj->name, o->file ? o->file : "", o->document + 1);
			return;
		}
	}
}

static void selector_labels(rl_ctx *c)
{
	if (!c->obj->pod_spec || rl_kind(c->obj, "Pod") || rl_kind(c->obj, "CronJob") ||
	    rl_kind(c->obj, "PodTemplate"))
		return;
	const gr_value *sel = gr_get_path(c->obj->root, "spec", "selector", NULL);
	if (rl_kind(c->obj, "Job") && !sel)
		return; /* generated by the API */
	rl_judged(c);
	bool is_map = rl_kind(c->obj, "ReplicationController");
	if (!sel || (is_map ? !(sel->type == GR_OBJECT && sel->u.o.len) : rl_selector_empty(sel))) {
		if (!rl_kind(c->obj, "Job") && !is_map)
			rl_emit(c, "spec.selector", sel ? sel : gr_get(c->obj->root, "spec"),
			        "%s has no selector", c->obj->kind);
		return;
	}
	bool ok = is_map ? rl_map_selects(sel, rl_pod_labels(c->obj), false)
	                 : rl_selector_selects(sel, rl_pod_labels(c->obj), false);
	if (!ok)
		rl_emit(c, "spec.selector", sel, "the selector does not match the pod template's labels");
}

const rl_rule rl_pack_ref[] = {
        REF("service-selector", E, true, "a Service's selector matches no pod template",
            "make spec.selector equal to labels of the pod template it should route to",
            "kube-score:service-targets-pod kube-linter:dangling-service", service_selects, 0),
        REF("service-target-port", E, true,
            "a Service targetPort names a port no selected container declares",
            "set targetPort to a declared containerPort name (or its number)",
            "kube-linter:invalid-target-ports", service_target_port, 0),
        REF("ingress-backend", E, true, "an Ingress or HTTPRoute backend names a missing Service or port",
            "point the backend at an existing Service and one of its spec.ports (number or name)",
            "kube-score:ingress-targets-service kube-linter:dangling-ingress", ingress_backends, 0),
        REF("hpa-target", E, true, "an HPA's scaleTargetRef names a missing workload",
            "set scaleTargetRef to the apiVersion, kind and name of the workload",
            "kube-score:horizontalpodautoscaler-has-target kube-linter:dangling-horizontalpodautoscaler",
            hpa_target, 0),
        REF("hpa-requests", E, true, "an HPA scales on CPU/memory utilization of containers without requests",
            "set resources.requests of that resource on every container of the target", "", hpa_target, 1),
        REF("pdb-selector", W, true, "a PodDisruptionBudget selects no pods",
            "make spec.selector match the labels of the workload's pod template", "", pdb_rules, 0),
        REF("pdb-blocks-drain", E, true, "a PodDisruptionBudget can never allow a disruption",
            "use maxUnavailable: 1, or a minAvailable below the replica count",
            "polaris:pdbDisruptionsIsZero polaris:pdbMinAvailableGreaterThanHPAMinReplicas "
            "kube-linter:pdb-max-unavailable "
            "kube-linter:pdb-min-available",
            pdb_rules, 1),
        REF("networkpolicy-selector", W, true, "a NetworkPolicy's podSelector matches no pod template",
            "make spec.podSelector match the labels of the pods to isolate",
            "kube-score:networkpolicy-targets-pod kube-linter:dangling-networkpolicy", netpol_selects, 0),
        REF("networkpolicy-peer", W, true, "a NetworkPolicy peer podSelector matches no pod template",
            "fix the peer's podSelector, or add a namespaceSelector for pods of other namespaces",
            "kube-linter:dangling-networkpolicypeer-podselector", netpol_peers, 0),
        REF("servicemonitor", W, true, "a ServiceMonitor selects no Service",
            "make spec.selector match the labels of the Service to scrape (and namespaceSelector its "
            "namespace)",
            "kube-linter:dangling-servicemonitor", servicemonitor, 0),
        REF("configmap", E, true, "a pod references a ConfigMap (or key) the inputs do not define",
            "add the ConfigMap to the inputs, fix the name, or mark the reference optional: true",
            "kube-linter:env-value-from", pod_refs, R_CM),
        REF("secret", E, true, "a pod references a Secret (or key) the inputs do not define",
            "add the Secret to the inputs, fix the name, or mark the reference optional: true",
            "kube-linter:env-value-from", pod_refs, R_SECRET),
        REF("service-account", E, true, "a pod uses a ServiceAccount the inputs do not define",
            "add the ServiceAccount to the inputs or fix serviceAccountName",
            "kube-linter:non-existent-service-account", pod_refs, R_SA),
        REF("pvc", E, true, "a pod mounts a PersistentVolumeClaim the inputs do not define",
            "add the PersistentVolumeClaim or fix claimName", "", pod_refs, R_PVC),
        REF("statefulset-service", E, true, "a StatefulSet's serviceName is missing or not headless",
            "create a Service with clusterIP: None named spec.serviceName, selecting the pods",
            "kube-score:statefulset-has-servicename", statefulset_service, 0),
        REF("duplicate", E, true, "the same object (kind, namespace, name) is defined twice",
            "keep one definition; the second apply overwrites the first", "", duplicates, 0),
        REF("selector-labels", E, true, "a workload's selector does not match its pod template labels",
            "make spec.selector.matchLabels a subset of spec.template.metadata.labels",
            "kube-score:deployment-pod-selector-labels-match-template-metadata-labels "
            "kube-score:statefulset-pod-selector-labels-match-template-metadata-labels "
            "kube-linter:mismatching-selector",
            selector_labels, 0),
        RL_PACK_END,
};
