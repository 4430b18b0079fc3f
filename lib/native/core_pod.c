/*
 * core_pod.c — ValidatePodSpec (pkg/apis/core/validation/validation.go) for
 * Pods and every pod template: restart and DNS policy, hostname,
 * tolerations, node selector, OS, topology spread, affinity, host aliases,
 * containers (names, images, pull and termination-message policies, ports,
 * env), security contexts; plus the server's warnings (negative
 * terminationGracePeriodSeconds, empty image pull secret names, duplicate
 * ports and env names).
 */
#include <stdio.h>
#include <string.h>

#include "native_int.h"

#define ARR(v)     ((v) && (v)->type == GR_ARRAY)
#define EACH(v, i) for (size_t i = 0; ARR(v) && i < (v)->u.a.len; i++)

static const char *const restart_policies[] = {"Always", "OnFailure", "Never", NULL};
static const char *const dns_policies[] = {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None",
                                           NULL};
static const char *const pull_policies[] = {"Always", "IfNotPresent", "Never", NULL};
static const char *const protocols[] = {"SCTP", "TCP", "UDP", NULL};
static const char *const tm_policies[] = {"File", "FallbackToLogsOnError", NULL};
static const char *const effects[] = {"NoSchedule", "PreferNoSchedule", "NoExecute", NULL};
static const char *const always_only[] = {"Always", NULL};

/* DNS-1123 label, dots reported as such (container names, hostnames) */
static void check_label_name(nv_ctx *c, int rule, const char *path, const gr_value *v)
{
	nv_msgs m = {0};
	if (strchr(v->u.s.ptr, '.') && rule == NV_CONTAINER_NAME) {
		if (v->u.s.len > 63)
			m.m[m.n++] = "must be no more than 63 characters";
		m.m[m.n++] = "must not contain dots";
	} else
		nv_dns1123_label(v->u.s.ptr, &m);
	for (int j = 0; j < m.n; j++)
		nv_invalid(c, rule, path, v, m.m[j]);
}

static void check_id(nv_ctx *c, const gr_value *sc, const char *key, const char *base)
{
	const gr_value *v = gr_get(sc, key);
	int64_t n;
	if (nv_int(v, &n) && (n < 0 || n > 2147483647)) {
		char p[600];
		snprintf(p, sizeof p, "%s.%s", base, key);
		nv_invalid(c, NV_SECURITY_ID_RANGE, p, v, "must be between 0 and 2147483647, inclusive");
	}
}

static void check_seccomp(nv_ctx *c, const gr_value *sc, const char *base)
{
	const gr_value *sp = gr_get(sc, "seccompProfile");
	char p[600];
	if (sp && sp->type == GR_OBJECT) {
		static const char *const types[] = {"Localhost", "RuntimeDefault", "Unconfined", NULL};
		const gr_value *t = gr_get(sp, "type");
		const gr_value *lp = gr_get(sp, "localhostProfile");
		if (t && t->type == GR_STRING) {
			if (!nv_in(t->u.s.ptr, types)) {
				snprintf(p, sizeof p, "%s.seccompProfile.type", base);
				nv_not_supported(c, NV_SECURITY_SECCOMP, p, t, types);
			} else if (strcmp(t->u.s.ptr, "Localhost") == 0) {
				if (!lp || lp->type != GR_STRING || !lp->u.s.len) {
					snprintf(p, sizeof p, "%s.seccompProfile.localhostProfile", base);
					nv_required(c, NV_SECURITY_SECCOMP, p, sp,
					            "must be set when seccomp type is Localhost");
				}
			} else if (lp && lp->type == GR_STRING) {
				snprintf(p, sizeof p, "%s.seccompProfile.localhostProfile", base);
				nv_invalid(c, NV_SECURITY_SECCOMP, p, lp,
				           "can only be set when seccomp type is Localhost");
			}
		}
	}
	const gr_value *ap = gr_get(sc, "appArmorProfile");
	if (ap && ap->type == GR_OBJECT) {
		const char *t = nv_str(ap, "type");
		const char *lp = nv_str(ap, "localhostProfile");
		if (t && strcmp(t, "Localhost") == 0 && (!lp || !*lp)) {
			snprintf(p, sizeof p, "%s.appArmorProfile.localhostProfile", base);
			nv_required(c, NV_SECURITY_SECCOMP, p, ap,
			            "must be set when AppArmor type is Localhost");
		}
	}
}

static void check_container_sc(nv_ctx *c, const gr_value *sc, const char *base)
{
	if (!sc || sc->type != GR_OBJECT)
		return;
	check_id(c, sc, "runAsUser", base);
	check_id(c, sc, "runAsGroup", base);
	check_seccomp(c, sc, base);
	const gr_value *ape = gr_get(sc, "allowPrivilegeEscalation");
	if (ape && ape->type == GR_BOOL && !ape->u.b) {
		const gr_value *priv = gr_get(sc, "privileged");
		bool bad = priv && priv->type == GR_BOOL && priv->u.b;
		const gr_value *add = gr_get_path(sc, "capabilities", "add", NULL);
		EACH(add, i)
		{
			const gr_value *cap = &add->u.a.items[i];
			if (cap->type == GR_STRING && strcmp(cap->u.s.ptr, "CAP_SYS_ADMIN") == 0)
				bad = true;
		}
		if (bad)
			nv_invalid(c, NV_SECURITY_PRIVILEGE_ESCALATION, base, sc,
			           "cannot set `allowPrivilegeEscalation` to false and `privileged` to "
			           "true");
	}
}

static bool config_key_ok(const char *k)
{
	size_t n = strlen(k);
	if (!n || n > 253 || strcmp(k, ".") == 0 || strncmp(k, "..", 2) == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' && k[i] <= 'Z') ||
		      (k[i] >= '0' && k[i] <= '9') || k[i] == '-' || k[i] == '_' || k[i] == '.'))
			return false;
	return true;
}

