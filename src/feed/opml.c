/*
 * opml.c - read and write OPML 1.0/2.0 subscription lists (expat).
 *
 * Reading: every <outline> with an xmlUrl attribute (any spelling case) is a
 * feed, whatever its type; outlines without one are folders whose titles
 * become tags of every feed inside them. The category attribute adds tags
 * ("/a/b,/c" gives a, b, c). Relative URLs resolve against the OPML file's
 * URL. Duplicate xmlUrls collapse into the first entry (tags merged).
 *
 * Safety: no DTD is loaded, entity declarations abort the parse (so no
 * expansion bombs), outline depth and count are bounded (limits.h). file:
 * feed URLs are accepted only when the OPML itself is local (base_url is a
 * file: URL or absent), so a remote list cannot point us at local files.
 *
 * Recovery: a document that expat rejects is repaired once and parsed again
 * (invalid UTF-8 replaced, bare '&' escaped, HTML entities such as &nbsp;
 * turned into character references, unknown entities kept as text). When
 * the repaired document still fails, whatever outlines were read before the
 * error are returned. In both cases err (when given) describes the original
 * problem (err->msg, without position) at err->line:err->col while
 * err->code stays 0: a warning. Outlines dropped for an unusable xmlUrl
 * are also reported this way. On success without problems err->msg is "".
 * On failure err->msg never repeats the position either, so a caller
 * prints "FILE:LINE:COL: MSG".
 */
#include "feed/feed.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/limits.h"
#include "core/time.h"
#include "core/url.h"

#include <errno.h>
#include <expat.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One tag is at most this long (longer ones are cut at a UTF-8 boundary);
 * an entry keeps at most this many bytes of tags. Real folder names are a
 * few words; the caps keep a deep folder tree over many feeds from costing
 * depth x title x feeds bytes. */
#define TAG_MAX_BYTES 128
#define TAGS_MAX_BYTES 512

/* ------------------------------------------------------------------------ */
/* tags: comma-separated lists without spaces around the commas              */

/* 1 if the comma-separated list already holds tag (ASCII case-insensitive). */
static int tags_has(const struct td_buf *b, const char *t, size_t n)
{
	const char *p = td_buf_cstr(b);
	while (*p) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);
		if (l == n && !strncasecmp(p, t, n))
			return 1;
		p += l;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* Add one tag (trimmed, whitespace collapsed, cut to TAG_MAX_BYTES) unless
 * empty, already present, or over the list's budget. Commas never reach
 * here. Returns 0 or TD_ENOMEM. */
static int tags_add1(struct td_buf *b, const char *s, size_t n)
{
	char t[TAG_MAX_BYTES + 2];
	size_t w = 0;
	int sp = 0;
	for (size_t i = 0; i < n && w <= TAG_MAX_BYTES; i++) {
		char c = s[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			sp = w > 0;
			continue;
		}
		if ((unsigned char)c < 0x20 || c == 0x7f)
			continue; /* as feed_opml_write drops them */
		if (sp)
			t[w++] = ' ';
		sp = 0;
		if (w <= TAG_MAX_BYTES)
			t[w++] = c;
	}
	if (w > TAG_MAX_BYTES)
		w = td_utf8_cut(t, w, TAG_MAX_BYTES);
	while (w && t[w - 1] == ' ')
		w--;
	if (!w || tags_has(b, t, w))
		return 0;
	if (b->len + w + 1 > TAGS_MAX_BYTES)
		return 0;
	if (b->len)
		td_buf_putc(b, ',');
	td_buf_append(b, t, w);
	return td_buf_err(b) == TD_ENOMEM ? TD_ENOMEM : 0;
}

/* Add every comma-separated piece of s; with slashes set, every
 * slash-separated piece of those (the category attribute's "/a/b"). */
