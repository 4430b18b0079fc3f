/*
 * program.c — a compiled expression: its text, its tree and its limits in
 * one arena that the program owns.
 *
 * Two tricks. The parser is recursive and guards its own depth, but a
 * left-leaning chain (`a[0][0]...`, `a || b || c ...`) grows the tree's
 * depth without recursing in the parser; node_size() measures it with a
 * recursion that stops at the limit, so evaluation can never recurse
 * deeper than max_depth. And the tree is parsed into a scratch arena, then
 * copied into one block of exactly the size it needs (measure, then copy):
 * a policy set compiles thousands of expressions, and an arena's first
 * chunk (64 KiB) each would be mostly empty.
 */
#include <stdlib.h>
#include <string.h>

#include "ast.h"

struct gr_jp_program {
	const char *source;
	jp_node *root;
	gr_jp_limits limits;
};

void gr_jp_limits_default(gr_jp_limits *l)
{
	l->max_expression = 65536;
	l->max_depth = 256;
	l->max_result_bytes = (size_t)256 << 20;
}

/* ---- compaction: measure the tree, then copy it into one block ---- */

#define ALIGN(n) (((n) + 15) & ~(size_t)15)

static size_t value_size(const gr_value *v)
{
	size_t s = 0;
	switch (v->type) {
	case GR_STRING: return ALIGN(v->u.s.len + 1);
	case GR_ARRAY:
		s = ALIGN(v->u.a.len * sizeof(gr_value));
		for (size_t i = 0; i < v->u.a.len; i++)
			s += value_size(&v->u.a.items[i]);
		return s;
	case GR_OBJECT:
		s = ALIGN(v->u.o.len * sizeof(gr_member));
		for (size_t i = 0; i < v->u.o.len; i++)
			s += ALIGN(v->u.o.members[i].key_len + 1) + value_size(&v->u.o.members[i].value);
		return s;
	default: return 0;
	}
}

/* Bytes the subtree needs, or 0 when it is deeper than max: the recursion
 * stops at the limit, so measuring is safe on any tree. */
static size_t node_size(const jp_node *n, size_t level, size_t max)
{
	if (level > max)
		return 0;
	size_t s = ALIGN(sizeof *n) + ALIGN(n->nkids * sizeof *n->kids);
	switch ((jp_kind)n->kind) {
	case N_FIELD: s += ALIGN(n->u.field.len + 1); break;
	case N_LITERAL: s += value_size(&n->u.literal); break;
	case N_MULTI_HASH:
		s += ALIGN(n->nkids * sizeof(gr_value));
		for (size_t i = 0; i < n->nkids; i++)
			s += value_size(&n->u.keys[i]);
		break;
	case N_FUNCTION: s += ALIGN(sizeof(gr_jp_function)) + ALIGN(strlen(n->u.fn->name) + 1); break;
	default: break;
	}
	for (size_t i = 0; i < n->nkids; i++) {
		size_t k = node_size(n->kids[i], level + 1, max);
		if (k == 0)
			return 0;
		s += k;
	}
	return s;
}

static void *take(char **at, size_t size)
{
	void *p = *at;
	*at += ALIGN(size);
	return p;
}

