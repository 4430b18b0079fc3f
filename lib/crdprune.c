/*
 * crdprune.c — the CustomResourceDefinition trees a session keeps between
 * its passes, without what nothing reads after the CRD object itself was
 * judged: the `description` of every schema node of its openAPIV3Schema
 * (more than half of a CRD's bytes). The set compiles CRD versions, their
 * CEL rules and answers rule packs from these trees; none of them reads a
 * schema's description. An engine that judges the CRD object itself again
 * (vap, kyverno: pipeline.h) gets its whole tree back from bytes the
 * session keeps for that (valblob.c).
 *
 * The pruned tree is also written straight to bytes (gri_crd_pruned_encode,
 * the same walk), and gri_crd_strip drops the schemas of versions no input
 * uses; with no version used its result is the CRD's skeleton, which is all
 * the session keeps as a tree until the set is built.
 *
 * The walk knows the schema grammar: `properties` (and patternProperties,
 * definitions, dependencies) map names to schemas, so a property named
 * "description" is kept; only a string `description` of a schema node goes.
 *
 * Since two definitions of one CRD are compared to report a conflict, a
 * digest of the whole tree (consistent with gr_equal: member order ignored,
 * numbers by value) is taken before pruning.
 */
#include <string.h>

#include "internal.h"
#include "pipeline.h"

static gr_value copy_schema(gr_arena *a, const gr_value *v, int depth);

static bool key_is(const gr_member *m, const char *k, size_t len)
{
	return m->key_len == len && memcmp(m->key, k, len) == 0;
}
#define KEY_IS(m, lit) key_is((m), lit, sizeof lit - 1)

/* A copied object's `<<` members (value.h): after its n others, copied. */
static bool copy_merge_members(gr_arena *a, gr_value *c, const gr_value *v, size_t n, bool share)
{
	for (size_t i = 0; i < v->merge_keys; i++) {
		const gr_member *m = &v->u.o.members[v->u.o.len + i];
		gr_member *d = &c->u.o.members[n + i];
		*d = *m;
		if (share)
			continue;
		d->key = gr_arena_strndup(a, m->key, m->key_len);
		d->value = gri_value_copy(a, &m->value);
		if (!d->key || (d->value.type == GR_NULL && m->value.type != GR_NULL))
			return false;
	}
	return true;
}

/* An object whose every member value is a schema (properties, ...). */
static gr_value copy_schema_map(gr_arena *a, const gr_value *v, int depth)
{
	if (v->type != GR_OBJECT)
		return gri_value_copy(a, v);
	gr_value c = *v;
	size_t all = v->u.o.len + v->merge_keys;
	c.u.o.members = all ? gr_arena_alloc(a, all * sizeof *c.u.o.members) : NULL;
	if (all && !c.u.o.members)
		return gr_make_null();
	for (size_t i = 0; i < v->u.o.len; i++) {
		const gr_member *m = &v->u.o.members[i];
		gr_member *d = &c.u.o.members[i];
		*d = *m;
		d->key = gr_arena_strndup(a, m->key, m->key_len);
		if (!d->key)
			return gr_make_null();
		d->value = copy_schema(a, &m->value, depth + 1);
		if (d->value.type == GR_NULL && m->value.type != GR_NULL)
			return gr_make_null();
	}
	return copy_merge_members(a, &c, v, v->u.o.len, false) ? c : gr_make_null();
}

/* An array of schemas (allOf, anyOf, oneOf; items as a list). */
static gr_value copy_schema_list(gr_arena *a, const gr_value *v, int depth)
{
	if (v->type != GR_ARRAY)
		return copy_schema(a, v, depth + 1);
	gr_value c = *v;
	c.u.a.items = v->u.a.len ? gr_arena_alloc(a, v->u.a.len * sizeof *c.u.a.items) : NULL;
	if (v->u.a.len && !c.u.a.items)
		return gr_make_null();
	for (size_t i = 0; i < v->u.a.len; i++) {
		c.u.a.items[i] = copy_schema(a, &v->u.a.items[i], depth + 1);
		if (c.u.a.items[i].type == GR_NULL && v->u.a.items[i].type != GR_NULL)
			return gr_make_null();
	}
	return c;
}

/* One schema node: its string description dropped, its subschemas pruned,
 * everything else (defaults, enums, rules, ...) copied as it is. */
