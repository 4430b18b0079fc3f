/*
 * session.c — one batch of inputs through the pipeline (see session.h).
 *
 * Pass 1 (the set-level pass) reads every input exactly once and decodes
 * it, on `jobs` threads in any order; each input's objects stay in its own
 * arena. The set is then built on the calling thread in input order, which
 * is what makes definitions resolve the same way on every run. Pass 2
 * checks the inputs on the same threads and hands results to the caller in
 * input order; at most a window of inputs is in flight beyond the last one
 * reported.
 *
 * Pass 1 judges at once every input whose verdicts the set cannot change
 * (gr_engine.needs_set) and keeps only its results. An engine's "no" can
 * depend on the inputs holding none of its revoking_kinds (policies): when
 * they hold one, the engine is asked again, with the state prepared from
 * the set, of every object judged early, and the objects it now needs are
 * judged again in pass 2 — at once when their whole trees were kept (the
 * declared kinds), else with their input decoded again (read again, for a
 * file).
 *
 * In pass 2 workers take only inputs with judging left; the calling
 * thread sorts the rest itself as it delivers in order, and takes an input
 * no worker took yet rather than wait for one.
 *
 * Memory: decoded trees are kept between the passes up to
 * max_retained_bytes; an input decoded past that budget keeps only its bytes
 * and a light copy of each object's header and metadata (enough to index
 * it) plus the whole tree of declared kinds, and is decoded again in pass 2.
 * A CRD (when pruned) keeps only its skeleton, the tree without any
 * version's schema, and its pruned tree as bytes (valblob.c); the set-level
 * pass decodes the bytes only of CRDs whose versions an input object uses.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/session.h"
#include "internal.h"
#include "pipeline.h"

#define DEFAULT_RETAINED ((size_t)512 * 1024 * 1024)

typedef enum input_kind { IN_FILE, IN_BYTES, IN_VALUE, IN_FAILED } input_kind;

/* A decode error of one document. */
typedef struct doc_error {
	unsigned document;
	gr_error e;
} doc_error;

/* A definition repeated with different content: object k of this input
 * against set index earlier. */
typedef struct conflict {
	size_t object;
	size_t earlier;
} conflict;

/* A pruned CRD tree kept as bytes (gri_blob_encode) until the set is built. */
typedef struct crd_blob {
	unsigned char *data; /* malloc'd; NULL: none */
	size_t len;
	bool skeleton; /* the object's root is its skeleton, not its pruned tree */
} crd_blob;

/* One more reason for rules of one object not evaluated (most objects have
 * none or one, kept in the input's per-object arrays). */
typedef struct ne_more {
	size_t object;
	const char *reason;
	size_t count;
} ne_more;

typedef struct input {
	input_kind kind;
	char *name;
	const char *data;  /* bytes (the caller's, or owned) */
	const char *bytes; /* the caller's bytes (IN_BYTES), kept for judging again */
	bool once;         /* IN_FILE that is no regular file (a pipe, a FIFO): it cannot be
	                      read again, so its bytes are kept while they may be needed */
	size_t len;
	char *owned;
	const gr_value *value;
	gr_error *read_error; /* set with read_failed (keep_error) */
	bool read_failed;
	/* pass 1 */
	gr_arena arena; /* trees (when kept), objects, findings' strings */
	gr_object *objects;
	size_t nobjects;
	bool light;                   /* trees dropped: objects are light copies, decode again */
	bool checked;                 /* judged in pass 1 (no object needed the set) */
	bool again;                   /* judged in pass 1, then revoked: judge again in pass 2 */
	unsigned char *again_objects; /* or only these objects (whole trees kept) */
	bool keep_arena;              /* the set borrowed trees from arena: free it last */
	uint64_t *digests;            /* per object: its tree's digest when pruned, else 0 */
	gr_arena trees;               /* the pruned CRD trees (the set borrows them) */
	crd_blob *blobs;              /* per object, with digests: its pruned tree as bytes, while
	                                 objects[k].root is its skeleton (no version's schema) */
	crd_blob *wholes;             /* the same CRDs' whole trees as bytes, when an engine may
	                                 judge them again (may_judge_again) */
	gr_arena again_trees;         /* whole trees decoded from wholes to be judged again */
	const gr_value **again_roots; /* their objects' kept roots, put back once delivered */
	gr_arena kept;                /* an arena the set borrows from, once replaced */
	doc_error *errors;
	size_t nerrors;
	conflict *conflicts;
	size_t nconflicts;
	/* pass 2 */
	gr_findings findings;
	unsigned char *status;
	const char **skip_reason; /* per object, or NULL */
	size_t *ne;               /* not evaluated, per object: for its first reason */
	const char **ne_reason;   /* per object: that first reason */
	ne_more *ne_more;         /* the other reasons of objects that have several */
	size_t nne_more;
	size_t ne_more_max; /* the highest object among them */
	size_t engine_errors;
	gr_error *engine_error; /* the first, with engine_errors */
	size_t suppressed;      /* findings dropped by guardrail.dev/ignore */
	size_t *sup;            /* the same, per object */
	bool heavy;             /* pass 2 has judging to do (not only its results to sort) */
	size_t heavy_before;    /* pass 2: how many inputs before this one are heavy */
	atomic_int state;       /* pass 2: 0 free, 1 taken by a thread, 2 checked */
	gr_source_map srcmap;   /* Helm's `# Source:` comments, when helm_source asks */
} input;

struct gr_session {
	gr_checker *checker;
	gr_session_options opt;
	input *in;
	size_t n, cap;
	gr_set *set;
	gr_checker *run_checker;
	atomic_size_t retained;
	atomic_bool revoked; /* an input holds a revoking kind: early verdicts do not hold */
	bool prune_crds;     /* kept CRD trees lose their descriptions (always, now) */
	bool whole_crds;     /* an engine may judge a CRD again: keep its whole tree as bytes too */
	gr_arena *used_crds; /* the trees of CRDs with a used version, decoded and stripped:
	                        an arena per thread that decoded them (decode_used) */
	size_t nused_crds;
	gr_arena param_trees; /* whole trees given to the set for an engine's set_kinds */
	/* work distribution: inputs are claimed with an atomic counter; the
	 * mutex and conditions are only for the waits (the caller for the next
	 * input to deliver, a worker for room in the window), and a thread is
	 * woken only when one waits (see worker and gr_session_run) */
	pthread_mutex_t mu;
	pthread_cond_t delivered_cv; /* flushed moved (workers wait for room) */
	pthread_cond_t done_cv;      /* the input awaited by the caller is done */
	atomic_size_t next, flushed;
	size_t window; /* in heavy inputs (has_room) */
	size_t nheavy;
	atomic_size_t awaited; /* the input the caller waits for, or SIZE_MAX */
	atomic_int room_waiters;
	int pass; /* 1 or 2 */
	atomic_bool stop;
	/* summary reasons, in order of first appearance */
	gr_reason_count *skipped, *not_evaluated;
	size_t nskipped, nnot_evaluated;
};

/* Errors live outside the input record (two gr_errors are 1.5 KiB, and a
 * corpus has thousands of inputs, nearly all without one). When memory
 * runs out the error still counts, as "out of memory". */
static const gr_error oom_error = {.message = "out of memory", .kind = GR_ERR_NOMEM};

static gr_error *keep_error(const gr_error *e)
{
	gr_error *k = malloc(sizeof *k);
	if (!k)
		return (gr_error *)&oom_error; /* never written through, never freed */
	*k = *e;
	return k;
}

static void drop_error(gr_error *e)
{
	if (e != &oom_error)
		free(e);
}

void gr_session_options_default(gr_session_options *o)
{
	memset(o, 0, sizeof *o);
	o->jobs = 1;
	gr_decode_limits_default(&o->limits);
	o->max_retained_bytes = DEFAULT_RETAINED;
	o->honour_ignore_annotation = true;
}

gr_session *gr_session_new(gr_checker *c, const gr_session_options *opt)
{
	gr_session *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	if (opt)
		s->opt = *opt;
	else
		gr_session_options_default(&s->opt);
	if (!s->opt.max_retained_bytes)
		s->opt.max_retained_bytes = DEFAULT_RETAINED;
	s->checker = gr_checker_ref(c);
	/* an engine that may judge a CRD object again gets its whole tree back
	 * from bytes (check_again) */
	s->prune_crds = true;
	s->whole_crds = gri_checker_may_judge_again(c);
	atomic_init(&s->retained, 0);
	atomic_init(&s->revoked, false);
	return s;
}

static void free_blobs(input *in)
{
	for (size_t k = 0; in->blobs && k < in->nobjects; k++) {
		free(in->blobs[k].data);
		in->blobs[k].data = NULL;
	}
	in->blobs = NULL; /* the array itself is in the compact arena */
}

