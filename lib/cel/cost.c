/*
 * cost.c — the compile-time cost estimate of a CEL program, as cel-go's
 * checker computes it (checker/cost.go) with Kubernetes' call estimates
 * (apiserver pkg/cel/library) and size estimates from the OpenAPI schema a
 * variable was declared with (apiserver pkg/cel/common SchemaDeclType:
 * maxLength, maxItems, maxProperties, enum and format, or what fits in a 3 MiB
 * request when they are absent).
 *
 * The estimate walks the typed AST once and gives a [min, max] range. The
 * macros are costed as cel-go expands them (all, exists, map, filter, the
 * two-variable forms, sortBy, optMap, cel.bind), so the numbers are the
 * API server's: a rule whose maximum exceeds the per-call limit is one it
 * refuses.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cel_schema.h"

#define MAX_REQUEST  (3 * 1024 * 1024)
#define UNKNOWN_SIZE UINT64_MAX

typedef struct rng {
	uint64_t lo, hi;
} rng;

static uint64_t sadd(uint64_t a, uint64_t b)
{
	return b > 0 && a > UINT64_MAX - b ? UINT64_MAX : a + b;
}
static uint64_t smul(uint64_t a, uint64_t b)
{
	return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}
/* cel-go's multiplyByCostFactor: x * f rounded up, saturating */
static uint64_t sfac(uint64_t x, double f)
{
	double xf = (double)x;
	if (xf > 0 && f > 0 && xf > (double)UINT64_MAX / f)
		return UINT64_MAX;
	double c = ceil(xf * f);
	if (c >= ldexp(1.0, 64))
		return UINT64_MAX;
	return (uint64_t)c;
}
static rng R(uint64_t lo, uint64_t hi)
{
	return (rng){lo, hi};
}
static rng radd(rng a, rng b)
{
	return R(sadd(a.lo, b.lo), sadd(a.hi, b.hi));
}
static rng rmul(rng a, rng b)
{
	return R(smul(a.lo, b.lo), smul(a.hi, b.hi));
}
static rng rfac(rng a, double f)
{
	return R(sfac(a.lo, f), sfac(a.hi, f));
}
static rng runion(rng a, rng b)
{
	return R(a.lo < b.lo ? a.lo : b.lo, a.hi > b.hi ? a.hi : b.hi);
}
static const rng unknown_size = {0, UNKNOWN_SIZE};

/* ---- Kubernetes' DeclType sizes over schema nodes ---- */

/* A position in the declared type: a schema node, or one of the fields
 * every resource root has (apiVersion, kind, metadata.name/generateName). */
enum {
	D_NODE,
	D_STRING,
	D_META,
	D_KEY
}; /* D_KEY: a map key, Kubernetes' plain StringType (no
    * MaxElements) */
typedef struct dpos {
	const cel_schema_node *n;
	int syn;
} dpos;

static int64_t raw_int(const cel_schema_node *n, const char *key, bool *found)
{
	const gr_value *v = n && n->raw ? gr_get(n->raw, key) : NULL;
	*found = v && (gr_is(v, GR_INT) || gr_is(v, GR_DOUBLE));
	if (!*found)
		return 0;
	int64_t x = gr_is(v, GR_INT) ? v->u.i : (int64_t)v->u.d;
	return x < 0 ? 0 : x;
}

static bool decl_nil(const cel_schema_node *n, int depth)
{
	if (!n || depth > 100)
		return true;
	if (n->int_or_string)
		return false;
	switch (n->type) {
	case S_ARRAY: return !n->items || decl_nil(n->items, depth + 1);
	case S_OBJECT: return n->additional && decl_nil(n->additional, depth + 1);
	case S_ANY: return true;
	default: return false;
	}
}

static bool is_map_node(const cel_schema_node *n)
{
	return n->type == S_OBJECT && n->additional && !n->int_or_string;
}

/* MinSerializedSize */
static int64_t decl_min(const cel_schema_node *n, int depth)
{
	if (!n || depth > 100)
		return 1;
	if (n->int_or_string)
		return 1;
	switch (n->type) {
	case S_ARRAY: return 2;
	case S_OBJECT: {
		if (is_map_node(n))
			return 2;
		int64_t m = 2;
		const gr_value *req = n->raw ? gr_get(n->raw, "required") : NULL;
		for (size_t i = 0; gr_is(req, GR_ARRAY) && i < req->u.a.len; i++) {
			const gr_value *r = &req->u.a.items[i];
			if (!gr_is(r, GR_STRING))
				continue;
			for (size_t k = 0; k < n->nprops; k++)
				if (n->plens[k] == r->u.s.len &&
				    !memcmp(n->pnames[k], r->u.s.ptr, r->u.s.len) &&
				    !decl_nil(n->props[k], depth + 1) && !n->props[k]->dflt)
					m += (int64_t)n->plens[k] + decl_min(n->props[k], depth + 1) + 4;
		}
		return m;
	}
	case S_STRING:
		return n->format == F_DURATION   ? 3
		       : n->format == F_DATE     ? 12
		       : n->format == F_DATETIME ? 21
		                                 : 2;
	case S_BOOLEAN: return 4;
	default: return 1;
	}
}

int64_t cel_schema_min_size(const cel_schema_node *n)
{
	return decl_min(n, 0);
}

