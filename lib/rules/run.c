/*
 * run.c — selecting rules (profile, defaults, --only, enable/disable),
 * running them over an indexed input set, and the exemption annotations
 * every profile honours:
 *
 *   guardrail.dev/ignore: "bp.memory-limit,image.tag-latest"   (all profiles)
 *   guardrail.dev/ignore-reason: "why"                          (mandatory)
 *   polaris.fairwinds.com/<check>-exempt: "true", polaris.fairwinds.com/exempt
 *   kube-score/ignore: "check-id,check-id"
 *   ignore-check.kube-linter.io/<check>: "why", kube-linter.io/ignore-all
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "guardrail/regex.h"
#include "rules_int.h"

struct gr_rules {
	gr_rules_options opt;
	const rl_rule **on; /* enabled rules, table order */
	bool *gated;        /* on[i] runs only where kube-score/enable names it */
	size_t non;
	rl_rule *custom; /* rows of the configuration's custom checks (owned) */
	size_t ncustom;
};

void rl_polaris_custom(rl_ctx *c);

static const rl_rule *const *packs(void)
{
	static const rl_rule *const all[] = {rl_pack_bp_container, rl_pack_bp_workload, rl_pack_ref,
	                                     rl_pack_api,          rl_pack_image,       rl_pack_polaris,
	                                     rl_pack_kube_score,   rl_pack_kube_linter, NULL};
	return all;
}

static const rl_rule *rule_at(size_t i)
{
	for (const rl_rule *const *p = packs(); *p; p++) {
		size_t n = 0;
		while ((*p)[n].info.id)
			n++;
		if (i < n)
			return &(*p)[i];
		i -= n;
	}
	return NULL;
}

size_t gr_rules_count(void)
{
	size_t n = 0;
	for (const rl_rule *const *p = packs(); *p; p++)
		for (const rl_rule *r = *p; r->info.id; r++)
			n++;
	return n;
}

const gr_rule_info *gr_rules_info(size_t i)
{
	const rl_rule *r = rule_at(i);
	return r ? &r->info : NULL;
}

static const rl_rule *find_rule(const char *id)
{
	for (const rl_rule *const *p = packs(); *p; p++)
		for (const rl_rule *r = *p; r->info.id; r++)
			if (strcmp(r->info.id, id) == 0)
				return r;
	return NULL;
}

const gr_rule_info *gr_rules_find(const char *id)
{
	const rl_rule *r = find_rule(id);
	return r ? &r->info : NULL;
}

