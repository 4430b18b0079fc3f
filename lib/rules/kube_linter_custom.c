/*
 * kube_linter_custom.c — kube-linter custom checks: a .kube-linter.yaml's
 * customChecks whose template is one of kube-linter's that maps onto an
 * object's metadata: required-annotation, required-label,
 * forbidden-annotation, forbidden-label, and
 * statefulset-volumeclaimtemplate-annotation. Parameters are Go regular
 * expressions (guardrail's regex engine has Go's syntax); a value starting
 * with '!' matches what the rest does not match, as kube-linter's matcher.
 * Scope: scope.objectKinds ("DeploymentLike", "Any", or kinds), default
 * DeploymentLike.
 *
 * cel-expression: params.check, a CEL expression (plain CEL, as kube-linter
 * builds its environment) over `object` (the object judged) and `objects`
 * (every object of the input set). A non-empty string result is a report
 * "CEL check expression returned: <result>"; an evaluation error or a
 * result that is not a string is a report "error evaluating CEL check
 * expression: ..." (never a silent pass). Compile errors are configuration
 * errors (config.c), where kube-linter reports them per object.
 *
 * kubeconform (and the built-in schema-validation check): the object
 * validated by guardrail's schema engine against the registry the caller
 * gives (gr_rules_options.schema); errors become one report "resource is
 * not valid: <path>: <message>; ...", as kube-linter words kubeconform's.
 * Scope: Any by default for these two.
 */
#include <stdio.h>
#include <stdlib.h>

#include "guardrail/cel.h"
#include "guardrail/regex.h"
#include "guardrail/schema.h"
#include "rules_int.h"

/* 1 when pattern (NULL or "": anything) matches s; '!' negates. Memory
 * run out sets c->oom (the check then fails). */
static int match(rl_ctx *c, const char *pattern, const char *s)
{
	if (!pattern || !*pattern)
		return 1;
	bool neg = pattern[0] == '!';
	const char *p = neg ? pattern + 1 : pattern;
	size_t n = strlen(p);
	while (n && (p[n - 1] == '\n' || p[n - 1] == ' '))
		n--; /* block scalars end with a newline */
	gr_regex_error e;
	gr_regex *re = gr_regex_compile(p, n, NULL, &e);
	if (!re) {
		if (e.status == GR_REGEX_NO_MEMORY)
			c->oom = true;
		return 0; /* an invalid pattern matches nothing */
	}
	int m = gr_regex_match(re, s ? s : "", s ? strlen(s) : 0, NULL);
	gr_regex_free(re);
	if (m < 0) {
		c->oom = true;
		return 0;
	}
	return m == 1 ? !neg : neg;
}

static bool in_scope(const rl_ctx *c, const rl_custom *k)
{
	if (!k->nkinds)
		return c->obj->pod_spec != NULL ||
		       (k->template_ &&
		        (!strcmp(k->template_, "cel-expression") || !strcmp(k->template_, "kubeconform")));
	for (size_t i = 0; i < k->nkinds; i++) {
		const char *s = k->kinds[i];
		if (!strcmp(s, "Any") || !strcmp(s, c->obj->kind) ||
		    (!strcmp(s, "DeploymentLike") && c->obj->pod_spec))
			return true;
	}
	return false;
}

/* Does map m hold a key matching k->key whose value matches k->value? */
static bool has_matching(rl_ctx *c, const gr_value *m, const rl_custom *k)
{
	for (size_t i = 0; m && m->type == GR_OBJECT && i < m->u.o.len; i++)
		if (match(c, k->key, m->u.o.members[i].key) &&
		    match(c, k->value, rl_str(&m->u.o.members[i].value)))
			return true;
	return false;
}

static void required_meta(rl_ctx *c, bool labels)
{
	const rl_custom *k = c->rule->data;
	if (!in_scope(c, k))
		return;
	rl_judged(c);
	if (!has_matching(c, labels ? rl_labels(c->obj) : rl_annotations(c->obj), k))
		rl_emit(c, labels ? "metadata.labels" : "metadata.annotations", c->obj->root,
		        "no %s matching \"%s=%s\" found", labels ? "label" : "annotation",
		        k->key ? k->key : "", k->value && *k->value ? k->value : "<any>");
}

