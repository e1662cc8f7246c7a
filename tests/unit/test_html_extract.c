/*
 * test_html_extract.c - main-content extraction and page metadata
 * (src/html/extract.c, src/html/meta.c): the title and byline cleaning
 * rules, metadata precedence, the cleaning rules of the extractor, the JSON
 * output, and hostile input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/time.h"
#include "html/extract_int.h"
#include "html/html.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- helpers ---- */

#define PARA1                                                              \
	"<p>The city council voted on Tuesday to expand the riverside "   \
	"park, a decision that ends three years of debate over the "      \
	"future of the old docks.</p>"
#define PARA2                                                              \
	"<p>Supporters said the plan, which adds two hectares of green "  \
	"space, would bring families back to the waterfront, while "      \
	"critics worried about costs.</p>"
#define PARA3                                                              \
	"<p>Work is expected to start in the spring and to last about "   \
	"eighteen months, according to the parks department, which will " \
	"publish a schedule.</p>"
#define PARA4                                                              \
	"<p>The mayor said the first trees would be planted before the "  \
	"summer festival, and that residents would be invited to help "   \
	"choose the species.</p>"
#define BODY PARA1 PARA2 PARA3 PARA4

static struct html_article *extract(const char *html, const char *url)
{
	struct html_article *a = NULL;
	struct td_error err = { 0 };
	int rc = html_extract(html, strlen(html), url, &a, &err);
	assert_true(rc == 0 || rc == TD_EPARSE);
	assert_non_null(a);
	assert_non_null(a->content_html);
	assert_non_null(a->content_text);
	return a;
}

static int has(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle) != NULL;
}

static void check_title(const char *in, const char *site, const char *want)
{
	char *t = html_meta_clean_title(in, site);
	assert_non_null(t);
	assert_string_equal(t, want);
	free(t);
}

static void check_byline(const char *in, const char *want)
{
	char *b = html_meta_clean_byline(in);
	if (!want) {
		assert_null(b);
		return;
	}
	assert_non_null(b);
	assert_string_equal(b, want);
	free(b);
}

/* ---- title and byline rules ---- */

static void test_title_site_suffix(void **state)
{
	(void)state;
	check_title("Park plan approved | Example News", "Example News",
		    "Park plan approved");
	check_title("Park plan approved - example news", "Example News",
		    "Park plan approved");
	check_title("Park plan approved \xe2\x80\x94 Example News",
		    "Example News", "Park plan approved");
	check_title("Example News :: Park plan approved", "Example News",
		    "Park plan approved");
	check_title("Example News | Park plan approved", "Example News",
		    "Park plan approved");
}

static void test_title_without_site(void **state)
{
	(void)state;
	/* a long head and a short tail: the tail is a site name */
	check_title("Council approves the riverside park plan - Herald", NULL,
		    "Council approves the riverside park plan");
	/* a short head: keep everything */
	check_title("Parks - City Herald Daily", NULL,
		    "Parks - City Herald Daily");
	/* no separator, and a colon is part of headlines */
	check_title("Park plan approved", NULL, "Park plan approved");
	check_title("Review: the new park is a triumph of design", NULL,
		    "Review: the new park is a triumph of design");
	/* hyphenated words are not separators */
	check_title("Long-awaited park plan gets a green light", "Site",
		    "Long-awaited park plan gets a green light");
}

static void test_byline_rules(void **state)
{
	(void)state;
	check_byline("By Jane Doe", "Jane Doe");
	check_byline("  by:  Jane   Doe ", "Jane Doe");
	check_byline("Written by: Jane Doe", "Jane Doe");
	check_byline("BY JANE DOE,", "JANE DOE");
	check_byline("Byron Smith", "Byron Smith");
	check_byline("Jane Doe \xe2\x80\x94", "Jane Doe");
	check_byline("Jane &amp; John", "Jane & John");
	check_byline("https://example.com/staff/jane", NULL);
	check_byline("www.example.com", NULL);
	check_byline("by", NULL);
	check_byline("", NULL);
	check_byline(NULL, NULL);
	check_byline("This is a whole paragraph of text that is far too long "
		     "to be a byline, because bylines name people and not "
		     "much else at all",
		     NULL);
}

