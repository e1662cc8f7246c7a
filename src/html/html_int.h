/*
 * html_int.h - internals shared by the files of src/html/ (not for other
 * modules): the bounded gumbo parse, URL attribute checking, srcset
 * cleaning and small UTF-8 helpers. Implemented in sanitize.c.
 *
 * Gumbo trees never leave src/html/. A parse is allocated from one arena
 * that is released in a single call: gumbo's own destructor recurses once
 * per nesting level and would overflow the stack on hostile input, and the
 * arena also lets a parse that grows past its memory ceiling be abandoned
 * cleanly (TD_ETOOBIG).
 */
#ifndef TD_HTML_INT_H
#define TD_HTML_INT_H

#include <gumbo.h>
#include <stddef.h>
#include <stdint.h>

struct td_buf;

/* Largest HTML document the engine parses. Bigger than any article page
 * (TD_MAX_FETCH_BYTES) so a user can still inspect one by hand. */
#define HTML_MAX_INPUT (16u * 1024u * 1024u)

/* Largest sanitizer output (escaping and added attributes can make the
 * output bigger than the input). */
#define HTML_MAX_OUTPUT (32u * 1024u * 1024u)

/* Memory a single parse may take (and, separately, the sanitizer's output
 * tree): gumbo needs 3-15 bytes per input byte on real pages (measured on
 * the readability corpus); hostile tag soup (formatting-element
 * reconstruction, millions of tiny elements) needs far more and is refused
 * past this with TD_ETOOBIG. */
#define HTML_PARSE_MEM_BASE (64u * 1024u * 1024u)
#define HTML_PARSE_MEM_PER_BYTE 24u

/* Input nesting the sanitizer keeps structure for. Real articles nest < 40
 * deep; deeper elements are unwrapped (their text is kept). */
#define HTML_MAX_DEPTH 128

/* Longest free-text attribute value kept (alt, title, label). */
#define HTML_MAX_ATTR_TEXT 1024

/* Candidates kept from one srcset. */
#define HTML_MAX_SRCSET 32

/* A parsed document. root is gumbo's <html> element; for a fragment its
 * children are the fragment's top-level nodes. */
struct html_parse {
	GumboOutput *out;
	GumboNode *root;
	void *arena; /* private */
};

/* Parse html (any bytes; invalid UTF-8 is replaced by gumbo) as a whole
 * document (fragment == 0) or as the content of a <div> (fragment == 1).
 * Hostile nesting is cut off before parsing (see parse_bound() in
 * sanitize.c): the tree then holds the document up to that point.
 * Returns 0 and fills p (release with html_parse_release), TD_ETOOBIG when
 * the input exceeds HTML_MAX_INPUT or the parse its memory ceiling, or
 * TD_ENOMEM. On failure p needs no release. Never call gumbo_destroy_output
 * on p->out. */
int html_parse(const char *html, size_t len, int fragment,
	       struct html_parse *p);
/* Free everything the parse allocated; p may be zeroed or already released. */
void html_parse_release(struct html_parse *p);

/* Kinds of URL attribute: links may be http, https or mailto; media and
 * citations (src, srcset, poster, cite) only http or https. */
enum { HTML_URL_LINK, HTML_URL_MEDIA };

/* Check and resolve one URL attribute value (already entity-decoded, as
 * gumbo gives it) the way a browser would read it: leading/trailing C0
 * controls and spaces stripped, tabs and newlines removed, then resolved
 * against base (may be NULL). Returns a malloc'd URL whose scheme is allowed
 * for kind, or NULL (rejected, unusable, or out of memory). Without a base,
 * a relative URL is kept relative (prefixed with "./" when its first segment
 * holds a colon, so it can never read as a scheme). */
char *html_url_clean(const char *raw, const char *base, int kind);

/* Parse a srcset value as the HTML spec does, check every candidate URL with
 * html_url_clean(HTML_URL_MEDIA) and its descriptor, and append the
 * surviving candidates ("URL DESC, URL DESC") to out. Returns the number of
 * candidates written (0: drop the attribute) or a negative TD_E* code. */
int html_srcset_clean(const char *raw, const char *base, struct td_buf *out);

/* Decode the UTF-8 sequence at s (n > 0 bytes available): returns its length
 * and sets *cp, or 0 when the bytes are not valid UTF-8 (overlong forms and
 * surrogates included). ASCII is a length-1 sequence. */
size_t html_utf8_decode(const char *s, size_t n, uint32_t *cp);

/* Value of an attribute of an element, or NULL. */
const char *html_attr(const GumboNode *n, const char *name);

/* The kinds of embed extract.c leaves a link for ("Embedded video: <a>"),
 * NULL-terminated; text.c leaves that label out of plain text. Defined in
 * extract.c. */
extern const char *const html_embed_kinds[];

#endif
