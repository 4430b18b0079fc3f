/* error.c — filling gr_error values (see error.h). */
#include "guardrail/error.h"

#include "cnum.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void gr_error_clear(gr_error *err)
{
	if (err)
		memset(err, 0, sizeof *err);
}

int gr_error_set(gr_error *err, uint32_t line, uint32_t column, const char *fmt, ...)
{
	if (!err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	gri_vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	err->line = line;
	err->column = column;
	/* Every allocation failure in the library says "out of memory": marked
	 * here, in one place, so that no call site can forget that the input
	 * was not judged (a caller must never read it as a decode verdict). */
	err->kind = strncmp(err->message, "out of memory", 13) == 0 ? GR_ERR_NOMEM : GR_ERR_OTHER;
	return -1;
}

void gr_error_set_file(gr_error *err, const char *file)
{
	if (err && file)
		snprintf(err->file, sizeof err->file, "%s", file);
}
