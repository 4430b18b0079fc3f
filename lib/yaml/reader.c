/*
 * reader.c — guardrail's own YAML reader: UTF-8 text to the events the
 * value-tree builder (yaml.c) consumes, with libyaml's marks, so that the
 * trees and positions are those of the libyaml path.
 *
 * A recursive-descent reader over the bytes: no tokens, no per-token
 * allocation. Scalars that need no rewriting (single-line plain and quoted
 * scalars without escapes) point into the input; the others are written to
 * one scratch buffer reused for the whole piece. Recursion follows nesting,
 * and the builder refuses a collection past max_depth before the reader
 * descends into it; the reader's own bound (1000 levels) keeps the C stack
 * bounded whatever max_depth is.
 *
 * A document of the usual block shape is also read without events,
 * straight into its value tree (gri_yaml_read_tree, "the direct path",
 * at the end of this file); the events path reads every other document
 * and is the reference the direct path is tested against.
 *
 * Where libyaml needs a token of lookahead (is this node a key?), the
 * reader peeks: it reads the node without events (`mute`) within the 1024
 * characters a simple key may span, then reads it for real. A value scalar
 * is read once and only re-read when a ':' follows it on its line.
 *
 * Read: block mappings and sequences (indentless sequences, compact nested
 * entries, explicit `?` keys, keys of properties only), flow sequences and
 * mappings (single pairs in sequences, explicit keys), collections as keys,
 * plain (multi-line), single- and double-quoted (every escape) and
 * literal/folded scalars (chomping and indentation indicators), comments,
 * anchors, aliases, tags (!!x, !x, !<x>, !, named handles, % escapes),
 * %YAML and %TAG directives, document markers. Refused with a position as
 * unsupported: the Unicode line breaks NEL, LS and PS, a byte order mark
 * inside the text, non-ASCII anchor names (libyaml refuses them too), %YAML
 * versions other than 1.1 and 1.2, more than 16 %TAG directives, tags over
 * 512 bytes, nesting past 1000 levels.
 */
#include "reader.h"

#include "../internal.h"

#include <stdarg.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rd {
	const char *s, *p, *end;
	size_t line;            /* 0-based line of p */
	const char *line_start; /* first byte of p's line */
	gri_yev_fn fn;
	void *ctx;
	gri_yerr *err;
	char *buf; /* scratch for rewritten scalars */
	size_t blen, bcap;
	int flow;        /* flow nesting level */
	int after_entry; /* just past a block entry '-' */
	int mute;        /* peeking: read without calling fn (nesting of peeks) */
	long peeks_left; /* peeks allowed inside peeks (bounds the work) */
	int depth;       /* nodes being read, nested (bounds the C stack) */
	/* the %TAG directives of the current document: handle -> prefix */
	struct {
		const char *handle, *prefix;
		size_t hlen, plen;
	} tags[16];
	int ntags;
	int ascii; /* the text is all ASCII: a column is a byte offset */
	/* caches, by line (the text never changes; a restore may go back) */
	const char *ws_line, *ws_end; /* ws_line's first byte that is not a space */
	const char *cc_line, *cc_pos; /* characters from cc_line to cc_pos: cc_n */
	size_t cc_n;
} rd;

typedef struct state {
	const char *p, *line_start;
	size_t line;
} state;

static state save(const rd *r)
{
	state st = {r->p, r->line_start, r->line};
	return st;
}

static void restore(rd *r, state st)
{
	r->p = st.p;
	r->line_start = st.line_start;
	r->line = st.line;
}

/* A node's properties. */
typedef struct props {
	const char *anchor;
	size_t anchor_len;
	const char *tag_start; /* source text of the tag, or NULL */
	size_t tag_len;
	gri_ymark mark;
	size_t line; /* line where the properties ended */
	/* the properties on lines before the last line that has some, and
	 * where that line's first property starts (for a key on that line) */
	const char *prev_anchor, *prev_tag_start;
	size_t prev_anchor_len, prev_tag_len;
	gri_ymark prev_mark;
	state last_line;
} props;

enum { R_OK = 0, R_STOP = -1, R_ERR = -2 };

static size_t count_chars(const char *a, const char *b)
{
	size_t n = 0;
	for (; a < b; a++)
		n += ((unsigned char)*a & 0xC0) != 0x80;
	return n;
}

/* Characters from a to b. From a line's start (columns), counted on from
 * the last position asked on that line when it is not past b. */
static size_t chars(const rd *r, const char *a, const char *b)
{
	if (r->ascii)
		return (size_t)(b - a);
	if (a != r->line_start)
		return count_chars(a, b);
	rd *w = (rd *)r; /* the cache only */
	if (w->cc_line != a || w->cc_pos > b) {
		w->cc_line = w->cc_pos = a;
		w->cc_n = 0;
	}
	w->cc_n += count_chars(w->cc_pos, b);
	w->cc_pos = b;
	return w->cc_n;
}

static gri_ymark mark_at(const rd *r, const char *q)
{
	gri_ymark m = {r->line, chars(r, r->line_start, q)};
	return m;
}

static int fail_mark(rd *r, gri_ymark m, int unsupported, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err->msg, sizeof r->err->msg, fmt, ap);
	va_end(ap);
	r->err->mark = m;
	r->err->unsupported = unsupported;
	return R_ERR;
}

/* An error at a byte offset (before any line was tracked). */
static int fail_offset(rd *r, const char *at, int unsupported, const char *msg)
{
	gri_ymark m = {0, 0};
	const char *ls = r->s;
	for (const char *q = r->s; q < at; q++)
		if (*q == '\n') {
			m.line++;
			ls = q + 1;
		}
	m.column = chars(r, ls, at);
	return fail_mark(r, m, unsupported, "%s", msg);
}

#define FAIL(q, ...) fail_mark(r, mark_at(r, (q)), 0, __VA_ARGS__)
#define UNSUPPORTED(q, what)                                                                                 \
	fail_mark(r, mark_at(r, (q)), 1, "%s is valid YAML that guardrail's reader does not read", what)

static int is_break(const rd *r, const char *q)
{
	return q < r->end && (*q == '\n' || *q == '\r');
}
static int is_blank(const rd *r, const char *q)
{
	return q < r->end && (*q == ' ' || *q == '\t');
}
/* blank, break or end */
static int is_bz(const rd *r, const char *q)
{
	return q >= r->end || *q == ' ' || *q == '\t' || *q == '\n' || *q == '\r';
}

/* The first line break (or the end) from q: 16 bytes at a time. */
static const char *find_break(const rd *r, const char *q)
{
#if defined(__SSE2__)
	while (r->end - q >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
		int m = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')),
		                                       _mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))));
		if (m)
			return q + __builtin_ctz((unsigned)m);
		q += 16;
	}
#endif
	while (q < r->end && *q != '\n' && *q != '\r')
		q++;
	return q;
}

/* Consume a line break at p (\n, \r\n or \r). */
static void take_break(rd *r)
{
	if (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n')
		r->p++;
	r->p++;
	r->line++;
	r->line_start = r->p;
}

/* The first byte at or after q that is not a space, or end: indentation,
 * sixteen bytes at a time. */
static const char *skip_spaces(const char *q, const char *end)
{
	const __m128i sp = _mm_set1_epi8(' ');
	while (end - q >= 16) {
		int m = _mm_movemask_epi8(
		        _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)q), sp));
		if (m != 0xFFFF)
			return q + __builtin_ctz(~(unsigned)m);
		q += 16;
	}
	while (q < end && *q == ' ')
		q++;
	return q;
}

/* Only spaces from the line's start to q? (The line's indentation is
 * found once per line.) */
static int at_line_start(const rd *r, const char *q)
{
	rd *w = (rd *)r; /* the cache only */
	if (w->ws_line != r->line_start) {
		w->ws_line = r->line_start;
		w->ws_end = skip_spaces(r->line_start, r->end);
	}
	return q <= r->ws_end;
}

static int doc_marker(const rd *r, const char *q)
{
	return q == r->line_start && r->end - q >= 3 &&
	       ((q[0] == '-' && q[1] == '-' && q[2] == '-') || (q[0] == '.' && q[1] == '.' && q[2] == '.')) &&
	       is_bz(r, q + 3);
}

/* What ends every block collection: a document marker, or a directive
 * ('%' in the first column, which libyaml reads as one in any context). */
static int block_stop(const rd *r, const char *q)
{
	return doc_marker(r, q) || (q == r->line_start && q < r->end && *q == '%');
}

/* Skip blanks, comments and line breaks up to the next token. Returns
 * R_ERR on a tab used as indentation in block context. */
static int next_token(rd *r)
{
	for (;;) {
		/* libyaml skips tabs only where no simple key may start: not at
		 * the start of a line, nor right after a '-' entry */
		for (;;) {
			r->p = skip_spaces(r->p, r->end);
			if (r->p < r->end && *r->p == '\t' &&
			    (r->flow || (!r->after_entry && !at_line_start(r, r->p))))
				r->p++;
			else
				break;
		}
		if (r->p < r->end && *r->p == '\t')
			return FAIL(r->p, "found character that cannot start any token");
		if (r->p < r->end && *r->p == '#')
			r->p = find_break(r, r->p);
		if (is_break(r, r->p)) {
			take_break(r);
			r->after_entry = 0;
			continue;
		}
		r->after_entry = 0;
		return R_OK;
	}
}

/* ---- scratch buffer ---- */

static int bput(rd *r, const char *s, size_t n)
{
	if (n == 0)
		return 0;
	if (r->blen + n > r->bcap) {
		size_t cap = r->bcap ? r->bcap : 256;
		while (cap < r->blen + n)
			cap *= 2;
		char *nb = realloc(r->buf, cap);
		if (!nb)
			return -1;
		r->buf = nb;
		r->bcap = cap;
	}
	memcpy(r->buf + r->blen, s, n);
	r->blen += n;
	return 0;
}

static int bputc(rd *r, char c)
{
	return bput(r, &c, 1);
}

static int oom(rd *r)
{
	return FAIL(r->p, "out of memory");
}

/* ---- events ---- */

static int emit(rd *r, gri_yev *ev)
{
	if (r->mute)
		return R_OK;
	return r->fn(r->ctx, ev) ? R_STOP : R_OK;
}

