/*
 * crd.c — CRD x-kubernetes-validations: every rule of a structural schema
 * compiled once against the schema's CEL types (self, oldSelf), then
 * evaluated over an object (and the old object of an UPDATE) the way the
 * API server's validator walks it: rules of a node run on the node's
 * value; the walk descends into properties, additionalProperties and
 * items (old values correlated by property name, map key, list-map keys
 * or set element); transition rules run only with an old value (or with
 * oldSelf = optional.none() under optionalOldSelf); errors are worded as
 * field errors ("root.spec.x: Invalid value: ...").
 *
 * The cost budget is shared by the whole object, as the API server's
 * RuntimeCELCostBudget; past it validation stops with the API server's
 * message. At compile time each rule's estimated cost, times how often its
 * node can occur (the product of maxItems/maxProperties above it, or what
 * fits in a request), is held to the API server's limits: 10,000,000 per
 * rule and 100,000,000 for the whole schema. A CRD over them is one the API
 * server refuses; its objects get that error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel_schema.h"
#include "guardrail/cel.h"

typedef struct crd_rule {
	const char *rule;
	const char *message;
	const char *reason;
	const char *field_path;
	bool optional_old;
	bool transition;
	gr_cel_program *prog;
	gr_cel_program *msg_prog;
	char compile_error[400];
	char msg_compile_error[400];
	bool cost_error; /* compile_error is the estimated cost over the limit */
	bool empty;      /* a blank rule: no program, never run */
} crd_rule;

#define STATIC_COST_LIMIT     10000000ULL  /* per expression (apiextensions validation) */
#define STATIC_CRD_COST_LIMIT 100000000ULL /* all rules of a schema */
#define CARD_UNBOUNDED        UINT64_MAX

typedef struct crd_node_rules {
	crd_rule *rules;
	size_t n;
} crd_node_rules;

struct gr_cel_crd {
	gr_cel_schema *schema;
	gr_cel_crd_options opts;
	crd_rule **all; /* every rule, for freeing and counting */
	size_t nall, capall;
	size_t compile_errors;
	bool oom;             /* memory ran out compiling: the rules would read as not compiling */
	uint64_t total_cost;  /* estimated, over all rules (saturating) */
	char cost_error[400]; /* the schema's total over STATIC_CRD_COST_LIMIT */
};

static uint64_t mul_guard(uint64_t a, uint64_t b)
{
	if (a == 0)
		return 0;
	return UINT64_MAX / a < b ? UINT64_MAX : a * b;
}

/* The API server's wording (getCostErrorMessage). */
static void cost_message(char *out, size_t cap, const char *what, uint64_t cost, uint64_t limit)
{
	double f = (double)cost / (double)limit;
	char factor[64];
	if (f > 100.0)
		snprintf(factor, sizeof factor, "more than 100x");
	else if (f < 1.5)
		snprintf(factor, sizeof factor, "%fx", f);
	else
		snprintf(factor, sizeof factor, "%.1fx", f);
	snprintf(out, cap,
	         "%s exceeds budget by factor of %s (try simplifying the rule, or adding maxItems, "
	         "maxProperties, "
	         "and maxLength where arrays, maps, and strings are declared)",
	         what, factor);
}

/* Kubernetes' maxCardinality: how many values of this minimum serialized
 * size fit in a request. */
static uint64_t max_cardinality(const cel_schema_node *n)
{
	return (uint64_t)((3 * 1024 * 1024) / (cel_schema_min_size(n) + 1));
}

static void observe_cost(gr_cel_crd *c, const gr_cel_program *p, uint64_t card, const cel_schema_node *n,
                         crd_rule *r, bool message)
{
	uint64_t lo, hi;
	if (!c->opts.static_cost_limits)
		return;
	gr_cel_estimate_cost(p, &lo, &hi);
	uint64_t cost = mul_guard(hi, card == CARD_UNBOUNDED ? max_cardinality(n) : card);
	if (message)
		cost = hi; /* a messageExpression is not multiplied by the cardinality */
	c->total_cost = c->total_cost > UINT64_MAX - cost ? UINT64_MAX : c->total_cost + cost;
	if (cost > STATIC_COST_LIMIT && !message && !r->cost_error) {
		cost_message(r->compile_error, sizeof r->compile_error, "estimated rule cost", cost,
		             STATIC_COST_LIMIT);
		r->cost_error = true;
		c->compile_errors++;
	} else if (cost > STATIC_COST_LIMIT && message && !r->msg_compile_error[0])
		cost_message(r->msg_compile_error, sizeof r->msg_compile_error,
		             "estimated messageExpression cost", cost, STATIC_COST_LIMIT);
}

