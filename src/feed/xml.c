/*
 * xml.c - RSS 0.90-2.0, RSS 1.0 (RDF) and Atom 0.3/1.0 into struct feed.
 *
 * Design
 * ------
 * One streaming pass, no DOM. Events (start tag with attributes, end tag,
 * text) come from one of three producers and go to one consumer:
 *
 *   strict fast tokenizer (this file) --.
 *   expat (plain, not namespace mode) --+--> start/end/text handlers -->
 *   tolerant tag scanner (this file) ---'    struct feed being built
 *
 * The handlers track namespaces themselves (a small binding stack), so a
 * prefix is matched by URI, common wrong URIs are accepted, and an unbound
 * well-known prefix (media:, dc:, content: ...) still means what it usually
 * means. Each open element has a frame (role in the feed, xml:base, xml:lang);
 * at most TD_MAX_XML_DEPTH frames exist, deeper elements are only counted
 * and their content skipped. Text of an interesting element is appended to
 * one capture buffer (bounded by the field's limit); child elements inside a
 * captured HTML field (inline XHTML in Atom or RSS) are serialised as HTML.
 *
 * Pass 0, the normal case: the strict fast tokenizer ("Pass 0" below)
 * reads well-formed documents in the subset nearly every feed uses (no
 * DOCTYPE, the predefined entities only, ASCII names) straight from the
 * text, with the values expat would pass; at the first thing outside that
 * subset it gives up, the state is reset, and the passes below run as if
 * it had not been tried. It is what makes `tidings parse` fast (no copy of
 * the document, no expat parser to build, a SIMD scan of character data).
 *
 * Recovery, in at most three passes, all linear:
 *   1. expat over the UTF-8 text as is;
 *   2. on a fatal error, the text is repaired in one O(n) pass (HTML named
 *      entities rewritten as numeric references, bare '&' and '<' escaped,
 *      control characters dropped, junk before the XML declaration, the
 *      DOCTYPE, comments and processing instructions removed, attributes
 *      quoted and de-duplicated; CDATA sections copied as they are) and
 *      expat runs again from scratch;
 *   3. if that still fails (mismatched or missing end tags, truncation,
 *      a second root, nesting deeper than the limit), the repaired text is
 *      read by the tolerant scanner: an end tag closes the nearest open
 *      element of that name (or is ignored), end of input closes everything,
 *      and the last item of a truncated document is kept only if it has a
 *      title or a link.
 * The first problem is reported in feed->warning with its line and column
 * (positions of pass 1, i.e. the document as converted to UTF-8).
 *
 * XML safety: no DTD is ever loaded (param entity parsing NEVER, no external
 * entity handler); internal entity expansion is bounded by expat's billion
 * laughs protection (activation at TD_MAX_ENTITY_EXPANSION, amplification
 * 8x); an expansion error sends the document to the repair pass, which drops
 * the DOCTYPE, so declared entities are then kept as literal text.
 * The fast path expands nothing (it gives up at a DOCTYPE or any entity
 * but the five predefined) and gives up at the depth limit.
 */
#include "feed/feed.h"
#include "feed/feed_int.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/limits.h"
#include "core/time.h"
#include "core/url.h"

#ifndef XML_DTD
#define XML_DTD /* Debian builds expat with DTD support */
#endif
#include <expat.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ======================================================================== */
/* Namespaces                                                               */
/* ======================================================================== */

enum ns {
	NS_NONE,
	NS_OTHER,
	NS_RSS090,
	NS_RSS10,
	NS_RSS20, /* the namespaces some RSS 2.0 feeds put on <rss> */
	NS_ATOM10,
	NS_ATOM03,
	NS_RDF,
	NS_DC,
	NS_DCTERMS,
	NS_CONTENT,
	NS_MEDIA,
	NS_ITUNES,
	NS_SLASH,
	NS_SY,
	NS_XHTML,
	NS_XML,
};

/* URIs compared after dropping the scheme, "www.", a trailing '/' or '#'
 * and case. */
static const struct {
	char uri[40];
	uint8_t ns;
} known_ns[] = {
	{ "my.netscape.com/rdf/simple/0.9", NS_RSS090 },
	{ "purl.org/rss/1.0", NS_RSS10 },
	{ "backend.userland.com/rss2", NS_RSS20 },
	{ "backend.userland.com/rss", NS_RSS20 },
	{ "blogs.law.harvard.edu/tech/rss", NS_RSS20 },
	{ "w3.org/2005/atom", NS_ATOM10 },
	{ "purl.org/atom/ns", NS_ATOM03 },
	{ "w3.org/1999/02/22-rdf-syntax-ns", NS_RDF },
	{ "purl.org/dc/elements/1.1", NS_DC },
	{ "purl.org/dc/elements/1.0", NS_DC },
	{ "purl.org/rss/1.0/modules/dc", NS_DC },
	{ "purl.org/dc/terms", NS_DCTERMS },
	{ "purl.org/rss/1.0/modules/dcterms", NS_DCTERMS },
	{ "purl.org/rss/1.0/modules/content", NS_CONTENT },
	{ "search.yahoo.com/mrss", NS_MEDIA },
	{ "video.search.yahoo.com/mrss", NS_MEDIA },
	{ "tools.search.yahoo.com/mrss", NS_MEDIA },
	{ "itunes.com/dtds/podcast-1.0.dtd", NS_ITUNES },
	{ "itunes.com/dtds/podcast-1.0", NS_ITUNES },
	{ "apple.com/itunes", NS_ITUNES },
	{ "purl.org/rss/1.0/modules/slash", NS_SLASH },
	{ "purl.org/rss/1.0/modules/syndication", NS_SY },
	{ "w3.org/1999/xhtml", NS_XHTML },
	{ "w3.org/xml/1998/namespace", NS_XML },
};

/* Meaning of a prefix that was never bound (a common feed bug). */
static const struct {
	char prefix[8];
	uint8_t ns;
} default_prefixes[] = {
	{ "atom", NS_ATOM10 },	   { "content", NS_CONTENT },
	{ "dc", NS_DC },	   { "dcterms", NS_DCTERMS },
	{ "itunes", NS_ITUNES },   { "media", NS_MEDIA },
	{ "rdf", NS_RDF },	   { "slash", NS_SLASH },
	{ "sy", NS_SY },	   { "xhtml", NS_XHTML },
	{ "xml", NS_XML },
};

static int lc(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

static enum ns ns_from_uri(const char *u)
{
	size_t n = strlen(u);
	while (n && (u[0] == ' ' || u[0] == '\t' || u[0] == '\n' || u[0] == '\r')) {
		u++;
		n--;
	}
	while (n && (u[n - 1] == ' ' || u[n - 1] == '\t' || u[n - 1] == '\n' ||
		     u[n - 1] == '\r'))
		n--;
	if (n == 0)
		return NS_NONE;
	if (n >= 7 && !strncasecmp(u, "http://", 7)) {
		u += 7;
		n -= 7;
	} else if (n >= 8 && !strncasecmp(u, "https://", 8)) {
		u += 8;
		n -= 8;
	}
	if (n >= 4 && !strncasecmp(u, "www.", 4)) {
		u += 4;
		n -= 4;
	}
	while (n && (u[n - 1] == '/' || u[n - 1] == '#'))
		n--;
	for (size_t i = 0; i < sizeof known_ns / sizeof known_ns[0]; i++) {
		const char *k = known_ns[i].uri;
		size_t kl = strlen(k);
		if (kl != n)
			continue;
		size_t j = 0;
		while (j < n && lc((unsigned char)u[j]) == k[j])
			j++;
		if (j == n)
			return (enum ns)known_ns[i].ns;
	}
	return NS_OTHER;
}

/* ======================================================================== */
/* Element names                                                            */
/* ======================================================================== */

enum name {
	N_UNKNOWN,
	N_AUTHOR,
	N_CATEGORY,
	N_CHANNEL,
	N_COMMENTS,
	N_CONTENT,
	N_CONTRIBUTOR,
	N_CREATED,
	N_CREATOR,
	N_DATE,
	N_DAY,
	N_DESCRIPTION,
	N_DIV,
	N_DURATION,
	N_EMAIL,
	N_ENCLOSURE,
	N_ENCODED,
	N_ENTRY,
	N_FEED,
	N_GROUP,
	N_GUID,
	N_HOUR,
	N_ICON,
	N_ID,
	N_IMAGE,
	N_ISSUED,
	N_ITEM,
	N_KEYWORDS,
	N_LANGUAGE,
	N_LASTBUILDDATE,
	N_LINK,
	N_LOGO,
	N_MANAGINGEDITOR,
	N_MODIFIED,
	N_NAME,
	N_PUBDATE,
	N_PUBLISHED,
	N_RDF,
	N_RSS,
	N_SKIPDAYS,
	N_SKIPHOURS,
	N_SOURCE,
	N_SUBJECT,
	N_SUBTITLE,
	N_SUMMARY,
	N_TAGLINE,
	N_THUMBNAIL,
	N_TITLE,
	N_TTL,
	N_UPDATED,
	N_UPDATEFREQUENCY,
	N_UPDATEPERIOD,
	N_URI,
	N_URL,
};

/* Sorted by lower-cased name for binary search. */
static const struct {
	char s[16];
	uint8_t id;
} names[] = {
	{ "author", N_AUTHOR },
	{ "category", N_CATEGORY },
	{ "channel", N_CHANNEL },
	{ "comments", N_COMMENTS },
	{ "content", N_CONTENT },
	{ "contributor", N_CONTRIBUTOR },
	{ "created", N_CREATED },
	{ "creator", N_CREATOR },
	{ "date", N_DATE },
	{ "day", N_DAY },
	{ "description", N_DESCRIPTION },
	{ "div", N_DIV },
	{ "duration", N_DURATION },
	{ "email", N_EMAIL },
	{ "enclosure", N_ENCLOSURE },
	{ "encoded", N_ENCODED },
	{ "entry", N_ENTRY },
	{ "feed", N_FEED },
	{ "group", N_GROUP },
	{ "guid", N_GUID },
	{ "hour", N_HOUR },
	{ "icon", N_ICON },
	{ "id", N_ID },
	{ "image", N_IMAGE },
	{ "issued", N_ISSUED },
	{ "item", N_ITEM },
	{ "keywords", N_KEYWORDS },
	{ "language", N_LANGUAGE },
	{ "lastbuilddate", N_LASTBUILDDATE },
	{ "link", N_LINK },
	{ "logo", N_LOGO },
	{ "managingeditor", N_MANAGINGEDITOR },
	{ "modified", N_MODIFIED },
	{ "name", N_NAME },
	{ "pubdate", N_PUBDATE },
	{ "published", N_PUBLISHED },
	{ "rdf", N_RDF },
	{ "rss", N_RSS },
	{ "skipdays", N_SKIPDAYS },
	{ "skiphours", N_SKIPHOURS },
	{ "source", N_SOURCE },
	{ "subject", N_SUBJECT },
	{ "subtitle", N_SUBTITLE },
	{ "summary", N_SUMMARY },
	{ "tagline", N_TAGLINE },
	{ "thumbnail", N_THUMBNAIL },
	{ "title", N_TITLE },
	{ "ttl", N_TTL },
	{ "updated", N_UPDATED },
	{ "updatefrequency", N_UPDATEFREQUENCY },
	{ "updateperiod", N_UPDATEPERIOD },
	{ "uri", N_URI },
	{ "url", N_URL },
};

/* A name as two big-endian words of its zero-padded lower-cased bytes:
 * comparing the words compares the names as strcmp does. */
static void name_key(const char *s, uint64_t k[2])
{
	memcpy(k, s, 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	k[0] = __builtin_bswap64(k[0]);
	k[1] = __builtin_bswap64(k[1]);
#endif
}

static enum name name_id(const char *s, size_t n)
{
	char low[16] = { 0 };
	if (n == 0 || n >= sizeof low)
		return N_UNKNOWN;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)lc((unsigned char)s[i]);
	uint64_t k[2], e[2];
	name_key(low, k);
	size_t lo = 0, hi = sizeof names / sizeof names[0];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		name_key(names[mid].s, e);
		if (e[0] == k[0] && e[1] == k[1])
			return (enum name)names[mid].id;
		if (e[0] < k[0] || (e[0] == k[0] && e[1] < k[1]))
			lo = mid + 1;
		else
			hi = mid;
	}
	return N_UNKNOWN;
}

/* ======================================================================== */
/* Text helpers                                                             */
/* ======================================================================== */

static int is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_alnum(int c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

static const uint16_t c1_to_cp1252[32] = {
	0x20AC, 0x81,	0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,	0x017D, 0x8F,
	0x90,	0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,	0x017E, 0x0178,
};

/* Parse an entity reference at s[0] == '&'. On success returns its length
 * (including the ';') and stores code points; 0 when it is not a reference
 * we know. html: numeric references in the C1 range map as in HTML. */
static size_t parse_ref(const char *s, size_t n, uint32_t cp[2], int *ncp,
			int html)
{
	if (n < 3)
		return 0;
	if (s[1] == '#') {
		size_t i = 2;
		uint32_t v = 0;
		int hex = 0, digits = 0;
		if (i < n && (s[i] == 'x' || s[i] == 'X')) {
			hex = 1;
			i++;
		}
		for (; i < n && digits < 10; i++, digits++) {
			int c = (unsigned char)s[i], d;
			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (hex && c >= 'a' && c <= 'f')
				d = c - 'a' + 10;
			else if (hex && c >= 'A' && c <= 'F')
				d = c - 'A' + 10;
			else
				break;
			v = v * (hex ? 16u : 10u) + (uint32_t)d;
		}
		if (!digits || digits >= 10 || i >= n || s[i] != ';')
			return 0;
		if (html && v >= 0x80 && v < 0xA0)
			v = c1_to_cp1252[v - 0x80];
		if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
			v = 0xFFFD;
		cp[0] = v;
		*ncp = 1;
		return i + 1;
	}
	size_t i = 1;
	while (i < n && i <= FEED_ENTITY_MAX_NAME + 1 && is_alnum((unsigned char)s[i]))
		i++;
	if (i == 1 || i >= n || s[i] != ';' || !is_alpha((unsigned char)s[1]))
		return 0;
	int k = feed_entity_lookup(s + 1, i - 1, cp);
	if (!k)
		return 0;
	*ncp = k;
	return i + 1;
}

static void put_cp(struct td_buf *b, uint32_t cp)
{
	/* drop C0 controls other than whitespace */
	if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r')
		return;
	td_buf_put_utf8(b, cp);
}

int feed_html_decode(const char *s, size_t len, struct td_buf *out)
{
	size_t run = 0, i = 0;
	while (i < len) {
		const char *amp = memchr(s + i, '&', len - i);
		if (!amp)
			break;
		i = (size_t)(amp - s);
		uint32_t cp[2];
		int k;
		size_t n = parse_ref(s + i, len - i, cp, &k, 1);
		if (!n) {
			i++;
			continue;
		}
		td_buf_append(out, s + run, i - run);
		for (int j = 0; j < k; j++)
			put_cp(out, cp[j]);
		i += n;
		run = i;
	}
	td_buf_append(out, s + run, len - run);
	return td_buf_err(out);
}

/* Tags whose boundaries separate words. */
static int block_tag(const char *s, size_t n)
{
	static const char *const tags[] = {
		"address", "article", "aside", "blockquote", "br", "dd",
		"div", "dl", "dt", "figcaption", "figure", "footer", "h1",
		"h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol",
		"p", "pre", "section", "table", "td", "th", "tr", "ul", NULL
	};
	char low[12];
	if (n == 0 || n >= sizeof low)
		return 0;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)lc((unsigned char)s[i]);
	low[n] = '\0';
	for (int i = 0; tags[i]; i++)
		if (!strcmp(tags[i], low))
			return 1;
	return 0;
}

/* Find needle in s[from..len). */
static const char *find_str(const char *s, size_t len, size_t from,
			    const char *needle)
{
	size_t nl = strlen(needle);
	while (from + nl <= len) {
		const char *p = memchr(s + from, needle[0], len - from - nl + 1);
		if (!p)
			return NULL;
		if (!memcmp(p, needle, nl))
			return p;
		from = (size_t)(p - s) + 1;
	}
	return NULL;
}

/* Find needle in s[from..len) case-insensitively (ASCII needle). */
static const char *find_ci(const char *s, size_t len, size_t from,
			   const char *needle)
{
	size_t nl = strlen(needle);
	for (size_t i = from; i + nl <= len; i++) {
		if (lc((unsigned char)s[i]) != needle[0])
			continue;
		size_t j = 1;
		while (j < nl && lc((unsigned char)s[i + j]) == needle[j])
			j++;
		if (j == nl)
			return s + i;
	}
	return NULL;
}

/* Where the scalar loop in feed_html_to_text must look from: skips, fifteen
 * bytes at a time, bytes that are neither '<', '&', whitespace other than
 * a space, nor a space followed by one of those or another space. */
static size_t word_run(const char *s, size_t j, size_t len)
{
#ifdef __SSE2__
	for (; j + 16 <= len; j += 15) {
		__m128i v = _mm_loadu_si128((const __m128i *)(s + j));
		__m128i m = _mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('<')),
				     _mm_cmpeq_epi8(v, _mm_set1_epi8('&'))),
			_mm_or_si128(
				_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')),
					     _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))),
				_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')),
					     _mm_cmpeq_epi8(v, _mm_set1_epi8('\f')))));
		unsigned m1 = (unsigned)_mm_movemask_epi8(m);
		unsigned sp = (unsigned)_mm_movemask_epi8(
			_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')));
		unsigned stop = (m1 | (sp & ((m1 | sp) >> 1))) & 0x7FFF;
		if (stop)
			return j + (size_t)__builtin_ctz(stop);
	}
#endif
	return j;
}

