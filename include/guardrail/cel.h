/*
 * cel.h — the Common Expression Language over the value tree: compile once,
 * evaluate often (the JMESPath split: lexer, parser to an AST, evaluator,
 * function table).
 *
 * An environment (gr_cel_env) declares the variables an expression may name
 * and the options of the dialect (Kubernetes' or plain CEL). gr_cel_compile
 * parses, expands macros and resolves every name and function against it,
 * giving an immutable program that any number of threads may evaluate at
 * once, each with its own arena.
 *
 * A gr_cel_value is a small tagged struct. Values that come from a decoded
 * document are not converted: a list or map may point at a gr_value array
 * or object (and, for CRD rules, at the OpenAPI schema that types it), and
 * its elements are wrapped one at a time when the expression reaches them.
 * New lists, maps and strings come from the caller's arena.
 *
 * Errors: compile errors carry the 1-based column in the expression;
 * evaluation errors are CEL errors (no such key, overflow, division by zero,
 * no matching overload) or a limit (depth, cost), the latter never absorbed
 * by && and ||.
 */
#ifndef GUARDRAIL_CEL_H
#define GUARDRAIL_CEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guardrail/arena.h"
#include "guardrail/buf.h"
#include "guardrail/value.h"

typedef enum gr_cel_kind {
	GR_CEL_NULL = 0,
	GR_CEL_BOOL,
	GR_CEL_INT,
	GR_CEL_UINT,
	GR_CEL_DOUBLE,
	GR_CEL_STRING,
	GR_CEL_BYTES,
	GR_CEL_LIST,
	GR_CEL_MAP,
	GR_CEL_TYPE,
	GR_CEL_TIMESTAMP,
	GR_CEL_DURATION,
	GR_CEL_OPTIONAL,
	GR_CEL_OBJECT, /* a Kubernetes library object: quantity, IP, CIDR, URL, semver */
	GR_CEL_ERROR
} gr_cel_kind;

typedef struct gr_cel_value gr_cel_value;
typedef struct gr_cel_list gr_cel_list;
typedef struct gr_cel_map gr_cel_map;

/* Kinds of GR_CEL_OBJECT. */
typedef enum gr_cel_object_kind {
	GR_CEL_OBJ_QUANTITY = 1,
	GR_CEL_OBJ_IP,
	GR_CEL_OBJ_CIDR,
	GR_CEL_OBJ_URL,
	GR_CEL_OBJ_SEMVER,
	GR_CEL_OBJ_FORMAT,
	/* Kubernetes' authz library (kubernetes.authorization.*): u.s.ptr points
	 * at the library's own state, not at text */
	GR_CEL_OBJ_AUTHORIZER = 16,
	GR_CEL_OBJ_PATH_CHECK,
	GR_CEL_OBJ_GROUP_CHECK,
	GR_CEL_OBJ_RESOURCE_CHECK,
	GR_CEL_OBJ_DECISION
} gr_cel_object_kind;

struct gr_cel_value {
	uint8_t kind;       /* gr_cel_kind */
	uint8_t sub;        /* GR_CEL_OBJECT: gr_cel_object_kind */
	const void *schema; /* list/map/scalar from a typed document: its schema node */
	union {
		bool b;
		int64_t i;
		uint64_t u;
		double d;
		struct {
			const char *ptr;
			size_t len;
		} s;                     /* string, bytes, type name, error message, object text */
		const gr_value *json;    /* list or map backed by a document node */
		const gr_cel_list *list; /* list built by the evaluator */
		const gr_cel_map *map;   /* map built by the evaluator */
		struct {
			int64_t sec;
			int32_t nsec;
		} t;                     /* timestamp (since the Unix epoch) or duration */
		const gr_cel_value *opt; /* optional: NULL is optional.none() */
	} u;
	uint8_t backing; /* list/map: 0 built, 1 document node */
};

struct gr_cel_list {
	size_t len;
	const gr_cel_value *items;
};
struct gr_cel_map {
	size_t len;
	const gr_cel_value *keys;
	const gr_cel_value *values;
};

/* Errors. */
typedef enum gr_cel_error_type {
	GR_CEL_OK = 0,
	GR_CEL_SYNTAX,     /* "syntax" */
	GR_CEL_CHECK,      /* "check": undeclared name, no such overload, ... */
	GR_CEL_EVAL,       /* "eval": a runtime error of the expression */
	GR_CEL_LIMIT,      /* "limit": depth, size or cost limit */
	GR_CEL_UNSUPPORTED /* "unsupported": reached something this build cannot evaluate */
} gr_cel_error_type;

