/*
 * parse.c — Go regexp/syntax's grammar (the Perl flags regexp.Compile uses)
 * to a syntax tree, with Go's errors: the same ErrorCode text, the same
 * offending text in backquotes, and its byte offset.
 *
 * Like Go's parser this is a loop over a stack, not a recursive descent:
 * '(' and '|' push markers; ')' and the end collapse what is above them into
 * concatenations and alternations. Every node pushed is checked against Go's
 * limits (compiled size, nesting height, runes in classes) and every
 * counted repetition against the product-of-counts rule (1000), so a hostile
 * pattern is refused before anything big is built.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regex_int.h"

static const char *const codes[] = {
        [GR_REGEX_OK] = "",
        [GR_REGEX_INVALID_CHAR_CLASS] = "invalid character class",
        [GR_REGEX_INVALID_CHAR_RANGE] = "invalid character class range",
        [GR_REGEX_INVALID_ESCAPE] = "invalid escape sequence",
        [GR_REGEX_INVALID_NAMED_CAPTURE] = "invalid named capture",
        [GR_REGEX_INVALID_PERL_OP] = "invalid or unsupported Perl syntax",
        [GR_REGEX_INVALID_REPEAT_OP] = "invalid nested repetition operator",
        [GR_REGEX_INVALID_REPEAT_SIZE] = "invalid repeat count",
        [GR_REGEX_INVALID_UTF8] = "invalid UTF-8",
        [GR_REGEX_MISSING_BRACKET] = "missing closing ]",
        [GR_REGEX_MISSING_PAREN] = "missing closing )",
        [GR_REGEX_MISSING_REPEAT_ARGUMENT] = "missing argument to repetition operator",
        [GR_REGEX_TRAILING_BACKSLASH] = "trailing backslash at end of expression",
        [GR_REGEX_UNEXPECTED_PAREN] = "unexpected )",
        [GR_REGEX_NESTING_DEPTH] = "expression nests too deeply",
        [GR_REGEX_TOO_LARGE] = "expression too large",
        [GR_REGEX_NO_MEMORY] = "out of memory",
        [GR_REGEX_LIMIT] = "output limit exceeded",
};

/* Fill err for a failure whose Expr (as Go names it) is pattern[off, off+len). */
int rx_set_error(gr_regex_error *err, gr_regex_status st, const char *pattern, size_t off, size_t len)
{
	if (!err)
		return -1;
	err->status = st;
	err->code = codes[st];
	err->offset = off;
	if (st == GR_REGEX_NO_MEMORY || st == GR_REGEX_LIMIT || !pattern) {
		snprintf(err->message, sizeof err->message, "%s", codes[st]);
		return -1;
	}
	int shown = (int)len;
	const char *ellipsis = "";
	if (len > 400) {
		shown = 400;
		ellipsis = "...";
	}
	snprintf(err->message, sizeof err->message, "error parsing regexp: %s: `%.*s%s`", codes[st], shown,
	         pattern + off, ellipsis);
	return -1;
}

typedef struct parser {
	const char *s;
	size_t len;
	gr_arena *a;
	int flags;
	rx_node **stack;
	size_t n, cap;
	int ncap;
	const char **names;
	size_t names_cap;
	int64_t nrunes;
	gr_regex_error *err;
	size_t at; /* where the parser is, for errors about the whole pattern */
} parser;

static int fail(parser *p, gr_regex_status st, size_t off, size_t end)
{
	return rx_set_error(p->err, st, p->s, off, end - off);
}

static int nomem(parser *p)
{
	return rx_set_error(p->err, GR_REGEX_NO_MEMORY, NULL, p->at, 0);
}

/* The whole pattern is Go's Expr for these; the offset says where it was seen. */
static int fail_whole(parser *p, gr_regex_status st, size_t where)
{
	rx_set_error(p->err, st, p->s, 0, p->len);
	if (p->err)
		p->err->offset = where;
	return -1;
}

static rx_node *new_node(parser *p, rx_op op)
{
	rx_node *n = gr_arena_calloc(p->a, 1, sizeof *n);
	if (n) {
		n->op = op;
		n->flags = p->flags;
		n->class_id = -1;
	}
	return n;
}

