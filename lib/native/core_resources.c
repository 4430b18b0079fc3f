/*
 * core_resources.c — container resources (ValidateResourceRequirements)
 * and PersistentVolumeClaim requests and access modes
 * (ValidatePersistentVolumeClaimSpec): names, non-negative quantities,
 * requests within limits, extended resources whole and limited, hugepages
 * with cpu or memory, a positive storage request.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "native_int.h"

/* a Kubernetes quantity as a number; false when unparsable */
bool nv_quantity(const gr_value *v, long double *out)
{
	char buf[64];
	if (!v)
		return false;
	if (v->type == GR_INT) {
		*out = (long double)v->u.i;
		return true;
	}
	if (v->type == GR_DOUBLE) {
		*out = v->u.d;
		return true;
	}
	if (v->type != GR_STRING || v->u.s.len == 0 || v->u.s.len >= sizeof buf)
		return false;
	memcpy(buf, v->u.s.ptr, v->u.s.len);
	buf[v->u.s.len] = 0;
	char *end;
	long double x = strtold(buf, &end);
	if (end == buf)
		return false;
	static const struct {
		const char *s;
		long double m;
	} suf[] = {{"", 1},
	           {"n", 1e-9L},
	           {"u", 1e-6L},
	           {"m", 1e-3L},
	           {"k", 1e3L},
	           {"M", 1e6L},
	           {"G", 1e9L},
	           {"T", 1e12L},
	           {"P", 1e15L},
	           {"E", 1e18L},
	           {"Ki", 1024.0L},
	           {"Mi", 1048576.0L},
	           {"Gi", 1073741824.0L},
	           {"Ti", 1099511627776.0L},
	           {"Pi", 1125899906842624.0L},
	           {"Ei", 1152921504606846976.0L}};
	for (size_t i = 0; i < sizeof suf / sizeof suf[0]; i++)
		if (strcmp(end, suf[i].s) == 0) {
			*out = x * suf[i].m;
			return true;
		}
	return false;
}

static bool standard_container(const char *n)
{
	return strcmp(n, "cpu") == 0 || strcmp(n, "memory") == 0 || strcmp(n, "ephemeral-storage") == 0 ||
	       strncmp(n, "hugepages-", 10) == 0;
}

static bool extended(const char *n)
{
	return strchr(n, '/') && strncmp(n, "kubernetes.io/", 14) != 0 && strncmp(n, "requests.", 9) != 0;
}

void nv_check_resources(nv_ctx *c, const gr_value *res, const char *base)
{
	if (!res || res->type != GR_OBJECT)
		return;
	const gr_value *req = gr_get(res, "requests"), *lim = gr_get(res, "limits");
	const gr_value *maps[2] = {lim, req};
	const char *names[2] = {"limits", "requests"};
	char p[800];
	bool hugepages = false, cpu_or_mem = false;
	for (int k = 0; k < 2; k++) {
		const gr_value *m = maps[k];
		for (size_t i = 0; m && m->type == GR_OBJECT && i < m->u.o.len; i++) {
			const gr_member *mb = &m->u.o.members[i];
			snprintf(p, sizeof p, "%s.%s[%s]", base, names[k], mb->key);
			gr_value kv = {.type = GR_STRING};
			kv.u.s.ptr = mb->key;
			kv.u.s.len = mb->key_len;
			if (!strchr(mb->key, '/') && !standard_container(mb->key)) {
				nv_invalid(c, NV_RESOURCES, p, &kv,
				           "must be a standard resource type or fully qualified");
				nv_invalid(c, NV_RESOURCES, p, &kv,
				           "must be a standard resource for containers");
				continue;
			}
			if (strncmp(mb->key, "hugepages-", 10) == 0)
				hugepages = true;
			if (strcmp(mb->key, "cpu") == 0 || strcmp(mb->key, "memory") == 0)
				cpu_or_mem = true;
			long double q;
			if (!nv_quantity(&mb->value, &q))
				continue;
			if (q < 0)
				nv_invalid(c, NV_RESOURCES, p, &mb->value,
				           "must be greater than or equal to 0");
			else if (extended(mb->key) && !nv_whole(q))
				nv_invalid(c, NV_RESOURCES, p, &mb->value, "must be an integer");
		}
	}
	for (size_t i = 0; req && req->type == GR_OBJECT && i < req->u.o.len; i++) {
		const gr_member *mb = &req->u.o.members[i];
		const gr_value *l = lim && lim->type == GR_OBJECT ? gr_get(lim, mb->key) : NULL;
		if (!l) {
			if (extended(mb->key)) {
				snprintf(p, sizeof p, "%s.limits", base);
				nv_required(c, NV_RESOURCES, p, &mb->value,
				            "Limit must be set for non overcommitable resources");
			}
			continue;
		}
		long double rq, lq;
		if (nv_quantity(&mb->value, &rq) && nv_quantity(l, &lq) && rq > lq && lq >= 0 && rq >= 0) {
			char d[200];
			snprintf(d, sizeof d, "must be less than or equal to %s limit of %.*s", mb->key,
			         l->type == GR_STRING ? (int)l->u.s.len : 0,
			         l->type == GR_STRING ? l->u.s.ptr : "");
			snprintf(p, sizeof p, "%s.requests", base);
			nv_invalid(c, NV_RESOURCES, p, &mb->value, d);
		} else if (extended(mb->key) && nv_quantity(&mb->value, &rq) && nv_quantity(l, &lq) &&
		           rq != lq) {
			snprintf(p, sizeof p, "%s.requests[%s]", base, mb->key);
			nv_invalid(c, NV_RESOURCES, p, &mb->value,
			           "must be equal to "
			           "the limit");
		}
	}
	if (hugepages && !cpu_or_mem)
		nv_forbidden(c, NV_RESOURCES, base, res, "HugePages require cpu or memory");
}

void nv_check_pvc(nv_ctx *c)
{
	const gr_value *spec = gr_get(c->obj->root, "spec");
	if (!spec || spec->type != GR_OBJECT)
		return;
	const gr_value *am = gr_get(spec, "accessModes");
	static const char *const modes[] = {"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce",
	                                    "ReadWriteOncePod", NULL};
	if (!am || am->type != GR_ARRAY || am->u.a.len == 0)
		nv_required(c, NV_PVC, "spec.accessModes", spec, "at least 1 access mode is required");
	for (size_t i = 0; am && am->type == GR_ARRAY && i < am->u.a.len; i++) {
		const gr_value *m = &am->u.a.items[i];
		if (m->type == GR_STRING && !nv_in(m->u.s.ptr, modes))
			nv_not_supported(c, NV_PVC, "spec.accessModes", m, modes);
	}
	const gr_value *st = gr_get_path(spec, "resources", "requests", "storage", NULL);
	long double q;
	if (!st)
		nv_required(c, NV_PVC, "spec.resources[storage]", spec, NULL);
	else if (nv_quantity(st, &q) && q <= 0)
		nv_invalid(c, NV_PVC, "spec.resources[storage]", st, "must be greater than zero");
}
