/*
 * client.c — the API client: libcurl (loaded with dlopen when a client is
 * made, curl_dl.c), one easy handle reused (so one connection, HTTP/2 when the server offers it through
 * ALPN), timeouts, retries with exponential backoff on 429, 5xx and transport failures (Retry-After
 * honoured), a client-side token bucket (kubectl's QPS 5 / burst 10 by default), discovery (aggregated first,
 * then legacy) and paginated LISTs (limit + continue, restarted on 410 Gone).
 *
 * Credentials go into headers and TLS options only, never into an error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "curl_dl.h"
#include "guardrail/decode.h"
#include "guardrail/kube.h"
#include "kube_internal.h"

struct gr_kube_client {
	gr_kube_config *cfg;
	gr_kube_client_options o;
	const gri_curl_api *cu; /* libcurl, loaded on first use */
	CURL *curl;
	char *url_base; /* server, or https://tls-server-name:port when it is set */
	struct curl_slist *connect_to;
	double tokens;
	struct timespec last;
};

void gr_kube_client_options_default(gr_kube_client_options *o)
{
	o->timeout_ms = 30000;
	o->connect_timeout_ms = 10000;
	o->retries = 5;
	o->backoff_ms = 200;
	o->qps = 5;
	o->burst = 10;
	o->page_limit = 500;
	o->user_agent = "guardrail";
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	if (ms <= 0)
		return;
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&t, &t) && errno == EINTR)
		;
}

/* Token bucket: burst requests at once, then qps per second. */
static void throttle(gr_kube_client *k)
{
	if (k->o.qps <= 0)
		return;
	double t = now_s();
	double last = (double)k->last.tv_sec + k->last.tv_nsec / 1e9;
	if (last > 0) {
		k->tokens += (t - last) * k->o.qps;
		if (k->tokens > k->o.burst)
			k->tokens = k->o.burst;
	}
	if (k->tokens < 1) {
		sleep_ms((long)((1 - k->tokens) / k->o.qps * 1000) + 1);
		k->tokens = 1;
	}
	k->tokens -= 1;
	clock_gettime(CLOCK_MONOTONIC, &k->last);
}

int gr_kube_client_new(gr_kube_client **out, gr_kube_config *c, const gr_kube_client_options *o,
                       gr_error *err)
{
	*out = NULL;
	const gri_curl_api *cu = gri_curl_load(err);
	if (!cu)
		return -1;
	gr_kube_client *k = calloc(1, sizeof *k);
	if (!k)
		return gr_error_set(err, 0, 0, "out of memory");
	k->cu = cu;
	k->cfg = c;
	if (o)
		k->o = *o;
	else
		gr_kube_client_options_default(&k->o);
	k->tokens = k->o.burst;
	k->curl = k->cu->easy_init();
	if (!k->curl) {
		free(k);
		return gr_error_set(err, 0, 0, "cannot start libcurl");
	}
	const char *srv = c->server;
	if (strncmp(srv, "https://", 8) != 0 && strncmp(srv, "http://", 7) != 0) {
		gr_kube_client_free(k);
		gr_error_set(err, 0, 0, "clusters[].cluster.server: want an http(s) URL, not %s", srv);
		gr_error_set_file(err, c->source);
		return -1;
	}
	if (c->tls_server_name && strncmp(srv, "https://", 8) == 0) {
		/* verify the certificate for tls-server-name, connect to the server's host */
		const char *hp = srv + 8;
		const char *end = strchr(hp, '/');
		size_t hl = end ? (size_t)(end - hp) : strlen(hp);
		char host[512];
		snprintf(host, sizeof host, "%.*s", (int)hl, hp);
		char *colon = host[0] == '[' ? strstr(host, "]:") : strrchr(host, ':');
		const char *port = "443";
		if (colon) {
			if (host[0] == '[')
				colon++;
			*colon = '\0';
			port = colon + 1;
		}
		char buf[1200];
		snprintf(buf, sizeof buf, "https://%s:%s%s", c->tls_server_name, port, end ? end : "");
		k->url_base = strdup(buf);
		snprintf(buf, sizeof buf, "%s:%s:%s:%s", c->tls_server_name, port, host, port);
		k->connect_to = k->cu->slist_append(NULL, buf);
	} else {
		k->url_base = strdup(srv);
	}
	*out = k;
	return 0;
}

void gr_kube_client_free(gr_kube_client *k)
{
	if (!k)
		return;
	if (k->curl)
		k->cu->easy_cleanup(k->curl);
	k->cu->slist_free_all(k->connect_to);
	free(k->url_base);
	free(k);
}

