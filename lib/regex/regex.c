/*
 * regex.c — the public face of the regex library (include/guardrail/regex.h):
 * compile = parse (parse.c) + compile (compile.c) into an immutable
 * gr_regex; the match calls run the Pike VM (exec.c); find-all, Expand and
 * replace-all follow Go's regexp package rule for rule (an empty match
 * right after a match is skipped; `$1x` names a group "1x").
 */
#include <stdlib.h>
#include <string.h>

#include "regex_int.h"

gr_regex *gr_regex_compile(const char *pattern, size_t len, const gr_regex_options *opts, gr_regex_error *err)
{
	gr_regex_error scratch_err;
	if (!err)
		err = &scratch_err;
	memset(err, 0, sizeof *err);
	err->code = "";
	if (!pattern)
		pattern = "";
	int flags = opts ? opts->flags : 0;
	size_t max_inst = opts && opts->max_program ? opts->max_program : (size_t)RX_MAX_SIZE * 2;
	gr_arena a;
	gr_arena_init(&a);
	rx_parsed parsed;
	gr_regex *re = NULL;
	if (rx_parse(pattern, len, flags, &a, &parsed, err) != 0)
		goto out;
	re = calloc(1, sizeof *re);
	if (!re) {
		rx_set_error(err, GR_REGEX_NO_MEMORY, NULL, 0, 0);
		goto out;
	}
	if (rx_compile(&parsed, (flags & GR_REGEX_LONGEST) != 0, max_inst, &re->prog, err) != 0) {
		if (err->status == GR_REGEX_TOO_LARGE)
			rx_set_error(err, GR_REGEX_TOO_LARGE, pattern, 0, len);
		free(re);
		re = NULL;
		goto out;
	}
	re->ngroups = (size_t)parsed.ncap;
	re->source = malloc(len + 1);
	re->names = calloc(re->ngroups + 1, sizeof *re->names);
	bool ok = re->source && re->names;
	if (ok) {
		memcpy(re->source, pattern, len);
		re->source[len] = '\0';
		re->source_len = len;
	}
	for (size_t i = 1; ok && i <= re->ngroups; i++)
		if (parsed.names[i] && !(re->names[i] = strdup(parsed.names[i])))
			ok = false;
	if (!ok) {
		gr_regex_free(re);
		re = NULL;
		rx_set_error(err, GR_REGEX_NO_MEMORY, NULL, 0, 0);
	}
out:
	gr_arena_free(&a);
	return re;
}

void gr_regex_free(gr_regex *re)
{
	if (!re)
		return;
	rx_prog_free(&re->prog);
	if (re->names)
		for (size_t i = 1; i <= re->ngroups; i++)
			free((char *)re->names[i]);
	free(re->names);
	free(re->source);
	free(re);
}

const char *gr_regex_source(const gr_regex *re)
{
	return re->source;
}

size_t gr_regex_groups(const gr_regex *re)
{
	return re->ngroups;
}

size_t gr_regex_program_size(const gr_regex *re)
{
	return re->prog.ninst;
}

int gr_regex_group_index(const gr_regex *re, const char *name, size_t len)
{
	for (size_t i = 1; i <= re->ngroups; i++)
		if (re->names[i] && strlen(re->names[i]) == len && memcmp(re->names[i], name, len) == 0)
			return (int)i;
	return -1;
}

const char *gr_regex_group_name(const gr_regex *re, size_t i)
{
	return i >= 1 && i <= re->ngroups ? re->names[i] : NULL;
}

int gr_regex_match(const gr_regex *re, const char *s, size_t len, gr_regex_scratch *sc)
{
	/* the compiled program is shared and const to its users; its DFA is a
	 * cache filled once, thread-safely (rx_dfa_get) */
	const rx_dfa *d = rx_dfa_get(&((gr_regex *)re)->prog);
	if (d) {
		int r = rx_dfa_match(d, (const unsigned char *)s, len);
		if (r >= 0)
			return r;
	}
	return rx_exec(&re->prog, s, len, 0, RX_UNANCHORED, NULL, 0, sc);
}

