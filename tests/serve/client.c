/*
 * client.c — a small HTTPS client for the tests and the benchmark of
 * `guardrail serve` (built by tests/scripts/serve.sh and bench/serve.sh).
 *
 *   client load  --port P --ca CA --path PATH --body F [--body F...] [--lines F]
 *                [--conns N] [--requests M | --duration S] [--rate R]
 *       N keep-alive connections (one thread each) post the bodies in turn.
 *       With --rate, requests are sent on a fixed schedule and latency is
 *       measured from the scheduled time (no coordinated omission). Prints
 *       ok, failed (a request written without a whole response), refused
 *       (could not connect), closes (responses with Connection: close) and
 *       latency percentiles. Exit 1 when any request failed.
 *   client open  --port P --ca CA --path PATH --body F --conns N
 *       Open N TLS connections at once, then send one request on each and
 *       read every response: prints how many were answered 200.
 *   client hold  --port P --ca CA --path PATH --conns N --requests KIB
 *       N connections each announce a KIB body and send half of it; prints
 *       how many were refused with 503 and how many are still waiting.
 *   client slow  --port P --ca CA --path PATH
 *       Send a request head one byte a second; print the seconds until the
 *       server closed the connection.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int port = 8443;
static const char *ca, *path = "/validate/enforce/restricted";
static char *bodies[4096];
static size_t body_len[4096];
static int nbodies;
static int conns = 1, requests = 0;
static double duration = 0, rate = 0;
static SSL_CTX *ctx;

static atomic_llong n_ok, n_failed, n_refused, n_closes, n_non200;
static long long *lat_ns;
static atomic_llong nlat;
static long long lat_cap;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *read_file(const char *p, size_t *len)
{
	FILE *f = fopen(p, "rb");
	if (!f) {
		perror(p);
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	if (fread(b, 1, (size_t)n, f) != (size_t)n)
		exit(2);
	fclose(f);
	*len = (size_t)n;
	return b;
}

typedef struct tconn {
	int fd;
	SSL *ssl;
} tconn;

static int tcp_connect(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		return -1;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

static int tls_open(tconn *c)
{
	c->fd = tcp_connect();
	if (c->fd < 0)
		return -1;
	c->ssl = SSL_new(ctx);
	SSL_set_fd(c->ssl, c->fd);
	SSL_set_tlsext_host_name(c->ssl, "localhost");
	if (ca)
		SSL_set1_host(c->ssl, "localhost");
	if (SSL_connect(c->ssl) != 1) {
		ERR_clear_error();
		SSL_free(c->ssl);
		close(c->fd);
		c->ssl = NULL;
		return -1;
	}
	return 0;
}

static void tls_close(tconn *c)
{
	if (c->ssl) {
		SSL_free(c->ssl);
		close(c->fd);
	}
	c->ssl = NULL;
}

static int send_request(tconn *c, int b)
{
	char head[512];
	int n = snprintf(
	        head, sizeof head,
	        "POST %s?timeout=10s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
	        "Content-Length: %zu\r\n\r\n",
	        path, body_len[b]);
	if (SSL_write(c->ssl, head, n) != n)
		return -1;
	if (body_len[b] && SSL_write(c->ssl, bodies[b], (int)body_len[b]) != (int)body_len[b])
		return -1;
	return 0;
}

/* Read one response: 1 = got it (status in *status, *close set), -1 = failed. */
static int read_response(tconn *c, int *status, int *close_it)
{
	static _Thread_local char buf[1 << 20];
	size_t len = 0;
	char *end = NULL;
	while (!end) {
		if (len >= sizeof buf - 1)
			return -1;
		int n = SSL_read(c->ssl, buf + len, (int)(sizeof buf - 1 - len));
		if (n <= 0) {
			ERR_clear_error();
			return -1;
		}
		len += (size_t)n;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	if (sscanf(buf, "HTTP/1.1 %d", status) != 1)
		return -1;
	char *cl = strcasestr(buf, "\r\nContent-Length:");
	if (!cl || cl > end)
		return -1;
	size_t want = strtoul(cl + 17, NULL, 10);
	char *conn = strcasestr(buf, "\r\nConnection: close");
	*close_it = conn && conn < end;
	size_t have = len - (size_t)(end + 4 - buf);
	while (have < want) {
		char tmp[16384];
		size_t r = want - have < sizeof tmp ? want - have : sizeof tmp;
		int n = SSL_read(c->ssl, tmp, (int)r);
		if (n <= 0) {
			ERR_clear_error();
			return -1;
		}
		have += (size_t)n;
	}
	return 1;
}

static void record(long long ns)
{
	long long i = atomic_fetch_add(&nlat, 1);
	if (i < lat_cap)
		lat_ns[i] = ns;
}

static void *load_thread(void *arg)
{
	long id = (long)arg;
	tconn c = {0};
	double start = now_s();
	double interval = rate > 0 ? conns / rate : 0;
	double next = start + (rate > 0 ? interval * ((double)id / conns) : 0);
	int b = (int)(id % nbodies);
	for (long i = 0;; i++) {
		if (requests && i >= requests)
			break;
		if (duration && now_s() - start >= duration)
			break;
		if (rate > 0) {
			double t = now_s();
			if (t < next) {
				struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)((next - t) * 1e9)};
				nanosleep(&ts, NULL);
			}
		}
		double sched = rate > 0 ? next : now_s();
		next += interval;
		if (!c.ssl && tls_open(&c) != 0) {
			atomic_fetch_add(&n_refused, 1);
			struct timespec ts = {.tv_sec = 0, .tv_nsec = 20000000};
			nanosleep(&ts, NULL);
			continue;
		}
		int status = 0, close_it = 0;
		if (send_request(&c, b) != 0 || read_response(&c, &status, &close_it) != 1) {
			atomic_fetch_add(&n_failed, 1);
			tls_close(&c);
			continue;
		}
		record((long long)((now_s() - sched) * 1e9));
		if (status == 200)
			atomic_fetch_add(&n_ok, 1);
		else
			atomic_fetch_add(&n_non200, 1);
		if (close_it) {
			atomic_fetch_add(&n_closes, 1);
			tls_close(&c);
		}
		b = (b + 1) % nbodies;
	}
	tls_close(&c);
	return NULL;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

