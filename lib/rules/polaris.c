/*
 * polaris.c — the Polaris profile: one row per Polaris built-in check
 * (polaris.<checkId>), with Polaris' own conditions, which containers it
 * looks at (init containers or not, Jobs skipped or not) and its default
 * level (danger -> error/enforce, warning -> warning/warn). Where a
 * condition is the same as a bp rule's, the bp function is not reused:
 * the profile must give Polaris' verdicts, quirks included, and the bp
 * pack is free to follow the Kubernetes documentation instead.
 *
 * rl_judged() marks a Polaris "result" (per container, pod spec or
 * controller); a finding is a failed result.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "rules_int.h"

bool rl_sensitive_name(const char *name);
bool rl_private_key(const char *v);

#define PO(id, sa, summary, fix, fn, param)                                                                  \
	{                                                                                                    \
		{"polaris." id,                                                                              \
		 "polaris",                                                                                  \
		 sa,                                                                                         \
		 true,                                                                                       \
		 summary,                                                                                    \
		 fix,                                                                                        \
		 "polaris:" id,                                                                              \
		 "docs/migrating.md#polaris"},                                                               \
		        fn, param, NULL                                                                      \
	}
#define DANGER  GR_SEV_ERROR, GR_ACTION_ENFORCE
#define WARNING GR_SEV_WARNING, GR_ACTION_WARN

static bool batch(const gr_object *o)
{
	return rl_kind(o, "Job") || rl_kind(o, "CronJob");
}

/* ---- containers ---- */

static bool nonempty(const gr_value *v)
{
	return v && v->type != GR_NULL && !(v->type == GR_STRING && v->u.s.len == 0);
}

enum { P_CPU_REQ, P_CPU_LIM, P_MEM_REQ, P_MEM_LIM };

static void resources(rl_ctx *c)
{
	static const char *const f[][2] = {
	        {"requests", "cpu"}, {"limits", "cpu"}, {"requests", "memory"}, {"limits", "memory"}};
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG, &k)) {
		rl_judged(c);
		const char *const *w = f[c->rule->param];
		if (!nonempty(gr_get_path(k.node, "resources", w[0], w[1], NULL)))
			rl_emit(c, rl_cpath(c, &k, ".resources"), k.node, "%s %s should be set", w[1], w[0]);
	}
}

static void dangerous_caps(rl_ctx *c)
{
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG | RL_INIT, &k)) {
		rl_judged(c);
		const gr_value *add = gr_get_path(k.sc, "capabilities", "add", NULL);
		if (rl_has_str(add, "ALL", true) || rl_has_str(add, "SYS_ADMIN", true) ||
		    rl_has_str(add, "NET_ADMIN", true))
			rl_emit(c, rl_cpath(c, &k, ".securityContext.capabilities.add"), add,
			        "Container should not have dangerous capabilities");
	}
}

static void insecure_caps(rl_ctx *c)
{
	static const char *const caps[] = {"NET_ADMIN",  "CHOWN",   "DAC_OVERRIDE", "FSETID",
	                                   "FOWNER",     "MKNOD",   "NET_RAW",      "SETGID",
	                                   "SETUID",     "SETFCAP", "SETPCAP",      "NET_BIND_SERVICE",
	                                   "SYS_CHROOT", "KILL",    "AUDIT_WRITE",  NULL};
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG | RL_INIT, &k)) {
		rl_judged(c);
		const gr_value *drop = gr_get_path(k.sc, "capabilities", "drop", NULL);
		bool all = rl_has_str(drop, "ALL", true);
		bool each = drop && drop->type == GR_ARRAY;
		for (int i = 0; each && caps[i]; i++)
			each = rl_has_str(drop, caps[i], true);
		if (!(drop && drop->type == GR_ARRAY) || all == each) /* oneOf */
			rl_emit(c, rl_cpath(c, &k, ".securityContext.capabilities.drop"),
			        drop ? drop : k.node, "Container should not have insecure capabilities");
	}
}

static void host_port(rl_ctx *c)
{
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG | RL_INIT, &k)) {
		rl_judged(c);
		const gr_value *ports = gr_get(k.node, "ports");
		for (size_t i = 0; ports && ports->type == GR_ARRAY && i < ports->u.a.len; i++) {
			int64_t hp;
			if (rl_int(gr_get(&ports->u.a.items[i], "hostPort"), &hp) && hp != 0) {
				rl_emit(c, rl_cpath(c, &k, ".ports"), ports,
				        "Host port should not be configured");
				break;
			}
		}
	}
}

