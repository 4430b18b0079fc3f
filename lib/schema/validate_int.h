/*
 * validate_int.h — the walk state shared by the validator (validate.c), the
 * object-metadata rules (meta.c) and the CRD-object check (crdcheck.c).
 *
 * The current field path is a stack of (key | index) segments; it becomes a
 * string only when a finding is made.
 */
#ifndef GUARDRAIL_VALIDATE_INT_H
#define GUARDRAIL_VALIDATE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "guardrail/engine.h"
#include "guardrail/finding.h"
#include "guardrail/schema.h"
#include "schema_int.h"

#define VSTACK_MAX 600

typedef struct vseg {
	const char *key; /* NULL: index */
	size_t len;      /* key length, or the index */
} vseg;

typedef struct vctx {
	const gr_object *obj;
	struct gr_schema_registry *reg; /* the registry validating obj */
	const gr_schema_check_options *opt;
	gr_check_ctx *ctx;
	gr_findings *out;
	vseg stack[VSTACK_MAX];
	size_t depth;
	const gr_value *pos_override; /* validating a default: findings point here */
	const char *path_override;    /* a path built by hand (CRD schema paths) */
	int in_branch;  /* inside allOf/anyOf/oneOf/not: no unknown-field, default or CEL work */
	bool cel_done;  /* the CRD's rules are evaluated by lib/cel (cel.c), not counted */
	int in_default; /* inside a value the schema's defaults supplied */
	bool silent;    /* count errors instead of reporting them (anyOf/oneOf/not trials) */
	size_t silent_errors;
	size_t matches; /* kube-openapi's MatchCount of the walk so far (see count_matches) */
	size_t first;   /* out->len when this object's walk began */
} vctx;

static inline void v_push_key(vctx *v, const char *k, size_t len)
{
	if (v->depth < VSTACK_MAX)
		v->stack[v->depth] = (vseg){k, len};
	v->depth++;
}
static inline void v_push_index(vctx *v, size_t i)
{
	if (v->depth < VSTACK_MAX)
		v->stack[v->depth] = (vseg){NULL, i};
	v->depth++;
}
static inline void v_pop(vctx *v)
{
	v->depth--;
}

/* Add a finding at the current path (plus one key segment when child_key is
 * given), positioned at line/column. Message is prefixed with "<path>: ". */
/* CRD validation rules (cel.c) */
void gr_v_cel(vctx *v, const snode *root, const gr_value *x, const gr_value *old);

void gr_v_report(vctx *v, const char *rule, const char *reason, gr_severity sev, uint32_t line,
                 uint32_t column, const char *child_key, size_t child_len, const char *fmt, ...)
        __attribute__((format(printf, 9, 10)));

/* metadata rules (meta.c); meta is the object's metadata node (may be NULL) */
enum { META_BUILTIN = 0, META_CUSTOM = 1, META_EMBEDDED = 2 };
void gr_v_metadata(vctx *v, const gr_value *meta, bool namespaced, int mode, const gr_value *parent);
/* RFC 1123 subdomain syntax without the length limit (names.c) */
bool gr_dns1123_subdomain_syntax(const char *s, size_t len);
/* Kubernetes-side checks of a CustomResourceDefinition object (crdcheck.c). */
void gr_v_crd_object(vctx *v, const gr_value *crd);

/* Short JSON-ish rendering of a scalar for messages, into the findings arena. */
/* Set the remediation of the finding added since the list had `before` entries. */
void gr_v_set_fix(vctx *v, size_t before, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *gr_v_show(vctx *v, const gr_value *val);

#endif
