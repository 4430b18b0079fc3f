/*
 * srcmap.c — Helm's `# Source:` comments as a map from lines of rendered
 * output to the templates they came from.
 *
 * `helm template` writes each document as
 *
 *     ---
 *     # Source: app/templates/deployment.yaml
 *     apiVersion: apps/v1
 *
 * so a finding at a line of the stream can be reported against the file a
 * chart author edits. The documents are the ones gr_split_yaml cuts (the
 * same the decoder reads); a comment counts only among a document's leading
 * comment and blank lines, never inside its content (a block scalar may hold
 * a line that looks like one).
 */
#include <stdlib.h>
#include <string.h>

#include "guardrail/decode.h"

static const char prefix[] = "# Source: ";

/* The end of the line that starts at p (its '\n', or end). */
static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	return nl ? nl : end;
}

/* A blank line, or a comment (leading blanks allowed). */
static int is_leading(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p == e || *p == '#';
}

/* The name of a `# Source: name` line, trimmed; NULL when it is not one. */
static const char *source_name(const char *p, const char *e, size_t *n)
{
	size_t k = sizeof prefix - 1;
	if ((size_t)(e - p) <= k || memcmp(p, prefix, k) != 0)
		return NULL;
	p += k;
	while (e > p && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e == p || memchr(p, '\0', (size_t)(e - p)))
		return NULL;
	*n = (size_t)(e - p);
	return p;
}

/* The name of the first `# Source:` line among the leading comment and
 * blank lines of the document [p, end) starting at line, with its length
 * and line; NULL when there is none. */
static const char *doc_source(const char *p, const char *end, uint32_t line, size_t *n, uint32_t *at)
{
	for (; p < end; line++) {
		const char *e = line_end(p, end);
		if (!is_leading(p, e))
			break;
		const char *name = source_name(p, e, n);
		if (name) {
			*at = line;
			return name;
		}
		p = e < end ? e + 1 : end;
	}
	return NULL;
}

/* The last line of the document [p, end) starting at line: its first plus
 * its line breaks (a break that ends it starts no line of its own). */
static uint32_t last_line(const char *p, const char *end, uint32_t line)
{
	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL && ++p < end)
		line++;
	return line;
}

int gr_source_map_build(const char *data, size_t len, gr_source_map *m)
{
	memset(m, 0, sizeof *m);
	gr_chunk *chunks;
	size_t nchunks;
	if (gr_split_yaml(data, len, &chunks, &nchunks))
		return -1;
	/* at most a span per document; names point into data until they are
	 * copied into one block (the caller may free data before the map) */
	size_t *lens = NULL, bytes = 0;
	if (nchunks &&
	    (!(m->spans = malloc(nchunks * sizeof *m->spans)) || !(lens = malloc(nchunks * sizeof *lens))))
		goto oom;
	for (size_t c = 0; c < nchunks; c++) {
		const char *p = data + chunks[c].offset, *end = p + chunks[c].length;
		uint32_t at;
		const char *name = doc_source(p, end, chunks[c].line, &lens[m->n], &at);
		if (!name)
			continue;
		m->spans[m->n] = (gr_source_span){
		        .first = at + 1, .last = last_line(p, end, chunks[c].line), .base = at, .name = name};
		bytes += lens[m->n++] + 1;
	}
	if (m->n && !(m->names = malloc(bytes)))
		goto oom;
	char *put = m->names;
	for (size_t i = 0; i < m->n; i++) {
		memcpy(put, m->spans[i].name, lens[i]);
		put[lens[i]] = '\0';
		m->spans[i].name = put;
		put += lens[i] + 1;
	}
	free(lens);
	free(chunks);
	return 0;
oom:
	free(lens);
	free(chunks);
	gr_source_map_free(m);
	return -1;
}

const char *gr_source_map_find(const gr_source_map *m, uint32_t line, uint32_t *mapped)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) { /* the first span that ends at or after line */
		size_t mid = lo + (hi - lo) / 2;
		if (m->spans[mid].last < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == m->n || line < m->spans[lo].first)
		return NULL;
	*mapped = line - m->spans[lo].base;
	return m->spans[lo].name;
}

void gr_source_map_free(gr_source_map *m)
{
	free(m->spans);
	free(m->names);
	memset(m, 0, sizeof *m);
}
