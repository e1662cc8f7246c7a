/* test_feed_json.c - feed_parse_json: JSON Feed 1.0 and 1.1 mapping, wrong
 * types, numeric ids, URL resolution, repairs (invalid UTF-8, control
 * characters, huge numbers, truncation), hostile input (deep nesting, many
 * items), and errors with positions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/limits.h"
#include "core/time.h"
#include "feed/feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1704503400 /* 2024-01-06T01:10:00Z */

/* Parse s (no NUL needed: an exact-size copy is passed, so ASan sees reads
 * past the end) and require success. */
static struct feed *parse_base(const char *s, size_t len, const char *base)
{
	struct feed_parse_opts o = { .base_url = base };
	struct td_error err = { 0 };
	struct feed *f = NULL;
	char *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, s, len);
	int rc = feed_parse_json(copy, len, &o, &f, &err);
	free(copy);
	if (rc)
		print_error("parse failed: %d %d:%d %s\n", rc, err.line, err.col,
			    err.msg);
	assert_int_equal(rc, 0);
	assert_non_null(f);
	/* the writer copes with whatever we built */
	struct td_buf b;
	td_buf_init(&b, 0);
	assert_int_equal(feed_to_jsonfeed(f, &b), 0);
	td_buf_release(&b);
	return f;
}

static struct feed *parse(const char *s)
{
	return parse_base(s, strlen(s), NULL);
}

/* Parse and require failure with code; returns the error. */
static struct td_error parse_fail(const char *s, size_t len, int code)
{
	struct td_error err = { 0 };
	struct feed *f = (struct feed *)1;
	char *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, s, len);
	int rc = feed_parse_json(copy, len, NULL, &f, &err);
	free(copy);
	assert_int_equal(rc, code);
	assert_null(f);
	assert_true(err.msg[0] != '\0');
	return err;
}

/* ---- mapping ---- */

static void test_v11_full(void **state)
{
	(void)state;
	struct feed *f = parse(
		"{\n"
		" \"version\": \"https://jsonfeed.org/version/1.1\",\n"
		" \"title\": \"  Example  News \",\n"
		" \"home_page_url\": \"https://example.org/\",\n"
		" \"feed_url\": \"https://example.org/feed.json\",\n"
		" \"description\": \"All the news\",\n"
		" \"user_comment\": \"ignored\",\n"
		" \"next_url\": \"https://example.org/feed.json?page=2\",\n"
		" \"icon\": \"https://example.org/icon.png\",\n"
		" \"favicon\": \"https://example.org/favicon.ico\",\n"
		" \"language\": \"en-GB\",\n"
		" \"expired\": false,\n"
		" \"hubs\": [{\"type\": \"WebSub\", \"url\": \"https://hub\"}],\n"
		" \"authors\": [{\"name\": \"Ann\", \"url\": "
		"\"https://example.org/ann\", \"avatar\": "
		"\"https://example.org/ann.png\"}],\n"
		" \"items\": [{\n"
		"  \"id\": \"tag:example.org,2024:1\",\n"
		"  \"url\": \"https://example.org/1\",\n"
		"  \"external_url\": \"https://other.example/story\",\n"
		"  \"title\": \"First\",\n"
		"  \"content_html\": \"<p>Hello</p>\",\n"
		"  \"content_text\": \"Hello\",\n"
		"  \"summary\": \"A greeting\",\n"
		"  \"image\": \"https://example.org/1.jpg\",\n"
		"  \"banner_image\": \"https://example.org/1b.jpg\",\n"
		"  \"date_published\": \"2024-01-06T01:10:00Z\",\n"
		"  \"date_modified\": \"2024-01-06T02:10:00+01:00\",\n"
		"  \"authors\": [{\"name\": \"Bob\"}, {\"name\": \"Cy\"}],\n"
		"  \"tags\": [\"world\", \"politics\"],\n"
		"  \"language\": \"fr\",\n"
		"  \"attachments\": [{\"url\": \"https://example.org/1.mp3\",\n"
		"    \"mime_type\": \"audio/mpeg\", \"title\": \"Episode\",\n"
		"    \"size_in_bytes\": 123456, \"duration_in_seconds\": 60}],\n"
		"  \"_ext\": {\"about\": \"x\"}\n"
		" }]\n"
		"}\n");
	assert_int_equal(f->format, FEED_FORMAT_JSON11);
	assert_int_equal(f->n_warnings, 0);
	assert_string_equal(f->title, "Example News");
	assert_string_equal(f->home_page_url, "https://example.org/");
	assert_string_equal(f->feed_url, "https://example.org/feed.json");
	assert_string_equal(f->description, "All the news");
	assert_string_equal(f->next_url, "https://example.org/feed.json?page=2");
	assert_string_equal(f->icon, "https://example.org/icon.png");
	assert_string_equal(f->favicon, "https://example.org/favicon.ico");
	assert_string_equal(f->language, "en-GB");
	assert_true(f->date_updated == TD_TIME_NONE);
	assert_int_equal(f->n_authors, 1);
	assert_string_equal(f->authors[0].name, "Ann");
	assert_string_equal(f->authors[0].url, "https://example.org/ann");
	assert_string_equal(f->authors[0].avatar, "https://example.org/ann.png");
	assert_int_equal(f->n_items, 1);
	struct feed_item *it = &f->items[0];
	assert_string_equal(it->id, "tag:example.org,2024:1");
	assert_string_equal(it->url, "https://example.org/1");
	assert_string_equal(it->external_url, "https://other.example/story");
	assert_string_equal(it->title, "First");
	assert_string_equal(it->content_html, "<p>Hello</p>");
	assert_string_equal(it->content_text, "Hello");
	assert_string_equal(it->summary, "A greeting");
	assert_string_equal(it->image, "https://example.org/1.jpg");
	assert_string_equal(it->banner_image, "https://example.org/1b.jpg");
	assert_int_equal(it->date_published, T0);
	assert_int_equal(it->date_modified, T0);
	assert_int_equal(it->comments, -1);
	assert_int_equal(it->n_authors, 2);
	assert_string_equal(it->authors[1].name, "Cy");
	assert_int_equal(it->n_tags, 2);
	assert_string_equal(it->tags[0], "world");
	assert_string_equal(it->tags[1], "politics");
	assert_string_equal(it->language, "fr");
	assert_int_equal(it->n_attachments, 1);
	assert_string_equal(it->attachments[0].url, "https://example.org/1.mp3");
	assert_string_equal(it->attachments[0].mime_type, "audio/mpeg");
	assert_string_equal(it->attachments[0].title, "Episode");
	assert_int_equal(it->attachments[0].size_in_bytes, 123456);
	assert_int_equal(it->attachments[0].duration_in_seconds, 60);
	feed_free(f);
}

