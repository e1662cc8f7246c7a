/*
 * url.c - our own URL parser and resolver: RFC 3986 parsing and reference
 * resolution (section 5.2, remove_dot_segments) with the leniency of the
 * WHATWG URL standard for the URLs feeds and web pages carry.
 *
 * Only http, https, ftp and file are "special": hierarchical, with an
 * authority. They are parsed into scheme, userinfo, host, port, path, query
 * and fragment, resolved, normalised and serialised again. Any other scheme
 * (mailto:, data:, javascript:, tag:, urn:, feed:, ...) is opaque: returned
 * as given, never resolved, and cannot serve as a base.
 *
 * Normalisation (what a browser does with the same text):
 *  - leading and trailing C0 controls and spaces are stripped, tab, CR and
 *    LF removed anywhere; backslashes are slashes before the query;
 *  - the scheme is lower-cased; "http:g" against an http base is the
 *    relative "g" (the non-strict reading of RFC 3986 5.2.2);
 *  - the host is percent-decoded, must be valid UTF-8 without forbidden
 *    code points (controls, space, # % / : < > ? @ [ \ ] ^ |, DEL, C1
 *    controls) and is lower-cased (ASCII, and simple Unicode lower case
 *    through utf8proc). No IDNA: "B\xc3\x9cCHER.de" becomes UTF-8
 *    "b\xc3\xbccher.de", not punycode. A host ending in a number is an IPv4
 *    address (decimal, octal and hex parts, as WHATWG reads them) and is
 *    written as a dotted quad; a bracketed IPv6 literal is written in its
 *    compressed form (RFC 5952). file:// drops the host "localhost";
 *  - the port must be digits, at most 65535; the scheme's default is dropped;
 *  - dot segments are removed from the path (RFC 3986 5.2.4); an empty
 *    path is "/";
 *  - bytes a component does not allow (WHATWG percent-encode sets: controls,
 *    space, " < > and a few more per component, DEL and every non-ASCII
 *    byte) are written as %XX with uppercase hex; existing %XX sequences
 *    are kept as they are, never decoded or encoded twice.
 * Opaque URLs keep their text except bytes that are not printable text
 * (controls, inner spaces, DEL, invalid UTF-8), which are percent-encoded,
 * so every result is valid UTF-8 without bytes <= 0x20 or 0x7f.
 *
 * The result of td_url_resolve() reads back as itself and
 * td_url_canonical() is idempotent (both asserted by fuzz/fuzz_url.c).
 * Input and output are bounded by TD_MAX_URL_BYTES; no allocation per
 * character (a handful of buffers per call).
 */
#include "core/url.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/limits.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <utf8proc.h>

/* ---- parsed form ------------------------------------------------------- */

enum { S_HTTP, S_HTTPS, S_FTP, S_FILE };

static const struct {
	const char *name;
	size_t len;
	unsigned port; /* default port, 0 for none */
} schemes[] = {
	{ "http", 4, 80 },
	{ "https", 5, 443 },
	{ "ftp", 3, 21 },
	{ "file", 4, 0 },
};

/* A special URL as views into text the caller keeps alive. Components are
 * raw (not yet encoded or normalised) until serialize() writes them. */
struct url {
	int scheme;
	struct td_str user, pass, host, port, path, query, frag;
	int has_query, has_frag;
};

/* Percent-encode sets (WHATWG), as bits. */
enum { ENC_PATH = 1, ENC_QUERY = 2, ENC_FRAG = 4, ENC_USERINFO = 8 };

/* The sets c belongs to: controls, space, DEL and non-ASCII bytes are in
 * all; path " # < > ? ` { }; query " # < > '; fragment " < > `; userinfo
 * the path set and / : ; = @ [ \ ] ^ |. */
static unsigned enc_sets(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return ENC_PATH | ENC_QUERY | ENC_FRAG | ENC_USERINFO;
	switch (c) {
	case '"':
	case '<':
	case '>':
		return ENC_PATH | ENC_QUERY | ENC_FRAG | ENC_USERINFO;
	case '#':
		return ENC_PATH | ENC_QUERY | ENC_USERINFO;
	case '?':
	case '{':
	case '}':
		return ENC_PATH | ENC_USERINFO;
	case '`':
		return ENC_PATH | ENC_FRAG | ENC_USERINFO;
	case '\'':
		return ENC_QUERY;
	case '/':
	case ':':
	case ';':
	case '=':
	case '@':
	case '[':
	case '\\':
	case ']':
	case '^':
	case '|':
		return ENC_USERINFO;
	default:
		return 0;
	}
}

