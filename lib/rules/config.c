/*
 * config.c — the configuration file (.guardrail.yaml): found from a
 * directory upwards, decoded with positions, validated against its schema
 * (unknown keys and wrong types are errors at file:line:col), and turned
 * into rule options: profile, packs and rules on/off, severity and action
 * per rule, exemptions (namespaces, name globs, label selectors, each with
 * a mandatory reason) and rule parameters. The format is documented in
 * docs/configuration.md; `guardrail serve` loads the same file.
 */
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "guardrail/cel.h"
#include "guardrail/decode.h"
#include "rules_int.h"

typedef struct cfg_rule {
	const char *id;
	int enabled;  /* -1 unset, 0, 1 */
	int severity; /* -1 unset */
	int action;   /* -1 unset */
} cfg_rule;

typedef struct cfg_exemption {
	const char **rules; /* ids, packs or globs */
	size_t nrules;
	const char **namespaces;
	size_t nnamespaces;
	const char **names; /* globs */
	size_t nnames;
	const gr_value *selector; /* LabelSelector or NULL */
	const char *reason;
} cfg_exemption;

struct gr_rules_file {
	gr_arena arena;
	char *data;
	const char *name;
	const char *profile;
	const char *target;
	int assume_complete; /* -1 unset */
	const char **enable, **disable;
	size_t nenable, ndisable;
	cfg_rule *rules;
	size_t nrules;
	cfg_exemption *ex;
	size_t nex;
	int min_replicas;
	const char **allowed, **denied, **digest_ns;
	size_t nallowed, ndenied, ndigest_ns;
	int require_digest, require_qualified; /* -1 unset */
	rl_custom *customs;                    /* kube-linter customChecks */
	size_t ncustoms;
};

size_t gri_rules_file_customs(const gr_rules_file *f, const rl_custom **out)
{
	*out = f ? f->customs : NULL;
	return f ? f->ncustoms : 0;
}

int gr_rules_file_find(const char *dir, char *out, size_t outlen)
{
	char cur[PATH_MAX];
	if (!dir || snprintf(cur, sizeof cur, "%s", dir) >= (int)sizeof cur)
		return -1;
	for (;;) {
		char p[PATH_MAX + 32];
		snprintf(p, sizeof p, "%s/.guardrail.yaml", strcmp(cur, "/") == 0 ? "" : cur);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
			if (snprintf(out, outlen, "%s", p) >= (int)outlen)
				return -1;
			return 0;
		}
		char *slash = strrchr(cur, '/');
		if (!slash || strcmp(cur, "/") == 0)
			return -1;
		if (slash == cur)
			strcpy(cur, "/");
		else
			*slash = '\0';
	}
}

/* ---- validation helpers ---- */

typedef struct vctx {
	gr_rules_file *f;
	gr_error *err;
} vctx;

static int bad(vctx *v, const gr_value *at, uint32_t line, uint32_t col, const char *fmt, const char *a,
               const char *b)
{
	gr_error_set(v->err, at ? at->line : line, at ? at->column : col, fmt, a, b);
	gr_error_set_file(v->err, v->f->name);
	return -1;
}

static int want(vctx *v, const gr_value *x, gr_type t, const char *what)
{
	if (x && x->type == t)
		return 0;
	return bad(v, x, 0, 0, "%s must be %s", what,
	           t == GR_OBJECT   ? "a mapping"
	           : t == GR_ARRAY  ? "a list"
	           : t == GR_STRING ? "a string"
	           : t == GR_BOOL   ? "true or false"
	                            : "an integer");
}

/* Reject keys outside allowed (NULL-terminated). */
static int keys(vctx *v, const gr_value *m, const char *where, const char *const *allowed)
{
	for (size_t i = 0; i < m->u.o.len; i++) {
		const gr_member *k = &m->u.o.members[i];
		bool ok = false;
		for (int j = 0; allowed[j] && !ok; j++)
			ok = strcmp(k->key, allowed[j]) == 0;
		if (!ok)
			return bad(v, NULL, k->line, k->column, "unknown key \"%s\" in %s", k->key, where);
	}
	return 0;
}

static int strlist(vctx *v, const gr_value *x, const char *what, const char ***out, size_t *n)
{
	if (x->type == GR_STRING) { /* "a,b" is accepted for a list of one-or-more */
		*out = gr_arena_calloc(&v->f->arena, 1, sizeof **out);
		(*out)[0] = x->u.s.ptr;
		*n = 1;
		return 0;
	}
	if (want(v, x, GR_ARRAY, what))
		return -1;
	*out = gr_arena_calloc(&v->f->arena, x->u.a.len ? x->u.a.len : 1, sizeof **out);
	*n = 0;
	for (size_t i = 0; i < x->u.a.len; i++) {
		if (want(v, &x->u.a.items[i], GR_STRING, what))
			return -1;
		(*out)[(*n)++] = x->u.a.items[i].u.s.ptr;
	}
	return 0;
}

static bool known_pack(const char *s)
{
	static const char *const p[] = {"bp",      "ref",        "api",         "image",
	                                "polaris", "kube-score", "kube-linter", NULL};
	for (int i = 0; p[i]; i++)
		if (strcmp(p[i], s) == 0)
			return true;
	return false;
}

