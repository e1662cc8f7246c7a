/*
 * list.c - lists of articles for the site and the API: filtered keyset
 * pages (store_articles), tags, and the most read articles of a window.
 *
 * store_articles builds its SQL from the filters that are set; each of the
 * 128 combinations has its own slot in the statement cache, so a page is a
 * prepared range scan after the first use on a connection.
 */
#include "store/store_int.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/time.h"

#include <stdlib.h>
#include <string.h>

/* Most rows one list returns. */
#define LIST_MAX 10000

enum {
	Q_SOURCE = 1 << 0,
	Q_TAG = 1 << 1,
	Q_SINCE = 1 << 2,
	Q_UNTIL = 1 << 3,
	Q_BEFORE = 1 << 4,
	Q_AFTER = 1 << 5,
	Q_FULL = 1 << 6,
};

void store_query_init(struct store_query *q, size_t limit)
{
	memset(q, 0, sizeof *q);
	q->since = TD_TIME_NONE;
	q->until = TD_TIME_NONE;
	q->limit = limit;
}

static void reverse(struct store_article *v, size_t n)
{
	for (size_t i = 0; i + 1 < n - i; i++) {
		struct store_article t = v[i];
		v[i] = v[n - 1 - i];
		v[n - 1 - i] = t;
	}
}

int store_articles(struct store *s, const struct store_query *q,
		   struct store_article **v, size_t *n)
{
	*v = NULL;
	*n = 0;
	size_t limit = q->limit > LIST_MAX ? LIST_MAX : q->limit;
	if (limit == 0)
		return 0;
	unsigned f = 0;
	if (q->source_id > 0)
		f |= Q_SOURCE;
	if (q->tag)
		f |= Q_TAG;
	if (q->since != TD_TIME_NONE)
		f |= Q_SINCE;
	if (q->until != TD_TIME_NONE)
		f |= Q_UNTIL;
	if (q->before_id > 0)
		f |= Q_BEFORE;
	if (q->after_id > 0)
		f |= Q_AFTER;
	if (q->full)
		f |= Q_FULL;

	sqlite3_stmt *st = s->st[ST_QUERY_FIRST + f];
	if (!st) {
		struct td_buf sql;
		td_buf_init(&sql, 0);
		td_buf_puts(&sql, "SELECT ");
		td_buf_puts(&sql, (f & Q_FULL) ? STORE_ARTICLE_COLS
					       : STORE_ARTICLE_COLS_LIGHT);
		td_buf_puts(&sql, (f & Q_TAG)
					  ? " FROM article_tags t"
					    " JOIN articles a ON a.id = t.article_id"
					  : " FROM articles a");
		td_buf_puts(&sql, " JOIN sources s ON s.id = a.source_id"
				  " WHERE 1");
		/* A tag's list walks the tag rows, which carry the publish
		 * time (index article_tags_recent); other lists walk the
		 * articles (articles_published, articles_source_published). */
		const char *pub = (f & Q_TAG) ? "t.published" : "a.published";
		const char *id = (f & Q_TAG) ? "t.article_id" : "a.id";
		if (f & Q_TAG)
			td_buf_puts(&sql, " AND t.tag = ?2 COLLATE NOCASE");
		if (f & Q_SOURCE)
			td_buf_puts(&sql, " AND a.source_id = ?1");
		if (f & Q_SINCE)
			td_buf_printf(&sql, " AND %s >= ?3", pub);
		if (f & Q_UNTIL)
			td_buf_printf(&sql, " AND %s < ?4", pub);
		if (f & Q_BEFORE)
			td_buf_printf(&sql, " AND (%s, %s) < (?5, ?6)", pub, id);
		if (f & Q_AFTER)
			td_buf_printf(&sql, " AND (%s, %s) > (?7, ?8)", pub, id);
		if (f & Q_AFTER)
			td_buf_printf(&sql, " ORDER BY %s, %s", pub, id);
		else
			td_buf_printf(&sql, " ORDER BY %s DESC, %s DESC", pub,
				      id);
		td_buf_puts(&sql, " LIMIT ?9");
		if (td_buf_err(&sql)) {
			td_buf_release(&sql);
			return TD_ENOMEM;
		}
		st = store_stmt(s, (enum stmt_id)(ST_QUERY_FIRST + f),
				td_buf_cstr(&sql));
		td_buf_release(&sql);
		if (!st)
			return TD_EDB;
	}
	if (f & Q_SOURCE)
		sqlite3_bind_int64(st, 1, q->source_id);
	if (f & Q_TAG)
		store_bind_text(st, 2, q->tag);
	if (f & Q_SINCE)
		sqlite3_bind_int64(st, 3, q->since);
	if (f & Q_UNTIL)
		sqlite3_bind_int64(st, 4, q->until);
	if (f & Q_BEFORE) {
		sqlite3_bind_int64(st, 5, q->before_published);
		sqlite3_bind_int64(st, 6, q->before_id);
	}
	if (f & Q_AFTER) {
		sqlite3_bind_int64(st, 7, q->after_published);
		sqlite3_bind_int64(st, 8, q->after_id);
	}
	sqlite3_bind_int64(st, 9, (int64_t)limit);
	int rc = store_article_rows(s, st, limit, v, n);
	if (rc == 0 && (f & Q_AFTER) && *n > 1)
		reverse(*v, *n);
	return rc;
}