static int is_slash(char c)
{
	return c == '/' || c == '\\';
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static struct td_str view(const char *p, size_t n)
{
	return (struct td_str){ p, n };
}

/* Length of a leading "scheme:" (excluding ':') in s[0..n), or 0. */
static size_t scheme_len(const char *s, size_t n)
{
	size_t i = 1;
	if (!n || !is_alpha(s[0]))
		return 0;
	while (i < n && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '+' ||
			 s[i] == '-' || s[i] == '.'))
		i++;
	return i < n && s[i] == ':' ? i : 0;
}

/* Index in schemes[] of the scheme s[0..n) (any case), or -1. */
static int special(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
		if (schemes[i].len == n && !strncasecmp(s, schemes[i].name, n))
			return (int)i;
	return -1;
}

/* Malloc'd copy of s without leading/trailing C0 controls and spaces and
 * without tab, CR, LF anywhere; its length in *outn. NULL when the trimmed
 * text is longer than TD_MAX_URL_BYTES, or on OOM. */
static char *clean(const char *s, size_t *outn)
{
	size_t n = strlen(s), a = 0;
	while (a < n && (unsigned char)s[a] <= 0x20)
		a++;
	while (n > a && (unsigned char)s[n - 1] <= 0x20)
		n--;
	if (n - a > TD_MAX_URL_BYTES)
		return NULL;
	char *out = malloc(n - a + 1);
	if (!out)
		return NULL;
	size_t w = 0;
	for (size_t i = a; i < n; i++)
		if (s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			out[w++] = s[i];
	out[w] = '\0';
	*outn = w;
	return out;
}

/* Path, query and fragment of p[0..n). */
static void split_rest(const char *p, size_t n, struct url *u)
{
	size_t i = 0;
	while (i < n && p[i] != '?' && p[i] != '#')
		i++;
	u->path = view(p, i);
	u->has_query = u->has_frag = 0;
	u->query = u->frag = view("", 0);
	if (i < n && p[i] == '?') {
		size_t q = ++i;
		while (i < n && p[i] != '#')
			i++;
		u->has_query = 1;
		u->query = view(p + q, i - q);
	}
	if (i < n) {
		u->has_frag = 1;
		u->frag = view(p + i + 1, n - i - 1);
	}
}

/* Userinfo, host and port of the authority p[0..n): the last '@' ends the
 * userinfo, the first ':' in it ends the user name, a ':' outside brackets
 * starts the port. */
static void split_authority(const char *p, size_t n, struct url *u)
{
	size_t at = n;
	while (at > 0 && p[at - 1] != '@')
		at--;
	u->user = u->pass = view("", 0);
	if (at > 0) {
		size_t c = 0;
		while (c < at - 1 && p[c] != ':')
			c++;
		u->user = view(p, c);
		if (c < at - 1)
			u->pass = view(p + c + 1, at - 1 - c - 1);
		p += at;
		n -= at;
	}
	size_t i = 0;
	int in_brackets = 0;
	for (; i < n; i++) {
		if (p[i] == '[')
			in_brackets = 1;
		else if (p[i] == ']')
			in_brackets = 0;
		else if (p[i] == ':' && !in_brackets)
			break;
	}
	u->host = view(p, i);
	u->port = i < n ? view(p + i + 1, n - i - 1) : view("", 0);
}

/* Parse p[0..n), the text after "scheme:" of an absolute special URL. */
static void parse_after_scheme(int scheme, const char *p, size_t n,
			       struct url *u)
{
	size_t i = 0;
	u->scheme = scheme;
	if (scheme == S_FILE) {
		if (n >= 2 && is_slash(p[0]) && is_slash(p[1])) {
			i = 2;
		} else {
			/* "file:/x", "file:x": no authority */
			u->user = u->pass = u->host = u->port = view("", 0);
			split_rest(p, n, u);
			return;
		}
	} else {
		/* http:x, http:/x, http:///x all name the host x */
		while (i < n && is_slash(p[i]))
			i++;
	}
	size_t a = i;
	while (i < n && !is_slash(p[i]) && p[i] != '?' && p[i] != '#')
		i++;
	split_authority(p + a, i - a, u);
	split_rest(p + i, n - i, u);
}

/* Parse the absolute special URL s[0..n) (already cleaned). 0, or
 * TD_EINVAL when it has no scheme or a scheme that is not special. */
static int parse_abs(const char *s, size_t n, struct url *u)
{
	size_t sl = scheme_len(s, n);
	int sc = sl ? special(s, sl) : -1;
	if (sc < 0)
		return TD_EINVAL;
	parse_after_scheme(sc, s + sl + 1, n - sl - 1, u);
	return 0;
}

/* RFC 3986 5.2.2 with base b (normalised) and reference r[0..n) that has
 * no scheme (or the base's own scheme, already skipped). A merged path is
 * built in path. */
static int parse_relative(const struct url *b, const char *r, size_t n,
			  struct url *t, struct td_buf *path)
{
	if (n >= 2 && is_slash(r[0]) && is_slash(r[1])) {
		parse_after_scheme(b->scheme, r, n, t);
		return 0;
	}
	*t = *b; /* scheme and authority */
	split_rest(r, n, t);
	if (!t->path.len) {
		t->path = b->path;
		if (!t->has_query) {
			t->has_query = b->has_query;
			t->query = b->query;
		}
	} else if (!is_slash(t->path.p[0])) {
		/* merge: the base path up to its last slash, then the ref */
		size_t d = b->path.len;
		while (d > 0 && !is_slash(b->path.p[d - 1]))
			d--;
		if (!d)
			td_buf_putc(path, '/');
		td_buf_append(path, b->path.p, d);
		td_buf_append(path, t->path.p, t->path.len);
		if (td_buf_err(path))
			return td_buf_err(path);
		t->path = view(path->p, path->len);
	}
	return 0;
}

/* ---- serialisation ----------------------------------------------------- */

static void put_pct(struct td_buf *o, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3] = { '%', hex[c >> 4], hex[c & 15] };
	td_buf_append(o, e, 3);
}

