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

int gr_reporter_set_docs_url(gr_reporter *r, const char *base)
{
	if (!base || !*base)
		base = GR_DOCS_URL_DEFAULT;
	size_t n = strlen(base);
	char *d = malloc(n + 2);
	if (!d) {
		r->failed = true;
		return -1;
	}
	memcpy(d, base, n + 1);
	if (base[n - 1] != '/') /* a base is a folder: docs/... goes below it */
		memcpy(d + n, "/", 2);
	free(r->docs_url);
	r->docs_url = d;
	return 0;
}

const char *gr_report_doc_url(gr_reporter *r, const char *doc, gr_buf *scratch)
{
	gr_buf_reset(scratch);
	if (!doc || !*doc)
		return "";
	if (!strstr(doc, "://"))
		gr_buf_puts(scratch, r->docs_url ? r->docs_url : GR_DOCS_URL_DEFAULT);
	gr_buf_puts(scratch, doc);
	if (scratch->failed)
		r->failed = true;
	return scratch->data && !scratch->failed ? scratch->data : "";
}

void gr_report_put_safe(gr_buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0;
	for (;; p++) {
		unsigned char c = *p;
		bool c1 = c == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F; /* U+0080..U+009F in UTF-8 */
		if (c && c >= 0x20 && c != 0x7F && !c1) {
			run++;
			continue;
		}
		if (run)
			gr_buf_append(out, (const char *)p - run, run);
		run = 0;
		if (!c)
			break;
		if (c1) {
			gr_buf_printf(out, "\\u%04X", p[1]);
			p++;
		} else if (c == '\n') {
			gr_buf_puts(out, "\\n");
		} else if (c == '\t') {
			gr_buf_puts(out, "\\t");
		} else if (c == '\r') {
			gr_buf_puts(out, "\\r");
		} else {
			gr_buf_printf(out, "\\x%02X", c);
		}
	}
}

void gr_report_count(gr_buf *out, size_t n, const char *noun)
{
	gr_buf_printf(out, "%zu %s%s", n, noun, n == 1 ? "" : "s");
}

void gr_reporter_free(gr_reporter *r)
{
	if (!r)
		return;
	free(r->docs_url);
	for (size_t i = 0; i < r->nrules; i++) {
		free(r->rules[i].id);
		free(r->rules[i].doc);
		free(r->rules[i].example);
		free(r->rules[i].remediation);
	}
	free(r->rules);
	free(r);
}

static char *dup_or_null(const char *s, bool *failed)
{
	if (!s || !s[0])
		return NULL;
	char *d = strdup(s);
	if (!d)
		*failed = true;
	return d;
}

size_t gr_reporter_rule_index(gr_reporter *r, const char *id, const gr_finding *f)
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
	bool failed = false;
	struct gr_report_rule e = {
	        .id = dup_or_null(id, &failed),
	        .doc = dup_or_null(f->doc, &failed),
	        .example = dup_or_null(f->message, &failed),
	        .remediation = dup_or_null(f->remediation, &failed),
	};
	if (failed || !e.id) {
		free(e.id);
		free(e.doc);
		free(e.example);
		free(e.remediation);
		r->failed = true;
		return (size_t)-1;
	}
	r->rules[r->nrules] = e;
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
	gr_report_count(out, s->objects, "object");
	gr_buf_puts(out, " in ");
	gr_report_count(out, s->files, "file");
	gr_buf_printf(out, ": %zu valid, %zu invalid, ", s->valid, s->invalid);
	gr_report_count(out, s->errors, "error");
	gr_buf_printf(out, ", %zu skipped", s->skipped);
	reasons_text(out, s->skipped_reasons, s->nskipped_reasons);
	if (s->suppressed) {
		gr_buf_puts(out, "; ");
		gr_report_count(out, s->suppressed, "finding");
		gr_buf_puts(out, " suppressed by guardrail.dev/ignore");
	}
	if (s->not_evaluated) {
		gr_buf_printf(out, "; ");
		gr_report_count(out, s->not_evaluated, "rule");
		gr_buf_puts(out, " not evaluated");
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
	if (s->suppressed) /* only when some were: the key is absent otherwise */
		gr_buf_printf(out, ",\"suppressed\":%zu", s->suppressed);
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

bool gr_reporter_failed(const gr_reporter *r)
{
	return !r || r->failed;
}
