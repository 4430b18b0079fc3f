/*
 * curl_dl.h — libcurl loaded on first use (systemd's "dlopen-ify optional
 * libraries" pattern): the program does not link libcurl, so a `check` run
 * never pays for loading it and its dependency tree (GnuTLS/OpenSSL,
 * Kerberos, LDAP, SSH, ...). Only lib/kube, when it contacts a cluster, loads
 * libcurl.so.4 and resolves the functions it calls into this table.
 */
#ifndef GUARDRAIL_KUBE_CURL_DL_H
#define GUARDRAIL_KUBE_CURL_DL_H

#include <curl/curl.h>

#include "guardrail/error.h"

/* The libcurl functions lib/kube calls, with libcurl's own prototypes. */
typedef struct gri_curl_api {
	__typeof__(curl_global_init) *global_init;
	__typeof__(curl_easy_init) *easy_init;
	__typeof__(curl_easy_cleanup) *easy_cleanup;
	__typeof__(curl_easy_reset) *easy_reset;
	__typeof__(curl_easy_setopt) *easy_setopt;
	__typeof__(curl_easy_perform) *easy_perform;
	__typeof__(curl_easy_getinfo) *easy_getinfo;
	__typeof__(curl_easy_strerror) *easy_strerror;
	__typeof__(curl_slist_append) *slist_append;
	__typeof__(curl_slist_free_all) *slist_free_all;
} gri_curl_api;

/* The soname loaded by gri_curl_load. */
#define GRI_CURL_SONAME "libcurl.so.4"

/* Loads libcurl (once per process, thread-safe), resolves the table and runs
 * curl_global_init. Returns the table, or NULL with err naming the library
 * and the loader's reason; a failure is remembered and reported again. */
const gri_curl_api *gri_curl_load(gr_error *err);

/* The same from a given soname, without caching and without
 * curl_global_init: for tests of the failure path. The handle stays open on
 * success (as the process-wide one does). */
int gri_curl_load_from(const char *soname, gri_curl_api *api, gr_error *err);

#endif
