/*
 * serve_http.c — the HTTP/1.1 request parser of `guardrail serve`, and the
 * webhook route syntax.
 *
 * Pure functions over a byte buffer (no sockets), so the fuzz harness
 * drives them directly. The head is parsed only once it is complete (the
 * blank line is found), within SERVE_MAX_HEAD; bodies come with a
 * Content-Length (checked against the 7 MiB cap before a byte of body is
 * read) or chunked (decoded in place, capped as it grows).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "serve_int.h"

static bool token_eq(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);
	return n == l && strncasecmp(s, lit, l) == 0;
}

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t'))
		(*s)++, (*n)--;
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

/* Does a comma-separated header value hold token lit? */
static bool list_has(const char *v, size_t n, const char *lit)
{
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && v[j] != ',')
			j++;
		const char *t = v + i;
		size_t tl = j - i;
		trim(&t, &tl);
		if (token_eq(t, tl, lit))
			return true;
		i = j + 1;
	}
	return false;
}

static int fail(int *status, int code)
{
	*status = code;
	return -1;
}

int serve_http_parse_head(const char *buf, size_t len, serve_http_req *r, int *status)
{
	const char *end = NULL;
	size_t scan = len < SERVE_MAX_HEAD ? len : SERVE_MAX_HEAD;
	/* Tolerate leading CRLFs between requests (RFC 9112 2.2). */
	size_t start = 0;
	while (start < scan && (buf[start] == '\r' || buf[start] == '\n'))
		start++;
	if (start < scan)
		end = memmem(buf + start, scan - start, "\r\n\r\n", 4);
	if (!end)
		return len >= SERVE_MAX_HEAD ? fail(status, 431) : 0;
	memset(r, 0, sizeof *r);
	r->head_len = (size_t)(end - buf) + 4;
	const char *p = buf + start;
	const char *line_end = memmem(p, (size_t)(end + 2 - p), "\r\n", 2);
	/* Request line: METHOD SP TARGET SP HTTP/1.x */
	const char *sp1 = memchr(p, ' ', (size_t)(line_end - p));
	if (!sp1)
		return fail(status, 400);
	const char *target = sp1 + 1;
	const char *sp2 = memchr(target, ' ', (size_t)(line_end - target));
	if (!sp2 || sp2 == target)
		return fail(status, 400);
	size_t mlen = (size_t)(sp1 - p);
	if (token_eq(p, mlen, "GET") && memcmp(p, "GET", 3) == 0)
		r->method = SERVE_GET;
	else if (mlen == 4 && memcmp(p, "POST", 4) == 0)
		r->method = SERVE_POST;
	else
		r->method = SERVE_OTHER_METHOD;
	if (target[0] != '/')
		return fail(status, 400);
	size_t tlen = (size_t)(sp2 - target);
	const char *q = memchr(target, '?', tlen);
	r->path = target;
	r->path_len = q ? (size_t)(q - target) : tlen;
	if (q) {
		r->query = q + 1;
		r->query_len = tlen - r->path_len - 1;
	}
	const char *ver = sp2 + 1;
	size_t vlen = (size_t)(line_end - ver);
	if (vlen != 8 || memcmp(ver, "HTTP/1.", 7) != 0 || (ver[7] != '0' && ver[7] != '1'))
		return fail(status, vlen >= 5 && memcmp(ver, "HTTP/", 5) == 0 ? 505 : 400);
	r->minor = ver[7] - '0';
	r->keep_alive = r->minor == 1;
	bool saw_te = false;
	/* Headers. */
	for (const char *h = line_end + 2; h < end + 2;) {
		const char *he = memmem(h, (size_t)(end + 2 - h), "\r\n", 2);
		if (!he)
			break;
		if (h[0] == ' ' || h[0] == '\t')
			return fail(status, 400); /* obsolete line folding */
		const char *colon = memchr(h, ':', (size_t)(he - h));
		if (!colon || colon == h)
			return fail(status, 400);
		for (const char *c = h; c < colon; c++)
			if (*c <= ' ' || *c >= 0x7F)
				return fail(status, 400);
		size_t nlen = (size_t)(colon - h);
		const char *v = colon + 1;
		size_t vl = (size_t)(he - v);
		trim(&v, &vl);
		for (size_t i = 0; i < vl; i++)
			if ((unsigned char)v[i] < 0x20 && v[i] != '\t')
				return fail(status, 400);
		if (token_eq(h, nlen, "Content-Length")) {
			if (vl == 0 || vl > 19)
				return fail(status, vl > 19 ? 413 : 400);
			size_t n = 0;
			for (size_t i = 0; i < vl; i++) {
				if (!isdigit((unsigned char)v[i]))
					return fail(status, 400);
				n = n * 10 + (size_t)(v[i] - '0');
			}
			if (r->has_length && n != r->content_length)
				return fail(status, 400);
			r->has_length = true;
			r->content_length = n;
		} else if (token_eq(h, nlen, "Transfer-Encoding")) {
			saw_te = true;
			if (!token_eq(v, vl, "chunked"))
				return fail(status, 501);
			r->chunked = true;
		} else if (token_eq(h, nlen, "Content-Type")) {
			r->has_content_type = true;
			const char *semi = memchr(v, ';', vl);
			size_t base = semi ? (size_t)(semi - v) : vl;
			const char *b = v;
			trim(&b, &base);
			r->content_type_json = token_eq(b, base, "application/json");
		} else if (token_eq(h, nlen, "Connection")) {
			if (list_has(v, vl, "close"))
				r->keep_alive = false;
			else if (list_has(v, vl, "keep-alive"))
				r->keep_alive = true;
		} else if (token_eq(h, nlen, "Expect")) {
			if (token_eq(v, vl, "100-continue"))
				r->expect_continue = true;
			else
				return fail(status, 417);
		}
		h = he + 2;
	}
	if (saw_te && r->has_length)
		return fail(status, 400); /* request smuggling shape: refuse */
	if (r->has_length && r->content_length > SERVE_MAX_BODY)
		return fail(status, 413);
	return 1;
}

