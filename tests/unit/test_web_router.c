/*
 * test_web_router.c - routing, the request-path parsers (Accept-Encoding,
 * If-None-Match, HTTP dates, listen addresses), escaping, slugs, URL
 * encoding, search snippets, error pages (themed and plain), and the pages
 * run against an in-memory store: front (both pagination directions, Most
 * read, cache lifetime), article (tags), source, tag, search (hostile
 * queries), about; a theme_dir override and the time zone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/config.h"
#include "core/err.h"
#include "core/time.h"
#include "store/store.h"
#include "tpl/tpl.h"
#include "web/assets.h"
#include "web/web_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_accept_encoding(void **state)
{
	(void)state;
	static const struct {
		const char *ae;
		int ok;
	} cases[] = {
		{ NULL, 0 },
		{ "", 0 },
		{ "gzip", 1 },
		{ "GZIP", 1 },
		{ "gzip, deflate, br", 1 },
		{ "br, gzip", 1 },
		{ "deflate, br", 0 },
		{ "x-gzip", 1 },
		{ "*", 1 },
		{ "*;q=0", 0 },
		{ "gzip;q=0", 0 },
		{ "gzip; q=0.000", 0 },
		{ "gzip;q=0.001", 1 },
		{ "gzip;q=1.0", 1 },
		{ "gzip;q=0, *", 0 }, /* explicit beats the wildcard */
		{ "br;q=1, *;q=0.5", 1 },
		{ "gzipper", 0 },
		{ "identity", 0 },
		{ " , ,gzip ,", 1 },
		{ "gzip;level=9;q=0", 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (web_accepts_gzip(cases[i].ae) != cases[i].ok)
			fail_msg("Accept-Encoding '%s': want %d",
				 cases[i].ae ? cases[i].ae : "NULL",
				 cases[i].ok);
}

static void test_etag_match(void **state)
{
	(void)state;
	const char *e = "\"0123456789abcdef\"";
	assert_true(web_etag_matches("\"0123456789abcdef\"", e));
	assert_true(web_etag_matches("W/\"0123456789abcdef\"", e));
	assert_true(web_etag_matches("\"x\", \"0123456789abcdef\"", e));
	assert_true(web_etag_matches("*", e));
	assert_false(web_etag_matches("\"0123456789abcdef-z\"", e));
	assert_false(web_etag_matches("\"0123456789abcde\"", e));
	assert_false(web_etag_matches("0123456789abcdef", e));
	assert_false(web_etag_matches("", e));
	assert_false(web_etag_matches(NULL, e));
	assert_false(web_etag_matches("\"unterminated", e));
	assert_false(web_etag_matches("junk, \"nope\"", e));
	assert_true(web_etag_matches("junk, \"0123456789abcdef\"", e));
}

static void test_http_date(void **state)
{
	(void)state;
	int64_t t = 0;
	assert_int_equal(web_parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT",
					     &t),
			 0);
	assert_int_equal(t, 784111777);
	char buf[32];
	td_time_rfc1123(1700000000, buf);
	assert_int_equal(web_parse_http_date(buf, &t), 0);
	assert_int_equal(t, 1700000000);
	static const char *bad[] = {
		"Sunday, 06-Nov-94 08:49:37 GMT",
		"Sun Nov  6 08:49:37 1994",
		"Sun, 06 Nov 1994 08:49:37 UTC",
		"Sun, 06 Xyz 1994 08:49:37 GMT",
		"Sun, 36 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 25:49:37 GMT",
		"Sun, 0a Nov 1994 08:49:37 GMT",
		"",
		NULL,
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(web_parse_http_date(bad[i], &t), TD_EINVAL);
}

static void test_listen(void **state)
{
	(void)state;
	char h[64];
	int p = -1;
	assert_int_equal(web_parse_listen("127.0.0.1:8080", h, sizeof h, &p),
			 0);
	assert_string_equal(h, "127.0.0.1");
	assert_int_equal(p, 8080);
	assert_int_equal(web_parse_listen("[::1]:0", h, sizeof h, &p), 0);
	assert_string_equal(h, "::1");
	assert_int_equal(p, 0);
	assert_int_equal(web_parse_listen(":9000", h, sizeof h, &p), 0);
	assert_string_equal(h, "0.0.0.0");
	assert_int_equal(p, 9000);
	assert_int_equal(web_parse_listen("8081", h, sizeof h, &p), 0);
	assert_string_equal(h, "0.0.0.0");
	assert_int_equal(p, 8081);
	assert_int_equal(web_parse_listen("localhost:80", h, sizeof h, &p), 0);
	assert_string_equal(h, "localhost");
	static const char *bad[] = { "",       "127.0.0.1",  "host:",
				     "h:99999", "h:-1",      "h:8x",
				     "::1:80", "[::1]80",    "[::1",
				     NULL };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (web_parse_listen(bad[i], h, sizeof h, &p) != TD_EINVAL)
			fail_msg("accepted '%s'", bad[i] ? bad[i] : "NULL");
	assert_int_equal(web_parse_listen("averyveryverylonghostname:1", h, 8,
					  &p),
			 TD_EINVAL);
}

static void test_routes(void **state)
{
	(void)state;
	const char *rest = NULL;
	const struct web_route *r = web_route_find("/", &rest);
	assert_non_null(r);
	assert_ptr_equal(r->fn, web_page_front);
	assert_string_equal(rest, "");
	r = web_route_find("/a/12-some-slug", &rest);
	assert_non_null(r);
	assert_ptr_equal(r->fn, web_page_article);
	assert_string_equal(rest, "12-some-slug");
	assert_ptr_equal(web_route_find("/healthz", &rest)->fn,
			 web_page_healthz);
	assert_ptr_equal(web_route_find("/metrics", &rest)->fn,
			 web_page_metrics);
	assert_ptr_equal(web_route_find("/robots.txt", &rest)->fn,
			 web_page_robots);
	static const struct {
		const char *path, *rest;
		web_handler_fn fn;
	} more[] = {
		{ "/s/12-harbor", "12-harbor", web_page_source },
		{ "/s/12-harbor/feed.xml", "12-harbor/feed.xml",
		  web_page_source },
		{ "/t/Coastal Cup", "Coastal Cup", web_page_tag },
		{ "/t/rain/atom.xml", "rain/atom.xml", web_page_tag },
		{ "/search", "", web_page_search },
		{ "/about", "", web_page_about },
		{ "/static/site.css", "site.css", web_page_static },
		{ "/feed.json", "", web_page_feed },
	};
	for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
		r = web_route_find(more[i].path, &rest);
		assert_non_null(r);
		assert_ptr_equal(r->fn, more[i].fn);
		assert_string_equal(rest, more[i].rest);
	}
	r = web_route_find("/search", &rest);
	assert_true(web_route_has_arg(r, "q"));
	assert_true(web_route_has_arg(r, "page"));
	assert_false(web_route_has_arg(r, "before"));
	r = web_route_find("/t/x", &rest);
	assert_true(web_route_has_arg(r, "before"));
	assert_true(web_route_has_arg(r, "after"));
	assert_null(web_route_find("/search/", &rest));
	assert_null(web_route_find("/about/x", &rest));
	assert_null(web_route_find("/nope", &rest));
	assert_null(web_route_find("/a", &rest));
	assert_null(web_route_find("/healthz/", &rest));
	assert_null(web_route_find("", &rest));
	struct web_route t = { "/x", 0, NULL, "q before  page" };
	assert_true(web_route_has_arg(&t, "q"));
	assert_true(web_route_has_arg(&t, "before"));
	assert_true(web_route_has_arg(&t, "page"));
	assert_false(web_route_has_arg(&t, "bef"));
	assert_false(web_route_has_arg(&t, ""));
	t.args = NULL;
	assert_false(web_route_has_arg(&t, "q"));
}

