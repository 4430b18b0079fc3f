/*
 * testrun.c — one kyverno-test.yaml, run as `kyverno test` runs it, but
 * compared strictly.
 *
 * The test's policies, resources, paramResources (validate.cel params,
 * with the resources), values and user info are read relative to the
 * test file; resources without a namespace get `default` (namespaced
 * kinds only), every resource is evaluated against every policy, and each
 * (result entry x resource name) expectation is compared with the rule
 * responses for `rule`, `autogen-rule` and `autogen-cronjob-rule`: every
 * response must have the expected status, and no response at all counts
 * as `skip` (flagged, so that it can be audited). Upstream's runner lets an
 * expected `fail` pass whatever happened; this one does not.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/decode.h"
#include "guardrail/object.h"
#include "kyverno_int.h"

typedef struct resp {
	const char *policy, *rule, *base;
	gr_kyverno_status status;
	const char *message;
} resp;

typedef struct resource {
	const gr_value *root;
	const char *name, *ns, *kind;
	resp *resps;
	size_t nresps, cap;
	bool oom; /* a response could not be kept: the test run fails */
} resource;

typedef struct run {
	gr_arena arena;
	/* the test's paramResources: looked up as params, never judged */
	const gr_value **params;
	size_t nparams, capparams;
	gr_kyverno_set *set;
	resource *res;
	size_t nres, capres;
	gr_kyverno_values values;
	gr_kyverno_userinfo ui;
	bool have_ui;
	const char *dir;
} run;

static const char *join(run *r, const char *rel)
{
	if (rel[0] == '/')
		return rel;
	return gr_arena_printf(&r->arena, "%s/%s", r->dir, rel);
}

static int fail_at(gr_error *err, const char *file, const gr_value *at, const char *fmt, const char *arg)
{
	gr_error_set(err, at ? at->line : 0, at ? at->column : 0, fmt, arg);
	gr_error_set_file(err, file);
	return -1;
}

static int read_docs(run *r, const char *path, gr_document **docs, size_t *n, gr_error *err)
{
	char *data;
	size_t len;
	if (gr_read_file(path, 256u << 20, &data, &len, err) != 0) {
		gr_error_set_file(err, path);
		return -1;
	}
	int rc = gr_decode(&r->arena, data, len, NULL, docs, n, err);
	free(data);
	if (rc != 0)
		gr_error_set_file(err, path);
	return rc;
}

/* A copy of the object with metadata.namespace set. */
static const gr_value *with_namespace(gr_arena *a, const gr_value *obj, const char *ns)
{
	const gr_value *meta = gr_get(obj, "metadata");
	size_t mn = meta && meta->type == GR_OBJECT ? meta->u.o.len : 0;
	gr_value nm = gr_make_object(a, mn + 1);
	if (nm.type != GR_OBJECT)
		return obj;
	for (size_t i = 0; i < mn; i++)
		nm.u.o.members[i] = meta->u.o.members[i];
	gr_member_set_key(&nm.u.o.members[mn], "namespace", 9);
	nm.u.o.members[mn].value = gr_make_string_ref(ns, strlen(ns));
	gr_value *no = gr_arena_alloc(a, sizeof *no);
	if (!no)
		return obj;
	*no = gr_make_object(a, obj->u.o.len + (meta ? 0 : 1));
	if (no->type != GR_OBJECT)
		return obj;
	size_t k = 0;
	for (size_t i = 0; i < obj->u.o.len; i++) {
		no->u.o.members[k] = obj->u.o.members[i];
		if (strcmp(obj->u.o.members[i].key, "metadata") == 0)
			no->u.o.members[k].value = nm;
		k++;
	}
	if (!meta) {
		gr_member_set_key(&no->u.o.members[k], "metadata", 8);
		no->u.o.members[k++].value = nm;
	}
	no->u.o.len = k;
	return no;
}

