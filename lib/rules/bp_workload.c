/*
 * bp_workload.c — best-practice rules judged per object rather than per
 * container: service accounts, availability (replicas, HPA, affinity,
 * spreading), workload settings, metadata, PodDisruptionBudgets, network,
 * RBAC, OpenShift SCCs. Rules that look at other objects query the set
 * index (rl_find, rl_each_selected), never scan it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "rules_int.h"

#define BP(id, sa, on, summary, fix, up, fn, param)                                                          \
	{                                                                                                    \
		{"bp." id, "bp", sa, on, summary, fix, up, "docs/rules/bp.md#bp" id}, fn, param, NULL        \
	}
#define W GR_SEV_WARNING, GR_ACTION_WARN
#define E GR_SEV_ERROR, GR_ACTION_ENFORCE
#define I GR_SEV_INFO, GR_ACTION_AUDIT

static bool has_replicas_field(const gr_object *o)
{
	return rl_kind(o, "Deployment") || rl_kind(o, "StatefulSet") || rl_kind(o, "ReplicaSet") ||
	       rl_kind(o, "ReplicationController");
}

static int64_t replicas(const gr_object *o)
{
	int64_t r = 1;
	rl_int(gr_get_path(o->root, "spec", "replicas", NULL), &r);
	return r;
}

/* ---- service accounts ---- */

static const char *effective_sa(const gr_object *o)
{
	const char *sa = gr_get_str(o->pod_spec, "serviceAccountName");
	if (!sa || !*sa)
		sa = gr_get_str(o->pod_spec, "serviceAccount");
	return sa && *sa ? sa : "default";
}

static void automount(rl_ctx *c)
{
	if (!c->obj->pod_spec)
		return;
	rl_judged(c);
	const gr_value *a = gr_get(c->obj->pod_spec, "automountServiceAccountToken");
	if (rl_false(a))
		return;
	if (!rl_true(a)) {
		const gr_object *sa =
		        rl_find(rl_use_set(c), "ServiceAccount", c->obj->namespace_, effective_sa(c->obj));
		if (sa && rl_false(gr_get(sa->root, "automountServiceAccountToken")))
			return;
	}
	rl_emit(c, rl_spath(c, ".automountServiceAccountToken"), a ? a : c->obj->pod_spec,
	        "the service account token is mounted into the pod");
}

static void sa_rule(rl_ctx *c)
{
	if (!c->obj->pod_spec)
		return;
	rl_judged(c);
	const gr_value *san = gr_get(c->obj->pod_spec, "serviceAccountName");
	const gr_value *sa = gr_get(c->obj->pod_spec, "serviceAccount");
	if (c->rule->param == 0) {
		if (rl_false(gr_get(c->obj->pod_spec, "automountServiceAccountToken")))
			return;
		if (strcmp(effective_sa(c->obj), "default") == 0)
			rl_emit(c, rl_spath(c, ".serviceAccountName"), san ? san : c->obj->pod_spec,
			        "the pod runs as the namespace's default service account");
	} else if (rl_str(sa) && *sa->u.s.ptr && !rl_is(rl_str(san), sa->u.s.ptr)) {
		rl_emit(c, rl_spath(c, ".serviceAccount"), sa, "the deprecated field serviceAccount is set");
	}
}

/* ---- availability ---- */

static void min_replicas(rl_ctx *c)
{
	if (!rl_kind(c->obj, "Deployment") && !rl_kind(c->obj, "StatefulSet"))
		return;
	rl_judged(c);
	if (rl_hpa_for(rl_use_set(c), c->obj))
		return; /* the HPA owns the replica count */
	int64_t min = c->opt->min_replicas > 0 ? c->opt->min_replicas : 2;
	int64_t r = replicas(c->obj);
	if (r < min && r != 0)
		rl_emit(c, "spec.replicas", gr_get_path(c->obj->root, "spec", "replicas", NULL),
		        "%s runs %lld replica(s); fewer than %lld means downtime on every node drain",
		        c->obj->kind, (long long)r, (long long)min);
}

