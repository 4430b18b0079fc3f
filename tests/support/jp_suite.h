/*
 * jp_suite.h — runs a folder of JMESPath compliance files (the format of
 * jmespath.test: suites of {given, cases[{expression, result|error|bench}]})
 * and prints "<name>: N passed, N failed". Shared by the conformance runners.
 */
#ifndef GUARDRAIL_JP_SUITE_H
#define GUARDRAIL_JP_SUITE_H

/* 0 when every case passed; 1 otherwise (also when the folder is missing). */
int jp_run_suite(const char *name, const char *dir);
/* The same, failing unless exactly `expected` cases ran (a suite that
 * silently shrinks, or grows unreviewed, fails). */
int jp_run_suite_expect(const char *name, const char *dir, int expected);
/* The suite twice: with the built-ins (the specification's dialect) and
 * with GR_JP_NULL_SUBEXPRESSION (Kyverno's), then one total line. */
int jp_run_suite_dialects(const char *name, const char *dir, int expected);

#endif