static char *copy_str(char **at, const char *s, size_t len)
{
	char *d = take(at, len + 1);
	if (len)
		memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

static void copy_value(char **at, gr_value *dst, const gr_value *src)
{
	*dst = *src;
	switch (src->type) {
	case GR_STRING: dst->u.s.ptr = copy_str(at, src->u.s.ptr, src->u.s.len); break;
	case GR_ARRAY:
		dst->u.a.items = take(at, src->u.a.len * sizeof(gr_value));
		for (size_t i = 0; i < src->u.a.len; i++)
			copy_value(at, &dst->u.a.items[i], &src->u.a.items[i]);
		break;
	case GR_OBJECT:
		dst->u.o.members = take(at, src->u.o.len * sizeof(gr_member));
		for (size_t i = 0; i < src->u.o.len; i++) {
			const gr_member *m = &src->u.o.members[i];
			gr_member *d = &dst->u.o.members[i];
			*d = *m;
			d->key = copy_str(at, m->key, m->key_len);
			copy_value(at, &d->value, &m->value);
		}
		break;
	default: break;
	}
}

static jp_node *copy_node(char **at, const jp_node *src)
{
	jp_node *n = take(at, sizeof *n);
	*n = *src;
	n->kids = take(at, src->nkids * sizeof *n->kids);
	switch ((jp_kind)src->kind) {
	case N_FIELD: n->u.field.name = copy_str(at, src->u.field.name, src->u.field.len); break;
	case N_LITERAL: copy_value(at, &n->u.literal, &src->u.literal); break;
	case N_MULTI_HASH: {
		gr_value *keys = take(at, src->nkids * sizeof *keys);
		for (size_t i = 0; i < src->nkids; i++)
			copy_value(at, &keys[i], &src->u.keys[i]);
		n->u.keys = keys;
		break;
	}
	case N_FUNCTION: {
		gr_jp_function *fn = take(at, sizeof *fn);
		*fn = *src->u.fn;
		fn->name = copy_str(at, src->u.fn->name, strlen(src->u.fn->name));
		n->u.fn = fn;
		break;
	}
	default: break;
	}
	for (size_t i = 0; i < src->nkids; i++)
		n->kids[i] = copy_node(at, src->kids[i]);
	return n;
}

/* The dialect where `null.expr` is null: N_SUB nodes get op 1. The tree's
 * depth was bounded by node_size, so the recursion is too. */
static void mark_null_subexpressions(jp_node *n)
{
	if (n->kind == N_SUB)
		n->op = 1;
	for (size_t i = 0; i < n->nkids; i++)
		mark_null_subexpressions(n->kids[i]);
}

int gr_jp_compile(const char *expr, size_t len, const gr_jp_functions *functions, const gr_jp_limits *limits,
                  gr_jp_program **out, gr_jp_error *err)
{
	*out = NULL;
	if (err) {
		err->type = GR_JP_OK;
		err->offset = 0;
		err->message[0] = '\0';
	}
	gr_jp_limits lim;
	if (limits)
		lim = *limits;
	else
		gr_jp_limits_default(&lim);
	if (lim.max_depth == 0)
		lim.max_depth = 1;
	if (len > lim.max_expression)
		return jp_fail(err, GR_JP_LIMIT, 0, "expression longer than %zu bytes", lim.max_expression);
	gr_arena a;
	gr_arena_init(&a);
	jp_parse_opts opts = {functions, lim.max_depth};
	jp_node *root;
	if (jp_parse(expr, len, &a, &opts, &root, err) != 0) {
		gr_arena_free(&a);
		return -1;
	}
	size_t tree = node_size(root, 1, lim.max_depth);
	if (tree == 0) {
		gr_arena_free(&a);
		return jp_fail(err, GR_JP_LIMIT, 0, "expression nested deeper than %zu", lim.max_depth);
	}
	size_t size = ALIGN(sizeof(gr_jp_program)) + ALIGN(len + 1) + tree;
	char *block = aligned_alloc(16, size);
	if (!block) {
		gr_arena_free(&a);
		return jp_fail(err, GR_JP_LIMIT, 0, "out of memory");
	}
	char *at = block;
	gr_jp_program *p = take(&at, sizeof *p);
	p->source = copy_str(&at, expr, len);
	p->root = copy_node(&at, root);
	p->limits = lim;
	if (gr_jp_functions_flags(functions) & GR_JP_NULL_SUBEXPRESSION)
		mark_null_subexpressions(p->root);
	gr_arena_free(&a);
	*out = p;
	return 0;
}

void gr_jp_free(gr_jp_program *p)
{
	free(p);
}

const char *gr_jp_source(const gr_jp_program *p)
{
	return p->source;
}

int gr_jp_eval(const gr_jp_program *p, const gr_value *input, gr_arena *arena, gr_value *result,
               gr_jp_error *err)
{
	jp_ctx c;
	c.arena = arena;
	c.err = err;
	c.budget = p->limits.max_result_bytes;
	c.node = NULL;
	c.userdata = NULL;
	if (err) {
		err->type = GR_JP_OK;
		err->offset = 0;
		err->message[0] = '\0';
	}
	if (jp_eval(&c, p->root, input ? input : &gr_null_value, result) != 0) {
		*result = gr_make_null();
		return -1;
	}
	return 0;
}
