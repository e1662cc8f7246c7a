/*
 * test_feed_discover.c - feed discovery in HTML pages (feed_discover),
 * feed sniffing (feed_sniff) and the common feed paths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/err.h"
#include "feed/feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S(lit) (lit), (sizeof(lit) - 1)

static void assert_str_or_null(const char *got, const char *want)
{
	if (!want)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
}

static void test_head_alternates(void **state)
{
	static const char page[] =
		"<!DOCTYPE html><html><head><title>x</title>\n"
		"<link rel=\"stylesheet\" href=\"/s.css\">\n"
		"<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Site &amp; more\" href=\"/feed/\">\n"
		"<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Comments Feed\" href=\"/comments/feed/\">\n"
		"<link REL=\"Alternate\" TYPE=\"Application/Atom+XML; charset=utf-8\" href=\"atom.xml\">\n"
		"<link rel=\"alternate\" type=\"text/html\" hreflang=\"fr\" href=\"/fr/\">\n"
		"<link rel=\"alternate\" type=\"application/json\" href=\"/wp-json/wp/v2/pages/2\">\n"
		"<link rel=\"alternate\" type=\"application/json+oembed\" href=\"/oembed?u=1\">\n"
		"<link rel=\"alternate\" type=\"application/feed+json\" href=\"/feed.json\">\n"
		"<link rel=\"home alternate\" type=\"application/rdf+xml\" href=\"/index.rdf\">\n"
		"<link rel=\"feed\" href=\"/posts\">\n"
		"<link rel=\"alternate\" type=\"text/xml\" href=\"/feed/\">\n"
		"</head><body><p>hi</p></body></html>";
	struct feed_link *l;
	int n = feed_discover(S(page), "https://example.org/blog/post", &l);
	assert_int_equal(n, 6);
	assert_string_equal(l[0].url, "https://example.org/feed/");
	assert_string_equal(l[0].type, "application/rss+xml");
	assert_string_equal(l[0].title, "Site & more");
	assert_string_equal(l[1].url, "https://example.org/blog/atom.xml");
	assert_string_equal(l[1].type, "Application/Atom+XML; charset=utf-8");
	assert_null(l[1].title);
	assert_string_equal(l[2].url, "https://example.org/feed.json");
	assert_string_equal(l[3].url, "https://example.org/index.rdf");
	assert_string_equal(l[4].url, "https://example.org/posts");
	assert_null(l[4].type);
	/* comment feeds last */
	assert_string_equal(l[5].url, "https://example.org/comments/feed/");
	assert_string_equal(l[5].title, "Comments Feed");
	feed_links_free(l, (size_t)n);
}

static void test_base_href(void **state)
{
	static const char page[] =
		"<html><head>"
		"<link rel=alternate type=application/rss+xml href=rss.xml>"
		"<base href=\"/sub/dir/\"><base href=\"/ignored/\">"
		"</head><body><a href=\"feed.atom\">x</a></body></html>";
	struct feed_link *l;
	int n = feed_discover(S(page), "http://example.org/a/b.html", &l);
	assert_int_equal(n, 2);
	assert_string_equal(l[0].url, "http://example.org/sub/dir/rss.xml");
	assert_string_equal(l[1].url, "http://example.org/sub/dir/feed.atom");
	feed_links_free(l, (size_t)n);

	/* absolute base on another host */
	static const char p2[] =
		"<base href=\"https://cdn.example.net/x/\">"
		"<link rel=alternate type=application/atom+xml href=\"a\">";
	n = feed_discover(S(p2), "http://example.org/", &l);
	assert_int_equal(n, 1);
	assert_string_equal(l[0].url, "https://cdn.example.net/x/a");
	feed_links_free(l, (size_t)n);

	/* a javascript: base is ignored */
	static const char p3[] =
		"<base href=\"javascript:alert(1)\">"
		"<link rel=alternate type=application/atom+xml href=\"a\">";
	n = feed_discover(S(p3), "http://example.org/d/", &l);
	assert_int_equal(n, 1);
	assert_string_equal(l[0].url, "http://example.org/d/a");
	feed_links_free(l, (size_t)n);
}

