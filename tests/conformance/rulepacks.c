/*
 * rulepacks.c — the compatibility profiles against the upstream tools' own
 * test expectations (../shared/conformance/rulepacks), each with its
 * harness reproduced:
 *
 *  polaris     file-level verdicts (test/schema_test.go): every document of
 *              the file in one set, only the check under test enabled;
 *              fail = at least one failed result anywhere in the file,
 *              pass = at least one result and no failed one.
 *  kube-score  raw grades of the one object the check applies to, with Go
 *              zero-value configuration (no optional-check gating, no
 *              ignore annotations, KubernetesVersion as the test sets it).
 *  kube-linter report count, order and messages of `kube-linter lint
 *              --include <check>` over the fixture.
 *
 * A case that fails and is listed in rulepacks.known-failures (with its
 * reason) is a known failure; a listed case that passes fails the run
 * (remove it from the list); an unlisted failure fails the run. The number
 * of cases per tool is asserted, and the pass rate printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guardrail/decode.h"
#include "guardrail/object.h"
#include "guardrail/rules.h"
#include "guardrail/schema.h"
#include "testlib.h"

#define ROOT  "../shared/conformance/rulepacks/"
#define KNOWN "tests/conformance/rulepacks.known-failures"

size_t gri_rules_check_set_judged(const gr_rules *r, const gr_object *objs, size_t n, gr_findings *out);
size_t gri_rules_judge(const gr_rules *r, const char *id, const gr_object *objs, size_t n, size_t which,
                       bool as_selected, gr_findings *out, bool *skipped, const char **skip_reason);

/* ---- known failures ---- */

static char **known;
static size_t nknown;
static bool *known_used;

static void load_known(void)
{
	FILE *f = fopen(KNOWN, "r");
	if (!f)
		return;
	char line[2048];
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		char *sp = strchr(line, ' '); /* "<tool> <case-id> <reason...>" */
		char *sp2 = sp ? strchr(sp + 1, ' ') : NULL;
		if (!sp2)
			continue;
		*sp2 = '\0';
		known = realloc(known, (nknown + 1) * sizeof *known);
		known[nknown++] = strdup(line);
	}
	fclose(f);
	known_used = calloc(nknown + 1, sizeof *known_used);
}

static int is_known(const char *tool, const char *id)
{
	char key[2048];
	snprintf(key, sizeof key, "%s %s", tool, id);
	for (size_t i = 0; i < nknown; i++)
		if (strcmp(known[i], key) == 0) {
			known_used[i] = true;
			return 1;
		}
	return 0;
}

typedef struct tally {
	const char *tool;
	size_t cases, passed, known_fail, unexpected_pass, failed;
	/* upstream tests that assert nothing about the tool (no fixture, no
	 * command, no expected status, count or report): listed, not judged */
	size_t not_applicable;
} tally;

static void record(tally *t, const char *id, bool ok, const char *why)
{
	t->cases++;
	int k = is_known(t->tool, id);
	if (ok && !k) {
		t->passed++;
		test_passed++;
	} else if (ok && k) {
		t->unexpected_pass++;
		test_failed++;
		fprintf(stderr, "%s %s: passes but is listed in %s (remove it)\n", t->tool, id, KNOWN);
	} else if (!ok && k) {
		t->known_fail++;
		test_passed++;
	} else {
		t->failed++;
		test_failed++;
		fprintf(stderr, "%s %s: %s\n", t->tool, id, why);
	}
}

static void summary(const tally *t, size_t want_cases)
{
	double rate = t->cases ? 100.0 * (double)(t->passed + t->unexpected_pass) / (double)t->cases : 0;
	printf("%-12s %zu cases: %zu match, %zu known failures, %zu unexpected failures, %zu unexpected "
	       "passes "
	       "(%.1f%% match)\n",
	       t->tool, t->cases, t->passed + t->unexpected_pass, t->known_fail, t->failed,
	       t->unexpected_pass, rate);
	if (t->not_applicable)
		printf("%-12s %zu upstream tests assert nothing about the tool and are not counted "
		       "(listed above)\n",
		       t->tool, t->not_applicable);
	if (t->cases != want_cases)
		fprintf(stderr, "%s: ran %zu cases, expected %zu\n", t->tool, t->cases, want_cases);
	CHECK(t->cases == want_cases);
}

/* ---- loading a fixture set ---- */

typedef struct fileset {
	gr_arena arena;
	gr_object *objs;
	size_t n, cap;
	char *bufs[16];
	size_t nbufs;
	/* kube-linter's loader (go-yaml v2, not strict): a repeated key's last
	 * value wins instead of failing the document */
	bool last_wins;
} fileset;

