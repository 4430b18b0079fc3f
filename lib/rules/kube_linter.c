/*
 * kube_linter.c — the kube-linter profile: one row per kube-linter
 * built-in check (kube-linter.<check>), with kube-linter's own conditions
 * and diagnostic messages (word for word: teams grep CI logs for them).
 * Every kube-linter report is an error. Reports come per object in input
 * order, then in emission order, as kube-linter prints them.
 *
 * "DeploymentLike" objects are every object with a pod template (OpenShift
 * DeploymentConfigs included: run.c locates their template).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "guardrail/buf.h"
#include "rules_int.h"

#define KL(id, on, summary, fix, fn, param)                                                                  \
	{                                                                                                    \
		{"kube-linter." id,                                                                          \
		 "kube-linter",                                                                              \
		 GR_SEV_ERROR,                                                                               \
		 GR_ACTION_ENFORCE,                                                                          \
		 on,                                                                                         \
		 summary,                                                                                    \
		 fix,                                                                                        \
		 "kube-linter:" id,                                                                          \
		 "docs/migrating.md#kube-linter"},                                                           \
		        fn, param, NULL                                                                      \
	}

static bool deployment_like(const gr_object *o)
{
	return o->pod_spec && !rl_kind(o, "PodTemplate");
}

/* Go's fmt of a map[string]string: map[k1:v1 k2:v2], keys sorted. */
static int cmp_member(const void *a, const void *b)
{
	return strcmp((*(const gr_member *const *)a)->key, (*(const gr_member *const *)b)->key);
}

static void sorted_members(const gr_value *m, const gr_member **out, size_t *n)
{
	*n = 0;
	for (size_t i = 0; m && m->type == GR_OBJECT && i < m->u.o.len && *n < 64; i++)
		out[(*n)++] = &m->u.o.members[i];
	qsort(out, *n, sizeof *out, cmp_member);
}

static void go_map(char *buf, size_t cap, const gr_value *m)
{
	const gr_member *ms[64];
	size_t n;
	sorted_members(m, ms, &n);
	size_t len = (size_t)snprintf(buf, cap, "map[");
	for (size_t i = 0; i < n && len < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%s:%s", i ? " " : "", ms[i]->key,
		                        rl_str(&ms[i]->value) ? ms[i]->value.u.s.ptr : "");
	if (len < cap)
		snprintf(buf + len, cap - len, "]");
}

/* labels.Selector String(): k=v,k2=v2 (sorted) */
static void selector_string(char *buf, size_t cap, const gr_value *ml)
{
	const gr_member *ms[64];
	size_t n;
	sorted_members(ml, ms, &n);
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && len < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%s=%s", i ? "," : "", ms[i]->key,
		                        rl_str(&ms[i]->value) ? ms[i]->value.u.s.ptr : "");
}

/* kube-linter's regexp.MatchString (Go's syntax, lib/regex); NULL s: false. */
static bool kl_re(rl_ctx *c, const char *pattern, const char *s)
{
	return s && rl_re_match(c, pattern, strlen(pattern), s);
}

bool rl_first_obj(void *user, const gr_object *o);

/* ---- pod-level ---- */

enum {
	P_IPC,
	P_NET,
	P_PID,
	P_NODEAFF,
	P_ISOLATED,
	P_PRIO,
	P_RESTART,
	P_DEFSA,
	P_DEPSA,
	P_NOSA,
	P_SYSCTL,
	P_DNS
};

static void pod_rule(rl_ctx *c)
{
	if (!deployment_like(c->obj))
		return;
	rl_judged(c);
	const gr_value *ps = c->obj->pod_spec;
	switch (c->rule->param) {
	case P_IPC:
		if (rl_true(gr_get(ps, "hostIPC")))
			rl_emit(c, rl_spath(c, ".hostIPC"), ps,
			        "resource shares host's IPC namespace (via hostIPC=true).");
		break;
	case P_NET:
		if (rl_true(gr_get(ps, "hostNetwork")))
			rl_emit(c, rl_spath(c, ".hostNetwork"), ps,
			        "resource shares host's network namespace (via hostNetwork=true).");
		break;
	case P_PID:
		if (rl_true(gr_get(ps, "hostPID")))
			rl_emit(c, rl_spath(c, ".hostPID"), ps,
			        "object shares the host's process namespace (via hostPID=true).");
		break;
	case P_NODEAFF:
		if (!gr_get_path(ps, "affinity", "nodeAffinity", NULL))
			rl_emit(c, rl_spath(c, ".affinity"), ps,
			        "object does not define any node affinity rules.");
		break;
	case P_ISOLATED: {
		const gr_object *np = NULL;
		rl_each_selecting(rl_use_set(c), "NetworkPolicy", c->obj->namespace_, rl_pod_labels(c->obj),
		                  true, rl_first_obj, &np);
		if (np)
			return;
		rl_emit(c, NULL, NULL, "pods created by this object are non-isolated");
		break;
	}
	case P_PRIO: {
		const char *p = gr_get_str(ps, "priorityClassName");
		if (p && *p && strcmp(p, "system-cluster-critical") && strcmp(p, "system-node-critical"))
			rl_emit(c, rl_spath(c, ".priorityClassName"), ps,
			        "object has a priority class name defined with '%s' but the only accepted "
			        "priority class names "
			        "are '[system-cluster-critical system-node-critical]'",
			        p);
		break;
	}
	case P_RESTART: {
		const char *p = gr_get_str(ps, "restartPolicy");
		if (!rl_is(p, "Always") && !rl_is(p, "OnFailure"))
			rl_emit(c, rl_spath(c, ".restartPolicy"), ps,
			        "object has a restart policy defined with '%s' but the only accepted restart "
			        "policies are "
			        "'[Always OnFailure]'",
			        p ? p : "");
		break;
	}
	case P_DEFSA: {
		if (rl_false(gr_get(ps, "automountServiceAccountToken")))
			return;
		const char *sa = gr_get_str(ps, "serviceAccountName");
		if (!sa || !*sa)
			sa = gr_get_str(ps, "serviceAccount");
		if (!sa || !*sa || !strcmp(sa, "default"))
			rl_emit(c, rl_spath(c, ".serviceAccountName"), ps,
			        "found matching serviceAccount (\"%s\")", sa ? sa : "");
		break;
	}
	case P_DEPSA: {
		const char *sa = gr_get_str(ps, "serviceAccount"),
		           *san = gr_get_str(ps, "serviceAccountName");
		if (sa && *sa && (!san || !*san))
			rl_emit(c, rl_spath(c, ".serviceAccount"), ps,
			        "serviceAccount is specified (%s), but this field is deprecated; use "
			        "serviceAccountName instead",
			        sa);
		else if (sa && *sa && strcmp(sa, san))
			rl_emit(c, rl_spath(c, ".serviceAccount"), ps,
			        "serviceAccount (%s) and serviceAccountName (%s) are both specified with "
			        "non-matching values. "
			        "serviceAccount is a deprecated alias for serviceAccountName; use "
			        "serviceAccountName instead",
			        sa, san);
		break;
	}
	case P_NOSA: {
		const char *sa = gr_get_str(ps, "serviceAccountName");
		if (!sa || !*sa)
			sa = gr_get_str(ps, "serviceAccount");
		if (sa && *sa && strcmp(sa, "default") &&
		    !rl_find(rl_use_set(c), "ServiceAccount", c->obj->namespace_, sa))
			rl_emit(c, rl_spath(c, ".serviceAccountName"), ps, "serviceAccount \"%s\" not found",
			        sa);
		break;
	}
	case P_SYSCTL: {
		const gr_value *s = gr_get_path(ps, "securityContext", "sysctls", NULL);
		static const char *const bad[] = {"kernel.msg", "kernel.sem", "kernel.shm",
		                                  "fs.mqueue.", "net.",       NULL};
		for (size_t i = 0; s && s->type == GR_ARRAY && i < s->u.a.len; i++) {
			const char *n = gr_get_str(&s->u.a.items[i], "name");
			for (int j = 0; n && bad[j]; j++)
				if (!strncmp(n, bad[j], strlen(bad[j]))) {
					rl_emit(c, rl_spath(c, ".securityContext.sysctls"), s,
					        "resource specifies unsafe sysctl \"%s\".", n);
					break;
				}
		}
		break;
	}
	default: {
		const gr_value *dc = gr_get(ps, "dnsConfig");
		const gr_value *opts = gr_get(dc, "options");
		if (!dc)
			rl_emit(c, rl_spath(c, ".dnsConfig"), ps,
			        "Object does not define any DNSConfig rules.");
		else if (!opts)
			rl_emit(c, rl_spath(c, ".dnsConfig"), ps,
			        "Object does not define any DNSConfig Options.");
		else {
			for (size_t i = 0; opts->type == GR_ARRAY && i < opts->u.a.len; i++)
				if (rl_is(gr_get_str(&opts->u.a.items[i], "name"), "ndots") &&
				    rl_is(gr_get_str(&opts->u.a.items[i], "value"), "2"))
					return;
			rl_emit(c, rl_spath(c, ".dnsConfig"), ps, "DNSConfig Options \"ndots:2\" not found.");
		}
	}
	}
}

