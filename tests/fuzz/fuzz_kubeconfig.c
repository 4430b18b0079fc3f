/*
 * fuzz_kubeconfig.c — libFuzzer harness for kubeconfig loading
 * (lib/kube/kubeconfig.c): the bytes are written to a file that is loaded
 * as --kubeconfig (every context field, credential form and exec block
 * parsed) and merged with itself (gr_kube_config_merge_json). Never a
 * crash; an error always has a message. No plugin is run and no network
 * used: only loading is exercised.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guardrail/kube.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0])
		snprintf(path, sizeof path, "/tmp/fuzz-kubeconfig-%d.yaml", (int)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	gr_kube_load_options o = {.kubeconfig = path};
	gr_kube_config *c = NULL;
	gr_error err;
	if (gr_kube_config_load(&c, &o, &err) != 0) {
		if (!err.message[0])
			abort();
	} else {
		if (!c->server || !c->namespace_)
			abort();
		gr_kube_config_free(c);
	}
	const char *files[2] = {path, path};
	gr_buf b;
	gr_buf_init(&b);
	if (gr_kube_config_merge_json(files, 2, false, &b, &err) != 0 && !err.message[0])
		abort();
	gr_buf_free(&b);
	return 0;
}
