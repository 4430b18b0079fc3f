/*
 * registry_int.h — the registry's tables, shared by registry.c (built-ins),
 * crd.c (custom resources) and validate.c (lookups). Not public.
 */
#ifndef GUARDRAIL_REGISTRY_INT_H
#define GUARDRAIL_REGISTRY_INT_H

#include <pthread.h>
#include <stdbool.h>

#include "guardrail/arena.h"
#include "guardrail/schema.h"
#include "schema_int.h"

typedef struct kind_entry {
	const char *group, *version, *kind;
	const snode *root; /* NULL while a CRD version waits to be compiled */
	bool namespaced;
	bool crd;
	/* A CRD version is compiled on its first lookup (gri_crd_compile),
	 * without the registry's lock, into its own arena: */
	const gr_value *schema;     /* its openAPIV3Schema (borrowed; NULL: anything) */
	bool compiling;             /* a thread is compiling it */
	bool failed;                /* memory ran out compiling it */
	bool borrowed;              /* schema outlives the registry (else compiled at once) */
	bool wanted;                /* in the registry's wanted list */
	gr_arena arena;             /* its compiled nodes */
	struct gr_schema_cel *cels; /* its compiled validation rules */
	/* A built-in kind its group-version's load did not compile (the load
	 * compiles the kind asked for; the first other kind asked for compiles
	 * the rest, registry.c): its group-version and component */
	struct gv_entry *gv;
	const char *component;  /* the component's name (in the registry's arena) */
	size_t component_index; /* its place in components.schemas */
	struct kind_entry *next;
} kind_entry;

typedef struct gv_entry {
	char group[256];
	char version[64];
	char error[512]; /* why the document could not be used, or "" */
	bool loading;    /* a thread is loading it (without the lock) */
	gr_arena arena;  /* its compiled nodes */
	sregex *regexes; /* its compiled patterns */
	/* Kinds published but not compiled yet (kind_entry.gv): the cached
	 * document's bytes are kept for them until one is asked for, which
	 * decodes them again, compiles every pending kind and frees them. */
	unsigned char *pending; /* NULL: every kind compiled */
	size_t pending_len;
	struct gv_seed *seeds; /* the components the load compiled (in arena): not compiled twice */
	size_t nseeds;
	bool compiling; /* a thread compiles the pending kinds (without the lock) */
	struct gv_entry *next;
} gv_entry;

struct gr_schema_registry {
	char *dir;           /* <schema dir>/<version> */
	char *patches;       /* or NULL */
	char *cache;         /* folder of pruned documents (doccache.h), or NULL */
	bool server_patches; /* lay server_patches.c over built-in documents */
	char version[32];
	pthread_mutex_t mu;
	pthread_cond_t loaded; /* a group-version finished loading */
	gr_arena arena;        /* compiled nodes, names, copies of enums and defaults */
	kind_entry **buckets;
	gv_entry *gvs;          /* group-versions tried */
	sregex *regexes;        /* compiled patterns, freed with the registry */
	pthread_mutex_t pat_mu; /* guards regexes and pat_arena: CRD versions and CRD
	                           objects compile their patterns here, once each */
	gr_arena pat_arena;
	gr_arena docs;              /* CRD files read by --crd paths: their versions borrow the trees */
	struct gr_schema_cel *cels; /* compiled CRD validation rules, freed with the registry (cel.c) */
	gr_schema_registry *parent; /* an overlay's base (built-ins, earlier CRDs), or NULL */
	/* CRD versions objects of the set use, in the order of their first
	 * use (gri_registry_want): a thread that would wait for another to
	 * compile one compiles the next of these instead (under mu) */
	kind_entry **wanted;
	size_t nwanted, capwanted, next_wanted;
};

/* Note that an object of the set uses (g, v, k): a CRD version of r itself
 * not compiled yet joins r's wanted list. -1 when memory ran out. */
int gri_registry_want(gr_schema_registry *r, const char *g, const char *v, const char *k);

kind_entry *gr_registry_find_locked(gr_schema_registry *r, const char *g, const char *v, const char *k);
kind_entry *gr_registry_add_locked(gr_schema_registry *r, const char *g, const char *v, const char *k,
                                   const snode *root, bool namespaced, bool crd);
const kind_entry *gr_registry_lookup(gr_schema_registry *r, const char *group, const char *version,
                                     const char *kind);
/* Does the registry (or its parent) define the kind? Compiles nothing. */
bool gr_registry_defines(gr_schema_registry *r, const char *group, const char *version, const char *kind);
/* Compile a CRD version registered with its schema (crd.c); called without
 * the lock by the one thread that set e->compiling. NULL when memory ran out. */
const snode *gri_crd_compile(gr_schema_registry *r, kind_entry *e);

bool gr_registry_builtin_gv_exists(gr_schema_registry *r, const char *group, const char *version);
void gr_registry_suggest(gr_schema_registry *r, const char *group, const char *version, const char *kind,
                         char *out, size_t cap);
/* The lookup for validation: -1 with why filled when the kind's schema
 * exists but could not be used (gr_registry_gv_error) or memory ran out;
 * 0 with *out NULL when there is no schema for it. */
int gr_registry_lookup_checked(gr_schema_registry *r, const char *group, const char *version,
                               const char *kind, const kind_entry **out, char *why, size_t cap);
/* When the group-version's document exists but could not be used (corrupt,
 * unreadable, a bad patch, memory), copy why into out and return true. */
bool gr_registry_gv_error(gr_schema_registry *r, const char *group, const char *version, char *out,
                          size_t cap);
void gr_registry_gv_relpath(char *out, size_t cap, const char *group, const char *version);

/* server_patches.c: the built-in patch of document rel ("api/v1.json",
 * "apis/apps/v1.json", ...) laid over doc, or doc unchanged; and the
 * compiled-in texts by index (NULL past the last), for tests. */
gr_value gri_schema_server_patch(gr_arena *a, const char *rel, const gr_value *doc);
const char *gri_schema_server_patch_text(size_t i, const char **rel);
/* turn the server patches on for a registry (the schema engine does) */
void gri_schema_registry_server_patches(gr_schema_registry *r, bool on);

#endif