static int track(gr_cel_crd *c, crd_rule *r)
{
	if (c->nall == c->capall) {
		size_t nc = c->capall ? c->capall * 2 : 16;
		crd_rule **n = realloc(c->all, nc * sizeof *n);
		if (!n)
			return -1;
		c->all = n;
		c->capall = nc;
	}
	c->all[c->nall++] = r;
	return 0;
}

static void compile_node(gr_cel_crd *c, cel_schema_node *n, int depth, uint64_t card);

/* A rule of nothing but white space. */
static bool blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && *s != '\v' && *s != '\f')
			return false;
	return true;
}

/* The API server wants a rule's type to be bool and a messageExpression's
 * string; where guardrail's checker deduced dyn the run time decides. */
static bool known_type(const char *deduced, const char *want)
{
	return !strcmp(deduced, want) || !strcmp(deduced, "dyn");
}

static void compile_rules(gr_cel_crd *c, cel_schema_node *n, uint64_t card)
{
	const gr_value *rules = n->rules;
	if (!gr_is(rules, GR_ARRAY) || rules->u.a.len == 0)
		return;
	crd_node_rules *nr = gr_arena_calloc(&c->schema->arena, 1, sizeof *nr);
	if (!nr)
		return;
	nr->rules = gr_arena_calloc(&c->schema->arena, rules->u.a.len, sizeof *nr->rules);
	if (!nr->rules)
		return;
	nr->n = rules->u.a.len;
	n->compiled = nr;
	gr_cel_options o;
	gr_cel_options_default(&o);
	o.kubernetes = true;
	o.homogeneous_literals = true;
	o.duration_total_ms = true;
	o.fold_constants = true;
	o.kubernetes_minor = c->opts.kubernetes_minor;
	o.cost_limit = c->opts.per_call_limit;
	for (size_t i = 0; i < nr->n; i++) {
		crd_rule *r = &nr->rules[i];
		const gr_value *rv = &rules->u.a.items[i];
		r->rule = gr_get_str(rv, "rule");
		r->message = gr_get_str(rv, "message");
		r->reason = gr_get_str(rv, "reason");
		r->field_path = gr_get_str(rv, "fieldPath");
		const gr_value *oo = gr_get(rv, "optionalOldSelf");
		r->optional_old = gr_is(oo, GR_BOOL) && oo->u.b;
		if (track(c, r)) {
			c->oom = true;
			return;
		}
		gr_cel_env *env = gr_cel_env_new(&o);
		if (!env) {
			c->oom = true;
			return;
		}
		if (gr_cel_env_declare(env, "self", n) ||
		    (r->optional_old ? gr_cel_env_declare_optional(env, "oldSelf", n)
		                     : gr_cel_env_declare(env, "oldSelf", n))) {
			c->oom = true;
			gr_cel_env_free(env);
			return;
		}
		gr_cel_error err;
		if (!r->rule)
			snprintf(r->compile_error, sizeof r->compile_error, "rule is missing");
		else if (blank(r->rule))
			r->empty = true; /* the API server compiles no program for it, and reports nothing */
		else if (gr_cel_compile(env, r->rule, strlen(r->rule), &r->prog, &err) < 0) {
			/* lib/cel reports memory run out as a limit with this message */
			if (err.type == GR_CEL_LIMIT && !strcmp(err.message, "out of memory"))
				c->oom = true;
			snprintf(r->compile_error, sizeof r->compile_error,
			         "compilation failed: ERROR: <input>:1:%u: %s", err.column, err.message);
			c->compile_errors++;
		} else if (!known_type(gr_cel_program_type(r->prog), "bool")) {
			snprintf(r->compile_error, sizeof r->compile_error,
			         "cel expression must evaluate to a bool");
			gr_cel_free(r->prog);
			r->prog = NULL;
			c->compile_errors++;
		} else {
			r->transition = gr_cel_uses(r->prog, 1);
			observe_cost(c, r->prog, card, n, r, false);
		}
		const char *me = gr_get_str(rv, "messageExpression");
		if (me && gr_cel_compile(env, me, strlen(me), &r->msg_prog, &err) < 0 &&
		    err.type == GR_CEL_LIMIT && !strcmp(err.message, "out of memory"))
			c->oom = true;
		if (me && !r->msg_prog)
			snprintf(r->msg_compile_error, sizeof r->msg_compile_error,
			         "messageExpression compilation failed: ERROR: <input>:1:%u: %s", err.column,
			         err.message);
		else if (me && r->msg_prog && !known_type(gr_cel_program_type(r->msg_prog), "string")) {
			snprintf(r->msg_compile_error, sizeof r->msg_compile_error,
			         "messageExpression must evaluate to a string");
			gr_cel_free(r->msg_prog);
			r->msg_prog = NULL;
		} else if (me && r->msg_prog)
			observe_cost(c, r->msg_prog, card, n, r, true);
		gr_cel_env_free(env);
	}
}

