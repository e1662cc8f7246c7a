/*
 * store.h - the store module: every SQL statement of tidings lives here.
 *
 * SQLite in WAL mode; schema versioned with PRAGMA user_version and applied
 * by forward-only migrations at open. Functions are named for what they do,
 * so another engine (PostgreSQL) can be added beside SQLite without touching
 * callers. The store knows no pages and no policy: news/ decides what to
 * insert or revise; web/ decides what to show.
 *
 * Threads: a struct store is one connection, owned by one thread. The ingest
 * thread owns the only writer; each web worker opens its own reader
 * (STORE_READONLY).
 *
 * Strings passed in are borrowed. Structs filled by the store own their
 * strings; release them with the matching _release/_free function.
 */
#ifndef TD_STORE_H
#define TD_STORE_H

#include <stddef.h>
#include <stdint.h>

struct td_error;
struct store;

enum { STORE_READONLY = 1, STORE_MEMORY = 2 /* tests: path ignored */ };

/* Open (creating and migrating when writable) the database at path.
 * Returns 0 and *out, or TD_EDB/TD_ENOMEM with err filled. */
int store_open(const char *path, int flags, struct store **out,
	       struct td_error *err);
/* Finish pending work (WAL checkpoint when writer) and close. NULL ok. */
void store_close(struct store *s);
/* Schema version the database is at (PRAGMA user_version). */
int store_schema_version(struct store *s);

/* Transactions (BEGIN IMMEDIATE / COMMIT / ROLLBACK). Ingest wraps each
 * source's items in one transaction so a crash leaves no half article. */
int store_begin(struct store *s);
int store_commit(struct store *s);
int store_rollback(struct store *s);

/* Last SQLite error message of this connection (borrowed). */
const char *store_errmsg(struct store *s);

/* ---- sources ---- */

enum store_mode {
	STORE_MODE_AUTO = 0,
	STORE_MODE_FEED,
	STORE_MODE_EXTRACT,
	STORE_MODE_SUMMARY,
};
const char *store_mode_name(int mode); /* "auto", "feed", ... */
int store_mode_parse(const char *s);   /* -1 when unknown */

struct store_source {
	int64_t id;
	char *url;       /* feed URL (updated on 301/308) */
	char *site_url;  /* home page */
	char *title;
	char *tags;      /* comma-separated */
	int mode;        /* enum store_mode */
	int disabled;    /* 1 after 410 or by the user */
	int64_t created;

	/* fetch state */
	char *etag;
	char *last_modified;
	int64_t last_fetch;   /* TD_TIME_NONE before the first fetch */
	int64_t next_fetch;   /* when due; 0 = now */
	int last_status;      /* HTTP status or 0 */
	char *last_error;     /* NULL when the last fetch succeeded */
	int error_count;      /* consecutive failures */
	int64_t last_new_item; /* time the newest new item was stored */
	int64_t interval;     /* current polling interval, seconds */
	int64_t hint_interval; /* the feed's own minimum (ttl, sy:*), or 0 */
	uint32_t skip_hours;  /* the feed's skipHours (bit h = hour h UTC) */
	uint8_t skip_days;    /* the feed's skipDays (bit d, 0 = Sunday) */

	/* counters for listing */
	int64_t n_articles;
};

void store_source_release(struct store_source *src);
void store_sources_free(struct store_source *v, size_t n);

/* Add a source (url required). Returns 0 and *id, or TD_EEXIST with *id set
 * to the existing source of that URL. */
int store_source_add(struct store *s, const struct store_source *src,
		     int64_t *id);
/* 0 and *out filled, or TD_ENOTFOUND. */
int store_source_get(struct store *s, int64_t id, struct store_source *out);
int store_source_get_by_url(struct store *s, const char *url,
			    struct store_source *out);
/* All sources ordered by id; *v freed with store_sources_free. */
int store_source_list(struct store *s, struct store_source **v, size_t *n);
/* Enabled sources with next_fetch <= now (all enabled ones when now is
 * INT64_MAX), ordered by next_fetch. */
int store_source_due(struct store *s, int64_t now, struct store_source **v,
		     size_t *n);
/* Write the fetch-state fields (polling hints included), url, title,
 * site_url and disabled. */
int store_source_update(struct store *s, const struct store_source *src);
/* Remove a source and everything stored for it. TD_ENOTFOUND if absent. */
int store_source_remove(struct store *s, int64_t id);

