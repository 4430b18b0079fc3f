/*
 * test_gotime.c — Kyverno's time_* functions and the Go time layouts under
 * them: Go's documented layout constants and examples (time.Parse,
 * Format(RFC3339), ParseDuration, Duration.String, Truncate) and Kyverno's
 * own time_test.go cases, through the JMESPath functions with a fixed clock.
 */
#include <stdio.h>
#include <string.h>

#include "../../lib/kyverno/kyverno_int.h"
#include "guardrail/guardrail.h"
#include "testlib.h"

static gr_kyverno_set *set;

static const char *jp(const char *expr)
{
	static char out[512];
	gr_arena a;
	gr_arena_init(&a);
	gr_value in = gr_make_null(), res;
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
			snprintf(out, sizeof out, "error");
		}
		gr_jp_free(p);
	}
	gr_arena_free(&a);
	return out;
}

#define EXPECT(expr, want)                                                                                   \
	do {                                                                                                 \
		const char *got_ = jp(expr);                                                                 \
		if (strcmp(got_, want) != 0)                                                                 \
			fprintf(stderr, "  expression: %s\n", expr);                                         \
		CHECK_STR(got_, want);                                                                       \
	} while (0)

/* Kyverno's pkg/engine/jmespath/time_test.go */
static void test_kyverno_cases(void)
{
	EXPECT("time_since('', '2021-01-02T15:04:05-07:00', '2021-01-10T03:14:05-07:00')", "\"180h10m0s\"");
	EXPECT("time_since('Mon Jan _2 15:04:05 MST 2006', 'Mon Jan 02 15:04:05 MST 2021', "
	       "'Mon Jan 10 03:14:16 MST 2021')",
	       "\"180h10m11s\"");
	EXPECT("time_to_cron('2023-02-02T15:04:05Z')", "\"4 15 2 2 4\"");
	EXPECT("time_to_cron(time_utc('2023-02-02T15:04:05-07:00'))", "\"4 22 2 2 4\"");
	EXPECT("time_add('2021-01-02T15:04:05-07:00', '3h')", "\"2021-01-02T18:04:05-07:00\"");
	EXPECT("time_add(time_parse('Mon Jan 02 15:04:05 -0700 2006', 'Sat Jan 02 15:04:05 -0700 2021'), "
	       "'5h30m40s')",
	       "\"2021-01-02T20:34:45-07:00\"");
	EXPECT("time_parse('2006-01-02T15:04:05Z07:00', '2021-01-02T15:04:05-07:00')",
	       "\"2021-01-02T15:04:05-07:00\"");
	EXPECT("time_parse('Mon Jan 02 15:04:05 -0700 2006', 'Sat Jan 02 15:04:05 -0700 2021')",
	       "\"2021-01-02T15:04:05-07:00\"");
	EXPECT("time_parse('1702691171', '1702691171')", "\"2023-12-16T01:46:11Z\"");
	EXPECT("time_utc('2023-02-02T15:04:05Z')", "\"2023-02-02T15:04:05Z\"");
	EXPECT("time_utc('2023-02-02T15:04:05-07:00')", "\"2023-02-02T22:04:05Z\"");
	EXPECT("time_diff('2021-01-02T15:04:05-07:00', '2021-01-10T03:14:05-07:00')", "\"180h10m0s\"");
	EXPECT("time_before('2021-01-02T15:04:05-07:00', '2021-01-02T16:04:05-07:00')", "true");
	EXPECT("time_before('2021-01-02T15:04:05-07:00', '2021-01-02T15:04:05-07:00')", "false");
	EXPECT("time_after('2021-01-02T16:04:05-07:00', '2021-01-02T15:04:05-07:00')", "true");
	EXPECT("time_after('2021-01-02T15:04:05-07:00', '2021-01-02T15:04:05-07:00')", "false");
	EXPECT("time_between('2021-01-02T17:04:05-07:00', '2021-01-02T15:04:05-07:00', "
	       "'2021-01-02T18:04:05-07:00')",
	       "true");
	EXPECT("time_between('2021-01-02T15:04:05-07:00', '2021-01-02T15:04:05-07:00', "
	       "'2021-01-02T18:04:05-07:00')",
	       "false");
	EXPECT("time_between('2021-01-02T18:04:05-07:00', '2021-01-02T15:04:05-07:00', "
	       "'2021-01-02T18:04:05-07:00')",
	       "false");
	EXPECT("time_add('', '1h')", "error");
	EXPECT("time_add('2021-01-02T15:04:05Z', '')", "error");
}

