/*
 * test_regex.c — lib/regex: Go's parse errors (wording and offset, as
 * regexp/syntax words them), its limits, and matching semantics that the
 * RE2 oracle (tests/scripts/regex-oracle.sh) cannot judge: invalid UTF-8
 * subjects, find-all, Expand and replace-all, named groups, options.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail/regex.h"
#include "testlib.h"

static void error_is(const char *pat, size_t len, const char *want, size_t offset)
{
	gr_regex_error err;
	gr_regex *re = gr_regex_compile(pat, len, NULL, &err);
	CHECK(re == NULL);
	gr_regex_free(re);
	CHECK_STR(err.message, want);
	if (err.offset != offset)
		fprintf(stderr, "  offset for %s: %zu, want %zu\n", pat, err.offset, offset);
	CHECK(err.offset == offset);
}

#define ERR(p, want, off) error_is(p, strlen(p), want, off)

static void test_errors(void)
{
	ERR("(", "error parsing regexp: missing closing ): `(`", 0);
	ERR("a(b", "error parsing regexp: missing closing ): `a(b`", 1);
	ERR("a)", "error parsing regexp: unexpected ): `a)`", 1);
	ERR(")", "error parsing regexp: unexpected ): `)`", 0);
	ERR("[a", "error parsing regexp: missing closing ]: `[a`", 0);
	ERR("x[]", "error parsing regexp: missing closing ]: `[]`", 1);
	ERR("a**", "error parsing regexp: invalid nested repetition operator: `**`", 1);
	ERR("a*+?", "error parsing regexp: invalid nested repetition operator: `*+?`", 1);
	ERR("x{2}{3}", "error parsing regexp: invalid nested repetition operator: `{2}{3}`", 1);
	ERR("*", "error parsing regexp: missing argument to repetition operator: `*`", 0);
	ERR("a|*?", "error parsing regexp: missing argument to repetition operator: `*?`", 2);
	ERR("({2})", "error parsing regexp: missing argument to repetition operator: `{2}`", 1);
	ERR("a{1001}", "error parsing regexp: invalid repeat count: `{1001}`", 1);
	ERR("a{2,1}", "error parsing regexp: invalid repeat count: `{2,1}`", 1);
	ERR("a{100000000000}", "error parsing regexp: invalid repeat count: `{100000000000}`", 1);
	ERR("^([a-z]{1,1000}){1,1000}$", "error parsing regexp: invalid repeat count: `{1,1000}`", 16);
	ERR("((a{10}){10}){11}", "error parsing regexp: invalid repeat count: `{11}`", 13);
	ERR("\\8", "error parsing regexp: invalid escape sequence: `\\8`", 0);
	ERR("(a)\\1", "error parsing regexp: invalid escape sequence: `\\1`", 3);
	ERR("\\C", "error parsing regexp: invalid escape sequence: `\\C`", 0);
	ERR("\\Z", "error parsing regexp: invalid escape sequence: `\\Z`", 0);
	ERR("\\x{110000}", "error parsing regexp: invalid escape sequence: `\\x{110000`", 0);
	ERR("\\x{}", "error parsing regexp: invalid escape sequence: `\\x{}`", 0);
	ERR("\\xg1", "error parsing regexp: invalid escape sequence: `\\xg1`", 0);
	ERR("\\x4", "error parsing regexp: invalid escape sequence: `\\x4`", 0);
	ERR("[\\b]", "error parsing regexp: invalid escape sequence: `\\b`", 1);
	ERR("a\\", "error parsing regexp: trailing backslash at end of expression: ``", 1);
	ERR("[z-a]", "error parsing regexp: invalid character class range: `z-a`", 1);
	ERR("[[:foo:]]", "error parsing regexp: invalid character class range: `[:foo:]`", 1);
	ERR("\\p{Foo}", "error parsing regexp: invalid character class range: `\\p{Foo}`", 0);
	ERR("\\pX", "error parsing regexp: invalid character class range: `\\pX`", 0);
	ERR("\\p{L", "error parsing regexp: invalid character class range: `\\p{L`", 0);
	ERR("a\\p", "error parsing regexp: invalid character class range: `\\p`", 1);
	ERR("(?P<name", "error parsing regexp: invalid named capture: `(?P<name`", 0);
	ERR("(?P<a-b>x)", "error parsing regexp: invalid named capture: `(?P<a-b>`", 0);
	ERR("(?P<>x)", "error parsing regexp: invalid named capture: `(?P<>`", 0);
	ERR("(?<=a)", "error parsing regexp: invalid named capture: `(?<=a)`", 0);
	ERR("(?x)", "error parsing regexp: invalid or unsupported Perl syntax: `(?x`", 0);
	ERR("(?=a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`", 0);
	ERR("(?!a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?!`", 0);
	ERR("(?P=n)", "error parsing regexp: invalid or unsupported Perl syntax: `(?P`", 0);
	ERR("(?i-)", "error parsing regexp: invalid or unsupported Perl syntax: `(?i-)`", 0);
	ERR("x(?", "error parsing regexp: invalid or unsupported Perl syntax: `(?`", 1);
	error_is("a\xff", 2, "error parsing regexp: invalid UTF-8: `\xff`", 1);
	error_is("[\xff"
	         "a]",
	         4,
	         "error parsing regexp: invalid UTF-8: `\xff"
	         "a]`",
	         1);

	/* nesting: 1000 groups around a literal are 1001 levels, over Go's 1000 */
	char deep[2100];
	size_t n = 0;
	for (int i = 0; i < 1000; i++)
		deep[n++] = '(';
	deep[n++] = 'a';
	for (int i = 0; i < 1000; i++)
		deep[n++] = ')';
	gr_regex_error err;
	gr_regex *re = gr_regex_compile(deep, n, NULL, &err);
	CHECK(re == NULL && err.status == GR_REGEX_NESTING_DEPTH);
	CHECK(strncmp(err.message, "error parsing regexp: expression nests too deeply: `(((", 55) == 0);
	re = gr_regex_compile(deep + 500, n - 1000, NULL, &err);
	CHECK(re != NULL);
	CHECK(re && gr_regex_groups(re) == 500);
	gr_regex_free(re);

	/* too large: 3400 x a{1000} is over Go's 3.3 million instructions */
	size_t big_len = 3400 * 7;
	char *big = malloc(big_len + 1);
	for (size_t i = 0; i < 3400; i++)
		memcpy(big + 7 * i, "a{1000}", 7);
	re = gr_regex_compile(big, big_len, NULL, &err);
	CHECK(re == NULL && err.status == GR_REGEX_TOO_LARGE);
	CHECK(strncmp(err.message, "error parsing regexp: expression too large: `a{1000}", 52) == 0);
	gr_regex_free(re);
	/* the caller's own, smaller bound */
	gr_regex_options opt = {0, 500};
	re = gr_regex_compile(big, 7, &opt, &err);
	CHECK(re == NULL && err.status == GR_REGEX_TOO_LARGE);
	gr_regex_free(re);
	free(big);
}

