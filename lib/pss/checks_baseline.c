/*
 * checks_baseline.c — the checks of the baseline level: what a pod must not
 * do to escape its container (host namespaces, privileged, host paths and
 * ports, unsafe capabilities, sysctls, profiles and /proc masks).
 *
 * Each function reports one violation per offending field, so a finding's
 * path points at the exact node to change; the detail repeats PSA's wording
 * for that one container. Versioned behaviour reads e->minor.
 */
#include <stdio.h>
#include <string.h>

#include "pss_internal.h"

/* ---- windowsHostProcess (v1.0) ---- */

static void host_process_container(pss_eval *e, const pss_container *c)
{
	const gr_value *v = gr_get(gr_get(c->sc, "windowsOptions"), "hostProcess");
	if (!pss_true(v))
		return;
	pss_path_container(e, c, ".securityContext.windowsOptions.hostProcess");
	pss_emit(e, v, "container \"%s\" must not set securityContext.windowsOptions.hostProcess=true",
	         c->name);
}

void pss_check_windows_host_process(pss_eval *e)
{
	const gr_value *v = gr_get_path(e->spec, "securityContext", "windowsOptions", "hostProcess", NULL);
	if (pss_true(v)) {
		pss_path_spec(e, ".securityContext.windowsOptions.hostProcess");
		pss_emit(e, v, "pod must not set securityContext.windowsOptions.hostProcess=true");
	}
	pss_visit_containers(e, host_process_container);
}

/* ---- hostNamespaces (v1.0) ---- */

void pss_check_host_namespaces(pss_eval *e)
{
	static const char *const fields[] = {"hostNetwork", "hostPID", "hostIPC"};
	for (size_t i = 0; i < 3; i++) {
		const gr_value *v = gr_get(e->spec, fields[i]);
		if (!pss_true(v))
			continue;
		char suffix[32];
		suffix[0] = '.';
		strcpy(suffix + 1, fields[i]);
		pss_path_spec(e, suffix);
		pss_emit(e, v, "%s=true", fields[i]);
	}
}

/* ---- privileged (v1.0) ---- */

static void privileged_container(pss_eval *e, const pss_container *c)
{
	const gr_value *v = gr_get(c->sc, "privileged");
	if (!pss_true(v))
		return;
	pss_path_container(e, c, ".securityContext.privileged");
	pss_emit(e, v, "container \"%s\" must not set securityContext.privileged=true", c->name);
}

void pss_check_privileged(pss_eval *e)
{
	pss_visit_containers(e, privileged_container);
}

/* ---- capabilities_baseline (v1.0) ---- */

static const char *const baseline_capabilities[] = {
        "AUDIT_WRITE",      "CHOWN",   "DAC_OVERRIDE", "FOWNER",  "FSETID", "KILL",       "MKNOD",
        "NET_BIND_SERVICE", "SETFCAP", "SETGID",       "SETPCAP", "SETUID", "SYS_CHROOT", NULL,
};

static void capabilities_baseline_container(pss_eval *e, const pss_container *c)
{
	const gr_value *add = gr_get(gr_get(c->sc, "capabilities"), "add");
	if (!add || add->type != GR_ARRAY)
		return;
	for (size_t i = 0; i < add->u.a.len; i++) {
		const gr_value *cap = &add->u.a.items[i];
		const char *s = pss_str(cap);
		if (!s || pss_in_list(s, baseline_capabilities))
			continue;
		char suffix[64];
		snprintf(suffix, sizeof suffix, ".securityContext.capabilities.add[%zu]", i);
		pss_path_container(e, c, suffix);
		pss_emit(e, cap,
		         "container \"%s\" must not include \"%s\" in securityContext.capabilities.add",
		         c->name, s);
	}
}

void pss_check_capabilities_baseline(pss_eval *e)
{
	pss_visit_containers(e, capabilities_baseline_container);
}

/* ---- hostPathVolumes (v1.0) ---- */

void pss_check_host_path_volumes(pss_eval *e)
{
	const gr_value *vols = gr_get(e->spec, "volumes");
	if (!vols || vols->type != GR_ARRAY)
		return;
	for (size_t i = 0; i < vols->u.a.len; i++) {
		const gr_value *vol = &vols->u.a.items[i];
		const gr_value *hp = gr_get(vol, "hostPath");
		if (!pss_set(hp))
			continue;
		const char *name = gr_get_str(vol, "name");
		char suffix[64];
		snprintf(suffix, sizeof suffix, ".volumes[%zu].hostPath", i);
		pss_path_spec(e, suffix);
		pss_emit(e, hp, "volume \"%s\"", name ? name : "");
	}
}

