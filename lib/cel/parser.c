/*
 * parser.c — CEL text to the syntax tree: recursive descent over the CEL
 * grammar (ternary, ||, &&, relations, + -, * / %, unary, member chains,
 * literals, list and map literals with optional entries), macro
 * recognition (has, all, exists, exists_one, map, filter, the two-variable
 * forms, optMap/optFlatMap, cel.bind, sortBy), then a resolve pass that
 * binds every identifier: comprehension variables, declared variables
 * (longest dotted name first, as cel-go resolves qualified names), type
 * names, and namespaced functions (`optional.of`, `sets.contains`).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cel_internal.h"

typedef struct parser {
	cel_lexer lx;
	cel_token tok;  /* current */
	cel_token next; /* lookahead */
	int have_next;
	gr_arena *arena;
	gr_cel_error *err;
	const gr_cel_env *env;
	size_t depth, max_depth;
	int nslots;
	uint32_t ids;
} parser;

static int fail_at(parser *p, size_t pos, gr_cel_error_type type, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static int fail_at(parser *p, size_t pos, gr_cel_error_type type, const char *fmt, ...)
{
	if (p->err->type == GR_CEL_OK) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
		va_end(ap);
		p->err->type = type;
		p->err->column = (uint32_t)pos + 1;
	}
	return -1;
}

static int advance(parser *p)
{
	if (p->have_next) {
		p->tok = p->next;
		p->have_next = 0;
		return 0;
	}
	if (cel_lex(&p->lx, &p->tok) < 0)
		return -1;
	return 0;
}

static int peek(parser *p, cel_token *out)
{
	if (!p->have_next) {
		if (cel_lex(&p->lx, &p->next) < 0)
			return -1;
		p->have_next = 1;
	}
	*out = p->next;
	return 0;
}

static cel_node *new_node(parser *p, int kind, size_t pos)
{
	cel_node *n = gr_arena_calloc(p->arena, 1, sizeof *n);
	if (!n) {
		fail_at(p, pos, GR_CEL_LIMIT, "out of memory");
		return NULL;
	}
	n->kind = (uint8_t)kind;
	n->column = (uint32_t)pos + 1;
	n->id = ++p->ids;
	n->slot = -1;
	n->slot2 = -1;
	return n;
}

static int set_args(parser *p, cel_node *n, cel_node **args, size_t nargs)
{
	n->args = gr_arena_alloc(p->arena, (nargs ? nargs : 1) * sizeof *args);
	if (!n->args)
		return fail_at(p, 0, GR_CEL_LIMIT, "out of memory");
	if (nargs)
		memcpy(n->args, args, nargs * sizeof *args);
	n->nargs = nargs;
	return 0;
}

static cel_node *call_node(parser *p, size_t pos, const char *name, cel_node **args, size_t nargs, int member)
{
	cel_node *n = new_node(p, N_CALL, pos);
	if (!n)
		return NULL;
	n->name = name;
	n->name_len = strlen(name);
	n->member = (uint8_t)member;
	if (set_args(p, n, args, nargs) < 0)
		return NULL;
	return n;
}

static int expect(parser *p, cel_tok t, const char *what)
{
	if (p->tok.type != t)
		return fail_at(p, p->tok.pos, GR_CEL_SYNTAX, "syntax error: expected %s", what);
	return advance(p);
}

static cel_node *parse_expr(parser *p);

static const char *const reserved[] = {"as",        "break",  "const",  "continue", "else",  "for",
                                       "function",  "if",     "import", "let",      "loop",  "package",
                                       "namespace", "return", "var",    "void",     "while", NULL};

static int is_reserved(const char *s, size_t n)
{
	for (int i = 0; reserved[i]; i++)
		if (strlen(reserved[i]) == n && !memcmp(reserved[i], s, n))
			return 1;
	return 0;
}

static int enter(parser *p, size_t pos)
{
	if (++p->depth > p->max_depth)
		return fail_at(p, pos, GR_CEL_LIMIT, "max recursion depth exceeded");
	return 0;
}

/* ---- macros ---- */

static int ident_arg(parser *p, cel_node *a, const char **name, size_t *len)
{
	if (a->kind != N_IDENT || a->slot == -2)
		return fail_at(p, a->column - 1, GR_CEL_SYNTAX, "argument must be a simple name");
	if (a->name_len == 10 && !memcmp(a->name, "__result__", 10))
		return fail_at(p, a->column - 1, GR_CEL_SYNTAX,
		               "iteration variable overwrites accumulator variable");
	*name = a->name;
	*len = a->name_len;
	return 0;
}

static int name_is(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && !memcmp(s, lit, n);
}