/* Go's time package: the layout constants and the documented examples. */
static void test_go_layouts(void)
{
	/* time.Parse doc example: an unknown abbreviation gets offset 0 */
	EXPECT("time_parse('Jan 2, 2006 at 3:04pm (MST)', 'Feb 3, 2013 at 7:54pm (PST)')",
	       "\"2013-02-03T19:54:00Z\"");
	EXPECT("time_parse('2006-Jan-02', '2013-Feb-03')", "\"2013-02-03T00:00:00Z\"");
	EXPECT("time_parse('2006-01-02T15:04:05Z07:00', '2006-01-02T15:04:05Z')", "\"2006-01-02T15:04:05Z\"");
	EXPECT("time_parse('2006-01-02T15:04:05Z07:00', '2006-01-02T15:04:05+07:00')",
	       "\"2006-01-02T15:04:05+07:00\"");
	EXPECT("time_parse('2006-01-02T15:04:05Z07:00', '2006-01-02T15:04:05Z07:00')", "error");
	/* ANSIC, UnixDate, RubyDate */
	EXPECT("time_parse('Mon Jan _2 15:04:05 2006', 'Tue Feb  3 04:05:06 2015')",
	       "\"2015-02-03T04:05:06Z\"");
	EXPECT("time_parse('Mon Jan _2 15:04:05 MST 2006', 'Tue Feb 13 04:05:06 UTC 2015')",
	       "\"2015-02-13T04:05:06Z\"");
	EXPECT("time_parse('Mon Jan 02 15:04:05 -0700 2006', 'Tue Feb 03 04:05:06 +0530 2015')",
	       "\"2015-02-03T04:05:06+05:30\"");
	/* RFC822 (two-digit years: 69..99 are 19xx), RFC822Z, RFC850, RFC1123, RFC1123Z */
	EXPECT("time_parse('02 Jan 06 15:04 MST', '03 Feb 15 04:05 UTC')", "\"2015-02-03T04:05:00Z\"");
	EXPECT("time_parse('02 Jan 06 15:04 -0700', '03 Feb 69 04:05 -0100')",
	       "\"1969-02-03T04:05:00-01:00\"");
	EXPECT("time_parse('02 Jan 06 15:04 -0700', '03 Feb 68 04:05 -0100')",
	       "\"2068-02-03T04:05:00-01:00\"");
	EXPECT("time_parse('Monday, 02-Jan-06 15:04:05 MST', 'Tuesday, 03-Feb-15 04:05:06 GMT+3')",
	       "\"2015-02-03T04:05:06+03:00\"");
	EXPECT("time_parse('Mon, 02 Jan 2006 15:04:05 MST', 'Tue, 03 Feb 2015 04:05:06 GMT')",
	       "\"2015-02-03T04:05:06Z\"");
	EXPECT("time_parse('Mon, 02 Jan 2006 15:04:05 -0700', 'Tue, 03 Feb 2015 04:05:06 -0700')",
	       "\"2015-02-03T04:05:06-07:00\"");
	/* RFC3339Nano: the fraction is kept (Format(RFC3339) does not print it) */
	EXPECT("time_parse('2006-01-02T15:04:05.999999999Z07:00', '2015-02-03T04:05:06.123456789Z')",
	       "\"2015-02-03T04:05:06Z\"");
	EXPECT("time_since('2006-01-02T15:04:05.999999999Z07:00', '2015-02-03T04:05:06.5Z', "
	       "'2015-02-03T04:05:07.25Z')",
	       "\"750ms\"");
	/* Kitchen (no date: year 0, January 1), AM/PM */
	EXPECT("time_parse('3:04PM', '7:54PM')", "\"0000-01-01T19:54:00Z\"");
	EXPECT("time_parse('3:04PM', '12:05AM')", "\"0000-01-01T00:05:00Z\"");
	EXPECT("time_parse('3:04pm', '12:05pm')", "\"0000-01-01T12:05:00Z\"");
	EXPECT("time_parse('3:04PM', '7:54XM')", "error");
	/* Stamp, StampMilli (.000 wants exactly three digits), StampMicro */
	EXPECT("time_parse('Jan _2 15:04:05', 'Feb  3 04:05:06')", "\"0000-02-03T04:05:06Z\"");
	EXPECT("time_since('Jan _2 15:04:05.000', 'Feb  3 04:05:06.123', 'Feb  3 04:05:07.000')",
	       "\"877ms\"");
	EXPECT("time_parse('Jan _2 15:04:05.000', 'Feb  3 04:05:06.12')", "error");
	EXPECT("time_since('Jan _2 15:04:05.000000', 'Feb  3 04:05:06.000000', 'Feb  3 04:05:06.000002')",
	       "\"2µs\"");
	/* DateTime, DateOnly, TimeOnly */
	EXPECT("time_parse('2006-01-02 15:04:05', '2024-02-29 23:59:59')", "\"2024-02-29T23:59:59Z\"");
	EXPECT("time_parse('2006-01-02', '2023-02-29')", "error"); /* day out of range */
	EXPECT("time_parse('2006-01-02', '2023-13-01')", "error"); /* month out of range */
	EXPECT("time_parse('15:04:05', '23:59:60')", "error");
	EXPECT("time_parse('15:04:05', '24:00:00')", "error");
	EXPECT("time_parse('15:04:05', '08:09:10')", "\"0000-01-01T08:09:10Z\"");
	/* a fraction in the value the layout does not name is accepted after seconds */
	EXPECT("time_since('2006-01-02 15:04:05', '2020-01-01 00:00:00.5', '2020-01-01 00:00:01')",
	       "\"500ms\"");
	/* comma as the fraction separator, .999 optional */
	EXPECT("time_since('15:04:05,000', '04:05:06,789', '04:05:07,000')", "\"211ms\"");
	EXPECT("time_since('15:04:05.999', '04:05:06', '04:05:06.5')", "\"500ms\"");
	/* day of year: 002 and __2, checked against a month/day when both are given */
	EXPECT("time_parse('2006-002', '2024-060')", "\"2024-02-29T00:00:00Z\"");
	EXPECT("time_parse('2006-002', '2023-060')", "\"2023-03-01T00:00:00Z\"");
	EXPECT("time_parse('2006 __2', '2023  32')", "\"2023-02-01T00:00:00Z\"");
	EXPECT("time_parse('2006-01-02 002', '2023-02-01 032')", "\"2023-02-01T00:00:00Z\"");
	EXPECT("time_parse('2006-01-02 002', '2023-02-02 032')", "error");
	EXPECT("time_parse('2006-002', '2023-366')", "error");
	/* numeric zones: every form, Z only for the ISO 8601 ones */
	EXPECT("time_parse('2006-01-02 15:04 -07', '2020-05-06 07:08 +03')", "\"2020-05-06T07:08:00+03:00\"");
	EXPECT("time_parse('2006-01-02 15:04 -0700', '2020-05-06 07:08 Z')", "error");
	EXPECT("time_parse('2006-01-02 15:04 Z0700', '2020-05-06 07:08 Z')", "\"2020-05-06T07:08:00Z\"");
	EXPECT("time_parse('2006-01-02 15:04 Z07', '2020-05-06 07:08 -02')", "\"2020-05-06T07:08:00-02:00\"");
	/* seconds of an offset are parsed, but RFC 3339 output shows hh:mm only,
	 * so they are lost between time_parse and time_utc, as in Kyverno */
	EXPECT("time_parse('2006-01-02 15:04 -07:00:00', '2020-05-06 07:08 -01:30:30')",
	       "\"2020-05-06T07:08:00-01:30\"");
	EXPECT("time_since('2006-01-02 15:04 -07:00:00', '2020-05-06 07:08 -01:30:30', "
	       "'2020-05-06 07:08 -01:30:00')",
	       "\"-30s\"");
	EXPECT("time_utc(time_parse('2006-01-02 15:04 -07:00:00', '2020-05-06 07:08 -01:30:30'))",
	       "\"2020-05-06T08:38:00Z\"");
	EXPECT("time_utc(time_parse('2006-01-02 15:04 Z070000', '2020-05-06 07:08 +013030'))",
	       "\"2020-05-06T05:38:00Z\"");
	/* month and weekday names are matched without case; Jan followed by a
	 * lower-case letter is literal text, as is the _ of _2006 */
	EXPECT("time_parse('Mon Jan 02 2006', 'TUE FEB 03 2015')", "\"2015-02-03T00:00:00Z\"");
	EXPECT("time_parse('January 2, 2006', 'september 30, 2022')", "\"2022-09-30T00:00:00Z\"");
	EXPECT("time_parse('Janet 2006', 'Janet 2020')", "\"2020-01-01T00:00:00Z\"");
	EXPECT("time_parse('_2006', '_2021')", "\"2021-01-01T00:00:00Z\"");
	/* a space in the layout matches any run of spaces; other text is literal */
	EXPECT("time_parse('2006 01 02', '2021    03 04')", "\"2021-03-04T00:00:00Z\"");
	EXPECT("time_parse('2006/01/02', '2021-03-04')", "error");
	EXPECT("time_parse('2006-01-02', '2021-03-04 extra')", "error");
	/* epoch layouts: any integer layout */
	EXPECT("time_parse('0', '-1')", "\"1969-12-31T23:59:59Z\"");
	EXPECT("time_parse('1', 'x')", "error");
	/* RFC 3339 arguments are parsed as time.Parse(time.RFC3339) */
	EXPECT("time_utc('2021-01-02t15:04:05Z')", "error");
	EXPECT("time_utc('2021-01-02T15:04:05z')", "error");
	EXPECT("time_utc('2021-01-02T15:04:05.123456789+01:00')", "\"2021-01-02T14:04:05Z\"");
}

