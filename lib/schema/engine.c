/*
 * engine.c — the `schema` engine: gr_config.schema to a registry (schema
 * directory, version, patches, --crd paths), CRDs of the inputs added in
 * `prepare`, and gr_schema_check for every object.
 *
 * prepare runs before any check, single-threaded; after it the registry
 * only grows by lazy loads of built-in documents, under its mutex.
 */
#include <stdlib.h>
#include <string.h>

#include "guardrail/schema.h"

typedef struct schema_state {
	gr_schema_registry *reg;
	gr_schema_check_options opt;
} schema_state;

static int schema_create(void **state, const gr_config *cfg, gr_error *err)
{
	*state = NULL;
	schema_state *s = calloc(1, sizeof *s);
	if (!s)
		return gr_error_set(err, 0, 0, "out of memory");
	const gr_schema_options *o = &cfg->schema;
	if (gr_schema_registry_open(&s->reg, o->schema_dir, o->kubernetes_version, o->patches_dir, err) !=
	    0) {
		free(s);
		return -1;
	}
	for (size_t i = 0; i < o->ncrd_paths; i++) {
		if (gr_schema_add_crd_path(s->reg, o->crd_paths[i], err) < 0) {
			gr_schema_registry_free(s->reg);
			free(s);
			return -1;
		}
	}
	s->opt.strict = o->strict;
	s->opt.ignore_missing_schemas = o->ignore_missing_schemas;
	*state = s;
	return 0;
}

static int schema_prepare(void *state, const gr_object *obj, gr_error *err)
{
	schema_state *s = state;
	return gr_schema_add_crd(s->reg, obj->root, err) < 0 ? -1 : 0;
}

static void schema_check(void *state, const gr_object *obj, gr_check_ctx *ctx, gr_findings *out)
{
	schema_state *s = state;
	gr_schema_check(s->reg, obj, &s->opt, ctx, out);
}

static void schema_destroy(void *state)
{
	schema_state *s = state;
	if (!s)
		return;
	gr_schema_registry_free(s->reg);
	free(s);
}

const gr_engine gr_engine_schema = {
        .name = "schema",
        .create = schema_create,
        .prepare = schema_prepare,
        .check = schema_check,
        .destroy = schema_destroy,
};
