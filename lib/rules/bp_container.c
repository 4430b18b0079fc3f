/*
 * bp_container.c — best-practice rules judged per container: resources,
 * images, probes, security context, host ports and paths, ports, env.
 *
 * Which containers: regular and init containers unless a row says
 * otherwise (init containers run with the same privileges and count
 * toward the pod's requests); ephemeral containers cannot set resources
 * or probes, so resource and probe rules skip them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "rules_int.h"

#define BP(id, sa, on, summary, fix, up, fn, param)                                                          \
	{                                                                                                    \
		{"bp." id, "bp", sa, on, summary, fix, up, "docs/rules/bp.md#bp" id}, fn, param, NULL        \
	}
#define W GR_SEV_WARNING, GR_ACTION_WARN
#define E GR_SEV_ERROR, GR_ACTION_ENFORCE
#define I GR_SEV_INFO, GR_ACTION_AUDIT

static bool is_batch(const gr_object *o)
{
	return rl_kind(o, "Job") || rl_kind(o, "CronJob");
}

/* ---- resources ---- */

enum { CPU_REQ, CPU_LIM, MEM_REQ, MEM_LIM, EPH };

static void resources(rl_ctx *c)
{
	static const char *const what[][2] = {
	        {"requests", "cpu"}, {"limits", "cpu"}, {"requests", "memory"}, {"limits", "memory"}};
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG | RL_INIT, &k)) {
		rl_judged(c);
		const gr_value *res = gr_get(k.node, "resources");
		if (c->rule->param == EPH) {
			bool rq =
			        rl_quantity_nonzero(gr_get_path(res, "requests", "ephemeral-storage", NULL));
			bool lm = rl_quantity_nonzero(gr_get_path(res, "limits", "ephemeral-storage", NULL));
			if (!rq || !lm)
				rl_emit(c, rl_cpath(c, &k, ".resources"), k.node,
				        "container \"%s\" has no ephemeral-storage %s", k.name,
				        !rq ? "request" : "limit");
			continue;
		}
		const char *const *w = what[c->rule->param];
		const gr_value *q = gr_get_path(res, w[0], w[1], NULL);
		if (!rl_quantity_nonzero(q)) {
			static const char *const suffix[] = {
			        ".resources.requests.cpu", ".resources.limits.cpu",
			        ".resources.requests.memory", ".resources.limits.memory"};
			rl_emit(c, rl_cpath(c, &k, suffix[c->rule->param]), q ? q : k.node,
			        "container \"%s\" has no %s %s", k.name, w[1],
			        strcmp(w[0], "limits") == 0 ? "limit" : "request");
		}
	}
}

static bool qty_equal(const gr_value *a, const gr_value *b)
{
	double x = 0, y = 0;
	bool ha = rl_quantity(a, &x), hb = rl_quantity(b, &y);
	if (!ha)
		x = 0;
	if (!hb)
		y = 0;
	return x == y;
}

static void requests_equal_limits(rl_ctx *c)
{
	static const char *const res_names[] = {"cpu", "memory", "ephemeral-storage"};
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG | RL_INIT, &k)) {
		rl_judged(c);
		const gr_value *res = gr_get(k.node, "resources");
		for (int i = 0; i < 3; i++) {
			if ((c->rule->param == 0 && i == 2) || (c->rule->param == 1 && i != 2))
				continue;
			const gr_value *rq = gr_get_path(res, "requests", res_names[i], NULL);
			const gr_value *lm = gr_get_path(res, "limits", res_names[i], NULL);
			if (i == 2 && (!rq || !lm))
				continue;
			if (!qty_equal(rq, lm))
				rl_emit(c, rl_cpath(c, &k, ".resources"), k.node,
				        "container \"%s\": %s request differs from its limit", k.name,
				        res_names[i]);
		}
	}
}

/* ---- images ---- */

static void image_tag(rl_ctx *c)
{
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_ALL, &k)) {
		rl_judged(c);
		const gr_value *iv = gr_get(k.node, "image");
		const char *img = rl_str(iv);
		if (!img)
			continue; /* the schema engine reports a missing image */
		gr_image_ref ref;
		if (gr_image_ref_parse(img, &ref, NULL) != 0)
			continue; /* image.invalid reports it */
		if (ref.digest[0])
			continue;
		if (!ref.tag[0] || strcmp(ref.tag, "latest") == 0)
			rl_emit(c, rl_cpath(c, &k, ".image"), iv, "container \"%s\" uses image \"%s\" %s",
			        k.name, img,
			        ref.tag[0] ? "with the mutable tag latest"
			                   : "without a tag (latest is implied)");
	}
}

