/*
 * json.c — a strict RFC 8259 reader straight into the value tree.
 *
 * Written by hand rather than going through libyaml because the OpenAPI
 * documents (2 MB for core/v1 alone) and admission requests are JSON, and a
 * direct reader is several times faster than YAML event parsing
 * (bench/decode_bench prints the ratio). Numbers that are integral and fit
 * int64 become GR_INT, as apimachinery's JSON decoding turns json.Number into
 * int64 when it can; everything else is a double. Duplicate keys are an
 * error, as in strict decoding. Invalid UTF-8 is an error. Depth is capped.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/decode.h"
#include "internal.h"

typedef struct jreader {
	const char *p, *end, *start;
	const char *line_start;
	uint32_t line;
	size_t depth, max_depth;
	gr_arena *arena;
	gr_stack stack;
	gr_error *err;
	gri_budget budget;
	int fatal;          /* the error is not one of syntax: reading the text as YAML cannot help */
	const char *col_at; /* position of the last column computed, and its column */
	uint32_t col;
} jreader;

static uint32_t col_of(jreader *r, const char *at)
{
	/* Columns count characters (UTF-8 lead bytes), 1-based. The last answer
	 * is kept, so a line costs one pass however many values it holds. */
	if (r->col_at < r->line_start || r->col_at > at) {
		r->col_at = r->line_start;
		r->col = 1;
	}
	const char *q = r->col_at;
	/* eight bytes at a time: a byte counts unless it is 10xxxxxx (a UTF-8
	 * continuation); compact JSON is one long line, asked for at every value */
	while (at - q >= 8) {
		uint64_t w;
		memcpy(&w, q, 8);
		uint64_t cont = w & ~(w << 1) & 0x8080808080808080ULL;
		r->col += 8 - (uint32_t)(((cont >> 7) * 0x0101010101010101ULL) >> 56);
		q += 8;
	}
	for (; q < at; q++)
		if (((unsigned char)*q & 0xC0) != 0x80)
			r->col++;
	r->col_at = at;
	return r->col;
}

static int fail(jreader *r, const char *at, const char *msg)
{
	return gr_error_set(r->err, r->line, col_of(r, at), "%s", msg);
}

static void skip_ws(jreader *r)
{
	while (r->p < r->end) {
		char c = *r->p;
		if (c == ' ') {
			/* indentation of pretty-printed documents: eight at a time */
			r->p++;
			while (r->end - r->p >= 8 && memcmp(r->p, "        ", 8) == 0)
				r->p += 8;
		} else if (c == '\n') {
			r->line++;
			r->p++;
			r->line_start = r->p;
		} else if (c == '\t' || c == '\r') {
			r->p++;
		} else {
			break;
		}
	}
}

