/*
 * source.c - the sources table: add, get, list, due, update, remove.
 */
#include "store/store_int.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/time.h"

#include <stdlib.h>
#include <string.h>

#define SOURCE_COLS                                                          \
	"s.id, s.url, s.site_url, s.title, s.tags, s.mode, s.disabled, "     \
	"s.created, s.etag, s.last_modified, s.last_fetch, s.next_fetch, "   \
	"s.last_status, s.last_error, s.error_count, s.last_new_item, "      \
	"s.interval, s.n_articles, s.hint_interval, s.skip_hours, "         \
	"s.skip_days"

void store_source_release(struct store_source *src)
{
	if (!src)
		return;
	free(src->url);
	free(src->site_url);
	free(src->title);
	free(src->tags);
	free(src->etag);
	free(src->last_modified);
	free(src->last_error);
	memset(src, 0, sizeof *src);
}

void store_sources_free(struct store_source *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		store_source_release(&v[i]);
	free(v);
}

/* Fill *o from the current row (SOURCE_COLS). 0 or TD_ENOMEM. */
static int source_row(sqlite3_stmt *st, struct store_source *o)
{
	int rc = 0;
	memset(o, 0, sizeof *o);
	o->id = sqlite3_column_int64(st, 0);
	o->url = store_col_text(st, 1, &rc);
	o->site_url = store_col_text(st, 2, &rc);
	o->title = store_col_text(st, 3, &rc);
	o->tags = store_col_text(st, 4, &rc);
	o->mode = sqlite3_column_int(st, 5);
	o->disabled = sqlite3_column_int(st, 6);
	o->created = sqlite3_column_int64(st, 7);
	o->etag = store_col_text(st, 8, &rc);
	o->last_modified = store_col_text(st, 9, &rc);
	o->last_fetch = store_col_time(st, 10);
	o->next_fetch = sqlite3_column_int64(st, 11);
	o->last_status = sqlite3_column_int(st, 12);
	o->last_error = store_col_text(st, 13, &rc);
	o->error_count = sqlite3_column_int(st, 14);
	o->last_new_item = store_col_time(st, 15);
	o->interval = sqlite3_column_int64(st, 16);
	o->n_articles = sqlite3_column_int64(st, 17);
	o->hint_interval = sqlite3_column_int64(st, 18);
	o->skip_hours = (uint32_t)sqlite3_column_int64(st, 19);
	o->skip_days = (uint8_t)sqlite3_column_int(st, 20);
	if (rc)
		store_source_release(o);
	return rc;
}

/* Step st (bindings set) for one row into *out. st is done(). */
static int source_one(struct store *s, sqlite3_stmt *st,
		      struct store_source *out)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = source_row(st, out);
	else if (rc == SQLITE_DONE)
		rc = store_fail(s, TD_ENOTFOUND, "no such source");
	else
		rc = store_dberr(s);
	store_done(st);
	return rc;
}

/* Step st collecting every row. st is done(). */
static int source_rows(struct store *s, sqlite3_stmt *st,
		       struct store_source **v, size_t *n)
{
	struct store_source *arr = NULL;
	size_t len = 0, cap = 0;
	int rc;
	*v = NULL;
	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 16, bytes;
			if (td_size_mul(ncap, sizeof *arr, &bytes)) {
				rc = TD_ETOOBIG;
				goto out;
			}
			struct store_source *p = realloc(arr, bytes);
			if (!p) {
				rc = TD_ENOMEM;
				goto out;
			}
			arr = p;
			cap = ncap;
		}
		if ((rc = source_row(st, &arr[len])) != 0)
			goto out;
		len++;
	}
	if (rc != SQLITE_DONE) {
		rc = store_dberr(s);
		goto out;
	}
	rc = 0;
	*v = arr;
	*n = len;
	arr = NULL;
out:
	store_done(st);
	store_sources_free(arr, len);
	return rc;
}

