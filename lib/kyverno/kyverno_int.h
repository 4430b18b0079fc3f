/*
 * kyverno_int.h — the compiled form of Kyverno policies and the evaluation
 * state, shared by the files of lib/kyverno/.
 *
 * A policy's YAML tree lives in the set's arena; the compiled structures
 * (match filters, pattern trees, JMESPath programs) point into it. An
 * evaluation (ky_eval) holds the JSON context of Kyverno as one gr_value
 * object that is replaced copy-on-write, so a checkpoint is a saved root.
 */
#ifndef GUARDRAIL_KYVERNO_INT_H
#define GUARDRAIL_KYVERNO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guardrail/cel.h"
#include "guardrail/jmespath.h"
#include "guardrail/kyverno.h"

/* ---- kinds, filters, match blocks ---- */

typedef struct ky_kind {
	const char *group, *version, *kind, *sub; /* wildcards allowed; NULL group/version = "*" */
	bool kind_wild;                           /* kind holds * or ? */
} ky_kind;

typedef struct ky_strs {
	const char **v;
	size_t n;
} ky_strs;

typedef struct ky_filter {
	ky_kind *kinds;
	size_t nkinds;
	ky_strs names, namespaces, operations;
	const gr_value *annotations; /* object or NULL */
	const gr_value *selector;    /* LabelSelector or NULL */
	const gr_value *ns_selector; /* LabelSelector or NULL */
	const gr_value *subjects;    /* array or NULL */
	ky_strs roles, cluster_roles;
	bool has_resources, has_userinfo;
	bool kinds_has_pod;
} ky_filter;

typedef struct ky_match {
	ky_filter *any, *all;
	size_t nany, nall;
	ky_filter legacy;
	bool has_legacy;
	bool present;
} ky_match;

/* ---- patterns ---- */

enum ky_anchor { KY_A_NONE = 0, KY_A_COND, KY_A_GLOBAL, KY_A_EQUAL, KY_A_NEG, KY_A_EXIST, KY_A_ADD };

enum ky_op { KY_OP_EQ = 0, KY_OP_NE, KY_OP_GT, KY_OP_LT, KY_OP_GE, KY_OP_LE, KY_OP_RANGE, KY_OP_NRANGE };

typedef struct ky_atom {
	uint8_t op;
	const char *s; /* operand text (after the operator); for ranges the left end */
	size_t len;
	const char *s2; /* right end of a range */
	size_t len2;
	/* the operands parsed once: as a Go duration, as a quantity */
	bool dur1, qty1, dur2, qty2;
	long double d1, q1, d2, q2;
} ky_atom;

typedef struct ky_conj {
	ky_atom *atoms;
	size_t n;
} ky_conj;

typedef struct ky_pat ky_pat;

typedef struct ky_pmember {
	const char *key; /* the key without its anchor */
	size_t key_len;
	const char *raw; /* as written, e.g. "=(hostPath)" */
	uint8_t anchor;
	bool wildcard;   /* key contains * or ? */
	bool has_anchor; /* the value's subtree holds an anchor */
	ky_pat *value;
} ky_pmember;

struct ky_pat {
	uint8_t type;        /* GR_OBJECT, GR_ARRAY or a scalar gr_type */
	const gr_value *src; /* the pattern node */
	/* scalar string */
	ky_conj *alts;
	size_t nalts;
	bool star; /* the string is exactly "*" */
	/* object: members in evaluation order (phase 1 anchors, then phase 2) */
	ky_pmember *m;
	size_t nm;
	size_t nphase1;
	/* array */
	ky_pat **items;
	size_t nitems;
};

/* ---- rules and policies ---- */

enum ky_rule_type {
	KY_RULE_VALIDATE = 0,
	KY_RULE_NOT_EVALUATED /* mutate, generate, verifyImages, CEL, ... */
};

typedef struct ky_cel ky_cel; /* a compiled validate.cel block (cel.c) */
/* Its paramKind when it has params (paramKind and paramRef), else NULL. */
const gr_value *ky_cel_param_kind(const ky_cel *c);
typedef struct ky_vpol ky_vpol; /* a compiled ValidatingPolicy (vpol.c) */

