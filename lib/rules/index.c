/*
 * index.c — the index of an input set that cross-object rules query:
 * objects by (kind, namespace, name), by (kind, namespace), pod templates
 * by (namespace, label key, label value), Services by their first selector
 * pair. Every query touches only candidates that share a hash, so judging
 * N Services against N Deployments costs O(N), not O(N²).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_int.h"

static uint64_t fnv(uint64_t h, const char *s)
{
	if (s)
		for (; *s; s++) {
			h ^= (unsigned char)*s;
			h *= 1099511628211ULL;
		}
	h ^= 0xff; /* separator */
	h *= 1099511628211ULL;
	return h;
}

uint64_t rl_hash(const char *a, const char *b, const char *c)
{
	return fnv(fnv(fnv(1469598103934665603ULL, a), b), c);
}

static int map_add(rl_map *m, uint64_t h, uint32_t obj)
{
	if (m->len == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		rl_entry *g = realloc(m->entries, cap * sizeof *g);
		if (!g)
			return -1;
		m->entries = g;
		m->cap = cap;
	}
	m->entries[m->len] = (rl_entry){h, obj, 0};
	m->len++;
	return 0;
}

/* Buckets are built once every entry is in (entries keep insertion order
 * inside a bucket chain, so iteration follows document order). */
static int map_seal(rl_map *m)
{
	size_t nb = 16;
	while (nb < m->len * 2)
		nb *= 2;
	m->heads = calloc(nb, sizeof *m->heads);
	if (!m->heads)
		return -1;
	m->nbuckets = nb;
	for (size_t i = m->len; i-- > 0;) {
		size_t b = m->entries[i].hash & (nb - 1);
		m->entries[i].next = m->heads[b];
		m->heads[b] = (uint32_t)(i + 1);
	}
	return 0;
}

static void map_free(rl_map *m)
{
	free(m->heads);
	free(m->entries);
	memset(m, 0, sizeof *m);
}

uint32_t rl_map_first(const rl_map *m, uint64_t h)
{
	if (!m->nbuckets)
		return 0;
	uint32_t e = m->heads[h & (m->nbuckets - 1)];
	while (e && m->entries[e - 1].hash != h)
		e = m->entries[e - 1].next;
	return e;
}

uint32_t rl_map_next(const rl_map *m, uint32_t e, uint64_t h)
{
	e = m->entries[e - 1].next;
	while (e && m->entries[e - 1].hash != h)
		e = m->entries[e - 1].next;
	return e;
}

static const gr_value *first_pair(const gr_value *sel, const char **k, const char **v)
{
	if (!sel || sel->type != GR_OBJECT)
		return NULL;
	for (size_t i = 0; i < sel->u.o.len; i++) {
		const gr_member *m = &sel->u.o.members[i];
		if (m->value.type == GR_STRING) {
			*k = m->key;
			*v = m->value.u.s.ptr;
			return &m->value;
		}
	}
	return NULL;
}

static uint64_t identity_hash(const gr_object *o)
{
	char n[48];
	snprintf(n, sizeof n, "%u/%d", o->document, o->item);
	return rl_hash(o->file ? o->file : "", n, o->name);
}

