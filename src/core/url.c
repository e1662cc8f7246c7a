#include "core/url.h"

#include "core/buf.h"
#include "core/limits.h"

#include <curl/curl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define URL_FLAGS (CURLU_NON_SUPPORT_SCHEME | CURLU_ALLOW_SPACE | CURLU_URLENCODE)

/* Length of a leading "scheme:" (excluding ':'), or 0. */
static size_t scheme_len(const char *s)
{
	size_t i = 0;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	while (s[i] && (s[i] == '+' || s[i] == '-' || s[i] == '.' ||
			(s[i] >= 'a' && s[i] <= 'z') ||
			(s[i] >= 'A' && s[i] <= 'Z') ||
			(s[i] >= '0' && s[i] <= '9')))
		i++;
	return s[i] == ':' ? i : 0;
}

static int hierarchical(const char *s, size_t n)
{
	static const char *h[] = { "http", "https", "ftp", "file", NULL };
	for (int i = 0; h[i]; i++)
		if (strlen(h[i]) == n && !strncasecmp(s, h[i], n))
			return 1;
	return 0;
}

/* Copy of s without leading/trailing whitespace and without embedded tab,
 * CR, LF (as browsers strip them from URLs). */
static char *clean_ref(const char *s)
{
	size_t n = strlen(s);
	struct td_str t = td_str_trim((struct td_str){ s, n });
	if (t.len > TD_MAX_URL_BYTES)
		return NULL;
	char *out = malloc(t.len + 1), *w = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < t.len; i++)
		if (t.p[i] != '\t' && t.p[i] != '\n' && t.p[i] != '\r')
			*w++ = t.p[i];
	*w = '\0';
	return out;
}

static char *curl_get_url(CURLU *h)
{
	char *u = NULL;
	if (curl_url_get(h, CURLUPART_URL, &u, 0) != CURLUE_OK)
		return NULL;
	char *r = strdup(u);
	curl_free(u);
	return r;
}

char *td_url_resolve(const char *base, const char *ref)
{
	char *r = NULL, *c = ref ? clean_ref(ref) : NULL;
	CURLU *h = NULL;
	if (ref && !c)
		return NULL;
	if (c && !*c) {
		free(c);
		c = NULL;
	}
	if (!c) {
		/* no reference: the base itself, if absolute */
		return base && *base ? td_url_resolve(NULL, base) : NULL;
	}
	size_t sl = scheme_len(c);
	if (sl && !hierarchical(c, sl)) {
		return c; /* mailto:, data:, javascript:, tag: ... as given */
	}
	h = curl_url();
	if (!h)
		goto out;
	if (sl) {
		if (curl_url_set(h, CURLUPART_URL, c, URL_FLAGS) == CURLUE_OK)
			r = curl_get_url(h);
		goto out;
	}
	if (!base || !*base)
		goto out;
	char *b = clean_ref(base);
	if (!b)
		goto out;
	size_t bl = scheme_len(b);
	if (!bl || !hierarchical(b, bl) ||
	    curl_url_set(h, CURLUPART_URL, b, URL_FLAGS) != CURLUE_OK) {
		free(b);
		goto out;
	}
	free(b);
	if (curl_url_set(h, CURLUPART_URL, c, URL_FLAGS) == CURLUE_OK)
		r = curl_get_url(h);
out:
	if (h)
		curl_url_cleanup(h);
	free(c);
	return r;
}

static int tracking_param(const char *k, size_t n)
{
	static const char *exact[] = {
		"fbclid", "gclid",    "dclid",   "gclsrc",  "msclkid", "mc_cid",
		"mc_eid", "_ga",      "_gl",     "yclid",   "igshid",  "ref_src",
		"ref_url", "_hsenc",  "_hsmi",   "mkt_tok", "wt_mc",   "wt.mc_id",
		"oly_anon_id", "oly_enc_id", "rb_clickid", "s_cid", "vero_id",
		"__s",    "twclid",   "ttclid",  "li_fat_id", "ocid", "cmpid",
		"soc_src", "soc_trk", "spm", "xtor", NULL
	};
	if (n > 4 && !strncasecmp(k, "utm_", 4))
		return 1;
	if (n > 4 && !strncasecmp(k, "pk_", 3))
		return 1;
	for (int i = 0; exact[i]; i++)
		if (strlen(exact[i]) == n && !strncasecmp(k, exact[i], n))
			return 1;
	return 0;
}

