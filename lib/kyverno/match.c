/*
 * match.c — does a rule apply to a resource: `match` and `exclude` in both
 * forms (any/all filters and the legacy `resources` block), as Kyverno's
 * pkg/engine/utils/match.go decides it.
 *
 * Kinds are matched on group/version/kind/subresource with wildcards;
 * names and namespaces with Kyverno's wildcard (`*`, `?`, nothing else);
 * label selectors as apimachinery does. Without user information (the
 * offline case) the user parts of match filters are ignored and exclude
 * filters that need them never match, as the Kyverno CLI does.
 */
#include <stdio.h>
#include <string.h>

#include "../internal.h"
#include "kyverno_int.h"

/* Kyverno's wildcard: `*` any run (possibly empty), `?` one byte. */
bool ky_wildcard(const char *pat, size_t plen, const char *s, size_t slen)
{
	size_t p = 0, i = 0, star_p = (size_t)-1, star_i = 0;
	while (i < slen) {
		if (p < plen && (pat[p] == '?' || pat[p] == s[i])) {
			p++;
			i++;
		} else if (p < plen && pat[p] == '*') {
			star_p = p++;
			star_i = i;
		} else if (star_p != (size_t)-1) {
			p = star_p + 1;
			i = ++star_i;
		} else {
			return false;
		}
	}
	while (p < plen && pat[p] == '*')
		p++;
	return p == plen;
}

static bool str_in_wild(const ky_strs *list, const char *s)
{
	for (size_t i = 0; i < list->n; i++)
		if (ky_wildcard_z(list->v[i], s))
			return true;
	return false;
}

static bool kind_matches(const ky_kind *k, const char *group, const char *version, const char *kind)
{
	if (k->kind_wild ? !ky_wildcard_z(k->kind, kind) : strcmp(k->kind, kind) != 0)
		return false;
	if (k->group && !ky_wildcard_z(k->group, group))
		return false;
	if (k->version && !ky_wildcard_z(k->version, version))
		return false;
	/* offline requests have no subresource */
	return ky_wildcard_z(k->sub ? k->sub : "", "");
}

static bool expr_matches(const gr_value *e, const gr_value *labels)
{
	const char *key = gr_get_str(e, "key");
	const char *op = gr_get_str(e, "operator");
	const gr_value *vals = gr_get(e, "values");
	if (!key || !op)
		return false;
	const gr_value *lv = labels ? gr_get(labels, key) : NULL;
	const char *have = lv && lv->type == GR_STRING ? lv->u.s.ptr : NULL;
	bool in = false;
	if (have && vals && vals->type == GR_ARRAY)
		for (size_t i = 0; i < vals->u.a.len; i++)
			if (vals->u.a.items[i].type == GR_STRING &&
			    strcmp(vals->u.a.items[i].u.s.ptr, have) == 0)
				in = true;
	if (strcmp(op, "In") == 0)
		return have && in;
	if (strcmp(op, "NotIn") == 0)
		return !have || !in;
	if (strcmp(op, "Exists") == 0)
		return lv != NULL;
	if (strcmp(op, "DoesNotExist") == 0)
		return lv == NULL;
	return false;
}

bool ky_selector_matches(const gr_value *sel, const gr_value *labels)
{
	if (!sel || sel->type != GR_OBJECT)
		return false;
	const gr_value *ml = gr_get(sel, "matchLabels");
	if (ml && ml->type == GR_OBJECT) {
		for (size_t i = 0; i < ml->u.o.len; i++) {
			const gr_member *m = &ml->u.o.members[i];
			const char *want = m->value.type == GR_STRING ? m->value.u.s.ptr : "";
			bool wild = strpbrk(m->key, "*?") != NULL;
			bool found = false;
			if (labels && labels->type == GR_OBJECT) {
				for (size_t j = 0; j < labels->u.o.len && !found; j++) {
					const gr_member *l = &labels->u.o.members[j];
					if (l->value.type != GR_STRING)
						continue;
					bool km = wild ? ky_wildcard_z(m->key, l->key)
					               : strcmp(m->key, l->key) == 0;
					if (!km)
						continue;
					/* wildcards are replaced by the first matching label */
					found = strpbrk(want, "*?") ? ky_wildcard_z(want, l->value.u.s.ptr)
					                            : strcmp(want, l->value.u.s.ptr) == 0;
					if (wild)
						break;
				}
			}
			if (!found)
				return false;
		}
	}
	const gr_value *me = gr_get(sel, "matchExpressions");
	if (me && me->type == GR_ARRAY)
		for (size_t i = 0; i < me->u.a.len; i++)
			if (!expr_matches(&me->u.a.items[i], labels))
				return false;
	return true;
}

