/*
 * web_int.h - internals shared by the files of src/web/: the limits of the
 * server, the page-handler interface, the page cache, the view counter and
 * the metrics. Nothing here leaves src/web/.
 *
 * Files: server.c (libmicrohttpd glue, threads, shutdown), router.c (route
 * table, error pages), theme.c (the theme: embedded templates and static
 * files, theme_dir overrides, the time zone, slugs), pages.c (the page kit,
 * front and article pages, /static/), lists.c (source, tag, search and
 * about pages), cache.c (page cache, gzip and splicing), views.c (view
 * counter), feeds.c (feeds out, sitemap, JSON-LD), api.c (JSON API),
 * metrics.c (/metrics, /healthz, /robots.txt), cli.c (`tidings serve`),
 * mhd_dl.c (libmicrohttpd loader).
 *
 * Writing a page: add a handler `int fn(struct web_req *, struct web_resp *)`
 * and a line in the route table of router.c. The handler appends the body
 * to resp->body and sets the status, the content type, the Cache-Control
 * policy, and resp->cacheable when the page may be served from memory until
 * the next web_cache_invalidate() (pages built only from the database and
 * the declared query arguments); resp->cache_seconds > 0 also ends the
 * cached copy's life after that many seconds (pages that change without
 * new articles, such as the front page's "Most read"). A per-request part (today only the view
 * count) is a hole: call web_resp_hole() where it goes, and the server fills
 * it at every request without re-rendering or recompressing the page.
 * Returning a negative TD_E* code instead makes the server answer with an
 * error page (TD_ENOTFOUND 404, TD_EINVAL 400, TD_EDB 503, others 500).
 */
#ifndef TD_WEB_INT_H
#define TD_WEB_INT_H

#include "core/buf.h"
#include "web/web.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct td_config;

/* ---- limits (each with its reason) -------------------------------------
 * They live here rather than in core/limits.h because only web/ uses them. */

/* Longest request target (path and query, as sent). Site URLs are short;
 * anything longer is a probe or an attack: 400. */
#define TD_WEB_MAX_URL 2048
/* Query parameters per request, and bytes of one decoded key or value. */
#define TD_WEB_MAX_ARGS 32
#define TD_WEB_MAX_ARG_BYTES 1024
/* Memory libmicrohttpd may use per connection: the request line and the
 * headers must fit in about half of it (it answers 414/431 itself beyond);
 * 8 KB of headers is what nginx accepts by default. Not more: the library
 * clears the whole pool before every request on a keep-alive connection. */
#define TD_WEB_CONN_MEMORY (16u * 1024u)
/* Idle keep-alive connections are closed after this many seconds. */
#define TD_WEB_CONN_TIMEOUT 30
/* Concurrent connections accepted. */
#define TD_WEB_MAX_CONNECTIONS 4096
/* Largest rendered body; a bigger page is a 500, never a crash. */
#define TD_WEB_MAX_BODY (16u * 1024u * 1024u)
/* Page cache budget (plain + gzip bytes + bookkeeping); pages larger than
 * an eighth of the budget are served but not cached. 16 MiB hold the
 * lists and several hundred article pages, within the 64 MB the whole
 * server should need with 100,000 articles. */
#define TD_WEB_CACHE_BYTES (16u * 1024u * 1024u)
/* Allocations from this size up are mmap'd, so freeing them returns the
 * memory at once (see web_server_start). */
#define TD_WEB_MMAP_THRESHOLD (128u * 1024u)
/* malloc arenas for the whole server: its threads are few and mostly
 * wait on the network or the database. */
#define TD_WEB_ARENAS 2
/* Articles with a view count held in memory (24 bytes each). Beyond, the
 * counter drops entries already written to disk. */
#define TD_WEB_MAX_VIEW_ENTRIES (1u << 20)
/* Bytes of a User-Agent inspected for bot names. */
#define TD_WEB_MAX_UA 512
/* Longest Host header accepted (a DNS name is at most 253 bytes). */
#define TD_WEB_MAX_HOST 255
/* Graceful shutdown waits at most this long for in-flight requests. */
#define TD_WEB_DRAIN_MS 5000
/* A stale page is served to other requests while one request renders
 * it again, for at most this long (then the next request renders). */