/* Append p[0..n) with the bytes of the given set percent-encoded. */
static void put_enc(struct td_buf *o, const char *p, size_t n, unsigned set)
{
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && !(enc_sets((unsigned char)p[j]) & set))
			j++;
		td_buf_append(o, p + i, j - i);
		if (j == n)
			break;
		put_pct(o, (unsigned char)p[j]);
		i = j + 1;
	}
}

/* Append the path p[0..n) of a special URL: backslashes as slashes, dot
 * segments removed (RFC 3986 5.2.4), segments encoded; "/" when empty. */
static void put_path(struct td_buf *o, const char *p, size_t n)
{
	size_t start = o->len, i = 0;
	if (n && is_slash(p[0]))
		i = 1;
	while (i <= n) {
		size_t j = i;
		while (j < n && !is_slash(p[j]))
			j++;
		const char *seg = p + i;
		size_t sn = j - i;
		int last = j >= n;
		if (sn == 1 && seg[0] == '.') {
			if (last)
				td_buf_putc(o, '/');
		} else if (sn == 2 && seg[0] == '.' && seg[1] == '.') {
			size_t k = o->len;
			if (!td_buf_err(o)) {
				while (k > start && o->p[k - 1] != '/')
					k--;
				if (k > start)
					td_buf_truncate(o, k - 1);
			}
			if (last)
				td_buf_putc(o, '/');
		} else {
			td_buf_putc(o, '/');
			put_enc(o, seg, sn, ENC_PATH);
		}
		i = j + 1;
	}
	if (o->len == start)
		td_buf_putc(o, '/');
}

/* WHATWG "ends in a number": the last dot-separated label (ignoring one
 * trailing dot) is decimal digits or 0x-hex, so the host must be IPv4. */
