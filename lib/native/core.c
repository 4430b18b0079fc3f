/*
 * core.c — the core group's kinds (pkg/apis/core/validation): Pod,
 * ReplicationController and PodTemplate (their pod specs), Service (type,
 * ports, target ports, node ports, session affinity, external name).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/decode.h"
#include "native_int.h"

#define ARR(v)     ((v) && (v)->type == GR_ARRAY)
#define EACH(v, i) for (size_t i = 0; ARR(v) && i < (v)->u.a.len; i++)

static const char *const protocols[] = {"SCTP", "TCP", "UDP", NULL};
static const char *const always_only[] = {"Always", NULL};

/* a controller's template: restartPolicy must be Always */
void nv_template_restart_always(nv_ctx *c, const gr_value *spec, const char *path)
{
	const gr_value *v = gr_get(spec, "restartPolicy");
	if (v && v->type == GR_STRING && strcmp(v->u.s.ptr, "Always") != 0) {
		char p[600];
		snprintf(p, sizeof p, "%s.restartPolicy", path);
		nv_not_supported(c, NV_POD_TEMPLATE_RESTART_POLICY, p, v, always_only);
	}
}

static bool is_cidr(const char *s)
{
	const char *sl = strchr(s, '/');
	if (!sl || !sl[1])
		return false;
	char a[64];
	size_t l = (size_t)(sl - s);
	if (l >= sizeof a)
		return false;
	memcpy(a, s, l);
	a[l] = 0;
	char *end;
	long pre = strtol(sl + 1, &end, 10);
	if (*end || pre < 0)
		return false;
	bool v6 = strchr(a, ':') != NULL;
	return nv_is_ip(a) && pre <= (v6 ? 128 : 32);
}

