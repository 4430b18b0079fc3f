/*
 * eval.c — the CEL evaluator: a tree walk over the resolved AST.
 *
 * Errors are values (GR_CEL_ERROR) so that && and || can absorb them
 * commutatively (`error || true` is true) and `all`/`exists` can do the
 * same across iterations; every other operator is strict and returns the
 * first error among its operands. A limit (cost, memory) sets ev->fatal,
 * which no operator absorbs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel_internal.h"

gr_cel_value cel_error(cel_eval *ev, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof buf)
		n = sizeof buf - 1;
	char *m = gr_arena_strndup(ev->arena, buf, (size_t)n);
	ev->error_column = ev->column;
	gr_cel_value v = {.kind = GR_CEL_ERROR};
	if (!m) {
		ev->fatal = 1;
		v.u.s.ptr = "out of memory";
		v.u.s.len = 13;
		return v;
	}
	v.u.s.ptr = m;
	v.u.s.len = (size_t)n;
	return v;
}

static gr_cel_value limit_error(cel_eval *ev, const char *msg)
{
	ev->fatal = 1;
	gr_cel_value v = {.kind = GR_CEL_ERROR};
	v.u.s.ptr = msg;
	v.u.s.len = strlen(msg);
	return v;
}

gr_cel_value cel_no_overload(cel_eval *ev, const char *fn, const gr_cel_value *args, size_t n)
{
	char types[256];
	size_t o = 0;
	types[0] = 0;
	for (size_t i = 0; i < n && o < sizeof types - 64; i++)
		o += (size_t)snprintf(types + o, sizeof types - o, "%s%s", i ? ", " : "",
		                      gr_cel_type_name(&args[i]));
	return cel_error(ev, "no such overload: %s(%s)", fn, types);
}

static void *eval_alloc(cel_eval *ev, size_t size)
{
	void *p = gr_arena_alloc(ev->arena, size ? size : 1);
	if (!p)
		ev->fatal = 1;
	return p;
}

gr_cel_value cel_make_list(cel_eval *ev, gr_cel_value *items, size_t n)
{
	gr_cel_list *l = eval_alloc(ev, sizeof *l);
	if (!l)
		return limit_error(ev, "out of memory");
	l->len = n;
	l->items = items;
	return (gr_cel_value){.kind = GR_CEL_LIST, .u.list = l};
}

gr_cel_value cel_make_map(cel_eval *ev, gr_cel_value *keys, gr_cel_value *vals, size_t n)
{
	gr_cel_map *m = eval_alloc(ev, sizeof *m);
	if (!m)
		return limit_error(ev, "out of memory");
	m->len = n;
	m->keys = keys;
	m->values = vals;
	return (gr_cel_value){.kind = GR_CEL_MAP, .u.map = m};
}

gr_cel_value cel_make_string(cel_eval *ev, const char *s, size_t len)
{
	char *c = gr_arena_strndup(ev->arena, s, len);
	if (!c)
		return limit_error(ev, "out of memory");
	return gr_cel_string(c, len);
}

static gr_cel_value make_optional(cel_eval *ev, const gr_cel_value *v)
{
	gr_cel_value r = {.kind = GR_CEL_OPTIONAL};
	if (v) {
		gr_cel_value *c = eval_alloc(ev, sizeof *c);
		if (!c)
			return limit_error(ev, "out of memory");
		*c = *v;
		r.u.opt = c;
	}
	return r;
}

/* A growable array of values in the arena. */
typedef struct vec {
	gr_cel_value *v;
	size_t n, cap;
} vec;

static int vec_push(cel_eval *ev, vec *a, gr_cel_value x)
{
	if (a->n == a->cap) {
		size_t nc = a->cap ? a->cap * 2 : 8;
		gr_cel_value *nv = eval_alloc(ev, nc * sizeof *nv);
		if (!nv)
			return -1;
		if (a->n)
			memcpy(nv, a->v, a->n * sizeof *nv);
		a->v = nv;
		a->cap = nc;
	}
	a->v[a->n++] = x;
	return 0;
}

static int charge(cel_eval *ev, uint64_t c)
{
	ev->cost += c;
	if (ev->cost_limit && ev->cost > ev->cost_limit) {
		ev->fatal = 1;
		return -1;
	}
	return 0;
}

/* A presence test (has(x.f), x.?f, x[?k]) on a value that is neither a
 * map (an object) nor a list finds nothing, where a plain selection is an
 * error: cel-go qualifies such a value through refQualify, whose last case
 * answers "not present" to a presence test. It is what a policy meets in a
 * manifest's `metadata:` left empty (null): `x.metadata.?labels` is none. */
