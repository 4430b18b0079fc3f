/*
 * report.h — findings to text, JSON, SARIF, JUnit and GitHub workflow
 * commands.
 *
 * Reporters stream: begin, then one call per input file in input order,
 * then end with the summary. Each call appends to a caller-supplied gr_buf,
 * so the library never prints and a caller can flush per file and keep
 * memory flat however many files there are. Reporters see findings, never
 * engines. A reporter is used from one thread at a time.
 */
#ifndef GUARDRAIL_REPORT_H
#define GUARDRAIL_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "guardrail/buf.h"
#include "guardrail/finding.h"
#include "guardrail/object.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gr_format {
	GR_FORMAT_TEXT = 0,
	GR_FORMAT_JSON,
	GR_FORMAT_SARIF,
	GR_FORMAT_JUNIT,
	GR_FORMAT_GITHUB
} gr_format;

/* "text", "json", ... -> format; -1 when unknown. */
int gr_format_parse(const char *name);

typedef enum gr_object_status {
	GR_OBJECT_VALID = 0, /* judged, no enforce-level finding */
	GR_OBJECT_INVALID,   /* at least one enforce-level finding */
	GR_OBJECT_SKIPPED    /* no engine could judge it */
} gr_object_status;

/* How many objects or rules a reason accounts for (a summary's skipped
 * and not_evaluated counts, split by why). */
typedef struct gr_reason_count {
	const char *reason;
	size_t count;
} gr_reason_count;

typedef struct gr_summary {
	size_t files;
	size_t objects;
	size_t valid;
	size_t invalid;
	size_t errors; /* inputs (files or documents) that could not be read or decoded */
	size_t skipped;
	size_t not_evaluated; /* rules present but not evaluated (CEL) */
	size_t findings;
	const gr_reason_count *skipped_reasons; /* sum of counts == skipped */
	size_t nskipped_reasons;
	const gr_reason_count *not_evaluated_reasons; /* sum of counts == not_evaluated */
	size_t nnot_evaluated_reasons;
	size_t suppressed; /* findings dropped by an object's guardrail.dev/ignore annotation */
} gr_summary;

typedef struct gr_file_result {
	const char *file;
	const gr_object *objects;
	const unsigned char *status;     /* gr_object_status per object */
	const char *const *skip_reasons; /* why, per skipped object; may be NULL */
	size_t nobjects;
	const gr_finding *findings; /* sorted by position */
	size_t nfindings;
} gr_file_result;

typedef struct gr_reporter gr_reporter;

/* color: use ANSI colours (text only). tool_version goes into SARIF. */
gr_reporter *gr_reporter_new(gr_format format, bool color, const char *tool_version);
void gr_reporter_free(gr_reporter *r);
/* The base URL that doc anchors ("docs/rules/schema.md#schematype") are
 * resolved against in SARIF's helpUri and JSON's doc: NULL or "" for the
 * default, https://github.com/guardrail-dev/guardrail/blob/main/ (a
 * trailing slash is added when missing). -1 on allocation failure. */
int gr_reporter_set_docs_url(gr_reporter *r, const char *base);
void gr_report_begin(gr_reporter *r, gr_buf *out);
void gr_report_file(gr_reporter *r, gr_buf *out, const gr_file_result *fr);
void gr_report_end(gr_reporter *r, gr_buf *out, const gr_summary *s);

/* True when any call so far could not write its whole output (memory):
 * what the buffers hold is incomplete and the caller must fail (exit 2).
 * A NULL reporter (gr_reporter_new failed) counts as failed. */
bool gr_reporter_failed(const gr_reporter *r);

/* Sort findings into a total order: document, line, column, rule, path,
 * message, severity, action, then the order they were added in. */
void gr_findings_sort(gr_finding *f, size_t n);

#ifdef __cplusplus
}
#endif

#endif
