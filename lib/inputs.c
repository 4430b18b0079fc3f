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
#include <pthread.h>
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

/*
 * The walk has two phases. Listing: every directory the walk can reach is
 * read once (by device and inode) and each of its entries looked at, on as
 * many threads as the caller allows: this is all of the walk's system calls
 * (an open, getdents and a stat per entry: 6 ms of the corpus's 1,445 files
 * on one thread, before any file is read). Walking: the listings are walked
 * in name order on the calling thread, with the rules of a walk one
 * directory at a time (a directory entered once, a file taken once, nesting
 * limited), so the files, their order and the problems are the same
 * whatever the number of threads.
 */

typedef struct lentry {
	char *name;
	unsigned char type; /* d_type: DT_UNKNOWN when the file system does not say */
	bool statted;       /* looked at: not a regular file under a name no manifest has */
	int err;            /* errno of the stat (links followed); 0: st holds it */
	bool link;          /* on err: the entry itself is a symbolic link */
	mode_t mode;
	node_id id;
} lentry;

typedef struct listing {
	node_id id;
	int open_err; /* errno opening the directory; 0: opened */
	int read_err; /* errno reading it (the entries read before stay) */
	lentry *e;
	size_t n;
	struct listing *next; /* hash chain */
} listing;

typedef struct job {
	char *path;
	listing *l;
} job;

typedef struct lister {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	listing **buckets; /* by id, 4096 chains */
	job *jobs;
	size_t njobs, capjobs;
	size_t busy; /* threads listing a directory */
	bool oom;
} lister;

#define LBUCKETS 4096

static int cmp_lentry(const void *a, const void *b)
{
	return strcmp(((const lentry *)a)->name, ((const lentry *)b)->name);
}

static listing *find_listing(lister *ls, node_id id)
{
	for (listing *l = ls->buckets[id_hash(id, LBUCKETS)]; l; l = l->next)
		if (l->id.dev == id.dev && l->id.ino == id.ino)
			return l;
	return NULL;
}

/* The directory id found at path (malloc'd, taken over): a listing and a
 * job to fill it, unless one was made already (under ls->mu). */
static void claim_locked(lister *ls, node_id id, char *path)
{
	if (find_listing(ls, id)) {
		free(path);
		return;
	}
	listing *l = calloc(1, sizeof *l);
	char *p = path;
	if (ls->njobs == ls->capjobs) {
		size_t cap = ls->capjobs ? ls->capjobs * 2 : 64;
		job *nj = realloc(ls->jobs, cap * sizeof *nj);
		if (nj) {
			ls->jobs = nj;
			ls->capjobs = cap;
		}
	}
	if (!l || !p || ls->njobs == ls->capjobs) {
		free(l);
		free(p);
		ls->oom = true;
		return;
	}
	l->id = id;
	size_t b = id_hash(id, LBUCKETS);
	l->next = ls->buckets[b];
	ls->buckets[b] = l;
	ls->jobs[ls->njobs++] = (job){p, l};
	pthread_cond_signal(&ls->cv);
}

/* Read the directory at path into l, sorted by name, each entry looked at
 * relative to the directory's descriptor (getdents64, not readdir: that
 * costs an fstat and two fcntl per directory); directories found are
 * claimed for listing. */
static void list_dir(lister *ls, const char *path, listing *l)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		l->open_err = errno;
		return;
	}
	size_t cap = 0;
	bool oom = false;
	_Alignas(8) char buf[16384];
	for (;;) {
		ssize_t got = getdents64(fd, buf, sizeof buf);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			l->read_err = errno;
		if (got <= 0)
			break;
		for (ssize_t off = 0; off < got && !oom;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			off += d->d_reclen;
			if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
				continue;
			if (l->n == cap) {
				size_t nc = cap ? cap * 2 : 32;
				lentry *ne = realloc(l->e, nc * sizeof *ne);
				if (!ne) {
					oom = true;
					break;
				}
				l->e = ne;
				cap = nc;
			}
			lentry *e = &l->e[l->n];
			memset(e, 0, sizeof *e);
			if (!(e->name = strdup(d->d_name))) {
				oom = true;
				break;
			}
			e->type = d->d_type;
			l->n++;
		}
		if (oom)
			break;
	}
	if (l->n)
		qsort(l->e, l->n, sizeof *l->e, cmp_lentry);
	size_t plen = strlen(path);
	const char *sep = plen && path[plen - 1] == '/' ? "" : "/";
	for (size_t i = 0; i < l->n && !oom; i++) {
		lentry *e = &l->e[i];
		if (e->type == DT_REG && !gr_is_manifest_name(e->name))
			continue;
		e->statted = true;
		struct stat st, lst;
		if (fstatat(fd, e->name, &st, 0) != 0) {
			e->err = errno;
			e->link =
			        fstatat(fd, e->name, &lst, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(lst.st_mode);
			continue;
		}
		e->mode = st.st_mode;
		e->id = (node_id){st.st_dev, st.st_ino};
		if (S_ISDIR(st.st_mode)) {
			size_t len = plen + strlen(sep) + strlen(e->name) + 1;
			char *child = malloc(len);
			if (!child) {
				oom = true;
				break;
			}
			snprintf(child, len, "%s%s%s", path, sep, e->name);
			pthread_mutex_lock(&ls->mu);
			claim_locked(ls, e->id, child);
			pthread_mutex_unlock(&ls->mu);
		}
	}
	close(fd);
	if (oom) {
		pthread_mutex_lock(&ls->mu);
		ls->oom = true;
		pthread_mutex_unlock(&ls->mu);
	}
}

