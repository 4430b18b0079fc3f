/*
 * fuzz_regex.c — libFuzzer harness for lib/regex. The input is
 * <pattern length byte><pattern><subject>: any pattern must compile or fail
 * with a Go error (a code and an offset within the pattern), never crash,
 * hang or leak; a compiled pattern is run every way the API offers over the
 * subject, and the answers must agree with each other (find agrees with
 * match, a full match is a match, spans lie inside the subject, a quoted
 * subject matches itself). Bounded: the program is capped at 4000
 * instructions and the subject at 1024 bytes, so each run is quick.
 * Seeds: tests/fuzz/seed-regex.sh (the oracle's patterns).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "guardrail/regex.h"

static int count_each(void *ud, const gr_regex_span *s, size_t n)
{
	const size_t *len = ud;
	if (s[0].start > s[0].end || s[0].end > *len)
		__builtin_trap();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t plen = data[0];
	if (plen > size - 1)
		plen = size - 1;
	const char *pat = (const char *)data + 1;
	const char *subj = pat + plen;
	size_t slen = size - 1 - plen;
	if (slen > 1024)
		slen = 1024;
	gr_regex_options opt = {0, 4000};
	if (plen && (pat[0] & 0x40))
		opt.flags |= GR_REGEX_LONGEST;
	gr_regex_error err;
	gr_regex *re = gr_regex_compile(pat, plen, &opt, &err);
	if (!re) {
		if (err.status == GR_REGEX_OK || err.offset > plen || err.message[0] == '\0')
			__builtin_trap();
		return 0;
	}
	gr_regex_scratch *sc = gr_regex_scratch_new();
	int m = gr_regex_match(re, subj, slen, sc);
	int full = gr_regex_full_match(re, subj, slen, sc);
	gr_regex_span spans[8];
	size_t ng = gr_regex_groups(re) + 1;
	if (ng > 8)
		ng = 8;
	int f = gr_regex_find(re, subj, slen, 0, spans, ng, sc);
	if (m < 0 || full < 0 || f < 0)
		__builtin_trap(); /* no allocation fails here */
	if (m != f || (full && !m))
		__builtin_trap();
	if (f)
		for (size_t i = 0; i < ng; i++)
			if (spans[i].start != GR_REGEX_NOSPAN &&
			    (spans[i].start > spans[i].end || spans[i].end > slen))
				__builtin_trap();
	long n = gr_regex_find_all(re, subj, slen, 64, ng, count_each, &slen, sc);
	if (n < 0 || (n > 0) != (m == 1))
		__builtin_trap();
	gr_buf out;
	gr_buf_init(&out);
	gr_regex_status st;
	/* the subject's first bytes double as an Expand template */
	size_t tl = slen < 16 ? slen : 16;
	if (gr_regex_replace_all(re, &out, subj, slen, subj, tl, false, 1 << 16, sc, &st) != 0 &&
	    st != GR_REGEX_LIMIT)
		__builtin_trap();
	gr_buf_free(&out);
	gr_regex_free(re);

	/* a quoted string is a regex that matches exactly itself */
	gr_buf q;
	gr_buf_init(&q);
	gr_regex_quote_meta(&q, subj, slen < 64 ? slen : 64);
	gr_regex_options lit = {0, 4000};
	re = gr_regex_compile(q.data ? q.data : "", q.len, &lit, &err);
	if (re) {
		if (gr_regex_full_match(re, subj, slen < 64 ? slen : 64, sc) != 1)
			__builtin_trap();
		gr_regex_free(re);
	} else if (err.status != GR_REGEX_INVALID_UTF8 && err.status != GR_REGEX_TOO_LARGE) {
		__builtin_trap(); /* only invalid UTF-8 stops a quoted string */
	}
	gr_buf_free(&q);
	gr_regex_scratch_free(sc);
	return 0;
}
