/*
 * vap.c — the `vap` engine: admissionregistration.k8s.io/v1
 * ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding, from the
 * inputs or from `policy` files, applied to every object as an API server
 * would admit it on CREATE.
 *
 * For each binding whose policy exists: the policy's and the binding's
 * matchConstraints/matchResources (resourceRules and excludeResourceRules
 * by API group, version and resource — the resource is the kind's plural;
 * namespaceSelector and objectSelector by matchLabels and matchExpressions),
 * paramKind/paramRef (params from the inputs), matchConditions, variables,
 * validations (message, messageExpression, reason) and auditAnnotations are
 * compiled once; `object`, `oldObject` (null offline; the request's on an
 * UPDATE in the webhook), `request` (synthesized for a CREATE offline; the
 * AdmissionRequest itself in the webhook), `params`, `namespaceObject` and `variables` are bound. A failed
 * validation is a `vap.<policy>` finding acting as the binding's
 * validationActions say (Deny: enforce, Warn: warn, Audit: audit), worded
 * as the API server words it; an expression error follows failurePolicy.
 * `authorizer` is not available offline: a policy that uses it is counted
 * as not evaluated, with that reason.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/cel.h"
#include "guardrail/decode.h"
#include "guardrail/engine.h"
#include "guardrail/inputs.h"
#include "guardrail/set.h"

enum { V_OBJECT, V_OLD, V_REQUEST, V_PARAMS, V_NSOBJ, V_VARIABLES, V_AUTHORIZER, V_COUNT };
static const char *const var_names[V_COUNT] = {"object",          "oldObject", "request",   "params",
                                               "namespaceObject", "variables", "authorizer"};

typedef struct vexpr {
	const char *text;
	gr_cel_program *prog;
	char error[300]; /* compile error, or "" */
} vexpr;

typedef struct vvalidation {
	vexpr expr, msg_expr;
	const char *message, *reason;
} vvalidation;

typedef struct vpolicy {
	const char *name;
	const gr_value *spec;
	vexpr *conditions;
	size_t nconditions;
	vexpr *variables;
	const char **var_names;
	size_t nvariables;
	vvalidation *validations;
	size_t nvalidations;
	bool fail_ignore; /* failurePolicy: Ignore */
	bool uses_authorizer;
} vpolicy;

typedef struct vap_config {
	char **paths;
	size_t npaths;
	int kubernetes_minor; /* the API server's environment (--kubernetes-version); 0 the newest */
} vap_config;

typedef struct vap_prepared {
	gr_arena arena;
	char **data;
	size_t ndata;
	vpolicy *policies;
	size_t npolicies;
	const gr_value **bindings;
	size_t nbindings;
	const gr_set *set;
	int kubernetes_minor;
} vap_prepared;

static int config_new(void **out, gr_error *err)
{
	vap_config *c = calloc(1, sizeof *c);
	if (!c)
		return gr_error_set(err, 0, 0, "out of memory");
	*out = c;
	return 0;
}

static int config_set(void *p, const char *key, const char *value, gr_error *err)
{
	vap_config *c = p;
	if (!strcmp(key, "kubernetes-version")) {
		/* "1.30" or "v1.30": the CEL environment of that API server */
		const char *dot = value ? strchr(value, '.') : NULL;
		c->kubernetes_minor = dot ? atoi(dot + 1) : 0;
		return 0;
	}
	if (strcmp(key, "policy") != 0)
		return gr_error_set(err, 0, 0, "unknown option \"%.100s\" (policy, kubernetes-version)", key);
	if (!value || !*value)
		return gr_error_set(err, 0, 0, "option policy wants a path");
	char **v = realloc(c->paths, (c->npaths + 1) * sizeof *v);
	if (!v)
		return gr_error_set(err, 0, 0, "out of memory");
	c->paths = v;
	if (!(v[c->npaths] = strdup(value)))
		return gr_error_set(err, 0, 0, "out of memory");
	c->npaths++;
	return 0;
}

static void config_free(void *p)
{
	vap_config *c = p;
	if (!c)
		return;
	for (size_t i = 0; i < c->npaths; i++)
		free(c->paths[i]);
	free(c->paths);
	free(c);
}

/* Compiled as the API server's admission compiler does: Kubernetes' base
 * environment at the selected version, its program options (cel-go's
 * OptOptimize folds constant literals and conversions, which then cost
 * nothing) and the per-call cost limit. */
