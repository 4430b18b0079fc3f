/* finding.c — the finding list every engine appends to (see finding.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cnum.h"
#include "guardrail/finding.h"
#include "guardrail/report.h"

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

void gr_findings_reset(gr_findings *f)
{
	f->len = 0;
}

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
	gri_vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	x->message = gr_arena_strdup(f->arena, small);
	if (!x->message) {
		x->message = "";
		gr_findings_fail(f, "out of memory recording a finding");
	}
	return x;
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* Every field a reader sees, so equal keys mean equal lines of output. */
static int cmp_finding(const gr_finding *a, const gr_finding *b)
{
	if (a->document != b->document)
		return a->document < b->document ? -1 : 1;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->column != b->column)
		return a->column < b->column ? -1 : 1;
	int c = cmp_str(a->rule, b->rule);
	if (!c)
		c = cmp_str(a->path, b->path);
	if (!c)
		c = cmp_str(a->message, b->message);
	if (c)
		return c;
	if (a->severity != b->severity)
		return a->severity < b->severity ? -1 : 1;
	if (a->action != b->action)
		return a->action < b->action ? -1 : 1;
	int ai = a->object ? a->object->item : -1, bi = b->object ? b->object->item : -1;
	return ai < bi ? -1 : ai > bi;
}

/* A merge sort: stable, so what no key tells apart keeps the order the
 * engines added it in (itself deterministic). */
static void merge_sort(gr_finding *f, gr_finding *tmp, size_t n)
{
	if (n < 2)
		return;
	if (n <= 8) { /* insertion sort for short runs */
		for (size_t i = 1; i < n; i++) {
			gr_finding x = f[i];
			size_t j = i;
			for (; j > 0 && cmp_finding(&f[j - 1], &x) > 0; j--)
				f[j] = f[j - 1];
			f[j] = x;
		}
		return;
	}
	size_t h = n / 2;
	merge_sort(f, tmp, h);
	merge_sort(f + h, tmp, n - h);
	if (cmp_finding(&f[h - 1], &f[h]) <= 0)
		return;
	memcpy(tmp, f, h * sizeof *f);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		f[k++] = cmp_finding(&f[j], &tmp[i]) < 0 ? f[j++] : tmp[i++];
	while (i < h)
		f[k++] = tmp[i++];
}

void gr_findings_sort(gr_finding *f, size_t n)
{
	if (n < 2)
		return;
	gr_finding *tmp = malloc((n / 2 + 1) * sizeof *tmp);
	if (tmp) {
		merge_sort(f, tmp, n);
		free(tmp);
		return;
	}
	for (size_t i = 1; i < n; i++) { /* no memory: insertion sort, still stable */
		gr_finding x = f[i];
		size_t j = i;
		for (; j > 0 && cmp_finding(&f[j - 1], &x) > 0; j--)
			f[j] = f[j - 1];
		f[j] = x;
	}
}
