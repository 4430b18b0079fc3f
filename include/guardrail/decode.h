/*
 * decode.h — YAML and JSON text to value trees, as kubectl decodes them.
 *
 * The input is read as kubectl's file reader reads it: a UTF-16 byte order
 * mark (either order) converts the text to UTF-8, a UTF-8 one is skipped,
 * UTF-32 is an error (kubectl cannot read it either). Then as apimachinery's
 * YAMLOrJSONDecoder: text whose first significant byte is '{' is a stream
 * of JSON values (concatenated or one per line, each a document);
 * when JSON fails before a second value was read, the rest is read again
 * as YAML (so `{a: 1}` is YAML), and the JSON error stands only if that
 * fails too.
 *
 * YAML follows sigs.k8s.io/yaml over go-yaml v2.4.0: YAML 1.1 resolution of
 * plain scalars and tags (yes/no/on/off are booleans, 0777 octal, 0x1F hex,
 * 1_000 an integer, an overflowing float like 1e400 a string, !!binary its
 * decoded bytes, a tag that disagrees an error), then the conversion to
 * JSON: integral floats become integers, .inf/.nan values and null keys are
 * errors, keys become strings. Duplicate keys are rejected; anchors,
 * aliases and << merge keys are allowed with an expansion limit. JSON goes
 * through a dedicated reader (faster than libyaml, strict RFC 8259).
 *
 * A YAML stream is first split at `---` lines as apimachinery's YAMLReader
 * splits it (gr_split_yaml), then each piece is decoded on its own: a bad
 * document fails alone and the others still decode. Documents that are empty
 * or only comments are dropped, but keep their place in the numbering, so
 * document indexes match what kubectl counts.
 *
 * Cost is bounded: besides the size, depth and alias limits, the value tree
 * of one piece may not need more than max_memory_factor (16) bytes per input
 * byte; hostile input past that fails with "document too dense" (GR_ERR_SIZE).
 * Numbers are read in the C locale whatever LC_NUMERIC says, and hashing of
 * keys is keyed per process; no result depends on either.
 */
#ifndef GUARDRAIL_DECODE_H
#define GUARDRAIL_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "guardrail/arena.h"
#include "guardrail/error.h"
#include "guardrail/value.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gr_document {
	gr_value root;
	unsigned index; /* 0-based position of the document in its stream */
} gr_document;

typedef struct gr_decode_limits {
	size_t max_depth;         /* nesting depth of collections; default 512 */
	size_t max_alias_nodes;   /* nodes reachable through aliases, per document; default 1,000,000 */
	size_t max_bytes;         /* input size; default 256 MiB */
	size_t max_memory_factor; /* value-tree bytes per input byte; default (and 0) 16 */
	int yaml_reader;          /* GR_YAML_READER_*; 0 is the default reader (our own) */
	/* YAML: a repeated key replaces the earlier value instead of failing the
	 * document (go-yaml v2's non-strict Unmarshal, as kube-linter loads
	 * files). Default false: strict, as the API server decodes. */
	bool duplicate_keys_last_wins;
} gr_decode_limits;

/* Which YAML reader decodes: guardrail's own (lib/yaml/, the default), or
 * libyaml (kept as the reference and as a fallback). Our own reader takes
 * a document of the usual block shape straight to its value tree, and any
 * other through its events; GR_YAML_READER_EVENTS makes it take every
 * document through its events, the reference the direct path is tested
 * against (the same trees, the same errors). */
enum {
	GR_YAML_READER_DEFAULT = 0,
	GR_YAML_READER_LIBYAML = 1,
	GR_YAML_READER_OWN = 2,
	GR_YAML_READER_EVENTS = 3
};

void gr_decode_limits_default(gr_decode_limits *l);

/* A piece of a YAML stream between separator lines. */
typedef struct gr_chunk {
	size_t offset, length; /* bytes of the input */
	uint32_t line;         /* 1-based line of its first byte */
	unsigned index;        /* 0-based document index */
} gr_chunk;