static void check_service_more(nv_ctx *c, const gr_value *spec, const char *type)
{
	bool lb = strcmp(type, "LoadBalancer") == 0, np = strcmp(type, "NodePort") == 0;
	bool external = lb || np;
	const gr_value *cip = gr_get(spec, "clusterIP"), *cips = gr_get(spec, "clusterIPs");
	const char *ip = cip && cip->type == GR_STRING ? cip->u.s.ptr : NULL;
	if (ip && *ip && cips && cips->type == GR_ARRAY && cips->u.a.len &&
	    (cips->u.a.items[0].type != GR_STRING || strcmp(cips->u.a.items[0].u.s.ptr, ip) != 0))
		nv_invalid(c, NV_SERVICE_TYPE, "spec.clusterIPs", cips, "first value must match `clusterIP`");
	else if (ip && *ip) {
		if (strcmp(ip, "None") == 0) {
			if (external) {
				char d[80];
				snprintf(d, sizeof d, "may not be set to 'None' for %s services", type);
				nv_invalid(c, NV_SERVICE_TYPE, "spec.clusterIPs[0]", cip, d);
			}
		} else if (!nv_is_ip(ip))
			nv_invalid(c, NV_SERVICE_TYPE, "spec.clusterIPs[0]", cip,
			           "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
	}
	static const char *const policies[] = {"Cluster", "Local", NULL};
	const gr_value *v = gr_get(spec, "externalTrafficPolicy");
	if (v && v->type == GR_STRING && v->u.s.len) {
		if (!nv_in(v->u.s.ptr, policies))
			nv_not_supported(c, NV_SERVICE_TYPE, "spec.externalTrafficPolicy", v, policies);
		else if (!external)
			nv_invalid(c, NV_SERVICE_TYPE, "spec.externalTrafficPolicy", v,
			           "may only be set for externally-accessible services");
	}
	v = gr_get(spec, "internalTrafficPolicy");
	if (v && v->type == GR_STRING && !nv_in(v->u.s.ptr, policies))
		nv_not_supported(c, NV_SERVICE_TYPE, "spec.internalTrafficPolicy", v, policies);
	const gr_value *lsr = gr_get(spec, "loadBalancerSourceRanges");
	if (ARR(lsr) && lsr->u.a.len) {
		if (!lb)
			nv_forbidden(c, NV_SERVICE_TYPE, "spec.LoadBalancerSourceRanges", lsr,
			             "may only be used when `type` is 'LoadBalancer'");
		else
			EACH(lsr, i)
			{
				const gr_value *r = &lsr->u.a.items[i];
				if (r->type == GR_STRING && !is_cidr(r->u.s.ptr)) {
					char p[64];
					snprintf(p, sizeof p, "spec.LoadBalancerSourceRanges[%zu]", i);
					nv_invalid(c, NV_SERVICE_TYPE, p, r,
					           "must be a valid CIDR value, (e.g. 10.9.8.0/24 or "
					           "2001:db8::/64)");
				}
			}
	}
	const gr_value *eips = gr_get(spec, "externalIPs");
	EACH(eips, i)
	{
		const gr_value *e = &eips->u.a.items[i];
		if (e->type != GR_STRING)
			continue;
		char p[64];
		snprintf(p, sizeof p, "spec.externalIPs[%zu]", i);
		if (!nv_is_ip(e->u.s.ptr))
			nv_invalid(c, NV_SERVICE_TYPE, p, e,
			           "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
		else if (strncmp(e->u.s.ptr, "127.", 4) == 0 || strcmp(e->u.s.ptr, "::1") == 0)
			nv_invalid(c, NV_SERVICE_TYPE, p, e,
			           "may not be in the loopback range (127.0.0.0/8, ::1/128)");
	}
	static const char *const fam_pol[] = {"SingleStack", "PreferDualStack", "RequireDualStack", NULL};
	v = gr_get(spec, "ipFamilyPolicy");
	if (v && v->type == GR_STRING && !nv_in(v->u.s.ptr, fam_pol))
		nv_not_supported(c, NV_SERVICE_TYPE, "spec.ipFamilyPolicy", v, fam_pol);
	static const char *const fams[] = {"IPv4", "IPv6", NULL};
	const gr_value *f = gr_get(spec, "ipFamilies");
	EACH(f, i)
	{
		const gr_value *e = &f->u.a.items[i];
		if (e->type == GR_STRING && !nv_in(e->u.s.ptr, fams)) {
			char p[64];
			snprintf(p, sizeof p, "spec.ipFamilies[%zu]", i);
			nv_not_supported(c, NV_SERVICE_TYPE, p, e, fams);
		}
	}
	static const char *const lbonly[] = {"loadBalancerClass", "allocateLoadBalancerNodePorts", NULL};
	for (int i = 0; lbonly[i] && !lb; i++) {
		v = gr_get(spec, lbonly[i]);
		if (v && v->type != GR_NULL) {
			char p[64];
			snprintf(p, sizeof p, "spec.%s", lbonly[i]);
			nv_forbidden(c, NV_SERVICE_TYPE, p, v,
			             "may only be used when `type` is 'LoadBalancer'");
		}
	}
	v = gr_get(spec, "externalName");
	if (strcmp(type, "ExternalName") == 0 && v && v->type == GR_STRING && v->u.s.len) {
		char buf[300];
		snprintf(buf, sizeof buf, "%s", v->u.s.ptr);
		size_t l = strlen(buf);
		if (l && buf[l - 1] == '.')
			buf[l - 1] = 0;
		nv_msgs m = {0};
		nv_dns1123_subdomain(buf, &m);
		for (int j = 0; j < m.n; j++)
			nv_invalid(c, NV_SERVICE_EXTERNAL_NAME, "spec.externalName", v, m.m[j]);
	}
	const gr_value *ports = gr_get(spec, "ports");
	size_t np_ = ARR(ports) ? ports->u.a.len : 0;
	if (!np_ && strcmp(type, "ExternalName") != 0 && !(ip && strcmp(ip, "None") == 0))
		nv_required(c, NV_SERVICE_PORT, "spec.ports", spec, NULL);
	EACH(ports, i)
	{
		const gr_value *pt = &ports->u.a.items[i];
		const gr_value *n = gr_get(pt, "name");
		char p[64];
		snprintf(p, sizeof p, "spec.ports[%zu].name", i);
		if (!n || n->type != GR_STRING || !n->u.s.len) {
			if (np_ > 1)
				nv_required(c, NV_SERVICE_PORT_NAME, p, pt, NULL);
		} else {
			nv_msgs m = {0};
			nv_dns1123_label(n->u.s.ptr, &m);
			for (int j = 0; j < m.n; j++)
				nv_invalid(c, NV_SERVICE_PORT_NAME, p, n, m.m[j]);
			for (size_t k = 0; k < i; k++) {
				const char *o = nv_str(&ports->u.a.items[k], "name");
				if (o && strcmp(o, n->u.s.ptr) == 0) {
					nv_duplicate(c, NV_SERVICE_PORT_NAME, p, n);
					break;
				}
			}
		}
		const gr_value *ap = gr_get(pt, "appProtocol");
		if (ap && ap->type == GR_STRING) {
			nv_msgs m = {0};
			nv_qualified_name(ap->u.s.ptr, &m);
			snprintf(p, sizeof p, "spec.ports[%zu].appProtocol", i);
			for (int j = 0; j < m.n; j++)
				nv_invalid(c, NV_SERVICE_PORT, p, ap, m.m[j]);
		}
	}
}

/* IsConfigMapKey */
static void config_key(nv_ctx *c, const char *field, const gr_member *mb)
{
	char p[400];
	snprintf(p, sizeof p, "%s[%.300s]", field, mb->key);
	gr_value kv = {.type = GR_STRING, .line = mb->value.line, .column = mb->value.column};
	kv.u.s.ptr = mb->key;
	kv.u.s.len = mb->key_len;
	const char *k = mb->key;
	if (mb->key_len > 253)
		nv_invalid(c, NV_CONFIG_KEY, p, &kv, "must be no more than 253 characters");
	bool ok = mb->key_len > 0;
	for (size_t i = 0; i < mb->key_len; i++) {
		char ch = k[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch == '-' || ch == '_' || ch == '.'))
			ok = false;
	}
	if (!ok)
		nv_invalid(c, NV_CONFIG_KEY, p, &kv,
		           "a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
		           "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation "
		           "is '[-._a-zA-Z0-9]+')");
	if (strcmp(k, ".") == 0)
		nv_invalid(c, NV_CONFIG_KEY, p, &kv, "must not be '.'");
	else if (strcmp(k, "..") == 0)
		nv_invalid(c, NV_CONFIG_KEY, p, &kv, "must not be '..'");
	else if (strncmp(k, "..", 2) == 0)
		nv_invalid(c, NV_CONFIG_KEY, p, &kv, "must not start with '..'");
}

static size_t b64_len(const gr_value *v)
{
	if (v->type != GR_STRING)
		return 0;
	size_t n = 0, pad = 0;
	for (size_t i = 0; i < v->u.s.len; i++) {
		char ch = v->u.s.ptr[i];
		if (ch == '=')
			pad++;
		else if (ch != '\n' && ch != '\r' && ch != ' ')
			n++;
	}
	(void)pad;
	return n * 3 / 4;
}

static void too_long(nv_ctx *c, const char *path, const gr_value *at)
{
	gr_finding *x =
	        gr_findings_addf(c->out, c->obj, nv_rules[NV_CONFIG_SIZE].id, GR_SEV_ERROR, GR_ACTION_ENFORCE,
	                         path, at, "%s: Too long: may not be more than 1048576 bytes", path);
	if (!x) {
		c->oom = true;
		return;
	}
	x->reason = "FieldValueTooLong";
	x->remediation = nv_rules[NV_CONFIG_SIZE].remediation;
	x->doc = "docs/rules/native.md";
}

/* Go's base64.StdEncoding (CR and LF skipped, padding required); the
 * decoded length, or -1 when the text is not base64 */
static long b64_decode(const char *s, size_t n, unsigned char *out, size_t cap)
{
	unsigned acc = 0;
	int bits = 0, chars = 0, pad = 0;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		int v;
		if (ch == '\r' || ch == '\n')
			continue;
		if (ch == '=') {
			pad++;
			chars++;
			continue;
		}
		if (pad)
			return -1;
		if (ch >= 'A' && ch <= 'Z')
			v = ch - 'A';
		else if (ch >= 'a' && ch <= 'z')
			v = ch - 'a' + 26;
		else if (ch >= '0' && ch <= '9')
			v = ch - '0' + 52;
		else if (ch == '+')
			v = 62;
		else if (ch == '/')
			v = 63;
		else
			return -1;
		chars++;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= cap)
				return -1;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	return chars % 4 || pad > 2 ? -1 : (long)o;
}