static void free_wholes(input *in)
{
	for (size_t k = 0; in->wholes && k < in->nobjects; k++) {
		free(in->wholes[k].data);
		in->wholes[k].data = NULL;
	}
	in->wholes = NULL;
}

/* The trees decoded to judge CRDs again: their objects get back the roots
 * the set knows. */
static void drop_again_trees(input *in)
{
	for (size_t k = 0; in->again_roots && k < in->nobjects; k++)
		if (in->again_roots[k])
			in->objects[k].root = in->again_roots[k];
	free(in->again_roots);
	in->again_roots = NULL;
	gr_arena_free(&in->again_trees);
}

static void input_release(input *in)
{
	free(in->ne_more);
	in->ne_more = NULL;
	in->nne_more = in->ne_more_max = 0;
	drop_again_trees(in);
	free_wholes(in);
	gr_findings_free(&in->findings);
	if (!in->keep_arena)
		gr_arena_free(&in->arena);
	free(in->owned);
	in->owned = NULL;
	in->data = NULL;
	free(in->errors);
	in->errors = NULL;
	free(in->conflicts);
	in->conflicts = NULL;
	free(in->again_objects);
	in->again_objects = NULL;
	gr_source_map_free(&in->srcmap);
}

void gr_session_free(gr_session *s)
{
	if (!s)
		return;
	gr_checker_unref(s->run_checker); /* first: it borrows the set's trees */
	for (size_t i = 0; i < s->n; i++) {
		free_blobs(&s->in[i]);
		s->in[i].keep_arena = false;
		input_release(&s->in[i]);
		gr_arena_free(&s->in[i].kept);
		gr_arena_free(&s->in[i].trees);
		drop_error(s->in[i].read_error);
		drop_error(s->in[i].engine_error);
		free(s->in[i].name);
	}
	free(s->in);
	gr_set_free(s->set);
	gr_arena_free(&s->param_trees);
	for (size_t i = 0; i < s->nused_crds; i++)
		gr_arena_free(&s->used_crds[i]);
	free(s->used_crds);
	gr_checker_unref(s->checker);
	free(s->skipped);
	free(s->not_evaluated);
	free(s);
}

static input *add_input(gr_session *s, input_kind kind, const char *name)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		input *nv = realloc(s->in, cap * sizeof *nv);
		if (!nv)
			return NULL;
		s->in = nv;
		s->cap = cap;
	}
	input *in = &s->in[s->n];
	memset(in, 0, sizeof *in);
	in->name = strdup(name ? name : "");
	if (!in->name)
		return NULL;
	in->kind = kind;
	gr_arena_init(&in->arena);
	gr_arena_init(&in->trees);
	gr_arena_expect(&in->trees, 4096); /* CRD skeletons: most inputs hold none or a few */
	s->n++;
	return in;
}

int gr_session_add_file(gr_session *s, const char *path)
{
	return add_input(s, IN_FILE, path) ? 0 : -1;
}

int gr_session_add_bytes(gr_session *s, const char *name, const char *data, size_t len)
{
	input *in = add_input(s, IN_BYTES, name);
	if (!in)
		return -1;
	in->data = in->bytes = data ? data : "";
	in->len = data ? len : 0;
	return 0;
}

int gr_session_add_value(gr_session *s, const char *name, const gr_value *root)
{
	input *in = add_input(s, IN_VALUE, name);
	if (!in)
		return -1;
	in->value = root;
	return 0;
}

int gr_session_add_failed(gr_session *s, const char *name, const gr_error *why)
{
	input *in = add_input(s, IN_FAILED, name);
	if (!in)
		return -1;
	in->read_failed = true;
	gr_error none;
	gr_error_clear(&none);
	in->read_error = keep_error(why ? why : &none);
	return 0;
}

/* ---- pass 1: read and decode ---- */

static int append_objects(gr_arena *a, input *in, size_t *cap, const gr_object *objs, size_t n)
{
	if (in->nobjects + n > *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		while (ncap < in->nobjects + n)
			ncap *= 2;
		gr_object *na = gr_arena_alloc(a, ncap * sizeof *na);
		if (!na)
			return -1;
		if (in->nobjects)
			memcpy(na, in->objects, in->nobjects * sizeof *na);
		in->objects = na;
		*cap = ncap;
	}
	memcpy(in->objects + in->nobjects, objs, n * sizeof *objs);
	in->nobjects += n;
	return 0;
}

static int add_doc_error(input *in, unsigned document, const gr_error *e)
{
	doc_error *nv = realloc(in->errors, (in->nerrors + 1) * sizeof *nv);
	if (!nv) { /* the error still counts: an input is never passed for want of memory */
		if (!in->engine_errors) {
			gr_error f = *e;
			gr_error_set_file(&f, in->name);
			in->engine_error = keep_error(&f);
		}
		in->engine_errors++;
		return -1;
	}
	in->errors = nv;
	nv[in->nerrors].document = document;
	nv[in->nerrors].e = *e;
	gr_error_set_file(&nv[in->nerrors].e, in->name);
	in->nerrors++;
	return 0;
}

/* The documents of one piece (a YAML chunk, or the whole JSON buffer with
 * chunk NULL) to objects appended to in->objects. */
static void decode_piece(input *in, const gr_chunk *chunk, const gr_decode_limits *limits, size_t *cap,
                         bool record_errors)
{
	gr_document *docs = NULL;
	size_t ndocs = 0;
	gr_error derr;
	gr_error_clear(&derr);
	int bad = chunk ? gr_decode_yaml_chunk(&in->arena, in->data, in->len, chunk, limits, &docs, &ndocs,
	                                       &derr)
	                : gr_decode(&in->arena, in->data, in->len, limits, &docs, &ndocs, &derr);
	for (size_t d = 0; d < ndocs; d++) {
		gr_object *objs;
		size_t nobjs;
		if (gr_objects_from_document(&in->arena, &docs[d], in->name, &objs, &nobjs) ||
		    append_objects(&in->arena, in, cap, objs, nobjs)) {
			/* an object that cannot be kept is an error, never dropped */
			gr_error_set(&derr, docs[d].root.line, docs[d].root.column, "out of memory");
			add_doc_error(in, docs[d].index, &derr);
			bad = 0;
			break;
		}
	}
	if (bad && (record_errors || derr.kind == GR_ERR_NOMEM))
		add_doc_error(in, chunk ? chunk->index : 0, &derr);
}

/* Decode the whole input into its arena. */
static void decode_input(input *in, const gr_decode_limits *limits, bool record_errors)
{
	size_t cap = 0;
	in->objects = NULL;
	in->nobjects = 0;
	gr_error derr;
	if (in->kind == IN_VALUE) {
		gr_document doc = {.root = *in->value, .index = 0};
		gr_object *objs;
		size_t nobjs;
		int rc = gr_objects_from_document(&in->arena, &doc, in->name, &objs, &nobjs);
		if (rc == 0) {
			/* one object rooted at the copy in doc: root it at the caller's
			 * tree instead (List items already are the caller's nodes) */
			if (nobjs == 1 && objs[0].item < 0)
				gr_object_init(&in->arena, &objs[0], in->value, in->name, 0, -1);
			rc = append_objects(&in->arena, in, &cap, objs, nobjs);
		}
		if (rc) { /* memory ran out: an error of the input, never an input without objects */
			gr_error_set(&derr, 0, 0, "out of memory");
			gr_error_mark(&derr, GR_ERR_NOMEM);
			add_doc_error(in, 0, &derr);
		}
		return;
	}
	if (gr_check_input_size(in->len, limits, &derr)) {
		if (record_errors)
			add_doc_error(in, 0, &derr);
		return;
	}
	if (gr_looks_like_json(in->data, in->len)) {
		decode_piece(in, NULL, limits, &cap, record_errors);
		return;
	}
	gr_chunk *chunks;
	size_t nchunks;
	if (gr_split_yaml(in->data, in->len, &chunks, &nchunks)) {
		gr_error_set(&derr, 0, 0, "out of memory");
		if (record_errors)
			add_doc_error(in, 0, &derr);
		return;
	}
	for (size_t i = 0; i < nchunks; i++)
		decode_piece(in, &chunks[i], limits, &cap, record_errors);
	free(chunks);
}

/* A copy of v holding only what the set indexes: apiVersion, kind, and of
 * metadata the name, generateName, namespace and labels. */