static int add_sub(parser *p, rx_node *n, rx_node *sub)
{
	if (n->nsub == n->subcap) {
		size_t nc = n->subcap ? n->subcap * 2 : 4;
		rx_node **ns = gr_arena_alloc(p->a, nc * sizeof *ns);
		if (!ns)
			return -1;
		if (n->nsub)
			memcpy(ns, n->sub, n->nsub * sizeof *ns);
		n->sub = ns;
		n->subcap = nc;
	}
	n->sub[n->nsub++] = sub;
	return 0;
}

static int64_t clamp(int64_t v)
{
	return v > RX_MAX_SIZE + 1 ? RX_MAX_SIZE + 1 : v;
}

/* Go's calcSize and height, and whether the node matches the empty string. */
static void measure(rx_node *n)
{
	int64_t size = 0;
	int h = 0;
	bool all = true, any = false;
	for (size_t i = 0; i < n->nsub; i++) {
		if (n->sub[i]->height > h)
			h = n->sub[i]->height;
		all = all && n->sub[i]->nullable;
		any = any || n->sub[i]->nullable;
	}
	int64_t sub = n->nsub ? n->sub[0]->size : 0;
	switch (n->op) {
	case RX_LITERAL: size = 1; break;
	case RX_CAPTURE:
	case RX_STAR: size = 2 + sub; break;
	case RX_PLUS:
	case RX_QUEST: size = 1 + sub; break;
	case RX_CONCAT:
	case RX_ALTERNATE:
		for (size_t i = 0; i < n->nsub; i++)
			size = clamp(size + n->sub[i]->size);
		if (n->op == RX_ALTERNATE && n->nsub > 1)
			size += (int64_t)n->nsub - 1;
		break;
	case RX_REPEAT:
		if (n->max == -1)
			size = n->min == 0 ? 2 + sub : 1 + (int64_t)n->min * sub;
		else
			size = (int64_t)n->max * sub + (n->max - n->min);
		break;
	default: break;
	}
	n->size = clamp(size < 1 ? 1 : size);
	n->height = 1 + h;
	switch (n->op) {
	case RX_LITERAL:
	case RX_CLASS:
	case RX_ANY:
	case RX_ANY_NOT_NL:
	case RX_NO_MATCH: n->nullable = false; break;
	case RX_CAPTURE:
	case RX_PLUS:
	case RX_CONCAT: n->nullable = all; break;
	case RX_ALTERNATE: n->nullable = any; break;
	case RX_REPEAT: n->nullable = n->min == 0 || all; break;
	default: n->nullable = true; break; /* empty-width, *, ? */
	}
}

static int check_limits(parser *p, rx_node *n)
{
	if (p->nrunes > RX_MAX_RUNES)
		return fail_whole(p, GR_REGEX_TOO_LARGE, p->at);
	if (n->size > RX_MAX_SIZE)
		return fail_whole(p, GR_REGEX_TOO_LARGE, p->at);
	if (n->height > RX_MAX_HEIGHT)
		return fail_whole(p, GR_REGEX_NESTING_DEPTH, p->at);
	return 0;
}

static int push(parser *p, rx_node *n)
{
	if (!n)
		return nomem(p);
	if (n->op < RX_PSEUDO)
		measure(n);
	if (n->op == RX_LITERAL)
		p->nrunes += 1;
	else if (n->op == RX_CLASS)
		p->nrunes += 2 * (int64_t)n->nranges;
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 32;
		rx_node **ns = realloc(p->stack, nc * sizeof *ns);
		if (!ns)
			return nomem(p);
		p->stack = ns;
		p->cap = nc;
	}
	p->stack[p->n++] = n;
	return n->op < RX_PSEUDO ? check_limits(p, n) : 0;
}

static int push_op(parser *p, rx_op op)
{
	return push(p, new_node(p, op));
}

/* A class node from a built rx_class (which it takes over). */
static int push_class(parser *p, rx_class *c)
{
	if (c->failed) {
		rx_class_free(c);
		return nomem(p);
	}
	rx_node *n = new_node(p, RX_CLASS);
	if (n) {
		n->nranges = c->n;
		n->ranges = gr_arena_alloc(p->a, (c->n ? c->n : 1) * 2 * sizeof(uint32_t));
		if (!n->ranges)
			n = NULL;
		else if (c->n)
			memcpy(n->ranges, c->r, c->n * 2 * sizeof(uint32_t));
	}
	rx_class_free(c);
	return push(p, n);
}