static bool absent_in(const gr_cel_value *t)
{
	return t->kind != GR_CEL_MAP && t->kind != GR_CEL_LIST;
}

static gr_cel_value select_field(cel_eval *ev, const cel_node *n, gr_cel_value t, int presence)
{
	if (t.kind == GR_CEL_MAP) {
		gr_cel_value out;
		if (t.schema) {
			int r = cel_schema_select(ev, &t, n->name, n->name_len, &out, presence);
			if (r < 0)
				return out; /* an error value */
			if (presence)
				return gr_cel_bool(r == 1);
			if (r == 0)
				return cel_error(ev, "no such key: %.*s", (int)n->name_len, n->name);
			return out;
		}
		int r = cel_map_get_str(&t, n->name, n->name_len, presence ? NULL : &out);
		if (presence)
			return gr_cel_bool(r == 1);
		if (r != 1)
			return cel_error(ev, "no such key: %.*s", (int)n->name_len, n->name);
		return out;
	}
	return cel_error(ev, "type '%s' does not support field selection", gr_cel_type_name(&t));
}

static gr_cel_value eval_select(cel_eval *ev, const cel_node *n)
{
	gr_cel_value t = cel_eval_node(ev, n->args[0]);
	ev->column = n->column;
	if (t.kind == GR_CEL_ERROR)
		return t;
	if (n->optional || t.kind == GR_CEL_OPTIONAL) {
		if (t.kind == GR_CEL_OPTIONAL) {
			if (!t.u.opt)
				return t;
			t = *t.u.opt;
		}
		if (n->optional && absent_in(&t))
			return make_optional(ev, NULL);
		if (t.kind != GR_CEL_MAP)
			return cel_error(ev, "type '%s' does not support field selection",
			                 gr_cel_type_name(&t));
		gr_cel_value has = select_field(ev, n, t, 1);
		if (has.kind == GR_CEL_ERROR)
			return has;
		if (!has.u.b)
			return make_optional(ev, NULL);
		gr_cel_value v = select_field(ev, n, t, 0);
		if (v.kind == GR_CEL_ERROR)
			return v;
		return make_optional(ev, &v);
	}
	return select_field(ev, n, t, 0);
}

/* Index a list or map; *found=0 when the key/index is absent (for [?]). */
static gr_cel_value index_value(cel_eval *ev, gr_cel_value t, gr_cel_value k, int *found)
{
	*found = 1;
	if (t.kind == GR_CEL_LIST) {
		int64_t i;
		if (k.kind == GR_CEL_INT)
			i = k.u.i;
		else if (k.kind == GR_CEL_UINT)
			i = k.u.u > (uint64_t)INT64_MAX ? -1 : (int64_t)k.u.u;
		else if (k.kind == GR_CEL_DOUBLE) {
			double d = k.u.d;
			if (d != d || d < -9.2e18 || d > 9.2e18 || (double)(int64_t)d != d)
				return cel_error(ev, "unsupported index value");
			i = (int64_t)d;
		} else {
			gr_cel_value a[2] = {t, k};
			return cel_no_overload(ev, "_[_]", a, 2);
		}
		size_t len = gr_cel_size(&t);
		if (i < 0 || (uint64_t)i >= len) {
			*found = 0;
			return cel_error(ev, "index out of bounds: %lld", (long long)i);
		}
		return gr_cel_list_at(&t, (size_t)i);
	}
	if (t.kind == GR_CEL_MAP) {
		gr_cel_value out;
		int r;
		if (t.schema && k.kind == GR_CEL_STRING) {
			r = cel_schema_select(ev, &t, k.u.s.ptr, k.u.s.len, &out, 0);
			if (r < 0)
				return out;
		} else
			r = cel_map_get(ev, &t, &k, &out);
		if (r < 0) {
			gr_cel_value a[2] = {t, k};
			return cel_no_overload(ev, "_[_]", a, 2);
		}
		if (r == 0) {
			*found = 0;
			if (k.kind == GR_CEL_STRING)
				return cel_error(ev, "no such key: %.*s", (int)k.u.s.len, k.u.s.ptr);
			char buf[64];
			if (k.kind == GR_CEL_INT)
				snprintf(buf, sizeof buf, "%lld", (long long)k.u.i);
			else if (k.kind == GR_CEL_UINT)
				snprintf(buf, sizeof buf, "%llu", (unsigned long long)k.u.u);
			else if (k.kind == GR_CEL_DOUBLE)
				snprintf(buf, sizeof buf, "%g", k.u.d);
			else
				snprintf(buf, sizeof buf, "%s", k.u.b ? "true" : "false");
			return cel_error(ev, "no such key: %s", buf);
		}
		return out;
	}
	gr_cel_value a[2] = {t, k};
	return cel_no_overload(ev, "_[_]", a, 2);
}

