/*
 * core_volumes.c — pod volumes and volume mounts (pkg/apis/core/validation
 * ValidateVolumes, ValidateVolumeMounts): names, one source per volume,
 * mounts naming a volume, mount paths, subPath, propagation, item paths and
 * modes of configMap/secret/downwardAPI/projected sources, PVC claim names,
 * service account token expiry.
 */
#include <stdio.h>
#include <string.h>

#include "native_int.h"

#define ARR(v)     ((v) && (v)->type == GR_ARRAY)
#define EACH(v, i) for (size_t i = 0; ARR(v) && i < (v)->u.a.len; i++)

static const char *const sources[] = {"hostPath",
                                      "emptyDir",
                                      "gcePersistentDisk",
                                      "awsElasticBlockStore",
                                      "gitRepo",
                                      "secret",
                                      "nfs",
                                      "iscsi",
                                      "glusterfs",
                                      "persistentVolumeClaim",
                                      "rbd",
                                      "flexVolume",
                                      "cinder",
                                      "cephfs",
                                      "flocker",
                                      "downwardAPI",
                                      "fc",
                                      "azureFile",
                                      "configMap",
                                      "vsphereVolume",
                                      "quobyte",
                                      "azureDisk",
                                      "photonPersistentDisk",
                                      "projected",
                                      "portworxVolume",
                                      "scaleIO",
                                      "storageos",
                                      "csi",
                                      "ephemeral",
                                      "image",
                                      NULL};

static void check_rel_path(nv_ctx *c, const char *p, const gr_value *v)
{
	if (!v || v->type != GR_STRING)
		return;
	const char *s = v->u.s.ptr;
	if (s[0] == '/')
		nv_invalid(c, NV_VOLUME_SOURCE, p, v, "must be a relative path");
	/* a ".." path element */
	const char *q = s;
	while (q && *q) {
		const char *e = strchr(q, '/');
		size_t l = e ? (size_t)(e - q) : strlen(q);
		if (l == 2 && q[0] == '.' && q[1] == '.') {
			nv_invalid(c, NV_VOLUME_SOURCE, p, v, "must not contain '..'");
			break;
		}
		q = e ? e + 1 : NULL;
	}
}

static void check_mode(nv_ctx *c, const char *p, const gr_value *v)
{
	int64_t n;
	if (nv_int(v, &n) && (n < 0 || n > 0777))
		nv_invalid(c, NV_VOLUME_SOURCE, p, v,
		           "must be a number between 0 and 0777 (octal), both inclusive");
}

static void check_items(nv_ctx *c, const gr_value *src, const char *base)
{
	char p[800];
	snprintf(p, sizeof p, "%s.defaultMode", base);
	check_mode(c, p, gr_get(src, "defaultMode"));
	const gr_value *items = gr_get(src, "items");
	EACH(items, i)
	{
		const gr_value *it = &items->u.a.items[i];
		snprintf(p, sizeof p, "%s.items[%zu].path", base, i);
		check_rel_path(c, p, gr_get(it, "path"));
		snprintf(p, sizeof p, "%s.items[%zu].mode", base, i);
		check_mode(c, p, gr_get(it, "mode"));
	}
}

static void check_downward(nv_ctx *c, const gr_value *src, const char *base)
{
	static const char *const paths[] = {"metadata.annotations", "metadata.labels", "metadata.name",
	                                    "metadata.namespace",   "metadata.uid",    NULL};
	const gr_value *items = gr_get(src, "items");
	char p[800];
	EACH(items, i)
	{
		const gr_value *it = &items->u.a.items[i];
		snprintf(p, sizeof p, "%s.items[%zu].path", base, i);
		check_rel_path(c, p, gr_get(it, "path"));
		const gr_value *fp = gr_get_path(it, "fieldRef", "fieldPath", NULL);
		if (fp && fp->type == GR_STRING && !nv_in(fp->u.s.ptr, paths) &&
		    strncmp(fp->u.s.ptr, "metadata.annotations[", 21) != 0 &&
		    strncmp(fp->u.s.ptr, "metadata.labels[", 16) != 0) {
			snprintf(p, sizeof p, "%s.fieldRef.fieldPath", base);
			nv_not_supported(c, NV_VOLUME_SOURCE, p, fp, paths);
		}
	}
}

