/*
 * crdcheck.c — what the API server checks on a CustomResourceDefinition
 * object beyond its own OpenAPI schema: every `type` in openAPIV3Schema is
 * one of the six JSON types, and every `pattern` compiles with Go's regexp
 * (lib/regex; the message is apiextensions' with Go's error), each pattern
 * text compiled once in the registry's cache, which the CRD's versions
 * share when their custom resources are checked. Paths are those apiextensions writes: when
 * all versions share one schema the internal form puts it at
 * `spec.validation.openAPIV3Schema`, and nested schemas are written
 * `properties[name]`, `items`, `additionalProperties`, `allOf[i]`.
 */
#include <stdio.h>
#include <string.h>

#include "guardrail/path.h"
#include "guardrail/regex.h"
#include "validate_int.h"

static bool known_type(const gr_value *t)
{
	static const char *const types[] = {"array", "boolean", "integer", "number", "object", "string"};
	for (size_t i = 0; i < 6; i++)
		if (t->u.s.len == strlen(types[i]) && memcmp(t->u.s.ptr, types[i], t->u.s.len) == 0)
			return true;
	return false;
}

/* path[len..] = a b c (snprintf costs more than the walk itself on large
 * CRDs); the new length, or 0 when it does not fit. */
static size_t append(char *path, size_t len, size_t cap, const char *a, const char *b, const char *c)
{
	size_t al = strlen(a), bl = strlen(b), cl = strlen(c);
	if (len + al + bl + cl >= cap)
		return 0;
	memcpy(path + len, a, al);
	memcpy(path + len + al, b, bl);
	memcpy(path + len + al + bl, c, cl);
	path[len + al + bl + cl] = '\0';
	return len + al + bl + cl;
}

/* The members check_schema reads, found in one pass over the node (nine
 * lookups per schema node cost more than the rest of the walk). */
typedef struct schema_keys {
	const gr_value *type, *pattern, *properties, *single[3], *lists[3];
} schema_keys;

static void find_keys(const gr_value *s, schema_keys *k)
{
	memset(k, 0, sizeof *k);
	for (size_t i = 0; i < s->u.o.len; i++) {
		const gr_member *m = &s->u.o.members[i];
		const gr_value **slot = NULL;
#define IS(lit) (m->key_len == sizeof lit - 1 && memcmp(m->key, lit, sizeof lit - 1) == 0)
		switch (m->key[0]) {
		case 't': slot = IS("type") ? &k->type : NULL; break;
		case 'p':
			slot = IS("pattern") ? &k->pattern : IS("properties") ? &k->properties : NULL;
			break;
		case 'i': slot = IS("items") ? &k->single[0] : NULL; break;
		case 'n': slot = IS("not") ? &k->single[2] : NULL; break;
		case 'a':
			slot = IS("additionalProperties") ? &k->single[1]
			       : IS("allOf")              ? &k->lists[0]
			       : IS("anyOf")              ? &k->lists[1]
			                                  : NULL;
			break;
		case 'o': slot = IS("oneOf") ? &k->lists[2] : NULL; break;
		default: break;
		}
#undef IS
		if (slot && !*slot) /* the first, as gr_get finds it */
			*slot = &m->value;
	}
}

static void check_schema(vctx *v, const gr_value *s, char *path, size_t len, size_t cap, int depth)
{
	if (!s || s->type != GR_OBJECT || depth > 64 || len + 64 >= cap)
		return;
	schema_keys keys;
	find_keys(s, &keys);
	const gr_value *t = keys.type;
	if (t && t->type == GR_STRING && t->u.s.len && !known_type(t)) {
		snprintf(path + len, cap - len, ".type");
		v->path_override = path;
		gr_v_report(v, "schema.crd", "FieldValueNotSupported", GR_SEV_ERROR, t->line, t->column, NULL,
		            0,
		            "unsupported value %s: supported values: \"array\", \"boolean\", \"integer\", "
		            "\"number\", "
		            "\"object\", \"string\"",
		            gr_v_show(v, t));
		v->path_override = NULL;
		path[len] = '\0';
	}
	const gr_value *pat = keys.pattern;
	if (pat && pat->type == GR_STRING && pat->u.s.len) {
		const sregex *re = gri_registry_pattern(v->reg, pat->u.s.ptr, pat->u.s.len);
		if (!re) { /* counted, never passed as checked */
			gr_check_ctx_not_evaluated(v->ctx, 1,
			                           "a pattern could not be compiled: out of memory");
		} else if (!re->re) {
			snprintf(path + len, cap - len, ".pattern");
			v->path_override = path;
			gr_v_report(v, "schema.crd", "FieldValueInvalid", GR_SEV_ERROR, pat->line,
			            pat->column, NULL, 0,
			            "invalid value %s: must be a valid regular expression, but isn't: %s",
			            gr_v_show(v, pat), re->error);
			v->path_override = NULL;
			path[len] = '\0';
		}
	}
	const gr_value *props = keys.properties;
	if (props && props->type == GR_OBJECT)
		for (size_t i = 0; i < props->u.o.len; i++) {
			const gr_member *m = &props->u.o.members[i];
			size_t n = append(path, len, cap, ".properties[", m->key, "]");
			if (n)
				check_schema(v, &m->value, path, n, cap, depth + 1);
			path[len] = '\0';
		}
	static const char *const single[] = {"items", "additionalProperties", "not"};
	for (int k = 0; k < 3; k++) {
		const gr_value *c = keys.single[k];
		if (c && c->type == GR_OBJECT) {
			size_t n = append(path, len, cap, ".", single[k], "");
			if (n)
				check_schema(v, c, path, n, cap, depth + 1);
			path[len] = '\0';
		}
	}
	static const char *const lists[] = {"allOf", "anyOf", "oneOf"};
	for (int k = 0; k < 3; k++) {
		const gr_value *c = keys.lists[k];
		if (c && c->type == GR_ARRAY)
			for (size_t i = 0; i < c->u.a.len; i++) {
				int n = snprintf(path + len, cap - len, ".%s[%zu]", lists[k], i);
				if (n > 0 && len + (size_t)n < cap)
					check_schema(v, &c->u.a.items[i], path, len + (size_t)n, cap,
					             depth + 1);
				path[len] = '\0';
			}
	}
}

void gr_v_crd_object(vctx *v, const gr_value *crd)
{
	char path[GR_PATH_MAX];
	const gr_value *spec = gr_get(crd, "spec");
	const gr_value *shared = gr_get_path(spec, "validation", "openAPIV3Schema", NULL);
	const gr_value *versions = gr_get(spec, "versions");
	size_t nv = versions && versions->type == GR_ARRAY ? versions->u.a.len : 0;
	bool same = true;
	const gr_value *first = NULL;
	for (size_t i = 0; i < nv; i++) {
		const gr_value *s = gr_get_path(&versions->u.a.items[i], "schema", "openAPIV3Schema", NULL);
		if (i == 0)
			first = s;
		else if (!s || !first || !gr_equal(s, first))
			same = false;
	}
	if (shared || (nv && same && first)) {
		snprintf(path, sizeof path, "spec.validation.openAPIV3Schema");
		check_schema(v, shared ? shared : first, path, strlen(path), sizeof path, 0);
		return;
	}
	for (size_t i = 0; i < nv; i++) {
		snprintf(path, sizeof path, "spec.versions[%zu].schema.openAPIV3Schema", i);
		check_schema(v, gr_get_path(&versions->u.a.items[i], "schema", "openAPIV3Schema", NULL), path,
		             strlen(path), sizeof path, 0);
	}
}
