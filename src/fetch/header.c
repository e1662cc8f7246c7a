/*
 * header.c - HTTP response-header parsing for the fetcher: status line,
 * validators (ETag, Last-Modified), Content-Type, Location, Content-Length,
 * Retry-After and Cache-Control max-age; plus a small HTTP-date parser.
 *
 * Input is hostile and comes one line at a time from curl's header
 * callback. Nothing here reads past len, every kept value is bounded (see
 * fetch_int.h), and malformed values are ignored rather than guessed at.
 */
#include "fetch/fetch_int.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/limits.h"
#include "core/time.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- character classes ------------------------------------------------ */

static int is_ows(int c)
{
	return c == ' ' || c == '\t';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* RFC 9110 tchar */
static int is_tchar(int c)
{
	if (is_alpha(c) || is_digit(c))
		return 1;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Visible ASCII or space: safe to send back in a request header. */
static int printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7e)
			return 0;
	}
	return 1;
}

static struct td_str trim(const char *s, size_t n)
{
	while (n && is_ows((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && is_ows((unsigned char)s[n - 1]))
		n--;
	return (struct td_str){ s, n };
}

/* Replace *slot with a copy of v (NULL v clears). 0 or TD_ENOMEM. */
static int set_str(char **slot, const char *v, size_t n)
{
	char *c = NULL;
	if (v) {
		c = td_strndup(v, n);
		if (!c)
			return TD_ENOMEM;
	}
	free(*slot);
	*slot = c;
	return 0;
}

/* Non-negative decimal, whole view; clamps at max. -1 when not digits. */
static int64_t parse_uint(struct td_str v, int64_t max)
{
	if (!v.len)
		return -1;
	int64_t r = 0;
	for (size_t i = 0; i < v.len; i++) {
		int c = (unsigned char)v.p[i];
		if (!is_digit(c))
			return -1;
		if (r > (max - (c - '0')) / 10)
			r = max; /* keep scanning to validate the rest */
		else
			r = r * 10 + (c - '0');
	}
	return r;
}

/* ---- reason phrases ----------------------------------------------------- */

const char *fetch_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 203: return "Non-Authoritative Information";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 300: return "Multiple Choices";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 402: return "Payment Required";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 407: return "Proxy Authentication Required";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 411: return "Length Required";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 416: return "Range Not Satisfiable";
	case 418: return "I'm a teapot";
	case 421: return "Misdirected Request";
	case 422: return "Unprocessable Content";
	case 425: return "Too Early";
	case 426: return "Upgrade Required";
	case 428: return "Precondition Required";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 451: return "Unavailable For Legal Reasons";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	case 507: return "Insufficient Storage";
	case 508: return "Loop Detected";
	case 511: return "Network Authentication Required";
	}
	return NULL;
}

/* ---- HTTP-date ---------------------------------------------------------- */

struct scan {
	const char *s;
	size_t i, n;
};

static int peek(const struct scan *sc)
{
	return sc->i < sc->n ? (unsigned char)sc->s[sc->i] : -1;
}

static void skip_ws(struct scan *sc)
{
	while (sc->i < sc->n && is_ows((unsigned char)sc->s[sc->i]))
		sc->i++;
}

/* Up to maxd digits (at least one); -1 when none. */
static int read_num(struct scan *sc, int maxd, int *ndig)
{
	int v = 0, d = 0;
	while (d < maxd && is_digit(peek(sc))) {
		v = v * 10 + (peek(sc) - '0');
		sc->i++;
		d++;
	}
	if (ndig)
		*ndig = d;
	return d ? v : -1;
}

/* A run of letters (at most 16 kept, lower-cased, NUL-terminated). */
static size_t read_word(struct scan *sc, char out[17])
{
	size_t k = 0, total = 0;
	while (is_alpha(peek(sc))) {
		if (k < 16)
			out[k++] = (char)lower(peek(sc));
		sc->i++;
		total++;
	}
	out[k] = '\0';
	return total > 16 ? 0 : k;
}

