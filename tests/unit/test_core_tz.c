/*
 * test_core_tz.c - time zones (core/tz.h): the C library is the reference.
 *
 * In this test process only, setenv("TZ") + tzset() + localtime_r() gives
 * the expected answer; td_tz_local must agree on every field (tm_gmtoff,
 * tm_isdst and tm_zone included) at random instants in 1900-2100, at every
 * day in that range, at the exact seconds around every change either side
 * finds, and for zone files built here with footer rules only. Files are
 * read from /usr/share/zoneinfo (Debian's tzdata); tests that need it skip
 * when it is missing.
 */
/* cmocka.h needs these first */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "core/buf.h"
#include "core/err.h"
#include "core/tz.h"

#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ZI "/usr/share/zoneinfo"
#define Y1900 (-2208988800LL)
#define Y2101 (4133980800LL)

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int64_t rnd_range(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rnd() % (uint64_t)(hi - lo));
}

static int have_zoneinfo(void)
{
	return access(ZI "/Europe/Berlin", R_OK) == 0;
}

#define NEED_ZONEINFO()                                                        \
	do {                                                                   \
		if (!have_zoneinfo())                                          \
			skip();                                                \
	} while (0)

static struct td_tz *load(const char *name)
{
	struct td_tz *tz = NULL;
	struct td_error e = {0};
	int rc = td_tz_load(name, &tz, &e);
	if (rc)
		print_error("td_tz_load(%s): %d %s\n", name, rc, e.msg);
	assert_int_equal(rc, 0);
	assert_non_null(tz);
	return tz;
}

static char *slurp(const char *path, size_t *len)
{
	char *p = NULL;
	assert_int_equal(td_read_file(path, 1 << 20, &p, len, NULL), 0);
	return p;
}

/* ---- comparing with the C library ------------------------------------- */

struct cmp {
	long checks, bad;
};

static void libc_zone(const char *tzvalue)
{
	assert_int_equal(setenv("TZ", tzvalue, 1), 0);
	tzset();
}

static void show(const char *who, const struct tm *t)
{
	print_error("  %s %d-%02d-%02d %02d:%02d:%02d wd%d yd%d off %ld dst %d "
		    "%s\n",
		    who, t->tm_year + 1900, t->tm_mon + 1, t->tm_mday,
		    t->tm_hour, t->tm_min, t->tm_sec, t->tm_wday, t->tm_yday,
		    t->tm_gmtoff, t->tm_isdst, t->tm_zone ? t->tm_zone : "-");
}

/* Compare td_tz_local with localtime_r (under the current TZ) at t. */
static void check_at(struct cmp *c, const struct td_tz *tz, int64_t t)
{
	struct tm a, b;
	time_t tt = (time_t)t;
	td_tz_local(tz, t, &a);
	if (!localtime_r(&tt, &b))
		return;
	c->checks++;
	if (a.tm_year == b.tm_year && a.tm_mon == b.tm_mon &&
	    a.tm_mday == b.tm_mday && a.tm_hour == b.tm_hour &&
	    a.tm_min == b.tm_min && a.tm_sec == b.tm_sec &&
	    a.tm_wday == b.tm_wday && a.tm_yday == b.tm_yday &&
	    a.tm_gmtoff == b.tm_gmtoff && a.tm_isdst == (b.tm_isdst > 0) &&
	    a.tm_zone && b.tm_zone && !strcmp(a.tm_zone, b.tm_zone))
		return;
	if (c->bad++ < 5) {
		print_error("%s at %lld:\n", td_tz_name(tz), (long long)t);
		show("ours", &a);
		show("libc", &b);
	}
}

struct state {
	long off;
	int dst;
	char abbr[40];
};

static void our_state(const struct td_tz *tz, int64_t t, struct state *s)
{
	const char *a;
	s->off = td_tz_offset(tz, t, &s->dst, &a);
	snprintf(s->abbr, sizeof s->abbr, "%s", a);
}

static void libc_state(const struct td_tz *tz, int64_t t, struct state *s)
{
	struct tm b;
	time_t tt = (time_t)t;
	(void)tz;
	if (!localtime_r(&tt, &b)) {
		memset(s, 0, sizeof *s);
		return;
	}
	s->off = b.tm_gmtoff;
	s->dst = b.tm_isdst > 0;
	snprintf(s->abbr, sizeof s->abbr, "%s", b.tm_zone ? b.tm_zone : "");
}

static int same(const struct state *a, const struct state *b)
{
	return a->off == b->off && a->dst == b->dst &&
	       !strcmp(a->abbr, b->abbr);
}

typedef void (*state_fn)(const struct td_tz *, int64_t, struct state *);