static void pull_policy_always(rl_ctx *c)
{
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG | RL_INIT, &k)) {
		rl_judged(c);
		const char *p = gr_get_str(k.node, "imagePullPolicy");
		if (!rl_is(p, "Always"))
			rl_emit(c, rl_cpath(c, &k, ".imagePullPolicy"), gr_get(k.node, "imagePullPolicy"),
			        "container \"%s\" has imagePullPolicy %s, not Always", k.name,
			        p ? p : "unset");
	}
}

/* ---- probes ---- */

static void probe_missing(rl_ctx *c)
{
	const char *probe = c->rule->param == 0 ? "readinessProbe" : "livenessProbe";
	if (is_batch(c->obj))
		return; /* a Job's pods run to completion: no Service sends them traffic */
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG, &k)) {
		rl_judged(c);
		if (!rl_set_(gr_get(k.node, probe))) {
			char sfx[64];
			snprintf(sfx, sizeof sfx, ".%s", probe);
			rl_emit(c, rl_cpath(c, &k, sfx), k.node, "container \"%s\" has no %s", k.name, probe);
		}
	}
}

static bool probe_same(const gr_value *a, const gr_value *b)
{
	static const char *const handlers[] = {"httpGet", "tcpSocket", "exec", "grpc"};
	for (int i = 0; i < 4; i++) {
		const gr_value *x = gr_get(a, handlers[i]), *y = gr_get(b, handlers[i]);
		if (x && y && gr_equal(x, y))
			return true;
	}
	return false;
}

static void probes_identical(rl_ctx *c)
{
	if (is_batch(c->obj))
		return;
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG, &k)) {
		rl_judged(c);
		const gr_value *r = gr_get(k.node, "readinessProbe"), *l = gr_get(k.node, "livenessProbe");
		if (r && l && probe_same(r, l))
			rl_emit(c, rl_cpath(c, &k, ".livenessProbe"), l,
			        "container \"%s\" has identical readiness and liveness probes", k.name);
	}
}

/* A probe port (number or name) the container declares (TCP). */
static bool port_declared(const gr_value *ctr, const gr_value *port)
{
	const gr_value *ports = gr_get(ctr, "ports");
	if (!ports || ports->type != GR_ARRAY)
		return false;
	int64_t num;
	const char *name = rl_str(port);
	bool isnum = rl_int(port, &num);
	for (size_t i = 0; i < ports->u.a.len; i++) {
		const gr_value *p = &ports->u.a.items[i];
		const char *proto = gr_get_str(p, "protocol");
		if (proto && *proto && strcmp(proto, "TCP") != 0)
			continue;
		int64_t cp;
		if (isnum && rl_int(gr_get(p, "containerPort"), &cp) && cp == num)
			return true;
		if (name && rl_is(gr_get_str(p, "name"), name))
			return true;
	}
	return false;
}

static void probe_port(rl_ctx *c)
{
	static const char *const probes[] = {"livenessProbe", "readinessProbe", "startupProbe"};
	static const char *const handlers[] = {"httpGet", "tcpSocket", "grpc"};
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG, &k)) {
		rl_judged(c);
		for (int p = 0; p < 3; p++) {
			if (c->rule->param && c->rule->param != p + 1)
				continue;
			const gr_value *pr = gr_get(k.node, probes[p]);
			for (int h = 0; h < 3 && pr; h++) {
				const gr_value *port = gr_get_path(pr, handlers[h], "port", NULL);
				if (!port || port_declared(k.node, port))
					continue;
				char sfx[96];
				snprintf(sfx, sizeof sfx, ".%s.%s.port", probes[p], handlers[h]);
				if (port->type == GR_STRING)
					rl_emit(c, rl_cpath(c, &k, sfx), port,
					        "container \"%s\" does not expose port %s for the %s", k.name,
					        port->u.s.ptr, handlers[h]);
				else
					rl_emit(c, rl_cpath(c, &k, sfx), port,
					        "container \"%s\" does not expose port %lld for the %s",
					        k.name, (long long)(port->type == GR_INT ? port->u.i : 0),
					        handlers[h]);
			}
		}
	}
}

/* ---- security context ---- */