static int fs_add(fileset *s, const char *path_in)
{
	/* objects keep the file name: a copy that lives as long as the set */
	const char *path = gr_arena_strdup(&s->arena, path_in);
	char *data;
	size_t len;
	gr_error err;
	if (gr_read_file(path, 0, &data, &len, &err) != 0)
		return -1;
	if (s->nbufs < 16)
		s->bufs[s->nbufs++] = data;
	gr_document *docs;
	size_t nd;
	gr_decode_limits lim;
	gr_decode_limits_default(&lim);
	lim.duplicate_keys_last_wins = s->last_wins;
	gr_decode(&s->arena, data, len, &lim, &docs, &nd, &err);
	for (size_t i = 0; i < nd; i++) {
		gr_object *o;
		size_t no;
		if (docs[i].root.type == GR_NULL ||
		    gr_objects_from_document(&s->arena, &docs[i], path, &o, &no) != 0)
			continue;
		for (size_t j = 0; j < no; j++) {
			if (s->n == s->cap) {
				s->cap = s->cap ? s->cap * 2 : 16;
				s->objs = realloc(s->objs, s->cap * sizeof *s->objs);
			}
			s->objs[s->n++] = o[j];
		}
	}
	return 0;
}

static void fs_free(fileset *s)
{
	for (size_t i = 0; i < s->nbufs; i++)
		free(s->bufs[i]);
	free(s->objs);
	gr_arena_free(&s->arena);
	memset(s, 0, sizeof *s);
}

/* Split a TSV line in place. */
static size_t split_tabs(char *line, char **cols, size_t max)
{
	size_t n = 0;
	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		cols[n++] = line;
		char *t = strchr(line, '\t');
		if (!t)
			break;
		*t = '\0';
		line = t + 1;
	}
	return n;
}

/* ---- Polaris ---- */

static void run_polaris(void)
{
	tally t = {.tool = "polaris"};
	FILE *f = fopen(ROOT "polaris/expected.tsv", "r");
	CHECK(f != NULL);
	if (!f)
		return;
	char line[8192];
	while (fgets(line, sizeof line, f)) {
		char *c[8];
		if (split_tabs(line, c, 8) < 5 || strcmp(c[0], "verdict") != 0)
			continue;
		const char *check = c[1], *fixture = c[2], *expected = c[4];
		char path[1024], id[300];
		snprintf(path, sizeof path, ROOT "%s", fixture);
		snprintf(id, sizeof id, "polaris.%s", check);
		fileset s;
		memset(&s, 0, sizeof s);
		gr_arena_init(&s.arena);
		if (fs_add(&s, path) != 0) {
			record(&t, fixture, false, "fixture missing");
			fs_free(&s);
			continue;
		}
		char why[400];
		bool ok;
		const gr_rule_info *info = gr_rules_find(id);
		char cpath[1100];
		snprintf(cpath, sizeof cpath, ROOT "polaris/checks/%s/check.yaml", check);
		char *cdata;
		size_t clen;
		gr_error cerr;
		if (!info && gr_read_file(cpath, 0, &cdata, &clen, &cerr) == 0) {
			/* a custom check: config = checks: {<check>: danger} + customChecks.<check> =
			 * check.yaml */
			gr_buf conf;
			gr_buf_init(&conf);
			gr_buf_printf(&conf, "checks:\n  %s: danger\ncustomChecks:\n  %s:\n", check, check);
			for (const char *l = cdata; l < cdata + clen;) {
				const char *e = memchr(l, '\n', (size_t)(cdata + clen - l));
				size_t ll = e ? (size_t)(e - l) : (size_t)(cdata + clen - l);
				gr_buf_printf(&conf, "    %.*s\n", (int)ll, l);
				l += ll + 1;
			}
			free(cdata);
			gr_rules_file *file = NULL;
			gr_rules_options o;
			memset(&o, 0, sizeof o);
			gr_rules *r = NULL;
			ok = gr_rules_file_parse_upstream(GR_PROFILE_POLARIS, cpath, conf.data, conf.len,
			                                  &file, &cerr) == 0 &&
			     gr_rules_file_apply(file, &o, &cerr) == 0 && gr_rules_new(&r, &o, &cerr) == 0;
			if (!ok)
				snprintf(why, sizeof why, "custom check: %.300s", cerr.message);
			else {
				gr_findings fs;
				gr_findings_init(&fs, &s.arena);
				size_t judged = gri_rules_check_set_judged(r, s.objs, s.n, &fs);
				const char *got = fs.len ? "fail" : judged ? "pass" : "no result";
				ok = strcmp(got, expected) == 0;
				snprintf(why, sizeof why, "custom check: expected %s, got %s%s%s", expected,
				         got, fs.len ? ": " : "", fs.len ? fs.items[0].message : "");
				gr_findings_free(&fs);
			}
			gr_rules_free(r);
			gr_rules_file_free(file);
			gr_buf_free(&conf);
		} else if (!info) {
			ok = false;
			snprintf(why, sizeof why, "no rule %s", id);
		} else {
			gr_rules_options o;
			memset(&o, 0, sizeof o);
			o.profile = GR_PROFILE_POLARIS;
			gr_rules *r;
			gr_error err;
			gr_rules_new(&r, &o, &err);
			gr_findings fs;
			gr_findings_init(&fs, &s.arena);
			size_t judged = 0;
			for (size_t i = 0; i < s.n; i++)
				judged += gri_rules_judge(r, id, s.objs, s.n, i, false, &fs, NULL, NULL);
			const char *got = fs.len ? "fail" : judged ? "pass" : "no result";
			ok = strcmp(got, expected) == 0;
			snprintf(why, sizeof why, "expected %s, got %s%s%s", expected, got,
			         fs.len ? ": " : "", fs.len ? fs.items[0].message : "");
			gr_findings_free(&fs);
			gr_rules_free(r);
		}
		record(&t, fixture, ok, why);
		fs_free(&s);
	}
	fclose(f);
	summary(&t, 260);
}

