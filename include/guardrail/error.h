/*
 * error.h — errors are values.
 *
 * The library never prints and never exits. A function that can fail returns
 * an int status (0 ok, -1 failure) and fills a caller-supplied gr_error with
 * a message and, where the failure has one, the source position.
 */
#ifndef GUARDRAIL_ERROR_H
#define GUARDRAIL_ERROR_H

#include "guardrail/defs.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What kind of failure, for callers that act on it (a decode error's
 * remediation). gr_error_set resets it to GR_ERR_OTHER, or GR_ERR_NOMEM
 * when the message starts "out of memory" (the library's one wording). */
typedef enum gr_error_kind {
	GR_ERR_OTHER = 0,     /* syntax and everything else */
	GR_ERR_DUPLICATE_KEY, /* a key repeated in one mapping */
	GR_ERR_ALIASES,       /* alias or merge expansion over its budget */
	GR_ERR_DEPTH,         /* nesting over the depth limit */
	GR_ERR_ENCODING,      /* invalid UTF-8, a NUL byte */
	GR_ERR_SIZE,          /* input over the size limit */
	GR_ERR_IO,            /* an input cannot be opened or read */
	GR_ERR_NOMEM          /* an allocation failed */
} gr_error_kind;

typedef struct gr_error {
	char message[512];
	char file[256];  /* "" when not about a file */
	uint32_t line;   /* 1-based; 0 when unknown */
	uint32_t column; /* 1-based; 0 when unknown */
	gr_error_kind kind;
} gr_error;

void gr_error_clear(gr_error *err);
/* Sets err (if non-NULL) and returns -1, so callers can `return gr_error_set(...)`. */
int gr_error_set(gr_error *err, uint32_t line, uint32_t column, const char *fmt, ...) GR_PRINTF(4, 5);
void gr_error_set_file(gr_error *err, const char *file);
/* Mark the error just set with its kind; returns -1 like gr_error_set. */
static inline int gr_error_mark(gr_error *err, gr_error_kind kind)
{
	if (err)
		err->kind = kind;
	return -1;
}

#ifdef __cplusplus
}
#endif

#endif
