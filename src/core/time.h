/*
 * time.h - wall-clock helpers. Times are int64 seconds since the Unix epoch,
 * UTC; TD_TIME_NONE marks "unknown" (never 0, which is a real date).
 */
#ifndef TD_TIME_H
#define TD_TIME_H

#include <stdint.h>

#define TD_TIME_NONE INT64_MIN

/* Current time; honours TIDINGS_NOW (seconds) for tests. */
int64_t td_now(void);

/* Days since 1970-01-01 for a proleptic Gregorian date (month 1-12). */
int64_t td_days_from_civil(int64_t y, unsigned m, unsigned d);

/* Seconds since the epoch for a UTC broken-down time; no range checks beyond
 * arithmetic (the caller validates fields). */
int64_t td_timegm(int64_t y, unsigned mon, unsigned day, unsigned h,
		  unsigned min, unsigned s);

/* Format t as RFC 3339 UTC ("2024-01-06T01:10:00Z") into out (>= 32 bytes).
 * Returns out. */
char *td_time_rfc3339(int64_t t, char out[32]);

/* Format t as RFC 1123 ("Sat, 06 Jan 2024 01:10:00 GMT") into out. */
char *td_time_rfc1123(int64_t t, char out[32]);

#endif
