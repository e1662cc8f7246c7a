/*
 * feeds.c - the site's own feeds, its sitemap and the JSON-LD of article
 * pages.
 *
 * Feeds: RSS 2.0 ("/feed.xml"), Atom 1.0 ("/atom.xml") and JSON Feed 1.1
 * ("/feed.json") of the newest FEED_ITEMS articles of the whole site, of one
 * source ("/s/{id}-{slug}/feed.xml", routed by lists.c) or of one tag
 * ("/t/{tag}/feed.xml"). Each item points at our article page (link, guid,
 * id) and carries the original URL (RSS <source> and atom:link rel=via,
 * Atom rel=via and <source>, JSON Feed external_url), dates, authors, tags,
 * the summary, the sanitized body and the enclosures. The list is read as
 * light rows; each article is then loaded whole (tags, attachments, body)
 * one at a time, so memory holds one body, and the rendered feed stops
 * growing at FEED_BODY_BUDGET (an item too big alone loses its body).
 *
 * XML text goes through xml_put: markup characters escaped, bytes XML 1.0
 * forbids (C0 controls but tab/LF/CR, U+FFFE/U+FFFF) dropped, invalid UTF-8
 * replaced by U+FFFD, so a feed is well-formed whatever the store holds.
 * JSON goes through core/json.h, strings made valid UTF-8 first.
 *
 * Only http(s) URLs from sources are published (original links, images,
 * enclosures, source feeds): a file:// source of the sample set or a
 * javascript: link never reaches a feed reader.
 *
 * /sitemap.xml (sitemaps.org 0.9): the home page, /about, the pages of
 * sources with articles (at most SITEMAP_MAX_SOURCES), the tag pages (the
 * SITEMAP_MAX_TAGS most used) and the newest articles, SITEMAP_MAX_URLS in
 * all, read in keyset batches of SITEMAP_BATCH light rows.
 *
 * web_jsonld_article: a schema.org NewsArticle for the article page's head,
 * with "<", ">", "&", U+2028 and U+2029 written as \uXXXX escapes so that
 * no text can close the <script> element it sits in.
 */
#include "web/assets.h"
#include "web/web_int.h"

#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"
#include "core/json.h"
#include "core/time.h"
#include "core/url.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Articles in a feed: what feed readers poll for; more is wasted bytes. */
#define FEED_ITEMS 50
/* A feed stops adding items past this many bytes: well under
 * TD_WEB_MAX_BODY, so 50 long articles make a shorter feed, not a 500. */
#define FEED_BODY_BUDGET (8u * 1024u * 1024u)
/* Largest single item; a bigger one is written again without its body. */
#define FEED_ITEM_MAX (4u * 1024u * 1024u)
/* Characters of plain text in an RSS description made from the body
 * text. */
#define FEED_DESCRIPTION_CHARS 500
/* Longest tag given a feed or a sitemap entry, as lists.c's tag pages
 * (tags are short words; a longer one is noise). */
#define TAG_MAX_BYTES 256

/* sitemaps.org allows 50,000 URLs; our pages past the newest 10,000
 * articles are reachable through the lists anyway. */
#define SITEMAP_MAX_URLS 10000
#define SITEMAP_MAX_SOURCES 1000
#define SITEMAP_MAX_TAGS 1000
/* Light rows read at a time while listing articles. */
#define SITEMAP_BATCH 500

/* JSON-LD: Google's limit for headline, in characters, and the length of
 * the description excerpt. */
#define JSONLD_HEADLINE_CHARS 110
#define JSONLD_DESCRIPTION_CHARS 200

/* The site's language (pages say lang="en" too). */
#define SITE_LANG "en"

/* Dates are written within years 0001..9999 (RFC 3339 has four digits). */
#define TIME_MIN (-62135596800LL) /* 0001-01-01T00:00:00Z */
#define TIME_MAX 253402300799LL   /* 9999-12-31T23:59:59Z */

/* ------------------------------------------------------------------------
 * Text helpers
 */

/* Decode the UTF-8 sequence at s (n >= 1 bytes left) into *cp; returns its
 * length. An invalid sequence (overlong, surrogate, beyond U+10FFFF,
 * truncated) gives U+FFFD and length 1 (only its first byte consumed). */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned c = s[0];
	size_t len;
	uint32_t v, min;
	*cp = 0xFFFD;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		v = c & 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		v = c & 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		v = c & 0x07;
		min = 0x10000;
	} else {
		return 1;
	}
	if (n < len)
		return 1;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 1;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 1;
	*cp = v;
	return len;
}

/* Append len bytes of s as XML character data (attr 0) or as a
 * double-quoted attribute value (attr 1): & < > escaped (and " in
 * attributes; tab, LF and CR as references there, which attribute-value
 * normalisation would otherwise turn into spaces), CR always as &#13;,
 * characters XML 1.0 forbids dropped, invalid UTF-8 as U+FFFD. */
static void xml_put(struct td_buf *b, const char *s, size_t len, int attr)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0, i = 0;
	while (i < len) {
		unsigned c = p[i];
		size_t adv = 1;
		const char *rep;
		if (c >= 0x80) {
			uint32_t cp;
			adv = utf8_next(p + i, len - i, &cp);
			if (cp == 0xFFFD && adv == 1)
				rep = "\xEF\xBF\xBD";
			else if (cp == 0xFFFE || cp == 0xFFFF)
				rep = "";
			else {
				i += adv;
				continue;
			}
		} else if (c == '&') {
			rep = "&amp;";
		} else if (c == '<') {
			rep = "&lt;";
		} else if (c == '>') {
			rep = "&gt;";
		} else if (c == '"' && attr) {
			rep = "&quot;";
		} else if (c == '\r') {
			rep = "&#13;";
		} else if (c == '\n' || c == '\t') {
			if (!attr) {
				i++;
				continue;
			}
			rep = c == '\n' ? "&#10;" : "&#9;";
		} else if (c < 0x20) {
			rep = "";
		} else {
			i++;
			continue;
		}
		td_buf_append(b, s + run, i - run);
		td_buf_puts(b, rep);
		i += adv;
		run = i;
	}
	td_buf_append(b, s + run, len - run);
}

