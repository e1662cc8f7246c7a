/*
 * json.c - JSON Feed 1.0 / 1.1 (https://jsonfeed.org/version/1.1) into the
 * feed model, with jansson.
 *
 * Tolerance, in the order it is tried:
 *  1. the document as given (after a UTF-8 BOM), trailing junk after the
 *     root object allowed with a warning;
 *  2. when jansson rejects it, one repair pass over the bytes: invalid UTF-8
 *     becomes U+FFFD, raw control characters inside strings are escaped or
 *     dropped, and numbers too large for jansson (integers beyond int64,
 *     reals beyond double) are kept as strings (so a huge numeric id keeps
 *     its digits and a huge size is ignored);
 *  3. when that still fails (truncated or broken document), the longest
 *     prefix before the error that ends after a complete item (or a
 *     complete top-level member) is closed with the brackets open there
 *     and parsed again (a few times, each cut shorter); the result is kept
 *     when its items array holds at least one object, so a half-read item
 *     is dropped rather than kept without its content.
 * Each repair counts a warning (the first keeps jansson's line and column).
 * A document with nothing recoverable, or a root that is not an object, is
 * TD_EPARSE, with jansson's line and column for syntax errors; so is one
 * without an "items" array unless it has a member JSON Feed defines at the
 * top level (version, title, home_page_url, author, ...): that one is a
 * feed without items, with a warning. jansson reports some failed allocations as syntax errors, so out
 * of memory may surface as TD_EPARSE rather than TD_ENOMEM.
 *
 * Nesting depth: jansson 2.14 stops at 2048 levels (json_error_stack_
 * overflow), which bounds its recursion (and json_decref's); the repair
 * scan only counts depth. Fields of the wrong type are ignored with a
 * warning; JSON null is the same as an absent field. Text fields are
 * trimmed; titles, names, summaries and descriptions have HTML entity
 * references decoded (feeds built from CMS data often carry "&#8217;") and
 * titles and names have whitespace collapsed. URLs are resolved against
 * opts->base_url; when no base is given or it is a file: URL (a feed read
 * from disk), against the document's own feed_url if that is an absolute
 * http(s) URL. Relative URLs inside content_html are made absolute against
 * the item's url, else that base (http(s) only). A URL that cannot be made absolute is kept as written; one
 * longer than TD_MAX_URL_BYTES is dropped.
 */
#include "feed/feed.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/limits.h"
#include "core/time.h"
#include "core/url.h"
#include "feed/feed_int.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REPAIR_MAX_DEPTH 4096 /* > jansson's 2048 */
#define RECOVER_ATTEMPTS 4

struct jctx {
	struct feed *f;
	const char *base; /* for relative URLs; may be NULL */
	int oom;
	char where[48]; /* "item 3: " while reading items */
};

/* ---- warnings ---- */

#define warn_at feed_warn

static void wrong_type(struct jctx *c, const char *key, const char *want)
{
	warn_at(c->f, 0, 0, "%s\"%s\" is not %s; ignored", c->where, key,
		want);
}

/* ---- strings ---- */

static int has_controls(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') ||
		    ch == 0x7F)
			return 1;
	}
	return 0;
}

/* Flags for text(). */
enum {
	T_COLLAPSE = 1, /* collapse whitespace runs to one space */
	T_DECODE = 2,   /* decode HTML entity references */
};

/* A trimmed, clean, bounded copy of s (n bytes), or NULL when empty. */
static char *text(struct jctx *c, const char *key, const char *s, size_t n,
		  size_t max, int flags)
{
	struct td_str t = td_str_trim((struct td_str){ s, n });
	char *clean = NULL, *r = NULL;
	if (!t.len)
		return NULL;
	if (has_controls(t.p, t.len)) {
		/* \u0000 and friends: jansson's strings are valid UTF-8, but
		 * may hold any code point */
		size_t cl;
		clean = td_utf8_clean(t.p, t.len, &cl);
		if (!clean) {
			c->oom = 1;
			return NULL;
		}
		t = td_str_trim((struct td_str){ clean, cl });
	}
	struct td_buf b;
	td_buf_init(&b, 0);
	if ((flags & T_DECODE) && memchr(t.p, '&', t.len))
		feed_html_decode(t.p, t.len, &b);
	else
		td_buf_append(&b, t.p, t.len);
	free(clean);
	if (td_buf_err(&b)) {
		td_buf_release(&b);
		c->oom = 1;
		return NULL;
	}
	size_t len = b.len;
	r = td_buf_detach(&b, NULL);
	if (!r) {
		c->oom = 1;
		return NULL;
	}
	if (flags & T_COLLAPSE)
		len = strlen(td_collapse_ws(r));
	if (len > max) {
		len = td_utf8_cut(r, len, max);
		r[len] = '\0';
		warn_at(c->f, 0, 0, "%s\"%s\" longer than %zu bytes; cut",
			c->where, key, max);
	}
	if (!len) {
		free(r);
		return NULL;
	}
	return r;
}