static bool seccomp_unconfined_or_unset(const gr_value *sc)
{
	const char *t = gr_get_str(gr_get(sc, "seccompProfile"), "type");
	return !t || !*t || strcmp(t, "Unconfined") == 0;
}

static bool nonempty_obj(const gr_value *v)
{
	return v && v->type == GR_OBJECT && v->u.o.len > 0;
}

static void linux_hardening(rl_ctx *c)
{
	const gr_value *psc = gr_get(c->obj->pod_spec, "securityContext");
	const gr_value *ann = c->obj->pod_metadata ? gr_get(c->obj->pod_metadata, "annotations") : NULL;
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG | RL_INIT, &k)) {
		rl_judged(c);
		char key[400];
		snprintf(key, sizeof key, "container.apparmor.security.beta.kubernetes.io/%s", k.name);
		const char *aa = gr_get_str(ann, key);
		if (aa && *aa)
			continue;
		bool ok;
		const char *ct = gr_get_str(gr_get(k.sc, "seccompProfile"), "type");
		if (seccomp_unconfined_or_unset(psc))
			ok = ct && *ct && strcmp(ct, "Unconfined") != 0;
		else
			ok = !rl_is(ct, "Unconfined");
		ok = ok || nonempty_obj(gr_get(psc, "seLinuxOptions")) ||
		     nonempty_obj(gr_get(k.sc, "seLinuxOptions"));
		const gr_value *drop = gr_get_path(k.sc, "capabilities", "drop", NULL);
		const gr_value *add = gr_get_path(k.sc, "capabilities", "add", NULL);
		ok = ok ||
		     (drop && drop->type == GR_ARRAY && drop->u.a.len > 0 && !rl_has_str(add, "ALL", true));
		if (!ok)
			rl_emit(c, rl_cpath(c, &k, ".securityContext"), k.node,
			        "Use one of AppArmor, Seccomp, SELinux, or dropping Linux Capabilities to "
			        "restrict "
			        "containers using unwanted privileges");
	}
}

static void probe(rl_ctx *c)
{
	if (batch(c->obj))
		return;
	const char *f = c->rule->param ? "livenessProbe" : "readinessProbe";
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG, &k)) {
		rl_judged(c);
		if (!rl_set_(gr_get(k.node, f)))
			rl_emit(c, rl_cpath(c, &k, ""), k.node, "%s should be configured", f);
	}
}

enum { C_RO, C_PE, C_PULL, C_PRIV, C_ROOT, C_TAG, C_ENV };

static void ctr_simple(rl_ctx *c)
{
	const gr_value *psc = gr_get(c->obj->pod_spec, "securityContext");
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG | RL_INIT, &k)) {
		rl_judged(c);
		bool fail = false;
		const char *msg = "";
		switch (c->rule->param) {
		case C_RO:
			fail = !rl_true(gr_get(k.sc, "readOnlyRootFilesystem"));
			msg = "Filesystem should be read only";
			break;
		case C_PE:
			fail = !rl_false(gr_get(k.sc, "allowPrivilegeEscalation"));
			msg = "Privilege escalation should not be allowed";
			break;
		case C_PULL:
			fail = !rl_is(gr_get_str(k.node, "imagePullPolicy"), "Always");
			msg = "Image pull policy should be \"Always\"";
			break;
		case C_PRIV:
			fail = rl_true(gr_get(k.sc, "privileged"));
			msg = "Should not be running as privileged";
			break;
		case C_ROOT: {
			int64_t cu = 0, pu = 0;
			bool c_uid = rl_int(gr_get(k.sc, "runAsUser"), &cu);
			bool p_uid = rl_int(gr_get(psc, "runAsUser"), &pu);
			const gr_value *cnr = gr_get(k.sc, "runAsNonRoot");
			bool ok = (c_uid && cu >= 1) || rl_true(cnr);
			if (!ok && ((p_uid && pu >= 1) || rl_true(gr_get(psc, "runAsNonRoot"))))
				ok = !(c_uid && cu < 1) && !(cnr && !rl_true(cnr));
			fail = !ok;
			msg = "Should not be allowed to run as root";
			break;
		}
		case C_TAG: {
			const char *img = gr_get_str(k.node, "image");
			/* ^.+:.+$ and not ^.+:latest$ */
			const char *col = img ? strchr(img + (img[0] ? 1 : 0), ':') : NULL;
			bool has = img && img[0] && col && col[1];
			size_t n = img ? strlen(img) : 0;
			bool latest = n > 7 && strcmp(img + n - 7, ":latest") == 0;
			fail = !has || latest;
			msg = "Image tag should be specified";
			break;
		}
		default: {
			const gr_value *env = gr_get(k.node, "env");
			for (size_t i = 0; env && env->type == GR_ARRAY && i < env->u.a.len; i++) {
				const gr_value *e = &env->u.a.items[i];
				const char *val = gr_get_str(e, "value");
				if (val && (rl_sensitive_name(gr_get_str(e, "name")) || rl_private_key(val)))
					fail = true;
			}
			msg = "The container sets potentially sensitive environment variables";
		}
		}
		if (fail)
			rl_emit(c, rl_cpath(c, &k, ""), k.node, "%s", msg);
	}
}

