/*
 * test_feed_xml.c - the XML feed parser's tricky parts: namespace matching by
 * URI, xml:base, Atom text constructs, the entity rewrite, recovery from
 * malformed input (warnings with positions), limits, and the text helpers.
 * Broad behaviour is covered by tests/cases/feed/ as data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/limits.h"
#include "core/time.h"
#include "core/url.h"
#include "feed/feed.h"
#include "feed/feed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct feed *parse_base(const char *doc, const char *base)
{
	struct feed_parse_opts o = { .base_url = base };
	struct feed *f = NULL;
	struct td_error err = { 0 };
	int rc = feed_parse_xml(doc, strlen(doc), &o, &f, &err);
	if (rc)
		fail_msg("parse failed: %d %s", rc, err.msg);
	assert_non_null(f);
	return f;
}

static struct feed *parse(const char *doc)
{
	return parse_base(doc, "http://example.org/feed.xml");
}

#define RSS(ns, items)                                                        \
	"<?xml version=\"1.0\"?><rss version=\"2.0\"" ns "><channel>"          \
	"<title>T</title><link>http://example.org/</link>" items              \
	"</channel></rss>"

#define ATOM(attrs, body)                                                     \
	"<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"" \
	attrs "><title>A</title>" body "</feed>"

/* ---- namespaces ---- */

static void test_ns_matched_by_uri(void **state)
{
	(void)state;
	struct feed *f = parse(RSS(" xmlns:zz=\"http://purl.org/rss/1.0/modules/content/\"",
				   "<item><title>i</title><zz:encoded>&lt;p&gt;x&lt;/p&gt;</zz:encoded></item>"));
	assert_int_equal(f->n_items, 1);
	assert_string_equal(f->items[0].content_html, "<p>x</p>");
	feed_free(f);

	/* the usual prefix bound to another URI means something else */
	f = parse(RSS(" xmlns:content=\"http://example.org/mine\"",
		      "<item><title>i</title><content:encoded>no</content:encoded></item>"));
	assert_null(f->items[0].content_html);
	feed_free(f);
}

static void test_ns_uri_variants(void **state)
{
	(void)state;
	static const char *const media[] = {
		"http://search.yahoo.com/mrss/", "http://search.yahoo.com/mrss",
		"https://search.yahoo.com/mrss/", "http://video.search.yahoo.com/mrss",
		"HTTP://SEARCH.YAHOO.COM/MRSS/",
	};
	for (size_t i = 0; i < sizeof media / sizeof media[0]; i++) {
		char doc[512];
		snprintf(doc, sizeof doc,
			 RSS(" xmlns:m=\"%s\"", "<item><title>i</title><m:thumbnail url=\"http://e/t.jpg\"/></item>"),
			 media[i]);
		struct feed *f = parse(doc);
		assert_string_equal(f->items[0].image, "http://e/t.jpg");
		feed_free(f);
	}
}

static void test_ns_unbound_prefix_defaults(void **state)
{
	(void)state;
	struct feed *f = parse(RSS("", "<item><title>i</title><dc:creator>Ann</dc:creator>"
				       "<itunes:duration>1:01</itunes:duration>"
				       "<enclosure url=\"http://e/a.mp3\" type=\"audio/mpeg\"/></item>"));
	assert_int_equal(f->items[0].n_authors, 1);
	assert_string_equal(f->items[0].authors[0].name, "Ann");
	assert_int_equal(f->items[0].attachments[0].duration_in_seconds, 61);
	feed_free(f);
}

static void test_ns_scoping(void **state)
{
	(void)state;
	struct feed *f = parse(RSS(" xmlns:d=\"http://purl.org/dc/elements/1.1/\"",
				   "<item xmlns:d=\"urn:other\"><title>a</title><d:creator>X</d:creator></item>"
				   "<item><title>b</title><d:creator>Y</d:creator></item>"));
	assert_int_equal(f->items[0].n_authors, 0);
	assert_int_equal(f->items[1].n_authors, 1);
	assert_string_equal(f->items[1].authors[0].name, "Y");
	feed_free(f);
}

static void test_atom_in_rss(void **state)
{
	(void)state;
	struct feed *f = parse(RSS(" xmlns:atom=\"http://www.w3.org/2005/Atom\"",
				   "<atom:link rel=\"self\" href=\"/rss\"/><atom:link rel=\"next\" href=\"?p=2\"/>"
				   "<atom:link rel=\"hub\" href=\"http://hub/\"/>"));
	assert_string_equal(f->feed_url, "http://example.org/rss");
	assert_string_equal(f->next_url, "http://example.org/feed.xml?p=2");
	feed_free(f);
}

