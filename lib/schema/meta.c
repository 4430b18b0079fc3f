/*
 * meta.c — the object-metadata rules the API server applies that the
 * OpenAPI schema does not carry (apimachinery ValidateObjectMeta, as
 * kubectl-validate reproduces it): name or generateName present, name
 * syntax by kind (DNS-1123 subdomain; path segment for RBAC kinds as
 * kubectl-validate does; DNS-1123 label for Namespace, DNS-1035 label for
 * Service as the API server does), namespace syntax, label keys and values,
 * annotation keys and their total size (256 KiB).
 *
 * Errors about labels and annotations are reported at `metadata.labels` /
 * `metadata.annotations` itself, as apimachinery does, positioned at the
 * offending key or value.
 */
#include <ctype.h>
#include <string.h>

#include "validate_int.h"

#define ANNOTATIONS_MAX (256 * 1024)

typedef enum name_rule { NAME_SUBDOMAIN, NAME_PATH_SEGMENT, NAME_LABEL, NAME_1035 } name_rule;

static name_rule rule_for(const gr_object *o)
{
	if (strcmp(o->group, "rbac.authorization.k8s.io") == 0 &&
	    (strcmp(o->kind, "Role") == 0 || strcmp(o->kind, "ClusterRole") == 0 ||
	     strcmp(o->kind, "RoleBinding") == 0 || strcmp(o->kind, "ClusterRoleBinding") == 0))
		return NAME_PATH_SEGMENT;
	if (o->group[0] == '\0' && strcmp(o->kind, "Namespace") == 0)
		return NAME_LABEL;
	if (o->group[0] == '\0' && strcmp(o->kind, "Service") == 0)
		return NAME_1035;
	return NAME_SUBDOMAIN;
}

static bool dns1035_label(const char *s, size_t len)
{
	if (len == 0 || len > 63 || !(s[0] >= 'a' && s[0] <= 'z'))
		return false;
	return gr_is_dns1123_label(s, len);
}

/*
 * A valid name close to s: lower case, every other character turned into
 * '-', runs of '-' folded, trimmed to start and end alphanumeric, cut to the
 * length limit (63 for labels, 253 for subdomains). Empty when nothing is left.
 */
static void suggest_name(const char *s, size_t len, bool dots, bool prefix, char *out, size_t cap)
{
	size_t max = dots ? 253 : 63, n = 0;
	if (max > cap - 1)
		max = cap - 1;
	for (size_t i = 0; i < len && n < max; i++) {
		char c = (char)tolower((unsigned char)s[i]);
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (dots && c == '.');
		if (!ok)
			c = '-';
		if ((c == '-' || c == '.') && (n == 0 || out[n - 1] == '-' || out[n - 1] == '.'))
			continue;
		out[n++] = c;
	}
	while (n && !prefix && (out[n - 1] == '-' || out[n - 1] == '.'))
		n--;
	out[n] = '\0';
}

static void check_name_rule(vctx *v, const gr_value *val, const char *s, size_t len, const char *shown,
                            const char *field, size_t flen, name_rule rule, bool prefix);

/* Report what is wrong with name s (prefix: a generateName, whose trailing '-' is fine). */
static void check_name(vctx *v, const gr_value *val, const char *field, size_t flen, name_rule rule,
                       bool prefix)
{
	char buf[512];
	const char *s = val->u.s.ptr;
	size_t len = val->u.s.len;
	if (prefix && len > 1 && s[len - 1] == '-' && len < sizeof buf) {
		memcpy(buf, s, len);
		buf[len - 1] = 'a';
		s = buf;
	}
	const char *shown = gr_v_show(v, val);
	size_t before = v->out->len;
	check_name_rule(v, val, s, len, shown, field, flen, rule, prefix);
	if (v->out->len > before && rule != NAME_PATH_SEGMENT) {
		char fix[254];
		suggest_name(val->u.s.ptr, val->u.s.len, rule == NAME_SUBDOMAIN, prefix, fix, sizeof fix);
		if (fix[0])
			gr_v_set_fix(v, before, "rename it, for example \"%s\"", fix);
		else
			gr_v_set_fix(v, before, "use lower case letters, digits and '-'%s",
			             rule == NAME_SUBDOMAIN ? " (and '.')" : "");
	}
}

