/*
 * serve_int.h — the parts of `guardrail serve` and how they meet.
 *
 *   cmd_serve.c     flags, signals, file watching, reload, drain (main thread)
 *   serve_server.c  epoll workers: TLS connections, HTTP/1.1, timeouts, routing
 *   serve_http.c    the HTTP/1.1 request parser (pure: bytes in, fields out)
 *   serve_tls.c     TLS context from the certificate and key files
 *   serve_ssl.c     OpenSSL, loaded with dlopen when serve first needs TLS
 *   serve_config.c  --config: the prepared policy set, refcounted, swapped whole
 *   serve_judge.c   one AdmissionReview through the engines: the verdict
 *   serve_metrics.c counters per worker, rendered as Prometheus text
 *
 * Workers never block: a connection is a state machine fed by epoll, and a
 * review is judged on the worker that read it (it takes microseconds).
 */
#ifndef GUARDRAIL_SERVE_INT_H
#define GUARDRAIL_SERVE_INT_H

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guardrail/admission.h"
#include "guardrail/guardrail.h"
#include "guardrail/pss.h"

/* ---- HTTP/1.1 parsing (serve_http.c) ---- */

#define SERVE_MAX_HEAD ((size_t)16 * 1024)
#define SERVE_MAX_BODY ((size_t)7 * 1024 * 1024)

enum { SERVE_GET = 1, SERVE_POST, SERVE_OTHER_METHOD };

typedef struct serve_http_req {
	int method;
	const char *path; /* not NUL-terminated */
	size_t path_len;
	const char *query; /* after '?', or NULL */
	size_t query_len;
	int minor; /* HTTP/1.<minor> */
	bool keep_alive;
	bool chunked;
	bool expect_continue;
	bool has_length;
	size_t content_length;
	bool has_content_type;
	bool content_type_json;
	size_t head_len; /* bytes of the request line and headers, final CRLF included */
} serve_http_req;

/* 0: need more bytes; 1: head complete (r filled); -1: bad request, *status
 * is the HTTP status to answer (400, 413, 431, 501, 505). */
int serve_http_parse_head(const char *buf, size_t len, serve_http_req *r, int *status);

/* Incremental chunked decoding, in place. */
typedef struct serve_chunked {
	size_t raw;       /* offset of the next raw byte (from the body start) */
	size_t out;       /* decoded bytes so far (at the body start) */
	size_t remaining; /* bytes left in the current chunk */
	size_t ext;       /* bytes of extensions and trailers (capped) */
	int state;
	bool digits; /* a size digit was seen */
} serve_chunked;
/* 0: need more; 1: done (*c.out bytes of body, c.raw raw bytes consumed);
 * -1: error (*status 400 or 413). body points at the first body byte; len
 * is how many raw bytes are there. */
int serve_http_dechunk(char *body, size_t len, serve_chunked *c, size_t max_body, int *status);

/* The value of `timeout=Ns` (also ms, m) in a query, in milliseconds; 0 if absent or bad. */
uint64_t serve_http_query_timeout(const char *query, size_t len);

/* ---- routes ---- */

typedef enum serve_mode { SERVE_ENFORCE = 0, SERVE_WARN = 1, SERVE_AUDIT = 2 } serve_mode;

typedef struct serve_route {
	serve_mode mode;
	gr_pss_spec pss; /* level and version from the path */
} serve_route;

/* /validate/<mode>/<level>[/<version>]: 0 or -1. */
int serve_route_parse(const char *path, size_t len, serve_route *out);
/* Label of a route for metrics: "enforce/restricted" (static). */
const char *serve_route_label(const serve_route *r);
#define SERVE_NROUTE_LABELS 9

/* ---- the prepared policy set (serve_config.c) ---- */

typedef struct serve_policy {
	atomic_int refs;
	uint64_t generation;
	char **exempt_users, **exempt_namespaces, **exempt_runtime_classes;
	size_t nexempt_users, nexempt_namespaces, nexempt_runtime_classes;
	bool pss_enabled;
	/* Every engine the library offers but schema and pss, prepared and
	 * derived with the policy files' definitions; NULL when there is none. */
	gr_checker *checker;
	gr_set *set; /* the policy files' objects (what ctx->set shows) */
	size_t nengines;
	size_t npolicy_files; /* policy inputs shown to the engines */
	size_t npolicy_objects;
	/* The pss engine, one prepared checker per (level, version) a path
	 * asked for, made on first use (bounded: versions past v1.100 are
	 * latest). */
	pthread_mutex_t pss_lock;
	struct serve_pss_slot {
		gr_pss_spec at;
		gr_checker *checker;
	} pss[3 * 102];
	size_t npss;
} serve_policy;