/* ---- hostPorts (v1.0) ---- */

static void host_ports_container(pss_eval *e, const pss_container *c)
{
	const gr_value *ports = gr_get(c->node, "ports");
	if (!ports || ports->type != GR_ARRAY)
		return;
	for (size_t i = 0; i < ports->u.a.len; i++) {
		const gr_value *hp = gr_get(&ports->u.a.items[i], "hostPort");
		if (!gr_is_number(hp) || gr_number(hp) == 0)
			continue;
		char suffix[48];
		snprintf(suffix, sizeof suffix, ".ports[%zu].hostPort", i);
		pss_path_container(e, c, suffix);
		pss_emit(e, hp, "container \"%s\" uses hostPort %.0f", c->name, gr_number(hp));
	}
}

void pss_check_host_ports(pss_eval *e)
{
	pss_visit_containers(e, host_ports_container);
}

/* ---- appArmorProfile (v1.0: annotations and, where set, the fields) ---- */

#define APPARMOR_ANNOTATION "container.apparmor.security.beta.kubernetes.io/"

static bool apparmor_type_allowed(const gr_value *type)
{
	const char *s = pss_str(type);
	return s && (strcmp(s, "RuntimeDefault") == 0 || strcmp(s, "Localhost") == 0);
}

static const char *shown(const gr_value *v)
{
	const char *s = pss_str(v);
	return s ? s : (v && v->type != GR_NULL ? gr_type_name((gr_type)v->type) : "");
}

static void apparmor_container(pss_eval *e, const pss_container *c)
{
	const gr_value *prof = gr_get(c->sc, "appArmorProfile");
	if (!pss_set(prof))
		return;
	const gr_value *type = gr_get(prof, "type");
	if (apparmor_type_allowed(type))
		return;
	pss_path_container(e, c, ".securityContext.appArmorProfile.type");
	pss_emit(e, type ? type : prof, "container \"%s\" must not set AppArmor profile type to \"%s\"",
	         c->name, shown(type));
}

void pss_check_app_armor_profile(pss_eval *e)
{
	const gr_value *prof = gr_get_path(e->spec, "securityContext", "appArmorProfile", NULL);
	if (pss_set(prof)) {
		const gr_value *type = gr_get(prof, "type");
		if (!apparmor_type_allowed(type)) {
			pss_path_spec(e, ".securityContext.appArmorProfile.type");
			pss_emit(e, type ? type : prof, "pod must not set AppArmor profile type to \"%s\"",
			         shown(type));
		}
	}
	pss_visit_containers(e, apparmor_container);

	const gr_value *ann = gr_get(e->meta, "annotations");
	if (!ann || ann->type != GR_OBJECT)
		return;
	size_t plen = sizeof APPARMOR_ANNOTATION - 1;
	for (size_t i = 0; i < ann->u.o.len; i++) {
		const gr_member *m = &ann->u.o.members[i];
		if (m->key_len < plen || memcmp(m->key, APPARMOR_ANNOTATION, plen) != 0)
			continue;
		const char *v = pss_str(&m->value);
		if (!v || v[0] == '\0' || strcmp(v, "runtime/default") == 0 ||
		    strncmp(v, "localhost/", 10) == 0)
			continue;
		gr_path_init(&e->path, e->meta_path);
		gr_path_push_key(&e->path, "annotations", 11);
		gr_path_push_key(&e->path, m->key, m->key_len);
		pss_emit(e, &m->value, "annotation %s=\"%s\" (use runtime/default or localhost/<profile>)",
		         m->key, v);
	}
}

/* ---- seLinuxOptions (v1.0; container_engine_t allowed from v1.31) ---- */

static bool selinux_type_allowed(const char *t, int minor)
{
	static const char *const allowed[] = {"", "container_t", "container_init_t", "container_kvm_t", NULL};
	if (pss_in_list(t, allowed))
		return true;
	return minor >= 31 && strcmp(t, "container_engine_t") == 0;
}