static void hpa_rule(rl_ctx *c)
{
	if (!rl_kind(c->obj, "HorizontalPodAutoscaler"))
		return;
	rl_judged(c);
	const gr_value *minv = gr_get_path(c->obj->root, "spec", "minReplicas", NULL);
	const gr_value *maxv = gr_get_path(c->obj->root, "spec", "maxReplicas", NULL);
	int64_t mn = 1, mx = 0;
	rl_int(minv, &mn);
	rl_int(maxv, &mx);
	if (c->rule->param == 0 && mn < 2)
		rl_emit(c, "spec.minReplicas", minv,
		        "minReplicas is %lld; below 2 the workload has a single point of failure",
		        (long long)mn);
	if (c->rule->param == 1 && mx <= mn)
		rl_emit(c, "spec.maxReplicas", maxv, "maxReplicas (%lld) does not exceed minReplicas (%lld)",
		        (long long)mx, (long long)mn);
}

static void hpa_static(rl_ctx *c)
{
	if (!rl_kind(c->obj, "Deployment") && !rl_kind(c->obj, "StatefulSet"))
		return;
	rl_judged(c);
	const gr_value *r = gr_get_path(c->obj->root, "spec", "replicas", NULL);
	if (r && rl_hpa_for(rl_use_set(c), c->obj))
		rl_emit(c, "spec.replicas", r,
		        "%s sets spec.replicas but an HPA scales it (every apply resets the replica count)",
		        c->obj->kind);
}

static void affinity(rl_ctx *c)
{
	if (!c->obj->pod_spec)
		return;
	if (c->rule->param == 0) { /* anti-affinity: workloads with >= 2 replicas */
		if (!has_replicas_field(c->obj) || replicas(c->obj) < 2)
			return;
		rl_judged(c);
		const gr_value *pa = gr_get_path(c->obj->pod_spec, "affinity", "podAntiAffinity", NULL);
		const gr_value *tsc = gr_get(c->obj->pod_spec, "topologySpreadConstraints");
		if (!pa && !(tsc && tsc->type == GR_ARRAY && tsc->u.a.len))
			rl_emit(c, rl_spath(c, ".affinity"), c->obj->pod_spec,
			        "%s has %lld replicas and nothing spreads them across nodes", c->obj->kind,
			        (long long)replicas(c->obj));
	} else if (c->rule->param == 1) {
		rl_judged(c);
		if (!gr_get_path(c->obj->pod_spec, "affinity", "nodeAffinity", NULL))
			rl_emit(c, rl_spath(c, ".affinity"), c->obj->pod_spec,
			        "the pod has no node affinity");
	} else {
		if (rl_kind(c->obj, "Job") || rl_kind(c->obj, "CronJob") || rl_kind(c->obj, "Pod"))
			return;
		rl_judged(c);
		const gr_value *tsc = gr_get(c->obj->pod_spec, "topologySpreadConstraints");
		if (!tsc || tsc->type != GR_ARRAY || tsc->u.a.len == 0)
			rl_emit(c, rl_spath(c, ".topologySpreadConstraints"), c->obj->pod_spec,
			        "the pod has no topologySpreadConstraints");
	}
}

static void tsc_valid(rl_ctx *c)
{
	if (!c->obj->pod_spec)
		return;
	rl_judged(c);
	const gr_value *tsc = gr_get(c->obj->pod_spec, "topologySpreadConstraints");
	for (size_t i = 0; tsc && tsc->type == GR_ARRAY && i < tsc->u.a.len; i++) {
		const gr_value *t = &tsc->u.a.items[i];
		int64_t skew = 0, md = 1;
		const char *why = NULL;
		const char *wu = gr_get_str(t, "whenUnsatisfiable");
		if (!gr_get(t, "labelSelector"))
			why = "has no labelSelector";
		else if (!rl_int(gr_get(t, "maxSkew"), &skew) || skew <= 0)
			why = "has maxSkew below 1";
		else if (gr_get(t, "minDomains") && (!rl_int(gr_get(t, "minDomains"), &md) || md <= 0))
			why = "has minDomains below 1";
		else if (!gr_get_str(t, "topologyKey") || !*gr_get_str(t, "topologyKey"))
			why = "has no topologyKey";
		else if (!rl_is(wu, "DoNotSchedule") && !rl_is(wu, "ScheduleAnyway"))
			why = "has whenUnsatisfiable other than DoNotSchedule or ScheduleAnyway";
		if (why) {
			char sfx[64];
			snprintf(sfx, sizeof sfx, ".topologySpreadConstraints[%zu]", i);
			rl_emit(c, rl_spath(c, sfx), t, "topology spread constraint %zu %s", i, why);
		}
	}
}