int feed_html_to_text(const char *s, size_t len, size_t max,
		      struct td_buf *out)
{
	size_t start = out->len;
	int space = 0;	  /* a space is pending before the next word */
	size_t no_gt = len; /* no '>' at or after this offset */
	size_t i = 0;
	while (i < len && !td_buf_err(out)) {
		unsigned char c = (unsigned char)s[i];
		if (c == '<' && i + 1 < len &&
		    (is_alpha((unsigned char)s[i + 1]) || s[i + 1] == '/' ||
		     s[i + 1] == '!' || s[i + 1] == '?')) {
			if (i + 4 <= len && !memcmp(s + i, "<!--", 4)) {
				const char *e = i + 4 < len ? find_str(s, len, i + 4, "-->") : NULL;
				i = e ? (size_t)(e - s) + 3 : len;
				continue;
			}
			const char *gt = NULL;
			if (i < no_gt) {
				gt = memchr(s + i, '>', len - i);
				if (!gt)
					no_gt = i;
			}
			if (!gt)
				goto text; /* a lone '<' */
			size_t ns = i + 1 + (s[i + 1] == '/');
			size_t ne = ns;
			while (ne < (size_t)(gt - s) && is_alnum((unsigned char)s[ne]))
				ne++;
			i = (size_t)(gt - s) + 1;
			if (block_tag(s + ns, ne - ns))
				space = 1;
			if (s[ns - 1] != '/' &&
			    ((ne - ns == 6 && !strncasecmp(s + ns, "script", 6)) ||
			     (ne - ns == 5 && !strncasecmp(s + ns, "style", 5)))) {
				const char *e = find_ci(s, len, i,
							ne - ns == 6 ? "</script"
								     : "</style");
				if (!e) {
					i = len;
				} else {
					const char *g = memchr(e, '>', len - (size_t)(e - s));
					i = g ? (size_t)(g - s) + 1 : len;
				}
			}
			continue;
		}
	text:
		if (is_ws(c)) {
			space = 1;
			i++;
			continue;
		}
		if (space && out->len > start)
			td_buf_putc(out, ' ');
		space = 0;
		if (c == '&') {
			uint32_t cp[2];
			int k;
			size_t n = parse_ref(s + i, len - i, cp, &k, 1);
			if (n) {
				for (int j = 0; j < k; j++) {
					if (cp[j] == '\t' || cp[j] == '\n' ||
					    cp[j] == '\r' || cp[j] == ' ')
						space = 1;
					else
						put_cp(out, cp[j]);
				}
				i += n;
				continue;
			}
		}
		/* copy a run of ordinary bytes, single spaces between words
		 * included */
		size_t j = word_run(s, i + 1, len);
		for (; j < len; j++) {
			unsigned char d = (unsigned char)s[j];
			if (d == '<' || d == '&')
				break;
			if (d == ' ' && j + 1 < len) {
				unsigned char e = (unsigned char)s[j + 1];
				if (e != '<' && e != '&' && !is_ws(e))
					continue;
			}
			if (is_ws(d))
				break;
		}
		td_buf_append(out, s + i, j - i);
		i = j;
		if (out->len - start > max)
			break;
	}
	if (out->len - start > max)
		td_buf_truncate(out, start + td_utf8_cut(out->p + start,
							 out->len - start, max));
	return td_buf_err(out);
}

/* Line and column (1-based) of p in s. */
static void position(const char *s, const char *p, int *line, int *col)
{
	int l = 1;
	const char *bol = s;
	for (const char *q = s; q < p; q++)
		if (*q == '\n') {
			l++;
			bol = q + 1;
		}
	*line = l;
	*col = (int)(p - bol) + 1;
}

/* ======================================================================== */
/* Parser state                                                             */
/* ======================================================================== */

/* What an open element is to the parser. */
enum role {
	R_SEARCH,  /* outside any feed root: looking for one */
	R_IGNORE,  /* skip the whole subtree */
	R_ROOT,	   /* <rss>, <rdf:RDF> */
	R_CHANNEL, /* RSS <channel>, Atom <feed> */
	R_ITEM,	   /* RSS <item>, Atom <entry> */
	R_IMAGE,   /* RSS <image> */
	R_PERSON,  /* Atom <author>/<contributor> */
	R_MEDIA,   /* media:group, media:content (children are media:*) */
	R_ITCAT,   /* an item's itunes:category (children: subcategories) */
	R_SKIPHOURS,
	R_SKIPDAYS,
	R_CAPTURE, /* element whose text is being captured */
	R_INNER,   /* element inside a capture */
	R_LEAF,	   /* handled at its start tag; content ignored */
};

/* Vocabularies: which element set a (namespace, name) belongs to. */
enum vocab { V_OTHER, V_RSS, V_ATOM, V_DC, V_DCTERMS, V_CONTENT, V_MEDIA,
	     V_ITUNES, V_SLASH, V_SY };

/* Fields filled by captured text. */
enum field {
	F_TITLE, F_DC_TITLE, F_MEDIA_TITLE, F_LINK, F_GUID, F_ID, F_DESC,
	F_ENCODED, F_CONTENT, F_SUMMARY, F_SUBTITLE, F_DC_DESC,
	F_ITUNES_SUMMARY, F_ITUNES_SUBTITLE, F_MEDIA_DESC, F_COMMENTS,
	F_AUTHOR, F_DC_CREATOR, F_ITUNES_AUTHOR, F_CATEGORY, F_KEYWORDS,
	F_LANGUAGE, F_DC_LANGUAGE, F_DATE, F_TTL, F_HOUR, F_DAY, F_IMAGE_URL,
	F_ICON, F_LOGO, F_PERSON_NAME, F_PERSON_URI, F_PERSON_EMAIL,
	F_SLASH_COMMENTS, F_SY_PERIOD, F_SY_FREQ, F_DURATION,
};

/* String slots of an item or the channel while it is open (first wins). */
enum slot {
	S_TITLE, S_DC_TITLE, S_MEDIA_TITLE, S_LINK, S_GUID, S_GUID_URL, S_ID,
	S_DESC, S_ENCODED, S_CONTENT, S_SUMMARY, S_SUBTITLE, S_DC_DESC,
	S_ITUNES_SUMMARY, S_ITUNES_SUBTITLE, S_MEDIA_DESC, S_COMMENTS,
	S_REPLIES, S_SRC, S_RELATED, S_VIA, S_THUMB, S_MEDIA_IMAGE,
	S_ITUNES_IMAGE, S_LANGUAGE, S_DC_LANGUAGE, S_XMLLANG, S_SELF, S_NEXT,
	S_IMAGE_URL, S_ICON, S_LOGO, S_ABOUT, S_COUNT
};

/* Date slots, in order of preference within each group. */
enum dslot {
	D_PUBDATE, D_PUBLISHED, D_ISSUED, D_CREATED, D_DC_DATE, D_DCT_ISSUED,
	D_DCT_CREATED, D_LASTBUILD, D_UPDATED, D_MODIFIED, D_DCT_MODIFIED,
	D_COUNT
};

struct pending {
	char *s[S_COUNT];
	int64_t d[D_COUNT];
	int guid_perma; /* -1 absent, 0 false, 1 true */
	int64_t duration;
	int64_t comments;
	char *itunes_author;
	struct feed_person *contribs;
	size_t n_contribs;
	/* xml:base in scope where each HTML content slot was captured (NULL:
	 * none but the document's); index CB_* */
	char *cbase[3];
	struct feed_item it; /* lists (authors, tags, attachments) grow here */
};

enum { CB_DESC, CB_ENCODED, CB_CONTENT };

struct frame {
	uint8_t role;
	uint8_t defns;	/* default namespace in scope */
	uint8_t nsdecl; /* bindings pushed by this element */
	uint8_t own_base, own_lang;
	uint8_t is_void;  /* inside a capture: HTML void element */
	uint8_t skip_tag; /* inside a capture: unwrapped xhtml <div> */
	const char *base;
	const char *lang;
	const char *qname; /* scanner only: points into the document */
	size_t qlen;
};

#define MAX_NS 256
struct nsbind {
	char prefix[32];
	uint8_t plen;
	uint8_t ns;
};

struct capture {
	int depth;     /* depth of the capturing element; -1: none */
	uint8_t field;
	uint8_t dslot;
	uint8_t html;	/* char data is HTML source (else plain text) */
	uint8_t markup; /* buffer holds serialised markup */
	uint8_t xhtml;	/* Atom type=xhtml: unwrap the first div */
	uint8_t div_seen;
	uint8_t full;
	uint8_t b64;	/* base64 value, decoded at the end: 1 Atom 0.3
			   mode="base64", 2 Atom 1.0 non-text media type
			   (kept only if it decodes to UTF-8 text) */
	size_t max;
	const char *base;
	/* While the capture is one run of the fast path's document, it is
	 * kept as that span and copied only if more text follows. */
	const char *span;
	size_t span_len;
	struct td_buf buf;
};

enum root_kind { RK_NONE, RK_RSS, RK_RDF, RK_ATOM };

struct ctx {
	const struct feed_parse_opts *opts;
	struct feed *feed;
	size_t items_cap;

	int depth;    /* open frames */
	long overflow; /* open elements beyond TD_MAX_XML_DEPTH */
	int nns;

	int root_kind;
	int have_root;	   /* a feed root was found */
	char first_name[64]; /* first element of the document */
	int first_line, first_col;
	int seen_element;

	struct capture cap;
	struct pending chan;
	struct pending item;
	int in_item;
	int in_person;
	int person_contrib;
	struct feed_person person;

	int sy_period; /* seconds, 0 unset */
	int sy_freq;   /* 0 unset */
	int eof;       /* the scanner closes elements at end of input */
	int too_deep;  /* expat pass: nesting limit hit, parser stopped */
	int item_limit_warned;
	int oom;

	XML_Parser xp; /* current expat parser, for positions */
	const char *doc; /* scanner: the document, for positions */
	const char *pos; /* scanner: current position */

	struct td_buf tmp;

	/* Last, and not zeroed at allocation (an entry is written before it
	 * is read): zeroing 30 KB would fault in pages never used. */
	struct frame frames[TD_MAX_XML_DEPTH];
	struct nsbind ns[MAX_NS];
};

/* ---- warnings ---- */

#define warn(c, line, col, ...) feed_warn((c)->feed, line, col, __VA_ARGS__)

/* ---- pending item / channel ---- */

static void pending_init(struct pending *p)
{
	memset(p, 0, sizeof *p);
	for (int i = 0; i < D_COUNT; i++)
		p->d[i] = TD_TIME_NONE;
	p->guid_perma = -1;
	p->duration = -1;
	p->comments = -1;
	p->it.date_published = p->it.date_modified = TD_TIME_NONE;
	p->it.comments = -1;
}

static void pending_release(struct pending *p)
{
	for (int i = 0; i < S_COUNT; i++)
		free(p->s[i]);
	free(p->itunes_author);
	for (size_t i = 0; i < p->n_contribs; i++)
		feed_person_release(&p->contribs[i]);
	free(p->contribs);
	for (int i = 0; i < 3; i++)
		free(p->cbase[i]);
	feed_item_release(&p->it);
	pending_init(p);
}

static struct pending *cur(struct ctx *c)
{
	return c->in_item ? &c->item : &c->chan;
}

/* Store s in slot k unless it is already filled; takes s. */
static void set_slot(struct pending *p, enum slot k, char *s)
{
	if (!s)
		return;
	if (p->s[k] || !*s) {
		free(s);
		return;
	}
	p->s[k] = s;
}

static char *take(struct pending *p, enum slot k)
{
	char *s = p->s[k];
	p->s[k] = NULL;
	return s;
}

/* Grow an array of n elements of size sz to hold one more; NULL on OOM or
 * when the list is at TD_MAX_ITEM_LIST. */
static void *grow(void *v, size_t n, size_t sz)
{
	if (n >= TD_MAX_ITEM_LIST)
		return NULL;
	if (n & (n - 1)) /* not a power of two: room left */
		return v;
	size_t cap = n ? n * 2 : 1;
	return realloc(v, cap * sz);
}

static int add_person(struct feed_person **v, size_t *n,
		      struct feed_person *p)
{
	if (!p->name && !p->url && !p->email)
		return 0;
	for (size_t i = 0; i < *n; i++) {
		struct feed_person *q = &(*v)[i];
		if (p->name && q->name && !strcmp(p->name, q->name)) {
			if (!q->url && p->url) {
				q->url = p->url;
				p->url = NULL;
			}
			if (!q->email && p->email) {
				q->email = p->email;
				p->email = NULL;
			}
			feed_person_release(p);
			return 0;
		}
	}
	struct feed_person *nv = grow(*v, *n, sizeof *nv);
	if (!nv) {
		feed_person_release(p);
		return TD_ENOMEM;
	}
	*v = nv;
	nv[(*n)++] = *p;
	memset(p, 0, sizeof *p);
	return 0;
}

static void add_tag(struct feed_item *it, char *t)
{
	if (!t)
		return;
	if (!*t)
		goto drop;
	for (size_t i = 0; i < it->n_tags; i++)
		if (!strcmp(it->tags[i], t))
			goto drop;
	char **nv = grow(it->tags, it->n_tags, sizeof *nv);
	if (!nv)
		goto drop;
	it->tags = nv;
	nv[it->n_tags++] = t;
	return;
drop:
	free(t);
}

/* Add an attachment; one with a URL already present fills in what the
 * earlier one lacked. Takes url, type and title. */
static void add_attachment(struct feed_item *it, char *url, char *type,
			   char *title, int64_t size, int64_t dur)
{
	if (!url) {
		free(type);
		free(title);
		return;
	}
	for (size_t i = 0; i < it->n_attachments; i++) {
		struct feed_attachment *a = &it->attachments[i];
		if (strcmp(a->url, url))
			continue;
		if (!a->mime_type) {
			a->mime_type = type;
			type = NULL;
		}
		if (!a->title) {
			a->title = title;
			title = NULL;
		}
		if (a->size_in_bytes < 0)
			a->size_in_bytes = size;
		if (a->duration_in_seconds < 0)
			a->duration_in_seconds = dur;
		free(url);
		free(type);
		free(title);
		return;
	}
	struct feed_attachment *nv = grow(it->attachments, it->n_attachments,
					  sizeof *nv);
	if (!nv) {
		free(url);
		free(type);
		free(title);
		return;
	}
	it->attachments = nv;
	nv[it->n_attachments++] = (struct feed_attachment){
		.url = url,
		.mime_type = type,
		.title = title,
		.size_in_bytes = size,
		.duration_in_seconds = dur,
	};
}

/* ---- value conversion ---- */

/* Copy of s[0..n) trimmed, whitespace collapsed when line is set, cut at
 * max bytes; NULL when empty. */
static char *text_copy(const char *s, size_t n, int line, size_t max)
{
	struct td_str t = td_str_trim((struct td_str){ s, n });
	if (!t.len)
		return NULL;
	if (!line) {
		size_t k = td_utf8_cut(t.p, t.len, max);
		return td_strndup(t.p, k);
	}
	char *r = malloc(t.len + 1), *w = r;
	if (!r)
		return NULL;
	int sp = 0;
	for (size_t i = 0; i < t.len; i++) {
		char ch = t.p[i];
		if (is_ws((unsigned char)ch)) {
			sp = 1;
			continue;
		}
		if (sp)
			*w++ = ' ';
		sp = 0;
		*w++ = ch;
	}
	*w = '\0';
	size_t k = td_utf8_cut(r, (size_t)(w - r), max);
	r[k] = '\0';
	return r;
}

static char *html_text(struct ctx *c, const char *s, size_t n, size_t max)
{
	td_buf_reset(&c->tmp);
	feed_html_to_text(s, n, max, &c->tmp);
	if (td_buf_err(&c->tmp) || !c->tmp.len)
		return NULL;
	return td_strndup(c->tmp.p, c->tmp.len);
}

/* Plain text from a value that is HTML (is_html) or text. */
static char *as_text(struct ctx *c, const char *s, size_t n, int is_html,
		     int line)
{
	size_t max = line ? TD_MAX_FIELD_BYTES : TD_MAX_CONTENT_BYTES;
	if (is_html)
		return html_text(c, s, n, max);
	return text_copy(s, n, line, max);
}

/* Offset of the next byte at or after i that HTML text escapes ('&', '<',
 * '>', and '"' in an attribute value), or n. */
static size_t html_special(const char *s, size_t i, size_t n, int attr)
{
#ifdef __SSE2__
	const __m128i q = _mm_set1_epi8(attr ? '"' : '&');
	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(s + i));
		__m128i m = _mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('&')),
				     _mm_cmpeq_epi8(v, q)),
			_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('<')),
				     _mm_cmpeq_epi8(v, _mm_set1_epi8('>'))));
		int bits = _mm_movemask_epi8(m);
		if (bits)
			return i + (size_t)__builtin_ctz((unsigned)bits);
	}
#endif
	for (; i < n; i++)
		if (s[i] == '&' || s[i] == '<' || s[i] == '>' ||
		    (attr && s[i] == '"'))
			break;
	return i;
}

static const char *html_entity_for(char ch)
{
	switch (ch) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	default: return "&quot;";
	}
}

static void escape_html(struct td_buf *b, const char *s, size_t n, int attr)
{
	size_t run = 0, i = 0;
	while ((i = html_special(s, i, n, attr)) < n) {
		td_buf_append(b, s + run, i - run);
		td_buf_puts(b, html_entity_for(s[i]));
		run = ++i;
	}
	td_buf_append(b, s + run, n - run);
}

/* HTML from a value that is HTML (trimmed copy) or text (escaped). */
static char *as_html(struct ctx *c, const char *s, size_t n, int is_html)
{
	struct td_str t = td_str_trim((struct td_str){ s, n });
	if (!t.len)
		return NULL;
	if (is_html)
		return td_strndup(t.p, td_utf8_cut(t.p, t.len, TD_MAX_CONTENT_BYTES));
	td_buf_reset(&c->tmp);
	escape_html(&c->tmp, t.p, t.len, 0);
	if (td_buf_err(&c->tmp))
		return NULL;
	return td_strndup(c->tmp.p,
			  td_utf8_cut(c->tmp.p, c->tmp.len, TD_MAX_CONTENT_BYTES));
}

/* 1 when an absolute http(s) URL is already in the form td_url_resolve
 * would return (printable ASCII, a path after the host, no dot segments),
 * so the common case skips the URL parser. */
static int plain_abs_url(const char *s, size_t n)
{
	size_t i;
	if (n > 7 && !memcmp(s, "http://", 7))
		i = 7;
	else if (n > 8 && !memcmp(s, "https://", 8))
		i = 8;
	else
		return 0;
	size_t host = i, label = i;
	while (i < n && s[i] != '/') {
		char ch = s[i];
		/* the resolver would rewrite these: lower-case, percent-decode,
		 * port handling, userinfo, IPv6 */
		if (ch == '?' || ch == '#' || ch == '@' || ch == '[' ||
		    ch == '\\' || ch == '%' || ch == ':' ||
		    (ch >= 'A' && ch <= 'Z') || (unsigned char)ch <= 0x20 ||
		    (unsigned char)ch >= 0x7F)
			return 0;
		if (ch == '.')
			label = i + 1;
		i++;
	}
	if (i == host || i == n)
		return 0;
	/* a last label starting with a digit reads as an IPv4 address */
	if (label < i && s[label] >= '0' && s[label] <= '9')
		return 0;
	int in_path = 1;
	for (; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch <= 0x20 || ch >= 0x7F || ch == '\\' || ch == '"' ||
		    ch == '\'' || ch == '<' || ch == '>' || ch == '`' ||
		    ch == '{' || ch == '}' || ch == '^' || ch == '|')
			return 0;
		if (ch == '?' || ch == '#')
			in_path = 0;
		if (in_path && ch == '/' && i + 1 < n && s[i + 1] == '.') {
			size_t j = i + 2;
			if (j < n && s[j] == '.')
				j++;
			if (j == n || s[j] == '/' || s[j] == '?' || s[j] == '#')
				return 0;
		}
	}
	return 1;
}

