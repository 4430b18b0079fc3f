/*
 * admissionregistration.c — the admissionregistration.k8s.io group
 * (pkg/apis/admissionregistration/validation): Validating- and
 * MutatingWebhookConfiguration (webhook names, rules, policies, side effects,
 * timeouts, AdmissionReview versions, client config URL or service, match
 * conditions) and ValidatingAdmissionPolicy / ...Binding (failure policy,
 * paramKind, match resources, validations, audit annotations, variables,
 * paramRef, validation actions).
 *
 * What the server defaults before validating is not required here
 * (failurePolicy Fail, matchPolicy Equivalent, selectors {}, service port
 * 443, paramRef.parameterNotFoundAction Deny). CEL expressions are not
 * compiled here (the vap engine compiles them when it runs the policy).
 */
#include <stdio.h>
#include <string.h>

#include "native_int.h"

#define ARR(v)     ((v) && (v)->type == GR_ARRAY)
#define EACH(v, i) for (size_t i = 0; ARR(v) && i < (v)->u.a.len; i++)
#define STR(v)     ((v) && (v)->type == GR_STRING)

static const char *const failure_policies[] = {"Fail", "Ignore", NULL};
static const char *const match_policies[] = {"Equivalent", "Exact", NULL};
static const char *const no_side_effects[] = {"None", "NoneOnDryRun", NULL};
static const char *const operations[] = {"*", "CONNECT", "CREATE", "DELETE", "UPDATE", NULL};
static const char *const reinvocation[] = {"IfNeeded", "Never", NULL};
static const char *const scopes[] = {"*", "Cluster", "Namespaced", NULL};
static const char *const reasons[] = {"Forbidden", "Invalid", "RequestEntityTooLarge", NULL};
static const char *const actions[] = {"Audit", "Deny", "Warn", NULL};
static const char *const not_found_actions[] = {"Deny", "Allow", NULL};

static bool has_str(const gr_value *arr, const char *s)
{
	EACH(arr, i)
	if (STR(&arr->u.a.items[i]) && strcmp(arr->u.a.items[i].u.s.ptr, s) == 0)
		return true;
	return false;
}

/* an empty or missing list */
static bool empty(const gr_value *arr)
{
	return !ARR(arr) || arr->u.a.len == 0;
}

/* strings.TrimSpace(s) is empty */
static bool blank(const char *s)
{
	for (; *s; s++)
		if (!strchr(" \t\n\r\v\f", *s))
			return false;
	return true;
}

/* validateResources / validateResourcesNoSubResources */
static void check_resources(nv_ctx *c, int rule, const gr_value *res, const char *path, bool sub)
{
	char p[700];
	if (empty(res))
		nv_required(c, rule, path, res, NULL);
	bool dbl = false, single = false, plain = false;
	EACH(res, i)
	{
		const gr_value *r = &res->u.a.items[i];
		if (!STR(r))
			continue;
		const char *s = r->u.s.ptr;
		snprintf(p, sizeof p, "%s[%zu]", path, i);
		if (!*s) {
			nv_required(c, rule, p, r, NULL);
			continue;
		}
		if (!sub) {
			if (strchr(s, '/'))
				nv_invalid(c, rule, p, r, "must not specify subresources");
			continue;
		}
		if (strcmp(s, "*/*") == 0)
			dbl = true;
		if (strcmp(s, "*") == 0)
			single = true;
		const char *sl = strchr(s, '/');
		if (!sl) {
			plain = strcmp(s, "*") != 0;
			continue;
		}
		size_t rl = (size_t)(sl - s);
		for (size_t j = 0; j < i; j++) {
			const gr_value *o = &res->u.a.items[j];
			if (!STR(o))
				continue;
			const char *os = o->u.s.ptr, *osl = strchr(os, '/');
			if (!osl)
				continue;
			char d[300];
			if (strcmp(osl + 1, "*") == 0 && (size_t)(osl - os) == rl && memcmp(os, s, rl) == 0) {
				snprintf(d, sizeof d, "if '%.*s/*' is present, must not specify %.100s",
				         (int)rl, s, s);
				nv_invalid(c, rule, p, r, d);
			}
			if (osl - os == 1 && os[0] == '*' && strcmp(osl + 1, sl + 1) == 0) {
				snprintf(d, sizeof d, "if '*/%.100s' is present, must not specify %.100s",
				         sl + 1, s);
				nv_invalid(c, rule, p, r, d);
			}
		}
	}
	if (!sub) {
		if (ARR(res) && res->u.a.len > 1 && has_str(res, "*"))
			nv_invalid(c, rule, path, res, "if '*' is present, must not specify other resources");
		return;
	}
	if (ARR(res) && res->u.a.len > 1 && dbl)
		nv_invalid(c, rule, path, res, "if '*/*' is present, must not specify other resources");
	if (single && plain)
		nv_invalid(c, rule, path, res,
		           "if '*' is present, must not specify other resources without subresources");
}