/* ---- per container ---- */

enum {
	C_PRIV,
	C_ESC,
	C_RO,
	C_NONROOT,
	C_PROC,
	C_CPU,
	C_MEM,
	C_LATEST,
	C_ENVSECRET,
	C_READSECRET,
	C_DUPENV,
	C_SSH,
	C_PRIVPORT,
	C_LIVE,
	C_READY,
	C_NETRAW,
	C_PORTNAMES
};

static bool quantity_zero(const gr_value *v)
{
	double d;
	return !rl_set_(v) || (rl_quantity(v, &d) && d == 0);
}

static void ctr_rule(rl_ctx *c)
{
	if (!deployment_like(c->obj))
		return;
	rl_judged(c);
	const gr_value *psc = gr_get(c->obj->pod_spec, "securityContext");
	int mask = RL_ALL;
	if (c->rule->param == C_LIVE || c->rule->param == C_READY)
		mask = RL_REG;
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, mask, &k)) {
		const char *n = k.name;
		switch (c->rule->param) {
		case C_PRIV:
			if (rl_true(gr_get(k.sc, "privileged")))
				rl_emit(c, rl_cpath(c, &k, ".securityContext.privileged"), k.node,
				        "container \"%s\" is privileged", n);
			break;
		case C_ESC:
			if (!k.sc)
				break;
			if (rl_true(gr_get(k.sc, "allowPrivilegeEscalation")))
				rl_emit(c, rl_cpath(c, &k, ".securityContext"), k.node,
				        "container \"%s\" has AllowPrivilegeEscalation set to true.", n);
			if (rl_true(gr_get(k.sc, "privileged")))
				rl_emit(c, rl_cpath(c, &k, ".securityContext"), k.node,
				        "container \"%s\" is Privileged hence allows privilege escalation.",
				        n);
			if (rl_has_str(gr_get_path(k.sc, "capabilities", "add", NULL), "SYS_ADMIN", false))
				rl_emit(c, rl_cpath(c, &k, ".securityContext"), k.node,
				        "container \"%s\" has SYS_ADMIN capability hence allows privilege "
				        "escalation.",
				        n);
			break;
		case C_RO:
			if (!rl_true(gr_get(k.sc, "readOnlyRootFilesystem")))
				rl_emit(c, rl_cpath(c, &k, ".securityContext"), k.node,
				        "container \"%s\" does not have a read-only root file system", n);
			break;
		case C_NONROOT: {
			const gr_value *g = gr_get(k.sc, "runAsGroup"), *u = gr_get(k.sc, "runAsUser"),
			               *nr = gr_get(k.sc, "runAsNonRoot");
			if (!g)
				g = gr_get(psc, "runAsGroup");
			if (!u)
				u = gr_get(psc, "runAsUser");
			if (!nr)
				nr = gr_get(psc, "runAsNonRoot");
			int64_t x;
			if (rl_int(g, &x) && x == 0) {
				rl_emit(c, rl_cpath(c, &k, ".securityContext"), k.node,
				        "container \"%s\" is set to runAsGroup 0", n);
				break;
			}
			if (rl_int(u, &x) && x > 0)
				break;
			if (rl_true(nr)) {
				if (rl_int(u, &x) && x == 0)
					rl_emit(c, rl_cpath(c, &k, ".securityContext"), k.node,
					        "container \"%s\" is set to runAsNonRoot, but runAsUser set "
					        "to %lld",
					        n, (long long)x);
				break;
			}
			rl_emit(c, rl_cpath(c, &k, ".securityContext"), k.node,
			        "container \"%s\" is not set to runAsNonRoot", n);
			break;
		}
		case C_PROC:
			if (rl_streq_ci(gr_get_str(k.sc, "procMount"), "Unmasked"))
				rl_emit(c, rl_cpath(c, &k, ".securityContext.procMount"), k.node,
				        "container \"%s\" exposes /proc unsafely (via procMount=Unmasked).",
				        n);
			break;
		case C_CPU:
			if (quantity_zero(gr_get_path(k.node, "resources", "requests", "cpu", NULL)))
				rl_emit(c, rl_cpath(c, &k, ".resources.requests.cpu"), k.node,
				        "container \"%s\" has cpu request 0", n);
			break;
		case C_MEM:
			if (quantity_zero(gr_get_path(k.node, "resources", "limits", "memory", NULL)))
				rl_emit(c, rl_cpath(c, &k, ".resources.limits.memory"), k.node,
				        "container \"%s\" has memory limit 0", n);
			break;
		case C_LATEST: {
			const char *img = gr_get_str(k.node, "image");
			if (img && (kl_re(c, ".*:(latest)$", img) || kl_re(c, "^[^:]*$", img) ||
			            kl_re(c, "(.*/[^:]+)$", img)))
				rl_emit(c, rl_cpath(c, &k, ".image"), k.node,
				        "The container \"%s\" is using an invalid container image, \"%s\". "
				        "Please use images that "
				        "are not blocked by the `BlockList` criteria : [\".*:(latest)$\" "
				        "\"^[^:]*$\" \"(.*/[^:]+)$\"]",
				        n, img);
			break;
		}
		case C_ENVSECRET:
		case C_READSECRET:
		case C_DUPENV: {
			const gr_value *env = gr_get(k.node, "env");
			for (size_t i = 0; env && env->type == GR_ARRAY && i < env->u.a.len; i++) {
				const gr_value *e = &env->u.a.items[i];
				const char *en = gr_get_str(e, "name");
				const char *ev = gr_get_str(e, "value");
				if (c->rule->param == C_ENVSECRET && en && strcasestr(en, "secret") && ev &&
				    *ev)
					rl_emit(c, rl_cpath(c, &k, ".env"), e,
					        "environment variable %s in container \"%s\" found", en, n);
				if (c->rule->param == C_READSECRET &&
				    gr_get_path(e, "valueFrom", "secretKeyRef", NULL))
					rl_emit(c, rl_cpath(c, &k, ".env"), e,
					        "environment variable \"%s\" in container \"%s\" uses "
					        "SecretKeyRef",
					        en ? en : "", n);
				if (c->rule->param == C_DUPENV && en) {
					int seen = 0;
					for (size_t j = 0; j < i; j++)
						seen += rl_is(gr_get_str(&env->u.a.items[j], "name"), en);
					if (seen == 1)
						rl_emit(c, rl_cpath(c, &k, ".env"), e,
						        "Duplicate environment variable %s in container "
						        "\"%s\" found",
						        en, n);
				}
			}
			break;
		}
		case C_SSH:
		case C_PRIVPORT:
		case C_PORTNAMES: {
			const gr_value *ports = gr_get(k.node, "ports");
			for (size_t i = 0; ports && ports->type == GR_ARRAY && i < ports->u.a.len; i++) {
				const gr_value *p = &ports->u.a.items[i];
				int64_t cp = 0;
				rl_int(gr_get(p, "containerPort"), &cp);
				const char *proto = gr_get_str(p, "protocol");
				if (!proto || !*proto)
					proto = "TCP";
				if (c->rule->param == C_SSH && cp == 22 && kl_re(c, "^(TCP)$", proto))
					rl_emit(c, rl_cpath(c, &k, ".ports"), p,
					        "port %lld and protocol %s in container \"%s\" found",
					        (long long)cp, proto, n);
				if (c->rule->param == C_PRIVPORT && cp > 0 && cp < 1024)
					rl_emit(c, rl_cpath(c, &k, ".ports"), p,
					        "port %lld is mapped in container \"%s\".", (long long)cp, n);
				const char *pn = gr_get_str(p, "name");
				if (c->rule->param == C_PORTNAMES && pn && *pn) {
					extern const char *rl_iana_name_problem(const char *s);
					const char *why = rl_iana_name_problem(pn);
					if (why)
						rl_emit(c, rl_cpath(c, &k, ".ports"), p,
						        "port name \"%s\" in container \"%s\" %s", pn, n,
						        why);
				}
			}
			break;
		}
		case C_LIVE:
		case C_READY:
			if (!gr_get(k.node, c->rule->param == C_LIVE ? "livenessProbe" : "readinessProbe"))
				rl_emit(c, rl_cpath(c, &k, ""), k.node,
				        "container \"%s\" does not specify a %s probe", n,
				        c->rule->param == C_LIVE ? "liveness" : "readiness");
			break;
		default: { /* drop-net-raw-capability */
			const gr_value *caps = gr_get(k.sc, "capabilities");
			if (!caps)
				break;
			const gr_value *add = gr_get(caps, "add"), *drop = gr_get(caps, "drop");
			for (size_t i = 0; add && add->type == GR_ARRAY && i < add->u.a.len; i++) {
				const char *cap = rl_str(&add->u.a.items[i]);
				if (cap && (kl_re(c, "NET_RAW", cap) || strcasecmp(cap, "ALL") == 0))
					rl_emit(c, rl_cpath(c, &k, ".securityContext.capabilities.add"), add,
					        "container \"%s\" has ADD capability: \"%s\", which matched "
					        "with the forbidden "
					        "capability for containers",
					        n, cap);
			}
			if (!rl_has_str(drop, "NET_RAW", false) && !rl_has_str(drop, "ALL", true)) {
				char list[512] = "[";
				size_t len = 1;
				for (size_t i = 0;
				     drop && drop->type == GR_ARRAY && i < drop->u.a.len && len < sizeof list;
				     i++)
					len += (size_t)snprintf(
					        list + len, sizeof list - len, "%s\"%s\"", i ? " " : "",
					        rl_str(&drop->u.a.items[i]) ? drop->u.a.items[i].u.s.ptr
					                                    : "");
				if (len < sizeof list)
					snprintf(list + len, sizeof list - len, "]");
				rl_emit(c, rl_cpath(c, &k, ".securityContext.capabilities.drop"), k.node,
				        "container \"%s\" has DROP capabilities: %s, but does not drop "
				        "capability \"NET_RAW\" which "
				        "is required",
				        n, list);
			}
		}
		}
	}
}

