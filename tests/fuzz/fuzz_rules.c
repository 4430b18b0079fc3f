/*
 * fuzz_rules.c — libFuzzer harness: any bytes, decoded as YAML, judged as one
 * input set by every rule of every pack and profile. Rules must never crash
 * or read out of bounds, whatever shape or cross-references the objects have.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "guardrail/guardrail.h"
#include "guardrail/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static gr_rules *all;
	if (!all) {
		static const char *const packs[] = {"bp",      "ref",        "api",        "image",
		                                    "polaris", "kube-score", "kube-linter"};
		gr_rules_options o;
		memset(&o, 0, sizeof o);
		o.only = packs;
		o.nonly = 7;
		o.assume_complete = true;
		o.require_digest = o.require_qualified = true;
		static const char *const reg[] = {"registry.example.com"};
		o.allowed_registries = reg;
		o.nallowed_registries = 1;
		o.denied_registries = reg;
		o.ndenied_registries = 1;
		gr_error err;
		if (gr_rules_new(&all, &o, &err) != 0)
			return 0;
	}
	gr_arena a;
	gr_arena_init(&a);
	gr_arena_set_limit(&a, 64u << 20);
	gr_document *docs = NULL;
	size_t ndocs = 0;
	gr_error err;
	gr_decode_yaml(&a, (const char *)data, size, NULL, &docs, &ndocs, &err);
	gr_object set[64];
	size_t n = 0;
	for (size_t d = 0; d < ndocs && n < 64; d++) {
		gr_object *objs;
		size_t no;
		if (gr_objects_from_document(&a, &docs[d], "fuzz", &objs, &no) != 0)
			continue;
		for (size_t i = 0; i < no && n < 64; i++)
			set[n++] = objs[i];
	}
	gr_findings out;
	gr_findings_init(&out, &a);
	gr_rules_check_set(all, set, n, &out, &err);
	gr_findings_free(&out);
	gr_arena_free(&a);
	return 0;
}
