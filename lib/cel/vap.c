/*
 * vap.c — the `vap` engine: admissionregistration.k8s.io/v1
 * ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding, from the
 * inputs or from `policy` files, applied to every object as an API server
 * would admit it on CREATE — or on UPDATE, when the `old` files hold the
 * object's previous version (`check --old`) or the webhook says so.
 *
 * For each binding whose policy exists: the policy's and the binding's
 * matchConstraints/matchResources (resourceRules and excludeResourceRules
 * by API group, version and resource — the resource is the kind's plural;
 * namespaceSelector and objectSelector by matchLabels and matchExpressions),
 * paramKind/paramRef (params from the inputs), matchConditions, variables,
 * validations (message, messageExpression, reason) and auditAnnotations are
 * compiled once, in the CEL environment of `kubernetes-version`; `object`,
 * `oldObject` (the previous version on an UPDATE, else null), `request`
 * (synthesized offline, with the authz file's user; the AdmissionRequest
 * itself in the webhook), `params`, `namespaceObject`, `variables`,
 * `authorizer` and `authorizer.requestResource` are bound. A failed
 * validation is a `vap.<policy>` finding acting as the binding's
 * validationActions say (Deny: enforce, Warn: warn, Audit: audit), worded
 * as the API server words it; an expression error follows failurePolicy.
 *
 * `authorizer` answers from the `authz` file (authz.h: the user, RBAC
 * objects, and with rbac.fromInputs those among the inputs); the webhook
 * asks for the AdmissionRequest's user. Without the file a policy that uses
 * it is counted as not evaluated, with that reason — never a silent allow
 * or deny.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "../pipeline.h"
#include "guardrail/authz.h"
#include "guardrail/buf.h"
#include "guardrail/cel.h"
#include "guardrail/decode.h"
#include "guardrail/engine.h"
#include "guardrail/inputs.h"
#include "guardrail/schema.h"
#include "guardrail/set.h"
#include "vap_core.h"

typedef struct vpolicy {
	const char *name;
	const gr_value *spec;
	gri_vap_program prog;
	bool fail_ignore; /* failurePolicy: Ignore */
} vpolicy;

typedef struct vap_config {
	char **paths;
	size_t npaths;
	char *authz; /* the authz file (user, RBAC objects): `authorizer` answers from it */
	char **olds; /* previous versions of the objects: an UPDATE */
	size_t nolds;
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
	gr_authz *authz; /* owned by the base state */
	gr_rbac *rbac;   /* the file's and the inputs' RBAC objects (rbac.fromInputs), or NULL */
	gr_authorizer authorizer;
	bool have_authz;
	gr_old_objects *old; /* owned by the base state */
	bool owns;           /* authz and old are this state's */
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
	bool policy = !strcmp(key, "policy"), old = !strcmp(key, "old"), authz = !strcmp(key, "authz");
	if (!strcmp(key, "kubernetes-version")) {
		if (value && value[0] == 'v')
			value++;
		int maj, min;
		char extra;
		if (!value || sscanf(value, "%d.%d%c", &maj, &min, &extra) != 2 || maj != 1 || min < 0 ||
		    min > 99)
			return gr_error_set(err, 0, 0, "kubernetes-version wants 1.Y, not \"%.100s\"",
			                    value ? value : "");
		c->kubernetes_minor = min;
		return 0;
	}
	if (!policy && !old && !authz)
		return gr_error_set(
		        err, 0, 0, "unknown option \"%.100s\" (policy, old, authz, kubernetes-version)", key);
	if (!value || !*value)
		return gr_error_set(err, 0, 0, "option %s wants a path", key);
	if (authz) {
		if (c->authz)
			return gr_error_set(err, 0, 0,
			                    "option authz is given once (one file: the user and the RBAC "
			                    "objects)");
		if (!(c->authz = strdup(value)))
			return gr_error_set(err, 0, 0, "out of memory");
		return 0;
	}
	char ***list = old ? &c->olds : &c->paths;
	size_t *n = old ? &c->nolds : &c->npaths;
	char **v = realloc(*list, (*n + 1) * sizeof *v);
	if (!v)
		return gr_error_set(err, 0, 0, "out of memory");
	*list = v;
	if (!(v[*n] = strdup(value)))
		return gr_error_set(err, 0, 0, "out of memory");
	(*n)++;
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
	for (size_t i = 0; i < c->nolds; i++)
		free(c->olds[i]);
	free(c->olds);
	free(c->authz);
	free(c);
}

