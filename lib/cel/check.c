/*
 * check.c — the static type checker Kubernetes always runs: types flow
 * bottom-up over the resolved AST (literals, declared variables typed by
 * their OpenAPI schema, comprehension variables, function results), and
 * what cel-go's checker rejects is a compile error with its wording and
 * position: operands no overload accepts ("found no matching overload for
 * '_==_' applied to '(int, string)'"), fields a typed object does not
 * declare ("undefined field 'x'"), mixed list and map literals under
 * HomogeneousAggregateLiterals, and invalid duration, timestamp and regex
 * literals.
 *
 * The checker is conservative: `dyn` (untyped JSON, int-or-string, a
 * function it has no signature for) is compatible with everything, so an
 * expression is only rejected when its types are certain.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cel_regex.h"
#include "cel_schema.h"

enum {
	T_DYN = 0,
	T_NULL,
	T_BOOL,
	T_INT,
	T_UINT,
	T_DOUBLE,
	T_STRING,
	T_BYTES,
	T_LIST,
	T_MAP,
	T_TYPE,
	T_TIMESTAMP,
	T_DURATION,
	T_OPTIONAL,
	T_KOBJ,    /* a Kubernetes library object (sub) */
	T_SOBJ,    /* an object typed by a schema node */
	T_PARAM,   /* a free type parameter (param): `[]`, optional.none() */
	T_ABSTRACT /* a declared abstract type: aname(ps...) */
};

typedef struct ctype {
	uint8_t k, sub;
	const struct ctype *a, *b; /* list elem / map key,value / optional inner */
	const cel_schema_node *schema;
	int param;               /* T_PARAM: index into checker.binds */
	const char *aname;       /* T_ABSTRACT */
	const struct ctype **ps; /* T_ABSTRACT parameters */
	size_t nps;
} ctype;

#define MAX_PARAMS 256

typedef struct checker {
	const gr_cel_env *env;
	gr_arena *arena;
	gr_cel_error *err;
	const ctype **slots; /* comprehension variable types */
	int nslots;
	bool homogeneous;
	const cel_node *exempt;         /* the list literal argument of format(): exempt from homogeneity */
	const ctype *binds[MAX_PARAMS]; /* type parameter substitutions (NULL: free) */
	int nparams;
} checker;

static const ctype t_dyn = {.k = T_DYN}, t_null = {.k = T_NULL}, t_bool = {.k = T_BOOL}, t_int = {.k = T_INT},
                   t_uint = {.k = T_UINT}, t_double = {.k = T_DOUBLE}, t_string = {.k = T_STRING},
                   t_bytes = {.k = T_BYTES}, t_type = {.k = T_TYPE}, t_ts = {.k = T_TIMESTAMP},
                   t_dur = {.k = T_DURATION};
static const ctype t_list_dyn = {.k = T_LIST, .a = &t_dyn};
static const ctype t_list_string = {.k = T_LIST, .a = &t_string};
static const ctype t_map_dyn = {.k = T_MAP, .a = &t_dyn, .b = &t_dyn};

static int fail(checker *c, uint32_t column, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(checker *c, uint32_t column, const char *fmt, ...)
{
	if (c->err->type == GR_CEL_OK) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->err->message, sizeof c->err->message, fmt, ap);
		va_end(ap);
		c->err->type = GR_CEL_CHECK;
		c->err->column = column;
	}
	return -1;
}

static const ctype *mk(checker *c, int k, const ctype *a, const ctype *b)
{
	ctype *t = gr_arena_calloc(c->arena, 1, sizeof *t);
	if (!t)
		return &t_dyn;
	t->k = (uint8_t)k;
	t->a = a;
	t->b = b;
	return t;
}

/* A fresh free type parameter (dyn when the table is full). */
static const ctype *fresh(checker *c)
{
	if (c->nparams >= MAX_PARAMS)
		return &t_dyn;
	ctype *t = gr_arena_calloc(c->arena, 1, sizeof *t);
	if (!t)
		return &t_dyn;
	t->k = T_PARAM;
	t->param = c->nparams++;
	return t;
}

/* t with bound type parameters replaced by their substitutions (free ones
 * by dyn when todyn), as cel-go's checker substitutes types. */
static const ctype *subst(checker *c, const ctype *t, bool todyn, int depth)
{
	if (!t || depth > 64)
		return &t_dyn;
	if (t->k == T_PARAM) {
		if (c->binds[t->param])
			return subst(c, c->binds[t->param], todyn, depth + 1);
		return todyn ? &t_dyn : t;
	}
	if (t->k == T_ABSTRACT) {
		const ctype **ps = gr_arena_alloc(c->arena, (t->nps + 1) * sizeof *ps);
		ctype *r = gr_arena_calloc(c->arena, 1, sizeof *r);
		if (!ps || !r)
			return &t_dyn;
		*r = *t;
		for (size_t i = 0; i < t->nps; i++)
			ps[i] = subst(c, t->ps[i], todyn, depth + 1);
		r->ps = ps;
		return r;
	}
	if (t->k != T_LIST && t->k != T_MAP && t->k != T_OPTIONAL)
		return t;
	const ctype *a = subst(c, t->a, todyn, depth + 1);
	const ctype *b = t->k == T_MAP ? subst(c, t->b, todyn, depth + 1) : NULL;
	if (a == t->a && b == t->b)
		return t;
	return mk(c, t->k, a, b);
}

static bool type_equal(const ctype *a, const ctype *b)
{
	if (a == b)
		return true;
	if (!a || !b || a->k != b->k)
		return false;
	switch (a->k) {
	case T_LIST:
	case T_OPTIONAL: return type_equal(a->a, b->a);
	case T_MAP: return type_equal(a->a, b->a) && type_equal(a->b, b->b);
	case T_KOBJ: return a->sub == b->sub;
	case T_SOBJ: return a->schema == b->schema;
	case T_PARAM: return a->param == b->param;
	case T_ABSTRACT:
		if (strcmp(a->aname, b->aname) || a->nps != b->nps)
			return false;
		for (size_t i = 0; i < a->nps; i++)
			if (!type_equal(a->ps[i], b->ps[i]))
				return false;
		return true;
	default: return true;
	}
}

/* Whether a is equal to or less specific than b (dyn and free parameters
 * are the least specific): cel-go's isEqualOrLessSpecific. */
