/*
 * error.h — errors are values.
 *
 * The library never prints and never exits. A function that can fail returns
 * an int status (0 ok, -1 failure) and fills a caller-supplied gr_error with
 * a message and, where the failure has one, the source position.
 */
#ifndef GUARDRAIL_ERROR_H
#define GUARDRAIL_ERROR_H

#include <stdint.h>

typedef struct gr_error {
	char message[512];
	char file[256];  /* "" when not about a file */
	uint32_t line;   /* 1-based; 0 when unknown */
	uint32_t column; /* 1-based; 0 when unknown */
} gr_error;

void gr_error_clear(gr_error *err);
/* Sets err (if non-NULL) and returns -1, so callers can `return gr_error_set(...)`. */
int gr_error_set(gr_error *err, uint32_t line, uint32_t column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void gr_error_set_file(gr_error *err, const char *file);

#endif
