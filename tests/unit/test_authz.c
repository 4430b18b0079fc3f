/*
 * test_authz.c — the RBAC authorizer (lib/authz/rbac.c) on the examples of
 * Kubernetes' RBAC documentation (Role pod-reader, ClusterRole
 * secret-reader, pods/log, resourceNames, nonResourceURLs, aggregated
 * ClusterRoles, service account subjects and groups), the authz file's
 * errors, and the CEL authz library (lib/cel/authz.c): types, compile
 * errors, version gating, runtime errors, decisions and costs.
 */
#include <stdlib.h>
#include <string.h>

#include "guardrail/authz.h"
#include "guardrail/cel.h"
#include "guardrail/guardrail.h"
#include "testlib.h"

static const char header[] = "apiVersion: guardrail.dev/v1alpha1\n"
                             "kind: AuthzConfiguration\n";

/* The texts the files decoded in place; freed at the end. */
static char *texts[64];
static size_t ntexts;

/* An authz file of header + user + objects (YAML text). */
static gr_authz *load(const char *user, const char *objects)
{
	size_t n = strlen(header) + strlen(user) + strlen(objects) + 16;
	char *text = malloc(n);
	snprintf(text, n, "%s%s---\n%s", header, user, objects);
	gr_authz *a = NULL;
	gr_error err;
	if (gr_authz_parse("test.yaml", text, strlen(text), &a, &err) != 0) {
		fprintf(stderr, "authz file: %s:%u:%u: %s\n", err.file, err.line, err.column, err.message);
		free(text);
		return NULL;
	}
	/* the file's values point into text: keep it until the end */
	if (ntexts < sizeof texts / sizeof texts[0])
		texts[ntexts++] = text;
	return a;
}

/* "allow <reason>" / "no <reason>" for a resource request of the file's user. */
static const char *ask(gr_authz *a, const char *verb, const char *group, const char *resource,
                       const char *sub, const char *ns, const char *name, char *out, size_t cap)
{
	gr_arena ar;
	gr_arena_init(&ar);
	gr_authz_attributes at = {.user = gr_authz_user_info(a),
	                          .verb = verb,
	                          .resource_request = true,
	                          .path = "",
	                          .group = group,
	                          .version = "*",
	                          .resource = resource,
	                          .subresource = sub,
	                          .namespace_ = ns,
	                          .name = name,
	                          .field_selector = "",
	                          .label_selector = ""};
	gr_authorizer az = gr_rbac_authorizer(gr_authz_rbac(a));
	const char *reason, *error;
	gr_authz_decision d = az.authorize(az.self, &at, &ar, &reason, &error);
	snprintf(out, cap, "%s%s%s", d == GR_AUTHZ_ALLOW ? "allow" : "no", *reason ? " " : "", reason);
	gr_arena_free(&ar);
	return out;
}

static const char *ask_path(gr_authz *a, const char *verb, const char *path, char *out, size_t cap)
{
	gr_arena ar;
	gr_arena_init(&ar);
	gr_authz_attributes at = {.user = gr_authz_user_info(a),
	                          .verb = verb,
	                          .path = path,
	                          .group = "",
	                          .version = "",
	                          .resource = "",
	                          .subresource = "",
	                          .namespace_ = "",
	                          .name = "",
	                          .field_selector = "",
	                          .label_selector = ""};
	const char *reason;
	gr_authz_decision d = gr_rbac_authorize(gr_authz_rbac(a), &at, &ar, &reason);
	snprintf(out, cap, "%s%s%s", d == GR_AUTHZ_ALLOW ? "allow" : "no", *reason ? " " : "", reason);
	gr_arena_free(&ar);
	return out;
}

