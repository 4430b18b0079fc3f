/*
 * path.h — field paths as the API server spells them.
 *
 * `spec.template.spec.containers[0].image`: keys joined by '.', array
 * indexes in brackets. A key that is not a plain identifier-like segment
 * (contains '.', '[', ']' or is empty) is written in brackets and quotes as
 * apimachinery's field.Path does: `metadata.labels[app.kubernetes.io/name]`.
 * Fixed capacity: a path deeper than the buffer is truncated, never overflowed.
 */
#ifndef GUARDRAIL_PATH_H
#define GUARDRAIL_PATH_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GR_PATH_MAX 1024

typedef struct gr_path {
	char buf[GR_PATH_MAX];
	size_t len;
} gr_path;

void gr_path_init(gr_path *p, const char *prefix);
/* Each push returns the previous length, to pass to gr_path_pop. */
size_t gr_path_push_key(gr_path *p, const char *key, size_t key_len);
size_t gr_path_push_index(gr_path *p, size_t index);
static inline void gr_path_pop(gr_path *p, size_t len)
{
	p->len = len;
	p->buf[len] = '\0';
}

#ifdef __cplusplus
}
#endif

#endif
