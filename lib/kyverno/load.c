/*
 * load.c — ClusterPolicy/Policy documents to compiled policies.
 *
 * Each document is decoded into the set's arena and stays there: compiled
 * rules point into it. A policy is checked as it is read, and a malformed
 * one is an error with the file, line and column of the offending node.
 * Rules of a type this engine does not evaluate are kept, marked with the
 * reason, so that every evaluation reports them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "guardrail/decode.h"
#include "kyverno_int.h"

const char *gr_kyverno_status_name(gr_kyverno_status s)
{
	static const char *const names[] = {"pass", "fail", "warn", "error", "skip", "not evaluated"};
	return (unsigned)s < 6 ? names[s] : "?";
}

gr_kyverno_set *gr_kyverno_set_new(const gr_kyverno_options *opt)
{
	gr_kyverno_set *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	gr_arena_init(&s->arena);
	if (opt)
		s->opt = *opt;
	if (ky_register_functions(s) != 0) {
		gr_kyverno_set_free(s);
		return NULL;
	}
	return s;
}

void gr_kyverno_set_free(gr_kyverno_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->cache_cap; i++)
		if (s->cache && s->cache[i].prog)
			gr_jp_free(s->cache[i].prog);
	free(s->cache);
	free(s->policies);
	free(s->pat_keys);
	free(s->pat_vals);
	free(s->other_names);
	free(s->other_kinds);
	for (size_t i = 0; i < s->ncels; i++)
		ky_cel_free(s->cels[i]);
	for (size_t i = 0; i < s->nvpols; i++)
		ky_vpol_free(s->vpols[i]);
	free(s->vpols);
	free(s->cels);
	gr_jp_functions_free(s->functions);
	gr_arena_free(&s->arena);
	free(s);
}

size_t gr_kyverno_set_policy_count(const gr_kyverno_set *s)
{
	return s->npolicies + s->nvpols;
}
size_t gr_kyverno_set_rule_count(const gr_kyverno_set *s)
{
	return s->nrules;
}
size_t gr_kyverno_set_not_evaluated_count(const gr_kyverno_set *s)
{
	return s->nnot_evaluated;
}

static int bad(gr_error *err, const char *file, const gr_value *at, const char *fmt, const char *arg)
{
	gr_error_set(err, at ? at->line : 0, at ? at->column : 0, fmt, arg);
	gr_error_set_file(err, file);
	return -1;
}

static bool is_version(const char *s, size_t n)
{
	if (n == 1 && s[0] == '*')
		return true;
	if (n < 2 || s[0] != 'v' || !isdigit((unsigned char)s[1]))
		return false;
	size_t i = 1;
	while (i < n && isdigit((unsigned char)s[i]))
		i++;
	if (i == n)
		return true;
	size_t rest = n - i;
	if (rest > 5 && strncmp(s + i, "alpha", 5) == 0)
		i += 5;
	else if (rest > 4 && strncmp(s + i, "beta", 4) == 0)
		i += 4;
	else
		return false;
	if (i == n)
		return false;
	while (i < n && isdigit((unsigned char)s[i]))
		i++;
	return i == n;
}

/* A kind selector's parts: Kind, Kind/sub, version/Kind, group/version/Kind,
 * version/Kind/sub or group/version/Kind/sub ("*" for any). */
static size_t kind_parts(const char *s, const char *parts[4], size_t lens[4])
{
	size_t n = 0;
	const char *p = s;
	while (n < 4) {
		const char *e = strchr(p, '/');
		parts[n] = p;
		lens[n] = e ? (size_t)(e - p) : strlen(p);
		n++;
		if (!e)
			break;
		p = e + 1;
	}
	return n;
}

