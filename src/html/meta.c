/*
 * meta.c - article metadata of a whole HTML page: title, byline, publish
 * date, lead image, language, site name and excerpt, from JSON-LD
 * (schema.org Article types, arrays and @graph), OpenGraph and Twitter
 * cards, <meta> tags (name, property, itemprop, http-equiv; space-separated
 * property lists), <title>, <h1>, <time>, rel=author and byline classes.
 *
 * One iterative walk over gumbo's tree gathers every source into struct
 * found; the fields are then chosen in a fixed precedence (see each
 * choose_* function). JSON-LD is parsed with jansson and walked with a
 * depth limit. All text is whitespace-collapsed, entity-decoded where pages
 * double-encode (JSON-LD, meta content) and capped at TD_MAX_FIELD_BYTES.
 */
#include "html/html.h"
#include "html/html_int.h"
#include "html/extract_int.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/limits.h"
#include "core/time.h"
#include "core/url.h"
#include "feed/feed.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* JSON-LD blocks parsed per page and nesting followed inside one. */
#define MAX_LD_BLOCKS 32
#define MAX_LD_DEPTH 16
/* A byline longer than this is a paragraph, not a name list. */
#define MAX_BYLINE_CHARS 100
/* Longest title kept. */
#define MAX_TITLE_BYTES 2048

/* ======================================================================
 * Text helpers
 * ====================================================================== */

