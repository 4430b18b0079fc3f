/*
 * session.h — the pipeline: options, a prepared checker, sessions.
 *
 *   gr_options   mutable: the engines known (the built-ins, plus any an
 *                embedder registers), the ones selected, and each engine's
 *                own options (key = value strings, checked when set).
 *   gr_checker   immutable and reference-counted: every selected engine
 *                prepared from the options (schemas, --crd definitions...).
 *                Share it between threads; replace it atomically with a
 *                gr_checker_cell while others still check with the old one,
 *                which is freed when its last user lets go.
 *   gr_session   one batch against one checker (a CLI run, one admission
 *                request, one audit): inputs are files, bytes with a name,
 *                or trees already decoded. gr_session_run makes
 *                  1. the set-level pass: read and decode every input
 *                     once, in parallel, and index every object in input
 *                     order (set.h); the kinds engines declared are kept
 *                     whole; a definition repeated with different content
 *                     is a finding naming both places;
 *                  2. when the inputs hold declared kinds, a checker
 *                     derived from the session's one (definitions resolve
 *                     by input order: the first wins, after the checker's
 *                     own);
 *                  3. the check pass, in parallel, results handed to the
 *                     caller strictly in input order (gr_result_fn), then
 *                     the summary.
 *
 * Output depends on the inputs and their order only, never on the number
 * of threads: findings are totally ordered (gr_findings_sort).
 */
#ifndef GUARDRAIL_SESSION_H
#define GUARDRAIL_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "guardrail/decode.h"
#include "guardrail/engine.h"
#include "guardrail/error.h"
#include "guardrail/finding.h"
#include "guardrail/report.h"
#include "guardrail/set.h"
#include "guardrail/value.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- options ---- */

typedef struct gr_options gr_options;

/* Every built-in engine registered, none selected (selecting none means all). */
gr_options *gr_options_new(void);
void gr_options_free(gr_options *o);
/* Make an engine known by its name (e must outlive the options and every
 * checker made from them). A name already known is an error. */
int gr_options_register(gr_options *o, const gr_engine *e, gr_error *err);
/* Select engines from a comma-separated list ("schema,pss"), replacing the
 * selection. Unknown names and an empty list are errors. */
int gr_options_select(gr_options *o, const char *list, gr_error *err);
/* One option of one engine (selected or not). */
int gr_options_set(gr_options *o, const char *engine, const char *key, const char *value, gr_error *err);
/* Names of every known engine, in order. */
size_t gr_options_engines(const gr_options *o, const char *const **names);

/* ---- checker ---- */

typedef struct gr_checker gr_checker;

/* Prepare every selected engine. The checker keeps its own copy of the
 * options: o may change or be freed afterwards. Reference count 1. */
int gr_checker_new(gr_checker **out, const gr_options *o, gr_error *err);
/* A checker extending c with the definitions of set (c's own win). */
int gr_checker_derive(gr_checker **out, gr_checker *c, const gr_set *set, gr_error *err);
gr_checker *gr_checker_ref(gr_checker *c);
void gr_checker_unref(gr_checker *c);
/* Does some engine of c declare (group, kind)? */
bool gr_checker_wants_kind(const gr_checker *c, const char *group, const char *kind);
/* May set-level definitions or the input set change c's verdict on obj
 * (gr_engine.needs_set of every engine)? */
bool gr_checker_needs_set(const gr_checker *c, const gr_object *obj);

/*
 * Run every engine over one object (no session): findings appended to out,
 * status and counters in *ctx's caller-visible fields. -1 when an engine
 * failed (err says which and why); the other engines still ran.
 */
int gr_checker_check_object(gr_checker *c, const gr_object *obj, gr_check_ctx *ctx, gr_findings *out,
                            gr_object_status *status, gr_error *err);

/* A place holding the current checker, for a server that reloads. */
typedef struct gr_checker_cell gr_checker_cell;
gr_checker_cell *gr_checker_cell_new(gr_checker *initial); /* takes a reference */
/* The current checker with a reference taken: unref it when done. */
gr_checker *gr_checker_cell_get(gr_checker_cell *cell);
/* Put c in the cell (takes a reference); the old one is unreferenced. */
void gr_checker_cell_set(gr_checker_cell *cell, gr_checker *c);
void gr_checker_cell_free(gr_checker_cell *cell);

/* ---- session ---- */

typedef struct gr_session_options {
	unsigned jobs;                 /* worker threads; 0 or 1: the calling thread only */
	bool ignore_definitions;       /* declared kinds among the inputs are checked, not applied */
	gr_decode_limits limits;       /* input size, depth, aliases */
	size_t max_retained_bytes;     /* decoded trees kept between the passes; beyond it
	                                  inputs are decoded again in the check pass (0: default) */
	bool honour_ignore_annotation; /* guardrail.dev/ignore (+ -reason) drops the findings it
	                                  names, of every engine, counted as suppressed (default on) */
	int helm_source;               /* GR_HELM_SOURCE_*: findings in a document that begins
	                                  with Helm's `# Source: <template>` comment are reported
	                                  at the template and its line (default: never) */
} gr_session_options;

enum {
	GR_HELM_SOURCE_NEVER = 0,
	GR_HELM_SOURCE_STREAMS = 1, /* inputs that are no regular file: bytes given to the
	                               session, standard input, a pipe, a FIFO */
	GR_HELM_SOURCE_ALWAYS = 2,
};

void gr_session_options_default(gr_session_options *o);

typedef struct gr_session gr_session;

/* A session on c (a reference is taken). opt may be NULL for defaults. */
gr_session *gr_session_new(gr_checker *c, const gr_session_options *opt);
void gr_session_free(gr_session *s);

/* Inputs, in order. Names are copied. */
/* A file the session reads (once) in its set-level pass. */
int gr_session_add_file(gr_session *s, const char *path);
/* Bytes the caller holds (valid until gr_session_run returns). */
int gr_session_add_bytes(gr_session *s, const char *name, const char *data, size_t len);
/* A tree already decoded (valid until gr_session_run returns): one
 * document, List kinds flattened. */
int gr_session_add_value(gr_session *s, const char *name, const gr_value *root);
/* An input the caller could not read: reported in its place, counted as an error. */
int gr_session_add_failed(gr_session *s, const char *name, const gr_error *why);

/* What one input gave, handed to the caller in input order. */
typedef struct gr_input_result {
	gr_file_result report;       /* file, objects, status, findings: what reporters take */
	size_t errors;               /* read, decode and engine errors of this input */
	const gr_error *first_error; /* the first of them (position, kind), or NULL */
	size_t not_evaluated;
} gr_input_result;

/* Return non-zero to stop the run (the rest is still counted as not run). */
typedef int (*gr_result_fn)(void *user, const gr_input_result *r);

/*
 * Run the session: both passes, fn called once per input in input order
 * (from the calling thread), *sum filled. Returns 0, or -1 with err set when
 * the run itself could not proceed (allocation, a failed derivation); input
 * problems are findings and summary errors, not a failed run.
 */
int gr_session_run(gr_session *s, gr_result_fn fn, void *user, gr_summary *sum, gr_error *err);

#ifdef __cplusplus
}
#endif

#endif
