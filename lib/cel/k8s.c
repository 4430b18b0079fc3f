/*
 * k8s.c — the Kubernetes CEL libraries over GR_CEL_OBJECT values: IP and
 * CIDR (net/netip semantics, Kubernetes' refusals of zones and IPv4-mapped
 * text), quantity (exact decimal arithmetic), semver and URL.
 *
 * An object value keeps only its text (u.s); the parsed form is derived
 * again when a function needs it. Parsing an IP or a quantity costs less
 * than a cache would, and the value stays a plain pointer and length.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel_internal.h"

#define NO() cel_no_overload(ev, call->name, a, n)

static gr_cel_value object(int sub, const char *s, size_t len)
{
	gr_cel_value v = {.kind = GR_CEL_OBJECT, .sub = (uint8_t)sub};
	v.u.s.ptr = s;
	v.u.s.len = len;
	return v;
}

/* ---- IP addresses ---- */

typedef struct ipaddr {
	uint8_t b[16];
	int v4;     /* an IPv4 address (b[12..15]) */
	int mapped; /* IPv6 text of an IPv4-mapped address */
	int zone;
} ipaddr;

static int ip_fail(char *msg, size_t cap, const char *in, size_t inlen, const char *what, const char *at)
{
	if (at)
		snprintf(msg, cap, "ParseAddr(\"%.*s\"): %s (at \"%s\")", (int)inlen, in, what, at);
	else
		snprintf(msg, cap, "ParseAddr(\"%.*s\"): %s", (int)inlen, in, what);
	return -1;
}

static int parse_v4(const char *s, size_t len, uint8_t *out, char *msg, size_t cap, const char *in,
                    size_t inlen)
{
	int fields = 0, val = 0, digits = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9') {
			if (digits == 1 && val == 0)
				return ip_fail(msg, cap, in, inlen, "IPv4 field has octet with leading zero",
				               NULL);
			val = val * 10 + (c - '0');
			digits++;
			if (val > 255)
				return ip_fail(msg, cap, in, inlen, "IPv4 field has value >255", NULL);
		} else if (c == '.') {
			if (digits == 0)
				return ip_fail(msg, cap, in, inlen, "IPv4 field must have at least one digit",
				               s + i);
			if (fields == 3)
				return ip_fail(msg, cap, in, inlen, "IPv4 address too long", NULL);
			out[fields++] = (uint8_t)val;
			val = 0;
			digits = 0;
		} else
			return ip_fail(msg, cap, in, inlen, "unexpected character", s + i);
	}
	if (digits == 0)
		return ip_fail(msg, cap, in, inlen, "IPv4 field must have at least one digit", s + len);
	if (fields < 3)
		return ip_fail(msg, cap, in, inlen, "IPv4 address too short", NULL);
	out[3] = (uint8_t)val;
	return 0;
}

