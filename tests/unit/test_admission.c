/*
 * test_admission.c — AdmissionReview in and out: decode errors by class,
 * request fields, the reply's exact JSON, the warning budget (4,096 runes,
 * no control characters, no duplicates), audit annotation keys, and PSA's
 * aggregation of violations into one message.
 */
#include <stdlib.h>
#include <string.h>

#include "guardrail/guardrail.h"
#include "testlib.h"

static gr_admission_error decode(gr_arena *a, const char *s, gr_admission_request *r)
{
	gr_error err;
	gr_error_clear(&err);
	return gr_admission_decode(a, s, strlen(s), NULL, r, &err);
}

static void test_decode(void)
{
	gr_arena a;
	gr_arena_init(&a);
	gr_admission_request r;
	CHECK(decode(&a, "", &r) == GR_ADMISSION_BAD_JSON);
	CHECK(decode(&a, "{\"apiVersion\":", &r) == GR_ADMISSION_BAD_JSON);
	CHECK(decode(&a, "[1]", &r) == GR_ADMISSION_BAD_TYPE);
	CHECK(decode(&a,
	             "{\"apiVersion\":\"admission.k8s.io/"
	             "v1beta1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"x\"}}",
	             &r) == GR_ADMISSION_BAD_TYPE);
	CHECK(decode(&a, "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}", &r) ==
	      GR_ADMISSION_BAD_REQUEST);
	CHECK(decode(&a,
	             "{\"apiVersion\":\"admission.k8s.io/"
	             "v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":7}}",
	             &r) == GR_ADMISSION_BAD_REQUEST);
	const char *ok =
	        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{"
	        "\"uid\":\"705ab4f5\",\"kind\":{\"group\":\"apps\",\"version\":\"v1\",\"kind\":"
	        "\"Deployment\"},"
	        "\"resource\":{\"group\":\"apps\",\"version\":\"v1\",\"resource\":\"deployments\"},"
	        "\"namespace\":\"shop\",\"operation\":\"UPDATE\",\"userInfo\":{\"username\":\"bob\"},"
	        "\"object\":{\"kind\":\"Deployment\"},\"oldObject\":null,\"dryRun\":true}}";
	CHECK(decode(&a, ok, &r) == GR_ADMISSION_OK);
	CHECK_STR(r.uid, "705ab4f5");
	CHECK_STR(r.kind, "Deployment");
	CHECK_STR(r.res_group, "apps");
	CHECK_STR(r.resource, "deployments");
	CHECK_STR(r.sub_resource, "");
	CHECK_STR(r.namespace_, "shop");
	CHECK_STR(r.username, "bob");
	CHECK(r.operation == GR_ADMISSION_UPDATE);
	CHECK(r.object && r.object->type == GR_OBJECT);
	CHECK(r.old_object == NULL);
	CHECK(r.dry_run);
	gr_arena_free(&a);
}

static void test_encode(void)
{
	gr_arena a;
	gr_arena_init(&a);
	gr_admission_response r;
	gr_admission_response_init(&r, "u\"1");
	gr_buf b;
	gr_buf_init(&b);
	gr_admission_encode(&b, &r);
	CHECK_STR(b.data, "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"response\":"
	                  "{\"uid\":\"u\\\"1\",\"allowed\":true}}");
	gr_buf_reset(&b);
	gr_admission_response_deny(&r, "violates PodSecurity \"baseline:latest\": privileged");
	CHECK(gr_admission_annotate(&r, "enforce-policy", "baseline:latest") == 0);
	CHECK(gr_admission_annotate(&r, "bad/key", "x") == -1);
	gr_admission_encode(&b, &r);
	CHECK_STR(b.data,
	          "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"response\":"
	          "{\"uid\":\"u\\\"1\",\"allowed\":false,\"status\":{\"code\":403,\"reason\":\"Forbidden\","
	          "\"message\":\"violates PodSecurity \\\"baseline:latest\\\": privileged\"},"
	          "\"auditAnnotations\":{\"enforce-policy\":\"baseline:latest\"}}}");
	gr_buf_free(&b);
	gr_arena_free(&a);
}

static void test_keys(void)
{
	CHECK(gr_admission_annotation_key_valid("audit-violations"));
	CHECK(gr_admission_annotation_key_valid("a"));
	CHECK(gr_admission_annotation_key_valid("a.b_c-9"));
	CHECK(!gr_admission_annotation_key_valid(""));
	CHECK(!gr_admission_annotation_key_valid("-a"));
	CHECK(!gr_admission_annotation_key_valid("a-"));
	CHECK(!gr_admission_annotation_key_valid("pod-security.kubernetes.io/audit"));
	char long_key[80];
	memset(long_key, 'a', 64);
	long_key[64] = '\0';
	CHECK(!gr_admission_annotation_key_valid(long_key));
	long_key[63] = '\0';
	CHECK(gr_admission_annotation_key_valid(long_key));
}

