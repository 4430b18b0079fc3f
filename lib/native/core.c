/*
 * core.c — the core group's kinds (pkg/apis/core/validation): Pod,
 * ReplicationController and PodTemplate (their pod specs), Service (type,
 * ports, target ports, node ports, session affinity, external name).
 */
#include <stdio.h>
#include <string.h>

#include "native_int.h"

#define ARR(v)     ((v) && (v)->type == GR_ARRAY)
#define EACH(v, i) for (size_t i = 0; ARR(v) && i < (v)->u.a.len; i++)

static const char *const protocols[] = {"SCTP", "TCP", "UDP", NULL};
static const char *const always_only[] = {"Always", NULL};

/* a controller's template: restartPolicy must be Always */
void nv_template_restart_always(nv_ctx *c, const gr_value *spec, const char *path)
{
	const gr_value *v = gr_get(spec, "restartPolicy");
	if (v && v->type == GR_STRING && strcmp(v->u.s.ptr, "Always") != 0) {
		char p[600];
		snprintf(p, sizeof p, "%s.restartPolicy", path);
		nv_not_supported(c, NV_POD_TEMPLATE_RESTART_POLICY, p, v, always_only);
	}
}

static void check_service(nv_ctx *c)
{
	const gr_value *spec = gr_get(c->obj->root, "spec");
	if (!spec || spec->type != GR_OBJECT)
		return;
	static const char *const types[] = {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort", NULL};
	const gr_value *t = gr_get(spec, "type");
	const char *type = t && t->type == GR_STRING ? t->u.s.ptr : "ClusterIP";
	if (!nv_in(type, types))
		nv_not_supported(c, NV_SERVICE_TYPE, "spec.type", t, types);
	if (strcmp(type, "ExternalName") == 0) {
		const char *en = nv_str(spec, "externalName");
		if (!en || !*en)
			nv_required(c, NV_SERVICE_EXTERNAL_NAME, "spec.externalName", spec, NULL);
	}
	const gr_value *ports = gr_get(spec, "ports");
	EACH(ports, i)
	{
		const gr_value *pt = &ports->u.a.items[i];
		char p[128];
		const gr_value *v = gr_get(pt, "port");
		int64_t n;
		if (nv_int(v, &n) && (n < 1 || n > 65535)) {
			snprintf(p, sizeof p, "spec.ports[%zu].port", i);
			nv_invalid(c, NV_SERVICE_PORT, p, v, "must be between 1 and 65535, inclusive");
		}
		v = gr_get(pt, "protocol");
		if (v && v->type == GR_STRING && !nv_in(v->u.s.ptr, protocols)) {
			snprintf(p, sizeof p, "spec.ports[%zu].protocol", i);
			nv_not_supported(c, NV_PORT_PROTOCOL, p, v, protocols);
		}
		v = gr_get(pt, "targetPort");
		snprintf(p, sizeof p, "spec.ports[%zu].targetPort", i);
		if (nv_int(v, &n) && n != 0 && (n < 1 || n > 65535))
			nv_invalid(c, NV_SERVICE_TARGET_PORT, p, v, "must be between 1 and 65535, inclusive");
		else if (v && v->type == GR_STRING && v->u.s.len) {
			nv_msgs m = {0};
			nv_port_name(v->u.s.ptr, &m);
			for (int j = 0; j < m.n; j++)
				nv_invalid(c, NV_SERVICE_TARGET_PORT, p, v, m.m[j]);
		}
		v = gr_get(pt, "nodePort");
		if (nv_int(v, &n) && n != 0) {
			snprintf(p, sizeof p, "spec.ports[%zu].nodePort", i);
			if (strcmp(type, "ClusterIP") == 0 || strcmp(type, "ExternalName") == 0) {
				char d[128];
				snprintf(d, sizeof d, "may not be used when `type` is '%s'", type);
				nv_forbidden(c, NV_SERVICE_NODE_PORT, p, v, d);
			} else
				for (size_t k = 0; k < i; k++) {
					int64_t o;
					if (nv_int(gr_get(&ports->u.a.items[k], "nodePort"), &o) && o == n) {
						nv_invalid(c, NV_SERVICE_NODE_PORT, p, v,
						           "provided port is already allocated");
						break;
					}
				}
		}
		/* duplicate (port, protocol) */
		int64_t pn;
		if (nv_int(gr_get(pt, "port"), &pn)) {
			const char *pr = nv_str(pt, "protocol");
			for (size_t k = 0; k < i; k++) {
				const gr_value *o = &ports->u.a.items[k];
				int64_t on;
				const char *opr = nv_str(o, "protocol");
				if (nv_int(gr_get(o, "port"), &on) && on == pn &&
				    strcmp(pr ? pr : "TCP", opr ? opr : "TCP") == 0) {
					snprintf(p, sizeof p, "spec.ports[%zu]", i);
					nv_duplicate(c, NV_SERVICE_PORT_DUPLICATE, p, pt);
					break;
				}
			}
		}
	}
	static const char *const aff[] = {"ClientIP", "None", NULL};
	const gr_value *sa = gr_get(spec, "sessionAffinity");
	if (sa && sa->type == GR_STRING) {
		if (!nv_in(sa->u.s.ptr, aff))
			nv_not_supported(c, NV_SERVICE_SESSION_AFFINITY, "spec.sessionAffinity", sa, aff);
		else if (strcmp(sa->u.s.ptr, "ClientIP") == 0) {
			const gr_value *to = gr_get_path(spec, "sessionAffinityConfig", "clientIP",
			                                 "timeoutSeconds", NULL);
			int64_t n;
			if (nv_int(to, &n) && (n <= 0 || n > 86400))
				nv_invalid(c, NV_SERVICE_SESSION_AFFINITY,
				           "spec.sessionAffinityConfig.clientIP.timeoutSeconds", to,
				           "must be greater than 0 and less than 86400");
		}
	}
}

void nv_check_core(nv_ctx *c)
{
	if (*c->obj->group)
		return;
	const char *k = c->obj->kind;
	if (strcmp(k, "Pod") == 0)
		nv_check_pod_spec(c, gr_get(c->obj->root, "spec"), "spec", true);
	else if (strcmp(k, "ReplicationController") == 0 || strcmp(k, "PodTemplate") == 0) {
		const char *tp = k[0] == 'R' ? "spec.template" : "template";
		const gr_value *tmpl = k[0] == 'R' ? gr_get_path(c->obj->root, "spec", "template", NULL)
		                                   : gr_get(c->obj->root, "template");
		char p[64];
		snprintf(p, sizeof p, "%s.spec", tp);
		nv_check_pod_spec(c, gr_get(tmpl, "spec"), p, false);
		if (k[0] == 'R')
			nv_template_restart_always(c, gr_get(tmpl, "spec"), p);
	} else if (strcmp(k, "Service") == 0)
		check_service(c);
}