static int is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Append code point cp as UTF-8 to s at *n (room for 4 bytes assumed). */
static void put_cp(char *s, size_t *n, uint32_t cp)
{
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		s[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		s[(*n)++] = (char)(0xc0 | (cp >> 6));
		s[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		s[(*n)++] = (char)(0xe0 | (cp >> 12));
		s[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		s[(*n)++] = (char)(0xf0 | (cp >> 18));
		s[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		s[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[(*n)++] = (char)(0x80 | (cp & 0x3f));
	}
}

/* Decode the entities pages leave in already-decoded text (double
 * encoding in JSON-LD and meta content): numeric ones and the common
 * named ones. In place: the result is never longer than the input. */
static void decode_entities(char *s)
{
	static const struct {
		const char *name;
		uint32_t cp;
	} named[] = { { "amp", '&' },     { "lt", '<' },       { "gt", '>' },
		      { "quot", '"' },    { "apos", '\'' },    { "nbsp", 0xa0 },
		      { "ndash", 0x2013 }, { "mdash", 0x2014 }, { "hellip", 0x2026 },
		      { "rsquo", 0x2019 }, { "lsquo", 0x2018 }, { "rdquo", 0x201d },
		      { "ldquo", 0x201c }, { NULL, 0 } };
	size_t r = 0, w = 0;
	while (s[r]) {
		if (s[r] != '&') {
			s[w++] = s[r++];
			continue;
		}
		const char *semi = strchr(s + r, ';');
		size_t len = semi ? (size_t)(semi - (s + r)) : 0;
		uint32_t cp = 0;
		int ok = 0;
		if (semi && len >= 3 && len <= 10 && s[r + 1] == '#') {
			char *end = NULL;
			unsigned long v;
			if (s[r + 2] == 'x' || s[r + 2] == 'X')
				v = strtoul(s + r + 3, &end, 16);
			else
				v = strtoul(s + r + 2, &end, 10);
			if (end == semi && v <= 0x10ffff) {
				cp = (uint32_t)v;
				ok = 1;
			}
		} else if (semi && len >= 3 && len <= 8) {
			for (int i = 0; named[i].name; i++)
				if (strlen(named[i].name) == len - 1 &&
				    !strncmp(s + r + 1, named[i].name, len - 1)) {
					cp = named[i].cp;
					ok = 1;
					break;
				}
		}
		/* the encoded form is at least 4 bytes, the UTF-8 at most 4 */
		if (ok && len + 1 >= 4) {
			put_cp(s, &w, cp);
			r += len + 1;
		} else if (ok && cp < 0x80) {
			s[w++] = (char)cp;
			r += len + 1;
		} else {
			s[w++] = s[r++];
		}
	}
	s[w] = '\0';
}

/* Collapse whitespace (no-break spaces included) and trim, in place. */
static char *squeeze(char *s)
{
	size_t r = 0, w = 0;
	int sp = 0;
	while (s[r]) {
		unsigned char c = (unsigned char)s[r];
		int ws = is_ws(c);
		size_t k = 1;
		if (c == 0xc2 && (unsigned char)s[r + 1] == 0xa0)
			ws = 1, k = 2;
		if (ws) {
			sp = w > 0;
			r += k;
			continue;
		}
		if (sp)
			s[w++] = ' ';
		sp = 0;
		s[w++] = s[r++];
	}
	s[w] = '\0';
	return s;
}

/* A cleaned copy of a text value: entities decoded (when decode), space
 * collapsed, capped. NULL when empty or on OOM. */
static char *clean_text(const char *s, int decode, size_t max)
{
	if (!s)
		return NULL;
	size_t n = strlen(s);
	if (n > TD_MAX_FIELD_BYTES * 4)
		n = TD_MAX_FIELD_BYTES * 4;
	char *c = td_utf8_clean(s, n, NULL);
	if (!c)
		return NULL;
	if (decode)
		decode_entities(c);
	squeeze(c);
	size_t len = strlen(c);
	if (len > max)
		c[td_utf8_cut(c, len, max)] = '\0';
	if (!*c) {
		free(c);
		return NULL;
	}
	return c;
}

/* Text content of a gumbo element (iterative), capped at max bytes;
 * sep_all puts a space at every element boundary (a byline's parts are
 * often styled apart: "Name</a><span>Date"). */
static char *elem_text_sep(const GumboNode *root, size_t max, int sep_all)
{
	struct td_buf b;
	td_buf_init(&b, 0);
	const GumboNode *stack[64];
	unsigned idx[64];
	int sp = 0;
	stack[0] = root;
	idx[0] = 0;
	while (sp >= 0 && b.len < max) {
		const GumboNode *n = stack[sp];
		const GumboVector *k = &n->v.element.children;
		if (idx[sp] >= k->length) {
			sp--;
			continue;
		}
		const GumboNode *c = k->data[idx[sp]++];
		if (c->type == GUMBO_NODE_TEXT ||
		    c->type == GUMBO_NODE_WHITESPACE ||
		    c->type == GUMBO_NODE_CDATA) {
			td_buf_puts(&b, c->v.text.text);
		} else if (c->type == GUMBO_NODE_ELEMENT && sp < 63 &&
			   c->v.element.tag != GUMBO_TAG_SCRIPT &&
			   c->v.element.tag != GUMBO_TAG_STYLE) {
			if (sep_all || c->v.element.tag == GUMBO_TAG_BR ||
			    c->v.element.tag == GUMBO_TAG_P ||
			    c->v.element.tag == GUMBO_TAG_DIV)
				td_buf_putc(&b, ' ');
			stack[++sp] = c;
			idx[sp] = 0;
		}
	}
	char *raw = td_buf_detach(&b, NULL);
	char *s = raw ? clean_text(raw, 0, max) : NULL;
	free(raw);
	return s;
}

static char *elem_text(const GumboNode *root, size_t max)
{
	return elem_text_sep(root, max, 0);
}

/* ======================================================================
 * What the walk finds
 * ====================================================================== */

/* Meta keys we read, in one table: index into found.meta. */
enum {
	M_OG_TITLE, M_TW_TITLE, M_DC_TITLE, M_PARSELY_TITLE, M_IP_HEADLINE,
	M_OG_SITE, M_APP_NAME,
	M_OG_DESC, M_DESC, M_TW_DESC, M_DC_DESC,
	M_OG_IMAGE, M_OG_IMAGE_URL, M_OG_IMAGE_SECURE, M_TW_IMAGE,
	M_TW_IMAGE_SRC, M_IP_IMAGE,
	M_AUTHOR, M_ART_AUTHOR, M_DC_CREATOR, M_PARSELY_AUTHOR, M_BYL,
	M_SAILTHRU_AUTHOR,
	M_ART_PUBLISHED, M_OG_PUBLISHED, M_IP_DATE, M_PUBDATE, M_PUBLISHDATE,
	M_DATE, M_DC_DATE, M_DC_ISSUED, M_DCTERMS_CREATED, M_DCTERMS_DATE,
	M_SAILTHRU_DATE, M_PARSELY_DATE, M_PUBLISH_DATE, M_ARTICLE_DATE,
	M_OG_LOCALE, M_CONTENT_LANGUAGE, M_DC_LANGUAGE,
	M_COUNT
};

static const char *const meta_keys[M_COUNT] = {
	[M_OG_TITLE] = "og:title",
	[M_TW_TITLE] = "twitter:title",
	[M_DC_TITLE] = "dc.title",
	[M_PARSELY_TITLE] = "parsely-title",
	[M_IP_HEADLINE] = "headline",
	[M_OG_SITE] = "og:site_name",
	[M_APP_NAME] = "application-name",
	[M_OG_DESC] = "og:description",
	[M_DESC] = "description",
	[M_TW_DESC] = "twitter:description",
	[M_DC_DESC] = "dc.description",
	[M_OG_IMAGE] = "og:image",
	[M_OG_IMAGE_URL] = "og:image:url",
	[M_OG_IMAGE_SECURE] = "og:image:secure_url",
	[M_TW_IMAGE] = "twitter:image",
	[M_TW_IMAGE_SRC] = "twitter:image:src",
	[M_IP_IMAGE] = "image",
	[M_AUTHOR] = "author",
	[M_ART_AUTHOR] = "article:author",
	[M_DC_CREATOR] = "dc.creator",
	[M_PARSELY_AUTHOR] = "parsely-author",
	[M_BYL] = "byl",
	[M_SAILTHRU_AUTHOR] = "sailthru.author",
	[M_ART_PUBLISHED] = "article:published_time",
	[M_OG_PUBLISHED] = "og:published_time",
	[M_IP_DATE] = "datepublished",
	[M_PUBDATE] = "pubdate",
	[M_PUBLISHDATE] = "publishdate",
	[M_DATE] = "date",
	[M_DC_DATE] = "dc.date",
	[M_DC_ISSUED] = "dc.date.issued",
	[M_DCTERMS_CREATED] = "dcterms.created",
	[M_DCTERMS_DATE] = "dcterms.date",
	[M_SAILTHRU_DATE] = "sailthru.date",
	[M_PARSELY_DATE] = "parsely-pub-date",
	[M_PUBLISH_DATE] = "publish-date",
	[M_ARTICLE_DATE] = "article.published",
	[M_OG_LOCALE] = "og:locale",
	[M_CONTENT_LANGUAGE] = "content-language",
	[M_DC_LANGUAGE] = "dc.language",
};

struct found {
	const char *meta[M_COUNT]; /* first content per key (borrowed) */
	const char *lang;          /* <html lang> */
	const char *base_href;
	const GumboNode *title_el; /* first <title> */
	const GumboNode *h1;       /* first <h1> */
	int n_h1;
	const GumboNode *rel_author; /* first <a rel=author> */
	const GumboNode *ip_author;  /* first [itemprop~=author] */
	char *byline_cls;            /* first usable .byline / .author text */
	const GumboNode *byline_el;  /* ... and its element */
	char *byline_name;           /* first usable author name inside it */
	int byline_tries, name_tries;
	const char *time_pub;        /* <time pubdate> / itemprop */
	const char *time_article;    /* first <time datetime> in <article> */
	const GumboNode *ld[MAX_LD_BLOCKS];
	int n_ld;
};

/* Lower-case a meta key into buf (NUL-terminated, truncated). */
static void key_lower(const char *s, size_t n, char *buf, size_t cap)
{
	size_t i;
	for (i = 0; i < n && i + 1 < cap; i++) {
		char c = s[i];
		buf[i] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
	}
	buf[i] = '\0';
}

static void note_meta_key(struct found *f, const char *key, size_t n,
			  const char *content)
{
	char k[64];
	if (n == 0 || n >= sizeof(k))
		return;
	key_lower(key, n, k, sizeof(k));
	if (!strncmp(k, "dc:", 3))
		k[2] = '.';
	else if (!strncmp(k, "dcterms:", 8))
		k[7] = '.';
	/* "twitter:title" and "twitter:title" alike; also "og:title" given
	 * as name=; some sites prefix keys ("sailthru.date") - exact only */
	for (int i = 0; i < M_COUNT; i++)
		if (!f->meta[i] && !strcmp(k, meta_keys[i])) {
			f->meta[i] = content;
			return;
		}
}

/* property/name values may list several keys separated by spaces. */
static void note_meta(struct found *f, const char *keys, const char *content)
{
	if (!keys || !content)
		return;
	const char *s = keys;
	while (*s) {
		while (*s && is_ws((unsigned char)*s))
			s++;
		const char *e = s;
		while (*e && !is_ws((unsigned char)*e))
			e++;
		if (e > s)
			note_meta_key(f, s, (size_t)(e - s), content);
		s = e;
	}
}

static int token_in(const char *v, const char *word)
{
	if (!v)
		return 0;
	size_t wl = strlen(word);
	const char *s = v;
	while (*s) {
		while (*s && is_ws((unsigned char)*s))
			s++;
		const char *e = s;
		while (*e && !is_ws((unsigned char)*e))
			e++;
		if ((size_t)(e - s) == wl && !strncasecmp(s, word, wl))
			return 1;
		s = e;
	}
	return 0;
}

/* 1 when v contains word (ASCII case folded), as a token or inside one
 * ("comment-list", "commentBody"). */
static int has_word(const char *v, const char *word)
{
	if (!v)
		return 0;
	size_t wl = strlen(word);
	for (; *v; v++)
		if (!strncasecmp(v, word, wl))
			return 1;
	return 0;
}

/* class/id names a byline: a token "byline", "author", "byline-name" ... */
static int byline_class(const char *v)
{
	if (!v)
		return 0;
	char buf[128];
	size_t n = strlen(v);
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	key_lower(v, n, buf, sizeof(buf));
	if (strstr(buf, "byline"))
		return 1;
	/* "author" but not "author-bio", "authors-list", "avatar",
	 * "author-note" */
	const char *a = strstr(buf, "author");
	return a && !strstr(buf, "bio") && !strstr(buf, "avatar") &&
	       !strstr(buf, "image") && !strstr(buf, "photo") &&
	       !strstr(buf, "comment") && !strstr(buf, "note") &&
	       !strstr(buf, "follow");
}

static void walk(const GumboNode *doc, struct found *f)
{
	struct wframe {
		const GumboNode *n;
		unsigned i;
		int in_article, in_byline, in_comment;
	};
	struct wframe *st = NULL;
	size_t sp = 0, cap = 0;
	const GumboVector *top = &doc->v.document.children;
	for (unsigned r = 0; r < top->length; r++) {
		const GumboNode *root = top->data[r];
		if (root->type != GUMBO_NODE_ELEMENT)
			continue;
		if (root->v.element.tag == GUMBO_TAG_HTML && !f->lang) {
			f->lang = html_attr(root, "lang");
			if (!f->lang)
				f->lang = html_attr(root, "xml:lang");
		}
		if (!cap) {
			cap = 64;
			st = malloc(cap * sizeof(*st));
			if (!st)
				return;
		}
		sp = 0;
		st[sp++] = (struct wframe){ root, 0, 0, 0, 0 };
		while (sp) {
			struct wframe *fr = &st[sp - 1];
			const GumboVector *k = &fr->n->v.element.children;
			if (fr->i >= k->length) {
				sp--;
				continue;
			}
			const GumboNode *c = k->data[fr->i++];
			if (c->type != GUMBO_NODE_ELEMENT)
				continue;
			int in_article = fr->in_article;
			int in_byline = fr->in_byline;
			/* reader comments have bylines of their own */
			int in_comment =
				fr->in_comment ||
				has_word(html_attr(c, "class"), "comment") ||
				has_word(html_attr(c, "id"), "comment");
			int tag = c->v.element.tag;
			const char *ip = html_attr(c, "itemprop");
			switch (tag) {
			case GUMBO_TAG_META: {
				const char *content = html_attr(c, "content");
				note_meta(f, html_attr(c, "property"), content);
				note_meta(f, html_attr(c, "name"), content);
				note_meta(f, ip, content);
				note_meta(f, html_attr(c, "http-equiv"),
					  content);
				continue;
			}
			case GUMBO_TAG_TITLE:
				if (!f->title_el &&
				    c->v.element.tag_namespace ==
					    GUMBO_NAMESPACE_HTML)
					f->title_el = c;
				continue;
			case GUMBO_TAG_BASE:
				if (!f->base_href)
					f->base_href = html_attr(c, "href");
				continue;
			case GUMBO_TAG_SCRIPT: {
				const char *ty = html_attr(c, "type");
				if (ty && !strncasecmp(ty, "application/ld+json",
						       19) &&
				    f->n_ld < MAX_LD_BLOCKS)
					f->ld[f->n_ld++] = c;
				continue;
			}
			case GUMBO_TAG_STYLE: case GUMBO_TAG_TEMPLATE:
			case GUMBO_TAG_NOSCRIPT:
				continue;
			case GUMBO_TAG_H1:
				if (!f->h1)
					f->h1 = c;
				f->n_h1++;
				break;
			case GUMBO_TAG_ARTICLE:
				in_article = 1;
				break;
			case GUMBO_TAG_TIME: {
				const char *dt = html_attr(c, "datetime");
				if (dt && !f->time_pub &&
				    (html_attr(c, "pubdate") ||
				     (ip && token_in(ip, "datePublished"))))
					f->time_pub = dt;
				if (dt && !f->time_article && in_article)
					f->time_article = dt;
				break;
			}
			case GUMBO_TAG_A: case GUMBO_TAG_LINK:
				if (!f->rel_author && !fr->in_comment &&
				    token_in(html_attr(c, "rel"), "author"))
					f->rel_author = c;
				break;
			default:
				break;
			}
			if (ip && token_in(ip, "articleBody"))
				in_article = 1;
			if (!f->ip_author && ip && token_in(ip, "author") &&
			    !in_comment)
				f->ip_author = c;
			int bycls = !in_comment &&
				    (byline_class(html_attr(c, "class")) ||
				     byline_class(html_attr(c, "id")));
			if (in_byline && !f->byline_name &&
			    f->name_tries < 8 &&
			    !in_comment &&
			    (bycls || (ip && token_in(ip, "author")) ||
			     token_in(html_attr(c, "rel"), "author"))) {
				/* "By" <span class=author>Name</span> date */
				f->name_tries++;
				char *t = elem_text(c, 512);
				f->byline_name = html_meta_clean_byline(t);
				free(t);
			}
			if (!f->byline_cls && f->byline_tries < 20 &&
			    tag != GUMBO_TAG_BODY && tag != GUMBO_TAG_HTML &&
			    tag != GUMBO_TAG_ARTICLE && tag != GUMBO_TAG_MAIN &&
			    tag != GUMBO_TAG_SECTION && bycls) {
				f->byline_tries++;
				char *t = elem_text_sep(c, 512, 1);
				f->byline_cls = html_meta_clean_byline(t);
				free(t);
				if (f->byline_cls) {
					f->byline_el = c;
					in_byline = 1;
				}
			}
			if (sp == cap) {
				struct wframe *ns =
					realloc(st, cap * 2 * sizeof(*st));
				if (!ns)
					break;
				st = ns;
				cap *= 2;
			}
			st[sp++] = (struct wframe){ c, 0, in_article,
						    in_byline, in_comment };
		}
	}
	free(st);
}

/* ======================================================================
 * JSON-LD
 * ====================================================================== */

static const char *const article_types[] = {
	"Article", "NewsArticle", "BlogPosting", "Report",
	"ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle",
	"BackgroundNewsArticle", "ReviewNewsArticle", "AskPublicQuestion",
	"ScholarlyArticle", "TechArticle", "SocialMediaPosting",
	"LiveBlogPosting", "DiscussionForumPosting", "SatiricalArticle",
	"AdvertiserContentArticle", "MedicalScholarlyArticle", "Review",
	"APIReference", "Posting", NULL
};

static int type_name_is_article(const char *s)
{
	if (!strncmp(s, "http://schema.org/", 18))
		s += 18;
	else if (!strncmp(s, "https://schema.org/", 19))
		s += 19;
	for (int k = 0; article_types[k]; k++)
		if (!strcmp(s, article_types[k]))
			return 1;
	return 0;
}

/* @type is a string or an array of strings. */
static int type_is_article(json_t *o)
{
	json_t *t = json_object_get(o, "@type");
	json_t *one;
	size_t i;
	if (json_is_string(t))
		return type_name_is_article(json_string_value(t));
	if (json_is_array(t))
		json_array_foreach(t, i, one)
			if (json_is_string(one) &&
			    type_name_is_article(json_string_value(one)))
				return 1;
	return 0;
}

/* The first article object in a JSON-LD value: the value itself, an
 * element of an array, an entry of @graph, or mainEntity. */
static json_t *find_article(json_t *v, int depth)
{
	size_t i;
	json_t *e;
	if (!v || depth > MAX_LD_DEPTH)
		return NULL;
	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
		{
			json_t *r = find_article(e, depth + 1);
			if (r)
				return r;
		}
		return NULL;
	}
	if (!json_is_object(v))
		return NULL;
	if (type_is_article(v))
		return v;
	json_t *r = find_article(json_object_get(v, "@graph"), depth + 1);
	if (!r)
		r = find_article(json_object_get(v, "mainEntity"), depth + 1);
	if (!r)
		r = find_article(json_object_get(v, "mainEntityOfPage"),
				 depth + 1);
	return r;
}

/* The first object of @type WebPage-like or with a headline, as a weaker
 * source when no article object exists. */
static json_t *find_with_headline(json_t *v, int depth)
{
	size_t i;
	json_t *e;
	if (!v || depth > MAX_LD_DEPTH)
		return NULL;
	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
		{
			json_t *r = find_with_headline(e, depth + 1);
			if (r)
				return r;
		}
		return NULL;
	}
	if (!json_is_object(v))
		return NULL;
	if (json_is_string(json_object_get(v, "headline")))
		return v;
	return find_with_headline(json_object_get(v, "@graph"), depth + 1);
}

/* Names of a person/organisation value: a string, an object with "name",
 * or an array of those; appended ", "-separated. */
static void ld_names(json_t *v, struct td_buf *b, int depth)
{
	size_t i;
	json_t *e;
	if (!v || depth > 4)
		return;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		if (!*s || strstr(s, "://"))
			return;
		if (b->len)
			td_buf_puts(b, ", ");
		td_buf_puts(b, s);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, e) ld_names(e, b, depth + 1);
	} else if (json_is_object(v)) {
		ld_names(json_object_get(v, "name"), b, depth + 1);
	}
}

