/*
 * kubectl_validate.c — conformance with kubectl-validate's own test cases
 * (../shared/conformance/kubectl-validate), run as upstream runs them:
 * Kubernetes 1.30 schemas, the JSON merge patches of patches/1.23, the CRDs
 * of testcases/crds.
 *
 * Each manifest file is split into documents at lines starting with `---`
 * (as apimachinery's YAML reader does); a document's leading `#` block is
 * the expected metav1.Status in JSON. A case passes when the verdict
 * (Success = no enforce-level finding) matches and, for a Failure, the set
 * of (field, reason) of the expected causes equals the set of (path,
 * reason) of our enforce-level findings. Two rules make the comparison
 * faithful to how upstream produces its causes:
 *   - causes whose field is `<nil>` (the oneOf-level cause apimachinery
 *     adds beside the concrete one) are not compared; the verdict covers them;
 *   - when upstream's causes are all "value provided for unknown field",
 *     upstream stopped at its strict decoding step and reported nothing
 *     else, so only our schema.unknown-field findings are compared.
 * Failures without causes (InternalError, BadRequest) compare the verdict.
 *
 * Known failures are listed in tests/conformance/kubectl-validate.known-failures
 * as `file#doc reason`; a listed case that passes fails the run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/guardrail.h"
#include "guardrail/schema.h"

#define BASE    "../shared/conformance/kubectl-validate"
#define SCHEMAS "../shared/k8s-openapi"
#define PATCHES "../shared/k8s-openapi/patches/1.23"
#define KNOWN   "tests/conformance/kubectl-validate.known-failures"

static int passed, failed, known_hit;
static char known[64][256];
static int nknown;
static int verbose;

static void load_known(void)
{
	FILE *f = fopen(KNOWN, "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof line, f) && nknown < 64) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		char *sp = strpbrk(line, " \t\n");
		if (sp)
			*sp = '\0';
		snprintf(known[nknown++], sizeof known[0], "%.255s", line);
	}
	fclose(f);
}

static bool is_known(const char *id)
{
	for (int i = 0; i < nknown; i++)
		if (strcmp(known[i], id) == 0)
			return true;
	return false;
}

static void verdict(const char *id, bool ok, const char *why)
{
	bool k = is_known(id);
	if (ok && !k) {
		passed++;
		if (verbose)
			printf("ok    %s\n", id);
	} else if (ok && k) {
		failed++;
		printf("FAIL  %s: listed as a known failure but passes (remove it from %s)\n", id, KNOWN);
	} else if (k) {
		known_hit++;
		printf("known %s: %s\n", id, why);
	} else {
		failed++;
		printf("FAIL  %s: %s\n", id, why);
	}
}

typedef struct chunk {
	size_t start_line, end_line; /* 1-based, inclusive */
	const char *text;
	size_t len;
	bool has_content;
	bool decode_error;
} chunk;

/* expected (field, reason) pairs of a Status */
typedef struct expect {
	bool have_status;
	bool success;
	int ncauses;
	char field[16][256];
	char reason[16][64];
	bool all_unknown;
} expect;

static void parse_status(const chunk *c, expect *e)
{
	memset(e, 0, sizeof *e);
	e->success = true;
	/* the leading run of '#' lines, '#' removed */
	char *json = malloc(c->len + 1);
	size_t jl = 0, lines = 0;
	size_t ends[512];
	const char *p = c->text, *end = c->text + c->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if (p < le && *p == '#') {
			memcpy(json + jl, p + 1, (size_t)(le - p - 1));
			jl += (size_t)(le - p - 1);
			json[jl++] = '\n';
			if (lines < 512)
				ends[lines++] = jl;
		} else {
			break;
		}
		p = nl ? nl + 1 : end;
	}
	gr_arena a;
	gr_arena_init(&a);
	gr_value st;
	gr_error err;
	bool got = false;
	for (size_t k = lines; k > 0 && !got; k--)
		if (gr_decode_json(&a, json, ends[k - 1], NULL, &st, &err) == 0 && st.type == GR_OBJECT)
			got = true;
	if (got) {
		const char *s = gr_get_str(&st, "status");
		e->have_status = true;
		e->success = !s || strcmp(s, "Failure") != 0;
		const gr_value *causes = gr_get_path(&st, "details", "causes", NULL);
		e->all_unknown = true;
		for (size_t i = 0;
		     causes && causes->type == GR_ARRAY && i < causes->u.a.len && e->ncauses < 16; i++) {
			const gr_value *cv = &causes->u.a.items[i];
			const char *f = gr_get_str(cv, "field"), *r = gr_get_str(cv, "reason"),
			           *m = gr_get_str(cv, "message");
			if (!f || strcmp(f, "<nil>") == 0)
				continue;
			if (!m || !strstr(m, "unknown field"))
				e->all_unknown = false;
			snprintf(e->field[e->ncauses], 256, "%s", f);
			snprintf(e->reason[e->ncauses], 64, "%s", r ? r : "");
			e->ncauses++;
		}
		if (!e->ncauses)
			e->all_unknown = false;
	}
	gr_arena_free(&a);
	free(json);
}

