/*
 * set.c — the input set and its indexes (see set.h).
 *
 * Three hash maps over one chained table each, keyed by strings joined with
 * a unit separator: (group, kind, namespace, name) -> the objects so named,
 * (group, kind) -> the objects of the kind, (group, kind, label key, label
 * value) -> the objects carrying that label. Each maps to a list of set
 * indexes in input order, so every lookup answers in input order without
 * sorting. Strings and trees live in the set's arena; lists are malloc'd.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/set.h"
#include "internal.h"
#include "pipeline.h"

typedef struct list {
	size_t *v;
	size_t n, cap;
} list;

typedef struct node {
	const char *key;
	size_t klen;
	uint64_t hash;
	list items;
	struct node *next;
} node;

typedef struct map {
	node **buckets;
	size_t nbuckets, n;
} map;

typedef struct entry {
	gr_object obj;
	gr_label *labels;
	size_t nlabels;
	bool tree;
	uint64_t digest; /* of the tree before pruning, or 0 */
} entry;

struct gr_set {
	gr_arena arena;
	entry *v;
	size_t n, cap;
	size_t ntrees;
	bool lasting; /* outlives every checker derived from it (a session's set) */
	map by_name, by_kind, by_label;
};

gr_set *gr_set_new(void)
{
	gr_set *s = calloc(1, sizeof *s);
	if (s)
		gr_arena_init(&s->arena);
	return s;
}

static void map_free(map *m)
{
	for (size_t b = 0; b < m->nbuckets; b++)
		for (node *x = m->buckets[b]; x; x = x->next)
			free(x->items.v);
	free(m->buckets);
}

void gr_set_free(gr_set *s)
{
	if (!s)
		return;
	map_free(&s->by_name);
	map_free(&s->by_kind);
	map_free(&s->by_label);
	free(s->v);
	gr_arena_free(&s->arena);
	free(s);
}

/* A key: the parts joined by 0x1f (never in a Kubernetes name). */
typedef struct key {
	char small[256];
	char *p;
	size_t len;
} key;

static int key_make(key *k, const char *const *parts, size_t n)
{
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += strlen(parts[i]) + 1;
	k->p = len <= sizeof k->small ? k->small : malloc(len);
	if (!k->p)
		return -1;
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(parts[i]);
		memcpy(k->p + at, parts[i], l);
		at += l;
		k->p[at++] = '\x1f';
	}
	k->len = at;
	return 0;
}

static void key_done(key *k)
{
	if (k->p != k->small)
		free(k->p);
}

static node *map_find(const map *m, const key *k, uint64_t h)
{
	if (!m->nbuckets)
		return NULL;
	for (node *x = m->buckets[h & (m->nbuckets - 1)]; x; x = x->next)
		if (x->hash == h && x->klen == k->len && memcmp(x->key, k->p, k->len) == 0)
			return x;
	return NULL;
}

static int map_grow(map *m)
{
	size_t nb = m->nbuckets ? m->nbuckets * 2 : 64;
	node **b = calloc(nb, sizeof *b);
	if (!b)
		return -1;
	for (size_t i = 0; i < m->nbuckets; i++)
		for (node *x = m->buckets[i], *next; x; x = next) {
			next = x->next;
			x->next = b[x->hash & (nb - 1)];
			b[x->hash & (nb - 1)] = x;
		}
	free(m->buckets);
	m->buckets = b;
	m->nbuckets = nb;
	return 0;
}

