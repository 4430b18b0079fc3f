/* engine_flags.h — the engine flags `check` and `audit` share (--engines,
 * schema, --pss-*, --policy, the rule packs), one table parsed into
 * gr_options, and preparing the checker with the program's defaults. */
#ifndef GUARDRAIL_ENGINE_FLAGS_H
#define GUARDRAIL_ENGINE_FLAGS_H

#include <stdbool.h>

#include "guardrail/guardrail.h"

/* A flag's value: "--name=V", "--name V", or for a short flag "-xV". */
const char *engine_flag_value(int argc, char **argv, int *i, const char *name, bool *matched);

/* What the engine flags given so far imply for the defaults. */
typedef struct engine_flag_state {
	bool schema_dir_given; /* --schema-dir */
	bool config_given;     /* --config: no .guardrail.yaml search */
	bool engines_given;    /* --engines: the selection is the user's */
	bool rules_wanted;     /* a rule-pack flag (or a .guardrail.yaml found) */
} engine_flag_state;

/* Options with every built-in engine and the rule packs registered; NULL
 * (message printed) when out of memory. */
gr_options *engine_flags_options_new(const char *cmd);

/* argv[*i] as an engine flag: 0 handled, 1 not an engine flag, -1 bad
 * (message printed, prefixed by "guardrail CMD: "). */
int engine_flag_parse(gr_options *o, const char *cmd, int argc, char **argv, int *i, engine_flag_state *st);

/* The help lines of the engine flags (audit's; check has its own page). */
extern const char engine_flags_help[];

/* How a command fills in what the flags left open. */
typedef struct engine_flag_defaults {
	bool find_config; /* look for .guardrail.yaml from the working directory up */
	/* without a rule-pack flag: NULL leaves the rule packs out of the default
	 * selection; otherwise they join it with only these rules (rules "only") */
	const char *rules_only;
} engine_flag_defaults;

/* Set the default schema directory when none was given, the cache folder,
 * the .guardrail.yaml and the default engine selection, then prepare the
 * checker; NULL (message printed) on failure. */
gr_checker *engine_flags_checker(gr_options *o, const char *cmd, engine_flag_state *st,
                                 const engine_flag_defaults *d);

#endif