/* The string member key of obj as text, NULL when absent, null, empty or
 * of another type (with a warning). */
static char *get_text(struct jctx *c, json_t *obj, const char *key,
		      size_t max, int flags)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		wrong_type(c, key, "a string");
		return NULL;
	}
	return text(c, key, json_string_value(v), json_string_length(v), max,
		    flags);
}

/* Resolve a URL string; NULL when empty. Kept as written when it cannot be
 * made absolute. */
static char *url_of(struct jctx *c, const char *key, const char *s,
		    size_t n)
{
	char *u = text(c, key, s, n, TD_MAX_FIELD_BYTES, 0);
	if (!u)
		return NULL;
	if (strlen(u) > TD_MAX_URL_BYTES) {
		warn_at(c->f, 0, 0, "%s\"%s\" longer than %u bytes; ignored",
			c->where, key, TD_MAX_URL_BYTES);
		free(u);
		return NULL;
	}
	char *r = td_url_resolve(c->base, u);
	if (!r)
		return u;
	free(u);
	if (strlen(r) > TD_MAX_URL_BYTES) {
		warn_at(c->f, 0, 0, "%s\"%s\" longer than %u bytes once "
			"resolved; ignored", c->where, key, TD_MAX_URL_BYTES);
		free(r);
		return NULL;
	}
	return r;
}

static char *get_url(struct jctx *c, json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		wrong_type(c, key, "a string");
		return NULL;
	}
	return url_of(c, key, json_string_value(v), json_string_length(v));
}

/* ---- people ---- */

/* Read one author object into p; returns 1 when it held anything. A bare
 * string is taken as a name (with a warning). */
static int person(struct jctx *c, json_t *v, const char *key,
		  struct feed_person *p)
{
	memset(p, 0, sizeof *p);
	if (json_is_string(v)) {
		warn_at(c->f, 0, 0, "%s\"%s\" is a string, not an object; "
			"read as a name", c->where, key);
		p->name = text(c, "name", json_string_value(v),
			       json_string_length(v), TD_MAX_FIELD_BYTES,
			       T_COLLAPSE | T_DECODE);
	} else if (json_is_object(v)) {
		p->name = get_text(c, v, "name", TD_MAX_FIELD_BYTES,
				   T_COLLAPSE | T_DECODE);
		p->url = get_url(c, v, "url");
		p->avatar = get_url(c, v, "avatar");
	} else {
		wrong_type(c, key, "an object");
	}
	return p->name || p->url || p->avatar;
}

