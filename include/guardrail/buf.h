/*
 * buf.h — growable byte buffer used by writers (JSON, reporters).
 *
 * The library never prints: reporters and serializers append to a gr_buf,
 * and the program decides where the bytes go.
 */
#ifndef GUARDRAIL_BUF_H
#define GUARDRAIL_BUF_H

#include "guardrail/defs.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gr_buf {
	char *data; /* NUL-terminated while len < cap; malloc'd */
	size_t len;
	size_t cap;
	int failed;     /* set when an allocation failed; further appends are dropped */
	size_t limit;   /* 0: none; else the most bytes the buffer may hold */
	int over_limit; /* set (with failed) when an append would pass limit */
} gr_buf;

void gr_buf_init(gr_buf *b);
void gr_buf_free(gr_buf *b);
void gr_buf_reset(gr_buf *b);
void gr_buf_append(gr_buf *b, const char *s, size_t len);
void gr_buf_puts(gr_buf *b, const char *s);
void gr_buf_putc(gr_buf *b, char c);
void gr_buf_printf(gr_buf *b, const char *fmt, ...) GR_PRINTF(2, 3);
/* Append s as a JSON string literal, quotes included. */
void gr_buf_json_string(gr_buf *b, const char *s, size_t len);

#ifdef __cplusplus
}
#endif

#endif