static int sev_of(const char *s)
{
	return !strcmp(s, "error")     ? GR_SEV_ERROR
	       : !strcmp(s, "warning") ? GR_SEV_WARNING
	       : !strcmp(s, "info")    ? GR_SEV_INFO
	                               : -1;
}

static int act_of(const char *s)
{
	return !strcmp(s, "enforce") ? GR_ACTION_ENFORCE
	       : !strcmp(s, "warn")  ? GR_ACTION_WARN
	       : !strcmp(s, "audit") ? GR_ACTION_AUDIT
	                             : -1;
}

static int parse_rules(vctx *v, const gr_value *m)
{
	if (want(v, m, GR_OBJECT, "rules"))
		return -1;
	v->f->rules = gr_arena_calloc(&v->f->arena, m->u.o.len ? m->u.o.len : 1, sizeof *v->f->rules);
	for (size_t i = 0; i < m->u.o.len; i++) {
		const gr_member *k = &m->u.o.members[i];
		if (!gr_rules_find(k->key))
			return bad(v, NULL, k->line, k->column, "unknown rule \"%s\"%s", k->key,
			           " (see docs/rules/)");
		cfg_rule *r = &v->f->rules[v->f->nrules++];
		r->id = k->key;
		r->enabled = r->severity = r->action = -1;
		const gr_value *x = &k->value;
		if (x->type == GR_BOOL) { /* rules: {bp.cpu-limit: true} */
			r->enabled = x->u.b;
			continue;
		}
		if (want(v, x, GR_OBJECT, "a rule's settings"))
			return -1;
		static const char *const allowed[] = {"enabled", "severity", "action", NULL};
		if (keys(v, x, "a rule's settings", allowed))
			return -1;
		const gr_value *e = gr_get(x, "enabled"), *s = gr_get(x, "severity"),
		               *a = gr_get(x, "action");
		if (e) {
			if (want(v, e, GR_BOOL, "enabled"))
				return -1;
			r->enabled = e->u.b;
		}
		if (s) {
			if (want(v, s, GR_STRING, "severity"))
				return -1;
			if ((r->severity = sev_of(s->u.s.ptr)) < 0)
				return bad(v, s, 0, 0, "severity \"%s\" is not one of error, warning, info%s",
				           s->u.s.ptr, "");
		}
		if (a) {
			if (want(v, a, GR_STRING, "action"))
				return -1;
			if ((r->action = act_of(a->u.s.ptr)) < 0)
				return bad(v, a, 0, 0, "action \"%s\" is not one of enforce, warn, audit%s",
				           a->u.s.ptr, "");
		}
	}
	return 0;
}

static int check_selector(vctx *v, const gr_value *s)
{
	if (want(v, s, GR_OBJECT, "selector"))
		return -1;
	static const char *const allowed[] = {"matchLabels", "matchExpressions", NULL};
	if (keys(v, s, "selector", allowed))
		return -1;
	const gr_value *ml = gr_get(s, "matchLabels"), *me = gr_get(s, "matchExpressions");
	if (ml) {
		if (want(v, ml, GR_OBJECT, "matchLabels"))
			return -1;
		for (size_t i = 0; i < ml->u.o.len; i++)
			if (want(v, &ml->u.o.members[i].value, GR_STRING, "a label value"))
				return -1;
	}
	if (me) {
		if (want(v, me, GR_ARRAY, "matchExpressions"))
			return -1;
		for (size_t i = 0; i < me->u.a.len; i++) {
			const gr_value *x = &me->u.a.items[i];
			static const char *const ek[] = {"key", "operator", "values", NULL};
			if (want(v, x, GR_OBJECT, "a match expression") ||
			    keys(v, x, "a match expression", ek))
				return -1;
			const gr_value *op = gr_get(x, "operator");
			if (want(v, gr_get(x, "key") ? gr_get(x, "key") : x, GR_STRING, "key") ||
			    want(v, op ? op : x, GR_STRING, "operator"))
				return -1;
			const char *o = op->u.s.ptr;
			if (strcmp(o, "In") && strcmp(o, "NotIn") && strcmp(o, "Exists") &&
			    strcmp(o, "DoesNotExist"))
				return bad(v, op, 0, 0,
				           "operator \"%s\" is not one of In, NotIn, Exists, DoesNotExist%s",
				           o, "");
		}
	}
	return 0;
}

