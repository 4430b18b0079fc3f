/*
 * time.c — CEL timestamps and durations: RFC 3339 parsing and printing,
 * Go-style duration strings ("1h2m3.5s"), and civil time in a zone for the
 * getHours()/getDayOfWeek()… accessors.
 *
 * Zones are "UTC", a fixed offset ("+05:30", "-08:00") or an IANA name read
 * from Debian's tzdata (/usr/share/zoneinfo, TZif version 2+), never from
 * the process's TZ: a rule evaluates the same on every machine. Beyond the
 * file's last transition the POSIX TZ footer's standard/daylight rule is
 * applied.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel_internal.h"

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yy + (*m <= 2);
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int digits(const char *s, size_t len, size_t *i, int n, int *out)
{
	int v = 0;
	for (int k = 0; k < n; k++) {
		if (*i >= len || !isdigit((unsigned char)s[*i]))
			return -1;
		v = v * 10 + (s[(*i)++] - '0');
	}
	*out = v;
	return 0;
}

int cel_parse_timestamp(const char *s, size_t len, int64_t *sec, int32_t *nsec)
{
	size_t i = 0;
	int y, mo, d, h, mi, se;
	if (digits(s, len, &i, 4, &y) || i >= len || s[i++] != '-' || digits(s, len, &i, 2, &mo) ||
	    i >= len || s[i++] != '-' || digits(s, len, &i, 2, &d) || i >= len ||
	    (s[i] != 'T' && s[i] != 't'))
		return -1;
	i++;
	if (digits(s, len, &i, 2, &h) || i >= len || s[i++] != ':' || digits(s, len, &i, 2, &mi) ||
	    i >= len || s[i++] != ':' || digits(s, len, &i, 2, &se))
		return -1;
	int32_t ns = 0;
	if (i < len && s[i] == '.') {
		i++;
		int nd = 0;
		while (i < len && isdigit((unsigned char)s[i])) {
			if (nd < 9)
				ns = ns * 10 + (s[i] - '0');
			nd++;
			i++;
		}
		if (!nd)
			return -1;
		for (int k = nd; k < 9; k++)
			ns *= 10;
	}
	if (i >= len)
		return -1;
	int off = 0;
	if (s[i] == 'Z' || s[i] == 'z')
		i++;
	else if (s[i] == '+' || s[i] == '-') {
		int sign = s[i++] == '-' ? -1 : 1, oh, om;
		if (digits(s, len, &i, 2, &oh) || i >= len || s[i++] != ':' || digits(s, len, &i, 2, &om))
			return -1;
		if (oh > 23 || om > 59)
			return -1;
		off = sign * (oh * 3600 + om * 60);
	} else
		return -1;
	if (i != len)
		return -1;
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && is_leap(y)) || h > 23 || mi > 59 ||
	    se > 59)
		return -1;
	int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
	if (t < CEL_TS_MIN || t > CEL_TS_MAX)
		return -1;
	*sec = t;
	*nsec = ns;
	return 0;
}

int cel_timestamp_offset(const char *s, size_t len)
{
	if (len < 6 || (s[len - 6] != '+' && s[len - 6] != '-') || s[len - 3] != ':')
		return 0;
	for (size_t i = len - 5; i < len; i++)
		if (i != len - 3 && !isdigit((unsigned char)s[i]))
			return 0;
	int h = (s[len - 5] - '0') * 10 + (s[len - 4] - '0'),
	    m = (s[len - 2] - '0') * 10 + (s[len - 1] - '0');
	return (s[len - 6] == '-' ? -1 : 1) * (h * 3600 + m * 60);
}

void cel_format_timestamp(char *out, size_t cap, int64_t sec, int32_t nsec)
{
	int64_t days = sec / 86400, rem = sec % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	int64_t y;
	int m, d;
	civil_from_days(days, &y, &m, &d);
	int n = snprintf(out, cap, "%04lld-%02d-%02dT%02d:%02d:%02d", (long long)y, m, d, (int)(rem / 3600),
	                 (int)(rem / 60 % 60), (int)(rem % 60));
	if (nsec && n > 0 && (size_t)n < cap) {
		char f[16];
		snprintf(f, sizeof f, "%09d", nsec);
		int k = 9;
		while (k > 0 && f[k - 1] == '0')
			k--;
		f[k] = 0;
		n += snprintf(out + n, cap - (size_t)n, ".%s", f);
	}
	if (n > 0 && (size_t)n < cap)
		snprintf(out + n, cap - (size_t)n, "Z");
}

/* Go's time.ParseDuration: [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+ */
int cel_parse_duration(const char *s, size_t len, int64_t *nanos)
{
	size_t i = 0;
	int neg = 0;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	if (i == len)
		return -1;
	if (len - i == 1 && s[i] == '0') {
		*nanos = 0;
		return 0;
	}
	unsigned __int128 total = 0;
	while (i < len) {
		unsigned __int128 whole = 0;
		size_t st = i;
		while (i < len && isdigit((unsigned char)s[i])) {
			whole = whole * 10 + (unsigned)(s[i++] - '0');
			if (whole > ((unsigned __int128)1 << 64))
				return -1;
		}
		int had_whole = i > st;
		unsigned __int128 frac = 0, scale = 1;
		int had_frac = 0;
		if (i < len && s[i] == '.') {
			i++;
			size_t fs = i;
			while (i < len && isdigit((unsigned char)s[i])) {
				if (scale < (unsigned __int128)1000000000000000000ULL) {
					frac = frac * 10 + (unsigned)(s[i] - '0');
					scale *= 10;
				}
				i++;
			}
			had_frac = i > fs;
		}
		if (!had_whole && !had_frac)
			return -1;
		size_t us = i;
		while (i < len && !isdigit((unsigned char)s[i]) && s[i] != '.')
			i++;
		size_t ul = i - us;
		uint64_t unit;
		const char *u = s + us;
		if (ul == 2 && !memcmp(u, "ns", 2))
			unit = 1;
		else if ((ul == 2 && !memcmp(u, "us", 2)) || (ul == 3 && !memcmp(u, "\xc2\xb5s", 3)) ||
		         (ul == 3 && !memcmp(u, "\xce\xbcs", 3)))
			unit = 1000;
		else if (ul == 2 && !memcmp(u, "ms", 2))
			unit = 1000000;
		else if (ul == 1 && u[0] == 's')
			unit = 1000000000ULL;
		else if (ul == 1 && u[0] == 'm')
			unit = 60000000000ULL;
		else if (ul == 1 && u[0] == 'h')
			unit = 3600000000000ULL;
		else
			return -1;
		total += whole * unit + frac * unit / scale;
		if (total > ((unsigned __int128)1 << 63))
			return -1;
	}
	if (!neg && total > (unsigned __int128)INT64_MAX)
		return -1;
	*nanos = neg ? (int64_t)(0 - (uint64_t)total) : (int64_t)total;
	return 0;
}