/* ---- kube-score ---- */

/* "Kind/api/version/ns/name" (api may hold a '/'): the object in s. */
static size_t find_object(const fileset *s, const char *spec)
{
	char buf[512];
	snprintf(buf, sizeof buf, "%s", spec);
	char *name = strrchr(buf, '/');
	if (!name)
		return (size_t)-1;
	*name++ = '\0';
	char *ns = strrchr(buf, '/');
	if (!ns)
		return (size_t)-1;
	*ns++ = '\0';
	char *api = strchr(buf, '/');
	if (!api)
		return (size_t)-1;
	*api++ = '\0';
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->objs[i].kind, buf) && !strcmp(s->objs[i].api_version, api) &&
		    !strcmp(s->objs[i].namespace_, ns) && !strcmp(s->objs[i].name, name))
			return i;
	return (size_t)-1;
}

static const char *jstr(const gr_value *v, const char *k)
{
	const char *s = gr_get_str(v, k);
	return s ? s : "";
}

static void ks_options(gr_rules_options *o, const gr_value *rc, const gr_value *cc, const char **enable,
                       const char **disable)
{
	memset(o, 0, sizeof *o);
	o->profile = GR_PROFILE_KUBE_SCORE;
	o->kube_score_zero_config = true;
	o->kube_score_version = gr_get_str(rc, "KubernetesVersion");
	const gr_value *x;
	int64_t n;
	if ((x = gr_get(rc, "MinReplicasDeployment")) && x->type == GR_INT && (n = x->u.i) >= 0)
		o->kube_score_min_replicas_deployment = (int)n;
	if ((x = gr_get(rc, "MinReplicasHPA")) && x->type == GR_INT && (n = x->u.i) >= 0)
		o->kube_score_min_replicas_hpa = (int)n;
	o->kube_score_ignore_cpu_limit = gr_get(rc, "IgnoreContainerCpuLimitRequirement") &&
	                                 gr_get(rc, "IgnoreContainerCpuLimitRequirement")->u.b;
	o->kube_score_ignore_memory_limit = gr_get(rc, "IgnoreContainerMemoryLimitRequirement") &&
	                                    gr_get(rc, "IgnoreContainerMemoryLimitRequirement")->u.b;
	o->kube_score_ignore_annotation =
	        gr_get(rc, "UseIgnoreChecksAnnotation") && gr_get(rc, "UseIgnoreChecksAnnotation")->u.b;
	o->kube_score_optional_annotation =
	        gr_get(rc, "UseOptionalChecksAnnotation") && gr_get(rc, "UseOptionalChecksAnnotation")->u.b;
	static char ids[2][16][160];
	const gr_value *lists[2] = {gr_get(rc, "EnabledOptionalTests"), gr_get(cc, "IgnoredTests")};
	const char **outs[2] = {enable, disable};
	size_t *counts[2] = {&o->nenable, &o->ndisable};
	for (int l = 0; l < 2; l++)
		for (size_t i = 0; lists[l] && lists[l]->type == GR_ARRAY && i < lists[l]->u.a.len && i < 16;
		     i++) {
			snprintf(ids[l][i], sizeof ids[l][i], "kube-score.%s",
			         lists[l]->u.a.items[i].type == GR_STRING ? lists[l]->u.a.items[i].u.s.ptr
			                                                  : "");
			outs[l][(*counts[l])++] = ids[l][i];
		}
	o->enable = enable;
	o->disable = disable;
}