/* authors (1.1, array) or else author (1.0, object). */
static void people(struct jctx *c, json_t *obj, struct feed_person **out,
		   size_t *n)
{
	*out = NULL;
	*n = 0;
	const char *key = "authors";
	json_t *a = json_object_get(obj, "authors");
	if (a && !json_is_null(a) && !json_is_array(a)) {
		if (json_is_object(a)) {
			/* 1.0 style object under the 1.1 name */
			warn_at(c->f, 0, 0, "%s\"authors\" is an object, not "
				"an array; read as one author", c->where);
			a = json_pack("[O]", a);
			if (!a) {
				c->oom = 1;
				return;
			}
		} else {
			wrong_type(c, "authors", "an array");
			a = NULL;
		}
	} else if (a) {
		json_incref(a);
	}
	size_t na = json_array_size(a);
	json_t *one = json_object_get(obj, "author");
	if (!na && one && !json_is_null(one)) {
		json_decref(a);
		key = "author";
		a = json_pack("[O]", one);
		if (!a) {
			c->oom = 1;
			return;
		}
		na = 1;
	}
	if (na > TD_MAX_ITEM_LIST) {
		warn_at(c->f, 0, 0, "%smore than %d authors; the rest ignored",
			c->where, TD_MAX_ITEM_LIST);
		na = TD_MAX_ITEM_LIST;
	}
	if (na) {
		*out = calloc(na, sizeof **out);
		if (!*out) {
			c->oom = 1;
			json_decref(a);
			return;
		}
	}
	for (size_t i = 0; i < na; i++) {
		struct feed_person *p = &(*out)[*n];
		if (person(c, json_array_get(a, i), key, p))
			(*n)++;
		else {
			free(p->name);
			free(p->url);
			free(p->avatar);
			memset(p, 0, sizeof *p);
		}
	}
	if (!*n) {
		free(*out);
		*out = NULL;
	}
	json_decref(a);
}

/* ---- numbers ---- */

/* A non-negative count (size_in_bytes, duration_in_seconds), or -1. Reals
 * are rounded; strings of digits are accepted; anything else is ignored
 * with a warning. */
static int64_t get_count(struct jctx *c, json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	int64_t r = -1;
	if (!v || json_is_null(v))
		return -1;
	if (json_is_integer(v)) {
		r = json_integer_value(v);
	} else if (json_is_real(v)) {
		double d = json_real_value(v);
		if (isfinite(d) && d >= 0 && d < 9.0e18)
			r = (int64_t)(d + 0.5);
	} else if (json_is_string(v)) {
		int64_t x;
		if (!td_parse_i64(json_string_value(v), &x))
			r = x;
	}
	if (r < 0) {
		warn_at(c->f, 0, 0, "%s\"%s\" is not a non-negative number; "
			"ignored", c->where, key);
		return -1;
	}
	return r;
}

/* ---- dates ---- */

static int64_t get_date(struct jctx *c, json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return TD_TIME_NONE;
	int64_t t = TD_TIME_NONE;
	if (json_is_string(v)) {
		t = feed_date_parse(json_string_value(v),
				    json_string_length(v));
		if (t == TD_TIME_NONE)
			warn_at(c->f, 0, 0, "%s\"%s\" is not a date we can "
				"read; ignored", c->where, key);
		return t;
	}
	if (json_is_integer(v)) {
		/* Unix time written as a number: read it, but say so */
		char b[32];
		snprintf(b, sizeof b, "%lld",
			 (long long)json_integer_value(v));
		t = feed_date_parse(b, strlen(b));
		if (t != TD_TIME_NONE) {
			warn_at(c->f, 0, 0, "%s\"%s\" is a number; read as "
				"Unix time", c->where, key);
			return t;
		}
	}
	wrong_type(c, key, "a date string");
	return TD_TIME_NONE;
}

/* ---- items ---- */

