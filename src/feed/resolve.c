/*
 * resolve.c - make the URLs in a feed's HTML content absolute.
 *
 * A feed's content is HTML whose relative URLs mean something only
 * against the base in scope where the feed carries it (xml:base, else the
 * item's link or the feed's own URL). Once the content leaves the feed
 * (JSON Feed output, the store) that base is gone, so the parser resolves
 * them here. This is not an HTML parser: it scans for the attributes that
 * hold URLs (href, src, srcset, poster, cite, action, formaction,
 * background, longdesc, data, usemap, xlink:href) by looking at each '='
 * and the name before it, and rewrites only relative values. Values are
 * resolved as written: a relative reference keeps its query and fragment
 * verbatim, so character references in them ("?a=1&amp;b=2") survive.
 * Fragment-only references ("#note-1") are left alone: they point inside
 * the article. Anything that does not look like an attribute is copied
 * unchanged; the sanitizer later parses the result properly.
 */
#include "feed/feed_int.h"

#include "core/buf.h"
#include "core/limits.h"
#include "core/url.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int is_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == ':';
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* 1 when the n bytes at s name an attribute whose value is a URL (2 for
 * srcset, a list of them). */
static int url_attr(const char *s, size_t n)
{
	static const char *const names[] = {
		"href", "src", "poster", "cite", "action", "formaction",
		"background", "longdesc", "data", "usemap", "xlink:href",
		"lowsrc", "dynsrc", NULL
	};
	if (n == 6 && !strncasecmp(s, "srcset", 6))
		return 2;
	for (const char *const *p = names; *p; p++)
		if (strlen(*p) == n && !strncasecmp(s, *p, n))
			return 1;
	return 0;
}

/* 1 when the reference needs the base: not empty, not a fragment, and
 * without a scheme. */
static int relative(const char *v, size_t n)
{
	while (n && is_space((unsigned char)*v))
		v++, n--;
	if (!n || *v == '#')
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == ':')
			return i == 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (i && ((c >= '0' && c <= '9') || c == '+' || c == '-' ||
			     c == '.'))))
			return 1;
	}
	return 1;
}

/* Append one resolved reference (the n bytes at v), or v itself when it
 * cannot be resolved. */
static void put_resolved(struct td_buf *b, const char *base, const char *v,
			 size_t n)
{
	char *ref = malloc(n + 1);
	char *u = NULL;
	if (ref) {
		memcpy(ref, v, n);
		ref[n] = '\0';
		u = td_url_resolve(base, ref);
		free(ref);
	}
	if (u && !strpbrk(u, "\"'<>")) /* stays inside its quotes */
		td_buf_puts(b, u);
	else
		td_buf_append(b, v, n);
	free(u);
}

/* srcset: "url [descriptor], url [descriptor], ..." */
static void put_srcset(struct td_buf *b, const char *base, const char *v,
		       size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t s = i;
		while (i < n && (is_space((unsigned char)v[i]) || v[i] == ','))
			i++;
		td_buf_append(b, v + s, i - s);
		size_t u = i;
		while (i < n && !is_space((unsigned char)v[i]))
			i++;
		/* a URL may contain commas; one at its very end separates */
		size_t ue = i;
		if (ue > u && v[ue - 1] == ',')
			ue--;
		if (ue > u && relative(v + u, ue - u))
			put_resolved(b, base, v + u, ue - u);
		else
			td_buf_append(b, v + u, ue - u);
		i = ue;
		s = i;
		while (i < n && v[i] != ',')
			i++;
		td_buf_append(b, v + s, i - s);
	}
}

/* Does the srcset value have a relative candidate? */
static int srcset_relative(const char *v, const char *ve)
{
	for (const char *s = v; s < ve;) {
		while (s < ve && (is_space((unsigned char)*s) || *s == ','))
			s++;
		const char *t = s;
		while (t < ve && !is_space((unsigned char)*t))
			t++;
		size_t tn = (size_t)(t - s);
		if (tn && s[tn - 1] == ',')
			tn--;
		if (tn && relative(s, tn))
			return 1;
		while (t < ve && *t != ',')
			t++;
		s = t;
	}
	return 0;
}

char *feed_html_resolve(const char *html, const char *base)
{
	if (!html || !base)
		return NULL;
	size_t len = strlen(html);
	struct td_buf b;
	int changed = 0;
	size_t done = 0; /* html[0..done) is in b */
	const char *p = html, *e = html + len;
	while ((p = memchr(p, '<', (size_t)(e - p)))) {
		p++;
		if (p < e && *p == '!') { /* comment, doctype, CDATA */
			const char *end = NULL;
			if (e - p >= 3 && p[1] == '-' && p[2] == '-')
				end = strstr(p + 3, "-->");
			if (!end)
				end = memchr(p, '>', (size_t)(e - p));
			if (!end)
				break;
			p = end + 1;
			continue;
		}
		if (p == e || !(((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')))
			continue; /* "a < b" in text, or an end tag */
		while (p < e && is_name_char((unsigned char)*p))
			p++;
		/* attributes, up to the '>' that ends the tag */
		for (;;) {
			while (p < e && (is_space((unsigned char)*p) || *p == '/'))
				p++;
			if (p == e || *p == '>' || *p == '<')
				break;
			const char *ns = p;
			while (p < e && !is_space((unsigned char)*p) && *p != '=' &&
			       *p != '>' && *p != '/' && *p != '<')
				p++;
			const char *ne = p;
			while (p < e && is_space((unsigned char)*p))
				p++;
			if (p == e || *p != '=')
				continue; /* attribute without a value */
			p++;
			while (p < e && is_space((unsigned char)*p))
				p++;
			char quote = 0;
			if (p < e && (*p == '"' || *p == '\''))
				quote = *p++;
			const char *v = p, *ve;
			if (quote) {
				ve = memchr(p, quote, (size_t)(e - p));
				if (!ve)
					goto out; /* unterminated: leave the rest */
				p = ve + 1;
			} else {
				while (p < e && !is_space((unsigned char)*p) &&
				       *p != '>')
					p++;
				ve = p;
			}
			int kind = url_attr(ns, (size_t)(ne - ns));
			if (!kind || ve == v)
				continue;
			if (kind == 2 ? !srcset_relative(v, ve)
				      : !relative(v, (size_t)(ve - v)))
				continue;
			if (!changed) {
				/* ceiling: resolving can lengthen every URL;
				 * past it the content stays as written */
				td_buf_init(&b, 2 * TD_MAX_CONTENT_BYTES);
				td_buf_reserve(&b, len + len / 8 + 64);
				changed = 1;
			}
			td_buf_append(&b, html + done, (size_t)(v - (html + done)));
			if (kind == 2)
				put_srcset(&b, base, v, (size_t)(ve - v));
			else
				put_resolved(&b, base, v, (size_t)(ve - v));
			done = (size_t)(ve - html);
		}
		if (p == e)
			break;
	}
out:
	if (!changed)
		return NULL;
	td_buf_append(&b, html + done, len - done);
	if (td_buf_err(&b)) {
		td_buf_release(&b);
		return NULL;
	}
	return td_buf_detach(&b, NULL);
}
