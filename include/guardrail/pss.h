/*
 * pss.h — the Pod Security Standards, judged as Pod Security Admission
 * (k8s.io/pod-security-admission) judges them.
 *
 * A policy is a level (privileged, baseline, restricted) at a version
 * (v1.0 ... v1.N, or latest). Every check carries its own version history:
 * judged at v1.24, a check behaves as upstream's check did at v1.24 (which
 * checks exist, which sysctls are allowed, when Windows pods are exempt...).
 * A version newer than any check's newest behaviour is the same as latest.
 *
 * gr_pss_evaluate() walks one pod spec (and its metadata, for annotations)
 * and calls a sink once per violation, with PSA's check id, PSA's forbidden
 * reason, a detail naming the container, field and value, and the field path
 * from the object's root. It allocates nothing: everything it hands the sink
 * lives on its stack, so a sink copies what it keeps.
 *
 * Namespace labels (pod-security.kubernetes.io/<mode>[-version]) resolve
 * into a gr_pss_policy with gr_pss_policy_apply_label(), exactly as PSA's
 * PolicyToEvaluate does (an invalid enforce level means restricted, an
 * invalid warn/audit level means privileged, an invalid version means latest).
 */
#ifndef GUARDRAIL_PSS_H
#define GUARDRAIL_PSS_H

#include <stdbool.h>
#include <stddef.h>

#include "guardrail/error.h"
#include "guardrail/value.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gr_pss_level { GR_PSS_PRIVILEGED = 0, GR_PSS_BASELINE = 1, GR_PSS_RESTRICTED = 2 } gr_pss_level;

/* The minor version that means "latest" (newer than every real version). */
#define GR_PSS_LATEST 1000000

typedef struct gr_pss_spec {
	gr_pss_level level;
	int minor; /* v1.<minor>, or GR_PSS_LATEST */
} gr_pss_spec;

/* "privileged", "baseline", "restricted" (exactly, as PSA). 0 or -1. */
int gr_pss_parse_level(const char *s, gr_pss_level *out);
/* "latest" or "v1.N" (no leading zeros, as PSA's ^v1\.(0|[1-9][0-9]*)$). 0 or -1. */
int gr_pss_parse_version(const char *s, int *minor);
/* "LEVEL[:VERSION]"; VERSION defaults to latest. On error fills err. */
int gr_pss_parse_spec(const char *s, gr_pss_spec *out, gr_error *err);
const char *gr_pss_level_name(gr_pss_level level);
/* "v1.25" or "latest" into buf. */
const char *gr_pss_version_name(int minor, char *buf, size_t cap);

/* The modes of PSA, strongest first. */
typedef enum gr_pss_mode { GR_PSS_ENFORCE = 0, GR_PSS_WARN = 1, GR_PSS_AUDIT = 2 } gr_pss_mode;
#define GR_PSS_NMODES 3

/* What a namespace (or the defaults) asks for; level privileged = mode off. */
typedef struct gr_pss_policy {
	gr_pss_spec mode[GR_PSS_NMODES];
} gr_pss_policy;

/*
 * Apply one namespace label to a policy (start from the defaults, apply each
 * label). Labels outside pod-security.kubernetes.io/{enforce,warn,audit}
 * [-version] are ignored. Returns 1 when the label was one of PSA's, 0 when
 * ignored, -1 when it was PSA's but its value was invalid (the policy is
 * still updated with PSA's fallback).
 */
int gr_pss_policy_apply_label(gr_pss_policy *p, const char *key, const char *value);

/* One violation, as handed to a sink (valid only during the call). */
typedef struct gr_pss_violation {
	const char *check_id;    /* PSA's check id: "privileged", "capabilities_baseline" */
	const char *rule;        /* "pss.<check_id>" (static) */
	const char *doc;         /* "docs/rules/pss.md#<check_id lowercased>" (static) */
	const char *reason;      /* PSA's forbidden reason: "privileged", "host namespaces" */
	const char *detail;      /* `container "app" must not set securityContext.privileged=true` */
	const char *path;        /* from the object root: spec.containers[0].securityContext.privileged */
	const gr_value *at;      /* the offending node, or the nearest existing parent */
	const char *remediation; /* one line (static) */
} gr_pss_violation;

typedef void (*gr_pss_sink)(void *user, const gr_pss_violation *v);

/*
 * Judge one pod spec at (level, version). pod_metadata may be NULL. The
 * paths are where spec and metadata sit in the object ("spec",
 * "spec.template.spec"). Returns the number of violations reported.
 */
size_t gr_pss_evaluate(const gr_value *pod_metadata, const char *metadata_path, const gr_value *pod_spec,
                       const char *spec_path, gr_pss_spec at, gr_pss_sink sink, void *user);

/* The table of checks, for docs and tests. */
typedef struct gr_pss_check_info {
	const char *id;
	gr_pss_level level;
	int since;        /* first minor version with this check */
	const char *rule; /* "pss.<id>" */
	const char *doc;  /* "docs/rules/pss.md#<id lowercased>" */
} gr_pss_check_info;

size_t gr_pss_check_count(void);
const gr_pss_check_info *gr_pss_check_at(size_t i);

#ifdef __cplusplus
}
#endif

#endif
