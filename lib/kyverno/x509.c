/*
 * x509.c — Kyverno's x509_decode: a PEM certificate or certificate request
 * decoded into the JSON that Go's encoding/json gives for crypto/x509's
 * Certificate / CertificateRequest (Kyverno marshals the struct and
 * unmarshals it into a map, so every object here has its keys sorted and
 * every number is a float64; byte slices are base64, OIDs arrays of ints,
 * times RFC 3339 with nanoseconds, the RSA public key {"N": decimal, "E"}).
 *
 * The DER reader is our own and bounded: definite lengths only, minimal
 * length encodings, one-byte tags, no recursion deeper than the fixed
 * X.509 structure. Like Kyverno, only RSA keys are accepted: any other
 * public key algorithm parses and then fails with "certificate should use
 * rsa algorithm". Fields follow Go's parser (parser.go): KeyUsage bits,
 * basic constraints (MaxPathLen -1 when absent), key ids, extended key
 * usage, SANs, AIA, CRL distribution points, policies, name constraints,
 * and critical extensions it does not handle.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kyverno_int.h"

#define MAX_PEM       (1u << 20)
#define MAX_RSA_BYTES 2048 /* 16384-bit modulus */

typedef struct der {
	const uint8_t *p;
	size_t n;
} der;

typedef struct xctx {
	gr_arena *a;
	char *err;
	size_t errcap;
	bool failed;
} xctx;

static bool xfail(xctx *x, const char *msg)
{
	if (!x->failed && x->err && x->errcap)
		snprintf(x->err, x->errcap, "%s", msg);
	x->failed = true;
	return false;
}

/* ---- DER ---- */

enum {
	T_BOOLEAN = 0x01,
	T_INTEGER = 0x02,
	T_BITSTRING = 0x03,
	T_OCTETSTRING = 0x04,
	T_NULL = 0x05,
	T_OID = 0x06,
	T_UTF8 = 0x0c,
	T_NUMERIC = 0x12,
	T_PRINTABLE = 0x13,
	T_T61 = 0x14,
	T_IA5 = 0x16,
	T_UTCTIME = 0x17,
	T_GENTIME = 0x18,
	T_BMP = 0x1e,
	T_SEQUENCE = 0x30,
	T_SET = 0x31
};

/* Read one element: its tag, its contents and (optionally) the whole TLV. */
static bool der_read_any(der *d, uint8_t *tag, der *content, der *whole)
{
	if (d->n < 2)
		return false;
	uint8_t t = d->p[0];
	if ((t & 0x1f) == 0x1f) /* high tag numbers: not in X.509 */
		return false;
	size_t len, hdr;
	uint8_t l0 = d->p[1];
	if (l0 < 0x80) {
		len = l0;
		hdr = 2;
	} else {
		size_t nb = l0 & 0x7f;
		if (nb == 0 || nb > 4 || d->n < 2 + nb)
			return false;
		len = 0;
		for (size_t i = 0; i < nb; i++)
			len = (len << 8) | d->p[2 + i];
		if (d->p[2] == 0 || len < 0x80) /* not minimal */
			return false;
		hdr = 2 + nb;
	}
	if (len > d->n - hdr)
		return false;
	if (tag)
		*tag = t;
	if (content) {
		content->p = d->p + hdr;
		content->n = len;
	}
	if (whole) {
		whole->p = d->p;
		whole->n = hdr + len;
	}
	d->p += hdr + len;
	d->n -= hdr + len;
	return true;
}

static bool der_read(der *d, uint8_t want, der *content)
{
	uint8_t t;
	der save = *d;
	if (!der_read_any(d, &t, content, NULL) || t != want) {
		*d = save;
		return false;
	}
	return true;
}

static bool der_peek(const der *d, uint8_t tag)
{
	return d->n > 0 && d->p[0] == tag;
}

static bool der_int_small(const der *c, int64_t *out)
{
	if (c->n == 0 || c->n > 8)
		return false;
	if (c->n > 1 && ((c->p[0] == 0 && !(c->p[1] & 0x80)) || (c->p[0] == 0xff && (c->p[1] & 0x80))))
		return false; /* not minimal */
	int64_t v = (c->p[0] & 0x80) ? -1 : 0;
	for (size_t i = 0; i < c->n; i++)
		v = (int64_t)((uint64_t)v << 8) | c->p[i];
	*out = v;
	return true;
}

/* ---- values ---- */

typedef struct vec {
	gr_value *v;
	size_t n, cap;
} vec;

static bool vec_push(xctx *x, vec *s, gr_value v)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 8;
		if (nc > 100000)
			return xfail(x, "x509: too many elements");
		gr_value *nv = realloc(s->v, nc * sizeof *nv);
		if (!nv)
			return xfail(x, "out of memory");
		s->v = nv;
		s->cap = nc;
	}
	s->v[s->n++] = v;
	return true;
}

/* the vector as an array value (null when empty, as a nil Go slice), freed */
static gr_value vec_take(xctx *x, vec *s)
{
	gr_value out = gr_make_null();
	if (s->n) {
		out = gr_make_array(x->a, s->n);
		if (out.type == GR_ARRAY)
			memcpy(out.u.a.items, s->v, s->n * sizeof *s->v);
		else
			xfail(x, "out of memory");
	}
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
	return out;
}

typedef struct obj {
	gr_member m[48];
	size_t n;
} obj;

static void put(obj *o, const char *key, gr_value v)
{
	if (o->n < sizeof o->m / sizeof o->m[0]) {
		memset(&o->m[o->n], 0, sizeof o->m[o->n]);
		gr_member_set_key(&o->m[o->n], key, strlen(key));
		o->m[o->n++].value = v;
	}
}

static int member_cmp(const void *a, const void *b)
{
	return strcmp(((const gr_member *)a)->key, ((const gr_member *)b)->key);
}

/* a Go map after json.Unmarshal: keys sorted */
static gr_value obj_take(xctx *x, obj *o)
{
	qsort(o->m, o->n, sizeof o->m[0], member_cmp);
	gr_value v = gr_make_object(x->a, o->n);
	if (v.type != GR_OBJECT) {
		xfail(x, "out of memory");
		return gr_make_null();
	}
	memcpy(v.u.o.members, o->m, o->n * sizeof o->m[0]);
	return v;
}

static gr_value str_val(xctx *x, const char *s, size_t n)
{
	gr_value v = gr_make_string(x->a, s, n);
	if (v.type != GR_STRING)
		xfail(x, "out of memory");
	return v;
}

static gr_value b64_val(xctx *x, const uint8_t *p, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t olen = (n + 2) / 3 * 4;
	char *s = gr_arena_alloc(x->a, olen + 1);
	if (!s) {
		xfail(x, "out of memory");
		return gr_make_null();
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t w = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
		             (i + 2 < n ? p[i + 2] : 0);
		s[k++] = tab[w >> 18 & 63];
		s[k++] = tab[w >> 12 & 63];
		s[k++] = i + 1 < n ? tab[w >> 6 & 63] : '=';
		s[k++] = i + 2 < n ? tab[w & 63] : '=';
	}
	s[k] = '\0';
	return gr_make_string_ref(s, k);
}

/* []byte: nil (null) when absent */
static gr_value bytes_val(xctx *x, const der *d)
{
	return d && d->p ? b64_val(x, d->p, d->n) : gr_make_null();
}