static const gr_value *pod_sc(const gr_object *o)
{
	return gr_get(o->pod_spec, "securityContext");
}

static void privileged(rl_ctx *c)
{
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_ALL, &k)) {
		rl_judged(c);
		const gr_value *p = gr_get(k.sc, "privileged");
		if (rl_true(p))
			rl_emit(c, rl_cpath(c, &k, ".securityContext.privileged"), p,
			        "container \"%s\" is privileged", k.name);
	}
}

static void privilege_escalation(rl_ctx *c)
{
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_ALL, &k)) {
		rl_judged(c);
		const gr_value *p = gr_get(k.sc, "allowPrivilegeEscalation");
		if (!rl_false(p))
			rl_emit(c, rl_cpath(c, &k, ".securityContext.allowPrivilegeEscalation"),
			        p ? p : k.node,
			        "container \"%s\" does not set allowPrivilegeEscalation: false", k.name);
	}
}

static void read_only_root(rl_ctx *c)
{
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG | RL_INIT, &k)) {
		rl_judged(c);
		const gr_value *p = gr_get(k.sc, "readOnlyRootFilesystem");
		if (!rl_true(p))
			rl_emit(c, rl_cpath(c, &k, ".securityContext.readOnlyRootFilesystem"), p ? p : k.node,
			        "container \"%s\" has a writable root filesystem", k.name);
	}
}

static void run_as_non_root(rl_ctx *c)
{
	const gr_value *psc = pod_sc(c->obj);
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_ALL, &k)) {
		rl_judged(c);
		const gr_value *nr = gr_get(k.sc, "runAsNonRoot");
		if (!nr)
			nr = gr_get(psc, "runAsNonRoot");
		const gr_value *uid = gr_get(k.sc, "runAsUser");
		if (!uid)
			uid = gr_get(psc, "runAsUser");
		int64_t u = -1;
		bool has_uid = rl_int(uid, &u);
		if (has_uid && u == 0)
			rl_emit(c, rl_cpath(c, &k, ".securityContext.runAsUser"), uid,
			        "container \"%s\" runs as UID 0 (root)", k.name);
		else if (!(has_uid && u > 0) && !rl_true(nr))
			rl_emit(c, rl_cpath(c, &k, ".securityContext.runAsNonRoot"), k.node,
			        "container \"%s\" may run as root (neither runAsNonRoot: true nor a non-zero "
			        "runAsUser)",
			        k.name);
	}
}

static void high_ids(rl_ctx *c)
{
	const gr_value *psc = pod_sc(c->obj);
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG | RL_INIT, &k)) {
		rl_judged(c);
		static const char *const f[] = {"runAsUser", "runAsGroup"};
		for (int i = 0; i < 2; i++) {
			const gr_value *v = gr_get(k.sc, f[i]);
			if (!v)
				v = gr_get(psc, f[i]);
			int64_t x;
			if (!rl_int(v, &x) || x < 10000) {
				char sfx[64];
				snprintf(sfx, sizeof sfx, ".securityContext.%s", f[i]);
				rl_emit(c, rl_cpath(c, &k, sfx), v ? v : k.node,
				        "container \"%s\": %s is not set to 10000 or more", k.name, f[i]);
			}
		}
	}
}

static void dangerous_caps(rl_ctx *c)
{
	static const char *const bad[] = {"ALL",        "SYS_ADMIN",  "NET_ADMIN", "NET_RAW",
	                                  "SYS_PTRACE", "SYS_MODULE", NULL};
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_ALL, &k)) {
		rl_judged(c);
		const gr_value *add = gr_get_path(k.sc, "capabilities", "add", NULL);
		for (int i = 0; add && bad[i]; i++) {
			char cap[32] = "CAP_";
			strcpy(cap + 4, bad[i]); /* the names above are short */
			if (rl_has_str(add, bad[i], true) || rl_has_str(add, cap, true))
				rl_emit(c, rl_cpath(c, &k, ".securityContext.capabilities.add"), add,
				        "container \"%s\" adds capability %s", k.name, bad[i]);
		}
	}
}

static void drop_caps(rl_ctx *c)
{
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG | RL_INIT, &k)) {
		rl_judged(c);
		const gr_value *drop = gr_get_path(k.sc, "capabilities", "drop", NULL);
		if (!rl_has_str(drop, "ALL", true))
			rl_emit(c, rl_cpath(c, &k, ".securityContext.capabilities.drop"),
			        drop ? drop : k.node, "container \"%s\" does not drop ALL capabilities",
			        k.name);
	}
}