/* IANA_SVC_NAME problems, in kube-linter's (apimachinery's) wording. */
const char *rl_iana_name_problem(const char *s);
const char *rl_iana_name_problem(const char *s)
{
	size_t n = strlen(s);
	if (n > 15)
		return "must be no more than 15 characters";
	bool letter = false;
	for (size_t i = 0; i < n; i++) {
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-'))
			return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)";
		letter |= islower((unsigned char)s[i]) != 0;
	}
	if (strstr(s, "--"))
		return "must not contain consecutive hyphens";
	if (!letter)
		return "must contain at least one letter (a-z)";
	if (s[0] == '-' || s[n - 1] == '-')
		return "must not begin or end with a hyphen";
	return NULL;
}

/* ---- probe ports ---- */

static void probe_port(rl_ctx *c)
{
	if (!deployment_like(c->obj))
		return;
	rl_judged(c);
	static const char *const probes[] = {"livenessProbe", "readinessProbe", "startupProbe"};
	const char *probe = probes[c->rule->param];
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG, &k)) {
		const gr_value *p = gr_get(k.node, probe);
		if (!p)
			continue;
		const gr_value *ports = gr_get(k.node, "ports");
		static const char *const h[] = {"httpGet", "tcpSocket", "grpc"};
		static const char *const hn[] = {"HTTPGet", "TCPSocket", "GRPC check"};
		for (int i = 0; i < 3; i++) {
			const gr_value *port = gr_get_path(p, h[i], "port", NULL);
			if (!port)
				continue;
			bool found = false;
			int64_t num;
			bool isnum = rl_int(port, &num);
			for (size_t j = 0; ports && ports->type == GR_ARRAY && j < ports->u.a.len && !found;
			     j++) {
				const gr_value *cp = &ports->u.a.items[j];
				const char *proto = gr_get_str(cp, "protocol");
				if (proto && *proto && strcmp(proto, "TCP"))
					continue;
				int64_t x;
				found = isnum ? (rl_int(gr_get(cp, "containerPort"), &x) && x == num)
				              : rl_is(gr_get_str(cp, "name"), rl_str(port));
			}
			if (found)
				continue;
			if (isnum)
				rl_emit(c, rl_cpath(c, &k, ""), port,
				        "container \"%s\" does not expose port %lld for the %s", k.name,
				        (long long)num, hn[i]);
			else
				rl_emit(c, rl_cpath(c, &k, ""), port,
				        "container \"%s\" does not expose port %s for the %s", k.name,
				        rl_str(port) ? port->u.s.ptr : "", hn[i]);
		}
	}
}

/* ---- host mounts ---- */

static void host_mounts(rl_ctx *c)
{
	if (!deployment_like(c->obj))
		return;
	rl_judged(c);
	const gr_value *vols = gr_get(c->obj->pod_spec, "volumes");
	int p = c->rule->param; /* 0 docker-sock, 1 sensitive, 2 writable */
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_ALL, &k)) {
		const gr_value *vm = gr_get(k.node, "volumeMounts");
		for (size_t m = 0; vm && vm->type == GR_ARRAY && m < vm->u.a.len; m++) {
			const gr_value *mt = &vm->u.a.items[m];
			const char *vn = gr_get_str(mt, "name");
			for (size_t v = 0; vn && vols && vols->type == GR_ARRAY && v < vols->u.a.len; v++) {
				const gr_value *vol = &vols->u.a.items[v];
				const char *path = gr_get_str(gr_get(vol, "hostPath"), "path");
				if (!path || !rl_is(gr_get_str(vol, "name"), vn))
					continue;
				bool hit;
				if (p == 0)
					hit = kl_re(c, "docker.sock$", path);
				else if (p == 1)
					hit = kl_re(c,
					            "^/$|^/boot$|^/dev$|^/etc$|^/lib$|^/proc$|^/sys$|^/usr$",
					            path);
				else
					hit = !rl_true(gr_get(mt, "readOnly"));
				if (!hit)
					continue;
				if (p == 2)
					rl_emit(c, rl_cpath(c, &k, ".volumeMounts"), mt,
					        "container %s mounts path %s on the host as writable", k.name,
					        path);
				else
					rl_emit(c, rl_cpath(c, &k, ".volumeMounts"), mt,
					        "host system directory \"%s\" is mounted on container \"%s\"",
					        path, k.name);
			}
		}
	}
}

/* ---- env-value-from ---- */

static void env_value_from(rl_ctx *c)
{
	if (!deployment_like(c->obj))
		return;
	rl_judged(c);
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_ALL, &k)) {
		const gr_value *env = gr_get(k.node, "env");
		for (size_t i = 0; env && env->type == GR_ARRAY && i < env->u.a.len; i++) {
			for (int t = 0; t < 2; t++) {
				const gr_value *r = gr_get_path(&env->u.a.items[i], "valueFrom",
				                                t ? "configMapKeyRef" : "secretKeyRef", NULL);
				if (!r || rl_true(gr_get(r, "optional")))
					continue;
				const char *name = gr_get_str(r, "name"), *key = gr_get_str(r, "key");
				const char *kind = t ? "ConfigMap" : "Secret",
				           *word = t ? "config map" : "secret";
				const gr_object *o = NULL;
				uint64_t h = rl_hash(kind, NULL, NULL); /* by name only, any namespace */
				for (uint32_t e = rl_map_first(&rl_use_set(c)->by_kind, h); e && !o;
				     e = rl_map_next(&rl_use_set(c)->by_kind, e, h)) {
					const gr_object *x =
					        &rl_use_set(c)->objs[rl_map_obj(&rl_use_set(c)->by_kind, e)];
					if (rl_kind(x, kind) && rl_is(x->name, name))
						o = x;
				}
				if (!o) {
					rl_emit(c, rl_cpath(c, &k, ".env"), r,
					        "The container \"%s\" is referring to an unknown %s \"%s\"",
					        k.name, word, name ? name : "");
					continue;
				}
				bool has = key &&
				           (gr_get(gr_get(o->root, "data"), key) ||
				            gr_get(gr_get(o->root, t ? "binaryData" : "stringData"), key));
				if (!has)
					rl_emit(c, rl_cpath(c, &k, ".env"), r,
					        "The container \"%s\" is referring to an unknown key \"%s\" "
					        "in %s \"%s\"",
					        k.name, key ? key : "", word, name ? name : "");
			}
		}
	}
}

