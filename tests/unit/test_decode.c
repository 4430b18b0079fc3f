/* test_decode.c — YAML and JSON decoding as Kubernetes decodes. */
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guardrail/guardrail.h"
#include "testlib.h"

static gr_arena arena;

/* Decode text; return root of document idx (or NULL), set *rc. */
static const gr_value *dec(const char *text, size_t idx, int *rc, gr_error *err, size_t *ndocs_out)
{
	gr_document *docs;
	size_t n;
	gr_error_clear(err);
	*rc = gr_decode(&arena, text, strlen(text), NULL, &docs, &n, err);
	if (ndocs_out)
		*ndocs_out = n;
	return idx < n ? &docs[idx].root : NULL;
}

static void json_of(const gr_value *v, char *out, size_t cap)
{
	gr_buf b;
	gr_buf_init(&b);
	gr_write_json(&b, v, -1);
	snprintf(out, cap, "%s", b.data ? b.data : "");
	gr_buf_free(&b);
}

static void expect_json(const char *yaml, const char *json)
{
	int rc;
	gr_error err;
	const gr_value *v = dec(yaml, 0, &rc, &err, NULL);
	char got[2048] = "";
	if (v)
		json_of(v, got, sizeof got);
	else
		snprintf(got, sizeof got, "<error %d: %s>", rc, err.message);
	CHECK_STR(got, json);
}

static void expect_error(const char *yaml, unsigned line, unsigned col, const char *needle)
{
	int rc;
	gr_error err;
	dec(yaml, 0, &rc, &err, NULL);
	CHECK(rc == -1);
	if (line)
		CHECK(err.line == line);
	if (col)
		CHECK(err.column == col);
	if (needle && !strstr(err.message, needle)) {
		test_failed++;
		fprintf(stderr, "error for %s: \"%s\" lacks \"%s\"\n", yaml, err.message, needle);
	}
	if (rc == -1 && line && err.line != line)
		fprintf(stderr, "  (%s: got %u:%u %s)\n", yaml, err.line, err.column, err.message);
}

/* Decode a buffer of len bytes; number of documents, or -1 (err set). */
static long decode_n(const char *data, size_t len, gr_document **docs, gr_error *err)
{
	size_t n;
	gr_error_clear(err);
	int rc = gr_decode(&arena, data, len, NULL, docs, &n, err);
	return rc ? -1 : (long)n;
}

static void json_at(const gr_document *docs, size_t i, char *out, size_t cap)
{
	json_of(&docs[i].root, out, cap);
}

/* UTF-16 of an ASCII/BMP text with BOM, big or little endian (malloc'd). */
static char *utf16(const char *s, int be, size_t *len)
{
	size_t n = strlen(s);
	unsigned char *o = malloc(2 + 2 * n);
	o[0] = be ? 0xFE : 0xFF;
	o[1] = be ? 0xFF : 0xFE;
	for (size_t i = 0; i < n; i++) {
		o[2 + 2 * i + (be ? 1 : 0)] = (unsigned char)s[i];
		o[2 + 2 * i + (be ? 0 : 1)] = 0;
	}
	*len = 2 + 2 * n;
	return (char *)o;
}

