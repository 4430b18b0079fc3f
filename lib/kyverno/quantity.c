/*
 * quantity.c — the three number dialects Kyverno compares with: Kubernetes
 * quantities (resource.ParseQuantity), Go durations (time.ParseDuration),
 * and Go's float formatters (fmt.Sprint, strconv 'E', %f), whose output
 * leaks into string comparisons and so must be reproduced exactly.
 *
 * Quantities are compared as long double: exact for every integer and
 * binary-suffixed value the library uses, and for decimal fractions down
 * to nano.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kyverno_int.h"

static long double pow10l_int(int e)
{
	long double r = 1;
	long double b = 10;
	int n = e < 0 ? -e : e;
	while (n) {
		if (n & 1)
			r *= b;
		b *= b;
		n >>= 1;
	}
	return e < 0 ? 1 / r : r;
}

bool ky_parse_quantity(const char *s, size_t len, long double *out)
{
	size_t i = 0;
	bool neg = false;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	long double mant = 0;
	int frac = 0, digits = 0;
	bool dot = false;
	for (; i < len; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9') {
			mant = mant * 10 + (c - '0');
			digits++;
			if (dot)
				frac++;
		} else if (c == '.' && !dot) {
			dot = true;
		} else {
			break;
		}
	}
	if (digits == 0)
		return false;
	const char *suf = s + i;
	size_t sl = len - i;
	long double mul = 1;
	int exp10 = 0;
	if (sl == 0) {
	} else if (sl == 2 && suf[1] == 'i') {
		int p;
		switch (suf[0]) {
		case 'K': p = 10; break;
		case 'M': p = 20; break;
		case 'G': p = 30; break;
		case 'T': p = 40; break;
		case 'P': p = 50; break;
		case 'E': p = 60; break;
		default: return false;
		}
		mul = ldexpl(1, p);
	} else if (sl == 1 && strchr("numkMGTPE", suf[0])) {
		switch (suf[0]) {
		case 'n': exp10 = -9; break;
		case 'u': exp10 = -6; break;
		case 'm': exp10 = -3; break;
		case 'k': exp10 = 3; break;
		case 'M': exp10 = 6; break;
		case 'G': exp10 = 9; break;
		case 'T': exp10 = 12; break;
		case 'P': exp10 = 15; break;
		case 'E': exp10 = 18; break;
		}
	} else if (suf[0] == 'e' || suf[0] == 'E') {
		size_t j = 1;
		bool eneg = false;
		if (j < sl && (suf[j] == '+' || suf[j] == '-'))
			eneg = suf[j++] == '-';
		if (j >= sl)
			return false;
		int e = 0;
		for (; j < sl; j++) {
			if (suf[j] < '0' || suf[j] > '9')
				return false;
			if (e < 100000)
				e = e * 10 + (suf[j] - '0');
		}
		exp10 = eneg ? -e : e;
	} else {
		return false;
	}
	int e = exp10 - frac;
	long double v = e < 0 ? mant / pow10l_int(-e) : mant * pow10l_int(e);
	v *= mul;
	*out = neg ? -v : v;
	return true;
}

/* Go time.ParseDuration: [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+, or "0". */
bool ky_parse_duration(const char *s, size_t len, long double *seconds)
{
	size_t i = 0;
	bool neg = false;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	if (len - i == 1 && s[i] == '0') {
		*seconds = 0;
		return true;
	}
	if (i == len)
		return false;
	long double total = 0;
	while (i < len) {
		long double v = 0, scale = 1;
		bool any = false, dot = false;
		for (; i < len; i++) {
			char c = s[i];
			if (c >= '0' && c <= '9') {
				any = true;
				if (dot) {
					scale /= 10;
					v += (c - '0') * scale;
				} else {
					v = v * 10 + (c - '0');
				}
			} else if (c == '.' && !dot) {
				dot = true;
			} else {
				break;
			}
		}
		if (!any)
			return false;
		size_t u = i;
		while (i < len && !(s[i] == '.' || (s[i] >= '0' && s[i] <= '9')))
			i++;
		size_t ul = i - u;
		const char *un = s + u;
		long double mul;
		if (ul == 2 && memcmp(un, "ns", 2) == 0)
			mul = 1e-9L;
		else if (ul == 2 && (memcmp(un, "us", 2) == 0))
			mul = 1e-6L;
		else if (ul == 3 && (memcmp(un, "\xc2\xb5s", 3) == 0 || memcmp(un, "\xce\xbcs", 3) == 0))
			mul = 1e-6L;
		else if (ul == 2 && memcmp(un, "ms", 2) == 0)
			mul = 1e-3L;
		else if (ul == 1 && un[0] == 's')
			mul = 1;
		else if (ul == 1 && un[0] == 'm')
			mul = 60;
		else if (ul == 1 && un[0] == 'h')
			mul = 3600;
		else
			return false;
		total += v * mul;
	}
	*seconds = neg ? -total : total;
	return true;
}

