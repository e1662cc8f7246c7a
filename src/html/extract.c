/*
 * extract.c - main-content extraction (html_extract) and the article JSON.
 *
 * The page is parsed with gumbo (html_parse: bounded, arena-allocated) and
 * copied into a small mutable tree of our own (struct tree: nodes in one
 * array linked by index), leaving out what is never content: scripts,
 * styles, forms, hidden elements and, on the first attempt, blocks whose
 * class or id says they are navigation, comments, ads and the like.
 * Text-only <div>s count as paragraphs; loose text beside blocks is
 * wrapped into paragraphs.
 *
 * Scoring: every paragraph of at least 25 characters is worth
 * 1 + commas + up to 3 points for its length (more when it is several
 * <br><br>-separated paragraphs in one); its worth flows to its ancestors,
 * halving at each level. A container starts from a bias for its tag, its
 * class/id hints and strong hints (<article>, itemprop=articleBody,
 * role=main); its final score is discounted by its link density. The best
 * container is widened to a common ancestor when several strong candidates
 * share one, siblings that look like more of the article are merged, and
 * the result is cleaned: share bars, related-link lists, "Related: ..."
 * paragraphs, forms, link-heavy and negatively hinted blocks, the
 * duplicated title heading and the byline and date lines go, images,
 * figures, captions and data tables stay; iframes of known embed
 * providers become links ("Embedded video: ..."), MathML its text. When
 * the result is short the extraction is retried with fewer removals.
 * JSON-LD articleBody replaces the result when it is clearly longer.
 * docs/extract.md explains the choices.
 *
 * Every walk is iterative (no recursion on input depth) and every size is
 * bounded by the input, itself bounded by HTML_MAX_INPUT.
 */
#include "html/html.h"
#include "html/html_int.h"
#include "html/extract_int.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/time.h"
#include "core/url.h"
#include "feed/feed.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ======================================================================
 * Tuning
 * ====================================================================== */

#define MIN_PARA_CHARS 25      /* shorter paragraphs are not scored */
#define SCORE_LEVELS 5         /* ancestors a paragraph's worth reaches */
#define GOOD_ARTICLE_CHARS 500 /* shorter results trigger a retry */
#define MAX_ATTEMPTS 4
#define RETRY_GAIN 1.3         /* a retry must find this much more text */
#define TOP_N 5                /* candidates considered for widening */
#define CLIMB_GAIN 1.25f       /* a parent holding this much more prose
				  replaces the candidate */
#define CLIMB_LOOK 2           /* ... looking this many levels up */

/* Attempt flags: each retry drops one kind of removal. */
enum {
	A_STRIP_UNLIKELY = 1, /* drop blocks with unlikely class/id first */
	A_WEIGHT_CLASSES = 2, /* use class/id hints in scores */
	A_CLEAN = 4,          /* conditional cleaning of the result */
};

/* What the page's metadata tells the cleaner. */
struct hints {
	const char *title;          /* a->title, or NULL */
	const char *byline;         /* a->byline, or NULL */
	const GumboNode *byline_el; /* element showing the byline, or NULL */
	int64_t date;               /* a->date_published or TD_TIME_NONE */
	const char *base;           /* base URL of the page, or NULL */
};

/* ======================================================================
 * The tree
 * ====================================================================== */

enum { K_ELEM, K_TEXT };

enum {
	F_PARA = 1,    /* element acts as a paragraph (text-only block) */
	F_SCORED = 2,  /* score initialised */
	F_SYNTH = 4,   /* synthesised paragraph wrapper (no gumbo node) */
	F_DATATAB = 8, /* a data table: kept whole */
	F_INDATA = 16, /* inside a data table: never cleaned */
	F_FORMULA = 32, /* an image of a formula (TeX alt, math classes): text,
			   not a picture */
};

struct node {
	const GumboNode *g; /* source element (attributes); NULL for text and
			       synthesised nodes */
	const char *text;   /* K_TEXT: decoded text (gumbo's) */
	size_t text_len;
	int parent, first, last, next, prev; /* -1: none */
	int tag;                             /* GumboTag */
	unsigned char kind, flags;
	float score;
	float mass; /* undecayed worth of all paragraphs inside */
	/* statistics, recomputed by stats_all() */
	unsigned chars, link_chars, commas, n_p, n_img, n_li, n_breaks;
};

struct tree {
	struct node *v;
	size_t n, cap;
	int root; /* the <body> (or <html>) copy */
	int oom;
	const char *base; /* resolves embed URLs; may be NULL */
};

static int new_node(struct tree *t, int kind, int tag)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		if (cap > (size_t)INT32_MAX) {
			t->oom = 1;
			return -1;
		}
		struct node *v = realloc(t->v, cap * sizeof(*v));
		if (!v) {
			t->oom = 1;
			return -1;
		}
		t->v = v;
		t->cap = cap;
	}
	struct node *x = &t->v[t->n];
	memset(x, 0, sizeof(*x));
	x->parent = x->first = x->last = x->next = x->prev = -1;
	x->kind = (unsigned char)kind;
	x->tag = tag;
	return (int)t->n++;
}

static void append_child(struct tree *t, int p, int c)
{
	struct node *P = &t->v[p], *C = &t->v[c];
	C->parent = p;
	C->next = -1;
	C->prev = P->last;
	if (P->last >= 0)
		t->v[P->last].next = c;
	else
		P->first = c;
	P->last = c;
}

static void detach(struct tree *t, int c)
{
	struct node *C = &t->v[c];
	if (C->parent < 0)
		return;
	struct node *P = &t->v[C->parent];
	if (C->prev >= 0)
		t->v[C->prev].next = C->next;
	else
		P->first = C->next;
	if (C->next >= 0)
		t->v[C->next].prev = C->prev;
	else
		P->last = C->prev;
	C->parent = C->next = C->prev = -1;
}

/* Insert c (detached) before ref. */
static void insert_before(struct tree *t, int ref, int c)
{
	struct node *R = &t->v[ref], *C = &t->v[c];
	C->parent = R->parent;
	C->next = ref;
	C->prev = R->prev;
	if (R->prev >= 0)
		t->v[R->prev].next = c;
	else
		t->v[R->parent].first = c;
	R->prev = c;
}

/* Pre-order successor of n skipping n's children (-1 at the end of the
 * subtree of root). */
static int skip_in(const struct tree *t, int n, int root)
{
	while (n != root && n >= 0) {
		if (t->v[n].next >= 0)
			return t->v[n].next;
		n = t->v[n].parent;
	}
	return -1;
}

/* Pre-order successor of n inside the subtree of root (-1 at the end). */
static int next_in(const struct tree *t, int n, int root)
{
	if (t->v[n].first >= 0)
		return t->v[n].first;
	return skip_in(t, n, root);
}

static int is_ancestor(const struct tree *t, int a, int n)
{
	for (; n >= 0; n = t->v[n].parent)
		if (n == a)
			return 1;
	return 0;
}

/* ======================================================================
 * Element classes
 * ====================================================================== */

static int tag_is(int tag, const int *list)
{
	for (; *list >= 0; list++)
		if (*list == tag)
			return 1;
	return 0;
}

/* Never content: dropped with everything inside. */
static const int drop_tags[] = {
	GUMBO_TAG_SCRIPT, GUMBO_TAG_STYLE, GUMBO_TAG_NOSCRIPT,
	GUMBO_TAG_TEMPLATE, GUMBO_TAG_HEAD, GUMBO_TAG_TITLE, GUMBO_TAG_META,
	GUMBO_TAG_LINK, GUMBO_TAG_BASE, GUMBO_TAG_IFRAME, GUMBO_TAG_OBJECT,
	GUMBO_TAG_EMBED, GUMBO_TAG_APPLET, GUMBO_TAG_CANVAS, GUMBO_TAG_INPUT,
	GUMBO_TAG_SELECT, GUMBO_TAG_TEXTAREA, GUMBO_TAG_BUTTON,
	GUMBO_TAG_OPTION, GUMBO_TAG_OPTGROUP, GUMBO_TAG_DATALIST,
	GUMBO_TAG_KEYGEN, GUMBO_TAG_FRAME, GUMBO_TAG_FRAMESET,
	GUMBO_TAG_NOFRAMES, GUMBO_TAG_NOEMBED, GUMBO_TAG_MATH, GUMBO_TAG_SVG,
	GUMBO_TAG_MENU, GUMBO_TAG_PARAM, GUMBO_TAG_SOURCE,
	GUMBO_TAG_TRACK, GUMBO_TAG_AREA, GUMBO_TAG_MAP, GUMBO_TAG_XMP,
	GUMBO_TAG_PLAINTEXT, GUMBO_TAG_AUDIO, GUMBO_TAG_VIDEO, -1
};

/* Block-level elements: a container holding one of these is not itself a
 * paragraph. */
static const int block_tags[] = {
	GUMBO_TAG_ADDRESS, GUMBO_TAG_ARTICLE, GUMBO_TAG_ASIDE,
	GUMBO_TAG_BLOCKQUOTE, GUMBO_TAG_DETAILS, GUMBO_TAG_DD, GUMBO_TAG_DIV,
	GUMBO_TAG_DL, GUMBO_TAG_DT, GUMBO_TAG_FIELDSET, GUMBO_TAG_FIGCAPTION,
	GUMBO_TAG_FIGURE, GUMBO_TAG_FOOTER, GUMBO_TAG_FORM, GUMBO_TAG_H1,
	GUMBO_TAG_H2, GUMBO_TAG_H3, GUMBO_TAG_H4, GUMBO_TAG_H5, GUMBO_TAG_H6,
	GUMBO_TAG_HEADER, GUMBO_TAG_HGROUP, GUMBO_TAG_HR, GUMBO_TAG_LI,
	GUMBO_TAG_MAIN, GUMBO_TAG_NAV, GUMBO_TAG_OL, GUMBO_TAG_P,
	GUMBO_TAG_PRE, GUMBO_TAG_SECTION, GUMBO_TAG_TABLE, GUMBO_TAG_UL,
	GUMBO_TAG_TR, GUMBO_TAG_TD, GUMBO_TAG_TH, GUMBO_TAG_TBODY,
	GUMBO_TAG_THEAD, GUMBO_TAG_TFOOT, GUMBO_TAG_CAPTION,
	GUMBO_TAG_SUMMARY, GUMBO_TAG_CENTER, GUMBO_TAG_LISTING, -1
};

/* Containers whose loose text is wrapped into paragraphs and which may
 * act as paragraphs themselves when they hold text only. */
static const int div_like[] = { GUMBO_TAG_DIV, GUMBO_TAG_SECTION,
				GUMBO_TAG_ARTICLE, GUMBO_TAG_MAIN,
				GUMBO_TAG_CENTER, GUMBO_TAG_UNKNOWN, -1 };

/* Containers whose loose text beside blocks is wrapped into paragraphs. */
static const int wrap_tags[] = { GUMBO_TAG_DIV, GUMBO_TAG_SECTION,
				 GUMBO_TAG_ARTICLE, GUMBO_TAG_MAIN,
				 GUMBO_TAG_CENTER, GUMBO_TAG_UNKNOWN,
				 GUMBO_TAG_TD, GUMBO_TAG_BLOCKQUOTE,
				 GUMBO_TAG_LI, GUMBO_TAG_DD, GUMBO_TAG_FORM,
				 GUMBO_TAG_BODY, -1 };

static const int heading_tags[] = { GUMBO_TAG_H1, GUMBO_TAG_H2, GUMBO_TAG_H3,
				    GUMBO_TAG_H4, GUMBO_TAG_H5, GUMBO_TAG_H6,
				    -1 };

static int is_heading(int tag) { return tag_is(tag, heading_tags); }

/* 1 when g is an element gumbo does not know (GUMBO_TAG_UNKNOWN) named
 * name (gumbo 0.10 predates <picture>, <dialog>, ...). */
static int unknown_is(const GumboNode *g, const char *name)
{
	if (g->v.element.tag != GUMBO_TAG_UNKNOWN)
		return 0;
	GumboStringPiece p = g->v.element.original_tag;
	if (!p.data || !p.length)
		return 0;
	gumbo_tag_from_original_text(&p);
	return p.length == strlen(name) && !strncasecmp(p.data, name, p.length);
}

static const char *attr(const struct node *x, const char *name)
{
	return x->g ? html_attr(x->g, name) : NULL;
}

/* ---- class and id hints ---- */