/* ---- articles ---- */

struct store_attachment {
	char *url;
	char *mime_type;
	int64_t size;     /* -1 unknown */
	int64_t duration; /* -1 unknown */
};

struct store_article {
	int64_t id;
	int64_t source_id;
	char *guid;          /* item id from the feed */
	char *url;           /* original URL */
	char *canonical_url; /* for dedup (td_url_canonical) */
	char *title;
	char *author;        /* display names, comma-separated */
	char *summary;       /* plain text */
	char *content_orig;  /* HTML as the source gave it */
	char *content_html;  /* safe HTML shown on the site (NULL until the
				sanitizer has processed it) */
	char *content_text;  /* plain text for search and similarity */
	char *image;
	char *language;
	int64_t published;   /* never TD_TIME_NONE once stored */
	int64_t updated;     /* TD_TIME_NONE if never modified */
	int64_t first_seen;
	uint64_t content_hash; /* hash of title + content, for change detection */
	int64_t views;

	char **tags;
	size_t n_tags;
	struct store_attachment *attachments;
	size_t n_attachments;

	char *source_title; /* filled by reads for display; ignored on write */
	char *snippet;      /* store_search_page only: a passage of the text
			       with each match between \x01 and \x02 (the
			       text itself never holds those bytes' meaning:
			       escape the rest, then turn them into marks) */
	char *title_marked; /* store_search_page only: the title, with the
			       matches marked as in snippet */
};

void store_article_release(struct store_article *a);
void store_articles_free(struct store_article *v, size_t n);

/* What a lookup found for an incoming item. */
struct store_article_ref {
	int64_t id;            /* 0 when nothing matched */
	uint64_t content_hash;
	int by_url;            /* 1 when matched by canonical URL, not guid */
};

/* Find the stored article of source_id with this guid, else with this
 * canonical URL (either may be NULL). 0 with ref->id = 0 when none. */
int store_article_lookup(struct store *s, int64_t source_id, const char *guid,
			 const char *canonical_url,
			 struct store_article_ref *ref);
/* Insert a new article with its tags and attachments and index it for
 * search. a->id is ignored; the new id is stored in *id. */
int store_article_insert(struct store *s, const struct store_article *a,
			 int64_t *id);
/* Keep the stored version of article id as a revision (seen_at = when it was
 * replaced), then overwrite it with a (tags and attachments replaced, search
 * index updated, views and first_seen kept). Prunes revisions beyond
 * TD_MAX_REVISIONS. */
int store_article_revise(struct store *s, int64_t id,
			 const struct store_article *a, int64_t seen_at);
/* 0 and *out filled (with tags and attachments), or TD_ENOTFOUND. */
int store_article_get(struct store *s, int64_t id, struct store_article *out);
/* Newest articles (by published, then id), optionally of one source
 * (source_id > 0), older than the (before_published, before_id) cursor when
 * before_id > 0. Tags/attachments not loaded. */
int store_latest(struct store *s, int64_t source_id, int64_t before_published,
		 int64_t before_id, size_t limit, struct store_article **v,
		 size_t *n);
/* A list of articles, newest first (published, then id). Every filter is
 * optional; zero/NULL fields are not applied. */
struct store_query {
	int64_t source_id;        /* > 0: of this source */
	const char *tag;          /* of this tag (case-insensitive) */
	int64_t since;            /* published >= since (TD_TIME_NONE: none) */
	int64_t until;            /* published < until (TD_TIME_NONE: none) */
	/* Keyset cursors (id > 0 to apply): strictly older than before_*, or
	 * strictly newer than after_* - the page just above the cursor, still
	 * returned newest first. */
	int64_t before_published, before_id;
	int64_t after_published, after_id;
	size_t limit;             /* at most 10000 */
	int full;                 /* 1: load content_orig/_html/_text too;
				     0: leave them NULL (lists) */
};
/* Initialise q with no filters (times TD_TIME_NONE) and the limit. */
void store_query_init(struct store_query *q, size_t limit);
/* Run q. 0 and the rows in *v, *n (tags and attachments not loaded), or TD_EDB/
 * TD_ENOMEM. */
int store_articles(struct store *s, const struct store_query *q,
		   struct store_article **v, size_t *n);