/* -1 when memory ran out: the policy would otherwise be left out, or
 * judge with an expression that did not compile for want of memory. */
static int add_policy(vap_prepared *s, const gr_value *root)
{
	vpolicy *grown = realloc(s->policies, (s->npolicies + 1) * sizeof *grown);
	if (!grown)
		return -1;
	s->policies = grown;
	vpolicy *p = &s->policies[s->npolicies++];
	memset(p, 0, sizeof *p);
	p->name = gr_get_str(gr_get(root, "metadata"), "name");
	if (!p->name)
		p->name = "";
	p->spec = gr_get(root, "spec");
	const char *fp = gr_get_str(p->spec, "failurePolicy");
	p->fail_ignore = fp && !strcmp(fp, "Ignore");
	gri_vap_compile(&p->prog, gr_get(p->spec, "matchConditions"), gr_get(p->spec, "variables"),
	                gr_get(p->spec, "validations"), gr_get(p->spec, "auditAnnotations"), NULL,
	                s->kubernetes_minor);
	return p->prog.oom ? -1 : 0;
}

static void prepared_free(void *p)
{
	vap_prepared *s = p;
	if (!s)
		return;
	for (size_t i = 0; i < s->npolicies; i++)
		gri_vap_program_free(&s->policies[i].prog);
	free(s->policies);
	free(s->bindings);
	gr_rbac_free(s->rbac);
	if (s->owns) {
		gr_authz_free(s->authz);
		gr_old_objects_free(s->old);
	}
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

/* -1 when memory ran out (err set). */
static int take(vap_prepared *s, const gr_value *root, gr_error *err)
{
	if (is_kind(root, "ValidatingAdmissionPolicy")) {
		if (add_policy(s, root) < 0)
			return gr_error_set(err, 0, 0, "out of memory compiling ValidatingAdmissionPolicy %s",
			                    s->policies && s->npolicies ? s->policies[s->npolicies - 1].name
			                                                : "");
	} else if (is_kind(root, "ValidatingAdmissionPolicyBinding")) {
		const gr_value **b = realloc(s->bindings, (s->nbindings + 1) * sizeof *b);
		if (!b)
			return gr_error_set(err, 0, 0, "out of memory");
		s->bindings = b;
		s->bindings[s->nbindings++] = root;
	}
	return 0;
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
	size_t before = s->npolicies + s->nbindings;
	for (size_t i = 0; i < n; i++)
		if (take(s, &docs[i].root, err) < 0)
			return -1;
	if (s->npolicies + s->nbindings == before) {
		/* a wrong path would otherwise run no policy at all: a silent pass */
		gr_error_set(
		        err, 0, 0,
		        "%.200s: no ValidatingAdmissionPolicy or ValidatingAdmissionPolicyBinding in this "
		        "file (--vap-policy takes policy files; give other objects, such as params, as "
		        "inputs)",
		        path);
		gr_error_set_file(err, path);
		return -1;
	}
	return 0;
}

static const char *const rbac_kinds[] = {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"};

/* The authorizer: the file's RBAC objects, and with rbac.fromInputs those
 * among the inputs too. */
static int prepare_rbac(vap_prepared *s, gr_error *err)
{
	s->have_authz = true;
	if (!gr_authz_rbac_from_inputs(s->authz) || !s->set) {
		s->authorizer = gr_rbac_authorizer(gr_authz_rbac(s->authz));
		return 0;
	}
	if (!(s->rbac = gr_rbac_new()))
		return gr_error_set(err, 0, 0, "out of memory");
	const gr_value *const *objs;
	size_t n = gr_authz_objects(s->authz, &objs);
	for (size_t i = 0; i < n; i++)
		if (gr_rbac_add(s->rbac, objs[i], err) < 0)
			return -1;
	for (int k = 0; k < 4; k++) {
		const size_t *idx;
		size_t m = gr_set_kind(s->set, "rbac.authorization.k8s.io", rbac_kinds[k], &idx);
		for (size_t i = 0; i < m; i++) {
			const gr_object *o = gr_set_object(s->set, idx[i]);
			if (o->root && gr_rbac_add(s->rbac, o->root, err) < 0)
				return -1;
		}
	}
	if (gr_rbac_finish(s->rbac, err) != 0)
		return -1;
	s->authorizer = gr_rbac_authorizer(s->rbac);
	return 0;
}

static int prepare(const void *config, const void *base, const gr_set *set, void **out, gr_error *err)
{
	const vap_config *c = config;
	const vap_prepared *b = base;
	vap_prepared *s = calloc(1, sizeof *s);
	if (!s)
		return gr_error_set(err, 0, 0, "out of memory");
	gr_arena_init(&s->arena);
	s->set = set;
	s->kubernetes_minor = c->kubernetes_minor;
	/* the authz file and the old objects are read once, by the base state */
	if (b) {
		s->authz = b->authz;
		s->old = b->old;
	} else {
		s->owns = true;
		if (c->authz && gr_authz_load(c->authz, &s->authz, err) != 0) {
			prepared_free(s);
			return -1;
		}
		if (c->nolds && gr_old_objects_load(&s->old, c->olds, c->nolds, err) != 0) {
			prepared_free(s);
			return -1;
		}
	}
	if (s->authz && prepare_rbac(s, err) != 0) {
		prepared_free(s);
		return -1;
	}
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
			if (o->root && take(s, o->root, err) < 0) {
				prepared_free(s);
				return -1;
			}
		}
	}
	*out = s;
	return 0;
}

