/* finding.c — the finding list every engine appends to (see finding.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/finding.h"

const char *gr_severity_name(gr_severity s)
{
	switch (s) {
	case GR_SEV_ERROR: return "error";
	case GR_SEV_WARNING: return "warning";
	case GR_SEV_INFO: return "info";
	}
	return "error";
}

const char *gr_action_name(gr_action a)
{
	switch (a) {
	case GR_ACTION_ENFORCE: return "enforce";
	case GR_ACTION_WARN: return "warn";
	case GR_ACTION_AUDIT: return "audit";
	}
	return "enforce";
}

void gr_findings_init(gr_findings *f, gr_arena *arena)
{
	memset(f, 0, sizeof *f);
	f->arena = arena;
}

void gr_findings_free(gr_findings *f)
{
	free(f->items);
	f->items = NULL;
	f->len = f->cap = 0;
}

void gr_findings_reset(gr_findings *f) { f->len = 0; }

void gr_findings_fail(gr_findings *f, const char *why)
{
	if (!f->failed)
		f->failure = why;
	f->failed = 1;
}

gr_finding *gr_findings_add(gr_findings *f)
{
	if (f->len == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		gr_finding *n = realloc(f->items, cap * sizeof *n);
		if (!n) {
			gr_findings_fail(f, "out of memory recording a finding");
			return NULL;
		}
		f->items = n;
		f->cap = cap;
	}
	gr_finding *x = &f->items[f->len++];
	memset(x, 0, sizeof *x);
	return x;
}

gr_finding *gr_findings_addf(gr_findings *f, const gr_object *obj, const char *rule, gr_severity sev,
			     gr_action act, const char *path, const gr_value *v, const char *fmt, ...)
{
	gr_finding *x = gr_findings_add(f);
	if (!x)
		return NULL;
	x->rule = rule;
	x->severity = sev;
	x->action = act;
	x->object = obj;
	if (obj) {
		x->file = obj->file;
		x->document = obj->document;
	}
	x->path = path ? gr_arena_strdup(f->arena, path) : "";
	if (!x->path) {
		x->path = "";
		gr_findings_fail(f, "out of memory recording a finding");
	}
	const gr_value *at = v ? v : (obj ? obj->root : NULL);
	if (at) {
		x->line = at->line;
		x->column = at->column;
	}
	char small[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	x->message = gr_arena_strdup(f->arena, small);
	if (!x->message) {
		x->message = "";
		gr_findings_fail(f, "out of memory recording a finding");
	}
	return x;
}