static int m(const char *pat, const char *s, size_t len)
{
	gr_regex_error err;
	gr_regex *re = gr_regex_compile(pat, strlen(pat), NULL, &err);
	if (!re) {
		fprintf(stderr, "  compile %s: %s\n", pat, err.message);
		return -2;
	}
	int r = gr_regex_match(re, s, len, NULL);
	gr_regex_free(re);
	return r;
}
#define M(p, s) m(p, s, strlen(s))

/* Go's own lists (regexp/syntax parse_test.go): these parse with the Perl
 * flags regexp.Compile uses, those do not. */
static void test_go_lists(void)
{
	static const char *const valid[] = {
	        "a{2,}?",
	        "x{1001",
	        "x{9876543210",
	        "x{9876543210,",
	        "x{2,1",
	        "x{1,9876543210",
	        "",
	        "|",
	        "|x|",
	        "[[:^lower:]]",
	        "(?i)[[:^lower:]]",
	        "\\p{Braille}",
	        "\\P{^Braille}",
	        "[\\p{^Braille}]",
	        "\\p{Uppercase_Letter}",
	        "\\p{upper case-let ter}",
	        "\\p{__upper case-let ter}",
	        "\\p{Canadian_Aboriginal}",
	        "(?i)[\\p{Lu}]",
	        "\\p{Any}",
	        "\\p{^Any}",
	        "(?i)\\p{ascii}",
	        "\\p{Assigned}",
	        "\\p{^Assigned}",
	        "[\\012-\\234]\\141",
	        "[\\x{41}-\\x7a]\\x61",
	        "a{,2}",
	        "a*{",
	        "\\Q+|*?{[\\E",
	        "\\Q\\\\E",
	        "(?-m)\\z",
	        "(?<name>a)",
	        "[a-b-c]",
	        "(?:[a-z]{4}){0,250}",
	        "((((((((((x{2}){2}){2}){2}){2}){2}){2}){2}){2}))",
	};
	static const char *const invalid[] = {
	        "(",
	        ")",
	        "(a",
	        "a)",
	        "(a))",
	        "(a|b|",
	        "a|b|)",
	        "(a|b|))",
	        "(a|b",
	        "a|b)",
	        "(a|b))",
	        "[a-z",
	        "([a-z)",
	        "[a-z)",
	        "([a-z]))",
	        "x{1001}",
	        "x{9876543210}",
	        "x{2,1}",
	        "x{1,9876543210}",
	        "\xff",
	        "[\xff]",
	        "[\\\xff]",
	        "\\\xff",
	        "(?P<name>a",
	        "(?P<name>",
	        "(?P<name",
	        "(?P<x y>a)",
	        "(?P<>a)",
	        "(?<name>a",
	        "(?<name>",
	        "(?<name",
	        "(?<x y>a)",
	        "(?<>a)",
	        "[a-Z]",
	        "(?i)[a-Z]",
	        "\\Q\\E*",
	        "a{100000}",
	        "a{100000,}",
	        "((((((((((x{2}){2}){2}){2}){2}){2}){2}){2}){2}){2})",
	        "(?:[a-z]{4}){0,251}",
	        "a++",
	        "a**",
	        "a?*",
	        "a+*",
	        "a{1}*",
	        ".{1}{2}.{3}",
	};
	gr_regex_error err;
	for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
		gr_regex *re = gr_regex_compile(valid[i], strlen(valid[i]), NULL, &err);
		if (!re)
			fprintf(stderr, "  should parse: %s (%s)\n", valid[i], err.message);
		CHECK(re != NULL);
		gr_regex_free(re);
	}
	for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
		gr_regex *re = gr_regex_compile(invalid[i], strlen(invalid[i]), NULL, &err);
		if (re)
			fprintf(stderr, "  should fail: %s\n", invalid[i]);
		CHECK(re == NULL);
		gr_regex_free(re);
	}
	/* the generated ones */
	char *s = malloc(40000);
	size_t n = 0;
	for (int i = 0; i < 999; i++)
		s[n++] = '(';
	for (int i = 0; i < 999; i++)
		s[n++] = ')';
	gr_regex *re = gr_regex_compile(s, n, NULL, &err);
	CHECK(re != NULL);
	gr_regex_free(re);
	n = 0;
	for (int i = 0; i < 999; i++)
		memcpy(s + n, "(?:", 3), n += 3;
	for (int i = 0; i < 999; i++)
		memcpy(s + n, ")*", 2), n += 2;
	CHECK((re = gr_regex_compile(s, n, NULL, &err)) != NULL);
	gr_regex_free(re);
	n = 0;
	for (int i = 0; i < 1000; i++)
		memcpy(s + n, "(?:", 3), n += 3;
	for (int i = 0; i < 1000; i++)
		memcpy(s + n, ")*", 2), n += 2;
	CHECK(gr_regex_compile(s, n, NULL, &err) == NULL && err.status == GR_REGEX_NESTING_DEPTH);
	n = 0;
	s[n++] = '(';
	for (int i = 0; i < 12345; i++)
		s[n++] = '|';
	s[n++] = ')';
	CHECK((re = gr_regex_compile(s, n, NULL, &err)) != NULL);
	gr_regex_free(re);
	n = 0;
	s[n++] = '(';
	for (int i = 0; i < 1000; i++)
		memcpy(s + n, "(xx?)", 5), n += 5;
	memcpy(s + n, "){1000}", 7), n += 7;
	CHECK(gr_regex_compile(s, n, NULL, &err) == NULL && err.status == GR_REGEX_TOO_LARGE);
	free(s);
	size_t big = 27000 * 3;
	s = malloc(big);
	for (size_t i = 0; i < 27000; i++)
		memcpy(s + 3 * i, "\\pL", 3);
	CHECK(gr_regex_compile(s, big, NULL, &err) == NULL && err.status == GR_REGEX_TOO_LARGE);
	free(s);
}