void gr_kube_response_free(gr_kube_response *r)
{
	free(r->content_type);
	r->content_type = NULL;
	gr_buf_free(&r->body);
}

typedef struct hdr_state {
	gr_kube_response *r;
	long retry_after;
} hdr_state;

static size_t on_body(char *p, size_t sz, size_t n, void *user)
{
	gr_buf *b = user;
	gr_buf_append(b, p, sz * n);
	return b->failed ? 0 : sz * n;
}

static size_t on_header(char *p, size_t sz, size_t n, void *user)
{
	hdr_state *h = user;
	size_t len = sz * n;
	if (len > 13 && strncasecmp(p, "content-type:", 13) == 0) {
		const char *v = p + 13;
		while (*v == ' ')
			v++;
		size_t vl = len - (size_t)(v - p);
		while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
			vl--;
		free(h->r->content_type);
		h->r->content_type = strndup(v, vl);
	} else if (len > 12 && strncasecmp(p, "retry-after:", 12) == 0) {
		h->retry_after = strtol(p + 12, NULL, 10);
	}
	return len;
}

static int setup(gr_kube_client *k, const char *url, const char *accept, struct curl_slist **hdrs,
                 gr_error *err)
{
	gr_kube_config *c = k->cfg;
	CURL *h = k->curl;
	k->cu->easy_reset(h);
	k->cu->easy_setopt(h, CURLOPT_URL, url);
	k->cu->easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	k->cu->easy_setopt(h, CURLOPT_TIMEOUT_MS, k->o.timeout_ms);
	k->cu->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, k->o.connect_timeout_ms);
	k->cu->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	k->cu->easy_setopt(h, CURLOPT_USERAGENT, k->o.user_agent ? k->o.user_agent : "guardrail");
	k->cu->easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	k->cu->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http");
	if (k->connect_to)
		k->cu->easy_setopt(h, CURLOPT_CONNECT_TO, k->connect_to);
	if (c->insecure) {
		k->cu->easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		k->cu->easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (c->ca_file)
		k->cu->easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	if (c->ca_data) {
		struct curl_blob b = {c->ca_data, c->ca_data_len, CURL_BLOB_COPY};
		k->cu->easy_setopt(h, CURLOPT_CAINFO_BLOB, &b);
	}
	if (c->proxy_url)
		k->cu->easy_setopt(h, CURLOPT_PROXY, c->proxy_url);
	else
		k->cu->easy_setopt(h, CURLOPT_PROXY, ""); /* kubectl reads no proxy variables when... it does;
		                                           we follow the kubeconfig only */
	const char *token = NULL;
	if (gr_kube_credentials(c, &token, err))
		return -1;
	const char *cert = c->exec_cert_data ? c->exec_cert_data : c->client_cert_data;
	const char *key = c->exec_key_data ? c->exec_key_data : c->client_key_data;
	if (cert && key) {
		struct curl_blob cb = {(void *)cert, strlen(cert), CURL_BLOB_COPY};
		struct curl_blob kb = {(void *)key, strlen(key), CURL_BLOB_COPY};
		k->cu->easy_setopt(h, CURLOPT_SSLCERT_BLOB, &cb);
		k->cu->easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
		k->cu->easy_setopt(h, CURLOPT_SSLKEY_BLOB, &kb);
		k->cu->easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
	} else if (c->client_cert_file && c->client_key_file) {
		k->cu->easy_setopt(h, CURLOPT_SSLCERT, c->client_cert_file);
		k->cu->easy_setopt(h, CURLOPT_SSLKEY, c->client_key_file);
	}
	char line[8192];
	snprintf(line, sizeof line, "Accept: %s", accept ? accept : "application/json");
	*hdrs = k->cu->slist_append(*hdrs, line);
	if (token) {
		snprintf(line, sizeof line, "Authorization: Bearer %s", token);
		*hdrs = k->cu->slist_append(*hdrs, line);
		memset(line, 0, sizeof line);
	}
	if (c->impersonate_user) {
		snprintf(line, sizeof line, "Impersonate-User: %s", c->impersonate_user);
		*hdrs = k->cu->slist_append(*hdrs, line);
	}
	for (size_t i = 0; i < c->nimpersonate_groups; i++) {
		snprintf(line, sizeof line, "Impersonate-Group: %s", c->impersonate_groups[i]);
		*hdrs = k->cu->slist_append(*hdrs, line);
	}
	k->cu->easy_setopt(h, CURLOPT_HTTPHEADER, *hdrs);
	return 0;
}