void ky_kind_name(const char *s, const char **kind, size_t *len)
{
	const char *parts[4];
	size_t lens[4];
	size_t n = kind_parts(s, parts, lens), i;
	if (n == 2 && lens[0] == 1 && parts[0][0] == '*') {
		*kind = "*";
		*len = 1;
		return;
	}
	if (n == 1)
		i = 0;
	else if (n == 2)
		i = is_version(parts[0], lens[0]) ? 1 : 0;
	else if (n == 3)
		i = is_version(parts[0], lens[0]) ? 1 : 2;
	else
		i = 2;
	*kind = parts[i];
	*len = lens[i];
}

static const char *dup_part(gr_arena *a, const char *p, size_t len, bool *oom)
{
	const char *d = gr_arena_strndup(a, p, len);
	if (!d)
		*oom = true;
	return d;
}

int ky_parse_kind(gr_arena *a, const char *s, ky_kind *k)
{
	const char *parts[4];
	size_t lens[4];
	size_t n = kind_parts(s, parts, lens);
	memset(k, 0, sizeof *k);
	bool oom = false; /* a part that could not be copied would read as absent */
#define DUP(i) dup_part(a, parts[i], lens[i], &oom)
	switch (n) {
	case 1: k->kind = DUP(0); break;
	case 2:
		if (lens[0] == 1 && parts[0][0] == '*') {
			k->kind = "*";
			k->sub = DUP(1);
			if (lens[1] == 1 && parts[1][0] == '*')
				k->sub = NULL;
		} else if (is_version(parts[0], lens[0])) {
			k->version = DUP(0);
			k->kind = DUP(1);
		} else {
			k->kind = DUP(0);
			k->sub = DUP(1);
		}
		break;
	case 3:
		if (is_version(parts[0], lens[0])) {
			k->version = DUP(0);
			k->kind = DUP(1);
			k->sub = DUP(2);
		} else {
			k->group = DUP(0);
			k->version = DUP(1);
			k->kind = DUP(2);
		}
		break;
	default:
		k->group = DUP(0);
		k->version = DUP(1);
		k->kind = DUP(2);
		k->sub = DUP(3);
		break;
	}
#undef DUP
	if (!k->kind || oom)
		return -1;
	k->kind_wild = strpbrk(k->kind, "*?") != NULL;
	return 0;
}

static int strs(gr_arena *a, const gr_value *v, ky_strs *out, const char *file, const char *what,
                gr_error *err)
{
	out->v = NULL;
	out->n = 0;
	if (!v || v->type == GR_NULL)
		return 0;
	if (v->type != GR_ARRAY)
		return bad(err, file, v, "%s must be a list of strings", what);
	out->v = gr_arena_alloc(a, (v->u.a.len + 1) * sizeof(char *));
	for (size_t i = 0; i < v->u.a.len; i++) {
		if (v->u.a.items[i].type != GR_STRING)
			return bad(err, file, &v->u.a.items[i], "%s must be a list of strings", what);
		out->v[out->n++] = v->u.a.items[i].u.s.ptr;
	}
	return 0;
}

