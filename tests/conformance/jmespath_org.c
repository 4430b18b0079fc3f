/*
 * jmespath_org.c — the jmespath.org compliance suite (908 cases), every
 * case expected to pass: there is no known-failures list.
 */
#include "jp_suite.h"

int main(void) { return jp_run_suite("jmespath.org", "../shared/conformance/jmespath/jmespath.org"); }
