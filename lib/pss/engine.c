/*
 * engine.c — the "pss" engine: Pod Security Standards over every workload,
 * in PSA's three modes (enforce, warn, audit), with namespace labels and
 * exemptions.
 *
 * The trick: each mode is judged at its own level and version, but a
 * violation is reported once, with the strongest mode that catches it. Modes
 * are run strongest first and a violation (rule + path) already reported is
 * skipped; a mode whose (level, version) is covered by a stronger mode's is
 * not run at all, which is the common case (enforce baseline, warn
 * restricted, same version: only the restricted-only checks add findings).
 *
 * One deliberate difference from PSA: PSA enforces only on Pods and merely
 * warns on workload templates; a CI tool enforces on templates too, so a
 * Deployment fails the run before its pods would be rejected.
 */
#include <stdlib.h>
#include <string.h>

#include "guardrail/engine.h"
#include "guardrail/pss.h"
#include "guardrail/set.h"

typedef struct ns_policy {
	const char *name; /* the set's string (the set outlives the prepared state) or the base's */
	gr_pss_policy policy;
} ns_policy;

typedef struct pss_config {
	gr_pss_policy defaults;
	char **exempt_ns;
	size_t nexempt_ns;
	char **exempt_rc;
	size_t nexempt_rc;
} pss_config;

typedef struct pss_prepared {
	const pss_config *cfg;
	ns_policy *ns; /* every Namespace of the set and the base, first definition first */
	size_t nns;
	char **names; /* copies of the names, owned */
} pss_prepared;

static void config_free(void *p)
{
	pss_config *c = p;
	if (!c)
		return;
	for (size_t i = 0; i < c->nexempt_ns; i++)
		free(c->exempt_ns[i]);
	for (size_t i = 0; i < c->nexempt_rc; i++)
		free(c->exempt_rc[i]);
	free(c->exempt_ns);
	free(c->exempt_rc);
	free(c);
}

static int parse_mode(const char *key, const char *value, gr_pss_spec *out, gr_error *err)
{
	if (!value || !*value) { /* off */
		out->level = GR_PSS_PRIVILEGED;
		out->minor = GR_PSS_LATEST;
		return 0;
	}
	gr_error inner;
	gr_error_clear(&inner);
	if (gr_pss_parse_spec(value, out, &inner) != 0)
		return gr_error_set(err, 0, 0, "invalid %s level \"%.100s\": %s", key, value, inner.message);
	return 0;
}