static void forbidden_meta(rl_ctx *c, bool labels)
{
	const rl_custom *k = c->rule->data;
	if (!in_scope(c, k))
		return;
	rl_judged(c);
	const gr_value *m = labels ? rl_labels(c->obj) : rl_annotations(c->obj);
	for (size_t i = 0; m && m->type == GR_OBJECT && i < m->u.o.len; i++)
		if (match(c, k->key, m->u.o.members[i].key) &&
		    match(c, k->value, rl_str(&m->u.o.members[i].value)))
			rl_emit(c, labels ? "metadata.labels" : "metadata.annotations",
			        &m->u.o.members[i].value, "forbidden %s found: %s=%s",
			        labels ? "label" : "annotation", m->u.o.members[i].key,
			        rl_str(&m->u.o.members[i].value) ? m->u.o.members[i].value.u.s.ptr : "");
}

static void required_annotation(rl_ctx *c)
{
	required_meta(c, false);
}
static void required_label(rl_ctx *c)
{
	required_meta(c, true);
}
static void forbidden_annotation(rl_ctx *c)
{
	forbidden_meta(c, false);
}
static void forbidden_label(rl_ctx *c)
{
	forbidden_meta(c, true);
}

static void sts_vct_annotation(rl_ctx *c)
{
	const rl_custom *k = c->rule->data;
	if (!rl_kind(c->obj, "StatefulSet"))
		return;
	rl_judged(c);
	const gr_value *vct = gr_get_path(c->obj->root, "spec", "volumeClaimTemplates", NULL);
	for (size_t i = 0; vct && vct->type == GR_ARRAY && i < vct->u.a.len; i++) {
		const gr_value *ann = gr_get_path(&vct->u.a.items[i], "metadata", "annotations", NULL);
		if (!k->annotation || !gr_get(ann, k->annotation)) {
			char path[64];
			snprintf(path, sizeof path, "spec.volumeClaimTemplates[%zu].metadata", i);
			rl_emit(c, path, &vct->u.a.items[i],
			        "StatefulSet's VolumeClaimTemplate is missing required annotation: %s",
			        k->annotation ? k->annotation : "");
		}
	}
}

/*
 * kube-linter hands CEL the object after decoding it into its Go type and
 * encoding that to JSON, so fields that are Go structs are always present
 * (encoding/json writes a struct even under omitempty) and a zero
 * metav1.Time is null. `has(object.spec.namespaceSelector.any)` is false
 * there, not "no such key". The CEL binding reproduces that for the kinds
 * and struct fields listed here (kube-linter's typed kinds; a kind not
 * listed is bound as written).
 */
typedef struct go_field {
	const char *group;   /* "" the core group; "*" with kind "*" */
	const char *kind;    /* "*": every kind listed below */
	const char *path[6]; /* NULL-terminated */
	bool null_;          /* a zero metav1.Time: null, else {} */
} go_field;

#define PT "spec", "template"
static const go_field go_fields[] = {
        {"*", "*", {"metadata", "creationTimestamp", NULL}, true},
        {"apps", "Deployment", {"spec", NULL}, false},
        {"apps", "Deployment", {"spec", "strategy", NULL}, false},
        {"apps", "Deployment", {PT, "metadata", "creationTimestamp", NULL}, true},
        {"apps", "Deployment", {PT, "spec", NULL}, false},
        {"apps", "Deployment", {"status", NULL}, false},
        {"apps", "StatefulSet", {"spec", NULL}, false},
        {"apps", "StatefulSet", {"spec", "updateStrategy", NULL}, false},
        {"apps", "StatefulSet", {PT, "metadata", "creationTimestamp", NULL}, true},
        {"apps", "StatefulSet", {PT, "spec", NULL}, false},
        {"apps", "StatefulSet", {"status", NULL}, false},
        {"apps", "DaemonSet", {"spec", NULL}, false},
        {"apps", "DaemonSet", {"spec", "updateStrategy", NULL}, false},
        {"apps", "DaemonSet", {PT, "metadata", "creationTimestamp", NULL}, true},
        {"apps", "DaemonSet", {PT, "spec", NULL}, false},
        {"apps", "DaemonSet", {"status", NULL}, false},
        {"apps", "ReplicaSet", {"spec", NULL}, false},
        {"apps", "ReplicaSet", {PT, "metadata", "creationTimestamp", NULL}, true},
        {"apps", "ReplicaSet", {PT, "spec", NULL}, false},
        {"apps", "ReplicaSet", {"status", NULL}, false},
        {"batch", "Job", {"spec", NULL}, false},
        {"batch", "Job", {PT, "metadata", "creationTimestamp", NULL}, true},
        {"batch", "Job", {PT, "spec", NULL}, false},
        {"batch", "Job", {"status", NULL}, false},
        {"batch", "CronJob", {"spec", NULL}, false},
        {"batch", "CronJob", {"spec", "jobTemplate", "metadata", "creationTimestamp", NULL}, true},
        {"batch", "CronJob", {"spec", "jobTemplate", "spec", "template", "metadata", NULL}, false},
        {"batch", "CronJob", {"status", NULL}, false},
        {"", "Pod", {"spec", NULL}, false},
        {"", "Pod", {"status", NULL}, false},
        {"", "Service", {"spec", NULL}, false},
        {"", "Service", {"status", NULL}, false},
        {"monitoring.coreos.com", "ServiceMonitor", {"spec", "selector", NULL}, false},
        {"monitoring.coreos.com", "ServiceMonitor", {"spec", "namespaceSelector", NULL}, false},
};
#undef PT

