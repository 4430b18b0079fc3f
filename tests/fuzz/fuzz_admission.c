/*
 * fuzz_admission.c — libFuzzer harness for the AdmissionReview decoder and
 * everything a review goes through in `guardrail serve`: decode, judge
 * (src/serve_judge.c and the policy set of src/serve_config.c, included
 * whole: Pod Security through the pss engine's checker) under a route chosen by the first
 * byte, then the reply written as JSON and read back. Never a crash, and
 * the reply is always valid JSON carrying the request's uid. Seeds:
 * tests/fuzz/admission/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/serve_config.c"
#include "../../src/serve_judge.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	serve_route route = {.mode = (serve_mode)(data[0] % 3),
	                     .pss = {.level = (gr_pss_level)((data[0] / 3) % 3),
	                             .minor = (data[0] & 0x80) ? GR_PSS_LATEST : 20 + (data[0] & 15)}};
	static serve_policy *p;
	if (!p) {
		gr_error e;
		if (serve_policy_load(NULL, &p, &e) != 0)
			abort();
	}
	gr_arena a;
	gr_arena_init(&a);
	gr_arena_set_limit(&a, (size_t)256 * 1024 * 1024);
	gr_admission_request req;
	gr_error err;
	if (gr_admission_decode(&a, (const char *)data + 1, size - 1, NULL, &req, &err) == GR_ADMISSION_OK) {
		serve_verdict v;
		serve_judge(p, &route, &req, &a, &v);
		gr_buf b;
		gr_buf_init(&b);
		gr_admission_encode(&b, &v.resp);
		gr_value back;
		if (!b.failed && gr_decode_json(&a, b.data, b.len, NULL, &back, &err) != 0)
			abort();
		size_t total = 0;
		for (size_t i = 0; i < v.resp.warnings.n; i++)
			total += strlen(v.resp.warnings.items[i]);
		if (v.resp.warnings.runes > GR_ADMISSION_WARNING_BUDGET)
			abort();
		(void)total;
		gr_buf_free(&b);
	}
	gr_arena_free(&a);
	return 0;
}
