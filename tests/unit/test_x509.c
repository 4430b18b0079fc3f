/*
 * test_x509.c — Kyverno's x509_decode over certificates and requests the
 * test makes with the openssl command at run time (RSA with every extension
 * Go's parser reads, a request with an extensionRequest, ECDSA and Ed25519,
 * a validity past 2049 in GeneralizedTime), checked against what openssl
 * itself reports; then malformed input: every truncation and many bit flips
 * of a real certificate fail cleanly or decode, never crash.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../lib/kyverno/kyverno_int.h"
#include "guardrail/guardrail.h"
#include "testlib.h"

static gr_kyverno_set *set;
static char dir[] = "/tmp/gr-x509-XXXXXX";

/* run a shell command in the scratch folder; its exit status */
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	int k = snprintf(cmd, sizeof cmd, "cd %s && (", dir);
	va_list ap;
	va_start(ap, fmt);
	k += vsnprintf(cmd + k, sizeof cmd - (size_t)k, fmt, ap);
	va_end(ap);
	snprintf(cmd + k, sizeof cmd - (size_t)k, ") >/dev/null 2>&1");
	return system(cmd);
}

static char *slurp(const char *name)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	static char *bufs[32];
	static int nb;
	char *b = malloc(1 << 20);
	size_t n = fread(b, 1, (1 << 20) - 1, f);
	fclose(f);
	b[n] = '\0';
	while (n && (b[n - 1] == '\n' || b[n - 1] == '\r'))
		b[--n] = '\0';
	free(bufs[nb % 32]);
	bufs[nb++ % 32] = b;
	return b;
}

/* evaluate expr with the string input as @; JSON of the result or "error: msg" */
static const char *q(const char *expr, const char *input)
{
	static char out[8192];
	gr_arena a;
	gr_arena_init(&a);
	gr_value in = gr_make_string_ref(input ? input : "", input ? strlen(input) : 0), res;
	gr_jp_program *p;
	gr_jp_error jerr;
	if (gr_jp_compile(expr, strlen(expr), set->functions, NULL, &p, &jerr) != 0) {
		snprintf(out, sizeof out, "compile error: %s", jerr.message);
	} else {
		if (gr_jp_eval(p, &in, &a, &res, &jerr) == 0) {
			gr_buf b;
			gr_buf_init(&b);
			gr_write_json(&b, &res, -1);
			snprintf(out, sizeof out, "%.*s", (int)b.len, b.data);
			gr_buf_free(&b);
		} else {
			snprintf(out, sizeof out, "error: %s", jerr.message);
		}
		gr_jp_free(p);
	}
	gr_arena_free(&a);
	return out;
}

#define EXPECT(expr, input, want)                                                                            \
	do {                                                                                                 \
		const char *got_ = q(expr, input);                                                           \
		if (strcmp(got_, want) != 0)                                                                 \
			fprintf(stderr, "  expression: %s\n", expr);                                         \
		CHECK_STR(got_, want);                                                                       \
	} while (0)

/* hex to decimal by long division (independent of the library's base-256 loop) */
static void hex_to_decimal(const char *hex, char *out, size_t cap)
{
	size_t n = strlen(hex);
	unsigned char *d = malloc(n);
	for (size_t i = 0; i < n; i++)
		d[i] = (unsigned char)(hex[i] <= '9' ? hex[i] - '0' : (hex[i] | 32) - 'a' + 10);
	char rev[8192];
	size_t k = 0;
	for (;;) {
		size_t start = 0;
		while (start < n && d[start] == 0)
			start++;
		if (start == n)
			break;
		unsigned rem = 0;
		for (size_t i = start; i < n; i++) {
			unsigned cur = rem * 16 + d[i];
			d[i] = (unsigned char)(cur / 10);
			rem = cur % 10;
		}
		rev[k++] = (char)('0' + rem);
	}
	free(d);
	size_t j = 0;
	while (k && j + 1 < cap)
		out[j++] = rev[--k];
	out[j] = '\0';
}

