/*
 * schema.c — OpenAPI (structural) schemas as CEL types, for CRD
 * x-kubernetes-validations: the value a rule sees for a document node is
 * the node wrapped with its schema node, exactly as the API server's
 * UnstructuredToVal presents it:
 *
 *   - a `number` field holding a JSON integer is a double; `integer` an int;
 *   - strings with format byte/duration/date-time/date are bytes, duration,
 *     timestamp;
 *   - x-kubernetes-int-or-string is an int or a string;
 *   - object properties are reached by their escaped names (`__dash__`,
 *     `__dot__`, `__slash__`, `__underscores__`, `__<keyword>__`);
 *     additionalProperties makes a map; an embedded resource (and the
 *     resource root) also exposes apiVersion, kind and metadata.name/
 *     generateName;
 *   - list types set and map compare without regard to order;
 *   - data that does not match the schema is an "invalid data" error.
 *
 * Schema nodes are compiled once (gr_cel_schema_new) and immutable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel_internal.h"
#include "cel_schema.h"

static const char *const reserved_words[] = {"true",   "false",    "null",  "in",      "as",        "break",
                                             "const",  "continue", "else",  "for",     "function",  "if",
                                             "import", "let",      "loop",  "package", "namespace", "return",
                                             "var",    "void",     "while", NULL};

static cel_schema_node *node_new(gr_cel_schema *s)
{
	cel_schema_node *n = gr_arena_calloc(&s->arena, 1, sizeof *n);
	return n;
}

static int type_of(const char *t)
{
	if (!t)
		return S_ANY;
	if (!strcmp(t, "object"))
		return S_OBJECT;
	if (!strcmp(t, "array"))
		return S_ARRAY;
	if (!strcmp(t, "string"))
		return S_STRING;
	if (!strcmp(t, "integer"))
		return S_INTEGER;
	if (!strcmp(t, "number"))
		return S_NUMBER;
	if (!strcmp(t, "boolean"))
		return S_BOOLEAN;
	return S_ANY;
}

static bool flag(const gr_value *v, const char *key)
{
	const gr_value *f = gr_get(v, key);
	return gr_is(f, GR_BOOL) && f->u.b;
}

static cel_schema_node *build(gr_cel_schema *s, const gr_value *v, int depth);

/* Fold allOf branches' structure into n (their properties, items and
 * additionalProperties add rules and nothing else in a structural schema). */
static void add_allof(gr_cel_schema *s, cel_schema_node *n, const gr_value *v, int depth);

/* The node's own facts, read from v (an object). */
static void fill_node(cel_schema_node *n, const gr_value *v)
{
	n->raw = v;
	n->type = type_of(gr_get_str(v, "type"));
	const char *fmt = gr_get_str(v, "format");
	if (fmt && n->type == S_STRING) {
		if (!strcmp(fmt, "byte"))
			n->format = F_BYTE;
		else if (!strcmp(fmt, "duration"))
			n->format = F_DURATION;
		else if (!strcmp(fmt, "date-time"))
			n->format = F_DATETIME;
		else if (!strcmp(fmt, "date"))
			n->format = F_DATE;
	}
	n->nullable = flag(v, "nullable");
	n->int_or_string = flag(v, "x-kubernetes-int-or-string");
	n->preserve = flag(v, "x-kubernetes-preserve-unknown-fields");
	n->embedded = flag(v, "x-kubernetes-embedded-resource");
	const char *lt = gr_get_str(v, "x-kubernetes-list-type");
	n->list_type = lt && !strcmp(lt, "set") ? L_SET : lt && !strcmp(lt, "map") ? L_MAP : L_ATOMIC;
	n->map_keys = gr_get(v, "x-kubernetes-list-map-keys");
	n->dflt = gr_get(v, "default");
	n->rules = gr_get(v, "x-kubernetes-validations");
}

/* Room for the names of props (an object) and a child per name; false
 * when memory ran out (the node then has none). */
