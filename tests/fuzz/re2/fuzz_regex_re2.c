/*
 * fuzz_regex_re2.c — differential libFuzzer harness: lib/regex against
 * Debian's libre2 (through tests/regex/re2_shim.cc). Built only where RE2
 * is installed, by tests/fuzz/re2/run.sh (not by `make fuzz`).
 *
 * Input: <pattern length byte><pattern><subject>. When both engines compile
 * the pattern, unanchored match, full match and the leftmost match with its
 * groups must agree; anything else traps. Skipped, as known differences
 * (docs/regex.md): \C, (?<name>, Unicode classes (\p, \P: table versions
 * and Go 1.25's name aliases), (?i) outside ASCII (folding tables), and
 * subjects that are not valid UTF-8 (Go reads each bad byte as U+FFFD).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "guardrail/regex.h"

void *re2s_compile(const char *p, size_t n, char *err, size_t errcap);
int re2s_groups(void *re);
int re2s_match(void *re, const char *s, size_t n, size_t from, int anchor, long *caps, int nsub);
void re2s_free(void *re);

static int valid_utf8(const unsigned char *s, size_t n, int ascii_only)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (ascii_only)
			return 0;
		size_t need = c >= 0xF0 && c <= 0xF4   ? 3
		              : c >= 0xE0 && c <= 0xEF ? 2
		              : c >= 0xC2 && c <= 0xDF ? 1
		                                       : 0;
		if (!need || i + need >= n)
			return 0;
		for (size_t k = 1; k <= need; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
		uint32_t r = c & (need == 1 ? 0x1F : need == 2 ? 0x0F : 0x07);
		for (size_t k = 1; k <= need; k++)
			r = (r << 6) | (s[i + k] & 0x3F);
		if ((need == 2 && (r < 0x800 || (r >= 0xD800 && r <= 0xDFFF))) ||
		    (need == 3 && (r < 0x10000 || r > 0x10FFFF)))
			return 0;
		i += need + 1;
	}
	return 1;
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
	if (slen > 256)
		slen = 256;
	if (memmem(pat, plen, "\\C", 2) || memmem(pat, plen, "(?<", 3) || memmem(pat, plen, "\\p", 2) ||
	    memmem(pat, plen, "\\P", 2))
		return 0;
	int fold = memmem(pat, plen, "(?", 2) != NULL; /* flags may include i */
	if (!valid_utf8((const unsigned char *)pat, plen, fold) ||
	    !valid_utf8((const unsigned char *)subj, slen, fold))
		return 0;
	gr_regex_options opt = {0, 4000};
	gr_regex_error err;
	gr_regex *re = gr_regex_compile(pat, plen, &opt, &err);
	void *r2 = re2s_compile(pat, plen, NULL, 0);
	if (re && r2) {
		int a = gr_regex_match(re, subj, slen, NULL);
		int b = re2s_match(r2, subj, slen, 0, 0, NULL, 0);
		if (a != b)
			__builtin_trap();
		if (gr_regex_full_match(re, subj, slen, NULL) != re2s_match(r2, subj, slen, 0, 2, NULL, 0))
			__builtin_trap();
		size_t ng = gr_regex_groups(re) + 1;
		if (ng > 16)
			ng = 16;
		gr_regex_span sp[16];
		long caps[32];
		a = gr_regex_find(re, subj, slen, 0, sp, ng, NULL);
		b = re2s_match(r2, subj, slen, 0, 0, caps, (int)ng);
		if (a != b)
			__builtin_trap();
		for (size_t g = 0; a == 1 && g < ng; g++) {
			long s0 = sp[g].start == GR_REGEX_NOSPAN ? -1 : (long)sp[g].start;
			long e0 = sp[g].start == GR_REGEX_NOSPAN ? -1 : (long)sp[g].end;
			if (s0 != caps[2 * g] || e0 != caps[2 * g + 1])
				__builtin_trap();
		}
	}
	gr_regex_free(re);
	if (r2)
		re2s_free(r2);
	return 0;
}