/* Append index i to the list of key k; returns the list (NULL on ENOMEM). */
static list *map_add(gr_set *s, map *m, const key *k, size_t i)
{
	uint64_t h = gr_hash_bytes(GR_HASH_SEED, k->p, k->len);
	node *x = map_find(m, k, h);
	if (!x) {
		if (m->n >= m->nbuckets && map_grow(m))
			return NULL;
		x = gr_arena_calloc(&s->arena, 1, sizeof *x);
		char *kc = x ? gr_arena_strndup(&s->arena, k->p, k->len) : NULL;
		if (!kc)
			return NULL;
		x->key = kc;
		x->klen = k->len;
		x->hash = h;
		x->next = m->buckets[h & (m->nbuckets - 1)];
		m->buckets[h & (m->nbuckets - 1)] = x;
		m->n++;
	}
	list *l = &x->items;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		size_t *nv = realloc(l->v, cap * sizeof *nv);
		if (!nv)
			return NULL;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = i;
	return l;
}

static const list *map_get(const map *m, const char *const *parts, size_t n)
{
	key k;
	if (key_make(&k, parts, n))
		return NULL;
	const node *x = map_find(m, &k, gr_hash_bytes(GR_HASH_SEED, k.p, k.len));
	key_done(&k);
	return x ? &x->items : NULL;
}

gr_value gri_value_copy(gr_arena *a, const gr_value *v)
{
	gr_value c = *v;
	switch (v->type) {
	case GR_STRING: {
		char *p = gr_arena_strndup(a, v->u.s.ptr, v->u.s.len);
		if (!p)
			return gr_make_null();
		c.u.s.ptr = p;
		break;
	}
	case GR_ARRAY:
		c.u.a.items = v->u.a.len ? gr_arena_alloc(a, v->u.a.len * sizeof *c.u.a.items) : NULL;
		if (v->u.a.len && !c.u.a.items)
			return gr_make_null();
		for (size_t i = 0; i < v->u.a.len; i++)
			c.u.a.items[i] = gri_value_copy(a, &v->u.a.items[i]);
		break;
	case GR_OBJECT: {
		size_t all = v->u.o.len + v->merge_keys; /* the `<<` members past len too (value.h) */
		c.u.o.members = all ? gr_arena_alloc(a, all * sizeof *c.u.o.members) : NULL;
		if (all && !c.u.o.members)
			return gr_make_null();
		for (size_t i = 0; i < all; i++) {
			const gr_member *m = &v->u.o.members[i];
			gr_member *d = &c.u.o.members[i];
			*d = *m;
			d->key = gr_arena_strndup(a, m->key, m->key_len);
			if (!d->key)
				return gr_make_null();
			d->value = gri_value_copy(a, &m->value);
		}
		break;
	}
	default: break;
	}
	return c;
}

static const char *dup(gr_arena *a, const char *s)
{
	const char *d = gr_arena_strdup(a, s ? s : "");
	return d ? d : "";
}

/* The header of obj, its strings copied into the set's arena. */
static void copy_header(gr_arena *a, gr_object *o, const gr_object *obj)
{
	*o = *obj;
	o->root = NULL;
	o->pod_spec = o->pod_metadata = NULL;
	o->pod_spec_path = o->pod_metadata_path = NULL;
	o->api_version = dup(a, obj->api_version);
	o->group = dup(a, obj->group);
	o->version = dup(a, obj->version);
	o->kind = dup(a, obj->kind);
	o->name = dup(a, obj->name);
	o->namespace_ = dup(a, obj->namespace_);
	o->file = dup(a, obj->file);
}

static int copy_labels(gr_arena *a, entry *e, const gr_value *root)
{
	const gr_value *labels = gr_get_path(root, "metadata", "labels", NULL);
	e->labels = NULL;
	e->nlabels = 0;
	if (!labels || labels->type != GR_OBJECT || !labels->u.o.len)
		return 0;
	e->labels = gr_arena_alloc(a, labels->u.o.len * sizeof *e->labels);
	if (!e->labels)
		return -1;
	for (size_t i = 0; i < labels->u.o.len; i++) {
		const gr_member *m = &labels->u.o.members[i];
		if (m->value.type != GR_STRING)
			continue;
		gr_label *l = &e->labels[e->nlabels];
		l->key = gr_arena_strndup(a, m->key, m->key_len);
		l->value = gr_arena_strndup(a, m->value.u.s.ptr, m->value.u.s.len);
		if (!l->key || !l->value)
			return -1;
		e->nlabels++;
	}
	return 0;
}