static bool annotations_match(const gr_value *want, const gr_value *have)
{
	for (size_t i = 0; i < want->u.o.len; i++) {
		const gr_member *w = &want->u.o.members[i];
		const char *wv = w->value.type == GR_STRING ? w->value.u.s.ptr : "";
		bool found = false;
		if (have && have->type == GR_OBJECT)
			for (size_t j = 0; j < have->u.o.len && !found; j++) {
				const gr_member *h = &have->u.o.members[j];
				found = h->value.type == GR_STRING && ky_wildcard_z(w->key, h->key) &&
				        ky_wildcard_z(wv, h->value.u.s.ptr);
			}
		if (!found)
			return false;
	}
	return true;
}

static const char *str_at(const gr_value *v, const char *a, const char *b)
{
	const gr_value *x = gr_get(v, a);
	if (b)
		x = gr_get(x, b);
	return x && x->type == GR_STRING ? x->u.s.ptr : "";
}

static bool userinfo_matches(ky_eval *ev, const ky_filter *f)
{
	const gr_kyverno_userinfo *ui = ev->req->userinfo;
	const char *username = ui ? str_at(ui->user_info, "username", NULL) : "";
	const gr_value *groups = ui ? gr_get(ui->user_info, "groups") : NULL;
	bool any_set = false;
	if ((f->roles.n || f->cluster_roles.n) && ui && !ui->roles && !ui->cluster_roles &&
	    ev->req->admission) {
		/* the requester's roles come from RBAC, which the webhook cannot read */
		ev->unknown = true;
		ev->unknown_why = "match or exclude by roles or clusterRoles: the requester's roles are "
		                  "not known at admission";
		return false;
	}
	if (f->roles.n) {
		any_set = true;
		bool ok = false;
		for (size_t i = 0; ui && ui->roles && i < ui->roles->u.a.len && !ok; i++)
			for (size_t j = 0; j < f->roles.n && !ok; j++)
				ok = ui->roles->u.a.items[i].type == GR_STRING &&
				     strcmp(ui->roles->u.a.items[i].u.s.ptr, f->roles.v[j]) == 0;
		if (!ok)
			return false;
	}
	if (f->cluster_roles.n) {
		any_set = true;
		bool ok = false;
		for (size_t i = 0; ui && ui->cluster_roles && i < ui->cluster_roles->u.a.len && !ok; i++)
			for (size_t j = 0; j < f->cluster_roles.n && !ok; j++)
				ok = ui->cluster_roles->u.a.items[i].type == GR_STRING &&
				     strcmp(ui->cluster_roles->u.a.items[i].u.s.ptr, f->cluster_roles.v[j]) ==
				             0;
		if (!ok)
			return false;
	}
	if (f->subjects && f->subjects->type == GR_ARRAY && f->subjects->u.a.len) {
		any_set = true;
		bool ok = false;
		for (size_t i = 0; i < f->subjects->u.a.len && !ok; i++) {
			const gr_value *s = &f->subjects->u.a.items[i];
			const char *kind = str_at(s, "kind", NULL), *name = str_at(s, "name", NULL);
			if (strcmp(kind, "ServiceAccount") == 0) {
				char buf[512];
				snprintf(buf, sizeof buf, "system:serviceaccount:%s:%s",
				         str_at(s, "namespace", NULL), name);
				ok = ky_wildcard_z(buf, username);
			} else if (strcmp(kind, "User") == 0) {
				ok = ky_wildcard_z(name, username);
			} else if (strcmp(kind, "Group") == 0) {
				for (size_t g = 0;
				     groups && groups->type == GR_ARRAY && g < groups->u.a.len && !ok; g++)
					ok = groups->u.a.items[g].type == GR_STRING &&
					     ky_wildcard_z(name, groups->u.a.items[g].u.s.ptr);
			}
		}
		if (!ok)
			return false;
	}
	return any_set;
}

