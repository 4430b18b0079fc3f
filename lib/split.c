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
	const char *p = data, *end = data + len, *start = data;
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
				c[count++] = (gr_chunk){(size_t)(start - data), (size_t)(p - start), start_line, index++};
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
