/*
 * inputs.h — which files a directory contributes as manifests.
 *
 * `*.yaml`, `*.yml` and `*.json`, found recursively through symbolic links,
 * in sorted order within each directory so that reports and benchmarks see
 * the files in the same order on every machine. Each directory is entered
 * and each file taken once, by (device, inode): symlink loops end at once
 * and a file reached by two links counts once. What cannot be walked is a
 * problem for the caller to report (and fail on), never skipped.
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

/* Something under a directory that could not be walked: the path and why
 * ("cannot read directory: Permission denied", "dangling symbolic link",
 * "not a regular file ...", "directories nested deeper than 64 levels"). */
typedef struct gr_input_problem {
	char *path, *message;
} gr_input_problem;

typedef struct gr_input_problems {
	gr_input_problem *v;
	size_t n, cap;
} gr_input_problems;

void gr_input_problems_free(gr_input_problems *p);

/* Append the manifests under dir to out and every problem met to problems
 * (the walk goes on past a problem). Returns 0 when there was none, -1 when
 * problems were added or (errno ENOMEM) an allocation failed. */
int gr_walk_manifests(const char *dir, gr_pathlist *out, gr_input_problems *problems);
/* The same, the directories read on up to `jobs` threads (at most 8): the
 * files, their order and the problems do not depend on it. */
int gr_walk_manifests_jobs(const char *dir, gr_pathlist *out, gr_input_problems *problems, unsigned jobs);

/* The same without the details: -1 on any problem (errno ENOMEM, or EIO). */
int gr_list_manifests(const char *dir, gr_pathlist *out);

#ifdef __cplusplus
}
#endif

#endif
