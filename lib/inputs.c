/*
 * inputs.c — collecting the manifest files of a directory (see inputs.h).
 *
 * The walk follows symbolic links (a linked folder of manifests is checked)
 * and remembers every directory and file it has taken by (device, inode):
 * a link back to an ancestor, a link to `.`, or two links to one file cost
 * nothing and count once. Whatever the walk cannot look at is a problem
 * handed back to the caller, never a silent skip: an unreadable directory, a
 * dangling link, a special file with a manifest name, nesting past the limit.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guardrail/inputs.h"

#define MAX_DEPTH 64

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

void gr_input_problems_free(gr_input_problems *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].path);
		free(p->v[i].message);
	}
	free(p->v);
	memset(p, 0, sizeof *p);
}

static int problem(gr_input_problems *p, const char *path, const char *fmt, const char *detail)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		gr_input_problem *v = realloc(p->v, cap * sizeof *v);
		if (!v)
			return -1;
		p->v = v;
		p->cap = cap;
	}
	char msg[512];
	snprintf(msg, sizeof msg, fmt, detail);
	char *dp = strdup(path), *dm = strdup(msg);
	if (!dp || !dm) {
		free(dp);
		free(dm);
		return -1;
	}
	p->v[p->n].path = dp;
	p->v[p->n].message = dm;
	p->n++;
	return 0;
}

bool gr_is_manifest_name(const char *name)
{
	size_t n = strlen(name);
	return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
	       (n > 4 && strcmp(name + n - 4, ".yml") == 0) || (n > 5 && strcmp(name + n - 5, ".json") == 0);
}

/* ---- a set of (device, inode) pairs: open addressing, grown at half full ---- */

typedef struct node_id {
	dev_t dev;
	ino_t ino;
} node_id;

typedef struct idset {
	node_id *v;
	unsigned char *used;
	size_t n, cap;
} idset;

static size_t id_hash(node_id id, size_t cap)
{
	uint64_t h = (uint64_t)id.ino * 0x9e3779b97f4a7c15ull ^ (uint64_t)id.dev * 0xc2b2ae3d27d4eb4full;
	h ^= h >> 29;
	return (size_t)(h & (cap - 1));
}

/* 1 when added, 0 when already present, -1 on allocation failure. */
static int idset_add(idset *s, node_id id)
{
	if (2 * (s->n + 1) > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		node_id *v = calloc(cap, sizeof *v);
		unsigned char *used = calloc(cap, 1);
		if (!v || !used) {
			free(v);
			free(used);
			return -1;
		}
		for (size_t i = 0; i < s->cap; i++)
			if (s->used[i]) {
				size_t j = id_hash(s->v[i], cap);
				while (used[j])
					j = (j + 1) & (cap - 1);
				used[j] = 1;
				v[j] = s->v[i];
			}
		free(s->v);
		free(s->used);
		s->v = v;
		s->used = used;
		s->cap = cap;
	}
	size_t j = id_hash(id, s->cap);
	while (s->used[j]) {
		if (s->v[j].dev == id.dev && s->v[j].ino == id.ino)
			return 0;
		j = (j + 1) & (s->cap - 1);
	}
	s->used[j] = 1;
	s->v[j] = id;
	s->n++;
	return 1;
}

static void idset_free(idset *s)
{
	free(s->v);
	free(s->used);
}

/* ---- the walk ---- */

typedef struct walker {
	gr_pathlist *out;
	gr_input_problems *problems;
	idset seen; /* directories entered and files taken */
	int oom;
} walker;

static void note(walker *w, const char *path, const char *fmt, const char *detail)
{
	if (problem(w->problems, path, fmt, detail))
		w->oom = 1;
}

typedef struct entry {
	char *name;
	unsigned char type; /* d_type: DT_UNKNOWN when the file system does not say */
} entry;

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const entry *)a)->name, ((const entry *)b)->name);
}

/* The directory dir (opened at name relative to the open directory parent,
 * or at dir itself when parent is -1), whose stat is dst. Its entries are
 * looked at relative to its descriptor (no path walked again per entry),
 * in name order; a regular file the directory lists under a name that is
 * no manifest's is passed over without a stat. */
