/*
 * exec.c — the Pike VM: every thread of the program advances in lock step
 * over the subject, one rune at a time, so a match costs at most
 * (subject runes) x (program instructions) steps whatever the pattern.
 *
 * Threads are kept in priority order (leftmost-first, as Go and RE2): when
 * a thread matches, the lower-priority ones after it are cut. A sparse set
 * per step visits each instruction once, which also ends empty loops. With
 * no capture slots asked for (a yes/no match) threads carry nothing and the
 * first match ends the run. When no thread is alive, a literal prefix is
 * searched with memmem to skip ahead. Scratch memory comes from the caller
 * (a gr_regex_scratch), the stack, or a temporary malloc.
 */
#include <stdlib.h>
#include <string.h>

#include "regex_int.h"

struct gr_regex_scratch {
	void *mem;
	size_t cap;
};

gr_regex_scratch *gr_regex_scratch_new(void)
{
	return calloc(1, sizeof(gr_regex_scratch));
}

void gr_regex_scratch_free(gr_regex_scratch *sc)
{
	if (sc) {
		free(sc->mem);
		free(sc);
	}
}

uint32_t rx_decode(const unsigned char *s, size_t len, size_t *w)
{
	if (len == 0) {
		*w = 0;
		return 0xFFFD;
	}
	unsigned char c = s[0];
	*w = 1;
	if (c < 0x80)
		return c;
	uint32_t r;
	size_t need;
	uint32_t min;
	if (c >= 0xC2 && c <= 0xDF) {
		r = c & 0x1F;
		need = 1;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		r = c & 0x0F;
		need = 2;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		r = c & 0x07;
		need = 3;
		min = 0x10000;
	} else {
		return 0xFFFD;
	}
	if (len < need + 1)
		return 0xFFFD;
	for (size_t i = 1; i <= need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0xFFFD;
		r = (r << 6) | (s[i] & 0x3F);
	}
	if (r < min || r > RX_MAX_RUNE || (r >= 0xD800 && r <= 0xDFFF))
		return 0xFFFD;
	*w = need + 1;
	return r;
}

#define NO_RUNE 0xFFFFFFFFu

