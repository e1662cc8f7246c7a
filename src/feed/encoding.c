/*
 * encoding.c - bring an XML feed to UTF-8 (feed_to_utf8, feed_utf8_prepare).
 *
 * Precedence, as browsers and feed readers do it:
 *   1. a byte order mark (UTF-8, UTF-16LE/BE, UTF-32LE/BE), or the zero-byte
 *      patterns of a BOM-less UTF-16/32 "<?xml" (XML 1.0 appendix F);
 *   2. the charset from the HTTP Content-Type header;
 *   3. the encoding in the XML declaration;
 *   4. UTF-8 when the bytes are valid UTF-8, else windows-1252.
 * Labels are mapped the WHATWG way where it matters: ISO-8859-1, latin1 and
 * US-ASCII decode as windows-1252 (us-ascii with valid UTF-8 bytes is taken
 * as UTF-8, the declaration being obviously wrong), gb2312/gbk as GB18030,
 * shift_jis as CP932, euc-kr as CP949. A UTF-8 label on bytes that are mostly
 * not UTF-8 (more invalid sequences than valid multibyte ones) falls back to
 * windows-1252 with a warning. UTF-8, UTF-16/32 and windows-1252 are decoded
 * here; everything else through glibc iconv. Invalid sequences become
 * U+FFFD. The encoding pseudo-attribute of a converted document's XML
 * declaration is blanked out (overwritten with spaces, in place), so an XML
 * parser sees a plain UTF-8 document.
 */
#include "feed/feed.h"
#include "feed/feed_int.h"

#include "core/buf.h"
#include "core/err.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

enum kind {
	K_NONE,
	K_UTF8,
	K_ASCII, /* us-ascii label: UTF-8 if valid, else windows-1252 */
	K_CP1252,
	K_UTF16, /* label without byte order: needs a BOM or zero pattern */
	K_UTF16LE,
	K_UTF16BE,
	K_UTF32,
	K_UTF32LE,
	K_UTF32BE,
	K_ICONV,
};

/* Strings held in place rather than pointed to: a table of pointers is
 * relocated (written) at every process start. */
struct alias {
	char label[20];
	char name[20]; /* iconv name and the name reported in *used */
	enum kind kind;
};

/* Labels are compared after lower-casing and dropping '-', '_', ' ', '.'
 * and ':' so "ISO_8859-1", "iso8859-1" and "ISO 8859 1" all match. */
