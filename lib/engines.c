/*
 * engines.c — the table of engines and the default configuration.
 * A new engine adds one extern and one row.
 */
#include <string.h>

#include "guardrail/engine.h"

extern const gr_engine gr_engine_schema;
extern const gr_engine gr_engine_pss;

const gr_engine *const gr_engines[] = {
	&gr_engine_schema,
	&gr_engine_pss,
	NULL,
};

const gr_engine *gr_engine_find(const char *name)
{
	for (size_t i = 0; gr_engines[i]; i++)
		if (strcmp(gr_engines[i]->name, name) == 0)
			return gr_engines[i];
	return NULL;
}

void gr_config_default(gr_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->schema.strict = true;
	cfg->pss.enforce = "baseline:latest";
	cfg->pss.warn = "restricted:latest";
}