static void compile_expr(vexpr *e, const char *text, bool *uses_authz, int minor)
{
	e->text = text;
	e->error[0] = 0;
	if (!text) {
		snprintf(e->error, sizeof e->error, "expression is missing");
		return;
	}
	gr_cel_options o;
	gr_cel_options_default(&o);
	o.kubernetes = true;
	o.homogeneous_literals = true;
	o.duration_total_ms = true;
	o.fold_constants = true;
	o.kubernetes_minor = minor;
	o.cost_limit = 1000000;
	gr_cel_env *env = gr_cel_env_new(&o);
	if (!env) {
		snprintf(e->error, sizeof e->error, "out of memory");
		return;
	}
	for (int i = 0; i < V_COUNT; i++)
		gr_cel_env_declare(env, var_names[i], NULL);
	gr_cel_error err;
	if (gr_cel_compile(env, text, strlen(text), &e->prog, &err) != 0)
		snprintf(e->error, sizeof e->error, "compilation failed: ERROR: <input>:1:%u: %.200s",
		         err.column, err.message);
	else if (uses_authz && gr_cel_uses(e->prog, V_AUTHORIZER))
		*uses_authz = true;
	gr_cel_env_free(env);
}

static const gr_value *array_of(const gr_value *v, const char *key)
{
	const gr_value *a = gr_get(v, key);
	return gr_is(a, GR_ARRAY) ? a : NULL;
}

static void add_policy(vap_prepared *s, const gr_value *root)
{
	vpolicy *grown = realloc(s->policies, (s->npolicies + 1) * sizeof *grown);
	if (!grown)
		return;
	s->policies = grown;
	vpolicy *p = &s->policies[s->npolicies++];
	memset(p, 0, sizeof *p);
	p->name = gr_get_str(gr_get(root, "metadata"), "name");
	if (!p->name)
		p->name = "";
	p->spec = gr_get(root, "spec");
	const char *fp = gr_get_str(p->spec, "failurePolicy");
	p->fail_ignore = fp && !strcmp(fp, "Ignore");
	const gr_value *mc = array_of(p->spec, "matchConditions");
	if (mc) {
		p->conditions = calloc(mc->u.a.len, sizeof *p->conditions);
		for (size_t i = 0; p->conditions && i < mc->u.a.len; i++)
			compile_expr(&p->conditions[p->nconditions++],
			             gr_get_str(&mc->u.a.items[i], "expression"), &p->uses_authorizer,
			             s->kubernetes_minor);
	}
	const gr_value *vars = array_of(p->spec, "variables");
	if (vars) {
		p->variables = calloc(vars->u.a.len, sizeof *p->variables);
		p->var_names = calloc(vars->u.a.len, sizeof *p->var_names);
		for (size_t i = 0; p->variables && p->var_names && i < vars->u.a.len; i++) {
			p->var_names[p->nvariables] = gr_get_str(&vars->u.a.items[i], "name");
			compile_expr(&p->variables[p->nvariables++],
			             gr_get_str(&vars->u.a.items[i], "expression"), &p->uses_authorizer,
			             s->kubernetes_minor);
		}
	}
	const gr_value *vals = array_of(p->spec, "validations");
	if (vals) {
		p->validations = calloc(vals->u.a.len, sizeof *p->validations);
		for (size_t i = 0; p->validations && i < vals->u.a.len; i++) {
			const gr_value *v = &vals->u.a.items[i];
			vvalidation *vv = &p->validations[p->nvalidations++];
			compile_expr(&vv->expr, gr_get_str(v, "expression"), &p->uses_authorizer,
			             s->kubernetes_minor);
			vv->message = gr_get_str(v, "message");
			vv->reason = gr_get_str(v, "reason");
			const char *me = gr_get_str(v, "messageExpression");
			if (me)
				compile_expr(&vv->msg_expr, me, NULL, s->kubernetes_minor);
		}
	}
}

static void free_expr(vexpr *e)
{
	gr_cel_free(e->prog);
}

