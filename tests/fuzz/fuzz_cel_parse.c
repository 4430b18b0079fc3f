/*
 * fuzz_cel_parse.c — libFuzzer harness for the CEL lexer, parser, macro
 * expansion, name resolution and type checker: any bytes compile or fail
 * with a typed, positioned error, in plain and Kubernetes mode. Must never
 * crash, hang or leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "guardrail/cel.h"

static void compile(const char *s, size_t n, int k8s)
{
	gr_cel_options o;
	gr_cel_options_default(&o);
	o.kubernetes = k8s;
	o.homogeneous_literals = k8s;
	gr_cel_env *env = gr_cel_env_new(&o);
	if (!env)
		return;
	gr_cel_env_declare(env, "self", NULL);
	gr_cel_env_declare(env, "x", NULL);
	gr_cel_program *p = NULL;
	gr_cel_error err;
	if (gr_cel_compile(env, s, n, &p, &err) != 0) {
		if (err.type == GR_CEL_OK)
			__builtin_trap();
	} else
		gr_cel_free(p);
	gr_cel_env_free(env);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	compile((const char *)data, size, 0);
	compile((const char *)data, size, 1);
	return 0;
}