/* A pattern matches a lower-cased alphanumeric token of a class or id
 * value: exactly, or (sub) anywhere inside it. */
struct pat {
	const char *s;
	int sub;
};

static const struct pat positive[] = {
	{ "article", 1 }, { "body", 1 },  { "content", 1 }, { "entry", 1 },
	{ "main", 1 },    { "page", 0 },  { "post", 0 },    { "text", 0 },
	{ "blog", 1 },    { "story", 1 }, { "hentry", 0 },  { "prose", 1 },
	{ "markdown", 1 }, { NULL, 0 }
};

static const struct pat negative[] = {
	{ "comment", 1 },   { "meta", 0 },        { "footer", 1 },
	{ "footnote", 1 },  { "masthead", 1 },    { "sidebar", 1 },
	{ "sponsor", 1 },   { "ad", 0 },          { "ads", 0 },
	{ "advert", 1 },    { "adsense", 1 },     { "share", 1 },
	{ "sharing", 1 },   { "social", 1 },      { "related", 1 },
	{ "nav", 0 },       { "navbar", 1 },      { "navigation", 1 },
	{ "menu", 1 },      { "newsletter", 1 },  { "subscribe", 1 },
	{ "subscription", 1 }, { "promo", 1 },    { "popup", 1 },
	{ "cookie", 1 },    { "banner", 1 },      { "breadcrumb", 1 },
	{ "widget", 1 },    { "tags", 0 },        { "tag", 0 },
	{ "outbrain", 1 },  { "taboola", 1 },     { "disqus", 1 },
	{ "modal", 0 },     { "skyscraper", 1 },  { "shoutbox", 1 },
	{ "hidden", 0 },    { "signup", 1 },      { "login", 1 },
	{ "toolbar", 1 },   { "pagination", 1 },  { "pager", 1 },
	{ "rss", 0 },       { "combx", 1 },       { "gdpr", 1 },
	{ "shopping", 1 },  { "recommend", 1 },   { "trending", 1 },
	{ "popular", 1 },   { "mostread", 1 },    { "contact", 1 },
	{ "print", 0 },     { "utility", 1 },     { "dfp", 0 },
	{ "optin", 1 },     { "opt", 0 },
	{ NULL, 0 }
};

/* Removed before scoring (first attempt) unless also hinted as content. */
static const struct pat unlikely[] = {
	{ "comment", 1 },   { "disqus", 1 },      { "footer", 1 },
	{ "sidebar", 1 },   { "sponsor", 1 },     { "ad", 0 },
	{ "ads", 0 },       { "advert", 1 },      { "banner", 1 },
	{ "breadcrumb", 1 }, { "menu", 1 },       { "nav", 0 },
	{ "navbar", 1 },    { "navigation", 1 },  { "related", 1 },
	{ "social", 1 },
	{ "popup", 1 },     { "modal", 0 },       { "cookie", 1 },
	{ "gdpr", 1 },      { "newsletter", 1 },  { "subscribe", 1 },
	{ "promo", 1 },     { "pagination", 1 },  { "pager", 1 },
	{ "skyscraper", 1 }, { "shoutbox", 1 },   { "outbrain", 1 },
	{ "taboola", 1 },   { "masthead", 1 },    { "agegate", 1 },
	{ "signup", 1 },    { "toolbar", 1 },     { "remark", 1 },
	{ "replies", 1 },   { "community", 1 },   { "supplemental", 1 },
	{ "header", 1 },    { "rss", 0 },         { "combx", 1 },
	{ "legends", 1 },   { "extra", 0 },       { "optin", 1 },
	{ "opt", 0 },       { NULL, 0 }
};

/* Protects an unlikely-looking block from early removal. */
static const struct pat maybe[] = {
	{ "article", 1 }, { "body", 1 },   { "content", 1 }, { "main", 1 },
	{ "column", 1 },  { "story", 1 },  { "and", 0 },     { "shadow", 1 },
	{ "mathjax", 1 }, { NULL, 0 }
};

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static int hint_match_but(const char *s, const struct pat *list,
			  const char *skip);

/* 1 when a token of value s matches a pattern of list. */
static int hint_match(const char *s, const struct pat *list)
{
	return hint_match_but(s, list, NULL);
}

/* The same, ignoring the pattern skip (may be NULL). */
static int hint_match_but(const char *s, const struct pat *list,
			  const char *skip)
{
	if (!s)
		return 0;
	char tok[64];
	for (;;) {
		while (*s && !is_alnum((unsigned char)*s))
			s++;
		if (!*s)
			return 0;
		size_t n = 0;
		while (is_alnum((unsigned char)*s)) {
			if (n < sizeof(tok) - 1)
				tok[n++] = (char)lower((unsigned char)*s);
			s++;
		}
		tok[n] = '\0';
		for (const struct pat *p = list; p->s; p++)
			if ((!skip || strcmp(p->s, skip)) &&
			    (p->sub ? strstr(tok, p->s) != NULL
				    : strcmp(tok, p->s) == 0))
				return 1;
	}
}

/* Class/id weight: +25 / -25 for each of class and id. */
static int class_weight(const struct node *x)
{
	if (!x->g)
		return 0;
	int w = 0;
	const char *v[2] = { attr(x, "class"), attr(x, "id") };
	for (int i = 0; i < 2; i++) {
		if (!v[i] || !*v[i])
			continue;
		if (hint_match(v[i], negative))
			w -= 25;
		if (hint_match(v[i], positive))
			w += 25;
	}
	return w;
}

static int attr_ieq(const struct node *x, const char *name, const char *val)
{
	const char *v = attr(x, name);
	return v && !strcasecmp(v, val);
}

/* itemprop / role markers of the article body. */
static int strong_hint(const struct node *x)
{
	if (x->tag == GUMBO_TAG_ARTICLE)
		return 1;
	const char *ip = attr(x, "itemprop");
	if (ip && hint_match(ip, (const struct pat[]){ { "articlebody", 0 },
							{ NULL, 0 } }))
		return 1;
	return attr_ieq(x, "role", "main") || x->tag == GUMBO_TAG_MAIN;
}

/* ---- visibility ---- */

/* 1 when an inline style hides the element (display:none or
 * visibility:hidden, spaces and case ignored). */