static char *b64(const unsigned char *p, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *s = malloc((n + 2) / 3 * 4 + (n / 48 + 2) + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned w =
		        (unsigned)p[i] << 16 | (i + 1 < n ? p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
		s[k++] = t[w >> 18 & 63];
		s[k++] = t[w >> 12 & 63];
		s[k++] = i + 1 < n ? t[w >> 6 & 63] : '=';
		s[k++] = i + 2 < n ? t[w & 63] : '=';
		if ((i / 3 + 1) % 16 == 0)
			s[k++] = '\n';
	}
	s[k] = '\0';
	return s;
}

static char *pem_of(const unsigned char *der, size_t n, const char *type)
{
	char *body = b64(der, n);
	size_t len = strlen(body) + 2 * strlen(type) + 64;
	char *s = malloc(len);
	snprintf(s, len, "-----BEGIN %s-----\n%s\n-----END %s-----\n", type, body, type);
	free(body);
	return s;
}

static void test_rsa_certificate(void)
{
	CHECK(sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -days 30 "
	         "-set_serial 123456789 -subj '/C=US/ST=Utah/L=Lindon/O=Acme Inc./OU=Eng/CN=example.test' "
	         "-addext 'subjectAltName=DNS:a.example,DNS:b.example,IP:10.0.0.1,IP:2001:db8::1,"
	         "email:x@example.test,URI:https://user@example.test/p%%20q?q=1' "
	         "-addext 'keyUsage=critical,digitalSignature,keyEncipherment' "
	         "-addext 'extendedKeyUsage=serverAuth,clientAuth,1.2.3.4' "
	         "-addext 'basicConstraints=critical,CA:TRUE,pathlen:0' "
	         "-addext "
	         "'authorityInfoAccess=OCSP;URI:http://ocsp.example,caIssuers;URI:http://ca.example/ca.crt' "
	         "-addext 'crlDistributionPoints=URI:http://crl.example/c.crl' "
	         "-addext 'certificatePolicies=1.2.3.4.5' "
	         "-addext 'nameConstraints=critical,permitted;DNS:.example,permitted;IP:10.0.0.0/255.0.0.0,"
	         "excluded;email:bad@example' && "
	         "openssl x509 -in c.pem -noout -modulus | cut -d= -f2 > modulus && "
	         "openssl x509 -in c.pem -outform DER | base64 -w0 > raw && "
	         "openssl x509 -in c.pem -noout -startdate | cut -d= -f2 > start && "
	         "openssl x509 -in c.pem -noout -enddate | cut -d= -f2 > end") == 0);
	const char *pem = slurp("c.pem");
	CHECK(pem != NULL);
	if (!pem)
		return;
	EXPECT("x509_decode(@).SerialNumber", pem, "123456789");
	EXPECT("x509_decode(@).[Version, PublicKeyAlgorithm, SignatureAlgorithm]", pem, "[3,1,4]");
	EXPECT("x509_decode(@).Subject.CommonName", pem, "\"example.test\"");
	EXPECT("x509_decode(@).Subject.[Country, Province, Locality, Organization, OrganizationalUnit]", pem,
	       "[[\"US\"],[\"Utah\"],[\"Lindon\"],[\"Acme Inc.\"],[\"Eng\"]]");
	EXPECT("x509_decode(@).Subject.[SerialNumber, StreetAddress, PostalCode, ExtraNames]", pem,
	       "[\"\",null,null,null]");
	EXPECT("x509_decode(@).Subject.Names[*].Type", pem,
	       "[[2,5,4,6],[2,5,4,8],[2,5,4,7],[2,5,4,10],[2,5,4,11],[2,5,4,3]]");
	EXPECT("x509_decode(@).Subject.Names[-1]", pem, "{\"Type\":[2,5,4,3],\"Value\":\"example.test\"}");
	EXPECT("x509_decode(@) | Issuer == Subject && RawIssuer == RawSubject", pem, "true");
	EXPECT("x509_decode(@).DNSNames", pem, "[\"a.example\",\"b.example\"]");
	EXPECT("x509_decode(@).IPAddresses", pem, "[\"10.0.0.1\",\"2001:db8::1\"]");
	EXPECT("x509_decode(@).EmailAddresses", pem, "[\"x@example.test\"]");
	EXPECT("x509_decode(@).URIs[0].[Scheme, Host, Path, RawQuery, Fragment, Opaque, User, ForceQuery]",
	       pem, "[\"https\",\"example.test\",\"/p q\",\"q=1\",\"\",\"\",{},false]");
	EXPECT("x509_decode(@).[KeyUsage, ExtKeyUsage, UnknownExtKeyUsage]", pem, "[5,[1,2],[[1,2,3,4]]]");
	EXPECT("x509_decode(@).[BasicConstraintsValid, IsCA, MaxPathLen, MaxPathLenZero]", pem,
	       "[true,true,0,true]");
	EXPECT("x509_decode(@).[OCSPServer, IssuingCertificateURL, CRLDistributionPoints, PolicyIdentifiers]",
	       pem,
	       "[[\"http://ocsp.example\"],[\"http://ca.example/ca.crt\"],[\"http://crl.example/c.crl\"],"
	       "[[1,2,3,4,5]]]");
	EXPECT("x509_decode(@).[PermittedDNSDomainsCritical, PermittedDNSDomains, PermittedIPRanges, "
	       "ExcludedEmailAddresses, ExcludedDNSDomains, UnhandledCriticalExtensions]",
	       pem,
	       "[true,[\".example\"],[{\"IP\":\"10.0.0.0\",\"Mask\":\"/"
	       "wAAAA==\"}],[\"bad@example\"],null,null]");
	EXPECT("x509_decode(@).Extensions[?Critical].Id", pem, "[[2,5,29,15],[2,5,29,19],[2,5,29,30]]");
	EXPECT("x509_decode(@).Extensions[?Id == `[2,5,29,19]`].Value", pem, "[\"MAYBAf8CAQA=\"]");
	EXPECT("x509_decode(@) | SubjectKeyId == AuthorityKeyId && length(SubjectKeyId) == `28`", pem,
	       "true");
	EXPECT("x509_decode(@).PublicKey.E", pem, "65537");
	char want[4096], modulus[2048];
	const char *hex = slurp("modulus");
	hex_to_decimal(hex ? hex : "", modulus, sizeof modulus);
	snprintf(want, sizeof want, "\"%s\"", modulus);
	EXPECT("x509_decode(@).PublicKey.N", pem, want);
	const char *raw = slurp("raw");
	snprintf(want, sizeof want, "\"%s\"", raw ? raw : "");
	EXPECT("x509_decode(@).Raw", pem, want);
	/* validity: openssl's dates through Go's layout for them */
	char expr[256];
	const char *start = slurp("start"), *end = slurp("end");
	snprintf(expr, sizeof expr,
	         "x509_decode(@).NotBefore == time_parse('Jan _2 15:04:05 2006 MST', '%s')",
	         start ? start : "");
	EXPECT(expr, pem, "true");
	snprintf(expr, sizeof expr, "x509_decode(@).NotAfter == time_parse('Jan _2 15:04:05 2006 MST', '%s')",
	         end ? end : "");
	EXPECT(expr, pem, "true");
	/* a Go map after a JSON round trip: keys sorted, 44 of them */
	EXPECT("keys(x509_decode(@)) | [length(@), @ == sort(@), [0], [-1]]", pem,
	       "[44,true,\"AuthorityKeyId\",\"Version\"]");
	EXPECT("starts_with(to_string(x509_decode(@).Subject), "
	       "'{\"CommonName\":\"example.test\",\"Country\":[\"US\"],\"ExtraNames\":null,')",
	       pem, "true");
	/* text before the block is skipped; base64 of the PEM through base64_decode */
	char *junk = malloc(strlen(pem) + 16);
	sprintf(junk, "junk line\n%s\n", pem);
	EXPECT("x509_decode(@).SerialNumber", junk, "123456789");
	free(junk);
	char *enc = b64((const unsigned char *)pem, strlen(pem));
	char *flat = enc, *w = enc;
	for (; *flat; flat++)
		if (*flat != '\n')
			*w++ = *flat;
	*w = '\0';
	EXPECT("x509_decode(base64_decode(@)).Subject.CommonName", enc, "\"example.test\"");
	free(enc);
}