static void priority_class(rl_ctx *c)
{
	if (!c->obj->pod_spec)
		return;
	rl_judged(c);
	const char *p = gr_get_str(c->obj->pod_spec, "priorityClassName");
	if (!p || !*p)
		rl_emit(c, rl_spath(c, ".priorityClassName"), c->obj->pod_spec,
		        "the pod has no priorityClassName");
}

static void rolling_update(rl_ctx *c)
{
	const char *field = rl_kind(c->obj, "Deployment") ? "strategy"
	                    : (rl_kind(c->obj, "StatefulSet") || rl_kind(c->obj, "DaemonSet"))
	                            ? "updateStrategy"
	                            : NULL;
	if (!field)
		return;
	rl_judged(c);
	const gr_value *t = gr_get_path(c->obj->root, "spec", field, "type", NULL);
	const char *ty = rl_str(t);
	if (ty && *ty && strcmp(ty, "RollingUpdate") != 0) {
		char p[64];
		snprintf(p, sizeof p, "spec.%s.type", field);
		rl_emit(c, p, t, "%s updates with %s, not RollingUpdate (downtime on every rollout)",
		        c->obj->kind, ty);
	}
}

/* ---- workload ---- */

static void restart_policy(rl_ctx *c)
{
	if (!c->obj->pod_spec || rl_kind(c->obj, "Pod") || rl_kind(c->obj, "PodTemplate"))
		return;
	rl_judged(c);
	const gr_value *v = gr_get(c->obj->pod_spec, "restartPolicy");
	const char *p = rl_str(v);
	bool batch = rl_kind(c->obj, "Job") || rl_kind(c->obj, "CronJob");
	if (batch) {
		if (!rl_is(p, "Never") && !rl_is(p, "OnFailure"))
			rl_emit(c, rl_spath(c, ".restartPolicy"), v ? v : c->obj->pod_spec,
			        "a %s's pods must set restartPolicy Never or OnFailure (%s)", c->obj->kind,
			        p ? p : "unset defaults to Always, which the API rejects");
	} else if (p && strcmp(p, "Always") != 0) {
		rl_emit(c, rl_spath(c, ".restartPolicy"), v,
		        "a %s's pods must use restartPolicy Always, not %s", c->obj->kind, p);
	}
}

static void cronjob_deadline(rl_ctx *c)
{
	if (!rl_kind(c->obj, "CronJob"))
		return;
	rl_judged(c);
	if (!gr_get_path(c->obj->root, "spec", "startingDeadlineSeconds", NULL))
		rl_emit(c, "spec.startingDeadlineSeconds", gr_get(c->obj->root, "spec"),
		        "the CronJob has no startingDeadlineSeconds");
}

static void job_ttl(rl_ctx *c)
{
	if (!rl_kind(c->obj, "Job"))
		return;
	rl_judged(c);
	if (gr_get_path(c->obj->root, "metadata", "ownerReferences", NULL))
		return; /* created by a CronJob: its history limits clean up */
	if (!gr_get_path(c->obj->root, "spec", "ttlSecondsAfterFinished", NULL))
		rl_emit(c, "spec.ttlSecondsAfterFinished", gr_get(c->obj->root, "spec"),
		        "the Job has no ttlSecondsAfterFinished (finished pods stay forever)");
}