static int style_hidden(const char *s)
{
	if (!s)
		return 0;
	char buf[256];
	size_t n = 0;
	for (; *s && n < sizeof(buf) - 1; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			buf[n++] = (char)lower((unsigned char)*s);
	buf[n] = '\0';
	return strstr(buf, "display:none") || strstr(buf, "visibility:hidden");
}

/* Class names of text only screen readers get ("Media caption", "Image
 * copyright", "opens in a new window"): not part of what a reader sees.
 * Checked for every element of a page, so the lengths are kept. */
#define SR(s) { s, sizeof(s) - 1 }
static const struct {
	const char *s;
	size_t n;
} sr_only[] = {
	SR("sr-only"),		 SR("screen-reader-text"), SR("screen-reader-only"),
	SR("visually-hidden"),	 SR("visuallyhidden"),	   SR("off-screen"),
	SR("offscreen"),	 SR("element-invisible"),  SR("hidden-visually"),
	SR("u-visually-hidden"), SR("a11y-visually-hidden"),
};
#undef SR

static int sr_only_class(const char *c)
{
	while (c && *c) {
		while (*c == ' ' || *c == '\t' || *c == '\n')
			c++;
		size_t n = strcspn(c, " \t\n");
		/* n >= 7: no name is shorter than "sr-only" */
		for (size_t k = 0; n >= 7 && k < sizeof sr_only / sizeof *sr_only;
		     k++)
			if (sr_only[k].n == n && !strncasecmp(c, sr_only[k].s, n))
				return 1;
		c += n;
	}
	return 0;
}

static int hidden_elem(const GumboNode *g)
{
	if (html_attr(g, "hidden"))
		return 1;
	if (sr_only_class(html_attr(g, "class")))
		return 1;
	const char *ah = html_attr(g, "aria-hidden");
	if (ah && !strcasecmp(ah, "true")) {
		const char *c = html_attr(g, "class");
		return !(c && strstr(c, "fallback-image"));
	}
	return style_hidden(html_attr(g, "style"));
}

static const char *const junk_roles[] = { "menu",    "menubar",
					  "complementary", "navigation",
					  "alert",   "alertdialog",
					  "dialog",  NULL };

static int junk_role(const GumboNode *g)
{
	const char *r = html_attr(g, "role");
	if (!r)
		return 0;
	for (int i = 0; junk_roles[i]; i++)
		if (!strcasecmp(r, junk_roles[i]))
			return 1;
	return 0;
}

/* ======================================================================
 * Embeds
 *
 * The sanitizer drops every iframe. A player, post or map the article
 * embeds is kept in our tree as an iframe node (no text, counted as
 * media by the cleaner) and serialised as a paragraph that links to it:
 * "Embedded video: <a href=URL>title or site</a>". Only iframes of known
 * embed providers count: the other iframes of a page are ads, trackers
 * and widgets.
 * ====================================================================== */

/* What the reader is told an embed is: an index into html_embed_kinds. */
enum { EK_VIDEO, EK_POST, EK_TWEET, EK_MAP, EK_AUDIO, EK_CHART,
       EK_DOCUMENT, EK_SLIDES, EK_CODE };

const char *const html_embed_kinds[] = { "video", "post", "tweet",
					 "map", "audio", "chart",
					 "document", "slides", "code",
					 NULL };

struct embed_host {
	const char *domain;  /* the host or a parent domain */
	const char *path;    /* required path prefix, or NULL */
	unsigned char kind;  /* EK_* */
};

static const struct embed_host embed_hosts[] = {
	{ "youtube.com", "/embed", EK_VIDEO },
	{ "youtube-nocookie.com", "/embed", EK_VIDEO },
	{ "player.vimeo.com", NULL, EK_VIDEO },
	{ "dailymotion.com", "/embed", EK_VIDEO },
	{ "geo.dailymotion.com", NULL, EK_VIDEO },
	{ "player.twitch.tv", NULL, EK_VIDEO },
	{ "clips.twitch.tv", NULL, EK_VIDEO },
	{ "embed.ted.com", NULL, EK_VIDEO },
	{ "players.brightcove.net", NULL, EK_VIDEO },
	{ "cdn.jwplayer.com", "/players", EK_VIDEO },
	{ "content.jwplatform.com", "/players", EK_VIDEO },
	{ "fast.wistia.net", "/embed", EK_VIDEO },
	{ "streamable.com", "/e", EK_VIDEO },
	{ "rumble.com", "/embed", EK_VIDEO },
	{ "tiktok.com", "/embed", EK_VIDEO },
	{ "facebook.com", "/plugins/video", EK_VIDEO },
	{ "facebook.com", "/plugins/post", EK_POST },
	{ "platform.twitter.com", "/embed", EK_TWEET },
	{ "twitter.com", NULL, EK_TWEET },
	{ "x.com", NULL, EK_TWEET },
	{ "instagram.com", NULL, EK_POST },
	{ "embed.reddit.com", NULL, EK_POST },
	{ "redditmedia.com", NULL, EK_POST },
	{ "linkedin.com", "/embed", EK_POST },
	{ "google.com", "/maps", EK_MAP },
	{ "maps.google.com", NULL, EK_MAP },
	{ "openstreetmap.org", NULL, EK_MAP },
	{ "bing.com", "/maps", EK_MAP },
	{ "w.soundcloud.com", NULL, EK_AUDIO },
	{ "open.spotify.com", "/embed", EK_AUDIO },
	{ "embed.podcasts.apple.com", NULL, EK_AUDIO },
	{ "bandcamp.com", "/EmbeddedPlayer", EK_AUDIO },
	{ "player.megaphone.fm", NULL, EK_AUDIO },
	{ "omny.fm", NULL, EK_AUDIO },
	{ "audioboom.com", NULL, EK_AUDIO },
	{ "datawrapper.dwcdn.net", NULL, EK_CHART },
	{ "flo.uri.sh", NULL, EK_CHART },
	{ "e.infogram.com", NULL, EK_CHART },
	{ "public.tableau.com", NULL, EK_CHART },
	{ "docs.google.com", NULL, EK_DOCUMENT },
	{ "embed.documentcloud.org", NULL, EK_DOCUMENT },
	{ "scribd.com", "/embeds", EK_DOCUMENT },
	{ "slideshare.net", "/slideshow/embed", EK_SLIDES },
	{ "speakerdeck.com", "/player", EK_SLIDES },
	{ "codepen.io", NULL, EK_CODE },
	{ "jsfiddle.net", NULL, EK_CODE },
	{ NULL, NULL, 0 }
};

/* Path of an absolute URL ("/x" of "https://h/x?q"), or "". */
static const char *url_path(const char *u)
{
	const char *p = strstr(u, "://");
	if (!p)
		return "";
	p += 3;
	p += strcspn(p, "/?#");
	return *p == '/' ? p : "";
}

/* The https URL of an embed and what it holds ("video", "tweet", ...),
 * or NULL when g is not an iframe of a known embed provider. The URL is
 * malloc'd. */
static char *embed_url(const GumboNode *g, const char *base,
		       const char **kind)
{
	static const char *const src_attrs[] = { "src", "data-src",
						 "data-lazy-src", NULL };
	for (int i = 0; src_attrs[i]; i++) {
		const char *raw = html_attr(g, src_attrs[i]);
		if (!raw || !*raw || strlen(raw) > TD_MAX_URL_BYTES)
			continue;
		/* "//host/path" is https wherever the page came from */
		char *u = html_url_clean(raw, !strncmp(raw, "//", 2) ?
						      "https://x/" : base,
					 HTML_URL_MEDIA);
		if (!u || !td_url_is_http(u)) {
			free(u);
			continue;
		}
		if (!strncasecmp(u, "http:", 5)) {
			/* every provider below serves https */
			size_t n = strlen(u);
			char *h = malloc(n + 2);
			if (!h) {
				free(u);
				return NULL;
			}
			memcpy(h, "https", 5);
			memcpy(h + 5, u + 4, n - 3);
			free(u);
			u = h;
		}
		char *host = td_url_host(u);
		const char *path = url_path(u);
		for (const struct embed_host *e = embed_hosts;
		     host && e->domain; e++) {
			size_t hl = strlen(host), dl = strlen(e->domain);
			if (hl < dl || strcmp(host + hl - dl, e->domain) ||
			    (hl > dl && host[hl - dl - 1] != '.'))
				continue;
			if (e->path && strncmp(path, e->path, strlen(e->path)))
				continue;
			free(host);
			*kind = html_embed_kinds[e->kind];
			return u;
		}
		free(host);
		free(u);
		return NULL;
	}
	return NULL;
}

/* ======================================================================
 * Building the tree from gumbo
 * ====================================================================== */

struct bframe {
	const GumboNode *g;
	int me;          /* our node */
	unsigned i;      /* next child */
	int in_protect;  /* inside table/code/pre: no unlikely removal */
};

/* An id made from a heading ("sharing-with-a-single-developer") says
 * nothing about the block's role: four words or more. */
static int slug(const char *id)
{
	int words = 0, in = 0;
	for (; *id; id++) {
		if (is_alnum((unsigned char)*id)) {
			if (!in)
				words++;
			in = 1;
		} else {
			in = 0;
		}
	}
	return words >= 4;
}

static int unlikely_elem(const GumboNode *g, int tag)
{
	if (tag == GUMBO_TAG_BODY || tag == GUMBO_TAG_HTML ||
	    tag == GUMBO_TAG_A || tag == GUMBO_TAG_ARTICLE ||
	    tag == GUMBO_TAG_MAIN)
		return 0;
	const char *c = html_attr(g, "class"), *id = html_attr(g, "id");
	if (id && slug(id))
		id = NULL;
	if (!c && !id)
		return 0;
	/* "header" on a heading says what it is, not that it is furniture
	 * ("subheader", "section-header") */
	const char *skip = is_heading(tag) || tag == GUMBO_TAG_DT ? "header"
								  : NULL;
	if (!hint_match_but(c, unlikely, skip) &&
	    !hint_match_but(id, unlikely, skip))
		return 0;
	if (hint_match(c, maybe) || hint_match(id, maybe))
		return 0;
	const char *ip = html_attr(g, "itemprop");
	if (ip && strstr(ip, "articleBody"))
		return 0;
	return 1;
}

/* MathML is dropped by the sanitizer: keep a formula as its text (what
 * a browser without MathML shows), in a <span> under parent. Returns 0,
 * or -1 on OOM. */
static int math_text(struct tree *t, int parent, const GumboNode *g)
{
	int span = new_node(t, K_ELEM, GUMBO_TAG_SPAN);
	if (span < 0)
		return -1;
	append_child(t, parent, span);
	/* iterative pre-order over g's subtree; depth bounded by the
	 * parser's nesting cap, the stack grows as needed */
	struct mframe {
		const GumboNode *n;
		unsigned i;
	} *st = malloc(16 * sizeof(*st));
	size_t sp = 0, cap = 16;
	if (!st) {
		t->oom = 1;
		return -1;
	}
	st[sp++] = (struct mframe){ g, 0 };
	while (sp) {
		struct mframe *f = &st[sp - 1];
		const GumboVector *k = &f->n->v.element.children;
		if (f->i >= k->length) {
			sp--;
			continue;
		}
		const GumboNode *c = k->data[f->i++];
		if (c->type == GUMBO_NODE_TEXT ||
		    c->type == GUMBO_NODE_WHITESPACE ||
		    c->type == GUMBO_NODE_CDATA) {
			int x = new_node(t, K_TEXT, GUMBO_TAG_UNKNOWN);
			if (x < 0)
				break;
			t->v[x].text = c->v.text.text;
			t->v[x].text_len = strlen(c->v.text.text);
			append_child(t, span, x);
			continue;
		}
		if (c->type != GUMBO_NODE_ELEMENT ||
		    unknown_is(c, "annotation") ||
		    c->v.element.tag == GUMBO_TAG_ANNOTATION_XML)
			continue; /* TeX source and other encodings */
		if (sp == cap) {
			struct mframe *ns = realloc(st, cap * 2 * sizeof(*st));
			if (!ns) {
				t->oom = 1;
				break;
			}
			st = ns;
			cap *= 2;
		}
		st[sp++] = (struct mframe){ c, 0 };
	}
	free(st);
	return t->oom ? -1 : 0;
}

/* An image that renders a formula (MediaWiki's math fallback, TeX in the
 * alt text): part of the text around it, not a picture. */
static int formula_img(const GumboNode *g)
{
	const char *c = html_attr(g, "class"), *alt = html_attr(g, "alt");
	if (c && strstr(c, "math"))
		return 1;
	if (!alt)
		return 0;
	while (*alt == ' ' || *alt == '\n' || *alt == '\t')
		alt++;
	return !strncmp(alt, "{\\displaystyle", 14) ||
	       !strncmp(alt, "\\displaystyle", 13) ||
	       !strncmp(alt, "{\\textstyle", 11);
}

/* 1 when g is an embed worth a link (see embed_url). */
static int embed_ok(const GumboNode *g, const char *base)
{
	const char *kind;
	char *u = embed_url(g, base, &kind);
	free(u);
	return u != NULL;
}

/* Copy gumbo's tree under root into t, leaving out what is never content.
 * Returns the index of the copy of root, or -1 on OOM. */
static int build(struct tree *t, const GumboNode *root, int flags)
{
	struct bframe *st = NULL;
	size_t depth = 0, cap = 0;
	int top = new_node(t, K_ELEM, root->v.element.tag);
	if (top < 0)
		return -1;
	t->v[top].g = root;
	if (!(cap = 64, st = malloc(cap * sizeof(*st)))) {
		t->oom = 1;
		return -1;
	}
	st[depth++] = (struct bframe){ root, top, 0, 0 };
	while (depth) {
		struct bframe *f = &st[depth - 1];
		const GumboVector *kids = &f->g->v.element.children;
		if (f->i >= kids->length) {
			depth--;
			continue;
		}
		const GumboNode *c = kids->data[f->i++];
		int parent = f->me, protect = f->in_protect;
		if (c->type == GUMBO_NODE_TEXT ||
		    c->type == GUMBO_NODE_WHITESPACE ||
		    c->type == GUMBO_NODE_CDATA) {
			int x = new_node(t, K_TEXT, GUMBO_TAG_UNKNOWN);
			if (x < 0)
				break;
			t->v[x].text = c->v.text.text;
			t->v[x].text_len = strlen(c->v.text.text);
			append_child(t, parent, x);
			continue;
		}
		if (c->type != GUMBO_NODE_ELEMENT)
			continue; /* comments, templates */
		int tag = c->v.element.tag;
		if (tag == GUMBO_TAG_MATH &&
		    c->v.element.tag_namespace == GUMBO_NAMESPACE_MATHML) {
			if (math_text(t, parent, c) < 0)
				break;
			continue;
		}
		if (tag == GUMBO_TAG_IFRAME &&
		    c->v.element.tag_namespace == GUMBO_NAMESPACE_HTML &&
		    !hidden_elem(c) && embed_ok(c, t->base)) {
			int x = new_node(t, K_ELEM, tag);
			if (x < 0)
				break;
			t->v[x].g = c;
			append_child(t, parent, x);
			continue; /* its content is fallback text */
		}
		if (c->v.element.tag_namespace != GUMBO_NAMESPACE_HTML ||
		    tag_is(tag, drop_tags) || hidden_elem(c) || junk_role(c) ||
		    unknown_is(c, "dialog"))
			continue;
		if ((flags & A_STRIP_UNLIKELY) && !protect &&
		    unlikely_elem(c, tag)) {
			if (td_log_level() >= TD_LOG_DEBUG)
				td_log(TD_LOG_DEBUG,
				       "extract: unlikely %s class=%s id=%s",
				       gumbo_normalized_tagname(tag),
				       html_attr(c, "class") ?
					       html_attr(c, "class") : "",
				       html_attr(c, "id") ? html_attr(c, "id")
							  : "");
			continue;
		}
		int x = new_node(t, K_ELEM, tag);
		if (x < 0)
			break;
		t->v[x].g = c;
		if (tag == GUMBO_TAG_IMG && formula_img(c))
			t->v[x].flags |= F_FORMULA;
		append_child(t, parent, x);
		if (depth == cap) {
			struct bframe *ns = realloc(st, cap * 2 * sizeof(*st));
			if (!ns) {
				t->oom = 1;
				break;
			}
			st = ns;
			cap *= 2;
		}
		st[depth++] = (struct bframe){
			c, x, 0,
			protect || tag == GUMBO_TAG_TABLE ||
				tag == GUMBO_TAG_CODE || tag == GUMBO_TAG_PRE
		};
	}
	free(st);
	return t->oom ? -1 : top;
}

/* ======================================================================
 * Text statistics
 * ====================================================================== */

static int is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Characters of a text after collapsing whitespace (each run counts one,
 * and a leading or trailing run counts too: we cannot see the
 * neighbours). Counts code points; commas include the CJK ones. */
static void text_stats(const char *s, size_t n, unsigned *chars,
		       unsigned *commas)
{
	unsigned c = 0, k = 0;
	int ws = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)s[i];
		if (is_ws(b) || (b == 0xc2 && i + 1 < n &&
				 (unsigned char)s[i + 1] == 0xa0)) {
			if (!ws)
				c++;
			ws = 1;
			if (b == 0xc2)
				i++;
			continue;
		}
		ws = 0;
		if ((b & 0xc0) != 0x80)
			c++;
		if (b == ',')
			k++;
		else if (b == 0xef && i + 2 < n &&
			 (unsigned char)s[i + 1] == 0xbc &&
			 (unsigned char)s[i + 2] == 0x8c)
			k++; /* U+FF0C FULLWIDTH COMMA */
		else if (b == 0xe3 && i + 2 < n &&
			 (unsigned char)s[i + 1] == 0x80 &&
			 (unsigned char)s[i + 2] == 0x81)
			k++; /* U+3001 IDEOGRAPHIC COMMA */
	}
	*chars = c;
	*commas = k;
}

