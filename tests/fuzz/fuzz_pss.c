/*
 * fuzz_pss.c — libFuzzer harness: any bytes, decoded as YAML/JSON, put in a
 * set (Namespaces kept whole), a pss checker derived from it, and every
 * object judged in all three modes at several versions. The engine, the set
 * and the derivation must never crash or read out of bounds, whatever shape
 * the objects have.
 */
#include <stddef.h>
#include <stdint.h>

#include "guardrail/guardrail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static gr_checker *base;
	gr_error err;
	if (!base) {
		gr_options *o = gr_options_new();
		if (gr_options_select(o, "pss", &err) ||
		    gr_options_set(o, "pss", "enforce", "baseline:v1.18", &err) ||
		    gr_options_set(o, "pss", "warn", "restricted:latest", &err) ||
		    gr_options_set(o, "pss", "audit", "restricted:v1.24", &err) ||
		    gr_checker_new(&base, o, &err)) {
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
	/* YAML only: the JSON reader has its own harness. */
	gr_decode_yaml(&a, (const char *)data, size, NULL, &docs, &ndocs, &err);
	gr_findings out;
	gr_findings_init(&out, &a);
	gr_set *set = gr_set_new();
	gr_object **all = NULL;
	size_t nall = 0;
	for (size_t d = 0; d < ndocs; d++) {
		gr_object *objs;
		size_t n;
		if (gr_objects_from_document(&a, &docs[d], "fuzz", &objs, &n) != 0)
			continue;
		for (size_t i = 0; i < n; i++)
			gr_set_add(set, &objs[i], gr_checker_wants_kind(base, objs[i].group, objs[i].kind));
		gr_object **grown = gr_arena_alloc(&a, (nall + n) * sizeof *grown);
		if (!grown)
			break;
		for (size_t i = 0; i < nall; i++)
			grown[i] = all[i];
		for (size_t i = 0; i < n; i++)
			grown[nall + i] = &objs[i];
		all = grown;
		nall += n;
	}
	gr_checker *c = NULL;
	if (gr_checker_derive(&c, base, set, &err) == 0) {
		for (size_t i = 0; i < nall; i++) {
			gr_check_ctx ctx = {.arena = &a, .set = set};
			gr_checker_check_object(c, all[i], &ctx, &out, NULL, &err);
		}
		gr_checker_unref(c);
	}
	gr_set_free(set);
	gr_findings_free(&out);
	gr_arena_free(&a);
	return 0;
}
