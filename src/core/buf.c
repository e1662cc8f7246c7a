#include "core/buf.h"

#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF_NOLIMIT (SIZE_MAX / 2)

void td_buf_init(struct td_buf *b, size_t max)
{
	b->p = NULL;
	b->len = b->cap = 0;
	b->max = max ? max : BUF_NOLIMIT;
	b->err = 0;
}

void td_buf_release(struct td_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->err = 0;
}

void td_buf_reset(struct td_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
	b->err = 0;
}

char *td_buf_detach(struct td_buf *b, size_t *len)
{
	if (b->err) {
		td_buf_release(b);
		return NULL;
	}
	char *p = b->p;
	if (!p) {
		p = malloc(1);
		if (!p)
			return NULL;
		p[0] = '\0';
	}
	if (len)
		*len = b->len;
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

int td_buf_reserve(struct td_buf *b, size_t n)
{
	if (b->err)
		return b->err;
	if (!b->max)
		b->max = BUF_NOLIMIT;
	if (n > b->max || b->len > b->max - n)
		return b->err = TD_ETOOBIG;
	size_t need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	char *p = realloc(b->p, cap);
	if (!p)
		return b->err = TD_ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

int td_buf_append(struct td_buf *b, const void *p, size_t n)
{
	if (td_buf_reserve(b, n))
		return b->err;
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int td_buf_puts(struct td_buf *b, const char *s)
{
	return td_buf_append(b, s, strlen(s));
}

int td_buf_putc(struct td_buf *b, int c)
{
	char ch = (char)c;
	return td_buf_append(b, &ch, 1);
}

int td_buf_vprintf(struct td_buf *b, const char *fmt, va_list ap)
{
	if (b->err)
		return b->err;
	va_list ap2;
	va_copy(ap2, ap);
	char small[256];
	int n = vsnprintf(small, sizeof small, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return b->err = TD_EINVAL;
	if ((size_t)n < sizeof small)
		return td_buf_append(b, small, (size_t)n);
	if (td_buf_reserve(b, (size_t)n))
		return b->err;
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int td_buf_printf(struct td_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = td_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

int td_buf_put_utf8(struct td_buf *b, uint32_t cp)
{
	char s[4];
	size_t n;
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		s[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		s[0] = (char)(0xC0 | (cp >> 6));
		s[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		s[0] = (char)(0xE0 | (cp >> 12));
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		s[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		s[0] = (char)(0xF0 | (cp >> 18));
		s[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		s[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		s[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return td_buf_append(b, s, n);
}

void td_buf_truncate(struct td_buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->p[len] = '\0';
	}
}