int gr_rules_profile_parse(const char *name)
{
	static const char *const names[] = {"guardrail", "polaris", "kube-score", "kube-linter"};
	for (int i = 0; i < 4; i++)
		if (name && strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

static bool in_list(const char *const *l, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (l[i] && strcmp(l[i], s) == 0)
			return true;
	return false;
}

static bool pack_in_profile(const char *pack, gr_rules_profile p)
{
	switch (p) {
	case GR_PROFILE_POLARIS: return strcmp(pack, "polaris") == 0;
	case GR_PROFILE_KUBE_SCORE: return strcmp(pack, "kube-score") == 0;
	case GR_PROFILE_KUBE_LINTER: return strcmp(pack, "kube-linter") == 0;
	default:
		return strcmp(pack, "bp") == 0 || strcmp(pack, "ref") == 0 || strcmp(pack, "api") == 0 ||
		       strcmp(pack, "image") == 0;
	}
}

/* A name in --only/enable/disable may be a rule id or a whole pack ("bp"). */
static bool named(const char *const *l, size_t n, const rl_rule *r)
{
	return in_list(l, n, r->info.id) || in_list(l, n, r->info.pack);
}

static int check_names(const char *const *l, size_t n, const char *flag, gr_error *err)
{
	static const char *const pack_names[] = {"bp",      "ref",        "api",        "image",
	                                         "polaris", "kube-score", "kube-linter"};
	for (size_t i = 0; i < n; i++) {
		if (!l[i] || find_rule(l[i]) || in_list(pack_names, 7, l[i]))
			continue;
		return gr_error_set(err, 0, 0, "%s: unknown rule \"%.200s\"", flag, l[i]);
	}
	return 0;
}

int gr_rules_new(gr_rules **out, const gr_rules_options *opts, gr_error *err)
{
	*out = NULL;
	if (check_names(opts->only, opts->nonly, "--only", err) ||
	    check_names(opts->enable, opts->nenable, "enable", err) ||
	    check_names(opts->disable, opts->ndisable, "disable", err))
		return -1;
	gr_rules *r = calloc(1, sizeof *r);
	const rl_custom *cust;
	size_t ncust = gri_rules_file_customs(opts->upstream_file ? opts->upstream_file : opts->file, &cust);
	size_t total = gr_rules_count();
	if (r)
		r->on = calloc(total + ncust + 1, sizeof *r->on);
	if (r) {
		r->gated = calloc(total + ncust + 1, sizeof *r->gated);
		r->custom = calloc(ncust + 1, sizeof *r->custom);
	}
	if (!r || !r->on || !r->gated || !r->custom) {
		if (r) {
			free(r->on);
			free(r->gated);
			free(r->custom);
			free(r);
		}
		return gr_error_set(err, 0, 0, "out of memory");
	}
	r->opt = *opts;
	/* custom checks: one row each, run in the kube-linter profile (or when --only names them) */
	for (size_t i = 0; i < ncust; i++) {
		rl_rule *x = &r->custom[r->ncustom++];
		bool pol = !strcmp(cust[i].template_, "polaris-schema");
		x->info.id = cust[i].id;
		x->info.pack = pol ? "polaris" : "kube-linter";
		x->info.severity = pol && cust[i].level == GR_SEV_WARNING ? GR_SEV_WARNING : GR_SEV_ERROR;
		x->info.action = x->info.severity == GR_SEV_ERROR ? GR_ACTION_ENFORCE : GR_ACTION_WARN;
		x->info.default_on = true;
		x->info.summary = "custom check";
		x->info.remediation =
		        cust[i].remediation ? cust[i].remediation : "see the custom check's description";
		x->info.upstream = "";
		x->info.doc = pol ? "docs/migrating.md#polaris" : "docs/migrating.md#kube-linter";
		x->fn = pol ? rl_polaris_custom : rl_custom_template(cust[i].template_);
		x->data = &cust[i];
	}
	for (size_t i = 0; i < total; i++) {
		const rl_rule *x = rule_at(i);
		bool on;
		bool dflt = x->info.default_on &&
		            !(opts->kube_linter_no_defaults && strcmp(x->info.pack, "kube-linter") == 0);
		if (opts->nonly)
			on = named(opts->only, opts->nonly, x); /* --only: any profile, any pack */
		else {
			on = pack_in_profile(x->info.pack, opts->profile) &&
			     (dflt || named(opts->enable, opts->nenable, x));
			if (named(opts->disable, opts->ndisable, x))
				on = false;
		}
		bool gated = false;
		if (!on && !opts->nonly && opts->profile == GR_PROFILE_KUBE_SCORE &&
		    opts->kube_score_optional_annotation && strcmp(x->info.pack, "kube-score") == 0 &&
		    !named(opts->disable, opts->ndisable, x))
			on = gated = true; /* optional check, enabled per object by annotation */
		if (on) {
			r->gated[r->non] = gated;
			r->on[r->non++] = x;
		}
	}
	for (size_t i = 0; i < r->ncustom; i++) {
		rl_rule *x = &r->custom[i];
		const rl_custom *k = x->data;
		bool pol = !strcmp(x->info.pack, "polaris");
		bool on = opts->nonly ? in_list(opts->only, opts->nonly, x->info.id)
		          : pol       ? opts->profile == GR_PROFILE_POLARIS && k->level >= 0
		                      : opts->profile == GR_PROFILE_KUBE_LINTER;
		if (on && x->fn)
			r->on[r->non++] = x;
	}
	for (size_t k = 0; k < r->non && !opts->schema; k++)
		if (r->on[k]->fn == rl_kubeconform) {
			gr_error_set(err, 0, 0,
			             "%s validates against schemas: give a schema directory (--schema-dir)",
			             r->on[k]->info.id);
			gr_rules_free(r);
			return -1;
		}
	*out = r;
	return 0;
}

void gr_rules_free(gr_rules *r)
{
	if (!r)
		return;
	free(r->on);
	free(r->gated);
	free(r->custom);
	free(r);
}

/* ---- emitting ---- */

void rl_judged(rl_ctx *c)
{
	c->judged++;
}

static gr_finding *emitv(rl_ctx *c, gr_severity sev, const char *path, const gr_value *at, const char *fmt,
                         va_list ap)
{
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	gr_action act = c->rule->info.action;
	if (sev != c->rule->info.severity && c->rule->info.action == GR_ACTION_ENFORCE && sev != GR_SEV_ERROR)
		act = GR_ACTION_WARN;
	gr_finding *f = gr_findings_addf(c->out, c->report_obj ? c->report_obj : c->obj, c->rule->info.id,
	                                 sev, act, path ? path : "", at, "%s", msg);
	if (f) {
		f->remediation = c->rule->info.remediation;
		f->doc = c->rule->info.doc;
	} else {
		c->oom = true;
	}
	c->judged++;
	return f;
}

bool rl_re_match(rl_ctx *c, const char *pattern, size_t len, const char *s)
{
	gr_regex_error e;
	gr_regex *re = gr_regex_compile(pattern, len, NULL, &e);
	if (!re) {
		if (e.status == GR_REGEX_NO_MEMORY)
			c->oom = true;
		return false;
	}
	int m = gr_regex_match(re, s ? s : "", s ? strlen(s) : 0, NULL);
	gr_regex_free(re);
	if (m < 0)
		c->oom = true;
	return m == 1;
}

gr_finding *rl_emit(rl_ctx *c, const char *path, const gr_value *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	gr_finding *f = emitv(c, c->rule->info.severity, path, at, fmt, ap);
	va_end(ap);
	return f;
}

gr_finding *rl_emit_sev(rl_ctx *c, gr_severity sev, const char *path, const gr_value *at, const char *fmt,
                        ...)
{
	va_list ap;
	va_start(ap, fmt);
	gr_finding *f = emitv(c, sev, path, at, fmt, ap);
	va_end(ap);
	return f;
}

/* ---- exemptions ---- */

/* True when comma-separated list l names id (spaces around items allowed). */
static bool csv_has(const char *l, const char *id)
{
	size_t n = strlen(id);
	while (l && *l) {
		while (*l == ' ' || *l == ',')
			l++;
		const char *e = l;
		while (*e && *e != ',')
			e++;
		const char *t = e;
		while (t > l && t[-1] == ' ')
			t--;
		if ((size_t)(t - l) == n && strncmp(l, id, n) == 0)
			return true;
		if ((size_t)(t - l) == 1 && *l == '*')
			return true;
		l = e;
	}
	return false;
}

static bool annotation_true(const char *v)
{
	return v && strcasecmp(v, "true") == 0;
}

/* The upstream id of a profile rule ("polaris.hostPIDSet" -> "hostPIDSet"). */
static const char *upstream_id(const rl_rule *x)
{
	const char *dot = strchr(x->info.id, '.');
	return dot ? dot + 1 : x->info.id;
}

static bool exempt_in(const gr_value *ann, const rl_rule *x, const gr_rules_options *o, bool own_ignore)
{
	if (!ann || ann->type != GR_OBJECT)
		return false;
	const char *g = own_ignore ? gr_get_str(ann, "guardrail.dev/ignore") : NULL;
	if (g && gr_get_str(ann, "guardrail.dev/ignore-reason") && csv_has(g, x->info.id))
		return true;
	char key[300];
	/* the guardrail packs (bp, ref, api, image) read no upstream annotation */
	if (x->info.pack[0] != 'p' && x->info.pack[0] != 'k')
		return false;
	if (strcmp(x->info.pack, "polaris") == 0) {
		if (annotation_true(gr_get_str(ann, "polaris.fairwinds.com/exempt")))
			return true;
		snprintf(key, sizeof key, "polaris.fairwinds.com/%s-exempt", upstream_id(x));
		return annotation_true(gr_get_str(ann, key));
	}
	if (strcmp(x->info.pack, "kube-score") == 0) {
		if (!o->kube_score_ignore_annotation)
			return false;
		const char *l = gr_get_str(ann, "kube-score/ignore");
		/* ignoring container-resources also ignores the ephemeral-storage check */
		return l && (csv_has(l, upstream_id(x)) ||
		             (strcmp(upstream_id(x), "container-ephemeral-storage-request-and-limit") == 0 &&
		              csv_has(l, "container-resources")));
	}
	if (strcmp(x->info.pack, "kube-linter") == 0) {
		if (gr_get(ann, "kube-linter.io/ignore-all"))
			return true;
		snprintf(key, sizeof key, "ignore-check.kube-linter.io/%s", upstream_id(x));
		return gr_get(ann, key) != NULL;
	}
	return false;
}

static bool exempt(const gr_object *o, const gr_value *ann, const rl_rule *x, const gr_rules_options *opt,
                   bool own_ignore)
{
	if (exempt_in(ann, x, opt, own_ignore))
		return true;
	/* Polaris and kube-score also read the pod template's annotations. */
	if (o->pod_metadata && (x->info.pack[0] == 'p' || x->info.pack[0] == 'k') &&
	    (strcmp(x->info.pack, "polaris") == 0 || strcmp(x->info.pack, "kube-score") == 0))
		/* the pipeline reads the object's own annotations only: a
		 * template's guardrail.dev/ignore stays the rules' to apply */
		return exempt_in(gr_get(o->pod_metadata, "annotations"), x, opt, true);
	return false;
}

bool gri_rules_file_exempt(const gr_rules_file *f, const gr_object *o, const gr_rule_info *r);
void gri_rules_file_override(const gr_rules_file *f, const char *id, int *sev, int *act);

/* Run one rule on the current object with the file's exemptions and
 * severity/action overrides. */
static void run_rule(rl_ctx *c)
{
	const gr_rules_file *file = c->opt->file, *up = c->opt->upstream_file;
	if ((file && gri_rules_file_exempt(file, c->obj, &c->rule->info)) ||
	    (up && gri_rules_file_exempt(up, c->obj, &c->rule->info)))
		return;
	size_t first = c->out->len;
	c->rule->fn(c);
	if ((!file && !up) || c->out->len == first)
		return;
	int sev = -1, act = -1, s2, a2;
	if (up)
		gri_rules_file_override(up, c->rule->info.id, &sev, &act);
	if (file) { /* the .guardrail.yaml wins */
		gri_rules_file_override(file, c->rule->info.id, &s2, &a2);
		if (s2 >= 0)
			sev = s2;
		if (a2 >= 0)
			act = a2;
	}
	for (size_t i = first; i < c->out->len; i++) {
		if (sev >= 0)
			c->out->items[i].severity = (gr_severity)sev;
		if (act >= 0)
			c->out->items[i].action = (gr_action)act;
	}
}

/* An optional kube-score check named by the object's kube-score/enable. */
static bool enabled_by_annotation(const gr_object *o, const rl_rule *x)
{
	const char *l = rl_annotation(o, "kube-score/enable");
	if (!l && o->pod_metadata)
		l = gr_get_str(gr_get(o->pod_metadata, "annotations"), "kube-score/enable");
	return l && csv_has(l, upstream_id(x));
}

static const rl_rule ignore_rule = {
        {"rules.ignore-without-reason", "rules", GR_SEV_ERROR, GR_ACTION_ENFORCE, true,
         "guardrail.dev/ignore is set without guardrail.dev/ignore-reason",
         "add the annotation guardrail.dev/ignore-reason: \"<why this object is exempt>\"", "",
         "docs/rules/bp.md#rules-ignore-without-reason"},
        NULL,
        0,
        NULL};

/* Where rules find pod templates beyond what the object layer locates:
 * OpenShift DeploymentConfigs (spec.template, like a Deployment), and
 * workloads whose template has metadata but no spec yet (kube-linter and
 * kube-score still treat them as pod templates; a spec-less template is
 * judged as an empty pod spec). Copies the array into arena a only when
 * the set has such an object. */
static const gr_value empty_spec = {.type = GR_OBJECT};

static bool needs_template(const gr_object *o)
{
	return !o->pod_spec && (gr_kind_is_workload(o->kind) || strcmp(o->kind, "DeploymentConfig") == 0);
}

static const gr_object *with_templates(const gr_object *objs, size_t n, gr_arena *a)
{
	bool any = false;
	for (size_t i = 0; i < n && !any; i++)
		any = needs_template(&objs[i]);
	if (!any)
		return objs;
	gr_object *copy = gr_arena_alloc(a, n * sizeof *copy);
	if (!copy)
		return objs;
	memcpy(copy, objs, n * sizeof *copy);
	for (size_t i = 0; i < n; i++) {
		gr_object *o = &copy[i];
		if (!needs_template(o) || !o->root || o->root->type != GR_OBJECT)
			continue;
		if (strcmp(o->kind, "Pod") == 0) {
			o->pod_spec = &empty_spec;
			o->pod_spec_path = "spec";
			o->pod_metadata = gr_get(o->root, "metadata");
			o->pod_metadata_path = "metadata";
			continue;
		}
		bool cron = strcmp(o->kind, "CronJob") == 0;
		const gr_value *t =
		        cron ? gr_get_path(o->root, "spec", "jobTemplate", "spec", "template", NULL)
		        : strcmp(o->kind, "PodTemplate") == 0
		                ? gr_get(o->root, "template")
		                : gr_get_path(o->root, "spec", "template", NULL);
		/* no template at all: a typed decoder sees an empty one */
		const gr_value *ps = t && t->type == GR_OBJECT ? gr_get(t, "spec") : NULL;
		o->pod_spec = ps && ps->type == GR_OBJECT ? ps : &empty_spec;
		o->pod_spec_path = cron ? "spec.jobTemplate.spec.template.spec" : "spec.template.spec";
		o->pod_metadata = t && t->type == GR_OBJECT ? gr_get(t, "metadata") : NULL;
		o->pod_metadata_path =
		        cron ? "spec.jobTemplate.spec.template.metadata" : "spec.template.metadata";
	}
	return copy;
}

struct gr_rules_index {
	rl_set set;
	gr_arena arena; /* the located-template copy of the objects, when needed */
};

int gr_rules_index_new(const gr_object *objs, size_t n, gr_rules_index **out, gr_error *err)
{
	*out = NULL;
	gr_rules_index *ix = calloc(1, sizeof *ix);
	if (!ix)
		return gr_error_set(err, 0, 0, "out of memory");
	gr_arena_init(&ix->arena);
	objs = with_templates(objs, n, &ix->arena);
	if (rl_set_build(&ix->set, objs, n) != 0) {
		gr_rules_index_free(ix);
		return gr_error_set(err, 0, 0, "out of memory indexing %zu objects", n);
	}
	*out = ix;
	return 0;
}

void gr_rules_index_free(gr_rules_index *ix)
{
	if (!ix)
		return;
	rl_set_free(&ix->set);
	gr_arena_free(&ix->arena);
	free(ix);
}

static size_t check_object_lone(const gr_rules *r, const gr_rules_index *ix, const gr_object *obj,
                                gr_findings *out, bool own_ignore, bool lone, size_t *not_judged, bool *oom);
static size_t check_object(const gr_rules *r, const gr_rules_index *ix, const gr_object *obj,
                           gr_findings *out, bool own_ignore, bool *oom)
{
	return check_object_lone(r, ix, obj, out, own_ignore, false, NULL, oom);
}

int gr_rules_check_object(const gr_rules *r, const gr_rules_index *ix, const gr_object *obj, gr_findings *out,
                          gr_error *err)
{
	bool oom = false;
	check_object(r, ix, obj, out, true, &oom);
	return oom ? gr_error_set(err, 0, 0, "out of memory") : 0;
}

/* For the engine: when the pipeline applies guardrail.dev/ignore to every
 * engine's findings (and counts them), the rules do not apply it again. */
int gri_rules_check_object_ex(const gr_rules *r, const gr_rules_index *ix, const gr_object *obj,
                              gr_findings *out, bool own_ignore, bool lone, size_t *not_judged,
                              gr_error *err);
int gri_rules_check_object_ex(const gr_rules *r, const gr_rules_index *ix, const gr_object *obj,
                              gr_findings *out, bool own_ignore, bool lone, size_t *not_judged, gr_error *err)
{
	bool oom = false;
	check_object_lone(r, ix, obj, out, own_ignore, lone, not_judged, &oom);
	return oom ? gr_error_set(err, 0, 0, "out of memory") : 0;
}

/* For the conformance runner: a whole set, and how many results the rules judged. */
size_t gri_rules_check_set_judged(const gr_rules *r, const gr_object *objs, size_t n, gr_findings *out);
size_t gri_rules_check_set_judged(const gr_rules *r, const gr_object *objs, size_t n, gr_findings *out)
{
	gr_rules_index *ix;
	gr_error err;
	size_t judged = 0;
	if (gr_rules_index_new(objs, n, &ix, &err) != 0)
		return 0;
	bool oom = false;
	for (size_t i = 0; i < n; i++)
		judged += check_object(r, ix, &objs[i], out, true, &oom);
	gr_rules_index_free(ix);
	return judged;
}

/* *oom set when memory ran out: some finding may be missing. With lone (the
 * object judged alone), a rule that looked at other objects of the set has
 * its findings dropped and is counted in *not_judged. */
static size_t check_object_lone(const gr_rules *r, const gr_rules_index *ix, const gr_object *obj,
                                gr_findings *out, bool own_ignore, bool lone, size_t *not_judged, bool *oom)
{
	rl_ctx c;
	memset(&c, 0, sizeof c);
	c.rules = r;
	c.opt = &r->opt;
	c.set = &ix->set;
	c.out = out;
	c.report_obj = obj;
	/* judge the index's copy (pod templates located), report the caller's object */
	const gr_object *own = rl_set_identity(&ix->set, obj);
	c.obj = own && own->root ? own : obj;
	if (!c.obj->root || c.obj->root->type != GR_OBJECT)
		return 0;
	const gr_value *ann = rl_annotations(c.obj);
	bool has_ann = ann && ann->type == GR_OBJECT && ann->u.o.len;
	if (has_ann) {
		const gr_value *g = gr_get(ann, "guardrail.dev/ignore");
		if (g && !gr_get_str(ann, "guardrail.dev/ignore-reason")) {
			c.rule = &ignore_rule;
			rl_emit(&c, "metadata.annotations", g, "%s", ignore_rule.info.summary);
		}
	}
	for (size_t k = 0; k < r->non; k++) {
		c.rule = r->on[k];
		if (r->gated[k] && !enabled_by_annotation(c.obj, c.rule))
			continue;
		if ((has_ann || c.obj->pod_metadata) && exempt(c.obj, ann, c.rule, &r->opt, own_ignore))
			continue;
		size_t first = out->len;
		c.used_set = false;
		run_rule(&c);
		if (lone && c.used_set) {
			out->len = first; /* judged against objects that are not the cluster's */
			(*not_judged)++;
		}
	}
	if (c.oom)
		*oom = true;
	return c.judged;
}

int gr_rules_check_set(const gr_rules *r, const gr_object *objs, size_t n, gr_findings *out, gr_error *err)
{
	gr_rules_index *ix;
	if (gr_rules_index_new(objs, n, &ix, err) != 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = gr_rules_check_object(r, ix, &objs[i], out, err);
	gr_rules_index_free(ix);
	return rc;
}

/* For the conformance runner: run one rule on one object of a set; the
 * number of results it judged (0: not judged, or not enabled / exempt when
 * as_selected). */
size_t gri_rules_judge(const gr_rules *r, const char *id, const gr_object *objs, size_t n, size_t which,
                       bool as_selected, gr_findings *out, bool *skipped, const char **skip_reason);
size_t gri_rules_judge(const gr_rules *r, const char *id, const gr_object *objs, size_t n, size_t which,
                       bool as_selected, gr_findings *out, bool *skipped, const char **skip_reason)
{
	if (skip_reason)
		*skip_reason = NULL;
	if (skipped)
		*skipped = true;
	const rl_rule *x = find_rule(id);
	if (!x)
		return 0;
	if (as_selected) {
		size_t k = 0;
		while (k < r->non && r->on[k] != x)
			k++;
		if (k == r->non || (r->gated[k] && !enabled_by_annotation(&objs[which], x)))
			return 0;
	}
	objs = with_templates(objs, n, out->arena);
	rl_set set;
	memset(&set, 0, sizeof set);
	if (rl_set_build(&set, objs, n) != 0) {
		rl_set_free(&set);
		return 0;
	}
	rl_ctx c;
	memset(&c, 0, sizeof c);
	c.rules = r;
	c.opt = &r->opt;
	c.set = &set;
	c.out = out;
	c.obj = &objs[which];
	c.rule = x;
	if (c.obj->root && c.obj->root->type == GR_OBJECT &&
	    !(as_selected && exempt(c.obj, rl_annotations(c.obj), x, &r->opt, true)))
		x->fn(&c);
	rl_set_free(&set);
	if (skipped)
		*skipped = c.skipped || c.judged == 0;
	if (skip_reason)
		*skip_reason = c.skip_reason;
	return c.judged;
}
