/*
 * core_quota.c — ResourceQuota (ValidateResourceQuota: resource names,
 * non-negative and integer quantities, scopes and the scope selector) and
 * LimitRange (ValidateLimitRange: limit types, per-type resource names,
 * min <= defaultRequest <= default <= max, maxLimitRequestRatio) from
 * pkg/apis/core/validation. Quantities are shown as written (the server
 * shows its canonical form, e.g. "1Gi" for "1024Mi").
 */
#include <stdio.h>
#include <string.h>

#include "native_int.h"

#define ARR(v)     ((v) && (v)->type == GR_ARRAY)
#define EACH(v, i) for (size_t i = 0; ARR(v) && i < (v)->u.a.len; i++)
#define STR(v)     ((v) && (v)->type == GR_STRING)

static const char *const standard_resources[] = {"cpu",
                                                 "memory",
                                                 "ephemeral-storage",
                                                 "requests.cpu",
                                                 "requests.memory",
                                                 "requests.ephemeral-storage",
                                                 "limits.cpu",
                                                 "limits.memory",
                                                 "limits.ephemeral-storage",
                                                 "pods",
                                                 "resourcequotas",
                                                 "services",
                                                 "replicationcontrollers",
                                                 "secrets",
                                                 "configmaps",
                                                 "persistentvolumeclaims",
                                                 "storage",
                                                 "requests.storage",
                                                 "services.nodeports",
                                                 "services.loadbalancers",
                                                 NULL};
static const char *const integer_resources[] = {
        "pods",       "resourcequotas",         "services",           "replicationcontrollers", "secrets",
        "configmaps", "persistentvolumeclaims", "services.nodeports", "services.loadbalancers", NULL};
static const char *const pod_compute[] = {"cpu",          "memory",          "limits.cpu", "limits.memory",
                                          "requests.cpu", "requests.memory", NULL};
static const char *const std_scopes[] = {"Terminating",
                                         "NotTerminating",
                                         "BestEffort",
                                         "NotBestEffort",
                                         "PriorityClass",
                                         "CrossNamespacePodAffinity",
                                         NULL};

static bool quota_hugepages(const char *n)
{
	return strncmp(n, "hugepages-", 10) == 0 || strncmp(n, "requests.hugepages-", 19) == 0;
}

static bool standard_quota(const char *n)
{
	return quota_hugepages(n) || (nv_in(n, standard_resources) && strcmp(n, "storage") != 0);
}

/* helper.IsExtendedResourceName */
static bool extended_name(const char *n)
{
	if (!strchr(n, '/') || strstr(n, "kubernetes.io/") || strncmp(n, "requests.", 9) == 0)
		return false;
	char q[400];
	snprintf(q, sizeof q, "requests.%s", n);
	nv_msgs m = {0};
	return nv_qualified_name(q, &m) == 0;
}

static gr_value key_value(const gr_member *mb)
{
	gr_value kv = {.type = GR_STRING, .line = mb->value.line, .column = mb->value.column};
	kv.u.s.ptr = mb->key;
	kv.u.s.len = mb->key_len;
	return kv;
}

/* validateResourceName; returns false when the name is not a qualified name */
static bool resource_name(nv_ctx *c, int rule, const gr_value *kv, const char *path)
{
	nv_msgs m = {0};
	nv_qualified_name(kv->u.s.ptr, &m);
	for (int j = 0; j < m.n; j++)
		nv_invalid(c, rule, path, kv, m.m[j]);
	if (m.n)
		return false;
	if (!strchr(kv->u.s.ptr, '/') && !nv_in(kv->u.s.ptr, standard_resources) &&
	    !quota_hugepages(kv->u.s.ptr))
		nv_invalid(c, rule, path, kv, "must be a standard resource type or fully qualified");
	return true;
}

