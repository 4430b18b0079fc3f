/*
 * util.c — helpers the rule packs share: the container iterator, field
 * paths, quantities, label selectors, annotations.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules_int.h"

static const char *const lists[] = {"initContainers", "containers", "ephemeralContainers"};
static const int list_bits[] = {RL_INIT, RL_REG, RL_EPH};

void rl_ctr_begin(rl_ctr *it)
{
	memset(it, 0, sizeof *it);
}

/* Init containers first, then containers, then ephemeral ones: the order
 * the kubelet starts them and kube-linter reports them. */
bool rl_ctr_next(const gr_object *o, int mask, rl_ctr *it)
{
	if (!o->pod_spec)
		return false;
	for (; it->li < 3; it->li++, it->ii = 0) {
		if (!(mask & list_bits[it->li]))
			continue;
		const gr_value *arr = gr_get(o->pod_spec, lists[it->li]);
		if (!arr || arr->type != GR_ARRAY)
			continue;
		while (it->ii < arr->u.a.len) {
			const gr_value *c = &arr->u.a.items[it->ii];
			size_t idx = it->ii++;
			if (c->type != GR_OBJECT)
				continue;
			it->node = c;
			it->list = lists[it->li];
			it->index = idx;
			it->which = list_bits[it->li];
			it->name = gr_get_str(c, "name");
			if (!it->name)
				it->name = "";
			const gr_value *sc = gr_get(c, "securityContext");
			it->sc = sc && sc->type == GR_OBJECT ? sc : NULL;
			return true;
		}
	}
	return false;
}

/* Append s to the path buffer at *n, truncating as snprintf would. */
static void path_put(rl_ctx *c, size_t *n, const char *s)
{
	size_t room = sizeof c->path - 1 - *n, l = s ? strlen(s) : 0;
	if (l > room)
		l = room;
	memcpy(c->path + *n, s, l);
	*n += l;
}

/* Paths are built by hand: they are made for every container a rule
 * looks at, and snprintf costs more than the rule (bench/serve.sh). */
const char *rl_cpath(rl_ctx *c, const rl_ctr *k, const char *suffix)
{
	char idx[24];
	size_t i = sizeof idx;
	idx[--i] = '\0';
	idx[--i] = ']';
	size_t v = k->index;
	do
		idx[--i] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	idx[--i] = '[';
	size_t n = 0;
	path_put(c, &n, c->obj->pod_spec_path);
	path_put(c, &n, ".");
	path_put(c, &n, k->list);
	path_put(c, &n, idx + i);
	path_put(c, &n, suffix);
	c->path[n] = '\0';
	return c->path;
}

const char *rl_spath(rl_ctx *c, const char *suffix)
{
	size_t n = 0;
	path_put(c, &n, c->obj->pod_spec_path);
	path_put(c, &n, suffix);
	c->path[n] = '\0';
	return c->path;
}

bool rl_streq_ci(const char *a, const char *b)
{
	return a && b && strcasecmp(a, b) == 0;
}

bool rl_int(const gr_value *v, int64_t *out)
{
	if (!v)
		return false;
	if (v->type == GR_INT) {
		*out = v->u.i;
		return true;
	}
	if (v->type == GR_DOUBLE && v->u.d == floor(v->u.d) && fabs(v->u.d) < 9e18) {
		*out = (int64_t)v->u.d;
		return true;
	}
	return false;
}

bool rl_quantity(const gr_value *v, double *out)
{
	if (!v)
		return false;
	if (v->type == GR_INT || v->type == GR_DOUBLE) {
		*out = gr_number(v);
		return true;
	}
	const char *s = rl_str(v);
	if (!s || !*s)
		return false;
	char *end;
	double d = strtod(s, &end);
	if (end == s)
		return false;
	static const struct {
		const char *suf;
		double mul;
	} sfx[] = {{"", 1},
	           {"m", 1e-3},
	           {"k", 1e3},
	           {"M", 1e6},
	           {"G", 1e9},
	           {"T", 1e12},
	           {"P", 1e15},
	           {"E", 1e18},
	           {"Ki", 1024.0},
	           {"Mi", 1048576.0},
	           {"Gi", 1073741824.0},
	           {"Ti", 1099511627776.0},
	           {"Pi", 1125899906842624.0},
	           {"Ei", 1152921504606846976.0},
	           {"n", 1e-9},
	           {"u", 1e-6}};
	for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++)
		if (strcmp(end, sfx[i].suf) == 0) {
			*out = d * sfx[i].mul;
			return true;
		}
	return false;
}