/* card: how many times the node can occur (CARD_UNBOUNDED under a list or
 * map without maxItems/maxProperties), as Kubernetes' CELSchemaContext */
static void compile_node(gr_cel_crd *c, cel_schema_node *n, int depth, uint64_t card)
{
	if (!n || depth > 200)
		return;
	compile_rules(c, n, card);
	for (size_t i = 0; i < n->nprops; i++)
		compile_node(c, n->props[i], depth + 1, card);
	uint64_t elems = CARD_UNBOUNDED;
	const char *key = n->items ? "maxItems" : "maxProperties";
	const gr_value *m = n->raw ? gr_get(n->raw, key) : NULL;
	if (card != CARD_UNBOUNDED && gr_is(m, GR_INT))
		elems = mul_guard(card, m->u.i < 0 ? 0 : (uint64_t)m->u.i);
	compile_node(c, n->additional, depth + 1, elems);
	compile_node(c, n->items, depth + 1, elems);
	for (size_t i = 0; i < n->nallof; i++)
		compile_node(c, n->allof[i], depth + 1, card);
}

gr_cel_crd *gr_cel_crd_new(const gr_value *schema, const gr_cel_crd_options *opts, gr_cel_error *err)
{
	gr_cel_crd *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	if (opts)
		c->opts = *opts;
	if (!c->opts.cost_budget_set)
		c->opts.cost_budget = 10000000;
	if (!c->opts.per_call_limit_set)
		c->opts.per_call_limit = 1000000;
	c->schema = cel_schema_new_rules(schema, c->opts.is_root, err);
	if (!c->schema) {
		free(c);
		return NULL;
	}
	compile_node(c, c->schema->root, 0, 1);
	if (c->oom) { /* a rule left without its program would be reported as not compiling */
		if (err) {
			memset(err, 0, sizeof *err);
			err->type = GR_CEL_LIMIT;
			snprintf(err->message, sizeof err->message, "out of memory");
		}
		gr_cel_crd_free(c);
		return NULL;
	}
	if (c->total_cost > STATIC_CRD_COST_LIMIT)
		cost_message(
		        c->cost_error, sizeof c->cost_error,
		        "x-kubernetes-validations estimated rule & messageExpression cost total for entire "
		        "OpenAPIv3 schema",
		        c->total_cost, STATIC_CRD_COST_LIMIT);
	return c;
}

void gr_cel_crd_free(gr_cel_crd *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nall; i++) {
		gr_cel_free(c->all[i]->prog);
		gr_cel_free(c->all[i]->msg_prog);
	}
	free(c->all);
	gr_cel_schema_free(c->schema);
	free(c);
}

size_t gr_cel_crd_rule_count(const gr_cel_crd *c)
{
	return c->nall;
}
size_t gr_cel_crd_compile_errors(const gr_cel_crd *c)
{
	return c->compile_errors;
}

