/*
 * functions.c — Kyverno's custom JMESPath functions, registered on the
 * JMESPath engine's function registry (pkg/engine/jmespath in Kyverno:
 * strings, regular expressions, wildcards, label maps, arithmetic on
 * numbers, quantities and durations, encodings, paths, semver, JSON/YAML,
 * lookups, time). `time_now*` read the set's injectable clock and `random`
 * its seed, so tests are reproducible.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "guardrail/decode.h"
#include "guardrail/regex.h"
#include "kyverno_int.h"

#define NUM GR_JP_ARG_NUMBER
#define STR GR_JP_ARG_STRING
#define ARR GR_JP_ARG_ARRAY
#define OBJ GR_JP_ARG_OBJECT
#define ANY GR_JP_ARG_ANY

static int str_out(gr_jp_call *c, const char *s, size_t len, gr_value *out)
{
	char *p = gr_jp_call_alloc(c, len + 1);
	if (!p)
		return -1;
	memcpy(p, s, len);
	p[len] = '\0';
	*out = gr_make_string_ref(p, len);
	return 0;
}

static int buf_out(gr_jp_call *c, gr_buf *b, gr_value *out)
{
	int rc = str_out(c, b->data ? b->data : "", b->len, out);
	gr_buf_free(b);
	return rc;
}

/* a string or number argument as text */
static const char *text(gr_jp_call *c, const gr_value *v, size_t *len)
{
	if (v->type == GR_STRING) {
		*len = v->u.s.len;
		return v->u.s.ptr;
	}
	char buf[64];
	if (v->type == GR_INT)
		snprintf(buf, sizeof buf, "%lld", (long long)v->u.i);
	else
		ky_fmt_sprint(buf, sizeof buf, gr_number(v));
	char *p = gr_jp_call_alloc(c, strlen(buf) + 1);
	if (!p)
		return NULL;
	strcpy(p, buf);
	*len = strlen(p);
	return p;
}

static int fn_compare(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	size_t l = a[0].u.s.len < a[1].u.s.len ? a[0].u.s.len : a[1].u.s.len;
	int r = memcmp(a[0].u.s.ptr, a[1].u.s.ptr, l);
	if (r == 0)
		r = a[0].u.s.len < a[1].u.s.len ? -1 : a[0].u.s.len > a[1].u.s.len;
	*out = gr_make_int(r < 0 ? -1 : r > 0);
	return 0;
}

static int fn_equal_fold(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	*out = gr_make_bool(a[0].u.s.len == a[1].u.s.len &&
	                    strncasecmp(a[0].u.s.ptr, a[1].u.s.ptr, a[0].u.s.len) == 0);
	return 0;
}

static int replace_n(gr_jp_call *c, const gr_value *s, const gr_value *from, const gr_value *to, long limit,
                     gr_value *out)
{
	gr_buf b;
	gr_buf_init(&b);
	const char *p = s->u.s.ptr, *end = p + s->u.s.len;
	long done = 0;
	if (from->u.s.len == 0) {
		/* Go: empty old inserts new before each rune and at the end */
		for (; p <= end && (limit < 0 || done < limit); done++) {
			gr_buf_append(&b, to->u.s.ptr, to->u.s.len);
			if (p == end) {
				p++;
				break;
			}
			gr_buf_putc(&b, *p++);
		}
		if (p < end)
			gr_buf_append(&b, p, (size_t)(end - p));
		return buf_out(c, &b, out);
	}
	while (p < end && (limit < 0 || done < limit)) {
		const char *q = memmem(p, (size_t)(end - p), from->u.s.ptr, from->u.s.len);
		if (!q)
			break;
		gr_buf_append(&b, p, (size_t)(q - p));
		gr_buf_append(&b, to->u.s.ptr, to->u.s.len);
		p = q + from->u.s.len;
		done++;
	}
	gr_buf_append(&b, p, (size_t)(end - p));
	return buf_out(c, &b, out);
}

static int fn_replace(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	return replace_n(c, &a[0], &a[1], &a[2], (long)gr_number(&a[3]), out);
}

static int fn_replace_all(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	return replace_n(c, &a[0], &a[1], &a[2], -1, out);
}

static int fn_case(gr_jp_call *c, const gr_value *a, gr_value *out, int upper)
{
	if (str_out(c, a[0].u.s.ptr, a[0].u.s.len, out))
		return -1;
	char *p = (char *)out->u.s.ptr;
	for (size_t i = 0; i < out->u.s.len; i++)
		p[i] = (char)(upper ? toupper((unsigned char)p[i]) : tolower((unsigned char)p[i]));
	return 0;
}
static int fn_to_upper(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	return fn_case(c, a, out, 1);
}
static int fn_to_lower(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	return fn_case(c, a, out, 0);
}

static int fn_trim(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	const char *s = a[0].u.s.ptr;
	size_t len = a[0].u.s.len;
	const char *cut = a[1].u.s.ptr;
	size_t cl = a[1].u.s.len;
	while (len && memchr(cut, s[0], cl))
		s++, len--;
	while (len && memchr(cut, s[len - 1], cl))
		len--;
	*out = gr_make_string_ref(s, len);
	return str_out(c, s, len, out);
}

