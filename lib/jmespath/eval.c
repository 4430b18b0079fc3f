/*
 * eval.c — walk a compiled tree over a gr_value.
 *
 * Results that are parts of the input are struct copies of the input's
 * nodes (their children stay where they are), so selecting never copies a
 * subtree. New arrays are sized before they are filled: a projection or a
 * filter yields at most as many items as its input, a flatten counts first,
 * so no buffer ever grows. Every allocation is counted against the
 * program's result-size limit, which is what stops `[@,@][] | [@,@][] ...`
 * from doubling its way through memory.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ast.h"

int jp_fail(gr_jp_error *err, gr_jp_error_type type, size_t pos, const char *fmt, ...)
{
	if (err) {
		err->type = type;
		err->offset = pos;
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof err->message, fmt, ap);
		va_end(ap);
	}
	return -1;
}

const char *gr_jp_error_name(gr_jp_error_type t)
{
	switch (t) {
	case GR_JP_OK: return "ok";
	case GR_JP_SYNTAX: return "syntax";
	case GR_JP_INVALID_TYPE: return "invalid-type";
	case GR_JP_INVALID_VALUE: return "invalid-value";
	case GR_JP_INVALID_ARITY: return "invalid-arity";
	case GR_JP_UNKNOWN_FUNCTION: return "unknown-function";
	case GR_JP_LIMIT: return "limit";
	}
	return "unknown";
}

bool gr_jp_truthy(const gr_value *v)
{
	switch (v->type) {
	case GR_NULL: return false;
	case GR_BOOL: return v->u.b;
	case GR_STRING: return v->u.s.len != 0;
	case GR_ARRAY: return v->u.a.len != 0;
	case GR_OBJECT: return v->u.o.len != 0;
	default: return true;
	}
}

void *jp_alloc(jp_ctx *c, size_t size)
{
	size_t pos = c->node ? c->node->pos : 0;
	if (size > c->budget) {
		jp_fail(c->err, GR_JP_LIMIT, pos, "result larger than the evaluation limit");
		return NULL;
	}
	void *p = gr_arena_alloc(c->arena, size);
	if (!p) {
		jp_fail(c->err, GR_JP_LIMIT, pos, "out of memory");
		return NULL;
	}
	c->budget -= size;
	return p;
}

static int new_array(jp_ctx *c, const jp_node *n, size_t cap, gr_value *out)
{
	memset(out, 0, sizeof *out);
	out->type = GR_ARRAY;
	if (cap == 0)
		return 0;
	if (cap > SIZE_MAX / sizeof(gr_value))
		return jp_fail(c->err, GR_JP_LIMIT, n->pos, "result too large");
	const jp_node *saved = c->node;
	c->node = n;
	out->u.a.items = jp_alloc(c, cap * sizeof(gr_value));
	c->node = saved;
	return out->u.a.items ? 0 : -1;
}

int jp_compare_values(const gr_value *a, const gr_value *b)
{
	if (gr_is_number(a) && gr_is_number(b)) {
		if (a->type == GR_INT && b->type == GR_INT)
			return a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
		double x = gr_number(a), y = gr_number(b);
		return x < y ? -1 : x > y;
	}
	/* Strings: byte order of UTF-8 is code point order. */
	size_t n = a->u.s.len < b->u.s.len ? a->u.s.len : b->u.s.len;
	int r = n ? memcmp(a->u.s.ptr, b->u.s.ptr, n) : 0;
	if (r)
		return r < 0 ? -1 : 1;
	return a->u.s.len < b->u.s.len ? -1 : a->u.s.len > b->u.s.len;
}