static const struct alias aliases[] = {
	{ "utf8", "UTF-8", K_UTF8 },
	{ "unicode11utf8", "UTF-8", K_UTF8 },
	{ "xunicode20utf8", "UTF-8", K_UTF8 },
	{ "usascii", "US-ASCII", K_ASCII },
	{ "ascii", "US-ASCII", K_ASCII },
	{ "ansix3.41968", "US-ASCII", K_ASCII },
	{ "ansix341968", "US-ASCII", K_ASCII },
	{ "iso646us", "US-ASCII", K_ASCII },
	{ "us", "US-ASCII", K_ASCII },
	{ "cp367", "US-ASCII", K_ASCII },
	{ "ibm367", "US-ASCII", K_ASCII },
	{ "iso88591", "windows-1252", K_CP1252 },
	{ "iso885911987", "windows-1252", K_CP1252 },
	{ "latin1", "windows-1252", K_CP1252 },
	{ "l1", "windows-1252", K_CP1252 },
	{ "cp819", "windows-1252", K_CP1252 },
	{ "ibm819", "windows-1252", K_CP1252 },
	{ "isoir100", "windows-1252", K_CP1252 },
	{ "csisolatin1", "windows-1252", K_CP1252 },
	{ "windows1252", "windows-1252", K_CP1252 },
	{ "cp1252", "windows-1252", K_CP1252 },
	{ "xcp1252", "windows-1252", K_CP1252 },
	{ "utf16", "UTF-16", K_UTF16 },
	{ "ucs2", "UTF-16", K_UTF16 },
	{ "iso10646ucs2", "UTF-16", K_UTF16 },
	{ "unicode", "UTF-16", K_UTF16 },
	{ "utf16le", "UTF-16LE", K_UTF16LE },
	{ "utf16be", "UTF-16BE", K_UTF16BE },
	{ "utf32", "UTF-32", K_UTF32 },
	{ "ucs4", "UTF-32", K_UTF32 },
	{ "utf32le", "UTF-32LE", K_UTF32LE },
	{ "utf32be", "UTF-32BE", K_UTF32BE },
	{ "gb2312", "GB18030", K_ICONV },
	{ "gbk", "GB18030", K_ICONV },
	{ "xgbk", "GB18030", K_ICONV },
	{ "cp936", "GB18030", K_ICONV },
	{ "euccn", "GB18030", K_ICONV },
	{ "csgb2312", "GB18030", K_ICONV },
	{ "chinese", "GB18030", K_ICONV },
	{ "gb18030", "GB18030", K_ICONV },
	{ "big5", "BIG5-HKSCS", K_ICONV },
	{ "big5hkscs", "BIG5-HKSCS", K_ICONV },
	{ "cnbig5", "BIG5-HKSCS", K_ICONV },
	{ "xxbig5", "BIG5-HKSCS", K_ICONV },
	{ "shiftjis", "CP932", K_ICONV },
	{ "sjis", "CP932", K_ICONV },
	{ "xsjis", "CP932", K_ICONV },
	{ "mskanji", "CP932", K_ICONV },
	{ "csshiftjis", "CP932", K_ICONV },
	{ "windows31j", "CP932", K_ICONV },
	{ "ms932", "CP932", K_ICONV },
	{ "cp932", "CP932", K_ICONV },
	{ "eucjp", "EUC-JP", K_ICONV },
	{ "iso2022jp", "ISO-2022-JP", K_ICONV },
	{ "euckr", "CP949", K_ICONV },
	{ "ksc56011987", "CP949", K_ICONV },
	{ "korean", "CP949", K_ICONV },
	{ "windows949", "CP949", K_ICONV },
	{ "cp949", "CP949", K_ICONV },
	{ "iso88599", "WINDOWS-1254", K_ICONV },
	{ "latin5", "WINDOWS-1254", K_ICONV },
	{ "windows1254", "WINDOWS-1254", K_ICONV },
	{ "tis620", "CP874", K_ICONV },
	{ "iso885911", "CP874", K_ICONV },
	{ "windows874", "CP874", K_ICONV },
	{ "macintosh", "MACINTOSH", K_ICONV },
	{ "mac", "MACINTOSH", K_ICONV },
	{ "xmacroman", "MACINTOSH", K_ICONV },
	{ "koi8r", "KOI8-R", K_ICONV },
	{ "koi8u", "KOI8-U", K_ICONV },
	{ "koi8", "KOI8-R", K_ICONV },
	/* names Python and old feeds use that iconv spells otherwise */
	{ "macroman", "MACINTOSH", K_ICONV },
	{ "maciceland", "MAC-IS", K_ICONV },
	{ "maclatin2", "MAC-CENTRALEUROPE", K_ICONV },
	{ "maccentraleurope", "MAC-CENTRALEUROPE", K_ICONV },
	{ "xmacce", "MAC-CENTRALEUROPE", K_ICONV },
	{ "cpis", "IBM861", K_ICONV },
	{ "csibm861", "IBM861", K_ICONV },
	{ "ibm039", "IBM037", K_ICONV },
	{ "iso88592", "ISO-8859-2", K_ICONV },
	{ "iso88593", "ISO-8859-3", K_ICONV },
	{ "iso88594", "ISO-8859-4", K_ICONV },
	{ "iso88595", "ISO-8859-5", K_ICONV },
	{ "iso88596", "ISO-8859-6", K_ICONV },
	{ "iso88597", "ISO-8859-7", K_ICONV },
	{ "iso88598", "ISO-8859-8", K_ICONV },
	{ "iso88598i", "ISO-8859-8", K_ICONV },
	{ "iso885910", "ISO-8859-10", K_ICONV },
	{ "iso885913", "ISO-8859-13", K_ICONV },
	{ "iso885914", "ISO-8859-14", K_ICONV },
	{ "iso885915", "ISO-8859-15", K_ICONV },
	{ "latin9", "ISO-8859-15", K_ICONV },
	{ "iso885916", "ISO-8859-16", K_ICONV },
	{ "windows1250", "WINDOWS-1250", K_ICONV },
	{ "cp1250", "WINDOWS-1250", K_ICONV },
	{ "windows1251", "WINDOWS-1251", K_ICONV },
	{ "cp1251", "WINDOWS-1251", K_ICONV },
	{ "windows1253", "WINDOWS-1253", K_ICONV },
	{ "cp1253", "WINDOWS-1253", K_ICONV },
	{ "windows1255", "WINDOWS-1255", K_ICONV },
	{ "cp1255", "WINDOWS-1255", K_ICONV },
	{ "windows1256", "WINDOWS-1256", K_ICONV },
	{ "cp1256", "WINDOWS-1256", K_ICONV },
	{ "windows1257", "WINDOWS-1257", K_ICONV },
	{ "cp1257", "WINDOWS-1257", K_ICONV },
	{ "windows1258", "WINDOWS-1258", K_ICONV },
	{ "cp1258", "WINDOWS-1258", K_ICONV },
	{ "ibm866", "IBM866", K_ICONV },
	{ "cp866", "IBM866", K_ICONV },
	{ "viscii", "VISCII", K_ICONV },
};