#define TD_WEB_REFRESH_MS 2000
/* Default view-count flush period. */
#define TD_WEB_FLUSH_MS 5000
/* The scheduler looks at the sources at least this often (seconds), so a
 * source added by another process is picked up. */
#define TD_WEB_SCHED_MAX_SLEEP 60

/* ---- the handler interface (router.c) ---------------------------------- */

enum web_method { WEB_GET = 1, WEB_HEAD = 2 };

struct web_arg {
	const char *key;
	const char *value; /* "" for a key without a value */
};

/* What a handler sees of a request. Strings are borrowed for the call. */
struct web_req {
	int method;           /* WEB_GET or WEB_HEAD */
	const char *path;     /* decoded path, starts with '/' */
	const char *rest;     /* path after the route's prefix ("" for exact
				 routes) */
	const char *base_url; /* site URL without trailing '/': the configured
				 base_url, else http://HOST from the request */
	const struct td_config *cfg; /* never NULL */
	/* The query arguments the route declares (struct web_route.args), in
	 * request order; others are not shown, so that the cache key (path +
	 * declared arguments) covers everything a page depends on. */
	const struct web_arg *args;
	size_t n_args;
	const char *user_agent; /* may be NULL */
	int64_t now;
	/* Read-only database connection: use web_req_store(). Tests may set
	 * st directly; otherwise it is the calling thread's connection to db,
	 * opened on first use and closed when the thread exits. */
	struct store *st;
	const char *db;
};

/* The first value of a declared query argument, or NULL. */
const char *web_req_arg(const struct web_req *r, const char *key);
/* The request's read connection (see struct web_req), or NULL when the
 * database cannot be opened (logged once per thread). */
struct store *web_req_store(struct web_req *r);
/* Close the calling thread's read connection now (tests; threads that
 * exit close theirs automatically). */
void web_thread_store_close(void);

/* Cache-Control policies. */
enum web_cc {
	WEB_CC_NO_STORE = 0, /* "no-store": errors, /metrics, /healthz */
	WEB_CC_REVALIDATE,   /* "no-cache": pages with a live view count */
	WEB_CC_SHORT,        /* "public, max-age=60": lists */
	WEB_CC_HOUR,         /* "public, max-age=3600": robots.txt, feeds */
	WEB_CC_IMMUTABLE,    /* one year, immutable: content-hashed files */
};
/* The Cache-Control value of a policy. */
const char *web_cc_value(int cc);

/* Per-request holes. The views holes show stored + pending views of one
 * article and count the request as a view (GET from a non-bot only). */
enum web_hole {
	WEB_HOLE_NONE = 0,
	WEB_HOLE_VIEWS,       /* "12" */
	WEB_HOLE_VIEWS_LABEL, /* "12 Views", "1 View" */
};

struct web_resp {
	int status;               /* 200 unless set */
	const char *content_type; /* static string; default HTML */
	struct td_buf body;       /* ceiling TD_WEB_MAX_BODY */
	int cc;                   /* enum web_cc; default WEB_CC_NO_STORE */
	int cacheable;            /* 1: the page cache may keep the body */
	int64_t last_modified;    /* TD_TIME_NONE when unknown */
	char *location;           /* redirects: owned */
	int hole;                 /* enum web_hole */
	size_t hole_at;           /* byte offset of the hole in body */
	int64_t hole_id;          /* article id */
	int64_t hole_views;       /* views stored in the database at render */
	int cache_seconds;        /* > 0: the page cache keeps the page at
				     most this long (td_now() seconds); 0:
				     until the next invalidation */
};

void web_resp_init(struct web_resp *r);
void web_resp_release(struct web_resp *r);
/* Put the hole at the current end of the body (one per page; a second call
 * replaces the first). */
void web_resp_hole(struct web_resp *r, int kind, int64_t article_id,
		   int64_t stored_views);
/* Make r a redirect (301, 302, 303, 307, 308) to location (copied). 0 or
 * TD_ENOMEM/TD_EINVAL. */
int web_resp_redirect(struct web_resp *r, int status, const char *location);

typedef int (*web_handler_fn)(struct web_req *req, struct web_resp *resp);