enum {
	CH_SIZE = 0,
	CH_EXT,
	CH_SIZE_LF,
	CH_DATA,
	CH_DATA_CR,
	CH_DATA_LF,
	CH_TRAILER,
	CH_TRAILER_LINE,
	CH_TRAILER_LF,
	CH_DONE
};

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int serve_http_dechunk(char *body, size_t len, serve_chunked *c, size_t max_body, int *status)
{
	while (c->raw < len && c->state != CH_DONE) {
		char ch = body[c->raw];
		switch (c->state) {
		case CH_SIZE: {
			int d = hexval(ch);
			if (d >= 0) {
				if (c->remaining > max_body)
					return fail(status, 413);
				c->remaining = c->remaining * 16 + (size_t)d;
				c->digits = true;
				c->raw++;
				break;
			}
			if (!c->digits)
				return fail(status, 400);
			if (c->remaining > max_body || c->out + c->remaining > max_body)
				return fail(status, 413);
			if (ch == '\r')
				c->state = CH_SIZE_LF;
			else if (ch == ';' || ch == ' ' || ch == '\t')
				c->state = CH_EXT; /* chunk extensions are ignored */
			else
				return fail(status, 400);
			c->raw++;
			break;
		}
		case CH_EXT:
			if (ch == '\r')
				c->state = CH_SIZE_LF;
			else if ((unsigned char)ch < 0x20 && ch != '\t')
				return fail(status, 400);
			if (++c->ext > SERVE_MAX_HEAD)
				return fail(status, 400);
			c->raw++;
			break;
		case CH_SIZE_LF:
			if (ch != '\n')
				return fail(status, 400);
			c->raw++;
			c->digits = false;
			c->state = c->remaining ? CH_DATA : CH_TRAILER;
			break;
		case CH_DATA: {
			size_t take = len - c->raw;
			if (take > c->remaining)
				take = c->remaining;
			memmove(body + c->out, body + c->raw, take);
			c->out += take;
			c->raw += take;
			c->remaining -= take;
			if (!c->remaining)
				c->state = CH_DATA_CR;
			break;
		}
		case CH_DATA_CR:
			if (ch != '\r')
				return fail(status, 400);
			c->raw++;
			c->state = CH_DATA_LF;
			break;
		case CH_DATA_LF:
			if (ch != '\n')
				return fail(status, 400);
			c->raw++;
			c->state = CH_SIZE;
			break;
		case CH_TRAILER: /* start of a trailer line, or the final CRLF */
			c->raw++;
			c->state = ch == '\r' ? CH_TRAILER_LF : CH_TRAILER_LINE;
			break;
		case CH_TRAILER_LINE:
			if (++c->ext > SERVE_MAX_HEAD)
				return fail(status, 431);
			c->raw++;
			if (ch == '\n')
				c->state = CH_TRAILER;
			break;
		case CH_TRAILER_LF:
			if (ch != '\n')
				return fail(status, 400);
			c->raw++;
			c->state = CH_DONE;
			break;
		default: return fail(status, 400);
		}
	}
	return c->state == CH_DONE ? 1 : 0;
}