static void xml_puts(struct td_buf *b, const char *s, int attr)
{
	if (s)
		xml_put(b, s, strlen(s), attr);
}

/* ind<name>text</name>\n; nothing for a NULL or empty text. */
static void xml_el(struct td_buf *b, const char *ind, const char *name,
		   const char *text)
{
	if (!text || !*text)
		return;
	td_buf_printf(b, "%s<%s>", ind, name);
	xml_puts(b, text, 0);
	td_buf_printf(b, "</%s>\n", name);
}

/* An empty element whose last attribute holds v: open is everything up
 * to that attribute's opening quote ("    <link rel=\"via\" href=\""). */
static void xml_empty(struct td_buf *b, const char *open, const char *v)
{
	td_buf_puts(b, open);
	xml_puts(b, v, 1);
	td_buf_puts(b, "\"/>\n");
}

/* len bytes of text escaped as HTML, then as XML: RSS readers (ours
 * included) take title, description, category and dc:creator as HTML. */
static void xml_html_put(struct td_buf *b, const char *s, size_t len)
{
	struct td_buf h, t;
	td_buf_init(&h, 0);
	td_buf_init(&t, 0);
	td_buf_append(&t, s, len);
	web_html_escape(&h, td_buf_cstr(&t));
	int rc = td_buf_err(&t) ? td_buf_err(&t) : td_buf_err(&h);
	if (rc)
		b->err = b->err ? b->err : rc;
	else
		xml_put(b, td_buf_cstr(&h), h.len, 0);
	td_buf_release(&t);
	td_buf_release(&h);
}

/* ind<name>text</name>\n with text as HTML (see xml_html_put); nothing
 * for an empty text. */
static void xml_el_html(struct td_buf *b, const char *ind, const char *name,
			const char *s, size_t len)
{
	if (!s || !len)
		return;
	td_buf_printf(b, "%s<%s>", ind, name);
	xml_html_put(b, s, len);
	td_buf_printf(b, "</%s>\n", name);
}

/* Bytes of s (len bytes) holding at most max characters. */
static size_t utf8_prefix(const char *s, size_t len, size_t max,
			  size_t *chars)
{
	size_t n = 0, i = 0;
	for (; i < len; i++) {
		if (((unsigned char)s[i] & 0xC0) == 0x80)
			continue;
		if (n == max)
			break;
		n++;
	}
	if (chars)
		*chars = n;
	return i;
}

/* Append s shortened to at most max characters: cut after a word when one
 * ends in the second half, with an ellipsis (counted) when cut. */
static void put_excerpt(struct td_buf *b, const char *s, size_t max)
{
	if (!s || max < 2)
		return;
	size_t len = strlen(s);
	size_t all = utf8_prefix(s, len, max, NULL);
	if (all == len) {
		td_buf_append(b, s, len);
		return;
	}
	size_t end = utf8_prefix(s, len, max - 1, NULL);
	size_t half = utf8_prefix(s, len, (max - 1) / 2, NULL);
	size_t cut = end;
	while (cut > half && s[cut] != ' ')
		cut--;
	if (cut <= half)
		cut = end;
	while (cut > 0 && (s[cut - 1] == ' ' || s[cut - 1] == '\n' ||
			   s[cut - 1] == '\t' || s[cut - 1] == '\r'))
		cut--;
	td_buf_append(b, s, cut);
	td_buf_puts(b, "\xe2\x80\xa6");
}

/* The next name of a comma-separated list at *p, trimmed; 0 at the end. */
static int next_name(const char **p, struct td_str *out)
{
	const char *s = *p;
	for (;;) {
		while (*s == ' ' || *s == ',' || *s == '\t' || *s == '\n' ||
		       *s == '\r')
			s++;
		if (!*s) {
			*p = s;
			return 0;
		}
		const char *e = strchr(s, ',');
		if (!e)
			e = s + strlen(s);
		const char *t = e;
		while (t > s && (t[-1] == ' ' || t[-1] == '\t' ||
				 t[-1] == '\n' || t[-1] == '\r'))
			t--;
		*p = e;
		if (t > s) {
			out->p = s;
			out->len = (size_t)(t - s);
			return 1;
		}
		s = e;
	}
}

/* A plausible language tag (letters, digits, '-', at most 35 bytes). */
static int lang_ok(const char *s)
{
	if (!s || !*s)
		return 0;
	size_t n = 0;
	for (; s[n]; n++) {
		char c = s[n];
		if (n >= 35 || !((c >= 'a' && c <= 'z') ||
				 (c >= 'A' && c <= 'Z') ||
				 (c >= '0' && c <= '9') || c == '-'))
			return 0;
	}
	return 1;
}

static int64_t clamp_time(int64_t t)
{
	return t < TIME_MIN ? TIME_MIN : t > TIME_MAX ? TIME_MAX : t;
}

static const char *rfc3339(int64_t t, char out[32])
{
	return td_time_rfc3339(clamp_time(t), out);
}

static const char *rfc822(int64_t t, char out[32])
{
	return td_time_rfc1123(clamp_time(t), out);
}

static int is_http(const char *u)
{
	return u && *u && td_url_is_http(u);
}

static const char *site_title(const struct web_req *req)
{
	return req->cfg && req->cfg->site_title && *req->cfg->site_title
		       ? req->cfg->site_title
		       : "tidings";
}

static const char *base_of(const struct web_req *req)
{
	return req->base_url ? req->base_url : "";
}