/* Length of a valid UTF-8 sequence at s (max n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && s[1] < 0xA0)
			return 0;
		if (c == 0xED && s[1] >= 0xA0)
			return 0; /* surrogates */
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && s[1] < 0x90)
			return 0;
		if (c == 0xF4 && s[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Bytes that end the plain run of a string: quote, backslash, controls,
 * and every non-ASCII byte (validated as UTF-8 by the caller). */
static const unsigned char string_special[256] = {
        [0 ... 0x1f] = 1,
        ['"'] = 1,
        ['\\'] = 1,
        [0x80 ... 0xff] = 1,
};

/* Parse a string at r->p (on the opening quote) into arena memory. */
static int read_string(jreader *r, const char **out, size_t *out_len)
{
	const char *q = r->p + 1;
	/* Fast path: no escapes. The closing quote is found with memchr (SIMD in
	 * libc); the run before it is then checked eight bytes at a time for a
	 * backslash, a control byte or a non-ASCII byte, and only such bytes are
	 * looked at one by one (UTF-8 is validated in place), so long text such
	 * as OpenAPI descriptions costs little more than a copy. */
	const char *s = q;
	for (;;) {
		const char *quote = memchr(s, '"', (size_t)(r->end - s));
		const char *stop = quote ? quote : r->end;
		while (s + 8 <= stop) {
			uint64_t w;
			memcpy(&w, s, 8);
			uint64_t bs = w ^ 0x5c5c5c5c5c5c5c5cULL; /* zero byte where '\\' */
			uint64_t special =
			        ((w - 0x2020202020202020ULL) | w | ((bs - 0x0101010101010101ULL) & ~bs)) &
			        0x8080808080808080ULL;
			if (special)
				break;
			s += 8;
		}
		while (s < stop && !string_special[(unsigned char)*s])
			s++;
		if (s < stop && (unsigned char)*s >= 0x80) {
			size_t l = utf8_len((const unsigned char *)s, (size_t)(r->end - s));
			if (!l)
				return fail(r, s, "invalid UTF-8 in string"),
				       gr_error_mark(r->err, GR_ERR_ENCODING);
			s += l;
			continue;
		}
		if (s < stop && !string_special[(unsigned char)*s])
			continue;
		break;
	}
	if (s < r->end && *s == '"') {
		char *copy = gr_arena_strndup(r->arena, q, (size_t)(s - q));
		if (!copy)
			return r->fatal = 1, fail(r, r->p, "out of memory");
		*out = copy;
		*out_len = (size_t)(s - q);
		r->p = s + 1;
		return 0;
	}
	/* Slow path: the string has escapes (s is on the first one). Its end is
	 * the first quote not preceded by an odd run of backslashes; output is
	 * never longer than input. Plain runs are copied whole. */
	if (s >= r->end)
		return fail(r, r->p, "unterminated string");
	if ((unsigned char)*s < 0x20)
		return fail(r, s, "control character in string");
	const char *e = s;
	for (;;) {
		e = memchr(e, '"', (size_t)(r->end - e));
		if (!e)
			return fail(r, r->p, "unterminated string");
		size_t nbs = 0;
		for (const char *b = e - 1; b >= q && *b == '\\'; b--)
			nbs++;
		if (nbs % 2 == 0)
			break;
		e++;
	}
	char *o = gr_arena_alloc(r->arena, (size_t)(e - q) + 4);
	if (!o)
		return r->fatal = 1, fail(r, r->p, "out of memory");
	size_t n = (size_t)(s - q);
	memcpy(o, q, n);
	while (s < e) {
		unsigned char c = (unsigned char)*s;
		if (c == '\\') {
			if (s + 1 >= r->end)
				return fail(r, s, "unterminated string");
			char x = s[1];
			s += 2;
			switch (x) {
			case '"': o[n++] = '"'; break;
			case '\\': o[n++] = '\\'; break;
			case '/': o[n++] = '/'; break;
			case 'b': o[n++] = '\b'; break;
			case 'f': o[n++] = '\f'; break;
			case 'n': o[n++] = '\n'; break;
			case 'r': o[n++] = '\r'; break;
			case 't': o[n++] = '\t'; break;
			case 'u': {
				unsigned cp;
				if (r->end - s < 4 || hex4(s, &cp))
					return fail(r, s - 2, "invalid \\u escape");
				s += 4;
				if (cp >= 0xD800 && cp <= 0xDBFF) {
					unsigned lo;
					if (r->end - s >= 6 && s[0] == '\\' && s[1] == 'u' &&
					    hex4(s + 2, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
						cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
						s += 6;
					} else {
						cp = 0xFFFD;
					}
				} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
					cp = 0xFFFD;
				}
				n += put_utf8(o + n, cp);
				break;
			}
			default: return fail(r, s - 2, "invalid escape in string");
			}
			continue;
		}
		if (c < 0x20)
			return fail(r, s, "control character in string");
		if (c >= 0x80) {
			size_t l = utf8_len((const unsigned char *)s, (size_t)(r->end - s));
			if (!l)
				return fail(r, s, "invalid UTF-8 in string"),
				       gr_error_mark(r->err, GR_ERR_ENCODING);
			memcpy(o + n, s, l);
			n += l;
			s += l;
			continue;
		}
		const char *t = s;
		while (t < e && !string_special[(unsigned char)*t])
			t++;
		memcpy(o + n, s, (size_t)(t - s));
		n += (size_t)(t - s);
		s = t;
	}
	o[n] = '\0';
	*out = o;
	*out_len = n;
	r->p = e + 1;
	return 0;
}

static int read_number(jreader *r, gr_value *v)
{
	const char *s = r->p;
	const char *q = s;
	int is_int = 1;
	if (q < r->end && *q == '-')
		q++;
	if (q >= r->end || !(*q >= '0' && *q <= '9'))
		return fail(r, s, "invalid number");
	if (*q == '0') {
		q++;
	} else {
		while (q < r->end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < r->end && *q == '.') {
		is_int = 0;
		q++;
		if (q >= r->end || !(*q >= '0' && *q <= '9'))
			return fail(r, s, "invalid number");
		while (q < r->end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < r->end && (*q == 'e' || *q == 'E')) {
		is_int = 0;
		q++;
		if (q < r->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= r->end || !(*q >= '0' && *q <= '9'))
			return fail(r, s, "invalid number");
		while (q < r->end && *q >= '0' && *q <= '9')
			q++;
	}
	char tmp[64];
	size_t n = (size_t)(q - s);
	char *buf = n < sizeof tmp ? tmp : gr_arena_alloc(r->arena, n + 1);
	if (!buf)
		return fail(r, s, "out of memory");
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (is_int) {
		errno = 0;
		long long ll = strtoll(buf, NULL, 10);
		if (errno == 0) {
			*v = gr_make_int(ll);
			r->p = q;
			return 0;
		}
	}
	double d = gri_strtod(buf, NULL);
	if (isinf(d))
		return r->fatal = 1, fail(r, s, "number out of range");
	*v = gr_make_double(d);
	r->p = q;
	return 0;
}

static int read_value(jreader *r, gr_value *v);

/*
 * The memory budget is checked where memory grows in bulk: when the scratch
 * stack reallocates and before a collection is copied into the arena
 * (strings in between add at most the input's own size).
 */
static int over_budget(jreader *r, size_t more)
{
	if (!gri_budget_over(&r->budget, r->stack.cap + more))
		return 0;
	r->fatal = 1;
	return gri_budget_fail(&r->budget, r->err, r->line, col_of(r, r->p));
}

static int read_array(jreader *r, gr_value *v)
{
	size_t start = r->stack.len;
	r->p++;
	skip_ws(r);
	if (r->p < r->end && *r->p == ']') {
		r->p++;
		v->type = GR_ARRAY;
		return 0;
	}
	for (;;) {
		gr_value item;
		if (read_value(r, &item))
			return -1;
		size_t cap = r->stack.cap;
		gr_value *slot = gr_stack_push(&r->stack, sizeof item);
		if (!slot)
			return r->fatal = 1, fail(r, r->p, "out of memory");
		*slot = item;
		if (r->stack.cap != cap && over_budget(r, 0))
			return -1;
		skip_ws(r);
		if (r->p >= r->end)
			return fail(r, r->p, "unexpected end of input in array");
		if (*r->p == ',') {
			r->p++;
			continue;
		}
		if (*r->p == ']') {
			r->p++;
			break;
		}
		return fail(r, r->p, "expected ',' or ']' in array");
	}
	size_t bytes = r->stack.len - start;
	if (over_budget(r, bytes))
		return -1;
	gr_value *items = gr_arena_alloc(r->arena, bytes);
	if (!items)
		return r->fatal = 1, fail(r, r->p, "out of memory");
	memcpy(items, r->stack.data + start, bytes);
	r->stack.len = start;
	v->type = GR_ARRAY;
	v->u.a.items = items;
	v->u.a.len = bytes / sizeof(gr_value);
	return 0;
}

static int read_object(jreader *r, gr_value *v)
{
	size_t start = r->stack.len;
	v->merge_keys = 0;
	r->p++;
	skip_ws(r);
	if (r->p < r->end && *r->p == '}') {
		r->p++;
		v->type = GR_OBJECT;
		return 0;
	}
	for (;;) {
		skip_ws(r);
		if (r->p >= r->end || *r->p != '"')
			return fail(r, r->p, "expected string key in object");
		gr_member m;
		memset(&m, 0, sizeof m);
		m.line = r->line;
		m.column = col_of(r, r->p);
		if (read_string(r, &m.key, &m.key_len))
			return -1;
		m.key_head = gr_key_head(m.key, m.key_len);
		skip_ws(r);
		if (r->p >= r->end || *r->p != ':')
			return fail(r, r->p, "expected ':' after object key");
		r->p++;
		if (read_value(r, &m.value))
			return -1;
		size_t cap = r->stack.cap;
		gr_member *slot = gr_stack_push(&r->stack, sizeof m);
		if (!slot)
			return r->fatal = 1, fail(r, r->p, "out of memory");
		*slot = m;
		if (r->stack.cap != cap && over_budget(r, 0))
			return -1;
		skip_ws(r);
		if (r->p >= r->end)
			return fail(r, r->p, "unexpected end of input in object");
		if (*r->p == ',') {
			r->p++;
			continue;
		}
		if (*r->p == '}') {
			r->p++;
			break;
		}
		return fail(r, r->p, "expected ',' or '}' in object");
	}
	size_t bytes = r->stack.len - start;
	if (over_budget(r, bytes))
		return -1;
	gr_member *members = gr_arena_alloc(r->arena, bytes);
	if (!members)
		return r->fatal = 1, fail(r, r->p, "out of memory");
	memcpy(members, r->stack.data + start, bytes);
	r->stack.len = start;
	size_t n = bytes / sizeof(gr_member);
	size_t dup = gr_find_duplicate_key(members, n);
	if (dup == GRI_NO_MEMORY)
		return r->fatal = 1, fail(r, r->p, "out of memory");
	if (dup != (size_t)-1)
		return gr_error_set(r->err, members[dup].line, members[dup].column, "duplicate key \"%s\"",
		                    members[dup].key),
		       gr_error_mark(r->err, GR_ERR_DUPLICATE_KEY);
	v->type = GR_OBJECT;
	v->u.o.members = members;
	v->u.o.len = n;
	return 0;
}

static int read_value(jreader *r, gr_value *v)
{
	skip_ws(r);
	memset(v, 0, sizeof *v);
	if (r->p >= r->end)
		return fail(r, r->p, "unexpected end of input");
	v->line = r->line;
	v->column = col_of(r, r->p);
	uint32_t line = v->line, column = v->column;
	int rc;
	switch (*r->p) {
	case '{':
	case '[':
		if (++r->depth > r->max_depth)
			return r->fatal = 1, fail(r, r->p, "document nested too deeply"),
			       gr_error_mark(r->err, GR_ERR_DEPTH);
		rc = *r->p == '{' ? read_object(r, v) : read_array(r, v);
		r->depth--;
		break;
	case '"':
		v->type = GR_STRING;
		rc = read_string(r, &v->u.s.ptr, &v->u.s.len);
		break;
	case 't':
		if (r->end - r->p >= 4 && memcmp(r->p, "true", 4) == 0) {
			*v = gr_make_bool(true);
			r->p += 4;
			rc = 0;
		} else {
			rc = fail(r, r->p, "invalid literal");
		}
		break;
	case 'f':
		if (r->end - r->p >= 5 && memcmp(r->p, "false", 5) == 0) {
			*v = gr_make_bool(false);
			r->p += 5;
			rc = 0;
		} else {
			rc = fail(r, r->p, "invalid literal");
		}
		break;
	case 'n':
		if (r->end - r->p >= 4 && memcmp(r->p, "null", 4) == 0) {
			*v = gr_make_null();
			r->p += 4;
			rc = 0;
		} else {
			rc = fail(r, r->p, "invalid literal");
		}
		break;
	default:
		if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9'))
			rc = read_number(r, v);
		else
			rc = fail(r, r->p, "unexpected character");
	}
	v->line = line;
	v->column = column;
	return rc;
}

static void reader_init(jreader *r, gr_arena *a, const char *data, size_t len, const gr_decode_limits *limits,
                        gr_error *err)
{
	*r = (jreader){.p = data,
	               .end = data + len,
	               .start = data,
	               .line_start = data,
	               .line = 1,
	               .max_depth = limits->max_depth,
	               .arena = a,
	               .err = err};
	gri_budget_init(&r->budget, a, len, limits);
	/* A UTF-8 byte order mark is allowed, as Go's decoders skip it. */
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		r->p += 3;
}

int gr_decode_json(gr_arena *a, const char *data, size_t len, const gr_decode_limits *limits, gr_value *out,
                   gr_error *err)
{
	gr_decode_limits def;
	limits = gr_limits_or_default(limits, &def);
	if (gr_check_input_size(len, limits, err) || gri_transcode(a, data, len, &data, &len, err))
		return -1;
	jreader r;
	reader_init(&r, a, data, len, limits, err);
	int rc = read_value(&r, out);
	if (rc == 0) {
		skip_ws(&r);
		if (r.p < r.end)
			rc = fail(&r, r.p, "unexpected data after JSON value");
	}
	gr_stack_free(&r.stack);
	return rc;
}

/*
 * Values one after another, with or without whitespace between them
 * (`{..}{..}`, one per line), as Go's json.Decoder reads a stream. Each
 * value but null is a document, numbered from 0; positions are those of the
 * whole text. On failure *good_end is the offset just after the last value
 * read, *count how many were read, and *fatal tells an error that is not
 * one of syntax (a number out of range: Go's json.Decoder accepts it and the
 * unmarshalling after it fails; the memory budget; depth), after which
 * reading the text again as YAML is pointless.
 */
int gri_decode_json_stream(gr_arena *a, const char *data, size_t len, const gr_decode_limits *limits,
                           gr_stack *docstack, size_t *good_end, size_t *count, int *fatal, gr_error *err)
{
	jreader r;
	reader_init(&r, a, data, len, limits, err);
	*good_end = (size_t)(r.p - data);
	*count = 0;
	int rc = 0;
	for (;;) {
		skip_ws(&r);
		if (r.p >= r.end)
			break;
		gr_value v;
		if ((rc = read_value(&r, &v)) != 0)
			break;
		if (v.type != GR_NULL) {
			gr_document *d = gr_stack_push(docstack, sizeof *d);
			if (!d) {
				rc = gr_error_set(err, v.line, v.column, "out of memory");
				break;
			}
			d->root = v;
			d->index = (unsigned)*count;
		}
		++*count;
		*good_end = (size_t)(r.p - data);
	}
	*fatal = r.fatal;
	gr_stack_free(&r.stack);
	return rc;
}
