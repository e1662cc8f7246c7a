/*
 * lists.c - the source page ("/s/{id}-{slug}" and its feeds), the tag page
 * ("/t/{tag}" and its feeds), search ("/search?q=&page=") and the about
 * page ("/about"), rendered with the page kit of pages.c.
 *
 * Source and tag pages are card lists with the front page's keyset
 * pagination (web_list_page); their feeds are web_feed_render's (feeds.c).
 * Search shows store_search_page's ranked results, SEARCH_PAGE_SIZE a page,
 * pages 1 to SEARCH_MAX_PAGE (store_search_page ranks the best 1000); the
 * query is hostile input: bounded, made valid UTF-8, escaped wherever it is
 * shown, percent-encoded in links, and never given to SQL or FTS5 as
 * written (the store quotes every word).
 */
#include "web/assets.h"
#include "web/web_int.h"

#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/time.h"
#include "core/url.h"
#include "store/store.h"
#include "tpl/tpl.h"

#include <stdlib.h>
#include <string.h>

/* Cards on a source or tag page (as on the front page). */
#define LIST_PAGE_SIZE 30
/* Search results on a page, and the last page (20 x 50 = the 1000
 * results store_search_page ranks). */
#define SEARCH_PAGE_SIZE 20
#define SEARCH_MAX_PAGE 50
/* Longest query accepted, bytes; longer is a 400. */
#define SEARCH_MAX_QUERY 256
/* Longest tag looked up, bytes (longer: no such tag, 404). */
#define TAG_MAX 256
/* Topics suggested when a search finds nothing, listed on the about page,
 * and shown for a source. */
#define SUGGEST_TOPICS 8
#define ABOUT_TOPICS 200
#define SOURCE_TAGS 32
/* Search results and the about page change without new articles (the
 * ranking favours recent articles; fetch times move): cached this long. */
#define SEARCH_CACHE_SECONDS 300
#define ABOUT_CACHE_SECONDS 300

/* The feed file names under a source or tag path. */
static int feed_kind(const char *name)
{
	if (!strcmp(name, "feed.xml"))
		return WEB_FEED_RSS;
	if (!strcmp(name, "atom.xml"))
		return WEB_FEED_ATOM;
	if (!strcmp(name, "feed.json"))
		return WEB_FEED_JSON;
	return 0;
}

/* Append the request's pagination cursor (if any) to a redirect target. */
static void keep_cursor(struct td_buf *to, const struct web_req *req)
{
	static const char *const names[] = { "before", "after" };
	for (size_t i = 0; i < 2; i++) {
		const char *v = web_req_arg(req, names[i]);
		if (v && *v) {
			td_buf_printf(to, "?%s=", names[i]);
			web_url_encode(to, v);
			return;
		}
	}
}

/* ------------------------------------------------------------------------
 * Source page
 */

/* rest = "ID" or "ID-SLUG", optionally followed by "/FEED": the id (> 0)
 * and *kind (0 for the page, else enum web_feed_kind), or 0 when rest is
 * no source path. */
static int64_t parse_source_path(const char *rest, int *kind)
{
	int64_t id = 0;
	int digits = 0;
	const char *p = rest;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (++digits > 18)
			return 0;
		id = id * 10 + (*p - '0');
	}
	if (!digits || (*p && *p != '-' && *p != '/'))
		return 0;
	*kind = 0;
	const char *slash = strchr(p, '/');
	if (slash && !(*kind = feed_kind(slash + 1)))
		return 0;
	return id;
}

/* Split a source's comma-separated tags into a {items} object, or NULL
 * when it has none. */
static struct tpl_val *source_tags(struct tpl_ctx *c, const char *tags)
{
	if (!tags || !*tags)
		return NULL;
	char *copy = td_strdup(tags);
	char *v[SOURCE_TAGS];
	size_t n = 0;
	if (!copy)
		return NULL;
	for (char *p = copy; *p && n < SOURCE_TAGS;) {
		char *e = strchr(p, ',');
		if (e)
			*e = '\0';
		char *t = td_trim_inplace(p);
		if (*t && strlen(t) <= TAG_MAX)
			v[n++] = t;
		if (!e)
			break;
		p = e + 1;
	}
	struct tpl_val *obj = NULL;
	if (n) {
		obj = tpl_obj(c);
		tpl_obj_set(c, obj, "items", web_tag_list(c, v, n));
	}
	free(copy);
	return obj;
}