const gr_cel_program *gr_cel_crd_rule(const gr_cel_crd *c, size_t i, const char **error,
                                      const char **message_error)
{
	if (i >= c->nall)
		return NULL;
	const crd_rule *r = c->all[i];
	if (error)
		*error = r->compile_error;
	if (message_error)
		*message_error = r->msg_compile_error;
	return r->prog;
}

size_t gr_cel_crd_transition_count(const gr_cel_crd *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nall; i++)
		n += c->all[i]->transition && !c->all[i]->optional_old;
	return n;
}

/* ---- validation ---- */

typedef struct walk {
	const gr_cel_crd *c;
	gr_arena *arena;
	gr_cel_violation *out;
	size_t n, cap;
	uint64_t remaining;
	bool stopped;
	gr_buf path;
	size_t root_len;    /* of the root's name at the start of path */
	bool unchanged;     /* under an atomic list the update leaves unchanged (no old items, but
	                     * ratcheted all the same) */
	const gr_value *at; /* the value being judged, for positions */
	bool oom;           /* memory ran out: a violation or a path could not be kept */
} walk;

static void add(walk *w, int kind, const char *reason, const char *field, const char *message)
{
	const gr_value *at = w->at;
	if (w->n == w->cap) {
		size_t nc = w->cap ? w->cap * 2 : 8;
		gr_cel_violation *nv = gr_arena_alloc(w->arena, nc * sizeof *nv);
		if (!nv) {
			w->oom = w->stopped = true;
			return;
		}
		if (w->n)
			memcpy(nv, w->out, w->n * sizeof *nv);
		w->out = nv;
		w->cap = nc;
	}
	gr_cel_violation *v = &w->out[w->n++];
	v->kind = kind;
	v->reason = reason ? reason : "FieldValueInvalid";
	v->field = gr_arena_strdup(w->arena, field);
	v->message = gr_arena_strdup(w->arena, message);
	if (!v->field || !v->message) {
		w->n--;
		w->oom = w->stopped = true;
		return;
	}
	v->line = at ? at->line : 0;
	v->column = at ? at->column : 0;
}

/* Go's %v-ish rendering of a scalar for "Invalid value: <v>". */
static void show_value(gr_buf *b, const gr_value *v)
{
	switch (v->type) {
	case GR_STRING:
		gr_buf_putc(b, '"');
		for (size_t i = 0; i < v->u.s.len; i++) {
			char ch = v->u.s.ptr[i];
			if (ch == '"' || ch == '\\')
				gr_buf_putc(b, '\\');
			gr_buf_putc(b, ch);
		}
		gr_buf_putc(b, '"');
		break;
	default: gr_write_json(b, v, -1); break;
	}
}

static void field_error(walk *w, int kind, const char *reason, const char *field, const gr_value *v,
                        const char *detail)
{
	gr_buf b;
	gr_buf_init(&b);
	gr_buf_puts(&b, field);
	gr_buf_puts(&b, ": ");
	const char *r = reason ? reason : "FieldValueInvalid";
	if (!strcmp(r, "FieldValueForbidden"))
		gr_buf_puts(&b, "Forbidden: ");
	else if (!strcmp(r, "FieldValueRequired"))
		gr_buf_puts(&b, "Required value: ");
	else {
		gr_buf_puts(&b, !strcmp(r, "FieldValueDuplicate") ? "Duplicate value: " : "Invalid value: ");
		if (v && v->type != GR_OBJECT && v->type != GR_ARRAY) {
			show_value(&b, v);
			gr_buf_puts(&b, ": ");
		}
	}
	gr_buf_puts(&b, detail);
	add(w, kind, r, field, b.data ? b.data : "");
	gr_buf_free(&b);
}

static bool single_line(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\n' || s[i] == '\r')
			return false;
	return true;
}

/* apiVersion and kind of the resource itself are never ratcheted */
static bool typemeta(const walk *w)
{
	const char *p = w->path.data ? w->path.data + w->root_len : "";
	return !strcmp(p, ".apiVersion") || !strcmp(p, ".kind");
}

static void run_rule_eval(walk *w, const cel_schema_node *n, const crd_rule *r, const gr_value *v,
                          const gr_value *old);

