/*
 * kyverno.h — Kyverno ClusterPolicy/Policy validate rules, evaluated as
 * Kyverno evaluates them.
 *
 * A gr_kyverno_set holds policies compiled once (match blocks, autogen
 * rules for pod controllers, patterns, JMESPath programs of every `{{ }}`
 * variable); after loading it is immutable and may be shared by threads.
 * gr_kyverno_evaluate() judges one resource against every policy of the set
 * and calls a sink once per rule response, in Kyverno's terms: pass, fail,
 * warn, error, skip. Rules that do not match the resource give no response.
 * Rules of a type this engine does not evaluate (mutate, generate,
 * verifyImages, assert, manifests), and validate.cel rules that need what
 * is not there offline (authorizer, params without a lookup), give a
 * GR_KY_NOT_EVALUATED response with the reason, so they are counted, never
 * silently passed. validate.cel rules are evaluated with the CEL the `vap`
 * engine uses.
 *
 * Everything an evaluation allocates comes from the caller's arena.
 *
 * gr_kyverno_test_run() runs one kyverno-test.yaml (the `kyverno test`
 * format) and reports each expectation with what the engine produced.
 */
#ifndef GUARDRAIL_KYVERNO_H
#define GUARDRAIL_KYVERNO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guardrail/arena.h"
#include "guardrail/error.h"
#include "guardrail/value.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gr_kyverno_status {
	GR_KY_PASS = 0,
	GR_KY_FAIL,
	GR_KY_WARN,
	GR_KY_ERROR,
	GR_KY_SKIP,
	GR_KY_NOT_EVALUATED
} gr_kyverno_status;

/* "pass", "fail", "warn", "error", "skip", "not evaluated". */
const char *gr_kyverno_status_name(gr_kyverno_status s);

typedef struct gr_kyverno_options {
	int64_t now;   /* seconds since the epoch for time_now*(); 0: the real clock */
	uint64_t seed; /* for random(); 0: a fixed default */
} gr_kyverno_options;

typedef struct gr_kyverno_set gr_kyverno_set;

gr_kyverno_set *gr_kyverno_set_new(const gr_kyverno_options *opt);
void gr_kyverno_set_free(gr_kyverno_set *set);

/*
 * Load every ClusterPolicy/Policy (kyverno.io/v1, v2beta1) and
 * ValidatingPolicy (policies.kyverno.io) of a YAML/JSON buffer; other
 * documents are ignored. `name` is used in errors and kept.
 * -1 with err (file:line:col) for a malformed policy; policies before it
 * stay loaded. *loaded (may be NULL) gets the number of policies added.
 */
int gr_kyverno_set_load_buffer(gr_kyverno_set *set, const char *name, const char *data, size_t len,
                               size_t *loaded, gr_error *err);
int gr_kyverno_set_load_file(gr_kyverno_set *set, const char *path, size_t *loaded, gr_error *err);
/* Load one decoded document (copied into the set) when it is a Kyverno
 * policy; *loaded (may be NULL) is 1 then, 0 for other documents. */
int gr_kyverno_set_load_value(gr_kyverno_set *set, const char *name, const gr_value *root, size_t *loaded,
                              gr_error *err);

size_t gr_kyverno_set_policy_count(const gr_kyverno_set *set);
/* Rules in the set, autogen rules included; and how many of them are of a
 * type that is not evaluated (mutate, generate, verifyImages, assert,
 * manifests). */
size_t gr_kyverno_set_rule_count(const gr_kyverno_set *set);
size_t gr_kyverno_set_not_evaluated_count(const gr_kyverno_set *set);

/* Values of a `kyverno test` (cli.kyverno.io/v1alpha1 Values); opaque. */
typedef struct gr_kyverno_values gr_kyverno_values;

/* Who makes the request (a `UserInfo` file, or an AdmissionReview). */
typedef struct gr_kyverno_userinfo {
	const gr_value *user_info;     /* {username, groups} */
	const gr_value *roles;         /* array of "ns:name" strings, may be NULL */
	const gr_value *cluster_roles; /* array of strings, may be NULL */
} gr_kyverno_userinfo;