static int month_of(const char *w)
{
	static const char *m[] = { "jan", "feb", "mar", "apr", "may", "jun",
				   "jul", "aug", "sep", "oct", "nov", "dec" };
	static const char *full[] = { "january", "february", "march",
				      "april",   "may",      "june",
				      "july",    "august",   "september",
				      "october", "november", "december" };
	for (int i = 0; i < 12; i++)
		if (!strcmp(w, m[i]) || !strcmp(w, full[i]))
			return i + 1;
	return 0;
}

static int is_weekday(const char *w)
{
	static const char *d[] = { "mon", "tue", "wed", "thu", "fri", "sat",
				   "sun", "monday", "tuesday", "wednesday",
				   "thursday", "friday", "saturday", "sunday" };
	for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
		if (!strcmp(w, d[i]))
			return 1;
	return 0;
}

static int days_in_month(int64_t y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30,
				  31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

/* HH:MM:SS */
static int read_time(struct scan *sc, int *hh, int *mm, int *ss)
{
	*hh = read_num(sc, 2, NULL);
	if (*hh < 0 || peek(sc) != ':')
		return -1;
	sc->i++;
	int d;
	*mm = read_num(sc, 2, &d);
	if (*mm < 0 || d != 2)
		return -1;
	*ss = 0;
	if (peek(sc) == ':') {
		sc->i++;
		*ss = read_num(sc, 2, &d);
		if (*ss < 0 || d != 2)
			return -1;
	}
	return 0;
}

/* Zone after the time: GMT/UT/UTC/Z, [+-]HHMM, or nothing (GMT). Sets the
 * offset east of UTC in seconds. */
static int read_zone(struct scan *sc, int *off)
{
	*off = 0;
	skip_ws(sc);
	int c = peek(sc);
	if (c < 0)
		return 0;
	if (c == '+' || c == '-') {
		sc->i++;
		int d, v = read_num(sc, 4, &d);
		if (d != 4 || v % 100 > 59 || v / 100 > 23)
			return -1;
		*off = (v / 100 * 3600 + v % 100 * 60) * (c == '-' ? -1 : 1);
		return 0;
	}
	char w[17];
	if (!read_word(sc, w))
		return -1;
	if (strcmp(w, "gmt") && strcmp(w, "ut") && strcmp(w, "utc") &&
	    strcmp(w, "z"))
		return -1;
	return 0;
}

int64_t fetch_http_date(const char *s, size_t len)
{
	struct scan sc = { s ? s : "", 0, s ? len : 0 };
	char w[17];
	int day, mon, hh, mm, ss, off, nd;
	int64_t year;

	skip_ws(&sc);
	if (is_alpha(peek(&sc))) {
		if (!read_word(&sc, w))
			return TD_TIME_NONE;
		if (is_weekday(w)) {
			if (peek(&sc) == ',')
				sc.i++;
			skip_ws(&sc);
		} else if (!month_of(w)) {
			return TD_TIME_NONE;
		} else {
			sc.i = 0; /* asctime without a weekday */
			skip_ws(&sc);
		}
	}
	if (is_alpha(peek(&sc))) {
		/* asctime: Mon DD HH:MM:SS YYYY */
		read_word(&sc, w);
		mon = month_of(w);
		skip_ws(&sc);
		day = read_num(&sc, 2, NULL);
		skip_ws(&sc);
		if (!mon || day < 0 || read_time(&sc, &hh, &mm, &ss))
			return TD_TIME_NONE;
		skip_ws(&sc);
		int y = read_num(&sc, 4, &nd);
		if (nd != 4)
			return TD_TIME_NONE;
		year = y;
		if (read_zone(&sc, &off))
			return TD_TIME_NONE;
	} else {
		/* IMF-fixdate "DD Mon YYYY" or RFC 850 "DD-Mon-YY" */
		day = read_num(&sc, 2, NULL);
		if (day < 0)
			return TD_TIME_NONE;
		if (peek(&sc) == '-')
			sc.i++;
		else
			skip_ws(&sc);
		if (!read_word(&sc, w) || !(mon = month_of(w)))
			return TD_TIME_NONE;
		if (peek(&sc) == '-')
			sc.i++;
		else
			skip_ws(&sc);
		int y = read_num(&sc, 4, &nd);
		if (y < 0 || (nd != 2 && nd != 4))
			return TD_TIME_NONE;
		year = nd == 2 ? (y < 70 ? 2000 + y : 1900 + y) : y;
		skip_ws(&sc);
		if (read_time(&sc, &hh, &mm, &ss) || read_zone(&sc, &off))
			return TD_TIME_NONE;
	}
	skip_ws(&sc);
	if (sc.i != sc.n)
		return TD_TIME_NONE;
	if (year < 1600 || day < 1 || day > days_in_month(year, mon) ||
	    hh > 23 || mm > 59 || ss > 60)
		return TD_TIME_NONE;
	return td_timegm(year, (unsigned)mon, (unsigned)day, (unsigned)hh,
			 (unsigned)mm, (unsigned)ss) -
	       off;
}

/* ---- Content-Type ------------------------------------------------------- */

static int charset_char(int c)
{
	return is_alpha(c) || is_digit(c) || (c && strchr("-_.:+()", c));
}

int fetch_content_type(const char *s, size_t len, char **type, char **charset)
{
	*type = NULL;
	*charset = NULL;
	size_t i = 0;
	while (i < len && s[i] != ';')
		i++;
	struct td_str t = trim(s, i);
	size_t slash = 0, nslash = 0;
	int ok = t.len > 0 && t.len <= FETCH_MAX_CTYPE;
	for (size_t k = 0; ok && k < t.len; k++) {
		if (t.p[k] == '/') {
			slash = k;
			nslash++;
		} else if (!is_tchar((unsigned char)t.p[k])) {
			ok = 0;
		}
	}
	if (ok && nslash == 1 && slash > 0 && slash + 1 < t.len) {
		*type = td_strndup(t.p, t.len);
		if (!*type)
			return TD_ENOMEM;
		for (char *p = *type; *p; p++)
			*p = (char)lower((unsigned char)*p);
	}
	/* parameters: ; name=value | ; name="quoted \" value" */
	while (i < len) {
		i++; /* ';' */
		while (i < len && (is_ows((unsigned char)s[i]) || s[i] == ';'))
			i++;
		size_t ns = i;
		while (i < len && s[i] != '=' && s[i] != ';')
			i++;
		struct td_str name = trim(s + ns, i - ns);
		if (i >= len || s[i] == ';')
			continue; /* parameter without a value */
		i++; /* '=' */
		while (i < len && is_ows((unsigned char)s[i]))
			i++;
		char val[FETCH_MAX_CTYPE + 1];
		size_t vn = 0;
		int toolong = 0;
		if (i < len && s[i] == '"') {
			i++;
			while (i < len && s[i] != '"') {
				if (s[i] == '\\' && i + 1 < len)
					i++;
				if (vn < FETCH_MAX_CTYPE)
					val[vn++] = s[i];
				else
					toolong = 1;
				i++;
			}
			if (i < len)
				i++; /* closing quote */
			while (i < len && s[i] != ';')
				i++; /* junk after the quoted string */
		} else {
			size_t vs = i;
			while (i < len && s[i] != ';')
				i++;
			struct td_str v = trim(s + vs, i - vs);
			if (v.len > FETCH_MAX_CTYPE)
				toolong = 1;
			else {
				memcpy(val, v.p, v.len);
				vn = v.len;
			}
		}
		if (*charset || toolong || !td_str_ieq(name, "charset"))
			continue;
		struct td_str v = trim(val, vn);
		int good = v.len > 0 && v.len <= 40;
		for (size_t k = 0; good && k < v.len; k++)
			good = charset_char((unsigned char)v.p[k]);
		if (!good)
			continue;
		*charset = td_strndup(v.p, v.len);
		if (!*charset) {
			free(*type);
			*type = NULL;
			return TD_ENOMEM;
		}
		for (char *p = *charset; *p; p++)
			*p = (char)lower((unsigned char)*p);
	}
	return 0;
}

/* ---- header lines ------------------------------------------------------- */

void fetch_hdrs_init(struct fetch_hdrs *h)
{
	memset(h, 0, sizeof *h);
	h->content_length = -1;
	h->retry_after = TD_TIME_NONE;
	h->max_age = -1;
}

void fetch_hdrs_release(struct fetch_hdrs *h)
{
	free(h->etag);
	free(h->last_modified);
	free(h->content_type);
	free(h->charset);
	free(h->location);
	fetch_hdrs_init(h);
}

static void status_line(struct fetch_hdrs *h, const char *s, size_t n)
{
	struct scan sc = { s, 5, n }; /* after "HTTP/" */
	fetch_hdrs_release(h);
	while (sc.i < n && !is_ows((unsigned char)s[sc.i]))
		sc.i++;
	skip_ws(&sc);
	int d, code = read_num(&sc, 3, &d);
	if (d != 3 || code < 100 || (sc.i < n && !is_ows(peek(&sc))))
		return;
	h->status = code;
	skip_ws(&sc);
	size_t k = 0;
	for (; sc.i < n && k < FETCH_MAX_REASON; sc.i++) {
		unsigned char c = (unsigned char)s[sc.i];
		h->reason[k++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	h->reason[k] = '\0';
}

/* Cache-Control: the first max-age directive wins. */
static void cache_control(struct fetch_hdrs *h, struct td_str v)
{
	size_t i = 0;
	while (i < v.len && h->max_age < 0) {
		size_t st = i;
		while (i < v.len && v.p[i] != ',')
			i++;
		struct td_str d = trim(v.p + st, i - st);
		i++;
		if (d.len < 8 || strncasecmp(d.p, "max-age", 7))
			continue;
		struct td_str rest = trim(d.p + 7, d.len - 7);
		if (!rest.len || rest.p[0] != '=')
			continue;
		rest = trim(rest.p + 1, rest.len - 1);
		if (rest.len >= 2 && rest.p[0] == '"' &&
		    rest.p[rest.len - 1] == '"') {
			rest.p++;
			rest.len -= 2;
		}
		int64_t age = parse_uint(rest, INT32_MAX);
		if (age >= 0)
			h->max_age = age;
	}
}

int fetch_hdrs_line(struct fetch_hdrs *h, const char *line, size_t len,
		    int64_t now)
{
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (!len || is_ows((unsigned char)line[0]))
		return 0; /* end of headers, or obsolete line folding */
	if (len >= 5 && !memcmp(line, "HTTP/", 5)) {
		status_line(h, line, len);
		return 0;
	}
	size_t c = 0;
	while (c < len && is_tchar((unsigned char)line[c]))
		c++;
	if (!c || c >= len || line[c] != ':')
		return 0;
	struct td_str name = { line, c };
	struct td_str v = trim(line + c + 1, len - c - 1);

	if (td_str_ieq(name, "etag")) {
		if (v.len && v.len <= FETCH_MAX_VALIDATOR && printable(v.p, v.len))
			return set_str(&h->etag, v.p, v.len);
	} else if (td_str_ieq(name, "last-modified")) {
		if (v.len && v.len <= FETCH_MAX_VALIDATOR && printable(v.p, v.len))
			return set_str(&h->last_modified, v.p, v.len);
	} else if (td_str_ieq(name, "content-type")) {
		char *t, *cs;
		if (fetch_content_type(v.p, v.len, &t, &cs))
			return TD_ENOMEM;
		free(h->content_type);
		free(h->charset);
		h->content_type = t;
		h->charset = cs;
	} else if (td_str_ieq(name, "location")) {
		if (v.len && v.len <= TD_MAX_URL_BYTES && printable(v.p, v.len))
			return set_str(&h->location, v.p, v.len);
	} else if (td_str_ieq(name, "content-length")) {
		h->content_length = parse_uint(v, INT64_MAX);
	} else if (td_str_ieq(name, "retry-after")) {
		int64_t secs = parse_uint(v, FETCH_MAX_RETRY_SECS);
		if (secs >= 0)
			h->retry_after = now + secs;
		else
			h->retry_after = fetch_http_date(v.p, v.len);
	} else if (td_str_ieq(name, "cache-control")) {
		cache_control(h, v);
	}
	return 0;
}
