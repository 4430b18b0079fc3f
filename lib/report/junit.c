/*
 * junit.c — JUnit XML for CI test tabs: a testsuite per file (so counts are
 * known when its start tag is written), a testcase per object, a <failure>
 * per finding; an input that could not be decoded is an <error>.
 */
#include <string.h>

#include "report_impl.h"

static void xml_escape(gr_buf *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '<': gr_buf_puts(out, "&lt;"); break;
		case '>': gr_buf_puts(out, "&gt;"); break;
		case '&': gr_buf_puts(out, "&amp;"); break;
		case '"': gr_buf_puts(out, "&quot;"); break;
		case '\'': gr_buf_puts(out, "&apos;"); break;
		default:
			if (*p < 0x20 || *p == 0x7F || (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)) {
				/* not representable in XML 1.0, or a terminal control: shown as text */
				char one[3] = {(char)*p, *p == 0xC2 ? (char)p[1] : '\0', '\0'};
				gr_report_put_safe(out, one);
				p += *p == 0xC2;
			} else {
				gr_buf_putc(out, (char)*p);
			}
		}
	}
}

void gr_report_junit_begin(gr_reporter *r, gr_buf *out)
{
	gr_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"guardrail\">\n");
}

static void failure(gr_buf *out, const gr_finding *f, const char *file, const char *tag)
{
	gr_buf_printf(out, "      <%s message=\"", tag);
	xml_escape(out, gr_str_or(f->message, ""));
	gr_buf_puts(out, "\" type=\"");
	xml_escape(out, gr_str_or(f->rule, ""));
	gr_buf_puts(out, "\">");
	gr_buf_printf(out, "%s %s (%s): ", gr_severity_name(f->severity), gr_str_or(f->rule, ""),
	              gr_action_name(f->action));
	xml_escape(out, gr_str_or(f->message, ""));
	if (f->path && f->path[0]) {
		gr_buf_puts(out, "\nfield: ");
		xml_escape(out, f->path);
	}
	if (f->remediation && f->remediation[0]) {
		gr_buf_puts(out, "\nfix: ");
		xml_escape(out, f->remediation);
	}
	gr_buf_puts(out, "\nat ");
	xml_escape(out, file);
	if (f->line) /* a position only where there is one */
		gr_buf_printf(out, ":%u:%u", f->line, f->column ? f->column : 1);
	gr_buf_printf(out, "</%s>\n", tag);
}

void gr_report_junit_file(gr_reporter *r, gr_buf *out, const gr_file_result *fr)
{
	size_t failures = 0, errors = 0, skipped = 0, tests = fr->nobjects;
	for (size_t i = 0; i < fr->nfindings; i++)
		if (!fr->findings[i].object)
			errors++;
	for (size_t o = 0; o < fr->nobjects; o++) {
		if (fr->status[o] == GR_OBJECT_SKIPPED)
			skipped++;
		for (size_t i = 0; i < fr->nfindings; i++)
			if (fr->findings[i].object == &fr->objects[o]) {
				failures++;
				break;
			}
	}
	tests += errors;
	gr_buf_puts(out, "  <testsuite name=\"");
	xml_escape(out, fr->file);
	gr_buf_printf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\">\n", tests,
	              failures, errors, skipped);
	for (size_t i = 0; i < fr->nfindings; i++) {
		const gr_finding *f = &fr->findings[i];
		if (f->object)
			continue;
		gr_buf_puts(out, "    <testcase classname=\"");
		xml_escape(out, fr->file);
		gr_buf_printf(out, "\" name=\"document %u\">\n", f->document);
		failure(out, f, gr_report_file_of(fr, f), "error");
		gr_buf_puts(out, "    </testcase>\n");
	}
	for (size_t o = 0; o < fr->nobjects; o++) {
		const gr_object *obj = &fr->objects[o];
		gr_buf_puts(out, "    <testcase classname=\"");
		xml_escape(out, fr->file);
		gr_buf_puts(out, "\" name=\"");
		xml_escape(out, obj->kind[0] ? obj->kind : "<no kind>");
		gr_buf_putc(out, '/');
		xml_escape(out, obj->name[0] ? obj->name : "<unnamed>");
		gr_buf_printf(out, " (document %u", obj->document);
		if (obj->item >= 0)
			gr_buf_printf(out, ", item %d", obj->item);
		gr_buf_puts(out, ")\">\n");
		if (fr->status[o] == GR_OBJECT_SKIPPED) {
			const char *why = fr->skip_reasons && fr->skip_reasons[o]
			                          ? fr->skip_reasons[o]
			                          : "no engine could judge this object";
			gr_buf_puts(out, "      <skipped message=\"");
			xml_escape(out, why);
			gr_buf_puts(out, "\"/>\n");
		}
		for (size_t i = 0; i < fr->nfindings; i++)
			if (fr->findings[i].object == obj)
				failure(out, &fr->findings[i], gr_report_file_of(fr, &fr->findings[i]),
				        "failure");
		gr_buf_puts(out, "    </testcase>\n");
	}
	gr_buf_puts(out, "  </testsuite>\n");
}

void gr_report_junit_end(gr_reporter *r, gr_buf *out, const gr_summary *s)
{
	/* the summary, with what was skipped or not evaluated and why */
	gr_buf summary;
	gr_buf_init(&summary);
	gr_report_summary_line(&summary, s);
	gr_buf_puts(out, "  <!-- ");
	for (size_t i = 0; i < summary.len; i++) /* "--" may not appear in a comment */
		gr_buf_putc(out, summary.data[i] == '-' && i + 1 < summary.len && summary.data[i + 1] == '-'
		                         ? '_'
		                         : summary.data[i]);
	gr_buf_puts(out, " -->\n");
	gr_buf_free(&summary);
	gr_buf_puts(out, "</testsuites>\n");
}