static int is_anchor_char(char c);
static int hexval(char c);

/* The length of a tag's handle: "!word!" (named), "!!" or "!". */
static size_t handle_len(const char *t, size_t n)
{
	size_t i = 1;
	while (i < n && is_anchor_char(t[i]) && (unsigned char)t[i] < 0x80)
		i++;
	if (i < n && t[i] == '!')
		return i + 1;
	return 1;
}

/* The tag in libyaml's form, in tb (NUL-terminated): a verbatim tag as
 * written, the handle replaced by its %TAG prefix (or the default one for
 * `!` and `!!`), `!` alone as is. */
static int resolve_tag(rd *r, const props *pr, char *tb, size_t cap, const char **out)
{
	*out = NULL;
	if (!pr || !pr->tag_start)
		return R_OK;
	const char *t = pr->tag_start;
	size_t n = pr->tag_len;
	int w;
	if (n >= 2 && t[1] == '<') {
		w = snprintf(tb, cap, "%.*s", (int)(n - 3), t + 2);
	} else if (n == 1) {
		w = snprintf(tb, cap, "!");
	} else {
		size_t hl = handle_len(t, n);
		const char *prefix = NULL;
		size_t plen = 0;
		for (int i = 0; i < r->ntags; i++)
			if (r->tags[i].hlen == hl && memcmp(r->tags[i].handle, t, hl) == 0) {
				prefix = r->tags[i].prefix;
				plen = r->tags[i].plen;
			}
		if (!prefix) {
			if (hl == 1) {
				prefix = "!";
				plen = 1;
			} else if (hl == 2 && t[1] == '!') {
				prefix = "tag:yaml.org,2002:";
				plen = 18;
			} else {
				return fail_mark(r, pr->mark, 0,
				                 "found undefined tag handle while parsing a node");
			}
		}
		w = snprintf(tb, cap, "%.*s%.*s", (int)plen, prefix, (int)(n - hl), t + hl);
	}
	if (w < 0 || (size_t)w >= cap)
		return fail_mark(r, pr->mark, 1, "a tag this long (%zu bytes)", n);
	/* %XX escapes, decoded in place as libyaml does: each escaped run is
	 * one UTF-8 character */
	char *o = tb;
	for (const char *q = tb; *q;) {
		if (*q != '%') {
			*o++ = *q++;
			continue;
		}
		int width = 0;
		for (int k = 0;; k++) {
			if (q[0] != '%' || hexval(q[1]) < 0 || hexval(q[2]) < 0)
				return fail_mark(r, pr->mark, 0,
				                 "did not find URI escaped octet while parsing a tag");
			unsigned char octet = (unsigned char)(hexval(q[1]) * 16 + hexval(q[2]));
			if (k == 0) {
				width = (octet & 0x80) == 0x00   ? 1
				        : (octet & 0xE0) == 0xC0 ? 2
				        : (octet & 0xF0) == 0xE0 ? 3
				        : (octet & 0xF8) == 0xF0 ? 4
				                                 : 0;
				if (!width)
					return fail_mark(
					        r, pr->mark, 0,
					        "found an incorrect leading UTF-8 octet while parsing a tag");
			} else if ((octet & 0xC0) != 0x80) {
				return fail_mark(
				        r, pr->mark, 0,
				        "found an incorrect trailing UTF-8 octet while parsing a tag");
			}
			*o++ = (char)octet;
			q += 3;
			if (k + 1 == width)
				break;
		}
	}
	*o = 0;
	*out = tb;
	return R_OK;
}

static int emit_node(rd *r, gri_yev_type type, const props *pr, gri_ymark m, const char *v, size_t n,
                     char style, int flow)
{
	char tb[512];
	gri_yev ev;
	memset(&ev, 0, sizeof ev);
	ev.type = type;
	ev.mark = pr && (pr->anchor || pr->tag_start) ? pr->mark : m;
	ev.value = v;
	ev.len = n;
	ev.style = style;
	ev.plain = style == ':';
	ev.flow = flow;
	if (pr && pr->anchor) {
		ev.anchor = pr->anchor;
		ev.anchor_len = pr->anchor_len;
	}
	if (resolve_tag(r, pr, tb, sizeof tb, &ev.tag))
		return R_ERR;
	return emit(r, &ev);
}

static int emit_end(rd *r, gri_yev_type type, gri_ymark m)
{
	gri_yev ev;
	memset(&ev, 0, sizeof ev);
	ev.type = type;
	ev.mark = m;
	return emit(r, &ev);
}

/* Where a block collection ends: the next token, or past the end. */
static gri_ymark end_mark(const rd *r)
{
	gri_ymark m = mark_at(r, r->p);
	if (r->p >= r->end && m.column != 0) {
		m.line++;
		m.column = 0;
	}
	return m;
}

/* ---- properties ---- */

static int is_anchor_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == '-' || (unsigned char)c >= 0x80;
}

/* An anchor or alias name after & or *. */
static int read_name(rd *r, const char **name, size_t *len)
{
	const char *q = r->p + 1;
	while (q < r->end && is_anchor_char(*q))
		q++;
	if (q < r->end && (unsigned char)q[-1] >= 0x80)
		return UNSUPPORTED(r->p, "a non-ASCII anchor name");
	for (const char *x = r->p + 1; x < q; x++)
		if ((unsigned char)*x >= 0x80)
			return UNSUPPORTED(r->p, "a non-ASCII anchor name");
	if (q == r->p + 1 || !(is_bz(r, q) || *q == '?' || *q == ':' || *q == ',' || *q == ']' || *q == '}' ||
	                       *q == '%' || *q == '@' || *q == '`'))
		return FAIL(r->p, "did not find expected alphabetic or numeric character");
	*name = r->p + 1;
	*len = (size_t)(q - r->p - 1);
	r->p = q;
	return R_OK;
}

/* Read anchors and tags before a node; stops at the node's first byte. */
static int is_uri_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("-;/?:@&=+$.!~*'()%_", c) != NULL);
}

/* Read anchors and tags before a node; stops at the node's first byte.
 * Properties on a later line count only when indented past ind. */
static int read_props(rd *r, props *pr, int ind)
{
	pr->anchor = NULL;
	pr->tag_start = NULL;
	pr->line = r->line;
	pr->last_line = save(r);
	if (r->p >= r->end || (*r->p != '&' && *r->p != '!'))
		return R_OK; /* the common case: no properties (and no memset) */
	memset(pr, 0, sizeof *pr);
	pr->last_line = save(r);
	size_t line = r->line, first_line = r->line;
	pr->line = r->line;
	for (;;) {
		if (r->p >= r->end)
			return R_OK;
		if (r->line != line) {
			if (!r->flow && (long)chars(r, r->line_start, r->p) <= ind)
				return R_OK;
			if (*r->p == '&' || *r->p == '!') {
				pr->prev_anchor = pr->anchor;
				pr->prev_anchor_len = pr->anchor_len;
				pr->prev_tag_start = pr->tag_start;
				pr->prev_tag_len = pr->tag_len;
				pr->prev_mark = pr->mark;
				pr->last_line = save(r);
			}
			line = r->line;
		}
		if (*r->p == '&' && !pr->anchor) {
			if (!pr->tag_start)
				pr->mark = mark_at(r, r->p);
			if (read_name(r, &pr->anchor, &pr->anchor_len))
				return R_ERR;
		} else if (*r->p == '!' && !pr->tag_start) {
			if (!pr->anchor)
				pr->mark = mark_at(r, r->p);
			const char *q = r->p + 1;
			if (q < r->end && *q == '<') {
				q++;
				while (q < r->end && *q != '>' &&
				       (is_uri_char(*q) || *q == ',' || *q == '[' || *q == ']')) {
					q++;
				}
				if (q >= r->end || *q != '>')
					return FAIL(r->p, "did not find the expected '>'");
				q++;
			} else {
				while (q < r->end && is_uri_char(*q) &&
				       !(r->flow &&
				         (*q == ',' || *q == '[' || *q == ']' || *q == '{' || *q == '}'))) {
					q++;
				}
			}
			if (!is_bz(r, q) && !(r->flow && *q == ','))
				return FAIL(r->p, "did not find expected whitespace or line break");
			char c1 = r->p + 1 < r->end ? r->p[1] : 0;
			if (c1 != '<') {
				/* !!x is the one named handle without a %TAG; !! alone has no suffix */
				if (c1 == '!' && q == r->p + 2)
					return FAIL(r->p,
					            "did not find expected tag URI while parsing a tag");
			}
			pr->tag_start = r->p;
			pr->tag_len = (size_t)(q - r->p);
			r->p = q;
		} else if (*r->p == '&' || *r->p == '!') {
			/* a property again: those of the last line are a key's */
			if (pr->last_line.line == first_line && r->line == first_line)
				return FAIL(r->p, "found a second anchor or tag on one node");
			if (r->line != pr->last_line.line)
				return R_OK; /* what follows starts on this line */
			pr->anchor = pr->prev_anchor;
			pr->anchor_len = pr->prev_anchor_len;
			pr->tag_start = pr->prev_tag_start;
			pr->tag_len = pr->prev_tag_len;
			pr->mark = pr->prev_mark;
			pr->line = pr->last_line.line - 1;
			restore(r, pr->last_line);
			return R_OK;
		} else {
			return R_OK;
		}
		pr->line = r->line;
		if (next_token(r))
			return R_ERR;
	}
}

/* ---- scalars ---- */

static int flow_ind(char c)
{
	return c == ',' || c == '[' || c == ']' || c == '{' || c == '}';
}

/* Append n line breaks folded as YAML folds them. */
static int fold(rd *r, size_t breaks)
{
	if (breaks == 1)
		return bputc(r, ' ');
	for (size_t i = 1; i < breaks; i++)
		if (bputc(r, '\n'))
			return -1;
	return 0;
}

/* The bytes a plain scalar's line scan stops at, by context. */
static const unsigned char plain_stop_block[256] = {['\n'] = 1, ['\r'] = 1, [':'] = 1, ['#'] = 1};
static const unsigned char plain_stop_flow[256] = {
        ['\n'] = 1, ['\r'] = 1, [':'] = 1, ['#'] = 1, [','] = 1, ['['] = 1, [']'] = 1, ['{'] = 1, ['}'] = 1};

