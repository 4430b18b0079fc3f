/*
 * authz.c — Kubernetes' CEL authz library (k8s.io/apiserver
 * pkg/cel/library/authz.go, re-read, not copied): `authorizer` and the
 * checks built from it,
 *
 *   authorizer.path('/healthz').check('get').allowed()
 *   authorizer.group('apps').resource('deployments').subresource('scale')
 *             .namespace('ns').name('web').check('update').reason()
 *   authorizer.serviceAccount('ns', 'sa').group('').resource('pods')...
 *   authorizer.requestResource.check('delete').allowed()      (VAP)
 *
 * with the library's types (kubernetes.authorization.Authorizer,
 * PathCheck, GroupCheck, ResourceCheck, Decision), errors ("path must not
 * be empty", "Invalid service account name") and costs (cost.c and
 * functions.c: 350,000 per check). A check asks the gr_authorizer the
 * value was made with (authz.h): the RBAC objects of an authz file
 * offline, or anything an embedder supplies.
 *
 * The trick: each value is a GR_CEL_OBJECT whose u.s.ptr points at an
 * authz_val in the evaluation's arena; builders copy it and change one
 * field, so values stay immutable as the library's Go structs are.
 */
#include <stdio.h>
#include <string.h>

#include "cel_internal.h"
#include "guardrail/authz.h"

typedef struct authz_val {
	const gr_authorizer *az;
	const gr_authz_user *user;
	const char *path;
	const char *group, *resource, *subresource, *namespace_, *name, *field_selector, *label_selector;
	gr_authz_decision decision;
	const char *reason, *error;
} authz_val;

bool cel_authz_object(int sub)
{
	return sub >= GR_CEL_OBJ_AUTHORIZER && sub <= GR_CEL_OBJ_DECISION;
}

const char *cel_authz_type_name(int sub)
{
	switch (sub) {
	case GR_CEL_OBJ_AUTHORIZER: return "kubernetes.authorization.Authorizer";
	case GR_CEL_OBJ_PATH_CHECK: return "kubernetes.authorization.PathCheck";
	case GR_CEL_OBJ_GROUP_CHECK: return "kubernetes.authorization.GroupCheck";
	case GR_CEL_OBJ_RESOURCE_CHECK: return "kubernetes.authorization.ResourceCheck";
	case GR_CEL_OBJ_DECISION: return "kubernetes.authorization.Decision";
	default: return "object";
	}
}

/* The library's overloads: receiver, string arguments, result (an object
 * kind; -1 bool, -2 string). */
static const struct {
	const char *name;
	int recv;
	size_t nstr;
	int result;
} overloads[] = {
        {"path", GR_CEL_OBJ_AUTHORIZER, 1, GR_CEL_OBJ_PATH_CHECK},
        {"group", GR_CEL_OBJ_AUTHORIZER, 1, GR_CEL_OBJ_GROUP_CHECK},
        {"serviceAccount", GR_CEL_OBJ_AUTHORIZER, 2, GR_CEL_OBJ_AUTHORIZER},
        {"resource", GR_CEL_OBJ_GROUP_CHECK, 1, GR_CEL_OBJ_RESOURCE_CHECK},
        {"subresource", GR_CEL_OBJ_RESOURCE_CHECK, 1, GR_CEL_OBJ_RESOURCE_CHECK},
        {"namespace", GR_CEL_OBJ_RESOURCE_CHECK, 1, GR_CEL_OBJ_RESOURCE_CHECK},
        {"name", GR_CEL_OBJ_RESOURCE_CHECK, 1, GR_CEL_OBJ_RESOURCE_CHECK},
        {"fieldSelector", GR_CEL_OBJ_RESOURCE_CHECK, 1, GR_CEL_OBJ_RESOURCE_CHECK},
        {"labelSelector", GR_CEL_OBJ_RESOURCE_CHECK, 1, GR_CEL_OBJ_RESOURCE_CHECK},
        {"check", GR_CEL_OBJ_PATH_CHECK, 1, GR_CEL_OBJ_DECISION},
        {"check", GR_CEL_OBJ_RESOURCE_CHECK, 1, GR_CEL_OBJ_DECISION},
        {"allowed", GR_CEL_OBJ_DECISION, 0, -1},
        {"errored", GR_CEL_OBJ_DECISION, 0, -1},
        {"reason", GR_CEL_OBJ_DECISION, 0, -2},
        {"error", GR_CEL_OBJ_DECISION, 0, -2},
};

