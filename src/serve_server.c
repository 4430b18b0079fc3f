/*
 * serve_server.c — the HTTPS server of `guardrail serve`: epoll workers,
 * non-blocking TLS connections, HTTP/1.1 keep-alive, timeouts, routing.
 *
 * Why our own server rather than a library: the webhook needs TLS 1.2+ with
 * the certificate swapped while connections live, a 413 decided from the
 * headers before any body byte is read, per-connection read deadlines, a
 * drain that marks responses `Connection: close`, and a few microseconds of
 * overhead per review. With OpenSSL and epoll each is a few lines; a
 * library would put its own thread model and buffering in between.
 *
 * Each worker owns an epoll set, its connections and a request arena. The
 * one listening socket is in every worker's set (EPOLLEXCLUSIVE: one worker
 * wakes per connection). A connection is a small state machine: TLS
 * handshake, read until a request is whole, judge it on the spot, write
 * the response (waiting for EPOLLOUT if the socket is full), repeat. A
 * sweep every 100 ms closes connections whose request has taken longer
 * than the read timeout (a slow client costs a socket, never a worker) and
 * idle ones past the idle timeout.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "serve_int.h"

atomic_int serve_state;
atomic_int serve_ready;

uint64_t serve_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

/* Append one JSON log line to b. */
static void log_line(gr_buf *b, const char *level, const char *msg, const char *fields)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	/* the date and time to the second, formatted once a second per thread */
	static _Thread_local time_t when_sec = -1;
	static _Thread_local char when[40];
	if (ts.tv_sec != when_sec) {
		struct tm tm;
		gmtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
		when_sec = ts.tv_sec;
	}
	long ms = ts.tv_nsec / 1000000;
	char frac[6] = {'.', (char)('0' + ms / 100), (char)('0' + ms / 10 % 10), (char)('0' + ms % 10), 'Z',
	                '"'};
	gr_buf_puts(b, "{\"ts\":\"");
	gr_buf_puts(b, when);
	gr_buf_append(b, frac, sizeof frac);
	gr_buf_puts(b, ",\"level\":\"");
	gr_buf_puts(b, level);
	gr_buf_puts(b, "\",\"msg\":");
	gr_buf_json_string(b, msg, strlen(msg));
	if (fields && fields[0]) {
		gr_buf_putc(b, ',');
		gr_buf_puts(b, fields);
	}
	gr_buf_puts(b, "}\n");
}

/* Whole lines only, one writer at a time: lines never interleave. */
static void log_write(gr_buf *b)
{
	if (b->len && !b->failed) {
		pthread_mutex_lock(&log_lock);
		fwrite(b->data, 1, b->len, stderr);
		fflush(stderr);
		pthread_mutex_unlock(&log_lock);
	}
	gr_buf_reset(b);
	b->failed = 0;
}

void serve_log(const char *level, const char *msg, const char *fields)
{
	gr_buf b;
	gr_buf_init(&b);
	log_line(&b, level, msg, fields);
	log_write(&b);
	gr_buf_free(&b);
}

typedef struct conn conn;
typedef struct worker worker;

struct conn {
	int fd;
	SSL *ssl;
	bool handshake_done;
	bool head_done;
	bool reading_paused; /* a response is waiting for the socket */
	bool close_after;
	bool in_flight;
	char *in;
	size_t in_len, in_cap;
	serve_http_req req;
	serve_chunked ch;
	uint64_t req_start_ms; /* first byte of the current request (or accept) */
	uint64_t last_ms;
	gr_buf out;
	size_t out_off;
	uint32_t events;  /* registered epoll events */
	bool want_linger; /* answered an error before reading the whole request */
	bool lingering;   /* write side shut: discarding input until EOF */
	uint64_t linger_until;
	conn *prev, *next;
};

struct worker {
	serve_server *srv;
	int epfd;
	pthread_t thread;
	bool started;
	bool listening;
	serve_metrics *m;
	conn *conns;
	size_t nconns;
	serve_policy *policy;
	uint64_t generation;
	gr_arena arena;
	uint64_t last_sweep;
	gr_buf log; /* decision lines of this loop turn, written after it */
};