/* Grade of findings for one object: 1 CRITICAL, 5 WARNING, 7 ALMOST_OK, 10 ALL_OK, 0 not judged. */
static int grade_of(size_t judged, const gr_findings *f)
{
	if (!judged)
		return 0;
	int g = 10;
	for (size_t i = 0; i < f->len; i++) {
		int x = f->items[i].severity == GR_SEV_ERROR     ? 1
		        : f->items[i].severity == GR_SEV_WARNING ? 5
		                                                 : 7;
		if (x < g)
			g = x;
	}
	return g;
}

static void run_kube_score(void)
{
	tally t = {.tool = "kube-score"};
	char *data;
	size_t len;
	gr_error err;
	gr_arena a;
	gr_arena_init(&a);
	gr_value root;
	if (gr_read_file(ROOT "kube-score/expected.json", 0, &data, &len, &err) != 0 ||
	    gr_decode_json(&a, data, len, NULL, &root, &err) != 0) {
		CHECK(!"kube-score/expected.json");
		return;
	}
	const gr_value *rows = gr_get(&root, "rows");
	for (size_t ri = 0; rows && ri < rows->u.a.len; ri++) {
		const gr_value *row = &rows->u.a.items[ri];
		const char *check = gr_get_str(row, "check_id");
		char id[400], cid[400]; /* cid: the case id, "<test file:line>#<check>" */
		snprintf(cid, sizeof cid, "%.*s#%s", (int)strcspn(jstr(row, "test"), " "), jstr(row, "test"),
		         check ? check : "-");
		fileset s;
		memset(&s, 0, sizeof s);
		gr_arena_init(&s.arena);
		const gr_value *fx = gr_get(row, "fixtures");
		for (size_t i = 0; fx && i < fx->u.a.len; i++) {
			char path[600];
			snprintf(path, sizeof path, ROOT "%s", fx->u.a.items[i].u.s.ptr);
			fs_add(&s, path);
		}
		char why[600] = "";
		bool ok = true;
		const gr_value *rc = gr_get(row, "run_config"), *cc = gr_get(row, "checks_config");
		const char *enable[16], *disable[16];
		gr_rules_options o;
		ks_options(&o, rc, cc, enable, disable);
		if (!check) {
			ok = false;
			snprintf(why, sizeof why, "no check id: %s", jstr(row, "expected"));
			if (strstr(jstr(row, "test"),
			           "TestList")) { /* a v1 List expands to 2 objects, each with >2 checks */
				gr_rules *r;
				gr_rules_new(&r, &o, &err);
				ok = s.n == 2;
				for (size_t i = 0; ok && i < s.n; i++) {
					size_t nchecks = 0;
					for (size_t k = 0; k < gr_rules_count(); k++) {
						const gr_rule_info *inf = gr_rules_info(k);
						gr_findings fs;
						gr_findings_init(&fs, &s.arena);
						if (!strcmp(inf->pack, "kube-score") &&
						    gri_rules_judge(r, inf->id, s.objs, s.n, i, false, &fs,
						                    NULL, NULL))
							nchecks++;
						gr_findings_free(&fs);
					}
					ok = nchecks > 2;
				}
				gr_rules_free(r);
			} else if (strstr(jstr(row, "test"), "(TestFileLocationHelm)")) {
				/* every object at app1/templates/deployment.yaml, both at
				 * line 1: Helm's "# Source:" comments, as check maps them */
				gr_source_map m = {0};
				const char *f0 = NULL, *f1 = NULL;
				uint32_t l0 = 0, l1 = 0;
				ok = s.nbufs == 1 &&
				     gr_source_map_build(s.bufs[0], strlen(s.bufs[0]), &m) == 0;
				if (ok) {
					ok = s.n == 2 && !strcmp(s.objs[0].name, "foo") &&
					     !strcmp(s.objs[1].name, "foo2");
					f0 = s.n > 0 ? gr_source_map_find(&m, s.objs[0].root->line, &l0)
					             : NULL;
					f1 = s.n > 1 ? gr_source_map_find(&m, s.objs[1].root->line, &l1)
					             : NULL;
					ok = ok && f0 && f1 &&
					     !strcmp(f0, "app1/templates/deployment.yaml") &&
					     !strcmp(f1, f0) && l0 == 1 && l1 == 1;
				}
				snprintf(why, sizeof why, "objects at %s:%u, %s:%u", f0 ? f0 : "-", l0,
				         f1 ? f1 : "-", l1);
				gr_source_map_free(&m);
			} else if (strstr(jstr(row, "test"), "(TestFileLocation)")) {
				/* line 2 for Deployment foo, 12 for foo2 */
				ok = s.n == 2 && !strcmp(s.objs[0].name, "foo") &&
				     s.objs[0].root->line == 2 && !strcmp(s.objs[1].name, "foo2") &&
				     s.objs[1].root->line == 12;
				snprintf(why, sizeof why, "object lines %u, %u",
				         s.n > 0 ? s.objs[0].root->line : 0,
				         s.n > 1 ? s.objs[1].root->line : 0);
			}
			record(&t, cid, ok, why);
			fs_free(&s);
			continue;
		}
		snprintf(id, sizeof id, "kube-score.%s", check);
		const gr_value *objspec = gr_get(row, "object");
		size_t which = (size_t)-1;
		gr_rules *raw = NULL, *sel = NULL;
		gr_rules_options ro = o;
		ro.enable = NULL;
		ro.nenable = ro.ndisable = 0;
		ro.kube_score_ignore_annotation = ro.kube_score_optional_annotation = false;
		const char *only[1] = {id};
		ro.only = only;
		ro.nonly = 1;
		if (!gr_rules_find(id) || gr_rules_new(&raw, &ro, &err) || gr_rules_new(&sel, &o, &err)) {
			record(&t, cid, false, "no such rule");
			fs_free(&s);
			gr_rules_free(raw);
			continue;
		}
		if (objspec && objspec->type == GR_STRING)
			which = find_object(&s, objspec->u.s.ptr);
		else /* the first object the check judges */
			for (size_t i = 0; i < s.n && which == (size_t)-1; i++) {
				gr_findings fs;
				gr_findings_init(&fs, &s.arena);
				if (gri_rules_judge(raw, id, s.objs, s.n, i, false, &fs, NULL, NULL))
					which = i;
				gr_findings_free(&fs);
			}
		if (which == (size_t)-1) {
			record(&t, cid, false, "object not found");
		} else {
			gr_findings fs;
			gr_findings_init(&fs, &s.arena);
			size_t judged = gri_rules_judge(raw, id, s.objs, s.n, which, false, &fs, NULL, NULL);
			int g = grade_of(judged, &fs);
			const gr_value *eg = gr_get(row, "expected_grade");
			if (eg && eg->type == GR_INT && g != eg->u.i) {
				ok = false;
				snprintf(why, sizeof why, "%s: expected grade %lld, got %d%s%s", check,
				         (long long)eg->u.i, g, fs.len ? ": " : "",
				         fs.len ? fs.items[0].message : "");
			}
			gr_findings_free(&fs);
			const gr_value *es = gr_get(row, "expected_skipped");
			gr_findings_init(&fs, &s.arena);
			bool was_skipped;
			const char *skip_reason = NULL;
			gri_rules_judge(sel, id, s.objs, s.n, which, true, &fs, &was_skipped, &skip_reason);
			gr_findings_free(&fs);
			if (es && es->type == GR_BOOL && es->u.b != was_skipped) {
				ok = false;
				snprintf(why, sizeof why, "%s: expected skipped %s", check,
				         es->u.b ? "true" : "false");
			}
			if (es && es->type == GR_NULL && !judged) { /* only that the check ran */
				ok = false;
				snprintf(why, sizeof why, "%s: the check did not run", check);
			}
			const gr_value *sum = gr_get(row, "expected_summaries_contain");
			for (size_t i = 0; sum && sum->type == GR_ARRAY && i < sum->u.a.len; i++) {
				const char *want = sum->u.a.items[i].u.s.ptr;
				if (!skip_reason || !strstr(skip_reason, want)) {
					ok = false;
					snprintf(why, sizeof why, "%s: summary \"%s\" expected, got \"%s\"",
					         check, want, skip_reason ? skip_reason : "");
				}
			}
			record(&t, cid, ok, why);
		}
		gr_rules_free(raw);
		gr_rules_free(sel);
		fs_free(&s);
	}
	gr_arena_free(&a);
	free(data);
	summary(&t, 187);
}