/* Ratcheting (CRDValidationRatcheting): a rule that fails on a value the
 * update leaves unchanged is reported as a warning, not an error; transition
 * rules, compile errors and the cost budget are not ratcheted. */
static void run_rule(walk *w, const cel_schema_node *n, const crd_rule *r, const gr_value *v,
                     const gr_value *old)
{
	size_t before = w->n;
	bool ratchet = w->c->opts.ratcheting && r->prog && !r->cost_error && !r->transition &&
	               ((old && gr_equal(v, old)) || w->unchanged) && !typemeta(w);
	run_rule_eval(w, n, r, v, old);
	if (ratchet)
		for (size_t i = before; i < w->n; i++)
			if (w->out[i].kind == GR_CEL_VIOLATION_FAILED ||
			    w->out[i].kind == GR_CEL_VIOLATION_ERROR)
				w->out[i].kind = GR_CEL_VIOLATION_RATCHETED;
}

static void run_rule_eval(walk *w, const cel_schema_node *n, const crd_rule *r, const gr_value *v,
                          const gr_value *old)
{
	const char *field = w->path.data ? w->path.data : "";
	if (w->stopped)
		return;
	w->at = v;
	if (r->empty)
		return;
	if (r->cost_error) {
		field_error(w, GR_CEL_VIOLATION_COMPILE, "FieldValueForbidden", field, NULL,
		            r->compile_error);
		return;
	}
	if (!r->prog) {
		/* the API server's wording (apiextensions' CEL validator) */
		char msg[sizeof r->compile_error + 32];
		snprintf(msg, sizeof msg, "rule compile error: %s", r->compile_error);
		field_error(w, GR_CEL_VIOLATION_COMPILE, NULL, field, NULL, msg);
		return;
	}
	gr_cel_value vars[2];
	vars[0] = cel_schema_wrap(n, v);
	if (r->transition) {
		if (!old && !r->optional_old)
			return; /* a transition rule needs an old value */
		if (r->optional_old) {
			if (old) {
				gr_cel_value ov = cel_schema_wrap(n, old);
				vars[1] = gr_cel_optional(w->arena, &ov);
			} else
				vars[1] = gr_cel_optional(w->arena, NULL);
		} else
			vars[1] = cel_schema_wrap(n, old);
	} else
		vars[1] = gr_cel_unbound();
	gr_cel_value res;
	uint64_t cost = 0;
	gr_cel_error err;
	int rc = gr_cel_eval(r->prog, vars, 2, w->arena, &res, &cost, &err);
	if (cost > w->remaining ||
	    (rc < 0 && err.type == GR_CEL_LIMIT && cost <= w->c->opts.per_call_limit)) {
		w->stopped = true;
		w->remaining = 0;
		add(w, GR_CEL_VIOLATION_BUDGET, "FieldValueInvalid", field,
		    "validation failed due to running out of cost budget, no further validation rules will "
		    "be run");
		return;
	}
	w->remaining -= cost;
	/* a per-call limit of 0 (no limit for the evaluator) still refuses any cost */
	if ((rc < 0 && err.type == GR_CEL_LIMIT) ||
	    (w->c->opts.per_call_limit_set && cost > w->c->opts.per_call_limit)) {
		char m[600];
		snprintf(m, sizeof m,
		         "%s: Invalid value: \"object\": no further validation rules will be run due to call "
		         "cost exceeds limit for rule: %s",
		         field, r->rule);
		w->stopped = true;
		add(w, GR_CEL_VIOLATION_BUDGET, "FieldValueInvalid", field, m);
		return;
	}
	if (rc < 0 && err.type == GR_CEL_UNSUPPORTED) {
		add(w, GR_CEL_VIOLATION_UNSUPPORTED, NULL, field, err.message);
		return;
	}
	if (rc < 0) {
		char m[600];
		snprintf(m, sizeof m, "%s", err.message);
		field_error(w, GR_CEL_VIOLATION_ERROR, NULL, field, NULL, m);
		return;
	}
	if (res.kind != GR_CEL_BOOL) {
		field_error(w, GR_CEL_VIOLATION_ERROR, NULL, field, NULL, "rule did not evaluate to a bool");
		return;
	}
	if (res.u.b)
		return;
	/* the message: messageExpression, then message, then the rule */
	char detail[6000];
	if (r->message)
		snprintf(detail, sizeof detail, "%s", r->message);
	else
		snprintf(detail, sizeof detail, "failed rule: %s", r->rule);
	if (r->msg_prog) {
		gr_cel_value mv;
		uint64_t mc = 0;
		int mrc = gr_cel_eval(r->msg_prog, vars, 2, w->arena, &mv, &mc, &err);
		if (mc > w->remaining) {
			w->stopped = true;
			field_error(w, GR_CEL_VIOLATION_BUDGET, NULL, field, NULL,
			            "messageExpression evaluation failed due to running out of cost budget, "
			            "no further validation rules will be run");
			return;
		}
		w->remaining -= mc;
		if ((mrc < 0 && err.type == GR_CEL_LIMIT) ||
		    (w->c->opts.per_call_limit_set && mc > w->c->opts.per_call_limit)) {
			char m[600];
			snprintf(m, sizeof m,
			         "%s: Invalid value: \"object\": no further validation rules will be run due "
			         "to call "
			         "cost exceeds limit for messageExpression: %s",
			         field, gr_cel_source(r->msg_prog));
			w->stopped = true;
			add(w, GR_CEL_VIOLATION_BUDGET, "FieldValueInvalid", field, m);
			return;
		}
		if (mrc == 0 && mv.kind == GR_CEL_STRING && mv.u.s.len > 0 && mv.u.s.len <= 5120 &&
		    single_line(mv.u.s.ptr, mv.u.s.len))
			snprintf(detail, sizeof detail, "%.*s", (int)mv.u.s.len, mv.u.s.ptr);
	}
	const char *efield = field;
	char fp[1024];
	if (r->field_path && *r->field_path) {
		snprintf(fp, sizeof fp, "%s%s", field, r->field_path);
		efield = fp;
		/* under a fieldPath the API server omits the value ("Invalid value: <message>") */
		field_error(w, GR_CEL_VIOLATION_FAILED, r->reason, efield, NULL, detail);
		return;
	}
	field_error(w, GR_CEL_VIOLATION_FAILED, r->reason, efield, v, detail);
}

