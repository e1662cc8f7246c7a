/*
 * extract_int.h - internals shared by extract.c (main-content extraction)
 * and meta.c (page metadata). Not for other modules.
 */
#ifndef TD_HTML_EXTRACT_INT_H
#define TD_HTML_EXTRACT_INT_H

#include <gumbo.h>
#include <stddef.h>

struct html_article;

/* What meta.c finds besides the public article fields. */
struct html_meta_extra {
	char *base_url;     /* page URL resolved against <base href>, or the
			       page URL; NULL when there is neither */
	char *article_body; /* JSON-LD articleBody (plain text or HTML), or
			       NULL */
	const GumboNode *byline_el; /* the element showing the byline
				       (.byline/.author class, rel=author,
				       itemprop=author), or NULL; borrowed
				       from the gumbo tree */
};

/* Fill a->title, byline, date_published, lead_image, language, site_name
 * and excerpt from the page's metadata (JSON-LD, OpenGraph and Twitter
 * cards, meta tags, <title>, <h1>, <time>, rel=author, byline classes) and
 * x from the rest. doc is gumbo's document node, url the page URL (may be
 * NULL). Fields already set in a are kept. Fields not found stay NULL
 * (date_published TD_TIME_NONE). Returns 0 or TD_ENOMEM; on failure the
 * fields set so far stay set (free them with html_article_free). */
int html_meta_collect(const GumboNode *doc, const char *url,
		      struct html_article *a, struct html_meta_extra *x);

/* Free what html_meta_collect put in x and zero it. */
void html_meta_extra_release(struct html_meta_extra *x);

/* Title cleaning, exported for tests: strip a site-name suffix or prefix
 * ("Story | Site", "Site - Story", "Story :: Site") when the separated part
 * matches site_name (may be NULL) or when what remains is long enough to
 * stand alone. Returns a new string (NULL on OOM). */
char *html_meta_clean_title(const char *title, const char *site_name);

/* Byline cleaning, exported for tests: collapse whitespace, strip a leading
 * "By"/"by:"/"Written by" and surrounding punctuation, reject values that
 * are too long to be a name list or look like a URL. Returns a new string,
 * or NULL when nothing usable remains (or on OOM). */
char *html_meta_clean_byline(const char *s);

#endif