/* Lower-cased label without separators; 0 when the label has characters no
 * charset name uses or is too long. */
static int squash_label(const char *s, size_t n, char out[48])
{
	size_t w = 0;
	struct td_str t = td_str_trim((struct td_str){ s, n });
	if (!t.len || t.len >= 48)
		return 0;
	for (size_t i = 0; i < t.len; i++) {
		unsigned char c = (unsigned char)t.p[i];
		if (c >= 'A' && c <= 'Z')
			out[w++] = (char)(c + 32);
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			out[w++] = (char)c;
		else if (c == '-' || c == '_' || c == ' ' || c == ':' ||
			 c == '.')
			continue;
		else
			return 0;
	}
	out[w] = '\0';
	return w > 0;
}

/* Map a charset label to a kind and a static name. For labels not in the
 * table that iconv accepts, the kind is K_ICONV and *ic_name the label
 * itself copied into icbuf. Returns K_NONE for unusable labels. */
static enum kind label_kind(const char *s, size_t n, const char **name,
			    char icbuf[48])
{
	char sq[48];
	if (!squash_label(s, n, sq))
		return K_NONE;
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
		if (!strcmp(sq, aliases[i].label)) {
			*name = aliases[i].name;
			return aliases[i].kind;
		}
	/* not in the table: let iconv decide on the label as written */
	struct td_str t = td_str_trim((struct td_str){ s, n });
	if (t.len >= 48)
		return K_NONE;
	for (size_t i = 0; i < t.len; i++) {
		char c = t.p[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.' || c == ':'))
			return K_NONE;
		icbuf[i] = c;
	}
	icbuf[t.len] = '\0';
	iconv_t cd = iconv_open("UTF-8", icbuf);
	if (cd == (iconv_t)-1 && strchr(icbuf, '_')) {
		/* "ebcdic_cp_be", "koi8_r": iconv wants hyphens */
		for (char *c = icbuf; *c; c++)
			if (*c == '_')
				*c = '-';
		cd = iconv_open("UTF-8", icbuf);
	}
	if (cd == (iconv_t)-1)
		return K_NONE;
	iconv_close(cd);
	*name = NULL; /* caller uses icbuf */
	return K_ICONV;
}

/* ---- UTF-8 validation ---------------------------------------------------- */

/* Length of the valid UTF-8 sequence at u[0] (non-ASCII lead), or 0. */
static size_t utf8_seq(const unsigned char *u, size_t n)
{
	unsigned c = u[0];
	if (c >= 0xC2 && c <= 0xDF)
		return n >= 2 && (u[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (u[1] & 0xC0) != 0x80 || (u[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && u[1] < 0xA0)
			return 0; /* overlong */
		if (c == 0xED && u[1] >= 0xA0)
			return 0; /* surrogate */
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (u[1] & 0xC0) != 0x80 || (u[2] & 0xC0) != 0x80 ||
		    (u[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && u[1] < 0x90)
			return 0;
		if (c == 0xF4 && u[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

/* Count valid multibyte sequences and invalid bytes; stops early once the
 * answer to "valid?" is known when stop_at_invalid is set. */
static void utf8_scan(const char *s, size_t len, size_t *n_multi,
		      size_t *n_bad, int stop_at_invalid)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, multi = 0, bad = 0;
	while (i < len) {
		/* ASCII fast path, eight bytes at a time */
		while (i + 8 <= len) {
			uint64_t v;
			memcpy(&v, u + i, 8);
			if (v & 0x8080808080808080ull)
				break;
			i += 8;
		}
		if (i >= len)
			break;
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		size_t n = utf8_seq(u + i, len - i);
		if (n) {
			multi++;
			i += n;
		} else {
			bad++;
			if (stop_at_invalid)
				break;
			i++;
		}
	}
	*n_multi = multi;
	*n_bad = bad;
}

/* ---- bulk validation ------------------------------------------------------
 *
 * Whether a whole document is valid UTF-8 is asked of every feed, so it is
 * answered sixteen bytes at a time where the CPU has SSSE3 (asked of glibc,
 * which read the CPU at start-up): blocks of ASCII are skipped, others are
 * checked with three 16-entry table lookups per byte pair, after the method
 * of Keiser and Lemire, "Validating UTF-8 In Less Than One Instruction Per
 * Byte" (2021). Each lookup gives a set of error kinds the pair could be;
 * a pair is wrong when all three agree on one. The same rules as utf8_seq:
 * no overlong forms, no surrogates, nothing above U+10FFFF, nothing cut
 * short. The scalar utf8_scan answers elsewhere and is the reference the
 * unit tests hold this to.
 */
#if defined(__x86_64__) && defined(__GNUC__) && __has_include(<sys/platform/x86.h>)
#include <sys/platform/x86.h>
#include <tmmintrin.h>
#define HAVE_UTF8_SSSE3 1

/* Error kinds of a byte pair (first byte, second byte). */
#define E_SHORT 0x01    /* a lead not followed by a continuation */
#define E_LONG 0x02     /* ASCII followed by a continuation */
#define E_OVER3 0x04    /* E0 80..9F */
#define E_LARGE 0x08    /* F4 90..BF, F5..FF 90..BF */
#define E_SURR 0x10     /* ED A0..BF */
#define E_OVER2 0x20    /* C0..C1 continuation */
#define E_LARGE1000 0x40 /* F5..FF 80..8F */
#define E_OVER4 0x40    /* F0 80..8F */
#define E_TWOCONT 0x80  /* two continuations (fine in a 3/4-byte form) */
#define E_CARRY (E_SHORT | E_LONG | E_TWOCONT)

__attribute__((target("ssse3"), always_inline)) static inline __m128i
utf8_pairs(__m128i in, __m128i prev1)
{
	const __m128i nib = _mm_set1_epi8(0x0F);
	/* by the first byte's high nibble */
	const __m128i t1 = _mm_setr_epi8(
		E_LONG, E_LONG, E_LONG, E_LONG, E_LONG, E_LONG, E_LONG, E_LONG,
		(char)E_TWOCONT, (char)E_TWOCONT, (char)E_TWOCONT,
		(char)E_TWOCONT, E_SHORT | E_OVER2, E_SHORT,
		E_SHORT | E_OVER3 | E_SURR,
		E_SHORT | E_LARGE | E_LARGE1000 | E_OVER4);
	/* by the first byte's low nibble */
	const __m128i t2 = _mm_setr_epi8(
		(char)(E_CARRY | E_OVER3 | E_OVER2 | E_OVER4),
		(char)(E_CARRY | E_OVER2), (char)E_CARRY, (char)E_CARRY,
		(char)(E_CARRY | E_LARGE),
		(char)(E_CARRY | E_LARGE | E_LARGE1000),
		(char)(E_CARRY | E_LARGE | E_LARGE1000),
		(char)(E_CARRY | E_LARGE | E_LARGE1000),
		(char)(E_CARRY | E_LARGE | E_LARGE1000),
		(char)(E_CARRY | E_LARGE | E_LARGE1000),
		(char)(E_CARRY | E_LARGE | E_LARGE1000),
		(char)(E_CARRY | E_LARGE | E_LARGE1000),
		(char)(E_CARRY | E_LARGE | E_LARGE1000),
		(char)(E_CARRY | E_LARGE | E_LARGE1000 | E_SURR),
		(char)(E_CARRY | E_LARGE | E_LARGE1000),
		(char)(E_CARRY | E_LARGE | E_LARGE1000));
	/* by the second byte's high nibble */
	const __m128i t3 = _mm_setr_epi8(
		E_SHORT, E_SHORT, E_SHORT, E_SHORT, E_SHORT, E_SHORT, E_SHORT,
		E_SHORT,
		(char)(E_LONG | E_OVER2 | E_TWOCONT | E_OVER3 | E_LARGE1000 |
		       E_OVER4),
		(char)(E_LONG | E_OVER2 | E_TWOCONT | E_OVER3 | E_LARGE),
		(char)(E_LONG | E_OVER2 | E_TWOCONT | E_SURR | E_LARGE),
		(char)(E_LONG | E_OVER2 | E_TWOCONT | E_SURR | E_LARGE),
		E_SHORT, E_SHORT, E_SHORT, E_SHORT);
	__m128i a = _mm_shuffle_epi8(
		t1, _mm_and_si128(_mm_srli_epi16(prev1, 4), nib));
	__m128i b = _mm_shuffle_epi8(t2, _mm_and_si128(prev1, nib));
	__m128i c = _mm_shuffle_epi8(
		t3, _mm_and_si128(_mm_srli_epi16(in, 4), nib));
	return _mm_and_si128(_mm_and_si128(a, b), c);
}

/* State carried from one 16-byte block to the next. */
struct utf8_state {
	__m128i prev, err, incomplete;
};

__attribute__((target("ssse3"), always_inline)) static inline void
utf8_block(struct utf8_state *st, __m128i in)
{
	/* bytes that need more after them at the last three positions */
	const __m128i maxv = _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1,
					   -1, -1, -1, -1, (char)0xEF,
					   (char)0xDF, (char)0xBF);
	__m128i p1 = _mm_alignr_epi8(in, st->prev, 15);
	__m128i p2 = _mm_alignr_epi8(in, st->prev, 14);
	__m128i p3 = _mm_alignr_epi8(in, st->prev, 13);
	__m128i sc = utf8_pairs(in, p1);
	/* third and fourth bytes of 3- and 4-byte forms: where two
	 * continuations in a row are right */
	__m128i third = _mm_subs_epu8(p2, _mm_set1_epi8((char)(0xE0 - 1)));
	__m128i fourth = _mm_subs_epu8(p3, _mm_set1_epi8((char)(0xF0 - 1)));
	__m128i must = _mm_cmpgt_epi8(_mm_or_si128(third, fourth),
				      _mm_setzero_si128());
	must = _mm_and_si128(must, _mm_set1_epi8((char)0x80));
	st->err = _mm_or_si128(st->err, _mm_xor_si128(must, sc));
	st->incomplete = _mm_subs_epu8(in, maxv);
	st->prev = in;
}

/* 1 when s[0..len) is valid UTF-8. Runs of 64 ASCII bytes are skipped;
 * other 64-byte runs are checked without branches. */
__attribute__((target("ssse3"))) static int utf8_valid_ssse3(const char *s,
							    size_t len)
{
	struct utf8_state st = { _mm_setzero_si128(), _mm_setzero_si128(),
				 _mm_setzero_si128() };
	size_t i = 0;
	for (; i + 64 <= len; i += 64) {
		const __m128i *p = (const __m128i *)(s + i);
		__m128i a = _mm_loadu_si128(p), b = _mm_loadu_si128(p + 1);
		__m128i c = _mm_loadu_si128(p + 2), d = _mm_loadu_si128(p + 3);
		if (!_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b),
						    _mm_or_si128(c, d)))) {
			/* all ASCII: only what the last block left open */
			st.err = _mm_or_si128(st.err, st.incomplete);
			st.incomplete = _mm_setzero_si128();
			st.prev = d;
			continue;
		}
		utf8_block(&st, a);
		utf8_block(&st, b);
		utf8_block(&st, c);
		utf8_block(&st, d);
	}
	unsigned char tail[16];
	for (; i < len; i += 16) {
		size_t k = len - i < 16 ? len - i : 16;
		memset(tail, 0, sizeof tail); /* padding is ASCII */
		memcpy(tail, s + i, k);
		utf8_block(&st, _mm_loadu_si128((const __m128i *)tail));
	}
	__m128i err = _mm_or_si128(st.err, st.incomplete);
	return _mm_movemask_epi8(_mm_cmpeq_epi8(err, _mm_setzero_si128())) ==
	       0xFFFF;
}
#endif

/* 1 when s[0..len) is valid UTF-8 (the same answer as utf8_scan). */
static int utf8_valid_bulk(const char *s, size_t len)
{
#ifdef HAVE_UTF8_SSSE3
	if (CPU_FEATURE_ACTIVE(SSSE3))
		return utf8_valid_ssse3(s, len);
#endif
	size_t m, b;
	utf8_scan(s, len, &m, &b, 1);
	return b == 0;
}

int feed_utf8_valid(const char *s, size_t len)
{
	return utf8_valid_bulk(s, len);
}

/* ---- decoders ------------------------------------------------------------ */

static const uint16_t cp1252_high[32] = {
	0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
	0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

static void put_utf8(struct td_buf *b, uint32_t cp)
{
	td_buf_put_utf8(b, cp);
}

static int decode_cp1252(const char *s, size_t len, struct td_buf *b)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t high = 0;
	for (size_t i = 0; i < len; i++)
		high += u[i] >> 7;
	size_t need;
	if (td_size_add(len, high * 2, &need) || td_buf_reserve(b, need))
		return TD_ENOMEM;
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		if (u[i] < 0x80)
			continue;
		td_buf_append(b, s + run, i - run);
		run = i + 1;
		put_utf8(b, u[i] < 0xA0 ? cp1252_high[u[i] - 0x80] : u[i]);
	}
	td_buf_append(b, s + run, len - run);
	return td_buf_err(b);
}

/* UTF-8 with invalid sequences replaced: each invalid lead byte and the
 * continuation bytes right after it become one U+FFFD. */
static int decode_utf8_lossy(const char *s, size_t len, struct td_buf *b)
{
	const unsigned char *u = (const unsigned char *)s;
	if (td_buf_reserve(b, len + len / 8))
		return td_buf_err(b);
	size_t i = 0, run = 0;
	while (i < len) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		size_t n = utf8_seq(u + i, len - i);
		if (n) {
			i += n;
			continue;
		}
		td_buf_append(b, s + run, i - run);
		put_utf8(b, 0xFFFD);
		i++;
		while (i < len && (u[i] & 0xC0) == 0x80)
			i++;
		run = i;
	}
	td_buf_append(b, s + run, len - run);
	return td_buf_err(b);
}

static int decode_utf16(const char *s, size_t len, int be, struct td_buf *b)
{
	const unsigned char *u = (const unsigned char *)s;
	if (td_buf_reserve(b, len + len / 2))
		return td_buf_err(b);
	size_t i = 0;
	while (i + 2 <= len && !td_buf_err(b)) {
		uint32_t c = be ? (uint32_t)(u[i] << 8 | u[i + 1])
				: (uint32_t)(u[i + 1] << 8 | u[i]);
		i += 2;
		if (c >= 0xD800 && c <= 0xDBFF && i + 2 <= len) {
			uint32_t d = be ? (uint32_t)(u[i] << 8 | u[i + 1])
					: (uint32_t)(u[i + 1] << 8 | u[i]);
			if (d >= 0xDC00 && d <= 0xDFFF) {
				i += 2;
				c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
			}
		}
		if (c < 0x80)
			td_buf_putc(b, (int)c);
		else
			put_utf8(b, c); /* lone surrogates become U+FFFD */
	}
	if (i < len)
		put_utf8(b, 0xFFFD);
	return td_buf_err(b);
}

static int decode_utf32(const char *s, size_t len, int be, struct td_buf *b)
{
	const unsigned char *u = (const unsigned char *)s;
	if (td_buf_reserve(b, len / 2 + 4))
		return td_buf_err(b);
	size_t i = 0;
	while (i + 4 <= len && !td_buf_err(b)) {
		uint32_t c = be ? (uint32_t)u[i] << 24 | (uint32_t)u[i + 1] << 16 |
					  (uint32_t)u[i + 2] << 8 | u[i + 3]
				: (uint32_t)u[i + 3] << 24 | (uint32_t)u[i + 2] << 16 |
					  (uint32_t)u[i + 1] << 8 | u[i];
		i += 4;
		put_utf8(b, c);
	}
	if (i < len)
		put_utf8(b, 0xFFFD);
	return td_buf_err(b);
}

/* Convert with iconv; invalid or incomplete input becomes U+FFFD. Returns
 * 0, TD_ENOMEM, or TD_EINVAL when iconv does not know the charset. */
static int decode_iconv(const char *name, const char *s, size_t len,
			struct td_buf *b)
{
	iconv_t cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1)
		return TD_EINVAL;
	char *in = (char *)s;
	size_t inleft = len;
	size_t chunk = len + 64;
	while (inleft > 0 && !td_buf_err(b)) {
		if (td_buf_reserve(b, chunk))
			break;
		char *outp = b->p + b->len;
		size_t outleft = b->cap - b->len - 1;
		size_t r = iconv(cd, &in, &inleft, &outp, &outleft);
		b->len = (size_t)(outp - b->p);
		b->p[b->len] = '\0';
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG) {
			chunk = inleft * 2 + 64;
			continue;
		}
		/* EILSEQ or EINVAL (truncated at the end): replace one byte */
		put_utf8(b, 0xFFFD);
		in++;
		inleft--;
		if (errno == EINVAL && inleft == 0)
			break;
	}
	/* flush any shift state (stateful encodings such as ISO-2022-JP) */
	if (!td_buf_err(b) && !td_buf_reserve(b, 16)) {
		char *outp = b->p + b->len;
		size_t outleft = b->cap - b->len - 1;
		iconv(cd, NULL, NULL, &outp, &outleft);
		b->len = (size_t)(outp - b->p);
		b->p[b->len] = '\0';
	}
	iconv_close(cd);
	return td_buf_err(b);
}

