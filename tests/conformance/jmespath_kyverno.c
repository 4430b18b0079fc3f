/*
 * jmespath_kyverno.c — the compliance files of kyverno/go-jmespath, the
 * fork Kyverno evaluates (862 cases), every case expected to pass.
 */
#include "jp_suite.h"

int main(void)
{
	return jp_run_suite_expect("kyverno-go-jmespath",
	                           "../shared/conformance/jmespath/kyverno-go-jmespath", 862 /* cases run */);
}
