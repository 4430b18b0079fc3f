/*
 * cmd_snapshot.c — `guardrail snapshot -o FILE`: everything `audit` reads,
 * in one file (gzip of JSON lines: a header with the server and the
 * resources, then every LIST page as answered, resourceVersions included),
 * for judging offline with `guardrail audit --snapshot FILE`. Secrets'
 * values are removed unless --include-secret-data.
 */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "cmd.h"
#include "engine_flags.h"

int cmd_snapshot(int argc, char **argv)
{
	audit_conn conn = {0};
	const char *out = NULL, *from = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: guardrail snapshot -o FILE [flags]\n\n"
			       "Write what `guardrail audit` reads from a cluster to FILE, to audit offline\n"
			       "with `guardrail audit --snapshot FILE`.\n\n%s"
			       "      --snapshot FILE          read a snapshot instead of a cluster (rewrite "
			       "it)\n"
			       "  -o, --output FILE            the snapshot to write (required)\n"
			       "Documentation: docs/snapshot.md\n",
			       audit_conn_help);
			return 0;
		}
		int rc = audit_conn_flag(&conn, "snapshot", argc, argv, &i);
		if (rc < 0)
			return 2;
		if (rc == 0)
			continue;
		bool m;
		const char *v = engine_flag_value(argc, argv, &i, "--output", &m);
		if (!m)
			v = engine_flag_value(argc, argv, &i, "-o", &m);
		if (m && v) {
			out = v;
			continue;
		}
		v = engine_flag_value(argc, argv, &i, "--snapshot", &m);
		if (m && v) {
			from = v;
			continue;
		}
		fprintf(stderr, "guardrail snapshot: unknown or incomplete flag '%s'\n", argv[i]);
		return 2;
	}
	if (!out) {
		fprintf(stderr, "guardrail snapshot: -o FILE is required\n");
		return 2;
	}
	audit_data d;
	int rc = from ? audit_snapshot_read(&d, from, "snapshot") : audit_collect_live(&d, &conn, "snapshot");
	if (rc == 0)
		rc = audit_snapshot_write(&d, out, "snapshot");
	if (rc == 0)
		fprintf(stderr, "guardrail snapshot: %zu LIST pages of %zu resources written to %s\n",
		        d.npages, d.nres, out);
	audit_data_free(&d);
	return rc ? 2 : 0;
}
