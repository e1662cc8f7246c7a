/*
 * feed_int.h - internals shared by the files of src/feed/: the model's
 * release and warning helpers (model.c), entities, encodings and text
 * helpers (entities.c, encoding.c, xml.c).
 */
#ifndef TD_FEED_INT_H
#define TD_FEED_INT_H

#include <stddef.h>
#include <stdint.h>

struct td_buf;
struct td_error;
struct feed;
struct feed_parse_opts;
struct feed_item;
struct feed_person;

/* ---- model.c ---- */

/* Free what an item / a person owns and zero it (the struct itself is the
 * caller's). */
void feed_item_release(struct feed_item *it);
void feed_person_release(struct feed_person *p);

/* Count a recovered problem; the first one is kept in words with its
 * position (line/col 0 when unknown). f may be NULL. */
void feed_warn(struct feed *f, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Like feed_to_jsonfeed, but the output goes to sink in pieces of about
 * FEED_JSON_WINDOW bytes as it is written (an item is never split unless
 * it is bigger), so memory stays at one window however long the feed.
 * Returns 0, TD_ENOMEM, or the sink's first error (nothing more is passed
 * to it after one). For `tidings parse`; meant for feed.h (main.c cannot
 * reach it here). */
#define FEED_JSON_WINDOW (16u * 1024u)
int feed_write_jsonfeed(const struct feed *f,
			int (*sink)(void *ud, const char *p, size_t n),
			void *ud);

/* ---- resolve.c ---- */

/* html with the relative URLs of its URL attributes (href, src, srcset,
 * poster, ...) resolved against base: a new string, or NULL when nothing
 * needed resolving (or base is NULL, or out of memory; html stands). */
char *feed_html_resolve(const char *html, const char *base);

/* ---- entities.c ---- */

/* Longest HTML5 entity name ("CounterClockwiseContourIntegral"). */
#define FEED_ENTITY_MAX_NAME 31

/* Look up an HTML5 named character reference by name (without '&' and ';',
 * case-sensitive). Returns the number of code points stored in cp (1 or 2),
 * or 0 when the name is unknown. */
int feed_entity_lookup(const char *name, size_t len, uint32_t cp[2]);

/* ---- encoding.c ---- */

/* Like feed_to_utf8, but avoids the copy when it can: when the document is
 * already valid UTF-8 (after an optional UTF-8 BOM, which is skipped) and
 * UTF-8 is the encoding chosen, *out points into data and *owned is 0.
 * Otherwise *out is malloc'd (free it) and *owned is 1. Returns 0 or
 * TD_ENOMEM. */
int feed_utf8_prepare(const char *data, size_t len, const char *http_charset,
		      const char **out, size_t *outlen, int *owned,
		      const char **used, int *warned);

/* 1 when the bytes are valid UTF-8 (fast path for ASCII runs). */
int feed_utf8_valid(const char *s, size_t len);

/* ---- xml.c: parser paths ---- */

enum feed_xml_path {
	FEED_XML_AUTO,	     /* the strict fast path; expat when it gives up */
	FEED_XML_EXPAT_ONLY, /* expat (and its recovery passes) only */
	FEED_XML_FAST_ONLY,  /* the fast path only: TD_EUNSUPPORTED when it
				gives up */
};

/* feed_parse_xml with the path chosen (enum feed_xml_path); same contract.
 * AUTO is what feed_parse_xml does; the others exist so that tests and
 * fuzz/fuzz_feed_xml_fast.c can check that both paths agree. */
int feed_parse_xml_via(const char *data, size_t len,
		       const struct feed_parse_opts *opts, int path,
		       struct feed **out, struct td_error *err);

/* ---- xml.c: text helpers (also usable by json.c) ---- */

/* Append the plain text of an HTML fragment to out: tags removed (block
 * tags become spaces), comments and <script>/<style> bodies dropped, entity
 * references decoded (named HTML5 ones, numeric), whitespace collapsed to
 * single spaces and trimmed. At most max bytes are appended (cut at a UTF-8
 * boundary). Returns 0 or the buffer's error. */
int feed_html_to_text(const char *s, size_t len, size_t max,
		      struct td_buf *out);

/* Decode HTML entity references in s into out (no tag handling); unknown
 * references are kept as written. Returns 0 or the buffer's error. */
int feed_html_decode(const char *s, size_t len, struct td_buf *out);

#endif
