/*
 * limits.h - every hard limit of tidings in one place, each with its reason.
 *
 * Limits protect against hostile input: a source may send anything, so every
 * size, depth and count that input controls has a ceiling here.
 */
#ifndef TD_LIMITS_H
#define TD_LIMITS_H

/* Largest body fetched from a source; bigger is reported as an error on the
 * source. 10 MiB holds the largest real feeds (full-content podcast feeds
 * with years of history) with room to spare. */
#define TD_MAX_FETCH_BYTES (10u * 1024u * 1024u)

/* Largest document `tidings parse` accepts from a file or stdin. Bigger than
 * the fetch cap so a user can inspect an oversized feed by hand. */
#define TD_MAX_PARSE_BYTES (64u * 1024u * 1024u)

/* XML element nesting depth. Real feeds nest < 20 deep (xhtml content adds a
 * few dozen); 100k-deep documents are an attack on stack or memory. */
#define TD_MAX_XML_DEPTH 512

/* Total bytes that entity expansion may produce in one document (billion
 * laughs). Predefined entities only are expanded by us; this bounds the rest. */
#define TD_MAX_ENTITY_EXPANSION (1u * 1024u * 1024u)

/* Items kept from one feed. Feeds with more are truncated (newest first as
 * the source ordered them). */
#define TD_MAX_FEED_ITEMS 10000

/* Longest single text field (title, id, url, ...) kept; content fields use
 * TD_MAX_CONTENT_BYTES. Longer values are truncated at a UTF-8 boundary. */
#define TD_MAX_FIELD_BYTES (64u * 1024u)

/* Longest content/summary field kept per item. */
#define TD_MAX_CONTENT_BYTES (4u * 1024u * 1024u)

/* Tags, authors and attachments per item. */
#define TD_MAX_ITEM_LIST 256

/* Longest URL we store or request. Browsers cope with ~2 MB but no real feed
 * or article URL is longer than a few KB. */
#define TD_MAX_URL_BYTES 8192

/* Redirects followed for one fetch. */
#define TD_MAX_REDIRECTS 8

/* Fetch timeouts in seconds. */
#define TD_FETCH_CONNECT_TIMEOUT 10
#define TD_FETCH_TOTAL_TIMEOUT 60

/* Default concurrent transfers per host and in total. */
#define TD_FETCH_PER_HOST 2
#define TD_FETCH_TOTAL 64

/* Scheduling bounds (seconds): never poll more often than every 5 minutes,
 * never less than once a day. */
#define TD_SCHED_MIN_INTERVAL (5 * 60)
#define TD_SCHED_MAX_INTERVAL (24 * 60 * 60)

/* Error back-off ceiling: a failing source is retried at least every 2 days. */
#define TD_SCHED_MAX_BACKOFF (2 * 24 * 60 * 60)

/* OPML outline nesting depth and outline count. */
#define TD_MAX_OPML_DEPTH 64
#define TD_MAX_OPML_OUTLINES 100000

/* Revisions kept per article; older ones are pruned. */
#define TD_MAX_REVISIONS 50

#endif
