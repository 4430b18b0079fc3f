/*
 * yaml_resolve.c — what a YAML scalar means to kubectl: go-yaml v2's
 * resolve() (gopkg.in/yaml.v2 v2.4.0 resolve.go, which sigs.k8s.io/yaml
 * vendors as goyaml.v2), its decoder's handling of !!binary, and the
 * YAML-to-JSON step of sigs.k8s.io/yaml (yaml.go, convertToJSONableObject)
 * that turns map keys into strings.
 *
 * The rules, in the order resolve() applies them to a plain scalar (or one
 * with a resolvable tag: !!str !!bool !!int !!float !!null !!timestamp):
 *   - a table of words: y/Y/yes/Yes/YES/true/True/TRUE/on/On/ON are true,
 *     their n/no/false/off forms false, ""/~/null/Null/NULL null, .nan/.NaN/
 *     .NAN, [+-].inf/.Inf/.INF floats, << the merge key;
 *   - starting with '.': Go's ParseFloat of the text as it is (".5", ".5e3");
 *   - starting with a digit or sign: a timestamp (YYYY-...) stays a string;
 *     then, with '_' removed, Go's ParseInt(s, 0, 64) (0x, 0o, 0b, 0 octal
 *     prefixes), then ParseUint, then — only if it matches v2.4.0's float
 *     pattern ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ —
 *     ParseFloat, which fails on overflow: 1e400 is a string;
 *   - anything else is a string.
 * A tag that disagrees fails ("cannot decode !!str `x` as a !!int"), except
 * that !!float accepts an integer. Unknown tags (!foo, !!set) leave the text
 * a string; !!binary is base64-decoded (Go's StdEncoding, which skips CR and
 * LF) into a string.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The word table of resolve.go (resolveMapList), with lengths, so a lookup
 * compares lengths before bytes. */
typedef struct word {
	const char *s;
	unsigned char n;
	gri_rkind kind;
	signed char value; /* bool: 0/1; float: 0 NaN, 1 +Inf, -1 -Inf */
} word;

#define W(str, k, v)                                                                                         \
	{                                                                                                    \
		str, sizeof str - 1, k, v                                                                    \
	}
/* By length: [by_len[n], by_len[n + 1]) are the words of n bytes. */
static const word words[] = {
        W("", GRI_R_NULL, 0),        W("~", GRI_R_NULL, 0),       W("y", GRI_R_BOOL, 1),
        W("Y", GRI_R_BOOL, 1),       W("n", GRI_R_BOOL, 0),       W("N", GRI_R_BOOL, 0),
        W("on", GRI_R_BOOL, 1),      W("On", GRI_R_BOOL, 1),      W("ON", GRI_R_BOOL, 1),
        W("no", GRI_R_BOOL, 0),      W("No", GRI_R_BOOL, 0),      W("NO", GRI_R_BOOL, 0),
        W("<<", GRI_R_MERGE, 0),     W("yes", GRI_R_BOOL, 1),     W("Yes", GRI_R_BOOL, 1),
        W("YES", GRI_R_BOOL, 1),     W("off", GRI_R_BOOL, 0),     W("Off", GRI_R_BOOL, 0),
        W("OFF", GRI_R_BOOL, 0),     W("null", GRI_R_NULL, 0),    W("Null", GRI_R_NULL, 0),
        W("NULL", GRI_R_NULL, 0),    W("true", GRI_R_BOOL, 1),    W("True", GRI_R_BOOL, 1),
        W("TRUE", GRI_R_BOOL, 1),    W(".nan", GRI_R_FLOAT, 0),   W(".NaN", GRI_R_FLOAT, 0),
        W(".NAN", GRI_R_FLOAT, 0),   W(".inf", GRI_R_FLOAT, 1),   W(".Inf", GRI_R_FLOAT, 1),
        W(".INF", GRI_R_FLOAT, 1),   W("false", GRI_R_BOOL, 0),   W("False", GRI_R_BOOL, 0),
        W("FALSE", GRI_R_BOOL, 0),   W("+.inf", GRI_R_FLOAT, 1),  W("+.Inf", GRI_R_FLOAT, 1),
        W("+.INF", GRI_R_FLOAT, 1),  W("-.inf", GRI_R_FLOAT, -1), W("-.Inf", GRI_R_FLOAT, -1),
        W("-.INF", GRI_R_FLOAT, -1),
};
static const unsigned char by_len[7] = {0, 1, 6, 13, 19, 31, 40};
#undef W

