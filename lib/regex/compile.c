/*
 * compile.c — syntax tree to a Pike VM program (Thompson's construction,
 * with patch lists threaded through the unfilled `out`/`arg` fields).
 *
 * Counted repetition is expanded as Go's Simplify does: x{2,5} is
 * xx(x(x(x)?)?)?, x{2,} is xx+. A star over something that can match empty
 * is compiled as (x+)? so that the priority order matches Go's (issue
 * 46123). A class node compiled many times (\pL{100}) shares one class.
 * After compiling: whether every match is anchored at the text start, and
 * the literal bytes every match begins with (for a memmem skip).
 */
#include <stdlib.h>
#include <string.h>

#include "regex_int.h"

typedef struct frag {
	uint32_t start;
	uint32_t head, tail; /* patch list: (inst << 1) | (1 for arg, 0 for out); 0 is empty */
} frag;

typedef struct comp {
	rx_prog *prog;
	size_t cap;
	size_t max;
	gr_regex_status status; /* OK, TOO_LARGE or NO_MEMORY */
	size_t classes_cap;
} comp;

static uint32_t emit(comp *c, rx_iop op, uint32_t out, uint32_t arg)
{
	if (c->status)
		return 0;
	rx_prog *p = c->prog;
	if (p->ninst >= c->max) {
		c->status = GR_REGEX_TOO_LARGE;
		return 0;
	}
	if (p->ninst == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 64;
		if (nc > c->max + 1)
			nc = c->max + 1;
		rx_inst *ni = realloc(p->inst, nc * sizeof *ni);
		if (!ni) {
			c->status = GR_REGEX_NO_MEMORY;
			return 0;
		}
		p->inst = ni;
		c->cap = nc;
	}
	p->inst[p->ninst] = (rx_inst){(uint8_t)op, out, arg};
	return (uint32_t)p->ninst++;
}

static frag single(comp *c, rx_iop op, uint32_t arg)
{
	uint32_t i = emit(c, op, 0, arg);
	return (frag){i, i << 1, i << 1};
}

static void patch(comp *c, uint32_t list, uint32_t target)
{
	if (c->status)
		return;
	while (list) {
		rx_inst *in = &c->prog->inst[list >> 1];
		uint32_t next;
		if (list & 1) {
			next = in->arg;
			in->arg = target;
		} else {
			next = in->out;
			in->out = target;
		}
		list = next;
	}
}

/* Concatenate patch lists; returns the combined (head, tail) in *f. */
static void append(comp *c, frag *f, uint32_t head, uint32_t tail)
{
	if (c->status || !head)
		return;
	if (!f->head) {
		f->head = head;
		f->tail = tail;
		return;
	}
	rx_inst *in = &c->prog->inst[f->tail >> 1];
	if (f->tail & 1)
		in->arg = head;
	else
		in->out = head;
	f->tail = tail;
}

static frag cat(comp *c, frag a, frag b)
{
	patch(c, a.head, b.start);
	return (frag){a.start, b.head, b.tail};
}

static frag quest(comp *c, frag x, bool nongreedy)
{
	uint32_t l = emit(c, I_SPLIT, 0, 0);
	frag f = {l, 0, 0};
	if (c->status)
		return f;
	if (nongreedy) {
		c->prog->inst[l].arg = x.start;
		f.head = f.tail = l << 1;
	} else {
		c->prog->inst[l].out = x.start;
		f.head = f.tail = (l << 1) | 1;
	}
	append(c, &f, x.head, x.tail);
	return f;
}

/* x+ : x then a split back to it. */
static frag plus(comp *c, frag x, bool nongreedy)
{
	uint32_t l = emit(c, I_SPLIT, 0, 0);
	frag f = {x.start, 0, 0};
	if (c->status)
		return f;
	patch(c, x.head, l);
	if (nongreedy) {
		c->prog->inst[l].arg = x.start;
		f.head = f.tail = l << 1;
	} else {
		c->prog->inst[l].out = x.start;
		f.head = f.tail = (l << 1) | 1;
	}
	return f;
}

static frag star(comp *c, frag x, bool nullable, bool nongreedy)
{
	if (nullable)
		return quest(c, plus(c, x, nongreedy), nongreedy);
	uint32_t l = emit(c, I_SPLIT, 0, 0);
	frag f = {l, 0, 0};
	if (c->status)
		return f;
	patch(c, x.head, l);
	if (nongreedy) {
		c->prog->inst[l].arg = x.start;
		f.head = f.tail = l << 1;
	} else {
		c->prog->inst[l].out = x.start;
		f.head = f.tail = (l << 1) | 1;
	}
	return f;
}

