/*
 * cel_common.h — what the CEL conformance runners share (header-only, so
 * each runner stays one file): reading JSON-lines files, the suite's CEL
 * value encoding ({"int64": "5"}, {"list": [...]}, ...) into gr_cel_value,
 * strict comparison of results (same kind, not just CEL equality), and the
 * known-failures list (one "id<TAB>reason" per line; an unexpected pass
 * fails the run).
 */
#ifndef GUARDRAIL_CEL_COMMON_H
#define GUARDRAIL_CEL_COMMON_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/cel.h"
#include "guardrail/decode.h"

/* ---- files ---- */

typedef struct cel_lines {
	char *data;
	size_t len;
	gr_value *items;
	size_t n;
} cel_lines;

/* Decode every line of a JSON-lines file into arena values. -1 when missing. */
static int cel_read_lines(const char *path, gr_arena *a, cel_lines *out)
{
	gr_error err;
	memset(out, 0, sizeof *out);
	if (gr_read_file(path, 64u << 20, &out->data, &out->len, &err) < 0) {
		fprintf(stderr, "%s: %s\n", path, err.message);
		return -1;
	}
	size_t cap = 0;
	char *p = out->data, *end = out->data + out->len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (l > 0) {
			if (out->n == cap) {
				cap = cap ? cap * 2 : 256;
				out->items = realloc(out->items, cap * sizeof *out->items);
			}
			if (gr_decode_json(a, p, l, NULL, &out->items[out->n], &err) < 0) {
				fprintf(stderr, "%s: line %zu: %s\n", path, out->n + 1, err.message);
				return -1;
			}
			out->n++;
		}
		p += l + 1;
	}
	return 0;
}

static void cel_lines_free(cel_lines *l)
{
	free(l->data);
	free(l->items);
}

/* ---- known failures ---- */

typedef struct cel_known {
	char **ids;
	char **reasons;
	int *seen;
	size_t n;
} cel_known;

static void cel_known_load(const char *path, cel_known *k)
{
	memset(k, 0, sizeof *k);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char line[4096];
	size_t cap = 0;
	while (fgets(line, sizeof line, f)) {
		size_t l = strlen(line);
		while (l && (line[l - 1] == '\n' || line[l - 1] == '\r'))
			line[--l] = 0;
		if (!l || line[0] == '#')
			continue;
		char *tab = strchr(line, '\t');
		if (tab)
			*tab++ = 0;
		if (k->n == cap) {
			cap = cap ? cap * 2 : 256;
			k->ids = realloc(k->ids, cap * sizeof *k->ids);
			k->reasons = realloc(k->reasons, cap * sizeof *k->reasons);
			k->seen = realloc(k->seen, cap * sizeof *k->seen);
		}
		k->ids[k->n] = strdup(line);
		k->reasons[k->n] = strdup(tab ? tab : "");
		k->seen[k->n] = 0;
		k->n++;
	}
	fclose(f);
}

static int cel_known_find(cel_known *k, const char *id)
{
	for (size_t i = 0; i < k->n; i++)
		if (!strcmp(k->ids[i], id)) {
			k->seen[i] = 1;
			return (int)i;
		}
	return -1;
}

static void cel_known_free(cel_known *k)
{
	for (size_t i = 0; i < k->n; i++) {
		free(k->ids[i]);
		free(k->reasons[i]);
	}
	free(k->ids);
	free(k->reasons);
	free(k->seen);
}

/* ---- the value encoding ---- */

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

static const char *cel_type_name_static(const char *s)
{
	static const char *const names[] = {"int",
	                                    "uint",
	                                    "double",
	                                    "bool",
	                                    "string",
	                                    "bytes",
	                                    "list",
	                                    "map",
	                                    "null_type",
	                                    "type",
	                                    "google.protobuf.Timestamp",
	                                    "google.protobuf.Duration",
	                                    "optional_type",
	                                    "net.IP",
	                                    "net.CIDR",
	                                    "kubernetes.Quantity",
	                                    "kubernetes.Semver",
	                                    "kubernetes.URL",
	                                    NULL};
	for (int i = 0; names[i]; i++)
		if (!strcmp(names[i], s))
			return names[i];
	return NULL;
}

/* 0, or -1 when the value uses something the engine has no form for
 * (protobuf messages, enums, Any). */
