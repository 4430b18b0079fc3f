/*
 * split.c — a YAML stream into documents the way apimachinery's YAMLReader
 * splits it, before any parsing: a line that starts with `---` followed by
 * nothing but blanks or a comment ends a document. Empty pieces (two
 * separators in a row, a separator on the first line) are not documents,
 * so document indexes match what kubectl counts.
 *
 * Splitting first lets one bad document fail alone, lets a caller decode
 * only the documents it wants (the CRDs of a large file), and keeps YAML
 * anchors within their document as Kubernetes does.
 *
 * kubectl drops a UTF-8 byte order mark before splitting, so `---` right
 * after one is a separator. Input with a UTF-16 or UTF-32 byte order mark
 * is one chunk: gr_decode_yaml_chunk converts it whole and splits the
 * converted text itself.
 */
#include <stdlib.h>
#include <string.h>

#include "guardrail/decode.h"

static int is_separator(const char *p, const char *line_end)
{
	if (line_end - p < 3 || p[0] != '-' || p[1] != '-' || p[2] != '-')
		return 0;
	for (const char *q = p + 3; q < line_end; q++) {
		if (*q == '#')
			return 1;
		if (*q != ' ' && *q != '\t' && *q != '\r' && *q != '\n')
			return 0; /* `--- content`: a document start inside the piece */
	}
	return 1;
}

int gr_split_yaml(const char *data, size_t len, gr_chunk **chunks, size_t *n)
{
	size_t cap = 8, count = 0;
	gr_chunk *c = malloc(cap * sizeof *c);
	if (!c)
		return -1;
	const unsigned char *u = (const unsigned char *)data;
	if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF) ||
	                 (len >= 4 && u[0] == 0 && u[1] == 0 && u[2] == 0xFE && u[3] == 0xFF))) {
		c[0] = (gr_chunk){0, len, 1, 0};
		*chunks = c;
		*n = 1;
		return 0;
	}
	size_t bom = len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF ? 3 : 0;
	const char *p = data + bom, *end = data + len, *start = data + bom;
	uint32_t line = 1, start_line = 1;
	unsigned index = 0;
	for (;;) {
		const char *nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
		const char *line_end = nl ? nl + 1 : end;
		int at_end = p >= end;
		int sep = !at_end && is_separator(p, line_end);
		if (at_end || sep) {
			if (p > start) {
				if (count == cap) {
					cap *= 2;
					gr_chunk *nc = realloc(c, cap * sizeof *nc);
					if (!nc) {
						free(c);
						return -1;
					}
					c = nc;
				}
				c[count++] = (gr_chunk){(size_t)(start - data), (size_t)(p - start),
				                        start_line, index++};
			}
			if (at_end)
				break;
			start = line_end;
			start_line = line + 1;
		}
		p = line_end;
		line++;
	}
	*chunks = c;
	*n = count;
	return 0;
}
