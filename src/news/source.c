/*
 * source.c - adding a source: resolve what the user typed to a feed URL,
 * discovering the feed behind an HTML page when needed.
 */
#include "news/news.h"

#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/time.h"
#include "core/url.h"
#include "feed/feed.h"
#include "fetch/fetch.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Most candidates probed when a page links no feed. */
#define MAX_PROBES 16

struct got {
	int done;
	int error;
	int status;
	char *url;       /* requested */
	char *final_url;
	char *permanent_url;
	char *errmsg;
	char *body;
	size_t len;
	char *charset;
};

static void got_release(struct got *g)
{
	free(g->url);
	free(g->final_url);
	free(g->permanent_url);
	free(g->errmsg);
	free(g->body);
	free(g->charset);
	memset(g, 0, sizeof *g);
}

static void on_got(const struct fetch_result *r, void *user)
{
	struct got *g = user;
	g->done = 1;
	g->error = r->error;
	g->status = r->status;
	g->final_url = td_strdup(r->final_url);
	g->permanent_url = td_strdup(r->permanent_url);
	g->errmsg = td_strdup(r->errmsg);
	g->charset = td_strdup(r->charset);
	if (r->body && !r->error && r->status >= 200 && r->status < 300) {
		g->body = malloc(r->len + 1);
		if (g->body) {
			memcpy(g->body, r->body, r->len);
			g->body[r->len] = '\0';
			g->len = r->len;
		}
	}
}

static struct fetcher *new_fetcher(const struct td_config *cfg)
{
	struct fetch_opts fo = { 0 };
	if (cfg) {
		fo.per_host = cfg->fetch_per_host;
		fo.total_timeout = cfg->fetch_timeout;
		fo.max_bytes = (size_t)cfg->fetch_max_bytes;
	}
	return fetcher_new(&fo);
}

/* Fetch n URLs concurrently into g[0..n). */
static int fetch_all(const struct td_config *cfg, struct got *g, size_t n)
{
	struct fetcher *f = new_fetcher(cfg);
	if (!f)
		return TD_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct fetch_request req = { .url = g[i].url, .user = &g[i] };
		if (fetcher_add(f, &req, on_got)) {
			g[i].error = TD_EINVAL;
			g[i].errmsg = strdup("not a fetchable URL");
		}
	}
	int rc = fetcher_run(f);
	fetcher_free(f);
	return rc;
}

static int is_feed(const struct got *g)
{
	return g->body && feed_sniff(g->body, g->len);
}

/* What the user typed, as an absolute URL: a URL as is, an existing path as
 * file://, a bare host name as https://. */
static char *input_url(const char *in)
{
	struct stat sb;
	if (strstr(in, "://"))
		return td_url_resolve(NULL, in);
	if (stat(in, &sb) == 0)
		return td_url_from_path(in);
	struct td_buf b;
	td_buf_init(&b, 0);
	td_buf_printf(&b, "https://%s", in);
	char *s = td_buf_detach(&b, NULL), *r = s ? td_url_resolve(NULL, s) : NULL;
	free(s);
	return r;
}

/* Lower-cased title with format words removed, to tell "RSS" and "Atom"
 * versions of one feed from genuinely different feeds. */
static void title_key(const char *t, char *out, size_t cap)
{
	static const char *noise[] = { "rss", "atom", "json", "feed", "2.0",
				       "1.0", "0.91", "0.92", "xml", "&raquo;",
				       "»", "-", "|", NULL };
	size_t o = 0;
	const char *p = t ? t : "";
	while (*p && o + 1 < cap) {
		while (*p == ' ')
			p++;
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		size_t wl = (size_t)(p - w);
		int skip = !wl;
		for (int i = 0; noise[i] && !skip; i++)
			skip = strlen(noise[i]) == wl &&
			       !strncasecmp(w, noise[i], wl);
		if (skip)
			continue;
		for (size_t i = 0; i < wl && o + 1 < cap; i++)
			out[o++] = (char)((w[i] >= 'A' && w[i] <= 'Z')
						  ? w[i] + 32 : w[i]);
		if (o + 1 < cap)
			out[o++] = ' ';
	}
	out[o] = '\0';
}

static int is_comment_feed(const struct feed_link *l)
{
	return (l->title && strcasestr(l->title, "comment")) ||
	       strcasestr(l->url, "comment");
}

/* The page links several different (non-comment) feeds in its head. */
static int ambiguous(const struct feed_link *l, size_t n, struct td_buf *list)
{
	char k0[256], k[256];
	size_t distinct = 0;
	int first = -1;
	for (size_t i = 0; i < n; i++) {
		if (is_comment_feed(&l[i]) || !l[i].type)
			continue;
		title_key(l[i].title, k, sizeof k);
		if (first < 0) {
			first = (int)i;
			memcpy(k0, k, sizeof k0);
			distinct = 1;
		} else if (strcmp(k, k0)) {
			distinct++;
		}
	}
	if (distinct < 2)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_comment_feed(&l[i]) && l[i].type)
			td_buf_printf(list, " %s%s%s%s", l[i].url,
				      l[i].title ? " (" : "",
				      l[i].title ? l[i].title : "",
				      l[i].title ? ")" : "");
	return 1;
}