static void check_value_from(nv_ctx *c, const gr_value *e, const char *base, size_t i)
{
	const gr_value *vf = gr_get(e, "valueFrom");
	if (!vf || vf->type != GR_OBJECT)
		return;
	char p[700];
	gr_value empty = {.type = GR_STRING};
	empty.u.s.ptr = "";
	snprintf(p, sizeof p, "%s[%zu].valueFrom", base, i);
	const gr_value *val = gr_get(e, "value");
	if (val && val->type == GR_STRING && val->u.s.len)
		nv_invalid(c, NV_ENV_NAME, p, &empty, "may not be specified when `value` is not empty");
	static const char *const srcs[] = {"fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef",
	                                   NULL};
	int n = 0;
	for (int k = 0; srcs[k]; k++)
		if (gr_get(vf, srcs[k]) && gr_get(vf, srcs[k])->type != GR_NULL)
			n++;
	if (n == 0) {
		nv_invalid(c, NV_ENV_NAME, p, &empty,
		           "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or "
		           "`secretKeyRef`");
		return;
	}
	if (n > 1) {
		nv_invalid(c, NV_ENV_NAME, p, &empty, "may not have more than one field specified at a time");
		return;
	}
	const gr_value *fp = gr_get_path(vf, "fieldRef", "fieldPath", NULL);
	if (fp && fp->type == GR_STRING) {
		static const char *const ok[] = {"metadata.name",
		                                 "metadata.namespace",
		                                 "metadata.uid",
		                                 "spec.nodeName",
		                                 "spec.serviceAccountName",
		                                 "status.hostIP",
		                                 "status.hostIPs",
		                                 "status.podIP",
		                                 "status.podIPs",
		                                 NULL};
		const char *f = fp->u.s.ptr;
		if (!nv_in(f, ok) && strncmp(f, "metadata.labels['", 17) != 0 &&
		    strncmp(f, "metadata.annotations['", 22) != 0) {
			char q[760];
			snprintf(q, sizeof q, "%s.fieldRef.fieldPath", p);
			nv_invalid(c, NV_ENV_NAME, q, fp,
			           "error converting fieldPath: field label not supported");
		}
	}
	const gr_value *rs = gr_get_path(vf, "resourceFieldRef", "resource", NULL);
	if (rs && rs->type == GR_STRING) {
		static const char *const ok[] = {"limits.cpu",
		                                 "limits.ephemeral-storage",
		                                 "limits.memory",
		                                 "requests.cpu",
		                                 "requests.ephemeral-storage",
		                                 "requests.memory",
		                                 NULL};
		if (!nv_in(rs->u.s.ptr, ok) && strncmp(rs->u.s.ptr, "limits.hugepages-", 17) != 0 &&
		    strncmp(rs->u.s.ptr, "requests.hugepages-", 19) != 0) {
			char q[760];
			snprintf(q, sizeof q, "%s.resourceFieldRef.resource", p);
			nv_not_supported(c, NV_ENV_NAME, q, rs, ok);
		}
	}
	static const char *const refs[] = {"configMapKeyRef", "secretKeyRef", NULL};
	for (int k = 0; refs[k]; k++) {
		const gr_value *r = gr_get(vf, refs[k]);
		if (!r || r->type != GR_OBJECT)
			continue;
		char q[760];
		const gr_value *key = gr_get(r, "key");
		if (key && key->type == GR_STRING && !config_key_ok(key->u.s.ptr)) {
			snprintf(q, sizeof q, "%s.%s.key", p, refs[k]);
			nv_invalid(
			        c, NV_ENV_NAME, q, key,
			        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
			        "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for "
			        "validation is '[-._a-zA-Z0-9]+')");
		}
		const gr_value *nm = gr_get(r, "name");
		const char *name = nm && nm->type == GR_STRING ? nm->u.s.ptr : "";
		nv_msgs m = {0};
		if (nv_dns1123_subdomain(name, &m)) {
			snprintf(q, sizeof q, "%s.%s.name", p, refs[k]);
			for (int j = 0; j < m.n; j++)
				nv_invalid_str(c, NV_ENV_NAME, q, nm ? nm : r, name, m.m[j]);
		}
	}
}

/* IsEnvVarName: the rule before relaxed names (1.31 and earlier) */
static void check_strict_env_name(nv_ctx *c, const gr_value *n, const char *path)
{
	bool ok = n->u.s.len > 0 && !(n->u.s.ptr[0] >= '0' && n->u.s.ptr[0] <= '9');
	for (size_t k = 0; ok && k < n->u.s.len; k++) {
		char ch = n->u.s.ptr[k];
		ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		     ch == '_' || ch == '-' || ch == '.';
	}
	if (!ok)
		nv_invalid(c, NV_ENV_NAME, path, n,
		           "a valid environment variable name must consist of alphabetic characters, digits, "
		           "'_', "
		           "'-', or '.', and must not start with a digit (e.g. 'my.env-name',  or "
		           "'MY_ENV.NAME',  or "
		           "'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')");
	if (ok && (strcmp(n->u.s.ptr, ".") == 0 || strcmp(n->u.s.ptr, "..") == 0))
		nv_invalid(c, NV_ENV_NAME, path, n,
		           strcmp(n->u.s.ptr, ".") == 0 ? "must not be '.'" : "must not be '..'");
	else if (ok && strncmp(n->u.s.ptr, "..", 2) == 0)
		nv_invalid(c, NV_ENV_NAME, path, n, "must not start with '..'");
}

/* printable ASCII other than '=' (1.32 and later) */
static bool relaxed_env_name(const gr_value *n)
{
	for (size_t k = 0; k < n->u.s.len; k++) {
		unsigned char ch = (unsigned char)n->u.s.ptr[k];
		if (ch == '=' || ch < 32 || ch > 126)
			return false;
	}
	return true;
}

static void check_env_from(nv_ctx *c, const gr_value *ef, const char *base)
{
	gr_value empty = {.type = GR_STRING};
	empty.u.s.ptr = "";
	EACH(ef, i)
	{
		const gr_value *e = &ef->u.a.items[i];
		const gr_value *pre = gr_get(e, "prefix");
		char p[700];
		if (pre && pre->type == GR_STRING && pre->u.s.len && !nv_since(c, 32)) {
			snprintf(p, sizeof p, "%s[%zu].prefix", base, i);
			check_strict_env_name(c, pre, p);
		} else if (pre && pre->type == GR_STRING)
			for (size_t k = 0; k < pre->u.s.len; k++) {
				unsigned char ch = (unsigned char)pre->u.s.ptr[k];
				if (ch == '=' || ch < 32 || ch > 126) {
					snprintf(p, sizeof p, "%s[%zu].prefix", base, i);
					nv_invalid(c, NV_ENV_NAME, p, pre,
					           "a valid environment variable name must consist only of "
					           "printable ASCII characters other than '='");
					break;
				}
			}
		int n = (gr_get(e, "configMapRef") != NULL) + (gr_get(e, "secretRef") != NULL);
		if (n == 0)
			nv_invalid(c, NV_ENV_NAME, base, &empty,
			           "must specify one of: `configMapRef` or `secretRef`");
		else if (n > 1)
			nv_invalid(c, NV_ENV_NAME, base, &empty,
			           "may not have more than one field specified at a time");
	}
}

