/*
 * replay.c — a loopback HTTPS server that answers from the recorded
 * exchanges of ../shared/cluster-recordings/exchanges.jsonl, for the tests
 * of lib/kube and `guardrail audit`.
 *
 * Requests match on method + path (exact, query included), then the Accept
 * header (aggregated discovery or not) and the credential class, as the
 * recording's README says. Authentication is the server's own: a client
 * certificate signed by --client-ca, or `Authorization: Bearer` equal to
 * --token (both are the recorded admin); any other bearer token gets the
 * recorded 401; no credential gets the recorded anonymous 403.
 *
 * Faults for the client tests (each PREFIX matches the start of the path):
 *   --stall PREFIX        never answer (the client must time out)
 *   --reset-once PREFIX   the first such request: the connection is cut
 *   --fail-once PREFIX:CODE[:RETRY_AFTER]  the first such request gets CODE
 *   --log FILE            one line per request: method, path, auth class
 *   --discovery legacy    a server without aggregated discovery (before
 *                         v1.26, or with the feature off): /api and /apis
 *                         answer the legacy form whatever the Accept says
 * Usage: replay --exchanges F --cert C --key K [--client-ca CA] [--token T]
 *               --port-file P [faults]   (binds 127.0.0.1, port 0)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guardrail/decode.h"
#include "guardrail/value.h"

typedef struct exchange {
	char *id, *method, *path, *accept, *auth; /* auth: admin, badtoken, anonymous, impersonate */
	char *req_body;
	long status;
	char *ctype, *retry_after;
	char *body;
	size_t body_len;
} exchange;

static exchange *ex;
static size_t nex;
static const char *token;
static FILE *logf;
static bool legacy_discovery;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

#define MAXF 8
static struct fault {
	char kind; /* s stall, r reset-once, f fail-once */
	char *prefix;
	long code, retry_after;
	int used;
} faults[MAXF];
static int nfaults;

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int b64dec(const char *s, char **out, size_t *n)
{
	static const char *tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *r = malloc(strlen(s) + 1);
	size_t k = 0;
	unsigned acc = 0;
	int bits = 0;
	for (; *s && *s != '='; s++) {
		const char *p = strchr(tbl, *s);
		if (!p)
			return -1;
		acc = acc << 6 | (unsigned)(p - tbl);
		if ((bits += 6) >= 8)
			r[k++] = (char)(acc >> (bits -= 8));
	}
	*out = r;
	*n = k;
	return 0;
}

static void load(const char *file)
{
	char *data;
	size_t len;
	gr_error err;
	if (gr_read_file(file, 64u << 20, &data, &len, &err)) {
		fprintf(stderr, "replay: %s: %s\n", file, err.message);
		exit(2);
	}
	gr_arena a;
	gr_arena_init(&a);
	char *line = data;
	while (line < data + len) {
		char *nl = memchr(line, '\n', (size_t)(data + len - line));
		size_t ll = nl ? (size_t)(nl - line) : (size_t)(data + len - line);
		gr_value v;
		if (ll && gr_decode_json(&a, line, ll, NULL, &v, &err) == 0) {
			ex = realloc(ex, (nex + 1) * sizeof *ex);
			exchange *e = &ex[nex++];
			memset(e, 0, sizeof *e);
			const gr_value *rq = gr_get(&v, "request"), *rs = gr_get(&v, "response");
			e->id = xstrdup(gr_get_str(&v, "id"));
			e->method = xstrdup(gr_get_str(rq, "method"));
			e->path = xstrdup(gr_get_str(rq, "path"));
			e->accept = xstrdup(gr_get_str(gr_get(rq, "headers"), "Accept"));
			const gr_value *au = gr_get(rq, "auth");
			e->auth = gr_get(au, "impersonateUser") ? "impersonate"
			          : gr_get(au, "bearerToken")   ? "badtoken"
			          : gr_get(au, "anonymous")     ? "anonymous"
			                                        : "admin";
			const gr_value *rb = gr_get(rq, "body");
			if (rb && rb->type != GR_NULL) {
				gr_buf b;
				gr_buf_init(&b);
				gr_write_json(&b, rb, -1);
				e->req_body = b.data;
			}
			const gr_value *st = gr_get(rs, "status");
			e->status = st && st->type == GR_INT ? (long)st->u.i : 500;
			e->ctype = xstrdup(gr_get_str(gr_get(rs, "headers"), "Content-Type"));
			e->retry_after = xstrdup(gr_get_str(gr_get(rs, "headers"), "Retry-After"));
			const gr_value *body = gr_get(rs, "body");
			if (body && gr_get_str(body, "base64") && body->u.o.len == 1) {
				b64dec(gr_get_str(body, "base64"), &e->body, &e->body_len);
			} else if (body && body->type != GR_NULL) {
				gr_buf b;
				gr_buf_init(&b);
				gr_write_json(&b, body, -1);
				e->body = b.data;
				e->body_len = b.len;
			}
		}
		line += ll + 1;
	}
	gr_arena_free(&a);
	free(data);
}