struct serve_server {
	serve_options o;
	int listen_fd;
	int nworkers;
	worker *workers;
	serve_metrics **metrics;
	uint64_t stop_deadline;
};

static const char listener_tag; /* epoll data.ptr of the listening socket */

static void release_in(conn *c);

/* ---- connections ---- */

static void set_events(worker *w, conn *c, uint32_t ev)
{
	if (c->events == ev)
		return;
	struct epoll_event e = {.events = ev, .data.ptr = c};
	epoll_ctl(w->epfd, EPOLL_CTL_MOD, c->fd, &e);
	c->events = ev;
}

static void conn_close(worker *w, conn *c)
{
	if (c->in_flight)
		atomic_fetch_sub(&serve_gm.in_flight, 1);
	if (c->ssl) {
		if (c->handshake_done)
			sym_SSL_shutdown(c->ssl); /* best effort close_notify */
		sym_ERR_clear_error(); /* the queue is per thread: never leave errors for the next connection
		                        */
		sym_SSL_free(c->ssl);
	}
	epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	release_in(c);
	gr_buf_free(&c->out);
	if (c->prev)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	w->nconns--;
	atomic_fetch_sub(&serve_gm.connections, 1);
	free(c);
}

static bool conn_idle(const conn *c)
{
	return c->handshake_done && c->in_len == 0 && !c->head_done && c->out_off >= c->out.len;
}

/*
 * Close after an error answer. If the client may still be sending (a 413
 * decided from the headers, a 503), closing with unread input would reset
 * the connection and the client could lose the answer: shut the write side
 * and discard what arrives for up to two seconds first (a lingering close).
 */
static void conn_finish(worker *w, conn *c)
{
	if (!c->want_linger || c->out_off < c->out.len || !c->handshake_done) {
		conn_close(w, c);
		return;
	}
	sym_ERR_clear_error();
	sym_SSL_shutdown(c->ssl);
	sym_ERR_clear_error();
	shutdown(c->fd, SHUT_WR);
	c->lingering = true;
	c->linger_until = serve_now_ms() + 2000;
	if (c->in_flight) {
		c->in_flight = false;
		atomic_fetch_sub(&serve_gm.in_flight, 1);
	}
	release_in(c);
	c->in_len = 0;
	c->head_done = false;
	set_events(w, c, EPOLLIN | EPOLLRDHUP);
}

static void linger_read(worker *w, conn *c)
{
	char sink[16384];
	for (;;) {
		ssize_t n = recv(c->fd, sink, sizeof sink, 0);
		if (n > 0)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		conn_close(w, c); /* EOF or error: done */
		return;
	}
}

static void accept_all(worker *w)
{
	for (int i = 0; i < 64; i++) {
		int fd = accept4(w->srv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (atomic_load(&serve_gm.connections) >= w->srv->o.max_connections) {
			atomic_fetch_add_explicit(&w->m->rejected_connections, 1, memory_order_relaxed);
			close(fd);
			continue;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		conn *c = calloc(1, sizeof *c);
		SSL_CTX *ctx = serve_tls_current();
		SSL *ssl = ctx ? sym_SSL_new(ctx) : NULL;
		if (ctx)
			sym_SSL_CTX_free(ctx); /* the SSL holds its own reference */
		if (!c || !ssl) {
			free(c);
			if (ssl)
				sym_SSL_free(ssl);
			close(fd);
			continue;
		}
		sym_SSL_set_fd(ssl, fd);
		sym_SSL_set_accept_state(ssl);
		c->fd = fd;
		c->ssl = ssl;
		c->req_start_ms = c->last_ms = serve_now_ms();
		gr_buf_init(&c->out);
		c->events = EPOLLIN | EPOLLRDHUP;
		struct epoll_event e = {.events = c->events, .data.ptr = c};
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &e) != 0) {
			sym_SSL_free(ssl);
			close(fd);
			free(c);
			continue;
		}
		c->next = w->conns;
		if (w->conns)
			w->conns->prev = c;
		w->conns = c;
		w->nconns++;
		atomic_fetch_add(&serve_gm.connections, 1);
		atomic_fetch_add_explicit(&w->m->accepted_connections, 1, memory_order_relaxed);
	}
}