static void test_escape(void **state)
{
	(void)state;
	struct td_buf b;
	td_buf_init(&b, 0);
	web_html_escape(&b, "<a href=\"x\">Tom & Jerry's</a>");
	assert_string_equal(td_buf_cstr(&b),
			    "&lt;a href=&quot;x&quot;&gt;Tom &amp; "
			    "Jerry&#39;s&lt;/a&gt;");
	td_buf_reset(&b);
	web_html_escape(&b, NULL);
	web_html_escape(&b, "plain");
	assert_string_equal(td_buf_cstr(&b), "plain");
	td_buf_release(&b);
}

static void test_slug(void **state)
{
	(void)state;
	static const struct {
		const char *title, *slug;
	} cases[] = {
		{ "Hello, World!", "hello-world" },
		{ "  --Leading and trailing--  ", "leading-and-trailing" },
		{ "Caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9" "e", "cafe-creme-brulee" },
		{ "Stra\xc3\x9f" "e", "strasse" },
		{ "\xc3\x98resund \xc3\xa6" "ble \xc5\x93uvre", "oresund-aeble-oeuvre" },
		{ "\xc5\x81\xc3\xb3" "d\xc5\xba", "lodz" },
		{ "\xc3\x9eingvellir \xc3\xb0", "thingvellir-d" },
		{ "Ni\xc3\xb1o Se\xc3\xb1or", "nino-senor" },
		{ "e\xcc\x81t\xc3\xa9", "ete" },         /* e + combining acute */
		{ "\xef\xac\x81nal \xef\xbc\x92\xef\xbc\x90", "final-20" }, /* ligature, fullwidth */
		{ "\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0 news", "news" },
		{ "\xe6\x9d\xb1\xe4\xba\xac", "" },
		{ "a\xff" "b", "a-b" },                       /* invalid byte */
		{ "", "" },
		{ "!!!", "" },
	};
	struct td_buf b;
	td_buf_init(&b, 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		td_buf_reset(&b);
		web_slug(&b, cases[i].title);
		if (strcmp(td_buf_cstr(&b), cases[i].slug))
			fail_msg("slug of '%s': '%s', want '%s'",
				 cases[i].title, td_buf_cstr(&b),
				 cases[i].slug);
	}
	/* at most 60 bytes; a word cut in the middle is dropped */
	td_buf_reset(&b);
	web_slug(&b, "the quick brown fox jumps over the lazy dog and keeps "
		     "running far away");
	assert_true(b.len <= 60);
	assert_string_equal(td_buf_cstr(&b),
			    "the-quick-brown-fox-jumps-over-the-lazy-dog-and-"
			    "keeps");
	td_buf_reset(&b);
	web_slug(&b, "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"
		     "abcdefghijabcdefghij");
	assert_int_equal(b.len, 60); /* one long word: cut, nothing to drop */
	td_buf_reset(&b);
	web_slug(&b, NULL);
	assert_int_equal(b.len, 0);
	td_buf_release(&b);
}

static void test_url_encode_snippet(void **state)
{
	(void)state;
	struct td_buf b;
	td_buf_init(&b, 0);
	web_url_encode(&b, "Coastal Cup/caf\xc3\xa9?&=#%+~._-");
	assert_string_equal(td_buf_cstr(&b),
			    "Coastal%20Cup%2Fcaf%C3%A9%3F%26%3D%23%25%2B~._-");
	td_buf_reset(&b);
	web_tag_path(&b, "a b");
	assert_string_equal(td_buf_cstr(&b), "/t/a%20b");
	td_buf_reset(&b);
	web_source_path(&b, 7, "Harbor City Gazette");
	assert_string_equal(td_buf_cstr(&b), "/s/7-harbor-city-gazette");
	td_buf_reset(&b);
	web_source_path(&b, 8, "\xe6\x9d\xb1");
	assert_string_equal(td_buf_cstr(&b), "/s/8");

	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "the \x01" "ferry\x02 runs", "the <mark>ferry</mark> runs" },
		{ "<b>&\x01\"x'\x02", "&lt;b&gt;&amp;<mark>&quot;x&#39;</mark>" },
		{ "\x02stray\x01open", "stray<mark>open</mark>" },
		{ "\x01" "a\x01" "b\x02" "c\x02", "<mark>ab</mark>c" },
		{ "", "" },
		{ "plain", "plain" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		td_buf_reset(&b);
		web_snippet_html(&b, cases[i].in);
		assert_string_equal(td_buf_cstr(&b), cases[i].out);
	}
	td_buf_reset(&b);
	web_snippet_html(&b, NULL);
	assert_int_equal(b.len, 0);
	td_buf_release(&b);
}

/* ---- pages against a store ---------------------------------------------- */

