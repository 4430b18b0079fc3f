/*
 * batch.c — batch/v1 (pkg/apis/batch/validation): Job and CronJob specs:
 * pod template (restart policy OnFailure or Never), counts, completion
 * mode, pod failure policy, selector, the job-name labels the server adds
 * (a Job name over 63 characters fails them), CronJob schedule, time zone
 * and history limits.
 */
#include <stdio.h>
#include <string.h>

#include "native_int.h"

#define ARR(v)     ((v) && (v)->type == GR_ARRAY)
#define EACH(v, i) for (size_t i = 0; ARR(v) && i < (v)->u.a.len; i++)

static void nonneg(nv_ctx *c, const gr_value *o, const char *key, const char *path)
{
	const gr_value *v = gr_get(o, key);
	int64_t n;
	if (nv_int(v, &n) && n < 0) {
		char p[300];
		snprintf(p, sizeof p, "%s.%s", path, key);
		nv_invalid(c, NV_JOB_SPEC, p, v, "must be greater than or equal to 0");
	}
}

/* the Job fields whose feature gates turned on in the versions we know;
 * before, the server drops the field and validates nothing of it */
static void job_versioned(nv_ctx *c, const gr_value *jspec, const char *path, bool indexed, bool in_cronjob)
{
	char p[300];
	int64_t n, comp = -1;
	bool has_comp = nv_int(gr_get(jspec, "completions"), &comp);
	/* JobBackoffLimitPerIndex (1.29) */
	const gr_value *bpi = gr_get(jspec, "backoffLimitPerIndex"), *mfi = gr_get(jspec, "maxFailedIndexes");
	bool has_bpi = bpi && bpi->type != GR_NULL;
	if (nv_since(c, 29) && has_bpi) {
		nonneg(c, jspec, "backoffLimitPerIndex", path);
		if (!indexed) {
			snprintf(p, sizeof p, "%s.backoffLimitPerIndex", path);
			nv_invalid(c, NV_JOB_SPEC, p, bpi, "requires indexed completion mode");
		}
		if (nv_int(mfi, &n) && has_comp && n > comp) {
			snprintf(p, sizeof p, "%s.maxFailedIndexes", path);
			nv_invalid(c, NV_JOB_SPEC, p, mfi, "must be less than or equal to completions");
		}
		if (nv_int(mfi, &n) && n > 100000) {
			snprintf(p, sizeof p, "%s.maxFailedIndexes", path);
			nv_invalid(c, NV_JOB_SPEC, p, mfi, "must be less than or equal to 100000");
		}
	}
	if (nv_since(c, 29) && mfi && mfi->type != GR_NULL) {
		nonneg(c, jspec, "maxFailedIndexes", path);
		if (!has_bpi) {
			snprintf(p, sizeof p, "%s.backoffLimitPerIndex", path);
			nv_required(c, NV_JOB_SPEC, p, mfi, "when maxFailedIndexes is specified");
		}
	}
	/* JobPodReplacementPolicy (1.29): Failed only with a podFailurePolicy */
	const gr_value *prp = gr_get(jspec, "podReplacementPolicy");
	if (nv_since(c, 29) && prp && prp->type == GR_STRING) {
		static const char *const all[] = {"Failed", "TerminatingOrFailed", NULL};
		static const char *const failed[] = {"Failed", NULL};
		bool pfp = gr_get(jspec, "podFailurePolicy") &&
		           gr_get(jspec, "podFailurePolicy")->type == GR_OBJECT;
		snprintf(p, sizeof p, "%s.podReplacementPolicy", path);
		if (pfp && strcmp(prp->u.s.ptr, "Failed") != 0)
			nv_not_supported(c, NV_JOB_SPEC, p, prp, failed);
		else if (!pfp && !nv_in(prp->u.s.ptr, all))
			nv_not_supported(c, NV_JOB_SPEC, p, prp, all);
	}
	/* JobSuccessPolicy (1.31): Indexed jobs only, with rules */
	const gr_value *sp = gr_get(jspec, "successPolicy");
	if (nv_since(c, 31) && sp && sp->type == GR_OBJECT) {
		if (!indexed) {
			snprintf(p, sizeof p, "%s.completionMode", path);
			nv_invalid(c, NV_JOB_SPEC, p, gr_get(jspec, "completionMode"),
			           "requires indexed completion mode");
		}
		const gr_value *rules = gr_get(sp, "rules");
		snprintf(p, sizeof p, "%s.successPolicy.rules", path);
		if (!rules || rules->type != GR_ARRAY || !rules->u.a.len)
			nv_required(
			        c, NV_JOB_SPEC, p, sp,
			        "at least one rules must be specified when the successPolicy is specified");
		for (size_t i = 0; rules && rules->type == GR_ARRAY && i < rules->u.a.len; i++) {
			const gr_value *r = &rules->u.a.items[i];
			const gr_value *sc = gr_get(r, "succeededCount"), *si = gr_get(r, "succeededIndexes");
			if ((!sc || sc->type == GR_NULL) && (!si || si->type == GR_NULL)) {
				snprintf(p, sizeof p, "%s.successPolicy.rules[%zu]", path, i);
				nv_required(c, NV_JOB_SPEC, p, r,
				            "at least one of succeededCount or succeededIndexes must be "
				            "specified");
			}
			if (nv_int(sc, &n) && n < 0) {
				snprintf(p, sizeof p, "%s.successPolicy.rules[%zu].succeededCount", path, i);
				nv_invalid(c, NV_JOB_SPEC, p, sc, "must be greater than or equal to 0");
			} else if (nv_int(sc, &n) && has_comp && n > comp) {
				snprintf(p, sizeof p, "%s.successPolicy.rules[%zu].succeededCount", path, i);
				char d[120];
				snprintf(d, sizeof d,
				         "must be less than or equal to %lld (the number of specified "
				         "completions)",
				         (long long)comp);
				nv_invalid(c, NV_JOB_SPEC, p, sc, d);
			}
		}
	}
	/* JobManagedBy (1.32): a domain-prefixed path of at most 63 characters */
	const gr_value *mb = gr_get(jspec, "managedBy");
	(void)in_cronjob;
	if (nv_since(c, 32) && mb && mb->type == GR_STRING) {
		snprintf(p, sizeof p, "%s.managedBy", path);
		const char *s = mb->u.s.ptr, *sl = strchr(s, '/');
		nv_msgs m = {0};
		char dom[300] = "";
		if (sl)
			snprintf(dom, sizeof dom, "%.*s", (int)(sl - s > 290 ? 290 : sl - s), s);
		if (!sl || !sl[1] || !*dom)
			nv_invalid(c, NV_JOB_SPEC, p, mb,
			           "must be a domain-prefixed path (such as \"acme.io/foo\")");
		else if (nv_dns1123_subdomain(dom, &m))
			for (int j = 0; j < m.n; j++)
				nv_invalid_str(c, NV_JOB_SPEC, p, mb, dom, m.m[j]);
		if (mb->u.s.len > 63) {
			gr_finding *x = gr_findings_addf(c->out, c->obj, nv_rules[NV_JOB_SPEC].id,
			                                 GR_SEV_ERROR, GR_ACTION_ENFORCE, p, mb,
			                                 "%s: Too long: may not be more than 63 bytes", p);
			if (x) {
				x->reason = "FieldValueTooLong";
				x->remediation = nv_rules[NV_JOB_SPEC].remediation;
				x->doc = "docs/rules/native.md";
			} else
				c->oom = true;
		}
	}
}

