/* buf.c — growable output buffer and JSON string escaping (see buf.h). */
#include "guardrail/buf.h"

#include "cnum.h"
#include <stdarg.h>
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
	va_list ap;
	va_start(ap, fmt);
	int n = gri_vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	gri_vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void gr_buf_json_string(gr_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	if (grow(b, len + 2))
		return;
	gr_buf_putc(b, '"');
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[7];
		if (c == '"')
			esc = "\\\"";
		else if (c == '\\')
			esc = "\\\\";
		else if (c == '\n')
			esc = "\\n";
		else if (c == '\t')
			esc = "\\t";
		else if (c == '\r')
			esc = "\\r";
		else if (c == '\b')
			esc = "\\b";
		else if (c == '\f')
			esc = "\\f";
		else if (c < 0x20 || c == 0x7f) {
			u[0] = '\\';
			u[1] = 'u';
			u[2] = '0';
			u[3] = '0';
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			u[6] = '\0';
			esc = u;
		} else if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 &&
		           (unsigned char)s[i + 1] <= 0x9F) {
			/* a C1 control (U+0080..U+009F): escaped too, so no reader
			 * of the JSON passes a terminal control on by accident */
			unsigned char c1 = (unsigned char)s[i + 1];
			gr_buf_append(b, s + start, i - start);
			gr_buf_printf(b, "\\u00%c%c", hex[c1 >> 4], hex[c1 & 15]);
			start = i + 2;
			i++;
			continue;
		}
		if (esc) {
			gr_buf_append(b, s + start, i - start);
			gr_buf_puts(b, esc);
			start = i + 1;
		}
	}
	gr_buf_append(b, s + start, len - start);
	gr_buf_putc(b, '"');
}
