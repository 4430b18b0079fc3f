/*
 * gotime.c — Go's time package as Kyverno's time_* functions see it:
 * time.Parse with Go reference layouts ("2006-01-02T15:04:05Z07:00"),
 * Format(time.RFC3339), time.ParseDuration and Duration.String, all in
 * exact integer nanoseconds.
 *
 * A layout is read chunk by chunk exactly as Go's nextStdChunk does (the
 * reference time Mon Jan 2 15:04:05 MST 2006: January/Jan/1/01,
 * Monday/Mon, 2/_2/02, __2/002, 15/3/03, 4/04, 5/05, 2006/06, PM/pm, MST,
 * Z07:00 and -07:00 families, .000/.999 and ,000/,999 fractions); text
 * between chunks must match literally (a space matches any run of spaces).
 * The local time zone is UTC, as in Kyverno's container image: a zone
 * abbreviation (MST) that is not UTC becomes a zone with offset 0 (GMT+3
 * gets +3h), as Go does for an abbreviation the local zone does not know.
 */
#include <stdio.h>
#include <string.h>

#include "kyverno_int.h"

enum {
	S_NONE = 0,
	S_LONG_MONTH,
	S_MONTH,
	S_NUM_MONTH,
	S_ZERO_MONTH,
	S_LONG_WEEKDAY,
	S_WEEKDAY,
	S_DAY,
	S_UNDER_DAY,
	S_ZERO_DAY,
	S_UNDER_YEARDAY,
	S_ZERO_YEARDAY,
	S_HOUR,
	S_HOUR12,
	S_ZERO_HOUR12,
	S_MINUTE,
	S_ZERO_MINUTE,
	S_SECOND,
	S_ZERO_SECOND,
	S_LONG_YEAR,
	S_YEAR,
	S_PM,
	S_pm,
	S_TZ,
	S_ISO_TZ,           /* Z0700 */
	S_ISO_SECONDS_TZ,   /* Z070000 */
	S_ISO_SHORT_TZ,     /* Z07 */
	S_ISO_COLON_TZ,     /* Z07:00 */
	S_ISO_COLON_SEC_TZ, /* Z07:00:00 */
	S_NUM_TZ,           /* -0700 */
	S_NUM_SECONDS_TZ,   /* -070000 */
	S_NUM_SHORT_TZ,     /* -07 */
	S_NUM_COLON_TZ,     /* -07:00 */
	S_NUM_COLON_SEC_TZ, /* -07:00:00 */
	S_FRAC0,            /* .000: exactly n digits */
	S_FRAC9             /* .999: optional, any number of digits */
};

typedef struct chunk {
	size_t prefix; /* bytes of literal text before the element */
	int std;
	size_t len;  /* bytes of the element in the layout */
	int ndigits; /* for fractions */
} chunk;

static bool starts_lower(const char *s, const char *end)
{
	return s < end && *s >= 'a' && *s <= 'z';
}

