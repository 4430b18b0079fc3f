/*
 * pattern.c — the `pattern` of a schema (Go RE2 syntax, as the API server
 * runs it with regexp.MatchString) translated to a POSIX extended regular
 * expression for the C library's regcomp/regexec.
 *
 * The trick: RE2 and POSIX ERE agree on whether a match exists for the
 * constructs CRD authors use, once the differences are rewritten: escapes
 * (\d \w \s, \. \- \/ ..., \xHH, \t) become bracket expressions or plain
 * characters; a bracket expression is re-emitted in POSIX order (']' first,
 * '-' last, since POSIX brackets have no escapes); `(?:` becomes `(`; lazy
 * quantifiers drop their `?` (laziness never changes whether a match
 * exists). Anything else RE2-specific (flags, named groups, \p{..},
 * assertions POSIX lacks) makes the translation give up: that pattern is
 * then not checked, rather than checked wrongly.
 */
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "schema_int.h"

typedef struct out {
	char *buf;
	size_t len, cap;
	bool bad;
} out;

static void put(out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		o->bad = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}
static void putc_(out *o, char c)
{
	put(o, &c, 1);
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

/* A literal character outside brackets. */
static void put_literal(out *o, char c)
{
	if (strchr(".[]()*+?{}|^$\\", c)) {
		char b[3] = {'\\', c, 0};
		put(o, b, 2);
	} else {
		putc_(o, c);
	}
}

/* Decode an escape at p (after the backslash) into one literal char; -1 if
 * it is a class or unsupported. *used: chars consumed after the backslash. */
static int escape_char(const char *p, size_t *used)
{
	*used = 1;
	switch (*p) {
	case 't': return '\t';
	case 'n': return '\n';
	case 'r': return '\r';
	case 'f': return '\f';
	case 'v': return '\v';
	case 'x':
		if (hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
			*used = 3;
			int v = hexval(p[1]) * 16 + hexval(p[2]);
			return v ? v : -1;
		}
		return -1;
	default:
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || !*p)
			return -1; /* classes, backreferences, \p{..}, \b... */
		return (unsigned char)*p;
	}
}

static const char *class_of(char c)
{
	switch (c) {
	case 'd': return "0-9";
	case 'w': return "0-9A-Za-z_";
	case 's': return "\t\n\f\r ";
	default: return NULL;
	}
}

/* Bracket expression starting after '['; returns pointer after ']'. */
static const char *bracket(out *o, const char *p)
{
	bool neg = false, has_close = false, has_dash = false, has_caret = false;
	char body[512];
	size_t bl = 0;
	if (*p == '^') {
		neg = true;
		p++;
	}
	bool first = true;
	while (*p && (*p != ']' || first)) {
		first = false;
		int c;
		size_t used = 0;
		if (*p == '[' && p[1] == ':') { /* POSIX class: copy through */
			const char *e = strstr(p, ":]");
			if (!e || bl + (size_t)(e + 2 - p) >= sizeof body)
				return o->bad = true, p;
			memcpy(body + bl, p, (size_t)(e + 2 - p));
			bl += (size_t)(e + 2 - p);
			p = e + 2;
			continue;
		}
		if (*p == '\\') {
			const char *cls = class_of(p[1]);
			if (cls) {
				size_t n = strlen(cls);
				if (bl + n >= sizeof body)
					return o->bad = true, p;
				memcpy(body + bl, cls, n);
				bl += n;
				p += 2;
				continue;
			}
			c = escape_char(p + 1, &used);
			if (c < 0)
				return o->bad = true, p;
			p += 1 + used;
		} else {
			c = (unsigned char)*p++;
		}
		/* a range c-d */
		if (*p == '-' && p[1] && p[1] != ']') {
			int d;
			p++;
			if (*p == '\\') {
				d = escape_char(p + 1, &used);
				if (d < 0)
					return o->bad = true, p;
				p += 1 + used;
			} else {
				d = (unsigned char)*p++;
			}
			if (c == ']' || c == '-' || c == '^' || d == ']' || d == '-' || d == '^' || d < c ||
			    bl + 3 >= sizeof body)
				return o->bad = true, p;
			body[bl++] = (char)c;
			body[bl++] = '-';
			body[bl++] = (char)d;
			continue;
		}
		if (c == ']')
			has_close = true;
		else if (c == '-')
			has_dash = true;
		else if (c == '^')
			has_caret = true;
		else if (bl + 1 < sizeof body)
			body[bl++] = (char)c;
		else
			return o->bad = true, p;
	}
	if (*p != ']')
		return o->bad = true, p;
	p++;
	if (bl == 0 && !has_close && !has_dash && has_caret && !neg) {
		put(o, "\\^", 2);
		return p;
	}
	putc_(o, '[');
	if (neg)
		putc_(o, '^');
	if (has_close)
		putc_(o, ']');
	put(o, body, bl);
	if (has_caret) {
		if (bl == 0 && !has_close)
			return o->bad = true, p; /* "[^^]"-like sets: rare, give up */
		putc_(o, '^');
	}
	if (has_dash)
		putc_(o, '-');
	putc_(o, ']');
	return p;
}

int gr_pattern_translate(const char *re2, char *buf, size_t cap)
{
	out o = {buf, 0, cap, false};
	buf[0] = '\0';
	const char *p = re2;
	while (*p && !o.bad) {
		char c = *p;
		if (c == '\\') {
			const char *cls = class_of(p[1]);
			if (cls) {
				putc_(&o, '[');
				put(&o, cls, strlen(cls));
				putc_(&o, ']');
				p += 2;
				continue;
			}
			if (p[1] == 'D' || p[1] == 'W' || p[1] == 'S') {
				const char *c2 = class_of((char)(p[1] + 32));
				put(&o, "[^", 2);
				put(&o, c2, strlen(c2));
				putc_(&o, ']');
				p += 2;
				continue;
			}
			size_t used;
			int ch = escape_char(p + 1, &used);
			if (ch < 0)
				return -1;
			put_literal(&o, (char)ch);
			p += 1 + used;
		} else if (c == '[') {
			p = bracket(&o, p + 1);
		} else if (c == '(' && p[1] == '?') {
			if (p[2] != ':')
				return -1; /* flags, named groups */
			putc_(&o, '(');
			p += 3;
		} else if ((c == '*' || c == '+' || c == '?' || c == '}') && p[1] == '?') {
			putc_(&o, c); /* lazy: same match/no-match answer */
			p += 2;
		} else if (c == '{' && p[1] == ',') {
			return -1; /* RE2 reads "{,n}" literally; rare */
		} else {
			putc_(&o, c);
			p++;
		}
	}
	return o.bad ? -1 : 0;
}

int gr_pattern_compile(const char *re2, regex_t *re)
{
	char buf[2048], src[1024];
	int flags = REG_EXTENDED | REG_NOSUB;
	size_t len = strlen(re2);
	if (len > 900)
		return -1;
	/* a leading case-insensitive flag ("(?i)..." or "^(?i)...") covers the whole pattern */
	size_t at = re2[0] == '^' ? 1 : 0;
	if (strncmp(re2 + at, "(?i)", 4) == 0) {
		flags |= REG_ICASE;
		memcpy(src, re2, at);
		memcpy(src + at, re2 + at + 4, len - at - 4 + 1);
		re2 = src;
	}
	if (gr_pattern_translate(re2, buf, sizeof buf) != 0)
		return -1;
	return regcomp(re, buf, flags) == 0 ? 0 : -1;
}
