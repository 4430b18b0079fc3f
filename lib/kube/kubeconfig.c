/*
 * kubeconfig.c — kubeconfig files read as kubectl reads them: the file list
 * (--kubeconfig, else $KUBECONFIG split at ':', else $HOME/.kube/config),
 * the merge (the first file defining a cluster, user or context name wins
 * whole; current-context from the first file that sets one), the context
 * (--context, --cluster, --user, --namespace overrides), relative paths
 * resolved against the directory of the file that holds them, and
 * in-cluster configuration. Credentials: see kube_creds.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "guardrail/decode.h"
#include "guardrail/kube.h"
#include "kube_internal.h"

typedef struct named {
	const char *name;
	const gr_value *v; /* the inner cluster/user/context object */
	const char *file;
} named;

typedef struct merged {
	gr_arena arena;
	named *clusters, *users, *contexts;
	size_t nclusters, nusers, ncontexts;
	const char *current_context, *current_file;
	char **files;
	size_t nfiles;
	char **bufs;
	size_t nbufs;
} merged;

static void merged_free(merged *m)
{
	free(m->clusters);
	free(m->users);
	free(m->contexts);
	for (size_t i = 0; i < m->nbufs; i++)
		free(m->bufs[i]);
	free(m->bufs);
	for (size_t i = 0; i < m->nfiles; i++)
		free(m->files[i]);
	free(m->files);
	gr_arena_free(&m->arena);
}

static int push_named(named **v, size_t *n, const char *name, const gr_value *inner, const char *file)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i].name, name) == 0)
			return 0; /* the first definition wins whole */
	named *nv = realloc(*v, (*n + 1) * sizeof *nv);
	if (!nv)
		return -1;
	*v = nv;
	nv[*n] = (named){name, inner, file};
	(*n)++;
	return 0;
}

static int kerr(gr_error *err, const char *file, const gr_value *at, const char *fmt, const char *a)
{
	gr_error_set(err, at ? at->line : 0, at ? at->column : 0, fmt, a);
	gr_error_set_file(err, file);
	return -1;
}

/* Add one file to the merge. A missing file in $KUBECONFIG is skipped, as kubectl does. */
static int merge_file(merged *m, const char *path, bool must_exist, gr_error *err)
{
	struct stat sb;
	if (stat(path, &sb) != 0) {
		if (!must_exist && errno == ENOENT)
			return 0;
		gr_error_set(err, 0, 0, "cannot read kubeconfig: %s", strerror(errno));
		gr_error_set_file(err, path);
		return -1;
	}
	char *data;
	size_t len;
	if (gr_read_file(path, 16u << 20, &data, &len, err)) {
		gr_error_set_file(err, path);
		return -1;
	}
	char **nb = realloc(m->bufs, (m->nbufs + 1) * sizeof *nb);
	char **nf = realloc(m->files, (m->nfiles + 1) * sizeof *nf);
	if (nb)
		m->bufs = nb;
	if (nf)
		m->files = nf;
	if (!nb || !nf) {
		free(data);
		return gr_error_set(err, 0, 0, "out of memory");
	}
	m->bufs[m->nbufs++] = data;
	m->files[m->nfiles++] = strdup(path);
	const char *fname = m->files[m->nfiles - 1];
	gr_document *docs;
	size_t ndocs;
	if (gr_decode_yaml(&m->arena, data, len, NULL, &docs, &ndocs, err)) {
		gr_error_set_file(err, path);
		return -1;
	}
	if (ndocs == 0)
		return 0; /* an empty file is an empty config */
	const gr_value *root = &docs[0].root;
	if (!gr_is(root, GR_OBJECT))
		return kerr(err, fname, root, "a kubeconfig is a mapping%s", "");
	static const char *const lists[] = {"clusters", "users", "contexts"};
	static const char *const inner[] = {"cluster", "user", "context"};
	for (int l = 0; l < 3; l++) {
		const gr_value *arr = gr_get(root, lists[l]);
		if (!arr || arr->type == GR_NULL)
			continue;
		if (!gr_is(arr, GR_ARRAY))
			return kerr(err, fname, arr, "%s: want a list", lists[l]);
		for (size_t i = 0; i < arr->u.a.len; i++) {
			const gr_value *e = &arr->u.a.items[i];
			const char *name = gr_get_str(e, "name");
			if (!name)
				return kerr(err, fname, e, "%s[]: an entry without a name", lists[l]);
			const gr_value *in = gr_get(e, inner[l]);
			if (in && in->type != GR_NULL && !gr_is(in, GR_OBJECT))
				return kerr(err, fname, in, "%s: want a mapping", inner[l]);
			named **v = l == 0 ? &m->clusters : l == 1 ? &m->users : &m->contexts;
			size_t *n = l == 0 ? &m->nclusters : l == 1 ? &m->nusers : &m->ncontexts;
			if (push_named(v, n, name, in, fname))
				return gr_error_set(err, 0, 0, "out of memory");
		}
	}
	const char *cur = gr_get_str(root, "current-context");
	if (cur && *cur && !m->current_context) {
		m->current_context = cur;
		m->current_file = fname;
	}
	return 0;
}

