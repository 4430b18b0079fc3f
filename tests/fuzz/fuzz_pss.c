/*
 * fuzz_pss.c — libFuzzer harness: any bytes, decoded as YAML/JSON, judged by
 * the pss engine in all three modes at several versions. The engine must
 * never crash or read out of bounds, whatever shape the objects have.
 */
#include <stddef.h>
#include <stdint.h>

#include "guardrail/guardrail.h"

extern const gr_engine gr_engine_pss;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void *state;
	if (!state) {
		gr_config cfg;
		gr_config_default(&cfg);
		cfg.pss.enforce = "baseline:v1.18";
		cfg.pss.warn = "restricted:latest";
		cfg.pss.audit = "restricted:v1.24";
		gr_error err;
		if (gr_engine_pss.create(&state, &cfg, &err) != 0)
			return 0;
	}
	gr_arena a;
	gr_arena_init(&a);
	gr_arena_set_limit(&a, 64u << 20);
	gr_document *docs = NULL;
	size_t ndocs = 0;
	gr_error err;
	/* YAML only: the JSON reader has its own harness. */
	gr_decode_yaml(&a, (const char *)data, size, NULL, &docs, &ndocs, &err);
	gr_findings out;
	gr_findings_init(&out, &a);
	gr_check_ctx ctx = {.arena = &a};
	for (size_t d = 0; d < ndocs; d++) {
		gr_object *objs;
		size_t n;
		if (gr_objects_from_document(&a, &docs[d], "fuzz", &objs, &n) != 0)
			continue;
		for (size_t i = 0; i < n; i++) {
			gr_engine_pss.prepare(state, &objs[i], &err);
			gr_engine_pss.check(state, &objs[i], &ctx, &out);
		}
	}
	gr_findings_free(&out);
	gr_arena_free(&a);
	return 0;
}
