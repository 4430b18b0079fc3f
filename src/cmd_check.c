/*
 * cmd_check.c — `guardrail check [flags] PATH...`: judge manifests in CI.
 *
 * Two passes over the inputs. The first decodes only files that may define
 * set-level objects (CustomResourceDefinitions, Namespaces) and shows them to
 * the engines, so a CRD or a Namespace anywhere in the inputs applies to
 * every file. The second checks every file on a pool of worker threads;
 * results are reported strictly in input order, and at most a small window
 * of files is in flight, so memory stays flat however many files there are.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "guardrail/guardrail.h"

#define MAX_INPUT_BYTES ((size_t)256 * 1024 * 1024)

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
	      "engines:\n"
	      "      --engines LIST           comma-separated engines to run (default: all: schema,pss)\n"
	      "schema:\n"
	      "  -k, --kubernetes-version X.Y target version (default: newest schema present)\n"
	      "      --schema-dir DIR         OpenAPI v3 documents (default: $GUARDRAIL_SCHEMA_DIR,\n"
	      "                               the installed data directory, ../shared/k8s-openapi)\n"
	      "      --schema-patches DIR     JSON merge patches laid over the schemas\n"
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
	      "                               LEVEL: privileged, baseline, restricted; VERSION: v1.N, latest\n"
	      "run:\n"
	      "  -j, --jobs N                 worker threads (default: number of CPUs)\n"
	      "  -h, --help                   this help\n"
	      "\n"
	      "exit codes: 0 no enforce-level finding, 1 at least one, 2 bad input or invocation.\n"
	      "Documentation: docs/check.md\n",
	      out);
}

/* ---- the inputs both passes read ---- */

/* The files to check; standard input ("-") is read once, up front, and its
 * buffer shared by both passes (empty when it could not be read). */
typedef struct input_set {
	gr_pathlist files;
	char *stdin_data;
	size_t stdin_len;
	gr_checker *checker;
	gr_prechecked **pres; /* per file, results kept from the prepare pass */
} input_set;

/* The bytes of input i: standard input's buffer, or the file read now.
 * Release with input_release. */
static int input_bytes(const input_set *in, size_t i, char **data, size_t *len, gr_error *err)
{
	if (strcmp(in->files.v[i], "-") == 0) {
		*data = in->stdin_data;
		*len = in->stdin_len;
		return 0;
	}
	return gr_read_file(in->files.v[i], MAX_INPUT_BYTES, data, len, err);
}

static void input_release(const input_set *in, char *data)
{
	if (data != in->stdin_data)
		free(data);
}

/* ---- the parallel check pass ---- */

typedef struct slot {
	int done;
	gr_file_check fc;
	int read_failed;
	gr_error read_error;
} slot;

typedef struct run {
	const input_set *in;
	slot *slots;
	size_t next;     /* next file to take */
	size_t flushed;  /* files reported so far */
	size_t window;
	pthread_mutex_t mu;
	pthread_cond_t cv;
} run;

static void check_one(run *r, size_t i)
{
	slot *s = &r->slots[i];
	char *data;
	size_t len;
	gr_error_clear(&s->read_error);
	if (input_bytes(r->in, i, &data, &len, &s->read_error)) {
		s->read_failed = 1;
		return;
	}
	gr_checker_check_file(r->in->checker, r->in->files.v[i], data, len, r->in->pres[i], &s->fc);
	input_release(r->in, data);
}

static void *worker(void *arg)
{
	run *r = arg;
	for (;;) {
		pthread_mutex_lock(&r->mu);
		while (r->next < r->in->files.n && r->next >= r->flushed + r->window)
			pthread_cond_wait(&r->cv, &r->mu);
		if (r->next >= r->in->files.n) {
			pthread_mutex_unlock(&r->mu);
			return NULL;
		}
		size_t i = r->next++;
		pthread_mutex_unlock(&r->mu);
		check_one(r, i);
		pthread_mutex_lock(&r->mu);
		r->slots[i].done = 1;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
	}
}

/* ---- the prepare pass ---- */

typedef struct prep {
	const input_set *in;
	size_t next;
	int failed;
	const char *failed_file;
	gr_error err;
	pthread_mutex_t mu;        /* guards next, failed, err */
	pthread_rwlock_t engine_lock; /* prepare writes, pre-checks read */
} prep;