/* ---- formats ---- */

static void test_formats(void **state)
{
	(void)state;
	static const struct {
		const char *doc;
		enum feed_format fmt;
	} t[] = {
		{ "<rss version=\"0.91\"><channel/></rss>", FEED_FORMAT_RSS091 },
		{ "<rss version=\"0.92\"><channel/></rss>", FEED_FORMAT_RSS092 },
		{ "<rss version=\"0.93\"><channel/></rss>", FEED_FORMAT_RSS093 },
		{ "<rss version=\"0.94\"><channel/></rss>", FEED_FORMAT_RSS094 },
		{ "<rss version=\"2.0\"><channel/></rss>", FEED_FORMAT_RSS20 },
		{ "<rss><channel/></rss>", FEED_FORMAT_RSS20 },
		{ "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
		  "xmlns=\"http://purl.org/rss/1.0/\"><channel/></rdf:RDF>",
		  FEED_FORMAT_RSS10 },
		{ "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
		  "xmlns=\"http://my.netscape.com/rdf/simple/0.9/\"><channel/></rdf:RDF>",
		  FEED_FORMAT_RSS090 },
		{ "<feed xmlns=\"http://www.w3.org/2005/Atom\"/>", FEED_FORMAT_ATOM10 },
		{ "<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"/>", FEED_FORMAT_ATOM03 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct feed *f = parse(t[i].doc);
		assert_int_equal(f->format, t[i].fmt);
		feed_free(f);
	}
}

/* ---- xml:base ---- */

static void test_xml_base_nested(void **state)
{
	(void)state;
	struct feed *f = parse(ATOM(" xml:base=\"http://a.example/x/\"",
				    "<entry xml:base=\"y/\"><link href=\"z\"/>"
				    "<author xml:base=\"../w/\"><uri>me</uri></author>"
				    "<link rel=\"enclosure\" xml:base=\"/abs/\" href=\"e.mp3\"/></entry>"
				    "<entry><link href=\"q\"/></entry>"));
	assert_string_equal(f->items[0].url, "http://a.example/x/y/z");
	assert_string_equal(f->items[0].authors[0].url, "http://a.example/x/w/me");
	assert_string_equal(f->items[0].attachments[0].url, "http://a.example/abs/e.mp3");
	assert_string_equal(f->items[1].url, "http://a.example/x/q");
	feed_free(f);
}

static void test_base_from_opts(void **state)
{
	(void)state;
	struct feed *f = parse_base(RSS("", "<item><link>p/1</link></item>"),
				    "https://news.example/feeds/main.rss");
	assert_string_equal(f->items[0].url, "https://news.example/feeds/p/1");
	feed_free(f);
	/* no base: relative links cannot be resolved and are dropped */
	f = parse_base(RSS("", "<item><title>t</title><link>p/1</link></item>"), NULL);
	assert_null(f->items[0].url);
	feed_free(f);
}

static void test_url_fast_path_matches_resolver(void **state)
{
	(void)state;
	static const char *const urls[] = {
		"http://example.org/a/b?c=d&e=f#g", "https://example.org/",
		"http://example.org", "http://example.org/a/./b",
		"http://example.org/a/../b", "http://example.org/a b",
		"http://example.org/.well-known/x", "http://example.org/x/..",
		"http://EXAMPLE.org/Path", "http://example.org:8080/p",
		"http://user@example.org/p", "http://example.org?q",
		"https://example.org/%7Euser/%41",
	};
	for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		char doc[512];
		snprintf(doc, sizeof doc, RSS("", "<item><title>t</title><link>%s</link></item>"), urls[i]);
		struct feed *f = parse(doc);
		char *want = td_url_resolve("http://example.org/feed.xml", urls[i]);
		if (want)
			assert_string_equal(f->items[0].url, want);
		else
			assert_null(f->items[0].url);
		free(want);
		feed_free(f);
	}
}

/* ---- Atom text constructs ---- */

