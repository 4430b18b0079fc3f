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
	int rc = 0;
	size_t cap = 64 * 1024, n = 0;
	char *buf = NULL;
	if (f != stdin && fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		rc = gr_error_set(err, 0, 0, "is a directory");
		goto out;
	}
	if (!(buf = malloc(cap + 1))) {
		rc = gr_error_set(err, 0, 0, "out of memory");
		goto out;
	}
	/* Read until end of file, or one byte past the limit (which is the error). */
	for (;;) {
		if (max_bytes && n > max_bytes) {
			rc = gr_error_set(err, 0, 0, "file larger than the limit of %zu bytes", max_bytes);
			gr_error_mark(err, GR_ERR_SIZE);
			goto out;
		}
		if (n == cap) {
			size_t ncap = cap * 2;
			if (max_bytes && ncap > max_bytes + 1)
				ncap = max_bytes + 1;
			char *nb = realloc(buf, ncap + 1);
			if (!nb) {
				rc = gr_error_set(err, 0, 0, "out of memory");
				goto out;
			}
			buf = nb;
			cap = ncap;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0) {
			if (ferror(f))
				rc = gr_error_set(err, 0, 0, "read error: %s", strerror(errno));
			break;
		}
	}
out:
	if (f != stdin)
		fclose(f);
	if (rc) {
		free(buf);
		return rc;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}