static bool alloc_props(gr_cel_schema *s, cel_schema_node *n, const gr_value *props)
{
	n->nprops = props->u.o.len;
	n->pnames = gr_arena_calloc(&s->arena, n->nprops + 1, sizeof *n->pnames);
	n->plens = gr_arena_calloc(&s->arena, n->nprops + 1, sizeof *n->plens);
	n->props = gr_arena_calloc(&s->arena, n->nprops + 1, sizeof *n->props);
	if (!n->pnames || !n->plens || !n->props) {
		n->nprops = 0;
		return false;
	}
	for (size_t i = 0; i < n->nprops; i++) {
		n->pnames[i] = props->u.o.members[i].key;
		n->plens[i] = props->u.o.members[i].key_len;
	}
	n->has_props = true;
	return true;
}

static cel_schema_node *build(gr_cel_schema *s, const gr_value *v, int depth)
{
	cel_schema_node *n = node_new(s);
	if (!n || depth > 200 || !gr_is(v, GR_OBJECT))
		return n;
	fill_node(n, v);
	const gr_value *props = gr_get(v, "properties");
	if (gr_is(props, GR_OBJECT) && alloc_props(s, n, props))
		for (size_t i = 0; i < n->nprops; i++)
			n->props[i] = build(s, &props->u.o.members[i].value, depth + 1);
	const gr_value *ap = gr_get(v, "additionalProperties");
	if (gr_is(ap, GR_OBJECT))
		n->additional = build(s, ap, depth + 1);
	else if (gr_is(ap, GR_BOOL) && ap->u.b)
		n->additional_any = true;
	const gr_value *items = gr_get(v, "items");
	if (gr_is(items, GR_OBJECT))
		n->items = build(s, items, depth + 1);
	add_allof(s, n, v, depth);
	return n;
}

/* Rules that apply to v's own value: its x-kubernetes-validations, or any
 * allOf (whose branches' rules apply to v's value with v's type: a schema
 * with allOf is taken whole, which costs little since CRDs rarely have
 * one). */
static bool own_rules(const gr_value *v)
{
	const gr_value *r = gr_get(v, "x-kubernetes-validations");
	const gr_value *all = gr_get(v, "allOf");
	return (gr_is(r, GR_ARRAY) && r->u.a.len) || (gr_is(all, GR_ARRAY) && all->u.a.len);
}

/*
 * Only what rules need: a rule sees its own node's value (self, oldSelf)
 * and nothing above it, so the nodes built are those with rules, with all
 * below them (what the rules select, type-check and cost), and their
 * ancestors (the walk to them, and the cardinality of lists and maps on
 * the way, which the cost of a rule is multiplied by). Anything else is
 * NULL: no node, and no memory for it. An ancestor keeps every property
 * name, a pruned one with a NULL child, so that a name it declares is never
 * taken for an additionalProperties key. NULL for a schema without rules.
 */
static cel_schema_node *build_rules(gr_cel_schema *s, const gr_value *v, int depth)
{
	if (depth > 200 || !gr_is(v, GR_OBJECT))
		return NULL;
	if (own_rules(v))
		return build(s, v, depth);
	const gr_value *props = gr_get(v, "properties");
	size_t np = gr_is(props, GR_OBJECT) ? props->u.o.len : 0;
	cel_schema_node **kids = np ? calloc(np, sizeof *kids) : NULL;
	if (np && !kids)
		return build(s, v, depth); /* the whole of it, as before */
	bool any = false;
	for (size_t i = 0; i < np; i++)
		any |= (kids[i] = build_rules(s, &props->u.o.members[i].value, depth + 1)) != NULL;
	const gr_value *ap = gr_get(v, "additionalProperties");
	cel_schema_node *add = gr_is(ap, GR_OBJECT) ? build_rules(s, ap, depth + 1) : NULL;
	const gr_value *items = gr_get(v, "items");
	cel_schema_node *it = gr_is(items, GR_OBJECT) ? build_rules(s, items, depth + 1) : NULL;
	cel_schema_node *n = any || add || it ? node_new(s) : NULL;
	if (n) {
		fill_node(n, v);
		if (np && alloc_props(s, n, props))
			memcpy(n->props, kids, np * sizeof *kids);
		n->additional = add;
		n->additional_any = gr_is(ap, GR_BOOL) && ap->u.b;
		n->items = it;
	}
	free(kids);
	return n;
}

static cel_schema_node *find_prop(const cel_schema_node *n, const char *name, size_t len)
{
	for (size_t i = 0; i < n->nprops; i++)
		if (n->plens[i] == len && !memcmp(n->pnames[i], name, len))
			return n->props[i];
	return NULL;
}

