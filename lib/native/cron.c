/*
 * cron.c — a CronJob's schedule and time zone as the API server parses them
 * (batch validateScheduleFormat with robfig/cron's standard parser, and
 * validateTimeZone): five fields or a descriptor, ranges, steps and names
 * within each field's bounds, no TZ= prefix; the time zone an IANA name
 * known to the system's zoneinfo database (/usr/share/zoneinfo), never
 * "Local".
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "native_int.h"

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul",
                                     "aug", "sep", "oct", "nov", "dec", NULL};
static const char *const days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};

/* a number or a name; -1 when neither */
static long value(const char *s, size_t n, const char *const *names, int base)
{
	if (n == 0)
		return -1;
	bool digits = true;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			digits = false;
	if (digits && n < 10)
		return strtol(s, NULL, 10);
	for (int i = 0; names && names[i]; i++)
		if (n == 3 && strncasecmp(s, names[i], 3) == 0)
			return i + base;
	return -1;
}

static bool field_ok(const char *f, size_t n, long lo, long hi, const char *const *names, int base, char *why,
                     size_t wn)
{
	const char *p = f, *end = f + n;
	while (p <= end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *e = comma ? comma : end;
		const char *slash = memchr(p, '/', (size_t)(e - p));
		const char *re = slash ? slash : e;
		long a = lo, b = hi;
		if ((re - p == 1 && (*p == '*' || *p == '?'))) {
		} else {
			const char *dash = memchr(p, '-', (size_t)(re - p));
			a = value(p, (size_t)((dash ? dash : re) - p), names, base);
			b = dash ? value(dash + 1, (size_t)(re - dash - 1), names, base) : a;
			if (a < 0 || b < 0) {
				snprintf(why, wn, "failed to parse int from %.*s", (int)(re - p), p);
				return false;
			}
			if (slash && !dash)
				b = hi;
		}
		if (a < lo) {
			snprintf(why, wn, "beginning of range (%ld) below minimum (%ld): %.*s", a, lo,
			         (int)(e - p), p);
			return false;
		}
		if (b > hi) {
			snprintf(why, wn, "end of range (%ld) above maximum (%ld): %.*s", b, hi, (int)(e - p),
			         p);
			return false;
		}
		if (a > b) {
			snprintf(why, wn, "beginning of range (%ld) beyond end of range (%ld): %.*s", a, b,
			         (int)(e - p), p);
			return false;
		}
		if (slash && value(slash + 1, (size_t)(e - slash - 1), NULL, 0) <= 0) {
			snprintf(why, wn, "failed to parse int from %.*s", (int)(e - slash - 1), slash + 1);
			return false;
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	return true;
}

static bool schedule_ok(const char *s, char *why, size_t wn)
{
	if (strstr(s, "TZ=")) {
		snprintf(why, wn, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
		return false;
	}
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '@') {
		static const char *const desc[] = {"@yearly", "@annually", "@monthly", "@weekly",
		                                   "@daily",  "@midnight", "@hourly",  NULL};
		if (nv_in(s, desc) || strncmp(s, "@every ", 7) == 0)
			return true;
		snprintf(why, wn, "unrecognized descriptor: %s", s);
		return false;
	}
	const char *f[8];
	size_t fl[8];
	int n = 0;
	for (const char *p = s; *p;) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		const char *st = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (n < 8) {
			f[n] = st;
			fl[n] = (size_t)(p - st);
		}
		n++;
	}
	if (n != 5) {
		snprintf(why, wn, "expected exactly 5 fields, found %d: [%s]", n, s);
		return false;
	}
	static const long lo[] = {0, 0, 1, 1, 0}, hi[] = {59, 23, 31, 12, 6};
	const char *const *names[] = {NULL, NULL, NULL, months, days};
	const int base[] = {0, 0, 0, 1, 0};
	for (int i = 0; i < 5; i++)
		if (!field_ok(f[i], fl[i], lo[i], hi[i], names[i], base[i], why, wn))
			return false;
	return true;
}

void nv_check_cron(nv_ctx *c, const gr_value *spec)
{
	const gr_value *sch = gr_get(spec, "schedule");
	char why[300];
	if (!sch || sch->type != GR_STRING || !sch->u.s.len)
		nv_required(c, NV_CRON_SCHEDULE, "spec.schedule", spec, NULL);
	else if (!schedule_ok(sch->u.s.ptr, why, sizeof why))
		nv_invalid(c, NV_CRON_SCHEDULE, "spec.schedule", sch, why);
	const gr_value *tz = gr_get(spec, "timeZone");
	if (!tz || tz->type != GR_STRING)
		return;
	const char *z = tz->u.s.ptr;
	if (strcmp(z, "Local") == 0) {
		nv_invalid(c, NV_CRON_TIMEZONE, "spec.timeZone", tz,
		           "timeZone must be an explicit time zone as defined in "
		           "https://www.iana.org/time-zones");
		return;
	}
	bool ok = *z && z[0] != '/' && !strstr(z, "..");
	for (const char *q = z; ok && *q; q++)
		if (!(isalnum((unsigned char)*q) || *q == '/' || *q == '_' || *q == '-' || *q == '+'))
			ok = false;
	if (ok && strcmp(z, "UTC") != 0) {
		char path[400];
		struct stat st;
		snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", z);
		ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
	}
	if (!ok) {
		snprintf(why, sizeof why, "unknown time zone %.200s", z);
		nv_invalid(c, NV_CRON_TIMEZONE, "spec.timeZone", tz, why);
	}
}
