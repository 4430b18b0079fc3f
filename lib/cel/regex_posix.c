/*
 * regex_posix.c — the interim regex wrapper for CEL (see cel_regex.h):
 * POSIX ERE via <regex.h>, with Go's \d and \D rewritten as bracket
 * expressions. Perl-only syntax (non-greedy, (?i), lookarounds) fails to
 * compile and is reported as an invalid pattern.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel_regex.h"

static int compile(regex_t *re, const char *pat, size_t plen, char *msg, size_t cap)
{
	char *p = malloc(plen * 8 + 1);
	if (!p) {
		snprintf(msg, cap, "out of memory");
		return -1;
	}
	size_t o = 0;
	for (size_t i = 0; i < plen; i++) {
		if (pat[i] == '\\' && i + 1 < plen && (pat[i + 1] == 'd' || pat[i + 1] == 'D')) {
			const char *r = pat[i + 1] == 'd' ? "[0-9]" : "[^0-9]";
			memcpy(p + o, r, strlen(r));
			o += strlen(r);
			i++;
			continue;
		}
		if (pat[i] == 0) {
			free(p);
			snprintf(msg, cap, "error parsing regexp: NUL in pattern");
			return -1;
		}
		p[o++] = pat[i];
	}
	p[o] = 0;
	int rc = regcomp(re, p, REG_EXTENDED);
	free(p);
	if (rc) {
		char e[128];
		regerror(rc, re, e, sizeof e);
		snprintf(msg, cap, "error parsing regexp: %s", e);
		return -1;
	}
	return 0;
}

int cel_regex_valid(const char *pat, size_t plen, char *msg, size_t cap)
{
	regex_t re;
	if (compile(&re, pat, plen, msg, cap) < 0)
		return -1;
	regfree(&re);
	return 0;
}

int cel_regex_find(const char *pat, size_t plen, const char *s, size_t slen, size_t from, size_t *ms,
		   size_t *me, char *msg, size_t cap)
{
	regex_t re;
	if (compile(&re, pat, plen, msg, cap) < 0)
		return -1;
	regmatch_t m[1];
	m[0].rm_so = (regoff_t)from;
	m[0].rm_eo = (regoff_t)slen;
	int rc = regexec(&re, s, 1, m, REG_STARTEND | (from ? REG_NOTBOL : 0));
	regfree(&re);
	if (rc)
		return 0;
	*ms = (size_t)m[0].rm_so;
	*me = (size_t)m[0].rm_eo;
	return 1;
}

int cel_regex_match(const char *pat, size_t plen, const char *s, size_t slen, char *msg, size_t cap)
{
	size_t a, b;
	return cel_regex_find(pat, plen, s, slen, 0, &a, &b, msg, cap);
}
