/*
 * jmespath_kyverno.c — the compliance files of kyverno/go-jmespath, the
 * fork Kyverno evaluates (862 cases), every case expected to pass, run in
 * both dialects (the specification's, and GR_JP_NULL_SUBEXPRESSION as the
 * Kyverno engine compiles).
 */
#include "jp_suite.h"

int main(void)
{
	return jp_run_suite_dialects("kyverno-go-jmespath",
	                             "../shared/conformance/jmespath/kyverno-go-jmespath",
	                             862 /* cases run */);
}
