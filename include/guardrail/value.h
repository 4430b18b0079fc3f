/*
 * value.h — the one generic tree every input decodes into.
 *
 * null, bool, int64, double, string, array, object (members kept in source
 * order). Every node carries the 1-based line and column where it starts in
 * its source (0 when it was built in memory rather than decoded). Nodes live
 * in a gr_arena and are never freed one by one.
 *
 * Arrays and objects hold their children inline (gr_value items[n],
 * gr_member members[n]) for locality; a YAML alias copies the aliased node's
 * struct, so the subtree below it is shared, not duplicated.
 *
 * Strings are NUL-terminated for convenience but carry their length: JSON
 * may put U+0000 inside a string.
 */
#ifndef GUARDRAIL_VALUE_H
#define GUARDRAIL_VALUE_H

#include <string.h>

#include "guardrail/defs.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guardrail/arena.h"
#include "guardrail/buf.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gr_type { GR_NULL = 0, GR_BOOL, GR_INT, GR_DOUBLE, GR_STRING, GR_ARRAY, GR_OBJECT } gr_type;

typedef struct gr_value gr_value;
typedef struct gr_member gr_member;

struct gr_value {
	uint8_t type; /* gr_type */
	/* A YAML mapping built with `<<` merge keys: how many (at most 255).
	 * Its members are the merged result; the `<<` keys themselves (key
	 * "<<", their source position, the merge source as value) follow at
	 * members[len] .. members[len + merge_keys - 1], for readers that need
	 * the mapping as written (kube-linter's sorted-keys). 0 for every
	 * other node; whoever builds an object node sets it (0). */
	uint8_t merge_keys;
	uint32_t line;
	uint32_t column;
	union {
		bool b;
		int64_t i;
		double d;
		struct {
			const char *ptr;
			size_t len;
		} s;
		struct {
			gr_value *items;
			size_t len;
		} a;
		struct {
			gr_member *members;
			size_t len;
		} o;
	} u;
};

struct gr_member {
	const char *key; /* NUL-terminated */
	size_t key_len;
	uint64_t key_head; /* the key's first 8 bytes, zero-padded (gr_key_head) */
	uint32_t line;     /* position of the key */
	uint32_t column;
	gr_value value;
};

/*
 * Member lookup compares key_head and key_len first, so most members are
 * rejected without following the key pointer (a cache miss per member on a
 * large tree). Whoever builds a member sets all three with gr_member_set_key;
 * copying a member copies its head.
 */
/* The first n bytes at p (n <= 8) as memcpy puts them in a zeroed uint64_t,
 * without memcpy's call for a length not known at compile time (a call
 * per key was 2% of a corpus run): two overlapping loads, or three bytes. */
static inline uint64_t gr_load_prefix(const char *p, size_t n)
{
	uint64_t h = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const unsigned char *b = (const unsigned char *)p;
	if (n >= 8) {
		memcpy(&h, b, 8);
	} else if (n >= 4) {
		uint32_t lo, hi;
		memcpy(&lo, b, 4);
		memcpy(&hi, b + n - 4, 4);
		h = lo | (uint64_t)hi << (8 * (n - 4));
	} else if (n) {
		h = b[0] | (uint64_t)b[n / 2] << (8 * (n / 2)) | (uint64_t)b[n - 1] << (8 * (n - 1));
	}
#else
	memcpy(&h, p, n < 8 ? n : 8);
#endif
	return h;
}

static inline uint64_t gr_key_head(const char *key, size_t len)
{
	return gr_load_prefix(key, len);
}
static inline void gr_member_set_key(gr_member *m, const char *key, size_t len)
{
	m->key = key;
	m->key_len = len;
	m->key_head = key ? gr_key_head(key, len) : 0;
}

/* A shared, immutable null (for "missing" results that must be a value). */
extern const gr_value gr_null_value;

const char *gr_type_name(gr_type t); /* "null", "boolean", "integer", "number", "string", "array", "object" */

static inline bool gr_is(const gr_value *v, gr_type t)
{
	return v && v->type == t;
}
static inline bool gr_is_number(const gr_value *v)
{
	return v && (v->type == GR_INT || v->type == GR_DOUBLE);
}
static inline double gr_number(const gr_value *v)
{
	return v->type == GR_INT ? (double)v->u.i : v->u.d;
}

/* Object member lookup; NULL when v is not an object or has no such key.
 * gr_get and gr_get_str are inline so that the length of a literal key is
 * folded at compile time (they are called millions of times per run). */
const gr_member *gr_get_member(const gr_value *v, const char *key, size_t key_len);
static inline const gr_value *gr_getn(const gr_value *v, const char *key, size_t key_len)
{
	const gr_member *m = gr_get_member(v, key, key_len);
	return m ? &m->value : NULL;
}
static inline const gr_value *gr_get(const gr_value *v, const char *key)
{
	return gr_getn(v, key, strlen(key));
}
/* String of member key, or NULL if absent or not a string. */
static inline const char *gr_get_str(const gr_value *v, const char *key)
{
	const gr_value *s = gr_get(v, key);
	return s && s->type == GR_STRING ? s->u.s.ptr : NULL;
}
/* Follow a dotted path of object keys: gr_get_path(obj, "metadata", "name", NULL). */
const gr_value *gr_get_path(const gr_value *v, ...) GR_SENTINEL;
/* Array item, or NULL when out of range or not an array. */
const gr_value *gr_at(const gr_value *v, size_t index);

/* Constructors (arena-allocated where storage is needed; never fail for scalars). */
gr_value gr_make_null(void);
gr_value gr_make_bool(bool b);
gr_value gr_make_int(int64_t i);
gr_value gr_make_double(double d);
/* Copies s into the arena. type == GR_NULL on exhaustion. */
gr_value gr_make_string(gr_arena *a, const char *s, size_t len);
/* Points at s without copying (s must outlive the value). */
gr_value gr_make_string_ref(const char *s, size_t len);
/* Array/object with room for n children, len set to n, children zeroed (null). */
gr_value gr_make_array(gr_arena *a, size_t n);
gr_value gr_make_object(gr_arena *a, size_t n);

/* Deep equality as JSON values (1 == 1.0; object member order ignored). */
bool gr_equal(const gr_value *a, const gr_value *b);
/* JSON truthiness in the JMESPath sense is in jmespath; this is plain. */

/*
 * JSON text. gr_write_json appends a JSON rendering to b; indent < 0 gives
 * compact output, indent >= 0 pretty-prints with that many spaces per level.
 * Doubles are written with the shortest representation that round-trips;
 * integral doubles print without a fraction (1.0 -> 1) as Go's encoder does.
 */
void gr_write_json(gr_buf *b, const gr_value *v, int indent);

#ifdef __cplusplus
}
#endif

#endif
