/*
 * engine.h — an engine is a function from (object, context) to findings.
 *
 * An engine is a table of callbacks registered by name (lib/engines.c lists
 * the built-in ones; an embedder adds its own with gr_options_register).
 * Its life in a run:
 *
 *   config_new / config_set   its own options, as key = value strings
 *                             (repeatable keys append), validated when set;
 *   prepare                   builds the immutable prepared state from the
 *                             options and the set-level objects: every
 *                             object of the kinds it declares in `kinds`,
 *                             whole, in input order (CRDs, Namespaces...);
 *   check                     judges one object, from any number of threads
 *                             at once, with the whole input set in ctx->set.
 *
 * A prepared state never changes after prepare (lazy caches inside it are
 * the engine's to synchronise), so checkers can be shared and swapped.
 * `check` returns 0, or -1 with err set when the engine failed: the run
 * counts an error, it never silently yields fewer findings.
 */
#ifndef GUARDRAIL_ENGINE_H
#define GUARDRAIL_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "guardrail/error.h"
#include "guardrail/finding.h"
#include "guardrail/inputs.h"
#include "guardrail/object.h"
#include "guardrail/set.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How many rules of one call were not evaluated for one reason. */
typedef struct gr_check_ne {
	const char *reason; /* static text */
	size_t count;
} gr_check_ne;
#define GR_CHECK_NE_REASONS 4

/* Per-call context of check. */
typedef struct gr_check_ctx {
	gr_arena *arena;         /* for finding strings; lives as long as the object */
	const gr_set *set;       /* every object of the inputs, indexed (set.h) */
	bool skipped;            /* set by an engine that could not judge the object */
	const char *skip_reason; /* why, when skipped (a static string) */
	/* Rules present but not evaluated, added to (gr_check_ctx_not_evaluated
	 * below), and why (a static string: the last reason given). */
	size_t not_evaluated;
	const char *not_evaluated_reason;
	/* Set by the caller of gr_checker_check_object: honour the object's
	 * guardrail.dev/ignore annotation (with its mandatory
	 * guardrail.dev/ignore-reason) for the findings of every engine. A
	 * session sets it from gr_session_options; the webhook leaves it off
	 * (anyone who may write an object could exempt it at admission). */
	bool honour_ignore_annotation;
	size_t suppressed; /* findings dropped by that annotation, added to */
	/* Set by a caller judging an admission request (the webhook); NULL
	 * otherwise, which means a CREATE. operation: "CREATE", "UPDATE", ...;
	 * old_object: the previous version on an UPDATE (request.oldObject);
	 * request: the whole AdmissionRequest. Engines that judge transitions
	 * (CRD rules with oldSelf, ValidatingAdmissionPolicy oldObject and
	 * request, Kyverno request.oldObject and request.operation) use them. */
	const char *operation;
	const gr_value *old_object;
	const gr_value *request;
	/* not_evaluated split by reason, in the order first given (the last
	 * entry takes the count of any reason past GR_CHECK_NE_REASONS, as
	 * "other reasons"). An engine that only adds to not_evaluated is
	 * entered here by the checker, under its not_evaluated_reason. */
	gr_check_ne ne[GR_CHECK_NE_REASONS];
	size_t nne;
} gr_check_ctx;

/* n rules of this object are not evaluated, for reason (static text). */
static inline void gr_check_ctx_not_evaluated(gr_check_ctx *ctx, size_t n, const char *reason)
{
	if (!n)
		return;
	if (!reason)
		reason = "not evaluated";
	ctx->not_evaluated += n;
	ctx->not_evaluated_reason = reason;
	size_t i = 0;
	while (i < ctx->nne && ctx->ne[i].reason != reason && strcmp(ctx->ne[i].reason, reason) != 0)
		i++;
	if (i == ctx->nne && i == GR_CHECK_NE_REASONS) {
		i--; /* full: the last entry is "other reasons" */
		ctx->ne[i].reason = "other reasons";
	} else if (i == ctx->nne) {
		ctx->ne[i].reason = reason;
		ctx->ne[i].count = 0;
		ctx->nne++;
	}
	ctx->ne[i].count += n;
}

typedef struct gr_engine {
	const char *name;    /* "schema", "pss", ... */
	const char *summary; /* one line for --help and docs */
	/* The kinds it must see whole before any check, NULL-terminated:
	 * "Namespace" (core group) or "apiextensions.k8s.io/CustomResourceDefinition".
	 * May be NULL. */
	const char *const *kinds;
	/* Options at their defaults. */
	int (*config_new)(void **config, gr_error *err);
	/* One option; unknown keys and bad values are errors. */
	int (*config_set)(void *config, const char *key, const char *value, gr_error *err);
	void (*config_free)(void *config);
	/* Build the prepared state. base is the prepared state this one extends
	 * (a checker derived for a session's own definitions), or NULL; it
	 * outlives the new state. set holds the declared kinds (may be empty). */
	int (*prepare)(const void *config, const void *base, const gr_set *set, void **prepared,
	               gr_error *err);
	/* Judge one object; append findings to out. Thread-safe. */
	int (*check)(const void *prepared, const gr_object *obj, gr_check_ctx *ctx, gr_findings *out,
	             gr_error *err);
	void (*prepared_free)(void *prepared);
	/* Optional: can definitions of the declared kinds, or the rest of the
	 * input set, change this engine's verdict on obj (judged with
	 * prepared, a checker's own state)? When every engine says no, a session
	 * judges obj as soon as it is decoded, before the set is complete
	 * (ctx->set is NULL then), and need not keep its tree. NULL: always yes. */
	bool (*needs_set)(const void *prepared, const gr_object *obj);
	/* Optional, with needs_set: declared kinds whose presence among the
	 * inputs withdraws every "no" needs_set gave (kyverno: policies, which
	 * judge objects even when the engine was given none). A session that
	 * meets one asks needs_set again, with the state prepared from the set,
	 * of every object it judged early — given then a light object (its
	 * header and apiVersion, kind and metadata name, namespace and labels
	 * only) — and judges again, with the set, the inputs where it says yes.
	 * NULL-terminated, as kinds; NULL: needs_set's answers hold whatever the
	 * inputs hold. */
	const char *const *revoking_kinds;
	/* Optional: kinds it must see whole because of what the set holds (a
	 * ValidatingAdmissionPolicy's paramKind): called with the checker's own
	 * prepared state once the set is built, before the state for the set
	 * is prepared; appends "group/Kind" or "Kind" (core) strings to out.
	 * The session then gives the set whole trees of the objects of those
	 * kinds (decoding their inputs again), so the state prepared from it
	 * sees them. -1 when memory ran out. */
	int (*set_kinds)(const void *prepared, const gr_set *set, gr_pathlist *out);
} gr_engine;

/* The built-in engines, NULL-terminated, in their default order. */
extern const gr_engine *const gr_builtin_engines[];
const gr_engine *gr_builtin_engine(const char *name);

/* Does the engine declare (group, kind)? */
bool gr_engine_wants_kind(const gr_engine *e, const char *group, const char *kind);

#ifdef __cplusplus
}
#endif

#endif
