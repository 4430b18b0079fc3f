/*
 * functions.c — the CEL standard library as one table: operators
 * (arithmetic with overflow errors, comparisons across numeric types,
 * `in`), conversions, size, string predicates, timestamp and duration
 * accessors, optionals, and the extensions Kubernetes enables (ext.Strings,
 * ext.Lists, ext.Sets, the Kubernetes lists library).
 *
 * Each entry checks its own argument kinds at run time and answers "no
 * such overload" otherwise; the table also tells the parser which names
 * exist and how many arguments they take, so an unknown function or a
 * wrong arity is a compile error.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel_internal.h"
#include "cel_regex.h"

int cel_sort_values(cel_eval *ev, gr_cel_value *keys, size_t *idx, size_t n);

#define K(i) (a[i].kind)
#define NO() cel_no_overload(ev, call->name, a, n)

/* ---- helpers ---- */

/* cel-go's wording: "integer overflow", "unsigned integer overflow", ... */
static gr_cel_value overflow(cel_eval *ev, const char *what)
{
	if (!strcmp(what, "int64"))
		return cel_error(ev, "integer overflow");
	if (!strcmp(what, "uint64"))
		return cel_error(ev, "unsigned integer overflow");
	return cel_error(ev, "%s overflow", what);
}

/* Go's strconv.FormatFloat(f, 'g', -1, 64) as CEL prints doubles. */
void cel_format_double(char *out, size_t cap, double d)
{
	if (isnan(d)) {
		snprintf(out, cap, "NaN");
		return;
	}
	if (isinf(d)) {
		snprintf(out, cap, d > 0 ? "+Inf" : "-Inf");
		return;
	}
	char e[64];
	int p;
	for (p = 1; p <= 17; p++) {
		snprintf(e, sizeof e, "%.*e", p - 1, d);
		if (strtod(e, NULL) == d)
			break;
	}
	/* e: [-]D[.DDD]e[+-]XX */
	char dig[32];
	size_t nd = 0;
	const char *q = e;
	int neg = 0;
	if (*q == '-') {
		neg = 1;
		q++;
	}
	for (; *q && *q != 'e'; q++)
		if (isdigit((unsigned char)*q))
			dig[nd++] = *q;
	int exp = atoi(q + 1);
	dig[nd] = 0;
	while (nd > 1 && dig[nd - 1] == '0')
		dig[--nd] = 0;
	size_t o = 0;
	if (neg)
		out[o++] = '-';
	if (exp < -4 || exp >= 21) {
		out[o++] = dig[0];
		if (nd > 1) {
			out[o++] = '.';
			for (size_t i = 1; i < nd; i++)
				out[o++] = dig[i];
		}
		snprintf(out + o, cap - o, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
		return;
	}
	if (exp < 0) {
		out[o++] = '0';
		out[o++] = '.';
		for (int i = 0; i < -exp - 1; i++)
			out[o++] = '0';
		for (size_t i = 0; i < nd; i++)
			out[o++] = dig[i];
	} else {
		for (int i = 0; i <= exp; i++)
			out[o++] = (size_t)i < nd ? dig[i] : '0';
		if (nd > (size_t)exp + 1) {
			out[o++] = '.';
			for (size_t i = (size_t)exp + 1; i < nd; i++)
				out[o++] = dig[i];
		}
	}
	out[o] = 0;
}

static int utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		unsigned c = p[i];
		size_t n;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			n = 1;
			cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2;
			cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			n = 3;
			cp = c & 0x07;
		} else
			return 0;
		if (i + n >= len + 0 && i + n > len - 1 + 1)
			return 0;
		for (size_t k = 1; k <= n; k++) {
			if (i + k >= len || (p[i + k] & 0xC0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3F);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000))
			return 0;
		i += n + 1;
	}
	return 1;
}

/* Byte offset of code point index cp (len when cp == count). */
static size_t cp_offset(const char *s, size_t len, size_t cp)
{
	size_t i = 0, k = 0;
	while (i < len && k < cp) {
		i++;
		while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		k++;
	}
	return i;
}

static int64_t cp_index(const char *s, size_t byte)
{
	return (int64_t)cel_utf8_count(s, byte);
}

static gr_cel_value str_concat(cel_eval *ev, int kind, const char *a, size_t al, const char *b, size_t bl)
{
	char *o = gr_arena_alloc(ev->arena, al + bl + 1);
	if (!o)
		return cel_error(ev, "out of memory");
	memcpy(o, a, al);
	memcpy(o + al, b, bl);
	o[al + bl] = 0;
	gr_cel_value r = kind == GR_CEL_STRING ? gr_cel_string(o, al + bl) : gr_cel_bytes(o, al + bl);
	return r;
}

static gr_cel_value ts_make(cel_eval *ev, int64_t sec, int64_t nsec)
{
	sec += nsec / 1000000000;
	nsec %= 1000000000;
	if (nsec < 0) {
		nsec += 1000000000;
		sec--;
	}
	if (sec < CEL_TS_MIN || sec > CEL_TS_MAX)
		return cel_error(ev, "timestamp overflow");
	gr_cel_value r = {.kind = GR_CEL_TIMESTAMP};
	r.u.t.sec = sec;
	r.u.t.nsec = (int32_t)nsec;
	return r;
}

static gr_cel_value dur_make(int64_t nanos)
{
	gr_cel_value r = {.kind = GR_CEL_DURATION};
	r.u.i = nanos;
	return r;
}

/* timestamp + duration nanos */
static gr_cel_value ts_add(cel_eval *ev, gr_cel_value t, int64_t d)
{
	int64_t ds = d / 1000000000, dn = d % 1000000000;
	return ts_make(ev, t.u.t.sec + ds, (int64_t)t.u.t.nsec + dn);
}

/* ---- operators ---- */

static gr_cel_value f_eq(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	(void)ev;
	(void)n;
	bool eq = gr_cel_equal(&a[0], &a[1]);
	return gr_cel_bool(call->name[1] == '=' ? eq : !eq);
}

static gr_cel_value f_cmp(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	int c = cel_compare(&a[0], &a[1]);
	if (c == -2)
		return NO();
	const char *op = call->name;
	if (c == 2)
		return gr_cel_bool(false);
	switch (op[1]) {
	case '<': return gr_cel_bool(op[2] == '=' ? c <= 0 : c < 0);
	default: return gr_cel_bool(op[2] == '=' ? c >= 0 : c > 0);
	}
}

static gr_cel_value f_add(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) != K(1)) {
		if (K(0) == GR_CEL_TIMESTAMP && K(1) == GR_CEL_DURATION)
			return ts_add(ev, a[0], a[1].u.i);
		if (K(0) == GR_CEL_DURATION && K(1) == GR_CEL_TIMESTAMP)
			return ts_add(ev, a[1], a[0].u.i);
		return NO();
	}
	switch (K(0)) {
	case GR_CEL_INT: {
		int64_t r;
		if (__builtin_add_overflow(a[0].u.i, a[1].u.i, &r))
			return overflow(ev, "int64");
		return gr_cel_int(r);
	}
	case GR_CEL_UINT: {
		uint64_t r;
		if (__builtin_add_overflow(a[0].u.u, a[1].u.u, &r))
			return overflow(ev, "uint64");
		return gr_cel_uint(r);
	}
	case GR_CEL_DOUBLE: return gr_cel_double(a[0].u.d + a[1].u.d);
	case GR_CEL_STRING:
	case GR_CEL_BYTES:
		return str_concat(ev, K(0), a[0].u.s.ptr, a[0].u.s.len, a[1].u.s.ptr, a[1].u.s.len);
	case GR_CEL_DURATION: {
		int64_t r;
		if (__builtin_add_overflow(a[0].u.i, a[1].u.i, &r))
			return overflow(ev, "duration");
		return dur_make(r);
	}
	case GR_CEL_LIST: {
		gr_cel_value merged;
		if (cel_schema_list_add(ev, &a[0], &a[1], &merged))
			return merged;
		size_t x = gr_cel_size(&a[0]), y = gr_cel_size(&a[1]);
		if (x == 0)
			return a[1];
		if (y == 0)
			return a[0];
		gr_cel_value *items = gr_arena_alloc(ev->arena, (x + y) * sizeof *items);
		if (!items)
			return cel_error(ev, "out of memory");
		for (size_t i = 0; i < x; i++)
			items[i] = gr_cel_list_at(&a[0], i);
		for (size_t i = 0; i < y; i++)
			items[x + i] = gr_cel_list_at(&a[1], i);
		return cel_make_list(ev, items, x + y);
	}
	default: return NO();
	}
}

static gr_cel_value f_sub(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) == GR_CEL_TIMESTAMP && K(1) == GR_CEL_DURATION) {
		if (a[1].u.i == INT64_MIN)
			return overflow(ev, "timestamp");
		return ts_add(ev, a[0], -a[1].u.i);
	}
	if (K(0) != K(1))
		return NO();
	switch (K(0)) {
	case GR_CEL_INT: {
		int64_t r;
		if (__builtin_sub_overflow(a[0].u.i, a[1].u.i, &r))
			return overflow(ev, "int64");
		return gr_cel_int(r);
	}
	case GR_CEL_UINT: {
		uint64_t r;
		if (__builtin_sub_overflow(a[0].u.u, a[1].u.u, &r))
			return overflow(ev, "uint64");
		return gr_cel_uint(r);
	}
	case GR_CEL_DOUBLE: return gr_cel_double(a[0].u.d - a[1].u.d);
	case GR_CEL_DURATION: {
		int64_t r;
		if (__builtin_sub_overflow(a[0].u.i, a[1].u.i, &r))
			return overflow(ev, "duration");
		return dur_make(r);
	}
	case GR_CEL_TIMESTAMP: {
		__int128 d = ((__int128)a[0].u.t.sec - a[1].u.t.sec) * 1000000000 +
		             (a[0].u.t.nsec - a[1].u.t.nsec);
		if (d > INT64_MAX || d < INT64_MIN)
			return overflow(ev, "duration");
		return dur_make((int64_t)d);
	}
	default: return NO();
	}
}

static gr_cel_value f_mul(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) != K(1))
		return NO();
	switch (K(0)) {
	case GR_CEL_INT: {
		int64_t r;
		if (__builtin_mul_overflow(a[0].u.i, a[1].u.i, &r))
			return overflow(ev, "int64");
		return gr_cel_int(r);
	}
	case GR_CEL_UINT: {
		uint64_t r;
		if (__builtin_mul_overflow(a[0].u.u, a[1].u.u, &r))
			return overflow(ev, "uint64");
		return gr_cel_uint(r);
	}
	case GR_CEL_DOUBLE: return gr_cel_double(a[0].u.d * a[1].u.d);
	default: return NO();
	}
}

