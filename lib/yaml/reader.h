/*
 * reader.h — guardrail's own YAML reader (lib/yaml/reader.c) and the event
 * form that both it and libyaml feed to the value-tree builder in yaml.c.
 *
 * An event is what libyaml's parser gives, reduced to what the builder
 * uses: kind, scalar style (plain or not), value, anchor, tag (in libyaml's
 * resolved form: "tag:yaml.org,2002:str" for !!str, "!foo", or a verbatim
 * tag's text) and the 0-based start mark (line, column in characters). The
 * strings point into the input or into the reader's scratch buffer and are
 * valid only during the callback.
 */
#ifndef GRI_YAML_READER_H
#define GRI_YAML_READER_H

#include <stddef.h>
#include <stdint.h>

typedef struct gri_ymark {
	size_t line, column; /* 0-based; column in characters */
} gri_ymark;

typedef enum gri_yev_type {
	GRI_YEV_DOC_START,
	GRI_YEV_DOC_END,
	GRI_YEV_SCALAR,
	GRI_YEV_ALIAS,
	GRI_YEV_SEQ_START,
	GRI_YEV_SEQ_END,
	GRI_YEV_MAP_START,
	GRI_YEV_MAP_END,
} gri_yev_type;

typedef struct gri_yev {
	gri_yev_type type;
	int plain;         /* scalar: plain style */
	char style;        /* scalar: ':' plain, '\'' , '"', '|', '>' (for event dumps) */
	int flow;          /* collection start: flow style */
	const char *value; /* scalar value, alias name */
	size_t len;
	const char *anchor; /* NULL when none */
	size_t anchor_len;
	const char *tag; /* NULL when none; NUL-terminated */
	gri_ymark mark;
} gri_yev;

/* The builder's handler: 0 to go on, -1 to stop (the handler set its error). */
typedef int (*gri_yev_fn)(void *ctx, const gri_yev *ev);

/* A syntax error of the reader, or what it does not support. */
typedef struct gri_yerr {
	gri_ymark mark;
	int unsupported; /* 1: valid YAML the reader does not read */
	int encoding;    /* 1: bad UTF-8 or a control character */
	char msg[160];
} gri_yerr;

/*
 * Read a UTF-8 YAML text (one piece of a stream, see gr_split_yaml) and call
 * fn for every event. 0 when the whole text was read; -1 when fn stopped;
 * -2 on a syntax error (described in *err).
 */
int gri_yaml_read(const char *data, size_t len, gri_yev_fn fn, void *ctx, gri_yerr *err);

/* A libyaml event (yaml_event_t) in this form; 0 for events the builder
 * does not use (stream start and end). In yaml.c. */
struct yaml_event_s;
int gri_yev_from_libyaml(const struct yaml_event_s *e, gri_yev *ev);

#endif
