/*
 * engine.c — the "kyverno" engine of `guardrail check`: Kyverno policies
 * from `--policy FILE|DIR` (engine option `policy`, repeatable) and from
 * the inputs themselves (ClusterPolicy and Policy are set-level kinds),
 * applied to every object.
 *
 * A rule that fails gives a finding `kyverno.<policy>/<rule>` whose action
 * is the rule's failure action (Enforce: enforce, Audit: audit; a policy
 * annotated `policies.kyverno.io/scored: "false"` warns), a rule execution
 * error gives the same id with reason "error", and rules of types this
 * engine does not evaluate are counted as not evaluated. `namespaceSelector`
 * reads the labels of the Namespace objects of the input set, and
 * `configMap` context entries the ConfigMaps of the set, both through the
 * set's index.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../pipeline.h"
#include "guardrail/engine.h"
#include "guardrail/kyverno.h"
#include "guardrail/set.h"
#include "kyverno_int.h"

typedef struct ky_config {
	char **paths;
	size_t n;
	bool background; /* a background scan (audit): spec.background: false is left out */
} ky_config;

typedef struct ky_prepared {
	gr_kyverno_set *set;
	bool background;
} ky_prepared;

static int config_new(void **out, gr_error *err)
{
	*out = calloc(1, sizeof(ky_config));
	return *out ? 0 : gr_error_set(err, 0, 0, "out of memory");
}

static void config_free(void *p)
{
	ky_config *c = p;
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->paths[i]);
	free(c->paths);
	free(c);
}

static int config_set(void *p, const char *key, const char *value, gr_error *err)
{
	ky_config *c = p;
	if (strcmp(key, "background") == 0) {
		if (!value || (strcmp(value, "true") != 0 && strcmp(value, "false") != 0))
			return gr_error_set(err, 0, 0, "background: expected true or false, got \"%.100s\"",
			                    value ? value : "");
		c->background = strcmp(value, "true") == 0;
		return 0;
	}
	if (strcmp(key, "policy") != 0)
		return gr_error_set(err, 0, 0, "unknown option \"%.100s\" (policy, background)", key);
	struct stat st;
	if (!value || !*value || stat(value, &st) != 0)
		return gr_error_set(err, 0, 0, "%.200s: no such file or directory", value ? value : "");
	char **v = realloc(c->paths, (c->n + 1) * sizeof *v);
	if (!v)
		return gr_error_set(err, 0, 0, "out of memory");
	c->paths = v;
	if (!(v[c->n] = strdup(value)))
		return gr_error_set(err, 0, 0, "out of memory");
	c->n++;
	return 0;
}

static void prepared_free(void *p)
{
	ky_prepared *s = p;
	if (!s)
		return;
	gr_kyverno_set_free(s->set);
	free(s);
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool yaml_name(const char *n)
{
	size_t l = strlen(n);
	return (l > 5 && (!strcmp(n + l - 5, ".yaml") || !strcmp(n + l - 5, ".json"))) ||
	       (l > 4 && !strcmp(n + l - 4, ".yml"));
}

/* A file, or every YAML/JSON file of a directory tree in name order. */
static int load_path(gr_kyverno_set *set, const char *path, int depth, gr_error *err)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		gr_error_set(err, 0, 0, "cannot read policy path");
		gr_error_set_file(err, path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return gr_kyverno_set_load_file(set, path, NULL, err);
	if (depth > 32)
		return 0;
	DIR *d = opendir(path);
	if (!d) {
		gr_error_set(err, 0, 0, "cannot open policy directory");
		gr_error_set_file(err, path);
		return -1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			char **nn = realloc(names, cap * sizeof *nn);
			if (!nn)
				break;
			names = nn;
		}
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		char *full = NULL;
		if (rc == 0 && names[i] && asprintf(&full, "%s/%s", path, names[i]) > 0) {
			struct stat cs;
			if (stat(full, &cs) == 0 && (S_ISDIR(cs.st_mode) || yaml_name(names[i])))
				rc = load_path(set, full, depth + 1, err);
		}
		free(full);
		free(names[i]);
	}
	free(names);
	return rc;
}

