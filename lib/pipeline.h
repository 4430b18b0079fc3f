/*
 * pipeline.h — what the session, the checker and the set share inside the
 * library (not public; gri_ prefix).
 */
#ifndef GUARDRAIL_PIPELINE_H
#define GUARDRAIL_PIPELINE_H

#include <stdint.h>

#include "guardrail/session.h"
#include "guardrail/set.h"

/* Add obj to the set (copied: header, labels, and the tree when keep_tree;
 * with borrow, the header and tree are obj's own and must outlive the set).
 * When the first object of the same group, kind, namespace and name in the
 * set has a tree and different content, *conflict is its index, else
 * (size_t)-1. digest (0: none) is gri_value_digest of obj's tree before it was
 * pruned (gri_crd_pruned_copy, gri_crd_strip): definitions with digests are
 * the same when their digests are. Returns the new index, or (size_t)-1 on allocation failure. */
size_t gri_set_add(gr_set *s, const gr_object *obj, bool keep_tree, bool borrow, uint64_t digest,
                   size_t *conflict);
/* Is (group, kind) in a kinds list ("Namespace", "group/Kind"; NULL: no)? */
bool gri_kind_listed(const char *const *kinds, const char *group, const char *kind);
/* The API group of an apiVersion ("apps/v1" -> "apps", "v1" -> ""). */
void gri_api_group(const char *api_version, char *out, size_t cap);
/* For set_kinds (engine.h): a policy's paramKind {apiVersion, kind} as a
 * kinds entry ("group/Kind", "Kind" for the core group), added to out
 * once; not a ConfigMap, which every session keeps whole. -1: memory. */
int gri_param_kind_add(const gr_value *param_kind, gr_pathlist *out);
/* Does an engine of c list (group, kind) in its revoking_kinds? */
bool gri_checker_revoking_kind(const gr_checker *c, const char *group, const char *kind);
/* Once the inputs held a revoking kind: does an engine with revoking kinds
 * need the set for obj (judged early, perhaps light), given c's state? */
bool gri_checker_needs_again(const gr_checker *c, const gr_object *obj);
/* Has c an engine with revoking kinds (that may judge an object judged
 * early again, from its kept tree; a pruned CRD from its whole tree kept as
 * bytes)? */
bool gri_checker_may_judge_again(const gr_checker *c);
/* Every engine's set_kinds for this set (engine.h), appended to out. */
int gri_checker_set_kinds(const gr_checker *c, const gr_set *set, gr_pathlist *out);
/* Is (group, kind) cluster-scoped: a built-in kind, or a custom resource
 * whose CustomResourceDefinition in the set says `scope: Cluster`? */
bool gri_set_kind_cluster_scoped(const gr_set *set, const char *group, const char *kind);
/* Give entry i of the set obj, whose tree outlives the set (build_set);
 * it replaces the tree the entry had (a pruned CRD's), if any. */
void gri_set_give_tree(gr_set *s, size_t i, const gr_object *obj);
/* A set that outlives every checker derived from it (a session's): engines
 * may then borrow its trees, e.g. to compile a CRD version on first use. */
void gri_set_mark_lasting(gr_set *s);
bool gri_set_lasting(const gr_set *s);
/* Objects kept whole (their kinds declared). */
size_t gri_set_trees(const gr_set *s);
/* A deep copy of v into a (positions kept); GR_NULL on exhaustion. */
gr_value gri_value_copy(gr_arena *a, const gr_value *v);
/* A copy of a CustomResourceDefinition's tree without the descriptions of
 * its schema nodes (crdprune.c); GR_NULL on exhaustion. */
gr_value gri_crd_pruned_copy(gr_arena *a, const gr_value *crd);
/* Is (group, version, kind) among the inputs' objects? */
typedef bool (*gri_gvk_used_fn)(void *user, const char *group, const char *version, const char *kind);
/* A copy of a CRD's tree without the schemas of its versions that no
 * object of the inputs uses (used says which), which only a lookup of such
 * a version would compile: 1 and *out set, 0 when every schema is used
 * (no copy), -1 when memory ran out. */
int gri_crd_strip(gr_arena *a, const gr_value *crd, gri_gvk_used_fn used, void *user, gr_value *out);
/* The same, sharing crd's nodes instead of copying them (only the
 * containers that lose a member are new): crd must outlive *out. */
int gri_crd_strip_shared(gr_arena *a, const gr_value *crd, gri_gvk_used_fn used, void *user, gr_value *out);
/* Would gri_crd_strip keep the schema of some named version of crd (or its
 * spec.validation) for used? When not, its result is the skeleton: what it
 * gives when no version is used, whatever else used says. */
bool gri_crd_uses_any(const gr_value *crd, gri_gvk_used_fn used, void *user);
/* A digest of v, the same for trees gr_equal finds equal; never 0. */
uint64_t gri_value_digest(const gr_value *v);
/* v as compact bytes (valblob.c): *out malloc'd, the caller frees it. -1
 * when memory ran out or v is nested past 4096 levels. */
int gri_blob_encode(const gr_value *v, unsigned char **out, size_t *outlen);
/* The same bytes written piece by piece, for a walk that leaves some
 * members out (crdprune.c): a container's head with the count of what
 * follows, each member's key before its value, an object's `<<` members
 * after its others, whole values. finish gives
 * the bytes (malloc'd) and frees w; -1 when memory ran out on the way. */
typedef struct gri_blob_writer gri_blob_writer;
gri_blob_writer *gri_blob_writer_new(void);
void gri_blob_put_container(gri_blob_writer *w, const gr_value *v, size_t count);
void gri_blob_put_key(gri_blob_writer *w, const gr_member *m);
/* After an object's members: its `<<` members (merge_keys), whole. */
void gri_blob_put_merge_members(gri_blob_writer *w, const gr_value *v);
void gri_blob_put_value(gri_blob_writer *w, const gr_value *v);
int gri_blob_writer_finish(gri_blob_writer *w, unsigned char **out, size_t *outlen);
/* A CRD's tree as gri_crd_pruned_copy gives it, written as bytes without
 * the copy (crdprune.c). */
int gri_crd_pruned_encode(const gr_value *crd, unsigned char **out, size_t *outlen);
/* The tree gri_blob_encode was given, built in a (the same types, values,
 * member order, positions and merge_keys; equal strings share one copy).
 * -1 (and *out null) when memory ran out or the bytes are not a blob. */
int gri_blob_decode(gr_arena *a, const unsigned char *p, size_t n, gr_value *out);

#endif