int cel_authz_signature(const char *name, int recv, size_t nstr, bool *known_name)
{
	int found = 0;
	*known_name = false;
	for (size_t i = 0; i < sizeof overloads / sizeof overloads[0]; i++) {
		if (strcmp(overloads[i].name, name))
			continue;
		*known_name = true;
		if (overloads[i].nstr != nstr)
			continue;
		if (recv == overloads[i].recv)
			return overloads[i].result;
		if (recv < 0) { /* a dyn receiver: the result when every overload agrees */
			if (found && found != overloads[i].result)
				return 0;
			found = overloads[i].result;
		}
	}
	return recv < 0 ? found : 0;
}

static gr_cel_value wrap(int sub, const authz_val *v)
{
	gr_cel_value r = {.kind = GR_CEL_OBJECT, .sub = (uint8_t)sub};
	r.u.s.ptr = (const char *)v;
	r.u.s.len = 0;
	return r;
}

static authz_val *fresh(gr_arena *a, const authz_val *from)
{
	authz_val *v = gr_arena_alloc(a, sizeof *v);
	if (!v)
		return NULL;
	if (from)
		*v = *from;
	else {
		memset(v, 0, sizeof *v);
		v->path = v->group = v->resource = v->subresource = v->namespace_ = v->name = "";
		v->field_selector = v->label_selector = "";
		v->reason = "";
	}
	return v;
}

gr_cel_value gr_cel_authorizer(gr_arena *a, const gr_authorizer *az, const gr_authz_user *user)
{
	authz_val *v = fresh(a, NULL);
	if (!v || !az || !user)
		return gr_cel_unbound();
	v->az = az;
	v->user = user;
	return wrap(GR_CEL_OBJ_AUTHORIZER, v);
}

gr_cel_value gr_cel_authorizer_request_resource(gr_arena *a, const gr_authorizer *az,
                                                const gr_authz_user *user, const char *group,
                                                const char *resource, const char *subresource,
                                                const char *namespace_, const char *name)
{
	authz_val *v = fresh(a, NULL);
	if (!v || !az || !user)
		return gr_cel_unbound();
	v->az = az;
	v->user = user;
	/* copied: the caller's strings may be its own temporaries */
	v->group = gr_arena_strdup(a, group ? group : "");
	v->resource = gr_arena_strdup(a, resource ? resource : "");
	v->subresource = gr_arena_strdup(a, subresource ? subresource : "");
	v->namespace_ = gr_arena_strdup(a, namespace_ ? namespace_ : "");
	v->name = gr_arena_strdup(a, name ? name : "");
	if (!v->group || !v->resource || !v->subresource || !v->namespace_ || !v->name)
		return gr_cel_unbound();
	return wrap(GR_CEL_OBJ_RESOURCE_CHECK, v);
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr(" \t\n\r\v\f", s[i]))
			return false;
	return true;
}