static int literal(parser *p, uint32_t r)
{
	if ((p->flags & RXF_FOLD_CASE) && rx_simple_fold(r) != r) {
		rx_class c = {0};
		rx_class_add_folded(&c, r, r);
		rx_class_clean(&c);
		return push_class(p, &c);
	}
	rx_node *n = new_node(p, RX_LITERAL);
	if (n)
		n->rune = r;
	return push(p, n);
}

/* Decode the rune at off; invalid UTF-8 is Go's ErrInvalidUTF8 with the
 * rest of the pattern as its Expr. At the end: U+FFFD of width 0. */
static int next_rune(parser *p, size_t off, uint32_t *r, size_t *w)
{
	*r = rx_decode((const unsigned char *)p->s + off, p->len - off, w);
	if (*w == 0) {
		*r = 0xFFFD;
		return 0;
	}
	if (*r == 0xFFFD && *w == 1)
		return fail(p, GR_REGEX_INVALID_UTF8, off, p->len);
	return 0;
}

static int check_utf8(parser *p, size_t off, size_t end)
{
	while (off < end) {
		size_t w;
		uint32_t r = rx_decode((const unsigned char *)p->s + off, end - off, &w);
		if (r == 0xFFFD && w == 1)
			return fail(p, GR_REGEX_INVALID_UTF8, off, p->len);
		off += w;
	}
	return 0;
}