/* ---- metadata precedence ---- */

static void test_meta_precedence(void **state)
{
	(void)state;
	const char *html =
		"<html lang=\"en-GB\"><head><title>Tag title | Site</title>"
		"<meta property=\"og:title\" content=\"OG title\">"
		"<meta name=\"twitter:title\" content=\"Twitter title\">"
		"<meta property=\"og:site_name\" content=\"Site\">"
		"<meta name=\"author\" content=\"Meta Author\">"
		"<meta property=\"article:published_time\" "
		"content=\"2023-11-02T08:30:00Z\">"
		"<meta property=\"og:image\" content=\"/img/og.jpg\">"
		"<meta name=\"description\" content=\"Plain description\">"
		"<meta property=\"og:description\" content=\"OG description\">"
		"<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\","
		"\"headline\":\"LD headline\",\"author\":{\"name\":\"LD Author\"},"
		"\"datePublished\":\"2024-01-06T02:10:00+01:00\"}</script>"
		"</head><body><article>" BODY "</article></body></html>";
	struct html_article *a = extract(html, "https://news.example.com/a/1");
	assert_string_equal(a->title, "OG title");
	assert_string_equal(a->byline, "LD Author");
	char d[32];
	assert_string_equal(td_time_rfc3339(a->date_published, d),
			    "2024-01-06T01:10:00Z");
	assert_string_equal(a->lead_image,
			    "https://news.example.com/img/og.jpg");
	assert_string_equal(a->language, "en-GB");
	assert_string_equal(a->site_name, "Site");
	assert_string_equal(a->excerpt, "OG description");
	html_article_free(a);
}

static void test_meta_fallbacks(void **state)
{
	(void)state;
	/* no OpenGraph: <title> cleaned, h1 agreeing with it, <time> in the
	 * article, og:locale, first paragraph as excerpt, content image */
	const char *html =
		"<html><head><title>Park plan approved - Herald Daily</title>"
		"<meta property=\"og:locale\" content=\"fr_FR\">"
		"</head><body><h1>Park plan approved</h1><article>"
		"<time datetime=\"2022-05-17T12:00:00-04:00\">May 17</time>"
		"<img src=\"/i/icon.png\" width=\"20\">"
		"<img src=\"/i/big.jpg\" width=\"900\">" BODY
		"</article></body></html>";
	struct html_article *a = extract(html, "http://example.org/x/y");
	assert_string_equal(a->title, "Park plan approved");
	char d[32];
	assert_string_equal(td_time_rfc3339(a->date_published, d),
			    "2022-05-17T16:00:00Z");
	assert_string_equal(a->language, "fr-FR");
	assert_string_equal(a->lead_image, "http://example.org/i/big.jpg");
	assert_true(has(a->excerpt, "The city council voted"));
	assert_null(a->byline);
	assert_null(a->site_name);
	html_article_free(a);
}

static void test_meta_jsonld_graph(void **state)
{
	(void)state;
	const char *html =
		"<head><script type=\"application/ld+json\">"
		"{\"@context\":\"https://schema.org\",\"@graph\":["
		"{\"@type\":\"WebPage\",\"headline\":\"Page\"},"
		"{\"@type\":[\"Thing\",\"BlogPosting\"],\"headline\":\"Post\","
		"\"author\":[{\"name\":\"A B\"},\"C D\",{\"url\":\"x\"}],"
		"\"image\":[{\"url\":\"https://cdn.example.com/p.png\"}],"
		"\"publisher\":{\"name\":\"Pub &amp; Co\"},"
		"\"inLanguage\":\"pt_BR\",\"datePublished\":\"2021-03-04\"}]}"
		"</script><script type=\"application/ld+json\">{broken"
		"</script></head><body><div>" BODY "</div></body>";
	struct html_article *a = extract(html, NULL);
	assert_string_equal(a->title, "Post");
	assert_string_equal(a->byline, "A B, C D");
	assert_string_equal(a->lead_image, "https://cdn.example.com/p.png");
	assert_string_equal(a->site_name, "Pub & Co");
	assert_string_equal(a->language, "pt-BR");
	char d[32];
	assert_string_equal(td_time_rfc3339(a->date_published, d),
			    "2021-03-04T00:00:00Z");
	html_article_free(a);
}