static int eval_slice(jp_ctx *c, const jp_node *n, const gr_value *in, gr_value *out)
{
	if (in->type != GR_ARRAY) {
		*out = gr_make_null();
		return 0;
	}
	int64_t len = (int64_t)in->u.a.len;
	int64_t step = n->u.slice.step;
	/* |step| beyond len selects the same items as len + 1: clamp (no overflow below). */
	if (step > len + 1)
		step = len + 1;
	if (step < -(len + 1))
		step = -(len + 1);
	int64_t start, stop;
	if (step > 0) {
		start = n->u.slice.has_start ? n->u.slice.start : 0;
		stop = n->u.slice.has_stop ? n->u.slice.stop : len;
		if (start < 0)
			start = start < -len ? 0 : start + len;
		if (start > len)
			start = len;
		if (stop < 0)
			stop = stop < -len ? 0 : stop + len;
		if (stop > len)
			stop = len;
	} else {
		start = n->u.slice.has_start ? n->u.slice.start : len - 1;
		stop = n->u.slice.has_stop ? n->u.slice.stop : -1;
		if (n->u.slice.has_start) {
			if (start < 0)
				start = start < -len ? -1 : start + len;
			if (start >= len)
				start = len - 1;
		}
		if (n->u.slice.has_stop) {
			if (stop < 0)
				stop = stop < -len ? -1 : stop + len;
			if (stop >= len)
				stop = len - 1;
		}
	}
	int64_t count = 0;
	if (step > 0 && stop > start)
		count = (stop - start + step - 1) / step;
	else if (step < 0 && start > stop)
		count = (start - stop + (-step) - 1) / (-step);
	if (new_array(c, n, (size_t)count, out) != 0)
		return -1;
	for (int64_t i = 0; i < count; i++)
		out->u.a.items[i] = in->u.a.items[start + i * step];
	out->u.a.len = (size_t)count;
	return 0;
}

static int eval_function(jp_ctx *c, const jp_node *n, const gr_value *in, gr_value *out);

/* Member lookup (gr_getn's job): each member's inline key head and length
 * are compared first, so the key bytes are read only for a real candidate. */
static inline const gr_value *lookup(const gr_value *obj, const char *name, size_t len)
{
	if (obj->type != GR_OBJECT)
		return NULL;
	const gr_member *m = obj->u.o.members;
	uint64_t head = gr_key_head(name, len);
	for (size_t i = 0; i < obj->u.o.len; i++)
		if (m[i].key_head == head && m[i].key_len == len &&
		    (len <= 8 || memcmp(m[i].key + 8, name + 8, len - 8) == 0))
			return &m[i].value;
	return NULL;
}

/*
 * Projections share two steps. eval_base evaluates the left side and, when
 * it is not of the type the projection walks, makes the result null (1 is
 * returned: done). project_item applies the right side to one element,
 * keeping the result unless it is null; a filter's condition is tested
 * first when cond is given.
 */
static inline int eval_base(jp_ctx *c, const jp_node *n, const gr_value *in, gr_type type, gr_value *base,
                            gr_value *out)
{
	if (jp_eval(c, n->kids[0], in, base) != 0)
		return -1;
	if (base->type == type)
		return 0;
	*out = gr_make_null();
	return 1;
}

static inline int project_item(jp_ctx *c, const jp_node *cond, const jp_node *rhs, const gr_value *item,
                               gr_value *out)
{
	gr_value v;
	if (cond) {
		if (jp_eval(c, cond, item, &v) != 0)
			return -1;
		if (!gr_jp_truthy(&v))
			return 0;
	}
	if (jp_eval(c, rhs, item, &v) != 0)
		return -1;
	if (v.type != GR_NULL)
		out->u.a.items[out->u.a.len++] = v;
	return 0;
}

/* The bulky node kinds live out of line (noinline) so that jp_eval, which
 * recurses once per node, keeps a small stack frame. */
static __attribute__((noinline)) int eval_project(jp_ctx *c, const jp_node *n, const gr_value *in,
                                                  gr_value *out)
{
	gr_value base;
	int rc = eval_base(c, n, in, GR_ARRAY, &base, out);
	if (rc)
		return rc < 0 ? -1 : 0;
	const jp_node *rhs = n->kids[1];
	if (rhs->kind == N_CURRENT) { /* a[*] with nothing after: drop nulls only */
		size_t nn = 0;
		for (size_t i = 0; i < base.u.a.len; i++)
			nn += base.u.a.items[i].type != GR_NULL;
		if (nn == base.u.a.len) {
			*out = base;
			return 0;
		}
	}
	if (new_array(c, n, base.u.a.len, out) != 0)
		return -1;
	for (size_t i = 0; i < base.u.a.len; i++)
		if (project_item(c, NULL, rhs, &base.u.a.items[i], out) != 0)
			return -1;
	return 0;
}