/* Returns 1 when a macro was built into *out, 0 when not a macro, -1 error. */
static int try_macro(parser *p, size_t pos, const char *name, size_t nlen, cel_node *target, cel_node **args,
                     size_t nargs, cel_node **out)
{
	if (!target) {
		if (name_is(name, nlen, "has") && nargs == 1) {
			cel_node *a = args[0];
			if (a->kind != N_SELECT || a->optional)
				return fail_at(p, pos, GR_CEL_SYNTAX, "invalid argument to has() macro");
			cel_node *n = new_node(p, N_HAS, pos);
			if (!n)
				return -1;
			n->name = a->name;
			n->name_len = a->name_len;
			if (set_args(p, n, a->args, 1) < 0)
				return -1;
			*out = n;
			return 1;
		}
		return 0;
	}
	int kind = -1, two = 0;
	if (nargs == 2 && name_is(name, nlen, "all"))
		kind = C_ALL;
	else if (nargs == 2 && name_is(name, nlen, "exists"))
		kind = C_EXISTS;
	else if (nargs == 2 && name_is(name, nlen, "exists_one"))
		kind = C_EXISTS_ONE;
	else if (nargs == 2 && name_is(name, nlen, "map"))
		kind = C_MAP;
	else if (nargs == 3 && name_is(name, nlen, "map"))
		kind = C_MAP_FILTER;
	else if (nargs == 2 && name_is(name, nlen, "filter"))
		kind = C_FILTER;
	else if (nargs == 3 && name_is(name, nlen, "all"))
		kind = C_ALL, two = 1;
	else if (nargs == 3 && name_is(name, nlen, "exists"))
		kind = C_EXISTS, two = 1;
	else if (nargs == 3 && (name_is(name, nlen, "exists_one") || name_is(name, nlen, "existsOne")))
		kind = C_EXISTS_ONE, two = 1;
	else if (nargs == 3 && name_is(name, nlen, "transformList"))
		kind = C_TRANSFORM_LIST, two = 1;
	else if (nargs == 4 && name_is(name, nlen, "transformList"))
		kind = C_TRANSFORM_LIST_FILTER, two = 1;
	else if (nargs == 3 && name_is(name, nlen, "transformMap"))
		kind = C_TRANSFORM_MAP, two = 1;
	else if (nargs == 4 && name_is(name, nlen, "transformMap"))
		kind = C_TRANSFORM_MAP_FILTER, two = 1;
	else if (nargs == 3 && name_is(name, nlen, "transformMapEntry"))
		kind = C_TRANSFORM_MAP_ENTRY, two = 1;
	else if (nargs == 4 && name_is(name, nlen, "transformMapEntry"))
		kind = C_TRANSFORM_MAP_ENTRY_FILTER, two = 1;
	else if (nargs == 2 && name_is(name, nlen, "sortBy"))
		kind = C_SORT_BY;
	else if (nargs == 2 && (name_is(name, nlen, "optMap") || name_is(name, nlen, "optFlatMap"))) {
		cel_node *n = new_node(p, N_OPTMAP, pos);
		if (!n || ident_arg(p, args[0], &n->name, &n->name_len) < 0)
			return -1;
		n->ckind = name_is(name, nlen, "optFlatMap");
		cel_node *a2[2] = {target, args[1]};
		if (set_args(p, n, a2, 2) < 0)
			return -1;
		*out = n;
		return 1;
	} else if (nargs == 3 && name_is(name, nlen, "bind") && target->kind == N_IDENT &&
	           name_is(target->name, target->name_len, "cel")) {
		cel_node *n = new_node(p, N_COMPREHENSION, pos);
		if (!n || ident_arg(p, args[0], &n->name, &n->name_len) < 0)
			return -1;
		n->ckind = C_BIND;
		if (set_args(p, n, args + 1, 2) < 0)
			return -1;
		*out = n;
		return 1;
	}
	if (kind < 0)
		return 0;
	/* two-variable comprehensions: Kubernetes 1.32; sortBy: 1.34 */
	int minor = p->env->opts.kubernetes_minor;
	if (minor && ((two && minor < 32) || (kind == C_SORT_BY && minor < 34)))
		return 0;
	cel_node *n = new_node(p, N_COMPREHENSION, pos);
	if (!n)
		return -1;
	n->ckind = (uint8_t)kind;
	if (ident_arg(p, args[0], &n->name, &n->name_len) < 0)
		return -1;
	size_t first = 1;
	if (two) {
		if (ident_arg(p, args[1], &n->name2, &n->name2_len) < 0)
			return -1;
		if (n->name_len == n->name2_len && !memcmp(n->name, n->name2, n->name_len))
			return fail_at(p, pos, GR_CEL_SYNTAX, "duplicate variable name: %.*s",
			               (int)n->name_len, n->name);
		first = 2;
	}
	cel_node *a[4];
	a[0] = target;
	size_t k = 1;
	for (size_t i = first; i < nargs; i++)
		a[k++] = args[i];
	if (set_args(p, n, a, k) < 0)
		return -1;
	*out = n;
	return 1;
}

/* ---- expressions ---- */