static char *get_id(struct jctx *c, json_t *it)
{
	json_t *v = json_object_get(it, "id");
	char b[64];
	if (!v || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		return text(c, "id", json_string_value(v),
			    json_string_length(v), TD_MAX_FIELD_BYTES, 0);
	if (json_is_integer(v)) {
		/* JSON Feed 1.0 feeds sometimes use numbers */
		snprintf(b, sizeof b, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v) && isfinite(json_real_value(v))) {
		snprintf(b, sizeof b, "%.17g", json_real_value(v));
	} else {
		wrong_type(c, "id", "a string");
		return NULL;
	}
	char *r = strdup(b);
	if (!r)
		c->oom = 1;
	return r;
}

static void tags(struct jctx *c, json_t *it, struct feed_item *out)
{
	json_t *a = json_object_get(it, "tags");
	if (!a || json_is_null(a))
		return;
	if (json_is_string(a)) {
		warn_at(c->f, 0, 0, "%s\"tags\" is a string, not an array; "
			"read as one tag", c->where);
		char *t = text(c, "tags", json_string_value(a),
			       json_string_length(a), TD_MAX_FIELD_BYTES,
			       T_COLLAPSE);
		if (!t)
			return;
		out->tags = malloc(sizeof *out->tags);
		if (!out->tags) {
			free(t);
			c->oom = 1;
			return;
		}
		out->tags[0] = t;
		out->n_tags = 1;
		return;
	}
	if (!json_is_array(a)) {
		wrong_type(c, "tags", "an array");
		return;
	}
	size_t n = json_array_size(a);
	if (n > TD_MAX_ITEM_LIST) {
		warn_at(c->f, 0, 0, "%smore than %d tags; the rest ignored",
			c->where, TD_MAX_ITEM_LIST);
		n = TD_MAX_ITEM_LIST;
	}
	if (!n)
		return;
	out->tags = calloc(n, sizeof *out->tags);
	if (!out->tags) {
		c->oom = 1;
		return;
	}
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_array_get(a, i);
		if (!json_is_string(v)) {
			bad = 1;
			continue;
		}
		char *t = text(c, "tags", json_string_value(v),
			       json_string_length(v), TD_MAX_FIELD_BYTES,
			       T_COLLAPSE);
		if (!t)
			continue;
		int dup = 0;
		for (size_t j = 0; j < out->n_tags && !dup; j++)
			dup = !strcmp(out->tags[j], t);
		if (dup)
			free(t);
		else
			out->tags[out->n_tags++] = t;
	}
	if (bad)
		warn_at(c->f, 0, 0, "%s\"tags\" holds values that are not "
			"strings; ignored", c->where);
	if (!out->n_tags) {
		free(out->tags);
		out->tags = NULL;
	}
}

static void attachments(struct jctx *c, json_t *it, struct feed_item *out)
{
	json_t *a = json_object_get(it, "attachments");
	if (!a || json_is_null(a))
		return;
	if (!json_is_array(a)) {
		wrong_type(c, "attachments", "an array");
		return;
	}
	size_t n = json_array_size(a);
	if (n > TD_MAX_ITEM_LIST) {
		warn_at(c->f, 0, 0, "%smore than %d attachments; the rest "
			"ignored", c->where, TD_MAX_ITEM_LIST);
		n = TD_MAX_ITEM_LIST;
	}
	if (!n)
		return;
	out->attachments = calloc(n, sizeof *out->attachments);
	if (!out->attachments) {
		c->oom = 1;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_array_get(a, i);
		if (!json_is_object(v)) {
			wrong_type(c, "attachments[]", "an object");
			continue;
		}
		struct feed_attachment *at =
			&out->attachments[out->n_attachments];
		at->url = get_url(c, v, "url");
		if (!at->url) {
			warn_at(c->f, 0, 0, "%san attachment has no url; "
				"ignored", c->where);
			continue;
		}
		at->mime_type = get_text(c, v, "mime_type", TD_MAX_FIELD_BYTES,
					 T_COLLAPSE);
		at->title = get_text(c, v, "title", TD_MAX_FIELD_BYTES,
				     T_COLLAPSE | T_DECODE);
		at->size_in_bytes = get_count(c, v, "size_in_bytes");
		at->duration_in_seconds =
			get_count(c, v, "duration_in_seconds");
		out->n_attachments++;
	}
	if (!out->n_attachments) {
		free(out->attachments);
		out->attachments = NULL;
	}
}

static void item(struct jctx *c, json_t *it, struct feed_item *out)
{
	out->date_published = out->date_modified = TD_TIME_NONE;
	out->comments = -1;
	out->id = get_id(c, it);
	out->url = get_url(c, it, "url");
	out->external_url = get_url(c, it, "external_url");
	out->title = get_text(c, it, "title", TD_MAX_FIELD_BYTES,
			      T_COLLAPSE | T_DECODE);
	out->content_html =
		get_text(c, it, "content_html", TD_MAX_CONTENT_BYTES, 0);
	/* relative URLs in the HTML: against the item's page, else the
	 * feed's (as the XML parser does; http(s) bases only) */
	const char *hb = out->url && td_url_is_http(out->url) ? out->url : c->base;
	if (out->content_html && hb && td_url_is_http(hb)) {
		char *r = feed_html_resolve(out->content_html, hb);
		if (r) {
			free(out->content_html);
			out->content_html = r;
		}
	}
	out->content_text =
		get_text(c, it, "content_text", TD_MAX_CONTENT_BYTES, 0);
	out->summary = get_text(c, it, "summary", TD_MAX_CONTENT_BYTES,
				T_DECODE);
	out->image = get_url(c, it, "image");
	out->banner_image = get_url(c, it, "banner_image");
	out->date_published = get_date(c, it, "date_published");
	out->date_modified = get_date(c, it, "date_modified");
	people(c, it, &out->authors, &out->n_authors);
	tags(c, it, out);
	out->language = get_text(c, it, "language", TD_MAX_FIELD_BYTES,
				 T_COLLAPSE);
	attachments(c, it, out);
}

