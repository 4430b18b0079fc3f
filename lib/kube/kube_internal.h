/* kube_internal.h — helpers shared by lib/kube/ files (not exported). */
#ifndef GURDRAIL_KUBE_INTERNAL_H
#define GURDRAIL_KUBE_INTERNAL_H

#include <stddef.h>

/* Standard base64 (padding optional, whitespace skipped); malloc'd, NUL-terminated. */
int gri_base64_decode(const char *s, size_t len, char **out, size_t *outlen);
/* Parse an RFC 3339 UTC time; -1 when malformed. */
int gri_parse_rfc3339(const char *s, long long *out);

#endif
