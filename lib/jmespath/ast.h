/*
 * ast.h — the JMESPath syntax tree and the internals shared by the lexer,
 * parser, evaluator and function table (not public).
 *
 * The trick: an expression reference (`&expr`) travels through function
 * arguments as a gr_value of the private type JP_EXPREF whose string
 * pointer is the node, so functions take one uniform argument array.
 */
#ifndef GUARDRAIL_JMESPATH_AST_H
#define GUARDRAIL_JMESPATH_AST_H

#include <stddef.h>
#include <stdint.h>

#include "guardrail/arena.h"
#include "guardrail/jmespath.h"
#include "guardrail/value.h"

/* Private value type for expref arguments (outside gr_type's range). */
#define JP_EXPREF 0x40

/* ---- lexer ---- */
typedef enum jp_tok {
	T_EOF = 0,
	T_UNQUOTED, /* identifier */
	T_QUOTED,   /* "identifier" */
	T_LITERAL,  /* `json` or 'raw' */
	T_NUMBER,
	T_DOT,
	T_STAR,
	T_FLATTEN, /* [] */
	T_FILTER,  /* [? */
	T_LBRACKET,
	T_RBRACKET,
	T_LBRACE,
	T_RBRACE,
	T_LPAREN,
	T_RPAREN,
	T_COMMA,
	T_COLON,
	T_PIPE,
	T_OR,
	T_AND,
	T_NOT,
	T_CURRENT, /* @ */
	T_EXPREF,  /* & */
	T_EQ,
	T_NE,
	T_LT,
	T_LE,
	T_GT,
	T_GE,
	T_COUNT
} jp_tok;

typedef struct jp_token {
	jp_tok type;
	size_t pos;     /* offset in the expression */
	gr_value value; /* T_UNQUOTED/T_QUOTED: string; T_LITERAL: value; T_NUMBER: int */
} jp_token;

typedef struct jp_lexer {
	const char *src;
	size_t len, pos;
	gr_arena *arena; /* the program's: identifiers and literals live there */
	gr_jp_error *err;
} jp_lexer;

/* Next token; -1 with err set on a lexical error. */
int jp_lex_next(jp_lexer *lx, jp_token *tok);
const char *jp_tok_name(jp_tok t);

/* ---- tree ---- */
typedef enum jp_kind {
	N_FIELD,          /* name */
	N_CURRENT,        /* @ (also the implicit left of projections) */
	N_LITERAL,        /* value */
	N_SUB,            /* a.b, a[0]: evaluate kids[1] over the result of kids[0] */
	N_PATH,           /* a.b.c: kids[] are N_FIELD nodes looked up in turn */
	N_INDEX,          /* [n] */
	N_SLICE,          /* [start:stop:step] */
	N_PROJECT,        /* list projection: kids[0] gives an array, kids[1] maps each item */
	N_VALUES_PROJECT, /* object projection: kids[0] gives an object, kids[1] maps each value */
	N_FILTER,         /* kids[0] array, kids[1] condition, kids[2] map */
	N_FLATTEN,        /* kids[0] */
	N_MULTI_LIST,     /* kids[] */
	N_MULTI_HASH,     /* kids[] with keys[] */
	N_PIPE,
	N_OR,
	N_AND,
	N_NOT,
	N_COMPARE,  /* op */
	N_FUNCTION, /* fn, kids[] = args */
	N_EXPREF    /* kids[0] */
} jp_kind;

typedef struct jp_node jp_node;
struct jp_node {
	uint8_t kind; /* jp_kind */
	uint8_t op;   /* N_COMPARE: jp_tok of the comparator */
	size_t pos;   /* offset in the expression, for errors */
	size_t nkids;
	jp_node **kids;
	union {
		struct {
			const char *name;
			size_t len;
		} field;
		gr_value literal;
		int64_t index;
		struct {
			int64_t start, stop, step;
			uint8_t has_start, has_stop;
		} slice;
		const gr_value *keys; /* N_MULTI_HASH: nkids strings */
		const gr_jp_function *fn;
	} u;
};

/* ---- parser ---- */
typedef struct jp_parse_opts {
	const gr_jp_functions *functions; /* NULL: built-ins */
	size_t max_depth;
} jp_parse_opts;

/* Parse a whole expression into nodes allocated in arena. */
int jp_parse(const char *src, size_t len, gr_arena *arena, const jp_parse_opts *opts, jp_node **root,
             gr_jp_error *err);

/* ---- shared helpers ---- */
int jp_fail(gr_jp_error *err, gr_jp_error_type type, size_t pos, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* The built-in registry (static, immutable). */
const gr_jp_functions *jp_builtins(void);

/* Evaluation context; gr_jp_call is this struct. */
struct gr_jp_call {
	gr_arena *arena;
	gr_jp_error *err;
	size_t budget;       /* bytes left before the size limit */
	const jp_node *node; /* current function call (for errors) */
	void *userdata;
};
typedef struct gr_jp_call jp_ctx;

int jp_eval(jp_ctx *c, const jp_node *n, const gr_value *in, gr_value *out);
void *jp_alloc(jp_ctx *c, size_t size);
/* Order of two numbers or two strings (code point order); 0 when equal. */
int jp_compare_values(const gr_value *a, const gr_value *b);

#endif