static bool has(const char *p, const char *end, const char *lit)
{
	size_t n = strlen(lit);
	return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

static bool is_digit_at(const char *p, const char *end, size_t i)
{
	return p + i < end && p[i] >= '0' && p[i] <= '9';
}

/* Go's nextStdChunk. */
static chunk next_chunk(const char *l, const char *end)
{
	chunk c = {0, S_NONE, 0, 0};
	for (const char *p = l; p < end; p++) {
		c.prefix = (size_t)(p - l);
		switch (*p) {
		case 'J':
			if (has(p, end, "Jan")) {
				if (has(p, end, "January")) {
					c.std = S_LONG_MONTH, c.len = 7;
					return c;
				}
				if (!starts_lower(p + 3, end)) {
					c.std = S_MONTH, c.len = 3;
					return c;
				}
			}
			break;
		case 'M':
			if (has(p, end, "Mon")) {
				if (has(p, end, "Monday")) {
					c.std = S_LONG_WEEKDAY, c.len = 6;
					return c;
				}
				if (!starts_lower(p + 3, end)) {
					c.std = S_WEEKDAY, c.len = 3;
					return c;
				}
			}
			if (has(p, end, "MST")) {
				c.std = S_TZ, c.len = 3;
				return c;
			}
			break;
		case '0':
			if (p + 1 < end && p[1] >= '1' && p[1] <= '6') {
				static const int zx[] = {S_ZERO_MONTH,  S_ZERO_DAY,    S_ZERO_HOUR12,
				                         S_ZERO_MINUTE, S_ZERO_SECOND, S_YEAR};
				c.std = zx[p[1] - '1'], c.len = 2;
				return c;
			}
			if (has(p, end, "002")) {
				c.std = S_ZERO_YEARDAY, c.len = 3;
				return c;
			}
			break;
		case '1':
			if (p + 1 < end && p[1] == '5') {
				c.std = S_HOUR, c.len = 2;
				return c;
			}
			c.std = S_NUM_MONTH, c.len = 1;
			return c;
		case '2':
			if (has(p, end, "2006")) {
				c.std = S_LONG_YEAR, c.len = 4;
				return c;
			}
			c.std = S_DAY, c.len = 1;
			return c;
		case '_':
			if (p + 1 < end && p[1] == '2') {
				if (has(p + 1, end, "2006")) { /* a literal _ then 2006 */
					c.prefix++;
					c.std = S_LONG_YEAR, c.len = 4;
					return c;
				}
				c.std = S_UNDER_DAY, c.len = 2;
				return c;
			}
			if (has(p, end, "__2")) {
				c.std = S_UNDER_YEARDAY, c.len = 3;
				return c;
			}
			break;
		case '3': c.std = S_HOUR12, c.len = 1; return c;
		case '4': c.std = S_MINUTE, c.len = 1; return c;
		case '5': c.std = S_SECOND, c.len = 1; return c;
		case 'P':
			if (p + 1 < end && p[1] == 'M') {
				c.std = S_PM, c.len = 2;
				return c;
			}
			break;
		case 'p':
			if (p + 1 < end && p[1] == 'm') {
				c.std = S_pm, c.len = 2;
				return c;
			}
			break;
		case '-':
		case 'Z': {
			bool z = *p == 'Z';
			static const char *const forms[] = {"070000", "07:00:00", "0700", "07:00", "07"};
			static const int zs[] = {S_ISO_SECONDS_TZ, S_ISO_COLON_SEC_TZ, S_ISO_TZ,
			                         S_ISO_COLON_TZ, S_ISO_SHORT_TZ};
			static const int ns[] = {S_NUM_SECONDS_TZ, S_NUM_COLON_SEC_TZ, S_NUM_TZ,
			                         S_NUM_COLON_TZ, S_NUM_SHORT_TZ};
			for (int i = 0; i < 5; i++)
				if (has(p + 1, end, forms[i])) {
					c.std = z ? zs[i] : ns[i];
					c.len = 1 + strlen(forms[i]);
					return c;
				}
			break;
		}
		case '.':
		case ',':
			if (p + 1 < end && (p[1] == '0' || p[1] == '9')) {
				char ch = p[1];
				const char *j = p + 1;
				while (j < end && *j == ch)
					j++;
				if (!(j < end && *j >= '0' && *j <= '9')) {
					c.std = ch == '0' ? S_FRAC0 : S_FRAC9;
					c.len = (size_t)(j - p);
					c.ndigits = (int)(j - p - 1);
					return c;
				}
			}
			break;
		default: break;
		}
	}
	c.prefix = (size_t)(end - l);
	return c;
}

static const char *const long_months[] = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};
static const char *const short_months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const long_days[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                        "Thursday", "Friday", "Saturday"};
static const char *const short_days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

