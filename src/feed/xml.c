/* xml.c - RSS/RDF/Atom parser (placeholder until written). */
#include "feed/feed.h"
#include "core/err.h"

int feed_parse_xml(const char *data, size_t len,
		   const struct feed_parse_opts *opts, struct feed **out,
		   struct td_error *err)
{
	(void)data; (void)len; (void)opts;
	*out = NULL;
	return td_error_set(err, TD_EUNSUPPORTED, "XML feeds not yet supported");
}
