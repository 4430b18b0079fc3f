/*
 * pattern.c — validate.pattern: compile a pattern tree once, match it
 * against resources many times, as Kyverno's pkg/engine/validate does.
 *
 * Compiling parses every key's anchor (`(k)` conditional, `<(k)` global,
 * `=(k)` equality, `X(k)` negation, `^(k)` existence, `+(k)`), orders a
 * map's members as Kyverno visits them (anchors first in sorted order, then
 * global anchors and members whose subtree holds an anchor, then plain
 * members: the first error wins, so the order decides fail versus skip),
 * and splits string patterns into alternatives (`|`) of conjunctions (`&`)
 * of operator atoms (`>=`, `<=`, `>`, `<`, `!`, ranges `a-b`, `a!-b`).
 *
 * Matching returns an error class, not a bool: a conditional or global
 * anchor that does not hold makes the rule skip, a negation anchor makes
 * it fail, and an ordinary mismatch while some anchor key never occurred
 * in the resource is an error (Kyverno's AnchorMap.KeysAreMissing).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kyverno_int.h"

enum { E_OK = 0, E_FAIL, E_COND, E_GLOBAL, E_NEG, E_SKIP };

static bool skip_class(int e)
{
	return e == E_COND || e == E_GLOBAL || e == E_SKIP;
}

bool ky_has_vars(const gr_value *v)
{
	switch (v->type) {
	case GR_STRING: return memmem(v->u.s.ptr, v->u.s.len, "{{", 2) != NULL;
	case GR_ARRAY:
		for (size_t i = 0; i < v->u.a.len; i++)
			if (ky_has_vars(&v->u.a.items[i]))
				return true;
		return false;
	case GR_OBJECT:
		for (size_t i = 0; i < v->u.o.len; i++)
			if (memmem(v->u.o.members[i].key, v->u.o.members[i].key_len, "{{", 2) ||
			    ky_has_vars(&v->u.o.members[i].value))
				return true;
		return false;
	default: return false;
	}
}

/* ^([+<=X^])?\((.+)\)$ */
static uint8_t parse_anchor(const char *k, size_t len, const char **key, size_t *klen)
{
	*key = k;
	*klen = len;
	if (len < 3 || k[len - 1] != ')')
		return KY_A_NONE;
	uint8_t a;
	size_t open;
	if (k[0] == '(') {
		a = KY_A_COND;
		open = 0;
	} else if (k[1] == '(' && strchr("+<=X^", k[0])) {
		a = k[0] == '+'   ? KY_A_ADD
		    : k[0] == '<' ? KY_A_GLOBAL
		    : k[0] == '=' ? KY_A_EQUAL
		    : k[0] == 'X' ? KY_A_NEG
		                  : KY_A_EXIST;
		open = 1;
	} else {
		return KY_A_NONE;
	}
	if (len - open - 2 < 1)
		return KY_A_NONE;
	*key = k + open + 1;
	*klen = len - open - 2;
	return a;
}

static bool subtree_has_anchor(const gr_value *v)
{
	if (v->type == GR_OBJECT) {
		for (size_t i = 0; i < v->u.o.len; i++) {
			const char *k;
			size_t kl;
			if (parse_anchor(v->u.o.members[i].key, v->u.o.members[i].key_len, &k, &kl) !=
			    KY_A_NONE)
				return true;
			if (subtree_has_anchor(&v->u.o.members[i].value))
				return true;
		}
	} else if (v->type == GR_ARRAY) {
		for (size_t i = 0; i < v->u.a.len; i++)
			if (subtree_has_anchor(&v->u.a.items[i]))
				return true;
	}
	return false;
}

