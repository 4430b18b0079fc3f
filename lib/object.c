/*
 * object.c — from decoded documents to Kubernetes objects (see object.h):
 * List flattening (recursive, with item kinds filled in, as kubectl does)
 * and the one place that knows where each workload kind keeps its pod spec.
 */
#include <string.h>

#include "guardrail/object.h"
#include "internal.h"

typedef struct workload {
	const char *kind;
	const char *spec_path[6]; /* keys to the pod spec */
	const char *spec_str;
	const char *meta_str;
} workload;

static const workload workloads[] = {
        {"Pod", {"spec", NULL}, "spec", "metadata"},
        {"PodTemplate", {"template", "spec", NULL}, "template.spec", "template.metadata"},
        {"Deployment", {"spec", "template", "spec", NULL}, "spec.template.spec", "spec.template.metadata"},
        {"ReplicaSet", {"spec", "template", "spec", NULL}, "spec.template.spec", "spec.template.metadata"},
        {"StatefulSet", {"spec", "template", "spec", NULL}, "spec.template.spec", "spec.template.metadata"},
        {"DaemonSet", {"spec", "template", "spec", NULL}, "spec.template.spec", "spec.template.metadata"},
        {"Job", {"spec", "template", "spec", NULL}, "spec.template.spec", "spec.template.metadata"},
        {"ReplicationController",
         {"spec", "template", "spec", NULL},
         "spec.template.spec",
         "spec.template.metadata"},
        {"CronJob",
         {"spec", "jobTemplate", "spec", "template", "spec", NULL},
         "spec.jobTemplate.spec.template.spec",
         "spec.jobTemplate.spec.template.metadata"},
};

static const workload *find_workload(const char *kind)
{
	for (size_t i = 0; i < sizeof workloads / sizeof workloads[0]; i++)
		if (strcmp(workloads[i].kind, kind) == 0)
			return &workloads[i];
	return NULL;
}

bool gr_kind_is_workload(const char *kind)
{
	return kind && find_workload(kind) != NULL;
}

static void set_group(gr_arena *a, gr_object *o);

void gr_object_init(gr_arena *a, gr_object *o, const gr_value *root, const char *file, unsigned document,
                    int item)
{
	memset(o, 0, sizeof *o);
	o->root = root;
	o->file = file;
	o->document = document;
	o->item = item;
	o->api_version = "";
	o->group = "";
	o->version = "";
	o->kind = "";
	o->name = "";
	o->namespace_ = "";
	if (!root || root->type != GR_OBJECT)
		return;
	const char *s;
	if ((s = gr_get_str(root, "apiVersion")) != NULL) {
		o->api_version = s;
		const char *slash = strchr(s, '/');
		o->version = slash ? slash + 1 : s;
		set_group(a, o);
	}
	if ((s = gr_get_str(root, "kind")) != NULL)
		o->kind = s;
	const gr_value *meta = gr_get(root, "metadata");
	if ((s = gr_get_str(meta, "name")) != NULL)
		o->name = s;
	else if ((s = gr_get_str(meta, "generateName")) != NULL)
		o->name = s;
	if ((s = gr_get_str(meta, "namespace")) != NULL)
		o->namespace_ = s;
	const workload *w = find_workload(o->kind);
	if (w) {
		const gr_value *v = root;
		for (int i = 0; w->spec_path[i] && v; i++)
			v = gr_get(v, w->spec_path[i]);
		if (v && v->type == GR_OBJECT) {
			o->pod_spec = v;
			o->pod_spec_path = w->spec_str;
			/* metadata sits beside the spec */
			const gr_value *parent = root;
			for (int i = 0; w->spec_path[i + 1] && parent; i++)
				parent = gr_get(parent, w->spec_path[i]);
			o->pod_metadata = gr_get(parent, "metadata");
			o->pod_metadata_path = w->meta_str;
		}
	}
}

/* Fill group from api_version ("apps/v1" -> "apps"), in the arena. */
static void set_group(gr_arena *a, gr_object *o)
{
	const char *slash = strchr(o->api_version, '/');
	if (slash) {
		char *g = gr_arena_strndup(a, o->api_version, (size_t)(slash - o->api_version));
		o->group = g ? g : "";
	}
}

