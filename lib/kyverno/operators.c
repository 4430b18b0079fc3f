/*
 * operators.c — preconditions and deny conditions: the {any, all} (or bare
 * list) combination and Kyverno's condition operators
 * (pkg/engine/variables/operator): Equals, NotEquals, the numeric
 * comparisons (durations first, then quantities, then semver, then
 * numbers), AnyIn, AllIn, AnyNotIn, AllNotIn, the deprecated In, NotIn and
 * Duration* forms.
 *
 * Keys and values are substituted with the preconditions resolver: a
 * variable that cannot be resolved becomes "" instead of an error. Scalars
 * compared as strings are printed as Go's fmt.Sprint prints a float64
 * (`1e+06`), because Kyverno's context holds every number as float64.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "guardrail/decode.h"
#include "kyverno_int.h"

static const char *sprint(char *buf, size_t cap, const gr_value *v, size_t *len)
{
	switch (v->type) {
	case GR_STRING: *len = v->u.s.len; return v->u.s.ptr;
	case GR_INT: ky_fmt_sprint(buf, cap, (double)v->u.i); break;
	case GR_DOUBLE: ky_fmt_sprint(buf, cap, v->u.d); break;
	case GR_BOOL: snprintf(buf, cap, "%s", v->u.b ? "true" : "false"); break;
	case GR_NULL: snprintf(buf, cap, "<nil>"); break;
	default: snprintf(buf, cap, "%s", v->type == GR_ARRAY ? "[...]" : "map[...]"); break;
	}
	*len = strlen(buf);
	return buf;
}

/* parseDuration of operator.go: at least one side a duration string
 * (other than "0"), the other a duration or a number of seconds. */
static bool durations(const gr_value *k, const gr_value *v, long double *kd, long double *vd)
{
	bool kok = false, vok = false;
	if (k->type == GR_STRING && !(k->u.s.len == 1 && k->u.s.ptr[0] == '0'))
		kok = ky_parse_duration(k->u.s.ptr, k->u.s.len, kd);
	if (v->type == GR_STRING && !(v->u.s.len == 1 && v->u.s.ptr[0] == '0'))
		vok = ky_parse_duration(v->u.s.ptr, v->u.s.len, vd);
	if (!kok && !vok)
		return false;
	if (!kok) {
		if (gr_is_number(k))
			*kd = gr_number(k);
		else if (!(k->type == GR_STRING && ky_parse_duration(k->u.s.ptr, k->u.s.len, kd)))
			return false;
	}
	if (!vok) {
		if (gr_is_number(v))
			*vd = gr_number(v);
		else if (!(v->type == GR_STRING && ky_parse_duration(v->u.s.ptr, v->u.s.len, vd)))
			return false;
	}
	return true;
}

static bool parse_float(const gr_value *v, long double *out)
{
	if (gr_is_number(v)) {
		*out = v->type == GR_INT ? (long double)v->u.i : (long double)v->u.d;
		return true;
	}
	if (v->type != GR_STRING || !v->u.s.len || v->u.s.len > 60)
		return false;
	char buf[64], *end;
	memcpy(buf, v->u.s.ptr, v->u.s.len);
	buf[v->u.s.len] = '\0';
	*out = strtold(buf, &end);
	return *end == '\0';
}

static bool equals(const gr_value *k, const gr_value *v)
{
	switch (k->type) {
	case GR_BOOL: return v->type == GR_BOOL && v->u.b == k->u.b;
	case GR_INT:
	case GR_DOUBLE: {
		long double kd = gr_number(k), vd;
		if (v->type == GR_STRING)
			return parse_float(v, &vd) && vd == kd;
		return gr_is_number(v) && (long double)gr_number(v) == kd;
	}
	case GR_STRING: {
		long double kd, vd;
		if (durations(k, v, &kd, &vd))
			return kd == vd;
		if (v->type == GR_STRING && ky_parse_quantity(k->u.s.ptr, k->u.s.len, &kd) &&
		    ky_parse_quantity(v->u.s.ptr, v->u.s.len, &vd))
			return kd == vd;
		if (v->type == GR_STRING)
			return ky_wildcard(v->u.s.ptr, v->u.s.len, k->u.s.ptr, k->u.s.len);
		return false;
	}
	case GR_OBJECT:
	case GR_ARRAY: return v->type == k->type && gr_equal(k, v);
	default: return false;
	}
}

