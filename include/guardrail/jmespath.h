/*
 * jmespath.h — JMESPath over the value tree: compile once, evaluate often.
 *
 * gr_jp_compile() turns an expression into an immutable program (it owns
 * its memory; gr_jp_free releases it). gr_jp_eval() runs a program over a
 * gr_value without converting it: results that are parts of the input are
 * shallow copies pointing into the input tree, new arrays, objects and
 * strings come from the caller's arena. A program holds no mutable state,
 * so any number of threads may evaluate the same program at once, each with
 * its own arena.
 *
 * Functions are resolved at compile time through a gr_jp_functions registry
 * (NULL means the JMESPath built-ins only), so an unknown function or a
 * wrong argument count is a compile error. Custom functions declare a
 * signature (argument types, optionally variadic) that is checked before
 * their callback runs, exactly as for the built-ins.
 *
 * Errors carry the JMESPath compliance type (syntax, invalid-type,
 * invalid-value, invalid-arity, unknown-function), plus `limit` for the
 * guards against hostile input, and the 0-based byte offset in the
 * expression.
 */
#ifndef GUARDRAIL_JMESPATH_H
#define GUARDRAIL_JMESPATH_H

#include "guardrail/defs.h"

#include <stdbool.h>
#include <stddef.h>

#include "guardrail/arena.h"
#include "guardrail/value.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gr_jp_error_type {
	GR_JP_OK = 0,
	GR_JP_SYNTAX,           /* "syntax" */
	GR_JP_INVALID_TYPE,     /* "invalid-type" */
	GR_JP_INVALID_VALUE,    /* "invalid-value" */
	GR_JP_INVALID_ARITY,    /* "invalid-arity" */
	GR_JP_UNKNOWN_FUNCTION, /* "unknown-function" */
	GR_JP_LIMIT             /* "limit": depth, size or memory cap reached */
} gr_jp_error_type;

typedef struct gr_jp_error {
	gr_jp_error_type type;
	size_t offset; /* 0-based byte offset in the expression */
	char message[256];
} gr_jp_error;

/* "syntax", "invalid-type", ... ("ok" for GR_JP_OK). */
const char *gr_jp_error_name(gr_jp_error_type t);

/* Limits; gr_jp_limits_default gives the values used when NULL is passed. */
typedef struct gr_jp_limits {
	size_t max_expression;   /* bytes of expression text; default 65536 */
	size_t max_depth;        /* AST nesting depth; default 256 */
	size_t max_result_bytes; /* bytes one evaluation may allocate; default 256 MiB */
} gr_jp_limits;
void gr_jp_limits_default(gr_jp_limits *l);

/* Argument types of a function signature: a bit set. */
enum {
	GR_JP_ARG_NULL = 1u << 0,
	GR_JP_ARG_BOOL = 1u << 1,
	GR_JP_ARG_NUMBER = 1u << 2,
	GR_JP_ARG_STRING = 1u << 3,
	GR_JP_ARG_ARRAY = 1u << 4, /* any array */
	GR_JP_ARG_OBJECT = 1u << 5,
	GR_JP_ARG_EXPREF = 1u << 6,       /* &expression */
	GR_JP_ARG_ARRAY_NUMBER = 1u << 7, /* array whose items are all numbers */
	GR_JP_ARG_ARRAY_STRING = 1u << 8, /* array whose items are all strings */
	GR_JP_ARG_ANY = 0x3f              /* any JSON value (not an expref) */
};

#define GR_JP_MAX_PARAMS 8

/* Handed to a function callback: where to allocate, how to fail. */
typedef struct gr_jp_call gr_jp_call;

/*
 * A function: args are already checked against the signature. Return 0 with
 * *result set, or -1 after gr_jp_call_fail. Results may point into args
 * (they live as long as the evaluation's input and arena).
 */
typedef int (*gr_jp_fn)(gr_jp_call *call, const gr_value *args, size_t nargs, gr_value *result);

typedef struct gr_jp_function {
	const char *name;
	unsigned params[GR_JP_MAX_PARAMS]; /* GR_JP_ARG_* sets, one per parameter */
	size_t nparams;
	bool variadic; /* the last parameter repeats: nparams or more arguments */
	gr_jp_fn fn;
	void *userdata;
} gr_jp_function;

typedef struct gr_jp_functions gr_jp_functions;

/* A registry holding the built-ins. NULL on allocation failure. */
gr_jp_functions *gr_jp_functions_new(void);
/* Add (or replace, by name) a function; the struct is copied, the name too.
 * -1 when the signature is malformed or memory runs out. */
int gr_jp_functions_add(gr_jp_functions *f, const gr_jp_function *fn);
const gr_jp_function *gr_jp_functions_find(const gr_jp_functions *f, const char *name, size_t len);
/*
 * Dialect switches a registry carries into every program compiled with it
 * (set them before compiling). GR_JP_NULL_SUBEXPRESSION: `null.expr` is
 * null without evaluating expr, as go-jmespath-community (the interpreter
 * Kyverno uses) does, so `missing.keys(@)` is null and a projection drops
 * the element. Without it, expr runs over null as in the specification's
 * reference implementations (`missing.keys(@)` is an invalid-type error).
 */
#define GR_JP_NULL_SUBEXPRESSION 1u
void gr_jp_functions_set_flags(gr_jp_functions *f, unsigned flags);
unsigned gr_jp_functions_flags(const gr_jp_functions *f);
void gr_jp_functions_free(gr_jp_functions *f);

/* For callbacks. */
gr_arena *gr_jp_call_arena(gr_jp_call *c);
void *gr_jp_call_userdata(gr_jp_call *c);
/* Arena allocation counted against the evaluation's size limit; NULL after
 * setting the limit error. */
void *gr_jp_call_alloc(gr_jp_call *c, size_t size);
/* Evaluate an expref argument over a value. */
int gr_jp_call_expref(gr_jp_call *c, const gr_value *expref, const gr_value *input, gr_value *out);
/* Set the error (positioned at the call) and return -1. */
int gr_jp_call_fail(gr_jp_call *c, gr_jp_error_type type, const char *fmt, ...) GR_PRINTF(3, 4);

typedef struct gr_jp_program gr_jp_program;

/*
 * Compile. `functions` may be NULL (built-ins) and must stay unchanged while
 * compiling; the program copies what it needs, so the registry may be freed
 * afterwards. `limits` may be NULL. 0 on success, -1 with *err filled.
 */
int gr_jp_compile(const char *expr, size_t len, const gr_jp_functions *functions, const gr_jp_limits *limits,
                  gr_jp_program **out, gr_jp_error *err);
void gr_jp_free(gr_jp_program *p);

/* The expression text the program was compiled from (NUL-terminated). */
const char *gr_jp_source(const gr_jp_program *p);

/*
 * Evaluate over input. New values are allocated in arena; the result may
 * point into input and into the program (literals), so it is valid while
 * all three live. Thread-safe for distinct arenas. 0 or -1 with *err.
 */
int gr_jp_eval(const gr_jp_program *p, const gr_value *input, gr_arena *arena, gr_value *result,
               gr_jp_error *err);

/* JMESPath truthiness: false, null, "", [], {} are false; all else true. */
bool gr_jp_truthy(const gr_value *v);

#ifdef __cplusplus
}
#endif

#endif
