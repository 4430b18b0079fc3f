/*
 * rbac.c — Kubernetes' RBAC authorizer over Role, ClusterRole, RoleBinding
 * and ClusterRoleBinding objects (plugin/pkg/auth/authorizer/rbac and the
 * rule resolver of pkg/registry/rbac/validation, re-read, not copied).
 *
 * A request is allowed when a rule reached through a binding that applies
 * to the user allows it: ClusterRoleBindings first, in the order given,
 * then the RoleBindings of the request's namespace. A rule allows when the
 * verb, the API group, the resource ("pods", "pods/log", "*", "*\/scale"),
 * the resource name (none listed: any) match — or, for a non-resource
 * request, the verb and the URL ("/healthz", a prefix ending in "*", or "*"). Otherwise
 * RBAC has no opinion, and its reason lists the roles it could not find.
 *
 * The trick: a ClusterRole with an aggregationRule has the rules of every
 * ClusterRole its selectors match (the aggregation controller's result),
 * computed once, to a fixed point, before the first decision.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "guardrail/authz.h"

typedef struct rbac_role {
	const char *name, *namespace_; /* namespace "" for a ClusterRole */
	const gr_value *labels;
	const gr_value *selectors; /* aggregationRule.clusterRoleSelectors, or NULL */
	bool aggregated;           /* has an aggregationRule: its rules are the selected roles' */
	const gr_value **rules;    /* the PolicyRules in effect */
	size_t nrules;
	bool cluster;
} rbac_role;

typedef struct rbac_binding {
	const char *name, *namespace_;
	const char *ref_kind, *ref_name;
	const gr_value *subjects;
	bool cluster;
} rbac_binding;

struct gr_rbac {
	rbac_role *roles;
	size_t nroles, caproles;
	rbac_binding *bindings;
	size_t nbindings, capbindings;
	bool finished;
};

static const char *str_or_empty(const gr_value *v, const char *key)
{
	const char *s = gr_get_str(v, key);
	return s ? s : "";
}

gr_rbac *gr_rbac_new(void)
{
	return calloc(1, sizeof(gr_rbac));
}

void gr_rbac_free(gr_rbac *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nroles; i++)
		free(r->roles[i].rules);
	free(r->roles);
	free(r->bindings);
	free(r);
}

size_t gr_rbac_count(const gr_rbac *r)
{
	return r ? r->nroles + r->nbindings : 0;
}

static int rules_of(rbac_role *role, const gr_value *rules)
{
	role->nrules = 0;
	role->rules = NULL;
	if (!gr_is(rules, GR_ARRAY) || !rules->u.a.len)
		return 0;
	role->rules = malloc(rules->u.a.len * sizeof *role->rules);
	if (!role->rules)
		return -1;
	for (size_t i = 0; i < rules->u.a.len; i++)
		if (gr_is(&rules->u.a.items[i], GR_OBJECT))
			role->rules[role->nrules++] = &rules->u.a.items[i];
	return 0;
}