static gr_cel_value f_div(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) != K(1))
		return NO();
	switch (K(0)) {
	case GR_CEL_INT:
		if (a[1].u.i == 0)
			return cel_error(ev, "division by zero");
		if (a[0].u.i == INT64_MIN && a[1].u.i == -1)
			return overflow(ev, "int64");
		return gr_cel_int(a[0].u.i / a[1].u.i);
	case GR_CEL_UINT:
		if (a[1].u.u == 0)
			return cel_error(ev, "division by zero");
		return gr_cel_uint(a[0].u.u / a[1].u.u);
	case GR_CEL_DOUBLE: return gr_cel_double(a[0].u.d / a[1].u.d);
	default: return NO();
	}
}

static gr_cel_value f_mod(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) != K(1))
		return NO();
	switch (K(0)) {
	case GR_CEL_INT:
		if (a[1].u.i == 0)
			return cel_error(ev, "modulus by zero");
		if (a[0].u.i == INT64_MIN && a[1].u.i == -1)
			return overflow(ev, "int64");
		return gr_cel_int(a[0].u.i % a[1].u.i);
	case GR_CEL_UINT:
		if (a[1].u.u == 0)
			return cel_error(ev, "modulus by zero");
		return gr_cel_uint(a[0].u.u % a[1].u.u);
	default: return NO();
	}
}

static gr_cel_value f_in(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(1) == GR_CEL_LIST) {
		size_t len = gr_cel_size(&a[1]);
		for (size_t i = 0; i < len; i++) {
			gr_cel_value x = gr_cel_list_at(&a[1], i);
			if (gr_cel_equal(&a[0], &x))
				return gr_cel_bool(true);
		}
		return gr_cel_bool(false);
	}
	if (K(1) == GR_CEL_MAP) {
		int r = cel_map_get(ev, &a[1], &a[0], NULL);
		if (r < 0)
			return gr_cel_bool(false);
		return gr_cel_bool(r == 1);
	}
	return NO();
}

/* ---- conversions ---- */

static gr_cel_value f_size(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	switch (K(0)) {
	case GR_CEL_STRING: return gr_cel_int((int64_t)cel_utf8_count(a[0].u.s.ptr, a[0].u.s.len));
	case GR_CEL_BYTES: return gr_cel_int((int64_t)a[0].u.s.len);
	case GR_CEL_LIST:
	case GR_CEL_MAP: return gr_cel_int((int64_t)gr_cel_size(&a[0]));
	default: return NO();
	}
}

static int parse_int_text(const char *s, size_t len, int64_t *out)
{
	char buf[64];
	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, s, len);
	buf[len] = 0;
	char *end;
	errno = 0;
	long long v = strtoll(buf, &end, 10);
	if (errno || *end || isspace((unsigned char)buf[0]))
		return -1;
	*out = v;
	return 0;
}

static gr_cel_value f_int(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	switch (K(0)) {
	case GR_CEL_INT: return a[0];
	case GR_CEL_UINT:
		if (a[0].u.u > (uint64_t)INT64_MAX)
			return cel_error(ev, "integer overflow");
		return gr_cel_int((int64_t)a[0].u.u);
	case GR_CEL_DOUBLE: {
		double d = a[0].u.d;
		if (isnan(d) || d <= -9223372036854775808.0 || d >= 9223372036854775807.0)
			return cel_error(ev, "integer overflow");
		return gr_cel_int((int64_t)d);
	}
	case GR_CEL_STRING: {
		int64_t v;
		if (parse_int_text(a[0].u.s.ptr, a[0].u.s.len, &v) < 0)
			return cel_error(ev, "cannot convert '%.*s' to int", (int)a[0].u.s.len, a[0].u.s.ptr);
		return gr_cel_int(v);
	}
	case GR_CEL_TIMESTAMP: return gr_cel_int(a[0].u.t.sec);
	case GR_CEL_DURATION: return gr_cel_int(a[0].u.i);
	default: return NO();
	}
}

static gr_cel_value f_uint(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	switch (K(0)) {
	case GR_CEL_UINT: return a[0];
	case GR_CEL_INT:
		if (a[0].u.i < 0)
			return cel_error(ev, "unsigned integer overflow");
		return gr_cel_uint((uint64_t)a[0].u.i);
	case GR_CEL_DOUBLE: {
		double d = a[0].u.d;
		if (isnan(d) || d < 0 || d >= 18446744073709551615.0)
			return cel_error(ev, "unsigned integer overflow");
		return gr_cel_uint((uint64_t)d);
	}
	case GR_CEL_STRING: {
		char buf[64];
		size_t len = a[0].u.s.len;
		if (len == 0 || len >= sizeof buf || !isdigit((unsigned char)a[0].u.s.ptr[0]))
			return cel_error(ev, "cannot convert to uint");
		memcpy(buf, a[0].u.s.ptr, len);
		buf[len] = 0;
		char *end;
		errno = 0;
		unsigned long long v = strtoull(buf, &end, 10);
		if (errno || *end)
			return cel_error(ev, "cannot convert to uint");
		return gr_cel_uint(v);
	}
	default: return NO();
	}
}

static gr_cel_value f_double(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	switch (K(0)) {
	case GR_CEL_DOUBLE: return a[0];
	case GR_CEL_INT: return gr_cel_double((double)a[0].u.i);
	case GR_CEL_UINT: return gr_cel_double((double)a[0].u.u);
	case GR_CEL_STRING: {
		char buf[128];
		size_t len = a[0].u.s.len;
		if (len == 0 || len >= sizeof buf)
			return cel_error(ev, "cannot convert to double");
		memcpy(buf, a[0].u.s.ptr, len);
		buf[len] = 0;
		if (isspace((unsigned char)buf[0]))
			return cel_error(ev, "cannot convert to double");
		char *end;
		double d = strtod(buf, &end);
		if (*end)
			return cel_error(ev, "cannot convert to double");
		return gr_cel_double(d);
	}
	default: return NO();
	}
}

static gr_cel_value f_string(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	char buf[64];
	switch (K(0)) {
	case GR_CEL_STRING: return a[0];
	case GR_CEL_INT: snprintf(buf, sizeof buf, "%lld", (long long)a[0].u.i); break;
	case GR_CEL_UINT: snprintf(buf, sizeof buf, "%llu", (unsigned long long)a[0].u.u); break;
	case GR_CEL_DOUBLE: cel_format_double(buf, sizeof buf, a[0].u.d); break;
	case GR_CEL_BOOL: snprintf(buf, sizeof buf, "%s", a[0].u.b ? "true" : "false"); break;
	case GR_CEL_BYTES:
		if (!utf8_valid(a[0].u.s.ptr, a[0].u.s.len))
			return cel_error(ev, "invalid UTF-8");
		return gr_cel_string(a[0].u.s.ptr, a[0].u.s.len);
	case GR_CEL_TIMESTAMP: {
		int off = (int8_t)a[0].sub * 900;
		cel_format_timestamp(buf, sizeof buf, a[0].u.t.sec + off, a[0].u.t.nsec);
		size_t bl = strlen(buf);
		if (off && bl && buf[bl - 1] == 'Z') /* the offset the value was written with */
			snprintf(buf + bl - 1, sizeof buf - bl + 1, "%c%02d:%02d", off < 0 ? '-' : '+',
			         abs(off) / 3600, abs(off) % 3600 / 60);
		break;
	}
	case GR_CEL_DURATION: cel_format_duration(buf, sizeof buf, a[0].u.i); break;
	case GR_CEL_OBJECT:
		if (cel_authz_object(a[0].sub))
			return NO();
		return gr_cel_string(a[0].u.s.ptr, a[0].u.s.len);
	default: return NO();
	}
	return cel_make_string(ev, buf, strlen(buf));
}

static gr_cel_value f_bytes(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) == GR_CEL_BYTES)
		return a[0];
	if (K(0) == GR_CEL_STRING)
		return gr_cel_bytes(a[0].u.s.ptr, a[0].u.s.len);
	return NO();
}

static gr_cel_value f_bool(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) == GR_CEL_BOOL)
		return a[0];
	if (K(0) != GR_CEL_STRING)
		return NO();
	static const char *const t[] = {"1", "t", "T", "TRUE", "true", "True"};
	static const char *const f[] = {"0", "f", "F", "FALSE", "false", "False"};
	for (int i = 0; i < 6; i++) {
		if (strlen(t[i]) == a[0].u.s.len && !memcmp(t[i], a[0].u.s.ptr, a[0].u.s.len))
			return gr_cel_bool(true);
		if (strlen(f[i]) == a[0].u.s.len && !memcmp(f[i], a[0].u.s.ptr, a[0].u.s.len))
			return gr_cel_bool(false);
	}
	return cel_error(ev, "cannot convert '%.*s' to bool", (int)a[0].u.s.len, a[0].u.s.ptr);
}

static gr_cel_value f_type(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	(void)ev;
	(void)call;
	(void)n;
	return cel_type_value(gr_cel_type_name(&a[0]));
}

static gr_cel_value f_dyn(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	(void)ev;
	(void)call;
	(void)n;
	return a[0];
}

static gr_cel_value f_timestamp(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) == GR_CEL_TIMESTAMP)
		return a[0];
	if (K(0) == GR_CEL_INT)
		return ts_make(ev, a[0].u.i, 0);
	if (K(0) != GR_CEL_STRING)
		return NO();
	int64_t s;
	int32_t ns;
	if (cel_parse_timestamp(a[0].u.s.ptr, a[0].u.s.len, &s, &ns) < 0)
		return cel_error(ev, "timestamp conversion error: cannot parse '%.*s'", (int)a[0].u.s.len,
		                 a[0].u.s.ptr);
	return ts_make(ev, s, ns);
}

static gr_cel_value f_duration(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) == GR_CEL_DURATION)
		return a[0];
	if (K(0) == GR_CEL_INT)
		return dur_make(a[0].u.i);
	if (K(0) != GR_CEL_STRING)
		return NO();
	int64_t d;
	if (cel_parse_duration(a[0].u.s.ptr, a[0].u.s.len, &d) < 0)
		return cel_error(ev, "duration conversion error: cannot parse '%.*s'", (int)a[0].u.s.len,
		                 a[0].u.s.ptr);
	return dur_make(d);
}

/* ---- strings ---- */

static int str_args(gr_cel_value *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].kind != GR_CEL_STRING)
			return 0;
	return 1;
}

static const char *memfind(const char *h, size_t hl, const char *nd, size_t nl)
{
	if (nl == 0)
		return h;
	if (nl > hl)
		return NULL;
	for (size_t i = 0; i + nl <= hl; i++)
		if (h[i] == nd[0] && !memcmp(h + i, nd, nl))
			return h + i;
	return NULL;
}

static gr_cel_value f_contains(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (!str_args(a, 2))
		return NO();
	return gr_cel_bool(memfind(a[0].u.s.ptr, a[0].u.s.len, a[1].u.s.ptr, a[1].u.s.len) != NULL);
}

static gr_cel_value f_starts(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (!str_args(a, 2))
		return NO();
	return gr_cel_bool(a[1].u.s.len <= a[0].u.s.len && !memcmp(a[0].u.s.ptr, a[1].u.s.ptr, a[1].u.s.len));
}

