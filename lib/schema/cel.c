/*
 * cel.c — the schema engine's hook for CRD validation rules: when a CRD's
 * schema is registered, its x-kubernetes-validations are compiled once by
 * lib/cel (against a copy of the schema kept in the registry's arena);
 * when a custom resource is validated, lib/cel walks the object and each
 * violation becomes a `cel.validation` finding at the value it judged.
 * Transition rules (oldSelf) need the previous object: without one they
 * are counted as not evaluated, with that reason.
 */
#include <stdlib.h>
#include <string.h>

#include "guardrail/cel.h"
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
			if (!strcmp(m->key, "x-kubernetes-validations") && m->value.type == GR_ARRAY && m->value.u.a.len)
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

void gr_schema_cel_attach(gr_schema_registry *r, snode *root, const gr_value *schema)
{
	if (!has_rules(schema, 0))
		return;
	gr_value *copy = gr_arena_alloc(&r->arena, sizeof *copy);
	struct gr_schema_cel *e = gr_arena_alloc(&r->arena, sizeof *e);
	if (!copy || !e || !gr_value_copy(&r->arena, copy, schema))
		return; /* the rules stay counted as not evaluated */
	gr_cel_crd_options o;
	memset(&o, 0, sizeof o);
	o.is_root = true;
	gr_cel_error err;
	e->crd = gr_cel_crd_new(copy, &o, &err);
	if (!e->crd)
		return;
	e->next = r->cels;
	r->cels = e;
	root->cel = e;
}

void gr_schema_cel_free_all(struct gr_schema_cel *list)
{
	for (; list; list = list->next)
		gr_cel_crd_free(list->crd);
}

void gr_v_cel(vctx *v, const snode *root, const gr_value *x)
{
	const gr_cel_crd *crd = root->cel->crd;
	size_t transitions = gr_cel_crd_transition_count(crd);
	if (transitions) {
		v->ctx->not_evaluated += transitions;
		v->ctx->not_evaluated_reason = "transition rules (oldSelf) need the previous object";
	}
	gr_arena a;
	gr_arena_init(&a);
	gr_arena_set_limit(&a, 256u << 20);
	gr_cel_violation *vs;
	size_t n;
	gr_cel_crd_validate(crd, x, NULL, "", &a, &vs, &n, NULL);
	for (size_t i = 0; i < n; i++) {
		if (vs[i].kind == GR_CEL_VIOLATION_UNSUPPORTED) {
			v->ctx->not_evaluated++;
			v->ctx->not_evaluated_reason = "rules using RE2-only regex syntax (no RE2 engine in this build)";
			continue;
		}
		const char *field = vs[i].field[0] == '.' ? vs[i].field + 1 : vs[i].field;
		/* the message after "<field>: " (the finding carries the path itself) */
		const char *msg = vs[i].message;
		size_t fl = strlen(vs[i].field);
		if (!strncmp(msg, vs[i].field, fl) && !strncmp(msg + fl, ": ", 2))
			msg += fl + 2;
		v->path_override = field;
		gr_v_report(v, "cel.validation", vs[i].reason, GR_SEV_ERROR, vs[i].line, vs[i].column, NULL, 0, "%s",
			    msg);
		v->path_override = NULL;
	}
	gr_arena_free(&a);
}