struct web_route {
	const char *path; /* exact path, or a prefix ending in '/' */
	int prefix;       /* 1: path is a prefix; req->rest is what follows */
	web_handler_fn fn;
	const char *args; /* declared query arguments, space-separated, or
			     NULL */
};

/* The route for a decoded path (NULL when none); *rest is set to the part
 * after a prefix route's path. */
const struct web_route *web_route_find(const char *path, const char **rest);
/* 1 when name is among the route's declared arguments. */
int web_route_has_arg(const struct web_route *rt, const char *name);
/* Run the route's handler: on a negative return the response is replaced
 * by the error page for it. Always leaves a complete response. */
void web_route_run(const struct web_route *rt, struct web_req *req,
		   struct web_resp *resp);
/* Replace resp with the error page for status (400, 404, 405, 500, 503;
 * any other status is a 500): templates/error.html through the layout
 * (status, reason, a message, a link home, the search form), never
 * touching the database; a plain built-in page when the theme cannot
 * render. Not cacheable, Cache-Control no-store. */
void web_error_page(struct web_req *req, struct web_resp *resp, int status);

/* Append s HTML-escaped (& < > " ') to b; NULL appends nothing. */
void web_html_escape(struct td_buf *b, const char *s);

/* ---- the theme (theme.c) -------------------------------------------------
 *
 * Every embedded templates/NAME is compiled once into one set (partial
 * NAME), then the theme_dir's templates/ and static/ files override or add
 * to the embedded ones, and the `timezone` zone is loaded (see theme.c and
 * docs/theme.md). layout.html is the page, and shows the partial of the
 * page whose flag the root object sets (is_front, is_article, ...). */
struct tpl_ctx;
struct tpl_val;
struct store;
struct store_article;
struct store_query;
struct td_asset;
struct td_tz;

/* Load the theme from cfg (NULL: the defaults) unless it is loaded: the
 * first call of the process decides (one server, one configuration); the
 * others return at once. 0, or TD_EIO when no theme can be built (logged
 * once; later calls fail at once). Thread-safe. */
int web_theme_init(const struct td_config *cfg);
/* web_theme_init(NULL): 0 when the theme is usable, else TD_EIO. */
int web_theme_ready(void);
/* Forget the loaded theme, so that the next web_theme_init loads again
 * (tests: nothing may be rendering). */
void web_theme_reset(void);
/* The theme's file of that name ("static/site.css"): theme_dir's if it has
 * one, else the embedded one; NULL when neither. Valid until
 * web_theme_reset. */
const struct td_asset *web_theme_file(const char *name);
/* "/static/site.HASH.css": the stylesheet's content-hashed href (a
 * static string before the theme is loaded). */
const char *web_theme_css_href(void);
/* The favicon's content-hashed href, as web_theme_css_href. */
const char *web_theme_icon_href(void);
/* The theme's static file for a request name: "NAME" itself, or
 * "BASE.HASH.EXT" for the file "BASE.EXT" (see web_theme_css_href), with
 * *fresh = 1 when HASH is the file's current hash (then it may be cached
 * for good). NULL when there is no such file. */
const struct td_asset *web_theme_static(const char *name, int *fresh);
/* The zone dates are shown in (NULL: UTC, also before the theme loads). */
const struct td_tz *web_theme_tz(void);
/* Render layout.html with root, appending to out. 0, TD_EIO without a
 * theme, or tpl_render's error. */
int web_theme_render(const struct tpl_val *root, struct td_buf *out);
/* 1 for a theme file name: letters, digits, '.', '-', '_', no leading '.',
 * no "..", 1 to 100 bytes. */
int web_theme_name_ok(const char *name);

/* ---- the page kit (pages.c), for every page made from templates ------
 *
 * A page handler: web_theme_init(req->cfg), a tpl_ctx, web_page_root(),
 * its own keys, web_render(). */

/* The root object with the keys every page has: site_title, page_title
 * (title), lang, css_href, base_url, and feeds (the site's feed links: a
 * list of {href, type, title, kind}). Loads the theme from req->cfg if
 * needed. */
struct tpl_val *web_page_root(struct tpl_ctx *c, const struct web_req *req,
			      const char *title);