static int parse_list_items(parser *p, cel_tok close, cel_node ***items, size_t *n, uint8_t **optmask,
                            int allow_opt)
{
	size_t cap = 4;
	cel_node **v = gr_arena_alloc(p->arena, cap * sizeof *v);
	uint8_t *m = gr_arena_calloc(p->arena, cap, 1);
	size_t k = 0;
	if (!v || !m)
		return fail_at(p, p->tok.pos, GR_CEL_LIMIT, "out of memory");
	while (p->tok.type != close) {
		int opt = 0;
		if (allow_opt && p->tok.type == CT_QUESTION) {
			opt = 1;
			if (advance(p) < 0)
				return -1;
		}
		cel_node *e = parse_expr(p);
		if (!e)
			return -1;
		if (k == cap) {
			cel_node **nv = gr_arena_alloc(p->arena, cap * 2 * sizeof *nv);
			uint8_t *nm = gr_arena_calloc(p->arena, cap * 2, 1);
			if (!nv || !nm)
				return fail_at(p, p->tok.pos, GR_CEL_LIMIT, "out of memory");
			memcpy(nv, v, cap * sizeof *v);
			memcpy(nm, m, cap);
			v = nv;
			m = nm;
			cap *= 2;
		}
		m[k] = (uint8_t)opt;
		v[k++] = e;
		if (p->tok.type == CT_COMMA) {
			if (advance(p) < 0)
				return -1;
			continue;
		}
		if (p->tok.type != close)
			return fail_at(p, p->tok.pos, GR_CEL_SYNTAX, "syntax error: expected ',' or '%s'",
			               close == CT_RPAREN ? ")" : "]");
	}
	if (advance(p) < 0)
		return -1;
	*items = v;
	*n = k;
	if (optmask)
		*optmask = m;
	return 0;
}

static cel_node *parse_map(parser *p, size_t pos)
{
	/* p->tok is after '{' */
	size_t cap = 4, k = 0;
	cel_node **v = gr_arena_alloc(p->arena, cap * 2 * sizeof *v);
	uint8_t *m = gr_arena_calloc(p->arena, cap, 1);
	if (!v || !m) {
		fail_at(p, pos, GR_CEL_LIMIT, "out of memory");
		return NULL;
	}
	while (p->tok.type != CT_RBRACE) {
		int opt = 0;
		if (p->tok.type == CT_QUESTION) {
			opt = 1;
			if (advance(p) < 0)
				return NULL;
		}
		cel_node *key = parse_expr(p);
		if (!key || expect(p, CT_COLON, "':'") < 0)
			return NULL;
		cel_node *val = parse_expr(p);
		if (!val)
			return NULL;
		if (k == cap) {
			cel_node **nv = gr_arena_alloc(p->arena, cap * 4 * sizeof *nv);
			uint8_t *nm = gr_arena_calloc(p->arena, cap * 2, 1);
			if (!nv || !nm) {
				fail_at(p, pos, GR_CEL_LIMIT, "out of memory");
				return NULL;
			}
			memcpy(nv, v, cap * 2 * sizeof *v);
			memcpy(nm, m, cap);
			v = nv;
			m = nm;
			cap *= 2;
		}
		m[k] = (uint8_t)opt;
		v[2 * k] = key;
		v[2 * k + 1] = val;
		k++;
		if (p->tok.type == CT_COMMA) {
			if (advance(p) < 0)
				return NULL;
			continue;
		}
		if (p->tok.type != CT_RBRACE) {
			fail_at(p, p->tok.pos, GR_CEL_SYNTAX, "syntax error: expected ',' or '}'");
			return NULL;
		}
	}
	if (advance(p) < 0)
		return NULL;
	cel_node *n = new_node(p, N_MAP, pos);
	if (!n)
		return NULL;
	n->args = v;
	n->nargs = k * 2;
	n->opt_mask = m;
	return n;
}

static cel_node *literal(parser *p, size_t pos, gr_cel_value v)
{
	cel_node *n = new_node(p, N_LITERAL, pos);
	if (n)
		n->value = v;
	return n;
}