_Static_assert(sizeof words / sizeof words[0] == 40, "by_len counts the words");

/* The word table; 1 when s is in it. */
static int resolve_word(const char *s, size_t n, gri_resolved *r)
{
	if (n > 5)
		return 0; /* every word of the table is at most 5 bytes */
	for (size_t i = by_len[n]; i < by_len[n + 1]; i++) {
		const word *w = &words[i];
		if (n && (w->s[0] != s[0] || memcmp(w->s, s, n) != 0))
			continue;
		r->kind = w->kind;
		r->b = w->value == 1;
		if (w->kind == GRI_R_FLOAT)
			r->d = w->value == 0 ? NAN : w->value > 0 ? INFINITY : -INFINITY;
		return 1;
	}
	return 0;
}

/* Go's strconv.ParseUint(s, 0, 64) (no underscores left). 0 or -1. */
static int go_parse_uint(const char *s, size_t n, uint64_t *out)
{
	unsigned base = 10;
	if (n == 0)
		return -1;
	if (s[0] == '0') {
		char c = n >= 3 ? (char)(s[1] | 0x20) : 0;
		base = c == 'b' ? 2 : c == 'o' ? 8 : c == 'x' ? 16 : 8;
		s += base == 8 && c != 'o' ? 1 : 2;
		n -= base == 8 && c != 'o' ? 1 : 2;
	}
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		unsigned d = c >= '0' && c <= '9'                     ? c - '0'
		             : (c | 0x20) >= 'a' && (c | 0x20) <= 'z' ? (c | 0x20) - 'a' + 10
		                                                      : 99;
		if (d >= base)
			return -1;
		if (v > (UINT64_MAX - d) / base)
			return -1; /* range error */
		v = v * base + d;
	}
	*out = v;
	return 0;
}

/* Go's strconv.ParseInt(s, 0, 64). */
static int go_parse_int(const char *s, size_t n, int64_t *out)
{
	int neg = 0;
	if (n && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		s++;
		n--;
	}
	uint64_t u;
	if (go_parse_uint(s, n, &u))
		return -1;
	if (neg ? u > (uint64_t)INT64_MAX + 1 : u > (uint64_t)INT64_MAX)
		return -1;
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* v2.4.0's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static int v2_float_syntax(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i < n && s[i] == '.') {
		i++;
		size_t d = i;
		while (i < n && is_digit(s[i]))
			i++;
		if (i == d)
			return 0;
	} else {
		size_t d = i;
		while (i < n && is_digit(s[i]))
			i++;
		if (i == d)
			return 0;
		if (i < n && s[i] == '.') {
			i++;
			while (i < n && is_digit(s[i]))
				i++;
		}
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t e = i;
		while (i < n && is_digit(s[i]))
			i++;
		if (i == e)
			return 0;
	}
	return i == n;
}

/* Go's ParseFloat of a text starting with '.': ^\.[0-9]+([eE][-+]?[0-9]+)?$ */
static int dot_float_syntax(const char *s, size_t n)
{
	size_t i = 1, d = 0;
	while (i < n && is_digit(s[i]))
		i++, d++;
	if (!d)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t e = i;
		while (i < n && is_digit(s[i]))
			i++;
		if (i == e)
			return 0;
	}
	return i == n;
}

/* ParseFloat on a syntactically valid decimal: fails only on overflow. */
static int parse_finite(const char *s, size_t n, double *out)
{
	char buf[256];
	char *tmp = buf;
	if (n >= sizeof buf)
		return -1; /* longer numbers than this are not worth a heap copy: fall back to a string */
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	double d = gri_strtod(tmp, NULL);
	if (isinf(d))
		return -1;
	*out = d;
	return 0;
}

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Go's getnum(s, false): one or two digits. */
static int num12(const char *s, size_t n, size_t *i, int *v)
{
	if (*i >= n || !is_digit(s[*i]))
		return -1;
	*v = s[(*i)++] - '0';
	if (*i < n && is_digit(s[*i]))
		*v = *v * 10 + (s[(*i)++] - '0');
	return 0;
}

