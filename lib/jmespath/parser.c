/*
 * parser.c — tokens to a syntax tree: a Pratt (top-down operator
 * precedence) parser with the binding powers of the JMESPath grammar.
 *
 * The trick a reader must know: projections. After `[*]`, `[]`, `[?...]`
 * or `.*`, the rest of the expression up to a token that binds weaker than
 * a projection (pipe, ||, &&, comparators, `]`, `)`, ...) becomes the
 * projection's right side, applied to each element (parse_projection_rhs).
 * That is how `a[*].b.c | d` projects `.b.c` and stops at the pipe.
 */
#include <string.h>

#include "ast.h"

typedef struct parser {
	jp_lexer lx;
	jp_token tok[2]; /* current token and one of lookahead */
	int ntok;        /* tokens buffered in tok[] */
	gr_arena *arena;
	gr_jp_error *err;
	const gr_jp_functions *functions;
	size_t depth, max_depth;
} parser;

/* Binding powers (as in the reference implementation). */
static const int bp[T_COUNT] = {
        [T_PIPE] = 1, [T_OR] = 2,   [T_AND] = 3,     [T_EQ] = 5,        [T_NE] = 5,      [T_LT] = 5,
        [T_LE] = 5,   [T_GT] = 5,   [T_GE] = 5,      [T_FLATTEN] = 9,   [T_STAR] = 20,   [T_FILTER] = 21,
        [T_DOT] = 40, [T_NOT] = 45, [T_LBRACE] = 50, [T_LBRACKET] = 55, [T_LPAREN] = 60,
};
#define PROJECTION_STOP 10

static int fill(parser *p, int k)
{
	while (p->ntok <= k) {
		if (jp_lex_next(&p->lx, &p->tok[p->ntok]) != 0)
			return -1;
		p->ntok++;
	}
	return 0;
}

static const jp_token *cur(parser *p)
{
	return &p->tok[0];
}

/* Type of the token k ahead (0 = current); T_EOF on lexical error is not
 * possible: errors surface when the token is made current. */
static int peek_type(parser *p, int k, jp_tok *t)
{
	if (fill(p, k) != 0)
		return -1;
	*t = p->tok[k].type;
	return 0;
}

static int advance(parser *p)
{
	if (p->ntok == 2)
		p->tok[0] = p->tok[1];
	p->ntok--;
	return fill(p, 0);
}

static int syntax(parser *p, const jp_token *t, const char *what)
{
	return jp_fail(p->err, GR_JP_SYNTAX, t->pos, "%s %s", what, jp_tok_name(t->type));
}

static int expect(parser *p, jp_tok t)
{
	if (cur(p)->type != t) {
		const jp_token *c = cur(p);
		return jp_fail(p->err, GR_JP_SYNTAX, c->pos, "expected %s, found %s", jp_tok_name(t),
		               jp_tok_name(c->type));
	}
	return advance(p);
}

static jp_node *node(parser *p, jp_kind kind, size_t pos, size_t nkids)
{
	jp_node *n = gr_arena_calloc(p->arena, 1, sizeof *n);
	if (!n) {
		jp_fail(p->err, GR_JP_LIMIT, pos, "out of memory");
		return NULL;
	}
	n->kind = (uint8_t)kind;
	n->pos = pos;
	n->nkids = nkids;
	if (nkids) {
		n->kids = gr_arena_calloc(p->arena, nkids, sizeof *n->kids);
		if (!n->kids) {
			jp_fail(p->err, GR_JP_LIMIT, pos, "out of memory");
			return NULL;
		}
	}
	return n;
}

static jp_node *node2(parser *p, jp_kind kind, size_t pos, jp_node *a, jp_node *b)
{
	jp_node *n = node(p, kind, pos, 2);
	if (n) {
		n->kids[0] = a;
		n->kids[1] = b;
	}
	return n;
}

static jp_node *expression(parser *p, int rbp);

/* A growable list of nodes in the arena (doubling; old storage is wasted,
 * which is fine for the short lists of an expression). */
typedef struct nodelist {
	jp_node **items;
	size_t len, cap;
} nodelist;

static int list_push(parser *p, nodelist *l, jp_node *n, size_t pos)
{
	if (l->len == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		jp_node **items = gr_arena_alloc(p->arena, cap * sizeof *items);
		if (!items)
			return jp_fail(p->err, GR_JP_LIMIT, pos, "out of memory");
		if (l->len)
			memcpy(items, l->items, l->len * sizeof *items);
		l->items = items;
		l->cap = cap;
	}
	l->items[l->len++] = n;
	return 0;
}

