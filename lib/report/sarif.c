/*
 * sarif.c — SARIF 2.1.0, what GitHub code scanning ingests. Results are
 * streamed file by file; the tool section with one rule entry per rule id
 * seen comes after them (JSON member order is free), so nothing is held back.
 */
#include <string.h>
#include <strings.h>

#include "guardrail/rules.h"
#include "report_impl.h"

static const char *level_of(gr_severity s)
{
	return s == GR_SEV_ERROR ? "error" : s == GR_SEV_WARNING ? "warning" : "note";
}

void gr_report_sarif_begin(gr_reporter *r, gr_buf *out)
{
	gr_buf_puts(out,
	            "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\","
	            "\"runs\":[{\"results\":[");
}

static void uri(gr_buf *out, const char *file)
{
	/* artifactLocation.uri is a URI reference: percent-encode what is not allowed. */
	gr_buf b;
	gr_buf_init(&b);
	if (strncmp(file, "./", 2) == 0)
		file += 2;
	if (file[0] == '/') /* an absolute path is a file URI; a relative one stays a relative reference */
		gr_buf_puts(&b, "file://");
	for (const unsigned char *p = (const unsigned char *)file; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~/", *p))
			gr_buf_putc(&b, (char)*p);
		else
			gr_buf_printf(&b, "%%%02X", *p);
	}
	gr_buf_json_string(out, b.data ? b.data : "", b.len);
	gr_buf_free(&b);
}

void gr_report_sarif_file(gr_reporter *r, gr_buf *out, const gr_file_result *fr)
{
	for (size_t i = 0; i < fr->nfindings; i++) {
		const gr_finding *f = &fr->findings[i];
		const char *rule = gr_str_or(f->rule, "unknown");
		size_t idx = gr_reporter_rule_index(r, rule, f);
		if (r->nresults++)
			gr_buf_putc(out, ',');
		gr_buf_puts(out, "\n{\"ruleId\":");
		gr_buf_json_string(out, rule, strlen(rule));
		if (idx != (size_t)-1)
			gr_buf_printf(out, ",\"ruleIndex\":%zu", idx);
		gr_buf_printf(out, ",\"level\":\"%s\",\"message\":{\"text\":", level_of(f->severity));
		gr_buf b;
		gr_buf_init(&b);
		if (f->object && f->object->kind[0]) {
			gr_report_put_safe(&b, f->object->kind);
			gr_buf_putc(&b, '/');
			gr_report_put_safe(&b, f->object->name[0] ? f->object->name : "<unnamed>");
			gr_buf_puts(&b, ": ");
		}
		gr_report_put_safe(&b, gr_str_or(f->message, ""));
		if (f->remediation && f->remediation[0]) {
			gr_buf_puts(&b, " Fix: ");
			gr_report_put_safe(&b, f->remediation);
		}
		if (b.failed)
			r->failed = true;
		gr_buf_json_string(out, b.data ? b.data : "", b.len);
		gr_buf_free(&b);
		gr_buf_puts(out, "},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":");
		uri(out, gr_report_file_of(fr, f));
		gr_buf_putc(out, '}');
		if (f->line)
			gr_buf_printf(out, ",\"region\":{\"startLine\":%u,\"startColumn\":%u}", f->line,
			              f->column ? f->column : 1);
		gr_buf_puts(out, "}");
		if (f->path && f->path[0]) {
			gr_buf_puts(out, ",\"logicalLocations\":[{\"fullyQualifiedName\":");
			gr_buf_json_string(out, f->path, strlen(f->path));
			gr_buf_puts(out, "}]");
		}
		gr_buf_printf(out, "}],\"properties\":{\"action\":\"%s\"", gr_action_name(f->action));
		if (f->rendered_file) {
			gr_buf_puts(out, ",\"renderedFile\":");
			gr_buf_json_string(out, f->rendered_file, strlen(f->rendered_file));
			gr_buf_printf(out, ",\"renderedLine\":%u", f->rendered_line);
		}
		if (f->reason) {
			gr_buf_puts(out, ",\"reason\":");
			gr_buf_json_string(out, f->reason, strlen(f->reason));
		}
		if (f->object) {
			gr_buf_puts(out, ",\"kind\":");
			gr_buf_json_string(out, f->object->kind, strlen(f->object->kind));
			gr_buf_puts(out, ",\"name\":");
			gr_buf_json_string(out, f->object->name, strlen(f->object->name));
			gr_buf_puts(out, ",\"namespace\":");
			gr_buf_json_string(out, f->object->namespace_, strlen(f->object->namespace_));
		}
		gr_buf_puts(out, "}}");
	}
}

/* A friendly name as SARIF wants it (one Pascal-case identifier; the id
 * stays the stable one): "bp.memory-limit" -> "BpMemoryLimit". */
static void friendly_name(gr_buf *out, const char *id)
{
	gr_buf b;
	gr_buf_init(&b);
	bool up = true;
	for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')) {
			gr_buf_putc(&b, (char)(up && *p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p));
			up = false;
		} else {
			up = true;
		}
	}
	if (b.data && strcasecmp(b.data, id) == 0) /* "decode": SARIF wants name and id to differ */
		gr_buf_puts(&b, "Rule");
	gr_buf_json_string(out, b.data ? b.data : "", b.len);
	gr_buf_free(&b);
}

