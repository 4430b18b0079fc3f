/*
 * registry.c — the compiled schemas of one Kubernetes version, by GVK.
 *
 * Group-version documents are loaded lazily: the first object of a
 * group-version makes the registry read `api/<v>.json` or
 * `apis/<group>/<v>.json`, lay the matching patch over it, prune it and
 * compile its kinds' components. When the pruned document came from the
 * schema cache, only the kind asked for is compiled: the others are
 * published uncompiled and the cached bytes kept, and the first of them
 * asked for decodes the bytes again and compiles them all (seeded with the
 * components already compiled), so a check of one Service does not compile
 * every kind of core/v1 (-22% of a one-file check's instructions) and a
 * run that uses two kinds of a group-version compiles what it did before.
 * One mutex guards the tables, never held while a document is read,
 * decoded or compiled: a group-version loads into its own arena and its
 * kinds are published under the lock when it is done (a thread wanting the
 * same group-version meanwhile waits for that; one compiling its pending
 * kinds, likewise). Nodes are immutable once published, so validation runs
 * outside the lock.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../doccache.h"
#include "../internal.h"
#include "../pipeline.h"
#include "guardrail/decode.h"
#include "guardrail/inputs.h"
#include "guardrail/schema.h"
#include "registry_int.h"

#define NBUCKETS 1024

/* One string of a GVK, with a separator mixed in after it. */
static uint64_t hash_str(uint64_t h, const char *s)
{
	return gr_hash_bytes(h, s, strlen(s)) * 31 + 0xff;
}

static size_t gvk_bucket(const char *g, const char *v, const char *k)
{
	return (size_t)(hash_str(hash_str(hash_str(GR_HASH_SEED, g), v), k) % NBUCKETS);
}

static bool is_version_name(const char *s)
{
	int dots = 0;
	if (!isdigit((unsigned char)*s))
		return false;
	for (; *s; s++) {
		if (*s == '.')
			dots++;
		else if (!isdigit((unsigned char)*s))
			return false;
	}
	return dots == 1;
}

static int version_cmp(const char *a, const char *b)
{
	unsigned am = 0, an = 0, bm = 0, bn = 0;
	sscanf(a, "%u.%u", &am, &an);
	sscanf(b, "%u.%u", &bm, &bn);
	if (am != bm)
		return am < bm ? -1 : 1;
	return an < bn ? -1 : an > bn;
}

/* Every patch file must decode before any is used: a malformed patch is an
 * error naming the file (FILE:LINE:COL), never a patch silently not laid
 * over its document, whichever group-versions the inputs touch. */
static int check_patches(const char *dir, gr_error *err)
{
	gr_pathlist files = {0};
	gr_input_problems problems = {0};
	int rc = 0;
	if (gr_walk_manifests(dir, &files, &problems)) {
		if (problems.n)
			rc = gr_error_set(err, 0, 0, "schema patches %.300s: %.150s", problems.v[0].path,
			                  problems.v[0].message);
		else
			rc = gr_error_set(err, 0, 0, "schema patches %.300s: out of memory", dir);
	}
	for (size_t i = 0; i < files.n && rc == 0; i++) {
		size_t n = strlen(files.v[i]);
		if (n < 5 || strcmp(files.v[i] + n - 5, ".json") != 0)
			continue;
		char *data;
		size_t len;
		gr_error e;
		gr_error_clear(&e);
		if (gr_read_file(files.v[i], 0, &data, &len, &e) != 0) {
			rc = gr_error_set(err, 0, 0, "%.300s: %.150s", files.v[i], e.message);
			break;
		}
		gr_arena a;
		gr_arena_init(&a);
		gr_value v;
		if (gr_decode_json(&a, data, len, NULL, &v, &e) != 0)
			rc = gr_error_set(err, 0, 0, "%.300s:%u:%u: %.150s", files.v[i], e.line, e.column,
			                  e.message);
		else if (v.type != GR_OBJECT)
			rc = gr_error_set(err, 0, 0, "%.300s:%u:%u: a schema patch is a JSON object",
			                  files.v[i], v.line, v.column);
		if (rc)
			gr_error_set_file(err, files.v[i]);
		gr_arena_free(&a);
		free(data);
	}
	gr_input_problems_free(&problems);
	gr_pathlist_free(&files);
	return rc;
}

