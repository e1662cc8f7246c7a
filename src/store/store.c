/*
 * store.c - opening and closing the database, the schema and its forward-only
 * migrations, transactions, the statement cache, errors, backup.
 *
 * The schema is described in docs/store.md. To change it, append a step to
 * migrations[]: never edit a step that has shipped.
 */
#include "store/store_int.h"

#include "core/err.h"
#include "core/log.h"
#include "core/time.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------------
 * Migrations: step i takes the database from user_version i to i + 1. Each
 * runs in its own transaction that also bumps user_version, so a crash
 * leaves the database at a version it fully has.
 */

static const char *const migrations[] = {
	/* 0 -> 1: the initial schema. */
	"CREATE TABLE sources ("
	" id INTEGER PRIMARY KEY,"
	" url TEXT NOT NULL UNIQUE,"
	" site_url TEXT,"
	" title TEXT,"
	" tags TEXT,"
	" mode INTEGER NOT NULL DEFAULT 0,"
	" disabled INTEGER NOT NULL DEFAULT 0,"
	" created INTEGER NOT NULL,"
	" etag TEXT,"
	" last_modified TEXT,"
	" last_fetch INTEGER,"
	" next_fetch INTEGER NOT NULL DEFAULT 0,"
	" last_status INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT,"
	" error_count INTEGER NOT NULL DEFAULT 0,"
	" last_new_item INTEGER,"
	" interval INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX sources_due ON sources(next_fetch) WHERE disabled = 0;"

	"CREATE TABLE articles ("
	" id INTEGER PRIMARY KEY,"
	" source_id INTEGER NOT NULL"
	"  REFERENCES sources(id) ON DELETE CASCADE,"
	/* Small columns first: reading them never walks the overflow pages
	 * of the content columns, which come last. */
	" published INTEGER NOT NULL,"
	" updated INTEGER,"
	" first_seen INTEGER NOT NULL,"
	" content_hash INTEGER NOT NULL DEFAULT 0,"
	" views INTEGER NOT NULL DEFAULT 0,"
	" guid TEXT,"
	" url TEXT,"
	" canonical_url TEXT,"
	" title TEXT,"
	" author TEXT,"
	" image TEXT,"
	" language TEXT,"
	" summary TEXT,"
	" content_text TEXT,"
	" content_html TEXT,"
	" content_orig TEXT,"
	" UNIQUE (source_id, guid)"
	");"
	"CREATE INDEX articles_canonical ON articles(source_id, canonical_url);"
	"CREATE INDEX articles_published ON articles(published DESC, id DESC);"
	"CREATE INDEX articles_source_published"
	" ON articles(source_id, published DESC, id DESC);"
	/* Covering index for search ranking: published by id, without
	 * touching the wide rows. */
	"CREATE INDEX articles_id_published ON articles(id, published);"

	"CREATE TABLE article_tags ("
	" article_id INTEGER NOT NULL"
	"  REFERENCES articles(id) ON DELETE CASCADE,"
	" tag TEXT NOT NULL,"
	" UNIQUE (article_id, tag)"
	");"
	"CREATE INDEX article_tags_tag ON article_tags(tag, article_id);"

	"CREATE TABLE attachments ("
	" id INTEGER PRIMARY KEY,"
	" article_id INTEGER NOT NULL"
	"  REFERENCES articles(id) ON DELETE CASCADE,"
	" url TEXT NOT NULL,"
	" mime_type TEXT,"
	" size INTEGER,"
	" duration INTEGER"
	");"
	"CREATE INDEX attachments_article ON attachments(article_id);"

	"CREATE TABLE revisions ("
	" id INTEGER PRIMARY KEY,"
	" article_id INTEGER NOT NULL"
	"  REFERENCES articles(id) ON DELETE CASCADE,"
	" seen_at INTEGER NOT NULL,"
	" title TEXT,"
	" content_orig TEXT,"
	" content_html TEXT,"
	" content_text TEXT,"
	" content_hash INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX revisions_article"
	" ON revisions(article_id, seen_at DESC, id DESC);"

	/* Full-text index with external content: the text lives once, in
	 * articles; the triggers keep the index in step (a cascade from
	 * sources fires the delete trigger too). The update trigger fires only
	 * for indexed columns, so counting a view does not touch the index.
	 * The 3-character prefix index serves the shortest prefix searches,
	 * which would otherwise merge the doclists of hundreds of words
	 * (search.c never asks for shorter prefixes of Latin words). */
	"CREATE VIRTUAL TABLE articles_fts USING fts5("
	" title, content_text, author,"
	" content='articles', content_rowid='id', prefix='3',"
	" tokenize='porter unicode61 remove_diacritics 2'"
	");"
	"CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN"
	" INSERT INTO articles_fts(rowid, title, content_text, author)"
	"  VALUES (new.id, new.title, new.content_text, new.author);"
	" END;"
	"CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN"
	" INSERT INTO articles_fts(articles_fts, rowid, title, content_text,"
	"  author) VALUES ('delete', old.id, old.title, old.content_text,"
	"  old.author);"
	" END;"
	"CREATE TRIGGER articles_fts_au"
	" AFTER UPDATE OF title, content_text, author ON articles BEGIN"
	" INSERT INTO articles_fts(articles_fts, rowid, title, content_text,"
	"  author) VALUES ('delete', old.id, old.title, old.content_text,"
	"  old.author);"
	" INSERT INTO articles_fts(rowid, title, content_text, author)"
	"  VALUES (new.id, new.title, new.content_text, new.author);"
	" END;",

	/* 1 -> 2: the full-text extraction queue. extract_state is one of
	 * STORE_EXTRACT_*; pending articles are due at extract_next. */
	"ALTER TABLE articles ADD COLUMN extract_state INTEGER NOT NULL"
	" DEFAULT 0;"
	"ALTER TABLE articles ADD COLUMN extract_tries INTEGER NOT NULL"
	" DEFAULT 0;"
	"ALTER TABLE articles ADD COLUMN extract_next INTEGER;"
	"CREATE INDEX articles_extract ON articles(extract_next)"
	" WHERE extract_state = 1;",

	/* 2 -> 3: the polling hints a feed gave (ttl / sy:update*, skipHours,
	 * skipDays), kept so that rounds answered 304 still honour them. */
	"ALTER TABLE sources ADD COLUMN hint_interval INTEGER NOT NULL"
	" DEFAULT 0;"
	"ALTER TABLE sources ADD COLUMN skip_hours INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE sources ADD COLUMN skip_days INTEGER NOT NULL DEFAULT 0;",

	/* 3 -> 4: views per article per hour, for "Most read" (pruned after
	 * two days); tag pages match tags case-insensitively. */
	"CREATE TABLE views_hourly ("
	" hour INTEGER NOT NULL,"
	" article_id INTEGER NOT NULL"
	"  REFERENCES articles(id) ON DELETE CASCADE,"
	" n INTEGER NOT NULL,"
	" PRIMARY KEY (hour, article_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX views_hourly_article ON views_hourly(article_id);"
	"CREATE INDEX article_tags_nocase"
	" ON article_tags(tag COLLATE NOCASE, article_id);",

	/* 4 -> 5: tag pages list a tag's newest articles; with the publish
	 * time on the tag rows (kept in step by a trigger) that is a range
	 * scan of one index instead of a sort of every article of the tag
	 * (35 ms for a common tag on 100,000 articles). */
	"ALTER TABLE article_tags ADD COLUMN published INTEGER;"
	"UPDATE article_tags SET published ="
	" (SELECT published FROM articles WHERE id = article_id);"
	"CREATE INDEX article_tags_recent"
	" ON article_tags(tag COLLATE NOCASE, published, article_id);"
	"CREATE TRIGGER article_tags_published"
	" AFTER UPDATE OF published ON articles BEGIN"
	" UPDATE article_tags SET published = new.published"
	"  WHERE article_id = new.id;"
	" END;",

	/* 5 -> 6: each source's article count, kept by triggers: counting
	 * at every read walked the whole index (25-46 ms for /about, the
	 * sources API and /metrics on 100,000 articles). */
	"ALTER TABLE sources ADD COLUMN n_articles INTEGER NOT NULL"
	" DEFAULT 0;"
	"UPDATE sources SET n_articles ="
	" (SELECT count(*) FROM articles WHERE source_id = sources.id);"
	"CREATE TRIGGER sources_count_ai AFTER INSERT ON articles BEGIN"
	" UPDATE sources SET n_articles = n_articles + 1"
	"  WHERE id = new.source_id;"
	" END;"
	"CREATE TRIGGER sources_count_ad AFTER DELETE ON articles BEGIN"
	" UPDATE sources SET n_articles = n_articles - 1"
	"  WHERE id = old.source_id;"
	" END;"
	"CREATE TRIGGER sources_count_au AFTER UPDATE OF source_id ON articles"
	" BEGIN"
	" UPDATE sources SET n_articles = n_articles - 1"
	"  WHERE id = old.source_id;"
	" UPDATE sources SET n_articles = n_articles + 1"
	"  WHERE id = new.source_id;"
	" END;",
};