/* "1 article", "12 articles" */
static struct tpl_val *count_text(struct tpl_ctx *c, int64_t n,
				  const char *one, const char *many)
{
	return tpl_strf(c, "%lld %s", (long long)n, n == 1 ? one : many);
}

int web_page_source(struct web_req *req, struct web_resp *resp)
{
	if (web_theme_init(req->cfg))
		return TD_EIO;
	int kind = 0;
	int64_t id = parse_source_path(req->rest, &kind);
	if (id <= 0)
		return TD_ENOTFOUND;
	struct store *st = web_req_store(req);
	if (!st)
		return TD_EDB;
	struct store_source src;
	memset(&src, 0, sizeof src);
	int rc = store_source_get(st, id, &src);
	if (rc)
		return rc == TD_ENOTFOUND ? rc : TD_EDB;
	struct tpl_ctx *c = NULL;
	char *host = NULL;
	struct td_buf path, want;
	td_buf_init(&path, 512);
	td_buf_init(&want, 1024);
	web_source_path(&path, id, src.title);
	td_buf_puts(&want, td_buf_cstr(&path));
	if (kind) {
		td_buf_putc(&want, '/');
		td_buf_puts(&want, strrchr(req->rest, '/') + 1);
	}
	rc = td_buf_err(&path) ? td_buf_err(&path) : td_buf_err(&want);
	if (rc)
		goto out;
	if (strcmp(req->path, want.p)) {
		if (!kind)
			keep_cursor(&want, req);
		rc = td_buf_err(&want) ? td_buf_err(&want)
				       : web_page_moved(resp, want.p);
		goto out;
	}
	if (kind) {
		rc = web_feed_render(req, resp, kind, id, NULL);
		goto out;
	}

	rc = TD_ENOMEM;
	c = tpl_ctx_new();
	if (!c)
		goto out;
	const char *title = src.title && *src.title ? src.title : "Untitled source";
	struct tpl_val *root = web_page_root(c, req, title);
	tpl_obj_set_bool(c, root, "is_source", 1);
	tpl_obj_set_str(c, root, "source_title", title);
	tpl_obj_set(c, root, "description",
		    tpl_strf(c, "The latest news from %s.", title));
	tpl_obj_set(c, root, "count_text",
		    count_text(c, src.n_articles, "article", "articles"));
	if (src.site_url && td_url_is_http(src.site_url)) {
		tpl_obj_set_str(c, root, "source_site", src.site_url);
		host = td_url_host(src.site_url);
		tpl_obj_set_str(c, root, "source_host",
				host ? host : src.site_url);
	}
	struct tpl_val *tags = source_tags(c, src.tags);
	if (tags)
		tpl_obj_set(c, root, "source_tags", tags);
	web_page_add_feeds(c, root, path.p, title);
	struct store_query q;
	store_query_init(&q, 0);
	q.source_id = id;
	int64_t newest = TD_TIME_NONE;
	rc = web_list_page(c, root, req, st, &q, LIST_PAGE_SIZE, path.p, NULL,
			   &newest);
	if (rc)
		goto out;
	rc = web_render_shared(c, root, resp);
	if (rc)
		goto out;
	resp->last_modified = newest;
out:
	tpl_ctx_free(c);
	free(host);
	td_buf_release(&path);
	td_buf_release(&want);
	store_source_release(&src);
	return rc;
}

/* ------------------------------------------------------------------------
 * Tag page
 */

/* 1 when some article carries tag (case-insensitively). */
static int tag_exists(struct store *st, const char *tag, int *rc)
{
	struct store_query q;
	store_query_init(&q, 1);
	q.tag = tag;
	struct store_article *v = NULL;
	size_t n = 0;
	*rc = store_articles(st, &q, &v, &n) ? TD_EDB : 0;
	store_articles_free(v, n);
	return n > 0;
}

/* A tag as a request names it: bounded, valid UTF-8, no control bytes. */
static int tag_ok(const char *t, size_t len)
{
	if (!len || len > TAG_MAX || !td_utf8_valid(t, len))
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
			return 0;
	return 1;
}

