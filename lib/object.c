/*
 * object.c — from decoded documents to Kubernetes objects (see object.h):
 * List flattening and the one place that knows where each workload kind
 * keeps its pod spec.
 */
#include <string.h>

#include "guardrail/object.h"

typedef struct workload {
	const char *kind;
	const char *spec_path[6];     /* keys to the pod spec */
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
	{"ReplicationController", {"spec", "template", "spec", NULL}, "spec.template.spec", "spec.template.metadata"},
	{"CronJob", {"spec", "jobTemplate", "spec", "template", "spec", NULL},
	 "spec.jobTemplate.spec.template.spec", "spec.jobTemplate.spec.template.metadata"},
};

static const workload *find_workload(const char *kind)
{
	for (size_t i = 0; i < sizeof workloads / sizeof workloads[0]; i++)
		if (strcmp(workloads[i].kind, kind) == 0)
			return &workloads[i];
	return NULL;
}

bool gr_kind_is_workload(const char *kind) { return kind && find_workload(kind) != NULL; }

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

static bool is_list_kind(const gr_value *root)
{
	const char *kind = gr_get_str(root, "kind");
	if (!kind)
		return false;
	size_t n = strlen(kind);
	if (n < 4 || strcmp(kind + n - 4, "List") != 0)
		return false;
	const gr_value *items = gr_get(root, "items");
	return items && items->type == GR_ARRAY;
}

int gr_objects_from_document(gr_arena *a, const gr_document *doc, const char *file, gr_object **objs,
			     size_t *nobjs)
{
	const gr_value *root = &doc->root;
	*objs = NULL;
	*nobjs = 0;
	if (root->type == GR_OBJECT && is_list_kind(root)) {
		const gr_value *items = gr_get(root, "items");
		size_t n = items->u.a.len;
		if (n == 0)
			return 0;
		gr_object *o = gr_arena_alloc(a, n * sizeof *o);
		if (!o)
			return -1;
		for (size_t i = 0; i < n; i++) {
			gr_object_init(a, &o[i], &items->u.a.items[i], file, doc->index, (int)i);
		}
		*objs = o;
		*nobjs = n;
		return 0;
	}
	gr_object *o = gr_arena_alloc(a, sizeof *o);
	if (!o)
		return -1;
	gr_object_init(a, o, root, file, doc->index, -1);
	*objs = o;
	*nobjs = 1;
	return 0;
}