/* Shortest round-trip digits of d: digits (no dot) and the decimal point
 * position dp (value = 0.digits * 10^dp). */
static int shortest(double d, char *digits, int *dp)
{
	char tmp[64];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
		double back;
		sscanf(tmp, "%lf", &back);
		if (back == d || prec == 17)
			break;
	}
	/* tmp: [-]D.DDDDe[+-]XX */
	const char *p = tmp;
	if (*p == '-')
		p++;
	int n = 0;
	for (; *p && *p != 'e'; p++)
		if (*p != '.')
			digits[n++] = *p;
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	int e = 0;
	sscanf(p + 1, "%d", &e);
	*dp = e + 1;
	return n;
}

static void fmt_exp(char *buf, size_t cap, bool neg, const char *digits, int nd, int dp, char e)
{
	int x = dp - 1;
	char mant[64];
	int k = 0;
	mant[k++] = digits[0];
	if (nd > 1) {
		mant[k++] = '.';
		for (int i = 1; i < nd; i++)
			mant[k++] = digits[i];
	}
	mant[k] = '\0';
	snprintf(buf, cap, "%s%s%c%c%02d", neg ? "-" : "", mant, e, x < 0 ? '-' : '+', x < 0 ? -x : x);
}

static void fmt_plain(char *buf, size_t cap, bool neg, const char *digits, int nd, int dp)
{
	char out[400];
	int k = 0;
	if (neg)
		out[k++] = '-';
	if (dp <= 0) {
		out[k++] = '0';
		out[k++] = '.';
		for (int i = 0; i < -dp && k < 380; i++)
			out[k++] = '0';
		for (int i = 0; i < nd && k < 398; i++)
			out[k++] = digits[i];
	} else {
		for (int i = 0; i < dp && k < 398; i++)
			out[k++] = i < nd ? digits[i] : '0';
		if (nd > dp) {
			out[k++] = '.';
			for (int i = dp; i < nd && k < 398; i++)
				out[k++] = digits[i];
		}
	}
	out[k] = '\0';
	snprintf(buf, cap, "%s", out);
}

void ky_fmt_sprint(char *buf, size_t cap, double d)
{
	if (isnan(d)) {
		snprintf(buf, cap, "NaN");
		return;
	}
	if (isinf(d)) {
		snprintf(buf, cap, d < 0 ? "-Inf" : "+Inf");
		return;
	}
	if (d == 0) {
		snprintf(buf, cap, signbit(d) ? "-0" : "0");
		return;
	}
	char digits[32];
	int dp;
	int nd = shortest(d, digits, &dp);
	int x = dp - 1;
	/* strconv 'g' with the shortest precision decides %e at exponent 6 */
	if (x < -4 || x >= 6)
		fmt_exp(buf, cap, d < 0, digits, nd, dp, 'e');
	else
		fmt_plain(buf, cap, d < 0, digits, nd, dp);
}

void ky_fmt_E(char *buf, size_t cap, double d)
{
	if (d == 0) {
		snprintf(buf, cap, "0E+00");
		return;
	}
	if (!isfinite(d)) {
		snprintf(buf, cap, isnan(d) ? "NaN" : d < 0 ? "-Inf" : "+Inf");
		return;
	}
	char digits[32];
	int dp;
	int nd = shortest(d, digits, &dp);
	fmt_exp(buf, cap, d < 0, digits, nd, dp, 'E');
}

void ky_fmt_f(char *buf, size_t cap, double d)
{
	snprintf(buf, cap, "%f", d);
}