static int parse_filter(gr_arena *a, const gr_value *res, const gr_value *ui, ky_filter *f, const char *file,
                        gr_error *err)
{
	memset(f, 0, sizeof *f);
	if (res && res->type != GR_NULL) {
		if (res->type != GR_OBJECT)
			return bad(err, file, res, "%s must be a mapping", "resources");
		const gr_value *kinds = gr_get(res, "kinds");
		if (kinds && kinds->type == GR_ARRAY) {
			f->kinds = gr_arena_alloc(a, (kinds->u.a.len + 1) * sizeof(ky_kind));
			for (size_t i = 0; i < kinds->u.a.len; i++) {
				const gr_value *k = &kinds->u.a.items[i];
				if (k->type != GR_STRING ||
				    ky_parse_kind(a, k->u.s.ptr, &f->kinds[f->nkinds]) != 0)
					return bad(err, file, k, "%s: a kind must be a string", "kinds");
				if (strcmp(f->kinds[f->nkinds].kind, "Pod") == 0)
					f->kinds_has_pod = true;
				f->nkinds++;
			}
		} else if (kinds && kinds->type != GR_NULL) {
			return bad(err, file, kinds, "%s must be a list", "kinds");
		}
		if (strs(a, gr_get(res, "names"), &f->names, file, "names", err) ||
		    strs(a, gr_get(res, "namespaces"), &f->namespaces, file, "namespaces", err) ||
		    strs(a, gr_get(res, "operations"), &f->operations, file, "operations", err))
			return -1;
		const char *name = gr_get_str(res, "name");
		if (name && name[0]) {
			const char **v = gr_arena_alloc(a, (f->names.n + 1) * sizeof(char *));
			for (size_t i = 0; i < f->names.n; i++)
				v[i] = f->names.v[i];
			v[f->names.n++] = name;
			f->names.v = v;
		}
		f->annotations = gr_get(res, "annotations");
		f->selector = gr_get(res, "selector");
		f->ns_selector = gr_get(res, "namespaceSelector");
		if (f->selector && f->selector->type == GR_NULL)
			f->selector = NULL;
		if (f->ns_selector && f->ns_selector->type == GR_NULL)
			f->ns_selector = NULL;
		f->has_resources = f->nkinds || f->names.n || f->namespaces.n || f->operations.n ||
		                   (f->annotations && f->annotations->type == GR_OBJECT) || f->selector ||
		                   f->ns_selector;
	}
	if (ui) {
		f->subjects = gr_get(ui, "subjects");
		if (strs(a, gr_get(ui, "roles"), &f->roles, file, "roles", err) ||
		    strs(a, gr_get(ui, "clusterRoles"), &f->cluster_roles, file, "clusterRoles", err))
			return -1;
		f->has_userinfo = f->roles.n || f->cluster_roles.n ||
		                  (f->subjects && f->subjects->type == GR_ARRAY && f->subjects->u.a.len);
	}
	return 0;
}

static int parse_filters(gr_arena *a, const gr_value *arr, ky_filter **out, size_t *n, const char *file,
                         gr_error *err)
{
	*out = NULL;
	*n = 0;
	if (!arr || arr->type == GR_NULL)
		return 0;
	if (arr->type != GR_ARRAY)
		return bad(err, file, arr, "%s must be a list of resource filters", "any/all");
	*out = gr_arena_alloc(a, (arr->u.a.len + 1) * sizeof(ky_filter));
	for (size_t i = 0; i < arr->u.a.len; i++) {
		const gr_value *f = &arr->u.a.items[i];
		if (f->type != GR_OBJECT)
			return bad(err, file, f, "%s: a resource filter must be a mapping", "any/all");
		if (parse_filter(a, gr_get(f, "resources"), f, &(*out)[i], file, err))
			return -1;
	}
	*n = arr->u.a.len;
	return 0;
}

int ky_parse_match(gr_arena *a, const gr_value *v, ky_match *m, const char *file, gr_error *err)
{
	memset(m, 0, sizeof *m);
	if (!v || v->type == GR_NULL)
		return 0;
	if (v->type != GR_OBJECT)
		return bad(err, file, v, "%s must be a mapping", "match/exclude");
	m->present = true;
	if (parse_filters(a, gr_get(v, "any"), &m->any, &m->nany, file, err) ||
	    parse_filters(a, gr_get(v, "all"), &m->all, &m->nall, file, err))
		return -1;
	if (!m->nany && !m->nall) {
		if (parse_filter(a, gr_get(v, "resources"), v, &m->legacy, file, err))
			return -1;
		m->has_legacy = true;
	}
	return 0;
}