/* First second in (lo, hi] whose state differs from lo's. */
static int64_t bisect(state_fn f, const struct td_tz *tz, int64_t lo,
		      int64_t hi)
{
	struct state s0, s;
	f(tz, lo, &s0);
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;
		f(tz, mid, &s);
		if (same(&s, &s0))
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

static void check_around(struct cmp *c, const struct td_tz *tz, int64_t t)
{
	for (int64_t d = -2; d <= 2; d++)
		check_at(c, tz, t + d);
}

/* Step through [from, to]; compare at each step, and where either side
 * changes state, find the exact second and compare around it. Returns the
 * number of changes found. */
static long scan(struct cmp *c, const struct td_tz *tz, int64_t from,
		 int64_t to, int64_t step)
{
	struct state po, pl, so, sl;
	long changes = 0;
	our_state(tz, from, &po);
	libc_state(tz, from, &pl);
	for (int64_t t = from + step; t <= to; t += step) {
		check_at(c, tz, t);
		our_state(tz, t, &so);
		libc_state(tz, t, &sl);
		if (!same(&so, &po)) {
			check_around(c, tz, bisect(our_state, tz, t - step, t));
			changes++;
		}
		if (!same(&sl, &pl))
			check_around(c, tz,
				     bisect(libc_state, tz, t - step, t));
		po = so;
		pl = sl;
	}
	return changes;
}

/* The whole comparison for one zone, TZ already set for the C library. */
static void compare_zone(const struct td_tz *tz, struct cmp *c)
{
	const int64_t *tr;
	size_t n = td_tz_transitions(tz, &tr);
	for (size_t i = 0; i < n; i++)
		if (tr[i] > -5000000000LL && tr[i] < 16000000000LL)
			check_around(c, tz, tr[i]);
	for (int i = 0; i < 3000; i++)
		check_at(c, tz, rnd_range(Y1900, Y2101));
	/* daily over 1900-2100 at a varying second of the day */
	scan(c, tz, Y1900 + (int64_t)(rnd() % 86400), Y2101, 86400);
}

static const char *const zones[] = {
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Africa/Casablanca",
    "Europe/Dublin",
    "Pacific/Apia",
    "America/Nuuk",
    "Asia/Jerusalem",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Antarctica/Troll",
    "Europe/London",
    "America/Los_Angeles",
    "Asia/Tehran",
    "Africa/Cairo",
    "America/Havana",
    "America/St_Johns",
    "Europe/Moscow",
    "Pacific/Kiritimati",
    "America/Asuncion",
    "Etc/GMT+12",
    "Etc/GMT-14",
    "Asia/Tokyo",
    "Europe/Lisbon",
    "America/Caracas",
    "Pacific/Honolulu",
    "GMT",
    "Factory",
};

static void test_zones_match_libc(void **state)
{
	(void)state;
	NEED_ZONEINFO();
	struct cmp c = {0};
	int tested = 0;
	char tzv[256];
	for (size_t i = 0; i < sizeof zones / sizeof *zones; i++) {
		snprintf(tzv, sizeof tzv, "%s/%s", ZI, zones[i]);
		if (access(tzv, R_OK) != 0)
			continue; /* older tzdata */
		struct td_tz *tz = load(zones[i]);
		assert_string_equal(td_tz_name(tz), zones[i]);
		snprintf(tzv, sizeof tzv, ":%s/%s", ZI, zones[i]);
		libc_zone(tzv);
		long before = c.bad;
		compare_zone(tz, &c);
		if (c.bad != before)
			print_error("%s: %ld mismatches\n", zones[i],
				    c.bad - before);
		td_tz_free(tz);
		tested++;
	}
	print_message("zones: %d zones, %ld instants compared\n", tested,
		      c.checks);
	assert_true(tested >= 25);
	assert_int_equal(c.bad, 0);
}

/* Every zone file tzdata installs (posix/ and right/ aside): around each
 * transition, at random instants, and through the footer rule's years. */
static long every_zone_files, every_zone_skipped;

static void walk_zones(struct cmp *c, const char *rel, int depth)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", ZI, rel);
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		char sub[256], full[512];
		if (e->d_name[0] == '.' ||
		    (!*rel && (!strcmp(e->d_name, "posix") ||
			       !strcmp(e->d_name, "right"))))
			continue;
		if (snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "",
			     e->d_name) >= (int)sizeof sub ||
		    snprintf(full, sizeof full, "%s/%s", ZI, sub) >=
			(int)sizeof full)
			continue;
		struct stat st;
		if (stat(full, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth < 3)
				walk_zones(c, sub, depth + 1);
			continue;
		}
		char magic[4] = {0};
		FILE *f = fopen(full, "rb");
		if (!f)
			continue;
		size_t got = fread(magic, 1, 4, f);
		fclose(f);
		if (got != 4 || memcmp(magic, "TZif", 4)) {
			every_zone_skipped++;
			continue;
		}
		struct td_tz *tz = load(sub);
		char tzv[600];
		snprintf(tzv, sizeof tzv, ":%s", full);
		libc_zone(tzv);
		long before = c->bad;
		const int64_t *tr;
		size_t n = td_tz_transitions(tz, &tr);
		for (size_t i = 0; i < n; i++)
			if (tr[i] > -5000000000LL && tr[i] < 16000000000LL)
				check_around(c, tz, tr[i]);
		for (int i = 0; i < 100; i++)
			check_at(c, tz, rnd_range(Y1900, Y2101));
		scan(c, tz, 2114380800 + (int64_t)(rnd() % 86400), Y2101,
		     7 * 86400);
		if (c->bad != before)
			print_error("%s: %ld mismatches\n", sub,
				    c->bad - before);
		td_tz_free(tz);
		every_zone_files++;
	}
	closedir(d);
}

static void test_every_zone_matches_libc(void **state)
{
	(void)state;
	NEED_ZONEINFO();
	struct cmp c = {0};
	walk_zones(&c, "", 0);
	print_message("every zone: %ld files, %ld instants compared\n",
		      every_zone_files, c.checks);
	assert_true(every_zone_files >= 300);
	assert_int_equal(c.bad, 0);
}

/* Spot checks written out by hand, independent of the C library. */
static void test_known_instants(void **state)
{
	(void)state;
	NEED_ZONEINFO();
	struct {
		const char *zone;
		int64_t t;
		int32_t off;
		int dst;
		const char *abbr;
	} k[] = {
	    /* Berlin, spring forward 2024-03-31 01:00Z */
	    {"Europe/Berlin", 1711846799, 3600, 0, "CET"},
	    {"Europe/Berlin", 1711846800, 7200, 1, "CEST"},
	    /* fall back 2024-10-27 01:00Z */
	    {"Europe/Berlin", 1729990799, 7200, 1, "CEST"},
	    {"Europe/Berlin", 1729990800, 3600, 0, "CET"},
	    /* beyond the table: footer rule, 2100-03-28 01:00Z */
	    {"Europe/Berlin", 4109878799, 3600, 0, "CET"},
	    {"Europe/Berlin", 4109878800, 7200, 1, "CEST"},
	    {"America/New_York", 1710054000, -4 * 3600, 1, "EDT"},
	    {"America/New_York", 1710053999, -5 * 3600, 0, "EST"},
	    {"Asia/Kathmandu", 1700000000, 5 * 3600 + 45 * 60, 0, "+0545"},
	    {"Asia/Kolkata", 0, 19800, 0, "IST"},
	    /* Dublin: winter time is the DST of its data */
	    {"Europe/Dublin", 1704067200, 0, 1, "GMT"},
	    {"Europe/Dublin", 1719792000, 3600, 0, "IST"},
	    /* Apia skipped 2011-12-30: 09:59:59Z was 29th 23:59:59 -10 */
	    {"Pacific/Apia", 1325239199, -10 * 3600, 1, "-10"},
	    {"Pacific/Apia", 1325239200, 14 * 3600, 1, "+14"},
	    /* Chatham 2024-09-29 02:45 local = 28th 14:00Z */
	    {"Pacific/Chatham", 1727532000, 13 * 3600 + 45 * 60, 1, "+1345"},
	    {"Pacific/Chatham", 1727531999, 12 * 3600 + 45 * 60, 0, "+1245"},
	};
	for (size_t i = 0; i < sizeof k / sizeof *k; i++) {
		struct td_tz *tz = load(k[i].zone);
		int dst = -1;
		const char *abbr = NULL;
		int32_t off = td_tz_offset(tz, k[i].t, &dst, &abbr);
		if (off != k[i].off || dst != k[i].dst ||
		    strcmp(abbr, k[i].abbr))
			print_error("%s %lld: %d %d %s\n", k[i].zone,
				    (long long)k[i].t, off, dst, abbr);
		assert_int_equal(off, k[i].off);
		assert_int_equal(dst, k[i].dst);
		assert_string_equal(abbr, k[i].abbr);
		assert_int_equal(td_tz_offset(tz, k[i].t, NULL, NULL), off);
		td_tz_free(tz);
	}
}

