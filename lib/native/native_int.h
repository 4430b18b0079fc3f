/*
 * native_int.h — internals of the "native" engine: the rule table, the
 * per-object context every check writes its findings through, and the
 * apimachinery name/label validators the checks share.
 */
#ifndef GR_NATIVE_INT_H
#define GR_NATIVE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guardrail/engine.h"
#include "guardrail/finding.h"
#include "guardrail/value.h"

/* Field paths are built in bounded stack buffers; a path longer than its
 * buffer is cut, never overflowed. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

/* One row per rule: id, the API server's cause reason, the upstream function
 * it mirrors, the remediation line. */
typedef struct nv_rule {
	const char *id;
	const char *reason;
	const char *upstream;
	const char *remediation;
} nv_rule;

/* the rules, indexes into nv_rules (rules.c) */
enum {
	NV_META_NAME_REQUIRED,
	NV_META_NAME_FORMAT,
	NV_META_GENERATENAME_FORMAT,
	NV_META_NAMESPACE_LABEL,
	NV_META_LABEL_KEY,
	NV_META_LABEL_VALUE,
	NV_META_ANNOTATION_KEY,
	NV_META_ANNOTATIONS_SIZE,
	NV_META_FINALIZER,
	NV_META_OWNER_UID,
	NV_POD_RESTART_POLICY,
	NV_POD_TEMPLATE_RESTART_POLICY,
	NV_POD_DNS_POLICY,
	NV_POD_DNS_CONFIG,
	NV_POD_HOSTNAME,
	NV_POD_TOLERATION,
	NV_POD_NODE_SELECTOR,
	NV_POD_OS,
	NV_POD_TOPOLOGY_SPREAD,
	NV_POD_AFFINITY,
	NV_POD_HOST_ALIASES,
	NV_POD_TERMINATION_GRACE,
	NV_POD_IMAGE_PULL_SECRET,
	NV_CONTAINER_NAME,
	NV_CONTAINER_NAME_DUPLICATE,
	NV_CONTAINER_IMAGE,
	NV_CONTAINER_IMAGE_PULL_POLICY,
	NV_CONTAINER_TERMINATION_MESSAGE_POLICY,
	NV_CONTAINER_INIT_RESTART_POLICY,
	NV_PORT_NUMBER,
	NV_PORT_NAME,
	NV_PORT_PROTOCOL,
	NV_PORT_HOSTNETWORK,
	NV_PORT_DUPLICATE,
	NV_ENV_NAME,
	NV_ENV_DUPLICATE,
	NV_SECURITY_ID_RANGE,
	NV_SECURITY_SECCOMP,
	NV_SECURITY_FSGROUP_POLICY,
	NV_SECURITY_SYSCTL,
	NV_SECURITY_PRIVILEGE_ESCALATION,
	NV_SERVICE_TYPE,
	NV_SERVICE_PORT,
	NV_SERVICE_TARGET_PORT,
	NV_SERVICE_NODE_PORT,
	NV_SERVICE_PORT_DUPLICATE,
	NV_SERVICE_SESSION_AFFINITY,
	NV_SERVICE_EXTERNAL_NAME,
	NV_INGRESS_PATH_TYPE,
	NV_INGRESS_PATH,
	NV_NETPOL_POLICY_TYPES,
	NV_RBAC_NAME,
	NV_PROBE_HANDLER,
	NV_PROBE_FIELD,
	NV_CONTAINER_EPHEMERAL,
	NV_SELECTOR,
	NV_SELECTOR_MATCH,
	NV_APPS_NONNEGATIVE,
	NV_APPS_STRATEGY,
	NV_JOB_SELECTOR,
	NV_RBAC_RULE,
	NV_RBAC_ROLE_REF,
	NV_RBAC_SUBJECT,
	NV_VOLUME_NAME,
	NV_VOLUME_SOURCE,
	NV_VOLUME_MOUNT,
	NV_CONFIG_KEY,
	NV_CONFIG_SIZE,
	NV_SECRET_TYPE,
	NV_SERVICE_PORT_NAME,
	NV_PDB,
	NV_HPA,
	NV_JOB_SPEC,
	NV_INGRESS_HOST,
	NV_INGRESS_BACKEND,
	NV_NETPOL_PORT,
	NV_NETPOL_PEER,
	NV_TEMPLATE_LABELS,
	NV_CRON_SCHEDULE,
	NV_CRON_TIMEZONE,
	NV_POD_TERMINATION_GRACE_ERR,
	NV_SECURITY_HOST_PROCESS,
	NV_RESOURCES,
	NV_PVC,
	NV_SECURITY_PROC_MOUNT,
	NV_SECURITY_SUPPLEMENTAL_GROUPS_POLICY,
	NV_ADM_WEBHOOK_NAME,
	NV_ADM_RULE,
	NV_ADM_WEBHOOK_POLICY,
	NV_ADM_REVIEW_VERSIONS,
	NV_ADM_CLIENT_CONFIG,
	NV_ADM_MATCH_CONDITIONS,
	NV_ADM_POLICY_SPEC,
	NV_ADM_BINDING_SPEC,
	NV_QUOTA,
	NV_LIMITRANGE,
	NV_RULE_COUNT
};