static void test_meta_space_separated_and_bad(void **state)
{
	(void)state;
	const char *html =
		"<head><meta property=\"og:title twitter:title\" "
		"content=\"Shared title\"><meta property=\"article:author\" "
		"content=\"https://example.com/me\"><meta name=\"date\" "
		"content=\"not a date\"><meta property=\"og:image\" "
		"content=\"javascript:alert(1)\"><meta http-equiv="
		"\"content-language\" content=\"es, en\"></head><body>" BODY
		"</body>";
	struct html_article *a = extract(html, NULL);
	assert_string_equal(a->title, "Shared title");
	assert_null(a->byline);
	assert_true(a->date_published == TD_TIME_NONE);
	assert_null(a->lead_image);
	assert_string_equal(a->language, "es");
	html_article_free(a);
}

/* ---- cleaning rules ---- */

static void test_clean_page_furniture(void **state)
{
	(void)state;
	const char *html =
		"<html><head><title>Park plan approved</title></head><body>"
		"<nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav>"
		"<div class=\"sidebar\"><p>Popular now, most read, trending, "
		"and other things you might like.</p></div>"
		"<article><h1>Park plan approved</h1>"
		"<div class=\"share-tools\"><a href=\"https://t.co/s\">Tweet"
		"</a> <a href=\"https://fb.com/s\">Facebook</a></div>" PARA1
		"<div class=\"newsletter-box\"><p>Get our daily briefing in "
		"your inbox.</p><form><input name=\"e\"><button>Sign up"
		"</button></form></div>" PARA2
		"<div class=\"ad-slot\"><img src=\"https://ads.example.net/b.gif"
		"\"></div>" PARA3 PARA4
		"<div class=\"more\"><h3>Read more</h3><ul><li><a href=\"/a\">"
		"Another park story with a long headline</a></li><li><a href="
		"\"/b\">Second related story about the docks</a></li></ul></div>"
		"</article><section id=\"comments\"><div class=\"comment\"><p>"
		"I think this is a great idea, and I will visit the park often."
		"</p></div></section><footer><p>Copyright 2024, all rights "
		"reserved, Example News.</p></footer></body></html>";
	struct html_article *a = extract(html, "https://example.com/a");
	const char *t = a->content_text;
	assert_true(has(t, "The city council voted"));
	assert_true(has(t, "choose the species"));
	const char *junk[] = { "Home",      "Popular now", "Tweet",
			       "briefing",  "Sign up",     "Read more",
			       "Another park", "great idea", "Copyright",
			       "Park plan approved" };
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		if (has(t, junk[i]))
			fail_msg("junk kept: %s", junk[i]);
	assert_false(has(a->content_html, "ads.example.net"));
	assert_false(has(a->content_html, "<form"));
	html_article_free(a);
}

static void test_keep_figures_tables(void **state)
{
	(void)state;
	const char *html =
		"<body><article>" PARA1
		"<figure><img src=\"https://cdn.example.com/docks.jpg\" alt=\""
		"The docks\"><figcaption>The old docks at dusk</figcaption>"
		"</figure>" PARA2
		"<table><caption>Budget</caption><tr><th>Item</th><th>Cost</th>"
		"</tr><tr><td>Trees</td><td>1.2m</td></tr></table>" PARA3 PARA4
		"</article></body>";
	struct html_article *a = extract(html, NULL);
	assert_true(has(a->content_html, "docks.jpg"));
	assert_true(has(a->content_text, "The old docks at dusk"));
	assert_true(has(a->content_html, "<table"));
	assert_true(has(a->content_text, "Trees"));
	html_article_free(a);
}

