/*
 * cmd_audit.c — `guardrail audit`: judge what already runs in a cluster (or
 * a snapshot of one) with the engines of `check`.
 *
 * Every LIST item becomes one session input, named by its API path
 * (/api/v1/namespaces/team-a/pods/web-1), with apiVersion and kind filled
 * in (a List's items carry neither). Objects whose controller owner was
 * read too are reported once, on the owner (a Deployment, not its
 * ReplicaSet and Pods); they are counted, never dropped silently. After the
 * report, the per-namespace rollout table: findings by level and rule, and
 * with --pss-enforce LEVEL, how many pod-bearing objects would be refused
 * if that level were enforced there ("can we enforce restricted here?").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "cmd.h"
#include "engine_flags.h"
#include "guardrail/guardrail.h"
#include "guardrail/pss.h"

/* The audit is a program run to its end: memory run out anywhere in it is
 * an error of the run (exit 2, said on stderr), never a table or a report
 * with rows or findings missing. */
static _Noreturn void out_of_memory(void)
{
	fprintf(stderr, "guardrail audit: out of memory\n");
	exit(2);
}

static void *must(void *p)
{
	if (!p)
		out_of_memory();
	return p;
}

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: guardrail audit [flags]\n"
	        "\n"
	        "Read a live cluster the way kubectl does (or a snapshot file) and judge every\n"
	        "object with the engines of `guardrail check`, then show per namespace what\n"
	        "enforcing would refuse.\n"
	        "\n"
	        "%s"
	        "      --snapshot FILE          judge a snapshot (guardrail snapshot -o FILE) offline\n"
	        "      --no-collapse            report owned objects too (default: once, on the owner)\n"
	        "output:\n"
	        "  -o, --output FORMAT          text (default), json, sarif, junit, github\n"
	        "      --color WHEN             auto, always, never\n"
	        "      --no-table               leave out the per-namespace table (text output)\n"
	        "%s"
	        "  -h, --help                   this help\n"
	        "\n"
	        "exit codes: 0 no enforce-level finding, 1 at least one, 2 bad input or invocation.\n"
	        "Documentation: docs/audit.md\n",
	        audit_conn_help, engine_flags_help);
}

typedef struct audit_args {
	gr_options *options;
	audit_conn conn;
	const char *snapshot, *output, *color, *pss_enforce;
	engine_flag_state engine; /* what the engine flags (engine_flags.c, as check) imply */
	bool no_collapse, no_table;
} audit_args;

static int parse_args(audit_args *a, int argc, char **argv)
{
	a->output = "text";
	a->color = "auto";
	a->options = engine_flags_options_new("audit");
	if (!a->options)
		return -1;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			usage(stdout);
			return 1;
		}
		if (!strcmp(arg, "--no-collapse")) {
			a->no_collapse = true;
			continue;
		}
		if (!strcmp(arg, "--no-table")) {
			a->no_table = true;
			continue;
		}
		int rc = audit_conn_flag(&a->conn, "audit", argc, argv, &i);
		if (rc <= 0) {
			if (rc < 0)
				return -1;
			continue;
		}
		bool m;
		const char *v = engine_flag_value(argc, argv, &i, "--pss-enforce", &m);
		if (m && v)
			a->pss_enforce = v;
		if (m)
			i -= v && !strchr(arg, '=') ? 1 : 0; /* let the engine flag parser take it too */
		rc = engine_flag_parse(a->options, "audit", argc, argv, &i, &a->engine);
		if (rc <= 0) {
			if (rc < 0)
				return -1;
			continue;
		}
		static const char *const names[] = {"--snapshot", "--output", "-o", "--color"};
		size_t k;
		for (k = 0; k < 4; k++) {
			v = engine_flag_value(argc, argv, &i, names[k], &m);
			if (!m)
				continue;
			if (!v) {
				fprintf(stderr, "guardrail audit: flag %s needs a value\n", names[k]);
				return -1;
			}
			if (k == 0)
				a->snapshot = v;
			else if (k < 3)
				a->output = v;
			else
				a->color = v;
			break;
		}
		if (k == 4) {
			fprintf(stderr, "guardrail audit: unknown %s '%s' (see guardrail audit --help)\n",
			        arg[0] == '-' ? "flag" : "argument", arg);
			return -1;
		}
	}
	return 0;
}

