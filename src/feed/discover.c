/*
 * discover.c - find the feeds an HTML page links to (gumbo), tell feeds from
 * pages by their first bytes, and list the paths sites put feeds at.
 *
 * Candidates, best first:
 *   1. <link rel="alternate|feed" type="<feed type>"> anywhere in the page
 *      (they belong in <head>; some CMSs emit them in <body>), page order;
 *   2. <a href> in the body whose URL, text or type says "feed";
 *   3. comment feeds (title or URL containing "comments") of kind 1, then 2.
 * hrefs resolve against the first <base href> (itself resolved against
 * base_url), else base_url. Duplicates (same absolute URL) keep their best
 * rank; at most DISCOVER_MAX links are returned. Only http(s) URLs are
 * returned, plus file: ones when the page itself is a file: URL.
 *
 * The tree walk is iterative (pages nest as deep as they like), and the
 * work per candidate is bounded, so hostile pages cost time linear in their
 * size (plus gumbo's own parse).
 */
#include "feed/feed.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/limits.h"
#include "core/url.h"

#include <gumbo.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Links returned at most; also the number of candidates kept per rank, so a
 * page with 100k feed-looking links costs no more than one with 50. */
#define DISCOVER_MAX 50
#define PER_KIND_MAX 200
/* Bytes of link text kept as a title; nodes visited to collect it. */
#define TEXT_MAX 200
#define TEXT_NODES 64

const char *const feed_common_paths[] = {
	"/feed",                /* WordPress (redirects to /feed/), many CMSs */
	"/rss",                 /* Ghost, Tumblr, Squarespace */
	"/feed.xml",            /* Jekyll */
	"/atom.xml",            /* Hexo, Octopress, older Jekyll */
	"/rss.xml",             /* Drupal, Gatsby */
	"/index.xml",           /* Hugo */
	"/feed/",               /* WordPress without the redirect */
	"/rss/",
	"/feeds/posts/default", /* Blogger */
	"/?feed=rss2",          /* WordPress without pretty permalinks */
	"/feed.json",           /* JSON Feed (micro.blog, Hugo, Eleventy) */
	NULL,
};

/* ------------------------------------------------------------------------ */
/* small text helpers                                                        */

static int is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* 1 if the whitespace-separated token list holds tok (ASCII
 * case-insensitive), as HTML's rel attribute is read. */
static int has_token(const char *list, const char *tok)
{
	size_t tl = strlen(tok);
	const char *p = list;
	while (*p) {
		while (is_ws((unsigned char)*p))
			p++;
		const char *s = p;
		while (*p && !is_ws((unsigned char)*p))
			p++;
		if ((size_t)(p - s) == tl && !strncasecmp(s, tok, tl))
			return 1;
	}
	return 0;
}

/* Case-insensitive substring search (ASCII). */
static const char *istrstr(const char *h, const char *n)
{
	size_t nl = strlen(n);
	for (; *h; h++)
		if (!strncasecmp(h, n, nl))
			return h;
	return NULL;
}

/* 1 if s holds word as a whole word (ASCII case-insensitive): "RSS",
 * "Subscribe via RSS", "RSS 2.0" but not "Congress". */
static int has_word(const char *s, const char *word)
{
	size_t wl = strlen(word);
	for (const char *p = s; (p = istrstr(p, word)); p++)
		if ((p == s || !is_alnum((unsigned char)p[-1])) &&
		    !is_alnum((unsigned char)p[wl]))
			return 1;
	return 0;
}

static const char *attr(const GumboElement *e, const char *name)
{
	GumboAttribute *a = gumbo_get_attribute(&e->attributes, name);
	return a ? a->value : NULL;
}

/* Feed MIME types accepted on <link rel="alternate">, compared without
 * parameters ("; charset=utf-8") and case. */