static int text_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_ws((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Link text counts less when the link stays on the page (footnotes,
 * tables of contents). */
static int is_local_link(const struct node *x)
{
	const char *h = attr(x, "href");
	return h && h[0] == '#';
}

/* Compute chars, link_chars, commas and counts for the subtree of root,
 * bottom-up (children before parents), in one pass with an explicit
 * order array. Returns 0 or TD_ENOMEM. */
static int stats(struct tree *t, int root)
{
	size_t n = 0, cap = 256;
	int *order = malloc(cap * sizeof(*order));
	if (!order)
		return TD_ENOMEM;
	for (int x = root; x >= 0; x = next_in(t, x, root)) {
		if (n == cap) {
			int *no = realloc(order, cap * 2 * sizeof(*order));
			if (!no) {
				free(order);
				return TD_ENOMEM;
			}
			order = no;
			cap *= 2;
		}
		order[n++] = x;
	}
	while (n--) {
		struct node *x = &t->v[order[n]];
		if (x->kind == K_TEXT) {
			text_stats(x->text, x->text_len, &x->chars, &x->commas);
			x->link_chars = x->n_p = x->n_img = x->n_li = 0;
			x->n_breaks = 0;
			continue;
		}
		unsigned ch = 0, lk = 0, cm = 0, np = 0, ni = 0, nl = 0, nb = 0;
		int prev_br = 0;
		for (int c = x->first; c >= 0; c = t->v[c].next) {
			struct node *y = &t->v[c];
			ch += y->chars;
			lk += y->link_chars;
			cm += y->commas;
			np += y->n_p;
			ni += y->n_img;
			nl += y->n_li;
			nb += y->n_breaks;
			if (y->kind == K_ELEM && y->tag == GUMBO_TAG_BR) {
				if (prev_br)
					nb++;
				prev_br = 1;
			} else if (!(y->kind == K_TEXT &&
				     text_blank(y->text, y->text_len))) {
				prev_br = 0;
			}
		}
		if (x->tag == GUMBO_TAG_A)
			lk = is_local_link(x) ? (unsigned)(ch * 3 / 10) : ch;
		if (x->tag == GUMBO_TAG_P || (x->flags & F_PARA))
			np++;
		if (x->tag == GUMBO_TAG_IMG && !(x->flags & F_FORMULA))
			ni++;
		if (x->tag == GUMBO_TAG_LI)
			nl++;
		x->chars = ch;
		x->link_chars = lk > ch ? ch : lk;
		x->commas = cm;
		x->n_p = np;
		x->n_img = ni;
		x->n_li = nl;
		x->n_breaks = nb;
	}
	free(order);
	return 0;
}

static double link_density(const struct node *x)
{
	return x->chars ? (double)x->link_chars / (double)x->chars : 0.0;
}

/* ======================================================================
 * Paragraph structure
 * ====================================================================== */

/* 1 when the element holds a block-level element. */
static int has_block_child(const struct tree *t, int x)
{
	for (int c = t->v[x].first; c >= 0; c = t->v[c].next) {
		const struct node *y = &t->v[c];
		if (y->kind == K_ELEM &&
		    (tag_is(y->tag, block_tags) || (y->flags & F_PARA)))
			return 1;
	}
	return 0;
}

static int has_block_desc(const struct tree *t, int x)
{
	for (int c = next_in(t, x, x); c >= 0; c = next_in(t, c, x)) {
		const struct node *y = &t->v[c];
		if (y->kind == K_ELEM && tag_is(y->tag, block_tags))
			return 1;
	}
	return 0;
}

/* Mark text-only div-likes as paragraphs and wrap loose inline runs of
 * mixed containers into synthetic paragraphs. Bottom-up via reverse
 * pre-order is not needed: both rules look at children only. */
static void paragraphs(struct tree *t, int root)
{
	for (int x = root; x >= 0; x = next_in(t, x, root)) {
		struct node *X = &t->v[x];
		if (X->kind != K_ELEM || !tag_is(X->tag, wrap_tags))
			continue;
		if (!has_block_desc(t, x)) {
			if (X->first >= 0 && x != root &&
			    tag_is(X->tag, div_like))
				X->flags |= F_PARA;
			continue;
		}
		/* wrap runs of inline children holding text */
		int c = X->first;
		while (c >= 0) {
			const struct node *y = &t->v[c];
			int inl = y->kind == K_TEXT ||
				  (!tag_is(y->tag, block_tags) &&
				   !(y->flags & F_PARA) &&
				   !has_block_desc(t, c));
			if (!inl) {
				c = y->next;
				continue;
			}
			int end = c, solid = 0;
			while (end >= 0) {
				const struct node *z = &t->v[end];
				int zi = z->kind == K_TEXT ||
					 (!tag_is(z->tag, block_tags) &&
					  !(z->flags & F_PARA) &&
					  !has_block_desc(t, end));
				if (!zi)
					break;
				if (z->kind == K_ELEM ||
				    !text_blank(z->text, z->text_len))
					solid = 1;
				end = z->next;
			}
			if (!solid) {
				c = end;
				continue;
			}
			int p = new_node(t, K_ELEM, GUMBO_TAG_P);
			if (p < 0)
				return;
			X = &t->v[x];
			t->v[p].flags = F_SYNTH | F_PARA;
			insert_before(t, c, p);
			while (c != end) {
				int nx = t->v[c].next;
				detach(t, c);
				append_child(t, p, c);
				c = nx;
			}
			c = end;
		}
	}
}

/* ======================================================================
 * Scoring
 * ====================================================================== */

static float tag_bias(const struct node *x)
{
	switch (x->tag) {
	case GUMBO_TAG_DIV: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_MAIN:
		return 5;
	case GUMBO_TAG_SECTION:
		return 3;
	case GUMBO_TAG_PRE: case GUMBO_TAG_TD: case GUMBO_TAG_BLOCKQUOTE:
		return 3;
	case GUMBO_TAG_ADDRESS: case GUMBO_TAG_OL: case GUMBO_TAG_UL:
	case GUMBO_TAG_DL: case GUMBO_TAG_DD: case GUMBO_TAG_DT:
	case GUMBO_TAG_LI: case GUMBO_TAG_FORM:
		return -3;
	case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
	case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6:
	case GUMBO_TAG_TH:
		return -5;
	default:
		return 0;
	}
}

static void init_score(struct tree *t, int x, int flags)
{
	struct node *X = &t->v[x];
	if (X->flags & F_SCORED)
		return;
	X->flags |= F_SCORED;
	X->score = tag_bias(X);
	if (flags & A_WEIGHT_CLASSES)
		X->score += (float)class_weight(X);
	if (strong_hint(X))
		X->score += 10;
}

static int scorable(const struct node *x)
{
	return x->kind == K_ELEM &&
	       (x->tag == GUMBO_TAG_P || x->tag == GUMBO_TAG_PRE ||
		x->tag == GUMBO_TAG_TD || x->tag == GUMBO_TAG_LI ||
		(x->flags & F_PARA));
}

/* Score every paragraph into its ancestors; returns the number scored. */
static int score_all(struct tree *t, int root, int flags)
{
	int scored = 0;
	for (int x = root; x >= 0;) {
		struct node *X = &t->v[x];
		if (!scorable(X) || X->chars < MIN_PARA_CHARS ||
		    ((X->tag == GUMBO_TAG_TD || X->tag == GUMBO_TAG_LI) &&
		     has_block_child(t, x))) {
			x = next_in(t, x, root);
			continue;
		}
		unsigned segs = 1 + X->n_breaks;
		float worth = (float)segs + (float)X->commas;
		float len = (float)X->chars / 100.0f;
		worth += len > 3.0f * (float)segs ? 3.0f * (float)segs : len;
		if (X->tag == GUMBO_TAG_LI) /* lists of links are no prose */
			worth *= (float)(1.0 - link_density(X));
		for (int m = X->parent; m >= 0; m = t->v[m].parent)
			t->v[m].mass += worth;
		int a = X->parent;
		float div = 1;
		for (int lvl = 0; lvl < SCORE_LEVELS && a >= 0; lvl++) {
			if (t->v[a].kind != K_ELEM || t->v[a].tag == GUMBO_TAG_HTML)
				break;
			init_score(t, a, flags);
			t->v[a].score += worth / div;
			div = lvl == 0 ? 2 : div * 2;
			a = t->v[a].parent;
		}
		scored++;
		/* paragraphs nested in paragraphs (td > p) score once each */
		x = next_in(t, x, root);
	}
	return scored;
}

/* ======================================================================
 * Choosing the article
 * ====================================================================== */

static float final_score(const struct tree *t, int x)
{
	const struct node *X = &t->v[x];
	return X->score * (float)(1.0 - link_density(X));
}

static int pick_top(const struct tree *t, int root, int *cands, int *ncand)
{
	float best[TOP_N];
	int n = 0;
	for (int x = root; x >= 0; x = next_in(t, x, root)) {
		const struct node *X = &t->v[x];
		if (X->kind != K_ELEM || !(X->flags & F_SCORED) || x == root)
			continue;
		float s = final_score(t, x);
		int i = n < TOP_N ? n++ : TOP_N;
		if (i == TOP_N) {
			if (s <= best[TOP_N - 1])
				continue;
			i = TOP_N - 1;
		}
		while (i > 0 && best[i - 1] < s) {
			best[i] = best[i - 1];
			cands[i] = cands[i - 1];
			i--;
		}
		best[i] = s;
		cands[i] = x;
	}
	*ncand = n;
	return n ? cands[0] : -1;
}

/* Widen the top candidate to the lowest ancestor shared by enough of the
 * other strong candidates (content split over sibling blocks). */
static int widen(const struct tree *t, int root, int top, const int *cands,
		 int ncand)
{
	float ts = final_score(t, top);
	int strong[TOP_N], ns = 0;
	for (int i = 1; i < ncand; i++)
		if (final_score(t, cands[i]) >= ts * 0.75f &&
		    !is_ancestor(t, cands[i], top) &&
		    !is_ancestor(t, top, cands[i]))
			strong[ns++] = cands[i];
	if (ns < 2)
		return top;
	for (int a = t->v[top].parent; a >= 0 && a != root;
	     a = t->v[a].parent) {
		int shared = 0;
		for (int i = 0; i < ns; i++)
			shared += is_ancestor(t, a, strong[i]);
		if (shared >= 2)
			return a;
	}
	return top;
}

/* Walk up while the candidate is its parent's only element child, a part
 * of a table, or an ancestor up to CLIMB_LOOK levels higher holds
 * CLIMB_GAIN times its prose (the article spread over several blocks). */
static int climb(const struct tree *t, int root, int top)
{
	for (;;) {
		int p = t->v[top].parent;
		if (p < 0 || top == root)
			return top;
		int elems = 0, solid_text = 0;
		for (int c = t->v[p].first; c >= 0; c = t->v[c].next) {
			const struct node *y = &t->v[c];
			if (y->kind == K_ELEM)
				elems++;
			else if (!text_blank(y->text, y->text_len))
				solid_text = 1;
		}
		const struct node *T = &t->v[top];
		int part = T->tag == GUMBO_TAG_TBODY || T->tag == GUMBO_TAG_THEAD ||
			   T->tag == GUMBO_TAG_TFOOT || T->tag == GUMBO_TAG_TR;
		if (((elems == 1 && !solid_text) || part) && p != root) {
			top = p;
			continue;
		}
		double want = CLIMB_GAIN * T->mass * (1.0 - link_density(T));
		int up = -1, a = p;
		for (int lvl = 0; lvl < CLIMB_LOOK && a >= 0;
		     lvl++, a = t->v[a].parent) {
			const struct node *A = &t->v[a];
			if (A->mass * (1.0 - link_density(A)) >= want) {
				up = a;
				break;
			}
			if (a == root)
				break;
		}
		if (up < 0)
			return top;
		top = up;
	}
}

static int same_class(const struct node *a, const struct node *b)
{
	const char *x = attr(a, "class"), *y = attr(b, "class");
	return x && y && *x && !strcmp(x, y);
}

/* Length of a sentence terminator at s[0..n) (". ", "!", "?", or the
 * CJK full stop, exclamation and question marks), else 0. */
static size_t terminator(const char *s, size_t n)
{
	if (*s == '.' || *s == '!' || *s == '?')
		return 1;
	if (n >= 3 && !memcmp(s, "\xe3\x80\x82", 3))
		return 3; /* U+3002 IDEOGRAPHIC FULL STOP */
	if (n >= 3 && (!memcmp(s, "\xef\xbc\x81", 3) ||
		       !memcmp(s, "\xef\xbc\x9f", 3)))
		return 3; /* U+FF01, U+FF1F */
	return 0;
}

/* Sentence-like: a terminator followed by a space, a closing quote or
 * bracket, or the end of a text node. */
static int has_sentence(const struct tree *t, int x)
{
	for (int c = x; c >= 0; c = next_in(t, c, x)) {
		const struct node *y = &t->v[c];
		if (y->kind != K_TEXT)
			continue;
		const char *s = y->text;
		size_t n = y->text_len;
		for (size_t i = 0; i < n; i++) {
			size_t k = terminator(s + i, n - i);
			if (!k)
				continue;
			if (s[i] == '.' && ((i > 0 && s[i - 1] == '.') ||
					    (i + 1 < n && s[i + 1] == '.')))
				continue; /* an ellipsis: "Loading..." */
			size_t j = i + k;
			while (j < n && (s[j] == '"' || s[j] == '\'' ||
					 s[j] == ')'))
				j++;
			if (k == 3 || j == n || is_ws((unsigned char)s[j]) ||
			    (n - j >= 3 && !memcmp(s + j, "\xe2\x80\x9d", 3)))
				return 1;
			i = j - 1;
		}
	}
	return 0;
}

/* Which children of top's parent join the article: marks them in keep[]
 * (indexed by node). */
static void merge_siblings(const struct tree *t, int top, unsigned char *keep)
{
	keep[top] = 1;
	int p = t->v[top].parent;
	if (p < 0)
		return;
	float ts = final_score(t, top);
	float threshold = ts * 0.2f > 10 ? ts * 0.2f : 10;
	const struct node *T = &t->v[top];
	for (int c = t->v[p].first; c >= 0; c = t->v[c].next) {
		const struct node *y = &t->v[c];
		if (c == top || y->kind != K_ELEM)
			continue;
		float bonus = same_class(y, T) ? ts * 0.2f : 0;
		if ((y->flags & F_SCORED) &&
		    final_score(t, c) + bonus >= threshold) {
			keep[c] = 1;
			continue;
		}
		if (y->tag == GUMBO_TAG_P || (y->flags & F_PARA)) {
			double ld = link_density(y);
			if ((y->chars > 80 && ld < 0.25) ||
			    (y->chars > 0 && y->chars <= 80 && ld == 0 &&
			     has_sentence(t, c)))
				keep[c] = 1;
		}
	}
}

/* ======================================================================
 * Cleaning
 * ====================================================================== */

/* A table of data rather than layout: keep it whole. */
static int data_table(const struct tree *t, int x)
{
	const struct node *X = &t->v[x];
	const char *role = attr(X, "role");
	if (role && !strcasecmp(role, "presentation"))
		return 0;
	const char *dt = attr(X, "datatable");
	if (dt && !strcmp(dt, "0"))
		return 0;
	if (attr(X, "summary"))
		return 1;
	int rows = 0, cols = 0, nested = 0;
	for (int c = next_in(t, x, x); c >= 0; c = next_in(t, c, x)) {
		const struct node *y = &t->v[c];
		if (y->kind != K_ELEM)
			continue;
		switch (y->tag) {
		case GUMBO_TAG_CAPTION: case GUMBO_TAG_TH:
		case GUMBO_TAG_THEAD: case GUMBO_TAG_TFOOT:
		case GUMBO_TAG_COLGROUP: case GUMBO_TAG_COL:
			return 1;
		case GUMBO_TAG_TABLE:
			nested = 1;
			break;
		case GUMBO_TAG_TR: {
			rows++;
			int k = 0;
			for (int d = y->first; d >= 0; d = t->v[d].next)
				if (t->v[d].kind == K_ELEM &&
				    (t->v[d].tag == GUMBO_TAG_TD ||
				     t->v[d].tag == GUMBO_TAG_TH))
					k++;
			if (k > cols)
				cols = k;
			break;
		}
		default:
			break;
		}
	}
	if (nested)
		return 0;
	if (rows >= 10 || cols > 4)
		return 1;
	return rows * cols > 10;
}

static int inside(const struct tree *t, int x, int tag, int stop)
{
	for (int a = t->v[x].parent; a >= 0 && a != stop; a = t->v[a].parent)
		if (t->v[a].kind == K_ELEM && t->v[a].tag == tag)
			return 1;
	return 0;
}

static unsigned count_tag(const struct tree *t, int x, int tag)
{
	unsigned k = 0;
	for (int c = next_in(t, x, x); c >= 0; c = next_in(t, c, x))
		if (t->v[c].kind == K_ELEM && t->v[c].tag == tag)
			k++;
	return k;
}

/* An image with at most a caption, the image not a link: a picture of
 * the article in a widget wrapper, not an ad or a teaser. */
static int captioned_image(const struct tree *t, int x)
{
	const struct node *X = &t->v[x];
	if (!X->n_img || X->chars > 300 || X->link_chars)
		return 0;
	for (int c = next_in(t, x, x); c >= 0; c = next_in(t, c, x))
		if (t->v[c].kind == K_ELEM && t->v[c].tag == GUMBO_TAG_IMG &&
		    inside(t, c, GUMBO_TAG_A, x))
			return 0;
	return 1;
}

/* Characters of x's text inside lists (a wrapper around a list is
 * judged as the list). */
static unsigned list_text(const struct tree *t, int x)
{
	unsigned n = 0;
	for (int c = next_in(t, x, x); c >= 0;) {
		const struct node *y = &t->v[c];
		if (y->kind == K_ELEM &&
		    (y->tag == GUMBO_TAG_UL || y->tag == GUMBO_TAG_OL)) {
			n += y->chars;
			c = skip_in(t, c, x);
		} else {
			c = next_in(t, c, x);
		}
	}
	return n;
}

/* The host part of an absolute http(s) or scheme-relative URL, without
 * a leading "www."; *n is its length. NULL for relative URLs (which stay
 * on the page's site) and other schemes. */
static const char *url_host(const char *u, size_t *n)
{
	while (*u == ' ' || *u == '\t' || *u == '\n' || *u == '\r')
		u++;
	if (!strncasecmp(u, "https:", 6))
		u += 6;
	else if (!strncasecmp(u, "http:", 5))
		u += 5;
	if (u[0] != '/' || u[1] != '/')
		return NULL;
	u += 2;
	size_t k = strcspn(u, "/?#:");
	if (k > 4 && !strncasecmp(u, "www.", 4))
		u += 4, k -= 4;
	*n = k;
	return k ? u : NULL;
}

/* Characters of x's link text whose links lead to another site than the
 * page's: a list of such links is a list of references (sources, bug
 * reports, further reading), while "related" and navigation lists link
 * back into the same site. 0 when the page URL is unknown. */
static unsigned offsite_link_chars(const struct tree *t, int x)
{
	size_t bn;
	const char *bh = t->base ? url_host(t->base, &bn) : NULL;
	if (!bh)
		return 0;
	unsigned n = 0;
	for (int c = next_in(t, x, x); c >= 0;) {
		const struct node *y = &t->v[c];
		if (y->kind == K_ELEM && y->tag == GUMBO_TAG_A) {
			const char *h = attr(y, "href");
			size_t hn;
			const char *hh = h ? url_host(h, &hn) : NULL;
			if (hh && (hn != bn || strncasecmp(hh, bh, bn)))
				n += y->chars;
			c = skip_in(t, c, x);
		} else {
			c = next_in(t, c, x);
		}
	}
	return n;
}

/* A list of references: most of its link text leads off the site, and
 * its items are descriptions rather than one-word links (share buttons,
 * language menus). */
static int reference_list(const struct tree *t, int x)
{
	const struct node *X = &t->v[x];
	if (!X->n_li || X->chars < 20 * X->n_li)
		return 0;
	return offsite_link_chars(t, x) * 3 >= X->link_chars * 2;
}

/* Non-zero (the rule that fired) when x looks like page furniture
 * rather than article content. */
static int junk_block(const struct tree *t, int x, int flags)
{
	const struct node *X = &t->v[x];
	int w = (flags & A_WEIGHT_CLASSES) ? class_weight(X) : 0;
	double ld = link_density(X);
	if (X->flags & (F_DATATAB | F_INDATA))
		return 0;
	if (w < 0 && w + ((X->flags & F_SCORED) ? X->score : 0) < 0 &&
	    X->chars < 2000 && !captioned_image(t, x))
		return 1;
	if (X->commas >= 10)
		return 0;
	unsigned p = X->n_p, img = X->n_img, li = X->n_li;
	int list = X->tag == GUMBO_TAG_UL || X->tag == GUMBO_TAG_OL ||
		   list_text(t, x) * 10 > X->chars * 9;
	unsigned heads = 0;
	for (int c = next_in(t, x, x); c >= 0; c = next_in(t, c, x))
		if (t->v[c].kind == K_ELEM && is_heading(t->v[c].tag))
			heads += t->v[c].chars;
	if (X->chars && heads * 10 >= X->chars * 9 && !list)
		return 0; /* a heading block, judged elsewhere */
	if (img > 1 && p * 2 < img && !inside(t, x, GUMBO_TAG_FIGURE, -1) &&
	    X->chars < 200 && count_tag(t, x, GUMBO_TAG_FIGCAPTION) * 2 < img)
		return 2;
	if (!list && li > 100 + p)
		return 3;
	if (!list && li > p && ld > 0.3)
		return 4;
	if (X->chars < 25 && (img == 0 || img > 2) &&
	    !(X->link_chars == 0 && has_sentence(t, x)) &&
	    !count_tag(t, x, GUMBO_TAG_HR) &&
	    !count_tag(t, x, GUMBO_TAG_IFRAME) && X->tag != GUMBO_TAG_TABLE)
		return 5;
	if (w < 25 && ld > (list ? 0.5 : 0.2) && X->chars < 2000 &&
	    !(list && reference_list(t, x)))
		return 6;
	if (w >= 25 && ld > 0.5)
		return 7;
	return 0;
}

static const int cleanable[] = { GUMBO_TAG_DIV, GUMBO_TAG_SECTION,
				 GUMBO_TAG_TABLE, GUMBO_TAG_UL, GUMBO_TAG_OL,
				 GUMBO_TAG_DL, GUMBO_TAG_FORM,
				 GUMBO_TAG_FIELDSET, GUMBO_TAG_HEADER,
				 GUMBO_TAG_NAV, GUMBO_TAG_UNKNOWN, -1 };

/* Elements dropped whole from the article. */
static const int strip_tags[] = { GUMBO_TAG_ASIDE, GUMBO_TAG_FOOTER,
				  GUMBO_TAG_FORM, GUMBO_TAG_FIELDSET,
				  GUMBO_TAG_NAV, -1 };

static int is_media(int tag)
{
	return tag == GUMBO_TAG_IMG ||
	       tag == GUMBO_TAG_VIDEO || tag == GUMBO_TAG_AUDIO ||
	       tag == GUMBO_TAG_IFRAME || tag == GUMBO_TAG_HR ||
	       tag == GUMBO_TAG_TABLE || tag == GUMBO_TAG_BR;
}

static int has_media(const struct tree *t, int x)
{
	for (int c = x; c >= 0; c = next_in(t, c, x))
		if (t->v[c].kind == K_ELEM && is_media(t->v[c].tag) &&
		    t->v[c].tag != GUMBO_TAG_BR)
			return 1;
	return 0;
}

/* Normalised comparison of a heading against the title: equal after
 * folding case and dropping everything but letters and digits. */
static int same_words(const char *a, size_t an, const char *b)
{
	size_t i = 0, j = 0, bn = strlen(b);
	for (;;) {
		while (i < an && !is_alnum((unsigned char)a[i]) &&
		       (unsigned char)a[i] < 0x80)
			i++;
		while (j < bn && !is_alnum((unsigned char)b[j]) &&
		       (unsigned char)b[j] < 0x80)
			j++;
		if (i == an || j == bn)
			return i == an && j == bn;
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[j]))
			return 0;
		i++, j++;
	}
}