static gr_cel_value eval_index(cel_eval *ev, const cel_node *n)
{
	gr_cel_value t = cel_eval_node(ev, n->args[0]);
	if (t.kind == GR_CEL_ERROR)
		return t;
	gr_cel_value k;
	if (n->args[1]->kind == N_ITERVAR || n->args[1]->kind == N_IDENT) {
		/* an attribute qualifier: cel-go charges the qualifier, not the read */
		uint64_t saved = ev->cost;
		k = cel_eval_node(ev, n->args[1]);
		ev->cost = saved;
	} else
		k = cel_eval_node(ev, n->args[1]);
	if (k.kind == GR_CEL_ERROR)
		return k;
	ev->column = n->column;
	int found;
	if (n->optional || t.kind == GR_CEL_OPTIONAL) {
		if (t.kind == GR_CEL_OPTIONAL) {
			if (!t.u.opt)
				return t;
			t = *t.u.opt;
		}
		if (n->optional && absent_in(&t))
			return make_optional(ev, NULL);
		gr_cel_value v = index_value(ev, t, k, &found);
		if (!found)
			return make_optional(ev, NULL);
		if (v.kind == GR_CEL_ERROR)
			return v;
		return make_optional(ev, &v);
	}
	return index_value(ev, t, k, &found);
}

/* opt.or(other) and opt.orValue(v): cel-go plans them as short-circuits
 * that cost nothing themselves; the argument is evaluated only when the
 * optional is empty. A receiver that is not an optional (a dyn value the
 * checker let through) is returned as it is, unevaluated further, as
 * cel-go's evalOptionalOr/evalOptionalOrValue do — Kubernetes policies
 * lean on it (`container.volumeMounts.orValue([])`). */
static gr_cel_value eval_optional_or(cel_eval *ev, const cel_node *n, bool value)
{
	gr_cel_value t = cel_eval_node(ev, n->args[0]);
	if (t.kind == GR_CEL_ERROR)
		return t;
	if (t.kind != GR_CEL_OPTIONAL)
		return t;
	if (t.u.opt)
		return value ? *t.u.opt : t;
	gr_cel_value o = cel_eval_node(ev, n->args[1]);
	if (o.kind == GR_CEL_ERROR || value)
		return o;
	if (o.kind != GR_CEL_OPTIONAL) {
		gr_cel_value a[2] = {t, o};
		return cel_no_overload(ev, "or", a, 2);
	}
	return o;
}

static gr_cel_value eval_call(cel_eval *ev, const cel_node *n)
{
	if (n->member && n->nargs == 2 && n->name[0] == 'o' &&
	    (!strcmp(n->name, "or") || !strcmp(n->name, "orValue")))
		return eval_optional_or(ev, n, n->name[2] == 'V');
	gr_cel_value range = {0};
	bool have_range = false;
	if (n->nargs == 2 && n->name[0] == '@' && ev->prog->opts.fold_constants && n->args[1]->constant) {
		/* x in [constants]: cel-go's planner (OptOptimize) makes it a set
		 * lookup that costs nothing itself when every element is a bool,
		 * int, uint, double or string, and the constant false when the
		 * list is empty (x is then never evaluated) */
		range = cel_eval_node(ev, n->args[1]);
		have_range = true;
		if (range.kind == GR_CEL_LIST) {
			size_t len = gr_cel_size(&range);
			if (len == 0)
				return gr_cel_bool(false);
			bool prim = true;
			for (size_t i = 0; i < len && prim; i++) {
				gr_cel_kind k = gr_cel_list_at(&range, i).kind;
				prim = k == GR_CEL_BOOL || k == GR_CEL_INT || k == GR_CEL_UINT ||
				       k == GR_CEL_DOUBLE || k == GR_CEL_STRING;
			}
			if (prim) {
				gr_cel_value in[2] = {cel_eval_node(ev, n->args[0]), range};
				if (in[0].kind == GR_CEL_ERROR)
					return in[0];
				ev->column = n->column;
				return n->fn->fn(ev, n, in, 2);
			}
		}
	}
	gr_cel_value small[8];
	gr_cel_value *args = small;
	if (n->nargs > 8) {
		args = eval_alloc(ev, n->nargs * sizeof *args);
		if (!args)
			return limit_error(ev, "out of memory");
	}
	/* cel-go evaluates both operands of a one- or two-argument call and
	 * charges the call even when one is an error; longer calls stop at the
	 * first error */
	for (size_t i = 0; i < n->nargs; i++) {
		args[i] = i == 1 && have_range ? range : cel_eval_node(ev, n->args[i]);
		if (args[i].kind != GR_CEL_ERROR)
			continue;
		if (ev->fatal || n->nargs > 2)
			return args[i];
		gr_cel_value e = args[i];
		if (i == 0 && n->nargs == 2) {
			args[1] = have_range ? range : cel_eval_node(ev, n->args[1]);
			if (ev->fatal)
				return args[1];
		}
		if (charge(ev, cel_call_cost(n, args, n->nargs, &e)) < 0)
			return limit_error(ev, "operation cancelled: actual cost limit exceeded");
		return e;
	}
	ev->column = n->column;
	gr_cel_value r = n->fn->fn(ev, n, args, n->nargs);
	if (charge(ev, cel_call_cost(n, args, n->nargs, &r)) < 0)
		return limit_error(ev, "operation cancelled: actual cost limit exceeded");
	return r;
}

