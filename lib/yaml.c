/*
 * yaml.c — YAML streams to value trees, resolved as Kubernetes resolves them.
 *
 * libyaml gives events with positions; this file builds the tree with an
 * explicit frame stack (no recursion, so depth is bounded by max_depth and
 * not by the C stack) and applies go-yaml v2's YAML 1.1 rules, which is what
 * sigs.k8s.io/yaml and therefore kubectl and the API server use:
 *
 *   - plain scalars: null (~, null, empty), booleans (y/n, yes/no, on/off,
 *     true/false in three casings), integers (decimal, 0x hex, 0 octal, 0o,
 *     0b, with '_' separators), floats (incl. .inf/.nan); integral floats
 *     become integers, as the YAML-to-JSON step does; quoted scalars are
 *     always strings; timestamps stay strings;
 *   - map keys are strings; a bool or number key becomes its JSON text
 *     ("true", "1"), so `on:` is the key "true", exactly as Kubernetes sees it;
 *   - duplicate keys are an error (strict decoding);
 *   - anchors, aliases and `<<` merge keys: an alias shares the anchored
 *     subtree; explicit keys win over merged ones and earlier merge sources
 *     over later ones. Nodes reachable through aliases are counted, and past
 *     max_alias_nodes the document is rejected (no billion laughs).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "guardrail/decode.h"
#include "internal.h"

typedef struct anchor {
	char *name; /* malloc'd */
	gr_value value;
	size_t weight; /* nodes in the expanded subtree */
} anchor;

typedef struct frame {
	int is_map;
	size_t start;   /* offset of first child in the scratch stack */
	gr_value node;  /* position (and type) of the collection */
	char *anchor;   /* malloc'd, or NULL */
	size_t weight;
	int have_key;   /* maps: a key is pending */
	gr_member key;  /* the pending key */
	int key_is_merge;
	size_t nmerge;  /* maps: entries that are merge sources */
} frame;

typedef struct ybuilder {
	gr_arena *arena;
	gr_stack stack; /* children of open collections */
	frame *frames;
	size_t nframes, cap_frames;
	anchor *anchors;
	size_t nanchors, cap_anchors;
	size_t alias_nodes;
	const gr_decode_limits *limits;
	gr_error *err;
	uint32_t line0; /* lines before the chunk being decoded */
} ybuilder;

static int set_err(ybuilder *b, yaml_mark_t m, const char *fmt, const char *arg)
{
	return gr_error_set(b->err, b->line0 + (uint32_t)m.line + 1, (uint32_t)m.column + 1, fmt, arg);
}

/* ---- scalar resolution (go-yaml v2 resolve.go semantics) ---- */

static int in_list(const char *s, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == n && memcmp(*list, s, n) == 0)
			return 1;
	return 0;
}

static const char *const true_words[] = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", NULL};
static const char *const false_words[] = {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", NULL};
static const char *const null_words[] = {"", "~", "null", "Null", "NULL", NULL};

/* Integer in Go's strconv.ParseInt(s, 0, 64) syntax after '_' removal. */
static int parse_go_int(const char *s, int64_t *out, int *overflow)
{
	const char *p = s;
	int neg = 0;
	*overflow = 0;
	if (*p == '+' || *p == '-') {
		neg = *p == '-';
		p++;
	}
	int base = 10;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O')) {
		base = 8;
		p += 2;
	} else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
		base = 2;
		p += 2;
	} else if (p[0] == '0' && p[1]) {
		base = 8;
		p += 1;
	}
	if (!*p)
		return -1;
	uint64_t v = 0;
	for (; *p; p++) {
		int d;
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			return -1;
		if (d >= base)
			return -1;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			*overflow = 1;
		else
			v = v * (uint64_t)base + (uint64_t)d;
	}
	if (*overflow)
		return 0;
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1) {
			*overflow = 1;
			return 0;
		}
		*out = (int64_t)(0 - v);
	} else {
		if (v > (uint64_t)INT64_MAX) {
			*overflow = 1;
			return 0;
		}
		*out = (int64_t)v;
	}
	return 0;
}

