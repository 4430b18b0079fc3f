/*
 * cel.c — Kyverno's validate.cel rules: a ValidatingAdmissionPolicy inside
 * a ClusterPolicy rule (pkg/engine/handlers/validation/validate_cel.go).
 *
 * Kyverno's own match, exclude, context and preconditions run first (in
 * validate.c); then the rule's celPreconditions act as matchConditions and
 * validate.cel's variables, expressions and auditAnnotations are compiled
 * (once, at load) and evaluated by the code the `vap` engine uses
 * (lib/cel/vap_core.c). Kyverno calls the validator without a failure
 * policy, so Fail applies: a false expression and an expression that fails
 * (does not compile, errors at run time, a matchCondition or a variable
 * that errors) both deny, and the rule fails with that decision's message.
 * A false celPrecondition is a skip ("cel preconditions not met"). Audit
 * annotations are no decision and are not reported.
 *
 * Offline, as the Kyverno CLI: namespaceObject is a Namespace holding only
 * its name (null for cluster-scoped objects and Namespaces), oldObject is
 * the request's old object (null on CREATE), request is synthesized with
 * the user info. params come from paramRef by name through the request's
 * resource lookup; a selector, a missing lookup, or an expression naming
 * authorizer make the rule "not evaluated" with the reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cel/vap_core.h"
#include "kyverno_int.h"

struct ky_cel {
	gri_vap_program prog;
	const gr_value *param_kind, *param_ref;
	bool has_param;
};

const gr_value *ky_cel_param_kind(const ky_cel *c)
{
	return c->has_param ? c->param_kind : NULL;
}

ky_cel *ky_cel_compile(gr_kyverno_set *set, const gr_value *cel, const gr_value *preconditions,
                       const char *message)
{
	ky_cel *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	if (set->ncels == set->capcels) {
		size_t nc = set->capcels ? set->capcels * 2 : 16;
		ky_cel **n = realloc(set->cels, nc * sizeof *n);
		if (!n) {
			free(c);
			return NULL;
		}
		set->cels = n;
		set->capcels = nc;
	}
	set->cels[set->ncels++] = c;
	c->param_kind = gr_get(cel, "paramKind");
	c->param_ref = gr_get(cel, "paramRef");
	c->has_param = gr_is(c->param_kind, GR_OBJECT) && gr_is(c->param_ref, GR_OBJECT);
	gri_vap_compile(&c->prog, preconditions, gr_get(cel, "variables"), gr_get(cel, "expressions"),
	                gr_get(cel, "auditAnnotations"), message, 0);
	return c->prog.oom ? NULL : c; /* memory ran out: the set frees c */
}

void ky_cel_free(ky_cel *c)
{
	if (!c)
		return;
	gri_vap_program_free(&c->prog);
	free(c);
}

/* The first decision that denies, as Kyverno takes it. */
typedef struct decision {
	bool denied;
	const char *message;
	gr_arena *arena;
} decision;

static void on_error(void *user, const char *what, const char *msg)
{
	decision *d = user;
	if (d->denied || !strcmp(what, "auditAnnotation"))
		return; /* annotation errors are no decision */
	d->denied = true;
	d->message = gr_arena_printf(d->arena, "%s: %s", what, msg);
}

static void on_deny(void *user, const char *msg, const char *reason)
{
	decision *d = user;
	(void)reason;
	if (d->denied)
		return;
	d->denied = true;
	d->message = gr_arena_strdup(d->arena, msg);
}

static ky_result result(gr_kyverno_status s, const char *msg)
{
	ky_result r = {.status = s, .message = msg};
	return r;
}

/* {"metadata": {"name": ns}} */
gr_cel_value ky_namespace_object(gr_arena *a, const char *ns)
{
	gr_value *root = gr_arena_alloc(a, sizeof *root);
	if (!root)
		return gr_cel_null();
	gr_value meta = gr_make_object(a, 1);
	*root = gr_make_object(a, 1);
	if (meta.type != GR_OBJECT || root->type != GR_OBJECT)
		return gr_cel_null();
	gr_member_set_key(&meta.u.o.members[0], "name", 4);
	meta.u.o.members[0].value = gr_make_string_ref(ns, strlen(ns));
	gr_member_set_key(&root->u.o.members[0], "metadata", 8);
	root->u.o.members[0].value = meta;
	return gr_cel_from_json(root);
}

/* The user of the request (a `kyverno test` user info file), or NULL. */
static const gr_authz_user *user_of(gr_arena *a, const gr_kyverno_request *req)
{
	const gr_value *ui = req->userinfo ? req->userinfo->user_info : NULL;
	return ui ? gri_vap_user(a, ui) : NULL;
}

/* paramRef by name, as admissionpolicy.CollectParams resolves it: 1 found
 * (*out), 0 not evaluated (*msg), -1 a rule error (*msg). */