static void test_hidden_and_scripts(void **state)
{
	(void)state;
	const char *html =
		"<body><article>" PARA1
		"<p style=\"DISPLAY : none\">Hidden one</p>"
		"<div hidden>Hidden two</div><p aria-hidden=\"true\">Hidden "
		"three</p><p style=\"visibility:hidden\">Hidden four</p>"
		"<script>var x = 'script text';</script><style>p{}</style>"
		"<noscript>Enable JavaScript</noscript>" PARA2 PARA3 PARA4
		"</article></body>";
	struct html_article *a = extract(html, NULL);
	assert_false(has(a->content_text, "Hidden"));
	assert_false(has(a->content_text, "script text"));
	assert_false(has(a->content_text, "Enable JavaScript"));
	assert_true(has(a->content_text, "eighteen months"));
	html_article_free(a);
}

static void test_best_block_wins(void **state)
{
	(void)state;
	/* teasers with links beside the article; the itemprop hint and the
	 * prose mass pick the article */
	const char *html =
		"<body><div class=\"teasers\"><div><a href=\"/1\">Teaser "
		"one with a long enough headline to be scored</a></div><div>"
		"<a href=\"/2\">Teaser two with a long enough headline to be "
		"scored</a></div></div><div itemprop=\"articleBody\">" BODY
		"</div></body>";
	struct html_article *a = extract(html, NULL);
	assert_false(has(a->content_text, "Teaser"));
	assert_true(has(a->content_text, "riverside park"));
	html_article_free(a);
}

static void test_text_divs_and_breaks(void **state)
{
	(void)state;
	const char *html =
		"<body><div class=\"post-body\">First segment of the story, "
		"with commas, and words, long enough to count.<br><br>Second "
		"segment of the story, also long, with a comma or two, here."
		"<br><br>Third segment, closing the story with some words."
		"</div><div class=\"footer\">About us</div></body>";
	struct html_article *a = extract(html, NULL);
	assert_true(has(a->content_text, "First segment"));
	assert_true(has(a->content_text, "Third segment"));
	assert_false(has(a->content_text, "About us"));
	html_article_free(a);
}

static void test_articlebody_preferred_when_longer(void **state)
{
	(void)state;
	const char *html =
		"<head><script type=\"application/ld+json\">{\"@type\":"
		"\"NewsArticle\",\"articleBody\":\"First line of the body, "
		"which is long, long, long, long, long, long, long, long.\\n"
		"Second line of the body <b>with markup-like text</b>, which "
		"is also long enough to matter here.\\nThird line, also long "
		"enough to make the JSON-LD body clearly the longest text on "
		"this page, by far, really.\"}</script></head><body><div>"
		"<p>A short teaser of the story, with a comma, and a link."
		"</p></div></body>";
	struct html_article *a = extract(html, NULL);
	assert_true(has(a->content_text, "Third line"));
	assert_false(has(a->content_text, "short teaser"));
	html_article_free(a);

	/* shorter than the page's article: the page wins */
	html = "<head><script type=\"application/ld+json\">{\"@type\":"
	       "\"Article\",\"articleBody\":\"Tiny body.\"}</script></head>"
	       "<body><article>" BODY "</article></body>";
	a = extract(html, NULL);
	assert_false(has(a->content_text, "Tiny body"));
	assert_true(has(a->content_text, "riverside park"));
	html_article_free(a);
}

static void test_links_resolved_and_safe(void **state)
{
	(void)state;
	const char *html =
		"<head><base href=\"https://cdn.example.org/archive/\"></head>"
		"<body><article>" PARA1
		"<p>See <a href=\"docs/plan.pdf\">the plan</a> and <a href=\""
		"javascript:alert(1)\" onclick=\"x()\">this</a>, a paragraph "
		"with enough words.</p>" PARA2 PARA3 "</article></body>";
	struct html_article *a = extract(html, "https://news.example.com/x");
	assert_true(has(a->content_html,
			"https://cdn.example.org/archive/docs/plan.pdf"));
	assert_false(has(a->content_html, "javascript:"));
	assert_false(has(a->content_html, "onclick"));
	html_article_free(a);
}

/* ---- JSON ---- */