/* The pss engine's checker for a level and version (owned by p). */
gr_checker *serve_policy_pss_checker(serve_policy *p, gr_pss_spec at, gr_error *err);

/* Load the configuration file (NULL: defaults). On error returns -1 with
 * err naming file:line:col; nothing is kept. */
int serve_policy_load(const char *config_path, serve_policy **out, gr_error *err);
void serve_policy_ref(serve_policy *p);
void serve_policy_unref(serve_policy *p);
/* Files the configuration reads (config, rules file, policy files), for
 * watching. malloc'd array of malloc'd strings; caller frees. */
int serve_config_files(const char *config_path, char ***files, size_t *n);

/* The current set: swapped under a lock, read by workers via the generation. */
void serve_policy_publish(serve_policy *p);
serve_policy *serve_policy_acquire(void); /* a new reference to the current set */
uint64_t serve_policy_generation(void);

/* ---- judging (serve_judge.c) ---- */

typedef enum serve_result {
	SERVE_ALLOWED = 0, /* nothing to say */
	SERVE_DENIED,
	SERVE_WARNED,
	SERVE_AUDITED,
	SERVE_SKIPPED, /* not judged: DELETE, CONNECT, subresource, insignificant update, exempt */
	SERVE_ERROR,   /* not an AdmissionReview (HTTP 400) */
	SERVE_NRESULTS
} serve_result;

typedef struct serve_verdict {
	serve_result result;
	gr_admission_response resp;
	const char *skip_reason; /* when SERVE_SKIPPED */
	const char *summary;     /* the violations in one line, for the log (NULL if none) */
	size_t nfindings;
	const char *rules[32]; /* rule ids found (for metrics); deduplicated */
	size_t nrules;
	size_t engine_runs;   /* engines run */
	size_t engine_errors; /* engines that failed (the request says so) */
	size_t not_evaluated; /* rules that applied but were not evaluated (the request says so) */
	bool oom;             /* an allocation failed: the reply is incomplete and never sent */
} serve_verdict;

/* Judge one decoded request under a route. Everything lives in a. */
void serve_judge(serve_policy *p, const serve_route *route, const gr_admission_request *req, gr_arena *a,
                 serve_verdict *out);

/*
 * One review body answered as `serve` answers it, socket aside: the HTTP
 * status and the body in *reply — 200 with the AdmissionReview reply, 400
 * with a line saying why the body is not an AdmissionReview, 500 when memory
 * ran out anywhere on the way (the API server then applies the webhook's
 * failurePolicy: an incomplete verdict is never sent) or when p is NULL (no
 * configuration loaded: never judged as allowed). *req and *v live in a. A reply
 * whose own growth failed (reply->failed) must be answered 500 too.
 */
int serve_review(serve_policy *p, const serve_route *route, const char *body, size_t len, gr_arena *a,
                 gr_admission_request *req, serve_verdict *v, gr_buf *reply);

/* ---- metrics (serve_metrics.c) ---- */

enum { SERVE_OP_LABELS = 5 };
#define SERVE_KIND_LABELS 12
#define SERVE_LAT_BUCKETS 14
#define SERVE_RULE_SLOTS  256

typedef struct serve_metrics {
	atomic_ullong reviews[SERVE_NROUTE_LABELS + 1][SERVE_OP_LABELS][SERVE_KIND_LABELS][SERVE_NRESULTS];
	atomic_ullong latency[SERVE_LAT_BUCKETS + 1]; /* cumulative at render */
	atomic_ullong latency_sum_ns;
	atomic_ullong latency_count;
	atomic_ullong http[9]; /* by status code: see serve_metrics_http */
	atomic_ullong engine_runs;
	atomic_ullong engine_errors;
	atomic_ullong not_evaluated;
	atomic_ullong findings;
	atomic_ullong read_timeouts;
	atomic_ullong deadline_exceeded;
	atomic_ullong rejected_connections;
	atomic_ullong accepted_connections;
	atomic_ullong tls_handshake_errors;
	char *rule_names[SERVE_RULE_SLOTS];
	atomic_ullong rule_counts[SERVE_RULE_SLOTS + 1]; /* last: other */
} serve_metrics;

int serve_kind_label(const char *kind); /* index into the kind table */
void serve_metrics_review(serve_metrics *m, int route, gr_admission_op op, const char *kind, serve_result r,
                          uint64_t ns);