static jp_node *current_node(parser *p, size_t pos)
{
	return node(p, N_CURRENT, pos, 0);
}

static jp_node *parse_dot_rhs(parser *p, int rbp);
static jp_node *parse_multi_list(parser *p, size_t pos);
static jp_node *parse_multi_hash(parser *p, size_t pos);

static jp_node *parse_projection_rhs(parser *p, int rbp)
{
	const jp_token *t = cur(p);
	if (bp[t->type] < PROJECTION_STOP)
		return current_node(p, t->pos);
	if (t->type == T_LBRACKET || t->type == T_FILTER)
		return expression(p, rbp);
	if (t->type == T_DOT) {
		if (advance(p) != 0)
			return NULL;
		return parse_dot_rhs(p, rbp);
	}
	syntax(p, t, "unexpected");
	return NULL;
}

static jp_node *parse_dot_rhs(parser *p, int rbp)
{
	const jp_token *t = cur(p);
	size_t pos = t->pos;
	switch (t->type) {
	case T_UNQUOTED:
	case T_QUOTED:
	case T_STAR: return expression(p, rbp);
	case T_LBRACKET:
		if (advance(p) != 0)
			return NULL;
		return parse_multi_list(p, pos);
	case T_LBRACE:
		if (advance(p) != 0)
			return NULL;
		return parse_multi_hash(p, pos);
	default: syntax(p, t, "expected identifier, '*', '[' or '{' after '.', found"); return NULL;
	}
}

static jp_node *parse_multi_list(parser *p, size_t pos)
{
	nodelist l = {0};
	for (;;) {
		jp_node *e = expression(p, 0);
		if (!e || list_push(p, &l, e, pos) != 0)
			return NULL;
		if (cur(p)->type == T_RBRACKET)
			break;
		if (expect(p, T_COMMA) != 0)
			return NULL;
	}
	if (advance(p) != 0)
		return NULL;
	jp_node *n = node(p, N_MULTI_LIST, pos, 0);
	if (!n)
		return NULL;
	n->kids = l.items;
	n->nkids = l.len;
	return n;
}

