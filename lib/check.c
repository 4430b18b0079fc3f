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
#include "internal.h"

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

struct gr_prechecked {
	gr_arena arena;
	struct prechunk {
		unsigned index;
		gr_object *objects;
		unsigned char *status;
		size_t nobjects;
		gr_finding *findings;
		size_t nfindings;
		size_t not_evaluated;
	} *chunks;
	size_t n, cap;
};

void gr_prechecked_free(gr_prechecked *p)
{
	if (!p)
		return;
	gr_arena_free(&p->arena);
	free(p->chunks);
	free(p);
}

/* Run every engine over objs; findings appended, one status per object. */
static void check_objects(gr_checker *c, gr_object *objs, size_t n, gr_arena *arena, gr_findings *out,
			  unsigned char *status, size_t *not_evaluated)
{
	for (size_t o = 0; o < n; o++) {
		size_t before = out->len;
		bool skipped = false;
		for (size_t e = 0; e < c->n; e++) {
			gr_check_ctx ctx = {.arena = arena};
			c->engines[e]->check(c->states[e], &objs[o], &ctx, out);
			if (ctx.skipped)
				skipped = true;
			*not_evaluated += ctx.not_evaluated;
		}
		bool invalid = false;
		for (size_t i = before; i < out->len; i++) {
			gr_finding *f = &out->items[i];
			if (!f->file)
				f->file = objs[o].file;
			if (!f->object)
				f->object = &objs[o];
			f->document = objs[o].document;
			if (f->action == GR_ACTION_ENFORCE)
				invalid = true;
		}
		if (status)
			status[o] = invalid ? GR_OBJECT_INVALID : skipped ? GR_OBJECT_SKIPPED : GR_OBJECT_VALID;
	}
}

static const char *dup_or(gr_arena *a, const char *s)
{
	if (!s)
		return NULL;
	const char *d = gr_arena_strdup(a, s);
	return d ? d : "";
}

/* Copy objects (headers only: no tree) and findings into arena a, remapping
 * each finding's object pointer to the copies. */
static int copy_results(gr_arena *a, const gr_object *objs, const unsigned char *status, size_t n,
			const gr_finding *f, size_t nf, gr_object **out_objs, unsigned char **out_status,
			gr_finding **out_f)
{
	gr_object *o = n ? gr_arena_alloc(a, n * sizeof *o) : NULL;
	unsigned char *st = n ? gr_arena_alloc(a, n) : NULL;
	gr_finding *fs = nf ? gr_arena_alloc(a, nf * sizeof *fs) : NULL;
	if ((n && (!o || !st)) || (nf && !fs))
		return -1;
	for (size_t i = 0; i < n; i++) {
		o[i] = objs[i];
		o[i].root = NULL;
		o[i].pod_spec = NULL;
		o[i].pod_metadata = NULL;
		o[i].api_version = dup_or(a, objs[i].api_version);
		o[i].group = dup_or(a, objs[i].group);
		o[i].version = dup_or(a, objs[i].version);
		o[i].kind = dup_or(a, objs[i].kind);
		o[i].name = dup_or(a, objs[i].name);
		o[i].namespace_ = dup_or(a, objs[i].namespace_);
		o[i].file = dup_or(a, objs[i].file);
		st[i] = status[i];
	}
	for (size_t i = 0; i < nf; i++) {
		fs[i] = f[i];
		fs[i].rule = dup_or(a, f[i].rule);
		fs[i].file = dup_or(a, f[i].file);
		fs[i].path = dup_or(a, f[i].path);
		fs[i].message = dup_or(a, f[i].message);
		fs[i].remediation = dup_or(a, f[i].remediation);
		fs[i].doc = dup_or(a, f[i].doc);
		fs[i].reason = dup_or(a, f[i].reason);
		/* every finding check_objects made points into objs */
		fs[i].object = f[i].object ? &o[f[i].object - objs] : NULL;
	}
	*out_objs = o;
	*out_status = st;
	*out_f = fs;
	return 0;
}

/* Append objects to the growing array *all (arena-backed). */
static int append_objects(gr_arena *a, gr_object **all, size_t *n, size_t *cap, const gr_object *objs,
			  size_t nobjs)
{
	if (*n + nobjs > *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		while (ncap < *n + nobjs)
			ncap *= 2;
		gr_object *na = gr_arena_alloc(a, ncap * sizeof *na);
		if (!na)
			return -1;
		if (*n)
			memcpy(na, *all, *n * sizeof *na);
		*all = na;
		*cap = ncap;
	}
	memcpy(*all + *n, objs, nobjs * sizeof *objs);
	*n += nobjs;
	return 0;
}