/* The caller prints only the message: put file:line:col in front of it. */
static int position_in_message(gr_error *err)
{
	if (!err || !err->file[0])
		return -1;
	char msg[sizeof err->message];
	char pos[300];
	if (err->line)
		snprintf(pos, sizeof pos, "%.200s:%u:%u: ", err->file, err->line, err->column);
	else
		snprintf(pos, sizeof pos, "%.200s: ", err->file);
	size_t pl = strlen(pos);
	memcpy(msg, pos, pl);
	size_t ml = strlen(err->message);
	if (pl + ml >= sizeof msg)
		ml = sizeof msg - pl - 1;
	memcpy(msg + pl, err->message, ml);
	msg[pl + ml] = '\0';
	memcpy(err->message, msg, sizeof msg);
	return -1;
}

static int prepare(const void *config, const void *base, const gr_set *set, void **out, gr_error *err)
{
	const ky_config *c = config;
	(void)base; /* the base's policies are its own; a derived checker adds the set's */
	*out = NULL;
	ky_prepared *s = calloc(1, sizeof *s);
	if (!s || !(s->set = gr_kyverno_set_new(NULL))) {
		free(s);
		return gr_error_set(err, 0, 0, "out of memory");
	}
	s->background = c->background;
	for (size_t i = 0; i < c->n; i++) {
		size_t before = gr_kyverno_set_policy_count(s->set);
		if (load_path(s->set, c->paths[i], 0, err)) {
			prepared_free(s);
			return position_in_message(err);
		}
		if (gr_kyverno_set_policy_count(s->set) == before) {
			/* a wrong path would otherwise run no policy at all: a silent pass */
			gr_error_set(
			        err, 0, 0,
			        "no Kyverno policy (ClusterPolicy, Policy or ValidatingPolicy) in this %s",
			        is_dir(c->paths[i]) ? "directory" : "file");
			gr_error_set_file(err, c->paths[i]);
			prepared_free(s);
			return position_in_message(err);
		}
	}
	static const char *const kinds[] = {"ClusterPolicy", "Policy", "ValidatingPolicy"};
	for (int k = 0; set && k < 3; k++) {
		const size_t *idx;
		size_t n = gr_set_kind(set, k < 2 ? "kyverno.io" : "policies.kyverno.io", kinds[k], &idx);
		for (size_t i = 0; i < n; i++) {
			const gr_object *o = gr_set_object(set, idx[i]);
			if (!o->root)
				continue;
			if (gr_kyverno_set_load_value(s->set, o->file, o->root, NULL, err)) {
				prepared_free(s);
				return position_in_message(err);
			}
		}
	}
	*out = s;
	return 0;
}

typedef struct call {
	const gr_set *set;
	const gr_object *obj;
	gr_check_ctx *ctx;
	gr_findings *out;
	bool failed;
} call;

static const gr_value *ns_labels(void *user, const char *ns)
{
	call *c = user;
	if (!c->set)
		return NULL;
	const gr_object *o = gr_set_find(c->set, "", "Namespace", "", ns);
	if (!o || !o->root)
		return NULL;                              /* not known */
	static const gr_value none = {.type = GR_OBJECT}; /* known: no labels */
	const gr_value *l = gr_get_path(o->root, "metadata", "labels", NULL);
	return l ? l : &none;
}

static const gr_value *config_map(void *user, const char *ns, const char *name)
{
	call *c = user;
	if (!c->set)
		return NULL;
	const gr_object *o = gr_set_find(c->set, "", "ConfigMap", ns, name);
	return o ? o->root : NULL;
}

/* validate.cel params, of any kind: the session gives the set whole trees
 * of every rule's paramKind (set_kinds). One among the inputs without its
 * tree (its file could not be read again) cannot be told: not evaluated. */
static int param_resource(void *user, const char *api_version, const char *kind, const char *ns,
                          const char *name, const gr_value **out)
{
	call *c = user;
	*out = NULL;
	if (!c->set)
		return -1;
	char group[256];
	gri_api_group(api_version, group, sizeof group);
	const gr_object *o = gr_set_find(c->set, group, kind, ns, name);
	if (o && !o->root)
		return -1;
	*out = o ? o->root : NULL;
	return *out != NULL;
}

/* A param kind's scope: built in, or as its CRD among the inputs says. */
static bool param_cluster_scoped(void *user, const char *api_version, const char *kind)
{
	call *c = user;
	char group[256];
	gri_api_group(api_version, group, sizeof group);
	return gri_set_kind_cluster_scoped(c->set, group, kind);
}

