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

int gr_source_map_build(const char *data, size_t len, gr_source_map *m)
{
	memset(m, 0, sizeof *m);
	gr_chunk *chunks;
	size_t nchunks;
	if (gr_split_yaml(data, len, &chunks, &nchunks))
		return -1;
	/* first the sizes, then one block for the names */
	size_t nspans = 0, bytes = 0;
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			if (!nspans)
				break;
			m->spans = malloc(nspans * sizeof *m->spans);
			m->names = malloc(bytes);
			if (!m->spans || !m->names) {
				free(chunks);
				gr_source_map_free(m);
				return -1;
			}
		}
		char *put = m->names;
		for (size_t c = 0; c < nchunks; c++) {
			const char *p = data + chunks[c].offset, *end = p + chunks[c].length;
			uint32_t line = chunks[c].line, found = 0;
			const char *name = NULL;
			size_t n = 0;
			for (; p < end; line++) {
				const char *e = line_end(p, end);
				if (!is_leading(p, e))
					break;
				const char *nm = source_name(p, e, &n);
				if (nm && !name) {
					name = nm;
					found = line;
				}
				p = e < end ? e + 1 : end;
			}
			if (!name)
				continue;
			/* the chunk's last line: its first plus its line breaks (a
			 * break that ends it starts no line of its own) */
			uint32_t last = chunks[c].line;
			const char *q = data + chunks[c].offset;
			while ((q = memchr(q, '\n', (size_t)(end - q))) != NULL && ++q < end)
				last++;
			if (pass == 0) {
				nspans++;
				bytes += n + 1;
				continue;
			}
			memcpy(put, name, n);
			put[n] = '\0';
			m->spans[m->n++] = (gr_source_span){
			        .first = found + 1, .last = last, .base = found, .name = put};
			put += n + 1;
		}
	}
	free(chunks);
	return 0;
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
