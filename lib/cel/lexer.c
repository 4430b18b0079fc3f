/*
 * lexer.c — CEL tokens: identifiers, keywords, int/uint/double literals,
 * the string and bytes literal forms (quotes, triple quotes, raw and byte
 * prefixes, every escape), operators and `//` comments.
 *
 * String and bytes literals are decoded here into the program's arena, so
 * the parser only sees finished values.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel_internal.h"
#include "guardrail/error.h"

static int lex_fail(cel_lexer *lx, size_t pos, const char *msg)
{
	if (lx->err && lx->err->type == GR_CEL_OK) {
		lx->err->type = GR_CEL_SYNTAX;
		lx->err->column = (uint32_t)pos + 1;
		snprintf(lx->err->message, sizeof lx->err->message, "%s", msg);
	}
	return -1;
}

static int is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}
static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Decode the body of a quoted literal [s, e) into the arena. */
static int decode_string(cel_lexer *lx, size_t s, size_t e, int raw, int bytes, cel_token *t)
{
	char *out = gr_arena_alloc(lx->arena, (e - s) * 4 + 1);
	if (!out)
		return lex_fail(lx, s, "out of memory");
	size_t o = 0;
	const char *p = lx->src;
	for (size_t i = s; i < e;) {
		unsigned char c = (unsigned char)p[i];
		if (c == '\r') { /* newlines in triple-quoted strings are normalised */
			out[o++] = '\n';
			i += (i + 1 < e && p[i + 1] == '\n') ? 2 : 1;
			continue;
		}
		if (c != '\\' || raw) {
			out[o++] = (char)c;
			i++;
			continue;
		}
		if (i + 1 >= e)
			return lex_fail(lx, i, "invalid escape sequence");
		char x = p[i + 1];
		size_t esc = i;
		i += 2;
		switch (x) {
		case 'a': out[o++] = '\a'; break;
		case 'b': out[o++] = '\b'; break;
		case 'f': out[o++] = '\f'; break;
		case 'n': out[o++] = '\n'; break;
		case 'r': out[o++] = '\r'; break;
		case 't': out[o++] = '\t'; break;
		case 'v': out[o++] = '\v'; break;
		case '\\': out[o++] = '\\'; break;
		case '\'': out[o++] = '\''; break;
		case '"': out[o++] = '"'; break;
		case '`': out[o++] = '`'; break;
		case '?': out[o++] = '?'; break;
		case 'x':
		case 'X': {
			if (i + 2 > e || hexval(p[i]) < 0 || hexval(p[i + 1]) < 0)
				return lex_fail(lx, esc, "invalid hex escape");
			uint32_t v = (uint32_t)(hexval(p[i]) * 16 + hexval(p[i + 1]));
			i += 2;
			if (bytes)
				out[o++] = (char)v;
			else
				o += put_utf8(out + o, v);
			break;
		}
		case 'u':
		case 'U': {
			int nd = x == 'u' ? 4 : 8;
			if (bytes)
				return lex_fail(lx, esc, "unicode escape in bytes literal");
			uint32_t v = 0;
			for (int k = 0; k < nd; k++) {
				if (i >= e || hexval(p[i]) < 0)
					return lex_fail(lx, esc, "invalid unicode escape");
				v = v * 16 + (uint32_t)hexval(p[i++]);
			}
			if ((v >= 0xD800 && v < 0xE000) || v > 0x10FFFF)
				return lex_fail(lx, esc, "invalid unicode code point");
			o += put_utf8(out + o, v);
			break;
		}
		default:
			if (x >= '0' && x <= '3') {
				if (i + 2 > e || p[i] < '0' || p[i] > '7' || p[i + 1] < '0' || p[i + 1] > '7')
					return lex_fail(lx, esc, "invalid octal escape");
				uint32_t v = (uint32_t)((x - '0') * 64 + (p[i] - '0') * 8 + (p[i + 1] - '0'));
				i += 2;
				if (bytes)
					out[o++] = (char)v;
				else
					o += put_utf8(out + o, v);
				break;
			}
			return lex_fail(lx, esc, "invalid escape sequence");
		}
	}
	out[o] = 0;
	t->text = out;
	t->len = o;
	return 0;
}

