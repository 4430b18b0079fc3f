/*
 * decode.h — YAML and JSON text to value trees, as Kubernetes decodes them.
 *
 * YAML follows sigs.k8s.io/yaml (go-yaml v2 underneath): YAML 1.1 resolution
 * of plain scalars (yes/no/on/off are booleans, 0777 octal, 0x1F hex,
 * 1_000 integers, .inf/.nan floats, ~ and null), duplicate keys rejected,
 * anchors, aliases and << merge keys allowed with an expansion limit.
 * JSON input goes through a dedicated reader (faster than libyaml, and
 * strict: RFC 8259).
 *
 * A YAML stream is first split at `---` lines as apimachinery's YAMLReader
 * splits it (gr_split_yaml), then each piece is decoded on its own: a bad
 * document fails alone and the others still decode. Documents that are empty
 * or only comments are dropped, but keep their place in the numbering, so
 * document indexes match what kubectl counts.
 */
#ifndef GUARDRAIL_DECODE_H
#define GUARDRAIL_DECODE_H

#include <stddef.h>

#include "guardrail/arena.h"
#include "guardrail/error.h"
#include "guardrail/value.h"

typedef struct gr_document {
	gr_value root;
	unsigned index; /* 0-based position of the document in its stream */
} gr_document;

typedef struct gr_decode_limits {
	size_t max_depth;        /* nesting depth of collections; default 512 */
	size_t max_alias_nodes;  /* nodes reachable through aliases, per document; default 1,000,000 */
	size_t max_bytes;        /* input size; default 256 MiB */
} gr_decode_limits;

void gr_decode_limits_default(gr_decode_limits *l);

/* A piece of a YAML stream between separator lines. */
typedef struct gr_chunk {
	size_t offset, length; /* bytes of the input */
	uint32_t line;         /* 1-based line of its first byte */
	unsigned index;        /* 0-based document index */
} gr_chunk;

/* Split a stream into chunks (malloc'd array, caller frees). -1 on ENOMEM. */
int gr_split_yaml(const char *data, size_t len, gr_chunk **chunks, size_t *n);
/* Decode one chunk of data (positions are those of the whole input). */
int gr_decode_yaml_chunk(gr_arena *a, const char *data, size_t len, const gr_chunk *chunk,
			 const gr_decode_limits *limits, gr_document **docs, size_t *ndocs, gr_error *err);
/* True when the first significant byte is '{' or '[' (one JSON value). */
int gr_looks_like_json(const char *data, size_t len);

/*
 * Decode a whole buffer. Detects JSON (first non-space byte '{' or '[') vs
 * YAML. On success fills *docs (arena array) and *ndocs, returns 0. On error
 * returns -1 with err describing the first failure; every document that did
 * decode is still returned in *docs and *ndocs, so callers report the rest.
 * `limits` may be NULL for defaults.
 */
int gr_decode(gr_arena *a, const char *data, size_t len, const gr_decode_limits *limits,
	      gr_document **docs, size_t *ndocs, gr_error *err);

/* Force one syntax. */
int gr_decode_yaml(gr_arena *a, const char *data, size_t len, const gr_decode_limits *limits,
		   gr_document **docs, size_t *ndocs, gr_error *err);
/* Exactly one JSON value (surrounding whitespace allowed). */
int gr_decode_json(gr_arena *a, const char *data, size_t len, const gr_decode_limits *limits,
		   gr_value *out, gr_error *err);

/* The default cap on one input (a file, standard input, a CRD or patch file). */
#define GR_INPUT_MAX_BYTES ((size_t)256 * 1024 * 1024)

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

#endif
