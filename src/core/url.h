/*
 * url.h - URL resolution and canonicalisation on top of libcurl's URL API.
 *
 * All functions take NUL-terminated strings and return malloc'd strings the
 * caller frees, or NULL when the input is not a usable URL (or on OOM).
 */
#ifndef TD_URL_H
#define TD_URL_H

#include <stddef.h>

/* Resolve ref against base (either may be NULL). Returns an absolute URL, or
 * NULL when ref is empty or neither ref nor base+ref is absolute. Leading and
 * trailing whitespace in ref is ignored; schemes other than http, https, ftp,
 * file, mailto and data are returned as given (the sanitizer filters later).
 */
char *td_url_resolve(const char *base, const char *ref);

/* Canonical form used to recognise the same article under different URLs:
 * scheme and host lower-cased, default port dropped, fragment dropped,
 * tracking parameters removed (utm_*, fbclid, gclid, dclid, msclkid, mc_cid,
 * mc_eid, _ga, yclid, igshid, ref_src, ...), empty query dropped, empty path
 * becomes "/". Returns NULL for anything that is not an absolute http(s) or
 * file URL. */
char *td_url_canonical(const char *url);

/* Lower-cased host of an absolute URL, or NULL. */
char *td_url_host(const char *url);

/* 1 when url is absolute with scheme http or https. */
int td_url_is_http(const char *url);

/* file:// URL for a local path (made absolute against the current
 * directory), percent-encoding what needs it. */
char *td_url_from_path(const char *path);

/* Local path of a file:// URL (percent-decoded), or NULL. */
char *td_url_to_path(const char *url);

#endif
