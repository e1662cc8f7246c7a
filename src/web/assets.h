/*
 * assets.h - the embedded default theme and the pages built from it.
 *
 * scripts/embed.sh turns the files of templates/ and static/ into a table compiled
 * into the binary (build/.../gen/assets.c); td_asset_find() looks a file up
 * by its path in the source tree ("templates/article.html",
 * "static/site.css"). The bytes are followed by a NUL not counted in len.
 *
 * theme.c compiles the templates once (with a theme_dir's overrides) and
 * shares them read-only with every thread; pages.c and lists.c render the
 * pages from them, and pages.c serves "/static/..." (theme_dir's file or
 * the embedded one).
 */
#ifndef TD_WEB_ASSETS_H
#define TD_WEB_ASSETS_H

#include <stddef.h>
#include <stdint.h>

struct td_buf;
struct web_req;
struct web_resp;

struct td_asset {
	const char *name;
	const unsigned char *data;
	size_t len;
};

/* The embedded file of that name, or NULL. The table is static: the
 * pointer is valid for the life of the process. Thread-safe. */
const struct td_asset *td_asset_find(const char *name);
/* The whole table, ended by an entry whose name is NULL. */
const struct td_asset *td_asset_list(void);

/* "/static/NAME": the theme's static file (theme_dir's, else embedded)
 * with a long Cache-Control (links carry a ?v= content hash), TD_ENOTFOUND
 * for anything else (names are checked with web_theme_name_ok). */
int web_page_static(struct web_req *req, struct web_resp *resp);

/* Append to out the URL slug of a title: lower-case ASCII letters and
 * digits, other runs as one '-', no leading or trailing '-', at most 60
 * bytes (a word cut in the middle is dropped when a '-' precedes it).
 * Latin letters are transliterated first (é -> e, ß -> ss, ø -> o, æ -> ae,
 * ﬁ -> fi: utf8proc's compatibility decomposition without marks, and a
 * table for letters it leaves alone); letters of other scripts separate
 * words. Appends nothing for a title without letters or digits. NULL title
 * ok. (theme.c) */
void web_slug(struct td_buf *out, const char *title);

/* Parse a front-page cursor "PUBLISHED-ID" (published may be negative).
 * 0 with *published and *id (> 0) set, or TD_EINVAL. */
int web_cursor_parse(const char *s, int64_t *published, int64_t *id);

#endif
