/*
 * extract.c - the full-text extraction queue: which articles wait for their
 * page to be fetched and extracted, and storing what extraction found.
 */
#include "store/store_int.h"

#include "core/err.h"
#include "core/time.h"

#include <stdlib.h>
#include <string.h>

int store_extract_mark(struct store *s, int64_t id, int state, int tries,
		       int64_t next)
{
	sqlite3_stmt *st = store_stmt(
		s, ST_EXTRACT_MARK,
		"UPDATE articles SET extract_state = ?2, extract_tries = ?3,"
		" extract_next = ?4 WHERE id = ?1");
	if (!st)
		return TD_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, state);
	sqlite3_bind_int(st, 3, tries);
	if (state == STORE_EXTRACT_PENDING)
		sqlite3_bind_int64(st, 4, next);
	else
		sqlite3_bind_null(st, 4);
	int rc = store_exec_stmt(s, st);
	if (!rc && sqlite3_changes(s->db) == 0)
		return store_fail(s, TD_ENOTFOUND, "no such article");
	return rc;
}

void store_extract_jobs_free(struct store_extract_job *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].url);
	free(v);
}

int store_extract_due(struct store *s, int64_t now, size_t limit,
		      struct store_extract_job **v, size_t *n)
{
	*v = NULL;
	*n = 0;
	sqlite3_stmt *st = store_stmt(
		s, ST_EXTRACT_DUE,
		"SELECT a.id, a.source_id, s.mode, a.extract_tries, a.url,"
		" length(a.content_text) FROM articles a"
		" JOIN sources s ON s.id = a.source_id"
		" WHERE a.extract_state = 1 AND a.extract_next <= ?1"
		" AND a.url IS NOT NULL AND s.disabled = 0"
		" ORDER BY a.extract_next, a.id LIMIT ?2");
	if (!st)
		return TD_EDB;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)(limit > INT64_MAX ? INT64_MAX
								      : limit));
	struct store_extract_job *out = NULL;
	size_t len = 0, cap = 0;
	int rc = 0, r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			size_t nc = cap ? cap * 2 : 16;
			void *p = realloc(out, nc * sizeof *out);
			if (!p) {
				rc = TD_ENOMEM;
				break;
			}
			out = p;
			cap = nc;
		}
		struct store_extract_job *j = &out[len];
		memset(j, 0, sizeof *j);
		j->id = sqlite3_column_int64(st, 0);
		j->source_id = sqlite3_column_int64(st, 1);
		j->mode = sqlite3_column_int(st, 2);
		j->tries = sqlite3_column_int(st, 3);
		j->url = store_col_text(st, 4, &rc);
		j->feed_text_len = (size_t)sqlite3_column_int64(st, 5);
		len++;
		if (rc)
			break;
	}
	if (!rc && r != SQLITE_ROW && r != SQLITE_DONE)
		rc = store_dberr(s);
	store_done(st);
	if (rc) {
		store_extract_jobs_free(out, len);
		return rc;
	}
	*v = out;
	*n = len;
	return 0;
}

int store_article_set_body(struct store *s, int64_t id,
			   const char *content_html, const char *content_text,
			   const char *image)
{
	sqlite3_stmt *st = store_stmt(
		s, ST_EXTRACT_BODY,
		"UPDATE articles SET content_html = ?2, content_text = ?3,"
		" image = coalesce(image, ?4) WHERE id = ?1");
	if (!st)
		return TD_EDB;
	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, content_html);
	store_bind_text(st, 3, content_text);
	store_bind_text(st, 4, image);
	int rc = store_exec_stmt(s, st);
	if (!rc && sqlite3_changes(s->db) == 0)
		return store_fail(s, TD_ENOTFOUND, "no such article");
	return rc;
}

int store_extract_requeue_all(struct store *s, int64_t *n)
{
	sqlite3_stmt *st = store_stmt(
		s, ST_EXTRACT_ALL,
		"UPDATE articles SET extract_state = 1, extract_tries = 0,"
		" extract_next = 0 WHERE extract_state IN (2, 3)");
	if (!st)
		return TD_EDB;
	int rc = store_exec_stmt(s, st);
	if (n)
		*n = rc ? 0 : sqlite3_changes(s->db);
	return rc;
}

int store_feed_bodies(struct store *s, int64_t after_id, size_t limit,
		      struct store_article **v, size_t *n)
{
	sqlite3_stmt *st = store_stmt(
		s, ST_FEED_BODIES,
		"SELECT " STORE_ARTICLE_COLS " FROM articles a"
		" JOIN sources s ON s.id = a.source_id"
		" WHERE a.id > ?1 AND a.extract_state NOT IN (2, 3)"
		" ORDER BY a.id LIMIT ?2");
	if (!st)
		return TD_EDB;
	sqlite3_bind_int64(st, 1, after_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
	return store_article_rows(s, st, limit, v, n);
}