int store_source_add(struct store *s, const struct store_source *src,
		     int64_t *id)
{
	if (!src->url || !*src->url)
		return store_fail(s, TD_EINVAL, "source without URL");
	sqlite3_stmt *st = store_stmt(
		s, ST_SOURCE_ADD,
		"INSERT INTO sources (url, site_url, title, tags, mode, "
		"disabled, created, next_fetch, interval) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
	if (!st)
		return TD_EDB;
	int64_t created = src->created;
	if (created <= 0) /* unset (0 or TD_TIME_NONE): now */
		created = td_now();
	store_bind_text(st, 1, src->url);
	store_bind_text(st, 2, src->site_url);
	store_bind_text(st, 3, src->title);
	store_bind_text(st, 4, src->tags);
	sqlite3_bind_int(st, 5, src->mode);
	sqlite3_bind_int(st, 6, src->disabled != 0);
	sqlite3_bind_int64(st, 7, created);
	sqlite3_bind_int64(st, 8, src->next_fetch);
	sqlite3_bind_int64(st, 9, src->interval);
	int rc = store_exec_stmt(s, st);
	if (rc == 0) {
		*id = sqlite3_last_insert_rowid(s->db);
		return 0;
	}
	if (rc != TD_EEXIST)
		return rc;
	/* Report which source holds the URL. */
	st = store_stmt(s, ST_SOURCE_ID_BY_URL,
			"SELECT id FROM sources WHERE url = ?1");
	if (!st)
		return TD_EDB;
	store_bind_text(st, 1, src->url);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	else
		rc = store_dberr(s);
	store_done(st);
	return rc;
}

int store_source_get(struct store *s, int64_t id, struct store_source *out)
{
	sqlite3_stmt *st = store_stmt(s, ST_SOURCE_GET,
				      "SELECT " SOURCE_COLS
				      " FROM sources s WHERE s.id = ?1");
	if (!st)
		return TD_EDB;
	sqlite3_bind_int64(st, 1, id);
	return source_one(s, st, out);
}

int store_source_get_by_url(struct store *s, const char *url,
			    struct store_source *out)
{
	if (!url)
		return store_fail(s, TD_ENOTFOUND, "no such source");
	sqlite3_stmt *st = store_stmt(s, ST_SOURCE_GET_BY_URL,
				      "SELECT " SOURCE_COLS
				      " FROM sources s WHERE s.url = ?1");
	if (!st)
		return TD_EDB;
	store_bind_text(st, 1, url);
	return source_one(s, st, out);
}

int store_source_list(struct store *s, struct store_source **v, size_t *n)
{
	sqlite3_stmt *st = store_stmt(s, ST_SOURCE_LIST,
				      "SELECT " SOURCE_COLS
				      " FROM sources s ORDER BY s.id");
	if (!st)
		return TD_EDB;
	return source_rows(s, st, v, n);
}

int store_source_due(struct store *s, int64_t now, struct store_source **v,
		     size_t *n)
{
	sqlite3_stmt *st = store_stmt(
		s, ST_SOURCE_DUE,
		"SELECT " SOURCE_COLS " FROM sources s"
		" WHERE s.disabled = 0 AND s.next_fetch <= ?1"
		" ORDER BY s.next_fetch, s.id");
	if (!st)
		return TD_EDB;
	sqlite3_bind_int64(st, 1, now);
	return source_rows(s, st, v, n);
}

int store_source_update(struct store *s, const struct store_source *src)
{
	if (!src->url || !*src->url)
		return store_fail(s, TD_EINVAL, "source without URL");
	sqlite3_stmt *st = store_stmt(
		s, ST_SOURCE_UPDATE,
		"UPDATE sources SET url = ?2, title = ?3, site_url = ?4,"
		" disabled = ?5, etag = ?6, last_modified = ?7,"
		" last_fetch = ?8, next_fetch = ?9, last_status = ?10,"
		" last_error = ?11, error_count = ?12, last_new_item = ?13,"
		" interval = ?14, hint_interval = ?15, skip_hours = ?16,"
		" skip_days = ?17 WHERE id = ?1");
	if (!st)
		return TD_EDB;
	sqlite3_bind_int64(st, 1, src->id);
	store_bind_text(st, 2, src->url);
	store_bind_text(st, 3, src->title);
	store_bind_text(st, 4, src->site_url);
	sqlite3_bind_int(st, 5, src->disabled != 0);
	store_bind_text(st, 6, src->etag);
	store_bind_text(st, 7, src->last_modified);
	store_bind_time(st, 8, src->last_fetch);
	sqlite3_bind_int64(st, 9, src->next_fetch);
	sqlite3_bind_int(st, 10, src->last_status);
	store_bind_text(st, 11, src->last_error);
	sqlite3_bind_int(st, 12, src->error_count);
	store_bind_time(st, 13, src->last_new_item);
	sqlite3_bind_int64(st, 14, src->interval);
	sqlite3_bind_int64(st, 15, src->hint_interval);
	sqlite3_bind_int64(st, 16, (sqlite3_int64)src->skip_hours);
	sqlite3_bind_int(st, 17, src->skip_days);
	int rc = store_exec_stmt(s, st);
	if (rc == 0 && sqlite3_changes(s->db) == 0)
		rc = store_fail(s, TD_ENOTFOUND, "no such source");
	return rc;
}

int store_source_remove(struct store *s, int64_t id)
{
	sqlite3_stmt *st = store_stmt(s, ST_SOURCE_REMOVE,
				      "DELETE FROM sources WHERE id = ?1");
	if (!st)
		return TD_EDB;
	sqlite3_bind_int64(st, 1, id);
	/* One statement: the cascade to articles, tags, attachments,
	 * revisions and the search index is atomic with it. */
	int rc = store_exec_stmt(s, st);
	if (rc == 0 && sqlite3_changes(s->db) == 0)
		rc = store_fail(s, TD_ENOTFOUND, "no such source");
	return rc;
}
