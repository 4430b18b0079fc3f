/*
 * text.c — the report for people: grouped by file, one line per finding in
 * the `file:line:col: severity rule: message` form editors and terminals
 * make clickable, the remediation under it, a summary line at the end.
 * Colour only when asked (the program asks when stdout is a terminal).
 */
#include "report_impl.h"

#define C_RESET  "\033[0m"
#define C_BOLD   "\033[1m"
#define C_RED    "\033[31m"
#define C_YELLOW "\033[33m"
#define C_CYAN   "\033[36m"
#define C_DIM    "\033[2m"

static const char *sev_color(gr_severity s)
{
	return s == GR_SEV_ERROR ? C_RED : s == GR_SEV_WARNING ? C_YELLOW : C_CYAN;
}

void gr_report_text_file(gr_reporter *r, gr_buf *out, const gr_file_result *fr)
{
	if (fr->nfindings == 0)
		return;
	if (r->nresults)
		gr_buf_putc(out, '\n');
	gr_buf_puts(out, r->color ? C_BOLD : "");
	gr_report_put_safe(out, fr->file);
	gr_buf_printf(out, "%s\n", r->color ? C_RESET : "");
	for (size_t i = 0; i < fr->nfindings; i++) {
		const gr_finding *f = &fr->findings[i];
		r->nresults++;
		gr_report_put_safe(out, gr_report_file_of(fr, f));
		if (f->line)
			gr_buf_printf(out, ":%u:%u: ", f->line, f->column ? f->column : 1);
		else
			gr_buf_puts(out, ": ");
		if (r->color)
			gr_buf_printf(out, "%s%s%s ", sev_color(f->severity), gr_severity_name(f->severity),
			              C_RESET);
		else
			gr_buf_printf(out, "%s ", gr_severity_name(f->severity));
		gr_buf_puts(out, r->color ? C_BOLD : "");
		gr_report_put_safe(out, gr_str_or(f->rule, "?"));
		gr_buf_printf(out, "%s: ", r->color ? C_RESET : "");
		if (f->object && f->object->kind[0]) {
			gr_report_put_safe(out, f->object->kind);
			gr_buf_putc(out, '/');
			gr_report_put_safe(out, f->object->name[0] ? f->object->name : "<unnamed>");
			gr_buf_puts(out, ": ");
		}
		gr_report_put_safe(out, gr_str_or(f->message, ""));
		if (f->action != GR_ACTION_ENFORCE)
			gr_buf_printf(out, " %s(%s)%s", r->color ? C_DIM : "", gr_action_name(f->action),
			              r->color ? C_RESET : "");
		gr_buf_putc(out, '\n');
		if (f->remediation && f->remediation[0]) {
			gr_buf_printf(out, "    %sfix:%s ", r->color ? C_CYAN : "", r->color ? C_RESET : "");
			gr_report_put_safe(out, f->remediation);
			gr_buf_putc(out, '\n');
		}
	}
}

void gr_report_text_end(gr_reporter *r, gr_buf *out, const gr_summary *s)
{
	if (r->nresults)
		gr_buf_putc(out, '\n');
	gr_report_summary_line(out, s);
	gr_buf_putc(out, '\n');
}