static gr_value pick(gr_arena *a, const gr_value *v, const char *const *keys, size_t nkeys,
                     bool deep_metadata)
{
	gr_value c = gr_make_object(a, nkeys);
	if (c.type != GR_OBJECT)
		return c;
	c.line = v->line;
	c.column = v->column;
	size_t n = 0;
	for (size_t k = 0; k < nkeys; k++) {
		const gr_member *m = gr_get_member(v, keys[k], strlen(keys[k]));
		if (!m)
			continue;
		c.u.o.members[n] = *m;
		if (deep_metadata && strcmp(keys[k], "metadata") == 0 && m->value.type == GR_OBJECT) {
			static const char *const meta[] = {"name", "generateName", "namespace", "labels"};
			c.u.o.members[n].value = pick(a, &m->value, meta, 4, false);
		} else {
			c.u.o.members[n].value = gri_value_copy(a, &m->value);
		}
		n++;
	}
	c.u.o.len = n;
	return c;
}

static bool is_crd(const gr_object *o)
{
	return strcmp(o->kind, "CustomResourceDefinition") == 0 &&
	       strcmp(o->group, "apiextensions.k8s.io") == 0;
}

static gr_value light_root(gr_arena *a, const gr_value *v)
{
	if (!v || v->type != GR_OBJECT)
		return gr_make_null();
	static const char *const keep[] = {"apiVersion", "kind", "metadata"};
	return pick(a, v, keep, 3, true);
}

/* str copied into a when it lives in the arena `from` that is about to
 * be freed; a string elsewhere (a rule's static text, an engine's prepared
 * state, the kept trees) stays where it is. */
static const char *dup_or(gr_arena *a, const gr_arena *from, const char *str)
{
	if (!str || !gri_arena_owns(from, str))
		return str;
	const char *d = gr_arena_strdup(a, str);
	return d ? d : "";
}

static bool never_used(void *user, const char *group, const char *version, const char *kind)
{
	(void)user, (void)group, (void)version, (void)kind;
	return false;
}

/* What a session keeps of a CRD's tree between its passes: in *root (in
 * in->trees) its skeleton, the pruned tree without any version's schema
 * (gri_crd_strip when no version is used), which is all the set needs
 * unless an input object uses one of its versions; and the pruned tree as
 * bytes in *blob for that case (strip_unused_versions). A CRD without
 * schemas to strip keeps its pruned tree and no blob. -1: out of memory. */
static int keep_crd(input *in, const gr_value *tree, gr_value *root, crd_blob *blob)
{
	/* When every version has a name, strip drops every version's schema
	 * (spec.validation too), all that pruning touches: the skeleton comes
	 * from the tree itself, and the bytes are written without a copy. */
	const gr_value *versions = gr_get(gr_get(tree, "spec"), "versions");
	bool named = true;
	for (size_t i = 0; versions && versions->type == GR_ARRAY && i < versions->u.a.len; i++)
		named &= gr_get_str(&versions->u.a.items[i], "name") != NULL;
	if (named) {
		int r = gri_crd_strip(&in->trees, tree, never_used, NULL, root);
		blob->skeleton = r > 0;
		if (r > 0)
			return gri_crd_pruned_encode(tree, &blob->data, &blob->len);
		if (r < 0)
			return -1;
	}
	gr_arena scratch;
	gr_arena_init(&scratch);
	int rc = -1;
	gr_value pruned = gri_crd_pruned_copy(&scratch, tree);
	if (pruned.type == GR_NULL && tree->type != GR_NULL)
		goto done;
	int r = gri_crd_strip(&in->trees, &pruned, never_used, NULL, root);
	if (r < 0)
		goto done;
	if (r == 0) {
		*root = gri_value_copy(&in->trees, &pruned);
		rc = root->type == GR_NULL && pruned.type != GR_NULL ? -1 : 0;
		goto done;
	}
	blob->skeleton = true;
	rc = gri_blob_encode(&pruned, &blob->data, &blob->len);
done:
	gr_arena_free(&scratch);
	return rc;
}

/* Move what outlives the trees into a fresh, small arena: each object's
 * header and metadata (a light root; the whole tree for the kinds engines
 * declared), and with results, the findings and per-object results. The
 * decode arena is freed. -1 (nothing changed) when memory ran out. */
static int compact(gr_session *s, input *in, bool results)
{
	gr_arena c;
	gr_arena_init(&c);
	size_t n = in->nobjects;
	/* one compact arena lives per input to the end of the run: size its
	 * first chunk for light objects and findings, not the 64 KiB default */
	gr_arena_expect(&c, n * (sizeof(gr_object) + sizeof(gr_value) + 160) + in->findings.len * 128);
	gr_object *objs = n ? gr_arena_alloc(&c, n * sizeof *objs) : NULL;
	uint64_t *digests = NULL;
	crd_blob *blobs = NULL, *wholes = NULL;
	if (n && !objs)
		goto oom;
	for (size_t k = 0; k < n; k++) {
		const gr_object *o = &in->objects[k];
		gr_value *root = gr_arena_alloc(&c, sizeof *root);
		if (!root)
			goto oom;
		bool whole = o->root && gr_checker_wants_kind(s->checker, o->group, o->kind);
		if (whole && s->prune_crds && is_crd(o)) {
			if (!digests && !(digests = gr_arena_calloc(&c, n, sizeof *digests)))
				goto oom;
			if (!blobs && !(blobs = gr_arena_calloc(&c, n, sizeof *blobs)))
				goto oom;
			/* in an arena of their own: build_set may add to them */
			if (keep_crd(in, o->root, root, &blobs[k]))
				goto oom;
			if (s->whole_crds && !wholes && !(wholes = gr_arena_calloc(&c, n, sizeof *wholes)))
				goto oom;
			if (s->whole_crds && gri_blob_encode(o->root, &wholes[k].data, &wholes[k].len))
				goto oom;
			digests[k] = gri_value_digest(o->root);
		} else {
			*root = whole ? gri_value_copy(&c, o->root) : light_root(&c, o->root);
		}
		gr_object_init(&c, &objs[k], o->root ? root : NULL, in->name, o->document, o->item);
	}
	if (results && n) {
		unsigned char *status = gr_arena_alloc(&c, n);
		const char **skip = gr_arena_alloc(&c, n * sizeof *skip);
		size_t *ne = gr_arena_alloc(&c, n * sizeof *ne);
		const char **ne_reason = gr_arena_alloc(&c, n * sizeof *ne_reason);
		size_t *sup = gr_arena_alloc(&c, n * sizeof *sup);
		if (!status || !skip || !ne || !ne_reason || !sup)
			goto oom;
		memcpy(sup, in->sup, n * sizeof *sup);
		in->sup = sup;
		memcpy(status, in->status, n);
		memcpy(skip, in->skip_reason, n * sizeof *skip);
		memcpy(ne, in->ne, n * sizeof *ne);
		memcpy(ne_reason, in->ne_reason, n * sizeof *ne_reason);
		in->status = status;
		in->skip_reason = skip;
		in->ne = ne;
		in->ne_reason = ne_reason;
	}
	for (size_t i = 0; results && i < in->findings.len; i++) {
		gr_finding *f = &in->findings.items[i];
		f->rule = dup_or(&c, &in->arena, f->rule);
		f->file = in->name;
		f->path = dup_or(&c, &in->arena, f->path);
		f->message = dup_or(&c, &in->arena, f->message);
		f->remediation = dup_or(&c, &in->arena, f->remediation);
		f->doc = dup_or(&c, &in->arena, f->doc);
		f->reason = dup_or(&c, &in->arena, f->reason);
		if (f->object)
			f->object = &objs[f->object - in->objects];
	}
	if (results && in->findings.len && in->findings.len < in->findings.cap) {
		/* the array lives to delivery: no room for more (kept if it cannot shrink) */
		gr_finding *fit = realloc(in->findings.items, in->findings.len * sizeof *fit);
		if (fit) {
			in->findings.items = fit;
			in->findings.cap = in->findings.len;
		}
	}
	gr_arena_free(&in->arena);
	in->arena = c;
	in->findings.arena = &in->arena;
	in->objects = objs;
	in->digests = digests;
	in->blobs = blobs;
	in->wholes = wholes;
	in->light = true;
	return 0;
oom:
	for (size_t k = 0; blobs && k < n; k++)
		free(blobs[k].data);
	for (size_t k = 0; wholes && k < n; k++)
		free(wholes[k].data);
	gr_arena_free(&c);
	return -1;
}

static void check_objects(gr_session *s, input *in, gr_checker *checker, const gr_set *set);

/* An input that waits for the set keeps its trees between the passes: in
 * an arena of their size rather than the decode arena, whose chunks double
 * and end a third empty on average (the decode arena's bytes handed out
 * bound the copy). Inputs with CRDs keep theirs (compact and build_set
 * handle those). -1 (nothing changed) when memory ran out. */
