/* engine_flags.h — the engine flags `check` and `audit` share (--engines,
 * --pss-*, --policy, schema flags), parsed into gr_options. */
#ifndef GUARDRAIL_ENGINE_FLAGS_H
#define GUARDRAIL_ENGINE_FLAGS_H

#include <stdbool.h>

#include "guardrail/guardrail.h"

/* A flag's value: "--name=V", "--name V", or for a short flag "-xV". */
const char *engine_flag_value(int argc, char **argv, int *i, const char *name, bool *matched);

/* argv[*i] as an engine flag: 0 handled, 1 not an engine flag, -1 bad
 * (message printed, prefixed by "guardrail CMD: "). *schema_dir_given is
 * set when --schema-dir was given. */
int engine_flag_parse(gr_options *o, const char *cmd, int argc, char **argv, int *i, bool *schema_dir_given);

/* The help lines of the engine flags. */
extern const char engine_flags_help[];

/* Set the default schema directory when none was given, then prepare the
 * checker; NULL (message printed) on failure. */
gr_checker *engine_flags_checker(gr_options *o, const char *cmd, bool schema_dir_given);

#endif