typedef struct ky_rule {
	const gr_value *src; /* the rule node as written (or as autogen built it) */
	const char *name;
	const char *base_name;
	uint8_t type;
	const char *reason; /* not evaluated: why */
	ky_match match, exclude;
	const gr_value *context;       /* array or NULL */
	const gr_value *preconditions; /* list or {any, all} or NULL */
	const gr_value *validate;
	const gr_value *message;
	const gr_value *pattern;
	const gr_value *any_pattern; /* array */
	const gr_value *deny;
	const gr_value *foreach; /* array */
	const gr_value *pss;     /* podSecurity */
	ky_cel *cel;             /* validate.cel, compiled at load */
	ky_pat *cpattern;        /* compiled when pattern has no variables */
	ky_pat **cany;
	bool pattern_vars; /* pattern or anyPattern holds {{ }} */
	/* prefilter: the kinds the match block can accept (hashes), unless any */
	uint64_t *kind_hashes;
	size_t nkind_hashes;
	bool any_kind;
	bool needs_ctx; /* reads the JSON context (variables, context, conditions, foreach) */
	int action;     /* -1 inherit, 0 audit, 1 enforce */
	bool allow_existing;
	uint32_t line, column;
} ky_rule;

typedef struct ky_policy {
	const char *name;
	const char *namespace_; /* Policy only */
	const char *display;    /* name or ns/name */
	const char *file;
	bool enforce;
	bool scored_false;
	const gr_value *overrides; /* validationFailureActionOverrides */
	bool apply_one;
	bool no_admission;  /* spec.admission: false: background scans only */
	bool no_background; /* spec.background: false: admission only */
	ky_rule *rules;
	size_t nrules;
} ky_policy;

typedef struct ky_cache_entry {
	const char *text;
	size_t len;
	uint64_t hash;
	gr_jp_program *prog;
	const char **chain; /* plain field chain (NotFound detection), NULL if not one */
	size_t nchain;
} ky_cache_entry;

struct gr_kyverno_set {
	gr_arena arena;
	gr_kyverno_options opt;
	gr_jp_functions *functions;
	ky_policy *policies;
	size_t npolicies, cap;
	size_t nrules, nnot_evaluated;
	bool uses_images; /* some expression reads `images` (built per request only then) */
	ky_cache_entry *cache;
	size_t cache_cap, cache_len;
	/* compiled foreach patterns, keyed by their node (open addressing) */
	const gr_value **pat_keys;
	ky_pat **pat_vals;
	size_t pat_cap, pat_len;
	/* ValidatingPolicies (policies.kyverno.io), owned */
	ky_vpol **vpols;
	size_t nvpols, capvpols;
	/* compiled validate.cel blocks (owned) */
	ky_cel **cels;
	size_t ncels, capcels;
	/* documents of policy files that are not Kyverno policies: name, kind */
	const char **other_names, **other_kinds;
	size_t nother, capother;
};

/* ---- evaluation ---- */

typedef struct ky_eval {
	const gr_kyverno_set *set;
	const gr_kyverno_request *req;
	gr_arena *arena;
	gr_value ctx; /* the JSON context (an object) */
	const char *operation;
	const char *ns;         /* the resource's namespace (defaulted) */
	const gr_value *object; /* request.object */
	/* the resource's identity, read once per request for matching */
	const char *r_group, *r_version, *r_kind, *r_name;
	char group_buf[256];
	uint64_t r_kind_hash;
	char err[512];       /* last error message */
	gr_jp_program **dyn; /* programs compiled during evaluation */
	size_t ndyn, capdyn;
	int nesting;                       /* foreach depth */
	const char *cur_policy, *cur_rule; /* for values lookups */
	bool oom;
	/* At admission (req->admission): a match or exclude filter needed what
	 * the webhook cannot know — a namespace's labels (no Namespace object
	 * among the policy files), the requester's Roles and ClusterRoles —
	 * and its answer could change whether the rule applies: the rule is
	 * not evaluated (ky_rule_matches sets rule_unknown, and says why). */
	bool unknown;
	bool rule_unknown;
	const char *unknown_why;
} ky_eval;

