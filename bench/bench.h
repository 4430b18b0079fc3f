/* bench.h — what the benchmark programs share: a monotonic clock and the
 * loading of the files named on the command line. */
#ifndef GUARDRAIL_BENCH_H
#define GUARDRAIL_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guardrail/decode.h"

static inline double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The files argv[1..argc-1] in memory (data[i] NULL when unreadable); their
 * total size in *bytes. */
typedef struct bench_files {
	size_t n, bytes;
	char **data;
	size_t *len;
} bench_files;

static inline bench_files bench_read_args(int argc, char **argv)
{
	bench_files f = {.n = (size_t)argc - 1};
	f.data = calloc(f.n ? f.n : 1, sizeof *f.data);
	f.len = calloc(f.n ? f.n : 1, sizeof *f.len);
	for (size_t i = 0; i < f.n; i++) {
		gr_error err;
		if (gr_read_file(argv[i + 1], 0, &f.data[i], &f.len[i], &err))
			f.data[i] = NULL;
		else
			f.bytes += f.len[i];
	}
	return f;
}

static inline void bench_files_free(bench_files *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->data[i]);
	free(f->data);
	free(f->len);
}

/* The schema directory and cache folder a benchmark uses, chosen as the
 * program chooses them (the library never looks at the environment). */
static inline const char *bench_schema_dir(void)
{
	const char *d = getenv("GUARDRAIL_SCHEMA_DIR");
	return d && *d ? d : "../shared/k8s-openapi";
}

static inline const char *bench_cache_dir(void)
{
	static char buf[4096];
	const char *d = getenv("GUARDRAIL_CACHE_DIR");
	if (d && strcmp(d, "off") == 0)
		return NULL;
	if (d && *d)
		return d;
	if ((d = getenv("XDG_CACHE_HOME")) && *d)
		snprintf(buf, sizeof buf, "%s/guardrail", d);
	else if ((d = getenv("HOME")) && *d)
		snprintf(buf, sizeof buf, "%s/.cache/guardrail", d);
	else
		return NULL;
	return buf;
}

#endif