static gr_cel_value f_ends(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (!str_args(a, 2))
		return NO();
	return gr_cel_bool(a[1].u.s.len <= a[0].u.s.len &&
	                   !memcmp(a[0].u.s.ptr + a[0].u.s.len - a[1].u.s.len, a[1].u.s.ptr, a[1].u.s.len));
}

static gr_cel_value f_matches(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (!str_args(a, 2))
		return NO();
	char msg[200];
	int r = call->regex ? cel_regex_match_re(call->regex, a[0].u.s.ptr, a[0].u.s.len, msg, sizeof msg)
	                    : cel_regex_match(a[1].u.s.ptr, a[1].u.s.len, a[0].u.s.ptr, a[0].u.s.len, msg,
	                                      sizeof msg);
	if (r == -2)
		ev->unsupported = 1;
	if (r < 0)
		return cel_error(ev, "%s", msg);
	return gr_cel_bool(r == 1);
}

static gr_cel_value f_char_at(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) != GR_CEL_STRING || K(1) != GR_CEL_INT)
		return NO();
	int64_t cnt = (int64_t)cel_utf8_count(a[0].u.s.ptr, a[0].u.s.len);
	if (a[1].u.i < 0 || a[1].u.i > cnt)
		return cel_error(ev, "index out of range: %lld", (long long)a[1].u.i);
	size_t o = cp_offset(a[0].u.s.ptr, a[0].u.s.len, (size_t)a[1].u.i);
	size_t e = cp_offset(a[0].u.s.ptr, a[0].u.s.len, (size_t)a[1].u.i + 1);
	return gr_cel_string(a[0].u.s.ptr + o, e - o);
}

static gr_cel_value f_index_of(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n);
static gr_cel_value f_last_index_of(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n);

static gr_cel_value str_index_of(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n, int last)
{
	if (K(0) != GR_CEL_STRING || K(1) != GR_CEL_STRING || (n == 3 && K(2) != GR_CEL_INT))
		return NO();
	const char *s = a[0].u.s.ptr, *sub = a[1].u.s.ptr;
	size_t sl = a[0].u.s.len, subl = a[1].u.s.len;
	int64_t cnt = (int64_t)cel_utf8_count(s, sl);
	int64_t off = n == 3 ? a[2].u.i : (last ? cnt : 0);
	if (off < 0 || off > cnt)
		return cel_error(ev, "index out of range: %lld", (long long)off);
	if (!last) {
		if (subl == 0)
			return gr_cel_int(off);
		size_t bo = cp_offset(s, sl, (size_t)off);
		const char *f = memfind(s + bo, sl - bo, sub, subl);
		return gr_cel_int(f ? cp_index(s, (size_t)(f - s)) : -1);
	}
	if (subl == 0)
		return gr_cel_int(off);
	/* last occurrence starting at a code point <= off */
	size_t limit = cp_offset(s, sl, (size_t)off);
	int64_t best = -1;
	for (size_t i = 0; i <= limit && i + subl <= sl; i++)
		if (!memcmp(s + i, sub, subl))
			best = (int64_t)i;
	return gr_cel_int(best < 0 ? -1 : cp_index(s, (size_t)best));
}

static gr_cel_value case_ascii(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n, int upper)
{
	if (K(0) != GR_CEL_STRING)
		return NO();
	char *o = gr_arena_alloc(ev->arena, a[0].u.s.len + 1);
	if (!o)
		return cel_error(ev, "out of memory");
	for (size_t i = 0; i < a[0].u.s.len; i++) {
		char c = a[0].u.s.ptr[i];
		if (upper && c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		else if (!upper && c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		o[i] = c;
	}
	o[a[0].u.s.len] = 0;
	return gr_cel_string(o, a[0].u.s.len);
}
static gr_cel_value f_lower(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	return case_ascii(ev, call, a, n, 0);
}
static gr_cel_value f_upper(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	return case_ascii(ev, call, a, n, 1);
}

static gr_cel_value f_replace(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (!str_args(a, 3) || (n == 4 && K(3) != GR_CEL_INT))
		return NO();
	int64_t limit = n == 4 ? a[3].u.i : -1;
	gr_buf b;
	gr_buf_init(&b);
	const char *s = a[0].u.s.ptr, *old = a[1].u.s.ptr, *nw = a[2].u.s.ptr;
	size_t sl = a[0].u.s.len, ol = a[1].u.s.len, nl = a[2].u.s.len;
	size_t i = 0;
	int64_t done = 0;
	while (i <= sl && (limit < 0 || done < limit)) {
		const char *f;
		if (ol == 0) {
			/* Go: empty old matches at the start and after each UTF-8 sequence */
			gr_buf_append(&b, nw, nl);
			done++;
			if (i >= sl)
				goto end;
			size_t j = i + 1;
			while (j < sl && ((unsigned char)s[j] & 0xC0) == 0x80)
				j++;
			gr_buf_append(&b, s + i, j - i);
			i = j;
			continue;
		}
		f = memfind(s + i, sl - i, old, ol);
		if (!f)
			break;
		gr_buf_append(&b, s + i, (size_t)(f - (s + i)));
		gr_buf_append(&b, nw, nl);
		i = (size_t)(f - s) + ol;
		done++;
	}
	if (i < sl)
		gr_buf_append(&b, s + i, sl - i);
end:;
	gr_cel_value r = cel_make_string(ev, b.data ? b.data : "", b.len);
	gr_buf_free(&b);
	return r;
}

static gr_cel_value f_split(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (!str_args(a, 2) || (n == 3 && K(2) != GR_CEL_INT))
		return NO();
	int64_t limit = n == 3 ? a[2].u.i : -1;
	if (limit == 0)
		return cel_make_list(ev, NULL, 0);
	const char *s = a[0].u.s.ptr, *sep = a[1].u.s.ptr;
	size_t sl = a[0].u.s.len, pl = a[1].u.s.len;
	size_t cap = 8, k = 0;
	gr_cel_value *items = gr_arena_alloc(ev->arena, cap * sizeof *items);
	if (!items)
		return cel_error(ev, "out of memory");
	size_t i = 0;
	for (;;) {
		if (k == cap) {
			gr_cel_value *ni = gr_arena_alloc(ev->arena, cap * 2 * sizeof *ni);
			if (!ni)
				return cel_error(ev, "out of memory");
			memcpy(ni, items, k * sizeof *ni);
			items = ni;
			cap *= 2;
		}
		if (limit > 0 && (int64_t)k == limit - 1) {
			items[k++] = gr_cel_string(s + i, sl - i);
			break;
		}
		if (pl == 0) {
			if (i >= sl)
				break;
			size_t j = i + 1;
			while (j < sl && ((unsigned char)s[j] & 0xC0) == 0x80)
				j++;
			items[k++] = gr_cel_string(s + i, j - i);
			i = j;
			continue;
		}
		const char *f = memfind(s + i, sl - i, sep, pl);
		if (!f) {
			items[k++] = gr_cel_string(s + i, sl - i);
			break;
		}
		items[k++] = gr_cel_string(s + i, (size_t)(f - (s + i)));
		i = (size_t)(f - s) + pl;
	}
	/* the pieces point into the source string, which the arena or input holds */
	return cel_make_list(ev, items, k);
}

static gr_cel_value f_substring(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) != GR_CEL_STRING || K(1) != GR_CEL_INT || (n == 3 && K(2) != GR_CEL_INT))
		return NO();
	int64_t cnt = (int64_t)cel_utf8_count(a[0].u.s.ptr, a[0].u.s.len);
	int64_t st = a[1].u.i, en = n == 3 ? a[2].u.i : cnt;
	if (st < 0 || st > cnt)
		return cel_error(ev, "index out of range: %lld", (long long)st);
	if (en < 0 || en > cnt)
		return cel_error(ev, "index out of range: %lld", (long long)en);
	if (st > en)
		return cel_error(ev, "invalid substring range. start: %lld, end: %lld", (long long)st,
		                 (long long)en);
	size_t bo = cp_offset(a[0].u.s.ptr, a[0].u.s.len, (size_t)st);
	size_t eo = cp_offset(a[0].u.s.ptr, a[0].u.s.len, (size_t)en);
	return gr_cel_string(a[0].u.s.ptr + bo, eo - bo);
}

/* Unicode White_Space at the given offset: its byte length, or 0. */
static size_t space_at(const char *s, size_t len, size_t i)
{
	unsigned char c = (unsigned char)s[i];
	if (c == ' ' || (c >= 0x09 && c <= 0x0D))
		return 1;
	if (c == 0xC2 && i + 1 < len && ((unsigned char)s[i + 1] == 0x85 || (unsigned char)s[i + 1] == 0xA0))
		return 2;
	if (c == 0xE1 && i + 2 < len && (unsigned char)s[i + 1] == 0x9A && (unsigned char)s[i + 2] == 0x80)
		return 3;
	if (c == 0xE2 && i + 2 < len) {
		unsigned char d = (unsigned char)s[i + 1], e = (unsigned char)s[i + 2];
		if (d == 0x80 && ((e >= 0x80 && e <= 0x8A) || e == 0xA8 || e == 0xA9 || e == 0xAF))
			return 3;
		if (d == 0x81 && e == 0x9F)
			return 3;
	}
	if (c == 0xE3 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 && (unsigned char)s[i + 2] == 0x80)
		return 3;
	return 0;
}

static gr_cel_value f_trim(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) != GR_CEL_STRING)
		return NO();
	const char *s = a[0].u.s.ptr;
	size_t len = a[0].u.s.len, i = 0, e = len;
	size_t k;
	while (i < e && (k = space_at(s, len, i)))
		i += k;
	for (;;) {
		size_t j = e;
		if (j <= i)
			break;
		/* step back one code point */
		size_t st = j - 1;
		while (st > i && ((unsigned char)s[st] & 0xC0) == 0x80)
			st--;
		if (space_at(s, len, st) == j - st)
			e = st;
		else
			break;
	}
	return gr_cel_string(s + i, e - i);
}

static gr_cel_value f_join(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) != GR_CEL_LIST || (n == 2 && K(1) != GR_CEL_STRING))
		return NO();
	gr_buf b;
	gr_buf_init(&b);
	size_t len = gr_cel_size(&a[0]);
	for (size_t i = 0; i < len; i++) {
		gr_cel_value x = gr_cel_list_at(&a[0], i);
		if (x.kind != GR_CEL_STRING) {
			gr_buf_free(&b);
			return NO();
		}
		if (i && n == 2)
			gr_buf_append(&b, a[1].u.s.ptr, a[1].u.s.len);
		gr_buf_append(&b, x.u.s.ptr, x.u.s.len);
	}
	gr_cel_value r = cel_make_string(ev, b.data ? b.data : "", b.len);
	gr_buf_free(&b);
	return r;
}

