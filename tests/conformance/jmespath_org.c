/*
 * jmespath_org.c — the jmespath.org compliance suite (908 cases), every
 * case expected to pass in both dialects (the specification's, and
 * GR_JP_NULL_SUBEXPRESSION as the Kyverno engine compiles): there is no
 * known-failures list.
 */
#include "jp_suite.h"

/* Cases run (the benchmark cases are run but not counted). */
#define CASES 892

int main(void)
{
	return jp_run_suite_dialects("jmespath.org", "../shared/conformance/jmespath/jmespath.org", CASES);
}