static size_t split(const char *data, size_t len, chunk *out, size_t cap)
{
	size_t n = 0, line = 1;
	const char *p = data, *end = data + len;
	out[0] = (chunk){.start_line = 1, .text = data};
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if (le - p >= 3 && memcmp(p, "---", 3) == 0) {
			out[n].len = (size_t)(p - out[n].text);
			out[n].end_line = line - 1;
			if (n + 1 < cap) {
				n++;
				out[n] = (chunk){.start_line = line + 1, .text = nl ? nl + 1 : end};
			}
		} else {
			for (const char *q = p; q < le; q++)
				if (*q != ' ' && *q != '\t' && *q != '\r') {
					out[n].has_content = true;
					break;
				}
		}
		p = nl ? nl + 1 : end;
		line++;
	}
	out[n].len = (size_t)(end - out[n].text);
	out[n].end_line = line;
	return n + 1;
}

static bool in_set(char set[][256], char rs[][64], int n, const char *f, const char *r)
{
	for (int i = 0; i < n; i++)
		if (strcmp(set[i], f) == 0 && (!rs[i][0] || !r || strcmp(rs[i], r) == 0))
			return true;
	return false;
}

/* Run one manifest file; crd_dir: CRDs to load first. */
static void run_file(const char *rel, const char *crd_dir, bool default_success)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", BASE, rel);
	char *data;
	size_t len;
	gr_error err;
	if (gr_read_file(path, 0, &data, &len, &err) != 0) {
		verdict(rel, false, err.message);
		return;
	}
	gr_schema_registry *reg;
	if (gr_schema_registry_open(&reg, SCHEMAS, "1.30", PATCHES, &err) != 0) {
		verdict(rel, false, err.message);
		free(data);
		return;
	}
	if (crd_dir && gr_schema_add_crd_path(reg, crd_dir, &err) < 0) {
		verdict(rel, false, err.message);
		gr_schema_registry_free(reg);
		free(data);
		return;
	}
	static chunk chunks[256];
	size_t nc = split(data, len, chunks, 256);
	gr_arena a;
	gr_arena_init(&a);
	gr_document *docs = NULL;
	size_t nd = 0;
	gr_error derr;
	gr_error_clear(&derr);
	int drc = gr_decode(&a, data, len, NULL, &docs, &nd, &derr);
	if (drc != 0)
		for (size_t c = 0; c < nc; c++)
			if (derr.line >= chunks[c].start_line && derr.line <= chunks[c].end_line)
				chunks[c].decode_error = true;
	/* objects of the whole file: CRDs first (prepare), then checks */
	gr_object *objs[256];
	size_t nobjs[256], doc_chunk[256];
	for (size_t d = 0; d < nd && d < 256; d++) {
		gr_objects_from_document(&a, &docs[d], rel, &objs[d], &nobjs[d]);
		doc_chunk[d] = nc;
		for (size_t c = 0; c < nc; c++)
			if (docs[d].root.line >= chunks[c].start_line &&
			    docs[d].root.line <= chunks[c].end_line)
				doc_chunk[d] = c;
		for (size_t o = 0; o < nobjs[d]; o++)
			gr_schema_add_crd(reg, objs[d][o].root, &err);
	}
	gr_schema_check_options opt = {.strict = true};
	for (size_t c = 0; c < nc; c++) {
		if (!chunks[c].has_content)
			continue;
		expect e;
		chunk cc = chunks[c];
		parse_status(&cc, &e);
		if (!e.have_status && !default_success && !chunks[c].has_content)
			continue;
		char id[512];
		snprintf(id, sizeof id, "%s#%zu", rel, c);
		gr_findings f;
		gr_findings_init(&f, &a);
		gr_check_ctx ctx = {.arena = &a};
		for (size_t d = 0; d < nd && d < 256; d++)
			if (doc_chunk[d] == c)
				for (size_t o = 0; o < nobjs[d]; o++)
					gr_schema_check(reg, &objs[d][o], &opt, &ctx, &f);
		bool invalid = chunks[c].decode_error;
		static char got_f[64][256];
		static char got_r[64][64];
		int ngot = 0;
		for (size_t i = 0; i < f.len; i++) {
			const gr_finding *x = &f.items[i];
			if (x->action != GR_ACTION_ENFORCE)
				continue;
			invalid = true;
			if (e.all_unknown && strcmp(x->rule, "schema.unknown-field") != 0)
				continue;
			if (ngot < 64) {
				snprintf(got_f[ngot], 256, "%s", x->path);
				snprintf(got_r[ngot], 64, "%s", x->reason ? x->reason : "");
				ngot++;
			}
		}
		char why[2048] = "";
		bool ok = invalid == !e.success;
		if (!ok)
			snprintf(why, sizeof why, "expected %s, got %s", e.success ? "valid" : "invalid",
			         invalid ? "invalid" : "valid");
		if (ctx.not_evaluated)
			snprintf(why + strlen(why), sizeof why - strlen(why),
			         " (%zu CEL rules not evaluated)", ctx.not_evaluated);
		if (ok && !e.success && e.ncauses) {
			for (int i = 0; i < e.ncauses; i++)
				if (!in_set(got_f, got_r, ngot, e.field[i], e.reason[i])) {
					ok = false;
					snprintf(why + strlen(why), sizeof why - strlen(why),
					         " missing cause %s (%s);", e.field[i], e.reason[i]);
				}
			for (int i = 0; i < ngot; i++)
				if (!in_set(e.field, e.reason, e.ncauses, got_f[i], got_r[i])) {
					ok = false;
					snprintf(why + strlen(why), sizeof why - strlen(why),
					         " extra finding %s (%s);", got_f[i], got_r[i]);
				}
		}
		if (!ok || verbose)
			for (size_t i = 0; i < f.len; i++)
				snprintf(why + strlen(why), sizeof why - strlen(why), "\n      %s %s: %s",
				         f.items[i].rule, gr_action_name(f.items[i].action),
				         f.items[i].message);
		verdict(id, ok, why);
		gr_findings_free(&f);
	}
	gr_arena_free(&a);
	gr_schema_registry_free(reg);
	free(data);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