/* A selector with no requirement (it matches every label set). */
static bool selector_empty(const gr_value *sel)
{
	const gr_value *ml = gr_get(sel, "matchLabels"), *me = gr_get(sel, "matchExpressions");
	return (!ml || ml->type != GR_OBJECT || !ml->u.o.len) &&
	       (!me || me->type != GR_ARRAY || !me->u.a.len);
}

static bool resources_match(ky_eval *ev, const ky_filter *f)
{
	const gr_value *obj = ev->object;
	const char *kind = ev->r_kind, *group = ev->r_group, *version = ev->r_version;
	if (f->nkinds) {
		bool ok = false;
		for (size_t i = 0; i < f->nkinds && !ok; i++)
			ok = kind_matches(&f->kinds[i], group, version, kind);
		if (!ok)
			return false;
	}
	const char *name = ev->r_name;
	if (f->names.n && !str_in_wild(&f->names, name))
		return false;
	if (f->namespaces.n) {
		const char *ns = strcmp(kind, "Namespace") == 0 ? name : ev->ns;
		if (!str_in_wild(&f->namespaces, ns ? ns : ""))
			return false;
	}
	if (f->annotations && f->annotations->type == GR_OBJECT &&
	    !annotations_match(f->annotations, gr_get_path(obj, "metadata", "annotations", NULL)))
		return false;
	if (f->selector && !ky_selector_matches(f->selector, gr_get_path(obj, "metadata", "labels", NULL)))
		return false;
	if (f->ns_selector) {
		if (strcmp(kind, "Namespace") == 0)
			return false;
		const gr_value *labels = NULL;
		if (ev->req->namespace_labels && ev->ns)
			labels = ev->req->namespace_labels(ev->req->user, ev->ns);
		if (!labels && ev->req->count_unknown && ev->ns && ev->ns[0] &&
		    !selector_empty(f->ns_selector)) {
			/* a Namespace not among the inputs (the policy files, in the
			 * webhook): its labels are not known */
			ev->unknown = true;
			ev->unknown_why =
			        ev->req->admission
			                ? "namespaceSelector: the namespace's labels are not known at "
			                  "admission (give its Namespace object among the policy files)"
			                : "namespaceSelector: the namespace's labels are not known (its "
			                  "Namespace object is not among the inputs)";
			return false;
		}
		if (!ky_selector_matches(f->ns_selector, labels))
			return false;
	}
	if (f->operations.n) {
		bool ok = false;
		for (size_t i = 0; i < f->operations.n && !ok; i++)
			ok = strcmp(f->operations.v[i], ev->operation) == 0;
		if (!ok)
			return false;
	}
	return true;
}

/* One filter: every specified part must hold. `exclude` changes how user
 * parts behave when no user information is known. */
static bool filter_matches(ky_eval *ev, const ky_filter *f, bool exclude)
{
	bool have_ui = ev->req->userinfo != NULL;
	if (!f->has_resources && !f->has_userinfo)
		return false; /* "match cannot be empty" */
	if (f->has_userinfo && !have_ui) {
		if (exclude)
			return false;
		if (!f->has_resources)
			return false;
		return resources_match(ev, f);
	}
	if (f->has_resources && !resources_match(ev, f))
		return false;
	if (f->has_userinfo && !userinfo_matches(ev, f))
		return false;
	return true;
}

static bool block_matches(ky_eval *ev, const ky_match *m, bool exclude)
{
	if (m->nany) {
		for (size_t i = 0; i < m->nany; i++)
			if (filter_matches(ev, &m->any[i], exclude))
				return true;
		return false;
	}
	if (m->nall) {
		for (size_t i = 0; i < m->nall; i++)
			if (!filter_matches(ev, &m->all[i], exclude))
				return false;
		return true;
	}
	if (m->has_legacy)
		return filter_matches(ev, &m->legacy, exclude);
	return false;
}