static bool has_rules(const cel_schema_node *n, int depth)
{
	if (!n || depth > 200)
		return false;
	if (n->compiled)
		return true;
	for (size_t i = 0; i < n->nprops; i++)
		if (has_rules(n->props[i], depth + 1))
			return true;
	if (has_rules(n->additional, depth + 1) || has_rules(n->items, depth + 1))
		return true;
	for (size_t i = 0; i < n->nallof; i++)
		if (has_rules(n->allof[i], depth + 1))
			return true;
	return false;
}

static const gr_value *old_item(const cel_schema_node *n, const gr_value *item, const gr_value *old)
{
	if (!old || old->type != GR_ARRAY)
		return NULL;
	if (n->list_type == L_SET) {
		for (size_t i = 0; i < old->u.a.len; i++)
			if (gr_equal(&old->u.a.items[i], item))
				return &old->u.a.items[i];
		return NULL;
	}
	if (n->list_type == L_MAP && gr_is(n->map_keys, GR_ARRAY) && item->type == GR_OBJECT) {
		for (size_t i = 0; i < old->u.a.len; i++) {
			const gr_value *o = &old->u.a.items[i];
			if (o->type != GR_OBJECT)
				continue;
			bool same = true;
			for (size_t k = 0; k < n->map_keys->u.a.len && same; k++) {
				const gr_value *key = &n->map_keys->u.a.items[k];
				if (!gr_is(key, GR_STRING))
					continue;
				const gr_value *a = gr_getn(item, key->u.s.ptr, key->u.s.len);
				const gr_value *b = gr_getn(o, key->u.s.ptr, key->u.s.len);
				if (!a != !b || (a && !gr_equal(a, b)))
					same = false;
			}
			if (same)
				return o;
		}
	}
	return NULL;
}

static void walk_node(walk *w, const cel_schema_node *n, const gr_value *v, const gr_value *old, int depth);