static void test_text_constructs(void **state)
{
	(void)state;
	struct feed *f = parse(ATOM("",
		"<entry><title type=\"text\">a &lt;b&gt; &amp;amp;</title>"
		"<content type=\"text\">x &lt; y</content></entry>"
		"<entry><title type=\"html\">a &lt;b&gt;bold&lt;/b&gt; &amp;amp;</title>"
		"<content type=\"html\">&lt;p&gt;p&lt;/p&gt;</content><summary type=\"html\">&lt;i&gt;s&lt;/i&gt; &amp;gt;</summary></entry>"
		"<entry><title type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">x<b>y</b></div></title>"
		"<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\"><p class=\"c\">q &amp; r</p></div></content></entry>"
		"<entry><content type=\"application/octet-stream\">AAAA</content>"
		"<content src=\"http://o.example/x\"/></entry>"));
	assert_int_equal(f->n_items, 4);
	assert_string_equal(f->items[0].title, "a <b> &amp;");
	assert_string_equal(f->items[0].content_html, "x &lt; y");
	assert_string_equal(f->items[1].title, "a bold &");
	assert_string_equal(f->items[1].content_html, "<p>p</p>");
	assert_string_equal(f->items[1].summary, "s >");
	assert_string_equal(f->items[2].title, "xy");
	assert_string_equal(f->items[2].content_html, "<p class=\"c\">q &amp; r</p>");
	assert_null(f->items[3].content_html);
	assert_string_equal(f->items[3].external_url, "http://o.example/x");
	feed_free(f);
}

/* ---- RSS specifics ---- */

static void test_rss_guid_rules(void **state)
{
	(void)state;
	struct feed *f = parse(RSS("",
		"<item><guid>http://g.example/1</guid></item>"
		"<item><guid isPermaLink=\"false\">http://g.example/2</guid></item>"
		"<item><guid isPermaLink=\"true\">rel/3</guid></item>"
		"<item><guid>not-a-url</guid></item>"
		"<item><guid>http://g.example/5</guid><link>http://l.example/5</link></item>"));
	assert_string_equal(f->items[0].url, "http://g.example/1");
	assert_null(f->items[1].url);
	assert_string_equal(f->items[1].id, "http://g.example/2");
	assert_string_equal(f->items[2].url, "http://example.org/rel/3");
	assert_string_equal(f->items[2].id, "rel/3");
	assert_null(f->items[3].url);
	assert_string_equal(f->items[3].id, "not-a-url");
	assert_string_equal(f->items[4].url, "http://l.example/5");
	assert_string_equal(f->items[4].id, "http://g.example/5");
	feed_free(f);
}

static void test_rss_hints_and_comments(void **state)
{
	(void)state;
	struct feed *f = parse(RSS(" xmlns:sy=\"http://purl.org/rss/1.0/modules/syndication/\""
				   " xmlns:slash=\"http://purl.org/rss/1.0/modules/slash/\"",
		"<ttl>45</ttl><sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>4</sy:updateFrequency>"
		"<skipHours><hour>0</hour><hour>23</hour><hour>24</hour><hour>99</hour></skipHours>"
		"<skipDays><day>Sunday</day><day>saturday</day><day>Funday</day></skipDays>"
		"<item><title>i</title><comments>/c</comments><slash:comments>17</slash:comments></item>"
		"<item><title>j</title></item>"));
	assert_int_equal(f->ttl_minutes, 45);
	assert_int_equal(f->sy_period_secs, 900);
	assert_int_equal(f->skip_hours, (1u << 0) | (1u << 23));
	assert_int_equal(f->skip_days, (1u << 0) | (1u << 6));
	assert_int_equal(f->items[0].comments, 17);
	assert_string_equal(f->items[0].comments_url, "http://example.org/c");
	assert_int_equal(f->items[1].comments, -1);
	feed_free(f);
}

static void test_rss_dates(void **state)
{
	(void)state;
	struct feed *f = parse(RSS("", "<lastBuildDate>Sat, 06 Jan 2024 01:10:00 GMT</lastBuildDate>"
				       "<item><title>i</title><pubDate>Sat, 06 Jan 2024 01:10:00 GMT</pubDate></item>"
				       "<item><title>j</title><pubDate>garbage</pubDate></item>"));
	assert_int_equal(f->date_updated, 1704503400);
	assert_int_equal(f->items[0].date_published, 1704503400);
	assert_true(f->items[1].date_published == TD_TIME_NONE);
	feed_free(f);
}