static void test_request(void)
{
	CHECK(sh("openssl req -new -key k.pem -out r.pem -subj '/O=Org/CN=csr.example' "
	         "-addext 'subjectAltName=DNS:csr.example,IP:192.168.0.1,email:csr@example'") == 0);
	const char *pem = slurp("r.pem"), *cert = slurp("c.pem");
	CHECK(pem != NULL);
	if (!pem)
		return;
	EXPECT("x509_decode(@).[Version, PublicKeyAlgorithm, SignatureAlgorithm]", pem, "[0,1,4]");
	EXPECT("x509_decode(@).Subject.[CommonName, Organization]", pem, "[\"csr.example\",[\"Org\"]]");
	EXPECT("x509_decode(@).[DNSNames, IPAddresses, EmailAddresses, URIs]", pem,
	       "[[\"csr.example\"],[\"192.168.0.1\"],[\"csr@example\"],null]");
	EXPECT("x509_decode(@).Extensions[*].[Id, Critical]", pem, "[[[2,5,29,17],false]]");
	EXPECT("x509_decode(@).Attributes[*].Type", pem, "[[1,2,840,113549,1,9,14]]");
	EXPECT("x509_decode(@) | Attributes[0].Value[0][0].Type == Extensions[0].Id && "
	       "Attributes[0].Value[0][0].Value == Extensions[0].Value",
	       pem, "true");
	EXPECT("keys(x509_decode(@)) | [length(@), @ == sort(@)]", pem, "[17,true]");
	/* the request and the certificate share the key */
	char expr[64];
	snprintf(expr, sizeof expr, "x509_decode(@).PublicKey");
	char key[4096];
	snprintf(key, sizeof key, "%s", q(expr, cert));
	EXPECT(expr, pem, key);
	/* a request without attributes: both null */
	CHECK(sh("openssl req -new -key k.pem -out r2.pem -subj '/CN=plain'") == 0);
	EXPECT("x509_decode(@).[Attributes, Extensions, DNSNames]", slurp("r2.pem"), "[null,null,null]");
}

