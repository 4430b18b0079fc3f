/*
 * dfa.c — the fast path for the common question "does it match anywhere?"
 * (gr_regex_match, what a CRD `pattern` asks): a DFA built by subset
 * construction over the Pike VM program, stepping one ASCII byte per table
 * lookup. It is built at the first such question, not at compile time: a
 * session compiles every pattern of every CRD it checks (to judge the CRD
 * itself) and matches few of them, and building took 3.5% of a corpus run.
 *
 * It is built only when it is small and exact: the program's only
 * empty-width assertions are \A/^ and \z/$ (a text start and end, the usual
 * `^...$`), at most 256 states over the byte classes of 0..127, and a
 * bounded amount of construction work. Each state is the set of threads
 * alive after a prefix of the subject, plus a thread started at every
 * position (an unanchored search). A subject with a non-ASCII byte, or an
 * empty subject, goes to the Pike VM instead. Once built the table never
 * changes: it is published with a compare-and-swap (two threads that build
 * it at once keep one table and free the other), so matching takes no lock
 * and no scratch.
 */
#include <stdlib.h>
#include <string.h>

#include "regex_int.h"

#define MAX_STATES 256
#define MAX_WORK   (96u << 10) /* closure steps and set entries: a few ms at most */

typedef struct builder {
	const rx_prog *p;
	uint32_t *mark; /* per instruction: the stamp of the last closure that saw it */
	uint32_t stamp;
	uint32_t *stack;
	uint32_t *set; /* the set being built */
	size_t nset;
	size_t work;
	/* states: sorted instruction sets in one pool */
	uint32_t *pool;
	size_t npool, cappool;
	size_t *start, *len;
	size_t nstates;
	uint32_t *hash; /* open addressing over 2 * MAX_STATES slots; 0 empty, else state + 1 */
} builder;

static bool is_leaf(uint8_t op)
{
	return op == I_RUNE1 || op == I_CLASS || op == I_ANY || op == I_ANY_NOT_NL || op == I_MATCH ||
	       op == I_EMPTY;
}

/* Add the closure of pc to b->set. at_start: \A holds here. at_end: \z
 * holds (only asked when checking acceptance at the end). */
