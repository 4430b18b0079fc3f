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
 * A stream decodes to a list of documents. Empty documents and documents
 * made only of comments are dropped, but document indexes count every `---`
 * separated document as the API machinery's YAML reader does, so that
 * reported document numbers match what a user counts in the file.
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

/*
 * Decode a whole buffer. Detects JSON (first non-space byte '{' or '[') vs
 * YAML. On success fills *docs (arena array) and *ndocs, returns 0. On error
 * returns -1 with err->line/column set; documents decoded before the error
 * are still returned in *docs and *ndocs so callers may report partial results.
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

/* Read a whole file into a malloc'd buffer (caller frees). -1 on error. */
int gr_read_file(const char *path, size_t max_bytes, char **data, size_t *len, gr_error *err);

#endif