#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

/* Per-connection tuning.
 *
 * No memory-mapped reads (mmap_size 0). With mmap, every page a connection
 * touches counts in the process's RSS, and the kernel maps the neighbours
 * of each touched page too (fault-around, 64 KB), so scattered reads - an
 * index scan, a search, random article pages - pulled large parts of the
 * file into `tidings serve`'s RSS: with 100,000 articles (1.2 GB), one
 * /metrics scrape added 63 MB and a search bench 330 MB. Without it, pages
 * are read with pread from the OS page cache into SQLite's own page cache,
 * whose size (KiB, negative as SQLite wants it) bounds each connection.
 * `tidings serve` holds one reader per web worker and two writers (ingest,
 * view counts), all within its 64 MB memory target together with the page
 * cache. 2 MiB each (SQLite's default size) was measured against larger
 * caches on 100,000 articles: search pages take the same CPU time with 2
 * and 4 MiB (the OS page cache serves the rest), ingest 4% more system
 * time than with 4 or 8 MiB, and the 256-connection load bench peaks 9 MB
 * lower than with 4 MiB. */
#define STORE_TUNING                                                         \
	"PRAGMA cache_size = -2048;"                                         \
	"PRAGMA mmap_size = 0;"

/* ------------------------------------------------------------------------
 * Errors and the statement cache
 */

