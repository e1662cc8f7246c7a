/*
 * api.c - the JSON API under /api/v1/ (being written).
 */
#include "web/web_int.h"

#include "core/err.h"

int web_page_api(struct web_req *req, struct web_resp *resp)
{
	(void)req;
	(void)resp;
	return TD_ENOTFOUND;
}
