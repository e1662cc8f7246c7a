/* test_feed_date.c - feed_date_parse: a table of date strings as feeds write
 * them, each with its expected UTC value (NULL: no date), plus properties
 * (round trip through RFC 3339, bounded input, no reads past len). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/time.h"
#include "feed/feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dcase {
	const char *in;
	const char *want; /* RFC 3339 UTC, or NULL for TD_TIME_NONE */
};

#define X "2024-01-06T01:10:00Z"

static const struct dcase cases[] = {
	/* ---- RFC 822 / 1123 / 2822 ---- */
	{ "Sat, 06 Jan 2024 01:10:00 +0000", X },
	{ "Sat, 06 Jan 2024 01:10:00 GMT", X },
	{ "Sat, 06 Jan 2024 01:10:00 UT", X },
	{ "Sat, 06 Jan 2024 01:10:00 UTC", X },
	{ "Sat, 06 Jan 2024 01:10:00 Z", X },
	{ "Sat, 6 Jan 2024 01:10:00 GMT", X },
	{ "06 Jan 2024 01:10:00 GMT", X },
	{ "6 Jan 2024 01:10:00 +0000", X },
	{ "Sat, 06 Jan 2024 01:10 GMT", X },
	{ "Sat, 06 Jan 2024 01:10:00", X },
	{ "Sat, 06 Jan 2024 01:10:00 -0000", X },
	{ "Fri, 05 Jan 2024 20:10:00 -0500", X },
	{ "Sat, 06 Jan 2024 02:10:00 +0100", X },
	{ "Sat, 06 Jan 2024 06:40:00 +0530", X },
	{ "Fri, 05 Jan 2024 23:25:00 -0145", X },
	{ "Sat, 06 Jan 2024 02:10:00 +01:00", X },
	{ "Fri, 05 Jan 2024 20:10:00 EST", X },
	{ "Fri, 05 Jan 2024 21:10:00 EDT", X },
	{ "Fri, 05 Jan 2024 19:10:00 CST", X },
	{ "Fri, 05 Jan 2024 20:10:00 CDT", X },
	{ "Fri, 05 Jan 2024 18:10:00 MST", X },
	{ "Fri, 05 Jan 2024 19:10:00 MDT", X },
	{ "Fri, 05 Jan 2024 17:10:00 PST", X },
	{ "Fri, 05 Jan 2024 18:10:00 PDT", X },
	{ "Sat, 06 Jan 2024 02:10:00 CET", X },
	{ "Sat, 06 Jan 2024 03:10:00 CEST", X },
	{ "Sat, 06 Jan 2024 02:10:00 BST", X },
	{ "Sat, 06 Jan 2024 06:40:00 IST", X },
	{ "Sat, 06 Jan 2024 10:10:00 JST", X },
	{ "Sat, 06 Jan 2024 11:10:00 AEST", X },
	{ "Sat, 06 Jan 2024 12:10:00 AEDT", X },
	{ "Sat, 06 Jan 2024 04:10:00 MSK", X },
	{ "Sat, 06 Jan 2024 02:10:00 MEZ", X },
	{ "Sat, 06 Jan 2024 03:10:00 EET", X },
	{ "Sat, 06 Jan 2024 03:10:00 GMT+2", X },
	{ "Fri, 05 Jan 2024 20:10:00 UTC-05:00", X },
	{ "Sat, 06 Jan 2024 02:10:00 GMT+0100", X },
	{ "Sat, 06 Jan 2024 06:40:00 UTC+5:30", X },
	{ "Sat, 06 Jan 2024 01:10:00 A", X },  /* military: no information */
	{ "Sat, 06 Jan 2024 01:10:00 N", X },
	{ "Sat, 06 Jan 2024 01:10:00 Y", X },
	{ "Sat, 06 Jan 2024 01:10:00 XYZT", X }, /* unknown zone: UTC */
	{ "Sat, 06 Jan 2024 01:10:00 +0000 (UTC)", X },
	{ "Sat, 06 Jan 2024 02:10:00 +0100 (CET)", X },
	{ "Sat, 06 Jan 2024 02:10:00 (a (nested) comment) +0100", X },
	{ "  Sat,   06   Jan   2024   01:10:00   GMT  ", X },
	{ "Sat,, 06 Jan 2024, 01:10:00 GMT", X },
	{ "\tSat, 06 Jan 2024 01:10:00 GMT\r\n", X },
	{ "Mon, 06 Jan 2024 01:10:00 GMT", X }, /* wrong weekday: ignored */
	{ "Saturday, 06 January 2024 01:10:00 GMT", X },
	{ "SAT, 06 JAN 2024 01:10:00 GMT", X },
	{ "sat, 06 jan 2024 01:10:00 gmt", X },
	{ "Sat, 06 Jan 24 01:10:00 GMT", X },         /* 2-digit year */
	{ "Tue, 06 Jan 70 01:10:00 GMT", "1970-01-06T01:10:00Z" },
	{ "Wed, 06 Jan 99 01:10:00 GMT", "1999-01-06T01:10:00Z" },
	{ "Sat, 06 Jan 49 01:10:00 GMT", "2049-01-06T01:10:00Z" },
	{ "Tue, 06 Jan 50 01:10:00 GMT", "1950-01-06T01:10:00Z" },
	{ "Sat, 06 Jan 00 01:10:00 GMT", "2000-01-06T01:10:00Z" },
	{ "Tue, 06 Jan 104 01:10:00 GMT", "2004-01-06T01:10:00Z" },
	{ "Sat, 06 Jan 2024", "2024-01-06T00:00:00Z" },
	{ "06 Jan 2024", "2024-01-06T00:00:00Z" },
	{ "Sat, 06 Jan 2024 01:10:00 +0000 GMT", X },
	{ "Sat, 06 Jan 2024 01:10:00 GMT +0000", X },
	{ "Sat, 06 Sep 2024 01:10:00 GMT", "2024-09-06T01:10:00Z" },
	{ "Sat, 06 Sept 2024 01:10:00 GMT", "2024-09-06T01:10:00Z" },
	{ "Sat, 06 Jan. 2024 01:10:00 GMT", X },
	{ "Thu, 29 Feb 2024 12:00:00 GMT", "2024-02-29T12:00:00Z" },
	{ "Sat, 31 Dec 2016 23:59:60 GMT", "2016-12-31T23:59:59Z" },
	{ "Sun, 31 Dec 2023 23:30:00 -0200", "2024-01-01T01:30:00Z" },
	{ "Sat, 06 Jan 2024 01:10:00.250 GMT", X },
	{ "Sat, 06-Jan-2024 01:10:00 GMT", X }, /* cookie style */
	{ "06-Jan-24 01:10:00", X },
	/* ---- asctime and JavaScript ---- */
	{ "Sat Jan  6 01:10:00 2024", X },
	{ "Sat Jan 06 01:10:00 2024", X },
	{ "Sat Jan  6 01:10:00 UTC 2024", X },
	{ "Sat Jan 06 2024 02:10:00 GMT+0100 (Central European Standard Time)",
	  X },
	{ "Fri Jan 05 2024 20:10:00 GMT-0500 (Eastern Standard Time)", X },
	/* ---- RFC 3339 / ISO 8601 / W3C-DTF ---- */
	{ "2024-01-06T01:10:00Z", X },
	{ "2024-01-06t01:10:00z", X },
	{ "2024-01-06T01:10:00+00:00", X },
	{ "2024-01-06T01:10:00-00:00", X },
	{ "2024-01-06T02:10:00+01:00", X },
	{ "2024-01-06T02:10:00+0100", X },
	{ "2024-01-06T02:10:00+01", X },
	{ "2024-01-05T20:10:00-05:00", X },
	{ "2024-01-06T06:40:00+05:30", X },
	{ "2024-01-06T01:10:00.123Z", X },
	{ "2024-01-06T01:10:00.123456789Z", X },
	{ "2024-01-06T01:10:00,5Z", X },
	{ "2024-01-06T02:10:00.000+01:00", X },
	{ "2024-01-06T01:10Z", X },
	{ "2024-01-06T02:10+01:00", X },
	{ "2024-01-06T01:10:00", X },
	{ "2024-01-06T01:10", X },
	{ "2024-01-06T01Z", "2024-01-06T01:00:00Z" },
	{ "2024-01-06 01:10:00", X },
	{ "2024-01-06 01:10:00Z", X },
	{ "2024-01-06 01:10:00 +0000", X },
	{ "2024-01-06 02:10:00 +01:00", X },
	{ "2024-01-06 01:10:00 UTC", X },
	{ "2024-01-06 02:10:00 CET", X },
	{ "2024-01-06 1:10:00", X },
	{ "2024-01-06  01:10:00", X },
	{ "2024-01-06 01:10:00.000000", X },
	{ "2024-01-06T01:10:00Z (Saturday)", X },
	{ "2024-01-06", "2024-01-06T00:00:00Z" },
	{ "2024-01", "2024-01-01T00:00:00Z" },
	{ "2024", "2024-01-01T00:00:00Z" },
	{ "2024-1-6", "2024-01-06T00:00:00Z" },
	{ "20240106", "2024-01-06T00:00:00Z" },
	{ "20240106T011000Z", X },
	{ "20240106T0110Z", X },
	{ "20240106T021000+0100", X },
	{ "2024-01-06T011000Z", X },
	{ "2024-006", "2024-01-06T00:00:00Z" },
	{ "2024006", "2024-01-06T00:00:00Z" },
	{ "2024-366", "2024-12-31T00:00:00Z" },
	{ "2024-W01-6", "2024-01-06T00:00:00Z" },
	{ "2024W016", "2024-01-06T00:00:00Z" },
	{ "2024-W01", "2024-01-01T00:00:00Z" },
	{ "2020-W53-5", "2021-01-01T00:00:00Z" },
	{ "2009-W01-1", "2008-12-29T00:00:00Z" },
	{ "2024-W01-6T01:10:00Z", X },
	{ "2024-01-05T24:00:00Z", "2024-01-06T00:00:00Z" },
	{ "2016-12-31T23:59:60Z", "2016-12-31T23:59:59Z" },
	{ "2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z" },
	{ "2000-02-29", "2000-02-29T00:00:00Z" },
	{ "1900-01-01T00:00:00Z", "1900-01-01T00:00:00Z" },
	{ "2200-12-31T23:59:59Z", "2200-12-31T23:59:59Z" },
	{ "1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z" },
	{ "2024-01-06T01:10:00Z ", X },
	/* ---- numeric dates ---- */
	{ "2024/01/06", "2024-01-06T00:00:00Z" },
	{ "2024/01/06 01:10:00", X },
	{ "2024.01.06", "2024-01-06T00:00:00Z" },
	{ "06.01.2024", "2024-01-06T00:00:00Z" },
	{ "06.01.2024 01:10", X },
	{ "6.1.2024, 01:10 Uhr", X },
	{ "06.01.2024 13.10", "2024-01-06T13:10:00Z" },
	{ "13/01/2024", "2024-01-13T00:00:00Z" },
	{ "01/13/2024", "2024-01-13T00:00:00Z" },
	{ "01/13/2024 1:10 PM", "2024-01-13T13:10:00Z" },
	{ "06/06/2024", "2024-06-06T00:00:00Z" },
	{ "13-01-2024", "2024-01-13T00:00:00Z" },
	{ "31/12/23", "2023-12-31T00:00:00Z" },
	{ "06/01/2024", NULL }, /* June 1st or January 6th? */
	{ "01-06-2024", NULL },
	/* ---- US and other English styles ---- */
	{ "January 6, 2024", "2024-01-06T00:00:00Z" },
	{ "January 6, 2024 1:10 AM", X },
	{ "January 6, 2024 1:10 PM", "2024-01-06T13:10:00Z" },
	{ "January 6, 2024 12:10 AM", "2024-01-06T00:10:00Z" },
	{ "January 6, 2024 12:10 PM", "2024-01-06T12:10:00Z" },
	{ "Jan 6, 2024 1:10pm", "2024-01-06T13:10:00Z" },
	{ "Jan 6, 2024 1:10 p.m.", "2024-01-06T13:10:00Z" },
	{ "Jan 6, 2024 1:10 a.m. EST", "2024-01-06T06:10:00Z" },
	{ "Saturday, January 6th, 2024 at 8:10 PM EST",
	  "2024-01-07T01:10:00Z" },
	{ "January 1st 2024", "2024-01-01T00:00:00Z" },
	{ "2nd January 2024", "2024-01-02T00:00:00Z" },
	{ "3rd Jan 2024", "2024-01-03T00:00:00Z" },
	{ "January 2024", "2024-01-01T00:00:00Z" },
	{ "2024 Jan 6 01:10", X },
	{ "6 Jan 2024 @ 01:10", X },
	{ "06 Jan 2024 01:10:00 +0000", X },
	/* ---- other languages ---- */
	{ "Sa, 06 Jan 2024 01:10:00 +0000", X },
	{ "Samstag, 6. Januar 2024, 01:10 Uhr", X },
	{ "6. März 2024 13:10", "2024-03-06T13:10:00Z" },
	{ "6. Maerz 2024", "2024-03-06T00:00:00Z" },
	{ "Di, 05 Mär 2024 10:00:00 +0100", "2024-03-05T09:00:00Z" },
	{ "Mo, 06 Mai 2024 10:00:00 +0200", "2024-05-06T08:00:00Z" },
	{ "Do, 05 Dez 2024 10:00:00 +0100", "2024-12-05T09:00:00Z" },
	{ "6. Jänner 2024", "2024-01-06T00:00:00Z" },
	{ "sam., 06 janv. 2024 01:10:00 +0000", X },
	{ "mar. 6 févr. 2024", "2024-02-06T00:00:00Z" },
	{ "mardi 6 février 2024 14h30", "2024-02-06T14:30:00Z" },
	{ "1er août 2024", "2024-08-01T00:00:00Z" },
	{ "6 aout 2024", "2024-08-06T00:00:00Z" },
	{ "6 déc. 2024", "2024-12-06T00:00:00Z" },
	{ "6 mars 2024", "2024-03-06T00:00:00Z" },
	{ "sábado, 6 de enero de 2024 01:10", X },
	{ "sáb, 06 ene 2024 01:10:00 +0000", X },
	{ "mié, 06 mar 2024 01:10:00 +0000", "2024-03-06T01:10:00Z" },
	{ "6 de septiembre de 2024", "2024-09-06T00:00:00Z" },
	{ "1º de mayo de 2024", "2024-05-01T00:00:00Z" },
	{ "sab, 06 gen 2024 01:10:00 +0000", X },
	{ "6 giugno 2024", "2024-06-06T00:00:00Z" },
	{ "martedì 6 agosto 2024", "2024-08-06T00:00:00Z" },
	{ "6 dic 2024", "2024-12-06T00:00:00Z" },
	{ "6 de março de 2024 às 10h15", "2024-03-06T10:15:00Z" },
	{ "sex, 06 dez 2024", "2024-12-06T00:00:00Z" },
	{ "terça-feira, 6 de fevereiro de 2024", "2024-02-06T00:00:00Z" },
	{ "za 6 jan 2024 01:10", X },
	{ "6 mei 2024", "2024-05-06T00:00:00Z" },
	{ "6 mrt 2024", "2024-03-06T00:00:00Z" },
	{ "6 okt. 2024", "2024-10-06T00:00:00Z" },
	{ "lördag 6 januari 2024 kl. 01:10", X },
	{ "6 maj 2024", "2024-05-06T00:00:00Z" },
	{ "6. desember 2024", "2024-12-06T00:00:00Z" },
	{ "lørdag 6. januar 2024", "2024-01-06T00:00:00Z" },
	{ "sobota, 6 stycznia 2024 01:10", X },
	{ "6 października 2024", "2024-10-06T00:00:00Z" },
	{ "6 lis 2024", "2024-11-06T00:00:00Z" },
	{ "6. června 2024", "2024-06-06T00:00:00Z" },
	{ "6. července 2024", "2024-07-06T00:00:00Z" },
	{ "so 6. ledna 2024 01:10", X },
	{ "6 января 2024 г., 01:10", X },
	{ "Суббота, 6 Января 2024", "2024-01-06T00:00:00Z" },
	{ "6 мая 2024", "2024-05-06T00:00:00Z" },
	{ "6 сент. 2024", "2024-09-06T00:00:00Z" },
	{ "Сб, 06 янв 2024 01:10:00 +0000", X },
	{ "Σάββατο, 6 Ιανουαρίου 2024", "2024-01-06T00:00:00Z" },
	{ "6 Μαΐου 2024", "2024-05-06T00:00:00Z" },
	{ "Sat,\xC2\xA0" "06\xC2\xA0Jan 2024 01:10:00 GMT", X }, /* NBSP */
	{ "2004-július-13T9:15-05:00", "2004-07-13T14:15:00Z" }, /* Hungarian */
	{ "2024. január 6. 01:10", X },
	{ "szombat, 2024. január 6.", "2024-01-06T00:00:00Z" },
	{ "6 Mart 2024 Çarşamba", "2024-03-06T00:00:00Z" }, /* Turkish */
	{ "06 Ağustos 2024", "2024-08-06T00:00:00Z" },
	{ "Cmt, 06 Oca 2024 01:10:00 +0000", X },
	{ "6. maaliskuuta 2024", "2024-03-06T00:00:00Z" }, /* Finnish */
	{ "lauantai 6. tammikuuta 2024 klo 01.10", X },
	{ "6 marraskuu 2024", "2024-11-06T00:00:00Z" },
	/* Korean, Japanese, Chinese: the words name the zone */
	{ "2004-05-25 오후 11:23:17", "2004-05-25T14:23:17Z" },
	{ "2004년 05월 28일  01:31:15", "2004-05-27T16:31:15Z" },
	{ "2024년 1월 6일 토요일", "2024-01-05T15:00:00Z" },
	{ "2024年1月6日 10時10分", "2024-01-06T10:10:00Z" },
	{ "2024年01月06日(土) 01:10", X },
	{ "2024年1月6日 午後1:10", "2024-01-06T04:10:00Z" },
	{ "2024年1月6日 星期六 下午1:10", "2024-01-06T05:10:00Z" },
	{ "2024年1月6日 10:10 +0000", "2024-01-06T10:10:00Z" },
	/* feedparser's odd ones */
	{ "Κυρ, 11 Ιούλ 2004 12:00:00 EST", "2004-07-11T17:00:00Z" },
	{ "Fri, 2006/09/15 08:19:53 EDT", "2006-09-15T12:19:53Z" },
	{ "2004-07-08 23:56:58.7", "2004-07-08T23:56:58Z" },
	{ "Thu, 01 Jan 04 19:48:21 GMT", "2004-01-01T19:48:21Z" },
	{ "Thu, 31 Jun 2004 19:48:21 GMT", NULL },
	{ "Thu, 01 Jan 2004 19:48:21 -0800 (PST)", "2004-01-02T03:48:21Z" },
	{ "Sun Jan  4 16:29:06 PST 2004", "2004-01-05T00:29:06Z" },
	{ "Fri, 05 Jan 2024 20:10:00 ET", X },
	{ "Fri, 05 Jan 2024 19:10:00 CT", X },
	{ "Fri, 05 Jan 2024 18:10:00 MT", X },
	{ "Fri, 05 Jan 2024 17:10:00 PT", X },
	{ "Fri, 05 January 2024 21:10:00 AT", X },
	{ "January 6, 2024 at 01:10", X }, /* "at" before a time: a word */
	{ "Sat, 06 Jan 2024 01:10:00 Etc/GMT", X },
	{ "Sat, 06 Jan 2024 01:10:00 Etc/UTC", X },
	{ "2024-001-06T01:10:00+00:00", X }, /* zero-padded month */
	{ "2024-006", "2024-01-06T00:00:00Z" }, /* ordinal date */
	/* ---- Unix time ---- */
	{ "1704503400", X },
	{ "1704503400000", X },
	{ "999999999", "2001-09-09T01:46:39Z" },
	/* ---- not dates, or out of range ---- */
	{ "", NULL },
	{ "   ", NULL },
	{ "yesterday", NULL },
	{ "now", NULL },
	{ "Jan 6", NULL },
	{ "06 Jan", NULL },
	{ "2024-02-30", NULL },
	{ "2023-02-29", NULL },
	{ "Thu, 30 Feb 2024 01:10:00 GMT", NULL },
	{ "2024-13-01", NULL },
	{ "2024-00-10", NULL },
	{ "2024-01-00", NULL },
	{ "2024-01-32", NULL },
	{ "2024-01-06T25:00:00Z", NULL },
	{ "2024-01-06T01:60:00Z", NULL },
	{ "2024-01-06T01:10:61Z", NULL },
	{ "2024-01-06T24:10:00Z", NULL },
	{ "2024-01-06T01:10:00+24:00", NULL },
	{ "Sat, 06 Jan 2024 25:10:00 GMT", NULL },
	{ "Sat, 06 Foo 2024 01:10:00 GMT", NULL },
	{ "Sat, 32 Jan 2024 01:10:00 GMT", NULL },
	{ "January 6, 2024 13:10 PM", NULL },
	{ "2023-W53-1", NULL },
	{ "2024-367", NULL },
	{ "0001-01-01T00:00:00Z", NULL },
	{ "0000-00-00 00:00:00", NULL },
	{ "1899-12-31T23:59:59Z", NULL },
	{ "2201-01-01T00:00:00Z", NULL },
	{ "9999-12-31T23:59:59Z", NULL },
	{ "Sat, 06 Jan 1800 01:10:00 GMT", NULL },
	{ "12345", NULL },
	{ "123456789012", NULL },
	{ "99999999999", NULL },
	{ "2024-01-06T", "2024-01-06T00:00:00Z" }, /* lenient */
	{ "2024-01-06T01:10:00Zjunk", NULL },
	{ "Sat, 06 Jan 2024 01:10:00 GMT the end", NULL },
	{ "06 Jan 2024 2025", NULL },
	{ "Jan Feb 2024", NULL },
	{ "Sat, 06 Jan 2024 01:10:00 +0000 +0100", NULL },
	{ "01:10:00", NULL },
	{ "6 juin juil 2024", NULL },
	{ "6 jui 2024", NULL }, /* juin or juillet? */
	{ "6 ma 2024", NULL },
};