/* The protobuf JSON form CEL uses for string(duration): seconds with the
 * fraction trimmed, e.g. "1.5s", "-0.000000001s", "3600s". */
void cel_format_duration(char *out, size_t cap, int64_t nanos)
{
	uint64_t a = nanos < 0 ? 0 - (uint64_t)nanos : (uint64_t)nanos;
	uint64_t s = a / 1000000000ULL, f = a % 1000000000ULL;
	int n = snprintf(out, cap, "%s%llu", nanos < 0 ? "-" : "", (unsigned long long)s);
	if (f && n > 0 && (size_t)n < cap) {
		char fb[16];
		snprintf(fb, sizeof fb, "%09llu", (unsigned long long)f);
		int k = 9;
		while (k > 0 && fb[k - 1] == '0')
			k--;
		fb[k] = 0;
		n += snprintf(out + n, cap - (size_t)n, ".%s", fb);
	}
	if (n > 0 && (size_t)n < cap)
		snprintf(out + n, cap - (size_t)n, "s");
}

/* ---- zones ---- */

static int64_t be32(const unsigned char *p)
{
	return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
}
static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | (uint32_t)be32(p + 4));
}

/* POSIX TZ rule "STD offset [DST [offset] [,start[/time],end[/time]]]". */
static const char *tz_name(const char *p)
{
	if (*p == '<') {
		while (*p && *p != '>')
			p++;
		return *p ? p + 1 : p;
	}
	while (isalpha((unsigned char)*p))
		p++;
	return p;
}

