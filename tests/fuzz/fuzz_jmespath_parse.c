/*
 * fuzz_jmespath_parse.c — libFuzzer harness: any bytes as a JMESPath
 * expression must compile or fail with an error, never crash, hang or leak.
 * Seeds: tests/fuzz/seed-jmespath.sh (the compliance expressions).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "guardrail/jmespath.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gr_jp_program *p = NULL;
	gr_jp_error err;
	if (gr_jp_compile((const char *)data, size, NULL, NULL, &p, &err) == 0) {
		if (strcmp(gr_jp_source(p), "") == 0 && size > 0 && data[0] != '\0')
			__builtin_trap(); /* the program must keep its text */
		gr_jp_free(p);
	} else if (err.type == GR_JP_OK || err.offset > size) {
		__builtin_trap(); /* a failure always says what and where */
	}
	return 0;
}