static char *as_url(const char *base, const char *s, size_t n)
{
	struct td_str t = td_str_trim((struct td_str){ s, n });
	if (!t.len || t.len > TD_MAX_URL_BYTES)
		return NULL;
	if (plain_abs_url(t.p, t.len))
		return td_strndup(t.p, t.len);
	char tmp[256];
	if (t.len < sizeof tmp) {
		memcpy(tmp, t.p, t.len);
		tmp[t.len] = '\0';
		return td_url_resolve(base, tmp);
	}
	char *r = td_strndup(t.p, t.len);
	char *u = r ? td_url_resolve(base, r) : NULL;
	free(r);
	return u;
}

static int64_t as_int(const char *s, size_t n)
{
	struct td_str t = td_str_trim((struct td_str){ s, n });
	int64_t v = 0;
	if (!t.len || t.len > 18)
		return -1;
	for (size_t i = 0; i < t.len; i++) {
		if (t.p[i] < '0' || t.p[i] > '9')
			return -1;
		v = v * 10 + (t.p[i] - '0');
	}
	return v;
}

/* itunes:duration: "HH:MM:SS", "MM:SS", "SS" (fractions ignored). */
static int64_t parse_duration(const char *s, size_t n)
{
	struct td_str t = td_str_trim((struct td_str){ s, n });
	int64_t parts[3] = { 0, 0, 0 };
	int np = 0, digits = 0;
	size_t i = 0;
	for (; i < t.len; i++) {
		char ch = t.p[i];
		if (ch >= '0' && ch <= '9') {
			if (++digits > 9)
				return -1;
			parts[np] = parts[np] * 10 + (ch - '0');
		} else if (ch == ':' && digits && np < 2) {
			np++;
			digits = 0;
		} else if (ch == '.' || ch == ',') {
			break;
		} else {
			return -1;
		}
	}
	if (!digits)
		return -1;
	int64_t v = 0;
	for (int k = 0; k <= np; k++)
		v = v * 60 + parts[k];
	return v;
}

/* RSS person: "email (Name)", "Name <email>", "email" or "Name". */
static void parse_person(const char *s, struct feed_person *p)
{
	size_t n = strlen(s);
	const char *lp = strchr(s, '('), *rp = lp ? strrchr(s, ')') : NULL;
	const char *la = strchr(s, '<'), *ra = la ? strchr(la, '>') : NULL;
	if (lp && rp && rp > lp) {
		char *before = text_copy(s, (size_t)(lp - s), 1, TD_MAX_FIELD_BYTES);
		char *inside = text_copy(lp + 1, (size_t)(rp - lp - 1), 1,
					 TD_MAX_FIELD_BYTES);
		if (before && strchr(before, '@') && !strchr(before, ' ')) {
			p->email = before;
			p->name = inside;
		} else if (inside && strchr(inside, '@') && !strchr(inside, ' ')) {
			p->email = inside;
			p->name = before;
		} else {
			free(before);
			free(inside);
			p->name = text_copy(s, n, 1, TD_MAX_FIELD_BYTES);
		}
		return;
	}
	if (la && ra && strchr(la, '@')) {
		p->name = text_copy(s, (size_t)(la - s), 1, TD_MAX_FIELD_BYTES);
		p->email = text_copy(la + 1, (size_t)(ra - la - 1), 1,
				     TD_MAX_FIELD_BYTES);
		if (p->email && strchr(p->email, ' ')) {
			free(p->email);
			p->email = NULL;
		}
		return;
	}
	char *t = text_copy(s, n, 1, TD_MAX_FIELD_BYTES);
	if (t && strchr(t, '@') && !strchr(t, ' ')) {
		if (!strncasecmp(t, "mailto:", 7))
			memmove(t, t + 7, strlen(t + 7) + 1);
		p->email = t;
	} else {
		p->name = t;
	}
}


/* ---- attributes ---- */

/* Value of the attribute whose local name is name (case-insensitive); xmlns
 * and xml: attributes are not matched. */
static const char *attr(const char **a, const char *name)
{
	for (; a && a[0]; a += 2) {
		const char *n = a[0];
		const char *colon = strchr(n, ':');
		if (colon) {
			if (!strncmp(n, "xml", 3) && (colon - n == 3 ||
						      (colon - n == 5 && n[3] == 'n')))
				continue;
			n = colon + 1;
		}
		if (!strcasecmp(n, name))
			return a[1];
	}
	return NULL;
}

static int attr_is(const char **a, const char *name, const char *val)
{
	const char *v = attr(a, name);
	if (!v)
		return 0;
	struct td_str t = td_str_trim((struct td_str){ v, strlen(v) });
	return td_str_ieq(t, val);
}

static char *attr_url(const char **a, const char *name, const char *base)
{
	const char *v = attr(a, name);
	return v ? as_url(base, v, strlen(v)) : NULL;
}

static char *attr_text(const char **a, const char *name)
{
	const char *v = attr(a, name);
	return v ? text_copy(v, strlen(v), 1, TD_MAX_FIELD_BYTES) : NULL;
}

static int64_t attr_int(const char **a, const char *name)
{
	const char *v = attr(a, name);
	int64_t n = v ? as_int(v, strlen(v)) : -1;
	return n > 0 ? n : -1;
}

/* ======================================================================== */
/* Captures                                                                 */
/* ======================================================================== */

static void cap_start(struct ctx *c, struct frame *f, enum field fld,
		      int html, int line)
{
	struct capture *k = &c->cap;
	k->depth = c->depth;
	k->field = (uint8_t)fld;
	k->dslot = 0;
	k->html = (uint8_t)html;
	k->markup = 0;
	k->xhtml = 0;
	k->div_seen = 0;
	k->full = 0;
	k->b64 = 0;
	k->max = line ? TD_MAX_FIELD_BYTES : TD_MAX_CONTENT_BYTES;
	k->base = f->base;
	k->span = NULL;
	td_buf_reset(&k->buf);
	f->role = R_CAPTURE;
}

/* Append to the capture, cut at its limit on a UTF-8 boundary. */
static void cap_put(struct capture *k, const char *s, size_t n)
{
	if (k->full)
		return;
	if (k->span) {
		const char *p = k->span;
		k->span = NULL;
		td_buf_append(&k->buf, p, k->span_len);
	}
	if (n > k->max - k->buf.len) {
		n = td_utf8_cut(s, n, k->max - k->buf.len);
		k->full = 1;
	}
	td_buf_append(&k->buf, s, n);
}

static void cap_put_escaped(struct capture *k, const char *s, size_t n,
			    int attrval)
{
	size_t run = 0, i = 0;
	while (!k->full && (i = html_special(s, i, n, attrval)) < n) {
		const char *rep = html_entity_for(s[i]);
		cap_put(k, s + run, i - run);
		cap_put(k, rep, strlen(rep));
		run = ++i;
	}
	cap_put(k, s + run, n - run);
}

static int void_element(const char *s, size_t n)
{
	static const char *const v[] = { "area", "base", "br", "col",
					 "embed", "hr", "img", "input",
					 "link", "meta", "param", "source",
					 "track", "wbr", NULL };
	char low[8];
	if (n >= sizeof low)
		return 0;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)lc((unsigned char)s[i]);
	low[n] = '\0';
	for (int i = 0; v[i]; i++)
		if (!strcmp(v[i], low))
			return 1;
	return 0;
}

/* A start tag inside an HTML capture: serialise it. */
static void cap_start_tag(struct ctx *c, struct frame *f, const char *local,
			  size_t llen, const char **attrs)
{
	struct capture *k = &c->cap;
	if (!k->html)
		return;
	/* from now on char data is text inside markup and gets escaped; what
	 * the buffer holds so far is HTML source and stays as it is */
	k->markup = 1;
	if (k->xhtml && !k->div_seen && c->depth - 1 == k->depth + 1 &&
	    llen == 3 && !strncasecmp(local, "div", 3)) {
		k->div_seen = 1;
		f->skip_tag = 1;
		return;
	}
	cap_put(k, "<", 1);
	cap_put(k, local, llen);
	for (const char **a = attrs; a && a[0]; a += 2) {
		const char *n = a[0];
		if (!strncmp(n, "xmlns", 5) && (n[5] == '\0' || n[5] == ':'))
			continue;
		if (!strncmp(n, "xml:", 4)) {
			if (strcmp(n + 4, "lang"))
				continue;
			n += 4;
		}
		cap_put(k, " ", 1);
		cap_put(k, n, strlen(n));
		cap_put(k, "=\"", 2);
		cap_put_escaped(k, a[1], strlen(a[1]), 1);
		cap_put(k, "\"", 1);
	}
	cap_put(k, ">", 1);
	f->is_void = (uint8_t)void_element(local, llen);
}

static void cap_end_tag(struct ctx *c, struct frame *f, const char *qname)
{
	struct capture *k = &c->cap;
	if (!k->html || f->skip_tag || f->is_void)
		return;
	const char *colon = strchr(qname, ':');
	const char *local = colon ? colon + 1 : qname;
	cap_put(k, "</", 2);
	cap_put(k, local, strlen(local));
	cap_put(k, ">", 1);
}

static void on_text(struct ctx *c, const char *s, size_t n)
{
	struct capture *k = &c->cap;
	if (k->depth < 0 || c->overflow)
		return;
	if (k->markup)
		cap_put_escaped(k, s, n, 0);
	else
		cap_put(k, s, n);
}

/* on_text for text that stays in place until the capture ends (the fast
 * path's document): the first run is only pointed to. */
static void on_text_stable(struct ctx *c, const char *s, size_t n)
{
	struct capture *k = &c->cap;
	if (k->depth >= 0 && !c->overflow && !k->markup && !k->full &&
	    !k->span && !k->buf.len && n <= k->max) {
		k->span = s;
		k->span_len = n;
		return;
	}
	on_text(c, s, n);
}

/* ======================================================================== */
/* Delivering values                                                        */
/* ======================================================================== */

static const char *const day_names[7] = { "sunday", "monday", "tuesday",
					  "wednesday", "thursday", "friday",
					  "saturday" };

static void split_tags(struct feed_item *it, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && s[j] != ',')
			j++;
		add_tag(it, text_copy(s + i, j - i, 1, TD_MAX_FIELD_BYTES));
		i = j + 1;
	}
}

static int64_t sy_period_secs(const char *s, size_t n)
{
	struct td_str t = td_str_trim((struct td_str){ s, n });
	if (td_str_ieq(t, "hourly"))
		return 3600;
	if (td_str_ieq(t, "daily"))
		return 86400;
	if (td_str_ieq(t, "weekly"))
		return 7 * 86400;
	if (td_str_ieq(t, "monthly"))
		return 30 * 86400;
	if (td_str_ieq(t, "yearly"))
		return 365 * 86400;
	return 0;
}

/* Remember the xml:base in scope of a content slot about to be filled,
 * when it is not just the document's base. */
static void content_base(struct ctx *c, struct pending *p,
			 const struct capture *k, enum slot s, int cb)
{
	if (p->s[s] || p->cbase[cb] || !k->base || k->base == c->opts->base_url)
		return;
	p->cbase[cb] = td_strdup(k->base);
}

/* Resolve the relative URLs of an item's HTML content: against the
 * xml:base in scope where it was written, else the item's link (content
 * is most often copied from the article page, and feeds are often served
 * from another host than the site), else the feed's own URL; only http(s)
 * bases. */
static void resolve_content(struct ctx *c, struct pending *p, int cb)
{
	struct feed_item *it = &p->it;
	const char *base = p->cbase[cb];
	if (!base)
		base = it->url && td_url_is_http(it->url) ? it->url
							  : c->opts->base_url;
	if (!base || !td_url_is_http(base))
		return; /* file:// feeds: such URLs would not be kept anyway */
	char *r = feed_html_resolve(it->content_html, base);
	if (r) {
		free(it->content_html);
		it->content_html = r;
	}
}

static void deliver(struct ctx *c, const struct capture *k, const char *v,
		    size_t n)
{
	struct pending *p = cur(c);
	int h = k->html;
	struct feed *f = c->feed;
	switch ((enum field)k->field) {
	case F_TITLE: set_slot(p, S_TITLE, as_text(c, v, n, h, 1)); break;
	case F_DC_TITLE: set_slot(p, S_DC_TITLE, as_text(c, v, n, h, 1)); break;
	case F_MEDIA_TITLE:
		set_slot(p, S_MEDIA_TITLE, as_text(c, v, n, h, 1));
		break;
	case F_LINK: set_slot(p, S_LINK, as_url(k->base, v, n)); break;
	case F_GUID: {
		char *g = text_copy(v, n, 1, TD_MAX_FIELD_BYTES);
		if (!g || p->s[S_GUID]) {
			free(g);
			break;
		}
		if (p->guid_perma == 1)
			set_slot(p, S_GUID_URL, as_url(k->base, g, strlen(g)));
		else if (p->guid_perma < 0 && td_url_is_http(g))
			set_slot(p, S_GUID_URL, as_url(NULL, g, strlen(g)));
		set_slot(p, S_GUID, g);
		break;
	}
	case F_ID: set_slot(p, S_ID, text_copy(v, n, 1, TD_MAX_FIELD_BYTES)); break;
	case F_DESC:
		if (c->in_item)
			content_base(c, p, k, S_DESC, CB_DESC);
		set_slot(p, S_DESC, c->in_item ? as_html(c, v, n, h)
					       : as_text(c, v, n, h, 0));
		break;
	case F_ENCODED:
		content_base(c, p, k, S_ENCODED, CB_ENCODED);
		set_slot(p, S_ENCODED, as_html(c, v, n, h));
		break;
	case F_CONTENT:
		content_base(c, p, k, S_CONTENT, CB_CONTENT);
		set_slot(p, S_CONTENT, as_html(c, v, n, h));
		break;
	case F_SUMMARY: set_slot(p, S_SUMMARY, as_text(c, v, n, h, 0)); break;
	case F_SUBTITLE: set_slot(p, S_SUBTITLE, as_text(c, v, n, h, 0)); break;
	case F_DC_DESC: set_slot(p, S_DC_DESC, as_text(c, v, n, h, 0)); break;
	case F_ITUNES_SUMMARY:
		set_slot(p, S_ITUNES_SUMMARY, as_text(c, v, n, h, 0));
		break;
	case F_ITUNES_SUBTITLE:
		set_slot(p, S_ITUNES_SUBTITLE, as_text(c, v, n, h, 0));
		break;
	case F_MEDIA_DESC: set_slot(p, S_MEDIA_DESC, as_text(c, v, n, h, 0)); break;
	case F_COMMENTS: set_slot(p, S_COMMENTS, as_url(k->base, v, n)); break;
	case F_AUTHOR:
	case F_DC_CREATOR: {
		/* split "Name <email>" before any HTML decoding, which would
		 * take "<email>" for a tag */
		char *t = text_copy(v, n, 1, TD_MAX_FIELD_BYTES);
		if (!t)
			break;
		struct feed_person q = { 0 };
		parse_person(t, &q);
		free(t);
		if (h && q.name) {
			char *d = html_text(c, q.name, strlen(q.name),
					    TD_MAX_FIELD_BYTES);
			free(q.name);
			q.name = d;
		}
		add_person(&p->it.authors, &p->it.n_authors, &q);
		break;
	}
	case F_ITUNES_AUTHOR:
		if (!p->itunes_author)
			p->itunes_author = as_text(c, v, n, h, 1);
		break;
	case F_CATEGORY:
		if (c->in_item)
			add_tag(&p->it, as_text(c, v, n, h, 1));
		break;
	case F_KEYWORDS:
		if (c->in_item) {
			char *t = as_text(c, v, n, h, 1);
			if (t)
				split_tags(&p->it, t, strlen(t));
			free(t);
		}
		break;
	case F_LANGUAGE:
		set_slot(p, S_LANGUAGE, text_copy(v, n, 1, TD_MAX_FIELD_BYTES));
		break;
	case F_DC_LANGUAGE:
		set_slot(p, S_DC_LANGUAGE, text_copy(v, n, 1, TD_MAX_FIELD_BYTES));
		break;
	case F_DATE:
		if (p->d[k->dslot] == TD_TIME_NONE) {
			struct td_str t = td_str_trim((struct td_str){ v, n });
			if (t.len && t.len < 256)
				p->d[k->dslot] = feed_date_parse(t.p, t.len);
		}
		break;
	case F_TTL: {
		int64_t t = as_int(v, n);
		if (t > 0 && t < INT_MAX && !f->ttl_minutes)
			f->ttl_minutes = (int)t;
		break;
	}
	case F_HOUR: {
		int64_t hr = as_int(v, n);
		if (hr >= 0 && hr <= 24)
			f->skip_hours |= 1u << (hr % 24);
		break;
	}
	case F_DAY: {
		struct td_str t = td_str_trim((struct td_str){ v, n });
		for (int d = 0; d < 7; d++)
			if (td_str_ieq(t, day_names[d]))
				f->skip_days |= (uint8_t)(1u << d);
		break;
	}
	case F_IMAGE_URL:
		set_slot(&c->chan, S_IMAGE_URL, as_url(k->base, v, n));
		break;
	case F_ICON: set_slot(p, S_ICON, as_url(k->base, v, n)); break;
	case F_LOGO: set_slot(p, S_LOGO, as_url(k->base, v, n)); break;
	case F_PERSON_NAME:
		if (!c->person.name)
			c->person.name = as_text(c, v, n, h, 1);
		break;
	case F_PERSON_URI:
		if (!c->person.url)
			c->person.url = as_url(k->base, v, n);
		break;
	case F_PERSON_EMAIL:
		if (!c->person.email)
			c->person.email = text_copy(v, n, 1, TD_MAX_FIELD_BYTES);
		break;
	case F_SLASH_COMMENTS:
		if (c->in_item && p->comments < 0)
			p->comments = as_int(v, n);
		break;
	case F_SY_PERIOD:
		if (!c->sy_period)
			c->sy_period = (int)sy_period_secs(v, n);
		break;
	case F_SY_FREQ: {
		int64_t fr = as_int(v, n);
		if (fr > 0 && fr < 1000000 && !c->sy_freq)
			c->sy_freq = (int)fr;
		break;
	}
	case F_DURATION:
		if (p->duration < 0)
			p->duration = parse_duration(v, n);
		break;
	}
}

/* Decode base64 (whitespace ignored, stops at '=' or a stray byte) into
 * a malloc'd buffer; NULL on OOM. */