/* Write what is queued. 1: all written; 0: the socket is full; -1: gone. */
static int flush_out(worker *w, conn *c)
{
	while (c->out_off < c->out.len) {
		size_t n = c->out.len - c->out_off;
		sym_ERR_clear_error();
		int r = sym_SSL_write(c->ssl, c->out.data + c->out_off, n > (1u << 30) ? (1 << 30) : (int)n);
		if (r > 0) {
			c->out_off += (size_t)r;
			continue;
		}
		int e = sym_SSL_get_error(c->ssl, r);
		if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
			c->reading_paused = true;
			set_events(w, c,
			           e == SSL_ERROR_WANT_WRITE ? EPOLLOUT | EPOLLRDHUP : EPOLLIN | EPOLLRDHUP);
			return 0;
		}
		sym_ERR_clear_error();
		return -1;
	}
	if (c->out.cap > 8192)
		gr_buf_free(&c->out);
	else
		gr_buf_reset(&c->out);
	c->out_off = 0;
	c->reading_paused = false;
	set_events(w, c, EPOLLIN | EPOLLRDHUP);
	return 1;
}

static const char *status_text(int code)
{
	switch (code) {
	case 100: return "Continue";
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 417: return "Expectation Failed";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	}
	return "Error";
}

/* Queue a whole response. During a drain every response closes its connection. */
static void respond(worker *w, conn *c, int code, const char *type, const char *body, size_t len)
{
	if (atomic_load(&serve_state) != SERVE_RUNNING)
		c->close_after = true;
	/* the head by hand: printf costs more than the rest of the response */
	char num[24];
	size_t i = sizeof num;
	size_t v = len;
	do
		num[--i] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	char st[4] = {(char)('0' + code / 100 % 10), (char)('0' + code / 10 % 10), (char)('0' + code % 10),
	              ' '};
	gr_buf_puts(&c->out, "HTTP/1.1 ");
	gr_buf_append(&c->out, st, 4);
	gr_buf_puts(&c->out, status_text(code));
	gr_buf_puts(&c->out, "\r\nContent-Type: ");
	gr_buf_puts(&c->out, type);
	gr_buf_puts(&c->out, "\r\nContent-Length: ");
	gr_buf_append(&c->out, num + i, sizeof num - i);
	gr_buf_puts(&c->out, c->close_after ? "\r\nConnection: close\r\n\r\n" : "\r\n\r\n");
	gr_buf_append(&c->out, body, len);
	serve_metrics_http(w->m, code);
}

static void respond_text(worker *w, conn *c, int code, const char *text)
{
	respond(w, c, code, "text/plain; charset=utf-8", text, strlen(text));
}

/* ---- one request ---- */

static void refresh_policy(worker *w)
{
	uint64_t g = serve_policy_generation();
	if (w->policy && g == w->generation)
		return;
	serve_policy *p = serve_policy_acquire();
	if (!p)
		return;
	serve_policy_unref(w->policy);
	w->policy = p;
	w->generation = p->generation;
}

static void put_field(gr_buf *b, const char *key, const char *value)
{
	if (b->len)
		gr_buf_putc(b, ',');
	gr_buf_json_string(b, key, strlen(key));
	gr_buf_putc(b, ':');
	gr_buf_json_string(b, value ? value : "", value ? strlen(value) : 0);
}

static void log_decision(worker *w, const char *path, size_t path_len, const gr_admission_request *req,
                         const serve_verdict *v, uint64_t ns)
{
	static const char *const results[SERVE_NRESULTS] = {"allowed", "denied",  "warned",
	                                                    "audited", "skipped", "error"};
	gr_buf f;
	gr_buf_init(&f);
	put_field(&f, "uid", req->uid);
	char *p = strndup(path, path_len);
	put_field(&f, "path", p);
	free(p);
	put_field(&f, "operation", req->operation_name);
	put_field(&f, "kind", req->kind);
	put_field(&f, "namespace", req->namespace_);
	put_field(&f, "name", req->name);
	put_field(&f, "user", req->username);
	put_field(&f, "result", results[v->result]);
	gr_buf_puts(&f, req->dry_run ? ",\"dryRun\":true" : ",\"dryRun\":false");
	gr_buf_puts(&f, ",\"rules\":[");
	for (size_t i = 0; i < v->nrules; i++) {
		if (i)
			gr_buf_putc(&f, ',');
		gr_buf_json_string(&f, v->rules[i], strlen(v->rules[i]));
	}
	gr_buf_putc(&f, ']');
	/* A Secret's violation text could quote its data: only rule ids then. */
	bool secret = strcmp(req->kind, "Secret") == 0 || strcmp(req->resource, "secrets") == 0;
	if (v->summary && !secret)
		put_field(&f, "message", v->summary);
	if (v->not_evaluated)
		gr_buf_printf(&f, ",\"notEvaluated\":%zu", v->not_evaluated);
	gr_buf_printf(&f, ",\"durationMicroseconds\":%llu", (unsigned long long)(ns / 1000));
	if (!f.failed)
		log_line(&w->log, "info", "admission decision", f.data);
	gr_buf_free(&f);
}