/* base + "/a/ID-SLUG" ("/a/ID" for a title without letters or digits):
 * the article page, as pages.c names it. */
static void put_article_url(struct td_buf *b, const char *base, int64_t id,
			    const char *title)
{
	td_buf_printf(b, "%s/a/%lld", base, (long long)id);
	size_t at = b->len;
	td_buf_putc(b, '-');
	web_slug(b, title);
	if (!td_buf_err(b) && b->len == at + 1)
		td_buf_truncate(b, at);
}

/* base + "/s/ID-SLUG" ("/s/ID"): a source page (lists.c's path). */
static void put_source_url(struct td_buf *b, const char *base, int64_t id,
			   const char *title)
{
	td_buf_puts(b, base);
	web_source_path(b, id, title);
}

/* base + "/t/TAG" (percent-encoded): a tag page. */
static void put_tag_url(struct td_buf *b, const char *base, const char *tag)
{
	td_buf_puts(b, base);
	web_tag_path(b, tag);
}

/* JSON string member; NULL or empty values are left out, invalid UTF-8 is
 * repaired (td_json_text). */
static void jkstr(struct td_json *j, const char *key, const char *s)
{
	if (!s || !*s)
		return;
	td_json_key(j, key);
	td_json_text(j, s);
}

/* ------------------------------------------------------------------------
 * Feeds
 */

static const char *const feed_file[] = { "", "feed.xml", "atom.xml",
					  "feed.json" };
static const char *const feed_type[] = {
	"",
	"application/rss+xml; charset=utf-8",
	"application/atom+xml; charset=utf-8",
	"application/feed+json; charset=utf-8",
};

/* The sources of a feed's items, each read once. */
struct src_cache {
	struct store_source v[FEED_ITEMS + 1];
	size_t n;
};

/* The source of id (loaded on first use), or NULL when it is gone. */
static const struct store_source *src_get(struct store *st,
					  struct src_cache *c, int64_t id)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].id == id)
			return &c->v[i];
	if (c->n >= sizeof c->v / sizeof c->v[0])
		return NULL;
	struct store_source *s = &c->v[c->n];
	memset(s, 0, sizeof *s);
	if (store_source_get(st, id, s))
		return NULL;
	c->n++;
	return s;
}

static void src_cache_release(struct src_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		store_source_release(&c->v[i]);
	c->n = 0;
}

/* Everything an item renderer needs. */
struct item {
	const struct store_article *a;
	const char *url;         /* our article page */
	const char *orig;        /* the original URL when http(s), else NULL */
	const char *source_name; /* may be "" */
	const char *source_feed; /* http(s) feed URL of the source, or NULL */
	const char *source_site; /* http(s) home page of the source, or NULL */
	int body;                /* 0: leave the body out (too big) */
};

/* The plain summary of an item: the summary, else NULL. */
static const char *summary_of(const struct store_article *a)
{
	return a->summary && *a->summary ? a->summary : NULL;
}

static const char *title_of(const struct store_article *a)
{
	return a->title && *a->title ? a->title : "(untitled)";
}

static void rss_item(struct td_buf *b, const struct item *it)
{
	const struct store_article *a = it->a;
	char d[32];
	const char *title = title_of(a);
	td_buf_puts(b, "    <item>\n");
	xml_el_html(b, "      ", "title", title, strlen(title));
	xml_el(b, "      ", "link", it->url);
	td_buf_puts(b, "      <guid isPermaLink=\"true\">");
	xml_puts(b, it->url, 0);
	td_buf_puts(b, "</guid>\n");
	xml_el(b, "      ", "pubDate", rfc822(a->published, d));
	if (a->author) {
		const char *p = a->author;
		struct td_str nm;
		for (int k = 0; k < 256 && next_name(&p, &nm); k++)
			xml_el_html(b, "      ", "dc:creator", nm.p, nm.len);
	}
	for (size_t i = 0; i < a->n_tags; i++) {
		if (a->tags[i])
			xml_el_html(b, "      ", "category", a->tags[i],
				    strlen(a->tags[i]));
	}
	const char *sum = summary_of(a);
	if (sum || (a->content_text && *a->content_text)) {
		struct td_buf ex;
		td_buf_init(&ex, 0);
		if (sum)
			td_buf_puts(&ex, sum);
		else
			put_excerpt(&ex, a->content_text,
				    FEED_DESCRIPTION_CHARS);
		xml_el_html(b, "      ", "description", td_buf_cstr(&ex),
			    ex.len);
		if (td_buf_err(&ex) && !b->err)
			b->err = td_buf_err(&ex);
		td_buf_release(&ex);
	}
	if (it->body && a->content_html && *a->content_html)
		xml_el(b, "      ", "content:encoded", a->content_html);
	for (size_t i = 0; i < a->n_attachments; i++) {
		const struct store_attachment *at = &a->attachments[i];
		if (!is_http(at->url))
			continue;
		td_buf_puts(b, "      <enclosure url=\"");
		xml_puts(b, at->url, 1);
		td_buf_printf(b, "\" length=\"%lld\" type=\"",
			      (long long)(at->size > 0 ? at->size : 0));
		xml_puts(b, at->mime_type && *at->mime_type
				    ? at->mime_type
				    : "application/octet-stream",
			 1);
		td_buf_puts(b, "\"/>\n");
	}
	if (it->source_feed && *it->source_name) {
		td_buf_puts(b, "      <source url=\"");
		xml_puts(b, it->source_feed, 1);
		td_buf_puts(b, "\">");
		xml_puts(b, it->source_name, 0);
		td_buf_puts(b, "</source>\n");
	}
	if (it->orig)
		xml_empty(b, "      <atom:link rel=\"via\" href=\"", it->orig);
	td_buf_puts(b, "    </item>\n");
}