/* Helm's `# Source:` comments: which template, which line of it. */
static void test_source_map(void)
{
	const char *s = "---\n"                                           /* 1 */
	                "# Source: app/templates/a.yaml\n"                /* 2 */
	                "kind: A\n"                                       /* 3 */
	                "data: |\n"                                       /* 4 */
	                "  # Source: inside/a/block.yaml\n"               /* 5 */
	                "---\n"                                           /* 6 */
	                "kind: NoSource\n"                                /* 7 */
	                "---\r\n"                                         /* 8 */
	                "# a note\r\n"                                    /* 9 */
	                "\r\n"                                            /* 10 */
	                "# Source: app/charts/sub/templates/b.yaml  \r\n" /* 11 */
	                "kind: B\r\n"                                     /* 12 */
	                "--- # Source: not/at/the/start.yaml\n"           /* 13 */
	                "# Source: \n"                                    /* 14: no name */
	                "kind: C\n"                                       /* 15 */
	                "---\n"                                           /* 16 */
	                "# Source: last.yaml\n"                           /* 17 */
	                "kind: D";                                        /* 18, no newline */
	gr_source_map m;
	CHECK(gr_source_map_build(s, strlen(s), &m) == 0);
	CHECK(m.n == 3);
	uint32_t line = 0;
	const char *f;
	CHECK((f = gr_source_map_find(&m, 3, &line)) && !strcmp(f, "app/templates/a.yaml") && line == 1);
	CHECK((f = gr_source_map_find(&m, 5, &line)) && !strcmp(f, "app/templates/a.yaml") && line == 3);
	CHECK(!gr_source_map_find(&m, 2, &line)); /* the comment itself */
	CHECK(!gr_source_map_find(&m, 6, &line) && !gr_source_map_find(&m, 7, &line));
	CHECK((f = gr_source_map_find(&m, 12, &line)) && !strcmp(f, "app/charts/sub/templates/b.yaml") &&
	      line == 1);
	CHECK(!gr_source_map_find(&m, 13, &line) && !gr_source_map_find(&m, 15, &line));
	CHECK((f = gr_source_map_find(&m, 18, &line)) && !strcmp(f, "last.yaml") && line == 1);
	CHECK(!gr_source_map_find(&m, 19, &line) && !gr_source_map_find(&m, 0, &line));
	gr_source_map_free(&m);
	CHECK(gr_source_map_build("", 0, &m) == 0 && m.n == 0 && !gr_source_map_find(&m, 1, &line));
	gr_source_map_free(&m);
}

static void test_forms(void)
{
	gr_document *docs;
	gr_error err;
	char got[512];
	/* UTF-16 with BOM, both byte orders, converted as kubectl's reader does;
	 * positions count characters, so they match the UTF-8 text */
	for (int be = 0; be < 2; be++) {
		size_t len;
		char *u = utf16("a: 1\n---\nb: [x, \"y\"]\n", be, &len);
		CHECK(decode_n(u, len, &docs, &err) == 2);
		json_at(docs, 1, got, sizeof got);
		CHECK_STR(got, "{\"b\":[\"x\",\"y\"]}");
		CHECK(docs[1].index == 1 && docs[1].root.line == 3);
		/* through the chunked path too (what `check` uses) */
		gr_chunk *ch;
		size_t nch, nd;
		CHECK(gr_split_yaml(u, len, &ch, &nch) == 0 && nch == 1);
		CHECK(gr_decode_yaml_chunk(&arena, u, len, &ch[0], NULL, &docs, &nd, &err) == 0 && nd == 2);
		free(ch);
		free(u);
		u = utf16("{\"kind\": \"Pod\"}", be, &len);
		CHECK(decode_n(u, len, &docs, &err) == 1);
		free(u);
	}
	{
		/* a surrogate pair and an unpaired surrogate (U+FFFD) */
		const unsigned char le[] = {0xFF, 0xFE, 'a',  0,    ':',  0,    ' ', 0,
		                            0x3D, 0xD8, 0x00, 0xDE, 0x00, 0xD8, 'x', 0};
		CHECK(decode_n((const char *)le, sizeof le, &docs, &err) == 1);
		json_of(&docs[0].root, got, sizeof got);
		CHECK_STR(got, "{\"a\":\"\xf0\x9f\x98\x80\xef\xbf\xbdx\"}");
		/* UTF-32: kubectl cannot read it; a clear error */
		const unsigned char u32[] = {0xFF, 0xFE, 0, 0, 'a', 0, 0, 0};
		CHECK(decode_n((const char *)u32, sizeof u32, &docs, &err) == -1 &&
		      strstr(err.message, "UTF-32") && err.kind == GR_ERR_ENCODING);
		const unsigned char u32be[] = {0, 0, 0xFE, 0xFF, 0, 0, 0, 'a'};
		CHECK(decode_n((const char *)u32be, sizeof u32be, &docs, &err) == -1 &&
		      strstr(err.message, "UTF-32"));
		/* UTF-8 BOM before a separator line */
		const char *bom = "\xEF\xBB\xBF---\na: 1\n---\nb: 2\n";
		gr_chunk *ch;
		size_t nch;
		CHECK(gr_split_yaml(bom, strlen(bom), &ch, &nch) == 0 && nch == 2 && ch[0].line == 2);
		free(ch);
		CHECK(decode_n(bom, strlen(bom), &docs, &err) == 2);
	}
	{
		/* concatenated JSON and NDJSON: one document per value, exact positions */
		const char *nd = "{\"a\": 1}\n{\"b\": 2}\n\n  {\"c\":\n 3}{\"d\":4}\n";
		CHECK(decode_n(nd, strlen(nd), &docs, &err) == 4);
		CHECK(docs[2].index == 2 && docs[2].root.line == 4 && docs[2].root.column == 3);
		const gr_member *m = gr_get_member(&docs[2].root, "c", 1);
		CHECK(m && m->value.line == 5 && m->value.column == 2);
		CHECK(docs[3].root.line == 5 && docs[3].root.column == 4 && docs[3].index == 3);
		/* after two values the stream is JSON: its error stands, with its position */
		const char *bad = "{\"a\": 1}\n{\"b\": 2}\n{\"c\": tru}\n";
		CHECK(decode_n(bad, strlen(bad), &docs, &err) == -1 && err.line == 3 && err.column == 7);
		/* one JSON value, then YAML */
		const char *mixed = "{\"a\": 1}\nb: 2\n---\nc: 3\n";
		CHECK(decode_n(mixed, strlen(mixed), &docs, &err) == 3);
		CHECK(docs[1].root.line == 2 && docs[2].root.line == 4 && docs[2].index == 2);
		/* a YAML flow mapping that starts like JSON */
		const char *flow = "{a: 1, b: [x]}\n---\nc: 2\n";
		CHECK(decode_n(flow, strlen(flow), &docs, &err) == 2);
	}
	/* !!binary makes a Secret's data what the API server sees */
	expect_json("data: {k: !!binary aGVsbG8=}\n", "{\"data\":{\"k\":\"hello\"}}");
	/* overflowing and special floats */
	expect_json("data: {k: 1e400}\nnum: 1e400\n", "{\"data\":{\"k\":\"1e400\"},\"num\":\"1e400\"}");
	expect_error("replicas: .inf\n", 1, 11, "+Inf");
	expect_error("a:\n  - -.inf\n", 2, 5, "-Inf");
}