static int tighten(input *in)
{
	size_t n = in->nobjects;
	for (size_t k = 0; k < n; k++)
		if (is_crd(&in->objects[k]))
			return 0;
	gr_arena c;
	gr_arena_init(&c);
	c.first_chunk = in->arena.used + n * (sizeof(gr_object) + sizeof(gr_value)) + 256;
	gr_object *objs = n ? gr_arena_alloc(&c, n * sizeof *objs) : NULL;
	if (n && !objs)
		goto oom;
	for (size_t k = 0; k < n; k++) {
		const gr_object *o = &in->objects[k];
		gr_value *root = NULL;
		if (o->root) {
			if (!(root = gr_arena_alloc(&c, sizeof *root)))
				goto oom;
			*root = gri_value_copy(&c, o->root);
			if (root->type == GR_NULL && o->root->type != GR_NULL)
				goto oom;
		}
		gr_object_init(&c, &objs[k], root, in->name, o->document, o->item);
	}
	gr_arena_free(&in->arena);
	in->arena = c;
	in->objects = objs;
	return 0;
oom:
	gr_arena_free(&c);
	return -1;
}

static void read_and_decode(gr_session *s, input *in)
{
	if (in->kind == IN_FAILED)
		return;
	if (in->kind == IN_FILE) {
		char *data;
		size_t len;
		bool regular;
		gr_error e;
		gr_error_clear(&e);
		if (gri_read_file_regular(in->name, s->opt.limits.max_bytes, &data, &len, &regular, &e)) {
			in->read_failed = true;
			in->read_error = keep_error(&e);
			return;
		}
		in->owned = data;
		in->data = data;
		in->len = len;
		in->once = !regular;
	}
	/* Without its map a finding is reported where it is in the input: the
	 * map failing for memory loses no finding, so it is no error. */
	if (s->opt.helm_source == GR_HELM_SOURCE_ALWAYS ||
	    (s->opt.helm_source == GR_HELM_SOURCE_STREAMS && (in->kind == IN_BYTES || in->once)))
		(void)gr_source_map_build(in->data, in->len, &in->srcmap);
	gr_arena_expect(&in->arena, in->len * 2 + 1024);
	decode_input(in, &s->opt.limits, true);
	/* Judge now what the set cannot change, and keep only the results. */
	for (size_t k = 0; k < in->nobjects && !s->opt.ignore_definitions; k++)
		if (gri_checker_revoking_kind(s->checker, in->objects[k].group, in->objects[k].kind))
			atomic_store(&s->revoked, true);
	bool early = true;
	for (size_t k = 0; k < in->nobjects && early; k++)
		early = !gr_checker_needs_set(s->checker, &in->objects[k]);
	/* every object kept whole: compacting would copy it all, unless pruned */
	bool only_defines = true;
	for (size_t k = 0; k < in->nobjects && only_defines; k++)
		only_defines = gr_checker_wants_kind(s->checker, in->objects[k].group, in->objects[k].kind) &&
		               !(s->prune_crds && is_crd(&in->objects[k]));
	if (early) {
		gr_findings_init(&in->findings, &in->arena);
		check_objects(s, in, s->checker, NULL);
		in->checked = true;
		if (in->kind != IN_VALUE && (only_defines || compact(s, in, true) == 0) && !in->once) {
			free(in->owned); /* every object is judged: the bytes are done with */
			in->owned = NULL;
			in->data = NULL;
		}
		return;
	}
	if (in->kind == IN_VALUE)
		return;
	tighten(in); /* out of memory: the decode arena stays, as it was */
	size_t size = in->arena.reserved;
	size_t before = atomic_fetch_add(&s->retained, size);
	if (before + size > s->opt.max_retained_bytes) {
		atomic_fetch_sub(&s->retained, size);
		if (compact(s, in, false) == 0)
			return; /* the bytes stay: pass 2 decodes them again */
	}
	/* Trees never point into the bytes (decoders copy strings into the arena). */
	if (in->once)
		return; /* cannot be read again, should the input be judged again */
	free(in->owned);
	in->owned = NULL;
	in->data = NULL;
}

/* ---- pass 2: check ---- */

static const char *decode_remediation(gr_error_kind kind)
{
	switch (kind) {
	case GR_ERR_DUPLICATE_KEY:
		return "remove or merge the repeated key: the API server rejects duplicate keys in strict "
		       "decoding";
	case GR_ERR_ALIASES: return "expand fewer aliases: the document refers to its anchors too many times";
	case GR_ERR_DEPTH:
		return "flatten the document: collections are nested deeper than any Kubernetes object needs";
	case GR_ERR_ENCODING: return "save the file as UTF-8 text";
	case GR_ERR_SIZE: return "split the input into smaller files: it is over the size limit";
	case GR_ERR_IO: return "check the path and its permissions";
	case GR_ERR_NOMEM: return "free memory or check fewer files at once, then run again";
	case GR_ERR_OTHER: break;
	}
	return "fix the YAML/JSON syntax at this position (YAML is read as kubectl reads it: YAML 1.1)";
}

static const char *read_remediation(gr_error_kind kind)
{
	if (kind == GR_ERR_SIZE)
		return "split the input into smaller files: it is over the size limit";
	return "check the path and its permissions";
}

static void add_file_finding(input *in, const char *rule, const gr_error *e, unsigned document)
{
	gr_finding *f = gr_findings_add(&in->findings);
	if (!f)
		return;
	f->rule = rule;
	f->severity = GR_SEV_ERROR;
	f->action = GR_ACTION_ENFORCE;
	f->file = in->name;
	f->document = document;
	f->path = "";
	f->line = e->line;
	f->column = e->column;
	f->message = gr_arena_strdup(&in->arena, e->message);
	if (!f->message)
		f->message = "";
	if (strcmp(rule, "read") == 0) {
		f->remediation = read_remediation(e->kind);
		f->doc = "docs/rules/input.md#read";
	} else {
		f->remediation = decode_remediation(e->kind);
		f->doc = "docs/rules/input.md#decode";
	}
}

/* Where an earlier object of the set was defined: "file:line:col". */
static const char *place(gr_arena *a, const gr_object *o)
{
	const gr_value *r = o->root;
	return gr_arena_printf(a, "%s:%u:%u", o->file, r ? r->line : 0, r ? r->column : 0);
}

static void add_conflict_finding(gr_session *s, input *in, const conflict *c)
{
	const gr_object *o = &in->objects[c->object];
	const gr_object *first = gr_set_object(s->set, c->earlier);
	const char *where = first ? place(&in->arena, first) : "an earlier input";
	gr_finding *f =
	        gr_findings_addf(&in->findings, o, "input.conflict", GR_SEV_WARNING, GR_ACTION_WARN, "", NULL,
	                         "defined again with different content: the first definition, at %s, "
	                         "is the one applied",
	                         where ? where : "an earlier input");
	if (f) {
		f->remediation = "keep one definition of the object, or make both the same";
		f->doc = "docs/rules/input.md#conflict";
	}
}

/* Every engine over every object of the input; per-object results in its arena. */
/* Every engine over object o; its results in the input's arrays. */
static void check_object(gr_session *s, input *in, size_t o, gr_checker *checker, const gr_set *set)
{
	gr_check_ctx ctx = {
	        .arena = &in->arena, .set = set, .honour_ignore_annotation = s->opt.honour_ignore_annotation};
	gr_object_status st;
	gr_error e;
	if (gr_checker_check_object(checker, &in->objects[o], &ctx, &in->findings, &st, &e)) {
		if (!in->engine_errors)
			in->engine_error = keep_error(&e);
		in->engine_errors++;
	}
	in->status[o] = (unsigned char)st;
	in->skip_reason[o] = st == GR_OBJECT_SKIPPED ? ctx.skip_reason : NULL;
	in->suppressed += ctx.suppressed - in->sup[o]; /* judged again: replaces its count */
	in->sup[o] = ctx.suppressed;
	/* judged again: its other reasons are replaced too (objects are first
	 * judged in order: only one at or below the highest with other
	 * reasons can have some) */
	if (in->nne_more && o <= in->ne_more_max) {
		size_t keep = 0;
		for (size_t i = 0; i < in->nne_more; i++)
			if (in->ne_more[i].object != o)
				in->ne_more[keep++] = in->ne_more[i];
		in->nne_more = keep;
	}
	in->ne[o] = ctx.nne ? ctx.ne[0].count : ctx.not_evaluated;
	in->ne_reason[o] = ctx.nne ? ctx.ne[0].reason : ctx.not_evaluated_reason;
	if (ctx.nne > 1) {
		ne_more *m = realloc(in->ne_more, (in->nne_more + ctx.nne - 1) * sizeof *m);
		if (!m) { /* the counts would be short: the run fails */
			gr_error oom;
			gr_error_set(&oom, 0, 0, "out of memory");
			if (!in->engine_errors)
				in->engine_error = keep_error(&oom);
			in->engine_errors++;
			return;
		}
		in->ne_more = m;
		for (size_t i = 1; i < ctx.nne; i++)
			m[in->nne_more++] =
			        (ne_more){.object = o, .reason = ctx.ne[i].reason, .count = ctx.ne[i].count};
		if (o > in->ne_more_max)
			in->ne_more_max = o;
	}
}