static bool less_specific(const ctype *a, const ctype *b)
{
	if (a->k == T_DYN || a->k == T_PARAM)
		return true;
	if (b->k == T_DYN || b->k == T_PARAM)
		return false;
	if (a->k != b->k)
		return false;
	switch (a->k) {
	case T_LIST:
	case T_OPTIONAL: return less_specific(a->a, b->a);
	case T_MAP: return less_specific(a->a, b->a) && less_specific(a->b, b->b);
	case T_TYPE: return true;
	case T_ABSTRACT:
		if (strcmp(a->aname, b->aname) || a->nps != b->nps)
			return false;
		for (size_t i = 0; i < a->nps; i++)
			if (!less_specific(a->ps[i], b->ps[i]))
				return false;
		return true;
	default: return type_equal(a, b);
	}
}

/* The more general of two types known to unify; null gives way to the
 * nullable type it unified with. */
static const ctype *most_general(const ctype *a, const ctype *b)
{
	if (a->k == T_NULL && b->k != T_NULL)
		return b;
	if (b->k == T_NULL)
		return a;
	return less_specific(a, b) ? a : b;
}

static bool occurs(checker *c, const ctype *p, const ctype *in, int depth)
{
	if (!in || depth > 64)
		return false;
	if (in->k == T_PARAM)
		return in->param == p->param ||
		       (c->binds[in->param] && occurs(c, p, c->binds[in->param], depth + 1));
	if (in->k == T_LIST || in->k == T_OPTIONAL)
		return occurs(c, p, in->a, depth + 1);
	if (in->k == T_MAP)
		return occurs(c, p, in->a, depth + 1) || occurs(c, p, in->b, depth + 1);
	for (size_t i = 0; in->k == T_ABSTRACT && i < in->nps; i++)
		if (occurs(c, p, in->ps[i], depth + 1))
			return true;
	return false;
}

static bool assignable_r(checker *c, const ctype *a, const ctype *b, int depth);

/* Whether b (a type parameter) can stand for a: binds it when free. */
static int valid_subst(checker *c, const ctype *a, const ctype *b, int depth, bool *had)
{
	const ctype *sub = c->binds[b->param];
	*had = sub != NULL;
	if (sub) {
		if (type_equal(a, sub))
			return 1;
		if (assignable_r(c, a, sub, depth + 1)) {
			c->binds[b->param] = most_general(a, sub);
			return 1;
		}
		return 0;
	}
	if (!occurs(c, b, a, 0)) {
		c->binds[b->param] = a;
		return 1;
	}
	return 0;
}

/* cel-go's internalIsAssignable: whether a may be assigned to b, binding
 * free type parameters on the way. */
static bool assignable_r(checker *c, const ctype *a, const ctype *b, int depth)
{
	if (depth > 64)
		return true;
	bool had;
	if (b->k == T_PARAM) {
		if (valid_subst(c, a, b, depth, &had))
			return true;
		if (had)
			return false;
	}
	if (a->k == T_PARAM)
		return valid_subst(c, b, a, depth, &had);
	if (a->k == T_DYN || b->k == T_DYN)
		return true;
	if (a->k == T_NULL || b->k == T_NULL) {
		const ctype *o = a->k == T_NULL ? b : a;
		return o->k == T_NULL || o->k == T_OPTIONAL || o->k == T_TIMESTAMP || o->k == T_DURATION ||
		       o->k == T_SOBJ || o->k == T_KOBJ;
	}
	if (a->k != b->k)
		return false;
	switch (a->k) {
	case T_LIST:
	case T_OPTIONAL: return assignable_r(c, a->a, b->a, depth + 1);
	case T_MAP: return assignable_r(c, a->a, b->a, depth + 1) && assignable_r(c, a->b, b->b, depth + 1);
	case T_KOBJ: return a->sub == b->sub;
	case T_SOBJ: return a->schema == b->schema;
	case T_ABSTRACT:
		if (strcmp(a->aname, b->aname) || a->nps != b->nps)
			return false;
		for (size_t i = 0; i < a->nps; i++)
			if (!assignable_r(c, a->ps[i], b->ps[i], depth + 1))
				return false;
		return true;
	default: return true;
	}
}

/* assignable_r that leaves the substitutions unchanged when it fails. */
static bool assignable(checker *c, const ctype *a, const ctype *b)
{
	const ctype *saved[MAX_PARAMS];
	int n = c->nparams;
	memcpy(saved, c->binds, (size_t)n * sizeof *saved);
	if (assignable_r(c, a, b, 0))
		return true;
	memcpy(c->binds, saved, (size_t)n * sizeof *saved);
	return false;
}

/* Whether a schema node has no CEL type in Kubernetes (SchemaDeclType
 * gives nil): no type and not int-or-string, or a list or map of such. A
 * property like that is not a field of its object. */
static bool untyped(const cel_schema_node *n, int depth)
{
	if (!n || depth > 100)
		return false;
	if (n->int_or_string)
		return false;
	if (n->type == S_ANY)
		return true;
	if (n->type == S_ARRAY)
		return n->items && untyped(n->items, depth + 1);
	if (n->type == S_OBJECT && !n->has_props && !n->embedded && n->additional)
		return untyped(n->additional, depth + 1);
	return false;
}

/* The CEL type of values a schema node describes. */
static const ctype *schema_type(checker *c, const cel_schema_node *n, int depth)
{
	if (!n || depth > 100 || n->int_or_string)
		return &t_dyn;
	switch (n->type) {
	case S_BOOLEAN: return &t_bool;
	case S_INTEGER: return &t_int;
	case S_NUMBER: return &t_double;
	case S_STRING:
		return n->format == F_BYTE                                ? &t_bytes
		       : n->format == F_DURATION                          ? &t_dur
		       : (n->format == F_DATETIME || n->format == F_DATE) ? &t_ts
		                                                          : &t_string;
	case S_ARRAY: return mk(c, T_LIST, schema_type(c, n->items, depth + 1), NULL);
	case S_OBJECT:
		/* Kubernetes' SchemaDeclType: an object is typed by its declared
		 * properties (plus apiVersion, kind and metadata when embedded);
		 * x-kubernetes-preserve-unknown-fields does not make the unknown
		 * fields accessible. */
		if (n->has_props || n->embedded || n->is_root || (!n->additional && !n->additional_any)) {
			ctype *t = gr_arena_calloc(c->arena, 1, sizeof *t);
			if (!t)
				return &t_dyn;
			t->k = T_SOBJ;
			t->schema = n;
			return t;
		}
		if (n->additional)
			return mk(c, T_MAP, &t_string, schema_type(c, n->additional, depth + 1));
		return &t_dyn;
	default: return &t_dyn;
	}
}