static int parse_exemptions(vctx *v, const gr_value *l)
{
	if (want(v, l, GR_ARRAY, "exemptions"))
		return -1;
	v->f->ex = gr_arena_calloc(&v->f->arena, l->u.a.len ? l->u.a.len : 1, sizeof *v->f->ex);
	for (size_t i = 0; i < l->u.a.len; i++) {
		const gr_value *x = &l->u.a.items[i];
		static const char *const allowed[] = {"rules",    "namespaces", "names",
		                                      "selector", "reason",     NULL};
		if (want(v, x, GR_OBJECT, "an exemption") || keys(v, x, "an exemption", allowed))
			return -1;
		cfg_exemption *e = &v->f->ex[v->f->nex++];
		const gr_value *r = gr_get(x, "rules"), *ns = gr_get(x, "namespaces"),
		               *nm = gr_get(x, "names");
		const gr_value *sel = gr_get(x, "selector"), *why = gr_get(x, "reason");
		if (!why || why->type != GR_STRING || why->u.s.len == 0)
			return bad(v, why ? why : x, 0, 0,
			           "an exemption needs a reason: say why it is exempt%s", "", "");
		e->reason = why->u.s.ptr;
		if (r && strlist(v, r, "rules", &e->rules, &e->nrules))
			return -1;
		if (ns && strlist(v, ns, "namespaces", &e->namespaces, &e->nnamespaces))
			return -1;
		if (nm && strlist(v, nm, "names", &e->names, &e->nnames))
			return -1;
		if (sel) {
			if (check_selector(v, sel))
				return -1;
			e->selector = sel;
		}
		if (!ns && !nm && !sel)
			return bad(v, x, 0, 0, "an exemption needs namespaces, names or a selector%s%s", "",
			           "");
	}
	return 0;
}

static int parse_params(vctx *v, const gr_value *p)
{
	if (want(v, p, GR_OBJECT, "parameters"))
		return -1;
	static const char *const allowed[] = {"minReplicas",
	                                      "allowedRegistries",
	                                      "deniedRegistries",
	                                      "requireDigest",
	                                      "requireDigestNamespaces",
	                                      "requireQualifiedImages",
	                                      "targetKubernetes",
	                                      NULL};
	if (keys(v, p, "parameters", allowed))
		return -1;
	gr_rules_file *f = v->f;
	const gr_value *x;
	if ((x = gr_get(p, "minReplicas"))) {
		if (want(v, x, GR_INT, "minReplicas"))
			return -1;
		if (x->u.i < 1 || x->u.i > 1000)
			return bad(v, x, 0, 0, "minReplicas must be between 1 and 1000%s%s", "", "");
		f->min_replicas = (int)x->u.i;
	}
	if ((x = gr_get(p, "allowedRegistries")) &&
	    strlist(v, x, "allowedRegistries", &f->allowed, &f->nallowed))
		return -1;
	if ((x = gr_get(p, "deniedRegistries")) && strlist(v, x, "deniedRegistries", &f->denied, &f->ndenied))
		return -1;
	if ((x = gr_get(p, "requireDigestNamespaces")) &&
	    strlist(v, x, "requireDigestNamespaces", &f->digest_ns, &f->ndigest_ns))
		return -1;
	if ((x = gr_get(p, "requireDigest"))) {
		if (want(v, x, GR_BOOL, "requireDigest"))
			return -1;
		f->require_digest = x->u.b;
	}
	if ((x = gr_get(p, "requireQualifiedImages"))) {
		if (want(v, x, GR_BOOL, "requireQualifiedImages"))
			return -1;
		f->require_qualified = x->u.b;
	}
	if ((x = gr_get(p, "targetKubernetes"))) {
		if (want(v, x, GR_STRING, "targetKubernetes"))
			return -1;
		f->target = x->u.s.ptr;
	}
	return 0;
}

static int valid_version(const char *s)
{
	int a, b;
	char tail;
	if (*s == 'v')
		s++;
	return sscanf(s, "%d.%d%c", &a, &b, &tail) == 2 && a == 1 && b >= 0 && b < 100;
}