static int ends_in_number(const char *s, size_t n)
{
	if (n && s[n - 1] == '.')
		n--;
	size_t a = n;
	while (a > 0 && s[a - 1] != '.')
		a--;
	const char *l = s + a;
	size_t ln = n - a, i = 0;
	if (!ln)
		return 0;
	if (ln >= 2 && l[0] == '0' && (l[1] == 'x' || l[1] == 'X')) {
		for (i = 2; i < ln; i++)
			if (hexval(l[i]) < 0)
				return 0;
		return 1;
	}
	for (i = 0; i < ln; i++)
		if (!is_digit(l[i]))
			return 0;
	return 1;
}

/* One IPv4 part: decimal, 0-prefixed octal or 0x-prefixed hex. Values are
 * saturated above 2^32. 0, or -1 when not a number. */
static int ipv4_number(const char *p, size_t n, uint64_t *out)
{
	unsigned radix = 10;
	uint64_t v = 0;
	if (!n)
		return -1;
	if (n >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		radix = 16;
		p += 2;
		n -= 2;
	} else if (n >= 2 && p[0] == '0') {
		radix = 8;
		p++;
		n--;
	}
	for (size_t i = 0; i < n; i++) {
		int d = hexval(p[i]);
		if (d < 0 || (unsigned)d >= radix)
			return -1;
		v = v * radix + (unsigned)d;
		if (v > 0xffffffffull)
			v = 0x100000000ull;
	}
	*out = v;
	return 0;
}

/* WHATWG IPv4 parser: up to four parts, the last filling the rest. */
static int ipv4_parse(const char *s, size_t n, uint32_t *addr)
{
	uint64_t num[4];
	size_t cnt = 0, i = 0;
	if (n && s[n - 1] == '.')
		n--;
	for (;;) {
		size_t j = i;
		while (j < n && s[j] != '.')
			j++;
		if (cnt == 4 || ipv4_number(s + i, j - i, &num[cnt]))
			return TD_EINVAL;
		cnt++;
		if (j >= n)
			break;
		i = j + 1;
	}
	for (size_t k = 0; k + 1 < cnt; k++)
		if (num[k] > 255)
			return TD_EINVAL;
	if (num[cnt - 1] >= (1ull << (8 * (5 - cnt))))
		return TD_EINVAL;
	uint64_t v = num[cnt - 1];
	for (size_t k = 0; k + 1 < cnt; k++)
		v += num[k] << (8 * (3 - k));
	*addr = (uint32_t)v;
	return 0;
}

/* "[...]": validated with inet_pton, written in RFC 5952 form. */
static int put_ipv6(struct td_buf *o, const char *p, size_t n)
{
	char tmp[64];
	unsigned char a[16];
	if (n < 3 || p[n - 1] != ']' || n - 2 >= sizeof tmp)
		return TD_EINVAL;
	memcpy(tmp, p + 1, n - 2);
	tmp[n - 2] = '\0';
	if (inet_pton(AF_INET6, tmp, a) != 1)
		return TD_EINVAL;
	unsigned piece[8];
	int best = -1, bestlen = 1;
	for (int k = 0; k < 8; k++)
		piece[k] = (unsigned)a[2 * k] << 8 | a[2 * k + 1];
	for (int k = 0; k < 8;) {
		int e = k;
		while (e < 8 && !piece[e])
			e++;
		if (e - k > bestlen) {
			best = k;
			bestlen = e - k;
		}
		k = e > k ? e : k + 1;
	}
	td_buf_putc(o, '[');
	for (int k = 0; k < 8; k++) {
		if (k == best) {
			td_buf_puts(o, "::");
			k += bestlen - 1;
			if (k == 7)
				break;
			continue;
		}
		td_buf_printf(o, k && k != best + bestlen ? ":%x" : "%x",
			      piece[k]);
	}
	td_buf_putc(o, ']');
	return 0;
}

/* Forbidden domain code points (ASCII part). */
static int forbidden_host(unsigned char c)
{
	if (c <= 0x20 || c == 0x7f)
		return 1;
	switch (c) {
	case '#':
	case '%':
	case '/':
	case ':':
	case '<':
	case '>':
	case '?':
	case '@':
	case '[':
	case '\\':
	case ']':
	case '^':
	case '|':
		return 1;
	default:
		return 0;
	}
}

/* Append the host h: decoded, checked, lower-cased, IPv4/IPv6 normalised.
 * scratch holds the decoded text. */