static void prepared_free(void *p)
{
	vap_prepared *s = p;
	if (!s)
		return;
	for (size_t i = 0; i < s->npolicies; i++) {
		vpolicy *v = &s->policies[i];
		for (size_t k = 0; k < v->nconditions; k++)
			free_expr(&v->conditions[k]);
		for (size_t k = 0; k < v->nvariables; k++)
			free_expr(&v->variables[k]);
		for (size_t k = 0; k < v->nvalidations; k++) {
			free_expr(&v->validations[k].expr);
			free_expr(&v->validations[k].msg_expr);
		}
		free(v->conditions);
		free(v->variables);
		free(v->var_names);
		free(v->validations);
	}
	free(s->policies);
	free(s->bindings);
	for (size_t i = 0; i < s->ndata; i++)
		free(s->data[i]);
	free(s->data);
	gr_arena_free(&s->arena);
	free(s);
}

static bool is_kind(const gr_value *root, const char *kind)
{
	const char *av = gr_get_str(root, "apiVersion"), *k = gr_get_str(root, "kind");
	return av && k && !strncmp(av, "admissionregistration.k8s.io/", 29) && !strcmp(k, kind);
}

static void take(vap_prepared *s, const gr_value *root)
{
	if (is_kind(root, "ValidatingAdmissionPolicy"))
		add_policy(s, root);
	else if (is_kind(root, "ValidatingAdmissionPolicyBinding")) {
		const gr_value **b = realloc(s->bindings, (s->nbindings + 1) * sizeof *b);
		if (b) {
			s->bindings = b;
			s->bindings[s->nbindings++] = root;
		}
	}
}