/* The first byte at or after q that may end a plain scalar's line part
 * (the stop tables), or end: sixteen bytes at a time while they last
 * (descriptions are long lines of plain text). */
static const char *plain_skip(const char *q, const char *end, int flow)
{
	const __m128i nl = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r'), colon = _mm_set1_epi8(':'),
	              hash = _mm_set1_epi8('#');
	while (end - q >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
		__m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, nl), _mm_cmpeq_epi8(v, cr)),
		                           _mm_or_si128(_mm_cmpeq_epi8(v, colon), _mm_cmpeq_epi8(v, hash)));
		if (flow) {
			/* , [ ] { } */
			hit = _mm_or_si128(hit, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(',')),
			                                     _mm_cmpeq_epi8(v, _mm_set1_epi8('['))));
			hit = _mm_or_si128(hit, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(']')),
			                                     _mm_cmpeq_epi8(v, _mm_set1_epi8('{'))));
			hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, _mm_set1_epi8('}')));
		}
		int m = _mm_movemask_epi8(hit);
		if (m)
			return q + __builtin_ctz((unsigned)m);
		q += 16;
	}
	const unsigned char *stop = flow ? plain_stop_flow : plain_stop_block;
	while (q < end && !stop[(unsigned char)*q])
		q++;
	return q;
}

/* A plain scalar; ind is the innermost block collection's column. */
static int plain(rd *r, int ind, const char **v, size_t *n, int *multiline)
{
	const char *start = r->p;
	int inbuf = 0;
	*multiline = 0;
	r->blen = 0;
	const char *seg_end;
	for (;;) {
		/* skip to the bytes that may end the line's part */
		const char *q = r->p;
		for (;;) {
			q = plain_skip(q, r->end, r->flow);
			if (q >= r->end)
				break;
			char c = *q;
			if (c == ':') {
				if (r->flow && q + 1 < r->end && (flow_ind(q[1]) || q[1] == '?'))
					return FAIL(q, "found unexpected ':' while scanning a plain scalar");
				if (is_bz(r, q + 1))
					break;
				q++;
				continue;
			}
			if (c == '#') {
				if (q > r->p && (q[-1] == ' ' || q[-1] == '\t'))
					break;
				q++;
				continue;
			}
			break; /* a line break, or a flow indicator in flow context */
		}
		const char *content_end = q;
		while (content_end > r->p && (content_end[-1] == ' ' || content_end[-1] == '\t'))
			content_end--;
		if (inbuf && bput(r, r->p, (size_t)(content_end - r->p)))
			return oom(r);
		seg_end = content_end;
		const char *t = content_end;
		while (is_blank(r, t))
			t++;
		if (!is_break(r, t)) {
			r->p = content_end;
			break;
		}
		state st = save(r);
		r->p = t;
		size_t breaks = 0;
		for (;;) {
			if (is_break(r, r->p)) {
				take_break(r);
				breaks++;
			}
			for (;;) {
				r->p = skip_spaces(r->p, r->end);
				if (r->p >= r->end || *r->p != '\t')
					break;
				if ((long)(r->p - r->line_start) < ind + 1 && at_line_start(r, r->p))
					return FAIL(r->p, "found a tab character that violates indentation");
				r->p++;
			}
			if (!is_break(r, r->p))
				break;
		}
		const char *c = r->p;
		long col = (long)chars(r, r->line_start, c);
		/* libyaml's scanner continues the scalar onto this line and
		 * meets the ':' its line scan refuses in flow context */
		if (r->flow && c + 1 < r->end && *c == ':' && (flow_ind(c[1]) || c[1] == '?'))
			return FAIL(c, "found unexpected ':' while scanning a plain scalar");
		if (c >= r->end || *c == '#' || doc_marker(r, c) || (!r->flow && col < ind + 1) ||
		    (*c == ':' && is_bz(r, c + 1)) || (r->flow && flow_ind(*c))) {
			(void)st; /* the blanks and breaks stay consumed, as libyaml's scanner leaves them */
			break;
		}
		if (!inbuf) {
			inbuf = 1;
			if (bput(r, start, (size_t)(seg_end - start)))
				return oom(r);
		}
		*multiline = 1;
		if (fold(r, breaks))
			return oom(r);
	}
	if (inbuf) {
		*v = r->buf;
		*n = r->blen;
	} else {
		*v = start;
		*n = (size_t)(seg_end - start);
	}
	return R_OK;
}