static char *node_text(const struct tree *t, int x)
{
	struct td_buf b;
	td_buf_init(&b, 64 * 1024);
	for (int c = x; c >= 0; c = next_in(t, c, x))
		if (t->v[c].kind == K_TEXT)
			td_buf_append(&b, t->v[c].text, t->v[c].text_len);
	char *s = td_buf_detach(&b, NULL);
	if (s)
		td_collapse_ws(s);
	return s;
}

/* ---- byline and date lines ---- */

#define BYLINE_BLOCK_SLACK 120 /* a byline's block may hold this much
				  more: "By", dates, "|", a site name */
#define LEAD_BLOCKS 6          /* leading blocks searched for a byline
				  or date line */
#define DATE_SLACK (36 * 3600) /* a date line within this of the publish
				  date repeats it (time zones, dates
				  without a time) */

static int is_block_node(const struct node *x)
{
	return x->kind == K_ELEM &&
	       (tag_is(x->tag, block_tags) || (x->flags & F_PARA));
}

static int64_t iabs64(int64_t v) { return v < 0 ? -v : v; }

/* 1 when s (collapsed text) is a date within DATE_SLACK of date, alone
 * or after a label of at most three words ("Published", "Updated on"). */
static int repeats_date(const char *s, int64_t date)
{
	size_t n = strlen(s);
	int words = 0;
	for (size_t i = 0; i < n && words <= 3; i++) {
		if (i > 0 && s[i - 1] != ' ')
			continue;
		words++;
		if (!strpbrk(s + i, "0123456789"))
			return 0;
		int64_t d = feed_date_parse(s + i, n - i);
		if (d != TD_TIME_NONE)
			return iabs64(d - date) <= DATE_SLACK;
	}
	return 0;
}