static char *b64_decode(const char *s, size_t n, size_t *out_len)
{
	char *o = malloc(n / 4 * 3 + 3);
	if (!o)
		return NULL;
	size_t w = 0;
	unsigned acc = 0, bits = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		int v;
		if (ch >= 'A' && ch <= 'Z')
			v = ch - 'A';
		else if (ch >= 'a' && ch <= 'z')
			v = ch - 'a' + 26;
		else if (ch >= '0' && ch <= '9')
			v = ch - '0' + 52;
		else if (ch == '+' || ch == '-')
			v = 62;
		else if (ch == '/' || ch == '_')
			v = 63;
		else if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r')
			continue;
		else
			break;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[w++] = (char)((acc >> bits) & 0xFF);
		}
	}
	*out_len = w;
	return o;
}

/* Deliver a base64 capture: decoded, then made valid UTF-8. */
static void deliver_b64(struct ctx *c, const struct capture *k, const char *v,
			size_t n)
{
	size_t dn = 0, un = 0;
	char *d = b64_decode(v, n, &dn), *u = NULL;
	const char *used;
	int warned;
	if (d && k->b64 == 2 && !feed_utf8_valid(d, dn)) {
		free(d); /* binary (an image...): not text for us */
		return;
	}
	if (!d || feed_to_utf8(d, dn, "UTF-8", &u, &un, &used, &warned)) {
		c->oom = 1;
	} else {
		if (warned)
			warn(c, 0, 0, "base64 content is not UTF-8; repaired");
		deliver(c, k, u, un);
	}
	free(d);
	free(u);
}

static void cap_finish(struct ctx *c)
{
	struct capture *k = &c->cap;
	void (*give)(struct ctx *, const struct capture *, const char *,
		     size_t) = k->b64 ? deliver_b64 : deliver;
	if (k->span)
		give(c, k, k->span, k->span_len);
	else if (!td_buf_err(&k->buf))
		give(c, k, td_buf_cstr(&k->buf), k->buf.len);
	else
		c->oom = 1;
	k->span = NULL;
	k->depth = -1;
	if (k->buf.cap > 1024 * 1024) /* do not keep big buffers around */
		td_buf_release(&k->buf);
	else
		td_buf_reset(&k->buf);
}

/* ======================================================================== */
/* Items and the channel                                                    */
/* ======================================================================== */

static char *first_of(struct pending *p, const enum slot *order, int n)
{
	for (int i = 0; i < n; i++)
		if (p->s[order[i]])
			return take(p, order[i]);
	return NULL;
}

static int64_t first_date(const struct pending *p, const enum dslot *order,
			  int n)
{
	for (int i = 0; i < n; i++)
		if (p->d[order[i]] != TD_TIME_NONE)
			return p->d[order[i]];
	return TD_TIME_NONE;
}

#define FIRST(p, ...)                                                         \
	first_of(p, (const enum slot[]){ __VA_ARGS__ },                       \
		 sizeof((const enum slot[]){ __VA_ARGS__ }) / sizeof(enum slot))
#define FIRST_DATE(p, ...)                                                    \
	first_date(p, (const enum dslot[]){ __VA_ARGS__ },                    \
		   sizeof((const enum dslot[]){ __VA_ARGS__ }) /              \
			   sizeof(enum dslot))

static void move_contribs(struct pending *p)
{
	if (!p->it.n_authors)
		for (size_t i = 0; i < p->n_contribs; i++)
			add_person(&p->it.authors, &p->it.n_authors,
				   &p->contribs[i]);
	if (!p->it.n_authors && p->itunes_author) {
		struct feed_person q = { 0 };
		q.name = p->itunes_author;
		p->itunes_author = NULL;
		add_person(&p->it.authors, &p->it.n_authors, &q);
	}
}

static void item_finish(struct ctx *c, int partial)
{
	struct pending *p = &c->item;
	struct feed_item *it = &p->it;
	struct feed *f = c->feed;

	c->in_item = 0;
	it->title = FIRST(p, S_TITLE, S_DC_TITLE, S_MEDIA_TITLE);
	it->url = FIRST(p, S_LINK, S_GUID_URL);
	it->id = FIRST(p, S_GUID, S_ID);
	if (p->s[S_ABOUT]) {
		if (!it->id)
			it->id = td_strdup(p->s[S_ABOUT]);
		if (!it->url && td_url_is_http(p->s[S_ABOUT]))
			it->url = take(p, S_ABOUT);
	}
	it->external_url = FIRST(p, S_SRC, S_RELATED, S_VIA);
	if (p->s[S_ENCODED] || p->s[S_CONTENT]) {
		int cb = p->s[S_ENCODED] ? CB_ENCODED : CB_CONTENT;
		it->content_html = FIRST(p, S_ENCODED, S_CONTENT);
		if (p->s[S_DESC] && strcmp(p->s[S_DESC], it->content_html))
			it->summary = html_text(c, p->s[S_DESC],
						strlen(p->s[S_DESC]),
						TD_MAX_CONTENT_BYTES);
		resolve_content(c, p, cb);
	} else {
		it->content_html = take(p, S_DESC);
		resolve_content(c, p, CB_DESC);
	}
	if (!it->summary)
		it->summary = FIRST(p, S_SUMMARY, S_DC_DESC, S_ITUNES_SUMMARY,
				    S_ITUNES_SUBTITLE, S_MEDIA_DESC);
	it->image = FIRST(p, S_THUMB, S_MEDIA_IMAGE, S_ITUNES_IMAGE);
	if (!it->image)
		for (size_t i = 0; i < it->n_attachments; i++)
			if (it->attachments[i].mime_type &&
			    td_istarts(it->attachments[i].mime_type, "image/")) {
				it->image = td_strdup(it->attachments[i].url);
				break;
			}
	it->comments_url = FIRST(p, S_COMMENTS, S_REPLIES);
	it->language = FIRST(p, S_LANGUAGE, S_DC_LANGUAGE, S_XMLLANG);
	it->date_published = FIRST_DATE(p, D_PUBDATE, D_PUBLISHED, D_ISSUED,
					 D_CREATED, D_DC_DATE, D_DCT_ISSUED,
					 D_DCT_CREATED);
	it->date_modified = FIRST_DATE(p, D_UPDATED, D_MODIFIED,
					D_DCT_MODIFIED);
	it->comments = p->comments;
	if (p->duration >= 0)
		for (size_t i = 0; i < it->n_attachments; i++)
			if (it->attachments[i].duration_in_seconds < 0)
				it->attachments[i].duration_in_seconds =
					p->duration;
	move_contribs(p);

	int keep = !partial || it->title || it->url;
	if (keep && f->n_items == c->items_cap) {
		size_t cap = c->items_cap ? c->items_cap * 2 : 16;
		struct feed_item *nv = realloc(f->items, cap * sizeof *nv);
		if (!nv) {
			c->oom = 1;
			keep = 0;
		} else {
			f->items = nv;
			c->items_cap = cap;
		}
	}
	if (keep) {
		f->items[f->n_items++] = *it;
		memset(it, 0, sizeof *it);
	}
	pending_release(p);
}

static void feed_finish(struct ctx *c)
{
	struct pending *p = &c->chan;
	struct feed *f = c->feed;
	f->title = FIRST(p, S_TITLE, S_DC_TITLE);
	f->home_page_url = take(p, S_LINK);
	f->feed_url = take(p, S_SELF);
	f->next_url = take(p, S_NEXT);
	f->description = FIRST(p, S_DESC, S_SUBTITLE, S_DC_DESC,
			       S_ITUNES_SUMMARY, S_ITUNES_SUBTITLE);
	f->icon = FIRST(p, S_IMAGE_URL, S_LOGO, S_ITUNES_IMAGE);
	f->favicon = take(p, S_ICON);
	f->language = FIRST(p, S_LANGUAGE, S_DC_LANGUAGE, S_XMLLANG);
	f->date_updated = FIRST_DATE(p, D_LASTBUILD, D_UPDATED, D_MODIFIED,
				      D_DCT_MODIFIED, D_PUBDATE, D_DC_DATE);
	move_contribs(p);
	f->authors = p->it.authors;
	f->n_authors = p->it.n_authors;
	p->it.authors = NULL;
	p->it.n_authors = 0;
	if (c->sy_period || c->sy_freq) {
		int64_t per = c->sy_period ? c->sy_period : 86400;
		f->sy_period_secs = per / (c->sy_freq ? c->sy_freq : 1);
	}
	if (f->language)
		for (size_t i = 0; i < f->n_items; i++)
			if (!f->items[i].language)
				f->items[i].language = td_strdup(f->language);
	pending_release(p);
}

/* ======================================================================== */
/* Start and end of elements                                                */
/* ======================================================================== */

static enum ns lookup_prefix(const struct ctx *c, const char *p, size_t n)
{
	for (int i = c->nns - 1; i >= 0; i--)
		if (c->ns[i].plen == n && !memcmp(c->ns[i].prefix, p, n))
			return (enum ns)c->ns[i].ns;
	for (size_t i = 0; i < sizeof default_prefixes / sizeof default_prefixes[0]; i++)
		if (strlen(default_prefixes[i].prefix) == n &&
		    !memcmp(default_prefixes[i].prefix, p, n))
			return (enum ns)default_prefixes[i].ns;
	return NS_OTHER;
}

static enum vocab vocab_of(const struct ctx *c, enum ns ns)
{
	switch (ns) {
	case NS_NONE: return c->root_kind == RK_ATOM ? V_ATOM : V_RSS;
	case NS_RSS090:
	case NS_RSS10:
	case NS_RSS20: return V_RSS;
	case NS_ATOM10:
	case NS_ATOM03: return V_ATOM;
	case NS_DC: return V_DC;
	case NS_DCTERMS: return V_DCTERMS;
	case NS_CONTENT: return V_CONTENT;
	case NS_MEDIA: return V_MEDIA;
	case NS_ITUNES: return V_ITUNES;
	case NS_SLASH: return V_SLASH;
	case NS_SY: return V_SY;
	default: return V_OTHER;
	}
}

static void start_item(struct ctx *c, struct frame *f)
{
	if (c->in_item)
		return; /* an item inside an item: ignored */
	if (c->feed->n_items >= TD_MAX_FEED_ITEMS) {
		if (!c->item_limit_warned++)
			warn(c, 0, 0, "more than %d items; the rest ignored",
			     TD_MAX_FEED_ITEMS);
		return;
	}
	c->in_item = 1;
	pending_release(&c->item);
	if (f->lang)
		c->item.s[S_XMLLANG] = td_strdup(f->lang);
	f->role = R_ITEM;
}

/* RSS 1.0: an item's rdf:about names it (and is, by the spec, its link),
 * used when it has no guid or link. */
static void rdf_about(struct ctx *c, const char **a, const char *base)
{
	if (c->in_item)
		set_slot(&c->item, S_ABOUT, attr_url(a, "about", base));
}

static void start_person(struct ctx *c, struct frame *f, int contrib)
{
	if (c->in_person)
		return;
	c->in_person = 1;
	c->person_contrib = contrib;
	feed_person_release(&c->person);
	f->role = R_PERSON;
}

static void end_person(struct ctx *c)
{
	struct pending *p = cur(c);
	c->in_person = 0;
	if (c->person_contrib) {
		struct feed_person *nv = NULL;
		if (c->person.name || c->person.url || c->person.email)
			nv = grow(p->contribs, p->n_contribs, sizeof *nv);
		if (nv) {
			p->contribs = nv;
			nv[p->n_contribs++] = c->person;
			memset(&c->person, 0, sizeof c->person);
		}
		feed_person_release(&c->person);
	} else {
		add_person(&p->it.authors, &p->it.n_authors, &c->person);
	}
}

/* Atom (or Atom 0.3) text construct: choose the capture mode from type and
 * mode; content of other MIME types is skipped. */
static void atom_text(struct ctx *c, struct frame *f, const char **a,
		      enum field fld, int line)
{
	const char *type = attr(a, "type"), *mode = attr(a, "mode");
	int html = 0, xhtml = 0;
	struct td_str t = type ? td_str_trim((struct td_str){ type, strlen(type) })
			       : (struct td_str){ "", 0 };
	if (mode && attr_is(a, "mode", "base64")) {
		/* Atom 0.3: the value is base64 of a text or HTML document */
		int h = t.len && (td_str_ieq(t, "html") ||
				  td_str_ieq(t, "text/html") ||
				  td_str_ieq(t, "xhtml") ||
				  td_str_ieq(t, "application/xhtml+xml"));
		if (t.len && !h && !td_istarts(t.p, "text/"))
			return; /* an image or other binary: skipped */
		cap_start(c, f, fld, h, line);
		c->cap.b64 = 1;
		return;
	}
	if (!t.len || td_str_ieq(t, "text") || td_str_ieq(t, "text/plain")) {
		html = 0;
	} else if (td_str_ieq(t, "html") || td_str_ieq(t, "text/html")) {
		html = 1;
		if (mode && attr_is(a, "mode", "xml"))
			xhtml = 1;
	} else if (td_str_ieq(t, "xhtml") ||
		   td_str_ieq(t, "application/xhtml+xml")) {
		if (mode && attr_is(a, "mode", "escaped"))
			html = 1;
		else
			xhtml = 1;
	} else if (t.len > 5 && td_istarts(t.p, "text/")) {
		html = 0;
	} else if (t.len > 4 && (!strncasecmp(t.p + t.len - 4, "+xml", 4) ||
				 !strncasecmp(t.p + t.len - 4, "/xml", 4))) {
		return; /* inline XML of another type: skipped */
	} else {
		/* any other media type is base64 (RFC 4287 4.1.3.3); kept
		 * only when it decodes to text */
		cap_start(c, f, fld, 0, line);
		c->cap.b64 = 2;
		return;
	}
	cap_start(c, f, fld, html || xhtml, line);
	if (xhtml) {
		c->cap.markup = 1;
		c->cap.xhtml = 1;
	}
}

static void atom_link(struct ctx *c, struct frame *f, const char **a)
{
	f->role = R_LEAF;
	char *href = attr_url(a, "href", f->base);
	if (!href) {
		/* <link>https://...</link>, written as in RSS: the text is
		 * the URL of an alternate link */
		const char *rl = attr(a, "rel");
		if (!attr(a, "href") && (!rl || attr_is(a, "rel", "alternate")))
			cap_start(c, f, F_LINK, 0, 1);
		return;
	}
	const char *rel = attr(a, "rel");
	struct td_str r = rel ? td_str_trim((struct td_str){ rel, strlen(rel) })
			      : (struct td_str){ "alternate", 9 };
	static const char iana[] = "http://www.iana.org/assignments/relation/";
	if (r.len > sizeof iana - 1 && td_istarts(r.p, iana)) {
		r.p += sizeof iana - 1;
		r.len -= sizeof iana - 1;
	}
	const char *type = attr(a, "type");
	struct pending *p = cur(c);
	if (td_str_ieq(r, "alternate") || !r.len) {
		set_slot(p, S_LINK, href);
	} else if (c->in_item && td_str_ieq(r, "enclosure")) {
		add_attachment(&p->it, href, attr_text(a, "type"),
			       attr_text(a, "title"), attr_int(a, "length"), -1);
	} else if (c->in_item && td_str_ieq(r, "related")) {
		set_slot(p, S_RELATED, href);
	} else if (c->in_item && td_str_ieq(r, "via")) {
		set_slot(p, S_VIA, href);
	} else if (c->in_item && td_str_ieq(r, "replies")) {
		if (!type || strstr(type, "html"))
			set_slot(p, S_REPLIES, href);
		else
			free(href);
	} else if (!c->in_item && td_str_ieq(r, "self")) {
		set_slot(p, S_SELF, href);
	} else if (!c->in_item && td_str_ieq(r, "next")) {
		set_slot(p, S_NEXT, href);
	} else {
		free(href);
	}
}

static void media_element(struct ctx *c, struct frame *f, enum name nm,
			  const char **a)
{
	struct pending *p = &c->item;
	switch (nm) {
	case N_CONTENT: {
		char *url = attr_url(a, "url", f->base);
		const char *type = attr(a, "type");
		const char *medium = attr(a, "medium");
		int img = (medium && attr_is(a, "medium", "image")) ||
			  (type && td_istarts(type, "image/"));
		if (url && img && !p->s[S_MEDIA_IMAGE])
			p->s[S_MEDIA_IMAGE] = td_strdup(url);
		int64_t dur = attr_int(a, "duration");
		add_attachment(&p->it, url, attr_text(a, "type"), NULL,
			       attr_int(a, "fileSize"), dur);
		f->role = R_MEDIA;
		break;
	}
	case N_GROUP: f->role = R_MEDIA; break;
	case N_THUMBNAIL:
		set_slot(p, S_THUMB, attr_url(a, "url", f->base));
		f->role = R_LEAF;
		break;
	case N_DESCRIPTION:
		cap_start(c, f, F_MEDIA_DESC, attr_is(a, "type", "html"), 0);
		break;
	case N_TITLE:
		cap_start(c, f, F_MEDIA_TITLE, attr_is(a, "type", "html"), 1);
		break;
	case N_KEYWORDS: cap_start(c, f, F_KEYWORDS, 0, 1); break;
	default: break;
	}
}

