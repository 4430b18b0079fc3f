/*
 * oracle.c — differential test of lib/regex against Debian's libre2 (RE2,
 * whose syntax and semantics Go's regexp shares), through re2_shim.cc.
 *
 * Patterns: tests/regex/patterns.txt (written for every syntax feature),
 * every `pattern` string in the YAML of ../shared/corpus (the CRD schemas
 * real projects ship), and every regex_match/regex_replace_all literal in
 * ../shared/conformance/kyverno-policies. For each pattern both engines
 * compile (or both refuse); then subjects are generated (random walks of
 * the compiled program, their mutations, random strings over the pattern's
 * own characters) and each is compared: unanchored match, full match,
 * leftmost match with every group's offsets, and a match from an offset.
 * A pattern listed in tests/regex/known-failures.txt (pattern TAB reason)
 * must differ; one that agrees is an unexpected pass and fails the run.
 *
 * Usage: oracle [min-patterns]; prints "regex-oracle: N passed, N failed".
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "guardrail/arena.h"
#include "guardrail/decode.h"
#include "guardrail/regex.h"
#include "regex_int.h"

void *re2s_compile(const char *p, size_t n, char *err, size_t errcap);
int re2s_groups(void *re);
int re2s_match(void *re, const char *s, size_t n, size_t from, int anchor, long *caps, int nsub);
void re2s_free(void *re);

static uint64_t rng_state;
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

typedef struct strlist {
	char **s;
	size_t *len;
	size_t n, cap;
} strlist;

static void add_str(strlist *l, const char *s, size_t len)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->len[i] == len && memcmp(l->s[i], s, len) == 0)
			return;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->s = realloc(l->s, l->cap * sizeof *l->s);
		l->len = realloc(l->len, l->cap * sizeof *l->len);
	}
	l->s[l->n] = malloc(len + 1);
	memcpy(l->s[l->n], s, len);
	l->s[l->n][len] = 0;
	l->len[l->n++] = len;
}

/* ---- pattern sources ---- */

static void walk_value(const gr_value *v, strlist *out, int depth)
{
	if (depth > 200)
		return;
	if (v->type == GR_OBJECT) {
		for (size_t i = 0; i < v->u.o.len; i++) {
			const gr_member *m = &v->u.o.members[i];
			if (strcmp(m->key, "pattern") == 0 && m->value.type == GR_STRING && m->value.u.s.len)
				add_str(out, m->value.u.s.ptr, m->value.u.s.len);
			walk_value(&m->value, out, depth + 1);
		}
	} else if (v->type == GR_ARRAY) {
		for (size_t i = 0; i < v->u.a.len; i++)
			walk_value(&v->u.a.items[i], out, depth + 1);
	}
}

/* regex_match('...', / regex_replace_all('...', in a decoded string: the
 * JMESPath raw string literal (only \' is an escape there). */
static void scan_kyverno(const char *s, size_t len, strlist *out)
{
	static const char *const fns[] = {"regex_match(", "regex_replace_all("};
	for (int f = 0; f < 2; f++) {
		const char *p = s, *end = s + len;
		size_t fl = strlen(fns[f]);
		while ((p = memmem(p, (size_t)(end - p), fns[f], fl)) != NULL) {
			p += fl;
			while (p < end && *p == ' ')
				p++;
			if (p >= end || *p != '\'')
				continue;
			p++;
			char buf[4096];
			size_t n = 0;
			while (p < end && *p != '\'' && n + 1 < sizeof buf) {
				if (*p == '\\' && p + 1 < end && p[1] == '\'') {
					buf[n++] = '\'';
					p += 2;
					continue;
				}
				buf[n++] = *p++;
			}
			if (p < end && n)
				add_str(out, buf, n);
		}
	}
}

static void walk_strings(const gr_value *v, strlist *out, int depth)
{
	if (depth > 200)
		return;
	if (v->type == GR_STRING)
		scan_kyverno(v->u.s.ptr, v->u.s.len, out);
	else if (v->type == GR_OBJECT)
		for (size_t i = 0; i < v->u.o.len; i++)
			walk_strings(&v->u.o.members[i].value, out, depth + 1);
	else if (v->type == GR_ARRAY)
		for (size_t i = 0; i < v->u.a.len; i++)
			walk_strings(&v->u.a.items[i], out, depth + 1);
}