static void check_env(nv_ctx *c, const gr_value *env, const char *base)
{
	EACH(env, i)
	{
		const gr_value *e = &env->u.a.items[i];
		const gr_value *n = gr_get(e, "name");
		char p[600];
		snprintf(p, sizeof p, "%s[%zu].name", base, i);
		if (!n || n->type != GR_STRING || !n->u.s.len) {
			nv_required(c, NV_ENV_NAME, p, e, NULL);
			continue;
		}
		if (!nv_since(c, 32)) /* RelaxedEnvironmentVariableValidation: on by default from 1.32 */
			check_strict_env_name(c, n, p);
		else if (!relaxed_env_name(n))
			nv_invalid(c, NV_ENV_NAME, p, n,
			           "a valid environment variable name must consist only of printable ASCII "
			           "characters other than '='");
		check_value_from(c, e, base, i);
		for (size_t k = 0; k < i; k++) {
			const char *o = nv_str(&env->u.a.items[k], "name");
			if (o && strcmp(o, n->u.s.ptr) == 0) {
				char w[700];
				snprintf(w, sizeof w,
				         "%s: hides previous definition of \"%s\", which may be dropped when "
				         "using apply",
				         p, n->u.s.ptr);
				nv_warning(c, NV_ENV_DUPLICATE, p, n, w);
				break;
			}
		}
	}
}

static void check_ports(nv_ctx *c, const gr_value *ports, const char *base, bool host_network)
{
	EACH(ports, i)
	{
		const gr_value *pt = &ports->u.a.items[i];
		char p[600];
		const gr_value *cp = gr_get(pt, "containerPort"), *hp = gr_get(pt, "hostPort");
		int64_t cn = 0, hn = 0;
		bool has_c = nv_int(cp, &cn), has_h = nv_int(hp, &hn);
		snprintf(p, sizeof p, "%s[%zu].containerPort", base, i);
		if (!has_c || cn == 0)
			nv_required(c, NV_PORT_NUMBER, p, pt, NULL);
		else if (cn < 1 || cn > 65535)
			nv_invalid(c, NV_PORT_NUMBER, p, cp, "must be between 1 and 65535, inclusive");
		snprintf(p, sizeof p, "%s[%zu].hostPort", base, i);
		if (has_h && hn != 0 && (hn < 1 || hn > 65535))
			nv_invalid(c, NV_PORT_NUMBER, p, hp, "must be between 1 and 65535, inclusive");
		if (host_network && has_h && hn != 0 && hn != cn)
			nv_invalid(c, NV_PORT_HOSTNETWORK, p, hp,
			           "must match `containerPort` when `hostNetwork` is true");
		const gr_value *nm = gr_get(pt, "name");
		if (nm && nm->type == GR_STRING && nm->u.s.len) {
			snprintf(p, sizeof p, "%s[%zu].name", base, i);
			nv_msgs m = {0};
			nv_port_name(nm->u.s.ptr, &m);
			for (int j = 0; j < m.n; j++)
				nv_invalid(c, NV_PORT_NAME, p, nm, m.m[j]);
			for (size_t k = 0; k < i; k++) {
				const char *o = nv_str(&ports->u.a.items[k], "name");
				if (o && strcmp(o, nm->u.s.ptr) == 0) {
					nv_duplicate(c, NV_PORT_NAME, p, nm);
					break;
				}
			}
		}
		const gr_value *pr = gr_get(pt, "protocol");
		if (pr && pr->type == GR_STRING && !nv_in(pr->u.s.ptr, protocols)) {
			snprintf(p, sizeof p, "%s[%zu].protocol", base, i);
			nv_not_supported(c, NV_PORT_PROTOCOL, p, pr, protocols);
		}
	}
}

static void check_container(nv_ctx *c, const gr_value *ct, const char *base, bool init, bool host_network)
{
	char p[600];
	const gr_value *img = gr_get(ct, "image");
	snprintf(p, sizeof p, "%s.image", base);
	if (!img || img->type != GR_STRING || !img->u.s.len)
		nv_required(c, NV_CONTAINER_IMAGE, p, ct, NULL);
	else {
		const char *s = img->u.s.ptr;
		size_t n = img->u.s.len;
		if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n')
			nv_invalid(c, NV_CONTAINER_IMAGE, p, img,
			           "must not have leading or trailing whitespace");
	}
	const gr_value *v = gr_get(ct, "imagePullPolicy");
	if (v && v->type == GR_STRING && !nv_in(v->u.s.ptr, pull_policies)) {
		snprintf(p, sizeof p, "%s.imagePullPolicy", base);
		nv_not_supported(c, NV_CONTAINER_IMAGE_PULL_POLICY, p, v, pull_policies);
	}
	v = gr_get(ct, "terminationMessagePolicy");
	if (v && v->type == GR_STRING && !nv_in(v->u.s.ptr, tm_policies)) {
		snprintf(p, sizeof p, "%s.terminationMessagePolicy", base);
		nv_not_supported(c, NV_CONTAINER_TERMINATION_MESSAGE_POLICY, p, v, tm_policies);
	}
	v = gr_get(ct, "restartPolicy");
	if (init && v && v->type == GR_STRING && strcmp(v->u.s.ptr, "Always") != 0 && nv_since(c, 29)) {
		snprintf(p, sizeof p, "%s.restartPolicy", base);
		nv_not_supported(c, NV_CONTAINER_INIT_RESTART_POLICY, p, v, always_only);
	}
	snprintf(p, sizeof p, "%s.ports", base);
	check_ports(c, gr_get(ct, "ports"), p, host_network);
	snprintf(p, sizeof p, "%s.resources", base);
	if (!strstr(base, "ephemeralContainers"))
		nv_check_resources(c, gr_get(ct, "resources"), p);
	snprintf(p, sizeof p, "%s.env", base);
	check_env(c, gr_get(ct, "env"), p);
	snprintf(p, sizeof p, "%s.envFrom", base);
	check_env_from(c, gr_get(ct, "envFrom"), p);
	snprintf(p, sizeof p, "%s.securityContext", base);
	check_container_sc(c, gr_get(ct, "securityContext"), p);
}

static void check_port_value(nv_ctx *c, int rule, const char *path, const gr_value *v)
{
	int64_t n;
	if (nv_int(v, &n)) {
		if (n < 1 || n > 65535)
			nv_invalid(c, rule, path, v, "must be between 1 and 65535, inclusive");
	} else if (v && v->type == GR_STRING) {
		nv_msgs m = {0};
		nv_port_name(v->u.s.ptr, &m);
		for (int j = 0; j < m.n; j++)
			nv_invalid(c, rule, path, v, m.m[j]);
	}
}

