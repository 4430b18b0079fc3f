/*
 * validate.c — one resource against a set of policies: the JSON context,
 * rule by rule (match, context, preconditions, then exactly one of deny,
 * pattern/anyPattern, foreach, podSecurity), and the status Kyverno gives
 * (pkg/engine/handlers/validation/validate_resource.go).
 *
 * The existing-violation rule of newest Kyverno is here too: an Enforce
 * rule failing on UPDATE is re-run on the old object as a CREATE, and when
 * that fails as well the response is skip.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kyverno_int.h"

typedef struct body {
	const gr_value *context, *preconditions, *deny, *pattern, *any_pattern, *foreach, *pss, *message;
	const ky_pat *cpattern;
	ky_pat *const *cany;
	bool pattern_vars;
} body;

static ky_result res(gr_kyverno_status s, const char *msg)
{
	ky_result r = {.status = s, .none = false, .message = msg};
	return r;
}

static const char *message_of(ky_eval *ev, const gr_value *m)
{
	if (!m || m->type != GR_STRING)
		return NULL;
	gr_value out;
	char saved[sizeof ev->err];
	memcpy(saved, ev->err, sizeof saved);
	if (ky_subst(ev, m, &out, KY_SUBST_STRICT) != 0 || out.type != GR_STRING) {
		memcpy(ev->err, saved, sizeof saved);
		return m->u.s.ptr; /* a failed substitution keeps the raw message */
	}
	return out.u.s.ptr;
}

static const char *fail_message(ky_eval *ev, const body *b, const char *rule, const char *path)
{
	const char *m = message_of(ev, b->message);
	if (m && m[0]) {
		size_t l = strlen(m);
		return gr_arena_printf(ev->arena, "validation error: %s%s rule %s failed at path %s", m,
		                       m[l - 1] == '.' ? "" : ".", rule, path);
	}
	return gr_arena_printf(ev->arena, "validation error: rule %s failed at path %s", rule, path);
}

static ky_result run_body(ky_eval *ev, const body *b, const char *rule, const gr_value *resource);

static ky_result eval_pattern(ky_eval *ev, const body *b, const char *rule, const gr_value *resource)
{
	const ky_pat *cp = b->cpattern ? b->cpattern : ky_pat_cached(ev->set, b->pattern);
	if (!cp) {
		gr_value pv;
		if (ky_subst(ev, b->pattern, &pv, KY_SUBST_STRICT))
			return res(GR_KY_ERROR, gr_arena_strdup(ev->arena, ev->err));
		gr_value *copy = gr_arena_alloc(ev->arena, sizeof *copy);
		if (!copy)
			return res(GR_KY_ERROR, "out of memory");
		*copy = pv;
		cp = ky_pat_compile(ev->arena, copy);
		if (!cp)
			return res(GR_KY_ERROR, "out of memory");
	}
	const char *path, *msg;
	gr_kyverno_status s = ky_pat_match(ev, cp, resource, &path, &msg);
	switch (s) {
	case GR_KY_PASS: return res(GR_KY_PASS, "validation rule passed.");
	case GR_KY_SKIP: return res(GR_KY_SKIP, gr_arena_printf(ev->arena, "%s at path %s", msg, path));
	case GR_KY_ERROR:
		return res(GR_KY_ERROR,
		           gr_arena_printf(ev->arena,
		                           "validation error: rule %s execution error: %s at path %s", rule,
		                           msg, path));
	default: {
		ky_result r = res(GR_KY_FAIL, fail_message(ev, b, rule, path));
		r.path = path;
		return r;
	}
	}
}