int rl_set_build(rl_set *s, const gr_object *objs, size_t n)
{
	pthread_mutex_init(&s->cel_mu, NULL);
	gr_arena_init(&s->cel_arena);
	s->cel_objects = NULL;
	s->cel_n = 0;
	s->cel_state = 0;
	s->objs = objs;
	s->n = n;
	for (size_t i = 0; i < n; i++) {
		const gr_object *o = &objs[i];
		uint32_t ix = (uint32_t)i;
		if (map_add(&s->identity, identity_hash(o), ix) ||
		    map_add(&s->by_name, rl_hash(o->kind, o->namespace_, o->name), ix) ||
		    map_add(&s->by_kind_ns, rl_hash(o->kind, o->namespace_, NULL), ix) ||
		    map_add(&s->by_kind, rl_hash(o->kind, NULL, NULL), ix))
			return -1;
		if (strcmp(o->kind, "Namespace") == 0 &&
		    map_add(&s->ns_declared, rl_hash(o->name, NULL, NULL), ix))
			return -1;
		if (o->pod_spec) {
			if (map_add(&s->pods_ns, rl_hash(o->namespace_, NULL, NULL), ix))
				return -1;
			const gr_value *labels = rl_pod_labels(o);
			if (labels && labels->type == GR_OBJECT)
				for (size_t j = 0; j < labels->u.o.len; j++) {
					const gr_member *m = &labels->u.o.members[j];
					if (m->value.type == GR_STRING &&
					    map_add(&s->pod_labels,
					            rl_hash(o->namespace_, m->key, m->value.u.s.ptr), ix))
						return -1;
				}
		}
		const gr_value *sel = NULL;
		if (o->root && strcmp(o->kind, "Service") == 0 && o->group[0] == '\0')
			sel = gr_get_path(o->root, "spec", "selector", NULL);
		else if (o->root && strcmp(o->kind, "PodDisruptionBudget") == 0)
			sel = gr_get_path(o->root, "spec", "selector", "matchLabels", NULL);
		else if (o->root && strcmp(o->kind, "NetworkPolicy") == 0)
			sel = gr_get_path(o->root, "spec", "podSelector", "matchLabels", NULL);
		else
			goto no_selector;
		{
			const char *k = "", *v = "";
			first_pair(sel, &k, &v);
			if (map_add(&s->svc_sel, rl_hash(o->kind, o->namespace_, k) ^ rl_hash(v, NULL, NULL),
			            ix))
				return -1;
		}
	no_selector:
		if (o->root && strcmp(o->kind, "CustomResourceDefinition") == 0) {
			const gr_value *spec = gr_get(o->root, "spec");
			const char *g = gr_get_str(spec, "group"),
			           *k = gr_get_str(gr_get(spec, "names"), "kind");
			if (g && k && map_add(&s->crd_gk, rl_hash(g, k, NULL), ix))
				return -1;
		}
		if (o->root && strcmp(o->kind, "HorizontalPodAutoscaler") == 0) {
			const gr_value *ref = gr_get_path(o->root, "spec", "scaleTargetRef", NULL);
			const char *tk = gr_get_str(ref, "kind"), *tn = gr_get_str(ref, "name");
			if (tk && tn && map_add(&s->hpa_target, rl_hash(o->namespace_, tk, tn), ix))
				return -1;
		}
	}
	if (map_seal(&s->by_name) || map_seal(&s->by_kind_ns) || map_seal(&s->by_kind) ||
	    map_seal(&s->pods_ns) || map_seal(&s->pod_labels) || map_seal(&s->svc_sel) ||
	    map_seal(&s->ns_declared) || map_seal(&s->identity) || map_seal(&s->hpa_target) ||
	    map_seal(&s->crd_gk))
		return -1;
	return 0;
}

void rl_set_free(rl_set *s)
{
	map_free(&s->by_name);
	map_free(&s->by_kind_ns);
	map_free(&s->by_kind);
	map_free(&s->pods_ns);
	map_free(&s->pod_labels);
	map_free(&s->svc_sel);
	map_free(&s->ns_declared);
	map_free(&s->identity);
	map_free(&s->hpa_target);
	map_free(&s->crd_gk);
	pthread_mutex_destroy(&s->cel_mu);
	gr_arena_free(&s->cel_arena);
}

const gr_object *rl_find(const rl_set *s, const char *kind, const char *ns, const char *name)
{
	uint64_t h = rl_hash(kind, ns, name);
	for (uint32_t e = rl_map_first(&s->by_name, h); e; e = rl_map_next(&s->by_name, e, h)) {
		const gr_object *o = &s->objs[rl_map_obj(&s->by_name, e)];
		if (strcmp(o->kind, kind) == 0 && strcmp(o->namespace_, ns) == 0 &&
		    strcmp(o->name, name) == 0)
			return o;
	}
	return NULL;
}

bool rl_same_object(const gr_object *a, const gr_object *b)
{
	return a == b || (a->document == b->document && a->item == b->item && a->file && b->file &&
	                  strcmp(a->file, b->file) == 0 && strcmp(a->kind, b->kind) == 0 &&
	                  strcmp(a->name, b->name) == 0);
}

const gr_object *rl_set_identity(const rl_set *s, const gr_object *o)
{
	uint64_t h = identity_hash(o);
	for (uint32_t e = rl_map_first(&s->identity, h); e; e = rl_map_next(&s->identity, e, h)) {
		const gr_object *x = &s->objs[rl_map_obj(&s->identity, e)];
		if (rl_same_object(x, o))
			return x;
	}
	return NULL;
}

bool rl_ns_complete(const rl_ctx *c, const char *ns)
{
	const rl_set *s = rl_use_set(c);
	if (c->opt->assume_complete)
		return true;
	uint64_t h = rl_hash(ns, NULL, NULL);
	for (uint32_t e = rl_map_first(&s->ns_declared, h); e; e = rl_map_next(&s->ns_declared, e, h))
		if (strcmp(s->objs[rl_map_obj(&s->ns_declared, e)].name, ns) == 0)
			return true;
	return false;
}