/* one handler of a probe or lifecycle hook; keys in upstream order */
static void check_handler(nv_ctx *c, const gr_value *h, const char *base, bool lifecycle, int64_t grace)
{
	static const char *const probe_keys[] = {"exec", "httpGet", "tcpSocket", "grpc", NULL};
	static const char *const hook_keys[] = {"exec", "httpGet", "tcpSocket", "sleep", NULL};
	const char *const *keys = lifecycle ? hook_keys : probe_keys;
	char p[700];
	int n = 0;
	for (int k = 0; keys[k]; k++) {
		const gr_value *v = gr_get(h, keys[k]);
		if (!v || v->type == GR_NULL)
			continue;
		if (strcmp(keys[k], "sleep") == 0 && !nv_since(c, 30))
			continue; /* PodLifecycleSleepAction: on from 1.30, the field is dropped before */
		snprintf(p, sizeof p, "%s.%s", base, keys[k]);
		if (n++) {
			nv_forbidden(c, NV_PROBE_HANDLER, p, v, "may not specify more than 1 handler type");
			continue;
		}
		if (strcmp(keys[k], "httpGet") == 0) {
			snprintf(p, sizeof p, "%s.httpGet.port", base);
			check_port_value(c, NV_PROBE_HANDLER, p, gr_get(v, "port"));
			const gr_value *sc = gr_get(v, "scheme");
			static const char *const schemes[] = {"HTTP", "HTTPS", NULL};
			if (sc && sc->type == GR_STRING && !nv_in(sc->u.s.ptr, schemes)) {
				snprintf(p, sizeof p, "%s.httpGet.scheme", base);
				nv_not_supported(c, NV_PROBE_HANDLER, p, sc, schemes);
			}
			const gr_value *hs = gr_get(v, "httpHeaders");
			EACH(hs, i)
			{
				const gr_value *hn = gr_get(&hs->u.a.items[i], "name");
				if (!hn || hn->type != GR_STRING)
					continue;
				bool ok = hn->u.s.len > 0;
				for (size_t q = 0; q < hn->u.s.len; q++) {
					char ch = hn->u.s.ptr[q];
					if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
					      (ch >= '0' && ch <= '9') || ch == '-'))
						ok = false;
				}
				if (!ok) {
					snprintf(p, sizeof p, "%s.httpGet.httpHeaders", base);
					nv_invalid(c, NV_PROBE_HANDLER, p, hn,
					           "a valid HTTP header must consist of alphanumeric "
					           "characters or "
					           "'-' (e.g. 'X-Header-Name', regex used for validation is "
					           "'[-A-Za-z0-9]+')");
				}
			}
		} else if (strcmp(keys[k], "tcpSocket") == 0) {
			snprintf(p, sizeof p, "%s.tcpSocket.port", base);
			check_port_value(c, NV_PROBE_HANDLER, p, gr_get(v, "port"));
		} else if (strcmp(keys[k], "grpc") == 0) {
			snprintf(p, sizeof p, "%s.grpc.port", base);
			const gr_value *gp = gr_get(v, "port");
			int64_t x;
			if (nv_int(gp, &x) && (x < 1 || x > 65535))
				nv_invalid(c, NV_PROBE_HANDLER, p, gp,
				           "must be between 1 and 65535, inclusive");
		} else if (strcmp(keys[k], "sleep") == 0) {
			const gr_value *sv = gr_get(v, "seconds");
			int64_t x;
			char d[200];
			snprintf(p, sizeof p, "%s.sleep", base);
			/* PodLifecycleSleepActionAllowZero: a sleep of 0 is allowed from 1.33 */
			if (nv_since(c, 33) && nv_int(sv, &x) && (x < 0 || x > grace)) {
				snprintf(d, sizeof d,
				         "must be non-negative and less than terminationGracePeriodSeconds "
				         "(%lld)",
				         (long long)grace);
				nv_invalid(c, NV_PROBE_HANDLER, p, sv, d);
			} else if (!nv_since(c, 33) && nv_int(sv, &x) && (x <= 0 || x > grace)) {
				snprintf(d, sizeof d,
				         "must be greater than 0 and less than terminationGracePeriodSeconds "
				         "(%lld)%s",
				         (long long)grace,
				         nv_since(c, 32)
				                 ? ". Enable AllowPodLifecycleSleepActionZeroValue feature "
				                   "gate for zero sleep."
				                 : "");
				nv_invalid(c, NV_PROBE_HANDLER, p, sv, d);
			}
		}
	}
	if (!n)
		nv_required(c, NV_PROBE_HANDLER, base, h, "must specify a handler type");
}

static void check_probe(nv_ctx *c, const gr_value *pr, const char *base, const char *kind)
{
	if (!pr || pr->type != GR_OBJECT)
		return;
	check_handler(c, pr, base, false, 30);
	static const char *const nums[] = {"initialDelaySeconds", "timeoutSeconds",   "periodSeconds",
	                                   "successThreshold",    "failureThreshold", NULL};
	char p[700];
	for (int k = 0; nums[k]; k++) {
		const gr_value *v = gr_get(pr, nums[k]);
		int64_t n;
		if (nv_int(v, &n) && n < 0) {
			snprintf(p, sizeof p, "%s.%s", base, nums[k]);
			nv_invalid(c, NV_PROBE_FIELD, p, v, "must be greater than or equal to 0");
		}
	}
	const gr_value *st = gr_get(pr, "successThreshold");
	int64_t n;
	if (strcmp(kind, "readinessProbe") != 0 && nv_int(st, &n) && n > 1) {
		snprintf(p, sizeof p, "%s.successThreshold", base);
		nv_invalid(c, NV_PROBE_FIELD, p, st, "must be 1");
	}
	const gr_value *tg = gr_get(pr, "terminationGracePeriodSeconds");
	if (nv_int(tg, &n)) {
		snprintf(p, sizeof p, "%s.terminationGracePeriodSeconds", base);
		if (strcmp(kind, "readinessProbe") == 0)
			nv_invalid(c, NV_PROBE_FIELD, p, tg, "must not be set for readinessProbes");
		else if (n <= 0)
			nv_invalid(c, NV_PROBE_FIELD, p, tg, "must be greater than 0");
	}
}