static int put_host(struct td_buf *o, struct td_str h, int scheme,
		    struct td_buf *scratch)
{
	if (!h.len)
		return scheme == S_FILE ? 0 : TD_EINVAL;
	if (h.p[0] == '[')
		return put_ipv6(o, h.p, h.len);
	const char *d = h.p;
	size_t dn = h.len;
	if (memchr(h.p, '%', h.len)) {
		td_buf_reset(scratch);
		for (size_t i = 0; i < h.len; i++) {
			int hi, lo;
			if (h.p[i] == '%' && i + 2 < h.len &&
			    (hi = hexval(h.p[i + 1])) >= 0 &&
			    (lo = hexval(h.p[i + 2])) >= 0) {
				td_buf_putc(scratch, hi << 4 | lo);
				i += 2;
			} else {
				td_buf_putc(scratch, (unsigned char)h.p[i]);
			}
		}
		if (td_buf_err(scratch))
			return td_buf_err(scratch);
		d = td_buf_cstr(scratch);
		dn = scratch->len;
	}
	if (!td_utf8_valid(d, dn))
		return TD_EINVAL;
	size_t start = o->len;
	for (size_t i = 0; i < dn;) {
		if ((unsigned char)d[i] < 0x80) {
			/* a run of ASCII, lower-cased where it lands */
			size_t j = i;
			while (j < dn && (unsigned char)d[j] < 0x80) {
				if (forbidden_host((unsigned char)d[j]))
					return TD_EINVAL;
				j++;
			}
			if (td_buf_append(o, d + i, j - i))
				return td_buf_err(o);
			for (char *c = o->p + o->len - (j - i); *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c += 32;
			i = j;
			continue;
		}
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate(
			(const utf8proc_uint8_t *)d + i, (utf8proc_ssize_t)(dn - i),
			&cp);
		if (k <= 0 || (cp >= 0x80 && cp <= 0x9f))
			return TD_EINVAL;
		cp = utf8proc_tolower(cp);
		utf8proc_uint8_t enc[4];
		utf8proc_ssize_t m = utf8proc_encode_char(cp, enc);
		if (m <= 0)
			return TD_EINVAL;
		if (m == 1 && forbidden_host(enc[0]))
			return TD_EINVAL;
		td_buf_append(o, enc, (size_t)m);
		i += (size_t)k;
	}
	if (td_buf_err(o))
		return td_buf_err(o);
	const char *hs = o->p + start;
	size_t hn = o->len - start;
	if (scheme == S_FILE && hn == 9 && !memcmp(hs, "localhost", 9)) {
		td_buf_truncate(o, start);
		return 0;
	}
	if (ends_in_number(hs, hn)) {
		uint32_t a;
		if (ipv4_parse(hs, hn, &a))
			return TD_EINVAL;
		td_buf_truncate(o, start);
		td_buf_printf(o, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
			      (a >> 8) & 255, a & 255);
	}
	return 0;
}

/* Port digits (may be empty): 0, or TD_EINVAL. *port is 0 when none. */
static int parse_port(struct td_str p, unsigned *port)
{
	unsigned long v = 0;
	*port = 0;
	for (size_t i = 0; i < p.len; i++) {
		if (!is_digit(p.p[i]))
			return TD_EINVAL;
		v = v * 10 + (unsigned)(p.p[i] - '0');
		if (v > 65535)
			return TD_EINVAL;
	}
	*port = p.len ? (unsigned)v : 0;
	return 0;
}

/* Write u into o. 0, or TD_EINVAL (bad host or port), TD_ETOOBIG, TD_ENOMEM. */
static int serialize(const struct url *u, struct td_buf *o,
		     struct td_buf *scratch)
{
	unsigned port;
	int rc, has_port = u->port.len > 0;
	if ((rc = parse_port(u->port, &port)))
		return rc;
	if (u->scheme == S_FILE && (has_port || u->user.len || u->pass.len))
		return TD_EINVAL;
	size_t guess = 16 + u->user.len + u->pass.len + u->host.len +
		       u->path.len + u->query.len + u->frag.len;
	if (o->len < TD_MAX_URL_BYTES)
		td_buf_reserve(o, guess < TD_MAX_URL_BYTES - o->len
					  ? guess
					  : TD_MAX_URL_BYTES - o->len);
	td_buf_append(o, schemes[u->scheme].name, schemes[u->scheme].len);
	td_buf_puts(o, "://");
	if (u->user.len || u->pass.len) {
		put_enc(o, u->user.p, u->user.len, ENC_USERINFO);
		if (u->pass.len) {
			td_buf_putc(o, ':');
			put_enc(o, u->pass.p, u->pass.len, ENC_USERINFO);
		}
		td_buf_putc(o, '@');
	}
	if ((rc = put_host(o, u->host, u->scheme, scratch)))
		return rc;
	if (has_port && port != schemes[u->scheme].port)
		td_buf_printf(o, ":%u", port);
	put_path(o, u->path.p, u->path.len);
	if (u->has_query) {
		td_buf_putc(o, '?');
		put_enc(o, u->query.p, u->query.len, ENC_QUERY);
	}
	if (u->has_frag) {
		td_buf_putc(o, '#');
		put_enc(o, u->frag.p, u->frag.len, ENC_FRAG);
	}
	return td_buf_err(o);
}

/* Opaque URL s[0..n) as given, with bytes that are not printable UTF-8
 * text percent-encoded. */
static char *opaque(const char *s, size_t n)
{
	struct td_buf o;
	td_buf_init(&o, TD_MAX_URL_BYTES);
	td_buf_reserve(&o, n);
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (c <= 0x20 || c == 0x7f ||
		    (c >= 0x80 && (i + k > n || !td_utf8_valid(s + i, k)))) {
			put_pct(&o, c);
			i++;
			continue;
		}
		td_buf_append(&o, s + i, k);
		i += k;
	}
	return td_buf_detach(&o, NULL);
}

