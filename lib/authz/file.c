/*
 * file.c — the authz file of `guardrail check --authz FILE`: who the
 * checked requests come from, and the RBAC objects that say what they may
 * do (authz.h).
 *
 *   apiVersion: guardrail.dev/v1alpha1
 *   kind: AuthzConfiguration
 *   user:                       # or serviceAccount: {namespace: ci, name: deployer}
 *     username: jane
 *     uid: "1001"
 *     groups: [team-a]
 *     extra: {example.com/tenant: [a]}
 *   rbac:
 *     fromInputs: true          # the RBAC objects among the checked inputs count too
 *   ---
 *   (Roles, ClusterRoles, RoleBindings, ClusterRoleBindings, Lists of them)
 *
 * Unknown keys, wrong types and other kinds of objects are errors with
 * their file:line:col: a typo must not silently grant or revoke anything.
 */
#include <stdlib.h>
#include <string.h>

#include "guardrail/authz.h"
#include "guardrail/decode.h"
#include "guardrail/object.h"

struct gr_authz {
	gr_arena arena;
	char *data; /* owned when loaded from a path */
	gr_authz_user user;
	bool from_inputs;
	gr_rbac *rbac;
	const gr_value **objects;
	size_t nobjects;
};

static int at(gr_error *err, const char *file, const gr_value *v, const char *fmt, const char *a)
{
	gr_error_set(err, v ? v->line : 0, v ? v->column : 0, fmt, a);
	gr_error_set_file(err, file);
	return -1;
}

static bool known_key(const char *key, const char *const *keys)
{
	for (int i = 0; keys[i]; i++)
		if (!strcmp(keys[i], key))
			return true;
	return false;
}

static int check_keys(const gr_value *obj, const char *const *keys, const char *what, const char *file,
                      gr_error *err)
{
	for (size_t i = 0; i < obj->u.o.len; i++)
		if (!known_key(obj->u.o.members[i].key, keys)) {
			const gr_member *m = &obj->u.o.members[i];
			gr_error_set(err, m->line, m->column, "%s: unknown key \"%.100s\"", what, m->key);
			gr_error_set_file(err, file);
			return -1;
		}
	return 0;
}

static const char *string_at(gr_authz *a, const gr_value *obj, const char *key, const char *what,
                             const char *file, gr_error *err, int *bad)
{
	const gr_value *v = gr_get(obj, key);
	if (!v)
		return NULL;
	if (!gr_is(v, GR_STRING)) {
		*bad = 1;
		at(err, file, v, "%s must be a string", what);
		return NULL;
	}
	(void)a;
	return v->u.s.ptr;
}

/* A list of strings into an arena array. */
static int strings_of(gr_authz *a, const gr_value *v, const char *what, const char *file, gr_error *err,
                      const char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!v || gr_is(v, GR_NULL))
		return 0;
	if (!gr_is(v, GR_ARRAY))
		return at(err, file, v, "%s must be a list of strings", what);
	const char **s = gr_arena_alloc(&a->arena, (v->u.a.len + 1) * sizeof *s);
	if (!s)
		return at(err, file, v, "%s", "out of memory");
	for (size_t i = 0; i < v->u.a.len; i++) {
		if (!gr_is(&v->u.a.items[i], GR_STRING))
			return at(err, file, &v->u.a.items[i], "%s must be a list of strings", what);
		s[i] = v->u.a.items[i].u.s.ptr;
	}
	*out = s;
	*n = v->u.a.len;
	return 0;
}