/* docs: "Role example", "RoleBinding examples" */
static void test_role_and_binding(void)
{
	char b[512];
	gr_authz *a = load("user: {username: jane}\n", "apiVersion: rbac.authorization.k8s.io/v1\n"
	                                               "kind: Role\n"
	                                               "metadata: {namespace: default, name: pod-reader}\n"
	                                               "rules:\n"
	                                               "- apiGroups: [\"\"]\n"
	                                               "  resources: [\"pods\"]\n"
	                                               "  verbs: [\"get\", \"watch\", \"list\"]\n"
	                                               "---\n"
	                                               "apiVersion: rbac.authorization.k8s.io/v1\n"
	                                               "kind: RoleBinding\n"
	                                               "metadata: {name: read-pods, namespace: default}\n"
	                                               "subjects:\n"
	                                               "- kind: User\n"
	                                               "  name: jane\n"
	                                               "  apiGroup: rbac.authorization.k8s.io\n"
	                                               "roleRef: {kind: Role, name: pod-reader, apiGroup: "
	                                               "rbac.authorization.k8s.io}\n");
	CHECK(a != NULL);
	if (!a)
		return;
	CHECK_STR(ask(a, "get", "", "pods", "", "default", "web", b, sizeof b),
	          "allow RBAC: allowed by RoleBinding \"read-pods/default\" of Role \"pod-reader\" to User "
	          "\"jane\"");
	CHECK_STR(ask(a, "list", "", "pods", "", "default", "", b, sizeof b),
	          "allow RBAC: allowed by RoleBinding \"read-pods/default\" of Role \"pod-reader\" to User "
	          "\"jane\"");
	CHECK_STR(ask(a, "delete", "", "pods", "", "default", "web", b, sizeof b), "no");
	CHECK_STR(ask(a, "get", "", "pods", "", "kube-system", "web", b, sizeof b),
	          "no");                                                     /* another namespace */
	CHECK_STR(ask(a, "get", "", "pods", "", "", "", b, sizeof b), "no"); /* cluster-wide */
	CHECK_STR(ask(a, "get", "apps", "pods", "", "default", "", b, sizeof b), "no");   /* another group */
	CHECK_STR(ask(a, "get", "", "pods", "log", "default", "web", b, sizeof b), "no"); /* a subresource */
	/* the user's effective groups: what the authenticator adds */
	const gr_authz_user *u = gr_authz_user_info(a);
	CHECK(u->ngroups == 1 && !strcmp(u->groups[0], "system:authenticated"));
	gr_authz_free(a);
}

/* docs: ClusterRole secret-reader, bound in one namespace by a RoleBinding
 * and everywhere by a ClusterRoleBinding to a group */
static void test_cluster_roles(void)
{
	char b[512];
	const char *objs =
	        "apiVersion: rbac.authorization.k8s.io/v1\n"
	        "kind: ClusterRole\n"
	        "metadata: {name: secret-reader}\n"
	        "rules:\n"
	        "- apiGroups: [\"\"]\n"
	        "  resources: [\"secrets\"]\n"
	        "  verbs: [\"get\", \"watch\", \"list\"]\n"
	        "---\n"
	        "apiVersion: rbac.authorization.k8s.io/v1\n"
	        "kind: RoleBinding\n"
	        "metadata: {name: read-secrets, namespace: development}\n"
	        "subjects: [{kind: User, name: dave, apiGroup: rbac.authorization.k8s.io}]\n"
	        "roleRef: {kind: ClusterRole, name: secret-reader, apiGroup: rbac.authorization.k8s.io}\n"
	        "---\n"
	        "apiVersion: rbac.authorization.k8s.io/v1\n"
	        "kind: ClusterRoleBinding\n"
	        "metadata: {name: read-secrets-global}\n"
	        "subjects: [{kind: Group, name: manager, apiGroup: rbac.authorization.k8s.io}]\n"
	        "roleRef: {kind: ClusterRole, name: secret-reader, apiGroup: rbac.authorization.k8s.io}\n";
	gr_authz *dave = load("user: {username: dave}\n", objs);
	gr_authz *mia = load("user: {username: mia, groups: [manager]}\n", objs);
	CHECK(dave && mia);
	if (!dave || !mia)
		return;
	CHECK_STR(ask(dave, "get", "", "secrets", "", "development", "s", b, sizeof b),
	          "allow RBAC: allowed by RoleBinding \"read-secrets/development\" of ClusterRole "
	          "\"secret-reader\" "
	          "to User \"dave\"");
	CHECK_STR(ask(dave, "get", "", "secrets", "", "default", "s", b, sizeof b), "no");
	CHECK_STR(ask(mia, "get", "", "secrets", "", "default", "s", b, sizeof b),
	          "allow RBAC: allowed by ClusterRoleBinding \"read-secrets-global\" of ClusterRole "
	          "\"secret-reader\" to Group \"manager\"");
	CHECK_STR(ask(mia, "list", "", "secrets", "", "", "", b, sizeof b),
	          "allow RBAC: allowed by ClusterRoleBinding \"read-secrets-global\" of ClusterRole "
	          "\"secret-reader\" to Group \"manager\"");
	CHECK_STR(ask(mia, "delete", "", "secrets", "", "", "", b, sizeof b), "no");
	gr_authz_free(dave);
	gr_authz_free(mia);
}