bool cel_schema_declares_meta(const cel_schema_node *n)
{
	const cel_schema_node *k = find_prop(n, "kind", 4), *a = find_prop(n, "apiVersion", 10),
	                      *m = find_prop(n, "metadata", 8);
	if (!k || k->type != S_STRING || !a || a->type != S_STRING || !m || m->type != S_OBJECT ||
	    !m->has_props)
		return false;
	const cel_schema_node *nm = find_prop(m, "name", 4), *gn = find_prop(m, "generateName", 12);
	return nm && nm->type == S_STRING && gn && gn->type == S_STRING;
}

static void add_allof(gr_cel_schema *s, cel_schema_node *n, const gr_value *v, int depth)
{
	const gr_value *all = gr_get(v, "allOf");
	if (!gr_is(all, GR_ARRAY))
		return;
	n->nallof = all->u.a.len;
	n->allof = gr_arena_calloc(&s->arena, n->nallof + 1, sizeof *n->allof);
	if (!n->allof) {
		n->nallof = 0;
		return;
	}
	for (size_t i = 0; i < n->nallof; i++)
		n->allof[i] = build(s, &all->u.a.items[i], depth + 1);
}

static gr_cel_schema *schema_new(const gr_value *openapi, bool is_root, bool rules_only, gr_cel_error *err)
{
	gr_cel_schema *s = calloc(1, sizeof *s);
	if (!s) {
		if (err) {
			err->type = GR_CEL_LIMIT;
			snprintf(err->message, sizeof err->message, "out of memory");
		}
		return NULL;
	}
	gr_arena_init(&s->arena);
	s->root = rules_only ? build_rules(s, openapi, 0) : build(s, openapi, 0);
	if (s->root && is_root)
		s->root->is_root = true;
	return s;
}

gr_cel_schema *gr_cel_schema_new(const gr_value *openapi, bool is_root, gr_cel_error *err)
{
	return schema_new(openapi, is_root, false, err);
}

gr_cel_schema *cel_schema_new_rules(const gr_value *openapi, bool is_root, gr_cel_error *err)
{
	return schema_new(openapi, is_root, true, err);
}

void gr_cel_schema_free(gr_cel_schema *s)
{
	if (!s)
		return;
	gr_arena_free(&s->arena);
	free(s);
}

const void *gr_cel_schema_root(const gr_cel_schema *s)
{
	return s->root;
}

/* ---- names ---- */

/* Unescape a CEL field name into a property name; 0 when the name is to
 * be used as it is (no escape in it, or an unknown __x__ sequence). */
int cel_unescape_name(const char *in, size_t len, char *out, size_t cap, size_t *olen)
{
	/* without "__" (most names) the name is its own property name: the
	 * callers read 0 as "use it as it is" (a loop: memmem's set-up cost
	 * more than these names are long) */
	size_t u = 0;
	while (u + 1 < len && !(in[u] == '_' && in[u + 1] == '_'))
		u++;
	if (u + 1 >= len)
		return 0;
	if (len > 4 && in[0] == '_' && in[1] == '_' && in[len - 1] == '_' && in[len - 2] == '_') {
		for (int i = 0; reserved_words[i]; i++)
			if (strlen(reserved_words[i]) == len - 4 &&
			    !memcmp(reserved_words[i], in + 2, len - 4)) {
				memcpy(out, in + 2, len - 4);
				*olen = len - 4;
				return 1;
			}
	}
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		if (o + 2 >= cap)
			return 0;
		if (in[i] == '_' && i + 1 < len && in[i + 1] == '_') {
			static const struct {
				const char *esc, *rep;
			} tab[] = {{"__underscores__", "__"},
			           {"__dot__", "."},
			           {"__dash__", "-"},
			           {"__slash__", "/"}};
			size_t k;
			for (k = 0; k < 4; k++) {
				size_t el = strlen(tab[k].esc);
				if (i + el <= len && !memcmp(in + i, tab[k].esc, el)) {
					size_t rl = strlen(tab[k].rep);
					memcpy(out + o, tab[k].rep, rl);
					o += rl;
					i += el;
					break;
				}
			}
			if (k < 4)
				continue;
			return 0;
		}
		out[o++] = in[i++];
	}
	*olen = o;
	return 1;
}