static void text_member(gr_buf *out, const char *name, const char *text)
{
	gr_buf b;
	gr_buf_init(&b);
	gr_report_put_safe(&b, text);
	gr_buf_printf(out, ",\"%s\":{\"text\":", name);
	gr_buf_json_string(out, b.data ? b.data : "", b.len);
	gr_buf_putc(out, '}');
	gr_buf_free(&b);
}

/* One reportingDescriptor with what GitHub code scanning requires of it
 * (id, shortDescription, fullDescription, help.text) and what SARIF asks
 * (a friendly name distinct from the id, an absolute helpUri). A rule of
 * the rule packs is described from its catalogue; another rule (schema,
 * pss, native, policies: their ids are open-ended) by its first finding,
 * said to be an example. */
static void rule_descriptor(gr_reporter *r, gr_buf *out, const struct gr_report_rule *rule, gr_buf *scratch)
{
	const gr_rule_info *info = gr_rules_find(rule->id);
	const char *summary = info && info->summary ? info->summary : NULL;
	const char *fix = info && info->remediation ? info->remediation : rule->remediation;
	const char *help_uri = gr_report_doc_url(r, rule->doc ? rule->doc : info ? info->doc : NULL, scratch);
	gr_buf d;
	gr_buf_init(&d);

	gr_buf_puts(out, "\n{\"id\":");
	gr_buf_json_string(out, rule->id, strlen(rule->id));
	gr_buf_puts(out, ",\"name\":");
	friendly_name(out, rule->id);

	if (summary)
		gr_buf_puts(&d, summary);
	else if (rule->example)
		gr_buf_puts(&d, rule->example);
	else
		gr_buf_printf(&d, "guardrail rule %s", rule->id);
	text_member(out, "shortDescription", d.data ? d.data : "");

	gr_buf_reset(&d);
	if (summary) {
		gr_buf_puts(&d, summary);
		if (info->upstream && info->upstream[0])
			gr_buf_printf(&d, " (covers %s)", info->upstream);
	} else {
		gr_buf_printf(&d, "Reported by guardrail as %s. Example: %s", rule->id,
		              rule->example ? rule->example : "(no message)");
	}
	text_member(out, "fullDescription", d.data ? d.data : "");

	gr_buf_reset(&d);
	if (fix && fix[0])
		gr_buf_printf(&d, "Fix: %s", fix);
	else
		gr_buf_puts(&d, "See the rule's documentation.");
	if (*help_uri)
		gr_buf_printf(&d, " Documentation: %s", help_uri);
	text_member(out, "help", d.data ? d.data : "");
	if (d.failed)
		r->failed = true;
	gr_buf_free(&d);

	if (*help_uri) { /* absolute, as SARIF's helpUri and GitHub code scanning want */
		gr_buf_puts(out, ",\"helpUri\":");
		gr_buf_json_string(out, help_uri, strlen(help_uri));
	}
	gr_buf_putc(out, '}');
}

void gr_report_sarif_end(gr_reporter *r, gr_buf *out, const gr_summary *s)
{
	gr_buf_printf(out, "%s],\"tool\":{\"driver\":{\"name\":\"guardrail\",\"version\":",
	              r->nresults ? "\n" : "");
	gr_buf_json_string(out, r->tool_version, strlen(r->tool_version));
	gr_buf_puts(out, ",\"informationUri\":\"" GR_PROJECT_URL "\",\"rules\":[");
	gr_buf scratch;
	gr_buf_init(&scratch);
	for (size_t i = 0; i < r->nrules; i++) {
		if (i)
			gr_buf_putc(out, ',');
		rule_descriptor(r, out, &r->rules[i], &scratch);
	}
	gr_buf_free(&scratch);
	gr_buf_printf(out,
	              "]}},\"properties\":{\"files\":%zu,\"objects\":%zu,\"valid\":%zu,\"invalid\":%zu,"
	              "\"errors\":%zu,\"skipped\":%zu,\"notEvaluated\":%zu",
	              s->files, s->objects, s->valid, s->invalid, s->errors, s->skipped, s->not_evaluated);
	gr_report_summary_reasons_json(out, s);
	gr_buf_puts(out, "}}]}\n");
}