static int feed_type(const char *type)
{
	static const char *types[] = {
		"application/rss+xml",  "application/atom+xml",
		"application/feed+json", "application/json",
		"application/rdf+xml",  "text/xml",
		"application/xml",      "application/x.atom+xml",
		"application/x-atom+xml", "application/x-rss+xml",
		"text/rss+xml",         "text/atom+xml",
		NULL,
	};
	if (!type)
		return 0;
	while (is_ws((unsigned char)*type))
		type++;
	size_t n = strcspn(type, "; \t\r\n\f");
	for (int i = 0; types[i]; i++)
		if (strlen(types[i]) == n && !strncasecmp(type, types[i], n))
			return 1;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* candidates                                                                */

enum kind { KIND_LINK, KIND_A, KIND_N };

struct cand {
	char *href; /* raw attribute value */
	char *type;
	char *title;
	char *url;  /* resolved, filled at the end */
	int rank;
	size_t order;
};

struct disc {
	struct cand *v;
	size_t n, cap;
	size_t per_kind[KIND_N];
	const char *base_href; /* first <base href>, borrowed from the tree */
	int oom;
};

/* Trimmed, whitespace-collapsed copy cut to max bytes; NULL when s is NULL
 * or blank, or (with *oom set) when out of memory. */
static char *dup_trim(const char *s, size_t max, int *oom)
{
	if (!s)
		return NULL;
	struct td_str t = td_str_trim((struct td_str){ s, strlen(s) });
	if (!t.len)
		return NULL;
	size_t n = td_utf8_cut(t.p, t.len, max);
	char *r = td_strndup(t.p, n);
	if (!r)
		*oom = 1;
	else
		td_collapse_ws(r);
	return r;
}

static void add(struct disc *d, enum kind k, const char *href,
		const char *type, const char *title)
{
	if (d->oom || d->per_kind[k] >= PER_KIND_MAX)
		return;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct cand *v = realloc(d->v, cap * sizeof *v);
		if (!v) {
			d->oom = 1;
			return;
		}
		d->v = v;
		d->cap = cap;
	}
	struct cand c = { .rank = (int)k, .order = d->n };
	int oom = 0;
	c.href = td_strdup(href);
	c.type = dup_trim(type, 256, &oom);
	c.title = dup_trim(title, TD_MAX_FIELD_BYTES, &oom);
	if (!c.href || oom) {
		free(c.href);
		free(c.type);
		free(c.title);
		d->oom = 1;
		return;
	}
	d->v[d->n++] = c;
	d->per_kind[k]++;
}

/* Text of an element's subtree, whitespace collapsed, bounded in bytes and
 * in nodes visited. Returns a malloc'd string ("" when none) or NULL. */
static char *node_text(const GumboNode *root)
{
	struct td_buf b;
	const GumboNode *stack[TEXT_NODES];
	size_t sp = 0, visited = 0;
	td_buf_init(&b, 0);
	stack[sp++] = root;
	while (sp && visited < TEXT_NODES && b.len < TEXT_MAX) {
		const GumboNode *n = stack[--sp];
		visited++;
		if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA) {
			const char *t = n->v.text.text;
			size_t l = strlen(t);
			if (l > TEXT_MAX - b.len)
				l = td_utf8_cut(t, l, TEXT_MAX - b.len);
			td_buf_putc(&b, ' ');
			td_buf_append(&b, t, l);
		} else if (n->type == GUMBO_NODE_ELEMENT ||
			   n->type == GUMBO_NODE_TEMPLATE) {
			const GumboElement *e = &n->v.element;
			if (e->tag == GUMBO_TAG_IMG) {
				const char *alt = attr(e, "alt");
				if (alt && strlen(alt) < TEXT_MAX - b.len) {
					td_buf_putc(&b, ' ');
					td_buf_puts(&b, alt);
				}
			}
			/* push children in reverse for document order */
			for (size_t i = e->children.length; i > 0 && sp < TEXT_NODES;
			     i--)
				stack[sp++] = e->children.data[i - 1];
		}
	}
	char *s = td_buf_detach(&b, NULL);
	return s ? td_collapse_ws(s) : NULL;
}

static void on_link(struct disc *d, const GumboElement *e)
{
	const char *rel = attr(e, "rel"), *href = attr(e, "href");
	const char *type = attr(e, "type");
	if (!rel || !href)
		return;
	if (has_token(rel, "feed") ||
	    (has_token(rel, "alternate") && feed_type(type)))
		add(d, KIND_LINK, href, type, attr(e, "title"));
}

/* Start of the authority of a URL or protocol-relative reference, or NULL
 * for a path-only reference. */
static const char *authority(const char *u)
{
	if (!strncmp(u, "//", 2))
		return u + 2;
	size_t n = strcspn(u, ":/?#");
	if (n && u[n] == ':' && !strncmp(u + n + 1, "//", 2))
		return u + n + 3;
	return NULL;
}

/* The path-and-query part of a URL or reference (after the authority). */
static const char *url_path(const char *u)
{
	const char *a = authority(u);
	return a ? a + strcspn(a, "/?#") : u;
}

