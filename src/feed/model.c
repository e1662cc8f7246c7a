/*
 * model.c - the feed model: freeing, id assignment, format dispatch and the
 * JSON Feed 1.1 writer used by `tidings parse`.
 */
#include "feed/feed.h"
#include "feed/feed_int.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "core/time.h"

#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

void feed_person_release(struct feed_person *p)
{
	free(p->name);
	free(p->url);
	free(p->email);
	free(p->avatar);
	memset(p, 0, sizeof *p);
}

static void persons_free(struct feed_person *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		feed_person_release(&v[i]);
	free(v);
}

void feed_item_release(struct feed_item *it)
{
	free(it->id);
	free(it->url);
	free(it->external_url);
	free(it->title);
	free(it->content_html);
	free(it->content_text);
	free(it->summary);
	free(it->image);
	free(it->banner_image);
	free(it->language);
	free(it->comments_url);
	persons_free(it->authors, it->n_authors);
	for (size_t i = 0; i < it->n_tags; i++)
		free(it->tags[i]);
	free(it->tags);
	for (size_t i = 0; i < it->n_attachments; i++) {
		free(it->attachments[i].url);
		free(it->attachments[i].mime_type);
		free(it->attachments[i].title);
	}
	free(it->attachments);
	memset(it, 0, sizeof *it);
}

void feed_free(struct feed *f)
{
	if (!f)
		return;
	free(f->title);
	free(f->home_page_url);
	free(f->feed_url);
	free(f->description);
	free(f->icon);
	free(f->favicon);
	free(f->language);
	free(f->next_url);
	persons_free(f->authors, f->n_authors);
	for (size_t i = 0; i < f->n_items; i++)
		feed_item_release(&f->items[i]);
	free(f->items);
	free(f);
}

static void hash_field(XXH3_state_t *st, const char *s)
{
	/* length-prefixed so ("ab","c") and ("a","bc") differ */
	uint64_t n = s ? strlen(s) : UINT64_MAX;
	XXH3_64bits_update(st, &n, sizeof n);
	if (s)
		XXH3_64bits_update(st, s, strlen(s));
}

void feed_assign_ids(struct feed *f)
{
	for (size_t i = 0; i < f->n_items; i++) {
		struct feed_item *it = &f->items[i];
		if (it->id && *it->id)
			continue;
		free(it->id);
		it->id = NULL;
		if (it->url && *it->url) {
			it->id = strdup(it->url);
			continue;
		}
		XXH3_state_t *st = XXH3_createState();
		if (!st)
			continue;
		XXH3_64bits_reset(st);
		hash_field(st, it->title);
		int64_t d = it->date_published;
		XXH3_64bits_update(st, &d, sizeof d);
		hash_field(st, it->content_html);
		hash_field(st, it->content_text);
		hash_field(st, it->summary);
		uint64_t h = XXH3_64bits_digest(st);
		XXH3_freeState(st);
		char buf[48];
		snprintf(buf, sizeof buf, "urn:tidings:%016llx",
			 (unsigned long long)h);
		it->id = strdup(buf);
	}
}

void feed_warn(struct feed *f, int line, int col, const char *fmt, ...)
{
	if (!f || f->n_warnings++)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->warning, sizeof f->warning, fmt, ap);
	va_end(ap);
	f->warning_line = line;
	f->warning_col = col;
}

/* First non-space byte after an optional UTF-8/16 BOM. */
static int first_char(const char *data, size_t len)
{
	size_t i = 0;
	const unsigned char *u = (const unsigned char *)data;
	if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
		i = 3;
	while (i < len && (u[i] == ' ' || u[i] == '\t' || u[i] == '\n' ||
			   u[i] == '\r'))
		i++;
	return i < len ? u[i] : -1;
}

int feed_parse(const char *data, size_t len, const struct feed_parse_opts *opts,
	       struct feed **out, struct td_error *err)
{
	*out = NULL;
	if (first_char(data, len) == '{') {
		int rc = feed_parse_json(data, len, opts, out, err);
		if (rc != TD_EPARSE)
			return rc;
		/* a document starting with '{' that is not JSON: try XML
		 * recovery, and report the JSON error if that fails too */
		struct td_error jerr = { 0 };
		if (err)
			jerr = *err;
		rc = feed_parse_xml(data, len, opts, out, err);
		if (rc == TD_EPARSE && err)
			*err = jerr;
		return rc;
	}
	return feed_parse_xml(data, len, opts, out, err);
}

/* ---- JSON Feed writer ---- */

static int person_empty(const struct feed_person *p)
{
	return !(p->name && *p->name) && !(p->url && *p->url) &&
	       !(p->avatar && *p->avatar) && !(p->email && *p->email);
}

