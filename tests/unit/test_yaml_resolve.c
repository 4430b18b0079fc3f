/*
 * test_yaml_resolve.c — plain YAML scalars against go-yaml v2's resolution,
 * written from its source: gopkg.in/yaml.v2 v2.4.0, resolve.go (resolve(),
 * resolveMapList, yamlStyleFloat), decode.go (d.scalar: !!binary), and
 * sigs.k8s.io/yaml v1.4.0 yaml.go (convertToJSONableObject, then
 * encoding/json: NaN and ±Inf fail, integral floats print without a
 * fraction and read back as int64).
 *
 * Two parts. A hand-written table of tricky scalars with what kubectl ends
 * up with. And a differential run: every string of up to 4 characters over
 * an alphabet of number-ish characters (about 24,000 scalars), resolved by
 * the model below — a direct transcription of resolve() that uses POSIX
 * regcomp for yamlStyleFloat and strtoull for Go's ParseUint — and by the
 * decoder, which must agree on every one.
 */
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/guardrail.h"
#include "testlib.h"

static gr_arena arena;

/* ---- the model: resolve.go v2.4.0, line by line ---- */

typedef enum { M_STR, M_NULL, M_BOOL, M_INT, M_UINT, M_FLOAT, M_ERROR } mkind;
typedef struct {
	mkind k;
	int b;
	long long i;
	unsigned long long u;
	double d;
} model;

static regex_t yaml_style_float; /* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static regex_t dot_float;        /* what Go's ParseFloat accepts after a leading '.' */

/* strconv.ParseUint(s, 0, 64) */
static int parse_uint(const char *s, unsigned long long *out)
{
	int base = 10;
	if (!*s)
		return -1;
	if (s[0] == '0') {
		size_t n = strlen(s);
		if (n >= 3 && (s[1] == 'x' || s[1] == 'X'))
			base = 16, s += 2;
		else if (n >= 3 && (s[1] == 'o' || s[1] == 'O'))
			base = 8, s += 2;
		else if (n >= 3 && (s[1] == 'b' || s[1] == 'B'))
			base = 2, s += 2;
		else
			base = 8, s += 1;
		if (!*s) {
			*out = 0;
			return 0; /* "0" */
		}
	}
	for (const char *p = s; *p; p++) {
		int d = *p >= '0' && *p <= '9'                 ? *p - '0'
		        : (*p | 32) >= 'a' && (*p | 32) <= 'f' ? (*p | 32) - 'a' + 10
		                                               : 99;
		if (d >= base)
			return -1;
	}
	errno = 0;
	char *end;
	*out = strtoull(s, &end, base);
	return errno || *end ? -1 : 0;
}

/* strconv.ParseInt(s, 0, 64) */
static int parse_int(const char *s, long long *out)
{
	int neg = *s == '-';
	if (*s == '+' || *s == '-')
		s++;
	unsigned long long u;
	if (parse_uint(s, &u))
		return -1;
	if (neg ? u > 9223372036854775808ULL : u > 9223372036854775807ULL)
		return -1;
	*out = neg ? (long long)(0 - u) : (long long)u;
	return 0;
}

static int parse_float(const char *s, double *out)
{
	*out = strtod(s, NULL);
	return isinf(*out) ? -1 : 0; /* ParseFloat fails on overflow only */
}