static void test_strftime(void **state)
{
	(void)state;
	NEED_ZONEINFO();
	struct td_tz *tz = load("Asia/Kathmandu");
	struct tm tm;
	char b[64];
	td_tz_local(tz, 1704503400, &tm); /* 2024-01-06T01:10:00Z */
	strftime(b, sizeof b, "%d-%m-%Y %H:%M %z %Z %a %j", &tm);
	assert_string_equal(b, "06-01-2024 06:55 +0545 +0545 Sat 006");
	td_tz_free(tz);
	tz = load("America/Sao_Paulo");
	td_tz_local(tz, 1704503400, &tm);
	strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S%z %Z", &tm);
	assert_string_equal(b, "2024-01-05T22:10:00-0300 -03");
	td_tz_free(tz);
}

/* ---- UTC and the calendar --------------------------------------------- */

static void test_utc_no_files(void **state)
{
	(void)state;
	const char *names[] = {"UTC", "Etc/UTC", "", NULL};
	assert_int_equal(setenv("TZDIR", "/nonexistent/zoneinfo", 1), 0);
	for (size_t i = 0; i < 4; i++) {
		struct td_tz *tz = NULL;
		struct td_error e = {0};
		assert_int_equal(td_tz_load(names[i], &tz, &e), 0);
		assert_non_null(tz);
		assert_string_equal(td_tz_name(tz), "UTC");
		int dst = -1;
		const char *abbr = NULL;
		assert_int_equal(td_tz_offset(tz, 1704503400, &dst, &abbr), 0);
		assert_int_equal(dst, 0);
		assert_string_equal(abbr, "UTC");
		td_tz_free(tz);
		td_tz_free(tz); /* the built-in one: a no-op */
	}
	/* a real name needs the (missing) directory */
	struct td_tz *tz = NULL;
	struct td_error e = {0};
	assert_int_equal(td_tz_load("Europe/Berlin", &tz, &e), TD_ENOTFOUND);
	assert_null(tz);
	assert_string_equal(e.msg, "unknown time zone \"Europe/Berlin\"");
	unsetenv("TZDIR");

	struct tm tm;
	td_tz_local(NULL, 1704503400, &tm);
	assert_int_equal(tm.tm_year, 124);
	assert_int_equal(tm.tm_mon, 0);
	assert_int_equal(tm.tm_mday, 6);
	assert_int_equal(tm.tm_hour, 1);
	assert_int_equal(tm.tm_min, 10);
	assert_int_equal(tm.tm_sec, 0);
	assert_int_equal(tm.tm_wday, 6);
	assert_int_equal(tm.tm_yday, 5);
	assert_int_equal(tm.tm_isdst, 0);
	assert_int_equal(tm.tm_gmtoff, 0);
	assert_string_equal(tm.tm_zone, "UTC");
	assert_string_equal(td_tz_name(NULL), "UTC");
	assert_int_equal(td_tz_transitions(NULL, NULL), 0);
	td_tz_free(NULL);
}

static int tm_equal(const struct tm *a, const struct tm *b)
{
	return a->tm_year == b->tm_year && a->tm_mon == b->tm_mon &&
	       a->tm_mday == b->tm_mday && a->tm_hour == b->tm_hour &&
	       a->tm_min == b->tm_min && a->tm_sec == b->tm_sec &&
	       a->tm_wday == b->tm_wday && a->tm_yday == b->tm_yday;
}

static void check_gm(int64_t t, long *n)
{
	struct tm a, b;
	time_t tt = (time_t)t;
	td_tz_local(NULL, t, &a);
	assert_non_null(gmtime_r(&tt, &b));
	if (!tm_equal(&a, &b)) {
		print_error("UTC at %lld\n", (long long)t);
		show("ours", &a);
		show("libc", &b);
		fail();
	}
	(*n)++;
}

/* Days-to-civil over the whole range a struct tm can hold, with gmtime_r
 * as the reference, and clamping beyond it. */
static void test_civil_whole_range(void **state)
{
	(void)state;
	/* first and last second with tm_year in int range */
	const int64_t lo = -67768040609740800LL, hi = 67768036191676799LL;
	struct tm a, b;
	time_t tt;
	long n = 0;
	check_gm(lo, &n);
	check_gm(hi, &n);
	tt = (time_t)(hi + 1);
	assert_null(gmtime_r(&tt, &b)); /* the library agrees on the edges */
	tt = (time_t)(lo - 1);
	assert_null(gmtime_r(&tt, &b));
	for (int64_t t = -86400 * 3; t < 86400 * 3; t += 3599)
		check_gm(t, &n);
	for (int i = 0; i < 200000; i++)
		check_gm(rnd_range(Y1900 - 86400LL * 365 * 2000,
				   Y2101 + 86400LL * 365 * 8000),
			 &n);
	for (int i = 0; i < 200000; i++)
		check_gm(rnd_range(lo, hi), &n);
	/* around every 400-, 100- and 4-year boundary near the epoch */
	for (int64_t y = -2000; y <= 3000; y += 4) {
		int64_t t = ((y - 1970) * 36524225LL / 100000) * 86400;
		for (int64_t d = -3; d <= 3; d++)
			check_gm(t + d * 86400, &n);
	}
	print_message("civil: %ld instants compared\n", n);

	td_tz_local(NULL, INT64_MAX, &a);
	assert_int_equal(a.tm_year, INT_MAX);
	assert_int_equal(a.tm_mon, 11);
	assert_int_equal(a.tm_mday, 31);
	assert_int_equal(a.tm_hour, 23);
	assert_int_equal(a.tm_min, 59);
	assert_int_equal(a.tm_sec, 59);
	td_tz_local(NULL, hi + 1, &b);
	assert_true(tm_equal(&a, &b));
	td_tz_local(NULL, INT64_MIN, &a);
	assert_int_equal(a.tm_year, INT_MIN);
	assert_int_equal(a.tm_mon, 0);
	assert_int_equal(a.tm_mday, 1);
	assert_int_equal(a.tm_hour, 0);
	assert_int_equal(a.tm_min, 0);
	assert_int_equal(a.tm_sec, 0);
	td_tz_local(NULL, lo - 1, &b);
	assert_true(tm_equal(&a, &b));
}