char *td_url_canonical(const char *url)
{
	char *abs = td_url_resolve(NULL, url), *res = NULL;
	char *scheme = NULL, *host = NULL, *query = NULL;
	CURLU *h = NULL;
	struct td_buf q;
	td_buf_init(&q, TD_MAX_URL_BYTES);
	if (!abs)
		return NULL;
	h = curl_url();
	if (!h || curl_url_set(h, CURLUPART_URL, abs, URL_FLAGS) != CURLUE_OK)
		goto out;
	if (curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
		goto out;
	if (strcmp(scheme, "http") && strcmp(scheme, "https") &&
	    strcmp(scheme, "file"))
		goto out;
	if (curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		for (char *p = host; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p += 32;
		/* a trailing dot names the same host */
		size_t hl = strlen(host);
		if (hl > 1 && host[hl - 1] == '.')
			host[hl - 1] = '\0';
		curl_url_set(h, CURLUPART_HOST, host, 0);
	}
	/* default port: get it back without the default and reset */
	char *port = NULL;
	if (curl_url_get(h, CURLUPART_PORT, &port, CURLU_NO_DEFAULT_PORT) !=
	    CURLUE_OK)
		curl_url_set(h, CURLUPART_PORT, NULL, 0);
	curl_free(port);
	curl_url_set(h, CURLUPART_FRAGMENT, NULL, 0);
	curl_url_set(h, CURLUPART_USER, NULL, 0);
	curl_url_set(h, CURLUPART_PASSWORD, NULL, 0);
	if (curl_url_get(h, CURLUPART_QUERY, &query, 0) == CURLUE_OK) {
		const char *p = query;
		while (*p) {
			const char *amp = strchr(p, '&');
			size_t n = amp ? (size_t)(amp - p) : strlen(p);
			const char *eq = memchr(p, '=', n);
			size_t kn = eq ? (size_t)(eq - p) : n;
			if (n && !tracking_param(p, kn)) {
				if (q.len)
					td_buf_putc(&q, '&');
				td_buf_append(&q, p, n);
			}
			p += n;
			if (*p == '&')
				p++;
		}
		curl_url_set(h, CURLUPART_QUERY, q.len ? td_buf_cstr(&q) : NULL,
			     0);
	}
	res = curl_get_url(h);
out:
	td_buf_release(&q);
	curl_free(scheme);
	curl_free(host);
	curl_free(query);
	if (h)
		curl_url_cleanup(h);
	free(abs);
	return res;
}

char *td_url_host(const char *url)
{
	CURLU *h = curl_url();
	char *host = NULL, *r = NULL;
	if (h && url && curl_url_set(h, CURLUPART_URL, url, URL_FLAGS) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		r = strdup(host);
		for (char *p = r; p && *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p += 32;
	}
	curl_free(host);
	if (h)
		curl_url_cleanup(h);
	return r;
}

int td_url_is_http(const char *url)
{
	return url && (td_istarts(url, "http://") || td_istarts(url, "https://"));
}

char *td_url_from_path(const char *path)
{
	struct td_buf b;
	td_buf_init(&b, TD_MAX_URL_BYTES);
	char cwd[PATH_MAX];
	td_buf_puts(&b, "file://");
	if (path[0] != '/') {
		if (!getcwd(cwd, sizeof cwd))
			return NULL;
		for (const char *p = cwd; *p; p++) {
			unsigned char c = (unsigned char)*p;
			if (c <= 0x20 || c == '%' || c == '#' || c == '?' || c >= 0x7f)
				td_buf_printf(&b, "%%%02X", c);
			else
				td_buf_putc(&b, c);
		}
		td_buf_putc(&b, '/');
	}
	/* normalise "./" and "x/../" segments */
	for (const char *p = path; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= 0x20 || c == '%' || c == '#' || c == '?' || c >= 0x7f)
			td_buf_printf(&b, "%%%02X", c);
		else
			td_buf_putc(&b, c);
	}
	char *raw = td_buf_detach(&b, NULL);
	if (!raw)
		return NULL;
	char *r = td_url_resolve(NULL, raw); /* curl removes dot segments */
	free(raw);
	return r;
}

char *td_url_to_path(const char *url)
{
	if (!url || !td_istarts(url, "file://"))
		return NULL;
	CURLU *h = curl_url();
	char *path = NULL, *r = NULL;
	if (h && curl_url_set(h, CURLUPART_URL, url, URL_FLAGS) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_PATH, &path, CURLU_URLDECODE) == CURLUE_OK)
		r = strdup(path);
	curl_free(path);
	if (h)
		curl_url_cleanup(h);
	return r;
}