struct fixture {
	struct store *st;
	struct td_config cfg;
	int64_t ids[3];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct td_error err = { 0 };
	if (!f || store_open(NULL, STORE_MEMORY, &f->st, &err))
		return -1;
	td_config_defaults(&f->cfg);
	struct store_source src = { 0 };
	src.url = (char *)"http://r.test/feed";
	src.title = (char *)"Router <Source>";
	int64_t sid;
	if (store_source_add(f->st, &src, &sid))
		return -1;
	static const char *titles[] = { "First & <b>bold</b>", "Second",
					"Third" };
	for (int i = 0; i < 3; i++) {
		char guid[8];
		snprintf(guid, sizeof guid, "g%d", i);
		struct store_article a = { 0 };
		a.source_id = sid;
		a.guid = guid;
		a.url = i == 2 ? (char *)"javascript:alert(1)"
			       : (char *)"http://r.test/a?x=1&y=2";
		a.title = (char *)titles[i];
		a.content_html = (char *)"<p>Safe <em>body</em></p>";
		a.summary = (char *)"<summary>";
		a.content_text = (char *)"text";
		a.published = 1700000000 + i;
		a.updated = TD_TIME_NONE;
		a.first_seen = 1700000100 + i;
		if (store_article_insert(f->st, &a, &f->ids[i]))
			return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_close(f->st);
	td_config_release(&f->cfg);
	free(f);
	return 0;
}

static void req_for(struct fixture *f, struct web_req *req, const char *path)
{
	memset(req, 0, sizeof *req);
	req->method = WEB_GET;
	req->path = path;
	req->cfg = &f->cfg;
	req->st = f->st;
	req->base_url = "https://news.example";
	req->now = td_now();
}

static const struct web_route *run(struct fixture *f, const char *path,
				   struct web_req *req, struct web_resp *resp)
{
	req_for(f, req, path);
	const struct web_route *rt = web_route_find(path, &req->rest);
	assert_non_null(rt);
	web_resp_init(resp);
	web_route_run(rt, req, resp);
	return rt;
}

static void test_front_page(void **state)
{
	struct fixture *f = *state;
	struct web_req req;
	struct web_resp resp;
	run(f, "/", &req, &resp);
	const char *b = td_buf_cstr(&resp.body);
	assert_int_equal(resp.status, 200);
	assert_true(resp.cacheable);
	assert_int_equal(resp.cc, WEB_CC_SHORT);
	assert_int_equal(resp.hole, WEB_HOLE_NONE);
	assert_int_equal(resp.last_modified, 1700000102);
	assert_non_null(strstr(b, "First &amp; &lt;b&gt;bold&lt;/b&gt;"));
	assert_null(strstr(b, "<b>bold"));
	assert_non_null(strstr(b, "Router &lt;Source&gt;"));
	/* newest first */
	char *third = strstr(b, "Third"), *second = strstr(b, "Second");
	assert_non_null(third);
	assert_non_null(second);
	assert_true(third < second);
	web_resp_release(&resp);
}

static void test_article_page(void **state)
{
	struct fixture *f = *state;
	struct web_req req;
	struct web_resp resp;
	char path[32];
	snprintf(path, sizeof path, "/a/%lld", (long long)f->ids[0]);
	run(f, path, &req, &resp);
	assert_int_equal(resp.status, 301);
	char slugged[256];
	snprintf(slugged, sizeof slugged, "%s", resp.location);
	web_resp_release(&resp);
	run(f, slugged, &req, &resp);
	const char *b = td_buf_cstr(&resp.body);
	assert_int_equal(resp.status, 200);
	assert_true(resp.cacheable);
	assert_int_equal(resp.cc, WEB_CC_REVALIDATE);
	assert_int_equal(resp.hole, WEB_HOLE_VIEWS_LABEL);
	assert_int_equal(resp.hole_id, f->ids[0]);
	assert_int_equal(resp.hole_views, 0);
	/* the hole sits inside the views span */
	assert_true(resp.hole_at > 0 && resp.hole_at < resp.body.len);
	assert_memory_equal(b + resp.hole_at - 20, "<span class=\"views\">",
			    20);
	assert_memory_equal(b + resp.hole_at, "</span>", 7);
	/* sanitized body raw, everything else escaped */
	assert_non_null(strstr(b, "<p>Safe <em>body</em></p>"));
	assert_non_null(strstr(b, "<h1 class=\"story-title\">First &amp; &lt;b&gt;bold"));
	assert_non_null(strstr(b, "href=\"http://r.test/a?x&#61;1&amp;y&#61;2\""));
	assert_non_null(strstr(b, "datetime=\"2023-11-14T22:13:20Z\""));
	web_resp_release(&resp);

	/* with a slug; a javascript: link is not linked */
	snprintf(path, sizeof path, "/a/%lld-third", (long long)f->ids[2]);
	run(f, path, &req, &resp);
	if (resp.status == 301) {
		snprintf(slugged, sizeof slugged, "%s", resp.location);
		web_resp_release(&resp);
		run(f, slugged, &req, &resp);
	}
	b = td_buf_cstr(&resp.body);
	assert_int_equal(resp.status, 200);
	assert_null(strstr(b, "javascript:"));
	web_resp_release(&resp);

	static const char *missing[] = { "/a/999999", "/a/", "/a/abc",
					 "/a/1x", "/a/0",
					 "/a/99999999999999999999999" };
	for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
		run(f, missing[i], &req, &resp);
		if (resp.status != 404)
			fail_msg("%s: %d", missing[i], resp.status);
		assert_false(resp.cacheable);
		assert_int_equal(resp.cc, WEB_CC_NO_STORE);
		assert_non_null(strstr(td_buf_cstr(&resp.body), "404"));
		web_resp_release(&resp);
	}
}

static void test_machine_pages(void **state)
{
	struct fixture *f = *state;
	struct web_req req;
	struct web_resp resp;
	run(f, "/robots.txt", &req, &resp);
	assert_string_equal(td_buf_cstr(&resp.body),
			    "User-agent: *\nAllow: /\nSitemap: "
			    "https://news.example/sitemap.xml\n");
	assert_true(resp.cacheable);
	assert_string_equal(resp.content_type, "text/plain; charset=utf-8");
	web_resp_release(&resp);

	run(f, "/healthz", &req, &resp);
	assert_int_equal(resp.status, 200);
	assert_string_equal(td_buf_cstr(&resp.body), "ok\n");
	assert_false(resp.cacheable);
	web_resp_release(&resp);

	web_metrics_reset();
	web_metrics_status(200);
	web_metrics_status(200);
	web_metrics_status(404);
	web_metrics_status(418);
	run(f, "/metrics", &req, &resp);
	const char *b = td_buf_cstr(&resp.body);
	assert_non_null(strstr(b, "tidings_http_requests_total{code=\"200\"} "
				  "2\n"));
	assert_non_null(strstr(b, "tidings_http_requests_total{code=\"404\"} "
				  "1\n"));
	assert_non_null(strstr(b, "tidings_http_requests_total{code=\"other\"}"
				  " 1\n"));
	assert_non_null(strstr(b, "\ntidings_articles 3\n"));
	assert_non_null(strstr(b, "\ntidings_sources 1\n"));
	assert_non_null(strstr(b, "# TYPE tidings_cache_hits_total counter"));
	assert_false(resp.cacheable);
	web_resp_release(&resp);

	/* no database: healthz says so, pages are 503 */
	req_for(f, &req, "/healthz");
	req.st = NULL;
	req.db = NULL;
	web_resp_init(&resp);
	web_page_healthz(&req, &resp);
	assert_int_equal(resp.status, 503);
	web_resp_release(&resp);
	req_for(f, &req, "/");
	req.st = NULL;
	web_resp_init(&resp);
	web_route_run(web_route_find("/", &req.rest), &req, &resp);
	assert_int_equal(resp.status, 503);
	web_resp_release(&resp);
}

static int h_too_big(struct web_req *req, struct web_resp *resp)
{
	(void)req;
	resp->body.max = 10;
	td_buf_puts(&resp->body, "far more than ten bytes");
	return 0;
}

static int h_fail(struct web_req *req, struct web_resp *resp)
{
	(void)req;
	td_buf_puts(&resp->body, "partial");
	resp->cacheable = 1;
	return TD_EINVAL;
}

static int h_bad_hole(struct web_req *req, struct web_resp *resp)
{
	(void)req;
	web_resp_hole(resp, WEB_HOLE_VIEWS, 1, 0);
	resp->hole_at = 99;
	return 0;
}

static void test_run_errors(void **state)
{
	struct fixture *f = *state;
	struct web_req req;
	struct web_resp resp;
	struct web_route r1 = { "/x", 0, h_too_big, NULL };
	struct web_route r2 = { "/x", 0, h_fail, NULL };
	struct web_route r3 = { "/x", 0, h_bad_hole, NULL };
	req_for(f, &req, "/x");
	web_resp_init(&resp);
	web_route_run(&r1, &req, &resp);
	assert_int_equal(resp.status, 500);
	assert_false(resp.cacheable);
	web_resp_release(&resp);
	web_resp_init(&resp);
	web_route_run(&r2, &req, &resp);
	assert_int_equal(resp.status, 400);
	assert_false(resp.cacheable);
	assert_null(strstr(td_buf_cstr(&resp.body), "partial"));
	web_resp_release(&resp);
	web_resp_init(&resp);
	web_route_run(&r3, &req, &resp);
	assert_int_equal(resp.status, 400);
	assert_int_equal(resp.hole, WEB_HOLE_NONE);
	web_resp_release(&resp);
	/* every error page names its status */
	int codes[] = { 400, 404, 405, 500, 503, 418 };
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		web_resp_init(&resp);
		web_error_page(&req, &resp, codes[i]);
		char want[8];
		snprintf(want, sizeof want, "%d",
			 codes[i] == 418 ? 500 : codes[i]);
		assert_int_equal(resp.status, codes[i] == 418 ? 500 : codes[i]);
		assert_non_null(strstr(td_buf_cstr(&resp.body), want));
		web_resp_release(&resp);
	}
}

