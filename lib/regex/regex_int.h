/*
 * regex_int.h — what the regex library's files share: the syntax tree the
 * parser builds (parse.c), rune classes (charclass.c, over the generated
 * unicode_tables.c), the program the compiler emits (compile.c) and the
 * Pike VM that runs it (exec.c). The public face is regex.c.
 */
#ifndef GR_REGEX_INT_H
#define GR_REGEX_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guardrail/arena.h"
#include "guardrail/regex.h"

#define RX_MAX_RUNE   0x10FFFF
#define RX_MAX_REPEAT 1000
#define RX_MAX_HEIGHT 1000
/* Go's maxSize (128 MB of 40-byte instructions) and maxRunes (128 MB of runes). */
#define RX_MAX_SIZE  ((int64_t)(128 << 20) / 40)
#define RX_MAX_RUNES ((int64_t)(128 << 20) / 4)

/* ---- rune classes: sorted, disjoint, non-adjacent [lo, hi] pairs ---- */
typedef struct rx_class {
	uint32_t *r; /* r[2i] = lo, r[2i+1] = hi */
	size_t n;    /* number of ranges */
	size_t cap;  /* capacity in ranges */
	bool failed; /* an allocation failed */
} rx_class;

void rx_class_add(rx_class *c, uint32_t lo, uint32_t hi);
void rx_class_add_folded(rx_class *c, uint32_t lo, uint32_t hi);
void rx_class_add_class(rx_class *c, const uint32_t *r, size_t n, bool negate, bool fold);
void rx_class_clean(rx_class *c);  /* sort and merge */
void rx_class_negate(rx_class *c); /* c must be clean */
void rx_class_free(rx_class *c);
bool rx_class_has(const uint32_t *r, size_t n, uint32_t c);
uint32_t rx_simple_fold(uint32_t r);

typedef struct gri_utable {
	const char *name;
	const uint32_t *r;
	size_t n;
} gri_utable;
typedef struct gri_ualias {
	const char *alias, *name;
} gri_ualias;
extern const gri_ualias gri_unicode_aliases[];
extern const size_t gri_unicode_naliases;
extern const gri_utable gri_unicode_tables[];
extern const size_t gri_unicode_ntables;
extern const uint32_t gri_fold_orbit[][2];
extern const size_t gri_fold_norbit;
extern const char gri_unicode_version[];

/* A named group: \d \s \w (Perl) or [:alpha:] (POSIX); NULL if unknown. */
typedef struct rx_group {
	const char *name;
	int sign; /* +1, or -1 for the negated form */
	const uint32_t *r;
	size_t n;
} rx_group;
const rx_group *rx_perl_group(char c);
const rx_group *rx_posix_group(const char *name, size_t len);
/* \p{name}, the name matched as Go 1.25 does (case, '_', '-' and ' '
 * ignored; aliases such as Letter; Any, Assigned, ASCII): the table, or
 * NULL. *sign is -1 when the table is to be negated (Assigned). */
const gri_utable *rx_unicode_table(const char *name, size_t len, int *sign);

/* ---- syntax tree ---- */
typedef enum rx_op {
	RX_NO_MATCH = 1,
	RX_EMPTY_MATCH,
	RX_LITERAL, /* one rune, case-sensitive (a folded literal is a class) */
	RX_CLASS,
	RX_ANY_NOT_NL,
	RX_ANY,
	RX_BEGIN_LINE,
	RX_END_LINE,
	RX_BEGIN_TEXT,
	RX_END_TEXT,
	RX_WORD_BOUNDARY,
	RX_NO_WORD_BOUNDARY,
	RX_CAPTURE,
	RX_STAR,
	RX_PLUS,
	RX_QUEST,
	RX_REPEAT,
	RX_CONCAT,
	RX_ALTERNATE,
	RX_PSEUDO, /* parse-stack markers below */
	RX_LEFT_PAREN,
	RX_VERTICAL_BAR
} rx_op;

/* Parse flags, as Go's syntax.Flags. */
enum {
	RXF_FOLD_CASE = 1 << 0,
	RXF_DOT_NL = 1 << 1,
	RXF_ONE_LINE = 1 << 2,
	RXF_NON_GREEDY = 1 << 3,
};