int gr_rules_file_parse(const char *name, const char *data, size_t len, gr_rules_file **out, gr_error *err)
{
	*out = NULL;
	gr_rules_file *f = calloc(1, sizeof *f);
	if (!f)
		return gr_error_set(err, 0, 0, "out of memory");
	gr_arena_init(&f->arena);
	f->assume_complete = f->require_digest = f->require_qualified = -1;
	f->name = gr_arena_strdup(&f->arena, name ? name : ".guardrail.yaml");
	vctx v = {f, err};
	gr_document *docs;
	size_t nd = 0;
	if (gr_decode_yaml(&f->arena, data, len, NULL, &docs, &nd, err) != 0) {
		gr_error_set_file(err, f->name);
		gr_rules_file_free(f);
		return -1;
	}
	if (nd == 0) { /* an empty file configures nothing */
		*out = f;
		return 0;
	}
	if (nd > 1) {
		bad(&v, &docs[1].root, 0, 0, "the configuration is one YAML document%s%s", "", "");
		gr_rules_file_free(f);
		return -1;
	}
	const gr_value *root = &docs[0].root;
	static const char *const top[] = {"version", "profile", "targetKubernetes", "assumeComplete",
	                                  "packs",   "rules",   "exemptions",       "parameters",
	                                  "serve",   NULL};
	int rc = 0;
	if (root->type == GR_NULL) {
		*out = f;
		return 0;
	}
	if (want(&v, root, GR_OBJECT, "the configuration") || keys(&v, root, "the configuration", top)) {
		gr_rules_file_free(f);
		return -1;
	}
	const gr_value *x;
	if ((x = gr_get(root, "version")) && (x->type != GR_INT || x->u.i != 1))
		rc = bad(&v, x, 0, 0, "version must be 1%s%s", "", "");
	if (!rc && (x = gr_get(root, "profile"))) {
		if (!(rc = want(&v, x, GR_STRING, "profile")) && gr_rules_profile_parse(x->u.s.ptr) < 0)
			rc = bad(&v, x, 0, 0,
			         "profile \"%s\" is not one of guardrail, polaris, kube-score, kube-linter%s",
			         x->u.s.ptr, "");
		if (!rc)
			f->profile = x->u.s.ptr;
	}
	if (!rc && (x = gr_get(root, "targetKubernetes"))) {
		if (!(rc = want(&v, x, GR_STRING, "targetKubernetes (quote it: \"1.32\")")) &&
		    !valid_version(x->u.s.ptr))
			rc = bad(&v, x, 0, 0, "targetKubernetes \"%s\" is not a version like \"1.32\"%s",
			         x->u.s.ptr, "");
		if (!rc)
			f->target = x->u.s.ptr;
	}
	if (!rc && (x = gr_get(root, "assumeComplete"))) {
		if (!(rc = want(&v, x, GR_BOOL, "assumeComplete")))
			f->assume_complete = x->u.b;
	}
	if (!rc && (x = gr_get(root, "packs"))) {
		if (!(rc = want(&v, x, GR_OBJECT, "packs"))) {
			f->enable = gr_arena_calloc(&f->arena, x->u.o.len + 1, sizeof *f->enable);
			f->disable = gr_arena_calloc(&f->arena, x->u.o.len + 1, sizeof *f->disable);
			for (size_t i = 0; !rc && i < x->u.o.len; i++) {
				const gr_member *k = &x->u.o.members[i];
				if (!known_pack(k->key))
					rc = bad(&v, NULL, k->line, k->column, "unknown pack \"%s\"%s",
					         k->key,
					         " (bp, ref, api, image, polaris, kube-score, kube-linter)");
				else if (!(rc = want(&v, &k->value, GR_BOOL, "a pack switch"))) {
					if (k->value.u.b)
						f->enable[f->nenable++] = k->key;
					else
						f->disable[f->ndisable++] = k->key;
				}
			}
		}
	}
	if (!rc && (x = gr_get(root, "rules")))
		rc = parse_rules(&v, x);
	if (!rc && (x = gr_get(root, "exemptions")))
		rc = parse_exemptions(&v, x);
	if (!rc && (x = gr_get(root, "parameters")))
		rc = parse_params(&v, x);
	if (!rc && (x = gr_get(root, "serve")))
		rc = want(&v, x, GR_OBJECT, "serve"); /* read by `guardrail serve` */
	if (!rc && f->target && !valid_version(f->target))
		rc = bad(&v, gr_get(gr_get(root, "parameters"), "targetKubernetes"), 0, 0,
		         "targetKubernetes \"%s\" is not a version like \"1.32\"%s", f->target, "");
	if (rc) {
		gr_rules_file_free(f);
		return -1;
	}
	*out = f;
	return 0;
}

int gr_rules_file_load(const char *path, gr_rules_file **out, gr_error *err)
{
	char *data;
	size_t len;
	*out = NULL;
	if (gr_read_file(path, 1 << 20, &data, &len, err) != 0) {
		gr_error_set_file(err, path);
		return -1;
	}
	int rc = gr_rules_file_parse(path, data, len, out, err);
	if (rc == 0)
		(*out)->data = data; /* values point into the arena, but keep the text for callers */
	else
		free(data);
	return rc;
}

void gr_rules_file_free(gr_rules_file *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->ncustoms; i++)
		gr_cel_free((gr_cel_program *)f->customs[i].cel);
	gr_arena_free(&f->arena);
	free(f->data);
	free(f);
}

int gr_rules_file_apply(const gr_rules_file *f, gr_rules_options *o, gr_error *err)
{
	if (!f)
		return 0;
	o->file = f;
	if (f->profile)
		o->profile = (gr_rules_profile)gr_rules_profile_parse(f->profile);
	if (f->target)
		o->target_kubernetes = f->target;
	if (f->assume_complete >= 0)
		o->assume_complete = f->assume_complete;
	if (f->min_replicas)
		o->min_replicas = f->min_replicas;
	if (f->nallowed) {
		o->allowed_registries = f->allowed;
		o->nallowed_registries = f->nallowed;
	}
	if (f->ndenied) {
		o->denied_registries = f->denied;
		o->ndenied_registries = f->ndenied;
	}
	if (f->require_digest >= 0)
		o->require_digest = f->require_digest;
	if (f->require_qualified >= 0)
		o->require_qualified = f->require_qualified;
	/* packs and rules on/off: one enable and one disable list */
	size_t ne = f->nenable, nd = f->ndisable;
	for (size_t i = 0; i < f->nrules; i++) {
		ne += f->rules[i].enabled == 1;
		nd += f->rules[i].enabled == 0;
	}
	const char **en = gr_arena_calloc((gr_arena *)&f->arena, ne + 1, sizeof *en);
	const char **di = gr_arena_calloc((gr_arena *)&f->arena, nd + 1, sizeof *di);
	if (!en || !di)
		return gr_error_set(err, 0, 0, "out of memory");
	size_t a = 0, b = 0;
	for (size_t i = 0; i < f->nenable; i++)
		en[a++] = f->enable[i];
	for (size_t i = 0; i < f->ndisable; i++)
		di[b++] = f->disable[i];
	for (size_t i = 0; i < f->nrules; i++) {
		if (f->rules[i].enabled == 1)
			en[a++] = f->rules[i].id;
		if (f->rules[i].enabled == 0)
			di[b++] = f->rules[i].id;
	}
	o->enable = en;
	o->nenable = a;
	o->disable = di;
	o->ndisable = b;
	return 0;
}