/* MaxElements */
static int64_t decl_max(const cel_schema_node *n, int depth)
{
	bool f;
	int64_t v;
	if (!n || depth > 100)
		return 0;
	if (n->int_or_string) {
		v = raw_int(n, "maxLength", &f);
		return f ? v * 4 : MAX_REQUEST - 2;
	}
	switch (n->type) {
	case S_ARRAY:
		v = raw_int(n, "maxItems", &f);
		return f ? v : (MAX_REQUEST - 2) / (decl_min(n->items, depth + 1) + 1);
	case S_OBJECT:
		if (!is_map_node(n))
			return 0;
		v = raw_int(n, "maxProperties", &f);
		return f ? v : (MAX_REQUEST - 2) / (decl_min(n->additional, depth + 1) + 6);
	case S_STRING:
		switch (n->format) {
		case F_BYTE: v = raw_int(n, "maxLength", &f); return f ? v : MAX_REQUEST - 2;
		case F_DURATION:
		case F_DATETIME: return 32;
		case F_DATE: return 12;
		default: {
			v = raw_int(n, "maxLength", &f);
			if (f)
				return v * 4;
			const gr_value *e = n->raw ? gr_get(n->raw, "enum") : NULL;
			if (gr_is(e, GR_ARRAY) && e->u.a.len) {
				int64_t m = 0;
				for (size_t i = 0; i < e->u.a.len; i++)
					if (gr_is(&e->u.a.items[i], GR_STRING) &&
					    (int64_t)e->u.a.items[i].u.s.len > m)
						m = (int64_t)e->u.a.items[i].u.s.len;
				return m;
			}
			return MAX_REQUEST - 2;
		}
		}
	default: return 0;
	}
}

static int64_t dpos_max(dpos d)
{
	return d.syn == D_STRING ? MAX_REQUEST - 2 : d.syn == D_META || d.syn == D_KEY ? 0 : decl_max(d.n, 0);
}

/* Follow one path element (a field, "@items", "@values", "@keys"). */
static bool dpos_step(dpos d, const char *name, size_t len, dpos *out)
{
	if (d.syn == D_STRING || d.syn == D_KEY)
		return false;
	if (d.syn == D_META) {
		if ((len == 4 && !memcmp(name, "name", 4)) ||
		    (len == 12 && !memcmp(name, "generateName", 12))) {
			*out = (dpos){NULL, D_STRING};
			return true;
		}
		return false;
	}
	const cel_schema_node *n = d.n;
	if (!n || n->int_or_string)
		return false;
	if (!strcmp(name, "@items") || !strcmp(name, "@values")) {
		const cel_schema_node *e = n->type == S_ARRAY ? n->items
		                           : is_map_node(n)   ? n->additional
		                                              : NULL;
		if (!e || decl_nil(e, 0))
			return false;
		*out = (dpos){e, D_NODE};
		return true;
	}
	if (!strcmp(name, "@keys")) {
		if (!is_map_node(n))
			return false;
		*out = (dpos){NULL, D_KEY};
		return true;
	}
	if (n->type != S_OBJECT || is_map_node(n))
		return false;
	char buf[512];
	size_t ul;
	const char *key = name;
	size_t kl = len;
	if (cel_unescape_name(name, len, buf, sizeof buf, &ul)) {
		key = buf;
		kl = ul;
	}
	bool meta = (n->embedded || n->is_root) &&
	            ((kl == 4 && !memcmp(key, "kind", 4)) || (kl == 10 && !memcmp(key, "apiVersion", 10)) ||
	             (kl == 8 && !memcmp(key, "metadata", 8)));
	for (size_t i = 0; i < n->nprops && !(meta && !cel_schema_declares_meta(n)); i++)
		if (n->plens[i] == kl && !memcmp(n->pnames[i], key, kl)) {
			if (decl_nil(n->props[i], 0))
				return false;
			*out = (dpos){n->props[i], D_NODE};
			return true;
		}
	if (n->embedded || n->is_root) {
		if ((kl == 4 && !memcmp(key, "kind", 4)) || (kl == 10 && !memcmp(key, "apiVersion", 10))) {
			*out = (dpos){NULL, D_STRING};
			return true;
		}
		if (kl == 8 && !memcmp(key, "metadata", 8)) {
			*out = (dpos){NULL, D_META};
			return true;
		}
	}
	return false;
}

/* ---- the estimator ---- */

/* cel-go tracks a field path per expression: a variable starts one, a
 * select appends the field, an index "@items"/"@values", an iteration
 * variable its range's path plus "@items"/"@keys"/"@values"/"@indices".
 * Kubernetes' size estimator ignores the first element and walks the rest
 * from the rule's schema, so an expression without a path that gets one
 * element appended lands on the schema's root. */
enum { P_NONE, P_OK, P_BAD };

typedef struct entry {
	bool set;
	int kind; /* CEL_TK_LIST / CEL_TK_MAP */
	rng key, val;
} entry;

typedef struct est {
	rng cost;
	bool sized; /* a computed size (literals, call results, comprehensions) */
	rng size;
	entry ent;
	uint8_t pst; /* the field path: P_NONE, P_OK (path: where it leads), P_BAD */
	dpos path;
	bool local; /* an iteration or bound variable: its own size as the fallback */
	bool lsized;
	rng lsize;
	entry lent;
} est;

typedef struct slotinfo {
	uint8_t pst;
	dpos path;
	bool sized;
	rng size;
	entry ent;
} slotinfo;

typedef struct coster {
	const cel_schema_node *root; /* the rule's schema (NULL: no size estimates) */
	uint64_t string_size;        /* the size estimator's answer for an unbounded string or bytes
	                              * value (gr_cel_options.string_size_estimate); 0: none */
	slotinfo *slots;
	int nslots;
} coster;

