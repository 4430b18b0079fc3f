/*
 * format.c — the string formats the API server checks: quantity (as
 * resource.ParseQuantity accepts it), date-time (RFC 3339 and the ISO 8601
 * variants kube-openapi's strfmt also takes), byte (standard base64; Go's
 * decoder skips CR and LF, so do we), ipv4 and ipv6 (as strfmt: an address
 * Go's net.ParseIP accepts, written with a '.' or with a ':').
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "guardrail/cel.h"
#include "guardrail/regex.h"
#include "guardrail/schema.h"
#include "schema_int.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool gr_format_quantity_ok(const char *s, size_t len)
{
	size_t i = 0;
	if (len == 0)
		return false;
	if (s[i] == '+' || s[i] == '-')
		i++;
	size_t int_digits = 0, frac_digits = 0;
	while (i < len && is_digit(s[i]))
		i++, int_digits++;
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && is_digit(s[i]))
			i++, frac_digits++;
	}
	if (int_digits + frac_digits == 0)
		return false;
	const char *suf = s + i;
	size_t n = len - i;
	if (n == 0)
		return true;
	if (n == 2 && suf[1] == 'i' && strchr("KMGTPE", suf[0]))
		return true;
	if (n == 1 && strchr("mkMGTPE", suf[0]))
		return true;
	if (suf[0] == 'e' || suf[0] == 'E') { /* decimal exponent: e<signed integer> */
		size_t j = 1;
		if (j < n && (suf[j] == '+' || suf[j] == '-'))
			j++;
		if (j == n)
			return false;
		for (; j < n; j++)
			if (!is_digit(suf[j]))
				return false;
		return true;
	}
	return false;
}

static bool digits(const char *s, size_t len, size_t at, size_t n, int *out)
{
	if (at + n > len)
		return false;
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[at + i]))
			return false;
		v = v * 10 + (s[at + i] - '0');
	}
	*out = v;
	return true;
}

bool gr_format_datetime_ok(const char *s, size_t len)
{
	int y, mo, d, h, mi, sec = 0;
	if (!digits(s, len, 0, 4, &y) || len < 16 || s[4] != '-' || !digits(s, len, 5, 2, &mo) ||
	    s[7] != '-' || !digits(s, len, 8, 2, &d))
		return false;
	(void)y;
	if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
		return false;
	if (!digits(s, len, 11, 2, &h) || s[13] != ':' || !digits(s, len, 14, 2, &mi))
		return false;
	size_t i = 16;
	if (i < len && s[i] == ':') {
		if (!digits(s, len, i + 1, 2, &sec))
			return false;
		i += 3;
		if (i < len && s[i] == '.') {
			size_t f = ++i;
			while (i < len && is_digit(s[i]))
				i++;
			if (i == f)
				return false;
		}
	}
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 60)
		return false;
	if (i == len)
		return true; /* local time (ISO 8601) */
	if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len)
		return true;
	if (s[i] != '+' && s[i] != '-')
		return false;
	int zh, zm;
	if (!digits(s, len, i + 1, 2, &zh))
		return false;
	i += 3;
	if (i < len && s[i] == ':')
		i++;
	if (!digits(s, len, i, 2, &zm) || i + 2 != len)
		return false;
	return zh <= 23 && zm <= 59;
}

bool gr_format_byte_ok(const char *s, size_t len)
{
	size_t n = 0, pad = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			pad++;
			n++;
			continue;
		}
		if (pad)
			return false; /* data after padding */
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '+' ||
		      c == '/'))
			return false;
		n++;
	}
	return n % 4 == 0 && pad <= 2;
}

/* An IPv6 address as inet_pton reads it (it may end in a dotted quad);
 * no zone. */
static bool ipv6_addr(const char *s, size_t len)
{
	char buf[64];
	unsigned char addr[16];
	if (len == 0 || len >= sizeof buf || memchr(s, '%', len) || !memchr(s, ':', len))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(AF_INET6, buf, addr) == 1;
}

/* net.ParseIP: dotted IPv4 (no leading zeros) or IPv6 (may end in a dotted quad). */
static bool parse_ip(const char *s, size_t len)
{
	char buf[64];
	unsigned char addr[16];
	if (len == 0 || len >= sizeof buf || memchr(s, '%', len))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, addr) == 1) {
		for (size_t i = 0; i + 1 < len; i++) /* Go rejects leading zeros: "01.2.3.4" */
			if (buf[i] == '0' && (i == 0 || buf[i - 1] == '.') && is_digit(buf[i + 1]))
				return false;
		return true;
	}
	return ipv6_addr(s, len);
}