/* ---- pod spec ---- */

enum { S_IPC, S_NET, S_PID, S_PATH, S_PROC, S_PRIO, S_TSC, S_HOSTPROC };

static void podspec(rl_ctx *c)
{
	if (!c->obj->pod_spec)
		return;
	const gr_value *ps = c->obj->pod_spec;
	if (c->rule->param == S_TSC && batch(c->obj))
		return;
	rl_judged(c);
	bool fail = false;
	const char *msg = "";
	switch (c->rule->param) {
	case S_IPC:
		fail = rl_true(gr_get(ps, "hostIPC"));
		msg = "Host IPC should not be configured";
		break;
	case S_NET:
		fail = rl_true(gr_get(ps, "hostNetwork"));
		msg = "Host network should not be configured";
		break;
	case S_PID:
		fail = rl_true(gr_get(ps, "hostPID"));
		msg = "Host PID should not be configured";
		break;
	case S_PATH: {
		const gr_value *v = gr_get(ps, "volumes");
		for (size_t i = 0; v && v->type == GR_ARRAY && i < v->u.a.len; i++)
			fail |= gr_get(&v->u.a.items[i], "hostPath") != NULL;
		msg = "HostPath volumes must be forbidden";
		break;
	}
	case S_PROC: {
		rl_ctr k;
		rl_ctr_begin(&k);
		while (rl_ctr_next(c->obj, RL_REG, &k)) {
			const gr_value *p = gr_get(k.sc, "procMount");
			fail |= p && !rl_is(rl_str(p), "Default");
		}
		msg = "Proc mount must not be changed from the default";
		break;
	}
	case S_PRIO: {
		const char *p = gr_get_str(ps, "priorityClassName");
		fail = !p || !*p;
		msg = "Priority class should be set";
		break;
	}
	case S_TSC: {
		const gr_value *t = gr_get(ps, "topologySpreadConstraints");
		fail = !t || t->type != GR_ARRAY || t->u.a.len == 0;
		msg = "Pod should be configured with a valid topology spread constraint";
		break;
	}
	default: {
		const gr_value *h = gr_get_path(ps, "securityContext", "windowsOptions", "hostProcess", NULL);
		fail = h && !rl_false(h);
		rl_ctr k;
		rl_ctr_begin(&k);
		while (rl_ctr_next(c->obj, RL_REG, &k)) {
			h = gr_get_path(k.sc, "windowsOptions", "hostProcess", NULL);
			fail |= h && !rl_false(h);
		}
		msg = "Privileged access to the host check is not allowed";
	}
	}
	if (fail)
		rl_emit(c, rl_spath(c, ""), ps, "%s", msg);
}

static void automount(rl_ctx *c)
{
	if (!c->obj->pod_spec)
		return;
	rl_judged(c);
	const gr_value *a = gr_get(c->obj->pod_spec, "automountServiceAccountToken");
	if (rl_false(a))
		return;
	bool fail = rl_true(a);
	if (!fail) {
		const char *sa = gr_get_str(c->obj->pod_spec, "serviceAccountName");
		const gr_object *o =
		        rl_find(rl_use_set(c), "ServiceAccount", c->obj->namespace_, sa ? sa : "");
		fail = !o || !rl_false(gr_get(o->root, "automountServiceAccountToken"));
	}
	if (fail)
		rl_emit(c, rl_spath(c, ".automountServiceAccountToken"), c->obj->pod_spec,
		        "The ServiceAccount will be automounted");
}

