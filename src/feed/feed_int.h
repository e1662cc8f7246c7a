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
struct feed;
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