static size_t runes(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static void test_warnings(void)
{
	gr_arena a;
	gr_arena_init(&a);
	gr_admission_warnings w = {0};
	CHECK(gr_admission_warning_add(&w, &a, "line\none\t\x7f", 10) == 1);
	CHECK_STR(w.items[0], "line one  ");
	CHECK(gr_admission_warning_add(&w, &a, "line\none\t\x7f", 10) == 0); /* duplicate */
	CHECK(gr_admission_warning_add(&w, &a, "bad \xff utf8", 10) == 1);
	CHECK_STR(w.items[1], "bad \xEF\xBF\xBD utf8");
	/* Far over the budget: the total stays within 4,096 runes, a note counts the rest. */
	char text[300];
	for (int i = 0; i < 100; i++) {
		snprintf(text, sizeof text, "warning %03d %0250d", i, 0);
		gr_admission_warning_add(&w, &a, text, strlen(text));
	}
	gr_admission_warnings_finish(&w, &a);
	size_t total = 0;
	bool clean = true;
	for (size_t i = 0; i < w.n; i++) {
		total += runes(w.items[i]);
		for (const char *c = w.items[i]; *c; c++)
			clean = clean && (unsigned char)*c >= 0x20;
	}
	CHECK(clean);
	CHECK(total <= GR_ADMISSION_WARNING_BUDGET);
	CHECK(w.dropped > 0);
	CHECK(strstr(w.items[w.n - 1], "more warnings not shown") != NULL);
	/* A single huge warning is cut on a rune boundary with "...". */
	gr_admission_warnings w2 = {0};
	char *big = malloc(15000);
	for (int i = 0; i < 5000; i++)
		memcpy(big + i * 3, "\xE2\x82\xAC", 3); /* euro sign */
	CHECK(gr_admission_warning_add(&w2, &a, big, 15000) == 1);
	CHECK(runes(w2.items[0]) <= GR_ADMISSION_WARNING_BUDGET);
	size_t l = strlen(w2.items[0]);
	CHECK(l > 3 && strcmp(w2.items[0] + l - 3, "...") == 0);
	CHECK(memcmp(w2.items[0] + l - 6, "\xE2\x82\xAC", 3) == 0);
	free(big);
	gr_arena_free(&a);
}

static void test_detail(void)
{
	gr_arena a;
	gr_arena_init(&a);
	gr_admission_violation v[] = {
	        {"privileged", "container \"b\" must not set securityContext.privileged=true"},
	        {"allowPrivilegeEscalation != false",
	         "container \"a\" must set securityContext.allowPrivilegeEscalation=false"},
	        {"allowPrivilegeEscalation != false",
	         "container \"b\" must set securityContext.allowPrivilegeEscalation=false"},
	        {"runAsNonRoot != true", "pod or container \"a\" must set securityContext.runAsNonRoot=true"},
	        {"runAsNonRoot != true", "pod or container \"b\" must set securityContext.runAsNonRoot=true"},
	        {"hostPort", "container \"a\" uses hostPort 80"},
	        {"hostPort", "container \"b\" uses hostPort 80"},
	        {"host namespaces", "hostNetwork=true"},
	        {"seccompProfile", ""},
	};
	CHECK_STR(gr_admission_forbidden_detail(&a, v, sizeof v / sizeof v[0]),
	          "privileged (container \"b\" must not set securityContext.privileged=true), "
	          "allowPrivilegeEscalation != false (containers \"a\", \"b\" must set "
	          "securityContext.allowPrivilegeEscalation=false), "
	          "runAsNonRoot != true (pod or containers \"a\", \"b\" must set "
	          "securityContext.runAsNonRoot=true), "
	          "hostPort (containers \"a\", \"b\" use hostPort 80), host namespaces (hostNetwork=true), "
	          "seccompProfile");
	gr_admission_violation w[] = {{"x", "container \"a\" is bad"}, {"x", "something else"}};
	CHECK_STR(gr_admission_forbidden_detail(&a, w, 2), "x (container \"a\" is bad; something else)");
	gr_arena_free(&a);
}

int main(void)
{
	test_decode();
	test_encode();
	test_keys();
	test_warnings();
	test_detail();
	return test_report("admission");
}
