/*
 * api.c - the JSON API under /api/v1/ (docs/api.md is its manual).
 *
 *   /api/v1/articles        newest first, filters and keyset cursors
 *   /api/v1/articles/{id}   one article with its body, tags, attachments
 *   /api/v1/sources         every source with its fetch state
 *   /api/v1/search?q=       ranked full-text search, 20 a page
 *
 * Every answer is JSON, errors included: a handler that meets a bad
 * parameter, an unknown object or an unavailable database writes
 * {"error": {"status": N, "message": "..."}} itself, sets the status and
 * returns 0, so API clients never get an HTML error page. Successful
 * answers are cacheable (the page cache is dropped when articles arrive),
 * which is also why view counts here may lag the article pages.
 *
 * Cursors are "PUBLISHED-ID" of the row next to the wanted page, the same
 * form as the front page's (web_cursor_parse); clients treat them as
 * opaque. A list asks the store for one row more than it shows, to know
 * whether a page follows in that direction, and probes one row in the
 * other direction, so "next" and "prev" are null exactly at the ends.
 *
 * Every string taken from the database is checked to be UTF-8 before it
 * is written (the feed model guarantees it; a damaged row must still give
 * valid JSON), and query values must be UTF-8 (else 400).
 */
#include "web/assets.h"
#include "web/web_int.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "core/time.h"
#include "core/url.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Articles in a list when no limit is given, and the most one may ask. */
#define API_LIMIT_DEFAULT 20
#define API_LIMIT_MAX 100
/* Search results a page, and pages (the store ranks the best 1000). */
#define API_SEARCH_PAGE 20
#define API_SEARCH_PAGES 50
/* Longest search query and tag, bytes. Real ones are a few words; the
 * store reads at most 16 words anyway. */
#define API_MAX_Q 256
#define API_MAX_TAG 256
/* Digits of an id; more cannot be an int64 we handed out. */
#define API_MAX_ID_DIGITS 18
/* since/until range: years 0001 to 9999, so that RFC 3339 can carry it. */
#define API_TIME_MIN (-62135596800LL) /* 0001-01-01T00:00:00Z */
#define API_TIME_MAX 253402300799LL   /* 9999-12-31T23:59:59Z */

static const char json_type[] = "application/json; charset=utf-8";

/* ------------------------------------------------------------------------
 * Output helpers
 */

/* "key": string, or null for NULL and "". */
static void kstr_or_null(struct td_json *j, const char *key, const char *s)
{
	td_json_key(j, key);
	td_json_text(j, s && *s ? s : NULL);
}

/* "key": an http(s) URL, or null (other schemes are not handed out). */
static void kurl(struct td_json *j, const char *key, const char *url)
{
	td_json_key(j, key);
	td_json_text(j, url && td_url_is_http(url) ? url : NULL);
}

/* "key": RFC 3339 UTC time, or null for TD_TIME_NONE. */
static void ktime(struct td_json *j, const char *key, int64_t t)
{
	td_json_key(j, key);
	if (t == TD_TIME_NONE) {
		td_json_null(j);
		return;
	}
	char s[32];
	td_json_str(j, td_time_rfc3339(t, s));
}

/* Append the site path of an article, "/a/ID-SLUG" ("/a/ID" for a
 * title without letters or digits), or of a source (web_source_path). */
static void put_path(struct td_buf *b, char kind, int64_t id,
		     const char *title)
{
	if (kind == 's') {
		web_source_path(b, id, title);
		return;
	}
	td_buf_printf(b, "/a/%lld-", (long long)id);
	size_t before = b->len;
	web_slug(b, title);
	if (b->len == before)
		td_buf_truncate(b, before - 1);
}

/* Write the string built in b as the next JSON value (a URL made of the
 * base, paths and percent-encoded parts; written as text all the same),
 * or carry b's error into j's output; releases b. */
static void put_built(struct td_json *j, struct td_buf *b)
{
	if (td_buf_err(b)) {
		if (!j->out->err)
			j->out->err = td_buf_err(b);
	} else {
		td_json_text(j, td_buf_cstr(b));
	}
	td_buf_release(b);
}