/* ---- kube-linter ---- */

/* The report index of the k-th ".Reports[N]" in the assertion's jq filter
 * (upstream's bats assertions may take the kind from one report and the
 * message from another, as ssh-port does); report_index when absent. */
static int64_t jq_index(const gr_value *a, int k)
{
	const gr_value *iv = gr_get(a, "report_index");
	int64_t idx = iv && iv->type == GR_INT ? iv->u.i : -1;
	const char *jq = gr_get_str(a, "jq"), *p = jq;
	for (int i = 0; p && (p = strstr(p, ".Reports[")); i++) {
		p += strlen(".Reports[");
		if (i == k)
			return strtoll(p, NULL, 10);
	}
	return idx;
}

static bool assert_holds(const gr_value *a, const gr_findings *f)
{
	int64_t idx = jq_index(a, 0), midx = jq_index(a, 1);
	if (idx < 0 || (size_t)idx >= f->len || midx < 0 || (size_t)midx >= f->len)
		return false;
	const gr_finding *x = &f->items[idx], *mx = &f->items[midx];
	const char *fmt = gr_get_str(a, "format"), *op = gr_get_str(a, "op"),
	           *want = gr_get_str(a, "expected");
	char got[2048];
	const char *kind = x->object ? x->object->kind : "", *name = x->object ? x->object->name : "";
	if (!strcmp(fmt, "Kind: Message"))
		snprintf(got, sizeof got, "%s: %s", kind, mx->message);
	else if (!strcmp(fmt, "Kind Name: Message"))
		snprintf(got, sizeof got, "%s %s: %s", kind, name, mx->message);
	else if (!strcmp(fmt, "Name"))
		snprintf(got, sizeof got, "%s", name);
	else
		snprintf(got, sizeof got, "%s", kind);
	if (!strcmp(op, "=="))
		return !strcmp(got, want);
	return strstr(got, want) != NULL; /* =~ : substring (the recorded patterns are literal) */
}

