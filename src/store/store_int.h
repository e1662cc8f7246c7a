/*
 * store_int.h - internals shared by the store's files (store.c, source.c,
 * article.c, search.c). Nothing here leaves src/store/.
 *
 * Statement cache: every SQL statement has a slot in enum stmt_id. The first
 * use on a connection prepares it (SQLITE_PREPARE_PERSISTENT) from the SQL
 * text written at the call site; later uses reuse it. After stepping, the
 * caller hands the statement back with done(), which resets it and clears its
 * bindings, so a statement is never left holding a read transaction open.
 */
#ifndef TD_STORE_INT_H
#define TD_STORE_INT_H

#include "store/store.h"

#include <sqlite3.h>
#include <stdint.h>

enum stmt_id {
	/* store.c */
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_READ_BEGIN,
	ST_READ_END,
	/* source.c */
	ST_SOURCE_ADD,
	ST_SOURCE_ID_BY_URL,
	ST_SOURCE_GET,
	ST_SOURCE_GET_BY_URL,
	ST_SOURCE_LIST,
	ST_SOURCE_DUE,
	ST_SOURCE_UPDATE,
	ST_SOURCE_REMOVE,
	/* article.c */
	ST_ARTICLE_BY_GUID,
	ST_ARTICLE_BY_CANON,
	ST_ARTICLE_INSERT,
	ST_TAG_INSERT,
	ST_TAG_DELETE,
	ST_TAG_LIST,
	ST_ATT_INSERT,
	ST_ATT_DELETE,
	ST_ATT_LIST,
	ST_REVISION_SAVE,
	ST_REVISION_PRUNE,
	ST_REVISION_LIST,
	ST_ARTICLE_UPDATE,
	ST_ARTICLE_GET,
	ST_LATEST,
	ST_LATEST_BEFORE,
	ST_LATEST_SOURCE,
	ST_LATEST_SOURCE_BEFORE,
	ST_COUNT_ALL,
	ST_COUNT_SOURCE,
	ST_TAGS,
	ST_MOST_READ,
	/* store_articles: one slot per combination of filters */
	ST_QUERY_FIRST,
	ST_QUERY_LAST = ST_QUERY_FIRST + 127,
	/* search.c */
	ST_SEARCH_PAGE,
	ST_SEARCH_ANY,
	/* extract.c */
	ST_EXTRACT_MARK,
	ST_EXTRACT_DUE,
	ST_EXTRACT_BODY,
	ST_EXTRACT_ALL,
	ST_FEED_BODIES,
	ST__COUNT
};

struct store {
	sqlite3 *db;
	int flags;         /* STORE_READONLY | STORE_MEMORY */
	sqlite3_stmt *st[ST__COUNT];
	char errmsg[512];  /* last failure; "" when none */
};

/* The cached statement id, prepared from sql on first use; NULL on failure
 * (errmsg saved). */
sqlite3_stmt *store_stmt(struct store *s, enum stmt_id id, const char *sql);

/* Reset st and clear its bindings (st may be NULL). */
void store_done(sqlite3_stmt *st);

/* Save SQLite's current message for this connection and return TD_EDB. */
int store_dberr(struct store *s);
/* Save a message of our own and return code. */
int store_fail(struct store *s, int code, const char *msg);

/* Step a statement that returns no rows, then done() it. 0 or TD_EDB
 * (TD_EEXIST for a UNIQUE violation). */
int store_exec_stmt(struct store *s, sqlite3_stmt *st);

/* Make one write atomic: inside a caller's transaction a savepoint is used,
 * otherwise a transaction of its own (BEGIN IMMEDIATE). store_atomic_end
 * releases/commits when rc == 0 and rolls back otherwise; it returns rc, or
 * the commit's failure. */
int store_atomic_begin(struct store *s, int *own);
int store_atomic_end(struct store *s, int own, int rc);

/* A consistent snapshot for a read made of several statements (a
 * savepoint: works on readers, and inside the writer's transaction).
 * store_read_end returns rc, or its own failure when rc == 0. */
int store_read_begin(struct store *s);
int store_read_end(struct store *s, int rc);

/* ---- marking search results (search.c) ---- */

/* Words of a query used. */
#define STORE_QUERY_MAX_TERMS 16
/* Folded code points of a word compared when marking. */
#define STORE_FOLD_MAX 48

/* A query word as matched against text: folded (lower case, no marks) and
 * the length of its stem (the part a text word must start with). */
struct qword {
	int32_t cp[STORE_FOLD_MAX];
	size_t n;
	size_t prefix;
};
/* The words of a user query, folded, into a malloc'd array *out (NULL
 * when none or out of memory); returns their number. */
size_t store_query_words(const char *query, struct qword **out);
/* text with every word matching a query word between \x01 and \x02:
 * the whole text, or (passage) the best window of 32 words with "…" where
 * it was cut. malloc'd; NULL for a NULL text or out of memory. */
char *store_mark_text(const char *text, const struct qword *q, size_t nq,
		      int passage);
/* Characters the porter stemmer may take off the end of the word w (n
 * bytes) (search.c). */
size_t store_stem_loss(const char *w, size_t n);

/* Register the search ranking function td_rank on a connection (search.c;
 * store_open calls it). 0 or TD_EDB. */
int store_search_register(sqlite3 *db);

/* ---- value helpers ---- */

/* Bind a time: TD_TIME_NONE is stored as NULL. */
int store_bind_time(sqlite3_stmt *st, int i, int64_t t);
/* Bind text (NULL stays NULL); the string must outlive the step. */
int store_bind_text(sqlite3_stmt *st, int i, const char *p);
/* Column as a time (NULL -> TD_TIME_NONE). */
int64_t store_col_time(sqlite3_stmt *st, int i);
/* Column as a malloc'd string (NULL stays NULL); sets *rc to TD_ENOMEM when
 * a copy fails and leaves *rc alone otherwise. */
char *store_col_text(sqlite3_stmt *st, int i, int *rc);

/* ---- shared article readers (article.c) ---- */

/* Columns read by store_article_row, to put after SELECT; "a" is articles,
 * "s" is sources. */
#define STORE_ARTICLE_COLS                                                  \
	"a.id, a.source_id, a.guid, a.url, a.canonical_url, a.title, "      \
	"a.author, a.summary, a.content_orig, a.content_html, "             \
	"a.content_text, a.image, a.language, a.published, a.updated, "     \
	"a.first_seen, a.content_hash, a.views, s.title"
#define STORE_ARTICLE_NCOLS 19
/* The same columns without the three content columns (NULL in their
 * places): for lists, which show titles and summaries. */
#define STORE_ARTICLE_COLS_LIGHT                                            \
	"a.id, a.source_id, a.guid, a.url, a.canonical_url, a.title, "      \
	"a.author, a.summary, NULL, NULL, "                                 \
	"NULL, a.image, a.language, a.published, a.updated, "               \
	"a.first_seen, a.content_hash, a.views, s.title"
/* A statement may return two more columns after these: the snippet and
 * the marked title (store_article.snippet, .title_marked). */

/* Fill *a (zeroed first) from the current row of st, whose first columns
 * are STORE_ARTICLE_COLS. 0 or TD_ENOMEM (a released). */
int store_article_row(sqlite3_stmt *st, struct store_article *a);

/* Step st (bindings set) collecting rows into a growing array of articles,
 * at most max. 0 or TD_EDB/TD_ENOMEM (nothing returned). st is done(). */
int store_article_rows(struct store *s, sqlite3_stmt *st, size_t max,
		       struct store_article **v, size_t *n);

#endif
