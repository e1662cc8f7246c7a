/*
 * ingest.c - fetch rounds and storing a feed's items.
 *
 * A round asks the store for due sources, queues one conditional GET each
 * on the fetcher, and handles every result as it completes (on this thread):
 * parse, store the items in one transaction, record the fetch state and the
 * next fetch time on the source.
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
#include "html/html.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* Recent items whose dates feed the cadence estimate. */
#define CADENCE_ITEMS 20

/* Article pages fetched for extraction in one round at most; the rest wait
 * for the next round. */
#define EXTRACT_PER_ROUND 500
/* Attempts before extraction of an article is given up. */
#define EXTRACT_TRIES 5
/* First retry delay after a failed page fetch; doubles each attempt. */
#define EXTRACT_RETRY (15 * 60)

/* Whether the article's page should be fetched and its main text
 * extracted: always in extract mode; in auto mode when the feed's content
 * looks like an excerpt. Only for URLs the fetcher can read. */
static int wants_extraction(int mode, const struct store_article *a)
{
	if (!a->url || !(td_url_is_http(a->url) || !strncmp(a->url, "file:", 5)))
		return 0;
	/* RFC 6761: names under .example and .invalid never resolve; the
	 * bundled samples use them, and a lookup would only time out */
	char *host = td_url_host(a->url);
	size_t hl = host ? strlen(host) : 0;
	int reserved = (hl >= 8 && !strcmp(host + hl - 8, ".example")) ||
		       (hl >= 8 && !strcmp(host + hl - 8, ".invalid")) ||
		       (host && (!strcmp(host, "example") ||
				 !strcmp(host, "invalid")));
	free(host);
	if (reserved)
		return 0;
	if (mode == STORE_MODE_EXTRACT)
		return 1;
	if (mode != STORE_MODE_AUTO)
		return 0;
	const char *c = a->content_orig ? a->content_orig : "";
	return html_looks_truncated(c, strlen(c));
}

int news_ingest_feed(struct store *st, const struct store_source *src,
		     const struct feed *f, int64_t now, struct news_stats *stats,
		     struct td_error *err)
{
	int rc = store_begin(st);
	if (rc)
		return td_error_set(err, rc, "begin: %s", store_errmsg(st));
	/* Oldest first, so that items without dates get ascending ids in
	 * the order the feed listed them (feeds list newest first). */
	for (size_t k = f->n_items; k-- > 0;) {
		const struct feed_item *it = &f->items[k];
		struct store_article a;
		if ((rc = news_article_from_item(it, src, now, &a)))
			goto fail;
		struct store_article_ref ref;
		rc = store_article_lookup(st, src->id, a.guid, a.canonical_url,
					  &ref);
		int64_t id = 0;
		if (!rc && !ref.id) {
			rc = store_article_insert(st, &a, &id);
			if (!rc && stats)
				stats->new_articles++;
		} else if (!rc && ref.content_hash != a.content_hash) {
			id = ref.id;
			rc = store_article_revise(st, ref.id, &a, now);
			if (!rc && stats)
				stats->updated_articles++;
		}
		/* a new or changed article of a full-text source waits for
		 * its page, in the same transaction */
		if (!rc && id && wants_extraction(src->mode, &a))
			rc = store_extract_mark(st, id, STORE_EXTRACT_PENDING,
						0, 0);
		store_article_release(&a);
		if (rc)
			goto fail;
	}
	if ((rc = store_commit(st)))
		goto fail;
	return 0;
fail:
	td_error_set(err, rc, "storing items: %s",
		     rc == TD_EDB ? store_errmsg(st) : td_strerror(rc));
	store_rollback(st);
	return rc;
}

/* ---- fetch rounds ---- */

struct round {
	struct store *st;
	struct news_stats *stats;
	const struct td_config *cfg;
	int64_t now;
};

struct job {
	struct round *r;
	struct store_source src;
};

static void set_str(char **dst, const char *v)
{
	char *p = v ? strdup(v) : NULL;
	free(*dst);
	*dst = p;
}

/* Publish times of the source's newest stored articles. */
static size_t recent_times(struct store *st, int64_t source_id, int64_t *out,
			   size_t max)
{
	struct store_article *v = NULL;
	size_t n = 0;
	if (store_latest(st, source_id, 0, 0, max, &v, &n))
		return 0;
	for (size_t i = 0; i < n; i++)
		out[i] = v[i].published;
	store_articles_free(v, n);
	return n;
}

