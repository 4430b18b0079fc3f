/*
 * cel.c — the schema engine's hook for CRD validation rules: when a CRD
 * version's schema is compiled, its x-kubernetes-validations are compiled once by
 * lib/cel (against the schema itself when the registry borrows it for its
 * lifetime, else against a copy kept in the version's arena);
 * when a custom resource is validated, lib/cel walks the object and each
 * violation becomes a `cel.validation` finding at the value it judged.
 * Transition rules (oldSelf) need the previous object (`--old`, matched by
 * apiVersion, kind, namespace and name): without one they are counted as
 * not evaluated, with that reason.
 */
#include <stdlib.h>
#include <string.h>

#include "guardrail/cel.h"
#include "guardrail/decode.h"
#include "guardrail/inputs.h"
#include "guardrail/object.h"
#include "registry_int.h"
#include "validate_int.h"

struct gr_schema_cel {
	gr_cel_crd *crd;
	struct gr_schema_cel *next;
};

static bool has_rules(const gr_value *s, int depth)
{
	if (!s || depth > 200)
		return false;
	if (s->type == GR_OBJECT) {
		for (size_t i = 0; i < s->u.o.len; i++) {
			const gr_member *m = &s->u.o.members[i];
			if (!strcmp(m->key, "x-kubernetes-validations") && m->value.type == GR_ARRAY &&
			    m->value.u.a.len)
				return true;
			if (has_rules(&m->value, depth + 1))
				return true;
		}
	} else if (s->type == GR_ARRAY) {
		for (size_t i = 0; i < s->u.a.len; i++)
			if (has_rules(&s->u.a.items[i], depth + 1))
				return true;
	}
	return false;
}

void gr_schema_cel_attach(const char *k8s_version, gr_arena *a, struct gr_schema_cel **list, snode *root,
                          bool borrowed, const gr_value *schema)
{
	if (!has_rules(schema, 0))
		return;
	gr_value *copy = borrowed ? NULL : gr_arena_alloc(a, sizeof *copy);
	struct gr_schema_cel *e = gr_arena_alloc(a, sizeof *e);
	if (!e || (!borrowed && (!copy || !gr_value_copy(a, copy, schema))))
		return; /* the rules stay counted as not evaluated */
	gr_cel_crd_options o;
	memset(&o, 0, sizeof o);
	o.is_root = true;
	o.ratcheting = true;         /* CRDValidationRatcheting, on by default since Kubernetes 1.30 */
	o.static_cost_limits = true; /* a CRD over the estimated-cost limits is refused */
	/* the environment of the selected Kubernetes version ("1.30" -> 30) */
	const char *dot = strchr(k8s_version, '.');
	o.kubernetes_minor = dot ? atoi(dot + 1) : 0;
	gr_cel_error err;
	e->crd = gr_cel_crd_new(borrowed ? schema : copy, &o, &err);
	if (!e->crd)
		return;
	e->next = *list;
	*list = e;
	root->cel = e;
}

void gr_schema_cel_free_all(struct gr_schema_cel *list)
{
	for (; list; list = list->next)
		gr_cel_crd_free(list->crd);
}

