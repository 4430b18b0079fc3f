/*
 * batch.c — batch/v1 (pkg/apis/batch/validation): Job and CronJob pod
 * templates (restart policy OnFailure or Never).
 */
#include <stdio.h>
#include <string.h>

#include "native_int.h"

static void job_spec(nv_ctx *c, const gr_value *jspec, const char *path)
{
	char p[300];
	snprintf(p, sizeof p, "%s.template.spec", path);
	const gr_value *spec = gr_get_path(jspec, "template", "spec", NULL);
	nv_check_pod_spec(c, spec, p, false);
	const gr_value *v = gr_get(spec, "restartPolicy");
	static const char *const ok[] = {"OnFailure", "Never", NULL};
	if (v && v->type == GR_STRING && !nv_in(v->u.s.ptr, ok)) {
		snprintf(p, sizeof p, "%s.template.spec.restartPolicy", path);
		if (strcmp(v->u.s.ptr, "Always") == 0)
			nv_required(c, NV_POD_TEMPLATE_RESTART_POLICY, p, v,
			            "valid values: \"OnFailure\", \"Never\"");
		else
			nv_not_supported(c, NV_POD_TEMPLATE_RESTART_POLICY, p, v, ok);
	}
}

void nv_check_batch(nv_ctx *c)
{
	if (strcmp(c->obj->group, "batch") != 0)
		return;
	if (strcmp(c->obj->kind, "Job") == 0)
		job_spec(c, gr_get(c->obj->root, "spec"), "spec");
	else if (strcmp(c->obj->kind, "CronJob") == 0)
		job_spec(c, gr_get_path(c->obj->root, "spec", "jobTemplate", "spec", NULL),
		         "spec.jobTemplate.spec");
}