/* who: "pod" or `container "x"`; prefix: the path up to securityContext. */
static void selinux_options(pss_eval *e, const gr_value *opts, const char *who, const pss_container *c)
{
	if (!opts || opts->type != GR_OBJECT)
		return;
	static const char *const fields[] = {"type", "user", "role"};
	for (size_t i = 0; i < 3; i++) {
		const gr_value *v = gr_get(opts, fields[i]);
		const char *s = pss_str(v);
		if (!s)
			continue;
		bool bad = i == 0 ? !selinux_type_allowed(s, e->minor) : s[0] != '\0';
		if (!bad)
			continue;
		char suffix[64];
		snprintf(suffix, sizeof suffix, ".securityContext.seLinuxOptions.%s", fields[i]);
		if (c)
			pss_path_container(e, c, suffix);
		else
			pss_path_spec(e, suffix);
		pss_emit(e, v, "%s set forbidden securityContext.seLinuxOptions: %s \"%s\"", who, fields[i],
		         s);
	}
}

static void selinux_container(pss_eval *e, const pss_container *c)
{
	char who[300];
	snprintf(who, sizeof who, "container \"%s\"", c->name);
	selinux_options(e, gr_get(c->sc, "seLinuxOptions"), who, c);
}

void pss_check_se_linux_options(pss_eval *e)
{
	selinux_options(e, gr_get_path(e->spec, "securityContext", "seLinuxOptions", NULL), "pod", NULL);
	pss_visit_containers(e, selinux_container);
}

/* ---- procMount (v1.0; from v1.35 user-namespaced pods may use any value) ---- */

static void proc_mount_container(pss_eval *e, const pss_container *c)
{
	const gr_value *v = gr_get(c->sc, "procMount");
	if (!pss_set(v))
		return;
	const char *s = pss_str(v);
	if (s && strcmp(s, "Default") == 0)
		return;
	pss_path_container(e, c, ".securityContext.procMount");
	pss_emit(e, v, "container \"%s\" must not set securityContext.procMount to \"%s\"", c->name,
	         shown(v));
}

void pss_check_proc_mount(pss_eval *e)
{
	if (e->minor >= 35 && e->host_users_false)
		return;
	pss_visit_containers(e, proc_mount_container);
}

void pss_check_proc_mount_restricted(pss_eval *e)
{
	pss_visit_containers(e, proc_mount_container);
}

/* ---- seccompProfile_baseline (v1.0 annotations; v1.19 fields) ---- */

#define SECCOMP_POD_ANNOTATION       "seccomp.security.alpha.kubernetes.io/pod"
#define SECCOMP_CONTAINER_ANNOTATION "container.seccomp.security.alpha.kubernetes.io/"

/* Only RuntimeDefault and Localhost are valid types, as in PSA: any other
 * explicit type (Unconfined, or a typo) is forbidden; unset is fine here. */

static void seccomp_baseline_container(pss_eval *e, const pss_container *c)
{
	const gr_value *prof = gr_get(c->sc, "seccompProfile");
	if (!pss_set(prof))
		return;
	const gr_value *type = gr_get(prof, "type");
	if (pss_seccomp_type_ok(type))
		return;
	pss_path_container(e, c, ".securityContext.seccompProfile.type");
	pss_emit(e, type ? type : prof,
	         "container \"%s\" must not set securityContext.seccompProfile.type to \"%s\"", c->name,
	         shown(type));
}

static bool seccomp_annotation_valid(const char *v)
{
	return strcmp(v, "runtime/default") == 0 || strcmp(v, "docker/default") == 0 ||
	       strncmp(v, "localhost/", 10) == 0;
}

static void seccomp_annotation(pss_eval *e, const gr_value *ann, const char *key)
{
	const gr_member *m = gr_get_member(ann, key, strlen(key));
	if (!m)
		return;
	const char *v = pss_str(&m->value);
	if (v && seccomp_annotation_valid(v))
		return;
	gr_path_init(&e->path, e->meta_path);
	gr_path_push_key(&e->path, "annotations", 11);
	gr_path_push_key(&e->path, m->key, m->key_len);
	pss_emit(e, &m->value, "forbidden annotation %s=\"%s\"", m->key, v ? v : shown(&m->value));
}

static void seccomp_annotation_container(pss_eval *e, const pss_container *c)
{
	char key[320];
	snprintf(key, sizeof key, SECCOMP_CONTAINER_ANNOTATION "%.255s", c->name);
	seccomp_annotation(e, gr_get(e->meta, "annotations"), key);
}

