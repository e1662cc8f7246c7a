#include "core/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int64_t td_now(void)
{
	const char *e = getenv("TIDINGS_NOW");
	if (e && *e) {
		char *end;
		long long v = strtoll(e, &end, 10);
		if (!*end)
			return v;
	}
	return (int64_t)time(NULL);
}

/* Howard Hinnant's days_from_civil algorithm (public domain description). */
int64_t td_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int64_t td_timegm(int64_t y, unsigned mon, unsigned day, unsigned h,
		  unsigned min, unsigned s)
{
	return td_days_from_civil(y, mon, day) * 86400 + (int64_t)h * 3600 +
	       (int64_t)min * 60 + s;
}

static void civil(int64_t t, int64_t *y, unsigned *m, unsigned *d,
		  unsigned *hh, unsigned *mm, unsigned *ss, unsigned *wd)
{
	int64_t days = t / 86400, rem = t % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	*hh = (unsigned)(rem / 3600);
	*mm = (unsigned)(rem % 3600 / 60);
	*ss = (unsigned)(rem % 60);
	*wd = (unsigned)((days % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

char *td_time_rfc3339(int64_t t, char out[32])
{
	int64_t y;
	unsigned m, d, hh, mm, ss, wd;
	civil(t, &y, &m, &d, &hh, &mm, &ss, &wd);
	snprintf(out, 32, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m,
		 d, hh, mm, ss);
	return out;
}

char *td_time_rfc1123(int64_t t, char out[32])
{
	static const char *wdn[] = { "Sun", "Mon", "Tue", "Wed",
				     "Thu", "Fri", "Sat" };
	static const char *mn[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int64_t y;
	unsigned m, d, hh, mm, ss, wd;
	civil(t, &y, &m, &d, &hh, &mm, &ss, &wd);
	snprintf(out, 32, "%s, %02u %s %04lld %02u:%02u:%02u GMT", wdn[wd], d,
		 mn[m - 1], (long long)y, hh, mm, ss);
	return out;
}
