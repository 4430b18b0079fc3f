/*
 * validate.c — one object against its compiled schema, as the API server's
 * structural validation judges it: types, nullable, enum, formats, value
 * limits, unknown fields (pruning), required fields after defaulting,
 * x-kubernetes-list-type map/set uniqueness, embedded resources; then the
 * object-metadata rules (meta.c).
 *
 * Two apiserver behaviours a reader must know: a null on a non-nullable
 * property is pruned (treated as absent) before validation, and an absent
 * property with a default is defaulted first, so a required field with a
 * default is never missing while an object default (`spec: {}`) is itself
 * validated (a Pod without spec lacks spec.containers).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../cnum.h"
#include "guardrail/path.h"
#include "registry_int.h"
#include "validate_int.h"

typedef struct rule_info {
	const char *id, *doc, *fix;
} rule_info;

static const rule_info rules[] = {
        {"schema.type", "docs/rules/schema.md#schematype", "change the value to the type the schema expects"},
        {"schema.required", "docs/rules/schema.md#schemarequired", "add the missing field"},
        {"schema.enum", "docs/rules/schema.md#schemaenum",
         "use one of the supported values (they are case-sensitive)"},
        {"schema.format", "docs/rules/schema.md#schemaformat",
         "write the value in the format the field expects"},
        {"schema.value", "docs/rules/schema.md#schemavalue",
         "bring the value within the limits the schema sets"},
        {"schema.unknown-field", "docs/rules/schema.md#schemaunknown-field",
         "remove the field or fix its spelling or indentation"},
        {"schema.duplicate", "docs/rules/schema.md#schemaduplicate",
         "remove the duplicate entry or change its key fields"},
        {"schema.metadata", "docs/rules/schema.md#schemametadata",
         "fix the name, label or annotation syntax"},
        {"schema.missing", "docs/rules/schema.md#schemamissing",
         "check apiVersion and kind; supply the CustomResourceDefinition that defines the kind, or skip "
         "kinds without a schema"},
        {"schema.object", "docs/rules/schema.md#schemaobject", "give the document apiVersion and kind"},
        {"cel.validation", "docs/rules/cel.md#celvalidation",
         "change the value so that the CRD's x-kubernetes-validations rule holds (the message says which)"},
        {"schema.crd", "docs/rules/schema.md#schemacrd",
         "fix the CustomResourceDefinition's openAPIV3Schema"},
};

static const rule_info *rule_of(const char *id)
{
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (strcmp(rules[i].id, id) == 0)
			return &rules[i];
	return &rules[0];
}

static void build_path(const vctx *v, const char *child, size_t child_len, gr_path *p)
{
	gr_path_init(p, "");
	size_t d = v->depth < VSTACK_MAX ? v->depth : VSTACK_MAX;
	for (size_t i = 0; i < d; i++) {
		if (v->stack[i].key)
			gr_path_push_key(p, v->stack[i].key, v->stack[i].len);
		else
			gr_path_push_index(p, v->stack[i].len);
	}
	if (child)
		gr_path_push_key(p, child, child_len);
}

void gr_v_report(vctx *v, const char *rule, const char *reason, gr_severity sev, uint32_t line,
                 uint32_t column, const char *child_key, size_t child_len, const char *fmt, ...)
{
	if (v->silent) {
		v->silent_errors++;
		return;
	}
	const rule_info *ri = rule_of(rule);
	gr_path p;
	if (v->path_override)
		gr_path_init(&p, v->path_override);
	else
		build_path(v, child_key, child_len, &p);
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	gri_vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	gr_finding *f = gr_findings_add(v->out);
	if (!f)
		return;
	gr_arena *a = v->out->arena;
	f->rule = ri->id;
	f->severity = sev;
	f->action = sev == GR_SEV_ERROR ? GR_ACTION_ENFORCE : GR_ACTION_WARN;
	f->object = v->obj;
	f->file = v->obj->file;
	f->document = v->obj->document;
	f->path = gr_arena_strdup(a, p.buf);
	if (!f->path) {
		f->path = "";
		gr_findings_fail(v->out, "out of memory recording a finding");
	}
	if (v->pos_override) {
		line = v->pos_override->line;
		column = v->pos_override->column;
	}
	f->line = line;
	f->column = column;
	f->message = p.len ? gr_arena_printf(a, "%s: %s", p.buf, msg) : gr_arena_strdup(a, msg);
	if (!f->message) {
		f->message = "";
		gr_findings_fail(v->out, "out of memory recording a finding");
	}
	f->remediation = ri->fix;
	f->doc = ri->doc;
	f->reason = reason;
}

const char *gr_v_show(vctx *v, const gr_value *x)
{
	if (v->silent)
		return "";
	switch (x->type) {
	case GR_NULL: return "null";
	case GR_BOOL: return x->u.b ? "true" : "false";
	case GR_INT:
	case GR_DOUBLE:
	case GR_STRING: {
		gr_buf b;
		gr_buf_init(&b);
		if (x->type == GR_STRING && x->u.s.len > 80) {
			gr_buf_json_string(&b, x->u.s.ptr, 77);
			if (b.len)
				b.len--; /* drop the closing quote */
			gr_buf_puts(&b, "...\"");
		} else {
			gr_write_json(&b, x, -1);
		}
		const char *s = b.data && !b.failed ? gr_arena_strdup(v->out->arena, b.data) : NULL;
		gr_buf_free(&b);
		if (!s)
			gr_findings_fail(v->out, "out of memory recording a finding");
		return s ? s : "?";
	}
	case GR_ARRAY: return "[...]";
	default: return "{...}";
	}
}

