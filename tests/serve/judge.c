/*
 * judge.c — `guardrail serve` without its sockets, for
 * tests/scripts/serve-sweep.sh: a ServeConfiguration loaded as serve loads it
 * (serve_policy_load), then each review answered under its webhook path as
 * serve answers it (serve_review: decode, judge, encode). Linked with the
 * build's own serve objects, so the sweep tests the code that ships.
 *
 *   judge CONFIG PATH REVIEW [PATH REVIEW]...
 *
 * JUDGE_FIRST_CHUNK=N sizes each review's first arena chunk (gr_arena_expect).
 * Prints, for each review, "== <path> <status>" and the reply (the
 * AdmissionReview JSON for 200, serve's text line otherwise). Exit 2 when the
 * configuration cannot be loaded or a file cannot be read, else 0.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "serve_int.h"

/* A review's bytes, mapped: the driver itself allocates nothing the sweep
 * could fail (an empty file maps nothing: read as "" instead). */
static const char *map(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	struct stat st;
	void *d = MAP_FAILED;
	if (fstat(fd, &st) == 0 && st.st_size > 0)
		d = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (d == MAP_FAILED)
		return NULL;
	*len = (size_t)st.st_size;
	return d;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc % 2 != 0) {
		fprintf(stderr, "usage: judge CONFIG PATH REVIEW [PATH REVIEW]...\n");
		return 2;
	}
	serve_policy *p;
	gr_error err;
	gr_error_clear(&err);
	if (serve_policy_load(argv[1], &p, &err) != 0) {
		fprintf(stderr, "judge: %s%s%s\n", err.file, err.file[0] ? ": " : "", err.message);
		return 2;
	}
	/* JUDGE_FIRST_CHUNK=4096: small first chunks, so a sweep fails the
	 * arena's allocations at many more points */
	const char *fc = getenv("JUDGE_FIRST_CHUNK");
	size_t first_chunk = fc ? strtoul(fc, NULL, 10) : 0;
	int rc = 0;
	for (int i = 2; i + 1 < argc; i += 2) {
		serve_route route;
		if (serve_route_parse(argv[i], strlen(argv[i]), &route) != 0) {
			fprintf(stderr, "judge: %s: not a webhook path\n", argv[i]);
			rc = 2;
			break;
		}
		size_t len;
		const char *body = map(argv[i + 1], &len);
		if (!body) {
			fprintf(stderr, "judge: %s: cannot read\n", argv[i + 1]);
			rc = 2;
			break;
		}
		gr_arena a;
		gr_arena_init(&a);
		gr_arena_set_limit(&a, (size_t)256 * 1024 * 1024);
		if (first_chunk)
			gr_arena_expect(&a, first_chunk);
		gr_admission_request req;
		serve_verdict v;
		gr_buf reply;
		gr_buf_init(&reply);
		int status = serve_review(p, &route, body, len, &a, &req, &v, &reply);
		if (reply.failed)
			printf("== %s 500\nout of memory\n", argv[i]);
		else
			printf("== %s %d\n%s\n", argv[i], status, reply.data);
		gr_buf_free(&reply);
		gr_arena_free(&a);
		munmap((void *)body, len);
	}
	serve_policy_unref(p);
	if (fflush(stdout) != 0)
		return 2;
	return rc;
}
