/*
 * rules_int.h — what the rule files share: the rule row, the per-object
 * context, the index of the input set and the small helpers (containers,
 * selectors, quantities) every pack uses.
 *
 * A rule is one row: id, pack, default severity/action, summary,
 * remediation, upstream ids, and a function judging one object. The
 * function calls rl_judged() when the object is one the rule applies to
 * (Polaris' harness needs "produced a result") and rl_emit() per violation.
 */
#ifndef GUARDRAIL_RULES_INT_H
#define GUARDRAIL_RULES_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "guardrail/arena.h"
#include "guardrail/rules.h"

typedef struct rl_ctx rl_ctx;
typedef void (*rl_fn)(rl_ctx *c);

typedef struct rl_rule {
	gr_rule_info info;
	rl_fn fn;
	int param;        /* variant selector for functions shared by several rows */
	const void *data; /* a custom check's parameters (rl_custom), or NULL */
} rl_rule;

/* A custom check from an upstream configuration (kube-linter customChecks):
 * a built-in template with its parameters. */
typedef struct rl_custom {
	const char *id; /* "kube-linter.<name>" */
	const char *name, *template_, *remediation;
	const char *key, *value, *annotation; /* template parameters (NULL when absent) */
	const char *const *kinds;             /* scope.objectKinds; NULL: the template's default */
	size_t nkinds;
	/* Polaris custom checks (template_ == "polaris-schema") */
	const char *target;     /* "Pod", "Container" or a kind */
	const gr_value *schema; /* the JSON Schema (a subset: see polaris_custom.c) */
	const char *failure;    /* failureMessage */
	bool exclude_init;      /* containers.exclude: [initContainer] */
	int level;              /* from checks: -1 not listed (off), else a gr_severity */
	/* kube-linter cel-expression: params.check compiled (a gr_cel_program
	 * owned by the configuration file) */
	const void *cel;
	/* kube-linter kubeconform: strict, ignoreMissingSchemas, skipKinds,
	 * rejectKinds */
	bool strict, ignore_missing;
	const char *const *skip_kinds, *const *reject_kinds;
	size_t nskip_kinds, nreject_kinds;
} rl_custom;

/* kube-linter's kubeconform template (custom checks) and its built-in
 * schema-validation check (data NULL: strict, ignoreMissingSchemas). */
void rl_kubeconform(rl_ctx *c);

/* The templates custom checks may use; NULL when the template is unknown. */
rl_fn rl_custom_template(const char *name);
/* The custom checks of a configuration file (config.c). */
size_t gri_rules_file_customs(const gr_rules_file *f, const rl_custom **out);

#define RL_PACK_END                                                                                          \
	{                                                                                                    \
		{NULL, NULL, 0, 0, false, NULL, NULL, NULL, NULL}, NULL, 0, NULL                             \
	}

/* The packs (one table per file group), NULL-id terminated. */
extern const rl_rule rl_pack_bp_container[];
extern const rl_rule rl_pack_bp_workload[];
extern const rl_rule rl_pack_ref[];
extern const rl_rule rl_pack_api[];
extern const rl_rule rl_pack_image[];
extern const rl_rule rl_pack_polaris[];
extern const rl_rule rl_pack_kube_score[];
extern const rl_rule rl_pack_kube_linter[];

/* ---- the index of the input set ---- */

typedef struct rl_entry {
	uint64_t hash;
	uint32_t obj;
	uint32_t next;
} rl_entry;

typedef struct rl_map {
	uint32_t *heads; /* bucket -> entry index + 1 (0: empty) */
	size_t nbuckets;
	rl_entry *entries;
	size_t len, cap;
} rl_map;

