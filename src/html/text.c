/*
 * text.c - HTML to plain text (html_to_text), summaries (html_summary) and
 * the "is this only an excerpt?" test (html_looks_truncated).
 *
 * The text keeps the block structure a reader sees: paragraphs and other
 * blocks are separated by a blank line, list items, table rows and <br> by
 * a newline, table cells by a tab; inside a block runs of whitespace become
 * one space; <pre> keeps its whitespace. Hidden and non-prose elements
 * (script, style, template, noscript, form controls, embedded objects,
 * SVG/MathML) give no text. The result is trimmed and in Unicode NFC.
 */
#include "html/html.h"
#include "html/html_int.h"

#include "core/buf.h"
#include "core/err.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

/* ======================================================================
 * Characters
 * ====================================================================== */

/* Whitespace for collapsing: ASCII whitespace and the Unicode spaces
 * (no-break spaces included: in search and summaries they are spaces). */
static int is_space(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v' || c == 0xA0 || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
	       c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Characters that carry nothing in plain text: controls, zero-width space,
 * byte-order mark, soft hyphen. */
static int is_invisible(uint32_t c)
{
	return (c < 0x20 && c != '\t' && c != '\n') || (c >= 0x7F && c < 0xA0) ||
	       c == 0x200B || c == 0xFEFF || c == 0xAD;
}

/* ======================================================================
 * html_to_text
 * ====================================================================== */

enum { SEP_NONE, SEP_SPACE, SEP_TAB, SEP_NL, SEP_PARA };

struct tx {
	struct td_buf *b;
	int sep; /* separator owed before the next visible character */
};

static void owe(struct tx *t, int sep)
{
	if (sep > t->sep)
		t->sep = sep;
}

static void pay(struct tx *t)
{
	static const char *const s[] = { "", " ", "\t", "\n", "\n\n" };
	if (t->b->len && t->sep)
		td_buf_puts(t->b, s[t->sep]);
	t->sep = SEP_NONE;
}

static void put_text(struct tx *t, const char *s, size_t n, int pre)
{
	size_t i = 0;
	while (i < n) {
		uint32_t c;
		size_t k = html_utf8_decode(s + i, n - i, &c);
		if (!k) {
			c = 0xFFFD;
			k = 1;
		}
		if (pre && (c == '\n' || c == '\r')) {
			pay(t);
			td_buf_putc(t->b, '\n');
			/* a newline in pre is visible: owe nothing more */
		} else if (!pre && is_space(c)) {
			owe(t, SEP_SPACE);
		} else if (pre && (c == '\t' || c == ' ')) {
			pay(t);
			td_buf_putc(t->b, (int)c);
		} else if (is_invisible(c)) {
			/* dropped */
		} else {
			pay(t);
			if (c == 0xFFFD && k == 1)
				td_buf_puts(t->b, "\xEF\xBF\xBD");
			else
				td_buf_append(t->b, s + i, k);
		}
		i += k;
	}
}

/* How an element shapes the text. */
enum { K_INLINE, K_SKIP, K_PARA, K_LINE, K_CELL, K_BR, K_PRE, K_LIST };

static int kind(const GumboNode *g)
{
	if (g->v.element.tag_namespace != GUMBO_NAMESPACE_HTML)
		return K_SKIP;
	if (html_attr(g, "hidden"))
		return K_SKIP;
	switch (g->v.element.tag) {
	case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_TEMPLATE:
	case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_TITLE: case GUMBO_TAG_HEAD:
	case GUMBO_TAG_TEXTAREA: case GUMBO_TAG_SELECT: case GUMBO_TAG_OPTION:
	case GUMBO_TAG_OPTGROUP: case GUMBO_TAG_DATALIST: case GUMBO_TAG_IFRAME:
	case GUMBO_TAG_OBJECT: case GUMBO_TAG_EMBED: case GUMBO_TAG_APPLET:
	case GUMBO_TAG_SVG: case GUMBO_TAG_MATH: case GUMBO_TAG_CANVAS:
	case GUMBO_TAG_AUDIO: case GUMBO_TAG_VIDEO: case GUMBO_TAG_BUTTON:
	case GUMBO_TAG_NOEMBED: case GUMBO_TAG_NOFRAMES: case GUMBO_TAG_FRAMESET:
	case GUMBO_TAG_INPUT: case GUMBO_TAG_RP: case GUMBO_TAG_PARAM:
		return K_SKIP;
	case GUMBO_TAG_P: case GUMBO_TAG_DIV: case GUMBO_TAG_SECTION:
	case GUMBO_TAG_ARTICLE: case GUMBO_TAG_HEADER: case GUMBO_TAG_FOOTER:
	case GUMBO_TAG_MAIN: case GUMBO_TAG_ASIDE: case GUMBO_TAG_NAV:
	case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_H1: case GUMBO_TAG_H2:
	case GUMBO_TAG_H3: case GUMBO_TAG_H4: case GUMBO_TAG_H5:
	case GUMBO_TAG_H6: case GUMBO_TAG_TABLE: case GUMBO_TAG_FIGURE:
	case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_HR: case GUMBO_TAG_ADDRESS:
	case GUMBO_TAG_DETAILS: case GUMBO_TAG_SUMMARY: case GUMBO_TAG_FORM:
	case GUMBO_TAG_FIELDSET: case GUMBO_TAG_LEGEND: case GUMBO_TAG_CENTER:
	case GUMBO_TAG_HGROUP: case GUMBO_TAG_BODY: case GUMBO_TAG_HTML:
		return K_PARA;
	case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_DL:
	case GUMBO_TAG_MENU: case GUMBO_TAG_DIR:
		return K_LIST;
	case GUMBO_TAG_LI: case GUMBO_TAG_DT: case GUMBO_TAG_DD:
	case GUMBO_TAG_TR: case GUMBO_TAG_CAPTION:
		return K_LINE;
	case GUMBO_TAG_TD: case GUMBO_TAG_TH:
		return K_CELL;
	case GUMBO_TAG_BR:
		return K_BR;
	case GUMBO_TAG_PRE: case GUMBO_TAG_XMP: case GUMBO_TAG_LISTING:
	case GUMBO_TAG_PLAINTEXT:
		return K_PRE;
	default:
		return K_INLINE;
	}
}

/* The separator a block owes before and after itself. */
static int block_sep(int k, int in_li)
{
	switch (k) {
	case K_PARA: case K_PRE:
		return SEP_PARA;
	case K_LIST:
		return in_li ? SEP_NL : SEP_PARA;
	case K_LINE:
		return SEP_NL;
	default:
		return SEP_NONE;
	}
}

struct tframe {
	const GumboNode *g;
	unsigned i;
	int sep;   /* owed again when the element ends */
	int pre;   /* inside <pre> */
	int in_li; /* inside a list item */
	int cells; /* <tr>: cells seen */
};

/* The label of the link extract.c leaves for an embedded player or post,
 * "Embedded video: " before an <a>, as a paragraph of its own or inline:
 * a pointer for readers, not article text, so search, summaries and
 * similarity leave it out. Returns the length of the text before the
 * label, or -1 when c does not end in such a label. */
static long embed_label(const GumboNode *c, const GumboVector *kids,
			unsigned next)
{
	if (c->type != GUMBO_NODE_TEXT || next >= kids->length)
		return -1;
	const GumboNode *a = kids->data[next];
	if (a->type != GUMBO_NODE_ELEMENT || a->v.element.tag != GUMBO_TAG_A)
		return -1;
	const char *s = c->v.text.text;
	size_t n = strlen(s);
	while (n && s[n - 1] == ' ')
		n--;
	if (!n || s[n - 1] != ':')
		return -1;
	for (const char *const *k = html_embed_kinds; *k; k++) {
		size_t kn = strlen(*k), ln = 9 + kn + 1; /* "Embedded K:" */
		if (n < ln || memcmp(s + n - ln, "Embedded ", 9) ||
		    memcmp(s + n - ln + 9, *k, kn))
			continue;
		size_t before = n - ln;
		if (before && s[before - 1] != ' ' && s[before - 1] != '\n' &&
		    s[before - 1] != '\t')
			continue;
		return (long)before;
	}
	return -1;
}

static int walk_text(const GumboNode *root, struct tx *t)
{
	size_t cap = 64, sp = 0;
	struct tframe *st = malloc(cap * sizeof *st);
	if (!st)
		return TD_ENOMEM;
	st[sp++] = (struct tframe){ root, 0, SEP_NONE, 0, 0, 0 };
	while (sp && !t->b->err) {
		struct tframe *f = &st[sp - 1];
		const GumboVector *kids = &f->g->v.element.children;
		if (f->i >= kids->length) {
			owe(t, f->sep);
			sp--;
			continue;
		}
		const GumboNode *c = kids->data[f->i++];
		long keep = embed_label(c, kids, f->i);
		if (keep >= 0) {
			put_text(t, c->v.text.text, (size_t)keep, f->pre);
			f->i++; /* and its link */
			continue;
		}
		if (c->type == GUMBO_NODE_TEXT || c->type == GUMBO_NODE_WHITESPACE ||
		    c->type == GUMBO_NODE_CDATA) {
			const char *s = c->v.text.text;
			put_text(t, s, strlen(s), f->pre);
			continue;
		}
		if (c->type != GUMBO_NODE_ELEMENT)
			continue; /* comments; template contents are inert */
		int k = kind(c);
		if (k == K_SKIP)
			continue;
		if (k == K_BR) {
			owe(t, t->sep >= SEP_NL ? SEP_PARA : SEP_NL);
			continue;
		}
		if (k == K_CELL) {
			if (f->cells++)
				owe(t, SEP_TAB);
		}
		int sep = block_sep(k, f->in_li);
		owe(t, sep);
		if (sp == cap) {
			struct tframe *ns = realloc(st, 2 * cap * sizeof *st);
			if (!ns) {
				free(st);
				return TD_ENOMEM;
			}
			st = ns;
			cap *= 2;
			f = &st[sp - 1];
		}
		st[sp] = (struct tframe){ c, 0, sep, f->pre || k == K_PRE,
					  f->in_li ||
						  c->v.element.tag == GUMBO_TAG_LI,
					  0 };
		sp++;
	}
	free(st);
	return t->b->err;
}

/* Trim ASCII whitespace, normalise to NFC and append to out. */
static int finish_text(const char *s, size_t n, struct td_buf *out)
{
	struct td_str v = td_str_trim((struct td_str){ s, n });
	if (!v.len)
		return out->err;
	char *tmp = td_strndup(v.p, v.len);
	if (!tmp)
		return TD_ENOMEM;
	utf8proc_uint8_t *nfc = utf8proc_NFC((const utf8proc_uint8_t *)tmp);
	if (nfc) {
		td_buf_puts(out, (const char *)nfc);
		free(nfc);
	} else {
		td_buf_append(out, v.p, v.len); /* cannot happen: valid UTF-8 */
	}
	free(tmp);
	return out->err;
}

int html_to_text(const char *html, size_t len, struct td_buf *out)
{
	struct html_parse p;
	struct td_buf b;
	int rc;
	if (out->err)
		return out->err;
	if ((rc = html_parse(html, len, 1, &p)))
		return rc;
	td_buf_init(&b, 0);
	struct tx t = { &b, SEP_NONE };
	rc = walk_text(p.root, &t);
	html_parse_release(&p);
	if (!rc)
		rc = finish_text(td_buf_cstr(&b), b.len, out);
	td_buf_release(&b);
	return rc;
}

/* ======================================================================
 * html_summary
 * ====================================================================== */

#define ELLIPSIS "\xE2\x80\xA6"

static int is_combining(uint32_t c)
{
	const utf8proc_property_t *p = utf8proc_get_property((utf8proc_int32_t)c);
	return p->category == UTF8PROC_CATEGORY_MN ||
	       p->category == UTF8PROC_CATEGORY_MC ||
	       p->category == UTF8PROC_CATEGORY_ME || c == 0x200D ||
	       (c >= 0xFE00 && c <= 0xFE0F);
}

int html_summary(const char *text, size_t len, size_t max, struct td_buf *out)
{
	struct td_buf t;
	if (!max)
		max = 300;
	if (!text)
		len = 0;
	td_buf_init(&t, 0);
	/* collapse whitespace; stop once clearly over max */
	int space = 0;
	for (size_t i = 0; i < len && t.len <= max + 8;) {
		uint32_t c;
		size_t k = html_utf8_decode(text + i, len - i, &c);
		if (!k) {
			c = 0xFFFD;
			k = 1;
		}
		if (is_space(c)) {
			space = 1;
		} else if (!is_invisible(c)) {
			if (space && t.len)
				td_buf_putc(&t, ' ');
			space = 0;
			if (c == 0xFFFD && k == 1)
				td_buf_puts(&t, "\xEF\xBF\xBD");
			else
				td_buf_append(&t, text + i, k);
		}
		i += k;
	}
	if (t.err) {
		int e = t.err;
		td_buf_release(&t);
		return e;
	}
	const char *s = td_buf_cstr(&t);
	if (t.len <= max) {
		td_buf_append(out, s, t.len);
		td_buf_release(&t);
		return out->err;
	}
	size_t room = max > 2 * strlen(ELLIPSIS) ? max - strlen(ELLIPSIS) : max;
	size_t cut = td_utf8_cut(s, t.len, room);
	/* never separate a base character from its combining marks */
	for (;;) {
		uint32_t c;
		if (!cut || !html_utf8_decode(s + cut, t.len - cut, &c) ||
		    !is_combining(c))
			break;
		do
			cut--;
		while (cut && ((unsigned char)s[cut] & 0xC0) == 0x80);
	}
	/* end on a word boundary unless the last word is huge */
	size_t sp = cut;
	while (sp && s[sp] != ' ')
		sp--;
	if (sp > room / 2)
		cut = sp;
	while (cut && strchr(" ,;:-", s[cut - 1]))
		cut--;
	td_buf_append(out, s, cut);
	if (room < max)
		td_buf_puts(out, ELLIPSIS);
	td_buf_release(&t);
	return out->err;
}

/* ======================================================================
 * html_looks_truncated
 * ====================================================================== */

/* Below this many characters of text, feed content is taken for an
 * excerpt: a news article is rarely shorter, and when it is, extraction
 * finds no more and the feed content is kept. */
#define TRUNCATED_CHARS 500

/* Link texts and tails that mark an excerpt (compared case-insensitively
 * at the end of the text, after trailing decoration). */
static const char *const more_marks[] = {
	"read more", "read the rest", "read the rest of this entry",
	"read the rest of this post", "continue reading", "keep reading",
	"read the full story", "read full story", "read the full article",
	"read full article", "full story", "full article", "read on",
	"view full article", "view article", "more...", "more" ELLIPSIS,
	"lire la suite", "la suite", "weiterlesen", "mehr lesen",
	"leer m\xC3\xA1s", "seguir leyendo", "continua a leggere",
	"leggi tutto", "leia mais", "continuar lendo", "lees meer",
	"lees verder", "czytaj dalej", "czytaj wi\xC4\x99" "cej",
	"\xD1\x87\xD0\xB8\xD1\x82\xD0\xB0\xD1\x82\xD1\x8C \xD0\xB4\xD0\xB0\xD0\xBB\xD0\xB5\xD0\xB5",
	"\xE7\xB6\x9A\xE3\x81\x8D\xE3\x82\x92\xE8\xAA\xAD\xE3\x82\x80",
	"\xE9\x98\x85\xE8\xAF\xBB\xE5\x85\xA8\xE6\x96\x87",
	NULL
};

/* Tails that end an excerpt on their own. */
static const char *const cut_marks[] = {
	"[" ELLIPSIS "]", "[...]", "(" ELLIPSIS ")", "(...)", ELLIPSIS, "...",
	"[&hellip;]", NULL
};

static int ends_with_ci(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);
	return n >= m && !strncasecmp(s + n - m, suffix, m);
}

