/*
 * inputs.h — which files a directory contributes as manifests.
 *
 * `*.yaml`, `*.yml` and `*.json`, found recursively (at most 64 levels, so a
 * symlink loop ends), in sorted order within each directory so that reports
 * and benchmarks see the files in the same order on every machine.
 */
#ifndef GUARDRAIL_INPUTS_H
#define GUARDRAIL_INPUTS_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A growable list of malloc'd paths. */
typedef struct gr_pathlist {
	char **v;
	size_t n, cap;
} gr_pathlist;

/* Append a copy of path; -1 on allocation failure. */
int gr_pathlist_add(gr_pathlist *l, const char *path);
void gr_pathlist_free(gr_pathlist *l);

bool gr_is_manifest_name(const char *name);

/* Append the manifests under dir to out; -1 when dir cannot be opened. */
int gr_list_manifests(const char *dir, gr_pathlist *out);

#ifdef __cplusplus
}
#endif

#endif