static gr_cel_value eval_list(cel_eval *ev, const cel_node *n)
{
	if (charge(ev, 10) < 0)
		return limit_error(ev, "operation cancelled: actual cost limit exceeded");
	gr_cel_value *items = eval_alloc(ev, n->nargs * sizeof *items);
	if (!items)
		return limit_error(ev, "out of memory");
	size_t k = 0;
	for (size_t i = 0; i < n->nargs; i++) {
		gr_cel_value v = cel_eval_node(ev, n->args[i]);
		if (v.kind == GR_CEL_ERROR)
			return v;
		if (n->opt_mask && n->opt_mask[i]) {
			if (v.kind != GR_CEL_OPTIONAL)
				return cel_no_overload(ev, "optional list element", &v, 1);
			if (!v.u.opt)
				continue;
			v = *v.u.opt;
		}
		items[k++] = v;
	}
	return cel_make_list(ev, items, k);
}

static int valid_key(const gr_cel_value *k)
{
	return k->kind == GR_CEL_STRING || k->kind == GR_CEL_INT || k->kind == GR_CEL_UINT ||
	       k->kind == GR_CEL_BOOL;
}

static gr_cel_value eval_map(cel_eval *ev, const cel_node *n)
{
	if (charge(ev, 30) < 0)
		return limit_error(ev, "operation cancelled: actual cost limit exceeded");
	size_t cnt = n->nargs / 2;
	gr_cel_value *keys = eval_alloc(ev, cnt * sizeof *keys);
	gr_cel_value *vals = eval_alloc(ev, cnt * sizeof *vals);
	if (!keys || !vals)
		return limit_error(ev, "out of memory");
	size_t k = 0;
	for (size_t i = 0; i < cnt; i++) {
		gr_cel_value key = cel_eval_node(ev, n->args[2 * i]);
		if (key.kind == GR_CEL_ERROR)
			return key;
		gr_cel_value v = cel_eval_node(ev, n->args[2 * i + 1]);
		if (v.kind == GR_CEL_ERROR)
			return v;
		if (!valid_key(&key))
			return cel_error(ev, "unsupported key type: %s", gr_cel_type_name(&key));
		if (n->opt_mask && n->opt_mask[i]) {
			if (v.kind != GR_CEL_OPTIONAL)
				return cel_no_overload(ev, "optional map entry", &v, 1);
			if (!v.u.opt)
				continue;
			v = *v.u.opt;
		}
		for (size_t j = 0; j < k; j++)
			if (gr_cel_equal(&keys[j], &key))
				return cel_error(ev, "Failed with repeated key");
		keys[k] = key;
		vals[k++] = v;
	}
	return cel_make_map(ev, keys, vals, k);
}

static gr_cel_value logic_operand_error(cel_eval *ev, const char *op, gr_cel_value v)
{
	if (v.kind == GR_CEL_ERROR)
		return v;
	return cel_no_overload(ev, op, &v, 1);
}

static gr_cel_value eval_and_or(cel_eval *ev, const cel_node *n, int is_and)
{
	gr_cel_value a = cel_eval_node(ev, n->args[0]);
	if (ev->fatal)
		return a;
	if (a.kind == GR_CEL_BOOL && a.u.b != is_and)
		return a; /* short circuit */
	gr_cel_value b = cel_eval_node(ev, n->args[1]);
	if (ev->fatal)
		return b;
	if (b.kind == GR_CEL_BOOL && b.u.b != is_and)
		return b;
	if (a.kind != GR_CEL_BOOL)
		return logic_operand_error(ev, is_and ? "_&&_" : "_||_", a);
	if (b.kind != GR_CEL_BOOL)
		return logic_operand_error(ev, is_and ? "_&&_" : "_||_", b);
	return gr_cel_bool(is_and);
}