static cel_node *parse_primary(parser *p)
{
	cel_token t = p->tok;
	switch (t.type) {
	case CT_INT:
		if (t.num.u > (uint64_t)INT64_MAX) {
			fail_at(p, t.pos, GR_CEL_SYNTAX, "integer literal out of range");
			return NULL;
		}
		if (advance(p) < 0)
			return NULL;
		return literal(p, t.pos, gr_cel_int((int64_t)t.num.u));
	case CT_UINT:
		if (advance(p) < 0)
			return NULL;
		return literal(p, t.pos, gr_cel_uint(t.num.u));
	case CT_DOUBLE:
		if (advance(p) < 0)
			return NULL;
		return literal(p, t.pos, gr_cel_double(t.num.d));
	case CT_STRING:
		if (advance(p) < 0)
			return NULL;
		return literal(p, t.pos, gr_cel_string(t.text, t.len));
	case CT_BYTES:
		if (advance(p) < 0)
			return NULL;
		return literal(p, t.pos, gr_cel_bytes(t.text, t.len));
	case CT_TRUE:
	case CT_FALSE:
		if (advance(p) < 0)
			return NULL;
		return literal(p, t.pos, gr_cel_bool(t.type == CT_TRUE));
	case CT_NULL:
		if (advance(p) < 0)
			return NULL;
		return literal(p, t.pos, gr_cel_null());
	case CT_LPAREN: {
		if (advance(p) < 0)
			return NULL;
		cel_node *e = parse_expr(p);
		if (!e || expect(p, CT_RPAREN, "')'") < 0)
			return NULL;
		return e;
	}
	case CT_QLBRACKET:
	case CT_LBRACKET: {
		if (t.type == CT_QLBRACKET) {
			/* "[?" opened a list whose first element is optional */
			p->tok.type = CT_QUESTION;
			p->tok.pos = t.pos + 1;
		} else if (advance(p) < 0)
			return NULL;
		cel_node *n = new_node(p, N_LIST, t.pos);
		if (!n || parse_list_items(p, CT_RBRACKET, &n->args, &n->nargs, &n->opt_mask, 1) < 0)
			return NULL;
		return n;
	}
	case CT_LBRACE:
		if (advance(p) < 0)
			return NULL;
		return parse_map(p, t.pos);
	case CT_DOT:
	case CT_IDENT: {
		int leading = 0;
		if (t.type == CT_DOT) {
			leading = 1;
			if (advance(p) < 0)
				return NULL;
			t = p->tok;
			if (t.type != CT_IDENT) {
				fail_at(p, t.pos, GR_CEL_SYNTAX, "syntax error: expected identifier");
				return NULL;
			}
		}
		if (t.num.u == 1) {
			fail_at(p, t.pos, GR_CEL_SYNTAX,
			        "syntax error: quoted identifier outside a field selection");
			return NULL;
		}
		if (is_reserved(t.text, t.len)) {
			fail_at(p, t.pos, GR_CEL_SYNTAX, "reserved identifier: %.*s", (int)t.len, t.text);
			return NULL;
		}
		if (advance(p) < 0)
			return NULL;
		if (p->tok.type == CT_LPAREN) {
			if (advance(p) < 0)
				return NULL;
			cel_node **args;
			size_t nargs;
			if (parse_list_items(p, CT_RPAREN, &args, &nargs, NULL, 0) < 0)
				return NULL;
			cel_node *m = NULL;
			int r = leading ? 0 : try_macro(p, t.pos, t.text, t.len, NULL, args, nargs, &m);
			if (r < 0)
				return NULL;
			if (r)
				return m;
			cel_node *n = new_node(p, N_CALL, t.pos);
			if (!n || set_args(p, n, args, nargs) < 0)
				return NULL;
			n->name = t.text;
			n->name_len = t.len;
			return n;
		}
		if (p->tok.type == CT_LBRACE) {
			fail_at(p, p->tok.pos, GR_CEL_SYNTAX,
			        "message construction is not supported (no protobuf types in this "
			        "environment)");
			return NULL;
		}
		cel_node *n = new_node(p, N_IDENT, t.pos);
		if (!n)
			return NULL;
		n->name = t.text;
		n->name_len = t.len;
		if (leading)
			n->slot = -2; /* root scope: skip comprehension variables */
		return n;
	}
	case CT_EOF:
		fail_at(p, t.pos, GR_CEL_SYNTAX, "syntax error: unexpected end of expression");
		return NULL;
	default:
		fail_at(p, t.pos, GR_CEL_SYNTAX, "syntax error: unexpected token '%.*s'",
		        (int)(t.end - t.pos), p->lx.src + t.pos);
		return NULL;
	}
}