static int add_resources(run *r, const char *path, gr_error *err)
{
	gr_document *docs;
	size_t n;
	if (read_docs(r, path, &docs, &n, err))
		return -1;
	for (size_t i = 0; i < n; i++) {
		gr_object *objs;
		size_t nobjs;
		if (gr_objects_from_document(&r->arena, &docs[i], path, &objs, &nobjs) != 0)
			return gr_error_set(err, 0, 0, "out of memory");
		for (size_t j = 0; j < nobjs; j++) {
			const gr_value *root = objs[j].root;
			if (!root || root->type != GR_OBJECT)
				return fail_at(err, path, root, "%s", "a resource must be a mapping");
			const char *kind = objs[j].kind;
			const char *ns = objs[j].namespace_;
			if ((!ns || !ns[0]) && kind[0] && !ky_is_cluster_scoped(kind)) {
				ns = "default";
				root = with_namespace(&r->arena, root, ns);
			}
			if (r->nres == r->capres) {
				size_t nc = r->capres ? r->capres * 2 : 32;
				resource *nr = realloc(r->res, nc * sizeof *nr);
				if (!nr)
					return gr_error_set(err, 0, 0, "out of memory");
				r->res = nr;
				r->capres = nc;
			}
			resource *res = &r->res[r->nres++];
			memset(res, 0, sizeof *res);
			res->root = root;
			res->name = objs[j].name;
			res->ns = ns ? ns : "";
			res->kind = kind;
		}
	}
	return 0;
}

static void collect(void *user, const gr_kyverno_response *resp_in)
{
	resource *res = user;
	if (res->nresps == res->cap) {
		size_t nc = res->cap ? res->cap * 2 : 8;
		resp *n = realloc(res->resps, nc * sizeof *n);
		if (!n) {
			res->oom = true;
			return;
		}
		res->resps = n;
		res->cap = nc;
	}
	resp *p = &res->resps[res->nresps++];
	p->policy = resp_in->policy;
	p->rule = resp_in->rule;
	p->base = resp_in->base_rule;
	p->status = resp_in->status;
	p->message = resp_in->message;
}

static const gr_value *ns_labels(void *user, const char *ns)
{
	run *r = user;
	const gr_value *sel = r->values.root ? gr_get(r->values.root, "namespaceSelector") : NULL;
	for (size_t i = 0; sel && sel->type == GR_ARRAY && i < sel->u.a.len; i++) {
		const char *name = gr_get_str(&sel->u.a.items[i], "name");
		if (name && strcmp(name, ns) == 0)
			return gr_get(&sel->u.a.items[i], "labels");
	}
	/* a Namespace among the resources also gives its labels */
	for (size_t i = 0; i < r->nres; i++)
		if (strcmp(r->res[i].kind, "Namespace") == 0 && strcmp(r->res[i].name, ns) == 0)
			return gr_get_path(r->res[i].root, "metadata", "labels", NULL);
	return NULL;
}

/* validate.cel params: a resource of the test's resources */
static int find_resource(void *user, const char *api_version, const char *kind, const char *ns,
                         const char *name, const gr_value **out)
{
	run *r = user;
	*out = NULL;
	for (size_t i = 0; i < r->nparams; i++) {
		const gr_value *o = r->params[i];
		const char *av = gr_get_str(o, "apiVersion"), *k = gr_get_str(o, "kind");
		const char *n = gr_get_str(gr_get(o, "metadata"), "name");
		const char *pns = gr_get_str(gr_get(o, "metadata"), "namespace");
		if (!pns && !ky_is_cluster_scoped(kind))
			pns = "default";
		if (av && k && n && !strcmp(av, api_version) && !strcmp(k, kind) && !strcmp(n, name) &&
		    !strcmp(pns ? pns : "", ns)) {
			*out = o;
			return 1;
		}
	}
	for (size_t i = 0; i < r->nres; i++) {
		const resource *res = &r->res[i];
		const char *av = gr_get_str(res->root, "apiVersion");
		if (av && !strcmp(av, api_version) && !strcmp(res->kind, kind) && !strcmp(res->ns, ns) &&
		    res->name && !strcmp(res->name, name)) {
			*out = res->root;
			return 1;
		}
	}
	return 0;
}

static const ky_policy *find_policy(const gr_kyverno_set *set, const char *name)
{
	for (size_t i = 0; i < set->npolicies; i++)
		if (strcmp(set->policies[i].display, name) == 0 || strcmp(set->policies[i].name, name) == 0)
			return &set->policies[i];
	return NULL;
}

static const ky_rule *find_rule(const ky_policy *p, const char *rule)
{
	for (size_t i = 0; i < p->nrules; i++)
		if (strcmp(p->rules[i].name, rule) == 0 || strcmp(p->rules[i].base_name, rule) == 0)
			return &p->rules[i];
	return NULL;
}