static void *prep_worker(void *arg)
{
	prep *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		size_t i = p->next++;
		int stop = p->failed;
		pthread_mutex_unlock(&p->mu);
		if (stop || i >= p->in->files.n)
			return NULL;
		const char *path = p->in->files.v[i];
		char *data;
		size_t len;
		gr_error err;
		gr_error_clear(&err);
		if (input_bytes(p->in, i, &data, &len, &err) != 0)
			continue; /* reported by the check pass */
		if (gr_checker_wants_prepare(data, len) &&
		    gr_checker_prepare_file(p->in->checker, path, data, len, &p->engine_lock, &p->in->pres[i], &err)) {
			pthread_mutex_lock(&p->mu);
			if (!p->failed) {
				p->failed = 1;
				p->failed_file = path;
				p->err = err;
			}
			pthread_mutex_unlock(&p->mu);
		}
		input_release(p->in, data);
	}
}

static const char *flag_value(int argc, char **argv, int *i, const char *name)
{
	const char *a = argv[*i];
	size_t n = strlen(name);
	if (strncmp(a, name, n) == 0 && a[n] == '=')
		return a + n + 1;
	if (strcmp(a, name) == 0) {
		if (*i + 1 >= argc)
			return NULL;
		return argv[++*i];
	}
	return NULL;
}

static int is_flag(const char *a, const char *name)
{
	size_t n = strlen(name);
	return strcmp(a, name) == 0 || (strncmp(a, name, n) == 0 && a[n] == '=');
}

int cmd_check(int argc, char **argv)
{
	gr_config cfg;
	gr_config_default(&cfg);
	strlist inputs = {0}, crds = {0}, engines = {0}, exempt_ns = {0}, exempt_rc = {0};
	const char *output = "text", *color = "auto";
	long jobs = sysconf(_SC_NPROCESSORS_ONLN);
	char *engines_copy = NULL;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = NULL;
#define VALUE_OF(name) (is_flag(a, name) && ((v = flag_value(argc, argv, &i, name)) != NULL || (missing = name)))
		const char *missing = NULL;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			goto out;
		} else if (VALUE_OF("--output") || VALUE_OF("-o")) {
			if (v)
				output = v;
		} else if (VALUE_OF("--color")) {
			if (v)
				color = v;
		} else if (VALUE_OF("--engines")) {
			if (v) {
				free(engines_copy);
				engines_copy = strdup(v);
				engines.n = 0;
				for (char *save = NULL, *t = strtok_r(engines_copy, ",", &save); t;
				     t = strtok_r(NULL, ",", &save))
					strlist_add(&engines, t);
			}
		} else if (VALUE_OF("--kubernetes-version") || VALUE_OF("-k")) {
			if (v)
				cfg.schema.kubernetes_version = v[0] == 'v' ? v + 1 : v;
		} else if (VALUE_OF("--schema-dir")) {
			cfg.schema.schema_dir = v;
		} else if (VALUE_OF("--schema-patches")) {
			cfg.schema.patches_dir = v;
		} else if (VALUE_OF("--crd")) {
			if (v)
				strlist_add(&crds, v);
		} else if (strcmp(a, "--strict") == 0) {
			cfg.schema.strict = true;
		} else if (strcmp(a, "--no-strict") == 0) {
			cfg.schema.strict = false;
		} else if (strcmp(a, "--ignore-missing-schemas") == 0) {
			cfg.schema.ignore_missing_schemas = true;
		} else if (VALUE_OF("--pss-enforce")) {
			cfg.pss.enforce = v;
		} else if (VALUE_OF("--pss-warn")) {
			cfg.pss.warn = v;
		} else if (VALUE_OF("--pss-audit")) {
			cfg.pss.audit = v;
		} else if (VALUE_OF("--pss-exempt-namespace")) {
			if (v)
				strlist_add(&exempt_ns, v);
		} else if (VALUE_OF("--pss-exempt-runtime-class")) {
			if (v)
				strlist_add(&exempt_rc, v);
		} else if (VALUE_OF("--jobs") || VALUE_OF("-j")) {
			if (v) {
				char *end;
				jobs = strtol(v, &end, 10);
				if (*end || jobs < 1 || jobs > 256) {
					fprintf(stderr, "guardrail check: --jobs wants a number from 1 to 256, not '%s'\n", v);
					rc = 2;
					goto out;
				}
			}
		} else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "guardrail check: unknown flag '%s' (see guardrail check --help)\n", a);
			rc = 2;
			goto out;
		} else {
			strlist_add(&inputs, a);
		}
		if (missing) {
			fprintf(stderr, "guardrail check: flag %s needs a value\n", missing);
			rc = 2;
			goto out;
		}