/* Set root's own_feeds to the RSS, Atom and JSON Feed links ({href, type,
 * title, kind}) of the feed family under base (a site path without the
 * trailing '/': "/s/12-slug", "/t/rain"), titled with label (the source's
 * name, the tag): the layout links them in the head after the site's. */
void web_page_add_feeds(struct tpl_ctx *c, struct tpl_val *root,
			const char *base, const char *label);
/* An article of a list: href, title, source, date, datetime; with card
 * also image, image_alt and summary (false when absent). */
struct tpl_val *web_list_item(struct tpl_ctx *c, const struct web_req *req,
			      const struct store_article *a, int card);
/* The article's site path "/a/ID-SLUG" ("/a/ID" for a title without
 * letters or digits). */
struct tpl_val *web_article_href(struct tpl_ctx *c, int64_t id,
				 const char *title);
/* Set "date" (the site's date_format) and "datetime" (RFC 3339) of obj for
 * instant t; nothing for TD_TIME_NONE. */
void web_set_time(struct tpl_ctx *c, struct tpl_val *obj,
		  const struct td_config *cfg, int64_t t);
/* Set key of obj to a plain-text excerpt of text of at most max bytes (cut
 * at a word on a UTF-8 boundary, with an ellipsis when cut); nothing for
 * an empty text. */
void web_set_excerpt(struct tpl_ctx *c, struct tpl_val *obj, const char *key,
		     const char *text, size_t max);
/* A 301 to location with a small HTML body linking it, cacheable for a
 * short while (a page's canonical address: slugs, source paths). 0 or a
 * TD_E* code. */
int web_page_moved(struct web_resp *resp, const char *location);
/* Render layout.html with root into resp->body; the context's sticky
 * error first. 0 or a TD_E* code. */
int web_render(struct tpl_ctx *c, const struct tpl_val *root,
	       struct web_resp *resp);
/* web_render for a page every reader sees the same (lists, search, about):
 * on success it is marked cacheable, for a short while (WEB_CC_SHORT). */
int web_render_shared(struct tpl_ctx *c, const struct tpl_val *root,
		      struct web_resp *resp);

/* Percent-encode s for a URL path segment or query value: every byte but
 * ASCII letters, digits and - . _ ~ becomes %XX. NULL appends nothing. */
void web_url_encode(struct td_buf *out, const char *s);
/* Append a source's site path "/s/ID-SLUG" ("/s/ID" when the title gives
 * no slug). */
void web_source_path(struct td_buf *out, int64_t id, const char *title);
/* Append a tag's site path "/t/TAG" (TAG percent-encoded). */
void web_tag_path(struct td_buf *out, const char *tag);
/* A list of {name, href} for the tags (n of them, empty or NULL ones
 * skipped), for a tag list on a page. */
struct tpl_val *web_tag_list(struct tpl_ctx *c, char *const *tags, size_t n);
/* Append the HTML of a search snippet: s (text with each match between
 * \x01 and \x02, see store_search_page) escaped, the marks turned into
 * <mark> and </mark> (unbalanced or nested marks are dropped, a mark still
 * open at the end is closed). NULL appends nothing. */
void web_snippet_html(struct td_buf *out, const char *s);

/* One page of a keyset-paginated list of article cards (front, source and
 * tag pages). q holds the list's filters; the request's "before" or
 * "after" argument ("PUBLISHED-ID", see web_cursor_parse; both at once,
 * or a bad one, is TD_EINVAL) picks the page, of page_size cards. Sets on
 * root: items (cards), paged (1 when a cursor was given), newer_href and
 * newer_label ("Newer" with ?after=, or "Latest" to path when the page is
 * the newest one reached by ?after=), older_href (?before=) when an older
 * page exists. path is the list's own path ("/", "/s/12-slug"). *n_shown
 * gets the number of cards and *newest the latest first_seen among them
 * (TD_TIME_NONE when none), both may be NULL. 0, TD_EINVAL, TD_EDB or
 * TD_ENOMEM. */
int web_list_page(struct tpl_ctx *c, struct tpl_val *root,
		  struct web_req *req, struct store *st,
		  struct store_query *q, size_t page_size, const char *path,
		  size_t *n_shown, int64_t *newest);