int web_page_tag(struct web_req *req, struct web_resp *resp)
{
	if (web_theme_init(req->cfg))
		return TD_EIO;
	const char *rest = req->rest;
	size_t len = strlen(rest);
	int kind = 0;
	const char *slash = strrchr(rest, '/');
	if (slash && (kind = feed_kind(slash + 1)))
		len = (size_t)(slash - rest);
	if (!tag_ok(rest, len))
		return TD_ENOTFOUND;
	char *tag = td_strndup(rest, len);
	if (!tag)
		return TD_ENOMEM;
	struct tpl_ctx *c = NULL;
	struct td_buf path;
	td_buf_init(&path, 4096);
	int rc = 0;
	struct store *st = web_req_store(req);
	if (!st) {
		rc = TD_EDB;
		goto out;
	}
	if (kind) {
		if (!tag_exists(st, tag, &rc))
			rc = rc ? rc : TD_ENOTFOUND;
		else
			rc = web_feed_render(req, resp, kind, 0, tag);
		goto out;
	}
	web_tag_path(&path, tag);
	rc = TD_ENOMEM;
	c = tpl_ctx_new();
	if (!c || td_buf_err(&path))
		goto out;
	struct tpl_val *root = web_page_root(c, req, tag);
	tpl_obj_set_bool(c, root, "is_tag", 1);
	tpl_obj_set_str(c, root, "tag", tag);
	tpl_obj_set(c, root, "description",
		    tpl_strf(c, "The latest news about %s.", tag));
	web_page_add_feeds(c, root, path.p, tag);
	struct store_query q;
	store_query_init(&q, 0);
	q.tag = tag;
	size_t shown = 0;
	int64_t newest = TD_TIME_NONE;
	rc = web_list_page(c, root, req, st, &q, LIST_PAGE_SIZE, path.p,
			   &shown, &newest);
	if (rc)
		goto out;
	if (!shown && !tag_exists(st, tag, &rc)) {
		rc = rc ? rc : TD_ENOTFOUND;
		goto out;
	}
	rc = web_render_shared(c, root, resp);
	if (rc)
		goto out;
	resp->last_modified = newest;
out:
	tpl_ctx_free(c);
	td_buf_release(&path);
	free(tag);
	return rc;
}

/* ------------------------------------------------------------------------
 * Search
 */

/* "page": absent or empty is 1; else 1 to SEARCH_MAX_PAGE in plain
 * digits. 0 or TD_EINVAL. */
static int parse_page(const char *s, int *page)
{
	*page = 1;
	if (!s || !*s)
		return 0;
	int v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9' || p - s >= 3)
			return TD_EINVAL;
		v = v * 10 + (*p - '0');
	}
	if (v < 1 || v > SEARCH_MAX_PAGE)
		return TD_EINVAL;
	*page = v;
	return 0;
}

/* "/search?q=ENCODED" and "&page=N" for pages after the first. */
static struct tpl_val *search_href(struct tpl_ctx *c, const char *q, int page)
{
	struct td_buf b;
	td_buf_init(&b, 4096);
	td_buf_puts(&b, "/search?q=");
	web_url_encode(&b, q);
	if (page > 1)
		td_buf_printf(&b, "&page=%d", page);
	struct tpl_val *v = td_buf_err(&b) ? tpl_str(c, "/search")
					   : tpl_strn(c, b.p, b.len);
	td_buf_release(&b);
	return v;
}

/* Topics to suggest, as {items: [{name, href}]}, or NULL. */
static struct tpl_val *topics(struct tpl_ctx *c, struct store *st, size_t max,
			      int with_counts, int *rc)
{
	struct store_tag *v = NULL;
	size_t n = 0;
	*rc = 0;
	if (store_tags(st, max, &v, &n)) {
		*rc = TD_EDB;
		return NULL;
	}
	struct tpl_val *obj = NULL;
	if (n) {
		struct tpl_val *items = tpl_list(c);
		struct td_buf b;
		td_buf_init(&b, 4096);
		for (size_t i = 0; i < n; i++) {
			td_buf_reset(&b);
			web_tag_path(&b, v[i].tag);
			if (td_buf_err(&b) || !v[i].tag[0])
				continue;
			struct tpl_val *t = tpl_obj(c);
			tpl_obj_set_str(c, t, "name", v[i].tag);
			tpl_obj_set(c, t, "href", tpl_strn(c, b.p, b.len));
			if (with_counts)
				tpl_obj_set_int(c, t, "count", v[i].count);
			tpl_list_push(c, items, t);
		}
		td_buf_release(&b);
		obj = tpl_obj(c);
		tpl_obj_set(c, obj, "items", items);
	}
	store_tags_free(v, n);
	return obj;
}