/* go-yaml's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static int is_yaml_float(const char *s)
{
	const char *p = s;
	if (*p == '+' || *p == '-')
		p++;
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	} else {
		if (!(*p >= '0' && *p <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p == '.') {
			p++;
			while (*p >= '0' && *p <= '9')
				p++;
		}
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

static gr_value number_value(double d)
{
	/* The YAML-to-JSON step writes integral floats without a fraction, and
	 * JSON decoding then reads them as int64. */
	if (isfinite(d) && d == floor(d) && fabs(d) < 9.2e18)
		return gr_make_int((int64_t)d);
	return gr_make_double(d);
}

/* Resolve a plain scalar; strings are referenced, not copied (caller copies). */
static gr_value resolve_plain(const char *s, size_t n, int *is_string)
{
	*is_string = 0;
	/* Most scalars are names, images and paths: settle them before the word
	 * lists. Every YAML 1.1 keyword is at most 5 bytes long and starts with
	 * one of these characters; numbers start with a digit, a sign or '.'. */
	char c0 = n ? s[0] : '\0';
	if (n > 5 && !(c0 == '+' || c0 == '-' || c0 == '.' || (c0 >= '0' && c0 <= '9'))) {
		*is_string = 1;
		return gr_make_string_ref(s, n);
	}
	if (n && !strchr("~yYnNtTfFoO+-.0123456789", c0)) {
		*is_string = 1;
		return gr_make_string_ref(s, n);
	}
	if (in_list(s, n, null_words))
		return gr_make_null();
	if (in_list(s, n, true_words))
		return gr_make_bool(true);
	if (in_list(s, n, false_words))
		return gr_make_bool(false);
	if (n >= 4 && n <= 5) {
		static const char *const nan_w[] = {".nan", ".NaN", ".NAN", NULL};
		static const char *const inf_w[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL};
		static const char *const ninf_w[] = {"-.inf", "-.Inf", "-.INF", NULL};
		if (in_list(s, n, nan_w))
			return gr_make_double(NAN);
		if (in_list(s, n, inf_w))
			return gr_make_double(INFINITY);
		if (in_list(s, n, ninf_w))
			return gr_make_double(-INFINITY);
	}
	char c = s[0];
	if (n > 0 && n < 128 && (c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'))) {
		char plain[128];
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (s[i] != '_')
				plain[k++] = s[i];
		plain[k] = '\0';
		int64_t iv;
		int overflow;
		if (k && parse_go_int(plain, &iv, &overflow) == 0) {
			if (!overflow)
				return gr_make_int(iv);
			/* Too large for int64: go-yaml tries uint64, then float. */
			return gr_make_double(strtod(plain, NULL));
		}
		if (is_yaml_float(plain))
			return number_value(strtod(plain, NULL));
	}
	*is_string = 1;
	return gr_make_string_ref(s, n);
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

static int add_anchor(ybuilder *b, char *name, const gr_value *v, size_t weight)
{
	/* A later anchor of the same name shadows the earlier one. */
	for (size_t i = 0; i < b->nanchors; i++)
		if (strcmp(b->anchors[i].name, name) == 0) {
			free(b->anchors[i].name);
			b->anchors[i].name = name;
			b->anchors[i].value = *v;
			b->anchors[i].weight = weight;
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
	b->anchors[b->nanchors++] = (anchor){name, *v, weight};
	return 0;
}

static void clear_anchors(ybuilder *b)
{
	for (size_t i = 0; i < b->nanchors; i++)
		free(b->anchors[i].name);
	b->nanchors = 0;
	b->alias_nodes = 0;
}

static size_t sat_add(size_t a, size_t b) { return a + b < a ? (size_t)-1 : a + b; }

/* Key text for a resolved scalar key, as sigs.k8s.io/yaml converts it. */
static int key_text(ybuilder *b, const gr_value *k, gr_member *m, yaml_mark_t mark)
{
	char tmp[64];
	const char *s = NULL;
	size_t n = 0;
	switch ((gr_type)k->type) {
	case GR_STRING:
		gr_member_set_key(m, k->u.s.ptr, k->u.s.len);
		return 0;
	case GR_BOOL: s = k->u.b ? "true" : "false"; n = strlen(s); break;
	case GR_INT: n = (size_t)snprintf(tmp, sizeof tmp, "%lld", (long long)k->u.i); s = tmp; break;
	case GR_DOUBLE: n = (size_t)snprintf(tmp, sizeof tmp, "%g", k->u.d); s = tmp; break;
	case GR_NULL: s = "null"; n = 4; break;
	default:
		return set_err(b, mark, "%s", "mapping key must be a scalar, not a collection");
	}
	char *c = gr_arena_strndup(b->arena, s, n);
	if (!c)
		return set_err(b, mark, "%s", "out of memory");
	gr_member_set_key(m, c, n);
	return 0;
}

/*
 * Attach a finished node to its parent frame, or make it the document root.
 * `weight` counts the nodes it stands for (aliases count what they expand to).
 */
static int attach(ybuilder *b, const gr_value *v, size_t weight, yaml_mark_t mark, int plain_merge_key,
		  gr_value *root, int *have_root)
{
	if (b->nframes == 0) {
		*root = *v;
		*have_root = 1;
		return 0;
	}
	frame *f = &b->frames[b->nframes - 1];
	f->weight = sat_add(f->weight, weight);
	if (!f->is_map) {
		gr_value *slot = gr_stack_push(&b->stack, sizeof *slot);
		if (!slot)
			return set_err(b, mark, "%s", "out of memory");
		*slot = *v;
		return 0;
	}
	if (!f->have_key) {
		memset(&f->key, 0, sizeof f->key);
		f->key.line = v->line;
		f->key.column = v->column;
		f->key_is_merge = plain_merge_key;
		if (!plain_merge_key && key_text(b, v, &f->key, mark))
			return -1;
		f->have_key = 1;
		return 0;
	}
	gr_member *slot = gr_stack_push(&b->stack, sizeof *slot);
	if (!slot)
		return set_err(b, mark, "%s", "out of memory");
	*slot = f->key;
	slot->value = *v;
	if (f->key_is_merge) {
		/* Merge source: mapping, or sequence of mappings. Marked by key == NULL. */
		if (v->type == GR_ARRAY) {
			for (size_t i = 0; i < v->u.a.len; i++)
				if (v->u.a.items[i].type != GR_OBJECT)
					return set_err(b, mark, "%s",
						       "map merge requires map or sequence of maps as the value");
		} else if (v->type != GR_OBJECT) {
			return set_err(b, mark, "%s", "map merge requires map or sequence of maps as the value");
		}
		gr_member_set_key(slot, NULL, 0);
		f->nmerge++;
	}
	f->have_key = 0;
	return 0;
}

static int has_key(const gr_member *m, size_t n, const gr_member *k)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].key && m[i].key_len == k->key_len && memcmp(m[i].key, k->key, k->key_len) == 0)
			return 1;
	return 0;
}