/* Result of a rule evaluation. */
typedef struct ky_result {
	gr_kyverno_status status;
	bool none; /* no response */
	const char *message;
	const char *path; /* failing pattern path, or NULL */
} ky_result;

/* load.c / autogen.c */
/* Autogen rule nodes for a policy's rule nodes: *out (arena) and *nout. */
int ky_autogen(gr_arena *a, const gr_value *spec, const gr_value *annotations, gr_value **out, size_t *nout,
               const char ***bases);
int ky_parse_match(gr_arena *a, const gr_value *v, ky_match *m, const char *file, gr_error *err);
int ky_parse_kind(gr_arena *a, const char *s, ky_kind *k);
/* The kind part of a kind selector (as ky_parse_kind takes it), without
 * copying: a span of s, or "*". */
void ky_kind_name(const char *s, const char **kind, size_t *len);

/* Kinds that have no namespace (offline defaulting gives the others "default"). */
bool ky_is_cluster_scoped(const char *kind);

/* match.c */
bool ky_wildcard(const char *pat, size_t plen, const char *s, size_t slen);
static inline bool ky_wildcard_z(const char *pat, const char *s)
{
	return ky_wildcard(pat, __builtin_strlen(pat), s, __builtin_strlen(s));
}
void ky_match_prepare(ky_eval *ev); /* after ev->object is set */
uint64_t ky_kind_hash(const char *kind);
void ky_rule_kind_filter(gr_arena *a, ky_rule *r);
bool ky_rule_matches(ky_eval *ev, const ky_policy *p, const ky_rule *r);
/* Can some rule of the set match an object of this kind (the rules' kind
 * prefilter: false means no rule applies, whatever else the object holds)? */
bool ky_set_may_match_kind(const gr_kyverno_set *set, const char *kind);
bool ky_selector_matches(const gr_value *selector, const gr_value *labels);

/* pattern.c */
/* The compiled form of a pattern node compiled at load (foreach), or NULL. */
const ky_pat *ky_pat_cached(const gr_kyverno_set *set, const gr_value *node);
int ky_pat_cache_add(gr_kyverno_set *set, const gr_value *node);
ky_pat *ky_pat_compile(gr_arena *a, const gr_value *v);
/* 0 pass; otherwise the status (fail/skip/error) with *path (arena) */
gr_kyverno_status ky_pat_match(ky_eval *ev, const ky_pat *p, const gr_value *resource, const char **path,
                               const char **msg);
bool ky_pat_scalar(const ky_pat *p, const gr_value *value);
bool ky_has_vars(const gr_value *v);

/* operators.c */
/* 1 true, 0 false, -1 error (ev->err) */
int ky_conditions(ky_eval *ev, const gr_value *conds, const char **failed_messages);
bool ky_operator(const char *op, const gr_value *key, const gr_value *value, bool *known);

/* quantity.c */
bool ky_parse_quantity(const char *s, size_t len, long double *out);
bool ky_parse_duration(const char *s, size_t len, long double *seconds);
/* ---- Go time (gotime.c) ---- */

/* An instant (seconds since the epoch, nanoseconds) with the zone offset
 * it is shown in (seconds east of UTC). */
typedef struct ky_time {
	int64_t sec;
	int32_t nsec;
	int32_t off;
} ky_time;

typedef struct ky_civil {
	int64_t year;
	int month, day, hour, min, sec, wday;
} ky_civil;

/* Go time.Parse(layout, value); -1 with Go's message in err. */
int ky_time_parse(const char *layout, size_t llen, const char *value, size_t vlen, ky_time *out, char *err,
                  size_t errcap);