void nv_check_volumes(nv_ctx *c, const gr_value *spec, const char *path)
{
	const gr_value *vols = gr_get(spec, "volumes");
	char p[800];
	EACH(vols, i)
	{
		const gr_value *v = &vols->u.a.items[i];
		char base[700];
		snprintf(base, sizeof base, "%s.volumes[%zu]", path, i);
		const gr_value *n = gr_get(v, "name");
		snprintf(p, sizeof p, "%s.name", base);
		if (!n || n->type != GR_STRING || !n->u.s.len)
			nv_required(c, NV_VOLUME_NAME, p, v, NULL);
		else {
			nv_msgs m = {0};
			if (strchr(n->u.s.ptr, '.')) {
				if (n->u.s.len > 63)
					m.m[m.n++] = "must be no more than 63 characters";
				m.m[m.n++] = "must not contain dots";
			} else
				nv_dns1123_label(n->u.s.ptr, &m);
			for (int j = 0; j < m.n; j++)
				nv_invalid(c, NV_VOLUME_NAME, p, n, m.m[j]);
			for (size_t k = 0; k < i; k++) {
				const char *o = nv_str(&vols->u.a.items[k], "name");
				if (o && strcmp(o, n->u.s.ptr) == 0) {
					nv_duplicate(c, NV_VOLUME_NAME, p, n);
					break;
				}
			}
		}
		int nsrc = 0;
		for (int s = 0; sources[s]; s++) {
			const gr_value *src = gr_get(v, sources[s]);
			if (!src || src->type == GR_NULL)
				continue;
			snprintf(p, sizeof p, "%s.%s", base, sources[s]);
			if (nsrc++) {
				nv_forbidden(c, NV_VOLUME_SOURCE, p, src,
				             "may not specify more than 1 volume type");
				continue;
			}
			if (strcmp(sources[s], "emptyDir") == 0) {
				const gr_value *sl = gr_get(src, "sizeLimit");
				long double q;
				if (nv_quantity(sl, &q) && q < 0) {
					snprintf(p, sizeof p, "%s.emptyDir.sizeLimit", base);
					nv_forbidden(c, NV_VOLUME_SOURCE, p, sl,
					             "SizeLimit field must be a valid resource quantity");
				}
			} else if (strcmp(sources[s], "configMap") == 0 || strcmp(sources[s], "secret") == 0)
				check_items(c, src, p);
			else if (strcmp(sources[s], "downwardAPI") == 0)
				check_downward(c, src, p);
			else if (strcmp(sources[s], "persistentVolumeClaim") == 0) {
				const char *cn = nv_str(src, "claimName");
				if (!cn || !*cn) {
					char q[820];
					snprintf(q, sizeof q, "%s.claimName", p);
					nv_required(c, NV_VOLUME_SOURCE, q, src, NULL);
				}
			} else if (strcmp(sources[s], "projected") == 0) {
				const gr_value *ps = gr_get(src, "sources");
				EACH(ps, k)
				{
					const gr_value *es =
					        gr_get_path(&ps->u.a.items[k], "serviceAccountToken",
					                    "expirationSeconds", NULL);
					int64_t x;
					char q[900];
					if (nv_int(es, &x)) {
						snprintf(q, sizeof q,
						         "%s.sources[%zu].serviceAccountToken."
						         "expirationSeconds",
						         p, k);
						if (x < 600)
							nv_invalid(c, NV_VOLUME_SOURCE, q, es,
							           "may not specify a duration less than 10 "
							           "minutes");
						else if (x > 4294967296LL)
							nv_invalid(c, NV_VOLUME_SOURCE, q, es,
							           "may not specify a duration larger than "
							           "2^32 seconds");
					}
				}
			}
		}
	}
}

