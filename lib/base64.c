/* base64.c — base64 decoding for what the library reads encoded: kubeconfig
 * *-data fields and Helm release records (standard and URL alphabets,
 * whitespace skipped, padding only at the end). */
#include <stdlib.h>

#include "internal.h"

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

int gri_base64_decode(const char *s, size_t len, char **out, size_t *outlen)
{
	char *r = malloc(len / 4 * 3 + 4);
	if (!r)
		return -1;
	size_t n = 0;
	unsigned acc = 0;
	int bits = 0;
	int pad = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		int v = b64val(c);
		if (v < 0 || pad) {
			free(r);
			return -1;
		}
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			r[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	if (bits >= 6) {
		free(r);
		return -1;
	}
	r[n] = '\0';
	*out = r;
	*outlen = n;
	return 0;
}
