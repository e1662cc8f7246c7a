/*
 * fuzz_feed_xml.c - libFuzzer driver for the feed parsers (feed_parse: XML
 * and JSON Feed, with encoding detection and recovery) and the JSON Feed
 * writer on whatever they return. The input length picks an HTTP charset
 * now and then, so the charset precedence paths are reached too.
 */
#include "core/buf.h"
#include "core/err.h"
#include "feed/feed.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const charsets[] = { NULL, NULL, NULL, NULL,
						"iso-8859-1", "utf-16",
						"shift_jis", "utf-8" };
	struct feed_parse_opts opts = {
		.base_url = "http://example.org/feeds/feed.xml",
		.http_charset = charsets[size % 8],
	};
	struct feed *f = NULL;
	struct td_error err = { 0 };
	int rc = feed_parse((const char *)data, size, &opts, &f, &err);
	if (rc == 0) {
		if (!f)
			abort();
		struct td_buf out;
		td_buf_init(&out, 0);
		feed_to_jsonfeed(f, &out);
		td_buf_release(&out);
		feed_free(f);
	} else if (f) {
		abort(); /* a failed parse hands nothing out */
	}
	return 0;
}