static void save_msg(struct store *s, const char *msg)
{
	snprintf(s->errmsg, sizeof s->errmsg, "%s", msg ? msg : "");
}

int store_dberr(struct store *s)
{
	save_msg(s, sqlite3_errmsg(s->db));
	return TD_EDB;
}

int store_fail(struct store *s, int code, const char *msg)
{
	save_msg(s, msg);
	return code;
}

const char *store_errmsg(struct store *s)
{
	if (!s)
		return "no database";
	return s->errmsg[0] ? s->errmsg : sqlite3_errmsg(s->db);
}

sqlite3_stmt *store_stmt(struct store *s, enum stmt_id id, const char *sql)
{
	if (s->st[id])
		return s->st[id];
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
			       NULL) != SQLITE_OK) {
		store_dberr(s);
		sqlite3_finalize(st);
		return NULL;
	}
	s->st[id] = st;
	return st;
}

void store_done(sqlite3_stmt *st)
{
	if (!st)
		return;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static int is_unique_violation(int rc)
{
	return rc == SQLITE_CONSTRAINT_UNIQUE ||
	       rc == SQLITE_CONSTRAINT_PRIMARYKEY;
}

int store_exec_stmt(struct store *s, sqlite3_stmt *st)
{
	if (!st)
		return TD_EDB;
	int rc = sqlite3_step(st);
	int ret = 0;
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		ret = store_dberr(s);
		if (is_unique_violation(sqlite3_extended_errcode(s->db)))
			ret = TD_EEXIST;
	}
	store_done(st);
	return ret;
}

