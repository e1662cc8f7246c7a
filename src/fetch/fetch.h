/*
 * fetch.h - polite concurrent HTTP fetching (libcurl multi) and scheduling.
 *
 * The fetcher takes requests, runs them concurrently (at most per_host at
 * once per host, total overall), follows redirects itself so it can tell
 * permanent moves (301/308) from temporary ones, sends conditional GETs,
 * decodes gzip/deflate/br, and caps size and time. It stores nothing: each
 * result goes to the request's callback.
 *
 * Threads: a struct fetcher is owned by one thread; callbacks run on it,
 * inside fetcher_run, and may add more requests.
 */
#ifndef TD_FETCH_H
#define TD_FETCH_H

#include <stddef.h>
#include <stdint.h>

struct fetch_opts {
	int per_host;          /* 0: TD_FETCH_PER_HOST */
	int total;             /* 0: TD_FETCH_TOTAL */
	size_t max_bytes;      /* 0: TD_MAX_FETCH_BYTES */
	long connect_timeout;  /* seconds; 0: TD_FETCH_CONNECT_TIMEOUT */
	long total_timeout;    /* seconds; 0: TD_FETCH_TOTAL_TIMEOUT */
	int max_redirects;     /* 0: TD_MAX_REDIRECTS */
	const char *user_agent; /* NULL: "tidings/VERSION (+URL)" */
};

struct fetch_request {
	const char *url;           /* http(s):// or file:// */
	const char *etag;          /* for If-None-Match, may be NULL */
	const char *last_modified; /* for If-Modified-Since, may be NULL */
	const char *accept;        /* Accept header; NULL: feeds, then HTML */
	void *user;                /* handed back in the result */
};

struct fetch_result {
	const char *url;           /* as requested */
	const char *final_url;     /* after redirects */
	const char *permanent_url; /* new URL when every hop was 301/308,
				      else NULL */
	int status;                /* final HTTP status; 200 for file://; 0
				      on transport failure */
	int error;                 /* 0, or TD_EFETCH / TD_ETOOBIG / ... */
	const char *errmsg;        /* one line, when error or status >= 400 */
	const char *body;          /* decoded body (NUL-terminated), may be
				      empty; NULL on error */
	size_t len;
	const char *content_type;  /* media type without parameters */
	const char *charset;       /* charset parameter, or NULL */
	const char *etag;
	const char *last_modified;
	int64_t retry_after;       /* absolute time from Retry-After, or
				      TD_TIME_NONE */
	int64_t max_age;           /* Cache-Control max-age seconds, or -1 */
	double seconds;            /* wall time of the whole fetch */
	void *user;
};

/* Called once per request. The result and everything it points to are
 * borrowed for the duration of the call. */
typedef void (*fetch_done_fn)(const struct fetch_result *r, void *user);

struct fetcher;

/* NULL on OOM. opts may be NULL (defaults). Calls curl_global_init once. */
struct fetcher *fetcher_new(const struct fetch_opts *opts);
void fetcher_free(struct fetcher *f);

/* Queue a request (strings copied). Returns 0 or TD_EINVAL/TD_ENOMEM; on
 * failure the callback never fires. */
int fetcher_add(struct fetcher *f, const struct fetch_request *req,
		fetch_done_fn done);

/* Run until every queued request (including ones added by callbacks) has
 * completed. Returns 0 or TD_EFETCH when curl itself failed. */
int fetcher_run(struct fetcher *f);

/* ---- scheduling (schedule.c): pure functions ---- */

struct fetch_sched {
	int64_t now;
	int status;            /* HTTP status of this fetch; 0 on transport
				  failure */
	int error_count;       /* consecutive failures including this one */
	int64_t retry_after;   /* absolute, or TD_TIME_NONE */
	int64_t max_age;       /* Cache-Control max-age, or -1 */
	int ttl_minutes;       /* RSS ttl, or 0 */
	int64_t sy_period_secs; /* sy:updatePeriod/Frequency, or 0 */
	uint32_t skip_hours;   /* bit h: skip hour h (UTC) */
	uint8_t skip_days;     /* bit d: skip day d (0 = Sunday) */
	const int64_t *item_times; /* publish times of recent items (any
				      order), for the cadence */
	size_t n_item_times;
	int64_t min_interval;  /* 0: TD_SCHED_MIN_INTERVAL */
	int64_t max_interval;  /* 0: TD_SCHED_MAX_INTERVAL */
	uint64_t jitter_key;   /* e.g. hash of the URL: same key, same jitter */
};

/* Next fetch time for a source after a fetch described by in. Success
 * (2xx/304): the median gap between recent items, halved, bounded by
 * [min, max] and raised to ttl / sy period / max-age; errors (404, 5xx,
 * transport) back off exponentially up to TD_SCHED_MAX_BACKOFF; 429/503 wait
 * at least Retry-After; then skipHours/skipDays are stepped over and a
 * jitter of up to 10% is added. *interval (may be NULL) receives the base
 * interval chosen. */
int64_t fetch_schedule_next(const struct fetch_sched *in, int64_t *interval);

/* 1 when a status means the source is gone for good (410). */
int fetch_status_gone(int status);

/* The User-Agent tidings sends. */
const char *fetch_user_agent(void);

#endif
