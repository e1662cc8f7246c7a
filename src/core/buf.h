/*
 * buf.h - owned growable byte buffers and borrowed string views.
 *
 * struct td_buf is always NUL-terminated and has a ceiling chosen at init.
 * After a failed append (out of memory or over the ceiling) the buffer is in
 * error: further appends are no-ops and td_buf_err() reports the first
 * failure, so a long render checks once at the end.
 */
#ifndef TD_BUF_H
#define TD_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct td_str {
	const char *p;
	size_t len;
};

#define TD_STR(lit) ((struct td_str){ (lit), sizeof(lit) - 1 })

struct td_buf {
	char *p;    /* NUL-terminated when cap > 0; NULL before first append */
	size_t len; /* bytes used, excluding the NUL */
	size_t cap; /* bytes allocated */
	size_t max; /* ceiling on len; 0 means SIZE_MAX/2 */
	int err;    /* 0 or first TD_E* failure (sticky) */
};

/* Initialise an empty buffer whose length may not exceed max (0: no limit). */
void td_buf_init(struct td_buf *b, size_t max);
/* Free the memory; the buffer is left empty and reusable. */
void td_buf_release(struct td_buf *b);
/* Empty the buffer (keeps memory) and clear the error. */
void td_buf_reset(struct td_buf *b);
/* Hand the bytes out: returns a malloc'd NUL-terminated string (never NULL
 * unless out of memory, "" for an empty buffer) and empties the buffer.
 * Returns NULL if the buffer is in error. */
char *td_buf_detach(struct td_buf *b, size_t *len);

/* Ensure room for n more bytes; 0 or TD_ENOMEM/TD_ETOOBIG (sticky). */
int td_buf_reserve(struct td_buf *b, size_t n);
int td_buf_append(struct td_buf *b, const void *p, size_t n);
int td_buf_puts(struct td_buf *b, const char *s);
int td_buf_putc(struct td_buf *b, int c);
int td_buf_printf(struct td_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int td_buf_vprintf(struct td_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Append a code point as UTF-8 (invalid ones become U+FFFD). */
int td_buf_put_utf8(struct td_buf *b, uint32_t cp);
/* Shorten to len (<= current len). */
void td_buf_truncate(struct td_buf *b, size_t len);
/* First failure or 0. */
static inline int td_buf_err(const struct td_buf *b) { return b->err; }
/* Contents as a C string; "" when empty. Borrowed until the next append. */
static inline const char *td_buf_cstr(const struct td_buf *b)
{
	return b->p ? b->p : "";
}

/* ---- small string helpers (str.c) ---- */

/* strdup that returns NULL for NULL. */
char *td_strdup(const char *s);
char *td_strndup(const char *s, size_t n);
/* ASCII case-insensitive compare of a view against a C string. */
int td_str_ieq(struct td_str a, const char *b);
/* Trim ASCII whitespace from both ends of a view. */
struct td_str td_str_trim(struct td_str s);
/* Trim in place (moves bytes), returns s. */
char *td_trim_inplace(char *s);
/* Collapse runs of whitespace to one space and trim; in place. */
char *td_collapse_ws(char *s);
/* 1 if s starts with prefix (case-insensitive ASCII). */
int td_istarts(const char *s, const char *prefix);
/* Parse a decimal integer with overflow check; whole string must match
 * (surrounding whitespace allowed). 0 on success, TD_EINVAL otherwise. */
int td_parse_i64(const char *s, int64_t *out);
/* Overflow-checked size arithmetic: 0 on success, TD_ETOOBIG on overflow. */
int td_size_add(size_t a, size_t b, size_t *out);
int td_size_mul(size_t a, size_t b, size_t *out);

/* Make s valid UTF-8: invalid sequences become U+FFFD, NUL bytes and C0
 * controls other than \t \n \r are dropped. Returns a new string or NULL on
 * OOM. */
char *td_utf8_clean(const char *s, size_t len, size_t *outlen);
/* 1 if the bytes are valid UTF-8 (no overlongs or surrogates). */
int td_utf8_valid(const char *s, size_t len);
/* Truncate at most max bytes without splitting a UTF-8 sequence. */
size_t td_utf8_cut(const char *s, size_t len, size_t max);

/* Read a whole file (or stdin when path is "-") up to max bytes.
 * Returns 0, TD_EIO (err filled with strerror) or TD_ETOOBIG. */
struct td_error;
int td_read_file(const char *path, size_t max, char **out, size_t *len,
		 struct td_error *err);

#endif
