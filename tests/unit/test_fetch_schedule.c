/*
 * test_fetch_schedule.c - every rule of fetch_schedule_next: cadence from
 * the median item gap, bounds, ttl / sy period / max-age, exponential
 * back-off, Retry-After, skipHours / skipDays, deterministic jitter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/limits.h"
#include "core/time.h"
#include "fetch/fetch.h"

/* 2024-01-03 (a Wednesday) 12:00:00 UTC */
#define NOW ((int64_t)1704283200)

static struct fetch_sched base_in(void)
{
	struct fetch_sched s;
	memset(&s, 0, sizeof s);
	s.now = NOW;
	s.status = 200;
	s.retry_after = TD_TIME_NONE;
	s.max_age = -1;
	s.jitter_key = 42;
	return s;
}

/* next must be now + interval + jitter with jitter in [0, 10%] */
static void assert_jittered(int64_t next, int64_t now, int64_t interval)
{
	assert_true(next >= now + interval);
	assert_true(next <= now + interval + interval / 10);
}

static int64_t next_of(const struct fetch_sched *s, int64_t *iv)
{
	int64_t next = fetch_schedule_next(s, iv);
	assert_jittered(next, s->now, *iv);
	return next;
}

/* n items every gap seconds, newest first at NOW - gap */
static void spaced(int64_t *t, size_t n, int64_t gap)
{
	for (size_t i = 0; i < n; i++)
		t[i] = NOW - (int64_t)(i + 1) * gap;
}

static void test_no_items_default(void **state)
{
	(void)state;
	struct fetch_sched s = base_in();
	int64_t iv;
	next_of(&s, &iv);
	assert_int_equal(iv, 3600);
	/* one item: still no cadence */
	int64_t one = NOW - 100;
	s.item_times = &one;
	s.n_item_times = 1;
	next_of(&s, &iv);
	assert_int_equal(iv, 3600);
}

static void test_median_gap_halved(void **state)
{
	(void)state;
	int64_t t[10];
	spaced(t, 10, 4 * 3600);
	struct fetch_sched s = base_in();
	s.item_times = t;
	s.n_item_times = 10;
	int64_t iv;
	next_of(&s, &iv);
	assert_int_equal(iv, 2 * 3600);
}

static void test_median_not_mean(void **state)
{
	(void)state;
	/* gaps: 1h, 1h, 1h, 100h: the median ignores the outlier */
	int64_t t[5] = { NOW, NOW - 3600, NOW - 7200, NOW - 10800,
			 NOW - 10800 - 360000 };
	struct fetch_sched s = base_in();
	s.item_times = t;
	s.n_item_times = 5;
	int64_t iv;
	next_of(&s, &iv);
	assert_int_equal(iv, 1800);
}

static void test_median_even_count(void **state)
{
	(void)state;
	/* gaps 1h and 3h: median 2h, halved 1h */
	int64_t t[3] = { NOW, NOW - 3600, NOW - 4 * 3600 };
	struct fetch_sched s = base_in();
	s.item_times = t;
	s.n_item_times = 3;
	int64_t iv;
	next_of(&s, &iv);
	assert_int_equal(iv, 3600);
}

static void test_any_order_and_unknown_times(void **state)
{
	(void)state;
	/* shuffled, with unknown dates and duplicate timestamps mixed in */
	int64_t t[8] = { NOW - 7200,  TD_TIME_NONE, NOW, NOW - 3600,
			 NOW - 10800, NOW - 3600,   TD_TIME_NONE, NOW - 14400 };
	struct fetch_sched s = base_in();
	s.item_times = t;
	s.n_item_times = 8;
	int64_t iv;
	next_of(&s, &iv);
	assert_int_equal(iv, 1800);
}

static void test_all_same_time_is_no_cadence(void **state)
{
	(void)state;
	int64_t t[4] = { NOW, NOW, NOW, NOW };
	struct fetch_sched s = base_in();
	s.item_times = t;
	s.n_item_times = 4;
	int64_t iv;
	next_of(&s, &iv);
	assert_int_equal(iv, 3600);
}

static void test_recent_items_only(void **state)
{
	(void)state;
	/* 64 newest items every 20 min, then 200 older ones every 10 h: the
	 * cadence follows the recent ones */
	int64_t t[264];
	for (int i = 0; i < 64; i++)
		t[i] = NOW - (int64_t)i * 1200;
	for (int i = 0; i < 200; i++)
		t[64 + i] = t[63] - (int64_t)(i + 1) * 36000;
	struct fetch_sched s = base_in();
	s.item_times = t;
	s.n_item_times = 264;
	int64_t iv;
	next_of(&s, &iv);
	assert_int_equal(iv, 600);
}

