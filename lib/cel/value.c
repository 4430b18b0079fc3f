/*
 * value.c — CEL values: constructors, wrapping document nodes without
 * copying, list/map access over either backing, CEL equality and ordering
 * (numbers compare across int, uint and double), type names, and the JSON
 * rendering used by `guardrail query --cel`.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cel_internal.h"

gr_cel_value gr_cel_null(void)
{
	return (gr_cel_value){.kind = GR_CEL_NULL};
}
gr_cel_value gr_cel_bool(bool b)
{
	return (gr_cel_value){.kind = GR_CEL_BOOL, .u.b = b};
}
gr_cel_value gr_cel_int(int64_t i)
{
	return (gr_cel_value){.kind = GR_CEL_INT, .u.i = i};
}
gr_cel_value gr_cel_uint(uint64_t u)
{
	return (gr_cel_value){.kind = GR_CEL_UINT, .u.u = u};
}
gr_cel_value gr_cel_double(double d)
{
	return (gr_cel_value){.kind = GR_CEL_DOUBLE, .u.d = d};
}
gr_cel_value gr_cel_string(const char *s, size_t len)
{
	return (gr_cel_value){.kind = GR_CEL_STRING, .u.s = {s, len}};
}
gr_cel_value gr_cel_bytes(const char *s, size_t len)
{
	return (gr_cel_value){.kind = GR_CEL_BYTES, .u.s = {s, len}};
}
gr_cel_value gr_cel_unbound(void)
{
	return (gr_cel_value){.kind = GR_CEL_ERROR, .u.s = {"unbound variable", 16}};
}

gr_cel_value cel_type_value(const char *name)
{
	return (gr_cel_value){.kind = GR_CEL_TYPE, .u.s = {name, strlen(name)}};
}

gr_cel_value cel_wrap_json(const void *schema, const gr_value *v)
{
	gr_cel_value r = {.schema = schema};
	switch (v->type) {
	case GR_NULL: r.kind = GR_CEL_NULL; break;
	case GR_BOOL:
		r.kind = GR_CEL_BOOL;
		r.u.b = v->u.b;
		break;
	case GR_INT:
		r.kind = GR_CEL_INT;
		r.u.i = v->u.i;
		break;
	case GR_DOUBLE:
		r.kind = GR_CEL_DOUBLE;
		r.u.d = v->u.d;
		break;
	case GR_STRING:
		r.kind = GR_CEL_STRING;
		r.u.s.ptr = v->u.s.ptr;
		r.u.s.len = v->u.s.len;
		break;
	case GR_ARRAY:
		r.kind = GR_CEL_LIST;
		r.backing = 1;
		r.u.json = v;
		break;
	default:
		r.kind = GR_CEL_MAP;
		r.backing = 1;
		r.u.json = v;
		break;
	}
	return r;
}

gr_cel_value gr_cel_from_json(const gr_value *v)
{
	return cel_wrap_json(NULL, v);
}

size_t gr_cel_size(const gr_cel_value *v)
{
	if (v->kind == GR_CEL_LIST)
		return v->backing ? v->u.json->u.a.len : v->u.list->len;
	if (v->kind == GR_CEL_MAP)
		return v->backing ? v->u.json->u.o.len : v->u.map->len;
	return 0;
}

/* Schema-aware element wrapping lives in schema.c; without a schema the
 * element is wrapped plainly. */
const void *cel_schema_items(const void *schema);
const void *cel_schema_prop(const void *schema, const char *key, size_t len);
gr_cel_value cel_schema_wrap(const void *schema, const gr_value *v);

gr_cel_value gr_cel_list_at(const gr_cel_value *l, size_t i)
{
	if (l->backing) {
		const gr_value *item = &l->u.json->u.a.items[i];
		if (l->schema)
			return cel_schema_wrap(cel_schema_items(l->schema), item);
		return cel_wrap_json(NULL, item);
	}
	return l->u.list->items[i];
}

void gr_cel_map_entry(const gr_cel_value *m, size_t i, gr_cel_value *key, gr_cel_value *value)
{
	if (m->backing) {
		const gr_member *mem = &m->u.json->u.o.members[i];
		*key = gr_cel_string(mem->key, mem->key_len);
		if (value) {
			if (m->schema)
				*value = cel_schema_wrap(cel_schema_prop(m->schema, mem->key, mem->key_len),
				                         &mem->value);
			else
				*value = cel_wrap_json(NULL, &mem->value);
		}
		return;
	}
	*key = m->u.map->keys[i];
	if (value)
		*value = m->u.map->values[i];
}

bool cel_is_numeric(const gr_cel_value *v)
{
	return v->kind == GR_CEL_INT || v->kind == GR_CEL_UINT || v->kind == GR_CEL_DOUBLE;
}

