/*
 * audit_collect.c — reading what `guardrail audit` judges: the connection
 * flags (kubectl's names), the environment the library may not read
 * ($KUBECONFIG, $HOME, in-cluster variables), the resources to list, the
 * LIST pages (Secret values removed unless --include-secret-data), and the
 * snapshot file: a gzip stream of JSON lines, a header with the server and
 * the resources, then one line per LIST page as the server answered it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "audit.h"
#include "engine_flags.h"

const char audit_conn_help[] =
        "cluster:\n"
        "      --kubeconfig FILE        kubeconfig (default: $KUBECONFIG, merged, or ~/.kube/config;\n"
        "                               in a pod: the service account)\n"
        "      --context NAME           kubeconfig context (default: current-context)\n"
        "      --cluster NAME, --user NAME  override the context's cluster or user\n"
        "  -n, --namespace NS           only this namespace (default: all namespaces)\n"
        "  -A, --all-namespaces         every namespace (the default)\n"
        "      --kinds LIST             resources to read (names or kinds: pods,Deployment,...;\n"
        "                               Namespaces and CRDs come too; default: every listable\n"
        "                               resource but events and componentstatuses)\n"
        "      --request-timeout DUR    per request: 30s (default), 500ms, 2m\n"
        "      --chunk-size N           LIST page size (default 500, as kubectl)\n"
        "      --qps N, --burst N       client-side rate limit (default 5 and 10, as kubectl)\n"
        "      --include-secret-data    keep Secrets' data (removed by default)\n";

static long parse_duration_ms(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || v < 0)
		return -1;
	if (!*end || !strcmp(end, "s"))
		return (long)(v * 1000);
	if (!strcmp(end, "ms"))
		return (long)v;
	if (!strcmp(end, "m"))
		return (long)(v * 60000);
	return -1;
}

int audit_conn_flag(audit_conn *c, const char *cmd, int argc, char **argv, int *i)
{
	const char *arg = argv[*i];
	if (!strcmp(arg, "-A") || !strcmp(arg, "--all-namespaces")) {
		c->all_namespaces = true;
		return 0;
	}
	if (!strcmp(arg, "--include-secret-data")) {
		c->include_secret_data = true;
		return 0;
	}
	static const char *const names[] = {"--kubeconfig", "--context", "--cluster", "--user",
	                                    "--namespace",  "-n",        "--kinds",   "--request-timeout",
	                                    "--chunk-size", "--qps",     "--burst"};
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		bool m;
		const char *v = engine_flag_value(argc, argv, i, names[k], &m);
		if (!m)
			continue;
		if (!v) {
			fprintf(stderr, "guardrail %s: flag %s needs a value\n", cmd, names[k]);
			return -1;
		}
		char *end;
		switch (k) {
		case 0: c->kubeconfig = v; break;
		case 1: c->context = v; break;
		case 2: c->cluster = v; break;
		case 3: c->user = v; break;
		case 4:
		case 5: c->namespace_ = v; break;
		case 6: c->kinds = v; break;
		case 7:
			if ((c->timeout_ms = parse_duration_ms(v)) <= 0) {
				fprintf(stderr,
				        "guardrail %s: --request-timeout wants a duration (30s, 500ms), not "
				        "'%s'\n",
				        cmd, v);
				return -1;
			}
			break;
		case 8:
		case 10:
			errno = 0;
			long n = strtol(v, &end, 10);
			if (errno || *end || n < 1 || n > 100000) {
				fprintf(stderr,
				        "guardrail %s: %s wants a number from 1 to 100000, not '%s'\n", cmd,
				        names[k], v);
				return -1;
			}
			if (k == 8)
				c->chunk_size = n;
			else
				c->burst = n;
			break;
		case 9:
			c->qps = strtod(v, &end);
			c->qps_set = true;
			if (*end || c->qps < 0) {
				fprintf(stderr, "guardrail %s: --qps wants a number, not '%s'\n", cmd, v);
				return -1;
			}
			break;
		}
		return 0;
	}
	return 1;
}

void audit_data_free(audit_data *d)
{
	gr_kube_resources r = {d->res, d->nres, false};
	gr_kube_resources_free(&r);
	free(d->pages);
	free(d->server);
	gr_arena_free(&d->arena);
	memset(d, 0, sizeof *d);
}

/* Resources not read by default: events are not configuration, and these
 * are not stored objects. */
static bool skipped_by_default(const gr_kube_resource *r)
{
	return !strcmp(r->name, "events") || !strcmp(r->name, "componentstatuses");
}

