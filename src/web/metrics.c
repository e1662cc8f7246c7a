/*
 * metrics.c - counters of the running server and the machine routes:
 * /metrics (Prometheus text format 0.0.4), /healthz, /robots.txt.
 *
 * Counters are relaxed atomics bumped on the request path; /metrics reads
 * them without locks, so a scrape sees each value exact but not all of them
 * at one instant.
 *
 * The article and source counts come from the sources table, whose
 * per-source article counts the database keeps (triggers): one row per
 * source, whatever the number of articles.
 */
#include "web/web_int.h"

#include "core/err.h"
#include "core/time.h"
#include "store/store.h"

#include <string.h>

struct web_metrics web_metrics;

static const int status_codes[WEB_ST__COUNT] = {
	[WEB_ST_200] = 200, [WEB_ST_301] = 301, [WEB_ST_302] = 302,
	[WEB_ST_304] = 304, [WEB_ST_400] = 400, [WEB_ST_404] = 404,
	[WEB_ST_405] = 405, [WEB_ST_500] = 500, [WEB_ST_503] = 503,
	[WEB_ST_OTHER] = 0,
};

void web_metrics_status(int status)
{
	int i = WEB_ST_OTHER;
	for (int k = 0; k < WEB_ST_OTHER; k++)
		if (status_codes[k] == status)
			i = k;
	atomic_fetch_add_explicit(&web_metrics.requests[i], 1,
				  memory_order_relaxed);
}

void web_metrics_reset(void)
{
	for (int i = 0; i < WEB_ST__COUNT; i++)
		atomic_store(&web_metrics.requests[i], 0);
	atomic_store(&web_metrics.cache_hits, 0);
	atomic_store(&web_metrics.cache_misses, 0);
	atomic_store(&web_metrics.cache_uncacheable, 0);
	atomic_store(&web_metrics.gzip_responses, 0);
	atomic_store(&web_metrics.views_counted, 0);
	atomic_store(&web_metrics.views_written, 0);
	atomic_store(&web_metrics.views_dropped, 0);
	atomic_store(&web_metrics.flush_errors, 0);
	atomic_store(&web_metrics.fetch_rounds, 0);
	atomic_store(&web_metrics.fetch_errors, 0);
	atomic_store(&web_metrics.fetch_new, 0);
	atomic_store(&web_metrics.fetch_updated, 0);
	atomic_store(&web_metrics.fetch_failed, 0);
	atomic_store(&web_metrics.fetch_last_end, 0);
	atomic_store(&web_metrics.fetch_last_ms, 0);
}

static unsigned long long get(atomic_uint_fast64_t *a)
{
	return (unsigned long long)atomic_load_explicit(a, memory_order_relaxed);
}

static void counter(struct td_buf *b, const char *name, const char *help,
		    unsigned long long v)
{
	td_buf_printf(b, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name,
		      help, name, name, v);
}

static void gauge(struct td_buf *b, const char *name, const char *help,
		  long long v)
{
	td_buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n%s %lld\n", name,
		      help, name, name, v);
}

