/*
 * router.c - the route table, the handler helpers (requests, responses,
 * the per-thread read connection) and error pages (templates/error.html
 * through the layout; a plain built-in page when the theme cannot render).
 * The pages themselves live in pages.c (front, article, static), lists.c
 * (source, tag, search, about), feeds.c, api.c and metrics.c.
 *
 * Adding a page: write `int web_page_x(struct web_req *, struct web_resp *)`
 * and add a line to routes[] below. Exact paths win over prefixes; among
 * prefixes the longest wins.
 */
#include "web/web_int.h"
#include "web/assets.h"

#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/time.h"
#include "core/url.h"
#include "store/store.h"
#include "tpl/tpl.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct web_route routes[] = {
	{ "/", 0, web_page_front, "before after" },
	{ "/a/", 1, web_page_article, NULL },
	{ "/s/", 1, web_page_source, "before after" },
	{ "/t/", 1, web_page_tag, "before after" },
	{ "/search", 0, web_page_search, "q page" },
	{ "/about", 0, web_page_about, NULL },
	{ "/feed.xml", 0, web_page_feed, NULL },
	{ "/atom.xml", 0, web_page_feed, NULL },
	{ "/feed.json", 0, web_page_feed, NULL },
	{ "/sitemap.xml", 0, web_page_sitemap, NULL },
	{ "/api/v1/", 1, web_page_api,
	  "before after limit source tag since until q page" },
	{ "/static/", 1, web_page_static, NULL },
	{ "/healthz", 0, web_page_healthz, NULL },
	{ "/metrics", 0, web_page_metrics, NULL },
	{ "/robots.txt", 0, web_page_robots, NULL },
};

#define NROUTES (sizeof routes / sizeof routes[0])

const struct web_route *web_route_find(const char *path, const char **rest)
{
	const struct web_route *best = NULL;
	size_t best_len = 0;
	for (size_t i = 0; i < NROUTES; i++) {
		const struct web_route *r = &routes[i];
		if (!r->prefix) {
			if (!strcmp(path, r->path)) {
				*rest = "";
				return r;
			}
			continue;
		}
		size_t n = strlen(r->path);
		if (n > best_len && !strncmp(path, r->path, n)) {
			best = r;
			best_len = n;
		}
	}
	if (best)
		*rest = path + best_len;
	return best;
}