/* ---- controllers ---- */

static bool is_controller(const gr_object *o)
{
	return o->pod_spec && !rl_kind(o, "PodTemplate");
}

static void instance_label(rl_ctx *c)
{
	if (!is_controller(c->obj))
		return;
	rl_judged(c);
	if (!rl_is(gr_get_str(rl_labels(c->obj), "app.kubernetes.io/instance"), c->obj->name))
		rl_emit(c, "metadata.labels", rl_labels(c->obj),
		        "Label app.kubernetes.io/instance must match metadata.name");
}

static void deploy_replicas(rl_ctx *c)
{
	if (!rl_kind(c->obj, "Deployment"))
		return;
	rl_judged(c);
	int64_t r;
	if (!rl_int(gr_get_path(c->obj->root, "spec", "replicas", NULL), &r) || r < 2)
		rl_emit(c, "spec.replicas", c->obj->root, "Only one replica is scheduled");
}

/* matchLabels of sel share at least one key=value with labels */
static bool shares_pair(const gr_value *ml, const gr_value *labels)
{
	for (size_t i = 0; ml && ml->type == GR_OBJECT && i < ml->u.o.len; i++) {
		const char *want = rl_str(&ml->u.o.members[i].value);
		if (want && rl_is(gr_get_str(labels, ml->u.o.members[i].key), want))
			return true;
	}
	return false;
}

static const gr_object *each_kind(const rl_set *s, const char *kind, uint32_t *e)
{
	uint64_t h = rl_hash(kind, NULL, NULL);
	*e = *e ? rl_map_next(&s->by_kind, *e, h) : rl_map_first(&s->by_kind, h);
	while (*e && strcmp(s->objs[rl_map_obj(&s->by_kind, *e)].kind, kind) != 0)
		*e = rl_map_next(&s->by_kind, *e, h);
	return *e ? &s->objs[rl_map_obj(&s->by_kind, *e)] : NULL;
}

static void missing_pdb(rl_ctx *c)
{
	if (!rl_kind(c->obj, "Deployment"))
		return;
	rl_judged(c);
	const gr_value *labels = rl_pod_labels(c->obj);
	bool ok = false;
	if (labels && labels->type == GR_OBJECT && labels->u.o.len) {
		uint32_t e = 0;
		const gr_object *p;
		while (!ok && (p = each_kind(rl_use_set(c), "PodDisruptionBudget", &e)))
			ok = !strcmp(p->namespace_, c->obj->namespace_) &&
			     shares_pair(gr_get_path(p->root, "spec", "selector", "matchLabels", NULL),
			                 labels);
	}
	if (!ok)
		rl_emit(c, NULL, NULL, "Should have a PodDisruptionBudget");
}

static bool percent(const gr_value *v, double *pct)
{
	const char *s = rl_str(v);
	size_t n = s ? strlen(s) : 0;
	if (!n || s[n - 1] != '%')
		return false;
	*pct = atof(s);
	return true;
}

static void pdb_hpa(rl_ctx *c)
{
	if (!rl_kind(c->obj, "Deployment"))
		return;
	rl_judged(c);
	const gr_value *labels = rl_pod_labels(c->obj);
	uint32_t e = 0;
	const gr_object *p, *pdb = NULL, *hpa = NULL;
	while (!pdb && (p = each_kind(rl_use_set(c), "PodDisruptionBudget", &e)))
		if (shares_pair(gr_get_path(p->root, "spec", "selector", "matchLabels", NULL), labels))
			pdb = p;
	e = 0;
	while (!hpa && (p = each_kind(rl_use_set(c), "HorizontalPodAutoscaler", &e))) {
		const gr_value *ref = gr_get_path(p->root, "spec", "scaleTargetRef", NULL);
		if (rl_is(gr_get_str(ref, "kind"), "Deployment") &&
		    rl_is(gr_get_str(ref, "name"), c->obj->name))
			hpa = p;
	}
	if (!pdb || !hpa)
		return;
	const gr_value *ma = gr_get_path(pdb->root, "spec", "minAvailable", NULL);
	int64_t hmin;
	if (!ma || !rl_int(gr_get_path(hpa->root, "spec", "minReplicas", NULL), &hmin))
		return;
	double min;
	double pct;
	int64_t iv;
	if (rl_int(ma, &iv))
		min = (double)iv;
	else if (percent(ma, &pct))
		min = ceil(pct / 100.0 * (double)hmin);
	else
		return;
	if (min > (double)hmin)
		rl_emit(c, NULL, NULL, "PDB's minAvailable is greater than HPA's minReplicas");
}

