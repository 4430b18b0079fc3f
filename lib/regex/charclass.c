/*
 * charclass.c — rune classes as sorted [lo, hi] range pairs: building them
 * (ranges, case-folded ranges, other classes, negation), membership, and the
 * named groups the parser knows: Perl's \d \s \w, POSIX's [:alpha:] and
 * Unicode's \p{..} (over the generated unicode_tables.c).
 *
 * Folding follows Go: a rune's simple case-folding orbit (k K K) is added
 * rune by rune, only for runes that fold at all (0x41..0x1E943).
 */
#include <stdlib.h>
#include <string.h>

#include "regex_int.h"

#define MIN_FOLD 0x41
#define MAX_FOLD 0x1E943

static void push_range(rx_class *c, uint32_t lo, uint32_t hi)
{
	if (c->failed)
		return;
	/* extend one of the last two ranges when it overlaps or abuts (keeps
	 * folded alphabets, A-Z and a-z, compact while they are built) */
	for (size_t k = 1; k <= 2 && k <= c->n; k++) {
		uint32_t *r = &c->r[2 * (c->n - k)];
		if (lo <= r[1] + 1 && r[0] <= hi + 1) {
			if (lo < r[0])
				r[0] = lo;
			if (hi > r[1])
				r[1] = hi;
			return;
		}
	}
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 8;
		uint32_t *nr = realloc(c->r, ncap * 2 * sizeof *nr);
		if (!nr) {
			c->failed = true;
			return;
		}
		c->r = nr;
		c->cap = ncap;
	}
	c->r[2 * c->n] = lo;
	c->r[2 * c->n + 1] = hi;
	c->n++;
}

void rx_class_add(rx_class *c, uint32_t lo, uint32_t hi)
{
	if (lo <= hi)
		push_range(c, lo, hi);
}

uint32_t rx_simple_fold(uint32_t r)
{
	if (r < MIN_FOLD || r > MAX_FOLD)
		return r;
	size_t lo = 0, hi = gri_fold_norbit;
	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;
		if (gri_fold_orbit[m][0] == r)
			return gri_fold_orbit[m][1];
		if (gri_fold_orbit[m][0] < r)
			lo = m + 1;
		else
			hi = m;
	}
	return r;
}

void rx_class_add_folded(rx_class *c, uint32_t lo, uint32_t hi)
{
	if (lo > hi)
		return;
	if ((lo <= MIN_FOLD && hi >= MAX_FOLD) || hi < MIN_FOLD || lo > MAX_FOLD) {
		push_range(c, lo, hi);
		return;
	}
	if (lo < MIN_FOLD) {
		push_range(c, lo, MIN_FOLD - 1);
		lo = MIN_FOLD;
	}
	if (hi > MAX_FOLD) {
		push_range(c, MAX_FOLD + 1, hi);
		hi = MAX_FOLD;
	}
	for (uint32_t r = lo; r <= hi && !c->failed; r++) {
		push_range(c, r, r);
		for (uint32_t f = rx_simple_fold(r); f != r; f = rx_simple_fold(f))
			push_range(c, f, f);
	}
}

static int range_cmp(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;
	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] > y[1] ? -1 : x[1] < y[1];
}

void rx_class_clean(rx_class *c)
{
	if (c->n < 2)
		return;
	qsort(c->r, c->n, 2 * sizeof(uint32_t), range_cmp);
	size_t w = 1;
	for (size_t i = 1; i < c->n; i++) {
		uint32_t lo = c->r[2 * i], hi = c->r[2 * i + 1];
		uint32_t *last = &c->r[2 * (w - 1)];
		if (lo <= last[1] + 1) {
			if (hi > last[1])
				last[1] = hi;
			continue;
		}
		c->r[2 * w] = lo;
		c->r[2 * w + 1] = hi;
		w++;
	}
	c->n = w;
}

void rx_class_negate(rx_class *c)
{
	rx_class out = {0};
	uint32_t next = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (c->r[2 * i] > next)
			push_range(&out, next, c->r[2 * i] - 1);
		next = c->r[2 * i + 1] + 1;
	}
	if (next <= RX_MAX_RUNE)
		push_range(&out, next, RX_MAX_RUNE);
	out.failed |= c->failed;
	free(c->r);
	*c = out;
}

/* Append class r (clean, n ranges), folded and/or negated as Go's appendGroup
 * and parseUnicodeClass do: fold first, then negate. */
void rx_class_add_class(rx_class *c, const uint32_t *r, size_t n, bool negate, bool fold)
{
	if (!fold && !negate) {
		for (size_t i = 0; i < n; i++)
			push_range(c, r[2 * i], r[2 * i + 1]);
		return;
	}
	rx_class tmp = {0};
	for (size_t i = 0; i < n; i++) {
		if (fold)
			rx_class_add_folded(&tmp, r[2 * i], r[2 * i + 1]);
		else
			push_range(&tmp, r[2 * i], r[2 * i + 1]);
	}
	rx_class_clean(&tmp);
	if (negate)
		rx_class_negate(&tmp);
	for (size_t i = 0; i < tmp.n; i++)
		push_range(c, tmp.r[2 * i], tmp.r[2 * i + 1]);
	c->failed |= tmp.failed;
	free(tmp.r);
}

void rx_class_free(rx_class *c)
{
	free(c->r);
	memset(c, 0, sizeof *c);
}

bool rx_class_has(const uint32_t *r, size_t n, uint32_t ch)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;
		if (ch < r[2 * m])
			hi = m;
		else if (ch > r[2 * m + 1])
			lo = m + 1;
		else
			return true;
	}
	return false;
}

