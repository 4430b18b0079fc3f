/*
 * yaml.c — YAML streams to value trees, resolved as Kubernetes resolves them.
 *
 * libyaml gives events with positions; this file builds the tree with an
 * explicit frame stack (no recursion, so depth is bounded by max_depth and
 * not by the C stack) and applies go-yaml v2's YAML 1.1 rules, which is what
 * sigs.k8s.io/yaml and therefore kubectl and the API server use:
 *
 *   - scalars resolve as go-yaml v2's resolve() does, tags included
 *     (yaml_resolve.c has the rules): `1e3` is a string and `1e+3` a number,
 *     an overflowing float (`1e+400`) a string, !!binary its decoded bytes;
 *     quoted and block scalars are strings; timestamps stay strings;
 *   - then what sigs.k8s.io/yaml's YAML-to-JSON step does: integral floats
 *     become integers, .inf and .nan as values are errors (encoding/json
 *     refuses them), map keys become strings ("true", "1", float keys in
 *     float32 'g' form), and a null or over-int64 key is an error;
 *   - duplicate keys are an error (strict decoding), unless the caller's
 *     limits say duplicate_keys_last_wins (go-yaml v2's non-strict
 *     Unmarshal, which kube-linter's loader uses: the later value replaces
 *     the earlier one, at the earlier one's place);
 *   - anchors, aliases and `<<` merge keys: an alias shares the anchored
 *     subtree; a mapping with merge keys is filled in source order as
 *     go-yaml v2 fills a Go map (a later entry wins; in a merged sequence
 *     the earlier map wins), in linear time. Nodes reachable through aliases
 *     are counted, and past max_alias_nodes the document is rejected (no
 *     billion laughs);
 *   - memory: the tree of one piece may not need more than
 *     max_memory_factor (16) bytes per input byte (gri_budget).
 *
 * Input reaches here as UTF-8: gr_decode converts UTF-16 first
 * (gri_transcode), and JSON-looking text goes to the JSON stream reader,
 * falling back to YAML as apimachinery's YAMLOrJSONDecoder does.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "guardrail/decode.h"
#include "internal.h"
#include "yaml/reader.h"

typedef struct anchor {
	char *name; /* malloc'd */
	gr_value value;
	size_t weight;  /* nodes in the expanded subtree */
	unsigned flags; /* SC_* of a scalar */
} anchor;

/* What a scalar was, beyond its value, for when it turns out to be a key. */
enum { SC_MERGE = 1, SC_UINT = 2 };

typedef struct frame {
	int is_map;
	size_t start;  /* offset of first child in the scratch stack */
	gr_value node; /* position (and type) of the collection */
	char *anchor;  /* malloc'd, or NULL */
	size_t weight;
	int have_key;  /* maps: a key is pending */
	gr_member key; /* the pending key */
	int key_is_merge;
	size_t nmerge; /* maps: entries that are merge sources */
} frame;

typedef struct ybuilder {
	gr_arena *arena;
	gr_stack stack; /* children of open collections */
	frame *frames;
	size_t nframes, cap_frames;
	anchor *anchors;
	size_t nanchors, cap_anchors;
	size_t *anchor_slots; /* hash of anchor names -> index in anchors */
	size_t anchor_mask;
	size_t alias_nodes;
	const gr_decode_limits *limits;
	gri_budget budget;
	gr_error *err;
	uint32_t line0; /* lines before the chunk being decoded */
	/* the document being built */
	gr_value root;
	int have_root;
	unsigned doc_index;
	gr_stack *docstack;
} ybuilder;

static int set_err(ybuilder *b, gri_ymark m, const char *fmt, const char *arg)
{
	return gr_error_set(b->err, b->line0 + (uint32_t)m.line + 1, (uint32_t)m.column + 1, fmt, arg);
}

static int out_of_memory(ybuilder *b, gri_ymark m)
{
	return set_err(b, m, "%s", "out of memory");
}

static size_t sat_add(size_t a, size_t b)
{
	return a + b < a ? (size_t)-1 : a + b;
}

/* ---- anchors: a hash from name to its latest definition ---- */

static anchor *find_anchor(ybuilder *b, const char *name, size_t len)
{
	if (!b->anchor_slots)
		return NULL;
	size_t h = (size_t)gri_keyed_hash(name, len) & b->anchor_mask;
	for (; b->anchor_slots[h] != (size_t)-1; h = (h + 1) & b->anchor_mask) {
		const char *an = b->anchors[b->anchor_slots[h]].name;
		if (strncmp(an, name, len) == 0 && an[len] == '\0')
			return &b->anchors[b->anchor_slots[h]];
	}
	return NULL;
}

static int rehash_anchors(ybuilder *b, size_t cap)
{
	size_t *slots = malloc(cap * sizeof *slots);
	if (!slots)
		return -1;
	memset(slots, 0xff, cap * sizeof *slots);
	for (size_t i = 0; i < b->nanchors; i++) {
		size_t h = (size_t)gri_keyed_hash(b->anchors[i].name, strlen(b->anchors[i].name)) & (cap - 1);
		while (slots[h] != (size_t)-1)
			h = (h + 1) & (cap - 1);
		slots[h] = i;
	}
	free(b->anchor_slots);
	b->anchor_slots = slots;
	b->anchor_mask = cap - 1;
	return 0;
}

