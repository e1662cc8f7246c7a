/*
 * feeds.c - the site's RSS 2.0, Atom 1.0 and JSON Feed 1.1 feeds, the
 * sitemap and JSON-LD (being written).
 */
#include "web/web_int.h"

#include "core/err.h"

int web_page_feed(struct web_req *req, struct web_resp *resp)
{
	(void)req;
	(void)resp;
	return TD_ENOTFOUND;
}

int web_feed_render(struct web_req *req, struct web_resp *resp, int kind,
		    int64_t source_id, const char *tag)
{
	(void)req;
	(void)resp;
	(void)kind;
	(void)source_id;
	(void)tag;
	return TD_ENOTFOUND;
}

int web_page_sitemap(struct web_req *req, struct web_resp *resp)
{
	(void)req;
	(void)resp;
	return TD_ENOTFOUND;
}

int web_jsonld_article(struct td_buf *out, const struct web_req *req,
		       const struct store_article *a, const char *source_name,
		       const char *source_url)
{
	(void)out;
	(void)req;
	(void)a;
	(void)source_name;
	(void)source_url;
	return 0;
}