static bool in_list(const char *list, const gr_kube_resource *r)
{
	const char *p = list;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if ((strlen(r->name) == n && !strncmp(p, r->name, n)) ||
		    (strlen(r->kind) == n && !strncasecmp(p, r->kind, n)))
			return true;
		p += n + (e ? 1 : 0);
	}
	return false;
}

/* Remove what a Secret holds in clear: the values of data and stringData
 * become "" (the keys stay: engines check that a type's keys are there),
 * and the last-applied annotation (which repeats them) goes. */
static void scrub_secret(gr_value *item)
{
	if (!gr_is(item, GR_OBJECT))
		return;
	for (size_t i = 0; i < item->u.o.len; i++) {
		const char *key = item->u.o.members[i].key;
		gr_value *d = &item->u.o.members[i].value;
		if ((strcmp(key, "data") && strcmp(key, "stringData")) || !gr_is(d, GR_OBJECT))
			continue;
		for (size_t j = 0; j < d->u.o.len; j++) {
			gr_value *v = &d->u.o.members[j].value;
			v->type = GR_STRING;
			v->u.s.ptr = "";
			v->u.s.len = 0;
		}
	}
	size_t k;
	gr_value *ann = (gr_value *)gr_get(gr_get(item, "metadata"), "annotations");
	if (gr_is(ann, GR_OBJECT)) {
		k = 0;
		for (size_t i = 0; i < ann->u.o.len; i++)
			if (strcmp(ann->u.o.members[i].key,
			           "kubectl.kubernetes.io/last-applied-configuration"))
				ann->u.o.members[k++] = ann->u.o.members[i];
		ann->u.o.len = k;
	}
}

static int add_page(audit_data *d, size_t res, const char *path, const char *body, size_t len,
                    bool keep_secrets, gr_error *err)
{
	if (d->npages == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		audit_page *np = realloc(d->pages, cap * sizeof *np);
		if (!np)
			return gr_error_set(err, 0, 0, "out of memory");
		d->pages = np;
		d->cap = cap;
	}
	audit_page *p = &d->pages[d->npages];
	if (gr_decode_json(&d->arena, body, len, NULL, &p->root, err))
		return -1;
	p->res = res;
	p->path = gr_arena_strdup(&d->arena, path);
	if (!keep_secrets && res < d->nres && !strcmp(d->res[res].name, "secrets") && !*d->res[res].group) {
		gr_value *items = (gr_value *)gr_get(&p->root, "items");
		for (size_t i = 0; gr_is(items, GR_ARRAY) && i < items->u.a.len; i++)
			scrub_secret(&items->u.a.items[i]);
	}
	d->npages++;
	return 0;
}

typedef struct page_ctx {
	audit_data *d;
	size_t res;
	bool keep;
	gr_error *err;
} page_ctx;

static int on_page(void *user, const char *path, const char *body, size_t len)
{
	page_ctx *pc = user;
	/* the request path without the page parameters: what a snapshot replays */
	return add_page(pc->d, pc->res, path, body, len, pc->keep, pc->err);
}

