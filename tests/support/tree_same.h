/*
 * tree_same.h — are two value trees the same node for node, in order:
 * types, values (doubles by their bits), line and column of every node and
 * key, key order, merge_keys and the `<<` members past len. With strict,
 * also every key's head (gr_key_head) and every string's terminating NUL:
 * what a tree builder must set that a reader of the tree may rely on. why,
 * when given, says where the first difference is.
 *
 * Header only: the fuzz harnesses include it too, and they are built from
 * their one source file (tests/fuzz/run.sh, tests/scripts/fuzz-regressions.sh).
 */
#ifndef GUARDRAIL_TREE_SAME_H
#define GUARDRAIL_TREE_SAME_H

#include <stdio.h>
#include <string.h>

#include "guardrail/value.h"

static int tree_same(const gr_value *a, const gr_value *b, int strict, char *why, size_t cap)
{
	if (a->type != b->type || a->line != b->line || a->column != b->column ||
	    a->merge_keys != b->merge_keys) {
		if (why)
			snprintf(why, cap, "node at %u:%u (type %d) vs %u:%u (type %d)", a->line, a->column,
			         a->type, b->line, b->column, b->type);
		return 0;
	}
	int same = 1;
	switch ((gr_type)a->type) {
	case GR_NULL: break;
	case GR_BOOL: same = a->u.b == b->u.b; break;
	case GR_INT: same = a->u.i == b->u.i; break;
	case GR_DOUBLE: same = memcmp(&a->u.d, &b->u.d, sizeof a->u.d) == 0; break;
	case GR_STRING:
		same = a->u.s.len == b->u.s.len && memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0 &&
		       (!strict || (a->u.s.ptr[a->u.s.len] == '\0' && b->u.s.ptr[b->u.s.len] == '\0'));
		if (!same && why)
			snprintf(why, cap, "string at %u:%u: \"%.*s\" vs \"%.*s\"", a->line, a->column,
			         (int)(a->u.s.len > 60 ? 60 : a->u.s.len), a->u.s.ptr,
			         (int)(b->u.s.len > 60 ? 60 : b->u.s.len), b->u.s.ptr);
		return same;
	case GR_ARRAY:
		if (a->u.a.len != b->u.a.len) {
			if (why)
				snprintf(why, cap, "sequence length at %u:%u", a->line, a->column);
			return 0;
		}
		for (size_t i = 0; i < a->u.a.len; i++)
			if (!tree_same(&a->u.a.items[i], &b->u.a.items[i], strict, why, cap))
				return 0;
		return 1;
	case GR_OBJECT:
		if (a->u.o.len != b->u.o.len) {
			if (why)
				snprintf(why, cap, "mapping size at %u:%u", a->line, a->column);
			return 0;
		}
		for (size_t i = 0; i < a->u.o.len + a->merge_keys; i++) {
			const gr_member *x = &a->u.o.members[i], *y = &b->u.o.members[i];
			if (x->key_len != y->key_len || memcmp(x->key, y->key, x->key_len) != 0 ||
			    (strict && x->key_head != y->key_head) || x->line != y->line ||
			    x->column != y->column) {
				if (why)
					snprintf(why, cap, "key at %u:%u vs %u:%u", x->line, x->column,
					         y->line, y->column);
				return 0;
			}
			if (!tree_same(&x->value, &y->value, strict, why, cap))
				return 0;
		}
		return 1;
	}
	if (!same && why)
		snprintf(why, cap, "value at %u:%u", a->line, a->column);
	return same;
}

#endif
