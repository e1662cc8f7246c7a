/*
 * sanitize.c - the allowlist HTML sanitizer (html_sanitize) and the helpers
 * shared inside src/html/ (html_int.h): the bounded gumbo parse, URL and
 * srcset checking.
 *
 * The sanitizer parses the fragment with gumbo (context <div>), walks the
 * tree iteratively and builds a small output tree of what it keeps, then
 * serialises that tree with full escaping. The output tree is built so that
 * an HTML parser reading the serialisation rebuilds exactly the same tree
 * (no element is ever implicitly closed, re-parented or foster-parented);
 * that is what makes the output a fixed point and what rules out mutation
 * XSS. docs/sanitizer.md explains every rule.
 */
#include "html/html.h"
#include "html/html_int.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/limits.h"
#include "core/url.h"

#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ======================================================================
 * Arena: bump allocation, freed in one call
 * ====================================================================== */

#define ARENA_ALIGN 16u
#define ARENA_CHUNK (64u * 1024u)

struct chunk {
	struct chunk *next;
	size_t size, used;
};

#define CHUNK_HDR ((sizeof(struct chunk) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))

struct arena {
	struct chunk *head;
	size_t total, cap; /* bytes taken from malloc; ceiling (0: none) */
	jmp_buf *jb;       /* where to go when an allocation fails, or NULL */
	int fail;          /* TD_ENOMEM or TD_ETOOBIG after a failure */
};

static void *arena_fail(struct arena *a, int code)
{
	a->fail = code;
	if (a->jb)
		longjmp(*a->jb, 1);
	return NULL;
}

static void *arena_alloc(struct arena *a, size_t n)
{
	if (n > SIZE_MAX / 4)
		return arena_fail(a, TD_ETOOBIG);
	n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (!n)
		n = ARENA_ALIGN;
	struct chunk *c = a->head;
	if (!c || c->size - c->used < n) {
		size_t sz = n > ARENA_CHUNK / 4 ? n : ARENA_CHUNK;
		if (a->cap && (a->total > a->cap || sz > a->cap - a->total))
			return arena_fail(a, TD_ETOOBIG);
		struct chunk *nc = malloc(CHUNK_HDR + sz);
		if (!nc)
			return arena_fail(a, TD_ENOMEM);
		nc->size = sz;
		nc->used = 0;
		a->total += sz;
		if (c && sz != ARENA_CHUNK) {
			/* a big block: keep filling the current chunk */
			nc->next = c->next;
			c->next = nc;
		} else {
			nc->next = c;
			a->head = nc;
		}
		c = nc;
	}
	void *p = (char *)c + CHUNK_HDR + c->used;
	c->used += n;
	return p;
}

