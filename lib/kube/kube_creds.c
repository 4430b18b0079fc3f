/*
 * kube_creds.c — the credential a request carries now: a static token, a
 * tokenFile re-read when its modification time changes (projected service
 * account tokens rotate), or an exec plugin's ExecCredential (v1, v1beta1),
 * cached until its expirationTimestamp and run again after it. A plugin's
 * failure is reported with its exit status, its stderr and its installHint.
 *
 * The plugin gets the parent's environment (as kubectl passes os.Environ())
 * plus the kubeconfig's env entries and KUBERNETES_EXEC_INFO.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guardrail/decode.h"
#include "guardrail/kube.h"
#include "kube_internal.h"

extern char **environ;

static int read_token_file(gr_kube_config *c, gr_error *err)
{
	struct stat sb;
	if (stat(c->token_file, &sb) != 0) {
		gr_error_set(err, 0, 0, "users[].user.tokenFile: cannot read %s: %s", c->token_file,
		             strerror(errno));
		gr_error_set_file(err, c->source);
		return -1;
	}
	if (c->token_file_value && sb.st_mtime == c->token_file_mtime)
		return 0;
	char *data;
	size_t len;
	gr_error e2;
	if (gr_read_file(c->token_file, 1 << 20, &data, &len, &e2)) {
		gr_error_set(err, 0, 0, "users[].user.tokenFile: cannot read %s: %s", c->token_file,
		             e2.message);
		gr_error_set_file(err, c->source);
		return -1;
	}
	while (len && (data[len - 1] == '\n' || data[len - 1] == '\r' || data[len - 1] == ' '))
		data[--len] = '\0';
	free(c->token_file_value);
	c->token_file_value = data;
	c->token_file_mtime = sb.st_mtime;
	return 0;
}

static void exec_info(gr_kube_config *c, gr_buf *b)
{
	gr_kube_exec *e = c->exec;
	bool interactive = false; /* guardrail never has a terminal to lend a plugin */
	gr_buf_puts(b, "{\"kind\":\"ExecCredential\",\"apiVersion\":");
	gr_buf_json_string(b, e->api_version, strlen(e->api_version));
	gr_buf_puts(b, ",\"spec\":{");
	if (e->provide_cluster_info) {
		gr_buf_puts(b, "\"cluster\":{\"server\":");
		gr_buf_json_string(b, c->server, strlen(c->server));
		if (c->tls_server_name) {
			gr_buf_puts(b, ",\"tls-server-name\":");
			gr_buf_json_string(b, c->tls_server_name, strlen(c->tls_server_name));
		}
		if (c->insecure)
			gr_buf_puts(b, ",\"insecure-skip-tls-verify\":true");
		if (c->proxy_url) {
			gr_buf_puts(b, ",\"proxy-url\":");
			gr_buf_json_string(b, c->proxy_url, strlen(c->proxy_url));
		}
		if (e->cluster_config_json)
			gr_buf_printf(b, ",\"config\":%s", e->cluster_config_json);
		gr_buf_puts(b, "},");
	}
	gr_buf_printf(b, "\"interactive\":%s}}", interactive ? "true" : "false");
}

static int run_plugin(gr_kube_config *c, gr_buf *out, gr_buf *errout, int *status, gr_error *err)
{
	gr_kube_exec *e = c->exec;
	if (strcmp(e->interactive_mode, "Always") == 0) {
		gr_error_set(err, 0, 0,
		             "exec plugin %s: interactiveMode Always needs a terminal, which guardrail does "
		             "not give plugins",
		             e->command);
		return -1;
	}
	gr_buf info;
	gr_buf_init(&info);
	exec_info(c, &info);
	size_t nenv = 0;
	while (environ && environ[nenv])
		nenv++;
	char **env = calloc(nenv + e->nenv + 2, sizeof *env);
	char *infovar = malloc(info.len + 32);
	if (!env || !infovar) {
		free(env);
		free(infovar);
		gr_buf_free(&info);
		return gr_error_set(err, 0, 0, "out of memory");
	}
	sprintf(infovar, "KUBERNETES_EXEC_INFO=%s", info.data);
	gr_buf_free(&info);
	size_t k = 0;
	for (size_t i = 0; i < nenv; i++)
		if (strncmp(environ[i], "KUBERNETES_EXEC_INFO=", 21) != 0)
			env[k++] = environ[i];
	for (size_t i = 0; i < e->nenv; i++)
		env[k++] = e->env[i];
	env[k++] = infovar;
	char **argv = calloc(e->nargs + 2, sizeof *argv);
	argv[0] = e->command;
	for (size_t i = 0; i < e->nargs; i++)
		argv[i + 1] = e->args[i];
	int po[2], pe[2];
	if (pipe(po) || pipe(pe)) {
		free(env);
		free(infovar);
		free(argv);
		return gr_error_set(err, 0, 0, "exec plugin: pipe: %s", strerror(errno));
	}
	pid_t pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		dup2(devnull, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		execvpe(argv[0], argv, env);
		dprintf(2, "cannot run %s: %s", argv[0], strerror(errno));
		_exit(127);
	}
	free(env);
	free(infovar);
	free(argv);
	close(po[1]);
	close(pe[1]);
	if (pid < 0) {
		close(po[0]);
		close(pe[0]);
		return gr_error_set(err, 0, 0, "exec plugin: fork: %s", strerror(errno));
	}
	struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
	int open_fds = 2;
	time_t deadline = time(NULL) + 60;
	bool timed_out = false;
	while (open_fds) {
		int left = (int)(deadline - time(NULL));
		if (left <= 0) {
			timed_out = true;
			break;
		}
		int r = poll(fds, 2, left * 1000);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			timed_out = r == 0;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			char buf[4096];
			ssize_t n = read(fds[i].fd, buf, sizeof buf);
			if (n <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
				continue;
			}
			gr_buf *dst = i == 0 ? out : errout;
			if (dst->len < (4u << 20))
				gr_buf_append(dst, buf, (size_t)n);
		}
	}
	for (int i = 0; i < 2; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
	if (timed_out)
		kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	if (timed_out)
		return gr_error_set(err, 0, 0, "exec plugin %s: no answer within 60 s", e->command);
	return 0;
}