static void handle_review(worker *w, conn *c, const serve_route *route, int route_index, const char *body,
                          size_t len)
{
	uint64_t t0 = now_ns();
	const serve_http_req *rq = &c->req;
	if (!rq->has_content_type || !rq->content_type_json) {
		serve_metrics_review(w->m, route_index, GR_ADMISSION_OP_OTHER, NULL, SERVE_ERROR,
		                     now_ns() - t0);
		respond_text(w, c, 400, "Content-Type must be application/json\n");
		return;
	}
	if (len == 0) {
		serve_metrics_review(w->m, route_index, GR_ADMISSION_OP_OTHER, NULL, SERVE_ERROR,
		                     now_ns() - t0);
		respond_text(w, c, 400, "empty body: expected an AdmissionReview\n");
		return;
	}
	/* The API server gives up after ?timeout=; an answer after it is wasted. */
	uint64_t timeout = serve_http_query_timeout(rq->query, rq->query_len);
	if (timeout && serve_now_ms() - c->req_start_ms > timeout) {
		atomic_fetch_add_explicit(&w->m->deadline_exceeded, 1, memory_order_relaxed);
		c->close_after = true;
		return;
	}
	refresh_policy(w);
	gr_arena_set_limit(&w->arena, (size_t)256 * 1024 * 1024);
	gr_admission_request req;
	serve_verdict v;
	gr_buf reply;
	gr_buf_init(&reply);
	int status = serve_review(w->policy, route, body, len, &w->arena, &req, &v, &reply);
	if (reply.failed)
		respond_text(w, c, 500, "out of memory\n");
	else if (status == 200)
		respond(w, c, 200, "application/json", reply.data, reply.len);
	else
		respond_text(w, c, status, reply.data);
	gr_buf_free(&reply);
	if (!req.uid) { /* not decoded */
		serve_metrics_review(w->m, route_index, GR_ADMISSION_OP_OTHER, NULL, SERVE_ERROR,
		                     now_ns() - t0);
		gr_arena_free(&w->arena);
		return;
	}
	uint64_t ns = now_ns() - t0;
	serve_metrics_review(w->m, route_index, req.operation, req.kind, v.result, ns);
	atomic_fetch_add_explicit(&w->m->engine_runs, v.engine_runs, memory_order_relaxed);
	atomic_fetch_add_explicit(&w->m->engine_errors, v.engine_errors, memory_order_relaxed);
	atomic_fetch_add_explicit(&w->m->not_evaluated, v.not_evaluated, memory_order_relaxed);
	atomic_fetch_add_explicit(&w->m->findings, v.nfindings, memory_order_relaxed);
	for (size_t i = 0; i < v.nrules; i++)
		serve_metrics_rule(w->m, v.rules[i]);
	if (v.result == SERVE_DENIED || v.result == SERVE_WARNED || v.result == SERVE_AUDITED || v.oom ||
	    v.not_evaluated || w->srv->o.log_allowed)
		log_decision(w, rq->path, rq->path_len, &req, &v, ns);
	gr_arena_free(&w->arena);
}

static bool path_is(const serve_http_req *r, const char *lit)
{
	size_t n = strlen(lit);
	return r->path_len == n && memcmp(r->path, lit, n) == 0;
}