static uint8_t value_bits(const gr_value *x)
{
	switch (x->type) {
	case GR_BOOL: return ST_BOOL;
	case GR_INT: return ST_INT | ST_NUM;
	case GR_DOUBLE: {
		double d = x->u.d;
		return (uint8_t)(ST_NUM | (isfinite(d) && floor(d) == d ? ST_INT : 0));
	}
	case GR_STRING: return ST_STR;
	case GR_ARRAY: return ST_ARR;
	case GR_OBJECT: return ST_OBJ;
	}
	return 0;
}

static void types_text(uint8_t t, char *out, size_t cap)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} names[] = {{ST_OBJ, "object"},  {ST_ARR, "array"},  {ST_STR, "string"},
	             {ST_INT, "integer"}, {ST_NUM, "number"}, {ST_BOOL, "boolean"}};
	out[0] = '\0';
	int k = 0;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (!(t & names[i].bit))
			continue;
		if (t & ST_NUM && names[i].bit == ST_INT)
			continue; /* "number" covers integers */
		snprintf(out + strlen(out), cap - strlen(out), "%s%s", k ? " or " : "", names[i].name);
		k++;
	}
}

static bool is_nullable_edge(const sprop *p)
{
	return p->nullable || (p->node->flags & SF_NULLABLE);
}

static void walk(vctx *v, const snode *n, const gr_value *x);

/* ---- remediations: say what to write, not only what is wrong ---- */

/* Set the remediation of the finding just added (if one was added). */
void gr_v_set_fix(vctx *v, size_t before, const char *fmt, ...)
{
	if (v->out->len <= before)
		return;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	gri_vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	const char *fix = gr_arena_strdup(v->out->arena, buf);
	if (fix)
		v->out->items[v->out->len - 1].remediation = fix;
	else
		gr_findings_fail(v->out, "out of memory recording a finding");
}

/* Edit distance with a cap (0..cap+1), for "did you mean". */
static size_t edit_distance(const char *a, size_t na, const char *b, size_t nb, size_t cap)
{
	if (na > 64 || nb > 64)
		return cap + 1;
	size_t prev[65], cur[65];
	for (size_t j = 0; j <= nb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= na; i++) {
		cur[0] = i;
		size_t best = cur[0];
		for (size_t j = 1; j <= nb; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t d = prev[j - 1] + cost;
			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			cur[j] = d;
			if (d < best)
				best = d;
		}
		if (best > cap)
			return cap + 1;
		memcpy(prev, cur, (nb + 1) * sizeof *prev);
	}
	return prev[nb];
}

/* The known property closest to key (case-insensitive equal, or within two
 * edits), or NULL. */
static const sprop *closest_prop(const snode *n, const char *key, size_t len)
{
	const sprop *best = NULL;
	size_t best_d = 3;
	for (uint32_t i = 0; i < n->nprops; i++) {
		const sprop *p = &n->props[i];
		if (p->len == len && strncasecmp(p->name, key, len) == 0)
			return p;
		size_t d = edit_distance(key, len, p->name, p->len, 2);
		if (d < best_d) {
			best_d = d;
			best = p;
		}
	}
	return best;
}

static void fix_type(vctx *v, size_t before, uint8_t types, const gr_value *x, const char *want)
{
	bool wants_number = (types & (ST_INT | ST_NUM)) != 0, wants_string = (types & ST_STR) != 0;
	if (x->type == GR_STRING && wants_number) {
		char *end = NULL;
		char tmp[64];
		snprintf(tmp, sizeof tmp, "%.*s", (int)(x->u.s.len < 63 ? x->u.s.len : 63), x->u.s.ptr);
		double d = gri_strtod(tmp, &end);
		if (x->u.s.len && x->u.s.len < 63 && end && *end == '\0') {
			bool int_only = (types & ST_NUM) == 0;
			/* A number YAML could not hold (1e400 stays text even unquoted) or,
			 * for an integer field, one that is no int64: unquoting won't do. */
			if (isinf(d) || isnan(d) ||
			    (int_only &&
			     (d != floor(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0)))
				gr_v_set_fix(
				        v, before,
				        int_only ? "write a whole number between -9223372036854775808 and "
				                   "9223372036854775807 (without quotes)"
				                 : "write a finite number within the range of a double "
				                   "(without quotes)");
			else
				gr_v_set_fix(v, before, "write the number without quotes: %s", tmp);
			return;
		}
	}
	if (x->type == GR_BOOL && wants_string) {
		gr_v_set_fix(
		        v, before,
		        "quote the value (\"%s\" or the word you meant): YAML 1.1 reads yes/no, on/off, y/n "
		        "and true/false as booleans",
		        x->u.b ? "true" : "false");
		return;
	}
	if ((x->type == GR_INT || x->type == GR_DOUBLE) && wants_string) {
		gr_v_set_fix(v, before, "quote the value so it stays text: \"%s\"", gr_v_show(v, x));
		return;
	}
	if (types & ST_OBJ) {
		gr_v_set_fix(v, before, "write a mapping here (key: value lines indented under the field)");
		return;
	}
	if (types & ST_ARR) {
		gr_v_set_fix(v, before, "write a list here (one \"- \" item per line, or [a, b])");
		return;
	}
	gr_v_set_fix(v, before, "write a value of type %s", want);
}

static void check_enum(vctx *v, const snode *n, const gr_value *x)
{
	if (!n->nenum)
		return;
	for (uint32_t i = 0; i < n->nenum; i++)
		if (gr_equal(&n->enums[i], x))
			return;
	char list[512] = "";
	for (uint32_t i = 0; i < n->nenum && strlen(list) < sizeof list - 100; i++)
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
		         gr_v_show(v, &n->enums[i]));
	size_t before = v->out->len;
	gr_v_report(v, "schema.enum", "FieldValueNotSupported", GR_SEV_ERROR, x->line, x->column, NULL, 0,
	            "unsupported value %s: supported values: %s", gr_v_show(v, x), list);
	if (x->type == GR_STRING)
		for (uint32_t i = 0; i < n->nenum; i++) {
			const gr_value *e = &n->enums[i];
			if (e->type == GR_STRING && e->u.s.len == x->u.s.len &&
			    strncasecmp(e->u.s.ptr, x->u.s.ptr, x->u.s.len) == 0) {
				gr_v_set_fix(v, before, "write %s: values are case-sensitive",
				             gr_v_show(v, e));
				return;
			}
		}
	gr_v_set_fix(v, before, "use one of: %s", list);
}