/* docs: "Referring to resources": pods/log, resourceNames, *, *\/scale */
static void test_resources(void)
{
	char b[512];
	gr_authz *a = load("user: {username: ops}\n",
	                   "apiVersion: rbac.authorization.k8s.io/v1\n"
	                   "kind: ClusterRole\n"
	                   "metadata: {name: pod-and-pod-logs-reader}\n"
	                   "rules:\n"
	                   "- apiGroups: [\"\"]\n"
	                   "  resources: [\"pods\", \"pods/log\"]\n"
	                   "  verbs: [\"get\", \"list\"]\n"
	                   "- apiGroups: [\"\"]\n"
	                   "  resources: [\"configmaps\"]\n"
	                   "  resourceNames: [\"my-configmap\"]\n"
	                   "  verbs: [\"update\", \"get\"]\n"
	                   "- apiGroups: [\"*\"]\n"
	                   "  resources: [\"*/scale\"]\n"
	                   "  verbs: [\"patch\"]\n"
	                   "- apiGroups: [\"example.com\"]\n"
	                   "  resources: [\"*\"]\n"
	                   "  verbs: [\"*\"]\n"
	                   "---\n"
	                   "apiVersion: rbac.authorization.k8s.io/v1\n"
	                   "kind: ClusterRoleBinding\n"
	                   "metadata: {name: ops}\n"
	                   "subjects: [{kind: User, name: ops}]\n"
	                   "roleRef: {kind: ClusterRole, name: pod-and-pod-logs-reader}\n");
	CHECK(a != NULL);
	if (!a)
		return;
	CHECK(!strncmp(ask(a, "get", "", "pods", "log", "default", "web", b, sizeof b), "allow ", 6));
	CHECK_STR(ask(a, "get", "", "pods", "exec", "default", "web", b, sizeof b), "no");
	CHECK(!strncmp(ask(a, "update", "", "configmaps", "", "default", "my-configmap", b, sizeof b),
	               "allow", 5));
	CHECK_STR(ask(a, "update", "", "configmaps", "", "default", "other", b, sizeof b), "no");
	CHECK_STR(ask(a, "get", "", "configmaps", "", "default", "", b, sizeof b),
	          "no"); /* a list: no name */
	CHECK(!strncmp(ask(a, "patch", "apps", "deployments", "scale", "team", "web", b, sizeof b), "allow",
	               5));
	CHECK_STR(ask(a, "patch", "apps", "deployments", "", "team", "web", b, sizeof b), "no");
	CHECK_STR(ask(a, "patch", "apps", "deployments", "status", "team", "web", b, sizeof b), "no");
	CHECK(!strncmp(ask(a, "deletecollection", "example.com", "widgets", "status", "", "", b, sizeof b),
	               "allow", 5));
	CHECK_STR(ask(a, "get", "example.org", "widgets", "", "", "", b, sizeof b), "no");
	gr_authz_free(a);
}

/* docs: non-resource URLs (/healthz, a trailing *) */
static void test_non_resource(void)
{
	char b[512];
	gr_authz *a =
	        load("user: {username: probe}\n", "apiVersion: rbac.authorization.k8s.io/v1\n"
	                                          "kind: ClusterRole\n"
	                                          "metadata: {name: health}\n"
	                                          "rules:\n"
	                                          "- nonResourceURLs: [\"/healthz\", \"/healthz/*\"]\n"
	                                          "  verbs: [\"get\", \"post\"]\n"
	                                          "---\n"
	                                          "apiVersion: rbac.authorization.k8s.io/v1\n"
	                                          "kind: ClusterRoleBinding\n"
	                                          "metadata: {name: health}\n"
	                                          "subjects: [{kind: Group, name: system:authenticated}]\n"
	                                          "roleRef: {kind: ClusterRole, name: health}\n");
	CHECK(a != NULL);
	if (!a)
		return;
	CHECK_STR(ask_path(a, "get", "/healthz", b, sizeof b),
	          "allow RBAC: allowed by ClusterRoleBinding \"health\" of ClusterRole \"health\" to Group "
	          "\"system:authenticated\"");
	CHECK(!strncmp(ask_path(a, "post", "/healthz/etcd", b, sizeof b), "allow", 5));
	CHECK_STR(ask_path(a, "get", "/healthzx", b, sizeof b), "no");
	CHECK_STR(ask_path(a, "delete", "/healthz", b, sizeof b), "no");
	CHECK_STR(ask_path(a, "get", "/metrics", b, sizeof b), "no");
	/* a resource rule never answers a path, nor a path rule a resource */
	CHECK_STR(ask(a, "get", "", "healthz", "", "", "", b, sizeof b), "no");
	gr_authz_free(a);
}

