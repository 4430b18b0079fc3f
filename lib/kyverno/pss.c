/*
 * pss.c — validate.podSecurity: the pod spec judged by the Pod Security
 * engine (lib/pss) at the rule's level and version, minus the `exclude`
 * entries (by Kyverno control name, optionally only for some images, or
 * only for some values of a restricted field).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/pss.h"
#include "kyverno_int.h"

/* Kyverno control names to PSA check ids. */
static const struct {
	const char *control;
	const char *checks[3];
} controls[] = {
        {"Capabilities", {"capabilities_baseline", "capabilities_restricted"}},
        {"Host Namespaces", {"hostNamespaces"}},
        {"HostPath Volumes", {"hostPathVolumes"}},
        {"Host Ports", {"hostPorts"}},
        {"Privileged Containers", {"privileged"}},
        {"Privilege Escalation", {"allowPrivilegeEscalation"}},
        {"Running as Non-root", {"runAsNonRoot"}},
        {"Running as Non-root user", {"runAsUser"}},
        {"Seccomp", {"seccompProfile_baseline", "seccompProfile_restricted"}},
        {"SELinux", {"seLinuxOptions"}},
        {"Sysctls", {"sysctls"}},
        {"Volume Types", {"restrictedVolumes"}},
        {"/proc Mount Type", {"procMount", "procMount_restricted"}},
        {"AppArmor", {"appArmorProfile"}},
        {"HostProcess", {"windowsHostProcess"}},
        {"Host Probes / Lifecycle Hooks", {"hostProbesAndHostLifecycle"}},
};

static bool control_has(const char *control, const char *check)
{
	for (size_t i = 0; i < sizeof controls / sizeof controls[0]; i++)
		if (strcmp(controls[i].control, control) == 0)
			for (int j = 0; j < 3 && controls[i].checks[j]; j++)
				if (strcmp(controls[i].checks[j], check) == 0)
					return true;
	return false;
}

typedef struct sink_state {
	ky_eval *ev;
	const gr_value *exclude;
	const gr_value *spec;
	size_t kept;
	gr_buf msg;
} sink_state;

/* The container a violation path names (…containers[2]…), or NULL. */
static const gr_value *container_of(const gr_value *spec, const char *path)
{
	static const char *const lists[] = {"initContainers", "ephemeralContainers", "containers"};
	for (int l = 0; l < 3; l++) {
		char needle[40];
		snprintf(needle, sizeof needle, ".%s[", lists[l]);
		const char *p = strstr(path, needle);
		if (p)
			return gr_at(gr_get(spec, lists[l]), (size_t)strtoul(p + strlen(needle), NULL, 10));
	}
	return NULL;
}

static bool value_listed(const gr_value *values, const gr_value *at)
{
	if (!values || values->type != GR_ARRAY || !at)
		return false;
	char buf[64];
	const char *s = NULL;
	if (at->type == GR_STRING)
		s = at->u.s.ptr;
	else if (at->type == GR_INT)
		snprintf(buf, sizeof buf, "%lld", (long long)at->u.i), s = buf;
	else if (at->type == GR_BOOL)
		s = at->u.b ? "true" : "false";
	if (!s)
		return false;
	for (size_t i = 0; i < values->u.a.len; i++)
		if (values->u.a.items[i].type == GR_STRING && strcmp(values->u.a.items[i].u.s.ptr, s) == 0)
			return true;
	return false;
}

static bool excluded(sink_state *st, const gr_pss_violation *v)
{
	const gr_value *ex = st->exclude;
	for (size_t i = 0; ex && ex->type == GR_ARRAY && i < ex->u.a.len; i++) {
		const gr_value *e = &ex->u.a.items[i];
		const char *control = gr_get_str(e, "controlName");
		if (!control || !control_has(control, v->check_id))
			continue;
		const gr_value *images = gr_get(e, "images");
		if (images && images->type == GR_ARRAY && images->u.a.len) {
			const gr_value *c = container_of(st->spec, v->path);
			const char *img = c ? gr_get_str(c, "image") : NULL;
			bool match = false;
			for (size_t j = 0; img && j < images->u.a.len && !match; j++)
				match = images->u.a.items[j].type == GR_STRING &&
				        ky_wildcard_z(images->u.a.items[j].u.s.ptr, img);
			if (!match)
				continue;
		}
		const gr_value *values = gr_get(e, "values");
		if (gr_get(e, "restrictedField") && values && !value_listed(values, v->at))
			continue;
		return true;
	}
	return false;
}

static void sink(void *user, const gr_pss_violation *v)
{
	sink_state *st = user;
	if (excluded(st, v))
		return;
	if (st->kept++)
		gr_buf_puts(&st->msg, "; ");
	gr_buf_printf(&st->msg, "%s: %s", v->reason, v->detail);
}

ky_result ky_eval_pss(ky_eval *ev, const ky_rule *r, const gr_value *resource)
{
	ky_result out = {.status = GR_KY_ERROR};
	const gr_value *ps = r ? r->pss : NULL;
	const char *level = gr_get_str(ps, "level");
	const char *version = gr_get_str(ps, "version");
	gr_pss_spec at;
	if (!level || gr_pss_parse_level(level, &at.level) != 0) {
		out.message = "podSecurity: invalid level";
		return out;
	}
	at.minor = GR_PSS_LATEST;
	if (version && gr_pss_parse_version(version, &at.minor) != 0) {
		out.message = "podSecurity: invalid version";
		return out;
	}
	const char *kind = gr_get_str(resource, "kind");
	const gr_value *spec, *meta;
	const char *sp, *mp;
	if (kind && strcmp(kind, "Pod") == 0) {
		spec = gr_get(resource, "spec");
		meta = gr_get(resource, "metadata");
		sp = "spec";
		mp = "metadata";
	} else if (kind && strcmp(kind, "CronJob") == 0) {
		spec = gr_get_path(resource, "spec", "jobTemplate", "spec", "template", "spec", NULL);
		meta = gr_get_path(resource, "spec", "jobTemplate", "spec", "template", "metadata", NULL);
		sp = "spec.jobTemplate.spec.template.spec";
		mp = "spec.jobTemplate.spec.template.metadata";
	} else {
		spec = gr_get_path(resource, "spec", "template", "spec", NULL);
		meta = gr_get_path(resource, "spec", "template", "metadata", NULL);
		sp = "spec.template.spec";
		mp = "spec.template.metadata";
	}
	if (!spec || spec->type != GR_OBJECT) {
		out.status = GR_KY_PASS;
		out.message = "no pod spec";
		return out;
	}
	sink_state st = {.ev = ev, .exclude = gr_get(ps, "exclude"), .spec = spec};
	gr_buf_init(&st.msg);
	gr_pss_evaluate(meta, mp, spec, sp, at, sink, &st);
	char vb[16];
	if (st.kept) {
		out.status = GR_KY_FAIL;
		out.message = gr_arena_printf(
		        ev->arena, "Validation rule '%s' failed. It violates PodSecurity \"%s:%s\": %s",
		        r->name, level, gr_pss_version_name(at.minor, vb, sizeof vb),
		        st.msg.data ? st.msg.data : "");
	} else {
		out.status = GR_KY_PASS;
		out.message = gr_arena_printf(ev->arena, "Validation rule '%s' passed.", r->name);
	}
	gr_buf_free(&st.msg);
	return out;
}