static ky_result eval_any_pattern(ky_eval *ev, const body *b, const char *rule, const gr_value *resource)
{
	const gr_value *ap = b->any_pattern;
	gr_value sub;
	if (b->pattern_vars || !b->cany) {
		if (ky_subst(ev, ap, &sub, KY_SUBST_STRICT))
			return res(GR_KY_ERROR, gr_arena_strdup(ev->arena, ev->err));
		gr_value *copy = gr_arena_alloc(ev->arena, sizeof *copy);
		if (!copy)
			return res(GR_KY_ERROR, "out of memory");
		*copy = sub;
		ap = copy;
	}
	if (ap->type != GR_ARRAY)
		return res(GR_KY_ERROR, "anyPattern must be a list");
	size_t fails = 0, skips = 0;
	gr_buf why;
	gr_buf_init(&why);
	for (size_t i = 0; i < ap->u.a.len; i++) {
		const ky_pat *cp = (!b->pattern_vars && b->cany) ? b->cany[i]
		                                                 : ky_pat_cached(ev->set, &ap->u.a.items[i]);
		if (!cp)
			cp = ky_pat_compile(ev->arena, &ap->u.a.items[i]);
		if (!cp) {
			gr_buf_free(&why);
			return res(GR_KY_ERROR, "out of memory");
		}
		const char *path, *msg;
		gr_kyverno_status s = ky_pat_match(ev, cp, resource, &path, &msg);
		if (s == GR_KY_PASS) {
			gr_buf_free(&why);
			return res(GR_KY_PASS,
			           gr_arena_printf(ev->arena, "validation rule '%s' anyPattern[%zu] passed.",
			                           rule, i));
		}
		if (s == GR_KY_SKIP) {
			skips++;
		} else {
			fails++;
			gr_buf_printf(&why, " rule %s[%zu] failed at path %s", rule, i, path);
		}
	}
	const char *w = gr_arena_strndup(ev->arena, why.data ? why.data : "", why.len);
	gr_buf_free(&why);
	if (skips && !fails)
		return res(GR_KY_SKIP,
		           gr_arena_printf(ev->arena, "rule %s skipped: no anyPattern applied", rule));
	const char *m = message_of(ev, b->message);
	if (m && m[0]) {
		size_t l = strlen(m);
		return res(GR_KY_FAIL, gr_arena_printf(ev->arena, "validation error: %s%s%s", m,
		                                       m[l - 1] == '.' ? "" : ".", w));
	}
	return res(GR_KY_FAIL, gr_arena_printf(ev->arena, "validation error:%s", w));
}

static ky_result eval_deny(ky_eval *ev, const body *b, const char *rule)
{
	const char *cm = NULL;
	int r = ky_conditions(ev, gr_get(b->deny, "conditions"), &cm);
	if (r < 0)
		return res(GR_KY_ERROR,
		           gr_arena_printf(ev->arena, "failed to check deny conditions: %s", ev->err));
	if (r == 0)
		return res(GR_KY_PASS, "validation rule passed.");
	const char *m = message_of(ev, b->message);
	if (m && m[0])
		return res(GR_KY_FAIL, cm ? gr_arena_printf(ev->arena, "%s; %s", m, cm) : m);
	if (cm)
		return res(GR_KY_FAIL, cm);
	return res(GR_KY_FAIL, gr_arena_printf(ev->arena, "validation error: rule %s failed", rule));
}

static void set_int(ky_eval *ev, const char *name, int64_t v)
{
	gr_value x = gr_make_int(v);
	ky_ctx_set(ev, name, strlen(name), &x);
}

