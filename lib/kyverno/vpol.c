/*
 * vpol.c — Kyverno's ValidatingPolicy (policies.kyverno.io): a
 * ValidatingAdmissionPolicy without a binding, evaluated by the code of the
 * `vap` engine (lib/cel/vap_core.c), with Kyverno's statuses
 * (pkg/cel/policies/vpol/engine): an object its matchConstraints do not
 * match gets no response; a false matchCondition is `skip`; then the
 * validations in order: the first that errors is `error`, the first that is
 * false is `fail` with its message; else `pass`.
 *
 * Pod policies get autogen forms for pod controllers (spec.autogen.
 * podControllers.controllers, by default Deployment, DaemonSet,
 * StatefulSet, ReplicaSet, Job and CronJob), their expressions rewritten as
 * Kyverno's autogen rewrites them (object.spec -> object.spec.template.spec,
 * object.metadata -> object.spec.template.metadata; the CronJob forms under
 * spec.jobTemplate.spec.template). Each form is compiled once, at load.
 *
 * Kyverno's own CEL libraries (resource.*, http.*, globalContext.*,
 * image data) need a cluster or a registry: a policy whose expressions
 * call them is counted "not evaluated" with that reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../cel/vap_core.h"
#include "../internal.h"
#include "kyverno_int.h"

enum { FORM_SELF, FORM_CONTROLLER, FORM_CRONJOB, NFORMS };

struct ky_vpol {
	const char *name, *file;
	const gr_value *constraints; /* matchConstraints */
	gri_vap_program prog[NFORMS];
	bool has_form[NFORMS];
	bool controllers[6];       /* autogen: deployment, daemonset, statefulset, replicaset, job,
	                              replicationcontroller */
	bool enforce;              /* validationActions holds Deny */
	bool no_admission;         /* spec.evaluation.admission.enabled: false */
	bool no_background;        /* spec.evaluation.background.enabled: false */
	const char *not_evaluated; /* why the policy is not evaluated, or NULL */
	uint32_t line, column;
};

static const char *const controller_kinds[6] = {"Deployment", "DaemonSet", "StatefulSet",
                                                "ReplicaSet", "Job",       "ReplicationController"};

/* Kyverno's CEL libraries that reach out of the object. */
static const char *kyverno_library(const char *text)
{
	static const char *const libs[] = {
	        "resource.Get(", "resource.List(", "resource.Post(", "http.Get(",
	        "http.Post(",    "http.Client(",   "globalContext.", "image.GetMetadata(",
	        "imagedata.",    "resource.",      "http.",          "parseServiceAccount("};
	for (size_t i = 0; text && i < sizeof libs / sizeof libs[0]; i++)
		if (strstr(text, libs[i]))
			return libs[i];
	return NULL;
}

/* A copy of the spec's expression arrays with the autogen rewriting. */
typedef struct rw {
	const char *from[4], *to[4];
} rw;

static char *replace_all(gr_arena *a, const char *s, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), n = 0;
	for (const char *p = s; (p = strstr(p, from)); p += fl)
		n++;
	if (!n)
		return (char *)s;
	char *out = gr_arena_alloc(a, strlen(s) + n * tl + 1);
	if (!out)
		return NULL;
	char *o = out;
	for (const char *p = s;;) {
		const char *q = strstr(p, from);
		if (!q) {
			strcpy(o, p);
			break;
		}
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
		memcpy(o, to, tl);
		o += tl;
		p = q + fl;
	}
	return out;
}

/* *oom set when memory ran out (the copy is then incomplete: an
 * expression left unrewritten would judge the pod's fields on a
 * controller). */
