/*
 * test_web_views.c - the view counter (counting, what is shown, batches
 * written through store_views_add, a full table, threads counting while a
 * flush runs) and the bot test on User-Agents.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "core/time.h"
#include "store/store.h"
#include "web/web_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct store *open_mem(void)
{
	struct store *s = NULL;
	struct td_error err = { 0 };
	if (store_open(NULL, STORE_MEMORY, &s, &err))
		fail_msg("store_open: %s", err.msg);
	return s;
}

/* n articles of one source; their ids in ids[]. */
static void add_articles(struct store *s, size_t n, int64_t *ids)
{
	struct store_source src = { 0 };
	src.url = (char *)"http://views.test/feed";
	src.title = (char *)"Views";
	int64_t sid = 0;
	assert_int_equal(store_source_add(s, &src, &sid), 0);
	for (size_t i = 0; i < n; i++) {
		char guid[32], title[32];
		snprintf(guid, sizeof guid, "g%zu", i);
		snprintf(title, sizeof title, "Article %zu", i);
		struct store_article a = { 0 };
		a.source_id = sid;
		a.guid = guid;
		a.title = title;
		a.content_text = (char *)"text";
		a.published = 1700000000 + (int64_t)i;
		a.updated = TD_TIME_NONE;
		a.first_seen = 1700000000;
		assert_int_equal(store_article_insert(s, &a, &ids[i]), 0);
	}
}

static int64_t stored_views(struct store *s, int64_t id)
{
	struct store_article a;
	memset(&a, 0, sizeof a);
	assert_int_equal(store_article_get(s, id, &a), 0);
	int64_t v = a.views;
	store_article_release(&a);
	return v;
}

static void test_store_views_add(void **state)
{
	(void)state;
	struct store *s = open_mem();
	int64_t ids[3];
	add_articles(s, 3, ids);
	int64_t counts[3] = { 5, 0, 2 };
	assert_int_equal(store_views_add(s, ids, counts, 3), 0);
	assert_int_equal(stored_views(s, ids[0]), 5);
	assert_int_equal(stored_views(s, ids[1]), 0);
	assert_int_equal(stored_views(s, ids[2]), 2);
	/* unknown ids are skipped, nothing else changes */
	int64_t gone[2] = { 999999, ids[0] };
	int64_t c2[2] = { 4, 1 };
	assert_int_equal(store_views_add(s, gone, c2, 2), 0);
	assert_int_equal(stored_views(s, ids[0]), 6);
	assert_int_equal(store_views_add(s, NULL, NULL, 0), 0);
	/* inside a caller's transaction: a savepoint, undone by rollback */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_views_add(s, ids, counts, 1), 0);
	assert_int_equal(store_rollback(s), 0);
	assert_int_equal(stored_views(s, ids[0]), 6);
	store_close(s);
}

static void test_count_and_show(void **state)
{
	(void)state;
	struct web_views *v = web_views_new(0);
	assert_non_null(v);
	/* not tracked, not counted: the stored number, nothing kept */
	assert_int_equal(web_views_hit(v, 1, 10, 0), 10);
	assert_int_equal(web_views_pending(v), 0);
	/* counted: stored + 1, then on */
	assert_int_equal(web_views_hit(v, 1, 10, 1), 11);
	assert_int_equal(web_views_hit(v, 1, 10, 1), 12);
	/* once tracked, the caller's stale stored number is ignored */
	assert_int_equal(web_views_hit(v, 1, 3, 0), 12);
	assert_int_equal(web_views_hit(v, 2, 0, 1), 1);
	assert_int_equal(web_views_pending(v), 3);
	web_views_free(v);
	web_views_free(NULL);
}

static void test_flush(void **state)
{
	(void)state;
	struct store *s = open_mem();
	int64_t ids[2];
	add_articles(s, 2, ids);
	struct web_views *v = web_views_new(0);
	for (int i = 0; i < 7; i++)
		web_views_hit(v, ids[0], 0, 1);
	web_views_hit(v, ids[1], 0, 1);
	uint64_t w = 0;
	assert_int_equal(web_views_flush(v, s, &w), 0);
	assert_int_equal(w, 8);
	assert_int_equal(web_views_pending(v), 0);
	assert_int_equal(stored_views(s, ids[0]), 7);
	assert_int_equal(stored_views(s, ids[1]), 1);
	/* what is shown does not move with the flush */
	assert_int_equal(web_views_hit(v, ids[0], 0, 0), 7);
	assert_int_equal(web_views_hit(v, ids[0], 0, 1), 8);
	/* a second flush writes only the new view */
	assert_int_equal(web_views_flush(v, s, &w), 0);
	assert_int_equal(w, 1);
	assert_int_equal(stored_views(s, ids[0]), 8);
	/* nothing pending: nothing written */
	assert_int_equal(web_views_flush(v, s, &w), 0);
	assert_int_equal(w, 0);
	web_views_free(v);
	store_close(s);
}