/* ---- workload-level ---- */

static int64_t replicas(const gr_object *o)
{
	int64_t r = 1;
	rl_int(gr_get_path(o->root, "spec", "replicas", NULL), &r);
	return r;
}

static bool has_replicas_field(const gr_object *o)
{
	return rl_kind(o, "Deployment") || rl_kind(o, "StatefulSet") || rl_kind(o, "ReplicaSet") ||
	       rl_kind(o, "ReplicationController") || rl_kind(o, "DeploymentConfig");
}

static void workload(rl_ctx *c)
{
	if (!deployment_like(c->obj))
		return;
	rl_judged(c);
	const gr_value *spec = gr_get(c->obj->root, "spec");
	switch (c->rule->param) {
	case 0: { /* mismatching-selector */
		const gr_value *sel = gr_get(spec, "selector");
		bool is_map = rl_kind(c->obj, "ReplicationController") || rl_kind(c->obj, "DeploymentConfig");
		if (rl_kind(c->obj, "Pod") || rl_kind(c->obj, "CronJob") || (rl_kind(c->obj, "Job") && !sel))
			return;
		if (!sel || (sel->type == GR_OBJECT && sel->u.o.len == 0)) {
			rl_emit(c, "spec.selector", spec, "object has no selector specified");
			return;
		}
		const gr_value *labels = rl_pod_labels(c->obj);
		bool ok =
		        is_map ? rl_map_selects(sel, labels, false) : rl_selector_selects(sel, labels, false);
		if (ok)
			return;
		char lb[512], sb[1024];
		go_map(lb, sizeof lb, labels);
		{ /* kube-linter converts map selectors to a LabelSelector before printing */
			const gr_member *ms[64];
			size_t n;
			sorted_members(is_map ? sel : gr_get(sel, "matchLabels"), ms, &n);
			size_t len = (size_t)snprintf(sb, sizeof sb,
			                              "&LabelSelector{MatchLabels:map[string]string{");
			for (size_t i = 0; i < n && len < sizeof sb; i++)
				len += (size_t)snprintf(sb + len, sizeof sb - len, "%s: %s,", ms[i]->key,
				                        rl_str(&ms[i]->value) ? ms[i]->value.u.s.ptr : "");
			if (len < sizeof sb)
				snprintf(sb + len, sizeof sb - len,
				         "},MatchExpressions:[]LabelSelectorRequirement{},}");
		}
		rl_emit(c, "spec.selector", sel,
		        "labels in pod spec (%s) do not match labels in selector (%s)", lb, sb);
		break;
	}
	case 1: { /* no-rolling-update-strategy */
		const char *field =
		        rl_kind(c->obj, "Deployment") || rl_kind(c->obj, "DeploymentConfig") ? "strategy"
		        : rl_kind(c->obj, "StatefulSet") || rl_kind(c->obj, "DaemonSet") ? "updateStrategy"
		                                                                         : NULL;
		if (!field)
			return;
		const char *t = gr_get_str(gr_get(spec, field), "type");
		if (!t || !*t)
			t = rl_kind(c->obj, "DeploymentConfig") ? "Rolling" : "RollingUpdate";
		if (!kl_re(c, "^(RollingUpdate|Rolling)$", t))
			rl_emit(c, "spec", spec,
			        "object has %s strategy type but must match regex ^(RollingUpdate|Rolling)$",
			        t);
		break;
	}
	case 2: /* minimum-three-replicas */
		if (has_replicas_field(c->obj) && replicas(c->obj) < 3)
			rl_emit(c, "spec.replicas", spec,
			        "object has %lld replica%s but minimum required replicas is 3",
			        (long long)replicas(c->obj), replicas(c->obj) == 1 ? "" : "s");
		break;
	case 3: { /* required-label-owner */
		const gr_value *l = rl_labels(c->obj);
		for (size_t i = 0; l && l->type == GR_OBJECT && i < l->u.o.len; i++)
			if (strstr(l->u.o.members[i].key, "owner"))
				return;
		rl_emit(c, "metadata.labels", c->obj->root, "no label matching \"owner=<any>\" found");
		break;
	}
	case 4: { /* required-annotation-email */
		const gr_value *a = rl_annotations(c->obj);
		for (size_t i = 0; a && a->type == GR_OBJECT && i < a->u.o.len; i++)
			if (strstr(a->u.o.members[i].key, "email") &&
			    kl_re(c,
			          "[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\\.[a-zA-Z0-9-.]+", /* kube-linter's own */
			          rl_str(&a->u.o.members[i].value)))
				return;
		rl_emit(c, "metadata.annotations", c->obj->root,
		        "no annotation matching \"email=[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\\.[a-zA-Z0-9-.]+\" "
		        "found");
		break;
	}
	default: /* use-namespace */
		if (!c->obj->namespace_[0] || !strcasecmp(c->obj->namespace_, "default"))
			rl_emit(c, "metadata.namespace", c->obj->root, "object in default namespace");
	}
}

static void no_anti_affinity(rl_ctx *c)
{
	if (!deployment_like(c->obj) || !has_replicas_field(c->obj) || replicas(c->obj) < 2)
		return;
	rl_judged(c);
	const gr_value *pa = gr_get_path(c->obj->pod_spec, "affinity", "podAntiAffinity", NULL);
	if (!pa) {
		rl_emit(c, NULL, NULL,
		        "object has %lld replicas but does not specify inter pod anti-affinity",
		        (long long)replicas(c->obj));
		return;
	}
	const gr_value *pref = gr_get(pa, "preferredDuringSchedulingIgnoredDuringExecution");
	const gr_value *req = gr_get(pa, "requiredDuringSchedulingIgnoredDuringExecution");
	if (!(pref && pref->type == GR_ARRAY && pref->u.a.len) &&
	    !(req && req->type == GR_ARRAY && req->u.a.len)) {
		rl_emit(c, NULL, NULL,
		        "object has %lld replicas but does not specify preferred or required inter pod "
		        "anti-affinity during "
		        "scheduling",
		        (long long)replicas(c->obj));
		return;
	}
	for (int w = 0; w < 2; w++) {
		const gr_value *arr = w ? req : pref;
		for (size_t i = 0; arr && arr->type == GR_ARRAY && i < arr->u.a.len; i++) {
			const gr_value *t =
			        w ? &arr->u.a.items[i] : gr_get(&arr->u.a.items[i], "podAffinityTerm");
			if (!rl_is(gr_get_str(t, "topologyKey"), "kubernetes.io/hostname"))
				rl_emit(c, NULL, t,
				        "anti-affinity's topology key does not match "
				        "\"kubernetes.io/hostname\"");
			else if (!rl_selector_selects(gr_get(t, "labelSelector"), rl_pod_labels(c->obj),
			                              false))
				rl_emit(c, NULL, t, "pod's labels do not match with anti-affinity's labels");
		}
	}
}

/* ---- jobs ---- */

static void job_ttl(rl_ctx *c)
{
	if (!rl_is(c->obj->api_version, "batch/v1"))
		return;
	if (rl_kind(c->obj, "Job")) {
		rl_judged(c);
		if (!gr_get_path(c->obj->root, "spec", "ttlSecondsAfterFinished", NULL))
			rl_emit(c, "spec", c->obj->root,
			        "Standalone Job does not specify ttlSecondsAfterFinished");
	} else if (rl_kind(c->obj, "CronJob")) {
		rl_judged(c);
		if (gr_get_path(c->obj->root, "spec", "jobTemplate", "spec", "ttlSecondsAfterFinished", NULL))
			rl_emit(c, "spec.jobTemplate.spec.ttlSecondsAfterFinished", c->obj->root,
			        "Managed Job specifies ttlSecondsAfterFinished which might conflict with "
			        "successfulJobsHistoryLimit "
			        "and failedJobsHistoryLimit from CronJob that have default values. Final "
			        "behaviour is determined by "
			        "the strictest parameter, and therefore, setting ttlSecondsAfterFinished at "
			        "the job level can result "
			        "with unexpected behaviour with regard to finished jobs removal");
	}
}

/* ---- services, ingress, policies ---- */

typedef struct port_q {
	const char *name;
	bool found;
} port_q;