typedef struct gr_cel_error {
	gr_cel_error_type type;
	uint32_t column; /* 1-based column in the expression; 0 unknown */
	char message[256];
} gr_cel_error;

const char *gr_cel_error_name(gr_cel_error_type t);

/* Options of the dialect. */
typedef struct gr_cel_options {
	bool kubernetes; /* the Kubernetes libraries (quantity, ip, cidr, url, semver, lists, sets, authz,
	                    format) */
	int kubernetes_minor;      /* the environment of Kubernetes 1.<minor> (libraries added later are
	                            * unknown functions, as that API server would say); 0: the newest */
	bool homogeneous_literals; /* [1, 'a'] is a compile error (Kubernetes) */
	bool duration_total_ms;    /* duration.getMilliseconds() is the whole duration in milliseconds,
	                            * as the cel-go the API server pins computes it (cel-spec: the
	                            * milliseconds component) */
	size_t max_expression;     /* bytes of expression text; default 100000 */
	size_t max_depth;          /* parser/AST nesting; default 250 (Kubernetes' limit) */
	uint64_t cost_limit;       /* runtime cost limit per evaluation; 0 none */
	bool unchecked;            /* undeclared names and functions fail at run time, not compile time */
	bool fold_constants;       /* cost: constant literals and conversions cost nothing, as the API
	                            * server's CRD validator plans them (cel-go's plain programs charge them) */
	bool jsonpatch;            /* with kubernetes: the JSONPatch library (jsonpatch.escapeKey), which the
	                            * API server declares for MutatingAdmissionPolicy only (1.32+) */
	uint64_t string_size_estimate; /* estimated cost: the size a string or bytes value nothing bounds
	                                * (no literal, no schema) is estimated at; 0: unknown, as the API
	                                * server's estimator says (Kubernetes' cost tests use 12) */
	const char *container;         /* namespace for name resolution ("" none); must outlive the env */
} gr_cel_options;
void gr_cel_options_default(gr_cel_options *o);

typedef struct gr_cel_env gr_cel_env;

/* An environment with the standard library and the options (NULL: default). */
gr_cel_env *gr_cel_env_new(const gr_cel_options *opts);
void gr_cel_env_free(gr_cel_env *env);
/* Declare a variable (index = declaration order, from 0). -1 on ENOMEM or
 * duplicate. `schema` may be NULL (dyn) or a schema from gr_cel_schema_*. */
int gr_cel_env_declare(gr_cel_env *env, const char *name, const void *schema);
/* Declare a variable typed optional_type(<the schema's type>), as
 * oldSelf under optionalOldSelf. */
int gr_cel_env_declare_optional(gr_cel_env *env, const char *name, const void *schema);
size_t gr_cel_env_count(const gr_cel_env *env);
/* Declare a variable of a Kubernetes library object type (GR_CEL_OBJ_*):
 * `authorizer` (GR_CEL_OBJ_AUTHORIZER), `authorizer.requestResource`
 * (GR_CEL_OBJ_RESOURCE_CHECK), as the API server declares them. */
int gr_cel_env_declare_object(gr_cel_env *env, const char *name, int object_kind);
/* Declare a function overload for the type checker only (no implementation:
 * a call fails at run time). Types in cel-go's notation: "int", "string",
 * "list(int)", "map(string, T)", "optional_type(T)", "dyn"; a single
 * capitalised name ("T") is a type parameter, any other "name(T, U)" an
 * abstract type. -1 on ENOMEM. */
int gr_cel_env_declare_function(gr_cel_env *env, const char *name, bool member, const char *const *params,
                                size_t nparams, const char *result);

typedef struct gr_cel_program gr_cel_program;

/* 0, or -1 with *err (type syntax/check/limit, column). The env may be freed
 * after compiling. */
int gr_cel_compile(const gr_cel_env *env, const char *expr, size_t len, gr_cel_program **out,
                   gr_cel_error *err);
void gr_cel_free(gr_cel_program *p);
const char *gr_cel_source(const gr_cel_program *p);
/* The expression's type as the checker deduced it, in cel-go's notation
 * ("bool", "list(list(dyn))", "optional_type(int)"); "dyn" when compiled
 * unchecked. */