static void walk(walker *w, int parent, const char *name, const char *dir, const struct stat *dst, int depth)
{
	node_id id = {dst->st_dev, dst->st_ino};
	int fresh = idset_add(&w->seen, id);
	if (fresh < 0) {
		w->oom = 1;
		return;
	}
	if (fresh == 0)
		return; /* entered already: a loop, or a second link to it */
	if (depth > MAX_DEPTH) {
		note(w, dir, "directories nested deeper than %s levels", "64");
		return;
	}
	int fd = parent < 0 ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
	                    : openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		note(w, dir, "cannot read directory: %s", strerror(errno));
		return;
	}
	/* getdents64 on the descriptor, not fdopendir and readdir: those cost
	 * an fstat and two fcntl per directory (the corpus has 400 of them) */
	entry *names = NULL;
	size_t n = 0, cap = 0;
	_Alignas(8) char buf[16384];
	for (;;) {
		ssize_t got = getdents64(fd, buf, sizeof buf);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			note(w, dir, "cannot read directory: %s", strerror(errno));
			break;
		}
		if (got == 0)
			break;
		for (ssize_t off = 0; off < got && !w->oom;) {
			struct dirent64 *e = (struct dirent64 *)(buf + off);
			off += e->d_reclen;
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 32;
				entry *nv = realloc(names, nc * sizeof *nv);
				if (!nv) {
					w->oom = 1;
					break;
				}
				names = nv;
				cap = nc;
			}
			if (!(names[n].name = strdup(e->d_name))) {
				w->oom = 1;
				break;
			}
			names[n++].type = e->d_type;
		}
		if (w->oom)
			break;
	}
	if (n)
		qsort(names, n, sizeof *names, cmp_entry);
	size_t dlen = strlen(dir);
	const char *sep = dlen && dir[dlen - 1] == '/' ? "" : "/";
	for (size_t i = 0; i < n && !w->oom; i++) {
		struct stat st, lst;
		const char *base = names[i].name;
		size_t len = dlen + strlen(base) + 2;
		char *p = malloc(len);
		if (!p) {
			w->oom = 1;
			break;
		}
		snprintf(p, len, "%s%s%s", dir, sep, base);
		if (names[i].type == DT_REG && !gr_is_manifest_name(p)) {
			free(p);
		} else if (fstatat(fd, base, &st, 0) != 0) {
			int e1 = errno;
			if (fstatat(fd, base, &lst, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(lst.st_mode))
				note(w, p,
				     e1 == ENOENT ? "dangling symbolic link%s"
				                  : "cannot follow symbolic link: %s",
				     e1 == ENOENT ? "" : strerror(e1));
			else
				note(w, p, "cannot read: %s", strerror(e1));
			free(p);
		} else if (S_ISDIR(st.st_mode)) {
			walk(w, fd, base, p, &st, depth + 1);
			free(p);
		} else if (!gr_is_manifest_name(p)) {
			free(p);
		} else if (!S_ISREG(st.st_mode)) {
			note(w, p,
			     "not a regular file%s (pipes, sockets and devices are read only when named)",
			     "");
			free(p);
		} else {
			int k = idset_add(&w->seen, (node_id){st.st_dev, st.st_ino});
			if (k < 0 || (k > 0 && push(w->out, p) != 0)) {
				w->oom = 1;
				free(p);
			} else if (k == 0) {
				free(p); /* the same file through another link */
			}                /* else out owns p */
		}
	}
	close(fd);
	for (size_t i = 0; i < n; i++)
		free(names[i].name);
	free(names);
}

int gr_walk_manifests(const char *dir, gr_pathlist *out, gr_input_problems *problems)
{
	walker w = {.out = out, .problems = problems};
	struct stat st;
	size_t before = problems->n;
	if (stat(dir, &st) != 0)
		note(&w, dir, "cannot read: %s", strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		note(&w, dir, "not a directory%s", "");
	else
		walk(&w, -1, dir, dir, &st, 0);
	idset_free(&w.seen);
	if (w.oom) {
		errno = ENOMEM;
		return -1;
	}
	return problems->n > before ? -1 : 0;
}

int gr_list_manifests(const char *dir, gr_pathlist *out)
{
	gr_input_problems p = {0};
	int rc = gr_walk_manifests(dir, out, &p);
	if (rc && errno != ENOMEM)
		errno = EIO;
	gr_input_problems_free(&p);
	return rc;
}