static int lex_string(cel_lexer *lx, cel_token *t, size_t start, size_t q, int raw, int bytes)
{
	const char *p = lx->src;
	char quote = p[q];
	int triple = q + 2 < lx->len && p[q + 1] == quote && p[q + 2] == quote;
	size_t i = q + (triple ? 3 : 1);
	size_t body = i;
	for (;;) {
		if (i >= lx->len)
			return lex_fail(lx, start, "unterminated string literal");
		char c = p[i];
		if (c == '\\' && !raw) {
			i += 2;
			continue;
		}
		if (!triple && (c == '\n' || c == '\r'))
			return lex_fail(lx, start, "newline in string literal");
		if (c == quote) {
			if (!triple)
				break;
			if (i + 2 < lx->len && p[i + 1] == quote && p[i + 2] == quote)
				break;
		}
		i++;
	}
	size_t end = i;
	lx->pos = i + (triple ? 3 : 1);
	t->type = bytes ? CT_BYTES : CT_STRING;
	t->pos = start;
	t->end = lx->pos;
	return decode_string(lx, body, end, raw, bytes, t);
}

static int lex_number(cel_lexer *lx, cel_token *t)
{
	const char *p = lx->src;
	size_t s = lx->pos, i = s;
	t->pos = s;
	if (p[i] == '0' && i + 1 < lx->len && (p[i + 1] == 'x' || p[i + 1] == 'X')) {
		i += 2;
		size_t ds = i;
		uint64_t v = 0;
		int over = 0;
		while (i < lx->len && hexval(p[i]) >= 0) {
			if (v >> 60)
				over = 1;
			v = v * 16 + (uint64_t)hexval(p[i]);
			i++;
		}
		if (i == ds)
			return lex_fail(lx, s, "invalid hex literal");
		t->num.u = v;
		t->type = CT_INT;
		if (i < lx->len && (p[i] == 'u' || p[i] == 'U')) {
			t->type = CT_UINT;
			i++;
		}
		if (over)
			return lex_fail(lx, s, "integer literal out of range");
		lx->pos = i;
		t->end = i;
		return 0;
	}
	while (i < lx->len && is_digit(p[i]))
		i++;
	int is_double = 0;
	if (i + 1 < lx->len && p[i] == '.' && is_digit(p[i + 1])) {
		is_double = 1;
		i++;
		while (i < lx->len && is_digit(p[i]))
			i++;
	}
	if (i < lx->len && (p[i] == 'e' || p[i] == 'E')) {
		size_t j = i + 1;
		if (j < lx->len && (p[j] == '+' || p[j] == '-'))
			j++;
		if (j < lx->len && is_digit(p[j])) {
			is_double = 1;
			i = j;
			while (i < lx->len && is_digit(p[i]))
				i++;
		}
	}
	char buf[400];
	size_t n = i - s;
	if (n >= sizeof buf)
		return lex_fail(lx, s, "numeric literal too long");
	memcpy(buf, p + s, n);
	buf[n] = 0;
	if (is_double) {
		t->type = CT_DOUBLE;
		errno = 0;
		t->num.d = strtod(buf, NULL);
		if (errno == ERANGE && (t->num.d > 1 || t->num.d < -1))
			return lex_fail(lx, s, "double literal out of range");
	} else {
		errno = 0;
		unsigned long long v = strtoull(buf, NULL, 10);
		if (errno == ERANGE)
			return lex_fail(lx, s, "integer literal out of range");
		t->num.u = v;
		t->type = CT_INT;
		if (i < lx->len && (p[i] == 'u' || p[i] == 'U')) {
			t->type = CT_UINT;
			i++;
		}
	}
	lx->pos = i;
	t->end = i;
	return 0;
}

