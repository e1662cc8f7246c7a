/*
 * pages.c - the front page ("/", Latest News) and the article page
 * ("/a/{id}-{slug}") rendered from the embedded templates, and /static/.
 *
 * Templates: templates/layout.html is the page; it includes front.html or
 * article.html (and article_head.html, card.html) as partials. They are
 * compiled once into one tpl_set at first use (pthread_once) and then only
 * read. A template that fails to compile is logged and every page answers
 * 500 (the embedded theme is tested, so this means a broken build).
 *
 * The view count hole: the article template prints {{views}}, which we
 * fill with a per-process random token; after the render the token is
 * found (exactly once, else the render is refused), cut out, and its
 * offset becomes the hole. The token is unguessable, so feed text cannot
 * forge it; if a feed somehow contained it the page would be a 500, never
 * a wrong page.
 *
 * Dates are shown in UTC with the configured strftime date_format; the
 * timezone setting is not applied yet (setting TZ in a threaded server is
 * not safe; a later change can convert with a zone table).
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

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* Articles on one front page. */
#define FRONT_PAGE_SIZE 30
/* Articles in the "Other news" block, and candidates read for it. */
#define OTHER_NEWS 6
#define OTHER_CANDIDATES 40
/* Bytes of summary shown on a front-page card / in meta description. */
#define CARD_SUMMARY_BYTES 240
#define DESCRIPTION_BYTES 200
/* Longest slug, bytes. */
#define SLUG_MAX 60

/* ------------------------------------------------------------------------
 * Templates, compiled once
 */

static pthread_once_t theme_once = PTHREAD_ONCE_INIT;
static struct tpl_set *theme;       /* NULL when the theme failed */
static const struct tpl *layout;
static char hole_token[40];         /* "tdviews" + 32 hex */
static char css_href[64];           /* "/static/site.css?v=HASH" */

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ull;
	}
	return h;
}

static void theme_init(void)
{
	unsigned char rnd[16];
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
		uint64_t seed = (uint64_t)time(NULL) ^
				((uint64_t)getpid() << 32) ^
				(uint64_t)(uintptr_t)&seed;
		for (size_t i = 0; i < sizeof rnd; i++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			rnd[i] = (unsigned char)(seed >> 56);
		}
	}
	size_t at = (size_t)snprintf(hole_token, sizeof hole_token, "tdviews");
	for (size_t i = 0; i < sizeof rnd && at + 2 < sizeof hole_token; i++)
		at += (size_t)snprintf(hole_token + at, sizeof hole_token - at,
				       "%02x", rnd[i]);

	const struct td_asset *css = td_asset_find("static/site.css");
	snprintf(css_href, sizeof css_href, "/static/site.css?v=%016llx",
		 css ? (unsigned long long)fnv1a(css->data, css->len) : 0ull);

	struct tpl_set *s = tpl_set_new();
	if (!s) {
		td_log(TD_LOG_ERROR, "serve: theme: out of memory");
		return;
	}
	/* every embedded templates/NAME, as partial NAME */
	for (const struct td_asset *a = td_asset_list(); a->name; a++) {
		if (strncmp(a->name, "templates/", 10))
			continue;
		struct td_error err = { 0 };
		if (tpl_set_add(s, a->name + 10, (const char *)a->data, a->len,
				&err)) {
			td_log(TD_LOG_ERROR, "serve: theme: %s", err.msg);
			tpl_set_free(s);
			return;
		}
	}
	layout = tpl_set_get(s, "layout.html");
	if (!layout) {
		td_log(TD_LOG_ERROR, "serve: theme: templates/layout.html missing");
		tpl_set_free(s);
		return;
	}
	theme = s;
}

/* ------------------------------------------------------------------------
 * Helpers
 */

void web_slug(struct td_buf *out, const char *title)
{
	if (!title)
		return;
	size_t start = out->len, last_cut = 0;
	int dash = 0;
	for (const unsigned char *p = (const unsigned char *)title; *p; p++) {
		int c = *p;
		if (c < 128 && isalnum(c)) {
			size_t n = out->len - start;
			if (n + (dash ? 2 : 1) > SLUG_MAX)
				break;
			if (dash) {
				last_cut = n;
				td_buf_putc(out, '-');
			}
			td_buf_putc(out, tolower(c));
			dash = 0;
		} else if (out->len > start) {
			dash = 1;
		}
	}
	/* a cut in mid-word: drop the partial word when a '-' exists */
	if (out->len - start >= SLUG_MAX - 1 && last_cut)
		td_buf_truncate(out, start + last_cut);
}