static est estimate(coster *c, const cel_node *n, int depth);

static uint8_t path_append(const coster *c, uint8_t st, dpos d, const char *name, size_t len, dpos *out)
{
	if (st == P_NONE) {
		if (!c->root)
			return P_NONE;
		*out = (dpos){c->root, D_NODE};
		return P_OK;
	}
	if (st == P_BAD)
		return P_BAD;
	return dpos_step(d, name, len, out) ? P_OK : P_BAD;
}

/* The size estimator's answer for a value of type `type` that nothing else
 * sizes: a string or bytes gets the configured estimate. */
static bool estimator_size(const coster *c, const void *type, rng *out)
{
	int k = cel_type_kind(type);
	if (!c->string_size || (k != CEL_TK_STRING && k != CEL_TK_BYTES))
		return false;
	*out = R(0, c->string_size);
	return true;
}

/* computeSize: the computed size, the schema estimate, the size of a
 * scalar type, a local variable's size, the size estimator's; false when
 * unknown. */
static bool size_of_c(const coster *c, const est *e, const cel_node *n, rng *out);
static bool size_of(const est *e, const cel_node *n, rng *out)
{
	return size_of_c(NULL, e, n, out);
}

static bool size_of_c(const coster *c, const est *e, const cel_node *n, rng *out)
{
	if (e->sized) {
		*out = e->size;
		return true;
	}
	if (e->pst == P_OK) {
		*out = R(0, (uint64_t)dpos_max(e->path));
		return true;
	}
	if (cel_type_scalar(n->type)) {
		*out = R(1, 1);
		return true;
	}
	if (e->local && e->lsized) {
		*out = e->lsize;
		return true;
	}
	return c && estimator_size(c, n->type, out);
}

static rng size_or_unknown(const est *e, const cel_node *n)
{
	rng r;
	return size_of(e, n, &r) ? r : unknown_size;
}

static rng size_or_unknown_c(const coster *c, const est *e, const cel_node *n)
{
	rng r;
	return size_of_c(c, e, n, &r) ? r : unknown_size;
}

static entry entry_of(const est *e)
{
	if (e->ent.set)
		return e->ent;
	if (e->local)
		return e->lent;
	return (entry){0};
}

static entry entry_union(entry a, entry b)
{
	if (!a.set || !b.set)
		return (entry){0};
	return (entry){true, a.kind, runion(a.key, b.key), runion(a.val, b.val)};
}

static uint64_t literal_uint(const cel_node *n, uint64_t dflt)
{
	if (n->kind == N_LITERAL && n->value.kind == GR_CEL_INT && n->value.u.i >= 0)
		return (uint64_t)n->value.u.i;
	if (n->kind == N_LITERAL && n->value.kind == GR_CEL_UINT)
		return n->value.u.u;
	return dflt;
}

static bool is_name(const cel_node *n, const char *s)
{
	return !strcmp(n->name, s);
}

/* ext.Lists v3: cost factor times the list size, the call and the list. */
static rng alloc_list(double factor, rng size)
{
	return radd(rfac(size, factor), R(11, 11));
}

/* The element size of a list for Kubernetes' per-element estimates: its
 * listElementNode is a node of the element type at the list's path plus
 * "@items", which only the size estimator can size (from the schema, or
 * the configured estimate for strings and bytes); the sizes of a literal's
 * elements are not consulted. */
static bool list_elem_size(const coster *c, const est *t, const cel_node *tn, rng *out)
{
	dpos d;
	if (t->pst == P_OK && dpos_step(t->path, "@items", 6, &d)) {
		*out = R(0, (uint64_t)dpos_max(d));
		return true;
	}
	const void *et = cel_type_elem(tn->type);
	if (cel_type_scalar(et)) {
		*out = R(1, 1);
		return true;
	}
	return estimator_size(c, et, out);
}

/* A receiver a string function applies to: a string, or dyn (cel-go then
 * estimates every overload it may pick and takes the widest range). */
static bool strish(int k)
{
	return k == CEL_TK_STRING || k == CEL_TK_DYN;
}