static void check_objects(gr_session *s, input *in, gr_checker *checker, const gr_set *set)
{
	size_t n = in->nobjects;
	in->suppressed = 0;
	if (n) {
		in->status = gr_arena_calloc(&in->arena, n, 1);
		in->skip_reason = gr_arena_calloc(&in->arena, n, sizeof *in->skip_reason);
		in->ne = gr_arena_calloc(&in->arena, n, sizeof *in->ne);
		in->ne_reason = gr_arena_calloc(&in->arena, n, sizeof *in->ne_reason);
		in->sup = gr_arena_calloc(&in->arena, n, sizeof *in->sup);
		if (!in->status || !in->skip_reason || !in->ne || !in->ne_reason || !in->sup) {
			gr_error e;
			gr_error_set(&e, 0, 0, "out of memory");
			drop_error(in->engine_error);
			in->engine_error = keep_error(&e);
			in->engine_errors++;
			in->nobjects = 0;
			return;
		}
	}
	for (size_t o = 0; o < n; o++)
		check_object(s, in, o, checker, set);
}

/* Judge again, with the set, the objects of an input judged early that
 * the inputs' own policies may concern (in->again_objects): their early
 * findings and results are replaced; the rest stand. */
static void check_again(gr_session *s, input *in)
{
	size_t kept = 0;
	for (size_t i = 0; i < in->findings.len; i++) {
		const gr_object *o = in->findings.items[i].object;
		if (!o || !in->again_objects[o - in->objects])
			in->findings.items[kept++] = in->findings.items[i];
	}
	in->findings.len = kept;
	for (size_t o = 0; o < in->nobjects; o++) {
		if (!in->again_objects[o])
			continue;
		if (in->wholes && in->wholes[o].data) { /* a pruned CRD: its whole tree again */
			gr_value *root = gr_arena_alloc(&in->again_trees, sizeof *root);
			if (!in->again_roots)
				in->again_roots = calloc(in->nobjects, sizeof *in->again_roots);
			if (!root || !in->again_roots ||
			    gri_blob_decode(&in->again_trees, in->wholes[o].data, in->wholes[o].len, root)) {
				gr_error e;
				gr_error_set(&e, 0, 0, "out of memory");
				gr_error_set_file(&e, in->name);
				if (!in->engine_errors)
					in->engine_error = keep_error(&e);
				in->engine_errors++;
				continue;
			}
			in->again_roots[o] = in->objects[o].root;
			in->objects[o].root = root;
		}
		check_object(s, in, o, s->run_checker, s->set);
	}
}

/* The bytes of a light input judged early, to judge it again: the
 * caller's (IN_BYTES) or the file's, read again. -1 when it cannot be read
 * (then reported as a read error). */
static int again_bytes(gr_session *s, input *in)
{
	if (in->kind == IN_BYTES) {
		in->data = in->bytes;
		return 0;
	}
	if (in->data)
		return 0; /* kept: a pipe or a FIFO, read once */
	if (in->kind != IN_FILE)
		return 0;
	char *data;
	size_t len;
	gr_error e;
	gr_error_clear(&e);
	if (gr_read_file(in->name, s->opt.limits.max_bytes, &data, &len, &e)) {
		in->read_failed = true;
		drop_error(in->read_error);
		in->read_error = keep_error(&e);
		gr_findings_init(&in->findings, &in->arena);
		add_file_finding(in, "read", in->read_error, 0);
		return -1;
	}
	free(in->owned);
	in->owned = data;
	in->data = data;
	in->len = len;
	return 0;
}

/* Decoded again, the input holds other objects than in pass 1 (changed on
 * disk): judge what is there, and say so. */
static void decode_changed(input *in, size_t before)
{
	gr_error e;
	gr_error_set(&e, 0, 0, "changed while being checked: %zu objects when first read, %zu now", before,
	             in->nobjects);
	gr_error_set_file(&e, in->name);
	if (!in->engine_errors)
		in->engine_error = keep_error(&e);
	in->engine_errors++;
	in->nconflicts = 0; /* they name objects of the first reading */
}

static void check_input(gr_session *s, input *in)
{
	if (in->read_failed) {
		gr_findings_init(&in->findings, &in->arena);
		add_file_finding(in, "read", in->read_error, 0);
		return;
	}
	if (in->again) { /* the early verdicts are void: judge again, with the set */
		gr_findings_free(&in->findings);
		if (in->light && again_bytes(s, in))
			return;
	}
	if (in->checked && in->again_objects)
		check_again(s, in);
	if (!in->checked) {
		if (in->light) {              /* decoded again: same objects, same order */
			if (in->keep_arena) { /* the set holds trees of the light copy */
				in->kept = in->arena;
				in->keep_arena = false;
			} else {
				gr_arena_free(&in->arena);
			}
			gr_arena_init(&in->arena);
			gr_arena_expect(&in->arena, in->len * 2 + 1024);
			size_t before = in->nobjects;
			decode_input(in, &s->opt.limits, false);
			if (in->nobjects != before) /* a file rewritten during the run */
				decode_changed(in, before);
		}
		gr_findings_init(&in->findings, &in->arena);
		check_objects(s, in, s->run_checker, s->set);
	}
	for (size_t i = 0; i < in->nerrors; i++)
		add_file_finding(in, "decode", &in->errors[i].e, in->errors[i].document);
	for (size_t i = 0; i < in->nconflicts; i++)
		add_conflict_finding(s, in, &in->conflicts[i]);
	gr_findings_sort(in->findings.items, in->findings.len);
}

/* ---- threads ---- */

/* How many heavy inputs come before input i (all of them for i == n). */
static size_t heavy_rank(const gr_session *s, size_t i)
{
	return i < s->n ? s->in[i].heavy_before : s->nheavy;
}

/* Pass 2 may judge at most `window` heavy inputs ahead of the last one
 * delivered, so that the results held in memory stay bounded. The window
 * counts heavy inputs only: the others (judged in pass 1, their results
 * already held) are the caller's to sort, and counting them stalled the
 * workers whenever a run of them lay between two heavy ones (13-20 ms of
 * a corpus run, with the caller blocked on a slow heavy input meanwhile). */
static bool has_room(gr_session *s, size_t i)
{
	return heavy_rank(s, i) < heavy_rank(s, atomic_load(&s->flushed)) + s->window;
}

static bool wait_for_room(gr_session *s, size_t i)
{
	if (has_room(s, i))
		return !atomic_load(&s->stop);
	pthread_mutex_lock(&s->mu);
	atomic_fetch_add(&s->room_waiters, 1);
	/* the caller stores flushed, then reads room_waiters; we did the
	 * reverse: one of the two sees the other's store (sequential
	 * consistency), so the wakeup is never lost */
	while (!atomic_load(&s->stop) && !has_room(s, i))
		pthread_cond_wait(&s->delivered_cv, &s->mu);
	atomic_fetch_sub(&s->room_waiters, 1);
	pthread_mutex_unlock(&s->mu);
	return !atomic_load(&s->stop);
}

/* Pass 2 hands workers only the inputs with judging left to do; the
 * caller sorts the results of those judged in pass 1 itself as it reaches
 * them (waking a worker for that would cost more than the work), and takes
 * any input no worker took yet rather than wait for one. */
static void *worker(void *arg)
{
	gr_session *s = arg;
	int pass = s->pass; /* set before the workers start */
	size_t n = s->n;
	for (;;) {
		size_t i = atomic_fetch_add(&s->next, 1);
		if (i >= n)
			return NULL;
		input *in = &s->in[i];
		if (pass == 1) {
			read_and_decode(s, in);
			continue;
		}
		if (!in->heavy)
			continue;
		if (!wait_for_room(s, i))
			return NULL;
		int expect = 0;
		if (!atomic_compare_exchange_strong(&in->state, &expect, 1))
			continue; /* the caller took it */
		check_input(s, in);
		atomic_store(&in->state, 2);
		if (atomic_load(&s->awaited) == i) { /* the caller sleeps on it */
			pthread_mutex_lock(&s->mu);
			pthread_cond_signal(&s->done_cv);
			pthread_mutex_unlock(&s->mu);
		}
	}
}

/* The caller's turn at input i: checked here unless a worker took it, then
 * waited for. */
static void take_or_await(gr_session *s, size_t i)
{
	input *in = &s->in[i];
	int expect = 0;
	if (atomic_compare_exchange_strong(&in->state, &expect, 1)) {
		check_input(s, in);
		return;
	}
	if (atomic_load(&in->state) == 2)
		return;
	pthread_mutex_lock(&s->mu);
	atomic_store(&s->awaited, i); /* then the state is read again: see wait_for_room */
	while (atomic_load(&in->state) != 2)
		pthread_cond_wait(&s->done_cv, &s->mu);
	atomic_store(&s->awaited, SIZE_MAX);
	pthread_mutex_unlock(&s->mu);
}