static int plugin_failed(gr_kube_config *c, const char *why, const gr_buf *errout, gr_error *err)
{
	gr_kube_exec *e = c->exec;
	int n = errout->len > 300 ? 300 : (int)errout->len;
	gr_error_set(err, 0, 0, "exec plugin %s (user of context %s in %s): %s%s%.*s%s%.150s", e->command,
	             c->context_name ? c->context_name : "", c->source, why, n ? "; stderr: " : "", n,
	             n ? errout->data : "", e->install_hint ? "; " : "",
	             e->install_hint ? e->install_hint : "");
	return -1;
}

static int run_exec(gr_kube_config *c, gr_error *err)
{
	gr_buf out, errout;
	gr_buf_init(&out);
	gr_buf_init(&errout);
	int status = 0, rc = -1;
	gr_arena a;
	gr_arena_init(&a);
	if (run_plugin(c, &out, &errout, &status, err))
		goto done;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && errout.len &&
	    strstr(errout.data, "cannot run")) {
		plugin_failed(c, "not found", &errout, err);
		goto done;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char why[64];
		snprintf(why, sizeof why, "exit status %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		plugin_failed(c, why, &errout, err);
		goto done;
	}
	gr_value v;
	gr_error e2;
	if (gr_decode_json(&a, out.data ? out.data : "", out.len, NULL, &v, &e2)) {
		plugin_failed(c, "its output is not JSON (an ExecCredential)", &errout, err);
		goto done;
	}
	const char *kind = gr_get_str(&v, "kind"), *api = gr_get_str(&v, "apiVersion");
	if (!kind || strcmp(kind, "ExecCredential") || !api || strcmp(api, c->exec->api_version)) {
		plugin_failed(c, "its output is not an ExecCredential of the configured apiVersion", &errout,
		              err);
		goto done;
	}
	const gr_value *st = gr_get(&v, "status");
	const char *tok = gr_get_str(st, "token");
	const char *cert = gr_get_str(st, "clientCertificateData");
	const char *key = gr_get_str(st, "clientKeyData");
	if (!tok && !(cert && key)) {
		plugin_failed(c,
		              "its ExecCredential has neither status.token nor a client certificate and key",
		              &errout, err);
		goto done;
	}
	const char *exp = gr_get_str(st, "expirationTimestamp");
	long long t = 0;
	if (exp && gri_parse_rfc3339(exp, &t)) {
		plugin_failed(c, "status.expirationTimestamp is not an RFC 3339 time", &errout, err);
		goto done;
	}
	free(c->exec_token);
	free(c->exec_cert_data);
	free(c->exec_key_data);
	c->exec_token = tok ? strdup(tok) : NULL;
	c->exec_cert_data = cert ? strdup(cert) : NULL;
	c->exec_key_data = key ? strdup(key) : NULL;
	c->exec_expiry = exp ? (time_t)t : 0;
	rc = 0;
done:
	gr_arena_free(&a);
	gr_buf_free(&out);
	gr_buf_free(&errout);
	return rc;
}

int gr_kube_credentials(gr_kube_config *c, const char **token, gr_error *err)
{
	*token = NULL;
	if (c->exec) {
		bool fresh = (c->exec_token || c->exec_cert_data) &&
		             (c->exec_expiry == 0 || time(NULL) + 10 < c->exec_expiry);
		if (!fresh && run_exec(c, err))
			return -1;
		*token = c->exec_token;
		if (*token)
			return 0;
	}
	if (c->token && *c->token) {
		*token = c->token;
		return 0;
	}
	if (c->token_file) {
		if (read_token_file(c, err))
			return -1;
		*token = c->token_file_value;
	}
	return 0;
}