bool gr_format_ipv4_ok(const char *s, size_t len)
{
	return parse_ip(s, len) && memchr(s, '.', len);
}
bool gr_format_ipv6_ok(const char *s, size_t len)
{
	return parse_ip(s, len) && memchr(s, ':', len);
}

/* ---- the other formats kube-openapi's strfmt checks in CRD schemas ---- */

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool hex_run(const char *s, size_t len, size_t *i, size_t n)
{
	for (size_t k = 0; k < n; k++, (*i)++)
		if (*i >= len || !is_hex(s[*i]))
			return false;
	return true;
}

/* strfmt's UUID patterns, case-insensitive, each dash optional:
 * 8-4-4-4-12 hex digits; version 3, 4, 5 fix the third group's first
 * digit, and 4 and 5 the fourth group's first to one of 8, 9, a, b. */
bool gri_format_uuid_ok(const char *s, size_t len, int version)
{
	static const size_t groups[] = {8, 4, 4, 4, 12};
	size_t i = 0;
	for (int g = 0; g < 5; g++) {
		if (g && i < len && s[i] == '-')
			i++;
		size_t n = groups[g];
		if (g == 2 && version) {
			if (i >= len || s[i] != '0' + version)
				return false;
			i++, n--;
		}
		if (g == 3 && (version == 4 || version == 5)) {
			if (i >= len || !strchr("89abAB", s[i]) || !s[i])
				return false;
			i++, n--;
		}
		if (!hex_run(s, len, &i, n))
			return false;
	}
	return i == len;
}

/* bson ObjectIDFromHex: 24 hex digits */
bool gri_format_bsonobjectid_ok(const char *s, size_t len)
{
	size_t i = 0;
	return len == 24 && hex_run(s, len, &i, 24);
}

/* govalidator's Hexcolor: ^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$ */
bool gri_format_hexcolor_ok(const char *s, size_t len)
{
	size_t i = len && s[0] == '#';
	size_t n = len - i;
	return (n == 3 || n == 6) && hex_run(s, len, &i, n);
}

static bool go_space(char c) /* Go's \s: [\t\n\f\r ] */
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* govalidator's RGBcolor: rgb( n , n , n ) with n 0-255 written without a
 * leading zero and \s* around each */
bool gri_format_rgbcolor_ok(const char *s, size_t len)
{
	if (len < 4 || memcmp(s, "rgb(", 4) != 0)
		return false;
	size_t i = 4;
	for (int k = 0; k < 3; k++) {
		while (i < len && go_space(s[i]))
			i++;
		size_t st = i;
		unsigned v = 0;
		while (i < len && is_digit(s[i]) && i - st < 4)
			v = v * 10 + (unsigned)(s[i++] - '0');
		size_t nd = i - st;
		if (nd == 0 || nd > 3 || v > 255 || (nd > 1 && s[st] == '0'))
			return false;
		while (i < len && go_space(s[i]))
			i++;
		if (i >= len || s[i] != (k < 2 ? ',' : ')'))
			return false;
		i++;
	}
	return i == len;
}

static bool leap(long y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

/* time.Parse("2006-01-02", s): four-digit year, two-digit month 01-12,
 * two-digit day that exists in that month, nothing else */
bool gri_format_date_ok(const char *s, size_t len)
{
	int y, m, d;
	if (len != 10 || !digits(s, len, 0, 4, &y) || s[4] != '-' || !digits(s, len, 5, 2, &m) ||
	    s[7] != '-' || !digits(s, len, 8, 2, &d))
		return false;
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12 || d < 1)
		return false;
	return d <= days[m - 1] + (m == 2 && leap(y));
}

/* One match of strfmt's durationMatcher, (((?:-\s?)?\d+)\s*([A-Za-zµ]+)),
 * at s[i] (leftmost-first, greedy): the digits and the unit. *end is
 * where the match ends, or where a start after i may next succeed: no
 * start inside a run of digits that has no unit after it can (so the
 * scan over a string stays linear, as Go's regexp is). */
