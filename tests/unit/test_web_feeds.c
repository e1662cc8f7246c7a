/*
 * test_web_feeds.c - the site's own feeds (RSS 2.0, Atom 1.0, JSON Feed
 * 1.1; site, source and tag), /sitemap.xml and the JSON-LD of article pages,
 * rendered against an in-memory store holding hostile text (markup in
 * titles, control characters, invalid UTF-8, U+FFFE, U+2028, javascript:
 * links, a file:// source). Each XML output is checked for well-formedness
 * with expat and for bytes XML 1.0 forbids; each feed is read back with our
 * own parser (feed_parse) and compared item by item.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"
#include "core/time.h"
#include "feed/feed.h"
#include "store/store.h"
#include "web/web_int.h"

#include <expat.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BASE "https://news.example"
#define T0 1704503400 /* 2024-01-06T01:10:00Z */

struct fixture {
	struct store *st;
	struct td_config cfg;
	int64_t src[3]; /* http source, file:// source, empty source */
	int64_t ids[3]; /* oldest first */
};

static char *tag_lists[3][3] = {
	{ "Politics", "City Hall", NULL },
	{ "politics", NULL, NULL },
	{ "Only Here", "a/b", NULL },
};

static int add_source(struct fixture *f, const char *url, const char *site,
		      const char *title, int64_t *id)
{
	struct store_source s = { 0 };
	s.url = (char *)url;
	s.site_url = (char *)site;
	s.title = (char *)title;
	return store_source_add(f->st, &s, id);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct td_error err = { 0 };
	if (!f || store_open(NULL, STORE_MEMORY, &f->st, &err))
		return -1;
	td_config_defaults(&f->cfg);
	if (add_source(f, "http://src.test/feed.xml", "http://src.test/",
		       "Harbour <Gazette> & Co", &f->src[0]) ||
	    add_source(f, "file:///srv/local.xml", NULL, "Local", &f->src[1]) ||
	    add_source(f, "https://empty.test/feed", "https://empty.test/",
		       "Empty", &f->src[2]))
		return -1;

	struct store_attachment att[2] = {
		{ (char *)"http://src.test/a.mp3", (char *)"audio/mpeg", 1234,
		  60 },
		{ (char *)"javascript:alert(1)", NULL, -1, -1 },
	};
	struct store_article a[3];
	memset(a, 0, sizeof a);
	a[0].source_id = f->src[0];
	a[0].guid = (char *)"g0";
	a[0].url = (char *)"http://src.test/a?x=1&y=2";
	a[0].title = (char *)"First & <b>bold</b>";
	a[0].author = (char *)"Ann Smith, Bob Jones";
	a[0].summary = (char *)"A <summary> & more";
	a[0].content_html = (char *)"<p>Safe <em>body</em> &amp; more</p>";
	a[0].content_text = (char *)"Safe body & more";
	a[0].image = (char *)"https://src.test/i.jpg";
	a[0].language = (char *)"en-GB";
	a[0].published = T0;
	a[0].updated = T0 + 6600;
	a[0].first_seen = T0 + 100;
	a[0].tags = tag_lists[0];
	a[0].n_tags = 2;
	a[0].attachments = att;
	a[0].n_attachments = 2;

	a[1].source_id = f->src[0];
	a[1].guid = (char *)"g1";
	a[1].url = (char *)"javascript:alert(1)";
	a[1].title = (char *)"Bell\x07 \x01ring\there \xEF\xBF\xBE end \xff bad";
	a[1].content_html = (char *)"<p>x\x0by\x1b</p>";
	a[1].content_text = (char *)"text body";
	a[1].image = (char *)"javascript:alert(2)";
	a[1].language = (char *)"en\" onload=\"x";
	a[1].published = T0 + 60;
	a[1].updated = TD_TIME_NONE;
	a[1].first_seen = T0 + 5000; /* seen last */
	a[1].tags = tag_lists[1];
	a[1].n_tags = 1;

	a[2].source_id = f->src[1];
	a[2].guid = (char *)"g2";
	a[2].url = (char *)"https://other.test/p";
	a[2].title = (char *)"</script><script>alert(1)</script>";
	a[2].summary = (char *)"line\xe2\x80\xa8sep \xe2\x80\xa9 done";
	a[2].published = T0 + 120;
	a[2].updated = TD_TIME_NONE;
	a[2].first_seen = T0 + 200;
	a[2].tags = tag_lists[2];
	a[2].n_tags = 2;
	for (int i = 0; i < 3; i++)
		if (store_article_insert(f->st, &a[i], &f->ids[i]))
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

static void req_for(struct fixture *f, struct web_req *req, const char *path)
{
	memset(req, 0, sizeof *req);
	req->method = WEB_GET;
	req->path = path;
	req->rest = "";
	req->cfg = &f->cfg;
	req->st = f->st;
	req->base_url = BASE;
	req->now = T0 + 9999;
}

/* ---- checks --------------------------------------------------------------- */

/* Well-formed XML (expat, which also rejects characters XML forbids). */
static void assert_well_formed(const char *p, size_t n)
{
	XML_Parser x = XML_ParserCreate(NULL);
	assert_non_null(x);
	enum XML_Status s = XML_Parse(x, p, (int)n, 1);
	if (s != XML_STATUS_OK)
		fail_msg("not well-formed: %s at line %lu col %lu",
			 XML_ErrorString(XML_GetErrorCode(x)),
			 (unsigned long)XML_GetCurrentLineNumber(x),
			 (unsigned long)XML_GetCurrentColumnNumber(x));
	XML_ParserFree(x);
}

/* Valid UTF-8 with no C0 control but tab/LF/CR and (xml) no
 * U+FFFE/U+FFFF. */
static void assert_clean_chars(const char *p, size_t n, int xml)
{
	assert_true(td_utf8_valid(p, n));
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			fail_msg("control byte %#x at %zu", c, i);
		if (xml && c == 0xEF && i + 2 < n && (unsigned char)p[i + 1] == 0xBF &&
		    ((unsigned char)p[i + 2] == 0xBE ||
		     (unsigned char)p[i + 2] == 0xBF))
			fail_msg("U+FFFE/F at %zu", i);
	}
}

