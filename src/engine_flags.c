/* engine_flags.c — the engine flags of every command that judges objects
 * (check, audit): one table, so the commands accept the same flags. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

/* Flags that map to one engine option; a flag that feeds several engines
 * has consecutive rows. */
static const struct option_flag {
	const char *flag, *short_flag, *engine, *key;
} option_flags[] = {
        {"--kubernetes-version", "-k", "schema", "kubernetes-version"},
        {"--kubernetes-version", "-k", "native", "kubernetes-version"},
        {"--kubernetes-version", "-k", "rules", "kubernetes-version"},
        {"--kubernetes-version", "-k", "vap", "kubernetes-version"},
        {"--schema-dir", NULL, "schema", "schema-dir"},
        {"--schema-dir", NULL, "rules", "schema-dir"},
        {"--schema-patches", NULL, "schema", "patches-dir"},
        {"--crd", NULL, "schema", "crd"},
        {"--old", NULL, "schema", "old"},
        {"--old", NULL, "vap", "old"},
        {"--vap-policy", NULL, "vap", "policy"},
        {"--authz", NULL, "vap", "authz"},
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
        {"--ignore-test", NULL, "rules", "ignore-test"},
        {"--enable-optional-test", NULL, "rules", "enable-optional-test"},
        {"--policy", NULL, "kyverno", "policy"},
};

/* Flags without a value that set one engine option. */
static const struct switch_flag {
	const char *flag, *engine, *key, *value;
} switch_flags[] = {
        {"--strict", "schema", "strict", "true"},
        {"--no-strict", "schema", "strict", "false"},
        {"--ignore-missing-schemas", "schema", "ignore-missing-schemas", "true"},
        {"--assume-complete", "rules", "assume-complete", "true"},
        {"--require-digest", "rules", "require-digest", "true"},
        {"--require-qualified-images", "rules", "require-qualified", "true"},
        {"--do-not-auto-add-defaults", "rules", "kube-linter-no-defaults", "true"},
};

const char engine_flags_help[] =
        "engines:\n"
        "      --engines LIST           comma-separated engines to run (default: schema,pss,native,\n"
        "                               kyverno,vap, and rules: the api.* pack, or every pack a\n"
        "                               rule-pack flag asks for)\n"
        "schema:\n"
        "  -k, --kubernetes-version X.Y target version (default: newest schema present)\n"
        "      --schema-dir DIR         OpenAPI v3 documents\n"
        "      --schema-patches DIR     JSON merge patches laid over the schemas\n"
        "      --crd PATH               CRD file or directory (repeatable; listed CRDs count too)\n"
        "      --old PATH               previous versions of the objects (an UPDATE: CRD transition\n"
        "                               rules, ValidatingAdmissionPolicy oldObject)\n"
        "      --strict / --no-strict   unknown fields are errors (default) / warnings\n"
        "      --ignore-missing-schemas skip kinds with no schema instead of failing\n"
        "pod security:\n"
        "      --pss-enforce LEVEL[:VERSION]  fail on violations (default baseline:latest); the\n"
        "                                     table says which namespaces could enforce it\n"
        "      --pss-warn LEVEL[:VERSION]     report as warnings (default restricted:latest)\n"
        "      --pss-audit LEVEL[:VERSION]    report as audit notes (default: off)\n"
        "      --pss-exempt-namespace NS      skip pods in this namespace (repeatable)\n"
        "      --pss-exempt-runtime-class RC  skip pods with this runtimeClassName (repeatable)\n"
        "      --policy FILE|DIR        Kyverno ClusterPolicy/Policy files to apply (repeatable)\n"
        "      --vap-policy PATH        ValidatingAdmissionPolicy and binding files (repeatable)\n"
        "      --authz FILE             the user and RBAC objects `authorizer` answers from\n"
        "rule packs (as check; docs/rules/bp.md, docs/configuration.md):\n"
        "      --config FILE, --profile NAME, --profile-config FILE, --only LIST,\n"
        "      --enable-rule / --disable-rule RULE[,RULE...],\n"
        "      --ignore-test / --enable-optional-test ID, --do-not-auto-add-defaults,\n"
        "      --target-kubernetes X.Y  judge api.deprecated / api.removed at this version\n"
        "      --allowed-registries R[,R...] / --denied-registries R[,R...],\n"
        "      --require-digest, --require-qualified-images, --assume-complete\n";

gr_options *engine_flags_options_new(const char *cmd)
{
	gr_options *o = gr_options_new();
	gr_error err;
	if (!o || gr_options_register(o, gr_rules_engine(), &err)) {
		fprintf(stderr, "guardrail %s: out of memory\n", cmd);
		gr_options_free(o);
		return NULL;
	}
	return o;
}