/* URL of an image value: a string, an object with url/contentUrl, or the
 * first of an array. */
static const char *ld_image(json_t *v, int depth)
{
	if (!v || depth > 4)
		return NULL;
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_array(v))
		return ld_image(json_array_get(v, 0), depth + 1);
	if (json_is_object(v)) {
		const char *u = ld_image(json_object_get(v, "url"), depth + 1);
		return u ? u : ld_image(json_object_get(v, "contentUrl"),
					depth + 1);
	}
	return NULL;
}

static const char *ld_str(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	if (json_is_array(v))
		v = json_array_get(v, 0);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

struct ld {
	json_t *docs[MAX_LD_BLOCKS]; /* owned */
	int n;
	json_t *art;  /* borrowed from docs: the article object */
	json_t *weak; /* an object with a headline when there is no article */
};

static void ld_parse(const struct found *f, struct ld *ld)
{
	for (int i = 0; i < f->n_ld; i++) {
		const GumboVector *k = &f->ld[i]->v.element.children;
		if (!k->length)
			continue;
		const GumboNode *t = k->data[0];
		if (t->type != GUMBO_NODE_TEXT &&
		    t->type != GUMBO_NODE_WHITESPACE &&
		    t->type != GUMBO_NODE_CDATA)
			continue;
		const char *s = t->v.text.text;
		size_t n = strlen(s);
		/* some pages wrap the JSON in a CDATA comment */
		while (n && is_ws((unsigned char)*s))
			s++, n--;
		if (n >= 12 && !strncmp(s, "//<![CDATA[", 11)) {
			s += 11;
			n -= 11;
		}
		json_error_t je;
		json_t *j = json_loadb(s, n, JSON_DECODE_ANY |
					       JSON_DISABLE_EOF_CHECK, &je);
		if (!j)
			continue;
		ld->docs[ld->n++] = j;
		if (!ld->art)
			ld->art = find_article(j, 0);
		if (!ld->weak)
			ld->weak = find_with_headline(j, 0);
	}
}

static void ld_release(struct ld *ld)
{
	for (int i = 0; i < ld->n; i++)
		json_decref(ld->docs[i]);
	memset(ld, 0, sizeof(*ld));
}

/* ======================================================================
 * Cleaning rules (exported for tests)
 * ====================================================================== */

static const char *const separators[] = { " | ", " - ", " \xe2\x80\x93 ",
					  " \xe2\x80\x94 ", " :: ", " / ",
					  " \xc2\xbb ", " \xc2\xb7 ", " : ",
					  NULL };

/* Letters and digits only, case-folded (ASCII), for loose comparisons. */
static int loose_eq(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = 0, j = 0;
	for (;;) {
		while (i < an && (unsigned char)a[i] < 0x80 &&
		       !((a[i] | 32) >= 'a' && (a[i] | 32) <= 'z') &&
		       !(a[i] >= '0' && a[i] <= '9'))
			i++;
		while (j < bn && (unsigned char)b[j] < 0x80 &&
		       !((b[j] | 32) >= 'a' && (b[j] | 32) <= 'z') &&
		       !(b[j] >= '0' && b[j] <= '9'))
			j++;
		if (i == an || j == bn)
			return i == an && j == bn;
		char x = a[i], y = b[j];
		if (x >= 'A' && x <= 'Z')
			x += 32;
		if (y >= 'A' && y <= 'Z')
			y += 32;
		if (x != y)
			return 0;
		i++, j++;
	}
}

static size_t count_words(const char *s, size_t n)
{
	size_t w = 0;
	int in = 0;
	for (size_t i = 0; i < n; i++) {
		if (is_ws((unsigned char)s[i]))
			in = 0;
		else if (!in)
			in = 1, w++;
	}
	return w;
}

char *html_meta_clean_title(const char *title, const char *site)
{
	if (!title)
		return NULL;
	size_t n = strlen(title);
	size_t sn = site ? strlen(site) : 0;
	/* the last separator splits head and tail */
	const char *cut = NULL, *sep_s = NULL;
	for (int i = 0; separators[i]; i++) {
		const char *p = title, *last = NULL;
		while ((p = strstr(p, separators[i]))) {
			last = p;
			p += 1;
		}
		if (last && (!cut || last > cut)) {
			cut = last;
			sep_s = separators[i];
		}
	}
	if (!cut)
		return td_strdup(title);
	size_t hn = (size_t)(cut - title);
	const char *tail = cut + strlen(sep_s);
	size_t tn = n - (size_t)(tail - title);
	if (sn && loose_eq(tail, tn, site, sn))
		return td_strndup(title, hn);
	/* "Site | Story" with the site first: only the first separator */
	const char *first = NULL, *fsep = NULL;
	for (int i = 0; separators[i]; i++) {
		const char *p = strstr(title, separators[i]);
		if (p && (!first || p < first)) {
			first = p;
			fsep = separators[i];
		}
	}
	if (sn && first && loose_eq(title, (size_t)(first - title), site, sn))
		return td_strdup(first + strlen(fsep));
	/* no site name to compare: drop a short tail after a long head */
	size_t hw = count_words(title, hn), tw = count_words(tail, tn);
	if (strcmp(sep_s, " : ") && hw >= 3 && tw <= 4 && tw < hw)
		return td_strndup(title, hn);
	return td_strdup(title);
}

char *html_meta_clean_byline(const char *s)
{
	char *b = clean_text(s, 1, TD_MAX_FIELD_BYTES);
	if (!b)
		return NULL;
	/* strip a leading "By", "By:", "Written by", "Words by" */
	static const char *const prefixes[] = { "written by", "words by",
						"posted by", "by", "von",
						"par", "por", NULL };
	char *p = b;
	for (int i = 0; prefixes[i]; i++) {
		size_t pl = strlen(prefixes[i]);
		if (td_istarts(p, prefixes[i]) &&
		    (p[pl] == ' ' || p[pl] == ':')) {
			p += pl;
			break;
		}
	}
	while (*p == ' ' || *p == ':' || *p == '-' || *p == ',')
		p++;
	memmove(b, p, strlen(p) + 1);
	size_t n = strlen(b);
	for (;;) {
		if (n && (b[n - 1] == ' ' || b[n - 1] == ',' ||
			  b[n - 1] == '|' || b[n - 1] == '-'))
			b[--n] = '\0';
		else if (n >= 3 && (!strcmp(b + n - 3, "\xe2\x80\x94") ||
				    !strcmp(b + n - 3, "\xe2\x80\x93")))
			b[n -= 3] = '\0';
		else
			break;
	}
	if (!strcasecmp(b, "by"))
		n = 0;
	/* count code points */
	size_t cps = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)b[i] & 0xc0) != 0x80)
			cps++;
	if (!n || cps > MAX_BYLINE_CHARS || strstr(b, "://") ||
	    !strncmp(b, "www.", 4)) {
		free(b);
		return NULL;
	}
	return b;
}

