/*
 * relax.c — the schema findings on built-in kinds that the API server does
 * not make (see relax.h): the server's hand-written validation, not the
 * published schema, decides these.
 */
#include <string.h>

#include "relax.h"

static bool ends_with_index(const char *path, const char *key)
{
	/* "...<key>[N]" */
	size_t n = strlen(path);
	if (!n || path[n - 1] != ']')
		return false;
	const char *lb = strrchr(path, '[');
	if (!lb)
		return false;
	size_t kl = strlen(key);
	return (size_t)(lb - path) >= kl && memcmp(lb - kl, key, kl) == 0 &&
	       (lb - kl == path || lb[-(long)kl - 1] == '.');
}

static bool builtin(const char *g)
{
	return !*g || strcmp(g, "apps") == 0 || strcmp(g, "batch") == 0;
}

void gri_native_relax_schema(const gr_object *obj, gr_findings *out, size_t from)
{
	if (!obj)
		return;
	bool eps = strcmp(obj->group, "discovery.k8s.io") == 0 && strcmp(obj->kind, "EndpointSlice") == 0;
	if (!builtin(obj->group) && !eps)
		return;
	size_t w = from;
	for (size_t i = from; i < out->len; i++) {
		gr_finding *f = &out->items[i];
		bool drop = false;
		if (strcmp(f->rule, "schema.duplicate") == 0) {
			static const char *const keys[] = {
			        "env",     "ports",        "containers", "initContainers",
			        "volumes", "volumeMounts", NULL};
			for (int k = 0; keys[k]; k++)
				if (ends_with_index(f->path, keys[k]) &&
				    !(strcmp(keys[k], "ports") == 0 && strcmp(obj->kind, "Service") == 0)) {
					f->severity = GR_SEV_WARNING;
					f->action = GR_ACTION_WARN;
				}
		} else if (strcmp(f->rule, "schema.required") == 0) {
			if (eps && strcmp(f->path, "endpoints") == 0)
				drop = true; /* an EndpointSlice may have no endpoints */
			if (strcmp(obj->group, "apps") == 0 && strcmp(obj->kind, "StatefulSet") == 0 &&
			    strcmp(f->path, "spec.serviceName") == 0)
				drop = true; /* optional in the 1.32 server */
			if (strcmp(obj->group, "batch") == 0 && strcmp(obj->kind, "Job") == 0 &&
			    strstr(f->path, "podFailurePolicy.rules[") &&
			    strstr(f->path, "onPodConditions[") && strlen(f->path) > 7 &&
			    strcmp(f->path + strlen(f->path) - 7, ".status") == 0)
				drop = true; /* defaulted to True in a Job (not in a CronJob's jobTemplate) */
		}
		if (!drop)
			out->items[w++] = *f;
	}
	out->len = w;
}