/* ---- detection ----------------------------------------------------------- */

/* Byte order mark or BOM-less UTF-16/32 pattern: kind and BOM length. */
static enum kind sniff_bom(const unsigned char *u, size_t len, size_t *skip)
{
	*skip = 0;
	if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
		*skip = 3;
		return K_UTF8;
	}
	if (len >= 4 && u[0] == 0xFF && u[1] == 0xFE && !u[2] && !u[3]) {
		*skip = 4;
		return K_UTF32LE;
	}
	if (len >= 4 && !u[0] && !u[1] && u[2] == 0xFE && u[3] == 0xFF) {
		*skip = 4;
		return K_UTF32BE;
	}
	if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
		*skip = 2;
		return K_UTF16LE;
	}
	if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
		*skip = 2;
		return K_UTF16BE;
	}
	if (len >= 4) {
		if (u[0] && !u[1] && !u[2] && !u[3])
			return K_UTF32LE;
		if (!u[0] && !u[1] && !u[2] && u[3])
			return K_UTF32BE;
		if (u[0] && !u[1] && u[2] && !u[3])
			return K_UTF16LE;
		if (!u[0] && u[1] && !u[2] && u[3])
			return K_UTF16BE;
	}
	return K_NONE;
}

/* Find the encoding value of an XML declaration near the start: returns a
 * pointer to the value and sets *vlen, and *attr / *alen to the whole
 * `encoding="..."` pseudo-attribute (for blanking). NULL when absent. */