typedef struct rl_set {
	const gr_object *objs;
	size_t n;
	rl_map by_name;     /* kind, namespace, name */
	rl_map by_kind_ns;  /* kind, namespace */
	rl_map by_kind;     /* kind */
	rl_map pod_labels;  /* namespace, label key, value -> pod-template objects */
	rl_map pods_ns;     /* namespace -> pod-template objects */
	rl_map svc_sel;     /* kind, namespace, first selector pair -> Services, PDBs, NetworkPolicies */
	rl_map hpa_target;  /* namespace, target kind, target name -> HorizontalPodAutoscalers */
	rl_map ns_declared; /* Namespace objects by name */
	rl_map identity;    /* file, document, item -> object */
	rl_map crd_gk;      /* CustomResourceDefinitions by spec.group, spec.names.kind */
	/* kube-linter cel-expression's `objects` (gr_cel_value[cel_n], in
	 * cel_arena): built once, on first use, under cel_mu */
	pthread_mutex_t cel_mu;
	gr_arena cel_arena;
	void *cel_objects;
	size_t cel_n;
	int cel_state; /* 0 not built, 1 built, -1 out of memory */
} rl_set;

int rl_set_build(rl_set *s, const gr_object *objs, size_t n);
void rl_set_free(rl_set *s);

uint64_t rl_hash(const char *a, const char *b, const char *c);
/* The set's own copy of an input object (same file, document, item), or NULL. */
const gr_object *rl_set_identity(const rl_set *s, const gr_object *o);
/* Iterate entries with the given hash: for (uint32_t e = rl_map_first(m,h); e; e = rl_map_next(m,e,h)) obj =
 * m->entries[e-1].obj */
uint32_t rl_map_first(const rl_map *m, uint64_t h);
uint32_t rl_map_next(const rl_map *m, uint32_t e, uint64_t h);
static inline uint32_t rl_map_obj(const rl_map *m, uint32_t e)
{
	return m->entries[e - 1].obj;
}

/* Objects of kind (group-insensitive) in namespace, with this name (first; NULL when none). */
const gr_object *rl_find(const rl_set *s, const char *kind, const char *ns, const char *name);
/* True when the set declares the namespace (a Namespace object) or the run
 * says the inputs are complete (--assume-complete). */
typedef struct rl_ctx rl_ctx;
bool rl_ns_complete(const rl_ctx *c, const char *ns);
/* The same input object (file, document, List item). */
bool rl_same_object(const gr_object *a, const gr_object *b);

/* ---- per-object context ---- */

struct rl_ctx {
	const gr_rules *rules;
	const gr_rules_options *opt;
	const rl_set *set;
	const gr_object *obj;        /* the object judged (templates located, see run.c) */
	const gr_object *report_obj; /* the caller's object findings name; NULL: obj */
	const rl_rule *rule;
	gr_findings *out;
	size_t judged;
	bool skipped; /* the rule chose not to judge this object (kube-score's skipped) */
	const char *skip_reason;
	bool oom; /* memory ran out (a finding, a regex): the check fails, never fewer findings */
	/* the rule looked at other objects of the set (rl_use_set): where the
	 * set is not the objects around this one (the webhook judges one
	 * object at a time), its verdict cannot be had */
	bool used_set;
	char path[1024];
};

/* The set, for a rule that looks at other objects than its own. */
static inline const rl_set *rl_use_set(const rl_ctx *c)
{
	((rl_ctx *)c)->used_set = true;
	return c->set;
}

/* Go's regexp.MatchString(pattern, s) (kube-linter and its custom checks
 * are Go), with lib/regex: true when a substring of s matches. An invalid
 * pattern matches nothing; memory run out sets c->oom (and gives false). */
bool rl_re_match(rl_ctx *c, const char *pattern, size_t len, const char *s);