static int ends_with(const char *s, size_t n, const char *suf)
{
	size_t l = strlen(suf);
	return n >= l && !strncasecmp(s + n - l, suf, l);
}

/* 1 if an absolute URL looks like it names a feed. */
static int feedish_url(const char *u)
{
	static const char *suffixes[] = {
		"/feed", "/feed/", "/feeds", "/rss", "/rss/", "/atom", "/atom/",
		".rss", ".atom", ".rdf", "/feed.json", "/rss.json", "/rss2",
		"/feeds/posts/default", NULL,
	};
	const char *host = authority(u);
	if (host && td_istarts(host, "feeds."))
		return 1; /* feeds.feedburner.com, feeds.bbci.co.uk, ... */
	const char *path = url_path(u);
	size_t pl = strcspn(path, "?#");
	for (int i = 0; suffixes[i]; i++)
		if (ends_with(path, pl, suffixes[i]))
			return 1;
	if (ends_with(path, pl, ".xml") || ends_with(path, pl, ".json")) {
		/* only with rss/atom/feed somewhere in the path */
		char p[512];
		size_t n = pl < sizeof p - 1 ? pl : sizeof p - 1;
		memcpy(p, path, n);
		p[n] = '\0';
		if (istrstr(p, "rss") || istrstr(p, "atom") ||
		    istrstr(p, "feed"))
			return 1;
	}
	const char *q = path[pl] == '?' ? path + pl + 1 : NULL;
	if (q && (istrstr(q, "feed=rss") || istrstr(q, "feed=atom") ||
		  istrstr(q, "format=rss") || istrstr(q, "format=atom") ||
		  istrstr(q, "type=rss")))
		return 1;
	return 0;
}

static void on_a(struct disc *d, const GumboNode *n)
{
	const GumboElement *e = &n->v.element;
	const char *href = attr(e, "href");
	if (!href)
		return;
	while (is_ws((unsigned char)*href))
		href++;
	if (!*href || *href == '#' || strlen(href) > TD_MAX_URL_BYTES ||
	    td_istarts(href, "javascript:") || td_istarts(href, "mailto:") ||
	    td_istarts(href, "data:"))
		return;
	char *text = node_text(n);
	if (!text) {
		d->oom = 1;
		return;
	}
	const char *title = attr(e, "title");
	const char *type = attr(e, "type");
	int typed = feed_type(type) && !td_istarts(type, "application/json");
	if (typed || feedish_url(href) || td_istarts(href, "feed:") || has_word(text, "rss") ||
	    has_word(text, "atom") ||
	    (title && (has_word(title, "rss") || has_word(title, "atom"))))
		add(d, KIND_A, href, typed ? type : NULL,
		    title && *title ? title : (*text ? text : NULL));
	free(text);
}

/* Iterative pre-order walk of the whole tree. */
static int walk(struct disc *d, const GumboNode *root)
{
	struct frame {
		const GumboNode *n;
		size_t i;
	} *st = NULL;
	size_t sp = 0, cap = 0;
	const GumboNode *n = root;
	for (;;) {
		if (n->type == GUMBO_NODE_ELEMENT) {
			const GumboElement *e = &n->v.element;
			if (e->tag == GUMBO_TAG_LINK)
				on_link(d, e);
			else if (e->tag == GUMBO_TAG_A &&
				 e->tag_namespace == GUMBO_NAMESPACE_HTML)
				on_a(d, n);
			else if (e->tag == GUMBO_TAG_BASE && !d->base_href &&
				 attr(e, "href"))
				d->base_href = attr(e, "href");
		}
		const GumboVector *ch = NULL;
		if (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE)
			ch = &n->v.element.children;
		else if (n->type == GUMBO_NODE_DOCUMENT)
			ch = &n->v.document.children;
		if (d->oom)
			break;
		if (ch && ch->length) {
			if (sp == cap) {
				size_t nc = cap ? cap * 2 : 64;
				struct frame *ns = realloc(st, nc * sizeof *ns);
				if (!ns) {
					d->oom = 1;
					break;
				}
				st = ns;
				cap = nc;
			}
			st[sp++] = (struct frame){ n, 0 };
			n = ch->data[0];
			continue;
		}
		/* next sibling, climbing up as needed */
		for (;;) {
			if (!sp) {
				free(st);
				return d->oom ? TD_ENOMEM : 0;
			}
			struct frame *f = &st[sp - 1];
			const GumboVector *pc = f->n->type == GUMBO_NODE_DOCUMENT
							? &f->n->v.document.children
							: &f->n->v.element.children;
			if (++f->i < pc->length) {
				n = pc->data[f->i];
				break;
			}
			sp--;
		}
	}
	free(st);
	return TD_ENOMEM;
}

