/*
 * article.c - articles with their tags, attachments and revisions; lookup
 * for dedup; the newest-first listing with keyset pagination.
 */
#include "store/store_int.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/limits.h"
#include "core/time.h"

#include <stdlib.h>
#include <string.h>

/* Most rows one listing call returns; callers page with the cursor. */
#define LIST_MAX 10000

/* ------------------------------------------------------------------------
 * Releasing
 */

void store_article_release(struct store_article *a)
{
	if (!a)
		return;
	free(a->guid);
	free(a->url);
	free(a->canonical_url);
	free(a->title);
	free(a->author);
	free(a->summary);
	free(a->content_orig);
	free(a->content_html);
	free(a->content_text);
	free(a->image);
	free(a->language);
	for (size_t i = 0; i < a->n_tags; i++)
		free(a->tags[i]);
	free(a->tags);
	for (size_t i = 0; i < a->n_attachments; i++) {
		free(a->attachments[i].url);
		free(a->attachments[i].mime_type);
	}
	free(a->attachments);
	free(a->source_title);
	free(a->snippet);
	free(a->title_marked);
	memset(a, 0, sizeof *a);
}

void store_articles_free(struct store_article *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		store_article_release(&v[i]);
	free(v);
}

void store_revisions_free(struct store_revision *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].title);
		free(v[i].content_orig);
	}
	free(v);
}

/* Grow *arr (of elem-sized items, *cap allocated) to hold one more. */
static int grow(void **arr, size_t *cap, size_t len, size_t elem)
{
	if (len < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 8, bytes;
	if (td_size_mul(ncap, elem, &bytes))
		return TD_ETOOBIG;
	void *p = realloc(*arr, bytes);
	if (!p)
		return TD_ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* ------------------------------------------------------------------------
 * Reading rows
 */

int store_article_row(sqlite3_stmt *st, struct store_article *a)
{
	int rc = 0;
	memset(a, 0, sizeof *a);
	a->id = sqlite3_column_int64(st, 0);
	a->source_id = sqlite3_column_int64(st, 1);
	a->guid = store_col_text(st, 2, &rc);
	a->url = store_col_text(st, 3, &rc);
	a->canonical_url = store_col_text(st, 4, &rc);
	a->title = store_col_text(st, 5, &rc);
	a->author = store_col_text(st, 6, &rc);
	a->summary = store_col_text(st, 7, &rc);
	a->content_orig = store_col_text(st, 8, &rc);
	a->content_html = store_col_text(st, 9, &rc);
	a->content_text = store_col_text(st, 10, &rc);
	a->image = store_col_text(st, 11, &rc);
	a->language = store_col_text(st, 12, &rc);
	a->published = store_col_time(st, 13);
	a->updated = store_col_time(st, 14);
	a->first_seen = store_col_time(st, 15);
	a->content_hash = (uint64_t)sqlite3_column_int64(st, 16);
	a->views = sqlite3_column_int64(st, 17);
	a->source_title = store_col_text(st, 18, &rc);
	if (sqlite3_column_count(st) > STORE_ARTICLE_NCOLS)
		a->snippet = store_col_text(st, STORE_ARTICLE_NCOLS, &rc);
	if (sqlite3_column_count(st) > STORE_ARTICLE_NCOLS + 1)
		a->title_marked = store_col_text(st, STORE_ARTICLE_NCOLS + 1,
						 &rc);
	if (rc)
		store_article_release(a);
	return rc;
}

int store_article_rows(struct store *s, sqlite3_stmt *st, size_t max,
		       struct store_article **v, size_t *n)
{
	struct store_article *arr = NULL;
	size_t len = 0, cap = 0;
	int rc = 0, step = SQLITE_DONE;
	*v = NULL;
	*n = 0;
	while (len < max && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = grow((void **)&arr, &cap, len, sizeof *arr)) != 0)
			goto out;
		if ((rc = store_article_row(st, &arr[len])) != 0)
			goto out;
		len++;
	}
	if (step != SQLITE_DONE && step != SQLITE_ROW) {
		rc = store_dberr(s);
		goto out;
	}
	rc = 0;
	*v = arr;
	*n = len;
	arr = NULL;
out:
	store_done(st);
	store_articles_free(arr, len);
	return rc;
}