static const char *fmt(int64_t t, char buf[32])
{
	if (t == TD_TIME_NONE)
		snprintf(buf, 32, "(none)");
	else
		td_time_rfc3339(t, buf);
	return buf;
}

static void test_table(void **state)
{
	(void)state;
	size_t n = sizeof cases / sizeof cases[0], bad = 0;
	for (size_t i = 0; i < n; i++) {
		/* a copy without NUL, so reading past len shows under ASan */
		size_t len = strlen(cases[i].in);
		char *copy = malloc(len ? len : 1);
		assert_non_null(copy);
		memcpy(copy, cases[i].in, len);
		int64_t t = feed_date_parse(copy, len);
		free(copy);
		char got[32], want[32];
		const char *w = cases[i].want ? cases[i].want : "(none)";
		fmt(t, got);
		snprintf(want, sizeof want, "%s", w);
		if (strcmp(got, want)) {
			print_error("case %zu: \"%s\": got %s, want %s\n", i,
				    cases[i].in, got, want);
			bad++;
		}
	}
	print_message("%zu date cases\n", n);
	assert_int_equal(bad, 0);
}

/* Every accepted date formatted as RFC 3339 parses back to itself. */
static void test_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t t = feed_date_parse(cases[i].in, strlen(cases[i].in));
		if (t == TD_TIME_NONE)
			continue;
		char b[32];
		td_time_rfc3339(t, b);
		assert_int_equal(feed_date_parse(b, strlen(b)), t);
	}
	/* every day from 1900 to 2200 at a few times of day */
	for (int64_t t = -2208988800LL; t <= 7289654399LL;
	     t += 86400 * 7 + 3671) {
		char b[32];
		td_time_rfc3339(t, b);
		assert_int_equal(feed_date_parse(b, strlen(b)), t);
		td_time_rfc1123(t, b);
		assert_int_equal(feed_date_parse(b, strlen(b)), t);
	}
}

