/*
 * file.c — reading one input whole, exactly once, with a size cap (see
 * decode.h).
 *
 * Every kind of path goes through the same descriptor loop: a regular file
 * has its size checked before a byte is read (an oversized file fails at
 * once); anything else — a pipe, a FIFO, /dev/stdin, a socket, a process
 * substitution, a character device such as /dev/zero — is read in chunks and
 * fails as soon as one byte past the limit arrives. The limit is never
 * "unlimited": 0 means the default of GR_INPUT_MAX_BYTES.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guardrail/decode.h"
#include "internal.h"

static int io_error(gr_error *err, const char *path, const char *what, int e)
{
	gr_error_set(err, 0, 0, "%s: %s", what, strerror(e));
	gr_error_set_file(err, path);
	return gr_error_mark(err, GR_ERR_IO);
}

static int size_error(gr_error *err, const char *path, size_t max_bytes, unsigned long long size)
{
	if (size)
		gr_error_set(err, 0, 0, "input of %llu bytes is larger than the limit of %zu bytes", size,
		             max_bytes);
	else
		gr_error_set(err, 0, 0, "input larger than the limit of %zu bytes", max_bytes);
	gr_error_set_file(err, path);
	return gr_error_mark(err, GR_ERR_SIZE);
}

static int oom(gr_error *err, const char *path)
{
	gr_error_set(err, 0, 0, "out of memory reading the input");
	gr_error_set_file(err, path);
	return gr_error_mark(err, GR_ERR_NOMEM);
}

static int read_fd(int fd, const char *name, size_t max_bytes, char **data, size_t *len, bool *is_regular,
                   gr_error *err)
{
	*data = NULL;
	*len = 0;
	if (max_bytes == 0)
		max_bytes = GR_INPUT_MAX_BYTES;
	struct stat st;
	if (fstat(fd, &st) != 0)
		return io_error(err, name, "cannot read", errno);
	if (is_regular)
		*is_regular = S_ISREG(st.st_mode);
	if (S_ISDIR(st.st_mode)) {
		gr_error_set(err, 0, 0, "is a directory");
		gr_error_set_file(err, name);
		return gr_error_mark(err, GR_ERR_IO);
	}
	size_t cap = 64 * 1024;
	bool regular = S_ISREG(st.st_mode);
	if (regular) {
		/* The size is known: refuse before reading. The file may still
		 * grow while it is read; the loop below enforces the limit too. */
		if ((unsigned long long)st.st_size > max_bytes)
			return size_error(err, name, max_bytes, (unsigned long long)st.st_size);
		cap = (size_t)st.st_size + 1; /* one more, to see the end at once */
	}
	char *buf = malloc(cap + 1);
	if (!buf)
		return oom(err, name);
	size_t n = 0;
	for (;;) {
		if (n == cap) {
			if (cap > max_bytes) { /* holds max_bytes + 1: one byte too many */
				free(buf);
				return size_error(err, name, max_bytes, 0);
			}
			size_t ncap = cap > max_bytes / 2 ? max_bytes + 1 : cap * 2;
			char *nb = realloc(buf, ncap + 1);
			if (!nb) {
				free(buf);
				return oom(err, name);
			}
			buf = nb;
			cap = ncap;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(buf);
			return io_error(err, name, "read error", e);
		}
		if (r == 0)
			break;
		n += (size_t)r;
		/* all of a regular file's stat size is in: its end, without a
		 * second read to be told so (a short read alone is not the end
		 * on every file system; a file that grew fills the buffer and
		 * is read on) */
		if (regular && n < cap && n == (size_t)st.st_size)
			break;
	}
	if (n > max_bytes) {
		free(buf);
		return size_error(err, name, max_bytes, 0);
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

int gr_read_fd(int fd, const char *name, size_t max_bytes, char **data, size_t *len, gr_error *err)
{
	return read_fd(fd, name, max_bytes, data, len, NULL, err);
}

int gri_read_file_regular(const char *path, size_t max_bytes, char **data, size_t *len, bool *is_regular,
                          gr_error *err)
{
	*data = NULL;
	*len = 0;
	*is_regular = false;
	if (strcmp(path, "-") == 0)
		return read_fd(STDIN_FILENO, "<stdin>", max_bytes, data, len, is_regular, err);
	int fd;
	do
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return io_error(err, path, "cannot open", errno);
	int rc = read_fd(fd, path, max_bytes, data, len, is_regular, err);
	close(fd);
	return rc;
}

int gr_read_file(const char *path, size_t max_bytes, char **data, size_t *len, gr_error *err)
{
	bool regular;
	return gri_read_file_regular(path, max_bytes, data, len, &regular, err);
}