static bool is_alnum(uint32_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int unhex(uint32_t c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (int)(c - 'A' + 10);
	return -1;
}

/* ---- collapsing the stack ---- */

static bool is_marker(const rx_node *n)
{
	return n->op > RX_PSEUDO;
}

/* Replace what is above the topmost marker with its concatenation. */
static int concat(parser *p)
{
	size_t i = p->n;
	while (i > 0 && !is_marker(p->stack[i - 1]))
		i--;
	size_t cnt = p->n - i;
	if (cnt == 1)
		return 0;
	p->n = i;
	if (cnt == 0)
		return push_op(p, RX_EMPTY_MATCH);
	rx_node *c = new_node(p, RX_CONCAT);
	if (!c)
		return nomem(p);
	for (size_t k = i; k < i + cnt; k++) {
		rx_node *s = p->stack[k];
		if (s->op == RX_CONCAT) {
			for (size_t j = 0; j < s->nsub; j++)
				if (add_sub(p, c, s->sub[j]) != 0)
					return nomem(p);
		} else if (add_sub(p, c, s) != 0) {
			return nomem(p);
		}
	}
	return push(p, c);
}

static int add_alternative(parser *p, rx_node *bar, rx_node *alt)
{
	if (alt->op == RX_ALTERNATE) {
		for (size_t j = 0; j < alt->nsub; j++)
			if (add_sub(p, bar, alt->sub[j]) != 0)
				return nomem(p);
		return 0;
	}
	return add_sub(p, bar, alt) == 0 ? 0 : nomem(p);
}

static int vertical_bar(parser *p)
{
	if (concat(p) != 0)
		return -1;
	rx_node *top = p->stack[p->n - 1];
	if (p->n >= 2 && p->stack[p->n - 2]->op == RX_VERTICAL_BAR) {
		p->n--;
		return add_alternative(p, p->stack[p->n - 1], top);
	}
	rx_node *bar = new_node(p, RX_VERTICAL_BAR);
	if (!bar || add_alternative(p, bar, top) != 0)
		return nomem(p);
	bar->pos = p->at;
	p->stack[p->n - 1] = bar;
	return 0;
}

/* concat, then fold a pending alternation into one node. */
static int alternate(parser *p)
{
	if (concat(p) != 0)
		return -1;
	if (p->n >= 2 && p->stack[p->n - 2]->op == RX_VERTICAL_BAR) {
		rx_node *top = p->stack[--p->n];
		rx_node *bar = p->stack[--p->n];
		if (add_alternative(p, bar, top) != 0)
			return -1;
		bar->op = RX_ALTERNATE;
		return push(p, bar);
	}
	return 0;
}

static int right_paren(parser *p)
{
	if (alternate(p) != 0)
		return -1;
	if (p->n < 2 || p->stack[p->n - 2]->op != RX_LEFT_PAREN)
		return fail_whole(p, GR_REGEX_UNEXPECTED_PAREN, p->at);
	rx_node *re1 = p->stack[--p->n];
	rx_node *re2 = p->stack[--p->n];
	p->flags = re2->flags;
	if (re2->cap == 0)
		return push(p, re1);
	re2->op = RX_CAPTURE;
	if (add_sub(p, re2, re1) != 0)
		return nomem(p);
	return push(p, re2);
}

/* ---- repetition ---- */

static bool repeat_is_valid(const rx_node *n, int lim)
{
	if (n->op == RX_REPEAT) {
		int m = n->max;
		if (m == 0)
			return true;
		if (m < 0)
			m = n->min;
		if (m > lim)
			return false;
		if (m > 0)
			lim /= m;
	}
	for (size_t i = 0; i < n->nsub; i++)
		if (!repeat_is_valid(n->sub[i], lim))
			return false;
	return true;
}

/* The operator spans [before, after); last: where the previous token's
 * repetition operator began, or -1. Returns the new position or -1. */
static long repeat(parser *p, rx_op op, int min, int max, size_t before, size_t after, long last)
{
	int flags = p->flags;
	if (after < p->len && p->s[after] == '?') {
		after++;
		flags ^= RXF_NON_GREEDY;
	}
	if (last >= 0)
		return fail(p, GR_REGEX_INVALID_REPEAT_OP, (size_t)last, after);
	if (p->n == 0 || is_marker(p->stack[p->n - 1]))
		return fail(p, GR_REGEX_MISSING_REPEAT_ARGUMENT, before, after);
	rx_node *n = new_node(p, op);
	if (!n || add_sub(p, n, p->stack[p->n - 1]) != 0)
		return nomem(p);
	n->min = min;
	n->max = max;
	n->flags = flags;
	measure(n);
	p->stack[p->n - 1] = n;
	if (check_limits(p, n) != 0)
		return -1;
	if (op == RX_REPEAT && (min >= 2 || max >= 2) && !repeat_is_valid(n, RX_MAX_REPEAT))
		return fail(p, GR_REGEX_INVALID_REPEAT_SIZE, before, after);
	return (long)after;
}

/* A decimal integer without leading zeros; value -1 when too big. */
static bool parse_int(parser *p, size_t *off, int *val)
{
	size_t i = *off;
	if (i >= p->len || p->s[i] < '0' || p->s[i] > '9')
		return false;
	if (i + 1 < p->len && p->s[i] == '0' && p->s[i + 1] >= '0' && p->s[i + 1] <= '9')
		return false;
	int v = 0;
	for (; i < p->len && p->s[i] >= '0' && p->s[i] <= '9'; i++) {
		if (v >= 100000000) {
			v = -1;
			while (i < p->len && p->s[i] >= '0' && p->s[i] <= '9')
				i++;
			break;
		}
		v = v * 10 + (p->s[i] - '0');
	}
	*val = v;
	*off = i;
	return true;
}

/* {min}, {min,} or {min,max} at off; false when it is not of that form. */
static bool parse_repeat(parser *p, size_t off, int *min, int *max, size_t *end)
{
	size_t i = off + 1;
	if (!parse_int(p, &i, min) || i >= p->len)
		return false;
	if (p->s[i] != ',') {
		*max = *min;
	} else {
		i++;
		if (i >= p->len)
			return false;
		if (p->s[i] == '}') {
			*max = -1;
		} else {
			if (!parse_int(p, &i, max))
				return false;
			if (*max < 0)
				*min = -1;
		}
	}
	if (i >= p->len || p->s[i] != '}')
		return false;
	*end = i + 1;
	return true;
}

/* ---- escapes and classes ---- */

/* An ordinary single-character escape at off (a backslash). */
static int parse_escape(parser *p, size_t off, uint32_t *out, size_t *next)
{
	size_t t = off + 1, w;
	uint32_t c;
	if (t >= p->len)
		return fail(p, GR_REGEX_TRAILING_BACKSLASH, off, off);
	if (next_rune(p, t, &c, &w) != 0)
		return -1;
	t += w;
	switch (c) {
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
	case '6':
	case '7':
		if (t >= p->len || p->s[t] < '0' || p->s[t] > '7')
			break; /* a backreference: not supported */
		               /* fall through */
	case '0': {
		uint32_t r = c - '0';
		for (int i = 1; i < 3 && t < p->len && p->s[t] >= '0' && p->s[t] <= '7'; i++)
			r = r * 8 + (uint32_t)(p->s[t++] - '0');
		*out = r;
		*next = t;
		return 0;
	}
	case 'x': {
		if (t >= p->len)
			break;
		if (next_rune(p, t, &c, &w) != 0)
			return -1;
		t += w;
		if (c == '{') {
			int nhex = 0;
			uint32_t r = 0;
			bool ok = false;
			for (;;) {
				if (t >= p->len)
					break;
				if (next_rune(p, t, &c, &w) != 0)
					return -1;
				t += w;
				if (c == '}') {
					ok = nhex > 0;
					break;
				}
				int v = unhex(c);
				if (v < 0)
					break;
				r = r * 16 + (uint32_t)v;
				if (r > RX_MAX_RUNE)
					break;
				nhex++;
			}
			if (!ok)
				break;
			*out = r;
			*next = t;
			return 0;
		}
		int x = unhex(c);
		if (next_rune(p, t, &c, &w) != 0)
			return -1;
		t += w;
		int y = unhex(c);
		if (x < 0 || y < 0)
			break;
		*out = (uint32_t)(x * 16 + y);
		*next = t;
		return 0;
	}
	case 'a': *out = '\a', *next = t; return 0;
	case 'f': *out = '\f', *next = t; return 0;
	case 'n': *out = '\n', *next = t; return 0;
	case 'r': *out = '\r', *next = t; return 0;
	case 't': *out = '\t', *next = t; return 0;
	case 'v': *out = '\v', *next = t; return 0;
	default:
		if (c < 0x80 && !is_alnum(c)) {
			*out = c;
			*next = t;
			return 0;
		}
		break;
	}
	return fail(p, GR_REGEX_INVALID_ESCAPE, off, t);
}

/* \d \s \w and their negations at off: appended to c; 1 found, 0 not. */
static int perl_class(parser *p, size_t off, rx_class *c, size_t *next)
{
	if (off + 1 >= p->len || p->s[off] != '\\')
		return 0;
	const rx_group *g = rx_perl_group(p->s[off + 1]);
	if (!g)
		return 0;
	rx_class_add_class(c, g->r, g->n, g->sign < 0, (p->flags & RXF_FOLD_CASE) != 0);
	*next = off + 2;
	return 1;
}

/* \pL, \p{Greek}, \PL, \p{^Greek} at off: 1 found (appended), 0 not, -1 error. */
static int unicode_class(parser *p, size_t off, rx_class *c, size_t *next)
{
	if (off + 1 >= p->len || p->s[off] != '\\' || (p->s[off + 1] != 'p' && p->s[off + 1] != 'P'))
		return 0;
	int sign = p->s[off + 1] == 'P' ? -1 : +1;
	size_t t = off + 2, w;
	uint32_t r;
	if (next_rune(p, t, &r, &w) != 0)
		return -1;
	size_t seq_end, name, name_end;
	if (r != '{') {
		seq_end = t + w;
		name = off + 2;
		name_end = seq_end;
	} else {
		const char *close = memchr(p->s + off, '}', p->len - off);
		if (!close) {
			if (check_utf8(p, off, p->len) != 0)
				return -1;
			return fail(p, GR_REGEX_INVALID_CHAR_RANGE, off, p->len);
		}
		seq_end = (size_t)(close - p->s) + 1;
		name = off + 3;
		name_end = seq_end - 1;
		if (check_utf8(p, name, name_end) != 0)
			return -1;
	}
	if (name < name_end && p->s[name] == '^') {
		sign = -sign;
		name++;
	}
	int tsign;
	const gri_utable *tab = rx_unicode_table(p->s + name, name_end - name, &tsign);
	if (!tab)
		return fail(p, GR_REGEX_INVALID_CHAR_RANGE, off, seq_end);
	sign *= tsign;
	rx_class_add_class(c, tab->r, tab->n, sign < 0, (p->flags & RXF_FOLD_CASE) != 0);
	*next = seq_end;
	return 1;
}

/* [...] at off. */
static long parse_class(parser *p, size_t off)
{
	size_t t = off + 1;
	rx_class c = {0};
	bool negate = false;
	if (t < p->len && p->s[t] == '^') {
		negate = true;
		t++;
	}
	bool first = true;
	int rc;
	while (t >= p->len || p->s[t] != ']' || first) {
		first = false;
		/* POSIX [:alnum:] */
		if (t + 2 < p->len && p->s[t] == '[' && p->s[t + 1] == ':') {
			const char *e = NULL;
			for (size_t k = t + 2; k + 1 < p->len; k++)
				if (p->s[k] == ':' && p->s[k + 1] == ']') {
					e = p->s + k;
					break;
				}
			if (e) {
				size_t end = (size_t)(e - p->s) + 2;
				const rx_group *g = rx_posix_group(p->s + t, end - t);
				if (!g) {
					rx_class_free(&c);
					return fail(p, GR_REGEX_INVALID_CHAR_RANGE, t, end);
				}
				rx_class_add_class(&c, g->r, g->n, g->sign < 0,
				                   (p->flags & RXF_FOLD_CASE) != 0);
				t = end;
				continue;
			}
		}
		size_t nt;
		if ((rc = unicode_class(p, t, &c, &nt)) != 0) {
			if (rc < 0) {
				rx_class_free(&c);
				return -1;
			}
			t = nt;
			continue;
		}
		if (perl_class(p, t, &c, &nt)) {
			t = nt;
			continue;
		}
		size_t rng = t;
		uint32_t lo, hi;
		if (t >= p->len) {
			rx_class_free(&c);
			return fail(p, GR_REGEX_MISSING_BRACKET, off, p->len);
		}
		if (p->s[t] == '\\') {
			if (parse_escape(p, t, &lo, &t) != 0) {
				rx_class_free(&c);
				return -1;
			}
		} else {
			size_t w;
			if (next_rune(p, t, &lo, &w) != 0) {
				rx_class_free(&c);
				return -1;
			}
			t += w;
		}
		hi = lo;
		if (t + 1 < p->len && p->s[t] == '-' && p->s[t + 1] != ']') {
			t++;
			if (p->s[t] == '\\') {
				if (parse_escape(p, t, &hi, &t) != 0) {
					rx_class_free(&c);
					return -1;
				}
			} else {
				size_t w;
				if (next_rune(p, t, &hi, &w) != 0) {
					rx_class_free(&c);
					return -1;
				}
				t += w;
			}
			if (hi < lo) {
				rx_class_free(&c);
				return fail(p, GR_REGEX_INVALID_CHAR_RANGE, rng, t);
			}
		}
		if (p->flags & RXF_FOLD_CASE)
			rx_class_add_folded(&c, lo, hi);
		else
			rx_class_add(&c, lo, hi);
	}
	t++; /* ] */
	rx_class_clean(&c);
	if (negate)
		rx_class_negate(&c);
	if (push_class(p, &c) != 0)
		return -1;
	return (long)t;
}

/* ---- groups and flags ---- */

static bool valid_name(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '_' && !is_alnum((unsigned char)s[i]))
			return false;
	return true;
}