static bool duration_match_at(const char *s, size_t len, size_t i, size_t *digits, size_t *ndigits,
                              size_t *unit, size_t *nunit, size_t *end)
{
	*end = i + 1;
	if (i < len && s[i] == '-') {
		size_t j = i + 1;
		if (j < len && go_space(s[j]))
			j++;
		if (j < len && is_digit(s[j]))
			i = j; /* the optional "-\s?" taken */
	}
	size_t st = i;
	while (i < len && is_digit(s[i]))
		i++;
	if (i == st)
		return false;
	*digits = st, *ndigits = i - st;
	if (i > *end)
		*end = i;
	while (i < len && go_space(s[i]))
		i++;
	size_t us = i;
	for (;;) {
		if (i < len && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')))
			i++;
		else if (i + 1 < len && (unsigned char)s[i] == 0xC2 && (unsigned char)s[i + 1] == 0xB5)
			i += 2; /* µ */
		else
			break;
	}
	if (i == us)
		return false;
	*unit = us, *nunit = i - us, *end = i;
	return true;
}

static bool unit_is(const char *u, size_t n, const char *v, bool prefix)
{
	size_t vl = strlen(v);
	if (prefix ? n < vl : n != vl)
		return false;
	for (size_t k = 0; k < vl; k++) {
		char c = u[k];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != v[k])
			return false;
	}
	return true;
}

/* strfmt's ParseDuration: Go's time.ParseDuration, else every match of its
 * durationMatcher whose unit it knows (a unit's last spelling may begin a
 * longer word: "minutes"); valid when one was known and no number
 * overflowed strconv.Atoi. */
bool gri_format_duration_ok(const char *s, size_t len)
{
	int64_t ns;
	if (gr_cel_parse_duration(s, len, &ns) == 0)
		return true;
	static const char *const units[][3] = {{"ns", "nano", NULL},  {"us", "\xc2\xb5s", "micro"},
	                                       {"ms", "milli", NULL}, {"s", "sec", NULL},
	                                       {"m", "min", NULL},    {"h", "hr", "hour"},
	                                       {"d", "day", NULL},    {"w", "wk", "week"}};
	bool ok = false;
	size_t i = 0;
	while (i < len) {
		size_t d, nd, u, nu, end;
		if (!duration_match_at(s, len, i, &d, &nd, &u, &nu, &end)) {
			i = end;
			continue;
		}
		size_t k = d;
		while (k < d + nd && s[k] == '0')
			k++;
		if (d + nd - k > 19 || (d + nd - k == 19 && memcmp(s + k, "9223372036854775807", 19) > 0))
			return false; /* strconv.Atoi: out of range */
		for (size_t g = 0; g < sizeof units / sizeof units[0]; g++) {
			size_t last = units[g][2] ? 2 : 1;
			for (size_t v = 0; v <= last; v++)
				if (unit_is(s + u, nu, units[g][v], v == last))
					ok = true;
		}
		i = end;
	}
	return ok;
}

/* Go's net.ParseMAC: 6, 8 or 20 bytes as two-hex-digit groups joined by
 * ':' or '-' (one separator throughout), or four-digit groups joined by
 * '.' */
bool gri_format_mac_ok(const char *s, size_t len)
{
	if (len < 14)
		return false;
	if (s[2] == ':' || s[2] == '-') {
		if ((len + 1) % 3)
			return false;
		size_t n = (len + 1) / 3;
		if (n != 6 && n != 8 && n != 20)
			return false;
		for (size_t g = 0, x = 0; g < n; g++, x += 3)
			if (!is_hex(s[x]) || !is_hex(s[x + 1]) || (x + 2 < len && s[x + 2] != s[2]))
				return false;
		return true;
	}
	if (s[4] != '.' || (len + 1) % 5)
		return false;
	size_t n = 2 * (len + 1) / 5;
	if (n != 6 && n != 8 && n != 20)
		return false;
	for (size_t x = 0; x < len; x += 5)
		if (!is_hex(s[x]) || !is_hex(s[x + 1]) || !is_hex(s[x + 2]) || !is_hex(s[x + 3]) ||
		    (x + 4 < len && s[x + 4] != '.'))
			return false;
	return true;
}

/* Go 1.16's parseIPv4, which k8s.io/utils/net's ParseIPSloppy keeps:
 * four decimal fields up to 255, leading zeros allowed. */
static bool ipv4_sloppy(const char *s, size_t len)
{
	size_t i = 0;
	for (int f = 0; f < 4; f++) {
		if (f) {
			if (i >= len || s[i] != '.')
				return false;
			i++;
		}
		size_t st = i;
		unsigned v = 0;
		while (i < len && is_digit(s[i])) {
			v = v * 10 + (unsigned)(s[i++] - '0');
			if (v > 0xFFFFFF)
				return false;
		}
		if (i == st || v > 255)
			return false;
	}
	return i == len;
}

