/*
 * policy_autoscaling.c — policy/v1 PodDisruptionBudget
 * (pkg/apis/policy/validation.ValidatePodDisruptionBudgetSpec) and
 * autoscaling/v2 HorizontalPodAutoscaler
 * (pkg/apis/autoscaling/validation.ValidateHorizontalPodAutoscalerSpec):
 * budgets, replica bounds, scale target, metric types and targets, behavior.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "native_int.h"

static void metric_target(nv_ctx *c, const gr_value *m, const char *type, size_t i);

#define ARR(v)     ((v) && (v)->type == GR_ARRAY)
#define EACH(v, i) for (size_t i = 0; ARR(v) && i < (v)->u.a.len; i++)

static void int_or_pct(nv_ctx *c, const gr_value *v, const char *p)
{
	int64_t n;
	if (!v || v->type == GR_NULL)
		return;
	if (nv_int(v, &n)) {
		if (n < 0)
			nv_invalid(c, NV_PDB, p, v, "must be greater than or equal to 0");
		return;
	}
	if (v->type != GR_STRING)
		return;
	const char *s = v->u.s.ptr;
	size_t l = v->u.s.len;
	bool ok = l >= 2 && s[l - 1] == '%';
	for (size_t i = 0; ok && i + 1 < l; i++)
		if (s[i] < '0' || s[i] > '9')
			ok = false;
	if (!ok)
		nv_invalid(c, NV_PDB, p, v,
		           "a valid percent string must be a numeric string followed by an ending '%' "
		           "(e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')");
	else if (strtoll(s, NULL, 10) > 100)
		nv_invalid(c, NV_PDB, p, v, "must not be greater than 100%");
}

static void pdb(nv_ctx *c)
{
	const gr_value *spec = gr_get(c->obj->root, "spec");
	if (!spec || spec->type != GR_OBJECT)
		return;
	const gr_value *mn = gr_get(spec, "minAvailable"), *mx = gr_get(spec, "maxUnavailable");
	if (mn && mn->type != GR_NULL && mx && mx->type != GR_NULL)
		nv_invalid(c, NV_PDB, "spec", spec, "minAvailable and maxUnavailable cannot be both set");
	int_or_pct(c, mn, "spec.minAvailable");
	int_or_pct(c, mx, "spec.maxUnavailable");
	static const char *const pol[] = {"AlwaysAllow", "IfHealthyBudget", NULL};
	const gr_value *v = gr_get(spec, "unhealthyPodEvictionPolicy");
	if (v && v->type == GR_STRING && !nv_in(v->u.s.ptr, pol))
		nv_not_supported(c, NV_PDB, "spec.unhealthyPodEvictionPolicy", v, pol);
	const gr_value *sel = gr_get(spec, "selector");
	if (sel && sel->type == GR_OBJECT)
		nv_check_selector(c, sel, "spec.selector");
}

static void rules_hpa(nv_ctx *c, const gr_value *r, const char *base)
{
	char p[200];
	int64_t n;
	const gr_value *v = gr_get(r, "stabilizationWindowSeconds");
	snprintf(p, sizeof p, "%s.stabilizationWindowSeconds", base);
	if (nv_int(v, &n) && n < 0)
		nv_invalid(c, NV_HPA, p, v, "must be greater than or equal to zero");
	else if (nv_int(v, &n) && n > 3600)
		nv_invalid(c, NV_HPA, p, v, "must be less than or equal to 3600");
	static const char *const sp[] = {"Disabled", "Max", "Min", NULL};
	v = gr_get(r, "selectPolicy");
	if (v && v->type == GR_STRING && !nv_in(v->u.s.ptr, sp)) {
		snprintf(p, sizeof p, "%s.selectPolicy", base);
		nv_not_supported(c, NV_HPA, p, v, sp);
	}
	const gr_value *pols = gr_get(r, "policies");
	EACH(pols, i)
	{
		const gr_value *po = &pols->u.a.items[i];
		v = gr_get(po, "periodSeconds");
		snprintf(p, sizeof p, "%s.policies[%zu].periodSeconds", base, i);
		if (nv_int(v, &n) && n <= 0)
			nv_invalid(c, NV_HPA, p, v, "must be greater than zero");
		else if (nv_int(v, &n) && n > 1800)
			nv_invalid(c, NV_HPA, p, v, "must be less than or equal to 1800");
		v = gr_get(po, "value");
		snprintf(p, sizeof p, "%s.policies[%zu].value", base, i);
		if (nv_int(v, &n) && n <= 0)
			nv_invalid(c, NV_HPA, p, v, "must be greater than zero");
	}
}

static void hpa(nv_ctx *c)
{
	if (strcmp(c->obj->version, "v2") != 0)
		return;
	const gr_value *spec = gr_get(c->obj->root, "spec");
	if (!spec || spec->type != GR_OBJECT)
		return;
	const gr_value *mn = gr_get(spec, "minReplicas"), *mx = gr_get(spec, "maxReplicas");
	int64_t min = 1, max = 0;
	bool has_min = nv_int(mn, &min);
	if (!has_min)
		min = 1;
	if (has_min && min < 1)
		nv_invalid(c, NV_HPA, "spec.minReplicas", mn, "must be greater than or equal to 1");
	if (nv_int(mx, &max)) {
		if (max < 1)
			nv_invalid(c, NV_HPA, "spec.maxReplicas", mx, "must be greater than 0");
		if (max < min)
			nv_invalid(c, NV_HPA, "spec.maxReplicas", mx,
			           "must be greater than or equal to `minReplicas`");
	}
	const gr_value *ref = gr_get(spec, "scaleTargetRef");
	const char *k = nv_str(ref, "kind");
	if (ref && (!k || !*k))
		nv_required(c, NV_HPA, "spec.scaleTargetRef.kind", ref, NULL);
	const gr_value *nm = gr_get(ref, "name");
	if (nm && nm->type == GR_STRING) {
		if (strchr(nm->u.s.ptr, '/'))
			nv_invalid(c, NV_HPA, "spec.scaleTargetRef.name", nm, "may not contain '/'");
		if (strchr(nm->u.s.ptr, '%'))
			nv_invalid(c, NV_HPA, "spec.scaleTargetRef.name", nm, "may not contain '%'");
	}
	const gr_value *ms = gr_get(spec, "metrics");
	bool obj_or_ext = false;
	static const char *const types[] = {"ContainerResource", "External", "Object", "Pods",
	                                    "Resource",          NULL};
	EACH(ms, i)
	{
		const gr_value *m = &ms->u.a.items[i];
		const gr_value *t = gr_get(m, "type");
		char p[200];
		if (t && t->type == GR_STRING) {
			if (!nv_in(t->u.s.ptr, types)) {
				snprintf(p, sizeof p, "spec.metrics[%zu].type", i);
				nv_not_supported(c, NV_HPA, p, t, types);
				continue;
			}
			if (strcmp(t->u.s.ptr, "Object") == 0 || strcmp(t->u.s.ptr, "External") == 0)
				obj_or_ext = true;
		}
		if (t && t->type == GR_STRING)
			metric_target(c, m, t->u.s.ptr, i);
	}
	if (has_min && min == 0 && !obj_or_ext)
		nv_forbidden(c, NV_HPA, "spec.metrics", ms ? ms : spec,
		             "must specify at least one Object or External metric to support scaling to "
		             "zero replicas");
	const gr_value *b = gr_get(spec, "behavior");
	if (b && b->type == GR_OBJECT) {
		const gr_value *r = gr_get(b, "scaleUp");
		if (r && r->type == GR_OBJECT)
			rules_hpa(c, r, "spec.behavior.scaleUp");
		r = gr_get(b, "scaleDown");
		if (r && r->type == GR_OBJECT)
			rules_hpa(c, r, "spec.behavior.scaleDown");
	}
}

/* validateMetricTarget and what each source requires of its target
 * (validateResourceSource, validatePodsSource, validateObjectSource, ...),
 * for the source the metric's type names; the target type is not
 * cross-checked against the value given (the server does not either) */