/* ======================================================================
 * Choosing the fields
 * ====================================================================== */

static char *first_text(const char *const *cands, int n, int decode,
			size_t max)
{
	for (int i = 0; i < n; i++) {
		char *s = clean_text(cands[i], decode, max);
		if (s)
			return s;
	}
	return NULL;
}

static char *choose_site(const struct found *f, const struct ld *ld)
{
	const char *pub = NULL;
	if (ld->art) {
		json_t *p = json_object_get(ld->art, "publisher");
		if (json_is_array(p))
			p = json_array_get(p, 0);
		pub = json_is_object(p) ? ld_str(p, "name") : NULL;
	}
	const char *c[] = { f->meta[M_OG_SITE], pub, f->meta[M_APP_NAME] };
	return first_text(c, 3, 1, 512);
}

/* Letters and digits of s, ASCII lower-cased (other bytes kept). */
static char *fold(const char *s)
{
	char *o = malloc(strlen(s) + 1);
	if (!o)
		return NULL;
	size_t n = 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x80 || (c >= '0' && c <= '9'))
			o[n++] = (char)c;
		else if ((c | 32) >= 'a' && (c | 32) <= 'z')
			o[n++] = (char)(c | 32);
	}
	o[n] = '\0';
	return o;
}

/* 1 when needle's letters and digits appear in hay's, in order. */
static int loose_contains(const char *hay, const char *needle)
{
	char *h = fold(hay), *n = fold(needle);
	int r = h && n && *n && strstr(h, n) != NULL;
	free(h);
	free(n);
	return r;
}

