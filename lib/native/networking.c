/*
 * networking.c — networking.k8s.io/v1 (pkg/apis/networking/validation):
 * Ingress path types and paths, NetworkPolicy policy types.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "native_int.h"

#define ARR(v)     ((v) && (v)->type == GR_ARRAY)
#define EACH(v, i) for (size_t i = 0; ARR(v) && i < (v)->u.a.len; i++)

static bool is_cidr(const char *s, unsigned char *addr, int *bits, bool *v6)
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
	*v6 = strchr(a, ':') != NULL;
	if (inet_pton(*v6 ? AF_INET6 : AF_INET, a, addr) != 1)
		return false;
	*bits = (int)pre;
	return pre <= (*v6 ? 128 : 32);
}

static bool prefix_eq(const unsigned char *a, const unsigned char *b, int bits)
{
	for (int i = 0; i < bits; i++)
		if (((a[i / 8] >> (7 - i % 8)) & 1) != ((b[i / 8] >> (7 - i % 8)) & 1))
			return false;
	return true;
}

/* host of a rule or TLS entry: DNS subdomain, optionally a leading "*." */
static void check_host(nv_ctx *c, const char *p, const gr_value *h)
{
	if (!h || h->type != GR_STRING || !h->u.s.len)
		return;
	const char *s = h->u.s.ptr;
	nv_msgs m = {0};
	if (strchr(s, '*')) {
		if (strncmp(s, "*.", 2) != 0 || strchr(s + 2, '*') || nv_dns1123_subdomain(s + 2, &m))
			nv_invalid(
			        c, NV_INGRESS_HOST, p, h,
			        "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid "
			        "DNS subdomain, which must consist of lower case alphanumeric characters, "
			        "'-' or '.' and end with an alphanumeric character (e.g. "
			        "'*.example.com', regex used for validation is "
			        "'\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
		return;
	}
	if (nv_is_ip(s)) {
		nv_invalid(c, NV_INGRESS_HOST, p, h, "must be a DNS name, not an IP address");
		return;
	}
	nv_dns1123_subdomain(s, &m);
	for (int j = 0; j < m.n; j++)
		nv_invalid(c, NV_INGRESS_HOST, p, h, m.m[j]);
}

static void check_backend(nv_ctx *c, const gr_value *b, const char *base)
{
	if (!b || b->type != GR_OBJECT)
		return;
	const gr_value *svc = gr_get(b, "service"), *res = gr_get(b, "resource");
	gr_value empty = {.type = GR_STRING};
	empty.u.s.ptr = "";
	char p[300];
	if (svc && res) {
		nv_invalid(c, NV_INGRESS_BACKEND, base, &empty,
		           "cannot set both resource and service backends");
		return;
	}
	if (!svc)
		return;
	const gr_value *n = gr_get(svc, "name");
	if (n && n->type == GR_STRING) {
		nv_msgs m = {0};
		nv_dns1035_label(n->u.s.ptr, &m);
		snprintf(p, sizeof p, "%s.service.name", base);
		for (int j = 0; j < m.n; j++)
			nv_invalid(c, NV_INGRESS_BACKEND, p, n, m.m[j]);
	}
	const gr_value *port = gr_get(svc, "port");
	const gr_value *pn = gr_get(port, "name"), *pnum = gr_get(port, "number");
	int64_t num = 0;
	bool has_num = nv_int(pnum, &num) && num != 0;
	bool has_name = pn && pn->type == GR_STRING && pn->u.s.len;
	if (has_name && has_num)
		nv_invalid(c, NV_INGRESS_BACKEND, base, &empty, "cannot set both port name & port number");
	else if (has_name) {
		nv_msgs m = {0};
		nv_port_name(pn->u.s.ptr, &m);
		snprintf(p, sizeof p, "%s.service.port.name", base);
		for (int j = 0; j < m.n; j++)
			nv_invalid(c, NV_INGRESS_BACKEND, p, pn, m.m[j]);
	} else if (has_num) {
		if (num < 1 || num > 65535) {
			snprintf(p, sizeof p, "%s.service.port.number", base);
			nv_invalid(c, NV_INGRESS_BACKEND, p, pnum, "must be between 1 and 65535, inclusive");
		}
	} else
		nv_required(c, NV_INGRESS_BACKEND, base, b, "port name or number is required");
}

static void check_ingress(nv_ctx *c)
{
	const gr_value *spec = gr_get(c->obj->root, "spec");
	const gr_value *rules = gr_get(spec, "rules");
	static const char *const types[] = {"Exact", "ImplementationSpecific", "Prefix", NULL};
	const gr_value *db = gr_get(spec, "defaultBackend");
	if (spec && spec->type == GR_OBJECT && !(ARR(rules) && rules->u.a.len) &&
	    !(db && db->type == GR_OBJECT))
		nv_invalid(c, NV_INGRESS_BACKEND, "spec", rules,
		           "either `defaultBackend` or `rules` must be specified");
	check_backend(c, db, "spec.defaultBackend");
	const gr_value *icn = gr_get(spec, "ingressClassName");
	if (icn && icn->type == GR_STRING) {
		nv_msgs m = {0};
		nv_dns1123_subdomain(icn->u.s.ptr, &m);
		for (int j = 0; j < m.n; j++)
			nv_invalid(c, NV_INGRESS_HOST, "spec.ingressClassName", icn, m.m[j]);
	}
	const gr_value *tls = gr_get(spec, "tls");
	EACH(tls, t)
	{
		const gr_value *hosts = gr_get(&tls->u.a.items[t], "hosts");
		char p[128];
		EACH(hosts, h)
		{
			snprintf(p, sizeof p, "spec.tls[%zu].hosts[%zu]", t, h);
			check_host(c, p, &hosts->u.a.items[h]);
		}
		const gr_value *sn = gr_get(&tls->u.a.items[t], "secretName");
		if (sn && sn->type == GR_STRING && sn->u.s.len) {
			nv_msgs m = {0};
			nv_dns1123_subdomain(sn->u.s.ptr, &m);
			snprintf(p, sizeof p, "spec.tls[%zu].secretName", t);
			for (int j = 0; j < m.n; j++)
				nv_invalid(c, NV_INGRESS_HOST, p, sn, m.m[j]);
		}
	}
	EACH(rules, r)
	{
		char hp_[128];
		snprintf(hp_, sizeof hp_, "spec.rules[%zu].host", r);
		check_host(c, hp_, gr_get(&rules->u.a.items[r], "host"));
		const gr_value *http = gr_get(&rules->u.a.items[r], "http");
		const gr_value *paths = gr_get(http, "paths");
		if (http && http->type == GR_OBJECT && !(ARR(paths) && paths->u.a.len)) {
			snprintf(hp_, sizeof hp_, "spec.rules[%zu].http.paths", r);
			nv_required(c, NV_INGRESS_PATH, hp_, http, NULL);
		}
		EACH(paths, i)
		{
			const gr_value *hp = &paths->u.a.items[i];
			char p[128];
			snprintf(p, sizeof p, "spec.rules[%zu].http.paths[%zu].backend", r, i);
			check_backend(c, gr_get(hp, "backend"), p);
			const gr_value *pt = gr_get(hp, "pathType");
			snprintf(p, sizeof p, "spec.rules[%zu].http.paths[%zu].pathType", r, i);
			if (!pt || pt->type != GR_STRING) {
				nv_required(c, NV_INGRESS_PATH_TYPE, p, hp, "pathType must be specified");
				continue;
			}
			if (!nv_in(pt->u.s.ptr, types)) {
				nv_not_supported(c, NV_INGRESS_PATH_TYPE, p, pt, types);
				continue;
			}
			const gr_value *path = gr_get(hp, "path");
			snprintf(p, sizeof p, "spec.rules[%zu].http.paths[%zu].path", r, i);
			const char *s = path && path->type == GR_STRING ? path->u.s.ptr : "";
			if (!path && strcmp(pt->u.s.ptr, "ImplementationSpecific") == 0)
				continue;
			if (s[0] != '/') {
				nv_invalid(c, NV_INGRESS_PATH, p, path, "must be an absolute path");
				continue;
			}
			if (strcmp(pt->u.s.ptr, "ImplementationSpecific") == 0)
				continue;
			static const char *const bad[] = {"//", "/./", "/../", "%2f", "%2F", NULL};
			for (int b = 0; bad[b]; b++)
				if (strstr(s, bad[b])) {
					char d[64];
					snprintf(d, sizeof d, "must not contain '%s'", bad[b]);
					nv_invalid(c, NV_INGRESS_PATH, p, path, d);
				}
			size_t n = strlen(s);
			if (n >= 2 && strcmp(s + n - 2, "/.") == 0)
				nv_invalid(c, NV_INGRESS_PATH, p, path, "must not end with '/.'");
			if (n >= 3 && strcmp(s + n - 3, "/..") == 0)
				nv_invalid(c, NV_INGRESS_PATH, p, path, "must not end with '/..'");
		}
	}
}

static void check_peers(nv_ctx *c, const gr_value *peers, const char *base)
{
	EACH(peers, i)
	{
		const gr_value *pe = &peers->u.a.items[i];
		char p[300];
		snprintf(p, sizeof p, "%s[%zu]", base, i);
		const gr_value *ipb = gr_get(pe, "ipBlock"), *ps = gr_get(pe, "podSelector"),
		               *ns = gr_get(pe, "namespaceSelector");
		int n = (ipb != NULL) + (ps != NULL) + (ns != NULL);
		if (n == 0) {
			nv_required(c, NV_NETPOL_PEER, p, pe, "must specify a peer");
			continue;
		}
		if (ipb && n > 1) {
			nv_forbidden(c, NV_NETPOL_PEER, p, pe,
			             "may not specify both ipBlock and another peer");
			continue;
		}
		const gr_value *sels[2] = {ps, ns};
		const char *names[2] = {"podSelector", "namespaceSelector"};
		for (int k = 0; k < 2; k++) {
			if (!sels[k] || sels[k]->type != GR_OBJECT)
				continue;
			char q[340];
			snprintf(q, sizeof q, "%s.%s", p, names[k]);
			nv_check_selector(c, sels[k], q);
			const gr_value *ml = gr_get(sels[k], "matchLabels");
			snprintf(q, sizeof q, "%s.%s.matchLabels", p, names[k]);
			for (size_t j = 0; ml && ml->type == GR_OBJECT && j < ml->u.o.len; j++) {
				nv_msgs m = {0};
				nv_qualified_name(ml->u.o.members[j].key, &m);
				if (ml->u.o.members[j].value.type == GR_STRING)
					nv_label_value(ml->u.o.members[j].value.u.s.ptr, &m);
				for (int x = 0; x < m.n; x++)
					nv_invalid(c, NV_NETPOL_PEER, q, &ml->u.o.members[j].value, m.m[x]);
			}
		}
		if (ipb && ipb->type == GR_OBJECT) {
			const gr_value *cidr = gr_get(ipb, "cidr");
			unsigned char a[16], b[16];
			int bits = 0, eb = 0;
			bool v6 = false, ev6 = false;
			char q[340];
			snprintf(q, sizeof q, "%s.ipBlock.cidr", p);
			if (!cidr || cidr->type != GR_STRING || !cidr->u.s.len) {
				nv_required(c, NV_NETPOL_PEER, q, ipb, NULL);
				continue;
			}
			if (!is_cidr(cidr->u.s.ptr, a, &bits, &v6)) {
				nv_invalid(c, NV_NETPOL_PEER, q, cidr,
				           "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
				continue;
			}
			const gr_value *ex = gr_get(ipb, "except");
			EACH(ex, k)
			{
				const gr_value *e = &ex->u.a.items[k];
				snprintf(q, sizeof q, "%s.ipBlock.except[%zu]", p, k);
				if (e->type != GR_STRING)
					continue;
				if (!is_cidr(e->u.s.ptr, b, &eb, &ev6))
					nv_invalid(c, NV_NETPOL_PEER, q, e,
					           "must be a valid CIDR value, (e.g. 10.9.8.0/24 or "
					           "2001:db8::/64)");
				else if (ev6 != v6 || eb <= bits || !prefix_eq(a, b, bits))
					nv_invalid(c, NV_NETPOL_PEER, q, e,
					           "must be a strict subset of `cidr`");
			}
		}
	}
}

static void check_np_ports(nv_ctx *c, const gr_value *ports, const char *base)
{
	static const char *const protos[] = {"TCP", "UDP", "SCTP", NULL};
	EACH(ports, i)
	{
		const gr_value *pt = &ports->u.a.items[i];
		char p[300];
		const gr_value *pr = gr_get(pt, "protocol"), *port = gr_get(pt, "port"),
		               *ep = gr_get(pt, "endPort");
		if (pr && pr->type == GR_STRING && !nv_in(pr->u.s.ptr, protos)) {
			snprintf(p, sizeof p, "%s[%zu].protocol", base, i);
			nv_not_supported(c, NV_NETPOL_PORT, p, pr, protos);
		}
		int64_t n = 0, e = 0;
		bool num = nv_int(port, &n);
		snprintf(p, sizeof p, "%s[%zu].port", base, i);
		if (num && (n < 1 || n > 65535))
			nv_invalid(c, NV_NETPOL_PORT, p, port, "must be between 1 and 65535, inclusive");
		else if (port && port->type == GR_STRING) {
			nv_msgs m = {0};
			nv_port_name(port->u.s.ptr, &m);
			for (int j = 0; j < m.n; j++)
				nv_invalid(c, NV_NETPOL_PORT, p, port, m.m[j]);
		}
		if (nv_int(ep, &e)) {
			snprintf(p, sizeof p, "%s[%zu].endPort", base, i);
			if (!port || port->type == GR_NULL)
				nv_invalid(c, NV_NETPOL_PORT, p, ep,
				           "may not be specified when `port` is not specified");
			else if (!num)
				nv_invalid(c, NV_NETPOL_PORT, p, ep,
				           "may not be specified when `port` is non-numeric");
			else if (e < n)
				nv_invalid(c, NV_NETPOL_PORT, p, ep,
				           "must be greater than or equal to `port`");
		}
	}
}

static void check_netpol(nv_ctx *c)
{
	const gr_value *pt = gr_get_path(c->obj->root, "spec", "policyTypes", NULL);
	static const char *const types[] = {"Ingress", "Egress", NULL};
	EACH(pt, i)
	{
		const gr_value *t = &pt->u.a.items[i];
		if (t->type == GR_STRING && !nv_in(t->u.s.ptr, types)) {
			char p[64];
			snprintf(p, sizeof p, "spec.policyTypes[%zu]", i);
			nv_not_supported(c, NV_NETPOL_POLICY_TYPES, p, t, types);
		}
	}
	const gr_value *spec = gr_get(c->obj->root, "spec");
	const gr_value *ps = gr_get(spec, "podSelector");
	if (ps && ps->type == GR_OBJECT)
		nv_check_selector(c, ps, "spec.podSelector");
	static const char *const dirs[] = {"ingress", "egress", NULL};
	static const char *const peer[] = {"from", "to", NULL};
	for (int d = 0; dirs[d]; d++) {
		const gr_value *rs = gr_get(spec, dirs[d]);
		EACH(rs, i)
		{
			char p[128];
			snprintf(p, sizeof p, "spec.%s[%zu].ports", dirs[d], i);
			check_np_ports(c, gr_get(&rs->u.a.items[i], "ports"), p);
			snprintf(p, sizeof p, "spec.%s[%zu].%s", dirs[d], i, peer[d]);
			check_peers(c, gr_get(&rs->u.a.items[i], peer[d]), p);
		}
	}
	if (ARR(pt) && pt->u.a.len > 2)
		nv_invalid(c, NV_NETPOL_POLICY_TYPES, "spec.policyTypes", pt,
		           "may not specify more than two policyTypes");
}

void nv_check_networking(nv_ctx *c)
{
	if (strcmp(c->obj->group, "networking.k8s.io") != 0)
		return;
	if (strcmp(c->obj->kind, "Ingress") == 0)
		check_ingress(c);
	else if (strcmp(c->obj->kind, "NetworkPolicy") == 0)
		check_netpol(c);
}
