/*
 * internal.h — helpers shared by the decoders, not part of the public API.
 */
#ifndef GUARDRAIL_INTERNAL_H
#define GUARDRAIL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "guardrail/decode.h"
#include "guardrail/value.h"

/* FNV-1a: continue hash h (start from GR_HASH_SEED) over n bytes. Unkeyed:
 * for trusted data (schemas, cache keys) only; anything a document chooses
 * goes through gri_keyed_hash. */
#define GR_HASH_SEED 1469598103934665603ULL
static inline uint64_t gr_hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* Bytes eight at a time, under k (unkeyed otherwise: trusted data, or a
 * table whose order nothing shows): a CRD's digest (crdprune.c) and the
 * string table of a blob (valblob.c), where FNV's byte loop cost more than
 * copying the tree. */
static inline uint64_t gri_hash_words(const char *p, size_t n, uint64_t k)
{
	uint64_t h = 0x243f6a8885a308d3ULL ^ n ^ k;
	for (; n >= 8; p += 8, n -= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 31;
	}
	if (n)
		h = (h ^ gr_load_prefix(p, n)) * 0x9e3779b97f4a7c15ULL;
	return h;
}

/* Is kind served cluster-wide (Namespace, ClusterRole, StorageClass, ...)?
 * (object.c) */
bool gri_kind_cluster_scoped(const char *kind);

/* A metav1.LabelSelector's matchLabels and matchExpressions over a labels
 * map (NULL: no labels); an operator other than In, NotIn, Exists and
 * DoesNotExist fails the match when unknown_op_fails, else is ignored.
 * (object.c) */
bool gri_label_selector_matches(const gr_value *sel, const gr_value *labels, bool unknown_op_fails);

/* Does p point into one of a's chunks? (arena.c) */
bool gri_arena_owns(const gr_arena *a, const void *p);
/* Move every chunk of from into to (what was allocated in from lives as
 * long as to); from is left empty. */
void gri_arena_adopt(gr_arena *to, gr_arena *from);

/* A point in an arena to go back to: every allocation made after
 * gri_arena_mark is undone by gri_arena_rollback (chunks obtained since are
 * freed), so an attempt that gives up leaves no memory behind. */
typedef struct gri_arena_mark {
	gr_arena_chunk *head, *after; /* the chunk being filled, and the one after it */
	size_t off, used, reserved;
} gri_arena_mark;
gri_arena_mark gri_arena_mark_get(const gr_arena *a);
void gri_arena_rollback(gr_arena *a, const gri_arena_mark *m);

/*
 * The YAML reader's direct path (yaml/reader.c): one piece of a stream (see
 * gr_split_yaml) holding one document of the usual block shape -- block
 * mappings with plain or quoted keys, block sequences, scalars of every
 * style, empty flow collections, comments -- read straight into a value
 * tree in a, without events. 1 and *root (a mapping or a sequence) when it
 * read the document; 0 when the document needs the events path (anchors,
 * tags, flow collections, errors, limits, anything unusual), having
 * allocated from a what the caller then rolls back. The trees are those of
 * the events path, positions included.
 */
struct gri_budget;
int gri_yaml_read_tree(const char *data, size_t len, gr_arena *a, const struct gri_budget *budget,
                       size_t max_depth, uint32_t line0, gr_value *root);
/* An untagged plain scalar to a value as the events builder makes it
 * (yaml.c); 1 when the direct path must give the document up. */
int gri_yaml_plain(gr_arena *a, const char *s, size_t n, int key, gr_value *v);
/* gr_read_file, also telling whether path is a regular file (one that can
 * be read again: a pipe, a FIFO or a terminal cannot). */
int gri_read_file_regular(const char *path, size_t max_bytes, char **data, size_t *len, bool *is_regular,
                          gr_error *err);

/* SipHash-2-4 of n bytes under a per-process random key (decode_util.c). */
uint64_t gri_keyed_hash(const void *p, size_t n);

/* strtod and strtof in the C locale, whatever LC_NUMERIC says. */
double gri_strtod(const char *s, char **end);
float gri_strtof(const char *s, char **end);

/* limits, or the defaults written into *def when limits is NULL. */
const gr_decode_limits *gr_limits_or_default(const gr_decode_limits *limits, gr_decode_limits *def);
/* 0, or -1 with err set (at 1:1) when len is over limits->max_bytes. */
int gr_check_input_size(size_t len, const gr_decode_limits *limits, gr_error *err);

/*
 * Scratch stack used while a collection is open: children are pushed here
 * and copied into the arena in one piece when the collection closes, so
 * arrays and objects end up contiguous without knowing their size up front.
 */
typedef struct gr_stack {
	unsigned char *data;
	size_t len, cap; /* bytes */
} gr_stack;

void *gr_stack_push(gr_stack *s, size_t size); /* NULL on allocation failure */
void gr_stack_free(gr_stack *s);

/*
 * Index of the first member whose key repeats an earlier one, or (size_t)-1.
 * Linear for small objects, hashed for large ones, so a hostile object with
 * a million keys costs linear time.
 */