int gr_rbac_add(gr_rbac *r, const gr_value *obj, gr_error *err)
{
	const char *av = gr_get_str(obj, "apiVersion"), *kind = gr_get_str(obj, "kind");
	if (!av || !kind || strncmp(av, "rbac.authorization.k8s.io/", 26) != 0)
		return 0;
	const gr_value *md = gr_get(obj, "metadata");
	bool role = !strcmp(kind, "Role"), crole = !strcmp(kind, "ClusterRole");
	bool binding = !strcmp(kind, "RoleBinding"), cbinding = !strcmp(kind, "ClusterRoleBinding");
	if (role || crole) {
		if (r->nroles == r->caproles) {
			size_t nc = r->caproles ? r->caproles * 2 : 16;
			rbac_role *g = realloc(r->roles, nc * sizeof *g);
			if (!g)
				return gr_error_set(err, 0, 0, "out of memory");
			r->roles = g;
			r->caproles = nc;
		}
		rbac_role *x = &r->roles[r->nroles];
		memset(x, 0, sizeof *x);
		x->name = str_or_empty(md, "name");
		x->namespace_ = crole ? "" : str_or_empty(md, "namespace");
		x->labels = gr_get(md, "labels");
		x->cluster = crole;
		const gr_value *ar = crole ? gr_get(obj, "aggregationRule") : NULL;
		const gr_value *sel = gr_get(ar, "clusterRoleSelectors");
		x->aggregated = gr_is(ar, GR_OBJECT);
		x->selectors = gr_is(sel, GR_ARRAY) ? sel : NULL;
		if (rules_of(x, gr_get(obj, "rules")) < 0)
			return gr_error_set(err, 0, 0, "out of memory");
		r->nroles++;
		r->finished = false;
		return 1;
	}
	if (binding || cbinding) {
		if (r->nbindings == r->capbindings) {
			size_t nc = r->capbindings ? r->capbindings * 2 : 16;
			rbac_binding *g = realloc(r->bindings, nc * sizeof *g);
			if (!g)
				return gr_error_set(err, 0, 0, "out of memory");
			r->bindings = g;
			r->capbindings = nc;
		}
		rbac_binding *b = &r->bindings[r->nbindings++];
		memset(b, 0, sizeof *b);
		b->name = str_or_empty(md, "name");
		b->namespace_ = cbinding ? "" : str_or_empty(md, "namespace");
		const gr_value *ref = gr_get(obj, "roleRef");
		b->ref_kind = str_or_empty(ref, "kind");
		b->ref_name = str_or_empty(ref, "name");
		const gr_value *subj = gr_get(obj, "subjects");
		b->subjects = gr_is(subj, GR_ARRAY) ? subj : NULL;
		b->cluster = cbinding;
		return 1;
	}
	return 0;
}

/* ---- label selectors (aggregationRule) ---- */

static bool in_strings(const gr_value *list, const char *s)
{
	for (size_t i = 0; gr_is(list, GR_ARRAY) && i < list->u.a.len; i++)
		if (gr_is(&list->u.a.items[i], GR_STRING) && !strcmp(list->u.a.items[i].u.s.ptr, s))
			return true;
	return false;
}

/* A metav1.LabelSelector over a labels map; an empty selector matches
 * everything, as LabelSelectorAsSelector makes it, and an invalid operator
 * does not parse (matches nothing). */
static bool selector_matches(const gr_value *sel, const gr_value *labels)
{
	if (gr_is(sel, GR_NULL))
		return true; /* a null entry is the empty selector: everything */
	return gr_is(sel, GR_OBJECT) && gri_label_selector_matches(sel, labels, true);
}

/* ---- aggregation ---- */

int gr_rbac_finish(gr_rbac *r, gr_error *err)
{
	if (r->finished)
		return 0;
	/* to a fixed point: an aggregated role may aggregate aggregated roles;
	 * every pass that changes something adds rules, and there are at most
	 * nroles passes that can */
	for (size_t pass = 0; pass <= r->nroles; pass++) {
		bool changed = false;
		for (size_t i = 0; i < r->nroles; i++) {
			rbac_role *agg = &r->roles[i];
			if (!agg->cluster || !agg->aggregated)
				continue;
			/* an aggregationRule without selectors selects nothing: no rules */
			size_t nsel = agg->selectors ? agg->selectors->u.a.len : 0;
			size_t n = 0;
			for (size_t k = 0; k < r->nroles; k++) {
				const rbac_role *c = &r->roles[k];
				if (k == i || !c->cluster)
					continue;
				for (size_t s = 0; s < nsel; s++)
					if (selector_matches(&agg->selectors->u.a.items[s], c->labels)) {
						n += c->nrules;
						break;
					}
			}
			const gr_value **rules = n ? malloc(n * sizeof *rules) : NULL;
			if (n && !rules)
				return gr_error_set(err, 0, 0, "out of memory");
			size_t o = 0;
			for (size_t k = 0; k < r->nroles; k++) {
				const rbac_role *c = &r->roles[k];
				if (k == i || !c->cluster)
					continue;
				for (size_t s = 0; s < nsel; s++)
					if (selector_matches(&agg->selectors->u.a.items[s], c->labels)) {
						/* the controller keeps each distinct rule once */
						for (size_t q = 0; q < c->nrules; q++) {
							bool dup = false;
							for (size_t z = 0; z < o && !dup; z++)
								dup = rules[z] == c->rules[q];
							if (!dup)
								rules[o++] = c->rules[q];
						}
						break;
					}
			}
			if (o != agg->nrules || (o && memcmp(rules, agg->rules, o * sizeof *rules)))
				changed = true;
			free(agg->rules);
			agg->rules = rules;
			agg->nrules = o;
		}
		if (!changed)
			break;
	}
	r->finished = true;
	return 0;
}