__attribute__((unused)) static int cel_decode_value(gr_arena *a, const gr_value *j, gr_cel_value *out)
{
	if (!gr_is(j, GR_OBJECT) || j->u.o.len != 1)
		return -1;
	const char *k = j->u.o.members[0].key;
	const gr_value *v = &j->u.o.members[0].value;
	if (!strcmp(k, "null")) {
		*out = gr_cel_null();
		return 0;
	}
	if (!strcmp(k, "bool") && v->type == GR_BOOL) {
		*out = gr_cel_bool(v->u.b);
		return 0;
	}
	if (!strcmp(k, "int64") && v->type == GR_STRING) {
		*out = gr_cel_int(strtoll(v->u.s.ptr, NULL, 10));
		return 0;
	}
	if (!strcmp(k, "uint64") && v->type == GR_STRING) {
		*out = gr_cel_uint(strtoull(v->u.s.ptr, NULL, 10));
		return 0;
	}
	if (!strcmp(k, "double")) {
		if (v->type == GR_STRING) {
			if (!strcmp(v->u.s.ptr, "NaN"))
				*out = gr_cel_double(NAN);
			else if (!strcmp(v->u.s.ptr, "Infinity"))
				*out = gr_cel_double(INFINITY);
			else if (!strcmp(v->u.s.ptr, "-Infinity"))
				*out = gr_cel_double(-INFINITY);
			else
				*out = gr_cel_double(strtod(v->u.s.ptr, NULL));
			return 0;
		}
		if (gr_is_number(v)) {
			*out = gr_cel_double(gr_number(v));
			return 0;
		}
		return -1;
	}
	if (!strcmp(k, "string") && v->type == GR_STRING) {
		*out = gr_cel_string(v->u.s.ptr, v->u.s.len);
		return 0;
	}
	if (!strcmp(k, "bytes") && v->type == GR_STRING) {
		char *o = gr_arena_alloc(a, v->u.s.len + 1);
		size_t n = 0;
		unsigned acc = 0;
		int bits = 0;
		for (size_t i = 0; i < v->u.s.len; i++) {
			int c = b64val((unsigned char)v->u.s.ptr[i]);
			if (c < 0)
				continue;
			acc = acc << 6 | (unsigned)c;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				o[n++] = (char)(acc >> bits);
			}
		}
		*out = gr_cel_bytes(o, n);
		return 0;
	}
	if (!strcmp(k, "list") && v->type == GR_ARRAY) {
		gr_cel_value *items = gr_arena_alloc(a, (v->u.a.len + 1) * sizeof *items);
		for (size_t i = 0; i < v->u.a.len; i++)
			if (cel_decode_value(a, &v->u.a.items[i], &items[i]) < 0)
				return -1;
		*out = gr_cel_make_list(a, items, v->u.a.len);
		return 0;
	}
	if (!strcmp(k, "map") && v->type == GR_ARRAY) {
		size_t n = v->u.a.len;
		gr_cel_value *keys = gr_arena_alloc(a, (n + 1) * sizeof *keys);
		gr_cel_value *vals = gr_arena_alloc(a, (n + 1) * sizeof *vals);
		for (size_t i = 0; i < n; i++) {
			const gr_value *pair = &v->u.a.items[i];
			if (!gr_is(pair, GR_ARRAY) || pair->u.a.len != 2)
				return -1;
			if (cel_decode_value(a, &pair->u.a.items[0], &keys[i]) < 0 ||
			    cel_decode_value(a, &pair->u.a.items[1], &vals[i]) < 0)
				return -1;
		}
		*out = gr_cel_make_map(a, keys, vals, n);
		return 0;
	}
	if (!strcmp(k, "type") && v->type == GR_STRING) {
		const char *t = cel_type_name_static(v->u.s.ptr);
		if (!t)
			return -1;
		*out = gr_cel_type(t);
		return 0;
	}
	if (!strcmp(k, "timestamp") && v->type == GR_STRING) {
		int64_t s;
		int32_t ns;
		if (gr_cel_parse_timestamp(v->u.s.ptr, v->u.s.len, &s, &ns) < 0)
			return -1;
		*out = gr_cel_timestamp(s, ns);
		return 0;
	}
	if (!strcmp(k, "duration") && v->type == GR_STRING) {
		int64_t d;
		if (gr_cel_parse_duration(v->u.s.ptr, v->u.s.len, &d) < 0)
			return -1;
		*out = gr_cel_duration(d);
		return 0;
	}
	if (!strcmp(k, "optional")) {
		if (v->type == GR_NULL) {
			*out = gr_cel_optional(a, NULL);
			return 0;
		}
		gr_cel_value inner;
		if (cel_decode_value(a, v, &inner) < 0)
			return -1;
		*out = gr_cel_optional(a, &inner);
		return 0;
	}
	return -1;
}

/* Same kinds all the way down, CEL-equal values, NaN matches NaN. */
__attribute__((unused)) static int cel_strict_equal(const gr_cel_value *x, const gr_cel_value *y)
{
	if (x->kind != y->kind)
		return 0;
	switch (x->kind) {
	case GR_CEL_DOUBLE:
		if (isnan(x->u.d) && isnan(y->u.d))
			return 1;
		return x->u.d == y->u.d && signbit(x->u.d) == signbit(y->u.d);
	case GR_CEL_LIST: {
		size_t n = gr_cel_size(x);
		if (n != gr_cel_size(y))
			return 0;
		for (size_t i = 0; i < n; i++) {
			gr_cel_value a = gr_cel_list_at(x, i), b = gr_cel_list_at(y, i);
			if (!cel_strict_equal(&a, &b))
				return 0;
		}
		return 1;
	}
	case GR_CEL_MAP: {
		size_t n = gr_cel_size(x);
		if (n != gr_cel_size(y))
			return 0;
		for (size_t i = 0; i < n; i++) {
			gr_cel_value k, v;
			gr_cel_map_entry(x, i, &k, &v);
			size_t j;
			for (j = 0; j < n; j++) {
				gr_cel_value k2, v2;
				gr_cel_map_entry(y, j, &k2, &v2);
				if (cel_strict_equal(&k, &k2)) {
					if (!cel_strict_equal(&v, &v2))
						return 0;
					break;
				}
			}
			if (j == n)
				return 0;
		}
		return 1;
	}
	case GR_CEL_OPTIONAL:
		if (!x->u.opt || !y->u.opt)
			return x->u.opt == y->u.opt;
		return cel_strict_equal(x->u.opt, y->u.opt);
	default: return gr_cel_equal(x, y);
	}
}

__attribute__((unused)) static const char *cel_show(gr_buf *b, const gr_cel_value *v)
{
	gr_buf_reset(b);
	if (v->kind == GR_CEL_ERROR) {
		gr_buf_printf(b, "error(%.*s)", (int)v->u.s.len, v->u.s.ptr);
	} else {
		gr_buf_printf(b, "%s:", gr_cel_type_name(v));
		gr_cel_write_json(b, v);
	}
	return b->data ? b->data : "";
}

#endif