static void schedule(struct job *j, const struct fetch_result *res,
		     const struct feed *f)
{
	struct round *r = j->r;
	struct store_source *src = &j->src;
	int64_t times[CADENCE_ITEMS];
	size_t nt = recent_times(r->st, src->id, times, CADENCE_ITEMS);
	struct fetch_sched in = {
		.now = r->now,
		.status = res->status,
		.error_count = src->error_count,
		.retry_after = res->retry_after,
		.max_age = res->max_age,
		.item_times = times,
		.n_item_times = nt,
		.min_interval = r->cfg ? r->cfg->fetch_min_interval : 0,
		.max_interval = r->cfg ? r->cfg->fetch_max_interval : 0,
		.jitter_key = XXH3_64bits(src->url, strlen(src->url)),
	};
	if (f) {
		/* a parsed feed renews the hints kept on the source */
		int64_t ttl = f->ttl_minutes > 0 ? (int64_t)f->ttl_minutes * 60
						 : 0;
		src->hint_interval = ttl > f->sy_period_secs ? ttl
							     : f->sy_period_secs;
		src->skip_hours = f->skip_hours;
		src->skip_days = f->skip_days;
	}
	/* a 304 (or a failure) keeps the hints of the last parsed feed */
	in.sy_period_secs = src->hint_interval;
	in.skip_hours = src->skip_hours;
	in.skip_days = src->skip_days;
	src->next_fetch = fetch_schedule_next(&in, &src->interval);
}

/* Move the source to its new permanent URL, unless another source already
 * has that URL (then keep the old one; the duplicate is the user's call). */
static void follow_move(struct job *j, const char *url)
{
	struct store_source other;
	memset(&other, 0, sizeof other);
	if (!strcmp(url, j->src.url))
		return;
	if (store_source_get_by_url(j->r->st, url, &other) == 0) {
		store_source_release(&other);
		td_log(TD_LOG_WARN, "source %lld moved to %s, already a source",
		       (long long)j->src.id, url);
		return;
	}
	td_log(TD_LOG_INFO, "source %lld moved permanently to %s",
	       (long long)j->src.id, url);
	set_str(&j->src.url, url);
	j->r->stats->moved++;
}

static void fail(struct job *j, const char *msg)
{
	j->src.error_count++;
	set_str(&j->src.last_error, msg ? msg : "fetch failed");
	j->r->stats->failed++;
	td_log(TD_LOG_INFO, "source %lld: %s", (long long)j->src.id,
	       j->src.last_error);
}

static void on_feed(const struct fetch_result *res, void *user)
{
	struct job *j = user;
	struct round *r = j->r;
	struct store_source *src = &j->src;
	struct feed *f = NULL;

	src->last_fetch = r->now;
	src->last_status = res->status;
	if (res->permanent_url)
		follow_move(j, res->permanent_url);

	if (res->error || res->status == 0 ||
	    (res->status >= 300 && res->status != 304)) {
		fail(j, res->errmsg);
		if (fetch_status_gone(res->status)) {
			src->disabled = 1;
			r->stats->disabled++;
		}
	} else if (res->status == 304) {
		r->stats->not_modified++;
		src->error_count = 0;
		set_str(&src->last_error, NULL);
		if (res->etag)
			set_str(&src->etag, res->etag);
		if (res->last_modified)
			set_str(&src->last_modified, res->last_modified);
	} else {
		size_t new_before = r->stats->new_articles;
		struct td_error err = { 0 };
		struct feed_parse_opts po = { .base_url = res->final_url,
					      .http_charset = res->charset };
		int rc = feed_parse(res->body, res->len, &po, &f, &err);
		if (rc) {
			char msg[600];
			if (err.line)
				snprintf(msg, sizeof msg, "parse: %d:%d: %s",
					 err.line, err.col, err.msg);
			else
				snprintf(msg, sizeof msg, "parse: %s",
					 err.msg[0] ? err.msg : td_strerror(rc));
			fail(j, msg);
		} else if ((rc = news_ingest_feed(r->st, src, f, r->now,
						  r->stats, &err))) {
			fail(j, err.msg);
		} else {
			if (r->stats->new_articles > new_before)
				src->last_new_item = r->now;
			r->stats->ok++;
			src->error_count = 0;
			set_str(&src->last_error, NULL);
			set_str(&src->etag, res->etag);
			set_str(&src->last_modified, res->last_modified);
			if ((!src->title || !*src->title) && f->title)
				set_str(&src->title, f->title);
			if ((!src->site_url || !*src->site_url) &&
			    f->home_page_url)
				set_str(&src->site_url, f->home_page_url);
			if (f->n_warnings)
				td_log(TD_LOG_INFO, "source %lld: %s",
				       (long long)src->id, f->warning);
		}
	}
	schedule(j, res, f);
	feed_free(f);
	if (store_source_update(r->st, src))
		td_log(TD_LOG_ERROR, "source %lld: saving fetch state: %s",
		       (long long)src->id, store_errmsg(r->st));
	store_source_release(src);
	free(j);
}

/* ---- full text: fetch article pages and extract ---- */

struct page_job {
	struct round *r;
	struct store_extract_job j;
};

static void page_retry(struct page_job *p)
{
	int tries = p->j.tries + 1;
	if (tries >= EXTRACT_TRIES) {
		store_extract_mark(p->r->st, p->j.id, STORE_EXTRACT_FAILED,
				   tries, 0);
		return;
	}
	int64_t delay = (int64_t)EXTRACT_RETRY << (tries - 1);
	store_extract_mark(p->r->st, p->j.id, STORE_EXTRACT_PENDING, tries,
			   p->r->now + delay);
}