/* Collect the `{{ }}` expressions of a rule into the set's program cache. */
static void collect_rule(gr_kyverno_set *set, const ky_rule *r)
{
	ky_cache_collect(set, r->context, false);
	ky_cache_collect(set, r->preconditions, false);
	ky_cache_collect(set, r->validate, false);
	/* context jmesPath and foreach list are expressions without braces */
	const gr_value *ctx = r->context;
	for (size_t i = 0; ctx && ctx->type == GR_ARRAY && i < ctx->u.a.len; i++) {
		const gr_value *e = &ctx->u.a.items[i];
		const gr_value *var = gr_get(e, "variable");
		const gr_value *jp = var ? gr_get(var, "jmesPath") : NULL;
		if (jp)
			ky_cache_collect(set, jp, true);
	}
}

static void collect_foreach(gr_kyverno_set *set, const gr_value *fe)
{
	for (size_t i = 0; fe && fe->type == GR_ARRAY && i < fe->u.a.len; i++) {
		const gr_value *f = &fe->u.a.items[i];
		const gr_value *list = gr_get(f, "list");
		if (list)
			ky_cache_collect(set, list, true);
		const gr_value *ctx = gr_get(f, "context");
		for (size_t j = 0; ctx && ctx->type == GR_ARRAY && j < ctx->u.a.len; j++) {
			const gr_value *var = gr_get(&ctx->u.a.items[j], "variable");
			const gr_value *jp = var ? gr_get(var, "jmesPath") : NULL;
			if (jp)
				ky_cache_collect(set, jp, true);
		}
		/* patterns without variables are compiled once, here */
		const gr_value *pat = gr_get(f, "pattern");
		if (pat)
			ky_pat_cache_add(set, pat);
		const gr_value *any = gr_get(f, "anyPattern");
		for (size_t j = 0; any && any->type == GR_ARRAY && j < any->u.a.len; j++)
			ky_pat_cache_add(set, &any->u.a.items[j]);
		collect_foreach(set, gr_get(f, "foreach"));
	}
}

