/*
 * defaults.c — what the program decides for the library (see defaults.h):
 * where the schemas are and where to cache, from the environment, the
 * install prefix, and a checkout's layout. The library itself never looks.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "defaults.h"

#ifndef GUARDRAIL_DATADIR /* set by the Makefile from PREFIX */
#define GUARDRAIL_DATADIR "/usr/local/share/guardrail"
#endif

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The folder holding the running program, or "" (Linux: /proc/self/exe). */
static void program_dir(char *out, size_t cap)
{
	out[0] = '\0';
	char exe[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (len <= 0)
		return;
	exe[len] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return;
	*slash = '\0';
	snprintf(out, cap, "%s", exe);
}

int guardrail_default_schema_dir(char *out, size_t cap, gr_error *err)
{
	const char *env = getenv("GUARDRAIL_SCHEMA_DIR");
	if (env && *env) { /* set means chosen: a wrong value is an error, not a fallback */
		if (!is_dir(env))
			return gr_error_set(err, 0, 0, "GUARDRAIL_SCHEMA_DIR=%.300s is not a directory", env);
		snprintf(out, cap, "%s", env);
		return 1;
	}
	char exe[PATH_MAX], cand[8][PATH_MAX + 64];
	int n = 0;
	program_dir(exe, sizeof exe);
	snprintf(cand[n++], sizeof cand[0], "%s", GUARDRAIL_DATADIR "/k8s-openapi");
	/* an install under another prefix: <prefix>/bin/guardrail -> <prefix>/share/guardrail */
	if (exe[0])
		snprintf(cand[n++], sizeof cand[0], "%.3900s/../share/guardrail/k8s-openapi", exe);
	snprintf(cand[n++], sizeof cand[0], "%s", "../shared/k8s-openapi");
	/* a checkout: build/guardrail -> <checkout>/../shared; build/tests/unit/x -> up more */
	for (int up = 0; exe[0] && up < 4; up++) {
		char rel[64] = "";
		for (int i = 0; i <= up; i++)
			strcat(rel, "/..");
		snprintf(cand[n++], sizeof cand[0], "%.3900s%.40s/../shared/k8s-openapi", exe, rel);
	}
	for (int i = 0; i < n; i++) {
		if (!is_dir(cand[i]))
			continue;
		char real[PATH_MAX];
		const char *found = realpath(cand[i], real) ? real : cand[i];
		if (strlen(found) >= cap)
			return gr_error_set(err, 0, 0, "schema directory path too long");
		strcpy(out, found);
		return 1;
	}
	return 0;
}

const char *guardrail_schema_dir_hint(void)
{
	return "give --schema-dir or set GUARDRAIL_SCHEMA_DIR (looked in " GUARDRAIL_DATADIR
	       "/k8s-openapi, <prefix>/share/guardrail/k8s-openapi beside the program, and "
	       "../shared/k8s-openapi)";
}

int guardrail_default_cache_dir(char *out, size_t cap)
{
	const char *d = getenv("GUARDRAIL_CACHE_DIR");
	if (d && strcmp(d, "off") == 0)
		return 0;
	int n;
	if (d && *d)
		n = snprintf(out, cap, "%s", d);
	else if ((d = getenv("XDG_CACHE_HOME")) && *d)
		n = snprintf(out, cap, "%s/guardrail", d);
	else if ((d = getenv("HOME")) && *d)
		n = snprintf(out, cap, "%s/.cache/guardrail", d);
	else
		return 0;
	return n > 0 && (size_t)n < cap ? 1 : 0;
}
