/*
 * jmespath_bench.c — JMESPath throughput: evaluations per second of the
 * benchmark expressions of the jmespath.org suite and of corpus queries,
 * over one large input (every object of ../shared/corpus in one array),
 * and compile + evaluate time of a typical Kyverno expression on a Pod.
 *
 * Usage: jmespath_bench [--write-input FILE] [--write-pod FILE] [--list FILE]
 *                       [--seconds S] [--only NAME]
 * --write-input and --write-pod save the two inputs as JSON and --list the
 * expressions ("name<TAB>JSON string" a line), for the reference
 * implementation (bench/jmespath_ref.js, run by bench/jmespath.sh).
 * Output lines: "eval<TAB>name<TAB>evals/s<TAB>compile+eval/s". A figure,
 * never a test: nothing here asserts a speed. Times are the thread's CPU
 * time, so a busy shared machine slows the figures less than wall time.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guardrail/guardrail.h"
#include "guardrail/jmespath.h"

/* Every object of the corpus (Lists flattened) as one array. */
static gr_value load_corpus(gr_arena *a, const char *dir)
{
	gr_pathlist list = {0};
	gr_list_manifests(dir, &list);
	char **paths = list.v;
	size_t npaths = list.n;
	size_t cap = 8192, n = 0;
	gr_value *items = malloc(cap * sizeof *items);
	for (size_t i = 0; i < npaths; i++) {
		char *data;
		size_t len;
		gr_error err;
		if (gr_read_file(paths[i], 0, &data, &len, &err) != 0)
			continue;
		gr_document *docs;
		size_t ndocs;
		gr_decode(a, data, len, NULL, &docs, &ndocs, &err);
		for (size_t d = 0; d < ndocs; d++) {
			gr_object *objs;
			size_t nobjs;
			if (gr_objects_from_document(a, &docs[d], paths[i], &objs, &nobjs) != 0)
				continue;
			for (size_t k = 0; k < nobjs; k++) {
				if (!gr_is(objs[k].root, GR_OBJECT))
					continue;
				if (n == cap)
					items = realloc(items, (cap *= 2) * sizeof *items);
				items[n++] = *objs[k].root;
			}
		}
		free(data);
		free(paths[i]);
	}
	free(paths);
	gr_value arr = gr_make_array(a, n);
	memcpy(arr.u.a.items, items, n * sizeof *items);
	free(items);
	return arr;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Queries over the corpus array, shaped like what a platform team asks. */
static const char *const corpus_queries[] = {
        "[?kind == 'Deployment'].metadata.name",
        "[].spec.template.spec.containers[].image",
        "length([?kind == 'Service'])",
        "[?kind == 'Deployment'] | sort_by(@, &metadata.name)[*].metadata.name",
        "[*].{kind: kind, name: metadata.name, ns: metadata.namespace || 'default'}",
        "max_by([?spec.replicas], &spec.replicas).metadata.name",
        "[?spec.template.spec.containers[?!resources.limits]].metadata.name",
        "[?contains(keys(metadata.labels || `{}`), 'app')] | length(@)",
};

/* A typical Kyverno expression and the AdmissionReview-shaped input it sees. */
static const char kyverno_expr[] = "request.object.spec.containers[?securityContext.privileged] | length(@)";
static const char kyverno_pod[] =
        "{\"request\":{\"operation\":\"CREATE\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\","
        "\"metadata\":{\"name\":\"web\",\"namespace\":\"shop\",\"labels\":{\"app\":\"web\"}},"
        "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"nginx:1.25\",\"ports\":[{\"containerPort\":"
        "80}],"
        "\"securityContext\":{\"privileged\":false,\"runAsNonRoot\":true}},{\"name\":\"sidecar\","
        "\"image\":\"envoy:1.30\",\"securityContext\":{\"privileged\":true}}],"
        "\"initContainers\":[{\"name\":\"init\",\"image\":\"busybox\"}]}}}}";

typedef struct bench_expr {
	char name[64];
	const char *expr;
	size_t len;
	const gr_value *input;  /* the corpus array, the Pod, or a suite case's `given` */
	const char *input_name; /* "corpus", "pod", or NULL: the given is written inline */
} bench_expr;

/* Evaluations per second of a compiled program, and of compile + evaluate. */
static void measure(const bench_expr *b, const gr_value *in, double seconds)
{
	gr_jp_program *p;
	gr_jp_error err;
	if (gr_jp_compile(b->expr, b->len, NULL, NULL, &p, &err) != 0) {
		printf("eval\t%s\terror %s\n", b->name, err.message);
		return;
	}
	gr_arena a;
	gr_arena_init(&a);
	gr_value first;
	if (gr_jp_eval(p, in, &a, &first, &err) != 0) {
		/* Timing an error path says nothing: report it instead. */
		printf("eval\t%s\terror %s\n", b->name, gr_jp_error_name(err.type));
		gr_arena_free(&a);
		gr_jp_free(p);
		return;
	}
	double rates[2];
	for (int mode = 0; mode < 2; mode++) {
		long n = 0;
		double t0 = now(), t;
		do {
			for (int k = 0; k < 16; k++, n++) {
				gr_value res;
				if (mode == 0) {
					gr_jp_eval(p, in, &a, &res, &err);
				} else {
					gr_jp_program *q;
					gr_jp_compile(b->expr, b->len, NULL, NULL, &q, &err);
					gr_jp_eval(q, in, &a, &res, &err);
					gr_jp_free(q);
				}
				if (a.used > (4u << 20)) /* as a per-request arena would be */
					gr_arena_free(&a);
			}
			t = now() - t0;
		} while (t < seconds);
		rates[mode] = (double)n / t;
	}
	printf("eval\t%s\t%.0f\t%.0f\n", b->name, rates[0], rates[1]);
	fflush(stdout);
	gr_arena_free(&a);
	gr_jp_free(p);
}

static void write_list(FILE *f, const bench_expr *b, size_t n)
{
	gr_buf buf;
	gr_buf_init(&buf);
	for (size_t i = 0; i < n; i++) {
		gr_buf_reset(&buf);
		gr_buf_json_string(&buf, b[i].name, strlen(b[i].name));
		gr_buf_putc(&buf, '\t');
		gr_buf_json_string(&buf, b[i].expr, b[i].len);
		gr_buf_putc(&buf, '\t');
		if (b[i].input_name)
			gr_buf_puts(&buf, b[i].input_name);
		else
			gr_write_json(&buf, b[i].input, -1); /* compact: one line */
		fprintf(f, "%s\n", buf.data);
	}
	gr_buf_free(&buf);
}

int main(int argc, char **argv)
{
	const char *write_input = NULL, *write_pod = NULL, *list = NULL, *only = NULL;
	gr_error err;
	double seconds = 0.5;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--write-input") == 0 && i + 1 < argc)
			write_input = argv[++i];
		else if (strcmp(argv[i], "--write-pod") == 0 && i + 1 < argc)
			write_pod = argv[++i];
		else if (strcmp(argv[i], "--list") == 0 && i + 1 < argc)
			list = argv[++i];
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			only = argv[++i];
		else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = atof(argv[++i]);
		else {
			fprintf(stderr, "usage: jmespath_bench [--write-input FILE] [--write-pod FILE] "
			                "[--list FILE] [--seconds S] [--only NAME]\n");
			return 2;
		}
	}
	/* Keep freed arena chunks in the process (no trim, no per-chunk mmap), as a
	 * server evaluating request after request would configure malloc: the
	 * figures then measure evaluation, not the kernel's page faults. */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	gr_arena corpus_arena, suite_arena;
	gr_arena_init(&corpus_arena);
	gr_arena_init(&suite_arena);
	double t0 = now();
	gr_value corpus = load_corpus(&corpus_arena, "../shared/corpus");
	fprintf(stderr, "corpus: %zu objects, %.1f MB of tree, loaded in %.2f s\n", corpus.u.a.len,
	        (double)corpus_arena.used / 1e6, now() - t0);
	if (write_input) {
		gr_buf b;
		gr_buf_init(&b);
		gr_write_json(&b, &corpus, -1);
		FILE *f = fopen(write_input, "wb");
		if (!f || fwrite(b.data, 1, b.len, f) != b.len) {
			fprintf(stderr, "cannot write %s\n", write_input);
			return 2;
		}
		fclose(f);
		gr_buf_free(&b);
	}

	/* The Pod a Kyverno rule sees. */
	gr_value pod;
	if (gr_decode_json(&suite_arena, kyverno_pod, sizeof kyverno_pod - 1, NULL, &pod, &err) != 0)
		return 2;
	if (write_pod) {
		FILE *f = fopen(write_pod, "wb");
		if (!f || fwrite(kyverno_pod, 1, sizeof kyverno_pod - 1, f) != sizeof kyverno_pod - 1) {
			fprintf(stderr, "cannot write %s\n", write_pod);
			return 2;
		}
		fclose(f);
	}

	/* The "full" benchmarks of the jmespath.org suite, each over the large
	 * input and over its own `given`; the corpus queries; the Kyverno one. */
	bench_expr exprs[64];
	size_t n = 0, nsuite = 0;
	char *data;
	size_t len;
	const char *suite = "../shared/conformance/jmespath/jmespath.org/benchmarks.json";
	gr_value root;
	if (gr_read_file(suite, 0, &data, &len, &err) != 0 ||
	    gr_decode_json(&suite_arena, data, len, NULL, &root, &err) != 0) {
		fprintf(stderr, "%s: %s\n", suite, err.message);
		return 2;
	}
	free(data);
	for (size_t s = 0; s < root.u.a.len; s++) {
		const gr_value *given = gr_get(&root.u.a.items[s], "given");
		const gr_value *cases = gr_get(&root.u.a.items[s], "cases");
		for (size_t c = 0; cases && c < cases->u.a.len && n < 40; c++) {
			const gr_value *e = gr_get(&cases->u.a.items[c], "expression");
			const char *kind = gr_get_str(&cases->u.a.items[c], "bench");
			if (!e || !kind || strcmp(kind, "full") != 0)
				continue;
			nsuite++;
			bench_expr corpus_case = {"", e->u.s.ptr, e->u.s.len, &corpus, "corpus"};
			bench_expr given_case = {"", e->u.s.ptr, e->u.s.len, given, NULL};
			snprintf(corpus_case.name, sizeof corpus_case.name, "suite-%zu", nsuite);
			snprintf(given_case.name, sizeof given_case.name, "suite-%zu/given", nsuite);
			exprs[n++] = corpus_case;
			exprs[n++] = given_case;
		}
	}
	for (size_t i = 0; i < sizeof corpus_queries / sizeof *corpus_queries; i++, n++) {
		snprintf(exprs[n].name, sizeof exprs[n].name, "corpus-%zu", i + 1);
		exprs[n].expr = corpus_queries[i];
		exprs[n].len = strlen(corpus_queries[i]);
		exprs[n].input = &corpus;
		exprs[n].input_name = "corpus";
	}
	bench_expr k = {"kyverno-pod", kyverno_expr, sizeof kyverno_expr - 1, &pod, "pod"};
	exprs[n++] = k;
	if (list) {
		FILE *f = fopen(list, "wb");
		if (!f) {
			fprintf(stderr, "cannot write %s\n", list);
			return 2;
		}
		write_list(f, exprs, n);
		fclose(f);
	}
	for (size_t i = 0; i < n; i++)
		if (!only || strcmp(only, exprs[i].name) == 0)
			measure(&exprs[i], exprs[i].input, seconds);
	if (only)
		return 0;

	/* Kyverno: compile + evaluate on one Pod, in ns. */
	gr_arena a;
	gr_arena_init(&a);
	long iters = 0;
	double t1 = now(), t;
	do {
		for (int i = 0; i < 256; i++, iters++) {
			gr_jp_program *p;
			gr_jp_error jerr;
			gr_value res;
			gr_jp_compile(kyverno_expr, sizeof kyverno_expr - 1, NULL, NULL, &p, &jerr);
			gr_jp_eval(p, &pod, &a, &res, &jerr);
			gr_jp_free(p);
		}
		if (a.used > (16u << 20))
			gr_arena_free(&a);
		t = now() - t1;
	} while (t < seconds);
	printf("kyverno\tcompile+eval ns\t%.0f\n", t / (double)iters * 1e9);
	gr_arena_free(&a);
	gr_arena_free(&corpus_arena);
	gr_arena_free(&suite_arena);
	return 0;
}
