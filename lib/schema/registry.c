/*
 * registry.c — the compiled schemas of one Kubernetes version, by GVK.
 *
 * Group-version documents are loaded lazily: the first object of a
 * group-version makes the registry read `api/<v>.json` or
 * `apis/<group>/<v>.json`, lay the matching patch over it, compile every
 * component that carries x-kubernetes-group-version-kind, and free the
 * decoded text. One mutex guards the tables; nodes are immutable once
 * published, so validation runs outside the lock.
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

#include "../internal.h"
#include "guardrail/decode.h"
#include "guardrail/doccache.h"
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

int gr_schema_default_dir(char *out, size_t cap, gr_error *err)
{
	struct stat st;
	const char *env = getenv("GUARDRAIL_SCHEMA_DIR");
	char cand[6][PATH_MAX];
	int n = 0;
	if (env && *env) { /* set means chosen: a wrong value is an error, not a fallback */
		if (stat(env, &st) != 0 || !S_ISDIR(st.st_mode))
			return gr_error_set(err, 0, 0, "GUARDRAIL_SCHEMA_DIR=%.300s is not a directory", env);
		snprintf(cand[n++], PATH_MAX, "%.4000s", env);
	}
	snprintf(cand[n++], PATH_MAX, "%s", "/usr/local/share/guardrail/k8s-openapi");
	char exe[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash = NULL;
	if (len > 0) {
		exe[len] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
	}
	/* an install under another prefix: <prefix>/bin/guardrail -> <prefix>/share/guardrail */
	if (slash)
		snprintf(cand[n++], PATH_MAX, "%.3900s/../share/guardrail/k8s-openapi", exe);
	snprintf(cand[n++], PATH_MAX, "%s", "../shared/k8s-openapi");
	/* a checkout: build/guardrail -> <checkout>/../shared; build/tests/unit/x -> up more */
	if (slash) {
		for (int up = 0; up < 4; up++) {
			char probe[PATH_MAX];
			char rel[64] = "";
			for (int i = 0; i <= up; i++)
				strcat(rel, "/..");
			snprintf(probe, sizeof probe, "%.3900s%.40s/../shared/k8s-openapi", exe, rel);
			if (stat(probe, &st) == 0 && S_ISDIR(st.st_mode)) {
				snprintf(cand[n++], PATH_MAX, "%s", probe);
				break;
			}
		}
	}
	for (int i = 0; i < n; i++) {
		if (stat(cand[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			char real[PATH_MAX];
			const char *found = realpath(cand[i], real) ? real : cand[i];
			if (strlen(found) >= cap)
				return gr_error_set(err, 0, 0, "schema directory path too long");
			strcpy(out, found);
			return 0;
		}
	}
	return gr_error_set(
	        err, 0, 0,
	        "no schema directory: give --schema-dir or set GUARDRAIL_SCHEMA_DIR "
	        "(looked in /usr/local/share/guardrail/k8s-openapi, <prefix>/share/guardrail/k8s-openapi "
	        "beside the program, and ../shared/k8s-openapi)");
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
	char found[PATH_MAX];
	if (!schema_dir) {
		if (gr_schema_default_dir(found, sizeof found, err) != 0)
			return -1;
		schema_dir = found;
	}
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
	pthread_mutex_init(&r->mu, NULL);
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
	pthread_mutex_init(&r->mu, NULL);
	r->parent = parent;
	memcpy(r->version, parent->version, sizeof r->version);
	r->dir = strdup(parent->dir);
	r->patches = parent->patches ? strdup(parent->patches) : NULL;
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
	gv_entry *g = r->gvs;
	while (g) {
		gv_entry *next = g->next;
		free(g);
		g = next;
	}
	gr_sregex_free_all(r->regexes);
	free(r->buckets);
	free(r->dir);
	free(r->patches);
	gr_arena_free(&r->arena);
	free(r);
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
	r->buckets[b] = e;
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

/* Kinds of this document served under /namespaces/{namespace}/. */
static bool path_is_namespaced(const gr_value *paths, const char *g, const char *v, const char *k)
{
	if (!paths || paths->type != GR_OBJECT)
		return false;
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
			if (kk && gg && vv && strcmp(kk, k) == 0 && strcmp(gg, g) == 0 && strcmp(vv, v) == 0)
				return true;
		}
	}
	return false;
}

/* Load one built-in group-version; caller holds the lock. */
static int load_gv_locked(gr_schema_registry *r, gv_entry *gv, const char *group, const char *version)
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
	if (!gr_doccache_get(&tmp, sources, 2, &doc)) {
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
		doc = gr_openapi_prune(&tmp, &doc);
		gr_doccache_put(sources, 2, &doc);
	}
	const gr_value *comps = gr_get_path(&doc, "components", "schemas", NULL);
	const gr_value *paths = gr_get(&doc, "paths");
	if (!comps || comps->type != GR_OBJECT) {
		snprintf(gv->error, sizeof gv->error, "%.300s: no components.schemas object", full);
		gr_arena_free(&tmp);
		return -1;
	}
	scompiler *c = gr_scompiler_new(&r->arena, comps, true);
	if (c)
		gr_scompiler_set_regex_list(c, &r->regexes);
	bool failed = !c;
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
				const snode *root = gr_scompile_component(c, m->key, m->key_len);
				if (!root || gr_scompiler_failed(c) ||
				    !gr_registry_add_locked(r, g, v, k, root,
				                            path_is_namespaced(paths, g, v, k), false))
					failed = true;
			}
		}
	}
	if (failed) /* kinds added before the failure stay; lookups see the error first */
		snprintf(gv->error, sizeof gv->error, "%.300s: out of memory compiling the schemas", full);
	gr_scompiler_free(c);
	gr_arena_free(&tmp);
	return failed ? -1 : 0;
}

