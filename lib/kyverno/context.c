/*
 * context.c — what a rule can read besides the resource: `context`
 * entries (variable, configMap, apiCall, imageRegistry, globalReference)
 * and the values a `kyverno test` supplies (cli.kyverno.io/v1alpha1
 * Values: global, per rule, per resource).
 *
 * Offline, as in the Kyverno CLI, the cluster-backed entries are no-ops:
 * a value of the same name supplied by the values file survives, and a
 * name nothing supplies fails later as an unresolved variable. A
 * `configMap` entry is answered by the caller (`guardrail check` reads the
 * ConfigMaps of its inputs) when the values do not supply it.
 */
#include <stdio.h>
#include <string.h>

#include "kyverno_int.h"

static const gr_value *find_named(const gr_value *arr, const char *name)
{
	if (!arr || arr->type != GR_ARRAY || !name)
		return NULL;
	for (size_t i = 0; i < arr->u.a.len; i++) {
		const char *n = gr_get_str(&arr->u.a.items[i], "name");
		if (n && strcmp(n, name) == 0)
			return &arr->u.a.items[i];
	}
	return NULL;
}

const gr_value *ky_values_for(const gr_kyverno_values *vals, const char *policy, const char *rule,
                              const char *resource, int level)
{
	if (!vals || !vals->root)
		return NULL;
	if (level == 0)
		return gr_get(vals->root, "globalValues");
	const gr_value *pol = find_named(gr_get(vals->root, "policies"), policy);
	if (!pol)
		return NULL;
	if (level == 1) {
		const gr_value *r = find_named(gr_get(pol, "rules"), rule);
		return r ? gr_get(r, "values") : NULL;
	}
	const gr_value *res = find_named(gr_get(pol, "resources"), resource);
	return res ? gr_get(res, "values") : NULL;
}

const gr_value *ky_foreach_values(const gr_kyverno_values *vals, const char *policy, const char *rule)
{
	if (!vals || !vals->root || !policy || !rule)
		return NULL;
	const gr_value *pol = find_named(gr_get(vals->root, "policies"), policy);
	const gr_value *r = pol ? find_named(gr_get(pol, "rules"), rule) : NULL;
	return r ? gr_get(r, "foreachValues") : NULL;
}

int ky_inject_values(ky_eval *ev, const gr_value *vals)
{
	if (!vals || vals->type != GR_OBJECT)
		return 0;
	for (size_t i = 0; i < vals->u.o.len; i++) {
		const gr_member *m = &vals->u.o.members[i];
		if (ky_ctx_set(ev, m->key, m->key_len, &m->value))
			return -1;
	}
	return 0;
}

static int load_variable(ky_eval *ev, const char *name, const gr_value *var)
{
	const gr_value *def = gr_get(var, "default");
	gr_value defv = gr_null_value, out = gr_null_value;
	bool have_def = false;
	if (def) {
		if (ky_subst(ev, def, &defv, KY_SUBST_STRICT))
			return -1;
		have_def = defv.type != GR_NULL;
		out = defv;
	}
	const gr_value *value = gr_get(var, "value");
	const gr_value *jp = gr_get(var, "jmesPath");
	gr_value jpv = gr_null_value;
	if (jp && ky_subst(ev, jp, &jpv, KY_SUBST_STRICT))
		return -1;
	bool have_jp = jpv.type == GR_STRING && jpv.u.s.len;
	if (value) {
		gr_value v;
		if (ky_subst(ev, value, &v, KY_SUBST_STRICT)) {
			char msg[sizeof ev->err];
			snprintf(msg, sizeof msg, "%s", ev->err);
			ky_fail(ev, "failed to substitute variables in context entry %s: %s", name, msg);
			return -1;
		}
		if (have_jp) {
			gr_value r;
			int rc = ky_query_on(ev, jpv.u.s.ptr, jpv.u.s.len, &v, &r);
			if (rc == 0)
				out = r;
			else if (!have_def) {
				char msg[sizeof ev->err];
				snprintf(msg, sizeof msg, "%s", ev->err);
				ky_fail(ev, "failed to apply jmespath %s to variable %s: %s", jpv.u.s.ptr,
				        name, msg);
				return -1;
			}
		} else {
			out = v;
		}
	} else if (have_jp) {
		gr_value r;
		int rc = ky_query(ev, jpv.u.s.ptr, jpv.u.s.len, &r);
		if (rc == 0)
			out = r;
		else if (!have_def) {
			char msg[sizeof ev->err];
			snprintf(msg, sizeof msg, "%s", ev->err);
			ky_fail(ev, "failed to apply jmespath %s for context entry %s: %s", jpv.u.s.ptr, name,
			        msg);
			return -1;
		} else {
			out = gr_null_value;
		}
	}
	if (out.type == GR_NULL && have_def)
		out = defv;
	if (out.type == GR_NULL) {
		ky_fail(ev, "unable to add context entry for variable %s since it evaluated to nil", name);
		return -1;
	}
	return ky_ctx_set(ev, name, strlen(name), &out);
}

int ky_load_context(ky_eval *ev, const gr_value *entries, const char *policy, const char *rule)
{
	(void)policy;
	(void)rule;
	if (!entries || entries->type != GR_ARRAY)
		return 0;
	for (size_t i = 0; i < entries->u.a.len; i++) {
		const gr_value *e = &entries->u.a.items[i];
		const char *name = gr_get_str(e, "name");
		if (!name) {
			ky_fail(ev, "context entry without a name");
			return -1;
		}
		const gr_value *var = gr_get(e, "variable");
		if (var) {
			if (load_variable(ev, name, var))
				return -1;
			continue;
		}
		/* supplied by the values? then it stays */
		if (gr_get(&ev->ctx, name))
			continue;
		const gr_value *cm = gr_get(e, "configMap");
		if (cm && ev->req->config_map) {
			gr_value n, ns;
			if (ky_subst(ev, gr_get(cm, "name"), &n, KY_SUBST_STRICT) ||
			    ky_subst(ev, gr_get(cm, "namespace"), &ns, KY_SUBST_STRICT))
				return -1;
			const gr_value *obj =
			        ev->req->config_map(ev->req->user, ns.type == GR_STRING ? ns.u.s.ptr : "",
			                            n.type == GR_STRING ? n.u.s.ptr : "");
			if (obj) {
				if (ky_ctx_set(ev, name, strlen(name), obj))
					return -1;
				continue;
			}
		}
		/* apiCall, imageRegistry, globalReference, an absent configMap:
		 * no-ops offline, as in the Kyverno CLI, unless the caller wants
		 * them reported */
		if (ev->req->cluster_entries_error) {
			const char *type = cm                             ? "configMap"
			                   : gr_get(e, "apiCall")         ? "apiCall"
			                   : gr_get(e, "imageRegistry")   ? "imageRegistry"
			                   : gr_get(e, "globalReference") ? "globalReference"
			                                                  : "unknown";
			ky_fail(ev,
			        "context entry %s (%s) needs a cluster: no value for it is available offline",
			        name, type);
			return -1;
		}
	}
	return 0;
}
