/*
 * cmd_check.c — `guardrail check [flags] PATH...`: judge manifests in CI.
 *
 * Argument parsing, one library session and a reporter, nothing more: the
 * flags become engine options (engine_flags.c, shared with audit), the paths become the
 * session's inputs (directories expanded in sorted order, standard input
 * read once and named <stdin>), and each input's result is written out as
 * the session hands it over, in input order. The pipeline itself (both
 * passes, threads, the summary) is the library's: see session.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "defaults.h"
#include "engine_flags.h"
#include "guardrail/guardrail.h"
#include "input_filter.h"

/* Sanitizer builds free everything before exit (see run_session); other
 * builds leave the session here, reachable (volatile: the store stays). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SKIP_FINAL_FREE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define SKIP_FINAL_FREE 0
#else
#define SKIP_FINAL_FREE 1
#endif
#else
#define SKIP_FINAL_FREE 1
#endif
#if SKIP_FINAL_FREE
static gr_session *volatile ending_session;
#endif

#define STDIN_NAME "<stdin>"

typedef struct strlist {
	const char **v;
	size_t n, cap;
} strlist;

static int strlist_add(strlist *l, const char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		const char **nv = realloc(l->v, cap * sizeof *nv);
		if (!nv)
			return -1;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = s;
	return 0;
}

static void usage(FILE *out)
{
	fputs("usage: guardrail check [flags] PATH...\n"
	      "\n"
	      "Validate Kubernetes manifests: schema (OpenAPI v3 of the target Kubernetes\n"
	      "version, CRDs from the inputs or --crd) and Pod Security Standards. PATH is a\n"
	      "file, a directory (recursive: *.yaml, *.yml, *.json) or - for standard input.\n"
	      "\n"
	      "output:\n"
	      "  -o, --output FORMAT          text (default), json, sarif, junit, github\n"
	      "      --color WHEN             auto (default: on a terminal), always, never\n"
	      "      --docs-url URL           base of rule documentation links (sarif, json; default\n"
	      "                               https://github.com/guardrail-dev/guardrail/blob/main/)\n"
	      "engines:\n"
	      "      --engines LIST           comma-separated engines to run (default: "
	      "schema,pss,native,kyverno,vap,\n"
	      "                               and rules when a rule-pack flag is given or a .guardrail.yaml "
	      "is found)\n"
	      "schema:\n"
	      "  -k, --kubernetes-version X.Y target version (default: newest schema present)\n"
	      "      --schema-dir DIR         OpenAPI v3 documents (default: $GUARDRAIL_SCHEMA_DIR,\n"
	      "                               the installed data directory, ../shared/k8s-openapi)\n"
	      "      --schema-patches DIR     JSON merge patches laid over the schemas\n"
	      "      --vap-policy PATH        ValidatingAdmissionPolicy and binding file (repeatable; those "
	      "among\n"
	      "                               the inputs count too)\n"
	      "      --old PATH               previous versions of the objects (an UPDATE): CRD transition "
	      "rules\n"
	      "                               (oldSelf) and ValidatingAdmissionPolicy (oldObject) see them\n"
	      "                               (repeatable)\n"
	      "      --authz FILE             the user and the RBAC objects (docs/check.md) that\n"
	      "                               ValidatingAdmissionPolicy's `authorizer` answers from\n"
	      "      --crd PATH               CRD file or directory supplying custom resource schemas\n"
	      "                               (repeatable; CRDs among the inputs count too)\n"
	      "      --strict / --no-strict   unknown fields are errors (default) / warnings\n"
	      "      --ignore-missing-schemas skip kinds with no schema instead of failing\n"
	      "pod security:\n"
	      "      --pss-enforce LEVEL[:VERSION]  fail on violations (default baseline:latest)\n"
	      "      --pss-warn LEVEL[:VERSION]     report as warnings (default restricted:latest)\n"
	      "      --pss-audit LEVEL[:VERSION]    report as audit notes (default: off)\n"
	      "      --pss-exempt-namespace NS      skip pods in this namespace (repeatable)\n"
	      "      --pss-exempt-runtime-class RC  skip pods with this runtimeClassName (repeatable)\n"
	      "      --policy FILE|DIR        Kyverno ClusterPolicy/Policy files to apply (repeatable)\n"
	      "                               LEVEL: privileged, baseline, restricted; VERSION: v1.N, "
	      "latest\n"
	      "rule packs (docs/rules/bp.md, docs/configuration.md):\n"
	      "      --config FILE            .guardrail.yaml (default: found from the working directory "
	      "up)\n"
	      "      --profile NAME           guardrail (default), polaris, kube-score, kube-linter\n"
	      "      --profile-config FILE    the profile's own file (Polaris config.yaml, "
	      ".kube-linter.yaml)\n"
	      "      --only RULE[,RULE...]    run only these rules or packs (bp, ref, api, image, ...)\n"
	      "      --enable-rule / --disable-rule RULE[,RULE...]  switch rules on or off\n"
	      "      --ignore-test / --enable-optional-test ID     kube-score's flags (kube-score profile)\n"
	      "      --do-not-auto-add-defaults  kube-linter's flag: only the checks named run\n"
	      "      --target-kubernetes X.Y  judge api.deprecated / api.removed at this version (default "
	      "1.35)\n"
	      "      --allowed-registries R[,R...] / --denied-registries R[,R...]  image registries\n"
	      "      --require-digest         images must be pinned by digest\n"
	      "      --require-qualified-images  images name their registry (no implicit docker.io/library)\n"
	      "      --assume-complete        the inputs hold every object (ref.* reports missing ones)\n"
	      "run:\n"
	      "  -j, --jobs N                 worker threads (default: number of CPUs)\n"
	      "      --allow-empty            directories without any manifest are not an error\n"
	      "      --ignore-paths GLOB      do not read paths matching GLOB (repeatable; ** spans\n"
	      "                               directories, as kube-linter's --ignore-paths)\n"
	      "      --kustomize              render directories holding a kustomization with\n"
	      "                               `kubectl kustomize` and check the result\n"
	      "      --allow-duplicate-keys   a key repeated in a YAML mapping keeps its last value\n"
	      "                               (go-yaml's non-strict decoding, as kube-linter loads)\n"
	      "      --yaml-reader own|events|libyaml  which YAML reader decodes (default: own)\n"
	      "      --helm-source WHEN       report findings of `helm template` output at the template\n"
	      "                               its `# Source:` comment names: auto (default: standard\n"
	      "                               input and pipes), always, never\n"
	      "  -h, --help                   this help\n"
	      "\n"
	      "exit codes: 0 no enforce-level finding, 1 at least one, 2 bad input or invocation.\n"
	      "Documentation: docs/check.md\n",
	      out);
}

/* ---- step 1: flags ---- */