/* The pages (pages.c: from templates/; metrics.c: the machine routes). */
int web_page_front(struct web_req *req, struct web_resp *resp);
int web_page_article(struct web_req *req, struct web_resp *resp);
int web_page_healthz(struct web_req *req, struct web_resp *resp);

/* lists.c: "/s/{id}-{slug}" (and its feeds, see web_feed_render),
 * "/t/{tag}" (and its feeds), "/search?q=&page=", "/about". */
int web_page_source(struct web_req *req, struct web_resp *resp);
int web_page_tag(struct web_req *req, struct web_resp *resp);
int web_page_search(struct web_req *req, struct web_resp *resp);
int web_page_about(struct web_req *req, struct web_resp *resp);

/* feeds.c: the site's own feeds and the sitemap. */
enum web_feed_kind { WEB_FEED_RSS = 1, WEB_FEED_ATOM, WEB_FEED_JSON };
/* "/feed.xml", "/atom.xml", "/feed.json": the site-wide feeds. */
int web_page_feed(struct web_req *req, struct web_resp *resp);
/* A feed of kind of the newest articles, of one source (source_id > 0) or
 * one tag (tag non-NULL) or the whole site, into resp. The source/tag
 * pages call it for "/s/{id}-{slug}/feed.xml" etc. TD_ENOTFOUND for an
 * unknown source; 0 or a TD_E* code. */
int web_feed_render(struct web_req *req, struct web_resp *resp, int kind,
		    int64_t source_id, const char *tag);
int web_page_sitemap(struct web_req *req, struct web_resp *resp);
/* Append the JSON-LD NewsArticle object of an article (its page URL under
 * req->base_url) to out, safe to place inside <script
 * type="application/ld+json"> (no "<", no U+2028/9 raw). 0 or TD_ENOMEM. */
int web_jsonld_article(struct td_buf *out, const struct web_req *req,
		       const struct store_article *a, const char *source_name,
		       const char *source_url);

/* api.c: "/api/v1/..." (JSON). */
int web_page_api(struct web_req *req, struct web_resp *resp);
int web_page_metrics(struct web_req *req, struct web_resp *resp);
int web_page_robots(struct web_req *req, struct web_resp *resp);

/* ---- the page cache (cache.c) -------------------------------------------
 *
 * An entry is one rendered page: the plain bytes, and the gzip bytes made
 * once when the page is cached. A page with a hole is kept as
 * [prefix][hole][suffix]: prefix and suffix are deflated separately (raw
 * deflate, the prefix ending on a Z_SYNC_FLUSH byte boundary, the suffix
 * ending with the final block), and at request time the hole text becomes
 * one stored deflate block between them: gzip header + prefix + hole +
 * suffix + trailer (crc32 continued over the hole, combined with the
 * suffix's by crc32_combine). Entries are immutable once built and
 * reference-counted: a request holds a reference while it answers, a
 * response being sent holds the bytes (mem_refs).
 */

#define WEB_ENTRY_ATTACH 2

struct web_entry {
	/* identity and bookkeeping (the cache's lock guards the links) */
	char *key;
	size_t key_len;
	uint64_t key_hash;
	uint64_t gen;              /* generation at render time */
	atomic_int refs;           /* the cache's and lookers' references */
	atomic_int mem_refs;       /* the entry's own (until refs drops to
				      0) and one per response in flight */
	size_t cost;               /* bytes charged to the budget */
	struct web_entry *hnext;   /* hash chain */
	struct web_entry *prev, *next; /* LRU list, most recent first */
	int linked;
	int64_t refreshing;        /* stale, and a request re-renders it since
				      this monotonic ms (0: none) */
	int64_t expires;           /* td_now() time from which the entry is
				      stale; 0: only generations end it */

	/* the response */
	int status;
	const char *content_type;
	int cc;
	int64_t last_modified;
	char *location;

	/* plain bytes: prefix = plain[0, hole_at), suffix = the rest */
	char *plain;
	size_t plain_len;
	int hole;
	size_t hole_at;
	int64_t hole_id;
	int64_t hole_views;
	uint64_t hash;             /* of the plain bytes, for ETags */
	char etag[24];             /* quoted; pages without a hole */
	char etag_gz[26];