static gr_value rewrite(gr_arena *a, const gr_value *v, const rw *r, bool *oom)
{
	gr_value out = *v;
	if (v->type == GR_STRING) {
		const char *s = v->u.s.ptr;
		for (int i = 0; i < 4 && s; i++)
			s = replace_all(a, s, r->from[i], r->to[i]);
		if (s)
			out = gr_make_string_ref(s, strlen(s));
		else
			*oom = true;
	} else if (v->type == GR_ARRAY) {
		out.u.a.items = gr_arena_alloc(a, (v->u.a.len + 1) * sizeof(gr_value));
		if (!out.u.a.items)
			return *oom = true, gr_make_null();
		for (size_t i = 0; i < v->u.a.len; i++)
			out.u.a.items[i] = rewrite(a, &v->u.a.items[i], r, oom);
	} else if (v->type == GR_OBJECT) {
		out.u.o.members = gr_arena_alloc(a, (v->u.o.len + 1) * sizeof(gr_member));
		if (!out.u.o.members)
			return *oom = true, gr_make_null();
		for (size_t i = 0; i < v->u.o.len; i++) {
			out.u.o.members[i] = v->u.o.members[i];
			out.u.o.members[i].value = rewrite(a, &v->u.o.members[i].value, r, oom);
		}
	}
	return out;
}

/* -1 when memory ran out. */
static int compile_form(gr_arena *a, ky_vpol *vp, int form, const gr_value *spec, const rw *r)
{
	const char *const keys[4] = {"matchConditions", "variables", "validations", "auditAnnotations"};
	const gr_value *arr[4];
	bool oom = false;
	for (int k = 0; k < 4; k++) {
		arr[k] = gr_get(spec, keys[k]);
		if (arr[k] && r) {
			gr_value *c = gr_arena_alloc(a, sizeof *c);
			if (!c)
				return -1;
			*c = rewrite(a, arr[k], r, &oom);
			arr[k] = c;
		}
	}
	if (oom)
		return -1;
	gri_vap_compile(&vp->prog[form], arr[0], arr[1], arr[2], arr[3], NULL, 0);
	vp->has_form[form] = true;
	return vp->prog[form].oom ? -1 : 0;
}

/* Do the resourceRules select pods alone (Kyverno's CanAutoGen)? */
static bool pods_only(const gr_value *constraints)
{
	const gr_value *rules = gr_get(constraints, "resourceRules");
	if (!gr_is(rules, GR_ARRAY) || !rules->u.a.len)
		return false;
	for (size_t i = 0; i < rules->u.a.len; i++) {
		const gr_value *res = gr_get(&rules->u.a.items[i], "resources");
		const gr_value *groups = gr_get(&rules->u.a.items[i], "apiGroups");
		if (!gr_is(res, GR_ARRAY) || res->u.a.len != 1 || !gr_is(&res->u.a.items[0], GR_STRING) ||
		    strcmp(res->u.a.items[0].u.s.ptr, "pods") != 0)
			return false;
		if (!gr_is(groups, GR_ARRAY) || groups->u.a.len != 1 ||
		    !gr_is(&groups->u.a.items[0], GR_STRING) || groups->u.a.items[0].u.s.ptr[0])
			return false;
	}
	return true;
}

static bool controller_named(const char *s, const char *kind)
{
	char plural[64];
	gri_vap_plural(kind, plural, sizeof plural);
	return !strcasecmp(s, kind) || !strcasecmp(s, plural);
}

bool ky_is_vpol(const gr_value *root)
{
	const char *api = gr_get_str(root, "apiVersion"), *kind = gr_get_str(root, "kind");
	return api && kind && !strncmp(api, "policies.kyverno.io/", 20) && !strcmp(kind, "ValidatingPolicy");
}