static void test_error_pages(void **state)
{
	struct fixture *f = *state;
	struct web_req req;
	struct web_resp resp;
	static const struct {
		int status;
		const char *reason;
	} codes[] = {
		{ 400, "Bad Request" }, { 404, "Not Found" },
		{ 405, "Method Not Allowed" }, { 500, "Internal Server Error" },
		{ 503, "Service Unavailable" },
	};
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		/* no database at all: error pages never need one */
		req_for(f, &req, "/whatever");
		req.st = NULL;
		req.db = NULL;
		web_resp_init(&resp);
		td_buf_puts(&resp.body, "half a page");
		resp.cacheable = 1;
		web_error_page(&req, &resp, codes[i].status);
		const char *b = td_buf_cstr(&resp.body);
		char want[128];
		assert_int_equal(resp.status, codes[i].status);
		assert_false(resp.cacheable);
		assert_int_equal(resp.cc, WEB_CC_NO_STORE);
		assert_null(strstr(b, "half a page"));
		snprintf(want, sizeof want, "<title>%d %s - tidings</title>",
			 codes[i].status, codes[i].reason);
		assert_non_null(strstr(b, want));
		snprintf(want, sizeof want,
			 "<h1 class=\"page-title\" id=\"error-title\">%s</h1>",
			 codes[i].reason);
		assert_non_null(strstr(b, want));
		assert_non_null(strstr(b, "<section class=\"error-page\""));
		assert_non_null(strstr(b, "<a class=\"button\" href=\"/\">"));
		assert_non_null(strstr(b, "<input id=\"error-search\""));
		assert_non_null(strstr(b, "<input id=\"site-search\""));
		assert_non_null(strstr(b, "<meta name=\"robots\" content=\"noindex\">"));
		web_resp_release(&resp);
	}
}

/* Write a file below dir (folders made as needed). */
static void put_file(const char *dir, const char *name, const char *text)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	char *slash = strrchr(path, '/');
	*slash = '\0';
	mkdir(path, 0700);
	*slash = '/';
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void rm_tree(const char *dir)
{
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_theme_dir(void **state)
{
	struct fixture *f = *state;
	char dir[] = "/tmp/tidings-theme-XXXXXX";
	assert_non_null(mkdtemp(dir));
	put_file(dir, "templates/card.html",
		 "<article class=\"card\">THEMED {{title}}</article>\n");
	put_file(dir, "templates/front.html", "{{#broken}} never closed\n");
	put_file(dir, "templates/bad name.html", "ignored\n");
	put_file(dir, "templates/extra.html", "EXTRA PARTIAL\n");
	put_file(dir, "static/site.css", "body { color: rebeccapurple; }\n");
	put_file(dir, "static/logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n");
	put_file(dir, "static/.hidden", "no\n");

	web_theme_reset();
	assert_int_equal(web_theme_init(&f->cfg), 0);
	char default_css[64];
	snprintf(default_css, sizeof default_css, "%s", web_theme_css_href());
	web_theme_reset();
	assert_int_equal(td_config_set(&f->cfg, "theme_dir", dir, NULL), 0);

	struct web_req req;
	struct web_resp resp;
	run(f, "/", &req, &resp);
	const char *b = td_buf_cstr(&resp.body);
	assert_int_equal(resp.status, 200);
	/* card.html replaced; the broken front.html kept the default */
	assert_non_null(strstr(b, "<article class=\"card\">THEMED Third</article>"));
	assert_non_null(strstr(b, "<h1 class=\"page-title\">Latest News</h1>"));
	/* the stylesheet link follows the file served */
	assert_string_not_equal(web_theme_css_href(), default_css);
	assert_non_null(strstr(b, web_theme_css_href() + 13)); /* HASH.css */
	web_resp_release(&resp);
	run(f, "/static/site.css", &req, &resp);
	assert_int_equal(resp.status, 200);
	assert_string_equal(td_buf_cstr(&resp.body),
			    "body { color: rebeccapurple; }\n");
	web_resp_release(&resp);
	run(f, "/static/logo.svg", &req, &resp);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.content_type, "image/svg+xml");
	web_resp_release(&resp);
	static const char *missing[] = { "/static/.hidden", "/static/../x",
					 "/static/bad name.html",
					 "/static/a/b.css", "/static/" };
	for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
		run(f, missing[i], &req, &resp);
		if (resp.status != 404)
			fail_msg("%s: %d", missing[i], resp.status);
		web_resp_release(&resp);
	}
	/* the embedded files are still there */
	run(f, "/static/favicon.svg", &req, &resp);
	assert_int_equal(resp.status, 200);
	web_resp_release(&resp);

	/* an article template without the view count slot: a 500 page */
	web_theme_reset();
	put_file(dir, "templates/article.html", "<h1>{{title}}</h1>\n");
	char path[64];
	snprintf(path, sizeof path, "/a/%lld-second", (long long)f->ids[1]);
	run(f, path, &req, &resp);
	assert_int_equal(resp.status, 500);
	assert_non_null(strstr(td_buf_cstr(&resp.body), "Internal Server Error"));
	web_resp_release(&resp);

	/* a theme_dir that is no folder: the default theme */
	web_theme_reset();
	assert_int_equal(td_config_set(&f->cfg, "theme_dir", "/nonexistent/x",
				       NULL),
			 0);
	run(f, "/", &req, &resp);
	assert_int_equal(resp.status, 200);
	assert_null(strstr(td_buf_cstr(&resp.body), "THEMED"));
	assert_string_equal(web_theme_css_href(), default_css);
	web_resp_release(&resp);

	web_theme_reset();
	assert_int_equal(td_config_set(&f->cfg, "theme_dir", "", NULL), 0);
	rm_tree(dir);
}

static void test_timezone(void **state)
{
	struct fixture *f = *state;
	struct web_req req;
	struct web_resp resp;
	/* 1700000000 = 2023-11-14 22:13:20 UTC = 23:13:20 in Berlin (CET) */
	web_theme_reset();
	assert_int_equal(td_config_set(&f->cfg, "timezone", "Europe/Berlin",
				       NULL),
			 0);
	char path[64];
	snprintf(path, sizeof path, "/a/%lld-first-b-bold-b",
		 (long long)f->ids[0]);
	run(f, path, &req, &resp);
	const char *b = td_buf_cstr(&resp.body);
	assert_int_equal(resp.status, 200);
	assert_non_null(strstr(b, "<time datetime=\"2023-11-14T23:13:20+01:00\">"
				  "14-11-2023 23:13</time>"));
	web_resp_release(&resp);
	/* summer time, and a format with the zone's abbreviation */
	struct tpl_ctx *c = tpl_ctx_new();
	struct tpl_val *o = tpl_obj(c);
	assert_int_equal(td_config_set(&f->cfg, "date_format",
				       "%Y-%m-%d %H:%M %Z", NULL),
			 0);
	web_set_time(c, o, &f->cfg, 1719835200); /* 2024-07-01 12:00 UTC */
	struct td_buf out;
	td_buf_init(&out, 0);
	struct tpl *t = NULL;
	assert_int_equal(tpl_compile("{{datetime}}|{{date}}", 21, "t", &t,
				     NULL),
			 0);
	assert_int_equal(tpl_render(t, NULL, o, &out), 0);
	assert_string_equal(td_buf_cstr(&out),
			    "2024-07-01T14:00:00+02:00|2024-07-01 14:00 CEST");
	td_buf_reset(&out);
	/* an unknown zone: UTC (and a warning in the log) */
	web_theme_reset();
	assert_int_equal(td_config_set(&f->cfg, "timezone", "Mars/Olympus",
				       NULL),
			 0);
	o = tpl_obj(c);
	web_set_time(c, o, &f->cfg, 1719835200);
	assert_int_equal(tpl_render(t, NULL, o, &out), 0);
	assert_string_equal(td_buf_cstr(&out),
			    "2024-07-01T12:00:00Z|2024-07-01 12:00 UTC");
	td_buf_release(&out);
	tpl_free(t);
	tpl_ctx_free(c);
	web_theme_reset();
	assert_int_equal(td_config_set(&f->cfg, "timezone", "UTC", NULL), 0);
	assert_int_equal(td_config_set(&f->cfg, "date_format",
				       "%d-%m-%Y %H:%M", NULL),
			 0);
}