static int put_utf8(rd *r, unsigned long c)
{
	char b[4];
	size_t n;
	if (c < 0x80) {
		b[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		b[0] = (char)(0xC0 | (c >> 6));
		b[1] = (char)(0x80 | (c & 0x3F));
		n = 2;
	} else if (c < 0x10000) {
		b[0] = (char)(0xE0 | (c >> 12));
		b[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		b[2] = (char)(0x80 | (c & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | (c >> 18));
		b[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((c >> 6) & 0x3F));
		b[3] = (char)(0x80 | (c & 0x3F));
		n = 4;
	}
	return bput(r, b, n);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One escape after a backslash at r->p (double-quoted). */
static int escape(rd *r)
{
	const char *bs = r->p;
	if (bs + 1 >= r->end)
		return FAIL(bs, "found unexpected end of stream");
	char c = bs[1];
	static const char simple_in[] = "0abtnvfre \"/\\\t";
	static const char simple_out[] = "\0\a\b\t\n\v\f\r\x1b \"/\\\t";
	const char *k = memchr(simple_in, c, sizeof simple_in - 1);
	r->p = bs + 2;
	if (k)
		return bputc(r, simple_out[k - simple_in]) ? oom(r) : R_OK;
	unsigned long cp;
	int digits = 0;
	switch (c) {
	case 'N': cp = 0x85; break;
	case '_': cp = 0xA0; break;
	case 'L': cp = 0x2028; break;
	case 'P': cp = 0x2029; break;
	case 'x': digits = 2; break;
	case 'u': digits = 4; break;
	case 'U': digits = 8; break;
	default: return FAIL(bs, "found unknown escape character while parsing a quoted scalar");
	}
	if (digits) {
		cp = 0;
		for (int i = 0; i < digits; i++) {
			const char *h = bs + 2 + i;
			if (h >= r->end || hexval(*h) < 0)
				return FAIL(bs, "did not find expected hexdecimal number while parsing a "
				                "quoted scalar");
			cp = cp * 16 + (unsigned long)hexval(*h);
		}
		if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			return FAIL(
			        bs,
			        "found invalid Unicode character escape code while parsing a quoted scalar");
		r->p = bs + 2 + digits;
	}
	return put_utf8(r, cp) ? oom(r) : R_OK;
}

/* A single- or double-quoted scalar at r->p. */
static int quoted(rd *r, const char **v, size_t *n, int *multiline)
{
	const char *open = r->p;
	gri_ymark om = mark_at(r, open);
	int dbl = *open == '"';
	r->p++;
	const char *seg = r->p;
	int inbuf = 0;
	r->blen = 0;
	*multiline = 0;
#define FLUSH(to)                                                                                            \
	do {                                                                                                 \
		if (!inbuf) {                                                                                \
			inbuf = 1;                                                                           \
			r->blen = 0;                                                                         \
		}                                                                                            \
		if (bput(r, seg, (size_t)((to)-seg)))                                                        \
			return oom(r);                                                                       \
	} while (0)
	for (;;) {
		if (r->p >= r->end)
			return fail_mark(r, om, 0,
			                 "found unexpected end of stream while scanning a quoted scalar");
		char c = *r->p;
		if (!dbl && c == '\'') {
			if (r->p + 1 < r->end && r->p[1] == '\'') {
				FLUSH(r->p + 1);
				r->p += 2;
				seg = r->p;
				continue;
			}
			break;
		}
		if (dbl && c == '"')
			break;
		if (dbl && c == '\\') {
			FLUSH(r->p);
			if (is_break(r, r->p + 1)) {
				r->p++;
				take_break(r);
				*multiline = 1;
				for (;;) {
					while (is_blank(r, r->p))
						r->p++;
					if (!is_break(r, r->p))
						break;
					if (bputc(r, '\n'))
						return oom(r);
					take_break(r);
				}
			} else if (escape(r)) {
				return R_ERR;
			}
			seg = r->p;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			const char *w = r->p;
			while (is_blank(r, w))
				w++;
			if (!is_break(r, w)) {
				r->p = w;
				continue;
			}
			FLUSH(r->p);
			r->p = w;
			size_t breaks = 0;
			for (;;) {
				take_break(r);
				breaks++;
				if (doc_marker(r, r->p))
					return FAIL(r->p, "found unexpected document indicator while "
					                  "scanning a quoted scalar");
				while (is_blank(r, r->p))
					r->p++;
				if (!is_break(r, r->p))
					break;
			}
			*multiline = 1;
			if (fold(r, breaks))
				return oom(r);
			seg = r->p;
			continue;
		}
		r->p++;
	}
	if (inbuf) {
		FLUSH(r->p);
		*v = r->buf;
		*n = r->blen;
	} else {
		*v = seg;
		*n = (size_t)(r->p - seg);
	}
#undef FLUSH
	r->p++;
	return R_OK;
}

/* A literal or folded block scalar at r->p; ind as for plain. Its text
 * in *v, *n (the scratch buffer), *literal: '|' or not. */
static int block_scalar_text(rd *r, int ind, const char **v, size_t *n, int *is_literal)
{
	int literal = *r->p == '|';
	*is_literal = literal;
	int chomp = 0, incr = 0;
	r->p++;
	for (int i = 0; i < 2 && r->p < r->end; i++) {
		char c = *r->p;
		if ((c == '+' || c == '-') && !chomp) {
			chomp = c == '+' ? 1 : -1;
			r->p++;
		} else if (c >= '0' && c <= '9' && !incr) {
			if (c == '0')
				return FAIL(r->p, "found an indentation indicator equal to 0 while scanning "
				                  "a block scalar");
			incr = c - '0';
			r->p++;
		}
	}
	while (is_blank(r, r->p))
		r->p++;
	if (r->p < r->end && *r->p == '#')
		while (r->p < r->end && !is_break(r, r->p))
			r->p++;
	if (r->p < r->end && !is_break(r, r->p))
		return FAIL(r->p,
		            "did not find expected comment or line break while scanning a block scalar");
	if (is_break(r, r->p))
		take_break(r);
	long indent = incr ? (ind >= 0 ? ind + incr : incr) : 0;
	r->blen = 0;
	/* leading and trailing breaks are kept as offsets in a second pass:
	 * simpler to collect them in small counters (each is only '\n'). */
	size_t leading_break = 0, trailing_breaks = 0;
	int leading_blank = 0, first = 1;
	/* scan_block_scalar_breaks */
#define BREAKS()                                                                                             \
	do {                                                                                                 \
		long max_indent = 0;                                                                         \
		for (;;) {                                                                                   \
			r->p = skip_spaces(r->p, !indent || r->end - r->line_start <= indent                 \
			                                 ? r->end                                            \
			                                 : r->line_start + indent);                          \
			if ((long)(r->p - r->line_start) > max_indent)                                       \
				max_indent = (long)(r->p - r->line_start);                                   \
			if ((!indent || (long)(r->p - r->line_start) < indent) && r->p < r->end &&           \
			    *r->p == '\t')                                                                   \
				return FAIL(r->p, "found a tab character where an indentation space is "     \
				                  "expected while scanning a block scalar");                 \
			if (!is_break(r, r->p))                                                              \
				break;                                                                       \
			take_break(r);                                                                       \
			trailing_breaks++;                                                                   \
		}                                                                                            \
		if (!indent) {                                                                               \
			indent = max_indent;                                                                 \
			if (indent < ind + 1)                                                                \
				indent = ind + 1;                                                            \
			if (indent < 1)                                                                      \
				indent = 1;                                                                  \
		}                                                                                            \
	} while (0)
	BREAKS();
	while ((long)(r->p - r->line_start) == indent && r->p < r->end) {
		int trailing_blank = is_blank(r, r->p);
		if (!literal && leading_break && !leading_blank && !trailing_blank) {
			if (!trailing_breaks && bputc(r, ' '))
				return oom(r);
			leading_break = 0;
		} else if (leading_break) {
			if (bputc(r, '\n'))
				return oom(r);
			leading_break = 0;
		}
		for (; trailing_breaks; trailing_breaks--)
			if (bputc(r, '\n'))
				return oom(r);
		leading_blank = is_blank(r, r->p);
		const char *s = r->p;
		r->p = find_break(r, r->p);
		if (bput(r, s, (size_t)(r->p - s)))
			return oom(r);
		first = 0;
		if (r->p >= r->end)
			break;
		take_break(r);
		leading_break = 1;
		BREAKS();
	}
#undef BREAKS
	(void)first;
	if (chomp != -1 && leading_break && bputc(r, '\n'))
		return oom(r);
	if (chomp == 1)
		for (; trailing_breaks; trailing_breaks--)
			if (bputc(r, '\n'))
				return oom(r);
	*v = r->buf ? r->buf : "";
	*n = r->blen;
	return R_OK;
}

static int block_scalar(rd *r, int ind, const props *pr)
{
	gri_ymark m = mark_at(r, r->p);
	const char *v;
	size_t n;
	int literal;
	if (block_scalar_text(r, ind, &v, &n, &literal))
		return R_ERR;
	return emit_node(r, GRI_YEV_SCALAR, pr, m, v, n, literal ? '|' : '>', 0);
}

/* ---- nodes ---- */

static int block_node(rd *r, int ind, int compact, int indentless, gri_ymark empty);
static int flow_coll(rd *r, const props *pr, int ind);
static int flow_node(rd *r, int ind);
static int flow_pair(rd *r, int ind);

static int cannot_start(char c)
{
	return c == '%' || c == '@' || c == '`' || c == '&' || c == '!' || c == '*' || c == '|' || c == '>';
}

static int empty_scalar(rd *r, const props *pr, gri_ymark m)
{
	return emit_node(r, GRI_YEV_SCALAR, pr, m, "", 0, ':', 0);
}

static int alias(rd *r, const props *pr)
{
	if (pr && (pr->anchor || pr->tag_start))
		return FAIL(r->p, "an alias cannot have an anchor or a tag");
	gri_ymark m = mark_at(r, r->p);
	const char *name;
	size_t len;
	if (read_name(r, &name, &len))
		return R_ERR;
	return emit_node(r, GRI_YEV_ALIAS, NULL, m, name, len, 0, 0);
}

/* A scalar (quoted or plain) at r->p, emitted with its properties. */
static int scalar(rd *r, int ind, const props *pr, int *multiline)
{
	gri_ymark m = mark_at(r, r->p);
	const char *v;
	size_t n;
	char c = *r->p;
	if (c == '"' || c == '\'') {
		if (quoted(r, &v, &n, multiline))
			return R_ERR;
		return emit_node(r, GRI_YEV_SCALAR, pr, m, v, n, c, 0);
	}
	if (cannot_start(c) || ((c == '-' || c == '?' || c == ':') && is_bz(r, r->p + 1)) || flow_ind(c))
		return FAIL(r->p, "did not find expected node content while parsing a block node");
	if (plain(r, ind, &v, &n, multiline))
		return R_ERR;
	return emit_node(r, GRI_YEV_SCALAR, pr, m, v, n, ':', 0);
}

static int flow_coll_in(rd *r, const props *pr, int ind)
{
	gri_ymark m = mark_at(r, r->p);
	int is_map = *r->p == '{';
	char close = is_map ? '}' : ']';
	int erc = emit_node(r, is_map ? GRI_YEV_MAP_START : GRI_YEV_SEQ_START, pr, m, NULL, 0, 0, 1);
	if (erc) /* R_ERR (a bad tag) keeps its message; R_STOP is the consumer's */
		return erc;
	r->flow++;
	if (r->mute && r->flow > 64)
		return FAIL(r->p, "flow collections nested this deep are not read as a key");
	r->p++;
	for (;;) {
		if (next_token(r))
			return R_ERR;
		if (r->p >= r->end)
			return FAIL(r->p, "did not find expected ',' or '%c' while parsing a flow %s", close,
			            is_map ? "mapping" : "sequence");
		if (doc_marker(r, r->p))
			return FAIL(r->p, "did not find expected node content while parsing a flow node");
		if (*r->p == close)
			break;
		/* in flow context '?' and ':' are always indicators */
		if (*r->p == ':')
			return FAIL(r->p, "did not find expected node content while parsing a flow node");
		int rc, explicit = *r->p == '?';
		/* a pair in a sequence is a single-pair mapping: an explicit
		 * key, or a node followed by ':' on its line */
		int pair = !is_map && (explicit || flow_pair(r, ind));
		if (pair && emit_node(r, GRI_YEV_MAP_START, NULL, mark_at(r, r->p), NULL, 0, 0, 1))
			return R_STOP;
		size_t key_line = r->line;
		if (explicit) {
			r->p++;
			if (next_token(r))
				return R_ERR;
			if (r->p < r->end && (*r->p == ':' || *r->p == ',' || *r->p == close))
				rc = empty_scalar(r, NULL, mark_at(r, r->p));
			else
				rc = flow_node(r, ind);
		} else {
			rc = flow_node(r, ind);
		}
		if (rc)
			return rc;
		if (next_token(r))
			return R_ERR;
		if (r->p < r->end && *r->p == ':' && r->line != key_line && !explicit)
			/* no simple key spans lines: libyaml finds a ':' where an
			 * entry should end */
			return FAIL(r->p, "did not find expected ',' or '%c' while parsing a flow %s", close,
			            is_map ? "mapping" : "sequence");
		if (r->p < r->end && *r->p == ':') {
			if (!is_map && !pair)
				return FAIL(r->p,
				            "did not find expected ',' or ']' while parsing a flow sequence");
			r->p++;
			if (next_token(r))
				return R_ERR;
			if (r->p < r->end && (*r->p == ',' || *r->p == close))
				rc = empty_scalar(r, NULL, mark_at(r, r->p));
			else
				rc = flow_node(r, ind);
			if (rc)
				return rc;
			if (next_token(r))
				return R_ERR;
		} else if (is_map || pair) {
			if (r->p < r->end && (*r->p == ',' || *r->p == close)) {
				if ((rc = empty_scalar(r, NULL, mark_at(r, r->p))))
					return rc;
			} else {
				return FAIL(r->p, "did not find expected ',' or '%c' while parsing a flow %s",
				            close, is_map ? "mapping" : "sequence");
			}
		}
		if (pair && emit_end(r, GRI_YEV_MAP_END, mark_at(r, r->p)))
			return R_STOP;
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == close)
			break;
		return FAIL(r->p, "did not find expected ',' or '%c' while parsing a flow %s", close,
		            is_map ? "mapping" : "sequence");
	}
	gri_ymark em = mark_at(r, r->p);
	r->p++;
	r->flow--;
	return emit_end(r, is_map ? GRI_YEV_MAP_END : GRI_YEV_SEQ_END, em);
}

static int flow_node(rd *r, int ind)
{
	props pr;
	if (read_props(r, &pr, ind))
		return R_ERR;
	if (r->p >= r->end)
		return FAIL(r->p, "did not find expected node content while parsing a flow node");
	if (doc_marker(r, r->p)) {
		/* libyaml reads a document marker in the first column as one
		 * in flow context too: no node content here; properties
		 * before it make an empty scalar, and the collection then
		 * meets the marker where it wants ',' or its end */
		if (!pr.anchor && !pr.tag_start)
			return FAIL(r->p, "did not find expected node content while parsing a flow node");
		return empty_scalar(r, &pr, pr.mark);
	}
	char c = *r->p;
	if (c == '?')
		return UNSUPPORTED(r->p, "an explicit key (?)");
	if (c == ',' || c == ']' || c == '}' || c == ':') {
		if (!pr.anchor && !pr.tag_start)
			return FAIL(r->p, "did not find expected node content while parsing a flow node");
		return empty_scalar(r, &pr, pr.mark);
	}
	if (c == '[' || c == '{')
		return flow_coll(r, &pr, ind);
	if (c == '*')
		return alias(r, &pr);
	if (c == '|' || c == '>')
		return FAIL(r->p, "found character that cannot start any token");
	int ml;
	return scalar(r, ind, &pr, &ml);
}

/* 1024 characters of at most 4 bytes each */
#define PEEK_WINDOW 4100

/* Does a simple key (scalar or alias on one line) followed by ':' start at r->p?
 * Leaves r unchanged. */
static int peek_key(rd *r, int ind, const char **colon)
{
	if (r->p >= r->end)
		return 0;
	state st = save(r);
	size_t bl = r->blen;
	const char *v;
	size_t n;
	int ml = 0, ok = 0;
	char c = *r->p;
	gri_yerr keep = *r->err;
	int flow = r->flow, mute = r->mute;
	/* a simple key is at most 1024 characters: look no further, so
	 * that peeking stays linear */
	const char *end = r->end;
	if (r->end - r->p > PEEK_WINDOW)
		r->end = r->p + PEEK_WINDOW;
	if (c == '[' || c == '{') {
		/* a flow collection on one line can be a key: read it without
		 * events; inside such a read, entries are peeked again only a
		 * few levels deep and a bounded number of times (the work is
		 * exponential in that nesting) */
		if (!mute || (mute < 4 && r->peeks_left > 0)) {
			if (mute)
				r->peeks_left--;
			r->mute = mute + 1;
			ok = flow_coll(r, NULL, ind) == R_OK;
		}
	} else if (c == '*') {
		const char *name;
		ok = read_name(r, &name, &n) == R_OK;
	} else if (c == '"' || c == '\'') {
		ok = quoted(r, &v, &n, &ml) == R_OK;
	} else if (!(cannot_start(c) || ((c == '-' || c == '?' || c == ':') && is_bz(r, r->p + 1)) ||
	             flow_ind(c) || c == '|' || c == '>' || c == '#')) {
		ok = plain(r, ind, &v, &n, &ml) == R_OK;
	}
	*r->err = keep;
	r->flow = flow;
	r->mute = mute;
	int cut = r->end != end;
	r->end = end;
	int key = 0;
	if (ok && !ml && r->line == st.line && !(cut && r->p >= st.p + PEEK_WINDOW)) {
		const char *q = r->p;
		while (is_blank(r, q))
			q++;
		if (q < r->end && *q == ':' && (r->flow || is_bz(r, q + 1))) {
			key = 1;
			*colon = q;
		}
	}
	restore(r, st);
	r->blen = bl;
	return key;
}

/* The value of an explicit key (`? key` then `: value` at the mapping's
 * column on a later line), or an empty one where libyaml puts it. */
static int explicit_entry(rd *r, int col)
{
	r->p++;
	r->after_entry = 1; /* libyaml: a simple key may follow '?' */
	int rc = block_node(r, col, 1, 1, mark_at(r, r->p));
	if (rc)
		return rc;
	if (next_token(r))
		return R_ERR;
	if (r->p < r->end && !block_stop(r, r->p) && *r->p == ':' && is_bz(r, r->p + 1) &&
	    (long)(r->p - r->line_start) == col && at_line_start(r, r->p)) {
		r->p++;
		r->after_entry = 1;
		return block_node(r, col, 1, 1, mark_at(r, r->p));
	}
	return empty_scalar(r, NULL, end_mark(r));
}

/* In a flow sequence: is the entry at r->p (properties, then a node) a
 * key, followed by ':' on the same line? Leaves r unchanged. */
static int flow_pair(rd *r, int ind)
{
	state st = save(r);
	gri_yerr keep = *r->err;
	props pr;
	const char *colon;
	int key = 0;
	if (read_props(r, &pr, ind) == R_OK && r->line == st.line && r->p < r->end)
		key = *r->p == ':' ? 1 : peek_key(r, ind, &colon);
	*r->err = keep;
	restore(r, st);
	return key;
}

static int block_map(rd *r, int col, const props *mp, gri_ymark mm)
{
	int erc = emit_node(r, GRI_YEV_MAP_START, mp, mm, NULL, 0, 0, 0);
	if (erc)
		return erc;
	for (;;) {
		size_t line = r->line;
		const char *kstart = r->p;
		int rc;
		if (*r->p == '?' && is_bz(r, r->p + 1)) {
			if ((rc = explicit_entry(r, col)))
				return rc;
			goto next;
		}
		props kp;
		if (read_props(r, &kp, col))
			return R_ERR;
		if (r->line != line)
			return FAIL(kstart, "could not find expected ':' while scanning a simple key");
		if (r->p >= r->end)
			return FAIL(r->p, "could not find expected ':' while scanning a simple key");
		char c = *r->p;
		const char *colon = r->p;
		int empty_key = c == ':' && is_bz(r, r->p + 1);
		if (empty_key) {
			/* a key of properties only (`&a : v`); without any, libyaml
			 * finds no key */
			if (!kp.anchor && !kp.tag_start)
				return FAIL(r->p, "did not find expected key while parsing a block mapping");
		} else if (c == '?' && is_bz(r, r->p + 1)) {
			return FAIL(r->p, "did not find expected key while parsing a block mapping");
		}
		int ml = 0;
		if (empty_key) {
			rc = empty_scalar(r, &kp, kp.mark);
		} else {
			/* read the key once; it must end on its line, before ':' */
			if (c == '[' || c == '{')
				rc = flow_coll(r, &kp, col);
			else
				rc = c == '*' ? alias(r, &kp) : scalar(r, col, &kp, &ml);
			if (rc)
				return rc;
			colon = r->p;
			while (is_blank(r, colon))
				colon++;
			if (ml || r->line != line ||
			    !(colon < r->end && *colon == ':' && is_bz(r, colon + 1)))
				return FAIL(kstart,
				            "could not find expected ':' while scanning a simple key");
		}
		if (colon - kstart > 1024 && chars(r, kstart, colon) > 1024)
			return FAIL(kstart, "could not find expected ':' while scanning a simple key");
		if (rc)
			return rc;
		r->p = colon + 1;
		gri_ymark after = mark_at(r, r->p);
		if ((rc = block_node(r, col, 0, 1, after)))
			return rc;
	next:
		if (next_token(r))
			return R_ERR;
		if (r->p >= r->end || block_stop(r, r->p))
			break;
		if (!at_line_start(r, r->p))
			return FAIL(r->p,
			            *r->p == ':' && is_bz(r, r->p + 1)
			                    ? "mapping values are not allowed in this context"
			                    : "did not find expected key while parsing a block mapping");
		long c2 = (long)(r->p - r->line_start);
		if (c2 < col)
			break;
		if (c2 > col)
			return FAIL(r->p, "did not find expected key while parsing a block mapping");
	}
	return emit_end(r, GRI_YEV_MAP_END, end_mark(r));
}

static int block_seq(rd *r, int col, const props *pr, gri_ymark m, int indentless)
{
	int erc = emit_node(r, GRI_YEV_SEQ_START, pr, m, NULL, 0, 0, 0);
	if (erc)
		return erc;
	for (;;) {
		r->p++;
		r->after_entry = 1;
		gri_ymark after = mark_at(r, r->p);
		int rc = block_node(r, col, 1, 0, after);
		if (rc)
			return rc;
		if (next_token(r))
			return R_ERR;
		if (r->p >= r->end || block_stop(r, r->p))
			break;
		if (!at_line_start(r, r->p))
			return FAIL(r->p,
			            *r->p == ':' && is_bz(r, r->p + 1)
			                    ? "mapping values are not allowed in this context"
			                    : "did not find expected '-' indicator while parsing a block "
			                      "collection");
		long c2 = (long)(r->p - r->line_start);
		if (c2 < col)
			break;
		if (c2 == col && *r->p == '-' && is_bz(r, r->p + 1))
			continue;
		if (c2 == col && indentless)
			break;
		return FAIL(r->p, "did not find expected '-' indicator while parsing a block collection");
	}
	return emit_end(r, GRI_YEV_SEQ_END, end_mark(r));
}

static int block_node_in(rd *r, int ind, int compact, int indentless, gri_ymark empty)
{
	size_t line0 = r->line;
	if (next_token(r))
		return R_ERR;
	const char *t = r->p;
	if (t >= r->end || block_stop(r, t) ||
	    (r->line != line0 && (long)(t - r->line_start) <= ind &&
	     !(indentless && (long)(t - r->line_start) == ind && *t == '-' && is_bz(r, t + 1)) &&
	     /* libyaml: a block scalar is no simple key, so one at the
	      * collection's own column is still this node */
	     !((long)(t - r->line_start) == ind && (*t == '|' || *t == '>'))))
		return empty_scalar(r, NULL, empty);
	props pr;
	if (read_props(r, &pr, ind))
		return R_ERR;
	int has_props = pr.anchor || pr.tag_start;
	t = r->p;
	gri_ymark tm = mark_at(r, t);
	int crossed = r->line != line0;
	long col = (long)tm.column;
	if (t >= r->end || block_stop(r, t) ||
	    (has_props && r->line != pr.line && col <= ind &&
	     !(indentless && col == ind && *t == '-' && is_bz(r, t + 1)) &&
	     !(col == ind && (*t == '|' || *t == '>'))))
		return empty_scalar(r, &pr, has_props ? pr.mark : empty);
	char c = *t;
	if (c == '-' && is_bz(r, t + 1)) {
		if ((!crossed && !compact) || (has_props && pr.line == tm.line))
			return FAIL(t, "block sequence entries are not allowed in this context");
		return block_seq(r, (int)col, &pr, has_props ? pr.mark : tm, indentless && col == ind);
	}
	if (c == '|' || c == '>')
		return block_scalar(r, ind, &pr);
	if (c == '?' && is_bz(r, t + 1)) {
		/* an explicit key starts a block mapping where a simple key may */
		if ((!crossed && !compact) || (has_props && pr.line == tm.line))
			return FAIL(t, "mapping keys are not allowed in this context");
		return block_map(r, (int)col, &pr, has_props ? pr.mark : tm);
	}
	const char *colon;
	int empty_key = c == ':' && is_bz(r, t + 1);
	if (empty_key && !has_props)
		return FAIL(t, "did not find expected key while parsing a block mapping");
	if (c == '&' || c == '!') {
		/* read_props stopped at the properties of a key on a later line */
		state ks = save(r);
		props kp;
		if (read_props(r, &kp, ind))
			return R_ERR;
		int key = r->line == ks.line &&
		          (peek_key(r, ind, &colon) || (r->p < r->end && *r->p == ':' && is_bz(r, r->p + 1)));
		restore(r, ks);
		if (!key) /* libyaml: the properties so far make an empty node */
			return empty_scalar(r, &pr, pr.mark);
		return block_map(r, (int)col, &pr, has_props ? pr.mark : tm);
	}
	if (!has_props && !empty_key &&
	    (c == '"' || c == '\'' ||
	     !(cannot_start(c) || ((c == '-' || c == '?' || c == ':') && is_bz(r, t + 1)) || flow_ind(c) ||
	       c == '#'))) {
		/* a scalar: read it once; only when ':' follows on its line is
		 * it the first key of a mapping, read again below */
		state st = save(r);
		const char *v;
		size_t n;
		int ml, rc = c == '"' || c == '\'' ? quoted(r, &v, &n, &ml) : plain(r, ind, &v, &n, &ml);
		if (rc)
			return rc;
		const char *q = r->p;
		while (is_blank(r, q))
			q++;
		if (ml || r->line != st.line || !(q < r->end && *q == ':' && is_bz(r, q + 1)))
			return emit_node(r, GRI_YEV_SCALAR, NULL, tm, v, n, c == '"' || c == '\'' ? c : ':',
			                 0);
		restore(r, st);
	}
	if (empty_key) {
		colon = t;
	} else if (!peek_key(r, ind, &colon)) {
		if (c == '[' || c == '{') {
			int rc = flow_coll(r, &pr, ind);
			if (rc)
				return rc;
			const char *q = r->p;
			while (is_blank(r, q))
				q++;
			if (q < r->end && *q == ':' && is_bz(r, q + 1))
				return FAIL(q, "mapping values are not allowed in this context");
			return R_OK;
		}
		colon = NULL;
	}
	if (colon) {
		/* properties on the key's line are the key's; earlier ones the mapping's */
		int key_props = has_props && pr.last_line.line == tm.line;
		state ks = key_props ? pr.last_line : save(r);
		if (!compact && !(crossed && at_line_start(r, ks.p)))
			return FAIL(colon, "mapping values are not allowed in this context");
		if (!key_props)
			return block_map(r, (int)col, &pr, has_props ? pr.mark : tm);
		props mp;
		memset(&mp, 0, sizeof mp);
		mp.anchor = pr.prev_anchor;
		mp.anchor_len = pr.prev_anchor_len;
		mp.tag_start = pr.prev_tag_start;
		mp.tag_len = pr.prev_tag_len;
		mp.mark = pr.prev_mark;
		restore(r, ks);
		gri_ymark km = mark_at(r, ks.p);
		return block_map(r, (int)km.column, &mp, mp.anchor || mp.tag_start ? mp.mark : km);
	}
	if (c == '*')
		return alias(r, &pr);
	int ml;
	return scalar(r, ind, &pr, &ml);
}

/* The reader recurses as the text nests; the builder refuses nesting past
 * max_depth before the reader goes deeper, and this bounds the stack
 * whatever max_depth a caller sets (about 1 KB a level). */
#define MAX_NESTING 1000

static int block_node(rd *r, int ind, int compact, int indentless, gri_ymark empty)
{
	if (r->depth >= MAX_NESTING)
		return UNSUPPORTED(r->p, "nesting deeper than 1000 levels");
	r->depth++;
	int rc = block_node_in(r, ind, compact, indentless, empty);
	r->depth--;
	return rc;
}

static int flow_coll(rd *r, const props *pr, int ind)
{
	if (r->depth >= MAX_NESTING)
		return UNSUPPORTED(r->p, "nesting deeper than 1000 levels");
	r->depth++;
	int rc = flow_coll_in(r, pr, ind);
	r->depth--;
	return rc;
}

/* ---- documents ---- */

/* libyaml's scanner: a directive name is alphanumeric (and - _) then a blank. */
static int directive_name(rd *r)
{
	const char *q = r->p + 1;
	while (q < r->end && is_anchor_char(*q) && (unsigned char)*q < 0x80)
		q++;
	if (q == r->p + 1)
		return FAIL(q, "could not find expected directive name while scanning a directive");
	if (!is_bz(r, q))
		return FAIL(q, "found unexpected non-alphabetical character while scanning a directive");
	return R_OK;
}

/* A %TAG directive's handle and prefix, from r->p (past "%TAG"). */
static int tag_directive(rd *r)
{
	const char *q = r->p;
	while (is_blank(r, q))
		q++;
	const char *h = q;
	if (q >= r->end || *q != '!')
		return FAIL(q, "did not find expected '!' while scanning a %%TAG directive");
	q++;
	while (q < r->end && is_anchor_char(*q) && (unsigned char)*q < 0x80)
		q++;
	if (q < r->end && *q == '!')
		q++;
	else if (q != h + 1)
		return FAIL(q, "did not find expected '!' while scanning a %%TAG directive");
	if (!is_blank(r, q))
		return FAIL(q, "did not find expected whitespace while scanning a %%TAG directive");
	while (is_blank(r, q))
		q++;
	const char *pfx = q;
	while (q < r->end && (is_uri_char(*q) || *q == ',' || *q == '[' || *q == ']')) {
		q++;
	}
	if (q == pfx)
		return FAIL(q, "did not find expected tag URI while scanning a %%TAG directive");
	if (!is_bz(r, q))
		return FAIL(q, "did not find expected whitespace or line break while scanning a %%TAG "
		               "directive");
	size_t hl = (size_t)(pfx - h);
	while (h[hl - 1] == ' ' || h[hl - 1] == '\t')
		hl--;
	for (int i = 0; i < r->ntags; i++)
		if (r->tags[i].hlen == hl && memcmp(r->tags[i].handle, h, hl) == 0)
			return FAIL(h, "found duplicate %%TAG directive");
	if (r->ntags == (int)(sizeof r->tags / sizeof r->tags[0]))
		return UNSUPPORTED(h, "more than 16 %TAG directives");
	r->tags[r->ntags].handle = h;
	r->tags[r->ntags].hlen = hl;
	r->tags[r->ntags].prefix = pfx;
	r->tags[r->ntags].plen = (size_t)(q - pfx);
	r->ntags++;
	r->p = q;
	return R_OK;
}

static int directive(rd *r)
{
	if (directive_name(r))
		return R_ERR;
	if (r->end - r->p >= 5 && memcmp(r->p, "%YAML", 5) == 0 && is_blank(r, r->p + 5)) {
		const char *q = r->p + 5;
		while (is_blank(r, q))
			q++;
		if (!(r->end - q >= 3 && q[0] == '1' && q[1] == '.' && (q[2] == '1' || q[2] == '2') &&
		      (is_bz(r, q + 3) || q[3] == '#')))
			return q + 1 < r->end && q[0] == '1' && q[1] == '.'
			               ? UNSUPPORTED(q, "this YAML version")
			               : FAIL(q, "found incompatible YAML document while parsing a %%YAML "
			                         "directive");
		r->p = q + 3;
	} else if (r->end - r->p >= 4 && memcmp(r->p, "%TAG", 4) == 0 && is_blank(r, r->p + 4)) {
		r->p += 4;
		if (tag_directive(r))
			return R_ERR;
	} else {
		/* libyaml knows no other directive */
		return FAIL(r->p, "found unknown directive name while scanning a directive");
	}
	/* libyaml's scanner takes the rest of the line with the directive,
	 * and then skips tabs as well as spaces at the next line's start */
	while (is_blank(r, r->p))
		r->p++;
	if (r->p < r->end && *r->p == '#')
		while (r->p < r->end && !is_break(r, r->p))
			r->p++;
	if (r->p < r->end && !is_break(r, r->p))
		return FAIL(r->p, "did not find expected comment or line break while scanning a directive");
	if (is_break(r, r->p)) {
		take_break(r);
		while (is_blank(r, r->p))
			r->p++;
	}
	return R_OK;
}

static int documents(rd *r)
{
	gri_ymark zero = {0, 0};
	int first = 1, closed = 0;
	for (;;) {
		if (next_token(r))
			return R_ERR;
		int dirs = 0, seen_yaml = 0;
		r->ntags = 0;
		while (r->p < r->end && *r->p == '%' && r->p == r->line_start) {
			if (dirs && r->end - r->p >= 5 && memcmp(r->p, "%YAML", 5) == 0 && seen_yaml)
				return FAIL(r->p, "found duplicate %%YAML directive");
			seen_yaml |= r->end - r->p >= 5 && memcmp(r->p, "%YAML", 5) == 0;
			if (directive(r))
				return R_ERR;
			dirs = 1;
			if (next_token(r))
				return R_ERR;
		}
		if (r->p >= r->end) {
			if (dirs)
				return FAIL(r->p, "did not find expected <document start>");
			return R_OK;
		}
		int explicit = r->p == r->line_start && r->end - r->p >= 3 && memcmp(r->p, "---", 3) == 0 &&
		               is_bz(r, r->p + 3);
		if (!explicit && !dirs && r->p == r->line_start && r->end - r->p >= 3 &&
		    memcmp(r->p, "...", 3) == 0 && is_bz(r, r->p + 3)) {
			if (first) /* libyaml: an implicit document with no content */
				return FAIL(r->p,
				            "did not find expected node content while parsing a block node");
			r->p += 3; /* extra document end markers are skipped */
			continue;
		}
		/* only the first document may start without `---` */
		if ((dirs || !first) && !explicit)
			return FAIL(r->p, "did not find expected <document start>");
		first = 0;
		if (emit_end(r, GRI_YEV_DOC_START, mark_at(r, r->p)))
			return R_STOP;
		int rc;
		if (explicit) {
			r->p += 3;
			/* an empty document's null is where the next token starts */
			state st = save(r);
			if (next_token(r))
				return R_ERR;
			int empty = r->p >= r->end || block_stop(r, r->p);
			gri_ymark em = end_mark(r);
			restore(r, st);
			rc = block_node(r, -1, 0, 0, empty ? em : mark_at(r, r->p));
		} else {
			rc = block_node(r, -1, 1, 0, zero);
		}
		if (rc)
			return rc;
		if (next_token(r))
			return R_ERR;
		if (r->p < r->end && *r->p == ':' && is_bz(r, r->p + 1))
			return FAIL(r->p, "mapping values are not allowed in this context");
		if (r->p < r->end && r->p == r->line_start && *r->p == '%' && directive_name(r))
			return R_ERR;
		gri_ymark em = mark_at(r, r->p);
		closed = r->p < r->end && *r->p == '.' && doc_marker(r, r->p);
		if (closed)
			r->p += 3;
		/* the document ends here; what follows must start another */
		if (emit_end(r, GRI_YEV_DOC_END, em))
			return R_STOP;
	}
}

/* libyaml's reader: valid UTF-8 of printable characters. The Unicode line
 * breaks are valid but not read here. */
static int check_text(rd *r)
{
	const unsigned char *s = (const unsigned char *)r->s, *e = (const unsigned char *)r->end;
	if (e - s >= 2 && ((s[0] == 0xFE && s[1] == 0xFF) || (s[0] == 0xFF && s[1] == 0xFE)))
		return fail_offset(r, r->s, 1,
		                   "a UTF-16 byte order mark here (after conversion) is valid YAML that "
		                   "guardrail's reader does not read");
	for (const unsigned char *q = s; q < e;) {
#if defined(__SSE2__)
		/* 16 bytes at a time while they are printable ASCII or \t \n \r */
		while (e - q >= 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
			__m128i bad = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
			                           _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F)));
			__m128i ws = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')),
			                                       _mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))),
			                          _mm_cmpeq_epi8(v, _mm_set1_epi8('\t')));
			if (_mm_movemask_epi8(_mm_andnot_si128(ws, bad)))
				break;
			q += 16;
		}
		if (q >= e)
			break;