static int parse_user(gr_authz *a, const gr_value *cfg, const char *file, gr_error *err)
{
	const gr_value *u = gr_get(cfg, "user");
	const gr_value *sa = gr_get(cfg, "serviceAccount");
	if (u && sa)
		return at(err, file, sa, "%s", "give either user or serviceAccount, not both");
	if (!u && !sa)
		return at(err, file, cfg, "%s",
		          "AuthzConfiguration: user (username, groups, ...) or serviceAccount (namespace, "
		          "name) "
		          "is required");
	int bad = 0;
	const char *username = NULL;
	const char **groups = NULL;
	size_t ngroups = 0;
	if (sa) {
		static const char *const keys[] = {"namespace", "name", NULL};
		if (!gr_is(sa, GR_OBJECT))
			return at(err, file, sa, "%s", "serviceAccount must be a mapping (namespace, name)");
		if (check_keys(sa, keys, "serviceAccount", file, err))
			return -1;
		const char *ns = string_at(a, sa, "namespace", "serviceAccount.namespace", file, err, &bad);
		const char *name = string_at(a, sa, "name", "serviceAccount.name", file, err, &bad);
		if (bad)
			return -1;
		if (!ns || !*ns || !name || !*name)
			return at(err, file, sa, "%s", "serviceAccount needs a namespace and a name");
		username = gr_arena_printf(&a->arena, "system:serviceaccount:%s:%s", ns, name);
	} else {
		static const char *const keys[] = {"username", "uid", "groups", "extra", NULL};
		if (!gr_is(u, GR_OBJECT))
			return at(err, file, u, "%s",
			          "user must be a mapping (username, uid, groups, extra)");
		if (check_keys(u, keys, "user", file, err))
			return -1;
		username = string_at(a, u, "username", "user.username", file, err, &bad);
		a->user.uid = string_at(a, u, "uid", "user.uid", file, err, &bad);
		if (bad)
			return -1;
		if (!username || !*username)
			return at(err, file, u, "%s", "user.username is required");
		if (strings_of(a, gr_get(u, "groups"), "user.groups", file, err, &groups, &ngroups))
			return -1;
		const gr_value *ex = gr_get(u, "extra");
		if (ex && !gr_is(ex, GR_NULL)) {
			if (!gr_is(ex, GR_OBJECT))
				return at(err, file, ex, "%s",
				          "user.extra must map keys to lists of strings");
			size_t n = ex->u.o.len;
			const char **keys2 = gr_arena_alloc(&a->arena, (n + 1) * sizeof *keys2);
			const char *const **vals = gr_arena_alloc(&a->arena, (n + 1) * sizeof *vals);
			size_t *counts = gr_arena_alloc(&a->arena, (n + 1) * sizeof *counts);
			if (!keys2 || !vals || !counts)
				return at(err, file, ex, "%s", "out of memory");
			for (size_t i = 0; i < n; i++) {
				const char **vs;
				keys2[i] = ex->u.o.members[i].key;
				if (strings_of(a, &ex->u.o.members[i].value, "user.extra values", file, err,
				               &vs, &counts[i]))
					return -1;
				vals[i] = vs;
			}
			a->user.extra_keys = keys2;
			a->user.extra_values = vals;
			a->user.extra_counts = counts;
			a->user.nextra = n;
		}
	}
	if (!username)
		return at(err, file, cfg, "%s", "out of memory");
	a->user.username = username;
	if (!a->user.uid)
		a->user.uid = "";
	a->user.groups = gr_authz_effective_groups(&a->arena, username, groups, ngroups, &a->user.ngroups);
	if (!a->user.groups)
		return at(err, file, cfg, "%s", "out of memory");
	return 0;
}

static int parse_config(gr_authz *a, const gr_value *cfg, const char *file, gr_error *err)
{
	static const char *const keys[] = {"apiVersion", "kind", "user", "serviceAccount", "rbac", NULL};
	if (check_keys(cfg, keys, "AuthzConfiguration", file, err))
		return -1;
	const char *av = gr_get_str(cfg, "apiVersion");
	if (!av || strcmp(av, "guardrail.dev/v1alpha1") != 0)
		return at(err, file, gr_get(cfg, "apiVersion") ? gr_get(cfg, "apiVersion") : cfg,
		          "apiVersion must be %s", "guardrail.dev/v1alpha1");
	const gr_value *rbac = gr_get(cfg, "rbac");
	if (rbac && !gr_is(rbac, GR_NULL)) {
		static const char *const rkeys[] = {"fromInputs", NULL};
		if (!gr_is(rbac, GR_OBJECT))
			return at(err, file, rbac, "%s", "rbac must be a mapping (fromInputs)");
		if (check_keys(rbac, rkeys, "rbac", file, err))
			return -1;
		const gr_value *fi = gr_get(rbac, "fromInputs");
		if (fi && !gr_is(fi, GR_BOOL))
			return at(err, file, fi, "%s", "rbac.fromInputs must be true or false");
		a->from_inputs = fi && fi->u.b;
	}
	return parse_user(a, cfg, file, err);
}

