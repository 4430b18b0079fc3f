/* inputs.c — collecting the manifest files of a directory (see inputs.h). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "guardrail/inputs.h"

static int push(gr_pathlist *l, char *owned)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = owned;
	return 0;
}

int gr_pathlist_add(gr_pathlist *l, const char *path)
{
	char *p = strdup(path);
	if (!p || push(l, p)) {
		free(p);
		return -1;
	}
	return 0;
}

void gr_pathlist_free(gr_pathlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

bool gr_is_manifest_name(const char *name)
{
	size_t n = strlen(name);
	return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) || (n > 4 && strcmp(name + n - 4, ".yml") == 0) ||
	       (n > 5 && strcmp(name + n - 5, ".json") == 0);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int walk(const char *dir, gr_pathlist *out, int depth)
{
	if (depth > 64)
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	gr_pathlist names = {0};
	size_t dlen = strlen(dir);
	const char *sep = dlen && dir[dlen - 1] == '/' ? "" : "/";
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		size_t n = dlen + strlen(e->d_name) + 2;
		char *p = malloc(n);
		if (!p || push(&names, p)) {
			free(p);
			break;
		}
		snprintf(p, n, "%s%s%s", dir, sep, e->d_name);
	}
	closedir(d);
	if (names.n) /* an empty folder: no array to sort (qsort(NULL) is undefined) */
		qsort(names.v, names.n, sizeof *names.v, cmp_str);
	for (size_t i = 0; i < names.n; i++) {
		struct stat st;
		char *p = names.v[i];
		if (stat(p, &st) != 0) {
			free(p);
		} else if (S_ISDIR(st.st_mode)) {
			walk(p, out, depth + 1);
			free(p);
		} else if (!S_ISREG(st.st_mode) || !gr_is_manifest_name(p) || push(out, p) != 0) {
			free(p);
		} /* else out owns p */
	}
	free(names.v);
	return 0;
}

int gr_list_manifests(const char *dir, gr_pathlist *out) { return walk(dir, out, 0); }