static void atom_item(struct td_buf *b, const struct item *it)
{
	const struct store_article *a = it->a;
	char d[32];
	td_buf_puts(b, "  <entry");
	if (lang_ok(a->language)) {
		td_buf_puts(b, " xml:lang=\"");
		xml_puts(b, a->language, 1);
		td_buf_putc(b, '"');
	}
	td_buf_puts(b, ">\n");
	xml_el(b, "    ", "id", it->url);
	td_buf_puts(b, "    <title type=\"text\">");
	xml_puts(b, title_of(a), 0);
	td_buf_puts(b, "</title>\n");
	xml_empty(b, "    <link rel=\"alternate\" type=\"text/html\" href=\"",
		  it->url);
	if (it->orig)
		xml_empty(b, "    <link rel=\"via\" href=\"", it->orig);
	for (size_t i = 0; i < a->n_attachments; i++) {
		const struct store_attachment *at = &a->attachments[i];
		if (!is_http(at->url))
			continue;
		td_buf_puts(b, "    <link rel=\"enclosure\" href=\"");
		xml_puts(b, at->url, 1);
		td_buf_putc(b, '"');
		if (at->mime_type && *at->mime_type) {
			td_buf_puts(b, " type=\"");
			xml_puts(b, at->mime_type, 1);
			td_buf_putc(b, '"');
		}
		if (at->size > 0)
			td_buf_printf(b, " length=\"%lld\"",
				      (long long)at->size);
		td_buf_puts(b, "/>\n");
	}
	xml_el(b, "    ", "published", rfc3339(a->published, d));
	xml_el(b, "    ", "updated",
	       rfc3339(a->updated != TD_TIME_NONE ? a->updated : a->published,
		       d));
	if (a->author) {
		const char *p = a->author;
		struct td_str nm;
		for (int k = 0; k < 256 && next_name(&p, &nm); k++) {
			td_buf_puts(b, "    <author><name>");
			xml_put(b, nm.p, nm.len, 0);
			td_buf_puts(b, "</name></author>\n");
		}
	}
	for (size_t i = 0; i < a->n_tags; i++) {
		if (!a->tags[i] || !*a->tags[i])
			continue;
		xml_empty(b, "    <category term=\"", a->tags[i]);
	}
	const char *sum = summary_of(a);
	if (sum) {
		td_buf_puts(b, "    <summary type=\"text\">");
		xml_puts(b, sum, 0);
		td_buf_puts(b, "</summary>\n");
	}
	if (it->body && a->content_html && *a->content_html) {
		td_buf_puts(b, "    <content type=\"html\">");
		xml_puts(b, a->content_html, 0);
		td_buf_puts(b, "</content>\n");
	} else if (it->body && a->content_text && *a->content_text) {
		td_buf_puts(b, "    <content type=\"text\">");
		xml_puts(b, a->content_text, 0);
		td_buf_puts(b, "</content>\n");
	}
	if (*it->source_name || it->source_feed || it->source_site) {
		td_buf_puts(b, "    <source>\n");
		xml_el(b, "      ", "id", it->source_feed);
		if (*it->source_name) {
			td_buf_puts(b, "      <title type=\"text\">");
			xml_puts(b, it->source_name, 0);
			td_buf_puts(b, "</title>\n");
		}
		if (it->source_site) {
			xml_empty(b, "      <link rel=\"alternate\" href=\"",
				  it->source_site);
		}
		if (it->source_feed) {
			xml_empty(b, "      <link rel=\"self\" href=\"",
				  it->source_feed);
		}
		td_buf_puts(b, "    </source>\n");
	}
	td_buf_puts(b, "  </entry>\n");
}

/* "key": [{"@type": type, "name": ...}, ...] for the stored comma-separated
 * author list (at most 256 names; nothing when it has none; no @type
 * when type is NULL). */
static void json_authors(struct td_json *j, const char *key,
			 const char *authors, const char *type)
{
	const char *p = authors;
	struct td_str nm;
	int k = 0;
	for (; p && k < 256 && next_name(&p, &nm); k++) {
		if (k == 0) {
			td_json_key(j, key);
			td_json_arr_begin(j);
		}
		td_json_obj_begin(j);
		if (type)
			jkstr(j, "@type", type);
		td_json_key(j, "name");
		td_json_textn(j, nm.p, nm.len);
		td_json_obj_end(j);
	}
	if (k)
		td_json_arr_end(j);
}

