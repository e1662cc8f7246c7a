/* test_store.c - the SQLite store: migrations, sources, articles, revisions,
 * pagination, search, cascade, backup, durability under SIGKILL, and a WAL
 * reader beside the writer. White-box where it must count rows: it includes
 * the store's private header to reach the connection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "core/limits.h"
#include "core/time.h"
#include "store/store.h"
#include "store/store_int.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NOW 1700000000

/* ---- helpers ---------------------------------------------------------- */

static char tmpdir[64];

static int tmp_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_store.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static void rm_db(const char *path)
{
	char p[256];
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-journal", path);
	unlink(p);
}

static int tmp_teardown(void **state)
{
	(void)state;
	const char *names[] = { "a.db", "b.db", "bak.db", "kill.db", "new.db",
				"old.db", "wal.db" };
	char p[256];
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", tmpdir, names[i]);
		rm_db(p);
	}
	rmdir(tmpdir);
	return 0;
}

static void tmp_path(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", tmpdir, name);
	rm_db(out);
}

static struct store *open_mem(void)
{
	struct store *s = NULL;
	struct td_error err = { 0 };
	assert_int_equal(store_open(NULL, STORE_MEMORY, &s, &err), 0);
	assert_non_null(s);
	return s;
}

static int64_t add_source(struct store *s, const char *url)
{
	struct store_source src = { 0 };
	src.url = (char *)url;
	src.title = (char *)"Source";
	int64_t id = 0;
	assert_int_equal(store_source_add(s, &src, &id), 0);
	return id;
}