static void arena_release(struct arena *a)
{
	struct chunk *c = a->head;
	while (c) {
		struct chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
	a->total = 0;
}

static void *gumbo_alloc(void *ud, size_t n)
{
	return arena_alloc(ud, n);
}

static void gumbo_dealloc(void *ud, void *p)
{
	(void)ud;
	(void)p; /* freed with the arena */
}

/* ======================================================================
 * Bounded parse
 * ====================================================================== */

/* Is the tag name (n bytes, any case) in the NULL-terminated list of
 * lower-case names? */
static int name_in(const char *name, size_t n, const char *const *list)
{
	char low[16];
	if (n >= sizeof low)
		return 0;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ? name[i] + 32
								 : name[i]);
	for (int i = 0; list[i]; i++)
		if (list[i][0] == low[0] && strlen(list[i]) == n &&
		    !memcmp(list[i], low, n))
			return 1;
	return 0;
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_html_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Offset of the first n-byte needle in s[from..len), or len. */
static size_t find(const char *s, size_t len, size_t from, const char *needle,
		   size_t n)
{
	while (from + n <= len) {
		const char *c = memchr(s + from, needle[0], len - from);
		if (!c)
			return len;
		size_t at = (size_t)(c - s);
		if (at + n <= len && !memcmp(c, needle, n))
			return at;
		from = at + 1;
	}
	return len;
}

/*
 * Bounding the parse. Gumbo checks scopes and matches end tags by walking
 * its stack of open elements, so every tag costs O(depth): deeply nested
 * tag soup is quadratic (an 8 MB flood of stray end tags under 512 open
 * <span>s takes gumbo 12 s). parse_bound() runs a small HTML tokenizer
 * ahead of gumbo with a model of the stack of open elements and returns the
 * length of the prefix that stays within bounds: at most PARSE_MAX_OPEN
 * elements open (browsers stop building the tree at 512 levels too), at
 * most PARSE_MAX_WORK summed over every tag of the depth it is parsed at,
 * at most PARSE_MAX_ATTRS attributes on a tag (gumbo checks duplicates
 * pairwise). Real pages stay far below all three; only hostile input is
 * cut.
 *
 * The model errs on the side of more open elements. It follows the
 * tokenizer where it is sure (tags, quoted attribute values, comments with
 * their abrupt and "--!>" ends, bogus comments, raw text and the script
 * escapes) and pops only what the tree builder certainly pops: an end tag
 * closes the nearest matching element within its scope, or, for ordinary
 * elements, only when no "special" element is in between; a start tag
 * closes an open <p>, list item, option, table cell or row the way the
 * tree builder does, and closed formatting elements are reopened where the
 * tree builder reopens them (Noah's ark included). Wherever gumbo might read markup the scanner reads as
 * text (CDATA, and raw-text elements inside <svg> or <math>, where they are
 * ordinary elements; after HTML has appeared inside <svg>/<math> the model
 * no longer trusts their end tags) every start tag counts as open for good
 * and end tags are ignored.
 */
#define PARSE_MAX_OPEN 512
#define PARSE_MAX_WORK (64u * 1024u * 1024u)
#define PARSE_MAX_ATTRS 256

/* Element classes of the model. */
enum {
	B_SPECIAL = 1,  /* "special" category: stops an ordinary end tag */
	B_SCOPE = 2,    /* boundary of "has an element in scope" */
	B_BUTTON = 4,   /* also a boundary of button scope */
	B_TABLE = 8,    /* boundary of table scope */
	B_MARKER = 16,  /* inserts a formatting marker (for <a>) */
};

struct bound_el {
	char name[16]; /* lower-case, truncated (NUL-padded) */
	unsigned char n, flags;
	uint32_t serial; /* identity, for the formatting list */
};

/* An entry of the list of active formatting elements: the element's
 * serial and stack index, a hash of its tag (Noah's ark), or a marker. */
struct bound_fmt {
	uint32_t serial, hash;
	size_t idx;
	int marker;
	struct bound_el el; /* what to open again */
};

struct bound {
	const char *s;
	size_t len;
	struct bound_el st[PARSE_MAX_OPEN + 1];
	size_t depth;   /* modelled open elements */
	size_t extra;   /* start tags counted in uncertain text, never closed */
	size_t work;    /* sum of depths over the tags seen */
	size_t foreign; /* open <svg>/<math> */
	int sticky;     /* HTML seen inside them: foreign for good */
	struct bound_fmt fmt[PARSE_MAX_OPEN + 1];
	size_t nfmt;
	uint32_t serial;
};

static const char *const void_tags[] = {
	"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
	"meta", "param", "source", "track", "wbr", "keygen", "image",
	"basefont", "bgsound", "frame", "spacer", "isindex", "menuitem",
	/* never become a second element in a fragment */
	"html", "head", "body", "frameset", NULL
};

static const char *const special_tags[] = {
	"address", "applet", "area", "article", "aside", "blockquote", "button",
	"caption", "center", "colgroup", "dd", "details", "dialog", "dir",
	"div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
	"form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup",
	"iframe", "li", "listing", "main", "marquee", "menu", "nav",
	"noembed", "noframes", "noscript", "object", "ol", "p", "plaintext",
	"pre", "script", "search", "section", "select", "style", "summary",
	"table", "tbody", "td", "template", "textarea", "tfoot", "th",
	"thead", "title", "tr", "ul", "xmp", "svg", "math",
	"foreignobject", "desc", "mi", "mo", "mn", "ms", "mtext",
	"annotation-xml", NULL
};

static const char *const scope_tags[] = {
	"applet", "caption", "table", "td", "th", "marquee", "object",
	"template", "svg", "math", "foreignobject", "desc", "mi", "mo", "mn",
	"ms", "mtext", "annotation-xml", NULL
};

/* Start tags that close an open <p> in button scope. */
static const char *const closes_p_tags[] = {
	"address", "article", "aside", "blockquote", "center", "details",
	"dialog", "dir", "div", "dl", "fieldset", "figcaption", "figure",
	"footer", "header", "hgroup", "main", "menu", "nav", "ol", "p",
	"search", "section", "summary", "ul", "h1", "h2", "h3", "h4", "h5",
	"h6", "pre", "listing", "form", "li", "dd", "dt", "plaintext",
	"table", "hr", "xmp", NULL
};

/* SVG and MathML elements (lower-case); any other start tag inside
 * <svg>/<math> makes the foreign-content tracking give up. */
static const char *const foreign_tags[] = {
	"svg", "g", "path", "use", "symbol", "defs", "title", "desc",
	"metadata", "rect", "circle", "ellipse", "line", "polyline", "polygon",
	"text", "tspan", "textpath", "lineargradient", "radialgradient",
	"stop", "clippath", "mask", "pattern", "image", "filter", "marker",
	"switch", "view", "set", "mpath", "style", "a", "foreignobject",
	"math", "mi", "mo", "mn", "ms", "mtext", "mrow", "mfrac", "msqrt",
	"mroot", "msup", "msub", "msubsup", "munder", "mover", "munderover",
	"mtable", "mtr", "mtd", "mspace", "mstyle", "mpadded", "mphantom",
	"menclose", "merror", "maction", "semantics", "annotation",
	"annotation-xml", "mglyph", "malignmark", "mmultiscripts",
	"mprescripts", "none", NULL
};

static const char *const table_parts[] = { "caption", "colgroup", "tbody",
					   "thead", "tfoot", "tr", "td", "th",
					   NULL };

static int el_is(const struct bound_el *e, const char *name)
{
	size_t n = strlen(name);
	return e->n == n && !memcmp(e->name, name, n < 16 ? n : 16);
}

static int el_eq(const struct bound_el *a, const struct bound_el *b)
{
	return a->n == b->n && !memcmp(a->name, b->name, sizeof a->name);
}

static int el_in(const struct bound_el *e, const char *const *list)
{
	for (int i = 0; list[i]; i++)
		if (el_is(e, list[i]))
			return 1;
	return 0;
}

static void el_set(struct bound_el *e, const char *name, size_t n)
{
	memset(e, 0, sizeof *e);
	for (size_t i = 0; i < n && i < sizeof e->name - 1; i++)
		e->name[i] = (char)((name[i] >= 'A' && name[i] <= 'Z')
					    ? name[i] + 32
					    : name[i]);
	e->n = (unsigned char)(n > 255 ? 255 : n);
	if (el_in(e, special_tags))
		e->flags |= B_SPECIAL;
	if (el_in(e, scope_tags) || el_is(e, "html"))
		e->flags |= B_SCOPE;
	if (el_is(e, "button"))
		e->flags |= B_BUTTON;
	if (el_is(e, "table") || el_is(e, "template") || el_is(e, "html"))
		e->flags |= B_TABLE;
	if (el_is(e, "td") || el_is(e, "th") || el_is(e, "caption") ||
	    el_is(e, "marquee") || el_is(e, "object") || el_is(e, "applet") ||
	    el_is(e, "template"))
		e->flags |= B_MARKER;
}

/* Index (from the bottom) of the nearest element named like one of names
 * before a boundary with any of the stop flags, or -1. */
static long bound_find(const struct bound *b, const char *const *names,
		       unsigned stop)
{
	for (size_t i = b->depth; i-- > 0;) {
		if (el_in(&b->st[i], names))
			return (long)i;
		if (b->st[i].flags & stop)
			return -1;
	}
	return -1;
}

static long bound_find_el(const struct bound *b, const struct bound_el *e,
			  unsigned stop)
{
	for (size_t i = b->depth; i-- > 0;) {
		if (el_eq(&b->st[i], e))
			return (long)i;
		if (b->st[i].flags & stop)
			return -1;
	}
	return -1;
}

/* Pop the stack down to index i (exclusive of what stays): a popped cell,
 * caption or other marker element clears the formatting list back to its
 * marker. */
static void bound_pop_to(struct bound *b, long i)
{
	if (i < 0)
		return;
	for (size_t k = (size_t)i; k < b->depth && k < PARSE_MAX_OPEN; k++)
		if (b->st[k].flags & B_MARKER)
			while (b->nfmt) {
				struct bound_fmt *f = &b->fmt[--b->nfmt];
				if (f->marker && f->serial == b->st[k].serial)
					break;
			}
	b->depth = (size_t)i;
}

/* "Reconstruct the active formatting elements": entries after the last
 * marker that are no longer open are opened again, in order. */
static void bound_reconstruct(struct bound *b)
{
	size_t first = b->nfmt;
	while (first > 0 && !b->fmt[first - 1].marker)
		first--;
	for (size_t i = first; i < b->nfmt; i++) {
		struct bound_fmt *f = &b->fmt[i];
		if (f->idx < b->depth && f->idx < PARSE_MAX_OPEN &&
		    b->st[f->idx].serial == f->serial)
			continue;
		f->el.serial = f->serial = ++b->serial;
		f->idx = b->depth;
		if (b->depth < PARSE_MAX_OPEN)
			b->st[b->depth] = f->el;
		b->depth++;
	}
}

static const char *const formatting_tags[] = { "a", "b", "big", "code",
					       "em", "font", "i", "nobr", "s",
					       "small", "strike", "strong",
					       "tt", "u", NULL };

/* Formatting-list entries not on the stack: the tree builder will open
 * them again ("reconstruct the active formatting elements"). */
static size_t bound_offstack(const struct bound *b)
{
	size_t n = 0;
	for (size_t i = 0; i < b->nfmt; i++) {
		const struct bound_fmt *f = &b->fmt[i];
		if (!f->marker && !(f->idx < b->depth && f->idx < PARSE_MAX_OPEN &&
				    b->st[f->idx].serial == f->serial))
			n++;
	}
	return n;
}

/* Remove the last formatting entry for element e (by name), if any. */
static void bound_fmt_remove(struct bound *b, const struct bound_el *e)
{
	for (size_t i = b->nfmt; i-- > 0;) {
		const struct bound_fmt *f = &b->fmt[i];
		if (f->marker)
			return;
		if (f->idx < PARSE_MAX_OPEN && el_eq(&b->st[f->idx], e) &&
		    b->st[f->idx].serial == f->serial) {
			memmove(&b->fmt[i], &b->fmt[i + 1],
				(b->nfmt - i - 1) * sizeof *b->fmt);
			b->nfmt--;
			return;
		}
	}
}

/* Charge one tag to the work budget; nonzero when over a bound. */
static int bound_charge(struct bound *b)
{
	size_t d = b->depth + b->extra + (b->nfmt ? bound_offstack(b) : 0);
	b->work += d + 1;
	return d > PARSE_MAX_OPEN || b->work > PARSE_MAX_WORK ||
	       b->nfmt >= PARSE_MAX_OPEN;
}

static int bound_start(struct bound *b, const char *name, size_t n,
		       uint32_t hash)
{
	struct bound_el e;
	el_set(&e, name, n);
	if (el_is(&e, "svg") || el_is(&e, "math"))
		b->foreign++;
	else if (b->foreign && !el_in(&e, foreign_tags) &&
		 strncmp(e.name, "fe", 2) && strncmp(e.name, "animate", 7))
		/* HTML inside SVG/MathML: from here on the model cannot tell
		 * when foreign content ends */
		b->sticky = 1;
	/* most start tags reopen closed formatting elements first */
	if (!el_in(&e, closes_p_tags) && !el_in(&e, table_parts) &&
	    !(e.flags & B_MARKER))
		bound_reconstruct(b);
	if (el_in(&e, void_tags))
		return bound_charge(b);
	if (el_in(&e, closes_p_tags))
		bound_pop_to(b, bound_find(b, (const char *const[]){ "p", NULL },
					   B_SCOPE | B_BUTTON));
	if (el_is(&e, "li")) {
		for (size_t i = b->depth; i-- > 0;) {
			if (el_is(&b->st[i], "li")) {
				bound_pop_to(b, (long)i);
				break;
			}
			if ((b->st[i].flags & B_SPECIAL) &&
			    !el_is(&b->st[i], "address") &&
			    !el_is(&b->st[i], "div") && !el_is(&b->st[i], "p"))
				break;
		}
	} else if (el_is(&e, "dd") || el_is(&e, "dt")) {
		for (size_t i = b->depth; i-- > 0;) {
			if (el_is(&b->st[i], "dd") || el_is(&b->st[i], "dt")) {
				bound_pop_to(b, (long)i);
				break;
			}
			if ((b->st[i].flags & B_SPECIAL) &&
			    !el_is(&b->st[i], "address") &&
			    !el_is(&b->st[i], "div") && !el_is(&b->st[i], "p"))
				break;
		}
	} else if (e.name[0] == 'h' && e.n == 2 && e.name[1] >= '1' &&
		   e.name[1] <= '6') {
		const struct bound_el *t = b->depth ? &b->st[b->depth - 1] : NULL;
		if (t && t->n == 2 && t->name[0] == 'h' && t->name[1] >= '1' &&
		    t->name[1] <= '6')
			b->depth--;
	} else if (el_is(&e, "button")) {
		bound_pop_to(b, bound_find_el(b, &e, B_SCOPE));
	} else if (el_is(&e, "a")) {
		/* the adoption agency closes the open <a> but keeps (or
		 * clones) what is inside: count as removing the <a> only */
		long i = bound_find(b, (const char *const[]){ "a", NULL },
				    B_MARKER);
		if (i >= 0) {
			bound_fmt_remove(b, &b->st[i]);
			memmove(&b->st[i], &b->st[i + 1],
				(b->depth - (size_t)i - 1) * sizeof *b->st);
			b->depth--;
		}
	} else if (el_is(&e, "option") || el_is(&e, "optgroup")) {
		while (b->depth && (el_is(&b->st[b->depth - 1], "option") ||
				    (el_is(&e, "optgroup") &&
				     el_is(&b->st[b->depth - 1], "optgroup"))))
			b->depth--;
	} else if (el_is(&e, "rb") || el_is(&e, "rp") || el_is(&e, "rt") ||
		   el_is(&e, "rtc")) {
		while (b->depth && (el_is(&b->st[b->depth - 1], "rb") ||
				    el_is(&b->st[b->depth - 1], "rp") ||
				    el_is(&b->st[b->depth - 1], "rt")))
			b->depth--;
	} else if (el_in(&e, table_parts)) {
		/* a cell, row or section closes the one open at its level or
		 * below: pop to the outermost such part above the table */
		int lvl = el_is(&e, "td") || el_is(&e, "th") ? 3
			  : el_is(&e, "tr")			 ? 2
								 : 1;
		long at = -1;
		for (size_t i = b->depth; i-- > 0;) {
			const struct bound_el *x = &b->st[i];
			if (x->flags & B_TABLE)
				break;
			int xl = el_is(x, "td") || el_is(x, "th") ? 3
				 : el_is(x, "tr")		  ? 2
				 : el_in(x, table_parts)	  ? 1
								  : 0;
			if (xl >= lvl)
				at = (long)i;
		}
		bound_pop_to(b, at);
	} else if (el_is(&e, "form")) {
		if (bound_find(b, (const char *const[]){ "form", NULL }, 0) >= 0)
			return bound_charge(b); /* nested forms are ignored */
	}
	e.serial = ++b->serial;
	if (b->depth < PARSE_MAX_OPEN)
		b->st[b->depth] = e;
	if ((e.flags & B_MARKER) || el_in(&e, formatting_tags)) {
		int marker = (e.flags & B_MARKER) != 0;
		if (!marker) { /* Noah's ark: three alike at most */
			size_t same = 0, first = 0;
			for (size_t i = b->nfmt; i-- > 0 && !b->fmt[i].marker;)
				if (b->fmt[i].hash == hash) {
					same++;
					first = i;
				}
			if (same >= 3) {
				memmove(&b->fmt[first], &b->fmt[first + 1],
					(b->nfmt - first - 1) * sizeof *b->fmt);
				b->nfmt--;
			}
		}
		if (b->nfmt < PARSE_MAX_OPEN)
			b->fmt[b->nfmt++] = (struct bound_fmt){ e.serial, hash,
								 b->depth,
								 marker, e };
	}
	b->depth++;
	return bound_charge(b);
}

static int bound_end(struct bound *b, const char *name, size_t n)
{
	struct bound_el e;
	el_set(&e, name, n);
	if ((el_is(&e, "svg") || el_is(&e, "math")) && b->foreign)
		b->foreign--;
	if (el_in(&e, void_tags) && !el_is(&e, "br"))
		return bound_charge(b);
	static const char *const headings[] = { "h1", "h2", "h3", "h4", "h5",
						"h6", NULL };
	if (el_is(&e, "p")) {
		bound_pop_to(b, bound_find_el(b, &e, B_SCOPE | B_BUTTON));
	} else if (el_is(&e, "li")) {
		for (size_t i = b->depth; i-- > 0;) {
			if (el_is(&b->st[i], "li")) {
				bound_pop_to(b, (long)i);
				break;
			}
			if ((b->st[i].flags & B_SCOPE) || el_is(&b->st[i], "ol") ||
			    el_is(&b->st[i], "ul"))
				break;
		}
	} else if (el_in(&e, headings)) {
		bound_pop_to(b, bound_find(b, headings, B_SCOPE));
	} else if (el_in(&e, table_parts) || el_is(&e, "table")) {
		bound_pop_to(b, bound_find_el(b, &e, B_TABLE));
	} else if (e.flags & B_SPECIAL) {
		bound_pop_to(b, bound_find_el(b, &e, B_SCOPE));
	} else if (el_in(&e, formatting_tags)) {
		/* the adoption agency: the element goes, what is inside may
		 * stay (a clone takes its place): count as removing it only,
		 * when it is in scope */
		long i = bound_find_el(b, &e, B_SCOPE);
		if (i >= 0) {
			bound_fmt_remove(b, &b->st[i]);
			if ((size_t)i == b->depth - 1) {
				b->depth--;
			} else {
				memmove(&b->st[i], &b->st[i + 1],
					(b->depth - (size_t)i - 1) * sizeof *b->st);
				b->depth--;
			}
		}
	} else {
		/* ordinary elements: the nearest match, unless a special
		 * element comes first */
		for (size_t i = b->depth; i-- > 0;) {
			if (el_eq(&b->st[i], &e)) {
				bound_pop_to(b, (long)i);
				break;
			}
			if (b->st[i].flags & B_SPECIAL)
				break;
		}
	}
	return bound_charge(b);
}

/* Count every start tag in s[from..to) (text that gumbo might read as
 * markup) as open for good; ignore end tags. Nonzero when over a bound. */
static int bound_uncertain(struct bound *b, size_t from, size_t to)
{
	for (size_t i = from; i + 1 < to; i++) {
		const char *lt = memchr(b->s + i, '<', to - i);
		if (!lt)
			break;
		i = (size_t)(lt - b->s);
		if (i + 1 >= to || !is_alpha((unsigned char)b->s[i + 1]))
			continue;
		if ((to - i > 4 && !strncasecmp(b->s + i + 1, "svg", 3)) ||
		    (to - i > 5 && !strncasecmp(b->s + i + 1, "math", 4)))
			b->sticky = 1;
		b->extra++;
		if (bound_charge(b))
			return 1;
	}
	return 0;
}

/* The rest of a tag after its name, from i: attributes (quoted values
 * only after '='), up to and past '>'. Returns the offset after the tag,
 * or len when the document ends inside it; *attrs counts attributes. */
static size_t bound_tag_rest(const struct bound *b, size_t i, size_t *attrs)
{
	enum { BEFORE, NAME, AFTER, BEFORE_VALUE, DQ, SQ, UNQUOTED, AFTER_VALUE };
	int st = BEFORE;
	const char *s = b->s;
	for (; i < b->len; i++) {
		char c = s[i];
		int ws = is_html_ws((unsigned char)c);
		switch (st) {
		case BEFORE:
			if (c == '>')
				return i + 1;
			if (!ws && c != '/') {
				st = NAME;
				(*attrs)++;
			}
			break;
		case NAME:
			if (c == '>')
				return i + 1;
			if (ws)
				st = AFTER;
			else if (c == '/')
				st = BEFORE;
			else if (c == '=')
				st = BEFORE_VALUE;
			break;
		case AFTER:
			if (c == '>')
				return i + 1;
			if (c == '/')
				st = BEFORE;
			else if (c == '=')
				st = BEFORE_VALUE;
			else if (!ws) {
				st = NAME;
				(*attrs)++;
			}
			break;
		case BEFORE_VALUE:
			if (c == '>')
				return i + 1;
			if (c == '"')
				st = DQ;
			else if (c == '\'')
				st = SQ;
			else if (!ws)
				st = UNQUOTED;
			break;
		case DQ:
			if (c == '"')
				st = AFTER_VALUE;
			break;
		case SQ:
			if (c == '\'')
				st = AFTER_VALUE;
			break;
		case UNQUOTED:
			if (c == '>')
				return i + 1;
			if (ws)
				st = BEFORE;
			break;
		case AFTER_VALUE:
			if (c == '>')
				return i + 1;
			st = BEFORE;
			if (!ws && c != '/') {
				st = NAME;
				(*attrs)++;
			}
			break;
		}
	}
	return b->len;
}

/* Is s[i..] "</name" followed by whitespace, '/' or '>'? */
static int end_tag_at(const struct bound *b, size_t i, const char *name,
		      size_t n)
{
	if (i + 2 + n >= b->len || b->s[i] != '<' || b->s[i + 1] != '/' ||
	    strncasecmp(b->s + i + 2, name, n))
		return 0;
	char c = b->s[i + 2 + n];
	return is_html_ws((unsigned char)c) || c == '/' || c == '>';
}

/* End of a raw-text element's content (the '<' of its end tag), or len.
 * Script content follows the script-data escape states. */
static size_t rawtext_end(const struct bound *b, size_t i, const char *name,
			  size_t n)
{
	int script = n == 6 && !strncasecmp(name, "script", 6);
	enum { DATA, ESCAPED, DOUBLE } st = DATA;
	for (; i < b->len; i++) {
		const char *c = b->s + i;
		if (!script) {
			const char *lt = memchr(c, '<', b->len - i);
			if (!lt)
				return b->len;
			i = (size_t)(lt - b->s);
			if (end_tag_at(b, i, name, n))
				return i;
			continue;
		}
		if (st == DATA && b->len - i >= 4 && !memcmp(c, "<!--", 4)) {
			st = ESCAPED;
			i += 3;
		} else if (st != DATA && b->len - i >= 3 && !memcmp(c, "-->", 3)) {
			st = DATA;
			i += 2;
		} else if (st == ESCAPED && b->len - i >= 8 && c[0] == '<' &&
			   !strncasecmp(c + 1, "script", 6) &&
			   (is_html_ws((unsigned char)c[7]) || c[7] == '/' ||
			    c[7] == '>')) {
			st = DOUBLE;
			i += 6;
		} else if (end_tag_at(b, i, "script", 6)) {
			if (st != DOUBLE)
				return i;
			st = ESCAPED;
			i += 7;
		}
	}
	return b->len;
}

/* Length of the prefix of s to parse; SIZE_MAX when out of memory. */
static size_t parse_bound(const char *s, size_t len)
{
	static const char *const rawtext[] = { "script", "style", "textarea",
					       "title", "xmp", "iframe",
					       "noembed", "noframes",
					       "plaintext", NULL };
	struct bound *b = malloc(sizeof *b);
	if (!b)
		return SIZE_MAX;
	memset(b, 0, sizeof *b);
	b->s = s;
	b->len = len;
	size_t i = 0, cut = len;
	while (i < len) {
		const char *lt = memchr(s + i, '<', len - i);
		size_t at = lt ? (size_t)(lt - s) : len;
		/* text reopens closed formatting elements */
		if (b->nfmt)
			for (size_t k = i; k < at; k++)
				if (!is_html_ws((unsigned char)s[k])) {
					bound_reconstruct(b);
					if (bound_charge(b))
						cut = k;
					break;
				}
		if (!lt || cut < len)
			break;
		i = at + 1;
		if (i >= len)
			break;
		if (s[i] == '!' || s[i] == '?' ||
		    (s[i] == '/' && i + 1 < len && !is_alpha((unsigned char)s[i + 1]))) {
			/* comment, CDATA, doctype, bogus comment */
			size_t end;
			int cdata = 0;
			if (len - i >= 3 && !memcmp(s + i, "!--", 3)) {
				size_t c = i + 3;
				if (c < len && s[c] == '>')
					end = c + 1;
				else if (c + 1 < len && s[c] == '-' && s[c + 1] == '>')
					end = c + 2;
				else {
					size_t e1 = find(s, len, c, "-->", 3);
					size_t e2 = find(s, len, c, "--!>", 4);
					end = e1 < e2 ? e1 + 3 : e2 < len ? e2 + 4 : len;
				}
			} else if (len - i >= 8 && !memcmp(s + i, "![CDATA[", 8)) {
				size_t e = find(s, len, i + 8, "]]>", 3);
				end = e < len ? e + 3 : len;
				cdata = 1;
			} else {
				const char *gt = memchr(s + i, '>', len - i);
				end = gt ? (size_t)(gt - s) + 1 : len;
			}
			/* comments end exactly where gumbo ends them; CDATA
			 * is a bogus comment in HTML but runs to "]]>" in
			 * foreign content: uncertain */
			if (cdata && bound_uncertain(b, i, end)) {
				cut = at;
				break;
			}
			i = end;
			continue;
		}
		int closing = s[i] == '/';
		if (closing)
			i++;
		if (i >= len || !is_alpha((unsigned char)s[i]))
			continue; /* "<" as text */
		size_t ns = i;
		while (i < len && !is_html_ws((unsigned char)s[i]) && s[i] != '/' &&
		       s[i] != '>')
			i++;
		const char *name = s + ns;
		size_t nl = i - ns, attrs = 0;
		i = bound_tag_rest(b, i, &attrs);
		if (attrs > PARSE_MAX_ATTRS) {
			cut = at;
			break;
		}
		if (i >= len)
			break; /* the tokenizer drops a tag cut by the end */
		uint32_t hash = 2166136261u; /* FNV-1a of the whole tag */
		for (size_t k = ns; k < i; k++)
			hash = (hash ^ (unsigned char)s[k]) * 16777619u;
		if (closing ? bound_end(b, name, nl)
			    : bound_start(b, name, nl, hash)) {
			cut = at;
			break;
		}
		if (!closing && name_in(name, nl, rawtext)) {
			size_t end = nl == 9 ? len : rawtext_end(b, i, name, nl);
			/* inside foreign content these are ordinary elements */
			if ((b->foreign || b->sticky) &&
			    bound_uncertain(b, i, end)) {
				cut = at;
				break;
			}
			i = end;
		}
	}
	free(b);
	return cut;
}

/* gumbo_parse_with_options under a longjmp guard: an allocation past the
 * arena's ceiling jumps back here (gumbo has no way to fail softly; it
 * holds nothing but arena memory, so abandoning it is clean). */
static int guarded_parse(struct arena *a, const GumboOptions *o,
			 const char *html, size_t n, GumboOutput **out)
{
	jmp_buf jb;
	a->jb = &jb;
	if (setjmp(jb))
		return a->fail ? a->fail : TD_ENOMEM;
	*out = gumbo_parse_with_options(o, html, n);
	a->jb = NULL;
	return *out && (*out)->root ? 0 : TD_ENOMEM;
}

int html_parse(const char *html, size_t len, int fragment,
	       struct html_parse *p)
{
	memset(p, 0, sizeof *p);
	if (len > HTML_MAX_INPUT)
		return TD_ETOOBIG;
	size_t n = html ? parse_bound(html, len) : 0;
	if (n == SIZE_MAX)
		return TD_ENOMEM;
	struct arena *a = calloc(1, sizeof *a);
	if (!a)
		return TD_ENOMEM;
	a->cap = HTML_PARSE_MEM_BASE + n * HTML_PARSE_MEM_PER_BYTE;
	GumboOptions o = kGumboDefaultOptions;
	o.allocator = gumbo_alloc;
	o.deallocator = gumbo_dealloc;
	o.userdata = a;
	o.max_errors = 0;
	if (fragment) {
		o.fragment_context = GUMBO_TAG_DIV;
		o.fragment_namespace = GUMBO_NAMESPACE_HTML;
	}
	GumboOutput *out = NULL;
	int rc = guarded_parse(a, &o, html ? html : "", n, &out);
	if (rc) {
		arena_release(a);
		free(a);
		return rc;
	}
	p->out = out;
	p->root = out->root;
	p->arena = a;
	return 0;
}

void html_parse_release(struct html_parse *p)
{
	if (p->arena) {
		arena_release(p->arena);
		free(p->arena);
	}
	memset(p, 0, sizeof *p);
}

const char *html_attr(const GumboNode *n, const char *name)
{
	if (!n || (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_TEMPLATE))
		return NULL;
	GumboAttribute *a = gumbo_get_attribute(&n->v.element.attributes, name);
	return a ? a->value : NULL;
}

/* ======================================================================
 * URLs and srcset
 * ====================================================================== */

/* Length of a leading URL scheme (ALPHA *(ALPHA / DIGIT / "+" / "-" / "."))
 * followed by ':', as the URL parser reads it; 0 when there is none. */
static size_t scheme_len(const char *s)
{
	size_t i = 0;
	if (!is_alpha((unsigned char)s[0]))
		return 0;
	while (is_alpha((unsigned char)s[i]) || (s[i] >= '0' && s[i] <= '9') ||
	       s[i] == '+' || s[i] == '-' || s[i] == '.')
		i++;
	return s[i] == ':' ? i : 0;
}

static int scheme_ok(const char *s, size_t n, int kind)
{
	if ((n == 4 && !strncasecmp(s, "http", 4)) ||
	    (n == 5 && !strncasecmp(s, "https", 5)))
		return 1;
	return kind == HTML_URL_LINK && n == 6 && !strncasecmp(s, "mailto", 6);
}

char *html_url_clean(const char *raw, const char *base, int kind)
{
	if (!raw)
		return NULL;
	size_t n = strlen(raw);
	/* the URL parser strips leading/trailing C0 controls and spaces and
	 * removes every tab and newline */
	while (n && (unsigned char)raw[0] <= 0x20) {
		raw++;
		n--;
	}
	while (n && (unsigned char)raw[n - 1] <= 0x20)
		n--;
	if (!n || n > TD_MAX_URL_BYTES)
		return NULL;
	char *c = malloc(n + 3);
	if (!c)
		return NULL;
	size_t w = 2; /* room for a "./" prefix */
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)raw[i];
		if (ch == '\t' || ch == '\n' || ch == '\r')
			continue;
		if (ch < 0x20 || ch == 0x7f) {
			free(c);
			return NULL;
		}
		c[w++] = (char)ch;
	}
	c[w] = '\0';
	char *s = c + 2;
	size_t sl = scheme_len(s);
	if (sl && !scheme_ok(s, sl, kind)) {
		free(c);
		return NULL;
	}
	if (!sl && (!base || !*base)) {
		/* relative and nothing to resolve against: keep it relative */
		size_t i = 0;
		while (s[i] && s[i] != '/' && s[i] != '?' && s[i] != '#' &&
		       s[i] != ':')
			i++;
		if (s[i] == ':') {
			c[0] = '.';
			c[1] = '/';
			return c;
		}
		memmove(c, s, w - 2 + 1);
		return c;
	}
	char *r = td_url_resolve(base, s);
	free(c);
	if (!r)
		return NULL;
	sl = scheme_len(r);
	int bad = !sl || !scheme_ok(r, sl, kind);
	for (const char *p = r; !bad && *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			bad = 1;
	if (bad) {
		free(r);
		return NULL;
	}
	return r;
}