static gr_value copy_schema(gr_arena *a, const gr_value *v, int depth)
{
	if (v->type != GR_OBJECT || depth > 256)
		return gri_value_copy(a, v);
	gr_value c = *v;
	size_t all = v->u.o.len + v->merge_keys;
	c.u.o.members = all ? gr_arena_alloc(a, all * sizeof *c.u.o.members) : NULL;
	if (all && !c.u.o.members)
		return gr_make_null();
	size_t n = 0;
	for (size_t i = 0; i < v->u.o.len; i++) {
		const gr_member *m = &v->u.o.members[i];
		if (KEY_IS(m, "description") && m->value.type == GR_STRING)
			continue;
		gr_member *d = &c.u.o.members[n];
		*d = *m;
		d->key = gr_arena_strndup(a, m->key, m->key_len);
		if (!d->key)
			return gr_make_null();
		if (KEY_IS(m, "properties") || KEY_IS(m, "patternProperties") || KEY_IS(m, "definitions") ||
		    KEY_IS(m, "dependencies"))
			d->value = copy_schema_map(a, &m->value, depth);
		else if (KEY_IS(m, "items") || KEY_IS(m, "allOf") || KEY_IS(m, "anyOf") || KEY_IS(m, "oneOf"))
			d->value = copy_schema_list(a, &m->value, depth);
		else if (KEY_IS(m, "additionalProperties") || KEY_IS(m, "additionalItems") ||
		         KEY_IS(m, "not"))
			d->value = copy_schema(a, &m->value, depth + 1);
		else
			d->value = gri_value_copy(a, &m->value);
		if (d->value.type == GR_NULL && m->value.type != GR_NULL)
			return gr_make_null();
		n++;
	}
	c.u.o.len = n;
	return copy_merge_members(a, &c, v, n, false) ? c : gr_make_null();
}

/* Where a CRD holds schemas: each path a list of keys, "[]" for every
 * item of an array, ending at a schema node. */
static const char *const schema_paths[][6] = {
        {"spec", "validation", "openAPIV3Schema", NULL},
        {"spec", "versions", "[]", "schema", "openAPIV3Schema", NULL},
};
#define NPATHS (sizeof schema_paths / sizeof schema_paths[0])

/* v at depth d of the paths still matching (mask): copied, the schemas at
 * the paths' ends pruned. */
static gr_value copy_along(gr_arena *a, const gr_value *v, unsigned mask, int d)
{
	for (size_t p = 0; p < NPATHS; p++)
		if ((mask >> p & 1) && !schema_paths[p][d])
			return copy_schema(a, v, 0);
	gr_value c = *v;
	if (v->type == GR_ARRAY) {
		unsigned next = 0;
		for (size_t p = 0; p < NPATHS; p++)
			if ((mask >> p & 1) && strcmp(schema_paths[p][d], "[]") == 0)
				next |= 1u << p;
		if (!next)
			return gri_value_copy(a, v);
		c.u.a.items = v->u.a.len ? gr_arena_alloc(a, v->u.a.len * sizeof *c.u.a.items) : NULL;
		if (v->u.a.len && !c.u.a.items)
			return gr_make_null();
		for (size_t i = 0; i < v->u.a.len; i++) {
			c.u.a.items[i] = copy_along(a, &v->u.a.items[i], next, d + 1);
			if (c.u.a.items[i].type == GR_NULL && v->u.a.items[i].type != GR_NULL)
				return gr_make_null();
		}
		return c;
	}
	if (v->type != GR_OBJECT)
		return gri_value_copy(a, v);
	size_t all = v->u.o.len + v->merge_keys;
	c.u.o.members = all ? gr_arena_alloc(a, all * sizeof *c.u.o.members) : NULL;
	if (all && !c.u.o.members)
		return gr_make_null();
	for (size_t i = 0; i < v->u.o.len; i++) {
		const gr_member *m = &v->u.o.members[i];
		gr_member *dm = &c.u.o.members[i];
		*dm = *m;
		dm->key = gr_arena_strndup(a, m->key, m->key_len);
		if (!dm->key)
			return gr_make_null();
		unsigned next = 0;
		for (size_t p = 0; p < NPATHS; p++)
			if ((mask >> p & 1) && key_is(m, schema_paths[p][d], strlen(schema_paths[p][d])))
				next |= 1u << p;
		dm->value = next ? copy_along(a, &m->value, next, d + 1) : gri_value_copy(a, &m->value);
		if (dm->value.type == GR_NULL && m->value.type != GR_NULL)
			return gr_make_null();
	}
	return copy_merge_members(a, &c, v, v->u.o.len, false) ? c : gr_make_null();
}