/* "/spec/containers/0/image/" -> "spec.containers[0].image", and the node
 * there; NULL when memory ran out. */
static const char *field_path(gr_arena *a, const gr_value *root, const char *kpath, const gr_value **at)
{
	gr_buf b;
	gr_buf_init(&b);
	const gr_value *cur = root;
	*at = root;
	const char *p = kpath;
	while (*p) {
		while (*p == '/')
			p++;
		const char *e = strchr(p, '/');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (!l)
			break;
		bool num = true;
		for (size_t i = 0; i < l; i++)
			num = num && p[i] >= '0' && p[i] <= '9';
		if (num && cur && cur->type == GR_ARRAY) {
			gr_buf_printf(&b, "[%.*s]", (int)l, p);
			cur = gr_at(cur, (size_t)strtoul(p, NULL, 10));
		} else {
			if (b.len)
				gr_buf_putc(&b, '.');
			gr_buf_append(&b, p, l);
			cur = cur ? gr_getn(cur, p, l) : NULL;
		}
		if (cur && cur->line)
			*at = cur;
		p += l;
	}
	char *s = b.failed ? NULL : gr_arena_strndup(a, b.data ? b.data : "", b.len);
	gr_buf_free(&b);
	return s; /* NULL: memory ran out */
}

static void sink(void *user, const gr_kyverno_response *r)
{
	call *c = user;
	if (r->status == GR_KY_NOT_EVALUATED) {
		/* the reasons are static text: the rule type's, or validate.cel's */
		gr_check_ctx_not_evaluated(c->ctx, 1,
		                           r->message && r->message[0]
		                                   ? r->message
		                                   : "Kyverno mutate, generate and verifyImages rules are "
		                                     "not evaluated");
		return;
	}
	if (r->status == GR_KY_PASS || r->status == GR_KY_SKIP)
		return;
	gr_action act = r->status == GR_KY_WARN ? GR_ACTION_WARN
	                : r->enforce            ? GR_ACTION_ENFORCE
	                                        : GR_ACTION_AUDIT;
	gr_severity sev = act == GR_ACTION_ENFORCE ? GR_SEV_ERROR : GR_SEV_WARNING;
	/* a ValidatingPolicy has no rules: its id is the policy's */
	const char *rule = r->base_rule && r->base_rule[0]
	                           ? gr_arena_printf(c->ctx->arena, "kyverno.%s/%s", r->policy, r->base_rule)
	                           : gr_arena_printf(c->ctx->arena, "kyverno.%s", r->policy);
	const gr_value *at = c->obj->root;
	const char *path = r->path && r->path[0] ? field_path(c->ctx->arena, c->obj->root, r->path, &at) : "";
	if (!rule || !path) { /* memory ran out: an error of the run, not a finding without its place */
		c->failed = true;
		return;
	}
	gr_finding *f = gr_findings_addf(c->out, c->obj, rule, sev, act, path, at, "%s",
	                                 r->message ? r->message : "");
	if (!f) {
		c->failed = true;
		return;
	}
	f->doc = "docs/rules/kyverno.md";
	f->reason = r->status == GR_KY_ERROR ? "error" : r->status == GR_KY_WARN ? "warn" : "fail";
	f->remediation = r->status == GR_KY_ERROR ? "fix the policy or supply the data its rule reads"
	                                          : "change the resource so that the policy's rule holds";
}