static void service_rule(rl_ctx *c)
{
	if (!rl_kind(c->obj, "Service") || c->obj->group[0])
		return;
	rl_judged(c);
	const gr_value *spec = gr_get(c->obj->root, "spec");
	switch (c->rule->param) {
	case 0: { /* dangling-service */
		if (rl_is(gr_get_str(spec, "type"), "ExternalName"))
			return;
		const gr_value *sel = gr_get(spec, "selector");
		if (!sel || sel->type != GR_OBJECT || sel->u.o.len == 0) {
			rl_emit(c, "spec.selector", spec, "service has no selector specified");
			return;
		}
		const gr_object *hit = NULL;
		extern bool rl_first_obj(void *user, const gr_object *o);
		rl_each_selected(rl_use_set(c), c->obj->namespace_, sel, true, false, rl_first_obj, &hit);
		if (!hit) {
			char m[512];
			go_map(m, sizeof m, sel);
			rl_emit(c, "spec.selector", sel, "no pods found matching service labels (%s)", m);
		}
		break;
	}
	case 1: { /* exposed-services */
		const char *t = gr_get_str(spec, "type");
		if (t && (!strcasecmp(t, "NodePort") || !strcasecmp(t, "LoadBalancer")))
			rl_emit(c, "spec.type", spec, "\"%s\" service type is forbidden.", t);
		break;
	}
	default: { /* invalid-target-ports (Service part) */
		const gr_value *ports = gr_get(spec, "ports");
		for (size_t i = 0; ports && ports->type == GR_ARRAY && i < ports->u.a.len; i++) {
			const gr_value *tp = gr_get(&ports->u.a.items[i], "targetPort");
			int64_t x;
			if (rl_str(tp)) {
				const char *why = rl_iana_name_problem(tp->u.s.ptr);
				if (why)
					rl_emit(c, "spec.ports", tp,
					        "port targetPort \"%s\" in service \"%s\" %s", tp->u.s.ptr,
					        c->obj->name, why);
			} else if (rl_int(tp, &x) && x != 0 && (x < 1 || x > 65535))
				rl_emit(c, "spec.ports", tp,
				        "port targetPort \"%lld\" in service \"%s\" must be between 1 and "
				        "65535, inclusive",
				        (long long)x, c->obj->name);
		}
	}
	}
}

bool rl_first_obj(void *user, const gr_object *o);
bool rl_first_obj(void *user, const gr_object *o)
{
	*(const gr_object **)user = o;
	return false;
}

static void invalid_target_ports(rl_ctx *c)
{
	if (rl_kind(c->obj, "Service"))
		service_rule(c);
	else {
		if (!deployment_like(c->obj))
			return;
		/* same row, container part */
		rl_judged(c);
		rl_ctr k;
		rl_ctr_begin(&k);
		while (rl_ctr_next(c->obj, RL_ALL, &k)) {
			const gr_value *ports = gr_get(k.node, "ports");
			for (size_t i = 0; ports && ports->type == GR_ARRAY && i < ports->u.a.len; i++) {
				const char *pn = gr_get_str(&ports->u.a.items[i], "name");
				const char *why = pn && *pn ? rl_iana_name_problem(pn) : NULL;
				if (why)
					rl_emit(c, rl_cpath(c, &k, ".ports"), &ports->u.a.items[i],
					        "port name \"%s\" in container \"%s\" %s", pn, k.name, why);
			}
		}
	}
}

static void dangling_hpa(rl_ctx *c)
{
	if (!rl_kind(c->obj, "HorizontalPodAutoscaler"))
		return;
	rl_judged(c);
	const gr_value *ref = gr_get_path(c->obj->root, "spec", "scaleTargetRef", NULL);
	const char *k = gr_get_str(ref, "kind"), *n = gr_get_str(ref, "name"),
	           *a = gr_get_str(ref, "apiVersion");
	for (size_t i = 0; i < rl_use_set(c)->n; i++) {
		const gr_object *o = &rl_use_set(c)->objs[i];
		if (o->pod_spec && rl_is(o->kind, k) && rl_is(o->name, n) && rl_is(o->api_version, a))
			return;
	}
	rl_emit(c, "spec.scaleTargetRef", ref ? ref : c->obj->root,
	        "no resources found matching HorizontalPodAutoscaler scaleTargetRef ({%s %s %s})", k ? k : "",
	        n ? n : "", a ? a : "");
}

static void hpa_three(rl_ctx *c)
{
	if (!rl_kind(c->obj, "HorizontalPodAutoscaler"))
		return;
	rl_judged(c);
	int64_t m = 1;
	rl_int(gr_get_path(c->obj->root, "spec", "minReplicas", NULL), &m);
	if (m < 3)
		rl_emit(c, "spec.minReplicas", c->obj->root,
		        "object has %lld replica%s but minimum required replicas is 3", (long long)m,
		        m == 1 ? "" : "s");
}

static void dangling_ingress(rl_ctx *c)
{
	if (!rl_kind(c->obj, "Ingress") || !rl_is(c->obj->api_version, "networking.k8s.io/v1"))
		return;
	rl_judged(c);
	const gr_value *spec = gr_get(c->obj->root, "spec");
	const gr_value *backs[128];
	size_t nb = 0;
	if (gr_get(spec, "defaultBackend"))
		backs[nb++] = gr_get(spec, "defaultBackend");
	const gr_value *rules = gr_get(spec, "rules");
	for (size_t i = 0; rules && rules->type == GR_ARRAY && i < rules->u.a.len; i++) {
		const gr_value *paths = gr_get_path(&rules->u.a.items[i], "http", "paths", NULL);
		for (size_t j = 0; paths && paths->type == GR_ARRAY && j < paths->u.a.len && nb < 128; j++)
			backs[nb++] = gr_get(&paths->u.a.items[j], "backend");
	}
	for (size_t b = 0; b < nb; b++) {
		const gr_value *svc = gr_get(backs[b], "service");
		const char *name = gr_get_str(svc, "name");
		if (!name)
			continue;
		const gr_value *port = gr_get(svc, "port");
		int64_t num = 0;
		bool isnum = rl_int(gr_get(port, "number"), &num);
		const char *pname = gr_get_str(port, "name");
		const gr_object *s = rl_find(rl_use_set(c), "Service", c->obj->namespace_, name);
		bool ok = false;
		const gr_value *ports = s ? gr_get_path(s->root, "spec", "ports", NULL) : NULL;
		for (size_t i = 0; ports && ports->type == GR_ARRAY && i < ports->u.a.len && !ok; i++) {
			int64_t p;
			ok = (isnum && rl_int(gr_get(&ports->u.a.items[i], "port"), &p) && p == num) ||
			     (pname && rl_is(gr_get_str(&ports->u.a.items[i], "name"), pname));
		}
		if (!ok) {
			if (isnum)
				rl_emit(c, "spec", backs[b],
				        "no service found matching ingress label (%s), port %lld", name,
				        (long long)num);
			else
				rl_emit(c, "spec", backs[b],
				        "no service found matching ingress label (%s), port %s", name,
				        pname ? pname : "");
		}
	}
}

static void netpol(rl_ctx *c)
{
	if (!rl_kind(c->obj, "NetworkPolicy"))
		return;
	rl_judged(c);
	const gr_value *spec = gr_get(c->obj->root, "spec");
	const gr_object *hit = NULL;
	if (c->rule->param == 0) {
		const gr_value *ps = gr_get(spec, "podSelector");
		rl_each_selected(rl_use_set(c), c->obj->namespace_, ps, false, true, rl_first_obj, &hit);
		if (!hit) {
			char m[512];
			go_map(m, sizeof m, gr_get(ps, "matchLabels"));
			const gr_value *me = gr_get(ps, "matchExpressions");
			rl_emit(c, "spec.podSelector", ps ? ps : spec,
			        "no pods found matching networkpolicy's podSelector labels ({%s %s}) ", m,
			        me && me->type == GR_ARRAY && me->u.a.len ? "[...]" : "[]");
		}
		return;
	}
	static const char *const dirs[][2] = {{"ingress", "from"}, {"egress", "to"}};
	for (int d = 0; d < 2; d++) {
		const gr_value *rules = gr_get(spec, dirs[d][0]);
		for (size_t i = 0; rules && rules->type == GR_ARRAY && i < rules->u.a.len; i++) {
			const gr_value *peers = gr_get(&rules->u.a.items[i], dirs[d][1]);
			for (size_t j = 0; peers && peers->type == GR_ARRAY && j < peers->u.a.len; j++) {
				const gr_value *ps = gr_get(&peers->u.a.items[j], "podSelector");
				if (!ps || gr_get(&peers->u.a.items[j], "namespaceSelector"))
					continue;
				hit = NULL;
				rl_each_selected(rl_use_set(c), c->obj->namespace_, ps, false, true,
				                 rl_first_obj, &hit);
				if (!hit) {
					char sel[512];
					selector_string(sel, sizeof sel, gr_get(ps, "matchLabels"));
					rl_emit(c, "spec", ps,
					        "no pods found matching networkpolicy rule's podSelector "
					        "labels (%s)",
					        sel);
				}
			}
		}
	}
}