/* Take jobs until none is left and no thread can make more. */
static void *lister_run(void *arg)
{
	lister *ls = arg;
	pthread_mutex_lock(&ls->mu);
	for (;;) {
		if (ls->njobs) {
			job j = ls->jobs[--ls->njobs];
			ls->busy++;
			pthread_mutex_unlock(&ls->mu);
			list_dir(ls, j.path, j.l);
			free(j.path);
			pthread_mutex_lock(&ls->mu);
			ls->busy--;
			if (!ls->njobs && !ls->busy)
				pthread_cond_broadcast(&ls->cv);
		} else if (ls->busy) {
			pthread_cond_wait(&ls->cv, &ls->mu);
		} else {
			break;
		}
	}
	pthread_mutex_unlock(&ls->mu);
	return NULL;
}

static void lister_free(lister *ls)
{
	for (size_t b = 0; ls->buckets && b < LBUCKETS; b++)
		for (listing *l = ls->buckets[b], *next; l; l = next) {
			next = l->next;
			for (size_t i = 0; i < l->n; i++)
				free(l->e[i].name);
			free(l->e);
			free(l);
		}
	for (size_t i = 0; i < ls->njobs; i++)
		free(ls->jobs[i].path);
	free(ls->jobs);
	free(ls->buckets);
	pthread_mutex_destroy(&ls->mu);
	pthread_cond_destroy(&ls->cv);
}

/* The directory dir, listed as l: entered unless it was already (a loop,
 * or a second link to it), its entries in name order. */
static void walk(walker *w, lister *ls, const char *dir, node_id id, int depth)
{
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
	listing *l = find_listing(ls, id);
	if (!l) { /* every directory reached was listed, unless memory ran out */
		w->oom = 1;
		return;
	}
	if (l->open_err) {
		/* listed through another link to it, which could not be opened:
		 * opened again by the path this walk reaches it by (what it
		 * finds is listed here, on this thread) */
		l->open_err = 0;
		list_dir(ls, dir, l);
		lister_run(ls);
		if (ls->oom) {
			w->oom = 1;
			return;
		}
	}
	if (l->open_err) {
		note(w, dir, "cannot read directory: %s", strerror(l->open_err));
		return;
	}
	if (l->read_err)
		note(w, dir, "cannot read directory: %s", strerror(l->read_err));
	size_t dlen = strlen(dir);
	const char *sep = dlen && dir[dlen - 1] == '/' ? "" : "/";
	for (size_t i = 0; i < l->n && !w->oom; i++) {
		const lentry *e = &l->e[i];
		if (!e->statted)
			continue; /* a regular file under a name no manifest has */
		size_t len = dlen + strlen(e->name) + 2;
		char *p = malloc(len);
		if (!p) {
			w->oom = 1;
			break;
		}
		snprintf(p, len, "%s%s%s", dir, sep, e->name);
		if (e->err) {
			if (e->link)
				note(w, p,
				     e->err == ENOENT ? "dangling symbolic link%s"
				                      : "cannot follow symbolic link: %s",
				     e->err == ENOENT ? "" : strerror(e->err));
			else
				note(w, p, "cannot read: %s", strerror(e->err));
			free(p);
		} else if (S_ISDIR(e->mode)) {
			walk(w, ls, p, e->id, depth + 1);
			free(p);
		} else if (!gr_is_manifest_name(p)) {
			free(p);
		} else if (!S_ISREG(e->mode)) {
			note(w, p,
			     "not a regular file%s (pipes, sockets and devices are read only when named)",
			     "");
			free(p);
		} else {
			int k = idset_add(&w->seen, e->id);
			if (k < 0 || (k > 0 && push(w->out, p) != 0)) {
				w->oom = 1;
				free(p);
			} else if (k == 0) {
				free(p); /* the same file through another link */
			}                /* else out owns p */
		}
	}
}

int gr_walk_manifests_jobs(const char *dir, gr_pathlist *out, gr_input_problems *problems, unsigned jobs)
{
	walker w = {.out = out, .problems = problems};
	struct stat st;
	size_t before = problems->n;
	if (stat(dir, &st) != 0) {
		note(&w, dir, "cannot read: %s", strerror(errno));
	} else if (!S_ISDIR(st.st_mode)) {
		note(&w, dir, "not a directory%s", "");
	} else {
		lister ls;
		memset(&ls, 0, sizeof ls);
		pthread_mutex_init(&ls.mu, NULL);
		pthread_cond_init(&ls.cv, NULL);
		node_id root = {st.st_dev, st.st_ino};
		ls.buckets = calloc(LBUCKETS, sizeof *ls.buckets);
		char *rootp = strdup(dir);
		if (ls.buckets && rootp)
			claim_locked(&ls, root, rootp); /* no other thread yet */
		else
			free(rootp);
		if (!ls.buckets || !rootp || ls.oom) {
			w.oom = 1;
		} else {
			pthread_t threads[7];
			size_t started = 0;
			for (unsigned i = 1; i < jobs && started < 7; i++)
				if (pthread_create(&threads[started], NULL, lister_run, &ls) == 0)
					started++;
			lister_run(&ls);
			for (size_t i = 0; i < started; i++)
				pthread_join(threads[i], NULL);
			if (ls.oom)
				w.oom = 1;
			else
				walk(&w, &ls, dir, root, 0);
		}
		lister_free(&ls);
	}
	idset_free(&w.seen);
	if (w.oom) {
		errno = ENOMEM;
		return -1;
	}
	return problems->n > before ? -1 : 0;
}

int gr_walk_manifests(const char *dir, gr_pathlist *out, gr_input_problems *problems)
{
	return gr_walk_manifests_jobs(dir, out, problems, 1);
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