/* docs: "Aggregated ClusterRoles" (monitoring), aggregating in two steps */
static void test_aggregation(void)
{
	char b[512];
	gr_authz *a = load("user: {username: mon, groups: [monitors]}\n",
	                   "apiVersion: rbac.authorization.k8s.io/v1\n"
	                   "kind: ClusterRole\n"
	                   "metadata: {name: monitoring}\n"
	                   "aggregationRule:\n"
	                   "  clusterRoleSelectors:\n"
	                   "  - matchLabels: {rbac.example.com/aggregate-to-monitoring: \"true\"}\n"
	                   "rules: []\n"
	                   "---\n"
	                   "apiVersion: rbac.authorization.k8s.io/v1\n"
	                   "kind: ClusterRole\n"
	                   "metadata:\n"
	                   "  name: monitoring-endpoints\n"
	                   "  labels: {rbac.example.com/aggregate-to-monitoring: \"true\"}\n"
	                   "rules:\n"
	                   "- apiGroups: [\"\"]\n"
	                   "  resources: [\"services\", \"endpointslices\", \"pods\"]\n"
	                   "  verbs: [\"get\", \"list\", \"watch\"]\n"
	                   "---\n"
	                   "apiVersion: rbac.authorization.k8s.io/v1\n"
	                   "kind: ClusterRole\n"
	                   "metadata:\n"
	                   "  name: monitoring-more\n"
	                   "  labels: {rbac.example.com/aggregate-to-monitoring: \"true\"}\n"
	                   "aggregationRule:\n"
	                   "  clusterRoleSelectors:\n"
	                   "  - matchExpressions: [{key: example.com/nodes, operator: Exists}]\n"
	                   "---\n"
	                   "apiVersion: rbac.authorization.k8s.io/v1\n"
	                   "kind: ClusterRole\n"
	                   "metadata:\n"
	                   "  name: nodes-reader\n"
	                   "  labels: {example.com/nodes: \"yes\"}\n"
	                   "rules:\n"
	                   "- apiGroups: [\"\"]\n"
	                   "  resources: [\"nodes\"]\n"
	                   "  verbs: [\"get\"]\n"
	                   "---\n"
	                   "apiVersion: rbac.authorization.k8s.io/v1\n"
	                   "kind: ClusterRoleBinding\n"
	                   "metadata: {name: monitors}\n"
	                   "subjects: [{kind: Group, name: monitors}]\n"
	                   "roleRef: {kind: ClusterRole, name: monitoring}\n");
	CHECK(a != NULL);
	if (!a)
		return;
	CHECK_STR(ask(a, "list", "", "endpointslices", "", "default", "", b, sizeof b),
	          "allow RBAC: allowed by ClusterRoleBinding \"monitors\" of ClusterRole \"monitoring\" to "
	          "Group "
	          "\"monitors\"");
	CHECK(!strncmp(ask(a, "get", "", "nodes", "", "", "n1", b, sizeof b), "allow", 5)); /* two steps */
	CHECK_STR(ask(a, "delete", "", "pods", "", "default", "p", b, sizeof b), "no");
	gr_authz_free(a);
	/* an aggregationRule replaces the role's own rules: with no selectors it
	 * has none; an empty selector selects every other ClusterRole */
	a = load("user: {username: u}\n",
	         "apiVersion: rbac.authorization.k8s.io/v1\n"
	         "kind: ClusterRole\n"
	         "metadata: {name: empty}\n"
	         "aggregationRule: {}\n"
	         "rules: [{apiGroups: [\"\"], resources: [pods], verbs: [get]}]\n"
	         "---\n"
	         "apiVersion: rbac.authorization.k8s.io/v1\n"
	         "kind: ClusterRole\n"
	         "metadata: {name: all}\n"
	         "aggregationRule: {clusterRoleSelectors: [{}]}\n"
	         "---\n"
	         "apiVersion: rbac.authorization.k8s.io/v1\n"
	         "kind: ClusterRole\n"
	         "metadata: {name: cm}\n"
	         "rules: [{apiGroups: [\"\"], resources: [configmaps], verbs: [get]}]\n"
	         "---\n"
	         "apiVersion: rbac.authorization.k8s.io/v1\n"
	         "kind: ClusterRoleBinding\n"
	         "metadata: {name: u}\n"
	         "subjects: [{kind: User, name: u}]\n"
	         "roleRef: {kind: ClusterRole, name: empty}\n"
	         "---\n"
	         "apiVersion: rbac.authorization.k8s.io/v1\n"
	         "kind: ClusterRoleBinding\n"
	         "metadata: {name: u2}\n"
	         "subjects: [{kind: User, name: u}]\n"
	         "roleRef: {kind: ClusterRole, name: all}\n");
	CHECK(a != NULL);
	if (!a)
		return;
	CHECK_STR(ask(a, "get", "", "pods", "", "", "", b, sizeof b), "no");
	CHECK_STR(ask(a, "get", "", "configmaps", "", "", "", b, sizeof b),
	          "allow RBAC: allowed by ClusterRoleBinding \"u2\" of ClusterRole \"all\" to User \"u\"");
	gr_authz_free(a);
}