/* Do two kept definitions differ? A pruned tree (its digest set) is
 * compared by the digest of the whole tree it was pruned from: pruning
 * drops descriptions and unused versions' schemas, which a difference
 * in still counts. */
static bool differ(const entry *a, const entry *b)
{
	if (!a->digest && !b->digest)
		return !gr_equal(a->obj.root, b->obj.root);
	uint64_t da = a->digest ? a->digest : gri_value_digest(a->obj.root);
	uint64_t db = b->digest ? b->digest : gri_value_digest(b->obj.root);
	return da != db;
}

size_t gri_set_add(gr_set *s, const gr_object *obj, bool keep_tree, bool borrow, uint64_t digest,
                   size_t *conflict)
{
	*conflict = (size_t)-1;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		entry *nv = realloc(s->v, cap * sizeof *nv);
		if (!nv)
			return (size_t)-1;
		s->v = nv;
		s->cap = cap;
	}
	size_t i = s->n;
	entry *e = &s->v[i];
	memset(e, 0, sizeof *e);
	if (keep_tree && obj->root && borrow) {
		e->obj = *obj;
		e->tree = true;
		e->digest = digest;
	} else if (keep_tree && obj->root) {
		gr_value *root = gr_arena_alloc(&s->arena, sizeof *root);
		if (!root)
			return (size_t)-1;
		*root = gri_value_copy(&s->arena, obj->root);
		gr_object_init(&s->arena, &e->obj, root, dup(&s->arena, obj->file), obj->document, obj->item);
		e->tree = true;
	} else {
		copy_header(&s->arena, &e->obj, obj);
	}
	if (copy_labels(&s->arena, e, obj->root))
		return (size_t)-1;
	const gr_object *o = &e->obj;
	key k;
	const char *name_parts[] = {o->group, o->kind, o->namespace_, o->name};
	if (key_make(&k, name_parts, 4))
		return (size_t)-1;
	list *same = map_add(s, &s->by_name, &k, i);
	key_done(&k);
	if (!same)
		return (size_t)-1;
	/* against the first definition: the one that applies */
	if (e->tree && o->name[0] && same->n > 1) {
		const entry *first = &s->v[same->v[0]];
		if (first->tree && differ(first, e))
			*conflict = same->v[0];
	}
	const char *kind_parts[] = {o->group, o->kind};
	if (key_make(&k, kind_parts, 2))
		return (size_t)-1;
	list *l = map_add(s, &s->by_kind, &k, i);
	key_done(&k);
	if (!l)
		return (size_t)-1;
	for (size_t j = 0; j < e->nlabels; j++) {
		const char *label_parts[] = {o->group, o->kind, e->labels[j].key, e->labels[j].value};
		if (key_make(&k, label_parts, 4))
			return (size_t)-1;
		l = map_add(s, &s->by_label, &k, i);
		key_done(&k);
		if (!l)
			return (size_t)-1;
	}
	if (e->tree)
		s->ntrees++;
	s->n++;
	return i;
}

bool gri_set_kind_cluster_scoped(const gr_set *set, const char *group, const char *kind)
{
	if (!group[0] || !strchr(group, '.') || !strcmp(group, "apiextensions.k8s.io"))
		return gri_kind_cluster_scoped(kind);
	const size_t *idx;
	size_t n = set ? gr_set_kind(set, "apiextensions.k8s.io", "CustomResourceDefinition", &idx) : 0;
	for (size_t i = 0; i < n; i++) {
		const gr_value *spec = gr_get(gr_set_object(set, idx[i])->root, "spec");
		const char *g = gr_get_str(spec, "group"), *k = gr_get_str(gr_get(spec, "names"), "kind");
		if (g && k && !strcmp(g, group) && !strcmp(k, kind)) {
			const char *scope = gr_get_str(spec, "scope");
			return scope && !strcmp(scope, "Cluster");
		}
	}
	return gri_kind_cluster_scoped(kind);
}

