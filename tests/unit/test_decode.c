/* test_decode.c — YAML and JSON decoding as Kubernetes decodes. */
#include <stdlib.h>
#include <string.h>

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

int main(void)
{
	gr_arena_init(&arena);
	/* YAML 1.1 scalars, as go-yaml v2 resolves them */
	expect_json("a: on\nb: off\nc: yes\nd: no\ne: y\nf: N\ng: True\n",
		    "{\"a\":true,\"b\":false,\"c\":true,\"d\":false,\"e\":true,\"f\":false,\"g\":true}");
	expect_json("a: 0777\nb: 0x1F\nc: 1_000\nd: -12\ne: +5\nf: 0o17\ng: 0b101\n",
		    "{\"a\":511,\"b\":31,\"c\":1000,\"d\":-12,\"e\":5,\"f\":15,\"g\":5}");
	expect_json("a: 1.5\nb: 1e3\nc: 1.0\nd: 08\ne: .5\n", "{\"a\":1.5,\"b\":1000,\"c\":1,\"d\":8,\"e\":0.5}");
	expect_json("a: ~\nb: null\nc:\nd: \"on\"\ne: 'yes'\nf: 2024-01-01\n",
		    "{\"a\":null,\"b\":null,\"c\":null,\"d\":\"on\",\"e\":\"yes\",\"f\":\"2024-01-01\"}");
	expect_json("a: =\nb: 1.2.3\nc: 0x\nd: \"{{ $labels.x }}\"\n",
		    "{\"a\":\"=\",\"b\":\"1.2.3\",\"c\":\"0x\",\"d\":\"{{ $labels.x }}\"}");
	expect_json("on: 1\n1: 2\ntrue: 3\n", "<error -1: duplicate key \"true\" (already set in this mapping)>");
	expect_json("on: 1\n2: x\n", "{\"true\":1,\"2\":\"x\"}");
	expect_json("a: !!str 123\nb: !!int \"7\"\n", "{\"a\":\"123\",\"b\":7}");
	/* anchors, aliases, merge keys */
	expect_json("base: &b {x: 1, w: 2}\nd:\n  <<: *b\n  w: 3\n", "{\"base\":{\"x\":1,\"w\":2},\"d\":{\"x\":1,\"w\":3}}");
	/* go-yaml v2: y and n are booleans, also as keys */
	expect_json("y: 1\nn: 2\n", "{\"true\":1,\"false\":2}");
	expect_json("a: &a [1, 2]\nb: *a\n", "{\"a\":[1,2],\"b\":[1,2]}");
	expect_json("x: &x {p: 1}\nw: &w {p: 2, q: 3}\nz:\n  <<: [*x, *w]\n", "{\"x\":{\"p\":1},\"w\":{\"p\":2,\"q\":3},\"z\":{\"p\":1,\"q\":3}}");
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
		const char *lol = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
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
		const gr_value *v = dec("kind: Pod\nspec:\n  containers:\n  - name: x\n    image: y\n", 0, &rc, &err, NULL);
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
		const char *j = "{\"metadata.labels.a\": 1, \"metadata.labels.b\": 2, \"metadata\": 3, \"meta\": 4,"
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
	gr_arena_free(&arena);
	return test_report("decode");
}
