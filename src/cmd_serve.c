/*
 * cmd_serve.c — `guardrail serve`: the admission webhook.
 *
 * The main thread owns the process's life: it parses flags, loads the TLS
 * pair and the policy set (ready only once both are loaded), starts the
 * workers (serve_server.c), then waits on signals and file changes:
 *
 *   SIGHUP, or a change under the configuration's files: reload the policy
 *     set; a set that fails to load is refused whole, logged and counted,
 *     and the old one keeps serving.
 *   a change in the certificate's or key's directory (the kubelet swaps a
 *     `..data` symlink there), or their content on a periodic check: reload
 *     the pair, same rule.
 *   SIGTERM/SIGINT: not ready at once; keep serving for the drain delay with
 *     `Connection: close` on every response (pooled connections move to
 *     other replicas); then stop accepting, close idle connections, finish
 *     in-flight requests, exit 0. A second signal skips the rest of the delay.
 */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "serve_int.h"

static void usage(FILE *out)
{
	fputs("usage: guardrail serve --tls-cert-file FILE --tls-private-key-file FILE [flags]\n"
	      "\n"
	      "The admission webhook: answers AdmissionReview (admission.k8s.io/v1) over HTTPS\n"
	      "with the verdicts of `guardrail check` (Pod Security Standards and every policy\n"
	      "engine but schema). Webhook paths: /validate/{enforce,warn,audit}/LEVEL[/VERSION]\n"
	      "with LEVEL privileged, baseline or restricted and VERSION v1.N or latest; also\n"
	      "GET /healthz, /readyz and /metrics.\n"
	      "\n"
	      "      --tls-cert-file FILE         certificate chain (PEM); reloaded when it changes\n"
	      "      --tls-private-key-file FILE  private key (PEM); reloaded when it changes\n"
	      "      --listen HOST:PORT           address to listen on (default :8443)\n"
	      "      --config FILE                policies and rule configuration (docs/serve.md);\n"
	      "                                   reloaded on SIGHUP and when it changes\n"
	      "      --workers N                  worker threads (default: number of CPUs)\n"
	      "      --max-connections N          open connections at most (default 4096)\n"
	      "      --max-buffer-mib N           request bytes held over all connections (default 256)\n"
	      "      --read-timeout DURATION      time to read one request (default 10s)\n"
	      "      --idle-timeout DURATION      keep-alive idle time (default 120s)\n"
	      "      --drain-delay DURATION       keep serving after SIGTERM (default 10s)\n"
	      "      --shutdown-timeout DURATION  wait for in-flight requests (default 30s)\n"
	      "      --log-allowed                log allowed decisions too\n"
	      "  -h, --help                       this help\n"
	      "\n"
	      "DURATION: 500ms, 10s, 2m. Exit codes: 0 after a clean shutdown, 2 bad invocation\n"
	      "or files that cannot be loaded at start. Documentation: docs/serve.md\n",
	      out);
}

static int parse_duration(const char *s, uint64_t *ms)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(s, &end, 10);
	if (errno || end == s || n > 86400000ull)
		return -1;
	if (strcmp(end, "ms") == 0)
		*ms = n;
	else if (strcmp(end, "s") == 0 || *end == '\0')
		*ms = n * 1000;
	else if (strcmp(end, "m") == 0)
		*ms = n * 60000;
	else
		return -1;
	return 0;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* ---- reloads ---- */

typedef struct file_stamp {
	char *path;
	dev_t dev;
	ino_t ino;
	struct timespec mtime;
	off_t size;
	bool present;
} file_stamp;

/* A directory's fingerprint: every entry's inode, size and modification
 * time, recursively (policy directories are read recursively), so a file
 * rewritten in place below it counts as a change. */
static void dir_fingerprint(const char *path, int depth, uint64_t *h)
{
	DIR *d = depth < 16 ? opendir(path) : NULL;
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char sub[PATH_MAX];
		snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
		struct stat st;
		if (stat(sub, &st) != 0)
			continue;
		uint64_t v[4] = {(uint64_t)st.st_ino, (uint64_t)st.st_size, (uint64_t)st.st_mtim.tv_sec,
		                 (uint64_t)st.st_mtim.tv_nsec};
		for (int i = 0; i < 4; i++)
			*h = (*h ^ v[i]) * 1099511628211ULL +
			     (uint64_t)i; /* order-sensitive is fine: readdir order is stable */
		if (S_ISDIR(st.st_mode))
			dir_fingerprint(sub, depth + 1, h);
	}
	closedir(d);
}