static void test_lists(void)
{
	gr_document *docs;
	gr_error err;
	gr_object *objs;
	size_t n;
	/* nested Lists are flattened, breadth first as kubectl's FlattenListVisitor */
	const char *y =
	        "apiVersion: v1\nkind: List\nitems:\n"
	        "- apiVersion: v1\n  kind: List\n  items:\n"
	        "  - {apiVersion: v1, kind: Pod, metadata: {name: inner}}\n"
	        "- {apiVersion: v1, kind: Pod, metadata: {name: outer}}\n"
	        "- apiVersion: v1\n  kind: ConfigMapList\n  metadata: {resourceVersion: \"1\"}\n  items:\n"
	        "  - metadata: {name: cm}\n    data: {a: b}\n";
	CHECK(decode_n(y, strlen(y), &docs, &err) == 1);
	CHECK(gr_objects_from_document(&arena, &docs[0], "l.yaml", &objs, &n) == 0 && n == 3);
	if (n == 3) {
		CHECK(strcmp(objs[0].name, "outer") == 0 && objs[0].item == 0);
		CHECK(strcmp(objs[1].name, "inner") == 0 && strcmp(objs[1].kind, "Pod") == 0);
		/* the ConfigMapList's item is a ConfigMap of the list's apiVersion */
		CHECK(strcmp(objs[2].kind, "ConfigMap") == 0 && strcmp(objs[2].api_version, "v1") == 0 &&
		      strcmp(objs[2].name, "cm") == 0);
		CHECK(gr_get_str(objs[2].root, "kind") &&
		      strcmp(gr_get_str(objs[2].root, "kind"), "ConfigMap") == 0);
		CHECK(objs[1].pod_spec == NULL && objs[1].root->line == 7);
	}
	/* PodList items without kind are Pods; items with a kind keep it */
	const char *pl =
	        "apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: a}\n  spec: {containers: []}\n"
	        "- {apiVersion: apps/v1, kind: Deployment, metadata: {name: d}}\n";
	CHECK(decode_n(pl, strlen(pl), &docs, &err) == 1);
	CHECK(gr_objects_from_document(&arena, &docs[0], "p.yaml", &objs, &n) == 0 && n == 2);
	if (n == 2) {
		CHECK(strcmp(objs[0].kind, "Pod") == 0 && objs[0].pod_spec != NULL);
		CHECK(strcmp(objs[1].kind, "Deployment") == 0);
	}
	/* an empty List yields no object; a non-array items is an object */
	const char *el = "kind: List\nitems: []\n---\nkind: Thing\nitems: 5\n";
	CHECK(decode_n(el, strlen(el), &docs, &err) == 2);
	CHECK(gr_objects_from_document(&arena, &docs[0], "e.yaml", &objs, &n) == 0 && n == 0);
	CHECK(gr_objects_from_document(&arena, &docs[1], "e.yaml", &objs, &n) == 0 && n == 1);
}