/* Compare numbers of any of the three kinds exactly. */
static int num_cmp(const gr_cel_value *a, const gr_cel_value *b)
{
	if (a->kind == GR_CEL_DOUBLE || b->kind == GR_CEL_DOUBLE) {
		if (a->kind == GR_CEL_DOUBLE && b->kind == GR_CEL_DOUBLE) {
			double x = a->u.d, y = b->u.d;
			if (isnan(x) || isnan(y))
				return 2;
			return x < y ? -1 : x > y ? 1 : 0;
		}
		/* one double, one integer: as cel-go, the integer is converted to double */
		double x = a->kind == GR_CEL_DOUBLE ? a->u.d
		           : a->kind == GR_CEL_INT  ? (double)a->u.i
		                                    : (double)a->u.u;
		double y = b->kind == GR_CEL_DOUBLE ? b->u.d
		           : b->kind == GR_CEL_INT  ? (double)b->u.i
		                                    : (double)b->u.u;
		if (isnan(x) || isnan(y))
			return 2;
		return x < y ? -1 : x > y ? 1 : 0;
	}
	if (a->kind == GR_CEL_INT && b->kind == GR_CEL_INT)
		return a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
	if (a->kind == GR_CEL_UINT && b->kind == GR_CEL_UINT)
		return a->u.u < b->u.u ? -1 : a->u.u > b->u.u;
	if (a->kind == GR_CEL_INT) {
		if (a->u.i < 0)
			return -1;
		uint64_t x = (uint64_t)a->u.i;
		return x < b->u.u ? -1 : x > b->u.u;
	}
	if (b->u.i < 0)
		return 1;
	uint64_t y = (uint64_t)b->u.i;
	return a->u.u < y ? -1 : a->u.u > y;
}

static int bytes_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	size_t n = al < bl ? al : bl;
	int c = memcmp(a, b, n);
	if (c)
		return c < 0 ? -1 : 1;
	return al < bl ? -1 : al > bl;
}

int cel_object_compare(const gr_cel_value *a, const gr_cel_value *b);

int cel_compare(const gr_cel_value *a, const gr_cel_value *b)
{
	if (cel_is_numeric(a) && cel_is_numeric(b))
		return num_cmp(a, b);
	if (a->kind != b->kind)
		return -2;
	switch (a->kind) {
	case GR_CEL_BOOL: return a->u.b == b->u.b ? 0 : a->u.b ? 1 : -1;
	case GR_CEL_STRING:
	case GR_CEL_BYTES: return bytes_cmp(a->u.s.ptr, a->u.s.len, b->u.s.ptr, b->u.s.len);
	case GR_CEL_DURATION: return a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
	case GR_CEL_TIMESTAMP:
		if (a->u.t.sec != b->u.t.sec)
			return a->u.t.sec < b->u.t.sec ? -1 : 1;
		return a->u.t.nsec < b->u.t.nsec ? -1 : a->u.t.nsec > b->u.t.nsec;
	default: return -2; /* objects order through their own functions (isLessThan) */
	}
}

int cel_map_get_str(const gr_cel_value *map, const char *key, size_t len, gr_cel_value *out)
{
	if (map->backing) {
		const gr_member *m = gr_get_member(map->u.json, key, len);
		if (!m)
			return 0;
		if (out) {
			if (map->schema)
				*out = cel_schema_wrap(cel_schema_prop(map->schema, key, len), &m->value);
			else
				*out = cel_wrap_json(NULL, &m->value);
		}
		return 1;
	}
	const gr_cel_map *mp = map->u.map;
	for (size_t i = 0; i < mp->len; i++) {
		const gr_cel_value *k = &mp->keys[i];
		if (k->kind == GR_CEL_STRING && k->u.s.len == len && !memcmp(k->u.s.ptr, key, len)) {
			if (out)
				*out = mp->values[i];
			return 1;
		}
	}
	return 0;
}

int cel_map_get(cel_eval *ev, const gr_cel_value *map, const gr_cel_value *key, gr_cel_value *out)
{
	(void)ev;
	if (key->kind == GR_CEL_STRING)
		return cel_map_get_str(map, key->u.s.ptr, key->u.s.len, out);
	if (key->kind != GR_CEL_INT && key->kind != GR_CEL_UINT && key->kind != GR_CEL_BOOL &&
	    key->kind != GR_CEL_DOUBLE)
		return -1;
	if (map->backing)
		return 0;
	const gr_cel_map *mp = map->u.map;
	for (size_t i = 0; i < mp->len; i++) {
		const gr_cel_value *k = &mp->keys[i];
		if (key->kind == GR_CEL_BOOL) {
			if (k->kind == GR_CEL_BOOL && k->u.b == key->u.b)
				goto found;
			continue;
		}
		if (cel_is_numeric(k) && num_cmp(k, key) == 0)
			goto found;
		continue;
	found:
		if (out)
			*out = mp->values[i];
		return 1;
	}
	return 0;
}