void pss_check_seccomp_baseline(pss_eval *e)
{
	if (e->minor >= 19) {
		const gr_value *prof = gr_get_path(e->spec, "securityContext", "seccompProfile", NULL);
		if (pss_set(prof)) {
			const gr_value *type = gr_get(prof, "type");
			if (!pss_seccomp_type_ok(type)) {
				pss_path_spec(e, ".securityContext.seccompProfile.type");
				pss_emit(e, type ? type : prof,
				         "pod must not set securityContext.seccompProfile.type to \"%s\"",
				         shown(type));
			}
		}
		pss_visit_containers(e, seccomp_baseline_container);
		return;
	}
	/* Before v1.19: the alpha annotations, for the pod and for each
	 * container the pod has (an annotation naming no container is inert). */
	const gr_value *ann = gr_get(e->meta, "annotations");
	if (!ann || ann->type != GR_OBJECT)
		return;
	seccomp_annotation(e, ann, SECCOMP_POD_ANNOTATION);
	pss_visit_containers(e, seccomp_annotation_container);
}

/* ---- sysctls (the safe set grows with the version) ---- */

static const struct {
	const char *name;
	int since;
} safe_sysctls[] = {
        {"kernel.shm_rmid_forced", 0},
        {"net.ipv4.ip_local_port_range", 0},
        {"net.ipv4.tcp_syncookies", 0},
        {"net.ipv4.ping_group_range", 0},
        {"net.ipv4.ip_unprivileged_port_start", 0},
        {"net.ipv4.ip_local_reserved_ports", 27},
        {"net.ipv4.tcp_keepalive_time", 29},
        {"net.ipv4.tcp_fin_timeout", 29},
        {"net.ipv4.tcp_keepalive_intvl", 29},
        {"net.ipv4.tcp_keepalive_probes", 29},
        {"net.ipv4.tcp_rmem", 32},
        {"net.ipv4.tcp_wmem", 32},
        {"net.ipv4.tcp_slow_start_after_idle", 37},
        {"net.ipv4.tcp_notsent_lowat", 37},
};

static bool sysctl_safe(const char *name, int minor)
{
	for (size_t i = 0; i < sizeof safe_sysctls / sizeof safe_sysctls[0]; i++)
		if (minor >= safe_sysctls[i].since && strcmp(name, safe_sysctls[i].name) == 0)
			return true;
	return false;
}

void pss_check_sysctls(pss_eval *e)
{
	const gr_value *list = gr_get_path(e->spec, "securityContext", "sysctls", NULL);
	if (!list || list->type != GR_ARRAY)
		return;
	for (size_t i = 0; i < list->u.a.len; i++) {
		const gr_value *item = &list->u.a.items[i];
		const gr_value *name = gr_get(item, "name");
		const char *s = pss_str(name);
		if (!s)
			s = "";
		if (sysctl_safe(s, e->minor))
			continue;
		char suffix[64];
		snprintf(suffix, sizeof suffix, ".securityContext.sysctls[%zu].name", i);
		pss_path_spec(e, suffix);
		pss_emit(e, name ? name : item, "%s", s);
	}
}

/* ---- hostProbesAndHostLifecycle (v1.34) ---- */

static void host_field(pss_eval *e, const pss_container *c, const gr_value *handler, const char *where)
{
	static const char *const kinds[] = {"httpGet", "tcpSocket"};
	for (size_t k = 0; k < 2; k++) {
		const gr_value *host = gr_get(gr_get(handler, kinds[k]), "host");
		if (!pss_nonempty(host))
			continue;
		char suffix[96];
		snprintf(suffix, sizeof suffix, ".%s.%s.host", where, kinds[k]);
		pss_path_container(e, c, suffix);
		pss_emit(e, host, "container \"%s\" uses probe or lifecycle host \"%s\"", c->name,
		         host->u.s.ptr);
	}
}

static void host_probes_container(pss_eval *e, const pss_container *c)
{
	static const char *const probes[] = {"livenessProbe", "readinessProbe", "startupProbe"};
	for (size_t i = 0; i < 3; i++)
		host_field(e, c, gr_get(c->node, probes[i]), probes[i]);
	const gr_value *lc = gr_get(c->node, "lifecycle");
	host_field(e, c, gr_get(lc, "postStart"), "lifecycle.postStart");
	host_field(e, c, gr_get(lc, "preStop"), "lifecycle.preStop");
}

void pss_check_host_probes(pss_eval *e)
{
	pss_visit_containers(e, host_probes_container);
}