void gr_v_cel(vctx *v, const snode *root, const gr_value *x, const gr_value *old)
{
	const gr_cel_crd *crd = root->cel->crd;
	size_t transitions = old ? 0 : gr_cel_crd_transition_count(crd);
	if (transitions) {
		gr_check_ctx_not_evaluated(v->ctx, transitions,
		                           "transition rules (oldSelf) need the previous object");
	}
	gr_arena a;
	gr_arena_init(&a);
	gr_arena_set_limit(&a, 256u << 20);
	gr_cel_violation *vs;
	size_t n;
	if (gr_cel_crd_validate(crd, x, old, "", &a, &vs, &n, NULL) < 0) {
		/* an error of the check, never fewer findings */
		gr_findings_fail(v->out, "out of memory validating an object's x-kubernetes-validations");
		gr_arena_free(&a);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (vs[i].kind == GR_CEL_VIOLATION_UNSUPPORTED) {
			gr_check_ctx_not_evaluated(
			        v->ctx, 1, "rules using RE2-only regex syntax (no RE2 engine in this build)");
			continue;
		}
		const char *field = vs[i].field[0] == '.' ? vs[i].field + 1 : vs[i].field;
		/* the message after "<field>: " (the finding carries the path itself) */
		const char *msg = vs[i].message;
		size_t fl = strlen(vs[i].field);
		if (!strncmp(msg, vs[i].field, fl) && !strncmp(msg + fl, ": ", 2))
			msg += fl + 2;
		v->path_override = field;
		/* a ratcheted failure is the API server's warning, not a refusal */
		gr_v_report(v, "cel.validation", vs[i].reason,
		            vs[i].kind == GR_CEL_VIOLATION_RATCHETED ? GR_SEV_WARNING : GR_SEV_ERROR,
		            vs[i].line, vs[i].column, NULL, 0, "%s", msg);
		v->path_override = NULL;
	}
	gr_arena_free(&a);
}

/* ---- old objects (--old) ---- */

struct gr_old_objects {
	gr_arena arena;
	char **data; /* file contents the values point into */
	size_t ndata;
	gr_object *objs;
	size_t n, cap;
};

static int add_old_file(gr_old_objects *o, const char *path, gr_error *err)
{
	char *data;
	size_t len;
	if (gr_read_file(path, 0, &data, &len, err) != 0) {
		gr_error_set_file(err, path);
		return -1;
	}
	char **nd = realloc(o->data, (o->ndata + 1) * sizeof *nd);
	if (!nd) {
		free(data);
		return gr_error_set(err, 0, 0, "out of memory");
	}
	o->data = nd;
	o->data[o->ndata++] = data;
	gr_document *docs;
	size_t ndocs;
	if (gr_decode(&o->arena, data, len, NULL, &docs, &ndocs, err) != 0) {
		gr_error_set_file(err, path);
		return -1;
	}
	for (size_t d = 0; d < ndocs; d++) {
		gr_object *objs;
		size_t no;
		if (gr_objects_from_document(&o->arena, &docs[d], path, &objs, &no) != 0)
			continue;
		for (size_t k = 0; k < no; k++) {
			if (o->n == o->cap) {
				size_t nc = o->cap ? o->cap * 2 : 64;
				gr_object *g = realloc(o->objs, nc * sizeof *g);
				if (!g)
					return gr_error_set(err, 0, 0, "out of memory");
				o->objs = g;
				o->cap = nc;
			}
			o->objs[o->n++] = objs[k];
		}
	}
	return 0;
}

int gr_old_objects_load(gr_old_objects **out, char *const *paths, size_t n, gr_error *err)
{
	gr_old_objects *o = calloc(1, sizeof *o);
	if (!o)
		return gr_error_set(err, 0, 0, "out of memory");
	gr_arena_init(&o->arena);
	for (size_t i = 0; i < n; i++)
		if (add_old_file(o, paths[i], err) < 0) {
			gr_old_objects_free(o);
			return -1;
		}
	*out = o;
	return 0;
}

const gr_value *gr_old_objects_find(const gr_old_objects *o, const gr_object *obj)
{
	for (size_t i = 0; o && i < o->n; i++) {
		const gr_object *c = &o->objs[i];
		if (!strcmp(c->kind, obj->kind) && !strcmp(c->api_version, obj->api_version) &&
		    !strcmp(c->namespace_, obj->namespace_) && !strcmp(c->name, obj->name) && c->name[0])
			return c->root;
	}
	return NULL;
}

void gr_old_objects_free(gr_old_objects *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->ndata; i++)
		free(o->data[i]);
	free(o->data);
	free(o->objs);
	gr_arena_free(&o->arena);
	free(o);
}