/* ---- normalised parse -------------------------------------------------- */

struct work {
	struct td_buf norm;    /* a normalised absolute URL */
	struct td_buf path;    /* merged path */
	struct td_buf scratch; /* decoded host */
	struct td_buf out;     /* the result */
};

static void work_init(struct work *w)
{
	td_buf_init(&w->norm, TD_MAX_URL_BYTES);
	td_buf_init(&w->path, 2 * TD_MAX_URL_BYTES + 2);
	td_buf_init(&w->scratch, TD_MAX_URL_BYTES);
	td_buf_init(&w->out, TD_MAX_URL_BYTES);
}

static void work_release(struct work *w)
{
	td_buf_release(&w->norm);
	td_buf_release(&w->path);
	td_buf_release(&w->scratch);
	td_buf_release(&w->out);
}

/* Normalise the absolute special URL raw into w->norm and parse that into
 * u (views into w->norm). 0, or a negative TD_E* code. */
static int normalize(struct work *w, const char *raw, struct url *u)
{
	size_t n;
	struct url t;
	char *c = clean(raw, &n);
	if (!c)
		return TD_EINVAL;
	int rc = parse_abs(c, n, &t);
	if (!rc)
		rc = serialize(&t, &w->norm, &w->scratch);
	free(c);
	if (!rc)
		rc = parse_abs(td_buf_cstr(&w->norm), w->norm.len, u);
	return rc;
}

/* ---- API --------------------------------------------------------------- */

char *td_url_resolve(const char *base, const char *ref)
{
	struct work w;
	struct url b, t;
	char *c = NULL, *res = NULL;
	size_t n;
	work_init(&w);
	if (!ref) {
		/* the empty reference: the base without its fragment */
		if (!base || normalize(&w, base, &b))
			goto out;
		b.has_frag = 0;
		if (!serialize(&b, &w.out, &w.scratch))
			res = td_buf_detach(&w.out, NULL);
		goto out;
	}
	c = clean(ref, &n);
	if (!c || !n)
		goto out;
	size_t sl = scheme_len(c, n);
	int sc = sl ? special(c, sl) : -1;
	if (sl && sc < 0) {
		res = opaque(c, n);
		goto out;
	}
	const char *rest = sl ? c + sl + 1 : c;
	size_t rn = sl ? n - sl - 1 : n;
	int net = rn >= 2 && is_slash(rest[0]) && is_slash(rest[1]);
	if (sl && (net || !base || normalize(&w, base, &b) ||
		   b.scheme != sc)) {
		parse_after_scheme(sc, rest, rn, &t);
	} else {
		if (!sl && (!base || normalize(&w, base, &b)))
			goto out;
		if (parse_relative(&b, rest, rn, &t, &w.path))
			goto out;
	}
	if (!serialize(&t, &w.out, &w.scratch))
		res = td_buf_detach(&w.out, NULL);
out:
	work_release(&w);
	free(c);
	return res;
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
	if (n > 3 && !strncasecmp(k, "pk_", 3))
		return 1;
	for (int i = 0; exact[i]; i++)
		if (strlen(exact[i]) == n && !strncasecmp(k, exact[i], n))
			return 1;
	return 0;
}

