/*
 * patch.c — RFC 7386 JSON merge patch, used to lay --schema-patches over
 * the OpenAPI documents (the same feature as kubectl-validate's flag).
 *
 * The trick: value trees are immutable and hold members inline, so a patch
 * builds new objects along the patched paths and shares every untouched
 * subtree with the target.
 */
#include <string.h>

#include "guardrail/schema.h"

gr_value gr_json_merge_patch(gr_arena *a, const gr_value *target, const gr_value *patch)
{
	if (!patch || patch->type != GR_OBJECT)
		return patch ? *patch : gr_make_null();
	const gr_value empty = {.type = GR_OBJECT};
	if (!target || target->type != GR_OBJECT)
		target = &empty;
	size_t cap = target->u.o.len + patch->u.o.len;
	gr_value out = gr_make_object(a, cap);
	if (cap && out.type != GR_OBJECT)
		return gr_make_null();
	out.type = GR_OBJECT;
	out.line = target->line;
	out.column = target->column;
	size_t n = 0;
	for (size_t i = 0; i < target->u.o.len; i++) {
		const gr_member *tm = &target->u.o.members[i];
		const gr_value *pv = gr_getn(patch, tm->key, tm->key_len);
		if (pv && pv->type == GR_NULL)
			continue; /* removed */
		gr_member *m = &out.u.o.members[n++];
		*m = *tm;
		if (pv)
			m->value = gr_json_merge_patch(a, &tm->value, pv);
	}
	for (size_t i = 0; i < patch->u.o.len; i++) {
		const gr_member *pm = &patch->u.o.members[i];
		if (pm->value.type == GR_NULL || gr_getn(target, pm->key, pm->key_len))
			continue;
		gr_member *m = &out.u.o.members[n++];
		*m = *pm;
		m->value = gr_json_merge_patch(a, NULL, &pm->value);
	}
	out.u.o.len = n;
	return out;
}