/* Define (or redefine: a later anchor of the same name shadows) an anchor;
 * takes ownership of name. */
static int add_anchor(ybuilder *b, char *name, const gr_value *v, size_t weight, unsigned flags)
{
	anchor *old = find_anchor(b, name, strlen(name));
	if (old) {
		free(old->name);
		*old = (anchor){name, *v, weight, flags};
		return 0;
	}
	if (b->nanchors == b->cap_anchors) {
		size_t cap = b->cap_anchors ? b->cap_anchors * 2 : 16;
		anchor *na = realloc(b->anchors, cap * sizeof *na);
		if (!na) {
			free(name);
			return -1;
		}
		b->anchors = na;
		b->cap_anchors = cap;
	}
	b->anchors[b->nanchors++] = (anchor){name, *v, weight, flags};
	if (!b->anchor_slots || b->nanchors * 2 > b->anchor_mask + 1) {
		if (rehash_anchors(b, b->anchor_slots ? (b->anchor_mask + 1) * 2 : 64))
			return -1;
		return 0;
	}
	size_t h = (size_t)gri_keyed_hash(name, strlen(name)) & b->anchor_mask;
	while (b->anchor_slots[h] != (size_t)-1)
		h = (h + 1) & b->anchor_mask;
	b->anchor_slots[h] = b->nanchors - 1;
	return 0;
}

static void clear_anchors(ybuilder *b)
{
	for (size_t i = 0; i < b->nanchors; i++)
		free(b->anchors[i].name);
	b->nanchors = 0;
	b->alias_nodes = 0;
	free(b->anchor_slots);
	b->anchor_slots = NULL;
}

/* ---- scalars ---- */

/* A float value as the YAML-to-JSON step leaves it: encoding/json refuses
 * NaN and infinities (kubectl: "json: unsupported value: +Inf"), writes
 * integral values without a fraction, and the JSON decoder then reads those
 * as int64 when they fit. */
