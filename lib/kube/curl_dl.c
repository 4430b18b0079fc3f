/*
 * curl_dl.c — loads libcurl.so.4 with dlopen on first use and resolves the
 * ten functions lib/kube calls (see curl_dl.h). A pthread_once makes the
 * load and curl_global_init happen exactly once per process; the outcome,
 * success or the loader's message, is kept and handed to every caller.
 */
#include "curl_dl.h"

#include <stddef.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

int gri_curl_load_from(const char *soname, gri_curl_api *api, gr_error *err)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *why = dlerror();
		return gr_error_set(err, 0, 0, "cannot load %s (libcurl, needed to contact a cluster): %s",
		                    soname, why ? why : "unknown reason");
	}
	static const struct {
		const char *name;
		size_t off;
	} syms[] = {
	        {"curl_global_init", offsetof(gri_curl_api, global_init)},
	        {"curl_easy_init", offsetof(gri_curl_api, easy_init)},
	        {"curl_easy_cleanup", offsetof(gri_curl_api, easy_cleanup)},
	        {"curl_easy_reset", offsetof(gri_curl_api, easy_reset)},
	        {"curl_easy_setopt", offsetof(gri_curl_api, easy_setopt)},
	        {"curl_easy_perform", offsetof(gri_curl_api, easy_perform)},
	        {"curl_easy_getinfo", offsetof(gri_curl_api, easy_getinfo)},
	        {"curl_easy_strerror", offsetof(gri_curl_api, easy_strerror)},
	        {"curl_slist_append", offsetof(gri_curl_api, slist_append)},
	        {"curl_slist_free_all", offsetof(gri_curl_api, slist_free_all)},
	};
	for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++) {
		void *f = dlsym(h, syms[i].name);
		if (!f) {
			gr_error_set(err, 0, 0,
			             "cannot load %s (libcurl, needed to contact a cluster): no symbol %s",
			             soname, syms[i].name);
			dlclose(h);
			return -1;
		}
		/* POSIX guarantees a data pointer from dlsym converts to a function pointer */
		memcpy((char *)api + syms[i].off, &f, sizeof f);
	}
	return 0;
}

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static gri_curl_api curl_api;
static gr_error load_err;
static int load_rc;

static void load(void)
{
	load_rc = gri_curl_load_from(GRI_CURL_SONAME, &curl_api, &load_err);
	if (load_rc == 0 && curl_api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		load_rc = gr_error_set(&load_err, 0, 0, "cannot start %s: curl_global_init failed",
		                       GRI_CURL_SONAME);
}

const gri_curl_api *gri_curl_load(gr_error *err)
{
	pthread_once(&load_once, load);
	if (load_rc) {
		if (err)
			*err = load_err;
		return NULL;
	}
	return &curl_api;
}