static __attribute__((noinline)) int eval_values_project(jp_ctx *c, const jp_node *n, const gr_value *in,
                                                         gr_value *out)
{
	gr_value base;
	int rc = eval_base(c, n, in, GR_OBJECT, &base, out);
	if (rc)
		return rc < 0 ? -1 : 0;
	if (new_array(c, n, base.u.o.len, out) != 0)
		return -1;
	for (size_t i = 0; i < base.u.o.len; i++)
		if (project_item(c, NULL, n->kids[1], &base.u.o.members[i].value, out) != 0)
			return -1;
	return 0;
}

static __attribute__((noinline)) int eval_filter(jp_ctx *c, const jp_node *n, const gr_value *in,
                                                 gr_value *out)
{
	gr_value base;
	int rc = eval_base(c, n, in, GR_ARRAY, &base, out);
	if (rc)
		return rc < 0 ? -1 : 0;
	if (new_array(c, n, base.u.a.len, out) != 0)
		return -1;
	for (size_t i = 0; i < base.u.a.len; i++)
		if (project_item(c, n->kids[1], n->kids[2], &base.u.a.items[i], out) != 0)
			return -1;
	return 0;
}

static __attribute__((noinline)) int eval_flatten(jp_ctx *c, const jp_node *n, const gr_value *in,
                                                  gr_value *out)
{
	gr_value base;
	int rc = eval_base(c, n, in, GR_ARRAY, &base, out);
	if (rc)
		return rc < 0 ? -1 : 0;
	size_t total = 0;
	for (size_t i = 0; i < base.u.a.len; i++) {
		const gr_value *it = &base.u.a.items[i];
		total += it->type == GR_ARRAY ? it->u.a.len : 1;
	}
	if (total == base.u.a.len) { /* nothing nested: a flatten is the identity */
		size_t nested = 0;
		for (size_t i = 0; i < base.u.a.len; i++)
			nested += base.u.a.items[i].type == GR_ARRAY;
		if (!nested) {
			*out = base;
			return 0;
		}
	}
	if (new_array(c, n, total, out) != 0)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < base.u.a.len; i++) {
		const gr_value *it = &base.u.a.items[i];
		if (it->type == GR_ARRAY) {
			if (it->u.a.len)
				memcpy(out->u.a.items + k, it->u.a.items, it->u.a.len * sizeof(gr_value));
			k += it->u.a.len;
		} else {
			out->u.a.items[k++] = *it;
		}
	}
	out->u.a.len = k;
	return 0;
}

static __attribute__((noinline)) int eval_multi_list(jp_ctx *c, const jp_node *n, const gr_value *in,
                                                     gr_value *out)
{
	if (in->type == GR_NULL) {
		*out = gr_make_null();
		return 0;
	}
	gr_value arr;
	if (new_array(c, n, n->nkids, &arr) != 0)
		return -1;
	for (size_t i = 0; i < n->nkids; i++)
		if (jp_eval(c, n->kids[i], in, &arr.u.a.items[i]) != 0)
			return -1;
	arr.u.a.len = n->nkids;
	*out = arr;
	return 0;
}

static __attribute__((noinline)) int eval_multi_hash(jp_ctx *c, const jp_node *n, const gr_value *in,
                                                     gr_value *out)
{
	if (in->type == GR_NULL) {
		*out = gr_make_null();
		return 0;
	}
	const jp_node *saved = c->node;
	c->node = n;
	gr_member *m = jp_alloc(c, n->nkids * sizeof *m);
	c->node = saved;
	if (!m)
		return -1;
	for (size_t i = 0; i < n->nkids; i++) {
		memset(&m[i], 0, sizeof m[i]);
		gr_member_set_key(&m[i], n->u.keys[i].u.s.ptr, n->u.keys[i].u.s.len);
		if (jp_eval(c, n->kids[i], in, &m[i].value) != 0)
			return -1;
	}
	memset(out, 0, sizeof *out);
	out->type = GR_OBJECT;
	out->u.o.members = m;
	out->u.o.len = n->nkids;
	return 0;
}

