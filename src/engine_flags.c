/* engine_flags.c — engine flags shared by the commands that judge objects. */
#include <stdio.h>
#include <string.h>

#include "defaults.h"
#include "engine_flags.h"

const char *engine_flag_value(int argc, char **argv, int *i, const char *name, bool *matched)
{
	const char *a = argv[*i];
	size_t n = strlen(name);
	*matched = false;
	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=' && name[1] == '-') {
		*matched = true;
		return a + n + 1;
	}
	if (a[n] == '\0') {
		*matched = true;
		return *i + 1 < argc ? argv[++*i] : NULL;
	}
	if (name[1] != '-') { /* -j4, -ojson */
		*matched = true;
		return a + n;
	}
	return NULL;
}

static const struct option_flag {
	const char *flag, *short_flag, *engine, *key;
} option_flags[] = {
        {"--kubernetes-version", "-k", "schema", "kubernetes-version"},
        {"--schema-dir", NULL, "schema", "schema-dir"},
        {"--schema-patches", NULL, "schema", "patches-dir"},
        {"--crd", NULL, "schema", "crd"},
        {"--old", NULL, "schema", "old"},
        {"--vap-policy", NULL, "vap", "policy"},
        {"--pss-enforce", NULL, "pss", "enforce"},
        {"--pss-warn", NULL, "pss", "warn"},
        {"--pss-audit", NULL, "pss", "audit"},
        {"--pss-exempt-namespace", NULL, "pss", "exempt-namespace"},
        {"--pss-exempt-runtime-class", NULL, "pss", "exempt-runtime-class"},
        {"--profile", NULL, "rules", "profile"},
        {"--only", NULL, "rules", "only"},
        {"--config", NULL, "rules", "config"},
        {"--profile-config", NULL, "rules", "upstream-config"},
        {"--target-kubernetes", NULL, "rules", "target-kubernetes"},
        {"--allowed-registries", NULL, "rules", "allowed-registries"},
        {"--denied-registries", NULL, "rules", "denied-registries"},
        {"--enable-rule", NULL, "rules", "enable"},
        {"--disable-rule", NULL, "rules", "disable"},
        {"--policy", NULL, "kyverno", "policy"},
};

static const struct switch_flag {
	const char *flag, *engine, *key, *value;
} switch_flags[] = {
        {"--strict", "schema", "strict", "true"},
        {"--no-strict", "schema", "strict", "false"},
        {"--ignore-missing-schemas", "schema", "ignore-missing-schemas", "true"},
        {"--require-digest", "rules", "require-digest", "true"},
        {"--require-qualified-images", "rules", "require-qualified", "true"},
};

const char engine_flags_help[] =
        "engines:\n"
        "      --engines LIST           comma-separated engines to run (default: all)\n"
        "schema:\n"
        "  -k, --kubernetes-version X.Y target version (default: newest schema present)\n"
        "      --schema-dir DIR         OpenAPI v3 documents\n"
        "      --schema-patches DIR     JSON merge patches laid over the schemas\n"
        "      --crd PATH               CRD file or directory (repeatable)\n"
        "      --strict / --no-strict   unknown fields are errors (default) / warnings\n"
        "      --ignore-missing-schemas skip kinds with no schema instead of failing\n"
        "pod security:\n"
        "      --pss-enforce LEVEL[:VERSION]  fail on violations (default baseline:latest)\n"
        "      --pss-warn LEVEL[:VERSION]     report as warnings (default restricted:latest)\n"
        "      --pss-audit LEVEL[:VERSION]    report as audit notes (default: off)\n"
        "      --pss-exempt-namespace NS      skip pods in this namespace (repeatable)\n"
        "      --pss-exempt-runtime-class RC  skip pods with this runtimeClassName (repeatable)\n"
        "      --policy FILE|DIR        Kyverno ClusterPolicy/Policy files to apply (repeatable)\n"
        "      --vap-policy PATH        ValidatingAdmissionPolicy and binding files (repeatable)\n"
        "rule packs:\n"
        "      --profile P, --only LIST, --config FILE, --enable-rule R, --disable-rule R,\n"
        "      --target-kubernetes X.Y, --allowed-registries L, --denied-registries L: as check\n";