/* the scopes a resource of hard may be limited by */
static bool scope_valid_for(const char *scope, const char *res)
{
	if (strcmp(scope, "BestEffort") == 0)
		return strcmp(res, "pods") == 0;
	if (nv_in(scope, std_scopes))
		return strcmp(res, "pods") == 0 || nv_in(res, pod_compute);
	return true;
}

static void check_quota(nv_ctx *c)
{
	const gr_value *spec = gr_get(c->obj->root, "spec");
	const gr_value *hard = gr_get(spec, "hard");
	char p[600];
	for (size_t i = 0; hard && hard->type == GR_OBJECT && i < hard->u.o.len; i++) {
		const gr_member *mb = &hard->u.o.members[i];
		gr_value kv = key_value(mb);
		snprintf(p, sizeof p, "spec.hard[%s]", mb->key);
		resource_name(c, NV_QUOTA, &kv, p);
		if (!strchr(mb->key, '/') && !standard_quota(mb->key))
			nv_invalid(c, NV_QUOTA, p, &kv, "must be a standard resource for quota");
		long double q;
		if (!nv_quantity(&mb->value, &q))
			continue;
		if (q < 0)
			nv_invalid(c, NV_QUOTA, p, &mb->value, "must be greater than or equal to 0");
		if ((nv_in(mb->key, integer_resources) || extended_name(mb->key)) && !nv_whole(q))
			nv_invalid(c, NV_QUOTA, p, &mb->value, "must be an integer");
	}
	/* validateResourceQuotaScopes */
	const gr_value *scopes = gr_get(spec, "scopes");
	bool be = false, nbe = false, term = false, nterm = false;
	EACH(scopes, i)
	{
		const gr_value *s = &scopes->u.a.items[i];
		if (!STR(s))
			continue;
		if (!nv_in(s->u.s.ptr, std_scopes))
			nv_invalid(c, NV_QUOTA, "spec.scopes", scopes, "unsupported scope");
		for (size_t k = 0; hard && hard->type == GR_OBJECT && k < hard->u.o.len; k++) {
			const char *r = hard->u.o.members[k].key;
			if (standard_quota(r) && !scope_valid_for(s->u.s.ptr, r))
				nv_invalid(c, NV_QUOTA, "spec.scopes", scopes,
				           "unsupported scope applied to resource");
		}
		be |= strcmp(s->u.s.ptr, "BestEffort") == 0;
		nbe |= strcmp(s->u.s.ptr, "NotBestEffort") == 0;
		term |= strcmp(s->u.s.ptr, "Terminating") == 0;
		nterm |= strcmp(s->u.s.ptr, "NotTerminating") == 0;
	}
	if (be && nbe)
		nv_invalid(c, NV_QUOTA, "spec.scopes", scopes, "conflicting scopes");
	if (term && nterm)
		nv_invalid(c, NV_QUOTA, "spec.scopes", scopes, "conflicting scopes");
	/* validateScopedResourceSelectorRequirement: the paths carry no index */
	const gr_value *ss = gr_get(spec, "scopeSelector");
	if (!ss || ss->type != GR_OBJECT)
		return;
	const char *mp = "spec.scopeSelector.matchExpressions";
	const gr_value *me = gr_get(ss, "matchExpressions");
	be = nbe = term = nterm = false;
	EACH(me, i)
	{
		const gr_value *e = &me->u.a.items[i];
		const gr_value *sn = gr_get(e, "scopeName"), *op = gr_get(e, "operator"),
		               *vals = gr_get(e, "values");
		const char *scope = STR(sn) ? sn->u.s.ptr : "";
		const char *o = STR(op) ? op->u.s.ptr : "";
		if (!nv_in(scope, std_scopes))
			nv_invalid(c, NV_QUOTA, "spec.scopeSelector.matchExpressions.scopeName", sn ? sn : e,
			           "unsupported scope");
		for (size_t k = 0; hard && hard->type == GR_OBJECT && k < hard->u.o.len; k++) {
			const char *r = hard->u.o.members[k].key;
			if (standard_quota(r) && !scope_valid_for(scope, r))
				nv_invalid(c, NV_QUOTA, mp, ss, "unsupported scope applied to resource");
		}
		static const char *const exists_only[] = {"BestEffort",
		                                          "NotBestEffort",
		                                          "Terminating",
		                                          "NotTerminating",
		                                          "CrossNamespacePodAffinity",
		                                          NULL};
		if (nv_in(scope, exists_only) && strcmp(o, "Exists") != 0)
			nv_invalid(c, NV_QUOTA, "spec.scopeSelector.matchExpressions.operator", op ? op : e,
			           "must be 'Exist' when scope is any of ResourceQuotaScopeTerminating, "
			           "ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, "
			           "ResourceQuotaScopeNotBestEffort or "
			           "ResourceQuotaScopeCrossNamespacePodAffinity");
		size_t nv = ARR(vals) ? vals->u.a.len : 0;
		if (strcmp(o, "In") == 0 || strcmp(o, "NotIn") == 0) {
			if (!nv)
				nv_required(c, NV_QUOTA, "spec.scopeSelector.matchExpressions.values", e,
				            "must be at least one value when `operator` is 'In' or 'NotIn' "
				            "for scope "
				            "selector");
		} else if (strcmp(o, "Exists") == 0 || strcmp(o, "DoesNotExist") == 0) {
			if (nv)
				nv_invalid(c, NV_QUOTA, "spec.scopeSelector.matchExpressions.values", vals,
				           "must be no value when `operator` is 'Exist' or 'DoesNotExist' "
				           "for scope "
				           "selector");
		} else
			nv_invalid(c, NV_QUOTA, "spec.scopeSelector.matchExpressions.operator", op ? op : e,
			           "not a valid selector operator");
		be |= strcmp(scope, "BestEffort") == 0;
		nbe |= strcmp(scope, "NotBestEffort") == 0;
		term |= strcmp(scope, "Terminating") == 0;
		nterm |= strcmp(scope, "NotTerminating") == 0;
	}
	if (be && nbe)
		nv_invalid(c, NV_QUOTA, mp, ss, "conflicting scopes");
	if (term && nterm)
		nv_invalid(c, NV_QUOTA, mp, ss, "conflicting scopes");
}