static char *choose_title(const struct found *f, const struct ld *ld,
			  const char *site)
{
	char *title_tag = f->title_el ? elem_text(f->title_el, MAX_TITLE_BYTES)
				      : NULL;
	char *h1 = f->h1 && f->n_h1 == 1 ? elem_text(f->h1, MAX_TITLE_BYTES)
					 : NULL;
	/* the one <h1> names the article when <title> agrees with it */
	if (h1 && title_tag && !loose_contains(title_tag, h1)) {
		free(h1);
		h1 = NULL;
	}
	const char *headline = NULL;
	if (ld->art)
		headline = ld_str(ld->art, "headline");
	if (!headline && ld->art)
		headline = ld_str(ld->art, "name");
	if (!headline && ld->weak)
		headline = ld_str(ld->weak, "headline");
	const char *c[] = { f->meta[M_OG_TITLE],   f->meta[M_TW_TITLE],
			    headline,              f->meta[M_IP_HEADLINE],
			    f->meta[M_PARSELY_TITLE], f->meta[M_DC_TITLE],
			    h1,                    title_tag };
	char *raw = first_text(c, 8, 1, MAX_TITLE_BYTES);
	free(title_tag);
	free(h1);
	if (!raw)
		return NULL;
	char *t = html_meta_clean_title(raw, site);
	free(raw);
	return t;
}