static cel_node *parse_member(parser *p)
{
	cel_node *e = parse_primary(p);
	while (e) {
		cel_token t = p->tok;
		if (t.type == CT_DOT || t.type == CT_QDOT) {
			if (advance(p) < 0)
				return NULL;
			cel_token f = p->tok;
			if (f.type != CT_IDENT) {
				/* cel-go's (ANTLR's) wording */
				if (f.type == CT_EOF)
					fail_at(p, f.pos, GR_CEL_SYNTAX,
					        "Syntax error: mismatched input '<EOF>' expecting "
					        "IDENTIFIER");
				else
					fail_at(p, f.pos, GR_CEL_SYNTAX,
					        "Syntax error: mismatched input '%.*s' expecting IDENTIFIER",
					        (int)(f.end - f.pos), p->lx.src + f.pos);
				return NULL;
			}
			if (advance(p) < 0)
				return NULL;
			if (t.type == CT_DOT && p->tok.type == CT_LPAREN && f.num.u != 1) {
				if (advance(p) < 0)
					return NULL;
				cel_node **args;
				size_t nargs;
				if (parse_list_items(p, CT_RPAREN, &args, &nargs, NULL, 0) < 0)
					return NULL;
				cel_node *m = NULL;
				int r = try_macro(p, f.pos, f.text, f.len, e, args, nargs, &m);
				if (r < 0)
					return NULL;
				if (r) {
					e = m;
					continue;
				}
				cel_node *all[64];
				cel_node **a = all;
				if (nargs + 1 > 64) {
					a = gr_arena_alloc(p->arena, (nargs + 1) * sizeof *a);
					if (!a) {
						fail_at(p, f.pos, GR_CEL_LIMIT, "out of memory");
						return NULL;
					}
				}
				a[0] = e;
				memcpy(a + 1, args, nargs * sizeof *args);
				cel_node *n = new_node(p, N_CALL, f.pos);
				if (!n || set_args(p, n, a, nargs + 1) < 0)
					return NULL;
				n->name = f.text;
				n->name_len = f.len;
				n->member = 1;
				e = n;
				continue;
			}
			if (f.num.u != 1 && is_reserved(f.text, f.len) && 0) {
				return NULL;
			}
			cel_node *n = new_node(p, N_SELECT, f.pos);
			if (!n || set_args(p, n, &e, 1) < 0)
				return NULL;
			n->name = f.text;
			n->name_len = f.len;
			n->optional = t.type == CT_QDOT;
			e = n;
			continue;
		}
		if (t.type == CT_LBRACKET || t.type == CT_QLBRACKET) {
			if (advance(p) < 0)
				return NULL;
			cel_node *i = parse_expr(p);
			if (!i || expect(p, CT_RBRACKET, "']'") < 0)
				return NULL;
			cel_node *n = new_node(p, N_INDEX, t.pos);
			cel_node *a[2] = {e, i};
			if (!n || set_args(p, n, a, 2) < 0)
				return NULL;
			n->optional = t.type == CT_QLBRACKET;
			e = n;
			continue;
		}
		break;
	}
	return e;
}

static cel_node *parse_unary(parser *p)
{
	cel_token t = p->tok;
	if (t.type == CT_NOT) {
		if (enter(p, t.pos) < 0 || advance(p) < 0)
			return NULL;
		cel_node *e = parse_unary(p);
		p->depth--;
		if (!e)
			return NULL;
		cel_node *n = new_node(p, N_NOT, t.pos);
		if (!n || set_args(p, n, &e, 1) < 0)
			return NULL;
		return n;
	}
	if (t.type == CT_MINUS) {
		if (advance(p) < 0)
			return NULL;
		cel_token l = p->tok;
		if (l.type == CT_INT || l.type == CT_DOUBLE) {
			cel_token after;
			if (peek(p, &after) < 0)
				return NULL;
			/* -1 is a literal unless a member access binds tighter: -1.foo() is -(1.foo()) */
			if (after.type != CT_DOT && after.type != CT_LBRACKET && after.type != CT_QDOT &&
			    after.type != CT_QLBRACKET) {
				if (advance(p) < 0)
					return NULL;
				if (l.type == CT_DOUBLE)
					return literal(p, t.pos, gr_cel_double(-l.num.d));
				if (l.num.u > (uint64_t)INT64_MAX + 1) {
					fail_at(p, l.pos, GR_CEL_SYNTAX, "integer literal out of range");
					return NULL;
				}
				return literal(p, t.pos, gr_cel_int((int64_t)(0 - l.num.u)));
			}
		}
		if (enter(p, t.pos) < 0)
			return NULL;
		cel_node *e = parse_unary(p);
		p->depth--;
		if (!e)
			return NULL;
		cel_node *n = new_node(p, N_NEG, t.pos);
		if (!n || set_args(p, n, &e, 1) < 0)
			return NULL;
		return n;
	}
	return parse_member(p);
}

static cel_node *binary(parser *p, size_t pos, const char *fn, cel_node *a, cel_node *b)
{
	cel_node *args[2] = {a, b};
	return call_node(p, pos, fn, args, 2, 0);
}

static cel_node *parse_mul(parser *p)
{
	cel_node *e = parse_unary(p);
	while (e && (p->tok.type == CT_STAR || p->tok.type == CT_SLASH || p->tok.type == CT_PERCENT)) {
		cel_token t = p->tok;
		if (enter(p, t.pos) < 0 || advance(p) < 0)
			return NULL;
		cel_node *r = parse_unary(p);
		if (!r)
			return NULL;
		e = binary(p, t.pos, t.type == CT_STAR ? "_*_" : t.type == CT_SLASH ? "_/_" : "_%_", e, r);
	}
	return e;
}