/* ---- values ---- */

const void *cel_schema_items(const void *schema)
{
	const cel_schema_node *n = schema;
	return n ? n->items : NULL;
}

gr_cel_value cel_schema_zero_sum(const void *list_schema)
{
	const cel_schema_node *n = list_schema ? ((const cel_schema_node *)list_schema)->items : NULL;
	if (n && n->type == S_NUMBER)
		return gr_cel_double(0);
	if (n && n->type == S_STRING && n->format == F_DURATION)
		return (gr_cel_value){.kind = GR_CEL_DURATION};
	return gr_cel_int(0);
}

const void *cel_schema_prop(const void *schema, const char *key, size_t len)
{
	const cel_schema_node *n = schema;
	if (!n)
		return NULL;
	if (n->has_props) {
		const cel_schema_node *p = find_prop(n, key, len);
		if (p)
			return p;
	}
	return n->additional;
}

static gr_cel_value invalid(const char *msg)
{
	gr_cel_value v = {.kind = GR_CEL_ERROR};
	v.u.s.ptr = msg;
	v.u.s.len = strlen(msg);
	return v;
}

static int b64v(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* The wrapper sees no arena: formats that need one (byte) decode into a
 * per-thread buffer would be unsafe, so byte strings decode lazily only
 * when the evaluator asks (cel_schema_wrap_ev). Here they stay strings. */
gr_cel_value cel_schema_wrap(const void *schema, const gr_value *v)
{
	const cel_schema_node *n = schema;
	if (!n)
		return cel_wrap_json(NULL, v);
	if (v->type == GR_NULL) {
		if (!n->nullable && n->type != S_ANY && !n->int_or_string)
			return invalid("invalid data, got null for schema with nullable=false");
		return gr_cel_null();
	}
	if (n->int_or_string) {
		if (v->type != GR_INT && v->type != GR_STRING)
			return invalid(
			        "invalid data, expected XIntOrString value to be either a string or integer");
		return cel_wrap_json(NULL, v);
	}
	switch (n->type) {
	case S_OBJECT:
		if (v->type != GR_OBJECT)
			return invalid(
			        "invalid data, expected a map for the provided schema with type=object");
		return cel_wrap_json(n, v);
	case S_ARRAY:
		if (v->type != GR_ARRAY)
			return invalid(
			        "invalid data, expected an array for the provided schema with type=array");
		return cel_wrap_json(n, v);
	case S_NUMBER:
		if (v->type == GR_INT)
			return gr_cel_double((double)v->u.i);
		if (v->type != GR_DOUBLE)
			return invalid(
			        "invalid data, expected float for the provided schema with type=number");
		return gr_cel_double(v->u.d);
	case S_INTEGER:
		if (v->type == GR_DOUBLE && v->u.d == (double)(int64_t)v->u.d)
			return gr_cel_int((int64_t)v->u.d);
		if (v->type != GR_INT)
			return invalid(
			        "invalid data, expected int for the provided schema with type=integer");
		return gr_cel_int(v->u.i);
	case S_BOOLEAN:
		if (v->type != GR_BOOL)
			return invalid(
			        "invalid data, expected bool for the provided schema with type=boolean");
		return gr_cel_bool(v->u.b);
	case S_STRING: {
		if (v->type != GR_STRING)
			return invalid(
			        "invalid data, expected string for the provided schema with type=string");
		if (n->format == F_DURATION) {
			int64_t d;
			if (cel_parse_duration(v->u.s.ptr, v->u.s.len, &d) < 0)
				return invalid("invalid data, expected duration");
			return gr_cel_duration(d);
		}
		if (n->format == F_DATETIME) {
			int64_t sec;
			int32_t ns;
			if (cel_parse_timestamp(v->u.s.ptr, v->u.s.len, &sec, &ns) < 0)
				return invalid("invalid data, expected date-time");
			/* Go's time keeps the text's UTC offset: string() prints it back
			 * (kept in sub, in quarter hours) */
			gr_cel_value t = gr_cel_timestamp(sec, ns);
			int off = cel_timestamp_offset(v->u.s.ptr, v->u.s.len);
			if (off % 900 == 0 && off / 900 >= -127 && off / 900 <= 127)
				t.sub = (uint8_t)(int8_t)(off / 900);
			return t;
		}
		if (n->format == F_DATE) {
			char buf[64];
			int64_t sec;
			int32_t ns;
			if (v->u.s.len != 10)
				return invalid("invalid data, expected date");
			snprintf(buf, sizeof buf, "%.10sT00:00:00Z", v->u.s.ptr);
			if (cel_parse_timestamp(buf, strlen(buf), &sec, &ns) < 0)
				return invalid("invalid data, expected date");
			return gr_cel_timestamp(sec, ns);
		}
		gr_cel_value r = cel_wrap_json(NULL, v);
		if (n->format == F_BYTE)
			r.schema = n; /* decoded by the evaluator, which has an arena */
		return r;
	}
	default: return cel_wrap_json(n->preserve || n->type == S_ANY ? NULL : n, v);
	}
}

/* A byte-format string decodes to bytes in the evaluation's arena. */
gr_cel_value cel_schema_bytes(cel_eval *ev, gr_cel_value v)
{
	const cel_schema_node *n = v.schema;
	if (v.kind != GR_CEL_STRING || !n || n->format != F_BYTE)
		return v;
	char *o = gr_arena_alloc(ev->arena, v.u.s.len + 1);
	if (!o)
		return cel_error(ev, "out of memory");
	size_t k = 0;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < v.u.s.len; i++) {
		if (v.u.s.ptr[i] == '=')
			break;
		int c = b64v((unsigned char)v.u.s.ptr[i]);
		if (c < 0)
			return cel_error(ev, "invalid data, expected base64");
		acc = acc << 6 | (unsigned)c;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[k++] = (char)(acc >> bits);
		}
	}
	return gr_cel_bytes(o, k);
}