static bool alnum_lower(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* apimachinery's IsDNS1123Label */
static bool dns_label(const char *s, size_t n)
{
	if (!n || n > 63 || !alnum_lower(s[0]) || !alnum_lower(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!alnum_lower(s[i]) && s[i] != '-')
			return false;
	return true;
}

/* apimachinery's IsDNS1123Subdomain */
static bool dns_subdomain(const char *s, size_t n)
{
	if (!n || n > 253)
		return false;
	size_t start = 0;
	for (size_t i = 0; i <= n; i++)
		if (i == n || s[i] == '.') {
			size_t l = i - start;
			if (!l || !alnum_lower(s[start]) || !alnum_lower(s[i - 1]))
				return false;
			for (size_t k = start; k < i; k++)
				if (!alnum_lower(s[k]) && s[k] != '-')
					return false;
			start = i + 1;
		}
	return true;
}

static const authz_val *state(const gr_cel_value *v)
{
	return (const authz_val *)(const void *)v->u.s.ptr;
}

static gr_cel_value service_account(cel_eval *ev, const authz_val *az, const gr_cel_value *ns,
                                    const gr_cel_value *name)
{
	if (!dns_subdomain(name->u.s.ptr, name->u.s.len))
		return cel_error(ev, "Invalid service account name");
	if (!dns_label(ns->u.s.ptr, ns->u.s.len))
		return cel_error(ev, "Invalid service account namespace");
	/* serviceaccount.ServiceAccountInfo.UserInfo(): no system:authenticated */
	gr_authz_user *u = gr_arena_calloc(ev->arena, 1, sizeof *u);
	const char **groups = gr_arena_alloc(ev->arena, 2 * sizeof *groups);
	authz_val *v = fresh(ev->arena, az);
	if (!u || !groups || !v)
		return cel_error(ev, "out of memory");
	u->username = gr_arena_printf(ev->arena, "system:serviceaccount:%.*s:%.*s", (int)ns->u.s.len,
	                              ns->u.s.ptr, (int)name->u.s.len, name->u.s.ptr);
	u->uid = "";
	groups[0] = "system:serviceaccounts";
	groups[1] = gr_arena_printf(ev->arena, "system:serviceaccounts:%.*s", (int)ns->u.s.len, ns->u.s.ptr);
	if (!u->username || !groups[1])
		return cel_error(ev, "out of memory");
	u->groups = groups;
	u->ngroups = 2;
	v->user = u;
	return wrap(GR_CEL_OBJ_AUTHORIZER, v);
}

static gr_cel_value check(cel_eval *ev, const authz_val *c, bool resource, const gr_cel_value *verb)
{
	authz_val *d = fresh(ev->arena, c);
	char *vb = gr_arena_strndup(ev->arena, verb->u.s.ptr, verb->u.s.len);
	if (!d || !vb)
		return cel_error(ev, "out of memory");
	gr_authz_attributes at = {
	        .user = c->user,
	        .verb = vb,
	        .resource_request = resource,
	        .path = resource ? "" : c->path,
	        .group = resource ? c->group : "",
	        .version = resource ? "*" : "",
	        .resource = resource ? c->resource : "",
	        .subresource = resource ? c->subresource : "",
	        .namespace_ = resource ? c->namespace_ : "",
	        .name = resource ? c->name : "",
	        .field_selector = resource ? c->field_selector : "",
	        .label_selector = resource ? c->label_selector : "",
	};
	const char *reason = "", *error = NULL;
	d->decision = c->az->authorize(c->az->self, &at, ev->arena, &reason, &error);
	d->reason = reason ? reason : "";
	d->error = error;
	return wrap(GR_CEL_OBJ_DECISION, d);
}

gr_cel_value cel_authz_call(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	const char *f = call->name;
	int recv = n >= 1 && a[0].kind == GR_CEL_OBJECT ? a[0].sub : 0;
	bool known;
	int res = cel_authz_signature(f, recv, n ? n - 1 : 0, &known);
	for (size_t i = 1; i < n; i++)
		if (a[i].kind != GR_CEL_STRING)
			res = 0;
	if (!res || !state(&a[0]))
		return cel_no_overload(ev, f, a, n);
	const authz_val *s = state(&a[0]);
	if (res == -1)
		return gr_cel_bool(!strcmp(f, "allowed") ? s->decision == GR_AUTHZ_ALLOW : s->error != NULL);
	if (res == -2) {
		const char *t = !strcmp(f, "reason") ? s->reason : s->error ? s->error : "";
		return gr_cel_string(t, strlen(t));
	}
	if (!strcmp(f, "check"))
		return check(ev, s, recv == GR_CEL_OBJ_RESOURCE_CHECK, &a[1]);
	if (!strcmp(f, "serviceAccount"))
		return service_account(ev, s, &a[1], &a[2]);
	const gr_cel_value *arg = &a[1];
	if ((!strcmp(f, "path") || !strcmp(f, "resource")) && blank(arg->u.s.ptr, arg->u.s.len))
		return cel_error(ev, "%s must not be empty", f);
	authz_val *v = fresh(ev->arena, s);
	char *text = gr_arena_strndup(ev->arena, arg->u.s.ptr, arg->u.s.len);
	if (!v || !text)
		return cel_error(ev, "out of memory");
	if (!strcmp(f, "path"))
		v->path = text;
	else if (!strcmp(f, "group")) {
		v->group = text;
		v->resource = v->subresource = v->namespace_ = v->name = "";
		v->field_selector = v->label_selector = "";
	} else if (!strcmp(f, "resource"))
		v->resource = text;
	else if (!strcmp(f, "subresource"))
		v->subresource = text;
	else if (!strcmp(f, "namespace"))
		v->namespace_ = text;
	else if (!strcmp(f, "name"))
		v->name = text;
	else if (!strcmp(f, "fieldSelector"))
		v->field_selector = text;
	else
		v->label_selector = text;
	return wrap(res, v);
}