static int open_capture(parser *p, const char *name, size_t off)
{
	p->ncap++;
	if ((size_t)p->ncap + 1 > p->names_cap) {
		size_t nc = p->names_cap ? p->names_cap * 2 : 16;
		const char **nn = realloc(p->names, nc * sizeof *nn);
		if (!nn)
			return nomem(p);
		p->names = nn;
		p->names_cap = nc;
	}
	p->names[p->ncap] = name;
	rx_node *n = new_node(p, RX_LEFT_PAREN);
	if (!n)
		return nomem(p);
	n->cap = p->ncap;
	n->name = name;
	n->pos = off;
	return push(p, n);
}

/* "(?" at off: flags, a non-capturing group or a named group. */
static long perl_flags(parser *p, size_t off)
{
	size_t rest = p->len - off;
	const char *t = p->s + off;
	bool with_p = rest > 4 && t[2] == 'P' && t[3] == '<';
	bool with_name = rest > 3 && t[2] == '<';
	if (with_p || with_name) {
		size_t start = off + (with_p ? 4 : 3);
		const char *gt = memchr(t, '>', rest);
		if (!gt) {
			if (check_utf8(p, off, p->len) != 0)
				return -1;
			return fail(p, GR_REGEX_INVALID_NAMED_CAPTURE, off, p->len);
		}
		size_t end = (size_t)(gt - p->s);
		if (check_utf8(p, start, end) != 0)
			return -1;
		if (!valid_name(p->s + start, end - start))
			return fail(p, GR_REGEX_INVALID_NAMED_CAPTURE, off, end + 1);
		char *name = gr_arena_strndup(p->a, p->s + start, end - start);
		if (!name)
			return nomem(p);
		if (open_capture(p, name, off) != 0)
			return -1;
		return (long)(end + 1);
	}
	size_t i = off + 2;
	int flags = p->flags;
	int sign = +1;
	bool saw = false;
	while (i < p->len) {
		uint32_t c;
		size_t w;
		if (next_rune(p, i, &c, &w) != 0)
			return -1;
		i += w;
		switch (c) {
		case 'i': flags |= RXF_FOLD_CASE, saw = true; continue;
		case 'm': flags &= ~RXF_ONE_LINE, saw = true; continue;
		case 's': flags |= RXF_DOT_NL, saw = true; continue;
		case 'U': flags |= RXF_NON_GREEDY, saw = true; continue;
		case '-':
			if (sign < 0)
				break;
			sign = -1;
			flags = ~flags;
			saw = false;
			continue;
		case ':':
		case ')':
			if (sign < 0) {
				if (!saw)
					break;
				flags = ~flags;
			}
			if (c == ':') {
				rx_node *n = new_node(p, RX_LEFT_PAREN);
				if (!n)
					return nomem(p);
				n->pos = off;
				if (push(p, n) != 0)
					return -1;
			}
			p->flags = flags;
			return (long)i;
		default: break;
		}
		break;
	}
	return fail(p, GR_REGEX_INVALID_PERL_OP, off, i);
}

