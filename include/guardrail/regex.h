/*
 * regex.h — regular expressions with Go's regexp (RE2) syntax and semantics,
 * matched in time linear in the subject length times the program size.
 *
 * Compile once (gr_regex_compile), match many times from any number of
 * threads: a compiled gr_regex is immutable. Matching needs scratch memory
 * proportional to the program; pass a gr_regex_scratch (one per thread,
 * reused across calls, grown as needed) or NULL (then a small program uses
 * the stack and a large one a temporary malloc). There is no global state.
 *
 * Subjects are bytes: valid UTF-8 matches rune by rune; each byte of an
 * invalid sequence matches as U+FFFD, as in Go. Offsets are byte offsets.
 * Errors carry Go's wording ("error parsing regexp: missing closing ): `(`")
 * and the byte offset in the pattern where the problem was found.
 */
#ifndef GUARDRAIL_REGEX_H
#define GUARDRAIL_REGEX_H

#include <stdbool.h>
#include <stddef.h>

#include "guardrail/buf.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gr_regex gr_regex;
typedef struct gr_regex_scratch gr_regex_scratch;

/* What went wrong; GR_REGEX_OK when nothing did. Each parse code has Go's
 * regexp/syntax ErrorCode text (gr_regex_error.code). */
typedef enum gr_regex_status {
	GR_REGEX_OK = 0,
	GR_REGEX_INVALID_CHAR_CLASS,      /* invalid character class */
	GR_REGEX_INVALID_CHAR_RANGE,      /* invalid character class range */
	GR_REGEX_INVALID_ESCAPE,          /* invalid escape sequence */
	GR_REGEX_INVALID_NAMED_CAPTURE,   /* invalid named capture */
	GR_REGEX_INVALID_PERL_OP,         /* invalid or unsupported Perl syntax */
	GR_REGEX_INVALID_REPEAT_OP,       /* invalid nested repetition operator */
	GR_REGEX_INVALID_REPEAT_SIZE,     /* invalid repeat count */
	GR_REGEX_INVALID_UTF8,            /* invalid UTF-8 */
	GR_REGEX_MISSING_BRACKET,         /* missing closing ] */
	GR_REGEX_MISSING_PAREN,           /* missing closing ) */
	GR_REGEX_MISSING_REPEAT_ARGUMENT, /* missing argument to repetition operator */
	GR_REGEX_TRAILING_BACKSLASH,      /* trailing backslash at end of expression */
	GR_REGEX_UNEXPECTED_PAREN,        /* unexpected ) */
	GR_REGEX_NESTING_DEPTH,           /* expression nests too deeply */
	GR_REGEX_TOO_LARGE,               /* expression too large (Go's limit, or the caller's max_program) */
	GR_REGEX_NO_MEMORY,               /* an allocation failed */
	GR_REGEX_LIMIT                    /* a match or replace ran over the caller's output limit */
} gr_regex_status;

typedef struct gr_regex_error {
	gr_regex_status status;
	const char *code;  /* Go's ErrorCode text, e.g. "missing closing )"; "" when OK */
	size_t offset;     /* byte offset in the pattern of the offending text */
	char message[512]; /* "error parsing regexp: <code>: `<expr>`" as Go prints it */
} gr_regex_error;

/* Flags for gr_regex_options.flags. */
enum {
	GR_REGEX_LITERAL = 1 << 0, /* the pattern is a literal string (regexp.QuoteMeta'd) */
	GR_REGEX_LONGEST = 1 << 1  /* leftmost-longest, as Go's CompilePOSIX/Longest */
};

typedef struct gr_regex_options {
	int flags;
	/* Most instructions the compiled program may have; 0 means Go's own
	 * limit (about 3.3 million). Over it: GR_REGEX_TOO_LARGE. */
	size_t max_program;
} gr_regex_options;

/* A matched span: [start, end) byte offsets; start == (size_t)-1 when the
 * group did not take part in the match. */
typedef struct gr_regex_span {
	size_t start, end;
} gr_regex_span;
#define GR_REGEX_NOSPAN ((size_t)-1)

