/*
 * test_split.c — gr_split_yaml against the line-by-line splitter it replaced
 * (kept below as the reference: it reads every line, the new one jumps from
 * one `---` line start to the next and counts newlines eight bytes at a
 * time). Same chunks — offsets, lengths, first lines, indexes — on random
 * streams made of the bytes that matter (dashes, newlines, CR, blanks,
 * comments, BOMs) and on every file of ../shared/corpus, plus cases written
 * out by hand.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "guardrail/guardrail.h"
#include "testlib.h"

/* ---- the reference: lib/split.c before the change ---- */
static int ref_is_separator(const char *p, const char *line_end)
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

static int ref_split(const char *data, size_t len, gr_chunk **chunks, size_t *n)
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
		int sep = !at_end && ref_is_separator(p, line_end);
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

/* ---- the comparison ---- */

static size_t compared;

static int same(const char *data, size_t len)
{
	gr_chunk *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	int ra = gr_split_yaml(data, len, &a, &na);
	int rb = ref_split(data, len, &b, &nb);
	int ok = ra == rb && na == nb;
	for (size_t i = 0; ok && i < na; i++)
		ok = a[i].offset == b[i].offset && a[i].length == b[i].length && a[i].line == b[i].line &&
		     a[i].index == b[i].index;
	free(a);
	free(b);
	compared++;
	return ok;
}

static void by_hand(void)
{
	static const char *const cases[] = {
	        "",
	        "---",
	        "---\n",
	        "a: 1\n",
	        "a: 1",
	        "---\na: 1\n---\nb: 2\n",
	        "a: 1\n---\n---\nb: 2",
	        "a: 1\n--- # c\nb: 2\n",
	        "a: 1\n--- x\nb: 2\n",
	        "a: 1\n----\nb: 2\n",
	        "a: 1\r\n---\r\nb: 2\r\n",
	        "a: 1\n ---\nb: 2\n",
	        "\xef\xbb\xbf---\na: 1\n",
	        "\xef\xbb\xbf" "a: 1\n---\n",
	        "a: |\n  ---\n---\nb\n",
	        "\n\n\n---\n\n\n",
	        "--",
	        "-\n--\n---",
	        "a\n---\t\n---  \t# x\nb",
	        "\xff\xfe" "a\n",
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int ok = same(cases[i], strlen(cases[i]));
		if (!ok)
			fprintf(stderr, "by hand, case %zu differs\n", i);
		CHECK(ok);
	}
}

/* xorshift: the same streams on every run */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void random_streams(void)
{
	static const char alphabet[] = "---------\n\n\n\n\n   \t#\rab:";
	char buf[512];
	size_t bad = 0;
	for (int i = 0; i < 200000; i++) {
		size_t len = next() % sizeof buf, at = 0;
		if (next() % 8 == 0 && len >= 3) {
			memcpy(buf, "\xef\xbb\xbf", 3);
			at = 3;
		}
		for (; at < len; at++)
			buf[at] = alphabet[next() % (sizeof alphabet - 1)];
		if (!same(buf, len) && bad++ < 5)
			fprintf(stderr, "random stream %d (%zu bytes) differs\n", i, len);
	}
	CHECK(bad == 0);
}

static size_t corpus_files;

static void corpus(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		struct stat st;
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			corpus(path);
			continue;
		}
		char *data;
		size_t len;
		gr_error err;
		if (gr_read_file(path, 0, &data, &len, &err))
			continue;
		corpus_files++;
		int ok = same(data, len);
		if (!ok)
			fprintf(stderr, "%s differs\n", path);
		CHECK(ok);
		free(data);
	}
	closedir(d);
}

int main(void)
{
	by_hand();
	random_streams();
	corpus("../shared/corpus");
	CHECK(corpus_files > 1000); /* the corpus was there and was read */
	printf("split: %zu streams compared (%zu corpus files)\n", compared, corpus_files);
	return test_report("split");
}
