/*
 * schema_int.h — the compiled schema graph shared by the schema engine's
 * files (compiler, registry, validator). Not public.
 *
 * A node is one schema after `$ref` and `allOf: [$ref]` wrappers are
 * resolved: a type set, sorted properties (binary search on the hot path),
 * additionalProperties, items, required names, enum values, a format code,
 * the x-kubernetes-* flags and value limits. Defaults and property-level
 * nullable live on the property edge, because one node (ObjectMeta, say)
 * is shared by every property that refers to it.
 */
#ifndef GUARDRAIL_SCHEMA_INT_H
#define GUARDRAIL_SCHEMA_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guardrail/arena.h"
#include "guardrail/error.h"
#include "guardrail/regex.h"
#include "guardrail/value.h"

/* Type bits. 0 means "any type". */
enum {
	ST_BOOL = 1,
	ST_INT = 2,
	ST_NUM = 4, /* number: integers and doubles */
	ST_STR = 8,
	ST_ARR = 16,
	ST_OBJ = 32,
};

enum {
	SF_NULLABLE = 1 << 0,
	SF_PRESERVE = 1 << 1, /* x-kubernetes-preserve-unknown-fields */
	SF_EMBEDDED = 1 << 2, /* x-kubernetes-embedded-resource */
	SF_LIST_MAP = 1 << 3,
	SF_LIST_SET = 1 << 4,
	SF_ADDL_FALSE = 1 << 5, /* additionalProperties: false */
	SF_HAS_MIN = 1 << 6,
	SF_HAS_MAX = 1 << 7,
	SF_EXCL_MIN = 1 << 8,
	SF_EXCL_MAX = 1 << 9,
	SF_UNIQUE = 1 << 10,    /* uniqueItems */
	SF_ROOT_META = 1 << 11, /* object root: apiVersion/kind/metadata always allowed */
};

enum {
	FMT_NONE = 0,
	FMT_INT32,
	FMT_INT64,
	FMT_BYTE,
	FMT_DATETIME,
	FMT_QUANTITY,
	FMT_IPV4,
	FMT_IPV6,
	/* the other strfmt formats a CRD schema may name (schemas of built-in
	 * kinds are judged by Go's types: not these) */
	FMT_IPV4_SLOPPY, /* ipv4 in a CRD: strfmt's isIPv4, leading zeros allowed */
	FMT_BYTE_STRFMT, /* byte in a CRD: govalidator's IsBase64 */
	FMT_UUID,
	FMT_UUID3,
	FMT_UUID4,
	FMT_UUID5,
	FMT_HOSTNAME,
	FMT_BSONOBJECTID,
	FMT_DATE,
	FMT_DURATION,
	FMT_CIDR,
	FMT_MAC,
	FMT_HEXCOLOR,
	FMT_RGBCOLOR,
	FMT_PASSWORD,
	FMT_URI,
	FMT_ISBN,
	FMT_ISBN10,
	FMT_ISBN13,
	FMT_SSN,
	/* checked by the API server, not by guardrail: counted not evaluated */
	FMT_EMAIL,
	FMT_CREDITCARD,
};

/* Does the format apply to strings (kube-openapi's format validator)? */
bool gri_format_is_strfmt(uint8_t format);
bool gri_format_uuid_ok(const char *s, size_t len, int version);
bool gri_format_bsonobjectid_ok(const char *s, size_t len);
bool gri_format_base64_strfmt_ok(const char *s, size_t len);
bool gri_format_hexcolor_ok(const char *s, size_t len);
bool gri_format_rgbcolor_ok(const char *s, size_t len);
bool gri_format_date_ok(const char *s, size_t len);
bool gri_format_duration_ok(const char *s, size_t len);
bool gri_format_mac_ok(const char *s, size_t len);
bool gri_format_ipv4_sloppy_ok(const char *s, size_t len);
bool gri_format_cidr_ok(const char *s, size_t len);
int gri_format_hostname_ok(const char *s, size_t len);
/* For a CRD's strfmt format with a yes/no rule (not hostname, email,
 * creditcard): NULL when s fits it (or the format has no such rule), else
 * what the format expects, for the message. */
const char *gri_strfmt_expected(uint8_t format, const char *s, size_t len);
bool gri_format_uri_ok(const char *s, size_t len);
bool gri_format_ssn_ok(const char *s, size_t len);
bool gri_format_isbn_ok(const char *s, size_t len, int version);

typedef struct snode snode;

typedef struct sprop {
	const char *name;
	size_t len;
	const snode *node;
	const gr_value *dflt; /* default, or NULL */
	bool nullable;        /* the edge says nullable: true */
} sprop;

