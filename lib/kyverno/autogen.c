/*
 * autogen.c — Kyverno's rules for pod controllers, derived from Pod rules
 * exactly as pkg/autogen does it.
 *
 * A Pod rule gets `autogen-<rule>` (DaemonSet, Deployment, Job,
 * StatefulSet, ReplicaSet, ReplicationController: the pattern moves under
 * spec.template) and `autogen-cronjob-<rule>` (CronJob: under
 * spec.jobTemplate.spec.template). Kyverno serialises the rule to JSON and
 * rewrites `request.object.spec` and friends textually; here every string
 * and key of the copied rule tree is rewritten the same way, which is the
 * same thing without the round trip.
 */
#include <stdio.h>
#include <string.h>

#include "kyverno_int.h"

static const char *const default_controllers = "DaemonSet,Deployment,Job,StatefulSet,ReplicaSet,"
                                               "ReplicationController,CronJob";

static bool kind_is(const char *sel, const char *kind)
{
	/* the kind part of a kind selector: last part that is not a subresource
	 * (no copy: nothing here can fail for want of memory) */
	const char *k;
	size_t len;
	ky_kind_name(sel, &k, &len);
	return len == strlen(kind) && memcmp(k, kind, len) == 0;
}

static bool kinds_contain(const gr_value *kinds, const char *kind)
{
	if (!kinds || kinds->type != GR_ARRAY)
		return false;
	for (size_t i = 0; i < kinds->u.a.len; i++)
		if (kinds->u.a.items[i].type == GR_STRING && kind_is(kinds->u.a.items[i].u.s.ptr, kind))
			return true;
	return false;
}

/* Every ResourceDescription of a match or exclude block. */
static size_t descriptions(const gr_value *block, const gr_value **out, size_t cap)
{
	size_t n = 0;
	if (!block || block->type != GR_OBJECT)
		return 0;
	const gr_value *r = gr_get(block, "resources");
	if (r && n < cap)
		out[n++] = r;
	const char *lists[] = {"any", "all"};
	for (int l = 0; l < 2; l++) {
		const gr_value *arr = gr_get(block, lists[l]);
		if (!arr || arr->type != GR_ARRAY)
			continue;
		for (size_t i = 0; i < arr->u.a.len && n < cap; i++) {
			const gr_value *rr = gr_get(&arr->u.a.items[i], "resources");
			if (rr)
				out[n++] = rr;
		}
	}
	return n;
}

static bool can_autogen(const gr_value *rules)
{
	static const char *const podlike[] = {
	        "Pod",         "DaemonSet",  "Deployment", "Job",
	        "StatefulSet", "ReplicaSet", "CronJob",    "ReplicationController"};
	bool needed = false;
	for (size_t i = 0; i < rules->u.a.len; i++) {
		const gr_value *rule = &rules->u.a.items[i];
		if (gr_get(rule, "generate"))
			return false;
		const gr_value *mut = gr_get(rule, "mutate");
		if (mut && gr_get(mut, "patchesJson6902"))
			return false;
		const gr_value *ds[64];
		size_t n = descriptions(gr_get(rule, "match"), ds, 32);
		n += descriptions(gr_get(rule, "exclude"), ds + n, 32);
		for (size_t j = 0; j < n; j++) {
			const gr_value *d = ds[j];
			const gr_value *names = gr_get(d, "names");
			const char *name = gr_get_str(d, "name");
			if ((name && name[0]) || (names && names->type == GR_ARRAY && names->u.a.len) ||
			    gr_get(d, "selector") || gr_get(d, "annotations"))
				return false;
			const gr_value *kinds = gr_get(d, "kinds");
			if (kinds && kinds->type == GR_ARRAY && kinds->u.a.len > 1 &&
			    kinds_contain(kinds, "Pod"))
				return false;
			for (size_t k = 0; k < sizeof podlike / sizeof podlike[0]; k++)
				if (kinds_contain(kinds, podlike[k]))
					needed = true;
		}
	}
	return needed;
}

/* strings.ReplaceAll over a string, into the arena. */
static gr_value replace_all(gr_arena *a, const char *s, size_t len, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to);
	size_t count = 0;
	for (const char *p = s; (p = memmem(p, len - (size_t)(p - s), from, fl)); p += fl)
		count++;
	if (!count)
		return gr_make_string_ref(s, len);
	size_t nl = len + count * (tl - fl);
	char *out = gr_arena_alloc(a, nl + 1);
	if (!out)
		return gr_make_null();
	size_t k = 0;
	const char *p = s, *end = s + len;
	while (p < end) {
		const char *q = memmem(p, (size_t)(end - p), from, fl);
		if (!q) {
			memcpy(out + k, p, (size_t)(end - p));
			k += (size_t)(end - p);
			break;
		}
		memcpy(out + k, p, (size_t)(q - p));
		k += (size_t)(q - p);
		memcpy(out + k, to, tl);
		k += tl;
		p = q + fl;
	}
	out[k] = '\0';
	return gr_make_string_ref(out, k);
}