static void walk_children(walk *w, const cel_schema_node *n, const gr_value *v, const gr_value *old,
                          int depth)
{
	size_t mark = w->path.len;
	if (v->type == GR_OBJECT) {
		for (size_t i = 0; i < v->u.o.len; i++) {
			const gr_member *m = &v->u.o.members[i];
			const cel_schema_node *child = NULL;
			bool is_map = false, declared = false;
			for (size_t k = 0; k < n->nprops; k++)
				if (n->plens[k] == m->key_len && !memcmp(n->pnames[k], m->key, m->key_len)) {
					child = n->props[k]; /* NULL: no rules at or below it */
					declared = true;
					break;
				}
			if (!declared && n->additional) {
				child = n->additional;
				is_map = true;
			}
			if (!child || !has_rules(child, 0))
				continue;
			const gr_value *oc =
			        old && old->type == GR_OBJECT ? gr_getn(old, m->key, m->key_len) : NULL;
			if (is_map)
				gr_buf_printf(&w->path, "[%.*s]", (int)m->key_len, m->key);
			else
				gr_buf_printf(&w->path, ".%.*s", (int)m->key_len, m->key);
			if (w->path.failed) {
				w->oom = w->stopped = true;
				return;
			}
			walk_node(w, child, &m->value, oc, depth + 1);
			w->path.len = mark;
			w->path.data[mark] = 0;
		}
	} else if (v->type == GR_ARRAY && n->items && has_rules(n->items, 0)) {
		bool saved = w->unchanged;
		if (n->list_type == L_ATOMIC && old && gr_equal(v, old))
			w->unchanged = true;
		for (size_t i = 0; i < v->u.a.len; i++) {
			const gr_value *item = &v->u.a.items[i];
			gr_buf_printf(&w->path, "[%zu]", i);
			if (w->path.failed) {
				w->oom = w->stopped = true;
				break;
			}
			walk_node(w, n->items, item, old_item(n, item, old), depth + 1);
			w->path.len = mark;
			w->path.data[mark] = 0;
		}
		w->unchanged = saved;
	}
}

static void walk_node(walk *w, const cel_schema_node *n, const gr_value *v, const gr_value *old, int depth)
{
	if (!n || depth > 200 || w->stopped)
		return;
	const crd_node_rules *nr = n->compiled;
	if (nr && v->type != GR_NULL)
		for (size_t i = 0; i < nr->n; i++)
			run_rule(w, n, &nr->rules[i], v, old);
	/* allOf branches: their rules apply to this value, with this node's type */
	for (size_t k = 0; k < n->nallof; k++) {
		const cel_schema_node *a = n->allof[k];
		const crd_node_rules *ar = a->compiled;
		if (ar && v->type != GR_NULL)
			for (size_t i = 0; i < ar->n; i++)
				run_rule(w, n, &ar->rules[i], v, old);
		/* the branch's structure points at children */
		walk_children(w, a, v, old, depth);
	}
	walk_children(w, n, v, old, depth);
}

int gr_cel_crd_validate(const gr_cel_crd *c, const gr_value *obj, const gr_value *old, const char *root,
                        gr_arena *arena, gr_cel_violation **out, size_t *n, uint64_t *remaining)
{
	walk w;
	memset(&w, 0, sizeof w);
	w.c = c;
	w.arena = arena;
	w.remaining = c->opts.cost_budget;
	gr_buf_init(&w.path);
	gr_buf_puts(&w.path, root ? root : "");
	w.root_len = w.path.len;
	if (w.path.failed || !w.path.data) {
		gr_buf_free(&w.path);
		*out = NULL;
		*n = 0;
		return -1;
	}
	if (c->cost_error[0])
		field_error(&w, GR_CEL_VIOLATION_COMPILE, "FieldValueForbidden",
		            w.path.data ? w.path.data : "", NULL, c->cost_error);
	walk_node(&w, c->schema->root, obj, old, 0);
	gr_buf_free(&w.path);
	*out = w.out;
	*n = w.n;
	if (remaining)
		*remaining = w.remaining;
	return w.oom ? -1 : 0; /* -1: memory ran out, some violation may be missing */
}