static int parse_rule(gr_kyverno_set *set, const gr_value *rv, const char *base, ky_rule *r, const char *file,
                      gr_error *err)
{
	gr_arena *a = &set->arena;
	memset(r, 0, sizeof *r);
	r->src = rv;
	r->line = rv->line;
	r->column = rv->column;
	r->action = -1;
	r->allow_existing = true;
	if (rv->type != GR_OBJECT)
		return bad(err, file, rv, "%s: a rule must be a mapping", "spec.rules");
	r->name = gr_get_str(rv, "name");
	if (!r->name)
		return bad(err, file, rv, "%s: a rule needs a name", "spec.rules");
	r->base_name = base ? base : r->name;
	const gr_value *match = gr_get(rv, "match");
	if (!match)
		return bad(err, file, rv, "rule %s has no match block", r->name);
	if (ky_parse_match(a, match, &r->match, file, err) ||
	    ky_parse_match(a, gr_get(rv, "exclude"), &r->exclude, file, err))
		return -1;
	ky_rule_kind_filter(a, r);
	r->context = gr_get(rv, "context");
	if (r->context && r->context->type != GR_ARRAY && r->context->type != GR_NULL)
		return bad(err, file, r->context, "rule %s: context must be a list", r->name);
	r->preconditions = gr_get(rv, "preconditions");
	const gr_value *val = gr_get(rv, "validate");
	if (gr_get(rv, "mutate")) {
		r->type = KY_RULE_NOT_EVALUATED;
		r->reason = "mutate rules are not evaluated yet";
	} else if (gr_get(rv, "generate")) {
		r->type = KY_RULE_NOT_EVALUATED;
		r->reason = "generate rules need a cluster and are not evaluated";
	} else if (gr_get(rv, "verifyImages")) {
		r->type = KY_RULE_NOT_EVALUATED;
		r->reason = "verifyImages rules need registry access and are not evaluated";
	} else if (val && val->type == GR_OBJECT) {
		r->validate = val;
		r->message = gr_get(val, "message");
		r->pattern = gr_get(val, "pattern");
		r->any_pattern = gr_get(val, "anyPattern");
		r->deny = gr_get(val, "deny");
		r->foreach = gr_get(val, "foreach");
		r->pss = gr_get(val, "podSecurity");
		const char *fa = gr_get_str(val, "failureAction");
		if (fa)
			r->action = strcasecmp(fa, "enforce") == 0;
		const gr_value *ae = gr_get(val, "allowExistingViolations");
		if (ae && ae->type == GR_BOOL)
			r->allow_existing = ae->u.b;
		const gr_value *cel = gr_get(val, "cel");
		if (cel) {
			if (cel->type != GR_OBJECT)
				return bad(err, file, cel, "rule %s: validate.cel must be a mapping",
				           r->name);
			const gr_value *pre = gr_get(rv, "celPreconditions");
			if (pre && pre->type != GR_ARRAY && pre->type != GR_NULL)
				return bad(err, file, pre, "rule %s: celPreconditions must be a list",
				           r->name);
			const char *msg =
			        r->message && r->message->type == GR_STRING ? r->message->u.s.ptr : NULL;
			if (!(r->cel = ky_cel_compile(set, cel, pre, msg)))
				return gr_error_set(err, 0, 0, "out of memory");
		} else if (gr_get(val, "assert")) {
			r->type = KY_RULE_NOT_EVALUATED;
			r->reason = "validate.assert (assertion trees) is not evaluated yet";
		} else if (gr_get(val, "manifests")) {
			r->type = KY_RULE_NOT_EVALUATED;
			r->reason = "validate.manifests (signed manifests) is not evaluated";
		} else if (!r->pattern && !r->any_pattern && !r->deny && !r->foreach && !r->pss) {
			return bad(err, file, val,
			           "rule %s: validate needs one of pattern, anyPattern, deny, foreach, "
			           "podSecurity, cel",
			           r->name);
		}
		if (r->any_pattern && r->any_pattern->type != GR_ARRAY)
			return bad(err, file, r->any_pattern, "rule %s: anyPattern must be a list", r->name);
		if (r->foreach && r->foreach->type != GR_ARRAY)
			return bad(err, file, r->foreach, "rule %s: foreach must be a list", r->name);
	} else if (val) {
		return bad(err, file, val, "rule %s: validate must be a mapping", r->name);
	} else {
		r->type = KY_RULE_NOT_EVALUATED;
		r->reason = "rule type not supported (no validate, mutate, generate or verifyImages)";
	}
	if (r->type == KY_RULE_VALIDATE) {
		r->pattern_vars = (r->pattern && ky_has_vars(r->pattern)) ||
		                  (r->any_pattern && ky_has_vars(r->any_pattern));
		if (!r->pattern_vars) {
			if (r->pattern)
				r->cpattern = ky_pat_compile(a, r->pattern);
			if (r->any_pattern) {
				r->cany = gr_arena_alloc(a, (r->any_pattern->u.a.len + 1) * sizeof(ky_pat *));
				for (size_t i = 0; i < r->any_pattern->u.a.len; i++)
					r->cany[i] = ky_pat_compile(a, &r->any_pattern->u.a.items[i]);
			}
		}
		collect_rule(set, r);
		collect_foreach(set, r->foreach);
		r->needs_ctx = r->context || r->preconditions || r->deny || r->foreach || r->pattern_vars ||
		               r->cel || (r->message && ky_has_vars(r->message));
	}
	return 0;
}