bool gr_registry_gv_error(gr_schema_registry *r, const char *group, const char *version, char *out,
                          size_t cap)
{
	while (r->parent) /* built-in documents load in the base registry */
		r = r->parent;
	bool found = false;
	pthread_mutex_lock(&r->mu);
	for (gv_entry *gv = r->gvs; gv; gv = gv->next)
		if (gv->error[0] && strcmp(gv->group, group) == 0 && strcmp(gv->version, version) == 0) {
			snprintf(out, cap, "%s", gv->error);
			found = true;
			break;
		}
	pthread_mutex_unlock(&r->mu);
	return found;
}

static const kind_entry *lookup(gr_schema_registry *r, const char *group, const char *version,
                                const char *kind, bool *oom)
{
	pthread_mutex_lock(&r->mu);
	kind_entry *e = gr_registry_find_locked(r, group, version, kind);
	if (r->parent) { /* an overlay holds CRDs only; the rest is its parent's */
		pthread_mutex_unlock(&r->mu);
		return e ? e : lookup(r->parent, group, version, kind, oom);
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
				gv->next = r->gvs;
				r->gvs = gv;
				load_gv_locked(r, gv, group, version);
				e = gr_registry_find_locked(r, group, version, kind);
			} else if (oom) {
				*oom = true;
			}
		}
	}
	pthread_mutex_unlock(&r->mu);
	return e;
}

const kind_entry *gr_registry_lookup(gr_schema_registry *r, const char *group, const char *version,
                                     const char *kind)
{
	return lookup(r, group, version, kind, NULL);
}

int gr_registry_lookup_checked(gr_schema_registry *r, const char *group, const char *version,
                               const char *kind, const kind_entry **out, char *why, size_t cap)
{
	bool oom = false;
	*out = lookup(r, group, version, kind, &oom);
	if (oom) {
		snprintf(why, cap, "out of memory loading the schemas of %s/%s", group, version);
		return -1;
	}
	return gr_registry_gv_error(r, group, version, why, cap) ? -1 : 0;
}

bool gr_schema_has_kind(gr_schema_registry *r, const char *group, const char *version, const char *kind)
{
	return gr_registry_lookup(r, group, version, kind) != NULL;
}

/* A hint for a kind without schema: the same kind spelled differently in
 * its group-version, or the group's other versions that serve it. */
void gr_registry_suggest(gr_schema_registry *r, const char *group, const char *version, const char *kind,
                         char *out, size_t cap)
{
	out[0] = '\0';
	pthread_mutex_lock(&r->mu);
	for (size_t b = 0; b < NBUCKETS && !out[0]; b++)
		for (kind_entry *e = r->buckets[b]; e; e = e->next)
			if (strcasecmp(e->kind, kind) == 0 && strcmp(e->group, group) == 0 &&
			    strcmp(e->version, version) == 0) {
				snprintf(out, cap, "; did you mean kind %s?", e->kind);
				break;
			}
	pthread_mutex_unlock(&r->mu);
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