static int check(const void *state, const gr_object *obj, gr_check_ctx *ctx, gr_findings *out, gr_error *err)
{
	const ky_prepared *s = state;
	if (!gr_kyverno_set_policy_count(s->set) || !obj->root || obj->root->type != GR_OBJECT)
		return 0;
	const char *ns = obj->namespace_;
	if (!ns[0] && obj->kind[0] && !ky_is_cluster_scoped(obj->kind))
		ns = "default";
	call c = {.set = ctx->set, .obj = obj, .ctx = ctx, .out = out};
	/* the webhook's requester (request.userInfo): subjects, users and
	 * groups match as in Kyverno's webhook; Roles and ClusterRoles come
	 * from RBAC, which it cannot read (a rule that needs them is not
	 * evaluated) */
	gr_kyverno_userinfo ui = {.user_info = ctx->request ? gr_get(ctx->request, "userInfo") : NULL};
	gr_kyverno_request req = {
	        .object = obj->root,
	        .namespace_ = ns,
	        .namespace_labels = ns_labels,
	        .config_map = config_map,
	        .resource = param_resource,
	        .cluster_scoped = param_cluster_scoped,
	        .cluster_entries_error = true,
	        .count_unknown = true,
	        .user = &c,
	        .old_object = ctx->old_object, /* an UPDATE in the webhook; else NULL */
	        .operation = ctx->operation,
	        .admission = ctx->request != NULL, /* the webhook's AdmissionRequest */
	        .userinfo = ui.user_info ? &ui : NULL,
	        .background = s->background,
	};
	/* The evaluation's scratch (contexts, substitutions) is freed here;
	 * findings copy what they keep into the object's arena. */
	gr_arena scratch;
	gr_arena_init(&scratch);
	gr_arena_set_limit(&scratch, 256u << 20);
	int rc = gr_kyverno_evaluate(s->set, &req, &scratch, sink, &c, err);
	gr_arena_free(&scratch);
	if (rc < 0)
		return -1;
	if (c.failed)
		return gr_error_set(err, 0, 0, "out of memory");
	return 0;
}

/* With policies, namespace selectors and configMap entries read the set,
 * for an object some rule can match by kind (its header says; a light
 * object will do). Without, there is nothing to judge obj against — unless
 * the inputs hold policies, which revoking_kinds tells the session: it then
 * asks again with them, so no policy is ever missed. */
static bool needs_set(const void *p, const gr_object *obj)
{
	const ky_prepared *s = p;
	return gr_kyverno_set_policy_count(s->set) > 0 && obj->root && obj->root->type == GR_OBJECT &&
	       (s->set->nvpols || ky_set_may_match_kind(s->set, obj->kind));
}

/* The param kinds of validate.cel rules: the checker's own policies
 * (compiled), and those among the inputs (their trees: rules[].validate.cel). */
static int set_kinds(const void *prepared, const gr_set *set, gr_pathlist *out)
{
	const ky_prepared *s = prepared;
	for (size_t i = 0; s && s->set && i < s->set->ncels; i++) {
		const gr_value *pk = ky_cel_param_kind(s->set->cels[i]);
		if (pk && gri_param_kind_add(pk, out) < 0)
			return -1;
	}
	static const char *const policy_kinds[] = {"ClusterPolicy", "Policy"};
	for (int k = 0; k < 2; k++) {
		const size_t *idx;
		size_t n = gr_set_kind(set, "kyverno.io", policy_kinds[k], &idx);
		for (size_t i = 0; i < n; i++) {
			const gr_object *o = gr_set_object(set, idx[i]);
			const gr_value *rules = o->root ? gr_get_path(o->root, "spec", "rules", NULL) : NULL;
			for (size_t r = 0; gr_is(rules, GR_ARRAY) && r < rules->u.a.len; r++) {
				const gr_value *cel =
				        gr_get_path(&rules->u.a.items[r], "validate", "cel", NULL);
				if (gr_get(cel, "paramRef") &&
				    gri_param_kind_add(gr_get(cel, "paramKind"), out) < 0)
					return -1;
			}
		}
	}
	return 0;
}

/* CustomResourceDefinitions: a custom param kind's scope (validate.cel) */
static const char *const kinds[] = {"Namespace",
                                    "ConfigMap",
                                    "apiextensions.k8s.io/CustomResourceDefinition",
                                    "kyverno.io/ClusterPolicy",
                                    "kyverno.io/Policy",
                                    "policies.kyverno.io/ValidatingPolicy",
                                    NULL};
static const char *const revoking[] = {"kyverno.io/ClusterPolicy", "kyverno.io/Policy",
                                       "policies.kyverno.io/ValidatingPolicy", NULL};

const gr_engine gri_engine_kyverno = {
        .name = "kyverno",
        .summary = "Kyverno ClusterPolicy/Policy validate rules (--policy), as Kyverno evaluates them",
        .kinds = kinds,
        .config_new = config_new,
        .config_set = config_set,
        .config_free = config_free,
        .prepare = prepare,
        .check = check,
        .prepared_free = prepared_free,
        .needs_set = needs_set,
        .revoking_kinds = revoking,
        .set_kinds = set_kinds,
};