static int add_policy(gr_kyverno_set *set, const gr_value *root, const char *file, gr_error *err)
{
	gr_arena *a = &set->arena;
	const char *kind = gr_get_str(root, "kind");
	const gr_value *meta = gr_get(root, "metadata");
	const char *name = gr_get_str(meta, "name");
	if (!name)
		return bad(err, file, meta ? meta : root, "%s has no metadata.name", kind);
	const gr_value *spec = gr_get(root, "spec");
	if (!spec || spec->type != GR_OBJECT)
		return bad(err, file, spec ? spec : root, "policy %s has no spec mapping", name);
	const gr_value *rules = gr_get(spec, "rules");
	if (!rules || rules->type != GR_ARRAY)
		return bad(err, file, rules ? rules : spec, "policy %s: spec.rules must be a list", name);
	if (set->npolicies == set->cap) {
		size_t nc = set->cap ? set->cap * 2 : 16;
		ky_policy *np = realloc(set->policies, nc * sizeof *np);
		if (!np)
			return gr_error_set(err, 0, 0, "out of memory");
		set->policies = np;
		set->cap = nc;
	}
	ky_policy *p = &set->policies[set->npolicies];
	memset(p, 0, sizeof *p);
	p->name = name;
	p->file = file;
	if (strcmp(kind, "Policy") == 0) {
		const char *ns = gr_get_str(meta, "namespace");
		p->namespace_ = ns ? ns : "default";
		p->display = gr_arena_printf(a, "%s/%s", p->namespace_, name);
	} else {
		p->display = name;
	}
	const char *vfa = gr_get_str(spec, "validationFailureAction");
	p->enforce = vfa && strcasecmp(vfa, "enforce") == 0;
	p->overrides = gr_get(spec, "validationFailureActionOverrides");
	const char *ar = gr_get_str(spec, "applyRules");
	p->apply_one = ar && strcmp(ar, "One") == 0;
	const gr_value *adm = gr_get(spec, "admission");
	p->no_admission = adm && adm->type == GR_BOOL && !adm->u.b;
	const gr_value *bg = gr_get(spec, "background");
	p->no_background = bg && bg->type == GR_BOOL && !bg->u.b;
	const gr_value *ann = gr_get(meta, "annotations");
	const char *scored = ann ? gr_get_str(ann, "policies.kyverno.io/scored") : NULL;
	p->scored_false = scored && strcmp(scored, "false") == 0;
	gr_value *gen = NULL;
	size_t ngen = 0;
	const char **bases = NULL;
	if (ky_autogen(a, spec, ann, &gen, &ngen, &bases) != 0)
		return gr_error_set(err, 0, 0, "out of memory");
	p->rules = gr_arena_alloc(a, (rules->u.a.len + ngen + 1) * sizeof(ky_rule));
	if (!p->rules)
		return gr_error_set(err, 0, 0, "out of memory");
	for (size_t i = 0; i < rules->u.a.len; i++)
		if (parse_rule(set, &rules->u.a.items[i], NULL, &p->rules[p->nrules++], file, err))
			return -1;
	for (size_t i = 0; i < ngen; i++)
		if (parse_rule(set, &gen[i], bases[i], &p->rules[p->nrules++], file, err))
			return -1;
	for (size_t i = 0; i < p->nrules; i++) {
		set->nrules++;
		if (p->rules[i].type != KY_RULE_VALIDATE)
			set->nnot_evaluated++;
	}
	set->npolicies++;
	return 0;
}

int gr_kyverno_set_load_buffer(gr_kyverno_set *set, const char *name, const char *data, size_t len,
                               size_t *loaded, gr_error *err)
{
	if (loaded)
		*loaded = 0;
	const char *file = gr_arena_strdup(&set->arena, name ? name : "-");
	gr_document *docs = NULL;
	size_t n = 0;
	if (gr_decode(&set->arena, data, len, NULL, &docs, &n, err) != 0) {
		gr_error_set_file(err, file);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const gr_value *root = &docs[i].root;
		const char *api = gr_get_str(root, "apiVersion");
		const char *kind = gr_get_str(root, "kind");
		if (ky_is_vpol(root)) {
			if (ky_vpol_add(set, root, file, err))
				return -1;
			if (loaded)
				(*loaded)++;
			continue;
		}
		if (!api || !kind || strncmp(api, "kyverno.io/", 11) != 0 ||
		    (strcmp(kind, "ClusterPolicy") != 0 && strcmp(kind, "Policy") != 0)) {
			const char *oname = gr_get_str(gr_get(root, "metadata"), "name");
			if (oname && kind && set->nother < 4096) {
				if (set->nother == set->capother) {
					size_t nc = set->capother ? set->capother * 2 : 16;
					const char **nn = realloc(set->other_names, nc * sizeof *nn);
					if (nn)
						set->other_names = nn;
					const char **nk = realloc(set->other_kinds, nc * sizeof *nk);
					if (nk)
						set->other_kinds = nk;
					if (!nn || !nk)
						return gr_error_set(err, 0, 0, "out of memory");
					set->capother = nc;
				}
				set->other_names[set->nother] = oname;
				set->other_kinds[set->nother++] =
				        gr_arena_printf(&set->arena, "%s %s", api ? api : "", kind);
			}
			continue;
		}
		if (add_policy(set, root, file, err))
			return -1;
		if (loaded)
			(*loaded)++;
	}
	return 0;
}