/* Letters and digits of a and b, case folded, are equal. */
static int same_name(const char *a, const char *b)
{
	return same_words(a, strlen(a), b);
}

/* 1 when s reads as "By <byline>", possibly followed by a date. */
static int repeats_byline(const char *s, const char *byline)
{
	char *c = html_meta_clean_byline(s);
	if (!c)
		return 0;
	int same = same_name(c, byline);
	if (!same) {
		/* "Name March 25, 2015": cut at the last word that starts
		 * a date */
		for (size_t i = strlen(c); i > 0 && !same; i--)
			if (c[i - 1] == ' ' &&
			    feed_date_parse(c + i, strlen(c + i)) !=
				    TD_TIME_NONE) {
				c[i - 1] = '\0';
				same = same_name(c, byline);
			}
	}
	free(c);
	return same;
}

/* Remove the byline from the article: the element the byline metadata
 * came from (with its block when the block holds little else), and
 * among the first blocks a line that only repeats the byline or the
 * publish date, or a short heading that is all link (a section
 * kicker). */
static void drop_byline(struct tree *t, int root, const struct hints *h)
{
	if (h->byline_el) {
		int n = -1;
		for (int x = next_in(t, root, root); x >= 0;
		     x = next_in(t, x, root))
			if (t->v[x].g == h->byline_el) {
				n = x;
				break;
			}
		if (n >= 0 && t->v[n].chars <= 2 * BYLINE_BLOCK_SLACK) {
			int b = n;
			while (!is_block_node(&t->v[b]) &&
			       t->v[b].parent >= 0 && t->v[b].parent != root)
				b = t->v[b].parent;
			if (b != n && is_block_node(&t->v[b]) &&
			    t->v[b].chars > t->v[n].chars + BYLINE_BLOCK_SLACK)
				b = is_block_node(&t->v[n]) ? n : -1;
			if (b >= 0) {
				if (td_log_level() >= TD_LOG_DEBUG)
					td_log(TD_LOG_DEBUG,
					       "extract: byline element %s",
					       gumbo_normalized_tagname(
						       t->v[b].tag));
				detach(t, b);
			}
		}
	}
	int blocks = 0;
	for (int x = next_in(t, root, root); x >= 0 && blocks < LEAD_BLOCKS;) {
		const struct node *X = &t->v[x];
		if (!is_block_node(X) || has_block_child(t, x) || !X->chars) {
			x = next_in(t, x, root);
			continue;
		}
		blocks++;
		int drop = 0;
		if (X->chars <= 40 && X->link_chars + 2 >= X->chars &&
		    X->link_chars && !X->n_img && is_heading(X->tag)) {
			drop = 1; /* a kicker: a heading that links to a
				     section or tag page */
		} else if (X->chars <= BYLINE_BLOCK_SLACK) {
			char *s = node_text(t, x);
			drop = s && ((h->byline &&
				      repeats_byline(s, h->byline)) ||
				     (h->date != TD_TIME_NONE &&
				      repeats_date(s, h->date)));
			free(s);
		}
		int nx = skip_in(t, x, root);
		if (drop) {
			if (td_log_level() >= TD_LOG_DEBUG)
				td_log(TD_LOG_DEBUG, "extract: byline, date or "
						     "kicker line %s",
				       gumbo_normalized_tagname(X->tag));
			detach(t, x);
		} else if (X->chars > 150) {
			break; /* the text has begun */
		}
		x = nx;
	}
}

/* Up to 31 bytes of x's text, whitespace collapsed, into buf; with
 * links or without them (stopping at the first link). */
static void lead_text(const struct tree *t, int x, int links, char *buf,
		      size_t cap)
{
	size_t n = 0;
	for (int c = next_in(t, x, x); c >= 0 && n < cap - 1;) {
		const struct node *y = &t->v[c];
		if (y->kind == K_ELEM && y->tag == GUMBO_TAG_A && !links)
			break;
		if (y->kind == K_TEXT)
			for (size_t i = 0; i < y->text_len && n < cap - 1; i++)
				buf[n++] = y->text[i];
		c = next_in(t, c, x);
	}
	buf[n] = '\0';
	td_collapse_ws(buf);
}

/* 1 when s starts with a label: at most three words and a ':' within
 * its first 25 bytes ("Related:", "Read more:", "Lire aussi :"). */
static int starts_label(const char *s)
{
	const char *colon = strchr(s, ':');
	if (!colon || colon == s || colon - s > 25)
		return 0;
	int words = 1;
	for (const char *p = s; p < colon; p++)
		words += *p == ' ' && p + 1 < colon && p[1] != ' ';
	return words <= 3;
}

static int para_like(const struct node *x)
{
	return x->kind == K_ELEM &&
	       (x->tag == GUMBO_TAG_P || (x->flags & F_PARA));
}

/* A short paragraph that is all link. */
static int link_only(const struct node *x)
{
	return para_like(x) && x->link_chars && x->chars <= 150 &&
	       x->link_chars + 2 >= x->chars && !x->n_img;
}

/* Remove pointers to other pages posing as paragraphs: "Related: <a>
 * Another story</a>" (a label of at most three words, the link at least
 * half the text), and a label paragraph ("Read more:") followed by
 * paragraphs that are each one link. */
static void drop_link_labels(struct tree *t, int root)
{
	char lab[32];
	for (int x = next_in(t, root, root); x >= 0;) {
		const struct node *X = &t->v[x];
		int drop = 0, nx = -1, run_end = 0;
		if (para_like(X) && X->chars <= 150 && !X->n_img &&
		    !inside(t, x, GUMBO_TAG_LI, root) &&
		    !inside(t, x, GUMBO_TAG_TD, root)) {
			if (X->link_chars * 2 >= X->chars && X->link_chars) {
				lead_text(t, x, 1, lab, sizeof(lab));
				drop = starts_label(lab);
			} else if (!X->link_chars && X->chars <= 40) {
				lead_text(t, x, 0, lab, sizeof(lab));
				size_t n = strlen(lab);
				int run = 0, c = X->next;
				for (; c >= 0; c = t->v[c].next) {
					const struct node *y = &t->v[c];
					if (y->kind == K_TEXT &&
					    text_blank(y->text, y->text_len))
						continue;
					if (!link_only(y))
						break;
					run++;
				}
				if (n && lab[n - 1] == ':' && run) {
					drop = 1 + run;
					nx = c;
					run_end = 1;
				}
			}
		}
		if (!drop) {
			x = next_in(t, x, root);
			continue;
		}
		if (td_log_level() >= TD_LOG_DEBUG)
			td_log(TD_LOG_DEBUG, "extract: link label %s (%d)",
			       gumbo_normalized_tagname(X->tag), drop);
		if (!run_end) {
			nx = skip_in(t, x, root);
			detach(t, x);
		} else {
			/* the label and its run of links, up to nx */
			int p = t->v[x].parent;
			while (x >= 0 && x != nx) {
				int next = t->v[x].next;
				detach(t, x);
				x = next;
			}
			if (nx < 0)
				nx = skip_in(t, p, root);
		}
		x = nx;
	}
}

/* 1 when x sits inside a paragraph (below root). */
static int in_paragraph(const struct tree *t, int x, int root)
{
	for (int a = t->v[x].parent; a >= 0 && a != root; a = t->v[a].parent)
		if (t->v[a].tag == GUMBO_TAG_P)
			return 1;
	return 0;
}

/* Clean the article under root (a detached container). */
/* A figure left with nothing but its caption: its picture or player was
 * not kept (a video of an unknown player, an ad slot), and a caption of
 * nothing only confuses. */
static int caption_only(const struct tree *t, int fig)
{
	for (int c = next_in(t, fig, fig); c >= 0;) {
		const struct node *y = &t->v[c];
		if (y->kind == K_ELEM && y->tag == GUMBO_TAG_FIGCAPTION) {
			c = skip_in(t, c, fig);
			continue;
		}
		if (y->kind == K_TEXT && !text_blank(y->text, y->text_len))
			return 0;
		if (y->kind == K_ELEM && y->tag != GUMBO_TAG_BR &&
		    (is_media(y->tag) ||
		     y->tag == GUMBO_TAG_SOURCE || y->tag == GUMBO_TAG_PRE ||
		     y->tag == GUMBO_TAG_BLOCKQUOTE || y->tag == GUMBO_TAG_SVG ||
		     y->tag == GUMBO_TAG_MATH))
			return 0;
		c = next_in(t, c, fig);
	}
	return 1;
}

static int clean(struct tree *t, int root, int flags, const struct hints *h)
{
	const char *title = h->title;
	int rc = stats(t, root);
	if (rc)
		return rc;
	/* tables of data are kept whole */
	for (int x = root; x >= 0; x = next_in(t, x, root))
		if (t->v[x].kind == K_ELEM && t->v[x].tag == GUMBO_TAG_TABLE &&
		    !(t->v[x].flags & F_INDATA) && data_table(t, x)) {
			t->v[x].flags |= F_DATATAB;
			for (int c = next_in(t, x, x); c >= 0;
			     c = next_in(t, c, x))
				t->v[c].flags |= F_INDATA;
		}

	/* always-junk elements */
	for (int x = next_in(t, root, root); x >= 0;) {
		struct node *X = &t->v[x];
		int drop = 0;
		if (X->kind == K_ELEM) {
			if (tag_is(X->tag, strip_tags))
				drop = 1;
			else if (X->tag == GUMBO_TAG_FIGURE && caption_only(t, x))
				drop = 1;
			else if (is_heading(X->tag) &&
				 (flags & A_WEIGHT_CLASSES) &&
				 class_weight(X) < 0)
				drop = 1;
			else if ((flags & A_WEIGHT_CLASSES) && X->chars < 500 &&
				 X->tag != GUMBO_TAG_A && X->g &&
				 (hint_match(attr(X, "class"),
					     (const struct pat[]){
						     { "share", 1 },
						     { "sharing", 1 },
						     { "social", 1 },
						     { NULL, 0 } }) ||
				  hint_match(attr(X, "id"),
					     (const struct pat[]){
						     { "share", 1 },
						     { "social", 1 },
						     { NULL, 0 } })))
				drop = 1;
		}
		if (drop) {
			int nx = skip_in(t, x, root);
			detach(t, x);
			x = nx;
		} else {
			x = next_in(t, x, root);
		}
	}

	/* the title repeated as one of the first headings (after a kicker
	 * such as "Politics" or "Analysis") */
	if (title) {
		int seen = 0, heads = 0;
		for (int x = next_in(t, root, root);
		     x >= 0 && seen < 8 && heads < 3;) {
			struct node *X = &t->v[x];
			if (X->kind == K_TEXT &&
			    !text_blank(X->text, X->text_len))
				seen++;
			if (X->kind != K_ELEM || !is_heading(X->tag)) {
				x = next_in(t, x, root);
				continue;
			}
			heads++;
			char *ht = node_text(t, x);
			int same = ht && same_words(ht, strlen(ht), title);
			free(ht);
			if (same) {
				detach(t, x);
				break;
			}
			x = skip_in(t, x, root);
		}
	}

	drop_byline(t, root, h);
	if (flags & A_CLEAN)
		drop_link_labels(t, root);

	if (flags & A_CLEAN) {
		rc = stats(t, root);
		if (rc)
			return rc;
		/* bottom-up: reverse pre-order over a snapshot */
		size_t n = 0;
		for (int x = root; x >= 0; x = next_in(t, x, root))
			n++;
		int *order = malloc((n ? n : 1) * sizeof(*order));
		if (!order)
			return TD_ENOMEM;
		n = 0;
		for (int x = root; x >= 0; x = next_in(t, x, root))
			order[n++] = x;
		while (n--) {
			int x = order[n];
			struct node *X = &t->v[x];
			if (x == root || X->kind != K_ELEM || X->parent < 0 ||
			    !tag_is(X->tag, cleanable))
				continue;
			if (!is_ancestor(t, root, x))
				continue; /* inside something removed */
			if (X->tag == GUMBO_TAG_UNKNOWN &&
			    in_paragraph(t, x, root))
				continue; /* an inline custom element */
			int why = junk_block(t, x, flags);
			if (why) {
				int p = X->parent;
				if (td_log_level() >= TD_LOG_DEBUG)
					td_log(TD_LOG_DEBUG,
					       "extract: clean rule %d drops %s "
					       "class=%s id=%s chars %u",
					       why,
					       gumbo_normalized_tagname(X->tag),
					       attr(X, "class") ? attr(X, "class")
								: "",
					       attr(X, "id") ? attr(X, "id") : "",
					       X->chars);
				detach(t, x);
				/* ancestors lose these statistics */
				for (; p >= 0; p = t->v[p].parent) {
					t->v[p].chars -= X->chars;
					t->v[p].link_chars -= X->link_chars;
					t->v[p].commas -= X->commas;
					t->v[p].n_p -= X->n_p;
					t->v[p].n_img -= X->n_img;
					t->v[p].n_li -= X->n_li;
					if (p == root)
						break;
				}
			}
		}
		free(order);
	}

	/* headings and labels left with nothing after them (their list was
	 * junk) */
	for (int k = 0; k < 3; k++) {
		int last = -1;
		for (int x = next_in(t, root, root); x >= 0;
		     x = next_in(t, x, root))
			if ((t->v[x].kind == K_TEXT &&
			     !text_blank(t->v[x].text, t->v[x].text_len)) ||
			    (t->v[x].kind == K_ELEM && is_media(t->v[x].tag) &&
			     t->v[x].tag != GUMBO_TAG_BR))
				last = x;
		int hd = -1, blk = -1;
		for (int a = last; a >= 0 && a != root; a = t->v[a].parent) {
			if (t->v[a].kind == K_ELEM && is_heading(t->v[a].tag))
				hd = a;
			if (blk < 0 && is_block_node(&t->v[a]))
				blk = a;
		}
		if (hd < 0 && blk >= 0 && !has_media(t, blk)) {
			/* a label left alone at the end: "Read more:" */
			char *lt = node_text(t, blk);
			size_t n = lt ? strlen(lt) : 0;
			if (n && n <= 60 && lt[n - 1] == ':')
				hd = blk;
			free(lt);
		}
		if (hd < 0)
			break;
		detach(t, hd);
	}

	/* empty blocks */
	rc = stats(t, root);
	if (rc)
		return rc;
	for (int x = next_in(t, root, root); x >= 0;) {
		struct node *X = &t->v[x];
		if (X->kind == K_ELEM && X->chars == 0 &&
		    (X->tag == GUMBO_TAG_P || tag_is(X->tag, div_like) ||
		     is_heading(X->tag) || X->tag == GUMBO_TAG_UL ||
		     X->tag == GUMBO_TAG_OL || X->tag == GUMBO_TAG_BLOCKQUOTE) &&
		    !has_media(t, x)) {
			int nx = skip_in(t, x, root);
			detach(t, x);
			x = nx;
		} else {
			x = next_in(t, x, root);
		}
	}
	return 0;
}

