/*
 * names.c — apimachinery's name validators (k8s.io/apimachinery/pkg/util/
 * validation): DNS-1123 label and subdomain, DNS-1035 label, qualified
 * names (label and annotation keys), label values, IANA port names, IPs.
 * Each fills the messages the server would give, in its order.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "native_int.h"

static void msg(nv_msgs *m, const char *s)
{
	if (m->n < NV_MAXMSG)
		m->m[m->n++] = s;
}

static void msgf(nv_msgs *m, const char *pre, const char *s)
{
	if (m->n < NV_MAXMSG) {
		snprintf(m->buf[m->n], sizeof m->buf[0], "%s%s", pre, s);
		m->m[m->n] = m->buf[m->n];
		m->n++;
	}
}

static bool lower_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}
static bool alnum(char ch)
{
	return lower_alnum(ch) || (ch >= 'A' && ch <= 'Z');
}

static bool label_ok(const char *s, size_t n)
{
	if (n == 0 || !lower_alnum(s[0]) || !lower_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!lower_alnum(s[i]) && s[i] != '-')
			return false;
	return true;
}

#define LABEL_MSG                                                                                            \
	"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "         \
	"must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "           \
	"used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define SUBDOMAIN_MSG                                                                                        \
	"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "         \
	"'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "             \
	"used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"

int nv_dns1123_label(const char *s, nv_msgs *m)
{
	size_t n = strlen(s);
	if (n > 63)
		msg(m, "must be no more than 63 characters");
	if (!label_ok(s, n))
		msg(m, LABEL_MSG);
	return m->n;
}

static bool subdomain_ok(const char *s, size_t n)
{
	if (n == 0)
		return false;
	const char *p = s, *end = s + n;
	while (p <= end) {
		const char *dot = memchr(p, '.', (size_t)(end - p));
		const char *e = dot ? dot : end;
		if (!label_ok(p, (size_t)(e - p)))
			return false;
		if (!dot)
			break;
		p = dot + 1;
	}
	return true;
}

int nv_dns1123_subdomain(const char *s, nv_msgs *m)
{
	size_t n = strlen(s);
	if (n > 253)
		msg(m, "must be no more than 253 characters");
	if (!subdomain_ok(s, n))
		msg(m, SUBDOMAIN_MSG);
	return m->n;
}

int nv_dns1035_label(const char *s, nv_msgs *m)
{
	size_t n = strlen(s);
	if (n > 63)
		msg(m, "must be no more than 63 characters");
	if (!label_ok(s, n) || !(s[0] >= 'a' && s[0] <= 'z'))
		msg(m, "a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
		       "start with an alphabetic character, and end with an alphanumeric character "
		       "(e.g. 'my-name',  or 'abc-123', regex used for validation is "
		       "'[a-z]([-a-z0-9]*[a-z0-9])?')");
	return m->n;
}

static bool name_part_ok(const char *s, size_t n)
{
	if (n == 0 || !alnum(s[0]) || !alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

int nv_qualified_name(const char *s, nv_msgs *m)
{
	const char *slash = strchr(s, '/');
	const char *name = s;
	if (slash && strchr(slash + 1, '/')) {
		msg(m, "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and "
		       "must start and end with an alphanumeric character (e.g. 'MyName',  or "
		       "'my.name',  or '123-abc', regex used for validation is "
		       "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix "
		       "and '/' (e.g. 'example.com/MyName')");
		return m->n;
	}
	if (slash) {
		size_t pl = (size_t)(slash - s);
		char pre[300];
		if (pl == 0)
			msg(m, "prefix part must be non-empty");
		else {
			snprintf(pre, sizeof pre, "%.*s", (int)(pl > 299 ? 299 : pl), s);
			nv_msgs sub = {0};
			nv_dns1123_subdomain(pre, &sub);
			for (int i = 0; i < sub.n; i++)
				msgf(m, "prefix part ", sub.m[i]);
		}
		name = slash + 1;
	}
	size_t n = strlen(name);
	if (n == 0)
		msg(m, "name part must be non-empty");
	else if (n > 63)
		msg(m, "name part must be no more than 63 characters");
	if (n && !name_part_ok(name, n))
		msg(m, "name part must consist of alphanumeric characters, '-', '_' or '.', and must "
		       "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
		       "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
	return m->n;
}

int nv_label_value(const char *s, nv_msgs *m)
{
	size_t n = strlen(s);
	if (n > 63)
		msg(m, "must be no more than 63 characters");
	if (n && !name_part_ok(s, n))
		msg(m, "a valid label must be an empty string or consist of alphanumeric characters, "
		       "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
		       "'MyValue',  or 'my_value',  or '12345', regex used for validation is "
		       "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
	return m->n;
}

int nv_port_name(const char *s, nv_msgs *m)
{
	size_t n = strlen(s);
	if (n > 15)
		msg(m, "must be no more than 15 characters");
	bool bad = false, letter = false;
	for (size_t i = 0; i < n; i++) {
		if (!lower_alnum(s[i]) && s[i] != '-')
			bad = true;
		if (s[i] >= 'a' && s[i] <= 'z')
			letter = true;
	}
	if (bad)
		msg(m, "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
	if (!letter)
		msg(m, "must contain at least one letter (a-z)");
	if (strstr(s, "--"))
		msg(m, "must not contain consecutive hyphens");
	if (n && (s[0] == '-' || s[n - 1] == '-'))
		msg(m, "must not begin or end with a hyphen");
	return m->n;
}

bool nv_is_ip(const char *s)
{
	unsigned char b[16];
	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}
