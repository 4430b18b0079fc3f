/*
 * level.c — Pod Security levels, versions and namespace labels, parsed as
 * PSA's api package parses them.
 *
 * The trick: a bad label never makes a namespace unjudged. PSA falls back
 * to restricted for enforce, to privileged (fail open) for warn and audit,
 * and to latest for any bad version; gr_pss_policy_apply_label does the same
 * and only reports that the value was bad.
 */
#include <stdio.h>
#include <string.h>

#include "guardrail/pss.h"

static const char *const level_names[] = {"privileged", "baseline", "restricted"};

const char *gr_pss_level_name(gr_pss_level level)
{
	return (unsigned)level < 3 ? level_names[level] : "?";
}

int gr_pss_parse_level(const char *s, gr_pss_level *out)
{
	if (!s)
		return -1;
	for (int i = 0; i < 3; i++)
		if (strcmp(s, level_names[i]) == 0) {
			*out = (gr_pss_level)i;
			return 0;
		}
	return -1;
}

int gr_pss_parse_version(const char *s, int *minor)
{
	if (!s)
		return -1;
	if (strcmp(s, "latest") == 0) {
		*minor = GR_PSS_LATEST;
		return 0;
	}
	if (strncmp(s, "v1.", 3) != 0)
		return -1;
	const char *d = s + 3;
	size_t n = strlen(d);
	if (n == 0 || (n > 1 && d[0] == '0'))
		return -1;
	long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (d[i] < '0' || d[i] > '9')
			return -1;
		v = v * 10 + (d[i] - '0');
		if (v >= GR_PSS_LATEST) /* absurdly new: the same as latest */
			v = GR_PSS_LATEST;
	}
	*minor = (int)v;
	return 0;
}

const char *gr_pss_version_name(int minor, char *buf, size_t cap)
{
	if (minor >= GR_PSS_LATEST)
		snprintf(buf, cap, "latest");
	else
		snprintf(buf, cap, "v1.%d", minor);
	return buf;
}

int gr_pss_parse_spec(const char *s, gr_pss_spec *out, gr_error *err)
{
	if (!s)
		return gr_error_set(err, 0, 0, "missing Pod Security level");
	char level[32];
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);
	if (n >= sizeof level)
		return gr_error_set(
		        err, 0, 0,
		        "invalid Pod Security level \"%.*s\": must be privileged, baseline or restricted",
		        (int)(n > 64 ? 64 : n), s);
	memcpy(level, s, n);
	level[n] = '\0';
	if (gr_pss_parse_level(level, &out->level) != 0)
		return gr_error_set(
		        err, 0, 0,
		        "invalid Pod Security level \"%s\": must be privileged, baseline or restricted",
		        level);
	out->minor = GR_PSS_LATEST;
	if (colon && gr_pss_parse_version(colon + 1, &out->minor) != 0)
		return gr_error_set(err, 0, 0,
		                    "invalid Pod Security version \"%.64s\": must be \"latest\" or \"v1.N\"",
		                    colon + 1);
	return 0;
}

#define LABEL_PREFIX "pod-security.kubernetes.io/"

int gr_pss_policy_apply_label(gr_pss_policy *p, const char *key, const char *value)
{
	static const char *const modes[GR_PSS_NMODES] = {"enforce", "warn", "audit"};
	size_t plen = sizeof LABEL_PREFIX - 1;
	if (!key || strncmp(key, LABEL_PREFIX, plen) != 0)
		return 0;
	const char *rest = key + plen;
	for (int m = 0; m < GR_PSS_NMODES; m++) {
		size_t ml = strlen(modes[m]);
		if (strncmp(rest, modes[m], ml) != 0)
			continue;
		if (rest[ml] == '\0') {
			if (gr_pss_parse_level(value, &p->mode[m].level) == 0)
				return 1;
			/* PSA: enforce falls back to restricted, warn/audit fail open. */
			p->mode[m].level = m == GR_PSS_ENFORCE ? GR_PSS_RESTRICTED : GR_PSS_PRIVILEGED;
			return -1;
		}
		if (strcmp(rest + ml, "-version") == 0) {
			if (gr_pss_parse_version(value, &p->mode[m].minor) == 0)
				return 1;
			p->mode[m].minor = GR_PSS_LATEST;
			return -1;
		}
	}
	return 0;
}