static cel_node *parse_add(parser *p)
{
	cel_node *e = parse_mul(p);
	while (e && (p->tok.type == CT_PLUS || p->tok.type == CT_MINUS)) {
		cel_token t = p->tok;
		if (enter(p, t.pos) < 0 || advance(p) < 0)
			return NULL;
		cel_node *r = parse_mul(p);
		if (!r)
			return NULL;
		e = binary(p, t.pos, t.type == CT_PLUS ? "_+_" : "_-_", e, r);
	}
	return e;
}

static cel_node *parse_relation(parser *p)
{
	cel_node *e = parse_add(p);
	while (e) {
		const char *fn = NULL;
		switch (p->tok.type) {
		case CT_EQ: fn = "_==_"; break;
		case CT_NE: fn = "_!=_"; break;
		case CT_LT: fn = "_<_"; break;
		case CT_LE: fn = "_<=_"; break;
		case CT_GT: fn = "_>_"; break;
		case CT_GE: fn = "_>=_"; break;
		case CT_IN: fn = "@in"; break;
		default: break;
		}
		if (!fn)
			break;
		cel_token t = p->tok;
		if (enter(p, t.pos) < 0 || advance(p) < 0)
			return NULL;
		cel_node *r = parse_add(p);
		if (!r)
			return NULL;
		e = binary(p, t.pos, fn, e, r);
	}
	return e;
}

static cel_node *parse_and(parser *p)
{
	cel_node *e = parse_relation(p);
	while (e && p->tok.type == CT_AND) {
		cel_token t = p->tok;
		if (enter(p, t.pos) < 0 || advance(p) < 0)
			return NULL;
		cel_node *r = parse_relation(p);
		if (!r)
			return NULL;
		cel_node *n = new_node(p, N_AND, t.pos);
		cel_node *a[2] = {e, r};
		if (!n || set_args(p, n, a, 2) < 0)
			return NULL;
		e = n;
	}
	return e;
}

static cel_node *parse_or(parser *p)
{
	cel_node *e = parse_and(p);
	while (e && p->tok.type == CT_OR) {
		cel_token t = p->tok;
		if (enter(p, t.pos) < 0 || advance(p) < 0)
			return NULL;
		cel_node *r = parse_and(p);
		if (!r)
			return NULL;
		cel_node *n = new_node(p, N_OR, t.pos);
		cel_node *a[2] = {e, r};
		if (!n || set_args(p, n, a, 2) < 0)
			return NULL;
		e = n;
	}
	return e;
}

static cel_node *parse_expr(parser *p)
{
	if (enter(p, p->tok.pos) < 0)
		return NULL;
	size_t saved = p->depth;
	cel_node *c = parse_or(p);
	if (c && p->tok.type == CT_QUESTION) {
		cel_token t = p->tok;
		if (advance(p) < 0)
			return NULL;
		cel_node *a = parse_or(p);
		if (!a || expect(p, CT_COLON, "':'") < 0)
			return NULL;
		cel_node *b = parse_expr(p);
		if (!b)
			return NULL;
		cel_node *n = new_node(p, N_COND, t.pos);
		cel_node *args[3] = {c, a, b};
		if (!n || set_args(p, n, args, 3) < 0)
			return NULL;
		c = n;
	}
	p->depth = saved - 1;
	return c;
}

/* ---- resolve ---- */

typedef struct scope {
	const char *name;
	size_t len;
	int slot;
	struct scope *up;
} scope;

typedef struct resolver {
	parser *p;
	uint8_t *uses;
} resolver;

static int find_var_exact(const gr_cel_env *env, const char *name, size_t len)
{
	for (size_t i = 0; i < env->n; i++)
		if (strlen(env->names[i]) == len && !memcmp(env->names[i], name, len))
			return (int)i;
	return -1;
}

/* A name resolves in the container first (c.name, then c's parents), then as is. */
static int find_var(const gr_cel_env *env, const char *name, size_t len)
{
	const char *c = env->opts.container;
	if (c && *c) {
		size_t cl = strlen(c);
		char buf[600];
		while (cl > 0 && cl + 1 + len < sizeof buf) {
			memcpy(buf, c, cl);
			buf[cl] = '.';
			memcpy(buf + cl + 1, name, len);
			int v = find_var_exact(env, buf, cl + 1 + len);
			if (v >= 0)
				return v;
			while (cl > 0 && c[cl - 1] != '.')
				cl--;
			if (cl > 0)
				cl--;
		}
	}
	return find_var_exact(env, name, len);
}

static const char *const type_names[] = {"int",
                                         "uint",
                                         "double",
                                         "bool",
                                         "string",
                                         "bytes",
                                         "list",
                                         "map",
                                         "null_type",
                                         "type",
                                         "google.protobuf.Timestamp",
                                         "google.protobuf.Duration",
                                         "optional_type",
                                         "net.IP",
                                         "net.CIDR",
                                         "kubernetes.Quantity",
                                         "kubernetes.Semver",
                                         "kubernetes.URL",
                                         NULL};

static const char *find_type(const char *name, size_t len)
{
	for (int i = 0; type_names[i]; i++)
		if (strlen(type_names[i]) == len && !memcmp(type_names[i], name, len))
			return type_names[i];
	return NULL;
}