/* Namespaced extension elements valid in a channel or an item. */
static void ext_element(struct ctx *c, struct frame *f, enum vocab v,
			enum name nm, const char **a)
{
	int item = c->in_item;
	switch (v) {
	case V_DC:
		switch (nm) {
		case N_CREATOR: cap_start(c, f, F_DC_CREATOR, 1, 1); break;
		case N_DATE:
			cap_start(c, f, F_DATE, 0, 1);
			c->cap.dslot = D_DC_DATE;
			break;
		case N_SUBJECT: cap_start(c, f, F_CATEGORY, 1, 1); break;
		case N_LANGUAGE: cap_start(c, f, F_DC_LANGUAGE, 0, 1); break;
		case N_TITLE: cap_start(c, f, F_DC_TITLE, 1, 1); break;
		case N_DESCRIPTION: cap_start(c, f, F_DC_DESC, 1, 0); break;
		default: break;
		}
		break;
	case V_DCTERMS: {
		int ds = nm == N_MODIFIED  ? D_DCT_MODIFIED
			 : nm == N_CREATED ? D_DCT_CREATED
			 : nm == N_ISSUED  ? D_DCT_ISSUED
			 : nm == N_DATE	   ? D_DC_DATE
					   : -1;
		if (ds >= 0) {
			cap_start(c, f, F_DATE, 0, 1);
			c->cap.dslot = (uint8_t)ds;
		}
		break;
	}
	case V_CONTENT:
		if (item && nm == N_ENCODED)
			cap_start(c, f, F_ENCODED, 1, 0);
		break;
	case V_MEDIA:
		if (item)
			media_element(c, f, nm, a);
		break;
	case V_ITUNES:
		switch (nm) {
		case N_AUTHOR: cap_start(c, f, F_ITUNES_AUTHOR, 0, 1); break;
		case N_IMAGE: {
			/* href by the spec; url in many feeds */
			char *u = attr_url(a, "href", f->base);
			set_slot(cur(c), S_ITUNES_IMAGE,
				 u ? u : attr_url(a, "url", f->base));
			f->role = R_LEAF;
			break;
		}
		case N_LINK:
			/* the old <itunes:link rel="image" href=...> */
			if (attr_is(a, "rel", "image"))
				set_slot(cur(c), S_ITUNES_IMAGE,
					 attr_url(a, "href", f->base));
			f->role = R_LEAF;
			break;
		case N_DURATION:
			if (item)
				cap_start(c, f, F_DURATION, 0, 1);
			break;
		case N_SUMMARY: cap_start(c, f, F_ITUNES_SUMMARY, 1, 0); break;
		case N_SUBTITLE: cap_start(c, f, F_ITUNES_SUBTITLE, 1, 0); break;
		case N_KEYWORDS:
			if (item)
				cap_start(c, f, F_KEYWORDS, 0, 1);
			break;
		case N_CATEGORY:
			if (item) {
				add_tag(&c->item.it, attr_text(a, "text"));
				f->role = R_ITCAT; /* subcategories nest inside */
			} else {
				f->role = R_LEAF;
			}
			break;
		default: break;
		}
		break;
	case V_SLASH:
		if (item && nm == N_COMMENTS)
			cap_start(c, f, F_SLASH_COMMENTS, 0, 1);
		break;
	case V_SY:
		if (!item && nm == N_UPDATEPERIOD)
			cap_start(c, f, F_SY_PERIOD, 0, 1);
		else if (!item && nm == N_UPDATEFREQUENCY)
			cap_start(c, f, F_SY_FREQ, 0, 1);
		break;
	default: break;
	}
}

static void date_cap(struct ctx *c, struct frame *f, enum dslot d)
{
	cap_start(c, f, F_DATE, 0, 1);
	c->cap.dslot = (uint8_t)d;
}

/* RSS <link>: text, or an href attribute (Atom-style link without the
 * namespace). */
static void rss_link(struct ctx *c, struct frame *f, const char **a)
{
	const char *href = attr(a, "href");
	if (href) {
		const char *rel = attr(a, "rel");
		if (!rel || attr_is(a, "rel", "alternate"))
			set_slot(cur(c), S_LINK, as_url(f->base, href, strlen(href)));
		else
			atom_link(c, f, a);
		f->role = R_LEAF;
		return;
	}
	cap_start(c, f, F_LINK, 0, 1);
}

static void channel_child(struct ctx *c, struct frame *f, enum vocab v,
			  enum name nm, const char **a)
{
	if (v == V_RSS) {
		switch (nm) {
		case N_TITLE: cap_start(c, f, F_TITLE, 1, 1); break;
		case N_LINK: rss_link(c, f, a); break;
		case N_DESCRIPTION: cap_start(c, f, F_DESC, 1, 0); break;
		case N_LANGUAGE: cap_start(c, f, F_LANGUAGE, 0, 1); break;
		case N_MANAGINGEDITOR: cap_start(c, f, F_AUTHOR, 0, 1); break;
		case N_PUBDATE: date_cap(c, f, D_PUBDATE); break;
		case N_LASTBUILDDATE: date_cap(c, f, D_LASTBUILD); break;
		case N_TTL: cap_start(c, f, F_TTL, 0, 1); break;
		case N_IMAGE:
			set_slot(&c->chan, S_IMAGE_URL,
				 attr_url(a, "resource", f->base));
			f->role = R_IMAGE;
			break;
		case N_SKIPHOURS: f->role = R_SKIPHOURS; break;
		case N_SKIPDAYS: f->role = R_SKIPDAYS; break;
		case N_ITEM:
			start_item(c, f);
			rdf_about(c, a, f->base);
			break;
		default: break;
		}
	} else if (v == V_ATOM) {
		switch (nm) {
		case N_TITLE: atom_text(c, f, a, F_TITLE, 1); break;
		case N_SUBTITLE:
		case N_TAGLINE: atom_text(c, f, a, F_SUBTITLE, 0); break;
		case N_LINK: atom_link(c, f, a); break;
		case N_UPDATED: date_cap(c, f, D_UPDATED); break;
		case N_MODIFIED: date_cap(c, f, D_MODIFIED); break;
		case N_AUTHOR: start_person(c, f, 0); break;
		case N_CONTRIBUTOR: start_person(c, f, 1); break;
		case N_ICON: cap_start(c, f, F_ICON, 0, 1); break;
		case N_LOGO: cap_start(c, f, F_LOGO, 0, 1); break;
		case N_ENTRY: start_item(c, f); break;
		default: break;
		}
	} else {
		ext_element(c, f, v, nm, a);
	}
}

static void item_child(struct ctx *c, struct frame *f, enum vocab v,
		       enum name nm, const char **a)
{
	struct pending *p = &c->item;
	if (v == V_RSS) {
		switch (nm) {
		case N_TITLE: cap_start(c, f, F_TITLE, 1, 1); break;
		case N_LINK: rss_link(c, f, a); break;
		case N_DESCRIPTION: cap_start(c, f, F_DESC, 1, 0); break;
		case N_GUID:
			if (p->guid_perma < 0 && attr(a, "isPermaLink"))
				p->guid_perma = !attr_is(a, "isPermaLink", "false");
			cap_start(c, f, F_GUID, 0, 1);
			break;
		case N_PUBDATE: date_cap(c, f, D_PUBDATE); break;
		case N_AUTHOR: cap_start(c, f, F_AUTHOR, 1, 1); break;
		case N_CATEGORY: cap_start(c, f, F_CATEGORY, 1, 1); break;
		case N_COMMENTS: cap_start(c, f, F_COMMENTS, 0, 1); break;
		case N_ENCLOSURE:
			add_attachment(&p->it, attr_url(a, "url", f->base),
				       attr_text(a, "type"), NULL,
				       attr_int(a, "length"), -1);
			f->role = R_LEAF;
			break;
		default: break;
		}
	} else if (v == V_ATOM) {
		switch (nm) {
		case N_TITLE: atom_text(c, f, a, F_TITLE, 1); break;
		case N_LINK: atom_link(c, f, a); break;
		case N_ID: cap_start(c, f, F_ID, 0, 1); break;
		case N_PUBLISHED: date_cap(c, f, D_PUBLISHED); break;
		case N_ISSUED: date_cap(c, f, D_ISSUED); break;
		case N_CREATED: date_cap(c, f, D_CREATED); break;
		case N_UPDATED: date_cap(c, f, D_UPDATED); break;
		case N_MODIFIED: date_cap(c, f, D_MODIFIED); break;
		case N_AUTHOR: start_person(c, f, 0); break;
		case N_CONTRIBUTOR: start_person(c, f, 1); break;
		case N_CATEGORY: {
			char *t = attr_text(a, "label");
			if (!t)
				t = attr_text(a, "term");
			add_tag(&p->it, t);
			f->role = R_LEAF;
			break;
		}
		case N_SUMMARY: atom_text(c, f, a, F_SUMMARY, 0); break;
		case N_CONTENT: {
			const char *src = attr(a, "src");
			if (src) {
				set_slot(p, S_SRC, as_url(f->base, src, strlen(src)));
				f->role = R_LEAF;
				break;
			}
			atom_text(c, f, a, F_CONTENT, 0);
			break;
		}
		default: break;
		}
	} else {
		ext_element(c, f, v, nm, a);
	}
}

/* The root element is <rss> or <feed> in a default namespace we do not
 * know (pre-release Atom "http://example.com/newformat#" or
 * "http://purl.org/echo/", Userland's "http://backend.userland.com/rss2.1"
 * ...): read that namespace as the format's own, for the whole document. */
static enum ns adopt_root_ns(struct ctx *c, struct frame *f, enum ns ns,
			     enum name nm, const char **a)
{
	if (ns != NS_OTHER || c->depth != 0 || (nm != N_RSS && nm != N_FEED))
		return ns;
	enum ns to = nm == N_RSS ? NS_RSS20
		     : attr_is(a, "version", "0.3") ? NS_ATOM03 : NS_ATOM10;
	for (int i = c->nns - 1, k = f->nsdecl; i >= 0 && k > 0; i--, k--)
		if (c->ns[i].ns == NS_OTHER)
			c->ns[i].ns = (uint8_t)to; /* <p:feed xmlns:p="..."> */
	if (f->defns == NS_OTHER)
		f->defns = (uint8_t)to; /* inherited by the children */
	return to;
}

/* Decide what a new element is, given its parent's role. */
static void dispatch(struct ctx *c, struct frame *f, int prole, enum ns ns,
		     enum name nm, const char **a)
{
	if (prole == R_SEARCH)
		ns = adopt_root_ns(c, f, ns, nm, a);
	enum vocab v = vocab_of(c, ns);
	switch (prole) {
	case R_SEARCH:
		f->role = R_SEARCH;
		if (nm == N_RSS || (nm == N_CHANNEL && c->depth == 0)) {
			c->have_root = 1;
			c->root_kind = RK_RSS;
			f->role = nm == N_RSS ? R_ROOT : R_CHANNEL;
			if (!c->feed->format) {
				const char *ver = attr(a, "version");
				struct td_str t = ver ? td_str_trim((struct td_str){ ver, strlen(ver) })
						      : (struct td_str){ "", 0 };
				c->feed->format =
					td_str_ieq(t, "0.91")   ? FEED_FORMAT_RSS091
					: td_str_ieq(t, "0.92") ? FEED_FORMAT_RSS092
					: td_str_ieq(t, "0.93") ? FEED_FORMAT_RSS093
					: td_str_ieq(t, "0.94") ? FEED_FORMAT_RSS094
					: td_str_ieq(t, "0.90") ? FEED_FORMAT_RSS090
								: FEED_FORMAT_RSS20;
			}
		} else if (nm == N_RDF) {
			c->have_root = 1;
			c->root_kind = RK_RDF;
			f->role = R_ROOT;
			if (!c->feed->format)
				c->feed->format = FEED_FORMAT_RSS10;
		} else if (nm == N_FEED && ns != NS_RSS10 && ns != NS_RSS090) {
			c->have_root = 1;
			c->root_kind = RK_ATOM;
			f->role = R_CHANNEL;
			if (!c->feed->format)
				c->feed->format = (ns == NS_ATOM03 ||
						   attr_is(a, "version", "0.3"))
							  ? FEED_FORMAT_ATOM03
							  : FEED_FORMAT_ATOM10;
		} else if (nm == N_ENTRY && c->depth == 0 &&
			   (ns == NS_ATOM10 || ns == NS_ATOM03)) {
			c->have_root = 1;
			c->root_kind = RK_ATOM;
			c->feed->format = ns == NS_ATOM03 ? FEED_FORMAT_ATOM03
							  : FEED_FORMAT_ATOM10;
			start_item(c, f);
			return;
		}
		if (f->role != R_SEARCH && f->lang)
			set_slot(&c->chan, S_XMLLANG, td_strdup(f->lang));
		return;
	case R_ROOT:
		if (c->root_kind == RK_RDF && (nm == N_CHANNEL || nm == N_ITEM) &&
		    c->feed->format == FEED_FORMAT_RSS10 && ns == NS_RSS090)
			c->feed->format = FEED_FORMAT_RSS090;
		if (v != V_RSS)
			return;
		if (nm == N_CHANNEL) {
			f->role = R_CHANNEL;
			if (f->lang)
				set_slot(&c->chan, S_XMLLANG, td_strdup(f->lang));
		} else if (nm == N_ITEM) {
			start_item(c, f);
			rdf_about(c, a, f->base);
		} else if (nm == N_IMAGE) {
			f->role = R_IMAGE;
		}
		return;
	case R_CHANNEL: channel_child(c, f, v, nm, a); return;
	case R_ITEM: item_child(c, f, v, nm, a); return;
	case R_ITCAT:
		if (v == V_ITUNES && nm == N_CATEGORY) {
			add_tag(&c->item.it, attr_text(a, "text"));
			f->role = R_ITCAT;
		}
		return;
	case R_IMAGE:
		if (v == V_RSS && nm == N_URL)
			cap_start(c, f, F_IMAGE_URL, 0, 1);
		return;
	case R_PERSON:
		if (v == V_ATOM || v == V_RSS) {
			if (nm == N_NAME)
				cap_start(c, f, F_PERSON_NAME, 0, 1);
			else if (nm == N_URI || nm == N_URL)
				cap_start(c, f, F_PERSON_URI, 0, 1);
			else if (nm == N_EMAIL)
				cap_start(c, f, F_PERSON_EMAIL, 0, 1);
		}
		return;
	case R_MEDIA:
		if (v == V_MEDIA && c->in_item)
			media_element(c, f, nm, a);
		return;
	case R_SKIPHOURS:
		if (nm == N_HOUR)
			cap_start(c, f, F_HOUR, 0, 1);
		return;
	case R_SKIPDAYS:
		if (nm == N_DAY)
			cap_start(c, f, F_DAY, 0, 1);
		return;
	default: return;
	}
}

static void push_ns(struct ctx *c, struct frame *f, const char *prefix,
		    const char *uri)
{
	size_t n = strlen(prefix);
	if (c->nns >= MAX_NS || n >= sizeof c->ns[0].prefix || f->nsdecl == 255)
		return;
	struct nsbind *b = &c->ns[c->nns++];
	memcpy(b->prefix, prefix, n);
	b->plen = (uint8_t)n;
	b->ns = (uint8_t)ns_from_uri(uri);
	f->nsdecl++;
}

static void on_start(struct ctx *c, const char *qname, size_t qlen,
		     const char **attrs)
{
	if (c->overflow || c->depth >= TD_MAX_XML_DEPTH) {
		c->overflow++;
		if (c->xp && !c->too_deep) {
			c->too_deep = 1;
			XML_StopParser(c->xp, XML_FALSE);
		}
		return;
	}
	struct frame *parent = c->depth ? &c->frames[c->depth - 1] : NULL;
	struct frame *f = &c->frames[c->depth];
	int prole = parent ? parent->role : R_SEARCH;
	f->role = R_IGNORE;
	f->nsdecl = 0;
	f->own_base = f->own_lang = 0;
	f->is_void = f->skip_tag = 0;
	f->qname = qname;
	f->qlen = qlen;
	f->defns = parent ? parent->defns : NS_NONE;
	f->base = parent ? parent->base : c->opts->base_url;
	f->lang = parent ? parent->lang : NULL;
	if (prole == R_IGNORE || prole == R_LEAF) {
		c->depth++;
		return;
	}
	int inner = c->cap.depth >= 0;

	for (const char **a = attrs; a && a[0]; a += 2) {
		const char *n = a[0];
		if (n[0] != 'x')
			continue;
		if (!strncmp(n, "xmlns", 5)) {
			if (n[5] == '\0')
				f->defns = (uint8_t)ns_from_uri(a[1]);
			else if (n[5] == ':')
				push_ns(c, f, n + 6, a[1]);
		} else if (!inner && !strcmp(n, "xml:base")) {
			char *b = as_url(f->base, a[1], strlen(a[1]));
			if (b) {
				if (f->own_base)
					free((char *)f->base);
				f->base = b;
				f->own_base = 1;
			}
		} else if (!inner && !strcmp(n, "xml:lang")) {
			char *l = text_copy(a[1], strlen(a[1]), 1, 64);
			if (f->own_lang)
				free((char *)f->lang);
			f->lang = l;
			f->own_lang = l != NULL;
		}
	}

	const char *colon = memchr(qname, ':', qlen);
	const char *local = colon ? colon + 1 : qname;
	size_t llen = colon ? qlen - (size_t)(colon + 1 - qname) : qlen;
	if (inner) {
		f->role = R_INNER;
		c->depth++;
		cap_start_tag(c, f, local, llen, attrs);
		return;
	}
	enum ns ns = colon ? lookup_prefix(c, qname, (size_t)(colon - qname))
			   : (enum ns)f->defns;
	enum name nm = name_id(local, llen);
	if (!c->seen_element) {
		c->seen_element = 1;
		size_t k = qlen < sizeof c->first_name - 1 ? qlen
							   : sizeof c->first_name - 1;
		k = td_utf8_cut(qname, qlen, k);
		memcpy(c->first_name, qname, k);
		c->first_name[k] = '\0';
		if (c->xp) {
			c->first_line = (int)XML_GetCurrentLineNumber(c->xp);
			c->first_col = (int)XML_GetCurrentColumnNumber(c->xp) + 1;
		} else if (c->doc && c->pos) {
			position(c->doc, c->pos, &c->first_line, &c->first_col);
		}
	}
	dispatch(c, f, prole, ns, nm, attrs);
	c->depth++;
}

static void on_end(struct ctx *c, const char *qname)
{
	if (c->overflow) {
		c->overflow--;
		return;
	}
	if (c->depth <= 0)
		return;
	struct frame *f = &c->frames[c->depth - 1];
	switch (f->role) {
	case R_CAPTURE:
		if (c->cap.depth == c->depth - 1)
			cap_finish(c);
		break;
	case R_INNER: cap_end_tag(c, f, qname); break;
	case R_ITEM:
		if (c->in_item)
			item_finish(c, c->eof);
		break;
	case R_PERSON: end_person(c); break;
	default: break;
	}
	if (f->own_base)
		free((char *)f->base);
	if (f->own_lang)
		free((char *)f->lang);
	c->nns -= f->nsdecl;
	c->depth--;
}

/* ======================================================================== */
/* Pass 1 and 2: expat                                                      */
/* ======================================================================== */

static void XMLCALL x_start(void *ud, const XML_Char *name,
			    const XML_Char **attrs)
{
	on_start(ud, name, strlen(name), attrs);
}

static void XMLCALL x_end(void *ud, const XML_Char *name)
{
	on_end(ud, name);
}

static void XMLCALL x_text(void *ud, const XML_Char *s, int len)
{
	struct ctx *c = ud;
	if (c->cap.depth >= 0 && len > 0)
		on_text(c, s, (size_t)len);
}

/* Entities left undeclared because the DOCTYPE names an external DTD we
 * never load (RSS 0.91's): HTML names are decoded, others kept as text. */
static void XMLCALL x_skipped(void *ud, const XML_Char *name, int is_param)
{
	struct ctx *c = ud;
	if (is_param || c->cap.depth < 0)
		return;
	uint32_t cp[2];
	int k = feed_entity_lookup(name, strlen(name), cp);
	if (!k) {
		on_text(c, "&", 1);
		on_text(c, name, strlen(name));
		on_text(c, ";", 1);
		return;
	}
	char u[8];
	struct td_buf b = { .p = u, .len = 0, .cap = sizeof u, .max = sizeof u - 1 };
	for (int i = 0; i < k; i++)
		td_buf_put_utf8(&b, cp[i]);
	if (!td_buf_err(&b))
		on_text(c, u, b.len);
}

