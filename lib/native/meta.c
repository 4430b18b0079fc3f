/*
 * meta.c — object metadata as ValidateObjectMeta (apimachinery
 * api/validation/objectmeta.go) and each kind's name function judge it:
 * name or generateName, the per-kind name format (DNS-1123 subdomain,
 * DNS-1123 label, DNS-1035 label, path segment), labels, annotations,
 * finalizers, owner references.
 */
#include <stdio.h>
#include <string.h>

#include "native_int.h"

typedef enum { NAME_SUBDOMAIN, NAME_LABEL, NAME_DNS1035, NAME_NODOTS, NAME_PATHSEG, NAME_CRONJOB } name_fn;

static name_fn kind_name_fn(const gr_object *o)
{
	const char *g = o->group, *k = o->kind;
	if (!*g && strcmp(k, "Service") == 0)
		return NAME_DNS1035;
	if (!*g && strcmp(k, "Namespace") == 0)
		return NAME_NODOTS;
	if (strcmp(g, "apps") == 0 && strcmp(k, "StatefulSet") == 0)
		return NAME_NODOTS;
	if (strcmp(g, "batch") == 0 && strcmp(k, "CronJob") == 0)
		return NAME_CRONJOB;
	if (strcmp(g, "rbac.authorization.k8s.io") == 0 || strcmp(g, "autoscaling") == 0)
		return NAME_PATHSEG;
	return NAME_SUBDOMAIN;
}

/* messages of a name (prefix: generateName, a trailing '-' allowed) */
static int name_msgs(name_fn fn, const char *name, bool prefix, nv_msgs *m)
{
	char buf[1100];
	snprintf(buf, sizeof buf, "%s", name);
	size_t n = strlen(buf);
	if (prefix && n && buf[n - 1] == '-' && fn != NAME_PATHSEG)
		buf[n - 1] = 'a';
	switch (fn) {
	case NAME_DNS1035: return nv_dns1035_label(buf, m);
	case NAME_LABEL: return nv_dns1123_label(buf, m);
	case NAME_NODOTS:
		if (strchr(buf, '.')) {
			m->m[m->n++] = "must not contain dots";
			return m->n;
		}
		return nv_dns1123_label(buf, m);
	case NAME_PATHSEG:
		if (!prefix && (strcmp(buf, ".") == 0 || strcmp(buf, "..") == 0)) {
			snprintf(m->buf[0], sizeof m->buf[0], "may not be '%s'", buf);
			m->m[m->n++] = m->buf[0];
			return m->n;
		}
		if (strchr(buf, '/'))
			m->m[m->n++] = "may not contain '/'";
		if (strchr(buf, '%'))
			m->m[m->n++] = "may not contain '%'";
		return m->n;
	case NAME_CRONJOB:
		nv_dns1123_subdomain(buf, m);
		if (!prefix && strlen(buf) > 52 && m->n < NV_MAXMSG)
			m->m[m->n++] = "must be no more than 52 characters";
		return m->n;
	default: return nv_dns1123_subdomain(buf, m);
	}
}

static void check_map_keys(nv_ctx *c, const gr_value *map, const char *path, bool labels)
{
	if (!map || map->type != GR_OBJECT)
		return;
	size_t total = 0;
	for (size_t i = 0; i < map->u.o.len; i++) {
		const gr_member *mb = &map->u.o.members[i];
		char key[400];
		snprintf(key, sizeof key, "%.*s", (int)mb->key_len, mb->key);
		if (!labels)
			for (char *q = key; *q; q++)
				if (*q >= 'A' && *q <= 'Z')
					*q = (char)(*q - 'A' + 'a');
		nv_msgs m = {0};
		nv_qualified_name(key, &m);
		gr_value kv = {.type = GR_STRING, .line = mb->value.line, .column = mb->value.column};
		kv.u.s.ptr = mb->key;
		kv.u.s.len = mb->key_len;
		for (int j = 0; j < m.n; j++)
			nv_invalid(c, labels ? NV_META_LABEL_KEY : NV_META_ANNOTATION_KEY, path, &kv, m.m[j]);
		total += mb->key_len;
		if (mb->value.type == GR_STRING) {
			total += mb->value.u.s.len;
			if (labels) {
				char val[400];
				snprintf(val, sizeof val, "%.*s", (int)mb->value.u.s.len, mb->value.u.s.ptr);
				nv_msgs vm = {0};
				nv_label_value(val, &vm);
				for (int j = 0; j < vm.n; j++)
					nv_invalid(c, NV_META_LABEL_VALUE, path, &mb->value, vm.m[j]);
			}
		}
	}
	if (!labels && total > 256 * 1024) {
		gr_finding *x = gr_findings_addf(c->out, c->obj, nv_rules[NV_META_ANNOTATIONS_SIZE].id,
		                                 GR_SEV_ERROR, GR_ACTION_ENFORCE, path, map,
		                                 "%s: Too long: may not be more than 262144 bytes", path);
		if (x) {
			x->reason = "FieldValueTooLong";
			x->remediation = nv_rules[NV_META_ANNOTATIONS_SIZE].remediation;
			x->doc = "docs/rules/native.md";
		}
	}
}

