/*
 * test_core.c — the pieces under every engine: objects (List flattening,
 * the pod spec of every workload kind), the value tree, arenas, and the
 * input walk (which files a directory contributes, in which order).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guardrail/guardrail.h"
#include "testlib.h"

static gr_arena arena;

static gr_object *objects_of(const char *yaml, size_t *n)
{
	gr_document *docs;
	size_t nd;
	gr_error err;
	*n = 0;
	if (gr_decode(&arena, yaml, strlen(yaml), NULL, &docs, &nd, &err) != 0 || nd != 1)
		return NULL;
	gr_object *objs;
	if (gr_objects_from_document(&arena, &docs[0], "t.yaml", &objs, n) != 0)
		return NULL;
	return objs;
}

/* ---- objects ---- */

static const char pod_spec[] = "{containers: [{name: c, image: x}]}";

static void workload(const char *kind, const char *api, const char *wrap_pre, const char *wrap_post,
                     const char *spec_path, const char *meta_path)
{
	char y[1024];
	snprintf(y, sizeof y, "apiVersion: %s\nkind: %s\nmetadata: {name: w, namespace: ns1}\n%s%s%s\n", api,
	         kind, wrap_pre, pod_spec, wrap_post);
	size_t n;
	gr_object *o = objects_of(y, &n);
	CHECK(o && n == 1);
	if (!o || n != 1)
		return;
	CHECK(gr_kind_is_workload(kind));
	CHECK_STR(o->kind, kind);
	CHECK_STR(o->name, "w");
	CHECK_STR(o->namespace_, "ns1");
	CHECK(o->pod_spec != NULL && gr_get(o->pod_spec, "containers") != NULL);
	CHECK_STR(o->pod_spec_path, spec_path);
	CHECK_STR(o->pod_metadata_path, meta_path);
	if (strcmp(kind, "Pod") != 0) /* templates carry labels beside the spec */
		CHECK(o->pod_metadata && gr_get_str(gr_get(o->pod_metadata, "labels"), "app") != NULL);
}

