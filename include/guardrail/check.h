/*
 * check.h — one input buffer through every selected engine.
 *
 * A gr_checker holds the engines of a run. The caller shows it the inputs
 * that carry set-level objects first (gr_checker_prepare: CRDs, Namespaces),
 * then checks each input with gr_checker_check, from any number of threads:
 * each call has its own arena and findings. This is the path `guardrail
 * check` takes per file and a cluster audit will take per object list.
 */
#ifndef GUARDRAIL_CHECK_H
#define GUARDRAIL_CHECK_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "guardrail/decode.h"
#include "guardrail/engine.h"
#include "guardrail/finding.h"
#include "guardrail/report.h"

typedef struct gr_checker gr_checker;

/* names: engine names to run (NULL or n == 0: every engine). */
int gr_checker_new(gr_checker **out, const char *const *names, size_t n, const gr_config *cfg,
		   gr_error *err);
void gr_checker_free(gr_checker *c);

/* True when the buffer may hold objects engines want to see in prepare. */
bool gr_checker_wants_prepare(const char *data, size_t len);
/* Decode and show every object to the engines' prepare. Decode errors are
 * ignored here (the check pass reports them); engine errors are returned. */
int gr_checker_prepare(gr_checker *c, const char *file, const char *data, size_t len, gr_error *err);

typedef struct gr_file_check {
	gr_arena arena;          /* owns the tree, objects and finding strings */
	gr_findings findings;    /* sorted by position */
	gr_object *objects;
	unsigned char *status;   /* gr_object_status per object */
	size_t nobjects;
	size_t errors;           /* 1 when the input could not be fully decoded */
	size_t not_evaluated;
	gr_error decode_error;   /* set when errors != 0 */
} gr_file_check;

/*
 * Results kept from the prepare pass: documents that hold only set-level
 * objects (CRDs, Namespaces) are checked while they are decoded for prepare,
 * so the check pass need not decode them again. Opaque; free with
 * gr_prechecked_free once the file has been checked.
 */
typedef struct gr_prechecked gr_prechecked;
/* Callable from several threads sharing one lock: decoding runs in
 * parallel; engines' prepare calls take the lock for writing, the checks of
 * pre-checked documents take it for reading. lock may be NULL (one thread). */
int gr_checker_prepare_file(gr_checker *c, const char *file, const char *data, size_t len,
			    pthread_rwlock_t *lock, gr_prechecked **pre, gr_error *err);
void gr_prechecked_free(gr_prechecked *p);
/* Check a file, taking the results of its pre-checked documents from pre (may be NULL). */
void gr_checker_check_file(gr_checker *c, const char *file, const char *data, size_t len,
			   const gr_prechecked *pre, gr_file_check *out);

/* Decode and check one buffer. data must outlive the result only until
 * this call returns (strings are copied into the result's arena). */
void gr_checker_check(gr_checker *c, const char *file, const char *data, size_t len, gr_file_check *out);
void gr_file_check_free(gr_file_check *fc);

#endif
