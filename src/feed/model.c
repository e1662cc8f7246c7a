/*
 * model.c - the feed model: freeing, id assignment, format dispatch and the
 * JSON Feed 1.1 writer used by `tidings parse`.
 */
#include "feed/feed.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/time.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

static void person_release(struct feed_person *p)
{
	free(p->name);
	free(p->url);
	free(p->email);
	free(p->avatar);
}

static void persons_free(struct feed_person *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		person_release(&v[i]);
	free(v);
}

static void item_release(struct feed_item *it)
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
		item_release(&f->items[i]);
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

static void set_str(json_t *o, const char *k, const char *v)
{
	if (v && *v)
		json_object_set_new(o, k, json_string(v));
}

static void set_date(json_t *o, const char *k, int64_t t)
{
	char buf[32];
	if (t != TD_TIME_NONE)
		json_object_set_new(o, k, json_string(td_time_rfc3339(t, buf)));
}

static json_t *persons(const struct feed_person *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *p = json_object();
		set_str(p, "name", v[i].name);
		set_str(p, "url", v[i].url);
		set_str(p, "avatar", v[i].avatar);
		if (!v[i].url && v[i].email) {
			/* JSON Feed has no email field: use a mailto url */
			struct td_buf m;
			td_buf_init(&m, 0);
			td_buf_printf(&m, "mailto:%s", v[i].email);
			if (!td_buf_err(&m))
				set_str(p, "url", td_buf_cstr(&m));
			td_buf_release(&m);
		}
		if (json_object_size(p))
			json_array_append_new(a, p);
		else
			json_decref(p);
	}
	return a;
}

static const char *format_version(enum feed_format f)
{
	(void)f;
	return "https://jsonfeed.org/version/1.1";
}

static json_t *item_json(const struct feed_item *it)
{
	json_t *o = json_object();
	set_str(o, "id", it->id);
	set_str(o, "url", it->url);
	set_str(o, "external_url", it->external_url);
	set_str(o, "title", it->title);
	set_str(o, "content_html", it->content_html);
	set_str(o, "content_text", it->content_text);
	set_str(o, "summary", it->summary);
	set_str(o, "image", it->image);
	set_str(o, "banner_image", it->banner_image);
	set_date(o, "date_published", it->date_published);
	set_date(o, "date_modified", it->date_modified);
	if (it->n_authors) {
		json_t *a = persons(it->authors, it->n_authors);
		if (json_array_size(a))
			json_object_set_new(o, "authors", a);
		else
			json_decref(a);
	}
	if (it->n_tags) {
		json_t *a = json_array();
		for (size_t i = 0; i < it->n_tags; i++)
			json_array_append_new(a, json_string(it->tags[i]));
		json_object_set_new(o, "tags", a);
	}
	set_str(o, "language", it->language);
	if (it->n_attachments) {
		json_t *a = json_array();
		for (size_t i = 0; i < it->n_attachments; i++) {
			const struct feed_attachment *at = &it->attachments[i];
			json_t *x = json_object();
			set_str(x, "url", at->url);
			set_str(x, "mime_type", at->mime_type);
			set_str(x, "title", at->title);
			if (at->size_in_bytes >= 0)
				json_object_set_new(
					x, "size_in_bytes",
					json_integer(at->size_in_bytes));
			if (at->duration_in_seconds >= 0)
				json_object_set_new(
					x, "duration_in_seconds",
					json_integer(at->duration_in_seconds));
			json_array_append_new(a, x);
		}
		json_object_set_new(o, "attachments", a);
	}
	return o;
}

static int dump_cb(const char *p, size_t n, void *data)
{
	return td_buf_append(data, p, n) ? -1 : 0;
}

int feed_to_jsonfeed(const struct feed *f, struct td_buf *out)
{
	json_t *o = json_object();
	if (!o)
		return TD_ENOMEM;
	json_object_set_new(o, "version", json_string(format_version(f->format)));
	set_str(o, "title", f->title);
	set_str(o, "home_page_url", f->home_page_url);
	set_str(o, "feed_url", f->feed_url);
	set_str(o, "description", f->description);
	set_str(o, "next_url", f->next_url);
	set_str(o, "icon", f->icon);
	set_str(o, "favicon", f->favicon);
	set_str(o, "language", f->language);
	if (f->n_authors) {
		json_t *a = persons(f->authors, f->n_authors);
		if (json_array_size(a))
			json_object_set_new(o, "authors", a);
		else
			json_decref(a);
	}
	json_t *items = json_array();
	for (size_t i = 0; i < f->n_items; i++)
		json_array_append_new(items, item_json(&f->items[i]));
	json_object_set_new(o, "items", items);
	int rc = json_dump_callback(o, dump_cb, out,
				    JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (rc)
		return td_buf_err(out) ? td_buf_err(out) : TD_ENOMEM;
	return td_buf_putc(out, '\n');
}