/* ---- the objects ---- */

typedef struct item {
	const char *name; /* API path */
	gr_value root;    /* with apiVersion and kind */
	const char *uid, *owner_uid;
	size_t res;
} item;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A live object has no lines: its position is its API path (the input
 * name) and the field path; positions within a LIST page would mislead. */
static void clear_positions(gr_value *v)
{
	v->line = v->column = 0;
	if (v->type == GR_ARRAY)
		for (size_t i = 0; i < v->u.a.len; i++)
			clear_positions(&v->u.a.items[i]);
	else if (v->type == GR_OBJECT)
		for (size_t i = 0; i < v->u.o.len; i++) {
			v->u.o.members[i].line = v->u.o.members[i].column = 0;
			clear_positions(&v->u.o.members[i].value);
		}
}

/* The item with apiVersion and kind first, as a client would see it alone. */
static void with_type(gr_arena *ar, const gr_kube_resource *r, const gr_value *in, gr_value *out)
{
	*out = *in;
	if (!gr_is(in, GR_OBJECT))
		return;
	size_t n = in->u.o.len;
	gr_member *m = must(gr_arena_calloc(ar, n + 2, sizeof *m));
	size_t k = 0;
	const char *av = *r->group ? must(gr_arena_printf(ar, "%s/%s", r->group, r->version)) : r->version;
	gr_member_set_key(&m[k], "apiVersion", 10);
	m[k].value.type = GR_STRING;
	m[k].value.u.s.ptr = av;
	m[k++].value.u.s.len = strlen(av);
	gr_member_set_key(&m[k], "kind", 4);
	m[k].value.type = GR_STRING;
	m[k].value.u.s.ptr = r->kind;
	m[k++].value.u.s.len = strlen(r->kind);
	for (size_t i = 0; i < n; i++) {
		const char *key = in->u.o.members[i].key;
		if (strcmp(key, "apiVersion") && strcmp(key, "kind"))
			m[k++] = in->u.o.members[i];
	}
	out->u.o.members = m;
	out->u.o.len = k;
}

static const char *controller_uid(const gr_value *meta)
{
	const gr_value *refs = gr_get(meta, "ownerReferences");
	for (size_t i = 0; gr_is(refs, GR_ARRAY) && i < refs->u.a.len; i++) {
		const gr_value *c = gr_get(&refs->u.a.items[i], "controller");
		if (gr_is(c, GR_BOOL) && c->u.b)
			return gr_get_str(&refs->u.a.items[i], "uid");
	}
	return NULL;
}

/* ---- the rollout table ---- */

typedef struct ns_row {
	const char *ns;
	const char *enforce_label;
	size_t objects, counts[3], would_fail;
	struct rule_count {
		const char *rule;
		size_t n[3];
	} * rules;
	size_t nrules;
} ns_row;

typedef struct report_state {
	gr_reporter *rep;
	gr_format format;
	gr_buf buf;
	bool any_enforce, write_failed;
	ns_row *rows;
	size_t nrows;
	bool what_if;
	gr_pss_spec at;
} report_state;

static ns_row *row_for(report_state *r, const char *ns)
{
	for (size_t i = 0; i < r->nrows; i++)
		if (!strcmp(r->rows[i].ns, ns))
			return &r->rows[i];
	r->rows = must(realloc(r->rows, (r->nrows + 1) * sizeof *r->rows));
	ns_row *row = &r->rows[r->nrows++];
	memset(row, 0, sizeof *row);
	row->ns = ns;
	return row;
}