static ky_result eval_foreach(ky_eval *ev, const body *b, const char *rule, const gr_value *resource)
{
	size_t applied = 0;
	const gr_value *list = b->foreach;
	for (size_t f = 0; f < list->u.a.len; f++) {
		const gr_value *fe = &list->u.a.items[f];
		const gr_value *lexpr = gr_get(fe, "list");
		if (!lexpr || lexpr->type != GR_STRING)
			return res(GR_KY_ERROR, "foreach entry without a list expression");
		gr_value lv;
		gr_value lsub;
		if (ky_subst(ev, lexpr, &lsub, KY_SUBST_STRICT) || lsub.type != GR_STRING)
			continue;
		if (ky_query(ev, lsub.u.s.ptr, lsub.u.s.len, &lv) != 0) {
			if (ev->oom)
				return res(GR_KY_ERROR, "out of memory");
			continue; /* Kyverno skips a list it cannot evaluate */
		}
		const gr_value *items = &lv;
		size_t n = 1;
		if (lv.type == GR_ARRAY) {
			items = lv.u.a.items;
			n = lv.u.a.len;
		}
		const gr_value *scope_v = gr_get(fe, "elementScope");
		body fb = {
		        .context = gr_get(fe, "context"),
		        .preconditions = gr_get(fe, "preconditions"),
		        .deny = gr_get(fe, "deny"),
		        .pattern = gr_get(fe, "pattern"),
		        .any_pattern = gr_get(fe, "anyPattern"),
		        .foreach = gr_get(fe, "foreach"),
		        .message = b->message,
		        .pattern_vars = true,
		};
		gr_value saved = ev->ctx;
		size_t count = 0;
		for (size_t i = 0; i < n; i++) {
			const gr_value *el = &items[i];
			if (el->type == GR_NULL)
				continue;
			ev->ctx = saved;
			char nm[32];
			ky_ctx_set(ev, "element", 7, el);
			set_int(ev, "elementIndex", (int64_t)i);
			snprintf(nm, sizeof nm, "element%d", ev->nesting);
			ky_ctx_set(ev, nm, strlen(nm), el);
			snprintf(nm, sizeof nm, "elementIndex%d", ev->nesting);
			set_int(ev, nm, (int64_t)i);
			/* the values file's foreachValues: the i-th item for the i-th element */
			const gr_value *fv = ky_foreach_values(ev->req->values, ev->cur_policy, ev->cur_rule);
			for (size_t k = 0; fv && fv->type == GR_OBJECT && k < fv->u.o.len; k++) {
				const gr_member *m = &fv->u.o.members[k];
				if (m->value.type == GR_ARRAY && i < m->value.u.a.len)
					ky_ctx_set(ev, m->key, m->key_len, &m->value.u.a.items[i]);
			}
			bool scope = el->type == GR_OBJECT;
			if (scope_v && scope_v->type == GR_BOOL) {
				if (scope_v->u.b && el->type != GR_OBJECT) {
					ev->ctx = saved;
					return res(GR_KY_ERROR, "failed to process foreach: elementScope "
					                        "needs a map element");
				}
				scope = scope_v->u.b;
			}
			ev->nesting++;
			ky_result r = run_body(ev, &fb, rule, scope ? el : resource);
			ev->nesting--;
			if (r.none || r.status == GR_KY_SKIP)
				continue;
			if (r.status == GR_KY_ERROR) {
				if (i + 1 < n)
					continue;
				ev->ctx = saved;
				return res(GR_KY_ERROR,
				           gr_arena_printf(ev->arena, "validation failure: %s", r.message));
			}
			if (r.status != GR_KY_PASS) {
				ev->ctx = saved;
				return res(GR_KY_FAIL,
				           gr_arena_printf(ev->arena, "validation failure: %s", r.message));
			}
			count++;
		}
		ev->ctx = saved;
		applied += count;
	}
	if (applied == 0)
		return res(GR_KY_SKIP, "rule skipped");
	return res(GR_KY_PASS, "rule passed");
}

/* context, preconditions, then the check */
static ky_result run_body(ky_eval *ev, const body *b, const char *rule, const gr_value *resource)
{
	if (ky_load_context(ev, b->context, NULL, rule))
		return res(GR_KY_ERROR, gr_arena_printf(ev->arena, "failed to load context: %s", ev->err));
	int pc = ky_conditions(ev, b->preconditions, NULL);
	if (pc < 0)
		return res(GR_KY_ERROR,
		           gr_arena_printf(ev->arena, "failed to evaluate preconditions: %s", ev->err));
	if (pc == 0)
		return res(GR_KY_SKIP, "preconditions not met");
	if (b->deny)
		return eval_deny(ev, b, rule);
	if (b->pattern) {
		if (strcmp(ev->operation, "DELETE") == 0 && ev->nesting == 0) {
			ky_result r = {.none = true};
			return r;
		}
		return eval_pattern(ev, b, rule, resource);
	}
	if (b->any_pattern) {
		if (strcmp(ev->operation, "DELETE") == 0 && ev->nesting == 0) {
			ky_result r = {.none = true};
			return r;
		}
		return eval_any_pattern(ev, b, rule, resource);
	}
	if (b->foreach && b->foreach->type == GR_ARRAY)
		return eval_foreach(ev, b, rule, resource);
	if (b->pss)
		return ky_eval_pss(ev, NULL, ev->object);
	ky_result r = {.none = true};
	return r;
}

