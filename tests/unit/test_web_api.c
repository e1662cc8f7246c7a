/*
 * test_web_api.c - the JSON API handler (src/web/api.c) against an
 * in-memory store: every answer parses as JSON (jansson), keyset pages in
 * both directions with ties on the publish time, filters and their time
 * boundaries, bad parameters, unknown ids, hostile and damaged strings,
 * search marks, and the 503 answer without a database.
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

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Articles in the fixture: N_PLAIN over two sources, several sharing a
 * publish time, plus the hostile one. */
#define N_PLAIN 25
#define T0 1704503400 /* 2024-01-06T01:10:00Z */

struct fixture {
	struct store *st;
	struct td_config cfg;
	int64_t src_a, src_b;
	int64_t ids[N_PLAIN];
	int64_t hostile;
};

/* Publish time of plain article i: pairs share a second. */
static int64_t pub_of(int i)
{
	return T0 + (i / 2) * 60;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct td_error err = { 0 };
	if (!f || store_open(NULL, STORE_MEMORY, &f->st, &err))
		return -1;
	td_config_defaults(&f->cfg);
	struct store_source src = { 0 };
	src.url = (char *)"http://a.test/feed";
	src.title = (char *)"Alpha <Wire>";
	src.tags = (char *)" local , ,news,";
	if (store_source_add(f->st, &src, &f->src_a))
		return -1;
	src.url = (char *)"http://b.test/feed";
	src.title = (char *)"!!!";
	src.tags = NULL;
	if (store_source_add(f->st, &src, &f->src_b))
		return -1;
	for (int i = 0; i < N_PLAIN; i++) {
		char guid[16], title[64], text[128];
		snprintf(guid, sizeof guid, "g%d", i);
		snprintf(title, sizeof title, "Plain story number %d", i);
		snprintf(text, sizeof text,
			 "Body of story %d about the harbor ferry.", i);
		char *tags[] = { (char *)(i % 3 ? "Ferries" : "Weather") };
		struct store_article a = { 0 };
		a.source_id = i % 2 ? f->src_b : f->src_a;
		a.guid = guid;
		a.url = (char *)"https://a.test/story";
		a.title = title;
		a.content_html = (char *)"<p>Body</p>";
		a.content_text = text;
		a.published = pub_of(i);
		a.updated = TD_TIME_NONE;
		a.first_seen = T0;
		a.tags = tags;
		a.n_tags = 1;
		if (store_article_insert(f->st, &a, &f->ids[i]))
			return -1;
	}
	/* hostile strings, one not even UTF-8 */
	char *tags[] = { (char *)"Hostile & \"Co\"" };
	struct store_attachment at[] = {
		{ (char *)"https://cdn.test/a.mp3", (char *)"audio/mpeg", 123,
		  -1 },
		{ (char *)"javascript:alert(1)", NULL, -1, -1 },
	};
	struct store_article a = { 0 };
	a.source_id = f->src_a;
	a.guid = (char *)"hostile";
	a.url = (char *)"javascript:alert(1)";
	a.title = (char *)"Q \"d\" 's' <script>x</script> \\ \t\x01 \xe2\x80\xa8 "
			  "\xf0\x9f\x8e\x89 bad\xff\xfe";
	a.author = (char *)"</mark>";
	a.summary = (char *)"zyzzyva <b>bold</b> & \"quoted\"";
	a.content_html = (char *)"<p>zyzzyva</p>";
	a.content_text = (char *)"zyzzyva <b>bold</b> & \"quoted\" zyzzyva";
	a.image = (char *)"data:image/png;base64,AAAA";
	a.published = T0 - 86400;
	a.updated = T0 - 3600;
	a.first_seen = T0;
	a.tags = tags;
	a.n_tags = 1;
	a.attachments = at;
	a.n_attachments = 2;
	if (store_article_insert(f->st, &a, &f->hostile))
		return -1;
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

struct answer {
	int status;
	json_t *json;
	int cacheable;
	int cc;
};

/* Decode %XX in place (what the server does before the handler). */
static void pct_decode(char *s)
{
	char *o = s;
	for (; *s; s++) {
		unsigned v;
		if (s[0] == '%' && s[1] && s[2] && sscanf(s + 1, "%2x", &v) == 1) {
			*o++ = (char)v;
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* Run "/api/v1/REST" with query "k=v&k=v" (values percent-decoded; other
 * bytes as given). The body must be one JSON value. */
static struct answer api(struct fixture *f, const char *rest,
			 const char *query)
{
	char qbuf[4096];
	struct web_arg args[TD_WEB_MAX_ARGS];
	size_t n = 0;
	snprintf(qbuf, sizeof qbuf, "%s", query ? query : "");
	for (char *p = qbuf; *p && n < TD_WEB_MAX_ARGS;) {
		char *amp = strchr(p, '&');
		if (amp)
			*amp = '\0';
		char *eq = strchr(p, '=');
		if (eq)
			*eq = '\0';
		args[n].key = p;
		args[n].value = eq ? eq + 1 : "";
		if (eq)
			pct_decode(eq + 1);
		n++;
		if (!amp)
			break;
		p = amp + 1;
	}
	char path[512];
	snprintf(path, sizeof path, "/api/v1/%s", rest);
	struct web_req req;
	memset(&req, 0, sizeof req);
	req.method = WEB_GET;
	req.path = path;
	req.cfg = &f->cfg;
	req.st = f->st;
	req.base_url = "https://news.example";
	req.now = td_now();
	req.args = args;
	req.n_args = n;
	const struct web_route *rt = web_route_find(path, &req.rest);
	assert_non_null(rt);
	struct web_resp resp;
	web_resp_init(&resp);
	web_route_run(rt, &req, &resp);
	struct answer a = { resp.status, NULL, resp.cacheable, resp.cc };
	assert_string_equal(resp.content_type,
			    "application/json; charset=utf-8");
	json_error_t jerr;
	a.json = json_loadb(resp.body.p, resp.body.len, 0, &jerr);
	if (!a.json)
		fail_msg("%s?%s: not JSON (%s): %.300s", rest,
			 query ? query : "", jerr.text,
			 td_buf_cstr(&resp.body));
	if (a.status == 200) {
		assert_true(a.cacheable);
		assert_int_equal(a.cc, WEB_CC_SHORT);
	} else {
		assert_false(a.cacheable);
		json_t *e = json_object_get(a.json, "error");
		assert_non_null(e);
		assert_int_equal(json_integer_value(json_object_get(e, "status")),
				 a.status);
		assert_true(json_is_string(json_object_get(e, "message")));
	}
	web_resp_release(&resp);
	return a;
}

static const char *sget(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void expect_error(struct fixture *f, const char *rest,
			 const char *query, int status, const char *names)
{
	struct answer a = api(f, rest, query);
	if (a.status != status)
		fail_msg("%s?%s: status %d, want %d", rest, query ? query : "",
			 a.status, status);
	if (names) {
		const char *m = sget(json_object_get(a.json, "error"),
				     "message");
		if (!strstr(m, names))
			fail_msg("%s?%s: message '%s' does not name %s", rest,
				 query, m, names);
	}
	json_decref(a.json);
}

/* The query part of a next/prev URL. */
static const char *query_of(const char *url)
{
	assert_non_null(url);
	assert_memory_equal(url, "/api/v1/articles?", 17);
	return url + 17;
}

static void test_list_shape(void **state)
{
	struct fixture *f = *state;
	struct answer a = api(f, "articles", NULL);
	assert_int_equal(a.status, 200);
	json_t *v = json_object_get(a.json, "articles");
	assert_int_equal(json_array_size(v), 20);
	assert_true(json_is_null(json_object_get(a.json, "prev")));
	assert_non_null(sget(a.json, "next"));
	json_t *first = json_array_get(v, 0);
	/* newest: the last plain article */
	assert_int_equal(json_integer_value(json_object_get(first, "id")),
			 f->ids[N_PLAIN - 1]);
	char want[128];
	snprintf(want, sizeof want,
		 "https://news.example/a/%lld-plain-story-number-%d",
		 (long long)f->ids[N_PLAIN - 1], N_PLAIN - 1);
	assert_string_equal(sget(first, "url"), want);
	assert_string_equal(sget(first, "original_url"),
			    "https://a.test/story");
	json_t *src = json_object_get(first, "source");
	assert_int_equal(json_integer_value(json_object_get(src, "id")),
			 f->src_a);
	assert_string_equal(sget(src, "title"), "Alpha <Wire>");
	snprintf(want, sizeof want, "https://news.example/s/%lld-alpha-wire",
		 (long long)f->src_a);
	assert_string_equal(sget(src, "url"), want);
	assert_string_equal(sget(first, "published"), "2024-01-06T01:22:00Z");
	assert_true(json_is_null(json_object_get(first, "updated")));
	assert_true(json_is_null(json_object_get(first, "author")));
	assert_true(json_is_null(json_object_get(first, "image")));
	assert_int_equal(json_integer_value(json_object_get(first, "views")),
			 0);
	assert_null(json_object_get(first, "content_html"));
	/* a source title without letters: no slug */
	json_t *second = json_array_get(v, 1);
	src = json_object_get(second, "source");
	snprintf(want, sizeof want, "https://news.example/s/%lld",
		 (long long)f->src_b);
	assert_string_equal(sget(src, "url"), want);
	json_decref(a.json);
}

/* Walk every page with next, then back with prev: each article once, in
 * (published, id) order, the same pages both ways. */
static void test_walk(void **state)
{
	struct fixture *f = *state;
	for (int limit = 1; limit <= 8; limit++) {
		char q[256];
		snprintf(q, sizeof q, "limit=%d", limit);
		int64_t seen[N_PLAIN + 1];
		size_t n_seen = 0;
		int64_t last_pub = INT64_MAX, last_id = INT64_MAX;
		char last_q[256] = "";
		int pages = 0;
		for (;;) {
			struct answer a = api(f, "articles", q);
			assert_int_equal(a.status, 200);
			json_t *v = json_object_get(a.json, "articles");
			assert_true(json_array_size(v) >= 1);
			assert_true(json_array_size(v) <= (size_t)limit);
			size_t i;
			json_t *it;
			json_array_foreach(v, i, it)
			{
				int64_t id = json_integer_value(
					json_object_get(it, "id"));
				int64_t pub = id == f->hostile
						      ? T0 - 86400
						      : pub_of((int)(id - f->ids[0]));
				assert_true(pub < last_pub ||
					    (pub == last_pub && id < last_id));
				last_pub = pub;
				last_id = id;
				assert_true(n_seen < N_PLAIN + 1);
				seen[n_seen++] = id;
			}
			pages++;
			if (pages > 1)
				assert_non_null(sget(a.json, "prev"));
			else
				assert_true(json_is_null(json_object_get(a.json, "prev")));
			const char *next = sget(a.json, "next");
			if (!next) {
				snprintf(last_q, sizeof last_q, "%s", q);
				json_decref(a.json);
				break;
			}
			snprintf(q, sizeof q, "%s", query_of(next));
			assert_non_null(strstr(q, "limit="));
			json_decref(a.json);
		}
		assert_int_equal(n_seen, N_PLAIN + 1);
		assert_int_equal(pages, (N_PLAIN + 1 + limit - 1) / limit);

		/* back: from the last page, prev until null */
		snprintf(q, sizeof q, "%s", last_q);
		size_t back = n_seen;
		for (int p = 0;; p++) {
			struct answer a = api(f, "articles", q);
			json_t *v = json_object_get(a.json, "articles");
			size_t m = json_array_size(v);
			assert_true(m >= 1 && m <= back);
			for (size_t i = 0; i < m; i++)
				assert_int_equal(json_integer_value(json_object_get(
							 json_array_get(v, i), "id")),
						 seen[back - m + i]);
			back -= m;
			const char *prev = sget(a.json, "prev");
			if (p > 0)
				assert_non_null(sget(a.json, "next"));
			if (!prev) {
				json_decref(a.json);
				break;
			}
			snprintf(q, sizeof q, "%s", query_of(prev));
			json_decref(a.json);
		}
		assert_int_equal(back, 0);
	}
}

static size_t count_of(struct fixture *f, const char *query)
{
	struct answer a = api(f, "articles", query);
	if (a.status != 200)
		fail_msg("%s: status %d", query, a.status);
	size_t n = json_array_size(json_object_get(a.json, "articles"));
	json_decref(a.json);
	return n;
}

static void test_filters(void **state)
{
	struct fixture *f = *state;
	char q[256];
	snprintf(q, sizeof q, "limit=100&source=%lld", (long long)f->src_b);
	assert_int_equal(count_of(f, q), N_PLAIN / 2);
	snprintf(q, sizeof q, "limit=100&source=%lld", (long long)f->src_a);
	assert_int_equal(count_of(f, q), N_PLAIN - N_PLAIN / 2 + 1);
	assert_int_equal(count_of(f, "limit=100&tag=weather"), 9);
	assert_int_equal(count_of(f, "limit=100&tag=FERRIES"), 16);
	assert_int_equal(count_of(f, "limit=100&tag=hostile %26 \"co\""), 1);
	assert_int_equal(count_of(f, "limit=100&tag=nope"), 0);
	/* since inclusive, until exclusive; pairs share a second */
	assert_int_equal(count_of(f, "limit=100&since=2024-01-06T01:10:00Z"),
			 N_PLAIN);
	assert_int_equal(count_of(f, "limit=100&since=1704503400"), N_PLAIN);
	assert_int_equal(count_of(f, "limit=100&since=1704503401"),
			 N_PLAIN - 2);
	assert_int_equal(count_of(f, "limit=100&since=2024-01-06T01:10:00.5Z"),
			 N_PLAIN - 2);
	assert_int_equal(count_of(f, "limit=100&until=2024-01-06T01:11:00Z"),
			 3);
	assert_int_equal(count_of(f, "limit=100&until=1704503460"), 3);
	assert_int_equal(count_of(f, "limit=100&until=2024-01-06T02:11:00+01:00"),
			 3);
	assert_int_equal(count_of(f, "limit=100&until=2024-01-06T02:11:00 01:00"),
			 3);
	assert_int_equal(count_of(f, "limit=100&until=2024-01-06T00:11:00-01:00"),
			 3);
	assert_int_equal(count_of(f, "limit=100&until=2024-01-06"), 1);
	assert_int_equal(count_of(f, "limit=100&since=2024-01-06T01:11:00Z"
				     "&until=2024-01-06T01:12:00Z"),
			 2);
	assert_int_equal(count_of(f, "limit=100&since=2024-01-07&until=2024-01-06"),
			 0);
	/* filters travel in next */
	snprintf(q, sizeof q, "limit=2&source=%lld&tag=Ferries&since=1704503400",
		 (long long)f->src_b);
	struct answer a = api(f, "articles", q);
	const char *next = sget(a.json, "next");
	char want[256];
	snprintf(want, sizeof want, "&limit=2&source=%lld&tag=Ferries"
		 "&since=2024-01-06T01%%3A10%%3A00Z", (long long)f->src_b);
	assert_non_null(strstr(next, want));
	json_decref(a.json);
	a = api(f, "articles", "tag=a b%26c/d");
	assert_true(json_is_null(json_object_get(a.json, "next")));
	json_decref(a.json);
	a = api(f, "articles", "limit=1&tag=Hostile %26 \"Co\"");
	assert_int_equal(json_array_size(json_object_get(a.json, "articles")),
			 1);
	json_decref(a.json);
}

static void test_bad_params(void **state)
{
	struct fixture *f = *state;
	static const char *bad[][2] = {
		{ "limit=0", "limit" },      { "limit=101", "limit" },
		{ "limit=abc", "limit" },    { "limit=-1", "limit" },
		{ "limit=1.5", "limit" },    { "limit= 5", "limit" },
		{ "limit=0005", "limit" },   { "source=0", "source" },
		{ "source=x", "source" },    { "source=-3", "source" },
		{ "source=9999999999999999999", "source" },
		{ "since=yesterday", "since" },
		{ "since=2024-13-01", "since" },
		{ "since=2024-02-30T00:00:00Z", "since" },
		{ "since=2023-02-29", "since" },
		{ "since=2024-01-06T24:00:00Z", "since" },
		{ "since=2024-01-06T01:10:00", "since" },
		{ "since=2024-01-06T01:10:00+1:00", "since" },
		{ "since=2024-01-06T01:10:00.Z", "since" },
		{ "since=2024-01-06T01:10:00Zjunk", "since" },
		{ "since=2024-01-0", "since" },
		{ "since=99999999999999", "since" },
		{ "since=10000-01-01", "since" },
		{ "until=--5", "until" },
		{ "until=1e9", "until" },
		{ "before=abc", "before" },  { "before=12", "before" },
		{ "before=1-0", "before" },  { "after=1-x", "after" },
		{ "before=1-1&after=2-2", "after" },
		{ "tag=bad\xff", "tag" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_error(f, "articles", bad[i][0], 400, bad[i][1]);
	/* the whole tag limit */
	char q[400] = "tag=";
	memset(q + 4, 'x', 257);
	q[261] = '\0';
	expect_error(f, "articles", q, 400, "tag");
	expect_error(f, "articles", "source=424242", 404, "source");
	/* empty values are absent */
	assert_int_equal(count_of(f, "limit=&source=&tag=&since=&before="), 20);
	/* a cursor past the end: an empty page without links */
	struct answer a = api(f, "articles", "before=1-1");
	assert_int_equal(a.status, 200);
	assert_int_equal(json_array_size(json_object_get(a.json, "articles")),
			 0);
	assert_true(json_is_null(json_object_get(a.json, "next")));
	assert_true(json_is_null(json_object_get(a.json, "prev")));
	json_decref(a.json);
	/* unknown declared arguments elsewhere are ignored */
	assert_int_equal(count_of(f, "q=zzz&page=9"), 20);
}

static void test_unknown(void **state)
{
	struct fixture *f = *state;
	static const char *paths[] = {
		"",           "nope",          "articles/",    "articles/0",
		"articles/x", "articles/1x",   "articles/-1",  "articles/1/",
		"Articles",   "sources/1",     "search/",      "articles/999999",
		"articles/9999999999999999999999",
	};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
		expect_error(f, paths[i], NULL, 404, NULL);
}

static void test_one_article(void **state)
{
	struct fixture *f = *state;
	char rest[64];
	snprintf(rest, sizeof rest, "articles/%lld", (long long)f->hostile);
	struct answer a = api(f, rest, NULL);
	assert_int_equal(a.status, 200);
	json_t *o = json_object_get(a.json, "article");
	assert_int_equal(json_integer_value(json_object_get(o, "id")),
			 f->hostile);
	/* the damaged bytes are replaced, the rest kept as is */
	const char *t = sget(o, "title");
	assert_non_null(t);
	assert_non_null(strstr(t, "Q \"d\" 's' <script>x</script> \\ \t"));
	assert_non_null(strstr(t, "\xe2\x80\xa8 \xf0\x9f\x8e\x89 bad"));
	assert_null(strchr(t, '\xff'));
	assert_true(json_is_null(json_object_get(o, "original_url")));
	assert_true(json_is_null(json_object_get(o, "image")));
	assert_string_equal(sget(o, "updated"), "2024-01-06T00:10:00Z");
	assert_string_equal(sget(o, "content_html"), "<p>zyzzyva</p>");
	assert_non_null(sget(o, "content_text"));
	json_t *tags = json_object_get(o, "tags");
	assert_int_equal(json_array_size(tags), 1);
	assert_string_equal(json_string_value(json_array_get(tags, 0)),
			    "Hostile & \"Co\"");
	json_t *att = json_object_get(o, "attachments");
	assert_int_equal(json_array_size(att), 1);
	json_t *a0 = json_array_get(att, 0);
	assert_string_equal(sget(a0, "url"), "https://cdn.test/a.mp3");
	assert_string_equal(sget(a0, "mime_type"), "audio/mpeg");
	assert_int_equal(json_integer_value(json_object_get(a0, "size_in_bytes")),
			 123);
	assert_true(json_is_null(json_object_get(a0, "duration_in_seconds")));
	json_decref(a.json);
}

static void test_sources(void **state)
{
	struct fixture *f = *state;
	struct answer a = api(f, "sources", NULL);
	assert_int_equal(a.status, 200);
	json_t *v = json_object_get(a.json, "sources");
	assert_int_equal(json_array_size(v), 2);
	json_t *s = json_array_get(v, 0);
	assert_int_equal(json_integer_value(json_object_get(s, "id")), f->src_a);
	assert_string_equal(sget(s, "title"), "Alpha <Wire>");
	assert_string_equal(sget(s, "url"), "http://a.test/feed");
	char want[64];
	snprintf(want, sizeof want, "/s/%lld-alpha-wire", (long long)f->src_a);
	assert_string_equal(sget(s, "path"), want);
	json_t *tags = json_object_get(s, "tags");
	assert_int_equal(json_array_size(tags), 2);
	assert_string_equal(json_string_value(json_array_get(tags, 0)), "local");
	assert_string_equal(json_string_value(json_array_get(tags, 1)), "news");
	assert_string_equal(sget(s, "mode"), "auto");
	assert_int_equal(json_integer_value(json_object_get(s, "articles")),
			 N_PLAIN - N_PLAIN / 2 + 1);
	assert_true(json_is_null(json_object_get(s, "last_fetch")));
	assert_true(json_is_null(json_object_get(s, "last_status")));
	assert_true(json_is_null(json_object_get(s, "last_error")));
	assert_true(json_is_false(json_object_get(s, "disabled")));
	s = json_array_get(v, 1);
	snprintf(want, sizeof want, "/s/%lld", (long long)f->src_b);
	assert_string_equal(sget(s, "path"), want);
	assert_int_equal(json_array_size(json_object_get(s, "tags")), 0);
	json_decref(a.json);
}

static void test_search(void **state)
{
	struct fixture *f = *state;
	struct answer a = api(f, "search", "q=zyzzyva");
	assert_int_equal(a.status, 200);
	json_t *v = json_object_get(a.json, "articles");
	assert_int_equal(json_array_size(v), 1);
	json_t *r = json_array_get(v, 0);
	assert_int_equal(json_integer_value(json_object_get(r, "id")),
			 f->hostile);
	const char *plain = sget(r, "snippet"), *html = sget(r, "snippet_html");
	assert_non_null(plain);
	assert_non_null(html);
	assert_null(strchr(plain, '\x01'));
	assert_null(strchr(plain, '\x02'));
	assert_non_null(strstr(plain, "zyzzyva <b>bold</b> & \"quoted\""));
	assert_non_null(strstr(html, "<mark>zyzzyva</mark> &lt;b&gt;bold"
				     "&lt;/b&gt; &amp; &quot;quoted&quot;"));
	assert_null(strstr(html, "<b>"));
	assert_string_equal(sget(r, "author"), "</mark>");
	assert_string_equal(sget(a.json, "query"), "zyzzyva");
	assert_true(json_is_null(json_object_get(a.json, "next")));
	assert_true(json_is_null(json_object_get(a.json, "prev")));
	json_decref(a.json);

	/* pages of 20 */
	a = api(f, "search", "q=harbor ferry");
	assert_int_equal(json_array_size(json_object_get(a.json, "articles")),
			 20);
	assert_string_equal(sget(a.json, "next"),
			    "/api/v1/search?q=harbor%20ferry&page=2");
	json_decref(a.json);
	a = api(f, "search", "q=harbor ferry&page=2");
	assert_int_equal(json_array_size(json_object_get(a.json, "articles")),
			 N_PLAIN - 20);
	assert_true(json_is_null(json_object_get(a.json, "next")));
	assert_string_equal(sget(a.json, "prev"),
			    "/api/v1/search?q=harbor%20ferry");
	json_decref(a.json);

	/* hostile queries: always JSON, never an error */
	static const char *hostile[] = {
		"q=\"", "q=\"\"\"", "q=*", "q=zyzzyva*", "q=NEAR(a b)",
		"q=a OR b AND NOT c", "q=title:zyzzyva", "q=-zyzzyva",
		"q=' OR 1=1; DROP TABLE articles; --", "q=^zyz", "q={a b}",
		"q=\xe2\x80\xa8", "q=\xf0\x9f\x8e\x89", "q=e\xcc\x81",
		"q=\xe4\xb8\xad\xe6\x96\x87", "q=%", "q=\\", "q=(((",
		"q=zyzzyva&page=50",
	};
	for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		a = api(f, "search", hostile[i]);
		if (a.status != 200)
			fail_msg("%s: %d", hostile[i], a.status);
		json_decref(a.json);
	}
	char q[400] = "q=";
	memset(q + 2, 'a', 256);
	q[258] = '\0';
	a = api(f, "search", q);
	assert_int_equal(a.status, 200);
	json_decref(a.json);
	q[258] = 'a';
	q[259] = '\0';
	expect_error(f, "search", q, 400, "'q'");
	expect_error(f, "search", NULL, 400, "'q'");
	expect_error(f, "search", "q=", 400, "'q'");
	expect_error(f, "search", "q=\xff", 400, "'q'");
	expect_error(f, "search", "q=\xc0\xaf", 400, "'q'");
	expect_error(f, "search", "q=a&page=0", 400, "page");
	expect_error(f, "search", "q=a&page=51", 400, "page");
	expect_error(f, "search", "q=a&page=x", 400, "page");
}

static void test_no_database(void **state)
{
	struct fixture *f = *state;
	static const char *rests[] = { "articles", "articles/1", "sources",
				       "search" };
	for (size_t i = 0; i < sizeof rests / sizeof rests[0]; i++) {
		char path[64];
		snprintf(path, sizeof path, "/api/v1/%s", rests[i]);
		struct web_arg arg = { "q", "x" };
		struct web_req req;
		memset(&req, 0, sizeof req);
		req.method = WEB_GET;
		req.path = path;
		req.cfg = &f->cfg;
		req.db = "/nonexistent/dir/tidings.db";
		req.base_url = "http://x";
		req.args = &arg;
		req.n_args = 1;
		const struct web_route *rt = web_route_find(path, &req.rest);
		struct web_resp resp;
		web_resp_init(&resp);
		web_route_run(rt, &req, &resp);
		assert_int_equal(resp.status, 503);
		assert_string_equal(resp.content_type,
				    "application/json; charset=utf-8");
		assert_non_null(strstr(td_buf_cstr(&resp.body),
				       "{\"error\":{\"status\":503,"));
		assert_int_equal(resp.cc, WEB_CC_NO_STORE);
		web_resp_release(&resp);
	}
	web_thread_store_close();
}

/* Random values for every parameter of every endpoint: always one JSON
 * value with a sane status (the sanitizer build checks the rest). */
static void test_random_params(void **state)
{
	struct fixture *f = *state;
	static const char *keys[] = { "before", "after", "limit", "source",
				      "tag",    "since", "until", "q",
				      "page" };
	static const char *rests[] = { "articles", "search", "sources",
				       "articles/1" };
	static const char alphabet[] = "0123456789-+:.TZtz ";
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	for (int iter = 0; iter < 3000; iter++) {
		char q[1024];
		size_t at = 0;
		int nargs = 1 + iter % 4;
		for (int k = 0; k < nargs; k++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			const char *key = keys[(seed >> 33) % 9];
			at += (size_t)snprintf(q + at, sizeof q - at, "%s%s=",
					       k ? "&" : "", key);
			int len = (int)((seed >> 40) % 40);
			for (int i = 0; i < len && at + 2 < sizeof q; i++) {
				seed = seed * 6364136223846793005ull + 1442695040888963407ull;
				unsigned r = (unsigned)(seed >> 56);
				char c = r < 200 ? alphabet[r % (sizeof alphabet - 1)]
						 : (char)(0x80 + r % 0x80);
				q[at++] = c;
			}
			q[at] = '\0';
		}
		struct answer a = api(f, rests[iter % 4], q);
		if (a.status != 200 && a.status != 400 && a.status != 404)
			fail_msg("%s?%s: status %d", rests[iter % 4], q,
				 a.status);
		json_decref(a.json);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_list_shape, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_params, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_article, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sources, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_database, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_random_params, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
