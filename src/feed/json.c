/* json.c - JSON Feed 1.0/1.1 parser (placeholder until written). */
#include "feed/feed.h"
#include "core/err.h"

int feed_parse_json(const char *data, size_t len,
		    const struct feed_parse_opts *opts, struct feed **out,
		    struct td_error *err)
{
	(void)data; (void)len; (void)opts;
	*out = NULL;
	return td_error_set(err, TD_EUNSUPPORTED, "JSON Feed not yet supported");
}