static void test_content_encoded_vs_description(void **state)
{
	(void)state;
	struct feed *f = parse(RSS(" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"",
		"<item><description>Teaser &lt;b&gt;x&lt;/b&gt;</description><content:encoded>Full</content:encoded></item>"
		"<item><description>Same</description><content:encoded>Same</content:encoded></item>"
		"<item><description>&lt;p&gt;Only&lt;/p&gt;</description></item>"));
	assert_string_equal(f->items[0].content_html, "Full");
	assert_string_equal(f->items[0].summary, "Teaser x");
	assert_string_equal(f->items[1].content_html, "Same");
	assert_null(f->items[1].summary);
	assert_string_equal(f->items[2].content_html, "<p>Only</p>");
	assert_null(f->items[2].summary);
	feed_free(f);
}

/* ---- entities ---- */

static void test_entity_rewrite(void **state)
{
	(void)state;
	struct feed *f = parse(RSS("", "<item><title>caf&eacute;&nbsp;&mdash;</title>"
				       "<description><![CDATA[&eacute; stays]]> &hellip;</description>"
				       "<enclosure url=\"http://e/?a=1&amp;b=&pound;\"/></item>"));
	assert_string_equal(f->items[0].title, "caf\xc3\xa9\xc2\xa0\xe2\x80\x94");
	assert_string_equal(f->items[0].content_html, "&eacute; stays \xe2\x80\xa6");
	assert_string_equal(f->items[0].attachments[0].url, "http://e/?a=1&b=%C2%A3");
	assert_int_equal(f->n_warnings, 1);
	assert_int_equal(f->warning_line, 1);
	assert_true(f->warning_col > 1);
	assert_non_null(strstr(f->warning, "undefined entity"));
	feed_free(f);
}

static void test_entity_lookup(void **state)
{
	(void)state;
	uint32_t cp[2];
	assert_int_equal(feed_entity_lookup("eacute", 6, cp), 1);
	assert_int_equal(cp[0], 0xE9);
	assert_int_equal(feed_entity_lookup("Eacute", 6, cp), 1);
	assert_int_equal(cp[0], 0xC9);
	assert_int_equal(feed_entity_lookup("nbsp", 4, cp), 1);
	assert_int_equal(cp[0], 0xA0);
	assert_int_equal(feed_entity_lookup("NotEqualTilde", 13, cp), 2);
	assert_int_equal(cp[0], 0x2242);
	assert_int_equal(cp[1], 0x338);
	assert_int_equal(feed_entity_lookup("CounterClockwiseContourIntegral", 31, cp), 1);
	assert_int_equal(feed_entity_lookup("eacut", 5, cp), 0);
	assert_int_equal(feed_entity_lookup("eacutee", 7, cp), 0);
	assert_int_equal(feed_entity_lookup("", 0, cp), 0);
	assert_int_equal(feed_entity_lookup("AElig", 5, cp), 1); /* first */
	assert_int_equal(feed_entity_lookup("zwnj", 4, cp), 1);	 /* last */
}

/* ---- text helpers ---- */

static void check_text(const char *html, const char *want)
{
	struct td_buf b;
	td_buf_init(&b, 0);
	assert_int_equal(feed_html_to_text(html, strlen(html), 1000, &b), 0);
	assert_string_equal(td_buf_cstr(&b), want);
	td_buf_release(&b);
}

static void test_html_to_text(void **state)
{
	(void)state;
	check_text("<p>One</p><p>Two</p>", "One Two");
	check_text("  a\n\n  b  ", "a b");
	check_text("x<br>y", "x y");
	check_text("x<b>y</b>z", "xyz");
	check_text("AT&amp;T &lt;3 &#8217; &#x2014; &bogus; &", "AT&T <3 \xe2\x80\x99 \xe2\x80\x94 &bogus; &");
	check_text("a < b and c<d", "a < b and c<d");
	check_text("<script>var x = '<p>';</script>ok<style>p{}</style>", "ok");
	check_text("<!-- hidden -->shown<!-- unterminated", "shown");
	check_text("unterminated <tag", "unterminated <tag");
	check_text("&#150;", "\xe2\x80\x93"); /* C1 as windows-1252 */
	check_text("", "");
	/* cut at a UTF-8 boundary */
	struct td_buf b;
	td_buf_init(&b, 0);
	feed_html_to_text("\xc3\xa9\xc3\xa9\xc3\xa9", 6, 3, &b);
	assert_string_equal(td_buf_cstr(&b), "\xc3\xa9");
	td_buf_release(&b);
	td_buf_init(&b, 0);
	feed_html_decode("a&amp;b&eacute;&x;", 18, &b);
	assert_string_equal(td_buf_cstr(&b), "a&b\xc3\xa9&x;");
	td_buf_release(&b);
}

