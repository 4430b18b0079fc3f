/*
 * functions.c — the JMESPath built-in functions and the function registry.
 *
 * Each built-in is a gr_jp_fn with a declared signature; the evaluator
 * checks argument types before the call, so the bodies only check what a
 * signature cannot say (sort_by keys must all be numbers or all strings).
 * The trick: sort, sort_by, min_by and max_by order *indexes* with a stable
 * merge sort over precomputed keys, so an expref is evaluated once per item
 * and equal keys keep their input order, as the specification requires.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../cnum.h"
#include "ast.h"

#define NUM  GR_JP_ARG_NUMBER
#define STR  GR_JP_ARG_STRING
#define ARR  GR_JP_ARG_ARRAY
#define OBJ  GR_JP_ARG_OBJECT
#define ANY  GR_JP_ARG_ANY
#define REF  GR_JP_ARG_EXPREF
#define ANUM GR_JP_ARG_ARRAY_NUMBER
#define ASTR GR_JP_ARG_ARRAY_STRING

static gr_value number_value(double d)
{
	/* Integral results in int64 range stay integers. */
	if (d == floor(d) && d >= -9007199254740992.0 && d <= 9007199254740992.0)
		return gr_make_int((int64_t)d);
	return gr_make_double(d);
}

static int fn_abs(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	if (a[0].type == GR_INT && a[0].u.i != INT64_MIN)
		*out = gr_make_int(a[0].u.i < 0 ? -a[0].u.i : a[0].u.i);
	else
		*out = gr_make_double(fabs(gr_number(&a[0])));
	return 0;
}

static int fn_avg(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	size_t len = a[0].u.a.len;
	if (len == 0) {
		*out = gr_make_null();
		return 0;
	}
	double s = 0;
	for (size_t i = 0; i < len; i++)
		s += gr_number(&a[0].u.a.items[i]);
	*out = gr_make_double(s / (double)len);
	return 0;
}

static int fn_ceil(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	*out = a[0].type == GR_INT ? a[0] : number_value(ceil(a[0].u.d));
	return 0;
}

static int fn_floor(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	*out = a[0].type == GR_INT ? a[0] : number_value(floor(a[0].u.d));
	return 0;
}

static bool has_substring(const gr_value *s, const gr_value *sub)
{
	if (sub->u.s.len == 0)
		return true;
	if (sub->u.s.len > s->u.s.len)
		return false;
	return memmem(s->u.s.ptr, s->u.s.len, sub->u.s.ptr, sub->u.s.len) != NULL;
}

static int fn_contains(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	bool found = false;
	if (a[0].type == GR_STRING) {
		found = a[1].type == GR_STRING && has_substring(&a[0], &a[1]);
	} else {
		for (size_t i = 0; i < a[0].u.a.len && !found; i++)
			found = gr_equal(&a[0].u.a.items[i], &a[1]);
	}
	*out = gr_make_bool(found);
	return 0;
}

static int fn_ends_with(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	size_t l = a[0].u.s.len, k = a[1].u.s.len;
	*out = gr_make_bool(k <= l && memcmp(a[0].u.s.ptr + l - k, a[1].u.s.ptr, k) == 0);
	return 0;
}

static int fn_starts_with(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	size_t l = a[0].u.s.len, k = a[1].u.s.len;
	*out = gr_make_bool(k <= l && memcmp(a[0].u.s.ptr, a[1].u.s.ptr, k) == 0);
	return 0;
}

static int make_string(gr_jp_call *c, const char *s, size_t len, gr_value *out)
{
	char *p = jp_alloc(c, len + 1);
	if (!p)
		return -1;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	*out = gr_make_string_ref(p, len);
	return 0;
}

static int fn_join(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	const gr_value *glue = &a[0], *arr = &a[1];
	size_t total = 0;
	for (size_t i = 0; i < arr->u.a.len; i++) {
		total += arr->u.a.items[i].u.s.len;
		if (i)
			total += glue->u.s.len;
		if (total > c->budget) /* also guards the sum against wrapping */
			return gr_jp_call_fail(c, GR_JP_LIMIT, "join(): result too large");
	}
	char *p = jp_alloc(c, total + 1);
	if (!p)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < arr->u.a.len; i++) {
		if (i) {
			memcpy(p + k, glue->u.s.ptr, glue->u.s.len);
			k += glue->u.s.len;
		}
		memcpy(p + k, arr->u.a.items[i].u.s.ptr, arr->u.a.items[i].u.s.len);
		k += arr->u.a.items[i].u.s.len;
	}
	p[k] = '\0';
	*out = gr_make_string_ref(p, k);
	return 0;
}

