/* input_filter.h — what `guardrail check` does to its paths before the
 * session reads them: --ignore-paths globs and --kustomize rendering. */
#ifndef GUARDRAIL_INPUT_FILTER_H
#define GUARDRAIL_INPUT_FILTER_H

#include <stdbool.h>
#include <stddef.h>

/* Does path match one of the globs? A glob is matched segment by segment
 * ('*', '?', '[...]' within a segment, '**' any number of segments, as
 * kube-linter's doublestar patterns), against the path as given (without
 * leading "./") and against both made absolute from the working
 * directory. */
bool input_path_ignored(const char *const *globs, size_t n, const char *path);

/* Does dir hold a kustomization (kustomization.yaml, kustomization.yml or
 * Kustomization)? */
bool input_is_kustomization(const char *dir);

/* The topmost directory between base (a directory argument) and file's
 * own directory that holds a kustomization, written to out; false when
 * there is none. */
bool input_kustomize_root(const char *base, const char *file, char *out, size_t cap);

/* `kubectl kustomize DIR`: its standard output in a malloc'd buffer
 * (bounded like any input); its standard error goes to ours. 0, or -1 with
 * a message in why. */
int input_kustomize_render(const char *dir, char **out, size_t *len, char *why, size_t cap);

#endif
