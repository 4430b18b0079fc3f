/*
 * test_report.c — every reporter over the same findings: JSON has exactly
 * the contract's fields, SARIF is valid JSON with rules and locations,
 * JUnit counts failures per object, GitHub commands are escaped, text has
 * the clickable form and the summary line.
 */
#include <stdlib.h>
#include <string.h>

#include "guardrail/guardrail.h"
#include "testlib.h"

static gr_arena arena;

static char *render(gr_format fmt, const gr_file_result *fr, size_t nfr, const gr_summary *s)
{
	gr_reporter *r = gr_reporter_new(fmt, false, "9.9.9");
	gr_buf b;
	gr_buf_init(&b);
	gr_report_begin(r, &b);
	for (size_t i = 0; i < nfr; i++)
		gr_report_file(r, &b, &fr[i]);
	gr_report_end(r, &b, s);
	gr_reporter_free(r);
	char *out = strdup(b.data ? b.data : "");
	gr_buf_free(&b);
	return out;
}

static const gr_value *parse(const char *text)
{
	gr_value *v = gr_arena_alloc(&arena, sizeof *v);
	gr_error err;
	if (gr_decode_json(&arena, text, strlen(text), NULL, v, &err)) {
		fprintf(stderr, "not JSON (%u:%u %s):\n%s\n", err.line, err.column, err.message, text);
		return NULL;
	}
	return v;
}

