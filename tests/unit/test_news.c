/* test_news.c - ingest policy: new, unchanged, revised, dedup by id and by
 * canonical URL, dates, normalization. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "core/time.h"
#include "feed/feed.h"
#include "news/news.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW 1700000000

static struct store *st;
static struct store_source src;

static int setup(void **state)
{
	(void)state;
	struct td_error err = { 0 };
	if (store_open(":memory:", STORE_MEMORY, &st, &err))
		return -1;
	memset(&src, 0, sizeof src);
	src.url = "http://example.org/feed.xml";
	src.title = "Example";
	src.created = NOW;
	src.last_fetch = TD_TIME_NONE;
	src.last_new_item = TD_TIME_NONE;
	return store_source_add(st, &src, &src.id);
}

static int teardown(void **state)
{
	(void)state;
	store_close(st);
	return 0;
}

/* A feed with n items; item i has id "id-i", url ".../i?utm_source=x". */
static struct feed *make_feed(size_t n)
{
	struct feed *f = calloc(1, sizeof *f);
	f->items = calloc(n, sizeof *f->items);
	f->n_items = n;
	for (size_t i = 0; i < n; i++) {
		struct feed_item *it = &f->items[i];
		char b[128];
		snprintf(b, sizeof b, "id-%zu", i);
		it->id = strdup(b);
		snprintf(b, sizeof b, "http://Example.org/a/%zu?utm_source=x#top",
			 i);
		it->url = strdup(b);
		snprintf(b, sizeof b, "Title %zu", i);
		it->title = strdup(b);
		snprintf(b, sizeof b, "<p>Body of item %zu.</p><script>x()</script>",
			 i);
		it->content_html = strdup(b);
		it->date_published = NOW - 3600 * (int64_t)(i + 1);
		it->date_modified = TD_TIME_NONE;
		it->comments = -1;
	}
	return f;
}

static int64_t count(void)
{
	int64_t n = -1;
	assert_int_equal(store_article_count(st, src.id, &n), 0);
	return n;
}

static void test_insert_then_unchanged(void **state)
{
	(void)state;
	struct feed *f = make_feed(3);
	struct news_stats s = { 0 };
	assert_int_equal(news_ingest_feed(st, &src, f, NOW, &s, NULL), 0);
	assert_int_equal(s.new_articles, 3);
	assert_int_equal(count(), 3);
	memset(&s, 0, sizeof s);
	assert_int_equal(news_ingest_feed(st, &src, f, NOW + 60, &s, NULL), 0);
	assert_int_equal(s.new_articles, 0);
	assert_int_equal(s.updated_articles, 0);
	assert_int_equal(count(), 3);
	feed_free(f);
}

