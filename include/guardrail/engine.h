/*
 * engine.h — an engine is a function from (object, context) to findings.
 *
 * A run creates each selected engine once from the shared configuration,
 * shows it the set-level objects of the inputs (CustomResourceDefinitions,
 * Namespaces: `prepare`), then calls `check` for every object, possibly from
 * several threads at once: after `prepare`, an engine's state is read-only.
 * Per-call scratch goes in the gr_check_ctx (its arena is the object's file
 * arena; its counters are summed by the caller).
 */
#ifndef GUARDRAIL_ENGINE_H
#define GUARDRAIL_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "guardrail/error.h"
#include "guardrail/finding.h"
#include "guardrail/object.h"

/* Options of the schema engine (flags of `guardrail check`). */
typedef struct gr_schema_options {
	const char *schema_dir;         /* NULL: resolved by gr_schema_default_dir() */
	const char *patches_dir;        /* --schema-patches; NULL for none */
	const char *const *crd_paths;   /* --crd PATH (files or directories) */
	size_t ncrd_paths;
	const char *kubernetes_version; /* "1.30"; NULL: newest present */
	bool strict;                    /* unknown fields are errors (default true) */
	bool ignore_missing_schemas;    /* kinds without schema are skipped, not errors */
} gr_schema_options;

/* Options of the Pod Security engine. Level specs are "LEVEL[:VERSION]". */
typedef struct gr_pss_options {
	const char *enforce;  /* default "baseline:latest" */
	const char *warn;     /* default "restricted:latest" */
	const char *audit;    /* default NULL (off) */
	const char *const *exempt_namespaces;
	size_t nexempt_namespaces;
	const char *const *exempt_runtime_classes;
	size_t nexempt_runtime_classes;
} gr_pss_options;

typedef struct gr_config {
	gr_schema_options schema;
	gr_pss_options pss;
} gr_config;

void gr_config_default(gr_config *cfg);

/* Per-call context. */
typedef struct gr_check_ctx {
	gr_arena *arena;          /* for finding strings; lives as long as the object */
	bool skipped;             /* set by an engine that could not judge the object */
	const char *skip_reason;  /* why, when skipped */
	size_t not_evaluated;     /* rules present but not evaluated (e.g. CEL), summed */
} gr_check_ctx;

typedef struct gr_engine {
	const char *name; /* "schema", "pss", ... */
	/* Build state from the configuration. */
	int (*create)(void **state, const gr_config *cfg, gr_error *err);
	/* Shown every object of the inputs that may matter to the whole set
	 * before any check (CRDs, Namespaces). May copy what it keeps: the
	 * object's arena is freed after this call. Optional. */
	int (*prepare)(void *state, const gr_object *obj, gr_error *err);
	/* Judge one object; append findings. Must be thread-safe. */
	void (*check)(void *state, const gr_object *obj, gr_check_ctx *ctx, gr_findings *out);
	void (*destroy)(void *state);
} gr_engine;

/* The table of known engines, NULL-terminated. */
extern const gr_engine *const gr_engines[];
const gr_engine *gr_engine_find(const char *name);

#endif
