/*
 * apps.c — apps/v1 (pkg/apis/apps/validation): Deployment, ReplicaSet,
 * DaemonSet validate their pod template fully; a StatefulSet's template
 * only for its restart policy (the server does not run ValidatePodSpec on
 * it in 1.32).
 */
#include <string.h>

#include "native_int.h"

void nv_template_restart_always(nv_ctx *c, const gr_value *spec, const char *path);

void nv_check_apps(nv_ctx *c)
{
	if (strcmp(c->obj->group, "apps") != 0)
		return;
	const char *k = c->obj->kind;
	const gr_value *spec = gr_get_path(c->obj->root, "spec", "template", "spec", NULL);
	if (strcmp(k, "StatefulSet") == 0) {
		nv_template_restart_always(c, spec, "spec.template.spec");
		return;
	}
	if (strcmp(k, "Deployment") == 0 || strcmp(k, "ReplicaSet") == 0 || strcmp(k, "DaemonSet") == 0) {
		nv_check_pod_spec(c, spec, "spec.template.spec", false);
		nv_template_restart_always(c, spec, "spec.template.spec");
	}
}
