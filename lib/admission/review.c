/*
 * review.c — an AdmissionReview body into a gr_admission_request (see
 * admission.h). The body is decoded once by the strict JSON reader; the
 * request's object and oldObject are subtrees of that one tree.
 */
#include <string.h>

#include "guardrail/admission.h"

const char *gr_admission_op_name(gr_admission_op op)
{
	switch (op) {
	case GR_ADMISSION_CREATE: return "CREATE";
	case GR_ADMISSION_UPDATE: return "UPDATE";
	case GR_ADMISSION_DELETE: return "DELETE";
	case GR_ADMISSION_CONNECT: return "CONNECT";
	case GR_ADMISSION_OP_OTHER: break;
	}
	return "OTHER";
}

static const char *str_or_empty(const gr_value *obj, const char *key)
{
	const char *s = gr_get_str(obj, key);
	return s ? s : "";
}

static const gr_value *object_or_null(const gr_value *v)
{
	return v && v->type == GR_OBJECT ? v : NULL;
}

gr_admission_error gr_admission_decode(gr_arena *a, const char *body, size_t len,
                                       const gr_decode_limits *limits, gr_admission_request *req,
                                       gr_error *err)
{
	memset(req, 0, sizeof *req);
	gr_value *root = gr_arena_alloc(a, sizeof *root);
	if (!root) {
		gr_error_set(err, 0, 0, "out of memory");
		return GR_ADMISSION_BAD_JSON;
	}
	if (len == 0) {
		gr_error_set(err, 0, 0, "empty body");
		return GR_ADMISSION_BAD_JSON;
	}
	if (gr_decode_json(a, body, len, limits, root, err) != 0)
		return GR_ADMISSION_BAD_JSON;
	req->root = root;
	if (root->type != GR_OBJECT) {
		gr_error_set(err, root->line, root->column,
		             "an AdmissionReview must be a JSON object, not %s",
		             gr_type_name((gr_type)root->type));
		return GR_ADMISSION_BAD_TYPE;
	}
	const char *av = gr_get_str(root, "apiVersion");
	const char *kind = gr_get_str(root, "kind");
	if (!av || strcmp(av, "admission.k8s.io/v1") != 0 || !kind || strcmp(kind, "AdmissionReview") != 0) {
		gr_error_set(
		        err, 0, 0,
		        "expected apiVersion admission.k8s.io/v1 and kind AdmissionReview, got %.64s %.64s",
		        av ? av : "(none)", kind ? kind : "(none)");
		return GR_ADMISSION_BAD_TYPE;
	}
	const gr_value *r = gr_get(root, "request");
	if (!r || r->type != GR_OBJECT) {
		gr_error_set(err, 0, 0, "the AdmissionReview has no request object");
		return GR_ADMISSION_BAD_REQUEST;
	}
	req->uid = gr_get_str(r, "uid");
	if (!req->uid || !req->uid[0]) {
		gr_error_set(err, 0, 0, "request.uid is missing or not a string");
		return GR_ADMISSION_BAD_REQUEST;
	}
	const gr_value *k = gr_get(r, "kind");
	req->kind_group = str_or_empty(k, "group");
	req->kind_version = str_or_empty(k, "version");
	req->kind = str_or_empty(k, "kind");
	const gr_value *res = gr_get(r, "resource");
	req->res_group = str_or_empty(res, "group");
	req->res_version = str_or_empty(res, "version");
	req->resource = str_or_empty(res, "resource");
	req->sub_resource = str_or_empty(r, "subResource");
	req->name = str_or_empty(r, "name");
	req->namespace_ = str_or_empty(r, "namespace");
	req->operation_name = str_or_empty(r, "operation");
	static const char *const ops[] = {"CREATE", "UPDATE", "DELETE", "CONNECT"};
	req->operation = GR_ADMISSION_OP_OTHER;
	for (int i = 0; i < 4; i++)
		if (strcmp(req->operation_name, ops[i]) == 0)
			req->operation = (gr_admission_op)i;
	req->username = str_or_empty(gr_get(r, "userInfo"), "username");
	req->object = object_or_null(gr_get(r, "object"));
	req->old_object = object_or_null(gr_get(r, "oldObject"));
	const gr_value *dry = gr_get(r, "dryRun");
	req->dry_run = dry && dry->type == GR_BOOL && dry->u.b;
	return GR_ADMISSION_OK;
}