static const char *reason(long s)
{
	switch (s) {
	case 200: return "OK";
	case 201: return "Created";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

static int send_all(SSL *ssl, const char *p, size_t n)
{
	while (n) {
		int w = SSL_write(ssl, p, (int)(n > 65536 ? 65536 : n));
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int respond(SSL *ssl, long status, const char *ctype, const char *retry_after, const char *body,
                   size_t blen)
{
	char h[1024];
	int n = snprintf(h, sizeof h, "HTTP/1.1 %ld %s\r\nContent-Length: %zu\r\n%s%s%s%s%s%s\r\n", status,
	                 reason(status), blen, ctype ? "Content-Type: " : "", ctype ? ctype : "",
	                 ctype ? "\r\n" : "", retry_after ? "Retry-After: " : "",
	                 retry_after ? retry_after : "", retry_after ? "\r\n" : "");
	if (send_all(ssl, h, (size_t)n))
		return -1;
	return blen ? send_all(ssl, body, blen) : 0;
}

static const exchange *find(const char *method, const char *path, const char *accept, const char *auth,
                            const char *body)
{
	const exchange *best = NULL;
	int best_score = -1;
	bool want_agg = !legacy_discovery && accept && strstr(accept, "apidiscovery");
	for (size_t i = 0; i < nex; i++) {
		const exchange *e = &ex[i];
		if (!e->method || !e->path || strcmp(e->method, method) || strcmp(e->path, path))
			continue;
		int score = 0;
		bool agg = e->accept && strstr(e->accept, "apidiscovery");
		if (agg == want_agg)
			score += 4;
		if (strcmp(e->auth, auth) == 0)
			score += 2;
		if (body && e->req_body && strcmp(body, e->req_body) == 0)
			score += 1;
		if (score > best_score) {
			best = e;
			best_score = score;
		}
	}
	return best;
}

static const exchange *by_id(const char *id)
{
	for (size_t i = 0; i < nex; i++)
		if (ex[i].id && strcmp(ex[i].id, id) == 0)
			return &ex[i];
	return NULL;
}

static void *serve_conn(void *arg)
{
	SSL *ssl = arg;
	if (SSL_accept(ssl) <= 0)
		goto out;
	X509 *peer = SSL_get1_peer_certificate(ssl);
	bool cert_ok = peer && SSL_get_verify_result(ssl) == X509_V_OK;
	X509_free(peer);
	char *buf = malloc(1 << 20);
	size_t have = 0;
	for (;;) {
		char *end;
		while (!(end = memmem(buf, have, "\r\n\r\n", 4))) {
			if (have >= (1 << 20) - 1)
				goto done;
			int r = SSL_read(ssl, buf + have, (int)((1 << 20) - 1 - have));
			if (r <= 0)
				goto done;
			have += (size_t)r;
		}
		size_t hlen = (size_t)(end - buf) + 4;
		buf[hlen - 2] = '\0';
		char method[16], path[8192];
		if (sscanf(buf, "%15s %8191s", method, path) != 2)
			goto done;
		/* kubectl adds ?timeout=32s to discovery requests: not part of the key */
		char *tq = strstr(path, "timeout=");
		if (tq && (tq[-1] == '?' || tq[-1] == '&')) {
			char *amp = strchr(tq, '&');
			if (amp)
				memmove(tq, amp + 1, strlen(amp + 1) + 1);
			else
				tq[-1] = '\0';
		}
		char accept[512] = "", authz[1024] = "", imp[256] = "";
		size_t clen = 0;
		for (char *l = strstr(buf, "\r\n"); l && l[2]; l = strstr(l + 2, "\r\n")) {
			char *h = l + 2;
			if (!strncasecmp(h, "Accept:", 7))
				sscanf(h + 7, " %511[^\r]", accept);
			else if (!strncasecmp(h, "Authorization:", 14))
				sscanf(h + 14, " %1023[^\r]", authz);
			else if (!strncasecmp(h, "Impersonate-User:", 17))
				sscanf(h + 17, " %255[^\r]", imp);
			else if (!strncasecmp(h, "Content-Length:", 15))
				clen = strtoul(h + 15, NULL, 10);
		}
		while (have < hlen + clen) {
			int r = SSL_read(ssl, buf + have, (int)((1 << 20) - 1 - have));
			if (r <= 0)
				goto done;
			have += (size_t)r;
		}
		char *body = NULL;
		if (clen) {
			body = strndup(buf + hlen, clen);
		}
		const char *auth;
		bool bearer = strncmp(authz, "Bearer ", 7) == 0;
		if (bearer && !(token && strcmp(authz + 7, token) == 0))
			auth = "badtoken";
		else if (cert_ok || bearer)
			auth = *imp ? "impersonate" : "admin";
		else
			auth = "anonymous";
		pthread_mutex_lock(&mu);
		if (logf) {
			fprintf(logf, "%s %s %s%s\n", method, path, auth,
			        strstr(accept, "apidiscovery") ? " agg" : "");
			fflush(logf);
		}
		struct fault *hit = NULL;
		for (int i = 0; i < nfaults; i++)
			if (!strncmp(path, faults[i].prefix, strlen(faults[i].prefix)) &&
			    (faults[i].kind == 's' || !faults[i].used)) {
				hit = &faults[i];
				hit->used = 1;
				break;
			}
		pthread_mutex_unlock(&mu);
		int rc = 0;
		if (hit && hit->kind == 's') {
			sleep(30);
			free(body);
			goto done;
		} else if (hit && hit->kind == 'r') {
			SSL_write(ssl, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n{\"kind\":", 52);
			free(body);
			goto done;
		} else if (hit && hit->kind == 'f') {
			char b[256], ra[32];
			int n = snprintf(b, sizeof b,
			                 "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
			                 "\"message\":"
			                 "\"injected %ld\",\"code\":%ld}",
			                 hit->code, hit->code);
			snprintf(ra, sizeof ra, "%ld", hit->retry_after);
			rc = respond(ssl, hit->code, "application/json", hit->retry_after >= 0 ? ra : NULL, b,
			             (size_t)n);
		} else if (strcmp(auth, "badtoken") == 0 || strcmp(auth, "anonymous") == 0) {
			const exchange *e = find(method, path, accept, auth, body);
			if (!e || strcmp(e->auth, auth) != 0)
				e = by_id(strcmp(auth, "badtoken") == 0 ? "error/401-bad-bearer-token"
				                                        : "error/403-anonymous");
			rc = e ? respond(ssl, e->status, e->ctype, e->retry_after, e->body, e->body_len) : -1;
		} else {
			const exchange *e = find(method, path, accept, auth, body);
			if (e)
				rc = respond(ssl, e->status, e->ctype, e->retry_after, e->body, e->body_len);
			else {
				const char *nf = "404 page not found (not recorded)\n";
				rc = respond(ssl, 404, "text/plain; charset=utf-8", NULL, nf, strlen(nf));
			}
		}
		free(body);
		if (rc)
			goto done;
		memmove(buf, buf + hlen + clen, have - hlen - clen);
		have -= hlen + clen;
	}
done:
	free(buf);
out:
	SSL_shutdown(ssl);
	close(SSL_get_fd(ssl));
	SSL_free(ssl);
	return NULL;
}

static int verify_any(int ok, X509_STORE_CTX *ctx)
{
	(void)ctx;
	(void)ok;
	return 1; /* an unverified certificate is anonymous, not a handshake failure */
}

int main(int argc, char **argv)
{
	const char *exf = NULL, *cert = NULL, *key = NULL, *ca = NULL, *portf = NULL;
	for (int i = 1; i + 1 < argc; i += 2) {
		const char *f = argv[i], *v = argv[i + 1];
		if (!strcmp(f, "--exchanges"))
			exf = v;
		else if (!strcmp(f, "--cert"))
			cert = v;
		else if (!strcmp(f, "--key"))
			key = v;
		else if (!strcmp(f, "--client-ca"))
			ca = v;
		else if (!strcmp(f, "--token"))
			token = v;
		else if (!strcmp(f, "--port-file"))
			portf = v;
		else if (!strcmp(f, "--log"))
			logf = fopen(v, "a");
		else if (!strcmp(f, "--discovery") && !strcmp(v, "legacy"))
			legacy_discovery = true;
		else if (nfaults < MAXF &&
		         (!strcmp(f, "--stall") || !strcmp(f, "--reset-once") || !strcmp(f, "--fail-once"))) {
			struct fault *ft = &faults[nfaults++];
			ft->kind = f[2] == 's' ? 's' : f[2] == 'r' ? 'r' : 'f';
			ft->prefix = strdup(v);
			ft->retry_after = -1;
			if (ft->kind == 'f') {
				char *c = strchr(ft->prefix, ':');
				if (!c) {
					fprintf(stderr, "replay: --fail-once PREFIX:CODE[:RETRY_AFTER]\n");
					return 2;
				}
				*c = '\0';
				ft->code = strtol(c + 1, &c, 10);
				if (*c == ':')
					ft->retry_after = strtol(c + 1, NULL, 10);
			}
		} else {
			fprintf(stderr, "replay: unknown flag %s\n", f);
			return 2;
		}
	}
	if (!exf || !cert || !key || !portf) {
		fprintf(stderr, "usage: replay --exchanges F --cert C --key K [--client-ca CA] [--token T] "
		                "--port-file P\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	load(exf);
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		ERR_print_errors_fp(stderr);
		return 2;
	}
	if (ca) {
		SSL_CTX_load_verify_locations(ctx, ca, NULL);
		SSL_CTX_set_client_CA_list(ctx, SSL_load_client_CA_file(ca));
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_any);
		/* a client that resumes its TLS session (nghttpx in front) needs this */
		SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"replay", 6);
	}
	int s = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (bind(s, (struct sockaddr *)&sa, sizeof sa) || listen(s, 64)) {
		perror("replay: bind");
		return 2;
	}
	socklen_t sl = sizeof sa;
	getsockname(s, (struct sockaddr *)&sa, &sl);
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", portf);
	FILE *pf = fopen(tmp, "w");
	fprintf(pf, "%d\n", ntohs(sa.sin_port));
	fclose(pf);
	rename(tmp, portf);
	for (;;) {
		int c = accept(s, NULL, NULL);
		if (c < 0)
			continue;
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one,
		           sizeof one); /* headers and body are two writes */
		SSL *ssl = SSL_new(ctx);
		SSL_set_fd(ssl, c);
		pthread_t t;
		pthread_create(&t, NULL, serve_conn, ssl);
		pthread_detach(t);
	}
}