static void test_json_output(void **state)
{
	(void)state;
	struct html_article a;
	memset(&a, 0, sizeof(a));
	a.title = "A \"quoted\" title\twith\x01 control";
	a.date_published = 1704503400; /* 2024-01-06T01:10:00Z */
	a.content_html = "<p>x</p>";
	a.content_text = "x\n\xe2\x80\xa8y";
	a.language = "en";
	struct td_buf b;
	td_buf_init(&b, 0);
	assert_int_equal(html_article_to_json(&a, &b), 0);
	const char *s = td_buf_cstr(&b);
	/* field order and absent fields */
	const char *t = strstr(s, "\"title\""), *d = strstr(s, "\"date_pub");
	const char *h = strstr(s, "\"content_html\""),
		   *x = strstr(s, "\"content_text\""),
		   *l = strstr(s, "\"language\"");
	assert_true(t && d && h && x && l && t < d && d < h && h < x && x < l);
	assert_null(strstr(s, "\"byline\""));
	assert_null(strstr(s, "\"lead_image\""));
	assert_non_null(strstr(s, "\"2024-01-06T01:10:00Z\""));
	assert_non_null(strstr(s, "\\u0001"));
	assert_non_null(strstr(s, "\\u2028"));
	json_error_t je;
	json_t *j = json_loads(s, 0, &je);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "title")),
			    a.title);
	json_decref(j);
	td_buf_release(&b);
}

/* ---- hostile and empty input ---- */

static void test_empty_and_junk(void **state)
{
	(void)state;
	struct html_article *a = NULL;
	struct td_error err = { 0 };
	assert_int_equal(html_extract("", 0, NULL, &a, &err), TD_EPARSE);
	assert_non_null(a);
	assert_string_equal(a->content_text, "");
	html_article_free(a);
	a = NULL;
	assert_int_equal(html_extract(NULL, 0, NULL, &a, &err), TD_EPARSE);
	html_article_free(a);

	/* invalid UTF-8, NUL bytes, a BOM */
	static const char junk[] = "\xef\xbb\xbf<p>caf\xe9 \xff\xfe, with "
				   "commas, and\0 words, and more words "
				   "here.</p>";
	a = NULL;
	int rc = html_extract(junk, sizeof(junk) - 1, NULL, &a, &err);
	assert_true(rc == 0 || rc == TD_EPARSE);
	struct td_buf b;
	td_buf_init(&b, 0);
	assert_int_equal(html_article_to_json(a, &b), 0);
	json_error_t je;
	json_t *j = json_loadb(b.p, b.len, 0, &je);
	assert_non_null(j);
	json_decref(j);
	td_buf_release(&b);
	html_article_free(a);
	html_article_free(NULL);
}

static void test_embed_fallback(void **state)
{
	(void)state;
	const char *html =
		"<html><head><title>Park plan approved</title></head><body>"
		"<article>" PARA1
		"<iframe src=\"//www.youtube.com/embed/abc?rel=0&amp;t=5\" "
		"title=\"Council  debate\"></iframe>" PARA2
		"<div class=\"video\"><iframe src=\"http://player.vimeo.com/"
		"video/1\"></iframe></div>"
		"<iframe src=\"https://ads.example.net/slot\"></iframe>"
		"<iframe src=\"javascript:alert(1)\"></iframe>"
		"<iframe src=\"https://www.youtube.com/watch?v=x\"></iframe>"
		"<iframe hidden src=\"https://www.google.com/maps/embed?pb=1\">"
		"</iframe>" PARA3
		"<p>Map: <iframe src=\"about:blank\" data-src=\"https://www."
		"openstreetmap.org/export/embed.html\"></iframe></p>" PARA4
		"</article></body></html>";
	struct html_article *a = extract(html, "https://example.com/a");
	const char *h = a->content_html;
	/* title as link text, protocol-relative made https */
	assert_true(has(h, "<p>Embedded video: <a href=\"https://www.youtube"
			   ".com/embed/abc?rel=0&amp;t=5\""));
	assert_true(has(h, ">Council debate</a></p>"));
	/* no title: the site names it; http upgraded */
	assert_true(has(h, "Embedded video: <a href=\"https://player.vimeo"
			   ".com/video/1\""));
	assert_true(has(h, ">player.vimeo.com</a>"));
	/* inside a paragraph: inline, lazy data-src read */
	assert_true(has(h, "<p>Map: Embedded map: <a href=\"https://www."
			   "openstreetmap.org/export/embed.html\""));
	/* ads, scripts, non-embed pages and hidden frames leave nothing */
	assert_false(has(h, "ads.example.net"));
	assert_false(has(h, "javascript"));
	assert_false(has(h, "watch?v"));
	assert_false(has(h, "google.com/maps"));
	assert_false(has(h, "<iframe"));
	assert_true(has(a->content_text, "choose the species"));
	html_article_free(a);
}