static void on_page(const struct fetch_result *res, void *user)
{
	struct page_job *p = user;
	struct round *r = p->r;
	r->stats->pages++;
	if (res->error || res->status != 200 || !res->body) {
		td_log(TD_LOG_INFO, "article %lld: page %s: %s",
		       (long long)p->j.id, p->j.url,
		       res->errmsg ? res->errmsg : "fetch failed");
		page_retry(p);
		goto out;
	}
	struct html_article *a = NULL;
	int rc = html_extract(res->body, res->len,
			      res->final_url ? res->final_url : p->j.url, &a,
			      NULL);
	/* Extracted text replaces the feed's when the source asks for full
	 * text, or (auto) when it is longer than what the feed gave. */
	if (!rc && a && a->content_html && a->content_text &&
	    *a->content_text &&
	    (p->j.mode == STORE_MODE_EXTRACT ||
	     strlen(a->content_text) > p->j.feed_text_len)) {
		if (store_article_set_body(r->st, p->j.id, a->content_html,
					   a->content_text, a->lead_image))
			td_log(TD_LOG_ERROR, "article %lld: %s",
			       (long long)p->j.id, store_errmsg(r->st));
	}
	html_article_free(a);
	if (rc == TD_ENOMEM)
		page_retry(p);
	else
		store_extract_mark(r->st, p->j.id, STORE_EXTRACT_DONE,
				   p->j.tries + 1, 0);
out:
	free(p->j.url);
	free(p);
}

static int extract_round(struct round *r, const struct fetch_opts *fo,
			 int64_t only_source)
{
	struct store_extract_job *v = NULL;
	size_t n = 0;
	int rc = store_extract_due(r->st, r->now, EXTRACT_PER_ROUND, &v, &n);
	if (rc || !n)
		return rc;
	struct fetcher *fx = fetcher_new(fo);
	if (!fx) {
		store_extract_jobs_free(v, n);
		return TD_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		if (only_source > 0 && v[i].source_id != only_source)
			continue;
		struct page_job *p = calloc(1, sizeof *p);
		if (!p)
			break;
		p->r = r;
		p->j = v[i];
		v[i].url = NULL; /* taken */
		struct fetch_request req = {
			.url = p->j.url,
			.accept = "text/html,application/xhtml+xml;q=0.9,"
				  "*/*;q=0.5",
			.user = p,
		};
		if (fetcher_add(fx, &req, on_page)) {
			page_retry(p);
			free(p->j.url);
			free(p);
		}
	}
	store_extract_jobs_free(v, n);
	rc = fetcher_run(fx);
	fetcher_free(fx);
	return rc;
}

int news_fetch_round(struct store *st, const struct news_fetch_opts *o,
		     struct news_stats *stats, struct td_error *err)
{
	struct store_source *v = NULL;
	size_t n = 0;
	int rc;
	struct news_stats dummy;
	if (!stats)
		stats = &dummy;
	memset(stats, 0, sizeof *stats);
	struct round r = { .st = st, .stats = stats,
			   .cfg = o ? o->config : NULL, .now = td_now() };

	if (o && o->source_id > 0) {
		v = calloc(1, sizeof *v);
		if (!v)
			return TD_ENOMEM;
		if ((rc = store_source_get(st, o->source_id, v))) {
			free(v);
			return td_error_set(err, rc, "no source %lld",
					    (long long)o->source_id);
		}
		n = 1;
	} else if ((rc = store_source_due(st, (o && o->force) ? INT64_MAX
								: r.now,
					  &v, &n))) {
		return td_error_set(err, rc, "listing sources: %s",
				    store_errmsg(st));
	}

	struct fetch_opts fo = { 0 };
	if (r.cfg) {
		fo.per_host = r.cfg->fetch_per_host;
		fo.total = r.cfg->fetch_total;
		fo.total_timeout = r.cfg->fetch_timeout;
		fo.max_bytes = (size_t)r.cfg->fetch_max_bytes;
	}
	struct fetcher *fx = fetcher_new(&fo);
	if (!fx) {
		store_sources_free(v, n);
		return td_error_set(err, TD_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		struct job *j = calloc(1, sizeof *j);
		if (!j) {
			rc = TD_ENOMEM;
			break;
		}
		j->r = &r;
		j->src = v[i]; /* takes the strings */
		memset(&v[i], 0, sizeof v[i]);
		struct fetch_request req = {
			.url = j->src.url,
			.etag = j->src.etag,
			.last_modified = j->src.last_modified,
			.user = j,
		};
		if ((rc = fetcher_add(fx, &req, on_feed))) {
			store_source_release(&j->src);
			free(j);
			break;
		}
		stats->sources++;
	}
	store_sources_free(v, n);
	int rrc = fetcher_run(fx);
	fetcher_free(fx);
	/* then the article pages the new items need, with the same limits */
	if (!rc && !rrc)
		rrc = extract_round(&r, &fo, o ? o->source_id : 0);
	if (rc)
		return td_error_set(err, rc, "queueing fetches: %s",
				    td_strerror(rc));
	if (rrc)
		return td_error_set(err, rrc, "fetching: %s", td_strerror(rrc));
	return 0;
}