static void check_name_rule(vctx *v, const gr_value *val, const char *s, size_t len, const char *shown,
                            const char *field, size_t flen, name_rule rule, bool prefix)
{
	switch (rule) {
	case NAME_PATH_SEGMENT:
		if (!prefix && ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.')))
			gr_v_report(v, "schema.metadata", "FieldValueInvalid", GR_SEV_ERROR, val->line,
			            val->column, field, flen, "invalid name %s: may not be '.' or '..'",
			            shown);
		else if (memchr(s, '/', len) || memchr(s, '%', len))
			gr_v_report(v, "schema.metadata", "FieldValueInvalid", GR_SEV_ERROR, val->line,
			            val->column, field, flen, "invalid name %s: may not contain '/' or '%%'",
			            shown);
		return;
	case NAME_SUBDOMAIN:
		if (len > 253)
			gr_v_report(v, "schema.metadata", "FieldValueInvalid", GR_SEV_ERROR, val->line,
			            val->column, field, flen,
			            "invalid name %s: must be no more than 253 characters", shown);
		if (!gr_dns1123_subdomain_syntax(s, len))
			gr_v_report(
			        v, "schema.metadata", "FieldValueInvalid", GR_SEV_ERROR, val->line,
			        val->column, field, flen,
			        "invalid name %s: a lowercase RFC 1123 subdomain must consist of lower case "
			        "alphanumeric characters, '-' or '.', and must start and end with an "
			        "alphanumeric "
			        "character (e.g. 'example.com')",
			        shown);
		return;
	case NAME_LABEL:
	case NAME_1035: {
		bool ok = rule == NAME_LABEL ? gr_is_dns1123_label(s, len) : dns1035_label(s, len);
		if (!ok)
			gr_v_report(v, "schema.metadata", "FieldValueInvalid", GR_SEV_ERROR, val->line,
			            val->column, field, flen,
			            "invalid name %s: a %s must be at most 63 lower case alphanumeric "
			            "characters or "
			            "'-', %s and end with an alphanumeric character (e.g. 'my-name')",
			            shown, rule == NAME_LABEL ? "DNS-1123 label" : "DNS-1035 label",
			            rule == NAME_LABEL ? "start" : "start with a letter");
		return;
	}
	}
}

static bool string_map(vctx *v, const gr_value *m, const char *field, size_t flen)
{
	if (m->type != GR_OBJECT) {
		gr_v_report(v, "schema.type", "FieldValueTypeInvalid", GR_SEV_ERROR, m->line, m->column,
		            field, flen, "expected object, got %s %s", gr_type_name(m->type),
		            gr_v_show(v, m));
		return false;
	}
	bool ok = true;
	for (size_t i = 0; i < m->u.o.len; i++) {
		const gr_member *mm = &m->u.o.members[i];
		if (mm->value.type != GR_STRING && mm->value.type != GR_NULL) {
			v_push_key(v, field, flen);
			gr_v_report(v, "schema.type", "FieldValueTypeInvalid", GR_SEV_ERROR, mm->value.line,
			            mm->value.column, mm->key, mm->key_len, "expected string, got %s %s",
			            gr_type_name(mm->value.type), gr_v_show(v, &mm->value));
			v_pop(v);
			ok = false;
		}
	}
	return ok;
}

static void check_labels(vctx *v, const gr_value *labels)
{
	if (labels->type != GR_OBJECT)
		return;
	for (size_t i = 0; i < labels->u.o.len; i++) {
		const gr_member *m = &labels->u.o.members[i];
		if (!gr_is_qualified_name(m->key, m->key_len))
			gr_v_report(v, "schema.metadata", "FieldValueInvalid", GR_SEV_ERROR, m->line,
			            m->column, "labels", 6,
			            "invalid label key \"%s\": a qualified name is an optional DNS subdomain "
			            "prefix and "
			            "'/', then at most 63 alphanumeric characters, '-', '_' or '.', starting "
			            "and ending "
			            "with an alphanumeric character",
			            m->key);
		if (m->value.type == GR_STRING && !gr_is_label_value(m->value.u.s.ptr, m->value.u.s.len))
			gr_v_report(v, "schema.metadata", "FieldValueInvalid", GR_SEV_ERROR, m->value.line,
			            m->value.column, "labels", 6,
			            "invalid label value %s for key \"%s\": a label value must be empty or "
			            "at most 63 "
			            "alphanumeric characters, '-', '_' or '.', starting and ending with an "
			            "alphanumeric "
			            "character",
			            gr_v_show(v, &m->value), m->key);
	}
}

static void check_annotations(vctx *v, const gr_value *ann)
{
	if (ann->type != GR_OBJECT)
		return;
	size_t total = 0;
	for (size_t i = 0; i < ann->u.o.len; i++) {
		const gr_member *m = &ann->u.o.members[i];
		total += m->key_len;
		if (m->value.type == GR_STRING)
			total += m->value.u.s.len;
		char low[400];
		bool ok = m->key_len < sizeof low;
		if (ok) {
			for (size_t k = 0; k < m->key_len; k++)
				low[k] = (char)tolower((unsigned char)m->key[k]);
			ok = gr_is_qualified_name(low, m->key_len);
		}
		if (!ok)
			gr_v_report(v, "schema.metadata", "FieldValueInvalid", GR_SEV_ERROR, m->line,
			            m->column, "annotations", 11,
			            "invalid annotation key \"%s\": a qualified name is an optional DNS "
			            "subdomain prefix "
			            "and '/', then at most 63 alphanumeric characters, '-', '_' or '.', "
			            "starting and "
			            "ending with an alphanumeric character",
			            m->key);
	}
	if (total > ANNOTATIONS_MAX)
		gr_v_report(v, "schema.metadata", "FieldValueTooLong", GR_SEV_ERROR, ann->line, ann->column,
		            "annotations", 11,
		            "annotations are %zu bytes in total, more than the limit of %d", total,
		            ANNOTATIONS_MAX);
}

void gr_v_metadata(vctx *v, const gr_value *meta, bool namespaced, int mode, const gr_value *parent)
{
	if (!meta || meta->type == GR_NULL) {
		if (mode != META_EMBEDDED) {
			gr_v_report(v, "schema.metadata", "FieldValueRequired", GR_SEV_ERROR, parent->line,
			            parent->column, "name", 4, "name or generateName is required");
		}
		return;
	}
	if (meta->type != GR_OBJECT) {
		if (mode != META_BUILTIN) /* built-ins: the schema reported it */
			gr_v_report(v, "schema.type", "FieldValueTypeInvalid", GR_SEV_ERROR, meta->line,
			            meta->column, NULL, 0, "expected object, got %s %s",
			            gr_type_name(meta->type), gr_v_show(v, meta));
		return;
	}
	const gr_value *name = gr_get(meta, "name"), *gen = gr_get(meta, "generateName");
	const gr_value *ns = gr_get(meta, "namespace");
	const gr_value *labels = gr_get(meta, "labels"), *ann = gr_get(meta, "annotations");
	if (mode != META_BUILTIN) {
		static const char *const strs[] = {"name", "generateName", "namespace"};
		for (int i = 0; i < 3; i++) {
			const gr_value *s = gr_get(meta, strs[i]);
			if (s && s->type != GR_STRING && s->type != GR_NULL)
				gr_v_report(v, "schema.type", "FieldValueTypeInvalid", GR_SEV_ERROR, s->line,
				            s->column, strs[i], strlen(strs[i]), "expected string, got %s %s",
				            gr_type_name(s->type), gr_v_show(v, s));
		}
		if (labels && labels->type != GR_NULL && !string_map(v, labels, "labels", 6))
			labels = NULL;
		if (ann && ann->type != GR_NULL && !string_map(v, ann, "annotations", 11))
			ann = NULL;
	}
	bool has_name = name && name->type == GR_STRING && name->u.s.len;
	bool has_gen = gen && gen->type == GR_STRING && gen->u.s.len;
	if (mode != META_EMBEDDED) {
		name_rule rule = rule_for(v->obj);
		if (!has_name && !has_gen)
			gr_v_report(v, "schema.metadata", "FieldValueRequired", GR_SEV_ERROR, meta->line,
			            meta->column, "name", 4, "name or generateName is required");
		if (has_gen)
			check_name(v, gen, "generateName", 12, rule, true);
		if (has_name)
			check_name(v, name, "name", 4, rule, false);
		if (namespaced && ns && ns->type == GR_STRING && ns->u.s.len &&
		    !gr_is_dns1123_label(ns->u.s.ptr, ns->u.s.len))
			gr_v_report(v, "schema.metadata", "FieldValueInvalid", GR_SEV_ERROR, ns->line,
			            ns->column, "namespace", 9,
			            "invalid namespace %s: a namespace must be a DNS-1123 label (at most 63 "
			            "lower case "
			            "alphanumeric characters or '-', starting and ending with an "
			            "alphanumeric character)",
			            gr_v_show(v, ns));
	}
	if (labels)
		check_labels(v, labels);
	if (ann)
		check_annotations(v, ann);
}