/* semver major.minor.patch[-pre]; returns false when not one */
static bool semver(const gr_value *v, long long out[3])
{
	if (v->type != GR_STRING)
		return false;
	const char *s = v->u.s.ptr;
	if (*s == 'v')
		s++;
	for (int i = 0; i < 3; i++) {
		if (*s < '0' || *s > '9')
			return false;
		out[i] = strtoll(s, (char **)&s, 10);
		if (i < 2) {
			if (*s != '.')
				return false;
			s++;
		}
	}
	return *s == '\0' || *s == '-' || *s == '+';
}

/* -2: not comparable */
static int numeric_cmp(const gr_value *k, const gr_value *v)
{
	long double kd, vd;
	if (durations(k, v, &kd, &vd))
		return kd < vd ? -1 : kd > vd ? 1 : 0;
	if (k->type == GR_STRING && v->type == GR_STRING && ky_parse_quantity(k->u.s.ptr, k->u.s.len, &kd) &&
	    ky_parse_quantity(v->u.s.ptr, v->u.s.len, &vd))
		return kd < vd ? -1 : kd > vd ? 1 : 0;
	long long ks[3], vs[3];
	if (semver(k, ks) && semver(v, vs)) {
		for (int i = 0; i < 3; i++)
			if (ks[i] != vs[i])
				return ks[i] < vs[i] ? -1 : 1;
		return 0;
	}
	bool kq = parse_float(k, &kd) ||
	          (k->type == GR_STRING && ky_parse_quantity(k->u.s.ptr, k->u.s.len, &kd));
	bool vq = parse_float(v, &vd) ||
	          (v->type == GR_STRING && ky_parse_quantity(v->u.s.ptr, v->u.s.len, &vd));
	if (kq && vq)
		return kd < vd ? -1 : kd > vd ? 1 : 0;
	return -2;
}

static bool wild2(const char *a, size_t al, const char *b, size_t bl)
{
	return ky_wildcard(a, al, b, bl) || ky_wildcard(b, bl, a, al);
}

/* Is key (a string) in value (list, or string: wildcard, range, JSON list)? *bad on a wrong type. */
static bool key_in(const char *key, size_t kl, const gr_value *value, bool *bad)
{
	char buf[64];
	*bad = false;
	if (value->type == GR_ARRAY) {
		for (size_t i = 0; i < value->u.a.len; i++) {
			size_t vl;
			const char *vs = sprint(buf, sizeof buf, &value->u.a.items[i], &vl);
			if (wild2(vs, vl, key, kl))
				return true;
		}
		return false;
	}
	if (value->type == GR_STRING) {
		if (ky_wildcard(value->u.s.ptr, value->u.s.len, key, kl))
			return true;
		/* a range "a-b" of numbers */
		const char *s = value->u.s.ptr;
		const char *dash = s[0] ? strchr(s + 1, '-') : NULL;
		if (dash) {
			char lb[64], rb[64], kb[64];
			size_t ll = (size_t)(dash - s), rl = strlen(dash + 1);
			if (ll < 60 && rl < 60 && kl < 60) {
				memcpy(lb, s, ll);
				lb[ll] = 0;
				memcpy(rb, dash + 1, rl + 1);
				memcpy(kb, key, kl);
				kb[kl] = 0;
				char *e1, *e2, *e3;
				double l = strtod(lb, &e1), r = strtod(rb, &e2), k = strtod(kb, &e3);
				if (!*e1 && !*e2 && !*e3 && ll && rl && kl)
					return k >= l && k <= r;
			}
		}
		return false;
	}
	*bad = true;
	return false;
}

typedef enum { SET_ANY_IN, SET_ALL_IN, SET_ANY_NOT_IN, SET_ALL_NOT_IN } set_op;

