/*
 * program.c — environments, compiling and evaluating programs: the public
 * face of the CEL engine (cel.h). A program owns an arena holding its AST
 * and literals; evaluation needs one slot per comprehension variable,
 * taken from the caller's arena, so programs stay immutable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel_internal.h"
#include "cel_regex.h"

const char *gr_cel_error_name(gr_cel_error_type t)
{
	switch (t) {
	case GR_CEL_OK: return "ok";
	case GR_CEL_SYNTAX: return "syntax";
	case GR_CEL_CHECK: return "check";
	case GR_CEL_EVAL: return "eval";
	case GR_CEL_UNSUPPORTED: return "unsupported";
	default: return "limit";
	}
}

void gr_cel_options_default(gr_cel_options *o)
{
	memset(o, 0, sizeof *o);
	o->max_expression = 100000;
	o->max_depth = 250;
}

int cel_env_libs(const gr_cel_options *o)
{
	if (!o->kubernetes)
		return 0;
	return CEL_LIB_K8S | (o->jsonpatch ? CEL_LIB_JSONPATCH : 0);
}

gr_cel_env *gr_cel_env_new(const gr_cel_options *opts)
{
	gr_cel_env *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	if (opts)
		e->opts = *opts;
	else
		gr_cel_options_default(&e->opts);
	if (!e->opts.max_expression)
		e->opts.max_expression = 100000;
	if (!e->opts.max_depth)
		e->opts.max_depth = 250;
	return e;
}

void gr_cel_env_free(gr_cel_env *env)
{
	if (!env)
		return;
	for (size_t i = 0; i < env->n; i++)
		free(env->names[i]);
	free(env->names);
	free(env->schemas);
	free(env->optional);
	free(env->kobj);
	for (size_t i = 0; i < env->nfdecls; i++) {
		cel_fdecl *d = &env->fdecls[i];
		free(d->name);
		for (size_t k = 0; k < d->nparams; k++)
			free(d->params[k]);
		free(d->params);
		free(d->result);
	}
	free(env->fdecls);
	free(env);
}

int gr_cel_env_declare(gr_cel_env *env, const char *name, const void *schema)
{
	for (size_t i = 0; i < env->n; i++)
		if (!strcmp(env->names[i], name))
			return -1;
	if (env->n == env->cap) {
		size_t nc = env->cap ? env->cap * 2 : 8;
		char **nn = realloc(env->names, nc * sizeof *nn);
		if (!nn)
			return -1;
		env->names = nn;
		const void **ns = realloc(env->schemas, nc * sizeof *ns);
		if (!ns)
			return -1;
		env->schemas = ns;
		bool *no = realloc(env->optional, nc * sizeof *no);
		if (!no)
			return -1;
		env->optional = no;
		uint8_t *nk = realloc(env->kobj, nc * sizeof *nk);
		if (!nk)
			return -1;
		env->kobj = nk;
		env->cap = nc;
	}
	char *c = strdup(name);
	if (!c)
		return -1;
	env->names[env->n] = c;
	env->schemas[env->n] = schema;
	env->optional[env->n] = false;
	env->kobj[env->n] = 0;
	env->n++;
	return 0;
}

int gr_cel_env_declare_object(gr_cel_env *env, const char *name, int object_kind)
{
	if (object_kind <= 0 || object_kind > 255 || gr_cel_env_declare(env, name, NULL) < 0)
		return -1;
	env->kobj[env->n - 1] = (uint8_t)object_kind;
	return 0;
}

int gr_cel_env_declare_optional(gr_cel_env *env, const char *name, const void *schema)
{
	if (gr_cel_env_declare(env, name, schema) < 0)
		return -1;
	env->optional[env->n - 1] = true;
	return 0;
}

int gr_cel_env_declare_function(gr_cel_env *env, const char *name, bool member, const char *const *params,
                                size_t nparams, const char *result)
{
	cel_fdecl *nd = realloc(env->fdecls, (env->nfdecls + 1) * sizeof *nd);
	if (!nd)
		return -1;
	env->fdecls = nd;
	cel_fdecl *d = &env->fdecls[env->nfdecls];
	memset(d, 0, sizeof *d);
	d->name = strdup(name);
	d->result = strdup(result ? result : "dyn");
	d->params = calloc(nparams + 1, sizeof *d->params);
	d->member = member;
	if (!d->name || !d->result || !d->params) {
		free(d->name);
		free(d->result);
		free(d->params);
		return -1;
	}
	for (size_t i = 0; i < nparams; i++) {
		d->params[i] = strdup(params[i] ? params[i] : "dyn");
		if (!d->params[i]) {
			for (size_t k = 0; k < i; k++)
				free(d->params[k]);
			free(d->name);
			free(d->result);
			free(d->params);
			return -1;
		}
	}
	d->nparams = nparams;
	env->nfdecls++;
	return 0;
}

const cel_fdecl *cel_env_find_decl(const gr_cel_env *env, const char *name, size_t len, bool member,
                                   size_t nargs, size_t from, size_t *at)
{
	for (size_t i = from; i < env->nfdecls; i++) {
		const cel_fdecl *d = &env->fdecls[i];
		if (strlen(d->name) == len && !memcmp(d->name, name, len) && d->member == member &&
		    d->nparams == nargs) {
			if (at)
				*at = i;
			return d;
		}
	}
	return NULL;
}

size_t gr_cel_env_count(const gr_cel_env *env)
{
	return env->n;
}

/* Compile the literal patterns of matches/find/findAll once, for every
 * evaluation (a pattern that does not compile stays per call: its error is
 * the evaluation's). */