/* ---- feed ---- */

static enum feed_format version(struct jctx *c, json_t *root)
{
	json_t *v = json_object_get(root, "version");
	const char *s = json_string_value(v);
	if (!s) {
		if (v && !json_is_null(v))
			wrong_type(c, "version", "a string");
		else
			warn_at(c->f, 0, 0,
				"no \"version\"; read as JSON Feed");
		/* guess from the author field's form */
		return json_object_get(root, "author") &&
				       !json_object_get(root, "authors")
			       ? FEED_FORMAT_JSON10
			       : FEED_FORMAT_JSON11;
	}
	struct td_str t = td_str_trim((struct td_str){ s, strlen(s) });
	if (t.len && t.p[t.len - 1] == '/')
		t.len--;
	static const char *const pre[] = { "https://", "http://" };
	for (int i = 0; i < 2; i++)
		if (t.len >= strlen(pre[i]) &&
		    !strncasecmp(t.p, pre[i], strlen(pre[i]))) {
			t.p += strlen(pre[i]);
			t.len -= strlen(pre[i]);
		}
	if (td_str_ieq(t, "jsonfeed.org/version/1") ||
	    td_str_ieq(t, "jsonfeed.org/version/1.0"))
		return FEED_FORMAT_JSON10;
	if (td_str_ieq(t, "jsonfeed.org/version/1.1"))
		return FEED_FORMAT_JSON11;
	warn_at(c->f, 0, 0, "unknown JSON Feed version \"%.64s\"; read as 1.1",
		s);
	return FEED_FORMAT_JSON11;
}

/* A JSON Feed without a usable items array (a new feed, or a broken
 * one): an object with at least one of the top-level members JSON Feed
 * defines. Other JSON documents (an API's answer) are not feeds. */
static int looks_like_feed(json_t *root)
{
	static const char *const keys[] = {
		"version", "title", "home_page_url", "feed_url", "description",
		"user_comment", "next_url", "icon", "favicon", "author",
		"authors", "language", "expired", "hubs", NULL
	};
	for (const char *const *k = keys; *k; k++)
		if (json_object_get(root, *k))
			return 1;
	return 0;
}

/* Build the feed from a parsed root. Returns 0, TD_EPARSE (err filled) or
 * TD_ENOMEM. On success *out holds the feed; *f_in carries warnings made
 * while loading (moved into the feed). */
static int build(json_t *root, const struct feed_parse_opts *opts,
		 const struct feed *pre, struct feed **out,
		 struct td_error *err)
{
	if (!json_is_object(root))
		return td_error_set(err, TD_EPARSE,
				    "not a JSON Feed: the top level is not an "
				    "object");
	json_t *items = json_object_get(root, "items");
	int no_items = !json_is_array(items);
	if (no_items && !looks_like_feed(root))
		return td_error_set(err, TD_EPARSE,
				    items ? "not a JSON Feed: \"items\" is not "
					    "an array"
					  : "not a JSON Feed: no \"items\" "
					    "array");
	struct feed *f = calloc(1, sizeof *f);
	if (!f)
		return TD_ENOMEM;
	*f = *pre; /* warnings so far */
	if (no_items)
		warn_at(f, 0, 0, "%s; read as a feed without items",
			items ? "\"items\" is not an array" : "no \"items\" array");
	f->date_updated = TD_TIME_NONE;
	struct jctx c = { .f = f };
	c.base = opts && opts->base_url && *opts->base_url ? opts->base_url
							   : NULL;
	char *self = NULL;
	json_t *fu = json_object_get(root, "feed_url");
	if ((!c.base || td_istarts(c.base, "file:")) && json_is_string(fu) &&
	    td_url_is_http(json_string_value(fu))) {
		/* no location, or a local file: the feed's own http(s) URL is
		 * the better base */
		self = td_url_resolve(NULL, json_string_value(fu));
		if (self)
			c.base = self;
	}

