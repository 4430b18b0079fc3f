/*
 * server_patches.c — where the API server is laxer than the OpenAPI schemas
 * it publishes, expressed as JSON merge patches (RFC 7386, the mechanism of
 * --schema-patches) that the schema engine lays over the built-in schemas by
 * default (its option server-patches; a registry opened directly has none).
 *
 * - list-map keys the server does not enforce on containers: duplicate env
 *   names and container ports are accepted with a warning (native.env.duplicate,
 *   native.port.duplicate); duplicate container, volume and mount names are
 *   refused by the server's own rules, at its own fields (native.*);
 * - required fields the server defaults or does not require: StatefulSet
 *   spec.serviceName (optional in the schemas from 1.33), a pod failure policy
 *   condition's status (defaulted to True in a Job, from 1.35 in the schemas;
 *   a CronJob's jobTemplate still requires it: native.job.spec), an
 *   EndpointSlice's endpoints.
 *
 * Every patch only edits definitions present in every version shipped
 * (1.27-1.35); a `required` list is replaced whole, by the one upstream
 * publishes in its later versions.
 */
#include <string.h>

#include "guardrail/decode.h"
#include "guardrail/schema.h"
#include "registry_int.h"

/* The pod template's lists that the server does not treat as maps (it
 * accepts duplicate env names and ports, and warns): in every document
 * that carries core/v1's Container, EphemeralContainer and PodSpec. */
#define POD_LISTS_RELAXED                                                                                    \
	"\"io.k8s.api.core.v1.Container\":{\"properties\":{\"env\":{\"x-kubernetes-lis"                      \
	"t-type\":null,\"x-kubernetes-list-map-keys\":null},\"ports\":{\"x-kubernetes"                       \
	"-list-type\":null,\"x-kubernetes-list-map-keys\":null},\"volumeMounts\":{\"x"                       \
	"-kubernetes-list-type\":null,\"x-kubernetes-list-map-keys\":null}}},\"io.k"                         \
	"8s.api.core.v1.EphemeralContainer\":{\"properties\":{\"env\":{\"x-kubernetes"                       \
	"-list-type\":null,\"x-kubernetes-list-map-keys\":null},\"ports\":{\"x-kubern"                       \
	"etes-list-type\":null,\"x-kubernetes-list-map-keys\":null},\"volumeMounts\""                        \
	":{\"x-kubernetes-list-type\":null,\"x-kubernetes-list-map-keys\":null}}},\""                        \
	"io.k8s.api.core.v1.PodSpec\":{\"properties\":{\"containers\":{\"x-kubernetes"                       \
	"-list-type\":null,\"x-kubernetes-list-map-keys\":null},\"initContainers\":{"                        \
	"\"x-kubernetes-list-type\":null,\"x-kubernetes-list-map-keys\":null},\"volu"                        \
	"mes\":{\"x-kubernetes-list-type\":null,\"x-kubernetes-list-map-keys\":null}"                        \
	"}}"

static const struct {
	const char *rel; /* the document, as under the schema directory's version folder */
	const char *json;
} patches[] = {
        {"api/v1.json", "{\"components\":{\"schemas\":{" POD_LISTS_RELAXED "}}}"},
        {"apis/apps/v1.json", "{\"components\":{\"schemas\":{" POD_LISTS_RELAXED
                              ",\"io.k8s.api.apps.v1.StatefulSetSpec\":{\"required\":[\"selector\",\"templat"
                              "e\"]}}}}"},
        {"apis/batch/v1.json", "{\"components\":{\"schemas\":{" POD_LISTS_RELAXED
                               ",\"io.k8s.api.batch.v1.PodFailurePolicyOnPodConditionsPattern\":{\"requir"
                               "ed\":[\"type\"]}}}}"},
        {"apis/discovery.k8s.io/v1.json",
         "{\"components\":{\"schemas\":{\"io.k8s.api.discovery.v1.EndpointSlice\":{\"re"
         "quired\":[\"addressType\"]}}}}"},
};

gr_value gri_schema_server_patch(gr_arena *a, const char *rel, const gr_value *doc)
{
	for (size_t i = 0; i < sizeof patches / sizeof patches[0]; i++) {
		if (strcmp(rel, patches[i].rel) != 0)
			continue;
		gr_value patch;
		gr_error err;
		/* a compiled-in text: test_schema checks every one decodes */
		if (gr_decode_json(a, patches[i].json, strlen(patches[i].json), NULL, &patch, &err) != 0)
			return *doc;
		return gr_json_merge_patch(a, doc, &patch);
	}
	return *doc;
}

const char *gri_schema_server_patch_text(size_t i, const char **rel)
{
	if (i >= sizeof patches / sizeof patches[0])
		return NULL;
	*rel = patches[i].rel;
	return patches[i].json;
}
