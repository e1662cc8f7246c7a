/*
 * fuzz_sanitize.c - libFuzzer driver for the HTML sanitizer and the text
 * functions.
 *
 * For every input, with and without a base URL, it checks that:
 *   - html_sanitize's output is a fixed point (sanitizing it again gives
 *     the same bytes);
 *   - the output, parsed again as HTML, holds only allowlisted HTML
 *     elements with allowlisted attributes;
 *   - every URL attribute (href, src, poster, cite, each srcset candidate)
 *     is http(s) or, for href, mailto; without a base URL a relative URL
 *     (no scheme as a browser would read it) is also accepted;
 * and runs html_to_text, html_summary and html_looks_truncated for crashes.
 */
#include "html/html.h"
#include "html/html_int.h"

#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BASE "https://example.com/dir/page.html"

static const struct {
	const char *tag;
	const char *attrs; /* space-separated, with spaces around */
} allow[] = {
	{ "a", " href title rel " }, { "abbr", " title " },
	{ "audio", " src controls " }, { "b", " " },
	{ "blockquote", " cite " }, { "br", " " }, { "caption", " " },
	{ "cite", " " }, { "code", " " }, { "dd", " " },
	{ "del", " cite datetime " }, { "details", " open " },
	{ "dfn", " title " }, { "div", " " }, { "dl", " " }, { "dt", " " },
	{ "em", " " }, { "figcaption", " " }, { "figure", " " },
	{ "h2", " " }, { "h3", " " }, { "h4", " " }, { "h5", " " },
	{ "h6", " " }, { "hr", " " }, { "i", " " },
	{ "img", " src srcset sizes alt title width height loading " },
	{ "ins", " cite datetime " }, { "kbd", " " }, { "li", " " },
	{ "mark", " " }, { "ol", " start reversed type " }, { "p", " " },
	{ "picture", " " }, { "pre", " " }, { "q", " cite " }, { "rp", " " },
	{ "rt", " " }, { "ruby", " " }, { "s", " " }, { "samp", " " },
	{ "small", " " },
	{ "source", " src srcset sizes media type width height " },
	{ "strong", " " }, { "sub", " " }, { "summary", " " }, { "sup", " " },
	{ "table", " " }, { "tbody", " " },
	{ "td", " colspan rowspan " }, { "tfoot", " " },
	{ "th", " colspan rowspan scope " }, { "thead", " " },
	{ "time", " datetime " }, { "tr", " " },
	{ "track", " src kind srclang label default " }, { "u", " " },
	{ "ul", " " }, { "var", " " },
	{ "video", " src poster width height controls " }, { "wbr", " " },
};

static const char *allowed_attrs(const char *tag)
{
	for (size_t i = 0; i < sizeof allow / sizeof allow[0]; i++)
		if (!strcmp(allow[i].tag, tag))
			return allow[i].attrs;
	return NULL;
}

/* Scheme of a URL as a browser reads it (after stripping C0 controls and
 * spaces at the ends and tabs/newlines inside), lower-cased into buf;
 * "" for a relative URL. */
static const char *browser_scheme(const char *u, char *buf, size_t cap)
{
	size_t n = 0;
	while (*u && (unsigned char)*u <= 0x20)
		u++;
	for (; *u && n + 1 < cap; u++) {
		char c = *u;
		if (c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c == ':') {
			buf[n] = '\0';
			return buf;
		}
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (n && ((c >= '0' && c <= '9') || c == '+' || c == '-' ||
				c == '.'));
		if (!ok)
			break;
		buf[n++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
	}
	buf[0] = '\0';
	return buf;
}

static void check_url(const char *u, int link, int with_base)
{
	char buf[64];
	const char *s = browser_scheme(u, buf, sizeof buf);
	if (!strcmp(s, "http") || !strcmp(s, "https"))
		return;
	if (link && !strcmp(s, "mailto"))
		return;
	if (!*s && !with_base)
		return;
	fprintf(stderr, "bad URL: %s\n", u);
	abort();
}

static void check_srcset(const char *v, int with_base)
{
	/* our serialisation: "URL[ DESC], URL[ DESC]"; URLs hold no spaces
	 * and never end with a comma */
	int expect_url = 1;
	const char *p = v;
	while (*p) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		if (!n)
			break;
		int comma = p[n - 1] == ',';
		size_t k = comma ? n - 1 : n;
		char *tok = malloc(k + 1);
		if (!tok)
			return;
		memcpy(tok, p, k);
		tok[k] = '\0';
		if (expect_url)
			check_url(tok, 0, with_base);
		free(tok);
		expect_url = comma;
		p += n;
	}
}