/* ---- other kinds ---- */

static void hpa(rl_ctx *c)
{
	if (!rl_kind(c->obj, "HorizontalPodAutoscaler"))
		return;
	rl_judged(c);
	const gr_value *spec = gr_get(c->obj->root, "spec");
	int64_t mn = 0, mx = 0;
	bool hmin = rl_int(gr_get(spec, "minReplicas"), &mn), hmax = rl_int(gr_get(spec, "maxReplicas"), &mx);
	bool fail =
	        c->rule->param == 0 ? (hmin && mn < 2) : (!hmax || mx < 1 || (hmin && mn != 0 && mx <= mn));
	if (fail)
		rl_emit(c, "spec", spec,
		        c->rule->param == 0 ? "HPA minReplicas should be 2 or more"
		                            : "HPA maxReplicas should be greater than minReplicas");
}

static void pdb_zero(rl_ctx *c)
{
	if (!rl_kind(c->obj, "PodDisruptionBudget"))
		return;
	rl_judged(c);
	const gr_value *spec = gr_get(c->obj->root, "spec");
	const gr_value *mu = gr_get(spec, "maxUnavailable");
	int64_t x;
	if (!spec || rl_is(gr_get_str(spec, "minAvailable"), "100%") || (rl_int(mu, &x) && x == 0) ||
	    rl_is(rl_str(mu), "0%") || rl_is(rl_str(mu), "0"))
		rl_emit(c, "spec", spec, "Voluntary evictions are not possible");
}

static void ingress_tls(rl_ctx *c)
{
	if (!rl_kind(c->obj, "Ingress"))
		return;
	rl_judged(c);
	if (!gr_get_path(c->obj->root, "spec", "tls", NULL))
		rl_emit(c, "spec.tls", c->obj->root, "Ingress does not have TLS configured");
}

static void configmap(rl_ctx *c)
{
	if (!rl_kind(c->obj, "ConfigMap") || c->obj->group[0])
		return;
	rl_judged(c);
	const gr_value *d = gr_get(c->obj->root, "data");
	for (size_t i = 0; d && d->type == GR_OBJECT && i < d->u.o.len; i++)
		if (rl_sensitive_name(d->u.o.members[i].key) ||
		    rl_private_key(rl_str(&d->u.o.members[i].value))) {
			rl_emit(c, "data", d, "The ConfigMap contains sensitive content");
			return;
		}
}

static void netpol(rl_ctx *c)
{
	if (!c->obj->pod_spec)
		return;
	rl_judged(c);
	const gr_value *labels = rl_pod_labels(c->obj);
	bool ok = false;
	if (!(labels && labels->type == GR_OBJECT && labels->u.o.len == 0)) {
		uint32_t e = 0;
		const gr_object *p;
		while (!ok && (p = each_kind(rl_use_set(c), "NetworkPolicy", &e))) {
			if (p->namespace_[0] && strcmp(p->namespace_, c->obj->namespace_))
				continue;
			const gr_value *spec = gr_get(p->root, "spec");
			const gr_value *ml = gr_get_path(spec, "podSelector", "matchLabels", NULL);
			int hits = 0;
			for (size_t i = 0; labels && labels->type == GR_OBJECT && i < labels->u.o.len; i++) {
				const char *lv = rl_str(&labels->u.o.members[i].value);
				if (lv && rl_is(gr_get_str(ml, labels->u.o.members[i].key), lv))
					hits++;
			}
			const gr_value *eg = gr_get(spec, "egress"), *in = gr_get(spec, "ingress");
			bool rules = eg && eg->type == GR_ARRAY && eg->u.a.len && in &&
			             in->type == GR_ARRAY && in->u.a.len;
			const gr_value *pt = gr_get(spec, "policyTypes");
			bool types =
			        !pt || (rl_has_str(pt, "Egress", true) && rl_has_str(pt, "Ingress", true));
			ok = hits == 1 && rules && types;
		}
	}
	if (!ok)
		rl_emit(c, NULL, NULL,
		        "A NetworkPolicy should match pod labels and contain applied egress and ingress "
		        "rules");
}

/* ---- RBAC ---- */