/* Extreme instants in real zones: no overflow, a sane answer. */
static void test_extremes(void **state)
{
	(void)state;
	NEED_ZONEINFO();
	const int64_t ts[] = {
	    INT64_MIN, INT64_MIN + 1, -(1LL << 59) - 1,	      -(1LL << 59),
	    0,	       INT32_MAX,     (int64_t)INT32_MAX + 1, INT64_MAX - 1,
	    INT64_MAX};
	const char *zs[] = {"Europe/Berlin", "Pacific/Kiritimati", "Etc/GMT+12",
			    "Pacific/Chatham", "Europe/Dublin"};
	for (size_t z = 0; z < 5; z++) {
		struct td_tz *tz = load(zs[z]);
		for (size_t i = 0; i < sizeof ts / sizeof *ts; i++) {
			struct tm tm;
			int32_t off = td_tz_offset(tz, ts[i], NULL, NULL);
			assert_true(off > -26 * 3600 && off < 26 * 3600);
			td_tz_local(tz, ts[i], &tm);
			assert_int_equal(tm.tm_gmtoff, off);
			assert_in_range(tm.tm_mon, 0, 11);
			assert_in_range(tm.tm_mday, 1, 31);
			assert_in_range(tm.tm_hour, 0, 23);
			assert_in_range(tm.tm_wday, 0, 6);
			assert_in_range(tm.tm_yday, 0, 365);
			assert_non_null(tm.tm_zone);
		}
		td_tz_free(tz);
	}
	/* Berlin far in the future: the footer rule, 400-year periodic */
	struct td_tz *tz = load("Europe/Berlin");
	const int64_t cycle = 146097LL * 86400;
	for (int i = 0; i < 20000; i++) {
		int64_t t = rnd_range(Y1900 + 200 * 365LL * 86400, Y2101);
		int64_t k = rnd_range(1, 700000000);
		assert_int_equal(td_tz_offset(tz, t, NULL, NULL),
				 td_tz_offset(tz, t + k * cycle, NULL, NULL));
	}
	td_tz_free(tz);
}

/* ---- names and files -------------------------------------------------- */

static void expect_load_fail(const char *name, int code, const char *msg)
{
	struct td_tz *tz = (struct td_tz *)1;
	struct td_error e = {0};
	int rc = td_tz_load(name, &tz, &e);
	if (rc != code)
		print_error("td_tz_load(%s) = %d (%s)\n", name, rc, e.msg);
	assert_int_equal(rc, code);
	assert_ptr_equal(tz, (struct td_tz *)1);
	assert_int_equal(e.code, code);
	assert_null(strchr(e.msg, '\n'));
	if (msg)
		assert_string_equal(e.msg, msg);
}

static void test_bad_names(void **state)
{
	(void)state;
	char longname[80];
	memset(longname, 'a', 65);
	longname[65] = '\0';
	expect_load_fail("../etc/passwd", TD_EINVAL,
			 "invalid time zone name \"../etc/passwd\"");
	expect_load_fail("/etc/passwd", TD_EINVAL, NULL);
	expect_load_fail("Europe/../../etc/passwd", TD_EINVAL, NULL);
	expect_load_fail("a//b", TD_EINVAL, NULL);
	expect_load_fail("Europe/", TD_EINVAL, NULL);
	expect_load_fail("/", TD_EINVAL, NULL);
	expect_load_fail(".", TD_EINVAL, NULL);
	expect_load_fail("Europe/Berlin ", TD_EINVAL, NULL);
	expect_load_fail("Europe/Berlin\n", TD_EINVAL,
			 "invalid time zone name \"Europe/Berlin?\"");
	expect_load_fail("Europe\\Berlin", TD_EINVAL, NULL);
	expect_load_fail("Eur\"ope", TD_EINVAL,
			 "invalid time zone name \"Eur?ope\"");
	expect_load_fail("Europe/Berlin:x", TD_EINVAL, NULL);
	expect_load_fail(longname, TD_EINVAL, NULL);
	expect_load_fail("UTC\xc3\xa9", TD_EINVAL, NULL);

	if (!have_zoneinfo())
		skip();
	unsetenv("TZDIR");
	longname[64] = '\0'; /* valid, but no such zone */
	expect_load_fail(longname, TD_ENOTFOUND, NULL);
	expect_load_fail("Mars/Olympus_Mons", TD_ENOTFOUND,
			 "unknown time zone \"Mars/Olympus_Mons\"");
	expect_load_fail("Europe", TD_ENOTFOUND, NULL);
	expect_load_fail("Europe/Berlin/x", TD_ENOTFOUND, NULL);
	expect_load_fail("utc", TD_ENOTFOUND, NULL);
	expect_load_fail("zone.tab", TD_EINVAL, NULL);
	/* tzdata's own names with '+', '-', '_' and digits */
	struct td_tz *tz = load("Etc/GMT-14");
	assert_int_equal(td_tz_offset(tz, 0, NULL, NULL), 14 * 3600);
	td_tz_free(tz);
	tz = load("America/Port-au-Prince");
	td_tz_free(tz);
	tz = load("America/Argentina/Buenos_Aires");
	td_tz_free(tz);
}

static char tmpdir[64];

static void write_file(const char *name, const void *p, size_t n)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* ---- building TZif files ---------------------------------------------- */

struct tt {
	int32_t off;
	uint8_t isdst, idx;
};

static void put32(struct td_buf *b, uint32_t v)
{
	unsigned char x[4] = {(unsigned char)(v >> 24),
			      (unsigned char)(v >> 16), (unsigned char)(v >> 8),
			      (unsigned char)v};
	td_buf_append(b, x, 4);
}

static void put64(struct td_buf *b, int64_t v)
{
	put32(b, (uint32_t)((uint64_t)v >> 32));
	put32(b, (uint32_t)v);
}

static void put_header(struct td_buf *b, int version, uint32_t timecnt,
		       uint32_t typecnt, uint32_t charcnt, uint32_t leapcnt)
{
	td_buf_append(b, "TZif", 4);
	td_buf_putc(b, version);
	td_buf_append(b, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 15);
	put32(b, 0); /* isutcnt */
	put32(b, 0); /* isstdcnt */
	put32(b, leapcnt);
	put32(b, timecnt);
	put32(b, typecnt);
	put32(b, charcnt);
}

/* A TZif file: version 0 (v1 only, 32-bit times) or '2'..'4' (a minimal v1
 * block, then 64-bit data and the footer). */
static void build(struct td_buf *b, int version, size_t nt,
		  const int64_t *times, const uint8_t *idx, size_t ntypes,
		  const struct tt *types, const char *chars, size_t nchars,
		  const char *footer)
{
	int ts = version ? 8 : 4;
	td_buf_reset(b);
	if (version) {
		put_header(b, version, 0, 1, 1, 0);
		td_buf_append(b, "\0\0\0\0\0\0\0", 7);
	}
	put_header(b, version, (uint32_t)nt, (uint32_t)ntypes, (uint32_t)nchars,
		   0);
	for (size_t i = 0; i < nt; i++) {
		if (ts == 8)
			put64(b, times[i]);
		else
			put32(b, (uint32_t)times[i]);
	}
	td_buf_append(b, idx, nt);
	for (size_t i = 0; i < ntypes; i++) {
		put32(b, (uint32_t)types[i].off);
		td_buf_putc(b, types[i].isdst);
		td_buf_putc(b, types[i].idx);
	}
	td_buf_append(b, chars, nchars);
	if (version) {
		td_buf_putc(b, '\n');
		td_buf_puts(b, footer);
		td_buf_putc(b, '\n');
	}
	assert_int_equal(td_buf_err(b), 0);
}