/* OID contents to an array of ints (Go rejects components over 31 bits) */
static bool oid_parse(const der *c, int64_t *comp, size_t cap, size_t *n)
{
	if (c->n == 0)
		return false;
	size_t k = 0;
	uint64_t v = 0;
	size_t bytes = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (bytes == 0 && c->p[i] == 0x80)
			return false; /* not minimal */
		v = (v << 7) | (c->p[i] & 0x7f);
		bytes++;
		if (v > 0x7fffffff)
			return false;
		if (!(c->p[i] & 0x80)) {
			if (k == 0) {
				if (cap < 2)
					return false;
				if (v < 80) {
					comp[k++] = (int64_t)(v / 40);
					comp[k++] = (int64_t)(v % 40);
				} else {
					comp[k++] = 2;
					comp[k++] = (int64_t)(v - 80);
				}
			} else {
				if (k == cap)
					return false;
				comp[k++] = (int64_t)v;
			}
			v = 0;
			bytes = 0;
		}
	}
	if (bytes)
		return false;
	*n = k;
	return true;
}

static gr_value oid_val(xctx *x, const der *c)
{
	int64_t comp[64];
	size_t n;
	if (!oid_parse(c, comp, 64, &n)) {
		xfail(x, "x509: malformed OID");
		return gr_make_null();
	}
	gr_value arr = gr_make_array(x->a, n);
	if (arr.type != GR_ARRAY) {
		xfail(x, "out of memory");
		return gr_make_null();
	}
	for (size_t i = 0; i < n; i++)
		arr.u.a.items[i] = gr_make_int(comp[i]);
	return arr;
}

static bool oid_is(const der *c, const char *hex)
{
	size_t n = strlen(hex) / 2;
	if (c->n != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned b;
		sscanf(hex + 2 * i, "%2x", &b);
		if (c->p[i] != b)
			return false;
	}
	return true;
}

/* DER OID encodings (hex) */
#define OID_RSA     "2a864886f70d010101"
#define OID_DSA     "2a8648ce380401"
#define OID_EC      "2a8648ce3d0201"
#define OID_ED25519 "2b6570"
#define OID_RSAPSS  "2a864886f70d01010a"