static bool set_operator(const gr_value *key, const gr_value *value, set_op op)
{
	char buf[64];
	bool bad;
	if (key->type == GR_ARRAY) {
		if (value->type != GR_ARRAY) {
			if (value->type != GR_STRING)
				return false;
			if (key->u.a.len == 1) {
				size_t kl;
				const char *ks = sprint(buf, sizeof buf, &key->u.a.items[0], &kl);
				bool eq = kl == value->u.s.len && memcmp(ks, value->u.s.ptr, kl) == 0;
				if (eq)
					return op == SET_ANY_IN || op == SET_ALL_IN;
			}
			/* a string value: each key element against its wildcard or range */
			size_t found = 0, n = key->u.a.len;
			for (size_t i = 0; i < n; i++) {
				size_t kl;
				const char *ks = sprint(buf, sizeof buf, &key->u.a.items[i], &kl);
				found += key_in(ks, kl, value, &bad);
			}
			switch (op) {
			case SET_ANY_IN: return found > 0;
			case SET_ALL_IN: return found == n;
			case SET_ANY_NOT_IN: return found < n;
			case SET_ALL_NOT_IN: return found == 0;
			}
			return false;
		}
		size_t found = 0, n = key->u.a.len;
		for (size_t i = 0; i < n; i++) {
			size_t kl;
			const char *ks = sprint(buf, sizeof buf, &key->u.a.items[i], &kl);
			char kcopy[256];
			if (ks == buf) {
				memcpy(kcopy, buf, kl + 1);
				ks = kcopy;
			}
			bool in = false;
			for (size_t j = 0; j < value->u.a.len && !in; j++) {
				char vb[64];
				size_t vl;
				const char *vs = sprint(vb, sizeof vb, &value->u.a.items[j], &vl);
				in = wild2(ks, kl, vs, vl);
			}
			found += in;
		}
		switch (op) {
		case SET_ANY_IN: return found > 0;
		case SET_ALL_IN: return found == n;
		case SET_ANY_NOT_IN: return found < n;
		case SET_ALL_NOT_IN: return found == 0;
		}
		return false;
	}
	if (key->type == GR_OBJECT)
		return false;
	size_t kl;
	const char *ks = sprint(buf, sizeof buf, key, &kl);
	char kcopy[256];
	if (ks == buf) {
		memcpy(kcopy, buf, kl + 1);
		ks = kcopy;
	}
	bool in = key_in(ks, kl, value, &bad);
	if (bad)
		return false;
	switch (op) {
	case SET_ANY_IN:
	case SET_ALL_IN: return in;
	case SET_ANY_NOT_IN:
	case SET_ALL_NOT_IN: return !in;
	}
	return false;
}

bool ky_operator(const char *op, const gr_value *key, const gr_value *value, bool *known)
{
	*known = true;
	if (!strcasecmp(op, "Equals") || !strcasecmp(op, "Equal"))
		return equals(key, value);
	if (!strcasecmp(op, "NotEquals") || !strcasecmp(op, "NotEqual"))
		return !equals(key, value);
	if (!strcasecmp(op, "AnyIn"))
		return set_operator(key, value, SET_ANY_IN);
	if (!strcasecmp(op, "AllIn"))
		return set_operator(key, value, SET_ALL_IN);
	if (!strcasecmp(op, "AnyNotIn"))
		return set_operator(key, value, SET_ANY_NOT_IN);
	if (!strcasecmp(op, "AllNotIn"))
		return set_operator(key, value, SET_ALL_NOT_IN);
	if (!strcasecmp(op, "In")) {
		if (key->type == GR_ARRAY)
			return set_operator(key, value, SET_ALL_IN);
		return set_operator(key, value, SET_ANY_IN);
	}
	if (!strcasecmp(op, "NotIn")) {
		if (key->type == GR_ARRAY)
			return !set_operator(key, value, SET_ALL_IN);
		return set_operator(key, value, SET_ANY_NOT_IN);
	}
	const char *o = op;
	bool dur = false;
	if (!strncasecmp(o, "Duration", 8)) {
		o += 8;
		dur = true;
	}
	int want;
	if (!strcasecmp(o, "GreaterThan"))
		want = 1;
	else if (!strcasecmp(o, "GreaterThanOrEquals"))
		want = 2;
	else if (!strcasecmp(o, "LessThan"))
		want = 3;
	else if (!strcasecmp(o, "LessThanOrEquals"))
		want = 4;
	else {
		*known = false;
		return false;
	}
	int c;
	if (dur) {
		long double kd, vd;
		bool kok = gr_is_number(key)        ? (kd = gr_number(key), true)
		           : key->type == GR_STRING ? ky_parse_duration(key->u.s.ptr, key->u.s.len, &kd)
		                                    : false;
		bool vok = gr_is_number(value)        ? (vd = gr_number(value), true)
		           : value->type == GR_STRING ? ky_parse_duration(value->u.s.ptr, value->u.s.len, &vd)
		                                      : false;
		if (!kok || !vok)
			return false;
		c = kd < vd ? -1 : kd > vd ? 1 : 0;
	} else {
		c = numeric_cmp(key, value);
		if (c == -2)
			return false;
	}
	switch (want) {
	case 1: return c > 0;
	case 2: return c >= 0;
	case 3: return c < 0;
	default: return c <= 0;
	}
}