/* Go's lookup: an ASCII case-insensitive prefix match against a table. */
static int lookup(const char *const *tab, int n, const char **v, const char *end)
{
	for (int i = 0; i < n; i++) {
		size_t k = strlen(tab[i]);
		if ((size_t)(end - *v) < k)
			continue;
		bool ok = true;
		for (size_t j = 0; j < k && ok; j++) {
			char a = (*v)[j], b = tab[i][j];
			if (a >= 'A' && a <= 'Z')
				a = (char)(a - 'A' + 'a');
			if (b >= 'A' && b <= 'Z')
				b = (char)(b - 'A' + 'a');
			ok = a == b;
		}
		if (ok) {
			*v += k;
			return i;
		}
	}
	return -1;
}

/* Go's getnum: one or two digits (two when fixed). */
static bool getnum(const char **v, const char *end, bool fixed, int *out)
{
	if (!is_digit_at(*v, end, 0))
		return false;
	if (!is_digit_at(*v, end, 1)) {
		if (fixed)
			return false;
		*out = (*v)[0] - '0';
		*v += 1;
		return true;
	}
	*out = ((*v)[0] - '0') * 10 + (*v)[1] - '0';
	*v += 2;
	return true;
}

/* Go's getnum3: one to three digits (three when fixed). */
static bool getnum3(const char **v, const char *end, bool fixed, int *out)
{
	int n = 0, i = 0;
	for (; i < 3 && is_digit_at(*v, end, (size_t)i); i++)
		n = n * 10 + (*v)[i] - '0';
	if (i == 0 || (fixed && i != 3))
		return false;
	*out = n;
	*v += i;
	return true;
}

/* Go's atoi over exactly [s, s+n): optional sign, then digits only. */
static bool atoi_n(const char *s, size_t n, int64_t *out)
{
	bool neg = false;
	if (n && (*s == '-' || *s == '+')) {
		neg = *s == '-';
		s++, n--;
	}
	if (!n)
		return false;
	int64_t x = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || x > (INT64_MAX - 9) / 10)
			return false;
		x = x * 10 + (s[i] - '0');
	}
	*out = neg ? -x : x;
	return true;
}

/* Go's parseNanoseconds over nbytes (separator included). */
static bool parse_nanos(const char *v, size_t nbytes, int32_t *ns, const char **range)
{
	if (v[0] != '.' && v[0] != ',')
		return false;
	if (nbytes > 10)
		nbytes = 10;
	int64_t x;
	if (!atoi_n(v + 1, nbytes - 1, &x))
		return false;
	if (x < 0) {
		*range = "fractional second";
		return true;
	}
	for (size_t i = nbytes; i < 10; i++)
		x *= 10;
	*ns = (int32_t)x;
	return true;
}

/* Go's parseSignedOffset: +hh or -h…, hours at most 23; bytes used, 0 if none. */
static size_t signed_offset(const char *v, const char *end)
{
	if (v >= end || (*v != '+' && *v != '-'))
		return 0;
	const char *p = v + 1;
	int64_t x = 0;
	while (p < end && *p >= '0' && *p <= '9') {
		if (x < 1000)
			x = x * 10 + (*p - '0');
		p++;
	}
	if (p == v + 1 || x > 23)
		return 0;
	return (size_t)(p - v);
}

/* Go's parseTimeZone: bytes of a zone abbreviation at v, 0 if none. */
static size_t zone_name_len(const char *v, const char *end)
{
	size_t n = (size_t)(end - v);
	if (n < 3)
		return 0;
	if (n >= 4 && (!memcmp(v, "ChST", 4) || !memcmp(v, "MeST", 4)))
		return 4;
	if (!memcmp(v, "GMT", 3))
		return 3 + signed_offset(v + 3, end);
	if (v[0] == '+' || v[0] == '-')
		return signed_offset(v, end);
	size_t up = 0;
	while (up < 6 && up < n && v[up] >= 'A' && v[up] <= 'Z')
		up++;
	switch (up) {
	case 3: return 3;
	case 4: return (v[3] == 'T' || !memcmp(v, "WITA", 4)) ? 4 : 0;
	case 5: return v[4] == 'T' ? 5 : 0;
	default: return 0;
	}
}