	/* gzip: without a hole, a whole gzip member; with one, the prefix's
	 * deflate bytes then the suffix's */
	unsigned char *gz;
	size_t gz_len;
	size_t gz_prefix_len;
	uint32_t crc_prefix;
	uint32_t crc_suffix;
	unsigned long suffix_op;   /* crc32_combine_gen(suffix length) */

	/* objects the server builds per entry (prebuilt responses); detach
	 * releases them when the last reference (refs) is dropped */
	void *attached[WEB_ENTRY_ATTACH];
	void (*detach)(struct web_entry *e);
};

struct web_cache;

/* A cache holding at most budget bytes (0: TD_WEB_CACHE_BYTES). NULL on
 * OOM. */
struct web_cache *web_cache_new(size_t budget);
/* Drop every entry (references held elsewhere stay valid) and free. */
void web_cache_free(struct web_cache *c);
/* The current generation (entries of older ones are stale). */
uint64_t web_cache_generation(void);

/* Build an entry from a response (status 200/3xx, body, hole). gen is the
 * generation read BEFORE the page was rendered; r->cache_seconds > 0 sets
 * e->expires to td_now() + r->cache_seconds. Returns 0 and *out with one
 * reference, or TD_ENOMEM/TD_ETOOBIG. */
int web_entry_build(const char *key, size_t key_len, const struct web_resp *r,
		    uint64_t gen, struct web_entry **out);
void web_entry_ref(struct web_entry *e);
/* Drop a reference; the last one calls e->detach and drops the entry's own
 * hold on its bytes. NULL ok. */
void web_entry_unref(struct web_entry *e);
/* Hold / release the entry's bytes (plain, gz) without holding the entry:
 * for responses still being sent after the entry is gone. The last release
 * frees everything. */
void web_entry_mem_ref(struct web_entry *e);
void web_entry_mem_unref(struct web_entry *e);

/* The entry for key with a new reference, or NULL: the caller renders
 * the page (and web_cache_put's it, or web_cache_forget's the key when
 * the answer is not cacheable any more). A stale entry (older generation,
 * or expired) makes the first caller render (NULL) and is given to the
 * callers after it while that render runs, for at most TD_WEB_REFRESH_MS.
 * Thread-safe. */
struct web_entry *web_cache_get(struct web_cache *c, const char *key,
				size_t key_len);
/* Insert e (the cache takes its own reference), replacing an entry of the
 * same key, evicting least recently used entries over the budget. An entry
 * bigger than an eighth of the budget, or already stale (generation or
 * expiry), is not kept.
 * Returns 1 when kept, 0 when not. Thread-safe. */
int web_cache_put(struct web_cache *c, struct web_entry *e);
/* Drop the entry of key, if any (its page is no longer cacheable). */
void web_cache_forget(struct web_cache *c, const char *key, size_t key_len);

struct web_cache_stats {
	size_t entries;
	size_t bytes;
	uint64_t evictions;
	uint64_t stale;        /* stale entries found (and re-rendered) */
	uint64_t stale_served; /* stale entries served while re-rendered */
};
void web_cache_stats(struct web_cache *c, struct web_cache_stats *s);

/* Text of a hole for a view count into out (NUL-terminated); returns its
 * length. */
size_t web_hole_text(int kind, int64_t views, char *out, size_t cap);

/* The per-request pieces of a spliced page. */
struct web_splice {
	char hole[40];               /* plain hole text */
	size_t hole_len;
	unsigned char head[10];      /* gzip header */
	unsigned char hole_z[5 + 40]; /* the hole as a stored deflate block */
	size_t hole_z_len;
	unsigned char trailer[8];    /* crc32 and size */
	uint64_t hash;               /* of the whole plain page, for ETags */
};
/* Fill sp for entry e (which has a hole) showing views. */
void web_entry_splice(const struct web_entry *e, int64_t views,
		      struct web_splice *sp);

/* Compress p as one gzip member into out (appended). 0 or TD_ENOMEM /
 * TD_ETOOBIG. For responses that are not cached. */
