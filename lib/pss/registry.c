/*
 * registry.c — the table of Pod Security checks and the evaluation loop.
 *
 * Each row is one PSA check id with its level and the first version that has
 * it; the version-dependent behaviour inside a check (allowed sysctls, the
 * Windows exemption from v1.25, annotations before fields for seccomp...)
 * lives in the check's function, which reads e->minor.
 *
 * Restricted includes every baseline check. PSA lets some restricted checks
 * "override" their baseline twin (capabilities, seccomp, procMount); we run
 * both, so a pod that adds NET_RAW is reported as capabilities_baseline at
 * every level, which is the id a reader looks up. Restricted is stricter
 * than baseline for each pair, so no pod's verdict changes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../cnum.h"
#include "pss_internal.h"

#define CHECK(id, lvl, since, reason, fix, fn)                                                               \
	{                                                                                                    \
		{id, lvl, since, "pss." id, "docs/rules/pss.md#" id}, reason, fix, fn                        \
	}

/* Doc anchors are the check id lowercased (GitHub's heading anchors); the
 * macro cannot lowercase, so rows with capitals spell the anchor out. */
#define CHECK_A(id, anchor, lvl, since, reason, fix, fn)                                                     \
	{                                                                                                    \
		{id, lvl, since, "pss." id, "docs/rules/pss.md#" anchor}, reason, fix, fn                    \
	}

static const pss_check checks[] = {
        CHECK_A("windowsHostProcess", "windowshostprocess", GR_PSS_BASELINE, 0, "hostProcess",
                "remove securityContext.windowsOptions.hostProcess (or set it to false)",
                pss_check_windows_host_process),
        CHECK_A("hostNamespaces", "hostnamespaces", GR_PSS_BASELINE, 0, "host namespaces",
                "remove hostNetwork, hostPID and hostIPC from the pod spec (or set them to false)",
                pss_check_host_namespaces),
        CHECK("privileged", GR_PSS_BASELINE, 0, "privileged",
              "remove securityContext.privileged (or set it to false)", pss_check_privileged),
        CHECK("capabilities_baseline", GR_PSS_BASELINE, 0, "non-default capabilities",
              "add only default capabilities (e.g. NET_BIND_SERVICE, CHOWN) to "
              "securityContext.capabilities.add",
              pss_check_capabilities_baseline),
        CHECK_A("hostPathVolumes", "hostpathvolumes", GR_PSS_BASELINE, 0, "hostPath volumes",
                "replace the hostPath volume with emptyDir, a configMap/secret or a persistentVolumeClaim",
                pss_check_host_path_volumes),
        CHECK_A("hostPorts", "hostports", GR_PSS_BASELINE, 0, "hostPort",
                "remove hostPort from the container port (expose it with a Service instead)",
                pss_check_host_ports),
        CHECK_A("appArmorProfile", "apparmorprofile", GR_PSS_BASELINE, 0, "forbidden AppArmor profile",
                "set securityContext.appArmorProfile.type to RuntimeDefault or Localhost (or leave it unset)",
                pss_check_app_armor_profile),
        CHECK_A("seLinuxOptions", "selinuxoptions", GR_PSS_BASELINE, 0, "seLinuxOptions",
                "leave seLinuxOptions.user and .role unset and use type container_t, container_init_t or "
                "container_kvm_t",
                pss_check_se_linux_options),
        CHECK_A("procMount", "procmount", GR_PSS_BASELINE, 0, "procMount",
                "remove securityContext.procMount (or set it to Default)", pss_check_proc_mount),
        CHECK_A("seccompProfile_baseline", "seccompprofile_baseline", GR_PSS_BASELINE, 0, "seccompProfile",
                "set securityContext.seccompProfile.type to RuntimeDefault or Localhost, not Unconfined",
                pss_check_seccomp_baseline),
        CHECK("sysctls", GR_PSS_BASELINE, 0, "forbidden sysctls",
              "remove the sysctl from securityContext.sysctls (only the safe, namespaced set is allowed)",
              pss_check_sysctls),
        CHECK_A("hostProbesAndHostLifecycle", "hostprobesandhostlifecycle", GR_PSS_BASELINE, 34,
                "probe or lifecycle host",
                "remove the host field from the probe or lifecycle handler (it then targets the pod's own "
                "IP)",
                pss_check_host_probes),
        CHECK_A("restrictedVolumes", "restrictedvolumes", GR_PSS_RESTRICTED, 0, "restricted volume types",
                "use only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected "
                "or secret volumes",
                pss_check_restricted_volumes),
        CHECK_A("allowPrivilegeEscalation", "allowprivilegeescalation", GR_PSS_RESTRICTED, 8,
                "allowPrivilegeEscalation != false", "set securityContext.allowPrivilegeEscalation: false",
                pss_check_allow_privilege_escalation),
        CHECK_A("runAsNonRoot", "runasnonroot", GR_PSS_RESTRICTED, 0, "runAsNonRoot != true",
                "set securityContext.runAsNonRoot: true on the pod (or on every container)",
                pss_check_run_as_non_root),
        CHECK_A("runAsUser", "runasuser", GR_PSS_RESTRICTED, 23, "runAsUser=0",
                "set runAsUser to a non-zero UID (or leave it unset and let the image choose a non-root "
                "user)",
                pss_check_run_as_user),
        CHECK_A("seccompProfile_restricted", "seccompprofile_restricted", GR_PSS_RESTRICTED, 19,
                "seccompProfile",
                "set securityContext.seccompProfile.type: RuntimeDefault on the pod (or Localhost)",
                pss_check_seccomp_restricted),
        CHECK("capabilities_restricted", GR_PSS_RESTRICTED, 22, "unrestricted capabilities",
              "set securityContext.capabilities.drop: [\"ALL\"] and add back at most NET_BIND_SERVICE",
              pss_check_capabilities_restricted),
        CHECK_A("procMount_restricted", "procmount_restricted", GR_PSS_RESTRICTED, 35, "procMount",
                "remove securityContext.procMount (or set it to Default)", pss_check_proc_mount_restricted),
};