static int fn_trim_prefix(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	size_t pl = a[1].u.s.len;
	if (pl <= a[0].u.s.len && memcmp(a[0].u.s.ptr, a[1].u.s.ptr, pl) == 0)
		return str_out(c, a[0].u.s.ptr + pl, a[0].u.s.len - pl, out);
	*out = a[0];
	return 0;
}

static int fn_split(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	const char *s = a[0].u.s.ptr, *end = s + a[0].u.s.len;
	size_t sl = a[1].u.s.len;
	size_t count = 1;
	if (sl == 0)
		count = a[0].u.s.len;
	else
		for (const char *p = s; (p = memmem(p, (size_t)(end - p), a[1].u.s.ptr, sl)); p += sl)
			count++;
	gr_value arr;
	memset(&arr, 0, sizeof arr);
	arr.type = GR_ARRAY;
	arr.u.a.items = gr_jp_call_alloc(c, (count ? count : 1) * sizeof(gr_value));
	if (!arr.u.a.items)
		return -1;
	size_t k = 0;
	if (sl == 0) {
		for (size_t i = 0; i < a[0].u.s.len; i++)
			if (str_out(c, s + i, 1, &arr.u.a.items[k++]))
				return -1;
	} else {
		const char *p = s;
		for (;;) {
			const char *q = memmem(p, (size_t)(end - p), a[1].u.s.ptr, sl);
			const char *e = q ? q : end;
			if (str_out(c, p, (size_t)(e - p), &arr.u.a.items[k++]))
				return -1;
			if (!q)
				break;
			p = q + sl;
		}
	}
	arr.u.a.len = k;
	*out = arr;
	return 0;
}

/* Kyverno compiles with Go's regexp (RE2 syntax): so does lib/regex. */
static gr_regex *compile_re(gr_jp_call *c, const gr_value *v)
{
	gr_regex_error err;
	gr_regex *re = gr_regex_compile(v->u.s.ptr, v->u.s.len, NULL, &err);
	if (!re)
		gr_jp_call_fail(c, GR_JP_INVALID_VALUE, "%s", err.message);
	return re;
}

static int fn_regex_match(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	gr_regex *re = compile_re(c, &a[0]);
	if (!re)
		return -1;
	size_t len;
	const char *s = text(c, &a[1], &len);
	int m = s ? gr_regex_match(re, s, len, NULL) : -1;
	gr_regex_free(re);
	if (m < 0)
		return s ? gr_jp_call_fail(c, GR_JP_LIMIT, "regex_match: out of memory") : -1;
	*out = gr_make_bool(m == 1);
	return 0;
}

static int regex_replace(gr_jp_call *c, const gr_value *a, gr_value *out, bool literal)
{
	gr_regex *re = compile_re(c, &a[0]);
	if (!re)
		return -1;
	size_t len, rl;
	const char *s = text(c, &a[1], &len);
	const char *rep = text(c, &a[2], &rl);
	if (!s || !rep) {
		gr_regex_free(re);
		return -1;
	}
	gr_buf b;
	gr_buf_init(&b);
	gr_regex_status st;
	int rc = gr_regex_replace_all(re, &b, s, len, rep, rl, literal, 64u << 20, NULL, &st);
	gr_regex_free(re);
	if (rc != 0) {
		gr_buf_free(&b);
		return gr_jp_call_fail(c, GR_JP_LIMIT,
		                       "regex_replace_all: result too large or out of memory");
	}
	return buf_out(c, &b, out);
}

static int fn_regex_replace_all(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	return regex_replace(c, a, out, false);
}
static int fn_regex_replace_all_literal(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	return regex_replace(c, a, out, true);
}

static int fn_pattern_match(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	size_t len;
	const char *s = text(c, &a[1], &len);
	if (!s)
		return -1;
	*out = gr_make_bool(ky_wildcard(a[0].u.s.ptr, a[0].u.s.len, s, len));
	return 0;
}

static int fn_label_match(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	bool ok = true;
	for (size_t i = 0; i < a[0].u.o.len && ok; i++) {
		const gr_member *m = &a[0].u.o.members[i];
		const gr_value *v = gr_getn(&a[1], m->key, m->key_len);
		ok = v && gr_equal(v, &m->value);
	}
	*out = gr_make_bool(ok);
	return 0;
}

static int fn_to_boolean(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	if (strcasecmp(a[0].u.s.ptr, "true") == 0)
		*out = gr_make_bool(true);
	else if (strcasecmp(a[0].u.s.ptr, "false") == 0)
		*out = gr_make_bool(false);
	else
		return gr_jp_call_fail(c, GR_JP_INVALID_VALUE, "lexer error: invalid value %s for boolean",
		                       a[0].u.s.ptr);
	return 0;
}

/* ---- arithmetic over numbers, quantities and durations ---- */

enum { K_NUM, K_QTY, K_DUR };

