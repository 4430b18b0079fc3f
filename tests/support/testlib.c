/* testlib.c — counters and the closing line of every unit test binary. */
#include "testlib.h"

#include <dirent.h>
#include <sys/stat.h>

int test_passed, test_failed;

int test_report(const char *suite)
{
	printf("%s: %d passed, %d failed\n", suite, test_passed, test_failed);
	return test_failed ? 1 : 0;
}

void test_each_file(const char *dir, void (*fn)(const char *path))
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		struct stat st;
		if (stat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode))
			test_each_file(path, fn);
		else if (S_ISREG(st.st_mode))
			fn(path);
	}
	closedir(d);
}

int test_has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);
	return n > k && strcmp(name + n - k, suffix) == 0;
}