int64_t ky_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool is_leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int days_in(int m, int64_t y)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

static int fail(char *err, size_t cap, const char *layout, size_t ll, const char *value, size_t vl,
                const char *elem, size_t el, const char *at, size_t al, const char *extra)
{
	if (err && cap) {
		if (extra && *extra)
			snprintf(err, cap, "parsing time \"%.*s\"%s", (int)vl, value, extra);
		else
			snprintf(err, cap,
			         "parsing time \"%.*s\" as \"%.*s\": cannot parse \"%.*s\" as \"%.*s\"",
			         (int)vl, value, (int)ll, layout, (int)al, at, (int)el, elem);
	}
	return -1;
}

int ky_time_parse(const char *layout, size_t llen, const char *value, size_t vlen, ky_time *out, char *err,
                  size_t errcap)
{
	const char *l = layout, *lend = layout + llen;
	const char *v = value, *vend = value + vlen;
	int64_t year = 0;
	int month = -1, day = -1, yday = -1, hour = 0, min = 0, sec = 0;
	int32_t nsec = 0;
	bool am = false, pm = false, utc = false, have_off = false;
	int32_t zone_off = 0;
	const char *zone = NULL;
	size_t zone_len = 0;
	char extra[160];
	for (;;) {
		chunk c = next_chunk(l, lend);
		const char *elem = l + c.prefix;
		/* skip the literal prefix: a space matches any run of spaces */
		const char *pre = l, *pre_end = l + c.prefix;
		while (pre < pre_end) {
			if (*pre == ' ') {
				if (v < vend && *v != ' ')
					return fail(err, errcap, layout, llen, value, vlen, l, c.prefix, v,
					            (size_t)(vend - v), NULL);
				while (pre < pre_end && *pre == ' ')
					pre++;
				while (v < vend && *v == ' ')
					v++;
				continue;
			}
			if (v >= vend || *v != *pre)
				return fail(err, errcap, layout, llen, value, vlen, l, c.prefix, v,
				            (size_t)(vend - v), NULL);
			pre++, v++;
		}
		if (c.std == S_NONE) {
			if (v < vend) {
				snprintf(extra, sizeof extra, ": extra text: \"%.*s\"", (int)(vend - v), v);
				return fail(err, errcap, layout, llen, value, vlen, "", 0, "", 0, extra);
			}
			break;
		}
		l = elem + c.len;
		const char *hold = v, *range = NULL;
		bool ok = true;
		int64_t x;
		switch (c.std) {
		case S_YEAR:
			if (vend - v < 2 || !atoi_n(v, 2, &x)) {
				ok = false;
				break;
			}
			v += 2;
			year = x >= 69 ? x + 1900 : x + 2000;
			break;
		case S_LONG_YEAR:
			if (vend - v < 4 || !is_digit_at(v, vend, 0) || !atoi_n(v, 4, &x)) {
				ok = false;
				break;
			}
			v += 4;
			year = x;
			break;
		case S_MONTH:
			month = lookup(short_months, 12, &v, vend) + 1;
			ok = month > 0;
			break;
		case S_LONG_MONTH:
			month = lookup(long_months, 12, &v, vend) + 1;
			ok = month > 0;
			break;
		case S_NUM_MONTH:
		case S_ZERO_MONTH:
			ok = getnum(&v, vend, c.std == S_ZERO_MONTH, &month);
			if (ok && (month <= 0 || month > 12))
				range = "month";
			break;
		case S_WEEKDAY: ok = lookup(short_days, 7, &v, vend) >= 0; break;
		case S_LONG_WEEKDAY: ok = lookup(long_days, 7, &v, vend) >= 0; break;
		case S_DAY:
		case S_UNDER_DAY:
		case S_ZERO_DAY:
			if (c.std == S_UNDER_DAY && v < vend && *v == ' ')
				v++;
			ok = getnum(&v, vend, c.std == S_ZERO_DAY, &day);
			break;
		case S_UNDER_YEARDAY:
		case S_ZERO_YEARDAY:
			for (int i = 0; i < 2; i++)
				if (c.std == S_UNDER_YEARDAY && v < vend && *v == ' ')
					v++;
			ok = getnum3(&v, vend, c.std == S_ZERO_YEARDAY, &yday);
			break;
		case S_HOUR:
			ok = getnum(&v, vend, false, &hour);
			if (hour < 0 || hour >= 24)
				range = "hour";
			break;
		case S_HOUR12:
		case S_ZERO_HOUR12:
			ok = getnum(&v, vend, c.std == S_ZERO_HOUR12, &hour);
			if (hour < 0 || hour > 12)
				range = "hour";
			break;
		case S_MINUTE:
		case S_ZERO_MINUTE:
			ok = getnum(&v, vend, c.std == S_ZERO_MINUTE, &min);
			if (min < 0 || min >= 60)
				range = "minute";
			break;
		case S_SECOND:
		case S_ZERO_SECOND:
			ok = getnum(&v, vend, c.std == S_ZERO_SECOND, &sec);
			if (!ok)
				break;
			if (sec < 0 || sec >= 60) {
				range = "second";
				break;
			}
			/* a fraction in the value that the layout does not name */
			if (vend - v >= 2 && (*v == '.' || *v == ',') && is_digit_at(v, vend, 1)) {
				chunk nc = next_chunk(l, lend);
				if (nc.std == S_FRAC0 || nc.std == S_FRAC9)
					break;
				size_t n = 2;
				while (is_digit_at(v, vend, n))
					n++;
				ok = parse_nanos(v, n, &nsec, &range);
				v += n;
			}
			break;
		case S_PM:
		case S_pm:
			if (vend - v < 2) {
				ok = false;
				break;
			}
			if (!memcmp(v, c.std == S_PM ? "PM" : "pm", 2))
				pm = true;
			else if (!memcmp(v, c.std == S_PM ? "AM" : "am", 2))
				am = true;
			else
				ok = false;
			v += 2;
			break;
		case S_ISO_TZ:
		case S_ISO_SECONDS_TZ:
		case S_ISO_SHORT_TZ:
		case S_ISO_COLON_TZ:
		case S_ISO_COLON_SEC_TZ:
			if (v < vend && *v == 'Z') {
				v++;
				utc = true;
				break;
			}
			/* fall through */
		case S_NUM_TZ:
		case S_NUM_SECONDS_TZ:
		case S_NUM_SHORT_TZ:
		case S_NUM_COLON_TZ:
		case S_NUM_COLON_SEC_TZ: {
			const char *hh, *mm = "00", *ss = "00";
			size_t need;
			bool colon = c.std == S_ISO_COLON_TZ || c.std == S_NUM_COLON_TZ;
			bool csec = c.std == S_ISO_COLON_SEC_TZ || c.std == S_NUM_COLON_SEC_TZ;
			bool nsec_tz = c.std == S_ISO_SECONDS_TZ || c.std == S_NUM_SECONDS_TZ;
			bool shrt = c.std == S_ISO_SHORT_TZ || c.std == S_NUM_SHORT_TZ;
			need = colon ? 6 : shrt ? 3 : csec ? 9 : nsec_tz ? 7 : 5;
			if (vend - v < (ptrdiff_t)need || (colon && v[3] != ':') ||
			    (csec && (v[3] != ':' || v[6] != ':'))) {
				ok = false;
				break;
			}
			hh = v + 1;
			if (colon || csec)
				mm = v + 4;
			else if (!shrt)
				mm = v + 3;
			if (csec)
				ss = v + 7;
			else if (nsec_tz)
				ss = v + 5;
			int h, m, s;
			const char *t = hh;
			ok = getnum(&t, hh + 2, true, &h);
			t = mm;
			ok = ok && getnum(&t, mm + 2, true, &m);
			t = ss;
			ok = ok && getnum(&t, ss + 2, true, &s);
			if (ok && (*v == '+' || *v == '-')) {
				zone_off = (int32_t)((h * 60 + m) * 60 + s) * (*v == '-' ? -1 : 1);
				have_off = true;
			} else {
				ok = false;
			}
			v += need;
			break;
		}
		case S_TZ: {
			if (vend - v >= 3 && !memcmp(v, "UTC", 3)) {
				v += 3;
				utc = true;
				break;
			}
			size_t n = zone_name_len(v, vend);
			if (!n) {
				ok = false;
				break;
			}
			zone = v, zone_len = n;
			v += n;
			break;
		}
		case S_FRAC0: {
			size_t nd = 1 + (size_t)c.ndigits;
			if ((size_t)(vend - v) < nd) {
				ok = false;
				break;
			}
			ok = parse_nanos(v, nd, &nsec, &range);
			v += nd;
			break;
		}
		case S_FRAC9: {
			if (vend - v < 2 || (*v != '.' && *v != ',') || !is_digit_at(v, vend, 1))
				break; /* omitted */
			size_t i = 0;
			while (is_digit_at(v, vend, i + 1))
				i++;
			ok = parse_nanos(v, 1 + i, &nsec, &range);
			v += 1 + i;
			break;
		}
		}
		if (range) {
			snprintf(extra, sizeof extra, ": %s out of range", range);
			return fail(err, errcap, layout, llen, value, vlen, "", 0, "", 0, extra);
		}
		if (!ok)
			return fail(err, errcap, layout, llen, value, vlen, elem, c.len, hold,
			            (size_t)(vend - hold), NULL);
	}
	if (pm && hour < 12)
		hour += 12;
	else if (am && hour == 12)
		hour = 0;
	if (yday >= 0) {
		int d = 0, m = 0;
		if (is_leap(year)) {
			if (yday == 31 + 29) {
				m = 2;
				d = 29;
			} else if (yday > 31 + 29) {
				yday--;
			}
		}
		if (yday < 1 || yday > 365)
			return fail(err, errcap, layout, llen, value, vlen, "", 0, "", 0,
			            ": day-of-year out of range");
		if (m == 0) {
			static const int before[] = {0,   31,  59,  90,  120, 151, 181,
			                             212, 243, 273, 304, 334, 365};
			m = (yday - 1) / 31 + 1;
			if (before[m] < yday)
				m++;
			d = yday - before[m - 1];
		}
		if (month >= 0 && month != m)
			return fail(err, errcap, layout, llen, value, vlen, "", 0, "", 0,
			            ": day-of-year does not match month");
		month = m;
		if (day >= 0 && day != d)
			return fail(err, errcap, layout, llen, value, vlen, "", 0, "", 0,
			            ": day-of-year does not match day");
		day = d;
	} else {
		if (month < 0)
			month = 1;
		if (day < 0)
			day = 1;
	}
	if (day < 1 || day > days_in(month, year))
		return fail(err, errcap, layout, llen, value, vlen, "", 0, "", 0, ": day out of range");
	int64_t civil = ky_days_from_civil(year, (unsigned)month, (unsigned)day) * 86400 + hour * 3600 +
	                min * 60 + sec;
	out->nsec = nsec;
	out->off = 0;
	if (utc) {
		out->sec = civil;
	} else if (have_off) {
		out->sec = civil - zone_off;
		out->off = zone_off;
	} else if (zone) {
		int64_t off = 0;
		/* a GMT+h name carries its offset; other unknown names get 0 */
		if (zone_len > 3 && !memcmp(zone, "GMT", 3))
			atoi_n(zone + 3, zone_len - 3, &off);
		out->off = (int32_t)(off * 3600);
		out->sec = civil - out->off;
	} else {
		out->sec = civil;
	}
	return 0;
}

