/*
 * vap_core.c — a ValidatingAdmissionPolicy's CEL, compiled once and
 * evaluated as the API server's validator does (matchConditions, then the
 * variables in order, each seeing those before it, then every validation,
 * then the audit annotations). Shared by the `vap` engine and Kyverno's
 * validate.cel rules; see vap_core.h.
 *
 * The API server evaluates a variable lazily, when an expression reaches
 * it (k8s.io/apiserver/pkg/admission/plugin/cel/composition.go): one that
 * fails to compile or to evaluate is an error only for the expressions
 * that use it, and not at all for one that is never reached (`a || b`,
 * `has(x) && variables.y`). Here each variable is evaluated once, in order,
 * and one that fails is bound to an error value: CEL propagates it only
 * through the expressions that reach it, which gives the same verdicts.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/buf.h"
#include "guardrail/decode.h"
#include "vap_core.h"

static const char *const var_names[GRI_VAP_NVARS] = {
        "object",          "oldObject", "request",    "params",
        "namespaceObject", "variables", "authorizer", "authorizer.requestResource"};

/* Compiled as the API server's admission compiler does: Kubernetes' base
 * environment at the selected version, its program options (cel-go's
 * OptOptimize folds constant literals and conversions, which then cost
 * nothing) and the per-call cost limit. */
static void compile_expr(gri_vap_program *p, gri_vap_expr *e, const char *text, int minor)
{
	e->text = text;
	e->error[0] = 0;
	e->prog = NULL;
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
	o.cost_limit = 1000000;
	o.kubernetes_minor = minor; /* --kubernetes-version: that API server's libraries */
	gr_cel_env *env = gr_cel_env_new(&o);
	if (!env) {
		p->oom = true;
		snprintf(e->error, sizeof e->error, "out of memory");
		return;
	}
	/* as the API server declares them: authorizer and
	 * authorizer.requestResource are typed, the rest dyn (a declaration
	 * that fails is memory run out: the name would read as undeclared) */
	bool declared = true;
	for (int i = 0; i < GRI_VAP_AUTHORIZER; i++)
		declared &= gr_cel_env_declare(env, var_names[i], NULL) == 0;
	declared &= gr_cel_env_declare_object(env, var_names[GRI_VAP_AUTHORIZER], GR_CEL_OBJ_AUTHORIZER) == 0;
	declared &= gr_cel_env_declare_object(env, var_names[GRI_VAP_REQRES], GR_CEL_OBJ_RESOURCE_CHECK) == 0;
	gr_cel_error err;
	if (!declared) {
		p->oom = true;
		snprintf(e->error, sizeof e->error, "out of memory");
	} else if (gr_cel_compile(env, text, strlen(text), &e->prog, &err) != 0) {
		e->prog = NULL;
		/* lib/cel reports memory run out as a limit with this message */
		if (err.type == GR_CEL_LIMIT && !strcmp(err.message, "out of memory"))
			p->oom = true;
		snprintf(e->error, sizeof e->error, "compilation failed: ERROR: <input>:1:%u: %.200s",
		         err.column, err.message);
	} else {
		if (gr_cel_uses(e->prog, GRI_VAP_AUTHORIZER) || gr_cel_uses(e->prog, GRI_VAP_REQRES))
			p->uses_authorizer = true;
		if (gr_cel_uses(e->prog, GRI_VAP_PARAMS))
			p->uses_params = true;
	}
	gr_cel_env_free(env);
}

static const gr_value *array(const gr_value *v)
{
	return gr_is(v, GR_ARRAY) ? v : NULL;
}

/* A qualified name's name part, as the API server validates an audit
 * annotation key: [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?, at most 63 bytes. */
static bool audit_key_valid(const char *k)
{
	size_t n = k ? strlen(k) : 0;
	if (n == 0 || n > 63 || !isalnum((unsigned char)k[0]) || !isalnum((unsigned char)k[n - 1]))
		return false;
	for (size_t i = 1; i + 1 < n; i++)
		if (!isalnum((unsigned char)k[i]) && k[i] != '-' && k[i] != '_' && k[i] != '.')
			return false;
	return true;
}