int ky_vpol_add(gr_kyverno_set *set, const gr_value *root, const char *file, gr_error *err)
{
	gr_arena *a = &set->arena;
	const char *name = gr_get_str(gr_get(root, "metadata"), "name");
	const gr_value *spec = gr_get(root, "spec");
	if (!name) {
		gr_error_set(err, root->line, root->column, "ValidatingPolicy has no metadata.name");
		gr_error_set_file(err, file);
		return -1;
	}
	if (!gr_is(spec, GR_OBJECT)) {
		gr_error_set(err, root->line, root->column, "ValidatingPolicy %s has no spec mapping", name);
		gr_error_set_file(err, file);
		return -1;
	}
	const gr_value *vals = gr_get(spec, "validations");
	if (vals && !gr_is(vals, GR_ARRAY)) {
		gr_error_set(err, vals->line, vals->column, "ValidatingPolicy %s: validations must be a list",
		             name);
		gr_error_set_file(err, file);
		return -1;
	}
	ky_vpol *vp = calloc(1, sizeof *vp);
	if (!vp)
		return gr_error_set(err, 0, 0, "out of memory");
	if (set->nvpols == set->capvpols) {
		size_t nc = set->capvpols ? set->capvpols * 2 : 16;
		ky_vpol **n = realloc(set->vpols, nc * sizeof *n);
		if (!n) {
			free(vp);
			return gr_error_set(err, 0, 0, "out of memory");
		}
		set->vpols = n;
		set->capvpols = nc;
	}
	set->vpols[set->nvpols++] = vp;
	vp->name = name;
	vp->file = file;
	const gr_value *adm = gr_get_path(spec, "evaluation", "admission", "enabled", NULL);
	vp->no_admission = adm && adm->type == GR_BOOL && !adm->u.b;
	const gr_value *bg = gr_get_path(spec, "evaluation", "background", "enabled", NULL);
	vp->no_background = bg && bg->type == GR_BOOL && !bg->u.b;
	vp->line = root->line;
	vp->column = root->column;
	vp->constraints = gr_get(spec, "matchConstraints");
	const gr_value *acts = gr_get(spec, "validationActions");
	for (size_t i = 0; gr_is(acts, GR_ARRAY) && i < acts->u.a.len; i++)
		if (gr_is(&acts->u.a.items[i], GR_STRING) && !strcmp(acts->u.a.items[i].u.s.ptr, "Deny"))
			vp->enforce = true;
	if (compile_form(a, vp, FORM_SELF, spec, NULL) < 0)
		return gr_error_set(err, 0, 0, "out of memory compiling ValidatingPolicy %s", name);
	/* Kyverno's libraries: the expressions that do not compile because they call one */
	const gri_vap_program *p = &vp->prog[FORM_SELF];
	for (size_t i = 0; i < p->nvalidations && !vp->not_evaluated; i++)
		if (!p->validations[i].expr.prog && kyverno_library(p->validations[i].expr.text))
			vp->not_evaluated =
			        "ValidatingPolicy expressions calling Kyverno's CEL libraries (resource, "
			        "http, globalContext, image data) need a cluster and are not evaluated";
	for (size_t i = 0; i < p->nvariables && !vp->not_evaluated; i++)
		if (!p->variables[i].prog && kyverno_library(p->variables[i].text))
			vp->not_evaluated =
			        "ValidatingPolicy variables calling Kyverno's CEL libraries (resource, "
			        "http, globalContext, image data) need a cluster and are not evaluated";
	for (size_t i = 0; i < p->nconditions && !vp->not_evaluated; i++)
		if (!p->conditions[i].prog && kyverno_library(p->conditions[i].text))
			vp->not_evaluated =
			        "ValidatingPolicy matchConditions calling Kyverno's CEL libraries need a "
			        "cluster and are not evaluated";
	if (!pods_only(vp->constraints))
		return 0;
	const gr_value *ctl = gr_get_path(spec, "autogen", "podControllers", "controllers", NULL);
	bool cron = !ctl;
	for (int k = 0; k < 5; k++)
		vp->controllers[k] = !ctl;
	for (size_t i = 0; gr_is(ctl, GR_ARRAY) && i < ctl->u.a.len; i++) {
		const gr_value *c = &ctl->u.a.items[i];
		if (!gr_is(c, GR_STRING))
			continue;
		for (int k = 0; k < 6; k++)
			if (controller_named(c->u.s.ptr, controller_kinds[k]))
				vp->controllers[k] = true;
		if (controller_named(c->u.s.ptr, "CronJob"))
			cron = true;
	}
	bool any = false;
	for (int k = 0; k < 6; k++)
		any |= vp->controllers[k];
	rw r_ctl = {.from = {"object.spec", "oldObject.spec", "object.metadata", "oldObject.metadata"},
	            .to = {"object.spec.template.spec", "oldObject.spec.template.spec",
	                   "object.spec.template.metadata", "oldObject.spec.template.metadata"}};
	rw r_cj = {.from = {"object.spec", "oldObject.spec", "object.metadata", "oldObject.metadata"},
	           .to = {"object.spec.jobTemplate.spec.template.spec",
	                  "oldObject.spec.jobTemplate.spec.template.spec",
	                  "object.spec.jobTemplate.spec.template.metadata",
	                  "oldObject.spec.jobTemplate.spec.template.metadata"}};
	if ((any && compile_form(a, vp, FORM_CONTROLLER, spec, &r_ctl) < 0) ||
	    (cron && compile_form(a, vp, FORM_CRONJOB, spec, &r_cj) < 0))
		return gr_error_set(err, 0, 0, "out of memory compiling ValidatingPolicy %s", name);
	return 0;
}