/* out = a new array of len items (to be filled by the caller) from the
 * call's arena; -1 on exhaustion. */
static int new_items(gr_jp_call *c, size_t len, gr_value *out)
{
	memset(out, 0, sizeof *out);
	out->type = GR_ARRAY;
	if (len == 0)
		return 0;
	out->u.a.items = jp_alloc(c, len * sizeof *out->u.a.items);
	if (!out->u.a.items)
		return -1;
	out->u.a.len = len;
	return 0;
}

static int fn_keys(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	size_t len = a[0].u.o.len;
	if (new_items(c, len, out))
		return -1;
	gr_value *items = out->u.a.items;
	for (size_t i = 0; i < len; i++)
		items[i] = gr_make_string_ref(a[0].u.o.members[i].key, a[0].u.o.members[i].key_len);
	return 0;
}

static int fn_values(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	size_t len = a[0].u.o.len;
	if (new_items(c, len, out))
		return -1;
	gr_value *items = out->u.a.items;
	for (size_t i = 0; i < len; i++)
		items[i] = a[0].u.o.members[i].value;
	return 0;
}

static size_t utf8_count(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

static int fn_length(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	size_t len = a[0].type == GR_STRING  ? utf8_count(a[0].u.s.ptr, a[0].u.s.len)
	             : a[0].type == GR_ARRAY ? a[0].u.a.len
	                                     : a[0].u.o.len;
	*out = gr_make_int((int64_t)len);
	return 0;
}

static int fn_map(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	size_t len = a[1].u.a.len;
	if (new_items(c, len, out))
		return -1;
	gr_value *items = out->u.a.items;
	for (size_t i = 0; i < len; i++)
		if (gr_jp_call_expref(c, &a[0], &a[1].u.a.items[i], &items[i]) != 0)
			return -1;
	return 0;
}

/* Keys of a sort or a min/max: all numbers or all strings. */
static int check_keys(gr_jp_call *c, const char *fname, const gr_value *keys, size_t len)
{
	if (len == 0)
		return 0;
	int number = gr_is_number(&keys[0]);
	if (!number && keys[0].type != GR_STRING)
		return gr_jp_call_fail(c, GR_JP_INVALID_TYPE, "%s(): expected numbers or strings", fname);
	for (size_t i = 1; i < len; i++)
		if (number ? !gr_is_number(&keys[i]) : keys[i].type != GR_STRING)
			return gr_jp_call_fail(c, GR_JP_INVALID_TYPE,
			                       "%s(): items must all be numbers or all strings", fname);
	return 0;
}

/* Evaluate an expref over every item into a new key array. */
static gr_value *eval_keys(gr_jp_call *c, const gr_value *ref, const gr_value *arr)
{
	size_t len = arr->u.a.len;
	gr_value *keys = jp_alloc(c, (len ? len : 1) * sizeof *keys);
	if (!keys)
		return NULL;
	for (size_t i = 0; i < len; i++)
		if (gr_jp_call_expref(c, ref, &arr->u.a.items[i], &keys[i]) != 0)
			return NULL;
	return keys;
}

static void merge_sort(size_t *idx, size_t *tmp, size_t n, const gr_value *keys)
{
	if (n < 2)
		return;
	if (n <= 8) { /* insertion sort: stable */
		for (size_t i = 1; i < n; i++) {
			size_t v = idx[i], j = i;
			while (j > 0 && jp_compare_values(&keys[idx[j - 1]], &keys[v]) > 0) {
				idx[j] = idx[j - 1];
				j--;
			}
			idx[j] = v;
		}
		return;
	}
	size_t h = n / 2;
	merge_sort(idx, tmp, h, keys);
	merge_sort(idx + h, tmp, n - h, keys);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = jp_compare_values(&keys[idx[j]], &keys[idx[i]]) < 0 ? idx[j++] : idx[i++];
	while (i < h)
		tmp[k++] = idx[i++];
	while (j < n)
		tmp[k++] = idx[j++];
	memcpy(idx, tmp, n * sizeof *idx);
}

/* Sorted copy of items by keys. */
static int sorted(gr_jp_call *c, const gr_value *items, const gr_value *keys, size_t len, gr_value *out)
{
	memset(out, 0, sizeof *out);
	out->type = GR_ARRAY;
	if (len == 0)
		return 0;
	size_t *idx = jp_alloc(c, 2 * len * sizeof *idx);
	gr_value *res = idx ? jp_alloc(c, len * sizeof *res) : NULL;
	if (!res)
		return -1;
	for (size_t i = 0; i < len; i++)
		idx[i] = i;
	merge_sort(idx, idx + len, len, keys);
	for (size_t i = 0; i < len; i++)
		res[i] = items[idx[i]];
	out->u.a.items = res;
	out->u.a.len = len;
	return 0;
}

static int fn_sort(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	return sorted(c, a[0].u.a.items, a[0].u.a.items, a[0].u.a.len, out);
}

static int fn_sort_by(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	gr_value *keys = eval_keys(c, &a[1], &a[0]);
	if (!keys || check_keys(c, "sort_by", keys, a[0].u.a.len) != 0)
		return -1;
	return sorted(c, a[0].u.a.items, keys, a[0].u.a.len, out);
}

/* Index of the extreme key (first of equals), or -1 when empty. */
static long extreme(const gr_value *keys, size_t len, int want_max)
{
	if (len == 0)
		return -1;
	size_t best = 0;
	for (size_t i = 1; i < len; i++) {
		int r = jp_compare_values(&keys[i], &keys[best]);
		if (want_max ? r > 0 : r < 0)
			best = i;
	}
	return (long)best;
}

static int min_max(gr_jp_call *c, const gr_value *a, gr_value *out, int want_max)
{
	long i = extreme(a[0].u.a.items, a[0].u.a.len, want_max);
	*out = i < 0 ? gr_make_null() : a[0].u.a.items[i];
	return 0;
}

static int fn_max(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	return min_max(c, a, out, 1);
}
static int fn_min(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	return min_max(c, a, out, 0);
}

static int min_max_by(gr_jp_call *c, const gr_value *a, gr_value *out, int want_max)
{
	gr_value *keys = eval_keys(c, &a[1], &a[0]);
	if (!keys || check_keys(c, want_max ? "max_by" : "min_by", keys, a[0].u.a.len) != 0)
		return -1;
	long i = extreme(keys, a[0].u.a.len, want_max);
	*out = i < 0 ? gr_make_null() : a[0].u.a.items[i];
	return 0;
}

static int fn_max_by(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	return min_max_by(c, a, out, 1);
}
static int fn_min_by(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	return min_max_by(c, a, out, 0);
}

static int fn_merge(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	if (n == 1) {
		*out = a[0];
		return 0;
	}
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += a[i].u.o.len;
	gr_member *m = jp_alloc(c, (total ? total : 1) * sizeof *m);
	if (!m)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < a[i].u.o.len; j++) {
			const gr_member *src = &a[i].u.o.members[j];
			size_t e;
			for (e = 0; e < k; e++)
				if (m[e].key_len == src->key_len &&
				    memcmp(m[e].key, src->key, src->key_len) == 0)
					break;
			m[e] = *src; /* a later key replaces the value in place */
			if (e == k)
				k++;
		}
	}
	memset(out, 0, sizeof *out);
	out->type = GR_OBJECT;
	out->u.o.members = m;
	out->u.o.len = k;
	return 0;
}