static int find_param(ky_eval *ev, const ky_cel *c, const gr_value **out, const char **msg)
{
	const char *av = gr_get_str(c->param_kind, "apiVersion");
	const char *kind = gr_get_str(c->param_kind, "kind");
	const char *name = gr_get_str(c->param_ref, "name");
	const char *pns = gr_get_str(c->param_ref, "namespace");
	if (!av || !kind) {
		*msg = "error in parameterized resource: paramKind needs apiVersion and kind";
		return -1;
	}
	if (!name || !name[0]) {
		*msg = "validate.cel paramRef without a name (a selector lists resources of a cluster) is "
		       "not evaluated offline";
		return 0;
	}
	const char *ns = "";
	bool cluster = ev->req->cluster_scoped ? ev->req->cluster_scoped(ev->req->user, av, kind)
	                                       : ky_is_cluster_scoped(kind);
	if (!cluster) {
		ns = pns && pns[0] ? pns : ev->ns;
		if (!ns[0]) {
			*msg = "error in parameterized resource: can't use namespaced paramRef to match "
			       "cluster-scoped resources";
			return -1;
		}
	} else if (pns && pns[0]) {
		*msg = "error in parameterized resource: paramRef.namespace must not be provided for a "
		       "cluster-scoped `paramKind`";
		return -1;
	}
	if (!ev->req->resource) {
		*msg = "validate.cel params (paramRef) are not evaluated: no resources to find them among";
		return 0;
	}
	int found = ev->req->resource(ev->req->user, av, kind, ns, name, out);
	if (found < 0) {
		*msg = "validate.cel params (paramRef) are not evaluated: the inputs cannot say whether the "
		       "parameter resource exists";
		return 0;
	}
	if (found == 0 || !*out) {
		*msg = gr_arena_printf(ev->arena, "error in parameterized resource: %s %s%s%s not found",
		                       kind, ns, ns[0] ? "/" : "", name);
		return -1;
	}
	return 1;
}

ky_result ky_eval_cel(ky_eval *ev, const ky_rule *r)
{
	const ky_cel *c = r->cel;
	if (c->prog.uses_authorizer)
		return result(GR_KY_NOT_EVALUATED,
		              "validate.cel expressions using authorizer are not evaluated "
		              "(no cluster to answer permission checks offline)");
	gr_cel_value vars[GRI_VAP_NVARS];
	const char *op = ev->operation;
	bool del = !strcmp(op, "DELETE");
	const gr_value *old = gr_get_path(&ev->ctx, "request", "oldObject", NULL);
	vars[GRI_VAP_OBJECT] = del ? gr_cel_null() : gr_cel_from_json(ev->object);
	vars[GRI_VAP_OLD] = old && old->type == GR_OBJECT ? gr_cel_from_json(old) : gr_cel_null();
	const char *ns = ev->ns ? ev->ns : "";
	if (!strcmp(ev->r_kind, "Namespace") && !ev->r_group[0])
		ns = "";
	vars[GRI_VAP_REQUEST] = gri_vap_request(ev->arena, ev->r_group, ev->r_version, ev->r_kind, ev->r_name,
	                                        ns, op, user_of(ev->arena, ev->req));
	vars[GRI_VAP_NSOBJ] = ns[0] ? ky_namespace_object(ev->arena, ns) : gr_cel_null();
	vars[GRI_VAP_VARIABLES] = gr_cel_null();
	vars[GRI_VAP_AUTHORIZER] = gr_cel_unbound();
	vars[GRI_VAP_REQRES] = gr_cel_unbound();
	vars[GRI_VAP_PARAMS] = gr_cel_null();
	if (c->has_param) {
		const gr_value *param = NULL;
		const char *msg = NULL;
		int f = find_param(ev, c, &param, &msg);
		if (f <= 0)
			return result(f == 0 ? GR_KY_NOT_EVALUATED : GR_KY_ERROR, msg);
		vars[GRI_VAP_PARAMS] = gr_cel_from_json(param);
	} else if (c->prog.uses_params) {
		/* Kyverno declares params only with paramKind and paramRef */
		return result(GR_KY_FAIL,
		              "compilation failed: undeclared reference to 'params' (the rule has "
		              "no paramKind and paramRef)");
	}
	decision d = {.arena = ev->arena};
	gri_vap_sink sink = {.error = on_error, .deny = on_deny, .user = &d};
	if (gri_vap_run(&c->prog, vars, ev->arena, &sink) == 0)
		return result(GR_KY_SKIP, "cel preconditions not met");
	if (d.denied)
		return result(GR_KY_FAIL, d.message);
	return result(GR_KY_PASS, gr_arena_printf(ev->arena, "Validation rule '%s' passed.", r->name));
}
