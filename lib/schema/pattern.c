/*
 * pattern.c — the `pattern` of a schema, compiled with lib/regex: Go's
 * regexp syntax and semantics, as the API server runs it
 * (regexp.MatchString), in linear time.
 *
 * Each distinct pattern text is compiled once per registry and shared by
 * every node that names it. A pattern Go would reject is kept too, with
 * Go's error message: the nodes that name it report it (schema.crd) when a
 * value reaches them, rather than accepting the value unchecked. NULL:
 * memory ran out (the caller fails, or counts the pattern not evaluated).
 */
#include <stdlib.h>
#include <string.h>

#include "schema_int.h"

const sregex *gr_pattern_get(sregex **list, gr_arena *out, const char *pat, size_t len)
{
	for (sregex *r = *list; r; r = r->next)
		if (r->len == len && memcmp(r->src, pat, len) == 0)
			return r;
	sregex *r = gr_arena_calloc(out, 1, sizeof *r);
	char *src = r ? gr_arena_strndup(out, pat, len) : NULL;
	if (!src)
		return NULL;
	r->src = src;
	r->len = len;
	gr_regex_error err;
	r->re = gr_regex_compile(pat, len, NULL, &err);
	if (!r->re && err.status == GR_REGEX_NO_MEMORY)
		return NULL; /* not Go's verdict on the pattern: never kept as one */
	if (!r->re) {
		r->error = gr_arena_strdup(out, err.message);
		if (!r->error)
			r->error = "error parsing regexp";
	}
	r->next = *list;
	*list = r;
	return r;
}

void gr_sregex_free_all(sregex *list)
{
	for (; list; list = list->next)
		gr_regex_free(list->re);
}