static int finish_number(ybuilder *b, gr_value *v, gri_ymark mark)
{
	if (v->type != GR_DOUBLE)
		return 0;
	double d = v->u.d;
	if (!isfinite(d))
		return set_err(b, mark, "%s cannot be converted to JSON (kubectl: json: unsupported value)",
		               isnan(d) ? "NaN (.nan)"
		               : d > 0  ? "+Inf (.inf)"
		                        : "-Inf (-.inf)");
	if (d == floor(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
		uint32_t line = v->line, column = v->column;
		*v = gr_make_int((int64_t)d);
		v->line = line;
		v->column = column;
	}
	return 0;
}

/* Key text for a resolved scalar key, as sigs.k8s.io/yaml converts it. */
static int key_text(ybuilder *b, const gr_value *k, unsigned flags, gr_member *m, gri_ymark mark)
{
	char tmp[64];
	const char *s = NULL;
	size_t n = 0;
	switch ((gr_type)k->type) {
	case GR_STRING: gr_member_set_key(m, k->u.s.ptr, k->u.s.len); return 0;
	case GR_BOOL:
		s = k->u.b ? "true" : "false";
		n = strlen(s);
		break;
	case GR_INT:
		n = (size_t)snprintf(tmp, sizeof tmp, "%lld", (long long)k->u.i);
		s = tmp;
		break;
	case GR_DOUBLE:
		if (flags & SC_UINT)
			return set_err(b, mark, "%s",
			               "map key over 2^63-1 cannot be converted to JSON (kubectl: "
			               "unsupported map key of "
			               "type: uint64)");
		n = gri_format_float32(k->u.d, tmp);
		s = tmp;
		break;
	case GR_NULL:
		return set_err(b, mark, "%s",
		               "null map key cannot be converted to JSON (kubectl: unsupported map key of "
		               "type <nil>)");
	default: return set_err(b, mark, "%s", "mapping key must be a scalar, not a collection");
	}
	char *c = gr_arena_strndup(b->arena, s, n);
	if (!c)
		return out_of_memory(b, mark);
	gr_member_set_key(m, c, n);
	return 0;
}

/* "tag:yaml.org,2002:int" -> "!!int" (go-yaml's shortTag); other tags as they are. */
static const char *short_tag(const char *tag, char *buf, size_t cap)
{
	if (!tag)
		return "";
	const char *t = tag;
	if (strncmp(t, "tag:yaml.org,2002:", 18) == 0) {
		snprintf(buf, cap, "!!%s", t + 18);
		return buf;
	}
	return t;
}

/* A scalar event to a value: quoted and block scalars without a tag are
 * strings; the rest resolve as go-yaml v2 resolves them (yaml_resolve.c).
 * Floats stay raw here (a key needs the exact value); finish_number runs
 * when the scalar turns out to be a value. */
static int scalar_value(ybuilder *b, const gri_yev *ev, gr_value *v, unsigned *flags)
{
	const char *s = ev->value;
	size_t n = ev->len;
	int plain = ev->plain;
	char tagbuf[256];
	const char *tag = short_tag(ev->tag, tagbuf, sizeof tagbuf);
	*flags = 0;
	if (n == 2 && s[0] == '<' && s[1] == '<' && ((plain && !tag[0]) || strcmp(tag, "!!merge") == 0)) {
		*flags = SC_MERGE;
		*v = gr_make_string_ref("<<", 2);
		return 0;
	}
	gri_resolved r = {.kind = GRI_R_STR};
	char msg[200];
	if ((plain || tag[0]) && gri_yaml_resolve(tag, s, n, &r, msg, sizeof msg))
		return set_err(b, ev->mark, "%s", msg);
	switch (r.kind) {
	case GRI_R_NULL: *v = gr_make_null(); return 0;
	case GRI_R_BOOL: *v = gr_make_bool(r.b); return 0;
	case GRI_R_INT: *v = gr_make_int(r.i); return 0;
	case GRI_R_UINT:
		/* JSON digits over int64: the JSON decoder reads them as float64 */
		*v = gr_make_double((double)r.u);
		*flags = SC_UINT;
		return 0;
	case GRI_R_FLOAT: *v = gr_make_double(r.d); return 0;
	case GRI_R_BINARY: {
		const char *bytes;
		size_t len;
		int oom;
		if (gri_decode_binary(b->arena, s, n, &bytes, &len, &oom))
			return oom ? out_of_memory(b, ev->mark)
			           : set_err(b, ev->mark, "%s",
			                     "!!binary value contains invalid base64 data");
		*v = gr_make_string_ref(bytes, len);
		return 0;
	}
	case GRI_R_STR:
	case GRI_R_TIMESTAMP:
	case GRI_R_MERGE: break;
	}
	*v = gr_make_string(b->arena, s, n);
	if (v->type != GR_STRING)
		return out_of_memory(b, ev->mark);
	return 0;
}

/* An untagged plain scalar as the direct path (reader.c) reads it: what
 * scalar_value and, for a value, finish_number make of it. 1 (the direct
 * path gives the document up) for what needs the builder: a key that is
 * not a string (key_text), the merge key, a value JSON cannot hold; and
 * when memory ran out. */
int gri_yaml_plain(gr_arena *a, const char *s, size_t n, int key, gr_value *v)
{
	gri_resolved r = {.kind = GRI_R_STR};
	char msg[8];
	if (n == 2 && s[0] == '<' && s[1] == '<')
		return 1; /* the merge key, which scalar_value knows before resolving */
	if (!gri_plain_is_string(s, n) && gri_yaml_resolve("", s, n, &r, msg, sizeof msg))
		return 1;
	switch (r.kind) {
	case GRI_R_STR:
	case GRI_R_TIMESTAMP: break;
	case GRI_R_NULL:
		if (key)
			return 1;
		*v = gr_make_null();
		return 0;
	case GRI_R_BOOL:
		if (key)
			return 1;
		*v = gr_make_bool(r.b);
		return 0;
	case GRI_R_INT:
		if (key)
			return 1;
		*v = gr_make_int(r.i);
		return 0;
	case GRI_R_UINT: /* over int64: a float64, as finish_number leaves it */
		if (key)
			return 1;
		*v = gr_make_double((double)r.u);
		return 0;
	case GRI_R_FLOAT: {
		double d = r.d;
		if (key || !isfinite(d))
			return 1;
		if (d == floor(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0)
			*v = gr_make_int((int64_t)d);
		else
			*v = gr_make_double(d);
		return 0;
	}
	case GRI_R_MERGE:
	case GRI_R_BINARY: return 1;
	}
	*v = gr_make_string(a, s, n);
	return v->type == GR_STRING ? 0 : 1;
}

/* ---- tree building ---- */

static int frame_push(ybuilder *b, const frame *f)
{
	if (b->nframes == b->cap_frames) {
		size_t cap = b->cap_frames ? b->cap_frames * 2 : 32;
		frame *nf = realloc(b->frames, cap * sizeof *nf);
		if (!nf)
			return -1;
		b->frames = nf;
		b->cap_frames = cap;
	}
	b->frames[b->nframes++] = *f;
	return 0;
}

static int is_merge_source(const gr_value *v)
{
	if (v->type == GR_OBJECT)
		return 1;
	if (v->type != GR_ARRAY)
		return 0;
	for (size_t i = 0; i < v->u.a.len; i++)
		if (v->u.a.items[i].type != GR_OBJECT)
			return 0;
	return 1;
}

/*
 * Attach a finished node to its parent frame, or make it the document root.
 * `weight` counts the nodes it stands for (aliases count what they expand to);
 * `flags` says what the scalar was (SC_*), for a key.
 */
static int attach(ybuilder *b, gr_value *v, size_t weight, gri_ymark mark, unsigned flags)
{
	if (gri_budget_over(&b->budget, b->stack.cap))
		return gri_budget_fail(&b->budget, b->err, b->line0 + (uint32_t)mark.line + 1,
		                       (uint32_t)mark.column + 1);
	frame *f = b->nframes ? &b->frames[b->nframes - 1] : NULL;
	if (f && f->is_map && !f->have_key) {
		memset(&f->key, 0, sizeof f->key);
		f->key.line = v->line;
		f->key.column = v->column;
		f->key_is_merge = (flags & SC_MERGE) != 0;
		if (!f->key_is_merge && key_text(b, v, flags, &f->key, mark))
			return -1;
		f->have_key = 1;
		f->weight = sat_add(f->weight, weight);
		return 0;
	}
	if (finish_number(b, v, mark))
		return -1;
	if (!f) {
		b->root = *v;
		b->have_root = 1;
		return 0;
	}
	f->weight = sat_add(f->weight, weight);
	if (!f->is_map) {
		gr_value *slot = gr_stack_push(&b->stack, sizeof *slot);
		if (!slot)
			return out_of_memory(b, mark);
		*slot = *v;
		return 0;
	}
	gr_member *slot = gr_stack_push(&b->stack, sizeof *slot);
	if (!slot)
		return out_of_memory(b, mark);
	*slot = f->key;
	slot->value = *v;
	if (f->key_is_merge) {
		/* Merge source: mapping, or sequence of mappings. Marked by key == NULL. */
		if (!is_merge_source(v))
			return set_err(b, mark, "%s",
			               "map merge requires map or sequence of maps as the value");
		gr_member_set_key(slot, NULL, 0);
		f->nmerge++;
	}
	f->have_key = 0;
	return 0;
}

static int duplicate_error(ybuilder *b, const gr_member *m, size_t dup, gri_ymark mark)
{
	if (dup == GRI_NO_MEMORY)
		return out_of_memory(b, mark);
	return gr_error_set(b->err, m[dup].line, m[dup].column,
	                    "duplicate key \"%s\" (already set in this mapping)", m[dup].key),
	       gr_error_mark(b->err, GR_ERR_DUPLICATE_KEY);
}

/* Set res[key] = m: overwrite the member with that key, or append. */
static void merge_set(gri_keyset *set, gr_member *res, size_t *k, const gr_member *m)
{
	size_t at = gri_keyset_find(set, m->key, m->key_len);
	if (at != (size_t)-1) {
		res[at] = *m;
		return;
	}
	res[*k] = *m;
	gri_keyset_insert(set, (*k)++);
}

/*
 * A mapping with merge keys, as go-yaml v2 (not strict: kubectl's
 * YAMLToJSONDecoder) fills a map: entries apply in source order, each
 * setting its key, so a later entry wins; a merged sequence applies its maps
 * last to first, so the earlier map wins. Explicit keys repeated among
 * themselves are still an error. Linear: one keyed hash lookup per key.
 */
static int close_merged_map(ybuilder *b, gr_member *m, size_t n, gr_value *out, gri_ymark mark)
{
	size_t nexp = 0, total = 0;
	for (size_t i = 0; i < n; i++) {
		if (m[i].key) {
			nexp++;
			total++;
		} else if (m[i].value.type == GR_OBJECT) {
			total = sat_add(total, m[i].value.u.o.len);
		} else {
			for (size_t j = 0; j < m[i].value.u.a.len; j++)
				total = sat_add(total, m[i].value.u.a.items[j].u.o.len);
		}
	}
	b->alias_nodes = sat_add(b->alias_nodes, total);
	if (b->alias_nodes > b->limits->max_alias_nodes)
		return set_err(b, mark, "%s", "document contains excessive aliasing"),
		       gr_error_mark(b->err, GR_ERR_ALIASES);
	size_t nkeys = n - nexp; /* the << keys, kept after the result (gr_value.merge_keys) */
	if (nkeys > 255)
		nkeys = 255;
	gr_member *res = gr_arena_alloc(b->arena, (total + nkeys ? total + nkeys : 1) * sizeof *res);
	if (!res)
		return out_of_memory(b, mark);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (m[i].key)
			res[k++] = m[i];
	size_t dup = gr_find_duplicate_key(res, k);
	if (dup != (size_t)-1 && (dup == GRI_NO_MEMORY || !b->limits->duplicate_keys_last_wins))
		return duplicate_error(b, res, dup, mark);
	gri_keyset set;
	if (gri_keyset_init(&set, res, total))
		return out_of_memory(b, mark);
	k = 0;
	for (size_t i = 0; i < n; i++) {
		if (m[i].key) {
			merge_set(&set, res, &k, &m[i]);
			continue;
		}
		const gr_value *src = &m[i].value;
		size_t nsrc = src->type == GR_OBJECT ? 1 : src->u.a.len;
		for (size_t s = nsrc; s-- > 0;) {
			const gr_value *map = src->type == GR_OBJECT ? src : &src->u.a.items[s];
			for (size_t j = 0; j < map->u.o.len; j++)
				merge_set(&set, res, &k, &map->u.o.members[j]);
		}
	}
	gri_keyset_free(&set);
	size_t kept = 0;
	for (size_t i = 0; i < n && kept < nkeys; i++)
		if (!m[i].key) {
			res[k + kept] = m[i];
			gr_member_set_key(&res[k + kept], "<<", 2);
			kept++;
		}
	out->u.o.members = res;
	out->u.o.len = k;
	out->merge_keys = (uint8_t)kept;
	return 0;
}

/* Close a mapping: check duplicates, expand merge sources. */
static int close_map(ybuilder *b, frame *f, gr_value *out, gri_ymark mark)
{
	gr_member *m = b->stack.data ? (gr_member *)(void *)(b->stack.data + f->start) : NULL;
	size_t n = (b->stack.len - f->start) / sizeof(gr_member);
	*out = f->node;
	out->type = GR_OBJECT;
	if (f->nmerge)
		return close_merged_map(b, m, n, out, mark);
	size_t dup = gr_find_duplicate_key(m, n);
	if (dup != (size_t)-1 && (dup == GRI_NO_MEMORY || !b->limits->duplicate_keys_last_wins))
		return duplicate_error(b, m, dup, mark);
	if (dup != (size_t)-1) { /* go-yaml v2 non-strict: a repeated key replaces the earlier value */
		gr_member *res = gr_arena_alloc(b->arena, n * sizeof *res);
		gri_keyset set;
		if (!res || gri_keyset_init(&set, res, n))
			return out_of_memory(b, mark);
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			merge_set(&set, res, &k, &m[i]);
		gri_keyset_free(&set);
		out->u.o.members = res;
		out->u.o.len = k;
		return 0;
	}
	gr_member *members = n ? gr_arena_alloc(b->arena, n * sizeof *members) : NULL;
	if (n && !members)
		return out_of_memory(b, mark);
	if (n)
		memcpy(members, m, n * sizeof *members);
	out->u.o.members = members;
	out->u.o.len = n;
	return 0;
}

static int close_seq(ybuilder *b, frame *f, gr_value *out, gri_ymark mark)
{
	size_t bytes = b->stack.len - f->start;
	*out = f->node;
	out->type = GR_ARRAY;
	out->u.a.len = bytes / sizeof(gr_value);
	out->u.a.items = NULL;
	if (bytes) {
		out->u.a.items = gr_arena_alloc(b->arena, bytes);
		if (!out->u.a.items)
			return out_of_memory(b, mark);
		memcpy(out->u.a.items, b->stack.data + f->start, bytes);
	}
	return 0;
}

static char *dup_anchor(const char *a, size_t n)
{
	return a ? strndup(a, n) : NULL;
}

/* ---- one event at a time ---- */

static void set_position(ybuilder *b, gr_value *v, gri_ymark m)
{
	v->line = b->line0 + (uint32_t)m.line + 1;
	v->column = (uint32_t)m.column + 1;
}

static int on_scalar(ybuilder *b, const gri_yev *ev)
{
	gr_value v;
	unsigned flags;
	if (scalar_value(b, ev, &v, &flags))
		return -1;
	set_position(b, &v, ev->mark);
	if (ev->anchor) {
		char *name = dup_anchor(ev->anchor, ev->anchor_len);
		if (!name || add_anchor(b, name, &v, 1, flags))
			return out_of_memory(b, ev->mark);
	}
	return attach(b, &v, 1, ev->mark, flags);
}

static int on_alias(ybuilder *b, const gri_yev *ev)
{
	anchor *an = find_anchor(b, ev->value, ev->len);
	if (!an) {
		char name[128];
		snprintf(name, sizeof name, "%.*s", (int)(ev->len < 100 ? ev->len : 100), ev->value);
		return set_err(b, ev->mark, "unknown anchor '%s' referenced", name);
	}
	b->alias_nodes = sat_add(b->alias_nodes, an->weight);
	if (b->alias_nodes > b->limits->max_alias_nodes)
		return set_err(b, ev->mark, "%s", "document contains excessive aliasing"),
		       gr_error_mark(b->err, GR_ERR_ALIASES);
	/* The node keeps the anchor's tree but reports the alias position. */
	gr_value v = an->value;
	set_position(b, &v, ev->mark);
	return attach(b, &v, an->weight, ev->mark, an->flags & ~(unsigned)SC_MERGE);
}

static int on_collection_start(ybuilder *b, const gri_yev *ev)
{
	if (b->nframes >= b->limits->max_depth)
		return set_err(b, ev->mark, "%s", "document nested too deeply"),
		       gr_error_mark(b->err, GR_ERR_DEPTH);
	if (b->nframes && b->frames[b->nframes - 1].is_map && !b->frames[b->nframes - 1].have_key)
		return set_err(b, ev->mark, "%s", "mapping key must be a scalar, not a collection");
	frame f;
	memset(&f, 0, sizeof f);
	f.is_map = ev->type == GRI_YEV_MAP_START;
	f.start = b->stack.len;
	set_position(b, &f.node, ev->mark);
	f.weight = 1;
	const char *anc = ev->anchor;
	f.anchor = dup_anchor(anc, ev->anchor_len);
	if ((anc && !f.anchor) || frame_push(b, &f)) {
		free(f.anchor);
		return out_of_memory(b, ev->mark);
	}
	return 0;
}

static int on_collection_end(ybuilder *b, const gri_yev *ev)
{
	frame f = b->frames[--b->nframes];
	gr_value v;
	int rc = f.is_map ? close_map(b, &f, &v, ev->mark) : close_seq(b, &f, &v, ev->mark);
	b->stack.len = f.start;
	if (rc == 0 && f.anchor) {
		rc = add_anchor(b, f.anchor, &v, f.weight, 0);
		f.anchor = NULL;
		if (rc)
			out_of_memory(b, ev->mark);
	}
	free(f.anchor);
	return rc ? rc : attach(b, &v, f.weight, ev->mark, 0);
}

static int on_document_end(ybuilder *b, const gri_yev *ev)
{
	if (!b->have_root || b->root.type == GR_NULL)
		return 0;
	gr_document *d = gr_stack_push(b->docstack, sizeof *d);
	if (!d)
		return out_of_memory(b, ev->mark);
	d->root = b->root;
	d->index = b->doc_index;
	return 0;
}

static int on_event(void *ctx, const gri_yev *ev)
{
	ybuilder *b = ctx;
	switch (ev->type) {
	case GRI_YEV_DOC_START:
		b->have_root = 0;
		clear_anchors(b);
		return 0;
	case GRI_YEV_DOC_END: return on_document_end(b, ev);
	case GRI_YEV_SCALAR: return on_scalar(b, ev);
	case GRI_YEV_ALIAS: return on_alias(b, ev);
	case GRI_YEV_SEQ_START:
	case GRI_YEV_MAP_START: return on_collection_start(b, ev);
	case GRI_YEV_SEQ_END:
	case GRI_YEV_MAP_END: return on_collection_end(b, ev);
	}
	return 0;
}

/* A libyaml event in the reader's form; 0 for events the builder ignores. */
int gri_yev_from_libyaml(const struct yaml_event_s *e, gri_yev *ev)
{
	memset(ev, 0, sizeof *ev);
	ev->mark.line = e->start_mark.line;
	ev->mark.column = e->start_mark.column;
	const yaml_char_t *anc = NULL, *tag = NULL;
	switch (e->type) {
	case YAML_DOCUMENT_START_EVENT: ev->type = GRI_YEV_DOC_START; break;
	case YAML_DOCUMENT_END_EVENT: ev->type = GRI_YEV_DOC_END; break;
	case YAML_SCALAR_EVENT:
		ev->type = GRI_YEV_SCALAR;
		ev->value = (const char *)e->data.scalar.value;
		ev->len = e->data.scalar.length;
		ev->plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		ev->style = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE           ? ':'
		            : e->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ? '\''
		            : e->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE ? '"'
		            : e->data.scalar.style == YAML_LITERAL_SCALAR_STYLE       ? '|'
		                                                                      : '>';
		anc = e->data.scalar.anchor;
		tag = e->data.scalar.tag;
		break;
	case YAML_ALIAS_EVENT:
		ev->type = GRI_YEV_ALIAS;
		ev->value = (const char *)e->data.alias.anchor;
		ev->len = strlen(ev->value);
		break;
	case YAML_SEQUENCE_START_EVENT:
		ev->type = GRI_YEV_SEQ_START;
		ev->flow = e->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
		anc = e->data.sequence_start.anchor;
		tag = e->data.sequence_start.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		ev->type = GRI_YEV_MAP_START;
		ev->flow = e->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
		anc = e->data.mapping_start.anchor;
		tag = e->data.mapping_start.tag;
		break;
	case YAML_SEQUENCE_END_EVENT: ev->type = GRI_YEV_SEQ_END; break;
	case YAML_MAPPING_END_EVENT: ev->type = GRI_YEV_MAP_END; break;
	default: return 0;
	}
	if (anc) {
		ev->anchor = (const char *)anc;
		ev->anchor_len = strlen(ev->anchor);
	}
	ev->tag = (const char *)tag;
	return 1;
}

/* ---- errors with positions ---- */

/* Line and column (characters, 1-based) of byte offset off in data. */
static void position_of(const char *data, size_t off, uint32_t line0, uint32_t *line, uint32_t *col)
{
	*line = line0 + 1;
	*col = 1;
	for (size_t q = 0; q < off; q++) {
		if (data[q] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)data[q] & 0xC0) != 0x80) {
			(*col)++;
		}
	}
}