/* "key": req->base_url + the site path of an article or source. */
static void ksite_url(struct td_json *j, const struct web_req *req,
		      const char *key, char kind, int64_t id,
		      const char *title)
{
	struct td_buf b;
	td_buf_init(&b, 0);
	td_buf_puts(&b, req->base_url ? req->base_url : "");
	put_path(&b, kind, id, title);
	td_json_key(j, key);
	put_built(j, &b);
}

/* The fields of an article summary (inside an object the caller opened):
 * id, url, original_url, title, source, published, updated, author,
 * summary, image, views. */
static void put_summary_fields(struct td_json *j, const struct web_req *req,
			       const struct store_article *a)
{
	td_json_key(j, "id");
	td_json_int(j, a->id);
	ksite_url(j, req, "url", 'a', a->id, a->title);
	kurl(j, "original_url", a->url);
	td_json_key(j, "title");
	td_json_text(j, a->title ? a->title : "");
	td_json_key(j, "source");
	td_json_obj_begin(j);
	td_json_key(j, "id");
	td_json_int(j, a->source_id);
	kstr_or_null(j, "title", a->source_title);
	ksite_url(j, req, "url", 's', a->source_id, a->source_title);
	td_json_obj_end(j);
	ktime(j, "published", a->published);
	ktime(j, "updated", a->updated);
	kstr_or_null(j, "author", a->author);
	kstr_or_null(j, "summary", a->summary);
	kurl(j, "image", a->image);
	td_json_key(j, "views");
	td_json_int(j, a->views);
}

/* Start a successful answer. */
static void ok_json(struct web_resp *resp)
{
	resp->status = 200;
	resp->content_type = json_type;
	resp->cc = WEB_CC_SHORT;
	resp->cacheable = 1;
}

/* Replace the response with a JSON error; returns 0 (answered). */
static int api_error(struct web_resp *resp, int status, const char *msg)
{
	td_buf_reset(&resp->body);
	free(resp->location);
	resp->location = NULL;
	resp->status = status;
	resp->content_type = json_type;
	resp->cc = WEB_CC_NO_STORE;
	resp->cacheable = 0;
	resp->hole = WEB_HOLE_NONE;
	resp->last_modified = TD_TIME_NONE;
	struct td_json j;
	td_json_init(&j, &resp->body, 0);
	td_json_obj_begin(&j);
	td_json_key(&j, "error");
	td_json_obj_begin(&j);
	td_json_key(&j, "status");
	td_json_int(&j, status);
	td_json_key(&j, "message");
	td_json_str(&j, msg);
	td_json_obj_end(&j);
	td_json_obj_end(&j);
	td_buf_putc(&resp->body, '\n');
	return 0;
}

/* 400 naming the parameter and what it must be. */
static int bad_param(struct web_resp *resp, const char *name,
		     const char *want)
{
	char msg[200];
	snprintf(msg, sizeof msg, "bad parameter '%s': %s", name, want);
	return api_error(resp, 400, msg);
}

/* The JSON error for a failure code. */
static int api_fail(struct web_resp *resp, int rc)
{
	switch (rc) {
	case TD_EDB:
		return api_error(resp, 503, "the news database is unavailable");
	case TD_ENOTFOUND:
		return api_error(resp, 404, "not found");
	case TD_EINVAL:
		return api_error(resp, 400, "bad request");
	case TD_ETOOBIG:
		return api_error(resp, 500, "the answer is too large");
	default:
		return api_error(resp, 500, "internal error");
	}
}

/* ------------------------------------------------------------------------
 * Parameters
 */

/* A decimal number of 1 to max_digits digits, nothing else. 0 or
 * TD_EINVAL. */
static int parse_uint(const char *s, int max_digits, int64_t *out)
{
	int64_t v = 0;
	int n = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || ++n > max_digits)
			return TD_EINVAL;
		v = v * 10 + (*s - '0');
	}
	if (!n)
		return TD_EINVAL;
	*out = v;
	return 0;
}

/* n digits at s (stops at the NUL, which is not a digit). */
static int fixed_digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/*
 * since/until: Unix seconds ("1704503400", "-5"), an RFC 3339 date-time
 * ("2024-01-06T01:10:00Z", "...T02:10:00+01:00", fractions of a second
 * allowed), or a date ("2024-01-06", midnight UTC). A '+' sent unencoded
 * arrives as a space; a space in the offset's place is read as '+'. A
 * fraction rounds up, which is exact for "published >= t" and
 * "published < t" over whole seconds. 0 and *out, or TD_EINVAL.
 */
