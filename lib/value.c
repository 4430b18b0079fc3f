/*
 * value.c — the generic value tree: lookup, construction, equality, JSON
 * output (see value.h).
 */
#include "guardrail/value.h"

#include "cnum.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const gr_value gr_null_value = {.type = GR_NULL};

const char *gr_type_name(gr_type t)
{
	switch (t) {
	case GR_NULL: return "null";
	case GR_BOOL: return "boolean";
	case GR_INT: return "integer";
	case GR_DOUBLE: return "number";
	case GR_STRING: return "string";
	case GR_ARRAY: return "array";
	case GR_OBJECT: return "object";
	}
	return "unknown";
}

const gr_member *gr_get_member(const gr_value *v, const char *key, size_t key_len)
{
	if (!v || v->type != GR_OBJECT)
		return NULL;
	const gr_member *m = v->u.o.members;
	if (key_len == 0) {
		for (size_t i = 0; i < v->u.o.len; i++)
			if (m[i].key_len == 0)
				return &m[i];
		return NULL;
	}
	/* head and length reject almost every other member without touching its key */
	uint64_t head = gr_key_head(key, key_len);
	for (size_t i = 0; i < v->u.o.len; i++)
		if (m[i].key_head == head && m[i].key_len == key_len &&
		    (key_len <= 8 || memcmp(m[i].key + 8, key + 8, key_len - 8) == 0))
			return &m[i];
	return NULL;
}

const gr_value *gr_get_path(const gr_value *v, ...)
{
	va_list ap;
	va_start(ap, v);
	const char *k;
	while (v && (k = va_arg(ap, const char *)) != NULL)
		v = gr_get(v, k);
	va_end(ap);
	return v;
}

const gr_value *gr_at(const gr_value *v, size_t index)
{
	if (!v || v->type != GR_ARRAY || index >= v->u.a.len)
		return NULL;
	return &v->u.a.items[index];
}

gr_value gr_make_null(void)
{
	return (gr_value){.type = GR_NULL};
}
gr_value gr_make_bool(bool b)
{
	return (gr_value){.type = GR_BOOL, .u.b = b};
}
gr_value gr_make_int(int64_t i)
{
	return (gr_value){.type = GR_INT, .u.i = i};
}
gr_value gr_make_double(double d)
{
	return (gr_value){.type = GR_DOUBLE, .u.d = d};
}

gr_value gr_make_string(gr_arena *a, const char *s, size_t len)
{
	char *p = gr_arena_strndup(a, s, len);
	if (!p)
		return gr_make_null();
	return (gr_value){.type = GR_STRING, .u.s = {p, len}};
}

gr_value gr_make_string_ref(const char *s, size_t len)
{
	return (gr_value){.type = GR_STRING, .u.s = {s, len}};
}

gr_value gr_make_array(gr_arena *a, size_t n)
{
	gr_value v = {.type = GR_ARRAY};
	if (n) {
		v.u.a.items = gr_arena_calloc(a, n, sizeof(gr_value));
		if (!v.u.a.items)
			return gr_make_null();
	}
	v.u.a.len = n;
	return v;
}

gr_value gr_make_object(gr_arena *a, size_t n)
{
	gr_value v = {.type = GR_OBJECT};
	if (n) {
		v.u.o.members = gr_arena_calloc(a, n, sizeof(gr_member));
		if (!v.u.o.members)
			return gr_make_null();
	}
	v.u.o.len = n;
	return v;
}

bool gr_equal(const gr_value *a, const gr_value *b)
{
	if (gr_is_number(a) && gr_is_number(b)) {
		if (a->type == GR_INT && b->type == GR_INT)
			return a->u.i == b->u.i;
		return gr_number(a) == gr_number(b);
	}
	if (a->type != b->type)
		return false;
	switch ((gr_type)a->type) {
	case GR_NULL: return true;
	case GR_BOOL: return a->u.b == b->u.b;
	case GR_STRING: return a->u.s.len == b->u.s.len && memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0;
	case GR_ARRAY:
		if (a->u.a.len != b->u.a.len)
			return false;
		for (size_t i = 0; i < a->u.a.len; i++)
			if (!gr_equal(&a->u.a.items[i], &b->u.a.items[i]))
				return false;
		return true;
	case GR_OBJECT:
		if (a->u.o.len != b->u.o.len)
			return false;
		for (size_t i = 0; i < a->u.o.len; i++) {
			const gr_member *m = &a->u.o.members[i];
			const gr_value *o = gr_getn(b, m->key, m->key_len);
			if (!o || !gr_equal(&m->value, o))
				return false;
		}
		return true;
	default: return false;
	}
}

