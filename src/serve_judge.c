/*
 * serve_judge.c — one AdmissionReview judged: the only place `serve`
 * touches the engines.
 *
 * Pod Security is applied exactly as Pod Security Admission applies it,
 * with the mode, level and version taken from the webhook path: pods (and
 * every pod subresource PSA evaluates, ephemeralcontainers among them) are
 * enforced; workload controllers are judged on their pod templates and only
 * warned or audited; a pod UPDATE is judged by PSS only when it is
 * significant (PSA's isSignificantPodUpdate), while the other engines see
 * every UPDATE; DELETE and CONNECT are allowed. Every
 * other engine the library offers (rule packs, policies) judges every kind
 * on the decoded request.object; its findings keep their own action, capped
 * by the path's mode (an enforce finding on a warn path warns).
 *
 * All findings of a request go into one message (validating webhooks run
 * in parallel and the API server shows only the first denial).
 */
#include <stdio.h>
#include <string.h>

#include "serve_int.h"

typedef enum req_class { CLASS_POD, CLASS_CONTROLLER, CLASS_NAMESPACE, CLASS_OTHER, CLASS_SKIP } req_class;

/* Pod subresources PSA does not evaluate (admission.go ignoredPodSubresources). */
static const char *const ignored_pod_subresources[] = {"exec",        "attach", "binding", "eviction", "log",
                                                       "portforward", "proxy",  "status",  NULL};

static const struct {
	const char *group, *resource;
} controllers[] = {
        {"", "replicationcontrollers"},
        {"", "podtemplates"},
        {"apps", "replicasets"},
        {"apps", "deployments"},
        {"apps", "statefulsets"},
        {"apps", "daemonsets"},
        {"batch", "jobs"},
        {"batch", "cronjobs"},
};

