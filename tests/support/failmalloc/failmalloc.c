/*
 * failmalloc.c — an LD_PRELOAD shim for allocation-failure tests: the Nth
 * call to malloc, calloc, realloc, strdup or strndup (counted from the
 * start of the process) returns NULL with errno ENOMEM, once.
 *
 *   FAILMALLOC_N=1234 LD_PRELOAD=build/failmalloc.so build/guardrail check ...
 *   FAILMALLOC_COUNT=/tmp/n LD_PRELOAD=... cmd   (writes the number of calls at exit)
 *   FAILMALLOC_PROGRAM=name   (the program that counts; default guardrail)
 *   FAILMALLOC_TRACE=1        (print a backtrace of the failing call)
 *
 * Why a preloaded shim rather than an allocator hook in lib/: it sees every
 * allocation the program makes — the library's, libyaml's, the C library's
 * own (stdio buffers, qsort, pthread_create) — without one line of test
 * code in the product, so the sweep tests the binary that ships. It lives
 * in a subfolder of tests/support so the Makefile's wildcard does not link
 * it into the unit tests; tests/scripts/alloc-sweep.sh builds it.
 *
 * glibc exports its allocator as __libc_malloc and friends: forwarding to
 * them avoids dlsym (which itself allocates) and any recursion.
 */
#include <errno.h>
#include <execinfo.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static atomic_ulong calls;
static unsigned long fail_at; /* 0: never */
static int ready, active;

extern char *program_invocation_short_name;

/* Only the program named by FAILMALLOC_PROGRAM (default "guardrail") counts
 * and fails: a `timeout` or `env` in front of it is left alone. */
static void setup(void)
{
	const char *prog = getenv("FAILMALLOC_PROGRAM");
	const char *n = getenv("FAILMALLOC_N");
	active = strcmp(program_invocation_short_name, prog ? prog : "guardrail") == 0;
	fail_at = n ? strtoul(n, NULL, 10) : 0;
	ready = 1;
}

static int should_fail(void)
{
	if (!ready)
		setup();
	if (!active)
		return 0;
	unsigned long k = atomic_fetch_add(&calls, 1) + 1;
	if (fail_at && k == fail_at) {
		if (getenv("FAILMALLOC_TRACE")) { /* where it failed, for debugging a sweep */
			void *frames[32];
			int nf = backtrace(frames, 32);
			backtrace_symbols_fd(frames, nf, 2);
		}
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

void *malloc(size_t n)
{
	return should_fail() ? NULL : __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
	return should_fail() ? NULL : __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
	if (p && n == 0)
		return __libc_realloc(p, n); /* a free, not an allocation */
	return should_fail() ? NULL : __libc_realloc(p, n);
}

char *strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	return d ? memcpy(d, s, n) : NULL;
}

char *strndup(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	char *d = malloc(n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

__attribute__((destructor)) static void report(void)
{
	const char *path = getenv("FAILMALLOC_COUNT");
	if (!path || !active)
		return;
	FILE *f = fopen(path, "w");
	if (f) {
		fprintf(f, "%lu\n", (unsigned long)atomic_load(&calls));
		fclose(f);
	}
}