/* libyaml would stop at a NUL; binary input is not YAML. */
static int reject_nul(const char *data, size_t len, uint32_t line0, gr_error *err)
{
	const char *z = memchr(data, '\0', len);
	if (!z)
		return 0;
	uint32_t line, col;
	position_of(data, (size_t)(z - data), line0, &line, &col);
	return gr_error_set(err, line, col, "NUL byte in input (binary file?)"),
	       gr_error_mark(err, GR_ERR_ENCODING);
}

static void report_parse_error(yaml_parser_t *p, const char *data, size_t len, uint32_t line0, gr_error *err)
{
	/* libyaml leaves problem NULL on a memory error; "out of memory" is
	 * the library's one wording, marked GR_ERR_NOMEM by gr_error_set */
	const char *problem = p->error == YAML_MEMORY_ERROR ? "out of memory"
	                      : p->problem                  ? p->problem
	                                                    : "invalid YAML";
	yaml_mark_t m = p->problem_mark;
	if (p->error == YAML_READER_ERROR) {
		/* Reader errors (encoding) carry a byte offset, not a mark. */
		uint32_t line, col;
		position_of(data, p->problem_offset < len ? p->problem_offset : len, line0, &line, &col);
		gr_error_set(err, line, col, "%s", problem);
		if (strstr(problem, "UTF-8")) /* libyaml's decoding problems */
			gr_error_mark(err, GR_ERR_ENCODING);
	} else if (p->context) {
		gr_error_set(err, line0 + (uint32_t)m.line + 1, (uint32_t)m.column + 1, "%s %s", problem,
		             p->context);
	} else {
		gr_error_set(err, line0 + (uint32_t)m.line + 1, (uint32_t)m.column + 1, "%s", problem);
	}
}