/* A valid non-negative integer (digits only), at most 9 digits. */
static int parse_uint(const char *s, size_t n, long *out)
{
	if (!n || n > 9)
		return 0;
	long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

/* A valid non-negative floating-point number (HTML grammar, no sign). */
static int valid_float(const char *s, size_t n)
{
	size_t i = 0, d = 0;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++, d++;
	if (i < n && s[i] == '.') {
		i++;
		size_t f = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, f++;
		if (!f)
			return 0;
		d += f;
	}
	if (!d)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t e = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, e++;
		if (!e)
			return 0;
	}
	return i == n;
}

#define SRCSET_DESC_MAX 4
#define SRCSET_TOKEN_MAX 32

struct srcset_desc {
	char tok[SRCSET_DESC_MAX][SRCSET_TOKEN_MAX + 1];
	int n;
	int error;
};

static void desc_push(struct srcset_desc *d, const char *t, size_t n)
{
	if (!n)
		return;
	if (d->n >= SRCSET_DESC_MAX || n > SRCSET_TOKEN_MAX) {
		d->error = 1;
		return;
	}
	memcpy(d->tok[d->n], t, n);
	d->tok[d->n][n] = '\0';
	d->n++;
}

/* Tokenise the descriptors that follow a candidate URL (spec: "descriptor
 * tokenizer"); returns the position after the candidate. */
