/*
 * decode_bench.c — guardrail's decoder alone over the files given: YAML and
 * JSON to value trees (best of 5, one core), with each YAML reader (libyaml
 * and guardrail's own, lib/yaml/), plus the bare event pass of our reader
 * (no tree), to compare with libyaml's bare event parse (libyaml_parse).
 * Figures are CPU time of this process (the machine may be shared and
 * loaded; wall time would measure the neighbours).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../lib/yaml/reader.h"
#include "guardrail/guardrail.h"

#include "bench.h"

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int count_event(void *ctx, const gri_yev *ev)
{
	(*(size_t *)ctx)++;
	(void)ev;
	return 0;
}

static double run(const bench_files *in, int reader, size_t *docs_total)
{
	double best = 1e9;
	for (int rep = 0; rep < 5; rep++) {
		double t0 = cpu_now();
		*docs_total = 0;
		for (size_t i = 0; i < in->n; i++) {
			if (!in->data[i])
				continue;
			gr_arena a;
			gr_arena_init(&a);
			gr_document *docs;
			size_t nd;
			gr_error err;
			gr_decode_limits l;
			gr_decode_limits_default(&l);
			l.yaml_reader = reader;
			gr_decode(&a, in->data[i], in->len[i], &l, &docs, &nd, &err);
			*docs_total += nd;
			gr_arena_free(&a);
		}
		double t = cpu_now() - t0;
		if (t < best)
			best = t;
	}
	return best;
}

int main(int argc, char **argv)
{
	bench_files in = bench_read_args(argc, argv);
	size_t docs_total = 0;
	double mb = (double)in.bytes / 1e6;
	static const struct {
		int reader;
		const char *name;
	} readers[] = {{GR_YAML_READER_DEFAULT, "default"},
	               {GR_YAML_READER_LIBYAML, "libyaml"},
	               {GR_YAML_READER_OWN, "own"}};
	for (size_t r = 0; r < sizeof readers / sizeof *readers; r++) {
		double best = run(&in, readers[r].reader, &docs_total);
		printf("guardrail decode (%s reader): %zu files, %.1f MB, %zu documents, best of 5: %.3f s "
		       "CPU, %.1f MB/s "
		       "(one core)\n",
		       readers[r].name, in.n, mb, docs_total, best, mb / best);
	}
	/* our reader's bare event pass: no tree, no resolution */
	double best = 1e9;
	size_t events = 0;
	for (int rep = 0; rep < 5; rep++) {
		double t0 = cpu_now();
		events = 0;
		for (size_t i = 0; i < in.n; i++) {
			if (!in.data[i])
				continue;
			gri_yerr err;
			gri_yaml_read(in.data[i], in.len[i], count_event, &events, &err);
		}
		double t = cpu_now() - t0;
		if (t < best)
			best = t;
	}
	printf("guardrail own reader, events only: %zu events, best of 5: %.3f s CPU, %.1f MB/s (one core)\n",
	       events, best, mb / best);
	bench_files_free(&in);
	return 0;
}
