/*
 * rules.h — the rule packs: best practices (bp.*), cross-object checks
 * (ref.*), deprecated APIs (api.*), image provenance (image.*), and the
 * compatibility profiles that reproduce Polaris, kube-score and kube-linter
 * (polaris.*, kube-score.*, kube-linter.*).
 *
 * Rules judge a whole input set at once (cross-object rules need every
 * Service, PodDisruptionBudget, ... of the set). gr_rules_check_set indexes
 * the set by kind, namespace, name and labels once, then runs every enabled
 * rule over every object; nothing is quadratic in the number of objects.
 */
#ifndef GUARDRAIL_RULES_H
#define GUARDRAIL_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "guardrail/error.h"
#include "guardrail/finding.h"
#include "guardrail/object.h"

typedef enum gr_rules_profile {
	GR_PROFILE_GUARDRAIL = 0, /* bp, ref, api, image */
	GR_PROFILE_POLARIS,
	GR_PROFILE_KUBE_SCORE,
	GR_PROFILE_KUBE_LINTER
} gr_rules_profile;

/* "guardrail", "polaris", "kube-score", "kube-linter"; -1 when unknown. */
int gr_rules_profile_parse(const char *name);

typedef struct gr_rules_file gr_rules_file;
typedef struct gr_schema_registry gr_schema_registry; /* schema.h */

typedef struct gr_rules_options {
	gr_rules_profile profile;
	const char *const *only; /* --only: rule ids (NULL/0: all enabled) */
	size_t nonly;
	const char *const *enable; /* rules turned on beyond the defaults */
	size_t nenable;
	const char *const *disable; /* rules turned off */
	size_t ndisable;
	const char *target_kubernetes;         /* "1.32"; NULL: newest table version */
	const char *const *allowed_registries; /* image.registry-allowed; NULL: any */
	size_t nallowed_registries;
	const char *const *denied_registries;
	size_t ndenied_registries;
	bool assume_complete;   /* ref.*: the set holds every object */
	bool require_digest;    /* image.digest everywhere */
	bool require_qualified; /* image.unqualified */
	int min_replicas;       /* bp.replicas; 0: the default (2) */
	/* kube-score: Go zero-value configuration (no CLI defaults), as in
	 * kube-score's own tests. */
	bool kube_score_zero_config;
	const char *kube_score_version;         /* --kubernetes-version, "v1.18" */
	int kube_score_min_replicas_deployment; /* --min-replicas-deployment (2) */
	int kube_score_min_replicas_hpa;        /* --min-replicas-hpa (2) */
	bool kube_score_ignore_cpu_limit;       /* --ignore-container-cpu-limit */
	bool kube_score_ignore_memory_limit;    /* --ignore-container-memory-limit */
	bool kube_score_ignore_annotation;      /* kube-score/ignore honoured (CLI default true) */
	bool kube_score_optional_annotation;    /* kube-score/enable honoured (CLI default true) */
	bool kube_linter_sorted_keys_shallow;   /* sorted-keys template param recursive: false */
	bool kube_linter_no_defaults;           /* --do-not-auto-add-defaults: only the checks named run */
	/* The schemas kube-linter's schema-validation check and kubeconform
	 * custom checks validate against (the caller opens it; it must outlive
	 * the gr_rules). gr_rules_new fails when such a check is on and this
	 * is NULL. */
	gr_schema_registry *schema;
	/* The caller (the pipeline) reports a definition repeated with different
	 * content itself (input.conflict): ref.duplicate then reports only what
	 * it does not (identical copies, kinds whose content is not kept). */
	bool pipeline_reports_conflicts;
	/* A loaded .guardrail.yaml: per-rule severity/action, exemptions,
	 * per-namespace digest pinning. Must outlive the gr_rules. May be NULL. */
	const gr_rules_file *file;
	/* A profile\'s own configuration (gr_rules_file_load_upstream): its
	 * exemptions, levels and custom checks; file\'s settings win. May be NULL. */
	const gr_rules_file *upstream_file;
} gr_rules_options;

/* A rule as documented: what it is and which upstream checks it covers. */
typedef struct gr_rule_info {
	const char *id;       /* "bp.memory-limit" */
	const char *pack;     /* "bp", "ref", "api", "image", "polaris", ... */
	gr_severity severity; /* default */
	gr_action action;     /* default */
	bool default_on;
	const char *summary;     /* one line: what is wrong */
	const char *remediation; /* one line: what to write */
	const char *upstream;    /* "polaris:cpuLimitsMissing kube-score:container-resources" */
	const char *doc;         /* "docs/rules/bp.md#bp-memory-limit" */
} gr_rule_info;

