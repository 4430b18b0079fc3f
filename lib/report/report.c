/*
 * report.c — reporter dispatch, the shared state of a reporter, and the
 * finding sort every format relies on. One file per format beside it.
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
		if (!n) {
			r->failed = true;
			return (size_t)-1;
		}
		r->rules = n;
		r->cap_rules = cap;
	}
	r->rules[r->nrules].id = strdup(id);
	r->rules[r->nrules].doc = doc ? strdup(doc) : NULL;
	if (!r->rules[r->nrules].id || (doc && !r->rules[r->nrules].doc)) {
		free(r->rules[r->nrules].id);
		free(r->rules[r->nrules].doc);
		r->failed = true;
		return (size_t)-1;
	}
	return r->nrules++;
}

void gr_report_summary_line(gr_buf *out, const gr_summary *s)
{
	gr_buf_printf(out, "%zu objects in %zu files: %zu valid, %zu invalid, %zu errors, %zu skipped", s->objects,
		      s->files, s->valid, s->invalid, s->errors, s->skipped);
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
	r->failed |= out->failed != 0;
}

void gr_report_file(gr_reporter *r, gr_buf *out, const gr_file_result *fr)
{
	formats[r->format].file(r, out, fr);
	r->failed |= out->failed != 0;
}

void gr_report_end(gr_reporter *r, gr_buf *out, const gr_summary *s)
{
	formats[r->format].end(r, out, s);
	r->failed |= out->failed != 0;
}

bool gr_reporter_failed(const gr_reporter *r) { return !r || r->failed; }

static int cmp_finding(const void *pa, const void *pb)
{
	const gr_finding *a = pa, *b = pb;
	if (a->document != b->document)
		return a->document < b->document ? -1 : 1;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->column != b->column)
		return a->column < b->column ? -1 : 1;
	int c = strcmp(a->rule ? a->rule : "", b->rule ? b->rule : "");
	if (c)
		return c;
	c = strcmp(a->path ? a->path : "", b->path ? b->path : "");
	if (c)
		return c;
	/* keep insertion order for the rest: compare addresses (same array) */
	return a < b ? -1 : a > b;
}

void gr_findings_sort(gr_finding *f, size_t n)
{
	if (n > 1)
		qsort(f, n, sizeof *f, cmp_finding);
}