#undef VALUE_OF
	}
	if (inputs.n == 0) {
		fprintf(stderr, "guardrail check: no input (give files, directories, or - for standard input)\n");
		usage(stderr);
		rc = 2;
		goto out;
	}
	int fmt = gr_format_parse(output);
	if (fmt < 0) {
		fprintf(stderr, "guardrail check: unknown output format '%s' (text, json, sarif, junit, github)\n",
			output);
		rc = 2;
		goto out;
	}
	bool use_color = false;
	if (strcmp(color, "always") == 0)
		use_color = true;
	else if (strcmp(color, "auto") == 0)
		use_color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	else if (strcmp(color, "never") != 0) {
		fprintf(stderr, "guardrail check: --color wants auto, always or never\n");
		rc = 2;
		goto out;
	}
	cfg.schema.crd_paths = crds.v;
	cfg.schema.ncrd_paths = crds.n;
	cfg.pss.exempt_namespaces = exempt_ns.v;
	cfg.pss.nexempt_namespaces = exempt_ns.n;
	cfg.pss.exempt_runtime_classes = exempt_rc.v;
	cfg.pss.nexempt_runtime_classes = exempt_rc.n;

	/* Expand directories. */
	input_set in = {0};
	size_t input_errors = 0;
	for (size_t i = 0; i < inputs.n; i++) {
		struct stat st;
		if (strcmp(inputs.v[i], "-") == 0) {
			gr_pathlist_add(&in.files, "-");
			continue;
		}
		if (stat(inputs.v[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (gr_list_manifests(inputs.v[i], &in.files)) {
				fprintf(stderr, "%s: cannot read directory: %s\n", inputs.v[i], strerror(errno));
				input_errors++;
			}
		} else {
			gr_pathlist_add(&in.files, inputs.v[i]);
		}
	}

	gr_error err;
	gr_error_clear(&err);
	if (gr_checker_new(&in.checker, engines.v, engines.n, &cfg, &err)) {
		fprintf(stderr, "guardrail check: %s\n", err.message);
		rc = 2;
		goto out_files;
	}

	/* Pass 1: set-level objects, decoded in parallel, prepared one at a time. */
	in.pres = calloc(in.files.n ? in.files.n : 1, sizeof *in.pres);
	for (size_t i = 0; i < in.files.n; i++) {
		gr_error rerr;
		if (strcmp(in.files.v[i], "-") == 0 && !in.stdin_data &&
		    gr_read_file("-", MAX_INPUT_BYTES, &in.stdin_data, &in.stdin_len, &rerr) != 0) {
			in.stdin_data = strdup(""); /* unreadable standard input is empty */
			in.stdin_len = 0;
		}
	}
	{
		prep p = {.in = &in};
		pthread_mutex_init(&p.mu, NULL);
		pthread_rwlock_init(&p.engine_lock, NULL);
		long nt = jobs < (long)in.files.n ? jobs : (long)in.files.n;
		if (nt < 1)
			nt = 1;
		pthread_t *pt = calloc((size_t)nt, sizeof *pt);
		for (long t = 0; t < nt; t++)
			pthread_create(&pt[t], NULL, prep_worker, &p);
		for (long t = 0; t < nt; t++)
			pthread_join(pt[t], NULL);
		free(pt);
		pthread_mutex_destroy(&p.mu);
		pthread_rwlock_destroy(&p.engine_lock);
		if (p.failed) {
			fprintf(stderr, "%s: %s\n", p.failed_file ? p.failed_file : "guardrail check", p.err.message);
			rc = 2;
		}
	}
	if (rc)
		goto out_checker;

	/* Pass 2: check every file in parallel, report in order. */
	gr_reporter *rep = gr_reporter_new((gr_format)fmt, use_color, GUARDRAIL_VERSION);
	run r = {.in = &in};
	r.slots = calloc(in.files.n ? in.files.n : 1, sizeof *r.slots);
	if (jobs > (long)in.files.n)
		jobs = in.files.n ? (long)in.files.n : 1;
	r.window = (size_t)jobs * 4;
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.cv, NULL);
	pthread_t *threads = calloc((size_t)jobs, sizeof *threads);
	for (long t = 0; t < jobs; t++)
		pthread_create(&threads[t], NULL, worker, &r);

	gr_summary sum = {0};
	sum.errors = input_errors;
	gr_buf out;
	gr_buf_init(&out);
	gr_report_begin(rep, &out);
	int any_enforce = 0;
	for (size_t i = 0; i < in.files.n; i++) {
		pthread_mutex_lock(&r.mu);
		while (!r.slots[i].done)
			pthread_cond_wait(&r.cv, &r.mu);
		pthread_mutex_unlock(&r.mu);
		slot *s = &r.slots[i];
		sum.files++;
		if (s->read_failed) {
			gr_finding f = {.rule = "read", .severity = GR_SEV_ERROR, .action = GR_ACTION_ENFORCE,
					.file = in.files.v[i], .path = "", .message = s->read_error.message,
					.remediation = "check the path and its permissions",
					.doc = "docs/rules/input.md#read"};
			gr_file_result fr = {.file = in.files.v[i], .findings = &f, .nfindings = 1};
			gr_report_file(rep, &out, &fr);
			if (fmt != GR_FORMAT_TEXT)
				fprintf(stderr, "%s: %s\n", in.files.v[i], s->read_error.message);
			sum.errors++;
		} else {
			gr_file_check *fc = &s->fc;
			gr_file_result fr = {.file = in.files.v[i], .objects = fc->objects, .status = fc->status,
					     .nobjects = fc->nobjects, .findings = fc->findings.items,
					     .nfindings = fc->findings.len};
			gr_report_file(rep, &out, &fr);
			if (fc->errors && fmt != GR_FORMAT_TEXT)
				fprintf(stderr, "%s:%u:%u: %s\n", in.files.v[i], fc->decode_error.line,
					fc->decode_error.column, fc->decode_error.message);
			sum.errors += fc->errors;
			sum.objects += fc->nobjects;
			sum.not_evaluated += fc->not_evaluated;
			sum.findings += fc->findings.len;
			for (size_t o = 0; o < fc->nobjects; o++) {
				if (fc->status[o] == GR_OBJECT_INVALID)
					sum.invalid++;
				else if (fc->status[o] == GR_OBJECT_SKIPPED)
					sum.skipped++;
				else
					sum.valid++;
			}
			for (size_t k = 0; k < fc->findings.len; k++)
				if (fc->findings.items[k].action == GR_ACTION_ENFORCE)
					any_enforce = 1;
			gr_file_check_free(fc);
		}
		gr_prechecked_free(in.pres[i]);
		in.pres[i] = NULL;
		fwrite(out.data ? out.data : "", 1, out.len, stdout);
		gr_buf_reset(&out);
		pthread_mutex_lock(&r.mu);
		r.flushed = i + 1;
		pthread_cond_broadcast(&r.cv);
		pthread_mutex_unlock(&r.mu);
	}
	for (long t = 0; t < jobs; t++)
		pthread_join(threads[t], NULL);
	gr_report_end(rep, &out, &sum);
	fwrite(out.data ? out.data : "", 1, out.len, stdout);
	fflush(stdout);
	gr_buf_free(&out);
	gr_reporter_free(rep);
	free(threads);
	free(r.slots);
	pthread_mutex_destroy(&r.mu);
	pthread_cond_destroy(&r.cv);
	rc = sum.errors ? 2 : any_enforce ? 1 : 0;

out_checker:
	if (in.pres)
		for (size_t i = 0; i < in.files.n; i++)
			gr_prechecked_free(in.pres[i]);
	free(in.pres);
	gr_checker_free(in.checker);
out_files:
	free(in.stdin_data);
	gr_pathlist_free(&in.files);
out:
	free(inputs.v);
	free(crds.v);
	free(engines.v);
	free(exempt_ns.v);
	free(exempt_rc.v);
	free(engines_copy);
	return rc;
}
