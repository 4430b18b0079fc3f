/*
 * decode_bench.c — guardrail's decoder alone over the files given: YAML and
 * JSON to value trees (best of 5, one core), to compare with libyaml's bare
 * event parse (libyaml_parse) and to see the cost of building the tree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "guardrail/guardrail.h"

#include "bench.h"

int main(int argc, char **argv)
{
	bench_files in = bench_read_args(argc, argv);
	size_t n = in.n, bytes = in.bytes, docs_total = 0;
	char **data = in.data;
	size_t *len = in.len;
	double best = 1e9;
	for (int rep = 0; rep < 5; rep++) {
		double t0 = bench_now();
		docs_total = 0;
		for (size_t i = 0; i < n; i++) {
			if (!data[i])
				continue;
			gr_arena a;
			gr_arena_init(&a);
			gr_document *docs;
			size_t nd;
			gr_error err;
			gr_decode(&a, data[i], len[i], NULL, &docs, &nd, &err);
			docs_total += nd;
			gr_arena_free(&a);
		}
		double t = bench_now() - t0;
		if (t < best)
			best = t;
	}
	printf("guardrail decode: %zu files, %.1f MB, %zu documents, best of 5: %.3f s, %.1f MB/s (one core)\n", n,
	       (double)bytes / 1e6, docs_total, best, (double)bytes / 1e6 / best);
	bench_files_free(&in);
	return 0;
}
