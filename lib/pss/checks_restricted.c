/*
 * checks_restricted.c — the checks the restricted level adds to baseline:
 * the current pod-hardening best practices (non-root, no privilege
 * escalation, seccomp on, capabilities dropped, only safe volume types).
 *
 * Several of these *require* a field rather than forbid a value; when the
 * field is missing the finding's path names the field to set and its
 * position is the nearest parent that exists. From v1.25 Windows pods
 * (spec.os.name: windows) are exempt from the Linux-only requirements.
 */
#include <stdio.h>
#include <string.h>

#include "pss_internal.h"

static bool windows_exempt(const pss_eval *e)
{
	return e->minor >= 25 && e->windows;
}

/* ---- restrictedVolumes (v1.0) ---- */

static const char *const allowed_volume_types[] = {
        "configMap", "csi",    "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
        "projected", "secret", NULL,
};

void pss_check_restricted_volumes(pss_eval *e)
{
	const gr_value *vols = gr_get(e->spec, "volumes");
	if (!vols || vols->type != GR_ARRAY)
		return;
	for (size_t i = 0; i < vols->u.a.len; i++) {
		const gr_value *vol = &vols->u.a.items[i];
		if (vol->type != GR_OBJECT)
			continue;
		const char *name = gr_get_str(vol, "name");
		for (size_t k = 0; k < vol->u.o.len; k++) {
			const gr_member *m = &vol->u.o.members[k];
			if (strcmp(m->key, "name") == 0 || m->value.type == GR_NULL ||
			    pss_in_list(m->key, allowed_volume_types))
				continue;
			char suffix[96];
			snprintf(suffix, sizeof suffix, ".volumes[%zu]", i);
			pss_path_spec(e, suffix);
			gr_path_push_key(&e->path, m->key, m->key_len);
			pss_emit(e, &m->value, "volume \"%s\" uses restricted volume type \"%s\"",
			         name ? name : "", m->key);
		}
	}
}

/* ---- allowPrivilegeEscalation (v1.8; Windows exempt from v1.25) ---- */

static void ape_container(pss_eval *e, const pss_container *c)
{
	const gr_value *v = gr_get(c->sc, "allowPrivilegeEscalation");
	if (pss_false(v))
		return;
	pss_path_container(e, c, ".securityContext.allowPrivilegeEscalation");
	pss_emit(e, pss_set(v) ? v : pss_deepest(c->node, "securityContext", NULL),
	         "container \"%s\" must set securityContext.allowPrivilegeEscalation=false", c->name);
}

void pss_check_allow_privilege_escalation(pss_eval *e)
{
	if (windows_exempt(e))
		return;
	pss_visit_containers(e, ape_container);
}

/* ---- runAsNonRoot (v1.0) ---- */

static void run_as_non_root_container(pss_eval *e, const pss_container *c)
{
	const gr_value *v = gr_get(c->sc, "runAsNonRoot");
	pss_path_container(e, c, ".securityContext.runAsNonRoot");
	if (pss_set(v)) {
		if (!pss_true(v))
			pss_emit(e, v, "container \"%s\" must not set securityContext.runAsNonRoot=false",
			         c->name);
		return;
	}
	/* Unset here: fine only when the pod says true. */
	if (!pss_true(gr_get_path(e->spec, "securityContext", "runAsNonRoot", NULL)))
		pss_emit(e, pss_deepest(c->node, "securityContext", NULL),
		         "pod or container \"%s\" must set securityContext.runAsNonRoot=true", c->name);
}

void pss_check_run_as_non_root(pss_eval *e)
{
	const gr_value *v = gr_get_path(e->spec, "securityContext", "runAsNonRoot", NULL);
	if (pss_set(v) && !pss_true(v)) {
		pss_path_spec(e, ".securityContext.runAsNonRoot");
		pss_emit(e, v, "pod must not set securityContext.runAsNonRoot=false");
	}
	pss_visit_containers(e, run_as_non_root_container);
}

/* ---- runAsUser (v1.23) ---- */

static bool is_root_uid(const gr_value *v)
{
	return gr_is_number(v) && gr_number(v) == 0;
}