static void count_rule(ns_row *row, const char *rule, gr_action act)
{
	for (size_t i = 0; i < row->nrules; i++)
		if (!strcmp(row->rules[i].rule, rule)) {
			row->rules[i].n[act]++;
			return;
		}
	row->rules = must(realloc(row->rules, (row->nrules + 1) * sizeof *row->rules));
	row->rules[row->nrules] = (struct rule_count){rule, {0, 0, 0}};
	row->rules[row->nrules++].n[act]++;
}

static void count_violation(void *user, const gr_pss_violation *v)
{
	(void)v;
	(*(size_t *)user)++;
}

static int on_result(void *user, const gr_input_result *res)
{
	report_state *r = user;
	gr_report_file(r->rep, &r->buf, &res->report);
	if (res->first_error && r->format != GR_FORMAT_TEXT) {
		const gr_error *e = res->first_error;
		fprintf(stderr, "%s: %s\n", res->report.file, e->message);
	}
	for (size_t k = 0; k < res->report.nobjects; k++) {
		const gr_object *o = &res->report.objects[k];
		ns_row *row = row_for(r, o->namespace_ && *o->namespace_ ? o->namespace_
		                         : !strcmp(o->kind, "Namespace") ? o->name
		                                                         : "");
		row->objects++;
		if (r->what_if && o->pod_spec) {
			size_t n = 0;
			gr_pss_evaluate(o->pod_metadata, o->pod_metadata_path, o->pod_spec, o->pod_spec_path,
			                r->at, count_violation, &n);
			if (n)
				row->would_fail++;
		}
	}
	for (size_t k = 0; k < res->report.nfindings; k++) {
		const gr_finding *f = &res->report.findings[k];
		if (f->action == GR_ACTION_ENFORCE)
			r->any_enforce = true;
		const char *ns = f->object && f->object->namespace_ ? f->object->namespace_ : "";
		ns_row *row = row_for(r, ns);
		row->counts[f->action]++;
		count_rule(row, f->rule, f->action);
	}
	if (r->buf.failed || gr_reporter_failed(r->rep)) /* the report of this input is incomplete */
		out_of_memory();
	if (r->buf.len && fwrite(r->buf.data, 1, r->buf.len, stdout) != r->buf.len)
		r->write_failed = true;
	gr_buf_reset(&r->buf);
	return r->write_failed ? -1 : 0;
}

static int cmp_row(const void *a, const void *b)
{
	return strcmp(((const ns_row *)a)->ns, ((const ns_row *)b)->ns);
}
static int cmp_rule(const void *a, const void *b)
{
	return strcmp(((const struct rule_count *)a)->rule, ((const struct rule_count *)b)->rule);
}

static void print_table(report_state *r, const audit_data *d, const char *at_name)
{
	if (r->nrows)
		qsort(r->rows, r->nrows, sizeof *r->rows, cmp_row);
	printf("\nper namespace (objects judged; findings by level%s%s%s):\n",
	       r->what_if ? "; pod-bearing objects that " : "", r->what_if ? at_name : "",
	       r->what_if ? " would refuse" : "");
	printf("  %-24s %-12s %7s %8s %6s %6s", "NAMESPACE", "PSA ENFORCE", "OBJECTS", "ENFORCE", "WARN",
	       "AUDIT");
	if (r->what_if)
		printf(" %9s  %s", "AT LEVEL", "READY?");
	printf("\n");
	for (size_t i = 0; i < r->nrows; i++) {
		ns_row *row = &r->rows[i];
		printf("  %-24s %-12s %7zu %8zu %6zu %6zu", *row->ns ? row->ns : "(cluster)",
		       row->enforce_label ? row->enforce_label
		       : *row->ns         ? "-"
		                          : "",
		       row->objects, row->counts[0], row->counts[1], row->counts[2]);
		if (r->what_if)
			printf(" %9zu  %s", row->would_fail, !*row->ns ? "" : row->would_fail ? "no" : "yes");
		printf("\n");
		if (row->nrules)
			qsort(row->rules, row->nrules, sizeof *row->rules, cmp_rule);
		for (size_t k = 0; k < row->nrules; k++)
			printf("      %-40s enforce %zu, warn %zu, audit %zu\n", row->rules[k].rule,
			       row->rules[k].n[0], row->rules[k].n[1], row->rules[k].n[2]);
	}
	(void)d;
}