/*
 * go-yaml v2's parseTimestamp: time.Parse with "2006-1-2T15:4:5.999999999Z07:00"
 * (also with a lower-case t), "2006-1-2 15:4:5.999999999" and "2006-1-2".
 */
int gri_parse_timestamp(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && is_digit(s[i]))
		i++;
	if (i != 4 || i == n || s[i] != '-')
		return 0;
	int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int month, day;
	i++;
	if (num12(s, n, &i, &month) || month < 1 || month > 12 || i >= n || s[i] != '-')
		return 0;
	i++;
	if (num12(s, n, &i, &day))
		return 0;
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (day < 1 || day > mdays[month - 1] + (month == 2 && leap(year)))
		return 0;
	if (i == n)
		return 1;
	char sep = s[i];
	if (sep != 'T' && sep != 't' && sep != ' ')
		return 0;
	i++;
	int h, m, sec;
	if (num12(s, n, &i, &h) || h > 23 || i >= n || s[i++] != ':' || num12(s, n, &i, &m) || m > 59 ||
	    i >= n || s[i++] != ':' || num12(s, n, &i, &sec) || sec > 59)
		return 0;
	if (i + 1 < n && (s[i] == '.' || s[i] == ',') && is_digit(s[i + 1])) {
		i++;
		while (i < n && is_digit(s[i]))
			i++;
	}
	if (sep == ' ')
		return i == n;
	if (i < n && s[i] == 'Z')
		return i + 1 == n;
	if (n - i != 6 || (s[i] != '+' && s[i] != '-') || !is_digit(s[i + 1]) || !is_digit(s[i + 2]) ||
	    s[i + 3] != ':' || !is_digit(s[i + 4]) || !is_digit(s[i + 5]))
		return 0;
	int oh = (s[i + 1] - '0') * 10 + (s[i + 2] - '0'), om = (s[i + 4] - '0') * 10 + (s[i + 5] - '0');
	return oh <= 24 && om <= 60;
}

/* The untagged (or resolvable-tag) resolution of go-yaml v2's resolve(). */
static void resolve_text(const char *tag, const char *in, size_t n, gri_resolved *r)
{
	memset(r, 0, sizeof *r);
	r->kind = GRI_R_STR;
	char c = n ? in[0] : 'N';
	int hint = c == '+' || c == '-'            ? 'S'
	           : is_digit(c)                   ? 'D'
	           : c == '.'                      ? '.'
	           : strchr("yYnNtTfFoO~", c) && c ? 'M'
	                                           : 0;
	if (n == 0)
		hint = 'N';
	if (!hint || strcmp(tag, "!!str") == 0)
		return;
	if (hint != 'D' && resolve_word(in, n, r)) /* no word starts with a digit */
		return;
	if (hint == '.') {
		if (dot_float_syntax(in, n) && parse_finite(in, n, &r->d) == 0)
			r->kind = GRI_R_FLOAT;
		return;
	}
	if (hint != 'D' && hint != 'S')
		return;
	if ((tag[0] == '\0' || strcmp(tag, "!!timestamp") == 0) && gri_parse_timestamp(in, n)) {
		r->kind = GRI_R_TIMESTAMP;
		return;
	}
	char plain[128];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (in[i] == '_')
			continue;
		if (k == sizeof plain - 1)
			return; /* no number is this long: a string */
		plain[k++] = in[i];
	}
	plain[k] = '\0';
	if (go_parse_int(plain, k, &r->i) == 0) {
		r->kind = GRI_R_INT;
		return;
	}
	if (go_parse_uint(plain, k, &r->u) == 0) {
		r->kind = GRI_R_UINT;
		return;
	}
	if (v2_float_syntax(plain, k) && parse_finite(plain, k, &r->d) == 0)
		r->kind = GRI_R_FLOAT;
}