int web_cursor_parse(const char *s, int64_t *published, int64_t *id)
{
	if (!s || !*s || strlen(s) > 48)
		return TD_EINVAL;
	char *end;
	errno = 0;
	long long p = strtoll(s, &end, 10);
	if (errno || end == s || *end != '-' ||
	    !(end[1] >= '0' && end[1] <= '9'))
		return TD_EINVAL;
	const char *q = end + 1;
	long long i = strtoll(q, &end, 10);
	if (errno || end == q || *end || i <= 0)
		return TD_EINVAL;
	*published = p;
	*id = i;
	return 0;
}

int web_theme_ready(void)
{
	pthread_once(&theme_once, theme_init);
	return theme && layout ? 0 : TD_EIO;
}

struct tpl_val *web_article_href(struct tpl_ctx *c, int64_t id,
				    const char *title)
{
	struct td_buf b;
	td_buf_init(&b, 256);
	td_buf_printf(&b, "/a/%lld-", (long long)id);
	size_t before = b.len;
	web_slug(&b, title);
	if (b.len == before)
		td_buf_truncate(&b, before - 1);
	struct tpl_val *v = td_buf_err(&b) ? tpl_str(c, "/")
					   : tpl_strn(c, b.p, b.len);
	td_buf_release(&b);
	return v;
}

void web_set_time(struct tpl_ctx *c, struct tpl_val *obj,
		     const struct td_config *cfg, int64_t t)
{
	if (t == TD_TIME_NONE)
		return;
	char rfc[32];
	td_time_rfc3339(t, rfc);
	tpl_obj_set_str(c, obj, "datetime", rfc);
	time_t tt = (time_t)t;
	struct tm tm;
	char out[128];
	size_t n = 0;
	const char *fmt = cfg && cfg->date_format && *cfg->date_format
				  ? cfg->date_format
				  : "%d-%m-%Y %H:%M";
	/* the format is the site's configuration, not input */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (gmtime_r(&tt, &tm))
		n = strftime(out, sizeof out, fmt, &tm);
#pragma GCC diagnostic pop
	if (!n)
		snprintf(out, sizeof out, "%.10s %.5s", rfc, rfc + 11);
	tpl_obj_set_str(c, obj, "date", out);
}

void web_set_excerpt(struct tpl_ctx *c, struct tpl_val *obj,
			const char *key, const char *text, size_t max)
{
	if (!text || !*text)
		return;
	size_t len = strlen(text);
	if (len <= max) {
		tpl_obj_set_str(c, obj, key, text);
		return;
	}
	size_t cut = td_utf8_cut(text, len, max);
	while (cut > 0 && text[cut - 1] != ' ')
		cut--;
	if (cut < max / 2)
		cut = td_utf8_cut(text, len, max);
	while (cut > 0 && text[cut - 1] == ' ')
		cut--;
	tpl_obj_set(c, obj, key, tpl_strf(c, "%.*s\xe2\x80\xa6", (int)cut,
					   text));
}

struct tpl_val *web_page_root(struct tpl_ctx *c, const struct web_req *req,
				 const char *title)
{
	struct tpl_val *root = tpl_obj(c);
	const char *site = req->cfg && req->cfg->site_title &&
				   *req->cfg->site_title
			       ? req->cfg->site_title
			       : "tidings";
	tpl_obj_set_str(c, root, "site_title", site);
	tpl_obj_set_str(c, root, "page_title", title);
	tpl_obj_set_str(c, root, "lang", "en");
	tpl_obj_set_str(c, root, "css_href", css_href);
	return root;
}

