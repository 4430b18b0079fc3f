/*
 * apps.c — apps/v1 (pkg/apis/apps/validation): Deployment, ReplicaSet,
 * DaemonSet and StatefulSet selectors against template labels, replicas
 * and other non-negative fields, update strategies. Deployment, ReplicaSet
 * and DaemonSet validate their pod template fully; a StatefulSet's
 * template only for its restart policy (the server does not run
 * ValidatePodSpec on it in 1.32).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "native_int.h"

void nv_template_restart_always(nv_ctx *c, const gr_value *spec, const char *path);

static void nonneg(nv_ctx *c, const gr_value *spec, const char *key)
{
	const gr_value *v = gr_get(spec, key);
	int64_t n;
	if (nv_int(v, &n) && n < 0) {
		char p[128];
		snprintf(p, sizeof p, "spec.%s", key);
		nv_invalid(c, NV_APPS_NONNEGATIVE, p, v, "must be greater than or equal to 0");
	}
}

/* int-or-percent: returns false (after reporting) when malformed; *pct set for percents */
static bool int_or_percent(nv_ctx *c, const gr_value *v, const char *p, int64_t *n, bool *pct)
{
	*pct = false;
	*n = 0;
	if (!v)
		return false;
	if (nv_int(v, n)) {
		if (*n < 0)
			nv_invalid(c, NV_APPS_STRATEGY, p, v, "must be greater than or equal to 0");
		return true;
	}
	if (v->type == GR_STRING) {
		const char *s = v->u.s.ptr;
		size_t l = v->u.s.len;
		bool ok = l >= 2 && s[l - 1] == '%';
		for (size_t i = 0; ok && i + 1 < l; i++)
			if (s[i] < '0' || s[i] > '9')
				ok = false;
		if (!ok) {
			nv_invalid(c, NV_APPS_STRATEGY, p, v,
			           "a valid percent string must be a numeric string followed by an ending "
			           "'%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')");
			return false;
		}
		*n = strtoll(s, NULL, 10);
		*pct = true;
		return true;
	}
	return false;
}

static void rolling(nv_ctx *c, const gr_value *ru, const char *base, bool daemonset)
{
	char pu[200], ps[200];
	snprintf(pu, sizeof pu, "%s.maxUnavailable", base);
	snprintf(ps, sizeof ps, "%s.maxSurge", base);
	const gr_value *mu = gr_get(ru, "maxUnavailable"), *ms = gr_get(ru, "maxSurge");
	int64_t u = 0, s = 0;
	bool up = false, sp = false;
	bool hu = int_or_percent(c, mu, pu, &u, &up);
	bool hs = int_or_percent(c, ms, ps, &s, &sp);
	if (hu && up && u > 100)
		nv_invalid(c, NV_APPS_STRATEGY, pu, mu, "must not be greater than 100%");
	/* defaults: 25% / 25% for Deployments, 1 / 0 for DaemonSets */
	if (!mu)
		u = daemonset ? 1 : 25, hu = true;
	if (!ms)
		s = daemonset ? 0 : 25, hs = true;
	if (hu && hs && u == 0 && s == 0) {
		if (daemonset)
			nv_required(c, NV_APPS_STRATEGY, pu, ru, "cannot be 0 when maxSurge is 0");
		else
			nv_invalid(c, NV_APPS_STRATEGY, pu, mu, "may not be 0 when `maxSurge` is 0");
	}
}

