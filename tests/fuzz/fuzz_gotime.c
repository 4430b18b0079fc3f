/*
 * fuzz_gotime.c — libFuzzer harness for the Go time layout parser and
 * ParseDuration of lib/kyverno/gotime.c. Input: "layout\nvalue". A parse
 * either fails with a message or gives a time whose RFC 3339 form parses
 * back to the same second (when the zone offset is whole minutes and the
 * year has four digits); a duration that parses prints as a string that
 * parses back to the same nanoseconds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/kyverno/kyverno_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	const char *s = (const char *)data;
	const char *nl = memchr(s, '\n', size);
	size_t llen = nl ? (size_t)(nl - s) : size;
	const char *value = nl ? nl + 1 : s;
	size_t vlen = nl ? size - llen - 1 : size;
	ky_time t;
	char msg[200];
	if (ky_time_parse(s, llen, value, vlen, &t, msg, sizeof msg) == 0) {
		if (t.nsec < 0 || t.nsec > 999999999)
			abort();
		char buf[64];
		size_t n = ky_time_rfc3339(&t, buf, sizeof buf);
		ky_civil c;
		ky_time_civil(&t, &c);
		if (t.off % 60 == 0 && c.year >= 0 && c.year <= 9999) {
			static const char rfc[] = "2006-01-02T15:04:05Z07:00";
			ky_time back;
			if (ky_time_parse(rfc, sizeof rfc - 1, buf, n, &back, msg, sizeof msg) != 0 ||
			    back.sec != t.sec || back.off != t.off)
				abort();
		}
	} else if (!msg[0]) {
		abort();
	}
	int64_t d, d2;
	if (ky_duration_ns(value, vlen, &d)) {
		char buf[64];
		size_t n = ky_duration_string(d, buf, sizeof buf);
		if (!ky_duration_ns(buf, n, &d2) || d2 != d)
			abort();
	}
	return 0;
}