/* The RFC 822 fast path agrees with the general parser: a trailing comment
 * sends the same string down the general path. */
static void test_fast_path(void **state)
{
	(void)state;
	static const char *const wd[] = { "", "Sat, ", "sun, ", "MON, " };
	static const char *const mon[] = { "Jan", "feb", "MAR", "Apr", "May",
					   "Jun", "Jul", "Aug", "Sep", "Oct",
					   "Nov", "Dec" };
	static const char *const zone[] = { "",      " +0000", " -0530",
					    " +2359", " GMT",  " ut",
					    " UTC",  " Z",     " +2400",
					    " -0060", " EST",  " +01:00" };
	static const char *const tm[] = { "00:00", "23:59:59", "12:30:60",
					  "24:00:00", "1:10:00", "07:05:09" };
	static const int days[] = { 0, 1, 9, 28, 29, 30, 31, 32 };
	static const int years[] = { 1899, 1900, 2000, 2023, 2024, 2200, 2201 };
	size_t n = 0;
	for (size_t a = 0; a < sizeof wd / sizeof wd[0]; a++)
	for (size_t b = 0; b < sizeof days / sizeof days[0]; b++)
	for (size_t c = 0; c < 12; c++)
	for (size_t y = 0; y < sizeof years / sizeof years[0]; y++)
	for (size_t t = 0; t < sizeof tm / sizeof tm[0]; t++)
	for (size_t z = 0; z < sizeof zone / sizeof zone[0]; z++) {
		char s[96], s2[112];
		snprintf(s, sizeof s, "%s%s%d %s %d %s%s", wd[a],
			 b & 1 ? "0" : "", days[b], mon[c], years[y], tm[t],
			 zone[z]);
		snprintf(s2, sizeof s2, "%s (c)", s);
		int64_t t1 = feed_date_parse(s, strlen(s));
		int64_t t2 = feed_date_parse(s2, strlen(s2));
		if (t1 != t2)
			print_error("\"%s\": %lld vs %lld\n", s, (long long)t1,
				    (long long)t2);
		assert_true(t1 == t2);
		n++;
	}
	print_message("%zu RFC 822 strings agree\n", n);
}