size_t gr_rules_count(void);
const gr_rule_info *gr_rules_info(size_t i);
const gr_rule_info *gr_rules_find(const char *id);

typedef struct gr_rules gr_rules;

int gr_rules_new(gr_rules **out, const gr_rules_options *opts, gr_error *err);
void gr_rules_free(gr_rules *r);

/*
 * The index of an input set (by kind, namespace, name, labels, selectors),
 * built once; rules query it, never scan. objs must outlive it. A check of
 * one object (from any number of threads: the index is read-only) judges
 * it against the whole set; findings name obj.
 */
typedef struct gr_rules_index gr_rules_index;
int gr_rules_index_new(const gr_object *objs, size_t n, gr_rules_index **out, gr_error *err);
void gr_rules_index_free(gr_rules_index *ix);
int gr_rules_check_object(const gr_rules *r, const gr_rules_index *ix, const gr_object *obj, gr_findings *out,
                          gr_error *err);

/*
 * Judge a whole input set (index + every object). Findings go to out (strings in out->arena).
 * Objects whose ignore annotations exempt a rule produce no finding for it;
 * a guardrail.dev/ignore annotation without its reason annotation is itself
 * a finding (rule "rules.ignore-without-reason").
 */
int gr_rules_check_set(const gr_rules *r, const gr_object *objs, size_t n, gr_findings *out, gr_error *err);

/*
 * The configuration file (.guardrail.yaml, format in docs/configuration.md).
 *
 * gr_rules_file_find looks for ".guardrail.yaml" in dir and its parents
 * (the caller passes its working directory); 0 and the path in out when
 * found, -1 when not. gr_rules_file_load parses and validates a file:
 * errors carry file:line:col. gr_rules_file_apply copies the file's
 * settings into o (profile, packs, rules on/off, parameters); flags the
 * caller applies afterwards win. The strings stay owned by the file.
 */
int gr_rules_file_find(const char *dir, char *out, size_t outlen);
int gr_rules_file_load(const char *path, gr_rules_file **out, gr_error *err);
/* Same from a buffer (name is used in errors). */
int gr_rules_file_parse(const char *name, const char *data, size_t len, gr_rules_file **out, gr_error *err);
int gr_rules_file_apply(const gr_rules_file *f, gr_rules_options *o, gr_error *err);
void gr_rules_file_free(gr_rules_file *f);
/*
 * An upstream tool's configuration as a gr_rules_file, for its profile:
 * Polaris config.yaml (checks: {id: danger|warning|ignore} — only listed
 * checks run — and exemptions {namespace, controllerNames, rules});
 * kube-linter .kube-linter.yaml (checks: addAllBuiltIn, doNotAutoAddDefaults,
 * include, exclude, and customChecks whose template is one of
 * required-annotation, required-label, forbidden-annotation,
 * forbidden-label, statefulset-volumeclaimtemplate-annotation), and
 * Polaris customChecks (a JSON Schema subset: type, required, properties,
 * const/enum with {{ .path }} templates, minimum/maximum, min/maxLength,
 * resourceMinimum/resourceMaximum; targets Pod, Container or a kind).
 * Other kube-linter templates are an error, never silently dropped; a
 * schema keyword outside the subset fails the check and says so. Apply it
 * like a .guardrail.yaml.
 */
int gr_rules_file_load_upstream(gr_rules_profile p, const char *path, gr_rules_file **out, gr_error *err);
int gr_rules_file_parse_upstream(gr_rules_profile p, const char *name, const char *data, size_t len,
                                 gr_rules_file **out, gr_error *err);

/*
 * The "rules" engine for the pipeline (session.h): register it with
 * gr_options_register. It is not among the built-ins a default selection
 * runs: a program opts in (guardrail check does when --engines names it, a
 * rule-pack flag is given, or a .guardrail.yaml is found). Its options are
 * listed in lib/rules/engine.c and docs/check.md.
 */
struct gr_engine;
const struct gr_engine *gr_rules_engine(void);

/* Image references, parsed per docker/distribution's reference grammar. */
typedef struct gr_image_ref {
	char domain[256];      /* "" when the reference has none */
	char path[272];        /* "library/nginx", "org/app" (after normalization: see below) */
	char tag[129];         /* "" when absent */
	char digest[256];      /* "sha256:..." or "" */
	bool implicit_domain;  /* no domain written: docker.io implied */
	bool implicit_library; /* a one-component Docker Hub path: library/ implied */
} gr_image_ref;
/* 0 on success; -1 with a message in err (column = 1-based offset). */
int gr_image_ref_parse(const char *s, gr_image_ref *out, gr_error *err);

#endif
