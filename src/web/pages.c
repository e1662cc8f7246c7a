/*
 * pages.c - the page kit every templated page uses (root object, list
 * items, dates, excerpts, keyset pagination, feed links, tag lists,
 * snippets), the front page ("/", Latest News), the article page
 * ("/a/{id}-{slug}") and /static/.
 *
 * Templates come from the theme (theme.c): layout.html is the page; it
 * includes front.html or article.html (and article_head.html, card.html,
 * pager.html) as partials.
 *
 * The view count hole: the article template prints {{views}}, which we
 * fill with a per-process random token; after the render the token is
 * found (exactly once, else the render is refused), cut out, and its
 * offset becomes the hole. The token is unguessable, so feed text cannot
 * forge it; if a feed somehow contained it the page would be a 500, never
 * a wrong page.
 *
 * Dates are shown in the theme's time zone (the `timezone` setting, loaded
 * once by theme.c) with the configured strftime date_format; the datetime
 * attribute is RFC 3339 with that zone's offset ("Z" when it is 0).
 */
#include "web/assets.h"
#include "web/web_int.h"

#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/time.h"
#include "core/tz.h"
#include "core/url.h"
#include "store/store.h"
#include "tpl/tpl.h"

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
/* The front page's "Most read": articles, window, and how long a rendered
 * front page may be served before the block is read again. */
#define MOST_READ 5
#define MOST_READ_WINDOW (24 * 3600)
#define FRONT_CACHE_SECONDS 60
/* Largest JSON-LD block placed in an article page. */
#define JSONLD_MAX (256u * 1024u)

/* ------------------------------------------------------------------------
 * The view-count token
 */

static pthread_once_t token_once = PTHREAD_ONCE_INIT;
static char hole_token[40]; /* "tdviews" + 32 hex */

static void make_token(void)
{
	unsigned char rnd[16];
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
		uint64_t seed = (uint64_t)time(NULL) ^
				((uint64_t)getpid() << 32) ^
				(uint64_t)(uintptr_t)&seed;
		for (size_t i = 0; i < sizeof rnd; i++) {
			seed = seed * 6364136223846793005ull +
			       1442695040888963407ull;
			rnd[i] = (unsigned char)(seed >> 56);
		}
	}
	size_t at = (size_t)snprintf(hole_token, sizeof hole_token, "tdviews");
	for (size_t i = 0; i < sizeof rnd && at + 2 < sizeof hole_token; i++)
		at += (size_t)snprintf(hole_token + at, sizeof hole_token - at,
				       "%02x", rnd[i]);
}

/* ------------------------------------------------------------------------
 * The page kit
 */

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

void web_url_encode(struct td_buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	if (!s)
		return;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char ch = *p;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		    ch == '_' || ch == '~') {
			td_buf_putc(out, ch);
			continue;
		}
		char e[3] = { '%', hex[ch >> 4], hex[ch & 15] };
		td_buf_append(out, e, 3);
	}
}

void web_source_path(struct td_buf *out, int64_t id, const char *title)
{
	td_buf_printf(out, "/s/%lld-", (long long)id);
	size_t before = out->len;
	web_slug(out, title);
	if (out->len == before)
		td_buf_truncate(out, before - 1);
}

void web_tag_path(struct td_buf *out, const char *tag)
{
	td_buf_puts(out, "/t/");
	web_url_encode(out, tag);
}

struct tpl_val *web_tag_list(struct tpl_ctx *c, char *const *tags, size_t n)
{
	struct tpl_val *list = tpl_list(c);
	struct td_buf b;
	td_buf_init(&b, 4096);
	for (size_t i = 0; tags && i < n; i++) {
		if (!tags[i] || !*tags[i])
			continue;
		td_buf_reset(&b);
		web_tag_path(&b, tags[i]);
		if (td_buf_err(&b))
			continue; /* a tag too long to link */
		struct tpl_val *t = tpl_obj(c);
		tpl_obj_set_str(c, t, "name", tags[i]);
		tpl_obj_set(c, t, "href", tpl_strn(c, b.p, b.len));
		tpl_list_push(c, list, t);
	}
	td_buf_release(&b);
	return list;
}