static void builder_free(ybuilder *b)
{
	for (size_t i = 0; i < b->nframes; i++)
		free(b->frames[i].anchor);
	free(b->frames);
	clear_anchors(b);
	free(b->anchors);
	gr_stack_free(&b->stack);
}

void gr_decode_limits_default(gr_decode_limits *l)
{
	l->max_depth = 512;
	l->max_alias_nodes = 1000000;
	l->max_bytes = (size_t)256 * 1024 * 1024;
	l->max_memory_factor = 16;
	l->yaml_reader = GR_YAML_READER_DEFAULT;
	l->duplicate_keys_last_wins = false;
}

/* Is the buffer a JSON stream? apimachinery's GuessJSONStream: the first
 * significant byte is '{' (a '[' goes to the YAML reader). */
int gr_looks_like_json(const char *d, size_t n)
{
	size_t i = 0;
	if (n >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	for (; i < n; i++) {
		char c = d[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		return c == '{';
	}
	return 0;
}

/*
 * Decode one chunk (a `---`-separated piece of a stream) whose first line is
 * line0 + 1 of the whole input, appending its documents to docstack with the
 * given index: libyaml events in, one handler per event kind.
 */
static int decode_chunk(gr_arena *a, const char *data, size_t len, uint32_t line0, unsigned doc_index,
                        size_t debt, const gr_decode_limits *limits, gr_stack *docstack, gr_error *err)
{
	if (reject_nul(data, len, line0, err))
		return -1;
	ybuilder b = {.arena = a,
	              .limits = limits,
	              .err = err,
	              .line0 = line0,
	              .doc_index = doc_index,
	              .docstack = docstack};
	gri_budget_init(&b.budget, a, len, limits);
	b.budget.limit = b.budget.limit > debt ? b.budget.limit - debt : 0;
	if (limits->yaml_reader != GR_YAML_READER_LIBYAML) { /* ours is the default */
		if (limits->yaml_reader != GR_YAML_READER_EVENTS) {
			/* the direct path first; what it gives up on, it leaves
			 * no trace of (the arena as it was), and the events
			 * path reads the document from the start */
			gri_arena_mark mark = gri_arena_mark_get(a);
			gr_value root;
			if (gri_yaml_read_tree(data, len, a, &b.budget, limits->max_depth, line0, &root)) {
				gr_document *d = gr_stack_push(docstack, sizeof *d);
				if (!d)
					return gr_error_set(err, 0, 0, "out of memory");
				d->root = root;
				d->index = doc_index;
				return 0;
			}
			gri_arena_rollback(a, &mark);
		}
		gri_yerr yerr;
		int rc = gri_yaml_read(data, len, on_event, &b, &yerr);
		if (rc == -2) {
			gr_error_set(err, line0 + (uint32_t)yerr.mark.line + 1,
			             (uint32_t)yerr.mark.column + 1, "%s", yerr.msg);
			if (yerr.encoding)
				gr_error_mark(err, GR_ERR_ENCODING);
		} else if (rc && !err->message[0]) { /* never an error without a message */
			gr_error_set(err, line0 + 1, 1,
			             "the YAML reader stopped without a reason (a bug: please report it)");
		}
		builder_free(&b);
		return rc ? -1 : 0;
	}
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser))
		return gr_error_set(err, 0, 0, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	int rc = 0;
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			report_parse_error(&parser, data, len, line0, err);
			rc = -1;
			break;
		}
		int end = ev.type == YAML_STREAM_END_EVENT;
		gri_yev gev;
		rc = gri_yev_from_libyaml(&ev, &gev) ? on_event(&b, &gev) : 0;
		yaml_event_delete(&ev);
		if (rc || end)
			break;
	}
	builder_free(&b);
	yaml_parser_delete(&parser);
	return rc;
}