typedef struct rewrite {
	const char *from[4], *to[4];
	int n;
	const char *guard; /* only strings holding this are rewritten */
} rewrite;

static gr_value rewrite_string(gr_arena *a, const char *s, size_t len, const rewrite *rw)
{
	gr_value v = gr_make_string_ref(s, len);
	if (!memmem(s, len, rw->guard, strlen(rw->guard)))
		return v;
	for (int i = 0; i < rw->n; i++)
		v = replace_all(a, v.u.s.ptr, v.u.s.len, rw->from[i], rw->to[i]);
	return v;
}

static gr_value copy_rewrite(gr_arena *a, const gr_value *v, const rewrite *rw)
{
	gr_value out = *v;
	switch (v->type) {
	case GR_STRING:
		out = rewrite_string(a, v->u.s.ptr, v->u.s.len, rw);
		out.line = v->line;
		out.column = v->column;
		break;
	case GR_ARRAY:
		out.u.a.items = gr_arena_alloc(a, (v->u.a.len ? v->u.a.len : 1) * sizeof(gr_value));
		for (size_t i = 0; i < v->u.a.len; i++)
			out.u.a.items[i] = copy_rewrite(a, &v->u.a.items[i], rw);
		break;
	case GR_OBJECT:
		out.u.o.members = gr_arena_alloc(a, (v->u.o.len ? v->u.o.len : 1) * sizeof(gr_member));
		for (size_t i = 0; i < v->u.o.len; i++) {
			gr_member *m = &out.u.o.members[i];
			*m = v->u.o.members[i];
			gr_value k = rewrite_string(a, m->key, m->key_len, rw);
			gr_member_set_key(m, k.u.s.ptr, k.u.s.len);
			m->value = copy_rewrite(a, &v->u.o.members[i].value, rw);
		}
		break;
	}
	return out;
}

/* A shallow copy of an object with member `key` set to val (added if absent). */
static gr_value with_member(gr_arena *a, const gr_value *obj, const char *key, gr_value val)
{
	size_t n = obj && obj->type == GR_OBJECT ? obj->u.o.len : 0;
	gr_value out = gr_make_object(a, n + 1);
	size_t k = 0;
	bool set = false;
	for (size_t i = 0; i < n; i++) {
		out.u.o.members[k] = obj->u.o.members[i];
		if (strcmp(obj->u.o.members[i].key, key) == 0) {
			out.u.o.members[k].value = val;
			set = true;
		}
		k++;
	}
	if (!set) {
		gr_member_set_key(&out.u.o.members[k], key, strlen(key));
		out.u.o.members[k].value = val;
		k++;
	}
	out.u.o.len = k;
	if (obj) {
		out.line = obj->line;
		out.column = obj->column;
	}
	return out;
}

static gr_value wrap(gr_arena *a, const char *k1, gr_value inner)
{
	gr_value o = gr_make_object(a, 1);
	gr_member_set_key(&o.u.o.members[0], k1, strlen(k1));
	o.u.o.members[0].value = inner;
	o.line = inner.line;
	o.column = inner.column;
	return o;
}

static gr_value kinds_value(gr_arena *a, const char *list)
{
	size_t n = 1;
	for (const char *p = list; *p; p++)
		n += *p == ',';
	gr_value arr = gr_make_array(a, n);
	size_t k = 0;
	const char *p = list;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l)
			arr.u.a.items[k++] = gr_make_string(a, p, l);
		p += l + (e ? 1 : 0);
	}
	arr.u.a.len = k;
	return arr;
}

/* Replace the kinds of every resource description that names Pod. */
static gr_value with_kinds(gr_arena *a, const gr_value *block, gr_value kinds)
{
	if (!block || block->type != GR_OBJECT)
		return block ? *block : gr_make_null();
	gr_value out = *block;
	const gr_value *r = gr_get(block, "resources");
	if (r && kinds_contain(gr_get(r, "kinds"), "Pod"))
		out = with_member(a, &out, "resources", with_member(a, r, "kinds", kinds));
	const char *lists[] = {"any", "all"};
	for (int l = 0; l < 2; l++) {
		const gr_value *arr = gr_get(block, lists[l]);
		if (!arr || arr->type != GR_ARRAY)
			continue;
		gr_value na = gr_make_array(a, arr->u.a.len);
		for (size_t i = 0; i < arr->u.a.len; i++) {
			const gr_value *f = &arr->u.a.items[i];
			const gr_value *fr = gr_get(f, "resources");
			na.u.a.items[i] = *f;
			if (fr && kinds_contain(gr_get(fr, "kinds"), "Pod"))
				na.u.a.items[i] =
				        with_member(a, f, "resources", with_member(a, fr, "kinds", kinds));
		}
		na.line = arr->line;
		na.column = arr->column;
		out = with_member(a, &out, lists[l], na);
	}
	return out;
}