static void handle_request(worker *w, conn *c, const char *body, size_t len)
{
	const serve_http_req *r = &c->req;
	if (path_is(r, "/healthz") || path_is(r, "/readyz") || path_is(r, "/metrics")) {
		if (r->method != SERVE_GET) {
			respond_text(w, c, 405, "method not allowed\n");
			return;
		}
		if (path_is(r, "/healthz"))
			respond_text(w, c, 200, "ok\n");
		else if (path_is(r, "/readyz")) {
			if (atomic_load(&serve_ready))
				respond_text(w, c, 200, "ok\n");
			else
				respond_text(w, c, 503,
				             atomic_load(&serve_state) != SERVE_RUNNING ? "draining\n"
				                                                        : "not ready\n");
		} else {
			gr_buf b;
			gr_buf_init(&b);
			serve_metrics_render(&b, w->srv->metrics, (size_t)w->srv->nworkers);
			respond(w, c, 200, "text/plain; version=0.0.4; charset=utf-8", b.data ? b.data : "",
			        b.len);
			gr_buf_free(&b);
		}
		return;
	}
	serve_route route;
	if (serve_route_parse(r->path, r->path_len, &route) != 0) {
		respond_text(w, c, 404,
		             "not found: webhook paths are "
		             "/validate/{enforce,warn,audit}/{privileged,baseline,restricted}"
		             "[/v1.N|/latest]\n");
		return;
	}
	if (r->method != SERVE_POST) {
		respond_text(w, c, 405, "method not allowed: POST an AdmissionReview\n");
		return;
	}
	handle_review(w, c, &route, (int)route.mode * 3 + (int)route.pss.level, body, len);
}

/* Bytes of request buffers over all connections: a bound on what clients
 * can make the server hold, however many connections send large bodies. */
static atomic_llong buffered;

static void release_in(conn *c)
{
	atomic_fetch_sub(&buffered, (long long)c->in_cap);
	free(c->in);
	c->in = NULL;
	c->in_cap = 0;
}

/* Grow the input buffer to at least want bytes (within the caps).
 * -1: over the per-request cap (413); -2: over the global budget (503). */
static int ensure_in(conn *c, size_t want, size_t budget)
{
	if (want <= c->in_cap)
		return 0;
	size_t cap = c->in_cap ? c->in_cap : 4096;
	while (cap < want)
		cap *= 2;
	size_t max = SERVE_MAX_HEAD + SERVE_MAX_BODY + 65536;
	if (cap > max)
		cap = max;
	if (cap < want)
		return -1;
	long long delta = (long long)(cap - c->in_cap);
	if (atomic_fetch_add(&buffered, delta) + delta > (long long)budget && cap > 65536) {
		atomic_fetch_sub(&buffered, delta);
		return -2;
	}
	char *n = realloc(c->in, cap);
	if (!n) {
		atomic_fetch_sub(&buffered, delta);
		return -2;
	}
	c->in = n;
	c->in_cap = cap;
	return 0;
}

static void fail_request(worker *w, conn *c, int status)
{
	c->close_after = true;
	c->want_linger = true;
	respond_text(w, c, status,
	             status == 413   ? "request body larger than 7 MiB\n"
	             : status == 503 ? "too many large requests at once: retry\n"
	                             : "bad request\n");
}

/*
 * Process complete requests in the buffer. Returns -1 when the connection
 * must close now, 0 otherwise (more input needed, or output pending).
 */
