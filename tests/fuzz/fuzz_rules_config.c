/*
 * fuzz_rules_config.c — libFuzzer harness for the .guardrail.yaml loader:
 * any bytes must give a configuration or an error with a position, never a
 * crash; a configuration that loads must apply and build rules. The same for
 * the profiles' own files (Polaris config.yaml, .kube-linter.yaml).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "guardrail/decode.h"
#include "guardrail/object.h"
#include "guardrail/rules.h"

/* An upstream tool's file (Polaris, kube-linter with custom checks) must load
 * or fail the same way, and its rules must run. */
static void upstream(gr_rules_profile p, const uint8_t *data, size_t size)
{
	gr_rules_file *f;
	gr_error err;
	if (gr_rules_file_parse_upstream(p, "fuzz.yaml", (const char *)data, size, &f, &err) != 0)
		return;
	gr_rules_options o;
	memset(&o, 0, sizeof o);
	gr_rules *r;
	if (gr_rules_file_apply(f, &o, &err) == 0 && gr_rules_new(&r, &o, &err) == 0) {
		/* judge one small object with every custom check the file made */
		static const char pod[] =
		        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s, labels: {a: b}, "
		        "annotations: {x: y}}\nspec: {volumeClaimTemplates: [{metadata: {name: d}}], "
		        "template: {spec: {containers: [{name: c, image: i}]}}}\n";
		gr_arena a;
		gr_arena_init(&a);
		gr_document *docs;
		size_t nd;
		gr_object *objs;
		size_t no;
		if (gr_decode_yaml(&a, pod, sizeof pod - 1, NULL, &docs, &nd, &err) == 0 && nd == 1 &&
		    gr_objects_from_document(&a, &docs[0], "p", &objs, &no) == 0) {
			gr_findings out;
			gr_findings_init(&out, &a);
			gr_rules_check_set(r, objs, no, &out, &err);
			gr_findings_free(&out);
		}
		gr_arena_free(&a);
		gr_rules_free(r);
	}
	gr_rules_file_free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	upstream(GR_PROFILE_POLARIS, data, size);
	upstream(GR_PROFILE_KUBE_LINTER, data, size);
	gr_rules_file *f;
	gr_error err;
	if (gr_rules_file_parse("fuzz.yaml", (const char *)data, size, &f, &err) != 0)
		return 0;
	gr_rules_options o;
	memset(&o, 0, sizeof o);
	gr_rules *r;
	if (gr_rules_file_apply(f, &o, &err) == 0 && gr_rules_new(&r, &o, &err) == 0)
		gr_rules_free(r);
	gr_rules_file_free(f);
	return 0;
}