static bool seccomp_ok(const gr_value *sc)
{
	const char *t = gr_get_str(gr_get(sc, "seccompProfile"), "type");
	return t && (strcmp(t, "RuntimeDefault") == 0 || strcmp(t, "Localhost") == 0);
}

static void seccomp(rl_ctx *c)
{
	rl_judged(c);
	bool pod_ok = seccomp_ok(pod_sc(c->obj));
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_REG | RL_INIT, &k)) {
		const char *t = gr_get_str(gr_get(k.sc, "seccompProfile"), "type");
		if (t ? !seccomp_ok(k.sc) : !pod_ok)
			rl_emit(c, rl_cpath(c, &k, ".securityContext.seccompProfile.type"), k.node,
			        "container \"%s\" runs without a RuntimeDefault or Localhost seccomp profile",
			        k.name);
	}
}

static void proc_mount(rl_ctx *c)
{
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_ALL, &k)) {
		rl_judged(c);
		const gr_value *p = gr_get(k.sc, "procMount");
		if (rl_str(p) && strcmp(p->u.s.ptr, "Default") != 0)
			rl_emit(c, rl_cpath(c, &k, ".securityContext.procMount"), p,
			        "container \"%s\" sets procMount %s", k.name, p->u.s.ptr);
	}
}

static void host_process(rl_ctx *c)
{
	rl_judged(c);
	const gr_value *p = gr_get_path(pod_sc(c->obj), "windowsOptions", "hostProcess", NULL);
	if (rl_true(p))
		rl_emit(c, rl_spath(c, ".securityContext.windowsOptions.hostProcess"), p,
		        "the pod runs as a Windows HostProcess");
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_ALL, &k)) {
		p = gr_get_path(k.sc, "windowsOptions", "hostProcess", NULL);
		if (rl_true(p))
			rl_emit(c, rl_cpath(c, &k, ".securityContext.windowsOptions.hostProcess"), p,
			        "container \"%s\" runs as a Windows HostProcess", k.name);
	}
}

/* ---- host ---- */

static void host_port(rl_ctx *c)
{
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_ALL, &k)) {
		rl_judged(c);
		const gr_value *ports = gr_get(k.node, "ports");
		for (size_t i = 0; ports && ports->type == GR_ARRAY && i < ports->u.a.len; i++) {
			const gr_value *hp = gr_get(&ports->u.a.items[i], "hostPort");
			int64_t v;
			if (rl_int(hp, &v) && v != 0) {
				char sfx[64];
				snprintf(sfx, sizeof sfx, ".ports[%zu].hostPort", i);
				rl_emit(c, rl_cpath(c, &k, sfx), hp, "container \"%s\" binds host port %lld",
				        k.name, (long long)v);
			}
		}
	}
}

/* Is volume `vol` (a hostPath) mounted by some container; report per mount. */
static void host_mounts(rl_ctx *c)
{
	const gr_value *vols = gr_get(c->obj->pod_spec, "volumes");
	rl_judged(c);
	if (!vols || vols->type != GR_ARRAY)
		return;
	for (size_t v = 0; v < vols->u.a.len; v++) {
		const gr_value *vol = &vols->u.a.items[v];
		const gr_value *hp = gr_get(vol, "hostPath");
		if (!hp)
			continue;
		const char *path = gr_get_str(hp, "path");
		const char *vname = gr_get_str(vol, "name");
		if (c->rule->param == 0) { /* any hostPath */
			char sfx[64];
			snprintf(sfx, sizeof sfx, ".volumes[%zu].hostPath", v);
			rl_emit(c, rl_spath(c, sfx), hp, "volume \"%s\" mounts host path %s",
			        vname ? vname : "", path ? path : "");
			continue;
		}
		bool sensitive = false;
		if (c->rule->param == 2 && path) {
			static const char *const dirs[] = {"/",
			                                   "/boot",
			                                   "/dev",
			                                   "/etc",
			                                   "/lib",
			                                   "/proc",
			                                   "/sys",
			                                   "/usr",
			                                   "/var/run/docker.sock",
			                                   "/run/docker.sock",
			                                   "/var/run/containerd/containerd.sock",
			                                   "/run/containerd/containerd.sock",
			                                   "/var/run/crio/crio.sock",
			                                   NULL};
			size_t n = strlen(path);
			while (n > 1 && path[n - 1] == '/')
				n--;
			for (int i = 0; dirs[i]; i++)
				if (strlen(dirs[i]) == n && strncmp(dirs[i], path, n) == 0)
					sensitive = true;
			if (n >= 11 && strncmp(path + n - 11, "docker.sock", 11) == 0)
				sensitive = true;
			if (!sensitive)
				continue;
		}
		rl_ctr k;
		rl_ctr_begin(&k);
		while (rl_ctr_next(c->obj, RL_ALL, &k)) {
			const gr_value *vm = gr_get(k.node, "volumeMounts");
			for (size_t m = 0; vm && vm->type == GR_ARRAY && m < vm->u.a.len; m++) {
				const gr_value *mt = &vm->u.a.items[m];
				if (!rl_is(gr_get_str(mt, "name"), vname))
					continue;
				if (c->rule->param == 1 && rl_true(gr_get(mt, "readOnly")))
					continue;
				char sfx[64];
				snprintf(sfx, sizeof sfx, ".volumeMounts[%zu]", m);
				rl_emit(c, rl_cpath(c, &k, sfx), mt, "container \"%s\" mounts host path %s%s",
				        k.name, path ? path : "", c->rule->param == 1 ? " writable" : "");
			}
		}
	}
}

