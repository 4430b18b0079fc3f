/*
 * lexer.c — JMESPath expression text to tokens, one at a time.
 *
 * Quoted identifiers and `json` literals are decoded with the project's
 * JSON reader into the program's arena, so a token carries its final value.
 * The one trick: a `literal` that is not valid JSON is read as a string
 * (the legacy form `foo` == `"foo"`, still common in Kyverno policies), as
 * the reference implementations do.
 */
#include <stdio.h>
#include <string.h>

#include "ast.h"
#include "guardrail/decode.h"

static const char *const tok_names[T_COUNT] = {
        [T_EOF] = "end of expression",
        [T_UNQUOTED] = "identifier",
        [T_QUOTED] = "quoted identifier",
        [T_LITERAL] = "literal",
        [T_NUMBER] = "number",
        [T_DOT] = "'.'",
        [T_STAR] = "'*'",
        [T_FLATTEN] = "'[]'",
        [T_FILTER] = "'[?'",
        [T_LBRACKET] = "'['",
        [T_RBRACKET] = "']'",
        [T_LBRACE] = "'{'",
        [T_RBRACE] = "'}'",
        [T_LPAREN] = "'('",
        [T_RPAREN] = "')'",
        [T_COMMA] = "','",
        [T_COLON] = "':'",
        [T_PIPE] = "'|'",
        [T_OR] = "'||'",
        [T_AND] = "'&&'",
        [T_NOT] = "'!'",
        [T_CURRENT] = "'@'",
        [T_EXPREF] = "'&'",
        [T_EQ] = "'=='",
        [T_NE] = "'!='",
        [T_LT] = "'<'",
        [T_LE] = "'<='",
        [T_GT] = "'>'",
        [T_GE] = "'>='",
};

const char *jp_tok_name(jp_tok t)
{
	return t < T_COUNT ? tok_names[t] : "?";
}

static int is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Decode a JSON text into the arena; 0 or -1. */
static int decode_json(jp_lexer *lx, const char *s, size_t n, gr_value *out)
{
	gr_error jerr;
	gr_decode_limits lim;
	gr_decode_limits_default(&lim);
	lim.max_depth = 128;
	return gr_decode_json(lx->arena, s, n, &lim, out, &jerr);
}

/* Scan to the closing delimiter q, skipping backslash pairs. Returns the
 * offset of the delimiter or (size_t)-1. */
static size_t scan_delimited(const jp_lexer *lx, size_t start, char q)
{
	for (size_t i = start; i < lx->len; i++) {
		if (lx->src[i] == '\\') {
			i++;
			continue;
		}
		if (lx->src[i] == q)
			return i;
	}
	return (size_t)-1;
}

static int lex_quoted(jp_lexer *lx, jp_token *tok)
{
	size_t end = scan_delimited(lx, lx->pos + 1, '"');
	if (end == (size_t)-1)
		return jp_fail(lx->err, GR_JP_SYNTAX, tok->pos, "unterminated quoted identifier");
	gr_value v;
	if (decode_json(lx, lx->src + lx->pos, end + 1 - lx->pos, &v) != 0 || v.type != GR_STRING)
		return jp_fail(lx->err, GR_JP_SYNTAX, tok->pos, "invalid quoted identifier");
	tok->type = T_QUOTED;
	tok->value = v;
	lx->pos = end + 1;
	return 0;
}

static int lex_raw_string(jp_lexer *lx, jp_token *tok)
{
	size_t end = scan_delimited(lx, lx->pos + 1, '\'');
	if (end == (size_t)-1)
		return jp_fail(lx->err, GR_JP_SYNTAX, tok->pos, "unterminated raw string");
	size_t start = lx->pos + 1;
	char *s = gr_arena_alloc(lx->arena, end - start + 1);
	if (!s)
		return jp_fail(lx->err, GR_JP_LIMIT, tok->pos, "out of memory");
	size_t n = 0;
	for (size_t i = start; i < end; i++) {
		/* Only \' is an escape; any other backslash is itself. */
		if (lx->src[i] == '\\' && i + 1 < end && lx->src[i + 1] == '\'')
			i++;
		s[n++] = lx->src[i];
	}
	s[n] = '\0';
	tok->type = T_LITERAL;
	tok->value = gr_make_string_ref(s, n);
	lx->pos = end + 1;
	return 0;
}

static int lex_literal(jp_lexer *lx, jp_token *tok)
{
	size_t end = scan_delimited(lx, lx->pos + 1, '`');
	if (end == (size_t)-1)
		return jp_fail(lx->err, GR_JP_SYNTAX, tok->pos, "unterminated literal");
	size_t start = lx->pos + 1;
	/* Unescape \` ; other escapes are JSON's. */
	char *s = gr_arena_alloc(lx->arena, end - start + 3);
	if (!s)
		return jp_fail(lx->err, GR_JP_LIMIT, tok->pos, "out of memory");
	size_t n = 0;
	for (size_t i = start; i < end; i++) {
		if (lx->src[i] == '\\' && i + 1 < end && lx->src[i + 1] == '`')
			i++;
		s[n++] = lx->src[i];
	}
	s[n] = '\0';
	gr_value v;
	if (decode_json(lx, s, n, &v) != 0) {
		/* Legacy: the text, left-trimmed, as a JSON string's contents. */
		size_t k = 0;
		while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r'))
			k++;
		if (k == n)
			return jp_fail(lx->err, GR_JP_SYNTAX, tok->pos, "invalid JSON literal");
		char *q = gr_arena_alloc(lx->arena, n - k + 3);
		if (!q)
			return jp_fail(lx->err, GR_JP_LIMIT, tok->pos, "out of memory");
		q[0] = '"';
		memcpy(q + 1, s + k, n - k);
		q[n - k + 1] = '"';
		q[n - k + 2] = '\0';
		if (decode_json(lx, q, n - k + 2, &v) != 0)
			return jp_fail(lx->err, GR_JP_SYNTAX, tok->pos, "invalid JSON literal");
	}
	tok->type = T_LITERAL;
	tok->value = v;
	lx->pos = end + 1;
	return 0;
}