static int64_t sig_algorithm(const der *ai)
{
	der d = *ai, oid;
	if (!der_read(&d, T_OID, &oid))
		return 0;
	static const struct {
		const char *oid;
		int code;
	} t[] = {
	        {"2a864886f70d010102", 1}, {"2a864886f70d010104", 2}, {"2a864886f70d010105", 3},
	        {"2b0e03021d", 3},         {"2a864886f70d01010b", 4}, {"2a864886f70d01010c", 5},
	        {"2a864886f70d01010d", 6}, {"2a8648ce380403", 7},     {"608648016503040302", 8},
	        {"2a8648ce3d0401", 9},     {"2a8648ce3d040302", 10},  {"2a8648ce3d040303", 11},
	        {"2a8648ce3d040304", 12},  {OID_ED25519, 16},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (oid_is(&oid, t[i].oid))
			return t[i].code;
	if (oid_is(&oid, OID_RSAPSS)) {
		/* the hash named in the parameters decides */
		static const char *hashes[] = {"608648016503040201", "608648016503040202",
		                               "608648016503040203"};
		for (int h = 0; h < 3; h++) {
			size_t hl = strlen(hashes[h]) / 2;
			for (size_t i = 0; i + hl <= d.n; i++) {
				der probe = {d.p + i, hl};
				if (oid_is(&probe, hashes[h]))
					return 13 + h;
			}
		}
	}
	return 0;
}

static int64_t pubkey_algorithm(const der *oid)
{
	if (oid_is(oid, OID_RSA))
		return 1;
	if (oid_is(oid, OID_DSA))
		return 2;
	if (oid_is(oid, OID_EC))
		return 3;
	if (oid_is(oid, OID_ED25519))
		return 4;
	return 0;
}

/* ---- strings (Go's parseASN1String) ---- */

static bool printable(uint8_t b)
{
	return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') ||
	       (b >= '\'' && b <= ')') || (b >= '+' && b <= '/') || b == ' ' || b == ':' || b == '=' ||
	       b == '?' || b == '*' || b == '&';
}

static bool valid_utf8(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint8_t c = p[i];
		size_t k = c < 0x80             ? 1
		           : (c & 0xe0) == 0xc0 ? 2
		           : (c & 0xf0) == 0xe0 ? 3
		           : (c & 0xf8) == 0xf0 ? 4
		                                : 0;
		if (!k || i + k > n || (k == 2 && c < 0xc2))
			return false;
		uint32_t cp = k == 1 ? c : k == 2 ? c & 0x1f : k == 3 ? c & 0x0f : c & 0x07;
		for (size_t j = 1; j < k; j++) {
			if ((p[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + j] & 0x3f);
		}
		if ((k == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (k == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += k;
	}
	return true;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* a directory string as Go decodes it; false for a type it rejects */
static bool asn1_string(xctx *x, uint8_t tag, const der *c, gr_value *out)
{
	switch (tag) {
	case T_T61: {
		/* Go decodes T61String as Latin-1 */
		char *s = gr_arena_alloc(x->a, c->n * 2 + 1);
		if (!s)
			return xfail(x, "out of memory");
		size_t k = 0;
		for (size_t i = 0; i < c->n; i++)
			k += put_utf8(s + k, c->p[i]);
		*out = gr_make_string_ref(s, k);
		return true;
	}
	case T_PRINTABLE:
		for (size_t i = 0; i < c->n; i++)
			if (!printable(c->p[i]))
				return false;
		break;
	case T_UTF8:
		if (!valid_utf8(c->p, c->n))
			return false;
		break;
	case T_IA5:
		for (size_t i = 0; i < c->n; i++)
			if (c->p[i] >= 0x80)
				return false;
		break;
	case T_NUMERIC:
		for (size_t i = 0; i < c->n; i++)
			if (!((c->p[i] >= '0' && c->p[i] <= '9') || c->p[i] == ' '))
				return false;
		break;
	case T_BMP: {
		size_t n = c->n;
		if (n % 2)
			return false;
		if (n >= 2 && c->p[n - 2] == 0 && c->p[n - 1] == 0)
			n -= 2; /* a trailing NUL is dropped */
		char *s = gr_arena_alloc(x->a, n * 2 + 1);
		if (!s)
			return xfail(x, "out of memory");
		size_t k = 0;
		for (size_t i = 0; i < n; i += 2) {
			uint32_t u = (uint32_t)c->p[i] << 8 | c->p[i + 1];
			if (u >= 0xd800 && u < 0xdc00 && i + 3 < n) {
				uint32_t lo = (uint32_t)c->p[i + 2] << 8 | c->p[i + 3];
				if (lo >= 0xdc00 && lo < 0xe000) {
					u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
					i += 2;
				} else {
					u = 0xfffd;
				}
			} else if (u >= 0xd800 && u < 0xe000) {
				u = 0xfffd;
			}
			k += put_utf8(s + k, u);
		}
		*out = gr_make_string_ref(s, k);
		return true;
	}
	default: return false;
	}
	*out = str_val(x, (const char *)c->p, c->n);
	return true;
}

/* pkix.Name from an RDNSequence */
static bool name_val(xctx *x, der seq, gr_value *out)
{
	vec names = {0}, lists[7] = {{0}};
	/* Country 6, Locality 7, Province 8, StreetAddress 9, Organization 10, OU 11, PostalCode 17 */
	static const int ids[7] = {6, 10, 11, 7, 8, 9, 17};
	static const char *keys[7] = {"Country",  "Organization",  "OrganizationalUnit", "Locality",
	                              "Province", "StreetAddress", "PostalCode"};
	gr_value cn = gr_make_string_ref("", 0), serial = gr_make_string_ref("", 0);
	while (seq.n) {
		der set;
		if (!der_read(&seq, T_SET, &set))
			goto bad;
		while (set.n) {
			der atv, oid, val;
			uint8_t vt;
			if (!der_read(&set, T_SEQUENCE, &atv) || !der_read(&atv, T_OID, &oid) ||
			    !der_read_any(&atv, &vt, &val, NULL))
				goto bad;
			gr_value s;
			if (!asn1_string(x, vt, &val, &s)) {
				if (!x->failed)
					xfail(x, "x509: invalid RDNSequence: invalid attribute value: "
					         "unsupported string type");
				goto fail;
			}
			obj o = {.n = 0};
			put(&o, "Type", oid_val(x, &oid));
			put(&o, "Value", s);
			if (!vec_push(x, &names, obj_take(x, &o)))
				goto fail;
			if (oid.n == 3 && oid.p[0] == 0x55 && oid.p[1] == 0x04) {
				int id = oid.p[2];
				if (id == 3)
					cn = s;
				else if (id == 5)
					serial = s;
				for (int i = 0; i < 7; i++)
					if (ids[i] == id && !vec_push(x, &lists[i], s))
						goto fail;
			}
		}
	}
	{
		obj o = {.n = 0};
		for (int i = 0; i < 7; i++)
			put(&o, keys[i], vec_take(x, &lists[i]));
		put(&o, "SerialNumber", serial);
		put(&o, "CommonName", cn);
		put(&o, "Names", vec_take(x, &names));
		put(&o, "ExtraNames", gr_make_null());
		*out = obj_take(x, &o);
	}
	return !x->failed;
bad:
	xfail(x, "x509: invalid RDNSequence");
fail:
	free(names.v);
	for (int i = 0; i < 7; i++)
		free(lists[i].v);
	return false;
}

/* ---- times (cryptobyte's ReadASN1UTCTime / GeneralizedTime) ---- */

static bool digits(const uint8_t *p, size_t n, int *out)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return true;
}

static bool time_val(xctx *x, der *d, gr_value *out)
{
	uint8_t tag;
	der c;
	if (!der_read_any(d, &tag, &c, NULL) || (tag != T_UTCTIME && tag != T_GENTIME))
		return xfail(x, "x509: unsupported time format");
	const uint8_t *p = c.p;
	size_t n = c.n, i = 0;
	int y = 0, mo = 0, dd = 0, h = 0, mi = 0, s = 0, off = 0;
	int32_t nsec = 0;
	bool ok = true;
	if (tag == T_UTCTIME) {
		ok = n >= 11 && digits(p, 2, &y) && digits(p + 2, 2, &mo) && digits(p + 4, 2, &dd) &&
		     digits(p + 6, 2, &h) && digits(p + 8, 2, &mi);
		i = 10;
		if (ok && n > 12 && p[10] >= '0' && p[10] <= '9') {
			ok = digits(p + 10, 2, &s);
			i = 12;
		}
		y += y >= 50 ? 1900 : 2000;
	} else {
		ok = n >= 15 && digits(p, 4, &y) && digits(p + 4, 2, &mo) && digits(p + 6, 2, &dd) &&
		     digits(p + 8, 2, &h) && digits(p + 10, 2, &mi) && digits(p + 12, 2, &s);
		i = 14;
		if (ok && i < n && p[i] == '.') {
			size_t st = ++i;
			int64_t f = 0;
			while (i < n && p[i] >= '0' && p[i] <= '9' && i - st < 9)
				f = f * 10 + (p[i++] - '0');
			/* the form must round-trip: digits, none trailing zero */
			ok = i > st && p[i - 1] != '0' && !(i < n && p[i] >= '0' && p[i] <= '9');
			for (size_t k = i - st; k < 9; k++)
				f *= 10;
			nsec = (int32_t)f;
		}
	}
	if (ok && i < n && p[i] == 'Z') {
		i++;
	} else if (ok && i + 5 <= n && (p[i] == '+' || p[i] == '-')) {
		int oh = 0, om = 0;
		ok = digits(p + i + 1, 2, &oh) && digits(p + i + 3, 2, &om) && oh < 24 && om < 60;
		off = (oh * 60 + om) * 60 * (p[i] == '-' ? -1 : 1);
		ok = ok && off != 0; /* +0000 does not round-trip (it prints as Z) */
		i += 5;
	} else {
		ok = false;
	}
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	ok = ok && i == n && mo >= 1 && mo <= 12 && dd >= 1 && dd <= mdays[mo - 1] && h < 24 && mi < 60 &&
	     s < 60;
	if (ok && mo == 2 && dd == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		ok = false;
	if (!ok)
		return xfail(x, tag == T_UTCTIME ? "x509: malformed UTCTime"
		                                 : "x509: malformed GeneralizedTime");
	ky_time t = {ky_days_from_civil(y, (unsigned)mo, (unsigned)dd) * 86400 + h * 3600 + mi * 60 + s - off,
	             nsec, off};
	char buf[80];
	size_t k = ky_time_rfc3339(&t, buf, sizeof buf);
	if (nsec) { /* RFC3339Nano: the fraction before the zone, trailing zeros dropped */
		char frac[16];
		snprintf(frac, sizeof frac, ".%09d", (int)nsec);
		size_t fl = strlen(frac);
		while (frac[fl - 1] == '0')
			frac[--fl] = '\0';
		memmove(buf + 19 + fl, buf + 19, k - 19 + 1);
		memcpy(buf + 19, frac, fl);
		k += fl;
	}
	*out = str_val(x, buf, k);
	return true;
}

/* ---- big integers ---- */

/* unsigned big-endian magnitude to decimal */
static gr_value decimal_val(xctx *x, const uint8_t *p, size_t n)
{
	while (n > 1 && p[0] == 0)
		p++, n--;
	size_t cap = n * 3 + 2;
	uint8_t *dig = calloc(cap, 1); /* little-endian base 10 */
	if (!dig) {
		xfail(x, "out of memory");
		return gr_make_null();
	}
	size_t nd = 1;
	for (size_t i = 0; i < n; i++) {
		unsigned carry = p[i];
		for (size_t j = 0; j < nd; j++) {
			unsigned v = dig[j] * 256u + carry;
			dig[j] = (uint8_t)(v % 10);
			carry = v / 10;
		}
		while (carry) {
			dig[nd++] = (uint8_t)(carry % 10);
			carry /= 10;
		}
	}
	char *s = gr_arena_alloc(x->a, nd + 1);
	gr_value v = gr_make_null();
	if (s) {
		for (size_t i = 0; i < nd; i++)
			s[i] = (char)('0' + dig[nd - 1 - i]);
		s[nd] = '\0';
		v = gr_make_string_ref(s, nd);
	} else {
		xfail(x, "out of memory");
	}
	free(dig);
	return v;
}

/* an INTEGER as the float64 it becomes after a JSON round trip */
static gr_value bigint_number(const der *c)
{
	bool neg = c->n && (c->p[0] & 0x80);
	double v = 0;
	for (size_t i = 0; i < c->n; i++)
		v = v * 256 + (neg ? (uint8_t)~c->p[i] : c->p[i]);
	if (neg)
		v = -(v + 1);
	if (v >= -9007199254740992.0 && v <= 9007199254740992.0)
		return gr_make_int((int64_t)v);
	return gr_make_double(v);
}

static bool integer_ok(const der *c)
{
	return c->n > 0 &&
	       !(c->n > 1 && ((c->p[0] == 0 && !(c->p[1] & 0x80)) || (c->p[0] == 0xff && (c->p[1] & 0x80))));
}

/* ---- public key ---- */

static bool rsa_key(xctx *x, const der *spki_bits, gr_value *out)
{
	der d = *spki_bits, seq, nn, ee;
	if (!der_read(&d, T_SEQUENCE, &seq) || d.n || !der_read(&seq, T_INTEGER, &nn) ||
	    !der_read(&seq, T_INTEGER, &ee) || seq.n || !integer_ok(&nn) || !integer_ok(&ee))
		return xfail(x, "failed to parse subject public key info");
	if ((nn.p[0] & 0x80) || (nn.n == 1 && nn.p[0] == 0))
		return xfail(x, "x509: RSA modulus is not a positive number");
	if (nn.n > MAX_RSA_BYTES + 1)
		return xfail(x, "x509: RSA modulus too large");
	int64_t e;
	if (!der_int_small(&ee, &e) || e <= 0 || e > 0x7fffffff)
		return xfail(x, "x509: RSA public exponent is not a positive number");
	obj o = {.n = 0};
	put(&o, "N", decimal_val(x, nn.p, nn.n));
	put(&o, "E", gr_make_int(e));
	*out = obj_take(x, &o);
	return !x->failed;
}

/* SubjectPublicKeyInfo: the algorithm and the key bits */
static bool spki(xctx *x, der *tbs, der *raw, int64_t *alg, der *bits)
{
	der s, ai, oid, bs;
	if (!der_read_any(tbs, NULL, &s, raw) || raw->p[0] != T_SEQUENCE || !der_read(&s, T_SEQUENCE, &ai) ||
	    !der_read(&ai, T_OID, &oid) || !der_read(&s, T_BITSTRING, &bs) || s.n || bs.n < 1 || bs.p[0] != 0)
		return xfail(x, "x509: malformed subject public key info");
	*alg = pubkey_algorithm(&oid);
	if (*alg == 1 && !(ai.n == 2 && ai.p[0] == T_NULL && ai.p[1] == 0))
		return xfail(x, "x509: RSA key missing NULL parameters");
	bits->p = bs.p + 1;
	bits->n = bs.n - 1;
	return true;
}

static bool sig_bits(xctx *x, der *d, der *out)
{
	der bs;
	if (!der_read(d, T_BITSTRING, &bs) || bs.n < 1 || bs.p[0] > 7)
		return xfail(x, "x509: malformed signature");
	out->p = bs.p + 1;
	out->n = bs.n - 1;
	return true;
}

/* ---- names in extensions ---- */

static gr_value ip_string(xctx *x, const uint8_t *p, size_t n)
{
	char buf[64];
	static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (n == 16 && !memcmp(p, v4mapped, 12)) {
		p += 12;
		n = 4;
	}
	if (n == 4) {
		snprintf(buf, sizeof buf, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
		return str_val(x, buf, strlen(buf));
	}
	/* RFC 5952: the longest run (>= 2) of zero groups becomes :: */
	unsigned g[8];
	for (int i = 0; i < 8; i++)
		g[i] = (unsigned)p[2 * i] << 8 | p[2 * i + 1];
	int best = -1, bestlen = 1;
	for (int i = 0; i < 8;) {
		if (g[i]) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && !g[j])
			j++;
		if (j - i > bestlen) {
			best = i;
			bestlen = j - i;
		}
		i = j;
	}
	size_t k = 0;
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			k += (size_t)snprintf(buf + k, sizeof buf - k, "::");
			i += bestlen - 1;
			continue;
		}
		if (k && buf[k - 1] != ':')
			buf[k++] = ':';
		k += (size_t)snprintf(buf + k, sizeof buf - k, "%x", g[i]);
	}
	return str_val(x, buf, k);
}

static int hexval(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
	                              : -1;
}

static gr_value unescape_val(xctx *x, const char *s, size_t n)
{
	char *o = gr_arena_alloc(x->a, n + 1);
	if (!o) {
		xfail(x, "out of memory");
		return gr_make_null();
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			o[k++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			o[k++] = s[i];
		}
	}
	o[k] = '\0';
	return gr_make_string_ref(o, k);
}

/* *url.URL as encoding/json writes it (url.Parse, simplified: no RawPath) */
static gr_value url_val(xctx *x, const char *s, size_t n)
{
	obj o = {.n = 0};
	gr_value empty = gr_make_string_ref("", 0);
	gr_value scheme = empty, opaque = empty, user = gr_make_null(), host = empty, path = empty;
	gr_value rawq = empty, frag = empty;
	bool force = false;
	const char *hash = memchr(s, '#', n);
	size_t rest = hash ? (size_t)(hash - s) : n;
	if (hash)
		frag = unescape_val(x, hash + 1, n - rest - 1);
	const char *q = memchr(s, '?', rest);
	size_t pre = q ? (size_t)(q - s) : rest;
	if (q) {
		rawq = str_val(x, q + 1, rest - pre - 1);
		force = rest - pre - 1 == 0;
	}
	size_t i = 0;
	if (pre && ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) {
		size_t j = 1;
		while (j < pre && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z') ||
		                   (s[j] >= '0' && s[j] <= '9') || s[j] == '+' || s[j] == '-' || s[j] == '.'))
			j++;
		if (j < pre && s[j] == ':') {
			char *lc = gr_arena_alloc(x->a, j + 1);
			if (lc) {
				for (size_t k = 0; k < j; k++)
					lc[k] = (char)(s[k] >= 'A' && s[k] <= 'Z' ? s[k] + 32 : s[k]);
				lc[j] = '\0';
				scheme = gr_make_string_ref(lc, j);
			}
			i = j + 1;
		}
	}
	if (scheme.u.s.len && i < pre && s[i] != '/') {
		opaque = str_val(x, s + i, pre - i);
	} else {
		if (pre - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
			i += 2;
			const char *sl = memchr(s + i, '/', pre - i);
			size_t end = sl ? (size_t)(sl - s) : pre;
			const char *at = NULL;
			for (size_t k = i; k < end; k++)
				if (s[k] == '@')
					at = s + k;
			if (at) {
				user = gr_make_object(x->a, 0);
				i = (size_t)(at - s) + 1;
			}
			host = unescape_val(x, s + i, end - i);
			i = end;
		}
		path = unescape_val(x, s + i, pre - i);
	}
	put(&o, "Scheme", scheme);
	put(&o, "Opaque", opaque);
	put(&o, "User", user);
	put(&o, "Host", host);
	put(&o, "Path", path);
	put(&o, "RawPath", empty);
	put(&o, "OmitHost", gr_make_bool(false));
	put(&o, "ForceQuery", gr_make_bool(force));
	put(&o, "RawQuery", rawq);
	put(&o, "Fragment", frag);
	put(&o, "RawFragment", empty);
	return obj_take(x, &o);
}

typedef struct certx {
	vec dns, email, ip, uri, ocsp, issuing, crl, policies, eku, ueku, unhandled;
	vec pdns, edns, pip, eip, pemail, eemail, puri, euri;
	int64_t keyusage;
	bool bc_valid, is_ca, pdns_critical;
	int64_t maxpath;
	der skid, akid;
} certx;

static void certx_free(certx *c)
{
	vec *all[] = {&c->dns,      &c->email,  &c->ip,     &c->uri,       &c->ocsp, &c->issuing, &c->crl,
	              &c->policies, &c->eku,    &c->ueku,   &c->unhandled, &c->pdns, &c->edns,    &c->pip,
	              &c->eip,      &c->pemail, &c->eemail, &c->puri,      &c->euri};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		free(all[i]->v);
}

/* GeneralNames: rfc822Name [1], dNSName [2], URI [6], iPAddress [7] */
static bool general_names(xctx *x, der d, vec *dns, vec *email, vec *ip, vec *uri)
{
	while (d.n) {
		uint8_t tag;
		der c;
		if (!der_read_any(&d, &tag, &c, NULL))
			return xfail(x, "x509: invalid subject alternative names");
		switch (tag) {
		case 0x81:
		case 0x82:
		case 0x86:
			for (size_t i = 0; i < c.n; i++)
				if (c.p[i] >= 0x80)
					return xfail(
					        x,
					        tag == 0x81 ? "x509: SAN rfc822Name is malformed"
					        : tag == 0x82
					                ? "x509: SAN dNSName is malformed"
					                : "x509: SAN uniformResourceIdentifier is malformed");
			if (tag == 0x86) {
				if (uri && !vec_push(x, uri, url_val(x, (const char *)c.p, c.n)))
					return false;
			} else if (!vec_push(x, tag == 0x81 ? email : dns,
			                     str_val(x, (const char *)c.p, c.n))) {
				return false;
			}
			break;
		case 0x87:
			if (c.n != 4 && c.n != 16)
				return xfail(x, "x509: cannot parse IP address");
			if (!vec_push(x, ip, ip_string(x, c.p, c.n)))
				return false;
			break;
		default: break;
		}
	}
	return true;
}

static bool ext_key_usage(xctx *x, certx *cx, der d)
{
	der seq;
	if (!der_read(&d, T_SEQUENCE, &seq))
		return xfail(x, "x509: invalid extended key usages");
	static const struct {
		const char *oid;
		int code;
	} t[] = {
	        {"551d2500", 0},
	        {"2b06010505070301", 1},
	        {"2b06010505070302", 2},
	        {"2b06010505070303", 3},
	        {"2b06010505070304", 4},
	        {"2b06010505070305", 5},
	        {"2b06010505070306", 6},
	        {"2b06010505070307", 7},
	        {"2b06010505070308", 8},
	        {"2b06010505070309", 9},
	        {"2b0601040182370a0303", 10},
	        {"6086480186f8420401", 11},
	        {"2b060104018237020116", 12},
	        {"2b0601040182373d0101", 13},
	};
	while (seq.n) {
		der oid;
		if (!der_read(&seq, T_OID, &oid))
			return xfail(x, "x509: invalid extended key usages");
		int code = -1;
		for (size_t i = 0; i < sizeof t / sizeof t[0] && code < 0; i++)
			if (oid_is(&oid, t[i].oid))
				code = t[i].code;
		if (!vec_push(x, code >= 0 ? &cx->eku : &cx->ueku,
		              code >= 0 ? gr_make_int(code) : oid_val(x, &oid)))
			return false;
	}
	return true;
}

static bool name_constraints(xctx *x, certx *cx, der d, bool *unhandled)
{
	der seq;
	if (!der_read(&d, T_SEQUENCE, &seq))
		return xfail(x, "x509: invalid NameConstraints extension");
	for (int which = 0; which < 2; which++) {
		der subtrees;
		if (!der_read(&seq, which ? 0xa1 : 0xa0, &subtrees))
			continue;
		while (subtrees.n) {
			der st, c;
			uint8_t tag;
			if (!der_read(&subtrees, T_SEQUENCE, &st) || !der_read_any(&st, &tag, &c, NULL))
				return xfail(x, "x509: invalid NameConstraints extension");
			switch (tag) {
			case 0x82:
				if (!vec_push(x, which ? &cx->edns : &cx->pdns,
				              str_val(x, (const char *)c.p, c.n)))
					return false;
				break;
			case 0x81:
				if (!vec_push(x, which ? &cx->eemail : &cx->pemail,
				              str_val(x, (const char *)c.p, c.n)))
					return false;
				break;
			case 0x86:
				if (!vec_push(x, which ? &cx->euri : &cx->puri,
				              str_val(x, (const char *)c.p, c.n)))
					return false;
				break;
			case 0x87: {
				if (c.n != 8 && c.n != 32)
					return xfail(x, "x509: IP constraint contained value of length");
				obj o = {.n = 0};
				put(&o, "IP", ip_string(x, c.p, c.n / 2));
				put(&o, "Mask", b64_val(x, c.p + c.n / 2, c.n / 2));
				if (!vec_push(x, which ? &cx->eip : &cx->pip, obj_take(x, &o)))
					return false;
				break;
			}
			default: *unhandled = true; break;
			}
		}
	}
	return true;
}

/* one extension: {"Id","Critical","Value"} plus the fields Go fills from it */
static bool extension(xctx *x, certx *cx, der e, vec *exts)
{
	der oid, val;
	bool critical = false;
	if (!der_read(&e, T_OID, &oid))
		return xfail(x, "x509: malformed extension OID field");
	if (der_peek(&e, T_BOOLEAN)) {
		der b;
		if (!der_read(&e, T_BOOLEAN, &b) || b.n != 1 || (b.p[0] != 0 && b.p[0] != 0xff))
			return xfail(x, "x509: malformed extension critical field");
		critical = b.p[0] == 0xff;
	}
	if (!der_read(&e, T_OCTETSTRING, &val) || e.n)
		return xfail(x, "x509: malformed extension value field");
	obj o = {.n = 0};
	put(&o, "Id", oid_val(x, &oid));
	put(&o, "Critical", gr_make_bool(critical));
	put(&o, "Value", b64_val(x, val.p, val.n));
	if (!vec_push(x, exts, obj_take(x, &o)))
		return false;
	if (!cx)
		return true;
	bool unhandled = false;
	if (oid.n == 3 && oid.p[0] == 0x55 && oid.p[1] == 0x1d) {
		der d = val, c;
		switch (oid.p[2]) {
		case 15: { /* key usage */
			if (!der_read(&d, T_BITSTRING, &c) || c.n < 1)
				return xfail(x, "x509: invalid key usage");
			int64_t u = 0;
			for (int i = 0; i < 9; i++) {
				size_t byte = 1 + (size_t)i / 8;
				if (byte < c.n && (c.p[byte] >> (7 - i % 8) & 1))
					u |= (int64_t)1 << i;
			}
			cx->keyusage = u;
			break;
		}
		case 19: { /* basic constraints */
			der seq;
			if (!der_read(&d, T_SEQUENCE, &seq))
				return xfail(x, "x509: invalid basic constraints");
			cx->is_ca = false;
			if (der_peek(&seq, T_BOOLEAN)) {
				der b;
				if (!der_read(&seq, T_BOOLEAN, &b))
					return xfail(x, "x509: invalid basic constraints");
				cx->is_ca = b.n == 1 && b.p[0];
			}
			cx->maxpath = -1;
			if (der_peek(&seq, T_INTEGER)) {
				der in;
				if (!der_read(&seq, T_INTEGER, &in) || !der_int_small(&in, &cx->maxpath))
					return xfail(x, "x509: invalid basic constraints");
			}
			cx->bc_valid = true;
			break;
		}
		case 17: /* subject alternative names */
			if (!der_read(&d, T_SEQUENCE, &c))
				return xfail(x, "x509: invalid subject alternative names");
			if (!general_names(x, c, &cx->dns, &cx->email, &cx->ip, &cx->uri))
				return false;
			if (!cx->dns.n && !cx->email.n && !cx->ip.n && !cx->uri.n)
				unhandled = true;
			break;
		case 30: /* name constraints */
			if (!name_constraints(x, cx, d, &unhandled))
				return false;
			cx->pdns_critical = critical;
			break;
		case 31: { /* CRL distribution points */
			der seq;
			if (!der_read(&d, T_SEQUENCE, &seq))
				return xfail(x, "x509: invalid CRL distribution points");
			while (seq.n) {
				der dp, dpn, full;
				if (!der_read(&seq, T_SEQUENCE, &dp))
					return xfail(x, "x509: invalid CRL distribution point");
				if (!der_read(&dp, 0xa0, &dpn))
					continue;
				if (!der_read(&dpn, 0xa0, &full))
					continue;
				while (full.n) {
					uint8_t tag;
					der nm;
					if (!der_read_any(&full, &tag, &nm, NULL))
						return xfail(x, "x509: invalid CRL distribution point");
					if (tag == 0x86 &&
					    !vec_push(x, &cx->crl, str_val(x, (const char *)nm.p, nm.n)))
						return false;
				}
			}
			break;
		}
		case 35: { /* authority key id */
			der seq, kid;
			if (!der_read(&d, T_SEQUENCE, &seq))
				return xfail(x, "x509: invalid authority key identifier");
			if (der_read(&seq, 0x80, &kid))
				cx->akid = kid;
			break;
		}
		case 37:
			if (!ext_key_usage(x, cx, d))
				return false;
			break;
		case 14: /* subject key id */
			if (!der_read(&d, T_OCTETSTRING, &c))
				return xfail(x, "x509: invalid subject key identifier");
			cx->skid = c;
			break;
		case 32: { /* certificate policies */
			der seq;
			if (!der_read(&d, T_SEQUENCE, &seq))
				return xfail(x, "x509: invalid certificate policies");
			while (seq.n) {
				der pi, pid;
				if (!der_read(&seq, T_SEQUENCE, &pi) || !der_read(&pi, T_OID, &pid))
					return xfail(x, "x509: invalid certificate policies");
				if (!vec_push(x, &cx->policies, oid_val(x, &pid)))
					return false;
			}
			break;
		}
		default: unhandled = true; break;
		}
	} else if (oid_is(&oid, "2b06010505070101")) { /* authority information access */
		der seq, d = val;
		if (!der_read(&d, T_SEQUENCE, &seq))
			return xfail(x, "x509: invalid authority info access");
		while (seq.n) {
			der ad, method, loc;
			uint8_t tag;
			if (!der_read(&seq, T_SEQUENCE, &ad) || !der_read(&ad, T_OID, &method) ||
			    !der_read_any(&ad, &tag, &loc, NULL))
				return xfail(x, "x509: invalid authority info access");
			if (tag != 0x86)
				continue;
			if (oid_is(&method, "2b06010505073001")) {
				if (!vec_push(x, &cx->ocsp, str_val(x, (const char *)loc.p, loc.n)))
					return false;
			} else if (oid_is(&method, "2b06010505073002")) {
				if (!vec_push(x, &cx->issuing, str_val(x, (const char *)loc.p, loc.n)))
					return false;
			}
		}
	} else {
		unhandled = true;
	}
	if (critical && unhandled && !vec_push(x, &cx->unhandled, oid_val(x, &oid)))
		return false;
	return true;
}

/* AlgorithmIdentifier as a TLV (for comparing inner and outer) */
static bool alg_id(xctx *x, der *d, der *whole, der *content)
{
	uint8_t t;
	if (!der_read_any(d, &t, content, whole) || t != T_SEQUENCE)
		return xfail(x, "x509: malformed algorithm identifier");
	return true;
}

static bool parse_certificate(xctx *x, der in, gr_value *out)
{
	der all = in, cert, tbs, tbs_whole, sigai_in, sigai_in_c, sigai_out, sigai_out_c, sig;
	der serial, issuer_raw, issuer_c, subject_raw, subject_c, validity, spki_raw, bits;
	certx cx;
	memset(&cx, 0, sizeof cx);
	vec exts = {0};
	uint8_t t;
	if (!der_read_any(&all, &t, &cert, NULL) || t != T_SEQUENCE || all.n)
		return xfail(x, "x509: malformed certificate");
	der raw = {in.p, in.n};
	if (!der_read_any(&cert, &t, &tbs, &tbs_whole) || t != T_SEQUENCE)
		return xfail(x, "x509: malformed tbs certificate");
	if (!alg_id(x, &cert, &sigai_out, &sigai_out_c) || !sig_bits(x, &cert, &sig) || cert.n)
		return xfail(x, "x509: malformed certificate");
	int64_t version = 0;
	if (der_peek(&tbs, 0xa0)) {
		der v, vi;
		if (!der_read(&tbs, 0xa0, &v) || !der_read(&v, T_INTEGER, &vi) || v.n ||
		    !der_int_small(&vi, &version))
			return xfail(x, "x509: malformed version");
	}
	if (version < 0 || version > 2)
		return xfail(x, "x509: invalid version");
	if (!der_read(&tbs, T_INTEGER, &serial) || !integer_ok(&serial))
		return xfail(x, "x509: malformed serial number");
	if (serial.p[0] & 0x80)
		return xfail(x, "x509: negative serial number");
	if (!alg_id(x, &tbs, &sigai_in, &sigai_in_c))
		return false;
	if (sigai_in.n != sigai_out.n || memcmp(sigai_in.p, sigai_out.p, sigai_in.n))
		return xfail(x, "x509: inner and outer signature algorithm identifiers don't match");
	if (!der_read_any(&tbs, &t, &issuer_c, &issuer_raw) || t != T_SEQUENCE)
		return xfail(x, "x509: malformed issuer");
	if (!der_read(&tbs, T_SEQUENCE, &validity))
		return xfail(x, "x509: malformed validity");
	gr_value not_before, not_after;
	if (!time_val(x, &validity, &not_before) || !time_val(x, &validity, &not_after))
		return false;
	if (!der_read_any(&tbs, &t, &subject_c, &subject_raw) || t != T_SEQUENCE)
		return xfail(x, "x509: malformed subject");
	int64_t pkalg;
	if (!spki(x, &tbs, &spki_raw, &pkalg, &bits))
		return false;
	der tmp;
	der_read(&tbs, 0x81, &tmp); /* issuerUniqueID */
	der_read(&tbs, 0x82, &tmp); /* subjectUniqueID */
	bool ok = true;
	if (der_peek(&tbs, 0xa3)) {
		der ex, seq;
		if (!der_read(&tbs, 0xa3, &ex) || !der_read(&ex, T_SEQUENCE, &seq) || ex.n) {
			xfail(x, "x509: malformed extensions");
			ok = false;
		}
		while (ok && seq.n) {
			der e;
			if (!der_read(&seq, T_SEQUENCE, &e)) {
				ok = xfail(x, "x509: malformed extension");
				break;
			}
			ok = extension(x, &cx, e, &exts);
		}
	}
	if (ok && tbs.n)
		ok = xfail(x, "x509: malformed tbs certificate");
	gr_value issuer, subject, pub = gr_make_null();
	if (ok)
		ok = name_val(x, issuer_c, &issuer) && name_val(x, subject_c, &subject);
	if (ok && pkalg != 1)
		ok = xfail(x, "certificate should use rsa algorithm");
	if (ok)
		ok = rsa_key(x, &bits, &pub);
	if (ok) {
		obj o = {.n = 0};
		put(&o, "Raw", bytes_val(x, &raw));
		put(&o, "RawTBSCertificate", bytes_val(x, &tbs_whole));
		put(&o, "RawSubjectPublicKeyInfo", bytes_val(x, &spki_raw));
		put(&o, "RawSubject", bytes_val(x, &subject_raw));
		put(&o, "RawIssuer", bytes_val(x, &issuer_raw));
		put(&o, "Signature", bytes_val(x, &sig));
		put(&o, "SignatureAlgorithm", gr_make_int(sig_algorithm(&sigai_out_c)));
		put(&o, "PublicKeyAlgorithm", gr_make_int(pkalg));
		put(&o, "PublicKey", pub);
		put(&o, "Version", gr_make_int(version + 1));
		put(&o, "SerialNumber", bigint_number(&serial));
		put(&o, "Issuer", issuer);
		put(&o, "Subject", subject);
		put(&o, "NotBefore", not_before);
		put(&o, "NotAfter", not_after);
		put(&o, "KeyUsage", gr_make_int(cx.keyusage));
		put(&o, "Extensions", vec_take(x, &exts));
		put(&o, "ExtraExtensions", gr_make_null());
		put(&o, "UnhandledCriticalExtensions", vec_take(x, &cx.unhandled));
		put(&o, "ExtKeyUsage", vec_take(x, &cx.eku));
		put(&o, "UnknownExtKeyUsage", vec_take(x, &cx.ueku));
		put(&o, "BasicConstraintsValid", gr_make_bool(cx.bc_valid));
		put(&o, "IsCA", gr_make_bool(cx.is_ca));
		put(&o, "MaxPathLen", gr_make_int(cx.bc_valid ? cx.maxpath : 0));
		put(&o, "MaxPathLenZero", gr_make_bool(cx.bc_valid && cx.maxpath == 0));
		put(&o, "SubjectKeyId", bytes_val(x, &cx.skid));
		put(&o, "AuthorityKeyId", bytes_val(x, &cx.akid));
		put(&o, "OCSPServer", vec_take(x, &cx.ocsp));
		put(&o, "IssuingCertificateURL", vec_take(x, &cx.issuing));
		put(&o, "DNSNames", vec_take(x, &cx.dns));
		put(&o, "EmailAddresses", vec_take(x, &cx.email));
		put(&o, "IPAddresses", vec_take(x, &cx.ip));
		put(&o, "URIs", vec_take(x, &cx.uri));
		put(&o, "PermittedDNSDomainsCritical", gr_make_bool(cx.pdns_critical));
		put(&o, "PermittedDNSDomains", vec_take(x, &cx.pdns));
		put(&o, "ExcludedDNSDomains", vec_take(x, &cx.edns));
		put(&o, "PermittedIPRanges", vec_take(x, &cx.pip));
		put(&o, "ExcludedIPRanges", vec_take(x, &cx.eip));
		put(&o, "PermittedEmailAddresses", vec_take(x, &cx.pemail));
		put(&o, "ExcludedEmailAddresses", vec_take(x, &cx.eemail));
		put(&o, "PermittedURIDomains", vec_take(x, &cx.puri));
		put(&o, "ExcludedURIDomains", vec_take(x, &cx.euri));
		put(&o, "CRLDistributionPoints", vec_take(x, &cx.crl));
		put(&o, "PolicyIdentifiers", vec_take(x, &cx.policies));
		*out = obj_take(x, &o);
	}
	free(exts.v);
	certx_free(&cx);
	return ok && !x->failed;
}

/* encoding/asn1 into an interface{}: the universal types it knows, else nil */
static gr_value asn1_any(xctx *x, uint8_t tag, const der *c)
{
	gr_value s;
	switch (tag) {
	case T_PRINTABLE:
	case T_IA5:
	case T_T61:
	case T_UTF8:
		if (asn1_string(x, tag, c, &s))
			return s;
		return gr_make_null();
	case T_INTEGER: {
		int64_t v;
		return der_int_small(c, &v) ? gr_make_int(v) : gr_make_null();
	}
	case T_OID: {
		int64_t comp[64];
		size_t n;
		return oid_parse(c, comp, 64, &n) ? oid_val(x, c) : gr_make_null();
	}
	case T_OCTETSTRING: return b64_val(x, c->p, c->n);
	case T_BITSTRING: {
		obj o = {.n = 0};
		der b = {c->n ? c->p + 1 : c->p, c->n ? c->n - 1 : 0};
		put(&o, "Bytes", b64_val(x, b.p, b.n));
		put(&o, "BitLength", gr_make_int((int64_t)b.n * 8 - (c->n ? c->p[0] : 0)));
		return obj_take(x, &o);
	}
	default: return gr_make_null();
	}
}

/* CSR attributes as pkix.AttributeTypeAndValueSET; ones that do not fit are skipped */
static gr_value csr_attributes(xctx *x, der attrs)
{
	vec out = {0};
	while (attrs.n && !x->failed) {
		der a, oid, set;
		if (!der_read(&attrs, T_SEQUENCE, &a))
			break;
		if (!der_read(&a, T_OID, &oid) || !der_read(&a, T_SET, &set))
			continue;
		vec outer = {0};
		bool fits = true;
		while (set.n && fits) {
			der seq;
			if (!der_read(&set, T_SEQUENCE, &seq)) {
				fits = false;
				break;
			}
			vec inner = {0};
			while (seq.n && fits) {
				der atv, atv_oid, val;
				uint8_t vt;
				if (!der_read(&seq, T_SEQUENCE, &atv) || !der_read(&atv, T_OID, &atv_oid) ||
				    !der_read_any(&atv, &vt, &val, NULL)) {
					fits = false;
					break;
				}
				obj o = {.n = 0};
				put(&o, "Type", oid_val(x, &atv_oid));
				put(&o, "Value", asn1_any(x, vt, &val));
				vec_push(x, &inner, obj_take(x, &o));
			}
			gr_value iv = vec_take(x, &inner);
			if (iv.type == GR_NULL)
				iv = gr_make_array(x->a, 0);
			vec_push(x, &outer, iv);
		}
		if (!fits) {
			free(outer.v);
			continue;
		}
		obj o = {.n = 0};
		put(&o, "Type", oid_val(x, &oid));
		gr_value ov = vec_take(x, &outer);
		put(&o, "Value", ov.type == GR_NULL ? gr_make_array(x->a, 0) : ov);
		vec_push(x, &out, obj_take(x, &o));
	}
	return vec_take(x, &out);
}

static bool parse_csr(xctx *x, der in, gr_value *out)
{
	der all = in, csr, info, info_whole, sigai, sigai_c, sig, ver, subject_raw, subject_c, spki_raw, bits;
	uint8_t t;
	if (!der_read_any(&all, &t, &csr, NULL) || t != T_SEQUENCE || all.n)
		return xfail(x, "asn1: structure error: malformed certificate request");
	if (!der_read_any(&csr, &t, &info, &info_whole) || t != T_SEQUENCE ||
	    !alg_id(x, &csr, &sigai, &sigai_c) || !sig_bits(x, &csr, &sig) || csr.n)
		return xfail(x, "asn1: structure error: malformed certificate request");
	int64_t version;
	if (!der_read(&info, T_INTEGER, &ver) || !der_int_small(&ver, &version))
		return xfail(x, "asn1: structure error: malformed certificate request version");
	if (!der_read_any(&info, &t, &subject_c, &subject_raw) || t != T_SEQUENCE)
		return xfail(x, "asn1: structure error: malformed certificate request subject");
	int64_t pkalg;
	if (!spki(x, &info, &spki_raw, &pkalg, &bits))
		return false;
	der attrs = {NULL, 0};
	if (!der_read(&info, 0xa0, &attrs) || info.n)
		return xfail(x, "asn1: structure error: malformed certificate request attributes");
	certx cx;
	memset(&cx, 0, sizeof cx);
	vec exts = {0};
	bool ok = true;
	/* extensions come from the extensionRequest attribute */
	der scan = attrs;
	while (ok && scan.n) {
		der a, oid, set, seq;
		if (!der_read(&scan, T_SEQUENCE, &a))
			break;
		if (!der_read(&a, T_OID, &oid) || !oid_is(&oid, "2a864886f70d01090e"))
			continue;
		if (!der_read(&a, T_SET, &set) || !der_read(&set, T_SEQUENCE, &seq)) {
			ok = xfail(x, "x509: malformed extension request");
			break;
		}
		while (ok && seq.n) {
			der e;
			if (!der_read(&seq, T_SEQUENCE, &e)) {
				ok = xfail(x, "x509: malformed extension");
				break;
			}
			certx sub;
			memset(&sub, 0, sizeof sub);
			ok = extension(x, &sub, e, &exts);
			/* a CSR keeps only the SANs of its extensions */
			if (ok) {
				for (size_t i = 0; i < sub.dns.n; i++)
					vec_push(x, &cx.dns, sub.dns.v[i]);
				for (size_t i = 0; i < sub.email.n; i++)
					vec_push(x, &cx.email, sub.email.v[i]);
				for (size_t i = 0; i < sub.ip.n; i++)
					vec_push(x, &cx.ip, sub.ip.v[i]);
				for (size_t i = 0; i < sub.uri.n; i++)
					vec_push(x, &cx.uri, sub.uri.v[i]);
			}
			certx_free(&sub);
		}
	}
	gr_value subject, pub = gr_make_null(), attributes = gr_make_null();
	if (ok)
		ok = name_val(x, subject_c, &subject);
	if (ok)
		attributes = csr_attributes(x, attrs);
	if (ok && pkalg != 1)
		ok = xfail(x, "certificate should use rsa algorithm");
	if (ok)
		ok = rsa_key(x, &bits, &pub);
	if (ok) {
		obj o = {.n = 0};
		put(&o, "Raw", bytes_val(x, &in));
		put(&o, "RawTBSCertificateRequest", bytes_val(x, &info_whole));
		put(&o, "RawSubjectPublicKeyInfo", bytes_val(x, &spki_raw));
		put(&o, "RawSubject", bytes_val(x, &subject_raw));
		put(&o, "Version", gr_make_int(version));
		put(&o, "Signature", bytes_val(x, &sig));
		put(&o, "SignatureAlgorithm", gr_make_int(sig_algorithm(&sigai_c)));
		put(&o, "PublicKeyAlgorithm", gr_make_int(pkalg));
		put(&o, "PublicKey", pub);
		put(&o, "Subject", subject);
		put(&o, "Attributes", attributes);
		put(&o, "Extensions", vec_take(x, &exts));
		put(&o, "ExtraExtensions", gr_make_null());
		put(&o, "DNSNames", vec_take(x, &cx.dns));
		put(&o, "EmailAddresses", vec_take(x, &cx.email));
		put(&o, "IPAddresses", vec_take(x, &cx.ip));
		put(&o, "URIs", vec_take(x, &cx.uri));
		*out = obj_take(x, &o);
	}
	free(exts.v);
	certx_free(&cx);
	return ok && !x->failed;
}

/* ---- PEM (encoding/pem's Decode: the first well-formed block) ---- */

static int b64v(uint8_t c)
{
	return c >= 'A' && c <= 'Z'   ? c - 'A'
	       : c >= 'a' && c <= 'z' ? c - 'a' + 26
	       : c >= '0' && c <= '9' ? c - '0' + 52
	       : c == '+'             ? 62
	       : c == '/'             ? 63
	                              : -1;
}

/* base64 with whitespace ignored; padding required as StdEncoding wants */
static bool b64_decode(const char *s, size_t n, uint8_t *out, size_t *olen)
{
	uint32_t acc = 0;
	int bits = 0, pad = 0;
	size_t k = 0, count = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)s[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		count++;
		if (c == '=') {
			pad++;
			continue;
		}
		int v = b64v(c);
		if (v < 0 || pad)
			return false;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[k++] = (uint8_t)(acc >> bits);
		}
	}
	if (count % 4 || pad > 2)
		return false;
	*olen = k;
	return true;
}