/* ---- used by run.c ---- */

static bool rule_named(const char *pat, const gr_rule_info *r)
{
	return strcmp(pat, r->id) == 0 || strcmp(pat, r->pack) == 0 || fnmatch(pat, r->id, 0) == 0;
}

bool gri_rules_file_exempt(const gr_rules_file *f, const gr_object *o, const gr_rule_info *r);
bool gri_rules_file_exempt(const gr_rules_file *f, const gr_object *o, const gr_rule_info *r)
{
	for (size_t i = 0; i < f->nex; i++) {
		const cfg_exemption *e = &f->ex[i];
		bool hit = e->nrules == 0;
		for (size_t j = 0; j < e->nrules && !hit; j++)
			hit = rule_named(e->rules[j], r);
		if (!hit)
			continue;
		if (e->nnamespaces) {
			bool m = false;
			for (size_t j = 0; j < e->nnamespaces && !m; j++)
				m = strcmp(e->namespaces[j], o->namespace_) == 0 ||
				    (!o->namespace_[0] && strcmp(e->namespaces[j], "default") == 0) ||
				    fnmatch(e->namespaces[j], o->namespace_, 0) == 0;
			if (!m)
				continue;
		}
		if (e->nnames) {
			bool m = false;
			for (size_t j = 0; j < e->nnames && !m; j++)
				m = fnmatch(e->names[j], o->name, 0) == 0;
			if (!m)
				continue;
		}
		if (e->selector && !rl_selector_selects(e->selector, rl_labels(o), true))
			continue;
		return true;
	}
	return false;
}

/* Severity/action overrides: -1 when the file says nothing. */
void gri_rules_file_override(const gr_rules_file *f, const char *id, int *sev, int *act);
void gri_rules_file_override(const gr_rules_file *f, const char *id, int *sev, int *act)
{
	*sev = *act = -1;
	for (size_t i = 0; f && i < f->nrules; i++)
		if (strcmp(f->rules[i].id, id) == 0) {
			*sev = f->rules[i].severity;
			*act = f->rules[i].action;
		}
}

/* Digest pinning per namespace. */
bool gri_rules_file_digest_ns(const gr_rules_file *f, const char *ns);
bool gri_rules_file_digest_ns(const gr_rules_file *f, const char *ns)
{
	for (size_t i = 0; f && i < f->ndigest_ns; i++)
		if (strcmp(f->digest_ns[i], ns) == 0 || fnmatch(f->digest_ns[i], ns, 0) == 0)
			return true;
	return false;
}

/* ---- upstream configuration files (compatibility profiles) ---- */

/* All rules of a pack, as cfg_rule rows (enabled unset). */
static int pack_rows(gr_rules_file *f, const char *pack)
{
	size_t n = 0, total = gr_rules_count();
	for (size_t i = 0; i < total; i++)
		n += strcmp(gr_rules_info(i)->pack, pack) == 0;
	f->rules = gr_arena_calloc(&f->arena, n ? n : 1, sizeof *f->rules);
	if (!f->rules)
		return -1;
	for (size_t i = 0; i < total; i++) {
		const gr_rule_info *r = gr_rules_info(i);
		if (strcmp(r->pack, pack) != 0)
			continue;
		cfg_rule *c = &f->rules[f->nrules++];
		c->id = r->id;
		c->enabled = c->severity = c->action = -1;
	}
	return 0;
}

static cfg_rule *row_for(gr_rules_file *f, const char *pack, const char *upstream_id)
{
	size_t pl = strlen(pack);
	for (size_t i = 0; i < f->nrules; i++)
		if (strncmp(f->rules[i].id, pack, pl) == 0 && f->rules[i].id[pl] == '.' &&
		    strcmp(f->rules[i].id + pl + 1, upstream_id) == 0)
			return &f->rules[i];
	return NULL;
}

