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

#include "bench.h"

int main(int argc, char **argv)
{
	bench_files in = bench_read_args(argc, argv);
	size_t n = in.n, bytes = in.bytes, events = 0;
	char **data = in.data;
	size_t *len = in.len;
	double best = 1e9;
	for (int rep = 0; rep < 5; rep++) {
		double t0 = bench_now();
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
		double t = bench_now() - t0;
		if (t < best)
			best = t;
	}
	printf("libyaml events: %zu files, %.1f MB, %zu events, best of 5: %.3f s, %.1f MB/s (one core)\n", n,
	       (double)bytes / 1e6, events, best, (double)bytes / 1e6 / best);
	bench_files_free(&in);
	return 0;
}