/* ValidateSecret: a dockerconfigjson or dockercfg secret's payload is JSON */
static void docker_json(nv_ctx *c, const gr_value *data, const gr_value *sdata, const char *key)
{
	const gr_value *v = sdata && sdata->type == GR_OBJECT ? gr_get(sdata, key) : NULL;
	bool raw = v != NULL; /* stringData wins over data, as the server merges them */
	if (!v)
		v = data && data->type == GR_OBJECT ? gr_get(data, key) : NULL;
	/* a stored secret was judged when written, and audit reads secrets
	 * scrubbed (values ""): no payload to judge there */
	if (!v || v->type != GR_STRING || c->stored || !v->u.s.len)
		return;
	size_t cap = v->u.s.len + 1;
	unsigned char *buf = malloc(cap);
	if (!buf) {
		c->oom = true;
		return;
	}
	long n = raw ? (long)v->u.s.len : b64_decode(v->u.s.ptr, v->u.s.len, buf, cap - 1);
	if (raw)
		memcpy(buf, v->u.s.ptr, v->u.s.len);
	if (n >= 0) {
		buf[n] = 0;
		gr_arena a;
		gr_arena_init(&a);
		gr_arena_set_limit(&a, 64u << 20);
		gr_value doc;
		gr_error err;
		char p[64], d[300];
		snprintf(p, sizeof p, "data[%s]", key);
		if (gr_decode_json(&a, (const char *)buf, (size_t)n, NULL, &doc, &err) != 0) {
			snprintf(d, sizeof d, "%s", err.message);
			nv_invalid_str(c, NV_SECRET_TYPE, p, v, "<secret contents redacted>", d);
		} else if (doc.type != GR_OBJECT && doc.type != GR_NULL) {
			snprintf(d, sizeof d, "json: cannot unmarshal %s into Go value of type %s",
			         doc.type == GR_ARRAY    ? "array"
			         : doc.type == GR_STRING ? "string"
			                                 : "number",
			         strcmp(key, ".dockercfg") == 0 ? "credentialprovider.DockerConfig"
			                                        : "credentialprovider.DockerConfigJSON");
			nv_invalid_str(c, NV_SECRET_TYPE, p, v, "<secret contents redacted>", d);
		}
		gr_arena_free(&a);
	}
	free(buf);
}