/* Load the tags and attachments of a->id into a. */
static int load_lists(struct store *s, struct store_article *a)
{
	int rc = 0, step;
	size_t cap = 0;
	sqlite3_stmt *st = store_stmt(
		s, ST_TAG_LIST,
		"SELECT tag FROM article_tags WHERE article_id = ?1"
		" ORDER BY rowid LIMIT ?2");
	if (!st)
		return TD_EDB;
	sqlite3_bind_int64(st, 1, a->id);
	sqlite3_bind_int(st, 2, TD_MAX_ITEM_LIST);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = grow((void **)&a->tags, &cap, a->n_tags,
			       sizeof *a->tags)) != 0)
			break;
		char *t = store_col_text(st, 0, &rc);
		if (rc)
			break;
		if (t)
			a->tags[a->n_tags++] = t;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_dberr(s);
	store_done(st);
	if (rc)
		return rc;

	st = store_stmt(s, ST_ATT_LIST,
			"SELECT url, mime_type, size, duration FROM attachments"
			" WHERE article_id = ?1 ORDER BY id LIMIT ?2");
	if (!st)
		return TD_EDB;
	sqlite3_bind_int64(st, 1, a->id);
	sqlite3_bind_int(st, 2, TD_MAX_ITEM_LIST);
	cap = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = grow((void **)&a->attachments, &cap,
			       a->n_attachments, sizeof *a->attachments)) != 0)
			break;
		struct store_attachment *at = &a->attachments[a->n_attachments];
		memset(at, 0, sizeof *at);
		at->url = store_col_text(st, 0, &rc);
		at->mime_type = store_col_text(st, 1, &rc);
		at->size = sqlite3_column_type(st, 2) == SQLITE_NULL
				   ? -1
				   : sqlite3_column_int64(st, 2);
		at->duration = sqlite3_column_type(st, 3) == SQLITE_NULL
				       ? -1
				       : sqlite3_column_int64(st, 3);
		a->n_attachments++; /* counted even when a copy failed: freed */
		if (rc)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_dberr(s);
	store_done(st);
	return rc;
}

/* ------------------------------------------------------------------------
 * Writing
 */

/* Insert the tags and attachments of a for article id. */
static int write_lists(struct store *s, int64_t id,
		       const struct store_article *a)
{
	int rc;
	size_t n = a->n_tags < TD_MAX_ITEM_LIST ? a->n_tags : TD_MAX_ITEM_LIST;
	for (size_t i = 0; i < n; i++) {
		if (!a->tags || !a->tags[i] || !a->tags[i][0])
			continue;
		sqlite3_stmt *st = store_stmt(
			s, ST_TAG_INSERT,
			"INSERT OR IGNORE INTO article_tags"
			" (article_id, tag, published)"
			" VALUES (?1, ?2,"
			"  (SELECT published FROM articles WHERE id = ?1))");
		if (!st)
			return TD_EDB;
		sqlite3_bind_int64(st, 1, id);
		store_bind_text(st, 2, a->tags[i]);
		if ((rc = store_exec_stmt(s, st)) != 0)
			return rc;
	}
	n = a->n_attachments < TD_MAX_ITEM_LIST ? a->n_attachments
						: TD_MAX_ITEM_LIST;
	if (!a->attachments)
		n = 0;
	for (size_t i = 0; i < n; i++) {
		const struct store_attachment *at = &a->attachments[i];
		if (!at->url || !at->url[0])
			continue;
		sqlite3_stmt *st = store_stmt(
			s, ST_ATT_INSERT,
			"INSERT INTO attachments (article_id, url, mime_type,"
			" size, duration) VALUES (?1, ?2, ?3, ?4, ?5)");
		if (!st)
			return TD_EDB;
		sqlite3_bind_int64(st, 1, id);
		store_bind_text(st, 2, at->url);
		store_bind_text(st, 3, at->mime_type);
		if (at->size >= 0)
			sqlite3_bind_int64(st, 4, at->size);
		if (at->duration >= 0)
			sqlite3_bind_int64(st, 5, at->duration);
		if ((rc = store_exec_stmt(s, st)) != 0)
			return rc;
	}
	return 0;
}