/* validateLimitRangeResourceName: containers' names for Pod and Container */
static void limit_resource_name(nv_ctx *c, const char *type, const gr_member *mb, const char *path)
{
	gr_value kv = key_value(mb);
	bool container = strcmp(type, "Pod") == 0 || strcmp(type, "Container") == 0;
	if (!resource_name(c, NV_LIMITRANGE, &kv, path) || !container)
		return;
	if (!strchr(mb->key, '/')) {
		bool std = strcmp(mb->key, "cpu") == 0 || strcmp(mb->key, "memory") == 0 ||
		           strcmp(mb->key, "ephemeral-storage") == 0 ||
		           strncmp(mb->key, "hugepages-", 10) == 0;
		if (!std)
			nv_invalid(c, NV_LIMITRANGE, path, &kv, "must be a standard resource for containers");
	} else if (!strstr(mb->key, "kubernetes.io/") && !extended_name(mb->key))
		nv_invalid(c, NV_LIMITRANGE, path, &kv, "doesn't follow extended resource name standard");
}

static const gr_value *qget(const gr_value *m, const char *k)
{
	return m && m->type == GR_OBJECT ? gr_get(m, k) : NULL;
}

static const char *qtext(const gr_value *v, char *buf, size_t n)
{
	if (STR(v))
		snprintf(buf, n, "%.*s", (int)v->u.s.len, v->u.s.ptr);
	else if (v && v->type == GR_INT)
		snprintf(buf, n, "%lld", (long long)v->u.i);
	else if (v && v->type == GR_DOUBLE)
		snprintf(buf, n, "%g", v->u.d);
	else
		snprintf(buf, n, "?");
	return buf;
}

