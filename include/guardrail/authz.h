/*
 * authz.h — authorization answered offline: the requesting user, an
 * authorizer interface, and Kubernetes' RBAC authorizer over Role,
 * ClusterRole, RoleBinding and ClusterRoleBinding objects.
 *
 * An authorizer decides on request attributes (who, which verb, which
 * resource or non-resource path) as k8s.io/apiserver's
 * authorizer.Authorizer does: allow, deny or no opinion, with a reason
 * and, when it could not decide, an error. The RBAC authorizer (gr_rbac)
 * has the API server's semantics: rules by verb, API group, resource
 * (`*`, `pods/log`, `*` + `/scale` for a subresource of any resource), resource name and non-resource URL
 * (`/healthz`, `/logs/` with a trailing `*`); bindings to users, groups and service
 * accounts; ClusterRoles aggregated by aggregationRule; the reason an
 * allow gives ("RBAC: allowed by ClusterRoleBinding ...").
 *
 * An authz file (gr_authz) is what a platform engineer writes for
 * `guardrail check --authz FILE`: the user a check acts as, and the RBAC
 * objects that grant permissions (docs/check.md). The CEL `authorizer`
 * library (cel.h, gr_cel_authorizer) asks any gr_authorizer.
 */
#ifndef GUARDRAIL_AUTHZ_H
#define GUARDRAIL_AUTHZ_H

#include <stdbool.h>
#include <stddef.h>

#include "guardrail/arena.h"
#include "guardrail/error.h"
#include "guardrail/value.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The user a request comes from (k8s.io/apiserver user.Info). */
typedef struct gr_authz_user {
	const char *username;
	const char *uid;
	const char *const *groups;
	size_t ngroups;
	/* extra: key i has the values extra_values[i][0 .. extra_counts[i]) */
	const char *const *extra_keys;
	const char *const *const *extra_values;
	const size_t *extra_counts;
	size_t nextra;
} gr_authz_user;

typedef enum gr_authz_decision {
	GR_AUTHZ_NO_OPINION = 0, /* not allowed (RBAC never denies: it has no opinion) */
	GR_AUTHZ_ALLOW,
	GR_AUTHZ_DENY
} gr_authz_decision;

/* What is asked (authorizer.AttributesRecord). Strings are never NULL
 * ("" when unset). */
typedef struct gr_authz_attributes {
	const gr_authz_user *user;
	const char *verb;
	bool resource_request;
	const char *path; /* non-resource requests */
	const char *group, *version, *resource, *subresource, *namespace_, *name;
	const char *field_selector, *label_selector; /* as written ("" none) */
} gr_authz_attributes;

/* An authorizer: authorize() returns the decision and sets *reason (never
 * NULL; "" when none) and *error (NULL unless it failed), both static or
 * allocated in arena. */
typedef struct gr_authorizer {
	gr_authz_decision (*authorize)(const void *self, const gr_authz_attributes *attrs, gr_arena *arena,
	                               const char **reason, const char **error);
	const void *self;
} gr_authorizer;

/* An authorizer that allows everything (reason ""), as the API server's
 * AlwaysAllow mode; Kubernetes' CEL cost tests run against it. */
extern const gr_authorizer gr_authorizer_always_allow;

/*
 * RBAC: add objects (Role, ClusterRole, RoleBinding, ClusterRoleBinding of
 * rbac.authorization.k8s.io; anything else is ignored), then authorize.
 * The objects are referenced, not copied: they must outlive the gr_rbac.
 * Aggregated ClusterRoles are resolved on the first authorization (or by
 * gr_rbac_finish, which makes the gr_rbac safe to share between threads).
 */
typedef struct gr_rbac gr_rbac;
gr_rbac *gr_rbac_new(void);
/* 1 taken, 0 not an RBAC object, -1 out of memory (err). */
int gr_rbac_add(gr_rbac *r, const gr_value *object, gr_error *err);
int gr_rbac_finish(gr_rbac *r, gr_error *err);
size_t gr_rbac_count(const gr_rbac *r);
gr_authz_decision gr_rbac_authorize(const gr_rbac *r, const gr_authz_attributes *attrs, gr_arena *arena,
                                    const char **reason);
/* The gr_authorizer of r (which must outlive it). Users in the group
 * system:masters are allowed everything, as the API server's privileged
 * group authorizer in front of RBAC. */
gr_authorizer gr_rbac_authorizer(const gr_rbac *r);
void gr_rbac_free(gr_rbac *r);

/* The groups the API server's authenticators add: system:authenticated
 * (system:unauthenticated for system:anonymous), and system:serviceaccounts
 * and system:serviceaccounts:<ns> for a service account's username
 * system:serviceaccount:<ns>:<name>. Returns the complete list (arena). */
const char *const *gr_authz_effective_groups(gr_arena *a, const char *username, const char *const *groups,
                                             size_t ngroups, size_t *n);

/*
 * An authz file: a guardrail.dev/v1alpha1 AuthzConfiguration document
 * (user: username, uid, groups, extra, or serviceAccount: {namespace,
 * name}; rbac.fromInputs) followed by any number of RBAC objects (or
 * Lists of them). The user's groups get what the authenticators add.
 */
typedef struct gr_authz gr_authz;
int gr_authz_load(const char *path, gr_authz **out, gr_error *err);
/* data must outlive the result (it is decoded in place); file names errors. */
int gr_authz_parse(const char *file, const char *data, size_t len, gr_authz **out, gr_error *err);
const gr_authz_user *gr_authz_user_info(const gr_authz *a);
/* The RBAC objects of the file (finished). */
const gr_rbac *gr_authz_rbac(const gr_authz *a);
/* rbac.fromInputs: the RBAC objects among the checked inputs count too. */
bool gr_authz_rbac_from_inputs(const gr_authz *a);
/* Each RBAC object of the file, for a caller building its own gr_rbac. */
size_t gr_authz_objects(const gr_authz *a, const gr_value *const **objects);
void gr_authz_free(gr_authz *a);

#ifdef __cplusplus
}
#endif

#endif
