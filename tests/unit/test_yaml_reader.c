/*
 * test_yaml_reader.c — guardrail's own YAML reader on hand-written cases:
 * each text is decoded by libyaml and by our reader and the results must
 * match (trees with positions, or errors from both); what our reader does
 * not read must be refused as unsupported with a position.
 */
#include <stdlib.h>
#include <string.h>

#include "guardrail/guardrail.h"
#include "testlib.h"

static int decode_with(int reader, const char *text, gr_arena *a, gr_buf *out, gr_error *err)
{
	gr_decode_limits l;
	gr_decode_limits_default(&l);
	l.yaml_reader = reader;
	gr_document *docs;
	size_t n;
	gr_error_clear(err);
	int rc = gr_decode_yaml(a, text, strlen(text), &l, &docs, &n, err);
	for (size_t i = 0; i < n; i++) {
		char pos[64];
		snprintf(pos, sizeof pos, "[%u@%u:%u]", docs[i].index, docs[i].root.line,
		         docs[i].root.column);
		gr_buf_puts(out, pos);
		gr_write_json(out, &docs[i].root, -1);
	}
	return rc;
}

/* Positions of every node, in order, as text. */
static void positions(const gr_value *v, gr_buf *b)
{
	char t[48];
	snprintf(t, sizeof t, "%u:%u ", v->line, v->column);
	gr_buf_puts(b, t);
	if (v->type == GR_ARRAY)
		for (size_t i = 0; i < v->u.a.len; i++)
			positions(&v->u.a.items[i], b);
	if (v->type == GR_OBJECT)
		for (size_t i = 0; i < v->u.o.len; i++) {
			snprintf(t, sizeof t, "k%u:%u ", v->u.o.members[i].line, v->u.o.members[i].column);
			gr_buf_puts(b, t);
			positions(&v->u.o.members[i].value, b);
		}
}

static void same(const char *text)
{
	gr_arena a1, a2;
	gr_arena_init(&a1);
	gr_arena_init(&a2);
	gr_buf b1, b2;
	gr_buf_init(&b1);
	gr_buf_init(&b2);
	gr_error e1, e2;
	int rc1 = decode_with(GR_YAML_READER_LIBYAML, text, &a1, &b1, &e1);
	int rc2 = decode_with(GR_YAML_READER_OWN, text, &a2, &b2, &e2);
	gr_document *d1, *d2;
	size_t n1 = 0, n2 = 0;
	gr_decode_limits l;
	gr_decode_limits_default(&l);
	l.yaml_reader = GR_YAML_READER_LIBYAML;
	gr_decode_yaml(&a1, text, strlen(text), &l, &d1, &n1, &e1);
	l.yaml_reader = GR_YAML_READER_OWN;
	gr_decode_yaml(&a2, text, strlen(text), &l, &d2, &n2, &e2);
	for (size_t i = 0; i < n1; i++)
		positions(&d1[i].root, &b1);
	for (size_t i = 0; i < n2; i++)
		positions(&d2[i].root, &b2);
	if (rc1 || rc2) {
		char x[600], y[600];
		snprintf(x, sizeof x, "error:%d %s", rc1 != 0, b1.data ? b1.data : "");
		snprintf(y, sizeof y, "error:%d %s", rc2 != 0, b2.data ? b2.data : "");
		if (strcmp(x, y) != 0)
			fprintf(stderr, "case %s: libyaml %u:%u %s | ours %u:%u %s\n", text, e1.line,
			        e1.column, e1.message, e2.line, e2.column, e2.message);
		CHECK_STR(y, x);
	} else {
		CHECK_STR(b2.data ? b2.data : "", b1.data ? b1.data : "");
	}
	gr_buf_free(&b1);
	gr_buf_free(&b2);
	gr_arena_free(&a1);
	gr_arena_free(&a2);
}

static void unsupported(const char *text, unsigned line, unsigned col)
{
	gr_arena a;
	gr_arena_init(&a);
	gr_buf b;
	gr_buf_init(&b);
	gr_error e;
	int rc = decode_with(GR_YAML_READER_OWN, text, &a, &b, &e);
	CHECK(rc == -1);
	CHECK(strstr(e.message, "does not read") != NULL);
	CHECK(e.line == line && e.column == col);
	gr_buf_free(&b);
	gr_arena_free(&a);
}

/* Nesting past the reader's own bound (1000) is refused with a position
 * even when the caller's max_depth would allow it: the C stack stays
 * bounded. */
static void deep_nesting(void)
{
	size_t n = 1200, k = 0;
	char *t = malloc(n * 2 + 3);
	for (size_t i = 0; i < n; i++)
		t[k++] = '[';
	t[k++] = '\n';
	gr_decode_limits l;
	gr_decode_limits_default(&l);
	l.max_depth = 100000;
	l.yaml_reader = GR_YAML_READER_OWN;
	gr_arena a;
	gr_arena_init(&a);
	gr_document *d;
	size_t nd;
	gr_error e;
	gr_error_clear(&e);
	CHECK(gr_decode_yaml(&a, t, k, &l, &d, &nd, &e) == -1);
	CHECK(strstr(e.message, "does not read") != NULL);
	CHECK(e.line == 1 && e.column == 1000); /* the root counts as one level */
	gr_arena_free(&a);
	free(t);
}

