/*
 * test_feed_opml.c - OPML import (feed_opml_parse) and export
 * (feed_opml_write): folders and categories as tags, URL resolution,
 * duplicates, malformed and hostile documents, and write/parse round trips.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/limits.h"
#include "feed/feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S(lit) (lit), (sizeof(lit) - 1)

static int parse(const char *d, size_t n, const char *base,
		 struct feed_outline **o, struct td_error *err)
{
	memset(err, 0, sizeof *err);
	return feed_opml_parse(d, n, base, o, err);
}

/* The entry with this xml_url, or fail. */
static const struct feed_outline *by_url(const struct feed_outline *o, int n,
					 const char *url)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(o[i].xml_url, url))
			return &o[i];
	fail_msg("no entry %s", url);
	return NULL;
}

static void assert_str_or_null(const char *got, const char *want)
{
	if (!want)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
}

static void test_basic_folders(void **state)
{
	static const char doc[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<opml version=\"2.0\"><head><title>Subs</title></head><body>\n"
		"<outline text=\"Tech\">\n"
		"  <outline text=\"Linux\" title=\"Linux &amp; Unix\">\n"
		"    <outline type=\"rss\" text=\"LWN\" xmlUrl=\"https://lwn.net/headlines/rss\"\n"
		"       htmlUrl=\"https://lwn.net/\"/>\n"
		"  </outline>\n"
		"  <outline type=\"atom\" text=\"Blog  \n two\" xmlurl=\"http://b.example/atom\"\n"
		"     category=\"/Programming/C,/Security\"/>\n"
		"</outline>\n"
		"<outline text=\"No folder\" XMLURL=\"http://c.example/feed\" type=\"foo\"/>\n"
		"<outline text=\"x\" xmlURL=\"http://d.example/rss\"/>\n"
		"</body></opml>\n";
	struct feed_outline *o;
	struct td_error err;
	int n = parse(S(doc), NULL, &o, &err);
	assert_int_equal(n, 4);
	assert_int_equal(err.code, 0);
	assert_string_equal(err.msg, "");
	assert_string_equal(o[0].xml_url, "https://lwn.net/headlines/rss");
	assert_string_equal(o[0].html_url, "https://lwn.net/");
	assert_string_equal(o[0].title, "LWN");
	assert_string_equal(o[0].tags, "Tech,Linux & Unix");
	assert_string_equal(o[1].xml_url, "http://b.example/atom");
	assert_string_equal(o[1].title, "Blog two");
	assert_null(o[1].html_url);
	assert_string_equal(o[1].tags, "Tech,Programming,C,Security");
	assert_string_equal(o[2].xml_url, "http://c.example/feed");
	assert_null(o[2].tags);
	assert_string_equal(o[3].xml_url, "http://d.example/rss");
	feed_outlines_free(o, (size_t)n);
}

static void test_opml10_and_title_fallback(void **state)
{
	static const char doc[] =
		"<opml version=\"1.0\"><head/><body>"
		"<outline title=\"T\" text=\"X\" xmlUrl=\"http://a/1\"/>"
		"<outline title=\"\" text=\"X\" xmlUrl=\"http://a/2\"/>"
		"<outline xmlUrl=\"http://a/3\"/>"
		"<outline type=\"rss\" text=\"old\" url=\"http://a/4\"/>"
		"<outline type=\"link\" text=\"page\" url=\"http://a/5\"/>"
		"</body></opml>";
	struct feed_outline *o;
	struct td_error err;
	int n = parse(S(doc), NULL, &o, &err);
	assert_int_equal(n, 4);
	assert_string_equal(o[0].title, "T");
	assert_string_equal(o[1].title, "X");
	assert_null(o[2].title);
	assert_string_equal(o[3].xml_url, "http://a/4");
	assert_string_equal(o[3].title, "old");
	feed_outlines_free(o, (size_t)n);
}

static void test_relative_urls(void **state)
{
	static const char doc[] =
		"<opml version=\"2.0\"><body>"
		"<outline text=\"a\" xmlUrl=\"feeds/a.xml\" htmlUrl=\"../site/\"/>"
		"<outline text=\"b\" xmlUrl=\"  /abs/b.xml \"/>"
		"<outline text=\"c\" xmlUrl=\"feeds/with space.xml\"/>"
		"</body></opml>";
	struct feed_outline *o;
	struct td_error err;
	int n = parse(S(doc), "file:///home/u/examples/sources.opml", &o,
		      &err);
	assert_int_equal(n, 3);
	assert_string_equal(o[0].xml_url,
			    "file:///home/u/examples/feeds/a.xml");
	assert_string_equal(o[0].html_url, "file:///home/u/site/");
	assert_string_equal(o[1].xml_url, "file:///abs/b.xml");
	assert_string_equal(o[2].xml_url,
			    "file:///home/u/examples/feeds/with%20space.xml");
	feed_outlines_free(o, (size_t)n);

	/* relative against http; without a base relative URLs are unusable */
	n = parse(S(doc), "https://example.org/lists/my.opml", &o, &err);
	assert_int_equal(n, 3);
	assert_string_equal(o[0].xml_url,
			    "https://example.org/lists/feeds/a.xml");
	feed_outlines_free(o, (size_t)n);
	n = parse(S(doc), NULL, &o, &err);
	assert_int_equal(n, 0);
	assert_null(o);
	assert_int_equal(err.code, 0);
	assert_non_null(strstr(err.msg, "3 outlines skipped"));
}

static void test_url_schemes(void **state)
{
	static const char doc[] =
		"<opml version=\"2.0\"><body>"
		"<outline text=\"a\" xmlUrl=\"feed://example.org/rss\"/>"
		"<outline text=\"b\" xmlUrl=\"feed:https://example.org/atom\"/>"
		"<outline text=\"c\" xmlUrl=\"javascript:alert(1)\"/>"
		"<outline text=\"d\" xmlUrl=\"file:///etc/passwd\"/>"
		"<outline text=\"e\" xmlUrl=\"HTTP://EXAMPLE.org/Up\"/>"
		"<outline text=\"f\" xmlUrl=\"\"/>"
		"<outline text=\"g\" xmlUrl=\"data:text/xml,&lt;rss/&gt;\"/>"
		"</body></opml>";
	struct feed_outline *o;
	struct td_error err;
	/* remote list: no file: URLs */
	int n = parse(S(doc), "https://example.org/x.opml", &o, &err);
	assert_int_equal(n, 3);
	assert_string_equal(o[0].xml_url, "http://example.org/rss");
	assert_string_equal(o[1].xml_url, "https://example.org/atom");
	assert_string_equal(o[2].xml_url, "http://example.org/Up");
	feed_outlines_free(o, (size_t)n);
	/* local list: file: allowed */
	n = parse(S(doc), "file:///tmp/x.opml", &o, &err);
	assert_int_equal(n, 4);
	assert_string_equal(o[2].xml_url, "file:///etc/passwd");
	feed_outlines_free(o, (size_t)n);
}

static void test_duplicates_merge(void **state)
{
	static const char doc[] =
		"<opml version=\"2.0\"><body>"
		"<outline text=\"News\"><outline xmlUrl=\"http://a/rss\"/></outline>"
		"<outline text=\"World\">"
		"  <outline text=\"Named\" htmlUrl=\"http://a/\" xmlUrl=\"http://a/rss\" category=\"news,Extra\"/>"
		"</outline>"
		"<outline text=\"other\" xmlUrl=\"http://b/rss\"/>"
		"<outline text=\"again\" xmlUrl=\"http://a/rss\"/>"
		"</body></opml>";
	struct feed_outline *o;
	struct td_error err;
	int n = parse(S(doc), NULL, &o, &err);
	assert_int_equal(n, 2);
	assert_string_equal(o[0].xml_url, "http://a/rss");
	assert_string_equal(o[0].title, "Named");
	assert_string_equal(o[0].html_url, "http://a/");
	assert_string_equal(o[0].tags, "News,World,Extra");
	assert_string_equal(o[1].xml_url, "http://b/rss");
	feed_outlines_free(o, (size_t)n);
}

static void test_many_duplicates_and_entries(void **state)
{
	/* 20000 feeds, each listed twice: the index must keep this fast */
	struct td_buf b;
	td_buf_init(&b, 0);
	td_buf_puts(&b, "<opml version=\"2.0\"><body>");
	for (int r = 0; r < 2; r++)
		for (int i = 0; i < 20000; i++)
			td_buf_printf(&b,
				      "<outline text=\"f%d\" xmlUrl=\"http://h%d.example/feed\" category=\"c%d\"/>\n",
				      i, i, r);
	td_buf_puts(&b, "</body></opml>");
	assert_int_equal(td_buf_err(&b), 0);
	struct feed_outline *o;
	struct td_error err;
	int n = parse(b.p, b.len, NULL, &o, &err);
	assert_int_equal(n, 20000);
	assert_string_equal(o[19999].tags, "c0,c1");
	feed_outlines_free(o, (size_t)n);
	td_buf_release(&b);
}

static void test_tags_bounded(void **state)
{
	/* a 64-deep folder tree with long titles over every feed */
	struct td_buf b;
	td_buf_init(&b, 0);
	td_buf_puts(&b, "<opml version=\"2.0\"><body>");
	for (int i = 0; i < 60; i++) {
		td_buf_printf(&b, "<outline text=\"folder%d ", i);
		for (int k = 0; k < 300; k++)
			td_buf_putc(&b, 'x');
		td_buf_puts(&b, "\">");
	}
	td_buf_puts(&b, "<outline xmlUrl=\"http://a/\"/>");
	for (int i = 0; i < 60; i++)
		td_buf_puts(&b, "</outline>");
	td_buf_puts(&b, "</body></opml>");
	struct feed_outline *o;
	struct td_error err;
	int n = parse(b.p, b.len, NULL, &o, &err);
	assert_int_equal(n, 1);
	assert_true(strlen(o[0].tags) <= 512);
	assert_true(strncmp(o[0].tags, "folder0 xxx", 11) == 0);
	/* each tag cut to 128 bytes */
	assert_int_equal(strcspn(o[0].tags, ","), 128);
	feed_outlines_free(o, (size_t)n);
	td_buf_release(&b);
}

static void test_recover_ampersand_entities(void **state)
{
	static const char doc[] =
		"<?xml version=\"1.0\"?>\n"
		"<opml version=\"2.0\"><head><title>A &amp; B</title></head><body>\n"
		"<outline text=\"Caf&eacute;&nbsp;news &bogus; &#0; x\" "
		"xmlUrl=\"http://a.example/rss?a=1&b=2&amp;c=3\"/>\n"
		"<outline text=\"R&D\" xmlUrl=\"http://b.example/?x=1&y\"/>\n"
		"</body></opml>\n";
	struct feed_outline *o;
	struct td_error err;
	int n = parse(S(doc), NULL, &o, &err);
	assert_int_equal(n, 2);
	assert_int_equal(err.code, 0);
	/* the warning names the first problem with its position */
	assert_int_equal(err.line, 3);
	assert_true(err.col > 1);
	assert_non_null(strstr(err.msg, "recovered"));
	assert_string_equal(o[0].xml_url, "http://a.example/rss?a=1&b=2&c=3");
	assert_string_equal(o[0].title,
			    "Caf\xc3\xa9\xc2\xa0news &bogus; \xef\xbf\xbd x");
	assert_string_equal(o[1].title, "R&D");
	assert_string_equal(o[1].xml_url, "http://b.example/?x=1&y");
	feed_outlines_free(o, (size_t)n);
}

static void test_recover_bad_utf8_and_controls(void **state)
{
	static const char doc[] =
		"<opml version=\"2.0\"><body>"
		"<outline text=\"bad \xff\xfe byte\x01\" xmlUrl=\"http://a/\"/>"
		"</body></opml>";
	struct feed_outline *o;
	struct td_error err;
	int n = parse(S(doc), NULL, &o, &err);
	assert_int_equal(n, 1);
	assert_string_equal(o[0].title, "bad \xef\xbf\xbd\xef\xbf\xbd byte");
	feed_outlines_free(o, (size_t)n);
	/* DEL is legal XML but dropped, as feed_opml_write drops it (found by
	 * fuzz_opml) */
	static const char del[] =
		"<opml version=\"2.0\"><body>"
		"<outline text=\"a \x7f b\x7f\" category=\"Ex\x7ftra\" xmlUrl=\"http://a/\"/>"
		"</body></opml>";
	n = parse(S(del), NULL, &o, &err);
	assert_int_equal(n, 1);
	assert_string_equal(o[0].title, "a b");
	assert_string_equal(o[0].tags, "Extra");
	feed_outlines_free(o, (size_t)n);
}

static void test_truncated_keeps_entries(void **state)
{
	static const char doc[] =
		"<opml version=\"2.0\"><body>"
		"<outline text=\"F\"><outline text=\"a\" xmlUrl=\"http://a/\"/>"
		"<outline text=\"b\" xmlUrl=\"http://b/\"/><outline text=\"c\" xmlU";
	struct feed_outline *o;
	struct td_error err;
	int n = parse(S(doc), NULL, &o, &err);
	assert_int_equal(n, 2);
	assert_int_equal(err.code, 0);
	assert_true(err.line == 1 && err.col > 1);
	assert_string_equal(o[1].tags, "F");
	feed_outlines_free(o, (size_t)n);
}

static void test_errors(void **state)
{
	struct feed_outline *o = (void *)1;
	struct td_error err;
	int n;

	n = parse(S("<rss version=\"2.0\"><channel/></rss>"), NULL, &o, &err);
	assert_int_equal(n, TD_EPARSE);
	assert_null(o);
	assert_non_null(strstr(err.msg, "not an OPML document"));

	n = parse(S("this is not xml at all"), NULL, &o, &err);
	assert_int_equal(n, TD_EPARSE);
	assert_int_equal(err.code, TD_EPARSE);
	assert_int_equal(err.line, 1);
	assert_int_equal(err.col, 1);
	assert_string_equal(err.msg, "syntax error");

	n = parse(S("<opml>\n  <body>\n   <outline text=\"a\" <bad/></body></opml>"),
		  NULL, &o, &err);
	assert_int_equal(n, TD_EPARSE);
	assert_int_equal(err.line, 3);
	assert_int_equal(err.col, 22);

	n = parse("", 0, NULL, &o, &err);
	assert_int_equal(n, TD_EPARSE);
	n = parse(NULL, 0, NULL, &o, &err);
	assert_int_equal(n, TD_EPARSE);

	/* valid but empty */
	n = parse(S("<opml version=\"2.0\"><head/><body/></opml>"), NULL, &o,
		  &err);
	assert_int_equal(n, 0);
	assert_null(o);

	/* err may be NULL */
	n = feed_opml_parse(S("<x/>"), NULL, &o, NULL);
	assert_int_equal(n, TD_EPARSE);
}

static void test_hostile(void **state)
{
	struct feed_outline *o;
	struct td_error err;
	static const char lol[] =
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE opml [\n"
		" <!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
		" <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
		" <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
		" <!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
		"]>\n<opml><body><outline text=\"&d;&d;&d;\" xmlUrl=\"http://a/\"/></body></opml>";
	int n = parse(S(lol), NULL, &o, &err);
	assert_int_equal(n, TD_EPARSE);
	assert_non_null(strstr(err.msg, "entity declarations"));
	assert_int_equal(err.line, 3);

	static const char ext[] =
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE opml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
		"<opml><body><outline text=\"&x;\" xmlUrl=\"http://a/\"/></body></opml>";
	n = parse(S(ext), NULL, &o, &err);
	assert_int_equal(n, TD_EPARSE);

	/* a DOCTYPE without declarations is harmless */
	static const char dt[] =
		"<!DOCTYPE opml SYSTEM \"http://example.org/opml.dtd\">"
		"<opml><body><outline xmlUrl=\"http://a/\"/></body></opml>";
	n = parse(S(dt), NULL, &o, &err);
	assert_int_equal(n, 1);
	feed_outlines_free(o, 1);

	/* too deep */
	struct td_buf b;
	td_buf_init(&b, 0);
	td_buf_puts(&b, "<opml><body>");
	for (int i = 0; i < TD_MAX_OPML_DEPTH + 1; i++)
		td_buf_puts(&b, "<outline text=\"f\">");
	n = parse(b.p, b.len, NULL, &o, &err);
	assert_int_equal(n, TD_ETOOBIG);
	assert_int_equal(err.code, TD_ETOOBIG);
	assert_non_null(strstr(err.msg, "deep"));
	/* exactly the limit is fine */
	td_buf_reset(&b);
	td_buf_puts(&b, "<opml><body>");
	for (int i = 0; i < TD_MAX_OPML_DEPTH - 1; i++)
		td_buf_puts(&b, "<outline text=\"f\">");
	td_buf_puts(&b, "<outline xmlUrl=\"http://a/\"/>");
	for (int i = 0; i < TD_MAX_OPML_DEPTH - 1; i++)
		td_buf_puts(&b, "</outline>");
	td_buf_puts(&b, "</body></opml>");
	n = parse(b.p, b.len, NULL, &o, &err);
	assert_int_equal(n, 1);
	feed_outlines_free(o, 1);

	/* 100k-deep plain elements: no outline limit applies, but expat and
	 * we stay bounded and the document is read */
	td_buf_reset(&b);
	td_buf_puts(&b, "<opml>");
	for (int i = 0; i < 100000; i++)
		td_buf_puts(&b, "<x>");
	n = parse(b.p, b.len, NULL, &o, &err);
	assert_int_equal(n, TD_EPARSE);

	/* too many */
	td_buf_reset(&b);
	td_buf_puts(&b, "<opml><body>");
	for (int i = 0; i < TD_MAX_OPML_OUTLINES + 1; i++)
		td_buf_puts(&b, "<outline/>");
	td_buf_puts(&b, "</body></opml>");
	n = parse(b.p, b.len, NULL, &o, &err);
	assert_int_equal(n, TD_ETOOBIG);
	td_buf_release(&b);
}

static void test_encodings(void **state)
{
	struct feed_outline *o;
	struct td_error err;
	static const char w1252[] =
		"<?xml version=\"1.0\" encoding=\"windows-1252\"?>"
		"<opml><body><outline text=\"caf\xe9 \x80\" xmlUrl=\"http://a/\"/>"
		"</body></opml>";
	int n = parse(S(w1252), NULL, &o, &err);
	assert_int_equal(n, 1);
	assert_string_equal(o[0].title, "caf\xc3\xa9 \xe2\x82\xac");
	feed_outlines_free(o, 1);

	static const char latin1[] =
		"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
		"<opml><body><outline text=\"\xfc&nbsp;\" xmlUrl=\"http://a/\"/>"
		"</body></opml>";
	n = parse(S(latin1), NULL, &o, &err);
	assert_int_equal(n, 1);
	assert_string_equal(o[0].title, "\xc3\xbc\xc2\xa0");
	feed_outlines_free(o, 1);

	/* UTF-16LE with BOM */
	static const char a[] =
		"<opml><body><outline text=\"x\" xmlUrl=\"http://a/\"/></body></opml>";
	char u16[2 + 2 * sizeof a];
	u16[0] = '\xff';
	u16[1] = '\xfe';
	for (size_t i = 0; i < sizeof a - 1; i++) {
		u16[2 + 2 * i] = a[i];
		u16[3 + 2 * i] = 0;
	}
	n = parse(u16, 2 + 2 * (sizeof a - 1), NULL, &o, &err);
	assert_int_equal(n, 1);
	assert_string_equal(o[0].xml_url, "http://a/");
	feed_outlines_free(o, 1);

	/* multi-byte encodings expat lacks are refused, not misread */
	static const char sjis[] =
		"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>"
		"<opml><body><outline text=\"\x82\xa0\" xmlUrl=\"http://a/\"/>"
		"</body></opml>";
	n = parse(S(sjis), NULL, &o, &err);
	assert_int_equal(n, TD_EPARSE);
	assert_non_null(strstr(err.msg, "encoding"));
}

/* ---- writing ------------------------------------------------------------ */

static void test_write_escaping(void **state)
{
	struct feed_outline in[] = {
		{ .xml_url = "http://a/rss?x=1&y=\"2\"",
		  .html_url = "http://a/<p>",
		  .title = "Tom & \"Jerry\" <b>\n\tline",
		  .tags = "News & Views,Extra" },
		{ .xml_url = "http://b/", .title = NULL, .tags = NULL },
		{ .xml_url = NULL, .title = "skipped" },
	};
	struct td_buf b;
	td_buf_init(&b, 0);
	setenv("TIDINGS_NOW", "1704503400", 1);
	assert_int_equal(feed_opml_write(in, 3, "My <list> & more", &b), 0);
	unsetenv("TIDINGS_NOW");
	const char *s = td_buf_cstr(&b);
	assert_true(!strncmp(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
			     39));
	assert_non_null(strstr(s, "<opml version=\"2.0\">"));
	assert_non_null(
		strstr(s, "<title>My &lt;list&gt; &amp; more</title>"));
	assert_non_null(strstr(
		s, "<dateCreated>Sat, 06 Jan 2024 01:10:00 GMT</dateCreated>"));
	assert_non_null(strstr(s, "<outline text=\"News &amp; Views\""));
	assert_non_null(strstr(s, "xmlUrl=\"http://a/rss?x=1&amp;y=&quot;2&quot;\""));
	assert_non_null(strstr(s, "htmlUrl=\"http://a/&lt;p&gt;\""));
	assert_non_null(strstr(
		s, "title=\"Tom &amp; &quot;Jerry&quot; &lt;b&gt;&#10;&#9;line\""));
	assert_non_null(strstr(s, "category=\"/Extra\""));
	assert_null(strstr(s, "skipped"));
	/* parse it back: exact values, including the newline and tab */
	struct feed_outline *o;
	struct td_error err;
	int n = parse(b.p, b.len, NULL, &o, &err);
	assert_int_equal(n, 2);
	assert_string_equal(o[0].xml_url, "http://a/rss?x=1&y=%222%22");
	/* titles are whitespace-collapsed on import */
	assert_string_equal(o[0].title, "Tom & \"Jerry\" <b> line");
	assert_string_equal(o[0].tags, "News & Views,Extra");
	assert_null(o[1].title);
	assert_null(o[1].tags);
	feed_outlines_free(o, (size_t)n);
	td_buf_release(&b);

	/* empty list, NULL title */
	td_buf_init(&b, 0);
	assert_int_equal(feed_opml_write(NULL, 0, NULL, &b), 0);
	n = parse(b.p, b.len, NULL, &o, &err);
	assert_int_equal(n, 0);
	td_buf_release(&b);

	/* invalid UTF-8 and controls in values still give well-formed XML */
	struct feed_outline bad = { .xml_url = "http://c/\x01",
				    .title = "\xff\xfe\x02x" };
	td_buf_init(&b, 0);
	assert_int_equal(feed_opml_write(&bad, 1, "\xc0", &b), 0);
	n = parse(b.p, b.len, NULL, &o, &err);
	assert_int_equal(n, 1);
	assert_string_equal(err.msg, "");
	assert_string_equal(o[0].title, "\xef\xbf\xbd\xef\xbf\xbdx");
	feed_outlines_free(o, 1);
	td_buf_release(&b);

	/* a full buffer reports its error */
	td_buf_init(&b, 64);
	assert_int_equal(feed_opml_write(in, 2, NULL, &b), TD_ETOOBIG);
	td_buf_release(&b);
}

static void test_round_trip(void **state)
{
	struct feed_outline in[] = {
		{ "https://lwn.net/headlines/rss", "https://lwn.net/", "LWN.net",
		  "Tech,Linux" },
		{ "http://example.org/a.xml", NULL, "Example A", "World" },
		{ "http://example.org/b.xml?x=1&y=2", "http://example.org/",
		  "B & \"quotes\" <tags>", "Tech,Security,Crypto" },
		{ "http://example.org/c.xml", NULL, NULL, NULL },
		{ "file:///srv/feeds/d.xml", NULL, "Local \xc3\xa9t\xc3\xa9",
		  "Z last,\xc3\xa9l\xc3\xa8ve" },
		{ "http://example.org/e.xml", NULL, "E", "World,Tech" },
	};
	size_t nin = sizeof in / sizeof in[0];
	struct td_buf b;
	td_buf_init(&b, 0);
	assert_int_equal(feed_opml_write(in, nin, "round", &b), 0);
	struct feed_outline *o;
	struct td_error err;
	int n = parse(b.p, b.len, "file:///srv/list.opml", &o, &err);
	assert_int_equal(n, (int)nin);
	assert_string_equal(err.msg, "");
	for (size_t i = 0; i < nin; i++) {
		const struct feed_outline *g = by_url(o, n, in[i].xml_url);
		assert_str_or_null(g->html_url, in[i].html_url);
		assert_str_or_null(g->title, in[i].title);
		assert_str_or_null(g->tags, in[i].tags);
	}
	/* write again: the same document */
	struct td_buf b2;
	td_buf_init(&b2, 0);
	setenv("TIDINGS_NOW", "0", 1);
	td_buf_reset(&b);
	assert_int_equal(feed_opml_write(in, nin, "round", &b), 0);
	assert_int_equal(feed_opml_write(o, (size_t)n, "round", &b2), 0);
	unsetenv("TIDINGS_NOW");
	assert_string_equal(b.p, b2.p);
	feed_outlines_free(o, (size_t)n);
	td_buf_release(&b);
	td_buf_release(&b2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_folders),
		cmocka_unit_test(test_opml10_and_title_fallback),
		cmocka_unit_test(test_relative_urls),
		cmocka_unit_test(test_url_schemes),
		cmocka_unit_test(test_duplicates_merge),
		cmocka_unit_test(test_many_duplicates_and_entries),
		cmocka_unit_test(test_tags_bounded),
		cmocka_unit_test(test_recover_ampersand_entities),
		cmocka_unit_test(test_recover_bad_utf8_and_controls),
		cmocka_unit_test(test_truncated_keeps_entries),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_write_escaping),
		cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
