/*
 * views.c - the article view counts (written in batches by web/).
 *
 * The statement is prepared per batch rather than cached: a batch comes
 * every few seconds at most, and the statement cache's slots belong to
 * store_int.h.
 */
#include "store/store_int.h"

#include "core/err.h"
#include "core/time.h"

#include <stdio.h>

/* Hours of per-hour counts kept ("Most read" looks at the last 24). */
#define VIEWS_KEEP_HOURS 48

int store_views_add(struct store *s, const int64_t *ids, const int64_t *counts,
		    size_t n)
{
	if (n == 0)
		return 0;
	sqlite3_stmt *st = NULL, *hr = NULL;
	int own = 0;
	int64_t now = td_now(), hour = now >= 0 ? now / 3600 : 0;
	int rc = store_atomic_begin(s, &own);
	if (rc)
		return rc;
	if (sqlite3_prepare_v2(s->db,
			       "UPDATE articles SET views = views + ?2 "
			       "WHERE id = ?1",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = store_dberr(s);
		goto out;
	}
	/* Only for rows the UPDATE found: the article still exists. */
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO views_hourly (hour, article_id, n)"
			       " VALUES (?1, ?2, ?3)"
			       " ON CONFLICT (hour, article_id)"
			       " DO UPDATE SET n = n + excluded.n",
			       -1, &hr, NULL) != SQLITE_OK) {
		rc = store_dberr(s);
		goto out;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (counts[i] <= 0)
			continue;
		sqlite3_bind_int64(st, 1, ids[i]);
		sqlite3_bind_int64(st, 2, counts[i]);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = store_dberr(s);
		sqlite3_reset(st);
		if (rc || sqlite3_changes(s->db) == 0)
			continue;
		sqlite3_bind_int64(hr, 1, hour);
		sqlite3_bind_int64(hr, 2, ids[i]);
		sqlite3_bind_int64(hr, 3, counts[i]);
		if (sqlite3_step(hr) != SQLITE_DONE)
			rc = store_dberr(s);
		sqlite3_reset(hr);
	}
	if (rc == 0) {
		char sql[96];
		snprintf(sql, sizeof sql,
			 "DELETE FROM views_hourly WHERE hour < %lld",
			 (long long)(hour - VIEWS_KEEP_HOURS));
		if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
			rc = store_dberr(s);
	}
out:
	sqlite3_finalize(hr);
	sqlite3_finalize(st);
	return store_atomic_end(s, own, rc);
}