static const char *decl_encoding(const char *s, size_t len, size_t *vlen,
				 size_t *attr, size_t *alen)
{
	size_t lim = len < 1024 ? len : 1024;
	size_t i = 0;
	while (i < lim && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
			   s[i] == '\n'))
		i++;
	if (lim - i < 6 || memcmp(s + i, "<?xml", 5))
		return NULL;
	size_t start = i + 5;
	size_t end = start;
	while (end + 1 < lim && !(s[end] == '?' && s[end + 1] == '>') &&
	       s[end] != '<' && s[end] != '>')
		end++;
	for (size_t j = start; j + 8 < end; j++) {
		if (memcmp(s + j, "encoding", 8))
			continue;
		size_t k = j + 8;
		while (k < end && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r' ||
				   s[k] == '\n'))
			k++;
		if (k >= end || s[k] != '=')
			continue;
		k++;
		while (k < end && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r' ||
				   s[k] == '\n'))
			k++;
		if (k >= end || (s[k] != '"' && s[k] != '\''))
			continue;
		char q = s[k];
		size_t v = k + 1, e = v;
		while (e < end && s[e] != q)
			e++;
		if (e >= end)
			return NULL;
		*vlen = e - v;
		*attr = j;
		*alen = e + 1 - j;
		return s + v;
	}
	return NULL;
}