int gr_schema_registry_open(gr_schema_registry **out, const char *schema_dir, const char *version,
                            const char *patches_dir, gr_error *err)
{
	*out = NULL;
	if (!schema_dir || !*schema_dir)
		return gr_error_set(err, 0, 0, "no schema directory given (the schema-dir option)");
	DIR *d = opendir(schema_dir);
	if (!d)
		return gr_error_set(err, 0, 0, "schema directory %s: %s", schema_dir, strerror(errno));
	char newest[32] = "", present[512] = "";
	bool have = false;
	struct dirent *e;
	/* collect names sorted for the error message */
	char names[64][32];
	int nn = 0;
	while ((e = readdir(d)) != NULL) {
		if (!is_version_name(e->d_name) || strlen(e->d_name) >= 32)
			continue;
		if (version && strcmp(version, e->d_name) == 0)
			have = true;
		if (!newest[0] || version_cmp(e->d_name, newest) > 0)
			snprintf(newest, sizeof newest, "%s", e->d_name);
		if (nn < 64)
			snprintf(names[nn++], 32, "%s", e->d_name);
	}
	closedir(d);
	if (!newest[0])
		return gr_error_set(err, 0, 0,
		                    "schema directory %s holds no Kubernetes version (X.Y folders)",
		                    schema_dir);
	if (version && !have) {
		for (int i = 0; i < nn; i++)
			for (int j = i + 1; j < nn; j++)
				if (version_cmp(names[j], names[i]) < 0) {
					char t[32];
					memcpy(t, names[i], 32);
					memcpy(names[i], names[j], 32);
					memcpy(names[j], t, 32);
				}
		for (int i = 0; i < nn; i++) {
			if (i)
				strncat(present, ", ", sizeof present - strlen(present) - 1);
			strncat(present, names[i], sizeof present - strlen(present) - 1);
		}
		return gr_error_set(err, 0, 0, "no schemas for Kubernetes %s in %s (present: %s)", version,
		                    schema_dir, present);
	}
	gr_schema_registry *r = calloc(1, sizeof *r);
	if (!r)
		return gr_error_set(err, 0, 0, "out of memory");
	gr_arena_init(&r->arena);
	gr_arena_init(&r->pat_arena);
	gr_arena_init(&r->docs);
	pthread_mutex_init(&r->mu, NULL);
	pthread_mutex_init(&r->pat_mu, NULL);
	pthread_cond_init(&r->loaded, NULL);
	snprintf(r->version, sizeof r->version, "%s", version ? version : newest);
	r->dir = malloc(strlen(schema_dir) + strlen(r->version) + 2);
	r->buckets = calloc(NBUCKETS, sizeof *r->buckets);
	if (!r->dir || !r->buckets) {
		gr_schema_registry_free(r);
		return gr_error_set(err, 0, 0, "out of memory");
	}
	sprintf(r->dir, "%s/%s", schema_dir, r->version);
	if (patches_dir) {
		struct stat st;
		if (stat(patches_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
			gr_schema_registry_free(r);
			return gr_error_set(err, 0, 0, "schema patches %s: not a directory", patches_dir);
		}
		r->patches = strdup(patches_dir);
		if (!r->patches || check_patches(patches_dir, err)) {
			if (!r->patches)
				gr_error_set(err, 0, 0, "out of memory");
			gr_schema_registry_free(r);
			return -1;
		}
	}
	*out = r;
	return 0;
}

int gr_schema_registry_overlay(gr_schema_registry **out, gr_schema_registry *parent, gr_error *err)
{
	*out = NULL;
	gr_schema_registry *r = calloc(1, sizeof *r);
	if (!r)
		return gr_error_set(err, 0, 0, "out of memory");
	gr_arena_init(&r->arena);
	gr_arena_init(&r->pat_arena);
	gr_arena_init(&r->docs);
	pthread_mutex_init(&r->mu, NULL);
	pthread_mutex_init(&r->pat_mu, NULL);
	pthread_cond_init(&r->loaded, NULL);
	r->parent = parent;
	memcpy(r->version, parent->version, sizeof r->version);
	r->dir = strdup(parent->dir);
	r->patches = parent->patches ? strdup(parent->patches) : NULL;
	r->server_patches = parent->server_patches;
	r->buckets = calloc(NBUCKETS, sizeof *r->buckets);
	if (!r->dir || !r->buckets || (parent->patches && !r->patches)) {
		gr_schema_registry_free(r);
		return gr_error_set(err, 0, 0, "out of memory");
	}
	*out = r;
	return 0;
}

void gr_schema_registry_free(gr_schema_registry *r)
{
	if (!r)
		return;
	pthread_mutex_destroy(&r->mu);
	pthread_mutex_destroy(&r->pat_mu);
	pthread_cond_destroy(&r->loaded);
	for (size_t b = 0; r->buckets && b < NBUCKETS; b++)
		for (kind_entry *e = r->buckets[b]; e; e = e->next) {
			gr_schema_cel_free_all(e->cels);
			gr_arena_free(&e->arena);
		}
	gv_entry *g = r->gvs;
	while (g) {
		gv_entry *next = g->next;
		free(g->pending);
		gr_sregex_free_all(g->regexes);
		gr_arena_free(&g->arena);
		free(g);
		g = next;
	}
	gr_sregex_free_all(r->regexes);
	gr_schema_cel_free_all(r->cels);
	free(r->buckets);
	free(r->wanted);
	free(r->dir);
	free(r->patches);
	free(r->cache);
	gr_arena_free(&r->pat_arena);
	gr_arena_free(&r->docs);
	gr_arena_free(&r->arena);
	free(r);
}

const sregex *gri_registry_pattern(gr_schema_registry *r, const char *pat, size_t len)
{
	pthread_mutex_lock(&r->pat_mu);
	const sregex *re = gr_pattern_get(&r->regexes, &r->pat_arena, pat, len);
	pthread_mutex_unlock(&r->pat_mu);
	return re;
}

int gr_schema_registry_set_cache(gr_schema_registry *r, const char *dir, gr_error *err)
{
	char *d = dir && *dir ? strdup(dir) : NULL;
	if (dir && *dir && !d)
		return gr_error_set(err, 0, 0, "out of memory");
	free(r->cache);
	r->cache = d;
	return 0;
}

void gri_schema_registry_server_patches(gr_schema_registry *r, bool on)
{
	r->server_patches = on;
}

const char *gr_schema_registry_version(const gr_schema_registry *r)
{
	return r->version;
}

kind_entry *gr_registry_find_locked(gr_schema_registry *r, const char *g, const char *v, const char *k)
{
	for (kind_entry *e = r->buckets[gvk_bucket(g, v, k)]; e; e = e->next)
		if (strcmp(e->kind, k) == 0 && strcmp(e->version, v) == 0 && strcmp(e->group, g) == 0)
			return e;
	return NULL;
}

kind_entry *gr_registry_add_locked(gr_schema_registry *r, const char *g, const char *v, const char *k,
                                   const snode *root, bool namespaced, bool crd)
{
	kind_entry *e = gr_registry_find_locked(r, g, v, k);
	if (e)
		return e; /* first definition wins */
	e = gr_arena_calloc(&r->arena, 1, sizeof *e);
	if (!e)
		return NULL;
	e->group = gr_arena_strdup(&r->arena, g);
	e->version = gr_arena_strdup(&r->arena, v);
	e->kind = gr_arena_strdup(&r->arena, k);
	if (!e->group || !e->version || !e->kind)
		return NULL;
	e->root = root;
	e->namespaced = namespaced;
	e->crd = crd;
	size_t b = gvk_bucket(g, v, k);
	e->next = r->buckets[b];
	/* published whole: lookups read the buckets without the lock */
	__atomic_store_n(&r->buckets[b], e, __ATOMIC_RELEASE);
	return e;
}

void gr_registry_gv_relpath(char *out, size_t cap, const char *group, const char *version)
{
	if (*group)
		snprintf(out, cap, "apis/%s/%s.json", group, version);
	else
		snprintf(out, cap, "api/%s.json", version);
}

bool gr_registry_builtin_gv_exists(gr_schema_registry *r, const char *group, const char *version)
{
	char rel[PATH_MAX], full[PATH_MAX + 64];
	if (strchr(group, '/') || strchr(version, '/') || strstr(group, ".."))
		return false;
	gr_registry_gv_relpath(rel, sizeof rel, group, version);
	snprintf(full, sizeof full, "%s/%s", r->dir, rel);
	struct stat st;
	return stat(full, &st) == 0 && S_ISREG(st.st_mode);
}

/* The (group, version, kind) of every operation the document serves under
 * /namespaces/{namespace}/, gathered once per document (a search of every
 * path per kind cost more than compiling the kind). */
typedef struct ns_gvk {
	const char *g, *v, *k;
} ns_gvk;

static ns_gvk *namespaced_gvks(const gr_value *paths, size_t *n)
{
	*n = 0;
	if (!paths || paths->type != GR_OBJECT)
		return NULL;
	ns_gvk *out = NULL;
	size_t cap = 0;
	for (size_t i = 0; i < paths->u.o.len; i++) {
		const gr_member *pm = &paths->u.o.members[i];
		if (!strstr(pm->key, "/namespaces/{namespace}/"))
			continue;
		const gr_value *ops = &pm->value;
		if (ops->type != GR_OBJECT)
			continue;
		for (size_t j = 0; j < ops->u.o.len; j++) {
			const gr_value *gvk =
			        gr_get(&ops->u.o.members[j].value, "x-kubernetes-group-version-kind");
			const char *kk = gr_get_str(gvk, "kind");
			const char *gg = gr_get_str(gvk, "group");
			const char *vv = gr_get_str(gvk, "version");
			if (!kk || !gg || !vv)
				continue;
			if (*n == cap) {
				size_t nc = cap ? cap * 2 : 64;
				ns_gvk *t = realloc(out, nc * sizeof *t);
				if (!t) {
					free(out);
					*n = (size_t)-1; /* out of memory: the load fails */
					return NULL;
				}
				out = t;
				cap = nc;
			}
			out[(*n)++] = (ns_gvk){gg, vv, kk};
		}
	}
	return out;
}

/* Kinds of this document served under /namespaces/{namespace}/. */
static bool path_is_namespaced(const ns_gvk *ns, size_t n, const char *g, const char *v, const char *k)
{
	for (size_t i = 0; i < n; i++)
		if (ns[i].k[0] == k[0] && strcmp(ns[i].k, k) == 0 && strcmp(ns[i].g, g) == 0 &&
		    strcmp(ns[i].v, v) == 0)
			return true;
	return false;
}

/* A kind a load compiled, published under the lock when the load is done. */
typedef struct loaded_kind {
	const char *g, *v, *k; /* in the decoded document (valid until the load ends) */
	const snode *root;     /* in gv->arena; NULL: pending (compiled on its first lookup) */
	bool namespaced;
	const gr_member *component; /* in the decoded document */
	size_t component_index;     /* its place in components.schemas */
} loaded_kind;

/* A component a load compiled, for the compile of the kinds it left
 * pending (the same document decoded again). */
typedef struct gv_seed {
	const char *name;
	size_t len;
	const snode *node;
} gv_seed;

typedef struct seed_list {
	gr_arena *a;
	gv_seed *v;
	size_t n, cap;
	bool failed;
} seed_list;

static void add_seed(void *user, const char *name, size_t len, const snode *node)
{
	seed_list *l = user;
	if (l->failed || l->n == l->cap)
		return; /* counted first: cap is every compiled component */
	const char *copy = gr_arena_strndup(l->a, name, len);
	if (!copy) {
		l->failed = true;
		return;
	}
	l->v[l->n++] = (gv_seed){copy, len, node};
}

static void count_seed(void *user, const char *name, size_t len, const snode *node)
{
	(void)name, (void)len, (void)node;
	(*(size_t *)user)++;
}

/* Publish the kinds of a finished load; caller holds the lock. false when
 * memory ran out for one: the group-version's error then says so, since a
 * kind left out would read as a kind without a schema (schema.missing)
 * rather than as a failure. */
static bool publish_locked(gr_schema_registry *r, gv_entry *gv, const loaded_kind *kinds, size_t n)
{
	bool ok = true;
	for (size_t i = 0; i < n; i++) {
		kind_entry *e = gr_registry_add_locked(r, kinds[i].g, kinds[i].v, kinds[i].k, kinds[i].root,
		                                       kinds[i].namespaced, false);
		if (!e)
			ok = false;
		if (e && !kinds[i].root) {
			e->gv = gv;
			e->component = gr_arena_strndup(&r->arena, kinds[i].component->key,
			                                kinds[i].component->key_len);
			e->component_index = kinds[i].component_index;
			if (!e->component)
				e->failed = true; /* out of memory: its lookups say so */
		}
	}
	return ok;
}

/*
 * Load one built-in group-version WITHOUT the registry's lock: reading,
 * decoding, patching and compiling use only the registry's immutable fields
 * (dir, patches, cache) and the gv's own arena and pattern list; the kinds
 * are published under the lock at the end (publish_locked). Only the thread
 * that created the gv entry loads it; others wait for it (gr_registry_lookup).
 */
static int load_gv(gr_schema_registry *r, gv_entry *gv, const char *group, const char *version,
                   const char *want)
{
	char rel[PATH_MAX], full[PATH_MAX + 64];
	gr_registry_gv_relpath(rel, sizeof rel, group, version);
	snprintf(full, sizeof full, "%s/%s", r->dir, rel);
	char *data = NULL;
	size_t len = 0;
	gr_error e;
	gr_error_clear(&e);
	struct stat st;
	if (stat(full, &st) != 0 && errno == ENOENT)
		return -1; /* no such group-version: its kinds have no schema */
	char pfull[PATH_MAX + 64];
	const char *sources[2] = {full, NULL};
	if (r->patches) {
		snprintf(pfull, sizeof pfull, "%s/%s", r->patches, rel);
		if (stat(pfull, &st) == 0 || errno != ENOENT)
			sources[1] = pfull;
	}
	gr_arena tmp;
	gr_arena_init(&tmp);
	gr_value doc;
	gv->error[0] = '\0';
	/* The pruned document (doccache.h) is what gets compiled, from the cache
	 * or made now, so a cache hit and a miss compile the same thing. */
	/* the cached bytes are kept for the kinds not compiled now */
	unsigned char *blob = NULL;
	size_t blob_len = 0;
	if (!gri_doccache_get_blob(r->cache, &tmp, sources, 2, &doc, &blob, &blob_len)) {
		if (gr_read_file(full, 0, &data, &len, &e) != 0) {
			snprintf(gv->error, sizeof gv->error, "%.300s: %.150s", full, e.message);
			gr_arena_free(&tmp);
			return -1;
		}
		int rc = gr_decode_json(&tmp, data, len, NULL, &doc, &e);
		free(data);
		if (rc != 0) {
			snprintf(gv->error, sizeof gv->error, "%.300s:%u:%u: %.150s", full, e.line, e.column,
			         e.message);
			gr_arena_free(&tmp);
			return -1;
		}
		if (sources[1]) {
			/* a patch that cannot be applied fails the group-version:
			 * the unpatched document is not what the user asked for */
			if (gr_read_file(pfull, 0, &data, &len, &e) != 0) {
				snprintf(gv->error, sizeof gv->error, "%.300s: %.150s", pfull, e.message);
				gr_arena_free(&tmp);
				return -1;
			}
			gr_value patch;
			rc = gr_decode_json(&tmp, data, len, NULL, &patch, &e);
			free(data);
			if (rc != 0) {
				snprintf(gv->error, sizeof gv->error, "%.300s:%u:%u: %.150s", pfull, e.line,
				         e.column, e.message);
				gr_arena_free(&tmp);
				return -1;
			}
			doc = gr_json_merge_patch(&tmp, &doc, &patch);
		}
		doc = gri_openapi_prune(&tmp, &doc);
		gri_doccache_put(r->cache, sources, 2, &doc);
	}
	/* after the cache: a cached document is the published one (plus --schema-patches) */
	if (r->server_patches)
		doc = gri_schema_server_patch(&tmp, rel, &doc);
	const gr_value *comps = gr_get_path(&doc, "components", "schemas", NULL);
	const gr_value *paths = gr_get(&doc, "paths");
	scompiler *c = gr_scompiler_new(&gv->arena, comps, true);
	if (c)
		gr_scompiler_set_regex_list(c, &gv->regexes);
	loaded_kind *kinds = NULL;
	size_t nkinds = 0, capkinds = 0, npending = 0;
	size_t nns;
	ns_gvk *ns = namespaced_gvks(paths, &nns);
	bool failed = !c || !comps || comps->type != GR_OBJECT || nns == (size_t)-1;
	if (nns == (size_t)-1)
		nns = 0;
	if (c && comps && comps->type == GR_OBJECT) {
		for (size_t i = 0; i < comps->u.o.len; i++) {
			const gr_member *m = &comps->u.o.members[i];
			const gr_value *gvks = gr_get(&m->value, "x-kubernetes-group-version-kind");
			if (!gvks || gvks->type != GR_ARRAY)
				continue;
			for (size_t j = 0; j < gvks->u.a.len; j++) {
				const gr_value *x = &gvks->u.a.items[j];
				const char *g = gr_get_str(x, "group"), *v = gr_get_str(x, "version"),
				           *k = gr_get_str(x, "kind");
				if (!g || !v || !k || strcmp(g, group) != 0 || strcmp(v, version) != 0)
					continue;
				const snode *root = NULL;
				if (!blob || strcmp(k, want) == 0) { /* no bytes to compile from later */
					root = gr_scompile_component(c, m->key, m->key_len);
					if (!root || gr_scompiler_failed(c)) {
						failed = true;
						continue;
					}
				} else {
					npending++;
				}
				if (nkinds == capkinds) {
					size_t cap = capkinds ? capkinds * 2 : 16;
					loaded_kind *nk = realloc(kinds, cap * sizeof *nk);
					if (!nk) {
						failed = true;
						continue;
					}
					kinds = nk;
					capkinds = cap;
				}
				kinds[nkinds++] = (loaded_kind){
				        g, v, k, root, path_is_namespaced(ns, nns, g, v, k), m, i};
			}
		}
	}
	if (failed) /* kinds published anyway; lookups see the error first */
		snprintf(gv->error, sizeof gv->error, "%.300s: %s", full,
		         !comps || comps->type != GR_OBJECT ? "no components.schemas object"
		                                            : "out of memory compiling the schemas");
	free(ns);
	seed_list seeds = {.a = &gv->arena};
	if (c && !failed && npending && blob) {
		gr_scompiler_each_component(c, count_seed, &seeds.cap);
		seeds.v = seeds.cap ? gr_arena_alloc(&gv->arena, seeds.cap * sizeof *seeds.v) : NULL;
		if (seeds.cap && !seeds.v)
			seeds.failed = true;
		else
			gr_scompiler_each_component(c, add_seed, &seeds);
		if (seeds.failed)
			seeds.n = 0; /* compiled twice rather than not at all */
	}
	gr_scompiler_free(c);
	if (failed || !npending) {
		size_t kept = 0; /* the load failed: no kind waits for a compile */
		for (size_t i = 0; i < nkinds; i++)
			if (kinds[i].root)
				kinds[kept++] = kinds[i];
		nkinds = kept;
		free(blob);
		blob = NULL;
	}
	pthread_mutex_lock(&r->mu);
	if (!publish_locked(r, gv, kinds, nkinds)) {
		snprintf(gv->error, sizeof gv->error, "%.300s: out of memory compiling the schemas", full);
		failed = true;
	}
	gv->pending = blob;
	gv->pending_len = blob_len;
	gv->seeds = seeds.v;
	gv->nseeds = seeds.n;
	pthread_mutex_unlock(&r->mu);
	free(kinds);
	gr_arena_free(&tmp);
	return failed ? -1 : 0;
}

static int by_component(const void *a, const void *b)
{
	size_t x = (*(kind_entry *const *)a)->component_index, y = (*(kind_entry *const *)b)->component_index;
	return x < y ? -1 : x > y;
}

/* Compile every kind of gv its load left pending: listed under the lock
 * (held on entry and on return), compiled without it from the document's
 * bytes decoded again (the caller set gv->compiling, so no other thread
 * touches gv's arena meanwhile), published under it, in the document's
 * order as a load compiles them. A kind that cannot be compiled (memory
 * ran out) is marked failed: its lookups say so. */
static void compile_pending(gr_schema_registry *r, gv_entry *gv)
{
	size_t n = 0, k = 0;
	for (size_t b = 0; b < NBUCKETS; b++)
		for (kind_entry *e = r->buckets[b]; e; e = e->next)
			n += e->gv == gv && !e->root && !e->failed;
	kind_entry **todo = n ? calloc(n, sizeof *todo) : NULL;
	const snode **roots = n ? calloc(n, sizeof *roots) : NULL;
	for (size_t b = 0; todo && roots && b < NBUCKETS; b++)
		for (kind_entry *e = r->buckets[b]; e; e = e->next)
			if (e->gv == gv && !e->root && !e->failed)
				todo[k++] = e;
	if (k > 1)
		qsort(todo, k, sizeof *todo, by_component);
	unsigned char *blob = gv->pending;
	size_t blob_len = gv->pending_len;
	pthread_mutex_unlock(&r->mu);
	gr_arena tmp;
	gr_arena_init(&tmp);
	gr_value doc;
	if (k && gri_blob_decode(&tmp, blob, blob_len, &doc) == 0) {
		char rel[PATH_MAX];
		gr_registry_gv_relpath(rel, sizeof rel, gv->group, gv->version);
		if (r->server_patches)
			doc = gri_schema_server_patch(&tmp, rel, &doc);
		const gr_value *comps = gr_get_path(&doc, "components", "schemas", NULL);
		scompiler *c = gr_scompiler_new(&gv->arena, comps, true);
		if (c) {
			gr_scompiler_set_regex_list(c, &gv->regexes);
			for (size_t i = 0; i < gv->nseeds; i++)
				gr_scompiler_seed_component(c, gv->seeds[i].name, gv->seeds[i].len,
				                            gv->seeds[i].node);
			for (size_t i = 0; i < k; i++) {
				roots[i] = gr_scompile_component(c, todo[i]->component,
				                                 strlen(todo[i]->component));
				if (gr_scompiler_failed(c))
					roots[i] = NULL;
			}
		}
		gr_scompiler_free(c);
	}
	gr_arena_free(&tmp);
	pthread_mutex_lock(&r->mu);
	for (size_t b = 0; n && (!todo || !roots) && b < NBUCKETS; b++) /* out of memory */
		for (kind_entry *e = r->buckets[b]; e; e = e->next)
			if (e->gv == gv && !e->root)
				e->failed = true;
	for (size_t i = 0; i < k; i++) {
		todo[i]->failed = !roots[i];
		if (roots[i])
			__atomic_store_n(&todo[i]->root, roots[i], __ATOMIC_RELEASE); /* lookup's fast path */
	}
	free(todo);
	free(roots);
	free(blob);
	gv->pending = NULL;
	gv->nseeds = 0; /* (their memory stays in gv->arena) */
	gv->compiling = false;
	pthread_cond_broadcast(&r->loaded);
}

bool gr_registry_gv_error(gr_schema_registry *r, const char *group, const char *version, char *out,
                          size_t cap)
{
	while (r->parent) /* built-in documents load in the base registry */
		r = r->parent;
	/* without the lock (see published_gv); a gv still loading writes its
	 * error without the lock: skip it */
	for (gv_entry *gv = __atomic_load_n(&r->gvs, __ATOMIC_ACQUIRE); gv; gv = gv->next)
		if (!__atomic_load_n(&gv->loading, __ATOMIC_ACQUIRE) && gv->error[0] &&
		    strcmp(gv->group, group) == 0 && strcmp(gv->version, version) == 0) {
			snprintf(out, cap, "%s", gv->error);
			return true;
		}
	return false;
}

int gri_registry_want(gr_schema_registry *r, const char *g, const char *v, const char *k)
{
	pthread_mutex_lock(&r->mu);
	kind_entry *e = gr_registry_find_locked(r, g, v, k);
	int rc = 0;
	if (e && e->crd && !e->root && !e->wanted) {
		if (r->nwanted == r->capwanted) {
			size_t nc = r->capwanted ? r->capwanted * 2 : 16;
			kind_entry **nw = realloc(r->wanted, nc * sizeof *nw);
			if (!nw)
				rc = -1;
			else
				r->wanted = nw, r->capwanted = nc;
		}
		if (rc == 0) {
			e->wanted = true;
			r->wanted[r->nwanted++] = e;
		}
	}
	pthread_mutex_unlock(&r->mu);
	return rc;
}

/* Compile CRD version e, which no thread compiles, without the lock. */
static void compile_locked(gr_schema_registry *r, kind_entry *e)
{
	e->compiling = true;
	gr_arena_expect(&e->arena, 4096); /* many versions have small schemas */
	pthread_mutex_unlock(&r->mu);
	const snode *root = gri_crd_compile(r, e);
	pthread_mutex_lock(&r->mu);
	e->compiling = false;
	e->failed = !root;
	__atomic_store_n(&e->root, root, __ATOMIC_RELEASE); /* lookup's fast path */
	pthread_cond_broadcast(&r->loaded);
}

/* The next wanted CRD version nobody compiled or compiles yet, or NULL. */
static kind_entry *next_wanted_locked(gr_schema_registry *r)
{
	while (r->next_wanted < r->nwanted) {
		kind_entry *w = r->wanted[r->next_wanted];
		if (!w->root && !w->failed && !w->compiling)
			return w;
		r->next_wanted++;
	}
	return NULL;
}

/* A CRD version not compiled yet: compiled now by this thread, without the
 * lock, or waited for while another compiles it. A thread that would wait
 * compiles a wanted version meanwhile, one some later object needs: two
 * threads reaching the same custom resource kind at once (the corpus's
 * inputs come in runs of one kind) would otherwise leave a core idle for
 * the whole of a compile. NULL when memory ran out. */
static kind_entry *compiled_locked(gr_schema_registry *r, kind_entry *e, bool *oom)
{
	if (e->gv) { /* a built-in kind its group-version's load left pending */
		while (e->gv->compiling)
			pthread_cond_wait(&r->loaded, &r->mu);
		if (!e->root && !e->failed && e->gv->pending) {
			e->gv->compiling = true;
			compile_pending(r, e->gv);
		}
		if (!e->root) {
			if (oom)
				*oom = true;
			return NULL;
		}
		return e;
	}
	while (e->compiling) {
		kind_entry *w = next_wanted_locked(r);
		if (w)
			compile_locked(r, w);
		else
			pthread_cond_wait(&r->loaded, &r->mu);
	}
	if (!e->root && !e->failed)
		compile_locked(r, e);
	if (e->failed) {
		if (oom)
			*oom = true;
		return NULL;
	}
	return e;
}

/* Lookups run on every thread for every object: what is already there is
 * read without the lock. Entries and group-versions are never removed and
 * are published whole (their fields written before a release store of the
 * pointer that makes them reachable, read after an acquire load), so a
 * reader sees either nothing or the whole entry; a compiled root and a
 * finished load are published the same way. Anything else (a group-version
 * to load, a CRD version to compile) takes the lock. */
static kind_entry *published_kind(gr_schema_registry *r, const char *g, const char *v, const char *k)
{
	for (kind_entry *e = __atomic_load_n(&r->buckets[gvk_bucket(g, v, k)], __ATOMIC_ACQUIRE); e;
	     e = e->next)
		if (strcmp(e->kind, k) == 0 && strcmp(e->version, v) == 0 && strcmp(e->group, g) == 0)
			return e;
	return NULL;
}

static bool published_gv(gr_schema_registry *r, const char *group, const char *version)
{
	for (gv_entry *gv = __atomic_load_n(&r->gvs, __ATOMIC_ACQUIRE); gv; gv = gv->next)
		if (strcmp(gv->group, group) == 0 && strcmp(gv->version, version) == 0)
			return !__atomic_load_n(&gv->loading, __ATOMIC_ACQUIRE);
	return false;
}

static const kind_entry *lookup(gr_schema_registry *r, const char *group, const char *version,
                                const char *kind, bool *oom, bool compile)
{
	kind_entry *fast = published_kind(r, group, version, kind);
	if (fast && (!compile || __atomic_load_n(&fast->root, __ATOMIC_ACQUIRE)))
		return fast;
	if (!fast && r->parent) /* an overlay holds CRDs only; the rest is its parent's */
		return lookup(r->parent, group, version, kind, oom, compile);
	if (!fast && published_gv(r, group, version))
		return NULL; /* loaded, and the kind is not in it */
	pthread_mutex_lock(&r->mu);
	kind_entry *e = gr_registry_find_locked(r, group, version, kind);
	if (e && !e->root && compile) {
		e = compiled_locked(r, e, oom);
		pthread_mutex_unlock(&r->mu);
		return e; /* NULL only when memory ran out */
	}
	if (r->parent) { /* an overlay holds CRDs only; the rest is its parent's */
		pthread_mutex_unlock(&r->mu);
		return e ? e : lookup(r->parent, group, version, kind, oom, compile);
	}
	if (!e && !strchr(group, '/') && !strchr(version, '/') && !strstr(group, "..") && *version) {
		gv_entry *gv;
		for (gv = r->gvs; gv; gv = gv->next)
			if (strcmp(gv->group, group) == 0 && strcmp(gv->version, version) == 0)
				break;
		if (!gv && strlen(group) < sizeof gv->group && strlen(version) < sizeof gv->version) {
			gv = calloc(1, sizeof *gv);
			if (gv) {
				strcpy(gv->group, group);
				strcpy(gv->version, version);
				gr_arena_init(&gv->arena);
				gv->loading = true;
				gv->next = r->gvs;
				__atomic_store_n(&r->gvs, gv, __ATOMIC_RELEASE); /* see published_gv */
				/* load without the lock: other group-versions load and
				 * every lookup proceeds meanwhile */
				pthread_mutex_unlock(&r->mu);
				load_gv(r, gv, group, version, kind);
				pthread_mutex_lock(&r->mu);
				__atomic_store_n(&gv->loading, false,
				                 __ATOMIC_RELEASE); /* its error and kinds are in */
				pthread_cond_broadcast(&r->loaded);
				e = gr_registry_find_locked(r, group, version, kind);
			} else if (oom) {
				*oom = true;
			}
		} else if (gv) {
			while (gv->loading) /* another thread is loading it */
				pthread_cond_wait(&r->loaded, &r->mu);
			e = gr_registry_find_locked(r, group, version, kind);
		}
		if (e && !e->root && compile) /* the load compiled another kind */
			e = compiled_locked(r, e, oom);
	}
	pthread_mutex_unlock(&r->mu);
	return e;
}

const kind_entry *gr_registry_lookup(gr_schema_registry *r, const char *group, const char *version,
                                     const char *kind)
{
	return lookup(r, group, version, kind, NULL, true);
}

bool gr_registry_defines(gr_schema_registry *r, const char *group, const char *version, const char *kind)
{
	return lookup(r, group, version, kind, NULL, false) != NULL;
}

int gr_registry_lookup_checked(gr_schema_registry *r, const char *group, const char *version,
                               const char *kind, const kind_entry **out, char *why, size_t cap)
{
	bool oom = false;
	*out = lookup(r, group, version, kind, &oom, true);
	if (oom) {
		snprintf(why, cap, "out of memory loading the schemas of %s/%s", group, version);
		return -1;
	}
	return gr_registry_gv_error(r, group, version, why, cap) ? -1 : 0;
}

bool gr_schema_has_kind(gr_schema_registry *r, const char *group, const char *version, const char *kind)
{
	return gr_registry_defines(r, group, version, kind);
}

/* A hint for a kind without schema: the same kind spelled differently in
 * its group-version, or the group's other versions that serve it. */
void gr_registry_suggest(gr_schema_registry *r, const char *group, const char *version, const char *kind,
                         char *out, size_t cap)
{
	out[0] = '\0';
	/* without the lock: see published_kind */
	for (size_t b = 0; b < NBUCKETS && !out[0]; b++)
		for (kind_entry *e = __atomic_load_n(&r->buckets[b], __ATOMIC_ACQUIRE); e; e = e->next)
			if (strcasecmp(e->kind, kind) == 0 && strcmp(e->group, group) == 0 &&
			    strcmp(e->version, version) == 0) {
				snprintf(out, cap, "; did you mean kind %s?", e->kind);
				break;
			}
	if (!out[0] && r->parent) {
		gr_registry_suggest(r->parent, group, version, kind, out, cap);
		return;
	}
	if (out[0] || strchr(group, '/') || strstr(group, ".."))
		return;
	/* other versions of the group */
	char dir[PATH_MAX + 64];
	if (*group)
		snprintf(dir, sizeof dir, "%.3000s/apis/%.255s", r->dir, group);
	else
		snprintf(dir, sizeof dir, "%.3000s/api", r->dir);
	DIR *d = opendir(dir);
	if (!d)
		return;
	char versions[16][64];
	int nv = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL && nv < 16) {
		size_t l = strlen(de->d_name);
		if (l > 5 && l < 64 && strcmp(de->d_name + l - 5, ".json") == 0) {
			memcpy(versions[nv], de->d_name, l - 5);
			versions[nv][l - 5] = '\0';
			if (strcmp(versions[nv], version) != 0)
				nv++;
		}
	}
	closedir(d);
	size_t used = 0;
	for (int i = 0; i < nv; i++) {
		if (!gr_registry_lookup(r, group, versions[i], kind))
			continue;
		int k = snprintf(out + used, cap - used, "%s%s%s%s", used ? ", " : "; served as ", group,
		                 *group ? "/" : "", versions[i]);
		if (k < 0 || (size_t)k >= cap - used)
			break;
		used += (size_t)k;
	}
}