static const char *kind_tag(gri_rkind k)
{
	switch (k) {
	case GRI_R_NULL: return "!!null";
	case GRI_R_BOOL: return "!!bool";
	case GRI_R_INT:
	case GRI_R_UINT: return "!!int";
	case GRI_R_FLOAT: return "!!float";
	case GRI_R_TIMESTAMP: return "!!timestamp";
	case GRI_R_MERGE: return "!!merge";
	case GRI_R_BINARY: return "!!binary";
	case GRI_R_STR: break;
	}
	return "!!str";
}

int gri_yaml_resolve(const char *tag, const char *in, size_t n, gri_resolved *r, char *msg, size_t msgcap)
{
	if (tag[0] == '\0') {
		/* untagged: most scalars are names, images and paths, settled by
		 * their first byte before any table is looked at */
		if (gri_plain_is_string(in, n)) {
			memset(r, 0, sizeof *r);
			r->kind = GRI_R_STR;
			return 0;
		}
		char c = n ? in[0] : 'N';
		if (!(c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'))) {
			/* a word of the table, or a string (resolve_text's 'M') */
			memset(r, 0, sizeof *r);
			r->kind = GRI_R_STR;
			resolve_word(in, n, r);
			return 0;
		}
		resolve_text(tag, in, n, r);
		return 0;
	}
	static const char *const resolvable[] = {"!!str",  "!!bool",      "!!int", "!!float",
	                                         "!!null", "!!timestamp", NULL};
	int ok_tag = 0;
	for (const char *const *t = resolvable; *t; t++)
		if (strcmp(tag, *t) == 0)
			ok_tag = 1;
	if (!ok_tag) {
		memset(r, 0, sizeof *r);
		r->kind = strcmp(tag, "!!binary") == 0 ? GRI_R_BINARY : GRI_R_STR;
		return 0;
	}
	resolve_text(tag, in, n, r);
	const char *rtag = kind_tag(r->kind);
	if (tag[0] == '\0' || strcmp(tag, rtag) == 0 || strcmp(tag, "!!str") == 0)
		return 0;
	if (strcmp(tag, "!!float") == 0 && r->kind == GRI_R_INT) {
		r->kind = GRI_R_FLOAT;
		r->d = (double)r->i;
		return 0;
	}
	snprintf(msg, msgcap, "cannot decode %s `%.*s` as a %s", rtag, n > 80 ? 80 : (int)n, in, tag);
	return -1;
}

/* ---- !!binary ---- */

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_valid_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	size_t l = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
	if (!l || n < l)
		return 0;
	for (size_t i = 1; i < l; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0) || (c == 0xF0 && s[1] < 0x90) ||
	    (c == 0xF4 && s[1] >= 0x90))
		return 0;
	return l;
}

/* Go's base64.StdEncoding.DecodeString: CR and LF skipped anywhere, padding
 * required, nothing after it. Bytes to raw (room for n/4*3+3); -1 if bad. */
static int base64_decode(const char *s, size_t n, unsigned char *raw, size_t *out_len)
{
	size_t k = 0, q = 0, pad = 0;
	int done = 0; /* a padded quantum ended the data */
	unsigned acc = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\r' || c == '\n')
			continue;
		if (done)
			return -1; /* data after the padding */
		if (c == '=') {
			if (q < 2)
				return -1;
			pad++;
			if (++q == 4)
				done = 1;
			continue;
		}
		if (pad)
			return -1; /* "xx=x" */
		int v = b64_value(c);
		if (v < 0)
			return -1;
		acc = acc << 6 | (unsigned)v;
		if (++q == 4) {
			raw[k++] = (unsigned char)(acc >> 16);
			raw[k++] = (unsigned char)(acc >> 8);
			raw[k++] = (unsigned char)acc;
			acc = 0;
			q = 0;
		}
	}
	if (q != 0 && !done)
		return -1;
	if (pad == 1) {
		acc <<= 6;
		raw[k++] = (unsigned char)(acc >> 16);
		raw[k++] = (unsigned char)(acc >> 8);
	} else if (pad == 2) {
		acc <<= 12;
		raw[k++] = (unsigned char)(acc >> 16);
	}
	*out_len = k;
	return 0;
}

