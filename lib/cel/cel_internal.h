/*
 * cel_internal.h — the CEL syntax tree and what the lexer, parser,
 * evaluator, function table and schema mapping share (not public).
 *
 * The trick: macros (all, exists, map, filter, has, optMap...) are not
 * expanded into generic comprehensions but kept as their own node kinds,
 * so the evaluator runs each with a tight loop and the error semantics
 * cel-go gives the expanded form.
 */
#ifndef GUARDRAIL_CEL_INTERNAL_H
#define GUARDRAIL_CEL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "guardrail/arena.h"
#include "guardrail/cel.h"
#include "guardrail/value.h"

/* ---- lexer ---- */
typedef enum cel_tok {
	CT_EOF = 0,
	CT_IDENT,
	CT_INT,
	CT_UINT,
	CT_DOUBLE,
	CT_STRING,
	CT_BYTES,
	CT_TRUE,
	CT_FALSE,
	CT_NULL,
	CT_IN,
	CT_DOT,
	CT_QDOT, /* .? */
	CT_COMMA,
	CT_COLON,
	CT_QUESTION,
	CT_LPAREN,
	CT_RPAREN,
	CT_LBRACKET,
	CT_QLBRACKET, /* [? */
	CT_RBRACKET,
	CT_LBRACE,
	CT_RBRACE,
	CT_PLUS,
	CT_MINUS,
	CT_STAR,
	CT_SLASH,
	CT_PERCENT,
	CT_NOT,
	CT_AND,
	CT_OR,
	CT_EQ,
	CT_NE,
	CT_LT,
	CT_LE,
	CT_GT,
	CT_GE,
	CT_ERROR
} cel_tok;

typedef struct cel_token {
	cel_tok type;
	size_t pos, end;  /* byte offsets */
	const char *text; /* identifiers; string/bytes (decoded, arena) */
	size_t len;
	union {
		uint64_t u; /* int literals hold the magnitude; the parser applies '-' */
		double d;
	} num;
} cel_token;

typedef struct cel_lexer {
	const char *src;
	size_t len, pos;
	gr_arena *arena;
	gr_cel_error *err;
} cel_lexer;

int cel_lex(cel_lexer *lx, cel_token *t);

/* ---- AST ---- */
typedef enum cel_node_kind {
	N_LITERAL, /* value */
	N_IDENT,   /* variable (index) */
	N_TYPE,    /* a type name used as a value */
	N_SELECT,  /* a.name (optional: a.?name) */
	N_HAS,     /* has(a.name) */
	N_INDEX,   /* a[b], a[?b] */
	N_CALL,    /* function (receiver is args[0] when member) */
	N_LIST,
	N_MAP,
	N_COND, /* a ? b : c */
	N_AND,
	N_OR,
	N_NOT,
	N_NEG,
	N_COMPREHENSION,
	N_ITERVAR, /* comprehension variable (slot) */
	N_OPTMAP   /* a.optMap(x, e) / optFlatMap */
} cel_node_kind;

typedef enum cel_compr_kind {
	C_ALL,
	C_EXISTS,
	C_EXISTS_ONE,
	C_MAP,        /* map(x, t) */
	C_MAP_FILTER, /* map(x, p, t) */
	C_FILTER,
	C_TRANSFORM_LIST,        /* transformList(i, v, t) */
	C_TRANSFORM_LIST_FILTER, /* transformList(i, v, p, t) */
	C_TRANSFORM_MAP,
	C_TRANSFORM_MAP_FILTER,
	C_TRANSFORM_MAP_ENTRY,
	C_TRANSFORM_MAP_ENTRY_FILTER,
	C_SORT_BY, /* ext lists sortBy(x, key) */
	C_BIND     /* cel.bind(x, init, body) */
} cel_compr_kind;

struct cel_func;

typedef struct cel_node {
	uint8_t kind;
	uint8_t optional; /* N_SELECT/N_INDEX: ?. or [?]; N_LIST/N_MAP: entries optional via opt_mask */
	uint8_t member;   /* N_CALL: receiver-style call */
	uint8_t ckind;    /* N_COMPREHENSION: cel_compr_kind; N_OPTMAP: 1 flatMap */
	uint8_t constant; /* folded at plan time by cel-go: evaluating it costs nothing */
	uint32_t column;  /* 1-based */
	uint32_t id;      /* for cost accounting */
	const char *name; /* select field, ident name, function name; comprehension: 1st variable */
	size_t name_len;
	const char *name2; /* comprehension: 2nd variable */
	size_t name2_len;
	int slot; /* N_IDENT: variable index; N_ITERVAR/N_COMPREHENSION: slots */
	int slot2;
	struct cel_node **args;
	size_t nargs;
	uint8_t *opt_mask;         /* N_LIST: per element; N_MAP: per entry */
	const struct cel_func *fn; /* N_CALL: the resolved overload set */
	const void *regex;  /* N_CALL matches/find/findAll with a literal pattern: compiled once (gr_regex) */
	gr_cel_value value; /* N_LITERAL, N_TYPE */
	const void *type;   /* the checker's type (check.c), for the cost estimator */
} cel_node;