/* service account subjects, the groups the authenticators add, roles not found */
static void test_subjects(void)
{
	char b[512];
	const char *objs =
	        "apiVersion: rbac.authorization.k8s.io/v1\n"
	        "kind: Role\n"
	        "metadata: {name: cm, namespace: ci}\n"
	        "rules: [{apiGroups: [\"\"], resources: [configmaps], verbs: [get]}]\n"
	        "---\n"
	        "apiVersion: rbac.authorization.k8s.io/v1\n"
	        "kind: RoleBinding\n"
	        "metadata: {name: deployer-cm, namespace: ci}\n"
	        "subjects: [{kind: ServiceAccount, name: deployer}]\n" /* the binding's namespace */
	        "roleRef: {kind: Role, name: cm}\n"
	        "---\n"
	        "apiVersion: rbac.authorization.k8s.io/v1\n"
	        "kind: ClusterRole\n"
	        "metadata: {name: pod-lister}\n"
	        "rules: [{apiGroups: [\"\"], resources: [pods], verbs: [list]}]\n"
	        "---\n"
	        "apiVersion: rbac.authorization.k8s.io/v1\n"
	        "kind: RoleBinding\n"
	        "metadata: {name: all-ci-sas, namespace: qa}\n"
	        "subjects: [{kind: Group, name: \"system:serviceaccounts:ci\"}]\n"
	        "roleRef: {kind: ClusterRole, name: pod-lister}\n"
	        "---\n"
	        "apiVersion: rbac.authorization.k8s.io/v1\n"
	        "kind: RoleBinding\n"
	        "metadata: {name: dangling, namespace: prod}\n"
	        "subjects: [{kind: Group, name: \"system:authenticated\"}]\n"
	        "roleRef: {kind: ClusterRole, name: gone}\n";
	gr_authz *sa = load("serviceAccount: {namespace: ci, name: deployer}\n", objs);
	gr_authz *other = load("serviceAccount: {namespace: dev, name: deployer}\n", objs);
	CHECK(sa && other);
	if (!sa || !other)
		return;
	const gr_authz_user *u = gr_authz_user_info(sa);
	CHECK_STR(u->username, "system:serviceaccount:ci:deployer");
	CHECK(u->ngroups == 3 && !strcmp(u->groups[0], "system:serviceaccounts") &&
	      !strcmp(u->groups[1], "system:serviceaccounts:ci") &&
	      !strcmp(u->groups[2], "system:authenticated"));
	CHECK_STR(ask(sa, "get", "", "configmaps", "", "ci", "x", b, sizeof b),
	          "allow RBAC: allowed by RoleBinding \"deployer-cm/ci\" of Role \"cm\" to ServiceAccount "
	          "\"deployer/ci\"");
	CHECK_STR(ask(other, "get", "", "configmaps", "", "ci", "x", b, sizeof b), "no");
	CHECK(!strncmp(ask(sa, "list", "", "pods", "", "qa", "", b, sizeof b), "allow", 5));
	CHECK_STR(ask(other, "list", "", "pods", "", "qa", "", b, sizeof b), "no");
	CHECK_STR(ask(sa, "get", "", "pods", "", "prod", "", b, sizeof b),
	          "no RBAC: clusterrole.rbac.authorization.k8s.io \"gone\" not found");
	gr_authz_free(sa);
	gr_authz_free(other);
	/* system:masters: allowed before RBAC is asked */
	char c[512];
	gr_authz *root = load("user: {username: admin, groups: [\"system:masters\"]}\n", objs);
	CHECK(root != NULL);
	if (root) {
		CHECK_STR(ask(root, "delete", "", "nodes", "", "", "n", c, sizeof c), "allow");
		gr_authz_free(root);
	}
	/* anonymous */
	size_t n;
	gr_arena ar;
	gr_arena_init(&ar);
	const char *const *g = gr_authz_effective_groups(&ar, "system:anonymous", NULL, 0, &n);
	CHECK(n == 1 && !strcmp(g[0], "system:unauthenticated"));
	gr_arena_free(&ar);
}

