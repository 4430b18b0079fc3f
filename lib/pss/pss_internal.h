/*
 * pss_internal.h — what the Pod Security check files share: the evaluation
 * context, the container visitor and the helpers that report a violation.
 *
 * The trick: an evaluation allocates nothing. Paths and details are built in
 * buffers inside the context and handed to the sink, which copies what it
 * keeps; so judging a pod costs only the walk over its tree.
 */
#ifndef GUARDRAIL_PSS_INTERNAL_H
#define GUARDRAIL_PSS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "guardrail/path.h"
#include "guardrail/pss.h"
#include "guardrail/value.h"

typedef struct pss_check pss_check;

typedef struct pss_eval {
	const gr_value *meta; /* pod metadata, may be NULL */
	const gr_value *spec; /* pod spec (an object) */
	const char *meta_path;
	const char *spec_path;
	int minor;              /* version judged at; GR_PSS_LATEST for latest */
	bool windows;           /* spec.os.name == "windows" */
	bool host_users_false;  /* spec.hostUsers == false (a user-namespaced pod) */
	const pss_check *check; /* the check being run */
	gr_pss_sink sink;
	void *user;
	size_t count;
	gr_path path; /* scratch for the violation's path */
} pss_eval;

typedef void (*pss_check_fn)(pss_eval *e);

struct pss_check {
	gr_pss_check_info info;  /* id, level, since, rule, doc */
	const char *reason;      /* PSA's forbidden reason */
	const char *remediation; /* one line */
	pss_check_fn fn;
};

/* One container of the pod, as the visitor hands it out. */
typedef struct pss_container {
	const gr_value *node; /* the container object */
	const char *name;     /* "" when missing */
	const gr_value *sc;   /* its securityContext object, or NULL */
	const char *list;     /* "containers", "initContainers", "ephemeralContainers" */
	size_t index;
} pss_container;

typedef void (*pss_container_fn)(pss_eval *e, const pss_container *c);

/* containers, initContainers, ephemeralContainers, in that order (PSA's). */
void pss_visit_containers(pss_eval *e, pss_container_fn fn);

/* Path helpers: set e->path to spec_path + suffix (suffix is ".a.b" or "[0].c"). */
void pss_path_spec(pss_eval *e, const char *suffix);
/* spec_path.<list>[i] + suffix */
void pss_path_container(pss_eval *e, const pss_container *c, const char *suffix);

/* Report the current check's violation at e->path. */
void pss_emit(pss_eval *e, const gr_value *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Follow object keys from v (NULL-terminated); the deepest node that exists
 * (v itself when the first key is missing). */
const gr_value *pss_deepest(const gr_value *v, ...) __attribute__((sentinel));

/* Small value tests. */
static inline bool pss_true(const gr_value *v)
{
	return v && v->type == GR_BOOL && v->u.b;
}
static inline bool pss_false(const gr_value *v)
{
	return v && v->type == GR_BOOL && !v->u.b;
}
static inline const char *pss_str(const gr_value *v)
{
	return v && v->type == GR_STRING ? v->u.s.ptr : NULL;
}
/* Present and not null (a Go pointer that is set). */
static inline bool pss_set(const gr_value *v)
{
	return v && v->type != GR_NULL;
}

/* A seccomp profile type both levels accept: RuntimeDefault or Localhost. */
static inline bool pss_seccomp_type_ok(const gr_value *type)
{
	const char *s = pss_str(type);
	return s && (strcmp(s, "RuntimeDefault") == 0 || strcmp(s, "Localhost") == 0);
}
/* A string that is set and not empty. */
static inline bool pss_nonempty(const gr_value *v)
{
	return v && v->type == GR_STRING && v->u.s.len > 0;
}
bool pss_in_list(const char *s, const char *const *list);

/* The check functions, one per check id (checks_*.c). */
void pss_check_windows_host_process(pss_eval *e);
void pss_check_host_namespaces(pss_eval *e);
void pss_check_privileged(pss_eval *e);
void pss_check_capabilities_baseline(pss_eval *e);
void pss_check_host_path_volumes(pss_eval *e);
void pss_check_host_ports(pss_eval *e);
void pss_check_app_armor_profile(pss_eval *e);
void pss_check_se_linux_options(pss_eval *e);
void pss_check_proc_mount(pss_eval *e);
void pss_check_seccomp_baseline(pss_eval *e);
void pss_check_sysctls(pss_eval *e);
void pss_check_host_probes(pss_eval *e);
void pss_check_restricted_volumes(pss_eval *e);
void pss_check_allow_privilege_escalation(pss_eval *e);
void pss_check_run_as_non_root(pss_eval *e);
void pss_check_run_as_user(pss_eval *e);
void pss_check_seccomp_restricted(pss_eval *e);
void pss_check_capabilities_restricted(pss_eval *e);
void pss_check_proc_mount_restricted(pss_eval *e);

#endif