static int add(struct store *st, const char *feed_url, const char *site_url,
	       const struct got *g, const struct news_add_opts *o, int64_t *id,
	       struct td_error *err)
{
	struct store_source src;
	memset(&src, 0, sizeof src);
	struct feed *f = NULL;
	struct feed_parse_opts po = { .base_url = feed_url,
				      .http_charset = g->charset };
	if (feed_parse(g->body, g->len, &po, &f, NULL) == 0) {
		src.title = f->title;
		if (!site_url)
			site_url = f->home_page_url;
	}
	src.url = (char *)feed_url;
	src.site_url = (char *)site_url;
	if (o && o->title)
		src.title = (char *)o->title;
	src.tags = (char *)(o ? o->tags : NULL);
	src.mode = o ? o->mode : STORE_MODE_AUTO;
	src.created = td_now();
	src.last_fetch = TD_TIME_NONE;
	src.last_new_item = TD_TIME_NONE;
	src.next_fetch = 0;
	int rc = store_source_add(st, &src, id);
	feed_free(f);
	if (rc == TD_EEXIST)
		return td_error_set(err, rc, "%s is already source %lld",
				    feed_url, (long long)*id);
	if (rc)
		return td_error_set(err, rc, "adding %s: %s", feed_url,
				    store_errmsg(st));
	return 0;
}

int news_add_source(struct store *st, const char *url_or_path,
		    const struct news_add_opts *o, int64_t *id,
		    struct td_error *err)
{
	const struct td_config *cfg = o ? o->config : NULL;
	struct got page = { 0 }, probe[MAX_PROBES];
	struct feed_link *links = NULL;
	size_t nprobe = 0;
	int nlinks = 0, rc;
	struct td_buf list;
	td_buf_init(&list, 4096);
	memset(probe, 0, sizeof probe);

	page.url = input_url(url_or_path);
	if (!page.url) {
		rc = td_error_set(err, TD_EINVAL, "not a URL or file: %s",
				  url_or_path);
		goto out;
	}
	struct store_source existing;
	memset(&existing, 0, sizeof existing);
	if (store_source_get_by_url(st, page.url, &existing) == 0) {
		*id = existing.id;
		store_source_release(&existing);
		rc = td_error_set(err, TD_EEXIST, "%s is already source %lld",
				  page.url, (long long)*id);
		goto out;
	}
	if ((rc = fetch_all(cfg, &page, 1)))
		goto out;
	if (page.error || page.status >= 400 || !page.body) {
		rc = td_error_set(err, TD_EFETCH, "%s: %s", page.url,
				  page.errmsg ? page.errmsg : "fetch failed");
		goto out;
	}
	const char *here = page.permanent_url ? page.permanent_url : page.url;
	if (is_feed(&page)) {
		rc = add(st, here, NULL, &page, o, id, err);
		goto out;
	}

	/* An HTML page: the feeds it links, else the common feed paths. */
	const char *base = page.final_url ? page.final_url : page.url;
	nlinks = feed_discover(page.body, page.len, base, &links);
	if (nlinks < 0)
		nlinks = 0;
	if (nlinks > 0 && ambiguous(links, (size_t)nlinks, &list)) {
		rc = td_error_set(err, TD_EINVAL,
				  "%s links several feeds; add one of:%s",
				  page.url, td_buf_cstr(&list));
		goto out;
	}
	for (int i = 0; i < nlinks && nprobe < MAX_PROBES; i++)
		probe[nprobe++].url = strdup(links[i].url);
	if (!nlinks)
		for (int i = 0; feed_common_paths[i] && nprobe < MAX_PROBES; i++)
			if ((probe[nprobe].url = td_url_resolve(
				     base, feed_common_paths[i])))
				nprobe++;
	if ((rc = fetch_all(cfg, probe, nprobe)))
		goto out;
	for (size_t i = 0; i < nprobe; i++) {
		if (!is_feed(&probe[i]))
			continue;
		const char *u = probe[i].permanent_url ? probe[i].permanent_url
						       : probe[i].url;
		rc = add(st, u, base, &probe[i], o, id, err);
		goto out;
	}
	rc = td_error_set(err, TD_ENOTFOUND, "no feed found at %s", page.url);
out:
	got_release(&page);
	for (size_t i = 0; i < nprobe; i++)
		got_release(&probe[i]);
	feed_links_free(links, nlinks > 0 ? (size_t)nlinks : 0);
	td_buf_release(&list);
	return rc;
}