static int fn_not_null(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].type != GR_NULL) {
			*out = a[i];
			return 0;
		}
	*out = gr_make_null();
	return 0;
}

static int fn_reverse(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	if (a[0].type == GR_STRING) {
		size_t len = a[0].u.s.len;
		const char *s = a[0].u.s.ptr;
		char *p = jp_alloc(c, len + 1);
		if (!p)
			return -1;
		/* Reverse code points: copy each UTF-8 sequence whole. */
		size_t i = 0;
		while (i < len) {
			size_t j = i + 1;
			while (j < len && ((unsigned char)s[j] & 0xC0) == 0x80)
				j++;
			memcpy(p + len - j, s + i, j - i);
			i = j;
		}
		p[len] = '\0';
		*out = gr_make_string_ref(p, len);
		return 0;
	}
	size_t len = a[0].u.a.len;
	if (new_items(c, len, out))
		return -1;
	gr_value *items = out->u.a.items;
	for (size_t i = 0; i < len; i++)
		items[i] = a[0].u.a.items[len - 1 - i];
	return 0;
}

static int fn_sum(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	int64_t isum = 0;
	size_t i = 0, len = a[0].u.a.len;
	/* Integers while they fit; the first double or overflow switches to doubles. */
	for (; i < len; i++) {
		const gr_value *v = &a[0].u.a.items[i];
		int64_t next;
		if (v->type != GR_INT || __builtin_add_overflow(isum, v->u.i, &next))
			break;
		isum = next;
	}
	if (i == len) {
		*out = gr_make_int(isum);
		return 0;
	}
	double dsum = (double)isum;
	for (; i < len; i++)
		dsum += gr_number(&a[0].u.a.items[i]);
	*out = gr_make_double(dsum);
	return 0;
}