typedef struct gr_kyverno_request {
	const gr_value *object;              /* the resource */
	const gr_value *old_object;          /* UPDATE/DELETE; NULL: the same as object */
	const char *operation;               /* NULL: CREATE, or what the values say */
	const char *namespace_;              /* NULL: metadata.namespace (defaulted) */
	const gr_kyverno_userinfo *userinfo; /* NULL: none (offline) */
	const gr_kyverno_values *values;     /* NULL: none */
	/* Labels of a namespace (NULL when unknown: an empty label set). */
	const gr_value *(*namespace_labels)(void *user, const char *ns);
	/* Context entries that need a cluster (apiCall, imageRegistry,
	 * globalReference, a configMap nobody supplies): false: no-ops as in
	 * the Kyverno CLI (a later reference is unresolved); true: the rule's
	 * response is `error`, saying the entry needs a cluster. */
	bool cluster_entries_error;
	/* A ConfigMap for a `configMap` context entry (NULL when absent). */
	const gr_value *(*config_map)(void *user, const char *ns, const char *name);
	void *user;
	/* A resource by apiVersion, kind, namespace ("" cluster-scoped) and
	 * name, for validate.cel params (paramRef): 1 found (*out), 0 absent
	 * (the rule's response is error, as Kyverno's), -1 cannot tell (the
	 * rule is not evaluated). NULL: as -1. */
	int (*resource)(void *user, const char *api_version, const char *kind, const char *ns,
	                const char *name, const gr_value **out);
	/* Is a param kind cluster-scoped (its paramRef takes no namespace)?
	 * NULL: the built-in cluster-scoped kinds only. */
	bool (*cluster_scoped)(void *user, const char *api_version, const char *kind);
	/* An admission request (the webhook): policies that are not applied
	 * at admission (ClusterPolicy spec.admission: false, ValidatingPolicy
	 * spec.evaluation.admission.enabled: false) are left out, as Kyverno's
	 * webhook leaves them to its background scans. false: every policy
	 * applies (check and test, as the Kyverno CLI applies them). */
	bool admission;
	/* A namespaceSelector over a namespace whose labels namespace_labels
	 * does not know (NULL) might match: the rule is not evaluated (counted,
	 * with the reason) rather than taken as not matching. false: unknown
	 * labels are empty, as the Kyverno CLI reads them (guardrail test). */
	bool count_unknown;
	/* A background scan (guardrail audit): policies that are not applied
	 * in background scans (spec.background: false, ValidatingPolicy
	 * spec.evaluation.background.enabled: false) are left out. */
	bool background;
} gr_kyverno_request;

typedef struct gr_kyverno_response {
	const char *policy;    /* name; "ns/name" for a namespaced Policy */
	const char *rule;      /* rule name (autogen-..., autogen-cronjob-... for autogen rules);
	                        * "" for a ValidatingPolicy, which has one response */
	const char *base_rule; /* the rule as written in the policy */
	gr_kyverno_status status;
	bool enforce;            /* effective failure action is Enforce */
	const char *message;     /* in the evaluation arena */
	const char *path;        /* a failing pattern's path (/spec/containers/0/), or "" */
	const char *policy_file; /* where the policy was loaded from */
	uint32_t line, column;   /* of the rule in that file */
} gr_kyverno_response;

typedef void (*gr_kyverno_sink)(void *user, const gr_kyverno_response *r);

/* Judge one resource against every policy. Returns the number of
 * responses; -1 only on memory exhaustion (err set). */
int gr_kyverno_evaluate(const gr_kyverno_set *set, const gr_kyverno_request *req, gr_arena *arena,
                        gr_kyverno_sink sink, void *user, gr_error *err);

/* ---- kyverno test ---- */

typedef struct gr_kyverno_expectation {
	const char *test_file;
	const char *policy, *rule, *resource, *kind;
	const char *expected; /* "pass", "fail", ... */
	const char *actual;   /* what the engine gave; "skip" when no response */
	bool no_response;     /* no rule response at all (counted as skip) */
	bool not_evaluated;   /* the rule is mutate/generate/CEL/...: not judged */
	const char *reason;   /* not evaluated: why; mismatch: the engine's message */
	bool ok;              /* expected == actual (false for not evaluated) */
	bool cel;             /* the rule is a validate.cel rule */
	bool vpol;            /* the policy is a ValidatingPolicy (policies.kyverno.io) */
} gr_kyverno_expectation;

typedef void (*gr_kyverno_test_sink)(void *user, const gr_kyverno_expectation *e);

/*
 * Run one kyverno-test.yaml: load its policies, resources, values and user
 * info (paths relative to the test file), evaluate, and report each
 * (result entry x resource) expectation. -1 with err when the test, a
 * policy or a resource is malformed or unreadable.
 */
int gr_kyverno_test_run(const char *test_path, const gr_kyverno_options *opt, gr_kyverno_test_sink sink,
                        void *user, gr_error *err);

#ifdef __cplusplus
}
#endif

#endif
