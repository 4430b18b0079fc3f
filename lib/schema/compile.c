/*
 * compile.c — OpenAPI v3 schema text (a decoded value tree) to the compiled
 * node graph of schema_int.h.
 *
 * The trick: `$ref` targets are compiled once per document and memoised by
 * component name in a hash table; the node is published in the table before
 * it is filled, so recursive types (JSONSchemaProps) close into a cycle
 * instead of recursing forever. An `allOf: [{$ref}]` wrapper (how
 * kube-openapi attaches a default or description to a reference) resolves
 * to the referenced node itself; its default and nullable go on the edge
 * (sprop), never into a copy of the node.
 *
 * CRDs have no `$ref`, but repeat themselves (a container schema in every
 * workload-shaped field, `{type: string}` everywhere): with sharing on
 * (gr_scompiler_share), a subschema equal to one compiled before, byte for
 * byte and key for key, is the node compiled before. One pass hashes every
 * object of the schema bottom-up first, so a lookup costs a probe.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "guardrail/value.h"
#include "schema_int.h"

const snode gr_snode_any = {
        .flags = SF_PRESERVE | SF_NULLABLE,
        .min_len = -1,
        .max_len = -1,
        .min_items = -1,
        .max_items = -1,
        .min_props = -1,
        .max_props = -1,
};

typedef struct centry {
	const gr_member *m;
	snode *node;
} centry;

/* Sharing: every object node of the schema with its structural hash and
 * height, and the nodes compiled so far by hash. */
typedef struct hnode {
	const gr_value *v;
	uint64_t hash;
	uint32_t height;
} hnode;

typedef struct memo {
	const gr_value *src;
	const snode *node;
	uint64_t hash;
} memo;

struct scompiler {
	hnode *hn;
	size_t hn_cap, hn_n; /* power of two; 0: sharing off */
	memo *mm;
	size_t mm_cap, mm_n;
	gr_arena *out;
	const gr_value *comps;
	bool builtin;
	centry *tab;
	size_t cap; /* power of two */
	int depth;
	sregex **regexes;               /* NULL: patterns are not compiled */
	struct gr_schema_registry *reg; /* or compiled in the registry's shared cache */
	bool failed;                    /* an allocation failed: the graph is incomplete */
};

/* An allocation failed: what was compiled must not be used (a node left
 * half-filled would accept what it should reject). */
static void nomem(scompiler *c)
{
	c->failed = true;
}

bool gr_scompiler_failed(const scompiler *c)
{
	return c->failed;
}

void gr_scompiler_set_regex_list(scompiler *c, sregex **list)
{
	c->regexes = list;
}

void gr_scompiler_set_registry_patterns(scompiler *c, struct gr_schema_registry *r)
{
	c->reg = r;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
	return gr_hash_bytes(GR_HASH_SEED, s, n);
}

static pthread_once_t key_once;
static void key_index_init(void);

scompiler *gr_scompiler_new(gr_arena *out, const gr_value *components, bool builtin)
{
	pthread_once(&key_once, key_index_init);
	scompiler *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->out = out;
	c->builtin = builtin;
	if (components && components->type == GR_OBJECT) {
		c->comps = components;
		size_t n = components->u.o.len, cap = 16;
		while (cap < n * 2)
			cap <<= 1;
		c->tab = calloc(cap, sizeof *c->tab);
		if (!c->tab) {
			free(c);
			return NULL;
		}
		c->cap = cap;
		for (size_t i = 0; i < n; i++) {
			const gr_member *m = &components->u.o.members[i];
			size_t h = (size_t)hash_bytes(m->key, m->key_len) & (cap - 1);
			while (c->tab[h].m)
				h = (h + 1) & (cap - 1);
			c->tab[h].m = m;
		}
	}
	return c;
}

void gr_scompiler_free(scompiler *c)
{
	if (!c)
		return;
	free(c->hn);
	free(c->mm);
	free(c->tab);
	free(c);
}

static centry *find_component(scompiler *c, const char *name, size_t len)
{
	if (!c->tab)
		return NULL;
	size_t h = (size_t)hash_bytes(name, len) & (c->cap - 1);
	while (c->tab[h].m) {
		if (c->tab[h].m->key_len == len && memcmp(c->tab[h].m->key, name, len) == 0)
			return &c->tab[h];
		h = (h + 1) & (c->cap - 1);
	}
	return NULL;
}