/* ---- named groups ---- */
static const uint32_t code_digit[] = {'0', '9'};
static const uint32_t code_space[] = {'\t', '\n', '\f', '\r', ' ', ' '};
static const uint32_t code_word[] = {'0', '9', 'A', 'Z', '_', '_', 'a', 'z'};
static const uint32_t code_alnum[] = {'0', '9', 'A', 'Z', 'a', 'z'};
static const uint32_t code_alpha[] = {'A', 'Z', 'a', 'z'};
static const uint32_t code_ascii[] = {0, 0x7f};
static const uint32_t code_blank[] = {'\t', '\t', ' ', ' '};
static const uint32_t code_cntrl[] = {0, 0x1f, 0x7f, 0x7f};
static const uint32_t code_graph[] = {'!', '~'};
static const uint32_t code_lower[] = {'a', 'z'};
static const uint32_t code_print[] = {' ', '~'};
static const uint32_t code_punct[] = {'!', '/', ':', '@', '[', '`', '{', '~'};
static const uint32_t code_pspace[] = {'\t', '\r', ' ', ' '};
static const uint32_t code_upper[] = {'A', 'Z'};
static const uint32_t code_xdigit[] = {'0', '9', 'A', 'F', 'a', 'f'};

#define G(name, sign, arr)                                                                                   \
	{                                                                                                    \
		name, sign, arr, sizeof arr / sizeof arr[0] / 2                                              \
	}
static const rx_group perl_groups[] = {
        G("\\d", +1, code_digit), G("\\D", -1, code_digit), G("\\s", +1, code_space),
        G("\\S", -1, code_space), G("\\w", +1, code_word),  G("\\W", -1, code_word),
};
static const rx_group posix_groups[] = {
        G("[:alnum:]", +1, code_alnum),    G("[:^alnum:]", -1, code_alnum), G("[:alpha:]", +1, code_alpha),
        G("[:^alpha:]", -1, code_alpha),   G("[:ascii:]", +1, code_ascii),  G("[:^ascii:]", -1, code_ascii),
        G("[:blank:]", +1, code_blank),    G("[:^blank:]", -1, code_blank), G("[:cntrl:]", +1, code_cntrl),
        G("[:^cntrl:]", -1, code_cntrl),   G("[:digit:]", +1, code_digit),  G("[:^digit:]", -1, code_digit),
        G("[:graph:]", +1, code_graph),    G("[:^graph:]", -1, code_graph), G("[:lower:]", +1, code_lower),
        G("[:^lower:]", -1, code_lower),   G("[:print:]", +1, code_print),  G("[:^print:]", -1, code_print),
        G("[:punct:]", +1, code_punct),    G("[:^punct:]", -1, code_punct), G("[:space:]", +1, code_pspace),
        G("[:^space:]", -1, code_pspace),  G("[:upper:]", +1, code_upper),  G("[:^upper:]", -1, code_upper),
        G("[:word:]", +1, code_word),      G("[:^word:]", -1, code_word),   G("[:xdigit:]", +1, code_xdigit),
        G("[:^xdigit:]", -1, code_xdigit),
};

const rx_group *rx_perl_group(char c)
{
	for (size_t i = 0; i < sizeof perl_groups / sizeof perl_groups[0]; i++)
		if (perl_groups[i].name[1] == c)
			return &perl_groups[i];
	return NULL;
}

const rx_group *rx_posix_group(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof posix_groups / sizeof posix_groups[0]; i++)
		if (strlen(posix_groups[i].name) == len && memcmp(posix_groups[i].name, name, len) == 0)
			return &posix_groups[i];
	return NULL;
}

static const uint32_t any_ranges[] = {0, RX_MAX_RUNE};
static const gri_utable any_table = {"Any", any_ranges, 1};
static const uint32_t ascii_ranges[] = {0, 0x7F};
static const gri_utable ascii_table = {"ASCII", ascii_ranges, 1};

/* Go's canonicalName: drop '_', '-' and ' '; the first letter upper case,
 * the rest lower case. Returns the length written (at most cap). */
static size_t canonical(const char *s, size_t len, char *out, size_t cap)
{
	size_t n = 0;
	bool first = true;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '_' || c == '-' || c == ' ')
			continue;
		if (first) {
			if (c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			first = false;
		} else if (c >= 'A' && c <= 'Z') {
			c = (char)(c - 'A' + 'a');
		}
		if (n == cap)
			return cap + 1;
		out[n++] = c;
	}
	return n;
}

static bool same_name(const char *canon, size_t n, const char *table_name)
{
	char buf[64];
	size_t m = canonical(table_name, strlen(table_name), buf, sizeof buf);
	return m == n && memcmp(buf, canon, n) == 0;
}

static const gri_utable *table_named(const char *canon, size_t n)
{
	for (size_t i = 0; i < gri_unicode_ntables; i++)
		if (same_name(canon, n, gri_unicode_tables[i].name))
			return &gri_unicode_tables[i];
	return NULL;
}

const gri_utable *rx_unicode_table(const char *name, size_t len, int *sign)
{
	char c[64];
	size_t n = canonical(name, len, c, sizeof c);
	*sign = +1;
	if (n > sizeof c)
		return NULL;
	if (n == 3 && memcmp(c, "Any", 3) == 0)
		return &any_table;
	if (n == 8 && memcmp(c, "Assigned", 8) == 0) {
		*sign = -1;
		return table_named("Cn", 2);
	}
	if (n == 5 && memcmp(c, "Ascii", 5) == 0)
		return &ascii_table;
	const gri_utable *t = table_named(c, n);
	if (t)
		return t;
	for (size_t i = 0; i < gri_unicode_naliases; i++)
		if (same_name(c, n, gri_unicode_aliases[i].alias))
			return table_named(gri_unicode_aliases[i].name, strlen(gri_unicode_aliases[i].name));
	return NULL;
}