struct store_tag {
	char *tag;     /* as first stored */
	int64_t count; /* articles carrying it */
};
/* Tags by number of articles, most first (ties by name), at most limit. */
int store_tags(struct store *s, size_t limit, struct store_tag **v,
	       size_t *n);
void store_tags_free(struct store_tag *v, size_t n);

/* The articles most viewed since the hour holding `since` (views are
 * bucketed by hour, see store_views_add), most first, at most limit; *v
 * holds light rows (as store_query.full = 0) and each ->views is the
 * count within the window. */
int store_most_read(struct store *s, int64_t since, size_t limit,
		    struct store_article **v, size_t *n);

/* Number of articles (of one source when source_id > 0). */
int store_article_count(struct store *s, int64_t source_id, int64_t *n);

struct store_revision {
	int64_t seen_at;
	char *title;
	char *content_orig;
	uint64_t content_hash;
};
/* Revisions of an article, newest first. */
int store_revisions(struct store *s, int64_t article_id,
		    struct store_revision **v, size_t *n);
void store_revisions_free(struct store_revision *v, size_t n);

/* Full-text search (FTS5 over title, text, author). The query is user input:
 * it is turned into a safe FTS5 expression (terms quoted, ANDed), never
 * passed through raw. Results best first (relevance weighted towards
 * recent articles), among the 500 newest matches: results offset ..
 * offset+limit-1, as light rows (no content) with ->snippet and
 * ->title_marked filled. *more is set to 1 when results follow this page
 * (may be NULL). */
int store_search_page(struct store *s, const char *query, size_t offset,
		      size_t limit, struct store_article **v, size_t *n,
		      int *more);
/* store_search_page from the first result. */
int store_search(struct store *s, const char *query, size_t limit,
		 struct store_article **v, size_t *n);

/* ---- full-text extraction queue (extract.c) ---- */

enum {
	STORE_EXTRACT_NONE = 0,    /* the feed's content is what we show */
	STORE_EXTRACT_PENDING = 1, /* the article page is to be fetched */
	STORE_EXTRACT_DONE = 2,    /* extracted (or found to add nothing) */
	STORE_EXTRACT_FAILED = 3,  /* gave up after repeated failures */
};

/* Set an article's extraction state, attempts so far and, for PENDING, the
 * time it is due (0 = now). TD_ENOTFOUND if there is no such article. */
int store_extract_mark(struct store *s, int64_t id, int state, int tries,
		       int64_t next);

struct store_extract_job {
	int64_t id;
	int64_t source_id;
	int mode;       /* the source's enum store_mode */
	int tries;
	char *url;      /* the article's original URL */
	size_t feed_text_len; /* length of the stored (feed) text */
};
/* Pending extractions due at now (oldest due first), at most limit. */
int store_extract_due(struct store *s, int64_t now, size_t limit,
		      struct store_extract_job **v, size_t *n);
void store_extract_jobs_free(struct store_extract_job *v, size_t n);

/* Replace the displayed body of an article with extracted content, without
 * keeping a revision (the source did not change it) and without touching
 * content_orig. image is set only where the article has none (NULL: keep).
 * The search index follows. */
int store_article_set_body(struct store *s, int64_t id,
			   const char *content_html, const char *content_text,
			   const char *image);

/* Articles whose displayed body comes from the feed (not from
 * extraction), in id order after after_id, at most limit: the batch
 * `tidings reprocess` re-sanitizes. Tags/attachments not loaded. */
int store_feed_bodies(struct store *s, int64_t after_id, size_t limit,
		      struct store_article **v, size_t *n);

/* Mark every article whose body came from extraction as pending again (so
 * the next fetch round re-extracts it); returns the count in *n. */
int store_extract_requeue_all(struct store *s, int64_t *n);

/* ---- views ---- */

/* Add counts[i] to the stored view count of article ids[i], for n
 * articles, in one transaction (or a savepoint inside the caller's), and
 * to the article's count for the current hour (td_now(); hours older than
 * two days are pruned), which store_most_read sums. Ids of articles that
 * no longer exist are skipped. 0 or TD_EDB (nothing written). */
int store_views_add(struct store *s, const int64_t *ids, const int64_t *counts,
		    size_t n);

/* Online backup of the whole database to path. */
int store_backup(struct store *s, const char *path, struct td_error *err);

#endif
