/*
 * relax.h — where the OpenAPI schema is stricter than the API server: the
 * hook the schema engine calls on its own findings for built-in kinds
 * (lib/schema/engine.c, one call), owned by the native engine's folder.
 */
#ifndef GR_NATIVE_RELAX_H
#define GR_NATIVE_RELAX_H

#include <stddef.h>

#include "guardrail/finding.h"

/* Adjust out->items[from..] (schema findings on obj) to the server's verdict:
 * list-map duplicates the server only warns about (env, container ports) or
 * reports at another field (containers, volumes, mounts: see native.*)
 * become warnings; required fields the server defaults or does not require
 * (StatefulSet spec.serviceName; a Job's podFailurePolicy condition status)
 * are dropped. */
void gri_native_relax_schema(const gr_object *obj, gr_findings *out, size_t from);

#endif