static const char *srcset_descriptors(const char *p, struct srcset_desc *d)
{
	enum { IN_DESC, IN_PARENS, AFTER } st = IN_DESC;
	const char *cur = p;
	size_t curlen = 0;
	for (;;) {
		char c = *p;
		switch (st) {
		case IN_DESC:
			if (is_html_ws((unsigned char)c)) {
				desc_push(d, cur, curlen);
				curlen = 0;
				st = AFTER;
			} else if (c == ',') {
				desc_push(d, cur, curlen);
				return p + 1;
			} else if (c == '\0') {
				desc_push(d, cur, curlen);
				return p;
			} else {
				if (!curlen)
					cur = p;
				curlen++;
				if (c == '(')
					st = IN_PARENS;
			}
			break;
		case IN_PARENS:
			if (c == '\0') {
				desc_push(d, cur, curlen);
				return p;
			}
			curlen++;
			if (c == ')')
				st = IN_DESC;
			break;
		case AFTER:
			if (c == '\0')
				return p;
			if (!is_html_ws((unsigned char)c)) {
				st = IN_DESC;
				continue; /* reprocess */
			}
			break;
		}
		p++;
	}
}

/* Check descriptors; on success write the one we keep ("100w", "1.5x" or
 * nothing) into keep. */
static int srcset_desc_ok(const struct srcset_desc *d, char *keep, size_t cap)
{
	int have_w = 0, have_x = 0, have_h = 0;
	keep[0] = '\0';
	if (d->error)
		return 0;
	for (int i = 0; i < d->n; i++) {
		const char *t = d->tok[i];
		size_t n = strlen(t);
		char last = t[n - 1];
		long v;
		if (last == 'w') {
			if (have_w || have_x || !parse_uint(t, n - 1, &v) || !v)
				return 0;
			have_w = 1;
			snprintf(keep, cap, "%s", t);
		} else if (last == 'x') {
			if (have_w || have_x || have_h || !valid_float(t, n - 1))
				return 0;
			have_x = 1;
			snprintf(keep, cap, "%s", t);
		} else if (last == 'h') {
			if (have_h || have_x || !parse_uint(t, n - 1, &v) || !v)
				return 0;
			have_h = 1;
		} else {
			return 0;
		}
	}
	return !(have_h && !have_w);
}

int html_srcset_clean(const char *raw, const char *base, struct td_buf *out)
{
	int kept = 0;
	const char *p = raw ? raw : "";
	for (;;) {
		while (is_html_ws((unsigned char)*p) || *p == ',')
			p++;
		if (!*p)
			break;
		const char *u = p;
		while (*p && !is_html_ws((unsigned char)*p))
			p++;
		size_t ul = (size_t)(p - u);
		struct srcset_desc d = { .n = 0 };
		if (u[ul - 1] == ',') {
			while (ul && u[ul - 1] == ',')
				ul--;
		} else {
			p = srcset_descriptors(p, &d);
		}
		char keep[SRCSET_TOKEN_MAX + 1];
		if (!ul || kept >= HTML_MAX_SRCSET || ul > TD_MAX_URL_BYTES ||
		    !srcset_desc_ok(&d, keep, sizeof keep))
			continue;
		char *tmp = td_strndup(u, ul);
		if (!tmp)
			return TD_ENOMEM;
		char *url = html_url_clean(tmp, base, HTML_URL_MEDIA);
		free(tmp);
		if (!url)
			continue;
		size_t n = strlen(url);
		/* a candidate URL must read back as one token */
		if (n && url[0] != ',' && url[n - 1] != ',' &&
		    !strpbrk(url, " \t\n\r\f")) {
			if (kept)
				td_buf_puts(out, ", ");
			td_buf_append(out, url, n);
			if (keep[0]) {
				td_buf_putc(out, ' ');
				td_buf_puts(out, keep);
			}
			kept++;
		}
		free(url);
	}
	return td_buf_err(out) ? td_buf_err(out) : kept;
}

/* ======================================================================
 * The output tree: the elements we emit and how the parser treats them
 * ====================================================================== */

enum etag {
	E_ROOT, E_TEXT, E_A, E_ABBR, E_AUDIO, E_B, E_BLOCKQUOTE, E_BR,
	E_CAPTION, E_CITE, E_CODE, E_DD, E_DEL, E_DETAILS, E_DFN, E_DIV, E_DL,
	E_DT, E_EM, E_FIGCAPTION, E_FIGURE, E_H2, E_H3, E_H4, E_H5, E_H6, E_HR,
	E_I, E_IMG, E_INS, E_KBD, E_LI, E_MARK, E_OL, E_P, E_PICTURE, E_PRE,
	E_Q, E_RP, E_RT, E_RUBY, E_S, E_SAMP, E_SMALL, E_SOURCE, E_STRONG,
	E_SUB, E_SUMMARY, E_SUP, E_TABLE, E_TBODY, E_TD, E_TFOOT, E_TH,
	E_THEAD, E_TIME, E_TR, E_TRACK, E_U, E_UL, E_VAR, E_VIDEO, E_WBR,
	E__COUNT
};

enum {
	F_VOID = 1 << 0,      /* no end tag, no children */
	F_CLOSES_P = 1 << 1,  /* its start tag closes an open <p> in scope */
	F_SPECIAL = 1 << 2,   /* "special" category: stops the li/dt/dd walk */
	F_BLOCK = 1 << 3,     /* not inline content (for the div rule) */
	F_RESTRICT = 1 << 4,  /* only listed children, whitespace text */
	F_KEEP_EMPTY = 1 << 5, /* table structure: kept even when empty */
	F_HEADING = 1 << 6,
	F_SCOPE = 1 << 7,     /* boundary of "p in button scope" */
	F_MARKER = 1 << 8,    /* pushes a marker: an <a> inside may nest */
};

#define BLK (F_CLOSES_P | F_SPECIAL | F_BLOCK)