static model resolve_model(const char *in)
{
	model m = {M_STR, 0, 0, 0, 0};
	static const char *const t[] = {"y",    "Y",    "yes", "Yes", "YES", "true",
	                                "True", "TRUE", "on",  "On",  "ON",  0};
	static const char *const f[] = {"n",     "N",     "no",  "No",  "NO",  "false",
	                                "False", "FALSE", "off", "Off", "OFF", 0};
	static const char *const z[] = {"", "~", "null", "Null", "NULL", 0};
	for (int i = 0; t[i]; i++)
		if (!strcmp(in, t[i]))
			return (model){M_BOOL, 1, 0, 0, 0};
	for (int i = 0; f[i]; i++)
		if (!strcmp(in, f[i]))
			return (model){M_BOOL, 0, 0, 0, 0};
	for (int i = 0; z[i]; i++)
		if (!strcmp(in, z[i]))
			return (model){M_NULL, 0, 0, 0, 0};
	if (!strcmp(in, ".nan") || !strcmp(in, ".NaN") || !strcmp(in, ".NAN") || !strcmp(in, ".inf") ||
	    !strcmp(in, ".Inf") || !strcmp(in, ".INF") || !strcmp(in, "+.inf") || !strcmp(in, "+.Inf") ||
	    !strcmp(in, "+.INF") || !strcmp(in, "-.inf") || !strcmp(in, "-.Inf") || !strcmp(in, "-.INF"))
		return (model){M_ERROR, 0, 0, 0, 0}; /* json: unsupported value */
	char c = in[0];
	if (c == '.') {
		if (regexec(&dot_float, in, 0, NULL, 0) == 0 && parse_float(in, &m.d) == 0)
			m.k = M_FLOAT;
		return m;
	}
	if (!(c == '+' || c == '-' || (c >= '0' && c <= '9')))
		return m;
	char plain[64];
	size_t k = 0;
	for (const char *p = in; *p && k < sizeof plain - 1; p++)
		if (*p != '_')
			plain[k++] = *p;
	plain[k] = 0;
	if (parse_int(plain, &m.i) == 0)
		return m.k = M_INT, m;
	if (parse_uint(plain, &m.u) == 0)
		return m.k = M_UINT, m;
	if (regexec(&yaml_style_float, plain, 0, NULL, 0) == 0 && parse_float(plain, &m.d) == 0)
		return m.k = M_FLOAT, m;
	return m;
}

/* Does the decoder's value for `v: <s>` match the model? */
static int agrees(const char *s, char *why, size_t cap)
{
	char doc[64];
	snprintf(doc, sizeof doc, "v: %s\n", s);
	gr_document *docs;
	size_t n;
	gr_error err;
	int rc = gr_decode_yaml(&arena, doc, strlen(doc), NULL, &docs, &n, &err);
	model m = resolve_model(s);
	if (rc != 0) {
		snprintf(why, cap, "decoder error %.200s", err.message);
		return m.k == M_ERROR;
	}
	if (m.k == M_ERROR) {
		snprintf(why, cap, "decoded, model says error");
		return 0;
	}
	const gr_value *v = n == 1 ? gr_get(&docs[0].root, "v") : NULL;
	if (!v) {
		snprintf(why, cap, "no value");
		return 0;
	}
	snprintf(why, cap, "type %s", gr_type_name(v->type));
	switch (m.k) {
	case M_STR: return v->type == GR_STRING && strcmp(v->u.s.ptr, s) == 0;
	case M_NULL: return v->type == GR_NULL;
	case M_BOOL: return v->type == GR_BOOL && v->u.b == m.b;
	case M_INT: return v->type == GR_INT && v->u.i == m.i;
	case M_UINT: return v->type == GR_DOUBLE && v->u.d == (double)m.u;
	case M_FLOAT:
		if (m.d == floor(m.d) && m.d >= -9223372036854775808.0 && m.d < 9223372036854775808.0)
			return v->type == GR_INT && v->u.i == (long long)m.d;
		return v->type == GR_DOUBLE && v->u.d == m.d;
	case M_ERROR: break;
	}
	return 0;
}

/* ---- the hand-written table ---- */