static void check_tree(const GumboNode *root, int with_base)
{
	const GumboNode *stack[1024];
	unsigned idx[1024];
	int sp = 0;
	stack[sp] = root;
	idx[sp++] = 0;
	while (sp) {
		const GumboNode *n = stack[sp - 1];
		const GumboVector *kids = &n->v.element.children;
		if (idx[sp - 1] >= kids->length) {
			sp--;
			continue;
		}
		const GumboNode *c = kids->data[idx[sp - 1]++];
		if (c->type == GUMBO_NODE_TEXT || c->type == GUMBO_NODE_WHITESPACE)
			continue;
		if (c->type != GUMBO_NODE_ELEMENT) {
			fprintf(stderr, "node type %d in output\n", c->type);
			abort();
		}
		if (c->v.element.tag_namespace != GUMBO_NAMESPACE_HTML) {
			fprintf(stderr, "foreign element in output\n");
			abort();
		}
		const char *tag = gumbo_normalized_tagname(c->v.element.tag);
		if (c->v.element.tag == GUMBO_TAG_UNKNOWN) {
			GumboStringPiece t = c->v.element.original_tag;
			gumbo_tag_from_original_text(&t);
			tag = (t.length == 7 && !strncasecmp(t.data, "picture", 7))
				      ? "picture"
				      : "?";
		}
		const char *attrs = allowed_attrs(tag);
		if (!attrs) {
			fprintf(stderr, "element <%s> in output\n", tag);
			abort();
		}
		const GumboVector *av = &c->v.element.attributes;
		for (unsigned i = 0; i < av->length; i++) {
			const GumboAttribute *a = av->data[i];
			char key[64];
			snprintf(key, sizeof key, " %s ", a->name);
			if (!strstr(attrs, key)) {
				fprintf(stderr, "attribute %s on <%s>\n",
					a->name, tag);
				abort();
			}
			if (!strcmp(a->name, "href"))
				check_url(a->value, 1, with_base);
			else if (!strcmp(a->name, "src") ||
				 !strcmp(a->name, "poster") ||
				 !strcmp(a->name, "cite"))
				check_url(a->value, 0, with_base);
			else if (!strcmp(a->name, "srcset"))
				check_srcset(a->value, with_base);
		}
		if (sp < 1024) {
			stack[sp] = c;
			idx[sp++] = 0;
		} else {
			fprintf(stderr, "output nested too deep\n");
			abort();
		}
	}
}

static void run(const char *in, size_t len, const char *base)
{
	struct td_buf a, b;
	td_buf_init(&a, 0);
	td_buf_init(&b, 0);
	if (html_sanitize(in, len, base, &a) == 0) {
		if (html_sanitize(td_buf_cstr(&a), a.len, base, &b) != 0 ||
		    a.len != b.len || memcmp(td_buf_cstr(&a), td_buf_cstr(&b), a.len)) {
			fprintf(stderr, "not a fixed point:\n1: %s\n2: %s\n",
				td_buf_cstr(&a), td_buf_cstr(&b));
			abort();
		}
		struct html_parse p;
		if (html_parse(td_buf_cstr(&a), a.len, 1, &p) == 0) {
			check_tree(p.root, base != NULL);
			html_parse_release(&p);
		}
	}
	td_buf_release(&a);
	td_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	run(in, size, BASE);
	run(in, size, NULL);

	struct td_buf t, s;
	td_buf_init(&t, 0);
	td_buf_init(&s, 0);
	if (html_to_text(in, size, &t) == 0) {
		html_summary(td_buf_cstr(&t), t.len, 0, &s);
		td_buf_reset(&s);
		html_summary(td_buf_cstr(&t), t.len, size % 64, &s);
		if (size % 64 && s.len > size % 64) {
			fprintf(stderr, "summary too long\n");
			abort();
		}
	}
	html_summary(in, size, 40, &s);
	html_looks_truncated(in, size);
	td_buf_release(&t);
	td_buf_release(&s);
	return 0;
}