/* strfmt's ipv4 (isIPv4): ParseIPSloppy accepts it and it has a '.' */
bool gri_format_ipv4_sloppy_ok(const char *s, size_t len)
{
	return memchr(s, '.', len) && (ipv4_sloppy(s, len) || ipv6_addr(s, len));
}

/* strfmt's cidr: ParseCIDRSloppy, an address (IPv4 leading zeros allowed)
 * and a decimal prefix length within its size */
bool gri_format_cidr_ok(const char *s, size_t len)
{
	const char *sl = memchr(s, '/', len);
	if (!sl)
		return false;
	size_t al = (size_t)(sl - s);
	int bits = ipv4_sloppy(s, al) ? 32 : ipv6_addr(s, al) ? 128 : 0;
	if (!bits)
		return false;
	const char *m = sl + 1, *end = s + len;
	if (m == end)
		return false;
	unsigned long n = 0;
	for (; m < end; m++) {
		if (!is_digit(*m))
			return false;
		n = n * 10 + (unsigned long)(*m - '0');
		if (n > 0xFFFFFF)
			return false;
	}
	return n <= (unsigned long)bits;
}

/* strfmt's HostnamePattern (Unicode letters and symbols allowed), compiled
 * once by our RE2-compatible engine as Go's regexp reads it. */
static const char hostname_pattern[] =
        "^([a-zA-Z0-9\\p{S}\\p{L}]((-?[a-zA-Z0-9\\p{S}\\p{L}]{0,62})?)|([a-zA-Z0-9\\p{S}\\p{L}](([a-zA-Z0-9-"
        "\\p{S}\\p{L}]{0,61}[a-zA-Z0-9\\p{S}\\p{L}])?)(\\.)){1,}([a-zA-Z\\p{L}]){2,63})$";
static gr_regex *hostname_re;
static pthread_once_t hostname_once = PTHREAD_ONCE_INIT;

static void hostname_compile(void)
{
	hostname_re = gr_regex_compile(hostname_pattern, sizeof hostname_pattern - 1, NULL, NULL);
}

/* strfmt's IsHostname: the pattern, at most 255 bytes, no label over 63
 * bytes. 1 valid, 0 not, -1 out of memory (not judged). */
int gri_format_hostname_ok(const char *s, size_t len)
{
	pthread_once(&hostname_once, hostname_compile);
	if (!hostname_re)
		return -1;
	int m = gr_regex_match(hostname_re, s, len, NULL);
	if (m <= 0)
		return m;
	if (len > 255)
		return 0;
	for (size_t i = 0, st = 0; i <= len; i++)
		if (i == len || s[i] == '.') {
			if (i - st > 63)
				return 0;
			st = i + 1;
		}
	return 1;
}

/* govalidator's IsBase64, strfmt's byte:
 * ^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$
 * groups of four, at least one, '=' only to pad the last */
bool gri_format_base64_strfmt_ok(const char *s, size_t len)
{
	if (len == 0 || len % 4)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '+' ||
		             c == '/';
		if (alpha)
			continue;
		/* '=' only as the last one or two, after at least two of the group */
		if (c == '=' && (i == len - 1 || (i == len - 2 && s[len - 1] == '=')))
			continue;
		return false;
	}
	return true;
}

/* ---- uri: Go's net/url.ParseRequestURI accepts it ---- */

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* net/url's shouldEscape for a host or zone byte (ASCII) */
static bool host_escape(unsigned char c)
{
	if (is_alnum((char)c))
		return false;
	return !strchr("!$&'()*+,;=:[]<>\"-_.~", c) || c == 0;
}

enum { U_PATH, U_HOST, U_ZONE, U_USER };

static int unhex(char c)
{
	return is_digit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : c - 'A' + 10;
}

/* net/url's unescape(s, mode) succeeds */
static bool url_unescape_ok(const char *s, size_t len, int mode)
{
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= len || !is_hex(s[i + 1]) || !is_hex(s[i + 2]))
				return false;
			bool pct25 = s[i + 1] == '2' && s[i + 2] == '5';
			if (mode == U_HOST && unhex(s[i + 1]) < 8 && !pct25)
				return false;
			if (mode == U_ZONE) {
				unsigned char v = (unsigned char)(unhex(s[i + 1]) << 4 | unhex(s[i + 2]));
				/* as Go: shouldEscape on the byte (non-ASCII included) */
				if (!pct25 && v != ' ' && (v >= 0x80 || host_escape(v)))
					return false;
			}
			i += 3;
			continue;
		}
		if ((mode == U_HOST || mode == U_ZONE) && c < 0x80 && host_escape(c))
			return false;
		i++;
	}
	return true;
}