static const struct {
	const char *name;
	unsigned flags;
} etags[E__COUNT] = {
	[E_ROOT] = { "", F_SPECIAL | F_BLOCK | F_SCOPE | F_MARKER },
	[E_TEXT] = { "", 0 },
	[E_A] = { "a", 0 },
	[E_ABBR] = { "abbr", 0 },
	[E_AUDIO] = { "audio", F_RESTRICT },
	[E_B] = { "b", 0 },
	[E_BLOCKQUOTE] = { "blockquote", BLK },
	[E_BR] = { "br", F_VOID | F_SPECIAL },
	[E_CAPTION] = { "caption", F_SPECIAL | F_BLOCK | F_SCOPE | F_MARKER },
	[E_CITE] = { "cite", 0 },
	[E_CODE] = { "code", 0 },
	[E_DD] = { "dd", BLK },
	[E_DEL] = { "del", 0 },
	[E_DETAILS] = { "details", BLK },
	[E_DFN] = { "dfn", 0 },
	[E_DIV] = { "div", BLK },
	[E_DL] = { "dl", BLK },
	[E_DT] = { "dt", BLK },
	[E_EM] = { "em", 0 },
	[E_FIGCAPTION] = { "figcaption", BLK },
	[E_FIGURE] = { "figure", BLK },
	[E_H2] = { "h2", BLK | F_HEADING },
	[E_H3] = { "h3", BLK | F_HEADING },
	[E_H4] = { "h4", BLK | F_HEADING },
	[E_H5] = { "h5", BLK | F_HEADING },
	[E_H6] = { "h6", BLK | F_HEADING },
	[E_HR] = { "hr", F_VOID | BLK },
	[E_I] = { "i", 0 },
	[E_IMG] = { "img", F_VOID | F_SPECIAL },
	[E_INS] = { "ins", 0 },
	[E_KBD] = { "kbd", 0 },
	[E_LI] = { "li", BLK },
	[E_MARK] = { "mark", 0 },
	[E_OL] = { "ol", BLK },
	[E_P] = { "p", BLK },
	[E_PICTURE] = { "picture", F_RESTRICT },
	[E_PRE] = { "pre", BLK },
	[E_Q] = { "q", 0 },
	[E_RP] = { "rp", 0 },
	[E_RT] = { "rt", 0 },
	[E_RUBY] = { "ruby", 0 },
	[E_S] = { "s", 0 },
	[E_SAMP] = { "samp", 0 },
	[E_SMALL] = { "small", 0 },
	[E_SOURCE] = { "source", F_VOID | F_SPECIAL },
	[E_STRONG] = { "strong", 0 },
	[E_SUB] = { "sub", 0 },
	[E_SUMMARY] = { "summary", BLK },
	[E_SUP] = { "sup", 0 },
	[E_TABLE] = { "table", BLK | F_RESTRICT | F_SCOPE },
	[E_TBODY] = { "tbody", F_SPECIAL | F_BLOCK | F_RESTRICT | F_KEEP_EMPTY },
	[E_TD] = { "td", F_SPECIAL | F_BLOCK | F_SCOPE | F_MARKER | F_KEEP_EMPTY },
	[E_TFOOT] = { "tfoot", F_SPECIAL | F_BLOCK | F_RESTRICT | F_KEEP_EMPTY },
	[E_TH] = { "th", F_SPECIAL | F_BLOCK | F_SCOPE | F_MARKER | F_KEEP_EMPTY },
	[E_THEAD] = { "thead", F_SPECIAL | F_BLOCK | F_RESTRICT | F_KEEP_EMPTY },
	[E_TIME] = { "time", 0 },
	[E_TR] = { "tr", F_SPECIAL | F_BLOCK | F_RESTRICT | F_KEEP_EMPTY },
	[E_TRACK] = { "track", F_VOID | F_SPECIAL },
	[E_U] = { "u", 0 },
	[E_UL] = { "ul", BLK },
	[E_VAR] = { "var", 0 },
	[E_VIDEO] = { "video", F_RESTRICT },
	[E_WBR] = { "wbr", F_VOID },
};

struct oattr {
	const char *name;
	const char *value; /* NULL: boolean attribute */
	struct oattr *next;
};

struct onode {
	struct onode *parent, *first, *last, *next, *prev;
	struct oattr *attrs, *attrs_last;
	const char *text; /* E_TEXT: borrowed from the gumbo tree */
	size_t len;
	unsigned char tag;
	unsigned char content; /* subtree holds text or media */
	unsigned char inl;     /* holds inline content directly */
	unsigned char media;   /* picture: has <img>; audio/video: a source */
};

struct san {
	struct arena a; /* output tree */
	const char *base;
	int err;
};

/* Output-tree memory; a failure (out of memory, or over the ceiling set
 * from the input size) is sticky in s->err. */
static void *salloc(struct san *s, size_t n)
{
	void *p = arena_alloc(&s->a, n);
	if (!p && !s->err)
		s->err = s->a.fail ? s->a.fail : TD_ENOMEM;
	return p;
}

static struct onode *new_node(struct san *s, struct onode *parent, int tag)
{
	struct onode *n = salloc(s, sizeof *n);
	if (!n)
		return NULL;
	memset(n, 0, sizeof *n);
	n->tag = (unsigned char)tag;
	n->parent = parent;
	n->prev = parent->last;
	if (parent->last)
		parent->last->next = n;
	else
		parent->first = n;
	parent->last = n;
	return n;
}

/* Detach n (the last child of its parent) with its subtree. */
static void remove_last(struct onode *n)
{
	struct onode *p = n->parent;
	if (n->prev)
		n->prev->next = NULL;
	else
		p->first = NULL;
	p->last = n->prev;
}

/* Replace n (the last child of its parent) by its children. */
static void unwrap_last(struct onode *n)
{
	struct onode *p = n->parent;
	remove_last(n);
	if (!n->first)
		return;
	for (struct onode *c = n->first; c; c = c->next)
		c->parent = p;
	n->first->prev = p->last;
	if (p->last)
		p->last->next = n->first;
	else
		p->first = n->first;
	p->last = n->last;
}

static void set_attr(struct san *s, struct onode *n, const char *name,
		     const char *value, size_t len)
{
	struct oattr *a = salloc(s, sizeof *a);
	char *v = value ? salloc(s, len + 1) : NULL;
	if (!a || (value && !v))
		return;
	if (v) {
		memcpy(v, value, len);
		v[len] = '\0';
	}
	a->name = name;
	a->value = v;
	a->next = NULL;
	if (n->attrs_last)
		n->attrs_last->next = a;
	else
		n->attrs = a;
	n->attrs_last = a;
}

static int all_ws(const char *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_html_ws((unsigned char)t[i]))
			return 0;
	return 1;
}

/* Text as the serializer will write it: controls (C0 but tab and newline,
 * DEL, C1) dropped, CR as LF, form feed as space, invalid UTF-8 as U+FFFD.
 * Emptiness is judged on this, so that what is kept reads back the same.
 * Returns t itself when nothing changes, else a copy in the arena. */