/* v with path (from depth) present; copies only the objects on the path. */
static gr_value ensure_path(gr_arena *a, const gr_value *v, const char *const *path, size_t depth, bool null_)
{
	if (!path[depth] || v->type != GR_OBJECT)
		return *v;
	const gr_member *m = gr_get_member(v, path[depth], strlen(path[depth]));
	gr_value child;
	if (m)
		child = ensure_path(a, &m->value, path, depth + 1, null_);
	else {
		gr_value fresh = !path[depth + 1] && null_ ? gr_make_null() : gr_make_object(a, 0);
		child = ensure_path(a, &fresh, path, depth + 1, null_);
	}
	if (m && !memcmp(&child, &m->value, sizeof child))
		return *v; /* nothing added below */
	gr_value out = gr_make_object(a, v->u.o.len + (m ? 0 : 1));
	if (out.type != GR_OBJECT)
		return *v;
	out.line = v->line;
	out.column = v->column;
	for (size_t i = 0; i < v->u.o.len; i++) {
		out.u.o.members[i] = v->u.o.members[i];
		if (&v->u.o.members[i] == m)
			out.u.o.members[i].value = child;
	}
	if (!m) {
		gr_member *nm = &out.u.o.members[v->u.o.len];
		gr_member_set_key(nm, path[depth], strlen(path[depth]));
		nm->value = child;
	}
	return out;
}

static bool go_typed(const gr_object *o)
{
	for (size_t i = 1; i < sizeof go_fields / sizeof go_fields[0]; i++)
		if (rl_is(go_fields[i].kind, o->kind) && rl_is(go_fields[i].group, o->group))
			return true;
	return false;
}

/* The object as kube-linter's CEL sees it (see go_fields). */
static gr_cel_value typed_view(gr_arena *a, const gr_object *o)
{
	if (!o->root || o->root->type != GR_OBJECT || !go_typed(o))
		return gr_cel_from_json(o->root);
	gr_value *v = gr_arena_alloc(a, sizeof *v);
	if (!v)
		return gr_cel_from_json(o->root);
	*v = *o->root;
	for (size_t i = 0; i < sizeof go_fields / sizeof go_fields[0]; i++)
		if (rl_is(go_fields[i].kind, "*") ||
		    (rl_is(go_fields[i].kind, o->kind) && rl_is(go_fields[i].group, o->group)))
			*v = ensure_path(a, v, go_fields[i].path, 0, go_fields[i].null_);
	return gr_cel_from_json(v);
}

/* Every object of the set as CEL sees it, built once per set (the set is
 * shared by the threads judging its objects: the cache is its own state,
 * filled under its mutex). NULL when memory ran out. */
static const gr_cel_value *set_objects(const rl_set *cs, size_t *n)
{
	rl_set *s = (rl_set *)cs; /* only the lazily built cache changes */
	pthread_mutex_lock(&s->cel_mu);
	if (s->cel_state == 0) {
		gr_cel_value *items = gr_arena_calloc(&s->cel_arena, s->n ? s->n : 1, sizeof *items);
		size_t k = 0;
		for (size_t i = 0; items && i < s->n; i++)
			if (s->objs[i].root && s->objs[i].root->type == GR_OBJECT)
				items[k++] = typed_view(&s->cel_arena, &s->objs[i]);
		s->cel_objects = items;
		s->cel_n = k;
		s->cel_state = items ? 1 : -1;
	}
	const gr_cel_value *out = s->cel_state == 1 ? s->cel_objects : NULL;
	*n = s->cel_n;
	pthread_mutex_unlock(&s->cel_mu);
	return out;
}

