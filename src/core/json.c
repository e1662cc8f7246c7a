#include "core/json.h"

#include "core/buf.h"
#include "core/err.h"

#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

void td_json_init(struct td_json *j, struct td_buf *out, int indent)
{
	memset(j, 0, sizeof *j);
	j->out = out;
	j->indent = indent;
}

void td_json_set_sink(struct td_json *j, td_json_sink_fn sink, void *ud,
		      size_t flush_at)
{
	j->sink = sink;
	j->sink_ud = ud;
	j->flush_at = flush_at;
}

int td_json_flush(struct td_json *j, int force)
{
	struct td_buf *b = j->out;
	if (td_buf_err(b))
		return td_buf_err(b);
	if (!j->sink || j->sink_err)
		return j->sink_err;
	if (b->len && (force || b->len >= j->flush_at)) {
		j->sink_err = j->sink(j->sink_ud, b->p, b->len);
		td_buf_truncate(b, 0);
	}
	return j->sink_err;
}

/* Separator and indentation before a value or key at the current level:
 * ",\n" and depth * indent spaces, written in one go. */
static void before(struct td_json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->depth == 0)
		return;
	int comma = j->has_items[j->depth];
	j->has_items[j->depth] = 1;
	size_t sp = j->indent ? (size_t)j->depth * (size_t)j->indent : 0;
	size_t n = (size_t)comma + (j->indent ? 1 + sp : 0);
	if (!n || td_buf_reserve(j->out, n))
		return;
	char *w = j->out->p + j->out->len;
	if (comma)
		*w++ = ',';
	if (j->indent) {
		*w++ = '\n';
		memset(w, ' ', sp);
		w += sp;
	}
	*w = '\0';
	j->out->len += n;
}

/* A newline and indentation (closing a non-empty object or array). */
static void newline(struct td_json *j)
{
	if (!j->indent)
		return;
	size_t sp = (size_t)j->depth * (size_t)j->indent;
	if (td_buf_reserve(j->out, 1 + sp))
		return;
	char *w = j->out->p + j->out->len;
	*w++ = '\n';
	memset(w, ' ', sp);
	w[sp] = '\0';
	j->out->len += 1 + sp;
}

static void open(struct td_json *j, char c)
{
	before(j);
	td_buf_putc(j->out, c);
	if (j->depth + 1 < TD_JSON_MAX_DEPTH)
		j->depth++;
	j->has_items[j->depth] = 0;
}

static void close_(struct td_json *j, char c)
{
	int had = j->has_items[j->depth];
	if (j->depth > 0)
		j->depth--;
	if (had)
		newline(j);
	td_buf_putc(j->out, c);
}

void td_json_obj_begin(struct td_json *j) { open(j, '{'); }
void td_json_obj_end(struct td_json *j) { close_(j, '}'); }
void td_json_arr_begin(struct td_json *j) { open(j, '['); }
void td_json_arr_end(struct td_json *j) { close_(j, ']'); }

/* Bytes a JSON string cannot hold as they are: '"', '\\' and controls. */
static int needs_escape(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

/* Offset of the first byte of s[0..len) that needs escaping, or len.
 * Sixteen bytes at a time with SSE2, then eight: the lowest flagged byte of
 * the masks below is always a real match (borrows only run upwards from
 * one), so ctz finds it. */
static size_t safe_run(const char *s, size_t len)
{
	size_t i = 0;
#ifdef __SSE2__
	const __m128i vq = _mm_set1_epi8('"'), vb = _mm_set1_epi8('\\');
	const __m128i c1f = _mm_set1_epi8(0x1F);
	for (; i + 16 <= len; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(s + i));
		__m128i m = _mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(v, vq), _mm_cmpeq_epi8(v, vb)),
			_mm_cmpeq_epi8(_mm_max_epu8(v, c1f), c1f));
		int bits = _mm_movemask_epi8(m);
		if (bits)
			return i + (size_t)__builtin_ctz((unsigned)bits);
	}
