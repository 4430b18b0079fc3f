/*
 * decode_util.c — what the YAML and JSON readers share: limits, the scratch
 * stack, the memory budget, numbers read in the C locale, the keyed hash
 * behind duplicate-key and merge-key lookups, and the byte-order-mark
 * handling that turns UTF-16 input into UTF-8 the way kubectl does.
 *
 * The hash is SipHash-2-4 under a key drawn once per process from the
 * kernel, so a hostile document cannot be built to make every key collide.
 * Nothing observable depends on the key: lookups compare the keys
 * themselves, and the first repeated key is found in source order.
 */
#include <locale.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

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
		return gr_error_set(err, 1, 1, "input of %zu bytes exceeds the limit of %zu", len,
		                    limits->max_bytes),
		       gr_error_mark(err, GR_ERR_SIZE);
	return 0;
}

void *gr_stack_push(gr_stack *s, size_t size)
{
	if (s->len + size > s->cap) {
		/* Grow by half: the scratch stack counts against the memory
		 * budget, and doubling would leave up to half of it unused. */
		size_t cap = s->cap ? s->cap : 4096;
		while (cap < s->len + size)
			cap += cap / 2;
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

/* ---- memory budget ---- */

void gri_budget_init(gri_budget *b, gr_arena *a, size_t input_len, const gr_decode_limits *limits)
{
	size_t factor = limits->max_memory_factor ? limits->max_memory_factor : 16;
	/* Fixed costs (the scratch stack's first 4 KiB, a few nodes for a
	 * one-line document) get a constant allowance. */
	size_t slack = 65536;
	b->arena = a;
	b->used0 = a->used;
	b->limit = input_len > SIZE_MAX / 2 / factor ? SIZE_MAX / 2 : input_len * factor + slack;
	b->factor = factor;
}

int gri_budget_fail(const gri_budget *b, gr_error *err, uint32_t line, uint32_t column)
{
	return gr_error_set(err, line, column,
	                    "document too dense: its value tree needs more than %zu bytes of memory per "
	                    "input byte "
	                    "(over %zu bytes)",
	                    b->factor, b->limit),
	       gr_error_mark(err, GR_ERR_SIZE);
}

/* ---- numbers in the C locale ---- */

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static void c_locale_init(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

double gri_strtod(const char *s, char **end)
{
	pthread_once(&c_locale_once, c_locale_init);
	if (c_locale)
		return strtod_l(s, end, c_locale);
	return strtod(s, end); /* newlocale failed: only under memory exhaustion */
}

float gri_strtof(const char *s, char **end)
{
	pthread_once(&c_locale_once, c_locale_init);
	if (c_locale)
		return strtof_l(s, end, c_locale);
	return strtof(s, end);
}

/* ---- SipHash-2-4 with a per-process key ---- */

static uint64_t sip_k0, sip_k1;
static pthread_once_t sip_once = PTHREAD_ONCE_INIT;

static void sip_init(void)
{
	uint64_t k[2];
	if (getrandom(k, sizeof k, GRND_NONBLOCK) != (ssize_t)sizeof k) {
		/* No entropy yet (early boot): still differ between processes. */
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		k[0] = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ULL ^ (uint64_t)(uintptr_t)&ts;
		k[1] = (uint64_t)ts.tv_sec * 0xC2B2AE3D27D4EB4FULL ^ (uint64_t)(uintptr_t)k;
	}
	sip_k0 = k[0];
	sip_k1 = k[1];
}

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                             \
	do {                                                                                                 \
		v0 += v1;                                                                                    \
		v1 = ROTL(v1, 13);                                                                           \
		v1 ^= v0;                                                                                    \
		v0 = ROTL(v0, 32);                                                                           \
		v2 += v3;                                                                                    \
		v3 = ROTL(v3, 16);                                                                           \
		v3 ^= v2;                                                                                    \
		v0 += v3;                                                                                    \
		v3 = ROTL(v3, 21);                                                                           \
		v3 ^= v0;                                                                                    \
		v2 += v1;                                                                                    \
		v1 = ROTL(v1, 17);                                                                           \
		v1 ^= v2;                                                                                    \
		v2 = ROTL(v2, 32);                                                                           \
	} while (0)

uint64_t gri_keyed_hash(const void *data, size_t n)
{
	pthread_once(&sip_once, sip_init);
	const unsigned char *p = data;
	uint64_t v0 = sip_k0 ^ 0x736f6d6570736575ULL, v1 = sip_k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = sip_k0 ^ 0x6c7967656e657261ULL, v3 = sip_k1 ^ 0x7465646279746573ULL;
	const unsigned char *end = p + (n & ~(size_t)7);
	for (; p < end; p += 8) {
		uint64_t m;
		memcpy(&m, p, 8); /* little-endian hosts only, as the rest of the tree */
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	uint64_t b = (uint64_t)n << 56;
	switch (n & 7) {
	case 7: b |= (uint64_t)p[6] << 48; /* fall through */
	case 6: b |= (uint64_t)p[5] << 40; /* fall through */
	case 5: b |= (uint64_t)p[4] << 32; /* fall through */
	case 4: b |= (uint64_t)p[3] << 24; /* fall through */
	case 3: b |= (uint64_t)p[2] << 16; /* fall through */
	case 2: b |= (uint64_t)p[1] << 8;  /* fall through */
	case 1: b |= (uint64_t)p[0]; break;
	case 0: break;
	}
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* ---- key sets ---- */

int gri_keyset_init(gri_keyset *s, const gr_member *base, size_t max_entries)
{
	size_t cap = 16;
	while (cap < max_entries * 2)
		cap *= 2;
	s->slots = malloc(cap * sizeof *s->slots);
	if (!s->slots)
		return -1;
	memset(s->slots, 0xff, cap * sizeof *s->slots);
	s->mask = cap - 1;
	s->base = base;
	return 0;
}

void gri_keyset_free(gri_keyset *s)
{
	free(s->slots);
	s->slots = NULL;
}

static int same_key(const gr_member *m, const char *key, size_t len)
{
	return m->key_len == len && m->key_head == gr_key_head(key, len) && memcmp(m->key, key, len) == 0;
}

size_t gri_keyset_find(const gri_keyset *s, const char *key, size_t len)
{
	size_t h = (size_t)gri_keyed_hash(key, len) & s->mask;
	for (; s->slots[h] != (size_t)-1; h = (h + 1) & s->mask)
		if (same_key(&s->base[s->slots[h]], key, len))
			return s->slots[h];
	return (size_t)-1;
}

size_t gri_keyset_insert(gri_keyset *s, size_t idx)
{
	const gr_member *m = &s->base[idx];
	size_t h = (size_t)gri_keyed_hash(m->key, m->key_len) & s->mask;
	for (; s->slots[h] != (size_t)-1; h = (h + 1) & s->mask)
		if (same_key(&s->base[s->slots[h]], m->key, m->key_len))
			return s->slots[h];
	s->slots[h] = idx;
	return (size_t)-1;
}

size_t gr_find_duplicate_key(const gr_member *m, size_t n)
{
	if (n < 2)
		return (size_t)-1;
	if (n <= 24) {
		for (size_t i = 1; i < n; i++)
			for (size_t j = 0; j < i; j++)
				if (m[i].key_len == m[j].key_len && m[i].key_head == m[j].key_head &&
				    memcmp(m[i].key, m[j].key, m[i].key_len) == 0)
					return i;
		return (size_t)-1;
	}
	gri_keyset s;
	if (gri_keyset_init(&s, m, n))
		return GRI_NO_MEMORY;
	size_t dup = (size_t)-1;
	for (size_t i = 0; i < n && dup == (size_t)-1; i++)
		if (gri_keyset_insert(&s, i) != (size_t)-1)
			dup = i;
	gri_keyset_free(&s);
	return dup;
}

/* ---- byte order marks ---- */

gri_encoding gri_detect_encoding(const char *data, size_t len)
{
	const unsigned char *d = (const unsigned char *)data;
	if (len >= 4 && ((d[0] == 0 && d[1] == 0 && d[2] == 0xFE && d[3] == 0xFF) ||
	                 (d[0] == 0xFF && d[1] == 0xFE && d[2] == 0 && d[3] == 0)))
		return GRI_ENC_UTF32;
	if (len >= 2 && d[0] == 0xFF && d[1] == 0xFE)
		return GRI_ENC_UTF16LE;
	if (len >= 2 && d[0] == 0xFE && d[1] == 0xFF)
		return GRI_ENC_UTF16BE;
	if (len >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF)
		return GRI_ENC_UTF8_BOM;
	return GRI_ENC_UTF8;
}

static size_t put_utf8(unsigned char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/*
 * kubectl reads every file through golang.org/x/text's
 * unicode.BOMOverride(unicode.UTF8.NewDecoder()): a UTF-16 BOM switches to
 * UTF-16 of that byte order (unpaired surrogates and an odd last byte become
 * U+FFFD), a UTF-8 BOM is dropped. It knows no UTF-32 BOM: UTF-32LE starts
 * like UTF-16LE and then yields NUL characters, UTF-32BE reads as UTF-8 with
 * NUL bytes, and both fail to parse. So UTF-32 is an error here too, with a
 * message that says what the file is.
 */
int gri_transcode(gr_arena *a, const char *data, size_t len, const char **out, size_t *out_len, gr_error *err)
{
	*out = data;
	*out_len = len;
	gri_encoding enc = gri_detect_encoding(data, len);
	if (enc == GRI_ENC_UTF8 || enc == GRI_ENC_UTF8_BOM)
		return 0; /* both readers skip a UTF-8 BOM themselves */
	if (enc == GRI_ENC_UTF32)
		return gr_error_set(err, 1, 1,
		                    "UTF-32 input (byte order mark %s): kubectl reads UTF-8 and UTF-16 only",
		                    data[0] ? "FF FE 00 00" : "00 00 FE FF"),
		       gr_error_mark(err, GR_ERR_ENCODING);
	const unsigned char *d = (const unsigned char *)data + 2;
	size_t n = len - 2;
	int be = enc == GRI_ENC_UTF16BE;
	/* Each 2-byte unit gives at most 3 bytes; a pair 4 bytes for 4. */
	unsigned char *o = gr_arena_alloc(a, n / 2 * 3 + 4);
	if (!o)
		return gr_error_set(err, 0, 0, "out of memory");
	size_t k = 0, i = 0;
	while (i + 1 < n) {
		uint32_t u = be ? (uint32_t)(d[i] << 8 | d[i + 1]) : (uint32_t)(d[i + 1] << 8 | d[i]);
		i += 2;
		if (u >= 0xD800 && u <= 0xDBFF && i + 1 < n) {
			uint32_t lo =
			        be ? (uint32_t)(d[i] << 8 | d[i + 1]) : (uint32_t)(d[i + 1] << 8 | d[i]);
			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				i += 2;
				k += put_utf8(o + k, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
				continue;
			}
		}
		if (u >= 0xD800 && u <= 0xDFFF)
			u = 0xFFFD;
		k += put_utf8(o + k, u);
	}
	if (i < n)
		k += put_utf8(o + k, 0xFFFD);
	*out = (const char *)o;
	*out_len = k;
	return 0;
}