bool gr_cel_equal(const gr_cel_value *a, const gr_cel_value *b)
{
	if (cel_is_numeric(a) && cel_is_numeric(b))
		return num_cmp(a, b) == 0;
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case GR_CEL_NULL: return true;
	case GR_CEL_BOOL: return a->u.b == b->u.b;
	case GR_CEL_STRING:
	case GR_CEL_BYTES:
	case GR_CEL_TYPE: return a->u.s.len == b->u.s.len && !memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len);
	case GR_CEL_TIMESTAMP: return a->u.t.sec == b->u.t.sec && a->u.t.nsec == b->u.t.nsec;
	case GR_CEL_DURATION: return a->u.i == b->u.i;
	case GR_CEL_OPTIONAL:
		if (!a->u.opt || !b->u.opt)
			return a->u.opt == b->u.opt;
		return gr_cel_equal(a->u.opt, b->u.opt);
	case GR_CEL_OBJECT: return a->sub == b->sub && cel_object_compare(a, b) == 0;
	case GR_CEL_LIST: {
		int r;
		if (cel_schema_equal(a, b, &r))
			return r;
		size_t n = gr_cel_size(a);
		if (n != gr_cel_size(b))
			return false;
		for (size_t i = 0; i < n; i++) {
			gr_cel_value x = gr_cel_list_at(a, i), y = gr_cel_list_at(b, i);
			if (!gr_cel_equal(&x, &y))
				return false;
		}
		return true;
	}
	case GR_CEL_MAP: {
		size_t n = gr_cel_size(a);
		if (n != gr_cel_size(b))
			return false;
		for (size_t i = 0; i < n; i++) {
			gr_cel_value k, v, w;
			gr_cel_map_entry(a, i, &k, &v);
			if (cel_map_get(NULL, b, &k, &w) != 1)
				return false;
			if (!gr_cel_equal(&v, &w))
				return false;
		}
		return true;
	}
	default: return false;
	}
}

const char *cel_object_type_name(const gr_cel_value *v);

const char *gr_cel_type_name(const gr_cel_value *v)
{
	switch (v->kind) {
	case GR_CEL_NULL: return "null_type";
	case GR_CEL_BOOL: return "bool";
	case GR_CEL_INT: return "int";
	case GR_CEL_UINT: return "uint";
	case GR_CEL_DOUBLE: return "double";
	case GR_CEL_STRING: return "string";
	case GR_CEL_BYTES: return "bytes";
	case GR_CEL_LIST: return "list";
	case GR_CEL_MAP: return "map";
	case GR_CEL_TYPE: return "type";
	case GR_CEL_TIMESTAMP: return "google.protobuf.Timestamp";
	case GR_CEL_DURATION: return "google.protobuf.Duration";
	case GR_CEL_OPTIONAL: return "optional_type";
	case GR_CEL_OBJECT: return cel_object_type_name(v);
	default: return "error";
	}
}

size_t cel_utf8_count(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static void write_base64(gr_buf *b, const unsigned char *s, size_t len)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	gr_buf_putc(b, '"');
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)s[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < len)
			v |= s[i + 2];
		gr_buf_putc(b, tab[(v >> 18) & 63]);
		gr_buf_putc(b, tab[(v >> 12) & 63]);
		gr_buf_putc(b, i + 1 < len ? tab[(v >> 6) & 63] : '=');
		gr_buf_putc(b, i + 2 < len ? tab[v & 63] : '=');
	}
	gr_buf_putc(b, '"');
}