static bool name_matches(const resource *res, const char *want)
{
	const char *slash = strchr(want, '/');
	if (slash) {
		size_t nl = (size_t)(slash - want);
		return strlen(res->ns) == nl && strncmp(res->ns, want, nl) == 0 &&
		       strcmp(res->name, slash + 1) == 0;
	}
	return strcmp(res->name, want) == 0;
}

static bool kind_matches(const resource *res, const char *kind)
{
	if (!kind || !kind[0])
		return true;
	const char *k = strrchr(kind, '/');
	return strcmp(res->kind, k ? k + 1 : kind) == 0;
}

static bool find_vpol(const gr_kyverno_set *set, const char *name)
{
	for (size_t i = 0; i < set->nvpols; i++)
		if (!strcmp(ky_vpol_name(set->vpols[i]), name))
			return true;
	return false;
}

/* A ValidatingPolicy's expectation: its one response per resource. */
static void judge_vpol(run *r, gr_kyverno_expectation *e, const char *policy, const char *kind,
                       const char *name)
{
	bool found_res = false, any = false, ok = true;
	const char *actual = NULL, *why = NULL;
	e->vpol = true;
	for (size_t j = 0; j < r->nres; j++) {
		resource *res = &r->res[j];
		if (!name_matches(res, name) || !kind_matches(res, kind))
			continue;
		found_res = true;
		for (size_t k = 0; k < res->nresps; k++) {
			resp *p = &res->resps[k];
			if (strcmp(p->policy, policy) != 0 || p->rule[0])
				continue;
			any = true;
			if (p->status == GR_KY_NOT_EVALUATED) {
				e->not_evaluated = true;
				e->actual = "not evaluated";
				e->reason = p->message;
				return;
			}
			const char *st = gr_kyverno_status_name(p->status);
			if (strcmp(st, e->expected) != 0) {
				ok = false;
				actual = st;
				why = p->message;
			} else if (!actual) {
				actual = st;
				why = p->message;
			}
		}
	}
	if (!found_res) {
		e->actual = "error";
		e->reason = "no resource of this name (and kind) in the test's resources";
		return;
	}
	if (!any) {
		e->actual = "skip";
		e->no_response = true;
		e->reason = "no response: the policy does not match the resource";
		e->ok = strcmp(e->expected, "skip") == 0;
		return;
	}
	e->actual = actual;
	e->reason = why;
	e->ok = ok;
}