static const char *tz_offset(const char *p, int64_t *secs)
{
	int sign = 1;
	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	int64_t h = 0, m = 0, s = 0;
	while (isdigit((unsigned char)*p))
		h = h * 10 + (*p++ - '0');
	if (*p == ':') {
		p++;
		while (isdigit((unsigned char)*p))
			m = m * 10 + (*p++ - '0');
		if (*p == ':') {
			p++;
			while (isdigit((unsigned char)*p))
				s = s * 10 + (*p++ - '0');
		}
	}
	*secs = sign * (h * 3600 + m * 60 + s);
	return p;
}

/* Seconds since the start of year y (UTC-relative) of a Mm.w.d rule day. */
static int64_t rule_day(int64_t y, int mo, int w, int d)
{
	int64_t first = days_from_civil(y, mo, 1);
	int wd = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
	int day = 1 + ((d - wd) % 7 + 7) % 7 + (w - 1) * 7;
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int dim = mdays[mo - 1] + (mo == 2 && is_leap(y));
	while (day > dim)
		day -= 7;
	return days_from_civil(y, mo, day);
}

static int footer_offset(const char *tz, int64_t t, int64_t *off)
{
	const char *p = tz_name(tz);
	int64_t std;
	p = tz_offset(p, &std);
	std = -std; /* POSIX offsets are west-positive */
	if (!*p) {
		*off = std;
		return 0;
	}
	p = tz_name(p);
	int64_t dst = std + 3600;
	if (*p && *p != ',') {
		p = tz_offset(p, &dst);
		dst = -dst;
	}
	if (*p != ',' || p[1] != 'M') {
		*off = std;
		return 0;
	}
	int r[2][3];
	int64_t rt[2] = {7200, 7200};
	for (int k = 0; k < 2; k++) {
		if (*p != ',' || p[1] != 'M')
			return -1;
		p += 2;
		r[k][0] = (int)strtol(p, (char **)&p, 10);
		if (*p++ != '.')
			return -1;
		r[k][1] = (int)strtol(p, (char **)&p, 10);
		if (*p++ != '.')
			return -1;
		r[k][2] = (int)strtol(p, (char **)&p, 10);
		if (*p == '/') {
			p++;
			p = tz_offset(p, &rt[k]);
		}
		if (r[k][0] < 1 || r[k][0] > 12)
			return -1;
	}
	int64_t days = t / 86400;
	if (t % 86400 < 0)
		days--;
	int64_t y;
	int m, d;
	civil_from_days(days, &y, &m, &d);
	int64_t start = rule_day(y, r[0][0], r[0][1], r[0][2]) * 86400 + rt[0] - std;
	int64_t end = rule_day(y, r[1][0], r[1][1], r[1][2]) * 86400 + rt[1] - dst;
	int in_dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
	*off = in_dst ? dst : std;
	return 0;
}

