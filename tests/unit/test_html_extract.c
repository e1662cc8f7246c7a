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
		cmocka_unit_test(test_deep_nesting_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