/* ---- the list pages against a bigger store ---------------------------- */

#define MANY 75

struct many {
	struct store *st;
	struct td_config cfg;
	int64_t alpha, beta;
	int64_t ids[MANY + 10];
	int n;
};

static int add_article(struct many *m, int64_t sid, int i, int64_t published)
{
	char guid[16], title[64], text[128];
	snprintf(guid, sizeof guid, "m%d", i);
	snprintf(title, sizeof title, "Story %d about zephyr", i);
	snprintf(text, sizeof text,
		 "The zephyr report number %d mentions word%d and more.", i,
		 i);
	char *tags_even[] = { (char *)"Common", (char *)"Rain" };
	char *tags_odd[] = { (char *)"Common", (char *)"Caf\xc3\xa9 Life" };
	struct store_article a = { 0 };
	a.source_id = sid;
	a.guid = guid;
	a.url = (char *)"https://many.test/story";
	a.title = title;
	a.content_html = (char *)"<p>Body</p>";
	a.content_text = text;
	a.published = published;
	a.updated = TD_TIME_NONE;
	a.first_seen = published + 5;
	a.tags = i % 2 ? tags_odd : tags_even;
	a.n_tags = 2;
	return store_article_insert(m->st, &a, &m->ids[m->n++]);
}

static int setup_many(void **state)
{
	struct many *m = calloc(1, sizeof *m);
	struct td_error err = { 0 };
	if (!m || store_open(NULL, STORE_MEMORY, &m->st, &err))
		return -1;
	td_config_defaults(&m->cfg);
	struct store_source src = { 0 };
	src.url = (char *)"http://alpha.test/feed";
	src.site_url = (char *)"https://alpha.test/";
	src.title = (char *)"Alpha Wire";
	src.tags = (char *)"Local, Weather,,";
	if (store_source_add(m->st, &src, &m->alpha))
		return -1;
	src.url = (char *)"http://beta.test/feed";
	src.site_url = (char *)"javascript:alert(1)";
	src.title = (char *)"Beta <Post>";
	src.tags = NULL;
	if (store_source_add(m->st, &src, &m->beta))
		return -1;
	for (int i = 0; i < MANY; i++)
		if (add_article(m, i % 2 ? m->beta : m->alpha, i,
				1700000000 + (int64_t)i * 60))
			return -1;
	*state = m;
	return 0;
}

static int teardown_many(void **state)
{
	struct many *m = *state;
	store_close(m->st);
	td_config_release(&m->cfg);
	free(m);
	return 0;
}

static int hexval(int c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* Decode %XX in place ('+' stays: our links never use it). */
static void pct_decode(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (*r == '%' && hexval(r[1]) >= 0 && hexval(r[2]) >= 0) {
			*w++ = (char)(hexval(r[1]) * 16 + hexval(r[2]));
			r += 2;
		} else
			*w++ = *r;
	}
	*w = '\0';
}

/* Run a URL as the server would: the path decoded, the route's declared
 * query arguments. The strings live in static storage until the next
 * call. */
static void run_url(struct many *m, const char *url, struct web_req *req,
		    struct web_resp *resp)
{
	static char path[4096], query[4096];
	static struct web_arg args[TD_WEB_MAX_ARGS];
	snprintf(path, sizeof path, "%s", url);
	query[0] = '\0';
	char *qm = strchr(path, '?');
	if (qm) {
		snprintf(query, sizeof query, "%s", qm + 1);
		*qm = '\0';
	}
	pct_decode(path);
	memset(req, 0, sizeof *req);
	req->method = WEB_GET;
	req->path = path;
	req->cfg = &m->cfg;
	req->st = m->st;
	req->base_url = "https://news.example";
	req->now = td_now();
	const struct web_route *rt = web_route_find(path, &req->rest);
	assert_non_null(rt);
	size_t n = 0;
	for (char *p = query; *p && n < TD_WEB_MAX_ARGS;) {
		char *amp = strchr(p, '&');
		if (amp)
			*amp = '\0';
		char *eq = strchr(p, '=');
		if (eq)
			*eq = '\0';
		pct_decode(p);
		if (eq)
			pct_decode(eq + 1);
		if (web_route_has_arg(rt, p)) {
			args[n].key = p;
			args[n].value = eq ? eq + 1 : "";
			n++;
		}
		if (!amp)
			break;
		p = amp + 1;
	}
	req->args = args;
	req->n_args = n;
	web_resp_init(resp);
	web_route_run(rt, req, resp);
}

/* The href of the link of class cls (HTML entities of our links undone),
 * or 0 when the page has none. */
static int link_of(const char *body, const char *cls, char *out, size_t cap)
{
	char needle[64];
	snprintf(needle, sizeof needle, "class=\"%s\" href=\"", cls);
	const char *p = strstr(body, needle);
	if (!p)
		return 0;
	p += strlen(needle);
	size_t n = 0;
	while (*p && *p != '"' && n + 1 < cap) {
		if (!strncmp(p, "&#61;", 5)) {
			out[n++] = '=';
			p += 5;
		} else if (!strncmp(p, "&amp;", 5)) {
			out[n++] = '&';
			p += 5;
		} else
			out[n++] = *p++;
	}
	out[n] = '\0';
	return 1;
}

/* The article ids of the cards of a page, in order. */
static size_t card_ids(const char *body, int64_t *ids, size_t cap)
{
	static const char h[] = "<h2 class=\"card-title\"><a href=\"/a/";
	size_t n = 0;
	for (const char *p = body; (p = strstr(p, h)) && n < cap;) {
		p += sizeof h - 1;
		ids[n++] = strtoll(p, NULL, 10);
	}
	return n;
}

