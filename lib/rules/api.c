/*
 * api.c — api.deprecated and api.removed: an object whose (apiVersion,
 * kind) the table (api_table.c) marks deprecated or removed at the target
 * Kubernetes version (--target-kubernetes; default the newest version the
 * table knows). Also judged: the apiVersion recorded in the
 * kubectl.kubernetes.io/last-applied-configuration annotation (what was
 * applied, which kubectl upgrades silently on read) and the one each field
 * manager last wrote with (metadata.managedFields[].apiVersion: a live
 * object read at its preferred version still shows the version its CI
 * pipeline or controller sends). A custom resource's version is judged by
 * its CustomResourceDefinition in the input set, as the server serves it:
 * `deprecated: true` is api.deprecated, a version no longer served (or no
 * longer defined) is api.removed.
 */
#include <stdio.h>
#include <stdlib.h>

#include "api_int.h"
#include "guardrail/decode.h"
#include "rules_int.h"

static int minor_of(const char *v)
{
	if (!v || !*v)
		return 0;
	if (*v == 'v')
		v++;
	int ma = 0, mi = 0;
	if (sscanf(v, "%d.%d", &ma, &mi) != 2)
		return -1;
	return ma * 100 + mi;
}

static int target_minor(const rl_ctx *c)
{
	int t = minor_of(c->opt->target_kubernetes);
	return t > 0 ? t : 135; /* the newest schemas we ship */
}

const rl_api_row *rl_api_lookup(const char *api_version, const char *kind);
const rl_api_row *rl_api_lookup(const char *api_version, const char *kind)
{
	/* the first letter of the kind rules out most rows without a call:
	 * every object of every input is looked up, by two rules */
	for (const rl_api_row *r = rl_api_table; r->api_version; r++)
		if (r->kind[0] == kind[0] && strcmp(r->kind, kind) == 0 &&
		    strcmp(r->api_version, api_version) == 0)
			return r;
	return NULL;
}

/* The CustomResourceDefinition in the set that defines group/kind, or NULL
 * (the first in document order). */
static const gr_object *find_crd(const rl_ctx *c, const char *group, size_t glen, const char *kind)
{
	char g0[256];
	if (glen >= sizeof g0)
		return NULL; /* longer than a DNS subdomain: no CRD can declare it */
	memcpy(g0, group, glen);
	g0[glen] = '\0';
	uint64_t h = rl_hash(g0, kind, NULL);
	for (uint32_t e = rl_map_first(&rl_use_set(c)->crd_gk, h); e;
	     e = rl_map_next(&rl_use_set(c)->crd_gk, e, h)) {
		const gr_object *x = &rl_use_set(c)->objs[rl_map_obj(&rl_use_set(c)->crd_gk, e)];
		const gr_value *spec = gr_get(x->root, "spec");
		const char *g = gr_get_str(spec, "group"), *k = gr_get_str(gr_get(spec, "names"), "kind");
		if (g && k && strcmp(g, g0) == 0 && strcmp(k, kind) == 0)
			return x;
	}
	return NULL;
}

/* A custom resource's version as its CRD serves it. */
static void judge_crd(rl_ctx *c, const char *api_version, const char *kind, const char *path,
                      const gr_value *at, const char *where)
{
	const char *slash = strchr(api_version, '/');
	if (!slash || !rl_use_set(c))
		return;
	const gr_object *crd = find_crd(c, api_version, (size_t)(slash - api_version), kind);
	if (!crd)
		return;
	const char *version = slash + 1;
	const gr_value *versions = gr_get(gr_get(crd->root, "spec"), "versions");
	const gr_value *v = NULL;
	const char *storage = NULL;
	for (size_t i = 0; gr_is(versions, GR_ARRAY) && i < versions->u.a.len; i++) {
		const gr_value *x = &versions->u.a.items[i];
		const char *n = gr_get_str(x, "name");
		if (n && strcmp(n, version) == 0)
			v = x;
		if (n && rl_true(gr_get(x, "storage")))
			storage = n;
	}
	bool removed = !v || rl_false(gr_get(v, "served"));
	bool deprecated = !removed && rl_true(gr_get(v, "deprecated"));
	if ((c->rule->param == 1) != removed || (c->rule->param == 0 && !deprecated))
		return;
	char repl[200] = "";
	if (storage && strcmp(storage, version) != 0)
		snprintf(repl, sizeof repl, "; use %.*s/%s (the storage version)", (int)(slash - api_version),
		         api_version, storage);
	if (removed)
		rl_emit(c, path, at, "%s %s%s is %s by CustomResourceDefinition %s%s", api_version, kind,
		        where, v ? "no longer served" : "not defined", crd->name, repl);
	else {
		const char *w = gr_get_str(v, "deprecationWarning");
		rl_emit(c, path, at, "%s %s%s is deprecated by CustomResourceDefinition %s%s%s%s",
		        api_version, kind, where, crd->name, w ? ": " : "", w ? w : "", w ? "" : repl);
	}
}