void ky_time_civil(const ky_time *t, ky_civil *c)
{
	int64_t s = t->sec + t->off;
	int64_t days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
	int64_t rem = s - days * 86400;
	c->hour = (int)(rem / 3600);
	c->min = (int)(rem / 60 % 60);
	c->sec = (int)(rem % 60);
	c->wday = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
	/* civil_from_days */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	c->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	c->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	c->year = (int64_t)yoe + era * 400 + (c->month <= 2);
}

size_t ky_time_rfc3339(const ky_time *t, char *buf, size_t cap)
{
	ky_civil c;
	ky_time_civil(t, &c);
	char y[32];
	if (c.year < 0)
		snprintf(y, sizeof y, "-%04lld", (long long)-c.year);
	else
		snprintf(y, sizeof y, "%04lld", (long long)c.year);
	int n;
	if (t->off == 0) {
		n = snprintf(buf, cap, "%s-%02d-%02dT%02d:%02d:%02dZ", y, c.month, c.day, c.hour, c.min,
		             c.sec);
	} else {
		int32_t z = t->off / 60;
		char sign = z < 0 ? '-' : '+';
		if (z < 0)
			z = -z;
		n = snprintf(buf, cap, "%s-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, c.month, c.day, c.hour,
		             c.min, c.sec, sign, (int)(z / 60), (int)(z % 60));
	}
	return n < 0 ? 0 : (size_t)n;
}

