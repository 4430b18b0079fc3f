/*
 * engine.c — the `schema` engine: its options to a registry (schema
 * directory, version, patches, CRD paths), the CustomResourceDefinitions of
 * the input set added in `prepare`, and gr_schema_check for every object.
 *
 * A prepared state derived for a session's own CRDs is an overlay registry
 * over the base one: built-in schemas are loaded (lazily, once) in the base
 * and shared by every session; the overlay holds the session's CRDs only.
 */
#include <stdlib.h>
#include <string.h>

#include "../pipeline.h"
#include "guardrail/schema.h"
#include "guardrail/set.h"
#include "registry_int.h"

typedef struct schema_config {
	char *schema_dir, *patches_dir, *version, *cache_dir;
	char **crds;
	size_t ncrds;
	char **olds; /* --old paths */
	size_t nolds;
	gr_schema_check_options opt;
	bool server_patches; /* server_patches.c over the built-in schemas (default) */
} schema_config;

typedef struct schema_prepared {
	gr_schema_registry *reg;
	const schema_config *cfg;
	gr_old_objects *old;       /* owned by the base state */
	const gr_old_objects *use; /* the base's, for derived states */
} schema_prepared;

static int config_new(void **out, gr_error *err)
{
	schema_config *c = calloc(1, sizeof *c);
	if (!c)
		return gr_error_set(err, 0, 0, "out of memory");
	c->opt.strict = true;
	c->server_patches = true;
	*out = c;
	return 0;
}

static void config_free(void *p)
{
	schema_config *c = p;
	if (!c)
		return;
	free(c->schema_dir);
	free(c->patches_dir);
	free(c->version);
	free(c->cache_dir);
	for (size_t i = 0; i < c->ncrds; i++)
		free(c->crds[i]);
	free(c->crds);
	for (size_t i = 0; i < c->nolds; i++)
		free(c->olds[i]);
	free(c->olds);
	free(c);
}

static int set_string(char **field, const char *value, gr_error *err)
{
	char *d = value ? strdup(value) : NULL;
	if (value && !d)
		return gr_error_set(err, 0, 0, "out of memory");
	free(*field);
	*field = d;
	return 0;
}

static int parse_bool(const char *key, const char *value, bool *out, gr_error *err)
{
	if (!value || strcmp(value, "true") == 0)
		*out = true;
	else if (strcmp(value, "false") == 0)
		*out = false;
	else
		return gr_error_set(err, 0, 0, "option %s wants true or false, not \"%.100s\"", key, value);
	return 0;
}

static int config_set(void *p, const char *key, const char *value, gr_error *err)
{
	schema_config *c = p;
	if (strcmp(key, "schema-dir") == 0)
		return set_string(&c->schema_dir, value, err);
	if (strcmp(key, "patches-dir") == 0)
		return set_string(&c->patches_dir, value, err);
	if (strcmp(key, "cache-dir") == 0)
		return set_string(&c->cache_dir, value && *value ? value : NULL, err);
	if (strcmp(key, "kubernetes-version") == 0) {
		if (value && value[0] == 'v')
			value++;
		return set_string(&c->version, value, err);
	}
	if (strcmp(key, "strict") == 0)
		return parse_bool(key, value, &c->opt.strict, err);
	if (strcmp(key, "server-patches") == 0)
		return parse_bool(key, value, &c->server_patches, err);
	if (strcmp(key, "ignore-missing-schemas") == 0)
		return parse_bool(key, value, &c->opt.ignore_missing_schemas, err);
	if (strcmp(key, "crd") == 0) {
		if (!value || !*value)
			return gr_error_set(err, 0, 0, "option crd wants a path");
		char **v = realloc(c->crds, (c->ncrds + 1) * sizeof *v);
		if (!v)
			return gr_error_set(err, 0, 0, "out of memory");
		c->crds = v;
		if (!(v[c->ncrds] = strdup(value)))
			return gr_error_set(err, 0, 0, "out of memory");
		c->ncrds++;
		return 0;
	}
	if (strcmp(key, "old") == 0) {
		if (!value || !*value)
			return gr_error_set(err, 0, 0, "option old wants a path");
		char **v = realloc(c->olds, (c->nolds + 1) * sizeof *v);
		if (!v)
			return gr_error_set(err, 0, 0, "out of memory");
		c->olds = v;
		if (!(v[c->nolds] = strdup(value)))
			return gr_error_set(err, 0, 0, "out of memory");
		c->nolds++;
		return 0;
	}
	return gr_error_set(
	        err, 0, 0,
	        "unknown option \"%.100s\" (schema-dir, patches-dir, kubernetes-version, crd, old, strict, "
	        "ignore-missing-schemas, server-patches)",
	        key);
}

