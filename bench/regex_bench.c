/*
 * regex_bench.c — matches per second of lib/regex on the CRD `pattern`s of
 * ../shared/corpus, side by side with RE2 (when linked with
 * tests/regex/re2_shim.cc: bench/regex.sh does that) and glibc's regexec
 * (on the patterns POSIX ERE also accepts; it ignores RE2 syntax it lacks,
 * so its figure is only indicative).
 *
 * Subjects per pattern: strings the pattern matches (random walks of its
 * program) and near misses (one rune changed), 32 of each. Prints one line
 * per engine: patterns, matches/s in the best round (the machine is shared),
 * and the matched fraction (the same for every engine when they agree).
 *
 * Usage: regex_bench [corpus-dir] [rounds]
 */
#include <dirent.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../lib/regex/regex_int.h"
#include "guardrail/decode.h"
#include "guardrail/regex.h"

/* Provided by tests/regex/re2_shim.cc when bench/regex.sh links it. */
__attribute__((weak)) void *re2s_compile(const char *p, size_t n, char *err, size_t errcap);
__attribute__((weak)) int re2s_match(void *re, const char *s, size_t n, size_t from, int anchor, long *caps,
                                     int nsub);
__attribute__((weak)) void re2s_free(void *re);

typedef struct item {
	char *s;
	size_t len;
} item;

static item *pats;
static size_t npats, cappats;

static void add_pattern(const char *s, size_t len)
{
	for (size_t i = 0; i < npats; i++)
		if (pats[i].len == len && memcmp(pats[i].s, s, len) == 0)
			return;
	if (npats == cappats) {
		cappats = cappats ? cappats * 2 : 64;
		pats = realloc(pats, cappats * sizeof *pats);
	}
	pats[npats].s = strndup(s, len);
	pats[npats++].len = len;
}

static void walk_value(const gr_value *v, int depth)
{
	if (depth > 200)
		return;
	if (v->type == GR_OBJECT) {
		for (size_t i = 0; i < v->u.o.len; i++) {
			const gr_member *m = &v->u.o.members[i];
			if (strcmp(m->key, "pattern") == 0 && m->value.type == GR_STRING && m->value.u.s.len)
				add_pattern(m->value.u.s.ptr, m->value.u.s.len);
			walk_value(&m->value, depth + 1);
		}
	} else if (v->type == GR_ARRAY) {
		for (size_t i = 0; i < v->u.a.len; i++)
			walk_value(&v->u.a.items[i], depth + 1);
	}
}