/* ======================================================================
 * Serialisation (the sanitizer re-parses and filters this)
 * ====================================================================== */

static const int void_tags[] = {
	GUMBO_TAG_AREA, GUMBO_TAG_BASE, GUMBO_TAG_BR, GUMBO_TAG_COL,
	GUMBO_TAG_EMBED, GUMBO_TAG_HR, GUMBO_TAG_IMG, GUMBO_TAG_INPUT,
	GUMBO_TAG_LINK, GUMBO_TAG_META, GUMBO_TAG_PARAM, GUMBO_TAG_SOURCE,
	GUMBO_TAG_TRACK, GUMBO_TAG_WBR, -1
};

/* Table parts cannot stand alone: serialised as div. */
static const int table_parts[] = { GUMBO_TAG_TR, GUMBO_TAG_TD, GUMBO_TAG_TH,
				   GUMBO_TAG_TBODY, GUMBO_TAG_THEAD,
				   GUMBO_TAG_TFOOT, GUMBO_TAG_CAPTION,
				   GUMBO_TAG_COLGROUP, GUMBO_TAG_COL,
				   GUMBO_TAG_LI, GUMBO_TAG_DT, GUMBO_TAG_DD,
				   -1 };

static void put_escaped(struct td_buf *b, const char *s, size_t n, int in_attr)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		const char *rep = NULL;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = in_attr ? "&quot;" : NULL; break;
		default: break;
		}
		if (!rep)
			continue;
		td_buf_append(b, s + start, i - start);
		td_buf_puts(b, rep);
		start = i + 1;
	}
	td_buf_append(b, s + start, n - start);
}

static int attr_name_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!is_alnum((unsigned char)*s) && *s != '-' && *s != '_' &&
		    *s != ':')
			return 0;
	return 1;
}

/* Attributes worth passing to the sanitizer (it keeps its own allowlist;
 * this only trims the page's noise). */
static int attr_wanted(const char *name)
{
	static const char *const keep[] = {
		"href", "src", "srcset", "sizes", "alt", "title", "width",
		"height", "datetime", "cite", "colspan", "rowspan", "lang",
		"dir", "poster", "controls", "type", "media", "start",
		"reversed", "abbr", "scope", "headers", "data-src",
		"data-srcset", "data-original", "data-lazy-src",
		"data-lazy-srcset", "data-url", NULL
	};
	for (int i = 0; keep[i]; i++)
		if (!strcmp(name, keep[i]))
			return 1;
	return 0;
}

static void open_tag(struct td_buf *b, const struct node *x, int tag)
{
	td_buf_putc(b, '<');
	td_buf_puts(b, gumbo_normalized_tagname((GumboTag)tag));
	if (x->g && x->g->type == GUMBO_NODE_ELEMENT) {
		const GumboVector *at = &x->g->v.element.attributes;
		for (unsigned i = 0; i < at->length; i++) {
			const GumboAttribute *a = at->data[i];
			if (!attr_name_ok(a->name) || !attr_wanted(a->name))
				continue;
			td_buf_putc(b, ' ');
			td_buf_puts(b, a->name);
			td_buf_puts(b, "=\"");
			put_escaped(b, a->value, strlen(a->value), 1);
			td_buf_putc(b, '"');
		}
	}
	td_buf_putc(b, '>');
}

/* Tag written for an element, or -1 to write its children only. */
static int out_tag(const struct node *x, int top_level)
{
	if (x->tag == GUMBO_TAG_UNKNOWN || x->tag == GUMBO_TAG_BODY ||
	    x->tag == GUMBO_TAG_HTML || x->tag == GUMBO_TAG_FONT ||
	    x->tag == GUMBO_TAG_SPAN)
		return -1;
	if (top_level && tag_is(x->tag, table_parts))
		return GUMBO_TAG_DIV;
	if (x->tag == GUMBO_TAG_H1)
		return GUMBO_TAG_H2;
	return x->tag;
}

/* The link standing for an embed: a paragraph of its own, or inline
 * when the iframe sits in a paragraph, heading or link. */
static void put_embed(const struct tree *t, int x, struct td_buf *b)
{
	const char *kind = NULL;
	char *u = embed_url(t->v[x].g, t->base, &kind);
	if (!u)
		return;
	int inl = 0;
	for (int a = t->v[x].parent; a >= 0; a = t->v[a].parent) {
		const struct node *A = &t->v[a];
		if (A->tag == GUMBO_TAG_A || A->tag == GUMBO_TAG_P ||
		    is_heading(A->tag)) {
			inl = 1;
			break;
		}
		if (tag_is(A->tag, block_tags) || (A->flags & F_PARA))
			break;
	}
	const char *title = html_attr(t->v[x].g, "title");
	char *tt = title ? td_strdup(title) : NULL;
	if (tt)
		td_collapse_ws(tt);
	if (!inl)
		td_buf_puts(b, "<p>");
	td_buf_puts(b, "Embedded ");
	td_buf_puts(b, kind);
	td_buf_puts(b, ": ");
	if (!inside(t, x, GUMBO_TAG_A, -1)) {
		td_buf_puts(b, "<a href=\"");
		put_escaped(b, u, strlen(u), 1);
		td_buf_puts(b, "\">");
	}
	char *host = NULL;
	if (tt && *tt) {
		put_escaped(b, tt, strlen(tt), 0);
	} else if ((host = td_url_host(u))) {
		/* the whole URL is in href: the site names it well enough */
		const char *hs = strncmp(host, "www.", 4) ? host : host + 4;
		put_escaped(b, hs, strlen(hs), 0);
	} else {
		put_escaped(b, u, strlen(u), 0);
	}
	free(host);
	if (!inside(t, x, GUMBO_TAG_A, -1))
		td_buf_puts(b, "</a>");
	if (!inl)
		td_buf_puts(b, "</p>");
	free(tt);
	free(u);
}

/* Serialise the subtree of x (x itself included unless inner). */
static void serialize(const struct tree *t, int x, int inner,
		      struct td_buf *b)
{
	int c = inner ? t->v[x].first : x;
	int stop = inner ? x : t->v[x].parent;
	int top = inner ? -1 : x;
	if (c < 0)
		return;
	/* iterative walk: open on the way down, close on the way up */
	for (;;) {
		const struct node *y = &t->v[c];
		int tag = -1;
		if (y->kind == K_TEXT) {
			put_escaped(b, y->text, y->text_len, 0);
		} else if (y->tag == GUMBO_TAG_IFRAME) {
			put_embed(t, c, b);
		} else {
			tag = out_tag(y, y->parent == stop || c == top);
			if (tag >= 0) {
				open_tag(b, y, tag);
				if ((tag == GUMBO_TAG_PRE ||
				     tag == GUMBO_TAG_LISTING) &&
				    y->first >= 0 &&
				    t->v[y->first].kind == K_TEXT &&
				    t->v[y->first].text_len &&
				    t->v[y->first].text[0] == '\n')
					td_buf_putc(b, '\n');
			}
			if (tag_is(tag, void_tags))
				goto up;
			if (y->first >= 0) {
				c = y->first;
				continue;
			}
			if (tag >= 0) {
				td_buf_puts(b, "</");
				td_buf_puts(b, gumbo_normalized_tagname(
						       (GumboTag)tag));
				td_buf_putc(b, '>');
			}
		}
	up:
		/* move to the next sibling, closing finished parents */
		for (;;) {
			if (c == top)
				return;
			if (t->v[c].next >= 0) {
				c = t->v[c].next;
				break;
			}
			c = t->v[c].parent;
			if (c < 0 || c == stop)
				return;
			const struct node *p = &t->v[c];
			int pt = out_tag(p, p->parent == stop || c == top);
			if (pt >= 0 && !tag_is(pt, void_tags)) {
				td_buf_puts(b, "</");
				td_buf_puts(b, gumbo_normalized_tagname(
						       (GumboTag)pt));
				td_buf_putc(b, '>');
			}
		}
	}
}

/* ======================================================================
 * One extraction attempt
 * ====================================================================== */

struct attempt {
	char *html;     /* serialised article (before sanitizing) */
	unsigned chars; /* its text length */
};