static void metric_target(nv_ctx *c, const gr_value *m, const char *type, size_t i)
{
	static const struct {
		const char *type, *key;
	} srcs[] = {{"Resource", "resource"},
	            {"ContainerResource", "containerResource"},
	            {"Pods", "pods"},
	            {"Object", "object"},
	            {"External", "external"}};
	const char *key = NULL;
	for (size_t s = 0; s < sizeof srcs / sizeof srcs[0]; s++)
		if (strcmp(type, srcs[s].type) == 0)
			key = srcs[s].key;
	const gr_value *src = key ? gr_get(m, key) : NULL;
	if (!src || src->type != GR_OBJECT)
		return;
	const gr_value *tg = gr_get(src, "target");
	char p[200];
	const gr_value *tt = gr_get(tg, "type");
	const char *ts = tt && tt->type == GR_STRING ? tt->u.s.ptr : "";
	const gr_value *at = tg ? tg : src;
	snprintf(p, sizeof p, "spec.metrics[%zu].%s.target.type", i, key);
	if (!*ts)
		nv_required(c, NV_HPA, p, at, "must specify a metric target type");
	if (strcmp(ts, "Utilization") != 0 && strcmp(ts, "Value") != 0 && strcmp(ts, "AverageValue") != 0)
		nv_invalid_str(c, NV_HPA, p, at, ts, "must be either Utilization, Value, or AverageValue");
	const gr_value *val = gr_get(tg, "value"), *av = gr_get(tg, "averageValue"),
	               *au = gr_get(tg, "averageUtilization");
	long double q;
	int64_t n;
	if (nv_quantity(val, &q) && q <= 0) {
		snprintf(p, sizeof p, "spec.metrics[%zu].%s.target.value", i, key);
		nv_invalid(c, NV_HPA, p, val, "must be positive");
	}
	if (nv_quantity(av, &q) && q <= 0) {
		snprintf(p, sizeof p, "spec.metrics[%zu].%s.target.averageValue", i, key);
		nv_invalid(c, NV_HPA, p, av, "must be positive");
	}
	if (nv_int(au, &n) && n < 1) {
		snprintf(p, sizeof p, "spec.metrics[%zu].%s.target.averageUtilization", i, key);
		nv_invalid(c, NV_HPA, p, au, "must be greater than 0");
	}
	bool has_val = val && val->type != GR_NULL, has_av = av && av->type != GR_NULL,
	     has_au = au && au->type != GR_NULL;
	if (strcmp(key, "resource") == 0 || strcmp(key, "containerResource") == 0) {
		if (!has_au && !has_av) {
			snprintf(p, sizeof p, "spec.metrics[%zu].%s.target.averageUtilization", i, key);
			nv_required(c, NV_HPA, p, at,
			            "must set either a target raw value or a target utilization");
		} else if (has_au && has_av) {
			snprintf(p, sizeof p, "spec.metrics[%zu].%s.target.averageValue", i, key);
			nv_forbidden(c, NV_HPA, p, av,
			             "may not set both a target raw value and a target utilization");
		}
	} else if (strcmp(key, "pods") == 0 && !has_av) {
		snprintf(p, sizeof p, "spec.metrics[%zu].pods.target.averageValue", i);
		nv_required(c, NV_HPA, p, at, "must specify a positive target averageValue");
	} else if (strcmp(key, "object") == 0 && !has_val && !has_av) {
		snprintf(p, sizeof p, "spec.metrics[%zu].object.target.value", i);
		nv_required(c, NV_HPA, p, at, "must set either a target value or averageValue");
	} else if (strcmp(key, "external") == 0 && !has_val && !has_av) {
		snprintf(p, sizeof p, "spec.metrics[%zu].external.target.value", i);
		nv_required(c, NV_HPA, p, at,
		            "must set either a target value for metric or a per-pod target");
	}
}

void nv_check_policy_autoscaling(nv_ctx *c)
{
	if (strcmp(c->obj->group, "policy") == 0 && strcmp(c->obj->kind, "PodDisruptionBudget") == 0)
		pdb(c);
	else if (strcmp(c->obj->group, "autoscaling") == 0 &&
	         strcmp(c->obj->kind, "HorizontalPodAutoscaler") == 0)
		hpa(c);
}
