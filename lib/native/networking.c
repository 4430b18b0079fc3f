/*
 * networking.c — networking.k8s.io/v1 (pkg/apis/networking/validation):
 * Ingress path types and paths, NetworkPolicy policy types.
 */
#include <stdio.h>
#include <string.h>

#include "native_int.h"

#define ARR(v)     ((v) && (v)->type == GR_ARRAY)
#define EACH(v, i) for (size_t i = 0; ARR(v) && i < (v)->u.a.len; i++)

static void check_ingress(nv_ctx *c)
{
	const gr_value *rules = gr_get_path(c->obj->root, "spec", "rules", NULL);
	static const char *const types[] = {"Exact", "ImplementationSpecific", "Prefix", NULL};
	EACH(rules, r)
	{
		const gr_value *paths = gr_get_path(&rules->u.a.items[r], "http", "paths", NULL);
		EACH(paths, i)
		{
			const gr_value *hp = &paths->u.a.items[i];
			char p[128];
			const gr_value *pt = gr_get(hp, "pathType");
			snprintf(p, sizeof p, "spec.rules[%zu].http.paths[%zu].pathType", r, i);
			if (!pt || pt->type != GR_STRING) {
				nv_required(c, NV_INGRESS_PATH_TYPE, p, hp, "pathType must be specified");
				continue;
			}
			if (!nv_in(pt->u.s.ptr, types)) {
				nv_not_supported(c, NV_INGRESS_PATH_TYPE, p, pt, types);
				continue;
			}
			const gr_value *path = gr_get(hp, "path");
			snprintf(p, sizeof p, "spec.rules[%zu].http.paths[%zu].path", r, i);
			const char *s = path && path->type == GR_STRING ? path->u.s.ptr : "";
			if (!path && strcmp(pt->u.s.ptr, "ImplementationSpecific") == 0)
				continue;
			if (s[0] != '/') {
				nv_invalid(c, NV_INGRESS_PATH, p, path, "must be an absolute path");
				continue;
			}
			if (strcmp(pt->u.s.ptr, "ImplementationSpecific") == 0)
				continue;
			static const char *const bad[] = {"//", "/./", "/../", "%2f", "%2F", NULL};
			for (int b = 0; bad[b]; b++)
				if (strstr(s, bad[b])) {
					char d[64];
					snprintf(d, sizeof d, "must not contain '%s'", bad[b]);
					nv_invalid(c, NV_INGRESS_PATH, p, path, d);
				}
			size_t n = strlen(s);
			if (n >= 2 && strcmp(s + n - 2, "/.") == 0)
				nv_invalid(c, NV_INGRESS_PATH, p, path, "must not end with '/.'");
			if (n >= 3 && strcmp(s + n - 3, "/..") == 0)
				nv_invalid(c, NV_INGRESS_PATH, p, path, "must not end with '/..'");
		}
	}
}

static void check_netpol(nv_ctx *c)
{
	const gr_value *pt = gr_get_path(c->obj->root, "spec", "policyTypes", NULL);
	static const char *const types[] = {"Ingress", "Egress", NULL};
	EACH(pt, i)
	{
		const gr_value *t = &pt->u.a.items[i];
		if (t->type == GR_STRING && !nv_in(t->u.s.ptr, types)) {
			char p[64];
			snprintf(p, sizeof p, "spec.policyTypes[%zu]", i);
			nv_not_supported(c, NV_NETPOL_POLICY_TYPES, p, t, types);
		}
	}
	if (ARR(pt) && pt->u.a.len > 2)
		nv_invalid(c, NV_NETPOL_POLICY_TYPES, "spec.policyTypes", pt,
		           "may not specify more than two policyTypes");
}

void nv_check_networking(nv_ctx *c)
{
	if (strcmp(c->obj->group, "networking.k8s.io") != 0)
		return;
	if (strcmp(c->obj->kind, "Ingress") == 0)
		check_ingress(c);
	else if (strcmp(c->obj->kind, "NetworkPolicy") == 0)
		check_netpol(c);
}
