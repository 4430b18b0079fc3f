/*
 * cel_schema.h — compiled OpenAPI schema nodes as CEL types (schema.c) and
 * the CRD rule validator over them (crd.c). Not public.
 */
#ifndef GUARDRAIL_CEL_SCHEMA_H
#define GUARDRAIL_CEL_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "cel_internal.h"

enum { S_ANY = 0, S_OBJECT, S_ARRAY, S_STRING, S_INTEGER, S_NUMBER, S_BOOLEAN };
enum { F_NONE = 0, F_BYTE, F_DURATION, F_DATETIME, F_DATE };
enum { L_ATOMIC = 0, L_SET, L_MAP };

struct cel_schema_node {
	const gr_value *raw;
	int type, format, list_type;
	bool nullable, int_or_string, preserve, embedded, is_root, has_props, additional_any;
	const gr_value *map_keys;
	const gr_value *dflt; /* `default`: the API server defaults before validating */
	size_t nprops;
	const char **pnames;
	size_t *plens;
	struct cel_schema_node **props;
	struct cel_schema_node *additional;
	struct cel_schema_node *items;
	struct cel_schema_node **allof;
	size_t nallof;
	const gr_value *rules; /* x-kubernetes-validations (raw) */
	void *compiled;        /* crd.c: the compiled rules of this node */
};

struct gr_cel_schema {
	gr_arena arena;
	cel_schema_node *root;
};

/* gr_cel_schema_new, but only the nodes rules need (schema.c's
 * build_rules): those with rules, all below them, and their ancestors;
 * other children are NULL, and a schema without rules has no root. */
gr_cel_schema *cel_schema_new_rules(const gr_value *openapi, bool is_root, gr_cel_error *err);

/* Kubernetes' WithTypeAndObjectMeta: whether a resource root declares
 * kind, apiVersion (strings) and metadata with name and generateName
 * (strings) itself; otherwise those three are replaced by the standard
 * ones (metadata: name and generateName only). */
bool cel_schema_declares_meta(const cel_schema_node *n);
/* Kubernetes' MinSerializedSize of the node's declared type. */
int64_t cel_schema_min_size(const cel_schema_node *n);
int cel_unescape_name(const char *in, size_t len, char *out, size_t cap, size_t *olen);
gr_cel_value cel_schema_bytes(cel_eval *ev, gr_cel_value v);
gr_cel_value cel_schema_wrap(const void *schema, const gr_value *v);

#endif