/* Go's Duration.String. */
size_t ky_duration_string(int64_t d, char *buf, size_t cap)
{
	char tmp[40];
	int w = (int)sizeof tmp;
	uint64_t u = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
	tmp[--w] = '\0';
	if (u == 0)
		return (size_t)snprintf(buf, cap, "0s");
	int prec;
	tmp[--w] = 's';
	bool small = u < 1000000000ULL;
	if (small) {
		if (u < 1000ULL) {
			prec = 0;
			tmp[--w] = 'n';
		} else if (u < 1000000ULL) {
			prec = 3;
			tmp[--w] = '\xb5';
			tmp[--w] = '\xc2';
		} else {
			prec = 6;
			tmp[--w] = 'm';
		}
	} else {
		prec = 9;
	}
	/* fraction: prec digits, trailing zeros dropped */
	bool print = false;
	for (int i = 0; i < prec; i++) {
		int digit = (int)(u % 10);
		print = print || digit != 0;
		if (print)
			tmp[--w] = (char)('0' + digit);
		u /= 10;
	}
	if (print)
		tmp[--w] = '.';
	if (small) {
		do {
			tmp[--w] = (char)('0' + u % 10);
			u /= 10;
		} while (u);
	} else {
		uint64_t s = u % 60;
		u /= 60;
		do {
			tmp[--w] = (char)('0' + s % 10);
			s /= 10;
		} while (s);
		if (u > 0) {
			tmp[--w] = 'm';
			uint64_t m = u % 60;
			u /= 60;
			do {
				tmp[--w] = (char)('0' + m % 10);
				m /= 10;
			} while (m);
			if (u > 0) {
				tmp[--w] = 'h';
				do {
					tmp[--w] = (char)('0' + u % 10);
					u /= 10;
				} while (u);
			}
		}
	}
	if (d < 0)
		tmp[--w] = '-';
	return (size_t)snprintf(buf, cap, "%s", tmp + w);
}