/* ---- ports ---- */

static void port_rule(rl_ctx *c)
{
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_ALL, &k)) {
		rl_judged(c);
		const gr_value *ports = gr_get(k.node, "ports");
		for (size_t i = 0; ports && ports->type == GR_ARRAY && i < ports->u.a.len; i++) {
			const gr_value *p = &ports->u.a.items[i];
			const gr_value *cpv = gr_get(p, "containerPort");
			int64_t cp = -1;
			rl_int(cpv, &cp);
			char sfx[64];
			snprintf(sfx, sizeof sfx, ".ports[%zu]", i);
			if (c->rule->param == 0 && cp > 0 && cp < 1024)
				rl_emit(c, rl_cpath(c, &k, sfx), p,
				        "container \"%s\" uses privileged port %lld", k.name, (long long)cp);
			if (c->rule->param == 1 && cp == 22) {
				const char *proto = gr_get_str(p, "protocol");
				if (!proto || !*proto || strcmp(proto, "TCP") == 0)
					rl_emit(c, rl_cpath(c, &k, sfx), p,
					        "container \"%s\" exposes SSH port 22", k.name);
			}
			if (c->rule->param == 2) {
				const char *name = gr_get_str(p, "name");
				if (cpv && cp == 0)
					rl_emit(c, rl_cpath(c, &k, sfx), p,
					        "container \"%s\": containerPort is 0", k.name);
				if (name) {
					size_t n = strlen(name);
					bool letter = false, ok = n >= 1 && n <= 15 && name[0] != '-' &&
					                          name[n - 1] != '-' && !strstr(name, "--");
					for (size_t j = 0; j < n; j++) {
						char ch = name[j];
						if (ch >= 'a' && ch <= 'z')
							letter = true;
						else if (!(ch >= '0' && ch <= '9') && ch != '-')
							ok = false;
					}
					if (!ok || !letter)
						rl_emit(c, rl_cpath(c, &k, sfx), p,
						        "container \"%s\": port name \"%s\" is not a valid "
						        "IANA service name "
						        "(1-15 lowercase letters, digits and '-', at least "
						        "one letter)",
						        k.name, name);
					for (size_t j = 0; j < i; j++)
						if (rl_is(gr_get_str(&ports->u.a.items[j], "name"), name))
							rl_emit(c, rl_cpath(c, &k, sfx), p,
							        "container \"%s\": port name \"%s\" is used "
							        "twice",
							        k.name, name);
				}
			}
		}
	}
}

/* ---- env ---- */

/* Names that hold credentials (Polaris' list plus kube-linter's "secret"). */
bool rl_sensitive_name(const char *name);
bool rl_sensitive_name(const char *name)
{
	if (!name)
		return false;
	static const char *const exact[] = {"AWS_SECRET_ACCESS_KEY", "GOOGLE_APPLICATION_CREDENTIALS",
	                                    "OCI_CLI_KEY_CONTENT", NULL};
	for (int i = 0; exact[i]; i++)
		if (strcasecmp(name, exact[i]) == 0)
			return true;
	size_t n = strlen(name);
	if (n > 9 && strncasecmp(name, "AZURE_", 6) == 0 && strcasecmp(name + n - 3, "KEY") == 0)
		return true;
	static const char *const sub[] = {"password", "token", "bearer", "secret", NULL};
	for (int i = 0; sub[i]; i++)
		if (strcasestr(name, sub[i]))
			return true;
	return false;
}

