/*
 * url.h - URL parsing, resolution (RFC 3986 section 5.2, with the leniency
 * browsers apply: WHATWG URL) and canonicalisation. Our own code, not
 * libcurl's URL API: linking libcurl costs every process start ~6 ms (see
 * src/fetch/curl_dl.h), and `tidings parse` resolves URLs but never fetches.
 *
 * All functions take NUL-terminated strings and return malloc'd strings the
 * caller frees, or NULL when the input is not a usable URL (or on OOM).
 */
#ifndef TD_URL_H
#define TD_URL_H

#include <stddef.h>

/* Resolve ref against base (either may be NULL). Returns an absolute URL, or
 * NULL when ref is "" or neither ref nor base+ref is absolute; a NULL ref
 * stands for the base itself (without its fragment). Leading and trailing
 * whitespace and embedded tab/CR/LF are ignored. Only http, https, ftp and
 * file are hierarchical; any other scheme (mailto:, data:, javascript:, ...)
 * is returned as given, with spaces, controls and invalid UTF-8 bytes
 * percent-encoded (the sanitizer filters schemes later). Non-ASCII host
 * names stay UTF-8, lower-cased; no IDNA. */
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
