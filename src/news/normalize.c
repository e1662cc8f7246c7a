/*
 * normalize.c - a feed item becomes an article: identity, canonical URL,
 * dates, sanitized HTML, plain text and summary.
 */
#include "news/news.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/limits.h"
#include "core/time.h"
#include "core/url.h"
#include "feed/feed.h"
#include "html/html.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* Items dated more than this far in the future are taken as published when
 * first seen: a wrong clock or time zone at the source must not pin an item
 * to the top of the front page. */
#define FUTURE_SLACK (24 * 3600)

uint64_t news_content_hash(const char *title, const char *content)
{
	XXH3_state_t *st = XXH3_createState();
	if (!st)
		return 0;
	XXH3_64bits_reset(st);
	const char *parts[2] = { title ? title : "", content ? content : "" };
	for (int i = 0; i < 2; i++) {
		uint64_t n = strlen(parts[i]);
		XXH3_64bits_update(st, &n, sizeof n);
		XXH3_64bits_update(st, parts[i], n);
	}
	uint64_t h = XXH3_64bits_digest(st);
	XXH3_freeState(st);
	return h;
}

/* Plain text as an HTML fragment: escaped, blank lines become paragraphs. */
static char *text_to_html(const char *s)
{
	struct td_buf b;
	td_buf_init(&b, TD_MAX_CONTENT_BYTES * 2);
	td_buf_puts(&b, "<p>");
	for (const char *p = s; *p; p++) {
		switch (*p) {
		case '&': td_buf_puts(&b, "&amp;"); break;
		case '<': td_buf_puts(&b, "&lt;"); break;
		case '>': td_buf_puts(&b, "&gt;"); break;
		case '"': td_buf_puts(&b, "&quot;"); break;
		case '\n':
			if (p[1] == '\n') {
				td_buf_puts(&b, "</p>\n<p>");
				while (p[1] == '\n')
					p++;
			} else
				td_buf_puts(&b, "<br>");
			break;
		default: td_buf_putc(&b, *p);
		}
	}
	td_buf_puts(&b, "</p>");
	return td_buf_detach(&b, NULL);
}

static char *join_authors(const struct feed_item *it)
{
	if (!it->n_authors)
		return NULL;
	struct td_buf b;
	td_buf_init(&b, TD_MAX_FIELD_BYTES);
	for (size_t i = 0; i < it->n_authors; i++) {
		const char *n = it->authors[i].name ? it->authors[i].name
						     : it->authors[i].email;
		if (!n || !*n)
			continue;
		if (b.len)
			td_buf_puts(&b, ", ");
		td_buf_puts(&b, n);
	}
	if (!b.len || td_buf_err(&b)) {
		td_buf_release(&b);
		return NULL;
	}
	return td_buf_detach(&b, NULL);
}

/* A title for an item that has none: the start of its text. */
static char *derive_title(const char *text)
{
	if (!text || !*text)
		return strdup("Untitled");
	struct td_buf b;
	td_buf_init(&b, 0);
	html_summary(text, strlen(text), 80, &b);
	if (!b.len || td_buf_err(&b)) {
		td_buf_release(&b);
		return strdup("Untitled");
	}
	return td_buf_detach(&b, NULL);
}

/* Add tag [p, p + n) (trimmed) to a->tags unless already there (case-
 * insensitive) or the list is full. */
static int add_tag(struct store_article *a, size_t cap, const char *p,
		   size_t n)
{
	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (!n || a->n_tags >= cap)
		return 0;
	for (size_t j = 0; j < a->n_tags; j++)
		if (strlen(a->tags[j]) == n && !strncasecmp(a->tags[j], p, n))
			return 0;
	if (!(a->tags[a->n_tags] = strndup(p, n)))
		return TD_ENOMEM;
	a->n_tags++;
	return 0;
}

/* The item's categories, then the source's own tags (its OPML folder or
 * what the user gave it: the site's sections), without duplicates. */
static int copy_lists(const struct feed_item *it,
		      const struct store_source *src, struct store_article *a)
{
	size_t cap = it->n_tags;
	for (const char *p = src->tags; p && *p; p++)
		cap += *p == ',';
	cap += src->tags && *src->tags;
	if (cap > TD_MAX_ITEM_LIST)
		cap = TD_MAX_ITEM_LIST;
	if (cap) {
		a->tags = calloc(cap, sizeof *a->tags);
		if (!a->tags)
			return TD_ENOMEM;
		for (size_t i = 0; i < it->n_tags; i++)
			if (it->tags[i] &&
			    add_tag(a, cap, it->tags[i], strlen(it->tags[i])))
				return TD_ENOMEM;
		for (const char *p = src->tags; p && *p;) {
			const char *e = strchr(p, ',');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			if (add_tag(a, cap, p, n))
				return TD_ENOMEM;
			p += n + (e != NULL);
		}
	}
	if (it->n_attachments) {
		a->attachments = calloc(it->n_attachments,
					sizeof *a->attachments);
		if (!a->attachments)
			return TD_ENOMEM;
		for (size_t i = 0; i < it->n_attachments; i++) {
			const struct feed_attachment *f = &it->attachments[i];
			if (!f->url)
				continue;
			struct store_attachment *s =
				&a->attachments[a->n_attachments++];
			s->url = strdup(f->url);
			s->mime_type = td_strdup(f->mime_type);
			s->size = f->size_in_bytes;
			s->duration = f->duration_in_seconds;
			if (!s->url)
				return TD_ENOMEM;
		}
	}
	return 0;
}