/* A store whose UPDATE fails: a read-only connection. */
static void test_flush_failure(void **state)
{
	(void)state;
	char path[] = "/tmp/tidings-views-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	struct store *w = NULL, *ro = NULL;
	struct td_error err = { 0 };
	assert_int_equal(store_open(path, 0, &w, &err), 0);
	int64_t ids[1];
	add_articles(w, 1, ids);
	assert_int_equal(store_open(path, STORE_READONLY, &ro, &err), 0);
	struct web_views *v = web_views_new(0);
	web_views_hit(v, ids[0], 0, 1);
	web_views_hit(v, ids[0], 0, 1);
	uint64_t n = 99;
	assert_int_not_equal(web_views_flush(v, ro, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(web_views_pending(v), 2);
	assert_int_equal(web_views_flush(v, w, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(stored_views(w, ids[0]), 2);
	web_views_free(v);
	store_close(ro);
	store_close(w);
	char side[64];
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

static void test_full_table(void **state)
{
	(void)state;
	struct store *s = open_mem();
	int64_t ids[200];
	add_articles(s, 200, ids);
	/* 16 shards of 2 entries */
	struct web_views *v = web_views_new(32);
	uint64_t dropped0 = atomic_load(&web_metrics.views_dropped);
	uint64_t gen0 = web_cache_generation();
	for (int i = 0; i < 200; i++)
		web_views_hit(v, ids[i], 0, 1);
	/* at most 32 tracked; the rest dropped (and said so) */
	assert_true(web_views_pending(v) <= 32);
	uint64_t dropped = atomic_load(&web_metrics.views_dropped) - dropped0;
	assert_int_equal(dropped + web_views_pending(v), 200);
	uint64_t w;
	assert_int_equal(web_views_flush(v, s, &w), 0);
	/* once written, entries can be forgotten to make room: the cache is
	 * invalidated so pages re-read the stored counts */
	for (int i = 0; i < 200; i++)
		web_views_hit(v, ids[i], 0, 1);
	assert_true(web_cache_generation() > gen0);
	assert_true(web_views_pending(v) > 0);
	web_views_free(v);
	store_close(s);
}

struct hammer {
	struct web_views *v;
	int64_t id;
	int n;
};

static void *hammer_main(void *p)
{
	struct hammer *h = p;
	for (int i = 0; i < h->n; i++)
		web_views_hit(h->v, h->id + (i % 5), 0, 1);
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	struct store *s = open_mem();
	int64_t ids[5];
	add_articles(s, 5, ids);
	struct web_views *v = web_views_new(0);
	pthread_t th[4];
	struct hammer h = { v, ids[0], 20000 };
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, hammer_main, &h),
				 0);
	/* flush while they count */
	uint64_t total = 0, w;
	for (int i = 0; i < 20; i++) {
		assert_int_equal(web_views_flush(v, s, &w), 0);
		total += w;
	}
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(web_views_flush(v, s, &w), 0);
	total += w;
	assert_int_equal(total, 80000);
	int64_t sum = 0;
	for (int i = 0; i < 5; i++) {
		sum += stored_views(s, ids[i]);
		assert_int_equal(web_views_hit(v, ids[i], 0, 0),
				 stored_views(s, ids[i]));
	}
	assert_int_equal(sum, 80000);
	web_views_free(v);
	store_close(s);
}

static void test_bots(void **state)
{
	(void)state;
	static const char *bots[] = {
		NULL,
		"",
		"   ",
		"Mozilla/5.0 (compatible; Googlebot/2.1; "
		"+http://www.google.com/bot.html)",
		"Mozilla/5.0 (compatible; bingbot/2.0; "
		"+http://www.bing.com/bingbot.htm)",
		"Mozilla/5.0 (compatible; Yahoo! Slurp; "
		"http://help.yahoo.com/help/us/ysearch/slurp)",
		"facebookexternalhit/1.1 "
		"(+http://www.facebook.com/externalhit_uatext.php)",
		"Twitterbot/1.0",
		"Mozilla/5.0 (compatible; Baiduspider/2.0)",
		"DuckDuckBot/1.1",
		"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
		"curl/7.88.1",
		"Wget/1.21.3",
		"python-requests/2.31.0",
		"Go-http-client/1.1",
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, "
		"like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36",
		"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; "
		"GPTBot/1.0; +https://openai.com/gptbot)",
		"CCBot/2.0 (https://commoncrawl.org/faq/)",
		"Feedly/1.0 (+http://www.feedly.com/fetcher.html)",
		"WhatsApp/2.23.20.0",
		"TelegramBot (like TwitterBot)",
		"Java/17.0.2",
		"okhttp/4.9.0",
	};
	for (size_t i = 0; i < sizeof bots / sizeof bots[0]; i++)
		if (!web_ua_is_bot(bots[i]))
			fail_msg("not a bot: %s", bots[i] ? bots[i] : "NULL");
	static const char *people[] = {
		"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 "
		"Firefox/120.0",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
		"(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) "
		"AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 "
		"Mobile/15E148 Safari/604.1",
		"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
		"(KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) "
		"AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
		"Safari/537.36 Edg/120.0.0.0",
		"Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S918B) "
		"AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 "
		"Chrome/115.0.0.0 Mobile Safari/537.36",
	};
	for (size_t i = 0; i < sizeof people / sizeof people[0]; i++)
		if (web_ua_is_bot(people[i]))
			fail_msg("a bot: %s", people[i]);
	/* a huge User-Agent is read up to the limit, no further */
	char big[4000];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	memcpy(big + 3000, "bot", 3);
	assert_false(web_ua_is_bot(big));
	memcpy(big + 10, "Bot", 3);
	assert_true(web_ua_is_bot(big));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_views_add),
		cmocka_unit_test(test_count_and_show),
		cmocka_unit_test(test_flush),
		cmocka_unit_test(test_flush_failure),
		cmocka_unit_test(test_full_table),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_bots),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