static int parse_instant(const char *s, int64_t *out)
{
	size_t len = strlen(s);
	if (!len || len > 64)
		return TD_EINVAL;
	const char *d = s + (*s == '-');
	if (*d && strspn(d, "0123456789") == strlen(d)) {
		int64_t v;
		if (strlen(d) > 12 || td_parse_i64(s, &v) ||
		    v < API_TIME_MIN || v > API_TIME_MAX)
			return TD_EINVAL;
		*out = v;
		return 0;
	}
	int y, mo, da, h = 0, mi = 0, se = 0, frac = 0;
	int64_t off = 0;
	const char *p = s;
	if (fixed_digits(p, 4, &y) || p[4] != '-' ||
	    fixed_digits(p + 5, 2, &mo) || p[7] != '-' ||
	    fixed_digits(p + 8, 2, &da))
		return TD_EINVAL;
	p += 10;
	if (*p) {
		if (*p != 'T' && *p != 't' && *p != ' ')
			return TD_EINVAL;
		p++;
		if (fixed_digits(p, 2, &h) || p[2] != ':' ||
		    fixed_digits(p + 3, 2, &mi) || p[5] != ':' ||
		    fixed_digits(p + 6, 2, &se))
			return TD_EINVAL;
		p += 8;
		if (*p == '.') {
			p++;
			if (*p < '0' || *p > '9')
				return TD_EINVAL;
			for (; *p >= '0' && *p <= '9'; p++)
				if (*p != '0')
					frac = 1;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-' || *p == ' ') {
			int oh, om;
			int sign = *p == '-' ? -1 : 1;
			if (fixed_digits(p + 1, 2, &oh) || p[3] != ':' ||
			    fixed_digits(p + 4, 2, &om) || oh > 23 || om > 59)
				return TD_EINVAL;
			off = sign * (int64_t)(oh * 3600 + om * 60);
			p += 6;
		} else {
			return TD_EINVAL;
		}
		if (*p)
			return TD_EINVAL;
	}
	if (mo < 1 || mo > 12 || da < 1 || da > days_in_month(y, mo) ||
	    h > 23 || mi > 59 || se > 60)
		return TD_EINVAL;
	int64_t t = td_timegm(y, (unsigned)mo, (unsigned)da, (unsigned)h,
			      (unsigned)mi, (unsigned)se) -
		    off + frac;
	if (t < API_TIME_MIN || t > API_TIME_MAX)
		return TD_EINVAL;
	*out = t;
	return 0;
}

/* Every declared argument present must be UTF-8: it may be written back
 * into JSON. 0, or the name of the first that is not. */
static const char *bad_utf8_arg(const struct web_req *req)
{
	for (size_t i = 0; i < req->n_args; i++)
		if (!td_utf8_valid(req->args[i].value,
				   strlen(req->args[i].value)))
			return req->args[i].key;
	return NULL;
}

/* A present and non-empty argument, or NULL. */
static const char *arg(const struct web_req *req, const char *key)
{
	const char *v = web_req_arg(req, key);
	return v && *v ? v : NULL;
}

/* ------------------------------------------------------------------------
 * /api/v1/articles
 */

struct list_params {
	int64_t limit;
	int limit_given;
	int64_t source_id;
	const char *tag;
	int64_t since, until;
};

/* Append the URL of the page before= or after= the cursor row a, with
 * the same filters. */
static void list_url(struct td_buf *b, const char *dir,
		     const struct store_article *a,
		     const struct list_params *lp)
{
	char t[32];
	td_buf_printf(b, "/api/v1/articles?%s=%lld-%lld", dir,
		      (long long)a->published, (long long)a->id);
	if (lp->limit_given)
		td_buf_printf(b, "&limit=%lld", (long long)lp->limit);
	if (lp->source_id > 0)
		td_buf_printf(b, "&source=%lld", (long long)lp->source_id);
	if (lp->tag) {
		td_buf_puts(b, "&tag=");
		web_url_encode(b, lp->tag);
	}
	if (lp->since != TD_TIME_NONE) {
		td_buf_puts(b, "&since=");
		web_url_encode(b, td_time_rfc3339(lp->since, t));
	}
	if (lp->until != TD_TIME_NONE) {
		td_buf_puts(b, "&until=");
		web_url_encode(b, td_time_rfc3339(lp->until, t));
	}
}