const char *gr_cel_program_type(const gr_cel_program *p);
/* cel-go's compile-time cost estimate [min, max] with Kubernetes' call
 * estimates and size estimates from the schema the variables were declared
 * with (maxLength, maxItems, maxProperties, or what fits in a 3 MiB request). */
void gr_cel_estimate_cost(const gr_cel_program *p, uint64_t *min, uint64_t *max);
/* Whether the expression mentions the variable declared at `index`. */
bool gr_cel_uses(const gr_cel_program *p, size_t index);

/*
 * Evaluate. `vars` holds one value per declared variable (in declaration
 * order; a variable with kind GR_CEL_ERROR is unbound and fails when used).
 * The result may point into vars' documents, the program and the arena.
 * `cost` (may be NULL) receives the runtime cost. 0, or -1 with *err.
 */
int gr_cel_eval(const gr_cel_program *p, const gr_cel_value *vars, size_t nvars, gr_arena *arena,
                gr_cel_value *result, uint64_t *cost, gr_cel_error *err);

/* Values. */
gr_cel_value gr_cel_null(void);
gr_cel_value gr_cel_bool(bool b);
gr_cel_value gr_cel_int(int64_t i);
gr_cel_value gr_cel_uint(uint64_t u);
gr_cel_value gr_cel_double(double d);
gr_cel_value gr_cel_string(const char *s, size_t len);
gr_cel_value gr_cel_bytes(const char *s, size_t len);
gr_cel_value gr_cel_unbound(void);
gr_cel_value gr_cel_type(const char *name); /* name must be static or outlive the value */
gr_cel_value gr_cel_timestamp(int64_t sec, int32_t nsec);
gr_cel_value gr_cel_duration(int64_t nanos);
/* Lists, maps and optionals built in the arena (items/keys/values are
 * referenced, not copied). A map's keys must be distinct. v NULL: none. */
gr_cel_value gr_cel_make_list(gr_arena *a, const gr_cel_value *items, size_t n);
gr_cel_value gr_cel_make_map(gr_arena *a, const gr_cel_value *keys, const gr_cel_value *values, size_t n);
gr_cel_value gr_cel_optional(gr_arena *a, const gr_cel_value *v);
/* RFC 3339 / Go duration text; -1 when malformed or out of range. */
int gr_cel_parse_timestamp(const char *s, size_t len, int64_t *sec, int32_t *nsec);
int gr_cel_parse_duration(const char *s, size_t len, int64_t *nanos);
/* Wrap a document node without copying (arrays become lists, objects maps). */
gr_cel_value gr_cel_from_json(const gr_value *v);
/* CEL equality (heterogeneous numbers, lists and maps deep). */
bool gr_cel_equal(const gr_cel_value *a, const gr_cel_value *b);
/* The CEL type name of a value ("int", "list", "google.protobuf.Timestamp", ...). */
const char *gr_cel_type_name(const gr_cel_value *v);
/* JSON rendering: uint/double as numbers, bytes base64, timestamps and
 * durations as their string forms, Kubernetes objects as strings. */
void gr_cel_write_json(gr_buf *b, const gr_cel_value *v);

/*
 * Kubernetes' authz library: the value of `authorizer` for a user, whose
 * checks az answers (authz.h); and of `authorizer.requestResource`, a
 * ResourceCheck for the resource of the request being admitted. az and
 * user must outlive the evaluation; the value (and a copy of the
 * strings) lives in the arena.
 */
struct gr_authorizer;
struct gr_authz_user;
gr_cel_value gr_cel_authorizer(gr_arena *a, const struct gr_authorizer *az, const struct gr_authz_user *user);
gr_cel_value gr_cel_authorizer_request_resource(gr_arena *a, const struct gr_authorizer *az,
                                                const struct gr_authz_user *user, const char *group,
                                                const char *resource, const char *subresource,
                                                const char *namespace_, const char *name);

/* List/map access (any backing). */
size_t gr_cel_size(const gr_cel_value *v);
gr_cel_value gr_cel_list_at(const gr_cel_value *list, size_t i);
/* Map entry i (its key and value). */
void gr_cel_map_entry(const gr_cel_value *map, size_t i, gr_cel_value *key, gr_cel_value *value);

