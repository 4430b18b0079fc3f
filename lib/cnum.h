/*
 * cnum.h — numbers in and out the same under any LC_NUMERIC (internal).
 *
 * An embedding program may call setlocale(LC_ALL, ""), after which printf's
 * "%g" writes "1,5" and strtod stops at the comma in a German locale. The
 * library's output must not depend on that: these wrappers run the C
 * library's formatting and parsing in the "C" locale, for the calling thread
 * only (uselocale), and leave the caller's locale as it was.
 */
#ifndef GUARDRAIL_CNUM_H
#define GUARDRAIL_CNUM_H

#include <stdarg.h>
#include <stddef.h>

#include "guardrail/defs.h"

int gri_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap);
int gri_snprintf(char *buf, size_t cap, const char *fmt, ...) GR_PRINTF(3, 4);
/* strtod in the C locale: defined with the decoders' number reading
 * (decode_util.c, declared in internal.h too). */
double gri_strtod(const char *s, char **end);

#endif