/* ---- comprehensions ---- */

typedef struct range_iter {
	gr_cel_value range;
	size_t n;
	int is_map;
} range_iter;

/* Bind the loop variables for element i. */
static void bind(cel_eval *ev, const cel_node *n, range_iter *it, size_t i)
{
	if (it->is_map) {
		gr_cel_value k, v;
		gr_cel_map_entry(&it->range, i, &k, n->slot2 >= 0 ? &v : NULL);
		ev->slots[n->slot] = k;
		if (n->slot2 >= 0)
			ev->slots[n->slot2] = v;
	} else {
		gr_cel_value e = gr_cel_list_at(&it->range, i);
		if (n->slot2 >= 0) {
			ev->slots[n->slot] = gr_cel_int((int64_t)i);
			ev->slots[n->slot2] = e;
		} else
			ev->slots[n->slot] = e;
	}
}

static int sort_values(cel_eval *ev, gr_cel_value *keys, size_t *idx, size_t n);

static gr_cel_value eval_comprehension(cel_eval *ev, const cel_node *n)
{
	if (n->ckind == C_BIND) {
		/* cel-go's cel.bind is a fold over an empty list literal: created
		 * (10) unless the planner folded it */
		if (!ev->prog->opts.fold_constants && charge(ev, 10) < 0)
			return limit_error(ev, "operation cancelled: actual cost limit exceeded");
		gr_cel_value init = cel_eval_node(ev, n->args[0]);
		if (init.kind == GR_CEL_ERROR)
			return init;
		ev->slots[n->slot] = init;
		return cel_eval_node(ev, n->args[1]);
	}
	range_iter it;
	it.range = cel_eval_node(ev, n->args[0]);
	if (it.range.kind == GR_CEL_ERROR)
		return it.range;
	if (it.range.kind != GR_CEL_LIST && it.range.kind != GR_CEL_MAP)
		return cel_error(ev, "expression of type '%s' cannot be range of a comprehension",
		                 gr_cel_type_name(&it.range));
	it.is_map = it.range.kind == GR_CEL_MAP;
	it.n = gr_cel_size(&it.range);
	gr_cel_value first_err = {.kind = GR_CEL_NULL};
	vec out = {0};
	vec outk = {0};
	int64_t count = 0;
	const cel_node *pred = NULL, *xf = NULL;
	switch (n->ckind) {
	case C_ALL:
	case C_EXISTS:
	case C_EXISTS_ONE:
	case C_FILTER: pred = n->args[1]; break;
	case C_MAP:
	case C_TRANSFORM_LIST:
	case C_TRANSFORM_MAP:
	case C_TRANSFORM_MAP_ENTRY:
	case C_SORT_BY: xf = n->args[1]; break;
	default:
		pred = n->args[1];
		xf = n->args[2];
		break;
	}
	/* cel-go expands the macro into a fold; charged as its steps cost there:
	 * all/exists read the accumulator and test the loop condition each
	 * iteration (3 or 4), the fold's result is read once (1), a kept
	 * element appends a one-element list (13 with the read, 12 plus the
	 * transform for map), a map insertion costs 3, a match of exists_one 2. */
	uint64_t cond = n->ckind == C_ALL ? 2 : n->ckind == C_EXISTS ? 3 : 0;
	/* the accumulator's empty list (10) or map (30): a constant cel-go's
	 * planner folds in the API server's CRD validator, created otherwise */
	if (!ev->prog->opts.fold_constants) {
		uint64_t init = 0;
		switch (n->ckind) {
		case C_MAP:
		case C_MAP_FILTER:
		case C_FILTER:
		case C_TRANSFORM_LIST:
		case C_TRANSFORM_LIST_FILTER: init = 10; break;
		case C_TRANSFORM_MAP:
		case C_TRANSFORM_MAP_FILTER:
		case C_TRANSFORM_MAP_ENTRY:
		case C_TRANSFORM_MAP_ENTRY_FILTER: init = 30; break;
		default: break;
		}
		if (init && charge(ev, init) < 0)
			return limit_error(ev, "operation cancelled: actual cost limit exceeded");
	}
	for (size_t i = 0; i < it.n; i++) {
		if (cond && charge(ev, cond + 1) < 0)
			return limit_error(ev, "operation cancelled: actual cost limit exceeded");
		bind(ev, n, &it, i);
		int keep = 1;
		if (pred) {
			gr_cel_value r = cel_eval_node(ev, pred);
			if (ev->fatal)
				return r;
			if (r.kind != GR_CEL_BOOL) {
				if (r.kind != GR_CEL_ERROR)
					r = cel_no_overload(ev, n->ckind == C_ALL ? "_&&_" : "_||_", &r, 1);
				if (n->ckind == C_ALL || n->ckind == C_EXISTS) {
					if (first_err.kind != GR_CEL_ERROR)
						first_err = r;
					continue;
				}
				return r;
			}
			switch (n->ckind) {
			case C_ALL:
				if (!r.u.b) {
					/* the loop condition that ends the fold (none after the
					 * last element), the result */
					charge(ev, i + 1 < it.n ? cond + 1 : 1);
					return r;
				}
				continue;
			case C_EXISTS:
				if (r.u.b) {
					charge(ev, i + 1 < it.n ? cond + 1 : 1);
					return r;
				}
				continue;
			case C_EXISTS_ONE:
				if (r.u.b) {
					count++;
					charge(ev, 2);
				}
				continue;
			default: keep = r.u.b; break;
			}
		}
		if (!keep)
			continue;
		{
			/* accumulator read, the one-element list and the concatenation,
			 * or the map insertion */
			int is_map_out = n->ckind == C_TRANSFORM_MAP || n->ckind == C_TRANSFORM_MAP_FILTER ||
			                 n->ckind == C_TRANSFORM_MAP_ENTRY ||
			                 n->ckind == C_TRANSFORM_MAP_ENTRY_FILTER;
			uint64_t step = is_map_out ? (n->ckind >= C_TRANSFORM_MAP_ENTRY ? 2 : 3) : 12;
			if (charge(ev, step) < 0)
				return limit_error(ev, "operation cancelled: actual cost limit exceeded");
		}
		if (n->ckind == C_FILTER) {
			charge(ev, 1); /* the element read */
			gr_cel_value e = ev->slots[n->slot];
			if (it.is_map || n->slot2 < 0)
				e = ev->slots[n->slot];
			if (vec_push(ev, &out, e) < 0)
				return limit_error(ev, "out of memory");
			continue;
		}
		gr_cel_value v = cel_eval_node(ev, xf);
		if (v.kind == GR_CEL_ERROR)
			return v;
		switch (n->ckind) {
		case C_TRANSFORM_MAP:
		case C_TRANSFORM_MAP_FILTER:
			if (vec_push(ev, &outk, ev->slots[n->slot]) < 0 || vec_push(ev, &out, v) < 0)
				return limit_error(ev, "out of memory");
			break;
		case C_TRANSFORM_MAP_ENTRY:
		case C_TRANSFORM_MAP_ENTRY_FILTER: {
			if (v.kind != GR_CEL_MAP)
				return cel_error(ev,
				                 "transformMapEntry: the transform must give a map, not %s",
				                 gr_cel_type_name(&v));
			size_t m = gr_cel_size(&v);
			for (size_t j = 0; j < m; j++) {
				gr_cel_value k, x;
				gr_cel_map_entry(&v, j, &k, &x);
				for (size_t q = 0; q < outk.n; q++)
					if (gr_cel_equal(&outk.v[q], &k))
						return cel_error(ev, "insert failed: key %s already exists",
						                 k.kind == GR_CEL_STRING ? k.u.s.ptr : "");
				if (vec_push(ev, &outk, k) < 0 || vec_push(ev, &out, x) < 0)
					return limit_error(ev, "out of memory");
			}
			break;
		}
		case C_SORT_BY:
			if (vec_push(ev, &outk, v) < 0 ||
			    vec_push(ev, &out, gr_cel_list_at(&it.range, i)) < 0)
				return limit_error(ev, "out of memory");
			break;
		default:
			if (vec_push(ev, &out, v) < 0)
				return limit_error(ev, "out of memory");
			break;
		}
	}
	charge(ev, n->ckind == C_EXISTS_ONE ? 2 : 1); /* the fold's result */
	switch (n->ckind) {
	case C_ALL:
	case C_EXISTS:
		if (first_err.kind == GR_CEL_ERROR)
			return first_err;
		return gr_cel_bool(n->ckind == C_ALL);
	case C_EXISTS_ONE: return gr_cel_bool(count == 1);
	case C_TRANSFORM_MAP:
	case C_TRANSFORM_MAP_FILTER:
	case C_TRANSFORM_MAP_ENTRY:
	case C_TRANSFORM_MAP_ENTRY_FILTER: return cel_make_map(ev, outk.v, out.v, out.n);
	case C_SORT_BY: {
		if (it.is_map)
			return cel_error(ev, "sortBy: no such overload for a map");
		/* cel-go binds the list, maps it to keys and calls
		 * @sortByAssociatedKeys: two reads of the bound list (the map
		 * result is charged as the fold result), and the sort of the keys */
		{
			gr_cel_value keys = cel_make_list(ev, outk.v, outk.n);
			if (charge(ev, 2 + cel_list_self_compare_cost(&keys)) < 0)
				return limit_error(ev, "operation cancelled: actual cost limit exceeded");
		}
		size_t *idx = eval_alloc(ev, (out.n + 1) * sizeof *idx);
		gr_cel_value *sorted = eval_alloc(ev, (out.n + 1) * sizeof *sorted);
		if (!idx || !sorted)
			return limit_error(ev, "out of memory");
		for (size_t i = 0; i < out.n; i++)
			idx[i] = i;
		if (sort_values(ev, outk.v, idx, out.n) < 0)
			return cel_error(ev, "sortBy: the keys are not comparable");
		for (size_t i = 0; i < out.n; i++)
			sorted[i] = out.v[idx[i]];
		return cel_make_list(ev, sorted, out.n);
	}
	default: return cel_make_list(ev, out.v, out.n);
	}
}