/* encoding/json's rule for a string that is not UTF-8: each bad byte
 * becomes U+FFFD. Returns raw itself when it is valid; NULL on exhaustion. */
static unsigned char *coerce_utf8(gr_arena *a, unsigned char *raw, size_t *len)
{
	size_t k = *len, bad = 0;
	for (size_t i = 0; i < k;) {
		size_t l = utf8_valid_len(raw + i, k - i);
		bad += !l;
		i += l ? l : 1;
	}
	if (!bad)
		return raw;
	unsigned char *o = gr_arena_alloc(a, k + bad * 2 + 1);
	if (!o)
		return NULL;
	size_t w = 0;
	for (size_t i = 0; i < k;) {
		size_t l = utf8_valid_len(raw + i, k - i);
		if (!l) {
			memcpy(o + w, "\xEF\xBF\xBD", 3);
			w += 3;
			i++;
			continue;
		}
		memcpy(o + w, raw + i, l);
		w += l;
		i += l;
	}
	o[w] = '\0';
	*len = w;
	return o;
}

/* !!binary as go-yaml's decoder reads it, then as encoding/json writes it. */
int gri_decode_binary(gr_arena *a, const char *s, size_t n, const char **out, size_t *out_len, int *err_oom)
{
	*err_oom = 0;
	unsigned char *raw = gr_arena_alloc(a, n / 4 * 3 + 4);
	if (!raw)
		return *err_oom = 1, -1;
	size_t k;
	if (base64_decode(s, n, raw, &k))
		return -1;
	raw[k] = '\0';
	unsigned char *o = coerce_utf8(a, raw, &k);
	if (!o)
		return *err_oom = 1, -1;
	*out = (const char *)o;
	*out_len = k;
	return 0;
}

/* ---- float keys ---- */

/*
 * strconv.FormatFloat(f, 'g', -1, 32), as sigs.k8s.io/yaml writes a float
 * map key, with +Inf, -Inf and NaN written .inf, -.inf and .nan.
 */
size_t gri_format_float32(double d, char out[40])
{
	float f = (float)d;
	if (isnan(f))
		return (size_t)snprintf(out, 40, ".nan");
	if (isinf(f))
		return (size_t)snprintf(out, 40, f > 0 ? ".inf" : "-.inf");
	if (f == 0)
		return (size_t)snprintf(out, 40, signbit(f) ? "-0" : "0");
	char tmp[40];
	int p;
	for (p = 1; p < 9; p++) {
		snprintf(tmp, sizeof tmp, "%.*e", p - 1, (double)f);
		for (char *q = tmp; *q; q++)
			if (*q == ',')
				*q = '.'; /* printf follows LC_NUMERIC; strtof here reads the C locale */
		if (gri_strtof(tmp, NULL) == f)
			break;
	}
	snprintf(tmp, sizeof tmp, "%.*e", p - 1, (double)f);
	char digits[16];
	int nd = 0;
	const char *q = tmp;
	for (; *q && *q != 'e'; q++)
		if (is_digit(*q) && nd < 15)
			digits[nd++] = *q;
	int exp = atoi(q + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	size_t k = 0;
	if (f < 0)
		out[k++] = '-';
	if (exp < -4 || exp >= 6) {
		out[k++] = digits[0];
		if (nd > 1) {
			out[k++] = '.';
			memcpy(out + k, digits + 1, (size_t)nd - 1);
			k += (size_t)nd - 1;
		}
		k += (size_t)snprintf(out + k, 40 - k, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
		return k;
	}
	int dp = exp + 1;
	if (dp <= 0) {
		out[k++] = '0';
		out[k++] = '.';
		for (int i = 0; i < -dp; i++)
			out[k++] = '0';
		memcpy(out + k, digits, (size_t)nd);
		k += (size_t)nd;
	} else {
		for (int i = 0; i < dp || i < nd; i++) {
			if (i == dp)
				out[k++] = '.';
			out[k++] = i < nd ? digits[i] : '0';
		}
	}
	out[k] = '\0';
	return k;
}
