/*
 * serve_ssl.c — OpenSSL for `guardrail serve`, loaded with dlopen on first
 * use: libssl.so.3 (which brings libcrypto.so.3) and one pointer per
 * function serve calls (SERVE_SSL_FUNCTIONS in serve_int.h). Other commands
 * never load it, so their start-up does not pay for it.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include "serve_int.h"

#define SERVE_SSL_SONAME "libssl.so.3"

#define SERVE_SSL_DEFINE(name) __typeof__(name) *sym_##name;
SERVE_SSL_FUNCTIONS(SERVE_SSL_DEFINE)
#undef SERVE_SSL_DEFINE

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static gr_error load_err;
static int load_rc;

static void load(void)
{
	void *h = dlopen(SERVE_SSL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *why = dlerror();
		load_rc = gr_error_set(&load_err, 0, 0, "cannot load %s (OpenSSL, needed for TLS): %s",
		                       SERVE_SSL_SONAME, why ? why : "unknown reason");
		return;
	}
	void *f;
	/* dlsym on the handle also searches its dependencies (libcrypto for
	 * ERR_*); POSIX lets a dlsym result convert to a function pointer */
#define SERVE_SSL_RESOLVE(name)                                                                              \
	if (!(f = dlsym(h, #name))) {                                                                        \
		load_rc = gr_error_set(&load_err, 0, 0,                                                      \
		                       "cannot load %s (OpenSSL, needed for TLS): no symbol %s",             \
		                       SERVE_SSL_SONAME, #name);                                             \
		return;                                                                                      \
	}                                                                                                    \
	memcpy(&sym_##name, &f, sizeof f);
	SERVE_SSL_FUNCTIONS(SERVE_SSL_RESOLVE)
#undef SERVE_SSL_RESOLVE
}

int serve_ssl_load(gr_error *err)
{
	pthread_once(&load_once, load);
	if (load_rc && err)
		*err = load_err;
	return load_rc;
}