static bool is_word(uint32_t r)
{
	return r < 0x80 &&
	       ((r >= '0' && r <= '9') || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') || r == '_');
}

/* The empty-width assertions that hold between rune `before` and rune
 * `after` (NO_RUNE at the text's ends). */
static uint32_t context(uint32_t before, uint32_t after)
{
	uint32_t f = 0;
	if (before == NO_RUNE)
		f |= EMPTY_BEGIN_TEXT | EMPTY_BEGIN_LINE;
	else if (before == '\n')
		f |= EMPTY_BEGIN_LINE;
	if (after == NO_RUNE)
		f |= EMPTY_END_TEXT | EMPTY_END_LINE;
	else if (after == '\n')
		f |= EMPTY_END_LINE;
	f |= is_word(before) != is_word(after) ? EMPTY_WORD_BOUNDARY : EMPTY_NO_WORD_BOUNDARY;
	return f;
}

/* The rune before pos, as far as assertions care: only ASCII matters. */
static uint32_t rune_before(const unsigned char *s, size_t pos)
{
	if (pos == 0)
		return NO_RUNE;
	return s[pos - 1] < 0x80 ? s[pos - 1] : 0xFFFD;
}

static uint32_t rune_at(const unsigned char *s, size_t len, size_t pos, size_t *w)
{
	if (pos >= len) {
		*w = 0;
		return NO_RUNE;
	}
	if (s[pos] < 0x80) {
		*w = 1;
		return s[pos];
	}
	return rx_decode(s + pos, len - pos, w);
}

typedef struct queue {
	uint32_t *sparse, *dense; /* visited instructions this step */
	size_t nvisit;
	uint32_t *pcs; /* threads: consuming instructions and matches, in priority order */
	size_t *caps;  /* nc slots per thread */
	size_t nthreads;
} queue;

typedef struct entry {
	uint32_t pc; /* NO_RUNE: a capture to restore */
	uint32_t slot;
	size_t val;
} entry;

typedef struct vm {
	const rx_prog *p;
	size_t nc;
	entry *stack;
	size_t *work; /* capture slots of the thread being followed */
} vm;

static bool visited(queue *q, uint32_t pc)
{
	uint32_t i = q->sparse[pc];
	if (i < q->nvisit && q->dense[i] == pc)
		return true;
	q->sparse[pc] = (uint32_t)q->nvisit;
	q->dense[q->nvisit++] = pc;
	return false;
}

/* Follow the empty transitions from pc at pos, adding every thread reached
 * in priority order. caps (nc slots) is the thread's state; it is left as
 * it was on return. */
static void add(vm *m, queue *q, uint32_t pc0, size_t pos, size_t *caps, uint32_t ctx)
{
	const rx_inst *prog = m->p->inst;
	size_t sp = 0;
	m->stack[sp++] = (entry){pc0, 0, 0};
	while (sp) {
		entry e = m->stack[--sp];
		if (e.pc == NO_RUNE) {
			caps[e.slot] = e.val;
			continue;
		}
		uint32_t pc = e.pc;
		for (;;) {
			if (visited(q, pc))
				break;
			const rx_inst *in = &prog[pc];
			switch (in->op) {
			case I_FAIL: break;
			case I_NOP:
			case I_JMP: pc = in->out; continue;
			case I_SPLIT:
				m->stack[sp++] = (entry){in->arg, 0, 0};
				pc = in->out;
				continue;
			case I_SAVE:
				if (in->arg < m->nc) {
					m->stack[sp++] = (entry){NO_RUNE, in->arg, caps[in->arg]};
					caps[in->arg] = pos;
				}
				pc = in->out;
				continue;
			case I_EMPTY:
				if ((in->arg & ~ctx) == 0) {
					pc = in->out;
					continue;
				}
				break;
			default: {
				size_t t = q->nthreads++;
				q->pcs[t] = pc;
				if (m->nc)
					memcpy(q->caps + t * m->nc, caps, m->nc * sizeof *caps);
				break;
			}
			}
			break;
		}
	}
}

static bool consumes(const rx_prog *p, const rx_inst *in, uint32_t r)
{
	switch (in->op) {
	case I_RUNE1: return r == in->arg;
	case I_ANY: return true;
	case I_ANY_NOT_NL: return r != '\n';
	case I_CLASS: {
		const rx_pclass *c = &p->classes[in->arg];
		if (r < 128)
			return (c->ascii[r >> 6] >> (r & 63)) & 1;
		return rx_class_has(c->r, c->n, r);
	}
	default: return false;
	}
}

static size_t need_bytes(const rx_prog *p, size_t nc)
{
	size_t ni = p->ninst, nt = p->nconsume + 1;
	return 2 * (2 * ni * sizeof(uint32_t) + nt * sizeof(uint32_t) + nt * nc * sizeof(size_t)) +
	       (2 * ni + 2) * sizeof(entry) + 2 * nc * sizeof(size_t) + 64;
}

static void carve(void *mem, const rx_prog *p, size_t nc, queue *q0, queue *q1, vm *m, size_t **match)
{
	char *b = mem;
	size_t ni = p->ninst, nt = p->nconsume + 1;
	/* size_t-aligned pieces first */
	m->stack = (entry *)b;
	b += (2 * ni + 2) * sizeof(entry);
	queue *qs[2] = {q0, q1};
	for (int k = 0; k < 2; k++) {
		qs[k]->caps = (size_t *)b;
		b += nt * nc * sizeof(size_t);
	}
	m->work = (size_t *)b;
	b += nc * sizeof(size_t);
	*match = (size_t *)b;
	b += nc * sizeof(size_t);
	for (int k = 0; k < 2; k++) {
		qs[k]->sparse = (uint32_t *)b;
		b += ni * sizeof(uint32_t);
		qs[k]->dense = (uint32_t *)b;
		b += ni * sizeof(uint32_t);
		qs[k]->pcs = (uint32_t *)b;
		b += nt * sizeof(uint32_t);
		qs[k]->nvisit = qs[k]->nthreads = 0;
	}
}

static int run(const rx_prog *p, const unsigned char *s, size_t len, size_t from, rx_anchor anchor,
               size_t *caps, size_t nc, void *mem)
{
	queue qa, qb;
	vm m = {.p = p, .nc = nc};
	size_t *match;
	carve(mem, p, nc, &qa, &qb, &m, &match);
	queue *cl = &qa, *nl = &qb;
	bool matched = false;
	size_t pos = from, w, w2 = 0;
	uint32_t prev = rune_before(s, pos);
	uint32_t cur = rune_at(s, len, pos, &w);
	for (;;) {
		if (cl->nthreads == 0) {
			if (matched)
				break;
			if (anchor == RX_ANCHOR_BOTH && pos != from)
				break;
			if (p->anchor_start && pos != 0)
				break;
			if (p->prefix && anchor == RX_UNANCHORED) {
				const unsigned char *hit =
				        memmem(s + pos, len - pos, p->prefix, p->prefix_len);
				if (!hit)
					break;
				if ((size_t)(hit - s) != pos) {
					pos = (size_t)(hit - s);
					prev = rune_before(s, pos);
					cur = rune_at(s, len, pos, &w);
				}
			}
		}
		uint32_t next = w ? rune_at(s, len, pos + w, &w2) : NO_RUNE;
		if (!matched && (anchor == RX_UNANCHORED || pos == from)) {
			for (size_t i = 0; i < nc; i++)
				m.work[i] = GR_REGEX_NOSPAN;
			if (nc)
				m.work[0] = pos;
			add(&m, cl, p->start, pos, m.work, context(prev, cur));
		}
		nl->nvisit = 0;
		nl->nthreads = 0;
		uint32_t nctx = w ? context(cur, next) : 0;
		for (size_t t = 0; t < cl->nthreads; t++) {
			uint32_t pc = cl->pcs[t];
			size_t *tc = cl->caps + t * nc;
			const rx_inst *in = &p->inst[pc];
			if (p->longest && matched && nc && match[0] < tc[0])
				continue;
			if (in->op == I_MATCH) {
				if (anchor == RX_ANCHOR_BOTH && pos != len)
					continue;
				if (nc == 0)
					return 1;
				if (!p->longest || !matched || match[1] < pos || match[0] > tc[0])
					memcpy(match, tc, nc * sizeof *match);
				matched = true;
				if (!p->longest)
					break; /* lower-priority threads lose */
				continue;
			}
			if (w && consumes(p, in, cur))
				add(&m, nl, in->out, pos + w, tc, nctx);
		}
		if (w == 0)
			break;
		pos += w;
		prev = cur;
		cur = next;
		w = w2;
		queue *tmp = cl;
		cl = nl;
		nl = tmp;
	}
	if (matched && nc)
		memcpy(caps, match, nc * sizeof *caps);
	return matched;
}

int rx_exec(const rx_prog *p, const char *s, size_t len, size_t from, rx_anchor anchor, size_t *caps,
            size_t ncaps, gr_regex_scratch *sc)
{
	if (from > len)
		return 0;
	size_t nc = caps ? ncaps : 0;
	if (p->longest && nc < 2 && caps)
		nc = 2;
	if (!s)
		s = "";
	size_t need = need_bytes(p, nc);
	if (sc) {
		if (sc->cap < need) {
			void *nm = calloc(1, need);
			if (!nm)
				return -1;
			free(sc->mem);
			sc->mem = nm;
			sc->cap = need;
		}
		return run(p, (const unsigned char *)s, len, from, anchor, caps, nc, sc->mem);
	}
	_Alignas(max_align_t) char local[8192];
	if (need <= sizeof local) {
		memset(local, 0, need);
		return run(p, (const unsigned char *)s, len, from, anchor, caps, nc, local);
	}
	void *mem = calloc(1, need);
	if (!mem)
		return -1;
	int rc = run(p, (const unsigned char *)s, len, from, anchor, caps, nc, mem);
	free(mem);
	return rc;
}