/* A zone whose every instant comes from the TZ string footer. */
static struct td_tz *footer_zone(struct td_buf *b, const char *footer)
{
	static const struct tt t0 = {0, 0, 0};
	struct td_tz *tz = NULL;
	struct td_error e = {0};
	build(b, '3', 0, NULL, NULL, 1, &t0, "LMT", 4, footer);
	int rc = td_tz_parse(b->p, b->len, footer, &tz, &e);
	if (rc)
		print_error("footer %s: %s\n", footer, e.msg);
	assert_int_equal(rc, 0);
	return tz;
}

static int parse_fails(const void *p, size_t n)
{
	struct td_tz *tz = (struct td_tz *)1;
	struct td_error e = {0};
	int rc = td_tz_parse(p, n, "t", &tz, &e);
	if (rc) {
		assert_ptr_equal(tz, (struct td_tz *)1);
		assert_int_equal(e.code, rc);
		assert_true(!strncmp(e.msg, "bad zone file \"t\": ", 19));
		return 1;
	}
	td_tz_free(tz);
	return 0;
}

/* Footer rules against the C library, which reads the same TZ strings but
 * applies them only from 1970 on (glibc computes earlier years' changes as
 * if they were 1970's); tzcode and RFC 8536 apply them to every year. */
static void test_footer_rules_match_libc(void **state)
{
	(void)state;
	static const char *const rules[] = {
	    "EST5EDT,M3.2.0,M11.1.0",
	    "CET-1CEST,M3.5.0,M10.5.0/3",
	    "AEST-10AEDT,M10.1.0,M4.1.0/3",
	    "<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45",
	    "IST-1GMT0,M10.5.0,M3.5.0/1",
	    "<-02>2<-01>,M3.5.0/-1,M10.5.0/0",
	    "IST-2IDT,M3.4.4/26,M10.5.0",
	    "<-04>4<-03>,M9.1.6/24,M4.1.6/24",
	    "<+00>0<+02>-2,M3.5.0/1,M10.5.0/3",
	    "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
	    "XXX3YYY,J60/2,J300/2",
	    "XXX3YYY,59/2,299/2",
	    "XXX3YYY,J1/1,J365/1",
	    "ABC-5:30:15DEF-6:45:30,M2.5.3/4:30:20,M11.4.6/-3:15",
	    "<-0330>3:30<-0230>,M3.2.0/0:01,M11.1.0/0:01",
	    "NZST-12NZDT,M9.5.0,M4.1.0/3",
	    "<+05>-5",
	    "UTC0",
	    "EET-2EEST,M3.5.5/0,M10.5.4/24",
	    "PST8PDT,M3.2.0/2:00:00,M11.1.0/2:00:00",
	    "HST10",
	};
	struct td_buf b;
	struct cmp c = {0};
	td_buf_init(&b, 0);
	for (size_t i = 0; i < sizeof rules / sizeof *rules; i++) {
		struct td_tz *tz = footer_zone(&b, rules[i]);
		libc_zone(rules[i]);
		long before = c.bad;
		for (int k = 0; k < 2000; k++)
			check_at(&c, tz, rnd_range(0, Y2101));
		long ch = scan(&c, tz, (int64_t)(rnd() % 86400), Y2101, 86400);
		if (strchr(rules[i], ','))
			assert_true(ch >= 2 * 130);
		if (c.bad != before)
			print_error("%s: %ld mismatches\n", rules[i],
				    c.bad - before);
		td_tz_free(tz);
	}
	td_buf_release(&b);
	print_message("footer rules: %zu rules, %ld instants compared\n",
		      sizeof rules / sizeof *rules, c.checks);
	assert_int_equal(c.bad, 0);
}

static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = {.tm_year = y - 1900,
			.tm_mon = mo - 1,
			.tm_mday = d,
			.tm_hour = h,
			.tm_min = mi,
			.tm_sec = s};
	return (int64_t)timegm(&tm);
}

static void expect_off(const struct td_tz *tz, int64_t t, int32_t off, int dst,
		       const char *abbr)
{
	int d;
	const char *a;
	int32_t o = td_tz_offset(tz, t, &d, &a);
	if (o != off || d != dst || strcmp(a, abbr))
		print_error("%s at %lld: %d %d %s\n", td_tz_name(tz),
			    (long long)t, o, d, a);
	assert_int_equal(o, off);
	assert_int_equal(d, dst);
	assert_string_equal(a, abbr);
}

/* Footer rules checked by hand: the extensions the C library may not know,
 * and defaults. */
