/*
 * fuzz_cel_eval.c — libFuzzer harness for the CEL evaluator: an
 * expression, a newline (or a NUL), then a JSON document bound to `self`
 * (and a fixed Pod-like document when it does not decode). Evaluation runs
 * under a cost limit, so runaway comprehensions stop with an error; every
 * error must carry its type, and every result is rendered as JSON (which
 * walks it, so dangling pointers surface).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "guardrail/cel.h"
#include "guardrail/decode.h"

static const char fixed[] =
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web\",\"labels\":{\"app\":\"web\"}}"
        ","
        "\"spec\":{\"replicas\":3,\"containers\":[{\"name\":\"a\",\"image\":\"nginx\",\"ports\":[{"
        "\"containerPort\":80},{\"containerPort\":8.5}]},{\"name\":\"b\",\"args\":[\"-v\",[1,[2]],null,false]"
        "}]}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	size_t cut = size;
	const char *nul = memchr(s, '\0', size);
	const char *nl = memchr(s, '\n', size);
	if (nul)
		cut = (size_t)(nul - s);
	else if (nl)
		cut = (size_t)(nl - s);
	gr_cel_options o;
	gr_cel_options_default(&o);
	o.kubernetes = 1;
	o.cost_limit = 100000;
	gr_cel_env *env = gr_cel_env_new(&o);
	if (!env)
		return 0;
	gr_cel_env_declare(env, "self", NULL);
	gr_cel_program *p = NULL;
	gr_cel_error err;
	int rc = gr_cel_compile(env, s, cut, &p, &err);
	gr_cel_env_free(env);
	if (rc != 0)
		return 0;
	gr_arena a;
	gr_arena_init(&a);
	gr_arena_set_limit(&a, 64u << 20);
	gr_value doc;
	gr_error derr;
	const char *js = cut < size ? s + cut + 1 : fixed;
	size_t jl = cut < size ? size - cut - 1 : sizeof fixed - 1;
	if (gr_decode_json(&a, js, jl, NULL, &doc, &derr) != 0 &&
	    gr_decode_json(&a, fixed, sizeof fixed - 1, NULL, &doc, &derr) != 0) {
		gr_arena_free(&a);
		gr_cel_free(p);
		return 0;
	}
	gr_cel_value self = gr_cel_from_json(&doc), r;
	if (gr_cel_eval(p, &self, 1, &a, &r, NULL, &err) != 0) {
		if (err.type == GR_CEL_OK)
			__builtin_trap();
	} else {
		gr_buf b;
		gr_buf_init(&b);
		gr_cel_write_json(&b, &r);
		gr_buf_free(&b);
	}
	gr_arena_free(&a);
	gr_cel_free(p);
	return 0;
}