/* The dotted name of a select chain rooted at an identifier, or 0. */
static size_t dotted(const cel_node *n, char *buf, size_t cap)
{
	if (n->kind == N_IDENT) {
		if (n->name_len >= cap)
			return 0;
		memcpy(buf, n->name, n->name_len);
		buf[n->name_len] = 0;
		return n->name_len;
	}
	if (n->kind == N_SELECT && !n->optional) {
		size_t k = dotted(n->args[0], buf, cap);
		if (!k || k + 1 + n->name_len >= cap)
			return 0;
		buf[k] = '.';
		memcpy(buf + k + 1, n->name, n->name_len);
		buf[k + 1 + n->name_len] = 0;
		return k + 1 + n->name_len;
	}
	return 0;
}

static const cel_node *chain_root(const cel_node *n)
{
	while (n->kind == N_SELECT)
		n = n->args[0];
	return n;
}

static int in_scope(const scope *s, const char *name, size_t len)
{
	for (; s; s = s->up)
		if (s->len == len && !memcmp(s->name, name, len))
			return s->slot;
	return -1;
}

static int resolve(resolver *r, cel_node *n, scope *sc, int depth);

/* A select chain over an identifier: replace n by the variable, type or
 * select it names. Returns 1 when handled. */
static int resolve_qualified(resolver *r, cel_node *n, scope *sc)
{
	parser *p = r->p;
	const cel_node *root = chain_root(n);
	if (root->kind != N_IDENT)
		return 0;
	if (root->slot != -2 && in_scope(sc, root->name, root->name_len) >= 0)
		return 0;
	char buf[512];
	size_t len = dotted(n, buf, sizeof buf);
	if (!len)
		return 0;
	/* try the longest prefix that names a variable or type */
	cel_node *cur = n;
	while (cur) {
		size_t l = dotted(cur, buf, sizeof buf);
		int v = root->slot == -2 ? find_var_exact(p->env, buf, l) : find_var(p->env, buf, l);
		if (v >= 0) {
			cur->kind = N_IDENT;
			cur->slot = v;
			cur->name = gr_arena_strndup(p->arena, buf, l);
			cur->name_len = l;
			cur->nargs = 0;
			r->uses[v] = 1;
			return 1;
		}
		const char *tn = find_type(buf, l);
		if (tn && cur != n) {
			/* a field of a type name: not valid, fall through to error below */
		}
		if (tn) {
			cur->kind = N_TYPE;
			cur->value = cel_type_value(tn);
			cur->nargs = 0;
			return 1;
		}
		if (cur->kind != N_SELECT)
			break;
		cur = cur->args[0];
	}
	return 0;
}

