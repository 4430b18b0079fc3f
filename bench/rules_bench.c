/*
 * rules_bench.c — the cost of the rule packs.
 *
 *   rules_bench [DIR]        every manifest under DIR (default
 *                            ../shared/corpus): decode once, then time the
 *                            index and each pack (bp, ref, api, image) and
 *                            all of them together over the whole set, best
 *                            of 5; prints the split per pack and the share
 *                            of decode time the packs add.
 *   rules_bench --synthetic  N Services and N Deployments in one namespace
 *                            for N = 6,250 ... 50,000: index + ref.* time
 *                            and the cost per object, which stays flat when
 *                            nothing is quadratic.
 * Figures only: nothing here passes or fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/guardrail.h"
#include "guardrail/inputs.h"
#include "guardrail/rules.h"

#include "bench.h"

static gr_object *objs;
static size_t nobjs, capobjs;

static void add_objects(gr_arena *a, const char *file, const char *data, size_t len)
{
	gr_document *docs;
	size_t nd;
	gr_error err;
	gr_decode(a, data, len, NULL, &docs, &nd, &err);
	for (size_t i = 0; i < nd; i++) {
		gr_object *o;
		size_t no;
		if (docs[i].root.type == GR_NULL || gr_objects_from_document(a, &docs[i], file, &o, &no) != 0)
			continue;
		for (size_t j = 0; j < no; j++) {
			if (nobjs == capobjs) {
				capobjs = capobjs ? capobjs * 2 : 1024;
				objs = realloc(objs, capobjs * sizeof *objs);
				if (!objs)
					exit(2);
			}
			objs[nobjs++] = o[j];
		}
	}
}

/* Best of reps: run the named packs (NULL: the default guardrail packs) over the set. */
static double time_packs(const char *only, size_t *nfindings, int reps)
{
	gr_rules_options o;
	memset(&o, 0, sizeof o);
	const char *l[1] = {only};
	if (only) {
		o.only = l;
		o.nonly = 1;
	}
	gr_rules *r;
	gr_error err;
	if (gr_rules_new(&r, &o, &err) != 0) {
		fprintf(stderr, "%s\n", err.message);
		exit(2);
	}
	double best = 1e9;
	for (int k = 0; k < reps; k++) {
		gr_arena fa;
		gr_arena_init(&fa);
		gr_findings f;
		gr_findings_init(&f, &fa);
		double t0 = bench_now();
		gr_rules_check_set(r, objs, nobjs, &f, &err);
		double t = bench_now() - t0;
		if (t < best)
			best = t;
		*nfindings = f.len;
		gr_findings_free(&f);
		gr_arena_free(&fa);
	}
	gr_rules_free(r);
	return best;
}

static int corpus(const char *dir)
{
	gr_pathlist paths = {0};
	if (gr_list_manifests(dir, &paths) != 0) {
		fprintf(stderr, "cannot list %s\n", dir);
		return 2;
	}
	gr_arena a;
	gr_arena_init(&a);
	char **bufs = calloc(paths.n + 1, sizeof *bufs);
	size_t *lens = calloc(paths.n + 1, sizeof *lens);
	size_t bytes = 0;
	for (size_t i = 0; i < paths.n; i++) {
		gr_error err;
		if (gr_read_file(paths.v[i], 0, &bufs[i], &lens[i], &err) == 0)
			bytes += lens[i];
	}
	double t0 = bench_now();
	for (size_t i = 0; i < paths.n; i++)
		if (bufs[i])
			add_objects(&a, paths.v[i], bufs[i], lens[i]);
	double decode = bench_now() - t0;
	printf("corpus: %zu files, %.1f MB, %zu objects; decode %.3f s (one core)\n", paths.n,
	       (double)bytes / 1e6, nobjs, decode);
	static const char *const packs[] = {"bp", "ref", "api", "image", NULL};
	for (int p = 0; packs[p]; p++) {
		size_t nf;
		double t = time_packs(packs[p], &nf, 5);
		printf("  pack %-6s %.3f s  %8.0f objects/s  %zu findings\n", packs[p], t, (double)nobjs / t,
		       nf);
	}
	size_t nf;
	double all = time_packs(NULL, &nf, 5);
	printf("  all packs   %.3f s  %8.0f objects/s  %zu findings (index included)\n", all,
	       (double)nobjs / all, nf);
	printf("all packs add %.1f%% of decode time (one core); compare with `guardrail check` time in "
	       "bench/rules.sh\n",
	       all * 100 / decode);
	gr_arena_free(&a);
	for (size_t i = 0; i < paths.n; i++)
		free(bufs[i]);
	free(bufs);
	free(lens);
	gr_pathlist_free(&paths);
	return 0;
}

static int synthetic(void)
{
	printf("synthetic: N Services, Deployments, PodDisruptionBudgets and NetworkPolicies in one "
	       "namespace;\n"
	       "ref.* and all default packs (index included), best of 3 / 1\n");
	double first = 0, first_all = 0;
	for (size_t n = 6250; n <= 50000; n *= 2) {
		gr_arena a;
		gr_arena_init(&a);
		nobjs = 0;
		size_t cap = n * 1400;
		char *y = malloc(cap);
		size_t len = 0;
		for (size_t i = 0; i < n; i++)
			len += (size_t)snprintf(
			        y + len, cap - len,
			        "apiVersion: v1\nkind: Service\nmetadata: {name: svc-%zu, namespace: big}\n"
			        "spec: {selector: {app: app-%zu}, ports: [{port: 80, targetPort: "
			        "http}]}\n---\n"
			        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app-%zu, namespace: "
			        "big}\n"
			        "spec:\n  replicas: 2\n  selector: {matchLabels: {app: app-%zu}}\n  "
			        "template:\n"
			        "    metadata: {labels: {app: app-%zu, tier: web}}\n"
			        "    spec: {containers: [{name: c, image: registry.example.com/app:1.0, "
			        "ports: [{name: http, containerPort: 8080}]}]}\n---\n"
			        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: pdb-%zu, "
			        "namespace: big}\n"
			        "spec: {maxUnavailable: 1, selector: {matchLabels: {app: app-%zu}}}\n---\n"
			        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: "
			        "np-%zu, namespace: big}\n"
			        "spec: {podSelector: {matchLabels: {app: app-%zu}}, policyTypes: "
			        "[Ingress]}\n---\n",
			        i, i % 10 ? i : n + i /* one Service in ten selects nothing */, i, i, i, i, i,
			        i, i);
		add_objects(&a, "synthetic.yaml", y, len);
		size_t nf, nfa;
		double t = time_packs("ref", &nf, 3);
		double ta = time_packs(NULL, &nfa, 1);
		double per = t / (double)nobjs * 1e6, pera = ta / (double)nobjs * 1e6;
		if (!first) {
			first = per;
			first_all = pera;
		}
		printf("  N=%6zu  objects %6zu  ref.* %.3f s %.2f us/object (x%.2f)  all packs %.3f s %.2f "
		       "us/object (x%.2f)"
		       "  %zu ref findings\n",
		       n, nobjs, t, per, per / first, ta, pera, pera / first_all, nf);
		free(y);
		gr_arena_free(&a);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--synthetic") == 0)
		return synthetic();
	return corpus(argc > 1 ? argv[1] : "../shared/corpus");
}
