/*
 * testlib.h — the minimal unit-test harness: CHECK records a failure with
 * file:line and goes on; TEST_MAIN prints "N passed, N failed" and exits
 * non-zero on any failure.
 */
#ifndef GUARDRAIL_TESTLIB_H
#define GUARDRAIL_TESTLIB_H

#include <stdio.h>
#include <string.h>

extern int test_passed, test_failed;

#define CHECK(cond)                                                                                          \
	do {                                                                                                 \
		if (cond) {                                                                                  \
			test_passed++;                                                                       \
		} else {                                                                                     \
			test_failed++;                                                                       \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);             \
		}                                                                                            \
	} while (0)

#define CHECK_STR(a, b)                                                                                      \
	do {                                                                                                 \
		const char *a_ = (a), *b_ = (b);                                                             \
		if (a_ && b_ && strcmp(a_, b_) == 0) {                                                       \
			test_passed++;                                                                       \
		} else {                                                                                     \
			test_failed++;                                                                       \
			fprintf(stderr, "%s:%d: expected \"%s\", got \"%s\"\n", __FILE__, __LINE__,          \
			        b_ ? b_ : "(null)", a_ ? a_ : "(null)");                                     \
		}                                                                                            \
	} while (0)

int test_report(const char *suite);

/* Call fn with the path of every regular file under dir, depth first in
 * directory order, dot files skipped. */
void test_each_file(const char *dir, void (*fn)(const char *path));
/* Does name end in suffix? */
int test_has_suffix(const char *name, const char *suffix);

#endif