/*
 * kube-linter's CLI tests (bats tests of `kube-linter lint` flags), run as
 * the guardrail program with the equivalent flags: the bats command is
 * transcribed here (expected.json keeps only its start), the expectations
 * (exit status, report count and assertions) come from expected.json. A
 * bats test without an explicit status check fails when its command does,
 * so it wants exit 0.
 */
static const struct cli_case {
	const char *test;
	const char *cwd;   /* relative to ROOT "kube-linter/", or NULL */
	const char *input; /* piped in (one line), or NULL */
	const char *args;  /* after `guardrail check --engines rules --profile kube-linter` */
} cli_cases[] = {
        /* kube-linter lint --ignore-paths "tests/..." --ignore-paths "e2etests/..." . with the
         * globs below (from the repository root; the staged tree stands for it) */
        {"flag-ignore-paths", ".", NULL, "--ignore-paths 'tests/**' --ignore-paths 'e2etests/**' ."},
        /* echo "---" | kube-linter lint - */
        {"flag-read-from-stdin", NULL, "---", "-"},
        /* kube-linter lint --format json tests/testdata/mykustomize */
        {"flag-kustomize-support", ".", NULL, "--kustomize -o json tests/testdata/mykustomize"},
};

/* Run the program; its exit status, stdout in *out (malloc'd). */
static int run_program(const struct cli_case *cc, char **out)
{
	const char *build = getenv("BUILD");
	char bin[1024], cmd[4096], cwd[512];
	snprintf(bin, sizeof bin, "%s/%s/guardrail", getcwd(cwd, sizeof cwd) ? cwd : ".",
	         build && *build ? build : "build");
	snprintf(cmd, sizeof cmd,
	         "%s%s%s%s%s%s '%s' check --engines rules --profile kube-linter %s 2>/dev/null",
	         cc->cwd ? "cd " ROOT "kube-linter/" : "", cc->cwd ? cc->cwd : "", cc->cwd ? " && " : "",
	         cc->input ? "printf '%s\\n' '" : "", cc->input ? cc->input : "", cc->input ? "' |" : "", bin,
	         cc->args);
	FILE *p = popen(cmd, "r");
	gr_buf b;
	gr_buf_init(&b);
	if (!p) {
		*out = NULL;
		return -1;
	}
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		gr_buf_append(&b, chunk, n);
	int st = pclose(p);
	*out = b.data ? b.data : strdup("");
	return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The findings of a JSON report as gr_findings (objects carry kind and name). */
static void findings_from_json(gr_arena *a, const char *json, gr_findings *f)
{
	gr_value root;
	gr_error err;
	if (!json || gr_decode_json(a, json, strlen(json), NULL, &root, &err) != 0)
		return;
	const gr_value *items = gr_get(&root, "findings");
	for (size_t i = 0; items && items->type == GR_ARRAY && i < items->u.a.len; i++) {
		const gr_value *x = &items->u.a.items[i];
		gr_object *o = gr_arena_calloc(a, 1, sizeof *o);
		gr_finding *g = gr_findings_add(f);
		if (!o || !g)
			return;
		o->kind = gr_get_str(x, "kind") ? gr_get_str(x, "kind") : "";
		o->name = gr_get_str(x, "name") ? gr_get_str(x, "name") : "";
		g->object = o;
		g->rule = gr_get_str(x, "rule");
		g->message = gr_get_str(x, "message") ? gr_get_str(x, "message") : "";
	}
}

static void run_cli_case(tally *t, const gr_value *tc, const struct cli_case *cc)
{
	char why[1200] = "", *out = NULL;
	int rc = run_program(cc, &out);
	const gr_value *ex = gr_get(tc, "expected_exit_status");
	int want = ex && ex->type == GR_INT ? (int)ex->u.i : 0;
	bool ok = rc == want;
	if (!ok)
		snprintf(why, sizeof why, "guardrail check %s: exit %d, expected %d", cc->args, rc, want);
	gr_arena a;
	gr_arena_init(&a);
	gr_findings f;
	gr_findings_init(&f, &a);
	findings_from_json(&a, out, &f);
	const gr_value *cnt = gr_get(tc, "expected_report_count");
	if (ok && cnt && cnt->type == GR_OBJECT) {
		int64_t w = gr_get(cnt, "value")->u.i;
		bool c_ok = !strcmp(jstr(cnt, "op"), "-ge") ? (int64_t)f.len >= w : (int64_t)f.len == w;
		if (!c_ok) {
			ok = false;
			snprintf(why, sizeof why, "expected %s %lld reports, got %zu", jstr(cnt, "op"),
			         (long long)w, f.len);
		}
	}
	const gr_value *as = gr_get(tc, "report_assertions");
	for (size_t i = 0; ok && as && i < as->u.a.len; i++)
		if (!assert_holds(&as->u.a.items[i], &f)) {
			ok = false;
			snprintf(why, sizeof why, "assertion %zu (\"%s\") does not hold", i,
			         jstr(&as->u.a.items[i], "expected"));
		}
	record(t, jstr(tc, "test"), ok, why);
	gr_findings_free(&f);
	gr_arena_free(&a);
	free(out);
}

static void run_kube_linter(void)
{
	tally t = {.tool = "kube-linter"};
	char *data;
	size_t len;
	gr_error err;
	gr_arena a;
	gr_arena_init(&a);
	gr_value root;
	if (gr_read_file(ROOT "kube-linter/expected.json", 0, &data, &len, &err) != 0 ||
	    gr_decode_json(&a, data, len, NULL, &root, &err) != 0) {
		CHECK(!"kube-linter/expected.json");
		return;
	}
	/* kube-linter's schema-validation / kubeconform checks: guardrail's
	 * schemas (the newest version present) */
	gr_schema_registry *schemas = NULL;
	CHECK(gr_schema_registry_open(&schemas, "../shared/k8s-openapi", NULL, NULL, &err) == 0);
	const gr_value *tests = gr_get(&root, "tests");
	for (size_t ti = 0; tests && ti < tests->u.a.len; ti++) {
		const gr_value *tc = &tests->u.a.items[ti];
		const char *name = jstr(tc, "test"), *check = gr_get_str(tc, "check");
		const char *fx = gr_get_str(tc, "fixture_staged"), *cfg = gr_get_str(tc, "config");
		char why[1200] = "";
		const struct cli_case *cc = NULL;
		for (size_t k = 0; k < sizeof cli_cases / sizeof cli_cases[0]; k++)
			if (!strcmp(cli_cases[k].test, name))
				cc = &cli_cases[k];
		if (cc) {
			run_cli_case(&t, tc, cc);
			continue;
		}
		if (!check && !cfg && !fx && !gr_get_str(tc, "command") &&
		    !gr_get(tc, "expected_report_count") &&
		    !(gr_get(tc, "expected_exit_status") &&
		      gr_get(tc, "expected_exit_status")->type == GR_INT) &&
		    !(gr_get(tc, "report_assertions") && gr_get(tc, "report_assertions")->u.a.len)) {
			/* e.g. template-check-installed-bash-version: the bats file's
			 * check of the harness's own bash; no kube-linter behaviour */
			printf("kube-linter  %s (%s): asserts nothing about kube-linter, not counted\n", name,
			       jstr(tc, "source"));
			t.not_applicable++;
			continue;
		}
		if ((!check && !cfg) || !fx) {
			snprintf(why, sizeof why, "not a check test (CLI behaviour: %s)",
			         jstr(tc, "command"));
			record(&t, name, false, why);
			continue;
		}
		char id[300], path[600];
		snprintf(id, sizeof id, "kube-linter.%s", check ? check : "");
		snprintf(path, sizeof path, ROOT "%s", fx);
		fileset s;
		memset(&s, 0, sizeof s);
		gr_arena_init(&s.arena);
		s.last_wins = true;
		fs_add(&s, path);
		gr_rules_options o;
		memset(&o, 0, sizeof o);
		o.profile = GR_PROFILE_KUBE_LINTER;
		o.schema = schemas;
		const char *only[1] = {id};
		gr_rules_file *file = NULL;
		bool ok = true;
		if (check) { /* kube-linter lint --include <check> --do-not-auto-add-defaults */
			o.only = only;
			o.nonly = 1;
			ok = gr_rules_find(id) != NULL;
			if (!ok)
				snprintf(why, sizeof why, "no rule %s", id);
		} else { /* kube-linter lint --config <file> [--do-not-auto-add-defaults] */
			char cpath[600];
			snprintf(cpath, sizeof cpath, ROOT "kube-linter/%s", cfg);
			const gr_value *nd = gr_get(tc, "do_not_auto_add_defaults");
			o.kube_linter_no_defaults = nd && nd->type == GR_BOOL && nd->u.b;
			ok = gr_rules_file_load_upstream(GR_PROFILE_KUBE_LINTER, cpath, &file, &err) == 0 &&
			     gr_rules_file_apply(file, &o, &err) == 0;
			o.profile = GR_PROFILE_KUBE_LINTER;
			if (!ok)
				snprintf(why, sizeof why, "%s: %s", cfg, err.message);
		}
		gr_rules *r = NULL;
		ok = ok && gr_rules_new(&r, &o, &err) == 0;
		gr_findings f;
		gr_findings_init(&f, &s.arena);
		if (ok)
			gr_rules_check_set(r, s.objs, s.n, &f, &err);
		const gr_value *cnt = gr_get(tc, "expected_report_count");
		if (ok && cnt && cnt->type == GR_OBJECT) {
			int64_t want = gr_get(cnt, "value")->u.i;
			const char *op = jstr(cnt, "op");
			bool c_ok = !strcmp(op, "-ge") ? (int64_t)f.len >= want : (int64_t)f.len == want;
			if (!c_ok) {
				ok = false;
				snprintf(why, sizeof why, "expected %s %lld reports, got %zu%s%s", op,
				         (long long)want, f.len, f.len ? "; first: " : "",
				         f.len ? f.items[0].message : "");
			}
		}
		const gr_value *as = gr_get(tc, "report_assertions");
		for (size_t i = 0; ok && as && i < as->u.a.len; i++)
			if (!assert_holds(&as->u.a.items[i], &f)) {
				ok = false;
				int64_t idx = gr_get(&as->u.a.items[i], "report_index")->u.i;
				snprintf(why, sizeof why, "report %lld: expected \"%s\", got \"%s: %s\"",
				         (long long)idx, jstr(&as->u.a.items[i], "expected"),
				         idx >= 0 && (size_t)idx < f.len && f.items[idx].object
				                 ? f.items[idx].object->kind
				                 : "",
				         idx >= 0 && (size_t)idx < f.len ? f.items[idx].message : "(none)");
			}
		record(&t, name, ok, why);
		gr_findings_free(&f);
		gr_rules_free(r);
		gr_rules_file_free(file);
		fs_free(&s);
	}
	/* sorted-keys template unit cases: diagnostics of the single object, order-insensitive */
	const gr_value *units = gr_get(&root, "template_unit_cases");
	for (size_t ui = 0; units && ui < units->u.a.len; ui++) {
		const gr_value *u = &units->u.a.items[ui];
		char path[600], why[1200] = "";
		snprintf(path, sizeof path, ROOT "%s", jstr(u, "fixture"));
		fileset s;
		memset(&s, 0, sizeof s);
		gr_arena_init(&s.arena);
		fs_add(&s, path);
		gr_rules_options o;
		memset(&o, 0, sizeof o);
		o.profile = GR_PROFILE_KUBE_LINTER;
		const char *only[1] = {"kube-linter.sorted-keys"};
		o.only = only;
		o.nonly = 1;
		const gr_value *rec = gr_get_path(u, "params", "recursive", NULL);
		o.kube_linter_sorted_keys_shallow = rec && rec->type == GR_BOOL && !rec->u.b;
		gr_rules *r;
		gr_rules_new(&r, &o, &err);
		gr_findings f;
		gr_findings_init(&f, &s.arena);
		gr_rules_check_set(r, s.objs, s.n, &f, &err);
		const gr_value *want = gr_get(u, "expected_diagnostics");
		bool ok = want && f.len == want->u.a.len;
		for (size_t i = 0; ok && i < want->u.a.len; i++) {
			bool found = false;
			for (size_t j = 0; j < f.len && !found; j++)
				found = !strcmp(f.items[j].message, want->u.a.items[i].u.s.ptr);
			ok = found;
			if (!found)
				snprintf(why, sizeof why, "missing \"%s\"", want->u.a.items[i].u.s.ptr);
		}
		if (!ok && !why[0])
			snprintf(why, sizeof why, "expected %zu diagnostics, got %zu%s%s",
			         want ? want->u.a.len : 0, f.len, f.len ? "; first: " : "",
			         f.len ? f.items[0].message : "");
		record(&t, jstr(u, "test"), ok, why);
		gr_findings_free(&f);
		gr_rules_free(r);
		fs_free(&s);
	}
	gr_schema_registry_free(schemas);
	gr_arena_free(&a);
	free(data);
	CHECK(t.not_applicable == 1);
	summary(&t, 75);
}

int main(void)
{
	load_known();
	run_polaris();
	run_kube_score();
	run_kube_linter();
	for (size_t i = 0; i < nknown; i++)
		if (!known_used[i]) {
			fprintf(stderr, "%s: listed in %s but no such case ran\n", known[i], KNOWN);
			test_failed++;
		}
	return test_report("rulepacks");
}