static void article_url(struct td_buf *b, const struct fixture *f, int i)
{
	static const char *slugs[3] = { "first-b-bold-b",
					"bell-ring-here-end-bad",
					"script-script-alert-1-script" };
	td_buf_reset(b);
	td_buf_printf(b, BASE "/a/%lld-%s", (long long)f->ids[i], slugs[i]);
}

static struct feed *parse(const struct web_resp *r)
{
	struct feed *fd = NULL;
	struct td_error err = { 0 };
	int rc = feed_parse(r->body.p, r->body.len, NULL, &fd, &err);
	if (rc)
		fail_msg("feed_parse: %s", err.msg);
	assert_int_equal(fd->n_warnings, 0);
	return fd;
}

static int has_tag(const struct feed_item *it, const char *t)
{
	for (size_t i = 0; i < it->n_tags; i++)
		if (!strcmp(it->tags[i], t))
			return 1;
	return 0;
}

/* Render the site feed of kind and check what every kind must show. */
static void check_site_feed(struct fixture *f, const char *path, int kind,
			    const char *ctype)
{
	struct web_req req;
	struct web_resp resp;
	req_for(f, &req, path);
	web_resp_init(&resp);
	assert_int_equal(web_page_feed(&req, &resp), 0);
	assert_int_equal(td_buf_err(&resp.body), 0);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.content_type, ctype);
	assert_int_equal(resp.cc, WEB_CC_SHORT);
	assert_int_equal(resp.cacheable, 1);
	assert_int_equal(resp.last_modified, T0 + 5000);
	const char *b = td_buf_cstr(&resp.body);
	assert_clean_chars(b, resp.body.len, kind != WEB_FEED_JSON);
	if (kind != WEB_FEED_JSON)
		assert_well_formed(b, resp.body.len);
	/* javascript: never published; a file:// source stays private */
	assert_null(strstr(b, "javascript:"));
	assert_null(strstr(b, "file:"));
	assert_null(strstr(b, "onload"));

	struct feed *fd = parse(&resp);
	assert_string_equal(fd->title, "tidings");
	assert_string_equal(fd->home_page_url, BASE "/");
	char self[64];
	snprintf(self, sizeof self, "%s%s", BASE, path);
	assert_string_equal(fd->feed_url, self);
	assert_int_equal(fd->n_items, 3);
	struct td_buf u;
	td_buf_init(&u, 0);
	/* newest first: ids[2], ids[1], ids[0] */
	for (int k = 0; k < 3; k++) {
		const struct feed_item *it = &fd->items[k];
		article_url(&u, f, 2 - k);
		assert_string_equal(it->url, td_buf_cstr(&u));
		assert_string_equal(it->id, td_buf_cstr(&u));
	}
	const struct feed_item *i0 = &fd->items[2], *i1 = &fd->items[1],
			       *i2 = &fd->items[0];
	assert_string_equal(i0->title, "First & <b>bold</b>");
	assert_string_equal(i2->title, "</script><script>alert(1)</script>");
	/* the controls and U+FFFE are gone, the bad byte is U+FFFD */
	assert_non_null(strstr(i1->title, "Bell"));
	assert_non_null(strstr(i1->title, "ring"));
	assert_non_null(strstr(i1->title, "end \xEF\xBF\xBD bad"));
	assert_null(strchr(i1->title, '\x07'));
	/* the original link */
	assert_string_equal(i0->external_url, "http://src.test/a?x=1&y=2");
	assert_null(i1->external_url);
	assert_string_equal(i2->external_url, "https://other.test/p");
	/* dates */
	assert_int_equal(i0->date_published, T0);
	assert_int_equal(i2->date_published, T0 + 120);
	if (kind != WEB_FEED_RSS)
		assert_int_equal(i0->date_modified, T0 + 6600);
	/* authors, tags, body, summary, enclosures */
	assert_int_equal(i0->n_authors, 2);
	assert_string_equal(i0->authors[0].name, "Ann Smith");
	assert_string_equal(i0->authors[1].name, "Bob Jones");
	assert_true(has_tag(i0, "Politics"));
	assert_true(has_tag(i0, "City Hall"));
	assert_true(has_tag(i2, "a/b"));
	assert_string_equal(i0->content_html,
			    "<p>Safe <em>body</em> &amp; more</p>");
	assert_string_equal(i0->summary, "A <summary> & more");
	/* RSS: a description without a body is the body */
	assert_string_equal(kind == WEB_FEED_RSS ? i2->content_html
						 : i2->summary,
			    "line\xe2\x80\xa8sep \xe2\x80\xa9 done");
	assert_non_null(strstr(i1->content_html, "<p>xy</p>"));
	assert_int_equal(i0->n_attachments, 1);
	assert_string_equal(i0->attachments[0].url, "http://src.test/a.mp3");
	assert_string_equal(i0->attachments[0].mime_type, "audio/mpeg");
	assert_int_equal(i0->attachments[0].size_in_bytes, 1234);
	if (kind == WEB_FEED_JSON) {
		assert_int_equal(i0->attachments[0].duration_in_seconds, 60);
		assert_string_equal(i0->image, "https://src.test/i.jpg");
		assert_null(i1->image);
		assert_string_equal(i0->language, "en-GB");
	}
	td_buf_release(&u);
	feed_free(fd);
	web_resp_release(&resp);
}