static int lex_number(jp_lexer *lx, jp_token *tok)
{
	size_t i = lx->pos;
	int neg = 0;
	if (lx->src[i] == '-') {
		neg = 1;
		i++;
	}
	if (i >= lx->len || !is_digit(lx->src[i]))
		return jp_fail(lx->err, GR_JP_SYNTAX, tok->pos, "'-' must be followed by digits");
	int64_t v = 0;
	int overflow = 0;
	for (; i < lx->len && is_digit(lx->src[i]); i++) {
		int d = lx->src[i] - '0';
		if (v > (INT64_MAX - d) / 10)
			overflow = 1;
		else
			v = v * 10 + d;
	}
	if (overflow)
		return jp_fail(lx->err, GR_JP_SYNTAX, tok->pos, "number too large");
	tok->type = T_NUMBER;
	tok->value = gr_make_int(neg ? -v : v);
	lx->pos = i;
	return 0;
}

/* One- or two-character operator: c2 after c selects two, else one. */
static void op2(jp_lexer *lx, jp_token *tok, char c2, jp_tok two, jp_tok one)
{
	if (lx->pos + 1 < lx->len && lx->src[lx->pos + 1] == c2) {
		tok->type = two;
		lx->pos += 2;
	} else {
		tok->type = one;
		lx->pos += 1;
	}
}

int jp_lex_next(jp_lexer *lx, jp_token *tok)
{
	while (lx->pos < lx->len) {
		char c = lx->src[lx->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		lx->pos++;
	}
	tok->pos = lx->pos;
	tok->value.type = GR_NULL;
	if (lx->pos >= lx->len) {
		tok->type = T_EOF;
		return 0;
	}
	char c = lx->src[lx->pos];
	if (is_ident_start(c)) {
		size_t i = lx->pos + 1;
		while (i < lx->len && (is_ident_start(lx->src[i]) || is_digit(lx->src[i])))
			i++;
		tok->type = T_UNQUOTED;
		tok->value = gr_make_string_ref(lx->src + lx->pos, i - lx->pos);
		lx->pos = i;
		return 0;
	}
	if (is_digit(c) || c == '-')
		return lex_number(lx, tok);
	switch (c) {
	case '.':
		tok->type = T_DOT;
		lx->pos++;
		return 0;
	case '*':
		tok->type = T_STAR;
		lx->pos++;
		return 0;
	case ']':
		tok->type = T_RBRACKET;
		lx->pos++;
		return 0;
	case '{':
		tok->type = T_LBRACE;
		lx->pos++;
		return 0;
	case '}':
		tok->type = T_RBRACE;
		lx->pos++;
		return 0;
	case '(':
		tok->type = T_LPAREN;
		lx->pos++;
		return 0;
	case ')':
		tok->type = T_RPAREN;
		lx->pos++;
		return 0;
	case ',':
		tok->type = T_COMMA;
		lx->pos++;
		return 0;
	case ':':
		tok->type = T_COLON;
		lx->pos++;
		return 0;
	case '@':
		tok->type = T_CURRENT;
		lx->pos++;
		return 0;
	case '[':
		if (lx->pos + 1 < lx->len && lx->src[lx->pos + 1] == ']') {
			tok->type = T_FLATTEN;
			lx->pos += 2;
		} else if (lx->pos + 1 < lx->len && lx->src[lx->pos + 1] == '?') {
			tok->type = T_FILTER;
			lx->pos += 2;
		} else {
			tok->type = T_LBRACKET;
			lx->pos++;
		}
		return 0;
	case '|': op2(lx, tok, '|', T_OR, T_PIPE); return 0;
	case '&': op2(lx, tok, '&', T_AND, T_EXPREF); return 0;
	case '!': op2(lx, tok, '=', T_NE, T_NOT); return 0;
	case '<': op2(lx, tok, '=', T_LE, T_LT); return 0;
	case '>': op2(lx, tok, '=', T_GE, T_GT); return 0;
	case '=':
		if (lx->pos + 1 < lx->len && lx->src[lx->pos + 1] == '=') {
			tok->type = T_EQ;
			lx->pos += 2;
			return 0;
		}
		return jp_fail(lx->err, GR_JP_SYNTAX, tok->pos, "'=' is not an operator (did you mean '==')");
	case '"': return lex_quoted(lx, tok);
	case '\'': return lex_raw_string(lx, tok);
	case '`': return lex_literal(lx, tok);
	default: break;
	}
	if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f)
		return jp_fail(lx->err, GR_JP_SYNTAX, tok->pos, "unexpected character '%c'", c);
	return jp_fail(lx->err, GR_JP_SYNTAX, tok->pos, "unexpected character 0x%02x", (unsigned char)c);
}