typedef struct check_args {
	gr_options *options;
	strlist inputs;
	const char *output, *color;
	const char *docs_url; /* --docs-url: base of SARIF helpUri and JSON doc links */
	long jobs;
	bool allow_empty;
	strlist ignore;                /* --ignore-paths */
	bool kustomize;                /* --kustomize */
	bool duplicate_keys_last_wins; /* --allow-duplicate-keys */
	engine_flag_state engine;      /* what the engine flags (engine_flags.c) imply */
	int yaml_reader;               /* --yaml-reader: GR_YAML_READER_* */
	int helm_source;               /* --helm-source: GR_HELM_SOURCE_* */
} check_args;

/* One flag at argv[*i]: 0 handled, 1 help shown, -1 bad (message printed). */
static int parse_flag(check_args *a, int argc, char **argv, int *i)
{
	const char *arg = argv[*i];
	bool m;
	const char *v;
	if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
		usage(stdout);
		return 1;
	}
	if (strcmp(arg, "--allow-empty") == 0) {
		a->allow_empty = true;
		return 0;
	}
	if (strcmp(arg, "--kustomize") == 0) {
		a->kustomize = true;
		return 0;
	}
	if (strcmp(arg, "--allow-duplicate-keys") == 0) {
		a->duplicate_keys_last_wins = true;
		return 0;
	}
	v = engine_flag_value(argc, argv, i, "--ignore-paths", &m);
	if (m) {
		if (!v || !*v) {
			fprintf(stderr, "guardrail check: flag --ignore-paths needs a value\n");
			return -1;
		}
		if (strlist_add(&a->ignore, v)) {
			fprintf(stderr, "guardrail check: out of memory\n");
			return -1;
		}
		return 0;
	}
	v = engine_flag_value(argc, argv, i, "--docs-url", &m);
	if (m) {
		if (!v || !*v) {
			fprintf(stderr, "guardrail check: flag --docs-url needs a value\n");
			return -1;
		}
		a->docs_url = v;
		return 0;
	}
	v = engine_flag_value(argc, argv, i, "--yaml-reader", &m);
	if (m) {
		if (v && strcmp(v, "own") == 0)
			a->yaml_reader = GR_YAML_READER_OWN;
		else if (v && strcmp(v, "libyaml") == 0)
			a->yaml_reader = GR_YAML_READER_LIBYAML;
		else if (v && strcmp(v, "events") == 0)
			a->yaml_reader = GR_YAML_READER_EVENTS;
		else {
			fprintf(stderr,
			        "guardrail check: --yaml-reader wants own, events or libyaml, not '%s'\n",
			        v ? v : "");
			return -1;
		}
		return 0;
	}
	v = engine_flag_value(argc, argv, i, "--helm-source", &m);
	if (m) {
		if (v && strcmp(v, "auto") == 0)
			a->helm_source = GR_HELM_SOURCE_STREAMS;
		else if (v && strcmp(v, "always") == 0)
			a->helm_source = GR_HELM_SOURCE_ALWAYS;
		else if (v && strcmp(v, "never") == 0)
			a->helm_source = GR_HELM_SOURCE_NEVER;
		else {
			fprintf(stderr,
			        "guardrail check: --helm-source wants auto, always or never, not '%s'\n",
			        v ? v : "");
			return -1;
		}
		return 0;
	}
	const char *names[] = {"--output", "-o", "--color", "--jobs", "-j"};
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		v = engine_flag_value(argc, argv, i, names[k], &m);
		if (!m)
			continue;
		if (!v) {
			fprintf(stderr, "guardrail check: flag %s needs a value\n", names[k]);
			return -1;
		}
		if (k <= 1)
			a->output = v;
		else if (k == 2)
			a->color = v;
		else {
			char *end;
			errno = 0;
			a->jobs = strtol(v, &end, 10);
			if (errno || end == v || *end || a->jobs < 1 || a->jobs > 256) {
				fprintf(stderr,
				        "guardrail check: --jobs wants a number from 1 to 256, not '%s'\n",
				        v);
				return -1;
			}
		}
		return 0;
	}
	int rc = engine_flag_parse(a->options, "check", argc, argv, i, &a->engine);
	if (rc <= 0)
		return rc;
	fprintf(stderr, "guardrail check: unknown flag '%s' (see guardrail check --help)\n", arg);
	return -1;
}