static size_t utf8_len(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

static const char *not_checked_format(uint8_t format)
{
	return format == FMT_EMAIL
	               ? "format email (an address as Go's net/mail parses it) is not checked"
	               : "format creditcard (govalidator's, which changed across versions) is not checked";
}

static void check_string(vctx *v, const snode *n, const gr_value *x)
{
	const char *s = x->u.s.ptr;
	size_t len = x->u.s.len;
	const char *bad = NULL;
	switch (n->format) {
	case FMT_BYTE:
		if (!gr_format_byte_ok(s, len))
			bad = "base64 data (format byte)";
		break;
	case FMT_DATETIME:
		if (!gr_format_datetime_ok(s, len))
			bad = "an RFC 3339 date-time such as 2024-01-31T12:00:00Z";
		break;
	case FMT_QUANTITY:
		if (!gr_format_quantity_ok(s, len))
			bad = "a quantity such as 500m, 2Gi or 1.5";
		break;
	case FMT_IPV4:
		if (!gr_format_ipv4_ok(s, len))
			bad = "an IPv4 address (format ipv4)";
		break;
	case FMT_IPV6:
		if (!gr_format_ipv6_ok(s, len))
			bad = "an IPv6 address (format ipv6)";
		break;
	case FMT_HOSTNAME: {
		int ok = gri_format_hostname_ok(s, len);
		if (ok < 0) /* counted, never passed as checked */
			gr_check_ctx_not_evaluated(v->ctx, 1,
			                           "a hostname format could not be checked: out of memory");
		else if (!ok)
			bad = "a host name such as example.com (format hostname)";
		break;
	}
	case FMT_EMAIL:
	case FMT_CREDITCARD:
		/* the API server checks these with Go's net/mail and a
		 * govalidator rule whose version is not known: counted, never
		 * passed as checked */
		if (!v->silent)
			gr_check_ctx_not_evaluated(v->ctx, 1, not_checked_format(n->format));
		break;
	case FMT_NONE: break; /* most strings: no table to look in */
	default:              /* a CRD's strfmt format; int32, int64 and password find no rule */
		bad = gri_strfmt_expected(n->format, s, len);
		break;
	}
	if (bad)
		/* kube-openapi's format errors are InvalidType errors */
		gr_v_report(v, "schema.format", "FieldValueTypeInvalid", GR_SEV_ERROR, x->line, x->column,
		            NULL, 0, "invalid value %s: expected %s", gr_v_show(v, x), bad);
	if (n->pattern && n->pattern->re) {
		int m = gr_regex_match(n->pattern->re, s, len, NULL);
		if (m == 0)
			gr_v_report(v, "schema.value", "FieldValueInvalid", GR_SEV_ERROR, x->line, x->column,
			            NULL, 0, "invalid value %s: should match '%s'", gr_v_show(v, x),
			            n->pattern_src);
		else if (m < 0) { /* counted, never passed as checked */
			gr_check_ctx_not_evaluated(v->ctx, 1,
			                           "a pattern could not be matched: out of memory");
		}
	} else if (n->pattern) {
		/* Go rejects the pattern, so the API server rejects the CRD: say so
		 * here rather than accept the value unchecked. */
		gr_v_report(v, "schema.crd", "FieldValueInvalid", GR_SEV_ERROR, x->line, x->column, NULL, 0,
		            "value %s not checked: the schema's pattern '%s' is invalid: %s", gr_v_show(v, x),
		            n->pattern_src, n->pattern->error);
	}
	if (n->min_len >= 0 || n->max_len >= 0) {
		size_t runes = utf8_len(s, len);
		if (n->max_len >= 0 && runes > (size_t)n->max_len)
			gr_v_report(v, "schema.value", "FieldValueTooLong", GR_SEV_ERROR, x->line, x->column,
			            NULL, 0, "must have at most %lld characters (has %zu)",
			            (long long)n->max_len, runes);
		if (n->min_len >= 0 && runes < (size_t)n->min_len)
			gr_v_report(v, "schema.value", "FieldValueInvalid", GR_SEV_ERROR, x->line, x->column,
			            NULL, 0, "must have at least %lld characters (has %zu)",
			            (long long)n->min_len, runes);
	}
}

static void check_number(vctx *v, const snode *n, const gr_value *x)
{
	double d = gr_number(x);
	if (n->format == FMT_INT32 && (d < -2147483648.0 || d > 2147483647.0))
		gr_v_report(v, "schema.format", "FieldValueInvalid", GR_SEV_ERROR, x->line, x->column, NULL,
		            0, "invalid value %s: out of range for a 32-bit integer (format int32)",
		            gr_v_show(v, x));
	else if (n->format == FMT_INT64 && x->type == GR_DOUBLE &&
	         (d < -9223372036854775808.0 || d >= 9223372036854775808.0))
		gr_v_report(v, "schema.format", "FieldValueInvalid", GR_SEV_ERROR, x->line, x->column, NULL,
		            0, "invalid value %s: out of range for a 64-bit integer (format int64)",
		            gr_v_show(v, x));
	if (n->flags & SF_HAS_MIN) {
		bool bad = (n->flags & SF_EXCL_MIN) ? d <= n->minimum : d < n->minimum;
		if (bad)
			gr_v_report(v, "schema.value", "FieldValueInvalid", GR_SEV_ERROR, x->line, x->column,
			            NULL, 0, "invalid value %s: should be greater than %s%g", gr_v_show(v, x),
			            (n->flags & SF_EXCL_MIN) ? "" : "or equal to ", n->minimum);
	}
	if (n->flags & SF_HAS_MAX) {
		bool bad = (n->flags & SF_EXCL_MAX) ? d >= n->maximum : d > n->maximum;
		if (bad)
			gr_v_report(v, "schema.value", "FieldValueInvalid", GR_SEV_ERROR, x->line, x->column,
			            NULL, 0, "invalid value %s: should be less than %s%g", gr_v_show(v, x),
			            (n->flags & SF_EXCL_MAX) ? "" : "or equal to ", n->maximum);
	}
	if (n->multiple_of > 0) {
		double q = d / n->multiple_of;
		if (fabs(q - nearbyint(q)) > 1e-9)
			gr_v_report(v, "schema.value", "FieldValueInvalid", GR_SEV_ERROR, x->line, x->column,
			            NULL, 0, "invalid value %s: should be a multiple of %g", gr_v_show(v, x),
			            n->multiple_of);
	}
}

/* The key of item x of a list-map: member or default per key; absent keys are NULL. */
static const gr_value *map_key(const snode *n, const gr_value *x, uint32_t k)
{
	const gr_value *m = gr_get(x, n->keys[k]);
	if (m && m->type != GR_NULL)
		return m;
	if (n->items) {
		const sprop *p = gr_snode_prop(n->items, n->keys[k], strlen(n->keys[k]));
		if (p && p->dflt)
			return p->dflt;
	}
	return NULL;
}

static bool same_entry(const snode *n, bool is_map, const gr_value *a, const gr_value *b)
{
	if (!is_map)
		return gr_equal(a, b);
	for (uint32_t k = 0; k < n->nkeys; k++) {
		const gr_value *x = map_key(n, a, k), *y = map_key(n, b, k);
		if (!x || !y) {
			if (x != y)
				return false;
		} else if (!gr_equal(x, y)) {
			return false;
		}
	}
	return true;
}

static uint64_t entry_hash(const snode *n, bool is_map, const gr_value *a)
{
	if (!is_map)
		return gr_value_hash(a);
	uint64_t h = 7;
	for (uint32_t k = 0; k < n->nkeys; k++) {
		const gr_value *x = map_key(n, a, k);
		h = h * 1099511628211ULL + (x ? gr_value_hash(x) : 1);
	}
	return h;
}

typedef struct hidx {
	uint64_t h;
	size_t i;
} hidx;

static int hidx_cmp(const void *a, const void *b)
{
	const hidx *x = a, *y = b;
	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static void report_duplicate(vctx *v, const snode *n, bool is_map, const gr_value *item, size_t index)
{
	gr_buf b;
	gr_buf_init(&b);
	if (is_map) {
		gr_buf_putc(&b, '{');
		for (uint32_t k = 0; k < n->nkeys; k++) {
			const gr_value *x = map_key(n, item, k);
			if (!x)
				continue;
			if (b.len > 1)
				gr_buf_putc(&b, ',');
			gr_buf_json_string(&b, n->keys[k], strlen(n->keys[k]));
			gr_buf_putc(&b, ':');
			gr_write_json(&b, x, -1);
		}
		gr_buf_putc(&b, '}');
	} else {
		gr_write_json(&b, item, -1);
	}
	if (b.len > 300) {
		b.len = 300;
		b.data[300] = '\0';
	}
	v_push_index(v, index);
	gr_v_report(v, "schema.duplicate", "FieldValueDuplicate", GR_SEV_ERROR, item->line, item->column,
	            NULL, 0, "duplicate value %s (%s)", b.data ? b.data : "",
	            is_map ? "the key fields of a list-map entry must be unique"
	                   : "the entries of a set must be unique");
	v_pop(v);
	gr_buf_free(&b);
}

static void check_unique(vctx *v, const snode *n, const gr_value *x, bool is_map)
{
	size_t len = x->u.a.len;
	const gr_value *items = x->u.a.items;
	if (len < 2)
		return;
	if (len <= 32) {
		for (size_t i = 1; i < len; i++) {
			if (is_map && items[i].type != GR_OBJECT)
				continue;
			for (size_t j = 0; j < i; j++) {
				if (is_map && items[j].type != GR_OBJECT)
					continue;
				if (same_entry(n, is_map, &items[i], &items[j])) {
					report_duplicate(v, n, is_map, &items[i], i);
					break;
				}
			}
		}
		return;
	}
	hidx *h = malloc(len * sizeof *h);
	unsigned char *dup = calloc(len, 1);
	if (!h || !dup) {
		free(h);
		free(dup);
		return;
	}
	size_t m = 0;
	for (size_t i = 0; i < len; i++)
		if (!is_map || items[i].type == GR_OBJECT)
			h[m++] = (hidx){entry_hash(n, is_map, &items[i]), i};
	qsort(h, m, sizeof *h, hidx_cmp);
	for (size_t a = 0; a < m;) {
		size_t b = a + 1;
		while (b < m && h[b].h == h[a].h)
			b++;
		for (size_t i = a + 1; i < b && i - a < 64; i++) /* bounded per hash run */
			for (size_t j = a; j < i; j++)
				if (!dup[h[i].i] && same_entry(n, is_map, &items[h[i].i], &items[h[j].i])) {
					dup[h[i].i] = 1;
					break;
				}
		a = b;
	}
	for (size_t i = 0; i < len; i++)
		if (dup[i])
			report_duplicate(v, n, is_map, &items[i], i);
	free(h);
	free(dup);
}

static void check_array(vctx *v, const snode *n, const gr_value *x)
{
	size_t len = x->u.a.len;
	if (n->items)
		for (size_t i = 0; i < len; i++) {
			v_push_index(v, i);
			walk(v, n->items, &x->u.a.items[i]);
			v_pop(v);
		}
	if (n->max_items >= 0 && len > (size_t)n->max_items)
		gr_v_report(v, "schema.value", "FieldValueTooMany", GR_SEV_ERROR, x->line, x->column, NULL, 0,
		            "must have at most %lld items (has %zu)", (long long)n->max_items, len);
	if (n->min_items >= 0 && len < (size_t)n->min_items)
		gr_v_report(v, "schema.value", "FieldValueInvalid", GR_SEV_ERROR, x->line, x->column, NULL, 0,
		            "must have at least %lld items (has %zu)", (long long)n->min_items, len);
	if ((n->flags & SF_LIST_MAP) && n->nkeys)
		check_unique(v, n, x, true);
	else if (n->flags & (SF_LIST_SET | SF_UNIQUE))
		check_unique(v, n, x, false);
}

static bool is_type_meta(const char *k, size_t len)
{
	return (len == 10 && memcmp(k, "apiVersion", 10) == 0) || (len == 4 && memcmp(k, "kind", 4) == 0) ||
	       (len == 8 && memcmp(k, "metadata", 8) == 0);
}

static bool is_zero_default(const gr_value *d)
{
	return (d->type == GR_STRING && d->u.s.len == 0) || (d->type == GR_INT && d->u.i == 0) ||
	       (d->type == GR_DOUBLE && d->u.d == 0) || (d->type == GR_BOOL && !d->u.b);
}

/* root: 0 nested, 1 built-in root, 2 custom resource root */
static void walk_object(vctx *v, const snode *n, const gr_value *x, int root)
{
	bool embedded = (n->flags & SF_EMBEDDED) != 0;
	size_t len = x->u.o.len;
	if (n->max_props >= 0 && len > (size_t)n->max_props)
		gr_v_report(v, "schema.value", "FieldValueTooMany", GR_SEV_ERROR, x->line, x->column, NULL, 0,
		            "must have at most %lld properties (has %zu)", (long long)n->max_props, len);
	if (n->min_props >= 0 && len < (size_t)n->min_props)
		gr_v_report(v, "schema.value", "FieldValueInvalid", GR_SEV_ERROR, x->line, x->column, NULL, 0,
		            "must have at least %lld properties (has %zu)", (long long)n->min_props, len);
	for (size_t i = 0; i < len; i++) {
		const gr_member *m = &x->u.o.members[i];
		if (root == 2 && m->key_len == 8 && memcmp(m->key, "metadata", 8) == 0)
			continue; /* custom resource metadata: ObjectMeta rules in meta.c */
		const sprop *p = n->nprops ? gr_snode_prop(n, m->key, m->key_len) : NULL;
		if (p) {
			if (m->value.type == GR_NULL && !is_nullable_edge(p))
				continue; /* pruned */
			v_push_key(v, m->key, m->key_len);
			walk(v, p->node, &m->value);
			v_pop(v);
		} else if (n->additional) {
			if (m->value.type == GR_NULL && !(n->additional->flags & SF_NULLABLE))
				continue;
			v_push_key(v, m->key, m->key_len);
			walk(v, n->additional, &m->value);
			v_pop(v);
		} else if ((root || embedded) && is_type_meta(m->key, m->key_len)) {
			if (embedded && m->key[0] != 'm' && m->value.type != GR_STRING)
				gr_v_report(v, "schema.type", "FieldValueTypeInvalid", GR_SEV_ERROR,
				            m->value.line, m->value.column, m->key, m->key_len,
				            "expected string, got %s %s", gr_type_name(m->value.type),
				            gr_v_show(v, &m->value));
		} else if (!(n->flags & SF_PRESERVE) && !v->in_branch) {
			bool strict = v->opt->strict;
			size_t before = v->out->len;
			gr_v_report(v, "schema.unknown-field", "FieldValueInvalid",
			            strict ? GR_SEV_ERROR : GR_SEV_WARNING, m->line, m->column, m->key,
			            m->key_len, "unknown field \"%s\"", m->key);
			const sprop *near = closest_prop(n, m->key, m->key_len);
			if (near)
				gr_v_set_fix(v, before,
				             "did you mean \"%.*s\"? Otherwise remove the field or fix its "
				             "indentation",
				             (int)near->len, near->name);
			else
				gr_v_set_fix(v, before,
				             "remove the field, or fix its indentation if it belongs to "
				             "another level");
		}
	}
	for (uint32_t r = 0; r < n->nrequired; r++) {
		const char *name = n->required[r];
		size_t nl = strlen(name);
		const gr_member *m = gr_get_member(x, name, nl);
		const sprop *p = n->nprops ? gr_snode_prop(n, name, nl) : NULL;
		if (m && !(m->value.type == GR_NULL && p && !is_nullable_edge(p)))
			continue;
		/* A default satisfies `required`, except a Go zero value ("", 0,
		 * false): the published schemas give every required string and
		 * number such a default (Container.name: "", ContainerPort.
		 * containerPort: 0) and the API server's own validation then
		 * rejects it as missing. Inside a value the defaults supplied
		 * (status: {} of a CRD) nothing was written by the user, so
		 * there every default counts. */
		if (p && p->dflt && (v->in_default || !is_zero_default(p->dflt)))
			continue; /* defaulted */
		if (root == 2 && nl == 8 && memcmp(name, "metadata", 8) == 0)
			continue;
		size_t before = v->out->len;
		gr_v_report(v, "schema.required", "FieldValueRequired", GR_SEV_ERROR, x->line, x->column,
		            name, nl, "required field \"%s\" is missing", name);
		gr_v_set_fix(v, before, "add the field \"%s\" here", name);
	}
	if (v->depth < 64 && !v->in_branch)
		for (uint32_t d = 0; d < n->ndefaulted; d++) {
			const sprop *p = n->defaulted[d];
			const gr_member *m = gr_get_member(x, p->name, p->len);
			if (m && !(m->value.type == GR_NULL && !is_nullable_edge(p)))
				continue;
			const gr_value *saved = v->pos_override;
			if (!saved)
				v->pos_override = x;
			v_push_key(v, p->name, p->len);
			v->in_default++;
			walk(v, p->node, p->dflt);
			v->in_default--;
			v_pop(v);
			v->pos_override = saved;
		}
	if (embedded) {
		static const char *const need[] = {"apiVersion", "kind"};
		for (int i = 0; i < 2; i++) {
			const gr_value *s = gr_get(x, need[i]);
			if (!s || (s->type == GR_STRING && s->u.s.len == 0))
				gr_v_report(v, "schema.required", "FieldValueRequired", GR_SEV_ERROR, x->line,
				            x->column, need[i], strlen(need[i]),
				            "required field \"%s\" is missing (embedded resource)", need[i]);
		}
		const gr_value *meta = gr_get(x, "metadata");
		if (meta && !gr_snode_prop(n, "metadata", 8)) {
			v_push_key(v, "metadata", 8);
			gr_v_metadata(v, meta, false, META_EMBEDDED, x);
			v_pop(v);
		}
	}
}

static void walk_root(vctx *v, const snode *n, const gr_value *x, int root);

/* Errors x would get against branch b, without reporting them; *matches
 * is the branch's MatchCount. */
static size_t trial(vctx *v, const snode *b, const gr_value *x, size_t *matches)
{
	bool saved = v->silent;
	size_t saved_n = v->silent_errors, saved_m = v->matches;
	v->silent = true;
	v->silent_errors = 0;
	v->matches = 0;
	v->in_branch++;
	walk_root(v, b, x, 0);
	v->in_branch--;
	size_t errors = v->silent_errors;
	*matches = v->matches;
	v->silent = saved;
	v->silent_errors = saved_n;
	v->matches = saved_m;
	return errors;
}

/* Report the errors of branch b, the alternative that came closest, as
 * the API server does (its MatchCount was counted by the trial). */
static void explain(vctx *v, const snode *b, const gr_value *x)
{
	if (v->silent)
		return; /* a trial: the combinator's own error already counts */
	size_t saved_m = v->matches, before = v->out->len;
	v->in_branch++;
	walk_root(v, b, x, 0);
	v->in_branch--;
	v->matches = saved_m;
	/* what the schema itself reported already is not said twice (the
	 * API server drops repeated messages from its answer) */
	gr_finding *f = v->out->items;
	size_t k = before;
	for (size_t i = before; i < v->out->len; i++) {
		bool seen = false;
		for (size_t j = v->first; j < k && !seen; j++)
			seen = f[j].rule == f[i].rule && f[j].line == f[i].line &&
			       f[j].column == f[i].column && strcmp(f[j].path, f[i].path) == 0 &&
			       strcmp(f[j].message, f[i].message) == 0;
		if (!seen)
			f[k++] = f[i];
	}
	v->out->len = k;
}

/* No alternative of an anyOf/oneOf fits x: the combinator's error, naming
 * the closest (best), then that alternative's own errors. */
static void none_matches(vctx *v, const gr_value *x, const char *what, const snode *const *alts,
                         uint32_t nalts, uint32_t best)
{
	size_t before = v->out->len;
	gr_v_report(v, "schema.value", "FieldValueInvalid", GR_SEV_ERROR, x->line, x->column, NULL, 0,
	            "%s; none of %u matches, the closest is alternative %u", what, nalts, best + 1);
	gr_v_set_fix(v, before,
	             "fix what is reported at this path for the closest alternative, or make the value "
	             "fit another alternative of the schema");
	explain(v, alts[best], x);
}

/* x with the defaults of n's absent properties filled in, as the API server
 * defaults before it validates (a oneOf branch may test a defaulted field). */
static const gr_value *defaulted_view(vctx *v, const snode *n, const gr_value *x)
{
	if (x->type != GR_OBJECT || !n->nprops)
		return x;
	size_t missing = 0;
	for (uint32_t i = 0; i < n->nprops; i++)
		if (n->props[i].dflt && !gr_get_member(x, n->props[i].name, n->props[i].len))
			missing++;
	if (!missing)
		return x;
	gr_value *view = gr_arena_alloc(v->out->arena, sizeof *view);
	gr_member *ms = gr_arena_calloc(v->out->arena, x->u.o.len + missing, sizeof *ms);
	if (!view || !ms)
		return x;
	*view = *x;
	if (x->u.o.len)
		memcpy(ms, x->u.o.members, x->u.o.len * sizeof *ms);
	size_t k = x->u.o.len;
	for (uint32_t i = 0; i < n->nprops; i++) {
		const sprop *p = &n->props[i];
		if (p->dflt && !gr_get_member(x, p->name, p->len)) {
			gr_member_set_key(&ms[k], p->name, p->len);
			ms[k].line = x->line;
			ms[k].column = x->column;
			ms[k].value = *p->dflt;
			ms[k].value.line = x->line;
			ms[k].value.column = x->column;
			k++;
		}
	}
	view->u.o.members = ms;
	view->u.o.len = k;
	return view;
}

static void check_combinators(vctx *v, const snode *n, const gr_value *x)
{
	if (v->depth > 200)
		return;
	x = defaulted_view(v, n, x);
	for (uint32_t i = 0; i < n->nall_of; i++) {
		v->in_branch++;
		walk_root(v, n->all_of[i], x, 0);
		v->in_branch--;
	}
	/* anyOf and oneOf as kube-openapi judges them: when no alternative
	 * fits, the errors of the one with the highest MatchCount (the first
	 * on a tie) are reported beside the combinator's own, and that count
	 * is the enclosing schema's too (an outer anyOf/oneOf weighs it). */
	if (n->nany_of) {
		uint32_t best = 0;
		size_t best_m = 0, m = 0;
		bool ok = false;
		for (uint32_t i = 0; i < n->nany_of && !ok; i++) {
			ok = trial(v, n->any_of[i], x, &m) == 0;
			if (!ok && (i == 0 || m > best_m))
				best = i, best_m = m;
		}
		if (!ok) {
			none_matches(v, x, "must validate at least one schema (anyOf)", n->any_of, n->nany_of,
			             best);
			m = best_m;
		}
		v->matches += m;
	}
	if (n->none_of) {
		uint32_t ok = 0, best = UINT32_MAX;
		size_t best_m = 0, first_m = 0;
		for (uint32_t i = 0; i < n->none_of; i++) {
			size_t m;
			if (trial(v, n->one_of[i], x, &m) == 0) {
				if (!ok++)
					first_m = m;
				best = UINT32_MAX;
			} else if (!ok && (best == UINT32_MAX || m > best_m)) {
				best = i, best_m = m;
			}
		}
		if (ok == 1) {
			v->matches += first_m;
		} else if (ok) {
			gr_v_report(v, "schema.value", "FieldValueInvalid", GR_SEV_ERROR, x->line, x->column,
			            NULL, 0, "must validate one and only one schema (oneOf); %u of %u match",
			            ok, n->none_of);
		} else {
			none_matches(v, x, "must validate one and only one schema (oneOf)", n->one_of,
			             n->none_of, best);
			v->matches += best_m;
		}
	}
	size_t not_m;
	if (n->not_ && trial(v, n->not_, x, &not_m) == 0)
		gr_v_report(v, "schema.value", "FieldValueInvalid", GR_SEV_ERROR, x->line, x->column, NULL, 0,
		            "must not validate the schema (not)");
}

static void walk(vctx *v, const snode *n, const gr_value *x)
{
	walk_root(v, n, x, 0);
}

/*
 * kube-openapi's MatchCount of x against n, without its children: what
 * decides which failing anyOf/oneOf alternative the API server reports.
 * Its SchemaValidator counts each of its eight validators that applies to
 * the value's kind, one more for the schema, and what some validators
 * count themselves: the type validator 1 when the type fits, the schema
 * props validator 1 (its alternatives' counts are added where it judges
 * them), the number and slice validators 1 each; the object and slice
 * validators add their properties' and items' counts (the walk below
 * them does). A null counts 1 when the schema allows it, nothing else.
 */
static void count_matches(vctx *v, const snode *n, const gr_value *x, bool type_ok)
{
	if (!v->silent)
		return; /* only a trial's count is ever read */
	if (x->type == GR_NULL) {
		v->matches += type_ok;
		return;
	}
	size_t m = 2 /* schema props: applied, its own count */ + 1 /* common (enum) */ + 1 /* the schema */;
	if (n->types || n->format != FMT_NONE)
		m += 1 + type_ok;
	switch (x->type) {
	case GR_STRING:
		m += 1;                               /* string */
		m += gri_format_is_strfmt(n->format); /* format: one strfmt knows */
		break;
	case GR_INT:
	case GR_DOUBLE: m += 2; break; /* number: applied, its own count */
	case GR_ARRAY: m += 2; break;  /* slice: applied, its own count */
	case GR_OBJECT: m += 1; break; /* object: applied */
	default: break;
	}
	v->matches += m;
}

static void walk_root(vctx *v, const snode *n, const gr_value *x, int root)
{
	if (n->nvalidations && !v->in_branch && !v->cel_done) {
		gr_check_ctx_not_evaluated(
		        v->ctx, n->nvalidations,
		        "CEL validation rules (x-kubernetes-validations) are not evaluated");
	}
	if (x->type == GR_NULL) {
		bool ok = (n->flags & SF_NULLABLE) || n->types == 0;
		count_matches(v, n, x, ok);
		if (ok)
			return;
		char want[64];
		types_text(n->types, want, sizeof want);
		gr_v_report(v, "schema.type", "FieldValueTypeInvalid", GR_SEV_ERROR, x->line, x->column, NULL,
		            0, "expected %s, got null", want);
		return;
	}
	uint8_t bits = value_bits(x);
	count_matches(v, n, x, !n->types || (n->types & bits));
	if (n->types && !(n->types & bits)) {
		char want[64];
		types_text(n->types, want, sizeof want);
		size_t before = v->out->len;
		gr_v_report(v, "schema.type", "FieldValueTypeInvalid", GR_SEV_ERROR, x->line, x->column, NULL,
		            0, "expected %s, got %s %s", want, gr_type_name(x->type), gr_v_show(v, x));
		fix_type(v, before, n->types, x, want);
		check_enum(v, n, x);
		return;
	}
	check_enum(v, n, x);
	switch (x->type) {
	case GR_STRING: check_string(v, n, x); break;
	case GR_INT:
	case GR_DOUBLE: check_number(v, n, x); break;
	case GR_ARRAY: check_array(v, n, x); break;
	case GR_OBJECT: walk_object(v, n, x, root); break;
	default: break;
	}
	if (n->nall_of || n->nany_of || n->none_of || n->not_)
		check_combinators(v, n, x);
}

int gr_schema_check(gr_schema_registry *r, const gr_object *obj, const gr_schema_check_options *opt,
                    gr_check_ctx *ctx, gr_findings *out)
{
	vctx *v = malloc(sizeof *v);
	if (!v) {
		gr_findings_fail(out, "out of memory validating an object");
		return -1;
	}
	memset(v, 0, offsetof(vctx, stack));
	v->depth = 0;
	v->pos_override = NULL;
	v->path_override = NULL;
	v->in_branch = 0;
	v->in_default = 0;
	v->silent = false;
	v->silent_errors = 0;
	v->matches = 0;
	v->obj = obj;
	v->reg = r;
	v->opt = opt;
	v->ctx = ctx;
	v->out = out;
	v->first = out->len;
	const gr_value *root = obj->root;
	if (!root || root->type != GR_OBJECT) {
		gr_v_report(v, "schema.object", "FieldValueTypeInvalid", GR_SEV_ERROR, root ? root->line : 0,
		            root ? root->column : 0, NULL, 0, "the document is %s, not a Kubernetes object",
		            !root                     ? "nothing"
		            : root->type == GR_ARRAY  ? "an array"
		            : root->type == GR_OBJECT ? "an object"
		            : root->type == GR_INT    ? "an integer"
		            : root->type == GR_NULL   ? "null"
		            : root->type == GR_BOOL   ? "a boolean"
		            : root->type == GR_STRING ? "a string"
		                                      : "a number");
		free(v);
		return 0;
	}
	const gr_value *av = gr_get(root, "apiVersion"), *kd = gr_get(root, "kind");
	bool bad = false;
	if (!av || av->type != GR_STRING || av->u.s.len == 0) {
		gr_v_report(v, "schema.object", "FieldValueRequired", GR_SEV_ERROR, root->line, root->column,
		            "apiVersion", 10, "apiVersion is missing or not a string");
		bad = true;
	}
	if (!kd || kd->type != GR_STRING || kd->u.s.len == 0) {
		gr_v_report(v, "schema.object", "FieldValueRequired", GR_SEV_ERROR, root->line, root->column,
		            "kind", 4, "kind is missing or not a string");
		bad = true;
	}
	if (bad) {
		free(v);
		return 0;
	}
	const kind_entry *e;
	char gv_error[600];
	if (gr_registry_lookup_checked(r, obj->group, obj->version, obj->kind, &e, gv_error,
	                               sizeof gv_error)) {
		/* the schema exists but cannot be used: not a verdict, an error */
		const char *why = gr_arena_printf(
		        out->arena, "%s%s", strncmp(gv_error, "out of memory", 13) ? "schema document " : "",
		        gv_error);
		gr_findings_fail(out, why ? why : "a schema document could not be used");
		free(v);
		return -1;
	}
	if (!e) {
		if (opt->ignore_missing_schemas) {
			ctx->skipped = true;
			ctx->skip_reason = "no schema for this kind";
		} else {
			char hint[256];
			gr_registry_suggest(r, obj->group, obj->version, obj->kind, hint, sizeof hint);
			gr_v_report(v, "schema.missing", NULL, GR_SEV_ERROR, kd->line, kd->column, NULL, 0,
			            "no schema for kind %s in %s (Kubernetes %s)%s", obj->kind,
			            obj->api_version, r->version, hint);
		}
		free(v);
		return 0;
	}
	v->cel_done = e->root->cel != NULL;
	walk_root(v, e->root, root, e->crd ? 2 : 1);
	if (e->root->cel)
		gr_v_cel(v, e->root, root,
		         ctx && ctx->old_object ? ctx->old_object /* an admission request's */
		         : opt->old             ? gr_old_objects_find(opt->old, obj)
		                                : NULL);
	const gr_value *meta = gr_get(root, "metadata");
	v_push_key(v, "metadata", 8);
	gr_v_metadata(v, meta, e->namespaced, e->crd ? META_CUSTOM : META_BUILTIN, root);
	v_pop(v);
	if (!e->crd && strcmp(obj->kind, "CustomResourceDefinition") == 0 &&
	    strcmp(obj->group, "apiextensions.k8s.io") == 0)
		gr_v_crd_object(v, root);
	free(v);
	return out->failed ? -1 : 0; /* a finding that could not be recorded */
}