bool gr_value_copy(gr_arena *a, gr_value *dst, const gr_value *src)
{
	*dst = *src;
	switch (src->type) {
	case GR_STRING: {
		char *s = gr_arena_strndup(a, src->u.s.ptr, src->u.s.len);
		if (!s)
			return false;
		dst->u.s.ptr = s;
		return true;
	}
	case GR_ARRAY: {
		size_t n = src->u.a.len;
		gr_value *items = n ? gr_arena_calloc(a, n, sizeof *items) : NULL;
		if (n && !items)
			return false;
		for (size_t i = 0; i < n; i++)
			if (!gr_value_copy(a, &items[i], &src->u.a.items[i]))
				return false;
		dst->u.a.items = items;
		return true;
	}
	case GR_OBJECT: {
		size_t n = src->u.o.len;
		gr_member *ms = n ? gr_arena_calloc(a, n, sizeof *ms) : NULL;
		if (n && !ms)
			return false;
		for (size_t i = 0; i < n; i++) {
			const gr_member *sm = &src->u.o.members[i];
			ms[i] = *sm;
			char *k = gr_arena_strndup(a, sm->key, sm->key_len);
			if (!k || !gr_value_copy(a, &ms[i].value, &sm->value))
				return false;
			ms[i].key = k;
		}
		dst->u.o.members = ms;
		return true;
	}
	default: return true;
	}
}

uint64_t gr_value_hash(const gr_value *v)
{
	switch (v->type) {
	case GR_NULL: return 0x9e3779b97f4a7c15ULL;
	case GR_BOOL: return v->u.b ? 3 : 5;
	case GR_INT: return (uint64_t)v->u.i * 0x100000001b3ULL + 7;
	case GR_DOUBLE: {
		double d = v->u.d;
		if (d >= -9.2e18 && d <= 9.2e18 && (double)(int64_t)d == d)
			return (uint64_t)(int64_t)d * 0x100000001b3ULL + 7;
		uint64_t bits;
		memcpy(&bits, &d, sizeof bits);
		return bits * 31 + 11;
	}
	case GR_STRING: return hash_bytes(v->u.s.ptr, v->u.s.len) + 13;
	case GR_ARRAY: {
		uint64_t h = 17;
		for (size_t i = 0; i < v->u.a.len; i++)
			h = h * 1099511628211ULL + gr_value_hash(&v->u.a.items[i]);
		return h;
	}
	case GR_OBJECT: {
		uint64_t h = 19; /* order-independent: sum of member hashes */
		for (size_t i = 0; i < v->u.o.len; i++) {
			const gr_member *m = &v->u.o.members[i];
			h += hash_bytes(m->key, m->key_len) * 31 + gr_value_hash(&m->value);
		}
		return h;
	}
	}
	return 0;
}

static int prop_cmp(const void *a, const void *b)
{
	const sprop *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->name, y->name, n);
	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