/* A call: the arguments' cost plus the function's, and its result size. */
static est estimate_call(coster *c, const cel_node *n, est *a, int depth)
{
	est r = {0};
	rng sum = R(0, 0);
	for (size_t i = 0; i < n->nargs; i++)
		sum = radd(sum, a[i].cost);
	const char *f = n->name;
	size_t na = n->nargs;
	bool member = n->member && na >= 1;
	const est *t = member ? &a[0] : NULL;
	const cel_node *tn = member ? n->args[0] : NULL;
	/* the arguments after the receiver */
	const est *args = member ? a + 1 : a;
	const cel_node *const *argn =
	        member ? (const cel_node *const *)n->args + 1 : (const cel_node *const *)n->args;
	size_t nargs = member ? na - 1 : na;
	int k0 = na ? cel_type_kind(n->args[0]->type) : CEL_TK_DYN;
	rng fc = R(1, 1);
	(void)depth;
	(void)c;
	if (!strcmp(f, "dyn") && na == 1) {
		r = a[0];
		r.cost = radd(a[0].cost, R(1, 1));
		r.pst = P_NONE;
		r.local = false;
		return r;
	}
	/* ext.Lists v3 estimators */
	if (member && tn && cel_type_kind(tn->type) != CEL_TK_STRING) {
		rng ts = size_or_unknown(t, tn);
		if (is_name(n, "slice") && nargs == 2) {
			uint64_t s = literal_uint(argn[0], 0), e = literal_uint(argn[1], ts.hi);
			rng sz = R(e - s, e - s);
			r.cost = radd(alloc_list(1, sz), sum);
			r.sized = true;
			r.size = sz;
			return r;
		}
		if ((is_name(n, "reverse") && nargs == 0) || (is_name(n, "flatten") && nargs <= 1)) {
			double depthf = is_name(n, "flatten") && nargs == 1
			                        ? (double)literal_uint(argn[0], UINT64_MAX)
			                        : 1;
			r.cost = radd(alloc_list(depthf, ts), sum);
			r.sized = true;
			r.size = ts;
			return r;
		}
		if ((is_name(n, "distinct") || is_name(n, "sort")) && nargs == 0) {
			double factor = 2.0;
			int ek = cel_type_kind(cel_type_elem(tn->type));
			if (is_name(n, "sort") && (ek == CEL_TK_STRING || ek == CEL_TK_BYTES))
				factor += 0.1;
			rng sq = rmul(ts, ts);
			r.cost = radd(alloc_list(factor, sq), sum);
			r.sized = true;
			r.size = sq;
			return r;
		}
	}
	if (is_name(n, "lists.range") && na == 1) {
		uint64_t k = literal_uint(n->args[0], UINT64_MAX);
		r.cost = radd(alloc_list(1, R(k, k)), sum);
		r.sized = true;
		r.size = R(k, k);
		return r;
	}
	/* Kubernetes' EstimateCallCost */
	if (member &&
	    (is_name(n, "isSorted") || is_name(n, "sum") || is_name(n, "max") || is_name(n, "min") ||
	     is_name(n, "indexOf") || is_name(n, "lastIndexOf") || is_name(n, "includes"))) {
		rng ts = size_or_unknown_c(c, t, tn);
		if (cel_type_kind(tn->type) == CEL_TK_LIST) {
			rng el = R(1, 1);
			int ek = cel_type_kind(cel_type_elem(tn->type));
			rng es;
			if ((ek == CEL_TK_STRING || ek == CEL_TK_BYTES)) {
				if (!list_elem_size(c, t, tn, &es))
					es = unknown_size;
				el = radd(el, rfac(es, 0.1));
			}
			fc = rmul(ts, el);
		} else if (is_name(n, "includes"))
			fc = ts; /* one comparison per element of the target's size (the cost cases) */
		else
			fc = rfac(ts, 0.1); /* indexOf on a string: a traversal */
		r.cost = radd(fc, sum);
		return r;
	}
	if (!member && na == 1 && is_name(n, "jsonpatch.escapeKey")) {
		/* a traversal; the result is estimated as large as the key */
		rng sz = size_or_unknown_c(c, &a[0], n->args[0]);
		r.cost = radd(rfac(sz, 0.1), sum);
		r.sized = true;
		r.size = sz;
		return r;
	}
	if (member && is_name(n, "validate") && nargs == 1) {
		/* format's validate: a traversal times the longest name-format regex
		 * (MaxNameFormatRegexSize 128, a quarter per unit) */
		rng sz = size_or_unknown_c(c, &args[0], argn[0]);
		r.cost = radd(rfac(rfac(sz, 0.1), 128 * 0.25), sum);
		return r;
	}
	if (!member && na == 1 &&
	    (is_name(n, "url") || is_name(n, "quantity") || is_name(n, "isQuantity") || is_name(n, "cidr") ||
	     is_name(n, "isIP") || is_name(n, "isCIDR") || is_name(n, "ip") || is_name(n, "ip.isCanonical") ||
	     is_name(n, "semver") || is_name(n, "isSemver") || is_name(n, "isURL"))) {
		/* Kubernetes' parsing functions: a traversal of the string (twice for
		 * isCanonical); a parsed object is as large as its text */
		rng sz = size_or_unknown(&a[0], n->args[0]);
		r.cost = radd(rfac(sz, is_name(n, "ip.isCanonical") ? 0.2 : 0.1), sum);
		if (cel_type_kind(n->type) == CEL_TK_KOBJ) {
			/* a URL or quantity is as large as its text; IPs, CIDRs and
			 * versions compare as fixed-size values */
			r.sized = true;
			r.size = is_name(n, "url") || is_name(n, "quantity") ? sz : R(1, 1);
		}
		return r;
	}
	if (!member && na == 2 &&
	    (is_name(n, "sets.contains") || is_name(n, "sets.intersects") || is_name(n, "sets.equivalent"))) {
		/* ext.Sets: every element of one list against every element of the other */
		rng prod = rmul(size_or_unknown(&a[0], n->args[0]), size_or_unknown(&a[1], n->args[1]));
		if (is_name(n, "sets.equivalent"))
			prod = rmul(prod, R(2, 2));
		r.cost = radd(radd(R(1, 1), prod), sum);
		return r;
	}
	if (member && strish(k0) &&
	    (is_name(n, "lowerAscii") || is_name(n, "upperAscii") || is_name(n, "substring") ||
	     is_name(n, "trim"))) {
		rng ts = size_or_unknown(t, tn);
		r.cost = radd(rfac(ts, 0.1), sum);
		r.sized = true;
		r.size = ts;
		return r;
	}
	if (member && strish(k0) && is_name(n, "replace") && nargs >= 2) {
		rng sz = size_or_unknown(t, tn), from = size_or_unknown(&args[0], argn[0]),
		    to = size_or_unknown(&args[1], argn[1]);
		rng cnt = R(0, 0), kept = R(0, 0);
		if (from.lo == 0) {
			cnt.hi = sz.hi < UINT64_MAX ? sz.hi + 1 : sz.hi;
			kept.hi = sz.hi;
		} else if (to.hi <= from.lo) {
			kept.hi = sz.hi;
		} else
			cnt.hi = (uint64_t)ceil((double)sz.hi / (double)from.lo);
		if (from.hi == 0) {
			cnt.lo = sz.lo < UINT64_MAX ? sz.lo + 1 : sz.lo;
			kept.lo = sz.lo;
		} else if (from.hi <= to.lo) {
			kept.lo = sz.lo;
		} else
			cnt.lo = (uint64_t)ceil((double)sz.lo / (double)from.hi);
		r.cost = radd(rfac(sz, 0.2), sum);
		r.sized = true;
		r.size = radd(rmul(cnt, to), kept);
		return r;
	}
	if (member && strish(k0) && is_name(n, "split")) {
		rng sz = size_or_unknown(t, tn);
		uint64_t max = sz.hi;
		if (nargs > 1 && argn[1]->kind == N_LITERAL)
			max = literal_uint(argn[1], max);
		r.cost = radd(rfac(sz, 0.2), sum);
		r.sized = true;
		r.size = R(0, max);
		return r;
	}
	if (member && is_name(n, "join") && cel_type_kind(tn->type) == CEL_TK_LIST) {
		rng ls = size_or_unknown(t, tn), sz = R(0, 0), es;
		if (list_elem_size(c, t, tn, &es))
			sz = rmul(ls, es);
		else if (cel_type_elem(tn->type))
			sz = rmul(ls, unknown_size);
		if (nargs > 0) {
			rng sep = size_or_unknown(&args[0], argn[0]);
			sz = radd(sz, rmul(sep, R(ls.lo ? ls.lo - 1 : 0, ls.hi ? ls.hi - 1 : 0)));
		}
		r.cost = radd(rfac(sz, 0.1), sum);
		r.sized = true;
		r.size = sz;
		return r;
	}
	if (member && strish(k0) && (is_name(n, "find") || is_name(n, "findAll")) && nargs >= 1) {
		rng sz = size_or_unknown(t, tn);
		rng sc = rfac(radd(sz, R(1, 1)), 0.1);
		rng rc = rfac(size_or_unknown(&args[0], argn[0]), 0.25);
		r.cost = radd(rmul(sc, rc), sum);
		r.sized = true;
		r.size = R(0, sz.hi);
		return r;
	}
	if (member && (is_name(n, "containsIP") || is_name(n, "containsCIDR")) && nargs >= 1) {
		rng ip = rfac(R(8, 32), 0.1);
		if (is_name(n, "containsCIDR"))
			ip = radd(radd(ip, rfac(R(4, 16), 0.1)), R(1, 1));
		if (cel_type_kind(argn[0]->type) == CEL_TK_STRING)
			ip = radd(ip, rfac(size_or_unknown(&args[0], argn[0]), 0.1));
		r.cost = radd(ip, sum);
		return r;
	}
	/* Kubernetes' authz library: a fixed price per check; a selector is
	 * parsed into requirements (a list, and per 2 bytes a struct and a list) */
	if (member && is_name(n, "check") && nargs == 1) {
		r.cost = radd(R(350000, 350000), sum);
		return r;
	}
	if (member && (is_name(n, "fieldSelector") || is_name(n, "labelSelector")) && nargs == 1) {
		rng sz = size_or_unknown(&args[0], argn[0]);
		r.cost = radd(radd(radd(R(10, 10), rfac(sz, 0.1)), rfac(rfac(sz, 0.5), 50)), sum);
		return r;
	}
	if (member && is_name(n, "ip") && nargs == 0) {
		r.cost = radd(R(1, 1), sum);
		return r;
	}
	/* cel-go's functionCost */
	if (member && is_name(n, "format") && nargs == 1) {
		rng ts = size_or_unknown(t, tn), as = size_or_unknown(&args[0], argn[0]);
		r.cost = radd(rfac(ts, 0.1), sum);
		r.sized = true;
		r.size = radd(ts, as);
		return r;
	}
	if (!member && na == 1 &&
	    ((is_name(n, "bytes") && k0 == CEL_TK_STRING) || (is_name(n, "string") && k0 == CEL_TK_BYTES) ||
	     is_name(n, "strings.quote"))) {
		rng sz = size_or_unknown(&a[0], n->args[0]);
		r.cost = radd(rfac(sz, 0.1), sum);
		r.sized = true;
		r.size = is_name(n, "bytes")    ? R(sz.lo, smul(sz.hi, 4))
		         : is_name(n, "string") ? R(sz.lo / 4, sz.hi)
		                                : R(sadd(sz.lo, 2), sadd(smul(sz.hi, 2), 2));
		return r;
	}
	if (member && strish(k0) && (is_name(n, "startsWith") || is_name(n, "endsWith")) && nargs == 1) {
		r.cost = radd(rfac(size_or_unknown(&args[0], argn[0]), 0.1), sum);
		return r;
	}
	if (is_name(n, "@in") && na == 2 && cel_type_kind(n->args[1]->type) == CEL_TK_LIST) {
		r.cost = radd(rfac(size_or_unknown(&a[1], n->args[1]), 1), sum);
		return r;
	}
	if (member && strish(k0) && is_name(n, "matches") && nargs == 1) {
		rng sc = rfac(radd(size_or_unknown(t, tn), R(1, 1)), 0.1);
		rng rc = rfac(size_or_unknown(&args[0], argn[0]), 0.25);
		r.cost = radd(rmul(sc, rc), sum);
		return r;
	}
	if (member && strish(k0) && is_name(n, "contains") && nargs == 1) {
		rng sc = rfac(size_or_unknown(t, tn), 0.1);
		rng ac = rfac(size_or_unknown(&args[0], argn[0]), 0.1);
		r.cost = radd(rmul(sc, ac), sum);
		return r;
	}
	if (is_name(n, "_+_") && na == 2) {
		int k1 = cel_type_kind(n->args[1]->type);
		int k = k0 != CEL_TK_DYN ? k0 : k1;
		if (k == CEL_TK_STRING || k == CEL_TK_BYTES || k == CEL_TK_LIST) {
			rng ls = size_or_unknown(&a[0], n->args[0]), rs = size_or_unknown(&a[1], n->args[1]);
			rng rsz = radd(ls, rs);
			entry e = entry_union(entry_of(&a[0]), entry_of(&a[1]));
			if (e.set)
				r.ent = e;
			r.sized = true;
			r.size = rsz;
			r.cost = k == CEL_TK_LIST ? radd(R(1, 1), sum) : radd(rfac(rsz, 0.1), sum);
			return r;
		}
	}
	if (na == 2 && is_name(n, "_==_") && cel_type_kobj(n->args[0]->type) &&
	    cel_type_kobj(n->args[0]->type) == cel_type_kobj(n->args[1]->type)) {
		/* Kubernetes' equality estimates for its own types */
		rng eq = R(1, 1);
		int sub = cel_type_kobj(n->args[0]->type);
		if (sub == GR_CEL_OBJ_FORMAT)
			eq = rfac(R(1, 64), 0.1);             /* MaxFormatSize */
		else if (sub == GR_CEL_OBJ_URL && a[1].sized) /* both sides are read from the right */
			eq = rfac(R(1, a[1].size.hi), 0.1);
		r.cost = radd(eq, sum);
		return r;
	}
	if (na == 2 &&
	    (is_name(n, "_==_") || is_name(n, "_!=_") ||
	     ((is_name(n, "_<_") || is_name(n, "_<=_") || is_name(n, "_>_") || is_name(n, "_>=_")) &&
	      (k0 == CEL_TK_STRING || k0 == CEL_TK_BYTES)))) {
		rng ls = size_or_unknown(&a[0], n->args[0]), rs = size_or_unknown(&a[1], n->args[1]);
		uint64_t smallest = ls.hi < rs.hi ? ls.hi : rs.hi;
		r.cost = radd(rfac(R(smallest > 0 ? 1 : 0, smallest), 0.1), sum);
		return r;
	}
	r.cost = radd(fc, sum);
	return r;
}

