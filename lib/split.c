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
#include <stdint.h>
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

/* The newlines in [p, e), eight bytes at a time: a zero byte of x ^ "\n\n.."
 * is a newline, and (x & 0x7f..) + 0x7f.. sets the high bit of every byte
 * but the zero ones, exactly (no carry crosses a byte). */
static uint32_t count_newlines(const char *p, const char *e)
{
	const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL;
	uint32_t n = 0;
	for (; e - p >= 8; p += 8) {
		uint64_t x;
		memcpy(&x, p, 8);
		x ^= 0x0a0a0a0a0a0a0a0aULL;
		uint64_t t = ~(((x & lo7) + lo7) | x | lo7);
		n += (uint32_t)__builtin_popcountll(t);
	}
	for (; p < e; p++)
		n += *p == '\n';
	return n;
}

static int push_chunk(gr_chunk **c, size_t *cap, size_t *count, gr_chunk chunk)
{
	if (*count == *cap) {
		gr_chunk *nc = realloc(*c, *cap * 2 * sizeof *nc);
		if (!nc)
			return -1;
		*c = nc;
		*cap *= 2;
	}
	(*c)[(*count)++] = chunk;
	return 0;
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
	/* Only a line that starts with `---` can end a document: jump from one
	 * to the next (memmem of "\n---"), counting the newlines passed. p is
	 * always at a line start, line its number. */
	const char *p = data + bom, *end = data + len, *start = p;
	uint32_t line = 1, start_line = 1;
	unsigned index = 0;
	for (;;) {
		const char *cand = NULL;
		if (end - p >= 3 && p[0] == '-' && p[1] == '-' && p[2] == '-') {
			cand = p;
		} else if (end - p >= 4) {
			const char *r = memmem(p, (size_t)(end - p), "\n---", 4);
			if (r)
				cand = r + 1;
		}
		if (!cand) {
			if (end > start &&
			    push_chunk(&c, &cap, &count,
			               (gr_chunk){(size_t)(start - data), (size_t)(end - start), start_line,
			                          index++})) {
				free(c);
				return -1;
			}
			break;
		}
		line += count_newlines(p, cand);
		const char *nl = memchr(cand, '\n', (size_t)(end - cand));
		const char *line_end = nl ? nl + 1 : end;
		if (is_separator(cand, line_end)) {
			if (cand > start &&
			    push_chunk(&c, &cap, &count,
			               (gr_chunk){(size_t)(start - data), (size_t)(cand - start), start_line,
			                          index++})) {
				free(c);
				return -1;
			}
			start = line_end;
			start_line = line + 1;
		}
		p = line_end;
		line++;
		if (p >= end) {
			if (end > start &&
			    push_chunk(&c, &cap, &count,
			               (gr_chunk){(size_t)(start - data), (size_t)(end - start), start_line,
			                          index++})) {
				free(c);
				return -1;
			}
			break;
		}
	}
	*chunks = c;
	*n = count;
	return 0;
}