#endif
#if defined(__GNUC__) && defined(__BYTE_ORDER__) &&                            \
	__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t ones = 0x0101010101010101ull;
	const uint64_t high = 0x8080808080808080ull;
	for (; i + 8 <= len; i += 8) {
		uint64_t v;
		memcpy(&v, s + i, 8);
		uint64_t q = v ^ (ones * '"'), b = v ^ (ones * '\\');
		uint64_t m = ((v - ones * 0x20) & ~v) | ((q - ones) & ~q) |
			     ((b - ones) & ~b);
		m &= high;
		if (m)
			return i + ((size_t)__builtin_ctzll(m) >> 3);
	}
#endif
	while (i < len && !needs_escape((unsigned char)s[i]))
		i++;
	return i;
}

void td_json_escape(struct td_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	/* written in place: room for the string as it is first, and more
	 * before each escape (an escape adds at most 5 bytes) */
	if (td_buf_reserve(b, len + 2))
		return;
	char *w = b->p + b->len;
	*w++ = '"';
	size_t i = 0;
	for (;;) {
		size_t k = safe_run(s + i, len - i);
		memcpy(w, s + i, k);
		w += k;
		i += k;
		if (i >= len)
			break;
		*w = '\0';
		b->len = (size_t)(w - b->p);
		if (td_buf_reserve(b, 6 + (len - i)))
			return;
		w = b->p + b->len;
		unsigned char c = (unsigned char)s[i++];
		char e = 0;
		switch (c) {
		case '"': e = '"'; break;
		case '\\': e = '\\'; break;
		case '\b': e = 'b'; break;
		case '\f': e = 'f'; break;
		case '\n': e = 'n'; break;
		case '\r': e = 'r'; break;
		case '\t': e = 't'; break;
		}
		*w++ = '\\';
		if (e) {
			*w++ = e;
		} else {
			memcpy(w, "u00", 3);
			w[3] = hex[c >> 4];
			w[4] = hex[c & 15];
			w += 5;
		}
	}
	*w++ = '"';
	*w = '\0';
	b->len = (size_t)(w - b->p);
}

void td_json_key(struct td_json *j, const char *key)
{
	before(j);
	size_t len = strlen(key), sep = j->indent ? 2 : 1;
	if (safe_run(key, len) == len) {
		/* the usual key: nothing to escape, written at once */
		if (td_buf_reserve(j->out, len + 2 + sep))
			return;
		char *w = j->out->p + j->out->len;
		*w++ = '"';
		memcpy(w, key, len);
		w += len;
		*w++ = '"';
		memcpy(w, ": ", sep);
		w[sep] = '\0';
		j->out->len += len + 2 + sep;
	} else {
		td_json_escape(j->out, key, len);
		td_buf_append(j->out, ": ", sep);
	}
	j->after_key = 1;
}

void td_json_strn(struct td_json *j, const char *s, size_t len)
{
	before(j);
	td_json_escape(j->out, s, len);
}

void td_json_textn(struct td_json *j, const char *s, size_t len)
{
	if (!s) {
		td_json_null(j);
		return;
	}
	if (td_utf8_valid(s, len)) {
		td_json_strn(j, s, len);
		return;
	}
	size_t m = 0;
	char *c = td_utf8_clean(s, len, &m);
	if (!c) {
		if (!j->out->err)
			j->out->err = TD_ENOMEM;
		td_json_null(j); /* keep the document's shape */
		return;
	}
	td_json_strn(j, c, m);
	free(c);
}

void td_json_text(struct td_json *j, const char *s)
{
	td_json_textn(j, s, s ? strlen(s) : 0);
}

void td_json_str(struct td_json *j, const char *s)
{
	if (!s) {
		td_json_null(j);
		return;
	}
	td_json_strn(j, s, strlen(s));
}

void td_json_int(struct td_json *j, int64_t v)
{
	before(j);
	td_buf_printf(j->out, "%lld", (long long)v);
}

void td_json_bool(struct td_json *j, int v)
{
	before(j);
	td_buf_puts(j->out, v ? "true" : "false");
}

void td_json_null(struct td_json *j)
{
	before(j);
	td_buf_puts(j->out, "null");
}

void td_json_kstr(struct td_json *j, const char *key, const char *s)
{
	if (s && *s) {
		td_json_key(j, key);
		td_json_str(j, s);
	}
}