/* "key": the page URL, or null when a is NULL. */
static void klist_url(struct td_json *j, const char *key, const char *dir,
		      const struct store_article *a,
		      const struct list_params *lp)
{
	td_json_key(j, key);
	if (!a) {
		td_json_null(j);
		return;
	}
	struct td_buf b;
	td_buf_init(&b, 0);
	list_url(&b, dir, a, lp);
	put_built(j, &b);
}

/* 1 when q (with its filters) has a row beyond the cursor row a in the
 * direction asked (older: before a; else after a), 0 when not, or a
 * negative TD_E* code. */
static int probe(struct store *st, const struct store_query *q,
		 const struct store_article *a, int older)
{
	struct store_query p = *q;
	p.before_published = p.before_id = 0;
	p.after_published = p.after_id = 0;
	if (older) {
		p.before_published = a->published;
		p.before_id = a->id;
	} else {
		p.after_published = a->published;
		p.after_id = a->id;
	}
	p.limit = 1;
	p.full = 0;
	struct store_article *v = NULL;
	size_t n = 0;
	int rc = store_articles(st, &p, &v, &n);
	store_articles_free(v, n);
	return rc ? rc : n > 0;
}

static int api_articles(struct web_req *req, struct web_resp *resp)
{
	struct list_params lp = { .limit = API_LIMIT_DEFAULT,
				  .since = TD_TIME_NONE,
				  .until = TD_TIME_NONE };
	const char *v;
	if ((v = arg(req, "limit"))) {
		if (parse_uint(v, 3, &lp.limit) || lp.limit < 1 ||
		    lp.limit > API_LIMIT_MAX)
			return bad_param(resp, "limit",
					 "an integer from 1 to 100");
		lp.limit_given = 1;
	}
	if ((v = arg(req, "source")) &&
	    (parse_uint(v, API_MAX_ID_DIGITS, &lp.source_id) ||
	     lp.source_id < 1))
		return bad_param(resp, "source", "a source id");
	if ((v = arg(req, "tag"))) {
		if (strlen(v) > API_MAX_TAG)
			return bad_param(resp, "tag", "at most 256 bytes");
		lp.tag = v;
	}
	if ((v = arg(req, "since")) && parse_instant(v, &lp.since))
		return bad_param(resp, "since",
				 "an RFC 3339 time or Unix seconds");
	if ((v = arg(req, "until")) && parse_instant(v, &lp.until))
		return bad_param(resp, "until",
				 "an RFC 3339 time or Unix seconds");
	int64_t cp = 0, cid = 0;
	const char *before = arg(req, "before"), *after = arg(req, "after");
	if (before && after)
		return bad_param(resp, "after",
				 "before and after cannot be combined");
	if (before && web_cursor_parse(before, &cp, &cid))
		return bad_param(resp, "before", "a cursor from next or prev");
	if (after && web_cursor_parse(after, &cp, &cid))
		return bad_param(resp, "after", "a cursor from next or prev");

	struct store *st = web_req_store(req);
	if (!st)
		return api_fail(resp, TD_EDB);
	if (lp.source_id > 0) {
		struct store_source src;
		memset(&src, 0, sizeof src);
		int rc = store_source_get(st, lp.source_id, &src);
		if (rc == TD_ENOTFOUND)
			return api_error(resp, 404, "no such source");
		if (rc)
			return api_fail(resp, TD_EDB);
		store_source_release(&src);
	}

	struct store_query q;
	store_query_init(&q, (size_t)lp.limit + 1);
	q.source_id = lp.source_id;
	q.tag = lp.tag;
	q.since = lp.since;
	q.until = lp.until;
	if (after) {
		q.after_published = cp;
		q.after_id = cid;
	} else if (before) {
		q.before_published = cp;
		q.before_id = cid;
	}
	struct store_article *rows = NULL;
	size_t n = 0;
	int rc = store_articles(st, &q, &rows, &n);
	if (rc)
		return api_fail(resp, rc);

	/* One row more than shown says whether the page has a neighbour in
	 * the direction read: older ones for a first or before= page (the
	 * extra row is the last), newer ones for an after= page (the extra
	 * row is the first, as rows come newest first). */
	size_t lim = (size_t)lp.limit;
	int more = n > lim;
	const struct store_article *shown = rows;
	size_t count = n;
	if (more) {
		count = lim;
		if (after)
			shown = rows + 1;
	}
	const struct store_article *older = NULL, *newer = NULL;
	if (count) {
		const struct store_article *first = &shown[0];
		const struct store_article *last = &shown[count - 1];
		int has_older, has_newer;
		if (after) {
			has_newer = more;
			has_older = probe(st, &q, last, 1);
		} else {
			has_older = more;
			has_newer = before ? probe(st, &q, first, 0) : 0;
		}
		if (has_older < 0 || has_newer < 0) {
			rc = has_older < 0 ? has_older : has_newer;
			goto out;
		}
		older = has_older ? last : NULL;
		newer = has_newer ? first : NULL;
	}

	ok_json(resp);
	struct td_json j;
	td_json_init(&j, &resp->body, 0);
	td_json_obj_begin(&j);
	td_json_key(&j, "articles");
	td_json_arr_begin(&j);
	for (size_t i = 0; i < count; i++) {
		td_json_obj_begin(&j);
		put_summary_fields(&j, req, &shown[i]);
		td_json_obj_end(&j);
	}
	td_json_arr_end(&j);
	klist_url(&j, "next", "before", older, &lp);
	klist_url(&j, "prev", "after", newer, &lp);
	td_json_obj_end(&j);
	td_buf_putc(&resp->body, '\n');
out:
	store_articles_free(rows, n);
	return rc ? api_fail(resp, rc) : 0;
}