struct xerr {
	int code; /* XML_Error, 0 for none */
	int line, col;
};

/* Run expat over s. Returns 0 when the whole document parsed; otherwise
 * fills e. */
static int run_expat(struct ctx *c, const char *s, size_t n, struct xerr *e)
{
	memset(e, 0, sizeof *e);
	XML_Parser p = XML_ParserCreate("UTF-8");
	if (!p) {
		c->oom = 1;
		return -1;
	}
	XML_SetUserData(p, c);
	XML_SetElementHandler(p, x_start, x_end);
	XML_SetCharacterDataHandler(p, x_text);
	XML_SetSkippedEntityHandler(p, x_skipped);
	XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
#if XML_MAJOR_VERSION > 2 || (XML_MAJOR_VERSION == 2 && XML_MINOR_VERSION >= 4)
	XML_SetBillionLaughsAttackProtectionActivationThreshold(
		p, TD_MAX_ENTITY_EXPANSION);
	XML_SetBillionLaughsAttackProtectionMaximumAmplification(p, 8.0f);
#endif
	c->xp = p;
	int rc = 0;
	size_t off = 0;
	do {
		size_t chunk = n - off > (size_t)INT_MAX / 2 ? (size_t)INT_MAX / 2
							     : n - off;
		int final = off + chunk == n;
		if (XML_Parse(p, s + off, (int)chunk, final) != XML_STATUS_OK) {
			enum XML_Error code = XML_GetErrorCode(p);
			e->code = code == XML_ERROR_ABORTED ? -1 : (int)code;
			if (!e->code)
				e->code = -1;
			e->line = (int)XML_GetCurrentLineNumber(p);
			e->col = (int)XML_GetCurrentColumnNumber(p) + 1;
			rc = -1;
			break;
		}
		off += chunk;
	} while (off < n);
	c->xp = NULL;
	XML_ParserFree(p);
	return rc;
}

static const char *xerr_string(const struct xerr *e)
{
	if (e->code < 0)
		return "elements nested too deeply";
	const XML_LChar *m = XML_ErrorString((enum XML_Error)e->code);
	return m ? m : "malformed XML";
}

/* ======================================================================== */
/* Repair pass                                                              */
/* ======================================================================== */

static int name_start(unsigned char ch)
{
	return is_alpha(ch) || ch == '_' || ch == ':' || ch >= 0x80;
}

static int name_char(unsigned char ch)
{
	return name_start(ch) || (ch >= '0' && ch <= '9') || ch == '-' ||
	       ch == '.';
}

/* 1 for bytes that are never allowed in XML: C0 controls except tab, LF,
 * CR; and the UTF-8 forms of U+FFFE and U+FFFF (3 bytes). Returns the
 * number of bytes to drop at s. */
static size_t bad_char(const unsigned char *s, size_t n)
{
	if (s[0] < 0x20 && s[0] != '\t' && s[0] != '\n' && s[0] != '\r')
		return 1;
	if (s[0] == 0xEF && n >= 3 && s[1] == 0xBF && (s[2] == 0xBE || s[2] == 0xBF))
		return 3;
	return 0;
}

/* An entity or character reference at s[0] == '&', rewritten so that expat
 * accepts it: XML's five and valid numeric references kept, HTML names as
 * numeric references, anything else escaped. Returns bytes consumed. */
static size_t repair_ref(const char *s, size_t n, struct td_buf *o)
{
	if (n >= 2 && s[1] == '#') {
		uint32_t cp[2];
		int k;
		size_t used = parse_ref(s, n, cp, &k, 0);
		if (used) {
			uint32_t v = cp[0];
			if (v < 0x20 && v != '\t' && v != '\n' && v != '\r')
				return used; /* dropped */
			if (v == 0xFFFE || v == 0xFFFF)
				v = 0xFFFD;
			td_buf_printf(o, "&#%u;", (unsigned)v);
			return used;
		}
		td_buf_puts(o, "&amp;");
		return 1;
	}
	size_t i = 1;
	while (i < n && i <= FEED_ENTITY_MAX_NAME + 1 && is_alnum((unsigned char)s[i]))
		i++;
	if (i > 1 && i < n && s[i] == ';' && is_alpha((unsigned char)s[1])) {
		size_t len = i - 1;
		static const char *const xml5[] = { "amp", "lt", "gt", "quot",
						    "apos" };
		for (int j = 0; j < 5; j++)
			if (strlen(xml5[j]) == len && !memcmp(s + 1, xml5[j], len)) {
				td_buf_append(o, s, i + 1);
				return i + 1;
			}
		uint32_t cp[2];
		int k = feed_entity_lookup(s + 1, len, cp);
		if (k) {
			for (int j = 0; j < k; j++)
				td_buf_printf(o, "&#%u;", (unsigned)cp[j]);
			return i + 1;
		}
	}
	td_buf_puts(o, "&amp;");
	return 1;
}

/* Copy text (content or attribute value) with references repaired, bad
 * characters dropped, '<' escaped (in attributes) and "]]>" broken up. */
static void repair_text(const char *s, size_t n, int in_attr, struct td_buf *o)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0;
	while (i < n) {
		unsigned char ch = u[i];
		size_t bad;
		if (ch >= 0x20 && ch != '&' && ch != '<' && ch != '>' && ch != 0xEF) {
			i++;
			continue;
		}
		td_buf_append(o, s + run, i - run);
		if (ch == '&') {
			i += repair_ref(s + i, n - i, o);
		} else if (ch == '<') {
			td_buf_puts(o, "&lt;");
			i++;
		} else if (ch == '>') {
			if (!in_attr && i >= 2 && s[i - 1] == ']' && s[i - 2] == ']')
				td_buf_puts(o, "&gt;");
			else
				td_buf_putc(o, '>');
			i++;
		} else if ((bad = bad_char(u + i, n - i))) {
			i += bad;
		} else {
			td_buf_putc(o, ch);
			i++;
		}
		run = i;
	}
	td_buf_append(o, s + run, n - run);
}

#define REPAIR_MAX_ATTRS 32

/* Copy a start tag at s[0] == '<' (name start after it), quoting and
 * de-duplicating attributes. Returns bytes consumed. */
static size_t repair_start_tag(const char *s, size_t n, struct td_buf *o)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 1;
	while (i < n && name_char(u[i]))
		i++;
	td_buf_append(o, s, i);
	struct td_str seen[REPAIR_MAX_ATTRS];
	int nseen = 0;
	for (;;) {
		while (i < n && (is_ws(u[i]) || bad_char(u + i, n - i)))
			i++;
		if (i >= n) {
			td_buf_putc(o, '>');
			return n;
		}
		if (u[i] == '>') {
			td_buf_putc(o, '>');
			return i + 1;
		}
		if (u[i] == '/' && i + 1 < n && u[i + 1] == '>') {
			td_buf_puts(o, "/>");
			return i + 2;
		}
		if (u[i] == '<') { /* unterminated tag: close it here */
			td_buf_putc(o, '>');
			return i;
		}
		if (!name_start(u[i])) {
			i++; /* junk in the tag */
			continue;
		}
		size_t ns = i;
		while (i < n && name_char(u[i]))
			i++;
		struct td_str an = { s + ns, i - ns };
		while (i < n && is_ws(u[i]))
			i++;
		const char *val = NULL;
		size_t vlen = 0;
		if (i < n && u[i] == '=') {
			i++;
			while (i < n && is_ws(u[i]))
				i++;
			if (i < n && (u[i] == '"' || u[i] == '\'')) {
				char q = s[i++];
				const char *e = memchr(s + i, q, n - i);
				size_t end = e ? (size_t)(e - s) : n;
				val = s + i;
				vlen = end - i;
				i = e ? end + 1 : n;
			} else {
				size_t vs = i;
				while (i < n && !is_ws(u[i]) && u[i] != '>' &&
				       !(u[i] == '/' && i + 1 < n && u[i + 1] == '>'))
					i++;
				val = s + vs;
				vlen = i - vs;
			}
		} else {
			val = an.p; /* <option selected> */
			vlen = an.len;
		}
		int dup = nseen >= REPAIR_MAX_ATTRS;
		for (int k = 0; k < nseen && !dup; k++)
			dup = seen[k].len == an.len && !memcmp(seen[k].p, an.p, an.len);
		if (dup)
			continue;
		seen[nseen++] = an;
		td_buf_putc(o, ' ');
		td_buf_append(o, an.p, an.len);
		td_buf_puts(o, "=\"");
		/* the value may hold '"' when it was single-quoted */
		size_t r = 0;
		for (size_t k = 0; k < vlen; k++)
			if (val[k] == '"') {
				repair_text(val + r, k - r, 1, o);
				td_buf_puts(o, "&quot;");
				r = k + 1;
			}
		repair_text(val + r, vlen - r, 1, o);
		td_buf_putc(o, '"');
	}
}

/* Skip a markup declaration (<!DOCTYPE ... [ ... ]>) at s; returns bytes. */
static size_t skip_decl(const char *s, size_t n)
{
	size_t i = 2;
	int depth = 0;
	char q = 0;
	for (; i < n; i++) {
		char ch = s[i];
		if (q) {
			if (ch == q)
				q = 0;
		} else if (ch == '"' || ch == '\'') {
			q = ch;
		} else if (ch == '[') {
			depth++;
		} else if (ch == ']') {
			if (depth)
				depth--;
		} else if (ch == '>' && !depth) {
			return i + 1;
		}
	}
	return n;
}

static void repair(const char *s, size_t n, struct td_buf *o)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	/* junk before an XML declaration (PHP warnings, blank lines) */
	for (size_t k = 0; k + 6 <= n && k < 64 * 1024; k++) {
		const char *lt = memchr(s + k, '<', n - k);
		if (!lt)
			break;
		k = (size_t)(lt - s);
		if (k + 6 <= n && !memcmp(s + k, "<?xml", 5) && is_ws(u[k + 5])) {
			/* only junk may precede it, not the feed itself */
			if (!find_ci(s, k, 0, "<rss") && !find_ci(s, k, 0, "<feed") &&
			    !find_ci(s, k, 0, "rdf") && !find_ci(s, k, 0, "<channel"))
				i = k;
			break;
		}
	}
	if (!i) {
		const char *lt = memchr(s, '<', n);
		i = lt ? (size_t)(lt - s) : n;
	}
	while (i < n && !td_buf_err(o)) {
		const char *lt = memchr(s + i, '<', n - i);
		size_t t = lt ? (size_t)(lt - s) : n;
		if (t > i)
			repair_text(s + i, t - i, 0, o);
		i = t;
		if (i >= n)
			break;
		size_t rest = n - i;
		if (rest >= 4 && !memcmp(s + i, "<!--", 4)) {
			const char *e = find_str(s, n, i + 4, "-->");
			i = e ? (size_t)(e - s) + 3 : n;
		} else if (rest >= 9 && !memcmp(s + i, "<![CDATA[", 9)) {
			const char *e = find_str(s, n, i + 9, "]]>");
			size_t end = e ? (size_t)(e - s) : n;
			td_buf_puts(o, "<![CDATA[");
			size_t r = i + 9;
			for (size_t k = i + 9; k < end;) {
				size_t bad = bad_char(u + k, end - k);
				if (bad) {
					td_buf_append(o, s + r, k - r);
					k += bad;
					r = k;
				} else {
					k++;
				}
			}
			td_buf_append(o, s + r, end - r);
			td_buf_puts(o, "]]>");
			i = e ? end + 3 : n;
		} else if (rest >= 2 && s[i + 1] == '!') {
			i += skip_decl(s + i, rest);
		} else if (rest >= 2 && s[i + 1] == '?') {
			const char *e = find_str(s, n, i + 2, "?>");
			i = e ? (size_t)(e - s) + 2 : n;
		} else if (rest >= 3 && s[i + 1] == '/' && name_start(u[i + 2])) {
			size_t k = i + 2;
			while (k < n && name_char(u[k]))
				k++;
			td_buf_append(o, s + i, k - i);
			td_buf_putc(o, '>');
			while (k < n && s[k] != '>' && s[k] != '<')
				k++;
			i = k < n && s[k] == '>' ? k + 1 : k;
		} else if (rest >= 2 && name_start(u[i + 1])) {
			i += repair_start_tag(s + i, rest, o);
		} else {
			td_buf_puts(o, "&lt;");
			i++;
		}
	}
}

/* ======================================================================== */
/* Pass 3: tolerant scanner                                                 */
/* ======================================================================== */

/* Emit decoded text s[0..n) (XML's five references and numeric ones). */
static void scan_text(struct ctx *c, const char *s, size_t n)
{
	if (c->cap.depth < 0 || !n)
		return;
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r') {
			on_text(c, s + run, i - run);
			on_text(c, "\n", 1);
			if (i + 1 < n && s[i + 1] == '\n')
				i++;
			run = i + 1;
			continue;
		}
		if (s[i] != '&')
			continue;
		static const struct {
			const char *n;
			char ch;
		} x5[] = { { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
			   { "&quot;", '"' }, { "&apos;", '\'' } };
		size_t used = 0;
		char out[8];
		size_t olen = 0;
		for (int k = 0; k < 5 && !used; k++) {
			size_t l = strlen(x5[k].n);
			if (n - i >= l && !memcmp(s + i, x5[k].n, l)) {
				used = l;
				out[0] = x5[k].ch;
				olen = 1;
			}
		}
		if (!used && i + 1 < n && s[i + 1] == '#') {
			uint32_t cp[2];
			int k;
			used = parse_ref(s + i, n - i, cp, &k, 0);
			if (used) {
				struct td_buf b = { .p = out, .cap = sizeof out,
						    .max = sizeof out - 1 };
				put_cp(&b, cp[0]);
				olen = b.err ? 0 : b.len;
			}
		}
		if (!used)
			continue;
		on_text(c, s + run, i - run);
		on_text(c, out, olen);
		i += used - 1;
		run = i + 1;
	}
	on_text(c, s + run, n - run);
}

/* Normalise an attribute value as XML does (references decoded, tab, CR,
 * LF to spaces) into b. */
static void scan_attr_value(const char *s, size_t n, struct td_buf *b)
{
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '\t' || ch == '\n' || ch == '\r') {
			td_buf_putc(b, ' ');
		} else if (ch == '&') {
			uint32_t cp[2];
			int k = 0;
			size_t used = 0;
			if (n - i >= 5 && !memcmp(s + i, "&amp;", 5)) {
				td_buf_putc(b, '&');
				used = 5;
			} else if (n - i >= 4 && !memcmp(s + i, "&lt;", 4)) {
				td_buf_putc(b, '<');
				used = 4;
			} else if (n - i >= 4 && !memcmp(s + i, "&gt;", 4)) {
				td_buf_putc(b, '>');
				used = 4;
			} else if (n - i >= 6 && !memcmp(s + i, "&quot;", 6)) {
				td_buf_putc(b, '"');
				used = 6;
			} else if (n - i >= 6 && !memcmp(s + i, "&apos;", 6)) {
				td_buf_putc(b, '\'');
				used = 6;
			} else if ((used = parse_ref(s + i, n - i, cp, &k, 0))) {
				put_cp(b, cp[0]);
			} else {
				td_buf_putc(b, '&');
				used = 1;
			}
			i += used - 1;
		} else {
			td_buf_putc(b, ch);
		}
	}
}

#define SCAN_MAX_ATTRS 64

/* 1 when the innermost open element captures a one-line text field. */
static int scan_closes_line_field(const struct ctx *c)
{
	return c->cap.depth >= 0 && c->cap.depth == c->depth - 1 &&
	       c->cap.max == TD_MAX_FIELD_BYTES;
}

static void scan_close_top(struct ctx *c)
{
	const struct frame *f = &c->frames[c->depth - 1];
	char nm[64];
	size_t fl = f->qlen < sizeof nm - 1 ? f->qlen : sizeof nm - 1;
	memcpy(nm, f->qname, fl);
	nm[fl] = '\0';
	on_end(c, nm);
}

/* Parse a start tag at s[0] == '<'; calls on_start (and on_end for an empty
 * element). Returns bytes consumed. */
static size_t scan_start_tag(struct ctx *c, const char *s, size_t n,
			     struct td_buf *ab)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 1;
	while (i < n && name_char(u[i]))
		i++;
	const char *qname = s + 1;
	size_t qlen = i - 1;
	size_t offs[2 * SCAN_MAX_ATTRS + 1];
	int na = 0, empty = 0;
	td_buf_reset(ab);
	size_t name_off = 0;
	td_buf_append(ab, qname, qlen);
	td_buf_putc(ab, '\0');
	for (;;) {
		while (i < n && is_ws(u[i]))
			i++;
		if (i >= n)
			break;
		if (u[i] == '>') {
			i++;
			break;
		}
		if (u[i] == '/' && i + 1 < n && u[i + 1] == '>') {
			empty = 1;
			i += 2;
			break;
		}
		if (u[i] == '<')
			break;
		if (!name_start(u[i])) {
			i++;
			continue;
		}
		size_t as = i;
		while (i < n && name_char(u[i]))
			i++;
		size_t ae = i;
		while (i < n && is_ws(u[i]))
			i++;
		const char *val = s + as;
		size_t vlen = ae - as;
		if (i < n && u[i] == '=') {
			i++;
			while (i < n && is_ws(u[i]))
				i++;
			if (i < n && (u[i] == '"' || u[i] == '\'')) {
				char q = s[i++];
				const char *e = memchr(s + i, q, n - i);
				size_t end = e ? (size_t)(e - s) : n;
				val = s + i;
				vlen = end - i;
				i = e ? end + 1 : n;
			} else {
				size_t vs = i;
				while (i < n && !is_ws(u[i]) && u[i] != '>')
					i++;
				val = s + vs;
				vlen = i - vs;
			}
		}
		if (na >= SCAN_MAX_ATTRS)
			continue;
		int dup = 0;
		for (int k = 0; k < na && !dup; k++) {
			const char *prev = ab->p + offs[2 * k];
			dup = strlen(prev) == ae - as && !memcmp(prev, s + as, ae - as);
		}
		if (dup || td_buf_err(ab))
			continue;
		offs[2 * na] = ab->len;
		td_buf_append(ab, s + as, ae - as);
		td_buf_putc(ab, '\0');
		offs[2 * na + 1] = ab->len;
		scan_attr_value(val, vlen, ab);
		td_buf_putc(ab, '\0');
		na++;
	}
	if (td_buf_err(ab)) {
		c->oom = 1;
		return i;
	}
	const char *ap[2 * SCAN_MAX_ATTRS + 1];
	for (int k = 0; k < 2 * na; k++)
		ap[k] = ab->p + offs[k];
	ap[2 * na] = NULL;
	/* a feed element opening inside a one-line field (a title whose end
	 * tag is missing): close the field first */
	if (c->depth > 0 && !c->overflow && scan_closes_line_field(c) &&
	    !c->cap.xhtml) {
		const char *colon = memchr(qname, ':', qlen);
		const char *local = colon ? colon + 1 : qname;
		size_t llen = colon ? qlen - (size_t)(colon + 1 - qname) : qlen;
		enum name id = name_id(local, llen);
		if (id != N_UNKNOWN && id != N_DIV)
			scan_close_top(c);
	}
	/* a new item while one is open (its end tag is missing): close the
	 * open one, as HTML closes an <li> */
	if (c->in_item && !c->overflow) {
		const char *colon = memchr(qname, ':', qlen);
		const char *local = colon ? colon + 1 : qname;
		size_t llen = colon ? qlen - (size_t)(colon + 1 - qname) : qlen;
		enum name id = name_id(local, llen);
		if (id == N_ITEM || id == N_ENTRY) {
			int d = c->depth - 1;
			while (d >= 0 && c->frames[d].role != R_ITEM)
				d--;
			while (d >= 0 && c->depth > d)
				scan_close_top(c);
		}
	}
	int before = c->depth;
	long ob = c->overflow;
	c->pos = s;
	on_start(c, ab->p + name_off, qlen, ap);
	if (c->depth > before)
		c->frames[before].qname = qname; /* point into the document */
	if (empty && (c->depth > before || c->overflow > ob)) {
		char nm[64];
		size_t k = qlen < sizeof nm - 1 ? qlen : sizeof nm - 1;
		memcpy(nm, qname, k);
		nm[k] = '\0';
		on_end(c, nm);
	}
	return i;
}