/* "" or ":" and digits */
static bool valid_optional_port(const char *p, size_t n)
{
	if (n == 0)
		return true;
	if (p[0] != ':')
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_digit(p[i]))
			return false;
	return true;
}

static bool url_host_ok(const char *h, size_t n)
{
	if (n && h[0] == '[') {
		const char *rb = NULL;
		for (size_t i = n; i-- > 0;)
			if (h[i] == ']') {
				rb = h + i;
				break;
			}
		if (!rb)
			return false;
		size_t i = (size_t)(rb - h);
		if (!valid_optional_port(rb + 1, n - i - 1))
			return false;
		for (size_t z = 0; z + 3 <= i; z++)
			if (h[z] == '%' && h[z + 1] == '2' && h[z + 2] == '5')
				return url_unescape_ok(h, z, U_HOST) &&
				       url_unescape_ok(h + z, i - z, U_ZONE) &&
				       url_unescape_ok(h + i, n - i, U_HOST);
	} else {
		for (size_t i = n; i-- > 0;)
			if (h[i] == ':') {
				if (!valid_optional_port(h + i, n - i))
					return false;
				break;
			}
	}
	return url_unescape_ok(h, n, U_HOST);
}

static bool url_userinfo_ok(const char *u, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(u[i]) && !strchr("-._:~!$&'()*+,;=%@", u[i]))
			return false; /* non-ASCII too: Go's loop reads runes */
	return url_unescape_ok(u, n, U_USER);
}

/* govalidator's IsRequestURI, strfmt's uri: url.ParseRequestURI(s) gives
 * no error. An absolute URI (a scheme; without "/" after it, opaque and
 * taken as it is) or an absolute path; no control bytes; well-formed
 * %-escapes; a host of the bytes net/url allows, a numeric port. */
bool gri_format_uri_ok(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	if (len == 0)
		return false;
	if (len == 1 && s[0] == '*')
		return true;
	size_t scheme = 0, k;
	for (k = 0; k < len; k++) {
		char c = s[k];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			continue;
		if (is_digit(c) || c == '+' || c == '-' || c == '.') {
			if (k == 0)
				break;
			continue;
		}
		if (c == ':') {
			if (k == 0)
				return false; /* missing protocol scheme */
			scheme = k;
		}
		break;
	}
	const char *rest = scheme ? s + scheme + 1 : s;
	size_t n = len - (size_t)(rest - s);
	const char *q = memchr(rest, '?', n);
	if (q && q == rest + n - 1)
		n--; /* a lone '?' at the end: ForceQuery */
	else if (q)
		n = (size_t)(q - rest);
	if (!n || rest[0] != '/')
		return scheme != 0; /* opaque, or not a request URI */
	if (scheme && n >= 2 && rest[1] == '/') {
		const char *auth = rest + 2;
		const char *sl = memchr(auth, '/', n - 2);
		size_t an = sl ? (size_t)(sl - auth) : n - 2;
		const char *at = NULL;
		for (size_t i = an; i-- > 0;)
			if (auth[i] == '@') {
				at = auth + i;
				break;
			}
		const char *host = at ? at + 1 : auth;
		if (!url_host_ok(host, an - (size_t)(host - auth)))
			return false;
		if (at && !url_userinfo_ok(auth, (size_t)(at - auth)))
			return false;
		rest = auth + an;
		n -= an + 2;
	}
	return url_unescape_ok(rest, n, U_PATH);
}

/* govalidator's IsSSN: 11 bytes, ^\d{3}[- ]?\d{2}[- ]?\d{4}$ (so both
 * separators present) */
bool gri_format_ssn_ok(const char *s, size_t len)
{
	if (len != 11)
		return false;
	for (size_t i = 0; i < 11; i++) {
		bool sep = i == 3 || i == 6;
		if (sep ? (s[i] != '-' && s[i] != ' ') : !is_digit(s[i]))
			return false;
	}
	return true;
}

/* govalidator's IsISBN(s, version): spaces (Go's \s) and dashes removed,
 * then ten digits (the last may be X) with the ISBN-10 checksum, or
 * thirteen with the ISBN-13 one; version 0: either. */