static void file_error(const char *text, const char *want, unsigned line)
{
	gr_authz *a = NULL;
	gr_error err;
	int rc = gr_authz_parse("f.yaml", text, strlen(text), &a, &err);
	CHECK(rc == -1 && a == NULL);
	if (rc == -1) {
		CHECK(strstr(err.message, want) != NULL);
		CHECK(err.line == line);
		CHECK_STR(err.file, "f.yaml");
		if (!strstr(err.message, want) || err.line != line)
			fprintf(stderr, "  got %u: %s\n", err.line, err.message);
	} else
		gr_authz_free(a);
}

static void test_file_errors(void)
{
	file_error("apiVersion: guardrail.dev/v1alpha1\nkind: AuthzConfiguration\nuser: {username: a}\nrbca: "
	           "{}\n",
	           "unknown key \"rbca\"", 4);
	file_error("apiVersion: guardrail.dev/v1alpha1\nkind: AuthzConfiguration\n", "user", 1);
	file_error("apiVersion: guardrail.dev/v1alpha1\nkind: AuthzConfiguration\nuser:\n  groups: [a]\n",
	           "user.username is required", 4);
	file_error("apiVersion: guardrail.dev/v1alpha1\nkind: AuthzConfiguration\nuser: {username: a, "
	           "groups: x}\n",
	           "user.groups must be a list of strings", 3);
	file_error("apiVersion: guardrail.dev/v1alpha1\nkind: AuthzConfiguration\nuser: {username: a}\n---\n"
	           "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
	           "ConfigMap is not an RBAC object", 5);
	file_error("apiVersion: v1\nkind: AuthzConfiguration\nuser: {username: a}\n", "apiVersion must be",
	           1);
	file_error(
	        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: n}\n",
	        "no AuthzConfiguration", 1);
	file_error("apiVersion: guardrail.dev/v1alpha1\nkind: AuthzConfiguration\nuser: {username: [\n", "",
	           4); /* a YAML error keeps its position (the end of the input) */
}

/* ---- the CEL library ---- */

typedef struct celenv {
	gr_authz *authz;
	gr_authorizer az;
} celenv;

/* Compile with `authorizer` declared (at Kubernetes minor `minor`, 0 the
 * newest) and evaluate against authz's RBAC objects and user. */
