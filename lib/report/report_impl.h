/* report_impl.h — what the per-format reporter files share. Internal. */
#ifndef GUARDRAIL_REPORT_IMPL_H
#define GUARDRAIL_REPORT_IMPL_H

#include "guardrail/report.h"

struct gr_report_rule {
	char *id;
	char *doc;
	char *example;     /* the first finding's message: a rule's description when no catalogue has one */
	char *remediation; /* the first finding's remediation; may be NULL */
};

struct gr_reporter {
	gr_format format;
	bool color;
	const char *tool_version;
	size_t nresults; /* results/findings written so far (for separators) */
	struct gr_report_rule *rules;
	size_t nrules, cap_rules;
	bool failed;    /* an allocation failed: the output is incomplete */
	char *docs_url; /* base of helpUri and doc links; malloc'd */
};

/* The project's documentation, the default base of every doc link. */
#define GR_DOCS_URL_DEFAULT "https://github.com/guardrail-dev/guardrail/blob/main/"
#define GR_PROJECT_URL      "https://github.com/guardrail-dev/guardrail"

/* Append s with every control character shown, never sent: C0 controls,
 * DEL and the C1 range (U+0080..U+009F) become \xNN or \u00NN, so a name
 * or message cannot move the cursor, recolour a terminal, or start a new
 * line of a log (where the next line could pass for a tool's own output). */
void gr_report_put_safe(gr_buf *out, const char *s);
/* A finding's doc anchor as an absolute URL (an absolute anchor is kept);
 * "" when there is none. Valid until the next call. */
const char *gr_report_doc_url(gr_reporter *r, const char *doc, gr_buf *scratch);
/* Where a finding is: its input's file, or the Helm template its position
 * was mapped to (gr_finding.rendered_file). */
static inline const char *gr_report_file_of(const gr_file_result *fr, const gr_finding *f)
{
	return f->rendered_file ? f->file : fr->file;
}

/* "1 object", "2 objects": n and the noun, singular or plural (+s). */
void gr_report_count(gr_buf *out, size_t n, const char *noun);

/* "N objects in N files: N valid, N invalid, N errors, N skipped" (no newline). */
void gr_report_summary_line(gr_buf *out, const gr_summary *s);
/* ,"skippedReasons":{...},"notEvaluatedReasons":{...} */
void gr_report_summary_reasons_json(gr_buf *out, const gr_summary *s);

/* Index of f's rule id in the reporter's table, adding it on first use
 * (with f's doc anchor, message and remediation as the rule's metadata). */
size_t gr_reporter_rule_index(gr_reporter *r, const char *id, const gr_finding *f);

void gr_report_text_file(gr_reporter *r, gr_buf *out, const gr_file_result *fr);
void gr_report_text_end(gr_reporter *r, gr_buf *out, const gr_summary *s);
void gr_report_json_begin(gr_reporter *r, gr_buf *out);
void gr_report_json_file(gr_reporter *r, gr_buf *out, const gr_file_result *fr);
void gr_report_json_end(gr_reporter *r, gr_buf *out, const gr_summary *s);
void gr_report_sarif_begin(gr_reporter *r, gr_buf *out);
void gr_report_sarif_file(gr_reporter *r, gr_buf *out, const gr_file_result *fr);
void gr_report_sarif_end(gr_reporter *r, gr_buf *out, const gr_summary *s);
void gr_report_junit_begin(gr_reporter *r, gr_buf *out);
void gr_report_junit_file(gr_reporter *r, gr_buf *out, const gr_file_result *fr);
void gr_report_junit_end(gr_reporter *r, gr_buf *out, const gr_summary *s);
void gr_report_github_file(gr_reporter *r, gr_buf *out, const gr_file_result *fr);
void gr_report_github_end(gr_reporter *r, gr_buf *out, const gr_summary *s);

static inline const char *gr_str_or(const char *s, const char *def)
{
	return s ? s : def;
}

#endif