const char *ky_vpol_name(const ky_vpol *vp)
{
	return vp->name;
}

void ky_vpol_free(ky_vpol *vp)
{
	if (!vp)
		return;
	for (int f = 0; f < NFORMS; f++)
		gri_vap_program_free(&vp->prog[f]);
	free(vp);
}

/* The first validation that errors or denies, in order. */
typedef struct outcome {
	gr_kyverno_status status;
	const char *message;
	gr_arena *arena;
} outcome;

static void on_error(void *user, const char *what, const char *msg)
{
	outcome *o = user;
	if (o->status != GR_KY_PASS || !strcmp(what, "auditAnnotation"))
		return;
	o->status = GR_KY_ERROR;
	o->message = gr_arena_printf(o->arena, "%s: %s", what, msg);
}

static void on_deny(void *user, const char *msg, const char *reason)
{
	outcome *o = user;
	(void)reason;
	if (o->status != GR_KY_PASS)
		return;
	o->status = GR_KY_FAIL;
	o->message = gr_arena_strdup(o->arena, msg);
}

static bool selector_ok(const gr_value *sel, const gr_value *labels)
{
	if (!gr_is(sel, GR_OBJECT))
		return true;
	return gri_label_selector_matches(sel, labels, false);
}

/* Which form of the policy judges the object: -1 none. */
static int form_for(const ky_eval *ev, const ky_vpol *vp, bool namespaced)
{
	const gr_value *c = vp->constraints;
	const char *mp = gr_get_str(c, "matchPolicy");
	bool equivalent = !mp || strcmp(mp, "Exact") != 0;
	const char *op = ev->operation;
	if (gri_vap_rules_match(gr_get(c, "excludeResourceRules"), ev->r_group, ev->r_version, ev->r_kind,
	                        ev->r_name, namespaced, op, equivalent))
		return -1;
	if (gri_vap_rules_match(gr_get(c, "resourceRules"), ev->r_group, ev->r_version, ev->r_kind,
	                        ev->r_name, namespaced, op, equivalent))
		return FORM_SELF;
	/* autogen: the policy's operations apply to the controllers */
	const gr_value *rules = gr_get(c, "resourceRules");
	const gr_value *ops =
	        gr_is(rules, GR_ARRAY) && rules->u.a.len ? gr_get(&rules->u.a.items[0], "operations") : NULL;
	bool op_ok = !ops;
	for (size_t i = 0; gr_is(ops, GR_ARRAY) && i < ops->u.a.len; i++)
		op_ok |= gr_is(&ops->u.a.items[i], GR_STRING) &&
		         (!strcmp(ops->u.a.items[i].u.s.ptr, op) || !strcmp(ops->u.a.items[i].u.s.ptr, "*"));
	if (!op_ok)
		return -1;
	if (vp->has_form[FORM_CRONJOB] && !strcmp(ev->r_kind, "CronJob") && !strcmp(ev->r_group, "batch"))
		return FORM_CRONJOB;
	if (vp->has_form[FORM_CONTROLLER])
		for (int k = 0; k < 6; k++)
			if (vp->controllers[k] && !strcmp(ev->r_kind, controller_kinds[k]))
				return FORM_CONTROLLER;
	return -1;
}