static bool root_meta_field(const cel_schema_node *n, const char *name, size_t len)
{
	if (!(n->embedded || n->is_root))
		return false;
	return (len == 10 && !memcmp(name, "apiVersion", 10)) || (len == 4 && !memcmp(name, "kind", 4)) ||
	       (len == 8 && !memcmp(name, "metadata", 8));
}

/* The schema of metadata in an embedded resource / at the root: name and
 * generateName only. */
static cel_schema_node meta_name = {.type = S_STRING};
static const char *const meta_names[] = {"name", "generateName"};
static const size_t meta_lens[] = {4, 12};
static cel_schema_node *meta_props[] = {&meta_name, &meta_name};
static cel_schema_node meta_node = {.type = S_OBJECT,
                                    .has_props = true,
                                    .nprops = 2,
                                    .pnames = (const char **)meta_names,
                                    .plens = (size_t *)meta_lens,
                                    .props = meta_props};
static cel_schema_node string_node = {.type = S_STRING};

int cel_schema_select(cel_eval *ev, const gr_cel_value *obj, const char *name, size_t len, gr_cel_value *out,
                      bool presence)
{
	const cel_schema_node *n = obj->schema;
	const gr_value *json = obj->u.json;
	const cel_schema_node *child = NULL;
	const char *key = name;
	size_t klen = len;
	char buf[512];
	bool prop = false; /* a field of an object (not a map entry) */
	if (n->has_props || n->embedded || n->is_root) {
		size_t ul;
		prop = true;
		if (cel_unescape_name(name, len, buf, sizeof buf, &ul)) {
			key = buf;
			klen = ul;
		}
		child = find_prop(n, key, klen);
		if (!child && root_meta_field(n, key, klen)) {
			if (klen == 8) {
				/* metadata: the declared schema if any, else name/generateName */
				child = &meta_node;
			} else
				child = &string_node;
		}
		if (!child) {
			if (n->additional) {
				child = n->additional;
				key = name;
				klen = len;
				prop = false;
			} else if (!(n->preserve || n->additional_any)) {
				*out = cel_error(ev, "undefined field '%.*s'", (int)len, name);
				return -1;
			}
		}
	} else {
		child = n->additional;
	}
	const gr_member *m = gr_get_member(json, key, klen);
	const gr_value *val = m ? &m->value : NULL;
	if (!val && child && child->dflt && (n->has_props || n->embedded))
		val = child->dflt; /* an absent field with a default reads as the API server defaulted it */
	/* a field set to null is absent, as in Kubernetes' unstructured
	 * objects (map entries keep their null values) */
	if (!val || (prop && val->type == GR_NULL))
		return 0;
	gr_cel_value v = child ? cel_schema_wrap(child, val) : cel_wrap_json(NULL, val);
	if (v.kind == GR_CEL_ERROR) {
		*out = cel_error(ev, "%.*s", (int)v.u.s.len, v.u.s.ptr);
		return -1;
	}
	if (!presence)
		*out = cel_schema_bytes(ev, v);
	return 1;
}

