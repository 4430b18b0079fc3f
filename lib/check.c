/*
 * check.c — run the selected engines over one decoded input (see check.h).
 *
 * A decode error does not hide the documents before it: they are checked,
 * and the error becomes a file-level finding (rule `decode`), so a user
 * sees every problem of a file in one run.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/check.h"

struct gr_checker {
	const gr_engine **engines;
	void **states;
	size_t n;
};

int gr_checker_new(gr_checker **out, const char *const *names, size_t n, const gr_config *cfg, gr_error *err)
{
	*out = NULL;
	gr_checker *c = calloc(1, sizeof *c);
	if (!c)
		return gr_error_set(err, 0, 0, "out of memory");
	size_t total = 0;
	while (gr_engines[total])
		total++;
	size_t want = names && n ? n : total;
	c->engines = calloc(want ? want : 1, sizeof *c->engines);
	c->states = calloc(want ? want : 1, sizeof *c->states);
	if (!c->engines || !c->states) {
		gr_checker_free(c);
		return gr_error_set(err, 0, 0, "out of memory");
	}
	for (size_t i = 0; i < want; i++) {
		const gr_engine *e = names && n ? gr_engine_find(names[i]) : gr_engines[i];
		if (!e) {
			gr_error_set(err, 0, 0, "unknown engine '%s'", names[i]);
			gr_checker_free(c);
			return -1;
		}
		for (size_t j = 0; j < c->n; j++)
			if (c->engines[j] == e)
				e = NULL;
		if (!e)
			continue;
		void *state = NULL;
		if (e->create && e->create(&state, cfg, err)) {
			gr_checker_free(c);
			return -1;
		}
		c->engines[c->n] = e;
		c->states[c->n] = state;
		c->n++;
	}
	*out = c;
	return 0;
}

void gr_checker_free(gr_checker *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		if (c->engines[i]->destroy)
			c->engines[i]->destroy(c->states[i]);
	free(c->engines);
	free(c->states);
	free(c);
}

/* Does a line of [p, end) read `kind: NAME` (YAML) or `"kind": "NAME"` (JSON)? */
static bool has_kind_line(const char *p, const char *end, const char *name)
{
	size_t nl = strlen(name);
	for (const char *q = p; q < end;) {
		const char *k = memmem(q, (size_t)(end - q), "kind", 4);
		if (!k)
			return false;
		const char *r = k + 4;
		if (r < end && *r == '"')
			r++;
		while (r < end && (*r == ' ' || *r == '\t'))
			r++;
		if (r < end && *r == ':') {
			r++;
			while (r < end && (*r == ' ' || *r == '\t' || *r == '"' || *r == '\''))
				r++;
			if ((size_t)(end - r) >= nl && memcmp(r, name, nl) == 0) {
				const char *t = r + nl;
				if (t >= end || *t == '"' || *t == '\'' || *t == '\n' || *t == '\r' || *t == ' ' ||
				    *t == ',' || *t == '}' || *t == '#')
					return true;
			}
		}
		q = k + 4;
	}
	return false;
}

static bool chunk_wanted(const char *p, const char *end)
{
	return has_kind_line(p, end, "CustomResourceDefinition") || has_kind_line(p, end, "Namespace");
}

bool gr_checker_wants_prepare(const char *data, size_t len) { return chunk_wanted(data, data + len); }

static int prepare_chunk(gr_checker *c, const char *file, const char *data, size_t len, pthread_mutex_t *mu,
			 gr_error *err)
{
	gr_arena a;
	gr_arena_init(&a);
	gr_document *docs = NULL;
	size_t ndocs = 0;
	gr_error derr;
	gr_error_clear(&derr);
	(void)gr_decode(&a, data, len, NULL, &docs, &ndocs, &derr);
	int rc = 0;
	if (mu)
		pthread_mutex_lock(mu);
	for (size_t d = 0; d < ndocs && rc == 0; d++) {
		gr_object *objs;
		size_t nobjs;
		if (gr_objects_from_document(&a, &docs[d], file, &objs, &nobjs))
			break;
		for (size_t o = 0; o < nobjs && rc == 0; o++)
			for (size_t e = 0; e < c->n && rc == 0; e++)
				if (c->engines[e]->prepare && c->engines[e]->prepare(c->states[e], &objs[o], err))
					rc = -1;
	}
	if (mu)
		pthread_mutex_unlock(mu);
	gr_arena_free(&a);
	return rc;
}

/*
 * Only the documents that declare a wanted kind are decoded: the stream is
 * split at `---` lines as apimachinery's YAML reader splits it, so a file of
 * fifty CRDs and a thousand other objects costs the CRDs only. JSON input is
 * one document.
 */