/* the comparisons of one resource key of one limit */
static void limit_key(nv_ctx *c, const gr_value *l, const char *k, const char *base)
{
	const gr_value *mn = qget(gr_get(l, "min"), k), *mx = qget(gr_get(l, "max"), k);
	const gr_value *df = qget(gr_get(l, "default"), k), *dr = qget(gr_get(l, "defaultRequest"), k);
	const gr_value *ratio = qget(gr_get(l, "maxLimitRequestRatio"), k);
	const char *type = nv_str(l, "type");
	if (type && strcmp(type, "Pod") == 0)
		df = dr = NULL; /* forbidden, reported once, not compared */
	long double vmin = 0, vmax = 0, vdef = 0, vreq = 0, vratio = 0;
	bool hmin = nv_quantity(mn, &vmin), hmax = nv_quantity(mx, &vmax), hdef = nv_quantity(df, &vdef);
	bool hreq = nv_quantity(dr, &vreq), hratio = nv_quantity(ratio, &vratio);
	char p[700], d[400], a[64], b[64];
	if (hmin && hmax && vmin > vmax) {
		snprintf(p, sizeof p, "%s.min[%s]", base, k);
		snprintf(d, sizeof d, "min value %s is greater than max value %s", qtext(mn, a, sizeof a),
		         qtext(mx, b, sizeof b));
		nv_invalid(c, NV_LIMITRANGE, p, mn, d);
	}
	snprintf(p, sizeof p, "%s.defaultRequest[%s]", base, k);
	if (hreq && hmin && vmin > vreq) {
		snprintf(d, sizeof d, "min value %s is greater than default request value %s",
		         qtext(mn, a, sizeof a), qtext(dr, b, sizeof b));
		nv_invalid(c, NV_LIMITRANGE, p, dr, d);
	}
	if (hreq && hmax && vreq > vmax) {
		snprintf(d, sizeof d, "default request value %s is greater than max value %s",
		         qtext(dr, a, sizeof a), qtext(mx, b, sizeof b));
		nv_invalid(c, NV_LIMITRANGE, p, dr, d);
	}
	if (hreq && hdef && vreq > vdef) {
		snprintf(d, sizeof d, "default request value %s is greater than default limit value %s",
		         qtext(dr, a, sizeof a), qtext(df, b, sizeof b));
		nv_invalid(c, NV_LIMITRANGE, p, dr, d);
	}
	snprintf(p, sizeof p, "%s.default[%s]", base, k);
	if (hdef && hmin && vmin > vdef) {
		snprintf(d, sizeof d, "min value %s is greater than default value %s", qtext(mn, a, sizeof a),
		         qtext(df, b, sizeof b));
		nv_invalid(c, NV_LIMITRANGE, p, mn, d);
	}
	if (hdef && hmax && vdef > vmax) {
		snprintf(d, sizeof d, "default value %s is greater than max value %s", qtext(df, a, sizeof a),
		         qtext(mx, b, sizeof b));
		nv_invalid(c, NV_LIMITRANGE, p, mx, d);
	}
	snprintf(p, sizeof p, "%s.maxLimitRequestRatio[%s]", base, k);
	if (hratio && vratio < 1) {
		snprintf(d, sizeof d, "ratio %s is less than 1", qtext(ratio, a, sizeof a));
		nv_invalid(c, NV_LIMITRANGE, p, ratio, d);
	}
	if (hratio && hmin && hmax && vmin != 0) {
		long double lim = vmax / vmin;
		if (vratio > lim) {
			snprintf(d, sizeof d, "ratio %s is greater than max/min = %f",
			         qtext(ratio, a, sizeof a), (double)lim);
			nv_invalid(c, NV_LIMITRANGE, p, ratio, d);
		}
	}
	/* resources that cannot be overcommitted: default == defaultRequest */
	bool overcommit = !(strncmp(k, "hugepages-", 10) == 0 || extended_name(k));
	if (!overcommit && hdef && hreq && vdef != vreq) {
		snprintf(p, sizeof p, "%s.defaultRequest[%s]", base, k);
		snprintf(d, sizeof d, "default value %s must equal to defaultRequest value %s in %s",
		         qtext(df, a, sizeof a), qtext(dr, b, sizeof b), k);
		nv_invalid(c, NV_LIMITRANGE, p, dr, d);
	}
}

