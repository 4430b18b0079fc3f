/*
 * selector.c — metav1.LabelSelector as ValidateLabelSelector checks it and
 * as LabelSelectorAsSelector matches labels (matchLabels AND every
 * matchExpression: In, NotIn, Exists, DoesNotExist).
 */
#include <stdio.h>
#include <string.h>

#include "native_int.h"

#define ARR(v)     ((v) && (v)->type == GR_ARRAY)
#define EACH(v, i) for (size_t i = 0; ARR(v) && i < (v)->u.a.len; i++)

bool nv_check_selector(nv_ctx *c, const gr_value *sel, const char *path)
{
	bool ok = true;
	const gr_value *me = gr_get(sel, "matchExpressions");
	EACH(me, i)
	{
		const gr_value *e = &me->u.a.items[i];
		const gr_value *op = gr_get(e, "operator"), *vals = gr_get(e, "values");
		const char *o = op && op->type == GR_STRING ? op->u.s.ptr : "";
		size_t nv = ARR(vals) ? vals->u.a.len : 0;
		char p[700];
		if (strcmp(o, "In") == 0 || strcmp(o, "NotIn") == 0) {
			if (!nv) {
				snprintf(p, sizeof p, "%s.matchExpressions[%zu].values", path, i);
				nv_required(c, NV_SELECTOR, p, e,
				            "must be specified when `operator` is 'In' or 'NotIn'");
				ok = false;
			}
		} else if (strcmp(o, "Exists") == 0 || strcmp(o, "DoesNotExist") == 0) {
			if (nv) {
				snprintf(p, sizeof p, "%s.matchExpressions[%zu].values", path, i);
				nv_forbidden(
				        c, NV_SELECTOR, p, vals,
				        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
				ok = false;
			}
		} else {
			snprintf(p, sizeof p, "%s.matchExpressions[%zu].operator", path, i);
			nv_invalid(c, NV_SELECTOR, p, op, "not a valid selector operator");
			ok = false;
		}
	}
	return ok;
}

static const gr_value *label(const gr_value *labels, const char *key)
{
	const gr_value *v = labels ? gr_get(labels, key) : NULL;
	return v && v->type == GR_STRING ? v : NULL;
}

static bool in_values(const gr_value *vals, const char *s)
{
	EACH(vals, i)
	{
		const gr_value *v = &vals->u.a.items[i];
		if (v->type == GR_STRING && strcmp(v->u.s.ptr, s) == 0)
			return true;
	}
	return false;
}

bool nv_selector_matches(const gr_value *sel, const gr_value *labels)
{
	const gr_value *ml = gr_get(sel, "matchLabels");
	for (size_t i = 0; ml && ml->type == GR_OBJECT && i < ml->u.o.len; i++) {
		const gr_member *m = &ml->u.o.members[i];
		const gr_value *l = label(labels, m->key);
		if (!l || m->value.type != GR_STRING || strcmp(l->u.s.ptr, m->value.u.s.ptr) != 0)
			return false;
	}
	const gr_value *me = gr_get(sel, "matchExpressions");
	EACH(me, i)
	{
		const gr_value *e = &me->u.a.items[i];
		const char *k = nv_str(e, "key"), *op = nv_str(e, "operator");
		if (!k || !op)
			return false;
		const gr_value *l = label(labels, k), *vals = gr_get(e, "values");
		if (strcmp(op, "In") == 0 && !(l && in_values(vals, l->u.s.ptr)))
			return false;
		if (strcmp(op, "NotIn") == 0 && l && in_values(vals, l->u.s.ptr))
			return false;
		if (strcmp(op, "Exists") == 0 && !l)
			return false;
		if (strcmp(op, "DoesNotExist") == 0 && l)
			return false;
	}
	return true;
}