size_t gr_find_duplicate_key(const gr_member *m, size_t n);
#define GRI_NO_MEMORY ((size_t)-2) /* gr_find_duplicate_key could not allocate */

/*
 * A set of members' keys, as indexes into one array that must not move
 * while the set lives. Lookups hash with gri_keyed_hash.
 */
typedef struct gri_keyset {
	size_t *slots;
	size_t mask;
	const gr_member *base;
} gri_keyset;

int gri_keyset_init(gri_keyset *s, const gr_member *base, size_t max_entries); /* -1 on ENOMEM */
/* Add base[idx]; returns the index of an earlier member with the same key
 * (and adds nothing), or (size_t)-1. */
size_t gri_keyset_insert(gri_keyset *s, size_t idx);
size_t gri_keyset_find(const gri_keyset *s, const char *key, size_t len);
void gri_keyset_free(gri_keyset *s);

/*
 * Memory budget of one decode: arena bytes handed out since the start plus
 * the scratch stack's capacity may not pass `factor` times the input length
 * (plus a small allowance), so hostile input fails with a clear error instead
 * of taking memory out of proportion to its size.
 */
typedef struct gri_budget {
	gr_arena *arena;
	size_t used0, limit, factor;
} gri_budget;

void gri_budget_init(gri_budget *b, gr_arena *a, size_t input_len, const gr_decode_limits *limits);
static inline int gri_budget_over(const gri_budget *b, size_t scratch)
{
	return b->arena->used - b->used0 + scratch > b->limit;
}
int gri_budget_fail(const gri_budget *b, gr_error *err, uint32_t line, uint32_t column);

/* Encoding announced by a byte order mark. */
typedef enum gri_encoding {
	GRI_ENC_UTF8, /* no BOM */
	GRI_ENC_UTF8_BOM,
	GRI_ENC_UTF16LE,
	GRI_ENC_UTF16BE,
	GRI_ENC_UTF32 /* either byte order */
} gri_encoding;

gri_encoding gri_detect_encoding(const char *data, size_t len);
/* UTF-16 with BOM to UTF-8 in the arena, as kubectl converts it; *out is
 * data itself for UTF-8. UTF-32 is an error (kubectl cannot read it). */
int gri_transcode(gr_arena *a, const char *data, size_t len, const char **out, size_t *out_len,
                  gr_error *err);

/* JSON values one after another (json.c); see decode_text in yaml.c. */
int gri_decode_json_stream(gr_arena *a, const char *data, size_t len, const gr_decode_limits *limits,
                           gr_stack *docstack, size_t *good_end, size_t *count, int *fatal, gr_error *err);

/* ---- YAML scalars as go-yaml v2 and sigs.k8s.io/yaml read them (yaml_resolve.c) ---- */

typedef enum gri_rkind {
	GRI_R_STR = 0,
	GRI_R_NULL,
	GRI_R_BOOL,
	GRI_R_INT,       /* fits int64 */
	GRI_R_UINT,      /* over int64, fits uint64 */
	GRI_R_FLOAT,     /* finite, or .inf/.nan from the word table */
	GRI_R_TIMESTAMP, /* stays its text */
	GRI_R_MERGE,     /* the plain scalar << */
	GRI_R_BINARY     /* !!binary: base64 to decode */
} gri_rkind;

typedef struct gri_resolved {
	gri_rkind kind;
	bool b;
	int64_t i;
	uint64_t u;
	double d;
} gri_resolved;

/* go-yaml v2 resolve(tag, in); tag in short form ("" untagged, "!!int",
 * "!foo"). -1 with msg when the tag disagrees with the text. */
int gri_yaml_resolve(const char *tag, const char *in, size_t n, gri_resolved *r, char *msg, size_t msgcap);
/* An untagged plain scalar that resolves to a string whatever else it
 * holds, told by its first byte and length (most names, images, paths,
 * descriptions): no word of go-yaml's table and no number starts so. */
static inline bool gri_plain_is_string(const char *in, size_t n)
{
	char c = n ? in[0] : 'N';
	bool numeric = c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9');
	return !(numeric || c == '~' || c == 'y' || c == 'Y' || c == 'n' || c == 'N' || c == 't' ||
	         c == 'T' || c == 'f' || c == 'F' || c == 'o' || c == 'O') ||
	       (n > 5 && !numeric);
}
/* 1 when s is a timestamp by go-yaml v2's parseTimestamp. */
int gri_parse_timestamp(const char *s, size_t n);
/* !!binary content to its bytes (invalid UTF-8 bytes as U+FFFD, as
 * encoding/json writes them). -1: bad base64, or *err_oom set. */
int gri_decode_binary(gr_arena *a, const char *s, size_t n, const char **out, size_t *out_len, int *err_oom);
/* base64 (standard or URL alphabet; whitespace skipped; padding only at the
 * end) into a malloc'd NUL-terminated buffer. -1: bad input or no memory. */
int gri_base64_decode(const char *s, size_t len, char **out, size_t *outlen);
/* strconv.FormatFloat(d, 'g', -1, 32), with .inf/-.inf/.nan. */
size_t gri_format_float32(double d, char out[40]);

#endif