static bool stamp_update(file_stamp *f)
{
	struct stat st;
	bool present = stat(f->path, &st) == 0; /* follows the ..data symlink */
	if (present && S_ISDIR(st.st_mode)) {
		uint64_t h = 1469598103934665603ULL;
		dir_fingerprint(f->path, 0, &h);
		st.st_size = (off_t)h;
		st.st_mtim.tv_sec = 0;
		st.st_mtim.tv_nsec = 0;
	}
	bool changed =
	        present != f->present ||
	        (present && (st.st_dev != f->dev || st.st_ino != f->ino || st.st_size != f->size ||
	                     st.st_mtim.tv_sec != f->mtime.tv_sec || st.st_mtim.tv_nsec != f->mtime.tv_nsec));
	f->present = present;
	if (present) {
		f->dev = st.st_dev;
		f->ino = st.st_ino;
		f->size = st.st_size;
		f->mtime = st.st_mtim;
	}
	return changed;
}

typedef struct watcher {
	int fd;
	int wd[80];
	int kind[80]; /* 0 tls, 1 config */
	size_t n;
	file_stamp tls[2];
	file_stamp *cfg;
	size_t ncfg;
} watcher;

static void watch_dir_of(watcher *w, const char *path, int kind)
{
	if (w->fd < 0 || w->n >= sizeof w->wd / sizeof w->wd[0])
		return;
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof tmp, "%s", path);
	struct stat st;
	const char *dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? tmp : dirname(tmp);
	int wd = inotify_add_watch(w->fd, dir,
	                           IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM |
	                                   IN_ATTRIB | IN_MODIFY);
	if (wd < 0)
		return;
	for (size_t i = 0; i < w->n; i++)
		if (w->wd[i] == wd && w->kind[i] == kind)
			return;
	w->wd[w->n] = wd;
	w->kind[w->n] = kind;
	w->n++;
}

static void free_stamps(file_stamp *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i].path);
	free(s);
}

/* (Re)watch the configuration's files: the set may name new ones. */
static void watch_config(watcher *w, const char *config)
{
	if (!config)
		return;
	char **files;
	size_t n;
	if (serve_config_files(config, &files, &n) != 0)
		return;
	free_stamps(w->cfg, w->ncfg);
	w->cfg = calloc(n ? n : 1, sizeof *w->cfg);
	w->ncfg = w->cfg ? n : 0;
	for (size_t i = 0; i < n; i++) {
		watch_dir_of(w, files[i], 1);
		if (w->cfg) {
			w->cfg[i].path = files[i];
			stamp_update(&w->cfg[i]);
		} else
			free(files[i]);
	}
	free(files);
}

static void log_error(const char *msg, const gr_error *err)
{
	gr_buf f;
	gr_buf_init(&f);
	char where[400];
	if (err->file[0] && err->line)
		snprintf(where, sizeof where, "%s:%u:%u", err->file, err->line, err->column);
	else
		snprintf(where, sizeof where, "%s", err->file);
	gr_buf_puts(&f, "\"error\":");
	gr_buf_json_string(&f, err->message, strlen(err->message));
	if (where[0]) {
		gr_buf_puts(&f, ",\"at\":");
		gr_buf_json_string(&f, where, strlen(where));
	}
	serve_log("error", msg, f.data ? f.data : "");
	gr_buf_free(&f);
}

static int reload_config(const char *config, bool initial)
{
	serve_policy *p;
	gr_error err;
	gr_error_clear(&err);
	if (serve_policy_load(config, &p, &err) != 0) {
		if (!initial)
			atomic_fetch_add(&serve_gm.config_reload_failures, 1);
		log_error(initial ? "cannot load the configuration"
		                  : "configuration rejected; the previous set keeps serving",
		          &err);
		return -1;
	}
	atomic_store(&serve_gm.policy_objects, p->npolicy_objects);
	atomic_store(&serve_gm.last_reload_ok_unix, (unsigned long long)time(NULL));
	char fields[256];
	snprintf(fields, sizeof fields,
	         "\"engines\":%zu,\"policyFiles\":%zu,\"policyObjects\":%zu,\"podSecurity\":%s", p->nengines,
	         p->npolicy_files, p->npolicy_objects, p->pss_enabled ? "true" : "false");
	serve_policy_publish(p);
	if (!initial)
		atomic_fetch_add(&serve_gm.config_reloads, 1);
	serve_log("info", initial ? "configuration loaded" : "configuration reloaded", fields);
	return 0;
}