/* cel-go's type notation; msg: as its error messages print it (null is
 * "null" there, "null_type" in a deduced type). */
static void type_name_m(const ctype *t, char *out, size_t cap, bool msg) __attribute__((nonnull));
static void type_name_m(const ctype *t, char *out, size_t cap, bool msg)
{
	char a[90], b[90];
	switch (t->k) {
	case T_NULL: snprintf(out, cap, "%s", msg ? "null" : "null_type"); break;
	case T_BOOL: snprintf(out, cap, "bool"); break;
	case T_INT: snprintf(out, cap, "int"); break;
	case T_UINT: snprintf(out, cap, "uint"); break;
	case T_DOUBLE: snprintf(out, cap, "double"); break;
	case T_STRING: snprintf(out, cap, "string"); break;
	case T_BYTES: snprintf(out, cap, "bytes"); break;
	case T_TYPE: snprintf(out, cap, "type"); break;
	case T_TIMESTAMP: snprintf(out, cap, "google.protobuf.Timestamp"); break;
	case T_DURATION: snprintf(out, cap, "google.protobuf.Duration"); break;
	case T_LIST:
		type_name_m(t->a, a, sizeof a, msg);
		snprintf(out, cap, "list(%s)", a);
		break;
	case T_MAP:
		type_name_m(t->a, a, sizeof a, msg);
		type_name_m(t->b, b, sizeof b, msg);
		snprintf(out, cap, "map(%s, %s)", a, b);
		break;
	case T_OPTIONAL:
		type_name_m(t->a, a, sizeof a, msg);
		snprintf(out, cap, "optional_type(%s)", a);
		break;
	case T_KOBJ: {
		gr_cel_value v = {.kind = GR_CEL_OBJECT, .sub = t->sub};
		snprintf(out, cap, "%s", gr_cel_type_name(&v));
		break;
	}
	case T_SOBJ: snprintf(out, cap, "object"); break;
	case T_ABSTRACT: {
		size_t o = (size_t)snprintf(out, cap, "%s(", t->aname);
		for (size_t i = 0; i < t->nps && o < cap; i++) {
			type_name_m(t->ps[i], a, sizeof a, msg);
			o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? ", " : "", a);
		}
		if (o < cap)
			snprintf(out + o, cap - o, ")");
		break;
	}
	default: snprintf(out, cap, "dyn"); break;
	}
}

static void type_name(const ctype *t, char *out, size_t cap)
{
	type_name_m(t, out, cap, true);
}

/* Whether values of a and b could be the same type (dyn matches all). */
static bool compatible(const ctype *a, const ctype *b)
{
	if (a->k == T_DYN || b->k == T_DYN || a->k == T_PARAM || b->k == T_PARAM)
		return true;
	if (a->k != b->k)
		return false;
	switch (a->k) {
	case T_LIST:
	case T_OPTIONAL: return compatible(a->a, b->a);
	case T_MAP: return compatible(a->a, b->a) && compatible(a->b, b->b);
	case T_KOBJ: return a->sub == b->sub;
	case T_SOBJ: return a->schema == b->schema;
	case T_ABSTRACT:
		if (strcmp(a->aname, b->aname) || a->nps != b->nps)
			return false;
		for (size_t i = 0; i < a->nps; i++)
			if (!compatible(a->ps[i], b->ps[i]))
				return false;
		return true;
	default: return true;
	}
}

static bool is_num(const ctype *t)
{
	return t->k == T_INT || t->k == T_UINT || t->k == T_DOUBLE;
}
static bool known(const ctype *t)
{
	return t->k != T_DYN && t->k != T_PARAM;
}