static void job_spec(nv_ctx *c, const gr_value *jspec, const char *path, bool in_cronjob)
{
	char p[300];
	snprintf(p, sizeof p, "%s.template.spec", path);
	const gr_value *spec = gr_get_path(jspec, "template", "spec", NULL);
	nv_check_pod_spec(c, spec, p, false);
	snprintf(p, sizeof p, "%s.template.labels", path);
	nv_check_template_labels(c, gr_get(jspec, "template"), p);
	const gr_value *v = gr_get(spec, "restartPolicy");
	static const char *const ok[] = {"OnFailure", "Never", NULL};
	if (v && v->type == GR_STRING && !nv_in(v->u.s.ptr, ok)) {
		snprintf(p, sizeof p, "%s.template.spec.restartPolicy", path);
		if (strcmp(v->u.s.ptr, "Always") == 0)
			nv_required(c, NV_POD_TEMPLATE_RESTART_POLICY, p, v,
			            "valid values: \"OnFailure\", \"Never\"");
		else
			nv_not_supported(c, NV_POD_TEMPLATE_RESTART_POLICY, p, v, ok);
	}
	static const char *const counts[] = {"parallelism",           "completions",
	                                     "backoffLimit",          "ttlSecondsAfterFinished",
	                                     "activeDeadlineSeconds", NULL};
	for (int i = 0; counts[i]; i++)
		nonneg(c, jspec, counts[i], path);
	const gr_value *cm = gr_get(jspec, "completionMode");
	static const char *const modes[] = {"NonIndexed", "Indexed", NULL};
	bool indexed = false;
	if (cm && cm->type == GR_STRING) {
		if (!nv_in(cm->u.s.ptr, modes)) {
			snprintf(p, sizeof p, "%s.completionMode", path);
			nv_not_supported(c, NV_JOB_SPEC, p, cm, modes);
		} else
			indexed = strcmp(cm->u.s.ptr, "Indexed") == 0;
	}
	const gr_value *comp = gr_get(jspec, "completions");
	if (indexed && (!comp || comp->type == GR_NULL)) {
		snprintf(p, sizeof p, "%s.completions", path);
		nv_required(c, NV_JOB_SPEC, p, jspec, "when completion mode is Indexed");
	}
	job_versioned(c, jspec, path, indexed, in_cronjob);
	const gr_value *pfp = gr_get(jspec, "podFailurePolicy");
	if (pfp && pfp->type == GR_OBJECT) {
		if (v && v->type == GR_STRING && strcmp(v->u.s.ptr, "Never") != 0) {
			snprintf(p, sizeof p, "%s.template.spec.restartPolicy", path);
			nv_invalid(c, NV_JOB_SPEC, p, v,
			           "only \"Never\" is supported when podFailurePolicy is specified");
		}
		const gr_value *rules = gr_get(pfp, "rules");
		EACH(rules, r)
		{
			const gr_value *rule = &rules->u.a.items[r];
			const gr_value *oec = gr_get(rule, "onExitCodes");
			const char *op = nv_str(oec, "operator");
			const gr_value *vals = gr_get(oec, "values");
			if (op && strcmp(op, "In") == 0)
				EACH(vals, k)
				{
					int64_t n;
					if (nv_int(&vals->u.a.items[k], &n) && n == 0) {
						snprintf(p, sizeof p,
						         "%s.podFailurePolicy.rules[%zu].onExitCodes.values[%"
						         "zu]",
						         path, r, k);
						nv_invalid(c, NV_JOB_SPEC, p, &vals->u.a.items[k],
						           "must not be 0 for the In operator");
					}
				}
			const gr_value *opc = gr_get(rule, "onPodConditions");
			EACH(opc, k)
			{
				const gr_value *pc = &opc->u.a.items[k];
				/* defaulted to True for a Job; a CronJob's jobTemplate is not defaulted */
				if (in_cronjob && !gr_get(pc, "status")) {
					snprintf(p, sizeof p,
					         "%s.podFailurePolicy.rules[%zu].onPodConditions[%zu].status",
					         path, r, k);
					nv_required(c, NV_JOB_SPEC, p, pc,
					            "valid values: [\"False\" \"True\" \"Unknown\"]");
				}
			}
		}
	}
	const gr_value *sel = gr_get(jspec, "selector");
	const gr_value *ms = gr_get(jspec, "manualSelector");
	bool manual = ms && ms->type == GR_BOOL && ms->u.b;
	if (sel && sel->type == GR_OBJECT && !in_cronjob) {
		snprintf(p, sizeof p, "%s.selector", path);
		/* a stored Job carries the selector the server generated (controller-uid) */
		if (!manual && !c->stored)
			nv_invalid(c, NV_JOB_SELECTOR, p, sel, "`selector` will be auto-generated");
		else if (nv_check_selector(c, sel, p) &&
		         !nv_selector_matches(sel,
		                              gr_get_path(jspec, "template", "metadata", "labels", NULL))) {
			snprintf(p, sizeof p, "%s.template.metadata.labels", path);
			nv_invalid(c, NV_JOB_SELECTOR, p,
			           gr_get_path(jspec, "template", "metadata", "labels", NULL),
			           "`selector` does not match template `labels`");
		}
	}
}

