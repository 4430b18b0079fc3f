/*
 * doccache.h — a disk cache of pruned OpenAPI documents.
 *
 * A group-version document such as core/v1 is 2 MB of JSON, of which the
 * schema engine needs about 6%: `paths` and every schema's `description`
 * are dead weight. The first load writes the pruned document to a cache
 * file; later runs read that instead, which is what keeps a one-file check
 * within a few milliseconds. Entries are keyed by the path, size and
 * modification time of every file that produced them (document and patch),
 * so an edited schema or patch is never served stale.
 *
 * Cache folder: the caller's (the schema engine's `cache-dir` option; the
 * program fills it from $GUARDRAIL_CACHE_DIR, $XDG_CACHE_HOME or $HOME). No
 * folder, no cache: the library itself never picks one. Not part of the
 * public API. Every failure (no folder, read-only disk, a corrupt entry) falls back to
 * the original document silently: the cache can only make loading faster.
 */
#ifndef GUARDRAIL_LIB_DOCCACHE_H
#define GUARDRAIL_LIB_DOCCACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "guardrail/arena.h"
#include "guardrail/value.h"

/*
 * Look up, in folder cache (NULL: no cache), the entry made from these source files (NULL entries are
 * skipped). On a hit, decodes it into *out (allocated in a) and returns true.
 */
bool gri_doccache_get(const char *cache, gr_arena *a, const char *const *sources, size_t nsources,
                      gr_value *out);

/*
 * The same, and on a hit also the entry's bytes (malloc'd, the caller's to
 * free) in *blob: gri_blob_decode of them gives *out again, without
 * reading the cache a second time.
 */
bool gri_doccache_get_blob(const char *cache, gr_arena *a, const char *const *sources, size_t nsources,
                           gr_value *out, unsigned char **blob, size_t *blob_len);

/*
 * Store the pruned form of doc for these sources. Writes a temporary file
 * and renames it into place, so concurrent runs never read half an entry.
 */
void gri_doccache_put(const char *cache, const char *const *sources, size_t nsources, const gr_value *doc);

/*
 * The pruned form: components.schemas with every schema's string
 * `description` dropped (a property *named* description is kept), and of
 * `paths` only the namespaced ones with each operation's GVK. Built in a.
 */
gr_value gri_openapi_prune(gr_arena *a, const gr_value *doc);

#endif