static void test_bounds(void **state)
{
	(void)state;
	int64_t t[10];
	struct fetch_sched s = base_in();
	s.item_times = t;
	s.n_item_times = 10;
	int64_t iv;
	spaced(t, 10, 60); /* busy feed: half a minute -> the minimum */
	next_of(&s, &iv);
	assert_int_equal(iv, TD_SCHED_MIN_INTERVAL);
	spaced(t, 10, 7 * 86400); /* weekly feed -> the maximum */
	next_of(&s, &iv);
	assert_int_equal(iv, TD_SCHED_MAX_INTERVAL);
	/* custom bounds */
	s.min_interval = 900;
	s.max_interval = 7200;
	spaced(t, 10, 60);
	next_of(&s, &iv);
	assert_int_equal(iv, 900);
	spaced(t, 10, 86400);
	next_of(&s, &iv);
	assert_int_equal(iv, 7200);
	/* max below min: min wins */
	s.min_interval = 3000;
	s.max_interval = 1000;
	next_of(&s, &iv);
	assert_int_equal(iv, 3000);
}

static void test_ttl_raises(void **state)
{
	(void)state;
	int64_t t[10];
	spaced(t, 10, 3600); /* cadence 30 min */
	struct fetch_sched s = base_in();
	s.item_times = t;
	s.n_item_times = 10;
	int64_t iv;
	s.ttl_minutes = 120;
	next_of(&s, &iv);
	assert_int_equal(iv, 7200);
	s.ttl_minutes = 10; /* lower than the cadence: no effect */
	next_of(&s, &iv);
	assert_int_equal(iv, 1800);
	s.ttl_minutes = 100000; /* capped at max */
	next_of(&s, &iv);
	assert_int_equal(iv, TD_SCHED_MAX_INTERVAL);
}

static void test_sy_period_raises(void **state)
{
	(void)state;
	struct fetch_sched s = base_in();
	int64_t iv;
	s.sy_period_secs = 6 * 3600; /* sy:updatePeriod hourly/frequency 1/6 */
	next_of(&s, &iv);
	assert_int_equal(iv, 6 * 3600);
	s.sy_period_secs = 30 * 86400;
	next_of(&s, &iv);
	assert_int_equal(iv, TD_SCHED_MAX_INTERVAL);
}

static void test_max_age_raises(void **state)
{
	(void)state;
	struct fetch_sched s = base_in();
	int64_t iv;
	s.max_age = 10800;
	next_of(&s, &iv);
	assert_int_equal(iv, 10800);
	s.max_age = 60; /* shorter than the cadence: no effect */
	next_of(&s, &iv);
	assert_int_equal(iv, 3600);
	s.max_age = 0;
	next_of(&s, &iv);
	assert_int_equal(iv, 3600);
	s.max_age = (int64_t)1 << 40;
	next_of(&s, &iv);
	assert_int_equal(iv, TD_SCHED_MAX_INTERVAL);
	/* the largest of ttl, sy and max-age wins */
	s.max_age = 7200;
	s.ttl_minutes = 180;
	s.sy_period_secs = 5000;
	next_of(&s, &iv);
	assert_int_equal(iv, 10800);
}

static void test_304_is_success(void **state)
{
	(void)state;
	struct fetch_sched s = base_in();
	s.status = 304;
	int64_t iv;
	next_of(&s, &iv);
	assert_int_equal(iv, 3600);
}

static void test_backoff_exponential(void **state)
{
	(void)state;
	struct fetch_sched s = base_in();
	int64_t iv;
	const int statuses[] = { 0, 404, 500, 502, 403 };
	for (size_t k = 0; k < sizeof statuses / sizeof statuses[0]; k++) {
		s.status = statuses[k];
		int64_t want = TD_SCHED_MIN_INTERVAL;
		for (int n = 1; n <= 12; n++) {
			s.error_count = n;
			next_of(&s, &iv);
			int64_t w = want > TD_SCHED_MAX_BACKOFF
					    ? TD_SCHED_MAX_BACKOFF
					    : want;
			assert_int_equal(iv, w);
			want *= 2;
		}
		s.error_count = 1000000; /* no overflow */
		next_of(&s, &iv);
		assert_int_equal(iv, TD_SCHED_MAX_BACKOFF);
	}
	/* error_count 0 with an error status still counts as one failure */
	s.status = 500;
	s.error_count = 0;
	next_of(&s, &iv);
	assert_int_equal(iv, TD_SCHED_MIN_INTERVAL);
	/* a 200 that failed (oversized body) backs off too */
	s.status = 200;
	s.error_count = 3;
	next_of(&s, &iv);
	assert_int_equal(iv, 4 * TD_SCHED_MIN_INTERVAL);
	/* custom min_interval is the first step */
	s.min_interval = 600;
	s.error_count = 2;
	next_of(&s, &iv);
	assert_int_equal(iv, 1200);
}