extern const nv_rule nv_rules[NV_RULE_COUNT];

typedef struct nv_ctx {
	const gr_object *obj;
	gr_findings *out;
	int minor;          /* Kubernetes 1.<minor>: rules that changed across versions follow it */
	bool stored;        /* the object was read from a cluster: creation-only rules adjusted */
	bool warnings_only; /* report only what the server warns about (StatefulSet templates) */
	bool oom;
} nv_ctx;

/* The API server's cause messages, by reason. v is the value shown (may be NULL). */
void nv_invalid(nv_ctx *c, int rule, const char *path, const gr_value *v, const char *detail);
void nv_invalid_str(nv_ctx *c, int rule, const char *path, const gr_value *at, const char *s,
                    const char *detail);
void nv_required(nv_ctx *c, int rule, const char *path, const gr_value *at, const char *detail);
void nv_not_supported(nv_ctx *c, int rule, const char *path, const gr_value *v, const char *const *allowed);
void nv_duplicate(nv_ctx *c, int rule, const char *path, const gr_value *v);
void nv_forbidden(nv_ctx *c, int rule, const char *path, const gr_value *at, const char *detail);
void nv_warning(nv_ctx *c, int rule, const char *path, const gr_value *at, const char *msg);

/* A string member, or NULL. */
static inline const char *nv_str(const gr_value *o, const char *key)
{
	return gr_get_str(o, key);
}
bool nv_int(const gr_value *v, int64_t *out);
/* The default minor when no kubernetes-version is given: every versioned
 * rule at its newest behaviour. */
#define NV_MINOR_LATEST 99

/* the version selected is 1.<minor> or later */
static inline bool nv_since(const nv_ctx *c, int minor)
{
	return c->minor >= minor;
}
/* a Kubernetes quantity (resource.Quantity) as a number; false when unparsable */
bool nv_quantity(const gr_value *v, long double *out);
/* an integral quantity (no cast: quantities may exceed every integer type) */
bool nv_whole(long double q);
bool nv_in(const char *s, const char *const *set);

/* apimachinery validators: each returns the number of messages put in msgs
 * (static strings or in buf), 0 when valid. */
#define NV_MAXMSG 4
typedef struct nv_msgs {
	const char *m[NV_MAXMSG];
	int n;
	char buf[NV_MAXMSG][160];
} nv_msgs;
int nv_dns1123_label(const char *s, nv_msgs *m);
int nv_dns1123_subdomain(const char *s, nv_msgs *m);
int nv_dns1035_label(const char *s, nv_msgs *m);
int nv_qualified_name(const char *s, nv_msgs *m);
int nv_label_value(const char *s, nv_msgs *m);
int nv_port_name(const char *s, nv_msgs *m);
bool nv_is_ip(const char *s);

/* the checks (one file per group) */
void nv_check_meta(nv_ctx *c);
void nv_check_pod_spec(nv_ctx *c, const gr_value *spec, const char *path, bool is_pod);
void nv_check_core(nv_ctx *c);
void nv_check_apps(nv_ctx *c);
void nv_check_batch(nv_ctx *c);
void nv_check_networking(nv_ctx *c);
void nv_check_rbac(nv_ctx *c);
void nv_check_resources(nv_ctx *c, const gr_value *resources, const char *path);
void nv_check_pvc(nv_ctx *c);
void nv_check_cron(nv_ctx *c, const gr_value *cronjob_spec);
void nv_check_policy_autoscaling(nv_ctx *c);
void nv_check_admission(nv_ctx *c);
void nv_check_quota(nv_ctx *c);
void nv_check_labels(nv_ctx *c, const gr_value *meta, const char *path);
/* a pod template's labels, reported at <path> (the server's spec.template.labels) */
void nv_check_template_labels(nv_ctx *c, const gr_value *tmpl, const char *path);
void nv_check_volumes(nv_ctx *c, const gr_value *spec, const char *path);
void nv_check_mounts(nv_ctx *c, const gr_value *spec, const gr_value *ct, const char *base);
/* a LabelSelector at path: expressions checked; returns false when it is not a valid selector */
bool nv_check_selector(nv_ctx *c, const gr_value *sel, const char *path);
/* does the selector select these labels? */
bool nv_selector_matches(const gr_value *sel, const gr_value *labels);

#endif