static int process(worker *w, conn *c)
{
	while (!c->reading_paused) {
		if (!c->head_done) {
			int status = 0;
			int rc = serve_http_parse_head(c->in, c->in_len, &c->req, &status);
			if (rc == 0)
				return 0;
			if (rc < 0) {
				fail_request(w, c, status);
				break;
			}
			c->head_done = true;
			memset(&c->ch, 0, sizeof c->ch);
			if (c->req.expect_continue && c->req.minor == 1) {
				gr_buf_puts(&c->out, "HTTP/1.1 100 Continue\r\n\r\n");
				int f = flush_out(w, c);
				if (f < 0)
					return -1;
				if (f == 0)
					return 0; /* resumes here once written */
			}
		}
		const serve_http_req *r = &c->req;
		char *body = c->in + r->head_len;
		size_t raw = c->in_len - r->head_len;
		size_t body_len, consumed;
		if (r->chunked) {
			int status = 0;
			int rc = serve_http_dechunk(body, raw, &c->ch, SERVE_MAX_BODY, &status);
			if (rc < 0) {
				fail_request(w, c, status);
				break;
			}
			/* Drop the raw bytes already decoded, so the buffer holds body + tail. */
			size_t tail = raw - c->ch.raw;
			memmove(body + c->ch.out, body + c->ch.raw, tail);
			c->in_len = r->head_len + c->ch.out + tail;
			c->ch.raw = c->ch.out;
			if (rc == 0)
				return 0;
			body_len = c->ch.out;
			consumed = r->head_len + c->ch.out;
		} else {
			body_len = r->has_length ? r->content_length : 0;
			if (raw < body_len)
				return 0;
			consumed = r->head_len + body_len;
		}
		/* The buffer may have moved (grown) since the head was parsed:
		 * parse it again so the path and query point into it. */
		int st = 0;
		serve_http_parse_head(c->in, c->req.head_len, &c->req, &st);
		body = c->in + c->req.head_len;
		handle_request(w, c, body, body_len);
		if (!c->req.keep_alive)
			c->close_after = true;
		memmove(c->in, c->in + consumed, c->in_len - consumed);
		c->in_len -= consumed;
		c->head_done = false;
		c->req_start_ms = serve_now_ms();
		if (c->in_flight) {
			c->in_flight = false;
			atomic_fetch_sub(&serve_gm.in_flight, 1);
		}
		if (c->close_after)
			break;
		/* Keep idle connections small: an idle keep-alive connection holds
		 * its TLS state only (1,000 of them stay well under 32 MiB). */
		if (c->in_len == 0)
			release_in(c);
		int f = flush_out(w, c);
		if (f < 0)
			return -1;
		if (f == 0 || c->in_len == 0)
			return 0;
	}
	if (c->close_after) {
		int f = flush_out(w, c);
		if (f < 0)
			return -1;
		if (f == 1)
			return -1; /* written: close now */
		c->reading_paused = true;
		return 0;
	}
	return 0;
}

static void on_event(worker *w, conn *c, uint32_t ev)
{
	c->last_ms = serve_now_ms();
	if (c->lingering) {
		linger_read(w, c);
		return;
	}
	if (!c->handshake_done) {
		sym_ERR_clear_error();
		int r = sym_SSL_do_handshake(c->ssl);
		if (r != 1) {
			int e = sym_SSL_get_error(c->ssl, r);
			if (e == SSL_ERROR_WANT_READ) {
				set_events(w, c, EPOLLIN | EPOLLRDHUP);
				return;
			}
			if (e == SSL_ERROR_WANT_WRITE) {
				set_events(w, c, EPOLLOUT | EPOLLRDHUP);
				return;
			}
			sym_ERR_clear_error();
			atomic_fetch_add_explicit(&w->m->tls_handshake_errors, 1, memory_order_relaxed);
			conn_close(w, c);
			return;
		}
		c->handshake_done = true;
		c->req_start_ms = c->last_ms;
		set_events(w, c, EPOLLIN | EPOLLRDHUP);
	}
	if (c->out_off < c->out.len || c->reading_paused) {
		int f = flush_out(w, c);
		if (f < 0) {
			conn_close(w, c);
			return;
		}
		if (f == 1 && c->close_after) {
			conn_finish(w, c);
			return;
		}
		if (f == 0)
			return;
		if (c->head_done || c->in_len) {
			if (process(w, c) < 0) {
				conn_finish(w, c);
				return;
			}
			if (c->reading_paused)
				return;
		}
	}
	for (;;) {
		size_t want = c->in_len + 4096;
		if (c->in_cap - c->in_len >= 1024)
			want = c->in_cap; /* room enough to read into */
		if (c->head_done && !c->req.chunked && c->req.has_length) {
			size_t need = c->req.head_len + c->req.content_length;
			want = need > c->in_len ? need : c->in_len + 4096;
		}
		int grown = ensure_in(c, want, w->srv->o.max_buffered);
		if (grown != 0) {
			fail_request(w, c, grown == -1 ? 413 : 503);
			int f = flush_out(w, c);
			if (f == 0)
				c->reading_paused = true; /* finished once written */
			else if (f == 1)
				conn_finish(w, c);
			else
				conn_close(w, c);
			return;
		}
		sym_ERR_clear_error();
		int n = sym_SSL_read(c->ssl, c->in + c->in_len, (int)(c->in_cap - c->in_len));
		if (n > 0) {
			if (c->in_len == 0 && !c->head_done) {
				c->req_start_ms = c->last_ms;
				if (!c->in_flight) {
					c->in_flight = true;
					atomic_fetch_add(&serve_gm.in_flight, 1);
				}
			}
			c->in_len += (size_t)n;
			if (process(w, c) < 0) {
				conn_finish(w, c);
				return;
			}
			if (c->reading_paused)
				return;
			/* All answered and nothing buffered by TLS: epoll (level
			 * triggered) says when more arrives, so skip a read that
			 * would only return EAGAIN. */
			if (c->in_len == 0 && !sym_SSL_has_pending(c->ssl))
				break;
			continue;
		}
		int e = sym_SSL_get_error(c->ssl, n);
		if (e == SSL_ERROR_WANT_READ)
			break;
		if (e == SSL_ERROR_WANT_WRITE) {
			set_events(w, c, EPOLLOUT | EPOLLRDHUP);
			break;
		}
		sym_ERR_clear_error();
		conn_close(w, c); /* EOF, reset, or a TLS error */
		return;
	}
	(void)ev;
}