/* Go's time.ParseDuration, exact: [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+ or "0"; overflow is an error. */
bool ky_duration_ns(const char *s, size_t len, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	if (len - i == 1 && s[i] == '0') {
		*out = 0;
		return true;
	}
	if (i == len)
		return false;
	uint64_t total = 0;
	const uint64_t lim = (uint64_t)1 << 63;
	while (i < len) {
		if (!(s[i] == '.' || (s[i] >= '0' && s[i] <= '9')))
			return false;
		uint64_t v = 0;
		bool pre = false, post = false, over = false;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (v > lim / 10)
				over = true;
			v = v * 10 + (uint64_t)(s[i] - '0');
			if (v > lim)
				over = true;
			pre = true;
			i++;
		}
		if (over)
			return false;
		uint64_t f = 0;
		double scale = 1;
		if (i < len && s[i] == '.') {
			i++;
			while (i < len && s[i] >= '0' && s[i] <= '9') {
				if (f <= (UINT64_C(1) << 62) / 10) { /* Go drops digits that would overflow */
					f = f * 10 + (uint64_t)(s[i] - '0');
					scale *= 10;
				}
				post = true;
				i++;
			}
		}
		if (!pre && !post)
			return false;
		size_t u = i;
		while (i < len && s[i] != '.' && !(s[i] >= '0' && s[i] <= '9'))
			i++;
		size_t ul = i - u;
		const char *un = s + u;
		uint64_t unit;
		if (ul == 2 && !memcmp(un, "ns", 2))
			unit = 1;
		else if ((ul == 2 && !memcmp(un, "us", 2)) ||
		         (ul == 3 && (!memcmp(un, "\xc2\xb5s", 3) || !memcmp(un, "\xce\xbcs", 3))))
			unit = 1000ULL;
		else if (ul == 2 && !memcmp(un, "ms", 2))
			unit = 1000000ULL;
		else if (ul == 1 && un[0] == 's')
			unit = 1000000000ULL;
		else if (ul == 1 && un[0] == 'm')
			unit = 60000000000ULL;
		else if (ul == 1 && un[0] == 'h')
			unit = 3600000000000ULL;
		else
			return false;
		if (v > lim / unit)
			return false;
		v *= unit;
		if (f > 0) {
			v += (uint64_t)((double)f * ((double)unit / scale));
			if (v > lim)
				return false;
		}
		total += v;
		if (total > lim)
			return false;
	}
	if (neg) {
		*out = total == lim ? INT64_MIN : -(int64_t)total;
		return true;
	}
	if (total > lim - 1)
		return false;
	*out = (int64_t)total;
	return true;
}

