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

/*
 * A structural check of SARIF 2.1.0, written from the OASIS schema
 * (sarif-schema-2.1.0.json, read through the spec, not copied): for every
 * object kind guardrail emits, the properties the schema allows
 * (additionalProperties is false in each), the required ones, their types,
 * absolute URIs where the schema says format "uri" (helpUri,
 * informationUri), and regions with startLine/startColumn >= 1. GitHub code
 * scanning's own needs on top: a ruleId per result, a message text, an
 * artifact URI, a driver name.
 */
static int sarif_errors;
#define SARIF_FAIL(...) (fprintf(stderr, "sarif: " __VA_ARGS__), fputc('\n', stderr), sarif_errors++)

static void sarif_keys(const gr_value *o, const char *what, const char *const *allowed,
                       const char *const *required)
{
	if (!o || o->type != GR_OBJECT) {
		SARIF_FAIL("%s is not an object", what);
		return;
	}
	for (size_t i = 0; i < o->u.o.len; i++) {
		bool ok = false;
		for (const char *const *a = allowed; *a; a++)
			ok |= strcmp(o->u.o.members[i].key, *a) == 0;
		if (!ok)
			SARIF_FAIL("%s: property '%s' not allowed by the schema", what,
			           o->u.o.members[i].key);
	}
	for (const char *const *r = required; r && *r; r++)
		if (!gr_get(o, *r))
			SARIF_FAIL("%s: required property '%s' missing", what, *r);
}

static void sarif_uri(const gr_value *o, const char *key, const char *what)
{
	const char *u = gr_get_str(o, key);
	if (gr_get(o, key) && (!u || !strstr(u, "://") || strchr(u, ' ')))
		SARIF_FAIL("%s.%s is not an absolute URI: %s", what, key, u ? u : "(not a string)");
}

static void sarif_message(const gr_value *m, const char *what)
{
	static const char *const allowed[] = {"text", "markdown", "id", "arguments", "properties", NULL};
	sarif_keys(m, what, allowed, NULL);
	if (!gr_get_str(m, "text"))
		SARIF_FAIL("%s: no text (GitHub shows message.text)", what);
}