/* ---- list equality by list type ---- */

static bool keys_equal(const cel_schema_node *n, const gr_cel_value *x, const gr_cel_value *y)
{
	const gr_value *keys = n->map_keys;
	if (!gr_is(keys, GR_ARRAY))
		return gr_cel_equal(x, y);
	if (x->kind != GR_CEL_MAP || y->kind != GR_CEL_MAP)
		return gr_cel_equal(x, y);
	for (size_t i = 0; i < keys->u.a.len; i++) {
		const gr_value *k = &keys->u.a.items[i];
		if (!gr_is(k, GR_STRING))
			continue;
		gr_cel_value a, b;
		int ha = cel_map_get_str(x, k->u.s.ptr, k->u.s.len, &a);
		int hb = cel_map_get_str(y, k->u.s.ptr, k->u.s.len, &b);
		if (ha != hb)
			return false;
		if (ha == 1 && !gr_cel_equal(&a, &b))
			return false;
	}
	return true;
}

bool cel_schema_equal(const gr_cel_value *a, const gr_cel_value *b, int *result)
{
	const cel_schema_node *n = a->schema ? a->schema : b->schema;
	if (!n || n->list_type == L_ATOMIC || a->kind != GR_CEL_LIST || b->kind != GR_CEL_LIST)
		return false;
	size_t len = gr_cel_size(a);
	if (len != gr_cel_size(b)) {
		*result = 0;
		return true;
	}
	for (size_t i = 0; i < len; i++) {
		gr_cel_value x = gr_cel_list_at(a, i);
		size_t j;
		for (j = 0; j < len; j++) {
			gr_cel_value y = gr_cel_list_at(b, j);
			if (n->list_type == L_MAP ? keys_equal(n, &x, &y) : gr_cel_equal(&x, &y)) {
				if (n->list_type == L_MAP && !gr_cel_equal(&x, &y)) {
					*result = 0;
					return true;
				}
				break;
			}
		}
		if (j == len) {
			*result = 0;
			return true;
		}
	}
	*result = 1;
	return true;
}

/* Kubernetes' set and map lists concatenate as they merge: a set appends
 * the elements it does not hold yet; a map list replaces the element with
 * the same keys in place and appends the others. The result keeps the list
 * type. */
bool cel_schema_list_add(cel_eval *ev, const gr_cel_value *a, const gr_cel_value *b, gr_cel_value *out)
{
	const cel_schema_node *n = a->schema;
	if (!n || n->list_type == L_ATOMIC || a->kind != GR_CEL_LIST || b->kind != GR_CEL_LIST)
		return false;
	size_t x = gr_cel_size(a), y = gr_cel_size(b);
	gr_cel_value *items = gr_arena_alloc(ev->arena, (x + y + 1) * sizeof *items);
	if (!items) {
		*out = cel_error(ev, "out of memory");
		return true;
	}
	for (size_t i = 0; i < x; i++)
		items[i] = gr_cel_list_at(a, i);
	size_t len = x;
	for (size_t j = 0; j < y; j++) {
		gr_cel_value e = gr_cel_list_at(b, j);
		size_t i;
		for (i = 0; i < len; i++)
			if (n->list_type == L_MAP ? keys_equal(n, &items[i], &e)
			                          : gr_cel_equal(&items[i], &e))
				break;
		if (i < len) {
			if (n->list_type == L_MAP)
				items[i] = e;
		} else
			items[len++] = e;
	}
	*out = cel_make_list(ev, items, len);
	out->schema = n;
	return true;
}

gr_cel_value gr_cel_typed(const void *schema_node, const gr_value *v)
{
	return cel_schema_wrap(schema_node, v);
}
