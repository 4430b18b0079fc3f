/*
 * test_valblob.c — the compact byte form of a value tree (lib/valblob.c)
 * and the CRD skeleton a session keeps beside it. Every document of the
 * corpus, and every CRD's pruned tree, goes to bytes and back and must
 * come back the same: gr_equal, and node by node the type, value, member
 * order, key and node positions and merge_keys. For every CRD, stripping
 * its pruned tree for a set of used versions that holds none of its own
 * gives exactly its skeleton (what strip gives when nothing is used), and
 * gri_crd_uses_any says so. Truncated or damaged bytes fail cleanly.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../lib/pipeline.h"
#include "guardrail/guardrail.h"
#include "testlib.h"

#define CORPUS "../shared/corpus"

static size_t ndocs, ncrds, nstripped, nmerged;

/* Node by node, positions included (gr_equal ignores them). */
static bool same(const gr_value *a, const gr_value *b)
{
	if (a->type != b->type || a->line != b->line || a->column != b->column ||
	    a->merge_keys != b->merge_keys)
		return false;
	switch ((gr_type)a->type) {
	case GR_NULL: return true;
	case GR_BOOL: return a->u.b == b->u.b;
	case GR_INT: return a->u.i == b->u.i;
	case GR_DOUBLE: return memcmp(&a->u.d, &b->u.d, sizeof a->u.d) == 0;
	case GR_STRING:
		return a->u.s.len == b->u.s.len && memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0 &&
		       b->u.s.ptr[b->u.s.len] == '\0';
	case GR_ARRAY:
		if (a->u.a.len != b->u.a.len)
			return false;
		for (size_t i = 0; i < a->u.a.len; i++)
			if (!same(&a->u.a.items[i], &b->u.a.items[i]))
				return false;
		return true;
	case GR_OBJECT:
		if (a->u.o.len != b->u.o.len)
			return false;
		nmerged += a->merge_keys != 0;
		for (size_t i = 0; i < a->u.o.len + a->merge_keys; i++) { /* `<<` members too */
			const gr_member *x = &a->u.o.members[i], *y = &b->u.o.members[i];
			if (x->key_len != y->key_len || memcmp(x->key, y->key, x->key_len) != 0 ||
			    y->key[y->key_len] != '\0' || x->key_head != y->key_head || x->line != y->line ||
			    x->column != y->column || !same(&x->value, &y->value))
				return false;
		}
		return true;
	}
	return false;
}

static bool round_trip(const gr_value *v)
{
	unsigned char *blob;
	size_t len;
	if (gri_blob_encode(v, &blob, &len))
		return false;
	gr_arena a;
	gr_arena_init(&a);
	gr_value back;
	bool ok = gri_blob_decode(&a, blob, len, &back) == 0 && gr_equal(v, &back) && same(v, &back);
	gr_arena_free(&a);
	free(blob);
	return ok;
}

static bool never(void *user, const char *group, const char *version, const char *kind)
{
	(void)user, (void)group, (void)version, (void)kind;
	return false;
}

/* Every version of every other CRD is used; none of crd's own. */
static bool others(void *user, const char *group, const char *version, const char *kind)
{
	const gr_value *crd = user;
	const gr_value *spec = gr_get(crd, "spec");
	return strcmp(group, gr_get_str(spec, "group")) != 0 ||
	       strcmp(kind, gr_get_str(gr_get(spec, "names"), "kind")) != 0 || strcmp(version, "v0none") == 0;
}

static bool first_only(void *user, const char *group, const char *version, const char *kind)
{
	return strcmp(version, (const char *)user) == 0;
}

static void check_crd(const gr_value *root)
{
	ncrds++;
	gr_arena a;
	gr_arena_init(&a);
	gr_value pruned = gri_crd_pruned_copy(&a, root);
	CHECK(pruned.type == GR_OBJECT);
	CHECK(round_trip(&pruned));
	gr_value skeleton, stripped;
	int r1 = gri_crd_strip(&a, &pruned, never, NULL, &skeleton);
	int r2 = gri_crd_strip(&a, &pruned, others, (void *)root, &stripped);
	CHECK(r1 == r2 && r1 >= 0);
	if (r1 == 1)
		CHECK(same(&skeleton, &stripped));
	/* written without the copy: the same bytes' tree; and with every version
	 * named, the skeleton of the unpruned tree is the pruned one's */
	unsigned char *blob;
	size_t len;
	gr_value back, skel2;
	CHECK(gri_crd_pruned_encode(root, &blob, &len) == 0);
	CHECK(gri_blob_decode(&a, blob, len, &back) == 0 && same(&back, &pruned));
	free(blob);
	if (r1 == 1 && gri_crd_strip(&a, root, never, NULL, &skel2) == 1)
		CHECK(same(&skel2, &skeleton));
	const gr_value *spec = gr_get(root, "spec");
	if (gr_get_str(spec, "group") && gr_get_str(gr_get(spec, "names"), "kind")) {
		CHECK(!gri_crd_uses_any(&pruned, others, (void *)root));
		const char *v1 = gr_get_str(&gr_get(spec, "versions")->u.a.items[0], "name");
		if (gr_is(gr_get(spec, "versions"), GR_ARRAY) && v1) {
			CHECK(gri_crd_uses_any(&pruned, first_only, (void *)v1));
			nstripped++;
		}
	}
	gr_arena_free(&a);
}

