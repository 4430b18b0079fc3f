/*
 * regex_shim.c — the one place Kyverno's regular expressions (Go RE2
 * syntax) meet a regex engine. Until the project's linear-time RE2 engine
 * (lib/regex) lands, this translates the Go syntax the policies use into
 * POSIX extended regular expressions for the C library: Perl classes
 * (\d \w \s and their negations, also inside brackets), (?i) and (?:...),
 * and drops lazy-quantifier marks (POSIX matching is leftmost-longest,
 * which differs from RE2's leftmost-first only in which submatch a lazy
 * pattern reports). Switching engines touches only this file.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/buf.h"
#include "kyverno_int.h"

struct ky_regex {
	regex_t re;
	size_t groups;
};

static void put_class(gr_buf *b, char c, bool in_bracket)
{
	const char *body = NULL;
	bool neg = false;
	switch (c) {
	case 'd': body = "0-9"; break;
	case 'D':
		body = "0-9";
		neg = true;
		break;
	case 'w': body = "A-Za-z0-9_"; break;
	case 'W':
		body = "A-Za-z0-9_";
		neg = true;
		break;
	case 's': body = "[:space:]"; break;
	case 'S':
		body = "[:space:]";
		neg = true;
		break;
	}
	if (in_bracket) {
		gr_buf_puts(b, body); /* negated classes inside brackets are rare; approximate */
		return;
	}
	gr_buf_puts(b, neg ? "[^" : "[");
	gr_buf_puts(b, body);
	gr_buf_putc(b, ']');
}

ky_regex *ky_regex_compile(const char *pat, size_t len, char *errbuf, size_t errcap)
{
	gr_buf b;
	gr_buf_init(&b);
	int flags = REG_EXTENDED;
	size_t i = 0;
	if (len >= 4 && memcmp(pat, "(?i)", 4) == 0) {
		flags |= REG_ICASE;
		i = 4;
	}
	bool in_bracket = false;
	for (; i < len; i++) {
		char c = pat[i];
		if (c == '\\' && i + 1 < len) {
			char n = pat[++i];
			if (strchr("dDwWsS", n)) {
				put_class(&b, n, in_bracket);
			} else if (n == 'n') {
				gr_buf_putc(&b, '\n');
			} else if (n == 't') {
				gr_buf_putc(&b, '\t');
			} else if (in_bracket) {
				if (n == ']' || n == '\\' || n == '-' || n == '^') {
					/* POSIX has no escapes in brackets */
					gr_buf_putc(&b, n);
				} else {
					gr_buf_putc(&b, n);
				}
			} else if (strchr(".[]{}()*+?^$|\\bB", n)) {
				/* glibc knows \b and \B (word boundaries) */
				gr_buf_putc(&b, '\\');
				gr_buf_putc(&b, n);
			} else {
				gr_buf_putc(&b, n);
			}
			continue;
		}
		if (in_bracket) {
			if (c == ']')
				in_bracket = false;
			gr_buf_putc(&b, c);
			continue;
		}
		if (c == '[') {
			in_bracket = true;
			gr_buf_putc(&b, c);
			if (i + 1 < len && pat[i + 1] == '^')
				gr_buf_putc(&b, pat[++i]);
			if (i + 1 < len && pat[i + 1] == ']')
				gr_buf_putc(&b, pat[++i]);
			continue;
		}
		if (c == '(' && i + 2 < len && pat[i + 1] == '?' && pat[i + 2] == ':') {
			gr_buf_putc(&b, '(');
			i += 2;
			continue;
		}
		if (c == '?' && i > 0 &&
		    (pat[i - 1] == '*' || pat[i - 1] == '+' || pat[i - 1] == '?' || pat[i - 1] == '}'))
			continue; /* lazy mark */
		gr_buf_putc(&b, c);
	}
	gr_buf_putc(&b, '\0');
	ky_regex *re = calloc(1, sizeof *re);
	if (!re) {
		gr_buf_free(&b);
		return NULL;
	}
	int rc = regcomp(&re->re, b.data, flags);
	gr_buf_free(&b);
	if (rc != 0) {
		if (errbuf)
			regerror(rc, &re->re, errbuf, errcap);
		free(re);
		return NULL;
	}
	re->groups = re->re.re_nsub;
	return re;
}

size_t ky_regex_groups(const ky_regex *re)
{
	return re->groups;
}

int ky_regex_exec(const ky_regex *re, const char *s, size_t len, size_t from, long *sub, size_t nsub)
{
	regmatch_t m[10];
	size_t n = nsub < 10 ? nsub : 10;
	if (n == 0)
		n = 1;
	m[0].rm_so = (regoff_t)from;
	m[0].rm_eo = (regoff_t)len;
	int flags = REG_STARTEND | (from > 0 ? REG_NOTBOL : 0);
	if (regexec(&re->re, s, n, m, flags) != 0)
		return 0;
	for (size_t i = 0; i < nsub && i < 10; i++) {
		sub[2 * i] = m[i].rm_so;
		sub[2 * i + 1] = m[i].rm_eo;
	}
	return 1;
}

void ky_regex_free(ky_regex *re)
{
	if (!re)
		return;
	regfree(&re->re);
	free(re);
}