static void test_footer_rules_by_hand(void **state)
{
	(void)state;
	struct td_buf b;
	struct td_tz *tz;
	td_buf_init(&b, 0);

	/* all-year DST (RFC 8536 section 3.3.1 example) */
	tz = footer_zone(&b, "EST5EDT,0/0,J365/25");
	for (int i = 0; i < 5000; i++)
		expect_off(tz, rnd_range(Y1900, Y2101), -4 * 3600, 1, "EDT");
	expect_off(tz, utc(2024, 1, 1, 4, 59, 59), -4 * 3600, 1, "EDT");
	expect_off(tz, utc(2024, 1, 1, 5, 0, 0), -4 * 3600, 1, "EDT");
	td_tz_free(tz);

	/* DST without rules: the US rules */
	tz = footer_zone(&b, "EST5EDT");
	expect_off(tz, utc(2024, 3, 10, 6, 59, 59), -5 * 3600, 0, "EST");
	expect_off(tz, utc(2024, 3, 10, 7, 0, 0), -4 * 3600, 1, "EDT");
	expect_off(tz, utc(2024, 11, 3, 5, 59, 59), -4 * 3600, 1, "EDT");
	expect_off(tz, utc(2024, 11, 3, 6, 0, 0), -5 * 3600, 0, "EST");
	td_tz_free(tz);

	/* hours up to 167 and negative times: start 167 h after Sunday
	 * 2024-03-03 00:00 local (-05), end 167 h before Sunday 2024-11-03
	 * 00:00 local (-04) */
	tz = footer_zone(&b, "<-05>5<-04>,M3.1.0/167,M11.1.0/-167");
	expect_off(tz, utc(2024, 3, 10, 3, 59, 59), -5 * 3600, 0, "-05");
	expect_off(tz, utc(2024, 3, 10, 4, 0, 0), -4 * 3600, 1, "-04");
	expect_off(tz, utc(2024, 10, 27, 4, 59, 59), -4 * 3600, 1, "-04");
	expect_off(tz, utc(2024, 10, 27, 5, 0, 0), -5 * 3600, 0, "-05");
	td_tz_free(tz);

	/* Jn never counts Feb 29, n does: J60 is March 1st, 59 is Feb 29 */
	tz = footer_zone(&b, "AAA0BBB,J60/0,J300/0");
	expect_off(tz, utc(2024, 2, 29, 23, 59, 59), 0, 0, "AAA");
	expect_off(tz, utc(2024, 3, 1, 0, 0, 0), 3600, 1, "BBB");
	td_tz_free(tz);
	tz = footer_zone(&b, "AAA0BBB,59/0,300/0");
	expect_off(tz, utc(2024, 2, 28, 23, 59, 59), 0, 0, "AAA");
	expect_off(tz, utc(2024, 2, 29, 0, 0, 0), 3600, 1, "BBB");
	expect_off(tz, utc(2023, 3, 1, 0, 0, 0), 3600, 1, "BBB");
	expect_off(tz, utc(2023, 2, 28, 23, 59, 59), 0, 0, "AAA");
	td_tz_free(tz);

	/* no DST: one offset for every instant */
	tz = footer_zone(&b, "<+0545>-5:45");
	expect_off(tz, INT64_MIN, 20700, 0, "+0545");
	expect_off(tz, INT64_MAX, 20700, 0, "+0545");
	td_tz_free(tz);

	/* an empty footer: type 0 throughout */
	tz = footer_zone(&b, "");
	expect_off(tz, 0, 0, 0, "LMT");
	td_tz_free(tz);

	/* malformed TZ strings */
	static const char *const bad[] = {
	    "EST",
	    "EST5EDT,",
	    "EST5EDT,M3.2.0",
	    "EST5EDT,M3.2.0,",
	    "EST5EDT,M13.1.0,M11.1.0",
	    "EST5EDT,M3.6.0,M11.1.0",
	    "EST5EDT,M3.2.7,M11.1.0",
	    "EST5EDT,M0.2.0,M11.1.0",
	    "EST5EDT,J0,J100",
	    "EST5EDT,J366,J100",
	    "EST5EDT,366,100",
	    "EST5EDT,M3.2.0/168,M11.1.0",
	    "EST168",
	    "EST5:60",
	    "EST5:00:60",
	    "ES5",
	    "<E>5",
	    "<EST5",
	    "<E$T>5",
	    "EST 5",
	    "EST5EDT,M3.2.0,M11.1.0,",
	    "EST5EDT,M3.2.0,M11.1.0x",
	    "EST5EDT4,M3.2.0/+-2,M11.1.0",
	    "EST99999999999999999",
	    "EST-167:59:59EDT",
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGH5",
	    "EST5EDT,M3.2,M11.1.0",
	    "EST5EDT,M3..0,M11.1.0",
	    "EST5\x01",
	    "5EST",
	};
	static const struct tt t0 = {0, 0, 0};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		build(&b, '3', 0, NULL, NULL, 1, &t0, "LMT", 4, bad[i]);
		if (!parse_fails(b.p, b.len))
			print_error("accepted footer \"%s\"\n", bad[i]);
		assert_true(parse_fails(b.p, b.len));
	}
	td_buf_release(&b);
}

/* A hand-made file with transitions and a footer: type 0 before the
 * first transition, the table in between, the footer from the last on. */
static void test_table_and_footer(void **state)
{
	(void)state;
	static const struct tt types[] = {
	    {1000, 0, 0}, {3600, 0, 4}, {7200, 1, 8}};
	static const char chars[] = "LMT\0AAA\0BBB";
	const int64_t times[] = {-1000000, 0, 1000000, 2000000};
	const uint8_t idx[] = {1, 2, 1, 2};
	struct td_buf b;
	struct td_tz *tz = NULL;
	td_buf_init(&b, 0);
	for (int v = 0; v < 4; v++) {
		int version = v == 0 ? 0 : '1' + v;
		build(&b, version, 4, times, idx, 3, types, chars, sizeof chars,
		      "<+05>-5");
		assert_int_equal(td_tz_parse(b.p, b.len, NULL, &tz, NULL), 0);
		assert_string_equal(td_tz_name(tz), "");
		const int64_t *tr;
		assert_int_equal(td_tz_transitions(tz, &tr), 4);
		assert_memory_equal(tr, times, sizeof times);
		expect_off(tz, INT64_MIN, 1000, 0, "LMT");
		expect_off(tz, -1000001, 1000, 0, "LMT");
		expect_off(tz, -1000000, 3600, 0, "AAA");
		expect_off(tz, -1, 3600, 0, "AAA");
		expect_off(tz, 0, 7200, 1, "BBB");
		expect_off(tz, 999999, 7200, 1, "BBB");
		expect_off(tz, 1000000, 3600, 0, "AAA");
		expect_off(tz, 1999999, 3600, 0, "AAA");
		if (version) { /* the footer from the last transition on */
			expect_off(tz, 2000000, 18000, 0, "+05");
			expect_off(tz, INT64_MAX, 18000, 0, "+05");
		} else { /* v1: the last type stays */
			expect_off(tz, 2000000, 7200, 1, "BBB");
			expect_off(tz, INT64_MAX, 7200, 1, "BBB");
		}
		td_tz_free(tz);
	}
	/* empty footer: the last type stays */
	build(&b, '2', 4, times, idx, 3, types, chars, sizeof chars, "");
	assert_int_equal(td_tz_parse(b.p, b.len, "x", &tz, NULL), 0);
	expect_off(tz, INT64_MAX, 7200, 1, "BBB");
	td_tz_free(tz);
	/* later versions read as version 4 */
	build(&b, '7', 4, times, idx, 3, types, chars, sizeof chars, "UTC0");
	assert_int_equal(td_tz_parse(b.p, b.len, "x", &tz, NULL), 0);
	expect_off(tz, INT64_MAX, 0, 0, "UTC");
	td_tz_free(tz);
	/* trailing bytes after the footer are ignored */
	build(&b, '2', 4, times, idx, 3, types, chars, sizeof chars, "UTC0");
	td_buf_puts(&b, "junk");
	assert_int_equal(td_tz_parse(b.p, b.len, "x", &tz, NULL), 0);
	td_tz_free(tz);
	td_buf_release(&b);
}