void store_tags_free(struct store_tag *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i].tag);
	free(v);
}

int store_tags(struct store *s, size_t limit, struct store_tag **v,
	       size_t *n)
{
	*v = NULL;
	*n = 0;
	if (limit == 0)
		return 0;
	if (limit > LIST_MAX)
		limit = LIST_MAX;
	sqlite3_stmt *st = store_stmt(
		s, ST_TAGS,
		"SELECT min(tag), count(*) AS c FROM article_tags"
		" GROUP BY tag COLLATE NOCASE"
		" ORDER BY c DESC, 1 COLLATE NOCASE LIMIT ?1");
	if (!st)
		return TD_EDB;
	sqlite3_bind_int64(st, 1, (int64_t)limit);
	struct store_tag *arr = calloc(limit, sizeof *arr);
	size_t len = 0;
	int rc = 0, step;
	if (!arr) {
		store_done(st);
		return TD_ENOMEM;
	}
	while (len < limit && (step = sqlite3_step(st)) == SQLITE_ROW) {
		arr[len].tag = store_col_text(st, 0, &rc);
		arr[len].count = sqlite3_column_int64(st, 1);
		if (rc || !arr[len].tag) {
			rc = rc ? rc : TD_ENOMEM;
			goto out;
		}
		len++;
	}
	if (len < limit && step != SQLITE_DONE) {
		rc = store_dberr(s);
		goto out;
	}
	*v = arr;
	*n = len;
	arr = NULL;
out:
	store_done(st);
	store_tags_free(arr, len);
	return rc;
}

int store_most_read(struct store *s, int64_t since, size_t limit,
		    struct store_article **v, size_t *n)
{
	*v = NULL;
	*n = 0;
	if (limit == 0)
		return 0;
	if (limit > LIST_MAX)
		limit = LIST_MAX;
	/* The light columns, with the window's count in the views column. */
	sqlite3_stmt *st = store_stmt(
		s, ST_MOST_READ,
		"SELECT a.id, a.source_id, a.guid, a.url, a.canonical_url,"
		" a.title, a.author, a.summary, NULL, NULL, NULL, a.image,"
		" a.language, a.published, a.updated, a.first_seen,"
		" a.content_hash, m.c, s.title FROM"
		" (SELECT article_id, sum(n) AS c FROM views_hourly"
		"  WHERE hour >= ?1 GROUP BY article_id"
		"  ORDER BY c DESC, article_id DESC LIMIT ?2) m"
		" JOIN articles a ON a.id = m.article_id"
		" JOIN sources s ON s.id = a.source_id"
		" ORDER BY m.c DESC, a.published DESC, a.id DESC");
	if (!st)
		return TD_EDB;
	int64_t hour = since >= 0 ? since / 3600 : -((-(since + 1)) / 3600) - 1;
	sqlite3_bind_int64(st, 1, hour);
	sqlite3_bind_int64(st, 2, (int64_t)limit);
	return store_article_rows(s, st, limit, v, n);
}
