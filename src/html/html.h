/*
 * html.h - the HTML engine on gumbo: allowlist sanitizer, main-content
 * extraction, HTML to text. Bytes in, values out: no sockets, no SQL.
 *
 * Thread-safety: all functions are reentrant.
 */
#ifndef TD_HTML_H
#define TD_HTML_H

#include <stddef.h>
#include <stdint.h>

struct td_buf;
struct td_error;

/* Sanitize an HTML fragment (parsed as HTML5 in a <div> context) against
 * the allowlist, resolving URLs against base_url (may be NULL), and append
 * the safe serialisation to out. The output is a fixed point: sanitizing it
 * again yields the same bytes. Returns 0, TD_ENOMEM or TD_ETOOBIG. */
int html_sanitize(const char *html, size_t len, const char *base_url,
		  struct td_buf *out);

/* Plain text of an HTML fragment or document for search, summaries and
 * similarity: block elements separated by newlines, whitespace collapsed
 * inside blocks, no script/style text, entities decoded, NFC. Appends to
 * out. Returns 0 or the buffer's error. */
int html_to_text(const char *html, size_t len, struct td_buf *out);

/* Summary of plain text: at most about max bytes (default 300 when 0),
 * cut on a word boundary with an ellipsis when shortened. Appends to out. */
int html_summary(const char *text, size_t len, size_t max, struct td_buf *out);

/* 1 when feed content looks like an excerpt rather than the whole article
 * (short, or ends with "Read more", "[…]", "Continue reading" and the like). */
int html_looks_truncated(const char *html, size_t len);

/* Result of html_extract; strings malloc'd, NULL when not found. */
struct html_article {
	char *title;
	char *byline;
	int64_t date_published; /* TD_TIME_NONE when not found */
	char *lead_image;       /* absolute URL */
	char *language;
	char *site_name;
	char *excerpt;
	char *content_html;     /* sanitized */
	char *content_text;
};

/* Find the main article of a whole HTML page (url resolves relative links,
 * may be NULL). Returns 0 and *out (free with html_article_free), TD_EPARSE
 * when no article content was found (out still gets the metadata), or
 * TD_ENOMEM. */
int html_extract(const char *html, size_t len, const char *url,
		 struct html_article **out, struct td_error *err);
void html_article_free(struct html_article *a);

/* Serialise an article as the `tidings extract` JSON object (title, byline,
 * date_published, lead_image, content_html, content_text, plus language,
 * site_name, excerpt). */
int html_article_to_json(const struct html_article *a, struct td_buf *out);

#endif