char *td_url_canonical(const char *url)
{
	struct work w;
	struct url u;
	struct td_buf q;
	char *res = NULL;
	work_init(&w);
	td_buf_init(&q, TD_MAX_URL_BYTES);
	if (!url || normalize(&w, url, &u) || u.scheme == S_FTP)
		goto out;
	u.user = u.pass = view("", 0);
	u.has_frag = 0;
	/* a trailing dot names the same host */
	while (u.host.len > 1 && u.host.p[u.host.len - 1] == '.')
		u.host.len--;
	const char *p = u.query.p, *end = u.query.p + u.query.len;
	while (u.has_query && p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		size_t len = amp ? (size_t)(amp - p) : (size_t)(end - p);
		const char *eq = memchr(p, '=', len);
		size_t kn = eq ? (size_t)(eq - p) : len;
		if (len && !tracking_param(p, kn)) {
			if (q.len)
				td_buf_putc(&q, '&');
			td_buf_append(&q, p, len);
		}
		p += len + (amp != NULL);
	}
	if (td_buf_err(&q))
		goto out;
	u.has_query = q.len > 0;
	u.query = view(td_buf_cstr(&q), q.len);
	if (!serialize(&u, &w.out, &w.scratch))
		res = td_buf_detach(&w.out, NULL);
out:
	td_buf_release(&q);
	work_release(&w);
	return res;
}

char *td_url_host(const char *url)
{
	struct work w;
	struct url u;
	char *res = NULL;
	work_init(&w);
	if (url && !normalize(&w, url, &u) && u.host.len)
		res = td_strndup(u.host.p, u.host.len);
	work_release(&w);
	return res;
}

int td_url_is_http(const char *url)
{
	return url && (td_istarts(url, "http://") || td_istarts(url, "https://"));
}

/* Append p with what a file URL path cannot hold as is percent-encoded. */
static void put_file_path(struct td_buf *b, const char *p)
{
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= 0x20 || c >= 0x7f || strchr("%#?\\", c))
			put_pct(b, c);
		else
			td_buf_putc(b, c);
	}
}

char *td_url_from_path(const char *path)
{
	struct td_buf b;
	char cwd[PATH_MAX];
	if (!path)
		return NULL;
	td_buf_init(&b, TD_MAX_URL_BYTES);
	td_buf_puts(&b, "file://");
	if (path[0] != '/') {
		if (!getcwd(cwd, sizeof cwd)) {
			td_buf_release(&b);
			return NULL;
		}
		put_file_path(&b, cwd);
		td_buf_putc(&b, '/');
	}
	put_file_path(&b, path);
	char *raw = td_buf_detach(&b, NULL);
	if (!raw)
		return NULL;
	char *r = td_url_resolve(NULL, raw); /* removes dot segments */
	free(raw);
	return r;
}

char *td_url_to_path(const char *url)
{
	struct work w;
	struct url u;
	char *res = NULL;
	work_init(&w);
	if (!url || normalize(&w, url, &u) || u.scheme != S_FILE || u.host.len)
		goto out;
	struct td_buf *d = &w.path;
	for (size_t i = 0; i < u.path.len; i++) {
		int hi, lo;
		char c = u.path.p[i];
		if (c == '%' && i + 2 < u.path.len &&
		    (hi = hexval(u.path.p[i + 1])) >= 0 &&
		    (lo = hexval(u.path.p[i + 2])) >= 0) {
			c = (char)(hi << 4 | lo);
			i += 2;
			if (!c)
				goto out; /* a NUL would cut the path */
		}
		td_buf_putc(d, c);
	}
	if (!td_buf_err(d))
		res = td_buf_detach(d, NULL);
out:
	work_release(&w);
	return res;
}