/* 0 parsed, 1 help shown (exit 0), -1 bad invocation (exit 2). */
static int parse_args(check_args *a, int argc, char **argv)
{
	a->output = "text";
	a->color = "auto";
	a->jobs = sysconf(_SC_NPROCESSORS_ONLN);
	if (a->jobs < 1)
		a->jobs = 1;
	a->options = engine_flags_options_new("check");
	if (!a->options)
		return -1;
	bool only_paths = false;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (!only_paths && strcmp(arg, "--") == 0) {
			only_paths = true;
			continue;
		}
		if (!only_paths && arg[0] == '-' && arg[1] != '\0') {
			int rc = parse_flag(a, argc, argv, &i);
			if (rc)
				return rc;
			continue;
		}
		strlist_add(&a->inputs, arg);
	}
	if (a->inputs.n == 0) {
		fprintf(stderr,
		        "guardrail check: no input (give files, directories, or - for standard input)\n");
		usage(stderr);
		return -1;
	}
	return 0;
}

/* ---- step 2: the checker ---- */

/* .guardrail.yaml from the working directory up; the rule packs only when
 * a flag or that file asks for them */
static const engine_flag_defaults check_defaults = {.find_config = true, .rules_only = NULL};

/* ---- step 3: the inputs ---- */

typedef struct input_state {
	gr_pathlist files; /* every path, directories expanded */
	char *stdin_data;  /* standard input, read once */
	size_t stdin_len;
	bool stdin_read;
	gr_error stdin_error;
	bool stdin_failed;
	bool add_failed;       /* an input could not be added (memory): the run fails */
	const strlist *ignore; /* --ignore-paths */
	size_t ignored;        /* paths not read because of them (told on stderr) */
	bool kustomize;        /* --kustomize */
	char **rendered;       /* kubectl kustomize output, alive as long as the session */
	size_t nrendered;
	unsigned jobs; /* threads for walking directories (--jobs) */
} input_state;

static void input_state_free(input_state *st)
{
	free(st->stdin_data);
	gr_pathlist_free(&st->files);
	for (size_t i = 0; i < st->nrendered; i++)
		free(st->rendered[i]);
	free(st->rendered);
}

/* --kustomize: render root once (roots: the ones done so far); the result
 * or the failure is one input. Returns the inputs added (0 or 1). */
