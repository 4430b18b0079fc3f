/*
 * cel_regex.h — the one place CEL's regex functions (matches, find,
 * findAll) reach a regex engine: guardrail's RE2-semantics engine
 * (lib/regex), as Kubernetes' semantics are Go's regexp.
 */
#ifndef GUARDRAIL_CEL_REGEX_H
#define GUARDRAIL_CEL_REGEX_H

#include <stddef.h>

/* 1 match, 0 no match, -1 bad pattern, -2 syntax this build cannot
 * evaluate (msg filled). Unanchored search. */
int cel_regex_match(const char *pat, size_t plen, const char *s, size_t slen, char *msg, size_t cap);
/* First match at or after byte `from`: 1 with [*ms, *me), 0 none, -1 bad pattern. */
int cel_regex_find(const char *pat, size_t plen, const char *s, size_t slen, size_t from, size_t *ms,
                   size_t *me, char *msg, size_t cap);
/* The same with a pattern compiled once (gr_regex *). */
int cel_regex_match_re(const void *re, const char *s, size_t slen, char *msg, size_t cap);
int cel_regex_find_re(const void *re, const char *s, size_t slen, size_t from, size_t *ms, size_t *me,
                      char *msg, size_t cap);
void *cel_regex_compile(const char *pat, size_t plen);
void cel_regex_free(void *re);

/* Whether a pattern compiles (for compile-time checks of literal patterns). */
int cel_regex_valid(const char *pat, size_t plen, char *msg, size_t cap);

#endif