static gr_cel_value f_reverse(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) == GR_CEL_LIST) {
		size_t len = gr_cel_size(&a[0]);
		gr_cel_value *items = gr_arena_alloc(ev->arena, (len + 1) * sizeof *items);
		if (!items)
			return cel_error(ev, "out of memory");
		for (size_t i = 0; i < len; i++)
			items[i] = gr_cel_list_at(&a[0], len - 1 - i);
		return cel_make_list(ev, items, len);
	}
	if (K(0) != GR_CEL_STRING)
		return NO();
	const char *s = a[0].u.s.ptr;
	size_t len = a[0].u.s.len;
	char *o = gr_arena_alloc(ev->arena, len + 1);
	if (!o)
		return cel_error(ev, "out of memory");
	size_t w = len;
	for (size_t i = 0; i < len;) {
		size_t j = i + 1;
		while (j < len && ((unsigned char)s[j] & 0xC0) == 0x80)
			j++;
		w -= j - i;
		memcpy(o + w, s + i, j - i);
		i = j;
	}
	o[len] = 0;
	return gr_cel_string(o, len);
}

static gr_cel_value f_quote(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) != GR_CEL_STRING)
		return NO();
	gr_buf b;
	gr_buf_init(&b);
	gr_buf_putc(&b, '"');
	const char *s = a[0].u.s.ptr;
	size_t len = a[0].u.s.len;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '\a': gr_buf_puts(&b, "\\a"); break;
		case '\b': gr_buf_puts(&b, "\\b"); break;
		case '\f': gr_buf_puts(&b, "\\f"); break;
		case '\n': gr_buf_puts(&b, "\\n"); break;
		case '\r': gr_buf_puts(&b, "\\r"); break;
		case '\t': gr_buf_puts(&b, "\\t"); break;
		case '\v': gr_buf_puts(&b, "\\v"); break;
		case '\\': gr_buf_puts(&b, "\\\\"); break;
		case '"': gr_buf_puts(&b, "\\\""); break;
		default:
			if (c >= 0x80 && !utf8_valid(s + i, 1)) {
				/* an invalid sequence becomes U+FFFD */
				size_t j = i + 1;
				while (j < len && ((unsigned char)s[j] & 0xC0) == 0x80)
					j++;
				if (utf8_valid(s + i, j - i)) {
					gr_buf_append(&b, s + i, j - i);
					i = j - 1;
				} else
					gr_buf_puts(&b, "\xEF\xBF\xBD");
			} else
				gr_buf_putc(&b, (char)c);
		}
	}
	gr_buf_putc(&b, '"');
	gr_cel_value r = cel_make_string(ev, b.data, b.len);
	gr_buf_free(&b);
	return r;
}

/* ---- string.format ---- */

static int fmt_value(cel_eval *ev, gr_buf *b, const gr_cel_value *v, char verb, int prec, gr_cel_value *err,
                     int nested);

static int fmt_string_of(cel_eval *ev, gr_buf *b, const gr_cel_value *v, gr_cel_value *err, int nested)
{
	char tmp[64];
	switch (v->kind) {
	/* Inside a list or map (nested) elements print as with %s at the top
	 * level: strings and bytes unquoted, timestamps and durations bare, as
	 * cel-spec's string_ext/format tests expect. */
	case GR_CEL_STRING:
	case GR_CEL_BYTES: gr_buf_append(b, v->u.s.ptr, v->u.s.len); return 0;
	case GR_CEL_INT: gr_buf_printf(b, "%lld", (long long)v->u.i); return 0;
	case GR_CEL_UINT: gr_buf_printf(b, "%llu", (unsigned long long)v->u.u); return 0;
	case GR_CEL_DOUBLE:
		cel_format_double(tmp, sizeof tmp, v->u.d);
		if (!strcmp(tmp, "+Inf"))
			strcpy(tmp, "Infinity");
		else if (!strcmp(tmp, "-Inf"))
			strcpy(tmp, "-Infinity");
		gr_buf_puts(b, tmp);
		return 0;
	case GR_CEL_BOOL: gr_buf_puts(b, v->u.b ? "true" : "false"); return 0;
	case GR_CEL_NULL: gr_buf_puts(b, "null"); return 0;
	case GR_CEL_TYPE: gr_buf_append(b, v->u.s.ptr, v->u.s.len); return 0;
	case GR_CEL_TIMESTAMP:
		cel_format_timestamp(tmp, sizeof tmp, v->u.t.sec, v->u.t.nsec);
		gr_buf_puts(b, tmp);
		return 0;
	case GR_CEL_DURATION:
		cel_format_duration(tmp, sizeof tmp, v->u.i);
		gr_buf_puts(b, tmp);
		return 0;
	case GR_CEL_LIST: {
		gr_buf_putc(b, '[');
		size_t len = gr_cel_size(v);
		for (size_t i = 0; i < len; i++) {
			if (i)
				gr_buf_puts(b, ", ");
			gr_cel_value x = gr_cel_list_at(v, i);
			if (fmt_string_of(ev, b, &x, err, 1) < 0)
				return -1;
		}
		gr_buf_putc(b, ']');
		return 0;
	}
	case GR_CEL_MAP: {
		/* keys sorted as cel-go prints them */
		size_t len = gr_cel_size(v);
		gr_cel_value *keys = gr_arena_alloc(ev->arena, (len + 1) * sizeof *keys);
		gr_cel_value *vals = gr_arena_alloc(ev->arena, (len + 1) * sizeof *vals);
		gr_buf *kb = gr_arena_alloc(ev->arena, (len + 1) * sizeof *kb);
		size_t *idx = gr_arena_alloc(ev->arena, (len + 1) * sizeof *idx);
		if (!keys || !vals || !kb || !idx)
			return -1;
		gr_cel_value *ks = gr_arena_alloc(ev->arena, (len + 1) * sizeof *ks);
		if (!ks)
			return -1;
		for (size_t i = 0; i < len; i++) {
			gr_cel_map_entry(v, i, &keys[i], &vals[i]);
			gr_buf_init(&kb[i]);
			if (fmt_string_of(ev, &kb[i], &keys[i], err, 1) < 0)
				return -1;
			ks[i] = cel_make_string(ev, kb[i].data ? kb[i].data : "", kb[i].len);
			gr_buf_free(&kb[i]);
			idx[i] = i;
		}
		cel_sort_values(ev, ks, idx, len);
		gr_buf_putc(b, '{');
		for (size_t i = 0; i < len; i++) {
			if (i)
				gr_buf_puts(b, ", ");
			gr_buf_append(b, ks[idx[i]].u.s.ptr, ks[idx[i]].u.s.len);
			gr_buf_puts(b, ": ");
			if (fmt_string_of(ev, b, &vals[idx[i]], err, 1) < 0)
				return -1;
		}
		gr_buf_putc(b, '}');
		return 0;
	}
	default:
		if (v->kind == GR_CEL_OBJECT && !cel_authz_object(v->sub)) {
			gr_buf_append(b, v->u.s.ptr, v->u.s.len);
			return 0;
		}
		*err = cel_error(ev, "error during formatting: no formatting for %s", gr_cel_type_name(v));
		return -1;
	}
}

static int fmt_value(cel_eval *ev, gr_buf *b, const gr_cel_value *v, char verb, int prec, gr_cel_value *err,
                     int nested)
{
	char tmp[512];
	switch (verb) {
	case 's': return fmt_string_of(ev, b, v, err, nested);
	case 'd':
		if (v->kind == GR_CEL_INT)
			gr_buf_printf(b, "%lld", (long long)v->u.i);
		else if (v->kind == GR_CEL_UINT)
			gr_buf_printf(b, "%llu", (unsigned long long)v->u.u);
		else if (v->kind == GR_CEL_DOUBLE && (isnan(v->u.d) || isinf(v->u.d)))
			gr_buf_puts(b, isnan(v->u.d) ? "NaN" : v->u.d > 0 ? "Infinity" : "-Infinity");
		else {
			*err = cel_error(
			        ev,
			        "error during formatting: decimal clause can only be used on integers, was "
			        "given %s",
			        gr_cel_type_name(v));
			return -1;
		}
		return 0;
	case 'f':
	case 'e':
		if (v->kind != GR_CEL_DOUBLE && v->kind != GR_CEL_INT && v->kind != GR_CEL_UINT) {
			*err = cel_error(ev,
			                 "error during formatting: %s clause can only be used on doubles, "
			                 "was given %s",
			                 verb == 'f' ? "fixed-point" : "scientific", gr_cel_type_name(v));
			return -1;
		} else {
			double d = v->kind == GR_CEL_DOUBLE ? v->u.d
			           : v->kind == GR_CEL_INT  ? (double)v->u.i
			                                    : (double)v->u.u;
			if (isnan(d))
				gr_buf_puts(b, "NaN");
			else if (isinf(d))
				gr_buf_puts(b, d > 0 ? "Infinity" : "-Infinity");
			else {
				char f[8] = {'%', '.', '*', verb, 0};
				snprintf(tmp, sizeof tmp, f, prec < 0 ? 6 : prec, d);
				gr_buf_puts(b, tmp);
			}
		}
		return 0;
	case 'b':
	case 'o':
	case 'x':
	case 'X':
		if (v->kind == GR_CEL_INT || v->kind == GR_CEL_UINT ||
		    (v->kind == GR_CEL_BOOL && verb == 'b')) {
			uint64_t u;
			int neg = 0;
			if (v->kind == GR_CEL_BOOL)
				u = v->u.b;
			else if (v->kind == GR_CEL_INT) {
				neg = v->u.i < 0;
				u = neg ? 0 - (uint64_t)v->u.i : (uint64_t)v->u.i;
			} else
				u = v->u.u;
			char d[70];
			int k = 0;
			unsigned base = verb == 'b' ? 2 : verb == 'o' ? 8 : 16;
			const char *digs = verb == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
			do {
				d[k++] = digs[u % base];
				u /= base;
			} while (u);
			if (neg)
				gr_buf_putc(b, '-');
			while (k)
				gr_buf_putc(b, d[--k]);
			return 0;
		}
		if ((verb == 'x' || verb == 'X') && (v->kind == GR_CEL_STRING || v->kind == GR_CEL_BYTES)) {
			const char *digs = verb == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
			for (size_t i = 0; i < v->u.s.len; i++) {
				unsigned char c = (unsigned char)v->u.s.ptr[i];
				gr_buf_putc(b, digs[c >> 4]);
				gr_buf_putc(b, digs[c & 15]);
			}
			return 0;
		}
		*err = cel_error(
		        ev, "error during formatting: only integers%s can be formatted as %s, was given %s",
		        verb == 'x' || verb == 'X' ? ", byte buffers, and strings" : "",
		        verb == 'b'   ? "binary"
		        : verb == 'o' ? "octal"
		                      : "hex",
		        gr_cel_type_name(v));
		return -1;
	default:
		*err = cel_error(
		        ev, "could not parse formatting clause: unrecognized formatting clause \"%c\"", verb);
		return -1;
	}
}

