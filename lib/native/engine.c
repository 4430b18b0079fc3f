/*
 * engine.c — the "native" engine: the API server's hand-written validation
 * of built-in kinds (pkg/apis/<group>/validation), with the server's field
 * paths, cause reasons and messages. Options: kubernetes-version 1.Y (rules
 * that changed across versions follow it) and stored (objects read from a
 * cluster: the rules that hold only at creation are adjusted).
 * Findings are reported through the helpers here, one per cause.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "native_int.h"

typedef struct nv_config {
	int minor;
	bool stored;
} nv_config;

static int config_new(void **out, gr_error *err)
{
	nv_config *c = calloc(1, sizeof *c);
	if (!c)
		return gr_error_set(err, 0, 0, "out of memory");
	/* No version given: the newest behaviour known, as check's default is the
	 * newest schemas present (every gate below is on by 1.33). */
	c->minor = NV_MINOR_LATEST;
	*out = c;
	return 0;
}

static int config_set(void *p, const char *key, const char *value, gr_error *err)
{
	nv_config *c = p;
	if (strcmp(key, "kubernetes-version") == 0) {
		if (value && value[0] == 'v')
			value++;
		int maj, min;
		char extra;
		if (!value || sscanf(value, "%d.%d%c", &maj, &min, &extra) != 2 || maj != 1 || min < 0 ||
		    min > 99)
			return gr_error_set(err, 0, 0, "kubernetes-version wants 1.Y, not \"%.100s\"",
			                    value ? value : "");
		c->minor = min;
		return 0;
	}
	if (strcmp(key, "stored") == 0) {
		if (!value || strcmp(value, "true") == 0)
			c->stored = true;
		else if (strcmp(value, "false") == 0)
			c->stored = false;
		else
			return gr_error_set(err, 0, 0, "option stored wants true or false, not \"%.100s\"",
			                    value);
		return 0;
	}
	return gr_error_set(err, 0, 0, "unknown option \"%.100s\" (kubernetes-version, stored)", key);
}

static void config_free(void *p)
{
	free(p);
}

static int prepare(const void *config, const void *base, const gr_set *set, void **prepared, gr_error *err)
{
	(void)base;
	(void)set;
	nv_config *c = malloc(sizeof *c);
	if (!c)
		return gr_error_set(err, 0, 0, "out of memory");
	*c = *(const nv_config *)config;
	*prepared = c;
	return 0;
}

static int check(const void *prepared, const gr_object *obj, gr_check_ctx *ctx, gr_findings *out,
                 gr_error *err)
{
	(void)ctx;
	const nv_config *cfg = prepared;
	if (!obj->root || obj->root->type != GR_OBJECT)
		return 0;
	nv_ctx c = {.obj = obj, .out = out, .minor = cfg->minor, .stored = cfg->stored};
	const char *g = obj->group;
	bool builtin = !*g || strcmp(g, "apps") == 0 || strcmp(g, "batch") == 0 ||
	               strcmp(g, "networking.k8s.io") == 0 || strcmp(g, "rbac.authorization.k8s.io") == 0 ||
	               strcmp(g, "policy") == 0 || strcmp(g, "autoscaling") == 0 ||
	               strcmp(g, "storage.k8s.io") == 0 || strcmp(g, "admissionregistration.k8s.io") == 0;
	if (!builtin)
		return 0;
	nv_check_meta(&c);
	nv_check_core(&c);
	nv_check_apps(&c);
	nv_check_batch(&c);
	nv_check_networking(&c);
	nv_check_rbac(&c);
	nv_check_policy_autoscaling(&c);
	nv_check_admission(&c);
	nv_check_quota(&c);
	if (c.oom)
		return gr_error_set(err, 0, 0, "out of memory");
	return 0;
}

static bool needs_set(const void *prepared, const gr_object *obj)
{
	(void)prepared;
	(void)obj;
	return false;
}

const gr_engine gri_engine_native = {
        .name = "native",
        .summary = "the API server's hand-written validation of built-in kinds (names, enums, "
                   "ports, cross-field rules)",
        .kinds = NULL,
        .config_new = config_new,
        .config_set = config_set,
        .config_free = config_free,
        .prepare = prepare,
        .check = check,
        .prepared_free = free,
        .needs_set = needs_set,
};

/* ---- reporting ---- */