/* Peak of arena use plus nothing else, for a decode of text. */
static void test_limits(void)
{
	gr_document *docs;
	gr_error err;
	/* a dense JSON array needs 16+ bytes per input byte: a clear error */
	size_t big = 4u << 20;
	char *arr = malloc(big + 2);
	arr[0] = '[';
	for (size_t i = 1; i < big; i += 2)
		arr[i] = '1', arr[i + 1] = ',';
	arr[big - 1] = '1';
	arr[big] = ']';
	gr_arena a;
	gr_arena_init(&a);
	size_t n;
	CHECK(gr_decode(&a, arr, big + 1, NULL, &docs, &n, &err) == -1 && strstr(err.message, "too dense") &&
	      err.kind == GR_ERR_SIZE);
	CHECK(a.reserved < 16 * (big + 1) + (8u << 20));
	gr_arena_free(&a);
	/* the same as YAML flow */
	arr[0] = '[';
	CHECK(gr_decode_yaml(&a, arr, big + 1, NULL, &docs, &n, &err) == -1 &&
	      strstr(err.message, "too dense"));
	CHECK(a.reserved < 16 * (big + 1) + (8u << 20));
	gr_arena_free(&a);
	free(arr);
	/* a JSON attempt that fails late leaves its nodes in the arena: the YAML
	 * second reading gets only what is left of the one budget */
	{
		gr_buf b;
		gr_buf_init(&b);
		gr_buf_puts(&b, "{\"a\": [");
		for (int i = 0; i < 400000; i++)
			gr_buf_puts(&b, "1,    "); /* 13x for either reading alone, 18x for both */
		gr_buf_puts(&b, "1], \"b\": tru}");
		gr_arena_init(&a);
		CHECK(gr_decode(&a, b.data, b.len, NULL, &docs, &n, &err) == -1 &&
		      strstr(err.message, "invalid literal"));
		CHECK(a.used < 16 * b.len + 65536 + 4096);
		gr_arena_free(&a);
		gr_buf_free(&b);
	}
	/* ordinary manifests stay far below the budget */
	const char *ok = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: v, l: w}\n";
	CHECK(decode_n(ok, strlen(ok), &docs, &err) == 1);
	/* a merge over 60,000 keys is linear: well under a second */
	{
		gr_buf b;
		gr_buf_init(&b);
		gr_buf_puts(&b, "base: &b\n");
		for (int i = 0; i < 60000; i++)
			gr_buf_printf(&b, "  k%d: %d\n", i, i);
		gr_buf_puts(&b, "m:\n  <<: *b\n  k1: x\n");
		clock_t t0 = clock();
		CHECK(decode_n(b.data, b.len, &docs, &err) == 1);
		double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
		CHECK(secs < 2.0);
		const gr_value *m = gr_get(&docs[0].root, "m");
		CHECK(m && m->u.o.len == 60000 && gr_get(m, "k1") && gr_get(m, "k1")->type == GR_STRING);
		gr_buf_free(&b);
	}
	/* duplicate keys among many are found, the first repeat reported */
	{
		gr_buf b;
		gr_buf_init(&b);
		for (int i = 0; i < 1000; i++)
			gr_buf_printf(&b, "key%d: %d\n", i, i);
		gr_buf_puts(&b, "key7: again\nkey9: again\n");
		CHECK(decode_n(b.data, b.len, &docs, &err) == -1 && err.line == 1001 &&
		      strstr(err.message, "key7"));
		gr_buf_free(&b);
	}
}

/* Numbers parse the same under a locale whose decimal point is a comma. */
static void test_locale(void)
{
	const char *locs[] = {"de_DE.UTF-8", "fr_FR.UTF-8", "de_DE", NULL};
	const char *set = NULL;
	for (int i = 0; locs[i] && !set; i++)
		set = setlocale(LC_NUMERIC, locs[i]);
	if (!set)
		fprintf(stderr, "test_locale: no comma locale installed; checking under \"C\" only\n");
	expect_json("a: 1.5\nb: 2.5e+3\n1.25: k\n0.1: l\n",
	            "{\"a\":1.5,\"b\":2500,\"1.25\":\"k\",\"0.1\":\"l\"}");
	expect_json("{\"a\": 0.125}", "{\"a\":0.125}");
	setlocale(LC_NUMERIC, "C");
}

