/*
 * crd.c — CustomResourceDefinitions as schema sources: each served version's
 * openAPIV3Schema compiled into the registry under (spec.group, version,
 * spec.names.kind); v1beta1's shared spec.validation too. Also --crd paths
 * (files, or directories walked recursively).
 *
 * A CRD for a group-version that has a built-in document is not registered:
 * built-ins win (a CRD cannot take over a Kubernetes group).
 *
 * A version is registered at once but compiled (schema, patterns, CEL
 * rules) on the first lookup of its kind, so a CRD whose custom resources
 * are never checked costs nothing beyond its registration: a corpus holds
 * thousands of CRD versions and a few of their resources. The registry
 * borrows the schema tree, which must outlive it (the set's trees, or the
 * registry's own copy of a --crd file); gr_schema_add_crd, whose caller
 * promises nothing, compiles at once.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "guardrail/decode.h"
#include "guardrail/inputs.h"
#include "guardrail/object.h"
#include "guardrail/schema.h"
#include "registry_int.h"

static bool is_crd(const gr_value *v)
{
	const char *av = gr_get_str(v, "apiVersion"), *k = gr_get_str(v, "kind");
	return av && k && strcmp(k, "CustomResourceDefinition") == 0 &&
	       (strcmp(av, "apiextensions.k8s.io/v1") == 0 ||
	        strcmp(av, "apiextensions.k8s.io/v1beta1") == 0);
}

const snode *gri_crd_compile(gr_schema_registry *r, kind_entry *e)
{
	if (!e->schema)
		return &gr_snode_any;
	scompiler *c = gr_scompiler_new(&e->arena, NULL, false);
	if (!c)
		return NULL;
	gr_scompiler_set_registry_patterns(c, r);
	gr_scompiler_share(c, e->schema);
	const snode *root = gr_scompile(c, e->schema);
	if (root != &gr_snode_any && !gr_scompiler_failed(c))
		gr_schema_cel_attach(r->version, &e->arena, &e->cels, (snode *)root, e->borrowed, e->schema);
	bool failed = gr_scompiler_failed(c);
	gr_scompiler_free(c);
	return failed ? NULL : root;
}

/* 1 when added, 0 when not wanted, -1 when memory ran out (the kind would
 * otherwise be left without its schema). With now, compiled before
 * returning; else on its first lookup. */
static int add_version(gr_schema_registry *r, const char *group, const char *version, const char *kind,
                       bool namespaced, const gr_value *schema, bool now)
{
	if (!version || !*version)
		return 0;
	if (gr_registry_builtin_gv_exists(r, group, version))
		return 0;
	if (r->parent && gr_registry_defines(r->parent, group, version, kind))
		return 0; /* defined before this overlay: the first definition wins */
	int added = 0;
	pthread_mutex_lock(&r->mu);
	if (!gr_registry_find_locked(r, group, version, kind)) {
		kind_entry *e = gr_registry_add_locked(r, group, version, kind, NULL, namespaced, true);
		added = e ? 1 : -1;
		if (e) {
			e->schema = schema;
			e->borrowed = !now;
		}
	}
	pthread_mutex_unlock(&r->mu);
	if (added == 1 && now && !gr_registry_lookup(r, group, version, kind))
		added = -1;
	return added;
}

static int add_crd(gr_schema_registry *r, const gr_value *crd, bool now, gr_error *err)
{
	if (!is_crd(crd))
		return 0;
	const gr_value *spec = gr_get(crd, "spec");
	const char *group = gr_get_str(spec, "group");
	const char *kind = gr_get_str(gr_get(spec, "names"), "kind");
	if (!group || !kind || !*kind)
		return 0; /* not usable; the CRD's own schema check reports it */
	const char *scope = gr_get_str(spec, "scope");
	bool namespaced = !scope || strcmp(scope, "Cluster") != 0;
	const gr_value *shared = gr_get_path(spec, "validation", "openAPIV3Schema", NULL);
	int added = 0;
	const gr_value *versions = gr_get(spec, "versions");
	if (versions && versions->type == GR_ARRAY && versions->u.a.len) {
		for (size_t i = 0; i < versions->u.a.len; i++) {
			const gr_value *v = &versions->u.a.items[i];
			const gr_value *served = gr_get(v, "served");
			if (served && served->type == GR_BOOL && !served->u.b)
				continue;
			const gr_value *s = gr_get_path(v, "schema", "openAPIV3Schema", NULL);
			int k = add_version(r, group, gr_get_str(v, "name"), kind, namespaced, s ? s : shared,
			                    now);
			if (k < 0)
				return gr_error_set(err, crd->line, crd->column,
				                    "out of memory compiling the CRD's schema");
			added += k;
		}
	} else {
		int k = add_version(r, group, gr_get_str(spec, "version"), kind, namespaced, shared, now);
		if (k < 0)
			return gr_error_set(err, crd->line, crd->column,
			                    "out of memory compiling the CRD's schema");
		added += k;
	}
	return added;
}

