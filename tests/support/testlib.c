/* testlib.c — counters and the closing line of every unit test binary. */
#include "testlib.h"

int test_passed, test_failed;

int test_report(const char *suite)
{
	printf("%s: %d passed, %d failed\n", suite, test_passed, test_failed);
	return test_failed ? 1 : 0;
}