int gr_checker_prepare_locked(gr_checker *c, const char *file, const char *data, size_t len,
			      pthread_mutex_t *mu, gr_error *err)
{
	size_t i = 0;
	while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
		i++;
	if (i < len && (data[i] == '{' || data[i] == '['))
		return chunk_wanted(data, data + len) ? prepare_chunk(c, file, data, len, mu, err) : 0;
	const char *end = data + len, *start = data, *p = data;
	while (start < end) {
		/* find the next line starting with --- */
		const char *next = NULL;
		for (p = start; p < end;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *line_end = nl ? nl + 1 : end;
			if (p != start && end - p >= 3 && p[0] == '-' && p[1] == '-' && p[2] == '-') {
				next = p;
				break;
			}
			p = line_end;
		}
		const char *chunk_end = next ? next : end;
		if (chunk_wanted(start, chunk_end) &&
		    prepare_chunk(c, file, start, (size_t)(chunk_end - start), mu, err))
			return -1;
		start = chunk_end;
		if (next) {
			/* skip the separator line itself */
			const char *nl = memchr(next, '\n', (size_t)(end - next));
			start = nl ? nl + 1 : end;
		}
	}
	return 0;
}

int gr_checker_prepare(gr_checker *c, const char *file, const char *data, size_t len, gr_error *err)
{
	return gr_checker_prepare_locked(c, file, data, len, NULL, err);
}

static const char *decode_remediation(const char *msg)
{
	if (strstr(msg, "duplicate key"))
		return "remove or merge the repeated key: the API server rejects duplicate keys in strict decoding";
	if (strstr(msg, "aliasing") || strstr(msg, "merge too large"))
		return "expand fewer aliases: the document refers to its anchors too many times";
	if (strstr(msg, "nested too deeply"))
		return "flatten the document: collections are nested deeper than any Kubernetes object needs";
	if (strstr(msg, "UTF-8") || strstr(msg, "NUL byte"))
		return "save the file as UTF-8 text";
	if (strstr(msg, "larger than the limit") || strstr(msg, "exceeds the limit"))
		return "split the input into smaller files";
	return "fix the YAML/JSON syntax at this position (YAML is read as kubectl reads it: YAML 1.1)";
}

void gr_checker_check(gr_checker *c, const char *file, const char *data, size_t len, gr_file_check *out)
{
	memset(out, 0, sizeof *out);
	gr_arena_init(&out->arena);
	gr_findings_init(&out->findings, &out->arena);
	const char *fname = gr_arena_strdup(&out->arena, file);
	if (!fname)
		fname = file;
	gr_document *docs = NULL;
	size_t ndocs = 0;
	if (gr_decode(&out->arena, data, len, NULL, &docs, &ndocs, &out->decode_error)) {
		out->errors = 1;
		gr_error_set_file(&out->decode_error, file);
		gr_finding *f = gr_findings_add(&out->findings);
		if (f) {
			f->rule = "decode";
			f->severity = GR_SEV_ERROR;
			f->action = GR_ACTION_ENFORCE;
			f->file = fname;
			f->document = ndocs ? docs[ndocs - 1].index + 1 : 0;
			f->path = "";
			f->line = out->decode_error.line;
			f->column = out->decode_error.column;
			f->message = gr_arena_strdup(&out->arena, out->decode_error.message);
			f->remediation = decode_remediation(out->decode_error.message);
			f->doc = "docs/rules/input.md#decode";
		}
	}
	/* Gather objects of all documents into one array. */
	size_t cap = 0, n = 0;
	gr_object *all = NULL;
	for (size_t d = 0; d < ndocs; d++) {
		gr_object *objs;
		size_t nobjs;
		if (gr_objects_from_document(&out->arena, &docs[d], fname, &objs, &nobjs))
			break;
		if (n + nobjs > cap) {
			size_t ncap = cap ? cap * 2 : 16;
			while (ncap < n + nobjs)
				ncap *= 2;
			gr_object *na = gr_arena_alloc(&out->arena, ncap * sizeof *na);
			if (!na)
				break;
			if (n)
				memcpy(na, all, n * sizeof *na);
			all = na;
			cap = ncap;
		}
		memcpy(all + n, objs, nobjs * sizeof *objs);
		n += nobjs;
	}
	out->objects = all;
	out->nobjects = n;
	out->status = n ? gr_arena_calloc(&out->arena, n, 1) : NULL;
	for (size_t o = 0; o < n; o++) {
		size_t before = out->findings.len;
		bool skipped = false;
		for (size_t e = 0; e < c->n; e++) {
			gr_check_ctx ctx = {.arena = &out->arena};
			c->engines[e]->check(c->states[e], &all[o], &ctx, &out->findings);
			if (ctx.skipped)
				skipped = true;
			out->not_evaluated += ctx.not_evaluated;
		}
		bool invalid = false;
		for (size_t i = before; i < out->findings.len; i++) {
			gr_finding *f = &out->findings.items[i];
			if (!f->file)
				f->file = fname;
			if (!f->object)
				f->object = &all[o];
			f->document = all[o].document;
			if (f->action == GR_ACTION_ENFORCE)
				invalid = true;
		}
		if (out->status)
			out->status[o] = invalid ? GR_OBJECT_INVALID : skipped ? GR_OBJECT_SKIPPED : GR_OBJECT_VALID;
	}
	gr_findings_sort(out->findings.items, out->findings.len);
}

void gr_file_check_free(gr_file_check *fc)
{
	gr_findings_free(&fc->findings);
	gr_arena_free(&fc->arena);
	memset(fc, 0, sizeof *fc);
}