/* Close connections past their deadlines; while stopping, idle ones. */
static void sweep(worker *w, uint64_t now)
{
	int state = atomic_load(&serve_state);
	const serve_options *o = &w->srv->o;
	for (conn *c = w->conns, *next; c; c = next) {
		next = c->next;
		bool busy = !c->handshake_done || c->in_len || c->head_done;
		if (c->lingering) {
			if (now > c->linger_until)
				conn_close(w, c);
		} else if (busy && now - c->req_start_ms > o->read_timeout_ms) {
			atomic_fetch_add_explicit(&w->m->read_timeouts, 1, memory_order_relaxed);
			conn_close(w, c);
		} else if (c->out_off < c->out.len && now - c->last_ms > o->read_timeout_ms) {
			conn_close(w, c); /* the client does not read its response */
		} else if (conn_idle(c) &&
		           (state == SERVE_STOPPING || now - c->last_ms > o->idle_timeout_ms)) {
			conn_close(w, c);
		} else if (state == SERVE_STOPPING && now > w->srv->stop_deadline) {
			conn_close(w, c);
		}
	}
}

static void *worker_main(void *arg)
{
	worker *w = arg;
	struct epoll_event evs[128];
	for (;;) {
		int state = atomic_load(&serve_state);
		if (state == SERVE_STOPPING) {
			if (w->listening) {
				epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->srv->listen_fd, NULL);
				w->listening = false;
			}
			if (w->nconns == 0)
				break;
		}
		int n = epoll_wait(w->epfd, evs, 128, 100);
		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr == &listener_tag) {
				if (atomic_load(&serve_state) != SERVE_STOPPING)
					accept_all(w);
				continue;
			}
			on_event(w, evs[i].data.ptr, evs[i].events);
		}
		log_write(&w->log); /* one write for every decision of this turn */
		uint64_t now = serve_now_ms();
		if (now - w->last_sweep >= 100) {
			w->last_sweep = now;
			sweep(w, now);
		}
	}
	while (w->conns)
		conn_close(w, w->conns);
	log_write(&w->log);
	gr_buf_free(&w->log);
	serve_policy_unref(w->policy);
	w->policy = NULL;
	return NULL;
}

/* ---- start and stop ---- */