int audit_collect_live(audit_data *d, const audit_conn *c, const char *cmd)
{
	memset(d, 0, sizeof *d);
	gr_arena_init(&d->arena);
	gr_kube_load_options lo = {
	        .kubeconfig = c->kubeconfig,
	        .env_kubeconfig = getenv("KUBECONFIG"),
	        .home = getenv("HOME"),
	        .context = c->context,
	        .cluster = c->cluster,
	        .user = c->user,
	        .namespace_ = c->namespace_,
	        .service_host = getenv("KUBERNETES_SERVICE_HOST"),
	        .service_port = getenv("KUBERNETES_SERVICE_PORT"),
	};
	gr_error err;
	gr_error_clear(&err);
	gr_kube_config *cfg = NULL;
	gr_kube_client *k = NULL;
	gr_kube_resources rs = {0};
	int rc = -1;
	if (gr_kube_config_load(&cfg, &lo, &err))
		goto fail;
	gr_kube_client_options co;
	gr_kube_client_options_default(&co);
	if (c->timeout_ms > 0)
		co.timeout_ms = c->timeout_ms;
	if (c->chunk_size > 0)
		co.page_limit = c->chunk_size;
	if (c->qps_set)
		co.qps = c->qps; /* 0: no client-side limit */
	if (c->burst > 0)
		co.burst = (unsigned)c->burst;
	if (gr_kube_client_new(&k, cfg, &co, &err))
		goto fail;
	if (gr_kube_discover(k, &rs, &err))
		goto fail;
	d->server = strdup(cfg->server);
	d->res = calloc(rs.n ? rs.n : 1, sizeof *d->res);
	for (size_t i = 0; i < rs.n; i++) {
		const gr_kube_resource *r = &rs.v[i];
		if (!r->listable)
			continue;
		/* with --kinds, also what the engines need to judge those: Namespaces
		 * (Pod Security labels) and CRDs (custom resources' schemas and
		 * versions, for schema and api.*) */
		bool want = c->kinds ? in_list(c->kinds, r) ||
		                               (!strcmp(r->name, "namespaces") && !*r->group) ||
		                               (!strcmp(r->name, "customresourcedefinitions") &&
		                                !strcmp(r->group, "apiextensions.k8s.io"))
		                     : !skipped_by_default(r);
		if (!want)
			continue;
		d->res[d->nres++] = (gr_kube_resource){strdup(r->group), strdup(r->version), strdup(r->name),
		                                       strdup(r->kind),  r->namespaced,      true};
	}
	for (size_t i = 0; i < d->nres; i++) {
		const gr_kube_resource *r = &d->res[i];
		char path[1024];
		int n = *r->group ? snprintf(path, sizeof path, "/apis/%s/%s", r->group, r->version)
		                  : snprintf(path, sizeof path, "/api/%s", r->version);
		if (r->namespaced && c->namespace_ && !c->all_namespaces)
			n += snprintf(path + n, sizeof path - (size_t)n, "/namespaces/%s", c->namespace_);
		snprintf(path + n, sizeof path - (size_t)n, "/%s", r->name);
		page_ctx pc = {d, i, c->include_secret_data, &err};
		unsigned restarts = 0;
		if (gr_kube_list(k, path, on_page, &pc, &restarts, &err))
			goto fail;
		d->restarts += restarts;
	}
	rc = 0;
fail:
	if (rc) {
		if (err.file[0])
			fprintf(stderr, "guardrail %s: %s:%s%u%s%u: %s\n", cmd, err.file, err.line ? "" : "",
			        err.line, ":", err.column, err.message);
		else
			fprintf(stderr, "guardrail %s: %s\n", cmd, err.message);
	}
	gr_kube_resources_free(&rs);
	gr_kube_client_free(k);
	gr_kube_config_free(cfg);
	return rc;
}

/* ---- snapshot files ---- */

static void write_res(gr_buf *b, const gr_kube_resource *r)
{
	gr_buf_puts(b, "{\"group\":");
	gr_buf_json_string(b, r->group, strlen(r->group));
	gr_buf_puts(b, ",\"version\":");
	gr_buf_json_string(b, r->version, strlen(r->version));
	gr_buf_puts(b, ",\"resource\":");
	gr_buf_json_string(b, r->name, strlen(r->name));
	gr_buf_puts(b, ",\"kind\":");
	gr_buf_json_string(b, r->kind, strlen(r->kind));
	gr_buf_printf(b, ",\"namespaced\":%s}", r->namespaced ? "true" : "false");
}

int audit_snapshot_write(const audit_data *d, const char *file, const char *cmd)
{
	gzFile gz = gzopen(file, "wb9");
	if (!gz) {
		fprintf(stderr, "guardrail %s: cannot write %s: %s\n", cmd, file, strerror(errno));
		return -1;
	}
	gr_buf b;
	gr_buf_init(&b);
	gr_buf_puts(&b, "{\"kind\":\"GuardrailSnapshot\",\"version\":1,\"server\":");
	gr_buf_json_string(&b, d->server ? d->server : "", d->server ? strlen(d->server) : 0);
	gr_buf_puts(&b, ",\"resources\":[");
	for (size_t i = 0; i < d->nres; i++) {
		if (i)
			gr_buf_putc(&b, ',');
		write_res(&b, &d->res[i]);
	}
	gr_buf_puts(&b, "]}\n");
	int ok = gzwrite(gz, b.data, (unsigned)b.len) == (int)b.len;
	for (size_t i = 0; ok && i < d->npages; i++) {
		gr_buf_reset(&b);
		gr_buf_printf(&b, "{\"resource\":%zu,\"path\":", d->pages[i].res);
		gr_buf_json_string(&b, d->pages[i].path, strlen(d->pages[i].path));
		gr_buf_puts(&b, ",\"list\":");
		gr_write_json(&b, &d->pages[i].root, -1);
		gr_buf_puts(&b, "}\n");
		ok = !b.failed && gzwrite(gz, b.data, (unsigned)b.len) == (int)b.len;
	}
	gr_buf_free(&b);
	if (gzclose(gz) != Z_OK || !ok) {
		fprintf(stderr, "guardrail %s: cannot write %s\n", cmd, file);
		return -1;
	}
	return 0;
}