static int no_overload(checker *c, const cel_node *n, const ctype **args, size_t nargs)
{
	char buf[400], tn[200];
	size_t o = 0;
	buf[0] = 0;
	if (n->member && nargs) {
		type_name(args[0], tn, sizeof tn);
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%s.(", tn);
		for (size_t i = 1; i < nargs && o < sizeof buf - 1; i++) {
			type_name(args[i], tn, sizeof tn);
			o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", i > 1 ? ", " : "", tn);
		}
	} else {
		o += (size_t)snprintf(buf + o, sizeof buf - o, "(");
		for (size_t i = 0; i < nargs && o < sizeof buf - 1; i++) {
			type_name(args[i], tn, sizeof tn);
			o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", i ? ", " : "", tn);
		}
	}
	if (o < sizeof buf - 1)
		snprintf(buf + o, sizeof buf - o, ")");
	const char *name = n->name;
	if (!strcmp(name, "@in"))
		name = "@in";
	return fail(c, n->column, "found no matching overload for '%s' applied to '%s'", name, buf);
}

static const ctype *check(checker *c, const cel_node *n, int depth);

static bool comparable_elem(const ctype *t)
{
	return !known(t) || is_num(t) || t->k == T_STRING || t->k == T_BYTES || t->k == T_BOOL ||
	       t->k == T_TIMESTAMP || t->k == T_DURATION;
}

/* ---- declared functions (gr_cel_env_declare_function) ---- */

typedef struct tparams {
	const char *names[16];
	size_t lens[16];
	const ctype *types[16];
	size_t n;
} tparams;

/* A type in cel-go's notation; type parameters are fresh per call. */
static const ctype *parse_type(checker *c, const char **sp, tparams *tp, int depth)
{
	const char *s = *sp;
	while (*s == ' ')
		s++;
	const char *b = s;
	while (*s && *s != '(' && *s != ')' && *s != ',' && *s != ' ')
		s++;
	size_t len = (size_t)(s - b);
	const ctype *args[16];
	size_t nargs = 0;
	bool paren = *s == '(';
	if (paren && depth < 16) {
		s++;
		while (*s && *s != ')' && nargs < 16) {
			args[nargs++] = parse_type(c, &s, tp, depth + 1);
			while (*s == ' ' || *s == ',')
				s++;
		}
		if (*s == ')')
			s++;
	}
	*sp = s;
	static const struct {
		const char *name;
		const ctype *t;
	} prims[] = {{"int", &t_int},
	             {"uint", &t_uint},
	             {"double", &t_double},
	             {"bool", &t_bool},
	             {"string", &t_string},
	             {"bytes", &t_bytes},
	             {"null_type", &t_null},
	             {"dyn", &t_dyn},
	             {"google.protobuf.Timestamp", &t_ts},
	             {"google.protobuf.Duration", &t_dur}};
	for (size_t i = 0; !paren && i < sizeof prims / sizeof prims[0]; i++)
		if (strlen(prims[i].name) == len && !memcmp(prims[i].name, b, len))
			return prims[i].t;
	if (paren && len == 4 && !memcmp(b, "list", 4) && nargs == 1)
		return mk(c, T_LIST, args[0], NULL);
	if (paren && len == 3 && !memcmp(b, "map", 3) && nargs == 2)
		return mk(c, T_MAP, args[0], args[1]);
	if (paren && len == 13 && !memcmp(b, "optional_type", 13) && nargs == 1)
		return mk(c, T_OPTIONAL, args[0], NULL);
	if (paren && len == 4 && !memcmp(b, "type", 4))
		return &t_type;
	if (!paren && len && len <= 2 && isupper((unsigned char)b[0])) {
		for (size_t i = 0; i < tp->n; i++)
			if (tp->lens[i] == len && !memcmp(tp->names[i], b, len))
				return tp->types[i];
		if (tp->n < 16) {
			tp->names[tp->n] = b;
			tp->lens[tp->n] = len;
			tp->types[tp->n] = fresh(c);
			return tp->types[tp->n++];
		}
		return &t_dyn;
	}
	if (!paren)
		return &t_dyn; /* a message name: not modelled */
	ctype *t = gr_arena_calloc(c->arena, 1, sizeof *t);
	const ctype **ps = gr_arena_alloc(c->arena, (nargs + 1) * sizeof *ps);
	char *name = gr_arena_strndup(c->arena, b, len);
	if (!t || !ps || !name)
		return &t_dyn;
	memcpy(ps, args, nargs * sizeof *ps);
	t->k = T_ABSTRACT;
	t->aname = name;
	t->ps = ps;
	t->nps = nargs;
	return t;
}

/* The first declared overload the arguments are assignable to: its result
 * type with the bindings substituted. NULL with *declared false when the
 * function is not declared. */
static const ctype *check_declared(checker *c, const cel_node *n, const ctype **a, size_t na, bool *declared)
{
	size_t at = 0;
	*declared = false;
	const cel_fdecl *d;
	while ((d = cel_env_find_decl(c->env, n->name, strlen(n->name), n->member, na, at, &at))) {
		*declared = true;
		at++;
		tparams tp = {.n = 0};
		const ctype *saved[MAX_PARAMS];
		int np = c->nparams;
		memcpy(saved, c->binds, (size_t)np * sizeof *saved);
		bool ok = true;
		for (size_t i = 0; i < na && ok; i++) {
			const char *ts = d->params[i];
			ok = assignable_r(c, a[i], parse_type(c, &ts, &tp, 0), 0);
		}
		if (ok) {
			const char *rs = d->result;
			return subst(c, parse_type(c, &rs, &tp, 0), false, 0);
		}
		memcpy(c->binds, saved, (size_t)np * sizeof *saved);
	}
	return NULL;
}

static const ctype *check_call(checker *c, const cel_node *n, const ctype **a, size_t na)
{
	const char *f = n->name;
	if (c->env->nfdecls) {
		bool declared;
		const ctype *r = check_declared(c, n, a, na, &declared);
		if (r)
			return r;
		if (declared)
			return no_overload(c, n, a, na), NULL;
	}
	if (!strcmp(f, "_==_") || !strcmp(f, "_!=_")) {
		if (!compatible(a[0], a[1]))
			return no_overload(c, n, a, na), NULL;
		return &t_bool;
	}
	if (f[0] == '_' && (f[1] == '<' || f[1] == '>')) {
		if (known(a[0]) && known(a[1])) {
			bool ok = (is_num(a[0]) && is_num(a[1])) ||
			          (a[0]->k == a[1]->k && comparable_elem(a[0]) && a[0]->k != T_DYN);
			if (!ok)
				return no_overload(c, n, a, na), NULL;
		} else if (!comparable_elem(a[0]) || !comparable_elem(a[1]))
			return no_overload(c, n, a, na), NULL;
		return &t_bool;
	}
	if (!strcmp(f, "_+_") || !strcmp(f, "_-_") || !strcmp(f, "_*_") || !strcmp(f, "_/_") ||
	    !strcmp(f, "_%_")) {
		const ctype *x = a[0], *y = a[1];
		if (!known(x) || !known(y)) {
			const ctype *k = known(x) ? x : y;
			if (k->k == T_NULL || k->k == T_BOOL || k->k == T_MAP || k->k == T_TYPE ||
			    k->k == T_OPTIONAL || k->k == T_SOBJ || k->k == T_KOBJ)
				return no_overload(c, n, a, na), NULL;
			return (k->k == T_TIMESTAMP || k->k == T_DURATION) ? &t_dyn
			       : known(x) && known(y)                      ? x
			                                                   : &t_dyn;
		}
		char op = f[1];
		if (x->k == y->k) {
			if (is_num(x) && (op != '%' || x->k != T_DOUBLE))
				return x;
			if (op == '+' && (x->k == T_STRING || x->k == T_BYTES))
				return x;
			if (op == '+' && x->k == T_LIST)
				return compatible(x->a, y->a) ? (!known(x->a) ? y : x)
				                              : mk(c, T_LIST, &t_dyn, NULL);
			if ((op == '+' || op == '-') && x->k == T_DURATION)
				return x;
			if (op == '-' && x->k == T_TIMESTAMP)
				return &t_dur;
		}
		if (op == '+' && ((x->k == T_TIMESTAMP && y->k == T_DURATION) ||
		                  (x->k == T_DURATION && y->k == T_TIMESTAMP)))
			return &t_ts;
		if (op == '-' && x->k == T_TIMESTAMP && y->k == T_DURATION)
			return &t_ts;
		return no_overload(c, n, a, na), NULL;
	}
	if (!strcmp(f, "@in")) {
		const ctype *r = a[1];
		if (r->k == T_LIST && !compatible(a[0], r->a))
			return no_overload(c, n, a, na), NULL;
		if (r->k == T_MAP && !compatible(a[0], r->a))
			return no_overload(c, n, a, na), NULL;
		if (known(r) && r->k != T_LIST && r->k != T_MAP)
			return no_overload(c, n, a, na), NULL;
		return &t_bool;
	}
	if (!strcmp(f, "size")) {
		const ctype *t = a[0];
		if (known(t) && t->k != T_STRING && t->k != T_BYTES && t->k != T_LIST && t->k != T_MAP)
			return no_overload(c, n, a, na), NULL;
		return &t_int;
	}
	/* conversions */
	static const struct {
		const char *name;
		const ctype *result;
		unsigned accepts; /* bit per T_ kind */
	} conv[] = {
	        {"int", &t_int,
	         1u << T_INT | 1u << T_UINT | 1u << T_DOUBLE | 1u << T_STRING | 1u << T_TIMESTAMP |
	                 1u << T_DURATION},
	        {"uint", &t_uint, 1u << T_INT | 1u << T_UINT | 1u << T_DOUBLE | 1u << T_STRING},
	        {"double", &t_double, 1u << T_INT | 1u << T_UINT | 1u << T_DOUBLE | 1u << T_STRING},
	        {"string", &t_string,
	         1u << T_INT | 1u << T_UINT | 1u << T_DOUBLE | 1u << T_STRING | 1u << T_BYTES | 1u << T_BOOL |
	                 1u << T_TIMESTAMP | 1u << T_DURATION | 1u << T_KOBJ},
	        {"bytes", &t_bytes, 1u << T_STRING | 1u << T_BYTES},
	        {"bool", &t_bool, 1u << T_STRING | 1u << T_BOOL},
	        {"timestamp", &t_ts, 1u << T_STRING | 1u << T_INT | 1u << T_TIMESTAMP},
	        {"duration", &t_dur, 1u << T_STRING | 1u << T_DURATION},
	};
	if (!n->member && na == 1)
		for (size_t i = 0; i < sizeof conv / sizeof conv[0]; i++)
			if (!strcmp(f, conv[i].name)) {
				if (known(a[0]) && (!(conv[i].accepts & (1u << a[0]->k)) ||
				                    (a[0]->k == T_KOBJ && cel_authz_object(a[0]->sub))))
					return no_overload(c, n, a, na), NULL;
				return conv[i].result;
			}
	if (!strcmp(f, "type"))
		return &t_type;
	if (!strcmp(f, "dyn"))
		return &t_dyn;
	if (!strcmp(f, "contains") || !strcmp(f, "startsWith") || !strcmp(f, "endsWith") ||
	    !strcmp(f, "matches")) {
		for (size_t i = 0; i < na; i++)
			if (known(a[i]) && a[i]->k != T_STRING)
				return no_overload(c, n, a, na), NULL;
		return &t_bool;
	}
	if (!strcmp(f, "sum") || !strcmp(f, "min") || !strcmp(f, "max") || !strcmp(f, "isSorted")) {
		const ctype *l = a[0];
		if (known(l) && l->k != T_LIST)
			return no_overload(c, n, a, na), NULL;
		const ctype *e = l->k == T_LIST ? l->a : &t_dyn;
		if (!strcmp(f, "sum")) {
			if (known(e) && !is_num(e) && e->k != T_DURATION)
				return no_overload(c, n, a, na), NULL;
			return e;
		}
		if (!comparable_elem(e))
			return no_overload(c, n, a, na), NULL;
		return !strcmp(f, "isSorted") ? &t_bool : e;
	}
	if (!strcmp(f, "optional.of") || !strcmp(f, "optional.ofNonZeroValue"))
		return mk(c, T_OPTIONAL, a[0], NULL);
	if (!strcmp(f, "optional.none"))
		return mk(c, T_OPTIONAL, fresh(c), NULL);
	if (!strcmp(f, "hasValue") || !strcmp(f, "value") || !strcmp(f, "orValue") || !strcmp(f, "or")) {
		const ctype *o = a[0];
		if (known(o) && o->k != T_OPTIONAL)
			return no_overload(c, n, a, na), NULL;
		const ctype *inner = o->k == T_OPTIONAL ? o->a : &t_dyn;
		/* optional_type(T).orValue(T): the default must be a T */
		if (!strcmp(f, "orValue") && na == 2 && known(inner) && known(a[1]) &&
		    !compatible(inner, a[1]))
			return no_overload(c, n, a, na), NULL;
		if (!strcmp(f, "hasValue"))
			return &t_bool;
		if (!strcmp(f, "or"))
			return o;
		return inner;
	}
	if (!strcmp(f, "includes") && n->member)
		return &t_bool; /* Kubernetes' lists v1: <dyn>.includes(<dyn>) */
	if (!strcmp(f, "jsonpatch.escapeKey")) {
		if (known(a[0]) && a[0]->k != T_STRING)
			return no_overload(c, n, a, na), NULL;
		return &t_string;
	}
	/* format: format.named(s) is optional_type(Format), format.<name>() a
	 * Format, f.validate(s) optional_type(list(string)) */
	if ((!strncmp(f, "format.", 7) && !n->member) || (!strcmp(f, "validate") && n->member)) {
		if (f[0] == 'v')
			return mk(c, T_OPTIONAL, &t_list_string, NULL);
		ctype *t = gr_arena_calloc(c->arena, 1, sizeof *t);
		if (!t)
			return &t_dyn;
		t->k = T_KOBJ;
		t->sub = GR_CEL_OBJ_FORMAT;
		return !strcmp(f, "format.named") ? mk(c, T_OPTIONAL, t, NULL) : t;
	}
	static const char *const string_results[] = {"charAt",        "lowerAscii", "upperAscii", "replace",
	                                             "substring",     "trim",       "join",       "format",
	                                             "strings.quote", NULL};
	for (int i = 0; string_results[i]; i++)
		if (!strcmp(f, string_results[i]))
			return &t_string;
	if (!strcmp(f, "split"))
		return &t_list_string;
	if (!strcmp(f, "indexOf") || !strcmp(f, "lastIndexOf"))
		return &t_int;
	if (!strncmp(f, "get", 3) && (a[0]->k == T_TIMESTAMP || a[0]->k == T_DURATION || !known(a[0])))
		return &t_int;
	/* Kubernetes' authz library: receiver type and string arguments */
	if (n->member && na >= 1) {
		bool named;
		cel_authz_signature(f, 0, 0, &named);
		if (named) {
			for (size_t i = 1; i < na; i++)
				if (known(a[i]) && a[i]->k != T_STRING)
					return no_overload(c, n, a, na), NULL;
			int res = cel_authz_signature(f,
			                              !known(a[0])        ? -1
			                              : a[0]->k == T_KOBJ ? a[0]->sub
			                                                  : 0,
			                              na - 1, &named);
			if (!res && known(a[0]))
				return no_overload(c, n, a, na), NULL;
			if (res == -1)
				return &t_bool;
			if (res == -2)
				return &t_string;
			if (res > 0) {
				ctype *t = gr_arena_calloc(c->arena, 1, sizeof *t);
				if (!t)
					return &t_dyn;
				t->k = T_KOBJ;
				t->sub = (uint8_t)res;
				return t;
			}
			return &t_dyn;
		}
	}
	/* Kubernetes constructors and predicates take a string */
	static const struct {
		const char *name;
		int obj; /* 0: bool result */
	} k8s[] = {
	        {"quantity", GR_CEL_OBJ_QUANTITY}, {"isQuantity", 0}, {"ip", GR_CEL_OBJ_IP},   {"isIP", 0},
	        {"cidr", GR_CEL_OBJ_CIDR},         {"isCIDR", 0},     {"url", GR_CEL_OBJ_URL}, {"isURL", 0},
	        {"semver", GR_CEL_OBJ_SEMVER},     {"isSemver", 0},   {"ip.isCanonical", 0}};
	if (!n->member)
		for (size_t i = 0; i < sizeof k8s / sizeof k8s[0]; i++)
			if (!strcmp(f, k8s[i].name)) {
				if (known(a[0]) && a[0]->k != T_STRING)
					return no_overload(c, n, a, na), NULL;
				if (!k8s[i].obj)
					return &t_bool;
				ctype *t = gr_arena_calloc(c->arena, 1, sizeof *t);
				if (!t)
					return &t_dyn;
				t->k = T_KOBJ;
				t->sub = (uint8_t)k8s[i].obj;
				return t;
			}
	return &t_dyn;
}

static const ctype *elem_join(checker *c, const cel_node *n, const ctype *acc, const ctype *t,
                              const cel_node *at)
{
	if (!acc)
		return t;
	if (assignable(c, acc, t))
		return most_general(acc, t);
	if (c->homogeneous) {
		char x[200], y[200];
		type_name(acc, x, sizeof x);
		type_name(t, y, sizeof y);
		fail(c, at->column, "expected type '%s' but found '%s'", x, y);
		return NULL;
	}
	(void)n;
	return &t_dyn;
}

static const ctype *check_node(checker *c, const cel_node *n, int depth);

/* The type of n with the type parameters bound so far substituted. */
static const ctype *check(checker *c, const cel_node *n, int depth)
{
	const ctype *t = check_node(c, n, depth);
	t = t && c->nparams ? subst(c, t, false, 0) : t;
	((cel_node *)n)->type = t; /* the AST is the program's own, typed once at compile time */
	return t;
}

int cel_type_kind(const void *type)
{
	const ctype *t = type;
	if (!t)
		return CEL_TK_DYN;
	switch (t->k) {
	case T_DYN: return CEL_TK_DYN;
	case T_BOOL:
	case T_INT:
	case T_UINT:
	case T_DOUBLE:
	case T_TIMESTAMP:
	case T_DURATION: return CEL_TK_SCALAR;
	case T_STRING: return CEL_TK_STRING;
	case T_BYTES: return CEL_TK_BYTES;
	case T_LIST: return CEL_TK_LIST;
	case T_MAP: return CEL_TK_MAP;
	case T_SOBJ: return CEL_TK_OBJECT;
	case T_PARAM: return CEL_TK_PARAM;
	case T_OPTIONAL: return CEL_TK_OPTIONAL;
	case T_KOBJ: return CEL_TK_KOBJ;
	default: return CEL_TK_OTHER;
	}
}

const void *cel_type_elem(const void *type)
{
	const ctype *t = type;
	if (!t)
		return NULL;
	if (t->k == T_LIST || t->k == T_OPTIONAL)
		return t->a;
	if (t->k == T_MAP)
		return t->b;
	return NULL;
}

int cel_type_kobj(const void *type)
{
	const ctype *t = type;
	return t && t->k == T_KOBJ ? t->sub : 0;
}

/* cel-go's isScalar: a type of constant size */
bool cel_type_scalar(const void *type)
{
	const ctype *t = type;
	if (!t)
		return false;
	if (t->k == T_OPTIONAL)
		return cel_type_scalar(t->a);
	return cel_type_kind(t) == CEL_TK_SCALAR;
}

static const ctype *check_node(checker *c, const cel_node *n, int depth)
{
	if (depth > 1000) {
		fail(c, n->column, "max recursion depth exceeded");
		return NULL;
	}
	switch (n->kind) {
	case N_LITERAL:
		switch (n->value.kind) {
		case GR_CEL_NULL: return &t_null;
		case GR_CEL_BOOL: return &t_bool;
		case GR_CEL_INT: return &t_int;
		case GR_CEL_UINT: return &t_uint;
		case GR_CEL_DOUBLE: return &t_double;
		case GR_CEL_STRING: return &t_string;
		case GR_CEL_BYTES: return &t_bytes;
		default: return &t_dyn;
		}
	case N_TYPE: return &t_type;
	case N_IDENT:
		if (n->slot >= 0 && (size_t)n->slot < c->env->n) {
			if (c->env->kobj && c->env->kobj[n->slot]) {
				ctype *k = gr_arena_calloc(c->arena, 1, sizeof *k);
				if (!k)
					return &t_dyn;
				k->k = T_KOBJ;
				k->sub = c->env->kobj[n->slot];
				return k;
			}
			const ctype *t = schema_type(c, c->env->schemas[n->slot], 0);
			return c->env->optional[n->slot] ? mk(c, T_OPTIONAL, t, NULL) : t;
		}
		return &t_dyn;
	case N_ITERVAR:
		return n->slot >= 0 && n->slot < c->nslots && c->slots[n->slot] ? c->slots[n->slot] : &t_dyn;
	case N_SELECT:
	case N_HAS: {
		const ctype *t0 = check(c, n->args[0], depth + 1);
		if (!t0)
			return NULL;
		const ctype *t = t0->k == T_OPTIONAL ? t0->a : t0;
		const ctype *r = &t_dyn;
		if (t->k == T_SOBJ) {
			const cel_schema_node *s = t->schema;
			char buf[512];
			size_t ul;
			const char *key = n->name;
			size_t kl = n->name_len;
			if (cel_unescape_name(n->name, n->name_len, buf, sizeof buf, &ul)) {
				key = buf;
				kl = ul;
			}
			const cel_schema_node *child = NULL;
			for (size_t i = 0; i < s->nprops; i++)
				if (s->plens[i] == kl && !memcmp(s->pnames[i], key, kl))
					child = s->props[i];
			bool meta = (s->embedded || s->is_root) &&
			            ((kl == 10 && !memcmp(key, "apiVersion", 10)) ||
			             (kl == 4 && !memcmp(key, "kind", 4)) ||
			             (kl == 8 && !memcmp(key, "metadata", 8)));
			if (meta && !cel_schema_declares_meta(s))
				child = NULL; /* replaced by the standard kind, apiVersion and metadata */
			if (child && untyped(child, 0)) {
				/* a property without a type has no CEL type: not a field */
				fail(c, n->column, "undefined field '%.*s'", (int)n->name_len, n->name);
				return NULL;
			}
			if (child)
				r = schema_type(c, child, 0);
			else if (meta) {
				if (kl == 8) {
					/* metadata of an embedded resource: name and generateName only */
					static cel_schema_node name_node = {.type = S_STRING};
					static const char *const nn[] = {"name", "generateName"};
					static const size_t nl[] = {4, 12};
					static cel_schema_node *np[] = {&name_node, &name_node};
					static cel_schema_node metanode = {.type = S_OBJECT,
					                                   .has_props = true,
					                                   .nprops = 2,
					                                   .pnames = (const char **)nn,
					                                   .plens = (size_t *)nl,
					                                   .props = np};
					r = schema_type(c, &metanode, 0);
				} else
					r = &t_string;
			} else if (s->additional)
				r = schema_type(c, s->additional, 0);
			else if (!s->additional_any) {
				fail(c, n->column, "undefined field '%.*s'", (int)n->name_len, n->name);
				return NULL;
			}
		} else if (t->k == T_MAP) {
			if (known(t->a) && t->a->k != T_STRING) {
				fail(c, n->column, "type '%s' does not support field selection", "map");
				return NULL;
			}
			r = t->b;
		} else if (known(t)) {
			char tn[200];
			type_name(t, tn, sizeof tn);
			fail(c, n->column, "type '%s' does not support field selection", tn);
			return NULL;
		}
		if (n->kind == N_HAS)
			return &t_bool;
		if (n->optional || t0->k == T_OPTIONAL)
			return mk(c, T_OPTIONAL, r, NULL);
		return r;
	}
	case N_INDEX: {
		const ctype *t = check(c, n->args[0], depth + 1);
		const ctype *k = t ? check(c, n->args[1], depth + 1) : NULL;
		if (!t || !k)
			return NULL;
		bool opt = n->optional || t->k == T_OPTIONAL;
		if (t->k == T_OPTIONAL)
			t = t->a;
		const ctype *r = &t_dyn;
		const ctype *pair[2] = {t, k};
		cel_node fake = *n;
		fake.name = "_[_]";
		fake.member = 0;
		if (t->k == T_LIST) {
			if (known(k) && k->k != T_INT && k->k != T_UINT && k->k != T_DOUBLE)
				return no_overload(c, &fake, pair, 2), NULL;
			r = t->a;
		} else if (t->k == T_MAP) {
			if (!compatible(t->a, k) && !(is_num(t->a) && is_num(k)))
				return no_overload(c, &fake, pair, 2), NULL;
			r = t->b;
		} else if (known(t))
			return no_overload(c, &fake, pair, 2), NULL;
		return opt ? mk(c, T_OPTIONAL, r, NULL) : r;
	}
	case N_CALL: {
		const ctype *small[8];
		const ctype **a = small;
		if (n->nargs > 8) {
			a = gr_arena_alloc(c->arena, n->nargs * sizeof *a);
			if (!a)
				return &t_dyn;
		}
		for (size_t i = 0; i < n->nargs; i++) {
			if (!strcmp(n->name, "format") && n->args[i]->kind == N_LIST)
				c->exempt = n->args[i];
			a[i] = check(c, n->args[i], depth + 1);
			if (!a[i])
				return NULL;
		}
		/* literal arguments validated at compile time (Kubernetes' AST validators) */
		if (c->homogeneous && n->nargs >= 1 && !n->member && n->args[0]->kind == N_LITERAL &&
		    n->args[0]->value.kind == GR_CEL_STRING) {
			const gr_cel_value *v = &n->args[0]->value;
			if (!strcmp(n->name, "duration")) {
				int64_t d;
				if (cel_parse_duration(v->u.s.ptr, v->u.s.len, &d) < 0)
					return fail(c, n->args[0]->column, "invalid duration argument"), NULL;
			} else if (!strcmp(n->name, "timestamp")) {
				int64_t s;
				int32_t ns;
				if (cel_parse_timestamp(v->u.s.ptr, v->u.s.len, &s, &ns) < 0)
					return fail(c, n->args[0]->column, "invalid timestamp"), NULL;
			}
		}
		if (c->homogeneous && !n->member && n->nargs == 1 && !strcmp(n->name, "timestamp") &&
		    n->args[0]->kind == N_LITERAL && n->args[0]->value.kind == GR_CEL_INT) {
			int64_t s = n->args[0]->value.u.i;
			if (s < CEL_TS_MIN || s > CEL_TS_MAX)
				return fail(c, n->args[0]->column, "invalid timestamp"), NULL;
		}
		if (c->homogeneous && n->nargs >= 2 && n->args[1]->kind == N_LITERAL &&
		    n->args[1]->value.kind == GR_CEL_STRING &&
		    (!strcmp(n->name, "matches") || !strcmp(n->name, "find") ||
		     !strcmp(n->name, "findAll"))) {
			char msg[200];
			if (cel_regex_valid(n->args[1]->value.u.s.ptr, n->args[1]->value.u.s.len, msg,
			                    sizeof msg) < 0) {
				if (!strcmp(n->name, "matches"))
					return fail(c, n->args[1]->column, "invalid matches argument"), NULL;
				/* cel-go compiles find/findAll patterns when the program is planned */
				return fail(c, n->column, "compile error: program instantiation failed: %s",
				            msg),
				       NULL;
			}
		}
		return check_call(c, n, a, n->nargs);
	}
	case N_LIST: {
		const ctype *e = NULL;
		bool mixed = false, exempt = c->exempt == n;
		for (size_t i = 0; i < n->nargs; i++) {
			const ctype *t = check(c, n->args[i], depth + 1);
			if (!t)
				return NULL;
			if (n->opt_mask && n->opt_mask[i])
				t = t->k == T_OPTIONAL ? t->a : &t_dyn;
			if (mixed)
				continue;
			if (exempt && e && !assignable(c, e, t)) {
				mixed = true;
				continue;
			}
			const ctype *j = elem_join(c, n, e, t, n->args[i]);
			if (!j)
				return NULL;
			if (j->k == T_DYN && e && e->k != T_DYN && t->k != T_DYN)
				mixed = true;
			e = j;
		}
		/* an empty list's element type is a free type parameter */
		return mk(c, T_LIST, mixed ? &t_dyn : e ? e : fresh(c), NULL);
	}
	case N_MAP: {
		const ctype *k = NULL, *v = NULL;
		bool kmixed = false, vmixed = false;
		for (size_t i = 0; i + 1 < n->nargs; i += 2) {
			const ctype *kt = check(c, n->args[i], depth + 1);
			const ctype *vt = kt ? check(c, n->args[i + 1], depth + 1) : NULL;
			if (!kt || !vt)
				return NULL;
			if (n->opt_mask && n->opt_mask[i / 2])
				vt = vt->k == T_OPTIONAL ? vt->a : &t_dyn;
			if (k && !compatible(k, kt) && !c->homogeneous)
				kmixed = true;
			if (v && !compatible(v, vt) && !c->homogeneous)
				vmixed = true;
			k = kmixed ? &t_dyn : elem_join(c, n, k, kt, n->args[i]);
			v = !k ? NULL : vmixed ? &t_dyn : elem_join(c, n, v, vt, n->args[i + 1]);
			if (!k || !v)
				return NULL;
		}
		return mk(c, T_MAP, k && !kmixed ? k : &t_dyn, v && !vmixed ? v : &t_dyn);
	}
	case N_COND: {
		const ctype *x = check(c, n->args[0], depth + 1);
		const ctype *y = x ? check(c, n->args[1], depth + 1) : NULL;
		const ctype *z = y ? check(c, n->args[2], depth + 1) : NULL;
		if (!z)
			return NULL;
		if (known(x) && x->k != T_BOOL) {
			const ctype *a[1] = {x};
			cel_node fake = *n;
			fake.name = "_?_:_";
			fake.member = 0;
			return no_overload(c, &fake, a, 1), NULL;
		}
		return assignable(c, y, z) ? most_general(y, z) : &t_dyn;
	}
	case N_AND:
	case N_OR:
	case N_NOT: {
		const ctype *a[2];
		for (size_t i = 0; i < n->nargs; i++) {
			a[i] = check(c, n->args[i], depth + 1);
			if (!a[i])
				return NULL;
		}
		for (size_t i = 0; i < n->nargs; i++)
			if (known(a[i]) && a[i]->k != T_BOOL) {
				cel_node fake = *n;
				fake.name = n->kind == N_AND ? "_&&_" : n->kind == N_OR ? "_||_" : "!_";
				fake.member = 0;
				return no_overload(c, &fake, a, n->nargs), NULL;
			}
		return &t_bool;
	}
	case N_NEG: {
		const ctype *t = check(c, n->args[0], depth + 1);
		if (!t)
			return NULL;
		if (known(t) && t->k != T_INT && t->k != T_DOUBLE && t->k != T_DURATION) {
			cel_node fake = *n;
			fake.name = "-_";
			fake.member = 0;
			return no_overload(c, &fake, &t, 1), NULL;
		}
		return t;
	}
	case N_COMPREHENSION:
	case N_OPTMAP: {
		const ctype *r = check(c, n->args[0], depth + 1);
		if (!r)
			return NULL;
		const ctype *v1 = &t_dyn, *v2 = &t_dyn;
		if (n->kind == N_OPTMAP)
			v1 = r->k == T_OPTIONAL ? r->a : &t_dyn;
		else if (n->ckind == C_BIND)
			v1 = r;
		else if (r->k == T_LIST) {
			v1 = n->slot2 >= 0 ? &t_int : r->a;
			v2 = r->a;
		} else if (r->k == T_MAP) {
			v1 = r->a;
			v2 = r->b;
		} else if (known(r)) {
			char tn[200];
			type_name(r, tn, sizeof tn);
			fail(c, n->args[0]->column,
			     "expression of type '%s' cannot be range of a comprehension", tn);
			return NULL;
		}
		if (n->slot >= 0 && n->slot < c->nslots)
			c->slots[n->slot] = v1;
		if (n->slot2 >= 0 && n->slot2 < c->nslots)
			c->slots[n->slot2] = v2;
		const ctype *last = &t_dyn;
		for (size_t i = 1; i < n->nargs; i++) {
			last = check(c, n->args[i], depth + 1);
			if (!last)
				return NULL;
		}
		if (n->kind == N_OPTMAP)
			return n->ckind ? last : mk(c, T_OPTIONAL, last, NULL);
		switch (n->ckind) {
		case C_BIND: return last;
		case C_ALL:
		case C_EXISTS:
		case C_EXISTS_ONE: return &t_bool;
		case C_FILTER:
			return r->k == T_LIST ? r : r->k == T_MAP ? mk(c, T_LIST, r->a, NULL) : &t_list_dyn;
		case C_MAP:
		case C_MAP_FILTER:
		case C_TRANSFORM_LIST:
		case C_TRANSFORM_LIST_FILTER: return mk(c, T_LIST, last, NULL);
		case C_TRANSFORM_MAP:
		case C_TRANSFORM_MAP_FILTER:
			return mk(c, T_MAP, r->k == T_MAP ? r->a : r->k == T_LIST ? &t_int : &t_dyn, last);
		case C_SORT_BY: return r;
		default: return &t_map_dyn;
		}
	}
	default: return &t_dyn;
	}
}

int cel_check(const gr_cel_env *env, const cel_node *root, int nslots, gr_arena *arena, gr_cel_error *err,
              const char **type_out)
{
	checker c;
	memset(&c, 0, sizeof c);
	c.env = env;
	c.arena = arena;
	c.err = err;
	c.nslots = nslots;
	c.homogeneous = env->opts.homogeneous_literals;
	if (nslots) {
		c.slots = gr_arena_calloc(arena, (size_t)nslots, sizeof *c.slots);
		if (!c.slots)
			return 0;
	}
	const ctype *t = check(&c, root, 0);
	if (!t)
		return -1;
	if (type_out) {
		char buf[512];
		type_name_m(subst(&c, t, true, 0), buf, sizeof buf, false);
		*type_out = gr_arena_strndup(arena, buf, strlen(buf));
	}
	return 0;
}