static int operand(const gr_value *v, long double *x)
{
	if (gr_is_number(v)) {
		*x = v->type == GR_INT ? (long double)v->u.i : (long double)v->u.d;
		return K_NUM;
	}
	if (v->type == GR_STRING) {
		if (ky_parse_quantity(v->u.s.ptr, v->u.s.len, x))
			return K_QTY;
		if (ky_parse_duration(v->u.s.ptr, v->u.s.len, x))
			return K_DUR;
	}
	return -1;
}

static gr_value num_value(long double d)
{
	if (d == floorl(d) && fabsl(d) < 9007199254740992.0L)
		return gr_make_int((int64_t)d);
	return gr_make_double((double)d);
}

static int fmt_duration(gr_jp_call *c, long double secs, gr_value *out)
{
	/* Go Duration.String: 1h2m3.5s, 500ms, 0s */
	char buf[96];
	long double a = fabsl(secs);
	const char *sign = secs < 0 ? "-" : "";
	if (a == 0)
		snprintf(buf, sizeof buf, "0s");
	else if (a < 1) {
		if (a < 1e-6L)
			snprintf(buf, sizeof buf, "%s%.0Lfns", sign, a * 1e9L);
		else if (a < 1e-3L)
			snprintf(buf, sizeof buf, "%s%gµs", sign, (double)(a * 1e6L));
		else
			snprintf(buf, sizeof buf, "%s%gms", sign, (double)(a * 1e3L));
	} else {
		long long h = (long long)(a / 3600);
		long double rem = a - h * 3600.0L;
		long long m = (long long)(rem / 60);
		long double s = rem - m * 60.0L;
		char sb[40];
		snprintf(sb, sizeof sb, "%.9Lf", s);
		/* trim trailing zeros */
		char *e = sb + strlen(sb) - 1;
		while (*e == '0')
			*e-- = '\0';
		if (*e == '.')
			*e = '\0';
		if (h)
			snprintf(buf, sizeof buf, "%s%lldh%lldm%ss", sign, h, m, sb);
		else if (m)
			snprintf(buf, sizeof buf, "%s%lldm%ss", sign, m, sb);
		else
			snprintf(buf, sizeof buf, "%s%ss", sign, sb);
	}
	return str_out(c, buf, strlen(buf), out);
}

static int fmt_quantity(gr_jp_call *c, long double q, gr_value *out)
{
	char buf[64];
	if (q == floorl(q))
		snprintf(buf, sizeof buf, "%.0Lf", q);
	else if (q * 1000 == floorl(q * 1000))
		snprintf(buf, sizeof buf, "%.0Lfm", q * 1000);
	else
		snprintf(buf, sizeof buf, "%g", (double)q);
	return str_out(c, buf, strlen(buf), out);
}

static int arith(gr_jp_call *c, const gr_value *a, gr_value *out, char op)
{
	long double x, y;
	int kx = operand(&a[0], &x), ky = operand(&a[1], &y);
	if (kx < 0 || ky < 0)
		return gr_jp_call_fail(c, GR_JP_INVALID_TYPE, "invalid operands for arithmetic");
	if ((op == '/' || op == '%') && y == 0)
		return gr_jp_call_fail(c, GR_JP_INVALID_VALUE, "Zero divisor passed");
	long double r;
	switch (op) {
	case '+': r = x + y; break;
	case '-': r = x - y; break;
	case '*': r = x * y; break;
	case '/': r = x / y; break;
	default:
		if (x != floorl(x) || y != floorl(y))
			return gr_jp_call_fail(c, GR_JP_INVALID_VALUE, "modulo needs integers");
		r = fmodl(x, y);
		break;
	}
	int kind = kx == K_NUM ? ky : kx;
	if (op == '/' && kx == ky)
		kind = K_NUM;
	if ((op == '+' || op == '-') && kx != ky && !(kx == K_NUM && ky == K_NUM))
		return gr_jp_call_fail(c, GR_JP_INVALID_TYPE, "mismatched operand types");
	if (kind == K_NUM) {
		*out = num_value(r);
		return 0;
	}
	return kind == K_DUR ? fmt_duration(c, r, out) : fmt_quantity(c, r, out);
}

static int fn_add(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	return arith(c, a, out, '+');
}
static int fn_subtract(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	return arith(c, a, out, '-');
}
static int fn_multiply(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	return arith(c, a, out, '*');
}
static int fn_divide(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	return arith(c, a, out, '/');
}
static int fn_modulo(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	return arith(c, a, out, '%');
}

static int fn_sum(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	if (a[0].u.a.len == 0)
		return gr_jp_call_fail(c, GR_JP_INVALID_VALUE,
		                       "at least one element in the array is required");
	long double total = 0, x;
	int kind = -1;
	for (size_t i = 0; i < a[0].u.a.len; i++) {
		int k = operand(&a[0].u.a.items[i], &x);
		if (k < 0 || (kind >= 0 && k != kind))
			return gr_jp_call_fail(c, GR_JP_INVALID_TYPE, "sum: elements must be of one kind");
		kind = k;
		total += x;
	}
	if (kind == K_NUM) {
		*out = num_value(total);
		return 0;
	}
	return kind == K_DUR ? fmt_duration(c, total, out) : fmt_quantity(c, total, out);
}