/* ---- matching ---- */

/* Does any rule of the array match the object (vap_core.c)? */
static bool rules_match(const gr_value *rules, const gr_object *o, const char *op, bool equivalent)
{
	bool namespaced = o->namespace_[0] || !gri_kind_cluster_scoped(o->kind);
	return gri_vap_rules_match(rules, o->group, o->version, o->kind, o->name, namespaced, op, equivalent);
}

/* A LabelSelector over a labels map (NULL: no labels); absent: everything. */
static bool selector_matches(const gr_value *sel, const gr_value *labels)
{
	if (!sel || !gr_is(sel, GR_OBJECT))
		return true;
	return gri_label_selector_matches(sel, labels, false);
}

static const gr_value *namespace_object(const vap_prepared *s, const gr_object *o)
{
	if (!o->namespace_[0] || !s->set)
		return NULL;
	const gr_object *ns = gr_set_find(s->set, "", "Namespace", "", o->namespace_);
	return ns ? ns->root : NULL;
}

/* matchConstraints / matchResources. *unknown (when non-NULL) is set when
 * the answer needs the labels of a namespace that is not among the inputs
 * (or the webhook's policy files): the policy might apply, so the caller
 * counts it as not evaluated. */
static bool resources_match(const vap_prepared *s, const gr_value *m, const gr_object *o,
                            const gr_value *nsobj, const char *op, bool *unknown)
{
	if (!m)
		return true;
	const char *mp = gr_get_str(m, "matchPolicy");
	bool equivalent = !mp || strcmp(mp, "Exact") != 0;
	const gr_value *rules = gr_get(m, "resourceRules");
	if (gr_is(rules, GR_ARRAY) && rules->u.a.len && !rules_match(rules, o, op, equivalent))
		return false;
	if (rules_match(gr_get(m, "excludeResourceRules"), o, op, equivalent))
		return false;
	const gr_value *labels = gr_get(gr_get(o->root, "metadata"), "labels");
	if (!selector_matches(gr_get(m, "objectSelector"), labels))
		return false;
	const gr_value *nsel = gr_get(m, "namespaceSelector");
	if (nsel && o->namespace_[0]) {
		const gr_value *nsl = nsobj ? gr_get(gr_get(nsobj, "metadata"), "labels") : NULL;
		if (!nsobj && (gr_get(nsel, "matchLabels") || gr_get(nsel, "matchExpressions"))) {
			if (unknown)
				*unknown = true;
			return false; /* the namespace is not among the inputs: its labels are unknown */
		}
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
	gr_cel_value vars[GRI_VAP_NVARS];
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

static void expression_error(vrun *r, const char *what, const char *msg)
{
	if (r->p->fail_ignore)
		return;
	char m[700];
	snprintf(m, sizeof m, "%s: %s", what, msg);
	report(r, r->action == GR_ACTION_ENFORCE ? GR_SEV_ERROR : GR_SEV_WARNING, r->action, "Invalid",
	       "ValidatingAdmissionPolicy '%s' with binding '%s' denied request: %s", m);
}

/* The most an audit annotation's value keeps, as the API server truncates it. */
#define AUDIT_VALUE_MAX (10 * 1024)

static void on_error(void *user, const char *what, const char *msg)
{
	expression_error(user, what, msg);
}

static void on_deny(void *user, const char *msg, const char *reason)
{
	vrun *r = user;
	report(r, r->action == GR_ACTION_ENFORCE ? GR_SEV_ERROR : GR_SEV_WARNING, r->action,
	       reason ? reason : "Invalid",
	       "ValidatingAdmissionPolicy '%s' with binding '%s' denied request: %s", msg);
}

/* spec.auditAnnotations, evaluated for every binding that admits the
 * object: a non-empty string is published as "<policy>/<key>" (an info
 * finding acting as audit, and an audit annotation in the webhook); null or
 * "" publishes nothing; an error follows failurePolicy as a validation's
 * does. */
static void on_audit(void *user, const char *key, const char *value, size_t len)
{
	vrun *r = user;
	const vpolicy *p = r->p;
	gr_finding *f = gr_findings_add(r->out);
	if (!f)
		return;
	gr_arena *a = r->out->arena;
	size_t n = len > AUDIT_VALUE_MAX ? AUDIT_VALUE_MAX : len;
	f->rule = gr_arena_printf(a, "vap.%s", p->name);
	f->severity = GR_SEV_INFO;
	f->action = GR_ACTION_AUDIT;
	f->object = r->obj;
	f->file = r->obj->file;
	f->document = r->obj->document;
	f->path = "";
	f->line = r->obj->root ? r->obj->root->line : 0;
	f->column = r->obj->root ? r->obj->root->column : 0;
	f->message =
	        gr_arena_printf(a,
	                        "audit annotation %s/%s=%.*s (ValidatingAdmissionPolicy '%s' with binding "
	                        "'%s')",
	                        p->name, key, (int)n, value, p->name, r->binding);
	f->remediation = "Nothing to change: the API server records this annotation in the request's audit "
	                 "event.";
	f->doc = "docs/rules/vap.md";
	f->reason = "AuditAnnotation";
}

static void run_policy(vrun *r)
{
	gri_vap_sink sink = {.error = on_error, .deny = on_deny, .audit = on_audit, .user = r};
	gri_vap_run(&r->p->prog, r->vars, r->arena, &sink);
}

/* The user of an AdmissionRequest (the webhook): request.userInfo. */
static const gr_authz_user *request_user(gr_arena *a, const gr_value *request)
{
	gr_authz_user *u = gri_vap_user(a, gr_get(request, "userInfo"));
	if (u && !u->uid)
		u->uid = "";
	return u;
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
	 * object and the request itself; offline, a CREATE is synthesized, or
	 * an UPDATE when --old holds the object's previous version */
	const gr_value *old = ctx->old_object;
	const char *op = ctx->operation && ctx->operation[0] ? ctx->operation : "CREATE";
	if (!ctx->request && !old && s->old && (old = gr_old_objects_find(s->old, obj)))
		op = "UPDATE";
	/* who asks: the AdmissionRequest's user in the webhook, else the authz file's */
	const gr_authz_user *user = NULL;
	if (ctx->request && gr_get(ctx->request, "userInfo"))
		user = request_user(ctx->arena, ctx->request);
	else if (s->authz)
		user = gr_authz_user_info(s->authz);
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
		bool u1 = false, u2 = false;
		bool m1 = resources_match(s, gr_get(p->spec, "matchConstraints"), obj, nsobj, op, &u1);
		bool m2 = (m1 || u1) &&
		          resources_match(s, gr_get(bspec, "matchResources"), obj, nsobj, op, &u2);
		if (!m1 || !m2) {
			if ((m1 || u1) && (m2 || u2)) /* it might apply: never a silent pass */
				gr_check_ctx_not_evaluated(
				        ctx, p->prog.nvalidations ? p->prog.nvalidations : 1,
				        ctx->request
				                ? "namespaceSelector: the namespace's labels are not known "
				                  "at "
				                  "admission (give its Namespace object among the policy "
				                  "files)"
				                : "namespaceSelector: the namespace's labels are not known "
				                  "(its Namespace object is not among the inputs)");
			continue;
		}
		if (p->prog.uses_authorizer && (!s->have_authz || !user)) {
			gr_check_ctx_not_evaluated(
			        ctx, p->prog.nvalidations ? p->prog.nvalidations : 1,
			        "ValidatingAdmissionPolicy expressions using authorizer "
			        "(no --authz file: no permissions to answer from offline)");
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
		r.vars[GRI_VAP_OBJECT] = gr_cel_from_json(obj->root);
		r.vars[GRI_VAP_OLD] = old ? gr_cel_from_json(old) : gr_cel_null();
		r.vars[GRI_VAP_REQUEST] =
		        ctx->request ? gr_cel_from_json(ctx->request)
		                     : gri_vap_request(ctx->arena, obj->group, obj->version, obj->kind,
		                                       obj->name, obj->namespace_, op, user);
		r.vars[GRI_VAP_NSOBJ] = nsobj ? gr_cel_from_json(nsobj) : gr_cel_null();
		r.vars[GRI_VAP_AUTHORIZER] = gr_cel_unbound();
		r.vars[GRI_VAP_REQRES] = gr_cel_unbound();
		if (s->have_authz && user) {
			/* the request's resource: the webhook's request.resource and
			 * subResource; offline, the kind's plural */
			char res[160];
			gri_vap_plural(obj->kind, res, sizeof res);
			const gr_value *rr = gr_get(ctx->request, "resource");
			const char *group = gr_get_str(rr, "group"), *resource = gr_get_str(rr, "resource");
			const char *sub = gr_get_str(ctx->request, "subResource");
			r.vars[GRI_VAP_AUTHORIZER] = gr_cel_authorizer(ctx->arena, &s->authorizer, user);
			r.vars[GRI_VAP_REQRES] = gr_cel_authorizer_request_resource(
			        ctx->arena, &s->authorizer, user,
			        resource ? (group ? group : "") : obj->group, resource ? resource : res,
			        sub ? sub : "", obj->namespace_, obj->name);
		}
		r.vars[GRI_VAP_PARAMS] = gr_cel_null();
		const gr_value *pk = gr_get(p->spec, "paramKind");
		const gr_value *pr = gr_get(bspec, "paramRef");
		if (pk && pr) {
			const char *pav = gr_get_str(pk, "apiVersion"), *pkind = gr_get_str(pk, "kind");
			const char *pn = gr_get_str(pr, "name"), *pns = gr_get_str(pr, "namespace");
			char group[256];
			gri_api_group(pav, group, sizeof group);
			/* a namespaced kind's param is in paramRef.namespace, else in
			 * the object's; a cluster-scoped kind's has none */
			const char *pnsv = pkind && gri_set_kind_cluster_scoped(s->set, group, pkind) ? ""
			                   : pns && pns[0]                                            ? pns
			                                   : obj->namespace_;
			const gr_object *param =
			        pkind && pn && s->set ? gr_set_find(s->set, group, pkind, pnsv, pn) : NULL;
			if (param && !param->root) {
				/* among the inputs, but its tree could not be had (the
				 * session gives the set whole trees of params, set_kinds:
				 * its input could not be read again, or changed): not
				 * found would be a wrong verdict, and with Allow a silent
				 * pass */
				gr_check_ctx_not_evaluated(
				        ctx, p->prog.nvalidations ? p->prog.nvalidations : 1,
				        "ValidatingAdmissionPolicy params whose input could not "
				        "be read again whole");
				continue;
			}
			if (!param) {
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
			r.vars[GRI_VAP_PARAMS] = gr_cel_from_json(param->root);
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
		for (size_t op = 0; op < 4; op++) /* whatever the operation judged */
			if (rules_match(rules, obj,
			                (const char *const[]){"CREATE", "UPDATE", "DELETE", "CONNECT"}[op],
			                true))
				return true;
	}
	return false;
}

/* The params of the policies, the checker's own (--vap-policy files) and
 * the inputs': their objects must be whole in the set to be params. */
static int set_kinds(const void *prepared, const gr_set *set, gr_pathlist *out)
{
	const vap_prepared *s = prepared;
	for (size_t i = 0; s && i < s->npolicies; i++)
		if (gri_param_kind_add(gr_get(s->policies[i].spec, "paramKind"), out) < 0)
			return -1;
	const size_t *idx;
	size_t n = gr_set_kind(set, "admissionregistration.k8s.io", "ValidatingAdmissionPolicy", &idx);
	for (size_t i = 0; i < n; i++) {
		const gr_object *o = gr_set_object(set, idx[i]);
		if (o->root && gri_param_kind_add(gr_get_path(o->root, "spec", "paramKind", NULL), out) < 0)
			return -1;
	}
	return 0;
}

static const char *const vap_revoking[] = {"admissionregistration.k8s.io/ValidatingAdmissionPolicy",
                                           "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
                                           NULL};

/* CustomResourceDefinitions: a custom param kind's scope (paramRef) */
static const char *const vap_kinds[] = {"admissionregistration.k8s.io/ValidatingAdmissionPolicy",
                                        "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
                                        "Namespace",
                                        "ConfigMap",
                                        "apiextensions.k8s.io/CustomResourceDefinition",
                                        "rbac.authorization.k8s.io/Role",
                                        "rbac.authorization.k8s.io/ClusterRole",
                                        "rbac.authorization.k8s.io/RoleBinding",
                                        "rbac.authorization.k8s.io/ClusterRoleBinding",
                                        NULL};

const gr_engine gri_engine_vap = {
        .name = "vap",
        .summary = "ValidatingAdmissionPolicy and its bindings (CEL), as the API server admits a CREATE or "
                   "UPDATE",
        .kinds = vap_kinds,
        .config_new = config_new,
        .config_set = config_set,
        .config_free = config_free,
        .prepare = prepare,
        .check = check,
        .prepared_free = prepared_free,
        .needs_set = needs_set,
        .revoking_kinds = vap_revoking,
        .set_kinds = set_kinds,
};