/* Files broken in one field each. */
static void test_corrupt_fields(void **state)
{
	(void)state;
	struct tt types[] = {{1000, 0, 0}, {3600, 0, 4}, {7200, 1, 8}};
	char chars[] = "LMT\0AAA\0BBB";
	int64_t times[] = {-1000000, 0, 1000000, 2000000};
	uint8_t idx[] = {1, 2, 1, 2};
	struct td_buf b;
	td_buf_init(&b, 0);
#define BUILD(ver, nt, ntypes, nchars, footer)                                 \
	build(&b, ver, nt, times, idx, ntypes, types, chars, nchars, footer)

	BUILD('2', 4, 3, sizeof chars, "UTC0");
	assert_false(parse_fails(b.p, b.len));
	/* every prefix fails */
	for (size_t n = 0; n < b.len; n++)
		assert_true(parse_fails(b.p, n));
	assert_true(parse_fails(NULL, 0));
	/* magic, version */
	b.p[0] = 'X';
	assert_true(parse_fails(b.p, b.len));
	BUILD('1', 4, 3, sizeof chars, "UTC0");
	assert_true(parse_fails(b.p, b.len));
	BUILD('2', 4, 3, sizeof chars, "UTC0");
	b.p[44 + 7 + 4] = 0; /* second header says version 1 */
	assert_true(parse_fails(b.p, b.len));
	/* no types, no chars */
	BUILD('2', 0, 0, sizeof chars, "UTC0");
	assert_true(parse_fails(b.p, b.len));
	BUILD(0, 0, 1, 0, "");
	assert_true(parse_fails(b.p, b.len));
	/* type index out of range */
	idx[2] = 3;
	BUILD('2', 4, 3, sizeof chars, "UTC0");
	assert_true(parse_fails(b.p, b.len));
	idx[2] = 1;
	/* transitions not strictly ascending */
	times[2] = 0;
	BUILD('2', 4, 3, sizeof chars, "UTC0");
	assert_true(parse_fails(b.p, b.len));
	times[2] = 1000000;
	/* abbreviation index past the chars, or not NUL-terminated */
	types[2].idx = sizeof chars;
	BUILD('2', 4, 3, sizeof chars, "UTC0");
	assert_true(parse_fails(b.p, b.len));
	types[2].idx = 8;
	BUILD('2', 4, 3, sizeof chars - 1, "UTC0");
	assert_true(parse_fails(b.p, b.len));
	/* an abbreviation with a control character */
	chars[9] = '\x1b';
	BUILD('2', 4, 3, sizeof chars, "UTC0");
	assert_true(parse_fails(b.p, b.len));
	chars[9] = 'B';
	/* offsets out of range, DST flag not 0/1 */
	types[1].off = INT32_MIN;
	BUILD('2', 4, 3, sizeof chars, "UTC0");
	assert_true(parse_fails(b.p, b.len));
	types[1].off = 168 * 3600;
	BUILD('2', 4, 3, sizeof chars, "UTC0");
	assert_true(parse_fails(b.p, b.len));
	types[1].off = 3600;
	types[1].isdst = 2;
	BUILD('2', 4, 3, sizeof chars, "UTC0");
	assert_true(parse_fails(b.p, b.len));
	types[1].isdst = 0;
	/* footer: missing newline, bad string, too long */
	BUILD('2', 4, 3, sizeof chars, "UTC0");
	b.p[b.len - 1] = 'x';
	assert_true(parse_fails(b.p, b.len));
	BUILD('2', 4, 3, sizeof chars, "UTC0");
	b.len -= 6; /* remove the footer entirely */
	assert_true(parse_fails(b.p, b.len));
	char longf[400];
	memset(longf, 'A', sizeof longf - 1);
	longf[sizeof longf - 1] = '\0';
	BUILD('2', 4, 3, sizeof chars, longf);
	assert_true(parse_fails(b.p, b.len));
	/* header counts far beyond the data: no huge allocation, an error */
	BUILD('2', 4, 3, sizeof chars, "UTC0");
	for (int field = 0; field < 6; field++) {
		for (int hdr = 0; hdr < 2; hdr++) {
			struct td_buf c;
			td_buf_init(&c, 0);
			td_buf_append(&c, b.p, b.len);
			size_t at = (hdr ? 44 + 7 : 0) + 20 + 4 * field;
			memset(c.p + at, 0xff, 4);
			assert_true(parse_fails(c.p, c.len));
			c.p[at] = 0; /* 0x00ffffff */
			assert_true(parse_fails(c.p, c.len));
			td_buf_release(&c);
		}
	}
	td_buf_release(&b);
#undef BUILD
}

/* Real files: every truncation fails cleanly; random damage never
 * crashes, and whatever still parses answers sanely. */
static void test_truncated_and_damaged(void **state)
{
	(void)state;
	NEED_ZONEINFO();
	const char *zs[] = {"Europe/Berlin", "Pacific/Apia", "Asia/Kolkata",
			    "right/Europe/London"};
	long parsed = 0, rejected = 0;
	for (size_t z = 0; z < 4; z++) {
		char path[128];
		size_t len;
		snprintf(path, sizeof path, "%s/%s", ZI, zs[z]);
		if (access(path, R_OK) != 0)
			continue;
		char *p = slurp(path, &len);
		assert_false(parse_fails(p, len));
		for (size_t n = 0; n < len; n++)
			if (!parse_fails(p, n)) {
				print_error("%s cut at %zu parses\n", zs[z], n);
				fail();
			}
		for (int i = 0; i < 3000; i++) {
			char *q = malloc(len);
			assert_non_null(q);
			memcpy(q, p, len);
			for (int k = 1 + (int)(rnd() % 4); k > 0; k--)
				q[rnd() % len] = (char)rnd();
			struct td_tz *tz = NULL;
			if (td_tz_parse(q, len, "d", &tz, NULL) == 0) {
				parsed++;
				const int64_t ts[] = {INT64_MIN, -1, 0,
						      1700000000, INT64_MAX};
				for (size_t j = 0; j < 5; j++) {
					struct tm tm;
					td_tz_local(tz, ts[j], &tm);
					assert_true(tm.tm_gmtoff >= -604799 &&
						    tm.tm_gmtoff <= 604799);
				}
				td_tz_free(tz);
			} else {
				rejected++;
			}
			free(q);
		}
		free(p);
	}
	print_message("damaged: %ld parsed, %ld rejected\n", parsed, rejected);
}

/* A version 1 file (32-bit data only) cut out of a real one agrees with
 * the 64-bit data over the 32-bit range. */
static void test_v1_only(void **state)
{
	(void)state;
	NEED_ZONEINFO();
	const char *zs[] = {"Europe/Berlin", "America/New_York",
			    "Australia/Sydney", "Pacific/Apia"};
	for (size_t z = 0; z < 4; z++) {
		char path[128];
		size_t len;
		snprintf(path, sizeof path, "%s/%s", ZI, zs[z]);
		char *p = slurp(path, &len);
		assert_true(len > 44);
		const unsigned char *u = (const unsigned char *)p;
		uint32_t c[6];
		for (int i = 0; i < 6; i++)
			c[i] = (uint32_t)u[20 + 4 * i] << 24 |
			       (uint32_t)u[21 + 4 * i] << 16 |
			       (uint32_t)u[22 + 4 * i] << 8 | u[23 + 4 * i];
		size_t v1 =
		    44 + c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
		assert_true(v1 <= len);
		if (c[3] == 0) { /* a slim file: no 32-bit data to test */
			free(p);
			continue;
		}
		p[4] = 0; /* version 1 */
		struct td_tz *a = NULL, *full = load(zs[z]);
		assert_int_equal(td_tz_parse(p, v1, "v1", &a, NULL), 0);
		const int64_t *tr;
		size_t n = td_tz_transitions(a, &tr);
		assert_int_equal(n, c[3]);
		for (size_t i = 0; i < n; i++)
			for (int64_t d = i ? -1 : 0; d <= 1; d++)
				assert_int_equal(
				    td_tz_offset(a, tr[i] + d, NULL, NULL),
				    td_tz_offset(full, tr[i] + d, NULL, NULL));
		for (int i = 0; i < 20000; i++) {
			int64_t t = rnd_range(tr[0], tr[n - 1]);
			int da, df;
			const char *aa, *af;
			assert_int_equal(td_tz_offset(a, t, &da, &aa),
					 td_tz_offset(full, t, &df, &af));
			assert_int_equal(da, df);
			assert_string_equal(aa, af);
		}
		td_tz_free(a);
		td_tz_free(full);
		free(p);
	}
}