gr_value gri_crd_pruned_copy(gr_arena *a, const gr_value *crd)
{
	return copy_along(a, crd, (1u << NPATHS) - 1, 0);
}

/* ---- the same walk, written as bytes (no copy) ---- */

static void enc_schema(gri_blob_writer *w, const gr_value *v, int depth);

static void enc_schema_map(gri_blob_writer *w, const gr_value *v, int depth)
{
	if (v->type != GR_OBJECT) {
		gri_blob_put_value(w, v);
		return;
	}
	gri_blob_put_container(w, v, v->u.o.len);
	for (size_t i = 0; i < v->u.o.len; i++) {
		gri_blob_put_key(w, &v->u.o.members[i]);
		enc_schema(w, &v->u.o.members[i].value, depth + 1);
	}
	gri_blob_put_merge_members(w, v);
}

static void enc_schema_list(gri_blob_writer *w, const gr_value *v, int depth)
{
	if (v->type != GR_ARRAY) {
		enc_schema(w, v, depth + 1);
		return;
	}
	gri_blob_put_container(w, v, v->u.a.len);
	for (size_t i = 0; i < v->u.a.len; i++)
		enc_schema(w, &v->u.a.items[i], depth + 1);
}

static bool dropped(const gr_member *m)
{
	return KEY_IS(m, "description") && m->value.type == GR_STRING;
}

static void enc_schema(gri_blob_writer *w, const gr_value *v, int depth)
{
	if (v->type != GR_OBJECT || depth > 256) {
		gri_blob_put_value(w, v);
		return;
	}
	size_t n = 0;
	for (size_t i = 0; i < v->u.o.len; i++)
		n += !dropped(&v->u.o.members[i]);
	gri_blob_put_container(w, v, n);
	for (size_t i = 0; i < v->u.o.len; i++) {
		const gr_member *m = &v->u.o.members[i];
		if (dropped(m))
			continue;
		gri_blob_put_key(w, m);
		if (KEY_IS(m, "properties") || KEY_IS(m, "patternProperties") || KEY_IS(m, "definitions") ||
		    KEY_IS(m, "dependencies"))
			enc_schema_map(w, &m->value, depth);
		else if (KEY_IS(m, "items") || KEY_IS(m, "allOf") || KEY_IS(m, "anyOf") || KEY_IS(m, "oneOf"))
			enc_schema_list(w, &m->value, depth);
		else if (KEY_IS(m, "additionalProperties") || KEY_IS(m, "additionalItems") ||
		         KEY_IS(m, "not"))
			enc_schema(w, &m->value, depth + 1);
		else
			gri_blob_put_value(w, &m->value);
	}
	gri_blob_put_merge_members(w, v);
}

static void enc_along(gri_blob_writer *w, const gr_value *v, unsigned mask, int d)
{
	for (size_t p = 0; p < NPATHS; p++)
		if ((mask >> p & 1) && !schema_paths[p][d]) {
			enc_schema(w, v, 0);
			return;
		}
	if (v->type == GR_ARRAY) {
		unsigned next = 0;
		for (size_t p = 0; p < NPATHS; p++)
			if ((mask >> p & 1) && strcmp(schema_paths[p][d], "[]") == 0)
				next |= 1u << p;
		if (!next) {
			gri_blob_put_value(w, v);
			return;
		}
		gri_blob_put_container(w, v, v->u.a.len);
		for (size_t i = 0; i < v->u.a.len; i++)
			enc_along(w, &v->u.a.items[i], next, d + 1);
		return;
	}
	if (v->type != GR_OBJECT) {
		gri_blob_put_value(w, v);
		return;
	}
	gri_blob_put_container(w, v, v->u.o.len);
	for (size_t i = 0; i < v->u.o.len; i++) {
		const gr_member *m = &v->u.o.members[i];
		gri_blob_put_key(w, m);
		unsigned next = 0;
		for (size_t p = 0; p < NPATHS; p++)
			if ((mask >> p & 1) && key_is(m, schema_paths[p][d], strlen(schema_paths[p][d])))
				next |= 1u << p;
		if (next)
			enc_along(w, &m->value, next, d + 1);
		else
			gri_blob_put_value(w, &m->value);
	}
	gri_blob_put_merge_members(w, v);
}