static const char *cel(const celenv *e, int minor, const char *expr, char *out, size_t cap, uint64_t *cost)
{
	gr_cel_options o;
	gr_cel_options_default(&o);
	o.kubernetes = true;
	o.kubernetes_minor = minor;
	gr_cel_env *env = gr_cel_env_new(&o);
	gr_cel_env_declare_object(env, "authorizer", GR_CEL_OBJ_AUTHORIZER);
	gr_cel_program *p;
	gr_cel_error err;
	if (gr_cel_compile(env, expr, strlen(expr), &p, &err) != 0) {
		snprintf(out, cap, "error %s: %s", gr_cel_error_name(err.type), err.message);
		gr_cel_env_free(env);
		return out;
	}
	gr_cel_env_free(env);
	gr_arena a;
	gr_arena_init(&a);
	gr_cel_value v = gr_cel_authorizer(&a, &e->az, gr_authz_user_info(e->authz)), r;
	if (gr_cel_eval(p, &v, 1, &a, &r, cost, &err) != 0)
		snprintf(out, cap, "error %s: %s", gr_cel_error_name(err.type), err.message);
	else {
		gr_buf b;
		gr_buf_init(&b);
		gr_cel_write_json(&b, &r);
		snprintf(out, cap, "%s", b.data ? b.data : "");
		gr_buf_free(&b);
	}
	gr_cel_free(p);
	gr_arena_free(&a);
	return out;
}