static bool is_num_end(const char *s, size_t len, size_t *i)
{
	size_t j = *i;
	if (j < len && (s[j] == '+' || s[j] == '-'))
		j++;
	size_t d = j;
	while (j < len && s[j] >= '0' && s[j] <= '9')
		j++;
	if (j == d)
		return false;
	if (j < len && s[j] == '.') {
		size_t f = ++j;
		while (j < len && s[j] >= '0' && s[j] <= '9')
			j++;
		if (j == f)
			return false;
	}
	while (j < len && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z')))
		j++;
	*i = j;
	return true;
}

/* a-b or a!-b with numeric (quantity-like) ends. */
static bool parse_range(const char *s, size_t len, ky_atom *at)
{
	size_t i = 0;
	if (!is_num_end(s, len, &i))
		return false;
	size_t lend = i;
	bool neg = false;
	if (i < len && s[i] == '!') {
		neg = true;
		i++;
	}
	if (i >= len || s[i] != '-')
		return false;
	i++;
	size_t r = i;
	if (!is_num_end(s, len, &i) || i != len)
		return false;
	at->op = neg ? KY_OP_NRANGE : KY_OP_RANGE;
	at->s = s;
	at->len = lend;
	at->s2 = s + r;
	at->len2 = len - r;
	return true;
}

static void trim(const char **s, size_t *len)
{
	while (*len && (*s)[0] == ' ')
		(*s)++, (*len)--;
	while (*len && (*s)[*len - 1] == ' ')
		(*len)--;
}

static void trim_space(const char **s, size_t *len)
{
	while (*len && strchr(" \t\n\r\v\f", (*s)[0]))
		(*s)++, (*len)--;
	while (*len && strchr(" \t\n\r\v\f", (*s)[*len - 1]))
		(*len)--;
}

static void parse_operands(ky_atom *at)
{
	at->dur1 = ky_parse_duration(at->s, at->len, &at->d1);
	at->qty1 = ky_parse_quantity(at->s, at->len, &at->q1);
	if (at->s2) {
		at->dur2 = ky_parse_duration(at->s2, at->len2, &at->d2);
		at->qty2 = ky_parse_quantity(at->s2, at->len2, &at->q2);
	}
}

static void parse_atom_text(const char *s, size_t len, ky_atom *at);

static void parse_atom(const char *s, size_t len, ky_atom *at)
{
	parse_atom_text(s, len, at);
	parse_operands(at);
}

static void parse_atom_text(const char *s, size_t len, ky_atom *at)
{
	memset(at, 0, sizeof *at);
	at->op = KY_OP_EQ;
	at->s = s;
	at->len = len;
	if (len < 2)
		return;
	size_t ol = 0;
	if (s[0] == '>' && s[1] == '=')
		at->op = KY_OP_GE, ol = 2;
	else if (s[0] == '<' && s[1] == '=')
		at->op = KY_OP_LE, ol = 2;
	else if (s[0] == '>')
		at->op = KY_OP_GT, ol = 1;
	else if (s[0] == '<')
		at->op = KY_OP_LT, ol = 1;
	else if (s[0] == '!')
		at->op = KY_OP_NE, ol = 1;
	else if (parse_range(s, len, at))
		return;
	at->s = s + ol;
	at->len = len - ol;
	trim_space(&at->s, &at->len);
}

static void compile_string(gr_arena *a, ky_pat *p, const char *s, size_t len)
{
	p->star = len == 1 && s[0] == '*';
	size_t nalts = 1;
	for (size_t i = 0; i < len; i++)
		nalts += s[i] == '|';
	p->alts = gr_arena_alloc(a, nalts * sizeof(ky_conj));
	p->nalts = 0;
	const char *q = s, *end = s + len;
	while (p->alts) {
		const char *bar = memchr(q, '|', (size_t)(end - q));
		const char *aend = bar ? bar : end;
		const char *as = q;
		size_t al = (size_t)(aend - q);
		trim(&as, &al);
		size_t natoms = 1;
		for (size_t i = 0; i < al; i++)
			natoms += as[i] == '&';
		ky_conj *c = &p->alts[p->nalts++];
		c->atoms = gr_arena_alloc(a, natoms * sizeof(ky_atom));
		c->n = 0;
		const char *r = as, *rend = as + al;
		while (c->atoms) {
			const char *amp = memchr(r, '&', (size_t)(rend - r));
			const char *e = amp ? amp : rend;
			const char *ts = r;
			size_t tl = (size_t)(e - r);
			trim(&ts, &tl);
			parse_atom(ts, tl, &c->atoms[c->n++]);
			if (!amp)
				break;
			r = amp + 1;
		}
		if (!bar)
			break;
		q = bar + 1;
	}
}

static int member_cmp(const void *x, const void *y)
{
	const ky_pmember *a = x, *b = y;
	return strcmp(a->raw, b->raw);
}

ky_pat *ky_pat_compile(gr_arena *a, const gr_value *v)
{
	ky_pat *p = gr_arena_calloc(a, 1, sizeof *p);
	if (!p)
		return NULL;
	p->type = v->type;
	p->src = v;
	if (v->type == GR_STRING) {
		compile_string(a, p, v->u.s.ptr, v->u.s.len);
	} else if (v->type == GR_ARRAY) {
		p->nitems = v->u.a.len;
		p->items = gr_arena_alloc(a, (v->u.a.len + 1) * sizeof(ky_pat *));
		for (size_t i = 0; p->items && i < v->u.a.len; i++)
			p->items[i] = ky_pat_compile(a, &v->u.a.items[i]);
	} else if (v->type == GR_OBJECT) {
		size_t n = v->u.o.len;
		ky_pmember *all = gr_arena_alloc(a, (n + 1) * sizeof(ky_pmember));
		p->m = gr_arena_alloc(a, (n + 1) * sizeof(ky_pmember));
		if (!all || !p->m)
			return p;
		for (size_t i = 0; i < n; i++) {
			const gr_member *gm = &v->u.o.members[i];
			ky_pmember *m = &all[i];
			m->raw = gm->key;
			m->anchor = parse_anchor(gm->key, gm->key_len, &m->key, &m->key_len);
			m->key = gr_arena_strndup(a, m->key, m->key_len);
			m->wildcard = memchr(m->key, '*', m->key_len) || memchr(m->key, '?', m->key_len);
			m->has_anchor = subtree_has_anchor(&gm->value);
			m->value = ky_pat_compile(a, &gm->value);
		}
		qsort(all, n, sizeof *all, member_cmp);
		size_t k = 0;
		/* phase 1: conditional, existence, equality, negation anchors, sorted */
		for (size_t i = 0; i < n; i++)
			if (all[i].anchor == KY_A_COND || all[i].anchor == KY_A_EXIST ||
			    all[i].anchor == KY_A_EQUAL || all[i].anchor == KY_A_NEG)
				p->m[k++] = all[i];
		p->nphase1 = k;
		/* phase 2: PushFront of global anchors and anchored subtrees
		 * (reverse sorted order), then the rest in sorted order */
		for (size_t i = n; i-- > 0;) {
			ky_pmember *m = &all[i];
			if (m->anchor == KY_A_COND || m->anchor == KY_A_EXIST || m->anchor == KY_A_EQUAL ||
			    m->anchor == KY_A_NEG)
				continue;
			if (m->anchor == KY_A_GLOBAL || m->has_anchor)
				p->m[k++] = *m;
		}
		for (size_t i = 0; i < n; i++) {
			ky_pmember *m = &all[i];
			if (m->anchor == KY_A_COND || m->anchor == KY_A_EXIST || m->anchor == KY_A_EQUAL ||
			    m->anchor == KY_A_NEG)
				continue;
			if (!(m->anchor == KY_A_GLOBAL || m->has_anchor))
				p->m[k++] = *m;
		}
		p->nm = k;
	}
	return p;
}

/* ---- scalar comparison (pkg/engine/pattern) ---- */

static bool parse_go_float(const char *s, size_t len, double *out)
{
	if (!len || len > 64)
		return false;
	char buf[80];
	memcpy(buf, s, len);
	buf[len] = '\0';
	char *end;
	*out = strtod(buf, &end);
	if (*end != '\0')
		return false;
	/* Go rejects hex floats without p exponent, and "infinity" forms
	 * strtod takes; the cases matter little here */
	return true;
}

static bool float_pattern(double pat, const gr_value *v)
{
	switch (v->type) {
	case GR_INT: return (double)v->u.i == pat;
	case GR_DOUBLE: return v->u.d == pat;
	case GR_STRING: {
		double d;
		return parse_go_float(v->u.s.ptr, v->u.s.len, &d) && d == pat;
	}
	default: return false;
	}
}

static bool nil_pattern(const gr_value *v)
{
	switch (v->type) {
	case GR_NULL: return true;
	case GR_INT: return v->u.i == 0;
	case GR_DOUBLE: return v->u.d == 0;
	case GR_STRING: return v->u.s.len == 0;
	case GR_BOOL: return !v->u.b;
	default: return false;
	}
}

/* convertNumberToString: null -> "0", float -> %f */
static bool number_string(const gr_value *v, char *buf, size_t cap, const char **s, size_t *len)
{
	switch (v->type) {
	case GR_NULL:
		*s = "0";
		*len = 1;
		return true;
	case GR_STRING:
		*s = v->u.s.ptr;
		*len = v->u.s.len;
		return true;
	case GR_DOUBLE:
		ky_fmt_f(buf, cap, v->u.d);
		*s = buf;
		*len = strlen(buf);
		return true;
	case GR_INT:
		snprintf(buf, cap, "%lld", (long long)v->u.i);
		*s = buf;
		*len = strlen(buf);
		return true;
	default: return false;
	}
}

static bool cmp_op(int c, uint8_t op)
{
	switch (op) {
	case KY_OP_EQ: return c == 0;
	case KY_OP_NE: return c != 0;
	case KY_OP_GT: return c > 0;
	case KY_OP_LT: return c < 0;
	case KY_OP_GE: return c >= 0;
	case KY_OP_LE: return c <= 0;
	}
	return false;
}

static int cmpld(long double a, long double b)
{
	return a < b ? -1 : a > b ? 1 : 0;
}

/* One operand: pat as text, and as a duration (dur) and a quantity (qty)
 * when it parses as one (parsed when the pattern was compiled). */
static bool validate_string(const gr_value *v, const char *pat, size_t plen, bool dur, long double pdur,
                            bool qty, long double pqty, uint8_t op)
{
	char buf[64];
	const char *vs;
	size_t vl;
	long double vd;
	/* duration */
	if (dur && number_string(v, buf, sizeof buf, &vs, &vl) && ky_parse_duration(vs, vl, &vd))
		return cmp_op(cmpld(vd, pdur), op);
	/* quantity */
	if (qty && number_string(v, buf, sizeof buf, &vs, &vl) && ky_parse_quantity(vs, vl, &vd))
		return cmp_op(cmpld(vd, pqty), op);
	/* string: only = and ! */
	if (op != KY_OP_EQ && op != KY_OP_NE)
		return false;
	switch (v->type) {
	case GR_DOUBLE:
		ky_fmt_E(buf, sizeof buf, v->u.d);
		vs = buf;
		vl = strlen(buf);
		break;
	case GR_INT:
		snprintf(buf, sizeof buf, "%lld", (long long)v->u.i);
		vs = buf;
		vl = strlen(buf);
		break;
	case GR_STRING:
		vs = v->u.s.ptr;
		vl = v->u.s.len;
		break;
	case GR_BOOL:
		vs = v->u.b ? "true" : "false";
		vl = strlen(vs);
		break;
	default: return false;
	}
	bool m = ky_wildcard(pat, plen, vs, vl);
	return op == KY_OP_NE ? !m : m;
}

static bool validate_atom(const gr_value *v, const ky_atom *at)
{
	if (at->op == KY_OP_RANGE)
		return validate_string(v, at->s, at->len, at->dur1, at->d1, at->qty1, at->q1, KY_OP_GE) &&
		       validate_string(v, at->s2, at->len2, at->dur2, at->d2, at->qty2, at->q2, KY_OP_LE);
	if (at->op == KY_OP_NRANGE)
		return validate_string(v, at->s, at->len, at->dur1, at->d1, at->qty1, at->q1, KY_OP_LT) ||
		       validate_string(v, at->s2, at->len2, at->dur2, at->d2, at->qty2, at->q2, KY_OP_GT);
	return validate_string(v, at->s, at->len, at->dur1, at->d1, at->qty1, at->q1, at->op);
}

bool ky_pat_scalar(const ky_pat *p, const gr_value *v)
{
	const gr_value *pv = p->src;
	switch (p->type) {
	case GR_BOOL: return v->type == GR_BOOL && v->u.b == pv->u.b;
	case GR_INT: return float_pattern((double)pv->u.i, v);
	case GR_DOUBLE: return float_pattern(pv->u.d, v);
	case GR_NULL: return nil_pattern(v);
	case GR_OBJECT: return v->type == GR_OBJECT;
	case GR_STRING:
		if (v->type == GR_STRING && v->u.s.len == pv->u.s.len &&
		    memcmp(v->u.s.ptr, pv->u.s.ptr, v->u.s.len) == 0)
			return true;
		for (size_t i = 0; i < p->nalts; i++) {
			const ky_conj *c = &p->alts[i];
			bool all = true;
			for (size_t j = 0; j < c->n && all; j++)
				all = validate_atom(v, &c->atoms[j]);
			if (all)
				return true;
		}
		return false;
	default: return false;
	}
}

/* ---- tree matching (pkg/engine/validate) ---- */

typedef struct anchor_seen {
	const char *raw;
	bool found;
} anchor_seen;

typedef struct pm {
	ky_eval *ev;
	char path[2048];
	size_t plen;
	char errpath[2048];
	bool have_err;
	anchor_seen *seen;
	size_t nseen, capseen;
} pm;

static size_t push(pm *m, const char *seg, size_t len)
{
	size_t old = m->plen;
	if (m->plen + len + 2 < sizeof m->path) {
		memcpy(m->path + m->plen, seg, len);
		m->plen += len;
		m->path[m->plen++] = '/';
		m->path[m->plen] = '\0';
	}
	return old;
}

static void pop(pm *m, size_t old)
{
	m->plen = old;
	m->path[old] = '\0';
}

static int err_at(pm *m, int e)
{
	if (!m->have_err) {
		memcpy(m->errpath, m->path, m->plen + 1);
		m->have_err = true;
	}
	return e;
}

static void check_anchor_in_resource(pm *m, const ky_pat *p, const gr_value *res)
{
	for (size_t i = 0; i < p->nm; i++) {
		const ky_pmember *pmb = &p->m[i];
		if (pmb->anchor != KY_A_COND && pmb->anchor != KY_A_EXIST && pmb->anchor != KY_A_NEG)
			continue;
		bool present = gr_getn(res, pmb->key, pmb->key_len) != NULL;
		size_t j;
		for (j = 0; j < m->nseen; j++)
			if (strcmp(m->seen[j].raw, pmb->raw) == 0)
				break;
		if (j == m->nseen) {
			if (m->nseen == m->capseen) {
				size_t nc = m->capseen ? m->capseen * 2 : 8;
				anchor_seen *ns = gr_arena_alloc(m->ev->arena, nc * sizeof *ns);
				if (!ns)
					return;
				if (m->nseen)
					memcpy(ns, m->seen, m->nseen * sizeof *ns);
				m->seen = ns;
				m->capseen = nc;
			}
			m->seen[m->nseen].raw = pmb->raw;
			m->seen[m->nseen].found = false;
			m->nseen++;
		}
		if (present)
			m->seen[j].found = true;
	}
}

static int elem(pm *m, const gr_value *res, const ky_pat *p);

static bool in_metadata_map(const pm *m)
{
	static const char *const tails[] = {"/metadata/labels/", "/metadata/annotations/"};
	for (int i = 0; i < 2; i++) {
		size_t tl = strlen(tails[i]);
		if (m->plen >= tl && memcmp(m->path + m->plen - tl, tails[i], tl) == 0)
			return true;
	}
	return false;
}

static const gr_value *lookup(pm *m, const gr_value *res, const ky_pmember *pmb, const char **key,
                              size_t *klen)
{
	*key = pmb->key;
	*klen = pmb->key_len;
	if (pmb->wildcard && in_metadata_map(m) && res->type == GR_OBJECT) {
		for (size_t i = 0; i < res->u.o.len; i++)
			if (ky_wildcard(pmb->key, pmb->key_len, res->u.o.members[i].key,
			                res->u.o.members[i].key_len)) {
				*key = res->u.o.members[i].key;
				*klen = res->u.o.members[i].key_len;
				return &res->u.o.members[i].value;
			}
	}
	return gr_getn(res, pmb->key, pmb->key_len);
}

static int validate_map(pm *m, const gr_value *res, const ky_pat *p)
{
	for (size_t i = 0; i < p->nm; i++) {
		const ky_pmember *pmb = &p->m[i];
		const char *key;
		size_t klen;
		const gr_value *val = lookup(m, res, pmb, &key, &klen);
		size_t old = push(m, key, klen);
		int r = E_OK;
		switch (pmb->anchor) {
		case KY_A_COND:
			if (!val)
				r = err_at(m, E_COND);
			else if (elem(m, val, pmb->value) != E_OK)
				r = E_COND;
			break;
		case KY_A_GLOBAL:
			if (val && elem(m, val, pmb->value) != E_OK)
				r = E_GLOBAL;
			break;
		case KY_A_EQUAL:
			if (val)
				r = elem(m, val, pmb->value);
			break;
		case KY_A_NEG:
			if (val)
				r = err_at(m, E_NEG);
			break;
		case KY_A_EXIST:
			if (!val)
				break;
			if (val->type != GR_ARRAY || pmb->value->type != GR_ARRAY) {
				r = err_at(m, E_FAIL);
				break;
			}
			for (size_t k = 0; k < pmb->value->nitems && r == E_OK; k++) {
				const ky_pat *item = pmb->value->items[k];
				if (item->type != GR_OBJECT) {
					r = err_at(m, E_FAIL);
					break;
				}
				bool found = false;
				for (size_t e = 0; e < val->u.a.len && !found; e++) {
					bool had = m->have_err;
					found = elem(m, &val->u.a.items[e], item) == E_OK;
					if (!had)
						m->have_err = false;
				}
				if (!found)
					r = err_at(m, E_FAIL);
			}
			break;
		default:
			if (pmb->value->star && pmb->value->type == GR_STRING) {
				if (!val || val->type == GR_NULL)
					r = err_at(m, E_FAIL);
			} else {
				r = elem(m, val ? val : &gr_null_value, pmb->value);
			}
			break;
		}
		pop(m, old);
		if (r != E_OK)
			return r;
	}
	return E_OK;
}

static size_t utoa(char *buf, size_t v)
{
	char tmp[24];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

static int validate_array(pm *m, const gr_value *res, const ky_pat *p)
{
	if (p->nitems == 0)
		return err_at(m, E_FAIL);
	const ky_pat *first = p->items[0];
	if (first->type == GR_OBJECT) {
		size_t applied = 0, skipped = 0;
		for (size_t i = 0; i < res->u.a.len; i++) {
			char seg[24];
			size_t old = push(m, seg, utoa(seg, i));
			bool had = m->have_err;
			int r = elem(m, &res->u.a.items[i], first);
			pop(m, old);
			if (r != E_OK) {
				if (skip_class(r)) {
					if (!had)
						m->have_err = false;
					skipped++;
					continue;
				}
				return r;
			}
			applied++;
		}
		if (applied == 0 && skipped > 0)
			return err_at(m, E_SKIP);
		return E_OK;
	}
	if (first->type != GR_ARRAY)
		return elem(m, res, first);
	if (res->u.a.len < p->nitems)
		return err_at(m, E_FAIL);
	for (size_t i = 0; i < p->nitems; i++) {
		char seg[24];
		size_t old = push(m, seg, utoa(seg, i));
		int r = elem(m, &res->u.a.items[i], p->items[i]);
		pop(m, old);
		if (r != E_OK)
			return r;
	}
	return E_OK;
}

static int elem(pm *m, const gr_value *res, const ky_pat *p)
{
	switch (p->type) {
	case GR_OBJECT:
		if (res->type != GR_OBJECT)
			return err_at(m, E_FAIL);
		check_anchor_in_resource(m, p, res);
		return validate_map(m, res, p);
	case GR_ARRAY:
		if (res->type != GR_ARRAY)
			return err_at(m, E_FAIL);
		return validate_array(m, res, p);
	default:
		if (res->type == GR_ARRAY) {
			for (size_t i = 0; i < res->u.a.len; i++)
				if (!ky_pat_scalar(p, &res->u.a.items[i]))
					return err_at(m, E_FAIL);
			return E_OK;
		}
		return ky_pat_scalar(p, res) ? E_OK : err_at(m, E_FAIL);
	}
}

gr_kyverno_status ky_pat_match(ky_eval *ev, const ky_pat *p, const gr_value *resource, const char **path,
                               const char **msg)
{
	pm m;
	m.ev = ev;
	m.path[0] = '/';
	m.path[1] = '\0';
	m.plen = 1;
	m.have_err = false;
	m.seen = NULL;
	m.nseen = m.capseen = 0;
	*path = "";
	*msg = NULL;
	int r = elem(&m, resource ? resource : &gr_null_value, p);
	if (r == E_OK)
		return GR_KY_PASS;
	const char *ep = m.have_err ? gr_arena_strdup(ev->arena, m.errpath) : "/";
	if (!ep) { /* memory ran out: an error of the run, not a verdict */
		ev->oom = true;
		*path = "/";
		*msg = "out of memory";
		return GR_KY_ERROR;
	}
	if (skip_class(r)) {
		*msg = r == E_SKIP     ? "conditional anchor mismatch: no element applied"
		       : r == E_GLOBAL ? "global anchor mismatch"
		                       : "conditional anchor mismatch";
		*path = ep;
		return GR_KY_SKIP;
	}
	*path = ep;
	if (r == E_NEG) {
		*msg = "negation anchor matched in resource";
		return GR_KY_FAIL;
	}
	for (size_t i = 0; i < m.nseen; i++)
		if (!m.seen[i].found) {
			*msg = "an anchor key of the pattern is missing in the resource";
			return GR_KY_ERROR;
		}
	return GR_KY_FAIL;
}

static size_t ptr_hash(const gr_value *p, size_t mask)
{
	return ((uintptr_t)p >> 4) * 0x9E3779B97F4A7C15ULL & mask;
}

const ky_pat *ky_pat_cached(const gr_kyverno_set *set, const gr_value *node)
{
	if (!set->pat_cap)
		return NULL;
	size_t mask = set->pat_cap - 1;
	for (size_t i = ptr_hash(node, mask);; i = (i + 1) & mask) {
		if (!set->pat_keys[i])
			return NULL;
		if (set->pat_keys[i] == node)
			return set->pat_vals[i];
	}
}

int ky_pat_cache_add(gr_kyverno_set *set, const gr_value *node)
{
	if (ky_has_vars(node) || ky_pat_cached(set, node))
		return 0;
	if ((set->pat_len + 1) * 2 > set->pat_cap) {
		size_t nc = set->pat_cap ? set->pat_cap * 2 : 64;
		const gr_value **nk = calloc(nc, sizeof *nk);
		ky_pat **nv = calloc(nc, sizeof *nv);
		if (!nk || !nv) {
			free(nk);
			free(nv);
			return -1;
		}
		for (size_t i = 0; i < set->pat_cap; i++) {
			if (!set->pat_keys[i])
				continue;
			size_t j = ptr_hash(set->pat_keys[i], nc - 1);
			while (nk[j])
				j = (j + 1) & (nc - 1);
			nk[j] = set->pat_keys[i];
			nv[j] = set->pat_vals[i];
		}
		free(set->pat_keys);
		free(set->pat_vals);
		set->pat_keys = nk;
		set->pat_vals = nv;
		set->pat_cap = nc;
	}
	ky_pat *p = ky_pat_compile(&set->arena, node);
	if (!p)
		return -1;
	size_t mask = set->pat_cap - 1, i = ptr_hash(node, mask);
	while (set->pat_keys[i])
		i = (i + 1) & mask;
	set->pat_keys[i] = node;
	set->pat_vals[i] = p;
	set->pat_len++;
	return 0;
}