/* ---- feeds ---------------------------------------------------------------- */

static void test_rss(void **state)
{
	struct fixture *f = *state;
	check_site_feed(f, "/feed.xml", WEB_FEED_RSS,
			"application/rss+xml; charset=utf-8");
	struct web_req req;
	struct web_resp resp;
	req_for(f, &req, "/feed.xml");
	web_resp_init(&resp);
	assert_int_equal(web_page_feed(&req, &resp), 0);
	const char *b = td_buf_cstr(&resp.body);
	/* RFC 822 dates, the self link, guid, source, description as
	 * escaped HTML */
	assert_non_null(strstr(b, "<pubDate>Sat, 06 Jan 2024 01:10:00 GMT"
				  "</pubDate>"));
	assert_non_null(strstr(b, "<lastBuildDate>Sat, 06 Jan 2024 02:33:20 "
				  "GMT</lastBuildDate>"));
	assert_non_null(strstr(b, "<atom:link rel=\"self\" type=\"application/"
				  "rss+xml\" href=\"" BASE "/feed.xml\"/>"));
	assert_non_null(strstr(b, "<guid isPermaLink=\"true\">" BASE "/a/"));
	assert_non_null(strstr(b, "<source url=\"http://src.test/feed.xml\">"
				  "Harbour &lt;Gazette&gt; &amp; Co</source>"));
	assert_non_null(strstr(b, "<atom:link rel=\"via\" href=\"http://"
				  "src.test/a?x=1&amp;y=2\"/>"));
	assert_non_null(strstr(b, "<description>A &amp;lt;summary&amp;gt; "
				  "&amp;amp; more</description>"));
	assert_non_null(strstr(b, "<enclosure url=\"http://src.test/a.mp3\" "
				  "length=\"1234\" type=\"audio/mpeg\"/>"));
	assert_non_null(strstr(b, "<dc:creator>Ann Smith</dc:creator>"));
	assert_non_null(strstr(b, "<language>en</language>"));
	/* no <source> without an http feed URL (the file:// source) */
	assert_null(strstr(b, ">Local</source>"));
	web_resp_release(&resp);
}

