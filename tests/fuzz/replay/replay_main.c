/*
 * replay_main.c — a main() for libFuzzer harnesses without libFuzzer: feeds
 * each file named on the command line (directories: every file in them) to
 * LLVMFuzzerTestOneInput once. `make test` builds every tests/fuzz/fuzz_*.c
 * with it (tests/scripts/fuzz-regressions.sh) and replays the committed
 * regression inputs, in the normal and the sanitizer builds, so a crash once
 * found stays fixed without clang's fuzzer runtime. It lives in a subfolder
 * so the Makefile's fuzz_*.c wildcard does not see it.
 *
 * Memory is held to what libFuzzer allows (its -rss_limit_mb, 2048 in
 * tests/fuzz/run.sh): an input after which the peak resident size is past
 * it fails, as it would in a fuzzing run. Without a sanitizer the address
 * space is also capped (8 GiB), so an input that would grow without bound
 * fails an allocation instead of taking the machine's memory.
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#define RSS_LIMIT_MB 2048

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define REPLAY_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define REPLAY_ASAN 1
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		return -1;
	}
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	size_t r;
	while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (!buf)
		return -1;
	/* a copy of exactly n bytes, so ASan sees reads past the end */
	uint8_t *exact = malloc(n ? n : 1);
	if (!exact) {
		free(buf);
		return -1;
	}
	memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) == 0 && ru.ru_maxrss > (long)RSS_LIMIT_MB * 1024) {
		fprintf(stderr, "replay: %s: peak RSS %ld MB, over libFuzzer's -rss_limit_mb=%d\n", path,
		        ru.ru_maxrss / 1024, RSS_LIMIT_MB);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
#ifndef REPLAY_ASAN
	struct rlimit as = {(rlim_t)8 << 30, (rlim_t)8 << 30};
	setrlimit(RLIMIT_AS, &as);
#endif
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	int runs = 0, bad = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			DIR *d = opendir(argv[i]);
			struct dirent *e;
			while (d && (e = readdir(d)) != NULL) {
				if (e->d_name[0] == '.')
					continue;
				char p[4096];
				snprintf(p, sizeof p, "%s/%s", argv[i], e->d_name);
				if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
					bad += run_file(p) != 0, runs++;
			}
			if (d)
				closedir(d);
		} else {
			bad += run_file(argv[i]) != 0, runs++;
		}
	}
	printf("replayed %d inputs\n", runs);
	return bad ? 1 : 0;
}