static int run_attempt(const GumboNode *body, int flags,
		       const struct hints *h, struct attempt *out)
{
	struct tree t = { 0 };
	t.base = h->base;
	unsigned char *keep = NULL;
	int rc = 0;
	out->html = NULL;
	out->chars = 0;
	int root = build(&t, body, flags);
	if (root < 0) {
		rc = TD_ENOMEM;
		goto out;
	}
	t.root = root;
	if ((rc = stats(&t, root)))
		goto out;
	paragraphs(&t, root);
	if (t.oom) {
		rc = TD_ENOMEM;
		goto out;
	}
	if ((rc = stats(&t, root)))
		goto out;
	score_all(&t, root, flags);

	int cands[TOP_N], ncand = 0;
	int top = pick_top(&t, root, cands, &ncand);
	if (td_log_level() >= TD_LOG_DEBUG)
		for (int i = 0; i < ncand; i++) {
			const struct node *c = &t.v[cands[i]];
			td_log(TD_LOG_DEBUG,
			       "extract: attempt %d candidate %s class=%s id=%s "
			       "score %.1f final %.1f chars %u",
			       flags, gumbo_normalized_tagname(c->tag),
			       attr(c, "class") ? attr(c, "class") : "",
			       attr(c, "id") ? attr(c, "id") : "", c->score,
			       final_score(&t, cands[i]), c->chars);
		}
	if (top < 0)
		top = root;
	else
		top = climb(&t, root, widen(&t, root, top, cands, ncand));

	if (td_log_level() >= TD_LOG_DEBUG && top >= 0)
		td_log(TD_LOG_DEBUG, "extract: chosen %s class=%s id=%s",
		       gumbo_normalized_tagname(t.v[top].tag),
		       attr(&t.v[top], "class") ? attr(&t.v[top], "class") : "",
		       attr(&t.v[top], "id") ? attr(&t.v[top], "id") : "");
	/* gather the article under a fresh container */
	keep = calloc(t.n, 1);
	if (!keep) {
		rc = TD_ENOMEM;
		goto out;
	}
	if (top != root)
		merge_siblings(&t, top, keep);
	int art = new_node(&t, K_ELEM, GUMBO_TAG_DIV);
	if (art < 0) {
		rc = TD_ENOMEM;
		goto out;
	}
	if (top == root) {
		while (t.v[root].first >= 0) {
			int c = t.v[root].first;
			detach(&t, c);
			append_child(&t, art, c);
		}
	} else {
		int p = t.v[top].parent;
		int c = t.v[p].first;
		while (c >= 0) {
			int nx = t.v[c].next;
			if (keep[c]) {
				detach(&t, c);
				append_child(&t, art, c);
			}
			c = nx;
		}
	}
	if ((rc = clean(&t, art, flags, h)))
		goto out;
	if ((rc = stats(&t, art)))
		goto out;
	out->chars = t.v[art].chars;

	struct td_buf b;
	td_buf_init(&b, HTML_MAX_OUTPUT);
	serialize(&t, art, 1, &b);
	if (td_buf_err(&b)) {
		rc = td_buf_err(&b);
		td_buf_release(&b);
		goto out;
	}
	out->html = td_buf_detach(&b, NULL);
	if (!out->html)
		rc = TD_ENOMEM;
out:
	free(keep);
	free(t.v);
	return rc;
}

/* ======================================================================
 * JSON-LD articleBody
 * ====================================================================== */

static int looks_html(const char *s)
{
	for (const char *p = strchr(s, '<'); p; p = strchr(p + 1, '<'))
		if ((p[1] >= 'a' && p[1] <= 'z') || p[1] == '/')
			return 1;
	return 0;
}

/* Plain text into paragraphs: each non-blank line a <p>. */
static char *text_to_html(const char *s)
{
	struct td_buf b;
	td_buf_init(&b, HTML_MAX_OUTPUT);
	while (*s) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (!text_blank(s, n)) {
			td_buf_puts(&b, "<p>");
			put_escaped(&b, s, n, 0);
			td_buf_puts(&b, "</p>\n");
		}
		s += n;
		if (*s)
			s++;
	}
	return td_buf_detach(&b, NULL);
}

static size_t text_chars(const char *s)
{
	unsigned c = 0, k = 0;
	text_stats(s, strlen(s), &c, &k);
	return c;
}

/* ======================================================================
 * html_extract
 * ====================================================================== */

static const GumboNode *find_body(const GumboNode *root)
{
	if (!root || root->type != GUMBO_NODE_ELEMENT)
		return NULL;
	const GumboVector *k = &root->v.element.children;
	for (unsigned i = 0; i < k->length; i++) {
		const GumboNode *c = k->data[i];
		if (c->type == GUMBO_NODE_ELEMENT &&
		    c->v.element.tag == GUMBO_TAG_BODY)
			return c;
	}
	return root;
}

/* First paragraph of the article's text of a useful length. */
static char *first_paragraph(const char *text)
{
	const char *s = text;
	while (*s) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n >= 40)
			return td_strndup(s, td_utf8_cut(s, n, 1000));
		s += n;
		if (*s)
			s++;
	}
	return NULL;
}

/* Value of attribute name (with its leading space and '="') inside the
 * tag tag[0..n), unescaped (&amp; only: the sanitizer escapes nothing
 * else in URLs), or NULL. */
static char *tag_attr(const char *tag, size_t n, const char *name)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i + nl < n; i++) {
		if (memcmp(tag + i, name, nl))
			continue;
		const char *v = tag + i + nl, *e = memchr(v, '"', n - i - nl);
		if (!e)
			return NULL;
		struct td_buf b;
		td_buf_init(&b, 0);
		for (const char *p = v; p < e; p++) {
			if (!strncmp(p, "&amp;", 5) && p + 5 <= e) {
				td_buf_putc(&b, '&');
				p += 4;
			} else {
				td_buf_putc(&b, *p);
			}
		}
		return td_buf_detach(&b, NULL);
	}
	return NULL;
}

/* First image of the sanitized content that is not declared small. */
static char *content_image(const char *html)
{
	for (const char *p = strstr(html, "<img "); p; p = strstr(p + 1, "<img ")) {
		const char *e = strchr(p, '>');
		if (!e)
			return NULL;
		size_t n = (size_t)(e - p);
		char *w = tag_attr(p, n, " width=\"");
		long width = w ? strtol(w, NULL, 10) : 0;
		free(w);
		if (width > 0 && width < 200)
			continue;
		char *src = tag_attr(p, n, " src=\"");
		if (src && td_url_is_http(src))
			return src;
		free(src);
	}
	return NULL;
}

static void article_reset_content(struct html_article *a)
{
	free(a->content_html);
	free(a->content_text);
	a->content_html = a->content_text = NULL;
}

int html_extract(const char *html, size_t len, const char *url,
		 struct html_article **out, struct td_error *err)
{
	struct html_parse p = { 0 };
	struct html_meta_extra x = { 0 };
	struct attempt best = { 0 }, cur = { 0 };
	struct td_buf b;
	char *body_html = NULL;
	int rc;

	*out = NULL;
	td_buf_init(&b, HTML_MAX_OUTPUT);
	struct html_article *a = calloc(1, sizeof(*a));
	if (!a)
		return td_error_set(err, TD_ENOMEM, "out of memory");
	a->date_published = TD_TIME_NONE;

	/* a UTF-8 byte order mark is not content */
	if (html && len >= 3 && !memcmp(html, "\xef\xbb\xbf", 3))
		html += 3, len -= 3;
	rc = html_parse(html ? html : "", html ? len : 0, 0, &p);
	if (rc) {
		td_error_set(err, rc, "%s",
			     rc == TD_ETOOBIG ? "page too big" : "out of memory");
		goto out;
	}
	rc = html_meta_collect(p.out->document, url, a, &x);
	if (rc) {
		td_error_set(err, rc, "out of memory");
		goto out;
	}

	const GumboNode *body = find_body(p.root);
	const struct hints h = { a->title, a->byline, x.byline_el,
				 a->date_published, x.base_url };
	static const int attempts[MAX_ATTEMPTS] = {
		A_STRIP_UNLIKELY | A_WEIGHT_CLASSES | A_CLEAN,
		A_WEIGHT_CLASSES | A_CLEAN,
		A_CLEAN,
		0,
	};
	for (int i = 0; i < MAX_ATTEMPTS && body; i++) {
		rc = run_attempt(body, attempts[i], &h, &cur);
		if (rc) {
			td_error_set(err, rc, "out of memory");
			goto out;
		}
		/* a retry wins only when it finds clearly more: what the
		 * first attempt dropped was usually junk */
		if (!best.html ||
		    (double)cur.chars > RETRY_GAIN * (double)best.chars) {
			free(best.html);
			best = cur;
		} else {
			free(cur.html);
		}
		cur.html = NULL;
		if (best.chars >= GOOD_ARTICLE_CHARS)
			break;
	}

	/* JSON-LD articleBody when it is clearly longer */
	if (x.article_body) {
		size_t n = text_chars(x.article_body);
		if (n > GOOD_ARTICLE_CHARS / 2 &&
		    (double)n > 1.2 * (double)best.chars) {
			body_html = looks_html(x.article_body) ?
					    td_strdup(x.article_body) :
					    text_to_html(x.article_body);
			if (!body_html) {
				rc = td_error_set(err, TD_ENOMEM,
						  "out of memory");
				goto out;
			}
			free(best.html);
			best.html = body_html;
			body_html = NULL;
		}
	}

	if (best.html) {
		rc = html_sanitize(best.html, strlen(best.html), x.base_url,
				   &b);
		if (!rc)
			a->content_html = td_buf_detach(&b, NULL);
		if (!rc && !a->content_html)
			rc = TD_ENOMEM;
		if (!rc) {
			rc = html_to_text(a->content_html,
					  strlen(a->content_html), &b);
			if (!rc)
				a->content_text = td_buf_detach(&b, NULL);
			if (!rc && !a->content_text)
				rc = TD_ENOMEM;
		}
		if (rc) {
			td_error_set(err, rc, "%s", td_strerror(rc));
			goto out;
		}
	}
	if (!a->excerpt && a->content_text)
		a->excerpt = first_paragraph(a->content_text);
	if (!a->lead_image && a->content_html)
		a->lead_image = content_image(a->content_html);

	if (!a->content_text || !*a->content_text) {
		article_reset_content(a);
		a->content_html = td_strdup("");
		a->content_text = td_strdup("");
		if (!a->content_html || !a->content_text) {
			rc = td_error_set(err, TD_ENOMEM, "out of memory");
			goto out;
		}
		rc = td_error_set(err, TD_EPARSE, "no article content found");
		*out = a;
		a = NULL;
		goto out;
	}
	*out = a;
	a = NULL;
	rc = 0;
out:
	html_article_free(a);
	free(best.html);
	free(body_html);
	td_buf_release(&b);
	html_meta_extra_release(&x);
	html_parse_release(&p);
	return rc;
}

void html_article_free(struct html_article *a)
{
	if (!a)
		return;
	free(a->title);
	free(a->byline);
	free(a->lead_image);
	free(a->language);
	free(a->site_name);
	free(a->excerpt);
	free(a->content_html);
	free(a->content_text);
	free(a);
}

/* ======================================================================
 * JSON
 * ====================================================================== */

/* A JSON string; invalid UTF-8 was already replaced upstream, but bytes
 * are checked again so the output is always valid JSON. */
static void json_str(struct td_buf *b, const char *s)
{
	td_buf_putc(b, '"');
	size_t n = strlen(s), i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			switch (c) {
			case '"': td_buf_puts(b, "\\\""); break;
			case '\\': td_buf_puts(b, "\\\\"); break;
			case '\n': td_buf_puts(b, "\\n"); break;
			case '\r': td_buf_puts(b, "\\r"); break;
			case '\t': td_buf_puts(b, "\\t"); break;
			default:
				if (c < 0x20 || c == 0x7f)
					td_buf_printf(b, "\\u%04x", c);
				else
					td_buf_putc(b, (char)c);
			}
			i++;
			continue;
		}
		uint32_t cp = 0;
		size_t k = html_utf8_decode(s + i, n - i, &cp);
		if (!k) {
			td_buf_puts(b, "\\ufffd");
			i++;
			continue;
		}
		if (cp == 0x2028 || cp == 0x2029)
			td_buf_printf(b, "\\u%04x", (unsigned)cp);
		else
			td_buf_append(b, s + i, k);
		i += k;
	}
	td_buf_putc(b, '"');
}

static void json_field(struct td_buf *b, int *first, const char *k,
		       const char *v)
{
	if (!v)
		return;
	td_buf_puts(b, *first ? "{\n  " : ",\n  ");
	*first = 0;
	json_str(b, k);
	td_buf_puts(b, ": ");
	json_str(b, v);
}

int html_article_to_json(const struct html_article *a, struct td_buf *out)
{
	char date[32];
	int first = 1;
	json_field(out, &first, "title", a->title);
	json_field(out, &first, "byline", a->byline);
	json_field(out, &first, "date_published",
		   a->date_published == TD_TIME_NONE ?
			   NULL :
			   td_time_rfc3339(a->date_published, date));
	json_field(out, &first, "lead_image", a->lead_image);
	json_field(out, &first, "content_html",
		   a->content_html ? a->content_html : "");
	json_field(out, &first, "content_text",
		   a->content_text ? a->content_text : "");
	json_field(out, &first, "language", a->language);
	json_field(out, &first, "site_name", a->site_name);
	json_field(out, &first, "excerpt", a->excerpt);
	td_buf_puts(out, "\n}\n");
	return td_buf_err(out);
}