/* Run a cached control statement (BEGIN, COMMIT, ...). When quiet, a failure
 * does not replace the saved message (used while rolling back). */
static int control(struct store *s, enum stmt_id id, const char *sql,
		   int quiet)
{
	char keep[sizeof s->errmsg];
	if (quiet)
		memcpy(keep, s->errmsg, sizeof keep);
	int rc = store_exec_stmt(s, store_stmt(s, id, sql));
	if (quiet)
		memcpy(s->errmsg, keep, sizeof keep);
	return rc;
}

int store_begin(struct store *s)
{
	return control(s, ST_BEGIN, "BEGIN IMMEDIATE", 0);
}

int store_commit(struct store *s)
{
	return control(s, ST_COMMIT, "COMMIT", 0);
}

int store_rollback(struct store *s)
{
	if (sqlite3_get_autocommit(s->db))
		return 0; /* nothing open (SQLite may have rolled back) */
	return control(s, ST_ROLLBACK, "ROLLBACK", 0);
}

int store_atomic_begin(struct store *s, int *own)
{
	*own = sqlite3_get_autocommit(s->db) != 0;
	if (*own)
		return store_begin(s);
	return control(s, ST_SAVEPOINT, "SAVEPOINT store_write", 0);
}

int store_atomic_end(struct store *s, int own, int rc)
{
	if (own) {
		if (rc == 0 && (rc = store_commit(s)) == 0)
			return 0;
		if (!sqlite3_get_autocommit(s->db))
			control(s, ST_ROLLBACK, "ROLLBACK", 1);
		return rc;
	}
	if (rc == 0)
		return control(s, ST_RELEASE, "RELEASE store_write", 0);
	if (!sqlite3_get_autocommit(s->db)) {
		control(s, ST_ROLLBACK_TO, "ROLLBACK TO store_write", 1);
		control(s, ST_RELEASE, "RELEASE store_write", 1);
	}
	return rc;
}

int store_read_begin(struct store *s)
{
	return control(s, ST_READ_BEGIN, "SAVEPOINT store_read", 0);
}

int store_read_end(struct store *s, int rc)
{
	int r = control(s, ST_READ_END, "RELEASE store_read", rc != 0);
	return rc ? rc : r;
}

/* ------------------------------------------------------------------------
 * Value helpers
 */

int store_bind_time(sqlite3_stmt *st, int i, int64_t t)
{
	if (t == TD_TIME_NONE)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_int64(st, i, t);
}

int store_bind_text(sqlite3_stmt *st, int i, const char *p)
{
	if (!p)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, p, -1, SQLITE_STATIC);
}

int64_t store_col_time(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return TD_TIME_NONE;
	return sqlite3_column_int64(st, i);
}

char *store_col_text(sqlite3_stmt *st, int i, int *rc)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	const unsigned char *p = sqlite3_column_text(st, i);
	size_t n = (size_t)sqlite3_column_bytes(st, i);
	char *out = p ? malloc(n + 1) : NULL;
	if (!out) {
		*rc = TD_ENOMEM;
		return NULL;
	}
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

/* ------------------------------------------------------------------------
 * Open, migrate, close
 */

static int user_version(sqlite3 *db, int *v)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*v = sqlite3_column_int(st, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : TD_EDB;
}

static int exec(struct store *s, const char *sql)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_dberr(s);
	return 0;
}

static int too_new(struct store *s, int v, struct td_error *err)
{
	char msg[160];
	snprintf(msg, sizeof msg,
		 "database schema %d is newer than this tidings (%d)", v,
		 SCHEMA_VERSION);
	store_fail(s, TD_EDB, msg);
	return td_error_set(err, TD_EDB, "%s", msg);
}