/* ------------------------------------------------------------------------
 * /api/v1/articles/{id}
 */

static int api_article(struct web_req *req, struct web_resp *resp,
		       const char *idtext)
{
	int64_t id = 0;
	if (parse_uint(idtext, API_MAX_ID_DIGITS, &id) || id < 1)
		return api_error(resp, 404, "no such article");
	struct store *st = web_req_store(req);
	if (!st)
		return api_fail(resp, TD_EDB);
	struct store_article a;
	memset(&a, 0, sizeof a);
	int rc = store_article_get(st, id, &a);
	if (rc == TD_ENOTFOUND)
		return api_error(resp, 404, "no such article");
	if (rc)
		return api_fail(resp, rc == TD_ENOMEM ? rc : TD_EDB);

	ok_json(resp);
	struct td_json j;
	td_json_init(&j, &resp->body, 0);
	td_json_obj_begin(&j);
	td_json_key(&j, "article");
	td_json_obj_begin(&j);
	put_summary_fields(&j, req, &a);
	kstr_or_null(&j, "language", a.language);
	td_json_key(&j, "content_html"); /* sanitizer output */
	td_json_text(&j, a.content_html);
	td_json_key(&j, "content_text");
	td_json_text(&j, a.content_text);
	td_json_key(&j, "tags");
	td_json_arr_begin(&j);
	for (size_t i = 0; i < a.n_tags; i++)
		if (a.tags[i] && *a.tags[i])
			td_json_text(&j, a.tags[i]);
	td_json_arr_end(&j);
	td_json_key(&j, "attachments");
	td_json_arr_begin(&j);
	for (size_t i = 0; i < a.n_attachments; i++) {
		const struct store_attachment *at = &a.attachments[i];
		if (!at->url || !td_url_is_http(at->url))
			continue;
		td_json_obj_begin(&j);
		td_json_key(&j, "url");
		td_json_text(&j, at->url);
		kstr_or_null(&j, "mime_type", at->mime_type);
		td_json_key(&j, "size_in_bytes");
		if (at->size >= 0)
			td_json_int(&j, at->size);
		else
			td_json_null(&j);
		td_json_key(&j, "duration_in_seconds");
		if (at->duration >= 0)
			td_json_int(&j, at->duration);
		else
			td_json_null(&j);
		td_json_obj_end(&j);
	}
	td_json_arr_end(&j);
	td_json_obj_end(&j);
	td_json_obj_end(&j);
	td_buf_putc(&resp->body, '\n');
	store_article_release(&a);
	return 0;
}

