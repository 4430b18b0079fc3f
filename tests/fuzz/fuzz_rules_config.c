/*
 * fuzz_rules_config.c — libFuzzer harness for the .guardrail.yaml loader:
 * any bytes must give a configuration or an error with a position, never a
 * crash; a configuration that loads must apply and build rules.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "guardrail/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gr_rules_file *f;
	gr_error err;
	if (gr_rules_file_parse("fuzz.yaml", (const char *)data, size, &f, &err) != 0)
		return 0;
	gr_rules_options o;
	memset(&o, 0, sizeof o);
	gr_rules *r;
	if (gr_rules_file_apply(f, &o, &err) == 0 && gr_rules_new(&r, &o, &err) == 0)
		gr_rules_free(r);
	gr_rules_file_free(f);
	return 0;
}