#endif
		unsigned c = *q;
		if (c >= 0x80)
			r->ascii = 0;
		if (c >= 0x20 && c < 0x7F) {
			q++;
			continue;
		}
		if (c == '\n' || c == '\r' || c == '\t') {
			q++;
			continue;
		}
		size_t w = 0;
		unsigned long cp = 0;
		if (c < 0x80) {
			w = 1;
			cp = c;
		} else if ((c & 0xE0) == 0xC0) {
			w = 2;
			cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			w = 3;
			cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			w = 4;
			cp = c & 0x07;
		}
		const char *at = (const char *)q;
		if (!w)
			goto bad_utf8;
		if ((size_t)(e - q) < w)
			goto bad_utf8;
		for (size_t i = 1; i < w; i++) {
			if ((q[i] & 0xC0) != 0x80)
				goto bad_utf8;
			cp = (cp << 6) | (q[i] & 0x3F);
		}
		if ((w == 2 && cp < 0x80) || (w == 3 && cp < 0x800) || (w == 4 && cp < 0x10000) ||
		    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			goto bad_utf8;
		if (cp == 0x85 || cp == 0x2028 || cp == 0x2029) {
			r->err->encoding = 0;
			return fail_offset(r, at, 1,
			                   "a Unicode line break (NEL, LS or PS) is valid YAML that "
			                   "guardrail's reader does not read");
		}
		if (!(cp == 0x85 || (cp >= 0xA0 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
		      (cp >= 0x10000 && cp <= 0x10FFFF))) {
			r->err->encoding = 1;
			return fail_offset(r, at, 0, "control characters are not allowed");
		}
		if (cp == 0xFEFF && q != s)
			return fail_offset(r, at, 1,
			                   "a byte order mark inside the text is valid YAML that guardrail's "
			                   "reader does not read");
		q += w;
		continue;
	bad_utf8:
		r->err->encoding = 1;
		return fail_offset(r, at, 0, "invalid UTF-8 octet sequence");
	}
	return R_OK;
}