static void add(nv_ctx *c, int rule, gr_severity sev, const char *path, const gr_value *at,
                const char *reason, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static void add(nv_ctx *c, int rule, gr_severity sev, const char *path, const gr_value *at,
                const char *reason, const char *fmt, ...)
{
	char msg[1024];
	if (c->warnings_only && sev == GR_SEV_ERROR)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	gr_finding *x = gr_findings_addf(c->out, c->obj, nv_rules[rule].id, sev,
	                                 sev == GR_SEV_ERROR ? GR_ACTION_ENFORCE : GR_ACTION_WARN, path, at,
	                                 "%s%s%s", sev == GR_SEV_ERROR ? path : "",
	                                 sev == GR_SEV_ERROR ? ": " : "", msg); /* "<field>: <cause>" */
	if (!x) {
		c->oom = true;
		return;
	}
	x->reason = reason;
	x->remediation = nv_rules[rule].remediation;
	x->doc = "docs/rules/native.md";
}

/* Go's %#v-ish rendering the server uses for scalar values. */
static void render(const gr_value *v, char *buf, size_t n)
{
	if (!v) {
		snprintf(buf, n, "null");
		return;
	}
	switch (v->type) {
	case GR_STRING:
		snprintf(buf, n, "\"%.*s\"", (int)(v->u.s.len > 200 ? 200 : v->u.s.len), v->u.s.ptr);
		break;
	case GR_INT: snprintf(buf, n, "%lld", (long long)v->u.i); break;
	case GR_DOUBLE: snprintf(buf, n, "%g", v->u.d); break;
	case GR_BOOL: snprintf(buf, n, "%s", v->u.b ? "true" : "false"); break;
	default: snprintf(buf, n, "%s", v->type == GR_ARRAY ? "[...]" : "{...}");
	}
}

void nv_invalid(nv_ctx *c, int rule, const char *path, const gr_value *v, const char *detail)
{
	char b[256];
	render(v, b, sizeof b);
	add(c, rule, GR_SEV_ERROR, path, v, "FieldValueInvalid", "Invalid value: %s: %s", b, detail);
}

void nv_invalid_str(nv_ctx *c, int rule, const char *path, const gr_value *at, const char *s,
                    const char *detail)
{
	add(c, rule, GR_SEV_ERROR, path, at, "FieldValueInvalid", "Invalid value: \"%.200s\": %s", s, detail);
}

void nv_required(nv_ctx *c, int rule, const char *path, const gr_value *at, const char *detail)
{
	add(c, rule, GR_SEV_ERROR, path, at, "FieldValueRequired", "Required value%s%s", detail ? ": " : "",
	    detail ? detail : "");
}

void nv_not_supported(nv_ctx *c, int rule, const char *path, const gr_value *v, const char *const *allowed)
{
	char b[256], list[512] = "";
	size_t l = 0;
	render(v, b, sizeof b);
	for (size_t i = 0; allowed[i] && l < sizeof list - 64; i++)
		l += (size_t)snprintf(list + l, sizeof list - l, "%s\"%s\"", i ? ", " : "", allowed[i]);
	add(c, rule, GR_SEV_ERROR, path, v, "FieldValueNotSupported",
	    "Unsupported value: %s: supported values: %s", b, list);
}

void nv_duplicate(nv_ctx *c, int rule, const char *path, const gr_value *v)
{
	char b[256];
	render(v, b, sizeof b);
	add(c, rule, GR_SEV_ERROR, path, v, "FieldValueDuplicate", "Duplicate value: %s", b);
}

void nv_forbidden(nv_ctx *c, int rule, const char *path, const gr_value *at, const char *detail)
{
	add(c, rule, GR_SEV_ERROR, path, at, "FieldValueForbidden", "Forbidden: %s", detail);
}

void nv_warning(nv_ctx *c, int rule, const char *path, const gr_value *at, const char *msg)
{
	add(c, rule, GR_SEV_WARNING, path, at, NULL, "%s", msg);
}

bool nv_int(const gr_value *v, int64_t *out)
{
	if (!v)
		return false;
	if (v->type == GR_INT) {
		*out = v->u.i;
		return true;
	}
	/* in range before the cast: a double beyond int64 (1e104) is no count */
	if (v->type == GR_DOUBLE && v->u.d >= -9223372036854775808.0 && v->u.d < 9223372036854775808.0 &&
	    v->u.d == (double)(int64_t)v->u.d) {
		*out = (int64_t)v->u.d;
		return true;
	}
	return false;
}

bool nv_whole(long double q)
{
	return q == floorl(q); /* false for NaN; true for any integral value, however large */
}

bool nv_in(const char *s, const char *const *set)
{
	for (size_t i = 0; set[i]; i++)
		if (strcmp(s, set[i]) == 0)
			return true;
	return false;
}