static gr_cel_value f_format(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) != GR_CEL_STRING || K(1) != GR_CEL_LIST)
		return NO();
	const char *s = a[0].u.s.ptr;
	size_t len = a[0].u.s.len, argi = 0, nargs = gr_cel_size(&a[1]);
	gr_buf b;
	gr_buf_init(&b);
	gr_cel_value err = {.kind = GR_CEL_NULL};
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '%') {
			gr_buf_putc(&b, s[i]);
			continue;
		}
		i++;
		if (i >= len) {
			err = cel_error(ev, "could not parse formatting clause: unexpected end of string");
			goto fail;
		}
		if (s[i] == '%') {
			gr_buf_putc(&b, '%');
			continue;
		}
		int prec = -1;
		if (s[i] == '.') {
			i++;
			prec = 0;
			while (i < len && isdigit((unsigned char)s[i]))
				prec = prec * 10 + (s[i++] - '0');
			if (i >= len) {
				err = cel_error(
				        ev, "could not parse formatting clause: unexpected end of string");
				goto fail;
			}
		}
		if (argi >= nargs) {
			err = cel_error(ev, "index %zu out of range", argi);
			goto fail;
		}
		gr_cel_value v = gr_cel_list_at(&a[1], argi++);
		if (fmt_value(ev, &b, &v, s[i], prec, &err, 0) < 0)
			goto fail;
	}
	{
		gr_cel_value r = cel_make_string(ev, b.data ? b.data : "", b.len);
		gr_buf_free(&b);
		return r;
	}
fail:
	gr_buf_free(&b);
	if (err.kind != GR_CEL_ERROR)
		err = cel_error(ev, "error during formatting");
	return err;
}

/* ---- timestamps ---- */

static gr_cel_value ts_field(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	const char *name = call->name;
	if (K(0) == GR_CEL_DURATION && n == 1) {
		int64_t d = a[0].u.i;
		if (!strcmp(name, "getHours"))
			return gr_cel_int(d / 3600000000000LL);
		if (!strcmp(name, "getMinutes"))
			return gr_cel_int(d / 60000000000LL);
		if (!strcmp(name, "getSeconds"))
			return gr_cel_int(d / 1000000000LL);
		if (!strcmp(name, "getMilliseconds"))
			return gr_cel_int(ev->prog->opts.duration_total_ms ? d / 1000000LL
			                                                   : d % 1000000000LL / 1000000LL);
		return NO();
	}
	if (K(0) != GR_CEL_TIMESTAMP || (n == 2 && K(1) != GR_CEL_STRING))
		return NO();
	cel_tm tm;
	if (cel_timestamp_fields(a[0].u.t.sec, n == 2 ? a[1].u.s.ptr : NULL, n == 2 ? a[1].u.s.len : 0, &tm) <
	    0)
		return cel_error(ev, "unknown time zone '%.*s'", n == 2 ? (int)a[1].u.s.len : 0,
		                 n == 2 ? a[1].u.s.ptr : "");
	if (!strcmp(name, "getFullYear"))
		return gr_cel_int(tm.year);
	if (!strcmp(name, "getMonth"))
		return gr_cel_int(tm.month);
	if (!strcmp(name, "getDayOfYear"))
		return gr_cel_int(tm.yday);
	if (!strcmp(name, "getDayOfMonth"))
		return gr_cel_int(tm.mday);
	if (!strcmp(name, "getDate"))
		return gr_cel_int(tm.mday + 1);
	if (!strcmp(name, "getDayOfWeek"))
		return gr_cel_int(tm.wday);
	if (!strcmp(name, "getHours"))
		return gr_cel_int(tm.hour);
	if (!strcmp(name, "getMinutes"))
		return gr_cel_int(tm.min);
	if (!strcmp(name, "getSeconds"))
		return gr_cel_int(tm.sec);
	if (!strcmp(name, "getMilliseconds"))
		return gr_cel_int(a[0].u.t.nsec / 1000000);
	return NO();
}

/* ---- optionals ---- */

static gr_cel_value opt_of(cel_eval *ev, const gr_cel_value *v)
{
	gr_cel_value r = {.kind = GR_CEL_OPTIONAL};
	if (v) {
		gr_cel_value *c = gr_arena_alloc(ev->arena, sizeof *c);
		if (!c)
			return cel_error(ev, "out of memory");
		*c = *v;
		r.u.opt = c;
	}
	return r;
}

static gr_cel_value f_opt_of(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	(void)call;
	(void)n;
	return opt_of(ev, &a[0]);
}
static gr_cel_value f_opt_none(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	(void)call;
	(void)a;
	(void)n;
	return opt_of(ev, NULL);
}

static int is_zero(const gr_cel_value *v)
{
	switch (v->kind) {
	case GR_CEL_NULL: return 1;
	case GR_CEL_BOOL: return !v->u.b;
	case GR_CEL_INT: return v->u.i == 0;
	case GR_CEL_UINT: return v->u.u == 0;
	case GR_CEL_DOUBLE: return v->u.d == 0;
	case GR_CEL_STRING:
	case GR_CEL_BYTES: return v->u.s.len == 0;
	case GR_CEL_LIST:
	case GR_CEL_MAP: return gr_cel_size(v) == 0;
	case GR_CEL_DURATION: return v->u.i == 0;
	case GR_CEL_TIMESTAMP: return v->u.t.sec == 0 && v->u.t.nsec == 0;
	default: return 0;
	}
}

static gr_cel_value f_opt_nonzero(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	(void)call;
	(void)n;
	return opt_of(ev, is_zero(&a[0]) ? NULL : &a[0]);
}

static gr_cel_value f_has_value(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) != GR_CEL_OPTIONAL)
		return NO();
	return gr_cel_bool(a[0].u.opt != NULL);
}

static gr_cel_value f_value(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) != GR_CEL_OPTIONAL)
		return NO();
	if (!a[0].u.opt)
		return cel_error(ev, "optional.none() dereference");
	return *a[0].u.opt;
}

static gr_cel_value f_or_value(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) != GR_CEL_OPTIONAL)
		return NO();
	return a[0].u.opt ? *a[0].u.opt : a[1];
}

static gr_cel_value f_or(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) != GR_CEL_OPTIONAL || K(1) != GR_CEL_OPTIONAL)
		return NO();
	return a[0].u.opt ? a[0] : a[1];
}

/* ---- lists (Kubernetes lists library, ext.Lists) ---- */

static gr_cel_value f_is_sorted(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) != GR_CEL_LIST)
		return NO();
	size_t len = gr_cel_size(&a[0]);
	for (size_t i = 1; i < len; i++) {
		gr_cel_value x = gr_cel_list_at(&a[0], i - 1), y = gr_cel_list_at(&a[0], i);
		int c = cel_compare(&x, &y);
		if (c == -2) {
			gr_cel_value p[2] = {x, y};
			return cel_no_overload(ev, "_<_", p, 2);
		}
		if (c > 0)
			return gr_cel_bool(false);
	}
	return gr_cel_bool(true);
}

static gr_cel_value f_sum(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) != GR_CEL_LIST)
		return NO();
	size_t len = gr_cel_size(&a[0]);
	if (len == 0)
		return cel_schema_zero_sum(a[0].schema);
	gr_cel_value acc = gr_cel_list_at(&a[0], 0);
	for (size_t i = 1; i < len; i++) {
		gr_cel_value p[2] = {acc, gr_cel_list_at(&a[0], i)};
		acc = f_add(ev, call, p, 2);
		if (acc.kind == GR_CEL_ERROR)
			return acc;
	}
	if (acc.kind != GR_CEL_INT && acc.kind != GR_CEL_UINT && acc.kind != GR_CEL_DOUBLE &&
	    acc.kind != GR_CEL_DURATION)
		return NO();
	return acc;
}

static gr_cel_value min_max(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n, int want)
{
	if (K(0) != GR_CEL_LIST)
		return NO();
	size_t len = gr_cel_size(&a[0]);
	if (len == 0)
		return cel_error(ev, "%s called on empty list", want < 0 ? "min" : "max");
	gr_cel_value best = gr_cel_list_at(&a[0], 0);
	for (size_t i = 1; i < len; i++) {
		gr_cel_value x = gr_cel_list_at(&a[0], i);
		int c = cel_compare(&x, &best);
		if (c == -2) {
			gr_cel_value p[2] = {x, best};
			return cel_no_overload(ev, "_<_", p, 2);
		}
		if (c == want)
			best = x;
	}
	return best;
}
static gr_cel_value f_min(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	return min_max(ev, call, a, n, -1);
}
static gr_cel_value f_max(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	return min_max(ev, call, a, n, 1);
}

static gr_cel_value f_index_of(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) == GR_CEL_STRING)
		return str_index_of(ev, call, a, n, 0);
	if (K(0) != GR_CEL_LIST || n != 2)
		return NO();
	size_t len = gr_cel_size(&a[0]);
	for (size_t i = 0; i < len; i++) {
		gr_cel_value x = gr_cel_list_at(&a[0], i);
		if (gr_cel_equal(&x, &a[1]))
			return gr_cel_int((int64_t)i);
	}
	return gr_cel_int(-1);
}

static gr_cel_value f_last_index_of(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) == GR_CEL_STRING)
		return str_index_of(ev, call, a, n, 1);
	if (K(0) != GR_CEL_LIST || n != 2)
		return NO();
	size_t len = gr_cel_size(&a[0]);
	for (size_t i = len; i > 0; i--) {
		gr_cel_value x = gr_cel_list_at(&a[0], i - 1);
		if (gr_cel_equal(&x, &a[1]))
			return gr_cel_int((int64_t)i - 1);
	}
	return gr_cel_int(-1);
}

/* Kubernetes' lists library v1: <dyn>.includes(<dyn>) is true when a list
 * target holds an element equal to the argument, or when any other target
 * equals it ('model-a'.includes('model') is false: no substring search). */
static gr_cel_value f_includes(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (n != 2)
		return NO();
	if (K(0) != GR_CEL_LIST)
		return gr_cel_bool(gr_cel_equal(&a[0], &a[1]));
	size_t len = gr_cel_size(&a[0]);
	for (size_t i = 0; i < len; i++) {
		gr_cel_value x = gr_cel_list_at(&a[0], i);
		if (gr_cel_equal(&x, &a[1]))
			return gr_cel_bool(true);
	}
	return gr_cel_bool(false);
}

/* Kubernetes' JSONPatch library: a path key escaped as RFC 6901 says
 * ("~" becomes "~0", "/" becomes "~1"). */
static gr_cel_value f_jsonpatch_escape(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (n != 1 || K(0) != GR_CEL_STRING)
		return NO();
	const char *s = a[0].u.s.ptr;
	size_t len = a[0].u.s.len, extra = 0;
	for (size_t i = 0; i < len; i++)
		extra += s[i] == '~' || s[i] == '/';
	char *out = gr_arena_alloc(ev->arena, len + extra + 1);
	if (!out)
		return cel_error(ev, "out of memory");
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '~' || s[i] == '/') {
			out[o++] = '~';
			out[o++] = s[i] == '~' ? '0' : '1';
		} else
			out[o++] = s[i];
	}
	out[o] = 0;
	return gr_cel_string(out, o);
}