static void expect(const char *yaml, const char *json)
{
	gr_document *docs;
	size_t n;
	gr_error err;
	gr_error_clear(&err);
	char got[512];
	if (gr_decode_yaml(&arena, yaml, strlen(yaml), NULL, &docs, &n, &err) != 0) {
		snprintf(got, sizeof got, "error: %.400s", err.message);
	} else {
		gr_buf b;
		gr_buf_init(&b);
		if (n)
			gr_write_json(&b, &docs[0].root, -1);
		snprintf(got, sizeof got, "%s", b.data ? b.data : "");
		gr_buf_free(&b);
	}
	if (strncmp(json, "error: ", 7) == 0) {
		if (strncmp(got, "error: ", 7) == 0 && strstr(got, json + 7)) {
			test_passed++;
			return;
		}
		test_failed++;
		fprintf(stderr, "%s: expected %s, got %s\n", yaml, json, got);
		return;
	}
	CHECK_STR(got, json);
}

int main(void)
{
	gr_arena_init(&arena);
	if (regcomp(&yaml_style_float, "^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$",
	            REG_EXTENDED) ||
	    regcomp(&dot_float, "^\\.[0-9]+([eE][-+]?[0-9]+)?$", REG_EXTENDED)) {
		fprintf(stderr, "regcomp failed\n");
		return 1;
	}
	/* numbers */
	expect("a: 1e400", "{\"a\":\"1e400\"}"); /* ParseFloat overflows: a string */
	expect("a: -1e400", "{\"a\":\"-1e400\"}");
	expect("a: 1e-400", "{\"a\":0}"); /* underflow is no error in Go */
	expect("a: 1e3", "{\"a\":1000}");
	expect("a: 1.", "{\"a\":1}");
	expect("a: .5e1", "{\"a\":5}");
	expect("a: ._5", "{\"a\":\"._5\"}"); /* '.' hint: ParseFloat of the raw text */
	expect("a: 1_0.5", "{\"a\":10.5}");  /* digits: '_' removed first */
	expect("a: 0x_1F", "{\"a\":31}");
	expect("a: 0xFFFFFFFFFFFFFFFFF",
	       "{\"a\":\"0xFFFFFFFFFFFFFFFFF\"}");                          /* over uint64, no float syntax */
	expect("a: 18446744073709551615", "{\"a\":18446744073709552000}");  /* uint64, then float64 in JSON */
	expect("a: 99999999999999999999", "{\"a\":100000000000000000000}"); /* over uint64: a float */
	expect("a: 0b", "{\"a\":\"0b\"}");
	expect("a: 0o", "{\"a\":\"0o\"}");
	expect("a: 09", "{\"a\":9}"); /* not octal; a float 9 */
	expect("a: 0", "{\"a\":0}");
	expect("a: -0", "{\"a\":0}");
	expect("a: +0x10", "{\"a\":16}");
	expect("a: 1:30", "{\"a\":\"1:30\"}"); /* no base 60 in v2 */
	expect("a: 12e", "{\"a\":\"12e\"}");
	expect("a: 0x1p3", "{\"a\":\"0x1p3\"}"); /* hex floats: no float syntax */
	/* special floats: encoding/json refuses them */
	expect("a: .inf", "error: +Inf");
	expect("a: -.Inf", "error: -Inf");
	expect("a: .nan", "error: NaN");
	expect("a: .NaN\n", "error: NaN");
	expect("a: .iNf", "{\"a\":\".iNf\"}");
	expect(".inf: 1", "{\".inf\":1}"); /* as a key it is a string */
	/* timestamps stay their text */
	expect("a: 2001-12-14t21:59:43.10-05:00", "{\"a\":\"2001-12-14t21:59:43.10-05:00\"}");
	expect("a: !!timestamp 2001-12-14", "{\"a\":\"2001-12-14\"}");
	expect("a: !!timestamp 2001-13-14", "error: cannot decode !!str `2001-13-14` as a !!timestamp");
	expect("a: !!timestamp 2001-02-29", "error: as a !!timestamp");
	expect("a: !!timestamp 2000-02-29 1:2:3.5", "{\"a\":\"2000-02-29 1:2:3.5\"}");
	/* tags */
	expect("a: !!str 1e3", "{\"a\":\"1e3\"}");
	expect("a: !!str", "{\"a\":\"\"}");
	expect("a: !!int \"12\"", "{\"a\":12}");
	expect("a: !!int 1.5", "error: cannot decode !!float `1.5` as a !!int");
	expect("a: !!float 7", "{\"a\":7}");
	expect("a: !!float 18446744073709551615", "error: cannot decode !!int");
	expect("a: !!bool yes", "{\"a\":true}");
	expect("a: !!bool 1", "error: cannot decode !!int `1` as a !!bool");
	expect("a: !!null ~", "{\"a\":null}");
	expect("a: !!null x", "error: as a !!null");
	expect("a: !foo 12", "{\"a\":\"12\"}"); /* unknown local tag: the text */
	expect("a: !!set 12", "{\"a\":\"12\"}");
	expect("a: ! 12", "{\"a\":\"12\"}");
	expect("a: !!binary aGVsbG8=", "{\"a\":\"hello\"}");
	expect("a: !!binary |\n  aGVs\n  bG8=\n", "{\"a\":\"hello\"}");
	expect("a: !!binary aGVsbG8", "error: invalid base64");
	expect("a: !!binary aGV sbG8=", "error: invalid base64");
	expect("a: !!binary /w==", "{\"a\":\"\xef\xbf\xbd\"}"); /* a lone 0xFF: U+FFFD in JSON */
	expect("a: !!binary ''", "{\"a\":\"\"}");
	/* keys as sigs.k8s.io/yaml writes them */
	expect("1.5: a", "{\"1.5\":\"a\"}");
	expect("1e+6: a", "{\"1e+06\":\"a\"}");
	expect("123456789.0: a", "{\"1.2345679e+08\":\"a\"}");
	expect("0.1: a", "{\"0.1\":\"a\"}");
	expect("1.0: a", "{\"1\":\"a\"}");
	expect("0x10: a", "{\"16\":\"a\"}");
	expect("~: a", "error: null map key");
	expect("18446744073709551615: a", "error: uint64");
	expect("yes: a", "{\"true\":\"a\"}");
	/* merges: linear, in go-yaml v2's order */
	expect("b: &b {x: 1}\nm:\n  x: 2\n  <<: *b\n", "{\"b\":{\"x\":1},\"m\":{\"x\":1}}");
	expect("b: &b {x: 1}\nm:\n  <<: *b\n  x: 2\n", "{\"b\":{\"x\":1},\"m\":{\"x\":2}}");
	expect("m: !!merge <<: {x: 1}\n", "error: mapping values"); /* not a mapping start: a syntax error */
	expect("m:\n  !!merge <<: {x: 1}\n", "{\"m\":{\"x\":1}}");

	/* the differential run */
	const char alphabet[] = "0129+-._eExob";
	size_t na = sizeof alphabet - 1, runs = 0, bad = 0;
	char s[8], why[256];
	for (size_t len = 1; len <= 4; len++) {
		size_t total = 1;
		for (size_t i = 0; i < len; i++)
			total *= na;
		for (size_t code = 0; code < total; code++) {
			size_t c = code;
			for (size_t i = 0; i < len; i++, c /= na)
				s[i] = alphabet[c % na];
			s[len] = 0;
			if (s[0] == '-' || s[0] == '.') {
				/* "- x" is a sequence entry and "-" / "---" are syntax; keep the
				 * forms that are plain scalars in a block mapping value */
				if (s[0] == '-' && (len == 1 || s[1] == ' '))
					continue;
			}
			runs++;
			if (!agrees(s, why, sizeof why)) {
				if (bad++ < 20)
					fprintf(stderr, "differential: `%s`: %s\n", s, why);
			}
			gr_arena_free(&arena);
		}
	}
	CHECK(bad == 0);
	CHECK(runs > 20000);
	fprintf(stderr, "differential: %zu scalars, %zu disagreements\n", runs, bad);
	regfree(&yaml_style_float);
	regfree(&dot_float);
	gr_arena_free(&arena);
	return test_report("yaml_resolve");
}