static void test_atom(void **state)
{
	struct fixture *f = *state;
	check_site_feed(f, "/atom.xml", WEB_FEED_ATOM,
			"application/atom+xml; charset=utf-8");
	struct web_req req;
	struct web_resp resp;
	req_for(f, &req, "/atom.xml");
	web_resp_init(&resp);
	assert_int_equal(web_page_feed(&req, &resp), 0);
	const char *b = td_buf_cstr(&resp.body);
	char d[32];
	char want[128];
	snprintf(want, sizeof want, "<updated>%s</updated>",
		 td_time_rfc3339(T0 + 5000, d));
	assert_non_null(strstr(b, want));
	assert_non_null(strstr(b, "<published>2024-01-06T01:10:00Z"
				  "</published>"));
	snprintf(want, sizeof want, "<updated>%s</updated>",
		 td_time_rfc3339(T0 + 6600, d));
	assert_non_null(strstr(b, want));
	assert_non_null(strstr(b, "<entry xml:lang=\"en-GB\">"));
	assert_non_null(strstr(b, "<link rel=\"self\" type=\"application/"
				  "atom+xml\" href=\"" BASE "/atom.xml\"/>"));
	assert_non_null(strstr(b, "<link rel=\"via\" href=\"http://src.test/"
				  "a?x=1&amp;y=2\"/>"));
	assert_non_null(strstr(b, "<category term=\"City Hall\"/>"));
	assert_non_null(strstr(b, "<content type=\"html\">&lt;p&gt;Safe "));
	assert_non_null(strstr(b, "<source>\n      <id>http://src.test/"
				  "feed.xml</id>\n      <title type=\"text\">"
				  "Harbour &lt;Gazette&gt; &amp; Co</title>"));
	assert_non_null(strstr(b, "<link rel=\"enclosure\" href=\"http://"
				  "src.test/a.mp3\" type=\"audio/mpeg\" "
				  "length=\"1234\"/>"));
	/* the file:// source: a title, no URL */
	assert_non_null(strstr(b, "<source>\n      <title type=\"text\">"
				  "Local</title>\n    </source>"));
	web_resp_release(&resp);
}

static void test_json(void **state)
{
	struct fixture *f = *state;
	check_site_feed(f, "/feed.json", WEB_FEED_JSON,
			"application/feed+json; charset=utf-8");
	struct web_req req;
	struct web_resp resp;
	req_for(f, &req, "/feed.json");
	web_resp_init(&resp);
	assert_int_equal(web_page_feed(&req, &resp), 0);
	json_error_t je;
	json_t *root = json_loadb(resp.body.p, resp.body.len, 0, &je);
	if (!root)
		fail_msg("JSON: %s", je.text);
	assert_string_equal(
		json_string_value(json_object_get(root, "version")),
		"https://jsonfeed.org/version/1.1");
	assert_string_equal(
		json_string_value(json_object_get(root, "language")), "en");
	json_t *items = json_object_get(root, "items");
	assert_int_equal(json_array_size(items), 3);
	json_t *i0 = json_array_get(items, 2);
	json_t *src = json_object_get(i0, "_source");
	assert_string_equal(json_string_value(json_object_get(src, "title")),
			    "Harbour <Gazette> & Co");
	assert_string_equal(
		json_string_value(json_object_get(src, "feed_url")),
		"http://src.test/feed.xml");
	assert_string_equal(
		json_string_value(json_object_get(i0, "date_modified")),
		"2024-01-06T03:00:00Z");
	/* the article without html body has content_text */
	json_t *i2 = json_array_get(items, 0);
	assert_non_null(json_object_get(i2, "content_text"));
	assert_null(json_object_get(json_object_get(i2, "_source"),
				    "feed_url"));
	json_decref(root);
	web_resp_release(&resp);
}

static int count(const char *s, const char *needle)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void render(struct fixture *f, int kind, int64_t source_id,
		   const char *tag, const char *path, struct web_resp *resp,
		   int want)
{
	struct web_req req;
	req_for(f, &req, path);
	web_resp_init(resp);
	assert_int_equal(web_feed_render(&req, resp, kind, source_id, tag),
			 want);
}