static int set_option(gr_options *o, const char *cmd, const char *flag, const char *engine, const char *key,
                      const char *value, bool *schema_dir_given)
{
	gr_error err;
	gr_error_clear(&err);
	if (gr_options_set(o, engine, key, value, &err)) {
		fprintf(stderr, "guardrail %s: %s: %s\n", cmd, flag, err.message);
		return -1;
	}
	if (strcmp(key, "schema-dir") == 0)
		*schema_dir_given = true;
	return 0;
}

int engine_flag_parse(gr_options *o, const char *cmd, int argc, char **argv, int *i, bool *schema_dir_given)
{
	const char *arg = argv[*i];
	bool m;
	for (size_t k = 0; k < sizeof switch_flags / sizeof switch_flags[0]; k++)
		if (strcmp(arg, switch_flags[k].flag) == 0)
			return set_option(o, cmd, arg, switch_flags[k].engine, switch_flags[k].key,
			                  switch_flags[k].value, schema_dir_given);
	const char *v = engine_flag_value(argc, argv, i, "--engines", &m);
	if (m) {
		gr_error err;
		if (!v) {
			fprintf(stderr, "guardrail %s: flag --engines needs a value\n", cmd);
			return -1;
		}
		if (gr_options_select(o, v, &err)) {
			fprintf(stderr, "guardrail %s: --engines: %s\n", cmd, err.message);
			return -1;
		}
		return 0;
	}
	for (size_t k = 0; k < sizeof option_flags / sizeof option_flags[0]; k++) {
		const struct option_flag *f = &option_flags[k];
		v = engine_flag_value(argc, argv, i, f->flag, &m);
		if (!m && f->short_flag)
			v = engine_flag_value(argc, argv, i, f->short_flag, &m);
		if (!m)
			continue;
		if (!v) {
			fprintf(stderr, "guardrail %s: flag %s needs a value\n", cmd, arg);
			return -1;
		}
		int rc = set_option(o, cmd, f->flag, f->engine, f->key, v, schema_dir_given);
		if (rc == 0 &&
		    strcmp(f->key, "kubernetes-version") == 0) /* the native engine's rules follow it too */
			rc = set_option(o, cmd, f->flag, "native", f->key, v, schema_dir_given);
		return rc;
	}
	return 1;
}

gr_checker *engine_flags_checker(gr_options *o, const char *cmd, bool schema_dir_given)
{
	/* the program's defaults: the schema directory when no flag gave one,
	 * the cache folder from the environment */
	char dir[4096];
	gr_error err;
	gr_error_clear(&err);
	int found = 1;
	if (!schema_dir_given) {
		found = guardrail_default_schema_dir(dir, sizeof dir, &err);
		if (found < 0) {
			fprintf(stderr, "guardrail %s: %s\n", cmd, err.message);
			return NULL;
		}
		if (found > 0 && gr_options_set(o, "schema", "schema-dir", dir, &err)) {
			fprintf(stderr, "guardrail %s: %s\n", cmd, err.message);
			return NULL;
		}
	}
	if (guardrail_default_cache_dir(dir, sizeof dir) &&
	    gr_options_set(o, "schema", "cache-dir", dir, &err)) {
		fprintf(stderr, "guardrail %s: %s\n", cmd, err.message);
		return NULL;
	}
	gr_checker *c = NULL;
	if (gr_checker_new(&c, o, &err)) {
		fprintf(stderr, "guardrail %s: %s\n", cmd, err.message);
		if (!found)
			fprintf(stderr, "guardrail %s: %s\n", cmd, guardrail_schema_dir_hint());
		return NULL;
	}
	return c;
}
