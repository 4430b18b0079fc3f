/* buf.c — growable output buffer and JSON string escaping (see buf.h). */
#include "guardrail/buf.h"

#include "cnum.h"
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gr_buf_init(gr_buf *b)
{
	memset(b, 0, sizeof *b);
}

void gr_buf_free(gr_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof *b);
}

void gr_buf_reset(gr_buf *b)
{
	b->len = 0;
	b->failed = 0;
	b->over_limit = 0;
	if (b->data)
		b->data[0] = '\0';
}

static int grow(gr_buf *b, size_t extra)
{
	if (b->failed)
		return -1;
	if (b->limit && (extra > b->limit || b->len > b->limit - extra)) {
		b->failed = 1;
		b->over_limit = 1;
		return -1;
	}
	if (b->len + extra + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1) {
		if (cap > ((size_t)-1) / 2) {
			b->failed = 1;
			return -1;
		}
		cap *= 2;
	}
	char *d = realloc(b->data, cap);
	if (!d) {
		b->failed = 1;
		return -1;
	}
	b->data = d;
	b->cap = cap;
	return 0;
}

void gr_buf_append(gr_buf *b, const char *s, size_t len)
{
	if (grow(b, len))
		return;
	memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void gr_buf_puts(gr_buf *b, const char *s)
{
	gr_buf_append(b, s, strlen(s));
}

void gr_buf_putc(gr_buf *b, char c)
{
	if (grow(b, 1))
		return;
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void gr_buf_printf(gr_buf *b, const char *fmt, ...)
{
	if (b->failed)
		return;
	/* format once into the spare room; only text that does not fit is
	 * measured and formatted a second time */
	size_t spare = b->cap > b->len ? b->cap - b->len : 0;
	va_list ap;
	va_start(ap, fmt);
	int n = gri_vsnprintf(spare ? b->data + b->len : NULL, spare, fmt, ap);
	va_end(ap);
	if (n < 0) {
		if (spare)
			b->data[b->len] = '\0';
		return;
	}
	if ((size_t)n < spare) {
		if (b->limit && ((size_t)n > b->limit || b->len > b->limit - (size_t)n)) {
			b->failed = 1;
			b->over_limit = 1;
			b->data[b->len] = '\0';
			return;
		}
		b->len += (size_t)n;
		return;
	}
	if (spare)
		b->data[b->len] = '\0';
	if (grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	gri_vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Bytes that end a plain run in gr_buf_json_string: '"', '\\', controls
 * (C0 and DEL) and 0xC2, the lead byte of the C1 controls. */
static const unsigned char json_stop[256] = {
        [0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x7f] = 1, [0xC2] = 1,
};

void gr_buf_json_string(gr_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	if (grow(b, len + 2))
		return;
	const unsigned char *u = (const unsigned char *)s;
	size_t start = 0, i = 0;
	/* the common case: a run of bytes that need no escape; a string that
	 * is one such run goes in with the room reserved above. Eight bytes at
	 * a time while they are printable ASCII other than '"' and '\\'. */
	while (len - i >= 8) {
		uint64_t w;
		memcpy(&w, u + i, 8);
		const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
		uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\'), del = w ^ (ones * 0x7f);
		uint64_t stop = ((w - ones * 0x20) | w | ((q - ones) & ~q) | ((bs - ones) & ~bs) |
		                 ((del - ones) & ~del)) &
		                high;
		if (stop)
			break;
		i += 8;
	}
	while (i < len && !json_stop[u[i]])
		i++;
	if (i >= len) {
		b->data[b->len] = '"';
		memcpy(b->data + b->len + 1, s, len);
		b->data[b->len + 1 + len] = '"';
		b->len += len + 2;
		b->data[b->len] = '\0';
		return;
	}
	gr_buf_putc(b, '"');
	for (;;) {
		while (i < len && !json_stop[u[i]])
			i++;
		if (i >= len)
			break;
		unsigned char c = u[i];
		char e[7];
		size_t el = 2;
		e[0] = '\\';
		switch (c) {
		case '"': e[1] = '"'; break;
		case '\\': e[1] = '\\'; break;
		case '\n': e[1] = 'n'; break;
		case '\t': e[1] = 't'; break;
		case '\r': e[1] = 'r'; break;
		case '\b': e[1] = 'b'; break;
		case '\f': e[1] = 'f'; break;
		case 0xC2:
			if (i + 1 < len && u[i + 1] >= 0x80 && u[i + 1] <= 0x9F) {
				/* a C1 control (U+0080..U+009F): escaped too, so no reader
				 * of the JSON passes a terminal control on by accident */
				c = u[i + 1];
				gr_buf_append(b, s + start, i - start);
				e[1] = 'u';
				e[2] = '0';
				e[3] = '0';
				e[4] = hex[c >> 4];
				e[5] = hex[c & 15];
				gr_buf_append(b, e, 6);
				i += 2;
				start = i;
				continue;
			}
			i++; /* any other character starting with 0xC2 is plain */
			continue;
		default: /* C0 controls and DEL */
			e[1] = 'u';
			e[2] = '0';
			e[3] = '0';
			e[4] = hex[c >> 4];
			e[5] = hex[c & 15];
			el = 6;
		}
		gr_buf_append(b, s + start, i - start);
		gr_buf_append(b, e, el);
		i++;
		start = i;
	}
	gr_buf_append(b, s + start, len - start);
	gr_buf_putc(b, '"');
}