static void test_source_and_tag_feeds(void **state)
{
	struct fixture *f = *state;
	struct web_resp r;
	static const int kinds[] = { WEB_FEED_RSS, WEB_FEED_ATOM,
				     WEB_FEED_JSON };
	static const char *files[] = { "feed.xml", "atom.xml", "feed.json" };
	char self[256];
	for (int k = 0; k < 3; k++) {
		/* a source: its two articles */
		render(f, kinds[k], f->src[0], NULL, "/s/x", &r, 0);
		struct feed *fd = parse(&r);
		assert_int_equal(fd->n_items, 2);
		assert_string_equal(fd->title,
				    "Harbour <Gazette> & Co - tidings");
		snprintf(self, sizeof self, BASE "/s/%lld-harbour-gazette-co/%s",
			 (long long)f->src[0], files[k]);
		assert_string_equal(fd->feed_url, self);
		self[strlen(self) - strlen(files[k]) - 1] = '\0';
		assert_string_equal(fd->home_page_url, self);
		assert_int_equal(r.last_modified, T0 + 5000);
		if (kinds[k] != WEB_FEED_JSON)
			assert_well_formed(r.body.p, r.body.len);
		feed_free(fd);
		web_resp_release(&r);

		/* a source without articles: an empty feed */
		render(f, kinds[k], f->src[2], NULL, "/s/x", &r, 0);
		fd = parse(&r);
		assert_int_equal(fd->n_items, 0);
		assert_string_equal(fd->title, "Empty - tidings");
		assert_true(r.last_modified == TD_TIME_NONE);
		if (kinds[k] != WEB_FEED_JSON)
			assert_well_formed(r.body.p, r.body.len);
		feed_free(fd);
		web_resp_release(&r);

		/* unknown source */
		render(f, kinds[k], 999, NULL, "/s/x", &r, TD_ENOTFOUND);
		web_resp_release(&r);

		/* a tag, case-insensitively, spelt as stored */
		render(f, kinds[k], 0, "POLITICS", "/t/x", &r, 0);
		fd = parse(&r);
		assert_int_equal(fd->n_items, 2);
		assert_int_equal(strncmp(fd->title, "#politics - tidings", 19),
				 0);
		snprintf(self, sizeof self, BASE "/t/POLITICS/%s", files[k]);
		assert_string_equal(fd->feed_url, self);
		feed_free(fd);
		web_resp_release(&r);

		/* a tag with a space and one with a slash: percent-encoded */
		render(f, kinds[k], 0, "City Hall", "/t/x", &r, 0);
		fd = parse(&r);
		assert_int_equal(fd->n_items, 1);
		assert_string_equal(fd->title, "#City Hall - tidings");
		snprintf(self, sizeof self, BASE "/t/City%%20Hall/%s",
			 files[k]);
		assert_string_equal(fd->feed_url, self);
		feed_free(fd);
		web_resp_release(&r);
		render(f, kinds[k], 0, "a/b", "/t/x", &r, 0);
		assert_non_null(strstr(td_buf_cstr(&r.body), "/t/a%2Fb/"));
		web_resp_release(&r);

		/* tags nobody has, empty, absurdly long */
		render(f, kinds[k], 0, "nope", "/t/x", &r, TD_ENOTFOUND);
		web_resp_release(&r);
		render(f, kinds[k], 0, "", "/t/x", &r, TD_ENOTFOUND);
		web_resp_release(&r);
		char longtag[600];
		memset(longtag, 'x', sizeof longtag - 1);
		longtag[sizeof longtag - 1] = '\0';
		render(f, kinds[k], 0, longtag, "/t/x", &r, TD_ENOTFOUND);
		web_resp_release(&r);

		/* both filters */
		render(f, kinds[k], f->src[1], "Only Here", "/s/x", &r, 0);
		fd = parse(&r);
		assert_int_equal(fd->n_items, 1);
		feed_free(fd);
		web_resp_release(&r);
	}
	render(f, 0, 0, NULL, "/x", &r, TD_EINVAL);
	web_resp_release(&r);
	render(f, 7, 0, NULL, "/x", &r, TD_EINVAL);
	web_resp_release(&r);
	/* an unknown feed path */
	struct web_req req;
	req_for(f, &req, "/feed.rss");
	web_resp_init(&r);
	assert_int_equal(web_page_feed(&req, &r), TD_ENOTFOUND);
	web_resp_release(&r);
}

static void test_empty_site(void **state)
{
	(void)state;
	struct fixture f = { 0 };
	struct td_error err = { 0 };
	assert_int_equal(store_open(NULL, STORE_MEMORY, &f.st, &err), 0);
	td_config_defaults(&f.cfg);
	static const char *paths[] = { "/feed.xml", "/atom.xml", "/feed.json" };
	for (int k = 0; k < 3; k++) {
		struct web_req req;
		struct web_resp r;
		req_for(&f, &req, paths[k]);
		web_resp_init(&r);
		assert_int_equal(web_page_feed(&req, &r), 0);
		assert_true(r.last_modified == TD_TIME_NONE);
		if (k < 2)
			assert_well_formed(r.body.p, r.body.len);
		struct feed *fd = parse(&r);
		assert_int_equal(fd->n_items, 0);
		assert_string_equal(fd->title, "tidings");
		feed_free(fd);
		if (k == 1) /* Atom's updated is required: the time now */
			assert_non_null(strstr(td_buf_cstr(&r.body),
					       "<updated>2024-01-06T03:56:39Z"
					       "</updated>"));
		if (k == 2)
			assert_non_null(strstr(td_buf_cstr(&r.body),
					       "\"items\":[]}"));
		web_resp_release(&r);
	}
	/* the sitemap of an empty site: home and about */
	struct web_req req;
	struct web_resp r;
	req_for(&f, &req, "/sitemap.xml");
	web_resp_init(&r);
	assert_int_equal(web_page_sitemap(&req, &r), 0);
	assert_well_formed(r.body.p, r.body.len);
	assert_int_equal(count(td_buf_cstr(&r.body), "<url>"), 2);
	web_resp_release(&r);
	store_close(f.st);
	td_config_release(&f.cfg);
}