static void dns_ndots(rl_ctx *c)
{
	if (!c->obj->pod_spec)
		return;
	rl_judged(c);
	const gr_value *opts = gr_get_path(c->obj->pod_spec, "dnsConfig", "options", NULL);
	for (size_t i = 0; opts && opts->type == GR_ARRAY && i < opts->u.a.len; i++)
		if (rl_is(gr_get_str(&opts->u.a.items[i], "name"), "ndots"))
			return;
	rl_emit(c, rl_spath(c, ".dnsConfig"), c->obj->pod_spec, "the pod does not set the ndots DNS option");
}

/* ---- metadata ---- */

static void instance_label(rl_ctx *c)
{
	if (!c->obj->pod_spec)
		return;
	rl_judged(c);
	const char *v = gr_get_str(rl_labels(c->obj), "app.kubernetes.io/instance");
	if (!rl_is(v, c->obj->name))
		rl_emit(c, "metadata.labels", rl_labels(c->obj),
		        "label app.kubernetes.io/instance is %s%s%s, not the object's name", v ? "\"" : "",
		        v ? v : "missing", v ? "\"" : "");
}

static void required_labels(rl_ctx *c)
{
	if (!c->obj->pod_spec)
		return;
	rl_judged(c);
	const gr_value *l = rl_labels(c->obj);
	if (!gr_get_str(l, "app.kubernetes.io/name") && !gr_get_str(l, "owner"))
		rl_emit(c, "metadata.labels", l,
		        "the object has neither an app.kubernetes.io/name nor an owner label");
}