static int judge(run *r, const char *test_path, const gr_value *entry, gr_kyverno_test_sink sink, void *user,
                 gr_error *err)
{
	const char *policy = gr_get_str(entry, "policy");
	const char *rule = gr_get_str(entry, "rule");
	const char *kind = gr_get_str(entry, "kind");
	const char *expected = gr_get_str(entry, "result");
	if (!expected)
		expected = gr_get_str(entry, "status");
	if (!policy || !expected)
		return fail_at(err, test_path, entry, "%s", "a result needs policy and result");
	const gr_value *names = gr_get(entry, "resources");
	gr_value single;
	if (!names || names->type != GR_ARRAY) {
		const gr_value *one = gr_get(entry, "resource");
		if (!one || one->type != GR_STRING)
			return fail_at(err, test_path, entry, "%s", "a result needs resources");
		single = gr_make_array(&r->arena, 1);
		single.u.a.items[0] = *one;
		names = &single;
	}
	const ky_policy *pol = find_policy(r->set, policy);
	const ky_rule *kr = pol && rule ? find_rule(pol, rule) : NULL;
	for (size_t i = 0; i < names->u.a.len; i++) {
		const gr_value *nv = &names->u.a.items[i];
		if (nv->type != GR_STRING)
			return fail_at(err, test_path, nv, "%s", "resource names must be strings");
		gr_kyverno_expectation e = {
		        .test_file = test_path,
		        .policy = policy,
		        .rule = rule ? rule : "",
		        .resource = nv->u.s.ptr,
		        .kind = kind ? kind : "",
		        .expected = expected,
		        .cel = kr && kr->cel,
		};
		if (!pol && find_vpol(r->set, policy)) {
			judge_vpol(r, &e, policy, kind, nv->u.s.ptr);
			sink(user, &e);
			continue;
		}
		if (!pol) {
			const char *other = NULL;
			for (size_t k = 0; k < r->set->nother && !other; k++)
				if (strcmp(r->set->other_names[k], policy) == 0)
					other = r->set->other_kinds[k];
			if (other) {
				e.not_evaluated = true;
				e.actual = "not evaluated";
				e.reason = gr_arena_printf(
				        &r->arena, "%s: this policy kind is not evaluated by this engine",
				        other);
			} else {
				e.actual = "error";
				e.reason = "the test names a policy its policy files do not hold";
			}
			sink(user, &e);
			continue;
		}
		if (!kr) {
			e.actual = "skip";
			e.no_response = true;
			e.reason = "the policy has no rule of this name";
			e.ok = strcmp(expected, "skip") == 0;
			sink(user, &e);
			continue;
		}
		if (kr->type != KY_RULE_VALIDATE) {
			e.not_evaluated = true;
			e.actual = "not evaluated";
			e.reason = kr->reason;
			sink(user, &e);
			continue;
		}
		bool found_res = false, any = false, ok = true, not_evaluated = false;
		const char *actual = NULL, *why = NULL;
		for (size_t j = 0; j < r->nres; j++) {
			resource *res = &r->res[j];
			if (!name_matches(res, nv->u.s.ptr) || !kind_matches(res, kind))
				continue;
			found_res = true;
			for (size_t k = 0; k < res->nresps; k++) {
				resp *p = &res->resps[k];
				if (strcmp(p->policy, pol->display) != 0 ||
				    (strcmp(p->rule, rule) != 0 && strcmp(p->base, rule) != 0))
					continue;
				any = true;
				if (p->status == GR_KY_NOT_EVALUATED) {
					not_evaluated = true;
					why = p->message;
					continue;
				}
				const char *st = gr_kyverno_status_name(p->status);
				if (strcmp(st, expected) != 0) {
					ok = false;
					actual = st;
					why = p->message;
				} else if (!actual) {
					actual = st;
					why = p->message;
				}
			}
		}
		if (!found_res) {
			e.actual = "error";
			e.reason = "no resource of this name (and kind) in the test's resources";
			sink(user, &e);
			continue;
		}
		if (not_evaluated) {
			/* a response this engine could not judge: counted, never compared */
			e.not_evaluated = true;
			e.actual = "not evaluated";
			e.reason = why;
			sink(user, &e);
			continue;
		}
		if (!any) {
			e.actual = "skip";
			e.no_response = true;
			e.reason = "no rule response: the rule does not match the resource";
			e.ok = strcmp(expected, "skip") == 0;
			sink(user, &e);
			continue;
		}
		e.actual = actual;
		e.reason = why;
		e.ok = ok;
		sink(user, &e);
	}
	return 0;
}