int main(void)
{
	static const char *const cases[] = {
	        "a: 1\nb: two\n",
	        "a:\n  b:\n    c: d\n  e: [1, 2, {x: y}]\n",
	        "- a\n- b: c\n  d: e\n- - x\n  - y\n-\n- \n",
	        "key:\n- a\n- b\nnext: 1\n",
	        "plain: this is\n  a multi-line\n\n  plain scalar\nnext: x\n",
	        "s: 'it''s'\nd: \"tab\\there \\u00e9 \\x41 \\U0001F600 \\N\\_\\L\\P \\/ \\\\ \\\" \\0\"\n",
	        "d: \"folded\n  quoted\n\n  text\"\ns: 'one\n  two'\n",
	        "d: \"esc \\\n   aped\"\n",
	        "lit: |\n  line 1\n   line 2\n\n  line 3\n\nfold: >\n  a\n  b\n\n   c\n  d\n\nx: 1\n",
	        "a: |-\n  keep\n\nb: |+\n  keep\n\nc: >2\n   indented\n  x\n",
	        "a: |\n  text\n# comment\nb: >-\n\n  folded\n",
	        "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n",
	        "list: &l [1, 2]\nagain: *l\n",
	        "s: !!str 123\ni: !!int \"7\"\nb: !!binary aGVsbG8=\nt: !local x\nv: "
	        "!<tag:yaml.org,2002:str> 5\n",
	        "%YAML 1.1\n--- \na: 1\n...\n",
	        "--- |\n  doc\n",
	        "a: 1\n---\nb: 2\n--- c\n",
	        "\xEF\xBB\xBF"
	        "a: b\n",
	        "a: 1\r\nb:\r\n  - x\r\n  - 'y\r\n   z'\r\n",
	        "a: 1\rb: 2\r",
	        "# only a comment\n",
	        "a: yes\nb: 0x1F\nc: 1e+3\nd: ~\ne: 1_000\nf: 0777\n",
	        "k: v # comment\n# c\nl: [a, b] # c\n",
	        "empty:\nnull_tag: !!null\nanchored: &a\nref: *a\n",
	        "{a: 1, b: [x, y]}\n",
	        "[a, b, {c: d}]\n",
	        "flow: {a: , b}\n",
	        "multi: [a,\n  b, c\n  ]\n",
	        "'quoted key': 1\n\"dq key\": 2\n",
	        "a: b: c\n",
	        "a: 'unterminated\n",
	        "a: \"bad \\q escape\"\n",
	        "a:\n\t- tab\n",
	        "a: 1\n a: 2\n",
	        "a: 1\na: 2\n",
	        "a: *nope\n",
	        "- a\nb: c\n",
	        "a: [1, 2\n",
	        "a: @x\n",
	        "a: .inf\n",
	        "key: - a\n",
	        "a: b\n  c\n",
	        "- a\n  - b\n",
	        "&x a: 1\nb: *x\n",
	        "a: !!str\nb: &x\n",
	        "a: \"\\ud800\"\n",
	        "a:     \n  - x\n",
	        "top:\n  - name: a\n    value: |\n      line\n  - name: b\n",
	        "a: >\n  x\n\n\n",
	        "a: |2-\n    x\n   y\n",
	        "x: \"a\tb\"\ny: 'c d'   \n",
	        "url: http://example.com:8080/x\ntime: 12:30:00\n",
	        "- -1\n- -x\n- :x\n- ?y\n",
	        "a: \"x\" y\n",
	        "--- a: 1\n",
	        "...\na: 1\n",
	        /* explicit keys, keys of properties only, %TAG, single pairs
	         * in flow sequences, collections as keys (read now; the
	         * builder refuses a collection key as libyaml's path does) */
	        "? a\n: b\n? c\nd: e\n",
	        "? - x\n  - y\n: z\n",
	        "- ? a: 1\n  : b\n",
	        "!!str : x\n&a : y\n",
	        "- !!str\n-\n  !!null : a\n",
	        "%TAG ! tag:x,1:\n--- !a b\n",
	        "%TAG !e! tag:example.com,2000:app/\n---\n- !e!tag%21 baz\n",
	        "[a: b, ? c : d, \"e\":f]\n",
	        "{? a : b, ? c}\n",
	        "[flow]: block\n",
	        "&m\n&k [a]: v\n",
	        "%YAML 1.2\n\t\n---\n",
	        "k: v\n%YAML 1.1\n--- a\n",
	        "-\n>\n x\n",
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		same(cases[i]);
	unsupported("a: \"x\xC2\x85y\"\n", 1, 6);
	deep_nesting();
	return test_report("yaml_reader");
}