/* ---- the direct path: the usual block document straight to a tree ---- */

/*
 * Most manifests and CRDs are block mappings and sequences of scalars: for
 * them the events and the builder's frames cost as much as the reading.
 * The direct path reads such a document with the same scalar readers and
 * the same rules as block_node_in, block_map, block_seq and flow_coll_in,
 * and builds the tree as the builder would (yaml.c: positions, key copies,
 * scalar resolution, duplicate keys, the memory budget). Wherever the
 * events path would do something else -- properties, aliases, merge keys,
 * keys that are not strings, flow collections holding more than scalars,
 * explicit keys, directives, document markers after the first, errors and
 * limits -- it gives the document up (F_BAIL) before deciding anything,
 * and the caller reads it again through events: a document is read by one
 * path or by the other, never partly. tests/unit/test_yaml_fast.c and the
 * fuzz_yaml_fast target hold the two paths to the same trees and errors.
 */
enum { F_OK = 0, F_BAIL = 1 };

typedef struct tbuild {
	gr_arena *a;
	const gri_budget *budget;
	gr_stack st; /* members and items of the open collections */
	size_t depth, max_depth;
	uint32_t line0;
} tbuild;

static void f_pos(const tbuild *t, gr_value *v, gri_ymark m)
{
	v->line = t->line0 + (uint32_t)m.line + 1;
	v->column = (uint32_t)m.column + 1;
}