static void json_item(struct td_buf *b, const struct item *it)
{
	const struct store_article *a = it->a;
	char d[32];
	struct td_json j;
	td_json_init(&j, b, 0);
	td_json_obj_begin(&j);
	jkstr(&j, "id", it->url);
	jkstr(&j, "url", it->url);
	jkstr(&j, "external_url", it->orig);
	jkstr(&j, "title", title_of(a));
	if (it->body && a->content_html && *a->content_html)
		jkstr(&j, "content_html", a->content_html);
	else if (it->body && a->content_text && *a->content_text)
		jkstr(&j, "content_text", a->content_text);
	else {
		/* an item needs one of the two */
		td_json_key(&j, "content_text");
		const char *s = summary_of(a);
		td_json_textn(&j, s ? s : "", s ? strlen(s) : 0);
	}
	jkstr(&j, "summary", summary_of(a));
	if (is_http(a->image))
		jkstr(&j, "image", a->image);
	jkstr(&j, "date_published", rfc3339(a->published, d));
	if (a->updated != TD_TIME_NONE)
		jkstr(&j, "date_modified", rfc3339(a->updated, d));
	json_authors(&j, "authors", a->author, NULL);
	size_t nt = 0;
	for (size_t i = 0; i < a->n_tags; i++) {
		if (!a->tags[i] || !*a->tags[i])
			continue;
		if (!nt++) {
			td_json_key(&j, "tags");
			td_json_arr_begin(&j);
		}
		td_json_textn(&j, a->tags[i], strlen(a->tags[i]));
	}
	if (nt)
		td_json_arr_end(&j);
	if (lang_ok(a->language))
		jkstr(&j, "language", a->language);
	size_t na = 0;
	for (size_t i = 0; i < a->n_attachments; i++) {
		const struct store_attachment *at = &a->attachments[i];
		if (!is_http(at->url))
			continue;
		if (!na++) {
			td_json_key(&j, "attachments");
			td_json_arr_begin(&j);
		}
		td_json_obj_begin(&j);
		jkstr(&j, "url", at->url);
		jkstr(&j, "mime_type", at->mime_type && *at->mime_type
					       ? at->mime_type
					       : "application/octet-stream");
		if (at->size > 0) {
			td_json_key(&j, "size_in_bytes");
			td_json_int(&j, at->size);
		}
		if (at->duration > 0) {
			td_json_key(&j, "duration_in_seconds");
			td_json_int(&j, at->duration);
		}
		td_json_obj_end(&j);
	}
	if (na)
		td_json_arr_end(&j);
	if (*it->source_name || it->source_feed || it->source_site) {
		/* an extension (JSON Feed 1.1: keys starting with '_') */
		td_json_key(&j, "_source");
		td_json_obj_begin(&j);
		jkstr(&j, "title", it->source_name);
		jkstr(&j, "home_page_url", it->source_site);
		jkstr(&j, "feed_url", it->source_feed);
		td_json_obj_end(&j);
	}
	td_json_obj_end(&j);
}

/* The feed's heading, with everything known once the items are written:
 * title, page (the HTML page it follows), self, description, updated. */
struct head {
	const char *title;
	const char *page;
	const char *self;
	const char *description;
	const char *site;
	const char *home; /* base + "/" */
	int64_t updated;  /* newest first_seen; TD_TIME_NONE for no items */
};

static void rss_head(struct td_buf *b, const struct head *h)
{
	char d[32];
	td_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		       "<rss version=\"2.0\" "
		       "xmlns:atom=\"http://www.w3.org/2005/Atom\" "
		       "xmlns:content=\"http://purl.org/rss/1.0/modules/"
		       "content/\" "
		       "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
		       "  <channel>\n");
	xml_el_html(b, "    ", "title", h->title, strlen(h->title));
	xml_el(b, "    ", "link", h->page);
	xml_el_html(b, "    ", "description", h->description,
		    strlen(h->description));
	xml_el(b, "    ", "language", SITE_LANG);
	if (h->updated != TD_TIME_NONE)
		xml_el(b, "    ", "lastBuildDate", rfc822(h->updated, d));
	xml_el(b, "    ", "generator", "tidings");
	xml_empty(b, "    <atom:link rel=\"self\" "
		     "type=\"application/rss+xml\" href=\"", h->self);
}

static void atom_head(struct td_buf *b, const struct head *h, int64_t now)
{
	char d[32];
	td_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		       "<feed xmlns=\"http://www.w3.org/2005/Atom\" "
		       "xml:lang=\"" SITE_LANG "\">\n");
	xml_el(b, "  ", "id", h->self);
	td_buf_puts(b, "  <title type=\"text\">");
	xml_puts(b, h->title, 0);
	td_buf_puts(b, "</title>\n  <subtitle type=\"text\">");
	xml_puts(b, h->description, 0);
	td_buf_puts(b, "</subtitle>\n");
	xml_empty(b, "  <link rel=\"alternate\" type=\"text/html\" href=\"",
		  h->page);
	xml_empty(b, "  <link rel=\"self\" type=\"application/atom+xml\" "
		     "href=\"", h->self);
	/* required: an empty feed says when it was made */
	xml_el(b, "  ", "updated",
	       rfc3339(h->updated != TD_TIME_NONE ? h->updated : now, d));
	td_buf_puts(b, "  <author><name>");
	xml_puts(b, h->site, 0);
	td_buf_puts(b, "</name><uri>");
	xml_puts(b, h->home, 0);
	td_buf_puts(b, "</uri></author>\n  <generator>tidings</generator>\n");
}

static void json_head(struct td_json *j, const struct head *h)
{
	td_json_obj_begin(j);
	td_json_key(j, "version");
	td_json_str(j, "https://jsonfeed.org/version/1.1");
	jkstr(j, "title", h->title);
	jkstr(j, "home_page_url", h->page);
	jkstr(j, "feed_url", h->self);
	jkstr(j, "description", h->description);
	jkstr(j, "language", SITE_LANG);
	td_json_key(j, "authors");
	td_json_arr_begin(j);
	td_json_obj_begin(j);
	jkstr(j, "name", h->site);
	jkstr(j, "url", h->home);
	td_json_obj_end(j);
	td_json_arr_end(j);
	td_json_key(j, "items");
}

static void render_item(struct td_buf *b, int kind, const struct item *it)
{
	if (kind == WEB_FEED_RSS)
		rss_item(b, it);
	else if (kind == WEB_FEED_ATOM)
		atom_item(b, it);
	else
		json_item(b, it);
}

/* Load article id whole and append its item to items (separated by a comma
 * in JSON when not the first). 0, 1 when the item was left out (gone, or
 * too big even without its body, or over the budget: *full set), or a
 * TD_E* code. */
