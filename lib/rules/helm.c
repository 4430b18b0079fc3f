/*
 * helm.c — Helm 3 release records: the rendered manifest inside a release
 * Secret (type helm.sh/release.v1, data.release) or ConfigMap (label
 * owner=helm), for api.* to judge the apiVersions a release will re-apply.
 *
 * A release is JSON, gzip-compressed, base64-encoded by Helm; a Secret's
 * data adds a second base64 layer (a ConfigMap's does not). Decoding is
 * bounded: 64 MiB of JSON at most, so a crafted record cannot exhaust
 * memory. Anything that does not decode is not a release (no finding).
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../internal.h"
#include "guardrail/decode.h"
#include "rules_int.h"

#define HELM_MAX_JSON ((size_t)64 << 20)

/* Standard base64 into a malloc'd buffer (gri_base64_decode), or NULL. */
static unsigned char *b64_decode(const char *s, size_t n, size_t *out_len)
{
	char *out = NULL;
	return gri_base64_decode(s, n, &out, out_len) ? NULL : (unsigned char *)out;
}

static char *gunzip(const unsigned char *in, size_t n, size_t *out_len)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return NULL;
	size_t cap = n * 4 + 1024, len = 0;
	char *out = malloc(cap);
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)n;
	int rc = Z_OK;
	while (out && rc == Z_OK) {
		if (len == cap) {
			if (cap >= HELM_MAX_JSON)
				break;
			cap = cap * 2 > HELM_MAX_JSON ? HELM_MAX_JSON : cap * 2;
			char *g = realloc(out, cap);
			if (!g)
				break;
			out = g;
		}
		z.next_out = (unsigned char *)out + len;
		z.avail_out = (uInt)(cap - len);
		rc = inflate(&z, Z_NO_FLUSH);
		len = cap - z.avail_out;
	}
	inflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(out);
		return NULL;
	}
	*out_len = len;
	return out;
}

static bool is_release(const gr_object *o)
{
	if (rl_kind(o, "Secret") && !o->group[0])
		return rl_is(gr_get_str(o->root, "type"), "helm.sh/release.v1");
	if (rl_kind(o, "ConfigMap") && !o->group[0])
		return rl_is(gr_get_str(rl_labels(o), "owner"), "helm");
	return false;
}

/* The release's manifest, decoded into documents in arena a; NULL when o is
 * not a Helm 3 release record. *name gets the release name. */
const gr_value *rl_helm_manifest(gr_arena *a, const gr_object *o, const char **name, const gr_value **at,
                                 gr_document **docs, size_t *ndocs);
const gr_value *rl_helm_manifest(gr_arena *a, const gr_object *o, const char **name, const gr_value **at,
                                 gr_document **docs, size_t *ndocs)
{
	if (!is_release(o))
		return NULL;
	const gr_value *rel = gr_get_path(o->root, "data", "release", NULL);
	if (!rel || rel->type != GR_STRING)
		return NULL;
	*at = rel;
	size_t n1, n2, jl;
	unsigned char *l1 = b64_decode(rel->u.s.ptr, rel->u.s.len, &n1);
	if (!l1)
		return NULL;
	unsigned char *gz = l1;
	size_t gzn = n1;
	unsigned char *l2 = NULL;
	if (!(n1 >= 2 && l1[0] == 0x1f && l1[1] == 0x8b)) { /* a Secret: one more base64 layer */
		l2 = b64_decode((const char *)l1, n1, &n2);
		gz = l2;
		gzn = n2;
	}
	char *json = gz ? gunzip(gz, gzn, &jl) : NULL;
	free(l1);
	free(l2);
	if (!json)
		return NULL;
	gr_value v;
	gr_error err;
	const gr_value *manifest = NULL;
	if (gr_decode_json(a, json, jl, NULL, &v, &err) == 0) {
		*name = gr_get_str(&v, "name");
		const gr_value *m = gr_get(&v, "manifest");
		if (m && m->type == GR_STRING) {
			/* documents that decode are judged even when a later one does not */
			gr_decode_yaml(a, m->u.s.ptr, m->u.s.len, NULL, docs, ndocs, &err);
			manifest = m;
		}
	}
	free(json);
	return manifest;
}