int gr_schema_add_crd(gr_schema_registry *r, const gr_value *crd, gr_error *err)
{
	return add_crd(r, crd, true, err);
}

int gri_schema_add_crd_lazy(gr_schema_registry *r, const gr_value *crd, gr_error *err)
{
	return add_crd(r, crd, false, err);
}

/* "FILE:LINE:COL: message" (or "FILE: message" without a position) in err's
 * message, so whoever prints it names the place. */
static int file_error(gr_error *err, const char *path)
{
	char msg[sizeof err->message];
	snprintf(msg, sizeof msg, "%s", err->message);
	if (err->line)
		snprintf(err->message, sizeof err->message, "%.200s:%u:%u: %.290s", path, err->line,
		         err->column, msg);
	else
		snprintf(err->message, sizeof err->message, "%.200s: %.300s", path, msg);
	gr_error_set_file(err, path);
	return -1;
}

static int add_file(gr_schema_registry *r, const char *path, size_t *crds, gr_error *err)
{
	char *data;
	size_t len;
	if (gr_read_file(path, 0, &data, &len, err) != 0)
		return file_error(err, path);
	/* decoded into the registry's arena: its versions borrow the trees */
	gr_arena *a = &r->docs;
	gr_document *docs;
	size_t n;
	int rc = gr_decode(a, data, len, NULL, &docs, &n, err);
	int added = 0;
	if (rc != 0) {
		added = file_error(err, path);
	} else {
		for (size_t i = 0; i < n && added >= 0; i++) {
			gr_object *objs;
			size_t no;
			if (gr_objects_from_document(a, &docs[i], path, &objs, &no) != 0) {
				gr_error_set(err, docs[i].root.line, docs[i].root.column, "out of memory");
				added = file_error(err, path);
				break;
			}
			for (size_t j = 0; j < no; j++) {
				const gr_value *spec = gr_get(objs[j].root, "spec");
				if (is_crd(objs[j].root) && gr_get_str(spec, "group") &&
				    gr_get_str(gr_get(spec, "names"), "kind"))
					(*crds)++;
				int k = add_crd(r, objs[j].root, false, err);
				if (k < 0) {
					added = file_error(err, path);
					break;
				}
				added += k;
			}
		}
	}
	free(data);
	return added;
}

static int add_path(gr_schema_registry *r, const char *path, size_t *crds, gr_error *err)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		gr_error_set(err, 0, 0, "CRD path %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return add_file(r, path, crds, err);
	/* the manifests below it, sorted, so that the first definition of a kind
	 * is predictable */
	gr_pathlist files = {0};
	gr_input_problems problems = {0};
	if (gr_walk_manifests(path, &files, &problems)) {
		if (problems.n)
			gr_error_set(err, 0, 0, "CRD path %s: %s", problems.v[0].path, problems.v[0].message);
		else
			gr_error_set(err, 0, 0, "CRD path %s: %s", path, strerror(errno));
		gr_input_problems_free(&problems);
		gr_pathlist_free(&files);
		return -1;
	}
	int total = 0;
	for (size_t i = 0; i < files.n; i++) {
		int k = add_file(r, files.v[i], crds, err);
		if (k < 0) {
			total = -1;
			break;
		}
		total += k;
	}
	gr_pathlist_free(&files);
	return total;
}

int gr_schema_add_crd_path(gr_schema_registry *r, const char *path, gr_error *err)
{
	size_t crds = 0;
	return add_path(r, path, &crds, err);
}

int gri_schema_add_crd_path_seen(gr_schema_registry *r, const char *path, size_t *crds, gr_error *err)
{
	*crds = 0;
	return add_path(r, path, crds, err);
}
