/* defaults.c — the program's defaults for library options (see defaults.h). */
#include <stdlib.h>
#include <string.h>

#include "defaults.h"
#include "guardrail/schema.h"

int guardrail_default_schema_dir(char *out, size_t cap, gr_error *err)
{
	const char *env = getenv("GUARDRAIL_SCHEMA_DIR");
	gr_error e;
	gr_error_clear(&e);
	if (gr_schema_default_dir(out, cap, &e) == 0)
		return 1;
	if (env && *env) {
		*err = e;
		return -1;
	}
	return 0;
}
