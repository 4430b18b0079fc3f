/*
 * input_filter.c — --ignore-paths and --kustomize for `guardrail check`
 * (the program, never the library: this runs kubectl).
 *
 * Ignore globs follow kube-linter's --ignore-paths (doublestar): matched
 * per path segment, `**` spanning any number of segments, against the path
 * as written and against its absolute form.
 *
 * --kustomize renders each directory holding a kustomization with
 * `kubectl kustomize DIR` (exec'd directly, no shell) and checks the
 * rendered stream instead of the directory's files, as kube-linter renders
 * kustomize directories. kubectl's own defaults apply: no exec plugins, no
 * Helm inflation; remote bases are fetched only if the kustomization names
 * them.
 */
#include "input_filter.h"

#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guardrail/decode.h"

/* One segment of s (up to '/' or the end) copied into buf. */
static const char *segment(const char *s, char *buf, size_t cap)
{
	size_t n = strcspn(s, "/");
	if (n >= cap)
		n = cap - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	s += strcspn(s, "/");
	return *s == '/' ? s + 1 : s;
}

static bool match_segments(const char *pat, const char *path, int depth)
{
	if (depth > 64)
		return false;
	if (!*pat)
		return !*path;
	char ps[PATH_MAX], xs[PATH_MAX];
	const char *prest = segment(pat, ps, sizeof ps);
	if (!strcmp(ps, "**")) {
		if (!*prest)
			return true;
		for (const char *p = path;;) {
			if (match_segments(prest, p, depth + 1))
				return true;
			const char *slash = strchr(p, '/');
			if (!slash)
				return false;
			p = slash + 1;
		}
	}
	if (!*path && *pat)
		return false;
	const char *xrest = segment(path, xs, sizeof xs);
	if (fnmatch(ps, xs, 0) != 0)
		return false;
	return match_segments(prest, xrest, depth + 1);
}

static const char *strip_dot(const char *p)
{
	while (p[0] == '.' && p[1] == '/')
		for (p += 2; *p == '/';)
			p++;
	return p;
}

/* dir/p (p relative) into out; out = p when absolute. */
static void absolute(const char *cwd, const char *p, char *out, size_t cap)
{
	if (p[0] == '/' || !cwd)
		snprintf(out, cap, "%s", p);
	else
		snprintf(out, cap, "%s/%s", cwd, strip_dot(p));
}

bool input_path_ignored(const char *const *globs, size_t n, const char *path)
{
	if (!n)
		return false;
	char cwd[PATH_MAX];
	const char *wd = getcwd(cwd, sizeof cwd) ? cwd : NULL;
	const char *rel = strip_dot(path);
	char apath[2 * PATH_MAX], aglob[2 * PATH_MAX];
	absolute(wd, path, apath, sizeof apath);
	for (size_t i = 0; i < n; i++) {
		if (match_segments(strip_dot(globs[i]), rel, 0))
			return true;
		absolute(wd, globs[i], aglob, sizeof aglob);
		if (match_segments(aglob, apath, 0))
			return true;
	}
	return false;
}

bool input_is_kustomization(const char *dir)
{
	static const char *const names[] = {"kustomization.yaml", "kustomization.yml", "Kustomization"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char p[PATH_MAX + 32];
		struct stat st;
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
			return true;
	}
	return false;
}

bool input_kustomize_root(const char *base, const char *file, char *out, size_t cap)
{
	size_t blen = strlen(base);
	while (blen > 1 && base[blen - 1] == '/')
		blen--;
	if (strncmp(file, base, blen) != 0 || (file[blen] != '/' && blen != 1))
		return false;
	/* each directory from base down to the file's own, the topmost first */
	char dir[PATH_MAX];
	if (snprintf(dir, sizeof dir, "%.*s", (int)blen, base) >= (int)sizeof dir)
		return false;
	const char *p = file + blen;
	for (;;) {
		if (input_is_kustomization(dir)) {
			snprintf(out, cap, "%s", dir);
			return true;
		}
		while (*p == '/')
			p++;
		const char *slash = strchr(p, '/');
		if (!slash)
			return false; /* p is the file's name */
		size_t len = strlen(dir);
		if (len + 1 + (size_t)(slash - p) >= sizeof dir)
			return false;
		snprintf(dir + len, sizeof dir - len, "/%.*s", (int)(slash - p), p);
		p = slash;
	}
}

int input_kustomize_render(const char *dir, char **out, size_t *len, char *why, size_t cap)
{
	*out = NULL;
	*len = 0;
	int fds[2];
	if (pipe(fds) != 0) {
		snprintf(why, cap, "kubectl kustomize %s: %s", dir, strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		snprintf(why, cap, "kubectl kustomize %s: %s", dir, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		char *const argv[] = {"kubectl", "kustomize", (char *)dir, NULL};
		execvp("kubectl", argv);
		_exit(127);
	}
	close(fds[1]);
	gr_error err;
	char *data = NULL;
	size_t n = 0;
	int rd = gr_read_fd(fds[0], dir, 0, &data, &n, &err);
	close(fds[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rd != 0) {
		free(data);
		snprintf(why, cap, "kubectl kustomize %s: %s", dir, err.message);
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		free(data);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			snprintf(why, cap,
			         "kubectl kustomize %s: kubectl could not be run (is it installed and on "
			         "PATH?)",
			         dir);
		else
			snprintf(why, cap, "kubectl kustomize %s failed (exit %d); its message is above", dir,
			         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -1;
	}
	*out = data;
	*len = n;
	return 0;
}
