/*
 * regex.c — CEL's regex functions (matches, find, findAll) on guardrail's
 * RE2-semantics engine (include/guardrail/regex.h): Go's regexp syntax,
 * leftmost-first matches, linear time, and Go's error wording ("error
 * parsing regexp: missing closing ): `(`"), exactly as cel-go and the API
 * server run them.
 */
#include <stdio.h>
#include <string.h>

#include "cel_regex.h"
#include "guardrail/regex.h"

static gr_regex *compile(const char *pat, size_t plen, char *msg, size_t cap)
{
	gr_regex_error err;
	gr_regex *re = gr_regex_compile(pat, plen, NULL, &err);
	if (!re)
		snprintf(msg, cap, "%s", err.message);
	return re;
}

int cel_regex_valid(const char *pat, size_t plen, char *msg, size_t cap)
{
	gr_regex *re = compile(pat, plen, msg, cap);
	if (!re)
		return -1;
	gr_regex_free(re);
	return 0;
}

int cel_regex_find(const char *pat, size_t plen, const char *s, size_t slen, size_t from, size_t *ms,
                   size_t *me, char *msg, size_t cap)
{
	gr_regex *re = compile(pat, plen, msg, cap);
	if (!re)
		return -1;
	gr_regex_span span[1];
	int r = gr_regex_find(re, s, slen, from, span, 1, NULL);
	gr_regex_free(re);
	if (r < 0) {
		snprintf(msg, cap, "out of memory");
		return -1;
	}
	if (r == 1) {
		*ms = span[0].start;
		*me = span[0].end;
	}
	return r;
}

int cel_regex_match(const char *pat, size_t plen, const char *s, size_t slen, char *msg, size_t cap)
{
	gr_regex *re = compile(pat, plen, msg, cap);
	if (!re)
		return -1;
	int r = gr_regex_match(re, s, slen, NULL);
	gr_regex_free(re);
	if (r < 0)
		snprintf(msg, cap, "out of memory");
	return r;
}

void *cel_regex_compile(const char *pat, size_t plen)
{
	return gr_regex_compile(pat, plen, NULL, NULL);
}
void cel_regex_free(void *re)
{
	gr_regex_free(re);
}

int cel_regex_match_re(const void *re, const char *s, size_t slen, char *msg, size_t cap)
{
	int r = gr_regex_match(re, s, slen, NULL);
	if (r < 0)
		snprintf(msg, cap, "out of memory");
	return r;
}

int cel_regex_find_re(const void *re, const char *s, size_t slen, size_t from, size_t *ms, size_t *me,
                      char *msg, size_t cap)
{
	gr_regex_span span[1];
	int r = gr_regex_find(re, s, slen, from, span, 1, NULL);
	if (r < 0) {
		snprintf(msg, cap, "out of memory");
		return -1;
	}
	if (r == 1) {
		*ms = span[0].start;
		*me = span[0].end;
	}
	return r;
}