static void test_durations_and_clock(void)
{
	EXPECT("time_now()", "\"2026-01-01T00:00:00Z\"");
	EXPECT("time_now_utc()", "\"2026-01-01T00:00:00Z\"");
	EXPECT("time_since('', '2025-12-31T23:00:00Z', '')", "\"1h0m0s\"");
	EXPECT("time_since('2006-01-02', '2025-12-30', '')", "\"48h0m0s\"");
	/* Duration.String */
	EXPECT("time_diff('2021-01-01T00:00:00Z', '2021-01-01T00:00:00.0000015Z')", "\"1.5µs\"");
	EXPECT("time_diff('2021-01-01T00:00:00Z', '2021-01-01T00:00:00.000000001Z')", "\"1ns\"");
	EXPECT("time_diff('2021-01-01T00:00:01Z', '2021-01-01T00:00:00Z')", "\"-1s\"");
	EXPECT("time_diff('2021-01-01T00:00:00Z', '2021-01-01T00:00:00Z')", "\"0s\"");
	EXPECT("time_diff('2021-01-01T00:00:00Z', '2021-01-01T00:01:00.01Z')", "\"1m0.01s\"");
	/* Sub saturates at the largest Duration */
	EXPECT("time_diff('0001-01-01T00:00:00Z', '9999-01-01T00:00:00Z')", "\"2562047h47m16.854775807s\"");
	/* ParseDuration: units, fractions, signs, overflow */
	EXPECT("time_add('2021-01-01T00:00:00Z', '1.5h')", "\"2021-01-01T01:30:00Z\"");
	EXPECT("time_add('2021-01-01T00:00:00Z', '-1h30m')", "\"2020-12-31T22:30:00Z\"");
	EXPECT("time_add('2021-01-01T00:00:00Z', '1h1us1µs1ns')", "\"2021-01-01T01:00:00Z\"");
	EXPECT("time_add('2021-01-01T00:00:00Z', '1d')", "error");
	EXPECT("time_add('2021-01-01T00:00:00Z', '3000000h')", "error");
	/* Truncate counts from January 1, year 1 (a Monday), whatever the zone */
	EXPECT("time_truncate('2021-01-02T15:04:05-07:00', '1h')", "\"2021-01-02T15:00:00-07:00\"");
	EXPECT("time_truncate('2021-01-02T15:04:05-07:00', '24h')", "\"2021-01-01T17:00:00-07:00\"");
	EXPECT("time_truncate('2021-01-02T22:04:05Z', '168h')", "\"2020-12-28T00:00:00Z\"");
	EXPECT("time_truncate('2021-01-02T22:04:05Z', '0s')", "\"2021-01-02T22:04:05Z\"");
	EXPECT("time_truncate('2021-01-02T22:04:05Z', '-1h')", "\"2021-01-02T22:04:05Z\"");
}

