/*
 * decode_bench.c — guardrail's decoder alone over the files given: YAML and
 * JSON to value trees (best of 5, one core), to compare with libyaml's bare
 * event parse (libyaml_parse) and to see the cost of building the tree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "guardrail/guardrail.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t n = (size_t)argc - 1, bytes = 0, docs_total = 0;
	char **data = calloc(n ? n : 1, sizeof *data);
	size_t *len = calloc(n ? n : 1, sizeof *len);
	for (size_t i = 0; i < n; i++) {
		gr_error err;
		if (gr_read_file(argv[i + 1], 0, &data[i], &len[i], &err))
			data[i] = NULL;
		else
			bytes += len[i];
	}
	double best = 1e9;
	for (int rep = 0; rep < 5; rep++) {
		double t0 = now();
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
		double t = now() - t0;
		if (t < best)
			best = t;
	}
	printf("guardrail decode: %zu files, %.1f MB, %zu documents, best of 5: %.3f s, %.1f MB/s (one core)\n", n,
	       (double)bytes / 1e6, docs_total, best, (double)bytes / 1e6 / best);
	for (size_t i = 0; i < n; i++)
		free(data[i]);
	free(data);
	free(len);
	return 0;
}