static int listen_on(const char *spec, gr_error *err)
{
	char host[256] = "";
	const char *colon = strrchr(spec, ':');
	if (!colon)
		return gr_error_set(err, 0, 0, "--listen %s: expected HOST:PORT or :PORT", spec);
	size_t hl = (size_t)(colon - spec);
	if (hl >= sizeof host)
		return gr_error_set(err, 0, 0, "--listen %s: host name too long", spec);
	memcpy(host, spec, hl);
	host[hl] = '\0';
	if (host[0] == '[' && hl > 1 && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	const char *port = colon + 1;
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
	struct addrinfo *res = NULL;
	int g = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (g != 0)
		return gr_error_set(err, 0, 0, "--listen %s: %s", spec, gai_strerror(g));
	int fd = -1;
	int saved = 0;
	/* With no host, prefer the IPv6 wildcard (dual stack), else IPv4. */
	for (int pass = 0; pass < 2 && fd < 0; pass++)
		for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
			if (!host[0] && (pass == 0) != (ai->ai_family == AF_INET6))
				continue;
			if (host[0] && pass == 1)
				break;
			fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			            ai->ai_protocol);
			if (fd < 0) {
				saved = errno;
				continue;
			}
			int one = 1, zero = 0;
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
			if (ai->ai_family == AF_INET6)
				setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
			if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 4096) != 0) {
				saved = errno;
				close(fd);
				fd = -1;
			}
		}
	freeaddrinfo(res);
	if (fd < 0)
		return gr_error_set(err, 0, 0, "--listen %s: %s", spec,
		                    strerror(saved ? saved : EADDRNOTAVAIL));
	return fd;
}

int serve_server_start(serve_server **out, const serve_options *o, gr_error *err)
{
	*out = NULL;
	serve_server *s = calloc(1, sizeof *s);
	if (!s)
		return gr_error_set(err, 0, 0, "out of memory");
	s->o = *o;
	s->listen_fd = listen_on(o->listen, err);
	if (s->listen_fd < 0) {
		free(s);
		return -1;
	}
	s->nworkers = o->workers;
	s->workers = calloc((size_t)s->nworkers, sizeof *s->workers);
	s->metrics = calloc((size_t)s->nworkers, sizeof *s->metrics);
	if (!s->workers || !s->metrics) {
		serve_server_free(s);
		return gr_error_set(err, 0, 0, "out of memory");
	}
	for (int i = 0; i < s->nworkers; i++) {
		worker *w = &s->workers[i];
		w->srv = s;
		w->m = calloc(1, sizeof *w->m);
		s->metrics[i] = w->m;
		gr_arena_init(&w->arena);
		w->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (!w->m || w->epfd < 0) {
			serve_server_free(s);
			return gr_error_set(err, 0, 0, "cannot start worker: %s", strerror(errno));
		}
		struct epoll_event e = {.events = EPOLLIN | EPOLLEXCLUSIVE,
		                        .data.ptr = (void *)&listener_tag};
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, s->listen_fd, &e) != 0) {
			serve_server_free(s);
			return gr_error_set(err, 0, 0, "epoll: %s", strerror(errno));
		}
		w->listening = true;
	}
	for (int i = 0; i < s->nworkers; i++) {
		if (pthread_create(&s->workers[i].thread, NULL, worker_main, &s->workers[i]) != 0) {
			atomic_store(&serve_state, SERVE_STOPPING);
			serve_server_join(s);
			serve_server_free(s);
			return gr_error_set(err, 0, 0, "cannot start worker threads");
		}
		s->workers[i].started = true;
	}
	*out = s;
	return 0;
}

void serve_server_join(serve_server *s)
{
	/* Stop accepting: connections still in the backlog are refused. */
	if (s->listen_fd >= 0)
		shutdown(s->listen_fd, SHUT_RDWR);
	s->stop_deadline = serve_now_ms() + s->o.shutdown_timeout_ms;
	atomic_store(&serve_state, SERVE_STOPPING);
	for (int i = 0; i < s->nworkers; i++)
		if (s->workers[i].started) {
			pthread_join(s->workers[i].thread, NULL);
			s->workers[i].started = false;
		}
}

void serve_server_free(serve_server *s)
{
	if (!s)
		return;
	for (int i = 0; s->workers && i < s->nworkers; i++) {
		worker *w = &s->workers[i];
		if (w->epfd > 0)
			close(w->epfd);
		if (w->m)
			for (size_t k = 0; k < SERVE_RULE_SLOTS; k++)
				free(w->m->rule_names[k]);
		free(w->m);
		gr_arena_free(&w->arena);
	}
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	free(s->workers);
	free(s->metrics);
	free(s);
}