static void check_probes(nv_ctx *c, const gr_value *ct, const char *base, const char *key, int64_t grace)
{
	static const char *const probes[] = {"livenessProbe", "readinessProbe", "startupProbe", NULL};
	char p[700];
	bool init = strcmp(key, "initContainers") == 0, eph = strcmp(key, "ephemeralContainers") == 0;
	const char *rp = nv_str(ct, "restartPolicy");
	/* sidecars (SidecarContainers, on by default from 1.29; the field is dropped before) */
	bool sidecar = rp && strcmp(rp, "Always") == 0 && nv_since(c, 29);
	for (int k = 0; probes[k]; k++) {
		const gr_value *pr = gr_get(ct, probes[k]);
		if (!pr)
			continue;
		snprintf(p, sizeof p, "%s.%s", base, probes[k]);
		if (eph) {
			nv_forbidden(c, NV_CONTAINER_EPHEMERAL, p, pr,
			             "cannot be set for an Ephemeral Container");
			continue;
		}
		if (init && !sidecar) {
			nv_forbidden(c, NV_PROBE_FIELD, p, pr,
			             "may not be set for init containers without restartPolicy=Always");
			continue;
		}
		if (init && sidecar && strcmp(probes[k], "readinessProbe") == 0) {
			check_probe(c, pr, p, probes[k]);
			continue;
		}
		check_probe(c, pr, p, probes[k]);
	}
	const gr_value *lc = gr_get(ct, "lifecycle");
	if (lc && lc->type == GR_OBJECT) {
		if (eph) {
			snprintf(p, sizeof p, "%s.lifecycle", base);
			nv_forbidden(c, NV_CONTAINER_EPHEMERAL, p, lc,
			             "cannot be set for an Ephemeral Container");
		} else if (init && !sidecar) {
			snprintf(p, sizeof p, "%s.lifecycle", base);
			nv_forbidden(c, NV_PROBE_FIELD, p, lc,
			             "may not be set for init containers without restartPolicy=Always");
		} else {
			static const char *const hooks[] = {"postStart", "preStop", NULL};
			for (int k = 0; hooks[k]; k++) {
				const gr_value *h = gr_get(lc, hooks[k]);
				if (!h || h->type != GR_OBJECT)
					continue;
				snprintf(p, sizeof p, "%s.lifecycle.%s", base, hooks[k]);
				check_handler(c, h, p, true, grace);
			}
		}
	}
	if (eph) {
		static const char *const forb[] = {"ports", "resources", NULL};
		for (int k = 0; forb[k]; k++) {
			const gr_value *v = gr_get(ct, forb[k]);
			if (v &&
			    ((v->type == GR_ARRAY && v->u.a.len) || (v->type == GR_OBJECT && v->u.o.len))) {
				snprintf(p, sizeof p, "%s.%s", base, forb[k]);
				nv_forbidden(c, NV_CONTAINER_EPHEMERAL, p, v,
				             "cannot be set for an Ephemeral Container");
			}
		}
	}
}

/* containers of one list; names checked against every earlier name */
static void check_containers(nv_ctx *c, const gr_value *spec, const gr_value *list, const char *spath,
                             const char *key, const gr_value **names, size_t *nnames, size_t cap,
                             bool host_network, int64_t grace)
{
	EACH(list, i)
	{
		const gr_value *ct = &list->u.a.items[i];
		char base[600], p[650];
		snprintf(base, sizeof base, "%s.%s[%zu]", spath, key, i);
		snprintf(p, sizeof p, "%s.name", base);
		const gr_value *n = gr_get(ct, "name");
		if (!n || n->type != GR_STRING || !n->u.s.len)
			nv_required(c, NV_CONTAINER_NAME, p, ct, NULL);
		else {
			check_label_name(c, NV_CONTAINER_NAME, p, n);
			bool dup = false;
			for (size_t k = 0; k < *nnames; k++)
				if (strcmp(names[k]->u.s.ptr, n->u.s.ptr) == 0)
					dup = true;
			if (dup)
				nv_duplicate(c, NV_CONTAINER_NAME_DUPLICATE, p, n);
			else if (*nnames < cap)
				names[(*nnames)++] = n;
		}
		check_container(c, ct, base, strcmp(key, "initContainers") == 0, host_network);
		check_probes(c, ct, base, key, grace);
		nv_check_mounts(c, spec, ct, base);
	}
}

/* validatePodDNSConfig's search list: at most 32 paths and 2048 characters;
 * each a DNS-1123 subdomain (a trailing dot allowed); from 1.33
 * (RelaxedDNSSearchValidation) '_' is allowed and "." alone passes */
static void check_dns_searches(nv_ctx *c, const gr_value *s, const char *path)
{
	if (!ARR(s))
		return;
	char p[700];
	snprintf(p, sizeof p, "%s.dnsConfig.searches", path);
	size_t total = s->u.a.len ? s->u.a.len - 1 : 0;
	EACH(s, i)
	total += s->u.a.items[i].type == GR_STRING ? s->u.a.items[i].u.s.len : 0;
	if (s->u.a.len > 32)
		nv_invalid(c, NV_POD_DNS_CONFIG, p, s, "must not have more than 32 search paths");
	if (total > 2048)
		nv_invalid(c, NV_POD_DNS_CONFIG, p, s,
		           "must not have more than 2048 characters (including spaces) in the search list");
	bool relaxed = nv_since(c, 33);
	EACH(s, i)
	{
		const gr_value *v = &s->u.a.items[i];
		if (v->type != GR_STRING || (relaxed && strcmp(v->u.s.ptr, ".") == 0))
			continue;
		char d[300];
		snprintf(d, sizeof d, "%.*s", (int)(v->u.s.len > 290 ? 290 : v->u.s.len), v->u.s.ptr);
		size_t n = strlen(d);
		if (n && d[n - 1] == '.')
			d[--n] = 0;
		char q[720];
		snprintf(q, sizeof q, "%s[%zu]", p, i);
		if (!relaxed) {
			nv_msgs m = {0};
			nv_dns1123_subdomain(d, &m);
			for (int j = 0; j < m.n; j++)
				nv_invalid_str(c, NV_POD_DNS_CONFIG, q, v, d, m.m[j]);
			continue;
		}
		bool ok = n > 0 && n <= 253;
		for (size_t k = 0; ok && k < n; k++) {
			char ch = d[k];
			bool an = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
			bool edge = k == 0 || k == n - 1 || d[k - 1] == '.' || d[k + 1] == '.';
			ok = an || (!edge && ch == '-') || (ch == '.' && k && k < n - 1 && d[k - 1] != '.');
		}
		if (!ok)
			nv_invalid_str(
			        c, NV_POD_DNS_CONFIG, q, v, d,
			        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
			        "characters, '-', '_' or '.', and must start and end with an alphanumeric "
			        "character (e.g. 'example.com', regex used for validation is "
			        "'[a-z0-9_]([-a-z0-9_]*[a-z0-9_])?(\\.[a-z0-9_]([-a-z0-9_]*[a-z0-9_])?)*')");
	}
}

/* validateWindows / validateLinux: the security context fields the other
 * OS's pods may not set (procMount and supplementalGroupsPolicy exist from 1.33) */