static gr_cel_value f_slice(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) != GR_CEL_LIST || K(1) != GR_CEL_INT || K(2) != GR_CEL_INT)
		return NO();
	int64_t len = (int64_t)gr_cel_size(&a[0]), s = a[1].u.i, e = a[2].u.i;
	if (s < 0 || e < 0)
		return cel_error(ev, "cannot slice(%lld, %lld), negative indexes not supported", (long long)s,
		                 (long long)e);
	if (s > e)
		return cel_error(
		        ev, "cannot slice(%lld, %lld), start index must be less than or equal to end index",
		        (long long)s, (long long)e);
	if (e > len)
		return cel_error(ev, "cannot slice(%lld, %lld), list is length %lld", (long long)s,
		                 (long long)e, (long long)len);
	gr_cel_value *items = gr_arena_alloc(ev->arena, (size_t)(e - s + 1) * sizeof *items);
	if (!items)
		return cel_error(ev, "out of memory");
	for (int64_t i = s; i < e; i++)
		items[i - s] = gr_cel_list_at(&a[0], (size_t)i);
	return cel_make_list(ev, items, (size_t)(e - s));
}

static int flatten_into(cel_eval *ev, const gr_cel_value *l, int64_t depth, gr_cel_value **items, size_t *k,
                        size_t *cap)
{
	size_t len = gr_cel_size(l);
	for (size_t i = 0; i < len; i++) {
		gr_cel_value x = gr_cel_list_at(l, i);
		if (x.kind == GR_CEL_LIST && depth > 0) {
			if (flatten_into(ev, &x, depth - 1, items, k, cap) < 0)
				return -1;
			continue;
		}
		if (*k == *cap) {
			size_t nc = *cap ? *cap * 2 : 8;
			gr_cel_value *ni = gr_arena_alloc(ev->arena, nc * sizeof *ni);
			if (!ni)
				return -1;
			if (*k)
				memcpy(ni, *items, *k * sizeof *ni);
			*items = ni;
			*cap = nc;
		}
		(*items)[(*k)++] = x;
	}
	return 0;
}

static gr_cel_value f_flatten(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) != GR_CEL_LIST || (n == 2 && K(1) != GR_CEL_INT))
		return NO();
	int64_t depth = n == 2 ? a[1].u.i : 1;
	if (depth < 0)
		return cel_error(ev, "level must be non-negative");
	gr_cel_value *items = NULL;
	size_t k = 0, cap = 0;
	if (flatten_into(ev, &a[0], depth, &items, &k, &cap) < 0)
		return cel_error(ev, "out of memory");
	return cel_make_list(ev, items, k);
}

static gr_cel_value f_range(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) != GR_CEL_INT)
		return NO();
	int64_t m = a[0].u.i < 0 ? 0 : a[0].u.i;
	if (m > 10000000)
		return cel_error(ev, "lists.range: too large");
	gr_cel_value *items = gr_arena_alloc(ev->arena, (size_t)(m + 1) * sizeof *items);
	if (!items)
		return cel_error(ev, "out of memory");
	for (int64_t i = 0; i < m; i++)
		items[i] = gr_cel_int(i);
	return cel_make_list(ev, items, (size_t)m);
}

static gr_cel_value f_distinct(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) != GR_CEL_LIST)
		return NO();
	size_t len = gr_cel_size(&a[0]), k = 0;
	gr_cel_value *items = gr_arena_alloc(ev->arena, (len + 1) * sizeof *items);
	if (!items)
		return cel_error(ev, "out of memory");
	for (size_t i = 0; i < len; i++) {
		gr_cel_value x = gr_cel_list_at(&a[0], i);
		size_t j;
		for (j = 0; j < k; j++)
			if (gr_cel_equal(&items[j], &x))
				break;
		if (j == k)
			items[k++] = x;
	}
	return cel_make_list(ev, items, k);
}

static gr_cel_value f_sort(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) != GR_CEL_LIST)
		return NO();
	size_t len = gr_cel_size(&a[0]);
	gr_cel_value *keys = gr_arena_alloc(ev->arena, (len + 1) * sizeof *keys);
	gr_cel_value *out = gr_arena_alloc(ev->arena, (len + 1) * sizeof *out);
	size_t *idx = gr_arena_alloc(ev->arena, (len + 1) * sizeof *idx);
	if (!keys || !out || !idx)
		return cel_error(ev, "out of memory");
	for (size_t i = 0; i < len; i++) {
		keys[i] = gr_cel_list_at(&a[0], i);
		idx[i] = i;
		if (i && keys[i].kind != keys[0].kind)
			return cel_error(ev, "list elements must have the same type");
	}
	if (len && (keys[0].kind == GR_CEL_LIST || keys[0].kind == GR_CEL_MAP || keys[0].kind == GR_CEL_NULL))
		return cel_error(ev, "list elements must be comparable");
	if (cel_sort_values(ev, keys, idx, len) < 0)
		return cel_error(ev, "list elements must be comparable");
	for (size_t i = 0; i < len; i++)
		out[i] = keys[idx[i]];
	return cel_make_list(ev, out, len);
}

static gr_cel_value f_first(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) != GR_CEL_LIST)
		return NO();
	size_t len = gr_cel_size(&a[0]);
	if (!len)
		return opt_of(ev, NULL);
	gr_cel_value x = gr_cel_list_at(&a[0], call->name[0] == 'f' ? 0 : len - 1);
	return opt_of(ev, &x);
}

/* ---- sets ---- */

static int list_has(const gr_cel_value *l, const gr_cel_value *x)
{
	size_t len = gr_cel_size(l);
	for (size_t i = 0; i < len; i++) {
		gr_cel_value y = gr_cel_list_at(l, i);
		if (gr_cel_equal(&y, x))
			return 1;
	}
	return 0;
}

static int contains_all(const gr_cel_value *a, const gr_cel_value *b)
{
	size_t len = gr_cel_size(b);
	for (size_t i = 0; i < len; i++) {
		gr_cel_value x = gr_cel_list_at(b, i);
		if (!list_has(a, &x))
			return 0;
	}
	return 1;
}

static gr_cel_value f_sets_contains(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) != GR_CEL_LIST || K(1) != GR_CEL_LIST)
		return NO();
	return gr_cel_bool(contains_all(&a[0], &a[1]));
}
static gr_cel_value f_sets_equivalent(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) != GR_CEL_LIST || K(1) != GR_CEL_LIST)
		return NO();
	return gr_cel_bool(contains_all(&a[0], &a[1]) && contains_all(&a[1], &a[0]));
}
static gr_cel_value f_sets_intersects(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (K(0) != GR_CEL_LIST || K(1) != GR_CEL_LIST)
		return NO();
	size_t len = gr_cel_size(&a[1]);
	for (size_t i = 0; i < len; i++) {
		gr_cel_value x = gr_cel_list_at(&a[1], i);
		if (list_has(&a[0], &x))
			return gr_cel_bool(true);
	}
	return gr_cel_bool(false);
}

/* ---- regex extras ---- */

static gr_cel_value f_find(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	if (!str_args(a, 2) || (n == 3 && K(2) != GR_CEL_INT))
		return NO();
	int all = call->name[4] == 'A';
	int64_t limit = n == 3 ? a[2].u.i : -1;
	char msg[200];
	size_t cap = 8, k = 0, pos = 0;
	gr_cel_value *items = gr_arena_alloc(ev->arena, cap * sizeof *items);
	if (!items)
		return cel_error(ev, "out of memory");
	while (pos <= a[0].u.s.len && (limit < 0 || (int64_t)k < limit)) {
		size_t ms, me;
		int r = call->regex ? cel_regex_find_re(call->regex, a[0].u.s.ptr, a[0].u.s.len, pos, &ms,
		                                        &me, msg, sizeof msg)
		                    : cel_regex_find(a[1].u.s.ptr, a[1].u.s.len, a[0].u.s.ptr, a[0].u.s.len,
		                                     pos, &ms, &me, msg, sizeof msg);
		if (r == -2)
			ev->unsupported = 1;
		if (r < 0)
			return cel_error(ev, "%s", msg);
		if (r == 0)
			break;
		if (!all)
			return gr_cel_string(a[0].u.s.ptr + ms, me - ms);
		if (k == cap) {
			gr_cel_value *ni = gr_arena_alloc(ev->arena, cap * 2 * sizeof *ni);
			if (!ni)
				return cel_error(ev, "out of memory");
			memcpy(ni, items, k * sizeof *ni);
			items = ni;
			cap *= 2;
		}
		items[k++] = gr_cel_string(a[0].u.s.ptr + ms, me - ms);
		pos = me > ms ? me : me + 1;
	}
	if (!all)
		return gr_cel_string("", 0);
	return cel_make_list(ev, items, k);
}

static gr_cel_value f_unknown(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	(void)a;
	return cel_error(ev, "no such overload: %s with %zu arguments", call->name, n);
}

/* Kubernetes library objects (k8s.c). */
gr_cel_value cel_k8s_call(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n);
uint64_t cel_k8s_format_regex_size(const gr_cel_value *f);

/* ---- the table ---- */

#define G 0 /* global */
#define M 1 /* member */
#define B 2 /* both */