static int class_index(comp *c, rx_node *n)
{
	if (n->class_id >= 0)
		return n->class_id;
	rx_prog *p = c->prog;
	if (p->nclasses == c->classes_cap) {
		size_t nc = c->classes_cap ? c->classes_cap * 2 : 8;
		rx_pclass *ncl = realloc(p->classes, nc * sizeof *ncl);
		if (!ncl) {
			c->status = GR_REGEX_NO_MEMORY;
			return -1;
		}
		p->classes = ncl;
		c->classes_cap = nc;
	}
	rx_pclass *pc = &p->classes[p->nclasses];
	memset(pc, 0, sizeof *pc);
	pc->r = malloc((n->nranges ? n->nranges : 1) * 2 * sizeof(uint32_t));
	if (!pc->r) {
		c->status = GR_REGEX_NO_MEMORY;
		return -1;
	}
	memcpy(pc->r, n->ranges, n->nranges * 2 * sizeof(uint32_t));
	pc->n = n->nranges;
	for (size_t i = 0; i < n->nranges; i++)
		for (uint32_t r = n->ranges[2 * i]; r <= n->ranges[2 * i + 1] && r < 128; r++)
			pc->ascii[r >> 6] |= (uint64_t)1 << (r & 63);
	n->class_id = (int)p->nclasses++;
	return n->class_id;
}

static frag compile(comp *c, rx_node *n);

static frag repeat(comp *c, rx_node *n)
{
	rx_node *x = n->sub[0];
	bool ng = (n->flags & RXF_NON_GREEDY) != 0;
	int min = n->min, max = n->max;
	if (max == -1) {
		if (min == 0)
			return star(c, compile(c, x), x->nullable, ng);
		frag f = {0, 0, 0};
		bool have = false;
		for (int i = 0; i < min - 1 && !c->status; i++) {
			frag y = compile(c, x);
			f = have ? cat(c, f, y) : y;
			have = true;
		}
		frag last = plus(c, compile(c, x), ng);
		return have ? cat(c, f, last) : last;
	}
	if (min == 0 && max == 0)
		return single(c, I_NOP, 0);
	if (min == 1 && max == 1)
		return compile(c, x);
	frag f = {0, 0, 0};
	bool have = false;
	for (int i = 0; i < min && !c->status; i++) {
		frag y = compile(c, x);
		f = have ? cat(c, f, y) : y;
		have = true;
	}
	if (max > min) {
		/* (x(x(x)?)?)? built from the inside out */
		frag suffix = quest(c, compile(c, x), ng);
		for (int i = min + 1; i < max && !c->status; i++)
			suffix = quest(c, cat(c, compile(c, x), suffix), ng);
		f = have ? cat(c, f, suffix) : suffix;
	}
	return f;
}

static frag compile(comp *c, rx_node *n)
{
	frag none = {0, 0, 0};
	if (c->status)
		return none;
	bool ng = (n->flags & RXF_NON_GREEDY) != 0;
	switch (n->op) {
	case RX_NO_MATCH: {
		uint32_t i = emit(c, I_FAIL, 0, 0);
		return (frag){i, 0, 0};
	}
	case RX_EMPTY_MATCH: return single(c, I_NOP, 0);
	case RX_LITERAL: return single(c, I_RUNE1, n->rune);
	case RX_CLASS: {
		if (n->nranges == 1 && n->ranges[0] == n->ranges[1])
			return single(c, I_RUNE1, n->ranges[0]);
		if (n->nranges == 0) {
			uint32_t i = emit(c, I_FAIL, 0, 0);
			return (frag){i, 0, 0};
		}
		int k = class_index(c, n);
		return k < 0 ? none : single(c, I_CLASS, (uint32_t)k);
	}
	case RX_ANY_NOT_NL: return single(c, I_ANY_NOT_NL, 0);
	case RX_ANY: return single(c, I_ANY, 0);
	case RX_BEGIN_LINE: return single(c, I_EMPTY, EMPTY_BEGIN_LINE);
	case RX_END_LINE: return single(c, I_EMPTY, EMPTY_END_LINE);
	case RX_BEGIN_TEXT: return single(c, I_EMPTY, EMPTY_BEGIN_TEXT);
	case RX_END_TEXT: return single(c, I_EMPTY, EMPTY_END_TEXT);
	case RX_WORD_BOUNDARY: return single(c, I_EMPTY, EMPTY_WORD_BOUNDARY);
	case RX_NO_WORD_BOUNDARY: return single(c, I_EMPTY, EMPTY_NO_WORD_BOUNDARY);
	case RX_CAPTURE: {
		frag open = single(c, I_SAVE, (uint32_t)(2 * n->cap));
		frag body = compile(c, n->sub[0]);
		frag close = single(c, I_SAVE, (uint32_t)(2 * n->cap + 1));
		return cat(c, cat(c, open, body), close);
	}
	case RX_STAR: return star(c, compile(c, n->sub[0]), n->sub[0]->nullable, ng);
	case RX_PLUS: return plus(c, compile(c, n->sub[0]), ng);
	case RX_QUEST: return quest(c, compile(c, n->sub[0]), ng);
	case RX_REPEAT: return repeat(c, n);
	case RX_CONCAT: {
		frag f = compile(c, n->sub[0]);
		for (size_t i = 1; i < n->nsub && !c->status; i++)
			f = cat(c, f, compile(c, n->sub[i]));
		return f;
	}
	case RX_ALTERNATE: {
		/* split(s1, split(s2, ... sn)) */
		frag f = {0, 0, 0};
		uint32_t prev_split = 0;
		bool first = true;
		for (size_t i = 0; i < n->nsub && !c->status; i++) {
			frag s = compile(c, n->sub[i]);
			uint32_t entry = s.start;
			if (i + 1 < n->nsub) {
				uint32_t l = emit(c, I_SPLIT, s.start, 0);
				entry = l;
				if (!c->status)
					c->prog->inst[l].out = s.start;
				if (!first && !c->status)
					c->prog->inst[prev_split].arg = l;
				prev_split = l;
			} else if (!first && !c->status) {
				c->prog->inst[prev_split].arg = s.start;
			}
			if (first)
				f.start = entry;
			first = false;
			append(c, &f, s.head, s.tail);
		}
		return f;
	}
	default: return single(c, I_NOP, 0);
	}
}