/* Blank the encoding pseudo-attribute of the declaration in a UTF-8 copy. */
static void blank_decl_encoding(char *s, size_t len)
{
	size_t vlen, attr, alen;
	if (decl_encoding(s, len, &vlen, &attr, &alen))
		memset(s + attr, ' ', alen);
}

/* ---- entry points -------------------------------------------------------- */

static const char *kind_name(enum kind k)
{
	switch (k) {
	case K_UTF16LE: return "UTF-16LE";
	case K_UTF16BE: return "UTF-16BE";
	case K_UTF32LE: return "UTF-32LE";
	case K_UTF32BE: return "UTF-32BE";
	case K_CP1252: return "windows-1252";
	default: return "UTF-8";
	}
}

/* Resolve a label-only UTF-16/32 kind using the bytes: little endian unless
 * the zero pattern says big. Returns K_NONE when the bytes are plainly
 * ASCII-compatible (the label then is wrong). */
static enum kind fix_wide(enum kind k, const unsigned char *u, size_t len)
{
	size_t skip;
	enum kind s = sniff_bom(u, len, &skip);
	if (k == K_UTF16)
		return s == K_UTF16LE || s == K_UTF16BE ? s : K_NONE;
	if (k == K_UTF32)
		return s == K_UTF32LE || s == K_UTF32BE ? s : K_NONE;
	if ((k == K_UTF16LE || k == K_UTF16BE || k == K_UTF32LE ||
	     k == K_UTF32BE) && len >= 2 && u[0] && u[1])
		return K_NONE; /* "<?" in a wide encoding has a zero byte */
	return k;
}

