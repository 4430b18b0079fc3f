/*
 * polaris_custom.c — Polaris custom checks: a JSON Schema judged against
 * a target (the pod template "Pod", each "Container", or objects of a
 * kind). The subset of JSON Schema Polaris' custom checks use: type,
 * required, properties, const and enum (strings may hold Go templates
 * such as "{{ .metadata.name }}", filled from the object), minimum and
 * maximum, minLength/maxLength, and Polaris' resourceMinimum and
 * resourceMaximum on quantities. A keyword outside the subset fails the
 * check with a message saying so, never passes silently.
 */
#include <stdio.h>
#include <stdlib.h>

#include "rules_int.h"

/* "{{ .metadata.name }}" -> the value at that path of root (strings only). */
static const char *fill(const char *tmpl, const gr_value *root, char *buf, size_t cap)
{
	const char *open = strstr(tmpl, "{{");
	if (!open)
		return tmpl;
	const char *close = strstr(open, "}}");
	if (!close)
		return tmpl;
	const char *p = open + 2;
	while (*p == ' ')
		p++;
	const gr_value *v = root;
	while (p < close && *p == '.') {
		p++;
		const char *e = p;
		while (e < close && *e != '.' && *e != ' ')
			e++;
		v = gr_getn(v, p, (size_t)(e - p));
		p = e;
		while (p < close && *p == ' ')
			p++;
	}
	snprintf(buf, cap, "%.*s%s%s", (int)(open - tmpl), tmpl, rl_str(v) ? v->u.s.ptr : "", close + 2);
	return buf;
}

static const char *type_of(const gr_value *v)
{
	switch (v->type) {
	case GR_OBJECT: return "object";
	case GR_ARRAY: return "array";
	case GR_STRING: return "string";
	case GR_BOOL: return "boolean";
	case GR_INT: return "integer";
	case GR_DOUBLE: return "number";
	default: return "null";
	}
}

static bool same_const(const gr_value *want, const gr_value *have, const gr_value *root)
{
	if (want->type == GR_STRING && have->type == GR_STRING) {
		char buf[512];
		return !strcmp(fill(want->u.s.ptr, root, buf, sizeof buf), have->u.s.ptr);
	}
	return gr_equal(want, have);
}