static int add_item(struct store *st, struct web_req *req, int kind,
		    struct src_cache *sc, int64_t id, struct td_buf *items,
		    size_t *count, int *full, const char *want_tag,
		    char **tag_spelling)
{
	struct store_article a;
	memset(&a, 0, sizeof a);
	struct td_buf url, item;
	td_buf_init(&url, 0);
	td_buf_init(&item, FEED_ITEM_MAX);
	int rc = store_article_get(st, id, &a);
	if (rc == TD_ENOTFOUND) {
		rc = 1; /* deleted since the list was read */
		goto out;
	}
	if (rc) {
		rc = TD_EDB;
		goto out;
	}
	if (want_tag && !*tag_spelling) {
		for (size_t i = 0; i < a.n_tags; i++)
			if (a.tags[i] && !strcasecmp(a.tags[i], want_tag)) {
				*tag_spelling = td_strdup(a.tags[i]);
				break;
			}
	}
	put_article_url(&url, base_of(req), a.id, a.title);
	rc = td_buf_err(&url);
	if (rc)
		goto out;
	const struct store_source *src = src_get(st, sc, a.source_id);
	struct item it = {
		.a = &a,
		.url = td_buf_cstr(&url),
		.orig = is_http(a.url) ? a.url : NULL,
		.source_name = a.source_title ? a.source_title
			       : src && src->title ? src->title
						   : "",
		.source_feed = src && is_http(src->url) ? src->url : NULL,
		.source_site = src && is_http(src->site_url) ? src->site_url
							     : NULL,
		.body = 1,
	};
	render_item(&item, kind, &it);
	if (td_buf_err(&item) == TD_ETOOBIG) {
		td_buf_reset(&item);
		it.body = 0;
		render_item(&item, kind, &it);
	}
	rc = td_buf_err(&item);
	if (rc == TD_ETOOBIG) {
		rc = 1;
		goto out;
	}
	if (rc)
		goto out;
	if (items->len + item.len + 1 > FEED_BODY_BUDGET) {
		*full = 1;
		rc = 1;
		goto out;
	}
	if (kind == WEB_FEED_JSON && *count)
		td_buf_putc(items, ',');
	td_buf_append(items, item.p, item.len);
	(*count)++;
	rc = td_buf_err(items);
out:
	td_buf_release(&item);
	td_buf_release(&url);
	store_article_release(&a);
	return rc;
}

int web_feed_render(struct web_req *req, struct web_resp *resp, int kind,
		    int64_t source_id, const char *tag)
{
	if (kind != WEB_FEED_RSS && kind != WEB_FEED_ATOM &&
	    kind != WEB_FEED_JSON)
		return TD_EINVAL;
	if (tag && (!*tag || strlen(tag) > TAG_MAX_BYTES))
		return TD_ENOTFOUND;
	struct store *st = web_req_store(req);
	if (!st)
		return TD_EDB;

	struct src_cache *sc = calloc(1, sizeof *sc);
	struct store_article *v = NULL;
	size_t n = 0, count = 0;
	char *tag_spelling = NULL;
	struct td_buf items, page, self, title, desc, home;
	td_buf_init(&items, 0);
	td_buf_init(&page, 0);
	td_buf_init(&self, 0);
	td_buf_init(&title, 0);
	td_buf_init(&desc, 0);
	td_buf_init(&home, 0);
	int rc = TD_ENOMEM;
	if (!sc)
		goto out;

	const struct store_source *src = NULL;
	if (source_id > 0) {
		src = src_get(st, sc, source_id);
		if (!src) {
			/* src_get hides why: ask again for the code */
			struct store_source tmp;
			memset(&tmp, 0, sizeof tmp);
			rc = store_source_get(st, source_id, &tmp);
			store_source_release(&tmp);
			rc = rc == TD_ENOTFOUND || rc == 0 ? TD_ENOTFOUND
							   : TD_EDB;
			goto out;
		}
	}

	struct store_query q;
	store_query_init(&q, FEED_ITEMS);
	q.source_id = source_id > 0 ? source_id : 0;
	q.tag = tag;
	q.full = 0;
	if (store_articles(st, &q, &v, &n)) {
		rc = TD_EDB;
		goto out;
	}
	if (tag && n == 0) {
		rc = TD_ENOTFOUND;
		goto out;
	}

	int64_t updated = TD_TIME_NONE;
	int full = 0;
	for (size_t i = 0; i < n && !full; i++) {
		rc = add_item(st, req, kind, sc, v[i].id, &items, &count,
			      &full, tag, &tag_spelling);
		if (rc < 0)
			goto out;
		if (rc == 0 && v[i].first_seen > updated)
			updated = v[i].first_seen;
	}

	/* the heading */
	const char *base = base_of(req);
	const char *site = site_title(req);
	td_buf_printf(&home, "%s/", base);
	if (src) {
		const char *name = src->title && *src->title ? src->title
							     : "Source";
		put_source_url(&page, base, src->id, src->title);
		td_buf_printf(&title, "%s - %s", name, site);
		td_buf_printf(&desc, "The latest news from %s.", name);
	} else if (tag) {
		const char *name = tag_spelling ? tag_spelling : tag;
		put_tag_url(&page, base, tag);
		td_buf_printf(&title, "#%s - %s", name, site);
		td_buf_printf(&desc, "The latest news tagged %s.", name);
	} else {
		td_buf_printf(&page, "%s/", base);
		td_buf_puts(&title, site);
		td_buf_puts(&desc,
			    "The latest news from every source, newest first.");
	}
	if (src || tag)
		td_buf_printf(&self, "%s/%s", td_buf_cstr(&page),
			      feed_file[kind]);
	else
		td_buf_printf(&self, "%s/%s", base, feed_file[kind]);
	rc = td_buf_err(&page) ? td_buf_err(&page)
	     : td_buf_err(&self) ? td_buf_err(&self)
	     : td_buf_err(&title) ? td_buf_err(&title)
	     : td_buf_err(&desc) ? td_buf_err(&desc)
				: td_buf_err(&home);
	if (rc)
		goto out;
	struct head h = {
		.title = td_buf_cstr(&title),
		.page = td_buf_cstr(&page),
		.self = td_buf_cstr(&self),
		.description = td_buf_cstr(&desc),
		.site = site,
		.home = td_buf_cstr(&home),
		.updated = updated,
	};

	struct td_buf *b = &resp->body;
	if (kind == WEB_FEED_RSS) {
		rss_head(b, &h);
		td_buf_append(b, items.p, items.len);
		td_buf_puts(b, "  </channel>\n</rss>\n");
	} else if (kind == WEB_FEED_ATOM) {
		atom_head(b, &h, req->now ? req->now : td_now());
		td_buf_append(b, items.p, items.len);
		td_buf_puts(b, "</feed>\n");
	} else {
		struct td_json j;
		td_json_init(&j, b, 0);
		json_head(&j, &h);
		td_buf_putc(b, '[');
		td_buf_append(b, items.p, items.len);
		td_buf_puts(b, "]}\n");
	}
	rc = td_buf_err(b);
	if (rc)
		goto out;
	resp->content_type = feed_type[kind];
	resp->cc = WEB_CC_SHORT;
	resp->cacheable = 1;
	resp->last_modified = updated;
out:
	free(tag_spelling);
	td_buf_release(&home);
	td_buf_release(&desc);
	td_buf_release(&title);
	td_buf_release(&self);
	td_buf_release(&page);
	td_buf_release(&items);
	store_articles_free(v, n);
	if (sc)
		src_cache_release(sc);
	free(sc);
	return rc;
}

