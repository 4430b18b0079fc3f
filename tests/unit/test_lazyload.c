/*
 * test_lazyload.c — libcurl is loaded on first use (lib/kube/curl_dl.c):
 * not at start-up, every function resolved when it is, and a library that
 * cannot be loaded is an error naming it, never a crash.
 */
#include <stdio.h>
#include <string.h>

#include "../../lib/kube/curl_dl.h"
#include "guardrail/kube.h"
#include "testlib.h"

/* Whether a library whose path contains name is mapped into this process. */
static int mapped(const char *name)
{
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f)
		return -1;
	char line[1024];
	int found = 0;
	while (fgets(line, sizeof line, f))
		if (strstr(line, name))
			found = 1;
	fclose(f);
	return found;
}

static void test_missing_library(void)
{
	gri_curl_api api;
	memset(&api, 0, sizeof api);
	gr_error err;
	gr_error_clear(&err);
	CHECK(gri_curl_load_from("libguardrail-no-such-library.so.9", &api, &err) == -1);
	CHECK(strstr(err.message, "cannot load libguardrail-no-such-library.so.9") != NULL);
	CHECK(strstr(err.message, "libcurl") != NULL);
	CHECK(api.easy_init == NULL);
	/* a library without curl's symbols: named, with the first one missing */
	gr_error_clear(&err);
	CHECK(gri_curl_load_from("libz.so.1", &api, &err) == -1);
	CHECK(strstr(err.message, "no symbol curl_global_init") != NULL);
}

static void test_loaded_on_first_use(void)
{
	CHECK(mapped("libcurl") == 0);
	gr_error err;
	gr_error_clear(&err);
	const gri_curl_api *api = gri_curl_load(&err);
	CHECK(api != NULL);
	if (!api) {
		fprintf(stderr, "%s\n", err.message);
		return;
	}
	CHECK(mapped("libcurl") == 1);
	CHECK(api->global_init && api->easy_init && api->easy_cleanup && api->easy_reset &&
	      api->easy_setopt && api->easy_perform && api->easy_getinfo && api->easy_strerror &&
	      api->slist_append && api->slist_free_all);
	CHECK(gri_curl_load(NULL) == api); /* once per process */
	CHECK_STR(api->easy_strerror(CURLE_OK), "No error");
	struct curl_slist *l = api->slist_append(NULL, "Accept: application/json");
	CHECK(l != NULL && strcmp(l->data, "Accept: application/json") == 0);
	api->slist_free_all(l);
}

int main(void)
{
	test_missing_library();
	test_loaded_on_first_use();
	return test_report("lazyload");
}