void nv_check_batch(nv_ctx *c)
{
	if (strcmp(c->obj->group, "batch") != 0)
		return;
	if (strcmp(c->obj->kind, "Job") == 0) {
		job_spec(c, gr_get(c->obj->root, "spec"), "spec", false);
		/* the server labels the pods with the job name: a label value, at most 63 */
		const char *name = c->obj->name;
		const gr_value *nm = gr_get_path(c->obj->root, "metadata", "name", NULL);
		nv_msgs m = {0};
		if (nm && nm->type == GR_STRING && nv_label_value(name, &m))
			for (int j = 0; j < m.n; j++) /* batch.kubernetes.io/job-name and job-name */
				nv_invalid(c, NV_JOB_SPEC, "spec.template.labels", nm, m.m[j]);
	} else if (strcmp(c->obj->kind, "CronJob") == 0) {
		const gr_value *spec = gr_get(c->obj->root, "spec");
		job_spec(c, gr_get_path(spec, "jobTemplate", "spec", NULL), "spec.jobTemplate.spec", true);
		static const char *const cp[] = {"Allow", "Forbid", "Replace", NULL};
		const gr_value *v = gr_get(spec, "concurrencyPolicy");
		if (v && v->type == GR_STRING && !nv_in(v->u.s.ptr, cp))
			nv_not_supported(c, NV_JOB_SPEC, "spec.concurrencyPolicy", v, cp);
		nonneg(c, spec, "startingDeadlineSeconds", "spec");
		nonneg(c, spec, "successfulJobsHistoryLimit", "spec");
		nonneg(c, spec, "failedJobsHistoryLimit", "spec");
		nv_check_cron(c, spec);
	}
}