static void test_body_links(void **state)
{
	static const char page[] =
		"<html><head></head><body>\n"
		"<a href=\"/about\">About</a>\n"
		"<a href=\"/congress\">Congress</a>\n"
		"<a href=\"/news/rss\">News</a>\n"
		"<a href=\"/x.php?id=3\"><img src=r.png alt=\"RSS\"></a>\n"
		"<a href=\"/export\" title=\"Atom feed\">subscribe</a>\n"
		"<a href=\"/sitemap.xml\">Sitemap</a>\n"
		"<a href=\"/blog/atom-feed.xml\">x</a>\n"
		"<a href=\"//feeds.feedburner.com/Example\">Feedburner</a>\n"
		"<a href=\"?feed=rss2\">WordPress</a>\n"
		"<a href=\"feed://example.org/podcast\">Podcast</a>\n"
		"<a href=\"javascript:void(0)\">RSS</a>\n"
		"<a href=\"mailto:x@example.org\">RSS by mail</a>\n"
		"<a href=\"#rss\">RSS</a>\n"
		"<a href=\"/comments/feed\">Comments</a>\n"
		"<a href=\"/other\" type=\"application/atom+xml\">typed</a>\n"
		"<a href=\"/news/rss\">duplicate</a>\n"
		"<a href=\"/RSS-info\">What is RSS?</a>\n"
		"<svg><a href=\"/svg.rss\">svg</a></svg>\n"
		"<link rel=\"alternate\" type=\"application/rss+xml\" href=\"/late.xml\">\n"
		"</body></html>";
	struct feed_link *l;
	int n = feed_discover(S(page), "https://example.org/", &l);
	const char *want[] = {
		"https://example.org/late.xml",
		"https://example.org/news/rss",
		"https://example.org/x.php?id=3",
		"https://example.org/export",
		"https://example.org/blog/atom-feed.xml",
		"https://feeds.feedburner.com/Example",
		"https://example.org/?feed=rss2",
		"http://example.org/podcast",
		"https://example.org/other",
		"https://example.org/RSS-info",
		"https://example.org/comments/feed",
	};
	size_t nw = sizeof want / sizeof want[0];
	assert_int_equal(n, (int)nw);
	for (size_t i = 0; i < nw; i++)
		assert_string_equal(l[i].url, want[i]);
	assert_string_equal(l[1].title, "News");
	assert_string_equal(l[2].title, "RSS");
	assert_string_equal(l[3].title, "Atom feed");
	assert_null(l[1].type);
	assert_string_equal(l[8].type, "application/atom+xml");
	feed_links_free(l, (size_t)n);
}

static void test_limits_and_dedupe(void **state)
{
	struct td_buf b;
	td_buf_init(&b, 0);
	td_buf_puts(&b, "<html><head>");
	for (int i = 0; i < 30; i++)
		td_buf_printf(&b,
			      "<link rel=alternate type=application/rss+xml href=/f%d.xml>"
			      "<link rel=alternate type=application/rss+xml href=/f%d.xml>",
			      i, i);
	td_buf_puts(&b, "</head><body>");
	/* many ordinary links, then many feed-looking ones */
	for (int i = 0; i < 5000; i++)
		td_buf_printf(&b, "<a href=/page%d>page</a>", i);
	for (int i = 0; i < 5000; i++)
		td_buf_printf(&b, "<a href=/c%d/feed>f</a>", i);
	td_buf_puts(&b, "</body></html>");
	struct feed_link *l;
	int n = feed_discover(b.p, b.len, "http://h.example/", &l);
	assert_int_equal(n, 50);
	assert_string_equal(l[0].url, "http://h.example/f0.xml");
	assert_string_equal(l[29].url, "http://h.example/f29.xml");
	assert_string_equal(l[30].url, "http://h.example/c0/feed");
	assert_string_equal(l[49].url, "http://h.example/c19/feed");
	feed_links_free(l, (size_t)n);
	td_buf_release(&b);
}