static void test_match(void)
{
	CHECK(M("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "my-name") == 1);
	CHECK(M("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "My-name") == 0);
	CHECK(M("b", "abc") == 1);
	CHECK(M("^b", "abc") == 0);
	CHECK(M("(?m)^b", "a\nb") == 1);
	CHECK(M("a$", "a\n") == 0); /* $ is \z without (?m), unlike Perl */
	CHECK(M("(?m)a$", "a\n") == 1);
	CHECK(M("a.c", "a\nc") == 0);
	CHECK(M("(?s)a.c", "a\nc") == 1);
	CHECK(M("[^a]", "\n") == 1); /* classes match newline */
	CHECK(M("\\bfoo\\b", "a foo.") == 1);
	CHECK(M("\\bfoo\\b", "afoo") == 0);
	CHECK(M("(?i)k", "\xe2\x84\xaa") == 1); /* Kelvin sign folds to k */
	CHECK(M("(?i)straße", "STRAßE") == 1);
	CHECK(M("\\p{Greek}+", "\xce\xb1\xce\xb2") == 1);
	CHECK(M("^\\pL+$", "h\xc3\xa9llo") == 1);
	CHECK(M("^\\PL$", "1") == 1);
	CHECK(M("\\Qa.b\\E", "a.b") == 1);
	CHECK(M("^\\p{Uppercase_Letter}$", "A") == 1 && M("^\\p{Uppercase_Letter}$", "a") == 0);
	CHECK(M("^\\p{upper case-let ter}$", "\xc3\x89") == 1);
	CHECK(M("^(?i)\\p{ascii}$", "\xe2\x84\xaa") == 1 && M("^\\p{ascii}$", "\xe2\x84\xaa") == 0);
	CHECK(M("^\\p{Assigned}$", "a") == 1 && M("^\\p{Assigned}$", "\xcd\xb8") == 0); /* U+0378 */
	CHECK(M("^\\pC$", "\xcd\xb8") == 1 && M("^\\p{Cn}$", "\xcd\xb8") == 1);
	CHECK(M("^\\p{LC}+$", "aB") == 1 && M("^\\p{Letter}+$", "a\xe6\x97\xa5") == 1);
	CHECK(M("\\p{^Any}", "abc") == 0);
	CHECK(M("^\\p{Canadian_Aboriginal}$", "\xe1\x90\x81") == 1); /* U+1401 */
	CHECK(M("\\Qa.b\\E", "axb") == 0);
	CHECK(M("^[[:alpha:]]+$", "abcXYZ") == 1);
	CHECK(M("^\\x{1D11E}$", "\xf0\x9d\x84\x9e") == 1);
	/* invalid UTF-8 in the subject: each bad byte is U+FFFD, as in Go */
	CHECK(M("^.$", "\xff") == 1);
	CHECK(M("^\\x{FFFD}$", "\xff") == 1);
	CHECK(M("^..$", "\xe2\x82") == 1);
	CHECK(M("^.$", "\xe2\x82\xac") == 1);
	CHECK(M("^a.b$", "a\xed\xa0\x80"
	                 "b") == 0); /* a surrogate is three bad bytes */
	CHECK(m("^a...b$",
	        "a\xed\xa0\x80"
	        "b",
	        5) == 1);
	CHECK(m("a.b", "a\0b", 3) == 1); /* NUL is a rune like any other */
	/* linear time: no backtracking blow-up */
	size_t n = 200000;
	char *as = malloc(n);
	memset(as, 'a', n);
	CHECK(m("(a*)*b", as, n) == 0);
	CHECK(m("^(a|aa)+$", as, n) == 1);
	CHECK(m("(x+x+)+y", as, n) == 0);
	free(as);
}

static int collect(void *ud, const gr_regex_span *s, size_t n)
{
	char *out = ud;
	size_t len = strlen(out);
	snprintf(out + len, 256 - len, "[%zu,%zu)", s[0].start, s[0].end);
	return 0;
}

static void test_find(void)
{
	gr_regex_error err;
	gr_regex *re = gr_regex_compile("(?P<first>\\w+)\\s(?<last>\\w+)(x)?", 32, NULL, &err);
	CHECK(re != NULL);
	if (!re)
		return;
	CHECK(gr_regex_groups(re) == 3);
	CHECK(gr_regex_group_index(re, "first", 5) == 1);
	CHECK(gr_regex_group_index(re, "last", 4) == 2);
	CHECK(gr_regex_group_index(re, "none", 4) == -1);
	CHECK_STR(gr_regex_group_name(re, 1), "first");
	CHECK(gr_regex_group_name(re, 3) == NULL);
	gr_regex_span sp[4];
	const char *s = "-- Ada Lovelace";
	CHECK(gr_regex_find(re, s, strlen(s), 0, sp, 4, NULL) == 1);
	CHECK(sp[0].start == 3 && sp[0].end == 15);
	CHECK(sp[1].start == 3 && sp[1].end == 6);
	CHECK(sp[2].start == 7 && sp[2].end == 15);
	CHECK(sp[3].start == GR_REGEX_NOSPAN);
	gr_buf b;
	gr_buf_init(&b);
	gr_regex_expand(re, &b, "$last, ${first}! $$ $1x ${1}x $9 $", 34, s, sp);
	CHECK_STR(b.data, "Lovelace, Ada! $  Adax  $");
	gr_buf_free(&b);
	gr_regex_free(re);

	/* find all: Go skips an empty match right after a match */
	re = gr_regex_compile("a*", 2, NULL, &err);
	char out[256] = "";
	CHECK(gr_regex_find_all(re, "baaac", 5, -1, 1, collect, out, NULL) == 3);
	CHECK_STR(out, "[0,0)[1,4)[5,5)");
	out[0] = 0;
	CHECK(gr_regex_find_all(re, "baaac", 5, 2, 1, collect, out, NULL) == 2);
	gr_buf_init(&b);
	gr_regex_status st;
	CHECK(gr_regex_replace_all(re, &b, "baaac", 5, "-", 1, true, 0, NULL, &st) == 0);
	CHECK_STR(b.data, "-b-c-");
	gr_buf_free(&b);
	gr_regex_free(re);

	/* leftmost-first, not leftmost-longest; and the longest option */
	re = gr_regex_compile("a|ab", 4, NULL, &err);
	CHECK(gr_regex_find(re, "ab", 2, 0, sp, 1, NULL) == 1 && sp[0].end == 1);
	gr_regex_free(re);
	gr_regex_options lo = {GR_REGEX_LONGEST, 0};
	re = gr_regex_compile("a|ab", 4, &lo, &err);
	CHECK(gr_regex_find(re, "ab", 2, 0, sp, 1, NULL) == 1 && sp[0].end == 2);
	gr_regex_free(re);

	/* replace with a template (Kyverno's regex_replace_all) */
	re = gr_regex_compile("(\\w+)@(?P<host>\\w+)", 19, NULL, &err);
	gr_buf_init(&b);
	const char *mail = "ann@x, bob@y";
	CHECK(gr_regex_replace_all(re, &b, mail, strlen(mail), "${host}:$1", 10, false, 0, NULL, &st) == 0);
	CHECK_STR(b.data, "x:ann, y:bob");
	gr_buf_reset(&b);
	CHECK(gr_regex_replace_all(re, &b, mail, strlen(mail), "$1$1$1$1", 8, false, 8, NULL, &st) == -1);
	CHECK(st == GR_REGEX_LIMIT);
	gr_buf_free(&b);
	gr_regex_free(re);

	/* a find from an offset still sees the text before it */
	re = gr_regex_compile("\\bb", 3, NULL, &err);
	CHECK(gr_regex_find(re, "ab b", 4, 1, sp, 1, NULL) == 1 && sp[0].start == 3);
	gr_regex_free(re);
	re = gr_regex_compile("^b", 2, NULL, &err);
	CHECK(gr_regex_find(re, "ab", 2, 1, sp, 1, NULL) == 0);
	gr_regex_free(re);

	/* literal mode and QuoteMeta */
	gr_regex_options lit = {GR_REGEX_LITERAL, 0};
	re = gr_regex_compile("a.b(", 4, &lit, &err);
	CHECK(re && gr_regex_match(re, "xa.b(", 5, NULL) == 1 && gr_regex_match(re, "axb(", 4, NULL) == 0);
	gr_regex_free(re);
	gr_buf_init(&b);
	gr_regex_quote_meta(&b, "1.5-2.0?", 8);
	CHECK_STR(b.data, "1\\.5-2\\.0\\?");
	gr_buf_free(&b);

	/* a scratch reused across programs of different sizes */
	gr_regex_scratch *sc = gr_regex_scratch_new();
	gr_regex *small = gr_regex_compile("ab", 2, NULL, &err);
	gr_regex *large = gr_regex_compile("\\pL{500}", 8, NULL, &err);
	CHECK(gr_regex_match(small, "xab", 3, sc) == 1);
	CHECK(gr_regex_match(large, "abc", 3, sc) == 0);
	CHECK(gr_regex_match(small, "xab", 3, sc) == 1);
	CHECK(gr_regex_full_match(small, "ab", 2, sc) == 1 && gr_regex_full_match(small, "abc", 3, sc) == 0);
	gr_regex_free(small);
	gr_regex_free(large);
	gr_regex_scratch_free(sc);
}

/* One compiled regex shared by threads, each with its own scratch or none:
 * the program is immutable (built with -fsanitize=thread this shows no race). */
static gr_regex *shared_re;
static void *hammer(void *arg)
{
	long own = (long)arg;
	gr_regex_scratch *sc = own ? gr_regex_scratch_new() : NULL;
	long bad = 0;
	for (int i = 0; i < 2000; i++) {
		gr_regex_span sp[3];
		bad += gr_regex_match(shared_re, "web-1.example.com", 17, sc) != 1;
		bad += gr_regex_match(shared_re, "Web_1", 5, sc) != 0;
		bad += gr_regex_match(shared_re,
		                      "w\xc3\xa9"
		                      "b",
		                      4, sc) != 0; /* non-ASCII: the VM path */
		bad += gr_regex_find(shared_re, "web-1.example.com", 17, 0, sp, 3, sc) != 1 || sp[1].end != 5;
	}
	gr_regex_scratch_free(sc);
	return (void *)bad;
}

static void test_threads(void)
{
	const char *pat = "^([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
	gr_regex_error err;
	shared_re = gr_regex_compile(pat, strlen(pat), NULL, &err);
	CHECK(shared_re != NULL);
	if (!shared_re)
		return;
	pthread_t th[4];
	for (long i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, hammer, (void *)(i % 2));
	long bad = 0;
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(th[i], &r);
		bad += (long)r;
	}
	CHECK(bad == 0);
	gr_regex_free(shared_re);
}

int main(void)
{
	test_errors();
	test_go_lists();
	test_match();
	test_find();
	test_threads();
	return test_report("test_regex");
}