static jp_node *parse_multi_hash(parser *p, size_t pos)
{
	nodelist l = {0};
	nodelist keys = {0}; /* key tokens' values stored as literal nodes */
	for (;;) {
		const jp_token *t = cur(p);
		if (t->type != T_UNQUOTED && t->type != T_QUOTED) {
			syntax(p, t, "expected a key, found");
			return NULL;
		}
		jp_node *k = node(p, N_LITERAL, t->pos, 0);
		if (!k)
			return NULL;
		k->u.literal = t->value;
		if (list_push(p, &keys, k, pos) != 0 || advance(p) != 0 || expect(p, T_COLON) != 0)
			return NULL;
		jp_node *e = expression(p, 0);
		if (!e || list_push(p, &l, e, pos) != 0)
			return NULL;
		if (cur(p)->type == T_COMMA) {
			if (advance(p) != 0)
				return NULL;
			continue;
		}
		if (expect(p, T_RBRACE) != 0)
			return NULL;
		break;
	}
	/* A repeated key: the last one wins, at the first one's place. */
	size_t n_out = 0;
	gr_value *kv = gr_arena_calloc(p->arena, l.len, sizeof *kv);
	if (!kv) {
		jp_fail(p->err, GR_JP_LIMIT, pos, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < l.len; i++) {
		const gr_value *key = &keys.items[i]->u.literal;
		size_t j;
		for (j = 0; j < n_out; j++)
			if (gr_equal(&kv[j], key))
				break;
		if (j < n_out) {
			l.items[j] = l.items[i];
			continue;
		}
		kv[n_out] = *key;
		l.items[n_out++] = l.items[i];
	}
	jp_node *n = node(p, N_MULTI_HASH, pos, 0);
	if (!n)
		return NULL;
	n->kids = l.items;
	n->nkids = n_out;
	n->u.keys = kv;
	return n;
}

/* [n], [a:b:c] after '[' (current token is a number or ':'). */
static jp_node *parse_index(parser *p, size_t pos)
{
	jp_tok t0, t1;
	if (peek_type(p, 0, &t0) != 0 || peek_type(p, 1, &t1) != 0)
		return NULL;
	if (t0 == T_COLON || t1 == T_COLON) {
		int64_t parts[3] = {0, 0, 1};
		int has[3] = {0, 0, 0};
		int idx = 0;
		size_t step_pos = pos;
		while (cur(p)->type != T_RBRACKET) {
			const jp_token *t = cur(p);
			if (t->type == T_COLON) {
				if (++idx > 2) {
					syntax(p, t, "too many ':' in slice, found");
					return NULL;
				}
			} else if (t->type == T_NUMBER) {
				if (has[idx]) {
					syntax(p, t, "unexpected");
					return NULL;
				}
				parts[idx] = t->value.u.i;
				has[idx] = 1;
				if (idx == 2)
					step_pos = t->pos;
			} else {
				syntax(p, t, "expected number, ':' or ']' in slice, found");
				return NULL;
			}
			if (advance(p) != 0)
				return NULL;
		}
		if (advance(p) != 0)
			return NULL;
		if (has[2] && parts[2] == 0) {
			jp_fail(p->err, GR_JP_INVALID_VALUE, step_pos, "slice step cannot be 0");
			return NULL;
		}
		jp_node *n = node(p, N_SLICE, pos, 0);
		if (!n)
			return NULL;
		n->u.slice.start = parts[0];
		n->u.slice.stop = parts[1];
		n->u.slice.step = has[2] ? parts[2] : 1;
		n->u.slice.has_start = (uint8_t)has[0];
		n->u.slice.has_stop = (uint8_t)has[1];
		return n;
	}
	jp_node *n = node(p, N_INDEX, pos, 0);
	if (!n)
		return NULL;
	n->u.index = cur(p)->value.u.i;
	if (advance(p) != 0 || expect(p, T_RBRACKET) != 0)
		return NULL;
	return n;
}

/* left[index] or left[slice]; a slice starts a projection. */
static jp_node *project_if_slice(parser *p, jp_node *left, jp_node *right, size_t pos)
{
	jp_node *idx = node2(p, N_SUB, pos, left, right);
	if (!idx || right->kind != N_SLICE)
		return idx;
	jp_node *rhs = parse_projection_rhs(p, bp[T_STAR]);
	return rhs ? node2(p, N_PROJECT, pos, idx, rhs) : NULL;
}

static jp_node *filter_rest(parser *p, jp_node *left, size_t pos)
{
	jp_node *cond = expression(p, 0);
	if (!cond || expect(p, T_RBRACKET) != 0)
		return NULL;
	jp_node *rhs;
	if (cur(p)->type == T_FLATTEN)
		rhs = current_node(p, cur(p)->pos);
	else
		rhs = parse_projection_rhs(p, bp[T_FILTER]);
	if (!rhs)
		return NULL;
	jp_node *n = node(p, N_FILTER, pos, 3);
	if (n) {
		n->kids[0] = left;
		n->kids[1] = cond;
		n->kids[2] = rhs;
	}
	return n;
}

static jp_node *nud(parser *p, jp_token t)
{
	switch (t.type) {
	case T_LITERAL: {
		jp_node *n = node(p, N_LITERAL, t.pos, 0);
		if (n)
			n->u.literal = t.value;
		return n;
	}
	case T_QUOTED:
		if (cur(p)->type == T_LPAREN) {
			jp_fail(p->err, GR_JP_SYNTAX, t.pos, "a function name cannot be quoted");
			return NULL;
		}
		/* fall through */
	case T_UNQUOTED: {
		jp_node *n = node(p, N_FIELD, t.pos, 0);
		if (n) {
			n->u.field.name = t.value.u.s.ptr;
			n->u.field.len = t.value.u.s.len;
			/* Remember how it was written: only unquoted names call functions. */
			n->op = (uint8_t)t.type;
		}
		return n;
	}
	case T_STAR: {
		jp_node *left = current_node(p, t.pos);
		jp_node *right = cur(p)->type == T_RBRACKET ? current_node(p, t.pos)
		                                            : parse_projection_rhs(p, bp[T_STAR]);
		return left && right ? node2(p, N_VALUES_PROJECT, t.pos, left, right) : NULL;
	}
	case T_FILTER: {
		jp_node *left = current_node(p, t.pos);
		return left ? filter_rest(p, left, t.pos) : NULL;
	}
	case T_LBRACE: return parse_multi_hash(p, t.pos);
	case T_LPAREN: {
		jp_node *e = expression(p, 0);
		if (!e || expect(p, T_RPAREN) != 0)
			return NULL;
		return e;
	}
	case T_FLATTEN: {
		jp_node *f = node(p, N_FLATTEN, t.pos, 1);
		if (!f || !(f->kids[0] = current_node(p, t.pos)))
			return NULL;
		jp_node *rhs = parse_projection_rhs(p, bp[T_FLATTEN]);
		return rhs ? node2(p, N_PROJECT, t.pos, f, rhs) : NULL;
	}
	case T_NOT: {
		jp_node *e = expression(p, bp[T_NOT]);
		if (!e)
			return NULL;
		jp_node *n = node(p, N_NOT, t.pos, 1);
		if (n)
			n->kids[0] = e;
		return n;
	}
	case T_LBRACKET: {
		jp_tok t0, t1;
		if (peek_type(p, 0, &t0) != 0)
			return NULL;
		if (t0 == T_NUMBER || t0 == T_COLON) {
			jp_node *right = parse_index(p, t.pos);
			jp_node *left = current_node(p, t.pos);
			return right && left ? project_if_slice(p, left, right, t.pos) : NULL;
		}
		if (t0 == T_STAR) {
			if (peek_type(p, 1, &t1) != 0)
				return NULL;
			if (t1 == T_RBRACKET) {
				if (advance(p) != 0 || advance(p) != 0)
					return NULL;
				jp_node *left = current_node(p, t.pos);
				jp_node *rhs = parse_projection_rhs(p, bp[T_STAR]);
				return left && rhs ? node2(p, N_PROJECT, t.pos, left, rhs) : NULL;
			}
		}
		return parse_multi_list(p, t.pos);
	}
	case T_CURRENT: return current_node(p, t.pos);
	case T_EXPREF: {
		jp_node *e = expression(p, 0);
		if (!e)
			return NULL;
		jp_node *n = node(p, N_EXPREF, t.pos, 1);
		if (n)
			n->kids[0] = e;
		return n;
	}
	default: syntax(p, &t, "unexpected"); return NULL;
	}
}

static jp_node *parse_call(parser *p, jp_node *left, size_t pos)
{
	if (left->kind != N_FIELD || left->op != T_UNQUOTED) {
		jp_fail(p->err, GR_JP_SYNTAX, pos, "'(' must follow a function name");
		return NULL;
	}
	const gr_jp_functions *fns = p->functions ? p->functions : jp_builtins();
	const gr_jp_function *fn = gr_jp_functions_find(fns, left->u.field.name, left->u.field.len);
	nodelist args = {0};
	if (cur(p)->type != T_RPAREN) {
		for (;;) {
			jp_node *a = expression(p, 0);
			if (!a || list_push(p, &args, a, pos) != 0)
				return NULL;
			if (cur(p)->type == T_RPAREN)
				break;
			if (expect(p, T_COMMA) != 0)
				return NULL;
		}
	}
	if (advance(p) != 0)
		return NULL;
	if (!fn) {
		jp_fail(p->err, GR_JP_UNKNOWN_FUNCTION, left->pos, "unknown function %.*s()",
		        (int)left->u.field.len, left->u.field.name);
		return NULL;
	}
	if (args.len < fn->nparams || (!fn->variadic && args.len > fn->nparams)) {
		jp_fail(p->err, GR_JP_INVALID_ARITY, left->pos, "%s() takes %s%zu argument%s, %zu given",
		        fn->name, fn->variadic ? "at least " : "", fn->nparams, fn->nparams == 1 ? "" : "s",
		        args.len);
		return NULL;
	}
	jp_node *n = node(p, N_FUNCTION, left->pos, 0);
	if (!n)
		return NULL;
	/* The program keeps its own copy: the registry may change or go. */
	gr_jp_function *copy = gr_arena_alloc(p->arena, sizeof *copy);
	if (!copy) {
		jp_fail(p->err, GR_JP_LIMIT, pos, "out of memory");
		return NULL;
	}
	*copy = *fn;
	copy->name = gr_arena_strdup(p->arena, fn->name);
	n->u.fn = copy;
	n->kids = args.items;
	n->nkids = args.len;
	return n;
}

/*
 * a.b.c...: one N_PATH node whose kids are the fields, evaluated by a loop
 * rather than a recursion per dot. Kids grow by doubling (the array is
 * reallocated when the count reaches a power of two), so a long chain
 * costs linear time and memory.
 */
static jp_node *path_append(parser *p, jp_node *left, jp_node *field)
{
	if (left->kind == N_FIELD) {
		jp_node *n = node(p, N_PATH, left->pos, 2);
		if (n) {
			n->kids[0] = left;
			n->kids[1] = field;
		}
		return n;
	}
	size_t k = left->nkids;
	if ((k & (k - 1)) == 0) { /* full: k is a power of two */
		jp_node **kids = gr_arena_alloc(p->arena, 2 * k * sizeof *kids);
		if (!kids) {
			jp_fail(p->err, GR_JP_LIMIT, field->pos, "out of memory");
			return NULL;
		}
		memcpy(kids, left->kids, k * sizeof *kids);
		left->kids = kids;
	}
	left->kids[k] = field;
	left->nkids = k + 1;
	return left;
}

static jp_node *led(parser *p, jp_token t, jp_node *left)
{
	switch (t.type) {
	case T_DOT:
		if (cur(p)->type == T_STAR) {
			if (advance(p) != 0)
				return NULL;
			jp_node *rhs = parse_projection_rhs(p, bp[T_DOT]);
			return rhs ? node2(p, N_VALUES_PROJECT, t.pos, left, rhs) : NULL;
		} else {
			jp_node *rhs = parse_dot_rhs(p, bp[T_DOT]);
			if (!rhs)
				return NULL;
			if (rhs->kind == N_FIELD && (left->kind == N_FIELD || left->kind == N_PATH))
				return path_append(p, left, rhs);
			return node2(p, N_SUB, t.pos, left, rhs);
		}
	case T_PIPE:
	case T_OR:
	case T_AND: {
		jp_node *rhs = expression(p, bp[t.type]);
		jp_kind k = t.type == T_PIPE ? N_PIPE : t.type == T_OR ? N_OR : N_AND;
		return rhs ? node2(p, k, t.pos, left, rhs) : NULL;
	}
	case T_LPAREN: return parse_call(p, left, t.pos);
	case T_FILTER: return filter_rest(p, left, t.pos);
	case T_FLATTEN: {
		jp_node *f = node(p, N_FLATTEN, t.pos, 1);
		if (!f)
			return NULL;
		f->kids[0] = left;
		jp_node *rhs = parse_projection_rhs(p, bp[T_FLATTEN]);
		return rhs ? node2(p, N_PROJECT, t.pos, f, rhs) : NULL;
	}
	case T_EQ:
	case T_NE:
	case T_LT:
	case T_LE:
	case T_GT:
	case T_GE: {
		jp_node *rhs = expression(p, bp[t.type]);
		jp_node *n = rhs ? node2(p, N_COMPARE, t.pos, left, rhs) : NULL;
		if (n)
			n->op = (uint8_t)t.type;
		return n;
	}
	case T_LBRACKET: {
		jp_tok t0;
		if (peek_type(p, 0, &t0) != 0)
			return NULL;
		if (t0 == T_NUMBER || t0 == T_COLON) {
			jp_node *right = parse_index(p, t.pos);
			return right ? project_if_slice(p, left, right, t.pos) : NULL;
		}
		if (expect(p, T_STAR) != 0 || expect(p, T_RBRACKET) != 0)
			return NULL;
		jp_node *rhs = parse_projection_rhs(p, bp[T_STAR]);
		return rhs ? node2(p, N_PROJECT, t.pos, left, rhs) : NULL;
	}
	default: syntax(p, &t, "unexpected"); return NULL;
	}
}

static jp_node *expression(parser *p, int rbp)
{
	if (++p->depth > p->max_depth) {
		jp_fail(p->err, GR_JP_LIMIT, cur(p)->pos, "expression nested deeper than %zu", p->max_depth);
		return NULL;
	}
	jp_token t = *cur(p);
	if (advance(p) != 0)
		return NULL;
	jp_node *left = nud(p, t);
	while (left && rbp < bp[cur(p)->type]) {
		t = *cur(p);
		if (advance(p) != 0)
			return NULL;
		left = led(p, t, left);
	}
	p->depth--;
	return left;
}

int jp_parse(const char *src, size_t len, gr_arena *arena, const jp_parse_opts *opts, jp_node **root,
             gr_jp_error *err)
{
	parser p;
	memset(&p, 0, sizeof p);
	p.lx.src = src;
	p.lx.len = len;
	p.lx.arena = arena;
	p.lx.err = err;
	p.arena = arena;
	p.err = err;
	p.functions = opts->functions;
	p.max_depth = opts->max_depth;
	if (fill(&p, 0) != 0)
		return -1;
	if (cur(&p)->type == T_EOF)
		return jp_fail(err, GR_JP_SYNTAX, 0, "empty expression");
	jp_node *n = expression(&p, 0);
	if (!n)
		return -1;
	if (cur(&p)->type != T_EOF)
		return syntax(&p, cur(&p), "unexpected");
	*root = n;
	return 0;
}
