/* fuzz_tz.c - td_tz_parse on arbitrary bytes, twice: as a whole TZif file,
 * and as the footer TZ string of a minimal version 3 file (so mutations
 * reach the rule parser directly). For each zone that parses, td_tz_offset
 * and td_tz_local run at the extreme instants, around every transition and
 * at instants taken from the input. Checks: no crash or UB; transitions
 * strictly ascending; offsets under 168 hours; every tm field in range and
 * consistent with the offset; a footer-only zone repeats every 400 years. */
#include "core/tz.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CYCLE (146097LL * 86400)

static void check_tm(const struct tm *tm)
{
	if (tm->tm_sec < 0 || tm->tm_sec > 59 || tm->tm_min < 0 ||
	    tm->tm_min > 59 || tm->tm_hour < 0 || tm->tm_hour > 23 ||
	    tm->tm_mday < 1 || tm->tm_mday > 31 || tm->tm_mon < 0 ||
	    tm->tm_mon > 11 || tm->tm_wday < 0 || tm->tm_wday > 6 ||
	    tm->tm_yday < 0 || tm->tm_yday > 365 || !tm->tm_zone)
		abort();
}

static void probe(const struct td_tz *tz, int64_t t)
{
	int dst = -1;
	const char *abbr = NULL;
	int32_t off = td_tz_offset(tz, t, &dst, &abbr);
	if (off < -604799 || off > 604799 || (dst != 0 && dst != 1) || !abbr ||
	    strlen(abbr) > 32)
		abort();
	struct tm tm, u;
	td_tz_local(tz, t, &tm);
	check_tm(&tm);
	if (tm.tm_gmtoff != off || tm.tm_isdst != dst || tm.tm_zone != abbr)
		abort();
	/* local time is UTC civil time of t + offset, away from the clamps */
	if (t > INT64_MIN / 2 && t < INT64_MAX / 2) {
		td_tz_local(NULL, t + off, &u);
		check_tm(&u);
		if (tm.tm_year != u.tm_year || tm.tm_yday != u.tm_yday ||
		    tm.tm_hour != u.tm_hour || tm.tm_min != u.tm_min ||
		    tm.tm_sec != u.tm_sec || tm.tm_mon != u.tm_mon ||
		    tm.tm_mday != u.tm_mday || tm.tm_wday != u.tm_wday)
			abort();
	}
}

static int64_t get64(const uint8_t *p)
{
	uint64_t u = 0;
	for (int i = 0; i < 8; i++)
		u = u << 8 | p[i];
	return u <= INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
}

static void exercise(const struct td_tz *tz, const uint8_t *data, size_t size,
		     int footer_only)
{
	static const int64_t fixed[] = {
	    INT64_MIN,
	    INT64_MIN + 1,
	    -(1LL << 59),
	    INT32_MIN - 1LL,
	    INT32_MIN,
	    -1,
	    0,
	    1,
	    INT32_MAX,
	    INT32_MAX + 1LL,
	    1700000000,
	    4102444800,
	    1LL << 59,
	    INT64_MAX - 1,
	    INT64_MAX,
	};
	for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
		probe(tz, fixed[i]);
	const int64_t *tr;
	size_t n = td_tz_transitions(tz, &tr);
	for (size_t i = 0; i < n; i++) {
		if (i && tr[i] <= tr[i - 1])
			abort();
		if (i >= 64 && i + 64 < n)
			continue; /* the ends are enough */
		probe(tz, tr[i]);
		if (tr[i] > INT64_MIN)
			probe(tz, tr[i] - 1);
		if (tr[i] < INT64_MAX)
			probe(tz, tr[i] + 1);
	}
	if (n && footer_only)
		abort();
	for (size_t i = 0; i + 8 <= size && i < 16 * 8; i += 8) {
		int64_t t = get64(data + i);
		probe(tz, t);
		/* the same seconds in a recent year, where rules apply */
		int64_t r =
		    1577836800 + (int64_t)((uint64_t)t % (uint64_t)CYCLE);
		probe(tz, r);
		if (footer_only &&
		    td_tz_offset(tz, r, NULL, NULL) !=
			td_tz_offset(tz, r + 1000 * CYCLE, NULL, NULL))
			abort();
	}
}

/* A version 3 file with no transitions, one type (LMT, +0) and data as
 * the footer; the 32-bit block is the same minimal one. */
static uint8_t *footer_file(const uint8_t *data, size_t size, size_t *len)
{
	uint8_t block[44 + 6 + 4] = {'T', 'Z', 'i', 'f', '3'};
	block[39] = 1; /* typecnt */
	block[43] = 4; /* charcnt */
	memcpy(block + 50, "LMT", 4);
	uint8_t *p = malloc(2 * sizeof block + size + 2);
	if (!p)
		return NULL;
	memcpy(p, block, sizeof block);
	memcpy(p + sizeof block, block, sizeof block);
	p[2 * sizeof block] = '\n';
	memcpy(p + 2 * sizeof block + 1, data, size);
	p[2 * sizeof block + 1 + size] = '\n';
	*len = 2 * sizeof block + size + 2;
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_tz *tz = NULL;
	if (td_tz_parse(data, size, "fuzz", &tz, NULL) == 0) {
		exercise(tz, data, size, 0);
		td_tz_free(tz);
	}
	if (size <= 512 && !memchr(data, '\n', size)) {
		size_t len;
		uint8_t *f = footer_file(data, size, &len);
		if (f && td_tz_parse(f, len, "fuzz", &tz, NULL) == 0) {
			exercise(tz, data, size, 1);
			td_tz_free(tz);
		}
		free(f);
	}
	return 0;
}
