/* report_impl.h — what the per-format reporter files share. Internal. */
#ifndef GUARDRAIL_REPORT_IMPL_H
#define GUARDRAIL_REPORT_IMPL_H

#include "guardrail/report.h"

struct gr_report_rule {
	char *id;
	char *doc;
};

struct gr_reporter {
	gr_format format;
	bool color;
	const char *tool_version;
	size_t nresults; /* results/findings written so far (for separators) */
	struct gr_report_rule *rules;
	size_t nrules, cap_rules;
	bool failed; /* an allocation failed: the output is incomplete */
};

/* "N objects in N files: N valid, N invalid, N errors, N skipped" (no newline). */
void gr_report_summary_line(gr_buf *out, const gr_summary *s);

/* Index of a rule id in the reporter's table, adding it on first use. */
size_t gr_reporter_rule_index(gr_reporter *r, const char *id, const char *doc);

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

static inline const char *gr_str_or(const char *s, const char *def) { return s ? s : def; }

#endif