struct snode {
	uint8_t types;
	uint8_t format;
	uint16_t flags;
	uint32_t nprops, nrequired, nenum, nkeys, nvalidations;
	sprop *props;            /* sorted by name (memcmp, then length) */
	const sprop **defaulted; /* properties whose default is an object: validated when absent */
	uint32_t ndefaulted;
	const char **required;
	gr_value *enums;
	const char **keys; /* x-kubernetes-list-map-keys */
	const snode *items;
	const snode *additional;
	int64_t min_len, max_len, min_items, max_items, min_props, max_props; /* -1: none */
	double minimum, maximum, multiple_of;                                 /* multiple_of 0: none */
	const struct sregex *pattern; /* `pattern` compiled (or Go's error for it), or NULL: none */
	/* allOf/anyOf/oneOf/not value validations (CRDs); type-only unions
	 * (IntOrString, Quantity) are folded into `types` instead */
	const snode **all_of, **any_of, **one_of;
	uint32_t nall_of, nany_of, none_of;
	const snode *not_;
	const char *pattern_src;
	struct gr_schema_cel *cel; /* a CRD root: its compiled x-kubernetes-validations (cel.c) */
};

/* A compiled `pattern` (pattern.c): one per distinct text in a registry,
 * linked in a list that frees them. re is NULL when Go would reject the
 * pattern; error then holds Go's message. */
typedef struct sregex {
	gr_regex *re;
	const char *error;
	const char *src; /* the pattern as written */
	size_t len;
	struct sregex *next;
} sregex;

/* The compiled pattern for pat (compiled now if the list lacks it); NULL
 * only when out of memory. */
const sregex *gr_pattern_get(sregex **list, gr_arena *out, const char *pat, size_t len);

/* A node that accepts anything and keeps unknown fields. */
extern const snode gr_snode_any;

/* Compile one inline schema (no $ref context): CRDs. */
typedef struct scompiler scompiler;
/* components: the `components.schemas` object of an OpenAPI document, or NULL.
 * builtin: object nodes without properties keep unknown fields (FieldsV1, RawExtension). */
scompiler *gr_scompiler_new(gr_arena *out, const gr_value *components, bool builtin);
/* Where compiled patterns are linked (to be freed with gr_sregex_free_all). */
void gr_scompiler_set_regex_list(scompiler *c, sregex **list);
/* Or: the registry's shared, locked pattern cache (gri_registry_pattern). */
struct gr_schema_registry;
void gr_scompiler_set_registry_patterns(scompiler *c, struct gr_schema_registry *r);
/* The registry's compiled pattern for pat (thread-safe; shared by every
 * CRD version and CRD object validated against r); NULL: out of memory. */
const sregex *gri_registry_pattern(struct gr_schema_registry *r, const char *pat, size_t len);
void gr_sregex_free_all(sregex *list);
/* Share equal subschemas of schema (which gr_scompile will compile next)
 * between the places they occur: one node each. Without memory for its
 * tables, compiling goes on unshared. */
void gr_scompiler_share(scompiler *c, const gr_value *schema);

/* Register a CRD's versions, compiled on their first lookup: crd's tree
 * must outlive r. 0/1/-1 as gr_schema_add_crd. */
int gri_schema_add_crd_lazy(struct gr_schema_registry *r, const gr_value *crd, gr_error *err);
/* gr_schema_add_crd_path, and in *crds the CRD documents it found that
 * name a group and a kind (added, or defined already). */
int gri_schema_add_crd_path_seen(struct gr_schema_registry *r, const char *path, size_t *crds, gr_error *err);

/* CRD validation rules compiled by lib/cel (cel.c) for the Kubernetes
 * version ("1.30"): attached to a CRD version's root node when it is
 * compiled, kept in a (the version's arena) and linked on *list (freed with
 * gr_schema_cel_free_all). borrowed: schema outlives the rules (else they
 * keep a copy). */
void gr_schema_cel_attach(const char *k8s_version, gr_arena *a, struct gr_schema_cel **list, snode *root,
                          bool borrowed, const gr_value *schema);
void gr_schema_cel_free_all(struct gr_schema_cel *list);
const snode *gr_scompile(scompiler *c, const gr_value *schema);
const snode *gr_scompile_component(scompiler *c, const char *name, size_t len);
void gr_scompiler_free(scompiler *c);
/* The components c compiled: fn for each, with its name and node. */
void gr_scompiler_each_component(const scompiler *c,
                                 void (*fn)(void *user, const char *name, size_t len, const snode *node),
                                 void *user);
/* Component name of c's document is node, which a compiler of the same
 * document made (in an arena that outlives c): it is not compiled again. */
void gr_scompiler_seed_component(scompiler *c, const char *name, size_t len, const snode *node);
/* True when an allocation failed during any compile: discard the result. */
bool gr_scompiler_failed(const scompiler *c);

/* Deep copy of a value into an arena (for enums and defaults). */
bool gr_value_copy(gr_arena *a, gr_value *dst, const gr_value *src);
/* Structural hash consistent with gr_equal. */
uint64_t gr_value_hash(const gr_value *v);

const sprop *gr_snode_prop(const snode *n, const char *key, size_t len);

#endif