/* Input i was delivered (stop: the caller wants no more): wake workers
 * that wait for room in the window, if any. */
static void mark_delivered(gr_session *s, size_t i, bool stop)
{
	if (stop)
		atomic_store(&s->stop, true);
	atomic_store(&s->flushed, i + 1);
	if (atomic_load(&s->room_waiters)) {
		pthread_mutex_lock(&s->mu);
		pthread_cond_broadcast(&s->delivered_cv);
		pthread_mutex_unlock(&s->mu);
	}
}

/* Start nthreads workers on the current pass (none: the caller works). */
static size_t start_workers(gr_session *s, pthread_t *threads, size_t nthreads)
{
	size_t started = 0;
	for (; started < nthreads; started++)
		if (pthread_create(&threads[started], NULL, worker, s))
			break;
	return started;
}

static void join_workers(pthread_t *threads, size_t n)
{
	for (size_t t = 0; t < n; t++)
		pthread_join(threads[t], NULL);
}

/* ---- the set ---- */

/* Which CRD versions a check may look up: those whose (group, version,
 * kind) some object of the inputs has (hashed: a collision keeps a schema
 * that was not needed, never the reverse), and that the CRD registers
 * first in input order, as the schema engine's registry does (crd.c: the
 * first definition of a (group, version, kind) wins; unserved versions
 * are not registered). */
typedef struct claim {
	const char *group, *version, *kind;
	uint64_t owner; /* the first CRD to register it: (input << 32 | object) + 1; 0: free */
} claim;

typedef struct gvk_table {
	uint64_t *slots; /* hashes of the objects' (group, version, kind); 0: empty */
	size_t mask;
	claim *claims; /* open addressing on the same hash */
	size_t cmask;
	gr_arena names; /* the claims' strings: the trees they come from may be replaced */
	bool failed;    /* out of memory copying them */
	uint64_t crd;   /* the CRD being stripped, as claim.owner */
} gvk_table;

static uint64_t gvk_hash(const char *group, const char *version, const char *kind)
{
	uint64_t h = gr_hash_bytes(GR_HASH_SEED, group, strlen(group) + 1);
	h = gr_hash_bytes(h, version, strlen(version) + 1);
	h = gr_hash_bytes(h, kind, strlen(kind));
	return h ? h : 1;
}

static claim *claim_slot(gvk_table *t, const char *group, const char *version, const char *kind)
{
	size_t i = gvk_hash(group, version, kind) & t->cmask;
	for (; t->claims[i].owner; i = (i + 1) & t->cmask)
		if (!strcmp(t->claims[i].group, group) && !strcmp(t->claims[i].version, version) &&
		    !strcmp(t->claims[i].kind, kind))
			break;
	return &t->claims[i];
}

static bool gvk_used(void *user, const char *group, const char *version, const char *kind)
{
	gvk_table *t = user;
	uint64_t h = gvk_hash(group, version, kind);
	bool found = false;
	for (size_t i = h & t->mask; t->slots[i] && !found; i = (i + 1) & t->mask)
		found = t->slots[i] == h;
	return found && claim_slot(t, group, version, kind)->owner == t->crd;
}

/* The versions crd registers (crd.c's add_crd): claimed in t when free. */
static void claim_versions(gvk_table *t, const gr_value *crd, uint64_t owner)
{
	const char *av = gr_get_str(crd, "apiVersion"), *k = gr_get_str(crd, "kind");
	if (!av || !k || strcmp(k, "CustomResourceDefinition") != 0 ||
	    (strcmp(av, "apiextensions.k8s.io/v1") != 0 && strcmp(av, "apiextensions.k8s.io/v1beta1") != 0))
		return;
	const gr_value *spec = gr_get(crd, "spec");
	const char *group = gr_get_str(spec, "group");
	const char *kind = gr_get_str(gr_get(spec, "names"), "kind");
	if (!group || !kind || !*kind)
		return;
	const gr_value *versions = gr_get(spec, "versions");
	size_t nv = versions && versions->type == GR_ARRAY ? versions->u.a.len : 0;
	for (size_t i = 0; i <= nv; i++) {
		const char *name;
		if (i < nv) {
			const gr_value *v = &versions->u.a.items[i];
			const gr_value *served = gr_get(v, "served");
			if (served && served->type == GR_BOOL && !served->u.b)
				continue;
			name = gr_get_str(v, "name");
		} else {
			name = nv ? NULL : gr_get_str(spec, "version");
		}
		if (!name || !*name)
			continue;
		claim *c = claim_slot(t, group, name, kind);
		if (c->owner)
			continue;
		const char *cg = gr_arena_strdup(&t->names, group), *cv = gr_arena_strdup(&t->names, name),
		           *ck = gr_arena_strdup(&t->names, kind);
		if (!cg || !cv || !ck) {
			t->failed = true;
			return;
		}
		*c = (claim){cg, cv, ck, owner};
	}
}

/* Pruned CRD trees lose the schemas of versions no input object uses (a
 * copy replaces the input's trees arena). -1 when memory ran out. */
typedef struct used_crd {
	input *in;
	size_t k;      /* the object */
	uint64_t crd;  /* as claim.owner */
	gr_object obj; /* decoded and stripped: in->objects[k] once every thread is done */
	size_t entry;  /* its set entry: build_set adds every object of every input in order */
} used_crd;

static int by_size_desc(const void *a, const void *b)
{
	const used_crd *x = a, *y = b;
	size_t lx = x->in->blobs[x->k].len, ly = y->in->blobs[y->k].len;
	return lx < ly ? 1 : lx > ly ? -1 : 0;
}

/* The decoding of the used CRDs, from strip_unused_versions (which starts
 * it) to used_finish (which waits for it): the set is built meanwhile. */
typedef struct used_job {
	gvk_table t;
	used_crd *todo;
	size_t ntodo;
	atomic_size_t next;
	atomic_bool failed;
	pthread_t *threads;
	size_t started;
	struct decode_arg *args;
} used_job;

typedef struct decode_arg {
	used_job *job;
	gr_arena *arena;
} decode_arg;

/* Decode the bytes of CRDs from job->todo until none is left, into arena:
 * each tree stays where it is decoded, and its stripped form shares its
 * nodes (the schemas of the versions stripped away stay unused beside it).
 * The object goes to its todo entry: the caller reads in->objects while
 * this runs (building the set). */
static void *decode_some(void *arg)
{
	decode_arg *d = arg;
	used_job *job = d->job;
	gvk_table t = job->t; /* read only but for t.crd, which is this thread's */
	for (;;) {
		size_t j = atomic_fetch_add(&job->next, 1);
		if (j >= job->ntodo || atomic_load(&job->failed))
			return NULL;
		used_crd *u = &job->todo[j];
		const gr_object *o = &u->in->objects[u->k];
		t.crd = u->crd;
		gr_value pruned, *root = gr_arena_alloc(d->arena, sizeof *root);
		const crd_blob *b = &u->in->blobs[u->k];
		int r = root ? gri_blob_decode(d->arena, b->data, b->len, &pruned) : -1;
		if (r == 0)
			r = gri_crd_strip_shared(d->arena, &pruned, gvk_used, &t, root);
		if (r == 0)
			*root = pruned;
		if (r < 0)
			atomic_store(&job->failed, true);
		else
			gr_object_init(d->arena, &u->obj, root, u->in->name, o->document, o->item);
	}
}

/* Decoding the used CRDs (52 of the corpus's 88, 0.9 MB of bytes into
 * 6 MB of trees) is most of what the session does between its passes
 * besides building the set, so fresh threads do it, each into an arena of
 * its own, while the caller builds the set: with glibc a thread started
 * now reuses the malloc arena of a pass-1 worker, whose memory pass 1
 * freed, where the caller's own arena would have to grow (and take a page
 * fault for every page: a third of the time). With one job, or when no
 * thread starts, the caller decodes them all first. */
static void decode_start(gr_session *s, used_job *job)
{
	size_t nthreads = s->opt.jobs > 1 ? s->opt.jobs : 1;
	if (nthreads > job->ntodo)
		nthreads = job->ntodo;
	atomic_init(&job->next, 0);
	atomic_init(&job->failed, false);
	s->used_crds = calloc(nthreads, sizeof *s->used_crds); /* zeroed: empty arenas */
	job->threads = nthreads > 1 ? calloc(nthreads, sizeof *job->threads) : NULL;
	job->args = calloc(nthreads, sizeof *job->args);
	if (!s->used_crds || !job->args) {
		atomic_store(&job->failed, true);
		return;
	}
	s->nused_crds = nthreads;
	for (size_t i = 0; i < nthreads; i++)
		job->args[i] = (decode_arg){job, &s->used_crds[i]};
	for (size_t i = 0; job->threads && i < nthreads; i++) {
		if (pthread_create(&job->threads[i], NULL, decode_some, &job->args[i]) != 0)
			break;
		job->started++;
	}
	if (!job->started)
		decode_some(&job->args[0]);
}

