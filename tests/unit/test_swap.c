/*
 * test_swap.c — a server's life: worker threads keep checking with whatever
 * checker a cell holds while the main thread replaces it, again and again,
 * with fresh checkers whose schemas load lazily (so group-versions load
 * concurrently, in several registries, while others check). Every session
 * must give the same verdicts whichever checker it got; every checker is
 * freed when its last user lets go. make test-tsan runs it under
 * ThreadSanitizer.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guardrail/guardrail.h"
#include "testlib.h"

#define SCHEMAS "../shared/k8s-openapi"
#define THREADS 4
#define SWAPS   4

static char cache[] = "/tmp/gr-swap-XXXXXX";

static const char deploy[] =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\n"
        "spec:\n  selector: {matchLabels: {app: web}}\n  template:\n"
        "    metadata: {labels: {app: web}}\n"
        "    spec: {containers: [{name: c, image: nginx, securityContext: {privileged: true}}]}\n";
static const char service[] = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n"
                              "spec: {selector: {app: web}, ports: [{port: 80}]}\n";
static const char ns[] = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n"
                         "    pod-security.kubernetes.io/enforce: privileged\n";
static const char job[] =
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n"
        "spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: x}]}}}\n";

static gr_checker *fresh_checker(void)
{
	gr_error err;
	gr_options *o = gr_options_new();
	gr_checker *c = NULL;
	if (gr_options_set(o, "schema", "schema-dir", SCHEMAS, &err) ||
	    gr_options_set(o, "schema", "kubernetes-version", "1.30", &err) ||
	    gr_options_set(o, "schema", "cache-dir", cache, &err) || gr_checker_new(&c, o, &err))
		fprintf(stderr, "checker: %s\n", err.message);
	gr_options_free(o);
	return c;
}

typedef struct worker {
	gr_checker_cell *cell;
	atomic_bool *stop;
	size_t runs, wrong;
	int id;
} worker;

static void *work(void *arg)
{
	worker *w = arg;
	while (!atomic_load(w->stop) || w->runs < 3) {
		gr_checker *c = gr_checker_cell_get(w->cell);
		gr_session_options so;
		gr_session_options_default(&so);
		so.jobs = (unsigned)(1 + w->id % 2); /* some sessions thread too */
		gr_session *s = gr_session_new(c, &so);
		gr_checker_unref(c); /* the session holds its own reference */
		gr_session_add_bytes(s, "ns.yaml", ns, strlen(ns));
		gr_session_add_bytes(s, "deploy.yaml", deploy, strlen(deploy));
		gr_session_add_bytes(s, "service.yaml", service, strlen(service));
		gr_session_add_bytes(s, "job.yaml", job, strlen(job));
		gr_summary sum;
		gr_error err;
		int rc = gr_session_run(s, NULL, NULL, &sum, &err);
		/* the namespace is privileged: the Deployment passes pss, everything is valid */
		if (rc != 0 || sum.objects != 4 || sum.valid != 4 || sum.errors != 0)
			w->wrong++;
		gr_session_free(s);
		w->runs++;
	}
	return NULL;
}

int main(void)
{
	if (!mkdtemp(cache)) {
		perror("mkdtemp");
		return 1;
	}
	gr_checker *first = fresh_checker();
	CHECK(first != NULL);
	if (!first)
		return test_report("swap");
	gr_checker_cell *cell = gr_checker_cell_new(first);
	gr_checker_unref(first);
	atomic_bool stop;
	atomic_init(&stop, false);
	worker w[THREADS];
	pthread_t th[THREADS];
	for (int i = 0; i < THREADS; i++) {
		w[i] = (worker){.cell = cell, .stop = &stop, .id = i};
		pthread_create(&th[i], NULL, work, &w[i]);
	}
	for (int k = 0; k < SWAPS; k++) {
		gr_checker *next = fresh_checker();
		CHECK(next != NULL);
		if (!next)
			break;
		gr_checker_cell_set(cell, next);
		gr_checker_unref(next);
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	atomic_store(&stop, true);
	size_t runs = 0;
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		CHECK(w[i].wrong == 0);
		runs += w[i].runs;
	}
	CHECK(runs >= THREADS * 3);
	gr_checker_cell_free(cell);
	char cmd[64];
	snprintf(cmd, sizeof cmd, "rm -rf %s", cache);
	CHECK(system(cmd) == 0);
	printf("%zu sessions on %d threads across %d swaps\n", runs, THREADS, SWAPS);
	return test_report("swap");
}