static size_t nfiles;
static void walk_dir(const char *dir, strlist *out, bool kyverno)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		struct stat st;
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk_dir(path, out, kyverno);
			continue;
		}
		size_t nl = strlen(e->d_name);
		if (!(nl > 5 &&
		      (strcmp(e->d_name + nl - 5, ".yaml") == 0 || strcmp(e->d_name + nl - 4, ".yml") == 0 ||
		       strcmp(e->d_name + nl - 5, ".json") == 0)))
			continue;
		char *data;
		size_t len;
		gr_error err;
		if (gr_read_file(path, 64 << 20, &data, &len, &err) != 0)
			continue;
		/* only files that can hold what we look for are decoded */
		const char *needle = kyverno ? "regex_" : "pattern";
		if (!memmem(data, len, needle, strlen(needle))) {
			free(data);
			continue;
		}
		gr_arena a;
		gr_arena_init(&a);
		gr_document *docs;
		size_t nd = 0;
		gr_decode(&a, data, len, NULL, &docs, &nd, &err);
		for (size_t i = 0; i < nd; i++) {
			if (kyverno)
				walk_strings(&docs[i].root, out, 0);
			else
				walk_value(&docs[i].root, out, 0);
		}
		nfiles++;
		gr_arena_free(&a);
		free(data);
	}
	closedir(d);
}

static void free_list(strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->s[i]);
	free(l->s);
	free(l->len);
}

static void read_lines(const char *path, strlist *out, strlist *reasons)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "oracle: cannot open %s\n", path);
		exit(2);
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = 0;
		if (n == 0 || line[0] == '#')
			continue;
		if (reasons) {
			char *tab = strchr(line, '\t');
			if (!tab)
				continue;
			add_str(out, line, (size_t)(tab - line));
			add_str(reasons, tab + 1, strlen(tab + 1));
		} else {
			add_str(out, line, (size_t)n);
		}
	}
	free(line);
	fclose(f);
}

/* ---- subjects ---- */

static void put_rune(char *b, size_t *n, size_t cap, uint32_t r)
{
	if (*n + 4 >= cap)
		return;
	if (r >= 0xD800 && r <= 0xDFFF)
		r = 'x';
	if (r < 0x80) {
		b[(*n)++] = (char)r;
	} else if (r < 0x800) {
		b[(*n)++] = (char)(0xC0 | (r >> 6));
		b[(*n)++] = (char)(0x80 | (r & 0x3F));
	} else if (r < 0x10000) {
		b[(*n)++] = (char)(0xE0 | (r >> 12));
		b[(*n)++] = (char)(0x80 | ((r >> 6) & 0x3F));
		b[(*n)++] = (char)(0x80 | (r & 0x3F));
	} else {
		b[(*n)++] = (char)(0xF0 | (r >> 18));
		b[(*n)++] = (char)(0x80 | ((r >> 12) & 0x3F));
		b[(*n)++] = (char)(0x80 | ((r >> 6) & 0x3F));
		b[(*n)++] = (char)(0x80 | (r & 0x3F));
	}
}

static uint32_t pick_from_class(const rx_pclass *c)
{
	if (c->n == 0)
		return 'x';
	/* prefer a range with ASCII in it */
	for (int tries = 0; tries < 4; tries++) {
		size_t i = rnd() % c->n;
		uint32_t lo = c->r[2 * i], hi = c->r[2 * i + 1];
		if (lo < 128 || tries == 3) {
			if (hi > lo + 1000)
				hi = lo + 1000;
			return lo + rnd() % (hi - lo + 1);
		}
	}
	return c->r[0];
}

static const uint32_t extra_runes[] = {'a',  'Z',  '0',   '9',    '_',     '-', '.', '/',    ':',   '@', ' ',
                                       '\n', 0xE9, 0x3A3, 0x65E5, 0x1D11E, 'k', 'K', 0x212A, 0x17F, 's', 'S'};