#include <dirent.h>

/* Cases of the suite, known failures included. */
#define CASES 38

int main(int argc, char **argv)
{
	verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	load_known();
	DIR *d = opendir(BASE "/testcases/manifests");
	if (!d) {
		printf("cannot open %s/testcases/manifests\nkubectl-validate: 0 passed, 1 failed\n", BASE);
		return 1;
	}
	char *names[256];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && n < 256) {
		size_t l = strlen(e->d_name);
		if (l > 5 && strcmp(e->d_name + l - 5, ".yaml") == 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++) {
		char rel[512];
		snprintf(rel, sizeof rel, "testcases/manifests/%s", names[i]);
		run_file(rel, BASE "/testcases/crds", true);
		free(names[i]);
	}
	/* upstream's validator test: the CronJob CRD and an object of it, valid */
	run_file("validator-testdata/cronjob.yaml", BASE "/validator-testdata/crds", true);
	/* loader cases: a second CRD folder loads; a file given as schema dir is an error */
	{
		gr_schema_registry *reg;
		gr_error err;
		int k = -1;
		if (gr_schema_registry_open(&reg, SCHEMAS, "1.30", NULL, &err) == 0) {
			k = gr_schema_add_crd_path(reg, BASE "/testcases/more-crds", &err);
			if (k > 0 &&
			    !gr_schema_has_kind(reg, "externaldns.k8s.io", "v1alpha1", "DNSEndpoint"))
				k = 0;
			gr_schema_registry_free(reg);
		}
		verdict("testcases/more-crds", k > 0, "the DNSEndpoint CRD did not load");
		int rc = gr_schema_registry_open(&reg, BASE "/testcases/schemas/error_not_a_dir", NULL, NULL,
		                                 &err);
		if (rc == 0)
			gr_schema_registry_free(reg);
		verdict("testcases/schemas/error_not_a_dir", rc != 0,
		        "a plain file was accepted as schema directory");
	}
	printf("known failures: %d (see %s)\n", known_hit, KNOWN);
	/* every case counts once: passed, failed or known */
	int ran = passed + failed + known_hit;
	printf("kubectl-validate: ran %d cases\n", ran);
	if (ran != CASES) {
		printf("FAIL  ran %d cases, expected %d (a case was added, removed or not read)\n", ran,
		       CASES);
		failed++;
	}
	printf("kubectl-validate: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