static double pct(long long *v, long long n, double p)
{
	if (n == 0)
		return 0;
	long long i = (long long)(p / 100.0 * (double)(n - 1) + 0.5);
	return (double)v[i] / 1e6;
}

static int do_load(void)
{
	lat_cap = 20000000;
	lat_ns = malloc((size_t)lat_cap * sizeof *lat_ns);
	pthread_t *th = calloc((size_t)conns, sizeof *th);
	double t0 = now_s();
	for (long i = 0; i < conns; i++)
		pthread_create(&th[i], NULL, load_thread, (void *)i);
	for (int i = 0; i < conns; i++)
		pthread_join(th[i], NULL);
	double secs = now_s() - t0;
	long long n = atomic_load(&nlat) < lat_cap ? atomic_load(&nlat) : lat_cap;
	qsort(lat_ns, (size_t)n, sizeof *lat_ns, cmp_ll);
	printf("ok %lld failed %lld refused %lld non200 %lld closes %lld seconds %.2f rate %.0f "
	       "p50_ms %.3f p99_ms %.3f p999_ms %.3f max_ms %.3f\n",
	       (long long)n_ok, (long long)n_failed, (long long)n_refused, (long long)n_non200,
	       (long long)n_closes, secs, (double)(n_ok + n_non200) / secs, pct(lat_ns, n, 50),
	       pct(lat_ns, n, 99), pct(lat_ns, n, 99.9), n ? (double)lat_ns[n - 1] / 1e6 : 0.0);
	return n_failed ? 1 : 0;
}

static int do_open(void)
{
	tconn *c = calloc((size_t)conns, sizeof *c);
	int opened = 0, answered = 0;
	for (int i = 0; i < conns; i++)
		if (tls_open(&c[i]) == 0)
			opened++;
	for (int i = 0; i < conns; i++)
		if (c[i].ssl && send_request(&c[i], i % nbodies) != 0)
			tls_close(&c[i]);
	for (int i = 0; i < conns; i++) {
		int status, close_it;
		if (c[i].ssl && read_response(&c[i], &status, &close_it) == 1 && status == 200)
			answered++;
	}
	for (int i = 0; i < conns; i++)
		tls_close(&c[i]);
	printf("opened %d answered %d\n", opened, answered);
	return answered == conns ? 0 : 1;
}