/* Offset of the longest word-aligned tail of s (after at least one
 * word) that reads as a date ("Nathan Willis March 25, 2015"), or
 * strlen(s) when there is none. */
static size_t date_tail(const char *s)
{
	size_t n = strlen(s);
	/* without its last word too: "March 25, 2015 12" (a comment
	 * count) */
	size_t m = n;
	while (m && s[m - 1] != ' ')
		m--;
	while (m && s[m - 1] == ' ')
		m--;
	for (size_t i = 1; i < n; i++) {
		if (s[i - 1] != ' ' || s[i] == ' ')
			continue;
		if (!strpbrk(s + i, "0123456789") || n - i > 64)
			continue;
		if (feed_date_parse(s + i, n - i) != TD_TIME_NONE ||
		    (m > i && feed_date_parse(s + i, m - i) != TD_TIME_NONE))
			return i;
	}
	return n;
}

/* The byline element's text without a trailing date, or NULL; also
 * NULL when what precedes the date is a label ("Last updated:"). */
static char *byline_el_text(const struct found *f)
{
	if (!f->byline_cls)
		return NULL;
	size_t cut = date_tail(f->byline_cls);
	char *t = td_strndup(f->byline_cls, cut);
	if (t) {
		td_trim_inplace(t);
		size_t n = strlen(t);
		int letters = 0;
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)t[i] >= 0x80 ||
			    ((t[i] | 32) >= 'a' && (t[i] | 32) <= 'z'))
				letters++;
		/* a label ("Last updated:"), or a date split in two
		 * ("1 mars 2019") */
		if ((n && t[n - 1] == ':') || !letters)
			*t = '\0';
	}
	char *b = t && *t ? html_meta_clean_byline(t) : NULL;
	free(t);
	return b;
}