struct tpl_val *web_list_item(struct tpl_ctx *c, const struct web_req *req,
				 const struct store_article *a, int card)
{
	struct tpl_val *it = tpl_obj(c);
	const char *title = a->title && *a->title ? a->title : "(untitled)";
	tpl_obj_set(c, it, "href", web_article_href(c, a->id, a->title));
	tpl_obj_set_str(c, it, "title", title);
	tpl_obj_set_str(c, it, "source", a->source_title ? a->source_title
							 : "");
	web_set_time(c, it, req->cfg, a->published);
	if (card) {
		/* explicit empties: a missing key would be found outside */
		tpl_obj_set_bool(c, it, "image", 0);
		tpl_obj_set_bool(c, it, "summary", 0);
		if (a->image && td_url_is_http(a->image)) {
			tpl_obj_set_str(c, it, "image", a->image);
			tpl_obj_set_str(c, it, "image_alt", title);
		}
		web_set_excerpt(c, it, "summary",
			    a->summary && *a->summary ? a->summary
						      : a->content_text,
			    CARD_SUMMARY_BYTES);
	}
	return it;
}

int web_render(struct tpl_ctx *c, const struct tpl_val *root,
	       struct web_resp *resp)
{
	int rc = web_theme_ready();
	if (rc)
		return rc;
	rc = tpl_ctx_err(c);
	if (rc)
		return rc;
	return tpl_render(layout, theme, root, &resp->body);
}

/* ------------------------------------------------------------------------
 * Front page
 */

int web_page_front(struct web_req *req, struct web_resp *resp)
{
	if (web_theme_ready())
		return TD_EIO;
	int64_t bp = 0, bid = 0;
	const char *cur = web_req_arg(req, "before");
	if (cur && *cur && web_cursor_parse(cur, &bp, &bid))
		return TD_EINVAL;
	struct store *st = web_req_store(req);
	if (!st)
		return TD_EDB;
	struct store_article *v = NULL;
	size_t n = 0;
	/* one more than shown tells whether an older page exists */
	if (store_latest(st, 0, bp, bid, FRONT_PAGE_SIZE + 1, &v, &n))
		return TD_EDB;
	int rc = TD_ENOMEM;
	struct tpl_ctx *c = tpl_ctx_new();
	if (!c)
		goto out;
	struct tpl_val *root = web_page_root(c, req, "Latest News");
	tpl_obj_set_bool(c, root, "is_front", 1);
	tpl_obj_set_str(c, root, "description",
			"The latest news from every source, newest first.");
	struct tpl_val *items = tpl_list(c);
	size_t shown = n > FRONT_PAGE_SIZE ? FRONT_PAGE_SIZE : n;
	int64_t newest = TD_TIME_NONE;
	for (size_t i = 0; i < shown; i++) {
		tpl_list_push(c, items, web_list_item(c, req, &v[i], 1));
		if (v[i].first_seen > newest)
			newest = v[i].first_seen;
	}
	tpl_obj_set(c, root, "items", items);
	tpl_obj_set_bool(c, root, "paged", bid > 0);
	if (n > FRONT_PAGE_SIZE && shown > 0)
		tpl_obj_set(c, root, "older_href",
			    tpl_strf(c, "/?before=%lld-%lld",
				     (long long)v[shown - 1].published,
				     (long long)v[shown - 1].id));
	rc = web_render(c, root, resp);
	if (rc)
		goto out;
	resp->cc = WEB_CC_SHORT;
	resp->cacheable = 1;
	resp->last_modified = newest;
out:
	tpl_ctx_free(c);
	store_articles_free(v, n);
	return rc;
}

/* ------------------------------------------------------------------------
 * Article page
 */

/* "123" or "123-slug": the id (> 0) and *slug (after the '-', or ""), or 0. */
static int64_t parse_article_path(const char *rest, const char **slug)
{
	int64_t id = 0;
	int digits = 0;
	for (; *rest >= '0' && *rest <= '9'; rest++) {
		if (++digits > 18)
			return 0;
		id = id * 10 + (*rest - '0');
	}
	if (!digits || (*rest && *rest != '-'))
		return 0;
	*slug = *rest ? rest + 1 : "";
	return id;
}

/* Pick the "Other news" list from candidates: first one article per other
 * source, then more from other sources, then any; never the article. */
