/*
 * format.c — the string formats the API server checks: quantity (as
 * resource.ParseQuantity accepts it), date-time (RFC 3339 and the ISO 8601
 * variants kube-openapi's strfmt also takes), byte (standard base64; Go's
 * decoder skips CR and LF, so do we), ipv4 and ipv6 (as strfmt: an address
 * Go's net.ParseIP accepts, written with a '.' or with a ':').
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "guardrail/schema.h"

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
	return inet_pton(AF_INET6, buf, addr) == 1;
}

bool gr_format_ipv4_ok(const char *s, size_t len)
{
	return parse_ip(s, len) && memchr(s, '.', len);
}
bool gr_format_ipv6_ok(const char *s, size_t len)
{
	return parse_ip(s, len) && memchr(s, ':', len);
}