/* apimachinery's UnstructuredJSONScheme decodes any object with an `items`
 * member as a list, whatever its kind; an array of items is what we flatten. */
static bool is_list(const gr_value *v)
{
	const gr_value *items = gr_get(v, "items");
	return items && items->type == GR_ARRAY;
}

static const char *str_or_empty(const gr_value *v, const char *key)
{
	const char *s = gr_get_str(v, key);
	return s ? s : "";
}

/*
 * An item of a list that has neither kind nor apiVersion gets the list's
 * apiVersion and its kind less the "List" suffix (a PodList's items are
 * Pods; a List's items get kind ""), as decodeToList does. The item's tree
 * is shared; only its member array is new, with the two members first.
 */
static int fill_item_kind(gr_arena *a, const gr_value *list, const gr_value *item, gr_value *out)
{
	*out = *item;
	if (item->type != GR_OBJECT || str_or_empty(item, "kind")[0] || str_or_empty(item, "apiVersion")[0])
		return 0;
	const char *list_kind = str_or_empty(list, "kind");
	size_t kn = strlen(list_kind);
	if (kn >= 4 && strcmp(list_kind + kn - 4, "List") == 0)
		kn -= 4;
	const char *api = str_or_empty(list, "apiVersion");
	size_t n = item->u.o.len;
	gr_member *m = gr_arena_alloc(a, (n + 2) * sizeof *m);
	if (!m)
		return -1;
	memset(m, 0, 2 * sizeof *m);
	gr_member_set_key(&m[0], "apiVersion", 10);
	m[0].value = gr_make_string_ref(api, strlen(api));
	gr_member_set_key(&m[1], "kind", 4);
	m[1].value = gr_make_string(a, list_kind, kn);
	if (m[1].value.type != GR_STRING)
		return -1;
	for (int i = 0; i < 2; i++) {
		m[i].line = m[i].value.line = item->line;
		m[i].column = m[i].value.column = item->column;
	}
	size_t k = 2;
	for (size_t i = 0; i < n; i++) {
		const gr_member *im = &item->u.o.members[i];
		if ((im->key_len == 4 && memcmp(im->key, "kind", 4) == 0) ||
		    (im->key_len == 10 && memcmp(im->key, "apiVersion", 10) == 0))
			continue; /* SetKind/SetAPIVersion overwrite a non-string or empty one */
		m[k++] = *im;
	}
	out->u.o.members = m;
	out->u.o.len = k;
	return 0;
}

/* Make room for `more` elements of `size` bytes in an arena array that
 * grows by doubling (the old copy stays in the arena). */