int audit_snapshot_read(audit_data *d, const char *file, const char *cmd)
{
	memset(d, 0, sizeof *d);
	gr_arena_init(&d->arena);
	gzFile gz = gzopen(file, "rb");
	if (!gz) {
		fprintf(stderr, "guardrail %s: %s: cannot read: %s\n", cmd, file, strerror(errno));
		return -1;
	}
	gr_buf all;
	gr_buf_init(&all);
	char chunk[65536];
	int n;
	while ((n = gzread(gz, chunk, sizeof chunk)) > 0) {
		gr_buf_append(&all, chunk, (size_t)n);
		if (all.len > (1u << 30) || all.failed) {
			n = -2;
			break;
		}
	}
	int zerr = 0;
	const char *zmsg = n < 0 ? gzerror(gz, &zerr) : NULL;
	if (n == -1 || zerr) {
		fprintf(stderr, "guardrail %s: %s: not a snapshot (gzip): %s\n", cmd, file, zmsg ? zmsg : "");
		gzclose(gz);
		gr_buf_free(&all);
		return -1;
	}
	gzclose(gz);
	if (n == -2) {
		fprintf(stderr, "guardrail %s: %s: over 1 GiB uncompressed\n", cmd, file);
		gr_buf_free(&all);
		return -1;
	}
	int rc = -1;
	size_t lineno = 0;
	gr_error err;
	gr_error_clear(&err);
	char *p = all.data, *end = all.data + all.len;
	while (p && p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		lineno++;
		gr_value v;
		if (gr_decode_json(&d->arena, p, ll, NULL, &v, &err)) {
			fprintf(stderr, "guardrail %s: %s:%zu:%u: %s\n", cmd, file, lineno, err.column,
			        err.message);
			goto out;
		}
		if (lineno == 1) {
			const char *kind = gr_get_str(&v, "kind");
			const gr_value *res = gr_get(&v, "resources");
			if (!kind || strcmp(kind, "GuardrailSnapshot") || !gr_is(res, GR_ARRAY)) {
				fprintf(stderr, "guardrail %s: %s:1:1: not a guardrail snapshot\n", cmd,
				        file);
				goto out;
			}
			const char *srv = gr_get_str(&v, "server");
			d->server = strdup(srv ? srv : "");
			d->res = calloc(res->u.a.len + 1, sizeof *d->res);
			if (!d->server || !d->res)
				goto oom;
			for (size_t i = 0; i < res->u.a.len; i++) {
				const gr_value *r = &res->u.a.items[i];
				const char *g = gr_get_str(r, "group"), *ver = gr_get_str(r, "version"),
				           *nm = gr_get_str(r, "resource"), *k = gr_get_str(r, "kind");
				const gr_value *ns = gr_get(r, "namespaced");
				if (!g || !ver || !nm || !k || !gr_is(ns, GR_BOOL)) {
					fprintf(stderr,
					        "guardrail %s: %s:1:%u: resources[%zu]: want group, version, "
					        "resource, "
					        "kind, namespaced\n",
					        cmd, file, r->column, i);
					goto out;
				}
				gr_kube_resource *kr = &d->res[d->nres++];
				*kr = (gr_kube_resource){strdup(g), strdup(ver), strdup(nm),
				                         strdup(k), ns->u.b,     true};
				if (!kr->group || !kr->version || !kr->name || !kr->kind)
					goto oom;
			}
		} else {
			const gr_value *ri = gr_get(&v, "resource");
			const char *path = gr_get_str(&v, "path");
			const gr_value *list = gr_get(&v, "list");
			if (!gr_is(ri, GR_INT) || ri->u.i < 0 || (size_t)ri->u.i >= d->nres || !path ||
			    !gr_is(list, GR_OBJECT)) {
				fprintf(stderr,
				        "guardrail %s: %s:%zu:1: a page wants resource (an index), path and "
				        "list\n",
				        cmd, file, lineno);
				goto out;
			}
			if (d->npages == d->cap) {
				size_t cap = d->cap ? d->cap * 2 : 64;
				audit_page *grown = realloc(d->pages, cap * sizeof *d->pages);
				if (!grown)
					goto oom;
				d->pages = grown;
				d->cap = cap;
			}
			d->pages[d->npages++] = (audit_page){(size_t)ri->u.i, path, *list};
		}
		p = nl ? nl + 1 : NULL;
	}
	if (lineno == 0) {
		fprintf(stderr, "guardrail %s: %s: empty snapshot\n", cmd, file);
		goto out;
	}
	/* the decoder copies strings into the arena: the trees outlive all's bytes */
	rc = 0;
out:
	gr_buf_free(&all);
	return rc;
oom:
	fprintf(stderr, "guardrail %s: %s: out of memory\n", cmd, file);
	gr_buf_free(&all);
	return -1;
}
