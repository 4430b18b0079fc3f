/*
 * serve_config.c — `guardrail serve --config FILE`: the prepared policy set.
 *
 * A set is everything a review is judged with: Pod Security exemptions,
 * the engines the library offers (every one but schema, which the API
 * server has already applied), and the policy files shown to the engines'
 * set-level pass. It is built whole, then published; workers hold a
 * reference to the set they judge with and pick up a new one between
 * requests (the generation tells them), so a reload never changes a verdict
 * half way and a set that fails to load never replaces the one serving.
 *
 * The file (YAML or JSON), every key optional:
 *
 *   apiVersion: guardrail.dev/v1alpha1
 *   kind: ServeConfiguration
 *   podSecurity:
 *     enabled: true
 *     exemptions: {usernames: [], namespaces: [], runtimeClasses: []}
 *   engines: [pss, rules, kyverno]   # default: every engine but schema, native and rules
 *                                    # (rules: served when listed or configured below)
 *   rules: .guardrail.yaml           # the rules engine's option `config`
 *   authz: authz.yaml                # RBAC objects ValidatingAdmissionPolicy's `authorizer`
 *                                    # answers from (the vap engine's option `authz`)
 *   policies: [policies/]            # policy files or directories
 *   engineOptions:                   # any engine's own options, passed as they are
 *     kyverno: {policy: [/etc/policies]}
 *
 * Relative paths (rules, authz, policies) are relative to the configuration file.
 * The engines come from the library pipeline (session.h): a gr_options with
 * every known engine but schema and pss selected, a gr_checker prepared
 * from it, then derived with the policy files as a set of definitions
 * (gr_checker_derive), so the kinds each engine declares (policies,
 * ConfigMaps...) are applied exactly as `guardrail check` applies them.
 */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "serve_int.h"

#define MAX_FILE ((size_t)64 * 1024 * 1024)

static void free_list(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

static void policy_free(serve_policy *p)
{
	if (!p)
		return;
	gr_checker_unref(p->checker);
	gr_set_free(p->set);
	for (size_t i = 0; i < p->npss; i++)
		gr_checker_unref(p->pss[i].checker);
	pthread_mutex_destroy(&p->pss_lock);
	free_list(p->exempt_users, p->nexempt_users);
	free_list(p->exempt_namespaces, p->nexempt_namespaces);
	free_list(p->exempt_runtime_classes, p->nexempt_runtime_classes);
	free(p);
}

void serve_policy_ref(serve_policy *p)
{
	atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
}

void serve_policy_unref(serve_policy *p)
{
	if (p && atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) == 1)
		policy_free(p);
}

static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static serve_policy *current;
static atomic_ullong current_generation;

void serve_policy_publish(serve_policy *p)
{
	pthread_mutex_lock(&current_lock);
	serve_policy *old = current;
	uint64_t g = atomic_load(&current_generation) + 1;
	if (p)
		p->generation = g;
	current = p;
	atomic_store(&current_generation, g);
	pthread_mutex_unlock(&current_lock);
	serve_policy_unref(old);
}

serve_policy *serve_policy_acquire(void)
{
	pthread_mutex_lock(&current_lock);
	serve_policy *p = current;
	if (p)
		serve_policy_ref(p);
	pthread_mutex_unlock(&current_lock);
	return p;
}

uint64_t serve_policy_generation(void)
{
	return atomic_load_explicit(&current_generation, memory_order_acquire);
}

/* ---- loading ---- */

typedef struct loader {
	const char *config_path;
	char dir[PATH_MAX];
	gr_error *err;
} loader;

static int at(loader *l, const gr_value *v, const char *fmt, const char *what)
{
	gr_error_set(l->err, v ? v->line : 0, v ? v->column : 0, fmt, what);
	gr_error_set_file(l->err, l->config_path);
	return -1;
}

static char *resolve(const loader *l, const char *path)
{
	if (path[0] == '/' || !l->dir[0])
		return strdup(path);
	size_t n = strlen(l->dir) + strlen(path) + 2;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s/%s", l->dir, path);
	return s;
}

static int string_list(loader *l, const gr_value *v, const char *what, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!v || v->type == GR_NULL)
		return 0;
	if (v->type != GR_ARRAY)
		return at(l, v, "%s must be a list of strings", what);
	*out = calloc(v->u.a.len ? v->u.a.len : 1, sizeof **out);
	if (!*out)
		return at(l, v, "out of memory reading %s", what);
	for (size_t i = 0; i < v->u.a.len; i++) {
		const gr_value *s = &v->u.a.items[i];
		if (s->type != GR_STRING)
			return at(l, s, "%s must be a list of strings", what);
		if (!((*out)[i] = strdup(s->u.s.ptr)))
			return at(l, s, "out of memory reading %s", what);
		*n = i + 1;
	}
	return 0;
}