static void check_os_fields(nv_ctx *c, const gr_value *spec, const char *path, bool windows)
{
	static const char *const pod_linux[] = {"seLinuxOptions",
	                                        "seccompProfile",
	                                        "appArmorProfile",
	                                        "fsGroup",
	                                        "fsGroupChangePolicy",
	                                        "sysctls",
	                                        "runAsUser",
	                                        "runAsGroup",
	                                        "supplementalGroupsPolicy",
	                                        NULL};
	static const char *const ctr_linux[] = {"appArmorProfile",
	                                        "seLinuxOptions",
	                                        "seccompProfile",
	                                        "capabilities",
	                                        "readOnlyRootFilesystem",
	                                        "privileged",
	                                        "allowPrivilegeEscalation",
	                                        "procMount",
	                                        "runAsUser",
	                                        "runAsGroup",
	                                        NULL};
	static const char *const win_only[] = {"windowsOptions", NULL};
	const char *detail =
	        windows ? "cannot be set for a windows pod" : "windows options cannot be set for a linux pod";
	char p[700];
	const gr_value *psc = gr_get(spec, "securityContext");
	const char *const *pf = windows ? pod_linux : win_only;
	for (int k = 0; psc && psc->type == GR_OBJECT && pf[k]; k++) {
		const gr_value *f = gr_get(psc, pf[k]);
		if (!f || f->type == GR_NULL ||
		    (strcmp(pf[k], "sysctls") == 0 && (f->type != GR_ARRAY || !f->u.a.len)))
			continue;
		if ((strcmp(pf[k], "supplementalGroupsPolicy") == 0) && !nv_since(c, 33))
			continue; /* dropped before */
		snprintf(p, sizeof p, "%s.securityContext.%s", path, pf[k]);
		nv_forbidden(c, NV_POD_OS, p, f, detail);
	}
	static const char *const kinds[] = {"initContainers", "containers", "ephemeralContainers", NULL};
	const char *const *cf = windows ? ctr_linux : win_only;
	for (int k = 0; kinds[k]; k++) {
		const gr_value *cs = gr_get(spec, kinds[k]);
		EACH(cs, i)
		{
			const gr_value *sc = gr_get(&cs->u.a.items[i], "securityContext");
			for (int j = 0; sc && sc->type == GR_OBJECT && cf[j]; j++) {
				const gr_value *f = gr_get(sc, cf[j]);
				if (!f || f->type == GR_NULL ||
				    (strcmp(cf[j], "procMount") == 0 && !nv_since(c, 33)))
					continue;
				snprintf(p, sizeof p, "%s.%s[%zu].securityContext.%s", path, kinds[k], i,
				         cf[j]);
				nv_forbidden(c, NV_POD_OS, p, f, detail);
			}
		}
	}
}

/* ProcMountType (on by default from 1.33; the field is dropped before): Default
 * or Unmasked, and Unmasked only in a user namespace (hostUsers: false) */
static void check_proc_mounts(nv_ctx *c, const gr_value *spec, const char *path)
{
	static const char *const kinds[] = {"initContainers", "containers", "ephemeralContainers", NULL};
	static const char *const types[] = {"Default", "Unmasked", NULL};
	const gr_value *hu = gr_get(spec, "hostUsers");
	bool host_users = !(hu && hu->type == GR_BOOL && !hu->u.b);
	char p[700];
	for (int k = 0; kinds[k]; k++) {
		const gr_value *cs = gr_get(spec, kinds[k]);
		EACH(cs, i)
		{
			const gr_value *pm =
			        gr_get_path(&cs->u.a.items[i], "securityContext", "procMount", NULL);
			if (!pm || pm->type != GR_STRING)
				continue;
			snprintf(p, sizeof p, "%s.%s[%zu].securityContext.procMount", path, kinds[k], i);
			if (!nv_in(pm->u.s.ptr, types))
				nv_not_supported(c, NV_SECURITY_PROC_MOUNT, p, pm, types);
			if (host_users && strcmp(pm->u.s.ptr, "Unmasked") == 0)
				nv_invalid(c, NV_SECURITY_PROC_MOUNT, p, pm,
				           "`hostUsers` must be false to use `Unmasked`");
		}
	}
}