static int hexv(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_ip(const char *s, size_t len, ipaddr *ip, char *msg, size_t cap)
{
	memset(ip, 0, sizeof *ip);
	const char *in = s;
	size_t inlen = len;
	int has_colon = memchr(s, ':', len) != NULL;
	if (!has_colon) {
		if (!memchr(s, '.', len))
			return ip_fail(msg, cap, in, inlen, "unable to parse IP", NULL);
		ip->v4 = 1;
		ip->b[10] = ip->b[11] = 0xff;
		return parse_v4(s, len, ip->b + 12, msg, cap, in, inlen);
	}
	const char *pct = memchr(s, '%', len);
	if (pct) {
		ip->zone = 1;
		len = (size_t)(pct - s);
		if (len + 1 == inlen)
			return ip_fail(msg, cap, in, inlen, "zone must be a non-empty string", NULL);
	}
	int ellipsis = -1, k = 0;
	size_t i = 0;
	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		ellipsis = 0;
		i = 2;
		if (i == len)
			return 0;
	}
	while (i < len) {
		size_t st = i;
		unsigned v = 0;
		int nd = 0;
		while (i < len && hexv(s[i]) >= 0) {
			v = v * 16 + (unsigned)hexv(s[i]);
			i++;
			nd++;
			if (v > 0xffff)
				return ip_fail(msg, cap, in, inlen, "IPv6 field has value >=2^16", s + st);
		}
		if (nd == 0)
			return ip_fail(msg, cap, in, inlen,
			               "each colon-separated field must have at least one digit", s + st);
		if (i < len && s[i] == '.') {
			/* embedded IPv4 */
			if (ellipsis < 0 && k != 12)
				return ip_fail(msg, cap, in, inlen,
				               "embedded IPv4 address must replace the final 2 fields of the "
				               "address",
				               s + st);
			if (k + 4 > 16)
				return ip_fail(msg, cap, in, inlen, "too many fields", s + st);
			if (parse_v4(s + st, len - st, ip->b + k, msg, cap, in, inlen) < 0)
				return -1;
			k += 4;
			i = len;
			ip->mapped = 2; /* dotted text */
			break;
		}
		if (k + 2 > 16)
			return ip_fail(msg, cap, in, inlen, "too many fields", s + st);
		ip->b[k++] = (uint8_t)(v >> 8);
		ip->b[k++] = (uint8_t)v;
		if (i == len)
			break;
		if (s[i] != ':')
			return ip_fail(msg, cap, in, inlen, "unexpected character, want colon", s + i);
		if (i + 1 == len)
			return ip_fail(msg, cap, in, inlen, "trailing colon", NULL);
		i++;
		if (s[i] == ':') {
			if (ellipsis >= 0)
				return ip_fail(msg, cap, in, inlen, "multiple :: in address", s + i - 1);
			ellipsis = k;
			i++;
			if (i == len)
				break;
		}
		if (k == 16)
			return ip_fail(msg, cap, in, inlen, "trailing garbage after address", s + i);
	}
	if (k < 16) {
		if (ellipsis < 0)
			return ip_fail(msg, cap, in, inlen, "address string too short", NULL);
		int n = 16 - k;
		memmove(ip->b + ellipsis + n, ip->b + ellipsis, (size_t)(k - ellipsis));
		memset(ip->b + ellipsis, 0, (size_t)n);
	} else if (ellipsis >= 0)
		return ip_fail(msg, cap, in, inlen, "the :: must expand to at least one field of zeros",
		               NULL);
	static const uint8_t v4pfx[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (ip->mapped == 2 && !memcmp(ip->b, v4pfx, 12))
		ip->mapped = 1;
	else
		ip->mapped = 0;
	return 0;
}

static int is_4in6(const ipaddr *ip)
{
	static const uint8_t v4pfx[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	return !memcmp(ip->b, v4pfx, 12);
}

/* Kubernetes' ip(): the parse plus its own refusals. */
static gr_cel_value k8s_parse_ip(cel_eval *ev, const char *s, size_t len, ipaddr *ip)
{
	char msg[300];
	if (parse_ip(s, len, ip, msg, sizeof msg) < 0)
		return cel_error(ev, "IP Address \"%.*s\" parse error during conversion from string: %s",
		                 (int)len, s, msg);
	if (ip->zone)
		return cel_error(ev, "IP Address with zone value is not allowed");
	if (ip->mapped)
		return cel_error(ev, "IPv4-mapped IPv6 address is not allowed");
	return gr_cel_null();
}

static void format_ip(const ipaddr *ip, char *out, size_t cap)
{
	if (ip->v4) {
		snprintf(out, cap, "%u.%u.%u.%u", ip->b[12], ip->b[13], ip->b[14], ip->b[15]);
		return;
	}
	/* RFC 5952: the longest run (>= 2) of zero fields becomes :: */
	unsigned f[8];
	for (int i = 0; i < 8; i++)
		f[i] = (unsigned)ip->b[2 * i] << 8 | ip->b[2 * i + 1];
	int best = -1, bestlen = 0;
	for (int i = 0; i < 8;) {
		if (f[i]) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && !f[j])
			j++;
		if (j - i > bestlen && j - i >= 2) {
			best = i;
			bestlen = j - i;
		}
		i = j;
	}
	size_t o = 0;
	out[0] = 0;
	for (int i = 0; i < 8 && o < cap;) {
		if (i == best) {
			o += (size_t)snprintf(out + o, cap - o, "::");
			i += bestlen;
			continue;
		}
		o += (size_t)snprintf(out + o, cap - o, "%s%x",
		                      (i && i != best + bestlen) || (i && best < 0) ? ":" : "", f[i]);
		i++;
	}
}

static int ip_bits(const ipaddr *ip)
{
	return ip->v4 ? 32 : 128;
}

static const uint8_t *ip_bytes(const ipaddr *ip)
{
	return ip->v4 ? ip->b + 12 : ip->b;
}

/* ---- CIDR ---- */

typedef struct cidr {
	ipaddr ip;
	int bits;
} cidr;

static gr_cel_value k8s_parse_cidr(cel_eval *ev, const char *s, size_t len, cidr *c)
{
	const char *slash = memchr(s, '/', len);
	const char *pre = "network address parse error during conversion from string: network address parse "
	                  "error during "
	                  "conversion from string: ";
	if (!slash)
		return cel_error(ev, "%snetip.ParsePrefix(\"%.*s\"): no '/'", pre, (int)len, s);
	size_t al = (size_t)(slash - s);
	char msg[300];
	if (memchr(s, '%', al))
		return cel_error(ev, "CIDR with zone value is not allowed");
	if (parse_ip(s, al, &c->ip, msg, sizeof msg) < 0)
		return cel_error(ev, "%snetip.ParsePrefix(\"%.*s\"): %s", pre, (int)len, s, msg);
	const char *b = slash + 1;
	size_t bl = len - al - 1;
	int bits = 0;
	if (bl == 0 || bl > 3 || (bl > 1 && b[0] == '0'))
		return cel_error(ev, "%snetip.ParsePrefix(\"%.*s\"): bad bits after slash: \"%.*s\"", pre,
		                 (int)len, s, (int)bl, b);
	for (size_t i = 0; i < bl; i++) {
		if (!isdigit((unsigned char)b[i]))
			return cel_error(ev, "%snetip.ParsePrefix(\"%.*s\"): bad bits after slash: \"%.*s\"",
			                 pre, (int)len, s, (int)bl, b);
		bits = bits * 10 + (b[i] - '0');
	}
	if (bits > ip_bits(&c->ip))
		return cel_error(ev, "%snetip.ParsePrefix(\"%.*s\"): prefix length out of range", pre,
		                 (int)len, s);
	if (c->ip.mapped)
		return cel_error(ev, "IPv4-mapped IPv6 address is not allowed");
	c->bits = bits;
	return gr_cel_null();
}

static void mask_bytes(uint8_t *b, int nbytes, int bits)
{
	for (int i = 0; i < nbytes; i++) {
		int keep = bits - i * 8;
		if (keep >= 8)
			continue;
		b[i] &= keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
	}
}

static int prefix_contains(const cidr *c, const ipaddr *ip)
{
	if (c->ip.v4 != ip->v4)
		return 0;
	int nb = ip_bits(ip) / 8;
	uint8_t x[16], y[16];
	memcpy(x, ip_bytes(&c->ip), (size_t)nb);
	memcpy(y, ip_bytes(ip), (size_t)nb);
	mask_bytes(x, nb, c->bits);
	mask_bytes(y, nb, c->bits);
	return !memcmp(x, y, (size_t)nb);
}

/* ---- quantities ---- */

/* value = m * 10^e exactly, or approximately `approx` when m overflowed. */
typedef struct quantity {
	__int128 m;
	int e;
	int big;
	long double approx;
	int neg;
} quantity;

static int parse_quantity(const char *s, size_t len, quantity *q, const char **err)
{
	memset(q, 0, sizeof *q);
	size_t i = 0;
	int neg = 0;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	size_t st = i;
	__int128 m = 0;
	int e = 0, nd = 0, big = 0;
	long double approx = 0;
	const __int128 lim = (__int128)1 << 120;
	while (i < len && isdigit((unsigned char)s[i])) {
		approx = approx * 10 + (s[i] - '0');
		if (m < lim)
			m = m * 10 + (s[i] - '0');
		else
			big = 1;
		i++;
		nd++;
	}
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && isdigit((unsigned char)s[i])) {
			approx = approx * 10 + (s[i] - '0');
			if (m < lim) {
				m = m * 10 + (s[i] - '0');
				e--;
			} else
				big = 1;
			i++;
			nd++;
		}
		/* approx counts all digits; rescale below */
	}
	if (nd == 0 || i == st) {
		*err = "quantities must match the regular expression "
		       "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
		return -1;
	}
	size_t frac_digits = 0;
	{
		const char *dot = memchr(s + st, '.', i - st);
		if (dot)
			frac_digits = (size_t)(s + i - dot - 1);
	}
	approx /= powl(10, (long double)frac_digits);
	const char *suf = s + i;
	size_t sl = len - i;
	int bin = 0, dec = 0;
	if (sl == 0)
		dec = 0;
	else if (sl == 2 && suf[1] == 'i') {
		switch (suf[0]) {
		case 'K': bin = 10; break;
		case 'M': bin = 20; break;
		case 'G': bin = 30; break;
		case 'T': bin = 40; break;
		case 'P': bin = 50; break;
		case 'E': bin = 60; break;
		default: *err = "unable to parse quantity's suffix"; return -1;
		}
	} else if (sl == 1) {
		switch (suf[0]) {
		case 'n': dec = -9; break;
		case 'u': dec = -6; break;
		case 'm': dec = -3; break;
		case 'k': dec = 3; break;
		case 'M': dec = 6; break;
		case 'G': dec = 9; break;
		case 'T': dec = 12; break;
		case 'P': dec = 15; break;
		case 'E': dec = 18; break;
		default: *err = "unable to parse quantity's suffix"; return -1;
		}
	} else if (suf[0] == 'e' || suf[0] == 'E') {
		size_t j = 1;
		int sg = 1, ex = 0, ed = 0;
		if (j < sl && (suf[j] == '+' || suf[j] == '-'))
			sg = suf[j++] == '-' ? -1 : 1;
		while (j < sl && isdigit((unsigned char)suf[j]) && ex < 100000) {
			ex = ex * 10 + (suf[j++] - '0');
			ed++;
		}
		if (!ed || j != sl) {
			*err = "unable to parse quantity's suffix";
			return -1;
		}
		dec = sg * ex;
	} else {
		*err = "unable to parse quantity's suffix";
		return -1;
	}
	e += dec;
	approx *= powl(10, (long double)dec);
	if (bin) {
		approx *= powl(2, (long double)bin);
		for (int k = 0; k < bin; k++) {
			if (m >= lim)
				big = 1;
			else
				m *= 2;
		}
	}
	q->m = neg ? -m : m;
	q->e = e;
	q->big = big;
	q->approx = neg ? -approx : approx;
	q->neg = neg;
	return 0;
}