static void test_cel_library(void)
{
	char b[600];
	celenv e;
	e.authz = load("user: {username: jane, groups: [devs]}\n",
	               "apiVersion: rbac.authorization.k8s.io/v1\n"
	               "kind: ClusterRole\n"
	               "metadata: {name: dev}\n"
	               "rules:\n"
	               "- apiGroups: [apps]\n"
	               "  resources: [deployments, deployments/scale]\n"
	               "  verbs: [get, update]\n"
	               "- nonResourceURLs: [/healthz]\n"
	               "  verbs: [get]\n"
	               "---\n"
	               "apiVersion: rbac.authorization.k8s.io/v1\n"
	               "kind: RoleBinding\n"
	               "metadata: {name: devs, namespace: test}\n"
	               "subjects: [{kind: Group, name: devs}]\n"
	               "roleRef: {kind: ClusterRole, name: dev}\n"
	               "---\n"
	               "apiVersion: rbac.authorization.k8s.io/v1\n"
	               "kind: ClusterRoleBinding\n"
	               "metadata: {name: health}\n"
	               "subjects: [{kind: Group, name: system:authenticated}]\n"
	               "roleRef: {kind: ClusterRole, name: dev}\n"
	               "---\n"
	               "apiVersion: rbac.authorization.k8s.io/v1\n"
	               "kind: RoleBinding\n"
	               "metadata: {name: sa-reads, namespace: test}\n"
	               "subjects: [{kind: Group, name: system:serviceaccounts:ci}]\n"
	               "roleRef: {kind: ClusterRole, name: dev}\n");
	CHECK(e.authz != NULL);
	if (!e.authz)
		return;
	e.az = gr_rbac_authorizer(gr_authz_rbac(e.authz));
	/* decisions */
	CHECK_STR(cel(&e, 0, "authorizer.path('/healthz').check('get').allowed()", b, sizeof b, NULL),
	          "true");
	CHECK_STR(cel(&e, 0, "authorizer.path('/healthz').check('post').allowed()", b, sizeof b, NULL),
	          "false");
	CHECK_STR(
	        cel(&e, 0,
	            "authorizer.group('apps').resource('deployments').subresource('scale').namespace('test')"
	            ".name('web').check('update').reason()",
	            b, sizeof b, NULL),
	        "\"RBAC: allowed by ClusterRoleBinding \\\"health\\\" of ClusterRole \\\"dev\\\" to Group "
	        "\\\"system:authenticated\\\"\"");
	CHECK_STR(cel(&e, 0, "authorizer.group('apps').resource('deployments').check('delete').allowed()", b,
	              sizeof b, NULL),
	          "false");
	CHECK_STR(cel(&e, 0, "authorizer.group('apps').resource('deployments').check('get').errored()", b,
	              sizeof b, NULL),
	          "false");
	CHECK_STR(cel(&e, 0, "authorizer.group('apps').resource('deployments').check('get').error()", b,
	              sizeof b, NULL),
	          "\"\"");
	/* a subresource set to "" is unset */
	CHECK_STR(cel(&e, 0,
	              "authorizer.group('apps').resource('deployments').subresource('status').subresource('')"
	              ".check('get').allowed()",
	              b, sizeof b, NULL),
	          "true");
	/* serviceAccount(): that account's user, without system:authenticated */
	CHECK_STR(cel(&e, 0,
	              "authorizer.serviceAccount('ci', 'builder').group('apps').resource('deployments')"
	              ".namespace('test').check('get').reason()",
	              b, sizeof b, NULL),
	          "\"RBAC: allowed by RoleBinding \\\"sa-reads/test\\\" of ClusterRole \\\"dev\\\" to Group "
	          "\\\"system:serviceaccounts:ci\\\"\"");
	CHECK_STR(cel(&e, 0,
	              "authorizer.serviceAccount('ci', 'builder').path('/healthz').check('get').allowed()", b,
	              sizeof b, NULL),
	          "false");
	/* runtime errors, worded as the library words them */
	CHECK_STR(cel(&e, 0, "authorizer.path('').check('get')", b, sizeof b, NULL),
	          "error eval: path must not be empty");
	CHECK_STR(cel(&e, 0, "authorizer.group('').resource('  ')", b, sizeof b, NULL),
	          "error eval: resource must not be empty");
	CHECK_STR(cel(&e, 0, "authorizer.serviceAccount('default', 'Not_Valid')", b, sizeof b, NULL),
	          "error eval: Invalid service account name");
	CHECK_STR(cel(&e, 0, "authorizer.serviceAccount('not.a.label', 'ok')", b, sizeof b, NULL),
	          "error eval: Invalid service account namespace");
	/* types */
	CHECK_STR(cel(&e, 0, "type(authorizer.path('/x').check('get'))", b, sizeof b, NULL),
	          "\"kubernetes.authorization.Decision\"");
	CHECK_STR(cel(&e, 0, "authorizer.group('apps')", b, sizeof b, NULL),
	          "\"kubernetes.authorization.GroupCheck\"");
	/* compile errors, as cel-go's checker words them */
	CHECK_STR(cel(&e, 0, "authorizer.group('apps').check('get')", b, sizeof b, NULL),
	          "error check: found no matching overload for 'check' applied to "
	          "'kubernetes.authorization.GroupCheck.(string)'");
	CHECK_STR(cel(&e, 0, "authorizer.path(1)", b, sizeof b, NULL),
	          "error check: found no matching overload for 'path' applied to "
	          "'kubernetes.authorization.Authorizer.(int)'");
	CHECK_STR(cel(&e, 0, "'x'.allowed()", b, sizeof b, NULL),
	          "error check: found no matching overload for 'allowed' applied to 'string.()'");
	CHECK_STR(cel(&e, 0, "string(authorizer)", b, sizeof b, NULL),
	          "error check: found no matching overload for 'string' applied to "
	          "'(kubernetes.authorization.Authorizer)'");
	/* version gating: Authz from 1.27, AuthzSelectors on by default from 1.32 */
	CHECK_STR(cel(&e, 26, "authorizer.path('/healthz')", b, sizeof b, NULL),
	          "error check: undeclared reference to 'path'");
	CHECK_STR(cel(&e, 27, "authorizer.path('/healthz').check('get').allowed()", b, sizeof b, NULL),
	          "true");
	CHECK_STR(cel(&e, 31, "authorizer.group('').resource('pods').fieldSelector('spec.nodeName=n')", b,
	              sizeof b, NULL),
	          "error check: undeclared reference to 'fieldSelector'");
	CHECK_STR(cel(&e, 32,
	              "authorizer.group('apps').resource('deployments').labelSelector('app=web').namespace('"
	              "test')"
	              ".check('get').allowed()",
	              b, sizeof b, NULL),
	          "true");
	/* costs: 350,000 per check; the builders 1 each; a selector by its length */
	uint64_t cost = 0;
	cel(&e, 0, "authorizer.path('/healthz').check('get').allowed()", b, sizeof b, &cost);
	CHECK(cost == 350003);
	cel(&e, 0, "authorizer.group('').resource('pods').labelSelector('a=b')", b, sizeof b, &cost);
	CHECK(cost == 3 + 10 + 1 + 2 * 50);
	/* equality of checks: the same value only */
	CHECK_STR(cel(&e, 0, "authorizer.path('/a') == authorizer.path('/a')", b, sizeof b, NULL), "false");
	gr_authz_free(e.authz);
}

int main(void)
{
	test_role_and_binding();
	test_cluster_roles();
	test_resources();
	test_non_resource();
	test_aggregation();
	test_subjects();
	test_file_errors();
	test_cel_library();
	for (size_t i = 0; i < ntexts; i++)
		free(texts[i]);
	return test_report("authz");
}
