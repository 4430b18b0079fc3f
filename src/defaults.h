/* defaults.h — what the program decides for the library: where the schemas
 * are when no flag says (environment, install prefix, a checkout) and where
 * pruned schemas are cached (environment, XDG, $HOME). */
#ifndef GUARDRAIL_DEFAULTS_H
#define GUARDRAIL_DEFAULTS_H

#include <stdbool.h>
#include <stddef.h>

#include "guardrail/error.h"

/* 1 with the directory in out, 0 when none was found, -1 when
 * GUARDRAIL_SCHEMA_DIR names something that is not a directory. */
int guardrail_default_schema_dir(char *out, size_t cap, gr_error *err);
/* Where the program looked, for the error when nothing was found. */
const char *guardrail_schema_dir_hint(void);
/* 1 with the cache folder in out ($GUARDRAIL_CACHE_DIR, else
 * $XDG_CACHE_HOME/guardrail, else $HOME/.cache/guardrail); 0 for none
 * (GUARDRAIL_CACHE_DIR=off, or no variable set). */
int guardrail_default_cache_dir(char *out, size_t cap);

#endif
