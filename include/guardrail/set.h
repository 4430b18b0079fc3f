/*
 * set.h — the input set of a session, indexed for cross-object rules.
 *
 * Every object of every input is in the set, in input order (argument
 * order, file order within a directory, document order, List item order),
 * with its header (group, version, kind, namespace, name, file, document)
 * and its metadata.labels. Whole trees are kept only for the kinds some
 * engine of the checker declared (gr_engine.kinds): that is what keeps a
 * session's memory flat however many inputs it has. gr_set_object() says
 * which; for other kinds `root` is NULL and the pod spec pointers too.
 *
 * Lookups are by (group, kind, namespace, name), by (group, kind), and by
 * labels: gr_set_select returns the objects of a kind whose labels include
 * every pair of a selector, from a label index, never by a scan of the set.
 * Namespace "" means cluster-scoped or "any" as each function says. A set
 * is immutable once the session's set-level pass has built it and may be
 * read from any thread.
 */
#ifndef GUARDRAIL_SET_H
#define GUARDRAIL_SET_H

#include <stdbool.h>
#include <stddef.h>

#include "guardrail/object.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gr_set gr_set;

/* One label of an object or of a selector. */
typedef struct gr_label {
	const char *key;
	const char *value;
} gr_label;

/* Objects in the set. */
size_t gr_set_count(const gr_set *s);
const gr_object *gr_set_object(const gr_set *s, size_t i);
/* Labels of object i (metadata.labels with string values), in source order. */
size_t gr_set_labels(const gr_set *s, size_t i, const gr_label **labels);
/* Whether object i's tree is kept (its kind was declared by an engine). */
bool gr_set_has_tree(const gr_set *s, size_t i);

/* The first object (in input order) with this group, kind, namespace and
 * name; NULL when none. group "" is the core group. */
const gr_object *gr_set_find(const gr_set *s, const char *group, const char *kind, const char *namespace_,
                             const char *name);

/* Every object of a kind, in input order: fills *idx with set indexes (an
 * array owned by the set). Returns the count. */
size_t gr_set_kind(const gr_set *s, const char *group, const char *kind, const size_t **idx);

/* Objects of a kind whose labels hold every pair of sel (a matchLabels
 * selector), in input order, limited to namespace_ unless it is NULL.
 * An empty selector selects every object of the kind. Calls fn for each;
 * fn returns non-zero to stop. Returns the number of calls. */
size_t gr_set_select(const gr_set *s, const char *group, const char *kind, const char *namespace_,
                     const gr_label *sel, size_t nsel, int (*fn)(void *user, size_t index), void *user);

/* A stand-alone set built by the caller (tests, an embedder preparing a
 * checker from definitions it holds). Objects are copied: headers, labels
 * and, with keep_tree, the whole tree. */
gr_set *gr_set_new(void);
int gr_set_add(gr_set *s, const gr_object *obj, bool keep_tree);
void gr_set_free(gr_set *s);

#ifdef __cplusplus
}
#endif

#endif