static bool exempt_name(const char *n)
{
	return strncmp(n, "system:", 7) == 0 || strcmp(n, "gce:podsecuritypolicy:calico-sa") == 0;
}

static bool any_of(const gr_value *arr, const char *const *vals)
{
	for (int i = 0; vals[i]; i++)
		if (rl_has_str(arr, vals[i], false))
			return true;
	return false;
}

static bool rules_allow_exec(const gr_value *rules)
{
	static const char *const groups[] = {"", "*", NULL};
	static const char *const res[] = {"*", "pods/exec", "pods/attach", NULL};
	static const char *const verbs[] = {"*", "get", "create", NULL};
	for (size_t i = 0; rules && rules->type == GR_ARRAY && i < rules->u.a.len; i++) {
		const gr_value *r = &rules->u.a.items[i];
		if (any_of(gr_get(r, "apiGroups"), groups) && any_of(gr_get(r, "resources"), res) &&
		    any_of(gr_get(r, "verbs"), verbs))
			return true;
	}
	return false;
}

static bool rules_wildcard_admin(const gr_value *rules)
{
	static const char *const std[] = {"get",    "list",  "watch",  "create",
	                                  "update", "patch", "delete", NULL};
	for (size_t i = 0; rules && rules->type == GR_ARRAY && i < rules->u.a.len; i++) {
		const gr_value *r = &rules->u.a.items[i];
		if (!rl_has_str(gr_get(r, "apiGroups"), "*", false) ||
		    !rl_has_str(gr_get(r, "resources"), "*", false))
			continue;
		const gr_value *v = gr_get(r, "verbs");
		if (rl_has_str(v, "*", false))
			return true;
		/* >= 7 unique items, all standard verbs */
		if (!v || v->type != GR_ARRAY)
			continue;
		int uniq = 0;
		bool all_std = true;
		for (size_t j = 0; j < v->u.a.len; j++) {
			const char *s = rl_str(&v->u.a.items[j]);
			bool isstd = false;
			for (int q = 0; s && std[q]; q++)
				isstd |= strcmp(s, std[q]) == 0;
			all_std &= isstd;
			bool dup = false;
			for (size_t q = 0; q < j; q++)
				dup |= s && rl_is(rl_str(&v->u.a.items[q]), s);
			uniq += !dup;
		}
		if (all_std && uniq >= 7)
			return true;
	}
	return false;
}

static void role_exec(rl_ctx *c)
{
	bool cluster = c->rule->param == 0;
	if (!rl_kind(c->obj, cluster ? "ClusterRole" : "Role"))
		return;
	rl_judged(c);
	const char *n = c->obj->name;
	if (exempt_name(n) ||
	    (cluster && (!strcmp(n, "admin") || !strcmp(n, "cluster-admin") || !strcmp(n, "edit"))))
		return;
	const gr_value *rules = gr_get(c->obj->root, "rules");
	if (!gr_get(c->obj->root, "metadata") || !rules || rules_allow_exec(rules))
		rl_emit(c, "rules", rules ? rules : c->obj->root, "The %s allows pods/exec or pods/attach",
		        c->obj->kind);
}

enum { B_CRB_ADMIN, B_CRB_EXEC, B_RB_CR_ADMIN, B_RB_ROLE_ADMIN, B_RB_CR_EXEC, B_RB_ROLE_EXEC };