void ky_eval_vpols(ky_eval *ev, gr_kyverno_sink sink, void *user, int *count)
{
	const gr_kyverno_set *set = ev->set;
	const char *ns = ev->ns ? ev->ns : "";
	bool namespaced = ns[0] || !ky_is_cluster_scoped(ev->r_kind);
	for (size_t i = 0; i < set->nvpols; i++) {
		const ky_vpol *vp = set->vpols[i];
		if ((ev->req->admission && vp->no_admission) || (ev->req->background && vp->no_background))
			continue;
		int form = form_for(ev, vp, namespaced);
		if (form < 0)
			continue;
		const gr_value *c = vp->constraints;
		const gr_value *labels = gr_get_path(ev->object, "metadata", "labels", NULL);
		if (!selector_ok(gr_get(c, "objectSelector"), labels))
			continue;
		const gr_value *nsel = gr_get(c, "namespaceSelector");
		bool ns_unknown = false;
		if (gr_is(nsel, GR_OBJECT) && ns[0]) {
			const gr_value *nsl = ev->req->namespace_labels
			                              ? ev->req->namespace_labels(ev->req->user, ns)
			                              : NULL;
			const gr_value *ml = gr_get(nsel, "matchLabels"),
			               *me = gr_get(nsel, "matchExpressions");
			bool any =
			        (gr_is(ml, GR_OBJECT) && ml->u.o.len) || (gr_is(me, GR_ARRAY) && me->u.a.len);
			/* at admission a Namespace not among the policy files has labels
			 * nobody knows: the policy might apply */
			if (!nsl && ev->req->count_unknown && any)
				ns_unknown = true;
			else if (!selector_ok(nsel, nsl))
				continue;
		}
		gr_kyverno_response resp = {
		        .policy = vp->name,
		        .rule = "",
		        .base_rule = "",
		        .enforce = vp->enforce,
		        .path = "",
		        .policy_file = vp->file,
		        .line = vp->line,
		        .column = vp->column,
		};
		if (ns_unknown) {
			resp.status = GR_KY_NOT_EVALUATED;
			resp.message =
			        ev->req->admission
			                ? "namespaceSelector: the namespace's labels are not known at "
			                  "admission (give its Namespace object among the policy files)"
			                : "namespaceSelector: the namespace's labels are not known (its "
			                  "Namespace object is not among the inputs)";
		} else if (vp->not_evaluated) {
			resp.status = GR_KY_NOT_EVALUATED;
			resp.message = vp->not_evaluated;
		} else {
			gr_cel_value vars[GRI_VAP_NVARS];
			const char *op = ev->operation;
			const gr_value *old = gr_get_path(&ev->ctx, "request", "oldObject", NULL);
			if (!old && strcmp(op, "UPDATE") == 0)
				old = ev->req->old_object ? ev->req->old_object : ev->object;
			vars[GRI_VAP_OBJECT] =
			        !strcmp(op, "DELETE") ? gr_cel_null() : gr_cel_from_json(ev->object);
			vars[GRI_VAP_OLD] = gr_is(old, GR_OBJECT) ? gr_cel_from_json(old) : gr_cel_null();
			vars[GRI_VAP_REQUEST] = gri_vap_request(ev->arena, ev->r_group, ev->r_version,
			                                        ev->r_kind, ev->r_name, ns, op, NULL);
			vars[GRI_VAP_PARAMS] = gr_cel_null();
			vars[GRI_VAP_NSOBJ] = ns[0] && strcmp(ev->r_kind, "Namespace")
			                              ? ky_namespace_object(ev->arena, ns)
			                              : gr_cel_null();
			vars[GRI_VAP_VARIABLES] = gr_cel_null();
			vars[GRI_VAP_AUTHORIZER] = gr_cel_unbound();
			vars[GRI_VAP_REQRES] = gr_cel_unbound();
			outcome o = {.status = GR_KY_PASS, .arena = ev->arena};
			gri_vap_sink s = {.error = on_error, .deny = on_deny, .user = &o};
			const gri_vap_program *prog = &vp->prog[form];
			if (prog->uses_authorizer) {
				resp.status = GR_KY_NOT_EVALUATED;
				resp.message =
				        "ValidatingPolicy expressions using authorizer are not evaluated (no "
				        "cluster to answer permission checks offline)";
			} else if (gri_vap_run(prog, vars, ev->arena, &s) == 0) {
				resp.status = GR_KY_SKIP;
				resp.message = "match conditions not met";
			} else {
				resp.status = o.status;
				resp.message = o.status == GR_KY_PASS ? "success" : o.message;
			}
		}
		if (sink)
			sink(user, &resp);
		(*count)++;
	}
}