/* ---- recovery ---- */

static void test_truncated_keeps_partial_item(void **state)
{
	(void)state;
	const char *doc = "<rss version=\"2.0\"><channel><title>T</title>"
			  "<item><title>a</title></item><item><title>b</title><description>par";
	struct feed *f = parse(doc);
	assert_int_equal(f->n_items, 2);
	assert_string_equal(f->items[1].title, "b");
	assert_string_equal(f->items[1].content_html, "par");
	assert_true(f->n_warnings >= 1);
	feed_free(f);
	doc = "<rss version=\"2.0\"><channel><title>T</title>"
	      "<item><title>a</title></item><item><description>no title";
	f = parse(doc);
	assert_int_equal(f->n_items, 1);
	feed_free(f);
}

static void test_warning_position(void **state)
{
	(void)state;
	const char *doc = "<rss version=\"2.0\">\n<channel>\n<title>a & b</title>\n</channel></rss>";
	struct feed *f = parse(doc);
	assert_string_equal(f->title, "a & b");
	assert_int_equal(f->n_warnings, 1);
	assert_int_equal(f->warning_line, 3);
	/* expat points at the '&' or just after it */
	assert_in_range(f->warning_col, 10, 11);
	feed_free(f);
}

static void test_not_a_feed(void **state)
{
	(void)state;
	struct feed *f = NULL;
	struct td_error err = { 0 };
	const char *html = "<!DOCTYPE html>\n<html><body><p>x<br></body></html>";
	assert_int_equal(feed_parse_xml(html, strlen(html), NULL, &f, &err), TD_EPARSE);
	assert_null(f);
	assert_string_equal(err.msg, "not a feed: root element <html>");
	assert_int_equal(err.line, 2);
	assert_int_equal(err.col, 1);

	memset(&err, 0, sizeof err);
	assert_int_equal(feed_parse_xml("", 0, NULL, &f, &err), TD_EPARSE);
	assert_non_null(strstr(err.msg, "not a feed"));
	assert_int_equal(feed_parse_xml("junk", 4, NULL, &f, NULL), TD_EPARSE);
	assert_int_equal(feed_parse_xml(NULL, 0, NULL, &f, NULL), TD_EPARSE);
}

static void test_hostile_bounded(void **state)
{
	(void)state;
	/* billion laughs: not expanded, the document still parses */
	const char *bomb = "<?xml version=\"1.0\"?><!DOCTYPE rss ["
		"<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">"
		"<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
		"<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
		"<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">"
		"<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">]>"
		"<rss><channel><item><title>&e;</title></item></channel></rss>";
	struct feed *f = parse(bomb);
	assert_int_equal(f->n_items, 1);
	assert_true(strlen(f->items[0].title) <= TD_MAX_FIELD_BYTES);
	feed_free(f);

	/* 100k-deep nesting, then an item */
	size_t depth = 100000;
	struct td_buf b;
	td_buf_init(&b, 0);
	td_buf_puts(&b, "<rss><channel><x>");
	for (size_t i = 0; i < depth; i++)
		td_buf_puts(&b, "<a>");
	for (size_t i = 0; i < depth; i++)
		td_buf_puts(&b, "</a>");
	td_buf_puts(&b, "</x><item><title>after</title></item></channel></rss>");
	f = parse(td_buf_cstr(&b));
	assert_int_equal(f->n_items, 1);
	assert_string_equal(f->items[0].title, "after");
	feed_free(f);

	/* an over-long title is cut at the field limit on a UTF-8 boundary */
	td_buf_reset(&b);
	td_buf_puts(&b, "<rss><channel><item><title>x");
	for (size_t i = 0; i < TD_MAX_FIELD_BYTES; i++)
		td_buf_puts(&b, "\xc3\xa9");
	td_buf_puts(&b, "</title></item></channel></rss>");
	f = parse(td_buf_cstr(&b));
	assert_int_equal(strlen(f->items[0].title), TD_MAX_FIELD_BYTES - 1);
	feed_free(f);
	td_buf_release(&b);
}