/* One condition: 1 true, 0 false, -1 error. */
static int condition(ky_eval *ev, const gr_value *c, const char **msg)
{
	if (!c || c->type != GR_OBJECT) {
		ky_fail(ev, "a condition must be a mapping");
		return -1;
	}
	gr_value key, value;
	const gr_value *k = gr_get(c, "key"), *v = gr_get(c, "value");
	const char *op = gr_get_str(c, "operator");
	if (ky_subst(ev, k, &key, KY_SUBST_COND) || ky_subst(ev, v, &value, KY_SUBST_COND))
		return -1;
	if (!op) {
		ky_fail(ev, "condition has no operator");
		return -1;
	}
	/* a set operator's value may be a JSON list written as a string */
	if (strcasestr(op, "In") && value.type == GR_STRING && value.u.s.len > 1 && value.u.s.ptr[0] == '[') {
		gr_value parsed;
		gr_error jerr;
		if (gr_decode_json(ev->arena, value.u.s.ptr, value.u.s.len, NULL, &parsed, &jerr) == 0 &&
		    parsed.type == GR_ARRAY &&
		    !(key.type != GR_ARRAY && key.type == GR_STRING &&
		      ky_wildcard(value.u.s.ptr, value.u.s.len, key.u.s.ptr, key.u.s.len)))
			value = parsed;
	}
	bool known;
	bool r = ky_operator(op, &key, &value, &known);
	if (!known) {
		ky_fail(ev, "unknown condition operator \"%s\"", op);
		return -1;
	}
	const gr_value *m = gr_get(c, "message");
	if (m && msg) {
		gr_value mv;
		if (ky_subst(ev, m, &mv, KY_SUBST_COND) == 0 && mv.type == GR_STRING)
			*msg = mv.u.s.ptr;
	}
	return r;
}

int ky_conditions(ky_eval *ev, const gr_value *conds, const char **true_message)
{
	if (!conds || conds->type == GR_NULL)
		return 1;
	if (conds->type == GR_ARRAY) {
		for (size_t i = 0; i < conds->u.a.len; i++) {
			int r = condition(ev, &conds->u.a.items[i], true_message);
			if (r != 1)
				return r;
		}
		return 1;
	}
	if (conds->type != GR_OBJECT) {
		ky_fail(ev, "conditions must be a list or {any, all}");
		return -1;
	}
	const gr_value *any = gr_get(conds, "any"), *all = gr_get(conds, "all");
	if (any && any->type == GR_ARRAY) {
		bool ok = false;
		for (size_t i = 0; i < any->u.a.len && !ok; i++) {
			int r = condition(ev, &any->u.a.items[i], true_message);
			if (r < 0)
				return r;
			ok = r == 1;
		}
		if (!ok)
			return 0;
	}
	if (all && all->type == GR_ARRAY) {
		for (size_t i = 0; i < all->u.a.len; i++) {
			int r = condition(ev, &all->u.a.items[i], true_message);
			if (r != 1)
				return r;
		}
	}
	return 1;
}