/* Move the decoded documents from the scratch stack into the arena. */
static int finish_docs(gr_arena *a, gr_stack *docstack, int rc, gr_document **docs, size_t *ndocs,
                       gr_error *err)
{
	size_t n = docstack->len / sizeof(gr_document);
	if (n) {
		*docs = gr_arena_alloc(a, docstack->len);
		if (*docs) {
			memcpy(*docs, docstack->data, docstack->len);
			*ndocs = n;
		} else if (rc == 0) {
			rc = gr_error_set(err, 0, 0, "out of memory");
		}
	}
	gr_stack_free(docstack);
	return rc;
}

/*
 * A YAML stream (UTF-8) split at separator lines and decoded piece by piece;
 * line0 lines and index0 documents come before it. The first error is kept
 * in err; later documents are still decoded. *first_failed tells whether the
 * stream's first document was the one that failed.
 */
static int decode_yaml_stream(gr_arena *a, const char *data, size_t len, uint32_t line0, unsigned index0,
                              size_t debt, const gr_decode_limits *limits, gr_stack *docstack, gr_error *err,
                              int *first_failed)
{
	gr_chunk *chunks;
	size_t nchunks;
	if (first_failed)
		*first_failed = 0;
	if (gr_split_yaml(data, len, &chunks, &nchunks))
		return gr_error_set(err, 0, 0, "out of memory");
	int rc = 0;
	gr_error cerr;
	for (size_t i = 0; i < nchunks; i++) {
		gr_error_clear(&cerr);
		if (decode_chunk(a, data + chunks[i].offset, chunks[i].length, line0 + chunks[i].line - 1,
		                 index0 + chunks[i].index, i == 0 ? debt : 0, limits, docstack, &cerr) &&
		    rc == 0) {
			rc = -1;
			if (err)
				*err = cerr;
			if (first_failed && i == 0)
				*first_failed = 1;
		}
	}
	free(chunks);
	return rc;
}

