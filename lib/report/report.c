/*
 * report.c — reporter dispatch and the shared state of a reporter. One
 * file per format beside it; the finding sort is in lib/finding.c.
 */
#include <stdlib.h>
#include <string.h>

#include "report_impl.h"

int gr_format_parse(const char *name)
{
	static const char *const names[] = {"text", "json", "sarif", "junit", "github"};
	for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

gr_reporter *gr_reporter_new(gr_format format, bool color, const char *tool_version)
{
	gr_reporter *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->format = format;
	r->color = color;
	r->tool_version = tool_version ? tool_version : "";
	return r;
}

void gr_reporter_free(gr_reporter *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nrules; i++) {
		free(r->rules[i].id);
		free(r->rules[i].doc);
	}
	free(r->rules);
	free(r);
}

size_t gr_reporter_rule_index(gr_reporter *r, const char *id, const char *doc)
{
	for (size_t i = 0; i < r->nrules; i++)
		if (strcmp(r->rules[i].id, id) == 0)
			return i;
	if (r->nrules == r->cap_rules) {
		size_t cap = r->cap_rules ? r->cap_rules * 2 : 32;
		struct gr_report_rule *n = realloc(r->rules, cap * sizeof *n);
		if (!n)
			return (size_t)-1;
		r->rules = n;
		r->cap_rules = cap;
	}
	r->rules[r->nrules].id = strdup(id);
	r->rules[r->nrules].doc = doc ? strdup(doc) : NULL;
	return r->nrules++;
}

static void reasons_text(gr_buf *out, const gr_reason_count *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		gr_buf_printf(out, "%s%s: %zu", i ? ", " : " (", v[i].reason, v[i].count);
	if (n)
		gr_buf_putc(out, ')');
}

void gr_report_summary_line(gr_buf *out, const gr_summary *s)
{
	gr_buf_printf(out, "%zu objects in %zu files: %zu valid, %zu invalid, %zu errors, %zu skipped", s->objects,
		      s->files, s->valid, s->invalid, s->errors, s->skipped);
	reasons_text(out, s->skipped_reasons, s->nskipped_reasons);
	if (s->not_evaluated) {
		gr_buf_printf(out, "; %zu rules not evaluated", s->not_evaluated);
		reasons_text(out, s->not_evaluated_reasons, s->nnot_evaluated_reasons);
	}
}

static void reasons_json(gr_buf *out, const char *name, const gr_reason_count *v, size_t n)
{
	gr_buf_printf(out, ",\"%s\":{", name);
	for (size_t i = 0; i < n; i++) {
		if (i)
			gr_buf_putc(out, ',');
		gr_buf_json_string(out, v[i].reason, strlen(v[i].reason));
		gr_buf_printf(out, ":%zu", v[i].count);
	}
	gr_buf_putc(out, '}');
}

void gr_report_summary_reasons_json(gr_buf *out, const gr_summary *s)
{
	reasons_json(out, "skippedReasons", s->skipped_reasons, s->nskipped_reasons);
	reasons_json(out, "notEvaluatedReasons", s->not_evaluated_reasons, s->nnot_evaluated_reasons);
}

/* Each format's three steps, indexed by gr_format; a NULL step writes nothing. */
static const struct format_ops {
	void (*begin)(gr_reporter *r, gr_buf *out);
	void (*file)(gr_reporter *r, gr_buf *out, const gr_file_result *fr);
	void (*end)(gr_reporter *r, gr_buf *out, const gr_summary *s);
} formats[] = {
	[GR_FORMAT_TEXT] = {NULL, gr_report_text_file, gr_report_text_end},
	[GR_FORMAT_JSON] = {gr_report_json_begin, gr_report_json_file, gr_report_json_end},
	[GR_FORMAT_SARIF] = {gr_report_sarif_begin, gr_report_sarif_file, gr_report_sarif_end},
	[GR_FORMAT_JUNIT] = {gr_report_junit_begin, gr_report_junit_file, gr_report_junit_end},
	[GR_FORMAT_GITHUB] = {NULL, gr_report_github_file, gr_report_github_end},
};

void gr_report_begin(gr_reporter *r, gr_buf *out)
{
	if (formats[r->format].begin)
		formats[r->format].begin(r, out);
}

void gr_report_file(gr_reporter *r, gr_buf *out, const gr_file_result *fr) { formats[r->format].file(r, out, fr); }

void gr_report_end(gr_reporter *r, gr_buf *out, const gr_summary *s) { formats[r->format].end(r, out, s); }