int gr_kube_get(gr_kube_client *k, const char *path, const char *accept, gr_kube_response *r, gr_error *err)
{
	memset(r, 0, sizeof *r);
	gr_buf_init(&r->body);
	size_t ul = strlen(k->url_base) + strlen(path) + 1;
	char *url = malloc(ul);
	if (!url)
		return gr_error_set(err, 0, 0, "out of memory");
	snprintf(url, ul, "%s%s", k->url_base, path);
	long backoff = k->o.backoff_ms;
	int rc = -1;
	for (unsigned attempt = 0;; attempt++) {
		struct curl_slist *hdrs = NULL;
		gr_buf_reset(&r->body);
		free(r->content_type);
		r->content_type = NULL;
		hdr_state hs = {r, -1};
		if (setup(k, url, accept, &hdrs, err)) {
			k->cu->slist_free_all(hdrs);
			break;
		}
		k->cu->easy_setopt(k->curl, CURLOPT_WRITEFUNCTION, on_body);
		k->cu->easy_setopt(k->curl, CURLOPT_WRITEDATA, &r->body);
		k->cu->easy_setopt(k->curl, CURLOPT_HEADERFUNCTION, on_header);
		k->cu->easy_setopt(k->curl, CURLOPT_HEADERDATA, &hs);
		throttle(k);
		CURLcode cc = k->cu->easy_perform(k->curl);
		k->cu->slist_free_all(hdrs);
		bool retry;
		if (cc != CURLE_OK) {
			gr_error_set(err, 0, 0, "GET %s: %s", path, k->cu->easy_strerror(cc));
			/* certificate problems do not heal by retrying, and a request that
			 * used up its --request-timeout has had its time */
			retry = cc != CURLE_OPERATION_TIMEDOUT && cc != CURLE_PEER_FAILED_VERIFICATION &&
			        cc != CURLE_SSL_CACERT_BADFILE && cc != CURLE_SSL_CERTPROBLEM &&
			        cc != CURLE_URL_MALFORMAT && cc != CURLE_UNSUPPORTED_PROTOCOL;
		} else {
			k->cu->easy_getinfo(k->curl, CURLINFO_RESPONSE_CODE, &r->status);
			retry = r->status == 429 || (r->status >= 500 && r->status != 501);
			if (!retry) {
				rc = 0;
				break;
			}
			gr_error_set(err, 0, 0, "GET %s: HTTP %ld", path, r->status);
		}
		if (!retry || attempt >= k->o.retries) {
			if (cc == CURLE_OK)
				rc = 0; /* a response: the caller judges the status */
			break;
		}
		long wait = hs.retry_after >= 0 ? hs.retry_after * 1000 : backoff;
		if (wait > 30000)
			wait = 30000;
		sleep_ms(wait);
		backoff *= 2;
	}
	free(url);
	return rc;
}

void gr_kube_status_message(const gr_kube_response *r, char *buf, size_t cap)
{
	gr_arena a;
	gr_arena_init(&a);
	gr_value v;
	gr_error e;
	const char *msg = NULL, *reason = NULL;
	if (r->body.len && gr_decode_json(&a, r->body.data, r->body.len, NULL, &v, &e) == 0 &&
	    gr_get_str(&v, "kind") && strcmp(gr_get_str(&v, "kind"), "Status") == 0) {
		msg = gr_get_str(&v, "message");
		reason = gr_get_str(&v, "reason");
	}
	if (msg)
		snprintf(buf, cap, "HTTP %ld %s: %s", r->status, reason ? reason : "", msg);
	else {
		int n = (int)(r->body.len > 120 ? 120 : r->body.len);
		while (n > 0 && (r->body.data[n - 1] == '\n'))
			n--;
		snprintf(buf, cap, "HTTP %ld: %.*s", r->status, n, n ? r->body.data : "");
	}
	gr_arena_free(&a);
}

/* ---- discovery ---- */

void gr_kube_resources_free(gr_kube_resources *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].group);
		free(r->v[i].version);
		free(r->v[i].name);
		free(r->v[i].kind);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}

static bool has_verb(const gr_value *verbs, const char *verb)
{
	if (!gr_is(verbs, GR_ARRAY))
		return false;
	for (size_t i = 0; i < verbs->u.a.len; i++)
		if (gr_is(&verbs->u.a.items[i], GR_STRING) && strcmp(verbs->u.a.items[i].u.s.ptr, verb) == 0)
			return true;
	return false;
}