/* Bring two exact quantities to one exponent; -1 when that overflows. */
static int q_align(quantity *a, quantity *b)
{
	const __int128 lim = (__int128)1 << 120;
	while (a->e > b->e) {
		if (a->m > lim / 10 || a->m < -lim / 10)
			return -1;
		a->m *= 10;
		a->e--;
	}
	while (b->e > a->e) {
		if (b->m > lim / 10 || b->m < -lim / 10)
			return -1;
		b->m *= 10;
		b->e--;
	}
	return 0;
}

static int q_cmp(quantity a, quantity b)
{
	if (a.big || b.big || q_align(&a, &b) < 0)
		return a.approx < b.approx ? -1 : a.approx > b.approx;
	return a.m < b.m ? -1 : a.m > b.m;
}

static void q_format(const quantity *q, char *out, size_t cap)
{
	/* a plain decimal: mantissa and exponent */
	__int128 m = q->m;
	int neg = m < 0;
	if (neg)
		m = -m;
	char d[64];
	int k = 0;
	do {
		d[k++] = (char)('0' + (int)(m % 10));
		m /= 10;
	} while (m);
	size_t o = 0;
	if (neg)
		out[o++] = '-';
	int e = q->e;
	if (e >= 0) {
		while (k && o < cap - 1)
			out[o++] = d[--k];
		for (int z = 0; z < e && o < cap - 1; z++)
			out[o++] = '0';
	} else {
		int fd = -e;
		if (k <= fd) {
			out[o++] = '0';
			out[o++] = '.';
			for (int z = 0; z < fd - k && o < cap - 1; z++)
				out[o++] = '0';
			while (k && o < cap - 1)
				out[o++] = d[--k];
		} else {
			while (k > fd && o < cap - 1)
				out[o++] = d[--k];
			out[o++] = '.';
			while (k && o < cap - 1)
				out[o++] = d[--k];
		}
		while (o > 0 && out[o - 1] == '0')
			o--;
		if (o > 0 && out[o - 1] == '.')
			o--;
	}
	out[o] = 0;
}

static gr_cel_value q_value(cel_eval *ev, const quantity *q)
{
	char buf[200];
	q_format(q, buf, sizeof buf);
	return object(GR_CEL_OBJ_QUANTITY, gr_arena_strdup(ev->arena, buf), strlen(buf));
}

static int q_of(const gr_cel_value *v, quantity *q)
{
	const char *err;
	if (v->kind == GR_CEL_INT) {
		memset(q, 0, sizeof *q);
		q->m = v->u.i;
		q->approx = (long double)v->u.i;
		return 0;
	}
	return parse_quantity(v->u.s.ptr, v->u.s.len, q, &err);
}

/* ---- semver ---- */

typedef struct semver {
	uint64_t major, minor, patch;
	const char *pre;
	size_t prelen;
} semver;

static int parse_num(const char *s, size_t len, size_t *i, uint64_t *v, int strict)
{
	size_t st = *i;
	*v = 0;
	while (*i < len && isdigit((unsigned char)s[*i])) {
		*v = *v * 10 + (uint64_t)(s[*i] - '0');
		(*i)++;
	}
	if (*i == st)
		return -1;
	if (strict && *i - st > 1 && s[st] == '0')
		return -1;
	return 0;
}

static int parse_semver(const char *s, size_t len, int normalize, semver *v, const char **err)
{
	memset(v, 0, sizeof *v);
	size_t i = 0;
	if (normalize && i < len && s[i] == 'v')
		i++;
	if (parse_num(s, len, &i, &v->major, !normalize) < 0) {
		*err = "No Major.Minor.Patch elements found";
		return -1;
	}
	if (i < len && s[i] == '.') {
		i++;
		if (parse_num(s, len, &i, &v->minor, !normalize) < 0) {
			*err = "No Major.Minor.Patch elements found";
			return -1;
		}
		if (i < len && s[i] == '.') {
			i++;
			if (parse_num(s, len, &i, &v->patch, !normalize) < 0) {
				*err = "No Major.Minor.Patch elements found";
				return -1;
			}
		} else if (!normalize) {
			*err = "No Major.Minor.Patch elements found";
			return -1;
		}
	} else if (!normalize) {
		*err = "No Major.Minor.Patch elements found";
		return -1;
	}
	if (i < len && s[i] == '-') {
		size_t st = ++i;
		while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '.'))
			i++;
		if (i == st) {
			*err = "Invalid Prerelease";
			return -1;
		}
		v->pre = s + st;
		v->prelen = i - st;
	}
	if (i < len && s[i] == '+') {
		size_t st = ++i;
		while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '.'))
			i++;
		if (i == st) {
			*err = "Invalid Build";
			return -1;
		}
	}
	if (i != len) {
		*err = "Invalid character(s) found";
		return -1;
	}
	return 0;
}

