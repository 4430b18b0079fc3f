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

typedef struct ns_policy {
	char *name;
	gr_pss_policy policy;
} ns_policy;

typedef struct pss_state {
	gr_pss_policy defaults;
	char **exempt_ns;
	size_t nexempt_ns;
	char **exempt_rc;
	size_t nexempt_rc;
	ns_policy *ns;
	size_t nns, capns;
} pss_state;

static void destroy(void *st)
{
	pss_state *s = st;
	if (!s)
		return;
	for (size_t i = 0; i < s->nexempt_ns; i++)
		free(s->exempt_ns[i]);
	for (size_t i = 0; i < s->nexempt_rc; i++)
		free(s->exempt_rc[i]);
	for (size_t i = 0; i < s->nns; i++)
		free(s->ns[i].name);
	free(s->exempt_ns);
	free(s->exempt_rc);
	free(s->ns);
	free(s);
}

static int copy_list(char ***out, size_t *nout, const char *const *in, size_t n)
{
	*out = NULL;
	*nout = 0;
	if (n == 0)
		return 0;
	*out = calloc(n, sizeof **out);
	if (!*out)
		return -1;
	for (size_t i = 0; i < n; i++) {
		(*out)[i] = strdup(in[i] ? in[i] : "");
		if (!(*out)[i])
			return -1;
		*nout = i + 1;
	}
	return 0;
}

static int parse_mode(const char *flag, const char *value, gr_pss_spec *out, gr_error *err)
{
	if (!value || !*value) { /* off */
		out->level = GR_PSS_PRIVILEGED;
		out->minor = GR_PSS_LATEST;
		return 0;
	}
	gr_error inner;
	gr_error_clear(&inner);
	if (gr_pss_parse_spec(value, out, &inner) != 0)
		return gr_error_set(err, 0, 0, "invalid %s value \"%.100s\": %s", flag, value, inner.message);
	return 0;
}

static int create(void **state, const gr_config *cfg, gr_error *err)
{
	*state = NULL;
	pss_state *s = calloc(1, sizeof *s);
	if (!s)
		return gr_error_set(err, 0, 0, "out of memory");
	const gr_pss_options *o = &cfg->pss;
	if (parse_mode("--pss-enforce", o->enforce, &s->defaults.mode[GR_PSS_ENFORCE], err) != 0 ||
	    parse_mode("--pss-warn", o->warn, &s->defaults.mode[GR_PSS_WARN], err) != 0 ||
	    parse_mode("--pss-audit", o->audit, &s->defaults.mode[GR_PSS_AUDIT], err) != 0) {
		destroy(s);
		return -1;
	}
	if (copy_list(&s->exempt_ns, &s->nexempt_ns, o->exempt_namespaces, o->nexempt_namespaces) != 0 ||
	    copy_list(&s->exempt_rc, &s->nexempt_rc, o->exempt_runtime_classes, o->nexempt_runtime_classes) != 0) {
		destroy(s);
		return gr_error_set(err, 0, 0, "out of memory");
	}
	*state = s;
	return 0;
}

static ns_policy *find_ns(const pss_state *s, const char *name)
{
	for (size_t i = 0; i < s->nns; i++)
		if (strcmp(s->ns[i].name, name) == 0)
			return &s->ns[i];
	return NULL;
}

/* Keep every Namespace's name and its pod-security.kubernetes.io labels,
 * resolved against the defaults now (the object is freed after this). */
static int prepare(void *st, const gr_object *obj, gr_error *err)
{
	pss_state *s = st;
	if (strcmp(obj->kind, "Namespace") != 0 || obj->group[0] != '\0' || !obj->name[0])
		return 0;
	ns_policy *p = find_ns(s, obj->name);
	if (!p) {
		if (s->nns == s->capns) {
			size_t cap = s->capns ? s->capns * 2 : 8;
			ns_policy *grown = realloc(s->ns, cap * sizeof *grown);
			if (!grown)
				return gr_error_set(err, 0, 0, "out of memory");
			s->ns = grown;
			s->capns = cap;
		}
		p = &s->ns[s->nns];
		p->name = strdup(obj->name);
		if (!p->name)
			return gr_error_set(err, 0, 0, "out of memory");
		s->nns++;
	}
	p->policy = s->defaults;
	const gr_value *labels = gr_get_path(obj->root, "metadata", "labels", NULL);
	if (labels && labels->type == GR_OBJECT)
		for (size_t i = 0; i < labels->u.o.len; i++) {
			const gr_member *m = &labels->u.o.members[i];
			const char *v = m->value.type == GR_STRING ? m->value.u.s.ptr : "";
			gr_pss_policy_apply_label(&p->policy, m->key, v);
		}
	return 0;
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
	if (!f)
		return;
	f->remediation = v->remediation;
	f->doc = v->doc;
	f->reason = v->reason; /* PSA's forbidden reason */
}

static void check(void *st, const gr_object *obj, gr_check_ctx *ctx, gr_findings *out)
{
	const pss_state *s = st;
	if (!obj->pod_spec)
		return;
	if (obj->namespace_[0] && listed(s->exempt_ns, s->nexempt_ns, obj->namespace_))
		return;
	const char *rc = gr_get_str(obj->pod_spec, "runtimeClassName");
	if (rc && listed(s->exempt_rc, s->nexempt_rc, rc))
		return;
	const gr_pss_policy *pol = &s->defaults;
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
		gr_pss_evaluate(obj->pod_metadata, obj->pod_metadata_path, obj->pod_spec, obj->pod_spec_path, at,
				sink, &c);
	}
}

const gr_engine gr_engine_pss = {
	.name = "pss",
	.create = create,
	.prepare = prepare,
	.check = check,
	.destroy = destroy,
};