int gri_crd_pruned_encode(const gr_value *crd, unsigned char **out, size_t *outlen)
{
	gri_blob_writer *w = gri_blob_writer_new();
	if (w)
		enc_along(w, crd, (1u << NPATHS) - 1, 0);
	return gri_blob_writer_finish(w, out, outlen);
}

/* ---- digest: equal under gr_equal => equal digest ---- */

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static uint64_t digest(const gr_value *v, int depth, uint64_t k)
{
	if (gr_is_number(v)) { /* 1 and 1.0 are equal to gr_equal */
		double x = gr_number(v);
		if (x == 0)
			x = 0; /* -0.0 == 0.0 */
		uint64_t b;
		memcpy(&b, &x, sizeof b);
		return mix(b ^ k ^ 0x6e756d);
	}
	switch ((gr_type)v->type) {
	case GR_NULL: return mix(k ^ 0x9e3779b97f4a7c15ULL);
	case GR_BOOL: return mix(k ^ (v->u.b ? 0xb001 : 0xb000));
	case GR_STRING: return mix(gri_hash_words(v->u.s.ptr, v->u.s.len, k) ^ 0x737472);
	case GR_ARRAY: {
		uint64_t h = 0xa11a7 + v->u.a.len;
		for (size_t i = 0; i < v->u.a.len && depth < 4096; i++)
			h = mix(h * 31 + digest(&v->u.a.items[i], depth + 1, k));
		return h;
	}
	case GR_OBJECT: { /* member order does not count: a sum */
		uint64_t h = 0;
		for (size_t i = 0; i < v->u.o.len && depth < 4096; i++) {
			const gr_member *m = &v->u.o.members[i];
			/* a key of up to 8 bytes is its head */
			uint64_t kh = m->key_len <= 8 ? mix(k ^ m->key_head ^ m->key_len * 0x100000001b3ULL)
			                              : gri_hash_words(m->key, m->key_len, k);
			h += mix(kh * 0x100000001b3ULL ^ digest(&m->value, depth + 1, k));
		}
		return mix(h ^ (0x0b1ec7 + v->u.o.len));
	}
	default: return 0;
	}
}

/* Keyed per process (gri_keyed_hash's random key), as the duplicate-key
 * hash is: a document cannot be built to collide with another one and hide
 * a conflict between two definitions of a CRD. */
uint64_t gri_value_digest(const gr_value *v)
{
	uint64_t k = gri_keyed_hash("crd digest", 10);
	return digest(v, 0, k) | 1; /* never 0: 0 means "no digest" */
}

/* ---- versions nobody will look up ---- */

/* Kept parts of a stripped tree: copies, or with share the source's own
 * nodes (the source then outlives the result). */
static gr_value keep(gr_arena *a, const gr_value *v, bool share)
{
	return share ? *v : gri_value_copy(a, v);
}

static const char *keep_key(gr_arena *a, const gr_member *m, bool share)
{
	return share ? m->key : gr_arena_strndup(a, m->key, m->key_len);
}

/* A copy of v without its member named key (every other member copied). */
static gr_value copy_without(gr_arena *a, const gr_value *v, const char *key, bool share)
{
	gr_value c = *v;
	size_t all = v->u.o.len + v->merge_keys;
	c.u.o.members = all ? gr_arena_alloc(a, all * sizeof *c.u.o.members) : NULL;
	if (all && !c.u.o.members)
		return gr_make_null();
	size_t n = 0;
	for (size_t i = 0; i < v->u.o.len; i++) {
		const gr_member *m = &v->u.o.members[i];
		if (key_is(m, key, strlen(key)))
			continue;
		gr_member *d = &c.u.o.members[n++];
		*d = *m;
		d->key = keep_key(a, m, share);
		d->value = keep(a, &m->value, share);
		if (!d->key || (d->value.type == GR_NULL && m->value.type != GR_NULL))
			return gr_make_null();
	}
	c.u.o.len = n;
	return copy_merge_members(a, &c, v, n, share) ? c : gr_make_null();
}

bool gri_crd_uses_any(const gr_value *crd, gri_gvk_used_fn used, void *user)
{
	const gr_value *spec = gr_get(crd, "spec");
	const char *group = gr_get_str(spec, "group");
	const char *kind = gr_get_str(gr_get(spec, "names"), "kind");
	if (!group || !kind || crd->type != GR_OBJECT || spec->type != GR_OBJECT)
		return false; /* strip copies nothing: its result is the tree itself */
	const gr_value *versions = gr_get(spec, "versions");
	size_t nv = versions && versions->type == GR_ARRAY ? versions->u.a.len : 0;
	for (size_t i = 0; i < nv; i++) {
		const char *name = gr_get_str(&versions->u.a.items[i], "name");
		if (name && used(user, group, name, kind))
			return true;
	}
	const char *single = gr_get_str(spec, "version");
	return single && used(user, group, single, kind);
}