static void test_byline_element_removed(void **state)
{
	(void)state;
	/* name inside the byline element, a date after it */
	const char *html =
		"<html><head><title>Park plan approved</title></head><body>"
		"<article><h1>Park plan approved</h1><div class=\"byline\">"
		"By <a class=\"author-link\" href=\"/jane\">Jane Doe</a>"
		"<span>March 25, 2015</span> <a href=\"#c\">12</a></div>"
		BODY "</article></body></html>";
	struct html_article *a = extract(html, NULL);
	assert_string_equal(a->byline, "Jane Doe");
	char d[32];
	assert_string_equal(td_time_rfc3339(a->date_published, d),
			    "2015-03-25T00:00:00Z");
	assert_false(has(a->content_text, "Jane"));
	assert_false(has(a->content_text, "March"));
	assert_true(has(a->content_text, "The city council voted"));
	html_article_free(a);

	/* "By Name Date" in one text: the date is cut from the byline;
	 * "Last updated: date" is no byline */
	html = "<html><body><article><p class=\"byline\">By Nathan Willis "
	       "March 25, 2015</p>" BODY "</article></body></html>";
	a = extract(html, NULL);
	assert_string_equal(a->byline, "Nathan Willis");
	assert_false(has(a->content_text, "Willis"));
	html_article_free(a);
	html = "<html><body><article><p class=\"byline\">Last updated: "
	       "January 7, 2025</p>" BODY "</article></body></html>";
	a = extract(html, NULL);
	assert_null(a->byline);
	assert_true(a->date_published == TD_TIME_NONE);
	html_article_free(a);

	/* an itemprop=author inside a short line: the whole line goes; in
	 * a long paragraph nothing is cut */
	html = "<html><body><article><p>City Desk | <time>May 4</time> | By "
	       "<span itemprop=\"author\">Jane Doe</span></p>" BODY
	       "</article></body></html>";
	a = extract(html, NULL);
	assert_string_equal(a->byline, "Jane Doe");
	assert_false(has(a->content_text, "City Desk"));
	html_article_free(a);
	html = "<html><body><article>" PARA1 "<p>Reporting by <span itemprop="
	       "\"author\">Jane Doe</span> from the riverside, where the "
	       "council met on Tuesday, and where neighbours, who had waited "
	       "for years, cheered the vote.</p>" PARA2 PARA3 PARA4
	       "</article></body></html>";
	a = extract(html, NULL);
	assert_true(has(a->content_text, "Reporting by Jane Doe from"));
	html_article_free(a);
}

static void test_byline_sources(void **state)
{
	(void)state;
	/* Dublin Core before a generic author tag */
	const char *html =
		"<html><head><meta name=\"author\" content=\"Site Staff\">"
		"<meta property=\"dc:creator\" content=\"Jane Doe\"></head>"
		"<body><article>" BODY "</article></body></html>";
	struct html_article *a = extract(html, NULL);
	assert_string_equal(a->byline, "Jane Doe");
	html_article_free(a);

	/* bylines of reader comments and author notes are not the
	 * article's */
	html = "<html><body><div class=\"author-note\">A note from the "
	       "writer</div><article>" BODY "</article><ul class=\"comments\">"
	       "<li><div class=\"byline\">J</div><p>Nice.</p></li></ul>"
	       "<div class=\"story-meta\"><span class=\"author\">John Roe"
	       "</span></div></body></html>";
	a = extract(html, NULL);
	assert_string_equal(a->byline, "John Roe");
	html_article_free(a);
}