static int fn_to_array(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	if (a[0].type == GR_ARRAY) {
		*out = a[0];
		return 0;
	}
	if (new_items(c, 1, out))
		return -1;
	out->u.a.items[0] = a[0];
	return 0;
}

/* A JSON number in the whole of s, else null. */
static gr_value parse_number(const char *s, size_t len)
{
	size_t i = 0;
	bool is_int = true;
	if (i < len && s[i] == '-')
		i++;
	size_t digits = i;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == digits)
		return gr_make_null();
	if (i < len && s[i] == '.') {
		is_int = false;
		size_t f = ++i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == f)
			return gr_make_null();
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		is_int = false;
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t e = i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == e)
			return gr_make_null();
	}
	if (i != len || len > 400)
		return gr_make_null();
	char tmp[401];
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (is_int) {
		char *end;
		errno = 0;
		long long v = strtoll(tmp, &end, 10);
		if (errno == 0)
			return gr_make_int(v);
	}
	double d = gri_strtod(tmp, NULL);
	return isinf(d) ? gr_make_null() : gr_make_double(d);
}

static int fn_to_number(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	if (gr_is_number(&a[0]))
		*out = a[0];
	else if (a[0].type == GR_STRING)
		*out = parse_number(a[0].u.s.ptr, a[0].u.s.len);
	else
		*out = gr_make_null();
	return 0;
}

static int fn_to_string(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	if (a[0].type == GR_STRING) {
		*out = a[0];
		return 0;
	}
	gr_buf b;
	gr_buf_init(&b);
	b.limit = c->budget ? c->budget : 1; /* the text counts against max_result_bytes */
	gr_write_json(&b, &a[0], -1);
	int rc = b.over_limit
	                 ? gr_jp_call_fail(c, GR_JP_LIMIT, "to_string(): result larger than max_result_bytes")
	         : b.failed ? gr_jp_call_fail(c, GR_JP_LIMIT, "to_string(): out of memory")
	                    : make_string(c, b.data ? b.data : "", b.len, out);
	gr_buf_free(&b);
	return rc;
}

static int fn_type(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	static const char *const names[] = {
	        [GR_NULL] = "null",     [GR_BOOL] = "boolean", [GR_INT] = "number",    [GR_DOUBLE] = "number",
	        [GR_STRING] = "string", [GR_ARRAY] = "array",  [GR_OBJECT] = "object",
	};
	const char *s = names[a[0].type];
	*out = gr_make_string_ref(s, strlen(s));
	return 0;
}

#define F1(name, t0)                                                                                         \
	{                                                                                                    \
#name, {t0 }, 1, false, fn_##name, NULL                                                      \
	}
#define F2(name, t0, t1)                                                                                     \
	{                                                                                                    \
#name, {t0, t1 }, 2, false, fn_##name, NULL                                                  \
	}