static void compile_audits(gri_vap_program *p, const gr_value *aa, int minor)
{
	if (!(aa = array(aa)))
		return;
	p->audits = calloc(aa->u.a.len, sizeof *p->audits);
	p->oom |= !p->audits;
	for (size_t i = 0; p->audits && i < aa->u.a.len; i++) {
		const gr_value *a = &aa->u.a.items[i];
		gri_vap_audit *va = &p->audits[p->naudits++];
		va->key = gr_get_str(a, "key");
		if (!audit_key_valid(va->key))
			snprintf(va->key_error, sizeof va->key_error,
			         "spec.auditAnnotations[%zu].key: Invalid value: \"%.63s\": a qualified name "
			         "of at most 63 characters is required",
			         i, va->key ? va->key : "");
		for (size_t j = 0; !va->key_error[0] && j + 1 < p->naudits; j++)
			if (p->audits[j].key && !strcmp(p->audits[j].key, va->key))
				snprintf(va->key_error, sizeof va->key_error,
				         "spec.auditAnnotations[%zu].key: Duplicate value: \"%s\"", i,
				         va->key);
		compile_expr(p, &va->expr, gr_get_str(a, "valueExpression"), minor);
		const char *t = va->expr.prog ? gr_cel_program_type(va->expr.prog) : NULL;
		if (t && strcmp(t, "string") && strcmp(t, "null_type") && strcmp(t, "dyn")) {
			snprintf(va->expr.error, sizeof va->expr.error,
			         "compilation failed: valueExpression must evaluate to string or null, not "
			         "%.60s",
			         t);
			gr_cel_free(va->expr.prog);
			va->expr.prog = NULL;
		}
	}
}

void gri_vap_compile(gri_vap_program *p, const gr_value *conditions, const gr_value *variables,
                     const gr_value *validations, const gr_value *audits, const char *default_message,
                     int minor)
{
	memset(p, 0, sizeof *p);
	const gr_value *mc = array(conditions);
	if (mc) {
		p->conditions = calloc(mc->u.a.len, sizeof *p->conditions);
		p->oom |= !p->conditions;
		for (size_t i = 0; p->conditions && i < mc->u.a.len; i++)
			compile_expr(p, &p->conditions[p->nconditions++],
			             gr_get_str(&mc->u.a.items[i], "expression"), minor);
	}
	const gr_value *vars = array(variables);
	if (vars) {
		p->variables = calloc(vars->u.a.len, sizeof *p->variables);
		p->var_names = calloc(vars->u.a.len, sizeof *p->var_names);
		p->oom |= !p->variables || !p->var_names;
		for (size_t i = 0; p->variables && p->var_names && i < vars->u.a.len; i++) {
			p->var_names[p->nvariables] = gr_get_str(&vars->u.a.items[i], "name");
			compile_expr(p, &p->variables[p->nvariables++],
			             gr_get_str(&vars->u.a.items[i], "expression"), minor);
		}
	}
	const gr_value *vals = array(validations);
	if (vals) {
		p->validations = calloc(vals->u.a.len, sizeof *p->validations);
		p->oom |= !p->validations;
		for (size_t i = 0; p->validations && i < vals->u.a.len; i++) {
			const gr_value *v = &vals->u.a.items[i];
			gri_vap_validation *vv = &p->validations[p->nvalidations++];
			compile_expr(p, &vv->expr, gr_get_str(v, "expression"), minor);
			vv->message = gr_get_str(v, "message");
			if (!vv->message || !vv->message[0])
				vv->message = default_message;
			vv->reason = gr_get_str(v, "reason");
			const char *me = gr_get_str(v, "messageExpression");
			if (me)
				compile_expr(p, &vv->msg_expr, me, minor);
		}
	}
	compile_audits(p, audits, minor);
}

void gri_vap_program_free(gri_vap_program *p)
{
	if (!p)
		return;
	for (size_t k = 0; k < p->nconditions; k++)
		gr_cel_free(p->conditions[k].prog);
	for (size_t k = 0; k < p->nvariables; k++)
		gr_cel_free(p->variables[k].prog);
	for (size_t k = 0; k < p->nvalidations; k++) {
		gr_cel_free(p->validations[k].expr.prog);
		gr_cel_free(p->validations[k].msg_expr.prog);
	}
	for (size_t k = 0; k < p->naudits; k++)
		gr_cel_free(p->audits[k].expr.prog);
	free(p->conditions);
	free(p->variables);
	free(p->var_names);
	free(p->validations);
	free(p->audits);
	memset(p, 0, sizeof *p);
}

/* 1 true, 0 false, -1 error (message in err). */
static int eval_bool(const gri_vap_expr *e, gr_cel_value *vars, gr_arena *a, char *err, size_t cap)
{
	if (!e->prog) {
		snprintf(err, cap, "%s", e->error);
		return -1;
	}
	gr_cel_error ce;
	gr_cel_value v;
	if (gr_cel_eval(e->prog, vars, GRI_VAP_NVARS, a, &v, NULL, &ce) != 0) {
		snprintf(err, cap, "%s", ce.message);
		return -1;
	}
	if (v.kind != GR_CEL_BOOL) {
		snprintf(err, cap, "expression did not evaluate to a bool");
		return -1;
	}
	return v.u.b;
}