static void run_as_user_container(pss_eval *e, const pss_container *c)
{
	const gr_value *v = gr_get(c->sc, "runAsUser");
	if (!is_root_uid(v))
		return;
	pss_path_container(e, c, ".securityContext.runAsUser");
	pss_emit(e, v, "container \"%s\" must not set runAsUser=0", c->name);
}

void pss_check_run_as_user(pss_eval *e)
{
	const gr_value *v = gr_get_path(e->spec, "securityContext", "runAsUser", NULL);
	if (is_root_uid(v)) {
		pss_path_spec(e, ".securityContext.runAsUser");
		pss_emit(e, v, "pod must not set runAsUser=0");
	}
	pss_visit_containers(e, run_as_user_container);
}

/* ---- seccompProfile_restricted (v1.19; Windows exempt from v1.25) ---- */

static const char *type_shown(const gr_value *v)
{
	const char *s = pss_str(v);
	return s ? s : "";
}

static void seccomp_restricted_container(pss_eval *e, const pss_container *c)
{
	const gr_value *prof = gr_get(c->sc, "seccompProfile");
	pss_path_container(e, c, ".securityContext.seccompProfile.type");
	if (pss_set(prof)) {
		const gr_value *type = gr_get(prof, "type");
		if (!pss_seccomp_type_ok(type))
			pss_emit(
			        e, type ? type : prof,
			        "container \"%s\" must not set securityContext.seccompProfile.type to \"%s\"",
			        c->name, type_shown(type));
		return;
	}
	const gr_value *pod_type = gr_get_path(e->spec, "securityContext", "seccompProfile", "type", NULL);
	if (!pss_seccomp_type_ok(pod_type))
		pss_emit(e, pss_deepest(c->node, "securityContext", NULL),
		         "pod or container \"%s\" must set securityContext.seccompProfile.type to "
		         "\"RuntimeDefault\" or \"Localhost\"",
		         c->name);
}

void pss_check_seccomp_restricted(pss_eval *e)
{
	if (windows_exempt(e))
		return;
	const gr_value *prof = gr_get_path(e->spec, "securityContext", "seccompProfile", NULL);
	if (pss_set(prof)) {
		const gr_value *type = gr_get(prof, "type");
		if (!pss_seccomp_type_ok(type)) {
			pss_path_spec(e, ".securityContext.seccompProfile.type");
			pss_emit(e, type ? type : prof,
			         "pod must not set securityContext.seccompProfile.type to \"%s\"",
			         type_shown(type));
		}
	}
	pss_visit_containers(e, seccomp_restricted_container);
}

/* ---- capabilities_restricted (v1.22; Windows exempt from v1.25) ---- */

static void capabilities_restricted_container(pss_eval *e, const pss_container *c)
{
	const gr_value *caps = gr_get(c->sc, "capabilities");
	const gr_value *drop = gr_get(caps, "drop");
	bool drops_all = false;
	if (drop && drop->type == GR_ARRAY)
		for (size_t i = 0; i < drop->u.a.len && !drops_all; i++) {
			const char *s = pss_str(&drop->u.a.items[i]);
			drops_all = s && strcmp(s, "ALL") == 0;
		}
	if (!drops_all) {
		pss_path_container(e, c, ".securityContext.capabilities.drop");
		pss_emit(e, pss_deepest(c->node, "securityContext", "capabilities", "drop", NULL),
		         "container \"%s\" must set securityContext.capabilities.drop=[\"ALL\"]", c->name);
	}
	const gr_value *add = gr_get(caps, "add");
	if (!add || add->type != GR_ARRAY)
		return;
	for (size_t i = 0; i < add->u.a.len; i++) {
		const gr_value *cap = &add->u.a.items[i];
		const char *s = pss_str(cap);
		if (s && strcmp(s, "NET_BIND_SERVICE") == 0)
			continue;
		char suffix[64];
		snprintf(suffix, sizeof suffix, ".securityContext.capabilities.add[%zu]", i);
		pss_path_container(e, c, suffix);
		pss_emit(e, cap,
		         "container \"%s\" must not include \"%s\" in securityContext.capabilities.add",
		         c->name, s ? s : "");
	}
}

void pss_check_capabilities_restricted(pss_eval *e)
{
	if (windows_exempt(e))
		return;
	pss_visit_containers(e, capabilities_restricted_container);
}
