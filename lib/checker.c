/*
 * checker.c — options, prepared checkers and the cell that swaps them (see
 * session.h).
 *
 * Options keep every engine option as the key = value strings the caller
 * gave (each checked against a scratch config when set); a checker replays
 * them into configs of its own, so it never shares mutable state with the
 * options it was made from. A checker is immutable after gr_checker_new or
 * gr_checker_derive; its reference count is the only thing that changes.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/session.h"
#include "pipeline.h"

typedef struct opt_kv {
	const gr_engine *engine;
	char *key, *value;
} opt_kv;

struct gr_options {
	const gr_engine **known;
	const char **names;
	size_t nknown;
	const gr_engine **selected;
	size_t nselected;
	opt_kv *kv;
	size_t nkv;
};

gr_options *gr_options_new(void)
{
	gr_options *o = calloc(1, sizeof *o);
	if (!o)
		return NULL;
	for (size_t i = 0; gr_builtin_engines[i]; i++)
		if (gr_options_register(o, gr_builtin_engines[i], NULL)) {
			gr_options_free(o);
			return NULL;
		}
	return o;
}

void gr_options_free(gr_options *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->nkv; i++) {
		free(o->kv[i].key);
		free(o->kv[i].value);
	}
	free(o->kv);
	free(o->known);
	free(o->names);
	free(o->selected);
	free(o);
}

static const gr_engine *known_engine(const gr_options *o, const char *name, size_t len)
{
	for (size_t i = 0; i < o->nknown; i++)
		if (strlen(o->known[i]->name) == len && memcmp(o->known[i]->name, name, len) == 0)
			return o->known[i];
	return NULL;
}

int gr_options_register(gr_options *o, const gr_engine *e, gr_error *err)
{
	if (!e || !e->name || !e->name[0] || !e->check)
		return gr_error_set(err, 0, 0, "an engine needs a name and a check function");
	if (known_engine(o, e->name, strlen(e->name)))
		return gr_error_set(err, 0, 0, "engine '%s' is already registered", e->name);
	const gr_engine **k = realloc(o->known, (o->nknown + 1) * sizeof *k);
	if (k)
		o->known = k;
	const char **n = realloc(o->names, (o->nknown + 1) * sizeof *n);
	if (n)
		o->names = n;
	if (!k || !n)
		return gr_error_set(err, 0, 0, "out of memory");
	o->known[o->nknown] = e;
	o->names[o->nknown] = e->name;
	o->nknown++;
	return 0;
}

size_t gr_options_engines(const gr_options *o, const char *const **names)
{
	*names = o->names;
	return o->nknown;
}

int gr_options_select(gr_options *o, const char *csv, gr_error *err)
{
	size_t cap = 1;
	for (const char *p = csv; *p; p++)
		cap += *p == ',';
	const gr_engine **sel = calloc(cap, sizeof *sel);
	if (!sel)
		return gr_error_set(err, 0, 0, "out of memory");
	size_t n = 0;
	for (const char *p = csv;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len) {
			const gr_engine *e = known_engine(o, p, len);
			if (!e) {
				gr_error_set(err, 0, 0,
				             "unknown engine '%.*s' (known: ", (int)(len > 64 ? 64 : len), p);
				for (size_t i = 0; err && i < o->nknown; i++) {
					size_t at = strlen(err->message);
					snprintf(err->message + at, sizeof err->message - at, "%s%s",
					         i ? ", " : "", o->known[i]->name);
				}
				if (err) {
					size_t at = strlen(err->message);
					snprintf(err->message + at, sizeof err->message - at, ")");
				}
				free(sel);
				return -1;
			}
			bool dup = false;
			for (size_t i = 0; i < n; i++)
				dup |= sel[i] == e;
			if (!dup)
				sel[n++] = e;
		}
		if (!end)
			break;
		p = end + 1;
	}
	if (n == 0) {
		free(sel);
		return gr_error_set(err, 0, 0, "the list of engines is empty");
	}
	free(o->selected);
	o->selected = sel;
	o->nselected = n;
	return 0;
}

int gr_options_set(gr_options *o, const char *engine, const char *key, const char *value, gr_error *err)
{
	const gr_engine *e = known_engine(o, engine, strlen(engine));
	if (!e)
		return gr_error_set(err, 0, 0, "unknown engine '%.64s'", engine);
	if (!e->config_set)
		return gr_error_set(err, 0, 0, "engine %s has no options", e->name);
	/* check the value now, against a scratch config */
	void *cfg = NULL;
	if (e->config_new && e->config_new(&cfg, err))
		return -1;
	int rc = e->config_set(cfg, key, value, err);
	if (e->config_free)
		e->config_free(cfg);
	if (rc)
		return -1;
	opt_kv *kv = realloc(o->kv, (o->nkv + 1) * sizeof *kv);
	if (!kv)
		return gr_error_set(err, 0, 0, "out of memory");
	o->kv = kv;
	kv[o->nkv].engine = e;
	kv[o->nkv].key = strdup(key);
	kv[o->nkv].value = value ? strdup(value) : NULL;
	if (!kv[o->nkv].key || (value && !kv[o->nkv].value)) {
		free(kv[o->nkv].key);
		free(kv[o->nkv].value);
		return gr_error_set(err, 0, 0, "out of memory");
	}
	o->nkv++;
	return 0;
}