static void run_audits(const gri_vap_program *p, gr_cel_value *vars, gr_arena *a, const gri_vap_sink *sink)
{
	for (size_t i = 0; i < p->naudits; i++) {
		const gri_vap_audit *va = &p->audits[i];
		char m[600];
		if (va->key_error[0]) {
			sink->error(sink->user, "auditAnnotation", va->key_error);
			continue;
		}
		if (!va->expr.prog) {
			snprintf(m, sizeof m, "%s: %s", va->key, va->expr.error);
			sink->error(sink->user, "auditAnnotation", m);
			continue;
		}
		gr_cel_error ce;
		gr_cel_value v;
		if (gr_cel_eval(va->expr.prog, vars, GRI_VAP_NVARS, a, &v, NULL, &ce) != 0) {
			snprintf(m, sizeof m, "valueExpression '%.200s' resulted in error: %.300s",
			         va->expr.text, ce.message);
			sink->error(sink->user, "auditAnnotation", m);
			continue;
		}
		if (v.kind == GR_CEL_NULL || (v.kind == GR_CEL_STRING && v.u.s.len == 0))
			continue;
		if (v.kind != GR_CEL_STRING) {
			snprintf(m, sizeof m,
			         "valueExpression '%.200s' resulted in unsupported return type: %s. Must "
			         "evaluate to string or null.",
			         va->expr.text, gr_cel_type_name(&v));
			sink->error(sink->user, "auditAnnotation", m);
			continue;
		}
		if (sink->audit)
			sink->audit(sink->user, va->key, v.u.s.ptr, v.u.s.len);
	}
}

int gri_vap_run(const gri_vap_program *p, gr_cel_value *vars, gr_arena *arena, const gri_vap_sink *sink)
{
	char err[600];
	if (p->oom) {
		sink->error(sink->user, "expression", "out of memory compiling the policy");
		return -1;
	}
	for (size_t i = 0; i < p->nconditions; i++) {
		int c = eval_bool(&p->conditions[i], vars, arena, err, sizeof err);
		if (c == 0)
			return 0; /* a false matchCondition: the policy does not apply */
		if (c < 0) {
			sink->error(sink->user, "matchCondition", err);
			return -1;
		}
	}
	/* variables, in order, each seeing the ones before */
	gr_cel_value *keys = gr_arena_alloc(arena, (p->nvariables + 1) * sizeof *keys);
	gr_cel_value *vals = gr_arena_alloc(arena, (p->nvariables + 1) * sizeof *vals);
	if (!keys || !vals) {
		sink->error(sink->user, "variable", "out of memory");
		return -1;
	}
	size_t nv = 0;
	vars[GRI_VAP_VARIABLES] = gr_cel_make_map(arena, keys, vals, 0);
	for (size_t i = 0; i < p->nvariables; i++) {
		const gri_vap_expr *e = &p->variables[i];
		const char *name = p->var_names[i] ? p->var_names[i] : "";
		gr_cel_error ce;
		gr_cel_value v;
		char m[600];
		m[0] = 0;
		if (!e->prog) /* the API server's wording (composition.go) */
			snprintf(m, sizeof m, "composited variable \"%s\" fails to compile: %s", name,
			         e->error);
		else if (gr_cel_eval(e->prog, vars, GRI_VAP_NVARS, arena, &v, NULL, &ce) != 0)
			snprintf(m, sizeof m, "composited variable \"%s\" fails to evaluate: %s", name,
			         ce.message);
		if (m[0]) {
			const char *copy = gr_arena_strdup(arena, m);
			if (!copy) {
				sink->error(sink->user, "variable", "out of memory");
				return -1;
			}
			v = (gr_cel_value){.kind = GR_CEL_ERROR, .u.s = {copy, strlen(copy)}};
		}
		keys[nv] = gr_cel_string(name, strlen(name));
		vals[nv++] = v;
		vars[GRI_VAP_VARIABLES] = gr_cel_make_map(arena, keys, vals, nv);
	}
	for (size_t i = 0; i < p->nvalidations; i++) {
		const gri_vap_validation *vv = &p->validations[i];
		int c = eval_bool(&vv->expr, vars, arena, err, sizeof err);
		if (c < 0) {
			sink->error(sink->user, "expression", err);
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
			if (gr_cel_eval(vv->msg_expr.prog, vars, GRI_VAP_NVARS, arena, &mv, NULL, &ce) == 0 &&
			    mv.kind == GR_CEL_STRING && mv.u.s.len && !memchr(mv.u.s.ptr, '\n', mv.u.s.len))
				snprintf(msg, sizeof msg, "%.*s", (int)mv.u.s.len, mv.u.s.ptr);
		}
		sink->deny(sink->user, msg, vv->reason);
	}
	run_audits(p, vars, arena, sink);
	return 1;
}