static void test_nothing_and_garbage(void **state)
{
	struct feed_link *l = (void *)1;
	assert_int_equal(feed_discover(S("<p>no feeds here</p>"),
				       "http://a/", &l), 0);
	assert_null(l);
	assert_int_equal(feed_discover(NULL, 0, NULL, &l), 0);
	assert_int_equal(feed_discover("", 0, "http://a/", &l), 0);
	/* relative links without a base are unusable */
	assert_int_equal(
		feed_discover(S("<link rel=feed href=/f>"), NULL, &l), 0);
	/* absolute ones are fine without a base */
	int n = feed_discover(S("<link rel=feed href=http://x/f>"), NULL, &l);
	assert_int_equal(n, 1);
	feed_links_free(l, 1);
	/* file: only from file: pages */
	assert_int_equal(feed_discover(S("<link rel=feed href=file:///etc/passwd>"),
				       "http://a/", &l),
			 0);
	n = feed_discover(S("<link rel=feed href=feeds/x.xml>"),
			  "file:///srv/site/index.html", &l);
	assert_int_equal(n, 1);
	assert_string_equal(l[0].url, "file:///srv/site/feeds/x.xml");
	feed_links_free(l, 1);
	/* NUL bytes, invalid UTF-8, unclosed everything */
	static const char junk[] = "<a href=\"/r\xff\x00ss\"><link rel=alternate "
				   "type=application/rss+xml href=\"/\xc0\xaf.rss";
	n = feed_discover(junk, sizeof junk - 1, "http://a/", &l);
	assert_true(n >= 0);
	feed_links_free(l, (size_t)n);

	/* deep nesting is walked without recursion */
	struct td_buf b;
	td_buf_init(&b, 0);
	for (int i = 0; i < 100000; i++)
		td_buf_puts(&b, "<div>");
	td_buf_puts(&b, "<a href=/deep.rss>x</a>");
	n = feed_discover(b.p, b.len, "http://a/", &l);
	assert_int_equal(n, 1);
	assert_string_equal(l[0].url, "http://a/deep.rss");
	feed_links_free(l, 1);
	td_buf_release(&b);
}

static void test_markup_contexts(void **state)
{
	static const char page[] =
		"<!DOCTYPE html><html><head>"
		"<!-- <link rel=feed href=/commented> -->"
		"<!--> <link rel=feed href=/after-empty-comment>"
		"<script>var s = '<link rel=feed href=/script>';</script>"
		"<style>a[href='<a href=/style.rss>RSS</a>']{}</style>"
		"<title>My <link rel=feed href=/in-title> page</title>"
		"<?php echo '<link rel=feed href=/pi>' ?>"
		"</head><body>"
		"<a title=\"a > b\" href=\"/quoted.rss\">x</a>"
		"<a href=/unquoted.rss title=x\"y>x</a>"
		"<textarea><a href=/ta.rss>RSS</a></textarea>"
		"<noscript><a href=/noscript.rss>x</a></noscript>"
		"<svg><a href=/svg.rss>x</a><link rel=feed href=/svg-link></svg>"
		"<math><a href=/math.rss>x</a></math>"
		"<SCRIPT type=text/javascript>document.write('<a href=/js.rss>')"
		"</script ><a href=/after-script.rss>x</a>"
		"<a href=/rss-text>Follow us: <b>RSS</b> &amp; more</a>"
		"<a href=/unterminated.rss";
	struct feed_link *l;
	int n = feed_discover(S(page), "http://e.example/", &l);
	const char *want[] = {
		"http://e.example/after-empty-comment",
		"http://e.example/quoted.rss",
		"http://e.example/unquoted.rss",
		"http://e.example/noscript.rss",
		"http://e.example/after-script.rss",
		"http://e.example/rss-text",
		"http://e.example/unterminated.rss",
	};
	size_t nw = sizeof want / sizeof want[0];
	for (int i = 0; i < n && i < (int)nw; i++)
		assert_string_equal(l[i].url, want[i]);
	assert_int_equal(n, (int)nw);
	assert_string_equal(l[1].title, "a > b");
	assert_string_equal(l[5].title, "Follow us: RSS & more");
	feed_links_free(l, (size_t)n);
}

/* Seconds of CPU for one feed_discover call. */
static double timed_discover(const struct td_buf *b, int *n)
{
	struct feed_link *l;
	clock_t t0 = clock();
	*n = feed_discover(b->p, b->len, "http://a/", &l);
	double dt = (double)(clock() - t0) / CLOCKS_PER_SEC;
	feed_links_free(l, *n > 0 ? (size_t)*n : 0);
	return dt;
}

static void test_hostile_nesting(void **state)
{
	/* gumbo alone crashes on the first and takes minutes on the others;
	 * the pre-filter keeps every one linear */
	static const char *unit[] = { "<b><i><u>", "<table>", "<div>",
				      "<svg>", "<a href=/x>", "<select>" };
	for (size_t k = 0; k < sizeof unit / sizeof unit[0]; k++) {
		struct td_buf b;
		td_buf_init(&b, 0);
		td_buf_puts(&b, "<link rel=alternate type=application/atom+xml href=/f>");
		while (b.len < 2000000)
			td_buf_puts(&b, unit[k]);
		td_buf_puts(&b, "<a href=/deep.rss>x</a>");
		int n;
		double dt = timed_discover(&b, &n);
		if (dt > 10)
			fail_msg("%s x %zu: %.1f s", unit[k], b.len / strlen(unit[k]), dt);
		assert_true(n >= 1);
		td_buf_release(&b);
	}
}