static void test_retry_after(void **state)
{
	(void)state;
	struct fetch_sched s = base_in();
	int64_t iv;
	s.error_count = 1;
	s.status = 429;
	s.retry_after = NOW + 7200;
	next_of(&s, &iv);
	assert_int_equal(iv, 7200);
	s.status = 503;
	next_of(&s, &iv);
	assert_int_equal(iv, 7200);
	/* shorter than the back-off: back-off wins */
	s.retry_after = NOW + 10;
	s.error_count = 3;
	next_of(&s, &iv);
	assert_int_equal(iv, 4 * TD_SCHED_MIN_INTERVAL);
	/* in the past: ignored */
	s.retry_after = NOW - 5000;
	s.error_count = 1;
	next_of(&s, &iv);
	assert_int_equal(iv, TD_SCHED_MIN_INTERVAL);
	/* hostile: a year away is capped */
	s.retry_after = NOW + 365 * 86400;
	next_of(&s, &iv);
	assert_int_equal(iv, TD_SCHED_MAX_BACKOFF);
	/* without Retry-After: plain back-off */
	s.retry_after = TD_TIME_NONE;
	s.error_count = 2;
	next_of(&s, &iv);
	assert_int_equal(iv, 2 * TD_SCHED_MIN_INTERVAL);
	/* only 429/503 honour it */
	s.status = 500;
	s.retry_after = NOW + 7200;
	s.error_count = 1;
	next_of(&s, &iv);
	assert_int_equal(iv, TD_SCHED_MIN_INTERVAL);
	/* and the time itself is never before Retry-After */
	s.status = 429;
	s.retry_after = NOW + 5000;
	assert_true(fetch_schedule_next(&s, NULL) >= NOW + 5000);
}

static int hour_of(int64_t t)
{
	return (int)((t % 86400) / 3600);
}

static int wday_of(int64_t t)
{
	return (int)(((t / 86400) % 7 + 11) % 7);
}

static void test_skip_hours(void **state)
{
	(void)state;
	struct fetch_sched s = base_in();
	int64_t iv;
	/* default interval 1 h from 12:00 lands in hour 13 (+jitter) */
	s.skip_hours = (1u << 13) | (1u << 14) | (1u << 15);
	int64_t next = fetch_schedule_next(&s, &iv);
	assert_int_equal(iv, 3600);
	assert_int_equal(hour_of(next), 16);
	/* pushed to the start of the allowed hour plus at most 6 minutes */
	int64_t h16 = NOW - NOW % 86400 + 16 * 3600;
	assert_true(next >= h16 && next <= h16 + 360);
	/* wraps past midnight */
	s.skip_hours = 0xFFFFFFu & ~((1u << 2) | (1u << 3)); /* only 2-3 am */
	next = fetch_schedule_next(&s, NULL);
	assert_int_equal(hour_of(next), 2);
	assert_true(next > NOW + 12 * 3600);
	/* every hour skipped: the feed is broken, ignore it */
	s.skip_hours = 0xFFFFFFu;
	next = fetch_schedule_next(&s, &iv);
	assert_jittered(next, NOW, iv);
	/* bits above 23 mean nothing */
	s.skip_hours = 0xFF000000u;
	next = fetch_schedule_next(&s, &iv);
	assert_jittered(next, NOW, iv);
	/* not in a skipped hour: untouched */
	s.skip_hours = 1u << 3;
	next = fetch_schedule_next(&s, &iv);
	assert_jittered(next, NOW, iv);
}