/* 0 valid; 1 invalid (why filled). */
static int validate(const gr_value *schema, const gr_value *v, const gr_value *root, char *why, size_t cap,
                    int depth)
{
	if (!schema || schema->type != GR_OBJECT || depth > 32)
		return 0;
	for (size_t i = 0; i < schema->u.o.len; i++) {
		const gr_member *m = &schema->u.o.members[i];
		const gr_value *x = &m->value;
		const char *k = m->key;
		if (!strcmp(k, "$schema") || !strcmp(k, "description") || !strcmp(k, "title"))
			continue;
		if (!strcmp(k, "type")) {
			const char *t = rl_str(x), *have = type_of(v);
			/* Polaris judges the typed object re-encoded: a quantity written as a
			 * number (cpu: 1.5) is a string there */
			bool quantity =
			        gr_get(schema, "resourceMinimum") || gr_get(schema, "resourceMaximum");
			if (quantity && gr_is_number(v))
				have = "string";
			if (t && strcmp(t, have) &&
			    !(strcmp(t, "number") == 0 && strcmp(have, "integer") == 0)) {
				snprintf(why, cap, "expected %s, got %s", t, have);
				return 1;
			}
		} else if (!strcmp(k, "required")) {
			for (size_t j = 0; x->type == GR_ARRAY && j < x->u.a.len; j++) {
				const char *name = rl_str(&x->u.a.items[j]);
				if (name && (v->type != GR_OBJECT || !gr_get(v, name))) {
					snprintf(why, cap, "%s is required", name);
					return 1;
				}
			}
		} else if (!strcmp(k, "properties")) {
			for (size_t j = 0; x->type == GR_OBJECT && v->type == GR_OBJECT && j < x->u.o.len;
			     j++) {
				const gr_value *sub = gr_get(v, x->u.o.members[j].key);
				if (sub && validate(&x->u.o.members[j].value, sub, root, why, cap, depth + 1))
					return 1;
			}
		} else if (!strcmp(k, "const")) {
			if (!same_const(x, v, root)) {
				snprintf(why, cap, "value is not the required constant");
				return 1;
			}
		} else if (!strcmp(k, "enum")) {
			bool ok = false;
			for (size_t j = 0; x->type == GR_ARRAY && j < x->u.a.len && !ok; j++)
				ok = same_const(&x->u.a.items[j], v, root);
			if (!ok) {
				snprintf(why, cap, "value is not one of the allowed values");
				return 1;
			}
		} else if (!strcmp(k, "minimum") || !strcmp(k, "maximum")) {
			if (gr_is_number(v) && gr_is_number(x) &&
			    (k[1] == 'i' ? gr_number(v) < gr_number(x) : gr_number(v) > gr_number(x))) {
				snprintf(why, cap, "value is out of range");
				return 1;
			}
		} else if (!strcmp(k, "minLength") || !strcmp(k, "maxLength")) {
			int64_t n;
			if (v->type == GR_STRING && rl_int(x, &n) &&
			    (k[1] == 'i' ? (int64_t)v->u.s.len < n : (int64_t)v->u.s.len > n)) {
				snprintf(why, cap, "string length is out of range");
				return 1;
			}
		} else if (!strcmp(k, "resourceMinimum") || !strcmp(k, "resourceMaximum")) {
			double have, bound;
			if (!rl_quantity(v, &have) || !rl_quantity(x, &bound)) {
				snprintf(why, cap, "not a quantity");
				return 1;
			}
			if (k[8] == 'M' && k[9] == 'i' ? have < bound : have > bound) {
				snprintf(why, cap, "%s outside the allowed range",
				         rl_str(x) ? x->u.s.ptr : "quantity");
				return 1;
			}
		} else {
			snprintf(why, cap, "schema keyword \"%s\" is not supported", k);
			return 1;
		}
	}
	return 0;
}

void rl_polaris_custom(rl_ctx *c);
void rl_polaris_custom(rl_ctx *c)
{
	const rl_custom *k = c->rule->data;
	char why[300];
	if (!strcmp(k->target, "Container")) {
		rl_ctr ct;
		rl_ctr_begin(&ct);
		while (rl_ctr_next(c->obj, k->exclude_init ? RL_REG : (RL_REG | RL_INIT), &ct)) {
			rl_judged(c);
			if (validate(k->schema, ct.node, c->obj->root, why, sizeof why, 0))
				rl_emit(c, rl_cpath(c, &ct, ""), ct.node, "%s (container \"%s\": %s)",
				        k->failure ? k->failure : "custom check failed", ct.name, why);
		}
		return;
	}
	const gr_value *target = NULL;
	gr_value tmpl;
	gr_member ms[2];
	if (!strcmp(k->target, "Pod")) {
		if (!c->obj->pod_spec)
			return;
		if (rl_kind(c->obj, "Pod"))
			target = c->obj->root;
		else { /* the pod template as an object: {metadata, spec} */
			memset(ms, 0, sizeof ms);
			gr_member_set_key(&ms[0], "metadata", 8);
			if (c->obj->pod_metadata)
				ms[0].value = *c->obj->pod_metadata;
			gr_member_set_key(&ms[1], "spec", 4);
			ms[1].value = *c->obj->pod_spec;
			memset(&tmpl, 0, sizeof tmpl);
			tmpl.type = GR_OBJECT;
			tmpl.u.o.members = ms;
			tmpl.u.o.len = 2;
			target = &tmpl;
		}
	} else if (rl_kind(c->obj, k->target))
		target = c->obj->root;
	if (!target)
		return;
	rl_judged(c);
	if (validate(k->schema, target, c->obj->root, why, sizeof why, 0))
		rl_emit(c, NULL, NULL, "%s (%s)", k->failure ? k->failure : "custom check failed", why);
}
