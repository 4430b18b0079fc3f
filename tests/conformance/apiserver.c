/*
 * apiserver.c — conformance with a real kube-apiserver v1.32's verdicts
 * (../shared/conformance/apiserver/cases.jsonl): every corpus object and
 * every single-change mutation, judged with `--engines schema,native` at
 * Kubernetes 1.32 and the corpus CRDs the judge's README lists (the first
 * accepted definition of each name, the Gateway API's experimental copy).
 *
 * Per case: the verdict (rejected = a decode error or an enforce-level
 * finding) against the server's, and for a server rejection with causes the
 * set of (field, reason) against ours (`<nil>` fields not compared, nor
 * our anyOf/oneOf/not findings, which the server reports as `<nil>`; a
 * cause-less rejection compares the verdict only). Cases the server did not
 * judge on the object alone (unknown-kind 404s, cluster-config, already
 * exists) are counted as not judged, with their class.
 *
 * Prints the three figures of issue 13: verdict agreement on corpus objects
 * and on mutations, cause-set equality on rejections. Every disagreement is
 * listed in tests/conformance/apiserver.known-failures (`id reason`); a
 * listed case that agrees fails the run, as does a case count other than
 * the judge's. `-v` prints every case; `-l` prints a known-failures list;
 * `-e LIST` runs other engines (e.g. `-e schema`, the starting point) and
 * prints the disagreements and figures without judging.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/guardrail.h"
#include "guardrail/session.h"

#define CASES    "../shared/conformance/apiserver/cases.jsonl"
#define SCHEMAS  "../shared/k8s-openapi"
#define KNOWN    "tests/conformance/apiserver.known-failures"
#define EXPECTED 3417

static const char *const crd_names[] = {"alertmanagerconfigs.monitoring.coreos.com",
                                        "alertmanagers.monitoring.coreos.com",
                                        "applications.argoproj.io",
                                        "applicationsets.argoproj.io",
                                        "appprojects.argoproj.io",
                                        "authorizationpolicies.security.istio.io",
                                        "backendtlspolicies.gateway.networking.k8s.io",
                                        "cephblockpoolradosnamespaces.ceph.rook.io",
                                        "cephblockpools.ceph.rook.io",
                                        "cephbucketnotifications.ceph.rook.io",
                                        "cephbuckettopics.ceph.rook.io",
                                        "cephclients.ceph.rook.io",
                                        "cephclusters.ceph.rook.io",
                                        "cephconnections.csi.ceph.io",
                                        "cephcosidrivers.ceph.rook.io",
                                        "cephfilesystemmirrors.ceph.rook.io",
                                        "cephfilesystems.ceph.rook.io",
                                        "cephfilesystemsubvolumegroups.ceph.rook.io",
                                        "cephnfses.ceph.rook.io",
                                        "cephnvmeofgateways.ceph.rook.io",
                                        "cephobjectrealms.ceph.rook.io",
                                        "cephobjectstoreaccounts.ceph.rook.io",
                                        "cephobjectstores.ceph.rook.io",
                                        "cephobjectstoreusers.ceph.rook.io",
                                        "cephobjectzonegroups.ceph.rook.io",
                                        "cephobjectzones.ceph.rook.io",
                                        "cephrbdmirrors.ceph.rook.io",
                                        "certificaterequests.cert-manager.io",
                                        "certificates.cert-manager.io",
                                        "challenges.acme.cert-manager.io",
                                        "clientprofilemappings.csi.ceph.io",
                                        "clientprofiles.csi.ceph.io",
                                        "clusterfederatedtrustdomains.spire.spiffe.io",
                                        "clusterissuers.cert-manager.io",
                                        "clusterspiffeids.spire.spiffe.io",
                                        "destinationrules.networking.istio.io",
                                        "drivers.csi.ceph.io",
                                        "envoyfilters.networking.istio.io",
                                        "gatewayclasses.gateway.networking.k8s.io",
                                        "gateways.gateway.networking.k8s.io",
                                        "gateways.networking.istio.io",
                                        "grpcroutes.gateway.networking.k8s.io",
                                        "httproutes.gateway.networking.k8s.io",
                                        "issuers.cert-manager.io",
                                        "listenersets.gateway.networking.k8s.io",
                                        "objectbucketclaims.objectbucket.io",
                                        "objectbuckets.objectbucket.io",
                                        "operatorconfigs.csi.ceph.io",
                                        "orders.acme.cert-manager.io",
                                        "peerauthentications.security.istio.io",
                                        "podmonitors.monitoring.coreos.com",
                                        "probes.monitoring.coreos.com",
                                        "prometheusagents.monitoring.coreos.com",
                                        "prometheuses.monitoring.coreos.com",
                                        "prometheusrules.monitoring.coreos.com",
                                        "proxyconfigs.networking.istio.io",
                                        "referencegrants.gateway.networking.k8s.io",
                                        "requestauthentications.security.istio.io",
                                        "scrapeconfigs.monitoring.coreos.com",
                                        "serviceentries.networking.istio.io",
                                        "servicemonitors.monitoring.coreos.com",
                                        "sidecars.networking.istio.io",
                                        "tcproutes.gateway.networking.k8s.io",
                                        "telemetries.telemetry.istio.io",
                                        "thanosrulers.monitoring.coreos.com",
                                        "tlsroutes.gateway.networking.k8s.io",
                                        "trafficextensions.extensions.istio.io",
                                        "udproutes.gateway.networking.k8s.io",
                                        "virtualservices.networking.istio.io",
                                        "wasmplugins.extensions.istio.io",
                                        "workloadentries.networking.istio.io",
                                        "workloadgroups.networking.istio.io",
                                        "xbackends.gateway.networking.x-k8s.io",
                                        "xbackendtrafficpolicies.gateway.networking.x-k8s.io",
                                        "xmeshes.gateway.networking.x-k8s.io",
                                        NULL};
#define NCRD 75

static int verbose, list_mode;
static const char *engines = "schema,native";

/* ---- known failures ---- */
static char **known;
static bool *known_seen;
static size_t nknown;

