/*
 * object.h — a Kubernetes object: a value tree plus what every engine needs
 * without digging.
 *
 * gr_objects_from_document() turns one decoded document into objects, as
 * kubectl does: an object with an `items` array (kind List, PodList, ... —
 * apimachinery looks at `items`, not at the kind) is flattened into its
 * items, recursively and breadth first; an item with neither kind nor
 * apiVersion gets the list's apiVersion and its kind less "List" (a
 * ConfigMapList's items are ConfigMaps). Anything else is one object. For every workload kind the
 * pod spec and pod metadata are located once here, so engines never repeat
 * the kind switch:
 *
 *   Pod                      spec                                metadata
 *   PodTemplate              template.spec                       template.metadata
 *   Deployment, ReplicaSet,  spec.template.spec                  spec.template.metadata
 *   StatefulSet, DaemonSet,
 *   Job, ReplicationController
 *   CronJob                  spec.jobTemplate.spec.template.spec spec.jobTemplate.spec.template.metadata
 *
 * Field paths are relative to the object (as the API server reports them),
 * in the form `spec.template.spec.containers[0].image`.
 */
#ifndef GUARDRAIL_OBJECT_H
#define GUARDRAIL_OBJECT_H

#include <stdbool.h>
#include <stddef.h>

#include "guardrail/arena.h"
#include "guardrail/decode.h"
#include "guardrail/value.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gr_object {
	const gr_value *root;    /* the object's tree (an object node, or anything for bad input) */
	const char *api_version; /* "" when missing or not a string */
	const char *group;       /* "" for the core group ("v1") */
	const char *version;     /* "v1", "v1beta1", ... */
	const char *kind;        /* "" when missing */
	const char *name;        /* metadata.name, or generateName, or "" */
	const char *namespace_;  /* metadata.namespace or "" */
	const char *file;        /* input name as given ("-" for stdin) */
	unsigned document;       /* 0-based document index in the file */
	int item;                /* index among the objects flattened from its List, or -1 */
	/* Workloads only (NULL otherwise). */
	const gr_value *pod_spec;
	const char *pod_spec_path;     /* "spec", "spec.template.spec", ... */
	const gr_value *pod_metadata;  /* may be NULL even when pod_spec is set */
	const char *pod_metadata_path; /* "metadata", "spec.template.metadata", ... */
} gr_object;

/*
 * Fill objs (arena array) from a document. Flattens Lists. Always yields at
 * least one object for a non-empty document, even a malformed one (so the
 * schema engine can report that it is not an object).
 */
int gr_objects_from_document(gr_arena *a, const gr_document *doc, const char *file, gr_object **objs,
                             size_t *nobjs);

/* Fill derived fields of one object from its root (used by the above and by
 * callers that build objects from other sources, e.g. AdmissionReview). */
void gr_object_init(gr_arena *a, gr_object *o, const gr_value *root, const char *file, unsigned document,
                    int item);

/* True when the kind is one whose pod spec is located (see table above). */
bool gr_kind_is_workload(const char *kind);

#ifdef __cplusplus
}
#endif

#endif