bool rl_quantity_nonzero(const gr_value *v)
{
	double d;
	if (!rl_set_(v))
		return false;
	if (v->type == GR_STRING && v->u.s.len == 0)
		return false;
	if (!rl_quantity(v, &d))
		return true; /* set but unparsable: the schema engine reports it */
	return d != 0;
}

bool rl_has_str(const gr_value *arr, const char *s, bool ci)
{
	if (!arr || arr->type != GR_ARRAY)
		return false;
	for (size_t i = 0; i < arr->u.a.len; i++) {
		const char *x = rl_str(&arr->u.a.items[i]);
		if (x && (ci ? strcasecmp(x, s) == 0 : strcmp(x, s) == 0))
			return true;
	}
	return false;
}

bool rl_kind(const gr_object *o, const char *kind)
{
	return strcmp(o->kind, kind) == 0;
}

const gr_value *rl_pod_labels(const gr_object *o)
{
	return o->pod_metadata ? gr_get(o->pod_metadata, "labels") : NULL;
}

const gr_value *rl_labels(const gr_object *o)
{
	return gr_get_path(o->root, "metadata", "labels", NULL);
}

const gr_value *rl_annotations(const gr_object *o)
{
	return gr_get_path(o->root, "metadata", "annotations", NULL);
}

const char *rl_annotation(const gr_object *o, const char *key)
{
	return gr_get_str(rl_annotations(o), key);
}

static const char *label_of(const gr_value *labels, const char *key)
{
	return gr_get_str(labels, key);
}

bool rl_map_selects(const gr_value *sel, const gr_value *labels, bool empty_all)
{
	if (!sel || sel->type != GR_OBJECT || sel->u.o.len == 0)
		return empty_all;
	for (size_t i = 0; i < sel->u.o.len; i++) {
		const gr_member *m = &sel->u.o.members[i];
		const char *want = rl_str(&m->value);
		const char *have = label_of(labels, m->key);
		if (!want || !have || strcmp(want, have) != 0)
			return false;
	}
	return true;
}

bool rl_selector_empty(const gr_value *sel)
{
	if (!sel || sel->type != GR_OBJECT)
		return true;
	const gr_value *ml = gr_get(sel, "matchLabels"), *me = gr_get(sel, "matchExpressions");
	return !(ml && ml->type == GR_OBJECT && ml->u.o.len) && !(me && me->type == GR_ARRAY && me->u.a.len);
}

bool rl_selector_selects(const gr_value *sel, const gr_value *labels, bool empty_all)
{
	if (rl_selector_empty(sel))
		return empty_all;
	const gr_value *ml = gr_get(sel, "matchLabels");
	if (ml && ml->type == GR_OBJECT && ml->u.o.len && !rl_map_selects(ml, labels, true))
		return false;
	const gr_value *me = gr_get(sel, "matchExpressions");
	if (me && me->type == GR_ARRAY)
		for (size_t i = 0; i < me->u.a.len; i++) {
			const gr_value *x = &me->u.a.items[i];
			const char *key = gr_get_str(x, "key"), *op = gr_get_str(x, "operator");
			if (!key || !op)
				return false;
			const char *have = label_of(labels, key);
			const gr_value *vals = gr_get(x, "values");
			if (strcmp(op, "In") == 0) {
				if (!have || !rl_has_str(vals, have, false))
					return false;
			} else if (strcmp(op, "NotIn") == 0) {
				if (have && rl_has_str(vals, have, false))
					return false;
			} else if (strcmp(op, "Exists") == 0) {
				if (!have)
					return false;
			} else if (strcmp(op, "DoesNotExist") == 0) {
				if (have)
					return false;
			} else
				return false;
		}
	return true;
}