static void load_known(void)
{
	FILE *f = fopen(KNOWN, "r");
	if (!f)
		return;
	char line[4096];
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		char *sp = strpbrk(line, " \t\n");
		if (sp)
			*sp = '\0';
		known = realloc(known, (nknown + 1) * sizeof *known);
		known[nknown++] = strdup(line);
	}
	known_seen = calloc(nknown + 1, 1);
	fclose(f);
}

static bool is_known(const char *id)
{
	for (size_t i = 0; i < nknown; i++)
		if (strcmp(known[i], id) == 0) {
			known_seen[i] = true;
			return true;
		}
	return false;
}

/* ---- one case ---- */
typedef struct pair {
	char field[256];
	char reason[64];
} pair;

/* kube-openapi reports an anyOf/oneOf/not that fails as an error of no
 * field (`<nil>`, not compared); ours names the path. The alternative's
 * own errors it reports beside it have fields, and are compared. */
static bool is_composite(const gr_finding *x)
{
	return strcmp(x->rule, "schema.value") == 0 && x->path &&
	       (strstr(x->message, ": must validate at least one schema (anyOf)") ||
	        strstr(x->message, ": must validate one and only one schema (oneOf)") ||
	        strstr(x->message, ": must not validate the schema (not)"));
}

static bool pair_in(const pair *set, int n, const pair *p)
{
	for (int i = 0; i < n; i++)
		if (strcmp(set[i].field, p->field) == 0 && strcmp(set[i].reason, p->reason) == 0)
			return true;
	return false;
}