static const cel_func table[] = {
        {"_==_", 2, 2, G, 0, f_eq},
        {"_!=_", 2, 2, G, 0, f_eq},
        {"_<_", 2, 2, G, 0, f_cmp},
        {"_<=_", 2, 2, G, 0, f_cmp},
        {"_>_", 2, 2, G, 0, f_cmp},
        {"_>=_", 2, 2, G, 0, f_cmp},
        {"_+_", 2, 2, G, 0, f_add},
        {"_-_", 2, 2, G, 0, f_sub},
        {"_*_", 2, 2, G, 0, f_mul},
        {"_/_", 2, 2, G, 0, f_div},
        {"_%_", 2, 2, G, 0, f_mod},
        {"@in", 2, 2, G, 0, f_in},
        {"size", 1, 1, B, 0, f_size},
        {"int", 1, 1, G, 0, f_int},
        {"uint", 1, 1, G, 0, f_uint},
        {"double", 1, 1, G, 0, f_double},
        {"string", 1, 1, G, 0, f_string},
        {"bytes", 1, 1, G, 0, f_bytes},
        {"bool", 1, 1, G, 0, f_bool},
        {"type", 1, 1, G, 0, f_type},
        {"dyn", 1, 1, G, 0, f_dyn},
        {"timestamp", 1, 1, G, 0, f_timestamp},
        {"duration", 1, 1, G, 0, f_duration},
        {"contains", 2, 2, M, 0, f_contains},
        {"startsWith", 2, 2, M, 0, f_starts},
        {"endsWith", 2, 2, M, 0, f_ends},
        {"matches", 2, 2, B, 0, f_matches},
        {"getFullYear", 1, 2, M, 0, ts_field},
        {"getMonth", 1, 2, M, 0, ts_field},
        {"getDayOfYear", 1, 2, M, 0, ts_field},
        {"getDayOfMonth", 1, 2, M, 0, ts_field},
        {"getDate", 1, 2, M, 0, ts_field},
        {"getDayOfWeek", 1, 2, M, 0, ts_field},
        {"getHours", 1, 2, M, 0, ts_field},
        {"getMinutes", 1, 2, M, 0, ts_field},
        {"getSeconds", 1, 2, M, 0, ts_field},
        {"getMilliseconds", 1, 2, M, 0, ts_field},
        /* ext.Strings */
        {"charAt", 2, 2, M, 0, f_char_at},
        {"indexOf", 2, 3, M, 0, f_index_of},
        {"lastIndexOf", 2, 3, M, 0, f_last_index_of},
        {"lowerAscii", 1, 1, M, 0, f_lower},
        {"upperAscii", 1, 1, M, 0, f_upper},
        {"replace", 3, 4, M, 0, f_replace},
        {"split", 2, 3, M, 0, f_split},
        {"substring", 2, 3, M, 0, f_substring},
        {"trim", 1, 1, M, 0, f_trim},
        {"join", 1, 2, M, 0, f_join},
        {"format", 2, 2, M, 0, f_format},
        {"strings.quote", 1, 1, G, 0, f_quote},
        {"jsonpatch.escapeKey", 1, 1, G, 2, f_jsonpatch_escape}, /* 2: the JSONPatch library */
        {"reverse", 1, 1, M, 0, f_reverse},
        /* optionals */
        {"optional.of", 1, 1, G, 0, f_opt_of},
        {"optional.none", 0, 0, G, 0, f_opt_none},
        {"optional.ofNonZeroValue", 1, 1, G, 0, f_opt_nonzero},
        {"hasValue", 1, 1, M, 0, f_has_value},
        {"value", 1, 1, M, 0, f_value},
        {"orValue", 2, 2, M, 0, f_or_value},
        {"or", 2, 2, M, 0, f_or},
        /* lists */
        {"isSorted", 1, 1, M, 0, f_is_sorted},
        {"sum", 1, 1, M, 0, f_sum},
        {"min", 1, 1, M, 0, f_min},
        {"max", 1, 1, M, 0, f_max},
        {"slice", 3, 3, M, 0, f_slice},
        {"flatten", 1, 2, M, 0, f_flatten},
        {"lists.range", 1, 1, G, 0, f_range},
        {"distinct", 1, 1, M, 0, f_distinct},
        {"sort", 1, 1, M, 0, f_sort},
        {"first", 1, 1, M, 0, f_first},
        {"last", 1, 1, M, 0, f_first},
        {"includes", 2, 2, M, 1, f_includes},
        /* sets */
        {"sets.contains", 2, 2, G, 0, f_sets_contains},
        {"sets.equivalent", 2, 2, G, 0, f_sets_equivalent},
        {"sets.intersects", 2, 2, G, 0, f_sets_intersects},
        /* regex (Kubernetes) */
        {"find", 2, 2, M, 1, f_find},
        {"findAll", 2, 3, M, 1, f_find},
        /* Kubernetes library objects */
        {"quantity", 1, 1, G, 1, cel_k8s_call},
        {"isQuantity", 1, 1, G, 1, cel_k8s_call},
        {"sign", 1, 1, M, 1, cel_k8s_call},
        {"isInteger", 1, 1, M, 1, cel_k8s_call},
        {"asInteger", 1, 1, M, 1, cel_k8s_call},
        {"asApproximateFloat", 1, 1, M, 1, cel_k8s_call},
        {"add", 2, 2, M, 1, cel_k8s_call},
        {"sub", 2, 2, M, 1, cel_k8s_call},
        {"isLessThan", 2, 2, M, 1, cel_k8s_call},
        {"isGreaterThan", 2, 2, M, 1, cel_k8s_call},
        {"compareTo", 2, 2, M, 1, cel_k8s_call},
        {"ip", 1, 1, B, 1, cel_k8s_call},
        {"isIP", 1, 1, G, 1, cel_k8s_call},
        {"ip.isCanonical", 1, 1, G, 1, cel_k8s_call},
        {"family", 1, 1, M, 1, cel_k8s_call},
        {"isUnspecified", 1, 1, M, 1, cel_k8s_call},
        {"isLoopback", 1, 1, M, 1, cel_k8s_call},
        {"isLinkLocalMulticast", 1, 1, M, 1, cel_k8s_call},
        {"isLinkLocalUnicast", 1, 1, M, 1, cel_k8s_call},
        {"isGlobalUnicast", 1, 1, M, 1, cel_k8s_call},
        {"cidr", 1, 1, G, 1, cel_k8s_call},
        {"isCIDR", 1, 1, G, 1, cel_k8s_call},
        {"containsIP", 2, 2, M, 1, cel_k8s_call},
        {"containsCIDR", 2, 2, M, 1, cel_k8s_call},
        {"prefixLength", 1, 1, M, 1, cel_k8s_call},
        {"masked", 1, 1, M, 1, cel_k8s_call},
        {"url", 1, 1, G, 1, cel_k8s_call},
        {"isURL", 1, 1, G, 1, cel_k8s_call},
        {"getScheme", 1, 1, M, 1, cel_k8s_call},
        {"getHost", 1, 1, M, 1, cel_k8s_call},
        {"getHostname", 1, 1, M, 1, cel_k8s_call},
        {"getPort", 1, 1, M, 1, cel_k8s_call},
        {"getEscapedPath", 1, 1, M, 1, cel_k8s_call},
        {"getQuery", 1, 1, M, 1, cel_k8s_call},
        {"semver", 1, 2, G, 1, cel_k8s_call},
        {"isSemver", 1, 2, G, 1, cel_k8s_call},
        {"major", 1, 1, M, 1, cel_k8s_call},
        {"minor", 1, 1, M, 1, cel_k8s_call},
        {"patch", 1, 1, M, 1, cel_k8s_call},
        {"format.named", 1, 1, G, 1, cel_k8s_call},
        {"validate", 2, 2, M, 1, cel_k8s_call},
        {"format.dns1123Label", 0, 0, G, 1, cel_k8s_call},
        {"format.dns1123Subdomain", 0, 0, G, 1, cel_k8s_call},
        {"format.dns1035Label", 0, 0, G, 1, cel_k8s_call},
        {"format.qualifiedName", 0, 0, G, 1, cel_k8s_call},
        {"format.dns1123LabelPrefix", 0, 0, G, 1, cel_k8s_call},
        {"format.dns1123SubdomainPrefix", 0, 0, G, 1, cel_k8s_call},
        {"format.dns1035LabelPrefix", 0, 0, G, 1, cel_k8s_call},
        {"format.labelValue", 0, 0, G, 1, cel_k8s_call},
        {"format.uri", 0, 0, G, 1, cel_k8s_call},
        {"format.uuid", 0, 0, G, 1, cel_k8s_call},
        {"format.byte", 0, 0, G, 1, cel_k8s_call},
        {"format.date", 0, 0, G, 1, cel_k8s_call},
        {"format.datetime", 0, 0, G, 1, cel_k8s_call},
        /* Kubernetes' authz library (authz.c) */
        {"path", 2, 2, M, 1, cel_authz_call},
        {"group", 2, 2, M, 1, cel_authz_call},
        {"serviceAccount", 3, 3, M, 1, cel_authz_call},
        {"resource", 2, 2, M, 1, cel_authz_call},
        {"subresource", 2, 2, M, 1, cel_authz_call},
        {"namespace", 2, 2, M, 1, cel_authz_call},
        {"name", 2, 2, M, 1, cel_authz_call},
        {"fieldSelector", 2, 2, M, 1, cel_authz_call},
        {"labelSelector", 2, 2, M, 1, cel_authz_call},
        {"check", 2, 2, M, 1, cel_authz_call},
        {"allowed", 1, 1, M, 1, cel_authz_call},
        {"reason", 1, 1, M, 1, cel_authz_call},
        {"errored", 1, 1, M, 1, cel_authz_call},
        {"error", 1, 1, M, 1, cel_authz_call},
        {"@unknown", 0, 1000000, B, 0, f_unknown},
        {NULL, 0, 0, 0, 0, NULL},
};

static int name_eq(const char *a, const char *b, size_t bl)
{
	return strlen(a) == bl && !memcmp(a, b, bl);
}

/* The Kubernetes minor version whose CEL environment added a function
 * (k8s.io/apiserver pkg/cel/environment/base.go); 0: always there. */
static int since_minor(const char *name)
{
	static const struct {
		int minor;
		const char *names[24];
	} added[] = {
	        {27,
	         {"path", "group", "serviceAccount", "resource", "subresource", "namespace", "name", "check",
	          "allowed", "reason", "errored", "error", NULL}},
	        /* AuthzSelectors: 1.31 behind the AuthorizeWithSelectors feature gate,
	         * on by default from 1.32 */
	        {32, {"fieldSelector", "labelSelector", NULL}},
	        {28,
	         {"optional.of", "optional.none", "optional.ofNonZeroValue", "hasValue", "value", "orValue",
	          "or", "quantity", "isQuantity", "sign", "isInteger", "asInteger", "asApproximateFloat",
	          "add", "sub", "isLessThan", "isGreaterThan", "compareTo", NULL}},
	        {29,
	         {"format", "strings.quote", "join", "sets.contains", "sets.equivalent", "sets.intersects",
	          NULL}},
	        {30,
	         {"ip", "isIP", "ip.isCanonical", "family", "isUnspecified", "isLoopback",
	          "isLinkLocalMulticast", "isLinkLocalUnicast", "isGlobalUnicast", "cidr", "isCIDR",
	          "containsIP", "containsCIDR", "prefixLength", "masked", NULL}},
	        {31,
	         {"format.named", "validate", "format.dns1123Label", "format.dns1123Subdomain",
	          "format.dns1035Label", "format.qualifiedName", "format.dns1123LabelPrefix",
	          "format.dns1123SubdomainPrefix", "format.dns1035LabelPrefix", "format.labelValue",
	          "format.uri", "format.uuid", "format.byte", "format.date", "format.datetime", NULL}},
	        {33, {"semver", "isSemver", "major", "minor", "patch", NULL}},
	        {34,
	         {"slice", "flatten", "lists.range", "distinct", "sort", "first", "last", "reverse", NULL}},
	        {32, {"jsonpatch.escapeKey", NULL}}, /* MutatingAdmissionPolicy's environment */
	        {37, {"includes", NULL}},            /* Kubernetes' lists library v1 */
	};
	for (size_t i = 0; i < sizeof added / sizeof added[0]; i++)
		for (int k = 0; added[i].names[k]; k++)
			if (!strcmp(added[i].names[k], name))
				return added[i].minor;
	return 0;
}