static const char *clean_text(struct san *s, const char *t, size_t n,
			      size_t *outn)
{
	size_t i = 0;
	for (; i < n; i++) {
		unsigned char c = (unsigned char)t[i];
		if (c >= 0x20 && c < 0x7f)
			continue;
		if (c == '\t' || c == '\n')
			continue;
		if (c >= 0x80) {
			uint32_t cp;
			size_t k = html_utf8_decode(t + i, n - i, &cp);
			if (k && cp >= 0xA0) {
				i += k - 1;
				continue;
			}
		}
		break;
	}
	*outn = n;
	if (i == n)
		return t;
	char *o = salloc(s, 3 * n + 1), *w = o;
	if (!o) {
		*outn = 0;
		return "";
	}
	memcpy(w, t, i);
	w += i;
	while (i < n) {
		unsigned char c = (unsigned char)t[i];
		if (c < 0x80) {
			if (c == '\r')
				*w++ = '\n';
			else if (c == '\f')
				*w++ = ' ';
			else if ((c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n')
				*w++ = (char)c;
			i++;
			continue;
		}
		uint32_t cp;
		size_t k = html_utf8_decode(t + i, n - i, &cp);
		if (!k) {
			memcpy(w, "\xEF\xBF\xBD", 3);
			w += 3;
			i++;
		} else {
			if (cp >= 0xA0) {
				memcpy(w, t + i, k);
				w += k;
			}
			i += k;
		}
	}
	*w = '\0';
	*outn = (size_t)(w - o);
	return o;
}

/* ======================================================================
 * Attributes
 * ====================================================================== */

/* Free text (alt, title, label), bounded; empty values are kept only when
 * keep_empty (alt="" marks a decorative image). */
static void attr_text(struct san *s, struct onode *n, const char *name,
		      const char *v, int keep_empty)
{
	if (!v)
		return;
	size_t len;
	v = clean_text(s, v, strlen(v), &len);
	if (!len && !keep_empty)
		return;
	len = td_utf8_cut(v, len, HTML_MAX_ATTR_TEXT);
	set_attr(s, n, name, v, len);
}

static void attr_url(struct san *s, struct onode *n, const char *name,
		     const char *v, int kind)
{
	char *u = v ? html_url_clean(v, s->base, kind) : NULL;
	if (u)
		set_attr(s, n, name, u, strlen(u));
	free(u);
}

/* An integer attribute in [min, max] written back in canonical form. */
static int int_value(const char *v, long min, long max, long *out)
{
	if (!v)
		return 0;
	struct td_str t = td_str_trim((struct td_str){ v, strlen(v) });
	int neg = 0;
	if (t.len && t.p[0] == '-') {
		neg = 1;
		t.p++;
		t.len--;
	}
	long x;
	if (!parse_uint(t.p, t.len, &x))
		return 0;
	if (neg)
		x = -x;
	if (x < min || x > max)
		return 0;
	*out = x;
	return 1;
}

static void attr_int(struct san *s, struct onode *n, const char *name,
		     const char *v, long min, long max)
{
	long x;
	char tmp[24];
	if (int_value(v, min, max, &x)) {
		int k = snprintf(tmp, sizeof tmp, "%ld", x);
		set_attr(s, n, name, tmp, (size_t)k);
	}
}

/* An enumerated attribute: one of list (ASCII case-insensitive unless
 * exact), written as listed. */
static void attr_enum(struct san *s, struct onode *n, const char *name,
		      const char *v, const char *const *list, int exact)
{
	if (!v)
		return;
	struct td_str t = td_str_trim((struct td_str){ v, strlen(v) });
	for (int i = 0; list[i]; i++)
		if (strlen(list[i]) == t.len &&
		    (exact ? !memcmp(t.p, list[i], t.len)
			   : !strncasecmp(t.p, list[i], t.len))) {
			set_attr(s, n, name, list[i], strlen(list[i]));
			return;
		}
}

/* A value made only of the given ASCII characters (and alphanumerics),
 * at most max bytes: MIME types, media queries, dates, language tags. */
static void attr_chars(struct san *s, struct onode *n, const char *name,
		       const char *v, const char *extra, size_t max)
{
	if (!v)
		return;
	struct td_str t = td_str_trim((struct td_str){ v, strlen(v) });
	if (!t.len || t.len > max)
		return;
	for (size_t i = 0; i < t.len; i++) {
		unsigned char c = (unsigned char)t.p[i];
		if (!is_alpha(c) && !(c >= '0' && c <= '9') && !strchr(extra, c))
			return;
	}
	set_attr(s, n, name, t.p, t.len);
}

static void attr_bool(struct san *s, struct onode *n, const char *name,
		      const GumboNode *g)
{
	if (html_attr(g, name))
		set_attr(s, n, name, NULL, 0);
}

static void attr_srcset(struct san *s, struct onode *n, const char *v)
{
	struct td_buf b;
	td_buf_init(&b, 0);
	int k = v ? html_srcset_clean(v, s->base, &b) : 0;
	if (k > 0)
		set_attr(s, n, "srcset", b.p, b.len);
	else if (k < 0)
		s->err = k;
	td_buf_release(&b);
}

/* ======================================================================
 * Images: tracking pixels, lazy loading
 * ====================================================================== */

/* Known tracking-pixel and ad hosts (a host matches itself and its
 * subdomains) with an optional path prefix. */
static const struct {
	const char *host, *path;
} trackers[] = {
	{ "feeds.feedburner.com", "/~r/" },
	{ "feeds.feedburner.com", "/~ff/" },
	{ "feedproxy.google.com", "/~r/" },
	{ "feeds.feedblitz.com", "/~/i/" },
	{ "feeds.wordpress.com", "/1.0/" },
	{ "pixel.wp.com", NULL },
	{ "stats.wordpress.com", NULL },
	{ "google-analytics.com", NULL },
	{ "googletagmanager.com", NULL },
	{ "doubleclick.net", NULL },
	{ "googlesyndication.com", NULL },
	{ "googleadservices.com", NULL },
	{ "2mdn.net", NULL },
	{ "feedsportal.com", NULL },
	{ "pheedo.com", NULL },
	{ "mf.feeds.reuters.com", NULL },
	{ "rss.buysellads.com", NULL },
	{ "scorecardresearch.com", NULL },
	{ "quantserve.com", NULL },
	{ "moatads.com", NULL },
	{ "adnxs.com", NULL },
	{ "adsrvr.org", NULL },
	{ "amazon-adsystem.com", NULL },
	{ "chartbeat.net", NULL },
	{ "bat.bing.com", NULL },
	{ "facebook.com", "/tr" },
	{ "medium.com", "/_/stat" },
	{ "blogger.googleusercontent.com", "/tracker/" },
};

static int host_matches(const char *host, const char *suffix)
{
	size_t h = strlen(host), n = strlen(suffix);
	if (h < n || strcmp(host + h - n, suffix))
		return 0;
	return h == n || host[h - n - 1] == '.';
}

static int is_tracker(const char *url)
{
	char *host = td_url_host(url);
	if (!host)
		return 0;
	const char *path = strstr(url, "://");
	path = path ? strchr(path + 3, '/') : NULL;
	int hit = !strncmp(host, "pixel.", 6);
	for (size_t i = 0; !hit && i < sizeof trackers / sizeof trackers[0]; i++)
		if (host_matches(host, trackers[i].host) &&
		    (!trackers[i].path ||
		     (path && !strncmp(path, trackers[i].path,
				       strlen(trackers[i].path)))))
			hit = 1;
	free(host);
	return hit;
}

/* A size of at most one pixel ("0", "1", "1px"). */
static int tiny(const char *v, size_t n)
{
	size_t i = 0;
	while (i < n && is_html_ws((unsigned char)v[i]))
		i++;
	size_t d = i;
	while (i < n && v[i] >= '0' && v[i] <= '9')
		i++;
	if (i == d || i - d > 6)
		return 0;
	long x = strtol(v + d, NULL, 10);
	if (i < n && v[i] == '.')
		return 0;
	if (n - i >= 2 && !strncasecmp(v + i, "px", 2))
		i += 2;
	while (i < n && is_html_ws((unsigned char)v[i]))
		i++;
	return i == n && x <= 1;
}

/* Is an inline style hiding the element or shrinking it to a pixel? */
static int style_hides(const char *style)
{
	char buf[512];
	size_t n = 0;
	for (const char *p = style; *p && n < sizeof buf - 1; p++)
		if (!is_html_ws((unsigned char)*p))
			buf[n++] = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
	buf[n] = '\0';
	if (strstr(buf, "display:none") || strstr(buf, "visibility:hidden"))
		return 1;
	static const char *const dims[] = { "width:", "height:" };
	for (int k = 0; k < 2; k++) {
		size_t dl = strlen(dims[k]);
		for (const char *p = strstr(buf, dims[k]); p;
		     p = strstr(p + 1, dims[k])) {
			if (p != buf && p[-1] != ';')
				continue;
			const char *v = p + dl;
			size_t vl = strcspn(v, ";!");
			if (tiny(v, vl))
				return 1;
		}
	}
	return 0;
}

static int img_hidden(const GumboNode *g)
{
	const char *v;
	if (html_attr(g, "hidden"))
		return 1;
	if ((v = html_attr(g, "width")) && tiny(v, strlen(v)))
		return 1;
	if ((v = html_attr(g, "height")) && tiny(v, strlen(v)))
		return 1;
	if ((v = html_attr(g, "style")) && style_hides(v))
		return 1;
	return 0;
}

/* A src that only holds the place of a lazily loaded image. */
static int is_placeholder(const char *v)
{
	static const char *const marks[] = {
		"blank.", "spacer.", "pixel.", "transparent.", "1x1",
		"placeholder", "lazy", "loading.", "grey.", "gray.",
		"empty.", "dummy.", NULL
	};
	struct td_str t = td_str_trim((struct td_str){ v, strlen(v) });
	if (!t.len || t.p[0] == '#' || td_istarts(t.p, "data:") ||
	    td_istarts(t.p, "about:"))
		return 1;
	if (t.len > TD_MAX_URL_BYTES)
		return 0; /* unusable anyway; do not scan it */
	for (int i = 0; marks[i]; i++) {
		size_t m = strlen(marks[i]);
		for (size_t j = 0; j + m <= t.len; j++)
			if (!strncasecmp(t.p + j, marks[i], m))
				return 1;
	}
	return 0;
}

static const char *first_attr(const GumboNode *g, const char *const *names)
{
	for (int i = 0; names[i]; i++) {
		const char *v = html_attr(g, names[i]);
		if (v && *v)
			return v;
	}
	return NULL;
}

/* width/height: an integer in 1..10000, "px" accepted. */
static void attr_dim(struct san *s, struct onode *n, const char *name,
		     const char *v)
{
	char tmp[16];
	if (!v)
		return;
	struct td_str t = td_str_trim((struct td_str){ v, strlen(v) });
	if (t.len > 2 && !strncasecmp(t.p + t.len - 2, "px", 2))
		t.len -= 2;
	if (t.len >= sizeof tmp)
		return;
	memcpy(tmp, t.p, t.len);
	tmp[t.len] = '\0';
	attr_int(s, n, name, tmp, 1, 10000);
}

/* Build an <img>; 0 when it is dropped. */
static int build_img(struct san *s, const GumboNode *g, struct onode *cur)
{
	static const char *const lazy_src[] = { "data-src", "data-lazy-src",
						"data-original",
						"data-lazy", "data-url",
						"data-hi-res-src", NULL };
	static const char *const lazy_srcset[] = { "data-srcset",
						   "data-lazy-srcset", NULL };
	if (img_hidden(g))
		return 0;
	const char *src = html_attr(g, "src"), *lazy = first_attr(g, lazy_src);
	int promoted = 0;
	if (lazy && (!src || is_placeholder(src))) {
		src = lazy;
		promoted = 1;
	}
	const char *ss = html_attr(g, "srcset"),
		   *lazyss = first_attr(g, lazy_srcset);
	if (lazyss && (!ss || promoted || is_placeholder(ss)))
		ss = lazyss;
	char *u = src ? html_url_clean(src, s->base, HTML_URL_MEDIA) : NULL;
	if (u && is_tracker(u)) {
		free(u);
		return 0;
	}
	struct td_buf b;
	td_buf_init(&b, 0);
	int k = ss ? html_srcset_clean(ss, s->base, &b) : 0;
	if (k < 0)
		s->err = k;
	struct onode *n = NULL;
	if (u || k > 0)
		n = new_node(s, cur, E_IMG);
	if (n) {
		if (u)
			set_attr(s, n, "src", u, strlen(u));
		if (k > 0) {
			set_attr(s, n, "srcset", b.p, b.len);
			attr_chars(s, n, "sizes", html_attr(g, "sizes"),
				   " ().,:%+-/*", 512);
		}
		attr_text(s, n, "alt", html_attr(g, "alt"), 1);
		attr_text(s, n, "title", html_attr(g, "title"), 0);
		attr_dim(s, n, "width", html_attr(g, "width"));
		attr_dim(s, n, "height", html_attr(g, "height"));
		set_attr(s, n, "loading", "lazy", 4);
		cur->content = 1;
		cur->inl = 1;
		if (cur->tag == E_PICTURE)
			cur->media = 1;
	}
	free(u);
	td_buf_release(&b);
	return n != NULL;
}

/* ======================================================================
 * Elements: what each input tag becomes
 * ====================================================================== */

enum { ACT_UNWRAP, ACT_DROP, ACT_KEEP };

/* Name of an element gumbo does not know (picture, dialog, custom
 * elements), lower-cased into buf; "" when unavailable. */
static const char *unknown_name(const GumboNode *g, char *buf, size_t cap)
{
	GumboStringPiece t = g->v.element.original_tag;
	buf[0] = '\0';
	if (!t.data || !t.length)
		return buf;
	gumbo_tag_from_original_text(&t);
	if (!t.data || t.length >= cap)
		return buf;
	for (size_t i = 0; i < t.length; i++) {
		char c = t.data[i];
		buf[i] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
	}
	buf[t.length] = '\0';
	return buf;
}

static int classify(const GumboNode *g, int *e)
{
	switch (g->v.element.tag) {
	/* kept as they are */
	case GUMBO_TAG_A: *e = E_A; break;
	case GUMBO_TAG_ABBR: case GUMBO_TAG_ACRONYM: *e = E_ABBR; break;
	case GUMBO_TAG_AUDIO: *e = E_AUDIO; break;
	case GUMBO_TAG_B: *e = E_B; break;
	case GUMBO_TAG_BLOCKQUOTE: *e = E_BLOCKQUOTE; break;
	case GUMBO_TAG_BR: *e = E_BR; break;
	case GUMBO_TAG_CAPTION: *e = E_CAPTION; break;
	case GUMBO_TAG_CITE: *e = E_CITE; break;
	case GUMBO_TAG_CODE: case GUMBO_TAG_TT: *e = E_CODE; break;
	case GUMBO_TAG_DD: *e = E_DD; break;
	case GUMBO_TAG_DEL: *e = E_DEL; break;
	case GUMBO_TAG_DETAILS: *e = E_DETAILS; break;
	case GUMBO_TAG_DFN: *e = E_DFN; break;
	case GUMBO_TAG_DL: *e = E_DL; break;
	case GUMBO_TAG_DT: *e = E_DT; break;
	case GUMBO_TAG_EM: *e = E_EM; break;
	case GUMBO_TAG_FIGCAPTION: *e = E_FIGCAPTION; break;
	case GUMBO_TAG_FIGURE: *e = E_FIGURE; break;
	case GUMBO_TAG_H1: case GUMBO_TAG_H2: *e = E_H2; break;
	case GUMBO_TAG_H3: *e = E_H3; break;
	case GUMBO_TAG_H4: *e = E_H4; break;
	case GUMBO_TAG_H5: *e = E_H5; break;
	case GUMBO_TAG_H6: *e = E_H6; break;
	case GUMBO_TAG_HR: *e = E_HR; break;
	case GUMBO_TAG_I: *e = E_I; break;
	case GUMBO_TAG_IMG: case GUMBO_TAG_IMAGE: *e = E_IMG; break;
	case GUMBO_TAG_INS: *e = E_INS; break;
	case GUMBO_TAG_KBD: *e = E_KBD; break;
	case GUMBO_TAG_LI: *e = E_LI; break;
	case GUMBO_TAG_MARK: *e = E_MARK; break;
	case GUMBO_TAG_OL: *e = E_OL; break;
	case GUMBO_TAG_P: *e = E_P; break;
	case GUMBO_TAG_PRE: case GUMBO_TAG_XMP: case GUMBO_TAG_LISTING:
	case GUMBO_TAG_PLAINTEXT: *e = E_PRE; break;
	case GUMBO_TAG_Q: *e = E_Q; break;
	case GUMBO_TAG_RP: *e = E_RP; break;
	case GUMBO_TAG_RT: *e = E_RT; break;
	case GUMBO_TAG_RUBY: *e = E_RUBY; break;
	case GUMBO_TAG_S: case GUMBO_TAG_STRIKE: *e = E_S; break;
	case GUMBO_TAG_SAMP: *e = E_SAMP; break;
	case GUMBO_TAG_SMALL: *e = E_SMALL; break;
	case GUMBO_TAG_SOURCE: *e = E_SOURCE; break;
	case GUMBO_TAG_STRONG: *e = E_STRONG; break;
	case GUMBO_TAG_SUB: *e = E_SUB; break;
	case GUMBO_TAG_SUMMARY: *e = E_SUMMARY; break;
	case GUMBO_TAG_SUP: *e = E_SUP; break;
	case GUMBO_TAG_TABLE: *e = E_TABLE; break;
	case GUMBO_TAG_TBODY: *e = E_TBODY; break;
	case GUMBO_TAG_TD: *e = E_TD; break;
	case GUMBO_TAG_TFOOT: *e = E_TFOOT; break;
	case GUMBO_TAG_TH: *e = E_TH; break;
	case GUMBO_TAG_THEAD: *e = E_THEAD; break;
	case GUMBO_TAG_TIME: *e = E_TIME; break;
	case GUMBO_TAG_TR: *e = E_TR; break;
	case GUMBO_TAG_TRACK: *e = E_TRACK; break;
	case GUMBO_TAG_U: *e = E_U; break;
	case GUMBO_TAG_UL: case GUMBO_TAG_MENU: case GUMBO_TAG_DIR:
		*e = E_UL;
		break;
	case GUMBO_TAG_VAR: *e = E_VAR; break;
	case GUMBO_TAG_VIDEO: *e = E_VIDEO; break;
	case GUMBO_TAG_WBR: *e = E_WBR; break;
	/* block containers become plain <div> (no attributes) */
	case GUMBO_TAG_DIV: case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE:
	case GUMBO_TAG_HEADER: case GUMBO_TAG_FOOTER: case GUMBO_TAG_MAIN:
	case GUMBO_TAG_ASIDE: case GUMBO_TAG_NAV: case GUMBO_TAG_CENTER:
	case GUMBO_TAG_ADDRESS: case GUMBO_TAG_HGROUP:
	case GUMBO_TAG_FIELDSET: case GUMBO_TAG_LEGEND:
		*e = E_DIV;
		break;
	/* dropped with their content: scripts, styles, embedded documents
	 * and plugins, foreign content, form controls, metadata */
	case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_TEMPLATE:
	case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_IFRAME: case GUMBO_TAG_OBJECT:
	case GUMBO_TAG_EMBED: case GUMBO_TAG_APPLET: case GUMBO_TAG_PARAM:
	case GUMBO_TAG_SVG: case GUMBO_TAG_MATH: case GUMBO_TAG_CANVAS:
	case GUMBO_TAG_INPUT: case GUMBO_TAG_BUTTON: case GUMBO_TAG_SELECT:
	case GUMBO_TAG_OPTION: case GUMBO_TAG_OPTGROUP:
	case GUMBO_TAG_DATALIST: case GUMBO_TAG_TEXTAREA:
	case GUMBO_TAG_KEYGEN: case GUMBO_TAG_OUTPUT: case GUMBO_TAG_PROGRESS:
	case GUMBO_TAG_METER: case GUMBO_TAG_MENUITEM: case GUMBO_TAG_ISINDEX:
	case GUMBO_TAG_FRAMESET: case GUMBO_TAG_FRAME: case GUMBO_TAG_NOFRAMES:
	case GUMBO_TAG_NOEMBED: case GUMBO_TAG_HEAD: case GUMBO_TAG_TITLE:
	case GUMBO_TAG_META: case GUMBO_TAG_LINK: case GUMBO_TAG_BASE:
	case GUMBO_TAG_BASEFONT: case GUMBO_TAG_BGSOUND: case GUMBO_TAG_AREA:
	case GUMBO_TAG_COL: case GUMBO_TAG_COLGROUP: case GUMBO_TAG_SPACER:
	case GUMBO_TAG_NEXTID: case GUMBO_TAG_MGLYPH:
	case GUMBO_TAG_MALIGNMARK:
		return ACT_DROP;
	case GUMBO_TAG_UNKNOWN: {
		char buf[32];
		const char *n = unknown_name(g, buf, sizeof buf);
		if (!strcmp(n, "picture")) {
			*e = E_PICTURE;
			break;
		}
		if (!strcmp(n, "search")) {
			*e = E_DIV;
			break;
		}
		if (!strcmp(n, "dialog") || !strcmp(n, "portal") ||
		    !strcmp(n, "fencedframe") || !strcmp(n, "slot") ||
		    !strcmp(n, "selectedcontent") || !strcmp(n, "permission") ||
		    !strcmp(n, "geolocation") || !strcmp(n, "xml") ||
		    !strcmp(n, "noindex") || !strcmp(n, "frame"))
			return ACT_DROP;
		return ACT_UNWRAP;
	}
	default:
		/* span, font, form, label, bdi, bdo, big, nobr, marquee,
		 * data, map, rb, rtc, ... : keep the content only */
		return ACT_UNWRAP;
	}
	return ACT_KEEP;
}

/* May element e be a child of cur such that an HTML parser reading our
 * output puts it exactly there? (No implicit end tag, no foster
 * parenting, no dropped table part.) */
static int allowed_here(const struct onode *cur, int e)
{
	const struct onode *n;
	unsigned f = etags[e].flags;
	switch (cur->tag) {
	case E_TABLE:
		return e == E_CAPTION || e == E_THEAD || e == E_TBODY ||
		       e == E_TFOOT;
	case E_THEAD: case E_TBODY: case E_TFOOT:
		return e == E_TR;
	case E_TR:
		return e == E_TD || e == E_TH;
	case E_PICTURE:
		return e == E_SOURCE || e == E_IMG;
	case E_AUDIO: case E_VIDEO:
		return e == E_SOURCE || e == E_TRACK;
	}
	switch (e) {
	case E_CAPTION: case E_THEAD: case E_TBODY: case E_TFOOT: case E_TR:
	case E_TD: case E_TH: case E_SOURCE: case E_TRACK:
		return 0;
	case E_RT: case E_RP:
		return cur->tag == E_RUBY;
	case E_A: /* an open <a> would be closed by the adoption agency */
		for (n = cur; n; n = n->parent) {
			if (n->tag == E_A)
				return 0;
			if (etags[n->tag].flags & F_MARKER)
				break;
		}
		break;
	case E_LI: case E_DT: case E_DD: /* would close an open item */
		for (n = cur; n; n = n->parent) {
			if (n->tag == e || (e != E_LI && (n->tag == E_DT ||
							  n->tag == E_DD)))
				return 0;
			if ((etags[n->tag].flags & F_SPECIAL) &&
			    n->tag != E_DIV && n->tag != E_P)
				break;
		}
		break;
	}
	if (f & F_HEADING) /* stricter than the parser: never nested */
		for (n = cur; n; n = n->parent)
			if (etags[n->tag].flags & F_HEADING)
				return 0;
	if (f & F_CLOSES_P)
		for (n = cur; n; n = n->parent) {
			if (n->tag == E_P)
				return 0;
			if (etags[n->tag].flags & F_SCOPE)
				break;
		}
	return 1;
}

static const char *const ol_types[] = { "1", "a", "A", "i", "I", NULL };
static const char *const th_scopes[] = { "row", "col", "rowgroup",
					 "colgroup", NULL };
static const char *const track_kinds[] = { "subtitles", "captions",
					   "descriptions", "chapters",
					   "metadata", NULL };

#define DATE_CHARS ":.+-TZ "
#define MIME_CHARS "/+-.;=\" ,"

/* Create the output element for g; returns ACT_KEEP (with *out),
 * ACT_UNWRAP or ACT_DROP. */
static int build(struct san *s, const GumboNode *g, int e, struct onode *cur,
		 struct onode **out)
{
	struct onode *n;
	*out = NULL;
	if (e == E_IMG)
		return build_img(s, g, cur) ? ACT_KEEP : ACT_DROP;
	if (e == E_A) {
		char *href = html_url_clean(html_attr(g, "href"), s->base,
					    HTML_URL_LINK);
		if (!href)
			return ACT_UNWRAP;
		n = new_node(s, cur, E_A);
		if (n) {
			set_attr(s, n, "href", href, strlen(href));
			attr_text(s, n, "title", html_attr(g, "title"), 0);
			set_attr(s, n, "rel", "noopener noreferrer nofollow", 28);
		}
		free(href);
		*out = n;
		return n ? ACT_KEEP : ACT_DROP;
	}
	if (e == E_SOURCE || e == E_TRACK) {
		/* void children of picture/audio/video; need a URL */
		int pic = cur->tag == E_PICTURE;
		struct onode tmp;
		memset(&tmp, 0, sizeof tmp);
		if (pic) {
			attr_srcset(s, &tmp, html_attr(g, "srcset"));
		} else {
			attr_url(s, &tmp, "src", html_attr(g, "src"),
				 HTML_URL_MEDIA);
		}
		if (!tmp.attrs || !(n = new_node(s, cur, e)))
			return ACT_DROP;
		n->attrs = tmp.attrs;
		n->attrs_last = tmp.attrs_last;
		if (e == E_TRACK) {
			attr_enum(s, n, "kind", html_attr(g, "kind"),
				  track_kinds, 0);
			attr_chars(s, n, "srclang", html_attr(g, "srclang"),
				   "-", 35);
			attr_text(s, n, "label", html_attr(g, "label"), 0);
			attr_bool(s, n, "default", g);
			return ACT_KEEP;
		}
		if (pic) {
			attr_chars(s, n, "sizes", html_attr(g, "sizes"),
				   " ().,:%+-/*", 512);
			attr_chars(s, n, "media", html_attr(g, "media"),
				   " ().,:-/", 512);
		}
		attr_chars(s, n, "type", html_attr(g, "type"), MIME_CHARS, 128);
		if (pic) {
			attr_dim(s, n, "width", html_attr(g, "width"));
			attr_dim(s, n, "height", html_attr(g, "height"));
		}
		cur->media = 1;
		if (!pic)
			cur->content = 1;
		return ACT_KEEP;
	}
	if (!(n = new_node(s, cur, e)))
		return ACT_DROP;
	*out = n;
	switch (e) {
	case E_BR:
		cur->content = cur->inl = 1;
		break;
	case E_HR:
		cur->content = 1;
		break;
	case E_BLOCKQUOTE: case E_Q:
		attr_url(s, n, "cite", html_attr(g, "cite"), HTML_URL_MEDIA);
		break;
	case E_DEL: case E_INS:
		attr_url(s, n, "cite", html_attr(g, "cite"), HTML_URL_MEDIA);
		attr_chars(s, n, "datetime", html_attr(g, "datetime"),
			   DATE_CHARS, 64);
		break;
	case E_TIME:
		attr_chars(s, n, "datetime", html_attr(g, "datetime"),
			   DATE_CHARS, 64);
		break;
	case E_ABBR: case E_DFN:
		attr_text(s, n, "title", html_attr(g, "title"), 0);
		break;
	case E_OL:
		attr_int(s, n, "start", html_attr(g, "start"), -1000000000L,
			 1000000000L);
		attr_bool(s, n, "reversed", g);
		attr_enum(s, n, "type", html_attr(g, "type"), ol_types, 1);
		break;
	case E_TD: case E_TH:
		attr_int(s, n, "colspan", html_attr(g, "colspan"), 1, 100);
		attr_int(s, n, "rowspan", html_attr(g, "rowspan"), 0, 1000);
		if (e == E_TH)
			attr_enum(s, n, "scope", html_attr(g, "scope"),
				  th_scopes, 0);
		break;
	case E_DETAILS:
		attr_bool(s, n, "open", g);
		break;
	case E_AUDIO: case E_VIDEO:
		attr_url(s, n, "src", html_attr(g, "src"), HTML_URL_MEDIA);
		if (n->attrs)
			n->content = n->media = 1;
		if (e == E_VIDEO) {
			attr_url(s, n, "poster", html_attr(g, "poster"),
				 HTML_URL_MEDIA);
			attr_dim(s, n, "width", html_attr(g, "width"));
			attr_dim(s, n, "height", html_attr(g, "height"));
		}
		set_attr(s, n, "controls", NULL, 0);
		break;
	}
	return ACT_KEEP;
}

/* An element's end: drop what turned out empty, unwrap a <div> that holds
 * no inline content of its own, tell the parent what it now contains. */
static void finish(struct onode *n)
{
	struct onode *p = n->parent;
	unsigned f = etags[n->tag].flags;
	if ((n->tag == E_PICTURE || n->tag == E_AUDIO || n->tag == E_VIDEO) &&
	    !n->media) {
		remove_last(n);
		return;
	}
	if (!n->content && !(f & F_KEEP_EMPTY)) {
		if (f & F_RESTRICT)
			remove_last(n);
		else
			unwrap_last(n); /* leaves its whitespace */
		return;
	}
	p->content |= n->content;
	if (n->tag == E_DIV && !n->inl) {
		unwrap_last(n);
		return;
	}
	if (!(f & F_BLOCK))
		p->inl = 1;
}

static void add_text(struct san *s, struct onode *cur, const char *raw)
{
	size_t len;
	const char *t = clean_text(s, raw, strlen(raw), &len);
	if (!len)
		return;
	int ws = all_ws(t, len);
	if (!ws && (etags[cur->tag].flags & F_RESTRICT))
		return;
	struct onode *n = new_node(s, cur, E_TEXT);
	if (!n)
		return;
	n->text = t;
	n->len = len;
	if (!ws)
		cur->content = cur->inl = 1;
}

/* ======================================================================
 * Walk
 * ====================================================================== */

struct frame {
	const GumboNode *g;
	unsigned i;
	struct onode *o;   /* element opened for g, or NULL (unwrapped) */
	struct onode *cur; /* where g's children go */
};

static int walk(struct san *s, const GumboNode *root, struct onode *oroot)
{
	size_t cap = 64, sp = 0;
	struct frame *st = malloc(cap * sizeof *st);
	if (!st)
		return TD_ENOMEM;
	st[sp++] = (struct frame){ root, 0, NULL, oroot };
	while (sp && !s->err) {
		struct frame *f = &st[sp - 1];
		const GumboVector *kids = &f->g->v.element.children;
		if (f->i >= kids->length) {
			if (f->o)
				finish(f->o);
			sp--;
			continue;
		}
		const GumboNode *c = kids->data[f->i++];
		struct onode *cur = f->cur, *o = NULL;
		if (c->type == GUMBO_NODE_TEXT || c->type == GUMBO_NODE_WHITESPACE) {
			add_text(s, cur, c->v.text.text);
			continue;
		}
		if (c->type != GUMBO_NODE_ELEMENT && c->type != GUMBO_NODE_TEMPLATE)
			continue; /* comments, CDATA */
		if (c->v.element.tag_namespace != GUMBO_NAMESPACE_HTML)
			continue;
		int e = 0, act = classify(c, &e);
		if (act == ACT_DROP)
			continue;
		if (act == ACT_KEEP) {
			if (!(etags[e].flags & F_VOID) && sp > HTML_MAX_DEPTH)
				act = ACT_UNWRAP;
			else if (!allowed_here(cur, e))
				act = (etags[e].flags & F_VOID) || e == E_RP
					      ? ACT_DROP
					      : ACT_UNWRAP;
			else
				act = build(s, c, e, cur, &o);
		}
		if (act == ACT_DROP || (etags[e].flags & F_VOID && act == ACT_KEEP))
			continue;
		if (act == ACT_UNWRAP && (etags[cur->tag].flags & F_RESTRICT))
			continue; /* no loose content in tables and media */
		if (sp == cap) {
			struct frame *ns = realloc(st, 2 * cap * sizeof *st);
			if (!ns) {
				s->err = TD_ENOMEM;
				break;
			}
			st = ns;
			cap *= 2;
		}
		st[sp++] = (struct frame){ c, 0, o, o ? o : cur };
	}
	free(st);
	return s->err;
}

/* ======================================================================
 * Serialisation
 * ====================================================================== */

size_t html_utf8_decode(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c = s[0];
	size_t len;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c < 0xC2)
		return 0;
	if (c < 0xE0) {
		len = 2;
		v = c & 0x1F;
		min = 0x80;
	} else if (c < 0xF0) {
		len = 3;
		v = c & 0x0F;
		min = 0x800;
	} else if (c < 0xF5) {
		len = 4;
		v = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

/* Append text or an attribute value with & < > " escaped, CR as LF, form
 * feed as space, other control characters dropped and invalid UTF-8
 * replaced, so that the parser reads back exactly these characters. */
static void put_escaped(struct td_buf *b, const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t run = 0, i = 0;
	while (i < n) {
		unsigned char c = s[i];
		const char *rep = NULL;
		size_t skip = 1;
		if (c >= 0x20 && c < 0x7f && c != '&' && c != '<' && c != '>' &&
		    c != '"') {
			i++;
			continue;
		}
		if (c >= 0x80) {
			uint32_t cp = 0;
			size_t k = html_utf8_decode(text + i, n - i, &cp);
			if (k && cp >= 0xA0) {
				i += k;
				continue;
			}
			if (k) {
				skip = k; /* C1 control: drop */
				rep = "";
			} else {
				rep = "\xEF\xBF\xBD";
			}
		} else {
			switch (c) {
			case '&': rep = "&amp;"; break;
			case '<': rep = "&lt;"; break;
			case '>': rep = "&gt;"; break;
			case '"': rep = "&quot;"; break;
			case '\t': case '\n': i++; continue;
			case '\r': rep = "\n"; break;
			case '\f': rep = " "; break;
			default: rep = ""; break; /* NUL, C0 controls, DEL */
			}
		}
		td_buf_append(b, s + run, i - run);
		td_buf_puts(b, rep);
		i += skip;
		run = i;
	}
	td_buf_append(b, s + run, i - run);
}

static void put_open(struct td_buf *b, const struct onode *n)
{
	td_buf_putc(b, '<');
	td_buf_puts(b, etags[n->tag].name);
	for (const struct oattr *a = n->attrs; a; a = a->next) {
		td_buf_putc(b, ' ');
		td_buf_puts(b, a->name);
		if (a->value) {
			td_buf_puts(b, "=\"");
			put_escaped(b, a->value, strlen(a->value));
			td_buf_putc(b, '"');
		}
	}
	td_buf_putc(b, '>');
	/* the parser drops a newline right after <pre>: always give it one */
	if (n->tag == E_PRE)
		td_buf_putc(b, '\n');
}

static void put_close(struct td_buf *b, const struct onode *n)
{
	td_buf_puts(b, "</");
	td_buf_puts(b, etags[n->tag].name);
	td_buf_putc(b, '>');
}

static void serialize(const struct onode *root, struct td_buf *b)
{
	const struct onode *n = root->first;
	while (n && !b->err) {
		if (n->tag == E_TEXT) {
			put_escaped(b, n->text, n->len);
		} else {
			put_open(b, n);
			if (!(etags[n->tag].flags & F_VOID)) {
				if (n->first) {
					n = n->first;
					continue;
				}
				put_close(b, n);
			}
		}
		while (n != root && !n->next) {
			n = n->parent;
			if (n != root)
				put_close(b, n);
		}
		if (n == root)
			break;
		n = n->next;
	}
}

/* ======================================================================
 * html_sanitize
 * ====================================================================== */

int html_sanitize(const char *html, size_t len, const char *base_url,
		  struct td_buf *out)
{
	struct html_parse p;
	struct san s;
	struct onode root;
	size_t start = out->len;
	int rc;
	if (out->err)
		return out->err;
	if ((rc = html_parse(html, len, 1, &p)))
		return rc;
	memset(&s, 0, sizeof s);
	s.a.cap = HTML_PARSE_MEM_BASE + len * HTML_PARSE_MEM_PER_BYTE;
	memset(&root, 0, sizeof root);
	root.tag = E_ROOT;
	s.base = base_url && *base_url ? base_url : NULL;
	rc = walk(&s, p.root, &root);
	if (!rc) {
		serialize(&root, out);
		rc = out->err;
		if (!rc && out->len - start > HTML_MAX_OUTPUT)
			rc = TD_ETOOBIG;
	}
	arena_release(&s.a);
	html_parse_release(&p);
	if (rc && !out->err)
		td_buf_truncate(out, start);
	return rc;
}
