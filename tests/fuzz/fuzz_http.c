/*
 * fuzz_http.c — libFuzzer harness for the HTTP/1.1 request parser of
 * `guardrail serve` (src/serve_http.c, included whole: the parser is pure
 * functions over a buffer). Any bytes in: a head, a need-more or a status
 * out; a chunked body decodes in place within its cap; never a crash, a
 * read past the buffer or a hang. Seeds: tests/fuzz/http/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/serve_http.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A private copy without slack, so ASan sees any overread. */
	char *buf = malloc(size ? size : 1);
	memcpy(buf, data, size);
	serve_http_req r;
	int status = 0;
	int rc = serve_http_parse_head(buf, size, &r, &status);
	if (rc == 1) {
		serve_route route;
		if (serve_route_parse(r.path, r.path_len, &route) == 0)
			(void)serve_route_label(&route);
		(void)serve_http_query_timeout(r.query, r.query_len);
		if (r.chunked) {
			serve_chunked c;
			memset(&c, 0, sizeof c);
			/* Feed the body in two pieces, as reads would. */
			size_t body = size - r.head_len, half = body / 2;
			int st = 0;
			int d = serve_http_dechunk(buf + r.head_len, half, &c, 4096, &st);
			if (d == 0)
				d = serve_http_dechunk(buf + r.head_len, body, &c, 4096, &st);
			if (d == 1 && (c.out > 4096 || c.out > body))
				abort();
		}
	} else if (rc < 0 && (status < 400 || status > 505)) {
		abort();
	}
	free(buf);
	return 0;
}