/*
 * Shortest round-trip digits, laid out as Go's encoding/json (and JavaScript)
 * do: plain decimal for 1e-6 <= |d| < 1e21, exponent form outside.
 */
static void write_double(gr_buf *b, double d)
{
	if (isnan(d) || isinf(d)) {
		/* Not representable in JSON; the closest honest rendering. */
		gr_buf_puts(b, "null");
		return;
	}
	if (d == 0) {
		gr_buf_puts(b, "0");
		return;
	}
	char tmp[48];
	int prec;
	for (prec = 0; prec < 17; prec++) {
		gri_snprintf(tmp, sizeof tmp, "%.*e", prec, d);
		if (gri_strtod(tmp, NULL) == d)
			break;
	}
	gri_snprintf(tmp, sizeof tmp, "%.*e", prec, d);
	/* tmp: [-]D[.DDD]e[+-]XX */
	char digits[24];
	int nd = 0, neg = tmp[0] == '-';
	const char *p = tmp + neg;
	for (; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
	int exp = atoi(p + 1);
	if (neg)
		gr_buf_putc(b, '-');
	double ad = fabs(d);
	if (ad < 1e-6 || ad >= 1e21) {
		gr_buf_putc(b, digits[0]);
		if (nd > 1) {
			gr_buf_putc(b, '.');
			gr_buf_append(b, digits + 1, (size_t)nd - 1);
		}
		gr_buf_printf(b, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
		return;
	}
	if (exp >= 0) {
		for (int i = 0; i <= exp || i < nd; i++) {
			if (i == exp + 1)
				gr_buf_putc(b, '.');
			gr_buf_putc(b, i < nd ? digits[i] : '0');
		}
	} else {
		gr_buf_puts(b, "0.");
		for (int i = 0; i < -exp - 1; i++)
			gr_buf_putc(b, '0');
		gr_buf_append(b, digits, (size_t)nd);
	}
}

static void newline(gr_buf *b, int indent, int depth)
{
	gr_buf_putc(b, '\n');
	for (int i = 0; i < indent * depth; i++)
		gr_buf_putc(b, ' ');
}

static void write_json(gr_buf *b, const gr_value *v, int indent, int depth)
{
	/* a shared subtree can be written many times over (a JMESPath result
	 * [@,@] nested 40 deep is 2^40 copies): stop at the buffer's limit */
	if (b->failed)
		return;
	switch ((gr_type)v->type) {
	case GR_NULL: gr_buf_puts(b, "null"); break;
	case GR_BOOL: gr_buf_puts(b, v->u.b ? "true" : "false"); break;
	case GR_INT: gr_buf_printf(b, "%lld", (long long)v->u.i); break;
	case GR_DOUBLE: write_double(b, v->u.d); break;
	case GR_STRING: gr_buf_json_string(b, v->u.s.ptr, v->u.s.len); break;
	case GR_ARRAY:
		gr_buf_putc(b, '[');
		for (size_t i = 0; i < v->u.a.len && !b->failed; i++) {
			if (i)
				gr_buf_putc(b, ',');
			if (indent >= 0)
				newline(b, indent, depth + 1);
			write_json(b, &v->u.a.items[i], indent, depth + 1);
		}
		if (indent >= 0 && v->u.a.len)
			newline(b, indent, depth);
		gr_buf_putc(b, ']');
		break;
	case GR_OBJECT:
		gr_buf_putc(b, '{');
		for (size_t i = 0; i < v->u.o.len && !b->failed; i++) {
			const gr_member *m = &v->u.o.members[i];
			if (i)
				gr_buf_putc(b, ',');
			if (indent >= 0)
				newline(b, indent, depth + 1);
			gr_buf_json_string(b, m->key, m->key_len);
			gr_buf_puts(b, indent >= 0 ? ": " : ":");
			write_json(b, &m->value, indent, depth + 1);
		}
		if (indent >= 0 && v->u.o.len)
			newline(b, indent, depth);
		gr_buf_putc(b, '}');
		break;
	}
}

void gr_write_json(gr_buf *b, const gr_value *v, int indent)
{
	write_json(b, v, indent, 0);
}