int gr_regex_full_match(const gr_regex *re, const char *s, size_t len, gr_regex_scratch *sc)
{
	return rx_exec(&re->prog, s, len, 0, RX_ANCHOR_BOTH, NULL, 0, sc);
}

/* Run with up to `want` spans; caps needs 2 * (ngroups + 1) slots. */
static int find_caps(const gr_regex *re, const char *s, size_t len, size_t from, size_t *caps, size_t want,
                     gr_regex_scratch *sc)
{
	size_t nc = 2 * (want < 1 ? 1 : want);
	if (nc > 2 * (re->ngroups + 1))
		nc = 2 * (re->ngroups + 1);
	for (size_t i = 0; i < nc; i++)
		caps[i] = GR_REGEX_NOSPAN;
	return rx_exec(&re->prog, s, len, from, RX_UNANCHORED, caps, nc, sc);
}

static int with_caps(const gr_regex *re, size_t want, size_t **caps, size_t *local, size_t nlocal)
{
	size_t nc = 2 * (re->ngroups + 1);
	(void)want;
	if (nc <= nlocal) {
		*caps = local;
		return 0;
	}
	*caps = malloc(nc * sizeof **caps);
	return *caps ? 0 : -1;
}

int gr_regex_find(const gr_regex *re, const char *s, size_t len, size_t from, gr_regex_span *spans,
                  size_t nspans, gr_regex_scratch *sc)
{
	size_t local[32], *caps;
	if (with_caps(re, nspans, &caps, local, 32) != 0)
		return -1;
	int rc = find_caps(re, s, len, from, caps, nspans, sc);
	if (rc == 1) {
		size_t n = nspans < re->ngroups + 1 ? nspans : re->ngroups + 1;
		for (size_t i = 0; i < n; i++) {
			spans[i].start = caps[2 * i];
			spans[i].end = caps[2 * i + 1];
			if (spans[i].start == GR_REGEX_NOSPAN || spans[i].end == GR_REGEX_NOSPAN)
				spans[i].start = spans[i].end = GR_REGEX_NOSPAN;
		}
		for (size_t i = n; i < nspans; i++)
			spans[i].start = spans[i].end = GR_REGEX_NOSPAN;
	}
	if (caps != local)
		free(caps);
	return rc;
}

long gr_regex_find_all(const gr_regex *re, const char *s, size_t len, long limit, size_t nspans,
                       gr_regex_each_fn fn, void *ud, gr_regex_scratch *sc)
{
	if (nspans < 1)
		nspans = 1;
	gr_regex_span local[16], *spans = local;
	if (nspans > 16 && !(spans = malloc(nspans * sizeof *spans)))
		return -1;
	long count = 0;
	size_t pos = 0, prev_end = GR_REGEX_NOSPAN;
	while ((limit < 0 || count < limit) && pos <= len) {
		int rc = gr_regex_find(re, s, len, pos, spans, nspans, sc);
		if (rc < 0) {
			count = -1;
			break;
		}
		if (rc == 0)
			break;
		bool accept = true;
		if (spans[0].end == pos) {
			if (spans[0].start == prev_end)
				accept = false;
			size_t w = 1;
			if (pos < len)
				rx_decode((const unsigned char *)s + pos, len - pos, &w);
			pos += w;
		} else {
			pos = spans[0].end;
		}
		prev_end = spans[0].end;
		if (accept) {
			count++;
			if (fn && fn(ud, spans, nspans) != 0)
				break;
		}
	}
	if (spans != local)
		free(spans);
	return count;
}

