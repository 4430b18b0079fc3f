/*
 * schema.h — OpenAPI v3 schema validation of Kubernetes objects.
 *
 * A registry holds the compiled schemas of one Kubernetes version: the
 * built-in group-versions of a schema directory laid out as the API server
 * serves /openapi/v3 (`<dir>/<X.Y>/api/v1.json`, `<dir>/<X.Y>/apis/<group>/
 * <version>.json`), loaded lazily the first time an object needs one, plus
 * the kinds of every CustomResourceDefinition added to it. Each document is
 * decoded, patched (RFC 7386 merge patch from the same relative path under
 * the patches directory), compiled into an immutable node graph and freed:
 * validation never sees JSON schema text, `$ref`s or component names.
 *
 * The registry is safe to share between threads: lookups and lazy loads
 * take its mutex; compiled nodes are never changed once published.
 */
#ifndef GUARDRAIL_SCHEMA_H
#define GUARDRAIL_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "guardrail/engine.h"
#include "guardrail/error.h"
#include "guardrail/finding.h"
#include "guardrail/object.h"
#include "guardrail/value.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gr_schema_registry gr_schema_registry;

/*
 * Open the registry of schema_dir/<version>. version NULL selects the newest
 * X.Y present; an unknown version is an error that lists those present.
 * patches_dir may be NULL.
 */
int gr_schema_registry_open(gr_schema_registry **out, const char *schema_dir, const char *version,
                            const char *patches_dir, gr_error *err);
/* A registry over parent: kinds added to it (CRDs) are its own; every other
 * lookup goes to parent, which must outlive it. Definitions already in
 * parent win over the overlay's. */
int gr_schema_registry_overlay(gr_schema_registry **out, gr_schema_registry *parent, gr_error *err);
void gr_schema_registry_free(gr_schema_registry *r);
/* Keep pruned group-version documents in folder dir (created when missing),
 * so that a later registry loads them faster; NULL: no cache (the default). */
int gr_schema_registry_set_cache(gr_schema_registry *r, const char *dir, gr_error *err);
/* "1.30" */
const char *gr_schema_registry_version(const gr_schema_registry *r);

/*
 * Add the kinds of a CustomResourceDefinition (apiextensions.k8s.io/v1 or
 * v1beta1). Returns the number of kinds added (0 for a document that is not
 * a CRD, or whose group-version is a built-in one: built-ins win), -1 on
 * error. Copies what it keeps; crd may be freed afterwards.
 */
int gr_schema_add_crd(gr_schema_registry *r, const gr_value *crd, gr_error *err);
/* Every CRD of a file, or of every .yaml, .yml or .json file under a
 * directory (recursively). Non-CRD documents are ignored. */
int gr_schema_add_crd_path(gr_schema_registry *r, const char *path, gr_error *err);

/* Whether a schema exists for the kind (loads its group-version). */
bool gr_schema_has_kind(gr_schema_registry *r, const char *group, const char *version, const char *kind);

typedef struct gr_schema_check_options {
	bool strict;                      /* unknown fields are errors, not warnings */
	bool ignore_missing_schemas;      /* a kind without schema: ctx->skipped instead of a finding */
	const struct gr_old_objects *old; /* previous versions (--old): transition rules see them; or NULL */
} gr_schema_check_options;

/* Previous versions of objects (an UPDATE's old object), indexed by
 * apiVersion, kind, namespace and name (lib/schema/cel.c). */
typedef struct gr_old_objects gr_old_objects;
int gr_old_objects_load(gr_old_objects **out, char *const *paths, size_t n, gr_error *err);
const gr_value *gr_old_objects_find(const gr_old_objects *o, const struct gr_object *obj);
void gr_old_objects_free(gr_old_objects *o);

/* Validate one object; appends findings (strings in out->arena). Thread-safe.
 * -1 when memory ran out (the findings may be incomplete). */
int gr_schema_check(gr_schema_registry *r, const gr_object *obj, const gr_schema_check_options *opt,
                    gr_check_ctx *ctx, gr_findings *out);

/* RFC 7386 JSON merge patch: a new value in arena a (target is not changed). */
gr_value gr_json_merge_patch(gr_arena *a, const gr_value *target, const gr_value *patch);

/* Formats and name rules, exposed for tests and other engines. */
bool gr_format_quantity_ok(const char *s, size_t len);
bool gr_format_datetime_ok(const char *s, size_t len);
bool gr_format_byte_ok(const char *s, size_t len);
bool gr_format_ipv4_ok(const char *s, size_t len);
bool gr_format_ipv6_ok(const char *s, size_t len);
bool gr_is_dns1123_subdomain(const char *s, size_t len);
bool gr_is_dns1123_label(const char *s, size_t len);
bool gr_is_qualified_name(const char *s, size_t len);
bool gr_is_label_value(const char *s, size_t len);

#ifdef __cplusplus
}
#endif

#endif