static int parse_polaris(vctx *v, const gr_value *root)
{
	gr_rules_file *f = v->f;
	static const char *const top[] = {"checks",    "exemptions",  "customChecks",
	                                  "mutations", "displayName", NULL};
	if (keys(v, root, "a Polaris configuration", top) || pack_rows(f, "polaris"))
		return -1;
	const gr_value *cc = gr_get(root, "customChecks");
	if (cc) {
		if (want(v, cc, GR_OBJECT, "customChecks"))
			return -1;
		f->customs = gr_arena_calloc(&f->arena, cc->u.o.len ? cc->u.o.len : 1, sizeof *f->customs);
		for (size_t i = 0; i < cc->u.o.len; i++) {
			const gr_member *m = &cc->u.o.members[i];
			static const char *const allowed[] = {
			        "successMessage", "failureMessage", "category",    "target", "schema",
			        "schemaTarget",   "containers",     "controllers", "id",     NULL};
			if (want(v, &m->value, GR_OBJECT, "a custom check") ||
			    keys(v, &m->value, "a Polaris custom check", allowed))
				return -1;
			const gr_value *t = gr_get(&m->value, "target"), *sc = gr_get(&m->value, "schema");
			if (!t || t->type != GR_STRING)
				return bad(v, t ? t : &m->value, 0, 0, "custom check \"%s\" needs a target%s",
				           m->key, "");
			if (!sc || sc->type != GR_OBJECT)
				return bad(v, sc ? sc : &m->value, 0, 0,
				           "custom check \"%s\" needs a schema%s", m->key, "");
			rl_custom *c = &f->customs[f->ncustoms++];
			c->name = m->key;
			c->id = gr_arena_printf(&f->arena, "polaris.%s", m->key);
			c->template_ = "polaris-schema";
			c->target = t->u.s.ptr;
			c->schema = sc;
			c->failure = gr_get_str(&m->value, "failureMessage");
			c->level = -1;
			const gr_value *ex = gr_get_path(&m->value, "containers", "exclude", NULL);
			c->exclude_init = rl_has_str(ex, "initContainer", false);
		}
	}
	const gr_value *checks = gr_get(root, "checks");
	/* Polaris runs only the checks its configuration lists */
	for (size_t i = 0; i < f->nrules; i++)
		f->rules[i].enabled = 0;
	if (checks) {
		if (want(v, checks, GR_OBJECT, "checks"))
			return -1;
		for (size_t i = 0; i < checks->u.o.len; i++) {
			const gr_member *m = &checks->u.o.members[i];
			cfg_rule *r = row_for(f, "polaris", m->key);
			rl_custom *custom = NULL;
			for (size_t k = 0; k < f->ncustoms && !r; k++)
				if (!strcmp(f->customs[k].name, m->key))
					custom = &f->customs[k];
			if (!r && !custom)
				return bad(v, NULL, m->line, m->column, "unknown Polaris check \"%s\"%s",
				           m->key, "");
			if (custom) {
				const char *lvl = rl_str(&m->value);
				if (!lvl || (strcmp(lvl, "danger") && strcmp(lvl, "warning") &&
				             strcmp(lvl, "ignore")))
					return bad(v, &m->value, 0, 0,
					           "level of \"%s\" is not one of danger, warning, ignore%s",
					           m->key, "");
				custom->level = !strcmp(lvl, "ignore")   ? -1
				                : !strcmp(lvl, "danger") ? GR_SEV_ERROR
				                                         : GR_SEV_WARNING;
				continue;
			}
			if (want(v, &m->value, GR_STRING, "a Polaris check level"))
				return -1;
			const char *lvl = m->value.u.s.ptr;
			if (!strcmp(lvl, "ignore"))
				continue;
			if (strcmp(lvl, "danger") && strcmp(lvl, "warning"))
				return bad(v, &m->value, 0, 0,
				           "level \"%s\" is not one of danger, warning, ignore%s", lvl, "");
			r->enabled = 1;
			r->severity = !strcmp(lvl, "danger") ? GR_SEV_ERROR : GR_SEV_WARNING;
			r->action = !strcmp(lvl, "danger") ? GR_ACTION_ENFORCE : GR_ACTION_WARN;
		}
	}
	const gr_value *ex = gr_get(root, "exemptions");
	if (!ex)
		return 0;
	if (want(v, ex, GR_ARRAY, "exemptions"))
		return -1;
	f->ex = gr_arena_calloc(&f->arena, ex->u.a.len ? ex->u.a.len : 1, sizeof *f->ex);
	for (size_t i = 0; i < ex->u.a.len; i++) {
		const gr_value *x = &ex->u.a.items[i];
		static const char *const allowed[] = {"namespace", "controllerNames", "rules", NULL};
		if (want(v, x, GR_OBJECT, "an exemption") || keys(v, x, "a Polaris exemption", allowed))
			return -1;
		cfg_exemption *e = &f->ex[f->nex++];
		e->reason = gr_arena_printf(&f->arena, "Polaris exemption in %s", f->name);
		const gr_value *ns = gr_get(x, "namespace"), *names = gr_get(x, "controllerNames"),
		               *rl = gr_get(x, "rules");
		if (ns) {
			if (want(v, ns, GR_STRING, "namespace"))
				return -1;
			e->namespaces = gr_arena_calloc(&f->arena, 1, sizeof *e->namespaces);
			e->namespaces[0] = ns->u.s.ptr;
			e->nnamespaces = 1;
		}
		if (names && strlist(v, names, "controllerNames", &e->names, &e->nnames))
			return -1;
		if (rl) {
			const char **up;
			size_t n;
			if (strlist(v, rl, "rules", &up, &n))
				return -1;
			e->rules = gr_arena_calloc(&f->arena, n ? n : 1, sizeof *e->rules);
			for (size_t k = 0; k < n; k++)
				e->rules[e->nrules++] = gr_arena_printf(&f->arena, "polaris.%s", up[k]);
		}
		if (!ns && !names)
			return bad(v, x, 0, 0, "a Polaris exemption needs a namespace or controllerNames%s%s",
			           "", "");
	}
	return 0;
}

/* kubeconform params: strict, ignoreMissingSchemas (both false unless set,
 * as kube-linter's zero values), skipKinds, rejectKinds. */