void gri_vap_plural(const char *kind, char *out, size_t cap)
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

/* The resource's form in the rules: "*" matches every resource, "*" "/" "*"
 * every resource and subresource (guardrail judges resources, not
 * subresources). */
static bool resources_have(const gr_value *list, const char *res)
{
	if (list_has(list, res))
		return true;
	for (size_t i = 0; gr_is(list, GR_ARRAY) && i < list->u.a.len; i++)
		if (gr_is(&list->u.a.items[i], GR_STRING) && !strcmp(list->u.a.items[i].u.s.ptr, "*/*"))
			return true;
	return false;
}

static bool rule_matches_gvr(const gr_value *r, const char *group, const char *version, const char *res,
                             bool namespaced, const char *op, const char *name)
{
	const gr_value *names = gr_get(r, "resourceNames");
	if (name && gr_is(names, GR_ARRAY) && names->u.a.len) {
		bool hit = false;
		for (size_t i = 0; i < names->u.a.len && !hit; i++)
			hit = gr_is(&names->u.a.items[i], GR_STRING) &&
			      !strcmp(names->u.a.items[i].u.s.ptr, name);
		if (!hit)
			return false;
	}
	const gr_value *ops = gr_get(r, "operations");
	if (ops && !list_has(ops, op))
		return false;
	const char *scope = gr_get_str(r, "scope");
	if (scope &&
	    ((!strcmp(scope, "Cluster") && namespaced) || (!strcmp(scope, "Namespaced") && !namespaced)))
		return false;
	return list_has(gr_get(r, "apiGroups"), group) &&
	       (version ? list_has(gr_get(r, "apiVersions"), version)
	                : gr_is(gr_get(r, "apiVersions"), GR_ARRAY) &&
	                          gr_get(r, "apiVersions")->u.a.len > 0) &&
	       resources_have(gr_get(r, "resources"), res);
}

/* Kubernetes' equivalent resources (the RESTMapper's EquivalentResourcesFor
 * under matchPolicy: Equivalent, the default): the same resource in the
 * other versions of its group, and the kinds that moved out of extensions. */
static const char *const moved[][3] = {
        {"deployments", "apps", "extensions"},
        {"daemonsets", "apps", "extensions"},
        {"replicasets", "apps", "extensions"},
        {"networkpolicies", "networking.k8s.io", "extensions"},
        {"ingresses", "networking.k8s.io", "extensions"},
        {"podsecuritypolicies", "policy", "extensions"},
};

/* A user from a userInfo object ({username, uid, groups, extra}): the
 * vap engine's AdmissionRequest and Kyverno's user info files alike. */
gr_authz_user *gri_vap_user(gr_arena *a, const gr_value *ui)
{
	gr_authz_user *u = gr_arena_calloc(a, 1, sizeof *u);
	if (!u)
		return NULL;
	u->username = gr_get_str(ui, "username");
	u->uid = gr_get_str(ui, "uid");
	if (!u->username)
		u->username = "";
	const gr_value *g = gr_get(ui, "groups");
	if (gr_is(g, GR_ARRAY) && g->u.a.len) {
		const char **gs = gr_arena_alloc(a, g->u.a.len * sizeof *gs);
		if (!gs)
			return NULL;
		for (size_t i = 0; i < g->u.a.len; i++)
			if (gr_is(&g->u.a.items[i], GR_STRING))
				gs[u->ngroups++] = g->u.a.items[i].u.s.ptr;
		u->groups = gs;
	}
	const gr_value *ex = gr_get(ui, "extra");
	if (gr_is(ex, GR_OBJECT) && ex->u.o.len) {
		size_t n = ex->u.o.len;
		const char **keys = gr_arena_alloc(a, n * sizeof *keys);
		const char *const **vals = gr_arena_alloc(a, n * sizeof *vals);
		size_t *counts = gr_arena_calloc(a, n, sizeof *counts);
		if (!keys || !vals || !counts)
			return NULL;
		for (size_t i = 0; i < n; i++) {
			const gr_value *l = &ex->u.o.members[i].value;
			size_t m = gr_is(l, GR_ARRAY) ? l->u.a.len : 0;
			const char **vs = gr_arena_alloc(a, (m + 1) * sizeof *vs);
			if (!vs)
				return NULL;
			for (size_t k = 0; k < m; k++)
				if (gr_is(&l->u.a.items[k], GR_STRING))
					vs[counts[i]++] = l->u.a.items[k].u.s.ptr;
			keys[i] = ex->u.o.members[i].key;
			vals[i] = vs;
		}
		u->extra_keys = keys;
		u->extra_values = vals;
		u->extra_counts = counts;
		u->nextra = n;
	}
	return u;
}