int main(void)
{
	gr_arena_init(&arena);
	const char *yaml =
	        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n"
	        "spec:\n  replicas: \"3\"\n";
	gr_document *docs;
	size_t nd;
	gr_error err;
	CHECK(gr_decode(&arena, yaml, strlen(yaml), NULL, &docs, &nd, &err) == 0);
	gr_object *objs;
	size_t no;
	CHECK(gr_objects_from_document(&arena, &docs[0], "dir/a b.yaml", &objs, &no) == 0);
	gr_finding f[2];
	memset(f, 0, sizeof f);
	f[0] = (gr_finding){.rule = "schema.type",
	                    .severity = GR_SEV_ERROR,
	                    .action = GR_ACTION_ENFORCE,
	                    .object = &objs[0],
	                    .file = "dir/a b.yaml",
	                    .document = 0,
	                    .path = "spec.replicas",
	                    .line = 7,
	                    .column = 13,
	                    .message = "expected integer, got string \"3\"",
	                    .remediation = "write 3 without quotes",
	                    .doc = "docs/rules/schema.md#schematype"};
	f[1] = (gr_finding){.rule = "pss.runAsNonRoot",
	                    .severity = GR_SEV_WARNING,
	                    .action = GR_ACTION_WARN,
	                    .object = &objs[0],
	                    .file = "dir/a b.yaml",
	                    .path = "spec.template.spec",
	                    .line = 6,
	                    .column = 3,
	                    .message = "runAsNonRoot != true, 100%: a\nb",
	                    .remediation = "set runAsNonRoot: true"};
	unsigned char status[1] = {GR_OBJECT_INVALID};
	gr_file_result fr[2] = {
	        {.file = "dir/a b.yaml",
	         .objects = objs,
	         .status = status,
	         .nobjects = 1,
	         .findings = f,
	         .nfindings = 2},
	        {.file = "ok.yaml"},
	};
	static const gr_reason_count cel[] = {{"CEL", 4}};
	gr_summary s = {.files = 2, .objects = 1, .invalid = 1, .findings = 2, .not_evaluated = 4,
			.not_evaluated_reasons = cel, .nnot_evaluated_reasons = 1};

	/* json: exactly the contract's fields */
	char *json = render(GR_FORMAT_JSON, fr, 2, &s);
	const gr_value *j = parse(json);
	CHECK(j != NULL);
	const gr_value *fs = gr_get(j, "findings");
	CHECK(fs && fs->type == GR_ARRAY && fs->u.a.len == 2);
	static const char *const fields[] = {
	        "rule",     "severity", "action", "apiVersion", "kind",    "namespace",   "name",   "file",
	        "document", "line",     "column", "path",       "message", "remediation", "reason", "doc"};
	const gr_value *f0 = gr_at(fs, 0);
	CHECK(f0 && f0->u.o.len == sizeof fields / sizeof fields[0]);
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		CHECK(f0 && f0->u.o.members[i].key && strcmp(f0->u.o.members[i].key, fields[i]) == 0);
	CHECK_STR(gr_get_str(f0, "apiVersion"), "apps/v1");
	CHECK_STR(gr_get_str(f0, "namespace"), "shop");
	CHECK_STR(gr_get_str(f0, "path"), "spec.replicas");
	CHECK(gr_get(f0, "line") && gr_get(f0, "line")->u.i == 7);
	CHECK_STR(gr_get_str(gr_at(fs, 1), "action"), "warn");
	const gr_value *sum = gr_get(j, "summary");
	CHECK(sum && sum->u.o.len == 9);
	CHECK(gr_get(sum, "notEvaluated") && gr_get(sum, "notEvaluated")->u.i == 4);
	CHECK(gr_get(gr_get(sum, "notEvaluatedReasons"), "CEL") &&
	      gr_get(gr_get(sum, "notEvaluatedReasons"), "CEL")->u.i == 4);
	CHECK(gr_get(sum, "files") && gr_get(sum, "files")->u.i == 2);
	CHECK(gr_get(sum, "invalid") && gr_get(sum, "invalid")->u.i == 1);
	free(json);

	/* sarif */
	char *sarif = render(GR_FORMAT_SARIF, fr, 2, &s);
	const gr_value *sv = parse(sarif);
	CHECK(sv != NULL);
	CHECK_STR(gr_get_str(sv, "version"), "2.1.0");
	const gr_value *run = gr_at(gr_get(sv, "runs"), 0);
	const gr_value *res = gr_get(run, "results");
	CHECK(res && res->u.a.len == 2);
	CHECK_STR(gr_get_str(gr_at(res, 0), "ruleId"), "schema.type");
	CHECK_STR(gr_get_str(gr_at(res, 0), "level"), "error");
	CHECK_STR(gr_get_str(gr_at(res, 1), "level"), "warning");
	const gr_value *loc =
	        gr_get_path(gr_at(gr_get(gr_at(res, 0), "locations"), 0), "physicalLocation", NULL);
	CHECK_STR(gr_get_str(gr_get(loc, "artifactLocation"), "uri"), "dir/a%20b.yaml");
	CHECK(gr_get_path(loc, "region", "startLine", NULL) &&
	      gr_get_path(loc, "region", "startLine", NULL)->u.i == 7);
	CHECK(gr_get_path(loc, "region", "startColumn", NULL) &&
	      gr_get_path(loc, "region", "startColumn", NULL)->u.i == 13);
	const gr_value *rules = gr_get_path(run, "tool", "driver", "rules", NULL);
	CHECK(rules && rules->u.a.len == 2);
	CHECK_STR(gr_get_str(gr_at(rules, 0), "id"), "schema.type");
	CHECK_STR(gr_get_str(gr_at(rules, 0), "helpUri"),
	          "https://github.com/guardrail-dev/guardrail/blob/main/docs/rules/schema.md#schematype");
	CHECK(gr_get_path(run, "properties", "notEvaluated", NULL) &&
	      gr_get_path(run, "properties", "notEvaluated", NULL)->u.i == 4);
	free(sarif);

	/* github: escaped workflow commands */
	char *gh = render(GR_FORMAT_GITHUB, fr, 2, &s);
	CHECK(strstr(gh,
	             "::error file=dir/a b.yaml,line=7,col=13,title=schema.type::Deployment/web: expected") ==
	      gh);
	CHECK(strstr(gh, "::warning file=dir/a b.yaml,line=6,col=3,title=pss.runAsNonRoot::") != NULL);
	CHECK(strstr(gh, "100%25: a%0Ab") != NULL);
	free(gh);

	/* junit: a testsuite per file, a failure per finding */
	char *ju = render(GR_FORMAT_JUNIT, fr, 2, &s);
	CHECK(strstr(ju, "<testsuite name=\"dir/a b.yaml\" tests=\"1\" failures=\"1\" errors=\"0\" "
	                 "skipped=\"0\">") != NULL);
	CHECK(strstr(ju, "<testcase classname=\"dir/a b.yaml\" name=\"Deployment/web (document 0)\">") !=
	      NULL);
	CHECK(strstr(ju, "type=\"schema.type\"") != NULL && strstr(ju, "type=\"pss.runAsNonRoot\"") != NULL);
	CHECK(strstr(ju, "got string &quot;3&quot;") != NULL);
	CHECK(strstr(ju, "</testsuites>\n") != NULL);
	free(ju);

	/* text: clickable lines, action marks, summary */
	char *tx = render(GR_FORMAT_TEXT, fr, 2, &s);
	CHECK(strstr(tx, "dir/a b.yaml:7:13: error schema.type: Deployment/web: expected integer") != NULL);
	CHECK(strstr(tx, "    fix: write 3 without quotes\n") != NULL);
	CHECK(strstr(tx, "(warn)") != NULL);
	CHECK(strstr(tx, "1 object in 2 files: 0 valid, 1 invalid, 0 errors, 0 skipped; 4 rules not evaluated (CEL: 4)\n") !=
	      NULL);
	CHECK(strstr(tx, "\033[") == NULL);
	free(tx);

	CHECK(gr_format_parse("sarif") == GR_FORMAT_SARIF && gr_format_parse("xml") == -1);

	/* control characters in names and messages are shown, never sent, in
	 * every text-like format; standard input keeps the name it is given;
	 * positions appear only where there is one; doc links are absolute */
	gr_object evil = objs[0];
	evil.name = "x\n\033[31mred\xc2\x85";
	gr_finding e[2] = {
	        {.rule = "pss.privileged",
	         .severity = GR_SEV_ERROR,
	         .object = &evil,
	         .file = "<stdin>",
	         .path = "spec",
	         .line = 3,
	         .column = 1,
	         .message = "bad\rthing\x7f",
	         .remediation = "fix\033it",
	         .doc = "docs/rules/pss.md#privileged"},
	        {.rule = "read",
	         .severity = GR_SEV_ERROR,
	         .file = "<stdin>",
	         .path = "",
	         .message = "cannot read"},
	};
	unsigned char est[1] = {GR_OBJECT_INVALID};
	gr_file_result efr = {.file = "<stdin>",
	                      .objects = &evil,
	                      .status = est,
	                      .nobjects = 1,
	                      .findings = e,
	                      .nfindings = 2};
	gr_summary es = {.files = 1, .objects = 1, .invalid = 1, .errors = 1, .findings = 2};
	for (int fmt = GR_FORMAT_TEXT; fmt <= GR_FORMAT_GITHUB; fmt++) {
		char *o = render((gr_format)fmt, &efr, 1, &es);
		if (fmt != GR_FORMAT_JSON) { /* JSON escapes as JSON does */
			CHECK(strchr(o, '\033') == NULL && strchr(o, '\r') == NULL &&
			      strchr(o, 0x7f) == NULL);
			CHECK(strstr(o, "\xc2\x85") == NULL);
			CHECK(strstr(o, "x\n\033") == NULL);
		}
		CHECK(strstr(o, "stdin") == NULL || strstr(o, "<stdin>") || strstr(o, "%3Cstdin%3E") ||
		      strstr(o, "&lt;stdin&gt;"));
		CHECK(strstr(o, ":0:0") == NULL && strstr(o, "line=0") == NULL &&
		      strstr(o, "\"startLine\":0") == NULL);
		if (fmt == GR_FORMAT_SARIF || fmt == GR_FORMAT_JSON)
			CHECK(strstr(o, "https://github.com/guardrail-dev/guardrail/blob/main/docs/rules/"
			                "pss.md#privileged") != NULL);
		if (fmt == GR_FORMAT_TEXT)
			CHECK(strstr(o, "1 object in 1 file: 0 valid, 1 invalid, 1 error, 0 skipped") !=
			      NULL);
		free(o);
	}
	gr_arena_free(&arena);
	return test_report("report");
}