static int64_t sql_int(struct store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(s->db, sql, -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void sql_ok(struct store *s, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
	sqlite3_free(msg);
}

static char *tags3[] = { (char *)"world", (char *)"politics",
			 (char *)"world" };

/* An article with a title, text, 2 tags (3 given, one duplicate) and 2
 * attachments. */
static struct store_article art(int64_t source, const char *guid,
				const char *title, const char *text,
				int64_t published)
{
	static struct store_attachment atts[2] = {
		{ (char *)"http://x.test/a.mp3", (char *)"audio/mpeg", 1234,
		  60 },
		{ (char *)"http://x.test/b.jpg", NULL, -1, -1 },
	};
	struct store_article a = { 0 };
	a.source_id = source;
	a.guid = (char *)guid;
	a.title = (char *)title;
	a.content_text = (char *)text;
	a.content_orig = (char *)"<p>orig</p>";
	a.published = published;
	a.updated = TD_TIME_NONE;
	a.first_seen = NOW;
	a.tags = tags3;
	a.n_tags = 3;
	a.attachments = atts;
	a.n_attachments = 2;
	return a;
}

static int64_t insert(struct store *s, const struct store_article *a)
{
	int64_t id = 0;
	int rc = store_article_insert(s, a, &id);
	if (rc)
		fail_msg("insert: %s: %s", td_strerror(rc), store_errmsg(s));
	assert_true(id > 0);
	return id;
}

/* ---- schema ----------------------------------------------------------- */

static void test_migrate_empty(void **state)
{
	(void)state;
	struct store *s = open_mem();
	assert_true(store_schema_version(s) >= 1);
	assert_int_equal(sql_int(s, "SELECT count(*) FROM sqlite_master WHERE"
				    " name IN ('sources', 'articles',"
				    " 'article_tags', 'attachments',"
				    " 'revisions', 'articles_fts')"),
			 6);
	assert_int_equal(sql_int(s, "PRAGMA foreign_keys"), 1);
	store_close(s);
}

static void test_reopen(void **state)
{
	(void)state;
	char path[256];
	tmp_path(path, sizeof path, "a.db");
	struct store *s = NULL;
	struct td_error err = { 0 };
	assert_int_equal(store_open(path, 0, &s, &err), 0);
	int v = store_schema_version(s);
	assert_int_equal(sql_int(s, "SELECT count(*) FROM pragma_journal_mode"
				    " WHERE journal_mode = 'wal'"),
			 1);
	assert_int_equal(sql_int(s, "PRAGMA synchronous"), 1); /* NORMAL */
	int64_t id = add_source(s, "http://a.test/feed");
	store_close(s);

	/* The checkpoint on close leaves no WAL content behind. */
	char wal[300];
	struct stat sb;
	snprintf(wal, sizeof wal, "%s-wal", path);
	assert_true(stat(wal, &sb) != 0 || sb.st_size == 0);

	assert_int_equal(store_open(path, 0, &s, &err), 0);
	assert_int_equal(store_schema_version(s), v);
	struct store_source src;
	assert_int_equal(store_source_get(s, id, &src), 0);
	assert_string_equal(src.url, "http://a.test/feed");
	store_source_release(&src);
	/* Closing inside a transaction rolls it back. */
	assert_int_equal(store_begin(s), 0);
	add_source(s, "http://uncommitted.test/");
	store_close(s);
	assert_int_equal(store_open(path, 0, &s, &err), 0);
	assert_int_equal(store_source_get_by_url(s, "http://uncommitted.test/",
						 &src),
			 TD_ENOTFOUND);
	store_close(s);

	/* Read-only sees the same. */
	assert_int_equal(store_open(path, STORE_READONLY, &s, &err), 0);
	assert_int_equal(store_source_get(s, id, &src), 0);
	store_source_release(&src);
	/* and cannot write */
	struct store_source n = { 0 };
	n.url = (char *)"http://b.test/";
	int64_t nid;
	assert_int_equal(store_source_add(s, &n, &nid), TD_EDB);
	assert_true(strlen(store_errmsg(s)) > 0);
	store_close(s);
}

static void test_newer_schema(void **state)
{
	(void)state;
	char path[256];
	tmp_path(path, sizeof path, "new.db");
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 999", NULL,
				      NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);

	struct store *s = (struct store *)1;
	struct td_error err = { 0 };
	assert_int_equal(store_open(path, 0, &s, &err), TD_EDB);
	assert_null(s);
	assert_non_null(strstr(err.msg, "database schema 999 is newer than "
					"this tidings ("));
	memset(&err, 0, sizeof err);
	assert_int_equal(store_open(path, STORE_READONLY, &s, &err), TD_EDB);
	assert_non_null(strstr(err.msg, "is newer than this tidings"));

	/* A read-only open never migrates: an empty database is refused. */
	tmp_path(path, sizeof path, "old.db");
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE x(y)", NULL, NULL,
				      NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	memset(&err, 0, sizeof err);
	assert_int_equal(store_open(path, STORE_READONLY, &s, &err), TD_EDB);
	assert_non_null(strstr(err.msg, "database schema 0 is older"));
	/* A writer migrates it. */
	assert_int_equal(store_open(path, 0, &s, &err), 0);
	assert_true(store_schema_version(s) >= 1);
	store_close(s);

	/* Not a database at all. */
	tmp_path(path, sizeof path, "b.db");
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("this is not a database, just some text that is long enough "
	      "to have a header.................................................",
	      f);
	fclose(f);
	assert_int_equal(store_open(path, 0, &s, &err), TD_EDB);
	assert_null(s);
	/* Missing file, read-only. */
	tmp_path(path, sizeof path, "b.db");
	assert_int_equal(store_open(path, STORE_READONLY, &s, &err), TD_EDB);
}

/* ---- sources ---------------------------------------------------------- */

static void test_sources(void **state)
{
	(void)state;
	struct store *s = open_mem();
	struct store_source a = { 0 };
	a.url = (char *)"http://a.test/feed";
	a.site_url = (char *)"http://a.test/";
	a.title = (char *)"A";
	a.tags = (char *)"news,world";
	a.mode = STORE_MODE_EXTRACT;
	a.created = NOW;
	a.next_fetch = 300;
	int64_t ida = 0, idb = 0, idc = 0, dup = 0;
	assert_int_equal(store_source_add(s, &a, &ida), 0);

	/* Duplicate URL: TD_EEXIST and the existing id. */
	assert_int_equal(store_source_add(s, &a, &dup), TD_EEXIST);
	assert_int_equal(dup, ida);
	assert_true(strlen(store_errmsg(s)) > 0);

	struct store_source b = { 0 };
	b.url = (char *)"http://b.test/feed";
	b.next_fetch = 100;
	assert_int_equal(store_source_add(s, &b, &idb), 0);
	struct store_source c = { 0 };
	c.url = (char *)"http://c.test/feed";
	c.next_fetch = 200;
	c.disabled = 1;
	assert_int_equal(store_source_add(s, &c, &idc), 0);
	struct store_source none = { 0 };
	assert_int_equal(store_source_add(s, &none, &dup), TD_EINVAL);

	struct store_source g;
	assert_int_equal(store_source_get(s, ida, &g), 0);
	assert_int_equal(g.id, ida);
	assert_string_equal(g.url, a.url);
	assert_string_equal(g.site_url, a.site_url);
	assert_string_equal(g.title, "A");
	assert_string_equal(g.tags, "news,world");
	assert_int_equal(g.mode, STORE_MODE_EXTRACT);
	assert_int_equal(g.created, NOW);
	assert_true(g.last_fetch == TD_TIME_NONE);
	assert_true(g.last_new_item == TD_TIME_NONE);
	assert_null(g.etag);
	assert_null(g.last_error);
	assert_int_equal(g.n_articles, 0);
	store_source_release(&g);
	assert_int_equal(store_source_get(s, 9999, &g), TD_ENOTFOUND);

	/* A source added with created unset gets the current time. */
	assert_int_equal(store_source_get(s, idb, &g), 0);
	assert_true(g.created > NOW);
	assert_null(g.title);
	store_source_release(&g);

	assert_int_equal(store_source_get_by_url(s, "http://b.test/feed", &g),
			 0);
	assert_int_equal(g.id, idb);
	store_source_release(&g);
	assert_int_equal(store_source_get_by_url(s, "http://nope/", &g),
			 TD_ENOTFOUND);

	struct store_source *v;
	size_t n;
	assert_int_equal(store_source_list(s, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].id, ida);
	assert_int_equal(v[1].id, idb);
	assert_int_equal(v[2].id, idc);
	store_sources_free(v, n);

	/* Due: enabled, next_fetch <= now, by next_fetch. */
	assert_int_equal(store_source_due(s, 250, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, idb);
	store_sources_free(v, n);
	assert_int_equal(store_source_due(s, INT64_MAX, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, idb);
	assert_int_equal(v[1].id, ida);
	store_sources_free(v, n);
	assert_int_equal(store_source_due(s, 0, &v, &n), 0);
	assert_int_equal(n, 0);
	assert_null(v);

	/* Update writes fetch state, url, title, site_url, disabled. */
	assert_int_equal(store_source_get(s, ida, &g), 0);
	struct store_source u = g;
	u.url = (char *)"http://a2.test/feed";
	u.title = (char *)"A2";
	u.site_url = NULL;
	u.etag = (char *)"\"abc\"";
	u.last_modified = (char *)"Sat, 06 Jan 2024 01:10:00 GMT";
	u.last_fetch = NOW + 1;
	u.next_fetch = NOW + 3600;
	u.last_status = 503;
	u.last_error = (char *)"HTTP 503";
	u.error_count = 2;
	u.last_new_item = NOW - 5;
	u.interval = 3600;
	u.disabled = 1;
	assert_int_equal(store_source_update(s, &u), 0);
	store_source_release(&g);
	assert_int_equal(store_source_get(s, ida, &g), 0);
	assert_string_equal(g.url, "http://a2.test/feed");
	assert_string_equal(g.title, "A2");
	assert_null(g.site_url);
	assert_string_equal(g.etag, "\"abc\"");
	assert_string_equal(g.last_modified, "Sat, 06 Jan 2024 01:10:00 GMT");
	assert_int_equal(g.last_fetch, NOW + 1);
	assert_int_equal(g.next_fetch, NOW + 3600);
	assert_int_equal(g.last_status, 503);
	assert_string_equal(g.last_error, "HTTP 503");
	assert_int_equal(g.error_count, 2);
	assert_int_equal(g.last_new_item, NOW - 5);
	assert_int_equal(g.interval, 3600);
	assert_int_equal(g.disabled, 1);
	assert_string_equal(g.tags, "news,world"); /* not written by update */

	/* Back to "never": TD_TIME_NONE round-trips. */
	g.last_fetch = TD_TIME_NONE;
	free(g.last_error);
	g.last_error = NULL;
	assert_int_equal(store_source_update(s, &g), 0);
	store_source_release(&g);
	assert_int_equal(store_source_get(s, ida, &g), 0);
	assert_true(g.last_fetch == TD_TIME_NONE);
	assert_null(g.last_error);

	/* Moving onto another source's URL is refused. */
	char *keep = g.url;
	g.url = (char *)"http://b.test/feed";
	assert_int_equal(store_source_update(s, &g), TD_EEXIST);
	g.url = keep;
	g.id = 9999;
	assert_int_equal(store_source_update(s, &g), TD_ENOTFOUND);
	store_source_release(&g);

	assert_int_equal(store_source_remove(s, idb), 0);
	assert_int_equal(store_source_remove(s, idb), TD_ENOTFOUND);
	assert_int_equal(store_source_get(s, idb, &g), TD_ENOTFOUND);

	assert_string_equal(store_mode_name(STORE_MODE_SUMMARY), "summary");
	assert_string_equal(store_mode_name(99), "auto");
	assert_int_equal(store_mode_parse("feed"), STORE_MODE_FEED);
	assert_int_equal(store_mode_parse("bogus"), -1);
	assert_int_equal(store_mode_parse(NULL), -1);
	store_close(s);
}

/* ---- articles --------------------------------------------------------- */

static void test_insert_lookup(void **state)
{
	(void)state;
	struct store *s = open_mem();
	int64_t src = add_source(s, "http://a.test/feed");
	int64_t src2 = add_source(s, "http://b.test/feed");
	struct store_article a = art(src, "guid-1", "Hello", "Body text",
				     NOW - 100);
	a.url = (char *)"http://a.test/1?utm_source=x";
	a.canonical_url = (char *)"http://a.test/1";
	a.author = (char *)"Ann, Bob";
	a.summary = (char *)"Sum";
	a.content_html = (char *)"<p>safe</p>";
	a.image = (char *)"http://a.test/i.png";
	a.language = (char *)"en";
	a.updated = NOW - 50;
	a.content_hash = 0xfedcba9876543210ULL;
	a.views = 3;
	int64_t id = insert(s, &a);

	struct store_article_ref ref;
	assert_int_equal(store_article_lookup(s, src, "guid-1", NULL, &ref), 0);
	assert_int_equal(ref.id, id);
	assert_int_equal(ref.by_url, 0);
	assert_true(ref.content_hash == 0xfedcba9876543210ULL);
	assert_int_equal(store_article_lookup(s, src, "other",
					      "http://a.test/1", &ref),
			 0);
	assert_int_equal(ref.id, id);
	assert_int_equal(ref.by_url, 1);
	assert_int_equal(store_article_lookup(s, src, "other",
					      "http://a.test/2", &ref),
			 0);
	assert_int_equal(ref.id, 0);
	assert_int_equal(store_article_lookup(s, src, NULL, NULL, &ref), 0);
	assert_int_equal(ref.id, 0);
	/* Lookup is per source. */
	assert_int_equal(store_article_lookup(s, src2, "guid-1",
					      "http://a.test/1", &ref),
			 0);
	assert_int_equal(ref.id, 0);

	struct store_article g;
	assert_int_equal(store_article_get(s, id, &g), 0);
	assert_int_equal(g.id, id);
	assert_int_equal(g.source_id, src);
	assert_string_equal(g.guid, "guid-1");
	assert_string_equal(g.url, a.url);
	assert_string_equal(g.canonical_url, "http://a.test/1");
	assert_string_equal(g.title, "Hello");
	assert_string_equal(g.author, "Ann, Bob");
	assert_string_equal(g.summary, "Sum");
	assert_string_equal(g.content_orig, "<p>orig</p>");
	assert_string_equal(g.content_html, "<p>safe</p>");
	assert_string_equal(g.content_text, "Body text");
	assert_string_equal(g.image, a.image);
	assert_string_equal(g.language, "en");
	assert_int_equal(g.published, NOW - 100);
	assert_int_equal(g.updated, NOW - 50);
	assert_int_equal(g.first_seen, NOW);
	assert_true(g.content_hash == 0xfedcba9876543210ULL);
	assert_int_equal(g.views, 3);
	assert_string_equal(g.source_title, "Source");
	assert_int_equal(g.n_tags, 2);
	assert_string_equal(g.tags[0], "world");
	assert_string_equal(g.tags[1], "politics");
	assert_int_equal(g.n_attachments, 2);
	assert_string_equal(g.attachments[0].url, "http://x.test/a.mp3");
	assert_string_equal(g.attachments[0].mime_type, "audio/mpeg");
	assert_int_equal(g.attachments[0].size, 1234);
	assert_int_equal(g.attachments[0].duration, 60);
	assert_null(g.attachments[1].mime_type);
	assert_int_equal(g.attachments[1].size, -1);
	assert_int_equal(g.attachments[1].duration, -1);
	store_article_release(&g);
	assert_int_equal(store_article_get(s, 9999, &g), TD_ENOTFOUND);

	/* Same guid in the same source: refused, nothing half-written. */
	int64_t dup = 0;
	assert_int_equal(store_article_insert(s, &a, &dup), TD_EEXIST);
	assert_int_equal(sql_int(s, "SELECT count(*) FROM article_tags"), 2);
	assert_int_equal(sql_int(s, "SELECT count(*) FROM attachments"), 2);
	/* Same guid in another source is another article. */
	a.source_id = src2;
	insert(s, &a);

	/* Unknown published falls back to first_seen; no content_html stays
	 * NULL; unknown updated stays unknown. */
	struct store_article b = art(src, "guid-2", "No date", "x",
				     TD_TIME_NONE);
	b.first_seen = NOW + 7;
	b.n_tags = 0;
	b.n_attachments = 0;
	int64_t idb = insert(s, &b);
	assert_int_equal(store_article_get(s, idb, &g), 0);
	assert_int_equal(g.published, NOW + 7);
	assert_true(g.updated == TD_TIME_NONE);
	assert_null(g.content_html);
	assert_int_equal(g.n_tags, 0);
	assert_null(g.tags);
	assert_int_equal(g.n_attachments, 0);
	store_article_release(&g);

	/* Unknown source: foreign key. */
	b.guid = (char *)"guid-3";
	b.source_id = 4242;
	assert_int_equal(store_article_insert(s, &b, &dup), TD_EDB);

	int64_t cnt;
	assert_int_equal(store_article_count(s, 0, &cnt), 0);
	assert_int_equal(cnt, 3);
	assert_int_equal(store_article_count(s, src, &cnt), 0);
	assert_int_equal(cnt, 2);
	struct store_source so;
	assert_int_equal(store_source_get(s, src, &so), 0);
	assert_int_equal(so.n_articles, 2);
	store_source_release(&so);

	/* Inside a caller's transaction, a failing insert rolls back only
	 * itself. */
	assert_int_equal(store_begin(s), 0);
	b.source_id = src;
	b.guid = (char *)"guid-4";
	insert(s, &b);
	assert_int_equal(store_article_insert(s, &b, &dup), TD_EEXIST);
	b.guid = (char *)"guid-5";
	insert(s, &b);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(store_article_count(s, src, &cnt), 0);
	assert_int_equal(cnt, 4);
	/* Rollback drops everything since begin. */
	assert_int_equal(store_begin(s), 0);
	b.guid = (char *)"guid-6";
	insert(s, &b);
	assert_int_equal(store_rollback(s), 0);
	assert_int_equal(store_article_count(s, src, &cnt), 0);
	assert_int_equal(cnt, 4);
	assert_int_equal(store_rollback(s), 0); /* nothing open: no error */
	store_close(s);
}

static void test_revise(void **state)
{
	(void)state;
	struct store *s = open_mem();
	int64_t src = add_source(s, "http://a.test/feed");
	struct store_article a = art(src, "g", "Original zebra title",
				     "first text", NOW - 100);
	a.views = 7;
	a.content_hash = 1;
	int64_t id = insert(s, &a);

	struct store_article b = art(src, "g", "Changed giraffe title",
				     "second text", NOW - 90);
	char *newtags[] = { (char *)"science" };
	b.tags = newtags;
	b.n_tags = 1;
	b.n_attachments = 1;
	b.first_seen = NOW + 500; /* ignored: first_seen is kept */
	b.views = 0;              /* ignored: views are kept */
	b.content_hash = UINT64_MAX;
	assert_int_equal(store_article_revise(s, id, &b, NOW + 10), 0);

	struct store_article g;
	assert_int_equal(store_article_get(s, id, &g), 0);
	assert_string_equal(g.title, "Changed giraffe title");
	assert_string_equal(g.content_text, "second text");
	assert_int_equal(g.published, NOW - 90);
	assert_int_equal(g.first_seen, NOW);
	assert_int_equal(g.views, 7);
	assert_true(g.content_hash == UINT64_MAX);
	assert_int_equal(g.n_tags, 1);
	assert_string_equal(g.tags[0], "science");
	assert_int_equal(g.n_attachments, 1);
	store_article_release(&g);

	struct store_revision *rv;
	size_t n;
	assert_int_equal(store_revisions(s, id, &rv, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rv[0].seen_at, NOW + 10);
	assert_string_equal(rv[0].title, "Original zebra title");
	assert_string_equal(rv[0].content_orig, "<p>orig</p>");
	assert_true(rv[0].content_hash == 1);
	store_revisions_free(rv, n);

	/* The search index follows the new version. */
	struct store_article *v;
	assert_int_equal(store_search(s, "zebra", 10, &v, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_search(s, "giraffe", 10, &v, &n), 0);
	assert_int_equal(n, 1);
	store_articles_free(v, n);
	sql_ok(s, "INSERT INTO articles_fts(articles_fts)"
		  " VALUES ('integrity-check')");

	/* Pruned to TD_MAX_REVISIONS, newest kept, newest first. */
	char title[64];
	for (int i = 0; i < TD_MAX_REVISIONS + 10; i++) {
		snprintf(title, sizeof title, "Title %d", i);
		b.title = title;
		b.content_hash = (uint64_t)i;
		assert_int_equal(store_article_revise(s, id, &b, NOW + 20 + i),
				 0);
	}
	assert_int_equal(store_revisions(s, id, &rv, &n), 0);
	assert_int_equal(n, TD_MAX_REVISIONS);
	assert_int_equal(rv[0].seen_at, NOW + 20 + TD_MAX_REVISIONS + 9);
	snprintf(title, sizeof title, "Title %d", TD_MAX_REVISIONS + 8);
	assert_string_equal(rv[0].title, title);
	for (size_t i = 1; i < n; i++)
		assert_true(rv[i - 1].seen_at > rv[i].seen_at);
	store_revisions_free(rv, n);

	/* A NULL guid and unknown published keep the stored ones. */
	b.guid = NULL;
	b.published = TD_TIME_NONE;
	assert_int_equal(store_article_revise(s, id, &b, TD_TIME_NONE), 0);
	assert_int_equal(store_article_get(s, id, &g), 0);
	assert_string_equal(g.guid, "g");
	assert_int_equal(g.published, NOW - 90);
	store_article_release(&g);

	/* Missing article: TD_ENOTFOUND and no stray revision. */
	int64_t before = sql_int(s, "SELECT count(*) FROM revisions");
	assert_int_equal(store_article_revise(s, 9999, &b, NOW), TD_ENOTFOUND);
	assert_int_equal(sql_int(s, "SELECT count(*) FROM revisions"), before);
	assert_int_equal(store_revisions(s, 9999, &rv, &n), 0);
	assert_int_equal(n, 0);
	store_close(s);
}

/* ---- lists: filters, cursors both ways, tags, most read -------------- */

static void test_lists(void **state)
{
	(void)state;
	struct store *s = open_mem();
	int64_t s1 = add_source(s, "http://a.test/feed");
	int64_t s2 = add_source(s, "http://b.test/feed");
	static char *only_sport[] = { (char *)"Sport" };
	char guid[32];
	assert_int_equal(store_begin(s), 0);
	for (int i = 0; i < 20; i++) {
		snprintf(guid, sizeof guid, "g%d", i);
		struct store_article a = art(i % 2 ? s2 : s1, guid, "t", "x",
					     NOW + i * 60);
		if (i % 4 == 0) {
			a.tags = only_sport;
			a.n_tags = 1;
		}
		insert(s, &a);
	}
	assert_int_equal(store_commit(s), 0);

	struct store_query q;
	struct store_article *v;
	size_t n;

	/* No filter, light rows. */
	store_query_init(&q, 5);
	assert_int_equal(store_articles(s, &q, &v, &n), 0);
	assert_int_equal(n, 5);
	assert_int_equal(v[0].id, 20);
	assert_null(v[0].content_text);
	assert_null(v[0].content_orig);
	assert_non_null(v[0].source_title);
	int64_t bp = v[4].published, bid = v[4].id;
	store_articles_free(v, n);

	/* Full rows carry the content. */
	q.full = 1;
	assert_int_equal(store_articles(s, &q, &v, &n), 0);
	assert_string_equal(v[0].content_text, "x");
	store_articles_free(v, n);
	q.full = 0;

	/* Older than the cursor, then the page newer than that: the first
	 * page again, newest first. */
	q.before_published = bp;
	q.before_id = bid;
	assert_int_equal(store_articles(s, &q, &v, &n), 0);
	assert_int_equal(n, 5);
	assert_int_equal(v[0].id, 15);
	int64_t ap = v[0].published, aid = v[0].id;
	store_articles_free(v, n);
	store_query_init(&q, 5);
	q.after_published = ap;
	q.after_id = aid;
	assert_int_equal(store_articles(s, &q, &v, &n), 0);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(v[i].id, 20 - (int64_t)i);
	store_articles_free(v, n);

	/* Tag, case-insensitive; with a source; with a time window. */
	store_query_init(&q, 50);
	q.tag = "sPoRt";
	assert_int_equal(store_articles(s, &q, &v, &n), 0);
	assert_int_equal(n, 5); /* i = 0, 4, 8, 12, 16 */
	assert_int_equal(v[0].id, 17);
	store_articles_free(v, n);
	q.tag = "world";
	q.source_id = s2;
	assert_int_equal(store_articles(s, &q, &v, &n), 0);
	assert_int_equal(n, 10);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(v[i].source_id, s2);
	store_articles_free(v, n);
	store_query_init(&q, 50);
	q.since = NOW + 60;
	q.until = NOW + 4 * 60;
	assert_int_equal(store_articles(s, &q, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].id, 4);
	assert_int_equal(v[2].id, 2);
	store_articles_free(v, n);
	q.tag = "nope";
	assert_int_equal(store_articles(s, &q, &v, &n), 0);
	assert_int_equal(n, 0);

	/* A tag's list follows a changed publish time (trigger), and is a
	 * range scan of the tag index, not a sort. */
	sql_ok(s, "UPDATE articles SET published = 1 WHERE id = 17");
	store_query_init(&q, 50);
	q.tag = "sport";
	assert_int_equal(store_articles(s, &q, &v, &n), 0);
	assert_int_equal(n, 5);
	assert_int_equal(v[0].id, 13);
	assert_int_equal(v[4].id, 17);
	store_articles_free(v, n);
	sqlite3_stmt *plan = NULL;
	assert_int_equal(
		sqlite3_prepare_v2(s->db,
				   "EXPLAIN QUERY PLAN SELECT a.id FROM"
				   " article_tags t JOIN articles a ON a.id ="
				   " t.article_id JOIN sources s ON s.id ="
				   " a.source_id WHERE 1 AND t.tag = ?2 COLLATE"
				   " NOCASE AND (t.published, t.article_id) <"
				   " (?5, ?6) ORDER BY t.published DESC,"
				   " t.article_id DESC LIMIT ?9",
				   -1, &plan, NULL),
		SQLITE_OK);
	int sorts = 0;
	while (sqlite3_step(plan) == SQLITE_ROW)
		if (strstr((const char *)sqlite3_column_text(plan, 3),
			   "TEMP B-TREE"))
			sorts = 1;
	sqlite3_finalize(plan);
	assert_false(sorts);

	/* Article counts are kept per source by triggers. */
	int64_t cnt = 0;
	assert_int_equal(store_article_count(s, s1, &cnt), 0);
	assert_int_equal(cnt, 10);
	assert_int_equal(store_article_count(s, 0, &cnt), 0);
	assert_int_equal(cnt, 20);
	sql_ok(s, "DELETE FROM articles WHERE id = 2");
	assert_int_equal(store_article_count(s, s2, &cnt), 0);
	assert_int_equal(cnt, 9);
	assert_int_equal(sql_int(s, "SELECT n_articles FROM sources WHERE id = 2"),
			 sql_int(s, "SELECT count(*) FROM articles"
				    " WHERE source_id = 2"));
	struct store_article back = art(s2, "g1", "t", "x", NOW + 60);
	insert(s, &back);
	assert_int_equal(store_article_count(s, 0, &cnt), 0);
	assert_int_equal(cnt, 20);

	/* Tags by count. */
	struct store_tag *t;
	assert_int_equal(store_tags(s, 10, &t, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(t[0].tag, "politics");
	assert_int_equal(t[0].count, 15);
	assert_string_equal(t[2].tag, "Sport");
	assert_int_equal(t[2].count, 5);
	store_tags_free(t, n);

	/* Most read: hourly buckets; older hours fall out of the window. */
	setenv("TIDINGS_NOW", "1700000000", 1);
	int64_t ids[3] = { 3, 7, 9999 }, counts[3] = { 5, 2, 4 };
	assert_int_equal(store_views_add(s, ids, counts, 3), 0);
	setenv("TIDINGS_NOW", "1700036000", 1); /* ten hours later */
	int64_t ids2[2] = { 7, 8 }, counts2[2] = { 4, 1 };
	assert_int_equal(store_views_add(s, ids2, counts2, 2), 0);
	assert_int_equal(store_most_read(s, 1700000000 - 3600, 10, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].id, 7);
	assert_int_equal(v[0].views, 6);
	assert_int_equal(v[1].id, 3);
	assert_int_equal(v[1].views, 5);
	assert_int_equal(v[2].id, 8);
	store_articles_free(v, n);
	assert_int_equal(store_most_read(s, 1700036000 - 60, 10, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, 7);
	assert_int_equal(v[0].views, 4);
	store_articles_free(v, n);
	assert_int_equal(sql_int(s, "SELECT views FROM articles WHERE id = 7"),
			 6);
	/* Three days on, the old buckets are pruned by the next write. */
	setenv("TIDINGS_NOW", "1700300000", 1);
	int64_t one = 1;
	assert_int_equal(store_views_add(s, ids, &one, 1), 0);
	assert_int_equal(sql_int(s, "SELECT count(*) FROM views_hourly"), 1);
	unsetenv("TIDINGS_NOW");

	/* Search pages: snippets mark the matches; offset and more. */
	assert_int_equal(store_begin(s), 0);
	for (int i = 0; i < 7; i++) {
		snprintf(guid, sizeof guid, "fox%d", i);
		struct store_article a = art(s1, guid, "Animals",
					     "The quick brown fox jumps over"
					     " the lazy dog.",
					     NOW + 5000 + i);
		insert(s, &a);
	}
	assert_int_equal(store_commit(s), 0);
	int more = -1;
	assert_int_equal(store_search_page(s, "fox", 0, 5, &v, &n, &more), 0);
	assert_int_equal(n, 5);
	assert_int_equal(more, 1);
	assert_null(v[0].content_text);
	assert_non_null(v[0].snippet);
	assert_non_null(strstr(v[0].snippet, "brown \001fox\002 jumps"));
	assert_string_equal(v[0].title_marked, "Animals");
	store_articles_free(v, n);
	assert_int_equal(store_search_page(s, "animals", 0, 5, &v, &n, &more),
			 0);
	assert_int_equal(n, 5);
	assert_string_equal(v[0].title_marked, "\001Animals\002");
	store_articles_free(v, n);
	assert_int_equal(store_search_page(s, "fox", 5, 5, &v, &n, &more), 0);
	assert_int_equal(n, 2);
	assert_int_equal(more, 0);
	store_articles_free(v, n);
	assert_int_equal(store_search_page(s, "\"*)(", 0, 5, &v, &n, &more),
			 0);
	assert_int_equal(n, 0);
	/* A word as typed wins; the last word is a prefix only when the
	 * words as typed match nothing (it is still being typed). */
	assert_int_equal(store_begin(s), 0);
	struct store_article c1 = art(s1, "car", "Car", "The red car stopped.",
				      NOW + 6000);
	struct store_article c2 = art(s1, "carpet", "Carpet",
				      "A carpet sale downtown.", NOW + 6001);
	insert(s, &c1);
	insert(s, &c2);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(store_search_page(s, "car", 0, 5, &v, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].title, "Car");
	store_articles_free(v, n);
	assert_int_equal(store_search_page(s, "carp", 0, 5, &v, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].title, "Carpet");
	assert_string_equal(v[0].title_marked, "\001Carpet\002");
	store_articles_free(v, n);

	/* Marks: accents and case folded, word forms by their stem, the
	 * title whole (punctuation kept), the passage a window of the text
	 * around the matches with ellipses where it was cut. */
	char longtext[4096];
	size_t at = 0;
	for (int i = 0; i < 60; i++)
		at += (size_t)snprintf(longtext + at, sizeof longtext - at,
				       "filler%d ", i);
	snprintf(longtext + at, sizeof longtext - at,
		 "the town held elections for the caf\xc3\xa9 board, "
		 "and more filler words follow here until the end.");
	assert_int_equal(store_begin(s), 0);
	struct store_article m1 = art(s1, "marks", "\"Caf\xc3\xa9 Elections?\"",
				      longtext, NOW + 7000);
	insert(s, &m1);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(store_search_page(s, "CAFE election", 0, 5, &v, &n,
					   NULL),
			 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].title_marked,
			    "\"\001Caf\xc3\xa9\002 \001Elections\002?\"");
	assert_null(v[0].content_text);
	assert_non_null(strstr(v[0].snippet,
			       "held \001elections\002 for the \001caf\xc3\xa9\002"
			       " board"));
	assert_true(!strncmp(v[0].snippet, "\xe2\x80\xa6" "filler", 9));
	assert_null(strstr(v[0].snippet, "filler0 "));
	store_articles_free(v, n);
	store_close(s);
}

/* ---- latest ----------------------------------------------------------- */

static void test_latest(void **state)
{
	(void)state;
	struct store *s = open_mem();
	int64_t s1 = add_source(s, "http://a.test/feed");
	int64_t s2 = add_source(s, "http://b.test/feed");
	/* 30 articles, published in pairs (ties broken by id), alternating
	 * sources. */
	char guid[32];
	assert_int_equal(store_begin(s), 0);
	for (int i = 0; i < 30; i++) {
		snprintf(guid, sizeof guid, "g%d", i);
		struct store_article a = art(i % 2 ? s2 : s1, guid, "t", "x",
					     NOW + (i / 2) * 60);
		insert(s, &a);
	}
	assert_int_equal(store_commit(s), 0);

	struct store_article *v;
	size_t n;
	int64_t seen[64];
	size_t nseen = 0;
	int64_t cp = 0, cid = 0;
	for (int page = 0; page < 10; page++) {
		assert_int_equal(store_latest(s, 0, cp, cid, 7, &v, &n), 0);
		if (n == 0)
			break;
		for (size_t i = 0; i < n; i++) {
			assert_true(nseen < 64);
			seen[nseen++] = v[i].id;
			assert_non_null(v[i].source_title);
			assert_int_equal(v[i].n_tags, 0);
		}
		cp = v[n - 1].published;
		cid = v[n - 1].id;
		store_articles_free(v, n);
		/* Newer articles arriving between pages do not disturb. */
		snprintf(guid, sizeof guid, "new%d", page);
		struct store_article a = art(s1, guid, "t", "x",
					     NOW + 100000 + page);
		insert(s, &a);
	}
	assert_int_equal(nseen, 30);
	for (size_t i = 0; i < 30; i++) {
		/* ids 1..30; newest published first, then higher id */
		int64_t want = 30 - (int64_t)i;
		assert_int_equal(seen[i], want);
	}

	/* One source, paged. */
	nseen = 0;
	cp = cid = 0;
	for (int page = 0; page < 10; page++) {
		assert_int_equal(store_latest(s, s2, cp, cid, 4, &v, &n), 0);
		if (n == 0)
			break;
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(v[i].source_id, s2);
			seen[nseen++] = v[i].id;
		}
		cp = v[n - 1].published;
		cid = v[n - 1].id;
		store_articles_free(v, n);
	}
	assert_int_equal(nseen, 15);
	for (size_t i = 1; i < nseen; i++)
		assert_true(seen[i - 1] > seen[i]);

	assert_int_equal(store_latest(s, 0, 0, 0, 0, &v, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_latest(s, 999, 0, 0, 10, &v, &n), 0);
	assert_int_equal(n, 0);

	/* The plan uses the index, not a sort. */
	sqlite3_stmt *st = NULL;
	assert_int_equal(
		sqlite3_prepare_v2(s->db,
				   "EXPLAIN QUERY PLAN SELECT a.id FROM"
				   " articles a JOIN sources s ON s.id ="
				   " a.source_id WHERE (a.published, a.id) <"
				   " (?2, ?3) ORDER BY a.published DESC,"
				   " a.id DESC LIMIT ?4",
				   -1, &st, NULL),
		SQLITE_OK);
	int sorted = 0;
	while (sqlite3_step(st) == SQLITE_ROW)
		if (strstr((const char *)sqlite3_column_text(st, 3),
			   "TEMP B-TREE"))
			sorted = 1;
	sqlite3_finalize(st);
	assert_false(sorted);
	store_close(s);
}

/* ---- search ----------------------------------------------------------- */

static void test_search(void **state)
{
	(void)state;
	struct store *s = open_mem();
	int64_t src = add_source(s, "http://a.test/feed");
	struct {
		const char *title, *text;
		int64_t published;
	} docs[] = {
		{ "Climate summit opens", "Leaders meet in Paris.", NOW - 3600 },
		{ "Local news", "The climate here is mild. Casino. Mist.",
		  NOW - 7200 },
		{ "Café résumé", "Naïve coöperation in Zürich.", NOW - 100 },
		{ "東京の天気", "東京 タワー は 高い", NOW - 50 },
		{ "Quotes \"inside\" title", "he said \"NEAR\" and OR it",
		  NOW - 10 },
		{ "Old climate story", "climate climate climate",
		  NOW - 400 * 86400 },
	};
	int64_t ids[6];
	for (int i = 0; i < 6; i++) {
		char guid[8];
		snprintf(guid, sizeof guid, "d%d", i);
		struct store_article a = art(src, guid, docs[i].title,
					     docs[i].text, docs[i].published);
		a.author = i == 1 ? (char *)"Jane Doe" : NULL;
		ids[i] = insert(s, &a);
	}
	setenv("TIDINGS_NOW", "1700000000", 1);

	struct store_article *v;
	size_t n;
	assert_int_equal(store_search(s, "climate", 10, &v, &n), 0);
	assert_int_equal(n, 3);
	/* Title match, recent, ranks first; the year-old one last despite
	 * its many matches. */
	assert_int_equal(v[0].id, ids[0]);
	assert_int_equal(v[2].id, ids[5]);
	assert_string_equal(v[0].source_title, "Source");
	store_articles_free(v, n);

	/* Limit. */
	assert_int_equal(store_search(s, "climate", 1, &v, &n), 0);
	assert_int_equal(n, 1);
	store_articles_free(v, n);

	/* Prefix on the last word; AND of all words. */
	assert_int_equal(store_search(s, "clim", 10, &v, &n), 0);
	assert_int_equal(n, 3);
	store_articles_free(v, n);
	assert_int_equal(store_search(s, "cli", 10, &v, &n), 0); /* index */
	assert_int_equal(n, 3);
	store_articles_free(v, n);
	/* Porter would shorten "cas"* to "ca"*: matched whole instead. */
	assert_int_equal(store_search(s, "cas", 10, &v, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_search(s, "casino\xcc\x81", 10, &v, &n), 0);
	assert_int_equal(n, 1);
	store_articles_free(v, n);
	/* Likewise "mis"* ("mi"*, which would find "mild" and "mist"). */
	assert_int_equal(store_search(s, "mis", 10, &v, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_search(s, "casi", 10, &v, &n), 0);
	assert_int_equal(n, 1);
	store_articles_free(v, n);
	assert_int_equal(store_search(s, "mil", 10, &v, &n), 0);
	assert_int_equal(n, 1);
	store_articles_free(v, n);
	/* Under 3 characters the last word must match whole. */
	assert_int_equal(store_search(s, "cl", 10, &v, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_search(s, "climate summ", 10, &v, &n), 0);
	assert_int_equal(n, 1);
	store_articles_free(v, n);
	assert_int_equal(store_search(s, "climate paris", 10, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, ids[0]);
	store_articles_free(v, n);
	/* Porter stemming: "leader" finds "Leaders". */
	assert_int_equal(store_search(s, "leader meet", 10, &v, &n), 0);
	assert_int_equal(n, 1);
	store_articles_free(v, n);
	/* Author is indexed. */
	assert_int_equal(store_search(s, "jane", 10, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, ids[1]);
	store_articles_free(v, n);

	/* Diacritics either way, case-insensitive. */
	const char *dia[] = { "cafe", "CAFÉ", "resume", "zurich", "ZÜRICH",
			      "naive", "cooperation", "cafe\xcc\x81" };
	for (size_t i = 0; i < sizeof dia / sizeof dia[0]; i++) {
		assert_int_equal(store_search(s, dia[i], 10, &v, &n), 0);
		if (n != 1)
			fail_msg("query '%s': %zu results", dia[i], n);
		assert_int_equal(v[0].id, ids[2]);
		store_articles_free(v, n);
	}
	/* Non-Latin scripts. */
	assert_int_equal(store_search(s, "東京", 10, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, ids[3]);
	store_articles_free(v, n);

	/* Hostile queries: never an error; operators are plain words. */
	const char *hostile[] = {
		"\"",
		"*",
		"NEAR(",
		"NEAR(a b, 2)",
		"a OR b",
		"-x",
		"title:x",
		"{title content_text}: x",
		"^x",
		"\"unbalanced",
		"x\"",
		"AND",
		"NOT",
		"OR",
		"(",
		")",
		"+",
		"",
		"   ",
		"!!!???...",
		"\xff\xfe\xfd",
		"\xe2\x80",
		"\xe2\x98\x83", /* a snowman: a symbol, not a word */
		"climate \"\" OR NOT *",
		"\xcc\x81",      /* a lone combining mark */
		"a\x01b",
		"col:* AND (",
	};
	for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		int rc = store_search(s, hostile[i], 10, &v, &n);
		if (rc)
			fail_msg("query '%s': %s: %s", hostile[i],
				 td_strerror(rc), store_errmsg(s));
		store_articles_free(v, n);
	}
	/* Nothing searchable: no results, not an error. */
	assert_int_equal(store_search(s, "!!!", 10, &v, &n), 0);
	assert_int_equal(n, 0);
	assert_null(v);
	assert_int_equal(store_search(s, NULL, 10, &v, &n), 0);
	assert_int_equal(n, 0);
	/* Operators are words: "NEAR" and "OR" are in document 4. */
	assert_int_equal(store_search(s, "NEAR(", 10, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, ids[4]);
	store_articles_free(v, n);
	assert_int_equal(store_search(s, "said OR", 10, &v, &n), 0);
	assert_int_equal(n, 1);
	store_articles_free(v, n);
	assert_int_equal(store_search(s, "\"inside\"", 10, &v, &n), 0);
	assert_int_equal(n, 1);
	store_articles_free(v, n);
	/* "a OR b" means all of a, or, b: nothing has all three. */
	assert_int_equal(store_search(s, "climate OR paris", 10, &v, &n), 0);
	assert_int_equal(n, 0);
	/* "-x" is not a negation. */
	assert_int_equal(store_search(s, "-climate", 10, &v, &n), 0);
	assert_int_equal(n, 3);
	store_articles_free(v, n);
	/* "title:x" is not a column filter. */
	assert_int_equal(store_search(s, "title:inside", 10, &v, &n), 0);
	assert_int_equal(n, 1);
	store_articles_free(v, n);

	/* Random queries from the characters that matter to FTS5 syntax,
	 * multi-byte and broken UTF-8: never an error (a fixed seed, so a
	 * failure repeats). */
	static const char *const bits[] = {
		"\"", "*", "(", ")", ":", "^", "-", "+", "{", "}", " ", ",",
		"AND", "OR", "NOT", "NEAR", "a", "climate", "x", "0", "_", ".",
		"\xc3\xa9", "\xcc\x81", "\xe6\x9d\xb1", "\xf0\x9f\x98\x80",
		"\xff", "\xc3", "\xe2\x80\xa8", "\t", "'", "\\", "%", "\x01",
	};
	uint32_t seed = 12345;
	for (int i = 0; i < 3000; i++) {
		char rq[256];
		size_t len = 0;
		seed = seed * 1103515245u + 12345u;
		int parts = 1 + (int)((seed >> 16) % 12);
		for (int k = 0; k < parts; k++) {
			seed = seed * 1103515245u + 12345u;
			const char *b =
				bits[(seed >> 16) % (sizeof bits / sizeof bits[0])];
			size_t bl = strlen(b);
			if (len + bl >= sizeof rq)
				break;
			memcpy(rq + len, b, bl);
			len += bl;
		}
		rq[len] = '\0';
		int rc = store_search(s, rq, 5, &v, &n);
		if (rc)
			fail_msg("query '%s': %s: %s", rq, td_strerror(rc),
				 store_errmsg(s));
		store_articles_free(v, n);
	}

	/* Very long: 200 KB of words is cut, not an error, and fast. */
	size_t big = 200 * 1024;
	char *q = malloc(big + 1);
	assert_non_null(q);
	for (size_t i = 0; i < big; i++)
		q[i] = "climate "[i % 8];
	q[big] = '\0';
	assert_int_equal(store_search(s, q, 10, &v, &n), 0);
	assert_int_equal(n, 3);
	store_articles_free(v, n);
	memset(q, 'x', big); /* one giant word */
	assert_int_equal(store_search(s, q, 10, &v, &n), 0);
	assert_int_equal(n, 0);
	/* many distinct words */
	for (size_t i = 0; i < big; i++)
		q[i] = (i % 3 == 2) ? ' ' : (char)('a' + (i / 3) % 26);
	assert_int_equal(store_search(s, q, 10, &v, &n), 0);
	assert_int_equal(n, 0);
	free(q);
	unsetenv("TIDINGS_NOW");
	store_close(s);
}

/* ---- cascade ---------------------------------------------------------- */

static void test_cascade(void **state)
{
	(void)state;
	struct store *s = open_mem();
	int64_t s1 = add_source(s, "http://a.test/feed");
	int64_t s2 = add_source(s, "http://b.test/feed");
	struct store_article a = art(s1, "a", "aardvark", "text", NOW);
	int64_t id = insert(s, &a);
	struct store_article b = art(s1, "b", "aardvark two", "text", NOW);
	insert(s, &b);
	struct store_article c = art(s2, "c", "aardvark three", "text", NOW);
	insert(s, &c);
	struct store_article a2 = art(s1, "a", "aardvark revised", "text",
				      NOW);
	assert_int_equal(store_article_revise(s, id, &a2, NOW), 0);
	/* Taking another article's guid is refused. */
	assert_int_equal(store_article_revise(s, id, &b, NOW), TD_EEXIST);

	struct store_article *v;
	size_t n;
	assert_int_equal(store_search(s, "aardvark", 10, &v, &n), 0);
	assert_int_equal(n, 3);
	store_articles_free(v, n);

	assert_int_equal(store_source_remove(s, s1), 0);
	assert_int_equal(sql_int(s, "SELECT count(*) FROM articles"), 1);
	assert_int_equal(sql_int(s, "SELECT count(*) FROM article_tags"), 2);
	assert_int_equal(sql_int(s, "SELECT count(*) FROM attachments"), 2);
	assert_int_equal(sql_int(s, "SELECT count(*) FROM revisions"), 0);
	sql_ok(s, "INSERT INTO articles_fts(articles_fts)"
		  " VALUES ('integrity-check')");
	assert_int_equal(store_search(s, "aardvark", 10, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].source_id, s2);
	store_articles_free(v, n);
	assert_int_equal(sql_int(s, "SELECT count(*) FROM articles_fts"
				    " WHERE articles_fts MATCH 'text'"),
			 1);
	store_close(s);
}

/* ---- backup ----------------------------------------------------------- */

static void test_backup(void **state)
{
	(void)state;
	char path[256], bak[256];
	tmp_path(path, sizeof path, "a.db");
	tmp_path(bak, sizeof bak, "bak.db");
	struct store *s = NULL, *r = NULL;
	struct td_error err = { 0 };
	assert_int_equal(store_open(path, 0, &s, &err), 0);
	int64_t src = add_source(s, "http://a.test/feed");
	for (int i = 0; i < 20; i++) {
		char g[16];
		snprintf(g, sizeof g, "g%d", i);
		struct store_article a = art(src, g, "backup kiwi", "x", NOW);
		insert(s, &a);
	}
	assert_int_equal(store_backup(s, bak, &err), 0);
	/* Never overwrites. */
	memset(&err, 0, sizeof err);
	assert_int_equal(store_backup(s, bak, &err), TD_EEXIST);
	assert_non_null(strstr(err.msg, "exists"));
	assert_int_equal(store_backup(s, "/nonexistent-dir/x.db", &err),
			 TD_EIO);
	store_close(s);

	assert_int_equal(store_open(bak, STORE_READONLY, &r, &err), 0);
	int64_t cnt;
	assert_int_equal(store_article_count(r, 0, &cnt), 0);
	assert_int_equal(cnt, 20);
	struct store_article *v;
	size_t n;
	assert_int_equal(store_search(r, "kiwi", 50, &v, &n), 0);
	assert_int_equal(n, 20);
	store_articles_free(v, n);
	assert_int_equal(sql_int(r, "SELECT count(*) FROM pragma_integrity_check"
				    " WHERE integrity_check = 'ok'"),
			 1);
	store_close(r);

	/* From an in-memory database too. */
	rm_db(bak);
	s = open_mem();
	add_source(s, "http://m.test/");
	assert_int_equal(store_backup(s, bak, &err), 0);
	store_close(s);
	assert_int_equal(store_open(bak, 0, &r, &err), 0);
	struct store_source so;
	assert_int_equal(store_source_get_by_url(r, "http://m.test/", &so), 0);
	store_source_release(&so);
	store_close(r);
}

/* ---- durability ------------------------------------------------------- */

#define KILL_ROUNDS 6
#define KILL_BATCH 5

/* Child: insert batches of articles, each batch one transaction, and report
 * the number committed on the pipe after every commit. Never returns. */
static void kill_child(const char *path, int fd, int round)
{
	struct store *s = NULL;
	if (store_open(path, 0, &s, NULL))
		_exit(3);
	struct store_source src = { 0 };
	src.url = (char *)"http://kill.test/feed";
	int64_t sid;
	int rc = store_source_add(s, &src, &sid);
	if (rc && rc != TD_EEXIST)
		_exit(4);
	int64_t committed = 0;
	if (store_article_count(s, 0, &committed))
		_exit(5);
	char text[2048];
	memset(text, 'w', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	for (int i = 0; i < 8; i++)
		text[100 * i + 50] = ' ';
	for (long b = 0; b < 1000000; b++) {
		if (store_begin(s))
			_exit(6);
		for (int k = 0; k < KILL_BATCH; k++) {
			char g[64];
			snprintf(g, sizeof g, "r%d-%ld-%d", round, b, k);
			struct store_article a =
				art(sid, g, "killed mid flight", text, NOW + b);
			int64_t id;
			if (store_article_insert(s, &a, &id))
				_exit(7);
			if (k == 2 && store_article_revise(s, id, &a, NOW))
				_exit(8);
		}
		if (store_commit(s))
			_exit(9);
		committed += KILL_BATCH;
		if (write(fd, &committed, sizeof committed) < 0) {
			/* pipe full: the parent checks >= anyway */
		}
	}
	_exit(0);
}

static void test_kill(void **state)
{
	(void)state;
	char path[256];
	tmp_path(path, sizeof path, "kill.db");
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	for (int round = 0; round < KILL_ROUNDS; round++) {
		int fds[2];
		assert_int_equal(pipe(fds), 0);
		fcntl(fds[1], F_SETFL, O_NONBLOCK);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(fds[0]);
			kill_child(path, fds[1], round);
		}
		close(fds[1]);
		/* Round 0 may die while creating the schema; later rounds
		 * wait for the first commit (at most 10 s), then kill within
		 * 0-150 ms, in the middle of the insert loop. */
		if (round > 0) {
			struct pollfd p = { .fd = fds[0], .events = POLLIN };
			poll(&p, 1, 10000);
		}
		int ms = round == 0 ? rand() % 30 : rand() % 150;
		usleep((useconds_t)ms * 1000);
		kill(pid, SIGKILL);
		int status;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (WIFEXITED(status))
			fail_msg("child exited %d before the kill",
				 WEXITSTATUS(status));
		int64_t last = 0, v;
		while (read(fds[0], &v, sizeof v) == (ssize_t)sizeof v)
			last = v;
		close(fds[0]);

		struct store *s = NULL;
		struct td_error err = { 0 };
		assert_int_equal(store_open(path, 0, &s, &err), 0);
		assert_int_equal(
			sql_int(s, "SELECT count(*) FROM pragma_integrity_check"
				   " WHERE integrity_check = 'ok'"),
			1);
		sql_ok(s, "INSERT INTO articles_fts(articles_fts)"
			  " VALUES ('integrity-check')");
		int64_t cnt;
		assert_int_equal(store_article_count(s, 0, &cnt), 0);
		/* Nothing committed lost, no half transaction. */
		assert_true(cnt >= last);
		assert_int_equal(cnt % KILL_BATCH, 0);
		/* Every article whole: 2 tags and 2 attachments each; one in
		 * every batch has its revision. */
		assert_int_equal(
			sql_int(s, "SELECT count(*) FROM articles a WHERE"
				   " (SELECT count(*) FROM article_tags t"
				   "  WHERE t.article_id = a.id) != 2 OR"
				   " (SELECT count(*) FROM attachments t"
				   "  WHERE t.article_id = a.id) != 2"),
			0);
		assert_int_equal(sql_int(s, "SELECT count(*) FROM revisions"),
				 cnt / KILL_BATCH);
		assert_int_equal(sql_int(s, "SELECT count(*) FROM articles_fts"
					    " WHERE articles_fts MATCH"
					    " 'killed'"),
				 cnt);
		print_message("kill round %d after %d ms: %lld committed "
			      "reported, %lld stored\n",
			      round, ms, (long long)last, (long long)cnt);
		store_close(s);
	}
}

/* ---- WAL reader ------------------------------------------------------- */

static void test_wal_reader(void **state)
{
	(void)state;
	char path[256];
	tmp_path(path, sizeof path, "wal.db");
	struct store *w = NULL, *r = NULL;
	struct td_error err = { 0 };
	assert_int_equal(store_open(path, 0, &w, &err), 0);
	int64_t src = add_source(w, "http://w.test/feed");
	struct store_article a = art(src, "1", "first", "x", NOW);
	insert(w, &a);

	assert_int_equal(store_open(path, STORE_READONLY, &r, &err), 0);
	int64_t cnt;
	assert_int_equal(store_article_count(r, 0, &cnt), 0);
	assert_int_equal(cnt, 1);

	/* While the writer is inside a transaction the reader sees the last
	 * commit and is not blocked. */
	assert_int_equal(store_begin(w), 0);
	a.guid = (char *)"2";
	insert(w, &a);
	a.guid = (char *)"3";
	insert(w, &a);
	assert_int_equal(store_article_count(r, 0, &cnt), 0);
	assert_int_equal(cnt, 1);
	struct store_article *v;
	size_t n;
	assert_int_equal(store_latest(r, 0, 0, 0, 10, &v, &n), 0);
	assert_int_equal(n, 1);
	store_articles_free(v, n);
	assert_int_equal(store_commit(w), 0);
	assert_int_equal(store_article_count(r, 0, &cnt), 0);
	assert_int_equal(cnt, 3);
	assert_int_equal(store_search(r, "first", 10, &v, &n), 0);
	assert_int_equal(n, 3);
	store_articles_free(v, n);

	/* A reader cannot write. */
	a.guid = (char *)"4";
	int64_t id;
	assert_int_equal(store_article_insert(r, &a, &id), TD_EDB);
	assert_int_equal(store_article_count(w, 0, &cnt), 0);
	assert_int_equal(cnt, 3);
	store_close(r);
	store_close(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_empty),
		cmocka_unit_test(test_reopen),
		cmocka_unit_test(test_newer_schema),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_insert_lookup),
		cmocka_unit_test(test_revise),
		cmocka_unit_test(test_latest),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_cascade),
		cmocka_unit_test(test_backup),
		cmocka_unit_test(test_kill),
		cmocka_unit_test(test_wal_reader),
	};
	return cmocka_run_group_tests(tests, tmp_setup, tmp_teardown);
}