static int add_resource(gr_kube_resources *out, const char *group, const char *version, const char *name,
                        const char *kind, bool namespaced, bool listable)
{
	gr_kube_resource *nv = realloc(out->v, (out->n + 1) * sizeof *nv);
	if (!nv)
		return -1;
	out->v = nv;
	nv[out->n++] = (gr_kube_resource){strdup(group), strdup(version), strdup(name),
	                                  strdup(kind),  namespaced,      listable};
	return 0;
}

#define AGG_ACCEPT                                                                                           \
	"application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"                              \
	"application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"

static int get_json(gr_kube_client *k, const char *path, const char *accept, gr_arena *a, gr_value *v,
                    gr_kube_response *r, gr_error *err)
{
	if (gr_kube_get(k, path, accept, r, err))
		return -1;
	if (r->status != 200) {
		char m[400];
		gr_kube_status_message(r, m, sizeof m);
		return gr_error_set(err, 0, 0, "GET %s: %s", path, m);
	}
	gr_error e2;
	if (gr_decode_json(a, r->body.data ? r->body.data : "", r->body.len, NULL, v, &e2))
		return gr_error_set(err, 0, 0, "GET %s: the answer is not JSON: %s", path, e2.message);
	return 0;
}

static int discover_aggregated(gr_kube_client *k, gr_kube_resources *out, bool *ok, gr_error *err)
{
	*ok = false;
	const char *paths[] = {"/api", "/apis"};
	for (int p = 0; p < 2; p++) {
		gr_arena a;
		gr_arena_init(&a);
		gr_kube_response r;
		gr_value v;
		int rc = get_json(k, paths[p], AGG_ACCEPT, &a, &v, &r, err);
		bool agg = rc == 0 && r.content_type && strstr(r.content_type, "apidiscovery.k8s.io");
		gr_kube_response_free(&r);
		if (rc || !agg) {
			gr_arena_free(&a);
			gr_kube_resources_free(out);
			return rc && p == 0 ? -1 : 0; /* not aggregated: the caller tries legacy */
		}
		const gr_value *items = gr_get(&v, "items");
		for (size_t i = 0; gr_is(items, GR_ARRAY) && i < items->u.a.len; i++) {
			const gr_value *g = &items->u.a.items[i];
			const char *group = gr_get_str(gr_get(g, "metadata"), "name");
			const gr_value *vers = gr_get(g, "versions");
			if (!gr_is(vers, GR_ARRAY) || vers->u.a.len == 0)
				continue;
			const gr_value *pv = &vers->u.a.items[0]; /* preferred first */
			const char *version = gr_get_str(pv, "version");
			const gr_value *res = gr_get(pv, "resources");
			for (size_t j = 0; version && gr_is(res, GR_ARRAY) && j < res->u.a.len; j++) {
				const gr_value *rr = &res->u.a.items[j];
				const char *name = gr_get_str(rr, "resource");
				const char *kind = gr_get_str(gr_get(rr, "responseKind"), "kind");
				const char *scope = gr_get_str(rr, "scope");
				if (!name || !kind)
					continue;
				if (add_resource(out, group ? group : "", version, name, kind,
				                 scope && strcmp(scope, "Namespaced") == 0,
				                 has_verb(gr_get(rr, "verbs"), "list"))) {
					gr_arena_free(&a);
					return gr_error_set(err, 0, 0, "out of memory");
				}
			}
		}
		gr_arena_free(&a);
	}
	out->aggregated = true;
	*ok = true;
	return 0;
}

static int legacy_group_version(gr_kube_client *k, const char *group, const char *version,
                                gr_kube_resources *out, gr_error *err)
{
	char path[512];
	if (*group)
		snprintf(path, sizeof path, "/apis/%s/%s", group, version);
	else
		snprintf(path, sizeof path, "/api/%s", version);
	gr_arena a;
	gr_arena_init(&a);
	gr_kube_response r;
	gr_value v;
	int rc = get_json(k, path, NULL, &a, &v, &r, err);
	gr_kube_response_free(&r);
	if (rc == 0) {
		const gr_value *res = gr_get(&v, "resources");
		for (size_t j = 0; gr_is(res, GR_ARRAY) && j < res->u.a.len; j++) {
			const gr_value *rr = &res->u.a.items[j];
			const char *name = gr_get_str(rr, "name"), *kind = gr_get_str(rr, "kind");
			const gr_value *nsd = gr_get(rr, "namespaced");
			if (!name || !kind || strchr(name, '/'))
				continue;
			if (add_resource(out, group, version, name, kind, gr_is(nsd, GR_BOOL) && nsd->u.b,
			                 has_verb(gr_get(rr, "verbs"), "list"))) {
				rc = gr_error_set(err, 0, 0, "out of memory");
				break;
			}
		}
	}
	gr_arena_free(&a);
	return rc;
}