int web_gzip(const void *p, size_t n, struct td_buf *out);

/* Quoted strong ETag for a body hash ("\"<16 hex>\"" or with "-z" for the
 * gzip bytes) into out (>= 24 bytes). */
void web_etag(uint64_t hash, int gz, char *out, size_t cap);

/* ---- views (views.c) ----------------------------------------------------
 *
 * Counts kept in memory per article (sharded hash tables under mutexes):
 * base (what the database holds, as far as this process knows) and pending
 * (counted, not yet written). Shown = base + pending. A flush writes the
 * pending counts in one transaction and moves them into base.
 */
struct web_views;

struct web_views *web_views_new(size_t max_entries);
void web_views_free(struct web_views *v);
/* The count to show for article id; stored is what the database held when
 * the page was rendered (used when the article is not yet tracked). When
 * count is 1 the view is counted first. */
int64_t web_views_hit(struct web_views *v, int64_t id, int64_t stored,
		      int count);
/* Write every pending count through the writer connection w (one
 * transaction). 0 (with *written set to the views written, may be NULL) or
 * the store's error; counts stay pending on failure. */
int web_views_flush(struct web_views *v, struct store *w, uint64_t *written);
/* Views counted and not yet written. */
uint64_t web_views_pending(struct web_views *v);
/* 1 when a User-Agent names a bot, crawler, preview fetcher or HTTP
 * library (or is missing/empty): such requests are not counted. */
int web_ua_is_bot(const char *ua);

/* ---- metrics (metrics.c) ------------------------------------------------ */

enum {
	WEB_ST_200, WEB_ST_301, WEB_ST_302, WEB_ST_304, WEB_ST_400,
	WEB_ST_404, WEB_ST_405, WEB_ST_500, WEB_ST_503, WEB_ST_OTHER,
	WEB_ST__COUNT
};

struct web_metrics {
	atomic_uint_fast64_t requests[WEB_ST__COUNT];
	atomic_uint_fast64_t cache_hits, cache_misses, cache_uncacheable;
	atomic_uint_fast64_t gzip_responses;
	atomic_uint_fast64_t views_counted, views_written, views_dropped;
	atomic_uint_fast64_t flush_errors;
	atomic_uint_fast64_t fetch_rounds, fetch_errors;
	atomic_uint_fast64_t fetch_new, fetch_updated, fetch_failed;
	atomic_int_fast64_t fetch_last_end;      /* time, 0 before any */
	atomic_int_fast64_t fetch_last_ms;       /* wall time of the last */
	atomic_int_fast64_t started;             /* server start time */
	/* live objects of the running server, for gauges (may be NULL) */
	struct web_cache *_Atomic cache;
	struct web_views *_Atomic views;
};

extern struct web_metrics web_metrics;

/* Count a response status. */
void web_metrics_status(int status);
/* Zero every counter (tests). */
void web_metrics_reset(void);
/* Append the Prometheus text exposition; articles and sources < 0 are
 * left out. */
void web_metrics_render(struct td_buf *b, int64_t articles, int64_t sources);

/* ---- the server (server.c) ---------------------------------------------- */

struct web_server;

/* Start everything web_serve runs, without waiting for a signal (tests).
 * 0 and *out, or a TD_E* code with err filled. */
int web_server_start(const struct web_opts *o, struct web_server **out,
		     struct td_error *err);
/* The port listened on. */
int web_server_port(const struct web_server *s);
/* Graceful stop (see web_serve) and free. NULL ok. */
void web_server_stop(struct web_server *s);

/* Helpers of the request path, exposed for unit tests. */
/* 1 when an Accept-Encoding value accepts gzip (q > 0). */
int web_accepts_gzip(const char *accept_encoding);
/* 1 when an If-None-Match value lists etag (weak comparison) or "*". */
int web_etag_matches(const char *if_none_match, const char *etag);
/* Parse an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"); 0 and *t, or
 * TD_EINVAL. */
int web_parse_http_date(const char *s, int64_t *t);
/* Parse a listen address into host (without brackets) and port. 0 or
 * TD_EINVAL. */
int web_parse_listen(const char *s, char *host, size_t cap, int *port);

#endif