static void cand_free(struct cand *c)
{
	free(c->href);
	free(c->type);
	free(c->title);
	free(c->url);
}

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Resolve an href; NULL when unusable. feed:// and feed:http... unwrap. */
static char *resolve(const char *base, const char *href, int allow_file)
{
	char *fixed = NULL;
	while (is_ws((unsigned char)*href))
		href++;
	if (td_istarts(href, "feed:")) {
		if (!strncmp(href + 5, "//", 2)) {
			size_t n = strlen(href + 5);
			fixed = malloc(n + 6);
			if (!fixed)
				return NULL;
			memcpy(fixed, "http:", 5);
			memcpy(fixed + 5, href + 5, n + 1);
			href = fixed;
		} else {
			href += 5;
		}
	}
	char *u = td_url_resolve(base, href);
	free(fixed);
	if (u && (td_url_is_http(u) || (allow_file && td_istarts(u, "file:"))))
		return u;
	free(u);
	return NULL;
}

/* Resolve, classify, order and deduplicate; fills *out. */
static int finish(struct disc *d, const char *base_url, struct feed_link **out)
{
	char *base = NULL;
	int allow_file = base_url && td_istarts(base_url, "file:");
	if (d->base_href) {
		base = resolve(base_url, d->base_href, allow_file);
		if (base && !allow_file && !td_url_is_http(base)) {
			free(base);
			base = NULL;
		}
	}
	const char *b = base ? base : base_url;
	size_t keep = 0;
	for (size_t i = 0; i < d->n; i++) {
		struct cand *c = &d->v[i];
		c->url = resolve(b, c->href, allow_file);
		if (c->url && strlen(c->url) > TD_MAX_URL_BYTES) {
			free(c->url);
			c->url = NULL;
		}
		/* WordPress and oEmbed JSON endpoints are not feeds */
		if (c->url && c->type && td_istarts(c->type, "application/json") &&
		    (istrstr(c->url, "/wp-json/") || istrstr(c->url, "oembed"))) {
			free(c->url);
			c->url = NULL;
		}
		if (!c->url) {
			cand_free(c);
			continue;
		}
		int comments = istrstr(c->url, "comments") ||
			       (c->title && istrstr(c->title, "comments"));
		if (comments)
			c->rank += KIND_N;
		d->v[keep++] = *c;
	}
	d->n = keep;
	if (d->n > 1)
		qsort(d->v, d->n, sizeof *d->v, cand_cmp);

	struct feed_link *links = NULL;
	size_t nl = 0;
	if (d->n) {
		links = calloc(d->n < DISCOVER_MAX ? d->n : DISCOVER_MAX,
			       sizeof *links);
		if (!links) {
			free(base);
			return TD_ENOMEM;
		}
	}
	for (size_t i = 0; i < d->n; i++) {
		struct cand *c = &d->v[i];
		int dup = nl >= DISCOVER_MAX;
		for (size_t j = 0; j < nl && !dup; j++)
			dup = !strcmp(links[j].url, c->url);
		if (dup) {
			cand_free(c);
			continue;
		}
		links[nl++] = (struct feed_link){ c->url, c->type, c->title };
		free(c->href);
	}
	d->n = 0;
	free(base);
	if (!nl) {
		free(links);
		links = NULL;
	}
	*out = links;
	return (int)nl;
}

/* ------------------------------------------------------------------------ */
/* pre-filter: only the markup discovery reads reaches gumbo                 */

/* gumbo 0.10 frees its tree recursively and checks element scope by
 * walking the stack of open elements, so deep nesting crashes it (300k
 * nested <b><i><u> overflow the stack) and nested tables or divs take
 * quadratic time (minutes for a few MB). Discovery needs only <link>,
 * <base>, <a> with its text and <img alt>, so a single linear pass copies
 * those tags verbatim and drops every other tag: gumbo then parses a flat
 * document (entities, attribute syntax and <a> rules stay gumbo's). The
 * pass understands comments, bogus comments, quoted attribute values and
 * raw-text elements (script, style, ...) so that markup inside them is not
 * mistaken for links; <a> and <link> inside <svg>/<math> are not HTML
 * links and are dropped. */