static int delete_lists(struct store *s, int64_t id)
{
	sqlite3_stmt *st = store_stmt(
		s, ST_TAG_DELETE, "DELETE FROM article_tags WHERE article_id = ?1");
	if (!st)
		return TD_EDB;
	sqlite3_bind_int64(st, 1, id);
	int rc = store_exec_stmt(s, st);
	if (rc)
		return rc;
	st = store_stmt(s, ST_ATT_DELETE,
			"DELETE FROM attachments WHERE article_id = ?1");
	if (!st)
		return TD_EDB;
	sqlite3_bind_int64(st, 1, id);
	return store_exec_stmt(s, st);
}

/* Bind the content columns shared by insert and update, as ?2..?15:
 * guid, url, canonical_url, title, author, summary, content_orig,
 * content_html, content_text, image, language, published, updated,
 * content_hash. */
static void bind_content(sqlite3_stmt *st, const struct store_article *a)
{
	store_bind_text(st, 2, a->guid);
	store_bind_text(st, 3, a->url);
	store_bind_text(st, 4, a->canonical_url);
	store_bind_text(st, 5, a->title);
	store_bind_text(st, 6, a->author);
	store_bind_text(st, 7, a->summary);
	store_bind_text(st, 8, a->content_orig);
	store_bind_text(st, 9, a->content_html);
	store_bind_text(st, 10, a->content_text);
	store_bind_text(st, 11, a->image);
	store_bind_text(st, 12, a->language);
	store_bind_time(st, 13, a->published);
	store_bind_time(st, 14, a->updated);
	sqlite3_bind_int64(st, 15, (int64_t)a->content_hash);
}