/* "right/" zones count leap seconds; read as POSIX time they must agree
 * with the plain zone exactly. */
static void test_leap_second_zones(void **state)
{
	(void)state;
	NEED_ZONEINFO();
	if (access(ZI "/right/Europe/Berlin", R_OK) != 0)
		skip();
	const char *zs[] = {"Europe/Berlin", "America/New_York",
			    "Australia/Sydney"};
	char name[64];
	for (size_t z = 0; z < 3; z++) {
		snprintf(name, sizeof name, "right/%s", zs[z]);
		struct td_tz *r = load(name), *p = load(zs[z]);
		const int64_t *tr, *tp;
		size_t nr = td_tz_transitions(r, &tr);
		size_t np = td_tz_transitions(p, &tp);
		/* the right/ table ends with a no-op transition where the leap
		 * second list expires, and no footer: compare up to there */
		assert_true(nr >= 2 && nr <= np);
		for (size_t i = 0; i + 1 < nr; i++)
			if (tp[i] > -(1LL << 40)) /* not the big-bang mark */
				assert_int_equal(tr[i], tp[i]);
		for (int i = 0; i < 20000; i++) {
			int64_t t = rnd_range(Y1900, tr[nr - 1]);
			int dr, dp;
			const char *ar, *ap;
			assert_int_equal(td_tz_offset(r, t, &dr, &ar),
					 td_tz_offset(p, t, &dp, &ap));
			assert_int_equal(dr, dp);
			assert_string_equal(ar, ap);
		}
		td_tz_free(r);
		td_tz_free(p);
	}
}

static void test_tzdir_files(void **state)
{
	(void)state;
	struct td_buf b;
	static const struct tt t0 = {3600, 0, 0};
	td_buf_init(&b, 0);
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_core_tz.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	char sub[128];
	snprintf(sub, sizeof sub, "%s/Test", tmpdir);
	assert_int_equal(mkdir(sub, 0700), 0);
	build(&b, '2', 0, NULL, NULL, 1, &t0, "ONE", 4, "<+01>-1");
	write_file("Test/Zone", b.p, b.len);
	write_file("Test/Garbage", "TZif2 this is not a zone file", 29);
	write_file("Test/Empty", "", 0);
	char *big = calloc(1, TD_TZ_FILE_MAX + 1);
	assert_non_null(big);
	memcpy(big, b.p, b.len);
	write_file("Test/Big", big, TD_TZ_FILE_MAX + 1);
	free(big);
	assert_int_equal(setenv("TZDIR", tmpdir, 1), 0);

	struct td_tz *tz = load("Test/Zone");
	assert_string_equal(td_tz_name(tz), "Test/Zone");
	expect_off(tz, 0, 3600, 0, "+01");
	td_tz_free(tz);
	expect_load_fail("Test/Garbage", TD_EPARSE,
			 "bad zone file \"Test/Garbage\": truncated header");
	expect_load_fail("Test/Empty", TD_EPARSE, NULL);
	expect_load_fail("Test/Big", TD_ETOOBIG, NULL);
	expect_load_fail("Test", TD_ENOTFOUND, NULL);
	expect_load_fail("Test/None", TD_ENOTFOUND,
			 "unknown time zone \"Test/None\"");
	if (geteuid() != 0) { /* root reads anything */
		char path[256];
		snprintf(path, sizeof path, "%s/Test/Zone", tmpdir);
		assert_int_equal(chmod(path, 0), 0);
		expect_load_fail("Test/Zone", TD_EIO, NULL);
	}
	/* a TZDIR too long for any path */
	char *longdir = malloc(10000);
	assert_non_null(longdir);
	memset(longdir, 'd', 9999);
	longdir[0] = '/';
	longdir[9999] = '\0';
	assert_int_equal(setenv("TZDIR", longdir, 1), 0);
	free(longdir);
	expect_load_fail("Test/Zone", TD_ETOOBIG,
			 "time zone \"Test/Zone\": path too long");
	unsetenv("TZDIR");

	const char *names[] = {"Zone", "Garbage", "Empty", "Big"};
	for (int i = 0; i < 4; i++) {
		char path[256];
		snprintf(path, sizeof path, "%s/Test/%s", tmpdir, names[i]);
		unlink(path);
	}
	rmdir(sub);
	rmdir(tmpdir);
	td_buf_release(&b);
}

/* ---- threads ---------------------------------------------------------- */

struct job {
	const struct td_tz *tz;
	int64_t from;
	long sum;
};

static void *worker(void *arg)
{
	struct job *j = arg;
	struct tm tm;
	for (int64_t t = j->from; t < j->from + 200000LL * 3607; t += 3607) {
		td_tz_local(j->tz, t, &tm);
		j->sum += tm.tm_gmtoff + tm.tm_hour;
	}
	return NULL;
}

static void test_shared_between_threads(void **state)
{
	(void)state;
	NEED_ZONEINFO();
	struct td_tz *tz = load("Europe/Berlin");
	struct job want = {tz, 1000000000, 0};
	worker(&want);
	pthread_t th[4];
	struct job jobs[4];
	for (int i = 0; i < 4; i++) {
		jobs[i] = (struct job){tz, 1000000000, 0};
		assert_int_equal(pthread_create(&th[i], NULL, worker, &jobs[i]),
				 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(jobs[i].sum, want.sum);
	}
	td_tz_free(tz);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_utc_no_files),
	    cmocka_unit_test(test_civil_whole_range),
	    cmocka_unit_test(test_bad_names),
	    cmocka_unit_test(test_tzdir_files),
	    cmocka_unit_test(test_table_and_footer),
	    cmocka_unit_test(test_corrupt_fields),
	    cmocka_unit_test(test_footer_rules_by_hand),
	    cmocka_unit_test(test_footer_rules_match_libc),
	    cmocka_unit_test(test_known_instants),
	    cmocka_unit_test(test_strftime),
	    cmocka_unit_test(test_zones_match_libc),
	    cmocka_unit_test(test_every_zone_matches_libc),
	    cmocka_unit_test(test_extremes),
	    cmocka_unit_test(test_truncated_and_damaged),
	    cmocka_unit_test(test_v1_only),
	    cmocka_unit_test(test_leap_second_zones),
	    cmocka_unit_test(test_shared_between_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