/* the parser's messages follow Go's */
static void test_messages(void)
{
	ky_time t;
	char msg[200];
	const char *l = "2006-01-02T15:04:05Z07:00";
	CHECK(ky_time_parse(l, strlen(l), l, strlen(l), &t, msg, sizeof msg) == -1);
	CHECK_STR(msg, "parsing time \"2006-01-02T15:04:05Z07:00\": extra text: \"07:00\"");
	CHECK(ky_time_parse("2006-01-02", 10, "2021-1x-01", 10, &t, msg, sizeof msg) == -1);
	CHECK_STR(msg, "parsing time \"2021-1x-01\" as \"2006-01-02\": cannot parse \"1x-01\" as \"01\"");
	CHECK(ky_time_parse("2006-01-02", 10, "2021-00-01", 10, &t, msg, sizeof msg) == -1);
	CHECK_STR(msg, "parsing time \"2021-00-01\": month out of range");
	char buf[64];
	ky_duration_string(INT64_MIN, buf, sizeof buf);
	CHECK_STR(buf, "-2562047h47m16.854775808s");
	int64_t d;
	CHECK(ky_duration_ns("-2562047h47m16.854775808s", 25, &d) && d == INT64_MIN);
	CHECK(!ky_duration_ns("2562047h47m16.854775808s", 24, &d));
	CHECK(ky_duration_ns(".5s", 3, &d) && d == 500000000);
	CHECK(!ky_duration_ns(".s", 2, &d));
	CHECK(!ky_duration_ns("1", 1, &d));
	CHECK(ky_duration_ns("0", 1, &d) && d == 0);
}

int main(void)
{
	gr_kyverno_options opt = {.now = 1767225600, .seed = 3};
	set = gr_kyverno_set_new(&opt);
	test_kyverno_cases();
	test_go_layouts();
	test_durations_and_clock();
	test_messages();
	gr_kyverno_set_free(set);
	return test_report("gotime");
}