/* Format(time.RFC3339): no fraction, Z or +hh:mm. */
size_t ky_time_rfc3339(const ky_time *t, char *buf, size_t cap);
void ky_time_civil(const ky_time *t, ky_civil *c);
int64_t ky_days_from_civil(int64_t y, unsigned m, unsigned d);
/* Go Duration.String and time.ParseDuration, in nanoseconds. */
size_t ky_duration_string(int64_t ns, char *buf, size_t cap);
bool ky_duration_ns(const char *s, size_t len, int64_t *ns);
int64_t ky_time_sub(const ky_time *a, const ky_time *b);
int ky_time_cmp(const ky_time *a, const ky_time *b);
ky_time ky_time_add(ky_time t, int64_t ns);
ky_time ky_time_truncate(ky_time t, int64_t d);

/* x509_decode (x509.c): a PEM CERTIFICATE or CERTIFICATE REQUEST as the JSON
 * of Go's x509 structs, in the arena; -1 with Kyverno's/Go's message. */
int ky_x509_decode(gr_arena *a, const char *pem, size_t len, gr_value *out, char *err, size_t errcap);

/* Go formatters */
void ky_fmt_sprint(char *buf, size_t cap, double d); /* fmt.Sprint(float64) */
void ky_fmt_E(char *buf, size_t cap, double d);      /* strconv 'E', -1 */
void ky_fmt_f(char *buf, size_t cap, double d);      /* %f */

/* vars.c */
enum { KY_SUBST_STRICT = 0, KY_SUBST_COND = 1 };
/* 0 ok; -1 error (ev->err); NotFound in strict mode is an error */
int ky_subst(ky_eval *ev, const gr_value *in, gr_value *out, int mode);
/* 0 ok, 1 not found, -1 error */
int ky_query(ky_eval *ev, const char *expr, size_t len, gr_value *out);
int ky_query_on(ky_eval *ev, const char *expr, size_t len, const gr_value *input, gr_value *out);
int ky_cache_add(gr_kyverno_set *set, const char *expr, size_t len, gr_error *err);
void ky_cache_collect(gr_kyverno_set *set, const gr_value *v, bool is_list_expr);
void ky_eval_free_dynamic(ky_eval *ev);
int ky_ctx_set(ky_eval *ev, const char *dotted, size_t len, const gr_value *v);
void ky_fail(ky_eval *ev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *ky_value_string(ky_eval *ev, const gr_value *v); /* string form for messages */

/* context.c */
int ky_load_context(ky_eval *ev, const gr_value *entries, const char *policy, const char *rule);
struct gr_kyverno_values {
	const gr_value *root;
};
/* level 0: global, 1: the rule's, 2: the resource's values (object or NULL) */
const gr_value *ky_values_for(const gr_kyverno_values *vals, const char *policy, const char *rule,
                              const char *resource, int level);
int ky_inject_values(ky_eval *ev, const gr_value *vals);
/* The rule's foreachValues ({name: [value per iteration]}) or NULL. */
const gr_value *ky_foreach_values(const gr_kyverno_values *vals, const char *policy, const char *rule);

/* validate.c */
ky_result ky_eval_rule(ky_eval *ev, const ky_policy *p, const ky_rule *r);

/* pss.c */
ky_result ky_eval_pss(ky_eval *ev, const ky_rule *r, const gr_value *resource);

/* cel.c: validate.cel compiled once (NULL on ENOMEM; freed with the set),
 * and evaluated after match, context and preconditions */
ky_cel *ky_cel_compile(gr_kyverno_set *set, const gr_value *cel, const gr_value *preconditions,
                       const char *message);
void ky_cel_free(ky_cel *c);
ky_result ky_eval_cel(ky_eval *ev, const ky_rule *r);
/* namespaceObject offline: {"metadata": {"name": ns}}, in the arena */
gr_cel_value ky_namespace_object(gr_arena *a, const char *ns);

/* vpol.c: a ValidatingPolicy document compiled into the set (-1 with err
 * for a malformed one); every one judged against the request's object */
int ky_vpol_add(gr_kyverno_set *set, const gr_value *root, const char *file, gr_error *err);
void ky_vpol_free(ky_vpol *vp);
const char *ky_vpol_name(const ky_vpol *vp);
void ky_eval_vpols(ky_eval *ev, gr_kyverno_sink sink, void *user, int *count);
bool ky_is_vpol(const gr_value *root);

/* functions.c */
int ky_register_functions(gr_kyverno_set *set);

#endif