const sprop *gr_snode_prop(const snode *n, const char *key, size_t len)
{
	size_t lo = 0, hi = n->nprops;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const sprop *p = &n->props[mid];
		size_t m = p->len < len ? p->len : len;
		int c = memcmp(p->name, key, m);
		if (c == 0)
			c = p->len < len ? -1 : p->len > len;
		if (c == 0)
			return p;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool get_bool(const gr_value *s, const char *key)
{
	const gr_value *v = gr_get(s, key);
	return v && v->type == GR_BOOL && v->u.b;
}

static uint8_t type_bits(const char *t)
{
	if (!t)
		return 0;
	if (strcmp(t, "object") == 0)
		return ST_OBJ;
	if (strcmp(t, "array") == 0)
		return ST_ARR;
	if (strcmp(t, "string") == 0)
		return ST_STR;
	if (strcmp(t, "integer") == 0)
		return ST_INT;
	if (strcmp(t, "number") == 0)
		return ST_NUM;
	if (strcmp(t, "boolean") == 0)
		return ST_BOOL;
	return 0;
}

/* ---- sharing equal subschemas ---- */

static uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static bool is_default_key(const gr_member *m)
{
	return m->key_len == 7 && memcmp(m->key, "default", 7) == 0 &&
	       (m->value.type == GR_OBJECT || m->value.type == GR_ARRAY);
}

/* Equal for the compiler: same types (1 is not 1.0), values, keys in the
 * same order; inside an object or array `default` the positions too (a
 * default's nodes may be reported where they are written). */
static bool same(const gr_value *a, const gr_value *b, bool positions)
{
	if (a->type != b->type || (positions && (a->line != b->line || a->column != b->column)))
		return false;
	switch ((gr_type)a->type) {
	case GR_NULL: return true;
	case GR_BOOL: return a->u.b == b->u.b;
	case GR_INT: return a->u.i == b->u.i;
	case GR_DOUBLE: return memcmp(&a->u.d, &b->u.d, sizeof a->u.d) == 0;
	case GR_STRING: return a->u.s.len == b->u.s.len && memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0;
	case GR_ARRAY:
		if (a->u.a.len != b->u.a.len)
			return false;
		for (size_t i = 0; i < a->u.a.len; i++)
			if (!same(&a->u.a.items[i], &b->u.a.items[i], positions))
				return false;
		return true;
	case GR_OBJECT:
		if (a->u.o.len != b->u.o.len)
			return false;
		for (size_t i = 0; i < a->u.o.len; i++) {
			const gr_member *ma = &a->u.o.members[i], *mb = &b->u.o.members[i];
			if (ma->key_len != mb->key_len || memcmp(ma->key, mb->key, ma->key_len) != 0 ||
			    !same(&ma->value, &mb->value, positions || is_default_key(ma)))
				return false;
		}
		return true;
	}
	return false;
}

/* A zeroed table written before it is read. calloc may hand out fresh
 * pages unwritten (known to be zero): probing them maps the shared zero
 * page, and the first store then takes a copy-on-write fault that flushes
 * the TLB of every thread of the process (an interrupt to the other core:
 * the warm-up compiles CRD versions on two threads at once). */
static void *zeroed(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	void *p = malloc(n * size);
	if (p) /* not memset: the compiler would make malloc+memset a calloc */
		explicit_bzero(p, n * size);
	return p;
}

static int hn_put(scompiler *c, const gr_value *v, uint64_t h, uint32_t height)
{
	if ((c->hn_n + 1) * 2 > c->hn_cap) {
		size_t cap = c->hn_cap ? c->hn_cap * 2 : 1024;
		hnode *t = zeroed(cap, sizeof *t);
		if (!t)
			return -1;
		for (size_t i = 0; i < c->hn_cap; i++)
			if (c->hn[i].v) {
				size_t j = (size_t)mix64((uintptr_t)c->hn[i].v) & (cap - 1);
				while (t[j].v)
					j = (j + 1) & (cap - 1);
				t[j] = c->hn[i];
			}
		free(c->hn);
		c->hn = t;
		c->hn_cap = cap;
	}
	size_t j = (size_t)mix64((uintptr_t)v) & (c->hn_cap - 1);
	while (c->hn[j].v)
		j = (j + 1) & (c->hn_cap - 1);
	c->hn[j] = (hnode){v, h, height};
	c->hn_n++;
	return 0;
}

static const hnode *hn_get(const scompiler *c, const gr_value *v)
{
	if (!c->hn_n)
		return NULL;
	for (size_t j = (size_t)mix64((uintptr_t)v) & (c->hn_cap - 1); c->hn[j].v;
	     j = (j + 1) & (c->hn_cap - 1))
		if (c->hn[j].v == v)
			return &c->hn[j];
	return NULL;
}

/* The hash of v (consistent with same() without positions); every object
 * node recorded with its height. -1 when memory ran out. */
static int hash_tree(scompiler *c, const gr_value *v, uint64_t *out, uint32_t *height, int depth)
{
	uint64_t h = 0x51ed27 + v->type;
	uint32_t ht = 0;
	if (depth > 256)
		return -1;
	switch ((gr_type)v->type) {
	case GR_NULL: break;
	case GR_BOOL: h ^= v->u.b; break;
	case GR_INT: h ^= (uint64_t)v->u.i * 0x9e3779b97f4a7c15ULL; break;
	case GR_DOUBLE: {
		uint64_t b;
		memcpy(&b, &v->u.d, sizeof b);
		h ^= b * 0x9e3779b97f4a7c15ULL;
		break;
	}
	case GR_STRING: h ^= hash_bytes(v->u.s.ptr, v->u.s.len); break;
	case GR_ARRAY:
		for (size_t i = 0; i < v->u.a.len; i++) {
			uint64_t ch;
			uint32_t cht;
			if (hash_tree(c, &v->u.a.items[i], &ch, &cht, depth + 1))
				return -1;
			h = mix64(h * 31 + ch);
			ht = cht + 1 > ht ? cht + 1 : ht;
		}
		break;
	case GR_OBJECT:
		for (size_t i = 0; i < v->u.o.len; i++) {
			const gr_member *m = &v->u.o.members[i];
			uint64_t ch;
			uint32_t cht;
			if (hash_tree(c, &m->value, &ch, &cht, depth + 1))
				return -1;
			h = mix64((h ^ m->key_head ^ m->key_len) * 31 + ch);
			ht = cht + 1 > ht ? cht + 1 : ht;
		}
		if (hn_put(c, v, h, ht))
			return -1;
		break;
	}
	*out = mix64(h);
	*height = ht;
	return 0;
}

void gr_scompiler_share(scompiler *c, const gr_value *schema)
{
	uint64_t h;
	uint32_t ht;
	if (!schema || hash_tree(c, schema, &h, &ht, 0)) {
		free(c->hn); /* sharing is an economy: without it, compile everything */
		c->hn = NULL;
		c->hn_n = c->hn_cap = 0;
	}
}

/* A node compiled before from a subschema equal to s, or NULL. */
static const snode *memo_get(const scompiler *c, const gr_value *s, uint64_t h)
{
	if (!c->mm_n)
		return NULL;
	for (size_t j = (size_t)h & (c->mm_cap - 1); c->mm[j].src; j = (j + 1) & (c->mm_cap - 1))
		if (c->mm[j].hash == h && same(c->mm[j].src, s, false))
			return c->mm[j].node;
	return NULL;
}

static void memo_put(scompiler *c, const gr_value *s, const snode *n, uint64_t h)
{
	if ((c->mm_n + 1) * 2 > c->mm_cap) {
		size_t cap = c->mm_cap ? c->mm_cap * 2 : 256;
		memo *t = zeroed(cap, sizeof *t);
		if (!t)
			return; /* not shared: still correct */
		for (size_t i = 0; i < c->mm_cap; i++)
			if (c->mm[i].src) {
				size_t j = (size_t)c->mm[i].hash & (cap - 1);
				while (t[j].src)
					j = (j + 1) & (cap - 1);
				t[j] = c->mm[i];
			}
		free(c->mm);
		c->mm = t;
		c->mm_cap = cap;
	}
	size_t j = (size_t)h & (c->mm_cap - 1);
	while (c->mm[j].src)
		j = (j + 1) & (c->mm_cap - 1);
	c->mm[j] = (memo){s, n, h};
	c->mm_n++;
}

/* ---- the keys a schema node is compiled from, found in one pass ---- */

enum {
	K_NOT,
	K_REF,
	K_TYPE,
	K_ENUM,
	K_ALLOF,
	K_ANYOF,
	K_ONEOF,
	K_ITEMS,
	K_FORMAT,
	K_MINIMUM,
	K_MAXIMUM,
	K_PATTERN,
	K_NULLABLE,
	K_REQUIRED,
	K_MIN_ITEMS,
	K_MAX_ITEMS,
	K_MIN_LEN,
	K_MAX_LEN,
	K_PROPERTIES,
	K_MULTIPLE_OF,
	K_UNIQUE,
	K_MIN_PROPS,
	K_MAX_PROPS,
	K_EXCL_MIN,
	K_EXCL_MAX,
	K_ADDL,
	K_LIST_TYPE,
	K_VALIDATIONS,
	K_INT_OR_STRING,
	K_MAP_KEYS,
	K_EMBEDDED,
	K_PRESERVE,
	NKEYS
};

/* In order of length (key_by_len indexes it). */
static const char *const key_names[NKEYS] = {"not",
                                             "$ref",
                                             "type",
                                             "enum",
                                             "allOf",
                                             "anyOf",
                                             "oneOf",
                                             "items",
                                             "format",
                                             "minimum",
                                             "maximum",
                                             "pattern",
                                             "nullable",
                                             "required",
                                             "minItems",
                                             "maxItems",
                                             "minLength",
                                             "maxLength",
                                             "properties",
                                             "multipleOf",
                                             "uniqueItems",
                                             "minProperties",
                                             "maxProperties",
                                             "exclusiveMinimum",
                                             "exclusiveMaximum",
                                             "additionalProperties",
                                             "x-kubernetes-list-type",
                                             "x-kubernetes-validations",
                                             "x-kubernetes-int-or-string",
                                             "x-kubernetes-list-map-keys",
                                             "x-kubernetes-embedded-resource",
                                             "x-kubernetes-preserve-unknown-fields"};

#define KEY_MAX_LEN 36

typedef struct skeys {
	const gr_value *v[NKEYS]; /* the first member of each name, as gr_get finds it */
} skeys;

/* key_by_len[n] .. key_by_len[n + 1]: the names of n bytes. */
static unsigned char key_by_len[KEY_MAX_LEN + 2];
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void key_index_init(void)
{
	size_t k = 0;
	for (size_t n = 0; n <= KEY_MAX_LEN + 1; n++) {
		key_by_len[n] = (unsigned char)k;
		while (k < NKEYS && strlen(key_names[k]) == n)
			k++;
	}
}

static void index_keys(const gr_value *s, skeys *k)
{
	memset(k, 0, sizeof *k);
	if (!s || s->type != GR_OBJECT)
		return;
	for (size_t i = 0; i < s->u.o.len; i++) {
		const gr_member *m = &s->u.o.members[i];
		if (m->key_len > KEY_MAX_LEN)
			continue;
		for (size_t j = key_by_len[m->key_len]; j < key_by_len[m->key_len + 1]; j++)
			if (memcmp(key_names[j], m->key, m->key_len) == 0) {
				if (!k->v[j])
					k->v[j] = &m->value;
				break;
			}
	}
}

static const char *kstr(const skeys *k, int key)
{
	const gr_value *v = k->v[key];
	return v && v->type == GR_STRING ? v->u.s.ptr : NULL;
}

static bool kbool(const skeys *k, int key)
{
	const gr_value *v = k->v[key];
	return v && v->type == GR_BOOL && v->u.b;
}

static int64_t kcount(const skeys *k, int key)
{
	const gr_value *v = k->v[key];
	if (!gr_is_number(v))
		return -1;
	double d = gr_number(v);
	return d < 0 ? -1 : d > 9e18 ? INT64_MAX : (int64_t)d;
}

static const char *ref_of(const skeys *k)
{
	const char *ref = kstr(k, K_REF);
	if (ref)
		return ref;
	const gr_value *all = k->v[K_ALLOF];
	if (all && all->type == GR_ARRAY && all->u.a.len == 1 && !k->v[K_PROPERTIES] && !k->v[K_ITEMS])
		return gr_get_str(&all->u.a.items[0], "$ref");
	return NULL;
}

static void fill(scompiler *c, snode *n, const gr_value *s, const skeys *k, const char *name,
                 size_t name_len);
static const snode *component(scompiler *c, centry *e);

const snode *gr_scompile(scompiler *c, const gr_value *s)
{
	if (!s || s->type != GR_OBJECT || c->depth > 200)
		return &gr_snode_any;
	skeys k;
	index_keys(s, &k);
	const char *ref = ref_of(&k);
	if (ref) {
		const char *slash = strrchr(ref, '/');
		const char *nm = slash ? slash + 1 : ref;
		centry *e = find_component(c, nm, strlen(nm));
		if (!e)
			return &gr_snode_any; /* unresolvable: judge nothing rather than everything */
		/* nullable on the wrapper stays on the edge (sprop.nullable): the
		 * target may be a component still being filled (a cycle) */
		const snode *target = component(c, e);
		return target;
	}
	/* shared only where no depth limit can cut either copy */
	const hnode *hn = c->hn_n && c->depth <= 100 ? hn_get(c, s) : NULL;
	if (hn && hn->height > 64)
		hn = NULL;
	if (hn) {
		const snode *seen = memo_get(c, s, hn->hash);
		if (seen)
			return seen;
	}
	snode *n = gr_arena_calloc(c->out, 1, sizeof *n);
	if (!n)
		return nomem(c), &gr_snode_any;
	c->depth++;
	fill(c, n, s, &k, NULL, 0);
	c->depth--;
	if (hn)
		memo_put(c, s, n, hn->hash);
	return n;
}

void gr_scompiler_each_component(const scompiler *c,
                                 void (*fn)(void *user, const char *name, size_t len, const snode *node),
                                 void *user)
{
	for (size_t i = 0; c->tab && i < c->cap; i++)
		if (c->tab[i].m && c->tab[i].node)
			fn(user, c->tab[i].m->key, c->tab[i].m->key_len, c->tab[i].node);
}

void gr_scompiler_seed_component(scompiler *c, const char *name, size_t len, const snode *node)
{
	centry *e = find_component(c, name, len);
	if (e && !e->node)
		e->node = (snode *)node;
}

const snode *gr_scompile_component(scompiler *c, const char *name, size_t len)
{
	centry *e = find_component(c, name, len);
	return e ? component(c, e) : NULL;
}

static const snode *component(scompiler *c, centry *e)
{
	if (e->node)
		return e->node;
	snode *n = gr_arena_calloc(c->out, 1, sizeof *n);
	if (!n)
		return nomem(c), &gr_snode_any;
	e->node = n;
	c->depth++;
	skeys k;
	index_keys(&e->m->value, &k);
	fill(c, n, &e->m->value, &k, e->m->key, e->m->key_len);
	c->depth--;
	return n;
}

/* oneOf/anyOf whose branches are only {type: X}: Quantity, IntOrString. */
static uint8_t branch_types(const gr_value *alts)
{
	if (!alts || alts->type != GR_ARRAY || alts->u.a.len == 0)
		return 0;
	uint8_t t = 0;
	for (size_t i = 0; i < alts->u.a.len; i++) {
		const gr_value *b = &alts->u.a.items[i];
		if (b->type != GR_OBJECT || b->u.o.len != 1)
			return 0;
		uint8_t bt = type_bits(gr_get_str(b, "type"));
		if (!bt)
			return 0;
		t |= bt;
	}
	return t;
}

static const char **copy_strings(scompiler *c, const gr_value *arr, uint32_t *count)
{
	gr_arena *a = c->out;
	*count = 0;
	if (!arr || arr->type != GR_ARRAY || arr->u.a.len == 0)
		return NULL;
	const char **out = gr_arena_calloc(a, arr->u.a.len, sizeof *out);
	if (!out)
		return nomem(c), NULL;
	uint32_t k = 0;
	for (size_t i = 0; i < arr->u.a.len; i++) {
		const gr_value *v = &arr->u.a.items[i];
		if (v->type != GR_STRING)
			continue;
		const char *s = gr_arena_strndup(a, v->u.s.ptr, v->u.s.len);
		if (s)
			out[k++] = s;
		else
			nomem(c);
	}
	*count = k;
	return out;
}

/* The formats a schema may name, as kube-openapi's strfmt registry looks
 * them up (dashes removed: "date-time" is "datetime"). A built-in kind's
 * schema is judged by Go's types when the API server decodes the object:
 * the formats of BUILTIN. A CRD's by strfmt, for the formats apiextensions
 * keeps (its supportedFormats; the others it drops, int32 and int64 among
 * them): those of CRD. */
enum { BUILTIN = 1, CRD = 2 };
static const struct {
	const char *name;
	uint8_t format;
	uint8_t where;
} formats[] = {
        {"int32", FMT_INT32, BUILTIN},
        {"int64", FMT_INT64, BUILTIN},
        {"quantity", FMT_QUANTITY, BUILTIN},
        {"byte", FMT_BYTE, BUILTIN},
        {"byte", FMT_BYTE_STRFMT, CRD},
        {"datetime", FMT_DATETIME, BUILTIN | CRD},
        {"ipv4", FMT_IPV4, BUILTIN},
        {"ipv4", FMT_IPV4_SLOPPY, CRD},
        {"ipv6", FMT_IPV6, BUILTIN | CRD},
        {"uuid", FMT_UUID, CRD},
        {"uuid3", FMT_UUID3, CRD},
        {"uuid4", FMT_UUID4, CRD},
        {"uuid5", FMT_UUID5, CRD},
        {"hostname", FMT_HOSTNAME, CRD},
        {"bsonobjectid", FMT_BSONOBJECTID, CRD},
        {"date", FMT_DATE, CRD},
        {"duration", FMT_DURATION, CRD},
        {"cidr", FMT_CIDR, CRD},
        {"mac", FMT_MAC, CRD},
        {"hexcolor", FMT_HEXCOLOR, CRD},
        {"rgbcolor", FMT_RGBCOLOR, CRD},
        {"password", FMT_PASSWORD, CRD},
        {"email", FMT_EMAIL, CRD},
        {"uri", FMT_URI, CRD},
        {"isbn", FMT_ISBN, CRD},
        {"isbn10", FMT_ISBN10, CRD},
        {"isbn13", FMT_ISBN13, CRD},
        {"creditcard", FMT_CREDITCARD, CRD},
        {"ssn", FMT_SSN, CRD},
};

bool gri_format_is_strfmt(uint8_t format)
{
	return format != FMT_NONE && format != FMT_INT32 && format != FMT_INT64 && format != FMT_QUANTITY;
}

static uint8_t format_code(const char *fmt, bool builtin)
{
	char norm[32];
	size_t n = 0;
	for (const char *p = fmt; *p; p++) {
		if (*p == '-')
			continue;
		if (n + 1 >= sizeof norm)
			return FMT_NONE;
		norm[n++] = *p;
	}
	norm[n] = '\0';
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (strcmp(norm, formats[i].name) == 0 && (formats[i].where & (builtin ? BUILTIN : CRD)))
			return formats[i].format;
	return FMT_NONE;
}

/* type, format, and the spellings of int-or-string */
static void fill_types(snode *n, const skeys *k, const char *name, size_t name_len, bool builtin)
{
	n->types = type_bits(kstr(k, K_TYPE));
	const char *fmt = kstr(k, K_FORMAT);
	if (fmt)
		n->format = format_code(fmt, builtin);
	if (fmt && strcmp(fmt, "int-or-string") == 0)
		n->types = ST_INT | ST_STR;
	static const char qname[] = "io.k8s.apimachinery.pkg.api.resource.Quantity";
	if (name && name_len == sizeof qname - 1 && memcmp(name, qname, name_len) == 0)
		n->format = FMT_QUANTITY;
	if (!n->types) {
		uint8_t t = branch_types(k->v[K_ONEOF]);
		if (!t)
			t = branch_types(k->v[K_ANYOF]);
		n->types = t;
	}
	if (kbool(k, K_INT_OR_STRING))
		n->types = ST_INT | ST_STR;
}

/* boolean markers, list semantics, required fields, CEL rules (counted) */
static void fill_flags(scompiler *c, snode *n, const skeys *k)
{
	static const struct {
		int key;
		uint16_t flag;
	} bools[] = {{K_NULLABLE, SF_NULLABLE},
	             {K_PRESERVE, SF_PRESERVE},
	             {K_EMBEDDED, SF_EMBEDDED},
	             {K_UNIQUE, SF_UNIQUE}};
	for (size_t i = 0; i < sizeof bools / sizeof bools[0]; i++)
		if (kbool(k, bools[i].key))
			n->flags |= bools[i].flag;
	const char *lt = kstr(k, K_LIST_TYPE);
	if (lt && strcmp(lt, "map") == 0)
		n->flags |= SF_LIST_MAP;
	else if (lt && strcmp(lt, "set") == 0)
		n->flags |= SF_LIST_SET;
	n->keys = copy_strings(c, k->v[K_MAP_KEYS], &n->nkeys);
	n->required = copy_strings(c, k->v[K_REQUIRED], &n->nrequired);
	const gr_value *xv = k->v[K_VALIDATIONS];
	if (xv && xv->type == GR_ARRAY)
		n->nvalidations = (uint32_t)xv->u.a.len;
}

/* enum, lengths, counts, numeric bounds */
static void fill_bounds(scompiler *c, snode *n, const skeys *k)
{
	const gr_value *en = k->v[K_ENUM];
	if (en && en->type == GR_ARRAY && en->u.a.len) {
		gr_value copy;
		if (gr_value_copy(c->out, &copy, en)) {
			n->enums = copy.u.a.items;
			n->nenum = (uint32_t)copy.u.a.len;
		} else {
			nomem(c);
		}
	}
	n->min_len = kcount(k, K_MIN_LEN);
	n->max_len = kcount(k, K_MAX_LEN);
	n->min_items = kcount(k, K_MIN_ITEMS);
	n->max_items = kcount(k, K_MAX_ITEMS);
	n->min_props = kcount(k, K_MIN_PROPS);
	n->max_props = kcount(k, K_MAX_PROPS);
	const gr_value *v;
	if (gr_is_number(v = k->v[K_MINIMUM])) {
		n->minimum = gr_number(v);
		n->flags |= SF_HAS_MIN;
		if (kbool(k, K_EXCL_MIN))
			n->flags |= SF_EXCL_MIN;
	}
	if (gr_is_number(v = k->v[K_MAXIMUM])) {
		n->maximum = gr_number(v);
		n->flags |= SF_HAS_MAX;
		if (kbool(k, K_EXCL_MAX))
			n->flags |= SF_EXCL_MAX;
	}
	if (gr_is_number(v = k->v[K_MULTIPLE_OF]) && gr_number(v) > 0)
		n->multiple_of = gr_number(v);
}

/*
 * The pattern, compiled once per text: the same pattern recurs across a CRD
 * and across CRDs (label keys, durations, addresses). The list is the
 * compiler's own (a group-version's while it loads), or for CRDs the
 * registry's, under its pattern lock (shared with CRD objects' checks),
 * never shared unlocked.
 */
static void fill_pattern(scompiler *c, snode *n, const skeys *k)
{
	const gr_value *pat = k->v[K_PATTERN];
	if (!pat || pat->type != GR_STRING || !pat->u.s.len || (!c->reg && !c->regexes))
		return;
	n->pattern = c->reg ? gri_registry_pattern(c->reg, pat->u.s.ptr, pat->u.s.len)
	                    : gr_pattern_get(c->regexes, c->out, pat->u.s.ptr, pat->u.s.len);
	if (n->pattern)
		n->pattern_src = n->pattern->src;
	else
		nomem(c); /* a node without its pattern would accept any string */
}

/* allOf, anyOf, oneOf (unless they only spell a type), not */
static void fill_combinators(scompiler *c, snode *n, const skeys *keys)
{
	static const int comb[] = {K_ALLOF, K_ANYOF, K_ONEOF};
	for (int k = 0; k < 3; k++) {
		const gr_value *alts = keys->v[comb[k]];
		if (!alts || alts->type != GR_ARRAY || !alts->u.a.len || branch_types(alts))
			continue;
		const snode **arr = gr_arena_calloc(c->out, alts->u.a.len, sizeof *arr);
		if (!arr) {
			nomem(c);
			continue;
		}
		for (size_t i = 0; i < alts->u.a.len; i++)
			arr[i] = gr_scompile(c, &alts->u.a.items[i]);
		uint32_t cnt = (uint32_t)alts->u.a.len;
		if (k == 0)
			n->all_of = arr, n->nall_of = cnt;
		else if (k == 1)
			n->any_of = arr, n->nany_of = cnt;
		else
			n->one_of = arr, n->none_of = cnt;
	}
	const gr_value *notv = keys->v[K_NOT];
	if (notv && notv->type == GR_OBJECT)
		n->not_ = gr_scompile(c, notv);
}

/* properties (sorted by name), their defaults, the object-valued defaults */
static void fill_properties(scompiler *c, snode *n, const skeys *k)
{
	const gr_value *props = k->v[K_PROPERTIES];
	if (!props || props->type != GR_OBJECT || !props->u.o.len)
		return;
	size_t np = props->u.o.len;
	sprop *ps = gr_arena_calloc(c->out, np, sizeof *ps);
	if (!ps) {
		nomem(c);
		return;
	}
	for (size_t i = 0; i < np; i++) {
		const gr_member *m = &props->u.o.members[i];
		ps[i].name = gr_arena_strndup(c->out, m->key, m->key_len);
		ps[i].len = m->key_len;
		if (!ps[i].name) {
			ps[i].name = "";
			nomem(c);
		}
		const gr_value *d = gr_get(&m->value, "default");
		if (d && d->type != GR_NULL) {
			gr_value *dc = gr_arena_alloc(c->out, sizeof *dc);
			if (dc && gr_value_copy(c->out, dc, d))
				ps[i].dflt = dc;
			else
				nomem(c);
		}
		ps[i].nullable = get_bool(&m->value, "nullable");
	}
	/* publish names before compiling children, then sort once */
	for (size_t i = 0; i < np; i++)
		ps[i].node = gr_scompile(c, &props->u.o.members[i].value);
	qsort(ps, np, sizeof *ps, prop_cmp);
	n->props = ps;
	n->nprops = (uint32_t)np;
	uint32_t nd = 0;
	for (size_t i = 0; i < np; i++)
		nd += ps[i].dflt && ps[i].dflt->type == GR_OBJECT;
	if (nd && (n->defaulted = gr_arena_calloc(c->out, nd, sizeof *n->defaulted)) != NULL) {
		for (size_t i = 0; i < np; i++)
			if (ps[i].dflt && ps[i].dflt->type == GR_OBJECT)
				n->defaulted[n->ndefaulted++] = &ps[i];
	} else if (nd) {
		nomem(c);
	}
}

/* additionalProperties and items */
static void fill_children(scompiler *c, snode *n, const skeys *k)
{
	const gr_value *ap = k->v[K_ADDL];
	if (ap && ap->type == GR_BOOL) {
		if (ap->u.b)
			n->additional = &gr_snode_any;
		else
			n->flags |= SF_ADDL_FALSE;
	} else if (ap && ap->type == GR_OBJECT) {
		n->additional = gr_scompile(c, ap);
	}
	const gr_value *items = k->v[K_ITEMS];
	if (items && items->type == GR_ARRAY)
		items = items->u.a.len ? &items->u.a.items[0] : NULL;
	if (items && items->type == GR_OBJECT)
		n->items = gr_scompile(c, items);
}

/* One schema into node n, step by step. */
static void fill(scompiler *c, snode *n, const gr_value *s, const skeys *k, const char *name, size_t name_len)
{
	n->min_len = n->max_len = n->min_items = n->max_items = n->min_props = n->max_props = -1;
	if (s->type != GR_OBJECT) {
		n->flags = SF_PRESERVE | SF_NULLABLE;
		return;
	}
	if (ref_of(k)) { /* a component that is itself a reference */
		const snode *t = gr_scompile(c, s);
		if (t != n)
			*n = *t;
		return;
	}
	fill_types(n, k, name, name_len, c->builtin);
	fill_flags(c, n, k);
	fill_bounds(c, n, k);
	fill_pattern(c, n, k);
	fill_combinators(c, n, k);
	fill_properties(c, n, k);
	fill_children(c, n, k);
	/* an object schema that says nothing of its fields keeps them all */
	if (!n->nprops && !n->additional && !(n->flags & SF_ADDL_FALSE) && (c->builtin || !n->types) &&
	    (n->types == 0 || n->types == ST_OBJ))
		n->flags |= SF_PRESERVE;
}
