/* extract.c - placeholder so the binary links until the extractor lands. */
#include "html/html.h"
#include "core/err.h"
#include <stdlib.h>

int html_extract(const char *html, size_t len, const char *url,
		 struct html_article **out, struct td_error *err)
{
	(void)html; (void)len; (void)url;
	*out = NULL;
	return td_error_set(err, TD_EUNSUPPORTED, "extraction not built yet");
}

void html_article_free(struct html_article *a) { free(a); }

int html_article_to_json(const struct html_article *a, struct td_buf *out)
{
	(void)a; (void)out;
	return TD_EUNSUPPORTED;
}