/* Apply the missing steps, each in its own transaction. The version is read
 * again inside the transaction: another process may have migrated first. */
static int migrate(struct store *s, struct td_error *err)
{
	for (;;) {
		int v = 0, rc;
		if (user_version(s->db, &v))
			goto dberr;
		if (v > SCHEMA_VERSION)
			return too_new(s, v, err);
		if (v == SCHEMA_VERSION)
			return 0;
		if (exec(s, "BEGIN IMMEDIATE"))
			goto dberr;
		if (user_version(s->db, &v))
			goto rollback;
		if (v >= SCHEMA_VERSION) { /* someone else got there */
			exec(s, "ROLLBACK");
			continue;
		}
		char bump[64];
		snprintf(bump, sizeof bump, "PRAGMA user_version = %d", v + 1);
		if (exec(s, migrations[v]) || exec(s, bump) ||
		    exec(s, "COMMIT"))
			goto rollback;
		td_log(TD_LOG_DEBUG, "store: schema migrated to %d", v + 1);
		continue;
	rollback:
		rc = store_dberr(s);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return td_error_set(err, rc, "schema migration to %d: %s",
				    v + 1, s->errmsg);
	dberr:
		rc = store_dberr(s);
		return td_error_set(err, rc, "%s", s->errmsg);
	}
}

static int check_readonly_version(struct store *s, struct td_error *err)
{
	int v = 0;
	if (user_version(s->db, &v)) {
		int rc = store_dberr(s);
		return td_error_set(err, rc, "%s", s->errmsg);
	}
	if (v > SCHEMA_VERSION)
		return too_new(s, v, err);
	if (v < SCHEMA_VERSION) {
		char msg[200];
		snprintf(msg, sizeof msg,
			 "database schema %d is older than this tidings (%d); "
			 "open it once read-write to migrate",
			 v, SCHEMA_VERSION);
		store_fail(s, TD_EDB, msg);
		return td_error_set(err, TD_EDB, "%s", msg);
	}
	return 0;
}

static int setup_writer(struct store *s, struct td_error *err)
{
	if (exec(s, "PRAGMA foreign_keys = ON") ||
	    exec(s, "PRAGMA synchronous = NORMAL"))
		goto fail;
	if (s->flags & STORE_MEMORY)
		return 0;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1,
				    &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *mode = (const char *)sqlite3_column_text(st, 0);
		if (!mode || strcmp(mode, "wal") != 0)
			td_log(TD_LOG_WARN, "store: journal mode is %s, not wal",
			       mode ? mode : "unknown");
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		goto fail;
	return 0;
fail:
	store_dberr(s);
	return td_error_set(err, TD_EDB, "%s", s->errmsg);
}

int store_open(const char *path, int flags, struct store **out,
	       struct td_error *err)
{
	*out = NULL;
	if (flags & STORE_MEMORY) {
		path = ":memory:";
		flags &= ~STORE_READONLY; /* an empty read-only db is useless */
	}
	if (!path || !*path)
		return td_error_set(err, TD_EINVAL, "no database path");
	struct store *s = calloc(1, sizeof *s);
	if (!s)
		return td_error_set(err, TD_ENOMEM, "out of memory");
	s->flags = flags;

	int oflags = SQLITE_OPEN_NOMUTEX;
	oflags |= (flags & STORE_READONLY)
			  ? SQLITE_OPEN_READONLY
			  : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	int rc = sqlite3_open_v2(path, &s->db, oflags, NULL);
	if (!s->db) {
		free(s);
		return td_error_set(err, TD_ENOMEM, "out of memory");
	}
	if (rc != SQLITE_OK) {
		rc = td_error_set(err, TD_EDB, "%s: %s", path,
				  sqlite3_errmsg(s->db));
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, 5000);
	if (exec(s, STORE_TUNING)) {
		rc = td_error_set(err, TD_EDB, "%s: %s", path, s->errmsg);
		goto fail;
	}
	if (store_search_register(s->db)) {
		rc = td_error_set(err, TD_EDB, "%s: registering td_rank: %s",
				  path, sqlite3_errmsg(s->db));
		goto fail;
	}