static body rule_body(const ky_rule *r)
{
	body b = {
	        .context = r->context,
	        .preconditions = r->preconditions,
	        .deny = r->deny,
	        .pattern = r->pattern,
	        .any_pattern = r->any_pattern,
	        .foreach = r->foreach,
	        .pss = r->pss,
	        .message = r->message,
	        .cpattern = r->cpattern,
	        .cany = r->cany,
	        .pattern_vars = r->pattern_vars,
	};
	return b;
}

static ky_result rule_once(ky_eval *ev, const ky_rule *r)
{
	body b = rule_body(r);
	if (r->pss || r->cel) {
		if (ky_load_context(ev, b.context, NULL, r->name))
			return res(GR_KY_ERROR,
			           gr_arena_printf(ev->arena, "failed to load context: %s", ev->err));
		int pc = ky_conditions(ev, b.preconditions, NULL);
		if (pc < 0)
			return res(
			        GR_KY_ERROR,
			        gr_arena_printf(ev->arena, "failed to evaluate preconditions: %s", ev->err));
		if (pc == 0)
			return res(GR_KY_SKIP, "preconditions not met");
		return r->cel ? ky_eval_cel(ev, r) : ky_eval_pss(ev, r, ev->object);
	}
	return run_body(ev, &b, r->name, ev->object);
}

ky_result ky_eval_rule(ky_eval *ev, const ky_policy *p, const ky_rule *r)
{
	gr_value saved = ev->ctx;
	const gr_value *rv = ky_values_for(ev->req->values, p->name, r->name, NULL, 1);
	if (!rv && r->base_name != r->name)
		rv = ky_values_for(ev->req->values, p->name, r->base_name, NULL, 1);
	if (rv)
		ky_inject_values(ev, rv);
	ev->cur_policy = p->name;
	ev->cur_rule = r->base_name;
	ky_result out = rule_once(ev, r);
	bool enforce = r->action >= 0 ? r->action == 1 : p->enforce;
	/* (the CEL handler has no such rule) */
	if (!out.none && out.status == GR_KY_FAIL && enforce && strcmp(ev->operation, "UPDATE") == 0 &&
	    r->allow_existing && !r->cel) {
		/* existing violation: re-run on the old object as a CREATE */
		ev->ctx = saved;
		if (rv)
			ky_inject_values(ev, rv);
		const gr_value *old = gr_get_path(&ev->ctx, "request", "oldObject", NULL);
		gr_value create = gr_make_string_ref("CREATE", 6);
		ky_ctx_set(ev, "request.operation", 17, &create);
		if (old)
			ky_ctx_set(ev, "request.object", 14, old);
		const char *op = ev->operation;
		const gr_value *obj = ev->object;
		ev->operation = "CREATE";
		if (old)
			ev->object = old;
		ky_match_prepare(ev);
		if (ky_rule_matches(ev, p, r)) {
			ky_result again = rule_once(ev, r);
			if (!again.none && again.status == GR_KY_FAIL)
				out = res(GR_KY_SKIP, "pre-existing violations are allowed");
		}
		ev->operation = op;
		ev->object = obj;
		ky_match_prepare(ev);
	}
	ev->ctx = saved;
	return out;
}

/* ---- the request context ---- */

static const gr_value *pod_spec_of(const gr_value *obj)
{
	const char *kind = gr_get_str(obj, "kind");
	if (!kind)
		return NULL;
	if (strcmp(kind, "Pod") == 0)
		return gr_get(obj, "spec");
	if (strcmp(kind, "CronJob") == 0)
		return gr_get_path(obj, "spec", "jobTemplate", "spec", "template", "spec", NULL);
	return gr_get_path(obj, "spec", "template", "spec", NULL);
}