/* ---- checker ---- */

typedef struct slot {
	const gr_engine *engine;
	void *config;
	void *prepared;
} slot;

struct gr_checker {
	atomic_size_t refs;
	slot *engines;
	size_t n;
	gr_checker *parent; /* a derived checker's base (owns the configs) */
};

static void checker_free(gr_checker *c)
{
	for (size_t i = 0; i < c->n; i++) {
		const gr_engine *e = c->engines[i].engine;
		if (c->engines[i].prepared && e->prepared_free)
			e->prepared_free(c->engines[i].prepared);
		if (!c->parent && c->engines[i].config && e->config_free)
			e->config_free(c->engines[i].config);
	}
	free(c->engines);
	if (c->parent)
		gr_checker_unref(c->parent);
	free(c);
}

/* Prepare every engine of c against base (may be NULL) and set. */
static int prepare_all(gr_checker *c, const gr_checker *base, const gr_set *set, gr_error *err)
{
	for (size_t i = 0; i < c->n; i++) {
		slot *s = &c->engines[i];
		if (!s->engine->prepare)
			continue;
		gr_error inner;
		gr_error_clear(&inner);
		if (s->engine->prepare(s->config, base ? base->engines[i].prepared : NULL, set, &s->prepared,
		                       &inner)) {
			if (err) {
				*err = inner;
				snprintf(err->message, sizeof err->message, "%s: %.480s", s->engine->name,
				         inner.message);
			}
			return -1;
		}
	}
	return 0;
}

int gr_checker_new(gr_checker **out, const gr_options *o, gr_error *err)
{
	*out = NULL;
	gr_checker *c = calloc(1, sizeof *c);
	size_t n = o->nselected ? o->nselected : o->nknown;
	if (c)
		c->engines = calloc(n ? n : 1, sizeof *c->engines);
	if (!c || !c->engines) {
		free(c);
		return gr_error_set(err, 0, 0, "out of memory");
	}
	atomic_init(&c->refs, 1);
	for (size_t i = 0; i < n; i++) {
		slot *s = &c->engines[c->n++];
		s->engine = o->nselected ? o->selected[i] : o->known[i];
		if (s->engine->config_new && s->engine->config_new(&s->config, err))
			goto fail;
		for (size_t k = 0; k < o->nkv; k++)
			if (o->kv[k].engine == s->engine &&
			    s->engine->config_set(s->config, o->kv[k].key, o->kv[k].value, err))
				goto fail;
	}
	if (prepare_all(c, NULL, NULL, err))
		goto fail;
	*out = c;
	return 0;
fail:
	checker_free(c);
	return -1;
}