bool rl_private_key(const char *v);
bool rl_private_key(const char *v)
{
	return v && strstr(v, "-BEGIN") && strstr(v, "PRIVATE KEY-");
}

static void env_rule(rl_ctx *c)
{
	rl_ctr k;
	rl_ctr_begin(&k);
	while (rl_ctr_next(c->obj, RL_ALL, &k)) {
		rl_judged(c);
		const gr_value *env = gr_get(k.node, "env");
		for (size_t i = 0; env && env->type == GR_ARRAY && i < env->u.a.len; i++) {
			const gr_value *e = &env->u.a.items[i];
			const char *name = gr_get_str(e, "name");
			char sfx[64]; /* made only for a finding: most variables have none */
#define ENV_SFX (snprintf(sfx, sizeof sfx, ".env[%zu]", i), sfx)
			if (c->rule->param == 0) {
				const char *val = gr_get_str(e, "value");
				if (val && *val && (rl_sensitive_name(name) || rl_private_key(val)))
					rl_emit(c, rl_cpath(c, &k, ENV_SFX), e,
					        "container \"%s\": environment variable %s holds a literal "
					        "secret",
					        k.name, name ? name : "");
			} else if (c->rule->param == 1) {
				if (gr_get_path(e, "valueFrom", "secretKeyRef", NULL))
					rl_emit(c, rl_cpath(c, &k, ENV_SFX), e,
					        "container \"%s\": environment variable %s reads a Secret",
					        k.name, name ? name : "");
			} else {
				for (size_t j = 0; j < i && name; j++)
					if (rl_is(gr_get_str(&env->u.a.items[j], "name"), name)) {
						rl_emit(c, rl_cpath(c, &k, ENV_SFX), e,
						        "container \"%s\": environment variable %s is set "
						        "twice (the last one wins)",
						        k.name, name);
						break;
					}
			}
		}
	}
#undef ENV_SFX
}

static void sysctls(rl_ctx *c)
{
	static const char *const safe[] = {"kernel.shm_rmid_forced",
	                                   "net.ipv4.ip_local_port_range",
	                                   "net.ipv4.tcp_syncookies",
	                                   "net.ipv4.ping_group_range",
	                                   "net.ipv4.ip_unprivileged_port_start",
	                                   "net.ipv4.ip_local_reserved_ports",
	                                   "net.ipv4.tcp_keepalive_time",
	                                   "net.ipv4.tcp_fin_timeout",
	                                   "net.ipv4.tcp_keepalive_intvl",
	                                   "net.ipv4.tcp_keepalive_probes",
	                                   NULL};
	rl_judged(c);
	const gr_value *s = gr_get(pod_sc(c->obj), "sysctls");
	for (size_t i = 0; s && s->type == GR_ARRAY && i < s->u.a.len; i++) {
		const char *n = gr_get_str(&s->u.a.items[i], "name");
		bool ok = false;
		for (int j = 0; n && safe[j]; j++)
			ok |= strcmp(n, safe[j]) == 0;
		if (!ok) {
			char sfx[64];
			snprintf(sfx, sizeof sfx, ".securityContext.sysctls[%zu]", i);
			rl_emit(c, rl_spath(c, sfx), &s->u.a.items[i], "sysctl %s is not in the safe set",
			        n ? n : "");
		}
	}
}

static void pod_bool(rl_ctx *c)
{
	static const char *const f[] = {"hostNetwork", "hostPID", "hostIPC"};
	rl_judged(c);
	const gr_value *v = gr_get(c->obj->pod_spec, f[c->rule->param]);
	if (rl_true(v)) {
		char sfx[32];
		snprintf(sfx, sizeof sfx, ".%s", f[c->rule->param]);
		rl_emit(c, rl_spath(c, sfx), v, "the pod sets %s: true", f[c->rule->param]);
	}
}

#define UPR(p, s, l) "polaris:" p " kube-score:" s " kube-linter:" l