static int tags_add(struct td_buf *b, const char *s, int slashes)
{
	while (*s) {
		size_t l = strcspn(s, slashes ? ",/" : ",");
		if (tags_add1(b, s, l))
			return TD_ENOMEM;
		s += l;
		if (*s)
			s++;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* parse state                                                               */

struct opml {
	XML_Parser xp;
	const char *base;
	int allow_file;

	int depth;        /* element depth */
	int odepth;       /* <outline> depth */
	int root_seen;
	size_t n_outlines; /* every <outline>, for the count limit */
	struct td_buf anc; /* tags of the enclosing folders */
	size_t anc_len[TD_MAX_OPML_DEPTH + 1];

	struct feed_outline *v;
	size_t n, cap;
	size_t *slots; /* open-addressing index by xml_url: entry index + 1 */
	size_t nslots;

	int rc;           /* our own fatal error (limits, OOM, not OPML) */
	char msg[200];    /* its message */
	int line, col;    /* its position */
	size_t skipped;   /* outlines dropped (unusable URL) */
};

static void stop(struct opml *s, int rc, const char *msg)
{
	if (s->rc)
		return;
	s->rc = rc;
	snprintf(s->msg, sizeof s->msg, "%s", msg);
	s->line = (int)XML_GetCurrentLineNumber(s->xp);
	s->col = (int)XML_GetCurrentColumnNumber(s->xp) + 1;
	XML_StopParser(s->xp, XML_FALSE);
}

static uint64_t hash(const char *p)
{
	uint64_t h = 1469598103934665603ull;
	for (; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return h;
}

/* Index of the entry with this xml_url, or SIZE_MAX. */
static size_t find(const struct opml *s, const char *url)
{
	if (!s->nslots)
		return SIZE_MAX;
	size_t i = (size_t)hash(url) & (s->nslots - 1);
	while (s->slots[i]) {
		size_t e = s->slots[i] - 1;
		if (!strcmp(s->v[e].xml_url, url))
			return e;
		i = (i + 1) & (s->nslots - 1);
	}
	return SIZE_MAX;
}

static void slot_put(size_t *slots, size_t nslots, const char *url, size_t e)
{
	size_t i = (size_t)hash(url) & (nslots - 1);
	while (slots[i])
		i = (i + 1) & (nslots - 1);
	slots[i] = e + 1;
}

/* Make room for one more entry (array and index). */
static int grow(struct opml *s)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16, bytes;
		if (td_size_mul(cap, sizeof *s->v, &bytes))
			return TD_ENOMEM;
		struct feed_outline *v = realloc(s->v, bytes);
		if (!v)
			return TD_ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	if ((s->n + 1) * 2 > s->nslots) {
		size_t ns = s->nslots ? s->nslots * 2 : 64;
		size_t *sl = calloc(ns, sizeof *sl);
		if (!sl)
			return TD_ENOMEM;
		for (size_t e = 0; e < s->n; e++)
			slot_put(sl, ns, s->v[e].xml_url, e);
		free(s->slots);
		s->slots = sl;
		s->nslots = ns;
	}
	return 0;
}

/* An attribute's value by name (ASCII case-insensitive), or NULL. */
static const char *attr(const XML_Char **a, const char *name)
{
	for (; a[0]; a += 2)
		if (!strcasecmp(a[0], name))
			return a[1];
	return NULL;
}

/* Copy of s with whitespace collapsed, cut to TD_MAX_FIELD_BYTES; NULL when
 * s is NULL or blank. *oom set on allocation failure. */
static char *text_field(const char *s, int *oom)
{
	if (!s)
		return NULL;
	size_t n = strlen(s);
	n = td_utf8_cut(s, n, TD_MAX_FIELD_BYTES);
	char *t = td_strndup(s, n);
	if (!t) {
		*oom = 1;
		return NULL;
	}
	/* controls go (as feed_opml_write drops them), then whitespace */
	char *w = t;
	for (char *r = t; *r; r++) {
		unsigned char c = (unsigned char)*r;
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
		    c == 0x7f)
			continue;
		*w++ = *r;
	}
	*w = '\0';
	td_collapse_ws(t);
	if (!*t) {
		free(t);
		return NULL;
	}
	return t;
}

/* Resolve a feed or page URL from the document; NULL when unusable. The
 * "feed:" pseudo-scheme ("feed://host/x", "feed:https://host/x") is
 * unwrapped. Only http(s) is accepted, and file: when the OPML is local. */
static char *outline_url(const struct opml *s, const char *raw, int *oom)
{
	if (!raw)
		return NULL;
	while (*raw == ' ' || *raw == '\t' || *raw == '\n' || *raw == '\r')
		raw++;
	char *fixed = NULL;
	if (!strncasecmp(raw, "feed:", 5)) {
		if (!strncmp(raw + 5, "//", 2)) {
			size_t n = strlen(raw + 5);
			fixed = malloc(n + 6);
			if (!fixed) {
				*oom = 1;
				return NULL;
			}
			memcpy(fixed, "http:", 5);
			memcpy(fixed + 5, raw + 5, n + 1);
			raw = fixed;
		} else {
			raw += 5;
		}
	}
	char *u = NULL;
	if (strlen(raw) <= TD_MAX_URL_BYTES)
		u = td_url_resolve(s->base, raw);
	free(fixed);
	if (!u)
		return NULL;
	if (strlen(u) > TD_MAX_URL_BYTES) {
		free(u);
		return NULL;
	}
	if (td_url_is_http(u) ||
	    (s->allow_file && !strncasecmp(u, "file:", 5)))
		return u;
	free(u);
	return NULL;
}

static void outline_start(struct opml *s, const XML_Char **a)
{
	int oom = 0;
	if (++s->n_outlines > TD_MAX_OPML_OUTLINES) {
		stop(s, TD_ETOOBIG, "more outlines than the limit");
		return;
	}
	if (s->odepth >= TD_MAX_OPML_DEPTH) {
		stop(s, TD_ETOOBIG, "outlines nested too deep");
		return;
	}
	s->anc_len[s->odepth++] = s->anc.len;

	const char *xml = attr(a, "xmlUrl");
	const char *title = attr(a, "title");
	const char *text = attr(a, "text");
	if (!title || !*title)
		title = text;
	if (!xml) {
		const char *type = attr(a, "type");
		if (type && (!strcasecmp(type, "rss") || !strcasecmp(type, "atom")))
			xml = attr(a, "url");
	}
	if (xml && strspn(xml, " \t\r\n") == strlen(xml))
		xml = NULL; /* blank: would resolve to the OPML file itself */
	if (!xml) {
		/* a folder: its title tags everything inside */
		if (title && tags_add(&s->anc, title, 0))
			stop(s, TD_ENOMEM, "out of memory");
		return;
	}

	char *url = outline_url(s, xml, &oom);
	if (!url) {
		if (oom)
			stop(s, TD_ENOMEM, "out of memory");
		else
			s->skipped++;
		return;
	}
	struct td_buf tags;
	td_buf_init(&tags, 0);
	const char *cat = attr(a, "category");
	size_t e = find(s, url);
	if (e != SIZE_MAX) {
		/* duplicate: merge tags, fill what the first one lacked */
		struct feed_outline *o = &s->v[e];
		free(url);
		td_buf_puts(&tags, o->tags ? o->tags : "");
		if (tags_add(&tags, td_buf_cstr(&s->anc), 0) ||
		    (cat && tags_add(&tags, cat, 1)))
			goto oom;
		char *t = td_buf_detach(&tags, NULL);
		if (!t)
			goto oom;
		free(o->tags);
		o->tags = *t ? t : NULL;
		if (!*t)
			free(t);
		if (!o->title)
			o->title = text_field(title, &oom);
		if (!o->html_url)
			o->html_url = outline_url(s, attr(a, "htmlUrl"), &oom);
		if (oom)
			goto oom;
		return;
	}
	if (grow(s)) {
		free(url);
		goto oom;
	}
	struct feed_outline o = { .xml_url = url };
	o.title = text_field(title, &oom);
	o.html_url = outline_url(s, attr(a, "htmlUrl"), &oom);
	td_buf_puts(&tags, td_buf_cstr(&s->anc));
	if (cat && tags_add(&tags, cat, 1))
		oom = 1;
	if (tags.len) {
		o.tags = td_buf_detach(&tags, NULL);
		if (!o.tags)
			oom = 1;
	}
	s->v[s->n] = o;
	slot_put(s->slots, s->nslots, url, s->n);
	s->n++;
	if (oom)
		goto oom;
	td_buf_release(&tags);
	return;
oom:
	td_buf_release(&tags);
	stop(s, TD_ENOMEM, "out of memory");
}

static void XMLCALL on_start(void *ud, const XML_Char *name,
			     const XML_Char **a)
{
	struct opml *s = ud;
	if (s->depth++ == 0) {
		s->root_seen = 1;
		if (strcasecmp(name, "opml")) {
			char m[120];
			snprintf(m, sizeof m,
				 "not an OPML document (root element <%.60s>)",
				 name);
			stop(s, TD_EPARSE, m);
		}
		return;
	}
	if (!strcasecmp(name, "outline"))
		outline_start(s, a);
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	struct opml *s = ud;
	s->depth--;
	if (s->depth > 0 && !strcasecmp(name, "outline") && s->odepth > 0) {
		s->odepth--;
		td_buf_truncate(&s->anc, s->anc_len[s->odepth]);
	}
}

static void XMLCALL on_entity_decl(void *ud, const XML_Char *name, int pe,
				   const XML_Char *value, int vlen,
				   const XML_Char *base, const XML_Char *sys,
				   const XML_Char *pub, const XML_Char *notation)
{
	stop(ud, TD_EPARSE, "entity declarations are not allowed");
}

/* Single-byte encodings expat does not know (windows-1252, koi8-r, ...)
 * through iconv; multi-byte ones are refused. */
static int XMLCALL on_unknown_encoding(void *ud, const XML_Char *name,
				       XML_Encoding *info)
{
	iconv_t cd = iconv_open("UTF-32LE", name);
	if (cd == (iconv_t)-1)
		return XML_STATUS_ERROR;
	int ok = 1;
	for (int b = 0; b < 256 && ok; b++) {
		char in = (char)b, outb[8];
		char *ip = &in, *op = outb;
		size_t il = 1, ol = sizeof outb;
		iconv(cd, NULL, NULL, NULL, NULL);
		size_t r = iconv(cd, &ip, &il, &op, &ol);
		if (r == (size_t)-1 && errno == EINVAL) {
			ok = 0; /* a lead byte: multi-byte encoding */
		} else if (r == (size_t)-1 || sizeof outb - ol != 4) {
			info->map[b] = b < 0x80 ? b : 0xFFFD;
		} else {
			uint32_t cp = (uint32_t)(unsigned char)outb[0] |
				      (uint32_t)(unsigned char)outb[1] << 8 |
				      (uint32_t)(unsigned char)outb[2] << 16 |
				      (uint32_t)(unsigned char)outb[3] << 24;
			info->map[b] = cp > 0x10FFFF || cp == 0xFFFE ||
						       cp == 0xFFFF
					       ? 0xFFFD
					       : (int)cp;
		}
	}
	iconv_close(cd);
	info->data = NULL;
	info->convert = NULL;
	info->release = NULL;
	return ok ? XML_STATUS_OK : XML_STATUS_ERROR;
}

static void state_free(struct opml *s)
{
	feed_outlines_free(s->v, s->n);
	s->v = NULL;
	s->n = s->cap = 0;
	free(s->slots);
	s->slots = NULL;
	s->nslots = 0;
	td_buf_release(&s->anc);
}

/* One expat pass over the bytes. Returns 0, our own fatal code in s->rc,
 * or TD_EPARSE with the XML error in *xerr, *line, *col. */
static int run(struct opml *s, const char *data, size_t len,
	       enum XML_Error *xerr, int *line, int *col)
{
	int rc = 0;
	s->depth = s->odepth = s->root_seen = 0;
	s->n_outlines = 0;
	s->rc = 0;
	s->skipped = 0;
	td_buf_init(&s->anc, 0);
	s->xp = XML_ParserCreate(NULL);
	if (!s->xp)
		return TD_ENOMEM;
	XML_SetUserData(s->xp, s);
	XML_SetElementHandler(s->xp, on_start, on_end);
	XML_SetEntityDeclHandler(s->xp, on_entity_decl);
	XML_SetUnknownEncodingHandler(s->xp, on_unknown_encoding, NULL);
	XML_SetParamEntityParsing(s->xp, XML_PARAM_ENTITY_PARSING_NEVER);
	/* feed expat in slices so a huge document needs no int-sized length */
	size_t off = 0;
	do {
		size_t n = len - off > (1u << 30) ? (1u << 30) : len - off;
		int last = off + n == len;
		if (XML_Parse(s->xp, data + off, (int)n, last) ==
		    XML_STATUS_ERROR) {
			if (s->rc) {
				rc = s->rc;
			} else {
				*xerr = XML_GetErrorCode(s->xp);
				*line = (int)XML_GetCurrentLineNumber(s->xp);
				*col = (int)XML_GetCurrentColumnNumber(s->xp) +
				       1;
				rc = TD_EPARSE;
			}
			break;
		}
		off += n;
	} while (off < len);
	XML_ParserFree(s->xp);
	s->xp = NULL;
	return rc;
}

/* ------------------------------------------------------------------------ */
/* repair of common malformations                                            */

/* HTML entities seen in real OPML exports (titles copied from web pages). */
static const struct {
	const char *name;
	unsigned cp;
} html_ents[] = {
	{ "nbsp", 0xA0 },    { "copy", 0xA9 },   { "reg", 0xAE },
	{ "trade", 0x2122 }, { "hellip", 0x2026 }, { "mdash", 0x2014 },
	{ "ndash", 0x2013 }, { "lsquo", 0x2018 }, { "rsquo", 0x2019 },
	{ "ldquo", 0x201C }, { "rdquo", 0x201D }, { "laquo", 0xAB },
	{ "raquo", 0xBB },   { "middot", 0xB7 }, { "bull", 0x2022 },
	{ "euro", 0x20AC },  { "pound", 0xA3 },  { "yen", 0xA5 },
	{ "cent", 0xA2 },    { "sect", 0xA7 },   { "deg", 0xB0 },
	{ "times", 0xD7 },   { "iexcl", 0xA1 },  { "iquest", 0xBF },
	{ "aacute", 0xE1 },  { "agrave", 0xE0 }, { "acirc", 0xE2 },
	{ "auml", 0xE4 },    { "atilde", 0xE3 }, { "aring", 0xE5 },
	{ "aelig", 0xE6 },   { "ccedil", 0xE7 }, { "eacute", 0xE9 },
	{ "egrave", 0xE8 },  { "ecirc", 0xEA },  { "euml", 0xEB },
	{ "iacute", 0xED },  { "igrave", 0xEC }, { "icirc", 0xEE },
	{ "iuml", 0xEF },    { "ntilde", 0xF1 }, { "oacute", 0xF3 },
	{ "ograve", 0xF2 },  { "ocirc", 0xF4 },  { "ouml", 0xF6 },
	{ "otilde", 0xF5 },  { "oslash", 0xF8 }, { "uacute", 0xFA },
	{ "ugrave", 0xF9 },  { "ucirc", 0xFB },  { "uuml", 0xFC },
	{ "szlig", 0xDF },   { "Aacute", 0xC1 }, { "Agrave", 0xC0 },
	{ "Auml", 0xC4 },    { "Ccedil", 0xC7 }, { "Eacute", 0xC9 },
	{ "Egrave", 0xC8 },  { "Ntilde", 0xD1 }, { "Oacute", 0xD3 },
	{ "Ouml", 0xD6 },    { "Uuml", 0xDC },   { "Oslash", 0xD8 },
	{ "Aring", 0xC5 },   { "AElig", 0xC6 },
};

static int xml_char_ok(uint64_t c)
{
	return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
	       (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

static int is_name_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == ':';
}

static int is_name(int c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' ||
	       c == '.';
}

/* Length of a well-formed reference at p ("&amp;", "&#38;", "&#x26;") and
 * what to write instead (into rep, NUL-terminated) when it must change. */
static size_t fix_ref(const char *p, size_t n, char rep[24])
{
	size_t i = 1;
	rep[0] = '\0';
	if (i < n && p[i] == '#') {
		uint64_t v = 0;
		int hex = 0, digits = 0;
		i++;
		if (i < n && (p[i] == 'x' || p[i] == 'X')) {
			hex = 1;
			i++;
		}
		for (; i < n && digits < 12; i++, digits++) {
			int c = (unsigned char)p[i], d;
			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (hex && c >= 'a' && c <= 'f')
				d = c - 'a' + 10;
			else if (hex && c >= 'A' && c <= 'F')
				d = c - 'A' + 10;
			else
				break;
			v = v * (hex ? 16 : 10) + (uint64_t)d;
		}
		if (!digits || i >= n || p[i] != ';')
			return 0;
		if (!xml_char_ok(v))
			snprintf(rep, 24, "&#xFFFD;");
		return i + 1;
	}
	if (i >= n || !is_name_start((unsigned char)p[i]))
		return 0;
	while (i < n && i < 40 && is_name((unsigned char)p[i]))
		i++;
	if (i >= n || p[i] != ';')
		return 0;
	size_t nl = i - 1;
	static const char *pre[] = { "amp", "lt", "gt", "quot", "apos" };
	for (size_t k = 0; k < sizeof pre / sizeof pre[0]; k++)
		if (strlen(pre[k]) == nl && !memcmp(p + 1, pre[k], nl))
			return i + 1;
	for (size_t k = 0; k < sizeof html_ents / sizeof html_ents[0]; k++)
		if (strlen(html_ents[k].name) == nl &&
		    !memcmp(p + 1, html_ents[k].name, nl)) {
			snprintf(rep, 24, "&#%u;", html_ents[k].cp);
			return i + 1;
		}
	/* unknown entity: keep it as literal text */
	snprintf(rep, 24, "&amp;");
	return 1;
}

/* Copy from p up to and including the terminator (or to the end). */
static size_t copy_until(struct td_buf *b, const char *p, size_t n,
			 const char *end)
{
	size_t el = strlen(end), i = 0;
	while (i < n) {
		if (n - i >= el && !memcmp(p + i, end, el)) {
			i += el;
			break;
		}
		i++;
	}
	td_buf_append(b, p, i);
	return i;
}

/* Encoding named in the XML declaration, lower-cased, or "" when none. */
static void declared_encoding(const char *d, size_t len, char out[40])
{
	out[0] = '\0';
	if (len < 5 || memcmp(d, "<?xml", 5))
		return;
	const char *end = memchr(d, '>', len < 300 ? len : 300);
	if (!end)
		return;
	for (const char *p = d; p + 8 < end; p++) {
		if (memcmp(p, "encoding", 8))
			continue;
		p += 8;
		while (p < end && (*p == ' ' || *p == '=' || *p == '\t'))
			p++;
		if (p < end && (*p == '"' || *p == '\''))
			p++;
		size_t w = 0;
		while (p < end && w < 39 && *p != '"' && *p != '\'') {
			char c = *p++;
			out[w++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
		}
		out[w] = '\0';
		return;
	}
}

/* A repaired copy of the document, or NULL when it cannot be repaired (a
 * UTF-16 document) or on OOM. */
static char *repair(const char *d, size_t len, size_t *outlen)
{
	if (len >= 2 && ((d[0] == '\xFE' && d[1] == '\xFF') ||
			 (d[0] == '\xFF' && d[1] == '\xFE') || !d[0] || !d[1]))
		return NULL;
	char enc[40];
	char *clean = NULL;
	declared_encoding(d, len, enc);
	if (!enc[0] || !strcmp(enc, "utf-8") || !strcmp(enc, "utf8") ||
	    !strcmp(enc, "us-ascii")) {
		clean = td_utf8_clean(d, len, &len);
		if (!clean)
			return NULL;
		d = clean;
	}
	struct td_buf b;
	td_buf_init(&b, 0);
	size_t i = 0;
	while (i < len) {
		const char *p = d + i;
		size_t n = len - i;
		const char *stopc = memchr(p, '<', n);
		const char *amp = memchr(p, '&', n);
		if (stopc && (!amp || stopc < amp)) {
			size_t k = (size_t)(stopc - p);
			td_buf_append(&b, p, k);
			i += k;
			p += k;
			n -= k;
			if (n >= 4 && !memcmp(p, "<!--", 4))
				i += copy_until(&b, p, n, "-->");
			else if (n >= 9 && !memcmp(p, "<![CDATA[", 9))
				i += copy_until(&b, p, n, "]]>");
			else if (n >= 2 && !memcmp(p, "<?", 2))
				i += copy_until(&b, p, n, "?>");
			else {
				td_buf_putc(&b, '<');
				i++;
			}
			continue;
		}
		if (!amp) {
			td_buf_append(&b, p, n);
			break;
		}
		size_t k = (size_t)(amp - p);
		td_buf_append(&b, p, k);
		i += k;
		char rep[24];
		size_t rl = fix_ref(amp, n - k, rep);
		if (!rl) {
			td_buf_puts(&b, "&amp;");
			i++;
		} else {
			if (rep[0])
				td_buf_puts(&b, rep);
			else
				td_buf_append(&b, amp, rl);
			i += rl;
		}
	}
	free(clean);
	return td_buf_detach(&b, outlen);
}

/* ------------------------------------------------------------------------ */
/* feed_opml_parse                                                           */

int feed_opml_parse(const char *data, size_t len, const char *base_url,
		    struct feed_outline **out, struct td_error *err)
{
	struct opml s;
	memset(&s, 0, sizeof s);
	enum XML_Error xerr = XML_ERROR_NONE;
	int line = 0, col = 0, rc;
	char *fixed = NULL;

	*out = NULL;
	if (err) {
		err->code = 0;
		err->line = err->col = 0;
		err->msg[0] = '\0';
	}
	s.base = base_url && *base_url ? base_url : NULL;
	s.allow_file = !s.base || !strncasecmp(s.base, "file:", 5);
	if (!data)
		len = 0;
	if (len > TD_MAX_PARSE_BYTES)
		return td_error_set(err, TD_ETOOBIG, "OPML larger than %u bytes",
				    TD_MAX_PARSE_BYTES);

	rc = run(&s, data ? data : "", len, &xerr, &line, &col);
	if (rc == TD_EPARSE && !s.rc) {
		/* malformed: repair and read again, keep the first error */
		size_t flen = 0;
		enum XML_Error xerr2;
		int l2, c2;
		fixed = repair(data ? data : "", len, &flen);
		if (fixed) {
			state_free(&s);
			int rc2 = run(&s, fixed, flen, &xerr2, &l2, &c2);
			if (rc2 != TD_EPARSE && rc2)
				rc = rc2; /* a limit or OOM while re-reading */
			else if (!rc2 && s.root_seen)
				rc = 1; /* repaired */
		}
		if (rc == TD_EPARSE && s.n > 0)
			rc = 1; /* partial: keep what was read */
	}
	if (rc < 0) {
		state_free(&s);
		free(fixed);
		if (rc == TD_EPARSE && !s.rc)
			return td_error_setpos(err, TD_EPARSE, line, col,
					       "%s", XML_ErrorString(xerr));
		if (s.rc)
			return td_error_setpos(err, s.rc, s.line, s.col, "%s",
					       s.msg);
		return td_error_set(err, rc, "%s", td_strerror(rc));
	}
	if (!s.root_seen) {
		state_free(&s);
		free(fixed);
		return td_error_set(err, TD_EPARSE, "empty OPML document");
	}
	if (rc == 1)
		td_error_setpos(err, 0, line, col, "%s (recovered)",
				XML_ErrorString(xerr));
	else if (s.skipped)
		td_error_set(err, 0, "%zu outline%s skipped: unusable xmlUrl",
			     s.skipped, s.skipped == 1 ? "" : "s");
	free(fixed);
	free(s.slots);
	td_buf_release(&s.anc);
	if (!s.n) {
		free(s.v);
		return 0;
	}
	if (s.n > INT32_MAX) { /* cannot happen: TD_MAX_OPML_OUTLINES */
		feed_outlines_free(s.v, s.n);
		return TD_ETOOBIG;
	}
	*out = s.v;
	return (int)s.n;
}

void feed_outlines_free(struct feed_outline *o, size_t n)
{
	if (!o)
		return;
	for (size_t i = 0; i < n; i++) {
		free(o[i].xml_url);
		free(o[i].html_url);
		free(o[i].title);
		free(o[i].tags);
	}
	free(o);
}

/* ------------------------------------------------------------------------ */
/* feed_opml_write                                                           */

/* Append s escaped for an XML attribute (attr) or element text; invalid
 * UTF-8 becomes U+FFFD and control characters are dropped. */
static void put_esc(struct td_buf *b, const char *s, int attr_val)
{
	if (!s)
		return;
	size_t n;
	char *c = td_utf8_clean(s, strlen(s), &n);
	if (!c) {
		b->err = b->err ? b->err : TD_ENOMEM;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		switch (c[i]) {
		case '&': td_buf_puts(b, "&amp;"); break;
		case '<': td_buf_puts(b, "&lt;"); break;
		case '>': td_buf_puts(b, "&gt;"); break;
		case '"':
			td_buf_puts(b, attr_val ? "&quot;" : "\"");
			break;
		case '\t':
			td_buf_puts(b, attr_val ? "&#9;" : "\t");
			break;
		case '\n':
			td_buf_puts(b, attr_val ? "&#10;" : "\n");
			break;
		case '\r': td_buf_puts(b, "&#13;"); break;
		default: td_buf_putc(b, c[i]);
		}
	}
	free(c);
}

static void put_attr(struct td_buf *b, const char *name, const char *v)
{
	if (!v)
		return;
	td_buf_printf(b, " %s=\"", name);
	put_esc(b, v, 1);
	td_buf_putc(b, '"');
}

/* Length of the first tag of a list ("" for none). */
static size_t first_tag_len(const char *tags)
{
	return tags ? strcspn(tags, ",") : 0;
}

static void put_outline(struct td_buf *b, const struct feed_outline *o,
			const char *indent)
{
	td_buf_printf(b, "%s<outline type=\"rss\"", indent);
	put_attr(b, "text", o->title ? o->title : "");
	put_attr(b, "title", o->title);
	put_attr(b, "xmlUrl", o->xml_url);
	put_attr(b, "htmlUrl", o->html_url);
	/* tags after the first (the folder) travel in category */
	size_t f = first_tag_len(o->tags);
	if (o->tags && o->tags[f] == ',') {
		struct td_buf c;
		td_buf_init(&c, 0);
		const char *p = o->tags + f + 1;
		while (*p) {
			size_t l = strcspn(p, ",");
			if (l) {
				if (c.len)
					td_buf_putc(&c, ',');
				td_buf_putc(&c, '/');
				td_buf_append(&c, p, l);
			}
			p += l;
			if (*p)
				p++;
		}
		if (td_buf_err(&c))
			b->err = b->err ? b->err : td_buf_err(&c);
		else if (c.len)
			put_attr(b, "category", td_buf_cstr(&c));
		td_buf_release(&c);
	}
	td_buf_puts(b, "/>\n");
}

struct wkey {
	const char *tag; /* first tag, NULL when untagged */
	size_t len;
	size_t idx;
};

/* Folders in byte order of their name, untagged entries last; within a
 * folder the caller's order. */
static int wkey_cmp(const void *a, const void *b)
{
	const struct wkey *x = a, *y = b;
	if (!x->tag != !y->tag)
		return x->tag ? -1 : 1;
	if (x->tag) {
		size_t m = x->len < y->len ? x->len : y->len;
		int c = memcmp(x->tag, y->tag, m);
		if (c)
			return c;
		if (x->len != y->len)
			return x->len < y->len ? -1 : 1;
	}
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

int feed_opml_write(const struct feed_outline *o, size_t n, const char *title,
		    struct td_buf *out)
{
	char date[32];
	struct wkey *k = NULL;
	size_t nk = 0;
	if (n) {
		k = calloc(n, sizeof *k);
		if (!k)
			return out->err = out->err ? out->err : TD_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		if (!o[i].xml_url)
			continue;
		size_t fl = first_tag_len(o[i].tags);
		k[nk++] = (struct wkey){ fl ? o[i].tags : NULL, fl, i };
	}
	if (nk)
		qsort(k, nk, sizeof *k, wkey_cmp);

	td_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			 "<opml version=\"2.0\">\n  <head>\n    <title>");
	put_esc(out, title ? title : "tidings subscriptions", 0);
	td_buf_printf(out,
		      "</title>\n    <dateCreated>%s</dateCreated>\n  </head>\n"
		      "  <body>\n",
		      td_time_rfc1123(td_now(), date));
	for (size_t i = 0; i < nk;) {
		if (!k[i].tag) {
			put_outline(out, &o[k[i].idx], "    ");
			i++;
			continue;
		}
		char *folder = td_strndup(k[i].tag, k[i].len);
		if (!folder) {
			out->err = out->err ? out->err : TD_ENOMEM;
			break;
		}
		td_buf_puts(out, "    <outline");
		put_attr(out, "text", folder);
		put_attr(out, "title", folder);
		td_buf_puts(out, ">\n");
		size_t j = i;
		while (j < nk && k[j].tag && k[j].len == k[i].len &&
		       !memcmp(k[j].tag, k[i].tag, k[i].len))
			put_outline(out, &o[k[j++].idx], "      ");
		td_buf_puts(out, "    </outline>\n");
		free(folder);
		i = j;
	}
	td_buf_puts(out, "  </body>\n</opml>\n");
	free(k);
	return td_buf_err(out);
}