#define NCHECKS (sizeof checks / sizeof checks[0])

size_t gr_pss_check_count(void)
{
	return NCHECKS;
}

const gr_pss_check_info *gr_pss_check_at(size_t i)
{
	return i < NCHECKS ? &checks[i].info : NULL;
}

bool pss_in_list(const char *s, const char *const *list)
{
	if (!s)
		return false;
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

const gr_value *pss_deepest(const gr_value *v, ...)
{
	va_list ap;
	va_start(ap, v);
	const char *k;
	while ((k = va_arg(ap, const char *)) != NULL) {
		const gr_value *next = gr_get(v, k);
		if (!next || next->type == GR_NULL)
			break;
		v = next;
	}
	va_end(ap);
	return v;
}

void pss_path_spec(pss_eval *e, const char *suffix)
{
	gr_path_init(&e->path, e->spec_path);
	size_t n = strlen(suffix);
	if (e->path.len + n >= GR_PATH_MAX)
		n = GR_PATH_MAX - 1 - e->path.len;
	memcpy(e->path.buf + e->path.len, suffix, n);
	e->path.len += n;
	e->path.buf[e->path.len] = '\0';
}

void pss_path_container(pss_eval *e, const pss_container *c, const char *suffix)
{
	char tmp[128];
	snprintf(tmp, sizeof tmp, ".%s[%zu]", c->list, c->index);
	pss_path_spec(e, tmp);
	size_t n = strlen(suffix);
	if (e->path.len + n >= GR_PATH_MAX)
		n = GR_PATH_MAX - 1 - e->path.len;
	memcpy(e->path.buf + e->path.len, suffix, n);
	e->path.len += n;
	e->path.buf[e->path.len] = '\0';
}

void pss_emit(pss_eval *e, const gr_value *at, const char *fmt, ...)
{
	char detail[768];
	va_list ap;
	va_start(ap, fmt);
	gri_vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	gr_pss_violation v = {
	        .check_id = e->check->info.id,
	        .rule = e->check->info.rule,
	        .doc = e->check->info.doc,
	        .reason = e->check->reason,
	        .detail = detail,
	        .path = e->path.buf,
	        .at = at,
	        .remediation = e->check->remediation,
	};
	e->count++;
	if (e->sink)
		e->sink(e->user, &v);
}

void pss_visit_containers(pss_eval *e, pss_container_fn fn)
{
	static const char *const lists[] = {"containers", "initContainers", "ephemeralContainers"};
	for (size_t l = 0; l < 3; l++) {
		const gr_value *arr = gr_get(e->spec, lists[l]);
		if (!arr || arr->type != GR_ARRAY)
			continue;
		for (size_t i = 0; i < arr->u.a.len; i++) {
			const gr_value *node = &arr->u.a.items[i];
			if (node->type != GR_OBJECT)
				continue;
			const char *name = gr_get_str(node, "name");
			const gr_value *sc = gr_get(node, "securityContext");
			pss_container c = {
			        .node = node,
			        .name = name ? name : "",
			        .sc = sc && sc->type == GR_OBJECT ? sc : NULL,
			        .list = lists[l],
			        .index = i,
			};
			fn(e, &c);
		}
	}
}

size_t gr_pss_evaluate(const gr_value *pod_metadata, const char *metadata_path, const gr_value *pod_spec,
                       const char *spec_path, gr_pss_spec at, gr_pss_sink sink, void *user)
{
	if (!pod_spec || pod_spec->type != GR_OBJECT || at.level == GR_PSS_PRIVILEGED)
		return 0;
	pss_eval e;
	e.meta = pod_metadata && pod_metadata->type == GR_OBJECT ? pod_metadata : NULL;
	e.spec = pod_spec;
	e.meta_path = metadata_path ? metadata_path : "metadata";
	e.spec_path = spec_path ? spec_path : "spec";
	e.minor = at.minor;
	const char *os = gr_get_str(gr_get(pod_spec, "os"), "name");
	e.windows = os && strcmp(os, "windows") == 0;
	e.host_users_false = pss_false(gr_get(pod_spec, "hostUsers"));
	e.sink = sink;
	e.user = user;
	e.count = 0;
	gr_path_init(&e.path, "");
	for (size_t i = 0; i < NCHECKS; i++) {
		const pss_check *c = &checks[i];
		if (c->info.level > at.level || at.minor < c->info.since)
			continue;
		e.check = c;
		c->fn(&e);
	}
	return e.count;
}