static int cmp_u(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int semver_cmp(const semver *a, const semver *b)
{
	int c = cmp_u(a->major, b->major);
	if (!c)
		c = cmp_u(a->minor, b->minor);
	if (!c)
		c = cmp_u(a->patch, b->patch);
	if (c)
		return c;
	if (!a->prelen || !b->prelen)
		return a->prelen ? -1 : b->prelen ? 1 : 0;
	/* dot-separated identifiers: numeric ones compare numerically and sort first */
	size_t i = 0, j = 0;
	while (i < a->prelen && j < b->prelen) {
		size_t ie = i, je = j;
		while (ie < a->prelen && a->pre[ie] != '.')
			ie++;
		while (je < b->prelen && b->pre[je] != '.')
			je++;
		int an = 1, bn = 1;
		for (size_t k = i; k < ie; k++)
			an &= isdigit((unsigned char)a->pre[k]) != 0;
		for (size_t k = j; k < je; k++)
			bn &= isdigit((unsigned char)b->pre[k]) != 0;
		if (an && bn) {
			uint64_t x = strtoull(a->pre + i, NULL, 10), y = strtoull(b->pre + j, NULL, 10);
			if (x != y)
				return x < y ? -1 : 1;
		} else if (an != bn)
			return an ? -1 : 1;
		else {
			size_t la = ie - i, lb = je - j;
			int r = memcmp(a->pre + i, b->pre + j, la < lb ? la : lb);
			if (r)
				return r < 0 ? -1 : 1;
			if (la != lb)
				return la < lb ? -1 : 1;
		}
		i = ie + 1;
		j = je + 1;
	}
	if (i < a->prelen)
		return 1;
	if (j < b->prelen)
		return -1;
	return 0;
}

static gr_cel_value semver_value(cel_eval *ev, const semver *v)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%llu.%llu.%llu%s%.*s", (unsigned long long)v->major,
	         (unsigned long long)v->minor, (unsigned long long)v->patch, v->prelen ? "-" : "",
	         (int)v->prelen, v->pre ? v->pre : "");
	return object(GR_CEL_OBJ_SEMVER, gr_arena_strdup(ev->arena, buf), strlen(buf));
}

/* ---- URLs (Go net/url ParseRequestURI, as Kubernetes' url() uses) ---- */

typedef struct url_parts {
	const char *scheme, *host, *path, *query;
	size_t scheme_len, host_len, path_len, query_len;
} url_parts;

/* Go's url.ParseRequestURI after the fragment is cut: control bytes
 * refused, spaces allowed in the path and query, an opaque rest after the
 * scheme accepted, a port of digits only. */
static int parse_url(const char *s, size_t len, url_parts *u)
{
	memset(u, 0, sizeof *u);
	for (size_t k = 0; k < len; k++)
		if ((unsigned char)s[k] < 0x20 || s[k] == 0x7f)
			return -1;
	const char *hash = memchr(s, '#', len);
	if (hash)
		len = (size_t)(hash - s); /* Kubernetes' url() drops the fragment */
	if (len == 0)
		return -1;
	size_t i = 0;
	/* the scheme: a letter, then letters, digits, '+', '-', '.' up to ':' */
	for (size_t k = 0; k < len; k++) {
		char c = s[k];
		if (isalpha((unsigned char)c))
			continue;
		if (isdigit((unsigned char)c) || c == '+' || c == '-' || c == '.') {
			if (k == 0)
				break;
			continue;
		}
		if (c == ':') {
			if (k == 0)
				return -1; /* missing protocol scheme */
			u->scheme = s;
			u->scheme_len = k;
			i = k + 1;
		}
		break;
	}
	const char *q = memchr(s + i, '?', len - i);
	size_t end = q ? (size_t)(q - s) : len;
	if (q) {
		u->query = q + 1;
		u->query_len = len - end - 1;
	}
	if (i >= end || s[i] != '/') {
		if (u->scheme)
			return 0; /* opaque */
		return -1;        /* invalid URI for request */
	}
	if (u->scheme && end - i >= 2 && s[i + 1] == '/') {
		i += 2;
		size_t hs = i;
		while (i < end && s[i] != '/')
			i++;
		const char *at = NULL;
		for (size_t k = hs; k < i; k++)
			if (s[k] == '@')
				at = s + k;
		u->host = at ? at + 1 : s + hs;
		u->host_len = (size_t)(s + i - u->host);
		const char *h = u->host;
		size_t hl = u->host_len;
		for (size_t k = 0; k < hl; k++)
			if (strchr(" <>\"{}|\\^`", h[k]))
				return -1;
		const char *port = NULL;
		if (hl && h[0] == '[') {
			const char *rb = memchr(h, ']', hl);
			if (!rb)
				return -1; /* missing ']' in host */
			if (rb + 1 < h + hl) {
				if (rb[1] != ':')
					return -1;
				port = rb + 1;
			}
		} else
			port = memrchr(h, ':', hl);
		for (const char *p = port ? port + 1 : NULL; p && p < h + hl; p++)
			if (!isdigit((unsigned char)*p))
				return -1; /* invalid port */
	}
	u->path = s + i;
	u->path_len = end - i;
	return 0;
}

/* Go's EscapedPath: the path with what a path may not hold percent-escaped */
static gr_cel_value url_escaped_path(cel_eval *ev, const char *p, size_t n)
{
	gr_buf b;
	gr_buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '%' && i + 2 < n && isxdigit((unsigned char)p[i + 1]) &&
		    isxdigit((unsigned char)p[i + 2]))
			gr_buf_putc(&b, (char)c);
		else if (isalnum(c) || strchr("-_.~$&+,/:;=@!'()*[]", c))
			gr_buf_putc(&b, (char)c);
		else
			gr_buf_printf(&b, "%%%02X", c);
	}
	gr_cel_value r = cel_make_string(ev, b.data ? b.data : "", b.len);
	gr_buf_free(&b);
	return r;
}

/* Go's QueryUnescape: '+' is a space, %XX a byte */
static gr_cel_value query_unescape(cel_eval *ev, const char *p, size_t n)
{
	gr_buf b;
	gr_buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '+')
			gr_buf_putc(&b, ' ');
		else if (p[i] == '%' && i + 2 < n && isxdigit((unsigned char)p[i + 1]) &&
		         isxdigit((unsigned char)p[i + 2])) {
			char hex[3] = {p[i + 1], p[i + 2], 0};
			gr_buf_putc(&b, (char)strtol(hex, NULL, 16));
			i += 2;
		} else
			gr_buf_putc(&b, p[i]);
	}
	gr_cel_value r = cel_make_string(ev, b.data ? b.data : "", b.len);
	gr_buf_free(&b);
	return r;
}

/* ---- format (named string formats, apimachinery's validation messages) ---- */

static const char *const format_names[] = {"dns1123Label",
                                           "dns1123Subdomain",
                                           "dns1035Label",
                                           "qualifiedName",
                                           "dns1123LabelPrefix",
                                           "dns1123SubdomainPrefix",
                                           "dns1035LabelPrefix",
                                           "labelValue",
                                           "uri",
                                           "uuid",
                                           "byte",
                                           "date",
                                           "datetime",
                                           NULL};