static void prepared_free(void *p)
{
	schema_prepared *s = p;
	if (!s)
		return;
	gr_schema_registry_free(s->reg);
	gr_old_objects_free(s->old);
	free(s);
}

static int prepare(const void *config, const void *base, const gr_set *set, void **out, gr_error *err)
{
	const schema_config *c = config;
	*out = NULL;
	schema_prepared *s = calloc(1, sizeof *s);
	if (!s)
		return gr_error_set(err, 0, 0, "out of memory");
	s->cfg = c;
	const schema_prepared *b = base;
	int rc = b ? gr_schema_registry_overlay(&s->reg, b->reg, err)
	           : gr_schema_registry_open(&s->reg, c->schema_dir, c->version, c->patches_dir, err);
	if (rc == 0 && !b)
		rc = gr_schema_registry_set_cache(s->reg, c->cache_dir, err);
	if (rc == 0 && !b)
		gri_schema_registry_server_patches(s->reg, c->server_patches);
	for (size_t i = 0; rc == 0 && !b && i < c->ncrds; i++) {
		size_t crds;
		if (gri_schema_add_crd_path_seen(s->reg, c->crds[i], &crds, err) < 0)
			rc = -1;
		else if (crds == 0) /* a wrong path would otherwise leave every custom resource unchecked */
			rc = gr_error_set(err, 0, 0,
			                  "%.200s: no CustomResourceDefinition (with spec.group and "
			                  "spec.names.kind) in it",
			                  c->crds[i]);
	}
	if (rc == 0 && !b && c->nolds && gr_old_objects_load(&s->old, c->olds, c->nolds, err) < 0)
		rc = -1;
	s->use = b ? b->use : s->old;
	const size_t *idx;
	size_t n = gr_set_kind(set, "apiextensions.k8s.io", "CustomResourceDefinition", &idx);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const gr_object *o = gr_set_object(set, idx[i]);
		/* a session's set outlives s: its CRD versions compile on first use */
		if (o->root && (gri_set_lasting(set) ? gri_schema_add_crd_lazy(s->reg, o->root, err)
		                                     : gr_schema_add_crd(s->reg, o->root, err)) < 0)
			rc = -1;
	}
	/* the CRD versions the set's objects use, in the order of their first
	 * use: threads that would wait for each other's compiles compile these */
	for (size_t i = 0, nobj = gri_set_lasting(set) && n ? gr_set_count(set) : 0; rc == 0 && i < nobj;
	     i++) {
		const gr_object *o = gr_set_object(set, i);
		if (o->kind && o->version &&
		    gri_registry_want(s->reg, o->group ? o->group : "", o->version, o->kind) < 0)
			rc = gr_error_set(err, 0, 0, "out of memory");
	}
	if (rc) {
		prepared_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

static int check(const void *p, const gr_object *obj, gr_check_ctx *ctx, gr_findings *out, gr_error *err)
{
	const schema_prepared *s = p;
	gr_schema_check_options opt = s->cfg->opt;
	opt.old = s->use;
	if (gr_schema_check(s->reg, obj, &opt, ctx, out))
		return gr_error_set(err, 0, 0, "%s", out->failure ? out->failure : "out of memory");
	return 0;
}

/* A kind the checker's own registry knows (built-in, or from a crd
 * option) cannot be redefined by the inputs: the first definition wins. */
static bool needs_set(const void *p, const gr_object *obj)
{
	const schema_prepared *s = p;
	if (!obj->root || obj->root->type != GR_OBJECT || !obj->kind[0] || !obj->api_version[0])
		return false; /* judged without a schema */
	return !gr_schema_has_kind(s->reg, obj->group, obj->version, obj->kind);
}

static const char *const kinds[] = {"apiextensions.k8s.io/CustomResourceDefinition", NULL};

const gr_engine gri_engine_schema = {
        .name = "schema",
        .summary = "OpenAPI v3 schemas of the target Kubernetes version, and CRDs",
        .kinds = kinds,
        .config_new = config_new,
        .config_set = config_set,
        .config_free = config_free,
        .prepare = prepare,
        .check = check,
        .prepared_free = prepared_free,
        .needs_set = needs_set,
};