static int count_of(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Walk a list from url following links of class cls; every id is added
 * to seen[] (counting repeats). Returns the pages walked; *last gets the
 * last page's URL. */
static int walk(struct many *m, const char *url, const char *cls,
		int *seen, size_t seen_cap, char *last, size_t last_cap,
		int (*between)(struct many *, int))
{
	char cur[1024];
	snprintf(cur, sizeof cur, "%s", url);
	int pages = 0;
	for (;;) {
		struct web_req req;
		struct web_resp resp;
		run_url(m, cur, &req, &resp);
		if (resp.status != 200)
			fail_msg("%s: %d", cur, resp.status);
		int64_t ids[64];
		size_t n = card_ids(td_buf_cstr(&resp.body), ids, 64);
		for (size_t i = 0; i < n; i++)
			if (ids[i] > 0 && (size_t)ids[i] < seen_cap)
				seen[ids[i]]++;
		snprintf(last, last_cap, "%s", cur);
		char next[1024];
		int more = link_of(td_buf_cstr(&resp.body), cls, next,
				   sizeof next);
		/* going up, the newest page links "Latest" to the top */
		if (more && !strcmp(cls, "newer") &&
		    strstr(td_buf_cstr(&resp.body), "rel=\"prev\">Latest<"))
			more = 0;
		web_resp_release(&resp);
		pages++;
		if (between)
			between(m, pages);
		if (!more || pages > 100)
			break;
		snprintf(cur, sizeof cur, "%s", next);
	}
	return pages;
}

static int add_newest(struct many *m, int pages)
{
	if (pages != 1)
		return 0;
	/* five articles arrive while the reader is on the first page */
	for (int i = 0; i < 5; i++)
		assert_int_equal(add_article(m, m->alpha, 1000 + i,
					     1800000000 + i),
				 0);
	return 0;
}

static void test_front_pagination(void **state)
{
	struct many *m = *state;
	int seen[512] = { 0 };
	char last[1024];
	/* down: three pages of 30, 30, 15, each article once, although new
	 * ones arrived after the first page */
	int pages = walk(m, "/", "older", seen, 512, last, sizeof last,
			 add_newest);
	assert_int_equal(pages, 3);
	for (int i = 0; i < MANY; i++)
		if (seen[m->ids[i]] != 1)
			fail_msg("article %lld seen %d times going down",
				 (long long)m->ids[i], seen[m->ids[i]]);
	for (int i = MANY; i < m->n; i++)
		assert_int_equal(seen[m->ids[i]], 0);
	assert_non_null(strstr(last, "/?before="));
	/* up from the last page: every article once, the new ones too */
	memset(seen, 0, sizeof seen);
	pages = walk(m, last, "newer", seen, 512, last, sizeof last, NULL);
	assert_int_equal(pages, 4); /* 15, 30, 30, then the 5 new ones */
	for (int i = 0; i < m->n; i++)
		if (seen[m->ids[i]] != 1)
			fail_msg("article %lld seen %d times going up",
				 (long long)m->ids[i], seen[m->ids[i]]);
	assert_non_null(strstr(last, "/?after="));

	struct web_req req;
	struct web_resp resp;
	/* the first page: no Newer link; an older page links Newer */
	run_url(m, "/", &req, &resp);
	assert_null(strstr(td_buf_cstr(&resp.body), "rel=\"prev\""));
	assert_int_equal(resp.cache_seconds, 60);
	web_resp_release(&resp);
	char older[256], newer[256];
	run_url(m, "/", &req, &resp);
	assert_true(link_of(td_buf_cstr(&resp.body), "older", older,
			    sizeof older));
	web_resp_release(&resp);
	run_url(m, older, &req, &resp);
	assert_true(link_of(td_buf_cstr(&resp.body), "newer", newer,
			    sizeof newer));
	assert_non_null(strstr(td_buf_cstr(&resp.body), ">Newer</a>"));
	assert_int_equal(resp.cache_seconds, 0);
	assert_null(strstr(td_buf_cstr(&resp.body), "Most read"));
	web_resp_release(&resp);
	/* the page above the second is the newest: it links to "/" */
	run_url(m, newer, &req, &resp);
	assert_int_equal(resp.status, 200);
	assert_non_null(strstr(td_buf_cstr(&resp.body),
			       "<a class=\"newer\" href=\"/\" rel=\"prev\">"
			       "Latest</a>"));
	int64_t ids[64];
	assert_int_equal(card_ids(td_buf_cstr(&resp.body), ids, 64), 30);
	web_resp_release(&resp);
	/* past the newest: empty, back to the top */
	run_url(m, "/?after=1900000000-1", &req, &resp);
	assert_int_equal(resp.status, 200);
	assert_int_equal(card_ids(td_buf_cstr(&resp.body), ids, 64), 0);
	assert_non_null(strstr(td_buf_cstr(&resp.body), "href=\"/\" rel=\"prev\""));
	web_resp_release(&resp);
	/* past the oldest: empty, with a way up */
	run_url(m, "/?before=1-1", &req, &resp);
	assert_int_equal(resp.status, 200);
	assert_int_equal(card_ids(td_buf_cstr(&resp.body), ids, 64), 0);
	assert_true(link_of(td_buf_cstr(&resp.body), "newer", newer,
			    sizeof newer));
	assert_string_equal(newer, "/?after=1-1");
	web_resp_release(&resp);
	/* bad cursors */
	static const char *bad[] = {
		"/?after=abc", "/?after=1-0", "/?after=12", "/?before=x-1",
		"/?before=1-1&after=2-2", "/?after=-",
		"/?after=99999999999999999999-1",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		run_url(m, bad[i], &req, &resp);
		if (resp.status != 400)
			fail_msg("%s: %d", bad[i], resp.status);
		web_resp_release(&resp);
	}
	/* empty cursors are no cursors */
	run_url(m, "/?before=&after=", &req, &resp);
	assert_int_equal(resp.status, 200);
	web_resp_release(&resp);
}

static void test_most_read(void **state)
{
	struct many *m = *state;
	struct web_req req;
	struct web_resp resp;
	run_url(m, "/", &req, &resp);
	assert_null(strstr(td_buf_cstr(&resp.body), "Most read"));
	assert_int_equal(resp.last_modified, 1700000000 + (MANY - 1) * 60 + 5);
	web_resp_release(&resp);
	int64_t ids[3] = { m->ids[3], m->ids[10], m->ids[7] };
	int64_t counts[3] = { 5, 9, 1 };
	assert_int_equal(store_views_add(m->st, ids, counts, 3), 0);
	run_url(m, "/", &req, &resp);
	const char *b = td_buf_cstr(&resp.body);
	assert_non_null(strstr(b, "<h2 id=\"most-read-title\">Most read</h2>"));
	assert_int_equal(resp.cache_seconds, 60);
	assert_int_equal(resp.last_modified, req.now);
	const char *block = strstr(b, "most-read-title");
	const char *s10 = strstr(block, "Story 10 about"),
		   *s3 = strstr(block, "Story 3 about"),
		   *s7 = strstr(block, "Story 7 about");
	assert_non_null(s10);
	assert_non_null(s3);
	assert_non_null(s7);
	assert_true(s10 < s3 && s3 < s7);
	assert_non_null(strstr(block, "9 views"));
	assert_non_null(strstr(block, "1 view<"));
	web_resp_release(&resp);
}

static void test_source_page(void **state)
{
	struct many *m = *state;
	struct web_req req;
	struct web_resp resp;
	char url[512], canon[128];
	snprintf(url, sizeof url, "/s/%lld", (long long)m->alpha);
	run_url(m, url, &req, &resp);
	assert_int_equal(resp.status, 301);
	snprintf(canon, sizeof canon, "/s/%lld-alpha-wire",
		 (long long)m->alpha);
	assert_string_equal(resp.location, canon);
	web_resp_release(&resp);
	/* a wrong slug keeps the cursor */
	snprintf(url, sizeof url, "/s/%lld-nope?before=1700000000-9",
		 (long long)m->alpha);
	run_url(m, url, &req, &resp);
	assert_int_equal(resp.status, 301);
	snprintf(url, sizeof url, "%s?before=1700000000-9", canon);
	assert_string_equal(resp.location, url);
	web_resp_release(&resp);

	run_url(m, canon, &req, &resp);
	const char *b = td_buf_cstr(&resp.body);
	assert_int_equal(resp.status, 200);
	assert_true(resp.cacheable);
	assert_non_null(strstr(b, "<h1 class=\"page-title\">Alpha Wire</h1>"));
	assert_non_null(strstr(b, "38 articles"));
	assert_non_null(strstr(b, "<a href=\"https://alpha.test/\">alpha.test</a>"));
	assert_non_null(strstr(b, "<a href=\"/t/Local\" rel=\"tag\">Local</a>"));
	assert_non_null(strstr(b, "<a href=\"/t/Weather\" rel=\"tag\">Weather</a>"));
	char feed[512];
	snprintf(feed, sizeof feed,
		 "<link rel=\"alternate\" type=\"application/rss+xml\" "
		 "title=\"Alpha Wire (RSS)\" href=\"%s/feed.xml\">",
		 canon);
	assert_non_null(strstr(b, feed));
	assert_int_equal(count_of(b, "<span class=\"source\">Alpha Wire</span>"),
			 30);
	assert_int_equal(count_of(b, "Beta"), 0);
	web_resp_release(&resp);
	/* every Alpha article once, over two pages */
	int seen[512] = { 0 };
	char last[1024];
	assert_int_equal(walk(m, canon, "older", seen, 512, last, sizeof last,
			      NULL),
			 2);
	int total = 0;
	for (int i = 0; i < 512; i++)
		total += seen[i];
	assert_int_equal(total, 38);

	/* a javascript: site is not linked; escaping */
	snprintf(url, sizeof url, "/s/%lld-beta-post", (long long)m->beta);
	run_url(m, url, &req, &resp);
	b = td_buf_cstr(&resp.body);
	assert_int_equal(resp.status, 200);
	assert_null(strstr(b, "javascript:"));
	assert_non_null(strstr(b, "Beta &lt;Post&gt;"));
	assert_null(strstr(b, "<Post>"));
	web_resp_release(&resp);

	static const char *missing[] = {
		"/s/", "/s/abc", "/s/0", "/s/999999", "/s/1x",
		"/s/99999999999999999999999", "/s/1-alpha-wire/nope",
		"/s/1-alpha-wire/feed.xml/x", "/s/1/",
	};
	for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
		run_url(m, missing[i], &req, &resp);
		if (resp.status != 404)
			fail_msg("%s: %d", missing[i], resp.status);
		web_resp_release(&resp);
	}
	/* feeds: the canonical path, then feeds.c */
	snprintf(url, sizeof url, "/s/%lld/atom.xml", (long long)m->alpha);
	run_url(m, url, &req, &resp);
	assert_int_equal(resp.status, 301);
	snprintf(url, sizeof url, "%s/atom.xml", canon);
	assert_string_equal(resp.location, url);
	web_resp_release(&resp);
	run_url(m, url, &req, &resp);
	assert_true(resp.status == 200 || resp.status == 404);
	web_resp_release(&resp);
}