void nv_check_apps(nv_ctx *c)
{
	if (strcmp(c->obj->group, "apps") != 0)
		return;
	const char *k = c->obj->kind;
	bool ss = strcmp(k, "StatefulSet") == 0, dep = strcmp(k, "Deployment") == 0,
	     rs = strcmp(k, "ReplicaSet") == 0, ds = strcmp(k, "DaemonSet") == 0;
	if (!ss && !dep && !rs && !ds)
		return;
	const gr_value *root = c->obj->root, *spec = gr_get(root, "spec");
	const gr_value *pspec = gr_get_path(root, "spec", "template", "spec", NULL);
	const gr_value *labels = gr_get_path(root, "spec", "template", "metadata", "labels", NULL);
	/* selector */
	const gr_value *sel = gr_get(spec, "selector");
	if (sel && sel->type == GR_OBJECT) {
		const gr_value *ml = gr_get(sel, "matchLabels"), *me = gr_get(sel, "matchExpressions");
		bool empty = !(ml && ml->type == GR_OBJECT && ml->u.o.len) &&
		             !(me && me->type == GR_ARRAY && me->u.a.len);
		if (empty) {
			char d[80];
			snprintf(d, sizeof d, "empty selector is invalid for %s",
			         ds   ? "daemonset"
			         : ss ? "statefulset"
			              : "deployment");
			nv_invalid(c, NV_SELECTOR, "spec.selector", sel, d);
		} else {
			bool ok = nv_check_selector(c, sel, "spec.selector");
			if (!ok && !ds)
				nv_invalid(c, NV_SELECTOR, "spec.selector", sel, "invalid label selector");
			if (ok && !nv_selector_matches(sel, labels))
				nv_invalid(c, NV_SELECTOR_MATCH, "spec.template.metadata.labels", labels,
				           "`selector` does not match template `labels`");
		}
	}
	if (!ds)
		nonneg(c, spec, "replicas");
	nonneg(c, spec, "minReadySeconds");
	if (dep || ds)
		nonneg(c, spec, "revisionHistoryLimit");
	if (dep) {
		const gr_value *pd = gr_get(spec, "progressDeadlineSeconds");
		int64_t p = 0, m = 0;
		nv_int(gr_get(spec, "minReadySeconds"), &m);
		if (nv_int(pd, &p) && p <= m)
			nv_invalid(c, NV_APPS_STRATEGY, "spec.progressDeadlineSeconds", pd,
			           "must be greater than minReadySeconds");
		const gr_value *st = gr_get(spec, "strategy");
		const char *t = nv_str(st, "type");
		const gr_value *ru = gr_get(st, "rollingUpdate");
		static const char *const types[] = {"Recreate", "RollingUpdate", NULL};
		if (t && !nv_in(t, types))
			nv_not_supported(c, NV_APPS_STRATEGY, "spec.strategy", gr_get(st, "type"), types);
		else if (t && strcmp(t, "Recreate") == 0 && ru && ru->type != GR_NULL)
			nv_forbidden(c, NV_APPS_STRATEGY, "spec.strategy.rollingUpdate", ru,
			             "may not be specified when strategy `type` is 'Recreate'");
		else if (ru && ru->type == GR_OBJECT)
			rolling(c, ru, "spec.strategy.rollingUpdate", false);
	}
	if (ds) {
		const gr_value *st = gr_get(spec, "updateStrategy");
		const char *t = nv_str(st, "type");
		static const char *const types[] = {"OnDelete", "RollingUpdate", NULL};
		if (t && !nv_in(t, types))
			nv_not_supported(c, NV_APPS_STRATEGY, "spec.updateStrategy", gr_get(st, "type"),
			                 types);
		else {
			const gr_value *ru = gr_get(st, "rollingUpdate");
			if (ru && ru->type == GR_OBJECT && (!t || strcmp(t, "RollingUpdate") == 0))
				rolling(c, ru, "spec.updateStrategy.rollingUpdate", true);
		}
	}
	if (ss) {
		const gr_value *v = gr_get(spec, "podManagementPolicy");
		static const char *const pmp[] = {"OrderedReady", "Parallel", NULL};
		if (v && v->type == GR_STRING && !nv_in(v->u.s.ptr, pmp))
			nv_invalid(c, NV_APPS_STRATEGY, "spec.podManagementPolicy", v,
			           "must be 'OrderedReady' or 'Parallel'");
		const gr_value *st = gr_get(spec, "updateStrategy");
		const char *t = nv_str(st, "type");
		static const char *const types[] = {"OnDelete", "RollingUpdate", NULL};
		if (t && !nv_in(t, types))
			nv_invalid(c, NV_APPS_STRATEGY, "spec.updateStrategy", gr_get(st, "type"),
			           "must be 'RollingUpdate' or 'OnDelete'");
		const gr_value *part = gr_get_path(st, "rollingUpdate", "partition", NULL);
		int64_t n;
		if (nv_int(part, &n) && n < 0)
			nv_invalid(c, NV_APPS_NONNEGATIVE, "spec.updateStrategy.rollingUpdate.partition",
			           part, "must be greater than or equal to 0");
		const gr_value *os = gr_get_path(spec, "ordinals", "start", NULL);
		if (nv_int(os, &n) && n < 0)
			nv_invalid(c, NV_APPS_NONNEGATIVE, "spec.ordinals.start", os,
			           "must be greater than or equal to 0");
		static const char *const rp[] = {"Retain", "Delete", NULL};
		static const char *const keys[] = {"whenDeleted", "whenScaled", NULL};
		for (int i = 0; keys[i]; i++) {
			const gr_value *w =
			        gr_get_path(spec, "persistentVolumeClaimRetentionPolicy", keys[i], NULL);
			if (w && w->type == GR_STRING && !nv_in(w->u.s.ptr, rp)) {
				char p[100];
				snprintf(p, sizeof p, "spec.persistentVolumeClaimRetentionPolicy.%s",
				         keys[i]);
				nv_not_supported(c, NV_APPS_STRATEGY, p, w, rp);
			}
		}
		nv_template_restart_always(c, pspec, "spec.template.spec");
		/* not validated, but warned about (GetWarningsForPodTemplate): duplicate
		 * env names and ports, negative grace periods, unnamed pull secrets */
		c->warnings_only = true;
		nv_check_pod_spec(c, pspec, "spec.template.spec", false);
		c->warnings_only = false;
		return;
	}
	nv_check_pod_spec(c, pspec, "spec.template.spec", false);
	nv_check_template_labels(c, gr_get(spec, "template"), "spec.template.labels");
	nv_template_restart_always(c, pspec, "spec.template.spec");
}