	f->format = version(&c, root);
	f->title = get_text(&c, root, "title", TD_MAX_FIELD_BYTES,
			    T_COLLAPSE | T_DECODE);
	f->home_page_url = get_url(&c, root, "home_page_url");
	f->feed_url = get_url(&c, root, "feed_url");
	f->description = get_text(&c, root, "description", TD_MAX_CONTENT_BYTES,
				  T_DECODE);
	f->next_url = get_url(&c, root, "next_url");
	f->icon = get_url(&c, root, "icon");
	f->favicon = get_url(&c, root, "favicon");
	f->language = get_text(&c, root, "language", TD_MAX_FIELD_BYTES,
			       T_COLLAPSE);
	people(&c, root, &f->authors, &f->n_authors);

	size_t n = json_array_size(items);
	if (n > TD_MAX_FEED_ITEMS) {
		warn_at(f, 0, 0, "more than %d items; the rest ignored",
			TD_MAX_FEED_ITEMS);
		n = TD_MAX_FEED_ITEMS;
	}
	if (n) {
		f->items = calloc(n, sizeof *f->items);
		if (!f->items)
			c.oom = 1;
	}
	for (size_t i = 0; i < n && !c.oom; i++) {
		json_t *it = json_array_get(items, i);
		snprintf(c.where, sizeof c.where, "item %zu: ", i + 1);
		if (!json_is_object(it)) {
			warn_at(f, 0, 0, "item %zu is not an object; ignored",
				i + 1);
			continue;
		}
		item(&c, it, &f->items[f->n_items++]);
	}
	free(self);
	if (c.oom) {
		feed_free(f);
		return TD_ENOMEM;
	}
	feed_assign_ids(f);
	*out = f;
	return 0;
}

/* ---- repairs ---- */

enum { FIX_UTF8 = 1, FIX_CTRL = 2, FIX_NUM = 4 };

/* Length of a valid UTF-8 sequence at s (n > 0 bytes left), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned ch = s[0];
	size_t k;
	uint32_t v, min;
	if (ch < 0x80)
		return 1;
	if ((ch & 0xE0) == 0xC0) {
		k = 2;
		v = ch & 0x1F;
		min = 0x80;
	} else if ((ch & 0xF0) == 0xE0) {
		k = 3;
		v = ch & 0x0F;
		min = 0x800;
	} else if ((ch & 0xF8) == 0xF0) {
		k = 4;
		v = ch & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (k > n)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	return k;
}

/* 1 when the number token s[0..n) is too large for jansson: an integer
 * outside int64, or a real whose magnitude reaches 1e308. */
static int number_too_big(const char *s, size_t n)
{
	size_t i = 0;
	int neg = 0;
	if (i < n && s[i] == '-') {
		neg = 1;
		i++;
	}
	size_t lead = i;
	while (i < n && s[i] == '0')
		i++;
	size_t sig = i; /* first significant integer digit */
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	size_t int_digits = i - sig;
	if (i == n) { /* integer */
		const char *lim = neg ? "9223372036854775808"
				      : "9223372036854775807";
		(void)lead;
		if (int_digits != 19)
			return int_digits > 19;
		return memcmp(s + sig, lim, 19) > 0;
	}
	long mag = int_digits ? (long)int_digits - 1 : -1;
	if (!int_digits && i < n && s[i] == '.') {
		size_t j = i + 1;
		while (j < n && s[j] == '0') {
			mag--;
			j++;
		}
	}
	while (i < n && s[i] != 'e' && s[i] != 'E')
		i++;
	if (i < n) {
		i++;
		int eneg = 0;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		long e = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (e < 100000)
				e = e * 10 + (s[i] - '0');
			i++;
		}
		mag += eneg ? -e : e;
	}
	return mag >= 308;
}

/* Copy s to out, fixing what jansson cannot take: invalid UTF-8 (U+FFFD),
 * raw control characters (escaped in strings, dropped outside), numbers
 * too large (quoted). Sets bits in *fixed. */