/* len is honoured: bytes after it are not looked at. */
static void test_len(void **state)
{
	(void)state;
	const char *s = "2024-01-06T01:10:00Zjunk";
	assert_int_equal(feed_date_parse(s, 20), 1704503400);
	assert_int_equal(feed_date_parse(s, 10), 1704499200);
	assert_true(feed_date_parse(s, 0) == TD_TIME_NONE);
	assert_true(feed_date_parse(NULL, 0) == TD_TIME_NONE);
	/* NUL bytes inside are not skipped */
	assert_true(feed_date_parse("2024-01-06\0x", 12) == TD_TIME_NONE);
}

/* Long or hostile strings: bounded, never a date by accident. */
static void test_hostile(void **state)
{
	(void)state;
	size_t n = 1 << 20;
	char *s = malloc(n);
	assert_non_null(s);
	memset(s, '(', n);
	assert_true(feed_date_parse(s, n) == TD_TIME_NONE);
	memset(s, ' ', n);
	memcpy(s + n / 2, "2024-01-06", 10);
	assert_int_equal(feed_date_parse(s, n), 1704499200); /* trimmed */
	memset(s, 'x', n);
	memcpy(s + n / 2, "2024-01-06", 10);
	assert_true(feed_date_parse(s, n) == TD_TIME_NONE); /* > 256 bytes */
	memset(s, '9', 300);
	assert_true(feed_date_parse(s, 300) == TD_TIME_NONE);
	assert_true(feed_date_parse(s, 40) == TD_TIME_NONE);
	memset(s, 0xFF, 64);
	assert_true(feed_date_parse(s, 64) == TD_TIME_NONE);
	/* truncated UTF-8 in a month name */
	assert_true(feed_date_parse("6 M\xC3", 5) == TD_TIME_NONE);
	assert_true(feed_date_parse("6 \xD0\xBC\xD0", 5) == TD_TIME_NONE);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_fast_path),
		cmocka_unit_test(test_len),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
