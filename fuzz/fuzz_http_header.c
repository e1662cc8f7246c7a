/*
 * fuzz_http_header.c - libFuzzer driver for the fetcher's response-header
 * parsing: the input is split into lines fed to fetch_hdrs_line as curl
 * would; each line is also tried as an HTTP-date and a Content-Type.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "fetch/fetch_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct fetch_hdrs h;
	fetch_hdrs_init(&h);
	size_t i = 0;
	while (i < size) {
		const char *nl = memchr(s + i, '\n', size - i);
		size_t end = nl ? (size_t)(nl - s) + 1 : size;
		const char *line = s + i;
		size_t len = end - i;
		fetch_hdrs_line(&h, line, len, 1704503400);
		int64_t t = fetch_http_date(line, len);
		(void)t;
		char *type, *cs;
		if (!fetch_content_type(line, len, &type, &cs)) {
			free(type);
			free(cs);
		}
		i = end;
	}
	/* invariants of what was kept */
	if (h.etag && strlen(h.etag) > FETCH_MAX_VALIDATOR)
		abort();
	if (h.content_type && strlen(h.content_type) > FETCH_MAX_CTYPE)
		abort();
	if (h.charset && strlen(h.charset) > 40)
		abort();
	if (h.status && (h.status < 100 || h.status > 999))
		abort();
	fetch_hdrs_release(&h);
	return 0;
}
