/*
 * pss_bench.c — the cost of the Pod Security engine alone over the corpus.
 *
 * Loads every *.yaml, *.yml and *.json under ../shared/corpus (or the folder
 * given as argv[1]), decodes each once, then runs the pss engine with its
 * default modes (enforce baseline, warn restricted) over every workload
 * object, repeating until at least one second has passed. Prints the decode
 * time once and pod templates judged per second. A figure, not an assertion.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "guardrail/guardrail.h"

#include "bench.h"

typedef struct loaded {
	gr_arena arena;
	char *data;
} loaded;

static loaded *files;
static size_t nfiles, capfiles;
static const gr_object **workloads;
static size_t nworkloads, capworkloads, nobjects;
static double decode_seconds;

static void load(const char *path)
{
	if (nfiles == capfiles) {
		capfiles = capfiles ? capfiles * 2 : 256;
		files = realloc(files, capfiles * sizeof *files);
		if (!files)
			exit(2);
	}
	loaded *l = &files[nfiles];
	gr_arena_init(&l->arena);
	size_t len;
	gr_error err;
	if (gr_read_file(path, 0, &l->data, &len, &err) != 0)
		return;
	double t0 = bench_now();
	gr_document *docs;
	size_t ndocs;
	gr_decode(&l->arena, l->data, len, NULL, &docs, &ndocs, &err); /* partial results kept */
	char *name = gr_arena_strdup(&l->arena, path);
	for (size_t d = 0; d < ndocs; d++) {
		gr_object *objs;
		size_t n;
		if (gr_objects_from_document(&l->arena, &docs[d], name, &objs, &n) != 0)
			continue;
		nobjects += n;
		for (size_t i = 0; i < n; i++) {
			if (!objs[i].pod_spec)
				continue;
			if (nworkloads == capworkloads) {
				capworkloads = capworkloads ? capworkloads * 2 : 256;
				workloads = realloc(workloads, capworkloads * sizeof *workloads);
				if (!workloads)
					exit(2);
			}
			workloads[nworkloads++] = &objs[i];
		}
	}
	decode_seconds += bench_now() - t0;
	nfiles++;
}

int main(int argc, char **argv)
{
	const char *root = argc > 1 ? argv[1] : "../shared/corpus";
	gr_pathlist paths = {0};
	gr_list_manifests(root, &paths);
	for (size_t i = 0; i < paths.n; i++)
		load(paths.v[i]);
	gr_pathlist_free(&paths);
	printf("corpus: %zu files, %zu objects, %zu pod templates, decoded in %.3f s\n", nfiles, nobjects,
	       nworkloads, decode_seconds);
	if (nworkloads == 0) {
		fprintf(stderr, "no workload objects under %s\n", root);
		return 1;
	}
	gr_checker *state = NULL;
	gr_error err;
	gr_options *opts = gr_options_new();
	if (gr_options_select(opts, "pss", &err) || gr_checker_new(&state, opts, &err)) {
		fprintf(stderr, "pss: %s\n", err.message);
		return 1;
	}
	gr_options_free(opts);
	gr_arena scratch;
	gr_arena_init(&scratch);
	gr_findings out;
	size_t judged = 0, findings = 0, rounds = 0;
	double t0 = bench_now(), elapsed = 0;
	while (elapsed < 1.0) {
		gr_findings_init(&out, &scratch);
		for (size_t i = 0; i < nworkloads; i++) {
			gr_check_ctx ctx = {.arena = &scratch};
			gr_checker_check_object(state, workloads[i], &ctx, &out, NULL, &err);
		}
		judged += nworkloads;
		findings = out.len;
		gr_findings_free(&out);
		gr_arena_free(&scratch);
		rounds++;
		elapsed = bench_now() - t0;
	}
	printf("pss: %zu findings per pass; %zu passes in %.3f s: %.0f pod templates/s (%.2f us each)\n",
	       findings, rounds, elapsed, (double)judged / elapsed, elapsed * 1e6 / (double)judged);
	double per_pass = elapsed / (double)rounds;
	printf("pss: %.3f ms per pass over the corpus = %.1f%% of the corpus' decode time alone\n",
	       per_pass * 1e3, 100.0 * per_pass / decode_seconds);
	gr_checker_unref(state);
	for (size_t i = 0; i < nfiles; i++) {
		gr_arena_free(&files[i].arena);
		free(files[i].data);
	}
	free(files);
	free(workloads);
	return 0;
}