/* The date ending the byline element's text ("By Name March 25,
 * 2015"), or TD_TIME_NONE when there is none or no name before it. */
static int64_t byline_el_date(const struct found *f)
{
	char *name = byline_el_text(f);
	if (!name)
		return TD_TIME_NONE;
	free(name);
	const char *d = f->byline_cls + date_tail(f->byline_cls);
	size_t n = strlen(d), m = n;
	int64_t t = n ? feed_date_parse(d, n) : TD_TIME_NONE;
	if (t != TD_TIME_NONE)
		return t;
	while (m && d[m - 1] != ' ')
		m--;
	while (m && d[m - 1] == ' ')
		m--;
	return m ? feed_date_parse(d, m) : TD_TIME_NONE;
}

static char *choose_byline(const struct found *f, const struct ld *ld)
{
	struct td_buf b;
	td_buf_init(&b, TD_MAX_FIELD_BYTES);
	if (ld->art)
		ld_names(json_object_get(ld->art, "author"), &b, 0);
	char *ldn = td_buf_detach(&b, NULL);
	char *rel = f->rel_author ? elem_text(f->rel_author, 512) : NULL;
	char *ipa = f->ip_author ? elem_text(f->ip_author, 512) : NULL;
	char *cls_el = f->byline_name ? NULL : byline_el_text(f);
	const char *cls = f->byline_name ? f->byline_name : cls_el;
	const char *meta_author = f->meta[M_AUTHOR];
	if (meta_author && strstr(meta_author, "://"))
		meta_author = NULL;
	const char *art_author = f->meta[M_ART_AUTHOR];
	if (art_author && strstr(art_author, "://"))
		art_author = NULL;
	/* Dublin Core, rare and deliberate, before a generic author tag
	 * that often names the site */
	const char *c[] = { ldn && *ldn ? ldn : NULL, f->meta[M_DC_CREATOR],
			    meta_author, art_author,
			    f->meta[M_PARSELY_AUTHOR],
			    f->meta[M_SAILTHRU_AUTHOR], f->meta[M_BYL], rel,
			    ipa, cls };
	char *out = NULL;
	for (int i = 0; i < 10 && !out; i++)
		out = html_meta_clean_byline(c[i]);
	free(ldn);
	free(rel);
	free(ipa);
	free(cls_el);
	return out;
}

/* The element the page shows its byline in: the .byline/.author
 * element, else rel=author, else itemprop=author (the extractor drops
 * it from the article). */
static const GumboNode *choose_byline_el(const struct found *f)
{
	if (f->byline_el)
		return f->byline_el;
	return f->rel_author ? f->rel_author : f->ip_author;
}

static int64_t parse_date(const char *s)
{
	if (!s)
		return TD_TIME_NONE;
	size_t n = strlen(s);
	while (n && is_ws((unsigned char)*s))
		s++, n--;
	while (n && is_ws((unsigned char)s[n - 1]))
		n--;
	if (!n || n > 128)
		return TD_TIME_NONE;
	return feed_date_parse(s, n);
}