static void cel_expression(rl_ctx *c)
{
	const rl_custom *k = c->rule->data;
	if (!in_scope(c, k) || !k->cel)
		return;
	rl_judged(c);
	const gr_cel_program *p = k->cel;
	const gr_object *o = c->report_obj ? c->report_obj : c->obj;
	gr_arena a;
	gr_arena_init(&a);
	gr_cel_value vars[2] = {typed_view(&a, o), gr_cel_unbound()};
	if (gr_cel_uses(p, 1)) { /* objects: the whole input set, in input order */
		size_t n;
		const gr_cel_value *items = set_objects(rl_use_set(c), &n);
		if (!items) {
			rl_emit(c, NULL, o->root, "error evaluating CEL check expression: out of memory");
			gr_arena_free(&a);
			return;
		}
		vars[1] = gr_cel_make_list(&a, items, n);
	}
	gr_cel_value res;
	gr_cel_error e;
	if (gr_cel_eval(p, vars, 2, &a, &res, NULL, &e) != 0)
		rl_emit(c, NULL, o->root,
		        "error evaluating CEL check expression: failed to evaluate CEL expression: %s",
		        e.message);
	else if (res.kind != GR_CEL_STRING) {
		gr_buf b;
		gr_buf_init(&b);
		gr_cel_write_json(&b, &res);
		rl_emit(c, NULL, o->root, "error evaluating CEL check expression: expected string, got %.*s",
		        (int)(b.len > 200 ? 200 : b.len), b.data ? b.data : "");
		gr_buf_free(&b);
	} else if (res.u.s.len)
		rl_emit(c, NULL, o->root, "CEL check expression returned: %.*s", (int)res.u.s.len,
		        res.u.s.ptr);
	gr_arena_free(&a);
}

static bool listed(const char *const *l, size_t n, const char *kind)
{
	for (size_t i = 0; i < n; i++)
		if (rl_is(l[i], kind))
			return true;
	return false;
}

void rl_kubeconform(rl_ctx *c)
{
	const rl_custom *k = c->rule->data;
	const gr_object *o = c->report_obj ? c->report_obj : c->obj;
	if ((k && !in_scope(c, k)) || (k && listed(k->skip_kinds, k->nskip_kinds, o->kind)))
		return;
	rl_judged(c);
	if (k && listed(k->reject_kinds, k->nreject_kinds, o->kind)) {
		rl_emit(c, "kind", o->root, "error while processing resource: prohibited resource kind %s",
		        o->kind);
		return;
	}
	if (!c->opt->schema) { /* gr_rules_new refuses this; kept as a report, never a pass */
		rl_emit(c, NULL, o->root, "error while processing resource: no schema registry given");
		return;
	}
	gr_schema_check_options so = {.strict = k ? k->strict : true,
	                              .ignore_missing_schemas = k ? k->ignore_missing : true};
	gr_findings tmp;
	gr_findings_init(&tmp, c->out->arena);
	gr_check_ctx ctx = {.arena = c->out->arena};
	int rc = gr_schema_check(c->opt->schema, o, &so, &ctx, &tmp);
	gr_buf b;
	gr_buf_init(&b);
	size_t nerr = 0;
	const gr_finding *first = NULL;
	for (size_t i = 0; i < tmp.len; i++) {
		const gr_finding *f = &tmp.items[i];
		if (f->severity != GR_SEV_ERROR)
			continue; /* unknown fields without strict: kubeconform accepts them */
		if (!first)
			first = f;
		if (nerr++)
			gr_buf_append(&b, "; ", 2);
		if (f->path && *f->path && strncmp(f->message, f->path, strlen(f->path)) != 0) {
			gr_buf_append(&b, f->path, strlen(f->path));
			gr_buf_append(&b, ": ", 2);
		}
		gr_buf_append(&b, f->message, strlen(f->message));
	}
	if (rc != 0 || tmp.failed)
		rl_emit(c, NULL, o->root, "error while processing resource: %s",
		        tmp.failure ? tmp.failure : "the schema could not be used");
	else if (nerr) {
		gr_finding *f =
		        rl_emit(c, first->path, NULL, "resource is not valid: %.*s", (int)b.len, b.data);
		if (f) {
			f->line = first->line;
			f->column = first->column;
		}
	}
	gr_buf_free(&b);
	gr_findings_free(&tmp);
}

rl_fn rl_custom_template(const char *name)
{
	static const struct {
		const char *name;
		rl_fn fn;
	} t[] = {
	        {"required-annotation", required_annotation},
	        {"required-label", required_label},
	        {"forbidden-annotation", forbidden_annotation},
	        {"forbidden-label", forbidden_label},
	        {"statefulset-volumeclaimtemplate-annotation", sts_vct_annotation},
	        {"cel-expression", cel_expression},
	        {"kubeconform", rl_kubeconform},
	};
	for (size_t i = 0; name && i < sizeof t / sizeof t[0]; i++)
		if (!strcmp(t[i].name, name))
			return t[i].fn;
	return NULL;
}