static int kubeconform_params(vctx *v, rl_custom *c, const gr_value *params)
{
	const gr_value *x;
	if ((x = gr_get(params, "strict"))) {
		if (want(v, x, GR_BOOL, "strict"))
			return -1;
		c->strict = x->u.b;
	}
	if ((x = gr_get(params, "ignoreMissingSchemas"))) {
		if (want(v, x, GR_BOOL, "ignoreMissingSchemas"))
			return -1;
		c->ignore_missing = x->u.b;
	}
	const char **l;
	if ((x = gr_get(params, "skipKinds"))) {
		if (strlist(v, x, "skipKinds", &l, &c->nskip_kinds))
			return -1;
		c->skip_kinds = l;
	}
	if ((x = gr_get(params, "rejectKinds"))) {
		if (strlist(v, x, "rejectKinds", &l, &c->nreject_kinds))
			return -1;
		c->reject_kinds = l;
	}
	return 0;
}

/* cel-expression: params.check compiled once, in plain CEL with the
 * variables object and objects; a compile error is a configuration error
 * at the expression's line (and the column within it). */
static int compile_cel(vctx *v, rl_custom *c, const gr_value *x, const gr_value *params)
{
	const gr_value *chk = params ? gr_get(params, "check") : NULL;
	if (!chk)
		return bad(v, params ? params : x, 0, 0, "a cel-expression check needs params.check%s%s", "",
		           "");
	if (want(v, chk, GR_STRING, "params.check"))
		return -1;
	gr_cel_options o;
	gr_cel_options_default(&o);
	gr_cel_env *env = gr_cel_env_new(&o);
	if (!env || gr_cel_env_declare(env, "object", NULL) != 0 ||
	    gr_cel_env_declare(env, "objects", NULL) != 0) {
		gr_cel_env_free(env);
		return bad(v, chk, 0, 0, "out of memory%s%s", "", "");
	}
	gr_cel_program *p = NULL;
	gr_cel_error e;
	int rc = gr_cel_compile(env, chk->u.s.ptr, chk->u.s.len, &p, &e);
	gr_cel_env_free(env);
	if (rc != 0) {
		char col[64] = "";
		if (e.column)
			snprintf(col, sizeof col, " (column %u of the expression)", e.column);
		return bad(v, chk, 0, 0, "CEL expression: %s%s", e.message, col);
	}
	c->cel = p; /* freed with the file */
	return 0;
}