/* gr_decode_limits.duplicate_keys_last_wins (kube-linter's loader) and the
 * << keys a merged mapping keeps (gr_value.merge_keys). */
static void test_last_wins_and_merge_keys(void)
{
	gr_decode_limits lim;
	gr_decode_limits_default(&lim);
	gr_document *docs;
	size_t nd;
	gr_error err;
	const char *dup = "a: 1\nb: 2\na: 3\n";
	CHECK(gr_decode_yaml(&arena, dup, strlen(dup), &lim, &docs, &nd, &err) != 0);
	lim.duplicate_keys_last_wins = true;
	CHECK(gr_decode_yaml(&arena, dup, strlen(dup), &lim, &docs, &nd, &err) == 0 && nd == 1 &&
	      docs[0].root.u.o.len == 2 && !strcmp(docs[0].root.u.o.members[0].key, "a") &&
	      gr_get(&docs[0].root, "a")->u.i == 3 && docs[0].root.merge_keys == 0);
	const char *merged = "x: &x {p: 1, q: 2}\nz:\n  r: 0\n  <<: *x\n  q: 5\n  p: 6\n  p: 7\n";
	CHECK(gr_decode_yaml(&arena, merged, strlen(merged), &lim, &docs, &nd, &err) == 0 && nd == 1);
	const gr_value *z = nd == 1 ? gr_get(&docs[0].root, "z") : NULL;
	CHECK(z && z->u.o.len == 3 && z->merge_keys == 1 && gr_get(z, "p")->u.i == 7 &&
	      gr_get(z, "q")->u.i == 5);
	if (z && z->merge_keys == 1)
		CHECK(!strcmp(z->u.o.members[z->u.o.len].key, "<<") && z->u.o.members[z->u.o.len].line == 4 &&
		      z->u.o.members[z->u.o.len].column == 3);
	lim.duplicate_keys_last_wins = false;
	const char *two = "x: &x {p: 1}\ny: &y {q: 1}\nz: {<<: *x, <<: *y, r: 1}\n";
	CHECK(gr_decode_yaml(&arena, two, strlen(two), &lim, &docs, &nd, &err) == 0 && nd == 1 &&
	      gr_get(&docs[0].root, "z")->merge_keys == 2 && docs[0].root.merge_keys == 0 &&
	      gr_get(&docs[0].root, "x")->merge_keys == 0);
}