static int repair_bytes(const char *s, size_t n, struct td_buf *out,
			unsigned *fixed)
{
	const unsigned char *u = (const unsigned char *)s;
	int in_str = 0;
	size_t i = 0;
	while (i < n && !td_buf_err(out)) {
		unsigned ch = u[i];
		if (ch >= 0x80) {
			size_t k = utf8_seq(u + i, n - i);
			if (k) {
				td_buf_append(out, s + i, k);
				i += k;
			} else {
				td_buf_puts(out, "\xEF\xBF\xBD");
				*fixed |= FIX_UTF8;
				i++;
			}
			continue;
		}
		if (in_str) {
			if (ch == '"') {
				in_str = 0;
			} else if (ch == '\\' && i + 1 < n &&
				   u[i + 1] >= 0x20 && u[i + 1] < 0x80) {
				td_buf_append(out, s + i, 2);
				i += 2;
				continue;
			} else if (ch < 0x20 || ch == 0x7F) {
				*fixed |= FIX_CTRL;
				if (ch == '\n')
					td_buf_puts(out, "\\n");
				else if (ch == '\t')
					td_buf_puts(out, "\\t");
				else if (ch == '\r')
					td_buf_puts(out, "\\r");
				i++;
				continue;
			}
			td_buf_putc(out, (int)ch);
			i++;
			continue;
		}
		if (ch == '"') {
			in_str = 1;
		} else if (ch == '-' || (ch >= '0' && ch <= '9')) {
			size_t j = i + 1;
			while (j < n && (u[j] == '-' || u[j] == '+' ||
					 u[j] == '.' || u[j] == 'e' ||
					 u[j] == 'E' || (u[j] >= '0' &&
							 u[j] <= '9')))
				j++;
			int big = number_too_big(s + i, j - i);
			if (big) {
				*fixed |= FIX_NUM;
				td_buf_putc(out, '"');
			}
			td_buf_append(out, s + i, j - i);
			if (big)
				td_buf_putc(out, '"');
			i = j;
			continue;
		} else if ((ch < 0x20 && ch != '\t' && ch != '\n' &&
			    ch != '\r') ||
			   ch == 0x7F) {
			*fixed |= FIX_CTRL;
			i++;
			continue;
		}
		td_buf_putc(out, (int)ch);
		i++;
	}
	return td_buf_err(out);
}

/* Close a broken document: the longest prefix of s[0..limit) that ends
 * after a complete item or top-level member (or just inside the root or the
 * items array), followed by the closing brackets still open there. Only
 * cuts at depth <= CUT_DEPTH count, so a half-read item is dropped rather
 * than kept without its content. Returns the prefix length used (0 when
 * nothing could be cut). */
#define CUT_DEPTH 2 /* root object, items array */

static size_t close_prefix(const char *s, size_t limit, struct td_buf *out)
{
	char stack[CUT_DEPTH];
	size_t depth = 0, cut = 0, cut_depth = 0;
	int in_str = 0;
	for (size_t i = 0; i < limit; i++) {
		char ch = s[i];
		if (in_str) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_str = 0;
			continue;
		}
		switch (ch) {
		case '"':
			in_str = 1;
			break;
		case '{':
		case '[':
			if (depth < CUT_DEPTH)
				stack[depth] = ch == '{' ? '}' : ']';
			if (++depth > REPAIR_MAX_DEPTH)
				goto done;
			if (depth <= CUT_DEPTH) {
				cut = i + 1;
				cut_depth = depth;
			}
			break;
		case '}':
		case ']':
			if (!depth)
				goto done;
			if (--depth <= CUT_DEPTH) {
				cut = i + 1;
				cut_depth = depth;
			}
			if (!depth)
				goto done; /* the root is complete */
			break;
		case ',':
			if (depth && depth <= CUT_DEPTH) {
				cut = i;
				cut_depth = depth;
			}
			break;
		default:
			break;
		}
	}
done:
	if (cut) {
		td_buf_append(out, s, cut);
		while (cut_depth)
			td_buf_putc(out, stack[--cut_depth]);
	}
	return cut;
}