/* The cost of one macro, as cel-go expands it into a fold. */
static est estimate_comprehension(coster *c, const cel_node *n, int depth)
{
	est r = {0};
	est range = estimate(c, n->args[0], depth + 1);
	const cel_node *rn = n->args[0];
	if (n->ckind == C_BIND) {
		/* cel.bind: an empty range (a list literal, 10), the initializer, the body */
		if (n->slot >= 0 && n->slot < c->nslots) {
			slotinfo *s = &c->slots[n->slot];
			memset(s, 0, sizeof *s);
			s->pst = range.pst;
			s->path = range.path;
			s->sized = size_of(&range, rn, &s->size);
			s->ent = entry_of(&range);
		}
		est body = estimate(c, n->args[1], depth + 1);
		r = body;
		r.cost = radd(radd(R(10, 10), range.cost), body.cost);
		return r;
	}
	rng cnt = size_or_unknown(&range, rn);
	entry re = entry_of(&range);
	int rk = re.set ? re.kind : cel_type_kind(rn->type);
	bool two = n->slot2 >= 0;
	/* the iteration variables' positions and sizes */
	if (n->slot >= 0 && n->slot < c->nslots) {
		slotinfo *s = &c->slots[n->slot];
		memset(s, 0, sizeof *s);
		const char *sub = rk == CEL_TK_LIST ? (two ? "@indices" : "@items") : "@keys";
		s->pst = path_append(c, range.pst, range.path, sub, strlen(sub), &s->path);
		if (re.set) {
			s->sized = true;
			s->size = rk == CEL_TK_LIST && !two ? re.val : re.key;
		}
	}
	if (two && n->slot2 < c->nslots) {
		slotinfo *s = &c->slots[n->slot2];
		memset(s, 0, sizeof *s);
		const char *sub = rk == CEL_TK_LIST ? "@items" : "@values";
		s->pst = path_append(c, range.pst, range.path, sub, strlen(sub), &s->path);
		if (re.set) {
			s->sized = true;
			s->size = re.val;
		}
	}
	rng init = R(0, 0), step = R(0, 0), cond = R(0, 0), result = R(1, 1);
	est x1 = {0}, x2 = {0};
	if (n->nargs > 1)
		x1 = estimate(c, n->args[1], depth + 1);
	if (n->nargs > 2)
		x2 = estimate(c, n->args[2], depth + 1);
	rng append1 = R(12, 12); /* @result + [x]: the read, the one-element list, the concatenation */
	switch (n->ckind) {
	case C_ALL:
	case C_EXISTS:
		cond = n->ckind == C_ALL ? R(2, 2) : R(3, 3);
		step = R(1, sadd(1, x1.cost.hi)); /* @result && p: short-circuits */
		break;
	case C_EXISTS_ONE:
		step = radd(x1.cost, R(1, 2)); /* p ? @result + 1 : @result */
		result = R(2, 2);              /* @result == 1 */
		break;
	case C_MAP:
	case C_TRANSFORM_LIST:
		init = R(10, 10);
		step = radd(append1, x1.cost);
		break;
	case C_MAP_FILTER:
	case C_TRANSFORM_LIST_FILTER:
		init = R(10, 10);
		step = radd(x1.cost, runion(radd(append1, x2.cost), R(1, 1)));
		break;
	case C_FILTER:
		init = R(10, 10);
		step = radd(x1.cost, runion(radd(append1, R(1, 1)), R(1, 1)));
		break;
	case C_TRANSFORM_MAP:
		init = R(30, 30);
		step = radd(R(3, 3), x1.cost); /* cel.@mapInsert(@result, k, t) */
		break;
	case C_TRANSFORM_MAP_FILTER:
		init = R(30, 30);
		step = radd(x1.cost, runion(radd(R(3, 3), x2.cost), R(1, 1)));
		break;
	case C_TRANSFORM_MAP_ENTRY:
		init = R(30, 30);
		step = radd(R(2, 2), x1.cost);
		break;
	case C_TRANSFORM_MAP_ENTRY_FILTER:
		init = R(30, 30);
		step = radd(x1.cost, runion(radd(R(2, 2), x2.cost), R(1, 1)));
		break;
	case C_SORT_BY: {
		/* cel.bind(in, target, in.@sortByAssociatedKeys(in.map(e, key))) */
		rng map = radd(radd(R(1 + 10 + 1, 1 + 10 + 1), rmul(cnt, radd(append1, x1.cost))), R(0, 0));
		double factor = 2.0;
		int kk = cel_type_kind(n->args[1]->type);
		if (kk == CEL_TK_STRING || kk == CEL_TK_BYTES)
			factor += 0.1;
		rng sort = alloc_list(factor, rmul(cnt, cnt));
		r.cost = radd(radd(radd(R(10, 10), range.cost), R(1, 1)), radd(map, sort));
		r.sized = true;
		r.size = cnt;
		return r;
	}
	default: break;
	}
	r.cost = radd(radd(radd(range.cost, init), result), rmul(cnt, radd(step, cond)));
	switch (n->ckind) {
	case C_MAP:
	case C_MAP_FILTER:
	case C_FILTER:
	case C_TRANSFORM_LIST:
	case C_TRANSFORM_LIST_FILTER:
	case C_TRANSFORM_MAP:
	case C_TRANSFORM_MAP_FILTER:
	case C_TRANSFORM_MAP_ENTRY:
	case C_TRANSFORM_MAP_ENTRY_FILTER: {
		r.sized = true;
		r.size = cnt;
		/* the step's entry: [t] unioned with the empty accumulator */
		bool list = n->ckind <= C_TRANSFORM_LIST_FILTER;
		if (list) {
			/* the element expression's argument (a malformed macro
			 * may have fewer arguments than its kind takes) */
			size_t ei = n->ckind == C_FILTER                                                ? 0
			            : (n->ckind == C_MAP_FILTER || n->ckind == C_TRANSFORM_LIST_FILTER) ? 2
			                                                                                : 1;
			const cel_node *elem = ei && ei < n->nargs ? n->args[ei] : NULL;
			rng es = unknown_size;
			if (elem) {
				const est *ee = ei == 2 ? &x2 : &x1;
				es = size_or_unknown(ee, elem);
			} else if (n->slot >= 0 && n->slot < c->nslots && c->slots[n->slot].pst == P_OK)
				es = R(0, (uint64_t)dpos_max(c->slots[n->slot].path));
			else if (n->slot >= 0 && n->slot < c->nslots && c->slots[n->slot].sized)
				es = c->slots[n->slot].size;
			r.ent = (entry){true, CEL_TK_LIST, R(1, 1), runion(R(0, 0), es)};
		}
		break;
	}
	case C_EXISTS_ONE:
	case C_ALL:
	case C_EXISTS: r.sized = true, r.size = R(1, 1); break;
	default: break;
	}
	return r;
}