/* Close a mapping: check duplicates, expand merge sources. */
static int close_map(ybuilder *b, frame *f, gr_value *out, yaml_mark_t mark)
{
	gr_member *m = b->stack.data ? (gr_member *)(void *)(b->stack.data + f->start) : NULL;
	size_t n = (b->stack.len - f->start) / sizeof(gr_member);
	*out = f->node;
	out->type = GR_OBJECT;
	if (f->nmerge == 0) {
		size_t dup = gr_find_duplicate_key(m, n);
		if (dup != (size_t)-1)
			return gr_error_set(b->err, m[dup].line, m[dup].column,
					    "duplicate key \"%s\" (already set in this mapping)", m[dup].key),
		       gr_error_mark(b->err, GR_ERR_DUPLICATE_KEY);
		gr_member *members = n ? gr_arena_alloc(b->arena, n * sizeof *members) : NULL;
		if (n && !members)
			return set_err(b, mark, "%s", "out of memory");
		if (n)
			memcpy(members, m, n * sizeof *members);
		out->u.o.members = members;
		out->u.o.len = n;
		return 0;
	}
	/* Explicit keys first (duplicates among them are errors), then merged keys
	 * not already present, in source order of the merge sources. */
	size_t nexp = 0, total = 0;
	for (size_t i = 0; i < n; i++) {
		if (m[i].key) {
			nexp++;
			total++;
		} else if (m[i].value.type == GR_OBJECT) {
			total += m[i].value.u.o.len;
		} else {
			for (size_t j = 0; j < m[i].value.u.a.len; j++)
				total += m[i].value.u.a.items[j].u.o.len;
		}
	}
	if (total > 1000000)
		return set_err(b, mark, "%s", "map merge too large"), gr_error_mark(b->err, GR_ERR_ALIASES);
	b->alias_nodes = sat_add(b->alias_nodes, total);
	if (b->alias_nodes > b->limits->max_alias_nodes)
		return set_err(b, mark, "%s", "document contains excessive aliasing"), gr_error_mark(b->err, GR_ERR_ALIASES);
	gr_member *res = gr_arena_alloc(b->arena, (total ? total : 1) * sizeof *res);
	if (!res)
		return set_err(b, mark, "%s", "out of memory");
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (m[i].key)
			res[k++] = m[i];
	size_t dup = gr_find_duplicate_key(res, k);
	if (dup != (size_t)-1)
		return gr_error_set(b->err, res[dup].line, res[dup].column,
				    "duplicate key \"%s\" (already set in this mapping)", res[dup].key),
		       gr_error_mark(b->err, GR_ERR_DUPLICATE_KEY);
	for (size_t i = 0; i < n; i++) {
		if (m[i].key)
			continue;
		const gr_value *src = &m[i].value;
		size_t nsrc = src->type == GR_OBJECT ? 1 : src->u.a.len;
		for (size_t s = 0; s < nsrc; s++) {
			const gr_value *map = src->type == GR_OBJECT ? src : &src->u.a.items[s];
			for (size_t j = 0; j < map->u.o.len; j++)
				if (!has_key(res, k, &map->u.o.members[j]))
					res[k++] = map->u.o.members[j];
		}
	}
	out->u.o.members = res;
	out->u.o.len = k;
	return 0;
}