/* Strip decoration after a "Read more" link: arrows, guillemets,
 * brackets, colons, spaces. */
static size_t strip_decoration(const char *s, size_t n)
{
	static const char *const deco[] = {
		" ", "\t", "\n", ">", "]", ")", ":", "!", "\xC2\xBB",
		"\xE2\x80\xBA", "\xE2\x86\x92", "\xE2\x9E\x94", "\xE2\x96\xBA",
		"\xE2\x96\xB8", NULL
	};
	for (int again = 1; again;) {
		again = 0;
		for (int i = 0; deco[i]; i++)
			if (ends_with_ci(s, n, deco[i])) {
				n -= strlen(deco[i]);
				again = 1;
			}
	}
	return n;
}

/* Length of the text without a WordPress/Yoast footer ("The post X
 * appeared first on Y.") on its last line. */
static size_t strip_wp_footer(const char *s, size_t n)
{
	size_t line = n;
	while (line && s[line - 1] != '\n')
		line--;
	const char *l = s + line;
	size_t ll = n - line;
	static const char *const starts[] = { "The post ", "This post ",
					      "The entry ", NULL };
	for (int i = 0; starts[i]; i++) {
		size_t k = strlen(starts[i]);
		if (ll > k && !strncmp(l, starts[i], k)) {
			for (size_t j = k; j + 19 <= ll; j++)
				if (!strncmp(l + j, " appeared first on ", 19))
					return line;
		}
	}
	return n;
}

static size_t count_chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

int html_looks_truncated(const char *html, size_t len)
{
	struct td_buf b;
	td_buf_init(&b, 0);
	if (html_to_text(html, len, &b)) {
		td_buf_release(&b);
		return 0; /* unreadable: extraction will not do better */
	}
	const char *s = td_buf_cstr(&b);
	size_t n = strip_wp_footer(s, b.len);
	struct td_str t = td_str_trim((struct td_str){ s, n });
	int r = count_chars(t.p, t.len) < TRUNCATED_CHARS;
	for (int i = 0; !r && cut_marks[i]; i++)
		r = ends_with_ci(t.p, t.len, cut_marks[i]);
	size_t m = strip_decoration(t.p, t.len);
	for (int i = 0; !r && more_marks[i]; i++) {
		size_t k = strlen(more_marks[i]);
		if (ends_with_ci(t.p, m, more_marks[i])) {
			/* a whole phrase: preceded by the start, a space or
			 * punctuation */
			char before = m > k ? t.p[m - k - 1] : ' ';
			r = !((before >= 'a' && before <= 'z') ||
			      (before >= 'A' && before <= 'Z') ||
			      (before >= '0' && before <= '9'));
		}
	}
	td_buf_release(&b);
	return r;
}