static est estimate(coster *c, const cel_node *n, int depth)
{
	est r = {0};
	if (!n || depth > 500)
		return r;
	switch (n->kind) {
	case N_LITERAL:
		r.sized = true;
		switch (n->value.kind) {
		case GR_CEL_STRING: r.size = R(cel_utf8_count(n->value.u.s.ptr, n->value.u.s.len), 0); break;
		case GR_CEL_BYTES: r.size = R(n->value.u.s.len, 0); break;
		default: r.size = R(1, 0); break;
		}
		r.size.hi = r.size.lo;
		return r;
	case N_IDENT:
	case N_TYPE: {
		r.cost = R(1, 1);
		/* every variable's path starts at the rule's schema (Kubernetes'
		 * size estimator ignores the variable name) */
		if (c->root) {
			r.pst = P_OK;
			r.path = (dpos){c->root, D_NODE};
		}
		return r;
	}
	case N_ITERVAR:
		r.cost = R(1, 1);
		if (n->slot >= 0 && n->slot < c->nslots) {
			const slotinfo *s = &c->slots[n->slot];
			r.pst = s->pst;
			r.path = s->path;
			r.local = true;
			r.lsized = s->sized;
			r.lsize = s->size;
			r.lent = s->ent;
		}
		return r;
	case N_SELECT: {
		est t = estimate(c, n->args[0], depth + 1);
		if (n->optional) {
			/* _?._(a, "f"): a call */
			r.cost = radd(t.cost, R(1, 1));
			return r;
		}
		int k = cel_type_kind(n->args[0]->type);
		r.cost = radd(t.cost,
		              k == CEL_TK_MAP || k == CEL_TK_OBJECT || k == CEL_TK_PARAM ? R(1, 1) : R(0, 0));
		r.pst = path_append(c, t.pst, t.path, n->name, n->name_len, &r.path);
		return r;
	}
	case N_HAS: {
		/* presence tests cost nothing in Kubernetes' environment */
		const cel_node *sel = n->args[0];
		est t = estimate(c, sel, depth + 1);
		r.cost = t.cost;
		return r;
	}
	case N_INDEX: {
		est t = estimate(c, n->args[0], depth + 1), k = estimate(c, n->args[1], depth + 1);
		r.cost = radd(radd(t.cost, k.cost), R(1, 1));
		if (n->optional)
			return r;
		int tk = cel_type_kind(n->args[0]->type);
		entry e = entry_of(&t);
		if (e.set) {
			r.sized = true;
			r.size = e.val;
		}
		const char *sub = tk == CEL_TK_LIST ? "@items" : "@values";
		r.pst = path_append(c, t.pst, t.path, sub, strlen(sub), &r.path);
		return r;
	}
	case N_CALL: {
		est small[8];
		est *a = small;
		if (n->nargs > 8) {
			a = calloc(n->nargs, sizeof *a);
			if (!a)
				return r;
		}
		for (size_t i = 0; i < n->nargs; i++)
			a[i] = estimate(c, n->args[i], depth + 1);
		r = estimate_call(c, n, a, depth);
		if (a != small)
			free(a);
		return r;
	}
	case N_LIST: {
		rng items = n->nargs ? R(UINT64_MAX, 0) : R(0, 0);
		r.cost = R(10, 10);
		for (size_t i = 0; i < n->nargs; i++) {
			est e = estimate(c, n->args[i], depth + 1);
			r.cost = radd(r.cost, e.cost);
			items = runion(items, size_or_unknown(&e, n->args[i]));
		}
		r.sized = true;
		r.size = R(n->nargs, n->nargs);
		r.ent = (entry){true, CEL_TK_LIST, R(1, 1), items};
		return r;
	}
	case N_MAP: {
		rng ks = n->nargs ? R(UINT64_MAX, 0) : R(0, 0), vs = ks;
		r.cost = R(30, 30);
		for (size_t i = 0; i + 1 < n->nargs; i += 2) {
			est k = estimate(c, n->args[i], depth + 1),
			    v = estimate(c, n->args[i + 1], depth + 1);
			r.cost = radd(radd(r.cost, k.cost), v.cost);
			ks = runion(ks, size_or_unknown(&k, n->args[i]));
			vs = runion(vs, size_or_unknown(&v, n->args[i + 1]));
		}
		r.sized = true;
		r.size = R(n->nargs / 2, n->nargs / 2);
		r.ent = (entry){true, CEL_TK_MAP, ks, vs};
		return r;
	}
	case N_COND: {
		est x = estimate(c, n->args[0], depth + 1), y = estimate(c, n->args[1], depth + 1),
		    z = estimate(c, n->args[2], depth + 1);
		r.cost = radd(x.cost, runion(y.cost, z.cost));
		r.sized = true;
		r.size = runion(size_or_unknown(&y, n->args[1]), size_or_unknown(&z, n->args[2]));
		r.ent = entry_union(entry_of(&y), entry_of(&z));
		return r;
	}
	case N_AND:
	case N_OR: {
		est x = estimate(c, n->args[0], depth + 1);
		rng hi = x.cost;
		for (size_t i = 1; i < n->nargs; i++)
			hi = radd(hi, estimate(c, n->args[i], depth + 1).cost);
		r.cost = R(x.cost.lo, hi.hi);
		return r;
	}
	case N_NOT:
	case N_NEG: r.cost = radd(estimate(c, n->args[0], depth + 1).cost, R(1, 1)); return r;
	case N_OPTMAP: {
		/* target.hasValue() ? optional.of(cel.bind(v, target.value(), e)) : optional.none() */
		est t = estimate(c, n->args[0], depth + 1);
		if (n->slot >= 0 && n->slot < c->nslots)
			memset(&c->slots[n->slot], 0, sizeof c->slots[n->slot]);
		est e = estimate(c, n->args[1], depth + 1);
		rng some = radd(radd(R(10 + 1, 10 + 1), t.cost), e.cost);
		if (!n->ckind)
			some = radd(some, R(1, 1));
		r.cost = radd(radd(t.cost, R(1, 1)), runion(some, R(1, 1)));
		return r;
	}
	case N_COMPREHENSION: return estimate_comprehension(c, n, depth);
	default: return r;
	}
}

/* At compile time, while the schemas the variables were declared with are
 * alive: the estimate is kept in the program. */
void cel_estimate(gr_cel_program *p, const gr_cel_env *env)
{
	coster c = {env->n ? (const cel_schema_node *)env->schemas[0] : NULL, env->opts.string_size_estimate,
	            NULL, 0};
	if (p->nslots > 0) {
		c.slots = calloc((size_t)p->nslots, sizeof *c.slots);
		if (c.slots)
			c.nslots = p->nslots;
	}
	est e = estimate(&c, p->root, 0);
	free(c.slots);
	p->est_min = e.cost.lo;
	p->est_max = e.cost.hi;
}

void gr_cel_estimate_cost(const gr_cel_program *p, uint64_t *min, uint64_t *max)
{
	if (min)
		*min = p->est_min;
	if (max)
		*max = p->est_max;
}
