/* kube_internal.h — helpers shared by lib/kube/ files (not exported). */
#ifndef GURDRAIL_KUBE_INTERNAL_H
#define GURDRAIL_KUBE_INTERNAL_H

#include "../internal.h"
#include <stddef.h>

/* Parse an RFC 3339 UTC time; -1 when malformed. */
int gri_parse_rfc3339(const char *s, long long *out);

#endif