static void judge(rl_ctx *c, const char *api_version, const char *kind, const char *path, const gr_value *at,
                  const char *where)
{
	const rl_api_row *r = rl_api_lookup(api_version, kind);
	if (!r) {
		judge_crd(c, api_version, kind, path, at, where);
		return;
	}
	int t = target_minor(c);
	int rem = minor_of(r->removed_in), dep = minor_of(r->deprecated_in);
	bool removed = rem > 0 && t >= rem;
	bool deprecated = !removed && dep > 0 && t >= dep;
	if ((c->rule->param == 1) != removed || (c->rule->param == 0 && !deprecated))
		return;
	char repl[160] = "";
	if (r->replacement[0])
		snprintf(repl, sizeof repl, "; use %s (available since %s)", r->replacement,
		         r->replacement_since[0] ? r->replacement_since : "its release");
	if (removed)
		rl_emit(c, path, at, "%s %s%s was removed in Kubernetes %s (target %d.%d)%s", api_version,
		        kind, where, r->removed_in, t / 100, t % 100, repl);
	else
		rl_emit(c, path, at, "%s %s%s is deprecated since Kubernetes %s%s%s%s", api_version, kind,
		        where, r->deprecated_in, r->removed_in[0] ? " and removed in " : "", r->removed_in,
		        repl);
}

const gr_value *rl_helm_manifest(gr_arena *a, const gr_object *o, const char **name, const gr_value **at,
                                 gr_document **docs, size_t *ndocs);

/* The objects a Helm release record will apply again on upgrade or rollback. */
static void helm_release(rl_ctx *c)
{
	const char *rel = NULL;
	const gr_value *at = NULL;
	gr_document *docs = NULL;
	size_t nd = 0;
	if (!rl_helm_manifest(c->out->arena, c->obj, &rel, &at, &docs, &nd))
		return;
	for (size_t i = 0; i < nd; i++) {
		const char *av = gr_get_str(&docs[i].root, "apiVersion"),
		           *k = gr_get_str(&docs[i].root, "kind");
		const char *n = gr_get_str(gr_get(&docs[i].root, "metadata"), "name");
		if (!av || !k)
			continue;
		char where[300];
		snprintf(where, sizeof where, " \"%s\" (in Helm release %s)", n ? n : "", rel ? rel : "");
		judge(c, av, k, "data.release", at, where);
	}
}

/* The version each field manager last wrote with; each apiVersion once,
 * and not again when the object or its last-applied record has it. */
static void managed_fields(rl_ctx *c, const char *applied)
{
	const gr_value *mf = gr_get(gr_get(c->obj->root, "metadata"), "managedFields");
	for (size_t i = 0; gr_is(mf, GR_ARRAY) && i < mf->u.a.len; i++) {
		const gr_value *e = gr_get(&mf->u.a.items[i], "apiVersion");
		const char *av = rl_str(e);
		if (!av || strcmp(av, c->obj->api_version) == 0 || (applied && strcmp(av, applied) == 0))
			continue;
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = rl_is(gr_get_str(&mf->u.a.items[j], "apiVersion"), av);
		if (seen)
			continue;
		const char *manager = gr_get_str(&mf->u.a.items[i], "manager");
		char path[64], where[200];
		snprintf(path, sizeof path, "metadata.managedFields[%zu].apiVersion", i);
		snprintf(where, sizeof where, " (as last written by %s)",
		         manager ? manager : "a field manager");
		judge(c, av, c->obj->kind, path, e, where);
	}
}

static void api_rule(rl_ctx *c)
{
	if (!c->obj->kind[0] || !c->obj->api_version[0])
		return;
	rl_judged(c);
	judge(c, c->obj->api_version, c->obj->kind, "apiVersion", gr_get(c->obj->root, "apiVersion"), "");
	helm_release(c);
	/* kubectl's record of what was applied, or kapp's */
	const gr_value *ann = rl_annotations(c->obj);
	const gr_value *lac = gr_get(ann, "kubectl.kubernetes.io/last-applied-configuration");
	const char *lpath = "metadata.annotations[kubectl.kubernetes.io/last-applied-configuration]";
	if (!lac) {
		lac = gr_get(ann, "kapp.k14s.io/original");
		lpath = "metadata.annotations[kapp.k14s.io/original]";
	}
	const char *applied = NULL;
	gr_value v;
	gr_error err;
	if (lac && lac->type == GR_STRING) {
		gr_error_clear(&err);
		if (gr_decode_json(c->out->arena, lac->u.s.ptr, lac->u.s.len, NULL, &v, &err) == 0) {
			const char *av = gr_get_str(&v, "apiVersion"), *k = gr_get_str(&v, "kind");
			if (av && k && strcmp(av, c->obj->api_version) != 0) {
				judge(c, av, k, lpath, lac, " (as last applied)");
				applied = av;
			}
		} else if (err.kind == GR_ERR_NOMEM) {
			c->oom = true; /* not an annotation that does not parse: the check fails */
		}
	}
	managed_fields(c, applied);
}

#define API(id, sev, act, summary, fix, up, param)                                                           \
	{                                                                                                    \
		{"api." id, "api", sev, act, true, summary, fix, up, "docs/rules/api.md#api" id}, api_rule,  \
		        param, NULL                                                                          \
	}

const rl_rule rl_pack_api[] = {
        API("deprecated", GR_SEV_WARNING, GR_ACTION_WARN,
            "the apiVersion is deprecated at the target version",
            "move to the replacement apiVersion before the version that removes it",
            "kube-score:stable-version kube-linter:no-extensions-v1beta pluto kubent", 0),
        API("removed", GR_SEV_ERROR, GR_ACTION_ENFORCE, "the apiVersion is removed at the target version",
            "rewrite the object for the replacement apiVersion (kubectl convert, or by hand)",
            "kube-score:stable-version kube-linter:no-extensions-v1beta pluto kubent", 1),
        RL_PACK_END,
};