static void check_file(const char *path)
{
	char *data;
	size_t len;
	gr_error err;
	if (gr_read_file(path, 0, &data, &len, &err))
		return;
	gr_arena a;
	gr_arena_init(&a);
	gr_decode_limits limits;
	gr_decode_limits_default(&limits);
	gr_document *docs;
	size_t n = 0;
	gr_decode(&a, data, len, &limits, &docs, &n, &err); /* what decoded counts, errors or not */
	for (size_t i = 0; i < n; i++) {
		ndocs++;
		CHECK(round_trip(&docs[i].root));
		const char *kind = gr_get_str(&docs[i].root, "kind");
		const char *av = gr_get_str(&docs[i].root, "apiVersion");
		if (kind && av && strcmp(kind, "CustomResourceDefinition") == 0 &&
		    strncmp(av, "apiextensions.k8s.io/", 21) == 0)
			check_crd(&docs[i].root);
	}
	gr_arena_free(&a);
	free(data);
}

static void manifest_file(const char *path)
{
	if (test_has_suffix(path, ".yaml") || test_has_suffix(path, ".yml") || test_has_suffix(path, ".json"))
		check_file(path);
}

/* Values the corpus may not hold: merge keys, doubles, negative numbers,
 * big positions, strings with NULs; and damaged bytes. */
static void check_edges(void)
{
	gr_arena a;
	gr_arena_init(&a);
	gr_value items[5] = {gr_make_int(-5), gr_make_int(INT64_MIN), gr_make_null(), gr_make_bool(true),
	                     gr_make_bool(false)};
	items[0].line = 4000000000u;
	items[1].line = 3;
	items[1].column = 4000000000u;
	gr_value arr = {.type = GR_ARRAY, .u.a = {items, 5}};
	gr_value obj = gr_make_object(&a, 3);
	gr_member_set_key(&obj.u.o.members[0], "a\0b", 3);
	obj.u.o.members[0].value = gr_make_string(&a, "x\0y", 3);
	gr_member_set_key(&obj.u.o.members[1], "", 0);
	obj.u.o.members[1].value = arr;
	gr_member_set_key(&obj.u.o.members[2], "a\0c", 3);
	obj.u.o.members[2].value = (gr_value){.type = GR_DOUBLE, .u.d = -0.0, .line = 1, .column = 2};
	obj.u.o.len = 1; /* the other two are its `<<` members */
	obj.merge_keys = 2;
	CHECK(round_trip(&obj));

	unsigned char *blob;
	size_t len;
	CHECK(gri_blob_encode(&obj, &blob, &len) == 0);
	for (size_t cut = 0; cut < len; cut++) { /* every truncation fails, and cleanly */
		gr_value v;
		CHECK(gri_blob_decode(&a, blob, cut, &v) == -1 && v.type == GR_NULL);
	}
	unsigned char bad[] = {GR_ARRAY, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f}; /* a huge count */
	gr_value v;
	CHECK(gri_blob_decode(&a, bad, sizeof bad, &v) == -1);
	unsigned char ref[] = {GR_STRING, 0, 0, 2 << 1}; /* a string seen before: none was */
	CHECK(gri_blob_decode(&a, ref, sizeof ref, &v) == -1);
	free(blob);
	gr_arena_free(&a);
}

/* `<<` merge keys inside a CRD's schema and in its spec: the copies and
 * the bytes keep a mapping's `<<` members (value.h) alike. */
static void check_merged_crd(void)
{
	static const char y[] = "apiVersion: apiextensions.k8s.io/v1\n"
	                        "kind: CustomResourceDefinition\n"
	                        "metadata: {name: ms.example.com}\n"
	                        "base: &b {group: example.com}\n"
	                        "spec:\n"
	                        "  <<: *b\n"
	                        "  names: {kind: M, plural: ms}\n"
	                        "  versions:\n"
	                        "  - name: v1\n"
	                        "    schema:\n"
	                        "      openAPIV3Schema:\n"
	                        "        type: object\n"
	                        "        properties:\n"
	                        "          a: &s {type: string, description: some text}\n"
	                        "          b:\n"
	                        "            <<: *s\n"
	                        "            maxLength: 3\n";
	gr_arena a;
	gr_arena_init(&a);
	gr_decode_limits limits;
	gr_decode_limits_default(&limits);
	gr_document *docs;
	size_t n = 0;
	gr_error err;
	CHECK(gr_decode(&a, y, sizeof y - 1, &limits, &docs, &n, &err) == 0 && n == 1);
	if (n == 1) {
		const gr_value *b = gr_get_path(&docs[0].root, "spec", "versions", NULL);
		CHECK(b && gr_get(&docs[0].root, "spec")->merge_keys == 1);
		gr_value copy = gri_value_copy(&a, &docs[0].root);
		CHECK(same(&copy, &docs[0].root));
		check_crd(&docs[0].root);
	}
	gr_arena_free(&a);
}

int main(void)
{
	check_edges();
	check_merged_crd();
	test_each_file(CORPUS, manifest_file);
	printf("valblob: %zu documents, %zu CRDs (%zu with versions) round-tripped\n", ndocs, ncrds,
	       nstripped);
	CHECK(ndocs > 2000);
	CHECK(nmerged > 0);
	CHECK(ncrds > 80);
	return test_report("valblob");
}
