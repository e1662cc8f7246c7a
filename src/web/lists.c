/*
 * lists.c - source, tag, search and about pages (being written).
 */
#include "web/web_int.h"

#include "core/err.h"

int web_page_source(struct web_req *req, struct web_resp *resp)
{
	(void)req;
	(void)resp;
	return TD_ENOTFOUND;
}

int web_page_tag(struct web_req *req, struct web_resp *resp)
{
	(void)req;
	(void)resp;
	return TD_ENOTFOUND;
}

int web_page_search(struct web_req *req, struct web_resp *resp)
{
	(void)req;
	(void)resp;
	return TD_ENOTFOUND;
}

int web_page_about(struct web_req *req, struct web_resp *resp)
{
	(void)req;
	(void)resp;
	return TD_ENOTFOUND;
}