static int reload_tls(const serve_options *o, bool initial)
{
	gr_error err;
	gr_error_clear(&err);
	SSL_CTX *ctx = serve_tls_load(o->cert_file, o->key_file, &err);
	if (!ctx) {
		if (!initial)
			atomic_fetch_add(&serve_gm.tls_reload_failures, 1);
		log_error(initial ? "cannot load the TLS certificate"
		                  : "certificate reload failed; the previous pair keeps serving",
		          &err);
		return -1;
	}
	serve_tls_publish(ctx);
	if (!initial) {
		atomic_fetch_add(&serve_gm.tls_reloads, 1);
		serve_log("info", "certificate reloaded", "");
	}
	return 0;
}

/* ---- the command ---- */

int cmd_serve(int argc, char **argv)
{
	serve_options o = {
	        .listen = ":8443",
	        .max_connections = 4096,
	        .max_buffered = (size_t)256 * 1024 * 1024,
	        .read_timeout_ms = 10000,
	        .idle_timeout_ms = 120000,
	        .drain_delay_ms = 10000,
	        .shutdown_timeout_ms = 30000,
	};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	o.workers = ncpu > 0 ? (int)(ncpu > 64 ? 64 : ncpu) : 2;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;
#define TAKE(flag) (strcmp(a, flag) == 0 && (v ? (i++, 1) : (bad = 1, 1)))
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "--log-allowed") == 0)
			o.log_allowed = true;
		else if (TAKE("--tls-cert-file"))
			o.cert_file = v;
		else if (TAKE("--tls-private-key-file"))
			o.key_file = v;
		else if (TAKE("--listen"))
			o.listen = v;
		else if (TAKE("--config"))
			o.config_path = v;
		else if (TAKE("--workers"))
			bad = !bad && parse_int(v, 1, 256, &o.workers) != 0 ? 2 : bad;
		else if (TAKE("--max-connections"))
			bad = !bad && parse_int(v, 1, 1000000, &o.max_connections) != 0 ? 2 : bad;
		else if (TAKE("--max-buffer-mib")) {
			int mib = 0;
			bad = !bad && parse_int(v, 8, 65536, &mib) != 0 ? 2 : bad;
			o.max_buffered = (size_t)mib * 1024 * 1024;
		} else if (TAKE("--read-timeout"))
			bad = !bad && parse_duration(v, &o.read_timeout_ms) != 0 ? 2 : bad;
		else if (TAKE("--idle-timeout"))
			bad = !bad && parse_duration(v, &o.idle_timeout_ms) != 0 ? 2 : bad;
		else if (TAKE("--drain-delay"))
			bad = !bad && parse_duration(v, &o.drain_delay_ms) != 0 ? 2 : bad;
		else if (TAKE("--shutdown-timeout"))
			bad = !bad && parse_duration(v, &o.shutdown_timeout_ms) != 0 ? 2 : bad;
		else {
			fprintf(stderr, "guardrail serve: unknown flag '%s'\n", a);
			usage(stderr);
			return 2;
		}