static void servicemonitor(rl_ctx *c)
{
	if (!rl_kind(c->obj, "ServiceMonitor") || !rl_is(c->obj->group, "monitoring.coreos.com"))
		return;
	rl_judged(c);
	const gr_value *spec = gr_get(c->obj->root, "spec");
	const gr_value *ml = gr_get_path(spec, "selector", "matchLabels", NULL);
	const gr_value *ns = gr_get(spec, "namespaceSelector");
	const gr_value *names = gr_get(ns, "matchNames");
	bool any = rl_true(gr_get(ns, "any"));
	bool has_labels = ml && ml->type == GR_OBJECT && ml->u.o.len;
	bool has_ns = any || (names && names->type == GR_ARRAY && names->u.a.len);
	if (!has_labels && !has_ns) {
		rl_emit(c, "spec", spec, "service monitor has no selector specified");
		return;
	}
	uint64_t h = rl_hash("Service", NULL, NULL);
	for (uint32_t e = rl_map_first(&rl_use_set(c)->by_kind, h); e;
	     e = rl_map_next(&rl_use_set(c)->by_kind, e, h)) {
		const gr_object *s = &rl_use_set(c)->objs[rl_map_obj(&rl_use_set(c)->by_kind, e)];
		if (!rl_kind(s, "Service"))
			continue;
		bool label_ok = !has_labels || rl_map_selects(ml, rl_labels(s), true);
		bool ns_ok = !has_ns || any || rl_has_str(names, s->namespace_, false);
		if (label_ok && ns_ok)
			return;
	}
	char sel[512], nsl[512] = "[";
	selector_string(sel, sizeof sel, ml);
	size_t len = 1;
	for (size_t i = 0; names && names->type == GR_ARRAY && i < names->u.a.len && len < sizeof nsl; i++)
		len += (size_t)snprintf(nsl + len, sizeof nsl - len, "%s%s", i ? " " : "",
		                        rl_str(&names->u.a.items[i]) ? names->u.a.items[i].u.s.ptr : "");
	if (len < sizeof nsl)
		snprintf(nsl + len, sizeof nsl - len, "]");
	rl_emit(c, "spec", spec,
	        "no services found matching the service monitor's label selector (%s) and namespace selector "
	        "(%s)",
	        sel, nsl);
}

static void pdb(rl_ctx *c)
{
	if (!rl_kind(c->obj, "PodDisruptionBudget") || !rl_is(c->obj->api_version, "policy/v1"))
		return;
	rl_judged(c);
	const gr_value *spec = gr_get(c->obj->root, "spec");
	switch (c->rule->param) {
	case 0: { /* pdb-max-unavailable */
		const gr_value *mu = gr_get(spec, "maxUnavailable");
		int64_t x;
		if ((rl_int(mu, &x) && x == 0) || rl_is(rl_str(mu), "0%") || rl_is(rl_str(mu), "0"))
			rl_emit(c, "spec.maxUnavailable", mu, "MaxUnavailable is set to 0");
		break;
	}
	case 1: { /* pdb-min-available */
		const gr_value *ma = gr_get(spec, "minAvailable");
		if (!ma)
			return;
		if (rl_is(rl_str(ma), "100%")) {
			rl_emit(c, "spec.minAvailable", ma,
			        "PDB has minimum available replicas set to 100 percent of replicas");
			return;
		}
		const gr_value *sel = gr_get(spec, "selector");
		if (!sel) {
			rl_emit(c, "spec.selector", spec, "PDB is missing required selector field");
			return;
		}
		uint64_t h = rl_hash(c->obj->namespace_, NULL, NULL);
		for (uint32_t e = rl_map_first(&rl_use_set(c)->pods_ns, h); e;
		     e = rl_map_next(&rl_use_set(c)->pods_ns, e, h)) {
			const gr_object *o = &rl_use_set(c)->objs[rl_map_obj(&rl_use_set(c)->pods_ns, e)];
			if (strcmp(o->namespace_, c->obj->namespace_) || !has_replicas_field(o))
				continue;
			const gr_value *osel = gr_get_path(o->root, "spec", "selector", NULL);
			const gr_value *olabels =
			        gr_get(osel, "matchLabels") ? gr_get(osel, "matchLabels") : osel;
			if (!rl_selector_selects(sel, olabels, true))
				continue;
			int64_t reps = replicas(o);
			extern const gr_object *rl_hpa_for(const rl_set *s, const gr_object *o);
			const gr_object *hpa = rl_hpa_for(rl_use_set(c), o);
			if (hpa)
				rl_int(gr_get_path(hpa->root, "spec", "minReplicas", NULL), &reps);
			int64_t min = 0;
			const char *s = rl_str(ma);
			if (s && s[0] && s[strlen(s) - 1] == '%') {
				double p = atof(s);
				min = (int64_t)((double)reps * p / 100.0 + 0.999999);
			} else
				rl_int(ma, &min);
			if (reps <= min)
				rl_emit(c, "spec.minAvailable", ma,
				        "The current number of replicas for deployment %s is equal to or "
				        "lower than the minimum "
				        "number of replicas specified by its PDB.",
				        o->name);
		}
		break;
	}
	default:
		if (!gr_get(spec, "unhealthyPodEvictionPolicy"))
			rl_emit(c, "spec", spec, "unhealthyPodEvictionPolicy is not explicitly set");
	}
}

/* ---- RBAC, API, SCC ---- */

static void subjects_json(char *buf, size_t cap, const gr_value *subs)
{
	size_t len = (size_t)snprintf(buf, cap, "[");
	for (size_t i = 0; subs && subs->type == GR_ARRAY && i < subs->u.a.len && len < cap; i++) {
		const gr_value *s = &subs->u.a.items[i];
		len += (size_t)snprintf(buf + len, cap - len, "%s{\"kind\":\"%s\"", i ? "," : "",
		                        gr_get_str(s, "kind") ? gr_get_str(s, "kind") : "");
		if (gr_get_str(s, "apiGroup") && *gr_get_str(s, "apiGroup") && len < cap)
			len += (size_t)snprintf(buf + len, cap - len, ",\"apiGroup\":\"%s\"",
			                        gr_get_str(s, "apiGroup"));
		if (len < cap)
			len += (size_t)snprintf(buf + len, cap - len, ",\"name\":\"%s\"",
			                        gr_get_str(s, "name") ? gr_get_str(s, "name") : "");
		if (gr_get_str(s, "namespace") && *gr_get_str(s, "namespace") && len < cap)
			len += (size_t)snprintf(buf + len, cap - len, ",\"namespace\":\"%s\"",
			                        gr_get_str(s, "namespace"));
		if (len < cap)
			len += (size_t)snprintf(buf + len, cap - len, "}");
	}
	if (len < cap)
		snprintf(buf + len, cap - len, "]");
}

