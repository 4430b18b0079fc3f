/*
 * fuzz_jmespath_eval.c — libFuzzer harness: expression, a newline (or a
 * NUL), then a JSON document. The expression is evaluated over that
 * document (when it decodes) and over a fixed Pod-like document, with a
 * small result cap so runaway growth is an error quickly. Must never
 * crash; an error must carry its type.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "guardrail/decode.h"
#include "guardrail/jmespath.h"

static const char fixed[] =
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web\",\"labels\":{\"app\":\"web\","
        "\"n\":\"1\"}},\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"nginx\",\"ports\":[{"
        "\"containerPort\":80},{\"containerPort\":8.5}],\"securityContext\":{\"privileged\":true}},"
        "{\"name\":\"b\",\"image\":\"x\",\"args\":[\"-v\",[1,[2,[3]]],null,false,\"é\"]}],\"n\":[3,1,2]}}";

static void eval(const gr_jp_program *p, const gr_value *in, size_t limit)
{
	gr_arena a;
	gr_arena_init(&a);
	gr_value res;
	gr_jp_error err;
	if (gr_jp_eval(p, in, &a, &res, &err) != 0) {
		if (err.type == GR_JP_OK)
			__builtin_trap();
	} else {
		/* Render it: walks the whole result, so dangling pointers surface.
		 * With the limit `query` prints under: a result shares subtrees,
		 * so its text can be exponentially larger than its memory ([@,@]
		 * nested forty deep is 2^40 copies of the input). */
		gr_buf b;
		gr_buf_init(&b);
		b.limit = limit;
		gr_write_json(&b, &res, -1);
		gr_buf_free(&b);
	}
	gr_arena_free(&a);
}

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
	gr_jp_limits lim;
	gr_jp_limits_default(&lim);
	lim.max_result_bytes = 8u << 20;
	gr_jp_program *p = NULL;
	gr_jp_error err;
	if (gr_jp_compile(s, cut, NULL, &lim, &p, &err) != 0)
		return 0;
	gr_arena da;
	gr_arena_init(&da);
	gr_value doc;
	gr_error derr;
	if (gr_decode_json(&da, fixed, sizeof fixed - 1, NULL, &doc, &derr) == 0)
		eval(p, &doc, lim.max_result_bytes);
	if (cut < size && gr_decode_json(&da, s + cut + 1, size - cut - 1, NULL, &doc, &derr) == 0)
		eval(p, &doc, lim.max_result_bytes);
	gr_arena_free(&da);
	gr_jp_free(p);
	return 0;
}