static bool has_key(const gr_value *a, const gr_value *b, const char *k)
{
	return (a && a->type == GR_OBJECT && gr_get(a, k)) || (b && b->type == GR_OBJECT && gr_get(b, k));
}

static void check_config(nv_ctx *c, bool secret)
{
	const gr_value *root = c->obj->root;
	const gr_value *data = gr_get(root, "data"),
	               *bin = gr_get(root, secret ? "stringData" : "binaryData");
	size_t total = 0;
	for (size_t i = 0; data && data->type == GR_OBJECT && i < data->u.o.len; i++) {
		const gr_member *mb = &data->u.o.members[i];
		config_key(c, "data", mb);
		total += secret ? b64_len(&mb->value) : (mb->value.type == GR_STRING ? mb->value.u.s.len : 0);
		if (!secret && bin && bin->type == GR_OBJECT && gr_get(bin, mb->key)) {
			char p[400];
			snprintf(p, sizeof p, "data[%.300s]", mb->key);
			gr_value kv = {.type = GR_STRING};
			kv.u.s.ptr = mb->key;
			kv.u.s.len = mb->key_len;
			nv_invalid(c, NV_CONFIG_KEY, p, &kv, "duplicate of key present in binaryData");
		}
	}
	for (size_t i = 0; bin && bin->type == GR_OBJECT && i < bin->u.o.len; i++) {
		const gr_member *mb = &bin->u.o.members[i];
		config_key(c, secret ? "data" : "binaryData", mb); /* stringData is merged into data */
		total += secret ? (mb->value.type == GR_STRING ? mb->value.u.s.len : 0) : b64_len(&mb->value);
	}
	if (total > 1048576)
		too_long(c, secret ? "data" : "[]", data ? data : root);
	if (!secret)
		return;
	const char *type = nv_str(root, "type");
	if (!type)
		return;
	static const struct req {
		const char *type, *keys[2];
	} reqs[] = {
	        {"kubernetes.io/tls", {"tls.crt", "tls.key"}},
	        {"kubernetes.io/dockerconfigjson", {".dockerconfigjson", NULL}},
	        {"kubernetes.io/dockercfg", {".dockercfg", NULL}},
	        {"kubernetes.io/ssh-auth", {"ssh-privatekey", NULL}},
	};
	for (size_t r = 0; r < sizeof reqs / sizeof reqs[0]; r++) {
		if (strcmp(type, reqs[r].type) != 0)
			continue;
		for (int k = 0; k < 2 && reqs[r].keys[k]; k++)
			if (!has_key(data, bin, reqs[r].keys[k])) {
				char p[64];
				snprintf(p, sizeof p, "data[%s]", reqs[r].keys[k]);
				nv_required(c, NV_SECRET_TYPE, p, root, NULL);
			}
	}
	if (strcmp(type, "kubernetes.io/dockerconfigjson") == 0)
		docker_json(c, data, bin, ".dockerconfigjson");
	else if (strcmp(type, "kubernetes.io/dockercfg") == 0)
		docker_json(c, data, bin, ".dockercfg");
	if (strcmp(type, "kubernetes.io/basic-auth") == 0 && !has_key(data, bin, "username") &&
	    !has_key(data, bin, "password")) {
		nv_required(c, NV_SECRET_TYPE, "data[username]", root, NULL);
		nv_required(c, NV_SECRET_TYPE, "data[password]", root, NULL);
	}
	if (strcmp(type, "kubernetes.io/service-account-token") == 0) {
		const char *sa = nv_str(gr_get_path(root, "metadata", "annotations", NULL),
		                        "kubernetes.io/service-account.name");
		if (!sa || !*sa)
			nv_required(c, NV_SECRET_TYPE,
			            "metadata.annotations[kubernetes.io/service-account.name]", root, NULL);
	}
}