static void test_objects(void)
{
	workload("Pod", "v1", "metadata2: {}\nspec: ", "", "spec", "metadata");
	workload("PodTemplate", "v1", "template:\n  metadata: {labels: {app: a}}\n  spec: ", "",
	         "template.spec", "template.metadata");
	static const char *const apps[] = {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"};
	for (size_t i = 0; i < 4; i++)
		workload(apps[i], "apps/v1",
		         "spec:\n  template:\n    metadata: {labels: {app: a}}\n    spec: ", "",
		         "spec.template.spec", "spec.template.metadata");
	workload("Job", "batch/v1", "spec:\n  template:\n    metadata: {labels: {app: a}}\n    spec: ", "",
	         "spec.template.spec", "spec.template.metadata");
	workload("ReplicationController", "v1",
	         "spec:\n  template:\n    metadata: {labels: {app: a}}\n    spec: ", "", "spec.template.spec",
	         "spec.template.metadata");
	workload("CronJob", "batch/v1",
	         "spec:\n  jobTemplate:\n    spec:\n      template:\n        metadata: {labels: {app: a}}\n"
	         "        spec: ",
	         "", "spec.jobTemplate.spec.template.spec", "spec.jobTemplate.spec.template.metadata");
	/* not workloads */
	size_t n;
	gr_object *o = objects_of("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {}\n", &n);
	CHECK(o && n == 1 && o->pod_spec == NULL && !gr_kind_is_workload("Service"));
	/* group and version from apiVersion; generateName when no name */
	o = objects_of("apiVersion: apps/v1\nkind: Deployment\nmetadata: {generateName: web-}\n", &n);
	CHECK(o && strcmp(o->group, "apps") == 0 && strcmp(o->version, "v1") == 0 &&
	      strcmp(o->name, "web-") == 0);
	o = objects_of("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", &n);
	CHECK(o && o->group[0] == '\0' && strcmp(o->version, "v1") == 0 && o->item == -1);
	/* Lists are flattened, each item numbered */
	o = objects_of("apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: "
	               "{name: a}}\n"
	               "- {apiVersion: v1, kind: Secret, metadata: {name: b}}\n",
	               &n);
	CHECK(o && n == 2 && strcmp(o[1].kind, "Secret") == 0 && o[0].item == 0 && o[1].item == 1);
	o = objects_of("apiVersion: v1\nkind: PodList\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: "
	               "{name: p}\n"
	               "  spec: {containers: []}\n",
	               &n);
	CHECK(o && n == 1 && strcmp(o[0].kind, "Pod") == 0 && o[0].pod_spec != NULL);
	/* a document that is not an object is still one object (judged as bad input) */
	o = objects_of("just a string\n", &n);
	CHECK(o && n == 1 && o->kind[0] == '\0' && o->root && o->root->type == GR_STRING);
}

/* ---- the value tree ---- */

static void test_values(void)
{
	gr_value v;
	gr_error err;
	const char *j = "{\"b\":[1,2.5,\"x\",null,true],\"a\":{\"k\":\"v\"},\"longer-than-8\":1}";
	CHECK(gr_decode_json(&arena, j, strlen(j), NULL, &v, &err) == 0);
	CHECK(v.type == GR_OBJECT && v.u.o.len == 3);
	CHECK_STR(v.u.o.members[0].key, "b"); /* source order kept */
	CHECK(gr_at(gr_get(&v, "b"), 1) && gr_at(gr_get(&v, "b"), 1)->type == GR_DOUBLE);
	CHECK(gr_at(gr_get(&v, "b"), 9) == NULL);
	CHECK_STR(gr_get_str(gr_get_path(&v, "a", NULL), "k"), "v");
	CHECK(gr_get_path(&v, "a", "missing", NULL) == NULL);
	CHECK(gr_get(&v, "longer-than-8") != NULL && gr_get(&v, "longer-than-9") == NULL);
	CHECK(gr_get(gr_at(gr_get(&v, "b"), 0), "x") == NULL); /* not an object */
	const gr_member *m = gr_get_member(&v, "longer-than-8", 13);
	CHECK(m && m->key_head == gr_key_head("longer-than-8", 13));
	/* equality: numbers by value, objects regardless of member order */
	gr_value w;
	const char *j2 = "{\"a\":{\"k\":\"v\"},\"longer-than-8\":1.0,\"b\":[1,2.5,\"x\",null,true]}";
	CHECK(gr_decode_json(&arena, j2, strlen(j2), NULL, &w, &err) == 0);
	CHECK(gr_equal(&v, &w));
	const char *j3 = "{\"a\":{\"k\":\"w\"},\"longer-than-8\":1,\"b\":[1,2.5,\"x\",null,true]}";
	CHECK(gr_decode_json(&arena, j3, strlen(j3), NULL, &w, &err) == 0);
	CHECK(!gr_equal(&v, &w));
	/* JSON out: what went in */
	gr_buf b;
	gr_buf_init(&b);
	gr_write_json(&b, &v, -1);
	CHECK_STR(b.data, "{\"b\":[1,2.5,\"x\",null,true],\"a\":{\"k\":\"v\"},\"longer-than-8\":1}");
	gr_buf_free(&b);
	/* constructors */
	gr_value s = gr_make_string(&arena, "abc", 2);
	CHECK(s.type == GR_STRING && s.u.s.len == 2 && strcmp(s.u.s.ptr, "ab") == 0);
	gr_value arr = gr_make_array(&arena, 3);
	CHECK(arr.type == GR_ARRAY && arr.u.a.len == 3 && arr.u.a.items[2].type == GR_NULL);
	CHECK_STR(gr_type_name(GR_DOUBLE), "number");
	/* positions */
	gr_document *docs;
	size_t nd;
	CHECK(gr_decode(&arena, "a:\n  b: 1\n", 10, NULL, &docs, &nd, &err) == 0 && nd == 1);
	const gr_value *bv = gr_get_path(&docs[0].root, "a", "b", NULL);
	CHECK(bv && bv->line == 2 && bv->column == 6);
}

/* gr_load_prefix is memcpy into a zeroed word, for every length and offset,
 * reading no byte past the length (ASan checks the heap copy's end). */
static void test_load_prefix(void)
{
	unsigned char src[24];
	for (size_t i = 0; i < sizeof src; i++)
		src[i] = (unsigned char)(0x81 + 37 * i);
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n <= 12; n++) {
			char *p = malloc(n ? n : 1);
			memcpy(p, src + off, n);
			uint64_t want = 0;
			memcpy(&want, p, n < 8 ? n : 8);
			CHECK(gr_load_prefix(p, n) == want);
			CHECK(gr_key_head(p, n) == want);
			free(p);
		}
}

/* ---- arenas ---- */