static void test_dates_clamped(void **state)
{
	struct fixture *f = *state;
	struct store_article a = { 0 };
	a.source_id = f->src[2];
	a.guid = (char *)"old";
	a.url = (char *)"https://empty.test/old";
	a.title = (char *)"Far past";
	a.published = -99999999999LL;
	a.updated = 999999999999LL;
	a.first_seen = T0;
	int64_t id;
	assert_int_equal(store_article_insert(f->st, &a, &id), 0);
	struct web_resp r;
	render(f, WEB_FEED_ATOM, f->src[2], NULL, "/s/x", &r, 0);
	const char *b = td_buf_cstr(&r.body);
	assert_non_null(strstr(b, "<published>0001-01-01T00:00:00Z"));
	assert_non_null(strstr(b, "<updated>9999-12-31T23:59:59Z"));
	web_resp_release(&r);
	render(f, WEB_FEED_RSS, f->src[2], NULL, "/s/x", &r, 0);
	assert_non_null(strstr(td_buf_cstr(&r.body),
			       "<pubDate>Mon, 01 Jan 0001 00:00:00 GMT"));
	assert_well_formed(r.body.p, r.body.len);
	web_resp_release(&r);
}

/* Big bodies: an item too big alone loses its body; the feed stops
 * growing at its budget instead of failing. */
static void test_big_bodies(void **state)
{
	struct fixture *f = *state;
	size_t n = 1500000;
	char *lt = malloc(n + 1), *bold = malloc(n + 1);
	assert_non_null(lt);
	assert_non_null(bold);
	memset(lt, '<', n);
	lt[n] = '\0';
	for (size_t i = 0; i < n; i += 3)
		memcpy(bold + i, "<b>", 3);
	bold[n] = '\0';
	for (int i = 0; i < 4; i++) {
		struct store_article a = { 0 };
		char guid[8];
		snprintf(guid, sizeof guid, "big%d", i);
		a.source_id = f->src[2];
		a.guid = guid;
		a.url = (char *)"https://empty.test/big";
		a.title = guid;
		a.summary = (char *)"short";
		/* oldest: 1.5 MB of '<' (6 MB escaped); then 1.5 MB of
		 * "<b>" (4.5 MB escaped... over the item limit too) */
		a.content_html = i == 0 ? lt : bold;
		a.published = T0 + i;
		a.updated = TD_TIME_NONE;
		a.first_seen = T0;
		int64_t id;
		assert_int_equal(store_article_insert(f->st, &a, &id), 0);
	}
	struct web_resp r;
	render(f, WEB_FEED_RSS, f->src[2], NULL, "/s/x", &r, 0);
	struct feed *fd = parse(&r);
	assert_int_equal(fd->n_items, 4);
	for (size_t i = 0; i < fd->n_items; i++) /* bodies dropped */
		assert_string_equal(fd->items[i].content_html, "short");
	feed_free(fd);
	web_resp_release(&r);
	/* JSON does not escape markup: 1.5 MB items fit */
	render(f, WEB_FEED_JSON, f->src[2], NULL, "/s/x", &r, 0);
	fd = parse(&r);
	assert_int_equal(fd->n_items, 4);
	assert_int_equal(strlen(fd->items[0].content_html), n);
	feed_free(fd);
	web_resp_release(&r);

	/* 1.1 MB of "<b>" is 3.3 MB escaped: fits an item, and two fill
	 * the 8 MB budget */
	for (int i = 0; i < 3; i++) {
		struct store_article a = { 0 };
		char guid[8];
		snprintf(guid, sizeof guid, "mid%d", i);
		bold[1100001] = '\0';
		a.source_id = f->src[1];
		a.guid = guid;
		a.url = (char *)"https://other.test/mid";
		a.title = guid;
		a.content_html = bold;
		a.published = T0 + 1000 + i;
		a.updated = TD_TIME_NONE;
		a.first_seen = T0;
		int64_t id;
		assert_int_equal(store_article_insert(f->st, &a, &id), 0);
	}
	render(f, WEB_FEED_ATOM, f->src[1], NULL, "/s/x", &r, 0);
	assert_well_formed(r.body.p, r.body.len);
	fd = parse(&r);
	assert_int_equal(fd->n_items, 2);
	assert_true(strlen(fd->items[0].content_html) > 1000000);
	feed_free(fd);
	web_resp_release(&r);
	free(lt);
	free(bold);
}

/* ---- sitemap -------------------------------------------------------------- */