/* A random walk of the program: usually a string the pattern matches. */
static size_t walk_program(const rx_prog *p, char *b, size_t cap)
{
	size_t n = 0;
	uint32_t pc = p->start;
	for (int steps = 0; steps < 400; steps++) {
		const rx_inst *in = &p->inst[pc];
		switch (in->op) {
		case I_MATCH: return n;
		case I_FAIL: return n;
		case I_RUNE1:
			put_rune(b, &n, cap, in->arg);
			pc = in->out;
			break;
		case I_CLASS:
			put_rune(b, &n, cap, pick_from_class(&p->classes[in->arg]));
			pc = in->out;
			break;
		case I_ANY:
		case I_ANY_NOT_NL:
			put_rune(b, &n, cap,
			         extra_runes[rnd() % (sizeof extra_runes / sizeof extra_runes[0])]);
			pc = in->out;
			break;
		case I_SPLIT: {
			/* leave loops more often as the string grows */
			uint32_t bias = n > 24 ? 85 : 50;
			pc = rnd() % 100 < bias ? in->arg : in->out;
			if (n > 24 && rnd() % 2)
				pc = in->arg;
			break;
		}
		case I_EMPTY:
			if ((in->arg & (EMPTY_END_LINE | EMPTY_BEGIN_LINE)) && rnd() % 3 == 0)
				put_rune(b, &n, cap, '\n');
			pc = in->out;
			break;
		default: pc = in->out; break;
		}
	}
	return n;
}

/* ---- comparing ---- */

static long comparisons, positives;
static char why[2048];

static bool compare_one(const gr_regex *re, void *r2, const char *s, size_t n, gr_regex_scratch *sc)
{
	size_t ng = gr_regex_groups(re) + 1;
	if (ng > 64)
		ng = 64;
	long caps[128];
	gr_regex_span spans[64];
	comparisons++;
	int a = gr_regex_match(re, s, n, sc);
	int b = re2s_match(r2, s, n, 0, 0, caps, 0);
	positives += a == 1;
	if (a != b) {
		snprintf(why, sizeof why, "match %d vs re2 %d on \"%.*s\"", a, b, (int)(n > 200 ? 200 : n),
		         s);
		return false;
	}
	a = gr_regex_full_match(re, s, n, sc);
	b = re2s_match(r2, s, n, 0, 2, caps, 0);
	if (a != b) {
		snprintf(why, sizeof why, "full match %d vs re2 %d on \"%.*s\"", a, b,
		         (int)(n > 200 ? 200 : n), s);
		return false;
	}
	size_t froms[2] = {0, n ? rnd() % (n + 1) : 0};
	for (int k = 0; k < 2; k++) {
		size_t from = froms[k];
		/* RE2 starts at a byte offset; keep it on a rune boundary */
		while (from > 0 && from < n && ((unsigned char)s[from] & 0xC0) == 0x80)
			from--;
		a = gr_regex_find(re, s, n, from, spans, ng, sc);
		b = re2s_match(r2, s, n, from, 0, caps, (int)ng);
		if (a != b) {
			snprintf(why, sizeof why, "find@%zu %d vs re2 %d on \"%.*s\"", from, a, b,
			         (int)(n > 200 ? 200 : n), s);
			return false;
		}
		if (a == 1)
			for (size_t g = 0; g < ng; g++) {
				long s0 = spans[g].start == GR_REGEX_NOSPAN ? -1 : (long)spans[g].start;
				long e0 = spans[g].start == GR_REGEX_NOSPAN ? -1 : (long)spans[g].end;
				if (s0 != caps[2 * g] || e0 != caps[2 * g + 1]) {
					snprintf(why, sizeof why,
					         "find@%zu group %zu [%ld,%ld) vs re2 [%ld,%ld) on \"%.*s\"",
					         from, g, s0, e0, caps[2 * g], caps[2 * g + 1],
					         (int)(n > 200 ? 200 : n), s);
					return false;
				}
			}
	}
	return true;
}

