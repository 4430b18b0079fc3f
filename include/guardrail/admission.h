/*
 * admission.h — Kubernetes AdmissionReview (admission.k8s.io/v1) in and out.
 *
 * gr_admission_decode() reads a review body into a request whose strings
 * and trees live in the caller's arena: `object` and `oldObject` are the
 * decoded trees themselves, ready for gr_object_init, never re-serialised.
 * The response side builds exactly what the API server accepts: the
 * request's uid, an explicit `allowed`, `status` {code, reason, message}
 * on denial, warnings within the API server's budget (4,096 runes in all,
 * no control characters, no duplicates) and audit annotations whose keys are
 * valid qualified-name suffixes. The violation formatting follows Pod
 * Security Admission: `reason (detail), reason (detail)`, one message for
 * every finding of a request.
 */
#ifndef GUARDRAIL_ADMISSION_H
#define GUARDRAIL_ADMISSION_H

#include <stdbool.h>
#include <stddef.h>

#include "guardrail/arena.h"
#include "guardrail/buf.h"
#include "guardrail/decode.h"
#include "guardrail/error.h"
#include "guardrail/value.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gr_admission_op {
	GR_ADMISSION_CREATE = 0,
	GR_ADMISSION_UPDATE,
	GR_ADMISSION_DELETE,
	GR_ADMISSION_CONNECT,
	GR_ADMISSION_OP_OTHER /* anything else the sender wrote */
} gr_admission_op;

const char *gr_admission_op_name(gr_admission_op op); /* "CREATE", ..., "OTHER" */

/* Why a body is not an AdmissionReview (every one is an HTTP 400). */
typedef enum gr_admission_error {
	GR_ADMISSION_OK = 0,
	GR_ADMISSION_BAD_JSON,    /* not one JSON value, or over the decode limits */
	GR_ADMISSION_BAD_TYPE,    /* apiVersion/kind is not admission.k8s.io/v1 AdmissionReview */
	GR_ADMISSION_BAD_REQUEST, /* no request, or no string uid */
} gr_admission_error;

typedef struct gr_admission_request {
	const gr_value *root;   /* the whole review */
	const char *uid;        /* request.uid */
	const char *kind_group; /* request.kind.{group,version,kind}; "" when missing */
	const char *kind_version;
	const char *kind;
	const char *res_group; /* request.resource.{group,version,resource} */
	const char *res_version;
	const char *resource;
	const char *sub_resource; /* "" when none */
	const char *name;         /* may be "" (generateName on CREATE) */
	const char *namespace_;   /* "" for cluster-scoped objects */
	gr_admission_op operation;
	const char *operation_name; /* as sent */
	const char *username;       /* request.userInfo.username or "" */
	const gr_value *object;     /* NULL when null or missing (DELETE) */
	const gr_value *old_object; /* NULL when null or missing (CREATE, CONNECT) */
	bool dry_run;
} gr_admission_request;

/*
 * Decode body into req. Strings point into arena a (or into the tree).
 * limits may be NULL for the decoder's defaults. Returns GR_ADMISSION_OK or
 * the class of error, with err describing it (line:column for JSON errors).
 */
gr_admission_error gr_admission_decode(gr_arena *a, const char *body, size_t len,
                                       const gr_decode_limits *limits, gr_admission_request *req,
                                       gr_error *err);

/* The API server's warning budget (runes), and the length it truncates
 * each warning to once the budget is exceeded. */
#define GR_ADMISSION_WARNING_BUDGET   4096
#define GR_ADMISSION_WARNING_TRUNCATE 256
#define GR_ADMISSION_MAX_WARNINGS     64
#define GR_ADMISSION_MAX_ANNOTATIONS  8

typedef struct gr_admission_warnings {
	const char *items[GR_ADMISSION_MAX_WARNINGS]; /* sanitized, in the arena */
	size_t n;
	size_t runes;   /* total runes of items */
	size_t dropped; /* warnings that did not fit (counted in a last note) */
} gr_admission_warnings;

typedef struct gr_admission_response {
	const char *uid;
	bool allowed;
	int code;            /* on denial: 403 */
	const char *reason;  /* on denial: "Forbidden" */
	const char *message; /* on denial: every finding, one message */
	gr_admission_warnings warnings;
	const char *ann_keys[GR_ADMISSION_MAX_ANNOTATIONS];
	const char *ann_values[GR_ADMISSION_MAX_ANNOTATIONS];
	size_t nann;
} gr_admission_response;

/* An allowing response for uid (uid may be NULL: ""). */
void gr_admission_response_init(gr_admission_response *r, const char *uid);
/* Deny with 403 Forbidden and message. */
void gr_admission_response_deny(gr_admission_response *r, const char *message);

/*
 * Add a warning: control characters become spaces, invalid UTF-8 becomes
 * U+FFFD, an exact duplicate is dropped, and the text is cut (on a rune
 * boundary, with "...") so that the total stays within the budget, keeping
 * room for a last note saying how many warnings were left out. Returns 1
 * when added, 0 when a duplicate, -1 when dropped for the budget (counted,
 * and said by the note), -2 when out of memory (not counted: a reply that
 * lost a warning that way must not be sent).
 */
int gr_admission_warning_add(gr_admission_warnings *w, gr_arena *a, const char *text, size_t len);
/* Append "N more warnings not shown" when some were dropped; -1 when out of memory. */
int gr_admission_warnings_finish(gr_admission_warnings *w, gr_arena *a);

/* True when key is a valid name part of a qualified name (at most 63
 * characters, [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?, so no '/'). */
bool gr_admission_annotation_key_valid(const char *key);
/* Set an audit annotation; -1 when the key is invalid or the table full. */
int gr_admission_annotate(gr_admission_response *r, const char *key, const char *value);

/* The whole reply: {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{...}}. */
void gr_admission_encode(gr_buf *b, const gr_admission_response *r);

/* One failing check, as Pod Security Admission aggregates them. */
typedef struct gr_admission_violation {
	const char *reason; /* "allowPrivilegeEscalation != false" */
	const char *detail; /* `container "app" must set ...`; may be NULL or "" */
} gr_admission_violation;

/*
 * PSA's ForbiddenDetail: "reason (detail), reason, reason (detail)" in the
 * order given. Consecutive violations with the same reason merge into one
 * entry; details of the shape `container "a" REST` with the same REST merge
 * into `containers "a", "b" REST` as PSA words them. Allocated in a.
 */
char *gr_admission_forbidden_detail(gr_arena *a, const gr_admission_violation *v, size_t n);

#ifdef __cplusplus
}
#endif

#endif