static int64_t choose_date(const struct found *f, const struct ld *ld)
{
	const char *c[] = {
		ld->art ? ld_str(ld->art, "datePublished") : NULL,
		f->meta[M_ART_PUBLISHED], f->meta[M_OG_PUBLISHED],
		f->meta[M_IP_DATE],       f->time_pub,
		f->meta[M_PUBDATE],       f->meta[M_PUBLISHDATE],
		f->meta[M_PUBLISH_DATE],  f->meta[M_ARTICLE_DATE],
		f->meta[M_PARSELY_DATE],  f->meta[M_SAILTHRU_DATE],
		f->meta[M_DC_ISSUED],     f->meta[M_DC_DATE],
		f->meta[M_DCTERMS_CREATED], f->meta[M_DCTERMS_DATE],
		f->meta[M_DATE],          f->time_article,
		ld->art ? ld_str(ld->art, "dateCreated") : NULL,
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int64_t t = parse_date(c[i]);
		if (t != TD_TIME_NONE)
			return t;
	}
	return byline_el_date(f); /* "By Name March 25, 2015" */
}

static char *choose_image(const struct found *f, const struct ld *ld,
			  const char *base)
{
	const char *c[] = { f->meta[M_OG_IMAGE],     f->meta[M_OG_IMAGE_URL],
			    f->meta[M_OG_IMAGE_SECURE], f->meta[M_TW_IMAGE],
			    f->meta[M_TW_IMAGE_SRC],
			    ld->art ? ld_image(json_object_get(ld->art, "image"),
					       0)
				    : NULL,
			    f->meta[M_IP_IMAGE] };
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		if (!c[i] || !*c[i] || strlen(c[i]) > TD_MAX_URL_BYTES)
			continue;
		char *u = html_url_clean(c[i], base, HTML_URL_MEDIA);
		if (u && td_url_is_http(u))
			return u;
		free(u);
	}
	return NULL;
}

/* Language tags: "en_US" -> "en-US"; only letters, digits and '-'. */
static char *clean_lang(const char *s)
{
	char *l = clean_text(s, 0, 64);
	if (!l)
		return NULL;
	char *comma = strchr(l, ',');
	if (comma)
		*comma = '\0';
	td_trim_inplace(l);
	for (char *p = l; *p; p++) {
		if (*p == '_')
			*p = '-';
		else if (!((*p | 32) >= 'a' && (*p | 32) <= 'z') &&
			 !(*p >= '0' && *p <= '9') && *p != '-') {
			free(l);
			return NULL;
		}
	}
	if (!*l) {
		free(l);
		return NULL;
	}
	return l;
}

static char *choose_lang(const struct found *f, const struct ld *ld)
{
	const char *c[] = { f->lang, f->meta[M_CONTENT_LANGUAGE],
			    f->meta[M_OG_LOCALE],
			    ld->art ? ld_str(ld->art, "inLanguage") : NULL,
			    f->meta[M_DC_LANGUAGE] };
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *l = clean_lang(c[i]);
		if (l)
			return l;
	}
	return NULL;
}

static char *choose_excerpt(const struct found *f, const struct ld *ld)
{
	const char *c[] = { f->meta[M_OG_DESC], f->meta[M_DESC],
			    f->meta[M_TW_DESC],
			    ld->art ? ld_str(ld->art, "description") : NULL,
			    f->meta[M_DC_DESC] };
	return first_text(c, 5, 1, 4096);
}

/* ======================================================================
 * Entry points
 * ====================================================================== */

#define SET(field, expr)                                                   \
	do {                                                               \
		if (!a->field) {                                           \
			a->field = (expr);                                 \
		}                                                          \
	} while (0)

int html_meta_collect(const GumboNode *doc, const char *url,
		      struct html_article *a, struct html_meta_extra *x)
{
	struct found f;
	struct ld ld;
	memset(&f, 0, sizeof(f));
	memset(&ld, 0, sizeof(ld));
	memset(x, 0, sizeof(*x));
	if (!doc || doc->type != GUMBO_NODE_DOCUMENT)
		return 0;
	walk(doc, &f);
	ld_parse(&f, &ld);

	/* effective base URL */
	if (f.base_href && *f.base_href &&
	    strlen(f.base_href) < TD_MAX_URL_BYTES)
		x->base_url = td_url_resolve(url, f.base_href);
	if (!x->base_url && url)
		x->base_url = td_strdup(url);

	SET(site_name, choose_site(&f, &ld));
	SET(title, choose_title(&f, &ld, a->site_name));
	SET(byline, choose_byline(&f, &ld));
	x->byline_el = choose_byline_el(&f);
	if (a->date_published == TD_TIME_NONE)
		a->date_published = choose_date(&f, &ld);
	SET(lead_image, choose_image(&f, &ld, x->base_url));
	SET(language, choose_lang(&f, &ld));
	SET(excerpt, choose_excerpt(&f, &ld));
	if (ld.art) {
		const char *body = ld_str(ld.art, "articleBody");
		if (body && *body)
			x->article_body = td_strndup(
				body, td_utf8_cut(body, strlen(body),
						  TD_MAX_CONTENT_BYTES));
	}
	ld_release(&ld);
	free(f.byline_cls);
	free(f.byline_name);
	return 0;
}

void html_meta_extra_release(struct html_meta_extra *x)
{
	free(x->base_url);
	free(x->article_body);
	memset(x, 0, sizeof(*x));
}