static void test_tag_page(void **state)
{
	struct many *m = *state;
	struct web_req req;
	struct web_resp resp;
	static const char *found[] = { "/t/Rain", "/t/rain", "/t/RAIN",
				       "/t/Caf%C3%A9%20Life", "/t/common" };
	for (size_t i = 0; i < sizeof found / sizeof found[0]; i++) {
		run_url(m, found[i], &req, &resp);
		if (resp.status != 200)
			fail_msg("%s: %d", found[i], resp.status);
		assert_true(resp.cacheable);
		web_resp_release(&resp);
	}
	run_url(m, "/t/Caf%C3%A9%20Life", &req, &resp);
	const char *b = td_buf_cstr(&resp.body);
	assert_non_null(strstr(b, "<h1 class=\"page-title\">Caf\xc3\xa9 Life</h1>"));
	assert_non_null(strstr(b, "href=\"/t/Caf%C3%A9%20Life/feed.json\""));
	/* odd articles only, 30 of 37 on the first page */
	int64_t ids[64];
	assert_int_equal(card_ids(b, ids, 64), 30);
	web_resp_release(&resp);
	int seen[512] = { 0 };
	char last[1024];
	assert_int_equal(walk(m, "/t/Rain", "older", seen, 512, last,
			      sizeof last, NULL),
			 2);
	int total = 0;
	for (int i = 0; i < 512; i++)
		total += seen[i];
	assert_int_equal(total, 38);
	assert_non_null(strstr(last, "/t/Rain?before="));
	static const char *missing[] = {
		"/t/", "/t/nope", "/t/%FF", "/t/Rain/feed.xml/x",
		"/t/nope/feed.xml",
	};
	for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
		run_url(m, missing[i], &req, &resp);
		if (resp.status != 404)
			fail_msg("%s: %d", missing[i], resp.status);
		web_resp_release(&resp);
	}
	char longtag[400];
	memset(longtag, 'a', sizeof longtag - 1);
	longtag[sizeof longtag - 1] = '\0';
	memcpy(longtag, "/t/", 3);
	run_url(m, longtag, &req, &resp);
	assert_int_equal(resp.status, 404);
	web_resp_release(&resp);
	/* a cursor past the end of an existing tag is an empty page */
	run_url(m, "/t/Rain?before=1-1", &req, &resp);
	assert_int_equal(resp.status, 200);
	web_resp_release(&resp);
	run_url(m, "/t/nope?before=1-1", &req, &resp);
	assert_int_equal(resp.status, 404);
	web_resp_release(&resp);
	run_url(m, "/t/Rain?after=zz", &req, &resp);
	assert_int_equal(resp.status, 400);
	web_resp_release(&resp);
	run_url(m, "/t/Rain/feed.xml", &req, &resp);
	assert_true(resp.status == 200 || resp.status == 404);
	web_resp_release(&resp);
}

static void test_article_tags(void **state)
{
	struct many *m = *state;
	struct web_req req;
	struct web_resp resp;
	char url[128];
	snprintf(url, sizeof url, "/a/%lld-story-1-about-zephyr",
		 (long long)m->ids[1]);
	run_url(m, url, &req, &resp);
	const char *b = td_buf_cstr(&resp.body);
	assert_int_equal(resp.status, 200);
	const char *attr = strstr(b, "This post appeared first on");
	const char *tag = strstr(b, "<a href=\"/t/Caf%C3%A9%20Life\" rel=\"tag\">"
				    "Caf\xc3\xa9 Life</a>");
	const char *other = strstr(b, "Other news");
	assert_non_null(attr);
	assert_non_null(tag);
	assert_non_null(other);
	assert_true(attr < tag && tag < other);
	char more[128];
	snprintf(more, sizeof more, "More from <a href=\"/s/%lld-beta-post\">",
		 (long long)m->beta);
	assert_non_null(strstr(b, more));
	/* the site's feeds in the head */
	assert_non_null(strstr(b, "<link rel=\"alternate\" type=\"application/"
				  "atom+xml\" title=\"tidings (Atom)\" "
				  "href=\"/atom.xml\">"));
	web_resp_release(&resp);
}

