/*
 * serve_metrics.c — Prometheus text for `GET /metrics`.
 *
 * Each worker counts into its own block (relaxed atomics: one writer, the
 * scrape reads), so counting costs no shared cache line; a scrape sums the
 * blocks. Label values are bounded: routes and operations are closed sets,
 * kinds outside the workload kinds and Namespace count as "other", and rule
 * ids beyond SERVE_RULE_SLOTS per worker count as "other".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve_int.h"

serve_global_metrics serve_gm;

static const char *const kind_labels[SERVE_KIND_LABELS] = {
        "Pod",   "Deployment", "ReplicaSet",  "StatefulSet",           "DaemonSet",
        "Job",   "CronJob",    "PodTemplate", "ReplicationController", "Namespace",
        "Other", "Unknown",
};

int serve_kind_label(const char *kind)
{
	if (!kind || !kind[0])
		return SERVE_KIND_LABELS - 1;
	for (int i = 0; i < SERVE_KIND_LABELS - 2; i++)
		if (strcmp(kind, kind_labels[i]) == 0)
			return i;
	return SERVE_KIND_LABELS - 2;
}

static const char *const result_labels[SERVE_NRESULTS] = {"allowed", "denied",  "warned",
                                                          "audited", "skipped", "error"};

/* Upper bounds in seconds; the last bucket is +Inf. */
static const double lat_bounds[SERVE_LAT_BUCKETS] = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                     0.01,    0.025,  0.05,    0.1,    0.25,  1,      5};

#define RELAXED memory_order_relaxed

void serve_metrics_review(serve_metrics *m, int route, gr_admission_op op, const char *kind, serve_result r,
                          uint64_t ns)
{
	if (route < 0 || route > SERVE_NROUTE_LABELS)
		route = SERVE_NROUTE_LABELS;
	atomic_fetch_add_explicit(&m->reviews[route][op][serve_kind_label(kind)][r], 1, RELAXED);
	double s = (double)ns / 1e9;
	int b = 0;
	while (b < SERVE_LAT_BUCKETS && s > lat_bounds[b])
		b++;
	atomic_fetch_add_explicit(&m->latency[b], 1, RELAXED);
	atomic_fetch_add_explicit(&m->latency_sum_ns, ns, RELAXED);
	atomic_fetch_add_explicit(&m->latency_count, 1, RELAXED);
}

/* the codes serve answers (500: a review it could not complete); the last
 * slot counts any other */
#define NHTTP 9
static const int http_codes[NHTTP] = {200, 400, 404, 405, 413, 431, 500, 503, 0};

void serve_metrics_http(serve_metrics *m, int status)
{
	int i = 0;
	while (i < NHTTP - 1 && http_codes[i] != status)
		i++;
	atomic_fetch_add_explicit(&m->http[i], 1, RELAXED);
}