static void check_limit_range(nv_ctx *c)
{
	const gr_value *limits = gr_get_path(c->obj->root, "spec", "limits", NULL);
	static const char *const maps[] = {"max", "min", "default", "defaultRequest", "maxLimitRequestRatio"};
	EACH(limits, i)
	{
		const gr_value *l = &limits->u.a.items[i];
		char base[64], p[700];
		snprintf(base, sizeof base, "spec.limits[%zu]", i);
		const gr_value *tv = gr_get(l, "type");
		const char *type = STR(tv) ? tv->u.s.ptr : "";
		snprintf(p, sizeof p, "%s.type", base);
		nv_msgs m = {0};
		nv_qualified_name(type, &m);
		for (int j = 0; j < m.n; j++)
			nv_invalid_str(c, NV_LIMITRANGE, p, tv ? tv : l, type, m.m[j]);
		static const char *const types[] = {"Pod", "Container", "PersistentVolumeClaim", NULL};
		if (!m.n && !strchr(type, '/') && !nv_in(type, types))
			nv_invalid_str(c, NV_LIMITRANGE, p, tv ? tv : l, type,
			               "must be a standard limit type or fully qualified");
		for (size_t j = 0; j < i; j++) {
			const char *o = nv_str(&limits->u.a.items[j], "type");
			if (strcmp(o ? o : "", type) == 0) {
				nv_duplicate(c, NV_LIMITRANGE, p, tv ? tv : l);
				break;
			}
		}
		bool pod = strcmp(type, "Pod") == 0;
		for (int k = 0; k < 5; k++) {
			const gr_value *mp = gr_get(l, maps[k]);
			if (!mp || mp->type != GR_OBJECT)
				continue;
			if (pod && (k == 2 || k == 3)) {
				if (mp->u.o.len) {
					snprintf(p, sizeof p, "%s.%s", base, maps[k]);
					nv_forbidden(c, NV_LIMITRANGE, p, mp,
					             "may not be specified when `type` is 'Pod'");
				}
				continue;
			}
			for (size_t j = 0; j < mp->u.o.len; j++) {
				snprintf(p, sizeof p, "%s.%s[%s]", base, maps[k], mp->u.o.members[j].key);
				limit_resource_name(c, type, &mp->u.o.members[j], p);
			}
		}
		if (strcmp(type, "PersistentVolumeClaim") == 0 && !qget(gr_get(l, "min"), "storage") &&
		    !qget(gr_get(l, "max"), "storage")) {
			snprintf(p, sizeof p, "%s.limits", base);
			nv_required(c, NV_LIMITRANGE, p, l,
			            "either minimum or maximum storage value is required, but neither was "
			            "provided");
		}
		/* every key named in any of the maps, once */
		for (int k = 0; k < 5; k++) {
			const gr_value *mp = gr_get(l, maps[k]);
			if (!mp || mp->type != GR_OBJECT || (pod && (k == 2 || k == 3)))
				continue;
			for (size_t j = 0; j < mp->u.o.len; j++) {
				const char *key = mp->u.o.members[j].key;
				bool seen = false;
				for (int e = 0; e < k && !seen; e++)
					seen = !(pod && (e == 2 || e == 3)) && qget(gr_get(l, maps[e]), key);
				if (!seen)
					limit_key(c, l, key, base);
			}
		}
	}
}

void nv_check_quota(nv_ctx *c)
{
	if (*c->obj->group)
		return;
	if (strcmp(c->obj->kind, "ResourceQuota") == 0)
		check_quota(c);
	else if (strcmp(c->obj->kind, "LimitRange") == 0)
		check_limit_range(c);
}