static void walk_dir(const char *dir)
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
			walk_dir(path);
			continue;
		}
		size_t nl = strlen(e->d_name);
		if (nl < 6 || (strcmp(e->d_name + nl - 5, ".yaml") && strcmp(e->d_name + nl - 4, ".yml")))
			continue;
		char *data;
		size_t len;
		gr_error err;
		if (gr_read_file(path, 64 << 20, &data, &len, &err) != 0)
			continue;
		gr_arena a;
		gr_arena_init(&a);
		gr_document *docs;
		size_t nd = 0;
		gr_decode(&a, data, len, NULL, &docs, &nd, &err);
		for (size_t i = 0; i < nd; i++)
			walk_value(&docs[i].root, 0);
		gr_arena_free(&a);
		free(data);
	}
	closedir(d);
}

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static void put(char *b, size_t *n, uint32_t r)
{
	if (*n + 4 >= 256)
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

static size_t walk(const rx_prog *p, char *b)
{
	size_t n = 0;
	uint32_t pc = p->start;
	for (int steps = 0; steps < 300; steps++) {
		const rx_inst *in = &p->inst[pc];
		switch (in->op) {
		case I_MATCH:
		case I_FAIL: return n;
		case I_RUNE1: put(b, &n, in->arg); break;
		case I_CLASS: {
			const rx_pclass *c = &p->classes[in->arg];
			size_t i = rnd() % c->n;
			uint32_t lo = c->r[2 * i], hi = c->r[2 * i + 1];
			if (hi > lo + 100)
				hi = lo + 100;
			put(b, &n, lo + rnd() % (hi - lo + 1));
			break;
		}
		case I_ANY:
		case I_ANY_NOT_NL: put(b, &n, 'a' + rnd() % 26); break;
		case I_SPLIT: pc = (rnd() % 100 < (n > 20 ? 90u : 50u)) ? in->arg : in->out; continue;
		default: break;
		}
		pc = in->out;
	}
	return n;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define NSUBJ 64

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "../shared/corpus";
	int rounds = argc > 2 ? atoi(argv[2]) : 20;
	walk_dir(dir);
	gr_regex **ours = calloc(npats, sizeof *ours);
	void **re2 = calloc(npats, sizeof *re2);
	regex_t *posix = calloc(npats, sizeof *posix);
	bool *posix_ok = calloc(npats, sizeof *posix_ok);
	item(*subj)[NSUBJ] = calloc(npats, sizeof *subj);
	size_t usable = 0;
	for (size_t i = 0; i < npats; i++) {
		gr_regex_error err;
		ours[i] = gr_regex_compile(pats[i].s, pats[i].len, NULL, &err);
		if (!ours[i])
			continue;
		usable++;
		if (re2s_compile)
			re2[i] = re2s_compile(pats[i].s, pats[i].len, NULL, 0);
		posix_ok[i] = regcomp(&posix[i], pats[i].s, REG_EXTENDED | REG_NOSUB) == 0;
		for (int k = 0; k < NSUBJ; k++) {
			char b[260];
			size_t n = walk(&ours[i]->prog, b);
			if (k % 2 && n) {
				size_t at = rnd() % n;
				if (!(b[at] & 0x80)) /* keep the subject valid UTF-8 */
					b[at] = "-_.x9 /"[rnd() % 7];
			}
			subj[i][k].s = strndup(b, n);
			subj[i][k].len = n;
		}
	}
	printf("regex bench: %zu distinct corpus patterns (%zu compile), %d subjects each, %d rounds\n",
	       npats, usable, NSUBJ, rounds);
	gr_regex_scratch *sc = gr_regex_scratch_new();
	for (int engine = 0; engine < 3; engine++) {
		if (engine == 1 && !re2s_compile) {
			printf("  %-18s (not linked: run bench/regex.sh)\n", "re2");
			continue;
		}
		long runs = 0, hits = 0;
		size_t used = 0;
		/* each round timed alone; the best round is reported, since the
		 * machine is shared and a preempted round says nothing */
		double best = 0;
		long per_round = 0;
		for (int r = 0; r < rounds; r++) {
			long round_runs = 0;
			double t0 = now();
			for (size_t i = 0; i < npats; i++) {
				if (!ours[i] || (engine == 1 && !re2[i]) || (engine == 2 && !posix_ok[i]))
					continue;
				if (r == 0)
					used++;
				for (int k = 0; k < NSUBJ; k++) {
					int m;
					if (engine == 0)
						m = gr_regex_match(ours[i], subj[i][k].s, subj[i][k].len, sc);
					else if (engine == 1)
						m = re2s_match(re2[i], subj[i][k].s, subj[i][k].len, 0, 0,
						               NULL, 0);
					else
						m = regexec(&posix[i], subj[i][k].s, 0, NULL, 0) == 0;
					hits += m == 1;
					runs++;
					round_runs++;
				}
			}
			double dt = now() - t0;
			if (r == 0 || dt < best)
				best = dt;
			per_round = round_runs;
		}
		static const char *const names[] = {"lib/regex", "re2", "glibc regexec"};
		printf("  %-18s %4zu patterns  %11.0f matches/s  (best of %d rounds; %.1f%% matched)\n",
		       names[engine], used, best > 0 ? (double)per_round / best : 0, rounds,
		       runs ? 100.0 * (double)hits / (double)runs : 0);
	}
	gr_regex_scratch_free(sc);
	for (size_t i = 0; i < npats; i++) {
		gr_regex_free(ours[i]);
		if (re2[i])
			re2s_free(re2[i]);
		if (posix_ok[i])
			regfree(&posix[i]);
		for (int k = 0; k < NSUBJ && ours[i]; k++)
			free(subj[i][k].s);
		free(pats[i].s);
	}
	free(ours);
	free(re2);
	free(posix);
	free(posix_ok);
	free(subj);
	free(pats);
	return 0;
}