/* Compile pattern (len bytes; it may hold NUL). opts may be NULL. Returns
 * NULL and fills err (when non-NULL) on failure. Free with gr_regex_free. */
gr_regex *gr_regex_compile(const char *pattern, size_t len, const gr_regex_options *opts,
                           gr_regex_error *err);
void gr_regex_free(gr_regex *re);

/* The pattern as written (NUL-terminated copy). */
const char *gr_regex_source(const gr_regex *re);
/* Number of capture groups, not counting group 0 (the whole match). */
size_t gr_regex_groups(const gr_regex *re);
/* Group number of a named group ((?P<name>…) or (?<name>…)); -1 if none. */
int gr_regex_group_index(const gr_regex *re, const char *name, size_t len);
/* Name of group i (1-based), or NULL when the group has no name. */
const char *gr_regex_group_name(const gr_regex *re, size_t i);
/* Instructions in the compiled program (what max_program counts). */
size_t gr_regex_program_size(const gr_regex *re);

/* Reusable per-thread match workspace. new returns NULL when out of memory. */
gr_regex_scratch *gr_regex_scratch_new(void);
void gr_regex_scratch_free(gr_regex_scratch *sc);

/* The return value of the match functions: 1 matched, 0 did not, -1 out of
 * memory (a caller must not read -1 as "no match"). */

/* Unanchored search, like Go's regexp.MatchString: does any substring match? */
int gr_regex_match(const gr_regex *re, const char *s, size_t len, gr_regex_scratch *sc);
/* Does the whole subject match (RE2's FullMatch)? */
int gr_regex_full_match(const gr_regex *re, const char *s, size_t len, gr_regex_scratch *sc);

/* Leftmost match of re in s at or after byte offset `from` (the text before
 * `from` still counts for ^, \b and friends, as in Go). spans[0] is the whole
 * match, spans[i] group i (GR_REGEX_NOSPAN when the group took no part);
 * nspans are written, those past the last group as GR_REGEX_NOSPAN, so
 * nspans = gr_regex_groups(re) + 1 gets them all. Only the spans asked for
 * are tracked: nspans = 1 is cheaper than all. */
int gr_regex_find(const gr_regex *re, const char *s, size_t len, size_t from, gr_regex_span *spans,
                  size_t nspans, gr_regex_scratch *sc);

/* Every successive non-overlapping match, as Go's FindAll (an empty match
 * right after a previous match is skipped). fn is called with the spans of
 * each match (nspans of them) and returns 0 to go on, non-zero to stop.
 * limit < 0: all matches. Returns the number of matches delivered, or -1
 * out of memory. */
typedef int (*gr_regex_each_fn)(void *ud, const gr_regex_span *spans, size_t nspans);
long gr_regex_find_all(const gr_regex *re, const char *s, size_t len, long limit, size_t nspans,
                       gr_regex_each_fn fn, void *ud, gr_regex_scratch *sc);

/* Go's Regexp.Expand: append template to out with $1, ${1}, $name, ${name}
 * replaced by the group's text in s (empty for an unknown or unmatched
 * group) and $$ by $. spans holds gr_regex_groups(re) + 1 spans. */
void gr_regex_expand(const gr_regex *re, gr_buf *out, const char *tmpl, size_t tmpl_len, const char *s,
                     const gr_regex_span *spans);

/* Go's ReplaceAllString (literal=false: repl is an Expand template) or
 * ReplaceAllLiteralString (literal=true), appended to out. max_out bounds
 * the bytes appended (0: no bound): over it, -1 with GR_REGEX_LIMIT in
 * *status. Returns 0, or -1 (status GR_REGEX_NO_MEMORY or GR_REGEX_LIMIT). */
int gr_regex_replace_all(const gr_regex *re, gr_buf *out, const char *s, size_t len, const char *repl,
                         size_t repl_len, bool literal, size_t max_out, gr_regex_scratch *sc,
                         gr_regex_status *status);

/* Go's regexp.QuoteMeta: append s with every metacharacter escaped. */
void gr_regex_quote_meta(gr_buf *out, const char *s, size_t len);

#ifdef __cplusplus
}
#endif

#endif