int gr_kyverno_set_load_file(gr_kyverno_set *set, const char *path, size_t *loaded, gr_error *err)
{
	char *data = NULL;
	size_t len = 0;
	if (gr_read_file(path, 256u << 20, &data, &len, err) != 0) {
		gr_error_set_file(err, path);
		return -1;
	}
	int rc = gr_kyverno_set_load_buffer(set, path, data, len, loaded, err);
	/* strings of the tree point into the arena, not into data */
	free(data);
	return rc;
}

static gr_value copy_value(gr_arena *a, const gr_value *v)
{
	gr_value out = *v;
	switch (v->type) {
	case GR_STRING: {
		char *s = gr_arena_strndup(a, v->u.s.ptr, v->u.s.len);
		out.u.s.ptr = s ? s : "";
		break;
	}
	case GR_ARRAY:
		out.u.a.items = gr_arena_alloc(a, (v->u.a.len ? v->u.a.len : 1) * sizeof(gr_value));
		if (!out.u.a.items) {
			out.u.a.len = 0;
			break;
		}
		for (size_t i = 0; i < v->u.a.len; i++)
			out.u.a.items[i] = copy_value(a, &v->u.a.items[i]);
		break;
	case GR_OBJECT:
		out.u.o.members = gr_arena_alloc(a, (v->u.o.len ? v->u.o.len : 1) * sizeof(gr_member));
		if (!out.u.o.members) {
			out.u.o.len = 0;
			break;
		}
		for (size_t i = 0; i < v->u.o.len; i++) {
			gr_member *m = &out.u.o.members[i];
			*m = v->u.o.members[i];
			char *k = gr_arena_strndup(a, m->key, m->key_len);
			gr_member_set_key(m, k ? k : "", k ? m->key_len : 0);
			m->value = copy_value(a, &v->u.o.members[i].value);
		}
		break;
	default: break;
	}
	return out;
}

int gr_kyverno_set_load_value(gr_kyverno_set *set, const char *name, const gr_value *root, size_t *loaded,
                              gr_error *err)
{
	if (loaded)
		*loaded = 0;
	const char *api = gr_get_str(root, "apiVersion");
	const char *kind = gr_get_str(root, "kind");
	bool vpol = ky_is_vpol(root);
	if (!vpol && (!api || !kind || strncmp(api, "kyverno.io/", 11) != 0 ||
	              (strcmp(kind, "ClusterPolicy") != 0 && strcmp(kind, "Policy") != 0)))
		return 0;
	gr_value *copy = gr_arena_alloc(&set->arena, sizeof *copy);
	if (!copy)
		return gr_error_set(err, 0, 0, "out of memory");
	*copy = copy_value(&set->arena, root);
	const char *file = gr_arena_strdup(&set->arena, name ? name : "-");
	if (vpol ? ky_vpol_add(set, copy, file, err) : add_policy(set, copy, file, err))
		return -1;
	if (loaded)
		*loaded = 1;
	return 0;
}
