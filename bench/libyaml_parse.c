/*
 * libyaml_parse.c — the floor: how long libyaml alone takes to turn every
 * file given on the command line into events, with nothing built. guardrail's
 * decode + validate time is compared against this.
 *   build/bench/libyaml_parse FILE...   -> prints seconds, MB, MB/s
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yaml.h>

#include "guardrail/decode.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t n = (size_t)argc - 1, bytes = 0, events = 0;
	char **data = calloc(n ? n : 1, sizeof *data);
	size_t *len = calloc(n ? n : 1, sizeof *len);
	for (size_t i = 0; i < n; i++) {
		gr_error err;
		if (gr_read_file(argv[i + 1], 0, &data[i], &len[i], &err)) {
			data[i] = NULL;
			continue;
		}
		bytes += len[i];
	}
	double best = 1e9;
	for (int rep = 0; rep < 5; rep++) {
		double t0 = now();
		events = 0;
		for (size_t i = 0; i < n; i++) {
			if (!data[i])
				continue;
			yaml_parser_t p;
			yaml_parser_initialize(&p);
			yaml_parser_set_input_string(&p, (const unsigned char *)data[i], len[i]);
			for (;;) {
				yaml_event_t ev;
				if (!yaml_parser_parse(&p, &ev))
					break;
				int end = ev.type == YAML_STREAM_END_EVENT;
				yaml_event_delete(&ev);
				events++;
				if (end)
					break;
			}
			yaml_parser_delete(&p);
		}
		double t = now() - t0;
		if (t < best)
			best = t;
	}
	printf("libyaml events: %zu files, %.1f MB, %zu events, best of 5: %.3f s, %.1f MB/s (one core)\n", n,
	       (double)bytes / 1e6, events, best, (double)bytes / 1e6 / best);
	for (size_t i = 0; i < n; i++)
		free(data[i]);
	free(data);
	free(len);
	return 0;
}