/* Kyverno accepts RSA keys only: other keys parse, then fail */
static void test_other_keys(void)
{
	CHECK(sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ek.pem "
	         "-out ec.pem -days 1 -subj '/CN=ec' && "
	         "openssl req -new -key ek.pem -out ecr.pem -subj '/CN=ecr' && "
	         "openssl req -x509 -newkey ed25519 -nodes -keyout dk.pem -out ed.pem -days 1 -subj "
	         "'/CN=ed'") == 0);
	EXPECT("x509_decode(@)", slurp("ec.pem"), "error: certificate should use rsa algorithm");
	EXPECT("x509_decode(@)", slurp("ecr.pem"), "error: certificate should use rsa algorithm");
	EXPECT("x509_decode(@)", slurp("ed.pem"), "error: certificate should use rsa algorithm");
	/* a validity past 2049 is a GeneralizedTime */
	CHECK(sh("openssl req -x509 -key k.pem -out long.pem -days 15000 -subj '/CN=long' && "
	         "openssl x509 -in long.pem -noout -enddate | cut -d= -f2 > longend") == 0);
	char expr[256];
	const char *end = slurp("longend");
	snprintf(expr, sizeof expr,
	         "x509_decode(@).NotAfter | [@ == time_parse('Jan _2 15:04:05 2006 MST', '%s'), "
	         "to_number(split(@, '-')[0]) > `2049`]",
	         end ? end : "");
	EXPECT(expr, slurp("long.pem"), "[true,true]");
}

static void test_malformed(void)
{
	EXPECT("x509_decode('xyz')", NULL, "error: failed to decode PEM block");
	EXPECT("x509_decode(@)", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
	       "error: PEM block neither contains a CERTIFICATE or CERTIFICATE REQUEST");
	EXPECT("x509_decode(@)", "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
	       "error: failed to decode PEM block");
	EXPECT("x509_decode(@)", "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n",
	       "error: x509: malformed tbs certificate");
	/* every truncation of a real certificate fails; bit flips never crash */
	CHECK(sh("openssl x509 -in c.pem -outform DER -out c.der") == 0);
	char path[256];
	snprintf(path, sizeof path, "%s/c.der", dir);
	FILE *f = fopen(path, "rb");
	CHECK(f != NULL);
	if (!f)
		return;
	unsigned char der[8192];
	size_t n = fread(der, 1, sizeof der, f);
	fclose(f);
	size_t truncated_ok = 0;
	for (size_t cut = 0; cut < n; cut++) {
		char *pem = pem_of(der, cut, "CERTIFICATE");
		gr_arena a;
		gr_arena_init(&a);
		gr_value v;
		char err[200];
		if (ky_x509_decode(&a, pem, strlen(pem), &v, err, sizeof err) != 0)
			truncated_ok++;
		gr_arena_free(&a);
		free(pem);
	}
	CHECK(truncated_ok == n);
	size_t decoded = 0, failed = 0;
	for (size_t bit = 0; bit < n * 8; bit += 7) {
		der[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		char *pem = pem_of(der, n, "CERTIFICATE");
		gr_arena a;
		gr_arena_init(&a);
		gr_value v;
		char err[200];
		if (ky_x509_decode(&a, pem, strlen(pem), &v, err, sizeof err) == 0)
			decoded++;
		else
			failed++;
		gr_arena_free(&a);
		free(pem);
		der[bit / 8] ^= (unsigned char)(1u << (bit % 8));
	}
	/* flips inside the signature or the key still decode; structural ones fail */
	CHECK(decoded > 0 && failed > 0);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	gr_kyverno_options opt = {.now = 1767225600, .seed = 3};
	set = gr_kyverno_set_new(&opt);
	test_rsa_certificate();
	test_request();
	test_other_keys();
	test_malformed();
	gr_kyverno_set_free(set);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
	return test_report("x509");
}