void nv_check_pod_spec(nv_ctx *c, const gr_value *spec, const char *path, bool is_pod)
{
	if (!spec || spec->type != GR_OBJECT)
		return;
	char p[600];
	const gr_value *v = gr_get(spec, "restartPolicy");
	if (v && v->type == GR_STRING && !nv_in(v->u.s.ptr, restart_policies)) {
		snprintf(p, sizeof p, "%s.restartPolicy", path);
		nv_not_supported(c, NV_POD_RESTART_POLICY, p, v, restart_policies);
	}
	v = gr_get(spec, "dnsPolicy");
	if (v && v->type == GR_STRING) {
		snprintf(p, sizeof p, "%s.dnsPolicy", path);
		if (!nv_in(v->u.s.ptr, dns_policies))
			nv_not_supported(c, NV_POD_DNS_POLICY, p, v, dns_policies);
		else if (strcmp(v->u.s.ptr, "None") == 0 && !gr_get(spec, "dnsConfig")) {
			snprintf(p, sizeof p, "%s.dnsConfig", path);
			nv_required(c, NV_POD_DNS_CONFIG, p, v,
			            "must provide `dnsConfig` when `dnsPolicy` is None");
		}
	}
	const gr_value *ns = gr_get_path(spec, "dnsConfig", "nameservers", NULL);
	if (ARR(ns)) {
		if (ns->u.a.len > 3) {
			snprintf(p, sizeof p, "%s.dnsConfig.nameservers", path);
			nv_invalid(c, NV_POD_DNS_CONFIG, p, ns, "must not have more than 3 nameservers");
		}
		EACH(ns, i)
		{
			const gr_value *s = &ns->u.a.items[i];
			if (s->type == GR_STRING && !nv_is_ip(s->u.s.ptr)) {
				snprintf(p, sizeof p, "%s.dnsConfig.nameservers[%zu]", path, i);
				nv_invalid(c, NV_POD_DNS_CONFIG, p, s,
				           "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
			}
		}
	}
	check_dns_searches(c, gr_get_path(spec, "dnsConfig", "searches", NULL), path);
	v = gr_get(spec, "hostname");
	if (v && v->type == GR_STRING && v->u.s.len) {
		snprintf(p, sizeof p, "%s.hostname", path);
		check_label_name(c, NV_POD_HOSTNAME, p, v);
	}
	const gr_value *tol = gr_get(spec, "tolerations");
	EACH(tol, i)
	{
		const gr_value *t = &tol->u.a.items[i];
		const gr_value *op = gr_get(t, "operator"), *val = gr_get(t, "value"),
		               *eff = gr_get(t, "effect");
		if (op && op->type == GR_STRING && strcmp(op->u.s.ptr, "Exists") == 0 && val &&
		    val->type == GR_STRING && val->u.s.len) {
			snprintf(p, sizeof p, "%s.tolerations[%zu].operator", path, i);
			nv_invalid(c, NV_POD_TOLERATION, p, val,
			           "value must be empty when `operator` is 'Exists'");
		} else if (op && op->type == GR_STRING && op->u.s.len && strcmp(op->u.s.ptr, "Exists") != 0 &&
		           strcmp(op->u.s.ptr, "Equal") != 0) {
			static const char *const ops[] = {"Equal", "Exists", NULL};
			snprintf(p, sizeof p, "%s.tolerations[%zu].operator", path, i);
			nv_not_supported(c, NV_POD_TOLERATION, p, op, ops);
		}
		if (eff && eff->type == GR_STRING && eff->u.s.len && !nv_in(eff->u.s.ptr, effects)) {
			snprintf(p, sizeof p, "%s.tolerations[%zu].effect", path, i);
			nv_not_supported(c, NV_POD_TOLERATION, p, eff, effects);
		}
	}
	const gr_value *sel = gr_get(spec, "nodeSelector");
	if (sel && sel->type == GR_OBJECT) {
		snprintf(p, sizeof p, "%s.nodeSelector", path);
		for (size_t i = 0; i < sel->u.o.len; i++) {
			const gr_member *mb = &sel->u.o.members[i];
			nv_msgs m = {0};
			nv_qualified_name(mb->key, &m);
			if (mb->value.type == GR_STRING)
				nv_label_value(mb->value.u.s.ptr, &m);
			for (int j = 0; j < m.n; j++)
				nv_invalid(c, NV_POD_NODE_SELECTOR, p, &mb->value, m.m[j]);
		}
	}
	v = gr_get_path(spec, "os", "name", NULL);
	if (v && v->type == GR_STRING && strcmp(v->u.s.ptr, "linux") != 0 &&
	    strcmp(v->u.s.ptr, "windows") != 0) {
		static const char *const oses[] = {"linux", "windows", NULL};
		snprintf(p, sizeof p, "%s.os", path);
		nv_not_supported(c, NV_POD_OS, p, v, oses);
	} else if (v && v->type == GR_STRING)
		check_os_fields(c, spec, path, strcmp(v->u.s.ptr, "windows") == 0);
	const gr_value *tsc = gr_get(spec, "topologySpreadConstraints");
	EACH(tsc, i)
	{
		const gr_value *t = &tsc->u.a.items[i];
		int64_t n;
		const gr_value *ms = gr_get(t, "maxSkew");
		if (nv_int(ms, &n) && n <= 0) {
			snprintf(p, sizeof p, "%s.topologySpreadConstraints[%zu].maxSkew", path, i);
			nv_invalid(c, NV_POD_TOPOLOGY_SPREAD, p, ms, "must be greater than zero");
		}
		const gr_value *wu = gr_get(t, "whenUnsatisfiable");
		static const char *const wus[] = {"DoNotSchedule", "ScheduleAnyway", NULL};
		if (wu && wu->type == GR_STRING && !nv_in(wu->u.s.ptr, wus)) {
			snprintf(p, sizeof p, "%s.topologySpreadConstraints[%zu].whenUnsatisfiable", path, i);
			nv_not_supported(c, NV_POD_TOPOLOGY_SPREAD, p, wu, wus);
		}
	}
	const gr_value *terms =
	        gr_get_path(spec, "affinity", "nodeAffinity",
	                    "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms", NULL);
	EACH(terms, i)
	{
		const gr_value *me = gr_get(&terms->u.a.items[i], "matchExpressions");
		EACH(me, k)
		{
			const gr_value *e = &me->u.a.items[k];
			const char *op = nv_str(e, "operator");
			const gr_value *vals = gr_get(e, "values");
			if (op && (strcmp(op, "In") == 0 || strcmp(op, "NotIn") == 0) &&
			    (!ARR(vals) || vals->u.a.len == 0)) {
				snprintf(p, sizeof p,
				         "%s.affinity.nodeAffinity."
				         "requiredDuringSchedulingIgnoredDuringExecution."
				         "nodeSelectorTerms[%zu].matchExpressions[%zu].values",
				         path, i, k);
				nv_required(c, NV_POD_AFFINITY, p, e,
				            "must be specified when `operator` is 'In' or 'NotIn'");
			}
		}
	}
	static const char *const aff[] = {"podAffinity", "podAntiAffinity", NULL};
	for (int a = 0; aff[a]; a++) {
		const gr_value *pref = gr_get_path(spec, "affinity", aff[a],
		                                   "preferredDuringSchedulingIgnoredDuringExecution", NULL);
		EACH(pref, i)
		{
			const gr_value *w = gr_get(&pref->u.a.items[i], "weight");
			int64_t n;
			if (nv_int(w, &n) && (n < 1 || n > 100)) {
				snprintf(
				        p, sizeof p,
				        "%s.affinity.%s.preferredDuringSchedulingIgnoredDuringExecution[%zu]."
				        "weight",
				        path, aff[a], i);
				nv_invalid(c, NV_POD_AFFINITY, p, w, "must be in the range 1-100");
			}
		}
	}
	const gr_value *ha = gr_get(spec, "hostAliases");
	EACH(ha, i)
	{
		const gr_value *ip = gr_get(&ha->u.a.items[i], "ip");
		if (ip && ip->type == GR_STRING && !nv_is_ip(ip->u.s.ptr)) {
			snprintf(p, sizeof p, "%s.hostAliases[%zu].ip", path, i);
			nv_invalid(c, NV_POD_HOST_ALIASES, p, ip,
			           "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
		}
	}
	v = gr_get(spec, "terminationGracePeriodSeconds");
	int64_t tg;
	if (nv_int(v, &tg) && tg < 0 && !is_pod) {
		char w[700];
		snprintf(p, sizeof p, "%s.terminationGracePeriodSeconds", path);
		snprintf(w, sizeof w,
		         "%s: must be >= 0; negative values are invalid and will be treated as 1", p);
		nv_warning(c, NV_POD_TERMINATION_GRACE, p, v, w);
	}
	v = gr_get(spec, "activeDeadlineSeconds");
	if (nv_int(v, &tg) && (tg < 1 || tg > 2147483647)) {
		snprintf(p, sizeof p, "%s.activeDeadlineSeconds", path);
		nv_invalid(c, NV_POD_TERMINATION_GRACE_ERR, p, v,
		           "must be between 1 and 2147483647, inclusive");
	}
	const gr_value *rg = gr_get(spec, "readinessGates");
	EACH(rg, i)
	{
		const gr_value *ct = gr_get(&rg->u.a.items[i], "conditionType");
		if (ct && ct->type == GR_STRING) {
			nv_msgs m = {0};
			nv_qualified_name(ct->u.s.ptr, &m);
			snprintf(p, sizeof p, "%s.readinessGates[%zu].conditionType", path, i);
			for (int j = 0; j < m.n; j++)
				nv_invalid(c, NV_POD_TERMINATION_GRACE_ERR, p, ct, m.m[j]);
		}
	}
	const gr_value *ips = gr_get(spec, "imagePullSecrets");
	EACH(ips, i)
	{
		const gr_value *n = gr_get(&ips->u.a.items[i], "name");
		if (!n || (n->type == GR_STRING && !n->u.s.len)) {
			char w[700];
			snprintf(p, sizeof p, "%s.imagePullSecrets[%zu].name", path, i);
			snprintf(w, sizeof w, "%s: invalid empty name \"\"", p);
			nv_warning(c, NV_POD_IMAGE_PULL_SECRET, p, &ips->u.a.items[i], w);
		}
	}
	const gr_value *psc = gr_get(spec, "securityContext");
	if (nv_since(c, 33))
		check_proc_mounts(c, spec, path);
	if (psc && psc->type == GR_OBJECT) {
		char b[600];
		v = gr_get(psc, "supplementalGroupsPolicy");
		static const char *const sgp[] = {"Merge", "Strict", NULL};
		/* SupplementalGroupsPolicy: on by default from 1.33, the field is dropped before */
		if (nv_since(c, 33) && v && v->type == GR_STRING && !nv_in(v->u.s.ptr, sgp)) {
			snprintf(b, sizeof b, "%s.securityContext.supplementalGroupsPolicy", path);
			nv_not_supported(c, NV_SECURITY_SUPPLEMENTAL_GROUPS_POLICY, b, v, sgp);
		}
		snprintf(b, sizeof b, "%s.securityContext", path);
		check_id(c, psc, "runAsUser", b);
		check_id(c, psc, "runAsGroup", b);
		check_id(c, psc, "fsGroup", b);
		const gr_value *sg = gr_get(psc, "supplementalGroups");
		EACH(sg, i)
		{
			int64_t n;
			if (nv_int(&sg->u.a.items[i], &n) && (n < 0 || n > 2147483647)) {
				snprintf(p, sizeof p, "%s.supplementalGroups[%zu]", b, i);
				nv_invalid(c, NV_SECURITY_ID_RANGE, p, &sg->u.a.items[i],
				           "must be between 0 and 2147483647, inclusive");
			}
		}
		v = gr_get(psc, "fsGroupChangePolicy");
		static const char *const fgp[] = {"Always", "OnRootMismatch", NULL};
		if (v && v->type == GR_STRING && !nv_in(v->u.s.ptr, fgp)) {
			snprintf(p, sizeof p, "%s.fsGroupChangePolicy", b);
			nv_not_supported(c, NV_SECURITY_FSGROUP_POLICY, p, v, fgp);
		}
		check_seccomp(c, psc, b);
		const gr_value *sy = gr_get(psc, "sysctls");
		EACH(sy, i)
		{
			const gr_value *n = gr_get(&sy->u.a.items[i], "name");
			if (!n || n->type != GR_STRING)
				continue;
			snprintf(p, sizeof p, "%s.sysctls[%zu].name", b, i);
			/* ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$ */
			const char *s = n->u.s.ptr;
			size_t len = n->u.s.len, seg = 0;
			bool ok = len > 0 && len <= 253;
			for (size_t k = 0; ok && k <= len; k++) {
				char ch = k < len ? s[k] : '.';
				if (ch == '.' || ch == '/') {
					if (seg == 0 || s[k - 1] == '-' || s[k - 1] == '_')
						ok = false;
					seg = 0;
				} else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
				           ((ch == '-' || ch == '_') && seg > 0))
					seg++;
				else
					ok = false;
			}
			if (!ok)
				nv_invalid(c, NV_SECURITY_SYSCTL, p, n,
				           "must have at most 253 characters and match regex "
				           "^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./"
				           "])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$");
			for (size_t k = 0; k < i; k++) {
				const char *o = nv_str(&sy->u.a.items[k], "name");
				if (o && strcmp(o, s) == 0) {
					nv_duplicate(c, NV_SECURITY_SYSCTL, p, n);
					break;
				}
			}
		}
	}
	int64_t grace = 30;
	nv_int(gr_get(spec, "terminationGracePeriodSeconds"), &grace);
	const gr_value *eph = gr_get(spec, "ephemeralContainers");
	if (is_pod && ARR(eph) && eph->u.a.len && !c->stored) { /* added later through a subresource */
		snprintf(p, sizeof p, "%s.ephemeralContainers", path);
		nv_forbidden(c, NV_CONTAINER_EPHEMERAL, p, eph, "cannot be set on create");
	}
	nv_check_volumes(c, spec, path);
	{
		/* Windows hostProcess: all containers or none, and hostNetwork */
		const gr_value *pw =
		        gr_get_path(spec, "securityContext", "windowsOptions", "hostProcess", NULL);
		bool pod_hp = pw && pw->type == GR_BOOL && pw->u.b;
		size_t nhp = 0, nall = 0;
		static const char *const lists[] = {"containers", "initContainers", "ephemeralContainers",
		                                    NULL};
		for (int l = 0; lists[l]; l++) {
			const gr_value *cs = gr_get(spec, lists[l]);
			EACH(cs, i)
			{
				const gr_value *h = gr_get_path(&cs->u.a.items[i], "securityContext",
				                                "windowsOptions", "hostProcess", NULL);
				nall++;
				if (h && h->type == GR_BOOL ? h->u.b : pod_hp)
					nhp++;
			}
		}
		const gr_value *cs = gr_get(spec, "containers");
		if (!ARR(cs) || cs->u.a.len == 0) {
			snprintf(p, sizeof p, "%s.containers", path);
			nv_required(c, NV_POD_TERMINATION_GRACE_ERR, p, spec, NULL);
		}
		if (nhp) {
			if (nhp != nall) {
				gr_value empty = {.type = GR_STRING};
				empty.u.s.ptr = "";
				nv_invalid(c, NV_SECURITY_HOST_PROCESS, path, &empty,
				           "If pod contains any hostProcess containers then all containers "
				           "must be "
				           "HostProcess containers");
			}
			const gr_value *hnv = gr_get(spec, "hostNetwork");
			if (!(hnv && hnv->type == GR_BOOL && hnv->u.b)) {
				gr_value f = {.type = GR_BOOL};
				snprintf(p, sizeof p, "%s.hostNetwork", path);
				nv_invalid(c, NV_SECURITY_HOST_PROCESS, p, &f,
				           "hostNetwork must be true if pod contains any hostProcess "
				           "containers");
			}
		}
	}
	const gr_value *hn = gr_get(spec, "hostNetwork");
	bool host_network = hn && hn->type == GR_BOOL && hn->u.b;
	const gr_value *names[256];
	size_t nnames = 0;
	check_containers(c, spec, gr_get(spec, "containers"), path, "containers", names, &nnames, 256,
	                 host_network, grace);
	check_containers(c, spec, gr_get(spec, "initContainers"), path, "initContainers", names, &nnames, 256,
	                 host_network, grace);
	check_containers(c, spec, gr_get(spec, "ephemeralContainers"), path, "ephemeralContainers", names,
	                 &nnames, 256, host_network, grace);
}