static int grow(gr_arena *a, void **arr, size_t len, size_t *cap, size_t more, size_t size)
{
	if (len + more <= *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 16;
	while (ncap < len + more)
		ncap *= 2;
	void *n = gr_arena_alloc(a, ncap * size);
	if (!n)
		return -1;
	if (len)
		memcpy(n, *arr, len * size);
	*arr = n;
	*cap = ncap;
	return 0;
}

/*
 * Lists are flattened as kubectl's FlattenListVisitor does: breadth first,
 * so a list's own non-list items come before the items of lists nested in
 * it, and nested lists at any depth are flattened too. Item kinds are
 * filled at every level (see fill_item_kind).
 */
int gr_objects_from_document(gr_arena *a, const gr_document *doc, const char *file, gr_object **objs,
                             size_t *nobjs)
{
	const gr_value *root = &doc->root;
	*objs = NULL;
	*nobjs = 0;
	if (!is_list(root)) {
		gr_object *o = gr_arena_alloc(a, sizeof *o);
		if (!o)
			return -1;
		gr_object_init(a, o, root, file, doc->index, -1);
		*objs = o;
		*nobjs = 1;
		return 0;
	}
	gr_value *queue = NULL; /* values to visit, in the arena (objects point into it) */
	size_t head = 0, len = 0, cap = 0;
	gr_object *out = NULL;
	size_t nout = 0, cap_out = 0;
	int rc = 0;
	for (const gr_value *cur = root; rc == 0; cur = &queue[head++]) {
		if (is_list(cur)) {
			const gr_value *items = gr_get(cur, "items");
			rc = grow(a, (void **)&queue, len, &cap, items->u.a.len, sizeof *queue);
			for (size_t i = 0; i < items->u.a.len && rc == 0; i++)
				rc = fill_item_kind(a, cur, &items->u.a.items[i], &queue[len++]);
		} else if ((rc = grow(a, (void **)&out, nout, &cap_out, 1, sizeof *out)) == 0) {
			gr_object_init(a, &out[nout], cur, file, doc->index, (int)nout);
			nout++;
		}
		if (head == len)
			break;
	}
	*objs = out;
	*nobjs = nout;
	return rc;
}

/* Kinds the API server serves cluster-wide (no metadata.namespace): the
 * built-in ones and the common cluster-scoped custom kinds. */
static const char *const cluster_scoped[] = {
        "Namespace",
        "Node",
        "PersistentVolume",
        "ClusterRole",
        "ClusterRoleBinding",
        "StorageClass",
        "CustomResourceDefinition",
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
        "PriorityClass",
        "IngressClass",
        "RuntimeClass",
        "CSIDriver",
        "CSINode",
        "APIService",
        "ClusterPolicy",
        "PodSecurityPolicy",
        "CertificateSigningRequest",
        "VolumeAttachment",
        "ClusterIssuer",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ClusterPolicyReport",
        "ComponentStatus",
        "MutatingAdmissionPolicy",
        "MutatingAdmissionPolicyBinding",
        "FlowSchema",
        "PriorityLevelConfiguration",
        "ClusterTrustBundle",
        "DeviceClass",
        "IPAddress",
        "ServiceCIDR",
        "VolumeAttributesClass",
        "StorageVersionMigration",
        "TokenReview",
        "SubjectAccessReview",
        "SelfSubjectAccessReview",
        "SelfSubjectRulesReview",
        "SelfSubjectReview",
        NULL,
};

bool gri_kind_cluster_scoped(const char *kind)
{
	for (size_t i = 0; cluster_scoped[i]; i++)
		if (strcmp(cluster_scoped[i], kind) == 0)
			return true;
	return false;
}

static bool value_in(const gr_value *list, const char *s)
{
	for (size_t i = 0; gr_is(list, GR_ARRAY) && i < list->u.a.len; i++)
		if (gr_is(&list->u.a.items[i], GR_STRING) && !strcmp(list->u.a.items[i].u.s.ptr, s))
			return true;
	return false;
}

bool gri_label_selector_matches(const gr_value *sel, const gr_value *labels, bool unknown_op_fails)
{
	const gr_value *ml = gr_get(sel, "matchLabels");
	for (size_t i = 0; gr_is(ml, GR_OBJECT) && i < ml->u.o.len; i++) {
		const gr_member *m = &ml->u.o.members[i];
		const char *v = gr_get_str(labels, m->key);
		if (!v || !gr_is(&m->value, GR_STRING) || strcmp(v, m->value.u.s.ptr))
			return false;
	}
	const gr_value *me = gr_get(sel, "matchExpressions");
	for (size_t i = 0; gr_is(me, GR_ARRAY) && i < me->u.a.len; i++) {
		const gr_value *e = &me->u.a.items[i];
		const char *key = gr_get_str(e, "key"), *op = gr_get_str(e, "operator");
		if (!key || !op)
			return false;
		const char *v = gr_get_str(labels, key);
		const gr_value *vals = gr_get(e, "values");
		if (!strcmp(op, "In")) {
			if (!v || !value_in(vals, v))
				return false;
		} else if (!strcmp(op, "NotIn")) {
			if (v && value_in(vals, v))
				return false;
		} else if (!strcmp(op, "Exists")) {
			if (!v)
				return false;
		} else if (!strcmp(op, "DoesNotExist")) {
			if (v)
				return false;
		} else if (unknown_op_fails)
			return false;
	}
	return true;
}