	if (flags & STORE_READONLY) {
		if (exec(s, "PRAGMA foreign_keys = ON")) {
			rc = td_error_set(err, TD_EDB, "%s: %s", path,
					  s->errmsg);
			goto fail;
		}
		rc = check_readonly_version(s, err);
	} else {
		rc = setup_writer(s, err);
		if (rc == 0)
			rc = migrate(s, err);
	}
	if (rc)
		goto fail;
	s->errmsg[0] = '\0';
	*out = s;
	return 0;
fail:
	sqlite3_close_v2(s->db);
	free(s);
	return rc;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	if (!sqlite3_get_autocommit(s->db)) /* never commit by accident */
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	for (int i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(s->st[i]);
	if (!(s->flags & (STORE_READONLY | STORE_MEMORY))) {
		sqlite3_exec(s->db, "PRAGMA optimize", NULL, NULL, NULL);
		sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL,
			     NULL, NULL);
	}
	sqlite3_close_v2(s->db);
	free(s);
}

int store_schema_version(struct store *s)
{
	int v = 0;
	if (user_version(s->db, &v))
		return store_dberr(s);
	return v;
}

/* ------------------------------------------------------------------------
 * Source modes
 */

static const char *const mode_names[] = {
	[STORE_MODE_AUTO] = "auto",
	[STORE_MODE_FEED] = "feed",
	[STORE_MODE_EXTRACT] = "extract",
	[STORE_MODE_SUMMARY] = "summary",
};

const char *store_mode_name(int mode)
{
	if (mode < 0 || mode > STORE_MODE_SUMMARY)
		return "auto";
	return mode_names[mode];
}

int store_mode_parse(const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; i <= STORE_MODE_SUMMARY; i++)
		if (strcmp(s, mode_names[i]) == 0)
			return i;
	return -1;
}

/* ------------------------------------------------------------------------
 * Backup
 */

int store_backup(struct store *s, const char *path, struct td_error *err)
{
	if (!path || !*path)
		return td_error_set(err, TD_EINVAL, "no backup path");
	/* Creating the file exclusively both checks and reserves the name. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == EEXIST)
			return td_error_set(err, TD_EEXIST, "%s: file exists",
					    path);
		return td_error_set(err, TD_EIO, "%s: %s", path,
				    strerror(errno));
	}
	close(fd);

	sqlite3 *dst = NULL;
	sqlite3_backup *b = NULL;
	int rc = TD_EDB;
	if (sqlite3_open_v2(path, &dst,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		td_error_set(err, TD_EDB, "%s: %s", path,
			     dst ? sqlite3_errmsg(dst) : "out of memory");
		goto out;
	}
	b = sqlite3_backup_init(dst, "main", s->db, "main");
	if (!b) {
		td_error_set(err, TD_EDB, "%s: %s", path, sqlite3_errmsg(dst));
		goto out;
	}
	int step;
	/* Busy only while another connection writes; give up after ~10 s. */
	for (int tries = 0;; tries++) {
		step = sqlite3_backup_step(b, -1);
		if ((step != SQLITE_BUSY && step != SQLITE_LOCKED) ||
		    tries >= 200)
			break;
		sqlite3_sleep(50);
	}
	sqlite3_backup_finish(b);
	if (step != SQLITE_DONE) {
		td_error_set(err, TD_EDB, "%s: backup: %s", path,
			     sqlite3_errstr(step));
		goto out;
	}
	rc = 0;
out:
	if (dst && sqlite3_close(dst) != SQLITE_OK) {
		if (rc == 0)
			rc = td_error_set(err, TD_EDB, "%s: %s", path,
					  sqlite3_errmsg(dst));
		sqlite3_close_v2(dst);
	}
	if (rc)
		unlink(path);
	return rc;
}