/*
 * A UTF-8 text, JSON or YAML, as apimachinery's YAMLOrJSONDecoder reads it.
 * Text whose first significant byte is '{' is read as a stream of JSON
 * values (concatenated or one per line). When JSON fails before two
 * values were read, the decoder starts over as YAML where the last good
 * value ended (after blanks up to the next newline) — `{a: 1}` is YAML —
 * and the JSON error stands only if that YAML fails too on its first
 * document. Once two values were read, the stream is JSON and its error
 * stands; so does an error that is not one of syntax (see
 * gri_decode_json_stream).
 */
static int decode_text(gr_arena *a, const char *data, size_t len, const gr_decode_limits *limits,
                       gr_stack *docstack, gr_error *err)
{
	if (!gr_looks_like_json(data, len))
		return decode_yaml_stream(a, data, len, 0, 0, 0, limits, docstack, err, NULL);
	gr_error jerr;
	gr_error_clear(&jerr);
	size_t good_end = 0, count = 0, used0 = a->used;
	int fatal = 0;
	if (gri_decode_json_stream(a, data, len, limits, docstack, &good_end, &count, &fatal, &jerr) == 0)
		return 0;
	/* What the JSON attempt took stays in the arena: the YAML reading that
	 * follows has that much less of its budget, so the two together stay
	 * within one budget. */
	size_t json_used = a->used - used0;
	if (count > 1 || fatal) {
		if (err)
			*err = jerr;
		return -1;
	}
	size_t off = good_end;
	while (off < len && (data[off] == ' ' || data[off] == '\t' || data[off] == '\r'))
		off++;
	if (off < len && data[off] == '\n')
		off++;
	uint32_t line, col;
	position_of(data, off, 0, &line, &col);
	gr_error yerr;
	gr_error_clear(&yerr);
	int first_failed;
	if (decode_yaml_stream(a, data + off, len - off, line - 1, (unsigned)count, json_used, limits,
	                       docstack, &yerr, &first_failed) == 0)
		return 0;
	if (err)
		*err = first_failed ? jerr : yerr;
	return -1;
}