static int zone_offset(const char *name, int64_t t, int64_t *off)
{
	for (const char *c = name; *c; c++)
		if (!(isalnum((unsigned char)*c) || *c == '/' || *c == '_' || *c == '-' || *c == '+'))
			return -1;
	if (strstr(name, ".."))
		return -1;
	char path[300];
	snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	unsigned char *buf = malloc(1 << 20);
	if (!buf) {
		fclose(f);
		return -1;
	}
	size_t n = fread(buf, 1, 1 << 20, f);
	fclose(f);
	int rc = -1;
	if (n < 44 || memcmp(buf, "TZif", 4) || buf[4] < '2')
		goto out;
	/* skip the v1 block */
	const unsigned char *h = buf;
	size_t v1 = 44 + (size_t)be32(h + 32) * 5 + (size_t)be32(h + 36) * 6 + (size_t)be32(h + 40) +
	            (size_t)be32(h + 28) * 4 + (size_t)be32(h + 24) + (size_t)be32(h + 20);
	if (v1 + 44 > n)
		goto out;
	h = buf + v1;
	if (memcmp(h, "TZif", 4))
		goto out;
	size_t isutc = (size_t)be32(h + 20), isstd = (size_t)be32(h + 24), leap = (size_t)be32(h + 28);
	size_t timecnt = (size_t)be32(h + 32), typecnt = (size_t)be32(h + 36), charcnt = (size_t)be32(h + 40);
	const unsigned char *tt = h + 44;
	const unsigned char *idx = tt + timecnt * 8;
	const unsigned char *types = idx + timecnt;
	const unsigned char *end = types + typecnt * 6 + charcnt + leap * 12 + isstd + isutc;
	if ((size_t)(end - buf) > n || typecnt == 0)
		goto out;
	if (timecnt == 0 || t < be64(tt)) {
		/* before the first transition: the first non-DST type (type 0) */
		*off = be32(types);
		rc = 0;
		if (timecnt)
			goto out;
	}
	if (timecnt && t >= be64(tt + (timecnt - 1) * 8) && (size_t)(end - buf) + 1 < n && *end == '\n') {
		char foot[128];
		size_t k = 0;
		const unsigned char *q = end + 1;
		while ((size_t)(q - buf) < n && *q != '\n' && k < sizeof foot - 1)
			foot[k++] = (char)*q++;
		foot[k] = 0;
		if (k && footer_offset(foot, t, off) == 0) {
			rc = 0;
			goto out;
		}
	}
	if (timecnt) {
		size_t lo = 0, hi = timecnt; /* last transition <= t */
		while (hi - lo > 1) {
			size_t mid = (lo + hi) / 2;
			if (be64(tt + mid * 8) <= t)
				lo = mid;
			else
				hi = mid;
		}
		size_t ty = idx[lo];
		if (ty >= typecnt)
			goto out;
		*off = be32(types + ty * 6);
		rc = 0;
	}
out:
	free(buf);
	return rc;
}

int cel_timestamp_fields(int64_t sec, const char *tz, size_t tzlen, cel_tm *tm)
{
	int64_t off = 0;
	if (tz && tzlen) {
		char name[256];
		if (tzlen >= sizeof name)
			return -1;
		memcpy(name, tz, tzlen);
		name[tzlen] = 0;
		if (name[0] == '+' || name[0] == '-' || isdigit((unsigned char)name[0])) {
			int sign = name[0] == '-' ? -1 : 1;
			const char *p = name + (name[0] == '+' || name[0] == '-');
			int h = 0, m = 0;
			if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) || p[2] != ':' ||
			    !isdigit((unsigned char)p[3]) || !isdigit((unsigned char)p[4]) || p[5])
				return -1;
			h = (p[0] - '0') * 10 + (p[1] - '0');
			m = (p[3] - '0') * 10 + (p[4] - '0');
			off = sign * (h * 3600 + m * 60);
		} else if (strcmp(name, "UTC") && strcmp(name, "Z")) {
			if (zone_offset(name, sec, &off) < 0)
				return -1;
		}
	}
	int64_t t = sec + off;
	int64_t days = t / 86400, rem = t % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	int m, d;
	civil_from_days(days, &tm->year, &m, &d);
	tm->month = m - 1;
	tm->mday = d - 1;
	tm->yday = (int)(days - days_from_civil(tm->year, 1, 1));
	tm->wday = (int)(((days + 4) % 7 + 7) % 7);
	tm->hour = (int)(rem / 3600);
	tm->min = (int)(rem / 60 % 60);
	tm->sec = (int)(rem % 60);
	return 0;
}