static __attribute__((noinline)) int eval_compare(jp_ctx *c, const jp_node *n, const gr_value *in,
                                                  gr_value *out)
{
	gr_value a, b;
	if (jp_eval(c, n->kids[0], in, &a) != 0 || jp_eval(c, n->kids[1], in, &b) != 0)
		return -1;
	if (n->op == T_EQ || n->op == T_NE) {
		bool eq = gr_equal(&a, &b);
		*out = gr_make_bool(n->op == T_EQ ? eq : !eq);
		return 0;
	}
	/* Ordering is defined for numbers only; anything else gives null. */
	if (!gr_is_number(&a) || !gr_is_number(&b)) {
		*out = gr_make_null();
		return 0;
	}
	int r = jp_compare_values(&a, &b);
	bool v = n->op == T_LT ? r < 0 : n->op == T_LE ? r <= 0 : n->op == T_GT ? r > 0 : r >= 0;
	*out = gr_make_bool(v);
	return 0;
}

int jp_eval(jp_ctx *c, const jp_node *n, const gr_value *in, gr_value *out)
{
	switch ((jp_kind)n->kind) {
	case N_FIELD: {
		const gr_value *v = lookup(in, n->u.field.name, n->u.field.len);
		*out = v ? *v : gr_make_null();
		return 0;
	}
	case N_PATH: {
		/* a.b.c: a loop of lookups; a non-object on the way gives null. */
		const gr_value *cur = in;
		for (size_t k = 0; k < n->nkids && cur; k++)
			cur = lookup(cur, n->kids[k]->u.field.name, n->kids[k]->u.field.len);
		*out = cur ? *cur : gr_make_null();
		return 0;
	}
	case N_CURRENT: *out = *in; return 0;
	case N_LITERAL: *out = n->u.literal; return 0;
	case N_SUB:
	case N_PIPE: {
		gr_value left;
		if (jp_eval(c, n->kids[0], in, &left) != 0)
			return -1;
		/* In the GR_JP_NULL_SUBEXPRESSION dialect (op 1, Kyverno's
		 * go-jmespath-community) `null.anything` is null without evaluating
		 * the right side; a pipe always hands null on. */
		if (n->op && n->kind == N_SUB && left.type == GR_NULL) {
			*out = left;
			return 0;
		}
		return jp_eval(c, n->kids[1], &left, out);
	}
	case N_INDEX: {
		if (in->type != GR_ARRAY) {
			*out = gr_make_null();
			return 0;
		}
		int64_t i = n->u.index, len = (int64_t)in->u.a.len;
		if (i < 0)
			i += len;
		*out = i >= 0 && i < len ? in->u.a.items[i] : gr_make_null();
		return 0;
	}
	case N_SLICE: return eval_slice(c, n, in, out);
	case N_PROJECT: return eval_project(c, n, in, out);
	case N_VALUES_PROJECT: return eval_values_project(c, n, in, out);
	case N_FILTER: return eval_filter(c, n, in, out);
	case N_FLATTEN: return eval_flatten(c, n, in, out);
	case N_MULTI_LIST: return eval_multi_list(c, n, in, out);
	case N_MULTI_HASH: return eval_multi_hash(c, n, in, out);
	case N_OR:
	case N_AND: {
		gr_value left;
		if (jp_eval(c, n->kids[0], in, &left) != 0)
			return -1;
		if (gr_jp_truthy(&left) == (n->kind == N_OR)) {
			*out = left;
			return 0;
		}
		return jp_eval(c, n->kids[1], in, out);
	}
	case N_NOT: {
		gr_value v;
		if (jp_eval(c, n->kids[0], in, &v) != 0)
			return -1;
		*out = gr_make_bool(!gr_jp_truthy(&v));
		return 0;
	}
	case N_COMPARE: return eval_compare(c, n, in, out);
	case N_FUNCTION: return eval_function(c, n, in, out);
	case N_EXPREF: *out = gr_make_null(); return 0;
	}
	return jp_fail(c->err, GR_JP_SYNTAX, n->pos, "internal: unknown node");
}

