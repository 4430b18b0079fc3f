/*
 * rulepacks_api.c — the deprecated/removed API table against the data it
 * must agree with:
 *  1. the Kubernetes OpenAPI documents (../shared/k8s-openapi/<1.27..1.35>):
 *     a kind served by some version and absent from version N must be
 *     marked removed by N; a row marked removed in N (within the shipped
 *     range) must be absent from N's documents.
 *  2. kube-no-trouble's fixtures (../shared/k8s-deprecations/kube-no-trouble):
 *     every <kind>-<version>.yaml manifest is reported (api.removed or
 *     api.deprecated at the newest target), the expected JSON report's
 *     object, replacement and version are reproduced, and the fake-*
 *     cluster objects are judged by their last-applied-configuration.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/rules/api_int.h"
#include "guardrail/decode.h"
#include "guardrail/object.h"
#include "guardrail/rules.h"
#include "testlib.h"

#define OPENAPI "../shared/k8s-openapi"
#define KUBENT  "../shared/k8s-deprecations/kube-no-trouble/fixtures"

typedef struct gvk_set {
	char **items;
	size_t len, cap;
} gvk_set;

static bool has(const gvk_set *s, const char *k)
{
	for (size_t i = 0; i < s->len; i++)
		if (strcmp(s->items[i], k) == 0)
			return true;
	return false;
}

static void add(gvk_set *s, const char *k)
{
	if (has(s, k))
		return;
	if (s->len == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->items = realloc(s->items, s->cap * sizeof *s->items);
	}
	s->items[s->len++] = strdup(k);
}

static void set_free(gvk_set *s)
{
	for (size_t i = 0; i < s->len; i++)
		free(s->items[i]);
	free(s->items);
	memset(s, 0, sizeof *s);
}

static const char *const skip_kinds[] = {
        "WatchEvent",  "DeleteOptions", "Status", "APIGroup", "APIResourceList",
        "APIVersions", "APIGroupList",  "Scale",  "Eviction", "Binding",
        NULL};

static void scan_doc(const char *path, gvk_set *out)
{
	char *data;
	size_t len;
	gr_error err;
	if (gr_read_file(path, 0, &data, &len, &err) != 0)
		return;
	gr_arena a;
	gr_arena_init(&a);
	gr_value v;
	if (gr_decode_json(&a, data, len, NULL, &v, &err) == 0) {
		const gr_value *schemas = gr_get_path(&v, "components", "schemas", NULL);
		for (size_t i = 0; schemas && schemas->type == GR_OBJECT && i < schemas->u.o.len; i++) {
			const gr_value *s = &schemas->u.o.members[i].value;
			const gr_value *g = gr_get(s, "x-kubernetes-group-version-kind");
			if (!gr_get_path(s, "properties", "metadata", NULL))
				continue;
			for (size_t j = 0; g && g->type == GR_ARRAY && j < g->u.a.len; j++) {
				const char *grp = gr_get_str(&g->u.a.items[j], "group");
				const char *ver = gr_get_str(&g->u.a.items[j], "version");
				const char *kind = gr_get_str(&g->u.a.items[j], "kind");
				if (!grp || !ver || !kind)
					continue;
				size_t kl = strlen(kind);
				bool skip = kl > 4 && strcmp(kind + kl - 4, "List") == 0;
				for (int k = 0; skip_kinds[k]; k++)
					skip |= strcmp(kind, skip_kinds[k]) == 0;
				if (skip)
					continue;
				char key[300];
				snprintf(key, sizeof key, "%s%s%s %s", grp, *grp ? "/" : "", ver, kind);
				add(out, key);
			}
		}
	}
	gr_arena_free(&a);
	free(data);
}

static void scan_version(const char *ver, gvk_set *out)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s/api/v1.json", OPENAPI, ver);
	scan_doc(p, out);
	snprintf(p, sizeof p, "%s/%s/apis", OPENAPI, ver);
	DIR *d = opendir(p);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char gp[1024];
		snprintf(gp, sizeof gp, "%s/%s", p, e->d_name);
		DIR *g = opendir(gp);
		struct dirent *f;
		while (g && (f = readdir(g))) {
			size_t n = strlen(f->d_name);
			if (n < 6 || strcmp(f->d_name + n - 5, ".json"))
				continue;
			char fp[1400];
			snprintf(fp, sizeof fp, "%s/%s", gp, f->d_name);
			scan_doc(fp, out);
		}
		if (g)
			closedir(g);
	}
	closedir(d);
}

static int minor(const char *v)
{
	int a = 0, b = 0;
	return v && sscanf(v, "%d.%d", &a, &b) == 2 ? a * 100 + b : 0;
}

static const rl_api_row *row(const char *key)
{
	for (const rl_api_row *r = rl_api_table; r->api_version; r++) {
		char k[300];
		snprintf(k, sizeof k, "%s %s", r->api_version, r->kind);
		if (strcmp(k, key) == 0)
			return r;
	}
	return NULL;
}

static void test_openapi(void)
{
	static const char *const versions[] = {"1.27", "1.28", "1.29", "1.30", "1.31",
	                                       "1.32", "1.33", "1.34", "1.35"};
	gvk_set seen = {0}, cur = {0};
	size_t removals = 0;
	for (int v = 0; v < 9; v++) {
		set_free(&cur);
		scan_version(versions[v], &cur);
		if (cur.len <= 50)
			fprintf(stderr, "%s: only %zu kinds\n", versions[v], cur.len);
		CHECK(cur.len > 50);
		int n = minor(versions[v]);
		for (size_t i = 0; i < seen.len; i++)
			if (!has(&cur, seen.items[i])) {
				const rl_api_row *r = row(seen.items[i]);
				bool ok = r && minor(r->removed_in) && minor(r->removed_in) <= n;
				if (!ok)
					fprintf(stderr, "%s: absent from %s but not marked removed by it\n",
					        seen.items[i], versions[v]);
				CHECK(ok);
				removals++;
			}
		for (const rl_api_row *r = rl_api_table; r->api_version; r++) {
			if (strcmp(r->component, "k8s") || minor(r->removed_in) > n || !minor(r->removed_in))
				continue;
			char k[300];
			snprintf(k, sizeof k, "%s %s", r->api_version, r->kind);
			if (has(&cur, k))
				fprintf(stderr, "%s: marked removed in %s but served by %s\n", k,
				        r->removed_in, versions[v]);
			CHECK(!has(&cur, k));
		}
		for (size_t i = 0; i < cur.len; i++)
			add(&seen, cur.items[i]);
	}
	/* the documents do drop APIs inside 1.27-1.35 (flowcontrol v1beta2, ...) */
	CHECK(removals >= 10);
	set_free(&seen);
	set_free(&cur);
}

