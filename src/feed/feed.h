/*
 * feed.h - the feed module: bytes in, one feed model out.
 *
 * Parses RSS 0.90-2.0, RSS 1.0 (RDF), Atom 0.3/1.0 and JSON Feed 1.0/1.1
 * into struct feed (modelled on JSON Feed 1.1), parses the dates feeds use,
 * finds feeds linked from HTML pages, and reads/writes OPML. Never touches
 * sockets or SQL, so every entry point can be fuzzed and tested from files.
 *
 * Thread-safety: functions are reentrant; objects are owned by one thread.
 * All strings in the model are NUL-terminated valid UTF-8 (invalid input
 * bytes replaced by U+FFFD), or NULL when the source did not provide them.
 */
#ifndef TD_FEED_H
#define TD_FEED_H

#include <stddef.h>
#include <stdint.h>

struct td_buf;
struct td_error;

struct feed_person {
	char *name;
	char *url;
	char *email;
	char *avatar;
};

struct feed_attachment {
	char *url;
	char *mime_type;
	char *title;
	int64_t size_in_bytes;       /* -1 when unknown */
	int64_t duration_in_seconds; /* -1 when unknown */
};

struct feed_item {
	char *id;           /* guid/id; else link; else "urn:tidings:<hash>" */
	char *url;          /* permalink, absolute */
	char *external_url; /* JSON Feed external_url, or the link a
			       link-blog item points at */
	char *title;        /* plain text, entities decoded */
	char *content_html; /* source HTML, not sanitized */
	char *content_text; /* plain text content when the source gave text */
	char *summary;      /* plain text */
	char *image;        /* main image URL */
	char *banner_image;
	char *language;
	int64_t date_published; /* TD_TIME_NONE when absent or unparseable */
	int64_t date_modified;  /* TD_TIME_NONE when absent or unparseable */
	int64_t comments;       /* slash:comments; -1 when unknown */
	char *comments_url;     /* RSS <comments> / Atom replies link */

	struct feed_person *authors;
	size_t n_authors;
	char **tags;
	size_t n_tags;
	struct feed_attachment *attachments;
	size_t n_attachments;
};

enum feed_format {
	FEED_FORMAT_UNKNOWN = 0,
	FEED_FORMAT_RSS090,
	FEED_FORMAT_RSS091,
	FEED_FORMAT_RSS092,
	FEED_FORMAT_RSS093,
	FEED_FORMAT_RSS094,
	FEED_FORMAT_RSS10, /* RDF */
	FEED_FORMAT_RSS20,
	FEED_FORMAT_ATOM03,
	FEED_FORMAT_ATOM10,
	FEED_FORMAT_JSON10,
	FEED_FORMAT_JSON11,
};

struct feed {
	enum feed_format format;
	char *title;
	char *home_page_url;
	char *feed_url;    /* the feed's self link (absolute) */
	char *description;
	char *icon;
	char *favicon;
	char *language;
	char *next_url;    /* paging: JSON Feed next_url / Atom rel=next */
	int64_t date_updated; /* channel lastBuildDate/pubDate, Atom updated */

	struct feed_person *authors;
	size_t n_authors;
	struct feed_item *items;
	size_t n_items;

	/* Scheduling hints from the feed (0 / -1 when absent). */
	int ttl_minutes;         /* RSS <ttl> */
	int64_t sy_period_secs;  /* sy:updatePeriod / sy:updateFrequency */
	uint32_t skip_hours;     /* bit h set: do not fetch in hour h (UTC) */
	uint8_t skip_days;       /* bit d set: do not fetch on day d (0=Sunday) */

	/* Problems recovered from (malformed XML, bad encoding, ...). The first
	 * is kept in words, with its position; n_warnings counts all. */
	size_t n_warnings;
	char warning[256];
	int warning_line, warning_col;
};

struct feed_parse_opts {
	const char *base_url;     /* URL the document came from (feed URL) */
	const char *http_charset; /* charset from the Content-Type header */
};

/* Parse a feed document (format detected from content). On success returns
 * 0 and *out (free with feed_free); the feed may carry warnings when it was
 * malformed but recoverable. Returns TD_EPARSE (err filled with position and
 * reason) when nothing recoverable was found, TD_ENOMEM, or TD_ETOOBIG. */