/* validateRuleWithOperations (with validateRule, subresources allowed) */
static void check_rule(nv_ctx *c, int rule, const gr_value *r, const char *path)
{
	char p[700];
	const gr_value *ops = gr_get(r, "operations");
	snprintf(p, sizeof p, "%s.operations", path);
	if (empty(ops))
		nv_required(c, rule, p, r, NULL);
	if (ARR(ops) && ops->u.a.len > 1 && has_str(ops, "*"))
		nv_invalid(c, rule, p, ops, "if '*' is present, must not specify other operations");
	EACH(ops, i)
	{
		const gr_value *o = &ops->u.a.items[i];
		if (STR(o) && !nv_in(o->u.s.ptr, operations)) {
			snprintf(p, sizeof p, "%s.operations[%zu]", path, i);
			nv_not_supported(c, rule, p, o, operations);
		}
	}
	static const struct {
		const char *key, *what;
	} lists[] = {{"apiGroups", "API groups"}, {"apiVersions", "API versions"}};
	for (int k = 0; k < 2; k++) {
		const gr_value *l = gr_get(r, lists[k].key);
		snprintf(p, sizeof p, "%s.%s", path, lists[k].key);
		if (empty(l))
			nv_required(c, rule, p, r, NULL);
		if (ARR(l) && l->u.a.len > 1 && has_str(l, "*")) {
			char d[100];
			snprintf(d, sizeof d, "if '*' is present, must not specify other %s", lists[k].what);
			nv_invalid(c, rule, p, l, d);
		}
		if (k == 1)
			EACH(l, i)
		if (STR(&l->u.a.items[i]) && !l->u.a.items[i].u.s.len) {
			snprintf(p, sizeof p, "%s.apiVersions[%zu]", path, i);
			nv_required(c, rule, p, &l->u.a.items[i], NULL);
		}
	}
	snprintf(p, sizeof p, "%s.resources", path);
	check_resources(c, rule, gr_get(r, "resources"), p, true);
	const gr_value *sc = gr_get(r, "scope");
	if (STR(sc) && !nv_in(sc->u.s.ptr, scopes)) {
		snprintf(p, sizeof p, "%s.scope", path);
		nv_not_supported(c, rule, p, sc, scopes);
	}
}

/* utilvalidation.IsFullyQualifiedName */
static void check_fqdn(nv_ctx *c, int rule, const gr_value *v, const char *path, const gr_value *at)
{
	const char *s = STR(v) ? v->u.s.ptr : "";
	if (!*s) {
		nv_required(c, rule, path, at, NULL);
		return;
	}
	nv_msgs m = {0};
	if (nv_dns1123_subdomain(s, &m)) {
		char d[700] = "";
		for (int j = 0; j < m.n; j++)
			snprintf(d + strlen(d), sizeof d - strlen(d), "%s%s", j ? "," : "", m.m[j]);
		nv_invalid(c, rule, path, v, d);
		return;
	}
	int dots = 0;
	for (const char *q = s; *q; q++)
		dots += *q == '.';
	if (dots < 2)
		nv_invalid(c, rule, path, v,
		           "should be a domain with at least three segments separated by dots");
}