static void sarif_validate(const gr_value *log)
{
	static const char *const root_keys[] = {"$schema",    "version", "runs", "inlineExternalProperties",
	                                        "properties", NULL};
	static const char *const root_req[] = {"version", "runs", NULL};
	sarif_keys(log, "log", root_keys, root_req);
	CHECK_STR(gr_get_str(log, "version"), "2.1.0");
	sarif_uri(log, "$schema", "log");
	const gr_value *runs = gr_get(log, "runs");
	CHECK(runs && runs->type == GR_ARRAY);
	for (size_t r = 0; runs && r < runs->u.a.len; r++) {
		const gr_value *run = gr_at(runs, r);
		static const char *const run_keys[] = {"tool",
		                                       "invocations",
		                                       "conversion",
		                                       "language",
		                                       "versionControlProvenance",
		                                       "originalUriBaseIds",
		                                       "artifacts",
		                                       "logicalLocations",
		                                       "graphs",
		                                       "results",
		                                       "automationDetails",
		                                       "runAggregates",
		                                       "baselineGuid",
		                                       "redactionTokens",
		                                       "defaultEncoding",
		                                       "defaultSourceLanguage",
		                                       "newlineSequences",
		                                       "columnKind",
		                                       "externalPropertyFileReferences",
		                                       "threadFlowLocations",
		                                       "taxonomies",
		                                       "addresses",
		                                       "translations",
		                                       "policies",
		                                       "webRequests",
		                                       "webResponses",
		                                       "specialLocations",
		                                       "properties",
		                                       NULL};
		static const char *const run_req[] = {"tool", NULL};
		sarif_keys(run, "run", run_keys, run_req);
		static const char *const tool_keys[] = {"driver", "extensions", "properties", NULL};
		static const char *const tool_req[] = {"driver", NULL};
		const gr_value *tool = gr_get(run, "tool");
		sarif_keys(tool, "tool", tool_keys, tool_req);
		const gr_value *driver = gr_get(tool, "driver");
		static const char *const drv_keys[] = {"guid",
		                                       "name",
		                                       "organization",
		                                       "product",
		                                       "productSuite",
		                                       "shortDescription",
		                                       "fullDescription",
		                                       "fullName",
		                                       "version",
		                                       "semanticVersion",
		                                       "dottedQuadFileVersion",
		                                       "releaseDateUtc",
		                                       "downloadUri",
		                                       "informationUri",
		                                       "globalMessageStrings",
		                                       "notifications",
		                                       "rules",
		                                       "taxa",
		                                       "locations",
		                                       "language",
		                                       "contents",
		                                       "isComprehensive",
		                                       "localizedDataSemanticVersion",
		                                       "minimumRequiredLocalizedDataSemanticVersion",
		                                       "associatedComponent",
		                                       "translationMetadata",
		                                       "supportedTaxonomies",
		                                       "properties",
		                                       NULL};
		static const char *const drv_req[] = {"name", NULL};
		sarif_keys(driver, "driver", drv_keys, drv_req);
		sarif_uri(driver, "informationUri", "driver");
		const gr_value *rules = gr_get(driver, "rules");
		size_t nrules = rules && rules->type == GR_ARRAY ? rules->u.a.len : 0;
		for (size_t i = 0; i < nrules; i++) {
			const gr_value *rd = gr_at(rules, i);
			static const char *const rd_keys[] = {"id",
			                                      "deprecatedIds",
			                                      "guid",
			                                      "deprecatedGuids",
			                                      "name",
			                                      "deprecatedNames",
			                                      "shortDescription",
			                                      "fullDescription",
			                                      "messageStrings",
			                                      "defaultConfiguration",
			                                      "helpUri",
			                                      "help",
			                                      "relationships",
			                                      "properties",
			                                      NULL};
			static const char *const rd_req[] = {"id", NULL};
			sarif_keys(rd, "reportingDescriptor", rd_keys, rd_req);
			sarif_uri(rd, "helpUri", "reportingDescriptor");
			const gr_value *sd = gr_get(rd, "shortDescription");
			if (sd && !gr_get_str(sd, "text"))
				SARIF_FAIL("shortDescription without text");
			for (size_t j = 0; j < i; j++) /* uniqueItems */
				if (strcmp(gr_get_str(gr_at(rules, j), "id"), gr_get_str(rd, "id")) == 0)
					SARIF_FAIL("rule %s listed twice", gr_get_str(rd, "id"));
		}
		const gr_value *results = gr_get(run, "results");
		for (size_t i = 0; results && i < results->u.a.len; i++) {
			const gr_value *res = gr_at(results, i);
			static const char *const res_keys[] = {"ruleId",
			                                       "ruleIndex",
			                                       "rule",
			                                       "kind",
			                                       "level",
			                                       "message",
			                                       "analysisTarget",
			                                       "locations",
			                                       "guid",
			                                       "correlationGuid",
			                                       "occurrenceCount",
			                                       "partialFingerprints",
			                                       "fingerprints",
			                                       "stacks",
			                                       "codeFlows",
			                                       "graphs",
			                                       "graphTraversals",
			                                       "relatedLocations",
			                                       "suppressions",
			                                       "baselineState",
			                                       "rank",
			                                       "attachments",
			                                       "hostedViewerUri",
			                                       "workItemUris",
			                                       "provenance",
			                                       "fixes",
			                                       "taxa",
			                                       "webRequest",
			                                       "webResponse",
			                                       "properties",
			                                       NULL};
			static const char *const res_req[] = {"message", "ruleId", NULL}; /* ruleId: GitHub */
			sarif_keys(res, "result", res_keys, res_req);
			sarif_message(gr_get(res, "message"), "result.message");
			const char *level = gr_get_str(res, "level");
			CHECK(level && (strcmp(level, "none") == 0 || strcmp(level, "note") == 0 ||
			                strcmp(level, "warning") == 0 || strcmp(level, "error") == 0));
			const gr_value *ri = gr_get(res, "ruleIndex");
			if (ri && (ri->type != GR_INT || ri->u.i < -1 || (size_t)ri->u.i >= nrules ||
			           strcmp(gr_get_str(gr_at(rules, (size_t)ri->u.i), "id"),
			                  gr_get_str(res, "ruleId")) != 0))
				SARIF_FAIL("ruleIndex does not point at the result's rule");
			const gr_value *locs = gr_get(res, "locations");
			for (size_t l = 0; locs && l < locs->u.a.len; l++) {
				const gr_value *loc = gr_at(locs, l);
				static const char *const loc_keys[] = {
				        "id",          "physicalLocation", "logicalLocations", "message",
				        "annotations", "relationships",    "properties",       NULL};
				sarif_keys(loc, "location", loc_keys, NULL);
				const gr_value *pl = gr_get(loc, "physicalLocation");
				static const char *const pl_keys[] = {"address",    "artifactLocation",
				                                      "region",     "contextRegion",
				                                      "properties", NULL};
				static const char *const pl_req[] = {"artifactLocation", NULL};
				sarif_keys(pl, "physicalLocation", pl_keys, pl_req);
				const gr_value *al = gr_get(pl, "artifactLocation");
				static const char *const al_keys[] = {"uri",         "uriBaseId",  "index",
				                                      "description", "properties", NULL};
				sarif_keys(al, "artifactLocation", al_keys, NULL);
				const char *uri = gr_get_str(al, "uri");
				if (!uri || strchr(uri, ' ') || strchr(uri, '<') || strchr(uri, '>'))
					SARIF_FAIL("artifactLocation.uri is not a URI reference: %s",
					           uri ? uri : "(none)");
				const gr_value *rg = gr_get(pl, "region");
				if (rg) {
					static const char *const rg_keys[] = {
					        "startLine",  "startColumn", "endLine",        "endColumn",
					        "charOffset", "charLength",  "byteOffset",     "byteLength",
					        "snippet",    "message",     "sourceLanguage", "properties",
					        NULL};
					static const char *const rg_req[] = {"startLine", NULL};
					sarif_keys(rg, "region", rg_keys, rg_req);
					const gr_value *sl = gr_get(rg, "startLine"),
					               *sc = gr_get(rg, "startColumn");
					if (!sl || sl->type != GR_INT || sl->u.i < 1 ||
					    (sc && (sc->type != GR_INT || sc->u.i < 1)))
						SARIF_FAIL("region lines and columns start at 1");
				}
				const gr_value *ll = gr_get(loc, "logicalLocations");
				for (size_t k = 0; ll && k < ll->u.a.len; k++) {
					static const char *const ll_keys[] = {
					        "name",        "index", "fullyQualifiedName", "decoratedName",
					        "parentIndex", "kind",  "properties",         NULL};
					sarif_keys(gr_at(ll, k), "logicalLocation", ll_keys, NULL);
				}
			}
			const gr_value *props = gr_get(res, "properties");
			const gr_value *tags = gr_get(props, "tags");
			if (props && props->type != GR_OBJECT)
				SARIF_FAIL("result.properties is not a property bag");
			if (tags && tags->type != GR_ARRAY)
				SARIF_FAIL("properties.tags is not an array");
		}
	}
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
	gr_summary s = {.files = 2,
	                .objects = 1,
	                .invalid = 1,
	                .findings = 2,
	                .not_evaluated = 4,
	                .not_evaluated_reasons = cel,
	                .nnot_evaluated_reasons = 1};

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
	sarif_validate(sv);
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
	CHECK(strstr(tx, "1 object in 2 files: 0 valid, 1 invalid, 0 errors, 0 skipped; 4 rules not "
	                 "evaluated (CEL: 4)\n") != NULL);
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
		if (fmt == GR_FORMAT_SARIF) {
			const gr_value *ev = parse(o);
			CHECK(ev != NULL);
			if (ev)
				sarif_validate(ev);
		}
		if (fmt == GR_FORMAT_SARIF || fmt == GR_FORMAT_JSON)
			CHECK(strstr(o, "https://github.com/guardrail-dev/guardrail/blob/main/docs/rules/"
			                "pss.md#privileged") != NULL);
		if (fmt == GR_FORMAT_TEXT)
			CHECK(strstr(o, "1 object in 1 file: 0 valid, 1 invalid, 1 error, 0 skipped") !=
			      NULL);
		free(o);
	}
	CHECK(sarif_errors == 0);
	/* the check itself can fail: a relative helpUri, an unknown property, a 0 line */
	const gr_value *badlog =
	        parse("{\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"g\","
	              "\"rules\":[{\"id\":\"r\",\"helpUri\":\"docs/r.md\"}]}},\"results\":[{\"ruleId\":"
	              "\"r\",\"level\":\"error\",\"message\":{\"text\":\"m\"},\"extra\":1,\"locations\":"
	              "[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":\"a\"},\"region\":"
	              "{\"startLine\":0}}}]}]}]}");
	sarif_validate(badlog);
	CHECK(sarif_errors == 3);
	gr_arena_free(&arena);
	return test_report("report");
}