/* The file list, kubectl's precedence. */
static int load_files(merged *m, const gr_kube_load_options *o, bool *any, gr_error *err)
{
	gr_arena_init(&m->arena);
	*any = false;
	if (o->kubeconfig && *o->kubeconfig) {
		*any = true;
		return merge_file(m, o->kubeconfig, true, err);
	}
	if (o->env_kubeconfig && *o->env_kubeconfig) {
		char *copy = strdup(o->env_kubeconfig);
		if (!copy)
			return gr_error_set(err, 0, 0, "out of memory");
		int rc = 0;
		char *save = NULL;
		for (char *p = strtok_r(copy, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
			if ((rc = merge_file(m, p, false, err)))
				break;
		}
		free(copy);
		*any = m->nfiles > 0;
		return rc;
	}
	if (o->home && *o->home) {
		char path[4096];
		snprintf(path, sizeof path, "%s/.kube/config", o->home);
		int rc = merge_file(m, path, false, err);
		*any = m->nfiles > 0;
		return rc;
	}
	return 0;
}

static const named *find(const named *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

/* A path as kubectl resolves it: relative to the file's directory. */
static char *resolve_path(const char *file, const char *p)
{
	if (!p || !*p)
		return NULL;
	if (p[0] == '/')
		return strdup(p);
	const char *slash = strrchr(file, '/');
	size_t dl = slash ? (size_t)(slash - file) : 1;
	const char *dir = slash ? file : ".";
	size_t n = dl + 1 + strlen(p) + 1;
	char *r = malloc(n);
	if (r)
		snprintf(r, n, "%.*s/%s", (int)dl, dir, p);
	return r;
}

static char *dupstr(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int field_str(const gr_value *obj, const char *key, const char *file, const char **out, gr_error *err)
{
	const gr_value *v = gr_get(obj, key);
	*out = NULL;
	if (!v || v->type == GR_NULL)
		return 0;
	if (v->type != GR_STRING)
		return kerr(err, file, v, "%s: want a string", key);
	*out = v->u.s.ptr;
	return 0;
}

static int field_b64(const gr_value *obj, const char *key, const char *file, char **out, size_t *outlen,
                     gr_error *err)
{
	const char *s;
	if (field_str(obj, key, file, &s, err))
		return -1;
	if (!s)
		return 0;
	if (gri_base64_decode(s, strlen(s), out, outlen))
		return kerr(err, file, gr_get(obj, key), "%s: not valid base64", key);
	return 0;
}

static int load_exec(gr_kube_config *c, const gr_value *ex, const char *file, gr_error *err)
{
	gr_kube_exec *e = calloc(1, sizeof *e);
	if (!e)
		return gr_error_set(err, 0, 0, "out of memory");
	c->exec = e;
	const char *s;
	if (field_str(ex, "apiVersion", file, &s, err))
		return -1;
	if (!s || (strcmp(s, "client.authentication.k8s.io/v1") != 0 &&
	           strcmp(s, "client.authentication.k8s.io/v1beta1") != 0))
		return kerr(err, file, gr_get(ex, "apiVersion") ? gr_get(ex, "apiVersion") : ex,
		            "users[].user.exec.apiVersion: want client.authentication.k8s.io/v1 or v1beta1, "
		            "not %s",
		            s ? s : "nothing");
	e->api_version = strdup(s);
	if (field_str(ex, "command", file, &s, err))
		return -1;
	if (!s || !*s)
		return kerr(err, file, ex, "users[].user.exec.command: missing%s", "");
	e->command = strdup(s);
	const gr_value *args = gr_get(ex, "args");
	if (gr_is(args, GR_ARRAY)) {
		e->args = calloc(args->u.a.len + 1, sizeof *e->args);
		for (size_t i = 0; e->args && i < args->u.a.len; i++) {
			if (!gr_is(&args->u.a.items[i], GR_STRING))
				return kerr(err, file, &args->u.a.items[i],
				            "users[].user.exec.args: want strings%s", "");
			e->args[e->nargs++] = strdup(args->u.a.items[i].u.s.ptr);
		}
	}
	const gr_value *env = gr_get(ex, "env");
	if (gr_is(env, GR_ARRAY)) {
		e->env = calloc(env->u.a.len + 1, sizeof *e->env);
		for (size_t i = 0; e->env && i < env->u.a.len; i++) {
			const char *n = gr_get_str(&env->u.a.items[i], "name");
			const char *v = gr_get_str(&env->u.a.items[i], "value");
			if (!n || !v)
				return kerr(err, file, &env->u.a.items[i],
				            "users[].user.exec.env: each entry needs name and value%s", "");
			size_t len = strlen(n) + strlen(v) + 2;
			e->env[e->nenv] = malloc(len);
			if (e->env[e->nenv])
				snprintf(e->env[e->nenv++], len, "%s=%s", n, v);
		}
	}
	if (field_str(ex, "installHint", file, &s, err))
		return -1;
	e->install_hint = dupstr(s);
	const gr_value *pci = gr_get(ex, "provideClusterInfo");
	e->provide_cluster_info = gr_is(pci, GR_BOOL) && pci->u.b;
	if (field_str(ex, "interactiveMode", file, &s, err))
		return -1;
	if (s && strcmp(s, "Never") && strcmp(s, "IfAvailable") && strcmp(s, "Always"))
		return kerr(err, file, gr_get(ex, "interactiveMode"),
		            "users[].user.exec.interactiveMode: want Never, IfAvailable or Always, not %s",
		            s);
	if (!s && strcmp(e->api_version, "client.authentication.k8s.io/v1") == 0)
		return kerr(
		        err, file, ex,
		        "users[].user.exec.interactiveMode: required for client.authentication.k8s.io/v1%s",
		        "");
	e->interactive_mode = strdup(s ? s : "IfAvailable");
	return 0;
}

static int load_cluster(gr_kube_config *c, const named *cl, gr_error *err)
{
	const gr_value *v = cl->v;
	const char *f = cl->file, *s;
	if (!v)
		return kerr(err, f, NULL, "cluster %s has no cluster: mapping", cl->name);
	if (field_str(v, "server", f, &s, err))
		return -1;
	if (!s || !*s)
		return kerr(err, f, v, "clusters[%s].cluster.server: missing", cl->name);
	c->server = strdup(s);
	size_t sl = strlen(c->server);
	while (sl > 0 && c->server[sl - 1] == '/')
		c->server[--sl] = '\0';
	if (field_str(v, "certificate-authority", f, &s, err))
		return -1;
	c->ca_file = resolve_path(f, s);
	if (field_b64(v, "certificate-authority-data", f, &c->ca_data, &c->ca_data_len, err))
		return -1;
	const gr_value *ins = gr_get(v, "insecure-skip-tls-verify");
	c->insecure = gr_is(ins, GR_BOOL) && ins->u.b;
	if (c->insecure && (c->ca_file || c->ca_data))
		return kerr(
		        err, f, ins,
		        "clusters[%s]: insecure-skip-tls-verify with a certificate authority is not allowed "
		        "(kubectl refuses it too)",
		        cl->name);
	if (field_str(v, "tls-server-name", f, &s, err))
		return -1;
	c->tls_server_name = dupstr(s);
	if (field_str(v, "proxy-url", f, &s, err))
		return -1;
	c->proxy_url = dupstr(s);
	return 0;
}

static int load_user(gr_kube_config *c, const named *u, gr_error *err)
{
	const gr_value *v = u->v;
	const char *f = u->file, *s;
	if (!v)
		return 0;
	if (field_str(v, "client-certificate", f, &s, err))
		return -1;
	c->client_cert_file = resolve_path(f, s);
	if (field_str(v, "client-key", f, &s, err))
		return -1;
	c->client_key_file = resolve_path(f, s);
	if (field_b64(v, "client-certificate-data", f, &c->client_cert_data, &c->client_cert_data_len, err) ||
	    field_b64(v, "client-key-data", f, &c->client_key_data, &c->client_key_data_len, err))
		return -1;
	if ((c->client_cert_file || c->client_cert_data) != (c->client_key_file || c->client_key_data))
		return kerr(err, f, v,
		            "users[%s].user: a client certificate needs its key (and the key its "
		            "certificate)",
		            u->name);
	if (field_str(v, "token", f, &s, err))
		return -1;
	c->token = dupstr(s);
	if (field_str(v, "tokenFile", f, &s, err))
		return -1;
	c->token_file = resolve_path(f, s);
	if (field_str(v, "as", f, &s, err))
		return -1;
	c->impersonate_user = dupstr(s);
	const gr_value *g = gr_get(v, "as-groups");
	if (gr_is(g, GR_ARRAY) && g->u.a.len) {
		c->impersonate_groups = calloc(g->u.a.len, sizeof *c->impersonate_groups);
		for (size_t i = 0; c->impersonate_groups && i < g->u.a.len; i++)
			if (gr_is(&g->u.a.items[i], GR_STRING))
				c->impersonate_groups[c->nimpersonate_groups++] =
				        strdup(g->u.a.items[i].u.s.ptr);
	}
	const gr_value *ex = gr_get(v, "exec");
	if (ex && ex->type != GR_NULL) {
		if (!gr_is(ex, GR_OBJECT))
			return kerr(err, f, ex, "users[%s].user.exec: want a mapping", u->name);
		if (load_exec(c, ex, f, err))
			return -1;
	}
	if (gr_get(v, "auth-provider"))
		return kerr(err, f, gr_get(v, "auth-provider"),
		            "users[%s].user.auth-provider: removed from kubectl (v1.26); use an exec plugin",
		            u->name);
	return 0;
}

static int in_cluster(gr_kube_config *c, const gr_kube_load_options *o, gr_error *err)
{
	const char *dir = o->serviceaccount_dir ? o->serviceaccount_dir
	                                        : "/var/run/secrets/kubernetes.io/serviceaccount";
	char buf[4096];
	const char *h = o->service_host;
	bool v6 = strchr(h, ':') != NULL;
	snprintf(buf, sizeof buf, "https://%s%s%s:%s", v6 ? "[" : "", h, v6 ? "]" : "", o->service_port);
	c->server = strdup(buf);
	snprintf(buf, sizeof buf, "%s/token", dir);
	c->token_file = strdup(buf);
	snprintf(buf, sizeof buf, "%s/ca.crt", dir);
	c->ca_file = strdup(buf);
	snprintf(buf, sizeof buf, "%s/namespace", dir);
	char *ns = NULL;
	size_t nl = 0;
	gr_error e2;
	if (gr_read_file(buf, 4096, &ns, &nl, &e2) == 0) {
		while (nl && (ns[nl - 1] == '\n' || ns[nl - 1] == ' '))
			ns[--nl] = '\0';
	}
	c->namespace_ = o->namespace_ ? strdup(o->namespace_) : ns && *ns ? strdup(ns) : strdup("default");
	free(ns);
	c->source = strdup("in-cluster configuration");
	c->context_name = strdup("in-cluster");
	(void)err;
	return 0;
}

int gr_kube_config_load(gr_kube_config **out, const gr_kube_load_options *o, gr_error *err)
{
	*out = NULL;
	gr_error_clear(err);
	gr_kube_config *c = calloc(1, sizeof *c);
	if (!c)
		return gr_error_set(err, 0, 0, "out of memory");
	merged m = {0};
	bool any;
	int rc = load_files(&m, o, &any, err);
	if (rc)
		goto fail;
	if (!any) {
		if (o->service_host && *o->service_host && o->service_port && *o->service_port) {
			merged_free(&m);
			in_cluster(c, o, err);
			*out = c;
			return 0;
		}
		gr_error_set(err, 0, 0,
		             "no kubeconfig: give --kubeconfig, set KUBECONFIG, or create ~/.kube/config");
		goto fail;
	}
	gr_buf src;
	gr_buf_init(&src);
	for (size_t i = 0; i < m.nfiles; i++) {
		if (i)
			gr_buf_putc(&src, ':');
		gr_buf_puts(&src, m.files[i]);
	}
	c->source = src.data ? strdup(src.data) : strdup("");
	gr_buf_free(&src);
	const char *ctxname = o->context && *o->context ? o->context : m.current_context;
	const named *ctx = ctxname ? find(m.contexts, m.ncontexts, ctxname) : NULL;
	if (ctxname && !ctx) {
		gr_error_set(err, 0, 0, "context \"%s\" not found in %s", ctxname, c->source);
		goto fail;
	}
	const char *clname = o->cluster, *uname = o->user, *ns = NULL;
	if (ctx && ctx->v) {
		if (!clname)
			clname = gr_get_str(ctx->v, "cluster");
		if (!uname)
			uname = gr_get_str(ctx->v, "user");
		ns = gr_get_str(ctx->v, "namespace");
	}
	if (!clname) {
		gr_error_set(err, 0, 0, "%s: no current-context and no --context: which cluster?", c->source);
		goto fail;
	}
	const named *cl = find(m.clusters, m.nclusters, clname);
	if (!cl) {
		gr_error_set(err, 0, 0, "%s: context \"%s\": cluster \"%s\" not found", c->source,
		             ctxname ? ctxname : "", clname);
		goto fail;
	}
	if (load_cluster(c, cl, err))
		goto fail;
	if (uname && *uname) {
		const named *u = find(m.users, m.nusers, uname);
		if (!u) {
			gr_error_set(err, 0, 0, "%s: context \"%s\": user \"%s\" not found", c->source,
			             ctxname ? ctxname : "", uname);
			goto fail;
		}
		if (load_user(c, u, err))
			goto fail;
	}
	c->context_name = strdup(ctxname ? ctxname : "");
	c->namespace_ = strdup(o->namespace_ && *o->namespace_ ? o->namespace_ : ns && *ns ? ns : "default");
	merged_free(&m);
	*out = c;
	return 0;
fail:
	merged_free(&m);
	gr_kube_config_free(c);
	return -1;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void gr_kube_config_free(gr_kube_config *c)
{
	if (!c)
		return;
	char **strs[] = {&c->source,          &c->context_name,     &c->namespace_,
	                 &c->server,          &c->ca_file,          &c->ca_data,
	                 &c->tls_server_name, &c->proxy_url,        &c->client_cert_file,
	                 &c->client_key_file, &c->client_cert_data, &c->client_key_data,
	                 &c->token,           &c->token_file,       &c->impersonate_user,
	                 &c->exec_token,      &c->exec_cert_data,   &c->exec_key_data,
	                 &c->token_file_value};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		free(*strs[i]);
	strv_free(c->impersonate_groups, c->nimpersonate_groups);
	if (c->exec) {
		gr_kube_exec *e = c->exec;
		free(e->api_version);
		free(e->command);
		strv_free(e->args, e->nargs);
		strv_free(e->env, e->nenv);
		free(e->install_hint);
		free(e->interactive_mode);
		free(e->cluster_config_json);
		free(e);
	}
	free(c);
}

/* ---- the merged view, for tests and diagnostics ---- */

static int cmp_named(const void *a, const void *b)
{
	return strcmp(((const named *)a)->name, ((const named *)b)->name);
}

static bool secret_key(const char *k)
{
	return strcmp(k, "token") == 0 || strcmp(k, "client-key-data") == 0 || strcmp(k, "password") == 0;
}

static void write_value(gr_buf *b, const gr_value *v, bool show_secrets)
{
	switch (v->type) {
	case GR_NULL: gr_buf_puts(b, "null"); break;
	case GR_BOOL: gr_buf_puts(b, v->u.b ? "true" : "false"); break;
	case GR_INT: gr_buf_printf(b, "%lld", (long long)v->u.i); break;
	case GR_DOUBLE: gr_buf_printf(b, "%.17g", v->u.d); break;
	case GR_STRING: gr_buf_json_string(b, v->u.s.ptr, v->u.s.len); break;
	case GR_ARRAY:
		gr_buf_putc(b, '[');
		for (size_t i = 0; i < v->u.a.len; i++) {
			if (i)
				gr_buf_putc(b, ',');
			write_value(b, &v->u.a.items[i], show_secrets);
		}
		gr_buf_putc(b, ']');
		break;
	case GR_OBJECT:
		gr_buf_putc(b, '{');
		for (size_t i = 0; i < v->u.o.len; i++) {
			const gr_member *m = &v->u.o.members[i];
			if (i)
				gr_buf_putc(b, ',');
			gr_buf_json_string(b, m->key, m->key_len);
			gr_buf_putc(b, ':');
			if (!show_secrets && secret_key(m->key) && m->value.type == GR_STRING)
				gr_buf_puts(b, "\"REDACTED\"");
			else
				write_value(b, &m->value, show_secrets);
		}
		gr_buf_putc(b, '}');
		break;
	}
}

int gr_kube_config_merge_json(const char *const *files, size_t nfiles, bool show_secrets, gr_buf *out,
                              gr_error *err)
{
	merged m = {0};
	gr_arena_init(&m.arena);
	gr_error_clear(err);
	for (size_t i = 0; i < nfiles; i++)
		if (merge_file(&m, files[i], false, err)) {
			merged_free(&m);
			return -1;
		}
	if (m.nclusters)
		qsort(m.clusters, m.nclusters, sizeof(named), cmp_named);
	if (m.nusers)
		qsort(m.users, m.nusers, sizeof(named), cmp_named);
	if (m.ncontexts)
		qsort(m.contexts, m.ncontexts, sizeof(named), cmp_named);
	static const char *const lists[] = {"clusters", "contexts", "users"};
	static const char *const inner[] = {"cluster", "context", "user"};
	gr_buf_putc(out, '{');
	for (int l = 0; l < 3; l++) {
		named *v = l == 0 ? m.clusters : l == 1 ? m.contexts : m.users;
		size_t n = l == 0 ? m.nclusters : l == 1 ? m.ncontexts : m.nusers;
		gr_buf_printf(out, "%s\"%s\":[", l ? "," : "", lists[l]);
		for (size_t i = 0; i < n; i++) {
			gr_buf_printf(out, "%s{\"name\":", i ? "," : "");
			gr_buf_json_string(out, v[i].name, strlen(v[i].name));
			gr_buf_printf(out, ",\"%s\":", inner[l]);
			if (v[i].v)
				write_value(out, v[i].v, show_secrets);
			else
				gr_buf_puts(out, "null");
			gr_buf_putc(out, '}');
		}
		gr_buf_putc(out, ']');
	}
	gr_buf_puts(out, ",\"current-context\":");
	if (m.current_context)
		gr_buf_json_string(out, m.current_context, strlen(m.current_context));
	else
		gr_buf_puts(out, "\"\"");
	gr_buf_putc(out, '}');
	merged_free(&m);
	return out->failed ? gr_error_set(err, 0, 0, "out of memory") : 0;
}