/* Set key of it to text with its search marks as HTML (escaped text and
 * our own <mark>), false when there is none; buf is scratch space. */
static void set_marked(struct tpl_ctx *c, struct tpl_val *it, const char *key,
		       struct td_buf *buf, const char *marked)
{
	td_buf_reset(buf);
	web_snippet_html(buf, marked);
	tpl_obj_set_bool(c, it, key, 0);
	if (!td_buf_err(buf) && buf->len)
		tpl_obj_set(c, it, key, tpl_safe(c, buf->p, buf->len));
}

int web_page_search(struct web_req *req, struct web_resp *resp)
{
	if (web_theme_init(req->cfg))
		return TD_EIO;
	const char *raw = web_req_arg(req, "q");
	if (!raw)
		raw = "";
	size_t rawlen = strlen(raw);
	int page;
	if (rawlen > SEARCH_MAX_QUERY ||
	    parse_page(web_req_arg(req, "page"), &page))
		return TD_EINVAL;
	size_t qlen = 0;
	char *q = td_utf8_clean(raw, rawlen, &qlen);
	if (!q)
		return TD_ENOMEM;
	td_collapse_ws(q);
	struct store_article *v = NULL;
	size_t n = 0;
	struct td_buf snip;
	td_buf_init(&snip, 64u * 1024u);
	int rc = TD_ENOMEM;
	struct tpl_ctx *c = tpl_ctx_new();
	if (!c)
		goto out;
	struct tpl_val *root =
		web_page_root(c, req, *q ? q : "Search");
	if (*q)
		tpl_obj_set(c, root, "page_title",
			    page > 1 ? tpl_strf(c, "Search: %s (page %d)", q,
						page)
				     : tpl_strf(c, "Search: %s", q));
	tpl_obj_set_bool(c, root, "is_search", 1);
	tpl_obj_set_bool(c, root, "noindex", 1);
	tpl_obj_set_str(c, root, "q", q);
	tpl_obj_set_str(c, root, "description", "Search the news.");
	if (*q) {
		struct store *st = web_req_store(req);
		if (!st) {
			rc = TD_EDB;
			goto out;
		}
		int more = 0;
		size_t offset = (size_t)(page - 1) * SEARCH_PAGE_SIZE;
		if (store_search_page(st, q, offset, SEARCH_PAGE_SIZE, &v, &n,
				      &more)) {
			rc = TD_EDB;
			goto out;
		}
		tpl_obj_set_bool(c, root, "searched", 1);
		if (n) {
			struct tpl_val *res = tpl_obj(c);
			struct tpl_val *items = tpl_list(c);
			for (size_t i = 0; i < n; i++) {
				struct tpl_val *it =
					web_list_item(c, req, &v[i], 0);
				set_marked(c, it, "snippet", &snip,
					   v[i].snippet);
				set_marked(c, it, "title_html", &snip,
					   v[i].title_marked);
				tpl_list_push(c, items, it);
			}
			tpl_obj_set(c, res, "items", items);
			tpl_obj_set_int(c, res, "start", (int64_t)offset + 1);
			tpl_obj_set(c, root, "results", res);
			if (page == 1 && !more)
				tpl_obj_set(c, root, "count_text",
					    tpl_strf(c,
						     "%zu %s for "
						     "\xe2\x80\x9c%s\xe2\x80\x9d",
						     n, n == 1 ? "result"
							       : "results",
						     q));
			else if (page == 1)
				tpl_obj_set(c, root, "count_text",
					    tpl_strf(c,
						     "More than %zu results for "
						     "\xe2\x80\x9c%s\xe2\x80\x9d",
						     n, q));
			else
				tpl_obj_set(c, root, "count_text",
					    tpl_strf(c,
						     "Results %zu\xe2\x80\x93%zu "
						     "for \xe2\x80\x9c%s\xe2\x80\x9d",
						     offset + 1, offset + n, q));
		} else if (page > 1) {
			tpl_obj_set(c, root, "count_text",
				    tpl_strf(c, "No more results for "
						"\xe2\x80\x9c%s\xe2\x80\x9d.",
					     q));
		} else {
			tpl_obj_set_bool(c, root, "no_results", 1);
			tpl_obj_set(c, root, "count_text",
				    tpl_strf(c, "0 results for "
						"\xe2\x80\x9c%s\xe2\x80\x9d",
					     q));
			struct tpl_val *t = topics(c, st, SUGGEST_TOPICS, 0,
						   &rc);
			if (rc)
				goto out;
			if (t)
				tpl_obj_set(c, root, "topics", t);
		}
		if (page > 1)
			tpl_obj_set(c, root, "prev_href",
				    search_href(c, q, page - 1));
		if (more && page < SEARCH_MAX_PAGE)
			tpl_obj_set(c, root, "next_href",
				    search_href(c, q, page + 1));
	}
	rc = web_render_shared(c, root, resp);
	if (rc)
		goto out;
	resp->cache_seconds = SEARCH_CACHE_SECONDS;
out:
	tpl_ctx_free(c);
	td_buf_release(&snip);
	store_articles_free(v, n);
	free(q);
	return rc;
}