static bool only_keys(loader *l, const gr_value *obj, const char *const *keys, const char *where)
{
	for (size_t i = 0; i < obj->u.o.len; i++) {
		const gr_member *m = &obj->u.o.members[i];
		bool ok = false;
		for (size_t k = 0; keys[k] && !ok; k++)
			ok = strcmp(m->key, keys[k]) == 0;
		if (!ok) {
			gr_error_set(l->err, m->line, m->column, "unknown key \"%.64s\" in %s", m->key,
			             where);
			gr_error_set_file(l->err, l->config_path);
			return false;
		}
	}
	return true;
}

/* Show every object of one policy file to the engines. */
static int load_policy_file(serve_policy *p, const char *path, gr_error *err)
{
	char *data;
	size_t len;
	if (gr_read_file(path, MAX_FILE, &data, &len, err) != 0)
		return -1;
	gr_arena a;
	gr_arena_init(&a);
	gr_document *docs;
	size_t ndocs;
	int rc = 0;
	if (gr_decode(&a, data, len, NULL, &docs, &ndocs, err) != 0) {
		gr_error_set_file(err, path);
		rc = -1;
	}
	for (size_t d = 0; d < ndocs && rc == 0; d++) {
		gr_object *objs;
		size_t n;
		if (gr_objects_from_document(&a, &docs[d], path, &objs, &n) != 0) {
			rc = gr_error_set(err, 0, 0, "%s: out of memory", path);
			break;
		}
		for (size_t o = 0; o < n && rc == 0; o++) {
			p->npolicy_objects++;
			if (gr_set_add(p->set, &objs[o], true) != 0)
				rc = gr_error_set(err, 0, 0, "%s: out of memory", path);
		}
	}
	p->npolicy_files++;
	gr_arena_free(&a);
	free(data);
	return rc;
}

static bool policy_name(const char *name)
{
	size_t n = strlen(name);
	return name[0] != '.' && ((n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
	                          (n > 4 && strcmp(name + n - 4, ".yml") == 0) ||
	                          (n > 5 && strcmp(name + n - 5, ".json") == 0));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A file, or a directory walked in name order (recursively). */
static int load_policy_path(serve_policy *p, const char *path, int depth, gr_error *err)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return gr_error_set(err, 0, 0, "%s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return load_policy_file(p, path, err);
	if (depth > 16)
		return gr_error_set(err, 0, 0, "%s: directories nested too deep", path);
	DIR *d = opendir(path);
	if (!d)
		return gr_error_set(err, 0, 0, "%s: %s", path, strerror(errno));
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **nn = realloc(names, cap * sizeof *nn);
			if (!nn) {
				rc = -1;
				break;
			}
			names = nn;
		}
		size_t l = strlen(path) + strlen(e->d_name) + 2;
		if (!(names[n] = malloc(l))) {
			rc = -1;
			break;
		}
		snprintf(names[n++], l, "%s/%s", path, e->d_name);
	}
	closedir(d);
	if (rc)
		gr_error_set(err, 0, 0, "%s: out of memory", path);
	if (n)
		qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct stat s2;
		if (stat(names[i], &s2) != 0)
			continue;
		if (S_ISDIR(s2.st_mode))
			rc = load_policy_path(p, names[i], depth + 1, err);
		else if (policy_name(strrchr(names[i], '/') + 1))
			rc = load_policy_file(p, names[i], err);
	}
	free_list(names, n);
	return rc;
}