static size_t add_kustomization(gr_session *s, input_state *st, gr_pathlist *roots, const char *root)
{
	for (size_t i = 0; i < roots->n; i++)
		if (strcmp(roots->v[i], root) == 0)
			return 0;
	if (gr_pathlist_add(roots, root)) {
		st->add_failed = true;
		return 0;
	}
	char name[4200], why[600];
	snprintf(name, sizeof name, "%s (kubectl kustomize)", root);
	char *data;
	size_t len;
	if (input_kustomize_render(root, &data, &len, why, sizeof why) != 0) {
		gr_error e;
		gr_error_set(&e, 0, 0, "%s", why);
		gr_error_mark(&e, GR_ERR_IO);
		if (gr_session_add_failed(s, name, &e))
			st->add_failed = true;
		return 1;
	}
	char **g = realloc(st->rendered, (st->nrendered + 1) * sizeof *g);
	if (!g) {
		free(data);
		st->add_failed = true;
		return 0;
	}
	st->rendered = g;
	st->rendered[st->nrendered++] = data;
	if (gr_session_add_bytes(s, name, data, len))
		st->add_failed = true;
	return 1;
}

static int add_stdin(gr_session *s, input_state *st)
{
	if (!st->stdin_read) {
		st->stdin_read = true;
		gr_error_clear(&st->stdin_error);
		gr_decode_limits lim;
		gr_decode_limits_default(&lim);
		if (gr_read_file("-", lim.max_bytes, &st->stdin_data, &st->stdin_len, &st->stdin_error))
			st->stdin_failed = true;
	}
	if (st->stdin_failed)
		return gr_session_add_failed(s, STDIN_NAME, &st->stdin_error);
	return gr_session_add_bytes(s, STDIN_NAME, st->stdin_data, st->stdin_len);
}

/* Each path in argument order; a directory's manifests in sorted order.
 * Returns the number of inputs added. */
static size_t add_inputs(gr_session *s, const strlist *paths, input_state *st)
{
	size_t added = 0;
	for (size_t i = 0; i < paths->n; i++) {
		const char *p = paths->v[i];
		struct stat sb;
		if (strcmp(p, "-") == 0) {
			if (add_stdin(s, st))
				st->add_failed = true;
			added++;
		} else if (st->ignore->n && input_path_ignored(st->ignore->v, st->ignore->n, p)) {
			st->ignored++;
		} else if (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			size_t before = st->files.n;
			gr_input_problems problems = {0};
			if (gr_walk_manifests_jobs(p, &st->files, &problems, st->jobs)) {
				/* each unreadable directory, dangling link, ...: an input that failed */
				for (size_t k = 0; k < problems.n; k++, added++) {
					gr_error e;
					gr_error_set(&e, 0, 0, "%s", problems.v[k].message);
					gr_error_mark(&e, GR_ERR_IO);
					if (gr_session_add_failed(s, problems.v[k].path, &e))
						st->add_failed = true;
				}
				if (!problems.n) {
					gr_error e;
					gr_error_set(&e, 0, 0, "cannot read directory: %s", strerror(errno));
					if (gr_session_add_failed(s, p, &e))
						st->add_failed = true;
					added++;
				}
			}
			gr_input_problems_free(&problems);
			gr_pathlist roots = {0};
			for (size_t k = before; k < st->files.n; k++) {
				const char *f = st->files.v[k];
				char root[4096];
				if (st->ignore->n && input_path_ignored(st->ignore->v, st->ignore->n, f))
					st->ignored++;
				else if (st->kustomize && input_kustomize_root(p, f, root, sizeof root))
					added += add_kustomization(s, st, &roots, root);
				else {
					if (gr_session_add_file(s, f))
						st->add_failed = true;
					added++;
				}
			}
			gr_pathlist_free(&roots);
		} else {
			if (gr_session_add_file(s, p))
				st->add_failed = true;
			added++;
		}
	}
	return added;
}

/* ---- step 4: report ---- */

typedef struct report_state {
	gr_reporter *rep;
	gr_format format;
	gr_buf buf;
	bool any_enforce;
	bool write_failed;
} report_state;

static int flush_out(report_state *r)
{
	if (gr_reporter_failed(r->rep)) /* the report is incomplete (memory): fail, never pass */
		r->write_failed = true;
	if (r->buf.len && fwrite(r->buf.data, 1, r->buf.len, stdout) != r->buf.len)
		r->write_failed = true;
	gr_buf_reset(&r->buf);
	return r->write_failed ? -1 : 0;
}

static int on_result(void *user, const gr_input_result *res)
{
	report_state *r = user;
	gr_report_file(r->rep, &r->buf, &res->report);
	/* machine formats keep standard output clean: errors also go to stderr */
	if (res->first_error && r->format != GR_FORMAT_TEXT) {
		const gr_error *e = res->first_error;
		if (e->line)
			fprintf(stderr, "%s:%u:%u: %s\n", res->report.file, e->line, e->column, e->message);
		else
			fprintf(stderr, "%s: %s\n", res->report.file, e->message);
	}
	for (size_t k = 0; k < res->report.nfindings; k++)
		if (res->report.findings[k].action == GR_ACTION_ENFORCE)
			r->any_enforce = true;
	return flush_out(r);
}

