/* audit.h — what `guardrail audit` and `guardrail snapshot` share: the
 * cluster connection flags, collecting LIST pages (live or from a snapshot
 * file) and the snapshot format. */
#ifndef GUARDRAIL_AUDIT_H
#define GUARDRAIL_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "guardrail/guardrail.h"
#include "guardrail/kube.h"

typedef struct audit_conn {
	const char *kubeconfig, *context, *cluster, *user, *namespace_;
	bool all_namespaces;
	const char *kinds; /* comma-separated resource names or kinds, or NULL for the default set */
	long timeout_ms;
	long chunk_size;
	double qps;
	bool qps_set; /* --qps given (0: no limit) */
	long burst;
	bool include_secret_data;
} audit_conn;

/* argv[*i] as a connection flag: 0 handled, 1 not one, -1 bad (printed). */
int audit_conn_flag(audit_conn *c, const char *cmd, int argc, char **argv, int *i);
extern const char audit_conn_help[];

typedef struct audit_page {
	size_t res;       /* index into resources */
	const char *path; /* the LIST request */
	gr_value root;    /* the List as answered (Secret data removed unless asked) */
} audit_page;

typedef struct audit_data {
	gr_arena arena;
	char *server;
	gr_kube_resource *res;
	size_t nres;
	audit_page *pages;
	size_t npages, cap;
	unsigned restarts; /* LISTs restarted after a 410 */
} audit_data;

void audit_data_free(audit_data *d);
/* Read the cluster: 0, or -1 with the message printed. */
int audit_collect_live(audit_data *d, const audit_conn *c, const char *cmd);
int audit_snapshot_write(const audit_data *d, const char *file, const char *cmd);
int audit_snapshot_read(audit_data *d, const char *file, const char *cmd);

#endif