/* ---- functions ---- */
typedef struct cel_eval cel_eval;
typedef gr_cel_value (*cel_fn)(cel_eval *ev, const cel_node *call, gr_cel_value *args, size_t n);

typedef struct cel_func {
	const char *name;
	int min_args, max_args; /* counting the receiver for member calls */
	uint8_t member;         /* 0 global only, 1 member only, 2 both */
	uint8_t k8s;            /* the libraries it needs (CEL_LIB_*): 0 the standard library */
	cel_fn fn;
} cel_func;

/* Libraries beyond the standard one, as a bit set. */
#define CEL_LIB_K8S       1 /* Kubernetes' base environment */
#define CEL_LIB_JSONPATCH 2 /* Kubernetes' JSONPatch library (MutatingAdmissionPolicy) */
int cel_env_libs(const gr_cel_options *o);

const cel_func *cel_find_function(const char *name, size_t len, bool member, size_t nargs, int libs,
                                  int minor);
bool cel_function_known(const char *name, size_t len, int libs, int minor);

/* ---- programs and environments ---- */
struct gr_cel_env {
	gr_cel_options opts;
	char **names;
	const void **schemas;
	bool *optional; /* typed optional_type(schema type): optionalOldSelf */
	uint8_t *kobj;  /* typed as a Kubernetes library object (GR_CEL_OBJ_*), or 0 */
	size_t n, cap;
	struct cel_fdecl *fdecls; /* declared function overloads (checker only) */
	size_t nfdecls;
};

typedef struct cel_fdecl {
	char *name;
	bool member;
	size_t nparams;
	char **params; /* type texts */
	char *result;
} cel_fdecl;

/* A declared overload of name for a call with nargs arguments (receiver
 * included), or NULL. */
const cel_fdecl *cel_env_find_decl(const gr_cel_env *env, const char *name, size_t len, bool member,
                                   size_t nargs, size_t from, size_t *at);

struct gr_cel_program {
	gr_arena arena; /* the AST and literals */
	char *source;
	cel_node *root;
	gr_cel_options opts;
	size_t nvars;
	int nslots;     /* comprehension variable slots */
	uint8_t *uses;  /* per variable */
	void **regexes; /* compiled literal patterns (gr_regex), freed with the program */
	size_t nregexes;
	const char *type;          /* the checked type ("dyn" when unchecked) */
	uint64_t est_min, est_max; /* the estimated cost (cost.c), computed at compile time */
};

int cel_parse(const gr_cel_env *env, const char *src, size_t len, gr_arena *arena, cel_node **root,
              int *nslots, uint8_t *uses, gr_cel_error *err);

/* Type-check root; *type_out (may be NULL) receives its type in cel-go's
 * notation, e.g. "list(optional_type(int))". */
/* The checker's types, read by the cost estimator: the kind (CEL_TK_*),
 * the element type of a list (value type of a map, inner of an optional). */
enum {
	CEL_TK_DYN,
	CEL_TK_SCALAR,
	CEL_TK_STRING,
	CEL_TK_BYTES,
	CEL_TK_LIST,
	CEL_TK_MAP,
	CEL_TK_OBJECT,
	CEL_TK_PARAM,
	CEL_TK_OPTIONAL,
	CEL_TK_KOBJ,
	CEL_TK_OTHER
};
int cel_type_kind(const void *type);
const void *cel_type_elem(const void *type);
bool cel_type_scalar(const void *type);
int cel_type_kobj(const void *type); /* GR_CEL_OBJ_* of a Kubernetes object type, else 0 */

/* Compute the program's estimated cost (after cel_check). */
void cel_estimate(gr_cel_program *p, const gr_cel_env *env);

int cel_check(const gr_cel_env *env, const cel_node *root, int nslots, gr_arena *arena, gr_cel_error *err,
              const char **type_out);