/* ---- rules ---- */

static bool has_or_star(const gr_value *list, const char *s)
{
	for (size_t i = 0; gr_is(list, GR_ARRAY) && i < list->u.a.len; i++) {
		const gr_value *v = &list->u.a.items[i];
		if (gr_is(v, GR_STRING) && (!strcmp(v->u.s.ptr, "*") || !strcmp(v->u.s.ptr, s)))
			return true;
	}
	return false;
}

static bool resource_matches(const gr_value *rule, const char *resource, const char *sub)
{
	const gr_value *rs = gr_get(rule, "resources");
	size_t sl = strlen(sub);
	for (size_t i = 0; gr_is(rs, GR_ARRAY) && i < rs->u.a.len; i++) {
		const gr_value *v = &rs->u.a.items[i];
		if (!gr_is(v, GR_STRING))
			continue;
		const char *x = v->u.s.ptr;
		if (!strcmp(x, "*"))
			return true;
		/* the combined resource: "pods" or "pods/log" */
		size_t rl = strlen(resource);
		if (!sl && !strcmp(x, resource))
			return true;
		if (sl && !strncmp(x, resource, rl) && x[rl] == '/' && !strcmp(x + rl + 1, sub))
			return true;
		/* "*\/scale": that subresource of any resource */
		if (sl && v->u.s.len == sl + 2 && x[0] == '*' && x[1] == '/' && !strcmp(x + 2, sub))
			return true;
	}
	return false;
}

static bool name_matches(const gr_value *rule, const char *name)
{
	const gr_value *rn = gr_get(rule, "resourceNames");
	if (!gr_is(rn, GR_ARRAY) || !rn->u.a.len)
		return true;
	return in_strings(rn, name);
}

static bool url_matches(const gr_value *rule, const char *path)
{
	const gr_value *us = gr_get(rule, "nonResourceURLs");
	for (size_t i = 0; gr_is(us, GR_ARRAY) && i < us->u.a.len; i++) {
		const gr_value *v = &us->u.a.items[i];
		if (!gr_is(v, GR_STRING))
			continue;
		const char *x = v->u.s.ptr;
		size_t xl = v->u.s.len;
		if (!strcmp(x, "*") || !strcmp(x, path))
			return true;
		if (xl && x[xl - 1] == '*') {
			while (xl && x[xl - 1] == '*')
				xl--;
			if (!strncmp(path, x, xl))
				return true;
		}
	}
	return false;
}

static bool rule_allows(const gr_value *rule, const gr_authz_attributes *a)
{
	if (!has_or_star(gr_get(rule, "verbs"), a->verb))
		return false;
	if (a->resource_request)
		return has_or_star(gr_get(rule, "apiGroups"), a->group) &&
		       resource_matches(rule, a->resource, a->subresource) && name_matches(rule, a->name);
	return url_matches(rule, a->path);
}

/* ---- subjects ---- */

static bool user_in_group(const gr_authz_user *u, const char *g)
{
	for (size_t i = 0; i < u->ngroups; i++)
		if (u->groups[i] && !strcmp(u->groups[i], g))
			return true;
	return false;
}