static bool listed_in(char **names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

/* What the file says, before anything is built. */
typedef struct parsed {
	char **engines;
	size_t nengines;
	bool engines_listed;
	char *rules_path;
	char *authz_path;
	char **policies;
	size_t npolicies;
	const gr_value *engine_options; /* engine -> key -> string or list of strings */
} parsed;

static void parsed_free(parsed *c)
{
	free_list(c->engines, c->nengines);
	free_list(c->policies, c->npolicies);
	free(c->rules_path);
	free(c->authz_path);
}

static int parse_config(loader *l, const gr_value *root, serve_policy *p, const gr_options *opts, parsed *c)
{
	static const char *const top[] = {"apiVersion", "kind",          "podSecurity", "engines", "rules",
	                                  "authz",      "engineOptions", "policies",    NULL};
	if (root->type != GR_OBJECT)
		return at(l, root, "%s must be a mapping", "the configuration");
	if (!only_keys(l, root, top, "the configuration"))
		return -1;
	const gr_value *av = gr_get(root, "apiVersion");
	if (av && (av->type != GR_STRING || strcmp(av->u.s.ptr, "guardrail.dev/v1alpha1") != 0))
		return at(l, av, "apiVersion must be %s", "guardrail.dev/v1alpha1");
	const gr_value *kind = gr_get(root, "kind");
	if (kind && (kind->type != GR_STRING || strcmp(kind->u.s.ptr, "ServeConfiguration") != 0))
		return at(l, kind, "kind must be %s", "ServeConfiguration");
	const gr_value *ps = gr_get(root, "podSecurity");
	if (ps && ps->type != GR_NULL) {
		static const char *const keys[] = {"enabled", "exemptions", NULL};
		static const char *const ex_keys[] = {"usernames", "namespaces", "runtimeClasses", NULL};
		if (ps->type != GR_OBJECT)
			return at(l, ps, "%s must be a mapping", "podSecurity");
		if (!only_keys(l, ps, keys, "podSecurity"))
			return -1;
		const gr_value *en = gr_get(ps, "enabled");
		if (en && en->type != GR_BOOL)
			return at(l, en, "%s must be true or false", "podSecurity.enabled");
		if (en)
			p->pss_enabled = en->u.b;
		const gr_value *ex = gr_get(ps, "exemptions");
		if (ex && ex->type != GR_NULL) {
			if (ex->type != GR_OBJECT)
				return at(l, ex, "%s must be a mapping", "podSecurity.exemptions");
			if (!only_keys(l, ex, ex_keys, "podSecurity.exemptions"))
				return -1;
			if (string_list(l, gr_get(ex, "usernames"), "podSecurity.exemptions.usernames",
			                &p->exempt_users, &p->nexempt_users) ||
			    string_list(l, gr_get(ex, "namespaces"), "podSecurity.exemptions.namespaces",
			                &p->exempt_namespaces, &p->nexempt_namespaces) ||
			    string_list(l, gr_get(ex, "runtimeClasses"),
			                "podSecurity.exemptions.runtimeClasses", &p->exempt_runtime_classes,
			                &p->nexempt_runtime_classes))
				return -1;
		}
	}
	const char *const *known;
	size_t nknown = gr_options_engines(opts, &known);
	const gr_value *ev = gr_get(root, "engines");
	if (ev && ev->type != GR_NULL) {
		c->engines_listed = true;
		if (string_list(l, ev, "engines", &c->engines, &c->nengines))
			return -1;
		for (size_t i = 0; i < c->nengines; i++) {
			const char *n = c->engines[i];
			if (strcmp(n, "schema") == 0)
				return at(l, &ev->u.a.items[i],
				          "engines: %s is not served (the API server has already validated "
				          "the object)",
				          "schema");
			bool found = false;
			for (size_t k = 0; k < nknown && !found; k++)
				found = strcmp(known[k], n) == 0;
			if (!found)
				return at(l, &ev->u.a.items[i], "engines: this build has no engine \"%.64s\"",
				          n);
		}
		p->pss_enabled = p->pss_enabled && listed_in(c->engines, c->nengines, "pss");
	}
	const gr_value *rv = gr_get(root, "rules");
	if (rv && rv->type != GR_NULL) {
		if (rv->type != GR_STRING)
			return at(l, rv, "%s must be a file name", "rules");
		bool found = false;
		for (size_t k = 0; k < nknown && !found; k++)
			found = strcmp(known[k], "rules") == 0;
		if (!found)
			return at(l, rv, "rules: %s", "this build has no rules engine to read it");
		if (!(c->rules_path = resolve(l, rv->u.s.ptr)))
			return at(l, rv, "out of memory reading %s", "rules");
	}
	const gr_value *zv = gr_get(root, "authz");
	if (zv && zv->type != GR_NULL) {
		if (zv->type != GR_STRING)
			return at(l, zv, "%s must be a file name", "authz");
		if (!(c->authz_path = resolve(l, zv->u.s.ptr)))
			return at(l, zv, "out of memory reading %s", "authz");
	}
	const gr_value *pv = gr_get(root, "policies");
	if (pv && pv->type != GR_NULL) {
		if (string_list(l, pv, "policies", &c->policies, &c->npolicies))
			return -1;
		for (size_t i = 0; i < c->npolicies; i++) {
			char *r = resolve(l, c->policies[i]);
			if (!r)
				return at(l, pv, "out of memory reading %s", "policies");
			free(c->policies[i]);
			c->policies[i] = r;
		}
	}
	const gr_value *eo = gr_get(root, "engineOptions");
	if (eo && eo->type != GR_NULL) {
		if (eo->type != GR_OBJECT)
			return at(l, eo, "%s must be a mapping of engine names to options", "engineOptions");
		c->engine_options = eo;
	}
	return 0;
}

/* engineOptions: engine -> {key: value | [values]}, each through gr_options_set. */
static int apply_engine_options(loader *l, gr_options *o, const gr_value *eo)
{
	for (size_t i = 0; eo && i < eo->u.o.len; i++) {
		const gr_member *e = &eo->u.o.members[i];
		if (e->value.type != GR_OBJECT)
			return at(l, &e->value,
			          "engineOptions.%.64s must be a mapping of option names to values", e->key);
		for (size_t k = 0; k < e->value.u.o.len; k++) {
			const gr_member *kv = &e->value.u.o.members[k];
			const gr_value *vals = &kv->value;
			size_t n = vals->type == GR_ARRAY ? vals->u.a.len : 1;
			for (size_t j = 0; j < n; j++) {
				const gr_value *v = vals->type == GR_ARRAY ? &vals->u.a.items[j] : vals;
				char num[64];
				const char *text = NULL;
				if (v->type == GR_STRING)
					text = v->u.s.ptr;
				else if (v->type == GR_BOOL)
					text = v->u.b ? "true" : "false";
				else if (v->type == GR_INT) {
					snprintf(num, sizeof num, "%lld", (long long)v->u.i);
					text = num;
				}
				if (!text)
					return at(l, v,
					          "engineOptions.%.64s: values must be strings, numbers or "
					          "booleans",
					          e->key);
				gr_error why;
				gr_error_clear(&why);
				if (gr_options_set(o, e->key, kv->key, text, &why) != 0) {
					gr_error_set(l->err, v->line, v->column,
					             "engineOptions.%.64s.%.64s: %.300s", e->key, kv->key,
					             why.message);
					gr_error_set_file(l->err, l->config_path);
					return -1;
				}
			}
		}
	}
	return 0;
}

int serve_policy_load(const char *config_path, serve_policy **out, gr_error *err)
{
	*out = NULL;
	serve_policy *p = calloc(1, sizeof *p);
	gr_options *opts = gr_options_new();
	if (!p || !opts) {
		free(p);
		gr_options_free(opts);
		return gr_error_set(err, 0, 0, "out of memory");
	}
	/* the rule packs (bp, ref, api, image) are served like the built-in
	 * engines, as `check` runs them */
	if (gr_options_register(opts, gr_rules_engine(), err) != 0) {
		free(p);
		gr_options_free(opts);
		return -1;
	}
	atomic_init(&p->refs, 1);
	pthread_mutex_init(&p->pss_lock, NULL);
	p->pss_enabled = true;
	p->set = gr_set_new();
	loader l = {.config_path = config_path, .err = err};
	parsed c = {0};
	char *data = NULL;
	gr_arena a;
	gr_arena_init(&a);
	int rc = p->set ? 0 : gr_error_set(err, 0, 0, "out of memory");
	if (rc == 0 && config_path) {
		size_t len;
		char tmp[PATH_MAX];
		snprintf(tmp, sizeof tmp, "%s", config_path);
		snprintf(l.dir, sizeof l.dir, "%s", dirname(tmp));
		gr_document *docs;
		size_t ndocs;
		if (gr_read_file(config_path, MAX_FILE, &data, &len, err) != 0)
			rc = -1;
		else if (gr_decode(&a, data, len, NULL, &docs, &ndocs, err) != 0) {
			gr_error_set_file(err, config_path);
			rc = -1;
		} else if (ndocs != 1) {
			gr_error_set(err, 0, 0, "%s: expected one YAML document, found %zu", config_path,
			             ndocs);
			rc = -1;
		} else
			rc = parse_config(&l, &docs[0].root, p, opts, &c);
	}
	/* Engines: whatever the library offers, but schema and pss (pss is
	 * judged per route, at the level and version of the path). */
	if (rc == 0 && c.rules_path)
		rc = gr_options_set(opts, "rules", "config", c.rules_path, err);
	if (rc == 0 && c.authz_path)
		rc = gr_options_set(opts, "vap", "authz", c.authz_path, err);
	if (rc == 0)
		rc = apply_engine_options(&l, opts, c.engine_options);
	gr_buf sel;
	gr_buf_init(&sel);
	const char *const *known;
	size_t nknown = gr_options_engines(opts, &known);
	for (size_t i = 0; i < nknown && rc == 0; i++) {
		if (strcmp(known[i], "schema") == 0 || strcmp(known[i], "pss") == 0 ||
		    (strcmp(known[i], "native") == 0 && !c.engines_listed) || /* the API server runs it */
		    /* the rule packs' warn/audit findings would reach every response:
		     * served when listed (engines: [..., rules]) or configured (rules:) */
		    (strcmp(known[i], "rules") == 0 && !c.engines_listed && !c.rules_path) ||
		    (c.engines_listed && !listed_in(c.engines, c.nengines, known[i])))
			continue;
		if (sel.len)
			gr_buf_putc(&sel, ',');
		gr_buf_puts(&sel, known[i]);
		p->nengines++;
	}
	/* a list cut short by a failed allocation would serve fewer engines */
	if (rc == 0 && sel.failed)
		rc = gr_error_set(err, 0, 0, "out of memory");
	for (size_t i = 0; i < c.npolicies && rc == 0; i++)
		rc = load_policy_path(p, c.policies[i], 0, err);
	if (rc == 0 && p->nengines) {
		gr_checker *base = NULL;
		if (gr_options_select(opts, sel.data, err) != 0 || gr_checker_new(&base, opts, err) != 0)
			rc = -1;
		else if (gr_checker_derive(&p->checker, base, p->set, err) != 0)
			rc = -1;
		gr_checker_unref(base);
	}
	gr_buf_free(&sel);
	parsed_free(&c);
	gr_options_free(opts);
	free(data);
	gr_arena_free(&a);
	if (rc != 0) {
		policy_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

gr_checker *serve_policy_pss_checker(serve_policy *p, gr_pss_spec at, gr_error *err)
{
	if (at.minor > 100)
		at.minor = GR_PSS_LATEST;
	pthread_mutex_lock(&p->pss_lock);
	gr_checker *c = NULL;
	for (size_t i = 0; i < p->npss && !c; i++)
		if (p->pss[i].at.level == at.level && p->pss[i].at.minor == at.minor)
			c = p->pss[i].checker;
	if (!c && p->npss < sizeof p->pss / sizeof p->pss[0]) {
		/* enforce at the path's level; warn and audit off: the path's mode
		 * decides how a finding is reported, the engine only finds. */
		char version[32], spec[64];
		snprintf(spec, sizeof spec, "%s:%s", gr_pss_level_name(at.level),
		         gr_pss_version_name(at.minor, version, sizeof version));
		gr_options *o = gr_options_new();
		if (o && gr_options_select(o, "pss", err) == 0 &&
		    gr_options_set(o, "pss", "enforce", spec, err) == 0 &&
		    gr_options_set(o, "pss", "warn", "", err) == 0 &&
		    gr_options_set(o, "pss", "audit", "", err) == 0 && gr_checker_new(&c, o, err) == 0) {
			p->pss[p->npss].at = at;
			p->pss[p->npss].checker = c;
			p->npss++;
		} else if (!o)
			gr_error_set(err, 0, 0, "out of memory");
		gr_options_free(o);
	} else if (!c)
		gr_error_set(err, 0, 0, "too many Pod Security versions in use");
	pthread_mutex_unlock(&p->pss_lock);
	return c;
}

int serve_config_files(const char *config_path, char ***files, size_t *n)
{
	*files = NULL;
	*n = 0;
	if (!config_path)
		return 0;
	/* The configuration itself and what it names (best effort: a broken
	 * file still names itself, so fixing it triggers a reload). */
	char **v = calloc(64, sizeof *v);
	if (!v)
		return -1;
	size_t k = 0;
	v[k++] = strdup(config_path);
	char *data;
	size_t len;
	gr_error err;
	if (gr_read_file(config_path, MAX_FILE, &data, &len, &err) == 0) {
		gr_arena a;
		gr_arena_init(&a);
		gr_document *docs;
		size_t ndocs;
		loader l = {.config_path = config_path, .err = &err};
		char tmp[PATH_MAX];
		snprintf(tmp, sizeof tmp, "%s", config_path);
		snprintf(l.dir, sizeof l.dir, "%s", dirname(tmp));
		if (gr_decode(&a, data, len, NULL, &docs, &ndocs, &err) == 0 && ndocs == 1) {
			const gr_value *root = &docs[0].root;
			const char *r = gr_get_str(root, "rules");
			if (r && k < 63)
				v[k++] = resolve(&l, r);
			const gr_value *pv = gr_get(root, "policies");
			if (pv && pv->type == GR_ARRAY)
				for (size_t i = 0; i < pv->u.a.len && k < 63; i++)
					if (pv->u.a.items[i].type == GR_STRING)
						v[k++] = resolve(&l, pv->u.a.items[i].u.s.ptr);
		}
		gr_arena_free(&a);
		free(data);
	}
	*files = v;
	*n = k;
	return 0;
}