int feed_parse(const char *data, size_t len, const struct feed_parse_opts *opts,
	       struct feed **out, struct td_error *err);

/* Parse an XML feed (RSS/RDF/Atom) only; same contract as feed_parse. */
int feed_parse_xml(const char *data, size_t len,
		   const struct feed_parse_opts *opts, struct feed **out,
		   struct td_error *err);

/* Parse a JSON Feed only; same contract as feed_parse. */
int feed_parse_json(const char *data, size_t len,
		    const struct feed_parse_opts *opts, struct feed **out,
		    struct td_error *err);

void feed_free(struct feed *f);

/* Fill in item ids where the source gave none: link, else
 * "urn:tidings:" + hex hash of title, date and content. Called by the
 * parsers; exported for tests. */
void feed_assign_ids(struct feed *f);

/* Serialise as JSON Feed 1.1 (the `tidings parse` output): fields in a fixed
 * order, dates RFC 3339 UTC, absent fields omitted, two-space indent,
 * trailing newline. Returns 0 or the buffer's error. */
int feed_to_jsonfeed(const struct feed *f, struct td_buf *out);

/* ---- dates (date.c) ---- */

/* Parse a date as feeds write them: RFC 822/1123/2822 (obsolete zones,
 * missing seconds or weekday, two-digit years), RFC 3339 / ISO 8601 variants,
 * W3C-DTF, named months and weekdays in common languages, missing zones (taken
 * as UTC). Returns seconds since the epoch (UTC) or TD_TIME_NONE. */
int64_t feed_date_parse(const char *s, size_t len);

/* ---- encodings (encoding.c) ---- */

/* Convert an XML document to UTF-8. The encoding is chosen by precedence:
 * BOM, then the charset from HTTP (when given), then the XML declaration,
 * then UTF-8 if the bytes are valid UTF-8, else windows-1252. Invalid
 * sequences become U+FFFD. On return *out is a malloc'd UTF-8 copy with the
 * BOM removed and *outlen its length; *used names the encoding chosen
 * (static string). Sets *warned when a declared encoding was wrong or
 * unknown. Returns 0 or TD_ENOMEM. */
int feed_to_utf8(const char *data, size_t len, const char *http_charset,
		 char **out, size_t *outlen, const char **used, int *warned);

/* ---- discovery (discover.c) ---- */

struct feed_link {
	char *url;   /* absolute */
	char *type;  /* MIME type as given, may be NULL */
	char *title; /* may be NULL */
};

/* Find feeds an HTML page links to (<link rel="alternate"> with a feed type,
 * and <a href> links that look like feeds). Best candidate first: a
 * rel=alternate link in <head> beats a body link; Atom/RSS/JSON order as the
 * page gave them; comment feeds last. Returns the number of links stored in
 * *out (an array freed with feed_links_free), 0 when none, or a negative
 * TD_E* code. */
int feed_discover(const char *html, size_t len, const char *base_url,
		  struct feed_link **out);
void feed_links_free(struct feed_link *links, size_t n);

/* 1 when the bytes look like a feed document (XML with an rss/rdf/feed root,
 * or a JSON Feed), 0 when they look like HTML or anything else. */
int feed_sniff(const char *data, size_t len);

/* Common feed paths tried when a page links no feed ("/feed", "/rss.xml",
 * ...); NULL-terminated. */
extern const char *const feed_common_paths[];

/* ---- OPML (opml.c) ---- */

struct feed_outline {
	char *xml_url;  /* absolute, or file:// resolved against base */
	char *html_url;
	char *title;
	char *tags;     /* comma-separated: enclosing outline titles and the
			   outline's own category attribute */
};

/* Parse OPML 1.0/2.0; outlines with an xmlUrl become entries; nested
 * outlines contribute their titles as tags. Relative xmlUrls are resolved
 * against base_url. Returns the number of entries (array in *out, free with
 * feed_outlines_free), or TD_EPARSE / TD_ENOMEM / TD_ETOOBIG. */
int feed_opml_parse(const char *data, size_t len, const char *base_url,
		    struct feed_outline **out, struct td_error *err);
void feed_outlines_free(struct feed_outline *o, size_t n);

/* Write an OPML 2.0 document with one outline per entry, grouped by the
 * first tag. */
int feed_opml_write(const struct feed_outline *o, size_t n, const char *title,
		    struct td_buf *out);

#endif