static int parse_kube_linter(vctx *v, const gr_value *root)
{
	gr_rules_file *f = v->f;
	static const char *const top[] = {"checks", "customChecks", NULL};
	if (keys(v, root, "a kube-linter configuration", top) || pack_rows(f, "kube-linter"))
		return -1;
	const gr_value *cc = gr_get(root, "customChecks");
	if (cc) {
		if (want(v, cc, GR_ARRAY, "customChecks"))
			return -1;
		f->customs = gr_arena_calloc(&f->arena, cc->u.a.len ? cc->u.a.len : 1, sizeof *f->customs);
		for (size_t i = 0; i < cc->u.a.len; i++) {
			const gr_value *x = &cc->u.a.items[i];
			static const char *const allowed[] = {
			        "name", "description", "remediation", "scope", "template", "params", NULL};
			if (want(v, x, GR_OBJECT, "a custom check") ||
			    keys(v, x, "a kube-linter custom check", allowed))
				return -1;
			const gr_value *nm = gr_get(x, "name"), *t = gr_get(x, "template");
			if (want(v, nm ? nm : x, GR_STRING, "a custom check's name") ||
			    want(v, t ? t : x, GR_STRING, "a custom check's template"))
				return -1;
			if (!rl_custom_template(t->u.s.ptr))
				return bad(v, t, 0, 0,
				           "kube-linter template \"%s\" is not supported in custom checks "
				           "(supported: "
				           "required-annotation, required-label, forbidden-annotation, "
				           "forbidden-label, "
				           "statefulset-volumeclaimtemplate-annotation, cel-expression, "
				           "kubeconform)%s",
				           t->u.s.ptr, "");
			rl_custom *c = &f->customs[f->ncustoms++];
			c->name = nm->u.s.ptr;
			c->id = gr_arena_printf(&f->arena, "kube-linter.%s", nm->u.s.ptr);
			c->template_ = t->u.s.ptr;
			c->remediation = gr_get_str(x, "remediation");
			const gr_value *params = gr_get(x, "params");
			bool is_cel = !strcmp(c->template_, "cel-expression"),
			     is_kc = !strcmp(c->template_, "kubeconform");
			if (params) {
				static const char *const pk[] = {"key", "value", "annotation", NULL};
				static const char *const pcel[] = {"check", NULL};
				static const char *const pkc[] = {"strict", "ignoreMissingSchemas",
				                                  "skipKinds", "rejectKinds", NULL};
				if (want(v, params, GR_OBJECT, "params") ||
				    keys(v, params,
				         is_cel  ? "cel-expression params"
				         : is_kc ? "kubeconform params (guardrail validates against its own "
				                   "schemas: schemaLocations, cache and kubernetesVersion "
				                   "are "
				                   "--schema-dir and --kubernetes-version)"
				                 : "custom check params",
				         is_cel  ? pcel
				         : is_kc ? pkc
				                 : pk))
					return -1;
				c->key = gr_get_str(params, "key");
				c->value = gr_get_str(params, "value");
				c->annotation = gr_get_str(params, "annotation");
			}
			if (is_kc && kubeconform_params(v, c, params))
				return -1;
			if (is_cel && compile_cel(v, c, x, params))
				return -1;
			const gr_value *kinds = gr_get_path(x, "scope", "objectKinds", NULL);
			if (kinds) {
				const char **ks;
				if (strlist(v, kinds, "scope.objectKinds", &ks, &c->nkinds))
					return -1;
				c->kinds = ks;
			}
		}
	}
	const gr_value *ch = gr_get(root, "checks");
	bool all = false, no_defaults = false;
	const char **inc = NULL, **exc = NULL;
	size_t ninc = 0, nexc = 0;
	if (ch) {
		static const char *const allowed[] = {"addAllBuiltIn", "doNotAutoAddDefaults", "include",
		                                      "exclude", NULL};
		if (want(v, ch, GR_OBJECT, "checks") || keys(v, ch, "kube-linter checks", allowed))
			return -1;
		const gr_value *x;
		if ((x = gr_get(ch, "addAllBuiltIn"))) {
			if (want(v, x, GR_BOOL, "addAllBuiltIn"))
				return -1;
			all = x->u.b;
		}
		if ((x = gr_get(ch, "doNotAutoAddDefaults"))) {
			if (want(v, x, GR_BOOL, "doNotAutoAddDefaults"))
				return -1;
			no_defaults = x->u.b;
		}
		if ((x = gr_get(ch, "include")) && strlist(v, x, "include", &inc, &ninc))
			return -1;
		if ((x = gr_get(ch, "exclude")) && strlist(v, x, "exclude", &exc, &nexc))
			return -1;
		for (size_t i = 0; i < ninc + nexc; i++) {
			const char *id = i < ninc ? inc[i] : exc[i - ninc];
			if (!row_for(f, "kube-linter", id))
				return bad(v, gr_get(ch, i < ninc ? "include" : "exclude"), 0, 0,
				           "unknown kube-linter check \"%s\"%s", id, "");
		}
	}
	/* built-in checks: on with addAllBuiltIn, off with doNotAutoAddDefaults,
	 * else their defaults (left unset: a run's do-not-auto-add-defaults
	 * still applies); include and exclude win */
	for (size_t i = 0; i < f->nrules; i++) {
		cfg_rule *r = &f->rules[i];
		const char *up = r->id + strlen("kube-linter.");
		r->enabled = all ? 1 : no_defaults ? 0 : -1;
		for (size_t k = 0; k < ninc; k++)
			if (strcmp(inc[k], up) == 0)
				r->enabled = 1;
		for (size_t k = 0; k < nexc; k++)
			if (strcmp(exc[k], up) == 0)
				r->enabled = 0;
	}
	return 0;
}

int gr_rules_file_parse_upstream(gr_rules_profile p, const char *name, const char *data, size_t len,
                                 gr_rules_file **out, gr_error *err)
{
	*out = NULL;
	if (p != GR_PROFILE_POLARIS && p != GR_PROFILE_KUBE_LINTER)
		return gr_error_set(err, 0, 0,
		                    "only the polaris and kube-linter profiles read a configuration file");
	gr_rules_file *f = calloc(1, sizeof *f);
	if (!f)
		return gr_error_set(err, 0, 0, "out of memory");
	gr_arena_init(&f->arena);
	f->assume_complete = f->require_digest = f->require_qualified = -1;
	f->name = gr_arena_strdup(&f->arena, name ? name : "config.yaml");
	f->profile = p == GR_PROFILE_POLARIS ? "polaris" : "kube-linter";
	vctx v = {f, err};
	gr_document *docs;
	size_t nd = 0;
	int rc = 0;
	if (gr_decode_yaml(&f->arena, data, len, NULL, &docs, &nd, err) != 0) {
		gr_error_set_file(err, f->name);
		rc = -1;
	} else if (nd == 0 || docs[0].root.type == GR_NULL) {
		if (p == GR_PROFILE_POLARIS)
			rc = bad(&v, NULL, 1, 1, "the Polaris configuration lists no checks%s%s", "", "");
		else
			rc = parse_kube_linter(&v, &(gr_value){.type = GR_OBJECT});
	} else if (want(&v, &docs[0].root, GR_OBJECT, "the configuration"))
		rc = -1;
	else
		rc = p == GR_PROFILE_POLARIS ? parse_polaris(&v, &docs[0].root)
		                             : parse_kube_linter(&v, &docs[0].root);
	if (rc) {
		gr_rules_file_free(f);
		return -1;
	}
	*out = f;
	return 0;
}

int gr_rules_file_load_upstream(gr_rules_profile p, const char *path, gr_rules_file **out, gr_error *err)
{
	char *data;
	size_t len;
	*out = NULL;
	if (gr_read_file(path, 1 << 20, &data, &len, err) != 0) {
		gr_error_set_file(err, path);
		return -1;
	}
	int rc = gr_rules_file_parse_upstream(p, path, data, len, out, err);
	if (rc == 0)
		(*out)->data = data;
	else
		free(data);
	return rc;
}