/*
 * OpenAPI schemas as CEL types (CRD x-kubernetes-validations): compile a
 * structural schema node (it must outlive the result) into a type that
 * variables may be declared with; gr_cel_typed wraps a document node with
 * it (integers of a `number` field become doubles, int-or-string, list
 * types set/map with their equality, escaped property names).
 */
typedef struct gr_cel_schema gr_cel_schema;
gr_cel_schema *gr_cel_schema_new(const gr_value *openapi, bool is_root, gr_cel_error *err);
void gr_cel_schema_free(gr_cel_schema *s);
/* The type root, for gr_cel_env_declare. */
const void *gr_cel_schema_root(const gr_cel_schema *s);
gr_cel_value gr_cel_typed(const void *schema_node, const gr_value *v);

/*
 * CRD validation rules: every x-kubernetes-validations rule of a
 * structural schema compiled once (rules that do not compile are kept and
 * reported at validation, as the API server reports them), then evaluated
 * over an object and, for an UPDATE, its old version.
 */
typedef struct gr_cel_crd_options {
	bool is_root;    /* the schema is a resource root: apiVersion, kind, metadata.name visible */
	bool ratcheting; /* unchanged values are not re-validated (CRDValidationRatcheting) */
	bool cost_budget_set, per_call_limit_set;
	uint64_t cost_budget;    /* per object; default 10,000,000 (RuntimeCELCostBudget) */
	uint64_t per_call_limit; /* per rule; default 1,000,000 (PerCallLimit) */
	int kubernetes_minor;    /* the API server's environment (gr_cel_options.kubernetes_minor) */
	bool static_cost_limits; /* hold the estimated costs to the limits the API server checks when the
	                          * CRD is created (10,000,000 per rule, 100,000,000 per schema); the
	                          * rules of a CRD over them report the API server's refusal */
} gr_cel_crd_options;

enum {
	GR_CEL_VIOLATION_FAILED = 1,  /* the rule evaluated to false */
	GR_CEL_VIOLATION_ERROR,       /* the rule failed at run time */
	GR_CEL_VIOLATION_COMPILE,     /* the rule does not compile */
	GR_CEL_VIOLATION_BUDGET,      /* cost budget or per-call limit exceeded */
	GR_CEL_VIOLATION_UNSUPPORTED, /* not evaluated: needs what this build lacks (message says what) */
	GR_CEL_VIOLATION_RATCHETED    /* failed on a value the update leaves unchanged: a warning */
};

typedef struct gr_cel_violation {
	int kind;
	const char
	        *reason; /* FieldValueInvalid, FieldValueForbidden, FieldValueRequired, FieldValueDuplicate */
	char *field;     /* the field path ("root.spec.x", "spec.list[0]") */
	char *message;   /* the whole field error as the API server words it */
	uint32_t line, column; /* where the value the rule judged starts (0 unknown) */
} gr_cel_violation;

typedef struct gr_cel_crd gr_cel_crd;
gr_cel_crd *gr_cel_crd_new(const gr_value *schema, const gr_cel_crd_options *opts, gr_cel_error *err);
void gr_cel_crd_free(gr_cel_crd *c);
size_t gr_cel_crd_rule_count(const gr_cel_crd *c);
size_t gr_cel_crd_compile_errors(const gr_cel_crd *c);
/* Rule i (in schema order, a node's rules before its children's) as
 * compiled: its program, or NULL when it did not compile (*error says why)
 * or is blank (*error ""); *message_error is its messageExpression's
 * compile error ("" none). NULL when i is out of range. */
const gr_cel_program *gr_cel_crd_rule(const gr_cel_crd *c, size_t i, const char **error,
                                      const char **message_error);
/* Rules that mention oldSelf (without optionalOldSelf): they run only
 * when an old object is given. */
size_t gr_cel_crd_transition_count(const gr_cel_crd *c);
/* Violations go to *out (arena array of *n); `root` prefixes field paths
 * ("root" in the API server's unit tests, "" for "spec.x"). `old` may be
 * NULL (a CREATE). *remaining (may be NULL) gets the budget left. -1 when
 * memory ran out: some violation may be missing, so the caller must fail
 * (or count the rules not evaluated), never report *out as complete. */
int gr_cel_crd_validate(const gr_cel_crd *c, const gr_value *obj, const gr_value *old, const char *root,
                        gr_arena *arena, gr_cel_violation **out, size_t *n, uint64_t *remaining);

#endif