bool gri_format_isbn_ok(const char *s, size_t len, int version)
{
	char d[16];
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (go_space(s[i]) || s[i] == '-')
			continue;
		if (n == sizeof d)
			return false;
		d[n++] = s[i];
	}
	if ((version == 0 || version == 10) && n == 10) {
		int sum = 0;
		bool ok = true;
		for (int i = 0; i < 9 && ok; i++)
			ok = is_digit(d[i]), sum += (i + 1) * (d[i] - '0');
		if (ok && (is_digit(d[9]) || d[9] == 'X') &&
		    (sum + 10 * (d[9] == 'X' ? 10 : d[9] - '0')) % 11 == 0)
			return true;
	}
	if ((version == 0 || version == 13) && n == 13) {
		int sum = 0;
		for (int i = 0; i < 13; i++)
			if (!is_digit(d[i]))
				return false;
		for (int i = 0; i < 12; i++)
			sum += (i % 2 ? 3 : 1) * (d[i] - '0');
		return d[12] - '0' == (10 - sum % 10) % 10;
	}
	return false;
}

/* ---- a CRD's strfmt format, by its code ---- */

/* A format's check: ok(s, len), or versioned(s, len, version) for the
 * UUID and ISBN families (version 0: any). */
static const struct {
	uint8_t format;
	bool (*ok)(const char *s, size_t len);
	bool (*versioned)(const char *s, size_t len, int version);
	int version;
	const char *expected;
} strfmt_rules[] = {
        {FMT_BYTE_STRFMT, gri_format_base64_strfmt_ok, NULL, 0,
         "base64 data in groups of four, padded with '=' (format byte)"},
        {FMT_IPV4_SLOPPY, gri_format_ipv4_sloppy_ok, NULL, 0, "an IPv4 address (format ipv4)"},
        {FMT_UUID, NULL, gri_format_uuid_ok, 0,
         "a UUID such as 123e4567-e89b-12d3-a456-426614174000 (format uuid)"},
        {FMT_UUID3, NULL, gri_format_uuid_ok, 3, "a version 3 UUID (format uuid3)"},
        {FMT_UUID4, NULL, gri_format_uuid_ok, 4, "a version 4 UUID (format uuid4)"},
        {FMT_UUID5, NULL, gri_format_uuid_ok, 5, "a version 5 UUID (format uuid5)"},
        {FMT_BSONOBJECTID, gri_format_bsonobjectid_ok, NULL, 0,
         "a BSON object id of 24 hex digits (format bsonobjectid)"},
        {FMT_DATE, gri_format_date_ok, NULL, 0, "a date such as 2024-01-31 (format date)"},
        {FMT_DURATION, gri_format_duration_ok, NULL, 0,
         "a duration such as 90s, 1h30m or \"5 minutes\" (format duration)"},
        {FMT_CIDR, gri_format_cidr_ok, NULL, 0, "a CIDR such as 10.0.0.0/16 (format cidr)"},
        {FMT_MAC, gri_format_mac_ok, NULL, 0, "a MAC address such as 00:1a:2b:3c:4d:5e (format mac)"},
        {FMT_HEXCOLOR, gri_format_hexcolor_ok, NULL, 0, "a hex color such as #1a2b3c (format hexcolor)"},
        {FMT_RGBCOLOR, gri_format_rgbcolor_ok, NULL, 0, "a color such as rgb(255,128,0) (format rgbcolor)"},
        {FMT_URI, gri_format_uri_ok, NULL, 0,
         "an absolute URI or path as Go's net/url.ParseRequestURI reads it, such as https://example.com/x "
         "(format uri)"},
        {FMT_ISBN, NULL, gri_format_isbn_ok, 0, "an ISBN-10 or ISBN-13 with its check digit (format isbn)"},
        {FMT_ISBN10, NULL, gri_format_isbn_ok, 10, "an ISBN-10 with its check digit (format isbn10)"},
        {FMT_ISBN13, NULL, gri_format_isbn_ok, 13, "an ISBN-13 with its check digit (format isbn13)"},
        {FMT_SSN, gri_format_ssn_ok, NULL, 0, "a social security number such as 123-45-6789 (format ssn)"},
};

const char *gri_strfmt_expected(uint8_t format, const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof strfmt_rules / sizeof strfmt_rules[0]; i++)
		if (strfmt_rules[i].format == format)
			return (strfmt_rules[i].ok
			                ? strfmt_rules[i].ok(s, len)
			                : strfmt_rules[i].versioned(s, len, strfmt_rules[i].version))
			               ? NULL
			               : strfmt_rules[i].expected;
	return NULL;
}