static int close_seq(ybuilder *b, frame *f, gr_value *out, yaml_mark_t mark)
{
	size_t bytes = b->stack.len - f->start;
	*out = f->node;
	out->type = GR_ARRAY;
	out->u.a.len = bytes / sizeof(gr_value);
	out->u.a.items = NULL;
	if (bytes) {
		out->u.a.items = gr_arena_alloc(b->arena, bytes);
		if (!out->u.a.items)
			return set_err(b, mark, "%s", "out of memory");
		memcpy(out->u.a.items, b->stack.data + f->start, bytes);
	}
	return 0;
}

static char *dup_anchor(const yaml_char_t *a) { return a ? strdup((const char *)a) : NULL; }

static int tag_is(const yaml_char_t *tag, const char *name)
{
	if (!tag)
		return 0;
	const char *t = (const char *)tag;
	if (strncmp(t, "tag:yaml.org,2002:", 18) == 0)
		return strcmp(t + 18, name) == 0;
	return 0;
}

static int scalar_value(ybuilder *b, yaml_event_t *ev, gr_value *v, int *plain_merge)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	const yaml_char_t *tag = ev->data.scalar.tag;
	int is_plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	*plain_merge = 0;
	if (tag_is(tag, "str") || (tag && strcmp((const char *)tag, "!") == 0) || (!is_plain && !tag) ||
	    tag_is(tag, "binary") || tag_is(tag, "timestamp")) {
		*v = gr_make_string(b->arena, s, n);
		if (v->type != GR_STRING)
			return set_err(b, ev->start_mark, "%s", "out of memory");
		return 0;
	}
	if (is_plain && !tag && n == 2 && s[0] == '<' && s[1] == '<') {
		*plain_merge = 1;
		*v = gr_make_string_ref("<<", 2);
		return 0;
	}
	int is_string;
	*v = resolve_plain(s, n, &is_string);
	if (tag_is(tag, "int") && v->type != GR_INT)
		return set_err(b, ev->start_mark, "cannot decode %s as an integer", s);
	if (tag_is(tag, "float") && !gr_is_number(v))
		return set_err(b, ev->start_mark, "cannot decode %s as a float", s);
	if (tag_is(tag, "bool") && v->type != GR_BOOL)
		return set_err(b, ev->start_mark, "cannot decode %s as a boolean", s);
	if (tag_is(tag, "null") && v->type != GR_NULL)
		return set_err(b, ev->start_mark, "cannot decode %s as null", s);
	if (is_string) {
		*v = gr_make_string(b->arena, s, n);
		if (v->type != GR_STRING)
			return set_err(b, ev->start_mark, "%s", "out of memory");
	}
	return 0;
}

