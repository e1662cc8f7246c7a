/*
 * news.h - the ingest pipeline: from sources to stored, normalized articles.
 *
 * news/ asks fetch/ for bytes, hands them to feed/ and html/, and writes
 * through store/. It owns the policy: what counts as the same article, when
 * a change makes a revision, when a source is fetched next, when a source is
 * disabled.
 *
 * Threads: a fetch round runs on the calling thread, which must own the
 * writable struct store.
 */
#ifndef TD_NEWS_H
#define TD_NEWS_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct store_article;
struct store_source;
struct feed;
struct feed_item;
struct td_error;
struct td_config;

struct news_stats {
	size_t sources;       /* sources fetched this round */
	size_t ok;            /* 200 and parsed */
	size_t not_modified;  /* 304 */
	size_t failed;        /* transport, HTTP or parse errors */
	size_t disabled;      /* sources disabled (410) this round */
	size_t moved;         /* sources whose URL changed (301/308) */
	size_t new_articles;
	size_t updated_articles;
	size_t pages;         /* article pages fetched for extraction */
};

struct news_fetch_opts {
	int force;            /* fetch every enabled source, due or not */
	int64_t source_id;    /* only this source when > 0 */
	const struct td_config *config; /* fetch limits; NULL: defaults */
};

/* One fetch round: fetch the due sources (or all, or one), ingest what
 * changed, update every source's fetch state and next fetch time. Per-source
 * failures are recorded on the source, not returned. Returns 0, or a
 * negative TD_E* code when the round itself could not run. */
int news_fetch_round(struct store *st, const struct news_fetch_opts *o,
		     struct news_stats *stats, struct td_error *err);

/* Store the items of a parsed feed for a source, in one transaction: new
 * items are inserted; known items (same id, else same canonical URL) whose
 * title or content changed are revised; unchanged ones are left alone.
 * now is the time first seen for items without a usable date. */
int news_ingest_feed(struct store *st, const struct store_source *src,
		     const struct feed *f, int64_t now, struct news_stats *stats,
		     struct td_error *err);

/* Turn a feed item into an article for source src (normalization: ids,
 * canonical URL, dates, sanitized HTML, text, summary). The article owns
 * its strings (release with store_article_release). */
int news_article_from_item(const struct feed_item *it,
			   const struct store_source *src, int64_t now,
			   struct store_article *a);

/* Hash of what makes a version of an article: title and content. */
uint64_t news_content_hash(const char *title, const char *content);

/* Redo the displayed bodies of stored articles from what the sources gave
 * (content_orig), with the current sanitizer and text conversion: run after
 * an upgrade. With requeue_extract, articles whose body came from their page
 * are queued for extraction again (the next fetch round re-fetches them).
 * *n_done (may be NULL) receives the number of articles redone or queued. */
int news_reprocess(struct store *st, int requeue_extract, int64_t *n_done,
		   struct td_error *err);

struct news_add_opts {
	int mode;           /* enum store_mode */
	const char *tags;   /* comma-separated, may be NULL */
	const char *title;  /* may be NULL: from the feed */
	const struct td_config *config;
};

/* Add a source from a URL or a local path. The URL may be a feed or an HTML
 * page linking to one (discovered; common feed paths are tried when the
 * page links none). On success *id is the new source's id. TD_EEXIST when
 * the feed is already a source (*id set); TD_ENOTFOUND when no feed was
 * found; TD_EINVAL with the candidates listed in err when the page links
 * several different feeds. */
int news_add_source(struct store *st, const char *url_or_path,
		    const struct news_add_opts *o, int64_t *id,
		    struct td_error *err);

#endif