/* Literal bytes every match starts with, and whether it must start at 0. */
static void analyse(rx_prog *p)
{
	uint32_t pc = p->start;
	for (;;) {
		rx_inst *in = &p->inst[pc];
		if (in->op == I_SAVE || in->op == I_NOP) {
			pc = in->out;
			continue;
		}
		if (in->op == I_EMPTY && (in->arg & EMPTY_BEGIN_TEXT))
			p->anchor_start = true;
		break;
	}
	char buf[256];
	size_t n = 0;
	for (;;) {
		rx_inst *in = &p->inst[pc];
		if (in->op == I_SAVE || in->op == I_NOP) {
			pc = in->out;
			continue;
		}
		if (in->op != I_RUNE1 || n + 4 > sizeof buf)
			break;
		uint32_t r = in->arg;
		if (r < 0x80) {
			buf[n++] = (char)r;
		} else if (r < 0x800) {
			buf[n++] = (char)(0xC0 | (r >> 6));
			buf[n++] = (char)(0x80 | (r & 0x3F));
		} else if (r < 0x10000) {
			if (r >= 0xD800 && r <= 0xDFFF)
				break; /* never matched: leave it to the VM */
			buf[n++] = (char)(0xE0 | (r >> 12));
			buf[n++] = (char)(0x80 | ((r >> 6) & 0x3F));
			buf[n++] = (char)(0x80 | (r & 0x3F));
		} else {
			buf[n++] = (char)(0xF0 | (r >> 18));
			buf[n++] = (char)(0x80 | ((r >> 12) & 0x3F));
			buf[n++] = (char)(0x80 | ((r >> 6) & 0x3F));
			buf[n++] = (char)(0x80 | (r & 0x3F));
		}
		if (r == 0xFFFD)
			break; /* U+FFFD also matches each invalid byte: no byte search */
		pc = in->out;
	}
	/* U+FFFD as the last rune: drop its bytes */
	if (n >= 3 && (unsigned char)buf[n - 3] == 0xEF && (unsigned char)buf[n - 2] == 0xBF &&
	    (unsigned char)buf[n - 1] == 0xBD)
		n -= 3;
	if (n) {
		p->prefix = malloc(n);
		if (p->prefix) {
			memcpy(p->prefix, buf, n);
			p->prefix_len = n;
		}
	}
	for (size_t i = 0; i < p->ninst; i++) {
		uint8_t op = p->inst[i].op;
		if (op == I_MATCH || op == I_RUNE1 || op == I_CLASS || op == I_ANY || op == I_ANY_NOT_NL)
			p->nconsume++;
	}
}

int rx_compile(const rx_parsed *ps, bool longest, size_t max_inst, rx_prog *out, gr_regex_error *err)
{
	memset(out, 0, sizeof *out);
	comp c = {.prog = out, .max = max_inst};
	emit(&c, I_FAIL, 0, 0); /* instruction 0: never a patch-list entry */
	frag open = single(&c, I_SAVE, 0);
	frag body = compile(&c, ps->root);
	frag close = single(&c, I_SAVE, 1);
	frag all = cat(&c, cat(&c, open, body), close);
	uint32_t m = emit(&c, I_MATCH, 0, 0);
	patch(&c, all.head, m);
	if (c.status) {
		rx_prog_free(out);
		return rx_set_error(err, c.status, NULL, 0, 0);
	}
	out->start = all.start;
	out->ncap = ps->ncap;
	out->longest = longest;
	analyse(out);
	return 0; /* the DFA is built when first asked for (rx_dfa_get) */
}

void rx_prog_free(rx_prog *p)
{
	for (size_t i = 0; i < p->nclasses; i++)
		free(p->classes[i].r);
	free(p->classes);
	free(p->inst);
	free(p->prefix);
	rx_dfa_free(p->dfa);
	memset(p, 0, sizeof *p);
}
