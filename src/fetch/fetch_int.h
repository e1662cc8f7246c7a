/*
 * fetch_int.h - internals shared by the fetch module's files and its tests
 * and fuzz driver: the HTTP response-header parser (header.c).
 *
 * Response headers come from the network, so everything here is bounded:
 * values longer than their limit below are dropped, not truncated, so a
 * validator or a date is never half-kept.
 */
#ifndef TD_FETCH_INT_H
#define TD_FETCH_INT_H

#include <stddef.h>
#include <stdint.h>

/* Longest ETag / Last-Modified kept (they are sent back verbatim). */
#define FETCH_MAX_VALIDATOR 1024
/* Longest media type or charset kept. */
#define FETCH_MAX_CTYPE 128
/* Longest reason phrase kept from a status line. */
#define FETCH_MAX_REASON 64
/* Retry-After in seconds is clamped to this (30 days): a hostile value must
 * not overflow the arithmetic. */
#define FETCH_MAX_RETRY_SECS (30 * 24 * 60 * 60)

/* What we keep of one response's headers. Owned strings are malloc'd. */
struct fetch_hdrs {
	int status;                       /* from the status line, 0: none */
	char reason[FETCH_MAX_REASON + 1]; /* reason phrase, "" for HTTP/2 */
	char *etag;
	char *last_modified;
	char *content_type;               /* lower-cased media type */
	char *charset;                    /* lower-cased charset, or NULL */
	char *location;                   /* raw Location, trimmed */
	int64_t content_length;           /* -1 when absent or invalid */
	int64_t retry_after;              /* absolute time or TD_TIME_NONE */
	int64_t max_age;                  /* seconds, or -1 */
};

/* Empty state (no allocation). */
void fetch_hdrs_init(struct fetch_hdrs *h);
/* Free owned strings; h is left as after init. */
void fetch_hdrs_release(struct fetch_hdrs *h);

/* Feed one header line as curl delivers it (may end in CRLF or LF; need not
 * be NUL-terminated). A status line ("HTTP/1.1 301 Moved", "HTTP/2 200")
 * resets everything and records the status, so 1xx and CONNECT responses
 * and redirect hops never leak headers into the final response. now is used
 * to turn Retry-After seconds into an absolute time. Returns 0, or TD_ENOMEM
 * (h stays consistent). Malformed lines are ignored. */
int fetch_hdrs_line(struct fetch_hdrs *h, const char *line, size_t len,
		    int64_t now);

/* Parse an HTTP-date (RFC 9110: IMF-fixdate, obsolete RFC 850 and asctime
 * forms; GMT/UTC/Z or a numeric offset accepted). Returns seconds since
 * the epoch or TD_TIME_NONE. */
int64_t fetch_http_date(const char *s, size_t len);

/* Split a Content-Type value into a lower-cased media type and charset
 * parameter (quoted or not; NULL when absent or not a plausible charset
 * name). *type is NULL when the media type is not type/subtype. Returns 0 or
 * TD_ENOMEM; on failure both outputs are NULL. */
int fetch_content_type(const char *s, size_t len, char **type, char **charset);

/* Standard reason phrase for an HTTP status, or NULL. */
const char *fetch_reason(int status);

#endif