static void rbac(rl_ctx *c)
{
	int p = c->rule->param;
	if (p == 0) { /* cluster-admin-role-binding */
		if (!rl_kind(c->obj, "ClusterRoleBinding"))
			return;
		rl_judged(c);
		const gr_value *ref = gr_get(c->obj->root, "roleRef");
		if (rl_is(gr_get_str(ref, "kind"), "ClusterRole") &&
		    rl_is(gr_get_str(ref, "name"), "cluster-admin")) {
			char s[1024];
			subjects_json(s, sizeof s, gr_get(c->obj->root, "subjects"));
			rl_emit(c, "roleRef", ref, "cluster-admin role is bound to %s", s);
		}
		return;
	}
	if (p == 1) { /* wildcard-in-rules */
		if (!rl_kind(c->obj, "Role") && !rl_kind(c->obj, "ClusterRole"))
			return;
		rl_judged(c);
		const gr_value *rules = gr_get(c->obj->root, "rules");
		for (size_t i = 0; rules && rules->type == GR_ARRAY && i < rules->u.a.len; i++) {
			if (rl_has_str(gr_get(&rules->u.a.items[i], "resources"), "*", false))
				rl_emit(c, "rules", &rules->u.a.items[i],
				        "wildcard \"*\" in resource specification");
			if (rl_has_str(gr_get(&rules->u.a.items[i], "verbs"), "*", false))
				rl_emit(c, "rules", &rules->u.a.items[i],
				        "wildcard \"*\" in verb specification");
		}
		return;
	}
	/* 2 access-to-create-pods, 3 access-to-secrets */
	bool crb = rl_kind(c->obj, "ClusterRoleBinding");
	if (!crb && !rl_kind(c->obj, "RoleBinding"))
		return;
	rl_judged(c);
	const gr_value *ref = gr_get(c->obj->root, "roleRef");
	const char *rk = gr_get_str(ref, "kind"), *rn = gr_get_str(ref, "name");
	if (!rn)
		return;
	const gr_object *role;
	if (rl_is(rk, "ClusterRole")) {
		if (!strcmp(rn, "cluster_admin"))
			return;
		role = rl_find(rl_use_set(c), "ClusterRole", "", rn);
	} else
		role = rl_find(rl_use_set(c), "Role", c->obj->namespace_[0] ? c->obj->namespace_ : "default",
		               rn);
	if (!role && rl_is(rk, "Role") && !c->obj->namespace_[0])
		role = rl_find(rl_use_set(c), "Role", "", rn);
	if (!role)
		return;
	static const char *const create_res[] = {
	        "^pods$",    "^deployments$", "^statefulsets$", "^replicasets$",
	        "^cronjob$", "^jobs$",        "^daemonsets$",   NULL};
	static const char *const create_verbs[] = {"^create$", NULL};
	static const char *const sec_res[] = {"^secrets$", NULL};
	static const char *const sec_verbs[] = {"^get$", "^list$", "^delete$", "^create$", "^watch$", NULL};
	const char *const *res = p == 2 ? create_res : sec_res;
	const char *const *verbs = p == 2 ? create_verbs : sec_verbs;
	const gr_value *rules = gr_get(role->root, "rules");
	for (size_t i = 0; rules && rules->type == GR_ARRAY && i < rules->u.a.len; i++) {
		char vb[256] = "", rb[256] = "";
		size_t vl = 0, rlen = 0;
		const gr_value *rv = gr_get(&rules->u.a.items[i], "verbs"),
		               *rr = gr_get(&rules->u.a.items[i], "resources");
		for (size_t j = 0; rv && rv->type == GR_ARRAY && j < rv->u.a.len; j++) {
			const char *v = rl_str(&rv->u.a.items[j]);
			bool m = v && !strcmp(v, "*");
			for (int q = 0; v && verbs[q] && !m; q++)
				m = kl_re(c, verbs[q], v);
			if (m && vl < sizeof vb)
				vl += (size_t)snprintf(vb + vl, sizeof vb - vl, "%s%s", vl ? " " : "", v);
		}
		for (size_t j = 0; rr && rr->type == GR_ARRAY && j < rr->u.a.len; j++) {
			const char *v = rl_str(&rr->u.a.items[j]);
			bool m = v && !strcmp(v, "*");
			for (int q = 0; v && res[q] && !m; q++)
				m = kl_re(c, res[q], v);
			if (m && rlen < sizeof rb)
				rlen += (size_t)snprintf(rb + rlen, sizeof rb - rlen, "%s%s", rlen ? " " : "",
				                         v);
		}
		if (vl && rlen)
			rl_emit(c, "roleRef", ref, "binding to \"%s\" %s that has [%s] access to [%s]", rn,
			        rl_is(rk, "ClusterRole") ? "clusterrole" : "role", vb, rb);
	}
}

static void api_ext(rl_ctx *c)
{
	rl_judged(c);
	if (rl_is(c->obj->group, "extensions") && kl_re(c, "v1beta.+", c->obj->version))
		rl_emit(c, "apiVersion", c->obj->root, "disallowed API object found: %s, Kind=%s",
		        c->obj->api_version, c->obj->kind);
}

static void scc(rl_ctx *c)
{
	if (!rl_kind(c->obj, "SecurityContextConstraints"))
		return;
	rl_judged(c);
	if (rl_true(gr_get(c->obj->root, "allowPrivilegedContainer")))
		rl_emit(c, "allowPrivilegedContainer", c->obj->root,
		        "SCC has allowPrivilegedContainer set to true");
}

/*
 * sorted-keys (recursive): one diagnostic per mapping whose keys are out of
 * order, judged on the mapping as written, as kube-linter walks the YAML
 * node tree:
 *  - an alias is not walked again (the decoded tree shares the anchored
 *    node's children, so a collection met a second time is an alias use);
 *  - a mapping built with `<<` merge keys lists its own keys and its `<<`
 *    keys in source order (gr_value.merge_keys), not the merged result.
 */
typedef struct sk_seen {
	const void **v;
	size_t n, cap; /* cap: a power of two, or 0 */
} sk_seen;

/* Record p; true when it was already there (an alias use). */
static bool sk_seen_add(sk_seen *s, const void *p)
{
	if (!p)
		return false;
	if (2 * (s->n + 1) > s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		const void **v = calloc(cap, sizeof *v);
		if (!v)
			return false; /* no memory: walk on (an alias may be reported twice) */
		for (size_t i = 0; i < s->cap; i++)
			if (s->v[i]) {
				size_t h = ((uintptr_t)s->v[i] >> 4) & (cap - 1);
				while (v[h])
					h = (h + 1) & (cap - 1);
				v[h] = s->v[i];
			}
		free(s->v);
		s->v = v;
		s->cap = cap;
	}
	size_t h = ((uintptr_t)p >> 4) & (s->cap - 1);
	while (s->v[h]) {
		if (s->v[h] == p)
			return true;
		h = (h + 1) & (s->cap - 1);
	}
	s->v[h] = p;
	s->n++;
	return false;
}

static int cmp_pos(const void *a, const void *b)
{
	const gr_member *x = *(const gr_member *const *)a, *y = *(const gr_member *const *)b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->column < y->column ? -1 : x->column > y->column;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp((*(const gr_member *const *)a)->key, (*(const gr_member *const *)b)->key);
}

/* The keys of mapping v as written: every member, or for a mapping with
 * merge keys its own members (those written inside it, after its start)
 * and its << keys, in source order. malloc'd array; NULL when empty. */
static const gr_member **raw_members(const gr_value *v, size_t *n)
{
	*n = 0;
	size_t cap = v->u.o.len + v->merge_keys;
	const gr_member **out = cap ? malloc(cap * sizeof *out) : NULL;
	if (!out)
		return NULL;
	for (size_t i = 0; i < v->u.o.len; i++) {
		const gr_member *m = &v->u.o.members[i];
		if (!v->merge_keys || m->line > v->line || (m->line == v->line && m->column >= v->column))
			out[(*n)++] = m;
	}
	for (size_t i = 0; i < v->merge_keys; i++)
		out[(*n)++] = &v->u.o.members[v->u.o.len + i];
	if (v->merge_keys)
		qsort(out, *n, sizeof *out, cmp_pos);
	return out;
}

static void sorted_at(rl_ctx *c, sk_seen *seen, const gr_value *v, const char *path, int depth)
{
	if (!v || depth > 64 || (depth > 0 && c->opt->kube_linter_sorted_keys_shallow))
		return;
	if (v->type == GR_ARRAY) {
		if (sk_seen_add(seen, v->u.a.items))
			return; /* an alias */
		for (size_t i = 0; i < v->u.a.len; i++) {
			char p[512];
			snprintf(p, sizeof p, "%s[%zu]", path, i);
			sorted_at(c, seen, &v->u.a.items[i], p, depth + 1);
		}
		return;
	}
	if (v->type != GR_OBJECT || sk_seen_add(seen, v->u.o.members))
		return;
	size_t n;
	const gr_member **raw = raw_members(v, &n);
	if (!raw)
		return;
	bool sorted = true;
	for (size_t i = 1; i < n; i++)
		sorted &= strcmp(raw[i - 1]->key, raw[i]->key) <= 0;
	if (!sorted) {
		const gr_member **ms = malloc(n * sizeof *ms);
		if (ms) {
			memcpy(ms, raw, n * sizeof *ms);
			qsort(ms, n, sizeof *ms, cmp_key);
			char want[1024] = "", got[1024] = "";
			size_t wl = 0, gl = 0;
			for (size_t i = 0; i < n && wl < sizeof want; i++)
				wl += (size_t)snprintf(want + wl, sizeof want - wl, "%s%s", i ? ", " : "",
				                       ms[i]->key);
			for (size_t i = 0; i < n && gl < sizeof got; i++)
				gl += (size_t)snprintf(got + gl, sizeof got - gl, "%s%s", i ? ", " : "",
				                       raw[i]->key);
			rl_emit(c, path[0] ? path : NULL, v,
			        "Keys are not sorted at %s. Expected order: [%s], got: [%s]",
			        path[0] ? path : "root", want, got);
			free(ms);
		}
	}
	for (size_t i = 0; i < n; i++) {
		char p[512];
		snprintf(p, sizeof p, "%s%s%s", path, path[0] ? "." : "", raw[i]->key);
		sorted_at(c, seen, &raw[i]->value, p, depth + 1);
	}
	free(raw);
}