void rl_each_selected(const rl_set *s, const char *ns, const gr_value *sel, bool is_map, bool empty_all,
                      rl_obj_fn fn, void *user)
{
	const gr_value *ml = is_map ? sel : gr_get(sel, "matchLabels");
	const char *k, *v;
	if (first_pair(ml, &k, &v)) {
		uint64_t h = rl_hash(ns, k, v);
		for (uint32_t e = rl_map_first(&s->pod_labels, h); e; e = rl_map_next(&s->pod_labels, e, h)) {
			const gr_object *o = &s->objs[rl_map_obj(&s->pod_labels, e)];
			if (strcmp(o->namespace_, ns) != 0)
				continue;
			bool ok = is_map ? rl_map_selects(sel, rl_pod_labels(o), empty_all)
			                 : rl_selector_selects(sel, rl_pod_labels(o), empty_all);
			if (ok && !fn(user, o))
				return;
		}
		return;
	}
	/* no matchLabels pair: expressions only, or empty */
	if (!is_map && rl_selector_empty(sel) && !empty_all)
		return;
	if (is_map && !empty_all)
		return;
	uint64_t h = rl_hash(ns, NULL, NULL);
	for (uint32_t e = rl_map_first(&s->pods_ns, h); e; e = rl_map_next(&s->pods_ns, e, h)) {
		const gr_object *o = &s->objs[rl_map_obj(&s->pods_ns, e)];
		if (strcmp(o->namespace_, ns) != 0)
			continue;
		bool ok = is_map ? rl_map_selects(sel, rl_pod_labels(o), empty_all)
		                 : rl_selector_selects(sel, rl_pod_labels(o), empty_all);
		if (ok && !fn(user, o))
			return;
	}
}

static uint64_t sel_key(const char *kind, const char *ns, const char *k, const char *v)
{
	return rl_hash(kind, ns, k) ^ rl_hash(v, NULL, NULL);
}

static const gr_value *selector_of(const gr_object *o)
{
	if (strcmp(o->kind, "Service") == 0)
		return gr_get_path(o->root, "spec", "selector", NULL);
	if (strcmp(o->kind, "PodDisruptionBudget") == 0)
		return gr_get_path(o->root, "spec", "selector", NULL);
	return gr_get_path(o->root, "spec", "podSelector", NULL);
}

static bool selects(const gr_object *o, const gr_value *labels, bool empty_all)
{
	const gr_value *sel = selector_of(o);
	if (strcmp(o->kind, "Service") == 0)
		return rl_map_selects(sel, labels, empty_all);
	if (strcmp(o->kind, "PodDisruptionBudget") == 0 && !sel)
		return false; /* a PDB without selector selects nothing */
	return rl_selector_selects(sel, labels, empty_all);
}

void rl_each_selecting(const rl_set *s, const char *kind, const char *ns, const gr_value *labels,
                       bool empty_all, rl_obj_fn fn, void *user)
{
	/* selectors without a matchLabels pair (empty, or expressions only) */
	uint64_t h = sel_key(kind, ns, "", "");
	for (uint32_t e = rl_map_first(&s->svc_sel, h); e; e = rl_map_next(&s->svc_sel, e, h)) {
		const gr_object *o = &s->objs[rl_map_obj(&s->svc_sel, e)];
		if (strcmp(o->kind, kind) == 0 && strcmp(o->namespace_, ns) == 0 &&
		    selects(o, labels, empty_all) && !fn(user, o))
			return;
	}
	if (!labels || labels->type != GR_OBJECT)
		return;
	/* each object is indexed under its first pair: one label of ours hits it once */
	for (size_t j = 0; j < labels->u.o.len; j++) {
		const gr_member *m = &labels->u.o.members[j];
		if (m->value.type != GR_STRING)
			continue;
		h = sel_key(kind, ns, m->key, m->value.u.s.ptr);
		for (uint32_t e = rl_map_first(&s->svc_sel, h); e; e = rl_map_next(&s->svc_sel, e, h)) {
			const gr_object *o = &s->objs[rl_map_obj(&s->svc_sel, e)];
			if (strcmp(o->kind, kind) != 0 || strcmp(o->namespace_, ns) != 0)
				continue;
			const char *k, *v;
			const gr_value *sel = selector_of(o);
			if (strcmp(kind, "Service") != 0)
				sel = gr_get(sel, "matchLabels");
			if (!first_pair(sel, &k, &v) || strcmp(k, m->key) != 0 ||
			    strcmp(v, m->value.u.s.ptr) != 0)
				continue;
			if (selects(o, labels, empty_all) && !fn(user, o))
				return;
		}
	}
}

void rl_each_service_selecting(const rl_set *s, const char *ns, const gr_value *labels, bool empty_all,
                               rl_obj_fn fn, void *user)
{
	rl_each_selecting(s, "Service", ns, labels, empty_all, fn, user);
}

const gr_object *rl_hpa_for(const rl_set *s, const gr_object *o)
{
	uint64_t h = rl_hash(o->namespace_, o->kind, o->name);
	for (uint32_t e = rl_map_first(&s->hpa_target, h); e; e = rl_map_next(&s->hpa_target, e, h)) {
		const gr_object *x = &s->objs[rl_map_obj(&s->hpa_target, e)];
		const gr_value *ref = gr_get_path(x->root, "spec", "scaleTargetRef", NULL);
		if (!strcmp(x->namespace_, o->namespace_) && rl_is(gr_get_str(ref, "kind"), o->kind) &&
		    rl_is(gr_get_str(ref, "name"), o->name))
			return x;
	}
	return NULL;
}