/* The tables and the todo list of the used CRDs, and their decoding
 * started (used_finish ends it). -1 when memory ran out. */
static int strip_unused_versions(gr_session *s, used_job *job)
{
	size_t nobj = 0, ncrd = 0;
	for (size_t i = 0; i < s->n; i++) {
		nobj += s->in[i].nobjects;
		ncrd += s->in[i].digests != NULL;
	}
	if (!ncrd)
		return 0;
	size_t cap = 16;
	while (cap < nobj * 2)
		cap *= 2;
	gvk_table *t = &job->t;
	*t = (gvk_table){.slots = calloc(cap, sizeof *t->slots), .mask = cap - 1};
	gr_arena_init(&t->names);
	/* a CRD claims each of its versions (or spec.version): room for all of
	 * them at half load, not a slot per object (1 MB of fresh pages, each
	 * probe a page fault) */
	size_t nversions = 0;
	for (size_t i = 0; i < s->n; i++)
		for (size_t k = 0; k < s->in[i].nobjects; k++)
			if (s->in[i].objects[k].root && is_crd(&s->in[i].objects[k])) {
				const gr_value *v =
				        gr_get(gr_get(s->in[i].objects[k].root, "spec"), "versions");
				nversions += 1 + (v && v->type == GR_ARRAY ? v->u.a.len : 0);
			}
	size_t ccap = 16;
	while (ccap < nversions * 2)
		ccap *= 2;
	t->claims = calloc(ccap, sizeof *t->claims);
	t->cmask = ccap - 1;
	if (!t->slots || !t->claims)
		return -1;
	for (size_t i = 0; i < s->n; i++)
		for (size_t k = 0; k < s->in[i].nobjects; k++) {
			const gr_object *o = &s->in[i].objects[k];
			uint64_t h = gvk_hash(o->group, o->version, o->kind);
			size_t j = h & t->mask;
			while (t->slots[j] && t->slots[j] != h)
				j = (j + 1) & t->mask;
			t->slots[j] = h;
		}
	for (size_t i = 0; i < s->n; i++) /* in input order, as the set is built */
		for (size_t k = 0; k < s->in[i].nobjects; k++)
			if (s->in[i].objects[k].root && is_crd(&s->in[i].objects[k]))
				claim_versions(t, s->in[i].objects[k].root, ((uint64_t)i << 32 | k) + 1);
	if (t->failed)
		return -1;
	/* the CRDs with a used version: their bytes decoded and stripped on
	 * fresh threads (see decode_start) */
	size_t captodo = 0;
	for (size_t i = 0, base = 0; i < s->n; base += s->in[i].nobjects, i++) {
		input *in = &s->in[i];
		for (size_t k = 0; in->blobs && k < in->nobjects; k++) {
			if (!in->blobs[k].skeleton)
				continue;
			t->crd = ((uint64_t)i << 32 | k) + 1;
			/* no version used: the skeleton is what strip would give */
			if (!gri_crd_uses_any(in->objects[k].root, gvk_used, t))
				continue;
			if (job->ntodo == captodo) {
				size_t nc = captodo ? captodo * 2 : 16;
				used_crd *nv = realloc(job->todo, nc * sizeof *nv);
				if (!nv)
					return -1;
				job->todo = nv;
				captodo = nc;
			}
			job->todo[job->ntodo++] =
			        (used_crd){.in = in, .k = k, .crd = t->crd, .entry = base + k};
		}
	}
	/* largest first, so that no thread is left with a big one at the end */
	if (job->ntodo > 1)
		qsort(job->todo, job->ntodo, sizeof *job->todo, by_size_desc);
	if (job->ntodo)
		decode_start(s, job);
	return 0;
}

/* Wait for the decoding strip_unused_versions started; its objects
 * replace the skeletons in the inputs and, once the set is built, in the
 * set (when it holds their trees). Frees what the
 * job holds and every input's CRD bytes. -1 when memory ran out. */
static int used_finish(gr_session *s, used_job *job, bool set_built)
{
	for (size_t i = 0; i < job->started; i++)
		pthread_join(job->threads[i], NULL);
	int rc = job->ntodo && (!s->nused_crds || atomic_load(&job->failed)) ? -1 : 0;
	for (size_t j = 0; rc == 0 && j < job->ntodo; j++) {
		used_crd *u = &job->todo[j];
		u->in->objects[u->k] = u->obj;
		if (set_built && gr_set_has_tree(s->set, u->entry))
			gri_set_give_tree(s->set, u->entry, &u->obj);
	}
	free(job->threads);
	free(job->args);
	free(job->todo);
	for (size_t i = 0; i < s->n; i++)
		free_blobs(&s->in[i]);
	free(job->t.slots);
	free(job->t.claims);
	gr_arena_free(&job->t.names);
	memset(job, 0, sizeof *job);
	return rc;
}

/* Object k of in (set entry i) is of a listed kind and the set lacks its
 * whole tree: none (kept light), or a pruned CRD's (a policy whose params
 * are CRDs reads them whole, descriptions and every version's schema). */
static bool needs_whole(const gr_session *s, const input *in, size_t k, size_t i, const char *const *listed)
{
	return gri_kind_listed(listed, in->objects[k].group, in->objects[k].kind) &&
	       (!gr_set_has_tree(s->set, i) || (in->digests && in->digests[k]));
}

/*
 * Objects an engine needs whole because of what the set holds (set_kinds:
 * the params of a ValidatingAdmissionPolicy among the inputs), which pass 1
 * kept light (or pruned, a CRD): their inputs are decoded again (from the bytes, or read again
 * as a judged-again input is) and the set gets their trees, which live in
 * s->param_trees to the end. An input that no longer holds the same objects
 * (changed on disk) gives none; the engine then finds the object without a
 * tree and says so. -1: out of memory.
 */
static int give_set_kinds(gr_session *s)
{
	gr_pathlist kinds = {0};
	if (gri_checker_set_kinds(s->checker, s->set, &kinds) < 0) {
		gr_pathlist_free(&kinds);
		return -1;
	}
	const char **listed = kinds.n ? calloc(kinds.n + 1, sizeof *listed) : NULL;
	for (size_t i = 0; listed && i < kinds.n; i++)
		listed[i] = kinds.v[i];
	int rc = kinds.n && !listed ? -1 : 0;
	size_t base = 0;
	for (size_t i = 0; listed && i < s->n && rc == 0; base += s->in[i].nobjects, i++) {
		input *in = &s->in[i];
		bool want = false;
		for (size_t k = 0; k < in->nobjects && !want; k++)
			want = needs_whole(s, in, k, base + k, listed);
		if (!want || in->kind == IN_VALUE || in->read_failed)
			continue;
		input tmp;
		memset(&tmp, 0, sizeof tmp);
		tmp.kind = in->kind;
		tmp.name = in->name;
		tmp.len = in->len;
		tmp.data = in->data ? in->data : in->kind == IN_BYTES ? in->bytes : NULL;
		gr_arena_init(&tmp.arena);
		if (!tmp.data && (in->kind != IN_FILE || again_bytes(s, &tmp) != 0)) {
			free(tmp.owned);
			drop_error(tmp.read_error);
			gr_arena_free(&tmp.arena);
			continue; /* unreadable now: the engine says the params could not be had */
		}
		gr_arena_expect(&tmp.arena, tmp.len * 2 + 1024);
		decode_input(&tmp, &s->opt.limits, false);
		if (tmp.nobjects == in->nobjects) {
			for (size_t k = 0; k < in->nobjects; k++)
				if (needs_whole(s, in, k, base + k, listed))
					gri_set_give_tree(s->set, base + k, &tmp.objects[k]);
		}
		/* the trees stay (the set holds them); the bytes go */
		free(tmp.owned);
		free(tmp.errors);
		gri_arena_adopt(&s->param_trees, &tmp.arena);
	}
	free(listed);
	gr_pathlist_free(&kinds);
	return rc;
}

