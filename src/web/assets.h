/*
 * assets.h - the embedded default theme and the pages built from it.
 *
 * scripts/embed.sh turns the files of templates/ and static/ into a table compiled
 * into the binary (build/.../gen/assets.c); td_asset_find() looks a file up
 * by its path in the source tree ("templates/article.html",
 * "static/site.css"). The bytes are followed by a NUL not counted in len.
 *
 * pages.c renders "/" and "/a/{id}-{slug}" from the templates (compiled
 * once, at first use, shared read-only by every thread) and serves
 * "/static/..." from the table.
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

/* "/static/NAME": an embedded static file with a long Cache-Control
 * (links carry a ?v= content hash), TD_ENOTFOUND for anything else. */
int web_page_static(struct web_req *req, struct web_resp *resp);

/* Append to out the URL slug of a title: lower-case ASCII letters and
 * digits, other runs as one '-', no leading or trailing '-', at most 60
 * bytes (cut at a '-' when possible). Appends nothing for a title without
 * letters or digits. NULL title ok. */
void web_slug(struct td_buf *out, const char *title);

/* Parse a front-page cursor "PUBLISHED-ID" (published may be negative).
 * 0 with *published and *id (> 0) set, or TD_EINVAL. */
int web_cursor_parse(const char *s, int64_t *published, int64_t *id);

#endif