void web_metrics_render(struct td_buf *b, int64_t articles, int64_t sources)
{
	struct web_metrics *m = &web_metrics;
	td_buf_puts(b, "# HELP tidings_http_requests_total HTTP responses "
		       "by status code.\n"
		       "# TYPE tidings_http_requests_total counter\n");
	for (int i = 0; i < WEB_ST__COUNT; i++) {
		if (status_codes[i])
			td_buf_printf(b,
				      "tidings_http_requests_total{code=\"%d\"}"
				      " %llu\n",
				      status_codes[i], get(&m->requests[i]));
		else
			td_buf_printf(b,
				      "tidings_http_requests_total{code="
				      "\"other\"} %llu\n",
				      get(&m->requests[i]));
	}
	counter(b, "tidings_cache_hits_total",
		"Pages answered from the page cache.", get(&m->cache_hits));
	counter(b, "tidings_cache_misses_total",
		"Cacheable pages that had to be rendered.",
		get(&m->cache_misses));
	counter(b, "tidings_uncached_responses_total",
		"Responses rendered for every request (not cacheable).",
		get(&m->cache_uncacheable));
	counter(b, "tidings_gzip_responses_total",
		"Responses sent gzip-encoded.", get(&m->gzip_responses));
	struct web_cache *c = atomic_load(&m->cache);
	if (c) {
		struct web_cache_stats s;
		web_cache_stats(c, &s);
		gauge(b, "tidings_cache_entries", "Pages in the page cache.",
		      (long long)s.entries);
		gauge(b, "tidings_cache_bytes",
		      "Bytes held by the page cache.", (long long)s.bytes);
		counter(b, "tidings_cache_evictions_total",
			"Pages evicted to stay within the budget.",
			(unsigned long long)s.evictions);
		counter(b, "tidings_cache_stale_total",
			"Stale pages (new articles arrived, or expired) "
			"rendered again.",
			(unsigned long long)s.stale);
		counter(b, "tidings_cache_stale_served_total",
			"Stale pages served while another request rendered "
			"them again.",
			(unsigned long long)s.stale_served);
	}
	struct web_views *v = atomic_load(&m->views);
	if (v)
		gauge(b, "tidings_views_pending",
		      "Article views counted and not yet written.",
		      (long long)web_views_pending(v));
	counter(b, "tidings_views_total", "Article views counted.",
		get(&m->views_counted));
	counter(b, "tidings_views_written_total",
		"Article views written to the database.",
		get(&m->views_written));
	counter(b, "tidings_views_dropped_total",
		"Article views not counted (counter full).",
		get(&m->views_dropped));
	counter(b, "tidings_views_flush_errors_total",
		"View-count writes that failed (retried).",
		get(&m->flush_errors));
	if (articles >= 0)
		gauge(b, "tidings_articles", "Articles in the database.",
		      (long long)articles);
	if (sources >= 0)
		gauge(b, "tidings_sources", "Sources in the database.",
		      (long long)sources);
	counter(b, "tidings_fetch_rounds_total", "Fetch rounds run.",
		get(&m->fetch_rounds));
	counter(b, "tidings_fetch_round_errors_total",
		"Fetch rounds that could not run.", get(&m->fetch_errors));
	counter(b, "tidings_fetch_new_articles_total",
		"New articles stored by fetch rounds.", get(&m->fetch_new));
	counter(b, "tidings_fetch_updated_articles_total",
		"Articles revised by fetch rounds.", get(&m->fetch_updated));
	counter(b, "tidings_fetch_failed_sources_total",
		"Source fetches that failed.", get(&m->fetch_failed));
	gauge(b, "tidings_fetch_last_round_end_seconds",
	      "Unix time the last fetch round ended (0: none yet).",
	      (long long)atomic_load(&m->fetch_last_end));
	gauge(b, "tidings_fetch_last_round_milliseconds",
	      "Wall time of the last fetch round.",
	      (long long)atomic_load(&m->fetch_last_ms));
	gauge(b, "tidings_start_time_seconds",
	      "Unix time the server started.",
	      (long long)atomic_load(&m->started));
}

/* ------------------------------------------------------------------------
 * The machine routes
 */

/* Count the articles and sources through st: one pass over the sources,
 * each with its article count (the sum is the article count: an article
 * belongs to exactly one source). 0 or the store's error. */
static int count_now(struct store *st, int64_t *articles, int64_t *sources)
{
	struct store_source *v = NULL;
	size_t n = 0;
	int rc = store_source_list(st, &v, &n);
	if (rc)
		return rc;
	int64_t a = 0;
	for (size_t i = 0; i < n; i++)
		a += v[i].n_articles;
	store_sources_free(v, n);
	*articles = a;
	*sources = (int64_t)n;
	return 0;
}

int web_page_metrics(struct web_req *req, struct web_resp *resp)
{
	int64_t articles = -1, sources = -1;
	struct store *st = web_req_store(req);
	if (!st || count_now(st, &articles, &sources))
		articles = sources = -1;
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	resp->cc = WEB_CC_NO_STORE;
	web_metrics_render(&resp->body, articles, sources);
	return 0;
}

int web_page_healthz(struct web_req *req, struct web_resp *resp)
{
	resp->content_type = "text/plain; charset=utf-8";
	resp->cc = WEB_CC_NO_STORE;
	struct store *st = web_req_store(req);
	if (!st || store_schema_version(st) <= 0) {
		resp->status = 503;
		td_buf_puts(&resp->body, "database unavailable\n");
		return 0;
	}
	td_buf_puts(&resp->body, "ok\n");
	return 0;
}

int web_page_robots(struct web_req *req, struct web_resp *resp)
{
	resp->content_type = "text/plain; charset=utf-8";
	resp->cc = WEB_CC_HOUR;
	resp->cacheable = 1;
	td_buf_puts(&resp->body, "User-agent: *\nAllow: /\n");
	if (req->base_url && *req->base_url)
		td_buf_printf(&resp->body, "Sitemap: %s/sitemap.xml\n",
			      req->base_url);
	return 0;
}
