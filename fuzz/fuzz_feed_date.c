/* fuzz_feed_date.c - feed_date_parse on arbitrary bytes. Checks: no crash,
 * no read past len, and any date found formats as RFC 3339 and parses back
 * to the same value, within the documented range. */
#include "core/time.h"
#include "feed/feed.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t t = feed_date_parse((const char *)data, size);
	if (t == TD_TIME_NONE)
		return 0;
	if (t < -2208988800LL || t > 7289654399LL) /* 1900 .. 2200 */
		abort();
	char b[32];
	td_time_rfc3339(t, b);
	if (feed_date_parse(b, strlen(b)) != t)
		abort();
	td_time_rfc1123(t, b);
	if (feed_date_parse(b, strlen(b)) != t)
		abort();
	return 0;
}
