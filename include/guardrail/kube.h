/*
 * kube.h — reading a cluster the way kubectl does: kubeconfig loading
 * (KUBECONFIG merge rules, contexts, every credential form kubectl knows)
 * and a small API client on libcurl + OpenSSL (discovery, paginated LISTs).
 *
 * The library never reads the environment: the caller passes the value of
 * $KUBECONFIG and $HOME in gr_kube_load_options. No credential is ever put
 * into an error message.
 */
#ifndef GUARDRAIL_KUBE_H
#define GUARDRAIL_KUBE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "guardrail/arena.h"
#include "guardrail/buf.h"
#include "guardrail/error.h"
#include "guardrail/value.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gr_kube_load_options {
	const char *kubeconfig;     /* --kubeconfig (wins over env_kubeconfig) */
	const char *env_kubeconfig; /* the value of $KUBECONFIG, or NULL */
	const char *home;           /* $HOME, for ~/.kube/config when neither is set */
	const char *context;        /* --context, or NULL for current-context */
	const char *namespace_;     /* --namespace, or NULL */
	const char *cluster;        /* --cluster override, or NULL */
	const char *user;           /* --user override, or NULL */
	/* in-cluster: used when no kubeconfig file exists and both are set */
	const char *service_host, *service_port; /* $KUBERNETES_SERVICE_HOST / _PORT */
	const char *serviceaccount_dir;          /* default /var/run/secrets/kubernetes.io/serviceaccount */
} gr_kube_load_options;

typedef struct gr_kube_exec {
	char *api_version; /* client.authentication.k8s.io/v1 or v1beta1 */
	char *command;
	char **args;
	size_t nargs;
	char **env; /* "NAME=VALUE" */
	size_t nenv;
	char *install_hint;
	bool provide_cluster_info;
	char *interactive_mode;    /* Never, IfAvailable, Always (v1 requires it) */
	char *cluster_config_json; /* extensions client.authentication.k8s.io/exec, JSON, or NULL */
} gr_kube_exec;

/* The resolved configuration of one context. Strings are malloc'd. */
typedef struct gr_kube_config {
	char *source; /* the kubeconfig file(s), for messages */
	char *context_name;
	char *namespace_; /* context namespace, --namespace, or "default" */
	char *server;
	char *ca_file; /* certificate-authority (resolved path) */
	char *ca_data; /* certificate-authority-data (decoded PEM) */
	size_t ca_data_len;
	bool insecure;
	char *tls_server_name;
	char *proxy_url;
	char *client_cert_file, *client_key_file;
	char *client_cert_data, *client_key_data; /* decoded PEM */
	size_t client_cert_data_len, client_key_data_len;
	char *token;
	char *token_file;
	char *impersonate_user;
	char **impersonate_groups;
	size_t nimpersonate_groups;
	gr_kube_exec *exec;
	/* exec credential cache */
	char *exec_token;
	char *exec_cert_data, *exec_key_data;
	time_t exec_expiry; /* 0: never expires */
	/* token file cache */
	char *token_file_value;
	time_t token_file_mtime;
} gr_kube_config;

/* Load and merge the kubeconfig files and resolve the context. */
int gr_kube_config_load(gr_kube_config **out, const gr_kube_load_options *o, gr_error *err);
void gr_kube_config_free(gr_kube_config *c);

/* Merge the given files as kubectl does (first definition of a name wins
 * whole, current-context from the first file that sets one) and write the
 * result as JSON { clusters, users, contexts, current-context } sorted by
 * name. For tests and `guardrail audit --show-config`; credentials are
 * written only when show_secrets. */
int gr_kube_config_merge_json(const char *const *files, size_t nfiles, bool show_secrets, gr_buf *out,
                              gr_error *err);

/* The bearer token to send now, running the exec plugin or re-reading the
 * token file when needed. *token is NULL when the user has none. */
int gr_kube_credentials(gr_kube_config *c, const char **token, gr_error *err);

/* ---- the API client ---- */

typedef struct gr_kube_client_options {
	long timeout_ms;         /* whole request; default 30000 */
	long connect_timeout_ms; /* default 10000 */
	unsigned retries;        /* on 429, 5xx and transport errors; default 5 */
	long backoff_ms;         /* first backoff; doubled each time; default 200 */
	double qps;              /* default 5 (kubectl's) */
	unsigned burst;          /* default 10 */
	long page_limit;         /* LIST page size; default 500 */
	const char *user_agent;  /* default "guardrail" */
} gr_kube_client_options;

void gr_kube_client_options_default(gr_kube_client_options *o);

typedef struct gr_kube_client gr_kube_client;

/* A client on config c (which must outlive it). */
int gr_kube_client_new(gr_kube_client **out, gr_kube_config *c, const gr_kube_client_options *o,
                       gr_error *err);
void gr_kube_client_free(gr_kube_client *k);

typedef struct gr_kube_response {
	long status;
	char *content_type; /* malloc'd */
	gr_buf body;
} gr_kube_response;
void gr_kube_response_free(gr_kube_response *r);

/* GET path (with query) with this Accept header (NULL: application/json).
 * Retries 429/5xx/transport failures. 0 when a response arrived (any status). */
int gr_kube_get(gr_kube_client *k, const char *path, const char *accept, gr_kube_response *r, gr_error *err);

/* The message of a Status body, or a short description of a non-Status one. */
void gr_kube_status_message(const gr_kube_response *r, char *buf, size_t cap);

/* One served resource (the group's preferred version). */
typedef struct gr_kube_resource {
	char *group, *version, *name, *kind;
	bool namespaced;
	bool listable;
} gr_kube_resource;

typedef struct gr_kube_resources {
	gr_kube_resource *v;
	size_t n;
	bool aggregated; /* discovery came from the aggregated form */
} gr_kube_resources;
void gr_kube_resources_free(gr_kube_resources *r);

/* Discovery: aggregated first, then legacy. Subresources are left out. */
int gr_kube_discover(gr_kube_client *k, gr_kube_resources *out, gr_error *err);

/* One page of a LIST, handed over as it arrives. body is the page's JSON. */
typedef int (*gr_kube_page_fn)(void *user, const char *path, const char *body, size_t len);

/* LIST path (e.g. /api/v1/pods) page by page (limit + continue). A 410 on
 * a continue goes on with the token the server's Status offers (the list
 * is then not consistent: *restarts counts this), or without one restarts
 * from the first page (pages already handed over come again). */
int gr_kube_list(gr_kube_client *k, const char *path, gr_kube_page_fn fn, void *user, unsigned *restarts,
                 gr_error *err);

#ifdef __cplusplus
}
#endif

#endif