static void test_sitemap(void **state)
{
	struct fixture *f = *state;
	struct web_req req;
	struct web_resp r;
	req_for(f, &req, "/sitemap.xml");
	web_resp_init(&r);
	assert_int_equal(web_page_sitemap(&req, &r), 0);
	assert_string_equal(r.content_type, "application/xml; charset=utf-8");
	assert_int_equal(r.cacheable, 1);
	assert_int_equal(r.last_modified, T0 + 5000);
	const char *b = td_buf_cstr(&r.body);
	assert_well_formed(b, r.body.len);
	assert_clean_chars(b, r.body.len, 1);
	assert_non_null(strstr(b, "<urlset xmlns=\"http://www.sitemaps.org/"
				  "schemas/sitemap/0.9\">"));
	assert_non_null(strstr(b, "<url><loc>" BASE "/</loc><lastmod>"
				  "2024-01-06T02:33:20Z</lastmod></url>"));
	assert_non_null(strstr(b, "<url><loc>" BASE "/about</loc></url>"));
	char want[256];
	snprintf(want, sizeof want, "<loc>" BASE "/s/%lld-harbour-gazette-co<",
		 (long long)f->src[0]);
	assert_non_null(strstr(b, want));
	snprintf(want, sizeof want, "<loc>" BASE "/s/%lld-local<",
		 (long long)f->src[1]);
	assert_non_null(strstr(b, want));
	/* a source without articles has no page worth listing */
	snprintf(want, sizeof want, "<loc>" BASE "/s/%lld-empty<",
		 (long long)f->src[2]);
	assert_null(strstr(b, want));
	assert_true(strstr(b, "<loc>" BASE "/t/Politics</loc>") ||
		    strstr(b, "<loc>" BASE "/t/politics</loc>"));
	assert_non_null(strstr(b, "<loc>" BASE "/t/City%20Hall</loc>"));
	assert_non_null(strstr(b, "<loc>" BASE "/t/Only%20Here</loc>"));
	assert_non_null(strstr(b, "<loc>" BASE "/t/a%2Fb</loc>"));
	struct td_buf u;
	td_buf_init(&u, 0);
	for (int i = 0; i < 3; i++) {
		article_url(&u, f, i);
		snprintf(want, sizeof want, "<loc>%s</loc>", td_buf_cstr(&u));
		assert_non_null(strstr(b, want));
	}
	td_buf_release(&u);
	/* an updated article's lastmod is its update */
	assert_non_null(strstr(b, "-first-b-bold-b</loc><lastmod>"
				  "2024-01-06T03:00:00Z</lastmod>"));
	/* 2 + 2 sources + 4 tags (Politics/politics once) + 3 articles */
	assert_int_equal(count(b, "<url>"), 2 + 2 + 4 + 3);
	web_resp_release(&r);
}

static void test_sitemap_cap(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(store_begin(f->st), 0);
	for (int i = 0; i < 10100; i++) {
		struct store_article a = { 0 };
		char guid[16], title[32];
		snprintf(guid, sizeof guid, "m%d", i);
		snprintf(title, sizeof title, "Story %d", i);
		a.source_id = f->src[2];
		a.guid = guid;
		a.url = (char *)"https://empty.test/s";
		a.title = title;
		a.published = T0 + 10 * i;
		a.updated = TD_TIME_NONE;
		a.first_seen = T0 + 10 * i;
		int64_t id;
		assert_int_equal(store_article_insert(f->st, &a, &id), 0);
	}
	assert_int_equal(store_commit(f->st), 0);
	struct web_req req;
	struct web_resp r;
	req_for(f, &req, "/sitemap.xml");
	web_resp_init(&r);
	assert_int_equal(web_page_sitemap(&req, &r), 0);
	const char *b = td_buf_cstr(&r.body);
	assert_well_formed(b, r.body.len);
	assert_int_equal(count(b, "<url>"), 10000);
	/* the newest story is in, the fixture's old ones are not */
	assert_non_null(strstr(b, "-story-10099</loc>"));
	assert_null(strstr(b, "-first-b-bold-b</loc>"));
	web_resp_release(&r);
}

/* ---- JSON-LD -------------------------------------------------------------- */

static json_t *jsonld(struct fixture *f, const struct store_article *a,
		      const char *name, const char *url, struct td_buf *out)
{
	struct web_req req;
	req_for(f, &req, "/a/x");
	td_buf_reset(out);
	assert_int_equal(web_jsonld_article(out, &req, a, name, url), 0);
	const char *s = td_buf_cstr(out);
	/* nothing that can end the script element or a JS string */
	assert_null(strchr(s, '<'));
	assert_null(strchr(s, '>'));
	assert_null(strchr(s, '&'));
	assert_null(strstr(s, "\xe2\x80\xa8"));
	assert_null(strstr(s, "\xe2\x80\xa9"));
	json_error_t je;
	json_t *root = json_loadb(out->p, out->len, 0, &je);
	if (!root)
		fail_msg("JSON-LD: %s: %s", je.text, s);
	return root;
}