static void test_arenas(void)
{
	gr_arena a;
	gr_arena_init(&a);
	char *p = gr_arena_alloc(&a, 3), *q = gr_arena_alloc(&a, 5);
	CHECK(p && q && ((uintptr_t)p % 16) == 0 && ((uintptr_t)q % 16) == 0 && q != p);
	CHECK(a.used >= 8 && a.reserved >= a.used);
	/* a request bigger than a chunk gets its own and the current chunk keeps filling */
	char *big = gr_arena_alloc(&a, 10u << 20);
	CHECK(big != NULL);
	if (big)
		memset(big, 1, 10u << 20);
	char *after = gr_arena_alloc(&a, 16);
	CHECK(after && after != big);
	int *z = gr_arena_calloc(&a, 100, sizeof *z);
	int zero = 1;
	for (int i = 0; z && i < 100; i++)
		zero &= z[i] == 0;
	CHECK(z && zero);
	CHECK(gr_arena_calloc(&a, SIZE_MAX / 2, 4) == NULL); /* overflow refused */
	CHECK_STR(gr_arena_strndup(&a, "hello", 4), "hell");
	char longfmt[600];
	memset(longfmt, 'x', sizeof longfmt - 1);
	longfmt[sizeof longfmt - 1] = '\0';
	char *pr = gr_arena_printf(&a, "%s-%d", longfmt, 7); /* past the small buffer */
	CHECK(pr && strlen(pr) == 601 && strcmp(pr + 599, "-7") == 0);
	gr_arena_free(&a);
	CHECK(a.used == 0 && a.reserved == 0 && a.head == NULL);
	/* a limit is a cap on what the arena obtains */
	gr_arena_set_limit(&a, 100000);
	CHECK(gr_arena_alloc(&a, 200000) == NULL);
	CHECK(gr_arena_alloc(&a, 1000) != NULL);
	gr_arena_free(&a);
	CHECK(a.limit == 100000); /* kept across free */
	/* a small first chunk for a small input */
	gr_arena s;
	gr_arena_init(&s);
	gr_arena_expect(&s, 100);
	CHECK(gr_arena_alloc(&s, 64) != NULL && s.reserved == 4096);
	gr_arena_expect(&s, 1u << 30); /* capped at the default */
	gr_arena_free(&s);
	CHECK(gr_arena_alloc(&s, 64) != NULL && s.reserved == 64 * 1024);
	gr_arena_free(&s);
}

/* ---- the input walk ---- */

static void touch(const char *dir, const char *name)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	if (f)
		fclose(f);
}

static void test_walk(void)
{
	char tmpl[] = "/tmp/gr-walk-XXXXXX";
	char *d = mkdtemp(tmpl);
	CHECK(d != NULL);
	if (!d)
		return;
	char sub[512], deep[512], loop[600];
	snprintf(sub, sizeof sub, "%s/b-dir", d);
	snprintf(deep, sizeof deep, "%s/b-dir/z", d);
	mkdir(sub, 0755);
	mkdir(deep, 0755);
	touch(d, "c.yaml");
	touch(d, "a.json");
	touch(d, "README.md");
	touch(d, "x.yml");
	touch(d, "noext");
	touch(sub, "m.yaml");
	touch(deep, "n.json");
	snprintf(loop, sizeof loop, "%s/loop", deep);
	CHECK(symlink(d, loop) == 0); /* a cycle: the walk must end */
	gr_pathlist l = {0};
	CHECK(gr_list_manifests(d, &l) == 0);
	/* sorted per directory, depth first; the loop ends at once (each
	 * directory entered once, by device and inode): every file once */
	CHECK(l.n == 5);
	if (l.n == 5) {
		const char *want[] = {"/a.json", "/b-dir/m.yaml", "/b-dir/z/n.json", "/c.yaml", "/x.yml"};
		for (size_t i = 0; i < 5; i++)
			CHECK(strstr(l.v[i], want[i]) && !strstr(l.v[i], "/loop/"));
	}
	for (size_t i = 0; i < l.n; i++)
		CHECK(strstr(l.v[i], "README") == NULL && strstr(l.v[i], "noext") == NULL);
	gr_pathlist_free(&l);
	CHECK(gr_list_manifests("/nonexistent/dir", &l) == -1);
	CHECK(gr_is_manifest_name("a.yaml") && gr_is_manifest_name("b.yml") && gr_is_manifest_name("c.json"));
	CHECK(!gr_is_manifest_name(".yaml") && !gr_is_manifest_name("a.yaml.bak") &&
	      !gr_is_manifest_name("yaml"));
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf %s", d);
	CHECK(system(cmd) == 0);
}

int main(void)
{
	gr_arena_init(&arena);
	test_objects();
	test_values();
	test_load_prefix();
	test_arenas();
	test_walk();
	gr_arena_free(&arena);
	return test_report("core");
}