/* ---- the loop ---- */

static int parse_loop(parser *p)
{
	size_t t = 0;
	long last = -1;
	while (t < p->len) {
		long rep = -1;
		p->at = t;
		unsigned char ch = (unsigned char)p->s[t];
		long r;
		switch (ch) {
		case '(':
			if (t + 1 < p->len && p->s[t + 1] == '?') {
				if ((r = perl_flags(p, t)) < 0)
					return -1;
				t = (size_t)r;
				break;
			}
			if (open_capture(p, NULL, t) != 0)
				return -1;
			t++;
			break;
		case '|':
			if (vertical_bar(p) != 0)
				return -1;
			t++;
			break;
		case ')':
			if (right_paren(p) != 0)
				return -1;
			t++;
			break;
		case '^':
			if (push_op(p, (p->flags & RXF_ONE_LINE) ? RX_BEGIN_TEXT : RX_BEGIN_LINE) != 0)
				return -1;
			t++;
			break;
		case '$':
			if (push_op(p, (p->flags & RXF_ONE_LINE) ? RX_END_TEXT : RX_END_LINE) != 0)
				return -1;
			t++;
			break;
		case '.':
			if (push_op(p, (p->flags & RXF_DOT_NL) ? RX_ANY : RX_ANY_NOT_NL) != 0)
				return -1;
			t++;
			break;
		case '[':
			if ((r = parse_class(p, t)) < 0)
				return -1;
			t = (size_t)r;
			break;
		case '*':
		case '+':
		case '?': {
			rx_op op = ch == '*' ? RX_STAR : ch == '+' ? RX_PLUS : RX_QUEST;
			if ((r = repeat(p, op, 0, 0, t, t + 1, last)) < 0)
				return -1;
			rep = (long)t;
			t = (size_t)r;
			break;
		}
		case '{': {
			int min, max;
			size_t end;
			if (!parse_repeat(p, t, &min, &max, &end)) {
				if (literal(p, '{') != 0)
					return -1;
				t++;
				break;
			}
			if (min < 0 || min > RX_MAX_REPEAT || max > RX_MAX_REPEAT || (max >= 0 && min > max))
				return fail(p, GR_REGEX_INVALID_REPEAT_SIZE, t, end);
			if ((r = repeat(p, RX_REPEAT, min, max, t, end, last)) < 0)
				return -1;
			rep = (long)t;
			t = (size_t)r;
			break;
		}
		case '\\': {
			if (t + 1 < p->len) {
				rx_op op = 0;
				switch (p->s[t + 1]) {
				case 'A': op = RX_BEGIN_TEXT; break;
				case 'b': op = RX_WORD_BOUNDARY; break;
				case 'B': op = RX_NO_WORD_BOUNDARY; break;
				case 'z': op = RX_END_TEXT; break;
				case 'C': return fail(p, GR_REGEX_INVALID_ESCAPE, t, t + 2);
				case 'Q': {
					size_t lit = t + 2, lit_end = p->len, after = p->len;
					for (size_t k = lit; k + 1 < p->len; k++)
						if (p->s[k] == '\\' && p->s[k + 1] == 'E') {
							lit_end = k;
							after = k + 2;
							break;
						}
					while (lit < lit_end) {
						size_t w;
						uint32_t c = rx_decode((const unsigned char *)p->s + lit,
						                       lit_end - lit, &w);
						if (c == 0xFFFD && w == 1)
							return fail(p, GR_REGEX_INVALID_UTF8, lit, lit_end);
						if (literal(p, c) != 0)
							return -1;
						lit += w;
					}
					t = after;
					last = -1;
					continue;
				}
				default: break;
				}
				if (op) {
					if (push_op(p, op) != 0)
						return -1;
					t += 2;
					break;
				}
			}
			rx_class c = {0};
			size_t nt;
			int rc = unicode_class(p, t, &c, &nt);
			if (rc < 0) {
				rx_class_free(&c);
				return -1;
			}
			if (rc == 0)
				rc = perl_class(p, t, &c, &nt);
			if (rc > 0) {
				rx_class_clean(&c);
				if (push_class(p, &c) != 0)
					return -1;
				t = nt;
				break;
			}
			rx_class_free(&c);
			uint32_t lit;
			if (parse_escape(p, t, &lit, &t) != 0)
				return -1;
			if (literal(p, lit) != 0)
				return -1;
			break;
		}
		default: {
			uint32_t c;
			size_t w;
			if (next_rune(p, t, &c, &w) != 0)
				return -1;
			if (literal(p, c) != 0)
				return -1;
			t += w;
			break;
		}
		}
		last = rep;
	}
	p->at = p->len;
	if (alternate(p) != 0)
		return -1;
	if (p->n != 1) {
		size_t where = 0;
		for (size_t i = p->n; i > 0; i--)
			if (p->stack[i - 1]->op == RX_LEFT_PAREN) {
				where = p->stack[i - 1]->pos;
				break;
			}
		return fail_whole(p, GR_REGEX_MISSING_PAREN, where);
	}
	return 0;
}

int rx_parse(const char *s, size_t len, int gflags, gr_arena *a, rx_parsed *out, gr_regex_error *err)
{
	parser p = {.s = s, .len = len, .a = a, .flags = RXF_ONE_LINE, .err = err};
	int rc;
	if (gflags & GR_REGEX_LITERAL) {
		rc = check_utf8(&p, 0, len);
		for (size_t i = 0; rc == 0 && i < len;) {
			size_t w;
			uint32_t c = rx_decode((const unsigned char *)s + i, len - i, &w);
			rc = literal(&p, c);
			i += w;
		}
		if (rc == 0)
			rc = concat(&p);
	} else {
		rc = parse_loop(&p);
	}
	if (rc == 0) {
		out->root = p.stack[0];
		out->ncap = p.ncap;
		out->names = gr_arena_calloc(a, (size_t)p.ncap + 1, sizeof *out->names);
		if (!out->names)
			rc = nomem(&p);
		else
			for (int i = 1; i <= p.ncap; i++)
				out->names[i] = p.names[i];
	}
	free(p.stack);
	free(p.names);
	return rc;
}