static int fn_round(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	double d = gr_number(&a[0]);
	double digits = gr_number(&a[1]);
	if (digits != floor(digits) || digits < 0)
		return gr_jp_call_fail(c, GR_JP_INVALID_VALUE,
		                       "round: digits must be a non-negative integer");
	double p = pow(10, digits);
	*out = num_value((long double)(round(d * p) / p));
	return 0;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int fn_base64_encode(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	const unsigned char *s = (const unsigned char *)a[0].u.s.ptr;
	size_t len = a[0].u.s.len;
	gr_buf b;
	gr_buf_init(&b);
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = s[i] << 16 | (i + 1 < len ? s[i + 1] << 8 : 0) | (i + 2 < len ? s[i + 2] : 0);
		gr_buf_putc(&b, b64[v >> 18 & 63]);
		gr_buf_putc(&b, b64[v >> 12 & 63]);
		gr_buf_putc(&b, i + 1 < len ? b64[v >> 6 & 63] : '=');
		gr_buf_putc(&b, i + 2 < len ? b64[v & 63] : '=');
	}
	return buf_out(c, &b, out);
}

static int fn_base64_decode(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	const char *s = a[0].u.s.ptr;
	size_t len = a[0].u.s.len;
	if (len % 4)
		return gr_jp_call_fail(c, GR_JP_INVALID_VALUE, "illegal base64 data");
	gr_buf b;
	gr_buf_init(&b);
	for (size_t i = 0; i < len; i += 4) {
		unsigned v = 0;
		int pad = 0;
		for (int k = 0; k < 4; k++) {
			const char *p = s[i + k] == '=' ? NULL : strchr(b64, s[i + k]);
			if (s[i + k] == '=') {
				pad++;
				v <<= 6;
				continue;
			}
			if (!p || !s[i + k] || pad) {
				gr_buf_free(&b);
				return gr_jp_call_fail(c, GR_JP_INVALID_VALUE, "illegal base64 data");
			}
			v = v << 6 | (unsigned)(p - b64);
		}
		gr_buf_putc(&b, (char)(v >> 16));
		if (pad < 2)
			gr_buf_putc(&b, (char)(v >> 8));
		if (pad < 1)
			gr_buf_putc(&b, (char)v);
	}
	return buf_out(c, &b, out);
}

static int fn_path_canonicalize(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	const char *s = a[0].u.s.ptr;
	size_t len = a[0].u.s.len;
	if (!len)
		return str_out(c, ".", 1, out);
	bool rooted = s[0] == '/';
	const char *segs[256];
	size_t lens[256], ns = 0;
	size_t i = 0;
	while (i < len) {
		while (i < len && s[i] == '/')
			i++;
		size_t st = i;
		while (i < len && s[i] != '/')
			i++;
		size_t l = i - st;
		if (l == 0 || (l == 1 && s[st] == '.'))
			continue;
		if (l == 2 && s[st] == '.' && s[st + 1] == '.') {
			if (ns && !(lens[ns - 1] == 2 && segs[ns - 1][0] == '.' && segs[ns - 1][1] == '.'))
				ns--;
			else if (!rooted && ns < 256) {
				segs[ns] = s + st;
				lens[ns++] = l;
			}
			continue;
		}
		if (ns < 256) {
			segs[ns] = s + st;
			lens[ns++] = l;
		}
	}
	gr_buf b;
	gr_buf_init(&b);
	if (rooted)
		gr_buf_putc(&b, '/');
	for (size_t k = 0; k < ns; k++) {
		if (k)
			gr_buf_putc(&b, '/');
		gr_buf_append(&b, segs[k], lens[k]);
	}
	if (!b.len)
		gr_buf_putc(&b, '.');
	return buf_out(c, &b, out);
}

static int fn_truncate(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	double l = gr_number(&a[1]);
	if (l < 0)
		l = 0;
	size_t k = (size_t)l < a[0].u.s.len ? (size_t)l : a[0].u.s.len;
	return str_out(c, a[0].u.s.ptr, k, out);
}

static bool parse_semver(const char *s, long long v[3])
{
	if (*s == 'v')
		s++;
	for (int i = 0; i < 3; i++) {
		if (!isdigit((unsigned char)*s))
			return false;
		v[i] = strtoll(s, (char **)&s, 10);
		if (i < 2 && *s++ != '.')
			return false;
	}
	return *s == '\0' || *s == '-' || *s == '+';
}