static int config_new(void **out, gr_error *err)
{
	*out = NULL;
	pss_config *c = calloc(1, sizeof *c);
	if (!c)
		return gr_error_set(err, 0, 0, "out of memory");
	if (parse_mode("enforce", "baseline:latest", &c->defaults.mode[GR_PSS_ENFORCE], err) ||
	    parse_mode("warn", "restricted:latest", &c->defaults.mode[GR_PSS_WARN], err) ||
	    parse_mode("audit", NULL, &c->defaults.mode[GR_PSS_AUDIT], err)) {
		config_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

static int append(char ***list, size_t *n, const char *value, gr_error *err)
{
	char **v = realloc(*list, (*n + 1) * sizeof *v);
	if (!v)
		return gr_error_set(err, 0, 0, "out of memory");
	*list = v;
	if (!(v[*n] = strdup(value ? value : "")))
		return gr_error_set(err, 0, 0, "out of memory");
	(*n)++;
	return 0;
}

static int config_set(void *p, const char *key, const char *value, gr_error *err)
{
	pss_config *c = p;
	static const char *const modes[GR_PSS_NMODES] = {"enforce", "warn", "audit"};
	for (int m = 0; m < GR_PSS_NMODES; m++)
		if (strcmp(key, modes[m]) == 0)
			return parse_mode(key, value, &c->defaults.mode[m], err);
	if (strcmp(key, "exempt-namespace") == 0)
		return append(&c->exempt_ns, &c->nexempt_ns, value, err);
	if (strcmp(key, "exempt-runtime-class") == 0)
		return append(&c->exempt_rc, &c->nexempt_rc, value, err);
	return gr_error_set(
	        err, 0, 0,
	        "unknown option \"%.100s\" (enforce, warn, audit, exempt-namespace, exempt-runtime-class)",
	        key);
}

static void prepared_free(void *p)
{
	pss_prepared *s = p;
	if (!s)
		return;
	for (size_t i = 0; i < s->nns; i++)
		free(s->names[i]);
	free(s->names);
	free(s->ns);
	free(s);
}

static const ns_policy *find_ns(const pss_prepared *s, const char *name)
{
	for (size_t i = 0; i < s->nns; i++)
		if (strcmp(s->ns[i].name, name) == 0)
			return &s->ns[i];
	return NULL;
}

/* The Namespace's pod-security.kubernetes.io labels over the defaults. */
static gr_pss_policy namespace_policy(const pss_config *c, const gr_set *set, size_t i)
{
	gr_pss_policy p = c->defaults;
	const gr_label *labels;
	size_t n = gr_set_labels(set, i, &labels);
	for (size_t k = 0; k < n; k++)
		gr_pss_policy_apply_label(&p, labels[k].key, labels[k].value);
	return p;
}

/* The base's namespaces, then the set's that are new (the first
 * definition of a name wins, in input order). */
static int prepare(const void *config, const void *base, const gr_set *set, void **out, gr_error *err)
{
	const pss_config *c = config;
	const pss_prepared *b = base;
	*out = NULL;
	const size_t *idx;
	size_t n = gr_set_kind(set, "", "Namespace", &idx);
	size_t cap = (b ? b->nns : 0) + n;
	pss_prepared *s = calloc(1, sizeof *s);
	if (s && cap) {
		s->ns = calloc(cap, sizeof *s->ns);
		s->names = calloc(cap, sizeof *s->names);
	}
	if (!s || (cap && (!s->ns || !s->names))) {
		prepared_free(s);
		return gr_error_set(err, 0, 0, "out of memory");
	}
	s->cfg = c;
	for (size_t i = 0; b && i < b->nns; i++) {
		s->names[s->nns] = strdup(b->ns[i].name);
		if (!s->names[s->nns])
			goto oom;
		s->ns[s->nns].name = s->names[s->nns];
		s->ns[s->nns].policy = b->ns[i].policy;
		s->nns++;
	}
	for (size_t i = 0; i < n; i++) {
		const gr_object *o = gr_set_object(set, idx[i]);
		if (!o->name[0] || find_ns(s, o->name))
			continue;
		s->names[s->nns] = strdup(o->name);
		if (!s->names[s->nns])
			goto oom;
		s->ns[s->nns].name = s->names[s->nns];
		s->ns[s->nns].policy = namespace_policy(c, set, idx[i]);
		s->nns++;
	}
	*out = s;
	return 0;
oom:
	prepared_free(s);
	return gr_error_set(err, 0, 0, "out of memory");
}

static bool listed(char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

typedef struct sink_ctx {
	const gr_object *obj;
	gr_findings *out;
	size_t first; /* index of this object's first pss finding */
	gr_pss_mode mode;
	bool failed; /* a finding could not be added */
} sink_ctx;

static void sink(void *user, const gr_pss_violation *v)
{
	sink_ctx *c = user;
	for (size_t i = c->first; i < c->out->len; i++) {
		const gr_finding *f = &c->out->items[i];
		if (f->rule == v->rule && strcmp(f->path, v->path) == 0)
			return; /* already caught by a stronger mode */
	}
	static const gr_action actions[] = {GR_ACTION_ENFORCE, GR_ACTION_WARN, GR_ACTION_AUDIT};
	gr_finding *f = gr_findings_addf(c->out, c->obj, v->rule,
	                                 c->mode == GR_PSS_ENFORCE ? GR_SEV_ERROR : GR_SEV_WARNING,
	                                 actions[c->mode], v->path, v->at, "%s (%s)", v->reason, v->detail);
	if (!f) {
		c->failed = true;
		return;
	}
	f->remediation = v->remediation;
	f->doc = v->doc;
	f->reason = v->reason; /* PSA's forbidden reason */
}

static int check(const void *state, const gr_object *obj, gr_check_ctx *ctx, gr_findings *out, gr_error *err)
{
	const pss_prepared *s = state;
	const pss_config *cfg = s->cfg;
	if (!obj->pod_spec)
		return 0;
	if (obj->namespace_[0] && listed(cfg->exempt_ns, cfg->nexempt_ns, obj->namespace_))
		return 0;
	const char *rc = gr_get_str(obj->pod_spec, "runtimeClassName");
	if (rc && listed(cfg->exempt_rc, cfg->nexempt_rc, rc))
		return 0;
	const gr_pss_policy *pol = &cfg->defaults;
	if (obj->namespace_[0]) {
		const ns_policy *p = find_ns(s, obj->namespace_);
		if (p)
			pol = &p->policy;
	}
	sink_ctx c = {.obj = obj, .out = out, .first = out->len};
	for (int m = 0; m < GR_PSS_NMODES; m++) {
		gr_pss_spec at = pol->mode[m];
		if (at.level == GR_PSS_PRIVILEGED)
			continue;
		bool covered = false;
		for (int k = 0; k < m && !covered; k++)
			covered = pol->mode[k].minor == at.minor && pol->mode[k].level >= at.level;
		if (covered)
			continue;
		c.mode = (gr_pss_mode)m;
		gr_pss_evaluate(obj->pod_metadata, obj->pod_metadata_path, obj->pod_spec, obj->pod_spec_path,
		                at, sink, &c);
	}
	if (c.failed)
		return gr_error_set(err, 0, 0, "out of memory");
	return 0;
}

/* Only a Namespace of the set can change the policy, and only for a
 * workload in a namespace. */
static bool needs_set(const void *p, const gr_object *obj)
{
	const pss_prepared *s = p;
	if (!obj->pod_spec || !obj->namespace_[0])
		return false;
	return !find_ns(s, obj->namespace_);
}

static const char *const kinds[] = {"Namespace", NULL};

const gr_engine gri_engine_pss = {
        .name = "pss",
        .summary = "Pod Security Standards (baseline, restricted) as Pod Security Admission judges them",
        .kinds = kinds,
        .config_new = config_new,
        .config_set = config_set,
        .config_free = config_free,
        .prepare = prepare,
        .check = check,
        .prepared_free = prepared_free,
        .needs_set = needs_set,
};