void serve_metrics_http(serve_metrics *m, int status);
void serve_metrics_rule(serve_metrics *m, const char *rule);

typedef struct serve_global_metrics {
	atomic_ullong config_reloads, config_reload_failures;
	atomic_ullong tls_reloads, tls_reload_failures;
	atomic_llong in_flight;
	atomic_llong connections;
	atomic_ullong last_reload_ok_unix;
	atomic_ullong policy_objects;
} serve_global_metrics;

extern serve_global_metrics serve_gm;

/* Render every worker's metrics into b. */
void serve_metrics_render(gr_buf *b, serve_metrics *const *workers, size_t n);

/* ---- OpenSSL on first use (serve_ssl.c) ---- */

/* The program does not link OpenSSL, so no other command pays for loading
 * it (systemd's "dlopen-ify optional libraries" pattern). Every OpenSSL
 * function serve calls is one pointer, sym_<name>, with OpenSSL's own
 * prototype; OpenSSL's macros over SSL_CTX_ctrl are written out at the call
 * sites. serve_ssl_load fills them (once, thread-safe). */
/* clang-format off */
#define SERVE_SSL_FUNCTIONS(X)                \
	X(TLS_server_method)                  \
	X(SSL_CTX_new)                        \
	X(SSL_CTX_free)                       \
	X(SSL_CTX_up_ref)                     \
	X(SSL_CTX_ctrl)                       \
	X(SSL_CTX_set_options)                \
	X(SSL_CTX_set_cipher_list)            \
	X(SSL_CTX_set_session_id_context)     \
	X(SSL_CTX_set_alpn_select_cb)         \
	X(SSL_CTX_use_certificate_chain_file) \
	X(SSL_CTX_use_PrivateKey_file)        \
	X(SSL_CTX_check_private_key)          \
	X(SSL_new)                            \
	X(SSL_free)                           \
	X(SSL_set_fd)                         \
	X(SSL_set_accept_state)               \
	X(SSL_do_handshake)                   \
	X(SSL_read)                           \
	X(SSL_write)                          \
	X(SSL_shutdown)                       \
	X(SSL_get_error)                      \
	X(SSL_has_pending)                    \
	X(ERR_get_error)                      \
	X(ERR_error_string_n)                 \
	X(ERR_clear_error)
/* clang-format on */
#define SERVE_SSL_DECLARE(name) extern __typeof__(name) *sym_##name;
SERVE_SSL_FUNCTIONS(SERVE_SSL_DECLARE)
#undef SERVE_SSL_DECLARE

/* Load libssl.so.3 (and through it libcrypto.so.3); 0, or -1 with err
 * naming the library. Later calls return the first outcome. */
int serve_ssl_load(gr_error *err);

/* ---- TLS (serve_tls.c) ---- */

/* Build a server context from the files; NULL with err on failure. */
SSL_CTX *serve_tls_load(const char *cert_file, const char *key_file, gr_error *err);
/* The current context (a new reference: SSL_CTX_free it) and publishing. */
SSL_CTX *serve_tls_current(void);
void serve_tls_publish(SSL_CTX *ctx);

/* ---- server (serve_server.c) ---- */

typedef struct serve_options {
	const char *listen;
	const char *cert_file, *key_file, *config_path;
	int workers;
	int max_connections;
	size_t max_buffered; /* bytes of request buffers over all connections */
	uint64_t read_timeout_ms;
	uint64_t idle_timeout_ms;
	uint64_t drain_delay_ms;
	uint64_t shutdown_timeout_ms;
	bool log_allowed; /* one log line for allowed requests too */
} serve_options;

enum { SERVE_RUNNING = 0, SERVE_DRAINING = 1, SERVE_STOPPING = 2 };
extern atomic_int serve_state; /* RUNNING, DRAINING, STOPPING */
extern atomic_int serve_ready; /* 1 once TLS and policies are loaded, 0 when draining */

typedef struct serve_server serve_server;
int serve_server_start(serve_server **out, const serve_options *o, gr_error *err);
/* Wait for the workers to finish (after STOPPING), at most until deadline_ms (monotonic). */
void serve_server_join(serve_server *s);
void serve_server_free(serve_server *s);
uint64_t serve_now_ms(void);

/* A JSON log line on stderr (one write; thread-safe). fields is a JSON
 * object body without braces (may be ""). */
void serve_log(const char *level, const char *msg, const char *fields);

#endif