static void test_item_limit(void **state)
{
	(void)state;
	struct td_buf b;
	td_buf_init(&b, 0);
	td_buf_puts(&b, "<rss><channel>");
	for (int i = 0; i < TD_MAX_FEED_ITEMS + 5; i++)
		td_buf_printf(&b, "<item><title>%d</title></item>", i);
	td_buf_puts(&b, "</channel></rss>");
	struct feed *f = parse(td_buf_cstr(&b));
	assert_int_equal(f->n_items, TD_MAX_FEED_ITEMS);
	assert_string_equal(f->items[TD_MAX_FEED_ITEMS - 1].title, "9999");
	assert_int_equal(f->n_warnings, 1);
	feed_free(f);
	td_buf_release(&b);
}

static void test_language_inheritance(void **state)
{
	(void)state;
	struct feed *f = parse(ATOM(" xml:lang=\"en\"",
				    "<entry xml:lang=\"fr\"><title>a</title></entry><entry><title>b</title></entry>"));
	assert_string_equal(f->language, "en");
	assert_string_equal(f->items[0].language, "fr");
	assert_string_equal(f->items[1].language, "en");
	feed_free(f);
}

/* feed_html_resolve: relative URL attributes only; everything else
 * byte for byte. NULL means "unchanged". */
static void resolves_to(const char *html, const char *want)
{
	char *got = feed_html_resolve(html, "https://ex.org/a/b.html");
	if (!want) {
		if (got)
			print_error("input: %s\nwant unchanged\ngot: %s\n", html,
				    got);
		assert_null(got);
		return;
	}
	if (!got || strcmp(got, want))
		print_error("input: %s\nwant: %s\ngot:  %s\n", html, want,
			    got ? got : "(unchanged)");
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_html_resolve(void **state)
{
	(void)state;
	resolves_to("<a href=\"c\">x</a>", "<a href=\"https://ex.org/a/c\">x</a>");
	resolves_to("<A HREF='/c'>x</A>", "<A HREF='https://ex.org/c'>x</A>");
	resolves_to("<img src=c.png>", "<img src=https://ex.org/a/c.png>");
	resolves_to("<img\nsrc = \"c.png\" alt=\"a > b\">",
		    "<img\nsrc = \"https://ex.org/a/c.png\" alt=\"a > b\">");
	resolves_to("<img srcset=\"x.png 1x,y.png 2x\">",
		    "<img srcset=\"https://ex.org/a/x.png 1x,https://ex.org/a/y.png 2x\">");
	resolves_to("<a href=\"q?a=1&amp;b=2\">", "<a href=\"https://ex.org/a/q?a=1&amp;b=2\">");
	/* nothing to do */
	resolves_to("<a href=\"https://x.org/\">", NULL);
	resolves_to("<a href=\"#n1\">", NULL);
	resolves_to("<a href=\"mailto:a@b.c\">", NULL);
	resolves_to("<a title=\"c\" data-x=\"d\">", NULL);
	resolves_to("x href=\"c\" < y > z", NULL);
	resolves_to("<!-- <a href=\"c\"> --><p>", NULL);
	resolves_to("<a href=\"", NULL);      /* unterminated */
	resolves_to("<a href=\"c", NULL);
	resolves_to("<a href", NULL);
	resolves_to("<a href=", NULL);
	resolves_to("", NULL);
	/* a quoted value is skipped whole, markup-looking or not */
	resolves_to("<a title=\"x><a href=\"c\">", NULL);
	assert_null(feed_html_resolve("<a href=c>", NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ns_matched_by_uri),
		cmocka_unit_test(test_ns_uri_variants),
		cmocka_unit_test(test_ns_unbound_prefix_defaults),
		cmocka_unit_test(test_ns_scoping),
		cmocka_unit_test(test_atom_in_rss),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_xml_base_nested),
		cmocka_unit_test(test_html_resolve),
		cmocka_unit_test(test_base_from_opts),
		cmocka_unit_test(test_url_fast_path_matches_resolver),
		cmocka_unit_test(test_text_constructs),
		cmocka_unit_test(test_rss_guid_rules),
		cmocka_unit_test(test_rss_hints_and_comments),
		cmocka_unit_test(test_rss_dates),
		cmocka_unit_test(test_content_encoded_vs_description),
		cmocka_unit_test(test_entity_rewrite),
		cmocka_unit_test(test_entity_lookup),
		cmocka_unit_test(test_html_to_text),
		cmocka_unit_test(test_truncated_keeps_partial_item),
		cmocka_unit_test(test_warning_position),
		cmocka_unit_test(test_not_a_feed),
		cmocka_unit_test(test_hostile_bounded),
		cmocka_unit_test(test_item_limit),
		cmocka_unit_test(test_language_inheritance),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