/*
 * Decode one document piece (a YAML chunk, or with chunk NULL the whole
 * buffer) and append its objects to *all. Returns the decode status; the
 * objects of what did decode are appended either way.
 */
static int decode_objects(gr_arena *a, const char *file, const char *data, size_t len, const gr_chunk *chunk,
			  const gr_decode_limits *limits, gr_object **all, size_t *n, size_t *cap, gr_error *derr)
{
	gr_document *docs = NULL;
	size_t ndocs = 0;
	gr_error_clear(derr);
	int bad = chunk ? gr_decode_yaml_chunk(a, data, len, chunk, limits, &docs, &ndocs, derr)
			: gr_decode(a, data, len, limits, &docs, &ndocs, derr);
	for (size_t d = 0; d < ndocs; d++) {
		gr_object *objs;
		size_t nobjs;
		if (gr_objects_from_document(a, &docs[d], file, &objs, &nobjs) ||
		    append_objects(a, all, n, cap, objs, nobjs)) {
			/* an object that is not checked is an error, never dropped */
			gr_error_set(derr, docs[d].root.line, docs[d].root.column, "out of memory");
			gr_error_mark(derr, GR_ERR_NOMEM);
			return -1;
		}
	}
	return bad;
}

static bool is_set_level_kind(const char *kind)
{
	return strcmp(kind, "CustomResourceDefinition") == 0 || strcmp(kind, "Namespace") == 0;
}

/*
 * Decode one wanted document, show its objects to the engines, and when it
 * holds nothing but set-level objects (whose own checks never depend on
 * other inputs), check it now and keep the results, so the check pass need
 * not decode it again. prepare calls hold the lock for writing, the checks
 * for reading: checks of different documents overlap, never with a prepare.
 */
static int prepare_chunk(gr_checker *c, const char *file, const char *data, size_t len, const gr_chunk *chunk,
			 pthread_rwlock_t *lock, gr_prechecked *pre, gr_error *err)
{
	gr_arena a;
	gr_arena_init(&a);
	gr_error derr;
	gr_object *all = NULL;
	size_t n = 0, cap = 0;
	int bad = decode_objects(&a, file, data, len, chunk, NULL, &all, &n, &cap, &derr);
	if (bad && derr.kind == GR_ERR_NOMEM) {
		/* a syntax error is the check pass's to report; memory is not: a
		 * CRD or Namespace not shown to the engines changes every verdict */
		*err = derr;
		gr_arena_free(&a);
		return -1;
	}
	bool only_set_level = !bad && n > 0 && pre;
	for (size_t o = 0; o < n; o++)
		if (!is_set_level_kind(all[o].kind))
			only_set_level = false;
	int rc = 0;
	if (lock)
		pthread_rwlock_wrlock(lock);
	for (size_t o = 0; o < n && rc == 0; o++)
		for (size_t e = 0; e < c->n && rc == 0; e++)
			if (c->engines[e]->prepare && c->engines[e]->prepare(c->states[e], &all[o], err))
				rc = -1;
	if (lock)
		pthread_rwlock_unlock(lock);
	if (rc == 0 && only_set_level) {
		if (lock)
			pthread_rwlock_rdlock(lock);
		gr_findings fs;
		gr_findings_init(&fs, &a);
		unsigned char *status = gr_arena_calloc(&a, n, 1);
		size_t not_evaluated = 0;
		if (status)
			check_objects(c, all, n, &a, &fs, status, &not_evaluated);
		if (fs.failed) /* not kept: the check pass judges the document again */
			status = NULL;
		if (status && pre->n == pre->cap) {
			size_t ncap = pre->cap ? pre->cap * 2 : 8;
			struct prechunk *nc = realloc(pre->chunks, ncap * sizeof *nc);
			if (nc) {
				pre->chunks = nc;
				pre->cap = ncap;
			}
		}
		if (status && pre->n < pre->cap) {
			struct prechunk *pc = &pre->chunks[pre->n];
			pc->index = chunk ? chunk->index : 0;
			pc->nobjects = n;
			pc->nfindings = fs.len;
			pc->not_evaluated = not_evaluated;
			if (copy_results(&pre->arena, all, status, n, fs.items, fs.len, &pc->objects, &pc->status,
					 &pc->findings) == 0)
				pre->n++;
		}
		gr_findings_free(&fs);
		if (lock)
			pthread_rwlock_unlock(lock);
	}
	gr_arena_free(&a);
	return rc;
}