/* N connections each announce a body of --requests KiB and send half of
 * it; then each waits up to 3 s for an answer. Prints the statuses. */
static int do_hold(void)
{
	tconn *c = calloc((size_t)conns, sizeof *c);
	size_t len = (size_t)requests * 1024;
	char *half = calloc(1, len / 2 + 1);
	memset(half, ' ', len / 2);
	for (int i = 0; i < conns; i++) {
		if (tls_open(&c[i]) != 0)
			continue;
		char head[256];
		int n = snprintf(head, sizeof head,
		                 "POST %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
		                 "Content-Length: %zu\r\n\r\n",
		                 path, len);
		if (SSL_write(c[i].ssl, head, n) != n ||
		    SSL_write(c[i].ssl, half, (int)(len / 2)) != (int)(len / 2))
			tls_close(&c[i]);
	}
	int n503 = 0, waiting = 0;
	for (int i = 0; i < conns; i++) {
		if (!c[i].ssl)
			continue;
		struct timeval tv = {.tv_sec = 3};
		setsockopt(c[i].fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		int status = 0, close_it = 0;
		if (read_response(&c[i], &status, &close_it) == 1 && status == 503)
			n503++;
		else if (status == 0)
			waiting++;
		tls_close(&c[i]);
	}
	printf("refused503 %d waiting %d\n", n503, waiting);
	free(half);
	free(c);
	return 0;
}

static int do_slow(void)
{
	tconn c;
	if (tls_open(&c) != 0) {
		printf("connect failed\n");
		return 1;
	}
	char head[256];
	int n = snprintf(head, sizeof head,
	                 "POST %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
	                 "Content-Length: 100\r\n\r\n",
	                 path);
	double t0 = now_s();
	for (int i = 0; i < n; i++) {
		if (SSL_write(c.ssl, head + i, 1) != 1)
			break;
		sleep(1);
	}
	char buf[256];
	int r = SSL_read(c.ssl, buf, sizeof buf); /* EOF once the server gave up */
	printf("closed_after %.1f read %d\n", now_s() - t0, r);
	tls_close(&c);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	const char *mode = argv[1];
	for (int i = 2; i + 1 < argc; i += 2) {
		const char *a = argv[i], *v = argv[i + 1];
		if (!strcmp(a, "--port"))
			port = atoi(v);
		else if (!strcmp(a, "--ca"))
			ca = v;
		else if (!strcmp(a, "--path"))
			path = v;
		else if (!strcmp(a, "--body") && nbodies < 4096) {
			bodies[nbodies] = read_file(v, &body_len[nbodies]);
			nbodies++;
		} else if (!strcmp(a, "--lines")) { /* one body per line */
			size_t len;
			char *all = read_file(v, &len);
			for (char *p = all, *e; p < all + len && nbodies < 4096; p = e + 1) {
				e = memchr(p, '\n', (size_t)(all + len - p));
				if (!e)
					e = all + len;
				if (e > p) {
					bodies[nbodies] = p;
					body_len[nbodies++] = (size_t)(e - p);
				}
			}
		} else if (!strcmp(a, "--conns"))
			conns = atoi(v);
		else if (!strcmp(a, "--requests"))
			requests = atoi(v);
		else if (!strcmp(a, "--duration"))
			duration = atof(v);
		else if (!strcmp(a, "--rate"))
			rate = atof(v);
		else {
			fprintf(stderr, "unknown flag %s\n", a);
			return 2;
		}
	}
	if (!nbodies) {
		bodies[0] = "";
		nbodies = 1;
	}
	signal(SIGPIPE, SIG_IGN);
	ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (ca) {
		SSL_CTX_load_verify_locations(ctx, ca, NULL);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	}
	static const unsigned char alpn[] = "\x08http/1.1";
	SSL_CTX_set_alpn_protos(ctx, alpn, sizeof alpn - 1);
	if (!strcmp(mode, "load"))
		return do_load();
	if (!strcmp(mode, "open"))
		return do_open();
	if (!strcmp(mode, "slow"))
		return do_slow();
	if (!strcmp(mode, "hold"))
		return do_hold();
	return 2;
}
