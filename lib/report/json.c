/*
 * json.c — the machine report: {"findings":[...],"summary":{...}} with
 * exactly the fields of the finding contract, one object per finding,
 * streamed file by file.
 */
#include <string.h>

#include "report_impl.h"

static void field_str(gr_buf *out, const char *name, const char *v)
{
	gr_buf_putc(out, '"');
	gr_buf_puts(out, name);
	gr_buf_append(out, "\":", 2);
	if (v)
		gr_buf_json_string(out, v, strlen(v));
	else
		gr_buf_puts(out, "null");
}

/* a decimal without printf (a report writes three per finding) */
static void put_uint(gr_buf *out, unsigned v)
{
	char d[12];
	size_t i = sizeof d;
	do
		d[--i] = (char)('0' + v % 10);
	while (v /= 10);
	gr_buf_append(out, d + i, sizeof d - i);
}

void gr_report_json_begin(gr_reporter *r, gr_buf *out)
{
	gr_buf_puts(out, "{\"findings\":[");
}

void gr_report_json_file(gr_reporter *r, gr_buf *out, const gr_file_result *fr)
{
	for (size_t i = 0; i < fr->nfindings; i++) {
		const gr_finding *f = &fr->findings[i];
		const gr_object *o = f->object;
		if (r->nresults++)
			gr_buf_putc(out, ',');
		gr_buf_puts(out, "\n{");
		field_str(out, "rule", f->rule);
		gr_buf_putc(out, ',');
		field_str(out, "severity", gr_severity_name(f->severity));
		gr_buf_putc(out, ',');
		field_str(out, "action", gr_action_name(f->action));
		gr_buf_putc(out, ',');
		field_str(out, "apiVersion", o ? o->api_version : "");
		gr_buf_putc(out, ',');
		field_str(out, "kind", o ? o->kind : "");
		gr_buf_putc(out, ',');
		field_str(out, "namespace", o ? o->namespace_ : "");
		gr_buf_putc(out, ',');
		field_str(out, "name", o ? o->name : "");
		gr_buf_putc(out, ',');
		field_str(out, "file", gr_report_file_of(fr, f));
		gr_buf_puts(out, ",\"document\":");
		put_uint(out, f->document);
		gr_buf_puts(out, ",\"line\":");
		put_uint(out, f->line);
		gr_buf_puts(out, ",\"column\":");
		put_uint(out, f->column);
		gr_buf_putc(out, ',');
		field_str(out, "path", f->path ? f->path : "");
		gr_buf_putc(out, ',');
		field_str(out, "message", f->message ? f->message : "");
		gr_buf_putc(out, ',');
		field_str(out, "remediation", f->remediation ? f->remediation : "");
		gr_buf_putc(out, ',');
		field_str(out, "reason", f->reason); /* null when the rule has none */
		if (f->rendered_file) {              /* mapped to a Helm template: where it is in the input */
			gr_buf_puts(out, ",\"rendered\":{");
			field_str(out, "file", f->rendered_file);
			gr_buf_puts(out, ",\"line\":");
			put_uint(out, f->rendered_line);
			gr_buf_putc(out, '}');
		}
		gr_buf_putc(out, ',');
		gr_buf scratch;
		gr_buf_init(&scratch);
		const char *doc = gr_report_doc_url(r, f->doc, &scratch);
		field_str(out, "doc", *doc ? doc : NULL);
		gr_buf_free(&scratch);
		gr_buf_putc(out, '}');
	}
}

void gr_report_json_end(gr_reporter *r, gr_buf *out, const gr_summary *s)
{
	gr_buf_printf(out,
	              "%s],\"summary\":{\"files\":%zu,\"objects\":%zu,\"valid\":%zu,\"invalid\":%zu,"
	              "\"errors\":%zu,\"skipped\":%zu,\"notEvaluated\":%zu",
	              r->nresults ? "\n" : "", s->files, s->objects, s->valid, s->invalid, s->errors,
	              s->skipped, s->not_evaluated);
	gr_report_summary_reasons_json(out, s);
	gr_buf_puts(out, "}}\n");
}