static int set_option(gr_options *o, const char *cmd, const char *flag, const char *engine, const char *key,
                      const char *value, engine_flag_state *st)
{
	gr_error err;
	gr_error_clear(&err);
	if (gr_options_set(o, engine, key, value, &err)) {
		fprintf(stderr, "guardrail %s: %s: %s\n", cmd, flag, err.message);
		return -1;
	}
	if (strcmp(key, "schema-dir") == 0)
		st->schema_dir_given = true;
	if (strcmp(engine, "rules") == 0 && strcmp(key, "config") == 0)
		st->config_given = true;
	if (strcmp(engine, "rules") == 0 && strcmp(key, "schema-dir") != 0 &&
	    strcmp(key, "kubernetes-version") != 0)
		st->rules_wanted = true; /* the schema flags reach the rules too, without selecting them */
	return 0;
}

int engine_flag_parse(gr_options *o, const char *cmd, int argc, char **argv, int *i, engine_flag_state *st)
{
	const char *arg = argv[*i];
	bool m;
	for (size_t k = 0; k < sizeof switch_flags / sizeof switch_flags[0]; k++)
		if (strcmp(arg, switch_flags[k].flag) == 0)
			return set_option(o, cmd, arg, switch_flags[k].engine, switch_flags[k].key,
			                  switch_flags[k].value, st);
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
		st->engines_given = true;
		return 0;
	}
	const size_t nflags = sizeof option_flags / sizeof option_flags[0];
	for (size_t k = 0; k < nflags; k++) {
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
		for (size_t j = k; j < nflags && strcmp(option_flags[j].flag, f->flag) == 0; j++)
			if (set_option(o, cmd, f->flag, option_flags[j].engine, option_flags[j].key, v, st))
				return -1;
		return 0;
	}
	return 1;
}

gr_checker *engine_flags_checker(gr_options *o, const char *cmd, engine_flag_state *st,
                                 const engine_flag_defaults *d)
{
	/* the program's defaults: the schema directory when no flag gave one,
	 * the cache folder from the environment */
	char dir[4096];
	gr_error err;
	gr_error_clear(&err);
	int found = 1;
	if (!st->schema_dir_given) {
		found = guardrail_default_schema_dir(dir, sizeof dir, &err);
		if (found < 0) {
			fprintf(stderr, "guardrail %s: %s\n", cmd, err.message);
			return NULL;
		}
		if (found > 0 && (gr_options_set(o, "schema", "schema-dir", dir, &err) ||
		                  gr_options_set(o, "rules", "schema-dir", dir, &err))) {
			fprintf(stderr, "guardrail %s: %s\n", cmd, err.message);
			return NULL;
		}
	}
	if (guardrail_default_cache_dir(dir, sizeof dir) &&
	    gr_options_set(o, "schema", "cache-dir", dir, &err)) {
		fprintf(stderr, "guardrail %s: %s\n", cmd, err.message);
		return NULL;
	}
	/* .guardrail.yaml from the working directory upwards, unless --config named one */
	char cwd[4096], conf[4200];
	if (d->find_config && !st->config_given && getcwd(cwd, sizeof cwd) &&
	    gr_rules_file_find(cwd, conf, sizeof conf) == 0) {
		if (gr_options_set(o, "rules", "config", conf, &err)) {
			fprintf(stderr, "guardrail %s: %s\n", cmd, err.message);
			return NULL;
		}
		st->rules_wanted = true;
	}
	/* default selection: every engine; the rule packs when asked for, or
	 * the command's own default pack */
	if (!st->engines_given) {
		bool rules = st->rules_wanted || d->rules_only;
		if (!st->rules_wanted && d->rules_only &&
		    gr_options_set(o, "rules", "only", d->rules_only, &err)) {
			fprintf(stderr, "guardrail %s: %s\n", cmd, err.message);
			return NULL;
		}
		const char *const *names;
		size_t n = gr_options_engines(o, &names);
		char list[512] = "";
		size_t len = 0;
		for (size_t i = 0; i < n && len < sizeof list; i++)
			if (strcmp(names[i], "rules") != 0 || rules)
				len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", len ? "," : "",
				                        names[i]);
		if (gr_options_select(o, list, &err)) {
			fprintf(stderr, "guardrail %s: %s\n", cmd, err.message);
			return NULL;
		}
	}
	gr_checker *c = NULL;
	if (gr_checker_new(&c, o, &err)) {
		/* an engine's own file (--authz, a policy): where, unless the message says */
		if (err.file[0] && err.line && !strstr(err.message, err.file))
			fprintf(stderr, "guardrail %s: %s:%u:%u: %s\n", cmd, err.file, err.line, err.column,
			        err.message);
		else
			fprintf(stderr, "guardrail %s: %s\n", cmd, err.message);
		if (!found)
			fprintf(stderr, "guardrail %s: %s\n", cmd, guardrail_schema_dir_hint());
		return NULL;
	}
	return c;
}