/* Split a stream into chunks (malloc'd array, caller frees). -1 on ENOMEM.
 * Input with a UTF-16 or UTF-32 byte order mark is one chunk, which
 * gr_decode_yaml_chunk converts and decodes whole (so callers that split
 * first need not know about encodings). */
int gr_split_yaml(const char *data, size_t len, gr_chunk **chunks, size_t *n);
/* Decode one chunk of data (positions are those of the whole input). */
int gr_decode_yaml_chunk(gr_arena *a, const char *data, size_t len, const gr_chunk *chunk,
                         const gr_decode_limits *limits, gr_document **docs, size_t *ndocs, gr_error *err);
/* True when the first significant byte is '{': a JSON stream, decoded whole
 * by gr_decode rather than split (a '[' is read as YAML, as kubectl does). */
int gr_looks_like_json(const char *data, size_t len);

/*
 * Decode a whole buffer: encoding, then a JSON stream or YAML (see above). On success fills *docs (arena
 * array) and *ndocs, returns 0. On error returns -1 with err describing the first failure; every document
 * that did decode is still returned in *docs and *ndocs, so callers report the rest. `limits` may be NULL for
 * defaults.
 */
int gr_decode(gr_arena *a, const char *data, size_t len, const gr_decode_limits *limits, gr_document **docs,
              size_t *ndocs, gr_error *err);

/* Force one syntax. */
int gr_decode_yaml(gr_arena *a, const char *data, size_t len, const gr_decode_limits *limits,
                   gr_document **docs, size_t *ndocs, gr_error *err);
/* Exactly one JSON value (surrounding whitespace allowed); UTF-16 with a
 * byte order mark is converted first. */
int gr_decode_json(gr_arena *a, const char *data, size_t len, const gr_decode_limits *limits, gr_value *out,
                   gr_error *err);

/* The default cap on one input (a file, standard input, a CRD or patch file). */
#define GR_INPUT_MAX_BYTES ((size_t)256 * 1024 * 1024)

/*
 * Helm's `# Source: <chart>/templates/<file>` comments. `helm template`
 * begins every document with the template it was rendered from; a source
 * map says, for a line of the rendered stream, which template and which
 * line of that template's output it is (line - the comment's line), as
 * kube-score reports them. Lines outside such a document map to nothing.
 * Only a comment among a document's leading comment and blank lines counts.
 */
typedef struct gr_source_span {
	uint32_t first, last; /* lines of the stream (inclusive) */
	uint32_t base;        /* the comment's line: mapped = line - base */
	const char *name;     /* the template, as Helm wrote it */
} gr_source_span;

typedef struct gr_source_map {
	gr_source_span *spans; /* in line order */
	size_t n;
	char *names; /* one block for every name */
} gr_source_map;

/* Build the map of a stream (m zeroed first); 0, or -1 when memory ran out
 * (m left empty). */
int gr_source_map_build(const char *data, size_t len, gr_source_map *m);
/* The template of a line (and its line there in *mapped), or NULL. */
const char *gr_source_map_find(const gr_source_map *m, uint32_t line, uint32_t *mapped);
void gr_source_map_free(gr_source_map *m);

/*
 * Read a whole input into a malloc'd, NUL-terminated buffer (caller frees);
 * -1 on error. Every path is opened once and read once: regular files have
 * their size checked before reading, pipes, FIFOs, sockets, /dev/stdin and
 * devices are read in chunks up to the limit. "-" is standard input (named
 * "<stdin>" in errors). max_bytes 0 means GR_INPUT_MAX_BYTES; there is no
 * unlimited read. Errors name the path in err->file and carry a kind:
 * GR_ERR_SIZE over the limit (never a silent empty or truncated read),
 * GR_ERR_IO when it cannot be opened or read, GR_ERR_NOMEM.
 */
int gr_read_file(const char *path, size_t max_bytes, char **data, size_t *len, gr_error *err);
/* The same from an open descriptor (not closed); name is for errors. */
int gr_read_fd(int fd, const char *name, size_t max_bytes, char **data, size_t *len, gr_error *err);

#ifdef __cplusplus
}
#endif

#endif
