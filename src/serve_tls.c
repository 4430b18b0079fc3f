/*
 * serve_tls.c — the TLS context of `guardrail serve`: TLS 1.2 and newer
 * only, ALPN http/1.1 (the API server speaks nothing else to webhooks), the
 * certificate chain and key read from files.
 *
 * Reloading builds a whole new context and publishes it; connections keep
 * the context they were accepted with (OpenSSL counts references), new
 * ones take the new one. A pair that fails to load (a half-written Secret,
 * a key that does not match) is refused and the old context keeps serving.
 */
#include <pthread.h>
#include <string.h>

#include "serve_int.h"

static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
                       unsigned int inlen, void *arg)
{
	for (unsigned i = 0; i < inlen;) {
		unsigned n = in[i];
		if (i + 1 + n > inlen)
			break;
		if (n == 8 && memcmp(in + i + 1, "http/1.1", 8) == 0) {
			*out = in + i + 1;
			*outlen = (unsigned char)n;
			return SSL_TLSEXT_ERR_OK;
		}
		i += 1 + n;
	}
	/* No http/1.1 offered (h2 only): answer without ALPN, HTTP/1.1 it is. */
	return SSL_TLSEXT_ERR_NOACK;
}

static void ssl_error(gr_error *err, const char *what, const char *file)
{
	unsigned long e = sym_ERR_get_error();
	char buf[256];
	sym_ERR_error_string_n(e, buf, sizeof buf);
	sym_ERR_clear_error();
	gr_error_set(err, 0, 0, "%s %s: %s", what, file, e ? buf : "failed");
}

SSL_CTX *serve_tls_load(const char *cert_file, const char *key_file, gr_error *err)
{
	if (serve_ssl_load(err))
		return NULL;
	SSL_CTX *ctx = sym_SSL_CTX_new(sym_TLS_server_method());
	if (!ctx) {
		ssl_error(err, "cannot create a TLS context for", cert_file);
		return NULL;
	}
	sym_SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, NULL);
	sym_SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
	                                     SSL_OP_NO_COMPRESSION);
	sym_SSL_CTX_ctrl(ctx, SSL_CTRL_MODE,
	                 SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
	                         SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER,
	                 NULL);
	/* TLS 1.2: forward-secret AEAD suites only (TLS 1.3 suites are all fine). */
	sym_SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20");
	sym_SSL_CTX_ctrl(ctx, SSL_CTRL_SET_SESS_CACHE_MODE, SSL_SESS_CACHE_SERVER, NULL);
	sym_SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"guardrail", 9);
	sym_SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
	/* Read whole records (and whatever follows) in one system call; the
	 * server then checks SSL_has_pending before waiting on epoll again. */
	sym_SSL_CTX_ctrl(ctx, SSL_CTRL_SET_READ_AHEAD, 1, NULL);
	if (sym_SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
		ssl_error(err, "cannot read the certificate", cert_file);
		sym_SSL_CTX_free(ctx);
		return NULL;
	}
	if (sym_SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1) {
		ssl_error(err, "cannot read the private key", key_file);
		sym_SSL_CTX_free(ctx);
		return NULL;
	}
	if (sym_SSL_CTX_check_private_key(ctx) != 1) {
		ssl_error(err, "the private key does not match the certificate", key_file);
		sym_SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static pthread_mutex_t tls_lock = PTHREAD_MUTEX_INITIALIZER;
static SSL_CTX *tls_current;

SSL_CTX *serve_tls_current(void)
{
	pthread_mutex_lock(&tls_lock);
	SSL_CTX *c = tls_current;
	if (c)
		sym_SSL_CTX_up_ref(c);
	pthread_mutex_unlock(&tls_lock);
	return c;
}

void serve_tls_publish(SSL_CTX *ctx)
{
	pthread_mutex_lock(&tls_lock);
	SSL_CTX *old = tls_current;
	tls_current = ctx;
	pthread_mutex_unlock(&tls_lock);
	if (old)
		sym_SSL_CTX_free(old);
}
