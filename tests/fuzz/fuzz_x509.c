/*
 * fuzz_x509.c — libFuzzer harness for x509_decode's PEM and DER/X.509
 * parser (lib/kyverno/x509.c). The first byte picks the mode: 0 the input
 * is PEM text; 1 it is DER, wrapped as a CERTIFICATE; 2 DER wrapped as a
 * CERTIFICATE REQUEST. Any input decodes to a value that serialises, or
 * fails with a message; never a crash, a leak or unbounded memory.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/kyverno/kyverno_int.h"
#include "guardrail/buf.h"

static char *wrap(const uint8_t *der, size_t n, const char *type, size_t *len)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t cap = (n + 2) / 3 * 4 + n / 48 + 2 * strlen(type) + 64;
	char *s = malloc(cap);
	if (!s)
		return NULL;
	size_t k = (size_t)sprintf(s, "-----BEGIN %s-----\n", type);
	for (size_t i = 0; i < n; i += 3) {
		unsigned w = (unsigned)der[i] << 16 | (i + 1 < n ? der[i + 1] << 8 : 0) |
		             (i + 2 < n ? der[i + 2] : 0);
		s[k++] = t[w >> 18 & 63];
		s[k++] = t[w >> 12 & 63];
		s[k++] = i + 1 < n ? t[w >> 6 & 63] : '=';
		s[k++] = i + 2 < n ? t[w & 63] : '=';
		if ((i / 3 + 1) % 16 == 0)
			s[k++] = '\n';
	}
	k += (size_t)sprintf(s + k, "\n-----END %s-----\n", type);
	*len = k;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 65536)
		return 0;
	int mode = data[0] % 3;
	char *text;
	size_t len;
	if (mode == 0) {
		text = malloc(size);
		if (!text)
			return 0;
		memcpy(text, data + 1, size - 1);
		len = size - 1;
	} else {
		text = wrap(data + 1, size - 1, mode == 1 ? "CERTIFICATE" : "CERTIFICATE REQUEST", &len);
		if (!text)
			return 0;
	}
	gr_arena a;
	gr_arena_init(&a);
	gr_value v;
	char err[200];
	err[0] = '\0';
	if (ky_x509_decode(&a, text, len, &v, err, sizeof err) == 0) {
		gr_buf b;
		gr_buf_init(&b);
		gr_write_json(&b, &v, -1);
		if (b.len < 2)
			abort();
		gr_buf_free(&b);
	} else if (!err[0]) {
		abort();
	}
	gr_arena_free(&a);
	free(text);
	return 0;
}