static void persons(struct td_json *j, const struct feed_person *v, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += !person_empty(&v[i]);
	if (!k)
		return;
	td_json_key(j, "authors");
	td_json_arr_begin(j);
	for (size_t i = 0; i < n; i++) {
		const struct feed_person *p = &v[i];
		if (person_empty(p))
			continue;
		td_json_obj_begin(j);
		td_json_kstr(j, "name", p->name);
		if (p->url && *p->url) {
			td_json_kstr(j, "url", p->url);
		} else if (p->email && *p->email) {
			/* JSON Feed has no email field: use a mailto url */
			struct td_buf m;
			td_buf_init(&m, 0);
			td_buf_printf(&m, "mailto:%s", p->email);
			if (!td_buf_err(&m))
				td_json_kstr(j, "url", td_buf_cstr(&m));
			td_buf_release(&m);
		}
		td_json_kstr(j, "avatar", p->avatar);
		td_json_obj_end(j);
	}
	td_json_arr_end(j);
}

static void date(struct td_json *j, const char *k, int64_t t)
{
	char buf[32];
	if (t != TD_TIME_NONE)
		td_json_kstr(j, k, td_time_rfc3339(t, buf));
}

static void item_json(struct td_json *j, const struct feed_item *it)
{
	td_json_obj_begin(j);
	td_json_kstr(j, "id", it->id);
	td_json_kstr(j, "url", it->url);
	td_json_kstr(j, "external_url", it->external_url);
	td_json_kstr(j, "title", it->title);
	td_json_kstr(j, "content_html", it->content_html);
	td_json_kstr(j, "content_text", it->content_text);
	td_json_kstr(j, "summary", it->summary);
	td_json_kstr(j, "image", it->image);
	td_json_kstr(j, "banner_image", it->banner_image);
	date(j, "date_published", it->date_published);
	date(j, "date_modified", it->date_modified);
	persons(j, it->authors, it->n_authors);
	if (it->n_tags) {
		td_json_key(j, "tags");
		td_json_arr_begin(j);
		for (size_t i = 0; i < it->n_tags; i++)
			td_json_str(j, it->tags[i]);
		td_json_arr_end(j);
	}
	td_json_kstr(j, "language", it->language);
	if (it->n_attachments) {
		td_json_key(j, "attachments");
		td_json_arr_begin(j);
		for (size_t i = 0; i < it->n_attachments; i++) {
			const struct feed_attachment *at = &it->attachments[i];
			td_json_obj_begin(j);
			td_json_kstr(j, "url", at->url);
			td_json_kstr(j, "mime_type", at->mime_type);
			td_json_kstr(j, "title", at->title);
			if (at->size_in_bytes >= 0) {
				td_json_key(j, "size_in_bytes");
				td_json_int(j, at->size_in_bytes);
			}
			if (at->duration_in_seconds >= 0) {
				td_json_key(j, "duration_in_seconds");
				td_json_int(j, at->duration_in_seconds);
			}
			td_json_obj_end(j);
		}
		td_json_arr_end(j);
	}
	td_json_obj_end(j);
}

static int jsonfeed(struct td_json *j, const struct feed *f)
{
	td_json_obj_begin(j);
	td_json_kstr(j, "version", "https://jsonfeed.org/version/1.1");
	td_json_kstr(j, "title", f->title);
	td_json_kstr(j, "home_page_url", f->home_page_url);
	td_json_kstr(j, "feed_url", f->feed_url);
	td_json_kstr(j, "description", f->description);
	td_json_kstr(j, "next_url", f->next_url);
	td_json_kstr(j, "icon", f->icon);
	td_json_kstr(j, "favicon", f->favicon);
	td_json_kstr(j, "language", f->language);
	persons(j, f->authors, f->n_authors);
	td_json_key(j, "items");
	td_json_arr_begin(j);
	for (size_t i = 0; i < f->n_items; i++) {
		item_json(j, &f->items[i]);
		if (td_json_flush(j, 0))
			break;
	}
	td_json_arr_end(j);
	td_json_obj_end(j);
	td_buf_putc(j->out, '\n');
	return td_json_flush(j, 1);
}

int feed_to_jsonfeed(const struct feed *f, struct td_buf *out)
{
	struct td_json j;
	td_json_init(&j, out, 2);
	return jsonfeed(&j, f);
}

int feed_write_jsonfeed(const struct feed *f, td_json_sink_fn sink, void *ud)
{
	struct td_buf b;
	struct td_json j;
	td_buf_init(&b, 0);
	td_json_init(&j, &b, 2);
	td_json_set_sink(&j, sink, ud, FEED_JSON_WINDOW);
	int rc = jsonfeed(&j, f);
	td_buf_release(&b);
	return rc;
}