static const char *problem_text(yaml_parser_t *p)
{
	if (p->error == YAML_MEMORY_ERROR) /* libyaml leaves problem NULL; see gr_error_set */
		return "out of memory";
	return p->problem ? p->problem : "invalid YAML";
}

void gr_decode_limits_default(gr_decode_limits *l)
{
	l->max_depth = 512;
	l->max_alias_nodes = 1000000;
	l->max_bytes = (size_t)256 * 1024 * 1024;
}

/* Is the buffer a JSON text (first significant byte '{' or '[')? */
int gr_looks_like_json(const char *d, size_t n)
{
	size_t i = 0;
	if (n >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	for (; i < n; i++) {
		char c = d[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		return c == '{' || c == '[';
	}
	return 0;
}

/*
 * Decode one chunk (a `---`-separated piece of a stream) whose first line is
 * line0 + 1 of the whole input, appending its documents to docstack with the
 * given index.
 */
static int decode_chunk(gr_arena *a, const char *data, size_t len, uint32_t line0, unsigned doc_index,
			const gr_decode_limits *limits, gr_stack *docstack, gr_error *err)
{
	if (memchr(data, '\0', len)) {
		/* libyaml would stop at a NUL; binary input is not YAML. */
		const char *z = memchr(data, '\0', len);
		uint32_t line = line0 + 1, col = 1;
		for (const char *q = data; q < z; q++) {
			if (*q == '\n') {
				line++;
				col = 1;
			} else if (((unsigned char)*q & 0xC0) != 0x80) {
				col++;
			}
		}
		return gr_error_set(err, line, col, "NUL byte in input (binary file?)"), gr_error_mark(err, GR_ERR_ENCODING);
	}

	ybuilder b = {.arena = a, .limits = limits, .err = err, .line0 = line0};
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser))
		return gr_error_set(err, 0, 0, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);

	int rc = 0, done = 0, in_doc = 0;
	gr_value root;
	int have_root = 0;
	while (!done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			yaml_mark_t m = parser.problem_mark;
			if (parser.error == YAML_READER_ERROR) {
				/* Reader errors (encoding) carry a byte offset, not a mark. */
				uint32_t line = line0 + 1, col = 1;
				size_t off = parser.problem_offset < len ? parser.problem_offset : len;
				for (size_t q = 0; q < off; q++) {
					if (data[q] == '\n') {
						line++;
						col = 1;
					} else if (((unsigned char)data[q] & 0xC0) != 0x80) {
						col++;
					}
				}
				gr_error_set(err, line, col, "%s", problem_text(&parser));
				if (strstr(problem_text(&parser), "UTF-8")) /* libyaml's decoding problems */
					gr_error_mark(err, GR_ERR_ENCODING);
			} else if (parser.context)
				gr_error_set(err, line0 + (uint32_t)m.line + 1, (uint32_t)m.column + 1, "%s %s", problem_text(&parser),
					     parser.context);
			else
				gr_error_set(err, line0 + (uint32_t)m.line + 1, (uint32_t)m.column + 1, "%s", problem_text(&parser));
			rc = -1;
			break;
		}
		gr_value v;
		int plain_merge = 0;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT: done = 1; break;
		case YAML_DOCUMENT_START_EVENT:
			in_doc = 1;
			have_root = 0;
			clear_anchors(&b);
			break;
		case YAML_DOCUMENT_END_EVENT:
			if (have_root && root.type != GR_NULL) {
				gr_document *d = gr_stack_push(docstack, sizeof *d);
				if (!d) {
					rc = set_err(&b, ev.start_mark, "%s", "out of memory");
					break;
				}
				d->root = root;
				d->index = doc_index;
			}
			in_doc = 0;
			break;
		case YAML_SCALAR_EVENT:
			if (scalar_value(&b, &ev, &v, &plain_merge)) {
				rc = -1;
				break;
			}
			v.line = b.line0 + (uint32_t)ev.start_mark.line + 1;
			v.column = (uint32_t)ev.start_mark.column + 1;
			if (ev.data.scalar.anchor) {
				char *name = dup_anchor(ev.data.scalar.anchor);
				if (!name || add_anchor(&b, name, &v, 1)) {
					rc = set_err(&b, ev.start_mark, "%s", "out of memory");
					break;
				}
			}
			rc = attach(&b, &v, 1, ev.start_mark, plain_merge, &root, &have_root);
			break;
		case YAML_ALIAS_EVENT: {
			const char *name = (const char *)ev.data.alias.anchor;
			anchor *an = NULL;
			for (size_t i = 0; i < b.nanchors; i++)
				if (strcmp(b.anchors[i].name, name) == 0)
					an = &b.anchors[i];
			if (!an) {
				rc = set_err(&b, ev.start_mark, "unknown anchor '%s' referenced", name);
				break;
			}
			b.alias_nodes = sat_add(b.alias_nodes, an->weight);
			if (b.alias_nodes > limits->max_alias_nodes) {
				rc = set_err(&b, ev.start_mark, "%s", "document contains excessive aliasing");
				gr_error_mark(err, GR_ERR_ALIASES);
				break;
			}
			/* The node keeps the anchor's tree but reports the alias position. */
			v = an->value;
			v.line = b.line0 + (uint32_t)ev.start_mark.line + 1;
			v.column = (uint32_t)ev.start_mark.column + 1;
			rc = attach(&b, &v, an->weight, ev.start_mark, 0, &root, &have_root);
			break;
		}
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			if (b.nframes >= limits->max_depth) {
				rc = set_err(&b, ev.start_mark, "%s", "document nested too deeply");
				gr_error_mark(err, GR_ERR_DEPTH);
				break;
			}
			if (b.nframes && b.frames[b.nframes - 1].is_map && !b.frames[b.nframes - 1].have_key) {
				rc = set_err(&b, ev.start_mark, "%s",
					     "mapping key must be a scalar, not a collection");
				break;
			}
			frame f;
			memset(&f, 0, sizeof f);
			f.is_map = ev.type == YAML_MAPPING_START_EVENT;
			f.start = b.stack.len;
			f.node.line = b.line0 + (uint32_t)ev.start_mark.line + 1;
			f.node.column = (uint32_t)ev.start_mark.column + 1;
			f.weight = 1;
			const yaml_char_t *anc = f.is_map ? ev.data.mapping_start.anchor : ev.data.sequence_start.anchor;
			f.anchor = dup_anchor(anc);
			if ((anc && !f.anchor) || frame_push(&b, &f)) {
				free(f.anchor);
				rc = set_err(&b, ev.start_mark, "%s", "out of memory");
			}
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT: {
			frame f = b.frames[--b.nframes];
			rc = f.is_map ? close_map(&b, &f, &v, ev.start_mark) : close_seq(&b, &f, &v, ev.start_mark);
			b.stack.len = f.start;
			if (rc == 0 && f.anchor) {
				rc = add_anchor(&b, f.anchor, &v, f.weight);
				f.anchor = NULL;
				if (rc)
					set_err(&b, ev.start_mark, "%s", "out of memory");
			}
			free(f.anchor);
			if (rc == 0)
				rc = attach(&b, &v, f.weight, ev.start_mark, 0, &root, &have_root);
			break;
		}
		default: break;
		}
		yaml_event_delete(&ev);
		if (rc)
			break;
	}
	(void)in_doc;
	for (size_t i = 0; i < b.nframes; i++)
		free(b.frames[i].anchor);
	free(b.frames);
	clear_anchors(&b);
	free(b.anchors);
	gr_stack_free(&b.stack);
	yaml_parser_delete(&parser);

	return rc;
}