static bool compare_pattern(const char *pat, size_t plen, gr_regex_scratch *sc)
{
	gr_regex_error err;
	char e2[512];
	gr_regex *re = gr_regex_compile(pat, plen, NULL, &err);
	void *r2 = re2s_compile(pat, plen, e2, sizeof e2);
	bool ok = true;
	if (!re || !r2) {
		if (re || r2) {
			snprintf(why, sizeof why, "compile: ours %s, re2 %s", re ? "ok" : err.message,
			         r2 ? "ok" : e2);
			ok = false;
		}
		gr_regex_free(re);
		if (r2)
			re2s_free(r2);
		return ok;
	}
	if ((int)gr_regex_groups(re) != re2s_groups(r2)) {
		snprintf(why, sizeof why, "groups %zu vs re2 %d", gr_regex_groups(re), re2s_groups(r2));
		ok = false;
	}
	rng_state = 0x9E3779B97F4A7C15ull;
	for (size_t i = 0; i < plen; i++)
		rng_state = (rng_state ^ (unsigned char)pat[i]) * 0x100000001B3ull;
	if (!rng_state)
		rng_state = 1;
	char buf[2048];
	ok = ok && compare_one(re, r2, "", 0, sc);
	for (int i = 0; ok && i < 30; i++) {
		size_t n = walk_program(&re->prog, buf, sizeof buf);
		ok = compare_one(re, r2, buf, n, sc);
		/* mutations: drop, change, insert one byte-or-rune */
		for (int m = 0; ok && m < 2 && n; m++) {
			char mb[2100];
			size_t at = rnd() % n, mn = 0;
			while (at > 0 && ((unsigned char)buf[at] & 0xC0) == 0x80)
				at--;
			memcpy(mb, buf, at);
			mn = at;
			int kind = (int)(rnd() % 3);
			size_t skip = at;
			if (kind != 2) {
				size_t w;
				rx_decode((const unsigned char *)buf + at, n - at, &w);
				skip = at + w;
			}
			if (kind != 0)
				put_rune(mb, &mn, sizeof mb,
				         extra_runes[rnd() % (sizeof extra_runes / sizeof extra_runes[0])]);
			memcpy(mb + mn, buf + skip, n - skip);
			mn += n - skip;
			ok = compare_one(re, r2, mb, mn, sc);
		}
	}
	/* random strings over the pattern's own bytes (ASCII) and a few more */
	for (int i = 0; ok && i < 10; i++) {
		size_t n = 0, want = rnd() % 16;
		for (size_t k = 0; k < want; k++) {
			if (rnd() % 3 == 0 || plen == 0) {
				put_rune(buf, &n, sizeof buf,
				         extra_runes[rnd() % (sizeof extra_runes / sizeof extra_runes[0])]);
			} else {
				char c = pat[rnd() % plen];
				if ((unsigned char)c < 0x80)
					buf[n++] = c;
			}
		}
		ok = compare_one(re, r2, buf, n, sc);
	}
	gr_regex_free(re);
	re2s_free(r2);
	return ok;
}

int main(int argc, char **argv)
{
	long min_patterns = argc > 1 ? atol(argv[1]) : 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	strlist pats = {0}, known = {0}, reasons = {0};
	read_lines("tests/regex/patterns.txt", &pats, NULL);
	size_t own = pats.n;
	walk_dir("../shared/corpus", &pats, false);
	size_t corpus = pats.n - own;
	walk_dir("../shared/conformance/kyverno-policies", &pats, true);
	size_t kyv = pats.n - own - corpus;
	read_lines("tests/regex/known-failures.txt", &known, &reasons);
	printf("patterns: %zu written, %zu from the corpus, %zu from kyverno policies (%zu files decoded)\n",
	       own, corpus, kyv, nfiles);
	gr_regex_scratch *sc = gr_regex_scratch_new();
	int passed = 0, failed = 0, expected = 0;
	bool *seen = calloc(known.n + 1, 1);
	for (size_t i = 0; i < pats.n; i++) {
		why[0] = 0;
		bool ok = compare_pattern(pats.s[i], pats.len[i], sc);
		long k = -1;
		for (size_t j = 0; j < known.n; j++)
			if (known.len[j] == pats.len[i] && memcmp(known.s[j], pats.s[i], pats.len[i]) == 0)
				k = (long)j;
		if (k >= 0) {
			seen[k] = true;
			if (ok) {
				failed++;
				printf("UNEXPECTED PASS: %s (listed: %s)\n", pats.s[i], reasons.s[k]);
			} else {
				expected++;
				passed++;
			}
		} else if (ok) {
			passed++;
		} else {
			failed++;
			printf("FAIL: %s\n  %s\n", pats.s[i], why);
		}
	}
	for (size_t j = 0; j < known.n; j++)
		if (!seen[j])
			printf("note: known failure not among the patterns: %s\n", known.s[j]);
	printf("%ld subjects (%ld matched), each compared 4 ways; %d patterns differ from RE2 as listed in "
	       "known-failures.txt\n",
	       comparisons, positives, expected);
	if ((long)pats.n < min_patterns) {
		printf("only %zu patterns ran (want at least %ld)\n", pats.n, min_patterns);
		failed++;
	}
	printf("regex-oracle: %d passed, %d failed\n", passed, failed);
	gr_regex_scratch_free(sc);
	free(seen);
	free_list(&pats);
	free_list(&known);
	free_list(&reasons);
	return failed ? 1 : 0;
}