static const char *first_image_attachment(const struct feed_item *it)
{
	for (size_t i = 0; i < it->n_attachments; i++) {
		const char *m = it->attachments[i].mime_type;
		if (m && !strncmp(m, "image/", 6) && it->attachments[i].url)
			return it->attachments[i].url;
	}
	return NULL;
}

int news_article_from_item(const struct feed_item *it,
			   const struct store_source *src, int64_t now,
			   struct store_article *a)
{
	int rc = TD_ENOMEM;
	struct td_buf b;
	td_buf_init(&b, TD_MAX_CONTENT_BYTES * 2);
	memset(a, 0, sizeof *a);
	a->source_id = src->id;
	a->updated = TD_TIME_NONE;

	a->guid = td_strdup(it->id);
	const char *url = it->url ? it->url : it->external_url;
	a->url = td_strdup(url);
	a->canonical_url = url ? td_url_canonical(url) : NULL;
	a->author = join_authors(it);
	a->language = td_strdup(it->language);
	a->image = td_strdup(it->image ? it->image : first_image_attachment(it));
	if ((it->id && !a->guid) || (url && !a->url))
		goto out;

	/* content: the richest the item has */
	if (it->content_html && *it->content_html)
		a->content_orig = strdup(it->content_html);
	else if (it->content_text && *it->content_text)
		a->content_orig = text_to_html(it->content_text);
	else if (it->summary && *it->summary)
		a->content_orig = text_to_html(it->summary);
	else
		a->content_orig = strdup("");
	if (!a->content_orig)
		goto out;

	const char *base = url ? url : src->url;
	if ((rc = html_sanitize(a->content_orig, strlen(a->content_orig), base,
				&b)))
		goto out;
	if (!(a->content_html = td_buf_detach(&b, NULL)))
		goto out;
	td_buf_init(&b, TD_MAX_CONTENT_BYTES * 2);
	if ((rc = html_to_text(a->content_html, strlen(a->content_html), &b)))
		goto out;
	if (!(a->content_text = td_buf_detach(&b, NULL)))
		goto out;
	rc = TD_ENOMEM;

	td_buf_init(&b, 0);
	if (it->summary && *it->summary)
		html_summary(it->summary, strlen(it->summary), 0, &b);
	else
		html_summary(a->content_text, strlen(a->content_text), 0, &b);
	if (!(a->summary = td_buf_detach(&b, NULL)))
		goto out;

	a->title = (it->title && *it->title) ? strdup(it->title)
					      : derive_title(a->content_text);
	if (!a->title)
		goto out;

	int64_t pub = it->date_published;
	if (pub == TD_TIME_NONE)
		pub = it->date_modified;
	if (pub == TD_TIME_NONE || pub > now + FUTURE_SLACK)
		pub = now;
	a->published = pub;
	if (it->date_modified != TD_TIME_NONE && it->date_modified > pub &&
	    it->date_modified <= now + FUTURE_SLACK)
		a->updated = it->date_modified;
	a->first_seen = now;
	a->content_hash = news_content_hash(a->title, a->content_orig);
	rc = copy_lists(it, src, a);
out:
	td_buf_release(&b);
	if (rc)
		store_article_release(a);
	return rc;
}

/* Batch size of a reprocess step: one transaction each. */
#define REPROCESS_BATCH 200

int news_reprocess(struct store *st, int requeue_extract, int64_t *n_done,
		   struct td_error *err)
{
	int64_t after = 0, done = 0;
	int rc = 0;
	for (;;) {
		struct store_article *v = NULL;
		size_t n = 0;
		if ((rc = store_feed_bodies(st, after, REPROCESS_BATCH, &v, &n)))
			break;
		if (!n)
			break;
		if ((rc = store_begin(st))) {
			store_articles_free(v, n);
			break;
		}
		for (size_t i = 0; i < n && !rc; i++) {
			struct store_article *a = &v[i];
			const char *orig = a->content_orig ? a->content_orig : "";
			struct td_buf h, t;
			td_buf_init(&h, TD_MAX_CONTENT_BYTES * 2);
			td_buf_init(&t, TD_MAX_CONTENT_BYTES * 2);
			rc = html_sanitize(orig, strlen(orig), a->url, &h);
			if (!rc)
				rc = html_to_text(td_buf_cstr(&h), h.len, &t);
			if (!rc)
				rc = store_article_set_body(st, a->id,
							    td_buf_cstr(&h),
							    td_buf_cstr(&t),
							    NULL);
			td_buf_release(&h);
			td_buf_release(&t);
			after = a->id;
			done++;
		}
		store_articles_free(v, n);
		if (rc) {
			store_rollback(st);
			break;
		}
		if ((rc = store_commit(st)))
			break;
	}
	if (!rc && requeue_extract) {
		int64_t q = 0;
		if (!(rc = store_extract_requeue_all(st, &q)))
			done += q;
	}
	if (n_done)
		*n_done = done;
	if (rc)
		return td_error_set(err, rc, "reprocess: %s",
				    rc == TD_EDB ? store_errmsg(st)
						 : td_strerror(rc));
	return 0;
}