static void binding(rl_ctx *c)
{
	int p = c->rule->param;
	bool crb = p == B_CRB_ADMIN || p == B_CRB_EXEC;
	if (!rl_kind(c->obj, crb ? "ClusterRoleBinding" : "RoleBinding"))
		return;
	rl_judged(c);
	const char *n = c->obj->name;
	const gr_value *ref = gr_get(c->obj->root, "roleRef");
	const char *rkind = gr_get_str(ref, "kind"), *rname = gr_get_str(ref, "name");
	const char *rgroup = gr_get_str(ref, "apiGroup");
	bool want_role = p == B_RB_ROLE_ADMIN || p == B_RB_ROLE_EXEC;
	bool admin = p == B_CRB_ADMIN || p == B_RB_CR_ADMIN || p == B_RB_ROLE_ADMIN;
	if (exempt_name(n) || (p == B_CRB_ADMIN && !strcmp(n, "cluster-admin")) ||
	    (p == B_CRB_EXEC && !strcmp(n, "cluster-admin")))
		return;
	if (!crb && rl_is(rkind, want_role ? "ClusterRole" : "Role"))
		return;
	const char *fail = NULL;
	if (!rl_is(rgroup, "rbac.authorization.k8s.io") ||
	    !rl_is(rkind, want_role ? "Role" : "ClusterRole") || !rname || !*rname)
		fail = "roleRef is not a valid reference";
	else if (admin && !want_role && !strcmp(rname, "cluster-admin"))
		fail = "The binding grants cluster-admin";
	else if (crb && !strcmp(rname, "view")) {
		uint32_t e = 0;
		if (!each_kind(rl_use_set(c), "ClusterRole", &e))
			fail = "The referenced ClusterRole does not exist";
	} else {
		const gr_object *role = want_role ? rl_find(rl_use_set(c), "Role", c->obj->namespace_, rname)
		                                  : rl_find(rl_use_set(c), "ClusterRole", "", rname);
		if (!role)
			fail = want_role ? "The referenced Role does not exist"
			                 : "The referenced ClusterRole does not exist";
		else if (admin ? rules_wildcard_admin(gr_get(role->root, "rules"))
		               : rules_allow_exec(gr_get(role->root, "rules")))
			fail = admin ? "The binding grants wildcard permissions"
			             : "The binding allows pods/exec or pods/attach";
	}
	if (fail)
		rl_emit(c, "roleRef", ref ? ref : c->obj->root, "%s", fail);
}