static int run(audit_args *a, audit_data *d, gr_checker *c, int fmt, bool color)
{
	gr_arena *ar = &d->arena;
	/* every item, in page order */
	item *items = NULL;
	size_t n = 0, cap = 0;
	for (size_t p = 0; p < d->npages; p++) {
		const audit_page *pg = &d->pages[p];
		const gr_kube_resource *r = &d->res[pg->res];
		const gr_value *list = gr_get(&pg->root, "items");
		for (size_t i = 0; gr_is(list, GR_ARRAY) && i < list->u.a.len; i++) {
			const gr_value *it = &list->u.a.items[i];
			const gr_value *meta = gr_get(it, "metadata");
			const char *name = gr_get_str(meta, "name"), *ns = gr_get_str(meta, "namespace");
			if (a->conn.namespace_ && !a->conn.all_namespaces && !r->namespaced &&
			    !(strcmp(r->name, "namespaces") == 0 && name &&
			      strcmp(name, a->conn.namespace_) == 0))
				continue; /* one namespace: its own Namespace object, no cluster-scoped ones
				           */
			if (n == cap) {
				cap = cap ? cap * 2 : 256;
				items = must(realloc(items, cap * sizeof *items));
			}
			item *x = &items[n++];
			x->res = pg->res;
			clear_positions((gr_value *)it);
			with_type(ar, r, it, &x->root);
			const char *base =
			        *r->group ? must(gr_arena_printf(ar, "/apis/%s/%s", r->group, r->version))
			                  : must(gr_arena_printf(ar, "/api/%s", r->version));
			x->name =
			        must(r->namespaced && ns ? gr_arena_printf(ar, "%s/namespaces/%s/%s/%s", base,
			                                                   ns, r->name, name ? name : "")
			                                 : gr_arena_printf(ar, "%s/%s/%s", base, r->name,
			                                                   name ? name : ""));
			x->uid = gr_get_str(meta, "uid");
			x->owner_uid = controller_uid(meta);
		}
	}
	/* uids known, for owner collapsing */
	const char **uids = must(malloc((n ? n : 1) * sizeof *uids));
	size_t nu = 0;
	for (size_t i = 0; i < n; i++)
		if (items[i].uid)
			uids[nu++] = items[i].uid;
	if (nu)
		qsort(uids, nu, sizeof *uids, cmp_str);
	gr_session_options so;
	gr_session_options_default(&so);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	so.jobs = cpus > 0 ? (unsigned)cpus : 1;
	gr_session *s = must(gr_session_new(c, &so));
	size_t collapsed = 0, added = 0;
	for (size_t i = 0; i < n; i++) {
		if (!a->no_collapse && items[i].owner_uid && nu &&
		    bsearch(&items[i].owner_uid, uids, nu, sizeof *uids, cmp_str)) {
			collapsed++;
			continue;
		}
		if (gr_session_add_value(s, items[i].name, &items[i].root))
			out_of_memory();
		added++;
	}
	report_state r = {.rep = must(gr_reporter_new((gr_format)fmt, color, GUARDRAIL_VERSION)),
	                  .format = (gr_format)fmt};
	gr_buf_init(&r.buf);
	if (a->pss_enforce) {
		gr_error e2;
		if (gr_pss_parse_spec(a->pss_enforce, &r.at, &e2) == 0)
			r.what_if = true;
	}
	/* each namespace's own enforce label, for the table */
	for (size_t i = 0; i < n; i++) {
		if (strcmp(d->res[items[i].res].name, "namespaces") || *d->res[items[i].res].group)
			continue;
		const gr_value *meta = gr_get(&items[i].root, "metadata");
		const char *nm = gr_get_str(meta, "name");
		const char *lv = gr_get_str(gr_get(meta, "labels"), "pod-security.kubernetes.io/enforce");
		if (nm)
			row_for(&r, nm)->enforce_label = lv;
	}
	gr_report_begin(r.rep, &r.buf);
	gr_summary sum;
	gr_error err;
	gr_error_clear(&err);
	int rc;
	if (gr_session_run(s, on_result, &r, &sum, &err)) {
		fprintf(stderr, "guardrail audit: %s\n", err.message);
		rc = 2;
	} else {
		gr_report_end(r.rep, &r.buf, &sum);
		if (r.buf.failed || gr_reporter_failed(r.rep))
			out_of_memory();
		if (r.buf.len && fwrite(r.buf.data, 1, r.buf.len, stdout) != r.buf.len)
			r.write_failed = true;
		if (fmt == GR_FORMAT_TEXT && !a->no_table) {
			print_table(&r, d, a->pss_enforce);
			printf("\n%zu objects read from %zu LIST pages of %zu resources; %zu judged, %zu "
			       "reported "
			       "through their controller owner%s\n",
			       n, d->npages, d->nres, added, collapsed,
			       d->restarts ? " (a LIST was restarted after its continue token expired)" : "");
		}
		if (fflush(stdout) || ferror(stdout))
			r.write_failed = true;
		rc = r.write_failed ? 2 : sum.errors ? 2 : r.any_enforce ? 1 : 0;
	}
	for (size_t i = 0; i < r.nrows; i++)
		free(r.rows[i].rules);
	free(r.rows);
	gr_buf_free(&r.buf);
	gr_reporter_free(r.rep);
	gr_session_free(s);
	free(uids);
	free(items);
	return rc;
}