static void closure(builder *b, uint32_t pc, bool at_start, bool at_end)
{
	size_t sp = 0;
	b->stack[sp++] = pc;
	while (sp) {
		pc = b->stack[--sp];
		for (;;) {
			b->work++;
			if (b->mark[pc] == b->stamp)
				break;
			b->mark[pc] = b->stamp;
			const rx_inst *in = &b->p->inst[pc];
			if (in->op == I_NOP || in->op == I_JMP || in->op == I_SAVE) {
				pc = in->out;
				continue;
			}
			if (in->op == I_SPLIT) {
				b->stack[sp++] = in->arg;
				pc = in->out;
				continue;
			}
			if (in->op == I_EMPTY) {
				if (in->arg == EMPTY_BEGIN_TEXT) {
					if (at_start) {
						pc = in->out;
						continue;
					}
					break;
				}
				if (at_end) { /* \z */
					pc = in->out;
					continue;
				}
			}
			if (is_leaf(in->op))
				b->set[b->nset++] = pc;
			break;
		}
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Sort and dedup b->set; find or add it as a state. -1: too many or no memory. */
static long intern(builder *b)
{
	b->work += b->nset;
	if (b->nset > 128)
		return -1; /* a state this wide steps slowly anyway */
	qsort(b->set, b->nset, sizeof *b->set, cmp_u32);
	size_t w = 0;
	for (size_t i = 0; i < b->nset; i++)
		if (w == 0 || b->set[w - 1] != b->set[i])
			b->set[w++] = b->set[i];
	b->nset = w;
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < w; i++)
		h = (h ^ b->set[i]) * 1099511628211ull;
	size_t slots = 2 * MAX_STATES;
	for (size_t k = h % slots;; k = (k + 1) % slots) {
		uint32_t e = b->hash[k];
		if (e == 0) {
			if (b->nstates >= MAX_STATES)
				return -1;
			if (b->npool + w > b->cappool) {
				size_t nc = (b->cappool + w) * 2;
				uint32_t *np = realloc(b->pool, nc * sizeof *np);
				if (!np)
					return -1;
				b->pool = np;
				b->cappool = nc;
			}
			memcpy(b->pool + b->npool, b->set, w * sizeof *b->set);
			b->start[b->nstates] = b->npool;
			b->len[b->nstates] = w;
			b->npool += w;
			b->hash[k] = (uint32_t)b->nstates + 1;
			return (long)b->nstates++;
		}
		size_t s = e - 1;
		if (b->len[s] == w && memcmp(b->pool + b->start[s], b->set, w * sizeof *b->set) == 0)
			return (long)s;
	}
}

static bool consumes_byte(const rx_prog *p, const rx_inst *in, unsigned char c)
{
	switch (in->op) {
	case I_RUNE1: return in->arg == c;
	case I_ANY: return true;
	case I_ANY_NOT_NL: return c != '\n';
	case I_CLASS: return (p->classes[in->arg].ascii[c >> 6] >> (c & 63)) & 1;
	default: return false;
	}
}

/* Partition 0..127 into classes of bytes no instruction tells apart. */
static uint16_t byte_classes(const rx_prog *p, uint8_t *cls)
{
	memset(cls, 0, 128);
	uint16_t n = 1;
	for (size_t i = 0; i < p->ninst && n < 128; i++) {
		const rx_inst *in = &p->inst[i];
		if (in->op != I_RUNE1 && in->op != I_CLASS && in->op != I_ANY_NOT_NL)
			continue;
		int16_t remap[256];
		for (int k = 0; k < 256; k++)
			remap[k] = -1;
		uint16_t m = 0;
		uint8_t next[128];
		for (int c = 0; c < 128; c++) {
			int key = cls[c] * 2 + consumes_byte(p, in, (unsigned char)c);
			if (remap[key] < 0)
				remap[key] = (int16_t)m++;
			next[c] = (uint8_t)remap[key];
		}
		memcpy(cls, next, 128);
		n = m;
	}
	return n;
}

static rx_dfa *dfa_build(const rx_prog *p)
{
	for (size_t i = 0; i < p->ninst; i++)
		if (p->inst[i].op == I_EMPTY && p->inst[i].arg != EMPTY_BEGIN_TEXT &&
		    p->inst[i].arg != EMPTY_END_TEXT)
			return NULL; /* line anchors, word boundaries: the Pike VM handles them */
	if (p->ninst > 600)
		return NULL; /* CRD patterns are far smaller; big programs stay on the VM */
	rx_dfa *built = NULL;
	rx_dfa *d = calloc(1, sizeof *d);
	builder b = {.p = p};
	b.mark = calloc(p->ninst, sizeof *b.mark);
	b.stack = malloc((p->ninst + 1) * sizeof *b.stack);
	b.set = malloc((2 * p->ninst + 1) * sizeof *b.set);
	b.start = malloc(MAX_STATES * sizeof *b.start);
	b.len = malloc(MAX_STATES * sizeof *b.len);
	b.hash = calloc(2 * MAX_STATES, sizeof *b.hash);
	uint32_t *inject = malloc((p->ninst + 1) * sizeof *inject);
	b.cappool = 64;
	b.pool = malloc(b.cappool * sizeof *b.pool);
	bool ok = d && b.mark && b.stack && b.set && b.start && b.len && b.hash && inject && b.pool;
	size_t ninject = 0;
	if (ok) {
		d->ncls = byte_classes(p, d->cls);
		d->trans = malloc((size_t)MAX_STATES * d->ncls * sizeof *d->trans);
		d->flags = calloc(MAX_STATES, 1);
		ok = d->trans && d->flags;
	}
	if (ok) {
		/* the thread started at every later position */
		b.stamp++;
		closure(&b, p->start, false, false);
		ninject = b.nset;
		memcpy(inject, b.set, ninject * sizeof *inject);
		b.nset = 0;
		b.stamp++;
		closure(&b, p->start, true, false);
		ok = intern(&b) == 0;
	}
	uint8_t rep[128];
	for (int c = 127; c >= 0; c--)
		if (ok)
			rep[d->cls[c]] = (uint8_t)c;
	for (size_t s = 0; ok && s < b.nstates; s++) {
		/* flags: a MATCH inside; or one after \z, for the end of the text */
		const uint32_t *set = b.pool + b.start[s];
		size_t n = b.len[s];
		for (size_t i = 0; i < n; i++)
			if (p->inst[set[i]].op == I_MATCH)
				d->flags[s] |= RX_DFA_MATCH;
		b.stamp++;
		b.nset = 0;
		for (size_t i = 0; i < n; i++)
			if (p->inst[set[i]].op == I_EMPTY)
				closure(&b, p->inst[set[i]].out, false, true);
		for (size_t i = 0; i < b.nset; i++)
			if (p->inst[b.set[i]].op == I_MATCH)
				d->flags[s] |= RX_DFA_END;
		for (uint16_t k = 0; ok && k < d->ncls; k++) {
			b.stamp++;
			b.nset = 0;
			set = b.pool + b.start[s]; /* the pool may have moved */
			for (size_t i = 0; i < b.len[s]; i++) {
				const rx_inst *in = &p->inst[set[i]];
				if (consumes_byte(p, in, rep[k]))
					closure(&b, in->out, false, false);
			}
			for (size_t i = 0; i < ninject; i++)
				if (b.mark[inject[i]] != b.stamp) {
					b.mark[inject[i]] = b.stamp;
					b.set[b.nset++] = inject[i];
				}
			long t = b.nset ? intern(&b) : RX_DFA_DEAD;
			if (t < 0 || b.work > MAX_WORK)
				ok = false;
			else
				d->trans[s * d->ncls + k] = (uint16_t)t;
		}
	}
	if (ok) {
		d->nstates = (uint16_t)b.nstates;
		uint16_t *shrunk = realloc(d->trans, (size_t)b.nstates * d->ncls * sizeof *d->trans);
		if (shrunk)
			d->trans = shrunk;
		built = d;
	} else if (d) {
		free(d->trans);
		free(d->flags);
		free(d);
	}
	free(b.mark);
	free(b.stack);
	free(b.set);
	free(b.pool);
	free(b.start);
	free(b.len);
	free(b.hash);
	free(inject);
	return built;
}

const rx_dfa *rx_dfa_get(rx_prog *p)
{
	rx_dfa *d = __atomic_load_n(&p->dfa, __ATOMIC_ACQUIRE);
	if (d || __atomic_load_n(&p->dfa_tried, __ATOMIC_ACQUIRE))
		return d;
	rx_dfa *mine = dfa_build(p), *none = NULL;
	if (mine &&
	    !__atomic_compare_exchange_n(&p->dfa, &none, mine, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		rx_dfa_free(mine); /* another thread published its table first */
		mine = none;
	}
	__atomic_store_n(&p->dfa_tried, true, __ATOMIC_RELEASE);
	return mine;
}

int rx_dfa_match(const rx_dfa *d, const unsigned char *s, size_t len)
{
	uint32_t st = 0;
	if (d->flags[0] & RX_DFA_MATCH)
		return 1;
	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];
		if (c & 0x80)
			return -1;
		st = d->trans[st * d->ncls + d->cls[c]];
		if (st == RX_DFA_DEAD)
			return 0;
		if (d->flags[st] & RX_DFA_MATCH)
			return 1;
	}
	return (d->flags[st] & RX_DFA_END) != 0;
}

void rx_dfa_free(rx_dfa *d)
{
	if (d) {
		free(d->trans);
		free(d->flags);
		free(d);
	}
}