/* webhook.ValidateWebhookURL (https only) */
static void check_url(nv_ctx *c, const gr_value *u, const char *path)
{
	static const char form[] = "; desired format: https://host[/path]";
	const char *s = STR(u) ? u->u.s.ptr : "";
	for (const char *q = s; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f) {
			nv_required(c, NV_ADM_CLIENT_CONFIG, path, u,
			            "url must be a valid URL: net/url: invalid control character in URL; "
			            "desired format: https://host[/path]");
			return;
		}
	/* scheme ":" ["//" [userinfo "@"] host] path ["?" query] ["#" fragment] */
	char scheme[64] = "";
	const char *rest = s;
	size_t sl = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
	if (sl && sl < sizeof scheme && s[sl] == ':' &&
	    ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) {
		for (size_t i = 0; i < sl; i++)
			scheme[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
		scheme[sl] = 0;
		rest = s + sl + 1;
	}
	const char *frag = strchr(rest, '#');
	size_t before_frag = frag ? (size_t)(frag - rest) : strlen(rest);
	const char *query = memchr(rest, '?', before_frag);
	char host[300] = "", user[300] = "";
	bool has_user = false;
	if (strncmp(rest, "//", 2) == 0) {
		const char *a = rest + 2;
		size_t al = strcspn(a, "/?#");
		const char *at = memchr(a, '@', al);
		if (at) {
			has_user = true;
			snprintf(user, sizeof user, "%.*s", (int)(at - a), a);
			al -= (size_t)(at + 1 - a);
			a = at + 1;
		}
		snprintf(host, sizeof host, "%.*s", (int)al, a);
	}
	char d[200];
	if (strcmp(scheme, "https") != 0) {
		snprintf(d, sizeof d, "'https' is the only allowed URL scheme%s", form);
		nv_invalid_str(c, NV_ADM_CLIENT_CONFIG, path, u, scheme, d);
	}
	if (!*host) {
		snprintf(d, sizeof d, "host must be specified%s", form);
		nv_invalid_str(c, NV_ADM_CLIENT_CONFIG, path, u, "", d);
	}
	if (has_user)
		nv_invalid_str(c, NV_ADM_CLIENT_CONFIG, path, u, user,
		               "user information is not permitted in the URL");
	if (frag && frag[1])
		nv_invalid_str(c, NV_ADM_CLIENT_CONFIG, path, u, frag + 1,
		               "fragments are not permitted in the URL");
	if (query && query[1] && query + 1 < rest + before_frag) {
		char q[300];
		snprintf(q, sizeof q, "%.*s", (int)(rest + before_frag - query - 1), query + 1);
		nv_invalid_str(c, NV_ADM_CLIENT_CONFIG, path, u, q,
		               "query parameters are not permitted in the URL");
	}
}

/* webhook.ValidateWebhookService. The validation passes (name, namespace)
 * where the function takes (namespace, name): a missing name is reported
 * as the namespace and the other way round, as the server does. */
static void check_service(nv_ctx *c, const gr_value *svc, const char *path)
{
	char p[700];
	const gr_value *name = gr_get(svc, "name"), *ns = gr_get(svc, "namespace");
	if (!STR(name) || !name->u.s.len) {
		snprintf(p, sizeof p, "%s.namespace", path);
		nv_required(c, NV_ADM_CLIENT_CONFIG, p, svc, "service namespace is required");
	}
	if (!STR(ns) || !ns->u.s.len) {
		snprintf(p, sizeof p, "%s.name", path);
		nv_required(c, NV_ADM_CLIENT_CONFIG, p, svc, "service name is required");
	}
	int64_t port;
	const gr_value *pv = gr_get(svc, "port");
	if (nv_int(pv, &port) && (port < 1 || port > 65535)) {
		snprintf(p, sizeof p, "%s.port", path);
		nv_invalid(c, NV_ADM_CLIENT_CONFIG, p, pv,
		           "port is not valid: must be between 1 and 65535, inclusive");
	}
	const gr_value *pathv = gr_get(svc, "path");
	if (!STR(pathv))
		return;
	const char *up = pathv->u.s.ptr;
	snprintf(p, sizeof p, "%s.path", path);
	if (!*up || strcmp(up, "/") == 0)
		return;
	if (strcmp(up, "//") == 0) {
		nv_invalid(c, NV_ADM_CLIENT_CONFIG, p, pathv, "segment[0] may not be empty");
		return;
	}
	if (up[0] != '/')
		nv_invalid(c, NV_ADM_CLIENT_CONFIG, p, pathv, "must start with a '/'");
	char buf[1100];
	snprintf(buf, sizeof buf, "%s", up + 1);
	size_t bl = strlen(buf);
	if (bl && buf[bl - 1] == '/')
		buf[bl - 1] = 0;
	char *seg = buf;
	for (int i = 0;; i++) {
		char *sl = strchr(seg, '/');
		if (sl)
			*sl = 0;
		char d[300];
		if (!*seg) {
			snprintf(d, sizeof d, "segment[%d] may not be empty", i);
			nv_invalid(c, NV_ADM_CLIENT_CONFIG, p, pathv, d);
		} else {
			nv_msgs m = {0};
			nv_dns1123_subdomain(seg, &m);
			for (int j = 0; j < m.n; j++) {
				snprintf(d, sizeof d, "segment[%d]: %s", i, m.m[j]);
				nv_invalid(c, NV_ADM_CLIENT_CONFIG, p, pathv, d);
			}
		}
		if (!sl)
			break;
		seg = sl + 1;
	}
}

/* validateMatchConditions: at most 64, names unique qualified names, expressions set */
static void check_match_conditions(nv_ctx *c, const gr_value *mcs, const char *path)
{
	char p[700];
	if (ARR(mcs) && mcs->u.a.len > 64) {
		gr_finding *x = gr_findings_addf(
		        c->out, c->obj, nv_rules[NV_ADM_MATCH_CONDITIONS].id, GR_SEV_ERROR, GR_ACTION_ENFORCE,
		        path, mcs, "%s: Too many: %zu: must have at most 64 items", path, mcs->u.a.len);
		if (x) {
			x->reason = "FieldValueTooMany";
			x->remediation = nv_rules[NV_ADM_MATCH_CONDITIONS].remediation;
			x->doc = "docs/rules/native.md";
		} else
			c->oom = true;
	}
	EACH(mcs, i)
	{
		const gr_value *mc = &mcs->u.a.items[i];
		const gr_value *ex = gr_get(mc, "expression"), *nm = gr_get(mc, "name");
		if (!STR(ex) || blank(ex->u.s.ptr)) {
			snprintf(p, sizeof p, "%s[%zu].expression", path, i);
			nv_required(c, NV_ADM_MATCH_CONDITIONS, p, mc, NULL);
		}
		snprintf(p, sizeof p, "%s[%zu].name", path, i);
		if (!STR(nm) || !nm->u.s.len) {
			nv_required(c, NV_ADM_MATCH_CONDITIONS, p, mc, NULL);
			continue;
		}
		nv_msgs m = {0};
		nv_qualified_name(nm->u.s.ptr, &m);
		for (int j = 0; j < m.n; j++)
			nv_invalid(c, NV_ADM_MATCH_CONDITIONS, p, nm, m.m[j]);
		for (size_t j = 0; j < i; j++) {
			const char *o = nv_str(&mcs->u.a.items[j], "name");
			if (o && strcmp(o, nm->u.s.ptr) == 0) {
				nv_duplicate(c, NV_ADM_MATCH_CONDITIONS, p, nm);
				break;
			}
		}
	}
}

static void check_selector_at(nv_ctx *c, const gr_value *hook, const char *key, const char *path)
{
	const gr_value *sel = gr_get(hook, key);
	if (!sel || sel->type != GR_OBJECT)
		return;
	char p[700];
	snprintf(p, sizeof p, "%s.%s", path, key);
	nv_check_selector(c, sel, p);
}

/* validateValidatingWebhook / validateMutatingWebhook, plus the per-hook
 * checks of the configuration (AdmissionReview versions, unique names) */
static void check_webhook(nv_ctx *c, const gr_value *hooks, size_t i, bool mutating)
{
	const gr_value *h = &hooks->u.a.items[i];
	char base[64], p[700];
	snprintf(base, sizeof base, "webhooks[%zu]", i);
	if (h->type != GR_OBJECT)
		return;
	const gr_value *name = gr_get(h, "name");
	snprintf(p, sizeof p, "%s.name", base);
	check_fqdn(c, NV_ADM_WEBHOOK_NAME, name, p, h);
	const gr_value *rules = gr_get(h, "rules");
	EACH(rules, r)
	{
		snprintf(p, sizeof p, "%s.rules[%zu]", base, r);
		check_rule(c, NV_ADM_RULE, &rules->u.a.items[r], p);
	}
	static const struct {
		const char *key;
		const char *const *set;
		bool mutating_only;
	} enums[] = {{"failurePolicy", failure_policies, false},
	             {"matchPolicy", match_policies, false},
	             {"reinvocationPolicy", reinvocation, true}};
	for (int k = 0; k < 3; k++) {
		const gr_value *v = gr_get(h, enums[k].key);
		if ((!enums[k].mutating_only || mutating) && STR(v) && !nv_in(v->u.s.ptr, enums[k].set)) {
			snprintf(p, sizeof p, "%s.%s", base, enums[k].key);
			nv_not_supported(c, NV_ADM_WEBHOOK_POLICY, p, v, enums[k].set);
		}
	}
	const gr_value *se = gr_get(h, "sideEffects");
	snprintf(p, sizeof p, "%s.sideEffects", base);
	if (!STR(se))
		nv_required(c, NV_ADM_WEBHOOK_POLICY, p, h, "must specify one of None, NoneOnDryRun");
	else if (!nv_in(se->u.s.ptr, no_side_effects))
		nv_not_supported(c, NV_ADM_WEBHOOK_POLICY, p, se, no_side_effects);
	int64_t t;
	const gr_value *to = gr_get(h, "timeoutSeconds");
	if (nv_int(to, &t) && (t > 30 || t < 1)) {
		snprintf(p, sizeof p, "%s.timeoutSeconds", base);
		nv_invalid(c, NV_ADM_WEBHOOK_POLICY, p, to,
		           "the timeout value must be between 1 and 30 seconds");
	}
	check_selector_at(c, h, "namespaceSelector", base);
	check_selector_at(c, h, "objectSelector", base);
	const gr_value *cc = gr_get(h, "clientConfig");
	const gr_value *url = gr_get(cc, "url"), *svc = gr_get(cc, "service");
	bool has_url = url && url->type != GR_NULL, has_svc = svc && svc->type != GR_NULL;
	snprintf(p, sizeof p, "%s.clientConfig", base);
	if (has_url == has_svc)
		nv_required(c, NV_ADM_CLIENT_CONFIG, p, cc ? cc : h,
		            "exactly one of url or service is required");
	else if (has_url) {
		snprintf(p, sizeof p, "%s.clientConfig.url", base);
		check_url(c, url, p);
	} else {
		snprintf(p, sizeof p, "%s.clientConfig.service", base);
		check_service(c, svc, p);
	}
	snprintf(p, sizeof p, "%s.matchConditions", base);
	check_match_conditions(c, gr_get(h, "matchConditions"), p);

	/* validateAdmissionReviewVersions (a recognised version required on create) */
	const gr_value *arv = gr_get(h, "admissionReviewVersions");
	snprintf(p, sizeof p, "%s.admissionReviewVersions", base);
	if (empty(arv))
		nv_required(c, NV_ADM_REVIEW_VERSIONS, p, h, "must specify one of v1, v1beta1");
	else {
		bool accepted = false;
		EACH(arv, j)
		{
			const gr_value *v = &arv->u.a.items[j];
			if (!STR(v))
				continue;
			char q[720];
			snprintf(q, sizeof q, "%s[%zu]", p, j);
			bool dup = false;
			for (size_t k = 0; k < j && !dup; k++)
				dup = STR(&arv->u.a.items[k]) &&
				      strcmp(arv->u.a.items[k].u.s.ptr, v->u.s.ptr) == 0;
			if (dup) {
				nv_invalid(c, NV_ADM_REVIEW_VERSIONS, q, v, "duplicate version");
				continue;
			}
			nv_msgs m = {0};
			nv_dns1035_label(v->u.s.ptr, &m);
			for (int k = 0; k < m.n; k++)
				nv_invalid(c, NV_ADM_REVIEW_VERSIONS, q, v, m.m[k]);
			if (strcmp(v->u.s.ptr, "v1") == 0 || strcmp(v->u.s.ptr, "v1beta1") == 0)
				accepted = true;
		}
		if (!accepted)
			nv_invalid(c, NV_ADM_REVIEW_VERSIONS, p, arv,
			           "must include at least one of v1, v1beta1");
	}
	if (STR(name) && name->u.s.len)
		for (size_t j = 0; j < i; j++) {
			const char *o = nv_str(&hooks->u.a.items[j], "name");
			if (o && strcmp(o, name->u.s.ptr) == 0) {
				snprintf(p, sizeof p, "%s.name", base);
				nv_duplicate(c, NV_ADM_WEBHOOK_NAME, p, name);
				break;
			}
		}
}

/* validateMatchResources; the policy's matchPolicy and selectors are defaulted */
static void check_match_resources(nv_ctx *c, int rule, const gr_value *mr, const char *path)
{
	if (!mr || mr->type != GR_OBJECT)
		return;
	char p[700];
	const gr_value *mp = gr_get(mr, "matchPolicy");
	if (STR(mp) && !nv_in(mp->u.s.ptr, match_policies)) {
		snprintf(p, sizeof p, "%s.matchPolicy", path);
		nv_not_supported(c, rule, p, mp, match_policies);
	}
	check_selector_at(c, mr, "namespaceSelector", path);
	check_selector_at(c, mr, "objectSelector", path);
	static const char *const lists[] = {"resourceRules", "excludeResourceRules"};
	for (int k = 0; k < 2; k++) {
		const gr_value *rr = gr_get(mr, lists[k]);
		EACH(rr, i)
		{
			const gr_value *r = &rr->u.a.items[i];
			const gr_value *names = gr_get(r, "resourceNames");
			EACH(names, j)
			{
				const gr_value *n = &names->u.a.items[j];
				if (!STR(n))
					continue;
				snprintf(p, sizeof p, "%s.%s[%zu].resourceNames[%zu]", path, lists[k], i, j);
				const char *s = n->u.s.ptr;
				if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0) {
					char d[40];
					snprintf(d, sizeof d, "may not be '%s'", s);
					nv_invalid(c, rule, p, n, d);
				}
				if (strchr(s, '/'))
					nv_invalid(c, rule, p, n, "may not contain '/'");
				if (strchr(s, '%'))
					nv_invalid(c, rule, p, n, "may not contain '%'");
				for (size_t k2 = 0; k2 < j; k2++)
					if (STR(&names->u.a.items[k2]) &&
					    strcmp(names->u.a.items[k2].u.s.ptr, s) == 0) {
						nv_duplicate(c, rule, p, n);
						break;
					}
			}
			snprintf(p, sizeof p, "%s.%s[%zu]", path, lists[k], i);
			check_rule(c, rule, r, p);
		}
	}
}