static int resolve(resolver *r, cel_node *n, scope *sc, int depth)
{
	parser *p = r->p;
	if (depth > 1000)
		return fail_at(p, n->column - 1, GR_CEL_LIMIT, "max recursion depth exceeded");
	switch (n->kind) {
	case N_LITERAL:
	case N_TYPE:
	case N_ITERVAR: return 0;
	case N_IDENT: {
		if (n->slot != -2) {
			int s = in_scope(sc, n->name, n->name_len);
			if (s >= 0) {
				n->kind = N_ITERVAR;
				n->slot = s;
				return 0;
			}
		}
		if (resolve_qualified(r, n, sc))
			return 0;
		if (p->env->opts.unchecked) {
			n->slot = -1; /* fails when evaluated */
			return 0;
		}
		return fail_at(p, n->column - 1, GR_CEL_CHECK, "undeclared reference to '%.*s'",
		               (int)n->name_len, n->name);
	}
	case N_SELECT:
		if (resolve_qualified(r, n, sc) && n->kind != N_SELECT)
			return 0;
		return resolve(r, n->args[0], sc, depth + 1);
	case N_CALL: {
		if (n->member && n->nargs >= 1) {
			/* namespaced function: optional.of(x), sets.contains(a, b), strings.quote(s) */
			char buf[512];
			size_t l = dotted(n->args[0], buf, sizeof buf);
			const cel_node *root = chain_root(n->args[0]);
			if (l && l + 1 + n->name_len < sizeof buf &&
			    !(root->kind == N_IDENT && root->slot != -2 &&
			      in_scope(sc, root->name, root->name_len) >= 0)) {
				int v = find_var(p->env, root->name, root->name_len);
				if (v < 0) {
					buf[l] = '.';
					memcpy(buf + l + 1, n->name, n->name_len);
					l += 1 + n->name_len;
					if (cel_function_known(buf, l, cel_env_libs(&p->env->opts),
					                       p->env->opts.kubernetes_minor)) {
						n->name = gr_arena_strndup(p->arena, buf, l);
						n->name_len = l;
						n->member = 0;
						n->args++;
						n->nargs--;
					}
				}
			}
		}
		for (size_t i = 0; i < n->nargs; i++)
			if (resolve(r, n->args[i], sc, depth + 1) < 0)
				return -1;
		n->name = gr_arena_strndup(p->arena, n->name, n->name_len);
		if (!n->name)
			return fail_at(p, n->column - 1, GR_CEL_LIMIT, "out of memory");
		n->fn = cel_find_function(n->name, n->name_len, n->member, n->nargs,
		                          cel_env_libs(&p->env->opts), p->env->opts.kubernetes_minor);
		if (!n->fn && cel_env_find_decl(p->env, n->name, n->name_len, n->member, n->nargs, 0, NULL)) {
			n->fn = cel_find_function("@unknown", 8, 0, 0, 0, 0);
			return 0;
		}
		if (!n->fn && p->env->opts.unchecked) {
			n->fn = cel_find_function("@unknown", 8, 0, 0, 0, 0);
			return 0;
		}
		if (!n->fn) {
			if (!cel_function_known(n->name, n->name_len, cel_env_libs(&p->env->opts),
			                        p->env->opts.kubernetes_minor))
				return fail_at(p, n->column - 1, GR_CEL_CHECK,
				               "undeclared reference to '%.*s'", (int)n->name_len, n->name);
			return fail_at(p, n->column - 1, GR_CEL_CHECK,
			               "found no matching overload for '%.*s' with %zu argument%s",
			               (int)n->name_len, n->name, n->nargs, n->nargs == 1 ? "" : "s");
		}
		return 0;
	}
	case N_COMPREHENSION:
	case N_OPTMAP: {
		if (resolve(r, n->args[0], sc, depth + 1) < 0)
			return -1;
		scope s1 = {n->name, n->name_len, p->nslots++, sc};
		n->slot = s1.slot;
		scope *inner = &s1;
		scope s2;
		if (n->name2) {
			s2 = (scope){n->name2, n->name2_len, p->nslots++, &s1};
			n->slot2 = s2.slot;
			inner = &s2;
		}
		for (size_t i = 1; i < n->nargs; i++)
			if (resolve(r, n->args[i], inner, depth + 1) < 0)
				return -1;
		return 0;
	}
	default:
		for (size_t i = 0; i < n->nargs; i++)
			if (resolve(r, n->args[i], sc, depth + 1) < 0)
				return -1;
		return 0;
	}
}

/* Mark what cel-go's planner folds under OptOptimize (interpreter
 * decOptimize): literals, list and map literals of constants, and the type
 * conversions of a constant (duration('1h'), double(5), type(1)). */
static int mark_constants(cel_node *n, int depth)
{
	if (depth > 1000)
		return 0;
	int all = 1;
	for (size_t i = 0; i < n->nargs; i++)
		if (n->kind != N_OPTMAP && n->kind != N_COMPREHENSION)
			all &= mark_constants(n->args[i], depth + 1);
		else
			mark_constants(n->args[i], depth + 1);
	switch (n->kind) {
	case N_LITERAL:
	case N_TYPE: n->constant = 1; break;
	case N_LIST:
	case N_MAP:
		n->constant = (uint8_t)all;
		if (n->opt_mask)
			for (size_t i = 0; i < (n->kind == N_MAP ? n->nargs / 2 : n->nargs); i++)
				if (n->opt_mask[i])
					n->constant = 0;
		break;
	case N_CALL: {
		static const char *const conv[] = {"int",   "uint", "double",   "string",
		                                   "bytes", "bool", "duration", "timestamp",
		                                   "dyn",   "type", NULL};
		if (!all || n->member)
			break;
		for (int i = 0; conv[i]; i++)
			if (!strcmp(n->name, conv[i]))
				n->constant = 1;
		break;
	}
	default: break;
	}
	return n->constant;
}

int cel_parse(const gr_cel_env *env, const char *src, size_t len, gr_arena *arena, cel_node **root,
              int *nslots, uint8_t *uses, gr_cel_error *err)
{
	parser p;
	memset(&p, 0, sizeof p);
	p.lx.src = src;
	p.lx.len = len;
	p.lx.arena = arena;
	p.lx.err = err;
	p.arena = arena;
	p.err = err;
	p.env = env;
	p.max_depth = env->opts.max_depth ? env->opts.max_depth : 250;
	if (advance(&p) < 0)
		return -1;
	cel_node *e = parse_expr(&p);
	if (!e)
		return -1;
	if (p.tok.type != CT_EOF)
		return fail_at(&p, p.tok.pos, GR_CEL_SYNTAX,
		               "Syntax error: mismatched input '%.*s' expecting <EOF>",
		               (int)(p.tok.end - p.tok.pos), src + p.tok.pos);
	resolver r = {&p, uses};
	if (resolve(&r, e, NULL, 0) < 0)
		return -1;
	mark_constants(e, 0);
	*root = e;
	*nslots = p.nslots;
	return 0;
}