int gr_checker_derive(gr_checker **out, gr_checker *base, const gr_set *set, gr_error *err)
{
	*out = NULL;
	gr_checker *c = calloc(1, sizeof *c);
	if (c)
		c->engines = calloc(base->n ? base->n : 1, sizeof *c->engines);
	if (!c || !c->engines) {
		free(c);
		return gr_error_set(err, 0, 0, "out of memory");
	}
	atomic_init(&c->refs, 1);
	c->parent = gr_checker_ref(base);
	c->n = base->n;
	for (size_t i = 0; i < c->n; i++) {
		c->engines[i].engine = base->engines[i].engine;
		c->engines[i].config = base->engines[i].config;
	}
	if (prepare_all(c, base, set, err)) {
		checker_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

gr_checker *gr_checker_ref(gr_checker *c)
{
	if (c)
		atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
	return c;
}

void gr_checker_unref(gr_checker *c)
{
	if (c && atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) == 1)
		checker_free(c);
}

bool gr_checker_wants_kind(const gr_checker *c, const char *group, const char *kind)
{
	for (size_t i = 0; i < c->n; i++)
		if (gr_engine_wants_kind(c->engines[i].engine, group, kind))
			return true;
	return false;
}

bool gri_checker_revoking_kind(const gr_checker *c, const char *group, const char *kind)
{
	for (size_t i = 0; i < c->n; i++)
		if (gri_kind_listed(c->engines[i].engine->revoking_kinds, group, kind))
			return true;
	return false;
}

int gri_checker_set_kinds(const gr_checker *c, const gr_set *set, gr_pathlist *out)
{
	for (size_t i = 0; i < c->n; i++) {
		const gr_engine *e = c->engines[i].engine;
		if (e->set_kinds && e->set_kinds(c->engines[i].prepared, set, out) < 0)
			return -1;
	}
	return 0;
}

bool gri_checker_may_judge_again(const gr_checker *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->engines[i].engine->revoking_kinds)
			return true;
	return false;
}

bool gri_checker_needs_again(const gr_checker *c, const gr_object *obj)
{
	for (size_t i = 0; i < c->n; i++) {
		const slot *s = &c->engines[i];
		if (s->engine->revoking_kinds &&
		    (!s->engine->needs_set || s->engine->needs_set(s->prepared, obj)))
			return true;
	}
	return false;
}

bool gr_checker_needs_set(const gr_checker *c, const gr_object *obj)
{
	for (size_t i = 0; i < c->n; i++) {
		const slot *s = &c->engines[i];
		if (!s->engine->needs_set || s->engine->needs_set(s->prepared, obj))
			return true;
	}
	return false;
}

/* An engine that failed on an object: a finding, so the report shows where. */
static void engine_failure(const gr_engine *e, const gr_object *obj, gr_findings *out, const gr_error *why)
{
	gr_finding *f = gr_findings_addf(out, obj, "engine", GR_SEV_ERROR, GR_ACTION_ENFORCE, "", NULL,
	                                 "engine %s failed: %s", e->name, why->message);
	if (f) {
		f->remediation = "this is guardrail's fault, not the manifest's: report it with the input";
		f->doc = "docs/rules/input.md#engine";
	}
}

/* kustomize's own files (Kustomization, Component) are read by kustomize,
 * never sent to an API server: no engine has anything to judge in them. */
static const char kustomize_reason[] =
        "kustomize configuration, not an API object; render with kubectl kustomize";

static bool is_kustomize_config(const gr_object *obj)
{
	return obj->group && strcmp(obj->group, "kustomize.config.k8s.io") == 0;
}

/* Does the comma-separated list l name rule id (spaces around items
 * allowed; "*" names every rule)? */
static bool list_names(const char *l, const char *id)
{
	size_t n = strlen(id);
	while (*l) {
		while (*l == ' ' || *l == ',')
			l++;
		const char *e = l;
		while (*e && *e != ',')
			e++;
		const char *t = e;
		while (t > l && t[-1] == ' ')
			t--;
		if (((size_t)(t - l) == n && strncmp(l, id, n) == 0) || ((size_t)(t - l) == 1 && *l == '*'))
			return true;
		l = e;
	}
	return false;
}

/* Drop the findings since `before` that the object's guardrail.dev/ignore
 * names, when guardrail.dev/ignore-reason is given too; they are counted
 * in ctx->suppressed, never lost silently. Engine failures stay. */
static void apply_ignore_annotation(const gr_object *obj, gr_check_ctx *ctx, gr_findings *out, size_t before)
{
	const gr_value *ann = obj->root && obj->root->type == GR_OBJECT
	                              ? gr_get(gr_get(obj->root, "metadata"), "annotations")
	                              : NULL;
	const char *list = ann && ann->type == GR_OBJECT ? gr_get_str(ann, "guardrail.dev/ignore") : NULL;
	const char *why = list ? gr_get_str(ann, "guardrail.dev/ignore-reason") : NULL;
	if (!list || !why || !*why)
		return;
	size_t keep = before;
	for (size_t i = before; i < out->len; i++) {
		const gr_finding *f = &out->items[i];
		if (f->rule && strcmp(f->rule, "engine") != 0 && list_names(list, f->rule)) {
			ctx->suppressed++;
			continue;
		}
		out->items[keep++] = *f;
	}
	out->len = keep;
}