/* ------------------------------------------------------------------------
 * /api/v1/sources
 */

/* The comma-separated tags as a JSON array (trimmed, empties skipped). */
static void put_tag_list(struct td_json *j, const char *tags)
{
	td_json_arr_begin(j);
	for (const char *p = tags ? tags : ""; *p;) {
		const char *e = strchr(p, ',');
		if (!e)
			e = p + strlen(p);
		const char *a = p, *z = e;
		while (a < z && (*a == ' ' || *a == '\t'))
			a++;
		while (z > a && (z[-1] == ' ' || z[-1] == '\t'))
			z--;
		if (z > a) {
			char *t = td_strndup(a, (size_t)(z - a));
			if (!t) {
				if (!j->out->err)
					j->out->err = TD_ENOMEM;
				break;
			}
			td_json_text(j, t);
			free(t);
		}
		p = *e ? e + 1 : e;
	}
	td_json_arr_end(j);
}

static int api_sources(struct web_req *req, struct web_resp *resp)
{
	struct store *st = web_req_store(req);
	if (!st)
		return api_fail(resp, TD_EDB);
	struct store_source *v = NULL;
	size_t n = 0;
	int rc = store_source_list(st, &v, &n);
	if (rc)
		return api_fail(resp, rc == TD_ENOMEM ? rc : TD_EDB);

	ok_json(resp);
	struct td_json j;
	td_json_init(&j, &resp->body, 0);
	struct td_buf path;
	td_buf_init(&path, 0);
	td_json_obj_begin(&j);
	td_json_key(&j, "sources");
	td_json_arr_begin(&j);
	for (size_t i = 0; i < n; i++) {
		const struct store_source *s = &v[i];
		td_json_obj_begin(&j);
		td_json_key(&j, "id");
		td_json_int(&j, s->id);
		kstr_or_null(&j, "title", s->title);
		kurl(&j, "url", s->url); /* not file:// paths of the server */
		kurl(&j, "site_url", s->site_url);
		td_buf_reset(&path);
		put_path(&path, 's', s->id, s->title);
		td_json_key(&j, "path");
		if (td_buf_err(&path) && !resp->body.err)
			resp->body.err = td_buf_err(&path);
		td_json_text(&j, td_buf_cstr(&path));
		ksite_url(&j, req, "page_url", 's', s->id, s->title);
		td_json_key(&j, "tags");
		put_tag_list(&j, s->tags);
		td_json_key(&j, "mode");
		td_json_str(&j, store_mode_name(s->mode));
		td_json_key(&j, "articles");
		td_json_int(&j, s->n_articles);
		ktime(&j, "last_fetch", s->last_fetch);
		td_json_key(&j, "last_status");
		if (s->last_status > 0)
			td_json_int(&j, s->last_status);
		else
			td_json_null(&j);
		kstr_or_null(&j, "last_error", s->last_error);
		td_json_key(&j, "disabled");
		td_json_bool(&j, s->disabled);
		td_json_obj_end(&j);
	}
	td_json_arr_end(&j);
	td_json_obj_end(&j);
	td_buf_putc(&resp->body, '\n');
	td_buf_release(&path);
	store_sources_free(v, n);
	return 0;
}

/* ------------------------------------------------------------------------
 * /api/v1/search
 */

/* key (the marked text without its marks) and key_html (web_snippet_html:
 * the search page's markup, escaped text with balanced <mark>s) of a
 * store snippet; null for NULL. */
static void put_marked(struct td_json *j, const char *key,
		       const char *key_html, const char *snip)
{
	struct td_buf plain, html;
	td_buf_init(&plain, 0);
	td_buf_init(&html, 0);
	for (const char *p = snip ? snip : ""; *p; p++)
		if (*p != '\x01' && *p != '\x02')
			td_buf_putc(&plain, *p);
	web_snippet_html(&html, snip);
	int rc = td_buf_err(&plain) ? td_buf_err(&plain) : td_buf_err(&html);
	if (rc && !j->out->err)
		j->out->err = rc;
	td_json_key(j, key);
	td_json_text(j, snip ? td_buf_cstr(&plain) : NULL);
	td_json_key(j, key_html);
	td_json_text(j, snip ? td_buf_cstr(&html) : NULL);
	td_buf_release(&plain);
	td_buf_release(&html);
}

