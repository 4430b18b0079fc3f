/*
 * fuzz_native.c — libFuzzer harness: any bytes, decoded as YAML, every
 * object judged by the native engine (names, pod specs, selectors, cron
 * schedules and time zones, CIDRs, quantities, webhook and admission policy
 * configurations, quotas and limit ranges) at three settings: the default
 * (1.32), 1.28 (before the versioned rules' gates) and 1.35 with stored=true.
 * Whatever shape the objects have, the engine must never crash, read out of
 * bounds or leak.
 */
#include <stddef.h>
#include <stdint.h>

#include "guardrail/guardrail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static gr_checker *chk[3];
	static const char *const versions[3] = {"1.32", "1.28", "1.35"};
	gr_error err;
	for (int k = 0; k < 3; k++)
		if (!chk[k]) {
			gr_options *o = gr_options_new();
			if (gr_options_select(o, "native", &err) ||
			    gr_options_set(o, "native", "kubernetes-version", versions[k], &err) ||
			    gr_options_set(o, "native", "stored", k == 2 ? "true" : "false", &err) ||
			    gr_checker_new(&chk[k], o, &err)) {
				gr_options_free(o);
				return 0;
			}
			gr_options_free(o);
		}
	gr_arena a;
	gr_arena_init(&a);
	gr_arena_set_limit(&a, 64u << 20);
	gr_document *docs = NULL;
	size_t ndocs = 0;
	gr_decode_yaml(&a, (const char *)data, size, NULL, &docs, &ndocs, &err);
	gr_findings out;
	gr_findings_init(&out, &a);
	for (size_t d = 0; d < ndocs; d++) {
		gr_object *objs;
		size_t n;
		if (gr_objects_from_document(&a, &docs[d], "fuzz", &objs, &n) != 0)
			continue;
		for (size_t i = 0; i < n; i++)
			for (int k = 0; k < 3; k++) {
				gr_check_ctx ctx = {.arena = &a};
				gr_object_status st;
				gr_checker_check_object(chk[k], &objs[i], &ctx, &out, &st, &err);
			}
	}
	gr_findings_free(&out);
	gr_arena_free(&a);
	return 0;
}