int web_page_feed(struct web_req *req, struct web_resp *resp)
{
	const char *p = req->path ? req->path : "";
	int kind = !strcmp(p, "/feed.xml")    ? WEB_FEED_RSS
		   : !strcmp(p, "/atom.xml")  ? WEB_FEED_ATOM
		   : !strcmp(p, "/feed.json") ? WEB_FEED_JSON
					      : 0;
	if (!kind)
		return TD_ENOTFOUND;
	return web_feed_render(req, resp, kind, 0, NULL);
}

/* ------------------------------------------------------------------------
 * Sitemap
 */

static void sm_url(struct td_buf *b, const char *loc, int64_t lastmod)
{
	td_buf_puts(b, "  <url><loc>");
	xml_puts(b, loc, 0);
	td_buf_puts(b, "</loc>");
	if (lastmod != TD_TIME_NONE && lastmod > 0) {
		char d[32];
		td_buf_printf(b, "<lastmod>%s</lastmod>", rfc3339(lastmod, d));
	}
	td_buf_puts(b, "</url>\n");
}

/* 1 for a tag whose page lists.c serves: bounded, no control bytes, not
 * ending in a feed's file name (which would name the tag's feed). */
static int sitemap_tag_ok(const char *t)
{
	if (!t || !*t || strlen(t) > TAG_MAX_BYTES)
		return 0;
	for (const unsigned char *p = (const unsigned char *)t; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	const char *slash = strrchr(t, '/');
	if (slash)
		for (int k = 1; k <= 3; k++)
			if (!strcmp(slash + 1, feed_file[k]))
				return 0;
	return 1;
}

/* The article URLs (at most max) into out, newest first; *count and
 * *newest (first_seen) updated. 0 or a TD_E* code. */
static int sm_articles(struct store *st, const char *base, size_t max,
		       struct td_buf *out, size_t *count, int64_t *newest)
{
	struct store_query q;
	store_query_init(&q, SITEMAP_BATCH);
	q.full = 0;
	struct td_buf loc;
	td_buf_init(&loc, 0);
	int rc = 0;
	size_t done = 0;
	while (done < max) {
		struct store_article *v = NULL;
		size_t n = 0;
		q.limit = max - done < SITEMAP_BATCH ? max - done
						     : SITEMAP_BATCH;
		if (store_articles(st, &q, &v, &n)) {
			rc = TD_EDB;
			break;
		}
		for (size_t i = 0; i < n; i++) {
			const struct store_article *a = &v[i];
			td_buf_reset(&loc);
			put_article_url(&loc, base, a->id, a->title);
			sm_url(out, td_buf_cstr(&loc),
			       a->updated != TD_TIME_NONE &&
					       a->updated > a->published
				       ? a->updated
				       : a->published);
			if (a->first_seen > *newest)
				*newest = a->first_seen;
		}
		done += n;
		*count += n;
		int last = n < q.limit;
		if (n) {
			q.before_published = v[n - 1].published;
			q.before_id = v[n - 1].id;
		}
		store_articles_free(v, n);
		rc = td_buf_err(&loc) ? td_buf_err(&loc) : td_buf_err(out);
		if (rc || last)
			break;
	}
	td_buf_release(&loc);
	return rc;
}

int web_page_sitemap(struct web_req *req, struct web_resp *resp)
{
	struct store *st = web_req_store(req);
	if (!st)
		return TD_EDB;
	const char *base = base_of(req);
	struct store_source *srcs = NULL;
	size_t nsrc = 0, ntag = 0, used = 2; /* home and about */
	struct store_tag *tags = NULL;
	struct td_buf head, arts, loc;
	td_buf_init(&head, 0);
	td_buf_init(&arts, 0);
	td_buf_init(&loc, 0);
	int64_t newest = TD_TIME_NONE;
	int rc = TD_EDB;

	if (store_source_list(st, &srcs, &nsrc))
		goto out;
	if (store_tags(st, SITEMAP_MAX_TAGS, &tags, &ntag))
		goto out;

	/* sources and tags first (bounded), the articles get the rest */
	struct td_buf *b = &head;
	size_t shown = 0;
	for (size_t i = 0; i < nsrc && shown < SITEMAP_MAX_SOURCES; i++) {
		const struct store_source *s = &srcs[i];
		if (s->n_articles <= 0)
			continue;
		td_buf_reset(&loc);
		put_source_url(&loc, base, s->id, s->title);
		sm_url(b, td_buf_cstr(&loc), s->last_new_item);
		shown++;
	}
	used += shown;
	for (size_t i = 0; i < ntag; i++) {
		if (!sitemap_tag_ok(tags[i].tag))
			continue;
		const char *t = tags[i].tag;
		td_buf_reset(&loc);
		put_tag_url(&loc, base, t);
		sm_url(b, td_buf_cstr(&loc), TD_TIME_NONE);
		used++;
	}
	size_t narts = 0;
	rc = sm_articles(st, base, SITEMAP_MAX_URLS - used, &arts, &narts,
			 &newest);
	if (rc)
		goto out;

	b = &resp->body;
	td_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		       "<urlset xmlns=\"http://www.sitemaps.org/schemas/"
		       "sitemap/0.9\">\n");
	td_buf_reset(&loc);
	td_buf_printf(&loc, "%s/", base);
	sm_url(b, td_buf_cstr(&loc), newest);
	td_buf_reset(&loc);
	td_buf_printf(&loc, "%s/about", base);
	sm_url(b, td_buf_cstr(&loc), TD_TIME_NONE);
	td_buf_append(b, head.p, head.len);
	td_buf_append(b, arts.p, arts.len);
	td_buf_puts(b, "</urlset>\n");
	rc = td_buf_err(&head) ? td_buf_err(&head)
	     : td_buf_err(&loc) ? td_buf_err(&loc)
				: td_buf_err(b);
	if (rc)
		goto out;
	resp->content_type = "application/xml; charset=utf-8";
	resp->cc = WEB_CC_SHORT;
	resp->cacheable = 1;
	resp->last_modified = newest;
out:
	td_buf_release(&loc);
	td_buf_release(&arts);
	td_buf_release(&head);
	store_tags_free(tags, ntag);
	store_sources_free(srcs, nsrc);
	return rc;
}