/* labels and annotations of a pod template or other nested metadata */
void nv_check_labels(nv_ctx *c, const gr_value *meta, const char *path)
{
	char p[512];
	snprintf(p, sizeof p, "%s.labels", path);
	check_map_keys(c, gr_get(meta, "labels"), p, true);
	snprintf(p, sizeof p, "%s.annotations", path);
	check_map_keys(c, gr_get(meta, "annotations"), p, false);
}

void nv_check_meta(nv_ctx *c)
{
	const gr_value *meta = gr_get(c->obj->root, "metadata");
	if (!meta || meta->type != GR_OBJECT) {
		nv_required(c, NV_META_NAME_REQUIRED, "metadata.name", c->obj->root,
		            "name or generateName is required");
		return;
	}
	name_fn fn = kind_name_fn(c->obj);
	const gr_value *nv = gr_get(meta, "name"), *gv = gr_get(meta, "generateName");
	const char *name = nv && nv->type == GR_STRING ? nv->u.s.ptr : "";
	const char *gen = gv && gv->type == GR_STRING ? gv->u.s.ptr : "";
	if (!*name && !*gen)
		nv_required(c, NV_META_NAME_REQUIRED, "metadata.name", meta,
		            "name or generateName is required");
	if (*gen) {
		nv_msgs m = {0};
		name_msgs(fn, gen, true, &m);
		for (int j = 0; j < m.n; j++)
			nv_invalid(c, NV_META_GENERATENAME_FORMAT, "metadata.generateName", gv, m.m[j]);
	}
	char gname[1100];
	if (!*name && *gen) { /* the server generates the name: prefix + 5 characters */
		snprintf(gname, sizeof gname, "%.1000sxxxxx", gen);
		name = gname;
		nv = gv;
	}
	if (*name) {
		nv_msgs m = {0};
		name_msgs(fn, name, false, &m);
		for (int j = 0; j < m.n; j++)
			nv_invalid_str(c, NV_META_NAME_FORMAT, "metadata.name", nv, name, m.m[j]);
		if (!*c->obj->group && strcmp(c->obj->kind, "Namespace") == 0) {
			nv_msgs lm = {0};
			if (nv_label_value(name, &lm))
				for (int j = 0; j < lm.n; j++)
					nv_invalid_str(c, NV_META_NAMESPACE_LABEL, "metadata.labels", nv,
					               name, lm.m[j]);
		}
	}
	nv_check_labels(c, meta, "metadata");
	const gr_value *fin = gr_get(meta, "finalizers");
	for (size_t i = 0; fin && fin->type == GR_ARRAY && i < fin->u.a.len; i++) {
		const gr_value *f = &fin->u.a.items[i];
		if (f->type != GR_STRING)
			continue;
		nv_msgs m = {0};
		nv_qualified_name(f->u.s.ptr, &m);
		for (int j = 0; j < m.n; j++)
			nv_invalid(c, NV_META_FINALIZER, "metadata.finalizers", f, m.m[j]);
		static const char *const std[] = {"kubernetes", "orphan", "foregroundDeletion", NULL};
		if (!*c->obj->group || strcmp(c->obj->group, "apps") == 0 ||
		    strcmp(c->obj->group, "batch") == 0) {
			if (!strchr(f->u.s.ptr, '/') && !nv_in(f->u.s.ptr, std)) {
				char p[64];
				snprintf(p, sizeof p, "metadata.finalizers[%zu]", i);
				nv_invalid(c, NV_META_FINALIZER, p, f,
				           "name is neither a standard finalizer name nor is it fully "
				           "qualified");
			}
		}
	}
	const gr_value *owners = gr_get(meta, "ownerReferences");
	for (size_t i = 0; owners && owners->type == GR_ARRAY && i < owners->u.a.len; i++) {
		const gr_value *ow = &owners->u.a.items[i];
		const char *uid = nv_str(ow, "uid");
		if (!uid || !*uid)
			nv_invalid_str(c, NV_META_OWNER_UID, "metadata.ownerReferences.uid", ow, "",
			               "uid must not be empty");
	}
}

void nv_check_template_labels(nv_ctx *c, const gr_value *tmpl, const char *path)
{
	check_map_keys(c, gr_get_path(tmpl, "metadata", "labels", NULL), path, true);
}