static void check_service(nv_ctx *c)
{
	const gr_value *spec = gr_get(c->obj->root, "spec");
	if (!spec || spec->type != GR_OBJECT)
		return;
	static const char *const types[] = {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort", NULL};
	const gr_value *t = gr_get(spec, "type");
	const char *type = t && t->type == GR_STRING ? t->u.s.ptr : "ClusterIP";
	if (!nv_in(type, types))
		nv_not_supported(c, NV_SERVICE_TYPE, "spec.type", t, types);
	if (strcmp(type, "ExternalName") == 0) {
		const char *en = nv_str(spec, "externalName");
		if (!en || !*en)
			nv_required(c, NV_SERVICE_EXTERNAL_NAME, "spec.externalName", spec, NULL);
	}
	const gr_value *ports = gr_get(spec, "ports");
	EACH(ports, i)
	{
		const gr_value *pt = &ports->u.a.items[i];
		char p[128];
		const gr_value *v = gr_get(pt, "port");
		int64_t n;
		if (nv_int(v, &n) && (n < 1 || n > 65535)) {
			snprintf(p, sizeof p, "spec.ports[%zu].port", i);
			nv_invalid(c, NV_SERVICE_PORT, p, v, "must be between 1 and 65535, inclusive");
		}
		v = gr_get(pt, "protocol");
		if (v && v->type == GR_STRING && !nv_in(v->u.s.ptr, protocols)) {
			snprintf(p, sizeof p, "spec.ports[%zu].protocol", i);
			nv_not_supported(c, NV_PORT_PROTOCOL, p, v, protocols);
		}
		v = gr_get(pt, "targetPort");
		snprintf(p, sizeof p, "spec.ports[%zu].targetPort", i);
		if (nv_int(v, &n) && n != 0 && (n < 1 || n > 65535))
			nv_invalid(c, NV_SERVICE_TARGET_PORT, p, v, "must be between 1 and 65535, inclusive");
		else if (v && v->type == GR_STRING && v->u.s.len) {
			nv_msgs m = {0};
			nv_port_name(v->u.s.ptr, &m);
			for (int j = 0; j < m.n; j++)
				nv_invalid(c, NV_SERVICE_TARGET_PORT, p, v, m.m[j]);
		}
		v = gr_get(pt, "nodePort");
		if (nv_int(v, &n) && n != 0) {
			snprintf(p, sizeof p, "spec.ports[%zu].nodePort", i);
			if (strcmp(type, "ClusterIP") == 0 || strcmp(type, "ExternalName") == 0) {
				char d[128];
				snprintf(d, sizeof d, "may not be used when `type` is '%s'", type);
				nv_forbidden(c, NV_SERVICE_NODE_PORT, p, v, d);
			} else
				for (size_t k = 0; k < i; k++) {
					int64_t o;
					if (nv_int(gr_get(&ports->u.a.items[k], "nodePort"), &o) && o == n) {
						nv_invalid(c, NV_SERVICE_NODE_PORT, p, v,
						           "provided port is already allocated");
						break;
					}
				}
		}
		/* duplicate (port, protocol) */
		int64_t pn;
		if (nv_int(gr_get(pt, "port"), &pn)) {
			const char *pr = nv_str(pt, "protocol");
			for (size_t k = 0; k < i; k++) {
				const gr_value *o = &ports->u.a.items[k];
				int64_t on;
				const char *opr = nv_str(o, "protocol");
				if (nv_int(gr_get(o, "port"), &on) && on == pn &&
				    strcmp(pr ? pr : "TCP", opr ? opr : "TCP") == 0) {
					snprintf(p, sizeof p, "spec.ports[%zu]", i);
					nv_duplicate(c, NV_SERVICE_PORT_DUPLICATE, p, pt);
					break;
				}
			}
		}
	}
	check_service_more(c, spec, type);
	static const char *const aff[] = {"ClientIP", "None", NULL};
	const gr_value *sa = gr_get(spec, "sessionAffinity");
	if (sa && sa->type == GR_STRING) {
		if (!nv_in(sa->u.s.ptr, aff))
			nv_not_supported(c, NV_SERVICE_SESSION_AFFINITY, "spec.sessionAffinity", sa, aff);
		else if (strcmp(sa->u.s.ptr, "ClientIP") == 0) {
			const gr_value *to = gr_get_path(spec, "sessionAffinityConfig", "clientIP",
			                                 "timeoutSeconds", NULL);
			int64_t n;
			if (nv_int(to, &n) && (n <= 0 || n > 86400))
				nv_invalid(c, NV_SERVICE_SESSION_AFFINITY,
				           "spec.sessionAffinityConfig.clientIP.timeoutSeconds", to,
				           "must be greater than 0 and less than 86400");
		}
	}
}

void nv_check_core(nv_ctx *c)
{
	if (*c->obj->group)
		return;
	const char *k = c->obj->kind;
	if (strcmp(k, "Pod") == 0)
		nv_check_pod_spec(c, gr_get(c->obj->root, "spec"), "spec", true);
	else if (strcmp(k, "ReplicationController") == 0 || strcmp(k, "PodTemplate") == 0) {
		const char *tp = k[0] == 'R' ? "spec.template" : "template";
		const gr_value *tmpl = k[0] == 'R' ? gr_get_path(c->obj->root, "spec", "template", NULL)
		                                   : gr_get(c->obj->root, "template");
		char p[64];
		snprintf(p, sizeof p, "%s.spec", tp);
		nv_check_pod_spec(c, gr_get(tmpl, "spec"), p, false);
		if (k[0] == 'R') {
			nv_template_restart_always(c, gr_get(tmpl, "spec"), p);
			nv_check_template_labels(c, tmpl, "spec.template.labels");
			const gr_value *spec = gr_get(c->obj->root, "spec");
			const gr_value *rep = gr_get(spec, "replicas");
			int64_t n;
			if (nv_int(rep, &n) && n < 0)
				nv_invalid(c, NV_APPS_NONNEGATIVE, "spec.replicas", rep,
				           "must be greater than or equal to 0");
			/* an RC's selector is a plain map, defaulted to the template labels */
			const gr_value *sel = gr_get(spec, "selector");
			const gr_value *labels = gr_get_path(tmpl, "metadata", "labels", NULL);
			if (!(sel && sel->type == GR_OBJECT && sel->u.o.len) &&
			    !(labels && labels->type == GR_OBJECT && labels->u.o.len))
				nv_required(c, NV_SELECTOR, "spec.selector", spec, NULL);
			for (size_t i = 0; sel && sel->type == GR_OBJECT && i < sel->u.o.len; i++) {
				const gr_member *m = &sel->u.o.members[i];
				const char *l = labels ? nv_str(labels, m->key) : NULL;
				if (m->value.type == GR_STRING && (!l || strcmp(l, m->value.u.s.ptr) != 0)) {
					nv_invalid(c, NV_SELECTOR_MATCH, "spec.template.metadata.labels",
					           labels, "`selector` does not match template `labels`");
					break;
				}
			}
		}
	} else if (strcmp(k, "Service") == 0)
		check_service(c);
	else if (strcmp(k, "PersistentVolumeClaim") == 0)
		nv_check_pvc(c);
	else if (strcmp(k, "ConfigMap") == 0)
		check_config(c, false);
	else if (strcmp(k, "Secret") == 0)
		check_config(c, true);
}