static void test_skip_days(void **state)
{
	(void)state;
	struct fetch_sched s = base_in();
	/* Wednesday noon + 1 h; skip Wednesday and Thursday */
	assert_int_equal(wday_of(NOW), 3);
	s.skip_days = (1u << 3) | (1u << 4);
	int64_t next = fetch_schedule_next(&s, NULL);
	assert_int_equal(wday_of(next), 5);
	assert_int_equal(hour_of(next), 0);
	/* days and hours together: Friday 0-5 also skipped */
	s.skip_hours = 0x3Fu;
	next = fetch_schedule_next(&s, NULL);
	assert_int_equal(wday_of(next), 5);
	assert_int_equal(hour_of(next), 6);
	/* all days skipped: ignored */
	s.skip_days = 0x7F;
	s.skip_hours = 0;
	int64_t iv;
	next = fetch_schedule_next(&s, &iv);
	assert_jittered(next, NOW, iv);
}

static void test_skips_apply_to_backoff(void **state)
{
	(void)state;
	struct fetch_sched s = base_in();
	s.status = 500;
	s.error_count = 4; /* 40 min: lands in hour 12 */
	s.skip_hours = 1u << 12;
	int64_t next = fetch_schedule_next(&s, NULL);
	assert_int_equal(hour_of(next), 13);
}

static void test_jitter_deterministic_and_spread(void **state)
{
	(void)state;
	struct fetch_sched s = base_in();
	s.jitter_key = 12345;
	int64_t a = fetch_schedule_next(&s, NULL);
	int64_t b = fetch_schedule_next(&s, NULL);
	assert_int_equal(a, b);
	/* 200 keys: all within 0-10%, well spread over the range */
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	int distinct = 0;
	int64_t prev = 0;
	for (uint64_t k = 0; k < 200; k++) {
		s.jitter_key = k;
		int64_t iv;
		int64_t n = fetch_schedule_next(&s, &iv);
		assert_jittered(n, NOW, iv);
		if (n < lo)
			lo = n;
		if (n > hi)
			hi = n;
		if (n != prev)
			distinct++;
		prev = n;
	}
	assert_true(lo - NOW - 3600 < 36);  /* some near 0% */
	assert_true(hi - NOW - 3600 > 324); /* some near 10% */
	assert_true(distinct > 150);
}

static void test_interval_may_be_null(void **state)
{
	(void)state;
	struct fetch_sched s = base_in();
	int64_t n = fetch_schedule_next(&s, NULL);
	assert_jittered(n, NOW, 3600);
}

static void test_hostile_times(void **state)
{
	(void)state;
	int64_t t[4] = { INT64_MAX, INT64_MIN + 1, 0, -1 };
	struct fetch_sched s = base_in();
	s.item_times = t;
	s.n_item_times = 4;
	int64_t iv;
	next_of(&s, &iv);
	assert_true(iv >= TD_SCHED_MIN_INTERVAL &&
		    iv <= TD_SCHED_MAX_INTERVAL);
	s.ttl_minutes = INT32_MAX;
	s.sy_period_secs = INT64_MAX;
	s.max_age = INT64_MAX;
	next_of(&s, &iv);
	assert_int_equal(iv, TD_SCHED_MAX_INTERVAL);
}

static void test_gone_and_user_agent(void **state)
{
	(void)state;
	assert_true(fetch_status_gone(410));
	assert_false(fetch_status_gone(404));
	assert_false(fetch_status_gone(200));
	assert_false(fetch_status_gone(0));
	const char *ua = fetch_user_agent();
	assert_non_null(strstr(ua, "tidings/"));
	assert_non_null(strstr(ua, "(+http"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_items_default),
		cmocka_unit_test(test_median_gap_halved),
		cmocka_unit_test(test_median_not_mean),
		cmocka_unit_test(test_median_even_count),
		cmocka_unit_test(test_any_order_and_unknown_times),
		cmocka_unit_test(test_all_same_time_is_no_cadence),
		cmocka_unit_test(test_recent_items_only),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_ttl_raises),
		cmocka_unit_test(test_sy_period_raises),
		cmocka_unit_test(test_max_age_raises),
		cmocka_unit_test(test_304_is_success),
		cmocka_unit_test(test_backoff_exponential),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_skip_hours),
		cmocka_unit_test(test_skip_days),
		cmocka_unit_test(test_skips_apply_to_backoff),
		cmocka_unit_test(test_jitter_deterministic_and_spread),
		cmocka_unit_test(test_interval_may_be_null),
		cmocka_unit_test(test_hostile_times),
		cmocka_unit_test(test_gone_and_user_agent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