/*
 * Only the documents that declare a wanted kind are decoded: a file of fifty
 * CRDs and a thousand other objects costs the CRDs only. JSON input is one
 * document.
 */
int gr_checker_prepare_file(gr_checker *c, const char *file, const char *data, size_t len, pthread_rwlock_t *lock,
			    gr_prechecked **pre_out, gr_error *err)
{
	gr_prechecked *pre = NULL;
	if (pre_out) {
		*pre_out = NULL;
		pre = calloc(1, sizeof *pre);
		if (!pre)
			return gr_error_set(err, 0, 0, "out of memory");
		gr_arena_init(&pre->arena);
	}
	int rc = 0;
	if (gr_looks_like_json(data, len)) {
		if (chunk_wanted(data, data + len))
			rc = prepare_chunk(c, file, data, len, NULL, lock, pre, err);
	} else {
		gr_chunk *chunks;
		size_t n;
		if (gr_split_yaml(data, len, &chunks, &n)) {
			gr_prechecked_free(pre);
			return gr_error_set(err, 0, 0, "out of memory");
		}
		for (size_t i = 0; i < n && rc == 0; i++)
			if (chunk_wanted(data + chunks[i].offset, data + chunks[i].offset + chunks[i].length))
				rc = prepare_chunk(c, file, data, len, &chunks[i], lock, pre, err);
		free(chunks);
	}
	if (pre_out)
		*pre_out = pre;
	return rc;
}

int gr_checker_prepare(gr_checker *c, const char *file, const char *data, size_t len, gr_error *err)
{
	return gr_checker_prepare_file(c, file, data, len, NULL, NULL, err);
}

static const char *decode_remediation(gr_error_kind kind)
{
	switch (kind) {
	case GR_ERR_DUPLICATE_KEY:
		return "remove or merge the repeated key: the API server rejects duplicate keys in strict decoding";
	case GR_ERR_ALIASES: return "expand fewer aliases: the document refers to its anchors too many times";
	case GR_ERR_DEPTH:
		return "flatten the document: collections are nested deeper than any Kubernetes object needs";
	case GR_ERR_ENCODING: return "save the file as UTF-8 text";
	case GR_ERR_SIZE: return "split the input into smaller files";
	case GR_ERR_IO: return "check the path and its permissions";
	case GR_ERR_NOMEM: return "free memory or check fewer files at once, then run again";
	case GR_ERR_OTHER: break;
	}
	return "fix the YAML/JSON syntax at this position (YAML is read as kubectl reads it: YAML 1.1)";
}

static const struct prechunk *find_prechunk(const gr_prechecked *pre, unsigned index)
{
	if (!pre)
		return NULL;
	for (size_t i = 0; i < pre->n; i++)
		if (pre->chunks[i].index == index)
			return &pre->chunks[i];
	return NULL;
}

/* A decode error is a file-level finding; the first one is also the file's
 * decode_error (what the program prints on standard error). errors is set
 * first, so the file counts as an error even when no finding fits in memory. */
static void add_file_finding(gr_file_check *out, const char *fname, unsigned document, const gr_error *e,
			     const char *rule)
{
	if (!out->errors)
		out->decode_error = *e;
	out->errors = 1;
	gr_finding *f = gr_findings_add(&out->findings);
	if (!f)
		return;
	f->rule = rule;
	f->severity = GR_SEV_ERROR;
	f->action = GR_ACTION_ENFORCE;
	f->file = fname;
	f->document = document;
	f->path = "";
	f->line = e->line;
	f->column = e->column;
	f->message = gr_arena_strdup(&out->arena, e->message);
	if (!f->message)
		f->message = "out of memory";
	if (strcmp(rule, "decode") == 0) {
		f->remediation = decode_remediation(e->kind);
		f->doc = "docs/rules/input.md#decode";
	} else {
		f->remediation = e->kind == GR_ERR_NOMEM ? decode_remediation(e->kind)
							 : "fix or replace the file named in the message";
		f->doc = "docs/rules/input.md#engine";
	}
}

static void add_decode_finding(gr_file_check *out, const char *fname, unsigned document, const gr_error *e)
{
	add_file_finding(out, fname, document, e, "decode");
}

