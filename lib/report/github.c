/*
 * github.c — GitHub Actions workflow commands: `::error file=F,line=L,col=C::msg`
 * (warnings and notices likewise), which annotate the pull request diff.
 * Properties and data are escaped as the runner requires (% \r \n, and : ,
 * in properties).
 */
#include "report_impl.h"

static void esc(gr_buf *out, const char *s, int property)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c < 0x20 && c != '\r' && c != '\n') || c == 0x7F ||
		    (c == 0xC2 && (unsigned char)s[1] >= 0x80 && (unsigned char)s[1] <= 0x9F)) {
			char one[3] = {*s, c == 0xC2 ? s[1] : '\0', '\0'};
			gr_report_put_safe(out, one); /* ESC and friends: shown, never sent */
			s += c == 0xC2;
			continue;
		}
		switch (*s) {
		case '%': gr_buf_puts(out, "%25"); break;
		case '\r': gr_buf_puts(out, "%0D"); break;
		case '\n': gr_buf_puts(out, "%0A"); break;
		case ':':
			if (property)
				gr_buf_puts(out, "%3A");
			else
				gr_buf_putc(out, ':');
			break;
		case ',':
			if (property)
				gr_buf_puts(out, "%2C");
			else
				gr_buf_putc(out, ',');
			break;
		default: gr_buf_putc(out, *s);
		}
	}
}

void gr_report_github_file(gr_reporter *r, gr_buf *out, const gr_file_result *fr)
{
	for (size_t i = 0; i < fr->nfindings; i++) {
		const gr_finding *f = &fr->findings[i];
		const char *cmd = f->severity == GR_SEV_ERROR     ? "error"
		                  : f->severity == GR_SEV_WARNING ? "warning"
		                                                  : "notice";
		gr_buf_printf(out, "::%s file=", cmd);
		esc(out, gr_report_file_of(fr, f), 1);
		if (f->line)
			gr_buf_printf(out, ",line=%u,col=%u", f->line, f->column ? f->column : 1);
		gr_buf_puts(out, ",title=");
		esc(out, gr_str_or(f->rule, ""), 1);
		gr_buf_puts(out, "::");
		if (f->object && f->object->kind[0]) {
			esc(out, f->object->kind, 0);
			gr_buf_putc(out, '/');
			esc(out, f->object->name[0] ? f->object->name : "<unnamed>", 0);
			gr_buf_puts(out, ": ");
		}
		esc(out, gr_str_or(f->message, ""), 0);
		if (f->remediation && f->remediation[0]) {
			gr_buf_puts(out, " Fix: ");
			esc(out, f->remediation, 0);
		}
		gr_buf_putc(out, '\n');
		r->nresults++;
	}
}

void gr_report_github_end(gr_reporter *r, gr_buf *out, const gr_summary *s)
{
	gr_report_summary_line(out, s);
	gr_buf_putc(out, '\n');
}
