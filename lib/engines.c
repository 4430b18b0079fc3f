/*
 * engines.c — the built-in engines, in their default order, and the
 * library's version. A new engine adds one extern and one row; an
 * embedder's engines are registered at run time with gr_options_register.
 */
#include <stdio.h>
#include <string.h>

#include "guardrail/guardrail.h"
#include "pipeline.h"

const char *gr_version(void)
{
	return GUARDRAIL_VERSION;
}

extern const gr_engine gri_engine_schema;
extern const gr_engine gri_engine_pss;
extern const gr_engine gri_engine_native;
extern const gr_engine gri_engine_kyverno;
extern const gr_engine gri_engine_vap;

const gr_engine *const gr_builtin_engines[] = {
        &gri_engine_schema, &gri_engine_pss, &gri_engine_native, &gri_engine_kyverno, &gri_engine_vap, NULL,
};

const gr_engine *gr_builtin_engine(const char *name)
{
	for (size_t i = 0; gr_builtin_engines[i]; i++)
		if (strcmp(gr_builtin_engines[i]->name, name) == 0)
			return gr_builtin_engines[i];
	return NULL;
}

bool gr_engine_wants_kind(const gr_engine *e, const char *group, const char *kind)
{
	return gri_kind_listed(e->kinds, group, kind);
}

bool gri_kind_listed(const char *const *kinds, const char *group, const char *kind)
{
	if (!kinds)
		return false;
	size_t gl = strlen(group);
	for (size_t i = 0; kinds[i]; i++) {
		const char *k = kinds[i];
		const char *slash = strchr(k, '/');
		if (slash ? (size_t)(slash - k) == gl && memcmp(k, group, gl) == 0 &&
		                    strcmp(slash + 1, kind) == 0
		          : gl == 0 && strcmp(k, kind) == 0)
			return true;
	}
	return false;
}

void gri_api_group(const char *api_version, char *out, size_t cap)
{
	const char *slash = api_version ? strchr(api_version, '/') : NULL;
	snprintf(out, cap, "%.*s", slash ? (int)(slash - api_version) : 0, slash ? api_version : "");
}

int gri_param_kind_add(const gr_value *param_kind, gr_pathlist *out)
{
	const char *av = gr_get_str(param_kind, "apiVersion"), *kind = gr_get_str(param_kind, "kind");
	if (!av || !kind || !*kind)
		return 0;
	char group[256], name[512];
	gri_api_group(av, group, sizeof group);
	snprintf(name, sizeof name, "%s%s%s", group, group[0] ? "/" : "", kind);
	if (!strcmp(name, "ConfigMap"))
		return 0;
	for (size_t i = 0; i < out->n; i++)
		if (!strcmp(out->v[i], name))
			return 0;
	return gr_pathlist_add(out, name);
}
