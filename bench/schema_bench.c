/*
 * schema_bench.c — figures for the schema engine (prints, never asserts).
 *
 *   build/bench/schema_bench [CORPUS_DIR] [VERSION] [-v]
 *
 * 1. Cold start: open a registry and check one small Deployment, schema
 *    loading included (only apps/v1 is read), best of 5 runs.
 * 2. Corpus: every .yaml/.yml/.json file under CORPUS_DIR (default
 *    ../shared/corpus); pass one adds the CRDs of all files (prepare), pass
 *    two decodes each file again and validates its objects, timing
 *    validation alone. Prints objects/s, findings by rule and peak RSS;
 *    -v prints every finding (file:line path rule message).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "guardrail/guardrail.h"
#include "guardrail/schema.h"

#include "bench.h"

static const char deployment[] =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
        "  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n"
        "    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n"
        "      - name: web\n        image: nginx:1.27\n        ports:\n        - containerPort: 80\n";

int main(int argc, char **argv)
{
	const char *corpus = "../shared/corpus", *version = "1.35";
	int verbose = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0)
			verbose = 1;
		else if (strchr(argv[i], '/'))
			corpus = argv[i];
		else
			version = argv[i];
	}
	gr_error err;
	/* 1. cold start */
	double best = 1e9;
	for (int run = 0; run < 5; run++) {
		double t0 = bench_now();
		gr_schema_registry *r;
		if (gr_schema_registry_open(&r, bench_schema_dir(), version, NULL, &err) != 0 ||
		    gr_schema_registry_set_cache(r, bench_cache_dir(), &err) != 0) {
			fprintf(stderr, "%s\n", err.message);
			return 2;
		}
		gr_arena a;
		gr_arena_init(&a);
		gr_document *docs;
		size_t nd;
		gr_decode(&a, deployment, sizeof deployment - 1, NULL, &docs, &nd, &err);
		gr_object *objs;
		size_t no;
		gr_objects_from_document(&a, &docs[0], "deploy.yaml", &objs, &no);
		gr_findings f;
		gr_findings_init(&f, &a);
		gr_check_ctx ctx = {.arena = &a};
		gr_schema_check_options opt = {.strict = true};
		gr_schema_check(r, &objs[0], &opt, &ctx, &f);
		double t = bench_now() - t0;
		if (t < best)
			best = t;
		if (run == 0 && f.len)
			printf("unexpected finding on the sample Deployment: %s\n", f.items[0].message);
		gr_findings_free(&f);
		gr_arena_free(&a);
		gr_schema_registry_free(r);
	}
	printf("cold start (open + load/compile apps/v1 + check one Deployment), %s: %.2f ms\n", version,
	       best * 1e3);

	/* 2. corpus */
	gr_pathlist corpus_files = {0};
	gr_list_manifests(corpus, &corpus_files);
	char **files = corpus_files.v;
	size_t nfiles = corpus_files.n;
	gr_schema_registry *r;
	if (gr_schema_registry_open(&r, bench_schema_dir(), version, NULL, &err) != 0 ||
	    gr_schema_registry_set_cache(r, bench_cache_dir(), &err) != 0) {
		fprintf(stderr, "%s\n", err.message);
		return 2;
	}
	size_t ncrd = 0, bytes = 0;
	for (size_t i = 0; i < nfiles; i++) {
		char *data;
		size_t len;
		if (gr_read_file(files[i], 0, &data, &len, &err) != 0)
			continue;
		bytes += len;
		gr_arena a;
		gr_arena_init(&a);
		gr_document *docs;
		size_t nd;
		gr_decode(&a, data, len, NULL, &docs, &nd, &err);
		for (size_t d = 0; d < nd; d++) {
			gr_object *objs;
			size_t no;
			gr_objects_from_document(&a, &docs[d], files[i], &objs, &no);
			for (size_t o = 0; o < no; o++) {
				int k = gr_schema_add_crd(r, objs[o].root, &err);
				if (k > 0)
					ncrd++;
			}
		}
		gr_arena_free(&a);
		free(data);
	}
	size_t nobj = 0, nfind = 0, nskip = 0, not_eval = 0, decode_err = 0;
	const char *rules[32];
	size_t counts[32];
	size_t nrules = 0;
	double tval = 0, tdec = 0, t0all = bench_now(), tval_cold = 0;
	gr_schema_check_options opt = {.strict = true};
	/* pass two runs twice: the first loads the group-versions the corpus
	 * names (cold), the second is validation alone (warm); findings are
	 * counted on the second */
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			tval_cold = tval;
			tval = tdec = 0;
			nobj = nfind = nskip = not_eval = decode_err = nrules = 0;
			t0all = bench_now();
		}
		for (size_t i = 0; i < nfiles; i++) {
			char *data;
			size_t len;
			if (gr_read_file(files[i], 0, &data, &len, &err) != 0)
				continue;
			gr_arena a;
			gr_arena_init(&a);
			gr_document *docs;
			size_t nd;
			double td = bench_now();
			if (gr_decode(&a, data, len, NULL, &docs, &nd, &err) != 0)
				decode_err++;
			tdec += bench_now() - td;
			gr_findings f;
			gr_findings_init(&f, &a);
			for (size_t d = 0; d < nd; d++) {
				gr_object *objs;
				size_t no;
				gr_objects_from_document(&a, &docs[d], files[i], &objs, &no);
				for (size_t o = 0; o < no; o++) {
					gr_check_ctx ctx = {.arena = &a};
					double t0 = bench_now();
					gr_schema_check(r, &objs[o], &opt, &ctx, &f);
					tval += bench_now() - t0;
					nobj++;
					nskip += ctx.skipped;
					not_eval += ctx.not_evaluated;
				}
			}
			for (size_t k = 0; k < f.len; k++) {
				const gr_finding *x = &f.items[k];
				nfind++;
				size_t j;
				for (j = 0; j < nrules && strcmp(rules[j], x->rule) != 0; j++)
					;
				if (j == nrules && nrules < 32) {
					rules[nrules] = x->rule;
					counts[nrules++] = 0;
				}
				if (j < 32)
					counts[j]++;
				if (verbose && pass == 1)
					printf("%s:%u: %s [%s] %s/%s\n", x->file, x->line, x->rule,
					       x->message, x->object ? x->object->api_version : "",
					       x->object ? x->object->kind : "");
			}
			gr_findings_free(&f);
			gr_arena_free(&a);
			free(data);
		}
	}
	double tall = bench_now() - t0all;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("corpus %s: %zu files, %.1f MB, %zu objects, %zu CRD kinds added, %zu files with decode "
	       "errors\n",
	       corpus, nfiles, bytes / 1e6, nobj, ncrd, decode_err);
	printf("validation, cold (loading every group-version the corpus names): %.1f ms\n", tval_cold * 1e3);
	printf("validation, warm: %.1f ms, %.0f objects/s; decode (gr_decode) of the same files: %.1f ms\n",
	       tval * 1e3, nobj / tval, tdec * 1e3);
	printf("read + decode + validate, warm: %.1f ms\n", tall * 1e3);
	printf("findings: %zu; CEL rules not evaluated: %zu\n", nfind, not_eval);
	for (size_t j = 0; j < nrules; j++)
		printf("  %-22s %zu\n", rules[j], counts[j]);
	printf("peak RSS: %.1f MiB\n", ru.ru_maxrss / 1024.0);
	gr_schema_registry_free(r);
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	return 0;
}