static bool label_value_ok(const char *v)
{
	size_t n = strlen(v);
	if (n == 0)
		return true;
	if (n > 63 || !isalnum((unsigned char)v[0]) || !isalnum((unsigned char)v[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '-' && v[i] != '_' && v[i] != '.')
			return false;
	return true;
}

static void label_values(rl_ctx *c)
{
	rl_judged(c);
	const gr_value *l = rl_labels(c->obj);
	for (size_t i = 0; l && l->type == GR_OBJECT && i < l->u.o.len; i++) {
		const gr_member *m = &l->u.o.members[i];
		const char *v = rl_str(&m->value);
		if (v && !label_value_ok(v))
			rl_emit(c, "metadata.labels", &m->value, "label %s has the invalid value \"%s\"",
			        m->key, v);
	}
}

static void default_namespace(rl_ctx *c)
{
	if (!c->obj->pod_spec && !rl_kind(c->obj, "Service"))
		return;
	rl_judged(c);
	if (!c->obj->namespace_[0] || strcmp(c->obj->namespace_, "default") == 0)
		rl_emit(c, "metadata.namespace", c->obj->root, "%s lands in the default namespace",
		        c->obj->kind);
}

static void sorted_keys(rl_ctx *c);
static void sorted_at(rl_ctx *c, const gr_value *v, int depth)
{
	if (!v || depth > 64)
		return;
	if (v->type == GR_ARRAY)
		for (size_t i = 0; i < v->u.a.len; i++)
			sorted_at(c, &v->u.a.items[i], depth + 1);
	if (v->type != GR_OBJECT)
		return;
	for (size_t i = 0; i < v->u.o.len; i++) {
		if (i > 0 && strcmp(v->u.o.members[i - 1].key, v->u.o.members[i].key) > 0)
			rl_emit(c, NULL, &v->u.o.members[i].value,
			        "key \"%s\" comes after \"%s\" (keys are not sorted)", v->u.o.members[i].key,
			        v->u.o.members[i - 1].key);
		sorted_at(c, &v->u.o.members[i].value, depth + 1);
	}
}
static void sorted_keys(rl_ctx *c)
{
	rl_judged(c);
	sorted_at(c, c->obj->root, 0);
}

/* ---- PodDisruptionBudgets ---- */

static bool found_one(void *user, const gr_object *o)
{
	*(const gr_object **)user = o;
	return false;
}

static void pdb_missing(rl_ctx *c)
{
	if (!rl_kind(c->obj, "Deployment") && !rl_kind(c->obj, "StatefulSet"))
		return;
	if (replicas(c->obj) < 2)
		return;
	rl_judged(c);
	const gr_object *pdb = NULL;
	rl_each_selecting(rl_use_set(c), "PodDisruptionBudget", c->obj->namespace_, rl_pod_labels(c->obj),
	                  false, found_one, &pdb);
	if (pdb)
		return;
	rl_emit(c, NULL, NULL, "%s has %lld replicas and no PodDisruptionBudget selects its pods",
	        c->obj->kind, (long long)replicas(c->obj));
}

static void pdb_rule(rl_ctx *c)
{
	if (!rl_kind(c->obj, "PodDisruptionBudget"))
		return;
	rl_judged(c);
	const gr_value *spec = gr_get(c->obj->root, "spec");
	if (c->rule->param == 0) {
		if (!gr_get(spec, "minAvailable") && !gr_get(spec, "maxUnavailable"))
			rl_emit(c, "spec", spec,
			        "the PodDisruptionBudget sets neither minAvailable nor maxUnavailable");
	} else if (!gr_get(spec, "unhealthyPodEvictionPolicy")) {
		rl_emit(c, "spec.unhealthyPodEvictionPolicy", spec,
		        "the PodDisruptionBudget does not set unhealthyPodEvictionPolicy");
	}
}

/* ---- network ---- */

static void network_policy(rl_ctx *c)
{
	if (!c->obj->pod_spec)
		return;
	rl_judged(c);
	const gr_object *np = NULL;
	rl_each_selecting(rl_use_set(c), "NetworkPolicy", c->obj->namespace_, rl_pod_labels(c->obj), true,
	                  found_one, &np);
	if (np)
		return;
	if (!rl_ns_complete(c, c->obj->namespace_))
		return; /* a policy may live in the cluster */
	rl_emit(c, NULL, NULL, "no NetworkPolicy selects the pods of %s %s", c->obj->kind, c->obj->name);
}

static void service_type(rl_ctx *c)
{
	if (!rl_kind(c->obj, "Service"))
		return;
	rl_judged(c);
	const gr_value *t = gr_get_path(c->obj->root, "spec", "type", NULL);
	if (rl_is(rl_str(t), "NodePort") || (c->rule->param && rl_is(rl_str(t), "LoadBalancer")))
		rl_emit(c, "spec.type", t, "the Service is exposed as %s", t->u.s.ptr);
}

static void ingress_tls(rl_ctx *c)
{
	if (!rl_kind(c->obj, "Ingress"))
		return;
	rl_judged(c);
	if (!gr_get_path(c->obj->root, "spec", "tls", NULL))
		rl_emit(c, "spec.tls", gr_get(c->obj->root, "spec"),
		        "the Ingress serves plain HTTP (no spec.tls)");
}

/* ---- RBAC ---- */

static bool rule_has(const gr_value *rule, const char *field, const char *const *any)
{
	const gr_value *a = gr_get(rule, field);
	for (int i = 0; any[i]; i++)
		if (rl_has_str(a, any[i], false))
			return true;
	return false;
}

static void rbac_binding_admin(rl_ctx *c)
{
	if (!rl_kind(c->obj, "ClusterRoleBinding") && !rl_kind(c->obj, "RoleBinding"))
		return;
	rl_judged(c);
	const gr_value *ref = gr_get(c->obj->root, "roleRef");
	if (rl_is(gr_get_str(ref, "kind"), "ClusterRole") &&
	    rl_is(gr_get_str(ref, "name"), "cluster-admin") && strncmp(c->obj->name, "system:", 7) != 0)
		rl_emit(c, "roleRef.name", gr_get(ref, "name"), "%s grants cluster-admin", c->obj->kind);
}

static void rbac_role(rl_ctx *c)
{
	if (!rl_kind(c->obj, "ClusterRole") && !rl_kind(c->obj, "Role"))
		return;
	if (strncmp(c->obj->name, "system:", 7) == 0)
		return;
	rl_judged(c);
	const gr_value *rules = gr_get(c->obj->root, "rules");
	static const char *const star[] = {"*", NULL};
	static const char *const exec_res[] = {"*", "pods/exec", "pods/attach", NULL};
	static const char *const exec_verbs[] = {"*", "get", "create", NULL};
	static const char *const core[] = {"", "*", NULL};
	static const char *const create_res[] = {"*",           "pods",       "deployments", "statefulsets",
	                                         "replicasets", "daemonsets", "jobs",        "cronjobs",
	                                         NULL};
	static const char *const create_verbs[] = {"*", "create", NULL};
	static const char *const secret_res[] = {"*", "secrets", NULL};
	static const char *const read_verbs[] = {"*", "get", "list", "watch", NULL};
	for (size_t i = 0; rules && rules->type == GR_ARRAY && i < rules->u.a.len; i++) {
		const gr_value *r = &rules->u.a.items[i];
		char p[48];
		snprintf(p, sizeof p, "rules[%zu]", i);
		switch (c->rule->param) {
		case 0:
			if (rule_has(r, "resources", star) || rule_has(r, "verbs", star))
				rl_emit(c, p, r, "rule %zu uses a wildcard in resources or verbs", i);
			break;
		case 1:
			if (rule_has(r, "apiGroups", core) && rule_has(r, "resources", exec_res) &&
			    rule_has(r, "verbs", exec_verbs))
				rl_emit(c, p, r, "rule %zu allows pods/exec or pods/attach", i);
			break;
		case 2:
			if (rule_has(r, "resources", create_res) && rule_has(r, "verbs", create_verbs))
				rl_emit(c, p, r, "rule %zu allows creating pods or workloads", i);
			break;
		default:
			if (rule_has(r, "resources", secret_res) && rule_has(r, "verbs", read_verbs))
				rl_emit(c, p, r, "rule %zu allows reading Secrets", i);
		}
	}
}

static void scc(rl_ctx *c)
{
	if (!rl_kind(c->obj, "SecurityContextConstraints"))
		return;
	rl_judged(c);
	const gr_value *v = gr_get(c->obj->root, "allowPrivilegedContainer");
	if (rl_true(v))
		rl_emit(c, "allowPrivilegedContainer", v,
		        "the SecurityContextConstraints allows privileged containers");
}

static void configmap_secret(rl_ctx *c)
{
	extern bool rl_sensitive_name(const char *);
	extern bool rl_private_key(const char *);
	if (!rl_kind(c->obj, "ConfigMap"))
		return;
	rl_judged(c);
	const gr_value *d = gr_get(c->obj->root, "data");
	for (size_t i = 0; d && d->type == GR_OBJECT && i < d->u.o.len; i++) {
		const gr_member *m = &d->u.o.members[i];
		if (rl_sensitive_name(m->key) || rl_private_key(rl_str(&m->value)))
			rl_emit(c, "data", &m->value, "ConfigMap key %s looks like a credential", m->key);
	}
}

const rl_rule rl_pack_bp_workload[] = {
        BP("configmap-secret", W, true, "a ConfigMap holds what looks like a credential",
           "move the value into a Secret", "polaris:sensitiveConfigmapContent", configmap_secret, 0),
        BP("automount-token", I, true, "the service account token is mounted but probably unused",
           "set automountServiceAccountToken: false on the pod (or its ServiceAccount) unless it calls the "
           "API",
           "polaris:automountServiceAccountToken", automount, 0),
        BP("default-service-account", I, false, "the pod runs as the default service account",
           "create a ServiceAccount per workload and set serviceAccountName",
           "kube-linter:default-service-account", sa_rule, 0),
        BP("deprecated-service-account-field", W, true, "the deprecated serviceAccount field is set",
           "use serviceAccountName instead of serviceAccount", "kube-linter:deprecated-service-account-field",
           sa_rule, 1),
        BP("replicas", W, true, "a Deployment or StatefulSet runs fewer than 2 replicas",
           "set spec.replicas: 2 or more (or let an HPA with minReplicas >= 2 own it)",
           "polaris:deploymentMissingReplicas kube-score:deployment-replicas "
           "kube-linter:minimum-three-replicas",
           min_replicas, 0),
        BP("hpa-min-replicas", W, true, "an HPA may scale to a single replica",
           "set spec.minReplicas: 2 or more",
           "polaris:hpaMinAvailability kube-score:horizontalpodautoscaler-replicas "
           "kube-linter:hpa-minimum-three-replicas",
           hpa_rule, 0),
        BP("hpa-max-replicas", W, true, "an HPA's maxReplicas does not exceed minReplicas",
           "set spec.maxReplicas above spec.minReplicas", "polaris:hpaMaxAvailability", hpa_rule, 1),
        BP("hpa-static-replicas", W, true, "a workload scaled by an HPA also sets spec.replicas",
           "remove spec.replicas from the workload; the HPA owns it",
           "kube-score:deployment-targeted-by-hpa-does-not-have-replicas-configured", hpa_static, 0),
        BP("anti-affinity", I, true, "replicas are not spread across nodes",
           "add topologySpreadConstraints (or podAntiAffinity) on kubernetes.io/hostname",
           "kube-score:deployment-has-host-podantiaffinity kube-score:statefulset-has-host-podantiaffinity "
           "kube-linter:no-anti-affinity",
           affinity, 0),
        BP("node-affinity", I, false, "the pod has no node affinity", "add affinity.nodeAffinity",
           "kube-linter:no-node-affinity", affinity, 1),
        BP("topology-spread", I, false, "the pod has no topology spread constraints",
           "add topologySpreadConstraints (maxSkew: 1, topologyKey: topology.kubernetes.io/zone)",
           "polaris:topologySpreadConstraint", affinity, 2),
        BP("topology-spread-valid", E, true, "a topology spread constraint is invalid",
           "give each constraint a labelSelector, maxSkew >= 1, a topologyKey and whenUnsatisfiable",
           "kube-score:pod-topology-spread-constraints", tsc_valid, 0),
        BP("priority-class", I, false, "the pod has no priorityClassName", "set priorityClassName",
           "polaris:priorityClassNotSet kube-linter:priority-class-name", priority_class, 0),
        BP("rolling-update", I, true, "the workload does not update with RollingUpdate",
           "set strategy.type (updateStrategy.type) to RollingUpdate",
           "kube-score:deployment-strategy kube-linter:no-rolling-update-strategy", rolling_update, 0),
        BP("restart-policy", E, true, "restartPolicy does not fit the workload kind",
           "Jobs and CronJobs: restartPolicy Never or OnFailure; other workloads: Always (or unset)",
           "kube-score:cronjob-restartpolicy kube-linter:restart-policy", restart_policy, 0),
        BP("cronjob-deadline", I, true, "a CronJob has no startingDeadlineSeconds",
           "set spec.startingDeadlineSeconds (e.g. 200)", "kube-score:cronjob-has-deadline", cronjob_deadline,
           0),
        BP("job-ttl", I, true, "a Job has no ttlSecondsAfterFinished",
           "set spec.ttlSecondsAfterFinished (e.g. 86400)", "kube-linter:job-ttl-seconds-after-finished",
           job_ttl, 0),
        BP("dns-ndots", I, false, "the pod does not set the ndots DNS option",
           "set dnsConfig.options: [{name: ndots, value: \"2\"}]", "kube-linter:dnsconfig-options", dns_ndots,
           0),
        BP("instance-label", I, false, "app.kubernetes.io/instance differs from the object's name",
           "set metadata.labels[app.kubernetes.io/instance] to metadata.name",
           "polaris:metadataAndInstanceMismatched", instance_label, 0),
        BP("required-labels", I, false, "the object has no app.kubernetes.io/name or owner label",
           "add metadata.labels[app.kubernetes.io/name] (and an owner label)",
           "kube-linter:required-label-owner kube-linter:required-annotation-email", required_labels, 0),
        BP("label-values", E, true, "a label value is invalid",
           "use at most 63 characters: alphanumerics, '-', '_' and '.', starting and ending alphanumeric",
           "kube-score:label-values", label_values, 0),
        BP("default-namespace", I, false, "the object lands in the default namespace",
           "set metadata.namespace to the team's namespace", "kube-linter:use-namespace", default_namespace,
           0),
        BP("sorted-keys", I, false, "mapping keys are not sorted",
           "sort the keys of every mapping alphabetically", "kube-linter:sorted-keys", sorted_keys, 0),
        BP("pdb-missing", I, true, "a replicated workload has no PodDisruptionBudget",
           "add a PodDisruptionBudget with maxUnavailable: 1 selecting the pods",
           "polaris:missingPodDisruptionBudget kube-score:deployment-has-poddisruptionbudget "
           "kube-score:statefulset-has-poddisruptionbudget",
           pdb_missing, 0),
        BP("pdb-policy", E, true, "a PodDisruptionBudget sets neither minAvailable nor maxUnavailable",
           "set spec.maxUnavailable: 1 (or spec.minAvailable)", "kube-score:poddisruptionbudget-has-policy",
           pdb_rule, 0),
        BP("pdb-eviction-policy", I, true, "a PodDisruptionBudget does not set unhealthyPodEvictionPolicy",
           "set spec.unhealthyPodEvictionPolicy: AlwaysAllow",
           "kube-linter:pdb-unhealthy-pod-eviction-policy", pdb_rule, 1),
        BP("network-policy", I, true, "no NetworkPolicy selects the pods",
           "add a NetworkPolicy (a default-deny plus the allowed flows) in the namespace",
           "polaris:missingNetworkPolicy kube-score:pod-networkpolicy kube-linter:non-isolated-pod",
           network_policy, 0),
        BP("service-type", W, true, "a Service is exposed as NodePort",
           "use type ClusterIP behind an Ingress or Gateway (or LoadBalancer on purpose)",
           "kube-score:service-type kube-linter:exposed-services", service_type, 0),
        BP("ingress-tls", W, true, "an Ingress has no TLS",
           "add spec.tls with the hosts and a certificate secretName", "polaris:tlsSettingsMissing",
           ingress_tls, 0),
        BP("cluster-admin-binding", E, true, "a binding grants cluster-admin",
           "bind a Role or ClusterRole with only the verbs and resources needed",
           "polaris:clusterrolebindingClusterAdmin polaris:rolebindingClusterAdminClusterRole "
           "kube-linter:cluster-admin-role-binding",
           rbac_binding_admin, 0),
        BP("rbac-wildcard", W, true, "a Role or ClusterRole uses '*' in resources or verbs",
           "list the resources and verbs explicitly",
           "polaris:rolebindingClusterAdminRole kube-linter:wildcard-in-rules", rbac_role, 0),
        BP("rbac-exec-attach", W, true, "a Role or ClusterRole allows pods/exec or pods/attach",
           "remove pods/exec and pods/attach from the rule's resources",
           "polaris:clusterrolePodExecAttach polaris:rolePodExecAttach "
           "polaris:clusterrolebindingPodExecAttach "
           "polaris:rolebindingClusterRolePodExecAttach polaris:rolebindingRolePodExecAttach",
           rbac_role, 1),
        BP("rbac-create-pods", I, false, "a Role or ClusterRole allows creating pods or workloads",
           "grant create on pods and workloads only to deployers", "kube-linter:access-to-create-pods",
           rbac_role, 2),
        BP("rbac-secrets", I, false, "a Role or ClusterRole allows reading Secrets",
           "grant get/list/watch on secrets only by resourceNames", "kube-linter:access-to-secrets",
           rbac_role, 3),
        BP("scc-privileged", E, true, "an OpenShift SecurityContextConstraints allows privileged containers",
           "set allowPrivilegedContainer: false", "kube-linter:scc-deny-privileged-container", scc, 0),
        RL_PACK_END,
};