static struct tpl_val *other_news(struct tpl_ctx *c, const struct web_req *req,
				  const struct store_article *a,
				  const struct store_article *v, size_t n)
{
	struct tpl_val *items = tpl_list(c);
	unsigned char used[OTHER_CANDIDATES] = { 0 };
	size_t picked = 0;
	for (int pass = 0; pass < 3 && picked < OTHER_NEWS; pass++) {
		for (size_t i = 0; i < n && i < OTHER_CANDIDATES &&
				   picked < OTHER_NEWS;
		     i++) {
			if (used[i] || v[i].id == a->id)
				continue;
			if (pass < 2 && v[i].source_id == a->source_id)
				continue;
			if (pass == 0) {
				int seen = 0;
				for (size_t j = 0; j < n && j < OTHER_CANDIDATES;
				     j++)
					if (used[j] &&
					    v[j].source_id == v[i].source_id)
						seen = 1;
				if (seen)
					continue;
			}
			used[i] = 1;
			picked++;
		}
	}
	for (size_t i = 0; i < n && i < OTHER_CANDIDATES; i++)
		if (used[i])
			tpl_list_push(c, items, web_list_item(c, req, &v[i], 0));
	return items;
}

/* Cut the hole token out of the body; its offset becomes the hole. */
static int place_hole(struct web_resp *resp, const struct store_article *a)
{
	size_t tl = strlen(hole_token);
	const char *p = resp->body.p;
	if (!p)
		return TD_EINVAL;
	const char *at = memmem(p, resp->body.len, hole_token, tl);
	if (!at)
		return TD_EINVAL;
	size_t off = (size_t)(at - p);
	if (memmem(at + tl, resp->body.len - off - tl, hole_token, tl))
		return TD_EINVAL;
	memmove(resp->body.p + off, resp->body.p + off + tl,
		resp->body.len - off - tl);
	td_buf_truncate(&resp->body, resp->body.len - tl);
	size_t end = resp->body.len;
	resp->body.len = off;
	web_resp_hole(resp, WEB_HOLE_VIEWS_LABEL, a->id, a->views);
	resp->body.len = end;
	return 0;
}

static int article_redirect(struct web_resp *resp, const struct td_buf *want)
{
	int rc = web_resp_redirect(resp, 301, want->p);
	if (rc)
		return rc;
	td_buf_puts(&resp->body, "<!doctype html>\n<title>Moved</title>"
				 "<p>Moved to <a href=\"");
	web_html_escape(&resp->body, want->p);
	td_buf_puts(&resp->body, "\">");
	web_html_escape(&resp->body, want->p);
	td_buf_puts(&resp->body, "</a></p>\n");
	resp->cc = WEB_CC_SHORT;
	resp->cacheable = 1;
	return 0;
}

