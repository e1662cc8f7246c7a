#include "core/buf.h"
#include "core/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *td_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

char *td_strndup(const char *s, size_t n)
{
	if (!s)
		return NULL;
	char *p = malloc(n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

int td_str_ieq(struct td_str a, const char *b)
{
	size_t n = strlen(b);
	if (n != a.len)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)a.p[i]) != lower((unsigned char)b[i]))
			return 0;
	return 1;
}

struct td_str td_str_trim(struct td_str s)
{
	while (s.len && is_space((unsigned char)s.p[0])) {
		s.p++;
		s.len--;
	}
	while (s.len && is_space((unsigned char)s.p[s.len - 1]))
		s.len--;
	return s;
}

char *td_trim_inplace(char *s)
{
	if (!s)
		return s;
	struct td_str t = td_str_trim((struct td_str){ s, strlen(s) });
	memmove(s, t.p, t.len);
	s[t.len] = '\0';
	return s;
}

char *td_collapse_ws(char *s)
{
	if (!s)
		return s;
	char *w = s;
	int sp = 0;
	for (char *r = s; *r; r++) {
		if (is_space((unsigned char)*r)) {
			sp = 1;
			continue;
		}
		if (sp && w != s)
			*w++ = ' ';
		sp = 0;
		*w++ = *r;
	}
	*w = '\0';
	return s;
}

int td_istarts(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (lower((unsigned char)*s) != lower((unsigned char)*prefix))
			return 0;
	return 1;
}

int td_parse_i64(const char *s, int64_t *out)
{
	if (!s)
		return TD_EINVAL;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end == s || errno)
		return TD_EINVAL;
	while (is_space((unsigned char)*end))
		end++;
	if (*end)
		return TD_EINVAL;
	*out = v;
	return 0;
}

int td_size_add(size_t a, size_t b, size_t *out)
{
	if (a > SIZE_MAX - b)
		return TD_ETOOBIG;
	*out = a + b;
	return 0;
}

int td_size_mul(size_t a, size_t b, size_t *out)
{
	if (a && b > SIZE_MAX / a)
		return TD_ETOOBIG;
	*out = a * b;
	return 0;
}

/* Decode one UTF-8 sequence at s (len > 0). Returns its length and sets *cp,
 * or returns 0 for an invalid sequence. */
static size_t utf8_dec(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t n;
	uint32_t v, min;
	if ((c & 0xE0) == 0xC0) {
		n = 2;
		v = c & 0x1F;
		min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		n = 3;
		v = c & 0x0F;
		min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		n = 4;
		v = c & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return n;
}

int td_utf8_valid(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = utf8_dec(u + i, len - i, &cp);
		if (!n)
			return 0;
		i += n;
	}
	return 1;
}

char *td_utf8_clean(const char *s, size_t len, size_t *outlen)
{
	struct td_buf b;
	td_buf_init(&b, 0);
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = utf8_dec(u + i, len - i, &cp);
		if (n && (cp >= 0x20 || cp == '\t' || cp == '\n' || cp == '\r') &&
		    cp != 0x7F) {
			i += n;
			continue;
		}
		/* flush the valid run, then handle the bad byte(s) */
		td_buf_append(&b, s + run, i - run);
		if (!n) {
			td_buf_put_utf8(&b, 0xFFFD);
			i++;
			/* skip continuation bytes of the broken sequence */
			while (i < len && (u[i] & 0xC0) == 0x80)
				i++;
		} else {
			i += n; /* dropped control character */
		}
		run = i;
	}
	td_buf_append(&b, s + run, i - run);
	return td_buf_detach(&b, outlen);
}

size_t td_utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	size_t n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

int td_read_file(const char *path, size_t max, char **out, size_t *len,
		 struct td_error *err)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f)
		return td_error_set(err, TD_EIO, "%s: %s", path, strerror(errno));
	struct td_buf b;
	td_buf_init(&b, max);
	char chunk[65536];
	size_t n;
	int rc = 0;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (td_buf_append(&b, chunk, n)) {
			rc = td_buf_err(&b);
			td_error_set(err, rc, "%s: larger than %zu bytes", path,
				     max);
			break;
		}
	}
	if (!rc && ferror(f))
		rc = td_error_set(err, TD_EIO, "%s: %s", path, strerror(errno));
	if (f != stdin)
		fclose(f);
	if (rc) {
		td_buf_release(&b);
		return rc;
	}
	*out = td_buf_detach(&b, len);
	return *out ? 0 : td_error_set(err, TD_ENOMEM, "out of memory");
}