int gr_checker_check_object(gr_checker *c, const gr_object *obj, gr_check_ctx *ctx, gr_findings *out,
                            gr_object_status *status, gr_error *err)
{
	size_t before = out->len;
	bool skipped = false;
	int rc = 0;
	if (is_kustomize_config(obj)) {
		ctx->skipped = true;
		ctx->skip_reason = kustomize_reason;
		if (status)
			*status = GR_OBJECT_SKIPPED;
		return 0;
	}
	for (size_t e = 0; e < c->n; e++) {
		const slot *s = &c->engines[e];
		ctx->skipped = false;
		gr_error why;
		gr_error_clear(&why);
		int failed_before = out->failed;
		size_t engine_before = out->len;
		/* a finding the engine could not record (findings.failed) is a
		 * failure too, whatever the engine returned; so is one whose rule
		 * id or message it could not allocate (an engine that missed a
		 * NULL would otherwise report a violation that says nothing) */
		size_t ne_before = ctx->not_evaluated;
		int rcheck = s->engine->check(s->prepared, obj, ctx, out, &why);
		/* an engine that added to not_evaluated without giving its reason
		 * through gr_check_ctx_not_evaluated */
		size_t tabled = 0;
		for (size_t i = 0; i < ctx->nne; i++)
			tabled += ctx->ne[i].count;
		if (ctx->not_evaluated > tabled && ctx->not_evaluated > ne_before) {
			size_t extra = ctx->not_evaluated - tabled;
			ctx->not_evaluated -= extra; /* added back by the call */
			gr_check_ctx_not_evaluated(ctx, extra, ctx->not_evaluated_reason);
		}
		for (size_t i = engine_before; i < out->len && !rcheck; i++)
			if (!out->items[i].rule || !out->items[i].message) {
				gr_findings_fail(out, "out of memory recording a finding");
				if (failed_before) /* the list was already marked: still this engine's failure
				                    */
					rcheck =
					        gr_error_set(&why, 0, 0, "out of memory recording a finding");
			}
		if (rcheck || (out->failed && !failed_before)) {
			if (!why.message[0])
				gr_error_set(&why, 0, 0, "%s", out->failure ? out->failure : "out of memory");
			engine_failure(s->engine, obj, out, &why);
			if (rc == 0 && err) {
				*err = why;
				snprintf(err->message, sizeof err->message, "engine %s: %.480s",
				         s->engine->name, why.message);
			}
			rc = -1;
		}
		skipped |= ctx->skipped;
	}
	ctx->skipped = skipped;
	if (ctx->honour_ignore_annotation && out->len > before)
		apply_ignore_annotation(obj, ctx, out, before);
	bool invalid = false;
	for (size_t i = before; i < out->len; i++) {
		gr_finding *f = &out->items[i];
		if (!f->file)
			f->file = obj->file;
		if (!f->object)
			f->object = obj;
		f->document = obj->document;
		if (f->action == GR_ACTION_ENFORCE)
			invalid = true;
	}
	if (status)
		*status = invalid ? GR_OBJECT_INVALID : skipped ? GR_OBJECT_SKIPPED : GR_OBJECT_VALID;
	return rc;
}

/* ---- the cell ---- */

struct gr_checker_cell {
	pthread_mutex_t mu;
	gr_checker *current;
};

gr_checker_cell *gr_checker_cell_new(gr_checker *initial)
{
	gr_checker_cell *cell = calloc(1, sizeof *cell);
	if (!cell)
		return NULL;
	pthread_mutex_init(&cell->mu, NULL);
	cell->current = gr_checker_ref(initial);
	return cell;
}

gr_checker *gr_checker_cell_get(gr_checker_cell *cell)
{
	pthread_mutex_lock(&cell->mu);
	gr_checker *c = gr_checker_ref(cell->current);
	pthread_mutex_unlock(&cell->mu);
	return c;
}

void gr_checker_cell_set(gr_checker_cell *cell, gr_checker *c)
{
	gr_checker_ref(c);
	pthread_mutex_lock(&cell->mu);
	gr_checker *old = cell->current;
	cell->current = c;
	pthread_mutex_unlock(&cell->mu);
	gr_checker_unref(old); /* outside the lock: freeing may take long */
}

void gr_checker_cell_free(gr_checker_cell *cell)
{
	if (!cell)
		return;
	gr_checker_unref(cell->current);
	pthread_mutex_destroy(&cell->mu);
	free(cell);
}