static void sorted_keys(rl_ctx *c)
{
	rl_judged(c);
	sk_seen seen = {0};
	sorted_at(c, &seen, c->obj->root, "", 0);
	free(seen.v);
}

const rl_rule rl_pack_kube_linter[] = {
        KL("access-to-create-pods", false, "a binding grants create on pods or workloads", "narrow the role",
           rbac, 2),
        KL("access-to-secrets", false, "a binding grants access to secrets", "narrow the role", rbac, 3),
        KL("cluster-admin-role-binding", false, "cluster-admin is bound", "bind a narrower role", rbac, 0),
        KL("dangling-horizontalpodautoscaler", false, "HPA target missing", "fix scaleTargetRef",
           dangling_hpa, 0),
        KL("dangling-ingress", false, "Ingress backend missing", "fix the backend", dangling_ingress, 0),
        KL("dangling-networkpolicy", false, "NetworkPolicy selects no pods", "fix podSelector", netpol, 0),
        KL("dangling-networkpolicypeer-podselector", false, "peer selects no pods", "fix the peer", netpol,
           1),
        KL("dangling-service", true, "Service selects no pods", "fix the selector", service_rule, 0),
        KL("dangling-servicemonitor", false, "ServiceMonitor selects no Service", "fix the selector",
           servicemonitor, 0),
        KL("default-service-account", false, "default service account used", "set serviceAccountName",
           pod_rule, P_DEFSA),
        KL("deprecated-service-account-field", true, "deprecated serviceAccount field",
           "use serviceAccountName", pod_rule, P_DEPSA),
        KL("dnsconfig-options", false, "ndots not set", "set dnsConfig options ndots: 2", pod_rule, P_DNS),
        KL("docker-sock", true, "docker.sock mounted", "do not mount the docker socket", host_mounts, 0),
        KL("drop-net-raw-capability", true, "NET_RAW not dropped", "drop NET_RAW (or ALL)", ctr_rule,
           C_NETRAW),
        KL("duplicate-env-var", true, "duplicate env var", "keep one entry per name", ctr_rule, C_DUPENV),
        KL("env-var-secret", true, "secret in env var", "use secretKeyRef", ctr_rule, C_ENVSECRET),
        KL("env-value-from", false, "env references a missing Secret/ConfigMap key", "fix the reference",
           env_value_from, 0),
        KL("exposed-services", false, "NodePort or LoadBalancer Service", "use ClusterIP", service_rule, 1),
        KL("host-ipc", true, "hostIPC", "remove hostIPC", pod_rule, P_IPC),
        KL("host-network", true, "hostNetwork", "remove hostNetwork", pod_rule, P_NET),
        KL("host-pid", true, "hostPID", "remove hostPID", pod_rule, P_PID),
        KL("hpa-minimum-three-replicas", false, "HPA minReplicas below 3", "set minReplicas: 3", hpa_three,
           0),
        KL("invalid-target-ports", true, "invalid port names or targetPorts", "fix the port names",
           invalid_target_ports, 2),
        KL("job-ttl-seconds-after-finished", true, "Job TTL",
           "set ttlSecondsAfterFinished on standalone Jobs", job_ttl, 0),
        KL("latest-tag", true, "latest or missing tag", "pin the image", ctr_rule, C_LATEST),
        KL("liveness-port", true, "liveness probe port not exposed", "expose the port", probe_port, 0),
        KL("minimum-three-replicas", false, "fewer than 3 replicas", "set replicas: 3", workload, 2),
        KL("mismatching-selector", true, "selector does not match labels", "fix the selector", workload, 0),
        KL("no-anti-affinity", true, "no pod anti-affinity", "add podAntiAffinity", no_anti_affinity, 0),
        KL("no-extensions-v1beta", true, "extensions/v1beta API", "use the replacement API", api_ext, 0),
        KL("no-liveness-probe", false, "no liveness probe", "add livenessProbe", ctr_rule, C_LIVE),
        KL("no-node-affinity", false, "no node affinity", "add nodeAffinity", pod_rule, P_NODEAFF),
        KL("no-read-only-root-fs", true, "writable root filesystem", "set readOnlyRootFilesystem: true",
           ctr_rule, C_RO),
        KL("no-readiness-probe", false, "no readiness probe", "add readinessProbe", ctr_rule, C_READY),
        KL("no-rolling-update-strategy", false, "not RollingUpdate", "use RollingUpdate", workload, 1),
        KL("non-existent-service-account", true, "ServiceAccount not found", "add the ServiceAccount",
           pod_rule, P_NOSA),
        KL("non-isolated-pod", false, "no NetworkPolicy selects the pods", "add a NetworkPolicy", pod_rule,
           P_ISOLATED),
        KL("pdb-max-unavailable", true, "PDB maxUnavailable 0", "allow a disruption", pdb, 0),
        KL("pdb-min-available", true, "PDB minAvailable too high", "lower minAvailable", pdb, 1),
        KL("pdb-unhealthy-pod-eviction-policy", true, "unhealthyPodEvictionPolicy not set", "set it", pdb, 2),
        KL("priority-class-name", false, "priority class not accepted", "use a system priority class",
           pod_rule, P_PRIO),
        KL("privilege-escalation-container", true, "privilege escalation allowed",
           "set allowPrivilegeEscalation: false", ctr_rule, C_ESC),
        KL("privileged-container", true, "privileged container", "remove privileged", ctr_rule, C_PRIV),
        KL("privileged-ports", false, "port below 1024", "use a port >= 1024", ctr_rule, C_PRIVPORT),
        KL("read-secret-from-env-var", false, "Secret read from env", "mount the Secret", ctr_rule,
           C_READSECRET),
        KL("readiness-port", true, "readiness probe port not exposed", "expose the port", probe_port, 1),
        KL("required-annotation-email", false, "no email annotation", "add an email annotation", workload, 4),
        KL("required-label-owner", false, "no owner label", "add an owner label", workload, 3),
        KL("restart-policy", false, "restart policy not Always/OnFailure", "set restartPolicy", pod_rule,
           P_RESTART),
        KL("run-as-non-root", true, "may run as root", "set runAsNonRoot: true", ctr_rule, C_NONROOT),
        KL("schema-validation", false, "not valid against its schema",
           "fix the resource to conform to the Kubernetes API schema", rl_kubeconform, 0),
        KL("scc-deny-privileged-container", false, "SCC allows privileged",
           "set allowPrivilegedContainer: false", scc, 0),
        KL("sensitive-host-mounts", true, "sensitive host directory mounted",
           "do not mount host system directories", host_mounts, 1),
        KL("sorted-keys", false, "keys not sorted", "sort the keys", sorted_keys, 0),
        KL("ssh-port", true, "SSH port exposed", "remove port 22", ctr_rule, C_SSH),
        KL("startup-port", true, "startup probe port not exposed", "expose the port", probe_port, 2),
        KL("unsafe-proc-mount", false, "procMount Unmasked", "remove procMount", ctr_rule, C_PROC),
        KL("unsafe-sysctls", true, "unsafe sysctl", "remove the sysctl", pod_rule, P_SYSCTL),
        KL("unset-cpu-requirements", true, "no CPU request", "set requests.cpu", ctr_rule, C_CPU),
        KL("unset-memory-requirements", true, "no memory limit", "set limits.memory", ctr_rule, C_MEM),
        KL("use-namespace", false, "object in the default namespace", "set metadata.namespace", workload, 5),
        KL("wildcard-in-rules", false, "wildcard in RBAC rules", "list resources and verbs", rbac, 1),
        KL("writable-host-mount", false, "writable hostPath mount", "set readOnly: true", host_mounts, 2),
        RL_PACK_END,
};
