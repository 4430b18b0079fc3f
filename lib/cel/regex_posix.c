/*
 * regex_posix.c — the interim regex wrapper for CEL (see cel_regex.h):
 * POSIX ERE via <regex.h>, the RE2 pattern rewritten by the schema
 * engine's translator (escapes, (?:, lazy quantifiers; a leading (?i) is
 * REG_ICASE). A pattern the translator cannot express faithfully is
 * "unsupported" (-2): the caller reports the rule as not evaluated rather
 * than judging it wrongly. find/findAll spans follow POSIX leftmost-longest,
 * not RE2's leftmost-first.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel_regex.h"

/* From the schema engine: RE2 syntax to POSIX ERE, -1 when it cannot be
 * translated faithfully (lib/schema/pattern.c). */
int gr_pattern_translate(const char *re2, char *buf, size_t cap);

/* 0 compiled; -1 invalid pattern; -2 RE2 syntax POSIX cannot express. */
static int compile(regex_t *re, const char *pat, size_t plen, char *msg, size_t cap)
{
	int flags = REG_EXTENDED;
	if (plen >= 4 && !memcmp(pat, "(?i)", 4)) {
		flags |= REG_ICASE;
		pat += 4;
		plen -= 4;
	}
	if (memchr(pat, 0, plen)) {
		snprintf(msg, cap, "error parsing regexp: NUL in pattern");
		return -1;
	}
	char *src = malloc(plen + 1);
	size_t tcap = plen * 12 + 64;
	char *p = malloc(tcap);
	if (!src || !p) {
		free(src);
		free(p);
		snprintf(msg, cap, "out of memory");
		return -1;
	}
	memcpy(src, pat, plen);
	src[plen] = 0;
	int tr = gr_pattern_translate(src, p, tcap);
	free(src);
	if (tr < 0) {
		free(p);
		snprintf(msg, cap, "unsupported regex: RE2 syntax this build cannot evaluate");
		return -2;
	}
	int rc = regcomp(re, p, flags);
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
	int rc = compile(&re, pat, plen, msg, cap);
	if (rc == -2)
		return 0; /* cannot judge it without RE2: not rejected */
	if (rc < 0)
		return -1;
	regfree(&re);
	return 0;
}

int cel_regex_find(const char *pat, size_t plen, const char *s, size_t slen, size_t from, size_t *ms,
		   size_t *me, char *msg, size_t cap)
{
	regex_t re;
	int crc = compile(&re, pat, plen, msg, cap);
	if (crc < 0)
		return crc;
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