static bool in_list(char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static req_class classify(const gr_admission_request *req, const char **skip)
{
	if (req->res_group[0] == '\0' && strcmp(req->resource, "pods") == 0) {
		for (size_t i = 0; ignored_pod_subresources[i]; i++)
			if (strcmp(req->sub_resource, ignored_pod_subresources[i]) == 0) {
				*skip = "pod subresource not evaluated";
				return CLASS_SKIP;
			}
		return CLASS_POD;
	}
	if (req->sub_resource[0]) {
		*skip = "subresource not evaluated";
		return CLASS_SKIP;
	}
	for (size_t i = 0; i < sizeof controllers / sizeof controllers[0]; i++)
		if (strcmp(req->res_group, controllers[i].group) == 0 &&
		    strcmp(req->resource, controllers[i].resource) == 0)
			return CLASS_CONTROLLER;
	if (req->res_group[0] == '\0' && strcmp(req->resource, "namespaces") == 0)
		return CLASS_NAMESPACE;
	return CLASS_OTHER;
}

/* ---- UPDATE significance ---- */

static const gr_value *containers_of(const gr_value *pod, const char *key)
{
	const gr_value *v = gr_get_path(pod, "spec", key, NULL);
	return v && v->type == GR_ARRAY ? v : NULL;
}

static size_t count_of(const gr_value *arr)
{
	return arr ? arr->u.a.len : 0;
}

static const char *annotation(const gr_value *pod, const char *key)
{
	return gr_get_str(gr_get_path(pod, "metadata", "annotations", NULL), key);
}

static bool str_differs(const char *a, const char *b)
{
	if (!a || !b)
		return a != b;
	return strcmp(a, b) != 0;
}

static bool container_differs(const gr_value *c, const gr_value *old, const gr_value *pod,
                              const gr_value *old_pod)
{
	if (str_differs(gr_get_str(c, "image"), gr_get_str(old, "image")))
		return true;
	const char *name = gr_get_str(c, "name");
	char key[320];
	snprintf(key, sizeof key, "container.seccomp.security.alpha.kubernetes.io/%s", name ? name : "");
	return str_differs(annotation(pod, key), annotation(old_pod, key));
}

/* PSA's isSignificantPodUpdate, with the pod-level seccomp annotation of
 * the versions that still judge it. */
static bool significant_pod_update(const gr_value *pod, const gr_value *old)
{
	if (str_differs(annotation(pod, "seccomp.security.alpha.kubernetes.io/pod"),
	                annotation(old, "seccomp.security.alpha.kubernetes.io/pod")))
		return true;
	static const char *const lists[] = {"containers", "initContainers"};
	for (int l = 0; l < 2; l++) {
		const gr_value *c = containers_of(pod, lists[l]), *oc = containers_of(old, lists[l]);
		if (count_of(c) != count_of(oc))
			return true;
		for (size_t i = 0; i < count_of(c); i++)
			if (container_differs(&c->u.a.items[i], &oc->u.a.items[i], pod, old))
				return true;
	}
	const gr_value *e = containers_of(pod, "ephemeralContainers"),
	               *oe = containers_of(old, "ephemeralContainers");
	for (size_t i = 0; i < count_of(e); i++) {
		const gr_value *c = &e->u.a.items[i];
		const char *name = gr_get_str(c, "name");
		const gr_value *match = NULL;
		for (size_t k = 0; k < count_of(oe) && !match; k++)
			if (!str_differs(name, gr_get_str(&oe->u.a.items[k], "name")))
				match = &oe->u.a.items[k];
		if (!match || container_differs(c, match, pod, old))
			return true; /* added, or changed */
	}
	return false;
}

/* Anything but bookkeeping changed: every top-level field but metadata and
 * status, and metadata's labels and annotations. */
static bool object_changed(const gr_value *obj, const gr_value *old)
{
	for (int pass = 0; pass < 2; pass++) {
		const gr_value *a = pass ? old : obj, *b = pass ? obj : old;
		for (size_t i = 0; i < a->u.o.len; i++) {
			const gr_member *m = &a->u.o.members[i];
			if (strcmp(m->key, "metadata") == 0 || strcmp(m->key, "status") == 0)
				continue;
			const gr_value *o = gr_getn(b, m->key, m->key_len);
			if (!o || !gr_equal(&m->value, o))
				return true;
		}
	}
	static const char *const keys[] = {"labels", "annotations"};
	for (int k = 0; k < 2; k++) {
		const gr_value *x = gr_get_path(obj, "metadata", keys[k], NULL);
		const gr_value *y = gr_get_path(old, "metadata", keys[k], NULL);
		if ((x == NULL) != (y == NULL) || (x && !gr_equal(x, y)))
			return true;
	}
	return false;
}

/* ---- collecting ---- */

typedef struct pss_collect {
	gr_arena *a;
	gr_admission_violation v[128];
	size_t n;
	size_t dropped;
	serve_verdict *out;
} pss_collect;

static void add_rule(serve_verdict *out, const char *rule)
{
	for (size_t i = 0; i < out->nrules; i++)
		if (strcmp(out->rules[i], rule) == 0)
			return;
	if (out->nrules < sizeof out->rules / sizeof out->rules[0])
		out->rules[out->nrules++] = rule;
}

/* What an allocation gave, or "" with the verdict marked out of memory: a
 * reply that lost part of itself is never sent (serve_review answers 500,
 * and the API server applies the webhook's failurePolicy). */
static const char *need(serve_verdict *out, const char *s)
{
	if (s)
		return s;
	out->oom = true;
	return "";
}

/* An engine's failure as the text the reply carries; out of memory (the
 * error itself, or its copy) marks the verdict instead. */
static const char *failure(serve_verdict *out, gr_arena *a, const gr_error *err)
{
	if (err->kind == GR_ERR_NOMEM)
		out->oom = true;
	return need(out, gr_arena_strdup(a, err->message));
}

static void pss_sink(void *user, const gr_pss_violation *v)
{
	pss_collect *c = user;
	c->out->nfindings++;
	add_rule(c->out, v->rule);
	if (c->n >= sizeof c->v / sizeof c->v[0]) {
		c->dropped++;
		return;
	}
	c->v[c->n].reason = v->reason; /* static */
	c->v[c->n].detail = need(c->out, gr_arena_strdup(c->a, v->detail ? v->detail : ""));
	c->n++;
}

/*
 * The pss engine through the library pipeline, at the path's level and
 * version: its findings say "reason (detail)" with PSA's reason apart, which
 * is what PSA's aggregation needs.
 */
static void pss_judge(serve_policy *p, gr_pss_spec at, const gr_object *obj, gr_arena *a, pss_collect *pc,
                      const char **error)
{
	gr_error err;
	gr_error_clear(&err);
	gr_checker *c = serve_policy_pss_checker(p, at, &err);
	if (!c) {
		*error = failure(pc->out, a, &err);
		return;
	}
	gr_findings fs;
	gr_findings_init(&fs, a);
	gr_check_ctx ctx = {.arena = a};
	gr_object_status status;
	if (gr_checker_check_object(c, obj, &ctx, &fs, &status, &err) != 0)
		*error = failure(pc->out, a, &err);
	for (size_t i = 0; i < fs.len; i++) {
		const gr_finding *f = &fs.items[i];
		if (!f->rule || strcmp(f->rule, "engine") == 0)
			continue;
		const char *msg = f->message ? f->message : "";
		size_t rl = f->reason ? strlen(f->reason) : 0, ml = strlen(msg);
		gr_pss_violation v = {.rule = f->rule, .reason = f->reason ? f->reason : msg, .detail = ""};
		if (rl && ml > rl + 3 && strncmp(msg, f->reason, rl) == 0 && msg[rl] == ' ' &&
		    msg[rl + 1] == '(' && msg[ml - 1] == ')')
			v.detail = need(pc->out, gr_arena_strndup(a, msg + rl + 2, ml - rl - 3));
		pss_sink(pc, &v);
	}
	gr_findings_free(&fs);
}

typedef struct segs {
	gr_buf deny, audit;
	gr_buf ann;          /* ValidatingAdmissionPolicy audit annotations: "<policy>/<key>=<value>" */
	gr_buf warn;         /* one warning's text, reused: no allocation per finding */
	bool deny_violation; /* deny holds a violation (not only an engine failure) */
} segs;

static void seg_add(gr_buf *b, const char *s)
{
	if (b->len)
		gr_buf_puts(b, "; ");
	gr_buf_puts(b, s);
}

static const char *buf_str(gr_arena *a, gr_buf *b)
{
	return b->len ? gr_arena_strndup(a, b->data, b->len) : NULL;
}

static void add_warning(serve_verdict *out, gr_arena *a, const char *text)
{
	if (gr_admission_warning_add(&out->resp.warnings, a, text, strlen(text)) == -2)
		out->oom = true;
}

/* The effective mode of a finding: its own action, capped by the path. */
static serve_mode effective(serve_mode path, gr_action action)
{
	serve_mode own = action == GR_ACTION_ENFORCE ? SERVE_ENFORCE
	                 : action == GR_ACTION_WARN  ? SERVE_WARN
	                                             : SERVE_AUDIT;
	return own > path ? own : path;
}

/* One violation text, "violates ..." when it denies, "would violate ..."
 * otherwise, put where the mode says. */
static void report(serve_verdict *out, gr_arena *a, segs *s, serve_mode mode, const char *what,
                   const char *where, const char *quoted, const char *detail)
{
	gr_buf *b = mode == SERVE_ENFORCE ? &s->deny : mode == SERVE_AUDIT ? &s->audit : NULL;
	gr_buf *w = NULL;
	if (mode == SERVE_ENFORCE)
		s->deny_violation = true;
	if (!b) {
		w = b = &s->warn;
		gr_buf_reset(w);
	} else if (b->len)
		gr_buf_puts(b, "; ");
	gr_buf_puts(b, mode == SERVE_ENFORCE ? "violates " : "would violate ");
	gr_buf_puts(b, what);
	if (where) {
		gr_buf_puts(b, " at ");
		gr_buf_puts(b, where);
	}
	if (quoted) {
		gr_buf_puts(b, " \"");
		gr_buf_puts(b, quoted);
		gr_buf_putc(b, '"');
	}
	gr_buf_puts(b, ": ");
	gr_buf_puts(b, detail);
	if (w && w->failed)
		out->oom = true;
	else if (w && gr_admission_warning_add(&out->resp.warnings, a, w->data, w->len) == -2)
		out->oom = true;
}

/* Namespace labels that select a level: invalid values are violations. */
static void check_namespace(const gr_admission_request *req, gr_arena *a, pss_collect *c)
{
	static const char *const prefixes[] = {"guardrail.dev/", "pod-security.kubernetes.io/"};
	const gr_value *labels = gr_get_path(req->object, "metadata", "labels", NULL);
	const gr_value *old_labels = gr_get_path(req->old_object, "metadata", "labels", NULL);
	if (!labels || labels->type != GR_OBJECT)
		return;
	for (size_t i = 0; i < labels->u.o.len && c->n < sizeof c->v / sizeof c->v[0]; i++) {
		const gr_member *m = &labels->u.o.members[i];
		const char *val = m->value.type == GR_STRING ? m->value.u.s.ptr : "";
		const char *old = gr_get_str(old_labels, m->key);
		if (old && strcmp(old, val) == 0)
			continue; /* unchanged: judged when it was set */
		for (int p = 0; p < 2; p++) {
			size_t pl = strlen(prefixes[p]);
			if (strncmp(m->key, prefixes[p], pl) != 0)
				continue;
			const char *mode = m->key + pl;
			bool version = false;
			const char *dash = strchr(mode, '-');
			if (dash && strcmp(dash, "-version") == 0)
				version = true;
			size_t ml = dash ? (size_t)(dash - mode) : strlen(mode);
			if (!((ml == 7 && strncmp(mode, "enforce", 7) == 0) ||
			      (ml == 4 && strncmp(mode, "warn", 4) == 0) ||
			      (ml == 5 && strncmp(mode, "audit", 5) == 0)) ||
			    (dash && !version))
				continue;
			gr_pss_level lv;
			int minor;
			bool ok = version ? gr_pss_parse_version(val, &minor) == 0
			                  : gr_pss_parse_level(val, &lv) == 0;
			if (ok)
				continue;
			c->v[c->n].reason = "invalid label";
			c->v[c->n].detail =
			        need(c->out, gr_arena_printf(a, "%s=%.64s: must be %s", m->key, val,
			                                     version ? "\"latest\" or \"v1.N\""
			                                             : "privileged, baseline or restricted"));
			c->n++;
			add_rule(c->out, "serve.namespace-label");
			c->out->nfindings++;
		}
	}
}

void serve_judge(serve_policy *p, const serve_route *route, const gr_admission_request *req, gr_arena *a,
                 serve_verdict *out)
{
	memset(out, 0, sizeof *out);
	gr_admission_response_init(&out->resp, req->uid);
	out->result = SERVE_SKIPPED;
	if (req->operation == GR_ADMISSION_DELETE || req->operation == GR_ADMISSION_CONNECT ||
	    req->operation == GR_ADMISSION_OP_OTHER) {
		out->skip_reason = "operation not judged";
		return;
	}
	if (!req->object) {
		out->skip_reason = "no object";
		return;
	}
	const char *skip = NULL;
	req_class cls = classify(req, &skip);
	if (cls == CLASS_SKIP) {
		out->skip_reason = skip;
		return;
	}
	/* PSA leaves an UPDATE alone when nothing it judges changed; the other
	 * engines see every UPDATE, as the API server's admission chain does
	 * (a policy may judge labels, the user or oldObject) */
	bool update = req->operation == GR_ADMISSION_UPDATE && req->old_object;
	const char *pss_skip = NULL;
	if (update && cls == CLASS_POD && !significant_pod_update(req->object, req->old_object))
		pss_skip = "pod update without significant change";
	else if (update && cls != CLASS_POD && !object_changed(req->object, req->old_object))
		pss_skip = "update without change to judge";
	gr_object obj;
	gr_object_init(a, &obj, req->object, "request", 0, -1);
	if (!obj.namespace_[0] && req->namespace_[0])
		obj.namespace_ = req->namespace_;

	segs s = {.deny_violation = false};
	gr_buf_init(&s.deny);
	gr_buf_init(&s.audit);
	gr_buf_init(&s.ann);
	gr_buf_init(&s.warn);
	char version[32];
	const char *policy =
	        need(out, gr_arena_printf(a, "%s:%s", gr_pss_level_name(route->pss.level),
	                                  gr_pss_version_name(route->pss.minor, version, sizeof version)));
	bool judged = false;

	/* Pod Security. */
	pss_collect pc = {.a = a, .out = out};
	const char *pss_error = NULL;
	const char *exempt = NULL;
	if (in_list(p->exempt_users, p->nexempt_users, req->username))
		exempt = "user";
	else if (in_list(p->exempt_namespaces, p->nexempt_namespaces, req->namespace_))
		exempt = "namespace";
	else if (obj.pod_spec) {
		const char *rc = gr_get_str(obj.pod_spec, "runtimeClassName");
		if (rc && in_list(p->exempt_runtime_classes, p->nexempt_runtime_classes, rc))
			exempt = "runtimeClass";
	}
	bool pss_applies = p->pss_enabled && !pss_skip &&
	                   (cls == CLASS_POD || cls == CLASS_CONTROLLER || cls == CLASS_NAMESPACE);
	if (pss_applies && exempt) {
		gr_admission_annotate(&out->resp, "exempt", exempt);
	} else if (pss_applies && cls == CLASS_NAMESPACE) {
		judged = true;
		check_namespace(req, a, &pc);
	} else if (pss_applies && obj.pod_spec) {
		judged = true;
		out->engine_runs++;
		if (cls == CLASS_POD && route->mode == SERVE_ENFORCE)
			gr_admission_annotate(&out->resp, "enforce-policy", policy);
		if (route->pss.level != GR_PSS_PRIVILEGED)
			pss_judge(p, route->pss, &obj, a, &pc, &pss_error);
	}
	if (pc.n) {
		const char *detail = need(out, gr_admission_forbidden_detail(a, pc.v, pc.n));
		if (pc.dropped)
			detail = need(out, gr_arena_printf(a, "%s, and %zu more", detail, pc.dropped));
		/* PSA: controllers are never enforced, only warned and audited. */
		serve_mode mode = route->mode;
		if (mode == SERVE_ENFORCE && cls == CLASS_CONTROLLER)
			mode = SERVE_WARN;
		const char *what = cls == CLASS_NAMESPACE ? "namespace labels" : "PodSecurity";
		report(out, a, &s, mode, what, NULL, cls == CLASS_NAMESPACE ? NULL : policy, detail);
	}

	/* Every other engine, on the same object, through the library's prepared
	 * checker (the policy files' objects are the input set it sees). */
	const char *engine_error = pss_error;
	if (pss_error)
		out->engine_errors++;
	if (p->checker) {
		gr_findings fs;
		gr_findings_init(&fs, a);
		/* as the API server admits it: the operation, the old object of an
		 * UPDATE (transition rules, VAP oldObject) and the request itself */
		gr_check_ctx ctx = {.arena = a,
		                    .set = p->set,
		                    .operation = req->operation_name,
		                    .old_object = update ? req->old_object : NULL,
		                    .request = gr_get(req->root, "request")};
		gr_object_status status;
		gr_error err;
		gr_error_clear(&err);
		if (gr_checker_check_object(p->checker, &obj, &ctx, &fs, &status, &err) != 0) {
			engine_error = failure(out, a, &err);
			out->engine_errors++;
		}
		out->engine_runs += p->nengines;
		judged = true;
		if (ctx.not_evaluated) {
			/* never a silent pass: a rule that applied but could not be
			 * evaluated (a Kyverno mutate rule, an authorizer check without
			 * an authz file) is said on the response and counted */
			out->not_evaluated += ctx.not_evaluated;
			gr_buf ne;
			gr_buf_init(&ne);
			gr_buf_printf(&ne, "%zu rule%s: ", ctx.not_evaluated,
			              ctx.not_evaluated == 1 ? "" : "s");
			if (ctx.nne == 1)
				gr_buf_puts(&ne, ctx.ne[0].reason);
			for (size_t i = 0; ctx.nne > 1 && i < ctx.nne; i++)
				gr_buf_printf(&ne, "%s%s (%zu)", i ? "; " : "", ctx.ne[i].reason,
				              ctx.ne[i].count);
			gr_admission_annotate(&out->resp, "not-evaluated",
			                      need(out, ne.failed ? NULL : buf_str(a, &ne)));
			gr_buf_free(&ne);
		}
		for (size_t i = 0; i < fs.len; i++) {
			const gr_finding *f = &fs.items[i];
			if (f->rule && strcmp(f->rule, "engine") == 0)
				continue; /* the failure itself, reported below */
			if (f->reason && strcmp(f->reason, "AuditAnnotation") == 0) {
				/* not a violation: published as the API server would
				 * publish it, in one annotation (a webhook's keys
				 * cannot hold the policy's "/") */
				seg_add(&s.ann, f->message ? f->message : "");
				continue;
			}
			const char *rule = f->rule ? f->rule : "unknown";
			out->nfindings++;
			add_rule(out, rule);
			serve_mode mode = effective(route->mode, f->action);
			const char *msg = f->message ? f->message : "";
			const char *where = f->path && f->path[0] ? f->path : NULL;
			report(out, a, &s, mode, rule, where, NULL, msg);
		}
		gr_findings_free(&fs);
	}
	if (engine_error) {
		/* Never a silent pass: on the enforce path the request is refused
		 * (fail closed, as PSA refuses a pod it cannot evaluate); else said. */
		gr_admission_annotate(&out->resp, "error", engine_error);
		const char *text =
		        need(out, gr_arena_printf(a, "guardrail could not evaluate this object: %s",
		                                  engine_error));
		if (route->mode == SERVE_ENFORCE)
			seg_add(&s.deny, text);
		else if (route->mode == SERVE_WARN)
			add_warning(out, a, text);
	}

	if (!judged) {
		out->result = SERVE_SKIPPED;
		out->skip_reason = exempt ? "exempt" : pss_skip ? pss_skip : "nothing applies to this kind";
	} else
		out->result = SERVE_ALLOWED;
	if (s.deny.len) {
		const char *msg = need(out, buf_str(a, &s.deny));
		gr_admission_response_deny(&out->resp, msg);
		if (!s.deny_violation) { /* refused only because an engine failed: as PSA answers
			                  * an object it cannot evaluate */
			out->resp.code = 500;
			out->resp.reason = "InternalError";
		}
		/* PSA: no warnings on a request that is rejected anyway. */
		out->resp.warnings.n = 0;
		out->resp.warnings.dropped = 0;
		out->result = SERVE_DENIED;
		out->summary = out->resp.message;
	} else if (out->resp.warnings.n || out->resp.warnings.dropped) {
		if (gr_admission_warnings_finish(&out->resp.warnings, a) != 0)
			out->oom = true;
		out->result = SERVE_WARNED;
		gr_buf all;
		gr_buf_init(&all);
		for (size_t i = 0; i < out->resp.warnings.n; i++)
			seg_add(&all, out->resp.warnings.items[i]);
		out->summary = buf_str(a, &all);
		gr_buf_free(&all);
	}
	if (s.audit.len) {
		const char *v = need(out, buf_str(a, &s.audit));
		gr_admission_annotate(&out->resp, "audit-violations", v);
		if (out->result == SERVE_ALLOWED)
			out->result = SERVE_AUDITED;
		if (!out->summary)
			out->summary = v;
	}
	if (s.ann.len)
		gr_admission_annotate(&out->resp, "vap-audit-annotations", need(out, buf_str(a, &s.ann)));
	if (s.deny.failed || s.audit.failed || s.ann.failed)
		out->oom = true;
	if (out->oom) {
		out->result = SERVE_ERROR;
		out->summary = "out of memory";
	}
	gr_buf_free(&s.ann);
	gr_buf_free(&s.deny);
	gr_buf_free(&s.audit);
	gr_buf_free(&s.warn);
}

int serve_review(serve_policy *p, const serve_route *route, const char *body, size_t len, gr_arena *a,
                 gr_admission_request *req, serve_verdict *v, gr_buf *reply)
{
	memset(v, 0, sizeof *v);
	v->result = SERVE_ERROR;
	gr_error err;
	gr_error_clear(&err);
	gr_decode_limits lim;
	gr_decode_limits_default(&lim);
	lim.max_bytes = SERVE_MAX_BODY;
	lim.max_depth = 256;
	if (gr_admission_decode(a, body, len, &lim, req, &err) != GR_ADMISSION_OK) {
		/* nothing of the request is known (the caller tests req->uid) */
		memset(req, 0, sizeof *req);
		req->operation = GR_ADMISSION_OP_OTHER;
		if (err.kind == GR_ERR_NOMEM) {
			v->oom = true;
			gr_buf_puts(reply, "out of memory\n");
			return 500;
		}
		gr_buf_puts(reply, "not an AdmissionReview: ");
		if (err.line)
			gr_buf_printf(reply, "%u:%u: ", err.line, err.column);
		gr_buf_puts(reply, err.message);
		gr_buf_putc(reply, '\n');
		return 400;
	}
	if (!p) { /* never while serving (the configuration loads before the
		   * listener opens): refused rather than allowed unjudged */
		gr_buf_puts(reply, "no configuration loaded\n");
		return 500;
	}
	serve_judge(p, route, req, a, v);
	if (!v->oom) {
		gr_admission_encode(reply, &v->resp);
		if (!reply->failed)
			return 200;
		gr_buf_reset(reply);
		v->oom = true;
		v->result = SERVE_ERROR;
	}
	gr_buf_puts(reply, "out of memory\n");
	return 500;
}