static int load_file(vap_prepared *s, const char *path, gr_error *err)
{
	char *data;
	size_t len;
	if (gr_read_file(path, 0, &data, &len, err) != 0) {
		gr_error_set_file(err, path);
		return -1;
	}
	char **d = realloc(s->data, (s->ndata + 1) * sizeof *d);
	if (!d) {
		free(data);
		return gr_error_set(err, 0, 0, "out of memory");
	}
	s->data = d;
	s->data[s->ndata++] = data;
	gr_document *docs;
	size_t n;
	if (gr_decode(&s->arena, data, len, NULL, &docs, &n, err) != 0) {
		gr_error_set_file(err, path);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		take(s, &docs[i].root);
	return 0;
}

static int prepare(const void *config, const void *base, const gr_set *set, void **out, gr_error *err)
{
	const vap_config *c = config;
	(void)base;
	vap_prepared *s = calloc(1, sizeof *s);
	if (!s)
		return gr_error_set(err, 0, 0, "out of memory");
	gr_arena_init(&s->arena);
	s->set = set;
	s->kubernetes_minor = c->kubernetes_minor;
	for (size_t i = 0; i < c->npaths; i++)
		if (load_file(s, c->paths[i], err) < 0) {
			prepared_free(s);
			return -1;
		}
	static const char *const kinds[] = {"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"};
	for (int k = 0; set && k < 2; k++) {
		const size_t *idx;
		size_t n = gr_set_kind(set, "admissionregistration.k8s.io", kinds[k], &idx);
		for (size_t i = 0; i < n; i++) {
			const gr_object *o = gr_set_object(set, idx[i]);
			if (o->root)
				take(s, o->root);
		}
	}
	*out = s;
	return 0;
}

/* ---- matching ---- */

/* The resource (plural) of a kind, as the API server's RESTMapper guesses it. */
static void plural(const char *kind, char *out, size_t cap)
{
	size_t n = strlen(kind), o = 0;
	for (size_t i = 0; i < n && o + 4 < cap; i++)
		out[o++] = (char)tolower((unsigned char)kind[i]);
	out[o] = 0;
	if (!o)
		return;
	char last = out[o - 1];
	if (last == 's' || last == 'x' || (o >= 2 && out[o - 2] == 'c' && last == 'h') ||
	    (o >= 2 && out[o - 2] == 's' && last == 'h'))
		snprintf(out + o, cap - o, "es");
	else if (last == 'y' && o >= 2 && !strchr("aeiou", out[o - 2])) {
		out[o - 1] = 0;
		snprintf(out + o - 1, cap - o + 1, "ies");
	} else
		snprintf(out + o, cap - o, "s");
}

static bool list_has(const gr_value *list, const char *s)
{
	if (!gr_is(list, GR_ARRAY))
		return false;
	for (size_t i = 0; i < list->u.a.len; i++) {
		const gr_value *v = &list->u.a.items[i];
		if (gr_is(v, GR_STRING) && (!strcmp(v->u.s.ptr, "*") || !strcmp(v->u.s.ptr, s)))
			return true;
	}
	return false;
}

static bool rule_matches(const gr_value *r, const gr_object *o, const char *op)
{
	char res[160];
	plural(o->kind, res, sizeof res);
	const gr_value *ops = gr_get(r, "operations");
	if (ops && !list_has(ops, op))
		return false;
	return list_has(gr_get(r, "apiGroups"), o->group) && list_has(gr_get(r, "apiVersions"), o->version) &&
	       list_has(gr_get(r, "resources"), res);
}

static const char *label_of(const gr_value *labels, const char *key)
{
	const gr_value *v = gr_get(labels, key);
	return gr_is(v, GR_STRING) ? v->u.s.ptr : NULL;
}

/* A LabelSelector over a labels map (NULL: no labels). */
static bool selector_matches(const gr_value *sel, const gr_value *labels)
{
	if (!sel || !gr_is(sel, GR_OBJECT))
		return true;
	const gr_value *ml = gr_get(sel, "matchLabels");
	for (size_t i = 0; gr_is(ml, GR_OBJECT) && i < ml->u.o.len; i++) {
		const gr_member *m = &ml->u.o.members[i];
		const char *v = label_of(labels, m->key);
		if (!v || !gr_is(&m->value, GR_STRING) || strcmp(v, m->value.u.s.ptr))
			return false;
	}
	const gr_value *me = gr_get(sel, "matchExpressions");
	for (size_t i = 0; gr_is(me, GR_ARRAY) && i < me->u.a.len; i++) {
		const gr_value *e = &me->u.a.items[i];
		const char *key = gr_get_str(e, "key"), *op = gr_get_str(e, "operator");
		const gr_value *vals = gr_get(e, "values");
		if (!key || !op)
			return false;
		const char *v = label_of(labels, key);
		if (!strcmp(op, "In") && !(v && list_has(vals, v)))
			return false;
		if (!strcmp(op, "NotIn") && v && list_has(vals, v))
			return false;
		if (!strcmp(op, "Exists") && !v)
			return false;
		if (!strcmp(op, "DoesNotExist") && v)
			return false;
	}
	return true;
}

static const gr_value *namespace_object(const vap_prepared *s, const gr_object *o)
{
	if (!o->namespace_[0] || !s->set)
		return NULL;
	const gr_object *ns = gr_set_find(s->set, "", "Namespace", "", o->namespace_);
	return ns ? ns->root : NULL;
}

/* matchConstraints / matchResources */
static bool resources_match(const vap_prepared *s, const gr_value *m, const gr_object *o,
                            const gr_value *nsobj, const char *op)
{
	if (!m)
		return true;
	const gr_value *rules = gr_get(m, "resourceRules");
	if (gr_is(rules, GR_ARRAY)) {
		bool any = false;
		for (size_t i = 0; i < rules->u.a.len && !any; i++)
			any = rule_matches(&rules->u.a.items[i], o, op);
		if (!any)
			return false;
	}
	const gr_value *ex = gr_get(m, "excludeResourceRules");
	for (size_t i = 0; gr_is(ex, GR_ARRAY) && i < ex->u.a.len; i++)
		if (rule_matches(&ex->u.a.items[i], o, op))
			return false;
	const gr_value *labels = gr_get(gr_get(o->root, "metadata"), "labels");
	if (!selector_matches(gr_get(m, "objectSelector"), labels))
		return false;
	const gr_value *nsel = gr_get(m, "namespaceSelector");
	if (nsel && o->namespace_[0]) {
		const gr_value *nsl = nsobj ? gr_get(gr_get(nsobj, "metadata"), "labels") : NULL;
		if (!nsobj && (gr_get(nsel, "matchLabels") || gr_get(nsel, "matchExpressions")))
			return false; /* the namespace is not among the inputs: its labels are unknown */
		if (!selector_matches(nsel, nsl))
			return false;
	}
	(void)s;
	return true;
}

/* ---- evaluation ---- */

typedef struct vrun {
	const vap_prepared *s;
	const gr_object *obj;
	gr_check_ctx *ctx;
	gr_findings *out;
	gr_arena *arena;
	gr_cel_value vars[V_COUNT];
	const vpolicy *p;
	const char *binding;
	gr_action action;
	bool audit_only;
} vrun;

static void report(vrun *r, gr_severity sev, gr_action act, const char *reason, const char *fmt,
                   const char *msg)
{
	gr_finding *f = gr_findings_add(r->out);
	if (!f)
		return;
	gr_arena *a = r->out->arena;
	f->rule = gr_arena_printf(a, "vap.%s", r->p->name);
	f->severity = sev;
	f->action = act;
	f->object = r->obj;
	f->file = r->obj->file;
	f->document = r->obj->document;
	f->path = "";
	f->line = r->obj->root ? r->obj->root->line : 0;
	f->column = r->obj->root ? r->obj->root->column : 0;
	/* a Warn (or Audit-only) binding words it as the API server's warning */
	if (act != GR_ACTION_ENFORCE)
		fmt = "Validation failed for ValidatingAdmissionPolicy '%s' with binding '%s': %s";
	f->message = gr_arena_printf(a, fmt, r->p->name, r->binding, msg);
	f->remediation = "Change the object so that the policy's validation holds (the message says which).";
	f->doc = "docs/rules/vap.md";
	f->reason = reason ? reason : "Invalid";
}

/* 1 true, 0 false, -1 error (message in err). */
static int eval_bool(vrun *r, const vexpr *e, gr_cel_value *out, char *err, size_t cap)
{
	if (!e->prog) {
		snprintf(err, cap, "%s", e->error);
		return -1;
	}
	gr_cel_error ce;
	gr_cel_value v;
	if (gr_cel_eval(e->prog, r->vars, V_COUNT, r->arena, &v, NULL, &ce) != 0) {
		snprintf(err, cap, "%s", ce.message);
		return -1;
	}
	if (out)
		*out = v;
	if (v.kind != GR_CEL_BOOL) {
		snprintf(err, cap, "expression did not evaluate to a bool");
		return -1;
	}
	return v.u.b;
}

static void expression_error(vrun *r, const char *what, const char *msg)
{
	if (r->p->fail_ignore)
		return;
	char m[700];
	snprintf(m, sizeof m, "%s: %s", what, msg);
	report(r, r->action == GR_ACTION_ENFORCE ? GR_SEV_ERROR : GR_SEV_WARNING, r->action, "Invalid",
	       "ValidatingAdmissionPolicy '%s' with binding '%s' denied request: %s", m);
}

static void run_policy(vrun *r)
{
	const vpolicy *p = r->p;
	char err[600];
	for (size_t i = 0; i < p->nconditions; i++) {
		int c = eval_bool(r, &p->conditions[i], NULL, err, sizeof err);
		if (c == 0)
			return; /* a false matchCondition: the policy does not apply */
		if (c < 0) {
			expression_error(r, "matchCondition", err);
			return;
		}
	}
	/* variables, in order, each seeing the ones before */
	gr_cel_value *keys = gr_arena_alloc(r->arena, (p->nvariables + 1) * sizeof *keys);
	gr_cel_value *vals = gr_arena_alloc(r->arena, (p->nvariables + 1) * sizeof *vals);
	if (!keys || !vals)
		return;
	size_t nv = 0;
	r->vars[V_VARIABLES] = gr_cel_make_map(r->arena, keys, vals, 0);
	for (size_t i = 0; i < p->nvariables; i++) {
		const vexpr *e = &p->variables[i];
		gr_cel_error ce;
		gr_cel_value v;
		if (!e->prog) {
			expression_error(r, "variable", e->error);
			return;
		}
		if (gr_cel_eval(e->prog, r->vars, V_COUNT, r->arena, &v, NULL, &ce) != 0) {
			char m[400];
			snprintf(m, sizeof m, "%s: %s", p->var_names[i] ? p->var_names[i] : "?", ce.message);
			expression_error(r, "variable", m);
			return;
		}
		const char *name = p->var_names[i] ? p->var_names[i] : "";
		keys[nv] = gr_cel_string(name, strlen(name));
		vals[nv++] = v;
		r->vars[V_VARIABLES] = gr_cel_make_map(r->arena, keys, vals, nv);
	}
	for (size_t i = 0; i < p->nvalidations; i++) {
		const vvalidation *vv = &p->validations[i];
		gr_cel_value res;
		int c = eval_bool(r, &vv->expr, &res, err, sizeof err);
		if (c < 0) {
			expression_error(r, "expression", err);
			continue;
		}
		if (c)
			continue;
		char msg[1200];
		if (vv->message)
			snprintf(msg, sizeof msg, "%s", vv->message);
		else
			snprintf(msg, sizeof msg, "failed expression: %s", vv->expr.text);
		if (vv->msg_expr.prog) {
			gr_cel_error ce;
			gr_cel_value mv;
			if (gr_cel_eval(vv->msg_expr.prog, r->vars, V_COUNT, r->arena, &mv, NULL, &ce) == 0 &&
			    mv.kind == GR_CEL_STRING && mv.u.s.len && !memchr(mv.u.s.ptr, '\n', mv.u.s.len))
				snprintf(msg, sizeof msg, "%.*s", (int)mv.u.s.len, mv.u.s.ptr);
		}
		report(r, r->action == GR_ACTION_ENFORCE ? GR_SEV_ERROR : GR_SEV_WARNING, r->action,
		       vv->reason ? vv->reason : "Invalid",
		       "ValidatingAdmissionPolicy '%s' with binding '%s' denied request: %s", msg);
	}
}

/* request, as an AdmissionRequest for operation op (CREATE offline) of obj. */
static gr_cel_value synth_request(gr_arena *a, const gr_object *o, const char *op)
{
	char res[160];
	plural(o->kind, res, sizeof res);
	char *json = gr_arena_printf(
	        a,
	        "{\"operation\":\"%s\",\"kind\":{\"group\":\"%s\",\"version\":\"%s\",\"kind\":\"%s\"},"
	        "\"resource\":{\"group\":\"%s\",\"version\":\"%s\",\"resource\":\"%s\"},\"name\":\"%s\","
	        "\"namespace\":\"%s\",\"dryRun\":false,\"userInfo\":{\"username\":\"\",\"groups\":[]}}",
	        op, o->group, o->version, o->kind, o->group, o->version, res, o->name, o->namespace_);
	gr_value *v = gr_arena_alloc(a, sizeof *v);
	gr_error err;
	if (!json || !v || gr_decode_json(a, json, strlen(json), NULL, v, &err) != 0)
		return gr_cel_null();
	return gr_cel_from_json(v);
}

static gr_action action_of(const gr_value *binding, bool *audit)
{
	const gr_value *acts = gr_get(gr_get(binding, "spec"), "validationActions");
	bool deny = false, warn = false;
	*audit = false;
	for (size_t i = 0; gr_is(acts, GR_ARRAY) && i < acts->u.a.len; i++) {
		const char *s = acts->u.a.items[i].type == GR_STRING ? acts->u.a.items[i].u.s.ptr : "";
		deny |= !strcmp(s, "Deny");
		warn |= !strcmp(s, "Warn");
		*audit |= !strcmp(s, "Audit");
	}
	return deny ? GR_ACTION_ENFORCE : warn ? GR_ACTION_WARN : GR_ACTION_AUDIT;
}

static int check(const void *prepared, const gr_object *obj, gr_check_ctx *ctx, gr_findings *out,
                 gr_error *err)
{
	const vap_prepared *s = prepared;
	(void)err;
	if (!obj->root || obj->root->type != GR_OBJECT || !s->nbindings)
		return 0;
	if (is_kind(obj->root, "ValidatingAdmissionPolicy") ||
	    is_kind(obj->root, "ValidatingAdmissionPolicyBinding"))
		return 0;
	const gr_value *nsobj = namespace_object(s, obj);
	/* an admission request (the webhook) gives the operation, the old
	 * object and the request itself; offline, a CREATE is synthesized */
	const char *op = ctx->operation && ctx->operation[0] ? ctx->operation : "CREATE";
	for (size_t b = 0; b < s->nbindings; b++) {
		const gr_value *binding = s->bindings[b];
		const gr_value *bspec = gr_get(binding, "spec");
		const char *pname = gr_get_str(bspec, "policyName");
		const vpolicy *p = NULL;
		for (size_t i = 0; pname && i < s->npolicies; i++)
			if (!strcmp(s->policies[i].name, pname))
				p = &s->policies[i];
		if (!p)
			continue;
		if (!resources_match(s, gr_get(p->spec, "matchConstraints"), obj, nsobj, op) ||
		    !resources_match(s, gr_get(bspec, "matchResources"), obj, nsobj, op))
			continue;
		if (p->uses_authorizer) {
			ctx->not_evaluated += p->nvalidations ? p->nvalidations : 1;
			ctx->not_evaluated_reason = "ValidatingAdmissionPolicy expressions using authorizer "
			                            "(no API server offline)";
			continue;
		}
		vrun r;
		memset(&r, 0, sizeof r);
		r.s = s;
		r.obj = obj;
		r.ctx = ctx;
		r.out = out;
		r.arena = ctx->arena;
		r.p = p;
		r.binding = gr_get_str(gr_get(binding, "metadata"), "name");
		if (!r.binding)
			r.binding = "";
		r.action = action_of(binding, &r.audit_only);
		r.vars[V_OBJECT] = gr_cel_from_json(obj->root);
		r.vars[V_OLD] = ctx->old_object ? gr_cel_from_json(ctx->old_object) : gr_cel_null();
		r.vars[V_REQUEST] =
		        ctx->request ? gr_cel_from_json(ctx->request) : synth_request(ctx->arena, obj, op);
		r.vars[V_NSOBJ] = nsobj ? gr_cel_from_json(nsobj) : gr_cel_null();
		r.vars[V_AUTHORIZER] = gr_cel_unbound();
		r.vars[V_PARAMS] = gr_cel_null();
		const gr_value *pk = gr_get(p->spec, "paramKind");
		const gr_value *pr = gr_get(bspec, "paramRef");
		if (pk && pr) {
			const char *pav = gr_get_str(pk, "apiVersion"), *pkind = gr_get_str(pk, "kind");
			const char *pn = gr_get_str(pr, "name"), *pns = gr_get_str(pr, "namespace");
			const char *slash = pav ? strchr(pav, '/') : NULL;
			char group[128] = "";
			if (slash)
				snprintf(group, sizeof group, "%.*s", (int)(slash - pav), pav);
			const gr_object *param =
			        pkind && pn && s->set
			                ? gr_set_find(s->set, group, pkind, pns ? pns : obj->namespace_, pn)
			                : NULL;
			if (!param || !param->root) {
				const char *action = gr_get_str(pr, "parameterNotFoundAction");
				if (action && !strcmp(action, "Allow"))
					continue;
				report(&r, r.action == GR_ACTION_ENFORCE ? GR_SEV_ERROR : GR_SEV_WARNING,
				       r.action, "Invalid",
				       "ValidatingAdmissionPolicy '%s' with binding '%s' denied request: %s",
				       "no params found for policy binding with `Deny` "
				       "parameterNotFoundAction");
				continue;
			}
			r.vars[V_PARAMS] = gr_cel_from_json(param->root);
		}
		run_policy(&r);
	}
	return 0;
}

/* Bindings read the set (namespaces, params), but only for an object a
 * policy's resourceRules can match: that takes the object's group, version
 * and kind, all a light object keeps. Without bindings nothing judges obj —
 * unless the inputs hold policies or bindings (revoking_kinds). */
static bool needs_set(const void *prepared, const gr_object *obj)
{
	const vap_prepared *s = prepared;
	if (!s->nbindings || !obj->root || obj->root->type != GR_OBJECT)
		return false;
	for (size_t i = 0; i < s->npolicies; i++) {
		const gr_value *rules =
		        gr_get(gr_get(s->policies[i].spec, "matchConstraints"), "resourceRules");
		if (!gr_is(rules, GR_ARRAY))
			return true;
		for (size_t r = 0; r < rules->u.a.len; r++)
			for (size_t op = 0; op < 4; op++) /* whatever the operation judged */
				if (rule_matches(&rules->u.a.items[r], obj,
				                 (const char *const[]){"CREATE", "UPDATE", "DELETE",
				                                       "CONNECT"}[op]))
					return true;
	}
	return false;
}

static const char *const vap_revoking[] = {"admissionregistration.k8s.io/ValidatingAdmissionPolicy",
                                           "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
                                           NULL};

static const char *const vap_kinds[] = {"admissionregistration.k8s.io/ValidatingAdmissionPolicy",
                                        "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
                                        "Namespace", "ConfigMap", NULL};

const gr_engine gri_engine_vap = {
        .name = "vap",
        .summary = "ValidatingAdmissionPolicy and its bindings (CEL), as the API server admits a CREATE",
        .kinds = vap_kinds,
        .config_new = config_new,
        .config_set = config_set,
        .config_free = config_free,
        .prepare = prepare,
        .check = check,
        .prepared_free = prepared_free,
        .needs_set = needs_set,
        .revoking_kinds = vap_revoking,
};