static int run_session(check_args *a, gr_checker *c, int format, bool color)
{
	gr_session_options so;
	gr_session_options_default(&so);
	so.jobs = (unsigned)a->jobs;
	so.limits.duplicate_keys_last_wins = a->duplicate_keys_last_wins;
	so.limits.yaml_reader = a->yaml_reader;
	so.helm_source = a->helm_source;
	gr_session *s = gr_session_new(c, &so);
	input_state st = {0};
	if (!s) {
		fprintf(stderr, "guardrail check: out of memory\n");
		return 2;
	}
	st.ignore = &a->ignore;
	st.jobs = (unsigned)a->jobs;
	st.kustomize = a->kustomize;
	size_t n = add_inputs(s, &a->inputs, &st);
	if (st.ignored)
		fprintf(stderr, "guardrail check: %zu path%s not read (--ignore-paths)\n", st.ignored,
		        st.ignored == 1 ? "" : "s");
	if (st.add_failed) {
		fprintf(stderr, "guardrail check: out of memory adding the inputs\n");
		gr_session_free(s);
		input_state_free(&st);
		return 2;
	}
	if (n == 0 && !a->allow_empty) {
		fprintf(stderr, "guardrail check: no manifests in the inputs (*.yaml, *.yml, *.json); "
		                "--allow-empty accepts that\n");
		gr_session_free(s);
		input_state_free(&st);
		return 2;
	}
	report_state r = {.rep = gr_reporter_new((gr_format)format, color, GUARDRAIL_VERSION),
	                  .format = (gr_format)format};
	gr_buf_init(&r.buf);
	if (!r.rep) {
		fprintf(stderr, "guardrail check: out of memory\n");
		gr_session_free(s);
		input_state_free(&st);
		return 2;
	}
	gr_reporter_set_docs_url(r.rep, a->docs_url);
	gr_report_begin(r.rep, &r.buf);
	flush_out(&r);
	gr_summary sum;
	gr_error err;
	gr_error_clear(&err);
	int rc = 0;
	if (gr_session_run(s, on_result, &r, &sum, &err)) {
		fprintf(stderr, "guardrail check: %s\n", err.message);
		rc = 2;
	} else {
		gr_report_end(r.rep, &r.buf, &sum);
		flush_out(&r);
		if (fflush(stdout) != 0 || ferror(stdout))
			r.write_failed = true;
		if (r.write_failed) {
			fprintf(stderr, "guardrail check: cannot write the report: %s\n",
			        gr_reporter_failed(r.rep) ? "out of memory" : strerror(errno));
			rc = 2;
		} else if (sum.errors) {
			rc = 2;
		} else {
			rc = r.any_enforce ? 1 : 0;
		}
	}
	gr_buf_free(&r.buf);
	gr_reporter_free(r.rep);
#if SKIP_FINAL_FREE
	/* The process ends here: its memory goes back to the system whole,
	 * faster than freeing the session's thousands of arenas one by one
	 * (about 3 ms of a 90 ms corpus run). Kept reachable, so that a leak
	 * checker does not count it; sanitizer builds free it, to test that. */
	ending_session = s;
#else
	gr_session_free(s);
#endif
	input_state_free(&st);
	return rc;
}

int cmd_check(int argc, char **argv)
{
	check_args a = {.helm_source = GR_HELM_SOURCE_STREAMS};
	int rc = parse_args(&a, argc, argv);
	if (rc) {
		rc = rc > 0 ? 0 : 2;
		goto out;
	}
	int fmt = gr_format_parse(a.output);
	if (fmt < 0) {
		fprintf(stderr,
		        "guardrail check: unknown output format '%s' (text, json, sarif, junit, github)\n",
		        a.output);
		rc = 2;
		goto out;
	}
	bool color = false;
	if (strcmp(a.color, "always") == 0)
		color = true;
	else if (strcmp(a.color, "auto") == 0)
		color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	else if (strcmp(a.color, "never") != 0) {
		fprintf(stderr, "guardrail check: --color wants auto, always or never\n");
		rc = 2;
		goto out;
	}
	gr_checker *c = engine_flags_checker(a.options, "check", &a.engine, &check_defaults);
	if (!c) {
		rc = 2;
		goto out;
	}
	rc = run_session(&a, c, fmt, color);
	gr_checker_unref(c);
out:
	gr_options_free(a.options);
	free(a.inputs.v);
	free(a.ignore.v);
	return rc;
}