static gr_value str_val(gr_arena *a, const char *s, size_t n)
{
	return gr_make_string(a, s, n);
}

/* Kyverno's ImageInfo of one image reference. */
static gr_value image_info(gr_arena *a, const char *img)
{
	const char *digest = strchr(img, '@');
	size_t main_len = digest ? (size_t)(digest - img) : strlen(img);
	const char *slash = memchr(img, '/', main_len);
	const char *registry = "docker.io";
	size_t reg_len = 9;
	const char *rest = img;
	if (slash) {
		size_t fl = (size_t)(slash - img);
		if (memchr(img, '.', fl) || memchr(img, ':', fl) ||
		    (fl == 9 && memcmp(img, "localhost", 9) == 0)) {
			registry = img;
			reg_len = fl;
			rest = slash + 1;
		}
	}
	size_t rest_len = main_len - (size_t)(rest - img);
	const char *lastslash = NULL;
	for (size_t i = 0; i < rest_len; i++)
		if (rest[i] == '/')
			lastslash = rest + i;
	const char *colon = NULL;
	for (size_t i = lastslash ? (size_t)(lastslash - rest) : 0; i < rest_len; i++)
		if (rest[i] == ':')
			colon = rest + i;
	size_t path_len = colon ? (size_t)(colon - rest) : rest_len;
	const char *tag = colon ? colon + 1 : (digest ? "" : "latest");
	size_t tag_len = colon ? rest_len - path_len - 1 : strlen(tag);
	const char *name = lastslash ? lastslash + 1 : rest;
	size_t name_len = path_len - (size_t)(name - rest);
	gr_value o = gr_make_object(a, 7);
	const char *keys[] = {"registry", "path", "name", "tag", "digest", "reference", "referenceWithTag"};
	gr_value vals[7];
	vals[0] = str_val(a, registry, reg_len);
	vals[1] = str_val(a, rest, path_len);
	vals[2] = str_val(a, name, name_len);
	vals[3] = str_val(a, tag, tag_len);
	vals[4] = str_val(a, digest ? digest + 1 : "", digest ? strlen(digest + 1) : 0);
	char *ref = gr_arena_printf(a, "%.*s/%.*s%s%.*s%s%s", (int)reg_len, registry, (int)path_len, rest,
	                            tag_len ? ":" : "", (int)tag_len, tag, digest ? "@" : "",
	                            digest ? digest + 1 : "");
	char *rwt = gr_arena_printf(a, "%.*s/%.*s:%.*s", (int)reg_len, registry, (int)path_len, rest,
	                            (int)tag_len, tag);
	vals[5] = gr_make_string_ref(ref ? ref : "", ref ? strlen(ref) : 0);
	vals[6] = gr_make_string_ref(rwt ? rwt : "", rwt ? strlen(rwt) : 0);
	for (int i = 0; i < 7 && o.type == GR_OBJECT; i++) {
		gr_member_set_key(&o.u.o.members[i], keys[i], strlen(keys[i]));
		o.u.o.members[i].value = vals[i];
	}
	return o;
}

static gr_value images_of(gr_arena *a, const gr_value *spec)
{
	static const char *const lists[] = {"containers", "initContainers", "ephemeralContainers"};
	gr_value out = gr_make_object(a, 3);
	size_t k = 0;
	for (int l = 0; l < 3 && out.type == GR_OBJECT; l++) {
		const gr_value *arr = gr_get(spec, lists[l]);
		if (!arr || arr->type != GR_ARRAY || !arr->u.a.len)
			continue;
		gr_value m = gr_make_object(a, arr->u.a.len);
		size_t j = 0;
		for (size_t i = 0; i < arr->u.a.len && m.type == GR_OBJECT; i++) {
			const char *name = gr_get_str(&arr->u.a.items[i], "name");
			const char *image = gr_get_str(&arr->u.a.items[i], "image");
			if (!name || !image)
				continue;
			gr_member_set_key(&m.u.o.members[j], name, strlen(name));
			m.u.o.members[j++].value = image_info(a, image);
		}
		m.u.o.len = j;
		gr_member_set_key(&out.u.o.members[k], lists[l], strlen(lists[l]));
		out.u.o.members[k++].value = m;
	}
	if (out.type == GR_OBJECT)
		out.u.o.len = k;
	return out;
}