void rl_judged(rl_ctx *c);
static inline void rl_skip(rl_ctx *c, const char *why)
{
	c->skipped = true;
	c->skip_reason = why;
}
/* A finding of the current rule at path (NULL: the object), located at node at. */
gr_finding *rl_emit(rl_ctx *c, const char *path, const gr_value *at, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
/* Same with an explicit severity (kube-score grades: WARNING vs CRITICAL). */
gr_finding *rl_emit_sev(rl_ctx *c, gr_severity sev, const char *path, const gr_value *at, const char *fmt,
                        ...) __attribute__((format(printf, 5, 6)));

/* ---- containers ---- */

enum { RL_REG = 1, RL_INIT = 2, RL_EPH = 4, RL_ALL = 7 };

typedef struct rl_ctr {
	const gr_value *node;
	const gr_value *sc; /* securityContext or NULL */
	const char *name;
	const char *list; /* "containers", ... */
	size_t index;
	int which; /* RL_REG, RL_INIT, RL_EPH */
	/* iteration state */
	int li;
	size_t ii;
} rl_ctr;

void rl_ctr_begin(rl_ctr *it);
bool rl_ctr_next(const gr_object *o, int mask, rl_ctr *it);
/* c->path = pod_spec_path.list[i] + suffix; returns c->path. */
const char *rl_cpath(rl_ctx *c, const rl_ctr *k, const char *suffix);
/* c->path = pod_spec_path + suffix. */
const char *rl_spath(rl_ctx *c, const char *suffix);

/* ---- values ---- */

static inline const char *rl_str(const gr_value *v)
{
	return v && v->type == GR_STRING ? v->u.s.ptr : NULL;
}
static inline bool rl_true(const gr_value *v)
{
	return v && v->type == GR_BOOL && v->u.b;
}
static inline bool rl_false(const gr_value *v)
{
	return v && v->type == GR_BOOL && !v->u.b;
}
static inline bool rl_set_(const gr_value *v)
{
	return v && v->type != GR_NULL;
}
static inline bool rl_is(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}
bool rl_streq_ci(const char *a, const char *b);
/* Integer value of v (int or integral double); false when not a number. */
bool rl_int(const gr_value *v, int64_t *out);
/* A resource quantity that is set and not zero. */
bool rl_quantity_nonzero(const gr_value *v);
/* Quantity in base units (cpu in cores, memory in bytes); false when unparsable. */
bool rl_quantity(const gr_value *v, double *out);
/* String array contains s (case-insensitive when ci). */
bool rl_has_str(const gr_value *arr, const char *s, bool ci);
bool rl_kind(const gr_object *o, const char *kind);
/* Labels of the object's pod template (or the Pod's own labels). */
const gr_value *rl_pod_labels(const gr_object *o);
const gr_value *rl_labels(const gr_object *o);
const gr_value *rl_annotations(const gr_object *o);
const char *rl_annotation(const gr_object *o, const char *key);

/* ---- selectors ---- */

/* map selector {k: v} matches labels (an empty/absent selector matches when empty_all). */
bool rl_map_selects(const gr_value *sel, const gr_value *labels, bool empty_all);
/* LabelSelector (matchLabels + matchExpressions); empty selects all when empty_all. */
bool rl_selector_selects(const gr_value *sel, const gr_value *labels, bool empty_all);
bool rl_selector_empty(const gr_value *sel);

/* Pod-template objects in ns selected by a LabelSelector (or map when is_map);
 * calls fn for each; stops when fn returns false. Uses the label index. */
typedef bool (*rl_obj_fn)(void *user, const gr_object *o);
void rl_each_selected(const rl_set *s, const char *ns, const gr_value *sel, bool is_map, bool empty_all,
                      rl_obj_fn fn, void *user);
/* Services in ns whose selector selects the labels. */
void rl_each_service_selecting(const rl_set *s, const char *ns, const gr_value *labels, bool empty_all,
                               rl_obj_fn fn, void *user);
/* PodDisruptionBudgets or NetworkPolicies (kind) in ns whose selector
 * (spec.selector / spec.podSelector) selects the labels; an empty selector
 * selects everything when empty_all. Candidates come from the selector
 * index (first matchLabels pair), so the cost is per match, not per object. */
void rl_each_selecting(const rl_set *s, const char *kind, const char *ns, const gr_value *labels,
                       bool empty_all, rl_obj_fn fn, void *user);
/* The first HPA in o's namespace whose scaleTargetRef names o's kind and name. */
const gr_object *rl_hpa_for(const rl_set *s, const gr_object *o);

#endif