static const char *str_or(const char *s, const char *d)
{
	return s ? s : d;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0)
			verbose = 1;
		if (strcmp(argv[i], "-l") == 0)
			list_mode = 1;
		if (strcmp(argv[i], "-e") == 0 && i + 1 < argc) /* measure other engines: figures only */
			engines = argv[++i], list_mode = 1;
	}
	load_known();
	gr_error err;
	char *data;
	size_t len;
	if (gr_read_file(CASES, 0, &data, &len, &err) != 0) {
		printf("cannot read %s: %s\napiserver: 0 passed, 1 failed\n", CASES, err.message);
		return 1;
	}
	/* pass 1: CRDs */
	gr_arena crd_arena;
	gr_arena_init(&crd_arena);
	gr_set *crds = gr_set_new();
	const char *crd_src[NCRD] = {0};
	int ncrd = 0;
	for (int round = 0; round < 2; round++) { /* experimental copies first */
		const char *p = data, *end = data + len;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *le = nl ? nl : end;
			if (memmem(p, (size_t)(le - p), "\"kind\": \"CustomResourceDefinition\"", 34) &&
			    memmem(p, (size_t)(le - p), "\"verdict\": \"Success\"", 20)) {
				gr_value c;
				if (gr_decode_json(&crd_arena, p, (size_t)(le - p), NULL, &c, &err) == 0) {
					const char *name = gr_get_str(&c, "name"),
					           *src = gr_get_str(&c, "source"),
					           *man = gr_get_str(&c, "manifest"),
					           *fam = gr_get_str(&c, "family");
					bool exp = src && strstr(src, "/experimental/");
					int k = -1;
					for (int i = 0; name && crd_names[i]; i++)
						if (strcmp(crd_names[i], name) == 0)
							k = i;
					if (k >= 0 && !crd_src[k] && man && fam &&
					    strcmp(fam, "corpus") == 0 && (round == 1 || exp)) {
						gr_document *docs;
						size_t nd;
						if (gr_decode(&crd_arena, man, strlen(man), NULL, &docs, &nd,
						              &err) == 0 &&
						    nd == 1) {
							gr_object *objs;
							size_t no;
							gr_objects_from_document(&crd_arena, &docs[0], src,
							                         &objs, &no);
							for (size_t o = 0; o < no; o++)
								gr_set_add(crds, &objs[o], true);
							crd_src[k] = src;
							ncrd++;
						}
					}
				}
			}
			p = nl ? nl + 1 : end;
		}
	}
	int failed = 0, passed = 0, known_hit = 0;
	if (ncrd != NCRD) {
		printf("FAIL  found %d of the %d CRDs the judge installed\n", ncrd, NCRD);
		failed++;
	}
	gr_options *o = gr_options_new();
	gr_checker *base = NULL, *chk = NULL;
	if (gr_options_select(o, engines, &err) || gr_options_set(o, "schema", "schema-dir", SCHEMAS, &err) ||
	    gr_options_set(o, "schema", "kubernetes-version", "1.32", &err) ||
	    gr_options_set(o, "native", "kubernetes-version", "1.32", &err) ||
	    gr_checker_new(&base, o, &err) || gr_checker_derive(&chk, base, crds, &err)) {
		printf("cannot prepare the checker: %s\napiserver: 0 passed, 1 failed\n", err.message);
		return 1;
	}
	/* pass 2: every case */
	size_t ncases = 0, corpus_judged = 0, corpus_agree = 0, mut_judged = 0, mut_agree = 0, rej = 0,
	       rej_equal = 0, not_judged = 0;
	const char *p = data, *end = data + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if (le == p) {
			p = nl ? nl + 1 : end;
			continue;
		}
		ncases++;
		gr_arena a;
		gr_arena_init(&a);
		gr_value c;
		if (gr_decode_json(&a, p, (size_t)(le - p), NULL, &c, &err) != 0) {
			printf("FAIL  line %zu: %s\n", ncases, err.message);
			failed++;
			gr_arena_free(&a);
			p = nl ? nl + 1 : end;
			continue;
		}
		const char *id = str_or(gr_get_str(&c, "id"), "?"),
		           *fam = str_or(gr_get_str(&c, "family"), ""),
		           *verdict = str_or(gr_get_str(&c, "verdict"), ""),
		           *cls = str_or(gr_get_str(&c, "reject_class"), ""),
		           *man = str_or(gr_get_str(&c, "manifest"), "");
		bool corpus = strcmp(fam, "corpus") == 0;
		bool server_rejects = strcmp(verdict, "Failure") == 0;
		if (server_rejects && strcmp(cls, "invalid") != 0 && strcmp(cls, "bad-request") != 0) {
			not_judged++;
			if (verbose)
				printf("skip  %s: %s\n", id, cls);
			gr_arena_free(&a);
			p = nl ? nl + 1 : end;
			continue;
		}
		/* the server's causes */
		static pair want[64], got[256];
		int nwant = 0, ngot = 0;
		const gr_value *causes = gr_get_path(&c, "status", "details", "causes", NULL);
		for (size_t i = 0; causes && causes->type == GR_ARRAY && i < causes->u.a.len && nwant < 64;
		     i++) {
			const gr_value *cv = &causes->u.a.items[i];
			const char *f = gr_get_str(cv, "field"), *r = gr_get_str(cv, "reason");
			if (!f || strcmp(f, "<nil>") == 0)
				continue;
			pair q;
			snprintf(q.field, sizeof q.field, "%s", f);
			snprintf(q.reason, sizeof q.reason, "%s", str_or(r, ""));
			if (!pair_in(want, nwant, &q))
				want[nwant++] = q;
		}
		/* ours */
		bool rejected = false;
		char why[8192] = "";
		size_t wl = 0;
		gr_document *docs = NULL;
		size_t nd = 0;
		gr_error derr;
		gr_error_clear(&derr);
		if (gr_decode(&a, man, strlen(man), NULL, &docs, &nd, &derr) != 0) {
			rejected = true;
			wl += (size_t)snprintf(why + wl, sizeof why - wl, "\n      decode: %s", derr.message);
		}
		gr_findings f;
		gr_findings_init(&f, &a);
		for (size_t d = 0; d < nd && !derr.message[0]; d++) {
			gr_object *objs;
			size_t no;
			gr_objects_from_document(&a, &docs[d], id, &objs, &no);
			for (size_t k = 0; k < no; k++) {
				gr_check_ctx ctx = {.arena = &a};
				gr_object_status st;
				gr_error cerr;
				if (gr_checker_check_object(chk, &objs[k], &ctx, &f, &st, &cerr) != 0) {
					rejected = true;
					wl += (size_t)snprintf(why + wl, sizeof why - wl,
					                       "\n      engine error: %s", cerr.message);
				}
			}
		}
		for (size_t i = 0; i < f.len; i++) {
			const gr_finding *x = &f.items[i];
			if (wl < sizeof why - 512)
				wl += (size_t)snprintf(why + wl, sizeof why - wl,
				                       "\n      %s %s %s (%s): %.200s", x->rule,
				                       gr_action_name(x->action), x->path,
				                       str_or(x->reason, "-"), x->message);
			if (x->action != GR_ACTION_ENFORCE)
				continue;
			rejected = true;
			if (is_composite(x))
				continue; /* the server's cause has no field: not compared */
			pair q;
			snprintf(q.field, sizeof q.field, "%s", x->path);
			snprintf(q.reason, sizeof q.reason, "%s", str_or(x->reason, ""));
			if (ngot < 256 && !pair_in(got, ngot, &q))
				got[ngot++] = q;
		}
		bool agree = rejected == server_rejects;
		bool causes_ok = true;
		char diff[2048] = "";
		size_t dl = 0;
		if (server_rejects && nwant) {
			rej++;
			for (int i = 0; i < nwant; i++)
				if (!pair_in(got, ngot, &want[i])) {
					causes_ok = false;
					if (dl < sizeof diff - 300)
						dl += (size_t)snprintf(diff + dl, sizeof diff - dl,
						                       " missing %s (%s);", want[i].field,
						                       want[i].reason);
				}
			for (int i = 0; i < ngot; i++)
				if (!pair_in(want, nwant, &got[i])) {
					causes_ok = false;
					if (dl < sizeof diff - 300)
						dl += (size_t)snprintf(diff + dl, sizeof diff - dl,
						                       " extra %s (%s);", got[i].field,
						                       got[i].reason);
				}
			if (agree && causes_ok)
				rej_equal++;
		}
		if (corpus) {
			corpus_judged++;
			corpus_agree += agree;
		} else {
			mut_judged++;
			mut_agree += agree;
		}
		bool ok = agree && causes_ok;
		bool k = is_known(id);
		if (list_mode && !ok) {
			if (!agree)
				printf("%s server %s, guardrail %s\n", id,
				       server_rejects ? "rejects" : "accepts",
				       rejected ? "rejects" : "accepts");
			else
				printf("%s causes differ:%s\n", id, diff);
		} else if (ok && !k) {
			passed++;
			if (verbose)
				printf("ok    %s\n", id);
		} else if (ok && k) {
			failed++;
			printf("FAIL  %s: listed as a known failure but agrees (remove it from %s)\n", id,
			       KNOWN);
		} else if (k) {
			known_hit++;
			if (verbose)
				printf("known %s%s\n", id, why);
		} else {
			failed++;
			const gr_value *msg = gr_get_path(&c, "status", "message", NULL);
			printf("FAIL  %s: server %s, guardrail %s;%s\n      server: %.300s%s\n", id,
			       server_rejects ? "rejects" : "accepts", rejected ? "rejects" : "accepts", diff,
			       msg && msg->type == GR_STRING ? msg->u.s.ptr : "-", why);
		}
		gr_findings_free(&f);
		gr_arena_free(&a);
		p = nl ? nl + 1 : end;
	}
	for (size_t i = 0; i < nknown; i++)
		if (!known_seen[i]) {
			failed++;
			printf("FAIL  %s: listed in %s but no such judged case\n", known[i], KNOWN);
		}
	if (ncases != EXPECTED) {
		failed++;
		printf("FAIL  ran %zu cases, the judge has %d\n", ncases, EXPECTED);
	}
	printf("cases: %zu (%zu not judged on the object alone: unknown kind, cluster config, "
	       "already exists)\n",
	       ncases, not_judged);
	printf("verdict agreement, corpus:    %zu/%zu (%.1f%%)\n", corpus_agree, corpus_judged,
	       corpus_judged ? 100.0 * (double)corpus_agree / (double)corpus_judged : 0.0);
	printf("verdict agreement, mutations: %zu/%zu (%.1f%%)\n", mut_agree, mut_judged,
	       mut_judged ? 100.0 * (double)mut_agree / (double)mut_judged : 0.0);
	printf("cause sets equal on rejections: %zu/%zu (%.1f%%)\n", rej_equal, rej,
	       rej ? 100.0 * (double)rej_equal / (double)rej : 0.0);
	printf("known failures: %d (see %s)\n", known_hit, KNOWN);
	printf("apiserver: %d passed, %d failed\n", passed, failed);
	gr_checker_unref(chk);
	gr_checker_unref(base);
	gr_options_free(o);
	gr_set_free(crds);
	gr_arena_free(&crd_arena);
	free(data);
	return failed ? 1 : 0;
}