int main(void)
{
	gr_arena_init(&arena);
	test_last_wins_and_merge_keys();
	/* YAML 1.1 scalars, as go-yaml v2 resolves them */
	expect_json("a: on\nb: off\nc: yes\nd: no\ne: y\nf: N\ng: True\n",
	            "{\"a\":true,\"b\":false,\"c\":true,\"d\":false,\"e\":true,\"f\":false,\"g\":true}");
	expect_json("a: 0777\nb: 0x1F\nc: 1_000\nd: -12\ne: +5\nf: 0o17\ng: 0b101\n",
	            "{\"a\":511,\"b\":31,\"c\":1000,\"d\":-12,\"e\":5,\"f\":15,\"g\":5}");
	expect_json("a: 1.5\nb: 1e3\nc: 1.0\nd: 08\ne: .5\n",
	            "{\"a\":1.5,\"b\":1000,\"c\":1,\"d\":8,\"e\":0.5}");
	expect_json("a: ~\nb: null\nc:\nd: \"on\"\ne: 'yes'\nf: 2024-01-01\n",
	            "{\"a\":null,\"b\":null,\"c\":null,\"d\":\"on\",\"e\":\"yes\",\"f\":\"2024-01-01\"}");
	expect_json("a: =\nb: 1.2.3\nc: 0x\nd: \"{{ $labels.x }}\"\n",
	            "{\"a\":\"=\",\"b\":\"1.2.3\",\"c\":\"0x\",\"d\":\"{{ $labels.x }}\"}");
	expect_json("on: 1\n1: 2\ntrue: 3\n",
	            "<error -1: duplicate key \"true\" (already set in this mapping)>");
	expect_json("on: 1\n2: x\n", "{\"true\":1,\"2\":\"x\"}");
	expect_json("a: !!str 123\nb: !!int \"7\"\n", "{\"a\":\"123\",\"b\":7}");
	/* anchors, aliases, merge keys */
	expect_json("base: &b {x: 1, w: 2}\nd:\n  <<: *b\n  w: 3\n",
	            "{\"base\":{\"x\":1,\"w\":2},\"d\":{\"x\":1,\"w\":3}}");
	/* go-yaml v2: y and n are booleans, also as keys */
	expect_json("y: 1\nn: 2\n", "{\"true\":1,\"false\":2}");
	expect_json("a: &a [1, 2]\nb: *a\n", "{\"a\":[1,2],\"b\":[1,2]}");
	expect_json("x: &x {p: 1}\nw: &w {p: 2, q: 3}\nz:\n  <<: [*x, *w]\n",
	            "{\"x\":{\"p\":1},\"w\":{\"p\":2,\"q\":3},\"z\":{\"p\":1,\"q\":3}}");
	/* errors carry positions */
	expect_error("a: 1\na: 2\n", 2, 1, "duplicate key \"a\"");
	expect_error("a: 1\n b: 2\n", 2, 3, "mapping values are not allowed");
	expect_error("a: *nope\n", 1, 4, "unknown anchor");
	expect_error("a: [1, 2\n", 0, 0, NULL);
	{
		gr_document *docs;
		size_t n;
		gr_error err;
		int rc = gr_decode(&arena, "a: b\n c\0d", 10, NULL, &docs, &n, &err);
		CHECK(rc == -1 && err.line == 2 && err.column == 3 && strstr(err.message, "NUL byte"));
	}
	{
		/* billion laughs */
		const char *lol =
		        "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
		        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
		        "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
		        "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n";
		expect_error(lol, 0, 0, "excessive aliasing");
	}
	{
		/* deep nesting is an error, not a stack overflow */
		size_t n = 100000;
		char *deep = malloc(n * 2 + 1);
		memset(deep, '[', n);
		memset(deep + n, ']', n);
		deep[2 * n] = '\0';
		expect_error(deep, 1, 0, "nested too deeply");
		deep[0] = ' ';
		deep[1] = 'a';
		deep[2] = ':';
		deep[3] = ' ';
		deep[2 * n - 1] = '\0';
		expect_error(deep, 1, 0, "nested too deeply");
		free(deep);
	}
	/* multi-document streams; empty and comment-only documents are skipped */
	{
		int rc;
		gr_error err;
		size_t n;
		gr_document *docs;
		const char *s = "# only a comment\n---\na: 1\n---\n---\n# c\n---\nb: 2\n";
		rc = gr_decode(&arena, s, strlen(s), NULL, &docs, &n, &err);
		CHECK(rc == 0);
		CHECK(n == 2);
		if (n == 2) {
			CHECK(docs[0].root.line == 3);
			CHECK(docs[1].root.line == 8);
			CHECK(docs[1].index > docs[0].index);
		}
		dec("# nothing\n", 0, &rc, &err, &n);
		CHECK(rc == 0 && n == 0);
		dec("", 0, &rc, &err, &n);
		CHECK(rc == 0 && n == 0);
	}
	/* positions */
	{
		int rc;
		gr_error err;
		const gr_value *v = dec("kind: Pod\nspec:\n  containers:\n  - name: x\n    image: y\n", 0,
		                        &rc, &err, NULL);
		const gr_value *img = gr_at(gr_get_path(v, "spec", "containers", NULL), 0);
		img = gr_get(img, "image");
		CHECK(img && img->line == 5 && img->column == 12);
		const gr_member *m = gr_get_member(gr_get(v, "spec"), "containers", 10);
		CHECK(m && m->line == 3 && m->column == 3);
	}
	/* JSON */
	expect_json("{\"a\": [1, 2.5, \"x\\u00e9\\ud83d\\ude00\", true, null], \"b\": {}}",
	            "{\"a\":[1,2.5,\"x\xc3\xa9\xf0\x9f\x98\x80\",true,null],\"b\":{}}");
	expect_json("{\"big\": 12345678901234567890, \"neg\": -9223372036854775808}",
	            "{\"big\":12345678901234567000,\"neg\":-9223372036854775808}");
	expect_error("{\"a\": 1,\n \"a\": 2}", 2, 2, "duplicate key");
	/* JSON that fails before a second value is read again as YAML, as
	 * apimachinery's YAMLOrJSONDecoder does; the JSON error stands when the
	 * YAML fails too */
	expect_json("{\"a\": tru}", "{\"a\":\"tru\"}");
	expect_json("[1, 2,]", "[1,2]");
	expect_error("{\"a\": [tru}", 1, 8, "invalid literal");
	/* a number out of range is no syntax error to Go's json.Decoder: the
	 * unmarshalling fails, and no YAML second reading turns it into a string */
	expect_error("{\"a\": 1e400}", 1, 7, "out of range");
	expect_error("{\"a\": \"\xff\"}", 1, 8, "invalid UTF-8");
	{
		/* a failed JSON decode reports no documents (fuzz regression) */
		gr_document *docs = (gr_document *)&arena;
		size_t n = 77;
		gr_error err;
		CHECK(gr_decode(&arena, "{\"a\": ", 6, NULL, &docs, &n, &err) == -1);
		CHECK(n == 0 && docs == NULL);
	}
	{
		/* a backslash as the last byte of an unterminated string (fuzz regression) */
		gr_document *docs;
		size_t n;
		gr_error err;
		char *buf = malloc(5);
		memcpy(buf, "{\"ab\\", 5);
		CHECK(gr_decode(&arena, buf, 5, NULL, &docs, &n, &err) == -1);
		CHECK(strstr(err.message, "unterminated string") != NULL);
		free(buf);
	}
	{
		/* apimachinery's split: empty pieces are not documents; `--- x` is no separator */
		const char *s = "---\na: 1\n---\n---  # c\nb: [\n--- \n# only comment\n---\nc: 3\n";
		gr_chunk *ch;
		size_t n;
		CHECK(gr_split_yaml(s, strlen(s), &ch, &n) == 0);
		CHECK(n == 4);
		if (n == 4) {
			CHECK(ch[0].line == 2 && ch[0].index == 0);
			CHECK(ch[1].line == 5 && ch[1].index == 1);
			CHECK(ch[2].line == 7 && ch[2].index == 2);
			CHECK(ch[3].line == 9 && ch[3].index == 3);
		}
		free(ch);
		/* a bad document fails alone: the ones after it still decode */
		gr_document *docs;
		gr_error err;
		CHECK(gr_decode(&arena, s, strlen(s), NULL, &docs, &n, &err) == -1);
		CHECK(err.line == 6);
		CHECK(n == 2);
		if (n == 2) {
			CHECK(docs[0].index == 0 && docs[0].root.line == 2);
			CHECK(docs[1].index == 3 && docs[1].root.line == 9);
		}
	}
	{
		/* member lookup by inline key head: keys sharing their first 8 bytes,
		 * keys shorter than 8, the empty key, and a key with a NUL inside */
		const char *j =
		        "{\"metadata.labels.a\": 1, \"metadata.labels.b\": 2, \"metadata\": 3, \"meta\": 4,"
		        "\"\": 5, \"a\\u0000b\": 6, \"a\": 7}";
		gr_value v;
		gr_error err;
		CHECK(gr_decode_json(&arena, j, strlen(j), NULL, &v, &err) == 0);
		const gr_value *x;
		CHECK((x = gr_get(&v, "metadata.labels.b")) && x->u.i == 2);
		CHECK((x = gr_get(&v, "metadata.labels.a")) && x->u.i == 1);
		CHECK((x = gr_get(&v, "metadata")) && x->u.i == 3);
		CHECK((x = gr_get(&v, "meta")) && x->u.i == 4);
		CHECK((x = gr_getn(&v, "", 0)) && x->u.i == 5);
		CHECK((x = gr_getn(&v, "a\0b", 3)) && x->u.i == 6);
		CHECK((x = gr_get(&v, "a")) && x->u.i == 7);
		CHECK(gr_get(&v, "metadata.labels.c") == NULL && gr_get(&v, "metad") == NULL);
		/* the same through YAML, where keys come from the resolver */
		gr_document *docs;
		size_t n;
		const char *y = "metadata.labels.a: 1\nmetadata.labels.b: 2\non: 3\n";
		CHECK(gr_decode(&arena, y, strlen(y), NULL, &docs, &n, &err) == 0 && n == 1);
		CHECK((x = gr_get(&docs[0].root, "metadata.labels.b")) && x->u.i == 2);
		CHECK((x = gr_get(&docs[0].root, "true")) && x->u.i == 3);
	}
	test_forms();
	test_source_map();
	test_lists();
	test_limits();
	test_locale();
	gr_arena_free(&arena);
	return test_report("decode");
}