uint64_t ky_kind_hash(const char *kind)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *kind; kind++) {
		h ^= (unsigned char)*kind;
		h *= 1099511628211ULL;
	}
	return h;
}

static void add_filter_kinds(const ky_filter *f, uint64_t *out, size_t *n, bool *any)
{
	if (!f->nkinds) {
		*any = true;
		return;
	}
	for (size_t i = 0; i < f->nkinds; i++) {
		if (f->kinds[i].kind_wild) {
			*any = true;
			return;
		}
		out[(*n)++] = ky_kind_hash(f->kinds[i].kind);
	}
}

void ky_rule_kind_filter(gr_arena *a, ky_rule *r)
{
	const ky_match *m = &r->match;
	size_t cap = 0;
	for (size_t i = 0; i < m->nany; i++)
		cap += m->any[i].nkinds;
	for (size_t i = 0; i < m->nall; i++)
		cap += m->all[i].nkinds;
	if (m->has_legacy)
		cap += m->legacy.nkinds;
	r->kind_hashes = gr_arena_alloc(a, (cap + 1) * sizeof(uint64_t));
	r->nkind_hashes = 0;
	r->any_kind = !r->kind_hashes;
	for (size_t i = 0; i < m->nany && !r->any_kind; i++)
		add_filter_kinds(&m->any[i], r->kind_hashes, &r->nkind_hashes, &r->any_kind);
	for (size_t i = 0; i < m->nall && !r->any_kind; i++)
		add_filter_kinds(&m->all[i], r->kind_hashes, &r->nkind_hashes, &r->any_kind);
	if (m->has_legacy && !r->any_kind)
		add_filter_kinds(&m->legacy, r->kind_hashes, &r->nkind_hashes, &r->any_kind);
}

void ky_match_prepare(ky_eval *ev)
{
	const gr_value *obj = ev->object;
	const char *api = str_at(obj, "apiVersion", NULL);
	ev->r_kind = str_at(obj, "kind", NULL);
	ev->r_group = "";
	ev->r_version = api;
	const char *slash = strchr(api, '/');
	if (slash) {
		size_t gl = (size_t)(slash - api);
		if (gl >= sizeof ev->group_buf)
			gl = sizeof ev->group_buf - 1;
		memcpy(ev->group_buf, api, gl);
		ev->group_buf[gl] = '\0';
		ev->r_group = ev->group_buf;
		ev->r_version = slash + 1;
	}
	ev->r_kind_hash = ky_kind_hash(ev->r_kind);
	ev->r_name = str_at(obj, "metadata", "name");
	if (!ev->r_name[0])
		ev->r_name = str_at(obj, "metadata", "generateName");
}

bool ky_set_may_match_kind(const gr_kyverno_set *set, const char *kind)
{
	uint64_t h = ky_kind_hash(kind);
	for (size_t i = 0; i < set->npolicies; i++)
		for (size_t j = 0; j < set->policies[i].nrules; j++) {
			const ky_rule *r = &set->policies[i].rules[j];
			if (r->any_kind)
				return true;
			for (size_t k = 0; k < r->nkind_hashes; k++)
				if (r->kind_hashes[k] == h)
					return true;
		}
	return false;
}

bool ky_rule_matches(ky_eval *ev, const ky_policy *p, const ky_rule *r)
{
	ev->unknown = ev->rule_unknown = false;
	if (!r->any_kind) {
		size_t i = 0;
		while (i < r->nkind_hashes && r->kind_hashes[i] != ev->r_kind_hash)
			i++;
		if (i == r->nkind_hashes)
			return false; /* no filter names this kind */
	}
	if (p->namespace_ && (!ev->ns || strcmp(p->namespace_, ev->ns) != 0))
		return false;
	if (!block_matches(ev, &r->match, false)) {
		ev->rule_unknown = ev->unknown; /* it might have matched */
		return false;
	}
	ev->unknown = false;
	if (r->exclude.present && block_matches(ev, &r->exclude, true))
		return false;
	if (ev->unknown) { /* it might have been excluded */
		ev->rule_unknown = true;
		return false;
	}
	return true;
}

bool ky_is_cluster_scoped(const char *kind)
{
	return gri_kind_cluster_scoped(kind);
}
