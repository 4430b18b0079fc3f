/*
 * fuzz_image_ref.c — libFuzzer harness for the image reference parser: any
 * string parses or fails with a column inside it; a parsed reference's parts
 * fit their buffers and (when the normalised name is within the limit) a re-parse of
 * "domain/path[:tag][@digest]" agrees.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char s[4097];
	memcpy(s, data, size);
	s[size] = '\0';
	gr_image_ref r;
	gr_error err;
	if (gr_image_ref_parse(s, &r, &err) != 0) {
		if (err.column > strlen(s) + 1)
			abort();
		return 0;
	}
	/* the written name is at most 255 characters; normalised (docker.io/library/...) it may be longer */
	if (strlen(r.domain) + 1 + strlen(r.path) > 255)
		return 0;
	char again[1024];
	snprintf(again, sizeof again, "%s/%s%s%s%s%s", r.domain, r.path, r.tag[0] ? ":" : "", r.tag,
	         r.digest[0] ? "@" : "", r.digest);
	gr_image_ref r2;
	if (gr_image_ref_parse(again, &r2, NULL) != 0 || strcmp(r.path, r2.path) || strcmp(r.tag, r2.tag) ||
	    strcmp(r.digest, r2.digest))
		abort();
	return 0;
}