int gr_decode_yaml(gr_arena *a, const char *data, size_t len, const gr_decode_limits *limits,
                   gr_document **docs, size_t *ndocs, gr_error *err)
{
	gr_decode_limits def;
	limits = gr_limits_or_default(limits, &def);
	*docs = NULL;
	*ndocs = 0;
	if (gr_check_input_size(len, limits, err) || gri_transcode(a, data, len, &data, &len, err))
		return -1;
	gr_stack docstack = {0};
	int rc = decode_yaml_stream(a, data, len, 0, 0, 0, limits, &docstack, err, NULL);
	return finish_docs(a, &docstack, rc, docs, ndocs, err);
}

int gr_decode_yaml_chunk(gr_arena *a, const char *data, size_t len, const gr_chunk *chunk,
                         const gr_decode_limits *limits, gr_document **docs, size_t *ndocs, gr_error *err)
{
	gr_decode_limits def;
	limits = gr_limits_or_default(limits, &def);
	*docs = NULL;
	*ndocs = 0;
	gr_stack docstack = {0};
	gri_encoding enc = gri_detect_encoding(data, len);
	int rc;
	if (chunk->offset == 0 &&
	    (enc == GRI_ENC_UTF16LE || enc == GRI_ENC_UTF16BE || enc == GRI_ENC_UTF32)) {
		/* gr_split_yaml gave the whole UTF-16 input as one chunk: convert
		 * it and read it as gr_decode would. */
		const char *text;
		size_t tlen;
		rc = gri_transcode(a, data, len, &text, &tlen, err);
		if (rc == 0)
			rc = decode_text(a, text, tlen, limits, &docstack, err);
	} else {
		rc = decode_chunk(a, data + chunk->offset, chunk->length, chunk->line - 1, chunk->index, 0,
		                  limits, &docstack, err);
	}
	return finish_docs(a, &docstack, rc, docs, ndocs, err);
}

int gr_decode(gr_arena *a, const char *data, size_t len, const gr_decode_limits *limits, gr_document **docs,
              size_t *ndocs, gr_error *err)
{
	gr_decode_limits def;
	limits = gr_limits_or_default(limits, &def);
	*docs = NULL;
	*ndocs = 0;
	if (gr_check_input_size(len, limits, err) || gri_transcode(a, data, len, &data, &len, err))
		return -1;
	gr_stack docstack = {0};
	int rc = decode_text(a, data, len, limits, &docstack, err);
	return finish_docs(a, &docstack, rc, docs, ndocs, err);
}