static int discover_legacy(gr_kube_client *k, gr_kube_resources *out, gr_error *err)
{
	if (legacy_group_version(k, "", "v1", out, err))
		return -1;
	gr_arena a;
	gr_arena_init(&a);
	gr_kube_response r;
	gr_value v;
	int rc = get_json(k, "/apis", NULL, &a, &v, &r, err);
	gr_kube_response_free(&r);
	const gr_value *groups = rc ? NULL : gr_get(&v, "groups");
	for (size_t i = 0; !rc && gr_is(groups, GR_ARRAY) && i < groups->u.a.len; i++) {
		const gr_value *g = &groups->u.a.items[i];
		const char *name = gr_get_str(g, "name");
		const char *pv = gr_get_str(gr_get(g, "preferredVersion"), "version");
		if (name && pv)
			rc = legacy_group_version(k, name, pv, out, err);
	}
	gr_arena_free(&a);
	return rc;
}

int gr_kube_discover(gr_kube_client *k, gr_kube_resources *out, gr_error *err)
{
	memset(out, 0, sizeof *out);
	gr_error_clear(err);
	bool ok;
	if (discover_aggregated(k, out, &ok, err))
		return -1;
	if (ok)
		return 0;
	gr_error_clear(err);
	return discover_legacy(k, out, err);
}

/* ---- LIST ---- */

int gr_kube_list(gr_kube_client *k, const char *path, gr_kube_page_fn fn, void *user, unsigned *restarts,
                 gr_error *err)
{
	char *cont = NULL;
	unsigned nrestarts = 0;
	int rc = 0;
	for (;;) {
		gr_buf url;
		gr_buf_init(&url);
		gr_buf_printf(&url, "%s%climit=%ld", path, strchr(path, '?') ? '&' : '?', k->o.page_limit);
		if (cont)
			gr_buf_printf(&url, "&continue=%s", cont);
		gr_kube_response r;
		rc = gr_kube_get(k, url.data, NULL, &r, err);
		if (rc) {
			gr_buf_free(&url);
			break;
		}
		if (r.status == 410 && cont && nrestarts < 3) {
			/* The continue token expired (etcd compacted past it). The
			 * server's Status may carry a token to go on at the latest
			 * resourceVersion (an inconsistent list, counted in
			 * *restarts); without one, list again from the start. */
			nrestarts++;
			free(cont);
			cont = NULL;
			gr_arena a410;
			gr_arena_init(&a410);
			gr_value st;
			gr_error e410;
			if (r.body.len &&
			    gr_decode_json(&a410, r.body.data, r.body.len, NULL, &st, &e410) == 0) {
				const char *c = gr_get_str(gr_get(&st, "metadata"), "continue");
				if (c && *c)
					cont = strdup(c);
			}
			gr_arena_free(&a410);
			gr_kube_response_free(&r);
			gr_buf_free(&url);
			continue;
		}
		if (r.status != 200) {
			char m[400];
			gr_kube_status_message(&r, m, sizeof m);
			rc = gr_error_set(err, 0, 0, "LIST %s: %s", url.data, m);
			gr_kube_response_free(&r);
			gr_buf_free(&url);
			break;
		}
		gr_arena a;
		gr_arena_init(&a);
		gr_value v;
		gr_error e2;
		if (gr_decode_json(&a, r.body.data ? r.body.data : "", r.body.len, NULL, &v, &e2)) {
			rc = gr_error_set(err, 0, 0, "LIST %s: the answer is not JSON: %s", url.data,
			                  e2.message);
		} else {
			if (fn(user, url.data, r.body.data, r.body.len))
				rc = gr_error_set(err, 0, 0, "LIST %s: stopped", url.data);
			const char *c = gr_get_str(gr_get(&v, "metadata"), "continue");
			free(cont);
			cont = c && *c ? strdup(c) : NULL;
		}
		gr_arena_free(&a);
		gr_kube_response_free(&r);
		gr_buf_free(&url);
		if (rc || !cont)
			break;
	}
	free(cont);
	if (restarts)
		*restarts = nrestarts;
	return rc;
}
