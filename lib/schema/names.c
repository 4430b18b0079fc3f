/*
 * names.c — the object-metadata syntax rules of k8s.io/apimachinery's
 * validation package: DNS-1123 subdomain (253) and label (63), DNS-1035
 * label, qualified names (label and annotation keys: optional DNS subdomain
 * prefix, '/', a name of at most 63 characters) and label values.
 * Hand-written scanners instead of regular expressions: no allocation.
 */
#include <stdbool.h>
#include <stddef.h>

#include "guardrail/schema.h"
#include "validate_int.h"

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
static bool alnum(char c)
{
	return lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

bool gr_is_dns1123_label(const char *s, size_t len)
{
	if (len == 0 || len > 63 || !lower_alnum(s[0]) || !lower_alnum(s[len - 1]))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!lower_alnum(s[i]) && s[i] != '-')
			return false;
	return true;
}

bool gr_is_dns1123_subdomain(const char *s, size_t len)
{
	return len <= 253 && gr_dns1123_subdomain_syntax(s, len);
}

bool gr_dns1123_subdomain_syntax(const char *s, size_t len)
{
	if (len == 0)
		return false;
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			size_t n = i - start;
			/* each dot-separated part is a label (without the 63 limit) */
			if (n == 0 || !lower_alnum(s[start]) || !lower_alnum(s[i - 1]))
				return false;
			for (size_t j = start; j < i; j++)
				if (!lower_alnum(s[j]) && s[j] != '-')
					return false;
			start = i + 1;
		}
	}
	return true;
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], at most 63 */
static bool qualified_part(const char *s, size_t len)
{
	if (len == 0 || len > 63 || !alnum(s[0]) || !alnum(s[len - 1]))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

bool gr_is_qualified_name(const char *s, size_t len)
{
	size_t slash = len;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '/') {
			if (slash != len)
				return false; /* more than one '/' */
			slash = i;
		}
	}
	if (slash == len)
		return qualified_part(s, len);
	if (slash == 0 || !gr_is_dns1123_subdomain(s, slash))
		return false;
	return qualified_part(s + slash + 1, len - slash - 1);
}

bool gr_is_label_value(const char *s, size_t len)
{
	return len == 0 || qualified_part(s, len);
}