/* Does any rule of the array match the object, exactly or (equivalent) as
 * the API server would after converting the request to the rule's version? */
bool gri_vap_rules_match(const gr_value *rules, const char *group, const char *version, const char *kind,
                         const char *name, bool namespaced, const char *op, bool equivalent)
{
	char res[160];
	gri_vap_plural(kind, res, sizeof res);
	for (size_t i = 0; gr_is(rules, GR_ARRAY) && i < rules->u.a.len; i++)
		if (rule_matches_gvr(&rules->u.a.items[i], group, version, res, namespaced, op, name))
			return true;
	if (!equivalent)
		return false;
	for (size_t i = 0; gr_is(rules, GR_ARRAY) && i < rules->u.a.len; i++) {
		const gr_value *r = &rules->u.a.items[i];
		if (rule_matches_gvr(r, group, NULL, res, namespaced, op, name))
			return true; /* another version of the same group */
		for (size_t k = 0; k < sizeof moved / sizeof moved[0]; k++)
			if (!strcmp(res, moved[k][0]) &&
			    (!strcmp(group, moved[k][1]) || !strcmp(group, moved[k][2])) &&
			    rule_matches_gvr(r, strcmp(group, moved[k][1]) ? moved[k][1] : moved[k][2], NULL,
			                     res, namespaced, op, name))
				return true;
	}
	return false;
}

static void json_member(gr_buf *b, const char *key, const char *value, bool comma)
{
	if (comma)
		gr_buf_putc(b, ',');
	gr_buf_json_string(b, key, strlen(key));
	gr_buf_putc(b, ':');
	gr_buf_json_string(b, value ? value : "", value ? strlen(value) : 0);
}

static void json_strings(gr_buf *b, const char *const *v, size_t n)
{
	gr_buf_putc(b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			gr_buf_putc(b, ',');
		gr_buf_json_string(b, v[i] ? v[i] : "", v[i] ? strlen(v[i]) : 0);
	}
	gr_buf_putc(b, ']');
}

gr_cel_value gri_vap_request(gr_arena *a, const char *group, const char *version, const char *kind,
                             const char *name, const char *namespace_, const char *op,
                             const gr_authz_user *user)
{
	char res[160];
	gri_vap_plural(kind, res, sizeof res);
	gr_buf b;
	gr_buf_init(&b);
	gr_buf_putc(&b, '{');
	json_member(&b, "operation", op, false);
	gr_buf_puts(&b, ",\"kind\":{");
	json_member(&b, "group", group, false);
	json_member(&b, "version", version, true);
	json_member(&b, "kind", kind, true);
	gr_buf_puts(&b, "},\"resource\":{");
	json_member(&b, "group", group, false);
	json_member(&b, "version", version, true);
	json_member(&b, "resource", res, true);
	gr_buf_putc(&b, '}');
	json_member(&b, "name", name, true);
	json_member(&b, "namespace", namespace_, true);
	gr_buf_puts(&b, ",\"dryRun\":false,\"userInfo\":{");
	json_member(&b, "username", user ? user->username : "", false);
	if (user && user->uid && *user->uid)
		json_member(&b, "uid", user->uid, true);
	gr_buf_puts(&b, ",\"groups\":");
	json_strings(&b, user ? user->groups : NULL, user ? user->ngroups : 0);
	if (user && user->nextra) {
		gr_buf_puts(&b, ",\"extra\":{");
		for (size_t i = 0; i < user->nextra; i++) {
			if (i)
				gr_buf_putc(&b, ',');
			gr_buf_json_string(&b, user->extra_keys[i], strlen(user->extra_keys[i]));
			gr_buf_putc(&b, ':');
			json_strings(&b, user->extra_values[i], user->extra_counts[i]);
		}
		gr_buf_putc(&b, '}');
	}
	gr_buf_puts(&b, "}}");
	char *json = b.data ? gr_arena_strndup(a, b.data, b.len) : NULL;
	gr_buf_free(&b);
	gr_value *v = gr_arena_alloc(a, sizeof *v);
	gr_error err;
	if (!json || !v || gr_decode_json(a, json, strlen(json), NULL, v, &err) != 0)
		return gr_cel_null();
	return gr_cel_from_json(v);
}