static int build_context(ky_eval *ev, const ky_policy *p, const char *resource_name)
{
	const gr_kyverno_request *req = ev->req;
	ev->ctx = gr_make_object(ev->arena, 0);
	gr_value v = gr_make_string_ref(ev->operation, strlen(ev->operation));
	ky_ctx_set(ev, "request.operation", 17, &v);
	ky_ctx_set(ev, "request.object", 14, req->object);
	if (strcmp(ev->operation, "UPDATE") == 0 || strcmp(ev->operation, "DELETE") == 0)
		ky_ctx_set(ev, "request.oldObject", 17, req->old_object ? req->old_object : req->object);
	v = gr_make_string_ref(ev->ns ? ev->ns : "", ev->ns ? strlen(ev->ns) : 0);
	ky_ctx_set(ev, "request.namespace", 17, &v);
	const gr_kyverno_userinfo *ui = req->userinfo;
	if (ui) {
		if (ui->user_info)
			ky_ctx_set(ev, "request.userInfo", 16, ui->user_info);
		if (ui->roles)
			ky_ctx_set(ev, "request.roles", 13, ui->roles);
		if (ui->cluster_roles)
			ky_ctx_set(ev, "request.clusterRoles", 20, ui->cluster_roles);
		const char *user = ui->user_info ? gr_get_str(ui->user_info, "username") : NULL;
		if (user && strncmp(user, "system:serviceaccount:", 22) == 0) {
			const char *ns = user + 22, *colon = strchr(ns, ':');
			if (colon) {
				gr_value sns = gr_make_string(ev->arena, ns, (size_t)(colon - ns));
				gr_value sn = gr_make_string_ref(colon + 1, strlen(colon + 1));
				ky_ctx_set(ev, "serviceAccountName", 18, &sn);
				ky_ctx_set(ev, "serviceAccountNamespace", 23, &sns);
			}
		}
	}
	const gr_value *spec = ev->set->uses_images ? pod_spec_of(req->object) : NULL;
	if (spec && spec->type == GR_OBJECT) {
		gr_value im = images_of(ev->arena, spec);
		ky_ctx_set(ev, "images", 6, &im);
	}
	if (req->values && p) {
		ky_inject_values(ev, ky_values_for(req->values, p->name, NULL, NULL, 0));
		ky_inject_values(ev, ky_values_for(req->values, p->name, NULL, resource_name, 2));
	}
	/* the values may set the operation */
	const char *op = gr_get_str(gr_get(&ev->ctx, "request"), "operation");
	if (op) {
		ev->operation = op;
		if ((strcmp(op, "UPDATE") == 0 || strcmp(op, "DELETE") == 0) &&
		    !gr_get_path(&ev->ctx, "request", "oldObject", NULL))
			ky_ctx_set(ev, "request.oldObject", 17,
			           req->old_object ? req->old_object : req->object);
	}
	return ev->oom ? -1 : 0;
}

/* The rule's failure action, then the policy's, then a per-namespace override. */
static bool effective_enforce(const ky_eval *ev, const ky_policy *p, const ky_rule *r)
{
	if (r->action >= 0)
		return r->action == 1;
	bool enforce = p->enforce;
	const gr_value *ov = p->overrides;
	for (size_t i = 0; ov && ov->type == GR_ARRAY && i < ov->u.a.len; i++) {
		const gr_value *o = &ov->u.a.items[i];
		const char *action = gr_get_str(o, "action");
		const gr_value *nss = gr_get(o, "namespaces");
		bool hit = false;
		for (size_t j = 0; nss && nss->type == GR_ARRAY && j < nss->u.a.len && !hit; j++)
			hit = nss->u.a.items[j].type == GR_STRING &&
			      ky_wildcard_z(nss->u.a.items[j].u.s.ptr, ev->ns);
		const gr_value *sel = gr_get(o, "namespaceSelector");
		if (!hit && sel && ev->req->namespace_labels && ev->ns[0])
			hit = ky_selector_matches(sel, ev->req->namespace_labels(ev->req->user, ev->ns));
		if (hit && action)
			return strcasecmp(action, "enforce") == 0;
	}
	return enforce;
}