static int semver_cmp(const long long a[3], const long long b[3])
{
	for (int i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

/* blang/semver ranges: space-separated conjunctions, `||` alternatives */
static int fn_semver_compare(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	long long v[3];
	if (!parse_semver(a[0].u.s.ptr, v))
		return gr_jp_call_fail(c, GR_JP_INVALID_VALUE, "invalid semver %s", a[0].u.s.ptr);
	const char *r = a[1].u.s.ptr;
	bool any = false;
	while (*r && !any) {
		const char *alt_end = strstr(r, "||");
		size_t al = alt_end ? (size_t)(alt_end - r) : strlen(r);
		bool all = true;
		size_t i = 0;
		while (i < al && all) {
			while (i < al && r[i] == ' ')
				i++;
			if (i >= al)
				break;
			char op[3] = "";
			size_t o = 0;
			while (i < al && strchr("<>=!", r[i]) && o < 2)
				op[o++] = r[i++];
			op[o] = 0;
			char ver[64];
			size_t k = 0;
			while (i < al && r[i] != ' ' && k < 63)
				ver[k++] = r[i++];
			ver[k] = 0;
			long long w[3];
			if (!parse_semver(ver, w))
				return gr_jp_call_fail(c, GR_JP_INVALID_VALUE, "invalid semver range %s",
				                       a[1].u.s.ptr);
			int cmp = semver_cmp(v, w);
			if (!strcmp(op, ">"))
				all = cmp > 0;
			else if (!strcmp(op, ">="))
				all = cmp >= 0;
			else if (!strcmp(op, "<"))
				all = cmp < 0;
			else if (!strcmp(op, "<="))
				all = cmp <= 0;
			else if (!strcmp(op, "!=") || !strcmp(op, "!"))
				all = cmp != 0;
			else
				all = cmp == 0;
		}
		any = all;
		if (!alt_end)
			break;
		r = alt_end + 2;
	}
	*out = gr_make_bool(any);
	return 0;
}

static int fn_parse_json(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	gr_error err;
	if (gr_decode_json(gr_jp_call_arena(c), a[0].u.s.ptr, a[0].u.s.len, NULL, out, &err) != 0)
		return gr_jp_call_fail(c, GR_JP_INVALID_VALUE, "parse_json: %s", err.message);
	return 0;
}

static int fn_parse_yaml(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	gr_error err;
	gr_document *docs;
	size_t nd;
	if (gr_decode_yaml(gr_jp_call_arena(c), a[0].u.s.ptr, a[0].u.s.len, NULL, &docs, &nd, &err) != 0)
		return gr_jp_call_fail(c, GR_JP_INVALID_VALUE, "parse_yaml: %s", err.message);
	*out = nd ? docs[0].root : gr_null_value;
	return 0;
}

static int fn_lookup(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	*out = gr_null_value;
	if (a[0].type == GR_OBJECT) {
		if (a[1].type != GR_STRING)
			return gr_jp_call_fail(c, GR_JP_INVALID_TYPE, "lookup: an object needs a string key");
		const gr_value *v = gr_getn(&a[0], a[1].u.s.ptr, a[1].u.s.len);
		if (v)
			*out = *v;
		return 0;
	}
	if (!gr_is_number(&a[1]))
		return gr_jp_call_fail(c, GR_JP_INVALID_TYPE, "lookup: an array needs a number index");
	double d = gr_number(&a[1]);
	if (d != floor(d))
		return gr_jp_call_fail(c, GR_JP_INVALID_VALUE, "lookup: index must be an integer");
	const gr_value *v = d >= 0 ? gr_at(&a[0], (size_t)d) : NULL;
	if (v)
		*out = *v;
	return 0;
}

static int member_cmp(const void *x, const void *y)
{
	const gr_member *a = x, *b = y;
	return strcmp(a->key, b->key);
}

static int fn_items(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	size_t len = a[0].type == GR_OBJECT ? a[0].u.o.len : a[0].u.a.len;
	gr_value arr;
	memset(&arr, 0, sizeof arr);
	arr.type = GR_ARRAY;
	arr.u.a.items = gr_jp_call_alloc(c, (len ? len : 1) * sizeof(gr_value));
	gr_member *sorted = NULL;
	if (!arr.u.a.items)
		return -1;
	if (a[0].type == GR_OBJECT && len) {
		sorted = gr_jp_call_alloc(c, len * sizeof(gr_member));
		if (!sorted)
			return -1;
		memcpy(sorted, a[0].u.o.members, len * sizeof(gr_member));
		qsort(sorted, len, sizeof *sorted, member_cmp);
	}
	for (size_t i = 0; i < len; i++) {
		gr_value o;
		memset(&o, 0, sizeof o);
		o.type = GR_OBJECT;
		o.u.o.members = gr_jp_call_alloc(c, 2 * sizeof(gr_member));
		if (!o.u.o.members)
			return -1;
		o.u.o.len = 2;
		gr_member_set_key(&o.u.o.members[0], a[1].u.s.ptr, a[1].u.s.len);
		gr_member_set_key(&o.u.o.members[1], a[2].u.s.ptr, a[2].u.s.len);
		if (sorted) {
			o.u.o.members[0].value = gr_make_string_ref(sorted[i].key, sorted[i].key_len);
			o.u.o.members[1].value = sorted[i].value;
		} else {
			o.u.o.members[0].value = gr_make_int((int64_t)i);
			o.u.o.members[1].value = a[0].u.a.items[i];
		}
		arr.u.a.items[i] = o;
	}
	arr.u.a.len = len;
	*out = arr;
	return 0;
}

static int fn_object_from_lists(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	size_t len = a[0].u.a.len;
	gr_value o;
	memset(&o, 0, sizeof o);
	o.type = GR_OBJECT;
	o.u.o.members = gr_jp_call_alloc(c, (len ? len : 1) * sizeof(gr_member));
	if (!o.u.o.members)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < len; i++) {
		const gr_value *key = &a[0].u.a.items[i];
		if (key->type != GR_STRING)
			return gr_jp_call_fail(c, GR_JP_INVALID_TYPE,
			                       "object_from_lists: keys must be strings");
		gr_member_set_key(&o.u.o.members[k], key->u.s.ptr, key->u.s.len);
		o.u.o.members[k++].value = i < a[1].u.a.len ? a[1].u.a.items[i] : gr_null_value;
	}
	o.u.o.len = k;
	*out = o;
	return 0;
}

static int fn_x509_decode(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	char msg[200];
	if (ky_x509_decode(gr_jp_call_arena(c), a[0].u.s.ptr, a[0].u.s.len, out, msg, sizeof msg) != 0)
		return gr_jp_call_fail(c, GR_JP_INVALID_VALUE, "%s", msg);
	return 0;
}

static int fn_image_normalize(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	const char *img = a[0].u.s.ptr;
	const char *slash = strchr(img, '/');
	bool has_reg = false;
	if (slash) {
		size_t fl = (size_t)(slash - img);
		has_reg = memchr(img, '.', fl) || memchr(img, ':', fl) ||
		          (fl == 9 && !memcmp(img, "localhost", 9));
	}
	const char *last = strrchr(img, '/');
	const char *tail = last ? last + 1 : img;
	bool has_tag = strchr(tail, ':') != NULL || strchr(img, '@') != NULL;
	char *s = gr_arena_printf(gr_jp_call_arena(c), "%s%s%s%s", has_reg ? "" : "docker.io/",
	                          (!has_reg && !slash) ? "library/" : "", img, has_tag ? "" : ":latest");
	if (!s)
		return -1;
	*out = gr_make_string_ref(s, strlen(s));
	return 0;
}

/* ---- time (Go's time package: gotime.c) ---- */

#define RFC3339 "2006-01-02T15:04:05Z07:00"

static int time_out(gr_jp_call *c, const ky_time *t, gr_value *out)
{
	char buf[64];
	size_t n = ky_time_rfc3339(t, buf, sizeof buf);
	return str_out(c, buf, n, out);
}

static int duration_out(gr_jp_call *c, int64_t ns, gr_value *out)
{
	char buf[48];
	size_t n = ky_duration_string(ns, buf, sizeof buf);
	return str_out(c, buf, n, out);
}

/* time.Now(): the set's injectable clock, else the real one; the local
 * zone is UTC. */
static ky_time now_of(gr_jp_call *c)
{
	const gr_kyverno_set *set = gr_jp_call_userdata(c);
	ky_time t = {0, 0, 0};
	if (set && set->opt.now) {
		t.sec = set->opt.now;
		return t;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	t.sec = ts.tv_sec;
	t.nsec = (int32_t)ts.tv_nsec;
	return t;
}

static int parse_with(gr_jp_call *c, const char *layout, size_t llen, const gr_value *v, ky_time *t)
{
	char msg[200];
	if (ky_time_parse(layout, llen, v->u.s.ptr, v->u.s.len, t, msg, sizeof msg) != 0)
		return gr_jp_call_fail(c, GR_JP_INVALID_VALUE, "%s", msg);
	return 0;
}

/* an RFC 3339 argument, parsed as time.Parse(time.RFC3339, …) does */
static int time_arg(gr_jp_call *c, const gr_value *v, ky_time *t)
{
	return parse_with(c, RFC3339, sizeof RFC3339 - 1, v, t);
}

static int duration_arg(gr_jp_call *c, const gr_value *v, int64_t *d)
{
	if (!ky_duration_ns(v->u.s.ptr, v->u.s.len, d))
		return gr_jp_call_fail(c, GR_JP_INVALID_VALUE, "time: invalid duration \"%s\"", v->u.s.ptr);
	return 0;
}

static int fn_time_now(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	ky_time t = now_of(c);
	return time_out(c, &t, out);
}

/* time_since(layout, t1, t2): t2 - t1, t2 empty = now, layout empty = RFC 3339 */
static int fn_time_since(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	const char *layout = a[0].u.s.len ? a[0].u.s.ptr : RFC3339;
	size_t llen = a[0].u.s.len ? a[0].u.s.len : sizeof RFC3339 - 1;
	ky_time t1, t2;
	if (parse_with(c, layout, llen, &a[1], &t1))
		return -1;
	if (a[2].u.s.len) {
		if (parse_with(c, layout, llen, &a[2], &t2))
			return -1;
	} else {
		t2 = now_of(c);
	}
	return duration_out(c, ky_time_sub(&t2, &t1), out);
}

static int fn_time_add(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	ky_time t;
	int64_t d;
	if (time_arg(c, &a[0], &t) || duration_arg(c, &a[1], &d))
		return -1;
	t = ky_time_add(t, d);
	return time_out(c, &t, out);
}

/* Go's strconv.ParseInt(s, 10, 64). */
static bool parse_int64(const char *s, size_t len, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	if (i == len)
		return false;
	uint64_t x = 0, lim = neg ? (uint64_t)1 << 63 : ((uint64_t)1 << 63) - 1;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (x > (lim - (uint64_t)(s[i] - '0')) / 10)
			return false;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*out = neg ? (int64_t)(0 - x) : (int64_t)x;
	return true;
}

/* time_parse(layout, value): a layout that is an integer means value is
 * Unix seconds; anything else is a Go reference layout. */
static int fn_time_parse(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	int64_t ignored, secs;
	ky_time t = {0, 0, 0};
	if (parse_int64(a[0].u.s.ptr, a[0].u.s.len, &ignored)) {
		if (!parse_int64(a[1].u.s.ptr, a[1].u.s.len, &secs))
			return gr_jp_call_fail(c, GR_JP_INVALID_VALUE,
			                       "strconv.ParseInt: parsing \"%s\": invalid syntax",
			                       a[1].u.s.ptr);
		t.sec = secs;
		return time_out(c, &t, out);
	}
	if (parse_with(c, a[0].u.s.ptr, a[0].u.s.len, &a[1], &t))
		return -1;
	return time_out(c, &t, out);
}

static int fn_time_utc(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	ky_time t;
	if (time_arg(c, &a[0], &t))
		return -1;
	t.off = 0;
	return time_out(c, &t, out);
}

static int fn_time_diff(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	ky_time t1, t2;
	if (time_arg(c, &a[0], &t1) || time_arg(c, &a[1], &t2))
		return -1;
	return duration_out(c, ky_time_sub(&t2, &t1), out);
}

static int fn_time_before(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	ky_time t1, t2;
	if (time_arg(c, &a[0], &t1) || time_arg(c, &a[1], &t2))
		return -1;
	*out = gr_make_bool(ky_time_cmp(&t1, &t2) < 0);
	return 0;
}

static int fn_time_after(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	ky_time t1, t2;
	if (time_arg(c, &a[0], &t1) || time_arg(c, &a[1], &t2))
		return -1;
	*out = gr_make_bool(ky_time_cmp(&t1, &t2) > 0);
	return 0;
}

static int fn_time_between(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	ky_time t, s, e;
	if (time_arg(c, &a[0], &t) || time_arg(c, &a[1], &s) || time_arg(c, &a[2], &e))
		return -1;
	*out = gr_make_bool(ky_time_cmp(&t, &s) > 0 && ky_time_cmp(&t, &e) < 0);
	return 0;
}

static int fn_time_truncate(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	ky_time t;
	int64_t d;
	if (time_arg(c, &a[0], &t) || duration_arg(c, &a[1], &d))
		return -1;
	t = ky_time_truncate(t, d);
	return time_out(c, &t, out);
}

/* "minute hour day month weekday" in the time's own zone */
static int fn_time_to_cron(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	ky_time t;
	if (time_arg(c, &a[0], &t))
		return -1;
	ky_civil cv;
	ky_time_civil(&t, &cv);
	char buf[64];
	snprintf(buf, sizeof buf, "%d %d %d %d %d", cv.min, cv.hour, cv.day, cv.month, cv.wday);
	return str_out(c, buf, strlen(buf), out);
}

/* random(pattern): a string matching a simple pattern of literal runs and
 * [class]{n} / [class]{m,n} groups, from the set's seed. */
static int fn_random(gr_jp_call *c, const gr_value *a, size_t n, gr_value *out)
{
	const gr_kyverno_set *set = gr_jp_call_userdata(c);
	uint64_t state = set && set->opt.seed ? set->opt.seed : 0x9E3779B97F4A7C15ULL;
	for (size_t i = 0; i < a[0].u.s.len; i++)
		state = (state ^ (unsigned char)a[0].u.s.ptr[i]) * 1099511628211ULL;
	const char *p = a[0].u.s.ptr, *end = p + a[0].u.s.len;
	gr_buf b;
	gr_buf_init(&b);
	while (p < end) {
		char set_chars[256];
		size_t ns = 0;
		if (*p == '[') {
			p++;
			while (p < end && *p != ']') {
				if (p + 2 < end && p[1] == '-' && p[2] != ']') {
					for (int ch = (unsigned char)p[0];
					     ch <= (unsigned char)p[2] && ns < 255; ch++)
						set_chars[ns++] = (char)ch;
					p += 3;
				} else {
					if (ns < 255)
						set_chars[ns++] = *p;
					p++;
				}
			}
			p++;
		} else {
			set_chars[ns++] = *p++;
		}
		long lo = 1, hi = 1;
		if (p < end && *p == '{') {
			lo = strtol(p + 1, (char **)&p, 10);
			hi = lo;
			if (*p == ',')
				hi = strtol(p + 1, (char **)&p, 10);
			if (*p == '}')
				p++;
		}
		if (hi < lo)
			hi = lo;
		if (hi > 4096)
			hi = 4096;
		state = state * 6364136223846793005ULL + 1442695040888963407ULL;
		long count = lo + (long)((state >> 33) % (uint64_t)(hi - lo + 1));
		for (long k = 0; k < count && ns; k++) {
			state = state * 6364136223846793005ULL + 1442695040888963407ULL;
			gr_buf_putc(&b, set_chars[(state >> 33) % ns]);
		}
	}
	return buf_out(c, &b, out);
}

int ky_register_functions(gr_kyverno_set *set)
{
	set->functions = gr_jp_functions_new();
	if (!set->functions)
		return -1;
	/* Kyverno's interpreter: `null.expr` is null (a projection drops it) */
	gr_jp_functions_set_flags(set->functions, GR_JP_NULL_SUBEXPRESSION);
	const unsigned SN = STR | NUM;
	gr_jp_function fns[] = {
	        {"compare", {STR, STR}, 2, false, fn_compare, set},
	        {"equal_fold", {STR, STR}, 2, false, fn_equal_fold, set},
	        {"replace", {STR, STR, STR, NUM}, 4, false, fn_replace, set},
	        {"replace_all", {STR, STR, STR}, 3, false, fn_replace_all, set},
	        {"to_upper", {STR}, 1, false, fn_to_upper, set},
	        {"to_lower", {STR}, 1, false, fn_to_lower, set},
	        {"trim", {STR, STR}, 2, false, fn_trim, set},
	        {"trim_prefix", {STR, STR}, 2, false, fn_trim_prefix, set},
	        {"split", {STR, STR}, 2, false, fn_split, set},
	        {"regex_replace_all", {STR, SN, SN}, 3, false, fn_regex_replace_all, set},
	        {"regex_replace_all_literal", {STR, SN, SN}, 3, false, fn_regex_replace_all_literal, set},
	        {"regex_match", {STR, SN}, 2, false, fn_regex_match, set},
	        {"pattern_match", {STR, SN}, 2, false, fn_pattern_match, set},
	        {"label_match", {OBJ, OBJ}, 2, false, fn_label_match, set},
	        {"to_boolean", {STR}, 1, false, fn_to_boolean, set},
	        {"add", {ANY, ANY}, 2, false, fn_add, set},
	        {"subtract", {ANY, ANY}, 2, false, fn_subtract, set},
	        {"multiply", {ANY, ANY}, 2, false, fn_multiply, set},
	        {"divide", {ANY, ANY}, 2, false, fn_divide, set},
	        {"modulo", {ANY, ANY}, 2, false, fn_modulo, set},
	        {"sum", {ARR}, 1, false, fn_sum, set},
	        {"round", {NUM, NUM}, 2, false, fn_round, set},
	        {"base64_decode", {STR}, 1, false, fn_base64_decode, set},
	        {"base64_encode", {STR}, 1, false, fn_base64_encode, set},
	        {"path_canonicalize", {STR}, 1, false, fn_path_canonicalize, set},
	        {"truncate", {STR, NUM}, 2, false, fn_truncate, set},
	        {"semver_compare", {STR, STR}, 2, false, fn_semver_compare, set},
	        {"parse_json", {STR}, 1, false, fn_parse_json, set},
	        {"parse_yaml", {STR}, 1, false, fn_parse_yaml, set},
	        {"lookup", {OBJ | ARR, STR | NUM}, 2, false, fn_lookup, set},
	        {"items", {OBJ | ARR, STR, STR}, 3, false, fn_items, set},
	        {"object_from_lists", {ARR, ARR}, 2, false, fn_object_from_lists, set},
	        {"random", {STR}, 1, false, fn_random, set},
	        {"x509_decode", {STR}, 1, false, fn_x509_decode, set},
	        {"image_normalize", {STR}, 1, false, fn_image_normalize, set},
	        {"time_now", {0}, 0, false, fn_time_now, set},
	        {"time_now_utc", {0}, 0, false, fn_time_now, set},
	        {"time_since", {STR, STR, STR}, 3, false, fn_time_since, set},
	        {"time_add", {STR, STR}, 2, false, fn_time_add, set},
	        {"time_parse", {STR, STR}, 2, false, fn_time_parse, set},
	        {"time_to_cron", {STR}, 1, false, fn_time_to_cron, set},
	        {"time_utc", {STR}, 1, false, fn_time_utc, set},
	        {"time_diff", {STR, STR}, 2, false, fn_time_diff, set},
	        {"time_before", {STR, STR}, 2, false, fn_time_before, set},
	        {"time_after", {STR, STR}, 2, false, fn_time_after, set},
	        {"time_between", {STR, STR, STR}, 3, false, fn_time_between, set},
	        {"time_truncate", {STR, STR}, 2, false, fn_time_truncate, set},
	};
	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
		if (gr_jp_functions_add(set->functions, &fns[i]) != 0)
			return -1;
	return 0;
}
