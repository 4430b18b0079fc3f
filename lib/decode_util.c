/* decode_util.c — scratch stack and duplicate-key detection for the decoders. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const gr_decode_limits *gr_limits_or_default(const gr_decode_limits *limits, gr_decode_limits *def)
{
	if (limits)
		return limits;
	gr_decode_limits_default(def);
	return def;
}

int gr_check_input_size(size_t len, const gr_decode_limits *limits, gr_error *err)
{
	if (limits->max_bytes && len > limits->max_bytes)
		return gr_error_set(err, 1, 1, "input of %zu bytes exceeds the limit of %zu", len, limits->max_bytes),
		       gr_error_mark(err, GR_ERR_SIZE);
	return 0;
}

void *gr_stack_push(gr_stack *s, size_t size)
{
	if (s->len + size > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		while (cap < s->len + size)
			cap *= 2;
		unsigned char *d = realloc(s->data, cap);
		if (!d)
			return NULL;
		s->data = d;
		s->cap = cap;
	}
	void *p = s->data + s->len;
	s->len += size;
	return p;
}

void gr_stack_free(gr_stack *s)
{
	free(s->data);
	memset(s, 0, sizeof *s);
}

size_t gr_find_duplicate_key(const gr_member *m, size_t n)
{
	if (n < 2)
		return (size_t)-1;
	if (n <= 24) {
		for (size_t i = 1; i < n; i++)
			for (size_t j = 0; j < i; j++)
				if (m[i].key_len == m[j].key_len &&
				    memcmp(m[i].key, m[j].key, m[i].key_len) == 0)
					return i;
		return (size_t)-1;
	}
	size_t cap = 64;
	while (cap < n * 2)
		cap *= 2;
	size_t *slots = malloc(cap * sizeof *slots);
	if (!slots)
		return (size_t)-1;
	for (size_t i = 0; i < cap; i++)
		slots[i] = (size_t)-1;
	size_t dup = (size_t)-1;
	for (size_t i = 0; i < n && dup == (size_t)-1; i++) {
		size_t h = (size_t)gr_hash_bytes(GR_HASH_SEED, m[i].key, m[i].key_len) & (cap - 1);
		while (slots[h] != (size_t)-1) {
			const gr_member *o = &m[slots[h]];
			if (o->key_len == m[i].key_len && memcmp(o->key, m[i].key, o->key_len) == 0) {
				dup = i;
				break;
			}
			h = (h + 1) & (cap - 1);
		}
		if (dup == (size_t)-1)
			slots[h] = i;
	}
	free(slots);
	return dup;
}