/* Stable merge sort of idx by keys; -1 when two keys do not compare. */
static int sort_values(cel_eval *ev, gr_cel_value *keys, size_t *idx, size_t n)
{
	if (n < 2)
		return 0;
	size_t *tmp = eval_alloc(ev, n * sizeof *tmp);
	if (!tmp)
		return -1;
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t a = lo, b = mid, o = lo;
			while (a < mid && b < hi) {
				int c = cel_compare(&keys[idx[b]], &keys[idx[a]]);
				if (c == -2)
					return -1;
				tmp[o++] = c < 0 ? idx[b++] : idx[a++];
			}
			while (a < mid)
				tmp[o++] = idx[a++];
			while (b < hi)
				tmp[o++] = idx[b++];
		}
		memcpy(idx, tmp, n * sizeof *idx);
	}
	return 0;
}

int cel_sort_values(cel_eval *ev, gr_cel_value *keys, size_t *idx, size_t n)
{
	return sort_values(ev, keys, idx, n);
}

static gr_cel_value eval_optmap(cel_eval *ev, const cel_node *n)
{
	uint64_t before = ev->cost;
	gr_cel_value t = cel_eval_node(ev, n->args[0]);
	if (t.kind == GR_CEL_ERROR)
		return t;
	uint64_t target_cost = ev->cost - before;
	if (t.kind != GR_CEL_OPTIONAL)
		return cel_no_overload(ev, n->ckind ? "optFlatMap" : "optMap", &t, 1);
	/* cel-go's macro: target.hasValue() ? optional.of(cel.bind(v,
	 * target.value(), expr)) : optional.none(); the target is evaluated
	 * twice when it has a value (optFlatMap has no optional.of) */
	if (!t.u.opt) {
		if (charge(ev, 2) < 0)
			return limit_error(ev, "operation cancelled: actual cost limit exceeded");
		return t;
	}
	if (charge(ev, 1 + target_cost + 1 + (n->ckind ? 0 : 1)) < 0)
		return limit_error(ev, "operation cancelled: actual cost limit exceeded");
	ev->slots[n->slot] = *t.u.opt;
	gr_cel_value r = cel_eval_node(ev, n->args[1]);
	if (r.kind == GR_CEL_ERROR)
		return r;
	if (n->ckind) {
		if (r.kind != GR_CEL_OPTIONAL)
			return cel_no_overload(ev, "optFlatMap", &r, 1);
		return r;
	}
	return make_optional(ev, &r);
}