/* Text kept per <a> (its title comes from the first TEXT_MAX bytes). */
#define A_TEXT_MAX 1024

static int is_letter(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Index just past the '>' closing a tag whose attributes start at j, or
 * len when the tag is unterminated. */
static size_t tag_end(const char *h, size_t len, size_t j)
{
	for (;;) {
		while (j < len && (is_ws((unsigned char)h[j]) || h[j] == '/'))
			j++;
		if (j >= len)
			return len;
		if (h[j] == '>')
			return j + 1;
		j++; /* first character of a name may be anything, even '=' */
		while (j < len && !is_ws((unsigned char)h[j]) && h[j] != '/' &&
		       h[j] != '>' && h[j] != '=')
			j++;
		while (j < len && is_ws((unsigned char)h[j]))
			j++;
		if (j >= len || h[j] != '=')
			continue;
		j++;
		while (j < len && is_ws((unsigned char)h[j]))
			j++;
		if (j < len && (h[j] == '"' || h[j] == '\'')) {
			const char *q = memchr(h + j + 1, h[j], len - j - 1);
			if (!q)
				return len;
			j = (size_t)(q - h) + 1;
		} else {
			while (j < len && !is_ws((unsigned char)h[j]) &&
			       h[j] != '>')
				j++;
		}
	}
}

/* Index of the "</name" that ends a raw-text element, or len. */
static size_t raw_end(const char *h, size_t len, size_t j, const char *name)
{
	size_t nl = strlen(name);
	while (j < len) {
		const char *p = memchr(h + j, '<', len - j);
		if (!p)
			return len;
		size_t k = (size_t)(p - h);
		if (k + 2 + nl <= len && h[k + 1] == '/' &&
		    !strncasecmp(h + k + 2, name, nl) &&
		    (k + 2 + nl == len || is_ws((unsigned char)h[k + 2 + nl]) ||
		     h[k + 2 + nl] == '/' || h[k + 2 + nl] == '>'))
			return k;
		j = k + 1;
	}
	return len;
}

static int name_is(const char *p, size_t n, const char *name)
{
	return strlen(name) == n && !strncasecmp(p, name, n);
}

/* The filtered document (malloc'd, *outlen bytes), or NULL on OOM. */
static char *prefilter(const char *h, size_t len, size_t *outlen)
{
	static const char *raw[] = { "script", "style",   "textarea",
				     "title",  "xmp",     "iframe",
				     "noembed", "noframes", NULL };
	struct td_buf b;
	size_t i = 0, a_text = 0;
	int in_a = 0;
	unsigned foreign = 0; /* depth inside <svg>/<math> */
	td_buf_init(&b, 0);
	while (i < len && !td_buf_err(&b)) {
		const char *lt = memchr(h + i, '<', len - i);
		size_t end = lt ? (size_t)(lt - h) : len;
		if (in_a && a_text < A_TEXT_MAX) {
			size_t n = end - i;
			if (n > A_TEXT_MAX - a_text)
				n = A_TEXT_MAX - a_text;
			td_buf_append(&b, h + i, n);
			a_text += n;
		}
		if (!lt)
			break;
		i = end;
		size_t rest = len - i;
		if (rest >= 4 && !memcmp(h + i, "<!--", 4)) {
			const char *e = memmem(h + i + 2, rest - 2, "-->", 3);
			if (!e)
				break;
			i = (size_t)(e - h) + 3;
			continue;
		}
		int close = rest >= 2 && h[i + 1] == '/';
		size_t ns = i + 1 + (size_t)close;
		if (ns >= len || !is_letter((unsigned char)h[ns])) {
			if (rest >= 2 && (h[i + 1] == '!' || h[i + 1] == '?' ||
					  close)) {
				/* bogus comment: <!DOCTYPE>, <?xml?>, </ 3> */
				const char *gt = memchr(h + i, '>', rest);
				if (!gt)
					break;
				i = (size_t)(gt - h) + 1;
				continue;
			}
			if (in_a && a_text < A_TEXT_MAX) {
				td_buf_puts(&b, "&lt;");
				a_text++;
			}
			i++;
			continue;
		}
		size_t ne = ns;
		while (ne < len && !is_ws((unsigned char)h[ne]) && h[ne] != '/' &&
		       h[ne] != '>')
			ne++;
		const char *name = h + ns;
		size_t nl = ne - ns;
		size_t te = tag_end(h, len, ne);
		int selfclose = te >= 2 && te <= len && h[te - 1] == '>' &&
				h[te - 2] == '/';
		if (close) {
			if (name_is(name, nl, "a") && in_a) {
				td_buf_puts(&b, "</a>");
				in_a = 0;
			} else if ((name_is(name, nl, "svg") ||
				    name_is(name, nl, "math")) &&
				   foreign) {
				foreign--;
			}
			i = te;
			continue;
		}
		if (name_is(name, nl, "svg") || name_is(name, nl, "math")) {
			if (!selfclose && foreign < UINT32_MAX)
				foreign++;
		} else if (!foreign && (name_is(name, nl, "a") ||
					name_is(name, nl, "link") ||
					name_is(name, nl, "base") ||
					(in_a && name_is(name, nl, "img")))) {
			td_buf_append(&b, h + i, te - i);
			if (te == len)
				td_buf_putc(&b, '>');
			if (name_is(name, nl, "a")) {
				in_a = 1;
				a_text = 0;
			}
		} else if (name_is(name, nl, "plaintext")) {
			break;
		} else {
			for (int k = 0; raw[k]; k++)
				if (name_is(name, nl, raw[k]) && !selfclose) {
					te = raw_end(h, len, te, raw[k]);
					break;
				}
		}
		i = te;
	}
	return td_buf_detach(&b, outlen);
}

/* ------------------------------------------------------------------------ */
/* feed_discover                                                             */

int feed_discover(const char *html, size_t len, const char *base_url,
		  struct feed_link **out)
{
	struct disc d;
	GumboOptions opt = kGumboDefaultOptions;
	GumboOutput *g = NULL;
	char *flat = NULL;
	size_t flen = 0;
	int rc;

	*out = NULL;
	memset(&d, 0, sizeof d);
	if (!html || !len)
		return 0;
	if (len > TD_MAX_FETCH_BYTES)
		len = TD_MAX_FETCH_BYTES; /* feeds are linked near the top */
	flat = prefilter(html, len, &flen);
	if (!flat)
		return TD_ENOMEM;
	opt.max_errors = 0; /* we never read gumbo's error list */
	g = gumbo_parse_with_options(&opt, flat, flen);
	if (!g) {
		free(flat);
		return TD_ENOMEM;
	}
	rc = walk(&d, g->document);
	if (!rc)
		rc = finish(&d, base_url && *base_url ? base_url : NULL, out);
	for (size_t i = 0; i < d.n; i++)
		cand_free(&d.v[i]);
	free(d.v);
	gumbo_destroy_output(&opt, g);
	free(flat);
	return rc;
}

void feed_links_free(struct feed_link *links, size_t n)
{
	if (!links)
		return;
	for (size_t i = 0; i < n; i++) {
		free(links[i].url);
		free(links[i].type);
		free(links[i].title);
	}
	free(links);
}

/* ------------------------------------------------------------------------ */
/* feed_sniff                                                                */

/* Bytes examined: prologs (comments, doctype, PIs) longer than this do not
 * precede real feeds. */
#define SNIFF_BYTES 8192

/* Skip whitespace, comments, PIs and a doctype; returns the offset of the
 * first other byte, or len. */
static size_t skip_prolog(const char *s, size_t len)
{
	size_t i = 0;
	for (;;) {
		while (i < len && is_ws((unsigned char)s[i]))
			i++;
		if (i + 4 <= len && !memcmp(s + i, "<!--", 4)) {
			const char *e = NULL;
			for (size_t k = i + 4; k + 3 <= len; k++)
				if (!memcmp(s + k, "-->", 3)) {
					e = s + k + 3;
					break;
				}
			if (!e)
				return len;
			i = (size_t)(e - s);
		} else if (i + 2 <= len && !memcmp(s + i, "<?", 2)) {
			const char *e = NULL;
			for (size_t k = i + 2; k + 2 <= len; k++)
				if (!memcmp(s + k, "?>", 2)) {
					e = s + k + 2;
					break;
				}
			if (!e)
				return len;
			i = (size_t)(e - s);
		} else if (i + 9 <= len && !strncasecmp(s + i, "<!DOCTYPE", 9)) {
			/* an HTML doctype decides at once */
			size_t k = i + 9;
			while (k < len && is_ws((unsigned char)s[k]))
				k++;
			if (k + 4 <= len && !strncasecmp(s + k, "html", 4) &&
			    (k + 4 == len || !is_alnum((unsigned char)s[k + 4])))
				return len;
			int depth = 0;
			for (; k < len; k++) {
				if (s[k] == '[')
					depth++;
				else if (s[k] == ']' && depth)
					depth--;
				else if (s[k] == '>' && !depth)
					break;
			}
			if (k >= len)
				return len;
			i = k + 1;
		} else {
			return i;
		}
	}
}

/* 1 if s (n bytes) starts an element named rss, feed or RDF (any prefix). */
static int feed_root(const char *s, size_t n)
{
	if (n < 2 || s[0] != '<')
		return 0;
	size_t i = 1, start = 1;
	while (i < n && !is_ws((unsigned char)s[i]) && s[i] != '>' &&
	       s[i] != '/') {
		if (s[i] == ':')
			start = i + 1;
		i++;
	}
	const char *local = s + start;
	size_t ll = i - start;
	return (ll == 3 && !strncasecmp(local, "rss", 3)) ||
	       (ll == 4 && !strncasecmp(local, "feed", 4)) ||
	       (ll == 3 && !strncasecmp(local, "RDF", 3));
}

static int sniff_json(const char *s, size_t n)
{
	json_error_t e;
	json_t *j = json_loadb(s, n, JSON_DISABLE_EOF_CHECK, &e);
	if (j) {
		int r = 0;
		if (json_is_object(j)) {
			json_t *v = json_object_get(j, "version");
			const char *vs = json_string_value(v);
			if (vs && strstr(vs, "jsonfeed.org"))
				r = 1;
			if (json_is_array(json_object_get(j, "items")))
				r = 1;
		}
		json_decref(j);
		return r;
	}
	/* truncated or malformed: judge by the version string near the top */
	char head[SNIFF_BYTES + 1];
	size_t hl = n < SNIFF_BYTES ? n : SNIFF_BYTES;
	memcpy(head, s, hl);
	head[hl] = '\0';
	for (size_t i = 0; i < hl; i++)
		if (!head[i])
			head[i] = ' ';
	const char *v = strstr(head, "\"version\"");
	return v && strstr(v, "jsonfeed.org/version") != NULL;
}

int feed_sniff(const char *data, size_t len)
{
	char narrow[SNIFF_BYTES] = { 0 }; /* UTF-16 prolog, narrowed */
	const char *s = data;
	if (!data || !len)
		return 0;
	/* UTF-8 BOM */
	if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) {
		s += 3;
		len -= 3;
	}
	/* UTF-16 (with or without BOM): keep the low bytes of the prolog */
	int le = -1;
	if (len >= 2 && s[0] == '\xFF' && s[1] == '\xFE')
		le = 1;
	else if (len >= 2 && s[0] == '\xFE' && s[1] == '\xFF')
		le = 0;
	else if (len >= 4 && s[0] == '<' && !s[1] && s[2] && !s[3])
		le = 2;
	else if (len >= 4 && !s[0] && s[1] == '<' && !s[2] && s[3])
		le = 3;
	if (le >= 0) {
		size_t start = le < 2 ? 2 : 0, w = 0;
		int little = le == 1 || le == 2;
		for (size_t i = start; i + 1 < len && w < sizeof narrow; i += 2) {
			unsigned char c = (unsigned char)s[i + !little];
			unsigned char a = (unsigned char)s[i + little];
			narrow[w++] = a ? '?' : (char)c;
		}
		s = narrow;
		len = w;
	}
	size_t win = len < SNIFF_BYTES ? len : SNIFF_BYTES;
	size_t i = skip_prolog(s, win);
	if (i < win && s[i] != '<' && s[i] != '{') {
		/* junk before the document (a PHP warning, a stray line):
		 * look on from the first '<' near the top */
		const char *lt = memchr(s + i, '<', win - i < 1024 ? win - i : 1024);
		if (lt)
			i = (size_t)(lt - s) + skip_prolog(lt, win - (size_t)(lt - s));
	}
	if (i >= len || i >= SNIFF_BYTES)
		return 0;
	if (s[i] == '<') {
		size_t n = len - i;
		return feed_root(s + i, n < SNIFF_BYTES ? n : SNIFF_BYTES);
	}
	if (s[i] == '{' && le < 0)
		return sniff_json(s + i, len - i);
	return 0;
}