static bool applies_to(const gr_authz_user *u, const gr_value *subject, const char *binding_ns)
{
	const char *kind = gr_get_str(subject, "kind"), *name = gr_get_str(subject, "name");
	if (!kind || !name)
		return false;
	if (!strcmp(kind, "User"))
		return u->username && !strcmp(u->username, name);
	if (!strcmp(kind, "Group"))
		return user_in_group(u, name);
	if (!strcmp(kind, "ServiceAccount")) {
		const char *ns = gr_get_str(subject, "namespace");
		if (!ns || !*ns)
			ns = binding_ns;
		if (!*ns || !u->username)
			return false;
		/* serviceaccount.MatchesUsername: system:serviceaccount:<ns>:<name> */
		const char *p = "system:serviceaccount:";
		size_t pl = strlen(p), nl = strlen(ns);
		const char *un = u->username;
		return !strncmp(un, p, pl) && !strncmp(un + pl, ns, nl) && un[pl + nl] == ':' &&
		       !strcmp(un + pl + nl + 1, name);
	}
	return false;
}

static void describe_subject(char *out, size_t cap, const gr_value *s, const char *binding_ns)
{
	const char *kind = str_or_empty(s, "kind"), *name = str_or_empty(s, "name");
	if (!strcmp(kind, "ServiceAccount")) {
		const char *ns = str_or_empty(s, "namespace");
		snprintf(out, cap, "%s \"%s/%s\"", kind, name, *ns ? ns : binding_ns);
	} else
		snprintf(out, cap, "%s \"%s\"", kind, name);
}

static const rbac_role *find_role(const gr_rbac *r, bool cluster, const char *ns, const char *name)
{
	for (size_t i = 0; i < r->nroles; i++) {
		const rbac_role *x = &r->roles[i];
		if (x->cluster == cluster && !strcmp(x->name, name) &&
		    (cluster || !strcmp(x->namespace_, ns)))
			return x;
	}
	return NULL;
}

typedef struct errlist {
	char buf[1024];
	size_t len, n;
} errlist;

static void add_error(errlist *e, const char *fmt, const char *a)
{
	if (e->len >= sizeof e->buf - 1)
		return;
	int k = snprintf(e->buf + e->len, sizeof e->buf - e->len, "%s", e->n ? ", " : "");
	e->len += (size_t)k;
	if (e->len < sizeof e->buf - 1) {
		k = snprintf(e->buf + e->len, sizeof e->buf - e->len, fmt, a);
		e->len += k > 0 ? (size_t)k : 0;
		if (e->len > sizeof e->buf - 1)
			e->len = sizeof e->buf - 1;
	}
	e->n++;
}

/* 1 allowed (*reason set), 0 not. */
static int visit_binding(const gr_rbac *r, const rbac_binding *b, const gr_authz_attributes *a,
                         gr_arena *arena, const char **reason, errlist *errs)
{
	const gr_value *subjects = b->subjects;
	size_t si = 0;
	bool applies = false;
	for (; subjects && si < subjects->u.a.len && !applies; si++)
		applies = applies_to(a->user, &subjects->u.a.items[si], b->namespace_);
	if (!applies)
		return 0;
	const gr_value *subject = &subjects->u.a.items[si - 1];
	const rbac_role *role = NULL;
	if (!strcmp(b->ref_kind, "Role")) {
		role = b->cluster ? NULL : find_role(r, false, b->namespace_, b->ref_name);
		if (!role) {
			add_error(errs, "role.rbac.authorization.k8s.io \"%s\" not found", b->ref_name);
			return 0;
		}
	} else if (!strcmp(b->ref_kind, "ClusterRole")) {
		role = find_role(r, true, "", b->ref_name);
		if (!role) {
			add_error(errs, "clusterrole.rbac.authorization.k8s.io \"%s\" not found",
			          b->ref_name);
			return 0;
		}
	} else {
		add_error(errs, "unsupported role reference kind: \"%s\"", b->ref_kind);
		return 0;
	}
	for (size_t i = 0; i < role->nrules; i++)
		if (rule_allows(role->rules[i], a)) {
			char subj[512];
			describe_subject(subj, sizeof subj, subject, b->namespace_);
			if (b->cluster)
				*reason = gr_arena_printf(
				        arena,
				        "RBAC: allowed by ClusterRoleBinding \"%s\" of %s \"%s\" to %s",
				        b->name, b->ref_kind, b->ref_name, subj);
			else
				*reason = gr_arena_printf(
				        arena, "RBAC: allowed by RoleBinding \"%s/%s\" of %s \"%s\" to %s",
				        b->name, b->namespace_, b->ref_kind, b->ref_name, subj);
			if (!*reason)
				*reason = "RBAC: allowed";
			return 1;
		}
	return 0;
}

