/*
 * cnum.c — locale-independent number formatting and parsing (see cnum.h).
 * One "C" locale object, made once, shared read-only by every thread.
 */
#include <locale.h>
#include <pthread.h>
#include <stdio.h>

#include "cnum.h"

static locale_t c_locale;
static pthread_once_t c_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
	c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

static locale_t numeric_c(void)
{
	pthread_once(&c_once, make_c_locale);
	return c_locale;
}

int gri_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
{
	locale_t c = numeric_c();
	locale_t old = c ? uselocale(c) : (locale_t)0;
	int n = vsnprintf(buf, cap, fmt, ap);
	if (old)
		uselocale(old);
	return n;
}

int gri_snprintf(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = gri_vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	return n;
}