static bool block_kinds_contain(const gr_value *block, const char *kind, bool *any_kinds)
{
	const gr_value *ds[32];
	size_t n = descriptions(block, ds, 32);
	bool found = false;
	for (size_t i = 0; i < n; i++) {
		const gr_value *k = gr_get(ds[i], "kinds");
		if (k && k->type == GR_ARRAY && k->u.a.len)
			*any_kinds = true;
		if (kinds_contain(k, kind))
			found = true;
	}
	return found;
}

static const char *autogen_name(gr_arena *a, const char *prefix, const char *name)
{
	char *s = gr_arena_printf(a, "%s-%s", prefix, name);
	if (s && strlen(s) > 63)
		s[63] = '\0';
	return s;
}

/* Wrap pattern/anyPattern of a rule's validate block under `outer`/`key`. */
static gr_value wrap_validate(gr_arena *a, const gr_value *validate, const char *key, bool cron)
{
	gr_value v = *validate;
	const gr_value *pat = gr_get(validate, "pattern");
	if (pat) {
		gr_value w = cron ? wrap(a, "spec", wrap(a, "jobTemplate", *pat))
		                  : wrap(a, "spec", wrap(a, key, *pat));
		v = with_member(a, &v, "pattern", w);
	}
	const gr_value *any = gr_get(validate, "anyPattern");
	if (any && any->type == GR_ARRAY) {
		gr_value na = gr_make_array(a, any->u.a.len);
		for (size_t i = 0; i < any->u.a.len; i++)
			na.u.a.items[i] = cron ? wrap(a, "spec", wrap(a, "jobTemplate", any->u.a.items[i]))
			                       : wrap(a, "spec", wrap(a, key, any->u.a.items[i]));
		na.line = any->line;
		na.column = any->column;
		v = with_member(a, &v, "anyPattern", na);
	}
	return v;
}