static int add_object(gr_authz *a, const gr_value *root, const char *file, gr_error *err)
{
	int r = gr_rbac_add(a->rbac, root, err);
	if (r < 0) {
		gr_error_set_file(err, file);
		return -1;
	}
	if (r == 0) {
		const char *k = gr_get_str(root, "kind");
		return at(err, file, root,
		          "%s is not an RBAC object (Role, ClusterRole, RoleBinding, ClusterRoleBinding of "
		          "rbac.authorization.k8s.io)",
		          k ? k : "a document without kind");
	}
	const gr_value **o = realloc(a->objects, (a->nobjects + 1) * sizeof *o);
	if (!o)
		return at(err, file, root, "%s", "out of memory");
	a->objects = o;
	a->objects[a->nobjects++] = root;
	return 0;
}

int gr_authz_parse(const char *file, const char *data, size_t len, gr_authz **out, gr_error *err)
{
	*out = NULL;
	if (!file)
		file = "<authz>";
	gr_authz *a = calloc(1, sizeof *a);
	if (!a)
		return gr_error_set(err, 0, 0, "out of memory");
	gr_arena_init(&a->arena);
	a->rbac = gr_rbac_new();
	if (!a->rbac) {
		gr_authz_free(a);
		return gr_error_set(err, 0, 0, "out of memory");
	}
	gr_document *docs;
	size_t n;
	if (gr_decode(&a->arena, data, len, NULL, &docs, &n, err) != 0) {
		gr_error_set_file(err, file);
		gr_authz_free(a);
		return -1;
	}
	bool have_config = false;
	for (size_t d = 0; d < n; d++) {
		const gr_value *root = &docs[d].root;
		if (gr_is(root, GR_NULL))
			continue;
		if (!gr_is(root, GR_OBJECT)) {
			at(err, file, root, "%s", "each document must be a mapping");
			gr_authz_free(a);
			return -1;
		}
		const char *kind = gr_get_str(root, "kind");
		if (kind && !strcmp(kind, "AuthzConfiguration")) {
			if (have_config) {
				at(err, file, root, "%s", "more than one AuthzConfiguration");
				gr_authz_free(a);
				return -1;
			}
			have_config = true;
			if (parse_config(a, root, file, err)) {
				gr_authz_free(a);
				return -1;
			}
			continue;
		}
		gr_object *objs;
		size_t no;
		if (gr_objects_from_document(&a->arena, &docs[d], file, &objs, &no) != 0) {
			at(err, file, root, "%s", "out of memory");
			gr_authz_free(a);
			return -1;
		}
		for (size_t k = 0; k < no; k++)
			if (objs[k].root && add_object(a, objs[k].root, file, err)) {
				gr_authz_free(a);
				return -1;
			}
	}
	if (!have_config) {
		gr_error_set(err, 1, 1,
		             "no AuthzConfiguration document (apiVersion: guardrail.dev/v1alpha1, kind: "
		             "AuthzConfiguration, with the user)");
		gr_error_set_file(err, file);
		gr_authz_free(a);
		return -1;
	}
	if (gr_rbac_finish(a->rbac, err)) {
		gr_error_set_file(err, file);
		gr_authz_free(a);
		return -1;
	}
	*out = a;
	return 0;
}

int gr_authz_load(const char *path, gr_authz **out, gr_error *err)
{
	char *data;
	size_t len;
	*out = NULL;
	if (gr_read_file(path, 0, &data, &len, err) != 0) {
		gr_error_set_file(err, path);
		return -1;
	}
	if (gr_authz_parse(path, data, len, out, err) != 0) {
		free(data);
		return -1;
	}
	(*out)->data = data;
	return 0;
}

const gr_authz_user *gr_authz_user_info(const gr_authz *a)
{
	return &a->user;
}

const gr_rbac *gr_authz_rbac(const gr_authz *a)
{
	return a->rbac;
}

bool gr_authz_rbac_from_inputs(const gr_authz *a)
{
	return a->from_inputs;
}

size_t gr_authz_objects(const gr_authz *a, const gr_value *const **objects)
{
	*objects = a->objects;
	return a->nobjects;
}

void gr_authz_free(gr_authz *a)
{
	if (!a)
		return;
	gr_rbac_free(a->rbac);
	free(a->objects);
	gr_arena_free(&a->arena);
	free(a->data);
	free(a);
}