/* An end tag: close the nearest open element of that name and everything
 * opened inside it; ignore it when no such element is open. */
static void scan_end_tag(struct ctx *c, const char *name, size_t len)
{
	char nm[64];
	size_t k = len < sizeof nm - 1 ? len : sizeof nm - 1;
	memcpy(nm, name, k);
	nm[k] = '\0';
	if (c->overflow) {
		on_end(c, nm);
		return;
	}
	int d = c->depth - 1;
	while (d >= 0 && !(c->frames[d].qlen == len &&
			   !memcmp(c->frames[d].qname, name, len)))
		d--;
	if (d < 0) {
		/* a misspelt end tag of a one-line field closes it */
		if (c->depth > 0 && scan_closes_line_field(c))
			scan_close_top(c);
		return;
	}
	while (c->depth > d) {
		const struct frame *f = &c->frames[c->depth - 1];
		size_t fl = f->qlen < sizeof nm - 1 ? f->qlen : sizeof nm - 1;
		memcpy(nm, f->qname, fl);
		nm[fl] = '\0';
		on_end(c, nm);
	}
}

static void scan(struct ctx *c, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	struct td_buf ab;
	td_buf_init(&ab, 0);
	c->doc = s;
	size_t i = 0;
	while (i < n && !c->oom) {
		const char *lt = memchr(s + i, '<', n - i);
		size_t t = lt ? (size_t)(lt - s) : n;
		scan_text(c, s + i, t - i);
		i = t;
		if (i >= n)
			break;
		size_t rest = n - i;
		if (rest >= 9 && !memcmp(s + i, "<![CDATA[", 9)) {
			const char *e = find_str(s, n, i + 9, "]]>");
			size_t end = e ? (size_t)(e - s) : n;
			if (c->cap.depth >= 0)
				on_text(c, s + i + 9, end - i - 9);
			i = e ? end + 3 : n;
		} else if (rest >= 4 && !memcmp(s + i, "<!--", 4)) {
			const char *e = find_str(s, n, i + 4, "-->");
			i = e ? (size_t)(e - s) + 3 : n;
		} else if (rest >= 2 && s[i + 1] == '!') {
			i += skip_decl(s + i, rest);
		} else if (rest >= 2 && s[i + 1] == '?') {
			const char *e = find_str(s, n, i + 2, "?>");
			i = e ? (size_t)(e - s) + 2 : n;
		} else if (rest >= 3 && s[i + 1] == '/' && name_start(u[i + 2])) {
			size_t k = i + 2;
			while (k < n && name_char(u[k]))
				k++;
			scan_end_tag(c, s + i + 2, k - i - 2);
			while (k < n && s[k] != '>' && s[k] != '<')
				k++;
			i = k < n && s[k] == '>' ? k + 1 : k;
		} else if (rest >= 2 && name_start(u[i + 1])) {
			i += scan_start_tag(c, s + i, rest, &ab);
		} else {
			if (c->cap.depth >= 0)
				on_text(c, "<", 1);
			i++;
		}
	}
	/* end of input: close what is open; a partial last item survives only
	 * with a title or a link */
	c->eof = 1;
	c->overflow = 0;
	while (c->depth > 0) {
		const struct frame *f = &c->frames[c->depth - 1];
		char nm[64];
		size_t fl = f->qlen < sizeof nm - 1 ? f->qlen : sizeof nm - 1;
		memcpy(nm, f->qname, fl);
		nm[fl] = '\0';
		on_end(c, nm);
	}
	c->eof = 0;
	td_buf_release(&ab);
}
/* ======================================================================== */
/* Pass 0: the strict fast path                                             */
/* ======================================================================== */

/*
 * Nearly every feed is plain well-formed XML: no DOCTYPE, only the five
 * predefined entities and character references, ASCII element names. This
 * pass reads such a document straight from the UTF-8 text (no copy, no
 * expat) and calls on_start/on_end/on_text with exactly the values expat
 * would pass: attribute values normalised (references decoded, literal tab,
 * CR, LF and CR LF to one space), CR LF and lone CR in text and CDATA to LF.
 *
 * It accepts a strict subset of XML 1.0 and gives up (FX_BAIL) at the first
 * thing outside it: a DOCTYPE or any other "<!" declaration, a reference
 * other than the predefined five and valid character references, a name
 * with a byte outside [A-Za-z0-9_.:-], a control character, U+FFFE/U+FFFF,
 * "]]>" in text, a duplicate attribute, more than FX_MAX_ATTRS attributes,
 * nesting at TD_MAX_XML_DEPTH, any syntax error. The caller then resets
 * the parser state and runs expat from the start, so errors, positions and
 * recovery stay expat's. Giving up is always safe; accepting a document
 * expat rejects, or passing other values than expat would, is a bug
 * (fuzz/fuzz_feed_xml_fast.c compares the two paths).
 */

#define FX_BAIL (-1)
#define FX_MAX_ATTRS 64

/* Byte classes. Text: what ends a run of plain character data. */
enum { TX_PLAIN, TX_LT, TX_AMP, TX_CR, TX_RBRACKET, TX_EF, TX_BAD };

#define FX_CONTROLS                                                           \
	[0x00] = TX_BAD, [0x01] = TX_BAD, [0x02] = TX_BAD, [0x03] = TX_BAD,   \
	[0x04] = TX_BAD, [0x05] = TX_BAD, [0x06] = TX_BAD, [0x07] = TX_BAD,   \
	[0x08] = TX_BAD, [0x0B] = TX_BAD, [0x0C] = TX_BAD, [0x0E] = TX_BAD,   \
	[0x0F] = TX_BAD, [0x10] = TX_BAD, [0x11] = TX_BAD, [0x12] = TX_BAD,   \
	[0x13] = TX_BAD, [0x14] = TX_BAD, [0x15] = TX_BAD, [0x16] = TX_BAD,   \
	[0x17] = TX_BAD, [0x18] = TX_BAD, [0x19] = TX_BAD, [0x1A] = TX_BAD,   \
	[0x1B] = TX_BAD, [0x1C] = TX_BAD, [0x1D] = TX_BAD, [0x1E] = TX_BAD,   \
	[0x1F] = TX_BAD, [0x7F] = TX_BAD, [0xEF] = TX_EF

/* Character data in content. */
static const uint8_t fx_text[256] = {
	FX_CONTROLS, ['<'] = TX_LT, ['&'] = TX_AMP, ['\r'] = TX_CR,
	[']'] = TX_RBRACKET,
};

/* CDATA sections ('<' and '&' are plain there). */
static const uint8_t fx_cdata[256] = {
	FX_CONTROLS, ['\r'] = TX_CR, [']'] = TX_RBRACKET,
};

/* Attribute values: TX_LT for '<', TX_AMP, TX_CR for tab, LF and CR,
 * TX_RBRACKET for either quote (the caller checks which). */
static const uint8_t fx_attr[256] = {
	FX_CONTROLS, ['<'] = TX_LT, ['&'] = TX_AMP, ['\r'] = TX_CR,
	['\n'] = TX_CR, ['\t'] = TX_CR, ['"'] = TX_RBRACKET,
	['\''] = TX_RBRACKET,
};

/* Comments and processing instructions: '-' and '?' end a run. */
static const uint8_t fx_misc[256] = {
	FX_CONTROLS, ['-'] = TX_LT, ['?'] = TX_LT,
};