int gr_kyverno_test_run(const char *test_path, const gr_kyverno_options *opt, gr_kyverno_test_sink sink,
                        void *user, gr_error *err)
{
	run r;
	memset(&r, 0, sizeof r);
	gr_arena_init(&r.arena);
	int rc = -1;
	char *pathcopy = strdup(test_path);
	if (!pathcopy)
		return gr_error_set(err, 0, 0, "out of memory");
	r.dir = gr_arena_strdup(&r.arena, dirname(pathcopy));
	free(pathcopy);
	r.set = gr_kyverno_set_new(opt);
	gr_document *docs;
	size_t n;
	if (!r.set) {
		gr_error_set(err, 0, 0, "out of memory");
		goto out;
	}
	if (read_docs(&r, test_path, &docs, &n, err))
		goto out;
	if (n == 0 || docs[0].root.type != GR_OBJECT) {
		fail_at(err, test_path, n ? &docs[0].root : NULL, "%s", "a test must be a mapping");
		goto out;
	}
	const gr_value *t = &docs[0].root;
	const char *kind = gr_get_str(t, "kind");
	if (kind && strcmp(kind, "Test") != 0) {
		fail_at(err, test_path, t, "not a kyverno test (kind %s)", kind);
		goto out;
	}
	const gr_value *pols = gr_get(t, "policies");
	const gr_value *ress = gr_get(t, "resources");
	const gr_value *results = gr_get(t, "results");
	if (!pols || pols->type != GR_ARRAY || !ress || ress->type != GR_ARRAY ||
	    (results && results->type != GR_ARRAY && results->type != GR_NULL)) {
		fail_at(err, test_path, t, "%s",
		        "a test needs policies and resources lists (and results a list)");
		goto out;
	}
	for (size_t i = 0; i < pols->u.a.len; i++) {
		const gr_value *p = &pols->u.a.items[i];
		if (p->type != GR_STRING) {
			fail_at(err, test_path, p, "%s", "policies must be file paths");
			goto out;
		}
		if (strstr(p->u.s.ptr, "://")) {
			fail_at(err, test_path, p, "remote policy %s is not supported", p->u.s.ptr);
			goto out;
		}
		if (gr_kyverno_set_load_file(r.set, join(&r, p->u.s.ptr), NULL, err))
			goto out;
	}
	for (size_t i = 0; i < ress->u.a.len; i++) {
		const gr_value *p = &ress->u.a.items[i];
		if (p->type != GR_STRING) {
			fail_at(err, test_path, p, "%s", "resources must be file paths");
			goto out;
		}
		if (add_resources(&r, join(&r, p->u.s.ptr), err))
			goto out;
	}
	/* paramResources: the Kyverno CLI puts them in its fake cluster for
	 * paramRef, beside the resources */
	const gr_value *pres = gr_get(t, "paramResources");
	for (size_t i = 0; gr_is(pres, GR_ARRAY) && i < pres->u.a.len; i++) {
		const gr_value *p = &pres->u.a.items[i];
		gr_document *pd;
		size_t pn;
		if (p->type != GR_STRING) {
			fail_at(err, test_path, p, "%s", "paramResources must be file paths");
			goto out;
		}
		if (read_docs(&r, join(&r, p->u.s.ptr), &pd, &pn, err))
			goto out;
		for (size_t k = 0; k < pn; k++) {
			if (pd[k].root.type != GR_OBJECT)
				continue;
			if (r.nparams == r.capparams) {
				size_t nc = r.capparams ? r.capparams * 2 : 8;
				const gr_value **np = realloc(r.params, nc * sizeof *np);
				if (!np) {
					gr_error_set(err, 0, 0, "out of memory");
					goto out;
				}
				r.params = np;
				r.capparams = nc;
			}
			r.params[r.nparams++] = &pd[k].root;
		}
	}
	const char *vars = gr_get_str(t, "variables");
	if (vars) {
		gr_document *vd;
		size_t vn;
		if (read_docs(&r, join(&r, vars), &vd, &vn, err))
			goto out;
		if (vn)
			r.values.root = &vd[0].root;
	} else if (gr_get(t, "values")) {
		r.values.root = gr_get(t, "values");
	}
	const char *ui = gr_get_str(t, "userinfo");
	if (ui) {
		gr_document *ud;
		size_t un;
		if (read_docs(&r, join(&r, ui), &ud, &un, err))
			goto out;
		if (un) {
			const gr_value *u = &ud[0].root;
			r.ui.user_info = gr_get(u, "userInfo");
			r.ui.roles = gr_get(u, "roles");
			r.ui.cluster_roles = gr_get(u, "clusterRoles");
			r.have_ui = true;
		}
	}
	for (size_t i = 0; i < r.nres; i++) {
		resource *res = &r.res[i];
		gr_kyverno_request req = {
		        .object = res->root,
		        .namespace_ = res->ns,
		        .userinfo = r.have_ui ? &r.ui : NULL,
		        .values = r.values.root ? &r.values : NULL,
		        .namespace_labels = ns_labels,
		        .resource = find_resource,
		        .user = &r,
		};
		if (gr_kyverno_evaluate(r.set, &req, &r.arena, collect, res, err) < 0)
			goto out;
		if (res->oom) {
			gr_error_set(err, 0, 0, "out of memory");
			goto out;
		}
	}
	for (size_t i = 0; results && results->type == GR_ARRAY && i < results->u.a.len; i++)
		if (judge(&r, test_path, &results->u.a.items[i], sink, user, err))
			goto out;
	rc = 0;
out:
	for (size_t i = 0; i < r.nres; i++)
		free(r.res[i].resps);
	free(r.res);
	free(r.params);
	gr_kyverno_set_free(r.set);
	gr_arena_free(&r.arena);
	return rc;
}