static void test_byline_and_date_lines(void **state)
{
	(void)state;
	const char *html =
		"<html><head><title>Park plan approved</title>"
		"<script type=\"application/ld+json\">{\"@type\":\"NewsArticle"
		"\",\"author\":{\"name\":\"Jane Doe\"},\"datePublished\":"
		"\"2015-03-25T23:30:00-04:00\"}</script></head><body><article>"
		"<h4><a href=\"/city\">City</a></h4><h1>Park plan approved</h1>"
		"<p>By JANE DOE</p><p>Published March 25, 2015</p>" BODY
		"<p>By Jane Doe, who covers city hall.</p></article></body>"
		"</html>";
	struct html_article *a = extract(html, NULL);
	const char *t = a->content_text;
	assert_false(has(t, "JANE"));
	assert_false(has(t, "Published"));
	assert_false(has(t, "City\n"));
	assert_false(has(t, "Park plan approved"));
	assert_true(has(t, "By Jane Doe, who covers city hall."));
	html_article_free(a);

	/* another date is news: kept */
	html = "<html><head><meta property=\"article:published_time\" "
	       "content=\"2015-03-25T09:30:00Z\"></head><body><article>"
	       "<p>Updated: March 29, 2015</p>" BODY "</article></body></html>";
	a = extract(html, NULL);
	assert_true(has(a->content_text, "Updated: March 29, 2015"));
	html_article_free(a);
}

static void test_quality_rules(void **state)
{
	(void)state;
	/* data table cells are never cleaned, however short */
	const char *html =
		"<body><article>" PARA1 PARA2
		"<table><tr><th><div>App</div></th><th><div>Size</div></th>"
		"</tr><tr><td><div><a href=\"/m\">Maps</a></div></td><td><div>"
		"32.7 MB</div></td></tr><tr><td><div><a href=\"/g\">Mail</a>"
		"</div></td><td><div>17.8 MB</div></td></tr></table>" PARA3
		PARA4 "</article></body>";
	struct html_article *a = extract(html, NULL);
	assert_true(has(a->content_text, "32.7 MB"));
	assert_true(has(a->content_text, "Mail"));
	html_article_free(a);

	/* short sentences in divs stay; chart labels go */
	html = "<body><article>" PARA1 "<div><div>They both took one.</div>"
	       "</div><div><div>Loading...</div></div>" PARA2 "<div><div>900 "
	       "billion</div><div>600</div></div>" PARA3 PARA4
	       "</article></body>";
	a = extract(html, NULL);
	assert_true(has(a->content_text, "They both took one."));
	assert_false(has(a->content_text, "Loading"));
	assert_false(has(a->content_text, "billion"));
	html_article_free(a);

	/* a block that is mostly a list is judged as a list; a gallery
	 * with captions is content */
	html = "<body><div id=\"page\"><div>" PARA1 PARA2 PARA3
	       "</div><div class=\"more\"><h2>Tools</h2><ul><li><p>Examine "
	       "the markup and styles of any page and change them.</p><a href="
	       "\"/i\">Learn more about Inspector</a></li><li><p>See logged "
	       "information and talk to the page with a prompt.</p><a href=\""
	       "/c\">Learn more about Console</a></li></ul></div>"
	       "<ul><li><figure><img src=\"/a.jpg\"><figcaption>The docks"
	       "</figcaption></figure></li><li><figure><img src=\"/b.jpg\">"
	       "<figcaption>The lawn</figcaption></figure></li></ul>"
	       "</div></body>";
	a = extract(html, NULL);
	assert_true(has(a->content_text, "Learn more about Console"));
	assert_true(has(a->content_text, "The lawn"));
	html_article_free(a);

	/* an article written straight into <body> is taken whole */
	html = "<body><p><b>Essay</b></p>" PARA1 PARA2 "<blockquote><p>Readers "
	       "wrote in, again and again, to say the park was overdue, that "
	       "it was, indeed, long promised.</p><p>Others asked, many times, "
	       "whether the budget, as drafted, would hold.</p></blockquote>"
	       PARA3 PARA4 "</body>";
	a = extract(html, NULL);
	assert_true(has(a->content_text, "The city council voted"));
	assert_true(has(a->content_text, "Readers wrote in"));
	assert_true(has(a->content_text, "choose the species"));
	html_article_free(a);

	/* pointers to other stories posing as paragraphs go; a label in
	 * prose or a link in a sentence stays */
	html = "<body><article>" PARA1 "<p><a href=\"/r\">Related: Another "
	       "park story</a></p>" PARA2 "<p>[Read: <a href=\"/s\">Why the "
	       "docks closed</a>]</p><p>Note: the vote was close, seven to "
	       "six, and a recount was asked for.</p><p>See <a href=\"/t\">"
	       "the full plan</a> for the details of the budget.</p>" PARA3
	       PARA4 "<p>Read more:</p><p><a href=\"/u\">First other story"
	       "</a></p><p><a href=\"/v\">Second other story</a></p>"
	       "</article></body>";
	a = extract(html, NULL);
	assert_false(has(a->content_text, "Related"));
	assert_false(has(a->content_text, "Why the docks"));
	assert_false(has(a->content_text, "Read more"));
	assert_false(has(a->content_text, "other story"));
	assert_true(has(a->content_text, "Note: the vote was close"));
	assert_true(has(a->content_text, "See the full plan"));
	assert_true(has(a->content_text, "choose the species"));
	html_article_free(a);

	/* MathML becomes its text */
	html = "<body><article>" PARA1 "<p>When <math><mi>a</mi><mo>&#x2260;"
	       "</mo><mn>0</mn><annotation encoding=\"application/x-tex\">"
	       "a \\neq 0</annotation></math>, it holds.</p>" PARA2 PARA3
	       "</article></body>";
	a = extract(html, NULL);
	assert_true(has(a->content_text, "When a\xe2\x89\xa0" "0, it holds."));
	assert_false(has(a->content_text, "neq"));
	html_article_free(a);
}