static const gr_jp_function builtins[] = {
        F1(abs, NUM),
        F1(avg, ANUM),
        F1(ceil, NUM),
        F2(contains, ARR | STR, ANY),
        F2(ends_with, STR, STR),
        F1(floor, NUM),
        F2(join, STR, ASTR),
        F1(keys, OBJ),
        F1(length, STR | ARR | OBJ),
        F2(map, REF, ARR),
        F1(max, ANUM | ASTR),
        F2(max_by, ARR, REF),
        {"merge", {OBJ}, 1, true, fn_merge, NULL},
        F1(min, ANUM | ASTR),
        F2(min_by, ARR, REF),
        {"not_null", {ANY}, 1, true, fn_not_null, NULL},
        F1(reverse, ARR | STR),
        F1(sort, ANUM | ASTR),
        F2(sort_by, ARR, REF),
        F2(starts_with, STR, STR),
        F1(sum, ANUM),
        F1(to_array, ANY),
        F1(to_number, ANY),
        F1(to_string, ANY),
        F1(type, ANY),
        F1(values, OBJ),
};

/* ---- registry ---- */

struct gr_jp_functions {
	const gr_jp_function *base;
	size_t nbase;
	gr_jp_function *extra; /* malloc'd; names malloc'd */
	size_t nextra, cap;
	unsigned flags; /* GR_JP_NULL_SUBEXPRESSION, ... */
};

static const gr_jp_functions builtin_registry = {builtins, sizeof builtins / sizeof builtins[0], NULL, 0, 0, 0};

const gr_jp_functions *jp_builtins(void)
{
	return &builtin_registry;
}

gr_jp_functions *gr_jp_functions_new(void)
{
	gr_jp_functions *f = calloc(1, sizeof *f);
	if (f) {
		f->base = builtins;
		f->nbase = builtin_registry.nbase;
	}
	return f;
}

static bool name_is(const char *name, const char *s, size_t len)
{
	return strncmp(name, s, len) == 0 && name[len] == '\0';
}

const gr_jp_function *gr_jp_functions_find(const gr_jp_functions *f, const char *name, size_t len)
{
	if (!f)
		f = &builtin_registry;
	for (size_t i = 0; i < f->nextra; i++)
		if (name_is(f->extra[i].name, name, len))
			return &f->extra[i];
	for (size_t i = 0; i < f->nbase; i++)
		if (name_is(f->base[i].name, name, len))
			return &f->base[i];
	return NULL;
}

int gr_jp_functions_add(gr_jp_functions *f, const gr_jp_function *fn)
{
	if (!f || !fn || !fn->name || !fn->fn || fn->nparams > GR_JP_MAX_PARAMS ||
	    (fn->variadic && fn->nparams == 0))
		return -1;
	size_t nlen = strlen(fn->name);
	if (nlen == 0)
		return -1;
	for (size_t i = 0; i < nlen; i++) {
		char ch = fn->name[i];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
		          (i > 0 && ch >= '0' && ch <= '9');
		if (!ok)
			return -1;
	}
	for (size_t i = 0; i < fn->nparams; i++)
		if (fn->params[i] == 0)
			return -1;
	char *name = strdup(fn->name);
	if (!name)
		return -1;
	for (size_t i = 0; i < f->nextra; i++)
		if (strcmp(f->extra[i].name, fn->name) == 0) {
			free((char *)f->extra[i].name);
			f->extra[i] = *fn;
			f->extra[i].name = name;
			return 0;
		}
	if (f->nextra == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		gr_jp_function *e = realloc(f->extra, cap * sizeof *e);
		if (!e) {
			free(name);
			return -1;
		}
		f->extra = e;
		f->cap = cap;
	}
	f->extra[f->nextra] = *fn;
	f->extra[f->nextra].name = name;
	f->nextra++;
	return 0;
}

void gr_jp_functions_set_flags(gr_jp_functions *f, unsigned flags)
{
	if (f)
		f->flags = flags;
}

unsigned gr_jp_functions_flags(const gr_jp_functions *f)
{
	return f ? f->flags : 0;
}

void gr_jp_functions_free(gr_jp_functions *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nextra; i++)
		free((char *)f->extra[i].name);
	free(f->extra);
	free(f);
}