static void test_changed_item_keeps_revision(void **state)
{
	(void)state;
	struct feed *f = make_feed(1);
	struct news_stats s = { 0 };
	assert_int_equal(news_ingest_feed(st, &src, f, NOW, &s, NULL), 0);
	free(f->items[0].title);
	f->items[0].title = strdup("Title 0, corrected");
	memset(&s, 0, sizeof s);
	assert_int_equal(news_ingest_feed(st, &src, f, NOW + 600, &s, NULL), 0);
	assert_int_equal(s.updated_articles, 1);
	assert_int_equal(count(), 1);

	struct store_article_ref ref;
	assert_int_equal(store_article_lookup(st, src.id, "id-0", NULL, &ref), 0);
	assert_true(ref.id > 0);
	struct store_article a;
	assert_int_equal(store_article_get(st, ref.id, &a), 0);
	assert_string_equal(a.title, "Title 0, corrected");
	store_article_release(&a);
	struct store_revision *rv = NULL;
	size_t n = 0;
	assert_int_equal(store_revisions(st, ref.id, &rv, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(rv[0].title, "Title 0");
	assert_int_equal(rv[0].seen_at, NOW + 600);
	store_revisions_free(rv, n);
	feed_free(f);
}

static void test_same_url_new_guid_is_same_article(void **state)
{
	(void)state;
	struct feed *f = make_feed(1);
	assert_int_equal(news_ingest_feed(st, &src, f, NOW, NULL, NULL), 0);
	free(f->items[0].id);
	f->items[0].id = strdup("a-different-guid");
	free(f->items[0].url);
	/* same canonical URL: other tracking params, host case, fragment */
	f->items[0].url = strdup("http://example.org/a/0?fbclid=1&utm_medium=y");
	struct news_stats s = { 0 };
	assert_int_equal(news_ingest_feed(st, &src, f, NOW + 1, &s, NULL), 0);
	assert_int_equal(s.new_articles, 0);
	assert_int_equal(count(), 1);
	feed_free(f);
}

static void test_normalization(void **state)
{
	(void)state;
	struct feed *f = make_feed(1);
	struct feed_item *it = &f->items[0];
	it->date_published = TD_TIME_NONE; /* no date: first seen */
	struct store_article a;
	assert_int_equal(news_article_from_item(it, &src, NOW, &a), 0);
	assert_int_equal(a.published, NOW);
	assert_string_equal(a.canonical_url, "http://example.org/a/0");
	assert_non_null(a.content_html);
	assert_null(strstr(a.content_html, "script"));
	assert_non_null(strstr(a.content_text, "Body of item 0."));
	assert_string_equal(a.content_orig, it->content_html);
	store_article_release(&a);

	it->date_published = NOW + 30 * 86400; /* far future: first seen */
	assert_int_equal(news_article_from_item(it, &src, NOW, &a), 0);
	assert_int_equal(a.published, NOW);
	store_article_release(&a);

	free(it->title);
	it->title = NULL; /* no title: from the text */
	assert_int_equal(news_article_from_item(it, &src, NOW, &a), 0);
	assert_non_null(strstr(a.title, "Body of item 0"));
	store_article_release(&a);
	feed_free(f);
}

/* The item's categories come first, then the source's tags (its sections),
 * trimmed, without case-insensitive duplicates. */
static void test_source_tags_join_item_tags(void **state)
{
	(void)state;
	struct feed *f = make_feed(1);
	struct feed_item *it = &f->items[0];
	static char *cats[] = { (char *)"Harbor", (char *)"local",
				(char *)"" };
	it->tags = calloc(3, sizeof *it->tags);
	for (int i = 0; i < 3; i++)
		it->tags[i] = strdup(cats[i]);
	it->n_tags = 3;
	struct store_source s2 = src;
	s2.tags = (char *)" Local , Sport,,harbor ";
	struct store_article a;
	assert_int_equal(news_article_from_item(it, &s2, NOW, &a), 0);
	assert_int_equal(a.n_tags, 3);
	assert_string_equal(a.tags[0], "Harbor");
	assert_string_equal(a.tags[1], "local");
	assert_string_equal(a.tags[2], "Sport");
	store_article_release(&a);
	/* no categories, no source tags: none */
	s2.tags = NULL;
	for (int i = 0; i < 3; i++)
		free(it->tags[i]);
	it->n_tags = 0;
	assert_int_equal(news_article_from_item(it, &s2, NOW, &a), 0);
	assert_int_equal(a.n_tags, 0);
	store_article_release(&a);
	feed_free(f);
}

static void test_text_only_item_is_escaped(void **state)
{
	(void)state;
	struct feed *f = make_feed(1);
	struct feed_item *it = &f->items[0];
	free(it->content_html);
	it->content_html = NULL;
	it->content_text = strdup("a < b & <b>not bold</b>\n\nsecond");
	struct store_article a;
	assert_int_equal(news_article_from_item(it, &src, NOW, &a), 0);
	assert_null(strstr(a.content_html, "<b>"));
	assert_non_null(strstr(a.content_html, "&lt;b&gt;"));
	store_article_release(&a);
	feed_free(f);
}

static void test_content_hash(void **state)
{
	(void)state;
	assert_true(news_content_hash("a", "bc") != news_content_hash("ab", "c"));
	assert_true(news_content_hash("t", "x") == news_content_hash("t", "x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_insert_then_unchanged,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_item_keeps_revision,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_same_url_new_guid_is_same_article, setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_tags_join_item_tags,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_normalization, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_text_only_item_is_escaped,
						setup, teardown),
		cmocka_unit_test(test_content_hash),
	};
	return cmocka_run_group_tests_name("news", tests, NULL, NULL);
}
