/*
 * program.c — a compiled expression: its text, its tree and its limits in
 * one arena that the program owns.
 *
 * The trick: the parser is recursive and guards its own depth, but a
 * left-leaning chain (`a.b.c.d...`, `a || b || c ...`) grows the tree's
 * depth without recursing in the parser; tree_depth() measures it with a
 * recursion that stops at the limit, so evaluation can never recurse
 * deeper than max_depth.
 */
#include <string.h>

#include "ast.h"

struct gr_jp_program {
	gr_arena arena;
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

/* Depth of the tree, or a value above max once it is exceeded. */
static size_t tree_depth(const jp_node *n, size_t level, size_t max)
{
	if (level > max)
		return level;
	size_t deepest = level;
	for (size_t i = 0; i < n->nkids; i++) {
		size_t d = tree_depth(n->kids[i], level + 1, max);
		if (d > deepest)
			deepest = d;
		if (deepest > max)
			break;
	}
	return deepest;
}

int gr_jp_compile(const char *expr, size_t len, const gr_jp_functions *functions,
		  const gr_jp_limits *limits, gr_jp_program **out, gr_jp_error *err)
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
	gr_jp_program *p = gr_arena_calloc(&a, 1, sizeof *p);
	char *src = p ? gr_arena_strndup(&a, expr, len) : NULL;
	if (!src) {
		gr_arena_free(&a);
		return jp_fail(err, GR_JP_LIMIT, 0, "out of memory");
	}
	jp_parse_opts opts = {functions, lim.max_depth};
	jp_node *root;
	if (jp_parse(src, len, &a, &opts, &root, err) != 0) {
		gr_arena_free(&a);
		return -1;
	}
	if (tree_depth(root, 1, lim.max_depth) > lim.max_depth) {
		gr_arena_free(&a);
		return jp_fail(err, GR_JP_LIMIT, 0, "expression nested deeper than %zu", lim.max_depth);
	}
	p->source = src;
	p->root = root;
	p->limits = lim;
	/* The program lives in its own arena: move the arena into it. */
	p->arena = a;
	*out = p;
	return 0;
}

void gr_jp_free(gr_jp_program *p)
{
	if (!p)
		return;
	gr_arena a = p->arena; /* p itself lives in the arena */
	gr_arena_free(&a);
}

const char *gr_jp_source(const gr_jp_program *p) { return p->source; }

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