static bool has_volume(const gr_value *vols, const char *name)
{
	EACH(vols, i)
	{
		/* a volume whose name is invalid is not in the server's volume set */
		const char *o = nv_str(&vols->u.a.items[i], "name");
		nv_msgs m = {0};
		if (o && strcmp(o, name) == 0 && !strchr(o, '.') && !nv_dns1123_label(o, &m))
			return true;
	}
	return false;
}

void nv_check_mounts(nv_ctx *c, const gr_value *spec, const gr_value *ct, const char *base)
{
	const gr_value *vols = gr_get(spec, "volumes");
	const gr_value *mounts = gr_get(ct, "volumeMounts");
	char p[800], bare[760];
	snprintf(bare, sizeof bare, "%s.volumeMounts", base);
	EACH(mounts, i)
	{
		const gr_value *m = &mounts->u.a.items[i];
		const gr_value *n = gr_get(m, "name"), *mp = gr_get(m, "mountPath");
		snprintf(p, sizeof p, "%s[%zu].name", bare, i);
		if (!n || n->type != GR_STRING || !n->u.s.len)
			nv_required(c, NV_VOLUME_MOUNT, p, m, NULL);
		else if (!has_volume(vols, n->u.s.ptr) && !c->warnings_only) {
			gr_finding *x = gr_findings_addf(c->out, c->obj, nv_rules[NV_VOLUME_MOUNT].id,
			                                 GR_SEV_ERROR, GR_ACTION_ENFORCE, p, n,
			                                 "%s: Not found: \"%s\"", p, n->u.s.ptr);
			if (x) {
				x->reason = "FieldValueNotFound";
				x->remediation = nv_rules[NV_VOLUME_MOUNT].remediation;
				x->doc = "docs/rules/native.md";
			} else
				c->oom = true;
		}
		snprintf(p, sizeof p, "%s[%zu].mountPath", bare, i);
		if (!mp || mp->type != GR_STRING || !mp->u.s.len)
			nv_required(c, NV_VOLUME_MOUNT, p, m, NULL);
		else
			for (size_t k = 0; k < i; k++) {
				const char *o = nv_str(&mounts->u.a.items[k], "mountPath");
				if (o && strcmp(o, mp->u.s.ptr) == 0) {
					nv_invalid(c, NV_VOLUME_MOUNT, p, mp, "must be unique");
					break;
				}
			}
		const gr_value *sp = gr_get(m, "subPath"), *spe = gr_get(m, "subPathExpr");
		if (sp && sp->type == GR_STRING && sp->u.s.len) {
			snprintf(p, sizeof p, "%s.subPath", bare);
			check_rel_path(c, p, sp);
			if (spe && spe->type == GR_STRING && spe->u.s.len) {
				snprintf(p, sizeof p, "%s[%zu].subPathExpr", bare, i);
				nv_invalid(c, NV_VOLUME_MOUNT, p, spe,
				           "subPathExpr and subPath are mutually exclusive");
			}
		}
		const gr_value *prop = gr_get(m, "mountPropagation");
		static const char *const props[] = {"Bidirectional", "HostToContainer", "None", NULL};
		if (prop && prop->type == GR_STRING && !nv_in(prop->u.s.ptr, props)) {
			snprintf(p, sizeof p, "%s.mountPropagation", bare);
			nv_not_supported(c, NV_VOLUME_MOUNT, p, prop, props);
		}
		const gr_value *rro = gr_get(m, "recursiveReadOnly"), *ro = gr_get(m, "readOnly");
		if (rro && rro->type == GR_STRING && strcmp(rro->u.s.ptr, "Disabled") != 0 &&
		    !(ro && ro->type == GR_BOOL && ro->u.b)) {
			snprintf(p, sizeof p, "%s.recursiveReadOnly", bare);
			nv_forbidden(c, NV_VOLUME_MOUNT, p, rro,
			             "may only be specified when readOnly is true");
		}
	}
}