typedef struct rx_node rx_node;
struct rx_node {
	rx_op op;
	int flags;
	int min, max; /* RX_REPEAT; max -1: no upper bound */
	int cap;      /* RX_CAPTURE / RX_LEFT_PAREN: group number (0: non-capturing paren) */
	const char *name;
	uint32_t rune;    /* RX_LITERAL */
	uint32_t *ranges; /* RX_CLASS */
	size_t nranges;
	int class_id; /* compile-time: index in the program's class table, -1 before */
	rx_node **sub;
	size_t nsub, subcap;
	int64_t size; /* Go's calcSize of this subtree */
	int height;
	bool nullable; /* can match the empty string (compile-time) */
	size_t pos;    /* RX_LEFT_PAREN / RX_VERTICAL_BAR: byte offset in the pattern */
};

typedef struct rx_parsed {
	rx_node *root;
	int ncap;
	const char **names; /* [ncap + 1], names[i] NULL when unnamed */
} rx_parsed;

/* Parse with Go's Perl flags (GR_REGEX_LITERAL: the whole text literal). */
int rx_parse(const char *s, size_t len, int gflags, gr_arena *a, rx_parsed *out, gr_regex_error *err);
int rx_set_error(gr_regex_error *err, gr_regex_status st, const char *pattern, size_t off, size_t len);

/* ---- program ---- */
typedef enum rx_iop {
	I_MATCH,
	I_RUNE1, /* arg: the rune */
	I_CLASS, /* arg: class index */
	I_ANY,
	I_ANY_NOT_NL,
	I_SPLIT, /* out preferred, arg the alternative */
	I_JMP,
	I_SAVE,  /* arg: slot */
	I_EMPTY, /* arg: EMPTY_* flags that must all hold */
	I_NOP,
	I_FAIL
} rx_iop;

enum {
	EMPTY_BEGIN_LINE = 1,
	EMPTY_END_LINE = 2,
	EMPTY_BEGIN_TEXT = 4,
	EMPTY_END_TEXT = 8,
	EMPTY_WORD_BOUNDARY = 16,
	EMPTY_NO_WORD_BOUNDARY = 32
};

typedef struct rx_inst {
	uint8_t op;
	uint32_t out, arg;
} rx_inst;

typedef struct rx_pclass {
	uint32_t *r;
	size_t n;
	uint64_t ascii[2]; /* bitmap of the ASCII runes in the class */
} rx_pclass;

/* The boolean fast path (dfa.c): states over byte classes of ASCII. */
#define RX_DFA_DEAD  0xFFFF
#define RX_DFA_MATCH 1 /* a thread has matched: the answer is yes */
#define RX_DFA_END   2 /* at the end of the text, a thread would match */
typedef struct rx_dfa {
	uint16_t *trans; /* nstates x ncls: next state or RX_DFA_DEAD */
	uint8_t *flags;  /* per state */
	uint8_t cls[128];
	uint16_t ncls, nstates;
} rx_dfa;

typedef struct rx_prog {
	rx_inst *inst;
	size_t ninst;
	uint32_t start;
	rx_pclass *classes;
	size_t nclasses;
	int ncap;          /* capture groups, not counting 0 */
	bool anchor_start; /* every match begins at text start */
	bool longest;
	char *prefix; /* literal bytes every match starts with, or NULL */
	size_t prefix_len;
	size_t nconsume; /* consuming instructions (thread slots needed) */
	rx_dfa *dfa;     /* built at the first gr_regex_match (rx_dfa_get), or NULL */
	bool dfa_tried;  /* rx_dfa_get ran: a NULL dfa means only the Pike VM */
} rx_prog;

/* The program's DFA, built at the first call (any thread may call it;
 * atomics publish it); NULL when the program has none. */
const rx_dfa *rx_dfa_get(rx_prog *p);
/* 1 / 0, or -1: the DFA cannot answer (non-ASCII byte, empty text). */
int rx_dfa_match(const rx_dfa *d, const unsigned char *s, size_t len);
void rx_dfa_free(rx_dfa *d);

int rx_compile(const rx_parsed *p, bool longest, size_t max_inst, rx_prog *out, gr_regex_error *err);
void rx_prog_free(rx_prog *p);

/* ---- execution ---- */
typedef enum rx_anchor { RX_UNANCHORED, RX_ANCHOR_BOTH } rx_anchor;
/* caps: 2 * ncap slots or NULL (only whether it matches). 1 / 0 / -1 (memory). */
int rx_exec(const rx_prog *p, const char *s, size_t len, size_t from, rx_anchor anchor, size_t *caps,
            size_t ncaps, gr_regex_scratch *sc);

/* Go's utf8.DecodeRune: invalid input is U+FFFD of width 1; *w is 0 at end. */
uint32_t rx_decode(const unsigned char *s, size_t len, size_t *w);

struct gr_regex {
	rx_prog prog;
	char *source;
	size_t source_len;
	const char **names; /* [ngroups + 1] */
	size_t ngroups;
};

#endif