void serve_metrics_rule(serve_metrics *m, const char *rule)
{
	/* Open addressing on the rule id; only this worker writes names. */
	uint64_t h = 1469598103934665603ULL;
	for (const char *c = rule; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ULL;
	for (size_t probe = 0; probe < 8; probe++) {
		size_t i = (h + probe) % SERVE_RULE_SLOTS;
		char *name = __atomic_load_n(&m->rule_names[i], __ATOMIC_ACQUIRE);
		if (!name) {
			char *copy = strdup(rule);
			if (!copy)
				break;
			__atomic_store_n(&m->rule_names[i], copy, __ATOMIC_RELEASE);
			name = copy;
		}
		if (strcmp(name, rule) == 0) {
			atomic_fetch_add_explicit(&m->rule_counts[i], 1, RELAXED);
			return;
		}
	}
	atomic_fetch_add_explicit(&m->rule_counts[SERVE_RULE_SLOTS], 1, RELAXED);
}

static unsigned long long sum(serve_metrics *const *w, size_t n, size_t offset)
{
	unsigned long long t = 0;
	for (size_t i = 0; i < n; i++)
		t += atomic_load_explicit((atomic_ullong *)((char *)w[i] + offset), RELAXED);
	return t;
}

#define SUM(field) sum(workers, n, offsetof(serve_metrics, field))

static void help(gr_buf *b, const char *name, const char *type, const char *text)
{
	gr_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

void serve_metrics_render(gr_buf *b, serve_metrics *const *workers, size_t n)
{
	help(b, "guardrail_build_info", "gauge", "Build information.");
	gr_buf_printf(b, "guardrail_build_info{version=\"%s\"} 1\n", GUARDRAIL_VERSION);

	help(b, "guardrail_admission_reviews_total", "counter",
	     "AdmissionReviews answered, by webhook path, operation, kind and result.");
	for (int r = 0; r <= SERVE_NROUTE_LABELS; r++)
		for (int op = 0; op < SERVE_OP_LABELS; op++)
			for (int k = 0; k < SERVE_KIND_LABELS; k++)
				for (int res = 0; res < SERVE_NRESULTS; res++) {
					unsigned long long v = SUM(reviews[r][op][k][res]);
					if (!v)
						continue;
					const char *path = "other";
					if (r < SERVE_NROUTE_LABELS) {
						serve_route rt = {.mode = (serve_mode)(r / 3),
						                  .pss = {.level = (gr_pss_level)(r % 3)}};
						path = serve_route_label(&rt);
					}
					gr_buf_printf(b,
					              "guardrail_admission_reviews_total{path=\"%s\","
					              "operation=\"%s\","
					              "kind=\"%s\",result=\"%s\"} %llu\n",
					              path, gr_admission_op_name((gr_admission_op)op),
					              kind_labels[k], result_labels[res], v);
				}

	help(b, "guardrail_admission_review_duration_seconds", "histogram",
	     "Time from a complete request to its response being queued.");
	unsigned long long cum = 0;
	for (int i = 0; i <= SERVE_LAT_BUCKETS; i++) {
		cum += SUM(latency[i]);
		if (i < SERVE_LAT_BUCKETS)
			gr_buf_printf(b,
			              "guardrail_admission_review_duration_seconds_bucket{le=\"%g\"} %llu\n",
			              lat_bounds[i], cum);
		else
			gr_buf_printf(
			        b, "guardrail_admission_review_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
			        cum);
	}
	gr_buf_printf(b, "guardrail_admission_review_duration_seconds_sum %.9f\n",
	              (double)SUM(latency_sum_ns) / 1e9);
	gr_buf_printf(b, "guardrail_admission_review_duration_seconds_count %llu\n", SUM(latency_count));

	help(b, "guardrail_engine_evaluations_total", "counter",
	     "Engine evaluations (one per engine per judged object).");
	gr_buf_printf(b, "guardrail_engine_evaluations_total %llu\n", SUM(engine_runs));
	help(b, "guardrail_engine_errors_total", "counter",
	     "Engine failures (the request was refused on enforce paths).");
	gr_buf_printf(b, "guardrail_engine_errors_total %llu\n", SUM(engine_errors));
	help(b, "guardrail_rules_not_evaluated_total", "counter",
	     "Rules that applied to a request but could not be evaluated (the response's "
	     "guardrail.dev/not-evaluated annotation says why).");
	gr_buf_printf(b, "guardrail_rules_not_evaluated_total %llu\n", SUM(not_evaluated));
	help(b, "guardrail_findings_total", "counter", "Violations found, by rule id.");
	/* Sum by name across workers (slots differ only by collisions). */
	for (size_t w = 0; w < n; w++)
		for (size_t i = 0; i < SERVE_RULE_SLOTS; i++) {
			const char *name = __atomic_load_n(&workers[w]->rule_names[i], __ATOMIC_ACQUIRE);
			if (!name)
				continue;
			bool earlier = false;
			for (size_t v = 0; v < w && !earlier; v++)
				for (size_t j = 0; j < SERVE_RULE_SLOTS && !earlier; j++) {
					const char *o =
					        __atomic_load_n(&workers[v]->rule_names[j], __ATOMIC_ACQUIRE);
					earlier = o && strcmp(o, name) == 0;
				}
			if (earlier)
				continue;
			unsigned long long t = 0;
			for (size_t v = w; v < n; v++)
				for (size_t j = 0; j < SERVE_RULE_SLOTS; j++) {
					const char *o =
					        __atomic_load_n(&workers[v]->rule_names[j], __ATOMIC_ACQUIRE);
					if (o && strcmp(o, name) == 0)
						t += atomic_load_explicit(&workers[v]->rule_counts[j],
						                          RELAXED);
				}
			gr_buf_printf(b, "guardrail_findings_total{rule=\"%s\"} %llu\n", name, t);
		}
	gr_buf_printf(b, "guardrail_findings_total{rule=\"other\"} %llu\n",
	              SUM(rule_counts[SERVE_RULE_SLOTS]));

	help(b, "guardrail_http_responses_total", "counter", "HTTP responses by status code.");
	for (int i = 0; i < NHTTP; i++) {
		unsigned long long v = SUM(http[i]);
		if (!v && i != 0)
			continue;
		if (i < NHTTP - 1)
			gr_buf_printf(b, "guardrail_http_responses_total{code=\"%d\"} %llu\n", http_codes[i],
			              v);
		else
			gr_buf_printf(b, "guardrail_http_responses_total{code=\"other\"} %llu\n", v);
	}
	help(b, "guardrail_in_flight_requests", "gauge", "Requests being read or judged.");
	gr_buf_printf(b, "guardrail_in_flight_requests %lld\n", (long long)atomic_load(&serve_gm.in_flight));
	help(b, "guardrail_connections", "gauge", "Open client connections.");
	gr_buf_printf(b, "guardrail_connections %lld\n", (long long)atomic_load(&serve_gm.connections));
	help(b, "guardrail_connections_accepted_total", "counter", "Connections accepted.");
	gr_buf_printf(b, "guardrail_connections_accepted_total %llu\n", SUM(accepted_connections));
	help(b, "guardrail_connections_rejected_total", "counter",
	     "Connections refused over --max-connections.");
	gr_buf_printf(b, "guardrail_connections_rejected_total %llu\n", SUM(rejected_connections));
	help(b, "guardrail_tls_handshake_errors_total", "counter", "TLS handshakes that failed.");
	gr_buf_printf(b, "guardrail_tls_handshake_errors_total %llu\n", SUM(tls_handshake_errors));
	help(b, "guardrail_read_timeouts_total", "counter",
	     "Connections closed because a request was not read in time.");
	gr_buf_printf(b, "guardrail_read_timeouts_total %llu\n", SUM(read_timeouts));
	help(b, "guardrail_deadline_exceeded_total", "counter",
	     "Requests not answered because the API server's timeout had passed.");
	gr_buf_printf(b, "guardrail_deadline_exceeded_total %llu\n", SUM(deadline_exceeded));
	help(b, "guardrail_config_reloads_total", "counter",
	     "Configuration (policy set) reloads that succeeded.");
	gr_buf_printf(b, "guardrail_config_reloads_total %llu\n",
	              (unsigned long long)atomic_load(&serve_gm.config_reloads));
	help(b, "guardrail_config_reload_failures_total", "counter",
	     "Configuration reloads rejected (the previous set kept serving).");
	gr_buf_printf(b, "guardrail_config_reload_failures_total %llu\n",
	              (unsigned long long)atomic_load(&serve_gm.config_reload_failures));
	help(b, "guardrail_config_last_reload_success_timestamp_seconds", "gauge",
	     "When the serving policy set was loaded.");
	gr_buf_printf(b, "guardrail_config_last_reload_success_timestamp_seconds %llu\n",
	              (unsigned long long)atomic_load(&serve_gm.last_reload_ok_unix));
	help(b, "guardrail_policy_objects", "gauge", "Objects of the policy files in the serving set.");
	gr_buf_printf(b, "guardrail_policy_objects %llu\n",
	              (unsigned long long)atomic_load(&serve_gm.policy_objects));
	help(b, "guardrail_tls_reloads_total", "counter", "Certificate reloads that succeeded.");
	gr_buf_printf(b, "guardrail_tls_reloads_total %llu\n",
	              (unsigned long long)atomic_load(&serve_gm.tls_reloads));
	help(b, "guardrail_tls_reload_failures_total", "counter",
	     "Certificate reloads rejected (the previous pair kept serving).");
	gr_buf_printf(b, "guardrail_tls_reload_failures_total %llu\n",
	              (unsigned long long)atomic_load(&serve_gm.tls_reload_failures));
}
