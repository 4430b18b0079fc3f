/*
 * finding.h — the one record every engine produces and every reporter reads.
 *
 * A finding names the rule, how bad it is (severity), what the run does about
 * it (action: enforce fails the run / rejects the request, warn and audit
 * only report), the object, the field path and its source position, a
 * message, a one-line remediation and a documentation anchor. Reporters know
 * findings, never engines.
 *
 * Strings in a finding are owned by the arena of the file or request the
 * object came from (rule ids and doc anchors are usually static strings).
 */
#ifndef GUARDRAIL_FINDING_H
#define GUARDRAIL_FINDING_H

#include "guardrail/defs.h"

#include <stddef.h>
#include <stdint.h>

#include "guardrail/object.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gr_severity { GR_SEV_ERROR = 0, GR_SEV_WARNING, GR_SEV_INFO } gr_severity;
typedef enum gr_action { GR_ACTION_ENFORCE = 0, GR_ACTION_WARN, GR_ACTION_AUDIT } gr_action;

const char *gr_severity_name(gr_severity s); /* "error", "warning", "info" */
const char *gr_action_name(gr_action a);     /* "enforce", "warn", "audit" */

typedef struct gr_finding {
	const char *rule; /* "schema.type", "pss.privileged", ... */
	gr_severity severity;
	gr_action action;
	const gr_object *object; /* NULL for findings about a file (decode errors) */
	const char *file;
	unsigned document;
	const char *path;      /* field path relative to the object; "" for the whole object */
	uint32_t line, column; /* 1-based; 0 when unknown */
	const char *message;
	const char *remediation; /* one line; may be NULL */
	const char *doc;         /* documentation anchor, e.g. "docs/rules/schema.md#schema-type" */
	const char *reason;      /* optional machine reason (e.g. "FieldValueRequired"); may be NULL */
	/* Set when the position was mapped through Helm's `# Source:` comment
	 * (gr_session_options.helm_source): file and line are then the
	 * template's, and these where the finding is in the input. */
	const char *rendered_file;
	uint32_t rendered_line;
} gr_finding;

/* Growable list of findings (malloc'd array; strings live in `arena`). */
typedef struct gr_findings {
	gr_finding *items;
	size_t len, cap;
	gr_arena *arena; /* where engines put message strings */
	/* Set when a finding could not be recorded whole (memory) or an engine
	 * could not judge an object it had to (a corrupt schema document): the
	 * list is incomplete, and the caller must count the input as an error,
	 * never as passed. failure says why. */
	int failed;
	const char *failure;
} gr_findings;

void gr_findings_init(gr_findings *f, gr_arena *arena);
void gr_findings_free(gr_findings *f);
void gr_findings_reset(gr_findings *f);
/* Mark the list incomplete (see `failed`); the first reason is kept. why
 * must outlive the list (a static string or one in the list's arena). */
void gr_findings_fail(gr_findings *f, const char *why);
/* A zeroed slot at the end, or NULL on allocation failure. */
gr_finding *gr_findings_add(gr_findings *f);
/* Convenience: add a finding located at node v (line/column from v; v may be NULL). */
gr_finding *gr_findings_addf(gr_findings *f, const gr_object *obj, const char *rule, gr_severity sev,
                             gr_action act, const char *path, const gr_value *v, const char *fmt, ...)
        GR_PRINTF(8, 9);

#ifdef __cplusplus
}
#endif

#endif
