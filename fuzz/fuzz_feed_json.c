/* fuzz_feed_json.c - feed_parse_json then feed_to_jsonfeed on arbitrary
 * bytes. Checks: no crash or leak; a parsed feed serialises, and what it
 * serialises to parses again as a JSON Feed with the same item count. */
#include "core/buf.h"
#include "core/err.h"
#include "feed/feed.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feed_parse_opts o = { .base_url = "https://example.org/a/" };
	struct td_error err = { 0 };
	struct feed *f = NULL, *g = NULL;
	int rc = feed_parse_json((const char *)data, size, &o, &f, &err);
	if (rc) {
		if (f || rc == TD_ENOMEM)
			abort();
		return 0;
	}
	struct td_buf b;
	td_buf_init(&b, 0);
	if (feed_to_jsonfeed(f, &b))
		abort();
	/* our own output is clean JSON: no warnings beyond none, same items */
	if (feed_parse_json(b.p, b.len, &o, &g, &err))
		abort();
	if (g->n_items != f->n_items || g->n_warnings)
		abort();
	feed_free(g);
	feed_free(f);
	td_buf_release(&b);
	return 0;
}