int store_article_insert(struct store *s, const struct store_article *a,
			 int64_t *id)
{
	int own, rc;
	int64_t first_seen = a->first_seen;
	if (first_seen <= 0) /* unset (0 or TD_TIME_NONE): now */
		first_seen = td_now();
	sqlite3_stmt *st = store_stmt(
		s, ST_ARTICLE_INSERT,
		"INSERT INTO articles (source_id, guid, url, canonical_url,"
		" title, author, summary, content_orig, content_html,"
		" content_text, image, language, published, updated,"
		" content_hash, first_seen, views)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
		" coalesce(?13, ?16), ?14, ?15, ?16, ?17)");
	if (!st)
		return TD_EDB;
	if ((rc = store_atomic_begin(s, &own)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, a->source_id);
	bind_content(st, a);
	sqlite3_bind_int64(st, 16, first_seen);
	sqlite3_bind_int64(st, 17, a->views > 0 ? a->views : 0);
	rc = store_exec_stmt(s, st);
	int64_t newid = sqlite3_last_insert_rowid(s->db);
	if (rc == 0)
		rc = write_lists(s, newid, a);
	rc = store_atomic_end(s, own, rc);
	if (rc == 0)
		*id = newid;
	return rc;
}

int store_article_revise(struct store *s, int64_t id,
			 const struct store_article *a, int64_t seen_at)
{
	int own, rc;
	if (seen_at == TD_TIME_NONE)
		seen_at = td_now();
	if ((rc = store_atomic_begin(s, &own)) != 0)
		return rc;

	sqlite3_stmt *st = store_stmt(
		s, ST_REVISION_SAVE,
		"INSERT INTO revisions (article_id, seen_at, title,"
		" content_orig, content_html, content_text, content_hash)"
		" SELECT id, ?2, title, content_orig, content_html,"
		" content_text, content_hash FROM articles WHERE id = ?1");
	if (!st) {
		rc = TD_EDB;
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, seen_at);
	if ((rc = store_exec_stmt(s, st)) != 0)
		goto out;
	if (sqlite3_changes(s->db) == 0) {
		rc = store_fail(s, TD_ENOTFOUND, "no such article");
		goto out;
	}

	/* id, source_id, first_seen and views stay; a NULL guid or unknown
	 * published keeps the stored one. */
	st = store_stmt(
		s, ST_ARTICLE_UPDATE,
		"UPDATE articles SET guid = coalesce(?2, guid), url = ?3,"
		" canonical_url = ?4, title = ?5, author = ?6, summary = ?7,"
		" content_orig = ?8, content_html = ?9, content_text = ?10,"
		" image = ?11, language = ?12,"
		" published = coalesce(?13, published), updated = ?14,"
		" content_hash = ?15 WHERE id = ?1");
	if (!st) {
		rc = TD_EDB;
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	bind_content(st, a);
	if ((rc = store_exec_stmt(s, st)) != 0)
		goto out;
	if ((rc = delete_lists(s, id)) != 0 ||
	    (rc = write_lists(s, id, a)) != 0)
		goto out;

	st = store_stmt(
		s, ST_REVISION_PRUNE,
		"DELETE FROM revisions WHERE article_id = ?1 AND id NOT IN"
		" (SELECT id FROM revisions WHERE article_id = ?1"
		" ORDER BY seen_at DESC, id DESC LIMIT ?2)");
	if (!st) {
		rc = TD_EDB;
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, TD_MAX_REVISIONS);
	rc = store_exec_stmt(s, st);
out:
	return store_atomic_end(s, own, rc);
}

/* ------------------------------------------------------------------------
 * Reading
 */

int store_article_lookup(struct store *s, int64_t source_id, const char *guid,
			 const char *canonical_url,
			 struct store_article_ref *ref)
{
	memset(ref, 0, sizeof *ref);
	for (int by_url = 0; by_url < 2; by_url++) {
		const char *key = by_url ? canonical_url : guid;
		if (!key)
			continue;
		sqlite3_stmt *st =
			by_url ? store_stmt(s, ST_ARTICLE_BY_CANON,
					    "SELECT id, content_hash FROM articles"
					    " WHERE source_id = ?1 AND"
					    " canonical_url = ?2"
					    " ORDER BY id LIMIT 1")
			       : store_stmt(s, ST_ARTICLE_BY_GUID,
					    "SELECT id, content_hash FROM articles"
					    " WHERE source_id = ?1 AND guid = ?2");
		if (!st)
			return TD_EDB;
		sqlite3_bind_int64(st, 1, source_id);
		store_bind_text(st, 2, key);
		int step = sqlite3_step(st);
		if (step == SQLITE_ROW) {
			ref->id = sqlite3_column_int64(st, 0);
			ref->content_hash =
				(uint64_t)sqlite3_column_int64(st, 1);
			ref->by_url = by_url;
		}
		int rc = step == SQLITE_ROW || step == SQLITE_DONE
				 ? 0
				 : store_dberr(s);
		store_done(st);
		if (rc || ref->id)
			return rc;
	}
	return 0;
}

int store_article_get(struct store *s, int64_t id, struct store_article *out)
{
	memset(out, 0, sizeof *out);
	int rc = store_read_begin(s);
	if (rc)
		return rc;
	sqlite3_stmt *st = store_stmt(
		s, ST_ARTICLE_GET,
		"SELECT " STORE_ARTICLE_COLS " FROM articles a"
		" JOIN sources s ON s.id = a.source_id WHERE a.id = ?1");
	if (!st) {
		rc = TD_EDB;
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		rc = store_article_row(st, out);
	else if (step == SQLITE_DONE)
		rc = store_fail(s, TD_ENOTFOUND, "no such article");
	else
		rc = store_dberr(s);
	store_done(st);
	if (rc == 0 && (rc = load_lists(s, out)) != 0)
		store_article_release(out);
out:
	return store_read_end(s, rc);
}

int store_latest(struct store *s, int64_t source_id, int64_t before_published,
		 int64_t before_id, size_t limit, struct store_article **v,
		 size_t *n)
{
	*v = NULL;
	*n = 0;
	if (limit == 0)
		return 0;
	if (limit > LIST_MAX)
		limit = LIST_MAX;
	/* Four statements rather than one with optional terms, so that each
	 * is a plain range scan of its index. */
#define FROM " FROM articles a JOIN sources s ON s.id = a.source_id"
#define ORDER " ORDER BY a.published DESC, a.id DESC LIMIT ?4"
	sqlite3_stmt *st;
	if (source_id > 0 && before_id > 0)
		st = store_stmt(s, ST_LATEST_SOURCE_BEFORE,
				"SELECT " STORE_ARTICLE_COLS FROM
				" WHERE a.source_id = ?1 AND"
				" (a.published, a.id) < (?2, ?3)" ORDER);
	else if (source_id > 0)
		st = store_stmt(s, ST_LATEST_SOURCE,
				"SELECT " STORE_ARTICLE_COLS FROM
				" WHERE a.source_id = ?1" ORDER);
	else if (before_id > 0)
		st = store_stmt(s, ST_LATEST_BEFORE,
				"SELECT " STORE_ARTICLE_COLS FROM
				" WHERE"
				" (a.published, a.id) < (?2, ?3)" ORDER);
	else
		st = store_stmt(s, ST_LATEST,
				"SELECT " STORE_ARTICLE_COLS FROM
				ORDER);
#undef FROM
#undef ORDER
	if (!st)
		return TD_EDB;
	sqlite3_bind_int64(st, 1, source_id);
	if (before_id > 0) {
		sqlite3_bind_int64(st, 2, before_published);
		sqlite3_bind_int64(st, 3, before_id);
	}
	sqlite3_bind_int64(st, 4, (int64_t)limit);
	return store_article_rows(s, st, limit, v, n);
}

int store_article_count(struct store *s, int64_t source_id, int64_t *n)
{
	/* the per-source counts the triggers keep (migration 5 -> 6) */
	sqlite3_stmt *st =
		source_id > 0
			? store_stmt(s, ST_COUNT_SOURCE,
				     "SELECT n_articles FROM sources"
				     " WHERE id = ?1")
			: store_stmt(s, ST_COUNT_ALL,
				     "SELECT coalesce(sum(n_articles), 0)"
				     " FROM sources");
	if (!st)
		return TD_EDB;
	if (source_id > 0)
		sqlite3_bind_int64(st, 1, source_id);
	int step = sqlite3_step(st);
	int rc = step == SQLITE_ROW || step == SQLITE_DONE ? 0 : store_dberr(s);
	*n = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	store_done(st);
	return rc;
}

int store_revisions(struct store *s, int64_t article_id,
		    struct store_revision **v, size_t *n)
{
	struct store_revision *arr = NULL;
	size_t len = 0, cap = 0;
	int rc = 0, step;
	*v = NULL;
	*n = 0;
	sqlite3_stmt *st = store_stmt(
		s, ST_REVISION_LIST,
		"SELECT seen_at, title, content_orig, content_hash"
		" FROM revisions WHERE article_id = ?1"
		" ORDER BY seen_at DESC, id DESC");
	if (!st)
		return TD_EDB;
	sqlite3_bind_int64(st, 1, article_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = grow((void **)&arr, &cap, len, sizeof *arr)) != 0)
			goto out;
		struct store_revision *r = &arr[len++];
		memset(r, 0, sizeof *r);
		r->seen_at = sqlite3_column_int64(st, 0);
		r->title = store_col_text(st, 1, &rc);
		r->content_orig = store_col_text(st, 2, &rc);
		r->content_hash = (uint64_t)sqlite3_column_int64(st, 3);
		if (rc)
			goto out;
	}
	if (step != SQLITE_DONE) {
		rc = store_dberr(s);
		goto out;
	}
	*v = arr;
	*n = len;
	arr = NULL;
out:
	store_done(st);
	store_revisions_free(arr, len);
	return rc;
}