/* Name bytes: 1 may start a name, 2 may continue it, 3 is ':'. */
static const uint8_t fx_name[256] = {
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1,
	['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1,
	['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1,
	['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1,
	['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1, ['_'] = 1, ['0'] = 2,
	['1'] = 2, ['2'] = 2, ['3'] = 2, ['4'] = 2, ['5'] = 2, ['6'] = 2,
	['7'] = 2, ['8'] = 2, ['9'] = 2, ['.'] = 2, ['-'] = 2, [':'] = 3,
};

struct fx {
	struct ctx *c;
	const unsigned char *s;
	size_t n;
	struct td_buf ab; /* the current tag's name and attributes */
	int depth;
	const unsigned char *open[TD_MAX_XML_DEPTH]; /* open element names */
	uint32_t open_len[TD_MAX_XML_DEPTH];
};

static int fx_space(unsigned char ch)
{
	return ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r';
}

/* 1 when the 0xEF at s[i] starts U+FFFE or U+FFFF (not XML characters). */
static int fx_nonchar(const struct fx *x, size_t i)
{
	return i + 2 < x->n && x->s[i + 1] == 0xBF &&
	       (x->s[i + 2] == 0xBE || x->s[i + 2] == 0xBF);
}

/* Length of the name at s[i]: ASCII name characters with at most one
 * inner ':' between two non-empty parts; 0 when there is none. */
static size_t fx_name_len(const struct fx *x, size_t i)
{
	const unsigned char *s = x->s;
	size_t j = i, colon = 0;
	if (j >= x->n || fx_name[s[j]] != 1)
		return 0;
	for (j++; j < x->n && fx_name[s[j]]; j++) {
		if (fx_name[s[j]] != 3)
			continue;
		if (colon || j + 1 >= x->n || fx_name[s[j + 1]] != 1)
			return 0;
		colon = j;
	}
	return j - i;
}

/* The reference at s[i] == '&' that XML allows without a DTD: returns its
 * length and stores its UTF-8 bytes in out; 0 when there is none. */
static size_t fx_ref(const struct fx *x, size_t i, char out[4], size_t *olen)
{
	const unsigned char *s = x->s;
	size_t n = x->n, j = i + 1;
	if (j < n && s[j] == '#') {
		uint32_t v = 0;
		int hex = ++j < n && s[j] == 'x';
		size_t d0 = j += (size_t)hex;
		for (; j < n; j++) {
			unsigned ch = s[j], d;
			if (ch >= '0' && ch <= '9')
				d = ch - '0';
			else if (hex && (ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
				d = (ch | 0x20) - 'a' + 10;
			else
				break;
			v = v * (hex ? 16 : 10) + d;
			if (v > 0x10FFFF)
				return 0;
		}
		if (j == d0 || j >= n || s[j] != ';')
			return 0;
		if (v < 0x20 ? !(v == 0x9 || v == 0xA || v == 0xD)
			     : ((v >= 0xD800 && v <= 0xDFFF) || v == 0xFFFE ||
				v == 0xFFFF))
			return 0;
		unsigned char *o = (unsigned char *)out;
		if (v < 0x80) {
			o[0] = (unsigned char)v;
			*olen = 1;
		} else if (v < 0x800) {
			o[0] = (unsigned char)(0xC0 | (v >> 6));
			o[1] = (unsigned char)(0x80 | (v & 0x3F));
			*olen = 2;
		} else if (v < 0x10000) {
			o[0] = (unsigned char)(0xE0 | (v >> 12));
			o[1] = (unsigned char)(0x80 | ((v >> 6) & 0x3F));
			o[2] = (unsigned char)(0x80 | (v & 0x3F));
			*olen = 3;
		} else {
			o[0] = (unsigned char)(0xF0 | (v >> 18));
			o[1] = (unsigned char)(0x80 | ((v >> 12) & 0x3F));
			o[2] = (unsigned char)(0x80 | ((v >> 6) & 0x3F));
			o[3] = (unsigned char)(0x80 | (v & 0x3F));
			*olen = 4;
		}
		return j + 1 - i;
	}
	static const struct {
		char name[6];
		char ch;
	} pre[] = { { "lt;", '<' },
		    { "gt;", '>' },
		    { "amp;", '&' },
		    { "quot;", '"' },
		    { "apos;", '\'' } };
	for (size_t k = 0; k < sizeof pre / sizeof pre[0]; k++) {
		size_t l = strlen(pre[k].name);
		if (n - j >= l && !memcmp(s + j, pre[k].name, l)) {
			out[0] = pre[k].ch;
			*olen = 1;
			return l + 1;
		}
	}
	return 0;
}

/* Skipping plain bytes, sixteen at a time where SSE2 is there. Each
 * returns the offset of the first byte at or after i that may end a run
 * (controls other than tab and LF, DEL, 0xEF and the context's own), or
 * n; the caller looks the byte up in its table. */
#ifdef __SSE2__
#define FX_SIMD_LOOP(test)                                                    \
	for (; i + 16 <= n; i += 16) {                                        \
		__m128i v = _mm_loadu_si128((const __m128i *)(s + i));        \
		__m128i ctl = _mm_cmpeq_epi8(_mm_max_epu8(v, c1f), c1f);      \
		ctl = _mm_andnot_si128(_mm_or_si128(FX_EQ('\n'), FX_EQ('\t')), \
				       ctl);                                  \
		__m128i del = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F));          \
		__m128i ef = _mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xEF));     \
		__m128i m = _mm_or_si128(_mm_or_si128(ctl, del),              \
					 _mm_or_si128(ef, (test)));            \
		int bits = _mm_movemask_epi8(m);                              \
		if (bits)                                                     \
			return i + (size_t)__builtin_ctz((unsigned)bits);     \
	}
#define FX_EQ(ch) _mm_cmpeq_epi8(v, _mm_set1_epi8(ch))
#endif

static size_t fx_skip_text(const unsigned char *s, size_t i, size_t n)
{
#ifdef __SSE2__
	const __m128i c1f = _mm_set1_epi8(0x1F);
	FX_SIMD_LOOP(_mm_or_si128(_mm_or_si128(FX_EQ('<'), FX_EQ('&')),
				  FX_EQ(']')))
#endif
	while (i < n && fx_text[s[i]] == TX_PLAIN)
		i++;
	return i;
}

static size_t fx_skip_cdata(const unsigned char *s, size_t i, size_t n)
{
#ifdef __SSE2__
	const __m128i c1f = _mm_set1_epi8(0x1F);
	FX_SIMD_LOOP(FX_EQ(']'))
#endif
	while (i < n && fx_cdata[s[i]] == TX_PLAIN)
		i++;
	return i;
}

static size_t fx_skip_attr(const unsigned char *s, size_t i, size_t n)
{
#ifdef __SSE2__
	const __m128i c1f = _mm_set1_epi8(0x1F);
	FX_SIMD_LOOP(_mm_or_si128(
		_mm_or_si128(_mm_or_si128(FX_EQ('"'), FX_EQ('\'')),
			     _mm_or_si128(FX_EQ('<'), FX_EQ('&'))),
		_mm_or_si128(FX_EQ('\n'), FX_EQ('\t'))))
#endif
	while (i < n && fx_attr[s[i]] == TX_PLAIN)
		i++;
	return i;
}

/* Text from the document itself (stays in place), and text that does not
 * (a decoded reference, a newline). */
static void fx_emit(struct ctx *c, const unsigned char *p, size_t n)
{
	if (n && c->cap.depth >= 0)
		on_text_stable(c, (const char *)p, n);
}

static void fx_emit_tmp(struct ctx *c, const char *p, size_t n)
{
	if (n && c->cap.depth >= 0)
		on_text(c, p, n);
}

/* Character data from s[*pi] up to the next '<' (not consumed). */
static int fx_chars(struct fx *x, size_t *pi)
{
	const unsigned char *s = x->s;
	size_t n = x->n, i = *pi, run = i;
	for (;;) {
		i = fx_skip_text(s, i, n);
		if (i >= n)
			return FX_BAIL; /* end of input inside the root */
		if (s[i] == '<') {
			fx_emit(x->c, s + run, i - run);
			*pi = i;
			return 0;
		}
		switch (fx_text[s[i]]) {
		case TX_PLAIN: /* tab or LF, when not skipped above */
			i++;
			break;
		case TX_AMP: {
			char out[4];
			size_t olen = 0, k = fx_ref(x, i, out, &olen);
			if (!k)
				return FX_BAIL;
			fx_emit(x->c, s + run, i - run);
			fx_emit_tmp(x->c, out, olen);
			i += k;
			run = i;
			break;
		}
		case TX_CR:
			fx_emit(x->c, s + run, i - run);
			fx_emit_tmp(x->c, "\n", 1);
			i += i + 1 < n && s[i + 1] == '\n' ? 2 : 1;
			run = i;
			break;
		case TX_RBRACKET:
			if (i + 2 < n && s[i + 1] == ']' && s[i + 2] == '>')
				return FX_BAIL;
			i++;
			break;
		case TX_EF:
			if (fx_nonchar(x, i))
				return FX_BAIL;
			i++;
			break;
		default: return FX_BAIL;
		}
	}
}

/* A CDATA section at s[*pi] == "<![CDATA[". */
static int fx_cdata_section(struct fx *x, size_t *pi)
{
	const unsigned char *s = x->s;
	size_t n = x->n, i = *pi + 9, run = i;
	for (;;) {
		i = fx_skip_cdata(s, i, n);
		if (i >= n)
			return FX_BAIL;
		switch (fx_cdata[s[i]]) {
		case TX_PLAIN: /* tab or LF, when not skipped above */
			i++;
			break;
		case TX_RBRACKET:
			if (i + 2 < n && s[i + 1] == ']' && s[i + 2] == '>') {
				fx_emit(x->c, s + run, i - run);
				*pi = i + 3;
				return 0;
			}
			i++;
			break;
		case TX_CR:
			fx_emit(x->c, s + run, i - run);
			fx_emit_tmp(x->c, "\n", 1);
			i += i + 1 < n && s[i + 1] == '\n' ? 2 : 1;
			run = i;
			break;
		case TX_EF:
			if (fx_nonchar(x, i))
				return FX_BAIL;
			i++;
			break;
		default: return FX_BAIL;
		}
	}
}

/* A comment at s[*pi] == "<!--". */
static int fx_comment(struct fx *x, size_t *pi)
{
	const unsigned char *s = x->s;
	size_t n = x->n, i = *pi + 4;
	for (;;) {
		while (i < n && fx_misc[s[i]] == TX_PLAIN)
			i++;
		if (i >= n)
			return FX_BAIL;
		if (s[i] == '-') {
			if (i + 1 < n && s[i + 1] == '-') {
				if (i + 2 < n && s[i + 2] == '>') {
					*pi = i + 3;
					return 0;
				}
				return FX_BAIL; /* "--" inside a comment */
			}
		} else if (s[i] == 0xEF) {
			if (fx_nonchar(x, i))
				return FX_BAIL;
		} else if (s[i] != '?') {
			return FX_BAIL;
		}
		i++;
	}
}

/* A processing instruction at s[*pi] == "<?" (not the XML declaration). */
static int fx_pi(struct fx *x, size_t *pi)
{
	const unsigned char *s = x->s;
	size_t n = x->n, i = *pi + 2;
	size_t nl = fx_name_len(x, i);
	if (!nl || (nl == 3 && (s[i] | 0x20) == 'x' &&
		    (s[i + 1] | 0x20) == 'm' && (s[i + 2] | 0x20) == 'l'))
		return FX_BAIL; /* no target, or the reserved "xml" */
	i += nl;
	if (i + 1 < n && s[i] == '?' && s[i + 1] == '>') {
		*pi = i + 2;
		return 0;
	}
	if (i >= n || !fx_space(s[i]))
		return FX_BAIL;
	for (;;) {
		while (i < n && fx_misc[s[i]] == TX_PLAIN)
			i++;
		if (i >= n)
			return FX_BAIL;
		if (s[i] == '?') {
			if (i + 1 < n && s[i + 1] == '>') {
				*pi = i + 2;
				return 0;
			}
		} else if (s[i] == 0xEF) {
			if (fx_nonchar(x, i))
				return FX_BAIL;
		} else if (s[i] != '-') {
			return FX_BAIL;
		}
		i++;
	}
}

/* A pseudo-attribute of the XML declaration at s[*pi] (after spaces):
 * name, '=', quoted value of [A-Za-z0-9._-]. Returns 1 and the value when
 * the name matches. */
static int fx_decl_attr(const struct fx *x, size_t *pi, const char *name,
			const unsigned char **v, size_t *vlen)
{
	const unsigned char *s = x->s;
	size_t n = x->n, i = *pi, l = strlen(name);
	if (n - i < l || memcmp(s + i, name, l))
		return 0;
	i += l;
	while (i < n && fx_space(s[i]))
		i++;
	if (i >= n || s[i] != '=')
		return 0;
	i++;
	while (i < n && fx_space(s[i]))
		i++;
	if (i >= n || (s[i] != '"' && s[i] != '\''))
		return 0;
	unsigned char q = s[i++];
	size_t v0 = i;
	while (i < n && (fx_name[s[i]] == 1 || fx_name[s[i]] == 2))
		i++;
	if (i >= n || s[i] != q)
		return 0;
	*v = s + v0;
	*vlen = i - v0;
	*pi = i + 1;
	return 1;
}

/* The XML declaration at s[0]: version 1.0, an optional encoding name and
 * an optional standalone yes/no, nothing else. */
static int fx_xml_decl(struct fx *x, size_t *pi)
{
	const unsigned char *s = x->s, *v;
	size_t n = x->n, i = 5, vl, sp;
	for (sp = i; i < n && fx_space(s[i]); i++)
		;
	if (i == sp || !fx_decl_attr(x, &i, "version", &v, &vl) || vl != 3 ||
	    memcmp(v, "1.0", 3))
		return FX_BAIL;
	for (sp = i; i < n && fx_space(s[i]); i++)
		;
	if (i > sp && fx_decl_attr(x, &i, "encoding", &v, &vl)) {
		if (!vl || fx_name[v[0]] != 1 || v[0] == '_')
			return FX_BAIL;
		for (sp = i; i < n && fx_space(s[i]); i++)
			;
	}
	if (i > sp && fx_decl_attr(x, &i, "standalone", &v, &vl)) {
		if (!((vl == 3 && !memcmp(v, "yes", 3)) ||
		      (vl == 2 && !memcmp(v, "no", 2))))
			return FX_BAIL;
		while (i < n && fx_space(s[i]))
			i++;
	}
	if (i + 1 >= n || s[i] != '?' || s[i + 1] != '>')
		return FX_BAIL;
	*pi = i + 2;
	return 0;
}

/* An attribute value from s[*pi] (after the opening quote q) up to the
 * closing quote, normalised into x->ab. */
static int fx_attr_value(struct fx *x, size_t *pi, unsigned char q)
{
	const unsigned char *s = x->s;
	size_t n = x->n, i = *pi, run = i;
	for (;;) {
		i = fx_skip_attr(s, i, n);
		if (i >= n)
			return FX_BAIL;
		switch (fx_attr[s[i]]) {
		case TX_RBRACKET: /* a quote */
			if (s[i] != q) {
				i++;
				break;
			}
			td_buf_append(&x->ab, s + run, i - run);
			*pi = i + 1;
			return 0;
		case TX_AMP: {
			char out[4];
			size_t olen = 0, k = fx_ref(x, i, out, &olen);
			if (!k)
				return FX_BAIL;
			td_buf_append(&x->ab, s + run, i - run);
			td_buf_append(&x->ab, out, olen);
			i += k;
			run = i;
			break;
		}
		case TX_CR: /* tab, LF, CR or CR LF: one space */
			td_buf_append(&x->ab, s + run, i - run);
			td_buf_putc(&x->ab, ' ');
			i += s[i] == '\r' && i + 1 < n && s[i + 1] == '\n' ? 2 : 1;
			run = i;
			break;
		case TX_EF:
			if (fx_nonchar(x, i))
				return FX_BAIL;
			i++;
			break;
		default: return FX_BAIL; /* '<' or a control character */
		}
	}
}

/* A start tag at s[*pi] == '<': on_start, and on_end when it is empty. */
static int fx_start_tag(struct fx *x, size_t *pi)
{
	const unsigned char *s = x->s;
	size_t n = x->n, i = *pi + 1;
	size_t qlen = fx_name_len(x, i);
	if (!qlen || x->depth >= TD_MAX_XML_DEPTH)
		return FX_BAIL;
	const unsigned char *qname = s + i;
	size_t offs[2 * FX_MAX_ATTRS];
	int na = 0, empty = 0;
	td_buf_reset(&x->ab);
	td_buf_append(&x->ab, qname, qlen);
	td_buf_putc(&x->ab, '\0');
	i += qlen;
	for (;;) {
		size_t sp = i;
		while (i < n && fx_space(s[i]))
			i++;
		if (i >= n)
			return FX_BAIL;
		if (s[i] == '>') {
			i++;
			break;
		}
		if (s[i] == '/') {
			if (i + 1 >= n || s[i + 1] != '>')
				return FX_BAIL;
			empty = 1;
			i += 2;
			break;
		}
		size_t al = fx_name_len(x, i);
		if (i == sp || !al || na == FX_MAX_ATTRS)
			return FX_BAIL;
		for (int k = 0; k < na; k++) {
			size_t pl = offs[2 * k + 1] - offs[2 * k] - 1;
			if (pl == al && !memcmp(x->ab.p + offs[2 * k], s + i, al))
				return FX_BAIL; /* duplicate attribute */
		}
		offs[2 * na] = x->ab.len;
		td_buf_append(&x->ab, s + i, al);
		td_buf_putc(&x->ab, '\0');
		i += al;
		while (i < n && fx_space(s[i]))
			i++;
		if (i >= n || s[i] != '=')
			return FX_BAIL;
		i++;
		while (i < n && fx_space(s[i]))
			i++;
		if (i >= n || (s[i] != '"' && s[i] != '\''))
			return FX_BAIL;
		offs[2 * na + 1] = x->ab.len;
		i++;
		if (fx_attr_value(x, &i, s[i - 1]))
			return FX_BAIL;
		td_buf_putc(&x->ab, '\0');
		na++;
	}
	if (td_buf_err(&x->ab)) {
		x->c->oom = 1;
		return FX_BAIL;
	}
	const char *ap[2 * FX_MAX_ATTRS + 1];
	for (int k = 0; k < 2 * na; k++)
		ap[k] = x->ab.p + offs[k];
	ap[2 * na] = NULL;
	on_start(x->c, x->ab.p, qlen, ap);
	if (empty) {
		on_end(x->c, x->ab.p);
	} else {
		x->open[x->depth] = qname;
		x->open_len[x->depth] = (uint32_t)qlen;
		x->depth++;
	}
	*pi = i;
	return 0;
}

/* An end tag at s[*pi] == "</": must close the innermost open element. */
static int fx_end_tag(struct fx *x, size_t *pi)
{
	const unsigned char *s = x->s;
	size_t n = x->n, i = *pi + 2;
	size_t l = x->open_len[x->depth - 1];
	if (n - i < l || memcmp(s + i, x->open[x->depth - 1], l))
		return FX_BAIL;
	i += l;
	while (i < n && fx_space(s[i]))
		i++;
	if (i >= n || s[i] != '>')
		return FX_BAIL;
	td_buf_reset(&x->ab);
	td_buf_append(&x->ab, s + *pi + 2, l);
	if (td_buf_err(&x->ab)) {
		x->c->oom = 1;
		return FX_BAIL;
	}
	x->depth--;
	on_end(x->c, x->ab.p);
	*pi = i + 1;
	return 0;
}

/* Outside the root element: spaces, comments and processing instructions;
 * stops at the root's start tag (or the end of input). */
static int fx_misc_run(struct fx *x, size_t *pi)
{
	const unsigned char *s = x->s;
	size_t n = x->n, i = *pi;
	for (;;) {
		while (i < n && fx_space(s[i]))
			i++;
		if (i >= n || s[i] != '<')
			break;
		int rc;
		if (n - i >= 4 && !memcmp(s + i, "<!--", 4))
			rc = fx_comment(x, &i);
		else if (i + 1 < n && s[i + 1] == '?')
			rc = fx_pi(x, &i);
		else
			break;
		if (rc)
			return rc;
	}
	*pi = i;
	return 0;
}

/* Run the fast path over s[0..n). Returns 0 when the whole document was
 * read (the handlers saw all of it), FX_BAIL when expat must do it. */
static int fast_parse(struct ctx *c, const char *text, size_t n)
{
	struct fx *x = malloc(sizeof *x);
	if (!x) {
		c->oom = 1;
		return FX_BAIL;
	}
	x->c = c;
	x->s = (const unsigned char *)text;
	x->n = n;
	x->depth = 0;
	td_buf_init(&x->ab, 0);
	const unsigned char *s = x->s;
	size_t i = 0;
	int rc = FX_BAIL;
	if (n >= 6 && !memcmp(s, "<?xml", 5) && fx_space(s[5]) &&
	    fx_xml_decl(x, &i))
		goto out;
	if (fx_misc_run(x, &i) || i >= n || s[i] != '<' ||
	    fx_start_tag(x, &i))
		goto out;
	while (x->depth > 0 && !c->oom) {
		if (fx_chars(x, &i))
			goto out;
		/* s[i] == '<' */
		if (i + 1 >= n)
			goto out;
		unsigned char ch = s[i + 1];
		int r;
		if (ch == '/')
			r = fx_end_tag(x, &i);
		else if (ch == '!' && n - i >= 9 && !memcmp(s + i, "<![CDATA[", 9))
			r = fx_cdata_section(x, &i);
		else if (ch == '!' && n - i >= 4 && !memcmp(s + i, "<!--", 4))
			r = fx_comment(x, &i);
		else if (ch == '?')
			r = fx_pi(x, &i);
		else
			r = fx_start_tag(x, &i);
		if (r)
			goto out;
	}
	if (c->oom || fx_misc_run(x, &i) || i < n)
		goto out;
	rc = 0;
out:
	td_buf_release(&x->ab);
	free(x);
	return rc;
}


/* ======================================================================== */
/* Entry point                                                              */
/* ======================================================================== */

static void ctx_reset(struct ctx *c)
{
	while (c->depth > 0) {
		struct frame *f = &c->frames[c->depth - 1];
		if (f->own_base)
			free((char *)f->base);
		if (f->own_lang)
			free((char *)f->lang);
		c->depth--;
	}
	c->overflow = 0;
	c->nns = 0;
	c->root_kind = RK_NONE;
	c->have_root = 0;
	c->cap.depth = -1;
	c->cap.span = NULL;
	td_buf_reset(&c->cap.buf);
	pending_release(&c->chan);
	pending_release(&c->item);
	feed_person_release(&c->person);
	c->in_item = c->in_person = 0;
	c->sy_period = c->sy_freq = 0;
	c->too_deep = 0;
	c->item_limit_warned = 0;
	struct feed *f = c->feed;
	for (size_t i = 0; i < f->n_items; i++)
		feed_item_release(&f->items[i]);
	f->n_items = 0;
	f->format = FEED_FORMAT_UNKNOWN;
	f->ttl_minutes = 0;
	f->skip_hours = 0;
	f->skip_days = 0;
}

int feed_parse_xml(const char *data, size_t len,
		   const struct feed_parse_opts *opts, struct feed **out,
		   struct td_error *err)
{
	return feed_parse_xml_via(data, len, opts, FEED_XML_AUTO, out, err);
}

int feed_parse_xml_via(const char *data, size_t len,
		       const struct feed_parse_opts *opts, int path,
		       struct feed **out, struct td_error *err)
{
	static const struct feed_parse_opts no_opts = { 0 };
	struct ctx *c = NULL;
	const char *text = NULL;
	size_t tlen = 0;
	int owned = 0, warned = 0, rc = 0;
	const char *used = NULL;
	struct td_buf fixed;
	td_buf_init(&fixed, 0);

	*out = NULL;
	if (!opts)
		opts = &no_opts;
	c = malloc(sizeof *c);
	if (!c) {
		rc = td_error_set(err, TD_ENOMEM, "out of memory");
		goto out;
	}
	memset(c, 0, offsetof(struct ctx, frames));
	c->opts = opts;
	c->cap.depth = -1;
	td_buf_init(&c->cap.buf, 0);
	td_buf_init(&c->tmp, 0);
	pending_init(&c->chan);
	pending_init(&c->item);
	c->feed = calloc(1, sizeof *c->feed);
	if (!c->feed) {
		rc = td_error_set(err, TD_ENOMEM, "out of memory");
		goto out;
	}
	c->feed->date_updated = TD_TIME_NONE;

	rc = feed_utf8_prepare(data, len, opts->http_charset, &text, &tlen,
			       &owned, &used, &warned);
	if (rc) {
		td_error_set(err, rc, "out of memory");
		goto out;
	}
	if (warned)
		warn(c, 0, 0, "wrong or unknown character encoding; read as %s",
		     used);

	if (path != FEED_XML_EXPAT_ONLY &&
	    (!owned || feed_utf8_valid(text, tlen))) {
		/* pass 0; when it gives up, undo what it did */
		struct feed *f = c->feed;
		size_t nw = f->n_warnings;
		char w[sizeof f->warning];
		memcpy(w, f->warning, sizeof w);
		if (fast_parse(c, text, tlen) == 0 && c->have_root) {
			feed_finish(c);
			feed_assign_ids(c->feed);
			*out = c->feed;
			c->feed = NULL;
			goto out;
		}
		if (c->oom) {
			rc = td_error_set(err, TD_ENOMEM, "out of memory");
			goto out;
		}
		ctx_reset(c);
		f->n_warnings = nw;
		memcpy(f->warning, w, sizeof w);
		c->seen_element = 0;
		c->first_name[0] = '\0';
		c->first_line = c->first_col = 0;
	}
	if (path == FEED_XML_FAST_ONLY) {
		rc = td_error_set(err, TD_EUNSUPPORTED, "not for the fast path");
		goto out;
	}

	struct xerr e1, e2;
	int pass1 = run_expat(c, text, tlen, &e1);
	int ok = pass1 == 0 && c->have_root;
	if (pass1 && !c->oom) {
		warn(c, e1.line, e1.col, "%s", xerr_string(&e1));
		ctx_reset(c);
		repair(text, tlen, &fixed);
		if (td_buf_err(&fixed)) {
			c->oom = 1;
		} else {
			int deep = e1.code < 0;
			if (!deep && run_expat(c, td_buf_cstr(&fixed), fixed.len, &e2) == 0 &&
			    c->have_root) {
				ok = 1;
			} else {
				ctx_reset(c);
				scan(c, td_buf_cstr(&fixed), fixed.len);
				ok = c->have_root;
			}
		}
	} else if (!pass1 && !c->have_root && !c->oom) {
		/* well-formed, but no feed element where expected: look
		 * harder (a feed inside other markup) */
		ok = 0;
	}
	if (c->oom) {
		rc = td_error_set(err, TD_ENOMEM, "out of memory");
		goto out;
	}
	if (!ok) {
		if (c->first_name[0])
			rc = td_error_setpos(err, TD_EPARSE, c->first_line,
					     c->first_col,
					     "not a feed: root element <%s>",
					     c->first_name);
		else if (pass1)
			rc = td_error_setpos(err, TD_EPARSE, e1.line, e1.col,
					     "not a feed: %s", xerr_string(&e1));
		else
			rc = td_error_set(err, TD_EPARSE, "not a feed");
		goto out;
	}
	feed_finish(c);
	feed_assign_ids(c->feed);
	*out = c->feed;
	c->feed = NULL;
	rc = 0;
out:
	if (c) {
		if (c->feed) {
			ctx_reset(c);
			feed_free(c->feed);
		} else {
			/* the feed was handed out: only release parser state */
			while (c->depth > 0) {
				struct frame *f = &c->frames[c->depth - 1];
				if (f->own_base)
					free((char *)f->base);
				if (f->own_lang)
					free((char *)f->lang);
				c->depth--;
			}
			pending_release(&c->chan);
			pending_release(&c->item);
			feed_person_release(&c->person);
		}
		td_buf_release(&c->cap.buf);
		td_buf_release(&c->tmp);
		free(c);
	}
	td_buf_release(&fixed);
	if (owned)
		free((char *)text);
	return rc;
}