void gr_cel_write_json(gr_buf *b, const gr_cel_value *v)
{
	char tmp[64];
	switch (v->kind) {
	case GR_CEL_NULL: gr_buf_puts(b, "null"); break;
	case GR_CEL_BOOL: gr_buf_puts(b, v->u.b ? "true" : "false"); break;
	case GR_CEL_INT: gr_buf_printf(b, "%lld", (long long)v->u.i); break;
	case GR_CEL_UINT: gr_buf_printf(b, "%llu", (unsigned long long)v->u.u); break;
	case GR_CEL_DOUBLE: {
		if (isnan(v->u.d))
			gr_buf_puts(b, "\"NaN\"");
		else if (isinf(v->u.d))
			gr_buf_puts(b, v->u.d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
		else {
			gr_value d = gr_make_double(v->u.d);
			gr_write_json(b, &d, -1);
		}
		break;
	}
	case GR_CEL_STRING:
	case GR_CEL_TYPE: gr_buf_json_string(b, v->u.s.ptr, v->u.s.len); break;
	case GR_CEL_OBJECT:
		if (cel_authz_object(v->sub)) { /* no text: its type name */
			const char *t = gr_cel_type_name(v);
			gr_buf_json_string(b, t, strlen(t));
		} else
			gr_buf_json_string(b, v->u.s.ptr, v->u.s.len);
		break;
	case GR_CEL_BYTES: write_base64(b, (const unsigned char *)v->u.s.ptr, v->u.s.len); break;
	case GR_CEL_TIMESTAMP:
		cel_format_timestamp(tmp, sizeof tmp, v->u.t.sec, v->u.t.nsec);
		gr_buf_json_string(b, tmp, strlen(tmp));
		break;
	case GR_CEL_DURATION:
		cel_format_duration(tmp, sizeof tmp, v->u.i);
		gr_buf_json_string(b, tmp, strlen(tmp));
		break;
	case GR_CEL_OPTIONAL:
		if (v->u.opt)
			gr_cel_write_json(b, v->u.opt);
		else
			gr_buf_puts(b, "null");
		break;
	case GR_CEL_LIST: {
		if (v->backing && !v->schema) {
			gr_write_json(b, v->u.json, -1);
			break;
		}
		gr_buf_putc(b, '[');
		size_t n = gr_cel_size(v);
		for (size_t i = 0; i < n; i++) {
			if (i)
				gr_buf_putc(b, ',');
			gr_cel_value x = gr_cel_list_at(v, i);
			gr_cel_write_json(b, &x);
		}
		gr_buf_putc(b, ']');
		break;
	}
	case GR_CEL_MAP: {
		if (v->backing && !v->schema) {
			gr_write_json(b, v->u.json, -1);
			break;
		}
		gr_buf_putc(b, '{');
		size_t n = gr_cel_size(v);
		for (size_t i = 0; i < n; i++) {
			if (i)
				gr_buf_putc(b, ',');
			gr_cel_value k, x;
			gr_cel_map_entry(v, i, &k, &x);
			if (k.kind == GR_CEL_STRING)
				gr_buf_json_string(b, k.u.s.ptr, k.u.s.len);
			else {
				gr_buf tb;
				gr_buf_init(&tb);
				gr_cel_write_json(&tb, &k);
				gr_buf_json_string(b, tb.data ? tb.data : "", tb.len);
				gr_buf_free(&tb);
			}
			gr_buf_putc(b, ':');
			gr_cel_write_json(b, &x);
		}
		gr_buf_putc(b, '}');
		break;
	}
	default: gr_buf_puts(b, "null"); break;
	}
}

gr_cel_value gr_cel_type(const char *name)
{
	return cel_type_value(name);
}
gr_cel_value gr_cel_timestamp(int64_t sec, int32_t nsec)
{
	gr_cel_value v = {.kind = GR_CEL_TIMESTAMP};
	v.u.t.sec = sec;
	v.u.t.nsec = nsec;
	return v;
}
gr_cel_value gr_cel_duration(int64_t nanos)
{
	gr_cel_value v = {.kind = GR_CEL_DURATION};
	v.u.i = nanos;
	return v;
}
gr_cel_value gr_cel_make_list(gr_arena *a, const gr_cel_value *items, size_t n)
{
	gr_cel_list *l = gr_arena_alloc(a, sizeof *l);
	if (!l)
		return (gr_cel_value){.kind = GR_CEL_ERROR, .u.s = {"out of memory", 13}};
	l->len = n;
	l->items = items;
	return (gr_cel_value){.kind = GR_CEL_LIST, .u.list = l};
}
gr_cel_value gr_cel_make_map(gr_arena *a, const gr_cel_value *keys, const gr_cel_value *values, size_t n)
{
	gr_cel_map *m = gr_arena_alloc(a, sizeof *m);
	if (!m)
		return (gr_cel_value){.kind = GR_CEL_ERROR, .u.s = {"out of memory", 13}};
	m->len = n;
	m->keys = keys;
	m->values = values;
	return (gr_cel_value){.kind = GR_CEL_MAP, .u.map = m};
}
gr_cel_value gr_cel_optional(gr_arena *a, const gr_cel_value *v)
{
	gr_cel_value r = {.kind = GR_CEL_OPTIONAL};
	if (v) {
		gr_cel_value *c = gr_arena_alloc(a, sizeof *c);
		if (!c)
			return (gr_cel_value){.kind = GR_CEL_ERROR, .u.s = {"out of memory", 13}};
		*c = *v;
		r.u.opt = c;
	}
	return r;
}
int gr_cel_parse_timestamp(const char *s, size_t len, int64_t *sec, int32_t *nsec)
{
	return cel_parse_timestamp(s, len, sec, nsec);
}
int gr_cel_parse_duration(const char *s, size_t len, int64_t *nanos)
{
	return cel_parse_duration(s, len, nanos);
}
