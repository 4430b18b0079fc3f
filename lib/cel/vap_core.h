/*
 * vap_core.h — what a ValidatingAdmissionPolicy does with its CEL, shared
 * by the engines that reuse it: the `vap` engine (lib/cel/vap.c) and
 * Kyverno's validate.cel rules (lib/kyverno/cel.c).
 *
 * A gri_vap_program holds matchConditions, variables, validations
 * (expression, message, messageExpression, reason) and auditAnnotations,
 * compiled once in the API server's admission environment. gri_vap_run
 * binds nothing itself: the caller fills the variables (object, oldObject,
 * request, params, namespaceObject, authorizer, ...) and hears each outcome
 * through a sink, in the order the API server decides them; what an
 * outcome means (a finding, a rule status) is the caller's.
 */
#ifndef GUARDRAIL_VAP_CORE_H
#define GUARDRAIL_VAP_CORE_H

#include <stdbool.h>
#include <stddef.h>

#include "guardrail/authz.h"
#include "guardrail/cel.h"
#include "guardrail/value.h"

/* The variables, in declaration order. */
enum {
	GRI_VAP_OBJECT,
	GRI_VAP_OLD,
	GRI_VAP_REQUEST,
	GRI_VAP_PARAMS,
	GRI_VAP_NSOBJ,
	GRI_VAP_VARIABLES,
	GRI_VAP_AUTHORIZER,
	GRI_VAP_REQRES,
	GRI_VAP_NVARS
};

typedef struct gri_vap_expr {
	const char *text;
	gr_cel_program *prog;
	char error[300]; /* compile error, or "" */
} gri_vap_expr;

typedef struct gri_vap_validation {
	gri_vap_expr expr, msg_expr;
	const char *message, *reason;
} gri_vap_validation;

/* auditAnnotations[]: published as "<policy>/<key>" when the valueExpression
 * gives a non-empty string */
typedef struct gri_vap_audit {
	const char *key;
	gri_vap_expr expr;
	char key_error[160]; /* the API server would refuse the key, or "" */
} gri_vap_audit;

typedef struct gri_vap_program {
	gri_vap_expr *conditions;
	size_t nconditions;
	gri_vap_expr *variables;
	const char **var_names;
	size_t nvariables;
	gri_vap_validation *validations;
	size_t nvalidations;
	gri_vap_audit *audits;
	size_t naudits;
	bool uses_authorizer; /* some expression names authorizer or authorizer.requestResource */
	bool uses_params;     /* some expression names params */
	bool oom;             /* an allocation failed while compiling: the program is incomplete */
} gri_vap_program;

/*
 * Compile the arrays (each may be NULL): matchConditions [{expression}],
 * variables [{name, expression}], validations [{expression, message,
 * messageExpression, reason}], auditAnnotations [{key, valueExpression}].
 * A validation without a message gets default_message (may be NULL). The
 * nodes must outlive the program. An expression that does not compile is
 * kept with its error, reported when it would run. `minor`: the API
 * server's Kubernetes 1.<minor> environment (0: the newest).
 */
void gri_vap_compile(gri_vap_program *p, const gr_value *conditions, const gr_value *variables,
                     const gr_value *validations, const gr_value *audits, const char *default_message,
                     int minor);
void gri_vap_program_free(gri_vap_program *p);

/* What the evaluation decides, in order. */
typedef struct gri_vap_sink {
	/* an expression failed (did not compile, failed at run time, or gave
	 * the wrong type): what is "matchCondition", "variable", "expression"
	 * or "auditAnnotation"; message says which and why */
	void (*error)(void *user, const char *what, const char *message);
	/* a validation evaluated to false: its message (messageExpression,
	 * message, or "failed expression: ...") and reason (NULL: Invalid) */
	void (*deny)(void *user, const char *message, const char *reason);
	/* an audit annotation to publish (value not NUL-terminated) */
	void (*audit)(void *user, const char *key, const char *value, size_t len);
	void *user;
} gri_vap_sink;

/*
 * Evaluate with vars[GRI_VAP_NVARS] bound (GRI_VAP_VARIABLES is set here).
 * 0: a matchCondition is false (the policy does not apply; nothing heard);
 * 1: evaluated (the sink heard every failure, error and annotation);
 * -1: a matchCondition or a variable failed, or the program is incomplete
 * (oom), heard as an error, and nothing after it ran.
 */
int gri_vap_run(const gri_vap_program *p, gr_cel_value *vars, gr_arena *arena, const gri_vap_sink *sink);

/* The resource (plural) of a kind, as the API server's RESTMapper guesses it. */
void gri_vap_plural(const char *kind, char *out, size_t cap);

/* Does any of resourceRules (an array of NamedRuleWithOperations) match an
 * object of group/version/kind under operation op — exactly, or with
 * `equivalent` (matchPolicy Equivalent) in another version of its group or
 * where the kind moved from extensions? A namespaced object does not match
 * scope Cluster, nor a cluster-scoped one scope Namespaced; a rule with
 * resourceNames matches only those names (name NULL: not checked). */
bool gri_vap_rules_match(const gr_value *rules, const char *group, const char *version, const char *kind,
                         const char *name, bool namespaced, const char *op, bool equivalent);

/* `request`: an AdmissionRequest for operation op of the object
 * (group/version/kind, name, namespace), made by user (NULL: an empty
 * username), in the arena. */
/* The user a userInfo object names (username "" when absent, uid NULL);
 * NULL when memory ran out. */
gr_authz_user *gri_vap_user(gr_arena *a, const gr_value *user_info);

gr_cel_value gri_vap_request(gr_arena *a, const char *group, const char *version, const char *kind,
                             const char *name, const char *namespace_, const char *op,
                             const gr_authz_user *user);

#endif