static const char *jget(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void test_jsonld(void **state)
{
	struct fixture *f = *state;
	struct store_article a;
	struct td_buf out;
	td_buf_init(&out, 0);
	assert_int_equal(store_article_get(f->st, f->ids[2], &a), 0);
	json_t *o = jsonld(f, &a, "Local <b>", "file:///srv/local.xml", &out);
	assert_non_null(strstr(td_buf_cstr(&out),
			       "\\u003c/script\\u003e\\u003cscript\\u003e"));
	assert_string_equal(jget(o, "@context"), "https://schema.org");
	assert_string_equal(jget(o, "@type"), "NewsArticle");
	assert_string_equal(jget(o, "headline"),
			    "</script><script>alert(1)</script>");
	assert_string_equal(jget(o, "datePublished"), "2024-01-06T01:12:00Z");
	assert_string_equal(jget(o, "dateModified"), "2024-01-06T01:12:00Z");
	assert_string_equal(jget(o, "description"),
			    "line\xe2\x80\xa8sep \xe2\x80\xa9 done");
	assert_string_equal(jget(o, "isBasedOn"), "https://other.test/p");
	char url[128];
	snprintf(url, sizeof url, BASE "/a/%lld-script-script-alert-1-script",
		 (long long)f->ids[2]);
	assert_string_equal(jget(o, "url"), url);
	json_t *m = json_object_get(o, "mainEntityOfPage");
	assert_string_equal(jget(m, "@type"), "WebPage");
	assert_string_equal(jget(m, "@id"), url);
	json_t *p = json_object_get(o, "publisher");
	assert_string_equal(jget(p, "@type"), "Organization");
	assert_string_equal(jget(p, "name"), "Local <b>");
	assert_null(json_object_get(p, "url")); /* not http */
	assert_null(json_object_get(o, "author"));
	assert_null(json_object_get(o, "image"));
	json_decref(o);
	store_article_release(&a);

	assert_int_equal(store_article_get(f->st, f->ids[0], &a), 0);
	o = jsonld(f, &a, "Harbour", "http://src.test/", &out);
	json_t *au = json_object_get(o, "author");
	assert_int_equal(json_array_size(au), 2);
	assert_string_equal(jget(json_array_get(au, 0), "@type"), "Person");
	assert_string_equal(jget(json_array_get(au, 1), "name"), "Bob Jones");
	assert_string_equal(jget(o, "dateModified"), "2024-01-06T03:00:00Z");
	assert_string_equal(jget(o, "image"), "https://src.test/i.jpg");
	assert_string_equal(jget(o, "inLanguage"), "en-GB");
	assert_string_equal(jget(json_object_get(o, "publisher"), "url"),
			    "http://src.test/");
	assert_string_equal(jget(o, "description"), "A <summary> & more");
	json_decref(o);
	store_article_release(&a);

	/* javascript: links, bad bytes, controls */
	assert_int_equal(store_article_get(f->st, f->ids[1], &a), 0);
	o = jsonld(f, &a, NULL, NULL, &out);
	assert_null(json_object_get(o, "isBasedOn"));
	assert_null(json_object_get(o, "image"));
	assert_null(json_object_get(o, "publisher"));
	assert_null(json_object_get(o, "inLanguage"));
	assert_non_null(strstr(jget(o, "headline"), "end \xEF\xBF\xBD bad"));
	assert_string_equal(jget(o, "description"), "text body");
	json_decref(o);
	store_article_release(&a);

	/* a long headline is cut on a word, within 110 characters */
	memset(&a, 0, sizeof a);
	a.id = 5;
	a.published = T0;
	a.updated = TD_TIME_NONE;
	char title[600] = "";
	for (int i = 0; i < 30; i++)
		strncat(title, "\xc3\xa9t\xc3\xa9 word ", sizeof title - 1 - strlen(title));
	a.title = title;
	o = jsonld(f, &a, "S", NULL, &out);
	const char *h = jget(o, "headline");
	size_t chars = 0;
	for (const char *q = h; *q; q++)
		chars += ((unsigned char)*q & 0xC0) != 0x80;
	assert_true(chars <= 110);
	assert_true(chars >= 100);
	size_t hl = strlen(h);
	assert_true(hl > 3 && !strcmp(h + hl - 3, "\xe2\x80\xa6"));
	/* the character before the ellipsis ends a word */
	assert_true(!strncmp(h + hl - 7, "word", 4) ||
		    !strncmp(h + hl - 9, "\xc3\xa9t\xc3\xa9", 6));
	json_decref(o);
	/* one long word: a hard cut at a character boundary */
	memset(title, 'x', 300);
	title[300] = '\0';
	o = jsonld(f, &a, "S", NULL, &out);
	assert_int_equal(strlen(jget(o, "headline")), 109 + 3);
	json_decref(o);
	td_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rss, setup, teardown),
		cmocka_unit_test_setup_teardown(test_atom, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_and_tag_feeds,
						setup, teardown),
		cmocka_unit_test(test_empty_site),
		cmocka_unit_test_setup_teardown(test_dates_clamped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_big_bodies, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sitemap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sitemap_cap, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_jsonld, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