uint64_t serve_http_query_timeout(const char *query, size_t len)
{
	size_t i = 0;
	while (query && i < len) {
		size_t j = i;
		while (j < len && query[j] != '&')
			j++;
		if (j - i > 8 && memcmp(query + i, "timeout=", 8) == 0) {
			const char *v = query + i + 8;
			size_t vl = j - i - 8;
			uint64_t n = 0;
			size_t k = 0;
			while (k < vl && k < 9 && isdigit((unsigned char)v[k]))
				n = n * 10 + (uint64_t)(v[k++] - '0');
			if (k == 0)
				return 0;
			const char *unit = v + k;
			size_t ul = vl - k;
			if (ul == 1 && unit[0] == 's')
				return n * 1000;
			if (ul == 2 && memcmp(unit, "ms", 2) == 0)
				return n;
			if (ul == 1 && unit[0] == 'm')
				return n * 60000;
			return 0;
		}
		i = j + 1;
	}
	return 0;
}

static const char *const mode_names[] = {"enforce", "warn", "audit"};
static const char *const route_labels[SERVE_NROUTE_LABELS] = {
        "enforce/privileged", "enforce/baseline", "enforce/restricted", "warn/privileged",  "warn/baseline",
        "warn/restricted",    "audit/privileged", "audit/baseline",     "audit/restricted",
};

const char *serve_route_label(const serve_route *r)
{
	return route_labels[r->mode * 3 + (int)r->pss.level];
}

int serve_route_parse(const char *path, size_t len, serve_route *out)
{
	static const char prefix[] = "/validate/";
	size_t pl = sizeof prefix - 1;
	if (len <= pl || memcmp(path, prefix, pl) != 0)
		return -1;
	const char *p = path + pl, *end = path + len;
	char part[3][24];
	int n = 0;
	while (p < end && n < 3) {
		const char *s = memchr(p, '/', (size_t)(end - p));
		size_t l = s ? (size_t)(s - p) : (size_t)(end - p);
		if (l == 0 || l >= sizeof part[0])
			return -1;
		memcpy(part[n], p, l);
		part[n][l] = '\0';
		n++;
		p += l;
		if (p < end)
			p++; /* the slash */
		if (s && p == end)
			return -1; /* trailing slash */
	}
	if (p < end || n < 2)
		return -1;
	int mode = -1;
	for (int m = 0; m < 3; m++)
		if (strcmp(part[0], mode_names[m]) == 0)
			mode = m;
	if (mode < 0 || gr_pss_parse_level(part[1], &out->pss.level) != 0)
		return -1;
	out->mode = (serve_mode)mode;
	out->pss.minor = GR_PSS_LATEST;
	if (n == 3 && gr_pss_parse_version(part[2], &out->pss.minor) != 0)
		return -1;
	return 0;
}