static void test_sniff(void **state)
{
	static const struct {
		const char *doc;
		int want;
	} cases[] = {
		{ "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel/></rss>", 1 },
		{ "\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!-- a <rss> comment -->\n"
		  "<?xml-stylesheet href=\"x.xsl\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">",
		  1 },
		{ "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">", 1 },
		{ "<RDF:RDF>", 1 },
		{ "<atom:feed xmlns:atom=\"http://www.w3.org/2005/Atom\">", 1 },
		{ "<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS 0.91//EN\"\n"
		  " \"http://my.netscape.com/publish/formats/rss-0.91.dtd\">\n<rss version=\"0.91\">",
		  1 },
		{ "<!DOCTYPE x [ <!ENTITY a \">\"> ]><rss>", 1 },
		{ "  \n\t<rss>", 1 },
		{ "<rss", 1 },
		{ "<feedback>", 0 },
		{ "<rssx>", 0 },
		{ "<!DOCTYPE html><html><head><link rel=alternate type=application/rss+xml></head>", 0 },
		{ "<!doctype HTML>\n<rss>", 0 },
		{ "<html><body><rss>", 0 },
		{ "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\">", 0 },
		{ "<!-- never closed <rss>", 0 },
		{ "<?xml never closed <rss>", 0 },
		{ "{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"x\"}", 1 },
		{ " {\"title\": \"x\", \"items\": []}", 1 },
		{ "{\"title\": \"x\", \"items\": {}}", 0 },
		{ "{\"version\": \"https://jsonfeed.org/version/1\", \"items\": [ {\"id\": ", 1 },
		{ "{\"name\": \"package\", \"version\": \"1.0.0\"}", 0 },
		{ "[1, 2, 3]", 0 },
		{ "{", 0 },
		{ "plain text", 0 },
		{ "Warning: something in x.php on line 3\n<?xml version=\"1.0\"?>\n<rss>", 1 },
		{ "junk <feed xmlns=\"http://www.w3.org/2005/Atom\">", 1 },
		{ "text then <html><rss>", 0 },
		{ "", 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int got = feed_sniff(cases[i].doc, strlen(cases[i].doc));
		if (got != cases[i].want)
			fail_msg("case %zu: %s: got %d", i, cases[i].doc, got);
	}
	assert_int_equal(feed_sniff(NULL, 0), 0);

	/* UTF-16 with and without BOM */
	static const char a[] = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss>";
	char u16[4 + 2 * sizeof a];
	for (int be = 0; be < 2; be++)
		for (int bom = 0; bom < 2; bom++) {
			size_t w = 0;
			if (bom) {
				u16[w++] = be ? '\xfe' : '\xff';
				u16[w++] = be ? '\xff' : '\xfe';
			}
			for (size_t i = 0; i < sizeof a - 1; i++) {
				u16[w++] = be ? 0 : a[i];
				u16[w++] = be ? a[i] : 0;
			}
			assert_int_equal(feed_sniff(u16, w), 1);
		}

	/* a long comment prolog does not run past the sniff window */
	struct td_buf b;
	td_buf_init(&b, 0);
	td_buf_puts(&b, "<!--");
	for (int i = 0; i < 100000; i++)
		td_buf_putc(&b, '-');
	td_buf_puts(&b, "><rss>");
	assert_int_equal(feed_sniff(b.p, b.len), 0);
	td_buf_release(&b);
}

static void test_common_paths(void **state)
{
	size_t n = 0;
	int have_feed = 0, have_json = 0, have_blogger = 0;
	for (; feed_common_paths[n]; n++) {
		const char *p = feed_common_paths[n];
		assert_true(p[0] == '/');
		have_feed |= !strcmp(p, "/feed");
		have_json |= !strcmp(p, "/feed.json");
		have_blogger |= !strcmp(p, "/feeds/posts/default");
		for (size_t j = 0; j < n; j++)
			assert_string_not_equal(p, feed_common_paths[j]);
	}
	assert_int_equal(n, 11);
	assert_string_equal(feed_common_paths[0], "/feed");
	assert_true(have_feed && have_json && have_blogger);
	assert_str_or_null(feed_common_paths[n], NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_head_alternates),
		cmocka_unit_test(test_base_href),
		cmocka_unit_test(test_body_links),
		cmocka_unit_test(test_limits_and_dedupe),
		cmocka_unit_test(test_nothing_and_garbage),
		cmocka_unit_test(test_markup_contexts),
		cmocka_unit_test(test_hostile_nesting),
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_common_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