static int build_set(gr_session *s, gr_error *err)
{
	used_job used = {0};
	if (s->prune_crds && strip_unused_versions(s, &used)) {
		used_finish(s, &used, false);
		return gr_error_set(err, 0, 0, "out of memory");
	}
	s->set = gr_set_new();
	int rc = s->set ? 0 : -1;
	for (size_t i = 0; i < s->n && rc == 0; i++) {
		input *in = &s->in[i];
		for (size_t k = 0; k < in->nobjects && rc == 0; k++) {
			const gr_object *o = &in->objects[k];
			bool keep = !s->opt.ignore_definitions && o->root &&
			            gr_checker_wants_kind(s->checker, o->group, o->kind);
			size_t earlier;
			/* the set borrows the tree: the input's arena stays to the end */
			uint64_t digest = in->digests && in->light ? in->digests[k] : 0;
			if (gri_set_add(s->set, o, keep, true, digest, &earlier) == (size_t)-1) {
				rc = -1;
				break;
			}
			if (keep)
				in->keep_arena = true;
			if (earlier == (size_t)-1)
				continue;
			conflict *nc = realloc(in->conflicts, (in->nconflicts + 1) * sizeof *nc);
			if (!nc) {
				rc = -1;
				break;
			}
			in->conflicts = nc;
			nc[in->nconflicts].object = k;
			nc[in->nconflicts].earlier = earlier;
			in->nconflicts++;
		}
	}
	if (s->set)
		gri_set_mark_lasting(s->set); /* freed after the run checker */
	if (used_finish(s, &used, rc == 0))
		rc = -1;
	if (rc)
		return gr_error_set(err, 0, 0, "out of memory");
	if (give_set_kinds(s))
		return gr_error_set(err, 0, 0, "out of memory");
	if (gri_set_trees(s->set) == 0)
		s->run_checker = gr_checker_ref(s->checker);
	else if (gr_checker_derive(&s->run_checker, s->checker, s->set, err))
		return -1;
	/* Early verdicts the inputs' own policies may change are judged again:
	 * the objects alone when their whole trees are at hand, else the input
	 * decoded anew. */
	for (size_t i = 0; i < s->n && atomic_load(&s->revoked); i++) {
		input *in = &s->in[i];
		for (size_t k = 0; in->checked && k < in->nobjects; k++) {
			const gr_object *o = &in->objects[k];
			if (!gri_checker_needs_again(s->run_checker, o))
				continue;
			bool whole = o->root &&
			             (!in->light || gr_checker_wants_kind(s->checker, o->group, o->kind));
			if (in->digests && in->digests[k]) /* pruned: whole again only from its bytes */
				whole = in->wholes && in->wholes[k].data;
			if (whole && !in->engine_errors && !in->again_objects)
				in->again_objects = calloc(in->nobjects, 1);
			if (whole && !in->engine_errors && in->again_objects) {
				in->again_objects[k] = 1;
				continue;
			}
			in->checked = false; /* the whole input, decoded again */
			in->again = true;
			free(in->again_objects);
			in->again_objects = NULL;
		}
	}
	/* whole CRD trees no engine will judge again */
	for (size_t i = 0; i < s->n; i++) {
		input *in = &s->in[i];
		for (size_t k = 0; in->wholes && k < in->nobjects; k++)
			if (!in->checked || !in->again_objects || !in->again_objects[k]) {
				free(in->wholes[k].data);
				in->wholes[k].data = NULL;
			}
	}
	return 0;
}

/* ---- the summary ---- */

static int count_reason(gr_reason_count **v, size_t *n, const char *reason, size_t count)
{
	if (!reason)
		reason = "no reason given";
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i].reason, reason) == 0) {
			(*v)[i].count += count;
			return 0;
		}
	gr_reason_count *nv = realloc(*v, (*n + 1) * sizeof *nv);
	if (!nv)
		return -1;
	*v = nv;
	nv[*n].reason = reason;
	nv[*n].count = count;
	(*n)++;
	return 0;
}

/* Findings in a document Helm rendered from a template: at the template's
 * file and line, the input's position kept beside them. */
static void map_sources(input *in)
{
	for (size_t i = 0; i < in->findings.len; i++) {
		gr_finding *f = &in->findings.items[i];
		uint32_t line;
		const char *name;
		if (!f->line || f->rendered_file || (f->file && strcmp(f->file, in->name) != 0) ||
		    !(name = gr_source_map_find(&in->srcmap, f->line, &line)))
			continue;
		f->rendered_file = in->name;
		f->rendered_line = f->line;
		f->file = name;
		f->line = line;
	}
}

/* Hand input i to the caller and add it to the summary. */
static int deliver(gr_session *s, input *in, gr_result_fn fn, void *user, gr_summary *sum)
{
	if (in->srcmap.n && !in->read_failed)
		map_sources(in);
	gr_input_result r = {0};
	r.report.file = in->name;
	r.report.objects = in->objects;
	r.report.status = in->status;
	r.report.skip_reasons = in->skip_reason;
	r.report.nobjects = in->read_failed ? 0 : in->nobjects;
	r.report.findings = in->findings.items;
	r.report.nfindings = in->findings.len;
	r.errors = (in->read_failed ? 1 : 0) + (in->nerrors ? 1 : 0) + in->engine_errors;
	if (in->read_failed)
		r.first_error = in->read_error;
	else if (in->nerrors)
		r.first_error = &in->errors[0].e;
	else if (in->engine_errors)
		r.first_error = in->engine_error;
	sum->files++;
	sum->errors += r.errors;
	sum->findings += in->findings.len;
	sum->suppressed += in->suppressed;
	for (size_t o = 0; o < r.report.nobjects; o++) {
		sum->objects++;
		if (in->status[o] == GR_OBJECT_INVALID)
			sum->invalid++;
		else if (in->status[o] == GR_OBJECT_SKIPPED) {
			sum->skipped++;
			count_reason(&s->skipped, &s->nskipped, in->skip_reason[o], 1);
		} else
			sum->valid++;
		if (in->ne[o]) {
			sum->not_evaluated += in->ne[o];
			r.not_evaluated += in->ne[o];
			count_reason(&s->not_evaluated, &s->nnot_evaluated, in->ne_reason[o], in->ne[o]);
		}
	}
	for (size_t i = 0; !in->read_failed && i < in->nne_more; i++) {
		sum->not_evaluated += in->ne_more[i].count;
		r.not_evaluated += in->ne_more[i].count;
		count_reason(&s->not_evaluated, &s->nnot_evaluated, in->ne_more[i].reason,
		             in->ne_more[i].count);
	}
	int stop = fn ? fn(user, &r) : 0;
	input_release(in);
	return stop;
}

int gr_session_run(gr_session *s, gr_result_fn fn, void *user, gr_summary *sum, gr_error *err)
{
	memset(sum, 0, sizeof *sum);
	if (s->pass)
		return gr_error_set(err, 0, 0, "a session runs once");
	size_t nthreads = s->opt.jobs > 1 ? s->opt.jobs : 0;
	if (nthreads > s->n)
		nthreads = s->n;
	if (nthreads < 2)
		nthreads = 0; /* one input: the calling thread, no worker to start and join */
	pthread_t *threads = nthreads ? calloc(nthreads, sizeof *threads) : NULL;
	if (nthreads && !threads)
		return gr_error_set(err, 0, 0, "out of memory");
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->delivered_cv, NULL);
	pthread_cond_init(&s->done_cv, NULL);
	atomic_store(&s->awaited, SIZE_MAX);

	/* pass 1 */
	s->pass = 1;
	atomic_store(&s->next, 0);
	size_t started = start_workers(s, threads, nthreads);
	if (!started)
		worker(s);
	join_workers(threads, started);

	int rc = build_set(s, err);
	if (rc == 0) {
		s->nheavy = 0;
		for (size_t i = 0; i < s->n; i++) {
			input *in = &s->in[i];
			atomic_store(&in->state, 0);
			in->heavy = !in->read_failed && (!in->checked || in->again || in->again_objects);
			in->heavy_before = s->nheavy;
			s->nheavy += in->heavy;
		}
		/* pass 2 */
		s->pass = 2;
		atomic_store(&s->next, 0);
		atomic_store(&s->flushed, 0);
		/* 32 heavy inputs a thread: 8 left workers waiting for the
		 * caller about 5% of a corpus run; memory stays the same (a
		 * heavy input's trees are held from pass 1 until delivered) */
		s->window = (nthreads ? nthreads : 1) * 32;
		started = start_workers(s, threads, nthreads);
		for (size_t i = 0; i < s->n; i++) {
			take_or_await(s, i);
			int stop = deliver(s, &s->in[i], fn, user, sum);
			mark_delivered(s, i, stop);
			if (stop)
				break;
		}
		join_workers(threads, started);
	}
	sum->skipped_reasons = s->skipped;
	sum->nskipped_reasons = s->nskipped;
	sum->not_evaluated_reasons = s->not_evaluated;
	sum->nnot_evaluated_reasons = s->nnot_evaluated;
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->delivered_cv);
	pthread_cond_destroy(&s->done_cv);
	free(threads);
	return rc;
}