/* ---- kube-no-trouble ---- */

static gr_arena arena;

static int judge_file(const char *path, const char *target, size_t *removed, size_t *deprecated, char *first,
                      size_t firstlen)
{
	char *data;
	size_t len;
	gr_error err;
	*removed = *deprecated = 0;
	if (gr_read_file(path, 0, &data, &len, &err) != 0)
		return -1;
	gr_document *docs;
	size_t nd;
	gr_decode(&arena, data, len, NULL, &docs, &nd, &err);
	gr_object objs[32];
	size_t n = 0;
	for (size_t i = 0; i < nd; i++) {
		gr_object *o;
		size_t no;
		if (gr_objects_from_document(&arena, &docs[i], path, &o, &no) == 0)
			for (size_t j = 0; j < no && n < 32; j++)
				objs[n++] = o[j];
	}
	gr_rules_options opt;
	memset(&opt, 0, sizeof opt);
	const char *only[] = {"api"};
	opt.only = only;
	opt.nonly = 1;
	opt.target_kubernetes = target;
	gr_rules *r;
	gr_rules_new(&r, &opt, &err);
	gr_findings f;
	gr_findings_init(&f, &arena);
	gr_rules_check_set(r, objs, n, &f, &err);
	for (size_t i = 0; i < f.len; i++) {
		if (strcmp(f.items[i].rule, "api.removed") == 0)
			(*removed)++;
		else
			(*deprecated)++;
		if (i == 0 && first)
			snprintf(first, firstlen, "%s", f.items[i].message);
	}
	gr_findings_free(&f);
	gr_rules_free(r);
	free(data);
	return 0;
}

static void test_kubent(void)
{
	DIR *d = opendir(KUBENT);
	CHECK(d != NULL);
	if (!d)
		return;
	struct dirent *e;
	size_t files = 0;
	while ((e = readdir(d))) {
		const char *nm = e->d_name;
		size_t n = strlen(nm);
		bool yaml = n > 5 && (!strcmp(nm + n - 5, ".yaml") || !strcmp(nm + n - 5, ".json"));
		if (!yaml || strncmp(nm, "expected", 8) == 0)
			continue;
		char p[600];
		snprintf(p, sizeof p, "%s/%s", KUBENT, nm);
		size_t rem, dep;
		char msg[512] = "";
		CHECK(judge_file(p, "1.35", &rem, &dep, msg, sizeof msg) == 0);
		files++;
		/* the one fixture whose real apiVersion is nowhere (no annotation) */
		bool expect = strcmp(nm, "fake-deployment-v1beta1-no-annotation.yaml") != 0;
		if (expect != (rem + dep > 0))
			fprintf(stderr, "kubent %s: expected %s, got %zu removed %zu deprecated\n", nm,
			        expect ? "a report" : "none", rem, dep);
		CHECK(expect == (rem + dep > 0));
	}
	closedir(d);
	CHECK(files == 48);
	/* expected-json-output.json: nginx-deployment-old apps/v1beta1 -> apps/v1, removed in 1.16, since 1.9
	 */
	size_t rem, dep;
	char msg[512] = "";
	judge_file(KUBENT "/deployment-v1beta1.yaml", "1.35", &rem, &dep, msg, sizeof msg);
	CHECK(rem == 1 && strstr(msg, "apps/v1beta1 Deployment") &&
	      strstr(msg, "removed in Kubernetes 1.16") && strstr(msg, "use apps/v1 (available since 1.9)"));
	/* at 1.15 the same object is only deprecated (pluto's deprecated116 e2e) */
	judge_file(KUBENT "/deployment-v1beta1.yaml", "1.15", &rem, &dep, msg, sizeof msg);
	CHECK(rem == 0 && dep == 1);
}

int main(void)
{
	gr_arena_init(&arena);
	test_openapi();
	test_kubent();
	gr_arena_free(&arena);
	return test_report("rulepacks_api");
}