static bool name_rune(uint32_t r)
{
	if (r == '_' ||
	    (r < 0x80 && ((r >= '0' && r <= '9') || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z'))))
		return true;
	if (r < 0x80)
		return false;
	int sign;
	const gri_utable *letter = rx_unicode_table("L", 1, &sign), *digit = rx_unicode_table("Nd", 2, &sign);
	return (letter && rx_class_has(letter->r, letter->n, r)) ||
	       (digit && rx_class_has(digit->r, digit->n, r));
}

void gr_regex_expand(const gr_regex *re, gr_buf *out, const char *t, size_t n, const char *s,
                     const gr_regex_span *spans)
{
	size_t i = 0;
	while (i < n) {
		const char *dollar = memchr(t + i, '$', n - i);
		if (!dollar)
			break;
		size_t d = (size_t)(dollar - t);
		gr_buf_append(out, t + i, d - i);
		i = d + 1;
		if (i < n && t[i] == '$') {
			gr_buf_putc(out, '$');
			i++;
			continue;
		}
		/* extract: a name of letters, digits and _, maybe in braces */
		size_t k = i;
		bool brace = false;
		if (k < n && t[k] == '{') {
			brace = true;
			k++;
		}
		size_t name = k;
		while (k < n) {
			size_t w;
			uint32_t r = rx_decode((const unsigned char *)t + k, n - k, &w);
			if (!name_rune(r))
				break;
			k += w;
		}
		size_t name_len = k - name;
		bool ok = name_len > 0;
		if (ok && brace) {
			if (k >= n || t[k] != '}')
				ok = false;
			else
				k++;
		}
		if (!ok) {
			gr_buf_putc(out, '$');
			continue;
		}
		i = k;
		long num = 0;
		for (size_t j = 0; j < name_len; j++) {
			char c = t[name + j];
			if (c < '0' || c > '9' || num >= 100000000) {
				num = -1;
				break;
			}
			num = num * 10 + (c - '0');
		}
		if (t[name] == '0' && name_len > 1)
			num = -1;
		long g = num;
		if (g < 0)
			g = gr_regex_group_index(re, t + name, name_len);
		if (g >= 0 && (size_t)g <= re->ngroups && spans[g].start != GR_REGEX_NOSPAN)
			gr_buf_append(out, s + spans[g].start, spans[g].end - spans[g].start);
	}
	if (i < n)
		gr_buf_append(out, t + i, n - i);
}

int gr_regex_replace_all(const gr_regex *re, gr_buf *out, const char *s, size_t len, const char *repl,
                         size_t repl_len, bool literal, size_t max_out, gr_regex_scratch *sc,
                         gr_regex_status *status)
{
	size_t nspans = literal ? 1 : re->ngroups + 1;
	gr_regex_span local[16], *spans = local;
	if (status)
		*status = GR_REGEX_OK;
	if (nspans > 16 && !(spans = malloc(nspans * sizeof *spans))) {
		if (status)
			*status = GR_REGEX_NO_MEMORY;
		return -1;
	}
	size_t base = out->len, last_end = 0, pos = 0;
	int rc = 0;
	while (pos <= len) {
		int m = gr_regex_find(re, s, len, pos, spans, nspans, sc);
		if (m < 0) {
			rc = -1;
			if (status)
				*status = GR_REGEX_NO_MEMORY;
			break;
		}
		if (m == 0)
			break;
		gr_buf_append(out, s + last_end, spans[0].start - last_end);
		if (spans[0].end > last_end || spans[0].start == 0) {
			if (literal)
				gr_buf_append(out, repl, repl_len);
			else
				gr_regex_expand(re, out, repl, repl_len, s, spans);
		}
		last_end = spans[0].end;
		size_t w = 0;
		if (pos < len)
			rx_decode((const unsigned char *)s + pos, len - pos, &w);
		if (pos + w > spans[0].end)
			pos += w;
		else if (pos + 1 > spans[0].end)
			pos++;
		else
			pos = spans[0].end;
		if (max_out && out->len - base > max_out) {
			rc = -1;
			if (status)
				*status = GR_REGEX_LIMIT;
			break;
		}
	}
	if (rc == 0)
		gr_buf_append(out, s + last_end, len - last_end);
	if (rc == 0 && max_out && out->len - base > max_out) {
		rc = -1;
		if (status)
			*status = GR_REGEX_LIMIT;
	}
	if (rc == 0 && out->failed) {
		rc = -1;
		if (status)
			*status = GR_REGEX_NO_MEMORY;
	}
	if (spans != local)
		free(spans);
	return rc;
}

void gr_regex_quote_meta(gr_buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (strchr("\\.+*?()|[]{}^$", s[i]) && s[i] != '\0')
			gr_buf_putc(out, '\\');
		gr_buf_putc(out, s[i]);
	}
}