/* An EBCDIC document: read its declaration through IBM037 and take the
 * code page it names, or IBM037 when it names none we can use. */
static enum kind ebcdic_label(const char *data, size_t len, const char **name,
			      char icbuf[48])
{
	char head[256];
	size_t n = len < sizeof head - 1 ? len : sizeof head - 1;
	iconv_t cd = iconv_open("UTF-8", "IBM037");
	if (cd == (iconv_t)-1)
		return K_NONE;
	char *in = (char *)data, *out = head;
	size_t inl = n, outl = sizeof head - 1;
	iconv(cd, &in, &inl, &out, &outl); /* stops at the first odd byte */
	iconv_close(cd);
	*out = '\0';
	size_t vlen, attr, alen;
	const char *v = decl_encoding(head, (size_t)(out - head), &vlen, &attr,
				      &alen);
	enum kind k = v ? label_kind(v, vlen, name, icbuf) : K_NONE;
	if (k != K_ICONV) {
		*name = "IBM037";
		k = K_ICONV;
	}
	return k;
}

int feed_utf8_prepare(const char *data, size_t len, const char *http_charset,
		      const char **out, size_t *outlen, int *owned,
		      const char **used, int *warned)
{
	const unsigned char *u = (const unsigned char *)data;
	size_t skip = 0;
	enum kind k = K_NONE;
	const char *name = NULL;
	char icbuf[48];
	int explicit_utf8 = 0;

	*out = NULL;
	*outlen = 0;
	*owned = 0;
	*warned = 0;
	*used = "UTF-8";
	if (!data || !len) {
		data = "";
		len = 0;
	}
	u = (const unsigned char *)data;

	k = sniff_bom(u, len, &skip);
	if (k == K_NONE && http_charset && *http_charset) {
		k = label_kind(http_charset, strlen(http_charset), &name, icbuf);
		enum kind f = fix_wide(k, u, len);
		if (f == K_NONE)
			*warned = 1; /* unknown, or says UTF-16 and is not */
		k = f;
		explicit_utf8 = k == K_UTF8;
	}
	if (k == K_NONE && len >= 4 && u[0] == 0x4C && u[1] == 0x6F &&
	    u[2] == 0xA7 && u[3] == 0x94) {
		/* "<?xm" in EBCDIC (XML 1.0 appendix F): the declaration's
		 * characters are the same in every EBCDIC code page */
		k = ebcdic_label(data, len, &name, icbuf);
	}
	if (k == K_NONE) {
		size_t vlen, attr, alen;
		const char *v = decl_encoding(data, len, &vlen, &attr, &alen);
		if (v) {
			k = label_kind(v, vlen, &name, icbuf);
			if (k == K_NONE)
				*warned = 1;
			enum kind f = fix_wide(k, u, len);
			if (f == K_NONE && k != K_NONE)
				*warned = 1; /* says UTF-16, bytes are not */
			k = f;
			explicit_utf8 = k == K_UTF8;
		}
	}
	data += skip;
	len -= skip;

	if (k == K_NONE || k == K_UTF8 || k == K_ASCII) {
		size_t multi = 0, bad = 0;
		if (k != K_ASCII && utf8_valid_bulk(data, len))
			multi = 1; /* not counted: only "valid" matters here */
		else
			utf8_scan(data, len, &multi, &bad, 0);
		if (!bad) {
			if (k == K_ASCII && multi)
				*warned = 1;
			*out = data;
			*outlen = len;
			*used = "UTF-8";
			return 0;
		}
		*warned = 1;
		if (explicit_utf8 && multi >= bad)
			k = K_UTF8; /* mostly UTF-8: replace the bad bytes */
		else
			k = K_CP1252;
	}

	struct td_buf b;
	td_buf_init(&b, 0);
	int rc = 0;
	switch (k) {
	case K_UTF8: rc = decode_utf8_lossy(data, len, &b); break;
	case K_CP1252: rc = decode_cp1252(data, len, &b); break;
	case K_UTF16LE: rc = decode_utf16(data, len, 0, &b); break;
	case K_UTF16BE: rc = decode_utf16(data, len, 1, &b); break;
	case K_UTF32LE: rc = decode_utf32(data, len, 0, &b); break;
	case K_UTF32BE: rc = decode_utf32(data, len, 1, &b); break;
	default:
		rc = decode_iconv(name ? name : icbuf, data, len, &b);
		if (rc == TD_EINVAL) {
			/* iconv refused after all: fall back */
			*warned = 1;
			td_buf_reset(&b);
			k = feed_utf8_valid(data, len) ? K_UTF8 : K_CP1252;
			rc = k == K_UTF8 ? td_buf_append(&b, data, len)
					 : decode_cp1252(data, len, &b);
		}
		break;
	}
	if (rc) {
		td_buf_release(&b);
		return TD_ENOMEM;
	}
	size_t n = 0;
	char *p = td_buf_detach(&b, &n);
	if (!p)
		return TD_ENOMEM;
	blank_decl_encoding(p, n);
	*out = p;
	*outlen = n;
	*owned = 1;
	*used = k == K_ICONV ? (name ? name : "iconv") : kind_name(k);
	return 0;
}

int feed_to_utf8(const char *data, size_t len, const char *http_charset,
		 char **out, size_t *outlen, const char **used, int *warned)
{
	const char *p;
	size_t n;
	int owned;
	*out = NULL;
	*outlen = 0;
	int rc = feed_utf8_prepare(data, len, http_charset, &p, &n, &owned,
				   used, warned);
	if (rc)
		return rc;
	if (owned) {
		*out = (char *)p;
	} else {
		*out = td_strndup(p, n);
		if (!*out)
			return TD_ENOMEM;
		blank_decl_encoding(*out, n);
	}
	*outlen = n;
	return 0;
}
