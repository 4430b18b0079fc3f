/*
 * rbac.c — rbac.authorization.k8s.io/v1 (pkg/apis/rbac/validation): policy
 * rules of Roles and ClusterRoles, roleRef and subjects of bindings.
 * Names (path segments) are in meta.c.
 */
#include <stdio.h>
#include <string.h>

#include "native_int.h"

#define ARR(v)     ((v) && (v)->type == GR_ARRAY)
#define EACH(v, i) for (size_t i = 0; ARR(v) && i < (v)->u.a.len; i++)
#define RBAC       "rbac.authorization.k8s.io"

static bool nonempty(const gr_value *v)
{
	return ARR(v) && v->u.a.len;
}

static void rules(nv_ctx *c, bool namespaced)
{
	const gr_value *rs = gr_get(c->obj->root, "rules");
	EACH(rs, i)
	{
		const gr_value *r = &rs->u.a.items[i];
		char p[64];
		const gr_value *urls = gr_get(r, "nonResourceURLs");
		if (!nonempty(gr_get(r, "verbs"))) {
			snprintf(p, sizeof p, "rules[%zu].verbs", i);
			nv_required(c, NV_RBAC_RULE, p, r, "verbs must contain at least one value");
		}
		if (nonempty(urls)) {
			snprintf(p, sizeof p, "rules[%zu].nonResourceURLs", i);
			if (namespaced)
				nv_invalid(c, NV_RBAC_RULE, p, urls,
				           "namespaced rules cannot apply to non-resource URLs");
			else if (nonempty(gr_get(r, "apiGroups")) || nonempty(gr_get(r, "resources")) ||
			         nonempty(gr_get(r, "resourceNames")))
				nv_invalid(
				        c, NV_RBAC_RULE, p, urls,
				        "rules cannot apply to both regular resources and non-resource URLs");
			continue;
		}
		if (!nonempty(gr_get(r, "apiGroups"))) {
			snprintf(p, sizeof p, "rules[%zu].apiGroups", i);
			nv_required(c, NV_RBAC_RULE, p, r,
			            "resource rules must supply at least one api group");
		}
		if (!nonempty(gr_get(r, "resources"))) {
			snprintf(p, sizeof p, "rules[%zu].resources", i);
			nv_required(c, NV_RBAC_RULE, p, r,
			            "resource rules must supply at least one resource");
		}
	}
}

static void binding(nv_ctx *c, bool namespaced)
{
	const gr_value *ref = gr_get(c->obj->root, "roleRef");
	const gr_value *v = gr_get(ref, "apiGroup");
	static const char *const groups[] = {RBAC, NULL};
	if (v && v->type == GR_STRING && strcmp(v->u.s.ptr, RBAC) != 0)
		nv_not_supported(c, NV_RBAC_ROLE_REF, "roleRef.apiGroup", v, groups);
	static const char *const rb_kinds[] = {"Role", "ClusterRole", NULL};
	static const char *const crb_kinds[] = {"ClusterRole", NULL};
	const char *const *kinds = namespaced ? rb_kinds : crb_kinds;
	v = gr_get(ref, "kind");
	if (v && v->type == GR_STRING && !nv_in(v->u.s.ptr, kinds))
		nv_not_supported(c, NV_RBAC_ROLE_REF, "roleRef.kind", v, kinds);
	const char *name = nv_str(ref, "name");
	if (ref && (!name || !*name))
		nv_required(c, NV_RBAC_ROLE_REF, "roleRef.name", ref, NULL);
	const gr_value *subs = gr_get(c->obj->root, "subjects");
	EACH(subs, i)
	{
		const gr_value *s = &subs->u.a.items[i];
		const gr_value *kind = gr_get(s, "kind"), *ag = gr_get(s, "apiGroup");
		const char *k = kind && kind->type == GR_STRING ? kind->u.s.ptr : "";
		char p[64];
		if (strcmp(k, "ServiceAccount") == 0) {
			static const char *const empty[] = {"", NULL};
			if (ag && ag->type == GR_STRING && ag->u.s.len) {
				snprintf(p, sizeof p, "subjects[%zu].apiGroup", i);
				nv_not_supported(c, NV_RBAC_SUBJECT, p, ag, empty);
			}
			const gr_value *n = gr_get(s, "name");
			if (n && n->type == GR_STRING && n->u.s.len) {
				nv_msgs m = {0};
				nv_dns1123_subdomain(n->u.s.ptr, &m);
				snprintf(p, sizeof p, "subjects[%zu].name", i);
				for (int j = 0; j < m.n; j++)
					nv_invalid(c, NV_RBAC_SUBJECT, p, n, m.m[j]);
			}
			const char *ns = nv_str(s, "namespace");
			if (!namespaced && (!ns || !*ns)) {
				snprintf(p, sizeof p, "subjects[%zu].namespace", i);
				nv_required(c, NV_RBAC_SUBJECT, p, s, NULL);
			}
		} else if (strcmp(k, "User") == 0 || strcmp(k, "Group") == 0) {
			static const char *const rbac[] = {RBAC, NULL};
			if (ag && ag->type == GR_STRING && ag->u.s.len && strcmp(ag->u.s.ptr, RBAC) != 0) {
				snprintf(p, sizeof p, "subjects[%zu].apiGroup", i);
				nv_not_supported(c, NV_RBAC_SUBJECT, p, ag, rbac);
			}
		} else if (kind) {
			static const char *const sk[] = {"ServiceAccount", "User", "Group", NULL};
			snprintf(p, sizeof p, "subjects[%zu].kind", i);
			nv_not_supported(c, NV_RBAC_SUBJECT, p, kind, sk);
		}
	}
}

void nv_check_rbac(nv_ctx *c)
{
	if (strcmp(c->obj->group, RBAC) != 0)
		return;
	const char *k = c->obj->kind;
	if (strcmp(k, "Role") == 0)
		rules(c, true);
	else if (strcmp(k, "ClusterRole") == 0)
		rules(c, false);
	else if (strcmp(k, "RoleBinding") == 0)
		binding(c, true);
	else if (strcmp(k, "ClusterRoleBinding") == 0)
		binding(c, false);
}