void web_snippet_html(struct td_buf *out, const char *s)
{
	if (!s)
		return;
	int open = 0;
	const char *run = s;
	for (const char *p = s;; p++) {
		if (*p && *p != '\x01' && *p != '\x02')
			continue;
		tpl_escape(out, run, (size_t)(p - run));
		if (!*p)
			break;
		if (*p == '\x01' && !open) {
			td_buf_puts(out, "<mark>");
			open = 1;
		} else if (*p == '\x02' && open) {
			td_buf_puts(out, "</mark>");
			open = 0;
		}
		run = p + 1;
	}
	if (open)
		td_buf_puts(out, "</mark>");
}

/* Format t in the theme's zone as RFC 3339 with the zone's offset into
 * out (>= 40 bytes), and fill *tm. */
static void local_time(const struct td_config *cfg, int64_t t, struct tm *tm,
		       char *out, size_t cap)
{
	web_theme_init(cfg);
	td_tz_local(web_theme_tz(), t, tm);
	long off = tm->tm_gmtoff;
	long year = (long)tm->tm_year + 1900;
	if (year < 0 || year > 9999 || off % 60) {
		/* not expressible with an offset (or not RFC 3339): UTC */
		char rfc[32];
		td_time_rfc3339(t, rfc);
		snprintf(out, cap, "%s", rfc);
		return;
	}
	char sign = off < 0 ? '-' : '+';
	long a = off < 0 ? -off : off;
	char zone[24] = "Z";
	if (off)
		snprintf(zone, sizeof zone, "%c%02ld:%02ld", sign, a / 3600,
			 (a / 60) % 60);
	snprintf(out, cap, "%04ld-%02d-%02dT%02d:%02d:%02d%s", year,
		 tm->tm_mon + 1, tm->tm_mday, tm->tm_hour, tm->tm_min,
		 tm->tm_sec, zone);
}

void web_set_time(struct tpl_ctx *c, struct tpl_val *obj,
		  const struct td_config *cfg, int64_t t)
{
	if (t == TD_TIME_NONE)
		return;
	struct tm tm;
	char rfc[48];
	local_time(cfg, t, &tm, rfc, sizeof rfc);
	tpl_obj_set_str(c, obj, "datetime", rfc);
	char out[128];
	size_t n = 0;
	const char *fmt = cfg && cfg->date_format && *cfg->date_format
				  ? cfg->date_format
				  : "%d-%m-%Y %H:%M";
	/* the format is the site's configuration, not input */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	n = strftime(out, sizeof out, fmt, &tm);
#pragma GCC diagnostic pop
	if (!n)
		snprintf(out, sizeof out, "%.10s %.5s", rfc, rfc + 11);
	tpl_obj_set_str(c, obj, "date", out);
}

void web_set_excerpt(struct tpl_ctx *c, struct tpl_val *obj, const char *key,
		     const char *text, size_t max)
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
	tpl_obj_set(c, obj, key,
		    tpl_strf(c, "%.*s\xe2\x80\xa6", (int)cut, text));
}

/* Push the three feed links of the family under base onto list. */
static void push_feeds(struct tpl_ctx *c, struct tpl_val *list,
		       const char *base, const char *label)
{
	static const struct {
		const char *file, *type, *kind;
	} kinds[] = {
		{ "feed.xml", "application/rss+xml", "RSS" },
		{ "atom.xml", "application/atom+xml", "Atom" },
		{ "feed.json", "application/feed+json", "JSON Feed" },
	};
	for (size_t i = 0; i < 3; i++) {
		struct tpl_val *f = tpl_obj(c);
		tpl_obj_set(c, f, "href",
			    tpl_strf(c, "%s/%s", base, kinds[i].file));
		tpl_obj_set_str(c, f, "type", kinds[i].type);
		tpl_obj_set(c, f, "title",
			    tpl_strf(c, "%s (%s)", label, kinds[i].kind));
		tpl_obj_set_str(c, f, "kind", kinds[i].kind);
		tpl_list_push(c, list, f);
	}
}

static const char *site_title(const struct web_req *req)
{
	return req->cfg && req->cfg->site_title && *req->cfg->site_title
		       ? req->cfg->site_title
		       : "tidings";
}