gr_authz_decision gr_rbac_authorize(const gr_rbac *r, const gr_authz_attributes *a, gr_arena *arena,
                                    const char **reason)
{
	*reason = "";
	if (!r || !a->user)
		return GR_AUTHZ_NO_OPINION;
	if (!r->finished)
		gr_rbac_finish((gr_rbac *)r, NULL); /* single-threaded callers; shared ones finish first */
	errlist errs = {.len = 0};
	errs.buf[0] = 0;
	for (size_t i = 0; i < r->nbindings; i++)
		if (r->bindings[i].cluster && visit_binding(r, &r->bindings[i], a, arena, reason, &errs))
			return GR_AUTHZ_ALLOW;
	if (a->namespace_ && *a->namespace_)
		for (size_t i = 0; i < r->nbindings; i++) {
			const rbac_binding *b = &r->bindings[i];
			if (!b->cluster && !strcmp(b->namespace_, a->namespace_) &&
			    visit_binding(r, b, a, arena, reason, &errs))
				return GR_AUTHZ_ALLOW;
		}
	if (errs.n) {
		/* utilerrors.NewAggregate: one error as is, several in brackets */
		const char *r2 = errs.n == 1 ? gr_arena_printf(arena, "RBAC: %s", errs.buf)
		                             : gr_arena_printf(arena, "RBAC: [%s]", errs.buf);
		*reason = r2 ? r2 : "";
	}
	return GR_AUTHZ_NO_OPINION;
}

static gr_authz_decision rbac_authorize(const void *self, const gr_authz_attributes *a, gr_arena *arena,
                                        const char **reason, const char **error)
{
	*error = NULL;
	*reason = "";
	if (a->user && user_in_group(a->user, "system:masters"))
		return GR_AUTHZ_ALLOW; /* authorizerfactory.NewPrivilegedGroups, before RBAC */
	return gr_rbac_authorize(self, a, arena, reason);
}

gr_authorizer gr_rbac_authorizer(const gr_rbac *r)
{
	return (gr_authorizer){.authorize = rbac_authorize, .self = r};
}

static gr_authz_decision allow_all(const void *self, const gr_authz_attributes *a, gr_arena *arena,
                                   const char **reason, const char **error)
{
	(void)self;
	(void)a;
	(void)arena;
	*reason = "";
	*error = NULL;
	return GR_AUTHZ_ALLOW;
}

const gr_authorizer gr_authorizer_always_allow = {.authorize = allow_all, .self = NULL};

const char *const *gr_authz_effective_groups(gr_arena *a, const char *username, const char *const *groups,
                                             size_t ngroups, size_t *n)
{
	const char **out = gr_arena_alloc(a, (ngroups + 4) * sizeof *out);
	*n = 0;
	if (!out)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < ngroups; i++)
		out[k++] = groups[i];
	const char *add[3] = {NULL, NULL, NULL};
	const char *sa = "system:serviceaccount:";
	size_t sal = strlen(sa);
	if (username && !strncmp(username, sa, sal)) {
		const char *ns = username + sal, *colon = strchr(ns, ':');
		if (colon && colon > ns && colon[1] && !strchr(colon + 1, ':')) {
			add[0] = "system:serviceaccounts";
			add[1] = gr_arena_printf(a, "system:serviceaccounts:%.*s", (int)(colon - ns), ns);
		}
	}
	add[2] = username && !strcmp(username, "system:anonymous") ? "system:unauthenticated"
	                                                           : "system:authenticated";
	for (int j = 0; j < 3; j++) {
		if (!add[j])
			continue;
		bool have = false;
		for (size_t i = 0; i < k && !have; i++)
			have = out[i] && !strcmp(out[i], add[j]);
		if (!have)
			out[k++] = add[j];
	}
	*n = k;
	return out;
}