static const char *value_type_name(const gr_value *v)
{
	switch (v->type) {
	case GR_NULL: return "null";
	case GR_BOOL: return "boolean";
	case GR_INT:
	case GR_DOUBLE: return "number";
	case GR_STRING: return "string";
	case GR_ARRAY: return "array";
	case GR_OBJECT: return "object";
	case JP_EXPREF: return "expref";
	}
	return "unknown";
}

static bool all_of(const gr_value *v, int number)
{
	for (size_t i = 0; i < v->u.a.len; i++) {
		const gr_value *it = &v->u.a.items[i];
		if (number ? !gr_is_number(it) : it->type != GR_STRING)
			return false;
	}
	return true;
}

static bool arg_matches(unsigned want, const gr_value *v)
{
	switch (v->type) {
	case GR_NULL: return want & GR_JP_ARG_NULL;
	case GR_BOOL: return want & GR_JP_ARG_BOOL;
	case GR_INT:
	case GR_DOUBLE: return want & GR_JP_ARG_NUMBER;
	case GR_STRING: return want & GR_JP_ARG_STRING;
	case GR_OBJECT: return want & GR_JP_ARG_OBJECT;
	case JP_EXPREF: return want & GR_JP_ARG_EXPREF;
	case GR_ARRAY:
		if (want & GR_JP_ARG_ARRAY)
			return true;
		if ((want & GR_JP_ARG_ARRAY_NUMBER) && all_of(v, 1))
			return true;
		if ((want & GR_JP_ARG_ARRAY_STRING) && all_of(v, 0))
			return true;
		return false;
	}
	return false;
}

static int eval_function(jp_ctx *c, const jp_node *n, const gr_value *in, gr_value *out)
{
	const gr_jp_function *fn = n->u.fn;
	gr_value local[GR_JP_MAX_PARAMS];
	gr_value *args = local;
	if (n->nkids > GR_JP_MAX_PARAMS) {
		const jp_node *saved = c->node;
		c->node = n;
		args = jp_alloc(c, n->nkids * sizeof *args);
		c->node = saved;
		if (!args)
			return -1;
	}
	for (size_t i = 0; i < n->nkids; i++) {
		const jp_node *a = n->kids[i];
		if (a->kind == N_EXPREF) {
			memset(&args[i], 0, sizeof args[i]);
			args[i].type = JP_EXPREF;
			args[i].u.s.ptr = (const char *)a->kids[0];
		} else if (jp_eval(c, a, in, &args[i]) != 0) {
			return -1;
		}
		unsigned want = fn->params[i < fn->nparams ? i : fn->nparams - 1];
		if (!arg_matches(want, &args[i]))
			return jp_fail(c->err, GR_JP_INVALID_TYPE, n->pos,
			               "%s(): argument %zu has the wrong type (%s)", fn->name, i + 1,
			               value_type_name(&args[i]));
	}
	const jp_node *saved_node = c->node;
	void *saved_user = c->userdata;
	c->node = n;
	c->userdata = fn->userdata;
	int rc = fn->fn(c, args, n->nkids, out);
	c->node = saved_node;
	c->userdata = saved_user;
	return rc;
}

/* ---- callback API ---- */

gr_arena *gr_jp_call_arena(gr_jp_call *c)
{
	return c->arena;
}
void *gr_jp_call_userdata(gr_jp_call *c)
{
	return c->userdata;
}
void *gr_jp_call_alloc(gr_jp_call *c, size_t size)
{
	return jp_alloc(c, size);
}

int gr_jp_call_expref(gr_jp_call *c, const gr_value *expref, const gr_value *input, gr_value *out)
{
	if (expref->type != JP_EXPREF)
		return gr_jp_call_fail(c, GR_JP_INVALID_TYPE, "expected an expression reference");
	const jp_node *saved = c->node;
	int rc = jp_eval(c, (const jp_node *)(const void *)expref->u.s.ptr, input, out);
	c->node = saved;
	return rc;
}

int gr_jp_call_fail(gr_jp_call *c, gr_jp_error_type type, const char *fmt, ...)
{
	if (c->err) {
		c->err->type = type;
		c->err->offset = c->node ? c->node->pos : 0;
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->err->message, sizeof c->err->message, fmt, ap);
		va_end(ap);
	}
	return -1;
}