int gr_kyverno_evaluate(const gr_kyverno_set *set, const gr_kyverno_request *req, gr_arena *arena,
                        gr_kyverno_sink sink, void *user, gr_error *err)
{
	ky_eval ev;
	memset(&ev, 0, sizeof ev);
	ev.set = set;
	ev.req = req;
	ev.arena = arena;
	ev.object = req->object;
	ky_match_prepare(&ev);
	const char *ns = req->namespace_;
	if (!ns)
		ns = gr_get_str(gr_get(req->object, "metadata"), "namespace");
	ev.ns = ns ? ns : "";
	const char *rname = gr_get_str(gr_get(req->object, "metadata"), "name");
	int count = 0;
	/* Without values the context is the same for every policy: built once,
	 * and only when some rule matches. */
	bool per_policy = req->values != NULL;
	bool built = false;
	gr_value shared = gr_null_value;
	for (size_t i = 0; i < set->npolicies; i++) {
		const ky_policy *p = &set->policies[i];
		if ((req->admission && p->no_admission) || (req->background && p->no_background))
			continue;
		ev.operation = req->operation ? req->operation : "CREATE";
		gr_value base = gr_null_value;
		if (per_policy) {
			if (build_context(&ev, p, rname) != 0)
				break;
			base = ev.ctx;
		}
		for (size_t j = 0; j < p->nrules; j++) {
			const ky_rule *r = &p->rules[j];
			ev.nesting = 0;
			if (!ky_rule_matches(&ev, p, r)) {
				if (ev.rule_unknown && sink) {
					/* it might apply: never a silent pass */
					gr_kyverno_response ne = {.policy = p->display,
					                          .rule = r->name,
					                          .base_rule = r->base_name,
					                          .path = "",
					                          .policy_file = p->file,
					                          .line = r->line,
					                          .column = r->column,
					                          .status = GR_KY_NOT_EVALUATED,
					                          .message = ev.unknown_why};
					sink(user, &ne);
					count++;
				}
				continue;
			}
			if (!per_policy && (r->needs_ctx || strcmp(ev.operation, "CREATE") != 0)) {
				if (!built) {
					if (build_context(&ev, NULL, rname) != 0)
						break;
					shared = ev.ctx;
					built = true;
				}
				base = shared;
			} else if (!per_policy) {
				base = built ? shared : gr_null_value;
			}
			ev.ctx = base;
			gr_kyverno_response resp = {
			        .policy = p->display,
			        .rule = r->name,
			        .base_rule = r->base_name,
			        .enforce = effective_enforce(&ev, p, r),
			        .path = "",
			        .policy_file = p->file,
			        .line = r->line,
			        .column = r->column,
			};
			if (r->type != KY_RULE_VALIDATE) {
				resp.status = GR_KY_NOT_EVALUATED;
				resp.message = r->reason;
			} else {
				ky_result kr = ky_eval_rule(&ev, p, r);
				if (ev.oom)
					break;
				if (kr.none)
					continue;
				resp.status = kr.status;
				resp.message = kr.message ? kr.message : "";
				resp.path = kr.path ? kr.path : "";
				if (resp.status == GR_KY_FAIL && p->scored_false)
					resp.status = GR_KY_WARN;
			}
			if (sink)
				sink(user, &resp);
			count++;
			if (p->apply_one)
				break;
		}
		if (ev.oom)
			break;
	}
	if (!ev.oom && set->nvpols) {
		/* ValidatingPolicies read request.oldObject of the context */
		ev.operation = req->operation ? req->operation : "CREATE";
		if (build_context(&ev, NULL, rname) == 0)
			ky_eval_vpols(&ev, sink, user, &count);
	}
	ky_eval_free_dynamic(&ev);
	if (ev.oom)
		return gr_error_set(err, 0, 0, "out of memory evaluating policies");
	return count;
}