int web_page_article(struct web_req *req, struct web_resp *resp)
{
	if (web_theme_ready())
		return TD_EIO;
	const char *slug = "";
	int64_t id = parse_article_path(req->rest, &slug);
	if (id <= 0)
		return TD_ENOTFOUND;
	struct store *st = web_req_store(req);
	if (!st)
		return TD_EDB;
	struct store_article a;
	memset(&a, 0, sizeof a);
	int rc = store_article_get(st, id, &a);
	if (rc)
		return rc == TD_ENOTFOUND ? rc : TD_EDB;
	struct store_source src;
	memset(&src, 0, sizeof src);
	int have_src = 0;
	struct store_article *v = NULL;
	size_t n = 0;
	struct tpl_ctx *c = NULL;
	struct td_buf want;
	td_buf_init(&want, 256);

	/* the canonical site path; anything else redirects there */
	td_buf_printf(&want, "/a/%lld", (long long)id);
	size_t base = want.len;
	td_buf_putc(&want, '-');
	web_slug(&want, a.title);
	if (want.len == base + 1)
		td_buf_truncate(&want, base);
	rc = td_buf_err(&want);
	if (rc)
		goto out;
	if (strcmp(req->path, want.p)) {
		rc = article_redirect(resp, &want);
		goto out;
	}

	rc = store_source_get(st, a.source_id, &src);
	if (rc && rc != TD_ENOTFOUND) {
		rc = TD_EDB;
		goto out;
	}
	have_src = rc == 0;
	if (store_latest(st, 0, 0, 0, OTHER_CANDIDATES, &v, &n)) {
		rc = TD_EDB;
		goto out;
	}

	rc = TD_ENOMEM;
	c = tpl_ctx_new();
	if (!c)
		goto out;
	const char *title = a.title && *a.title ? a.title : "(untitled)";
	const char *source = a.source_title && *a.source_title
				     ? a.source_title
			     : have_src && src.title && *src.title ? src.title
								    : "the source";
	struct tpl_val *root = web_page_root(c, req, title);
	tpl_obj_set_bool(c, root, "is_article", 1);
	tpl_obj_set_str(c, root, "title", title);
	tpl_obj_set_str(c, root, "source", source);
	{
		struct td_buf up;
		td_buf_init(&up, 4096);
		for (const char *p = source; *p; p++)
			td_buf_putc(&up, (*p >= 'a' && *p <= 'z') ? *p - 32
								  : *p);
		tpl_obj_set(c, root, "source_upper",
			    td_buf_err(&up) ? tpl_str(c, source)
					    : tpl_strn(c, up.p, up.len));
		td_buf_release(&up);
	}
	web_set_time(c, root, req->cfg, a.published);
	tpl_obj_set_str(c, root, "views", hole_token);
	int http = a.url && td_url_is_http(a.url);
	tpl_obj_set_bool(c, root, "url", 0);
	tpl_obj_set_bool(c, root, "canonical", 0);
	if (http) {
		tpl_obj_set_str(c, root, "url", a.url);
		tpl_obj_set_str(c, root, "canonical", a.url);
	}
	if (a.image && td_url_is_http(a.image))
		tpl_obj_set_str(c, root, "og_image", a.image);
	const char *plain = a.summary && *a.summary ? a.summary
						    : a.content_text;
	web_set_excerpt(c, root, "description", plain, DESCRIPTION_BYTES);
	int summary_mode = have_src && src.mode == STORE_MODE_SUMMARY;
	tpl_obj_set_bool(c, root, "summary_mode", summary_mode);
	if (summary_mode)
		web_set_excerpt(c, root, "summary", plain, 2000);
	if (a.content_html) /* sanitizer output */
		tpl_obj_set(c, root, "body",
			    tpl_safe_borrow(c, a.content_html,
					    strlen(a.content_html)));
	else if (plain)
		tpl_obj_set(c, root, "body",
			    tpl_strf(c, "%s", plain));
	struct tpl_val *other = tpl_obj(c);
	struct tpl_val *items = other_news(c, req, &a, v, n);
	tpl_obj_set(c, other, "items", items);
	if (tpl_val_len(items))
		tpl_obj_set(c, root, "other", other);
	rc = web_render(c, root, resp);
	if (rc)
		goto out;
	rc = place_hole(resp, &a);
	if (rc) {
		td_log(TD_LOG_WARN, "serve: %s: view count slot not found once",
		       req->path);
		rc = TD_EIO;
		goto out;
	}
	resp->cc = WEB_CC_REVALIDATE;
	resp->cacheable = 1;
out:
	tpl_ctx_free(c);
	td_buf_release(&want);
	store_articles_free(v, n);
	if (have_src)
		store_source_release(&src);
	store_article_release(&a);
	return rc;
}

/* ------------------------------------------------------------------------
 * Static files
 */

static const char *static_type(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (!dot)
		return "application/octet-stream";
	if (!strcmp(dot, ".css"))
		return "text/css; charset=utf-8";
	if (!strcmp(dot, ".svg"))
		return "image/svg+xml";
	if (!strcmp(dot, ".png"))
		return "image/png";
	if (!strcmp(dot, ".ico"))
		return "image/x-icon";
	if (!strcmp(dot, ".woff2"))
		return "font/woff2";
	if (!strcmp(dot, ".txt"))
		return "text/plain; charset=utf-8";
	return "application/octet-stream";
}

int web_page_static(struct web_req *req, struct web_resp *resp)
{
	const char *name = req->rest;
	size_t len = strlen(name);
	if (!len || len > 128 || strstr(name, "..") || strchr(name, '/'))
		return TD_ENOTFOUND;
	char path[160];
	snprintf(path, sizeof path, "static/%s", name);
	const struct td_asset *a = td_asset_find(path);
	if (!a)
		return TD_ENOTFOUND;
	td_buf_append(&resp->body, a->data, a->len);
	resp->content_type = static_type(name);
	resp->cc = WEB_CC_IMMUTABLE;
	resp->cacheable = 1;
	return 0;
}