struct tpl_val *web_page_root(struct tpl_ctx *c, const struct web_req *req,
			      const char *title)
{
	web_theme_init(req->cfg);
	struct tpl_val *root = tpl_obj(c);
	const char *site = site_title(req);
	tpl_obj_set_str(c, root, "site_title", site);
	tpl_obj_set_str(c, root, "page_title", title);
	tpl_obj_set_str(c, root, "lang", "en");
	tpl_obj_set_str(c, root, "css_href", web_theme_css_href());
	tpl_obj_set_str(c, root, "icon_href", web_theme_icon_href());
	tpl_obj_set_str(c, root, "base_url", req->base_url ? req->base_url
							   : "");
	struct tpl_val *feeds = tpl_list(c);
	push_feeds(c, feeds, "", site);
	tpl_obj_set(c, root, "feeds", feeds);
	return root;
}

void web_page_add_feeds(struct tpl_ctx *c, struct tpl_val *root,
			const char *base, const char *label)
{
	struct tpl_val *own = tpl_list(c);
	push_feeds(c, own, base, label);
	tpl_obj_set(c, root, "own_feeds", own);
}

struct tpl_val *web_list_item(struct tpl_ctx *c, const struct web_req *req,
			      const struct store_article *a, int card)
{
	struct tpl_val *it = tpl_obj(c);
	const char *title = a->title && *a->title ? a->title : "(untitled)";
	tpl_obj_set(c, it, "href", web_article_href(c, a->id, a->title));
	tpl_obj_set_str(c, it, "title", title);
	tpl_obj_set_str(c, it, "source",
			a->source_title ? a->source_title : "");
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
	return web_theme_render(root, &resp->body);
}

int web_render_shared(struct tpl_ctx *c, const struct tpl_val *root,
		      struct web_resp *resp)
{
	int rc = web_render(c, root, resp);
	if (!rc) {
		resp->cc = WEB_CC_SHORT;
		resp->cacheable = 1;
	}
	return rc;
}

/* ------------------------------------------------------------------------
 * Keyset pagination
 */

/* path + "?" or "&" + name=PUBLISHED-ID */
static struct tpl_val *cursor_href(struct tpl_ctx *c, const char *path,
				   const char *name,
				   const struct store_article *a)
{
	return tpl_strf(c, "%s%c%s=%lld-%lld", path,
			strchr(path, '?') ? '&' : '?', name,
			(long long)a->published, (long long)a->id);
}

int web_list_page(struct tpl_ctx *c, struct tpl_val *root,
		  struct web_req *req, struct store *st,
		  struct store_query *q, size_t page_size, const char *path,
		  size_t *n_shown, int64_t *newest)
{
	const char *bs = web_req_arg(req, "before");
	const char *as = web_req_arg(req, "after");
	int before = bs && *bs, after = as && *as;
	if (n_shown)
		*n_shown = 0;
	if (newest)
		*newest = TD_TIME_NONE;
	if (before && after)
		return TD_EINVAL;
	if (before &&
	    web_cursor_parse(bs, &q->before_published, &q->before_id))
		return TD_EINVAL;
	if (after && web_cursor_parse(as, &q->after_published, &q->after_id))
		return TD_EINVAL;
	if (page_size == 0 || page_size > 1000)
		return TD_EINVAL;
	/* one more than shown tells whether the next page exists: an older
	 * one going down, a newer one going up */
	q->limit = page_size + 1;
	struct store_article *v = NULL;
	size_t n = 0;
	if (store_articles(st, q, &v, &n))
		return TD_EDB;
	size_t first = 0, shown = n;
	int more_older = 0, more_newer = 0;
	if (after) {
		/* the rows just above the cursor, newest first: an extra row
		 * is the start of a newer page */
		if (n > page_size) {
			first = n - page_size;
			more_newer = 1;
		}
		shown = n - first;
		more_older = 1; /* the cursor's own article, at least */
	} else if (n > page_size) {
		shown = page_size;
		more_older = 1;
	}
	struct tpl_val *items = tpl_list(c);
	int64_t top = TD_TIME_NONE;
	for (size_t i = first; i < first + shown; i++) {
		tpl_list_push(c, items, web_list_item(c, req, &v[i], 1));
		if (v[i].first_seen > top)
			top = v[i].first_seen;
	}
	tpl_obj_set(c, root, "items", items);
	tpl_obj_set_bool(c, root, "paged", before || after);
	if (shown && more_older)
		tpl_obj_set(c, root, "older_href",
			    cursor_href(c, path, "before",
					&v[first + shown - 1]));
	if (before || more_newer) {
		/* above a page reached going down, or a newer page above */
		struct store_article top_row;
		memset(&top_row, 0, sizeof top_row);
		if (shown)
			top_row = v[first];
		else { /* past the end: what is above the cursor */
			top_row.published = q->before_published;
			top_row.id = q->before_id;
		}
		tpl_obj_set(c, root, "newer_href",
			    cursor_href(c, path, "after", &top_row));
		tpl_obj_set_str(c, root, "newer_label", "Newer");
	} else if (after) {
		/* the newest page, reached going up: back to the top */
		tpl_obj_set_str(c, root, "newer_href", path);
		tpl_obj_set_str(c, root, "newer_label", "Latest");
	}
	if (n_shown)
		*n_shown = shown;
	if (newest)
		*newest = top;
	store_articles_free(v, n);
	return 0;
}