/* ---- evaluation ---- */
struct cel_eval {
	const gr_cel_program *prog;
	const gr_cel_value *vars;
	size_t nvars;
	gr_cel_value *slots;
	gr_arena *arena;
	uint64_t cost;
	uint64_t cost_limit;
	int depth;
	int fatal;             /* a limit was hit: stop, whatever && and || say */
	uint32_t column;       /* where the node being evaluated starts (for error positions) */
	uint32_t error_column; /* column of the most recent error raised */
	int unsupported;       /* something this build cannot evaluate was reached (an RE2-only regex) */
	gr_cel_error *err;
};

gr_cel_value cel_eval_node(cel_eval *ev, const cel_node *n);
gr_cel_value cel_error(cel_eval *ev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
gr_cel_value cel_no_overload(cel_eval *ev, const char *fn, const gr_cel_value *args, size_t n);
gr_cel_value cel_make_list(cel_eval *ev, gr_cel_value *items, size_t n);
gr_cel_value cel_make_map(cel_eval *ev, gr_cel_value *keys, gr_cel_value *vals, size_t n);
gr_cel_value cel_make_string(cel_eval *ev, const char *s, size_t len);
gr_cel_value cel_type_value(const char *name);
static inline bool cel_is_error(const gr_cel_value *v)
{
	return v->kind == GR_CEL_ERROR;
}

uint64_t cel_call_cost(const cel_node *call, const gr_cel_value *args, size_t n, const gr_cel_value *result);

/* authz.c: Kubernetes' authz library (authorizer.path(...).check(...)) */
gr_cel_value cel_authz_call(cel_eval *ev, const cel_node *call, gr_cel_value *args, size_t n);
bool cel_authz_object(int sub); /* an authz object kind (not text) */
const char *cel_authz_type_name(int sub);
/* The result of an authz member function on a receiver of object kind
 * recv with nstr string arguments: an object kind, -1 bool, -2 string,
 * 0 no such overload; *known_name false when name is not the library's. */
int cel_authz_signature(const char *name, int recv, size_t nstr, bool *known_name);

/* value.c */
/* -2 when not comparable; -1, 0, 1 otherwise; 2 when unordered (NaN). */
int cel_compare(const gr_cel_value *a, const gr_cel_value *b);
/* Map lookup: 1 found (*out), 0 absent, -1 key of a wrong type. */
int cel_map_get(cel_eval *ev, const gr_cel_value *map, const gr_cel_value *key, gr_cel_value *out);
int cel_map_get_str(const gr_cel_value *map, const char *key, size_t len, gr_cel_value *out);
bool cel_is_numeric(const gr_cel_value *v);
size_t cel_utf8_count(const char *s, size_t len);

/* time.c */
int cel_parse_timestamp(const char *s, size_t len, int64_t *sec, int32_t *nsec);
/* The UTC offset (seconds) an RFC 3339 text ends with; 0 for 'Z'. */
int cel_timestamp_offset(const char *s, size_t len);
int cel_parse_duration(const char *s, size_t len, int64_t *nanos);
void cel_format_timestamp(char *out, size_t cap, int64_t sec, int32_t nsec);
void cel_format_duration(char *out, size_t cap, int64_t nanos);
/* Broken-down time in a zone ("UTC", "+01:00", an IANA name); -1 bad zone. */
typedef struct cel_tm {
	int64_t year;
	int month, mday, yday, wday, hour, min, sec;
} cel_tm;
int cel_timestamp_fields(int64_t sec, const char *tz, size_t tzlen, cel_tm *tm);
#define CEL_TS_MIN (-62135596800LL) /* 0001-01-01T00:00:00Z */
#define CEL_TS_MAX (253402300799LL) /* 9999-12-31T23:59:59Z */

/* schema.c */
typedef struct cel_schema_node cel_schema_node;
int cel_schema_select(cel_eval *ev, const gr_cel_value *obj, const char *name, size_t len, gr_cel_value *out,
                      bool presence);
gr_cel_value cel_wrap_json(const void *schema, const gr_value *v);
bool cel_schema_equal(const gr_cel_value *a, const gr_cel_value *b, int *result);
/* a + b when a is a list typed `set` or `map` (x-kubernetes-list-type):
 * true with *out set, else false (plain concatenation applies). */
/* The sum of an empty list typed by a schema: 0, 0.0 or duration 0 by its
 * item type (an untyped list: int 0). */
gr_cel_value cel_schema_zero_sum(const void *list_schema);
/* The runtime cost of ext.Lists' sort/distinct over l (cel-go's tracker). */
uint64_t cel_list_self_compare_cost(const gr_cel_value *l);
bool cel_schema_list_add(cel_eval *ev, const gr_cel_value *a, const gr_cel_value *b, gr_cel_value *out);

#endif