/* "key": the URL of search page `page` for q, or null when page is 0. */
static void ksearch_url(struct td_json *j, const char *key, const char *q,
			int64_t page)
{
	td_json_key(j, key);
	if (!page) {
		td_json_null(j);
		return;
	}
	struct td_buf b;
	td_buf_init(&b, 0);
	td_buf_puts(&b, "/api/v1/search?q=");
	web_url_encode(&b, q);
	if (page > 1)
		td_buf_printf(&b, "&page=%lld", (long long)page);
	put_built(j, &b);
}

static int api_search(struct web_req *req, struct web_resp *resp)
{
	const char *q = arg(req, "q");
	if (!q)
		return bad_param(resp, "q", "a search query is required");
	if (strlen(q) > API_MAX_Q)
		return bad_param(resp, "q", "at most 256 bytes");
	int64_t page = 1;
	const char *v = arg(req, "page");
	if (v && (parse_uint(v, 3, &page) || page < 1 ||
		  page > API_SEARCH_PAGES))
		return bad_param(resp, "page", "an integer from 1 to 50");

	struct store *st = web_req_store(req);
	if (!st)
		return api_fail(resp, TD_EDB);
	struct store_article *rows = NULL;
	size_t n = 0;
	int more = 0;
	int rc = store_search_page(st, q, (size_t)(page - 1) * API_SEARCH_PAGE,
				   API_SEARCH_PAGE, &rows, &n, &more);
	if (rc)
		return api_fail(resp, rc == TD_ENOMEM ? rc : TD_EDB);

	ok_json(resp);
	struct td_json j;
	td_json_init(&j, &resp->body, 0);
	td_json_obj_begin(&j);
	td_json_key(&j, "query");
	td_json_text(&j, q);
	td_json_key(&j, "page");
	td_json_int(&j, page);
	td_json_key(&j, "articles");
	td_json_arr_begin(&j);
	for (size_t i = 0; i < n; i++) {
		td_json_obj_begin(&j);
		put_summary_fields(&j, req, &rows[i]);
		put_marked(&j, "snippet", "snippet_html", rows[i].snippet);
		td_json_key(&j, "title_html");
		{
			struct td_buf th;
			td_buf_init(&th, 0);
			web_snippet_html(&th, rows[i].title_marked
						      ? rows[i].title_marked
						      : rows[i].title);
			td_json_text(&j, td_buf_cstr(&th));
			td_buf_release(&th);
		}
		td_json_obj_end(&j);
	}
	td_json_arr_end(&j);
	ksearch_url(&j, "next", q,
		    more && page < API_SEARCH_PAGES ? page + 1 : 0);
	ksearch_url(&j, "prev", q, page - 1);
	td_json_obj_end(&j);
	td_buf_putc(&resp->body, '\n');
	store_articles_free(rows, n);
	return 0;
}

/* ------------------------------------------------------------------------
 * Dispatch
 */

int web_page_api(struct web_req *req, struct web_resp *resp)
{
	const char *r = req->rest ? req->rest : "";
	const char *bad = bad_utf8_arg(req);
	if (bad)
		return bad_param(resp, bad, "not valid UTF-8");
	if (!strcmp(r, "articles"))
		api_articles(req, resp);
	else if (!strncmp(r, "articles/", 9))
		api_article(req, resp, r + 9);
	else if (!strcmp(r, "sources"))
		api_sources(req, resp);
	else if (!strcmp(r, "search"))
		api_search(req, resp);
	else
		api_error(resp, 404,
			  "unknown endpoint; see /api/v1/articles, "
			  "/api/v1/articles/{id}, /api/v1/sources, "
			  "/api/v1/search?q=");
	/* an answer too large for the body buffer is still a JSON error */
	if (td_buf_err(&resp->body))
		api_fail(resp, td_buf_err(&resp->body));
	return 0;
}