/* Move the decoded documents from the scratch stack into the arena. */
static int finish_docs(gr_arena *a, gr_stack *docstack, int rc, gr_document **docs, size_t *ndocs, gr_error *err)
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

int gr_decode_yaml(gr_arena *a, const char *data, size_t len, const gr_decode_limits *limits,
		   gr_document **docs, size_t *ndocs, gr_error *err)
{
	gr_decode_limits def;
	limits = gr_limits_or_default(limits, &def);
	*docs = NULL;
	*ndocs = 0;
	if (gr_check_input_size(len, limits, err))
		return -1;
	gr_chunk *chunks;
	size_t nchunks;
	if (gr_split_yaml(data, len, &chunks, &nchunks))
		return gr_error_set(err, 0, 0, "out of memory");
	gr_stack docstack = {0};
	int rc = 0;
	gr_error cerr;
	for (size_t i = 0; i < nchunks; i++) {
		gr_error_clear(&cerr);
		if (decode_chunk(a, data + chunks[i].offset, chunks[i].length, chunks[i].line - 1, chunks[i].index,
				 limits, &docstack, &cerr) && rc == 0) {
			/* Keep the first error; later documents are still decoded. */
			rc = -1;
			if (err)
				*err = cerr;
		}
	}
	free(chunks);
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
	int rc = decode_chunk(a, data + chunk->offset, chunk->length, chunk->line - 1, chunk->index, limits,
			      &docstack, err);
	return finish_docs(a, &docstack, rc, docs, ndocs, err);
}

int gr_decode(gr_arena *a, const char *data, size_t len, const gr_decode_limits *limits,
	      gr_document **docs, size_t *ndocs, gr_error *err)
{
	*docs = NULL;
	*ndocs = 0;
	if (!gr_looks_like_json(data, len))
		return gr_decode_yaml(a, data, len, limits, docs, ndocs, err);
	/* JSON: exactly one value per file, read by the strict JSON reader. */
	gr_value v;
	gr_error jerr;
	gr_error_clear(&jerr);
	if (gr_decode_json(a, data, len, limits, &v, &jerr) == 0) {
		*docs = gr_arena_alloc(a, sizeof **docs);
		if (!*docs)
			return gr_error_set(err, 0, 0, "out of memory");
		(*docs)[0].root = v;
		(*docs)[0].index = 0;
		*ndocs = v.type == GR_NULL ? 0 : 1;
		return 0;
	}
	if (err)
		*err = jerr;
	return -1;
}