static gr_cel_value eval_node(cel_eval *ev, const cel_node *n);
static gr_cel_value eval_node_kind(cel_eval *ev, const cel_node *n);

/* cel-go plans a selection or index as a qualifier added to its operand's
 * attribute (a variable, a selection or index chain, a ternary). Any other
 * operand (a literal, a call, a macro) is first wrapped in a relative
 * attribute, and evaluating that attribute is charged once more on top of
 * the qualifier: `['a', 'b'][4]` costs 2 where `self.l[4]` costs 1 beyond
 * `self.l` (interpreter planner.go: planSelect, planCallIndex). */
static uint64_t relative_attribute_cost(const cel_node *operand)
{
	switch (operand->kind) {
	case N_IDENT:
	case N_ITERVAR:
	case N_SELECT:
	case N_INDEX:
	case N_COND:
	case N_HAS:
	case N_OPTMAP: return 0;
	default: return 1;
	}
}

gr_cel_value cel_eval_node(cel_eval *ev, const cel_node *n)
{
	if (n->constant && n->kind != N_LITERAL && ev->prog->opts.fold_constants) {
		uint64_t saved = ev->cost;
		gr_cel_value v = eval_node(ev, n);
		ev->cost = saved;
		return v;
	}
	return eval_node(ev, n);
}