int web_route_has_arg(const struct web_route *rt, const char *name)
{
	if (!rt->args)
		return 0;
	size_t n = strlen(name);
	for (const char *p = rt->args; *p;) {
		while (*p == ' ')
			p++;
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		if ((size_t)(e - p) == n && n && !strncmp(p, name, n))
			return 1;
		p = e;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Requests and responses
 */

const char *web_req_arg(const struct web_req *r, const char *key)
{
	for (size_t i = 0; i < r->n_args; i++)
		if (!strcmp(r->args[i].key, key))
			return r->args[i].value;
	return NULL;
}

static pthread_key_t store_key;
static pthread_once_t store_key_once = PTHREAD_ONCE_INIT;
static __thread struct store *thread_store;
static __thread int thread_store_failed;

static void close_thread_store(void *p)
{
	store_close(p);
}

static void make_store_key(void)
{
	pthread_key_create(&store_key, close_thread_store);
}

struct store *web_req_store(struct web_req *r)
{
	if (r->st)
		return r->st;
	if (!thread_store) {
		if (!r->db)
			return NULL;
		pthread_once(&store_key_once, make_store_key);
		struct td_error err = { 0 };
		if (store_open(r->db, STORE_READONLY, &thread_store, &err)) {
			if (!thread_store_failed)
				td_log(TD_LOG_ERROR, "serve: %s: %s", r->db,
				       err.msg);
			thread_store_failed = 1;
			return NULL;
		}
		thread_store_failed = 0;
		pthread_setspecific(store_key, thread_store);
	}
	return r->st = thread_store;
}

void web_thread_store_close(void)
{
	if (!thread_store)
		return;
	pthread_setspecific(store_key, NULL);
	store_close(thread_store);
	thread_store = NULL;
}

const char *web_cc_value(int cc)
{
	switch (cc) {
	case WEB_CC_REVALIDATE:
		return "no-cache";
	case WEB_CC_SHORT:
		return "public, max-age=60";
	case WEB_CC_HOUR:
		return "public, max-age=3600";
	case WEB_CC_IMMUTABLE:
		return "public, max-age=31536000, immutable";
	default:
		return "no-store";
	}
}

void web_resp_init(struct web_resp *r)
{
	memset(r, 0, sizeof *r);
	r->status = 200;
	r->content_type = "text/html; charset=utf-8";
	td_buf_init(&r->body, TD_WEB_MAX_BODY);
	r->cc = WEB_CC_NO_STORE;
	r->last_modified = TD_TIME_NONE;
}

void web_resp_release(struct web_resp *r)
{
	td_buf_release(&r->body);
	free(r->location);
	r->location = NULL;
}

void web_resp_hole(struct web_resp *r, int kind, int64_t article_id,
		   int64_t stored_views)
{
	r->hole = kind;
	r->hole_at = r->body.len;
	r->hole_id = article_id;
	r->hole_views = stored_views;
}

int web_resp_redirect(struct web_resp *r, int status, const char *location)
{
	if (!location || !*location || strchr(location, '\r') ||
	    strchr(location, '\n') ||
	    !(status == 301 || status == 302 || status == 303 ||
	      status == 307 || status == 308))
		return TD_EINVAL;
	char *l = td_strdup(location);
	if (!l)
		return TD_ENOMEM;
	free(r->location);
	r->location = l;
	r->status = status;
	return 0;
}

void web_html_escape(struct td_buf *b, const char *s)
{
	if (!s)
		return;
	const char *run = s;
	for (; *s; s++) {
		const char *rep;
		switch (*s) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			continue;
		}
		td_buf_append(b, run, (size_t)(s - run));
		td_buf_puts(b, rep);
		run = s + 1;
	}
	td_buf_append(b, run, (size_t)(s - run));
}

/* ------------------------------------------------------------------------
 * Error pages
 */

static const char *reason(int status)
{
	switch (status) {
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 503:
		return "Service Unavailable";
	default:
		return "Internal Server Error";
	}
}

static const char *explain(int status)
{
	switch (status) {
	case 400:
		return "The request was malformed or too large.";
	case 404:
		return "There is no page at this address.";
	case 405:
		return "This site answers GET and HEAD requests only.";
	case 503:
		return "The news database is unavailable; try again shortly.";
	default:
		return "Something went wrong on our side.";
	}
}

static void page_head(struct web_req *req, struct td_buf *b,
		      const char *title)
{
	td_buf_puts(b, "<!doctype html>\n<html lang=\"en\"><head><meta "
		       "charset=\"utf-8\"><meta name=\"viewport\" "
		       "content=\"width=device-width, initial-scale=1\">"
		       "<title>");
	web_html_escape(b, title);
	if (req->cfg && req->cfg->site_title) {
		td_buf_puts(b, " - ");
		web_html_escape(b, req->cfg->site_title);
	}
	td_buf_puts(b, "</title></head>\n<body>\n");
}

/* The error page from templates/error.html through the layout. 0 or a
 * TD_E* code (the caller falls back to the plain page). */
static int themed_error(struct web_req *req, struct web_resp *resp,
			int status)
{
	if (web_theme_init(req->cfg))
		return TD_EIO;
	struct tpl_ctx *c = tpl_ctx_new();
	if (!c)
		return TD_ENOMEM;
	char title[64];
	snprintf(title, sizeof title, "%d %s", status, reason(status));
	struct tpl_val *root = web_page_root(c, req, title);
	tpl_obj_set_bool(c, root, "is_error", 1);
	tpl_obj_set_bool(c, root, "noindex", 1);
	tpl_obj_set_int(c, root, "status", status);
	tpl_obj_set_str(c, root, "reason", reason(status));
	tpl_obj_set_str(c, root, "message", explain(status));
	int rc = web_render(c, root, resp);
	tpl_ctx_free(c);
	return rc;
}

/* The page without the theme: when templates cannot render. */
static void plain_error(struct web_req *req, struct web_resp *resp,
			int status)
{
	char title[64];
	snprintf(title, sizeof title, "%d %s", status, reason(status));
	page_head(req, &resp->body, title);
	td_buf_puts(&resp->body, "<main><h1>");
	web_html_escape(&resp->body, title);
	td_buf_puts(&resp->body, "</h1><p>");
	web_html_escape(&resp->body, explain(status));
	td_buf_puts(&resp->body, "</p><p><a href=\"/\">Latest News</a></p>"
				 "</main>\n</body></html>\n");
}

void web_error_page(struct web_req *req, struct web_resp *resp, int status)
{
	if (status != 400 && status != 404 && status != 405 &&
	    status != 503)
		status = 500;
	td_buf_release(&resp->body);
	free(resp->location);
	web_resp_init(resp);
	resp->status = status;
	if (themed_error(req, resp, status) == 0 && !td_buf_err(&resp->body))
		return;
	td_buf_release(&resp->body);
	web_resp_init(resp);
	resp->status = status;
	plain_error(req, resp, status);
}

void web_route_run(const struct web_route *rt, struct web_req *req,
		   struct web_resp *resp)
{
	int rc = rt->fn(req, resp);
	if (rc == 0 && td_buf_err(&resp->body))
		rc = td_buf_err(&resp->body);
	if (rc == 0 && resp->hole && resp->hole_at > resp->body.len)
		rc = TD_EINVAL;
	if (rc == 0)
		return;
	int status = rc == TD_ENOTFOUND ? 404
		     : rc == TD_EINVAL  ? 400
		     : rc == TD_EDB     ? 503
					: 500;
	if (status >= 500)
		td_log(TD_LOG_WARN, "serve: %s: %s", req->path,
		       td_strerror(rc));
	web_error_page(req, resp, status);
}