const rl_rule rl_pack_polaris[] = {
        PO("automountServiceAccountToken", WARNING, "the ServiceAccount token is automounted",
           "set automountServiceAccountToken: false on the pod or its ServiceAccount", automount, 0),
        PO("clusterrolePodExecAttach", DANGER, "a ClusterRole allows pods/exec or pods/attach",
           "remove pods/exec and pods/attach from the ClusterRole's rules", role_exec, 0),
        PO("clusterrolebindingClusterAdmin", DANGER,
           "a ClusterRoleBinding grants cluster-admin or wildcard rights",
           "bind a ClusterRole with explicit resources and verbs", binding, B_CRB_ADMIN),
        PO("clusterrolebindingPodExecAttach", DANGER, "a ClusterRoleBinding grants pods/exec or pods/attach",
           "bind a ClusterRole without pods/exec and pods/attach", binding, B_CRB_EXEC),
        PO("cpuLimitsMissing", WARNING, "CPU limits should be set", "set resources.limits.cpu", resources,
           P_CPU_LIM),
        PO("cpuRequestsMissing", WARNING, "CPU requests should be set", "set resources.requests.cpu",
           resources, P_CPU_REQ),
        PO("dangerousCapabilities", DANGER, "the container has dangerous capabilities",
           "remove ALL, SYS_ADMIN and NET_ADMIN from capabilities.add", dangerous_caps, 0),
        PO("deploymentMissingReplicas", WARNING, "only one replica is scheduled",
           "set spec.replicas: 2 or more", deploy_replicas, 0),
        PO("hostIPCSet", DANGER, "host IPC should not be configured", "remove hostIPC", podspec, S_IPC),
        PO("hostNetworkSet", DANGER, "host network should not be configured", "remove hostNetwork", podspec,
           S_NET),
        PO("hostPIDSet", DANGER, "host PID should not be configured", "remove hostPID", podspec, S_PID),
        PO("hostPathSet", WARNING, "hostPath volumes must be forbidden", "replace hostPath volumes", podspec,
           S_PATH),
        PO("hostPortSet", WARNING, "host port should not be configured", "remove hostPort", host_port, 0),
        PO("hostProcess", WARNING, "privileged access to the host is not allowed",
           "remove windowsOptions.hostProcess", podspec, S_HOSTPROC),
        PO("hpaMaxAvailability", WARNING, "HPA maxReplicas should exceed minReplicas",
           "set spec.maxReplicas above minReplicas", hpa, 1),
        PO("hpaMinAvailability", WARNING, "HPA minReplicas should be 2 or more",
           "set spec.minReplicas: 2 or more", hpa, 0),
        PO("insecureCapabilities", WARNING, "the container has insecure capabilities",
           "set securityContext.capabilities.drop: [ALL]", insecure_caps, 0),
        PO("linuxHardening", WARNING,
           "the container is not hardened by AppArmor, seccomp, SELinux or dropped capabilities",
           "set seccompProfile.type: RuntimeDefault (or drop capabilities)", linux_hardening, 0),
        PO("livenessProbeMissing", WARNING, "liveness probe should be configured", "add livenessProbe", probe,
           1),
        PO("memoryLimitsMissing", WARNING, "memory limits should be set", "set resources.limits.memory",
           resources, P_MEM_LIM),
        PO("memoryRequestsMissing", WARNING, "memory requests should be set", "set resources.requests.memory",
           resources, P_MEM_REQ),
        PO("metadataAndInstanceMismatched", WARNING, "app.kubernetes.io/instance must match metadata.name",
           "set the app.kubernetes.io/instance label to metadata.name", instance_label, 0),
        PO("missingNetworkPolicy", WARNING, "no NetworkPolicy matches the pods with ingress and egress rules",
           "add a NetworkPolicy selecting the pods with ingress and egress rules", netpol, 0),
        PO("missingPodDisruptionBudget", WARNING, "the Deployment should have a PodDisruptionBudget",
           "add a PodDisruptionBudget whose matchLabels share a label with the pods", missing_pdb, 0),
        PO("notReadOnlyRootFilesystem", WARNING, "filesystem should be read only",
           "set readOnlyRootFilesystem: true", ctr_simple, C_RO),
        PO("pdbDisruptionsIsZero", WARNING, "voluntary evictions are not possible",
           "allow at least one disruption (maxUnavailable: 1)", pdb_zero, 0),
        PO("pdbMinAvailableGreaterThanHPAMinReplicas", WARNING,
           "PDB minAvailable is greater than HPA minReplicas",
           "lower minAvailable below the HPA's minReplicas", pdb_hpa, 0),
        PO("priorityClassNotSet", WARNING, "priority class should be set", "set priorityClassName", podspec,
           S_PRIO),
        PO("privilegeEscalationAllowed", DANGER, "privilege escalation should not be allowed",
           "set allowPrivilegeEscalation: false", ctr_simple, C_PE),
        PO("procMount", WARNING, "proc mount must not be changed from the default", "remove procMount",
           podspec, S_PROC),
        PO("pullPolicyNotAlways", WARNING, "image pull policy should be Always",
           "set imagePullPolicy: Always", ctr_simple, C_PULL),
        PO("readinessProbeMissing", WARNING, "readiness probe should be configured", "add readinessProbe",
           probe, 0),
        PO("rolePodExecAttach", DANGER, "a Role allows pods/exec or pods/attach",
           "remove pods/exec and pods/attach", role_exec, 1),
        PO("rolebindingClusterAdminClusterRole", DANGER,
           "a RoleBinding grants cluster-admin or a wildcard ClusterRole",
           "bind a role with explicit resources and verbs", binding, B_RB_CR_ADMIN),
        PO("rolebindingClusterAdminRole", DANGER, "a RoleBinding grants a wildcard Role",
           "bind a Role with explicit resources and verbs", binding, B_RB_ROLE_ADMIN),
        PO("rolebindingClusterRolePodExecAttach", DANGER,
           "a RoleBinding grants pods/exec or pods/attach via a ClusterRole",
           "bind a ClusterRole without pods/exec and pods/attach", binding, B_RB_CR_EXEC),
        PO("rolebindingRolePodExecAttach", DANGER, "a RoleBinding grants pods/exec or pods/attach via a Role",
           "bind a Role without pods/exec and pods/attach", binding, B_RB_ROLE_EXEC),
        PO("runAsPrivileged", DANGER, "should not be running as privileged",
           "remove securityContext.privileged", ctr_simple, C_PRIV),
        PO("runAsRootAllowed", DANGER, "should not be allowed to run as root", "set runAsNonRoot: true",
           ctr_simple, C_ROOT),
        PO("sensitiveConfigmapContent", DANGER, "the ConfigMap contains sensitive content",
           "move the values to a Secret", configmap, 0),
        PO("sensitiveContainerEnvVar", DANGER,
           "the container sets potentially sensitive environment variables", "use valueFrom.secretKeyRef",
           ctr_simple, C_ENV),
        PO("tagNotSpecified", DANGER, "image tag should be specified", "pin the image tag", ctr_simple,
           C_TAG),
        PO("tlsSettingsMissing", WARNING, "Ingress does not have TLS configured", "add spec.tls", ingress_tls,
           0),
        PO("topologySpreadConstraint", WARNING, "pod should have a topology spread constraint",
           "add topologySpreadConstraints", podspec, S_TSC),
        RL_PACK_END,
};