static const char *find(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);
	return l <= n ? memmem(s, n, lit, l) : NULL;
}

int ky_x509_decode(gr_arena *a, const char *pem, size_t len, gr_value *out, char *err, size_t errcap)
{
	xctx x = {a, err, errcap, false};
	if (len > MAX_PEM) {
		xfail(&x, "failed to decode PEM block");
		return -1;
	}
	const char *p = pem, *end = pem + len;
	while (p < end) {
		const char *b = find(p, (size_t)(end - p), "-----BEGIN ");
		if (!b)
			break;
		p = b + 11;
		if (b != pem && b[-1] != '\n')
			continue;
		const char *te = find(p, (size_t)(end - p), "-----");
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!te || (nl && nl < te))
			continue;
		size_t tlen = (size_t)(te - p);
		const char *body = te + 5;
		while (body < end && (*body == ' ' || *body == '\t' || *body == '\r'))
			body++;
		if (body < end && *body != '\n')
			continue;
		char endline[128];
		if (tlen > 100)
			continue;
		snprintf(endline, sizeof endline, "-----END %.*s-----", (int)tlen, p);
		const char *e = find(body, (size_t)(end - body), endline);
		if (!e)
			continue;
		uint8_t *bin = malloc((size_t)(e - body) + 1);
		if (!bin) {
			xfail(&x, "out of memory");
			return -1;
		}
		size_t blen;
		if (!b64_decode(body, (size_t)(e - body), bin, &blen)) {
			free(bin);
			continue;
		}
		der d = {bin, blen};
		bool ok;
		if (tlen == 11 && !memcmp(p, "CERTIFICATE", 11))
			ok = parse_certificate(&x, d, out);
		else if (tlen == 19 && !memcmp(p, "CERTIFICATE REQUEST", 19))
			ok = parse_csr(&x, d, out);
		else
			ok = xfail(&x, "PEM block neither contains a CERTIFICATE or CERTIFICATE REQUEST");
		/* results point into the arena only, never into bin */
		free(bin);
		return ok ? 0 : -1;
	}
	xfail(&x, "failed to decode PEM block");
	return -1;
}
