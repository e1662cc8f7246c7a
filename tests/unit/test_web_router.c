/*
 * test_web_router.c - routing, the request-path parsers (Accept-Encoding,
 * If-None-Match, HTTP dates, listen addresses), escaping, error pages, and
 * the placeholder and machine pages run against an in-memory store.
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
#include "web/web_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept_encoding),
		cmocka_unit_test(test_etag_match),
		cmocka_unit_test(test_http_date),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_escape),
		cmocka_unit_test_setup_teardown(test_front_page, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_article_page, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_machine_pages, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_run_errors, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