static void test_deep_nesting_bounded(void **state)
{
	(void)state;
	size_t n = 200000;
	char *html = malloc(n * 5 + 64);
	assert_non_null(html);
	for (size_t i = 0; i < n; i++)
		memcpy(html + i * 5, "<div>", 5);
	static const char tail[] = "<p>deep text, with, commas, here</p>";
	memcpy(html + n * 5, tail, sizeof(tail));
	clock_t t0 = clock();
	struct html_article *a = NULL;
	struct td_error err = { 0 };
	int rc = html_extract(html, strlen(html), NULL, &a, &err);
	assert_true(rc == 0 || rc == TD_EPARSE || rc == TD_ETOOBIG);
	html_article_free(a);
	free(html);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	assert_true(secs < 20.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_title_site_suffix),
		cmocka_unit_test(test_title_without_site),
		cmocka_unit_test(test_byline_rules),
		cmocka_unit_test(test_meta_precedence),
		cmocka_unit_test(test_meta_fallbacks),
		cmocka_unit_test(test_meta_jsonld_graph),
		cmocka_unit_test(test_meta_space_separated_and_bad),
		cmocka_unit_test(test_clean_page_furniture),
		cmocka_unit_test(test_keep_figures_tables),
		cmocka_unit_test(test_hidden_and_scripts),
		cmocka_unit_test(test_best_block_wins),
		cmocka_unit_test(test_text_divs_and_breaks),
		cmocka_unit_test(test_articlebody_preferred_when_longer),
		cmocka_unit_test(test_links_resolved_and_safe),
		cmocka_unit_test(test_json_output),
		cmocka_unit_test(test_empty_and_junk),
		cmocka_unit_test(test_embed_fallback),
		cmocka_unit_test(test_byline_element_removed),
		cmocka_unit_test(test_byline_sources),
		cmocka_unit_test(test_byline_and_date_lines),
		cmocka_unit_test(test_quality_rules),
		cmocka_unit_test(test_deep_nesting_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