static int f_node(rd *r, tbuild *t, int ind, int compact, int indentless, gri_ymark empty, gr_value *out);

/* The builder refuses a collection past max_depth, and the events path
 * stops at MAX_NESTING block nodes: past 400 collections (a block node or
 * two each) the direct path leaves both limits to it, and the memory
 * budget too (checked again entry by entry). */
static int f_open(tbuild *t)
{
	if (t->depth >= t->max_depth || t->depth >= 400 || gri_budget_over(t->budget, t->st.cap))
		return F_BAIL;
	t->depth++;
	return F_OK;
}

/* May a plain scalar start at q (block context)? As block_node_in asks. */
static int f_plain_start(const rd *r, const char *q)
{
	char c = *q;
	return !(cannot_start(c) || ((c == '-' || c == '?' || c == ':') && is_bz(r, q + 1)) || flow_ind(c) ||
	         c == '#');
}

/* Is the node just read (from line `line`) a key: ':' and a blank follow
 * on its line? */
static int f_key_follows(const rd *r, size_t line, int ml)
{
	const char *q = r->p;
	while (is_blank(r, q))
		q++;
	return !ml && r->line == line && q < r->end && *q == ':' && is_bz(r, q + 1);
}

static int f_string(tbuild *t, const char *v, size_t n, gri_ymark m, gr_value *out)
{
	*out = gr_make_string(t->a, v, n);
	if (out->type != GR_STRING)
		return F_BAIL;
	f_pos(t, out, m);
	return F_OK;
}

/* An entry of the open collection onto the stack; the budget is checked
 * entry by entry, as the builder checks it. */
static inline __attribute__((always_inline)) int f_push(tbuild *t, const void *entry, size_t size)
{
	void *slot = gr_stack_push(&t->st, size);
	if (!slot || gri_budget_over(t->budget, t->st.cap))
		return F_BAIL;
	memcpy(slot, entry, size);
	return F_OK;
}

/* After an entry of a block collection: the next token must start a line
 * (or the text ends: *col -1); *col is its column. */
static inline __attribute__((always_inline)) int f_next_line(rd *r, long *col)
{
	if (next_token(r))
		return F_BAIL;
	*col = -1;
	if (r->p >= r->end)
		return F_OK;
	if (block_stop(r, r->p) || !at_line_start(r, r->p))
		return F_BAIL;
	*col = (long)(r->p - r->line_start);
	return F_OK;
}

/* Close the collection whose entries are on the stack from base: a mapping
 * (gr_member entries) or a sequence (gr_value), at mark m. The builder
 * checks the budget again when it attaches the collection: arena and stack
 * only grow, so this check after the last allocation sees at least what
 * any check of the builder saw. */
static int f_close(tbuild *t, size_t base, gr_type type, gri_ymark m, gr_value *out)
{
	size_t bytes = t->st.len - base;
	void *kids = bytes ? gr_arena_alloc(t->a, bytes) : NULL;
	if ((bytes && !kids) || gri_budget_over(t->budget, t->st.cap))
		return F_BAIL;
	if (bytes)
		memcpy(kids, t->st.data + base, bytes);
	t->st.len = base;
	memset(out, 0, sizeof *out);
	out->type = (uint8_t)type;
	if (type == GR_OBJECT) {
		out->u.o.members = kids;
		out->u.o.len = bytes / sizeof(gr_member);
	} else {
		out->u.a.items = kids;
		out->u.a.len = bytes / sizeof(gr_value);
	}
	f_pos(t, out, m);
	t->depth--;
	return F_OK;
}

/* Would the builder find a key twice among the entries from base? It
 * reports it, or keeps the last (non-strict): the events path's to do. */
static int f_duplicates(const tbuild *t, size_t base)
{
	size_t n = (t->st.len - base) / sizeof(gr_member);
	return n > 1 && gr_find_duplicate_key((const gr_member *)(const void *)(t->st.data + base), n) !=
	                        (size_t)-1; /* none yet ({}): the stack may have no buffer */
}

/* A key f_node read before it knew it was one (r->p is past it). */
typedef struct fkey {
	const char *start, *v; /* the key's first byte; its text */
	size_t n;
	int plain;
} fkey;

/* A block mapping whose first key is at r->p, in column col; or, with
 * first, whose first key was read (a key is one line: the column that
 * bounds a plain scalar's continuation lines changes nothing). */
static int f_map(rd *r, tbuild *t, int col, gri_ymark mm, const fkey *first, gr_value *out)
{
	if (f_open(t))
		return F_BAIL;
	size_t base = t->st.len;
	for (;;) {
		const char *k;
		gri_ymark km;
		const char *v;
		size_t n;
		int plain_key;
		if (first) {
			k = first->start;
			km = mm;
			v = first->v;
			n = first->n;
			plain_key = first->plain;
			first = NULL;
		} else {
			k = r->p;
			char c = *k;
			km = mark_at(r, k);
			size_t line = r->line;
			int ml = 0;
			plain_key = 0;
			if (c == '"' || c == '\'') {
				if (quoted(r, &v, &n, &ml))
					return F_BAIL;
			} else if (f_plain_start(r, k)) {
				if (plain(r, col, &v, &n, &ml))
					return F_BAIL;
				plain_key = 1;
			} else {
				return F_BAIL;
			}
			if (!f_key_follows(r, line, ml))
				return F_BAIL;
		}
		const char *colon = r->p;
		while (is_blank(r, colon))
			colon++;
		if (colon - k > 1024 && chars(r, k, colon) > 1024)
			return F_BAIL;
		gr_member m;
		memset(&m, 0, sizeof m);
		gr_value key;
		if (plain_key ? gri_yaml_plain(t->a, v, n, 1, &key) : f_string(t, v, n, km, &key))
			return F_BAIL;
		gr_member_set_key(&m, key.u.s.ptr, key.u.s.len);
		m.line = t->line0 + (uint32_t)km.line + 1;
		m.column = (uint32_t)km.column + 1;
		r->p = colon + 1;
		if (f_node(r, t, col, 0, 1, mark_at(r, r->p), &m.value))
			return F_BAIL;
		long c2;
		if (f_push(t, &m, sizeof m) || f_next_line(r, &c2))
			return F_BAIL;
		if (c2 < col)
			break;
		if (c2 > col || (*r->p == '?' && is_bz(r, r->p + 1)))
			return F_BAIL;
	}
	if (f_duplicates(t, base))
		return F_BAIL;
	return f_close(t, base, GR_OBJECT, mm, out);
}