static void test_v10(void **state)
{
	(void)state;
	struct feed *f = parse(
		"{\"version\": \"https://jsonfeed.org/version/1\","
		" \"title\": \"Old\", \"author\": {\"name\": \"Ann\","
		" \"url\": \"https://ann.example/\"},"
		" \"items\": [{\"id\": \"1\", \"content_text\": \"x\","
		" \"author\": {\"name\": \"Bob\", \"avatar\": "
		"\"https://b.example/b.png\"}}]}");
	assert_int_equal(f->format, FEED_FORMAT_JSON10);
	assert_int_equal(f->n_warnings, 0);
	assert_int_equal(f->n_authors, 1);
	assert_string_equal(f->authors[0].name, "Ann");
	assert_string_equal(f->authors[0].url, "https://ann.example/");
	assert_int_equal(f->items[0].n_authors, 1);
	assert_string_equal(f->items[0].authors[0].name, "Bob");
	assert_string_equal(f->items[0].authors[0].avatar,
			    "https://b.example/b.png");
	feed_free(f);
}

static void test_versions(void **state)
{
	(void)state;
	static const struct {
		const char *v;
		enum feed_format fmt;
		size_t warnings;
	} t[] = {
		{ "\"https://jsonfeed.org/version/1\"", FEED_FORMAT_JSON10, 0 },
		{ "\"https://jsonfeed.org/version/1.1\"", FEED_FORMAT_JSON11, 0 },
		{ "\"http://jsonfeed.org/version/1\"", FEED_FORMAT_JSON10, 0 },
		{ "\"https://jsonfeed.org/version/1.1/\"", FEED_FORMAT_JSON11, 0 },
		{ "\" https://JSONFeed.org/version/1.1 \"", FEED_FORMAT_JSON11, 0 },
		{ "\"https://jsonfeed.org/version/2\"", FEED_FORMAT_JSON11, 1 },
		{ "\"1.1\"", FEED_FORMAT_JSON11, 1 },
		{ "11", FEED_FORMAT_JSON11, 1 },
		{ "null", FEED_FORMAT_JSON11, 1 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char doc[256];
		snprintf(doc, sizeof doc, "{\"version\": %s, \"items\": []}",
			 t[i].v);
		struct feed *f = parse(doc);
		assert_int_equal(f->format, t[i].fmt);
		assert_int_equal(f->n_warnings, t[i].warnings);
		assert_int_equal(f->n_items, 0);
		feed_free(f);
	}
	/* no version: accepted with a warning; 1.0 guessed from "author" */
	struct feed *f = parse("{\"author\": {\"name\": \"A\"}, \"items\": "
			       "[{\"id\": \"x\"}]}");
	assert_int_equal(f->format, FEED_FORMAT_JSON10);
	assert_int_equal(f->n_warnings, 1);
	assert_non_null(strstr(f->warning, "version"));
	assert_int_equal(f->n_items, 1);
	feed_free(f);
}

static void test_authors_variants(void **state)
{
	(void)state;
	/* authors wins over author */
	struct feed *f = parse(
		"{\"version\": \"https://jsonfeed.org/version/1.1\","
		" \"author\": {\"name\": \"Old\"},"
		" \"authors\": [{\"name\": \"New1\"}, {\"name\": \"New2\"}],"
		" \"items\": [{\"id\": \"1\", \"authors\": [],"
		" \"author\": {\"name\": \"Fallback\"}},"
		" {\"id\": \"2\", \"authors\": {\"name\": \"Obj\"}},"
		" {\"id\": \"3\", \"author\": \"  Just   a name \"},"
		" {\"id\": \"4\", \"authors\": [{}, {\"name\": \"\"}, 5,"
		" {\"url\": \"https://x.example/\"}]},"
		" {\"id\": \"5\", \"authors\": 7}]}");
	assert_int_equal(f->n_authors, 2);
	assert_string_equal(f->authors[0].name, "New1");
	assert_string_equal(f->authors[1].name, "New2");
	assert_int_equal(f->n_items, 5);
	assert_int_equal(f->items[0].n_authors, 1);
	assert_string_equal(f->items[0].authors[0].name, "Fallback");
	assert_int_equal(f->items[1].n_authors, 1);
	assert_string_equal(f->items[1].authors[0].name, "Obj");
	assert_int_equal(f->items[2].n_authors, 1);
	assert_string_equal(f->items[2].authors[0].name, "Just a name");
	assert_int_equal(f->items[3].n_authors, 1);
	assert_null(f->items[3].authors[0].name);
	assert_string_equal(f->items[3].authors[0].url, "https://x.example/");
	assert_int_equal(f->items[4].n_authors, 0);
	assert_null(f->items[4].authors);
	/* authors object, string author, number in authors, number
	 * authors */
	assert_int_equal(f->n_warnings, 4);
	feed_free(f);
}

static void test_numeric_ids(void **state)
{
	(void)state;
	struct feed *f = parse(
		"{\"items\": [{\"id\": 42}, {\"id\": -7}, {\"id\": 1.5},"
		" {\"id\": 1e3}, {\"id\": 123456789012345678901234567890},"
		" {\"id\": true, \"url\": \"https://e.example/5\"},"
		" {\"id\": \"  \", \"url\": \"https://e.example/6\"},"
		" {\"id\": null, \"title\": \"no id\"}]}");
	assert_int_equal(f->n_items, 8);
	assert_string_equal(f->items[0].id, "42");
	assert_string_equal(f->items[1].id, "-7");
	assert_string_equal(f->items[2].id, "1.5");
	assert_string_equal(f->items[3].id, "1000");
	assert_string_equal(f->items[4].id, "123456789012345678901234567890");
	assert_string_equal(f->items[5].id, "https://e.example/5");
	assert_string_equal(f->items[6].id, "https://e.example/6");
	assert_true(!strncmp(f->items[7].id, "urn:tidings:", 12));
	/* no version; the huge number; id true */
	assert_int_equal(f->n_warnings, 3);
	feed_free(f);
}

static void test_wrong_types(void **state)
{
	(void)state;
	struct feed *f = parse(
		"{\"version\": \"https://jsonfeed.org/version/1.1\","
		" \"title\": 5, \"home_page_url\": [], \"feed_url\": {},"
		" \"description\": true, \"next_url\": 1, \"icon\": 2,"
		" \"favicon\": 3, \"language\": 4, \"authors\": \"x\","
		" \"items\": [{\"id\": {}, \"url\": 1, \"external_url\": 2,"
		" \"title\": [], \"content_html\": {}, \"content_text\": 3,"
		" \"summary\": 4, \"image\": 5, \"banner_image\": 6,"
		" \"date_published\": [], \"date_modified\": {},"
		" \"authors\": 7, \"tags\": 8, \"language\": 9,"
		" \"attachments\": 10}, 11, \"s\", null, [],"
		" {\"tags\": [1, \"ok\", null, {}], \"attachments\": [1,"
		" {\"url\": 2}, {\"mime_type\": \"a/b\"}]}]}");
	assert_int_equal(f->n_items, 2);
	assert_null(f->title);
	assert_null(f->home_page_url);
	assert_null(f->feed_url);
	assert_null(f->description);
	assert_null(f->language);
	struct feed_item *it = &f->items[0];
	assert_non_null(it->id); /* assigned hash */
	assert_null(it->url);
	assert_null(it->title);
	assert_null(it->content_html);
	assert_true(it->date_published == TD_TIME_NONE);
	assert_int_equal(it->n_tags, 0);
	assert_int_equal(it->n_attachments, 0);
	assert_int_equal(f->items[1].n_tags, 1);
	assert_string_equal(f->items[1].tags[0], "ok");
	assert_int_equal(f->items[1].n_attachments, 0);
	assert_true(f->n_warnings >= 30);
	assert_true(f->warning[0] != '\0');
	feed_free(f);
}

static void test_urls(void **state)
{
	(void)state;
	const char *doc =
		"{\"home_page_url\": \"/\", \"feed_url\": \"feed.json\","
		" \"icon\": \"//cdn.example/i.png\","
		" \"authors\": [{\"url\": \"../ann\", \"avatar\": \"a.png\"}],"
		" \"items\": [{\"id\": \"1\", \"url\": \"posts/1?x=1#f\","
		" \"external_url\": \"https://abs.example/x\","
		" \"image\": \" img/1.jpg \", \"banner_image\": \"mailto:a@b\","
		" \"attachments\": [{\"url\": \"/m/1.mp3\"}]}]}";
	struct feed *f = parse_base(doc, strlen(doc),
				    "https://example.org/blog/feed.json");
	assert_string_equal(f->home_page_url, "https://example.org/");
	assert_string_equal(f->feed_url, "https://example.org/blog/feed.json");
	assert_string_equal(f->icon, "https://cdn.example/i.png");
	assert_string_equal(f->authors[0].url, "https://example.org/ann");
	assert_string_equal(f->authors[0].avatar,
			    "https://example.org/blog/a.png");
	struct feed_item *it = &f->items[0];
	assert_string_equal(it->url, "https://example.org/blog/posts/1?x=1#f");
	assert_string_equal(it->external_url, "https://abs.example/x");
	assert_string_equal(it->image, "https://example.org/blog/img/1.jpg");
	assert_string_equal(it->banner_image, "mailto:a@b");
	assert_string_equal(it->attachments[0].url,
			    "https://example.org/m/1.mp3");
	feed_free(f);

	/* no base given: the feed's own absolute feed_url is the base */
	f = parse("{\"feed_url\": \"https://example.org/a/feed.json\","
		  " \"items\": [{\"url\": \"b\"}]}");
	assert_string_equal(f->items[0].url, "https://example.org/a/b");
	assert_string_equal(f->items[0].id, "https://example.org/a/b");
	feed_free(f);

	/* read from a file: the feed's own http(s) feed_url is the better
	 * base; a file: feed_url is not used */
	doc = "{\"feed_url\": \"https://example.org/a/feed.json\","
	      " \"items\": [{\"url\": \"b\"}]}";
	f = parse_base(doc, strlen(doc), "file:///tmp/feed.json");
	assert_string_equal(f->items[0].url, "https://example.org/a/b");
	feed_free(f);
	doc = "{\"feed_url\": \"file:///etc/x.json\", \"items\": [{\"url\":"
	      " \"b\"}]}";
	f = parse_base(doc, strlen(doc), "file:///tmp/feed.json");
	assert_string_equal(f->items[0].url, "file:///tmp/b");
	feed_free(f);

	/* no base at all: kept as written */
	f = parse("{\"items\": [{\"url\": \"/x/y\"}]}");
	assert_string_equal(f->items[0].url, "/x/y");
	feed_free(f);
}

static void test_attachments(void **state)
{
	(void)state;
	struct feed *f = parse(
		"{\"items\": [{\"id\": \"1\", \"attachments\": ["
		" {\"url\": \"https://e.example/1\", \"size_in_bytes\": -1,"
		"  \"duration_in_seconds\": \"x\"},"
		" {\"url\": \"https://e.example/2\", \"size_in_bytes\": \"2048\","
		"  \"duration_in_seconds\": 12.6},"
		" {\"url\": \"https://e.example/3\", \"size_in_bytes\": 1e400,"
		"  \"duration_in_seconds\": true},"
		" {\"url\": \"https://e.example/4\", \"size_in_bytes\": "
		"99999999999999999999999},"
		" {\"url\": \"https://e.example/5\", \"size_in_bytes\": 0,"
		"  \"duration_in_seconds\": null},"
		" {\"url\": \"\"}, {\"title\": \"no url\"}]}]}");
	struct feed_item *it = &f->items[0];
	assert_int_equal(it->n_attachments, 5);
	assert_int_equal(it->attachments[0].size_in_bytes, -1);
	assert_int_equal(it->attachments[0].duration_in_seconds, -1);
	assert_int_equal(it->attachments[1].size_in_bytes, 2048);
	assert_int_equal(it->attachments[1].duration_in_seconds, 13);
	assert_int_equal(it->attachments[2].size_in_bytes, -1);
	assert_int_equal(it->attachments[2].duration_in_seconds, -1);
	assert_int_equal(it->attachments[3].size_in_bytes, -1);
	assert_int_equal(it->attachments[4].size_in_bytes, 0);
	assert_int_equal(it->attachments[4].duration_in_seconds, -1);
	feed_free(f);
}

static void test_dates(void **state)
{
	(void)state;
	struct feed *f = parse(
		"{\"items\": [{\"id\": \"1\","
		" \"date_published\": \"Sat, 06 Jan 2024 01:10:00 GMT\","
		" \"date_modified\": \"not a date\"},"
		" {\"id\": \"2\", \"date_published\": 1704503400,"
		" \"date_modified\": \"\"},"
		" {\"id\": \"3\", \"date_published\": \"2024-01-06\"}]}");
	assert_int_equal(f->items[0].date_published, T0);
	assert_true(f->items[0].date_modified == TD_TIME_NONE);
	assert_int_equal(f->items[1].date_published, T0);
	assert_true(f->items[1].date_modified == TD_TIME_NONE);
	assert_int_equal(f->items[2].date_published, 1704499200);
	feed_free(f);
}

static void test_text(void **state)
{
	(void)state;
	struct feed *f = parse(
		"{\"title\": \"Ben &amp; Jerry&#8217;s\\n\\tnews\","
		" \"description\": \"  a &lt;b&gt; \","
		" \"items\": [{\"id\": \" x \", \"title\": \"\\u0000A\\u0001 B\","
		" \"content_text\": \"  line 1\\n\\nline 2 &amp; \\n\","
		" \"content_html\": \" <p>&amp;</p> \","
		" \"summary\": \"s &eacute;\","
		" \"tags\": [\" a  b \", \"a b\", \"\", \"c\"]}]}");
	assert_string_equal(f->title, "Ben & Jerry\xE2\x80\x99s news");
	assert_string_equal(f->description, "a <b>");
	struct feed_item *it = &f->items[0];
	assert_string_equal(it->id, "x");
	assert_string_equal(it->title, "A B");
	assert_string_equal(it->content_text, "line 1\n\nline 2 &amp;");
	assert_string_equal(it->content_html, "<p>&amp;</p>");
	assert_string_equal(it->summary, "s \xC3\xA9");
	assert_int_equal(it->n_tags, 2);
	assert_string_equal(it->tags[0], "a b");
	assert_string_equal(it->tags[1], "c");
	feed_free(f);

	/* one string instead of an array of tags */
	f = parse("{\"items\": [{\"tags\": \"solo\"}]}");
	assert_int_equal(f->items[0].n_tags, 1);
	assert_string_equal(f->items[0].tags[0], "solo");
	feed_free(f);
}

static void test_long_fields(void **state)
{
	(void)state;
	size_t n = TD_MAX_FIELD_BYTES + 100;
	struct td_buf b;
	td_buf_init(&b, 0);
	td_buf_puts(&b, "{\"items\": [{\"title\": \"");
	for (size_t i = 0; i < n / 2; i++)
		td_buf_puts(&b, "\xC3\xA9"); /* 2-byte chars: cut cleanly */
	td_buf_puts(&b, "\", \"url\": \"https://e.example/");
	for (size_t i = 0; i < TD_MAX_URL_BYTES; i++)
		td_buf_putc(&b, 'a');
	td_buf_puts(&b, "\"}]}");
	assert_int_equal(td_buf_err(&b), 0);
	struct feed *f = parse_base(b.p, b.len, NULL);
	assert_true(strlen(f->items[0].title) <= TD_MAX_FIELD_BYTES);
	assert_true(strlen(f->items[0].title) % 2 == 0);
	assert_null(f->items[0].url);
	assert_true(f->n_warnings >= 2);
	feed_free(f);
	td_buf_release(&b);
}

/* ---- repairs ---- */

static void test_bom_and_trailing(void **state)
{
	(void)state;
	struct feed *f = parse("\xEF\xBB\xBF{\"items\": [{\"id\": \"1\"}]}\n");
	assert_int_equal(f->n_items, 1);
	assert_int_equal(f->n_warnings, 1); /* no version */
	feed_free(f);
	f = parse("{\"version\": \"https://jsonfeed.org/version/1.1\","
		  " \"items\": [{\"id\": \"1\"}]}\n<!-- cache -->");
	assert_int_equal(f->n_items, 1);
	assert_int_equal(f->n_warnings, 1);
	assert_non_null(strstr(f->warning, "after the end"));
	feed_free(f);
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	struct feed *f = parse(
		"{\"version\": \"https://jsonfeed.org/version/1.1\",\n"
		" \"title\": \"caf\xE9 \xFF\xFE\",\n"
		" \"items\": [{\"id\": \"\xC3\", \"title\": \"ok \xC3\xA9\"}]}");
	assert_string_equal(f->title,
			    "caf\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD");
	assert_string_equal(f->items[0].id, "\xEF\xBF\xBD");
	assert_string_equal(f->items[0].title, "ok \xC3\xA9");
	assert_int_equal(f->n_warnings, 1);
	assert_int_equal(f->warning_line, 2);
	assert_non_null(strstr(f->warning, "UTF-8"));
	feed_free(f);
}

static void test_control_chars(void **state)
{
	(void)state;
	struct feed *f = parse("{\"items\": [{\"id\": \"1\", \"content_text\":"
			       " \"a\nb\tc\x01\x7f\"}]}");
	assert_string_equal(f->items[0].content_text, "a\nb\tc");
	assert_non_null(strstr(f->warning, "control"));
	feed_free(f);
	/* NUL bytes, raw and escaped */
	static const char nul[] = "{\"items\": [{\"id\": \"a\\u0000b\","
				  " \"title\": \"x\0y\"}]}";
	f = parse_base(nul, sizeof nul - 1, NULL);
	assert_string_equal(f->items[0].id, "ab");
	assert_string_equal(f->items[0].title, "xy");
	feed_free(f);
}

static void test_huge_numbers(void **state)
{
	(void)state;
	struct feed *f = parse(
		"{\"items\": [{\"id\": 18446744073709551616,"
		" \"attachments\": [{\"url\": \"https://e.example/a\","
		" \"size_in_bytes\": 1e999, \"duration_in_seconds\": -1e999}]},"
		" {\"id\": 9223372036854775807}, {\"id\": -9223372036854775808},"
		" {\"id\": 1.7976931348623157e308, \"x\": 0.0000001e-400}]}");
	assert_int_equal(f->n_items, 4);
	assert_string_equal(f->items[0].id, "18446744073709551616");
	assert_int_equal(f->items[0].attachments[0].size_in_bytes, -1);
	assert_int_equal(f->items[0].attachments[0].duration_in_seconds, -1);
	assert_string_equal(f->items[1].id, "9223372036854775807");
	assert_string_equal(f->items[2].id, "-9223372036854775808");
	assert_string_equal(f->items[3].id, "1.7976931348623157e308");
	feed_free(f);
}

static void test_truncated(void **state)
{
	(void)state;
	const char *doc =
		"{\"version\": \"https://jsonfeed.org/version/1.1\","
		" \"title\": \"T\", \"items\": [{\"id\": \"1\", \"title\": "
		"\"one\", \"tags\": [\"a\"]}, {\"id\": \"2\", \"title\": "
		"\"two\"}, {\"id\": \"3\", \"title\": \"three, [{\\\"";
	/* every prefix that holds the first complete item recovers it */
	size_t first_end = strstr(doc, "}, {\"id\": \"2\"") - doc + 1;
	size_t n = strlen(doc);
	for (size_t len = first_end; len <= n; len++) {
		struct feed *f = parse_base(doc, len, NULL);
		assert_true(f->n_items >= 1 && f->n_items <= 2);
		assert_string_equal(f->items[0].title, "one");
		assert_string_equal(f->title, "T");
		assert_true(f->n_warnings >= 1);
		feed_free(f);
	}
	/* shorter prefixes have no item: an error, with a position */
	for (size_t len = 0; len < first_end; len++) {
		struct td_error err = parse_fail(doc, len, TD_EPARSE);
		assert_int_equal(err.line, 1);
	}
}

static void test_broken_middle(void **state)
{
	(void)state;
	struct feed *f = parse(
		"{\"items\": [{\"id\": \"1\"}, {\"id\": \"2\"},\n"
		" {\"id\": tru, \"title\": \"x\"}, {\"id\": \"4\"}]}");
	assert_int_equal(f->n_items, 2);
	assert_string_equal(f->items[1].id, "2");
	assert_int_equal(f->warning_line, 2);
	assert_non_null(strstr(f->warning, "invalid JSON"));
	feed_free(f);
}

/* A JSON Feed without items (new, or broken) is a feed with a warning;
 * what it has at the top level is kept. */
static void test_no_items(void **state)
{
	(void)state;
	struct feed *f = parse("{\"version\": \"https://jsonfeed.org/version/1.1\","
			       " \"title\": \" Quiet desk \"}");
	assert_string_equal(f->title, "Quiet desk");
	assert_int_equal(f->n_items, 0);
	assert_int_equal(f->n_warnings, 1);
	assert_non_null(strstr(f->warning, "no \"items\""));
	feed_free(f);
	f = parse("{\"author\": {\"name\": \"abc\"}}");
	assert_int_equal(f->n_authors, 1);
	assert_string_equal(f->authors[0].name, "abc");
	feed_free(f);
	f = parse("{\"title\": \"T\", \"items\": {\"id\": \"1\"}}");
	assert_int_equal(f->n_items, 0);
	assert_non_null(strstr(f->warning, "not an array"));
	feed_free(f);
}

/* ---- errors ---- */

static void test_errors(void **state)
{
	(void)state;
	struct td_error err;
	err = parse_fail("", 0, TD_EPARSE);
	err = parse_fail("   ", 3, TD_EPARSE);
	err = parse_fail("[1, 2]", 6, TD_EPARSE);
	assert_non_null(strstr(err.msg, "not an object"));
	err = parse_fail("\"items\"", 7, TD_EPARSE);
	err = parse_fail("{\"data\": \"x\"}", 13, TD_EPARSE);
	assert_non_null(strstr(err.msg, "no \"items\""));
	err = parse_fail("{}", 2, TD_EPARSE);
	err = parse_fail("{\"items\": {}}", 13, TD_EPARSE);
	assert_non_null(strstr(err.msg, "not an array"));
	const char *bad = "{\"version\": \"https://jsonfeed.org/version/1\",\n"
			  "  \"title\": oops,\n  \"items\": []}";
	err = parse_fail(bad, strlen(bad), TD_EPARSE);
	assert_int_equal(err.line, 2);
	assert_true(err.col > 0);
	assert_non_null(strstr(err.msg, "invalid JSON"));
	/* a recovered prefix with no items is still an error */
	bad = "{\"items\": [";
	err = parse_fail(bad, strlen(bad), TD_EPARSE);
	bad = "{\"title\": \"x\", \"items\": [1, 2, {";
	err = parse_fail(bad, strlen(bad), TD_EPARSE);
}

static void test_deep_nesting(void **state)
{
	(void)state;
	static const size_t depths[] = { 100, 2047, 2048, 2049, 100000 };
	for (size_t k = 0; k < sizeof depths / sizeof depths[0]; k++) {
		size_t d = depths[k];
		struct td_buf b;
		td_buf_init(&b, 0);
		td_buf_puts(&b, "{\"items\": [{\"id\": \"1\"}, {\"x\": ");
		for (size_t i = 0; i < d; i++)
			td_buf_putc(&b, '[');
		for (size_t i = 0; i < d; i++)
			td_buf_putc(&b, ']');
		td_buf_puts(&b, "}]}");
		assert_int_equal(td_buf_err(&b), 0);
		struct feed *f = parse_base(b.p, b.len, NULL);
		/* shallow enough: both items; too deep: the first survives */
		assert_true(f->n_items == 2 || (d > 2000 && f->n_items == 1));
		assert_string_equal(f->items[0].id, "1");
		feed_free(f);
		/* deep nesting at the root, with no items: an error */
		td_buf_reset(&b);
		for (size_t i = 0; i < d; i++)
			td_buf_putc(&b, '{');
		parse_fail(b.p, b.len, TD_EPARSE);
		td_buf_release(&b);
	}
}

static void test_many_items(void **state)
{
	(void)state;
	struct td_buf b;
	td_buf_init(&b, 0);
	td_buf_puts(&b, "{\"version\": \"https://jsonfeed.org/version/1.1\", "
			"\"items\": [");
	for (int i = 0; i < TD_MAX_FEED_ITEMS + 5; i++)
		td_buf_printf(&b, "%s{\"id\": %d}", i ? "," : "", i);
	td_buf_puts(&b, "]}");
	struct feed *f = parse_base(b.p, b.len, NULL);
	assert_int_equal(f->n_items, TD_MAX_FEED_ITEMS);
	assert_int_equal(f->n_warnings, 1);
	assert_string_equal(f->items[TD_MAX_FEED_ITEMS - 1].id, "9999");
	feed_free(f);
	td_buf_release(&b);
}

/* ---- allocation failures ----
 *
 * In the plain build, malloc and friends are replaced (glibc supports
 * this) so that the n-th allocation fails, for every n until a run needs
 * no more; each run must end in 0 or an error (TD_ENOMEM, or TD_EPARSE
 * where jansson mistakes a failed allocation for bad syntax) with nothing
 * leaked. Under ASan (which owns malloc) the test is skipped. */
#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) &&                 \
	!__has_feature(address_sanitizer)
#define FAULT_INJECTION 1
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static long fail_at = -1, n_allocs, live;

static int should_fail(void)
{
	return fail_at >= 0 && n_allocs++ == fail_at;
}

void *malloc(size_t n)
{
	if (should_fail())
		return NULL;
	void *p = __libc_malloc(n);
	if (p)
		live++;
	return p;
}

void *calloc(size_t a, size_t b)
{
	if (should_fail())
		return NULL;
	void *p = __libc_calloc(a, b);
	if (p)
		live++;
	return p;
}

void *realloc(void *q, size_t n)
{
	if (should_fail())
		return NULL;
	void *p = __libc_realloc(q, n);
	if (p && !q)
		live++;
	return p;
}

void free(void *p)
{
	if (p)
		live--;
	__libc_free(p);
}
#endif

static void test_alloc_failures(void **state)
{
	(void)state;
#ifdef FAULT_INJECTION
	static const char *const docs[] = {
		/* plain, with every kind of field */
		"{\"version\": \"https://jsonfeed.org/version/1.1\","
		" \"title\": \"T &amp; U\", \"home_page_url\": \"/\","
		" \"authors\": [{\"name\": \"A\", \"url\": \"/a\"}],"
		" \"items\": [{\"id\": 5, \"url\": \"/1\", \"title\": \"x\","
		" \"content_html\": \"<p>y</p>\", \"tags\": [\"a\", \"b\"],"
		" \"date_published\": \"2024-01-06T01:10:00Z\","
		" \"author\": {\"name\": \"B\"},"
		" \"attachments\": [{\"url\": \"/m.mp3\", \"size_in_bytes\": 1}]},"
		" {\"title\": \"no id\"}]}",
		/* needs the byte repair and the truncation repair */
		"{\"items\": [{\"id\": 123456789012345678901234, \"title\":"
		" \"a\xff\"}, {\"id\": \"2\"}, {\"id\": \"3\", \"ti",
	};
	for (size_t d = 0; d < sizeof docs / sizeof docs[0]; d++) {
		struct feed_parse_opts o = { .base_url = "https://e.example/" };
		int done = 0;
		for (long k = 0; !done && k < 100000; k++) {
			struct feed *f = NULL;
			struct td_error err = { 0 };
			long before = live;
			fail_at = k;
			n_allocs = 0;
			int rc = feed_parse_json(docs[d], strlen(docs[d]), &o, &f,
						 &err);
			done = n_allocs <= k; /* no allocation failed */
			fail_at = -1;
			/* jansson reports some failed allocations in its lexer
			 * as syntax errors, hence TD_EPARSE */
			if (rc != 0 && rc != TD_ENOMEM && rc != TD_EPARSE)
				print_error("doc %zu, failing allocation %ld: "
					    "rc %d (%s)\n", d, k, rc, err.msg);
			assert_true(rc == 0 || rc == TD_ENOMEM ||
				    rc == TD_EPARSE);
			assert_true(rc == 0 || f == NULL);
			feed_free(f);
			assert_int_equal(live, before);
			if (done)
				assert_int_equal(rc, 0);
		}
		assert_true(done);
		print_message("doc %zu: %ld allocations failed in turn\n", d,
			      n_allocs);
	}
#else
	skip();
#endif
}

/* feed_parse dispatches '{' documents here. */
static void test_dispatch(void **state)
{
	(void)state;
	const char *doc = "  \n{\"items\": [{\"id\": \"d\"}]}";
	struct feed *f = NULL;
	struct td_error err = { 0 };
	assert_int_equal(feed_parse(doc, strlen(doc), NULL, &f, &err), 0);
	assert_string_equal(f->items[0].id, "d");
	feed_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v11_full),
		cmocka_unit_test(test_v10),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_authors_variants),
		cmocka_unit_test(test_numeric_ids),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_attachments),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_long_fields),
		cmocka_unit_test(test_bom_and_trailing),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_control_chars),
		cmocka_unit_test(test_huge_numbers),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_broken_middle),
		cmocka_unit_test(test_no_items),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_many_items),
		cmocka_unit_test(test_alloc_failures),
		cmocka_unit_test(test_dispatch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
