/* file.c — reading an input file whole, with a size cap (see decode.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "guardrail/decode.h"

int gr_read_file(const char *path, size_t max_bytes, char **data, size_t *len, gr_error *err)
{
	*data = NULL;
	*len = 0;
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f)
		return gr_error_set(err, 0, 0, "cannot open: %s", strerror(errno));
	struct stat st;
	if (f != stdin && fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		return gr_error_set(err, 0, 0, "is a directory");
	}
	size_t cap = 64 * 1024, n = 0;
	char *buf = malloc(cap + 1);
	if (!buf) {
		if (f != stdin)
			fclose(f);
		return gr_error_set(err, 0, 0, "out of memory");
	}
	for (;;) {
		if (n == cap) {
			if (max_bytes && cap >= max_bytes + 1) {
				free(buf);
				if (f != stdin)
					fclose(f);
				return gr_error_set(err, 0, 0, "file larger than the limit of %zu bytes", max_bytes);
			}
			size_t ncap = cap * 2;
			if (max_bytes && ncap > max_bytes + 1)
				ncap = max_bytes + 1;
			char *nb = realloc(buf, ncap + 1);
			if (!nb) {
				free(buf);
				if (f != stdin)
					fclose(f);
				return gr_error_set(err, 0, 0, "out of memory");
			}
			buf = nb;
			cap = ncap;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0) {
			if (ferror(f)) {
				int e = errno;
				free(buf);
				if (f != stdin)
					fclose(f);
				return gr_error_set(err, 0, 0, "read error: %s", strerror(e));
			}
			break;
		}
	}
	if (f != stdin)
		fclose(f);
	if (max_bytes && n > max_bytes) {
		free(buf);
		return gr_error_set(err, 0, 0, "file larger than the limit of %zu bytes", max_bytes);
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}
