/*
 * kube_probe.c — a small program over lib/kube for the shell tests:
 *   kube_probe KUBECONFIG discover            resources found, and the form
 *   kube_probe KUBECONFIG get PATH            status and the Status message
 *   kube_probe KUBECONFIG list PATH LIMIT     pages, items, restarts
 *   kube_probe KUBECONFIG token               runs the credential twice:
 *                                             whether the second was cached
 *   kube_probe KUBECONFIG rotate FILE         the token, FILE rewritten (a
 *                                             rotated tokenFile), the token again
 *   kube_probe merge FILE...                  the merged kubeconfig as JSON
 * Options from the environment of the test: KP_TIMEOUT_MS, KP_CONTEXT, and
 * with KUBECONFIG "-" the in-cluster ones: KP_SERVICE_HOST, KP_SERVICE_PORT,
 * KP_SA_DIR (the service-account folder).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guardrail/decode.h"
#include "guardrail/kube.h"

static size_t pages, items;

static int on_page(void *user, const char *path, const char *body, size_t len)
{
	(void)user;
	gr_arena a;
	gr_arena_init(&a);
	gr_value v;
	gr_error e;
	if (gr_decode_json(&a, body, len, NULL, &v, &e) == 0) {
		const gr_value *it = gr_get(&v, "items");
		if (gr_is(it, GR_ARRAY))
			items += it->u.a.len;
	}
	pages++;
	printf("page %s\n", path);
	gr_arena_free(&a);
	return 0;
}

int main(int argc, char **argv)
{
	gr_error err;
	gr_error_clear(&err);
	if (argc >= 2 && !strcmp(argv[1], "merge")) {
		gr_buf b;
		gr_buf_init(&b);
		if (gr_kube_config_merge_json((const char *const *)argv + 2, (size_t)argc - 2, false, &b,
		                              &err)) {
			fprintf(stderr, "%s:%u:%u: %s\n", err.file, err.line, err.column, err.message);
			return 2;
		}
		printf("%s\n", b.data);
		gr_buf_free(&b);
		return 0;
	}
	if (argc < 3)
		return 2;
	/* KUBECONFIG "-": none, so the in-cluster options (KP_SERVICE_HOST,
	 * KP_SERVICE_PORT, KP_SA_DIR) decide, as a pod's would */
	gr_kube_load_options lo = {.kubeconfig = strcmp(argv[1], "-") ? argv[1] : NULL,
	                           .context = getenv("KP_CONTEXT"),
	                           .service_host = getenv("KP_SERVICE_HOST"),
	                           .service_port = getenv("KP_SERVICE_PORT"),
	                           .serviceaccount_dir = getenv("KP_SA_DIR")};
	gr_kube_config *c;
	if (gr_kube_config_load(&c, &lo, &err)) {
		fprintf(stderr, "%s:%u:%u: %s\n", err.file, err.line, err.column, err.message);
		return 2;
	}
	gr_kube_client_options o;
	gr_kube_client_options_default(&o);
	o.qps = 0;
	o.backoff_ms = 50;
	if (getenv("KP_TIMEOUT_MS"))
		o.timeout_ms = atol(getenv("KP_TIMEOUT_MS"));
	gr_kube_client *k;
	int rc = 0;
	if (gr_kube_client_new(&k, c, &o, &err)) {
		fprintf(stderr, "%s\n", err.message);
		gr_kube_config_free(c);
		return 2;
	}
	const char *cmd = argv[2];
	if (!strcmp(cmd, "discover")) {
		gr_kube_resources rs;
		if (gr_kube_discover(k, &rs, &err)) {
			fprintf(stderr, "%s\n", err.message);
			rc = 2;
		} else {
			size_t listable = 0;
			for (size_t i = 0; i < rs.n; i++)
				listable += rs.v[i].listable;
			printf("%s %zu resources, %zu listable\n", rs.aggregated ? "aggregated" : "legacy",
			       rs.n, listable);
			for (size_t i = 0; i < rs.n; i++)
				printf("%s/%s %s %s %s\n", rs.v[i].group, rs.v[i].version, rs.v[i].name,
				       rs.v[i].kind, rs.v[i].namespaced ? "namespaced" : "cluster");
			gr_kube_resources_free(&rs);
		}
	} else if (!strcmp(cmd, "get") && argc > 3) {
		gr_kube_response r;
		if (gr_kube_get(k, argv[3], NULL, &r, &err)) {
			fprintf(stderr, "%s\n", err.message);
			rc = 2;
		} else {
			char m[600];
			gr_kube_status_message(&r, m, sizeof m);
			printf("%s\n", r.status == 200 ? "HTTP 200" : m);
			gr_kube_response_free(&r);
		}
	} else if (!strcmp(cmd, "list") && argc > 4) {
		gr_kube_client_free(k);
		o.page_limit = atol(argv[4]);
		gr_kube_client_new(&k, c, &o, &err);
		unsigned restarts = 0;
		if (gr_kube_list(k, argv[3], on_page, NULL, &restarts, &err)) {
			fprintf(stderr, "%s\n", err.message);
			rc = 2;
		}
		printf("pages %zu items %zu restarts %u\n", pages, items, restarts);
	} else if (!strcmp(cmd, "token")) {
		const char *t1, *t2;
		if (gr_kube_credentials(c, &t1, &err)) {
			fprintf(stderr, "%s\n", err.message);
			rc = 2;
		} else {
			char *first = t1 ? strdup(t1) : NULL;
			if (gr_kube_credentials(c, &t2, &err)) {
				fprintf(stderr, "%s\n", err.message);
				rc = 2;
			} else
				printf("token %s; second call %s\n", first ? "present" : "none",
				       first && t2 && !strcmp(first, t2) ? "same" : "different");
			free(first);
		}
	} else if (!strcmp(cmd, "rotate") && argc > 3) {
		const char *t1, *t2;
		if (gr_kube_credentials(c, &t1, &err) == 0) {
			char *first = t1 ? strdup(t1) : NULL;
			sleep(1); /* a new modification time */
			FILE *f = fopen(argv[3], "w");
			if (f) {
				fputs("rotated-token\n", f);
				fclose(f);
			}
			if (gr_kube_credentials(c, &t2, &err) == 0)
				printf("before %s after %s\n", first ? first : "-", t2 ? t2 : "-");
			free(first);
		}
	} else
		rc = 2;
	gr_kube_client_free(k);
	gr_kube_config_free(c);
	return rc;
}