/* No .guardrail.yaml search (a cluster is not a working directory); without
 * a rule-pack flag the rules engine runs the api.* pack: deprecated and
 * removed APIs, judged on the served apiVersion, the last-applied one and
 * each manager's (metadata.managedFields[].apiVersion). */
static const engine_flag_defaults audit_defaults = {.find_config = false, .rules_only = "api"};

/* Objects as the API server stored them: the server filled in what a
 * manifest may leave out (a Job's generated selector, defaults), so native
 * validation must not judge them as a client's request. The one call site
 * of the native engine's "stored" option. And an audit is a background
 * scan: Kyverno policies that leave themselves out of background scans
 * (spec.background: false) are left out, as Kyverno's scans do. */
static int set_stored(gr_options *o)
{
	gr_error err;
	gr_error_clear(&err);
	if (gr_options_set(o, "native", "stored", "true", &err) != 0) {
		fprintf(stderr, "guardrail audit: native stored=true: %s\n", err.message);
		return -1;
	}
	if (gr_options_set(o, "kyverno", "background", "true", &err) != 0) {
		fprintf(stderr, "guardrail audit: kyverno background=true: %s\n", err.message);
		return -1;
	}
	return 0;
}

int cmd_audit(int argc, char **argv)
{
	audit_args a = {0};
	int rc = parse_args(&a, argc, argv);
	if (rc) {
		gr_options_free(a.options);
		return rc > 0 ? 0 : 2;
	}
	int fmt = gr_format_parse(a.output);
	if (fmt < 0) {
		fprintf(stderr,
		        "guardrail audit: unknown output format '%s' (text, json, sarif, junit, github)\n",
		        a.output);
		gr_options_free(a.options);
		return 2;
	}
	bool color = !strcmp(a.color, "always") ||
	             (!strcmp(a.color, "auto") && isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
	audit_data d;
	if (a.snapshot ? audit_snapshot_read(&d, a.snapshot, "audit")
	               : audit_collect_live(&d, &a.conn, "audit")) {
		audit_data_free(&d);
		gr_options_free(a.options);
		return 2;
	}
	if (set_stored(a.options)) {
		audit_data_free(&d);
		gr_options_free(a.options);
		return 2;
	}
	gr_checker *c = engine_flags_checker(a.options, "audit", &a.engine, &audit_defaults);
	rc = c ? run(&a, &d, c, fmt, color) : 2;
	gr_checker_unref(c);
	audit_data_free(&d);
	gr_options_free(a.options);
	return rc;
}