/* a - b in nanoseconds, saturating as Go's Time.Sub does. */
int64_t ky_time_sub(const ky_time *a, const ky_time *b)
{
	__int128 d = ((__int128)a->sec - b->sec) * 1000000000 + (a->nsec - b->nsec);
	if (d > INT64_MAX)
		return INT64_MAX;
	if (d < INT64_MIN)
		return INT64_MIN;
	return (int64_t)d;
}

int ky_time_cmp(const ky_time *a, const ky_time *b)
{
	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	return a->nsec < b->nsec ? -1 : a->nsec > b->nsec;
}

ky_time ky_time_add(ky_time t, int64_t d)
{
	__int128 ns = (__int128)t.sec * 1000000000 + t.nsec + d;
	__int128 s = ns / 1000000000, r = ns % 1000000000;
	if (r < 0) {
		r += 1000000000;
		s--;
	}
	t.sec = (int64_t)s;
	t.nsec = (int32_t)r;
	return t;
}

/* Go's Time.Truncate: rounds down to a multiple of d since the zero time
 * (January 1, year 1, UTC), whatever the zone; d <= 0 leaves t as is. */
ky_time ky_time_truncate(ky_time t, int64_t d)
{
	if (d <= 0)
		return t;
	const int64_t zero_to_unix = 62135596800LL; /* seconds from year 1 to 1970 */
	__int128 abs = ((__int128)t.sec + zero_to_unix) * 1000000000 + t.nsec;
	__int128 r = abs % d;
	if (r < 0)
		r += d;
	return ky_time_add(t, -(int64_t)r);
}
