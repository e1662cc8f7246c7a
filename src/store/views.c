/*
 * views.c - the article view counts (written in batches by web/).
 *
 * The statement is prepared per batch rather than cached: a batch comes
 * every few seconds at most, and the statement cache's slots belong to
 * store_int.h.
 */
#include "store/store_int.h"

#include "core/err.h"

int store_views_add(struct store *s, const int64_t *ids, const int64_t *counts,
		    size_t n)
{
	if (n == 0)
		return 0;
	sqlite3_stmt *st = NULL;
	int own = 0;
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
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (counts[i] <= 0)
			continue;
		sqlite3_bind_int64(st, 1, ids[i]);
		sqlite3_bind_int64(st, 2, counts[i]);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = store_dberr(s);
		sqlite3_reset(st);
	}
out:
	sqlite3_finalize(st);
	return store_atomic_end(s, own, rc);
}
