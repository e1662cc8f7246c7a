/*
 * schedule.c - when to fetch a source next: pure functions of what the last
 * fetch saw (see fetch_schedule_next in fetch.h and docs/fetch.md).
 *
 * Success: half the median gap between recent items, bounded by [min, max],
 * then raised to what the publisher asks for (RSS ttl, sy:updatePeriod,
 * Cache-Control max-age; each capped at max). Failure: min * 2^(n-1) up to
 * TD_SCHED_MAX_BACKOFF, and at least Retry-After for 429/503 (itself capped
 * so a hostile header cannot park a source for years). The time is then
 * moved out of skipHours/skipDays and a deterministic jitter of 0-10% of the
 * interval, derived from jitter_key, spreads sources of one host apart.
 */
#include "fetch/fetch.h"

#include "core/limits.h"
#include "core/time.h"
#include "core/version.h"

#include <stdlib.h>

/* Interval when a feed gives no cadence (fewer than two dated items). */
#define SCHED_DEFAULT_INTERVAL (60 * 60)
/* Items considered "recent" for the cadence: the newest ones. */
#define SCHED_RECENT_ITEMS 64

const char *fetch_user_agent(void)
{
	return "tidings/" TD_VERSION " (+" TD_URL ")";
}

int fetch_status_gone(int status)
{
	return status == 410;
}

static int64_t clamp(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static int cmp_desc(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? 1 : x > y ? -1 : 0;
}

static int cmp_asc(const void *a, const void *b)
{
	return -cmp_desc(a, b);
}

/* Median positive gap (seconds) between the newest SCHED_RECENT_ITEMS dated
 * items, or -1 when there is no cadence to read. Identical timestamps carry
 * no cadence and are skipped. */
static int64_t median_gap(const int64_t *t, size_t n)
{
	if (!t || n < 2)
		return -1;
	if (n > TD_MAX_FEED_ITEMS)
		n = TD_MAX_FEED_ITEMS;
	int64_t *v = malloc(n * sizeof *v);
	if (!v)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (t[i] != TD_TIME_NONE)
			v[k++] = t[i];
	qsort(v, k, sizeof *v, cmp_desc);
	if (k > SCHED_RECENT_ITEMS)
		k = SCHED_RECENT_ITEMS;
	size_t g = 0;
	for (size_t i = 0; i + 1 < k; i++) {
		/* both are real times: the difference fits unless absurd */
		int64_t d = v[i] / 2 - v[i + 1] / 2;
		if (d > 0 && d < INT64_MAX / 4)
			v[g++] = d * 2;
	}
	int64_t r = -1;
	if (g) {
		qsort(v, g, sizeof *v, cmp_asc);
		r = (g % 2) ? v[g / 2] : v[g / 2 - 1] / 2 + v[g / 2] / 2;
	}
	free(v);
	return r;
}

/* splitmix64 finaliser: spreads nearby keys. */
static uint64_t mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

static int is_success(int status)
{
	return (status >= 200 && status < 300) || status == 304;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Move t forward out of skipped hours (UTC) and days; bounded. */
static int64_t step_over_skips(int64_t t, uint32_t hours, uint8_t days)
{
	hours &= 0xFFFFFFu;
	days &= 0x7Fu;
	if (hours == 0xFFFFFFu)
		hours = 0; /* every hour skipped: the feed is wrong, ignore */
	if (days == 0x7Fu)
		days = 0;
	for (int guard = 0; guard < 24 * 8 && (hours || days); guard++) {
		int64_t day = floor_div(t, 86400);
		int h = (int)((t - day * 86400) / 3600);
		int wd = (int)(((day % 7) + 11) % 7); /* 1970-01-01: Thursday */
		if (days & (1u << wd))
			t = (day + 1) * 86400;
		else if (hours & (1u << h))
			t = day * 86400 + (int64_t)(h + 1) * 3600;
		else
			break;
	}
	return t;
}

int64_t fetch_schedule_next(const struct fetch_sched *in, int64_t *interval)
{
	int64_t min = in->min_interval > 0 ? in->min_interval
					   : TD_SCHED_MIN_INTERVAL;
	int64_t max = in->max_interval > 0 ? in->max_interval
					   : TD_SCHED_MAX_INTERVAL;
	if (max < min)
		max = min;
	int64_t now = in->now == TD_TIME_NONE ? td_now() : in->now;
	int64_t base;

	if (is_success(in->status) && in->error_count <= 0) {
		int64_t gap = median_gap(in->item_times, in->n_item_times);
		base = gap < 0 ? SCHED_DEFAULT_INTERVAL : gap / 2;
		base = clamp(base, min, max);
		int64_t asks[3] = { -1, -1, -1 };
		if (in->ttl_minutes > 0)
			asks[0] = (int64_t)in->ttl_minutes * 60;
		if (in->sy_period_secs > 0)
			asks[1] = in->sy_period_secs;
		if (in->max_age > 0)
			asks[2] = in->max_age;
		for (int i = 0; i < 3; i++)
			if (asks[i] > base)
				base = asks[i] < max ? asks[i] : max;
	} else {
		int n = in->error_count > 0 ? in->error_count : 1;
		int64_t cap = TD_SCHED_MAX_BACKOFF > min ? TD_SCHED_MAX_BACKOFF
							 : min;
		base = min;
		for (int i = 1; i < n && base < cap; i++)
			base = base > cap / 2 ? cap : base * 2;
		if (base > cap)
			base = cap;
		if ((in->status == 429 || in->status == 503) &&
		    in->retry_after != TD_TIME_NONE && in->retry_after > now) {
			int64_t ra = in->retry_after - now;
			if (ra > TD_SCHED_MAX_BACKOFF)
				ra = TD_SCHED_MAX_BACKOFF;
			if (ra > base)
				base = ra;
		}
	}
	if (interval)
		*interval = base;

	/* jitter: 0..10% of the interval, the same for the same key */
	uint64_t permille = mix(in->jitter_key) % 1001; /* 0..1000 */
	int64_t jitter = (int64_t)((uint64_t)base / 10000u * permille +
				   (uint64_t)base % 10000u * permille / 10000u);
	int64_t t = now + base + jitter;
	int64_t stepped = step_over_skips(t, in->skip_hours, in->skip_days);
	if (stepped != t) {
		/* landed on the edge of a skip window: spread within the first
		 * 6 minutes of the allowed hour */
		stepped += (int64_t)(permille * 360 / 1000);
	}
	return stepped;
}