static int strip(gr_arena *a, const gr_value *crd, gri_gvk_used_fn used, void *user, gr_value *out,
                 bool share)
{
	const gr_value *spec = gr_get(crd, "spec");
	const char *group = gr_get_str(spec, "group");
	const char *kind = gr_get_str(gr_get(spec, "names"), "kind");
	if (!group || !kind || crd->type != GR_OBJECT || spec->type != GR_OBJECT)
		return 0;
	const gr_value *versions = gr_get(spec, "versions");
	size_t nv = versions && versions->type == GR_ARRAY ? versions->u.a.len : 0;
	bool any = false, drop_some = false;
	for (size_t i = 0; i < nv; i++) {
		const gr_value *v = &versions->u.a.items[i];
		const char *name = gr_get_str(v, "name");
		bool need = !name || used(user, group, name, kind);
		any |= need;
		drop_some |= !need && gr_get(v, "schema");
	}
	const char *single = gr_get_str(spec, "version");
	if (single && used(user, group, single, kind))
		any = true;
	bool drop_shared = !any && gr_get(spec, "validation");
	if (!drop_some && !drop_shared)
		return 0;
	/* the copy: crd with spec replaced, spec with versions and validation replaced */
	gr_value c = *crd;
	c.merge_keys = 0; /* a CRD's own `<<` keys (as written) are not kept */
	c.u.o.members = gr_arena_alloc(a, crd->u.o.len * sizeof *c.u.o.members);
	if (!c.u.o.members)
		return -1;
	for (size_t i = 0; i < crd->u.o.len; i++) {
		const gr_member *m = &crd->u.o.members[i];
		gr_member *d = &c.u.o.members[i];
		*d = *m;
		d->key = keep_key(a, m, share);
		if (!d->key)
			return -1;
		if (&m->value != spec) {
			d->value = keep(a, &m->value, share);
			if (d->value.type == GR_NULL && m->value.type != GR_NULL)
				return -1;
			continue;
		}
		gr_value sc = *spec;
		sc.merge_keys = 0;
		sc.u.o.members = gr_arena_alloc(a, spec->u.o.len * sizeof *sc.u.o.members);
		if (!sc.u.o.members)
			return -1;
		size_t n = 0;
		for (size_t j = 0; j < spec->u.o.len; j++) {
			const gr_member *sm = &spec->u.o.members[j];
			if (drop_shared && KEY_IS(sm, "validation"))
				continue;
			gr_member *dm = &sc.u.o.members[n++];
			*dm = *sm;
			dm->key = keep_key(a, sm, share);
			if (!dm->key)
				return -1;
			if (nv && &sm->value == versions)
				continue; /* below */
			dm->value = keep(a, &sm->value, share);
			if (dm->value.type == GR_NULL && sm->value.type != GR_NULL)
				return -1;
		}
		sc.u.o.len = n;
		for (size_t j = 0; j < sc.u.o.len; j++) {
			gr_member *sm = &sc.u.o.members[j];
			if (!nv || !KEY_IS(sm, "versions") || sm->value.type != GR_ARRAY)
				continue;
			gr_value *items = gr_arena_alloc(a, nv * sizeof *items);
			if (!items)
				return -1;
			for (size_t k = 0; k < nv; k++) {
				const gr_value *v = &versions->u.a.items[k];
				const char *name = gr_get_str(v, "name");
				bool need = !name || used(user, group, name, kind);
				items[k] = need || v->type != GR_OBJECT ? keep(a, v, share)
				                                        : copy_without(a, v, "schema", share);
				if (items[k].type == GR_NULL && v->type != GR_NULL)
					return -1;
			}
			sm->value = *versions;
			sm->value.u.a.items = items;
		}
		d->value = sc;
	}
	*out = c;
	return 1;
}

int gri_crd_strip(gr_arena *a, const gr_value *crd, gri_gvk_used_fn used, void *user, gr_value *out)
{
	return strip(a, crd, used, user, out, false);
}

int gri_crd_strip_shared(gr_arena *a, const gr_value *crd, gri_gvk_used_fn used, void *user, gr_value *out)
{
	return strip(a, crd, used, user, out, true);
}