#undef TAKE
		if (bad == 1) {
			fprintf(stderr, "guardrail serve: %s needs a value\n", a);
			return 2;
		}
		if (bad == 2) {
			fprintf(stderr, "guardrail serve: invalid value for %s: '%s'\n", a, v);
			return 2;
		}
	}
	if (!o.cert_file || !o.key_file) {
		fprintf(stderr, "guardrail serve: --tls-cert-file and --tls-private-key-file are required\n");
		usage(stderr);
		return 2;
	}
	if (o.read_timeout_ms == 0)
		o.read_timeout_ms = 1;

	/* Room for every connection: raise the descriptor limit to its maximum. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	pthread_sigmask(SIG_BLOCK, &mask, NULL); /* workers inherit it */
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);

	if (reload_tls(&o, true) != 0 || reload_config(o.config_path, true) != 0)
		return 2;
	watcher w = {.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)};
	w.tls[0].path = strdup(o.cert_file);
	w.tls[1].path = strdup(o.key_file);
	stamp_update(&w.tls[0]);
	stamp_update(&w.tls[1]);
	watch_dir_of(&w, o.cert_file, 0);
	watch_dir_of(&w, o.key_file, 0);
	watch_config(&w, o.config_path);

	serve_server *srv;
	gr_error err;
	gr_error_clear(&err);
	if (serve_server_start(&srv, &o, &err) != 0) {
		fprintf(stderr, "guardrail serve: %s\n", err.message);
		return 2;
	}
	atomic_store(&serve_ready, 1);
	char fields[512];
	gr_buf lf;
	gr_buf_init(&lf);
	gr_buf_puts(&lf, "\"listen\":");
	gr_buf_json_string(&lf, o.listen, strlen(o.listen));
	snprintf(fields, sizeof fields, ",\"workers\":%d,\"version\":\"%s\"", o.workers, GUARDRAIL_VERSION);
	gr_buf_puts(&lf, fields);
	serve_log("info", "serving", lf.data ? lf.data : "");
	gr_buf_free(&lf);

	bool tls_forced = false, cfg_forced = false;
	uint64_t tls_due = 0, cfg_due = 0, next_stat = serve_now_ms() + 2000, drain_until = 0;
	for (;;) {
		struct pollfd pf[2] = {{.fd = sfd, .events = POLLIN}, {.fd = w.fd, .events = POLLIN}};
		poll(pf, w.fd >= 0 ? 2 : 1, 100);
		uint64_t now = serve_now_ms();
		struct signalfd_siginfo si;
		while (sfd >= 0 && read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
			if (si.ssi_signo == SIGHUP) {
				serve_log("info", "SIGHUP: reloading the configuration", "");
				cfg_due = now;
				cfg_forced = true;
			} else if (atomic_load(&serve_state) == SERVE_RUNNING) {
				atomic_store(&serve_ready, 0);
				atomic_store(&serve_state, SERVE_DRAINING);
				drain_until = now + o.drain_delay_ms;
				snprintf(fields, sizeof fields, "\"drainDelayMilliseconds\":%llu",
				         (unsigned long long)o.drain_delay_ms);
				serve_log("info", "draining: not ready, every response closes its connection",
				          fields);
			} else {
				drain_until = now; /* a second signal: stop now */
			}
		}
		char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
		ssize_t len;
		while (w.fd >= 0 && (len = read(w.fd, buf, sizeof buf)) > 0)
			for (char *p = buf; p < buf + len;) {
				struct inotify_event *ev = (struct inotify_event *)p;
				for (size_t i = 0; i < w.n; i++)
					if (w.wd[i] == ev->wd) {
						/* Let a burst of changes (the kubelet writes several) settle.
						 */
						if (w.kind[i] == 0)
							tls_due = now + 200;
						else
							cfg_due = now + 200;
					}
				p += sizeof *ev + ev->len;
			}
		if (now >= next_stat) { /* belt and braces: files changed without an event */
			next_stat = now + 2000;
			if (!tls_due)
				tls_due = now;
			if (!cfg_due && w.ncfg)
				cfg_due = now;
		}
		/* An event in a watched directory (other files live there too)
		 * reloads only when a file we read really changed. */
		if (tls_due && now >= tls_due) {
			tls_due = 0;
			bool t0 = stamp_update(&w.tls[0]), t1 = stamp_update(&w.tls[1]);
			if (t0 || t1 || tls_forced)
				reload_tls(&o, false);
			tls_forced = false;
		}
		if (cfg_due && now >= cfg_due) {
			cfg_due = 0;
			bool changed = cfg_forced;
			for (size_t i = 0; i < w.ncfg; i++)
				if (stamp_update(&w.cfg[i]))
					changed = true;
			if (changed) {
				reload_config(o.config_path, false);
				watch_config(&w, o.config_path);
			}
			cfg_forced = false;
		}
		if (atomic_load(&serve_state) == SERVE_DRAINING && now >= drain_until) {
			serve_log("info", "drain delay over: closing the listener and idle connections", "");
			break;
		}
	}
	serve_server_join(srv);
	serve_server_free(srv);
	serve_log("info", "stopped", "");
	serve_tls_publish(NULL);
	free_stamps(w.cfg, w.ncfg);
	free(w.tls[0].path);
	free(w.tls[1].path);
	if (w.fd >= 0)
		close(w.fd);
	if (sfd >= 0)
		close(sfd);
	serve_policy_publish(NULL);
	return 0;
}