/* ------------------------------------------------------------------------
 * Front page
 */

/* The "Most read" block of the last 24 hours, or NULL when empty. */
static struct tpl_val *most_read(struct tpl_ctx *c, struct web_req *req,
				 struct store *st, int *rc)
{
	struct store_article *v = NULL;
	size_t n = 0;
	int64_t now = req->now ? req->now : td_now();
	*rc = 0;
	if (store_most_read(st, now - MOST_READ_WINDOW, MOST_READ, &v, &n)) {
		*rc = TD_EDB;
		return NULL;
	}
	struct tpl_val *block = NULL;
	if (n) {
		block = tpl_obj(c);
		struct tpl_val *items = tpl_list(c);
		for (size_t i = 0; i < n; i++) {
			struct tpl_val *it = web_list_item(c, req, &v[i], 0);
			tpl_obj_set(c, it, "reads",
				    tpl_strf(c, "%lld %s",
					     (long long)v[i].views,
					     v[i].views == 1 ? "view"
							     : "views"));
			tpl_list_push(c, items, it);
		}
		tpl_obj_set(c, block, "items", items);
	}
	store_articles_free(v, n);
	return block;
}

int web_page_front(struct web_req *req, struct web_resp *resp)
{
	if (web_theme_init(req->cfg))
		return TD_EIO;
	struct store *st = web_req_store(req);
	if (!st)
		return TD_EDB;
	int rc = TD_ENOMEM;
	struct tpl_ctx *c = tpl_ctx_new();
	if (!c)
		goto out;
	struct tpl_val *root = web_page_root(c, req, "Latest News");
	tpl_obj_set_bool(c, root, "is_front", 1);
	tpl_obj_set_str(c, root, "description",
			"The latest news from every source, newest first.");
	struct store_query q;
	store_query_init(&q, 0);
	int64_t newest = TD_TIME_NONE;
	rc = web_list_page(c, root, req, st, &q, FRONT_PAGE_SIZE, "/", NULL,
			   &newest);
	if (rc)
		goto out;
	int first_page = q.before_id == 0 && q.after_id == 0;
	struct tpl_val *mr = NULL;
	if (first_page) {
		mr = most_read(c, req, st, &rc);
		if (rc)
			goto out;
		if (mr)
			tpl_obj_set(c, root, "most_read", mr);
	}
	rc = web_render_shared(c, root, resp);
	if (rc)
		goto out;
	resp->last_modified = newest;
	if (first_page) {
		/* "Most read" moves without new articles */
		resp->cache_seconds = FRONT_CACHE_SECONDS;
		if (mr)
			resp->last_modified = req->now ? req->now : td_now();
	}
out:
	tpl_ctx_free(c);
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

int web_page_moved(struct web_resp *resp, const char *location)
{
	int rc = web_resp_redirect(resp, 301, location);
	if (rc)
		return rc;
	td_buf_puts(&resp->body, "<!doctype html>\n<title>Moved</title>"
				 "<p>Moved to <a href=\"");
	web_html_escape(&resp->body, location);
	td_buf_puts(&resp->body, "\">");
	web_html_escape(&resp->body, location);
	td_buf_puts(&resp->body, "</a></p>\n");
	resp->cc = WEB_CC_SHORT;
	resp->cacheable = 1;
	return 0;
}

/* The article's JSON-LD (feeds.c) as sanitizer-grade markup for the
 * <script type="application/ld+json"> of article_head.html, or nothing. */
static void set_jsonld(struct tpl_ctx *c, struct tpl_val *root,
		       const struct web_req *req, const struct store_article *a,
		       const char *source, const char *source_url)
{
	struct td_buf ld;
	td_buf_init(&ld, JSONLD_MAX);
	if (web_jsonld_article(&ld, req, a, source, source_url) == 0 &&
	    !td_buf_err(&ld) && ld.len) {
		/* the contract says no '<'; never trust it inside <script> */
		if (memchr(ld.p, '<', ld.len))
			td_log(TD_LOG_WARN, "serve: JSON-LD of article %lld "
					    "holds '<'; left out",
			       (long long)a->id);
		else
			tpl_obj_set(c, root, "jsonld",
				    tpl_safe(c, ld.p, ld.len));
	}
	td_buf_release(&ld);
}

int web_page_article(struct web_req *req, struct web_resp *resp)
{
	if (web_theme_init(req->cfg))
		return TD_EIO;
	pthread_once(&token_once, make_token);
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
		rc = web_page_moved(resp, want.p);
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
			td_buf_putc(&up,
				    (*p >= 'a' && *p <= 'z') ? *p - 32 : *p);
		tpl_obj_set(c, root, "source_upper",
			    td_buf_err(&up) ? tpl_str(c, source)
					    : tpl_strn(c, up.p, up.len));
		td_buf_release(&up);
	}
	if (have_src) {
		struct td_buf sp;
		td_buf_init(&sp, 256);
		web_source_path(&sp, src.id, src.title);
		if (!td_buf_err(&sp))
			tpl_obj_set(c, root, "source_href",
				    tpl_strn(c, sp.p, sp.len));
		td_buf_release(&sp);
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
		tpl_obj_set(c, root, "body", tpl_strf(c, "%s", plain));
	struct tpl_val *tags = web_tag_list(c, a.tags, a.n_tags);
	if (tpl_val_len(tags)) {
		struct tpl_val *t = tpl_obj(c);
		tpl_obj_set(c, t, "items", tags);
		tpl_obj_set(c, root, "tags", t);
	}
	set_jsonld(c, root, req, &a, source,
		   have_src && src.site_url && td_url_is_http(src.site_url)
			   ? src.site_url
			   : NULL);
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
	if (!strcmp(dot, ".jpg") || !strcmp(dot, ".jpeg"))
		return "image/jpeg";
	if (!strcmp(dot, ".webp"))
		return "image/webp";
	if (!strcmp(dot, ".gif"))
		return "image/gif";
	if (!strcmp(dot, ".woff"))
		return "font/woff";
	if (!strcmp(dot, ".woff2"))
		return "font/woff2";
	if (!strcmp(dot, ".txt"))
		return "text/plain; charset=utf-8";
	return "application/octet-stream";
}

int web_page_static(struct web_req *req, struct web_resp *resp)
{
	const char *name = req->rest;
	if (!web_theme_name_ok(name))
		return TD_ENOTFOUND;
	if (web_theme_init(req->cfg))
		return TD_EIO;
	int fresh = 0;
	const struct td_asset *a = web_theme_static(name, &fresh);
	if (!a)
		return TD_ENOTFOUND;
	td_buf_append(&resp->body, a->data, a->len);
	resp->content_type = static_type(name);
	/* content-hashed names are forever; a plain or outdated name may
	 * change with the theme */
	resp->cc = fresh ? WEB_CC_IMMUTABLE : WEB_CC_HOUR;
	resp->cacheable = 1;
	return 0;
}