/* validateParamKind */
static void check_param_kind(nv_ctx *c, const gr_value *pk)
{
	const gr_value *av = gr_get(pk, "apiVersion"), *kv = gr_get(pk, "kind");
	const char *api = STR(av) ? av->u.s.ptr : "";
	const char *p = "spec.paramKind.apiVersion";
	if (!*api)
		nv_required(c, NV_ADM_POLICY_SPEC, p, pk, NULL);
	else {
		const char *sl = strchr(api, '/');
		if (sl && strchr(sl + 1, '/')) {
			char d[300];
			snprintf(d, sizeof d, "unexpected GroupVersion string: %.200s", api);
			nv_invalid(c, NV_ADM_POLICY_SPEC, p, av, d);
		} else if (strcmp(api, "/") != 0) {
			char group[300] = "", version[300];
			if (sl)
				snprintf(group, sizeof group, "%.*s", (int)(sl - api), api);
			snprintf(version, sizeof version, "%s", sl ? sl + 1 : api);
			nv_msgs m = {0};
			if (*group && nv_dns1123_subdomain(group, &m)) {
				char d[700] = "";
				for (int j = 0; j < m.n; j++)
					snprintf(d + strlen(d), sizeof d - strlen(d), "%s%s", j ? "," : "",
					         m.m[j]);
				nv_invalid_str(c, NV_ADM_POLICY_SPEC, p, av, group, d);
			}
			if (!*version)
				nv_invalid(c, NV_ADM_POLICY_SPEC, p, av, "version must be specified");
			else {
				nv_msgs vm = {0};
				if (nv_dns1035_label(version, &vm)) {
					char d[700] = "";
					for (int j = 0; j < vm.n; j++)
						snprintf(d + strlen(d), sizeof d - strlen(d), "%s%s",
						         j ? "," : "", vm.m[j]);
					nv_invalid_str(c, NV_ADM_POLICY_SPEC, p, av, version, d);
				}
			}
		}
	}
	const char *kind = STR(kv) ? kv->u.s.ptr : "";
	if (!*kind) {
		nv_required(c, NV_ADM_POLICY_SPEC, "spec.paramKind.kind", pk, NULL);
		return;
	}
	char lower[300];
	snprintf(lower, sizeof lower, "%s", kind);
	for (char *q = lower; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	nv_msgs m = {0};
	if (nv_dns1035_label(lower, &m)) {
		char d[800] = "may have mixed case, but should otherwise match: ";
		for (int j = 0; j < m.n; j++)
			snprintf(d + strlen(d), sizeof d - strlen(d), "%s%s", j ? "," : "", m.m[j]);
		nv_invalid(c, NV_ADM_POLICY_SPEC, "spec.paramKind.kind", kv, d);
	}
}

/* isCELIdentifier */
static bool cel_ident(const char *s)
{
	static const char *const reserved[] = {
	        "true",      "false",  "null",     "in",   "as",     "break", "const", "continue",
	        "else",      "for",    "function", "if",   "import", "let",   "loop",  "package",
	        "namespace", "return", "var",      "void", "while",  NULL};
	if (!*s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return false;
	for (const char *q = s; *q; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
		      *q == '_'))
			return false;
	return !nv_in(s, reserved);
}

/* validateValidatingAdmissionPolicySpec (expressions not compiled) */
static void check_policy(nv_ctx *c)
{
	const gr_value *spec = gr_get(c->obj->root, "spec");
	if (!spec || spec->type != GR_OBJECT)
		spec = NULL;
	char p[200];
	const gr_value *fp = gr_get(spec, "failurePolicy");
	if (STR(fp) && !nv_in(fp->u.s.ptr, failure_policies))
		nv_not_supported(c, NV_ADM_POLICY_SPEC, "spec.failurePolicy", fp, failure_policies);
	const gr_value *pk = gr_get(spec, "paramKind");
	if (pk && pk->type == GR_OBJECT)
		check_param_kind(c, pk);
	const gr_value *mc = gr_get(spec, "matchConstraints");
	if (!mc || mc->type != GR_OBJECT)
		nv_required(c, NV_ADM_POLICY_SPEC, "spec.matchConstraints", spec ? spec : c->obj->root, NULL);
	else {
		check_match_resources(c, NV_ADM_POLICY_SPEC, mc, "spec.matchConstraints");
		if (empty(gr_get(mc, "resourceRules")))
			nv_required(c, NV_ADM_POLICY_SPEC, "spec.matchConstraints.resourceRules", mc, NULL);
	}
	check_match_conditions(c, gr_get(spec, "matchConditions"), "spec.matchConditions");
	const gr_value *vars = gr_get(spec, "variables");
	EACH(vars, i)
	{
		const gr_value *v = &vars->u.a.items[i];
		const gr_value *n = gr_get(v, "name"), *e = gr_get(v, "expression");
		snprintf(p, sizeof p, "spec.variables[%zu].name", i);
		if (!STR(n) || blank(n->u.s.ptr))
			nv_required(c, NV_ADM_POLICY_SPEC, p, v, "name is not specified");
		else if (!cel_ident(n->u.s.ptr))
			nv_invalid(c, NV_ADM_POLICY_SPEC, p, n, "name is not a valid CEL identifier");
		if (!STR(e) || blank(e->u.s.ptr)) {
			snprintf(p, sizeof p, "spec.variables[%zu].expression", i);
			nv_required(c, NV_ADM_POLICY_SPEC, p, v, "expression is not specified");
		}
	}
	const gr_value *vals = gr_get(spec, "validations"), *aas = gr_get(spec, "auditAnnotations");
	if (empty(vals) && empty(aas)) {
		const gr_value *at = spec ? spec : c->obj->root;
		nv_required(c, NV_ADM_POLICY_SPEC, "spec.validations", at,
		            "validations or auditAnnotations must contain at least one item");
		nv_required(c, NV_ADM_POLICY_SPEC, "spec.auditAnnotations", at,
		            "validations or auditAnnotations must contain at least one item");
		return;
	}
	EACH(vals, i)
	{
		const gr_value *v = &vals->u.a.items[i];
		const gr_value *e = gr_get(v, "expression"), *me = gr_get(v, "messageExpression");
		const gr_value *msg = gr_get(v, "message"), *rs = gr_get(v, "reason");
		if (!STR(e) || blank(e->u.s.ptr)) {
			snprintf(p, sizeof p, "spec.validations[%zu].expression", i);
			nv_required(c, NV_ADM_POLICY_SPEC, p, v, "expression is not specified");
		}
		if (STR(me) && me->u.s.len && blank(me->u.s.ptr)) {
			snprintf(p, sizeof p, "spec.validations[%zu].messageExpression", i);
			nv_invalid(c, NV_ADM_POLICY_SPEC, p, me, "must be non-empty if specified");
		}
		if (STR(msg)) {
			snprintf(p, sizeof p, "spec.validations[%zu].message", i);
			const char *s = msg->u.s.ptr;
			size_t a = strspn(s, " \t\n\r\v\f"), z = strlen(s);
			while (z > a && strchr(" \t\n\r\v\f", s[z - 1]))
				z--;
			if (msg->u.s.len && blank(s))
				nv_invalid(c, NV_ADM_POLICY_SPEC, p, msg,
				           "message must be non-empty if specified");
			else if (memchr(s + a, '\n', z - a) || memchr(s + a, '\r', z - a))
				nv_invalid(c, NV_ADM_POLICY_SPEC, p, msg,
				           "message must not contain line breaks");
		}
		if (STR(rs) && !nv_in(rs->u.s.ptr, reasons)) {
			snprintf(p, sizeof p, "spec.validations[%zu].reason", i);
			nv_not_supported(c, NV_ADM_POLICY_SPEC, p, rs, reasons);
		}
	}
	if (ARR(aas) && aas->u.a.len > 20)
		nv_invalid(c, NV_ADM_POLICY_SPEC, "spec.auditAnnotations", aas,
		           "must not have more than 20 auditAnnotations");
	const char *name = nv_str(gr_get(c->obj->root, "metadata"), "name");
	EACH(aas, i)
	{
		const gr_value *a = &aas->u.a.items[i];
		const gr_value *k = gr_get(a, "key"), *ve = gr_get(a, "valueExpression");
		const char *key = STR(k) ? k->u.s.ptr : "";
		snprintf(p, sizeof p, "spec.auditAnnotations[%zu].key", i);
		if (name && *name) {
			char full[700];
			snprintf(full, sizeof full, "%s/%s", name, key);
			nv_msgs m = {0};
			nv_qualified_name(full, &m);
			for (int j = 0; j < m.n; j++)
				nv_invalid_str(c, NV_ADM_POLICY_SPEC, p, k ? k : a, full, m.m[j]);
		} else
			nv_invalid_str(c, NV_ADM_POLICY_SPEC, p, k ? k : a, key,
			               "requires metadata.name be non-empty");
		snprintf(p, sizeof p, "spec.auditAnnotations[%zu].valueExpression", i);
		if (!STR(ve) || blank(ve->u.s.ptr))
			nv_required(c, NV_ADM_POLICY_SPEC, p, a, "valueExpression is not specified");
		else if (ve->u.s.len > 5 * 1024 &&
		         ve->u.s.len - strspn(ve->u.s.ptr, " \t\n\r\v\f") > 5 * 1024)
			nv_required(c, NV_ADM_POLICY_SPEC, p, ve, "must not exceed 5120 bytes in length");
		for (size_t j = 0; j < i; j++) {
			const char *o = nv_str(&aas->u.a.items[j], "key");
			if (o && strcmp(o, key) == 0) {
				snprintf(p, sizeof p, "spec.auditAnnotations[%zu].key", i);
				nv_duplicate(c, NV_ADM_POLICY_SPEC, p, k ? k : a);
				break;
			}
		}
	}
}

/* validateValidatingAdmissionPolicyBindingSpec */
static void check_binding(nv_ctx *c)
{
	const gr_value *spec = gr_get(c->obj->root, "spec");
	const gr_value *at = spec ? spec : c->obj->root;
	const gr_value *pn = gr_get(spec, "policyName");
	if (!STR(pn) || !pn->u.s.len)
		nv_required(c, NV_ADM_BINDING_SPEC, "spec.policyName", at, NULL);
	else {
		nv_msgs m = {0};
		nv_dns1123_subdomain(pn->u.s.ptr, &m);
		for (int j = 0; j < m.n; j++)
			nv_invalid(c, NV_ADM_BINDING_SPEC, "spec.policyName", pn, m.m[j]);
	}
	const gr_value *pr = gr_get(spec, "paramRef");
	if (pr && pr->type == GR_OBJECT) {
		const gr_value *n = gr_get(pr, "name"), *sel = gr_get(pr, "selector");
		bool has_name = STR(n) && n->u.s.len, has_sel = sel && sel->type == GR_OBJECT;
		if (has_name) {
			const char *s = n->u.s.ptr;
			if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0) {
				char d[40];
				snprintf(d, sizeof d, "may not be '%s'", s);
				nv_invalid(c, NV_ADM_BINDING_SPEC, "spec.paramRef.name", n, d);
			}
			if (strchr(s, '/'))
				nv_invalid(c, NV_ADM_BINDING_SPEC, "spec.paramRef.name", n,
				           "may not contain '/'");
			if (strchr(s, '%'))
				nv_invalid(c, NV_ADM_BINDING_SPEC, "spec.paramRef.name", n,
				           "may not contain '%'");
			if (has_sel)
				nv_forbidden(c, NV_ADM_BINDING_SPEC, "spec.paramRef.name", n,
				             "name and selector are mutually exclusive");
		}
		if (has_sel) {
			nv_check_selector(c, sel, "spec.paramRef.selector");
			if (has_name)
				nv_forbidden(c, NV_ADM_BINDING_SPEC, "spec.paramRef.selector", sel,
				             "name and selector are mutually exclusive");
		}
		if (!has_name && !has_sel)
			nv_required(c, NV_ADM_BINDING_SPEC, "spec.paramRef", pr,
			            "one of name or selector must be specified");
		const gr_value *pnf = gr_get(pr, "parameterNotFoundAction");
		if (STR(pnf) && !pnf->u.s.len)
			nv_required(c, NV_ADM_BINDING_SPEC, "spec.paramRef.parameterNotFoundAction", pnf,
			            NULL);
		else if (STR(pnf) && !nv_in(pnf->u.s.ptr, not_found_actions))
			nv_not_supported(c, NV_ADM_BINDING_SPEC, "spec.paramRef.parameterNotFoundAction", pnf,
			                 not_found_actions);
	}
	/* the server's own spelling of the field path */
	check_match_resources(c, NV_ADM_BINDING_SPEC, gr_get(spec, "matchResources"), "spec.matchResouces");
	const gr_value *va = gr_get(spec, "validationActions");
	bool deny = false, warn = false;
	size_t n = 0;
	EACH(va, i)
	{
		const gr_value *a = &va->u.a.items[i];
		if (!STR(a))
			continue;
		char p[64];
		snprintf(p, sizeof p, "spec.validationActions[%zu]", i);
		if (!nv_in(a->u.s.ptr, actions))
			nv_not_supported(c, NV_ADM_BINDING_SPEC, p, a, actions);
		bool dup = false;
		for (size_t j = 0; j < i && !dup; j++)
			dup = STR(&va->u.a.items[j]) && strcmp(va->u.a.items[j].u.s.ptr, a->u.s.ptr) == 0;
		if (dup)
			nv_duplicate(c, NV_ADM_BINDING_SPEC, p, a);
		else
			n++;
		deny |= strcmp(a->u.s.ptr, "Deny") == 0;
		warn |= strcmp(a->u.s.ptr, "Warn") == 0;
	}
	if (deny && warn)
		nv_invalid(c, NV_ADM_BINDING_SPEC, "spec.validationActions", va,
		           "must not contain both Deny and Warn (repeating the same validation failure "
		           "information in the API response and headers serves no purpose)");
	if (!n)
		nv_required(c, NV_ADM_BINDING_SPEC, "spec.validationActions", va ? va : at,
		            "at least one validation action is required");
}

void nv_check_admission(nv_ctx *c)
{
	if (strcmp(c->obj->group, "admissionregistration.k8s.io") != 0)
		return;
	const char *k = c->obj->kind;
	bool vwc = strcmp(k, "ValidatingWebhookConfiguration") == 0;
	if (vwc || strcmp(k, "MutatingWebhookConfiguration") == 0) {
		const gr_value *hooks = gr_get(c->obj->root, "webhooks");
		EACH(hooks, i)
		check_webhook(c, hooks, i, !vwc);
	} else if (strcmp(k, "ValidatingAdmissionPolicy") == 0)
		check_policy(c);
	else if (strcmp(k, "ValidatingAdmissionPolicyBinding") == 0)
		check_binding(c);
}