int cel_lex(cel_lexer *lx, cel_token *t)
{
	const char *p = lx->src;
	memset(t, 0, sizeof *t);
	for (;;) {
		while (lx->pos < lx->len && (p[lx->pos] == ' ' || p[lx->pos] == '\t' || p[lx->pos] == '\n' ||
		                             p[lx->pos] == '\r' || p[lx->pos] == '\f' || p[lx->pos] == '\v'))
			lx->pos++;
		if (lx->pos + 1 < lx->len && p[lx->pos] == '/' && p[lx->pos + 1] == '/') {
			while (lx->pos < lx->len && p[lx->pos] != '\n')
				lx->pos++;
			continue;
		}
		break;
	}
	size_t s = lx->pos;
	t->pos = s;
	if (s >= lx->len) {
		t->type = CT_EOF;
		t->end = s;
		return 0;
	}
	char c = p[s];
	char c1 = s + 1 < lx->len ? p[s + 1] : 0;
	/* string prefixes */
	if (is_ident_start((unsigned char)c)) {
		size_t i = s;
		int raw = 0, bytes = 0;
		while (i < lx->len && i < s + 2 &&
		       (p[i] == 'r' || p[i] == 'R' || p[i] == 'b' || p[i] == 'B')) {
			if (p[i] == 'r' || p[i] == 'R') {
				if (raw)
					break;
				raw = 1;
			} else {
				if (bytes)
					break;
				bytes = 1;
			}
			i++;
		}
		if (i > s && i < lx->len && (p[i] == '"' || p[i] == '\''))
			return lex_string(lx, t, s, i, raw, bytes);
		i = s;
		while (i < lx->len && (is_ident_start((unsigned char)p[i]) || is_digit(p[i])))
			i++;
		t->text = p + s;
		t->len = i - s;
		t->end = i;
		lx->pos = i;
		t->type = CT_IDENT;
		if (t->len == 4 && !memcmp(t->text, "true", 4))
			t->type = CT_TRUE;
		else if (t->len == 5 && !memcmp(t->text, "false", 5))
			t->type = CT_FALSE;
		else if (t->len == 4 && !memcmp(t->text, "null", 4))
			t->type = CT_NULL;
		else if (t->len == 2 && !memcmp(t->text, "in", 2))
			t->type = CT_IN;
		return 0;
	}
	if (c == '"' || c == '\'')
		return lex_string(lx, t, s, s, 0, 0);
	if (is_digit(c) || (c == '.' && is_digit(c1)))
		return lex_number(lx, t);
	size_t n = 1;
	switch (c) {
	case '.':
		if (c1 == '?') {
			t->type = CT_QDOT;
			n = 2;
		} else
			t->type = CT_DOT;
		break;
	case ',': t->type = CT_COMMA; break;
	case ':': t->type = CT_COLON; break;
	case '?': t->type = CT_QUESTION; break;
	case '(': t->type = CT_LPAREN; break;
	case ')': t->type = CT_RPAREN; break;
	case '[':
		if (c1 == '?') {
			t->type = CT_QLBRACKET;
			n = 2;
		} else
			t->type = CT_LBRACKET;
		break;
	case ']': t->type = CT_RBRACKET; break;
	case '{': t->type = CT_LBRACE; break;
	case '}': t->type = CT_RBRACE; break;
	case '+': t->type = CT_PLUS; break;
	case '-': t->type = CT_MINUS; break;
	case '*': t->type = CT_STAR; break;
	case '/': t->type = CT_SLASH; break;
	case '%': t->type = CT_PERCENT; break;
	case '!':
		if (c1 == '=') {
			t->type = CT_NE;
			n = 2;
		} else
			t->type = CT_NOT;
		break;
	case '&':
		if (c1 != '&')
			return lex_fail(lx, s, "unexpected character '&'");
		t->type = CT_AND;
		n = 2;
		break;
	case '|':
		if (c1 != '|')
			return lex_fail(lx, s, "unexpected character '|'");
		t->type = CT_OR;
		n = 2;
		break;
	case '=':
		if (c1 != '=')
			return lex_fail(lx, s, "unexpected character '='");
		t->type = CT_EQ;
		n = 2;
		break;
	case '<':
		if (c1 == '=') {
			t->type = CT_LE;
			n = 2;
		} else
			t->type = CT_LT;
		break;
	case '>':
		if (c1 == '=') {
			t->type = CT_GE;
			n = 2;
		} else
			t->type = CT_GT;
		break;
	case '`': {
		/* quoted field names: a.`b-c` (CEL 0.24+) */
		size_t i = s + 1;
		while (i < lx->len && p[i] != '`')
			i++;
		if (i >= lx->len)
			return lex_fail(lx, s, "unterminated quoted identifier");
		t->type = CT_IDENT;
		t->text = p + s + 1;
		t->len = i - s - 1;
		t->end = i + 1;
		lx->pos = i + 1;
		t->num.u = 1; /* marks a quoted identifier */
		return 0;
	}
	default: {
		char m[64];
		if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f)
			snprintf(m, sizeof m, "unexpected character '%c'", c);
		else
			snprintf(m, sizeof m, "unexpected character 0x%02x", (unsigned char)c);
		return lex_fail(lx, s, m);
	}
	}
	lx->pos = s + n;
	t->end = lx->pos;
	return 0;
}