/* 1 when root is an object whose items array holds an object. */
static int has_item(json_t *root)
{
	json_t *items = json_object_get(root, "items");
	for (size_t i = 0; i < json_array_size(items); i++)
		if (json_is_object(json_array_get(items, i)))
			return 1;
	return 0;
}

/* jansson reports out of memory with its code, except when its lexer
 * cannot even start: then the error is left empty (and its code byte
 * untouched, which load() zeroes first). */
static int load_oom(const json_error_t *e)
{
	return json_error_code(e) == json_error_out_of_memory || !e->text[0];
}

static json_t *load(const char *s, size_t n, json_error_t *e, size_t *used)
{
	memset(e, 0, sizeof *e);
	json_t *j = json_loadb(s, n, JSON_DECODE_ANY | JSON_ALLOW_NUL |
				     JSON_DISABLE_EOF_CHECK, e);
	if (j)
		*used = (size_t)e->position;
	return j;
}

static int only_space(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return 0;
	return 1;
}

int feed_parse_json(const char *data, size_t len,
		    const struct feed_parse_opts *opts, struct feed **out,
		    struct td_error *err)
{
	struct feed pre;
	struct td_buf fixed, closed;
	json_error_t je, first = { 0 };
	json_t *root = NULL;
	size_t used = 0;
	int rc;

	*out = NULL;
	memset(&pre, 0, sizeof pre);
	td_buf_init(&fixed, 0);
	td_buf_init(&closed, 0);
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
		data += 3;
		len -= 3;
	}
	const char *doc = data;
	size_t doclen = len;

	root = load(doc, doclen, &je, &used);
	if (!root) {
		first = je;
		if (load_oom(&je)) {
			rc = TD_ENOMEM;
			goto out;
		}
		unsigned what = 0;
		if (repair_bytes(data, len, &fixed, &what)) {
			rc = td_buf_err(&fixed);
			goto out;
		}
		if (what) {
			doc = fixed.p;
			doclen = fixed.len;
			root = load(doc, doclen, &je, &used);
			warn_at(&pre, first.line, first.column, "%s%s%s",
				what & FIX_UTF8 ? "invalid UTF-8 replaced; "
						: "",
				what & FIX_CTRL ? "control characters in "
						  "strings escaped; "
						: "",
				what & FIX_NUM ? "numbers too large read as "
						 "strings; "
					       : "");
			/* drop the trailing "; " */
			size_t wl = strlen(pre.warning);
			if (wl >= 2)
				pre.warning[wl - 2] = '\0';
			if (!root)
				first = je;
		}
	}
	/* a broken document: close what came before the error */
	size_t limit = root ? 0 : (size_t)je.position;
	for (int k = 0; !root && k < RECOVER_ATTEMPTS; k++) {
		if (load_oom(&je)) {
			rc = TD_ENOMEM;
			goto out;
		}
		if (limit > doclen)
			limit = doclen;
		/* jansson reports the error after the bad token (which may be
		 * a bracket): step back, except at a plain end of input */
		if (limit && (k || json_error_code(&je) !=
					   json_error_premature_end_of_input))
			limit--;
		td_buf_reset(&closed);
		size_t cut = close_prefix(doc, limit, &closed);
		if (td_buf_err(&closed)) {
			rc = td_buf_err(&closed);
			goto out;
		}
		if (!cut)
			break;
		root = load(closed.p, closed.len, &je, &used);
		if (root) {
			if (!has_item(root)) {
				json_decref(root);
				root = NULL;
				break;
			}
			warn_at(&pre, first.line, first.column,
				"invalid JSON: %s; kept what came before",
				first.text);
			used = closed.len;
			doc = closed.p;
			doclen = closed.len;
			break;
		}
		limit = (size_t)je.position < cut ? (size_t)je.position : cut;
	}
	if (!root) {
		rc = td_error_setpos(err, TD_EPARSE, first.line, first.column,
				     "invalid JSON: %s", first.text);
		goto out;
	}
	if (used < doclen && !only_space(doc + used, doclen - used))
		warn_at(&pre, 0, 0, "data after the end of the JSON document; "
			"ignored");
	rc = build(root, opts, &pre, out, err);
out:
	json_decref(root);
	td_buf_release(&fixed);
	td_buf_release(&closed);
	return rc;
}
