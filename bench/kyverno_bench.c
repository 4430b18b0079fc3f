/*
 * kyverno_bench.c — the Kyverno engine's speed: every Kyverno policy of a
 * list of files (compiled once) over every object of a list of manifest
 * files, evaluated many times. Prints figures; asserts nothing.
 *
 * usage: kyverno_bench POLICY-LIST OBJECT-LIST  (text files, one path a line)
 *
 * Three sets are measured: the whole library (every rule; rules of types
 * the engine does not evaluate answer "not evaluated" at once), the pattern
 * rules alone (policies whose every rule is validate.pattern/anyPattern)
 * and the validate.cel rules alone (policies whose every rule is
 * validate.cel: compiled at load, so a pass only evaluates).
 * A rule evaluation is one rule response (the rule matched the object and
 * was judged); match checks are counted apart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/kyverno/kyverno_int.h"
#include "bench.h"
#include "guardrail/kyverno.h"
#include "guardrail/object.h"

static char **read_list(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	char **v = NULL;
	size_t cap = 0;
	*n = 0;
	if (!f)
		return NULL;
	char line[4096];
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0])
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			v = realloc(v, cap * sizeof *v);
		}
		v[(*n)++] = strdup(line);
	}
	fclose(f);
	return v;
}

static bool pattern_only(const gr_kyverno_set *s)
{
	if (s->npolicies == 0)
		return false;
	for (size_t i = 0; i < s->npolicies; i++)
		for (size_t j = 0; j < s->policies[i].nrules; j++) {
			const ky_rule *r = &s->policies[i].rules[j];
			if (r->type != KY_RULE_VALIDATE || !(r->pattern || r->any_pattern) || r->foreach ||
			    r->deny)
				return false;
		}
	return true;
}

static bool cel_only(const gr_kyverno_set *s)
{
	if (s->npolicies == 0)
		return false;
	for (size_t i = 0; i < s->npolicies; i++)
		for (size_t j = 0; j < s->policies[i].nrules; j++)
			if (s->policies[i].rules[j].type != KY_RULE_VALIDATE || !s->policies[i].rules[j].cel)
				return false;
	return true;
}

/* CPU time of this thread: the machine is shared, wall time is noisy */
static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t responses;
static void count(void *user, const gr_kyverno_response *r)
{
	(void)user;
	if (r->status != GR_KY_NOT_EVALUATED)
		responses++;
}

typedef struct objs {
	const gr_value **v;
	size_t n, cap;
} objs;

static double last_wall;

static double pass(const gr_kyverno_set *set, const objs *o, size_t *nresp)
{
	responses = 0;
	double w0 = bench_now();
	double t0 = cpu_now();
	for (size_t i = 0; i < o->n; i++) {
		gr_arena a;
		gr_arena_init(&a);
		gr_error err;
		gr_kyverno_request req = {.object = o->v[i]};
		gr_kyverno_evaluate(set, &req, &a, count, NULL, &err);
		gr_arena_free(&a);
	}
	*nresp = responses;
	double t = cpu_now() - t0;
	last_wall = bench_now() - w0;
	return t;
}

static void measure(const char *label, const gr_kyverno_set *set, const objs *o)
{
	size_t nresp = 0;
	double best = 1e9, total = 0, best_wall = 1e9;
	int runs = 0;
	while (runs < 3 || (total < 2.0 && runs < 200)) {
		double t = pass(set, o, &nresp);
		total += t;
		if (t < best)
			best = t;
		if (last_wall < best_wall)
			best_wall = last_wall;
		runs++;
	}
	double checks = (double)gr_kyverno_set_rule_count(set) * (double)o->n;
	printf("%-15s %4zu policies %5zu rules, one pass over %zu objects: %.1f ms CPU (%.1f ms wall), "
	       "%zu rule evaluations (%.0f/s CPU), %.0f match checks/s\n",
	       label, gr_kyverno_set_policy_count(set), gr_kyverno_set_rule_count(set), o->n, best * 1e3,
	       best_wall * 1e3, nresp, (double)nresp / best, checks / best);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: kyverno_bench POLICY-LIST OBJECT-LIST\n");
		return 2;
	}
	size_t np, no;
	char **pf = read_list(argv[1], &np), **of = read_list(argv[2], &no);
	gr_kyverno_set *all = gr_kyverno_set_new(NULL), *pat = gr_kyverno_set_new(NULL),
	               *cel = gr_kyverno_set_new(NULL);
	size_t bad = 0;
	double t0 = bench_now();
	for (size_t i = 0; i < np; i++) {
		gr_error err;
		gr_kyverno_set *one = gr_kyverno_set_new(NULL);
		if (gr_kyverno_set_load_file(one, pf[i], NULL, &err) != 0) {
			bad++;
			gr_kyverno_set_free(one);
			continue;
		}
		gr_kyverno_set_load_file(all, pf[i], NULL, &err);
		if (pattern_only(one))
			gr_kyverno_set_load_file(pat, pf[i], NULL, &err);
		if (cel_only(one))
			gr_kyverno_set_load_file(cel, pf[i], NULL, &err);
		gr_kyverno_set_free(one);
	}
	double load = bench_now() - t0;
	gr_arena oa;
	gr_arena_init(&oa);
	objs o = {0};
	size_t bytes = 0;
	for (size_t i = 0; i < no; i++) {
		char *data;
		size_t len;
		gr_error err;
		if (gr_read_file(of[i], 0, &data, &len, &err))
			continue;
		bytes += len;
		gr_document *docs;
		size_t nd;
		gr_decode(&oa, data, len, NULL, &docs, &nd, &err);
		free(data);
		for (size_t d = 0; d < nd; d++) {
			gr_object *ob;
			size_t nob;
			if (gr_objects_from_document(&oa, &docs[d], of[i], &ob, &nob))
				continue;
			for (size_t k = 0; k < nob; k++) {
				if (!ob[k].root || ob[k].root->type != GR_OBJECT)
					continue;
				if (o.n == o.cap) {
					o.cap = o.cap ? o.cap * 2 : 1024;
					o.v = realloc(o.v, o.cap * sizeof *o.v);
				}
				o.v[o.n++] = ob[k].root;
			}
		}
	}
	printf("policies: %zu files (%zu not loadable as Kyverno policies), loaded and compiled in %.1f ms; "
	       "%zu rules, %zu not evaluated (mutate/generate/...)\n",
	       np, bad, load * 1e3, gr_kyverno_set_rule_count(all), gr_kyverno_set_not_evaluated_count(all));
	printf("objects: %zu from %zu files (%.1f MB)\n", o.n, no, (double)bytes / 1e6);
	measure("whole library", all, &o);
	measure("pattern rules", pat, &o);
	measure("validate.cel", cel, &o);
	gr_kyverno_set_free(all);
	gr_kyverno_set_free(cel);
	gr_kyverno_set_free(pat);
	gr_arena_free(&oa);
	free(o.v);
	for (size_t i = 0; i < np; i++)
		free(pf[i]);
	for (size_t i = 0; i < no; i++)
		free(of[i]);
	free(pf);
	free(of);
	return 0;
}