static void compile_regexes(gr_cel_program *p, cel_node *n, int depth)
{
	if (depth > 1000)
		return;
	for (size_t i = 0; i < n->nargs; i++)
		compile_regexes(p, n->args[i], depth + 1);
	if (n->kind != N_CALL || n->nargs < 2 || n->args[1]->kind != N_LITERAL ||
	    n->args[1]->value.kind != GR_CEL_STRING ||
	    (strcmp(n->name, "matches") && strcmp(n->name, "find") && strcmp(n->name, "findAll")))
		return;
	void **grown = realloc(p->regexes, (p->nregexes + 1) * sizeof *grown);
	if (!grown)
		return;
	p->regexes = grown;
	void *re = cel_regex_compile(n->args[1]->value.u.s.ptr, n->args[1]->value.u.s.len);
	if (!re)
		return;
	p->regexes[p->nregexes++] = re;
	n->regex = re;
}

int gr_cel_compile(const gr_cel_env *env, const char *expr, size_t len, gr_cel_program **out,
                   gr_cel_error *err)
{
	gr_cel_error local;
	if (!err)
		err = &local;
	memset(err, 0, sizeof *err);
	*out = NULL;
	if (len > env->opts.max_expression) {
		err->type = GR_CEL_LIMIT;
		snprintf(err->message, sizeof err->message, "expression size %zu exceeds the limit %zu", len,
		         env->opts.max_expression);
		return -1;
	}
	gr_cel_program *p = calloc(1, sizeof *p);
	if (!p) {
		err->type = GR_CEL_LIMIT;
		snprintf(err->message, sizeof err->message, "out of memory");
		return -1;
	}
	gr_arena_init(&p->arena);
	/* a program's tree is a small multiple of its text: a CRD compiles
	 * thousands of programs, each must not hold the 64 KiB default chunk */
	gr_arena_expect(&p->arena, len * 32 + 1024);
	p->opts = env->opts;
	p->nvars = env->n;
	p->source = gr_arena_strndup(&p->arena, expr, len);
	p->uses = gr_arena_calloc(&p->arena, env->n + 1, 1);
	if (!p->source || !p->uses) {
		gr_cel_free(p);
		err->type = GR_CEL_LIMIT;
		snprintf(err->message, sizeof err->message, "out of memory");
		return -1;
	}
	if (cel_parse(env, p->source, len, &p->arena, &p->root, &p->nslots, p->uses, err) < 0 ||
	    (!env->opts.unchecked && cel_check(env, p->root, p->nslots, &p->arena, err, &p->type) < 0)) {
		gr_cel_free(p);
		return -1;
	}
	if (!env->opts.unchecked)
		cel_estimate(p, env);
	compile_regexes(p, p->root, 0);
	*out = p;
	return 0;
}

void gr_cel_free(gr_cel_program *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nregexes; i++)
		cel_regex_free(p->regexes[i]);
	free(p->regexes);
	gr_arena_free(&p->arena);
	free(p);
}

const char *gr_cel_program_type(const gr_cel_program *p)
{
	return p->type ? p->type : "dyn";
}

const char *gr_cel_source(const gr_cel_program *p)
{
	return p->source;
}

bool gr_cel_uses(const gr_cel_program *p, size_t index)
{
	return index < p->nvars && p->uses[index];
}

int gr_cel_eval(const gr_cel_program *p, const gr_cel_value *vars, size_t nvars, gr_arena *arena,
                gr_cel_value *result, uint64_t *cost, gr_cel_error *err)
{
	gr_cel_error local;
	if (!err)
		err = &local;
	memset(err, 0, sizeof *err);
	cel_eval ev;
	memset(&ev, 0, sizeof ev);
	ev.prog = p;
	ev.vars = vars;
	ev.nvars = nvars;
	ev.arena = arena;
	ev.err = err;
	ev.cost_limit = p->opts.cost_limit;
	if (p->nslots) {
		ev.slots = gr_arena_calloc(arena, (size_t)p->nslots, sizeof *ev.slots);
		if (!ev.slots) {
			err->type = GR_CEL_LIMIT;
			snprintf(err->message, sizeof err->message, "out of memory");
			return -1;
		}
	}
	gr_cel_value r = cel_eval_node(&ev, p->root);
	if (cost)
		*cost = ev.cost;
	if (r.kind == GR_CEL_ERROR) {
		err->type = ev.fatal ? GR_CEL_LIMIT : ev.unsupported ? GR_CEL_UNSUPPORTED : GR_CEL_EVAL;
		err->column = ev.error_column;
		snprintf(err->message, sizeof err->message, "%.*s", (int)r.u.s.len, r.u.s.ptr);
		*result = r;
		return -1;
	}
	*result = r;
	return 0;
}