/* ------------------------------------------------------------------------
 * About
 */

int web_page_about(struct web_req *req, struct web_resp *resp)
{
	if (web_theme_init(req->cfg))
		return TD_EIO;
	struct store *st = web_req_store(req);
	if (!st)
		return TD_EDB;
	struct store_source *src = NULL;
	size_t nsrc = 0;
	if (store_source_list(st, &src, &nsrc))
		return TD_EDB;
	struct td_buf b;
	td_buf_init(&b, 1024);
	int rc = TD_ENOMEM;
	struct tpl_ctx *c = tpl_ctx_new();
	if (!c)
		goto out;
	struct tpl_val *root = web_page_root(c, req, "About");
	tpl_obj_set_bool(c, root, "is_about", 1);
	tpl_obj_set(c, root, "description",
		    tpl_strf(c, "About %s: its sources, topics and feeds.",
			     req->cfg && req->cfg->site_title &&
					     *req->cfg->site_title
				     ? req->cfg->site_title
				     : "tidings"));
	if (nsrc) {
		struct tpl_val *items = tpl_list(c);
		for (size_t i = 0; i < nsrc; i++) {
			const struct store_source *s = &src[i];
			struct tpl_val *it = tpl_obj(c);
			const char *title = s->title && *s->title
						    ? s->title
						    : "Untitled source";
			td_buf_reset(&b);
			web_source_path(&b, s->id, s->title);
			if (td_buf_err(&b))
				continue;
			tpl_obj_set(c, it, "href", tpl_strn(c, b.p, b.len));
			tpl_obj_set_str(c, it, "title", title);
			tpl_obj_set_int(c, it, "count", s->n_articles);
			tpl_obj_set_bool(c, it, "site", 0);
			if (s->site_url && td_url_is_http(s->site_url)) {
				char *host = td_url_host(s->site_url);
				tpl_obj_set_str(c, it, "site", s->site_url);
				tpl_obj_set_str(c, it, "site_host",
						host ? host : s->site_url);
				free(host);
			}
			int fetched = s->last_fetch != TD_TIME_NONE &&
				      s->last_fetch > 0;
			tpl_obj_set_bool(c, it, "fetched", fetched);
			if (fetched)
				web_set_time(c, it, req->cfg, s->last_fetch);
			tpl_list_push(c, items, it);
		}
		struct tpl_val *obj = tpl_obj(c);
		tpl_obj_set(c, obj, "items", items);
		tpl_obj_set(c, root, "sources", obj);
	}
	struct tpl_val *t = topics(c, st, ABOUT_TOPICS, 1, &rc);
	if (rc)
		goto out;
	if (t)
		tpl_obj_set(c, root, "topics", t);
	rc = web_render_shared(c, root, resp);
	if (rc)
		goto out;
	resp->cache_seconds = ABOUT_CACHE_SECONDS;
out:
	tpl_ctx_free(c);
	td_buf_release(&b);
	store_sources_free(src, nsrc);
	return rc;
}