int ky_autogen(gr_arena *a, const gr_value *spec, const gr_value *annotations, gr_value **out, size_t *nout,
               const char ***bases)
{
	*out = NULL;
	*nout = 0;
	const gr_value *rules = gr_get(spec, "rules");
	if (!rules || rules->type != GR_ARRAY || !can_autogen(rules))
		return 0;
	const char *ann =
	        annotations ? gr_get_str(annotations, "pod-policies.kyverno.io/autogen-controllers") : NULL;
	const char *controllers = ann ? ann : default_controllers;
	if (strstr(controllers, "none"))
		return 0;
	/* controller list without CronJob, and whether CronJob is wanted */
	char list[256] = "";
	bool cron = false;
	const char *p = controllers;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		while (l && *p == ' ')
			p++, l--;
		if (l == 7 && memcmp(p, "CronJob", 7) == 0)
			cron = true;
		else if (l && strlen(list) + l + 2 < sizeof list) {
			if (list[0])
				strcat(list, ",");
			strncat(list, p, l);
		}
		p += l;
		if (*p == ',')
			p++;
		if (!e)
			break;
	}
	gr_value *res = gr_arena_alloc(a, 2 * rules->u.a.len * sizeof(gr_value) + 1);
	const char **bs = gr_arena_alloc(a, 2 * rules->u.a.len * sizeof(char *) + 1);
	if (!res || !bs)
		return -1;
	size_t n = 0;
	rewrite ctl = {.from = {"request.object.spec", "request.oldObject.spec", "request.object.metadata",
	                        "request.oldObject.metadata"},
	               .to = {"request.object.spec.template.spec", "request.oldObject.spec.template.spec",
	                      "request.object.spec.template.metadata",
	                      "request.oldObject.spec.template.metadata"},
	               .n = 4,
	               .guard = "request."};
	rewrite cj = {.from = {"request.object.spec.template", "request.oldObject.spec.template"},
	              .to = {"request.object.spec.jobTemplate.spec.template",
	                     "request.oldObject.spec.jobTemplate.spec.template"},
	              .n = 2,
	              .guard = "request."};
	/* validate.cel rules: Kyverno's updateCELFields over the Pod rule
	 * ("oldObject" holds "Object", not "object": the pairs do not overlap) */
	rewrite cel_ctl = {.from = {"object.spec", "oldObject.spec", "object.metadata", "oldObject.metadata"},
	                   .to = {"object.spec.template.spec", "oldObject.spec.template.spec",
	                          "object.spec.template.metadata", "oldObject.spec.template.metadata"},
	                   .n = 4,
	                   .guard = "bject."};
	rewrite cel_cj = {.from = {"object.spec", "oldObject.spec", "object.metadata", "oldObject.metadata"},
	                  .to = {"object.spec.jobTemplate.spec.template.spec",
	                         "oldObject.spec.jobTemplate.spec.template.spec",
	                         "object.spec.jobTemplate.spec.template.metadata",
	                         "oldObject.spec.jobTemplate.spec.template.metadata"},
	                  .n = 4,
	                  .guard = "bject."};
	for (size_t i = 0; i < rules->u.a.len; i++) {
		const gr_value *rule = &rules->u.a.items[i];
		const char *name = gr_get_str(rule, "name");
		if (!name || strncmp(name, "autogen-", 8) == 0)
			continue;
		bool mk = false, ek = false;
		bool is_cel = gr_get(gr_get(rule, "validate"), "cel") != NULL;
		if (!block_kinds_contain(gr_get(rule, "match"), "Pod", &mk))
			continue;
		if (block_kinds_contain(gr_get(rule, "exclude"), "Pod", &ek) == false && ek)
			continue;
		gr_value ctlrule = *rule;
		if (list[0]) {
			gr_value kinds = kinds_value(a, list);
			ctlrule = with_member(a, &ctlrule, "name",
			                      gr_make_string_ref(autogen_name(a, "autogen", name),
			                                         strlen(autogen_name(a, "autogen", name))));
			ctlrule = with_member(a, &ctlrule, "match",
			                      with_kinds(a, gr_get(rule, "match"), kinds));
			if (gr_get(rule, "exclude"))
				ctlrule = with_member(a, &ctlrule, "exclude",
				                      with_kinds(a, gr_get(rule, "exclude"), kinds));
			const gr_value *val = gr_get(rule, "validate");
			if (val && val->type == GR_OBJECT)
				ctlrule = with_member(a, &ctlrule, "validate",
				                      wrap_validate(a, val, "template", false));
			ctlrule = copy_rewrite(a, &ctlrule, is_cel ? &cel_ctl : &ctl);
			res[n] = ctlrule;
			bs[n++] = name;
		} else {
			/* CronJob alone still derives from the controller form */
			ctlrule = copy_rewrite(a, &ctlrule, is_cel ? &cel_ctl : &ctl);
			const gr_value *val = gr_get(rule, "validate");
			if (val && val->type == GR_OBJECT)
				ctlrule = with_member(a, &ctlrule, "validate",
				                      wrap_validate(a, val, "template", false));
		}
		if (cron) {
			gr_value kinds = kinds_value(a, "CronJob");
			/* a CEL rule's CronJob form is rewritten from the Pod rule */
			gr_value cr = is_cel ? *rule : ctlrule;
			const char *cn = autogen_name(a, "autogen-cronjob", name);
			cr = with_member(a, &cr, "name", gr_make_string_ref(cn, strlen(cn)));
			cr = with_member(a, &cr, "match", with_kinds(a, gr_get(rule, "match"), kinds));
			if (gr_get(rule, "exclude"))
				cr = with_member(a, &cr, "exclude",
				                 with_kinds(a, gr_get(rule, "exclude"), kinds));
			const gr_value *val = gr_get(&ctlrule, "validate");
			if (val && val->type == GR_OBJECT && !is_cel) {
				/* the controller pattern {spec: {template: P}} becomes
				 * {spec: {jobTemplate: {spec: {template: P}}}} */
				gr_value v = *val;
				const gr_value *pat = gr_get(val, "pattern");
				if (pat)
					v = with_member(a, &v, "pattern",
					                wrap(a, "spec", wrap(a, "jobTemplate", *pat)));
				const gr_value *any = gr_get(val, "anyPattern");
				if (any && any->type == GR_ARRAY) {
					gr_value na = gr_make_array(a, any->u.a.len);
					for (size_t k = 0; k < any->u.a.len; k++)
						na.u.a.items[k] = wrap(
						        a, "spec", wrap(a, "jobTemplate", any->u.a.items[k]));
					v = with_member(a, &v, "anyPattern", na);
				}
				cr = with_member(a, &cr, "validate", v);
			}
			cr = copy_rewrite(a, &cr, is_cel ? &cel_cj : &cj);
			res[n] = cr;
			bs[n++] = name;
		}
	}
	*out = res;
	*nout = n;
	*bases = bs;
	return 0;
}