/* The findings could not all be recorded, or an engine could not judge an
 * object: the file is an error (exit 2), never a pass with fewer findings. */
static void fail_closed(gr_file_check *out, const char *fname, const char *why)
{
	gr_error e;
	gr_error_set(&e, 0, 0, "%s", why);
	gr_error_set_file(&e, fname);
	if (strstr(why, "out of memory"))
		e.kind = GR_ERR_NOMEM;
	out->findings.failed = 0; /* room may be back for this one finding */
	add_file_finding(out, fname, 0, &e, "engine");
	out->findings.failed = 1;
}

void gr_checker_check_file(gr_checker *c, const char *file, const char *data, size_t len,
			   const gr_prechecked *pre, gr_file_check *out)
{
	memset(out, 0, sizeof *out);
	gr_arena_init(&out->arena);
	gr_findings_init(&out->findings, &out->arena);
	const char *fname = gr_arena_strdup(&out->arena, file);
	if (!fname)
		fname = file;
	gr_object *all = NULL;
	size_t n = 0, cap = 0;
	gr_error derr;
	gr_decode_limits limits;
	gr_decode_limits_default(&limits);
	/* JSON is one document: a NULL chunk. YAML is decoded chunk by chunk so
	 * that the documents kept from the prepare pass are skipped. */
	int json = gr_looks_like_json(data, len);
	gr_chunk *chunks = NULL;
	size_t nchunks = json ? 1 : 0;
	if (gr_check_input_size(len, &limits, &derr)) {
		gr_error_set_file(&derr, file);
		add_decode_finding(out, fname, 0, &derr);
		nchunks = 0;
	} else if (!json && gr_split_yaml(data, len, &chunks, &nchunks)) {
		gr_error_set(&derr, 0, 0, "out of memory");
		add_decode_finding(out, fname, 0, &derr);
		return;
	}
	for (size_t i = 0; i < nchunks; i++) {
		const gr_chunk *chunk = json ? NULL : &chunks[i];
		unsigned index = json ? 0 : chunk->index;
		if (find_prechunk(pre, index))
			continue;
		if (decode_objects(&out->arena, fname, data, len, chunk, &limits, &all, &n, &cap, &derr)) {
			gr_error_set_file(&derr, file);
			add_decode_finding(out, fname, index, &derr);
		}
	}
	free(chunks);
	/* Objects of pre-checked documents go after the fresh ones; the report
	 * orders findings by position anyway. */
	size_t nfresh = n;
	size_t npre = pre ? pre->n : 0;
	for (size_t k = 0; k < npre; k++)
		if (append_objects(&out->arena, &all, &n, &cap, pre->chunks[k].objects, pre->chunks[k].nobjects)) {
			fail_closed(out, fname, "out of memory");
			npre = k;
			break;
		}
	out->objects = all;
	out->nobjects = n;
	out->status = n ? gr_arena_calloc(&out->arena, n, 1) : NULL;
	if (n && !out->status) {
		out->nobjects = 0;
		fail_closed(out, fname, "out of memory");
		return;
	}
	check_objects(c, all, nfresh, &out->arena, &out->findings, out->status, &out->not_evaluated);
	size_t base = nfresh;
	for (size_t k = 0; k < npre; k++) {
		const struct prechunk *pc = &pre->chunks[k];
		memcpy(out->status + base, pc->status, pc->nobjects);
		for (size_t i = 0; i < pc->nfindings; i++) {
			gr_finding *f = gr_findings_add(&out->findings);
			if (!f)
				break; /* findings.failed is set */
			*f = pc->findings[i];
			f->file = fname;
			f->object = &all[base + (size_t)(pc->findings[i].object - pc->objects)];
		}
		out->not_evaluated += pc->not_evaluated;
		base += pc->nobjects;
	}
	if (out->findings.failed)
		fail_closed(out, fname, out->findings.failure ? out->findings.failure : "out of memory");
	gr_findings_sort(out->findings.items, out->findings.len);
}

void gr_checker_check(gr_checker *c, const char *file, const char *data, size_t len, gr_file_check *out)
{
	gr_checker_check_file(c, file, data, len, NULL, out);
}

void gr_file_check_free(gr_file_check *fc)
{
	gr_findings_free(&fc->findings);
	gr_arena_free(&fc->arena);
	memset(fc, 0, sizeof *fc);
}