static gr_cel_value eval_node(cel_eval *ev, const cel_node *n)
{
	gr_cel_value r = eval_node_kind(ev, n);
	return r;
}

static gr_cel_value eval_node_kind(cel_eval *ev, const cel_node *n)
{
	ev->column = n->column;
	switch (n->kind) {
	case N_LITERAL:
	case N_TYPE: return n->value;
	case N_IDENT:
		if (charge(ev, 1) < 0)
			return limit_error(ev, "operation cancelled: actual cost limit exceeded");
		if (n->slot < 0 || (size_t)n->slot >= ev->nvars)
			return cel_error(ev, "no such attribute: %.*s", (int)n->name_len, n->name);
		if (ev->vars[n->slot].kind == GR_CEL_ERROR)
			return cel_error(ev, "no such attribute: %.*s", (int)n->name_len, n->name);
		return ev->vars[n->slot];
	case N_ITERVAR:
		if (charge(ev, 1) < 0)
			return limit_error(ev, "operation cancelled: actual cost limit exceeded");
		return ev->slots[n->slot];
	case N_SELECT:
		if (n->optional) {
			/* x.?f: cel-go charges the qualifier only when the field is there */
			if (charge(ev, relative_attribute_cost(n->args[0])) < 0)
				return limit_error(ev, "operation cancelled: actual cost limit exceeded");
			gr_cel_value r = eval_select(ev, n);
			if (r.kind == GR_CEL_OPTIONAL && r.u.opt && charge(ev, 1) < 0)
				return limit_error(ev, "operation cancelled: actual cost limit exceeded");
			return r;
		}
		if (charge(ev, 1 + relative_attribute_cost(n->args[0])) < 0)
			return limit_error(ev, "operation cancelled: actual cost limit exceeded");
		return eval_select(ev, n);
	case N_HAS: {
		gr_cel_value t = cel_eval_node(ev, n->args[0]);
		if (t.kind == GR_CEL_ERROR)
			return t;
		if (t.kind == GR_CEL_OPTIONAL) {
			if (!t.u.opt)
				return gr_cel_bool(false);
			t = *t.u.opt;
		}
		if (absent_in(&t))
			return gr_cel_bool(false);
		return select_field(ev, n, t, 1);
	}
	case N_INDEX:
		if (charge(ev, 1 + relative_attribute_cost(n->args[0])) < 0)
			return limit_error(ev, "operation cancelled: actual cost limit exceeded");
		return eval_index(ev, n);
	case N_CALL: return eval_call(ev, n);
	case N_LIST: return eval_list(ev, n);
	case N_MAP: return eval_map(ev, n);
	case N_COND: {
		gr_cel_value c = cel_eval_node(ev, n->args[0]);
		if (c.kind == GR_CEL_ERROR)
			return c;
		if (c.kind != GR_CEL_BOOL)
			return cel_no_overload(ev, "_?_:_", &c, 1);
		return cel_eval_node(ev, n->args[c.u.b ? 1 : 2]);
	}
	case N_AND: return eval_and_or(ev, n, 1);
	case N_OR: return eval_and_or(ev, n, 0);
	case N_NOT: {
		if (charge(ev, 1) < 0)
			return limit_error(ev, "operation cancelled: actual cost limit exceeded");
		gr_cel_value v = cel_eval_node(ev, n->args[0]);
		if (v.kind == GR_CEL_ERROR)
			return v;
		if (v.kind != GR_CEL_BOOL)
			return cel_no_overload(ev, "!_", &v, 1);
		return gr_cel_bool(!v.u.b);
	}
	case N_NEG: {
		if (charge(ev, 1) < 0)
			return limit_error(ev, "operation cancelled: actual cost limit exceeded");
		gr_cel_value v = cel_eval_node(ev, n->args[0]);
		if (v.kind == GR_CEL_ERROR)
			return v;
		if (v.kind == GR_CEL_INT) {
			if (v.u.i == INT64_MIN)
				return cel_error(ev, "integer overflow");
			return gr_cel_int(-v.u.i);
		}
		if (v.kind == GR_CEL_DOUBLE)
			return gr_cel_double(-v.u.d);
		if (v.kind == GR_CEL_DURATION) {
			if (v.u.i == INT64_MIN)
				return cel_error(ev, "duration overflow");
			v.u.i = -v.u.i;
			return v;
		}
		return cel_no_overload(ev, "-_", &v, 1);
	}
	case N_COMPREHENSION: return eval_comprehension(ev, n);
	case N_OPTMAP: return eval_optmap(ev, n);
	default: return cel_error(ev, "internal: unknown node");
	}
}
