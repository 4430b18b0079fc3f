/*
 * fuzz_validate.c — libFuzzer harness for the schema engine: input bytes →
 * gr_decode → objects → gr_schema_check against the Kubernetes 1.35
 * schemas, loaded once at start (group-versions load lazily as inputs name
 * them, then stay). CustomResourceDefinitions in the input are compiled
 * into a registry of their own, thrown away after the input, and the
 * input's objects of those kinds are checked against it: the CRD compiler
 * sees hostile schemas too.
 *
 *   make fuzz && build-fuzz/tests/fuzz/fuzz_validate -max_total_time=600 CORPUS_DIR
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/guardrail.h"
#include "guardrail/schema.h"

static gr_schema_registry *builtin;
static char schema_dir[4096];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	gr_error err;
	const char *env = getenv("GUARDRAIL_SCHEMA_DIR"); /* a program may read it; the library does not */
	snprintf(schema_dir, sizeof schema_dir, "%s", env && *env ? env : "../shared/k8s-openapi");
	if (gr_schema_registry_open(&builtin, schema_dir, "1.35", NULL, &err) != 0) {
		fprintf(stderr, "fuzz_validate: %s\n", err.message);
		exit(1);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gr_arena a;
	gr_arena_init(&a);
	gr_arena_set_limit(&a, 64 << 20);
	gr_document *docs = NULL;
	size_t nd = 0;
	gr_error err;
	gr_decode(&a, (const char *)data, size, NULL, &docs, &nd, &err);
	gr_schema_registry *crds = NULL;
	gr_findings f;
	gr_findings_init(&f, &a);
	gr_schema_check_options strict = {.strict = true},
	                        lax = {.strict = false, .ignore_missing_schemas = true};
	for (size_t d = 0; d < nd; d++) {
		gr_object *objs;
		size_t no;
		if (gr_objects_from_document(&a, &docs[d], "fuzz", &objs, &no) != 0)
			continue;
		for (size_t o = 0; o < no; o++) {
			gr_check_ctx ctx = {.arena = &a};
			gr_schema_check(builtin, &objs[o], (o & 1) ? &lax : &strict, &ctx, &f);
			const char *k = gr_get_str(objs[o].root, "kind");
			if (k && strcmp(k, "CustomResourceDefinition") == 0) {
				if (!crds &&
				    gr_schema_registry_open(&crds, schema_dir, "1.35", NULL, &err) != 0)
					crds = NULL;
				if (crds)
					gr_schema_add_crd(crds, objs[o].root, &err);
			}
		}
	}
	if (crds) {
		/* objects whose group-version is not built-in: judged by the input's CRDs */
		for (size_t d = 0; d < nd; d++) {
			gr_object *objs;
			size_t no;
			if (gr_objects_from_document(&a, &docs[d], "fuzz", &objs, &no) != 0)
				continue;
			for (size_t o = 0; o < no; o++) {
				if (!objs[o].group[0] || !strchr(objs[o].group, '.') ||
				    strstr(objs[o].group, "k8s.io"))
					continue;
				gr_check_ctx ctx = {.arena = &a};
				gr_schema_check(crds, &objs[o], &strict, &ctx, &f);
			}
		}
		gr_schema_registry_free(crds);
	}
	gr_findings_free(&f);
	gr_arena_free(&a);
	return 0;
}
