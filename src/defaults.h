/* defaults.h — what the program decides for the library: where the schemas
 * are when no flag says (environment, install prefix, a checkout). */
#ifndef GUARDRAIL_DEFAULTS_H
#define GUARDRAIL_DEFAULTS_H

#include <stddef.h>

#include "guardrail/error.h"

/* 1 with the directory in out, 0 when none was found, -1 when
 * GUARDRAIL_SCHEMA_DIR names something that is not a directory. */
int guardrail_default_schema_dir(char *out, size_t cap, gr_error *err);

#endif