/* ------------------------------------------------------------------------
 * JSON-LD
 */

/* Copy JSON text to out with "<", ">", "&", U+2028 and U+2029 written as
 * \uXXXX escapes. They occur only inside strings (JSON's structure is
 * ASCII punctuation without them), where the escapes mean the same. */
static void script_safe(struct td_buf *out, const char *s, size_t len)
{
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;
		size_t skip = 1;
		if (c == '<')
			rep = "\\u003c";
		else if (c == '>')
			rep = "\\u003e";
		else if (c == '&')
			rep = "\\u0026";
		else if (c == 0xE2 && i + 2 < len &&
			 (unsigned char)s[i + 1] == 0x80 &&
			 ((unsigned char)s[i + 2] == 0xA8 ||
			  (unsigned char)s[i + 2] == 0xA9)) {
			rep = (unsigned char)s[i + 2] == 0xA8 ? "\\u2028"
							     : "\\u2029";
			skip = 3;
		}
		if (!rep)
			continue;
		td_buf_append(out, s + run, i - run);
		td_buf_puts(out, rep);
		i += skip - 1;
		run = i + 1;
	}
	td_buf_append(out, s + run, len - run);
}

int web_jsonld_article(struct td_buf *out, const struct web_req *req,
		       const struct store_article *a, const char *source_name,
		       const char *source_url)
{
	struct td_buf tmp, url, text;
	td_buf_init(&tmp, 0);
	td_buf_init(&url, 0);
	td_buf_init(&text, 0);
	char d[32];
	struct td_json j;
	td_json_init(&j, &tmp, 0);

	put_article_url(&url, base_of(req), a->id, a->title);
	td_json_obj_begin(&j);
	jkstr(&j, "@context", "https://schema.org");
	jkstr(&j, "@type", "NewsArticle");
	put_excerpt(&text, a->title && *a->title ? a->title : "(untitled)",
		    JSONLD_HEADLINE_CHARS);
	jkstr(&j, "headline", td_buf_cstr(&text));
	if (a->published != TD_TIME_NONE) {
		jkstr(&j, "datePublished", rfc3339(a->published, d));
		jkstr(&j, "dateModified",
		      rfc3339(a->updated != TD_TIME_NONE ? a->updated
							 : a->published,
			      d));
	}
	json_authors(&j, "author", a->author, "Person");
	if ((source_name && *source_name) || is_http(source_url)) {
		td_json_key(&j, "publisher");
		td_json_obj_begin(&j);
		jkstr(&j, "@type", "Organization");
		jkstr(&j, "name", source_name);
		if (is_http(source_url))
			jkstr(&j, "url", source_url);
		td_json_obj_end(&j);
	}
	td_json_key(&j, "mainEntityOfPage");
	td_json_obj_begin(&j);
	jkstr(&j, "@type", "WebPage");
	jkstr(&j, "@id", td_buf_cstr(&url));
	td_json_obj_end(&j);
	jkstr(&j, "url", td_buf_cstr(&url));
	if (is_http(a->image))
		jkstr(&j, "image", a->image);
	td_buf_reset(&text);
	put_excerpt(&text, a->summary && *a->summary ? a->summary
						     : a->content_text,
		    JSONLD_DESCRIPTION_CHARS);
	jkstr(&j, "description", td_buf_cstr(&text));
	if (lang_ok(a->language))
		jkstr(&j, "inLanguage", a->language);
	if (is_http(a->url))
		jkstr(&j, "isBasedOn", a->url);
	td_json_obj_end(&j);

	int rc = td_buf_err(&url) ? td_buf_err(&url)
		 : td_buf_err(&text) ? td_buf_err(&text)
				     : td_buf_err(&tmp);
	if (rc == 0) {
		script_safe(out, td_buf_cstr(&tmp), tmp.len);
		rc = td_buf_err(out);
	}
	td_buf_release(&text);
	td_buf_release(&url);
	td_buf_release(&tmp);
	return rc;
}
