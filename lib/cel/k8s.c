/*
 * k8s.c — the Kubernetes CEL libraries over GR_CEL_OBJECT values:
 * quantity, IP, CIDR, URL, semver and format.
 */
#include <string.h>

#include "cel_internal.h"

const char *cel_object_type_name(const gr_cel_value *v)
{
	switch (v->sub) {
	case GR_CEL_OBJ_QUANTITY: return "kubernetes.Quantity";
	case GR_CEL_OBJ_IP: return "net.IP";
	case GR_CEL_OBJ_CIDR: return "net.CIDR";
	case GR_CEL_OBJ_URL: return "kubernetes.URL";
	case GR_CEL_OBJ_SEMVER: return "kubernetes.Semver";
	default: return "object";
	}
}

int cel_object_compare(const gr_cel_value *a, const gr_cel_value *b)
{
	if (a->u.s.len != b->u.s.len || memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len))
		return 1;
	return 0;
}

gr_cel_value cel_k8s_call(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	(void)a;
	(void)n;
	return cel_error(ev, "%s: not implemented yet", call->name);
}