/* A block sequence whose first '-' is at r->p, in column col. */
static int f_seq(rd *r, tbuild *t, int col, int indentless, gri_ymark sm, gr_value *out)
{
	if (f_open(t))
		return F_BAIL;
	size_t base = t->st.len;
	for (;;) {
		r->p++;
		r->after_entry = 1;
		gr_value item;
		if (f_node(r, t, col, 1, 0, mark_at(r, r->p), &item))
			return F_BAIL;
		long c2;
		if (f_push(t, &item, sizeof item) || f_next_line(r, &c2))
			return F_BAIL;
		if (c2 < col)
			break;
		if (c2 == col && *r->p == '-' && is_bz(r, r->p + 1))
			continue;
		if (c2 == col && indentless)
			break;
		return F_BAIL;
	}
	return f_close(t, base, GR_ARRAY, sm, out);
}

/* A scalar in a flow collection, as flow_node reads one without
 * properties: quoted, or plain in flow context, on one line. */
static int f_flow_scalar(rd *r, tbuild *t, int ind, int key, gr_value *out)
{
	char c = *r->p;
	gri_ymark m = mark_at(r, r->p);
	const char *v;
	size_t n;
	int ml;
	if (c == '"' || c == '\'') {
		if (quoted(r, &v, &n, &ml) || ml)
			return F_BAIL;
		return f_string(t, v, n, m, out);
	}
	/* flow_node refuses a ':' where a node starts, even before a letter,
	 * and a '?' there is always an explicit key */
	if (cannot_start(c) || c == ':' || c == '?' || (c == '-' && is_bz(r, r->p + 1)) || flow_ind(c) ||
	    c == '#' || doc_marker(r, r->p))
		return F_BAIL; /* properties, aliases, nested collections, empty nodes, errors */
	if (plain(r, ind, &v, &n, &ml) || ml || gri_yaml_plain(t->a, v, n, key, out))
		return F_BAIL;
	f_pos(t, out, m);
	return F_OK;
}

/* A flow sequence of scalars, or a flow mapping of scalar keys and
 * values, at r->p, as flow_coll_in reads it: entries may span lines;
 * anything else (nested collections, pairs in a sequence, empty keys or
 * values, explicit keys) is left to the events. */
static int f_flow(rd *r, tbuild *t, int ind, gri_ymark m, gr_value *out)
{
	int is_map = *r->p == '{';
	char close = is_map ? '}' : ']';
	if (f_open(t))
		return F_BAIL;
	size_t base = t->st.len;
	r->flow++;
	r->p++;
	for (;;) {
		if (next_token(r) || r->p >= r->end)
			return F_BAIL;
		if (*r->p == close)
			break;
		size_t line = r->line;
		gr_member mem;
		memset(&mem, 0, sizeof mem);
		gr_value key;
		if (f_flow_scalar(r, t, ind, is_map, is_map ? &key : &mem.value))
			return F_BAIL;
		const char *q = r->p;
		while (is_blank(r, q))
			q++;
		if (is_map) {
			/* the ':' on the key's line (a plain scalar leaves the
			 * breaks after it read), then a scalar */
			if (r->line != line || !(q < r->end && *q == ':'))
				return F_BAIL;
			gr_member_set_key(&mem, key.u.s.ptr, key.u.s.len);
			mem.line = key.line;
			mem.column = key.column;
			r->p = q + 1;
			if (next_token(r) || r->p >= r->end || *r->p == ',' || *r->p == close ||
			    f_flow_scalar(r, t, ind, 0, &mem.value))
				return F_BAIL;
		} else if (q < r->end && *q == ':') {
			return F_BAIL; /* a single-pair mapping, or an error */
		}
		if (is_map ? f_push(t, &mem, sizeof mem) : f_push(t, &mem.value, sizeof mem.value))
			return F_BAIL;
		if (next_token(r) || r->p >= r->end || *r->p == ':')
			return F_BAIL;
		if (*r->p == ',') {
			r->p++;
			continue;
		}
		if (*r->p != close)
			return F_BAIL;
		break;
	}
	r->p++;
	r->flow--;
	if ((is_map && f_duplicates(t, base)) || f_close(t, base, is_map ? GR_OBJECT : GR_ARRAY, m, out))
		return F_BAIL;
	/* a flow collection as a key is the builder's error */
	const char *q = r->p;
	while (is_blank(r, q))
		q++;
	return q < r->end && *q == ':' ? F_BAIL : F_OK;
}

/* A node in block context, as block_node_in reads it (see there). */
static int f_node(rd *r, tbuild *t, int ind, int compact, int indentless, gri_ymark empty, gr_value *out)
{
	size_t line0 = r->line;
	if (next_token(r))
		return F_BAIL;
	const char *q = r->p;
	if (q < r->end && block_stop(r, q))
		return F_BAIL;
	int crossed = r->line != line0;
	if (q < r->end && crossed && (long)(q - r->line_start) <= ind) {
		long c0 = (long)(q - r->line_start);
		if (indentless && c0 == ind && *q == '-' && is_bz(r, q + 1))
			return f_seq(r, t, ind, 1, mark_at(r, q), out);
		if (c0 == ind && (*q == '|' || *q == '>'))
			return F_BAIL;
		q = r->end; /* an empty node */
	}
	if (q >= r->end) {
		*out = gr_make_null();
		f_pos(t, out, empty);
		return F_OK;
	}
	char c = *q;
	gri_ymark tm = mark_at(r, q);
	int col = (int)tm.column;
	if (c == '-' && is_bz(r, q + 1)) {
		if (!crossed && !compact)
			return F_BAIL;
		return f_seq(r, t, col, indentless && col == ind, tm, out);
	}
	if (c == '|' || c == '>') {
		const char *v;
		size_t n;
		int literal;
		if (block_scalar_text(r, ind, &v, &n, &literal))
			return F_BAIL;
		return f_string(t, v, n, tm, out);
	}
	if (c == '[' || c == '{')
		return f_flow(r, t, ind, tm, out);
	int dq = c == '"' || c == '\'';
	if (!dq && !f_plain_start(r, q))
		return F_BAIL; /* properties, aliases, explicit keys, errors */
	state st = save(r);
	const char *v;
	size_t n;
	int ml;
	if (dq ? quoted(r, &v, &n, &ml) : plain(r, ind, &v, &n, &ml))
		return F_BAIL;
	if (f_key_follows(r, st.line, ml)) {
		/* the first key of a mapping */
		if (!compact && !crossed)
			return F_BAIL; /* "mapping values are not allowed in this context" */
		fkey first = {q, v, n, !dq};
		return f_map(r, t, col, tm, &first, out);
	}
	if (dq)
		return f_string(t, v, n, tm, out);
	if (gri_yaml_plain(t->a, v, n, 0, out))
		return F_BAIL;
	f_pos(t, out, tm);
	return F_OK;
}

int gri_yaml_read_tree(const char *data, size_t len, gr_arena *a, const struct gri_budget *budget,
                       size_t max_depth, uint32_t line0, gr_value *root)
{
	gri_yerr err;
	memset(&err, 0, sizeof err);
	rd r = {.s = data,
	        .p = data,
	        .end = data + len,
	        .line_start = data,
	        .err = &err,
	        .ascii = 1,
	        .peeks_left = 10000};
	tbuild t = {.a = a, .budget = budget, .max_depth = max_depth, .line0 = line0};
	int ok = 0;
	if (check_text(&r) != R_OK)
		goto out;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		r.p = r.line_start = data + 3;
	if (next_token(&r) || r.p >= r.end || (r.p == r.line_start && *r.p == '%') ||
	    (r.end - r.p >= 3 && memcmp(r.p, "...", 3) == 0 && is_bz(&r, r.p + 3)))
		goto out;
	gri_ymark zero = {0, 0};
	int rc;
	if (r.p == r.line_start && r.end - r.p >= 3 && memcmp(r.p, "---", 3) == 0 && is_bz(&r, r.p + 3)) {
		/* explicit: the content starts on a later line (an empty
		 * document, or content on the marker's line, go through events) */
		r.p += 3;
		state st = save(&r);
		if (next_token(&r) || r.p >= r.end || r.line == st.line || block_stop(&r, r.p))
			goto out;
		restore(&r, st);
		rc = f_node(&r, &t, -1, 0, 0, zero, root);
	} else {
		rc = f_node(&r, &t, -1, 1, 0, zero, root);
	}
	if (rc || next_token(&r) || r.p < r.end || (root->type != GR_OBJECT && root->type != GR_ARRAY))
		goto out;
	ok = 1;
out:
	free(r.buf);
	gr_stack_free(&t.st);
	return ok;
}

int gri_yaml_read(const char *data, size_t len, gri_yev_fn fn, void *ctx, gri_yerr *err)
{
	memset(err, 0, sizeof *err);
	rd r = {.s = data,
	        .p = data,
	        .end = data + len,
	        .line_start = data,
	        .fn = fn,
	        .ctx = ctx,
	        .err = err,
	        .ascii = 1,
	        .peeks_left = 10000};
	int rc = check_text(&r);
	if (rc == R_OK) {
		if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
			r.p = r.line_start = data + 3;
		rc = documents(&r);
	}
	free(r.buf);
	return rc;
}