void gri_set_give_tree(gr_set *s, size_t i, const gr_object *obj)
{
	if (i >= s->n || !obj->root)
		return;
	if (!s->v[i].tree)
		s->ntrees++;
	s->v[i].obj = *obj;
	s->v[i].tree = true;
}

int gr_set_add(gr_set *s, const gr_object *obj, bool keep_tree)
{
	size_t conflict;
	return gri_set_add(s, obj, keep_tree, false, 0, &conflict) == (size_t)-1 ? -1 : 0;
}

void gri_set_mark_lasting(gr_set *s)
{
	s->lasting = true;
}

bool gri_set_lasting(const gr_set *s)
{
	return s && s->lasting;
}

size_t gri_set_trees(const gr_set *s)
{
	return s ? s->ntrees : 0;
}

size_t gr_set_count(const gr_set *s)
{
	return s ? s->n : 0;
}

const gr_object *gr_set_object(const gr_set *s, size_t i)
{
	return i < s->n ? &s->v[i].obj : NULL;
}

size_t gr_set_labels(const gr_set *s, size_t i, const gr_label **labels)
{
	*labels = i < s->n ? s->v[i].labels : NULL;
	return i < s->n ? s->v[i].nlabels : 0;
}

bool gr_set_has_tree(const gr_set *s, size_t i)
{
	return i < s->n && s->v[i].tree;
}

const gr_object *gr_set_find(const gr_set *s, const char *group, const char *kind, const char *namespace_,
                             const char *name)
{
	if (!s)
		return NULL;
	const char *parts[] = {group ? group : "", kind, namespace_ ? namespace_ : "", name};
	const list *l = map_get(&s->by_name, parts, 4);
	return l && l->n ? &s->v[l->v[0]].obj : NULL;
}

size_t gr_set_kind(const gr_set *s, const char *group, const char *kind, const size_t **idx)
{
	*idx = NULL;
	if (!s)
		return 0;
	const char *parts[] = {group ? group : "", kind};
	const list *l = map_get(&s->by_kind, parts, 2);
	if (!l)
		return 0;
	*idx = l->v;
	return l->n;
}

static bool has_label(const entry *e, const gr_label *want)
{
	for (size_t i = 0; i < e->nlabels; i++)
		if (strcmp(e->labels[i].key, want->key) == 0 && strcmp(e->labels[i].value, want->value) == 0)
			return true;
	return false;
}

size_t gr_set_select(const gr_set *s, const char *group, const char *kind, const char *namespace_,
                     const gr_label *sel, size_t nsel, int (*fn)(void *user, size_t index), void *user)
{
	if (!s)
		return 0;
	group = group ? group : "";
	/* candidates: the shortest list among the selector's pairs */
	const size_t *cand = NULL;
	size_t ncand = 0;
	if (nsel == 0) {
		ncand = gr_set_kind(s, group, kind, &cand);
	} else {
		for (size_t i = 0; i < nsel; i++) {
			const char *parts[] = {group, kind, sel[i].key, sel[i].value};
			const list *l = map_get(&s->by_label, parts, 4);
			if (!l)
				return 0;
			if (!cand || l->n < ncand) {
				cand = l->v;
				ncand = l->n;
			}
		}
	}
	size_t calls = 0;
	for (size_t c = 0; c < ncand; c++) {
		const entry *e = &s->v[cand[c]];
		if (namespace_ && strcmp(e->obj.namespace_, namespace_) != 0)
			continue;
		bool all = true;
		for (size_t i = 0; i < nsel && all; i++)
			all = has_label(e, &sel[i]);
		if (!all)
			continue;
		calls++;
		if (fn(user, cand[c]))
			break;
	}
	return calls;
}