const rl_rule rl_pack_bp_container[] = {
        BP("cpu-request", W, true, "a container has no CPU request",
           "set resources.requests.cpu (e.g. 100m) on every container",
           "polaris:cpuRequestsMissing kube-score:container-resources kube-linter:unset-cpu-requirements",
           resources, CPU_REQ),
        BP("cpu-limit", I, false, "a container has no CPU limit", "set resources.limits.cpu (e.g. 500m)",
           "polaris:cpuLimitsMissing kube-score:container-resources", resources, CPU_LIM),
        BP("memory-request", W, true, "a container has no memory request",
           "set resources.requests.memory (e.g. 128Mi) on every container",
           "polaris:memoryRequestsMissing kube-score:container-resources", resources, MEM_REQ),
        BP("memory-limit", W, true, "a container has no memory limit",
           "set resources.limits.memory (e.g. 256Mi) on every container",
           "polaris:memoryLimitsMissing kube-score:container-resources kube-linter:unset-memory-requirements",
           resources, MEM_LIM),
        BP("requests-equal-limits", I, false, "a container's CPU or memory request differs from its limit",
           "set resources.requests equal to resources.limits (Guaranteed QoS)",
           "kube-score:container-resource-requests-equal-limits "
           "kube-score:container-cpu-requests-equal-limits "
           "kube-score:container-memory-requests-equal-limits",
           requests_equal_limits, 0),
        BP("ephemeral-storage", I, false, "a container has no ephemeral-storage request or limit",
           "set resources.requests and resources.limits of ephemeral-storage (e.g. 1Gi)",
           "kube-score:container-ephemeral-storage-request-and-limit", resources, EPH),
        BP("ephemeral-storage-equal", I, false,
           "a container's ephemeral-storage request differs from its limit",
           "set the ephemeral-storage request equal to the limit",
           "kube-score:container-ephemeral-storage-request-equals-limit", requests_equal_limits, 1),
        BP("image-tag-latest", W, true, "an image has no tag or the tag latest",
           "pin the image to a version tag or a digest: image: registry/app:1.4.2 (or @sha256:...)",
           UPR("tagNotSpecified", "container-image-tag", "latest-tag"), image_tag, 0),
        BP("image-pull-policy-always", I, false, "imagePullPolicy is not Always",
           "set imagePullPolicy: Always (or pin images by digest and keep IfNotPresent)",
           "polaris:pullPolicyNotAlways kube-score:container-image-pull-policy", pull_policy_always, 0),
        BP("readiness-probe", W, true, "a container has no readiness probe",
           "add readinessProbe (httpGet, tcpSocket, grpc or exec) to each serving container",
           UPR("readinessProbeMissing", "pod-probes", "no-readiness-probe"), probe_missing, 0),
        BP("liveness-probe", I, true, "a container has no liveness probe",
           "add livenessProbe that fails only when the process must be restarted",
           UPR("livenessProbeMissing", "pod-probes", "no-liveness-probe"), probe_missing, 1),
        BP("probes-identical", W, true, "readiness and liveness probes are identical",
           "give livenessProbe a different endpoint or a larger failureThreshold than readinessProbe",
           "kube-score:pod-probes-identical", probes_identical, 0),
        BP("probe-port", W, true, "a probe targets a port the container does not declare",
           "point the probe at a declared containerPort (number or name), or declare the port",
           "kube-linter:liveness-port kube-linter:readiness-port kube-linter:startup-port", probe_port, 0),
        BP("privileged", E, false, "a container is privileged",
           "remove securityContext.privileged (or set false)",
           UPR("runAsPrivileged", "container-security-context-privileged", "privileged-container"),
           privileged, 0),
        BP("privilege-escalation", W, false, "a container allows privilege escalation",
           "set securityContext.allowPrivilegeEscalation: false",
           "polaris:privilegeEscalationAllowed kube-linter:privilege-escalation-container",
           privilege_escalation, 0),
        BP("read-only-root-fs", W, true, "a container's root filesystem is writable",
           "set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the app writes",
           UPR("notReadOnlyRootFilesystem", "container-security-context-readonlyrootfilesystem",
               "no-read-only-root-fs"),
           read_only_root, 0),
        BP("run-as-non-root", W, false, "a container may run as root",
           "set securityContext.runAsNonRoot: true (and runAsUser to a non-zero UID if the image has no "
           "USER)",
           UPR("runAsRootAllowed", "container-security-context-user-group-id", "run-as-non-root"),
           run_as_non_root, 0),
        BP("high-uid", I, false, "runAsUser or runAsGroup is below 10000",
           "set securityContext.runAsUser and runAsGroup to 10000 or more",
           "kube-score:container-security-context-user-group-id", high_ids, 0),
        BP("dangerous-capabilities", E, true, "a container adds a dangerous capability",
           "remove ALL, SYS_ADMIN, NET_ADMIN, NET_RAW, SYS_PTRACE and SYS_MODULE from "
           "securityContext.capabilities.add",
           "polaris:dangerousCapabilities kube-linter:privilege-escalation-container "
           "kube-linter:drop-net-raw-capability",
           dangerous_caps, 0),
        BP("drop-capabilities", W, false, "a container does not drop ALL capabilities",
           "set securityContext.capabilities.drop: [\"ALL\"] and add back only what the app needs",
           "polaris:insecureCapabilities kube-linter:drop-net-raw-capability", drop_caps, 0),
        BP("seccomp", W, false, "a container runs without a seccomp profile",
           "set securityContext.seccompProfile.type: RuntimeDefault on the pod",
           "polaris:linuxHardening kube-score:container-seccomp-profile", seccomp, 0),
        BP("proc-mount", E, false, "a container unmasks /proc",
           "remove securityContext.procMount (or set Default)",
           "polaris:procMount kube-linter:unsafe-proc-mount", proc_mount, 0),
        BP("unsafe-sysctls", W, false, "the pod sets a sysctl outside the safe set",
           "remove the sysctl, or move the setting to the node", "kube-linter:unsafe-sysctls", sysctls, 0),
        BP("host-process", E, false, "a Windows HostProcess container",
           "remove securityContext.windowsOptions.hostProcess (or set false)", "polaris:hostProcess",
           host_process, 0),
        BP("host-network", E, false, "the pod uses the host network", "remove hostNetwork (or set false)",
           "polaris:hostNetworkSet kube-linter:host-network", pod_bool, 0),
        BP("host-pid", E, false, "the pod shares the host PID namespace", "remove hostPID (or set false)",
           "polaris:hostPIDSet kube-linter:host-pid", pod_bool, 1),
        BP("host-ipc", E, false, "the pod shares the host IPC namespace", "remove hostIPC (or set false)",
           "polaris:hostIPCSet kube-linter:host-ipc", pod_bool, 2),
        BP("host-port", W, false, "a container binds a host port",
           "remove hostPort and expose the port with a Service", "polaris:hostPortSet", host_port, 0),
        BP("host-path", W, false, "the pod uses a hostPath volume",
           "replace the hostPath volume with emptyDir, a PersistentVolumeClaim, a configMap or a secret",
           "polaris:hostPathSet", host_mounts, 0),
        BP("host-path-writable", W, true, "a container mounts a hostPath volume writable",
           "set readOnly: true on the volumeMount", "kube-linter:writable-host-mount", host_mounts, 1),
        BP("sensitive-host-mount", E, true,
           "a container mounts a sensitive host path or the container runtime socket",
           "do not mount /, /boot, /dev, /etc, /lib, /proc, /sys, /usr or a runtime socket from the host",
           "kube-linter:sensitive-host-mounts kube-linter:docker-sock", host_mounts, 2),
        BP("privileged-port", I, false, "a container listens on a port below 1024",
           "listen on a port of 1024 or more and map it in the Service", "kube-linter:privileged-ports",
           port_rule, 0),
        BP("ssh-port", W, true, "a container exposes SSH (port 22)",
           "remove the SSH port; use kubectl exec or debug", "kube-linter:ssh-port", port_rule, 1),
        BP("port-name", W, true, "a container port has an invalid or duplicate name, or port 0",
           "name ports with 1-15 lowercase letters, digits and '-', each name once",
           "kube-score:container-ports-check kube-linter:invalid-target-ports", port_rule, 2),
        BP("env-secret-literal", W, true, "an environment variable holds a literal secret",
           "move the value into a Secret and use valueFrom.secretKeyRef",
           "polaris:sensitiveContainerEnvVar kube-linter:env-var-secret", env_rule, 0),
        BP("secret-in-env", I, false, "a Secret is read into an environment variable",
           "mount the Secret as a file (secret volume) instead of an env var",
           "kube-linter:read-secret-from-env-var", env_rule, 1),
        BP("duplicate-env", W, true, "an environment variable is set twice in one container",
           "keep one entry per env name",
           "kube-score:environment-variable-key-duplication kube-linter:duplicate-env-var", env_rule, 2),
        RL_PACK_END,
};