#define LABEL_MSG                                                                                            \
	"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "    \
	"start and "                                                                                         \
	"end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "   \
	"'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define SUBDOMAIN_MSG                                                                                        \
	"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "    \
	"and must "                                                                                          \
	"start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "    \
	"'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define DNS1035_MSG                                                                                          \
	"a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "         \
	"alphabetic "                                                                                        \
	"character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "  \
	"validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
#define NAME_PART_MSG                                                                                        \
	"name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "   \
	"an "                                                                                                \
	"alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is " \
	"'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
#define QUALIFIED_MSG                                                                                        \
	"a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end " \
	"with an "                                                                                           \
	"alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is " \
	"'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. "   \
	"'example.com/MyName')"
#define LABEL_VALUE_MSG                                                                                      \
	"a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and " \
	"must "                                                                                              \
	"start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex "  \
	"used for "                                                                                          \
	"validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"

static int lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
static int any_alnum(char c)
{
	return isalnum((unsigned char)c) != 0;
}

static int is_label(const char *s, size_t n)
{
	if (n == 0 || !lower_alnum(s[0]) || !lower_alnum(s[n - 1]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!lower_alnum(s[i]) && s[i] != '-')
			return 0;
	return 1;
}

static int is_subdomain(const char *s, size_t n)
{
	size_t st = 0;
	for (size_t i = 0; i <= n; i++)
		if (i == n || s[i] == '.') {
			if (!is_label(s + st, i - st))
				return 0;
			st = i + 1;
		}
	return 1;
}

static int is_name_part(const char *s, size_t n)
{
	if (n == 0 || !any_alnum(s[0]) || !any_alnum(s[n - 1]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!any_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return 0;
	return 1;
}

/* Append the validation errors of s under format name to errs (up to 4). */
static size_t format_check(const char *name, const char *s0, size_t n, const char **errs, char *buf)
{
	size_t k = 0;
	char tmp[512];
	const char *s = s0;
	if (strstr(name, "Prefix") && n > 1 && s[n - 1] == '-' && n < sizeof tmp) {
		memcpy(tmp, s, n);
		tmp[n - 1] = 'a'; /* a prefix may end in '-': mask it */
		s = tmp;
	}
	if (!strncmp(name, "dns1123Label", 12) || !strncmp(name, "dns1035Label", 12)) {
		int l1035 = name[3] == '1' && name[4] == '0';
		if (n > 63)
			errs[k++] = "must be no more than 63 characters";
		if (l1035 ? !(is_label(s, n) && isalpha((unsigned char)s[0])) : !is_label(s, n))
			errs[k++] = l1035 ? DNS1035_MSG : LABEL_MSG;
	} else if (!strncmp(name, "dns1123Subdomain", 16)) {
		if (n > 253)
			errs[k++] = "must be no more than 253 characters";
		if (!is_subdomain(s, n))
			errs[k++] = SUBDOMAIN_MSG;
	} else if (!strcmp(name, "qualifiedName")) {
		const char *slash = memchr(s, '/', n);
		const char *np = s;
		size_t nl = n;
		if (slash) {
			if (memchr(slash + 1, '/', n - (size_t)(slash - s) - 1)) {
				errs[k++] = QUALIFIED_MSG;
				return k;
			}
			size_t pl = (size_t)(slash - s);
			np = slash + 1;
			nl = n - pl - 1;
			if (pl == 0)
				errs[k++] = "prefix part must be non-empty";
			else if (!is_subdomain(s, pl)) {
				snprintf(buf, 600, "prefix part %s", SUBDOMAIN_MSG);
				errs[k++] = buf;
			}
		}
		if (nl == 0)
			errs[k++] = "name part must be non-empty";
		else if (nl > 63)
			errs[k++] = "name part must be no more than 63 characters";
		if (nl && !is_name_part(np, nl))
			errs[k++] = NAME_PART_MSG;
	} else if (!strcmp(name, "labelValue")) {
		if (n > 63)
			errs[k++] = "must be no more than 63 characters";
		if (n && !is_name_part(s, n))
			errs[k++] = LABEL_VALUE_MSG;
	} else if (!strcmp(name, "uri")) {
		url_parts u;
		if (parse_url(s, n, &u) < 0)
			errs[k++] = "invalid URI";
	} else if (!strcmp(name, "uuid")) {
		static const int groups[] = {8, 4, 4, 4, 12};
		size_t i = 0;
		int ok = 1;
		for (int g = 0; g < 5 && ok; g++) {
			for (int j = 0; j < groups[g]; j++, i++)
				if (i >= n || !isxdigit((unsigned char)s[i]))
					ok = 0;
			if (g < 4 && ok) {
				if (i >= n || s[i] != '-')
					ok = 0;
				i++;
			}
		}
		if (!ok || i != n)
			errs[k++] = "invalid uuid";
	} else if (!strcmp(name, "byte")) {
		int ok = n % 4 == 0;
		for (size_t i = 0; i < n && ok; i++) {
			char c = s[i];
			if (c == '=') {
				ok = i >= n - 2 && (i == n - 1 || s[n - 1] == '=');
				continue;
			}
			ok = isalnum((unsigned char)c) || c == '+' || c == '/';
		}
		if (!ok)
			errs[k++] = "invalid base64";
	} else if (!strcmp(name, "date")) {
		char b[64];
		int64_t sec;
		int32_t ns;
		if (n != 10 ||
		    (snprintf(b, sizeof b, "%.10sT00:00:00Z", s), cel_parse_timestamp(b, 20, &sec, &ns) < 0))
			errs[k++] = "invalid date";
	} else if (!strcmp(name, "datetime")) {
		int64_t sec;
		int32_t ns;
		if (cel_parse_timestamp(s, n, &sec, &ns) < 0)
			errs[k++] = "invalid datetime";
	}
	return k;
}

/* Kubernetes' Format.MaxRegexSize per named format (apiserver
 * pkg/cel/library/format.go): the length of the regular expression the
 * format stands for, which its validate() is charged by. The name formats
 * give the sizes directly; uri, uuid, byte, date and datetime give the
 * length of a pattern of the validators they use (govalidator's URL and
 * Base64, kube-openapi strfmt's UUIDPattern and DateTimePattern), counted
 * from the versions read (no cost case checks them). */
uint64_t cel_k8s_format_regex_size(const gr_cel_value *f)
{
	static const struct {
		const char *name;
		uint64_t size;
	} sizes[] = {
	        {"dns1123Label", 30},
	        {"dns1123Subdomain", 60},
	        {"dns1035Label", 30},
	        {"qualifiedName", 60},
	        {"dns1123LabelPrefix", 30},
	        {"dns1123SubdomainPrefix", 60},
	        {"dns1035LabelPrefix", 30},
	        {"labelValue", 40},
	        {"uri", 1120},
	        {"uuid", 70},
	        {"byte", 84},
	        {"date", 71},
	        {"datetime", 71},
	};
	if (f->kind != GR_CEL_OBJECT || f->sub != GR_CEL_OBJ_FORMAT)
		return 0;
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		if (strlen(sizes[i].name) == f->u.s.len && !memcmp(sizes[i].name, f->u.s.ptr, f->u.s.len))
			return sizes[i].size;
	return 0;
}

static const char *format_name(const char *s, size_t n)
{
	for (int i = 0; format_names[i]; i++)
		if (strlen(format_names[i]) == n && !memcmp(format_names[i], s, n))
			return format_names[i];
	return NULL;
}

/* ---- dispatch ---- */

static int is(const char *a, const char *b)
{
	return !strcmp(a, b);
}

static gr_cel_value to_quantity(cel_eval *ev, const char *s, size_t len)
{
	quantity q;
	const char *err;
	if (parse_quantity(s, len, &q, &err) < 0)
		return cel_error(ev, "%s", err);
	return object(GR_CEL_OBJ_QUANTITY, s, len);
}

gr_cel_value cel_k8s_call(cel_eval *ev, const cel_node *call, gr_cel_value *a, size_t n)
{
	const char *f = call->name;
	char buf[256];
	if (!strncmp(f, "format.", 7) && !call->member) {
		if (!strcmp(f, "format.named")) {
			if (n != 1 || a[0].kind != GR_CEL_STRING)
				return NO();
			const char *nm = format_name(a[0].u.s.ptr, a[0].u.s.len);
			gr_cel_value o = object(GR_CEL_OBJ_FORMAT, nm, nm ? strlen(nm) : 0);
			return gr_cel_optional(ev->arena, nm ? &o : NULL);
		}
		const char *nm = format_name(f + 7, strlen(f + 7));
		if (!nm)
			return NO();
		return object(GR_CEL_OBJ_FORMAT, nm, strlen(nm));
	}
	/* constructors and predicates on strings */
	if (n >= 1 && a[0].kind == GR_CEL_STRING && !call->member) {
		const char *s = a[0].u.s.ptr;
		size_t len = a[0].u.s.len;
		if (is(f, "quantity"))
			return to_quantity(ev, s, len);
		if (is(f, "isQuantity")) {
			quantity q;
			const char *err;
			return gr_cel_bool(parse_quantity(s, len, &q, &err) == 0);
		}
		if (is(f, "ip") || is(f, "isIP") || is(f, "ip.isCanonical")) {
			ipaddr ip;
			gr_cel_value r = k8s_parse_ip(ev, s, len, &ip);
			if (is(f, "isIP"))
				return gr_cel_bool(r.kind != GR_CEL_ERROR);
			if (r.kind == GR_CEL_ERROR)
				return r;
			if (is(f, "ip.isCanonical")) {
				format_ip(&ip, buf, sizeof buf);
				return gr_cel_bool(strlen(buf) == len && !memcmp(buf, s, len));
			}
			return object(GR_CEL_OBJ_IP, s, len);
		}
		if (is(f, "cidr") || is(f, "isCIDR")) {
			cidr c;
			gr_cel_value r = k8s_parse_cidr(ev, s, len, &c);
			if (is(f, "isCIDR"))
				return gr_cel_bool(r.kind != GR_CEL_ERROR);
			if (r.kind == GR_CEL_ERROR)
				return r;
			return object(GR_CEL_OBJ_CIDR, s, len);
		}
		if (is(f, "url") || is(f, "isURL")) {
			url_parts u;
			int ok = parse_url(s, len, &u) == 0;
			if (is(f, "isURL"))
				return gr_cel_bool(ok);
			if (!ok)
				return cel_error(ev,
				                 "URL parse error during conversion from string: parse "
				                 "\"%.*s\": invalid URI for request",
				                 (int)len, s);
			return object(GR_CEL_OBJ_URL, s, len);
		}
		if (is(f, "semver") || is(f, "isSemver")) {
			int norm = n == 2 && a[1].kind == GR_CEL_BOOL && a[1].u.b;
			if (n == 2 && a[1].kind != GR_CEL_BOOL)
				return NO();
			semver v;
			const char *err;
			int ok = parse_semver(s, len, norm, &v, &err) == 0;
			if (is(f, "isSemver"))
				return gr_cel_bool(ok);
			if (!ok)
				return cel_error(ev, "%s", err);
			if (norm)
				return semver_value(ev, &v);
			return object(GR_CEL_OBJ_SEMVER, s, len);
		}
		return NO();
	}
	if (n < 1 || a[0].kind != GR_CEL_OBJECT)
		return NO();
	const char *s = a[0].u.s.ptr;
	size_t len = a[0].u.s.len;
	switch (a[0].sub) {
	case GR_CEL_OBJ_IP: {
		ipaddr ip;
		char msg[300];
		if (parse_ip(s, len, &ip, msg, sizeof msg) < 0)
			return cel_error(ev, "%s", msg);
		const uint8_t *b = ip.b;
		if (is(f, "family") && n == 1)
			return gr_cel_int(ip.v4 ? 4 : 6);
		if (is(f, "isUnspecified")) {
			static const uint8_t z[16];
			return gr_cel_bool(ip.v4 ? !memcmp(b + 12, z, 4) : !memcmp(b, z, 16));
		}
		if (is(f, "isLoopback")) {
			static const uint8_t lo[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
			return gr_cel_bool(ip.v4 ? b[12] == 127 : !memcmp(b, lo, 16));
		}
		if (is(f, "isLinkLocalMulticast"))
			return gr_cel_bool(ip.v4 ? (b[12] == 224 && b[13] == 0 && b[14] == 0)
			                         : (b[0] == 0xff && (b[1] & 0x0f) == 0x02));
		if (is(f, "isLinkLocalUnicast"))
			return gr_cel_bool(ip.v4 ? (b[12] == 169 && b[13] == 254)
			                         : (b[0] == 0xfe && (b[1] & 0xc0) == 0x80));
		if (is(f, "isGlobalUnicast")) {
			static const uint8_t z[16];
			if (ip.v4) {
				const uint8_t *v = b + 12;
				if (!memcmp(v, z, 4) || v[0] == 127 || v[0] >= 224 ||
				    (v[0] == 169 && v[1] == 254))
					return gr_cel_bool(false);
				return gr_cel_bool(
				        !(v[0] == 255 && v[1] == 255 && v[2] == 255 && v[3] == 255));
			}
			static const uint8_t lo[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
			if (!memcmp(b, z, 16) || !memcmp(b, lo, 16) || b[0] == 0xff ||
			    (b[0] == 0xfe && (b[1] & 0xc0) == 0x80))
				return gr_cel_bool(false);
			return gr_cel_bool(true);
		}
		return NO();
	}
	case GR_CEL_OBJ_CIDR: {
		cidr c;
		gr_cel_value r = k8s_parse_cidr(ev, s, len, &c);
		if (r.kind == GR_CEL_ERROR)
			return r;
		if (is(f, "prefixLength"))
			return gr_cel_int(c.bits);
		if (is(f, "ip") || is(f, "masked")) {
			ipaddr m = c.ip;
			if (is(f, "masked"))
				mask_bytes(m.v4 ? m.b + 12 : m.b, m.v4 ? 4 : 16, c.bits);
			format_ip(&m, buf, sizeof buf);
			size_t bl = strlen(buf);
			if (is(f, "masked"))
				bl += (size_t)snprintf(buf + bl, sizeof buf - bl, "/%d", c.bits);
			return object(is(f, "ip") ? GR_CEL_OBJ_IP : GR_CEL_OBJ_CIDR,
			              gr_arena_strdup(ev->arena, buf), bl);
		}
		if (is(f, "containsIP") && n == 2) {
			ipaddr ip;
			if (a[1].kind == GR_CEL_STRING) {
				gr_cel_value e = k8s_parse_ip(ev, a[1].u.s.ptr, a[1].u.s.len, &ip);
				if (e.kind == GR_CEL_ERROR)
					return e;
			} else if (a[1].kind == GR_CEL_OBJECT && a[1].sub == GR_CEL_OBJ_IP) {
				char msg[300];
				if (parse_ip(a[1].u.s.ptr, a[1].u.s.len, &ip, msg, sizeof msg) < 0)
					return cel_error(ev, "%s", msg);
			} else
				return NO();
			return gr_cel_bool(prefix_contains(&c, &ip));
		}
		if (is(f, "containsCIDR") && n == 2) {
			cidr o;
			if (a[1].kind == GR_CEL_STRING ||
			    (a[1].kind == GR_CEL_OBJECT && a[1].sub == GR_CEL_OBJ_CIDR)) {
				gr_cel_value e = k8s_parse_cidr(ev, a[1].u.s.ptr, a[1].u.s.len, &o);
				if (e.kind == GR_CEL_ERROR)
					return e;
			} else
				return NO();
			return gr_cel_bool(o.bits >= c.bits && prefix_contains(&c, &o.ip));
		}
		return NO();
	}
	case GR_CEL_OBJ_QUANTITY: {
		quantity q, o;
		if (q_of(&a[0], &q) < 0)
			return cel_error(ev, "invalid quantity");
		if (is(f, "sign"))
			return gr_cel_int(q.big ? (q.approx > 0) - (q.approx < 0) : (q.m > 0) - (q.m < 0));
		if (is(f, "isInteger") || is(f, "asInteger")) {
			int ok = !q.big;
			__int128 m = q.m;
			int e = q.e;
			while (ok && e < 0) {
				if (m % 10) {
					ok = 0;
					break;
				}
				m /= 10;
				e++;
			}
			while (ok && e > 0) {
				if (m > (__int128)INT64_MAX || m < (__int128)INT64_MIN)
					ok = 0;
				m *= 10;
				e--;
			}
			if (ok && (m > (__int128)INT64_MAX || m < (__int128)INT64_MIN))
				ok = 0;
			if (is(f, "isInteger"))
				return gr_cel_bool(ok);
			if (!ok)
				return cel_error(ev, "cannot convert value to integer");
			return gr_cel_int((int64_t)m);
		}
		if (is(f, "asApproximateFloat"))
			return gr_cel_double((double)q.approx);
		if (n != 2)
			return NO();
		if (a[1].kind == GR_CEL_INT ||
		    (a[1].kind == GR_CEL_OBJECT && a[1].sub == GR_CEL_OBJ_QUANTITY)) {
			if (q_of(&a[1], &o) < 0)
				return cel_error(ev, "invalid quantity");
		} else
			return NO();
		if (is(f, "isLessThan") && a[1].kind == GR_CEL_OBJECT)
			return gr_cel_bool(q_cmp(q, o) < 0);
		if (is(f, "isGreaterThan") && a[1].kind == GR_CEL_OBJECT)
			return gr_cel_bool(q_cmp(q, o) > 0);
		if (is(f, "compareTo") && a[1].kind == GR_CEL_OBJECT)
			return gr_cel_int(q_cmp(q, o));
		if (is(f, "add") || is(f, "sub")) {
			if (q.big || o.big || q_align(&q, &o) < 0)
				return cel_error(ev, "quantity overflow");
			q.m = is(f, "add") ? q.m + o.m : q.m - o.m;
			return q_value(ev, &q);
		}
		return NO();
	}
	case GR_CEL_OBJ_SEMVER: {
		semver v, w;
		const char *err;
		if (parse_semver(s, len, 0, &v, &err) < 0)
			return cel_error(ev, "%s", err);
		if (is(f, "major"))
			return gr_cel_int((int64_t)v.major);
		if (is(f, "minor"))
			return gr_cel_int((int64_t)v.minor);
		if (is(f, "patch"))
			return gr_cel_int((int64_t)v.patch);
		if (n != 2 || a[1].kind != GR_CEL_OBJECT || a[1].sub != GR_CEL_OBJ_SEMVER)
			return NO();
		if (parse_semver(a[1].u.s.ptr, a[1].u.s.len, 0, &w, &err) < 0)
			return cel_error(ev, "%s", err);
		int c = semver_cmp(&v, &w);
		if (is(f, "isLessThan"))
			return gr_cel_bool(c < 0);
		if (is(f, "isGreaterThan"))
			return gr_cel_bool(c > 0);
		if (is(f, "compareTo"))
			return gr_cel_int(c);
		return NO();
	}
	case GR_CEL_OBJ_URL: {
		url_parts u;
		if (parse_url(s, len, &u) < 0)
			return cel_error(ev, "invalid URL");
		if (is(f, "getScheme"))
			return gr_cel_string(u.scheme ? u.scheme : "", u.scheme_len);
		if (is(f, "getHost"))
			return gr_cel_string(u.host ? u.host : "", u.host_len);
		if (is(f, "getHostname") || is(f, "getPort")) {
			const char *h = u.host ? u.host : "";
			size_t hl = u.host_len;
			const char *host = h, *port = "";
			size_t hostl = hl, portl = 0;
			if (hl && h[0] == '[') {
				const char *rb = memchr(h, ']', hl);
				if (rb) {
					host = h + 1;
					hostl = (size_t)(rb - h - 1);
					if ((size_t)(rb - h) + 1 < hl && rb[1] == ':') {
						port = rb + 2;
						portl = hl - (size_t)(rb - h) - 2;
					}
				}
			} else {
				const char *colon = memrchr(h, ':', hl);
				if (colon) {
					hostl = (size_t)(colon - h);
					port = colon + 1;
					portl = hl - hostl - 1;
				}
			}
			return is(f, "getHostname") ? gr_cel_string(host, hostl) : gr_cel_string(port, portl);
		}
		if (is(f, "getEscapedPath"))
			return url_escaped_path(ev, u.path ? u.path : "", u.path_len);
		if (is(f, "getQuery")) {
			/* map(string, list(string)), in order of first appearance */
			const char *qs = u.query ? u.query : "";
			size_t ql = u.query_len;
			size_t cap = 8, nk = 0;
			gr_cel_value *keys = gr_arena_alloc(ev->arena, cap * sizeof *keys);
			gr_cel_value **vals = gr_arena_alloc(ev->arena, cap * sizeof *vals);
			size_t *nv = gr_arena_calloc(ev->arena, cap, sizeof *nv);
			if (!keys || !vals || !nv)
				return cel_error(ev, "out of memory");
			size_t i = 0;
			while (i < ql) {
				size_t e = i;
				while (e < ql && qs[e] != '&')
					e++;
				if (e > i) {
					const char *eq = memchr(qs + i, '=', e - i);
					size_t kl = eq ? (size_t)(eq - qs - i) : e - i;
					gr_cel_value k = query_unescape(ev, qs + i, kl);
					gr_cel_value v =
					        eq ? query_unescape(ev, eq + 1, (size_t)(qs + e - eq - 1))
					           : gr_cel_string("", 0);
					size_t j;
					for (j = 0; j < nk; j++)
						if (gr_cel_equal(&keys[j], &k))
							break;
					if (j == nk && nk < cap) {
						keys[nk] = k;
						vals[nk] = gr_arena_alloc(ev->arena, 64 * sizeof **vals);
						nv[nk] = 0;
						nk++;
					}
					if (j < nk && nv[j] < 64)
						vals[j][nv[j]++] = v;
				}
				i = e + 1;
			}
			gr_cel_value *mv = gr_arena_alloc(ev->arena, (nk + 1) * sizeof *mv);
			if (!mv)
				return cel_error(ev, "out of memory");
			for (size_t j = 0; j < nk; j++)
				mv[j] = cel_make_list(ev, vals[j], nv[j]);
			return cel_make_map(ev, keys, mv, nk);
		}
		return NO();
	}
	case GR_CEL_OBJ_FORMAT: {
		if (!is(f, "validate") || n != 2 || a[1].kind != GR_CEL_STRING)
			return NO();
		const char *errs[8];
		char *pbuf = gr_arena_alloc(ev->arena, 600);
		if (!pbuf)
			return cel_error(ev, "out of memory");
		size_t k = format_check(s, a[1].u.s.ptr, a[1].u.s.len, errs, pbuf);
		if (!k)
			return gr_cel_optional(ev->arena, NULL);
		gr_cel_value *items = gr_arena_alloc(ev->arena, k * sizeof *items);
		if (!items)
			return cel_error(ev, "out of memory");
		for (size_t i = 0; i < k; i++)
			items[i] = gr_cel_string(errs[i], strlen(errs[i]));
		gr_cel_value l = cel_make_list(ev, items, k);
		return gr_cel_optional(ev->arena, &l);
	}
	default: return NO();
	}
}

const char *cel_object_type_name(const gr_cel_value *v)
{
	switch (v->sub) {
	case GR_CEL_OBJ_QUANTITY: return "kubernetes.Quantity";
	case GR_CEL_OBJ_IP: return "net.IP";
	case GR_CEL_OBJ_CIDR: return "net.CIDR";
	case GR_CEL_OBJ_URL: return "kubernetes.URL";
	case GR_CEL_OBJ_SEMVER: return "kubernetes.Semver";
	case GR_CEL_OBJ_FORMAT: return "kubernetes.NamedFormat";
	default: return cel_authz_object(v->sub) ? cel_authz_type_name(v->sub) : "object";
	}
}

/* 0 equal, non-zero otherwise (-1/1 ordered where the type orders). */
int cel_object_compare(const gr_cel_value *a, const gr_cel_value *b)
{
	switch (a->sub) {
	case GR_CEL_OBJ_IP: {
		ipaddr x, y;
		char m[300];
		if (parse_ip(a->u.s.ptr, a->u.s.len, &x, m, sizeof m) < 0 ||
		    parse_ip(b->u.s.ptr, b->u.s.len, &y, m, sizeof m) < 0)
			return 1;
		/* an IPv4-mapped IPv6 address equals its IPv4 address */
		if (is_4in6(&x) && is_4in6(&y))
			return memcmp(x.b, y.b, 16) ? 1 : 0;
		return (x.v4 == y.v4 && !memcmp(x.b, y.b, 16)) ? 0 : 1;
	}
	case GR_CEL_OBJ_CIDR: {
		const char *slash_a = memchr(a->u.s.ptr, '/', a->u.s.len),
		           *slash_b = memchr(b->u.s.ptr, '/', b->u.s.len);
		if (!slash_a || !slash_b)
			return 1;
		ipaddr x, y;
		char m[300];
		size_t la = (size_t)(slash_a - a->u.s.ptr), lb = (size_t)(slash_b - b->u.s.ptr);
		if (parse_ip(a->u.s.ptr, la, &x, m, sizeof m) < 0 ||
		    parse_ip(b->u.s.ptr, lb, &y, m, sizeof m) < 0)
			return 1;
		if (x.v4 != y.v4 || memcmp(x.b, y.b, 16))
			return 1;
		return atoi(slash_a + 1) == atoi(slash_b + 1) ? 0 : 1;
	}
	case GR_CEL_OBJ_QUANTITY: {
		quantity x, y;
		if (q_of(a, &x) < 0 || q_of(b, &y) < 0)
			return 1;
		return q_cmp(x, y);
	}
	case GR_CEL_OBJ_SEMVER: {
		semver x, y;
		const char *err;
		if (parse_semver(a->u.s.ptr, a->u.s.len, 0, &x, &err) < 0 ||
		    parse_semver(b->u.s.ptr, b->u.s.len, 0, &y, &err) < 0)
			return 1;
		return semver_cmp(&x, &y);
	}
	default:
		if (cel_authz_object(a->sub)) /* the same check, not an equal one */
			return a->u.s.ptr == b->u.s.ptr ? 0 : 1;
		if (a->u.s.len != b->u.s.len || memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len))
			return 1;
		return 0;
	}
}
