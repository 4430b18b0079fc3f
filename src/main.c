/*
 * main.c — the guardrail program: a table of subcommands (git's builtin
 * pattern). Each command lives in src/cmd_<name>.c as cmd_<name>(argc, argv).
 */
#include <stdio.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cmd.h"
#include "guardrail/guardrail.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
        {"check", cmd_check, "validate manifests: schema, Pod Security Standards"},
        {"serve", cmd_serve, "the admission webhook: the same verdicts in the cluster"},
        {"test", cmd_test, "run Kyverno CLI tests (kyverno-test.yaml) with the Kyverno engine"},
        {"query", cmd_query, "evaluate a JMESPath expression over YAML/JSON documents"},
        {"audit", cmd_audit, "judge what runs in a cluster (or a snapshot) with the engines of check"},
        {"snapshot", cmd_snapshot, "save what audit reads from a cluster to a file"},
        {"version", cmd_version, "print the version"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: guardrail <command> [options] [args]\n\n"
	             "Kubernetes guardrails: schema validation, Pod Security Standards and\n"
	             "policies, the same verdicts in CI and in the cluster.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'guardrail <command> --help' describes a command. Exit codes: 0 no enforce-level\n"
	             "finding, 1 at least one, 2 bad input or bad invocation.\n");
}

int main(int argc, char **argv)
{
	/* A short-lived batch program: keep freed memory for reuse instead of
	 * returning it to the kernel and faulting it in again (arena chunks
	 * come and go per input). */
#ifdef __GLIBC__
	mallopt(M_MMAP_THRESHOLD, 64 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
#endif
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(1, argv + 1);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "guardrail: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