const cel_func *cel_find_function(const char *name, size_t len, bool member, size_t nargs, int libs,
                                  int minor)
{
	for (const cel_func *f = table; f->name; f++) {
		if (!name_eq(f->name, name, len))
			continue;
		if (f->k8s & ~libs)
			continue;
		if (minor && since_minor(f->name) > minor)
			continue;
		if (member && f->member == G)
			continue;
		if (!member && f->member == M)
			continue;
		if ((int)nargs < f->min_args || (int)nargs > f->max_args)
			continue;
		return f;
	}
	return NULL;
}

bool cel_function_known(const char *name, size_t len, int libs, int minor)
{
	for (const cel_func *f = table; f->name; f++)
		if (name_eq(f->name, name, len) && !(f->k8s & ~libs) &&
		    !(minor && since_minor(f->name) > minor))
			return true;
	return false;
}

/* ---- runtime cost (cel-go's interpreter cost model) ---- */

static uint64_t cost_size(const gr_cel_value *v)
{
	switch (v->kind) {
	case GR_CEL_STRING: return cel_utf8_count(v->u.s.ptr, v->u.s.len);
	case GR_CEL_BYTES: return v->u.s.len;
	case GR_CEL_LIST:
	case GR_CEL_MAP: return gr_cel_size(v);
	default: return 1;
	}
}

static uint64_t tenth(uint64_t x)
{
	return (x + 9) / 10;
}

/* ceil(x * 2 * 0.1): a traversal plus the construction of the result */
static uint64_t fifth(uint64_t x)
{
	return (x + 4) / 5;
}

/* Kubernetes' traversalCost: a string or bytes costs a tenth of its length
 * in bytes (rounded down), a list or map the sum over its elements (keys and
 * values), anything else 1. */
static uint64_t traversal_cost(const gr_cel_value *v, int depth)
{
	if (depth > 64)
		return 1;
	switch (v->kind) {
	case GR_CEL_STRING:
	case GR_CEL_BYTES: return v->u.s.len / 10;
	case GR_CEL_LIST: {
		uint64_t c = 0;
		size_t n = gr_cel_size(v);
		for (size_t i = 0; i < n; i++) {
			gr_cel_value x = gr_cel_list_at(v, i);
			c += traversal_cost(&x, depth + 1);
		}
		return c;
	}
	case GR_CEL_MAP: {
		uint64_t c = 0;
		size_t n = gr_cel_size(v);
		for (size_t i = 0; i < n; i++) {
			gr_cel_value k, x;
			gr_cel_map_entry(v, i, &k, &x);
			c += traversal_cost(&k, depth + 1) + traversal_cost(&x, depth + 1);
		}
		return c;
	}
	default: return 1;
	}
}

/* ext.Lists v3's cost trackers: the call (1) and the list allocation (10)
 * plus the result size times a factor; sort and distinct compare every
 * element with every other (factor 2, 2.1 for strings and bytes). */
static uint64_t alloc_list_cost(double factor, uint64_t size)
{
	return (uint64_t)((double)size * factor) + 1 + 10;
}

uint64_t cel_list_self_compare_cost(const gr_cel_value *l)
{
	uint64_t sz = gr_cel_size(l);
	double factor = 2.0;
	if (sz) {
		gr_cel_value e = gr_cel_list_at(l, 0);
		if (e.kind == GR_CEL_STRING || e.kind == GR_CEL_BYTES)
			factor += 0.1;
	}
	return alloc_list_cost(factor, sz * sz);
}

uint64_t cel_call_cost(const cel_node *call, const gr_cel_value *a, size_t n, const gr_cel_value *result)
{
	const char *f = call->name;
	/* operators first (most calls are): no function below starts with '_' */
	if (f[0] == '_') {
		if (n == 2 && (f[1] == '=' || f[1] == '!') && f[2] == '=' && f[3] == '_' &&
		    !f[4]) { /* _==_ _!=_ */
			uint64_t x = cost_size(&a[0]), y = cost_size(&a[1]);
			return tenth(x < y ? x : y);
		}
		if (n == 2 && (f[1] == '<' || f[1] == '>') &&
		    ((a[0].kind == GR_CEL_STRING && a[1].kind == GR_CEL_STRING) ||
		     (a[0].kind == GR_CEL_BYTES && a[1].kind == GR_CEL_BYTES))) {
			uint64_t x = cost_size(&a[0]), y = cost_size(&a[1]);
			return tenth(x < y ? x : y);
		}
		if (n == 2 && f[1] == '+' && f[2] == '_' && !f[3] &&
		    (a[0].kind == GR_CEL_STRING || a[0].kind == GR_CEL_BYTES))
			return tenth(cost_size(&a[0]) + cost_size(&a[1]));
		return 1; /* every other operator: O(1) */
	}
	if (f[0] == '@') /* `in` traverses its list; no function below starts with '@' */
		return n == 2 && !strcmp(f, "@in") && a[1].kind == GR_CEL_LIST ? cost_size(&a[1]) : 1;
	if (n >= 1 && a[0].kind == GR_CEL_LIST && call->member) {
		if ((!strcmp(f, "slice") && n == 3) || (!strcmp(f, "reverse") && n == 1))
			return alloc_list_cost(1, result && result->kind == GR_CEL_LIST ? gr_cel_size(result)
			                                                                : 0);
		if (!strcmp(f, "flatten"))
			return alloc_list_cost(n == 2 && a[1].kind == GR_CEL_INT ? (double)a[1].u.i : 1,
			                       gr_cel_size(&a[0]));
		if ((!strcmp(f, "sort") || !strcmp(f, "distinct")) && n == 1)
			return cel_list_self_compare_cost(&a[0]);
	}
	/* Kubernetes' authz library: a check is dear (two per expression fit the
	 * per-call limit), a selector is parsed into requirements */
	if (call->member && !strcmp(f, "check"))
		return 350000;
	if (call->member && n >= 2 && (!strcmp(f, "fieldSelector") || !strcmp(f, "labelSelector"))) {
		uint64_t len = cost_size(&a[1]);
		return 10 + tenth(len) + (len + 1) / 2 * 50;
	}
	if (!strcmp(f, "lists.range") && n == 1)
		return alloc_list_cost(1, result && result->kind == GR_CEL_LIST ? gr_cel_size(result) : 0);
	if (n >= 2 && (!strcmp(f, "startsWith") || !strcmp(f, "endsWith")))
		return tenth(cost_size(&a[1])); /* Kubernetes' estimator: the affix */
	/* Kubernetes' library CallCost (apiserver pkg/cel/library/cost.go) */
	if (n >= 1 && call->member && a[0].kind == GR_CEL_STRING &&
	    (!strcmp(f, "substring") || !strcmp(f, "upperAscii") || !strcmp(f, "lowerAscii") ||
	     !strcmp(f, "trim")))
		return tenth(cost_size(&a[0]));
	if (n >= 2 && call->member && a[0].kind == GR_CEL_STRING &&
	    (!strcmp(f, "indexOf") || !strcmp(f, "lastIndexOf")))
		return traversal_cost(&a[0], 0);
	if (n >= 2 && call->member && a[0].kind == GR_CEL_STRING &&
	    (!strcmp(f, "split") || !strcmp(f, "replace")))
		return fifth(cost_size(&a[0]));
	if (call->member && !strcmp(f, "join") && result && result->kind == GR_CEL_STRING)
		return fifth(cost_size(result));
	if (call->member && n >= 2 && (!strcmp(f, "find") || !strcmp(f, "findAll")))
		return tenth(1 + cost_size(&a[0])) * ((cost_size(&a[1]) + 3) / 4);
	if (call->member && n == 2 && !strcmp(f, "format") && a[0].kind == GR_CEL_STRING)
		return tenth(cost_size(&a[0]));
	if (n == 1 && !strcmp(f, "strings.quote") && a[0].kind == GR_CEL_STRING)
		return tenth(cost_size(&a[0]));
	if (n == 1 && ((!strcmp(f, "bytes") && a[0].kind == GR_CEL_STRING) ||
	               (!strcmp(f, "string") && a[0].kind == GR_CEL_BYTES)))
		return tenth(cost_size(&a[0]));
	if (n == 2 && !strcmp(f, "matches"))
		return tenth(10 * (1 + cost_size(&a[0])) / 10 * 1 + 0) * ((cost_size(&a[1]) + 3) / 4);
	if (!call->member && n == 1 && a[0].kind == GR_CEL_STRING &&
	    (!strcmp(f, "url") || !strcmp(f, "semver") || !strcmp(f, "isSemver")))
		return tenth(cost_size(&a[0]));
	if (!call->member && n == 1 && a[0].kind == GR_CEL_STRING && !strcmp(f, "ip.isCanonical"))
		return fifth(cost_size(&a[0])); /* parsed, then compared with the text */
	/* Kubernetes' library costs: parsing an IP or CIDR is charged by its length */
	if (!call->member && n == 1 && a[0].kind == GR_CEL_STRING &&
	    (!strcmp(f, "ip") || !strcmp(f, "cidr") || !strcmp(f, "isIP") || !strcmp(f, "isCIDR")))
		return tenth(a[0].u.s.len);
	if (n == 2 && call->member && !strcmp(f, "containsCIDR"))
		return 3 + (a[1].kind == GR_CEL_STRING ? tenth(a[1].u.s.len) : 0);
	if (n == 2 && call->member && !strcmp(f, "containsIP"))
		return 1 + (a[1].kind == GR_CEL_STRING ? tenth(a[1].u.s.len) : 0);
	/* Kubernetes' lists library v1: one traversal of the target, a list or not */
	if (n == 2 && call->member && !strcmp(f, "includes"))
		return traversal_cost(&a[0], 0);
	if (n == 1 && !call->member && !strcmp(f, "jsonpatch.escapeKey") && a[0].kind == GR_CEL_STRING)
		return tenth(cost_size(&a[0]));
	/* format's validate: a regular expression as long as the format's over the string */
	if (n == 2 && call->member && !strcmp(f, "validate") && a[1].kind == GR_CEL_STRING) {
		uint64_t rx = cel_k8s_format_regex_size(&a[0]);
		if (rx)
			return tenth(1 + cost_size(&a[1])) * ((rx + 3) / 4);
	}
	/* Kubernetes' library costs (ext.Sets, lists) */
	if (n >= 1 && call->member && a[0].kind == GR_CEL_LIST &&
	    (!strcmp(f, "sum") || !strcmp(f, "isSorted") || !strcmp(f, "min") || !strcmp(f, "max") ||
	     !strcmp(f, "indexOf") || !strcmp(f, "lastIndexOf")))
		return traversal_cost(&a[0], 0);
	if (n == 2 && (!strcmp(f, "sets.contains") || !strcmp(f, "sets.intersects")))
		return 1 + cost_size(&a[0]) * cost_size(&a[1]);
	if (n == 2 && !strcmp(f, "sets.equivalent"))
		return 1 + 2 * cost_size(&a[0]) * cost_size(&a[1]);
	if (n == 2 && !strcmp(f, "contains") && a[0].kind == GR_CEL_STRING)
		return tenth(cost_size(&a[0])) * tenth(cost_size(&a[1]));
	return 1;
}