static void test_search_page(void **state)
{
	struct many *m = *state;
	struct web_req req;
	struct web_resp resp;
	/* no query: the form only */
	run_url(m, "/search", &req, &resp);
	const char *b = td_buf_cstr(&resp.body);
	assert_int_equal(resp.status, 200);
	assert_non_null(strstr(b, "<input id=\"search-q\" type=\"search\" "
				  "name=\"q\" value=\"\""));
	assert_null(strstr(b, "result-count"));
	assert_non_null(strstr(b, "<meta name=\"robots\" content=\"noindex\">"));
	web_resp_release(&resp);
	run_url(m, "/search?q=%20%20", &req, &resp);
	assert_int_equal(resp.status, 200);
	assert_null(strstr(td_buf_cstr(&resp.body), "result-count"));
	web_resp_release(&resp);

	/* 75 matches: pages of 20 */
	run_url(m, "/search?q=zephyr", &req, &resp);
	b = td_buf_cstr(&resp.body);
	assert_int_equal(resp.status, 200);
	assert_true(resp.cacheable);
	assert_true(resp.cache_seconds > 0);
	assert_non_null(strstr(b, "More than 20 results for \xe2\x80\x9czephyr\xe2\x80\x9d"));
	assert_int_equal(count_of(b, "<li class=\"result\">"), 20);
	assert_true(count_of(b, "<mark>zephyr</mark>") >= 20);
	assert_non_null(strstr(b, "<ol class=\"results\" start=\"1\">"));
	char next[256];
	assert_true(link_of(b, "older", next, sizeof next));
	assert_string_equal(next, "/search?q=zephyr&page=2");
	assert_false(link_of(b, "newer", next, sizeof next));
	web_resp_release(&resp);
	run_url(m, "/search?q=zephyr&page=4", &req, &resp);
	b = td_buf_cstr(&resp.body);
	assert_int_equal(count_of(b, "<li class=\"result\">"), 15);
	assert_non_null(strstr(b, "Results 61\xe2\x80\x93" "75 for"));
	assert_false(link_of(b, "older", next, sizeof next));
	assert_true(link_of(b, "newer", next, sizeof next));
	assert_string_equal(next, "/search?q=zephyr&page=3");
	web_resp_release(&resp);
	run_url(m, "/search?q=zephyr&page=5", &req, &resp);
	assert_non_null(strstr(td_buf_cstr(&resp.body), "No more results"));
	web_resp_release(&resp);
	run_url(m, "/search?q=word42&page=", &req, &resp);
	b = td_buf_cstr(&resp.body);
	assert_non_null(strstr(b, "1 result for \xe2\x80\x9cword42\xe2\x80\x9d"));
	assert_non_null(strstr(b, "<mark>word42</mark>"));
	web_resp_release(&resp);
	/* a query in links is percent-encoded, in the page escaped */
	run_url(m, "/search?q=zephyr%20%3C%3E%26", &req, &resp);
	b = td_buf_cstr(&resp.body);
	assert_true(link_of(b, "older", next, sizeof next));
	assert_string_equal(next, "/search?q=zephyr%20%3C%3E%26&page=2");
	assert_non_null(strstr(b, "value=\"zephyr &lt;&gt;&amp;\""));
	web_resp_release(&resp);

	/* nothing found: suggestions and topics */
	run_url(m, "/search?q=nothingmatchesthis", &req, &resp);
	b = td_buf_cstr(&resp.body);
	assert_non_null(strstr(b, "No results for \xe2\x80\x9cnothingmatchesthis"));
	assert_non_null(strstr(b, "Check the spelling"));
	assert_non_null(strstr(b, "<a href=\"/t/Common\" rel=\"tag\">Common</a>"));
	web_resp_release(&resp);

	/* hostile queries: a page, never a crash, never markup */
	static const char *hostile[] = {
		"%22", "%27", "%22unterminated", "a%20OR%20b", "NEAR(a%20b)",
		"title%3Azephyr", "*", "%5Ezephyr", "zephyr*", "-zephyr",
		"%27%3B%20DROP%20TABLE%20articles%3B%20--",
		"%3Cscript%3Ealert(1)%3C%2Fscript%3E", "%FF%FE%FD",
		"%E2%80%AE%F0%9F%98%80", "(", ")", "%7B", "AND", "NOT%20OR",
		"a%20AND", "col%3A", "%22a%22%20%22b%22", "%5C", "%25", "_",
		"e%CC%81%CC%81%CC%81", "zephyr%20%20%20%20AND%20NOT%20zephyr",
		"%00", "%0A%0D",
	};
	for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		char url[256];
		snprintf(url, sizeof url, "/search?q=%s", hostile[i]);
		run_url(m, url, &req, &resp);
		if (resp.status != 200)
			fail_msg("%s: %d", hostile[i], resp.status);
		b = td_buf_cstr(&resp.body);
		assert_null(strstr(b, "<script"));
		assert_true(td_utf8_valid(b, resp.body.len));
		web_resp_release(&resp);
	}
	/* limits */
	char longq[400];
	snprintf(longq, sizeof longq, "/search?q=");
	size_t at = strlen(longq);
	memset(longq + at, 'a', 256);
	longq[at + 256] = '\0';
	run_url(m, longq, &req, &resp);
	assert_int_equal(resp.status, 200);
	web_resp_release(&resp);
	longq[at + 256] = 'a';
	longq[at + 257] = '\0';
	run_url(m, longq, &req, &resp);
	assert_int_equal(resp.status, 400);
	web_resp_release(&resp);
	static const char *badpage[] = { "0", "51", "abc", "-1", "1x", "1000",
					 "00001", "%20" };
	for (size_t i = 0; i < sizeof badpage / sizeof badpage[0]; i++) {
		char url[64];
		snprintf(url, sizeof url, "/search?q=zephyr&page=%s",
			 badpage[i]);
		run_url(m, url, &req, &resp);
		if (resp.status != 400)
			fail_msg("page=%s: %d", badpage[i], resp.status);
		web_resp_release(&resp);
	}
	run_url(m, "/search?q=zephyr&page=50", &req, &resp);
	assert_int_equal(resp.status, 200);
	web_resp_release(&resp);
}

static void test_about_page(void **state)
{
	struct many *m = *state;
	struct web_req req;
	struct web_resp resp;
	run_url(m, "/about", &req, &resp);
	const char *b = td_buf_cstr(&resp.body);
	assert_int_equal(resp.status, 200);
	assert_true(resp.cacheable);
	assert_non_null(strstr(b, "<h1 class=\"page-title\">About tidings</h1>"));
	char src[128];
	snprintf(src, sizeof src, "<a href=\"/s/%lld-alpha-wire\">Alpha Wire</a>",
		 (long long)m->alpha);
	assert_non_null(strstr(b, src));
	assert_non_null(strstr(b, "<a class=\"site-link\" href=\"https://alpha.test/\">alpha.test</a>"));
	assert_non_null(strstr(b, "<td>38</td>"));
	assert_non_null(strstr(b, "<td>37</td>"));
	assert_non_null(strstr(b, "not yet")); /* never fetched */
	assert_non_null(strstr(b, "<a href=\"/t/Common\" rel=\"tag\">Common</a> <span class=\"count\">75</span>"));
	assert_non_null(strstr(b, "<code>https://news.example/feed.json</code>"));
	assert_null(strstr(b, "javascript:"));
	web_resp_release(&resp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept_encoding),
		cmocka_unit_test(test_etag_match),
		cmocka_unit_test(test_http_date),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_slug),
		cmocka_unit_test(test_url_encode_snippet),
		cmocka_unit_test_setup_teardown(test_front_page, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_article_page, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_machine_pages, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_run_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_error_pages, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_theme_dir, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_timezone, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_front_pagination,
						setup_many, teardown_many),
		cmocka_unit_test_setup_teardown(test_most_read, setup_many,
						teardown_many),
		cmocka_unit_test_setup_teardown(test_source_page, setup_many,
						teardown_many),
		cmocka_unit_test_setup_teardown(test_tag_page, setup_many,
						teardown_many),
		cmocka_unit_test_setup_teardown(test_article_tags, setup_many,
						teardown_many),
		cmocka_unit_test_setup_teardown(test_search_page, setup_many,
						teardown_many),
		cmocka_unit_test_setup_teardown(test_about_page, setup_many,
						teardown_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
