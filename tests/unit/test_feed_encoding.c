/*
 * test_feed_encoding.c - feed_to_utf8 / feed_utf8_prepare: precedence of
 * BOM, HTTP charset and XML declaration; fallbacks; replacement of invalid
 * sequences; the declaration rewrite.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "feed/feed.h"
#include "feed/feed_int.h"

#include <stdlib.h>
#include <string.h>

struct conv {
	char *out;
	size_t len;
	const char *used;
	int warned;
};

static struct conv conv(const char *data, size_t len, const char *http)
{
	struct conv c = { 0 };
	assert_int_equal(feed_to_utf8(data, len, http, &c.out, &c.len, &c.used,
				      &c.warned),
			 0);
	assert_non_null(c.out);
	assert_int_equal(strlen(c.out), c.len);
	return c;
}

#define S(lit) lit, sizeof(lit) - 1

/* out contains needle */
static void assert_has(const char *out, const char *needle)
{
	if (!strstr(out, needle))
		fail_msg("'%s' not found in '%s'", needle, out);
}

static void test_plain_utf8(void **state)
{
	(void)state;
	struct conv c = conv(S("<?xml version=\"1.0\"?><a>caf\xc3\xa9</a>"), NULL);
	assert_string_equal(c.used, "UTF-8");
	assert_int_equal(c.warned, 0);
	assert_string_equal(c.out, "<?xml version=\"1.0\"?><a>caf\xc3\xa9</a>");
	free(c.out);
}

static void test_utf8_bom_removed(void **state)
{
	(void)state;
	struct conv c = conv(S("\xef\xbb\xbf<a>x</a>"), NULL);
	assert_string_equal(c.out, "<a>x</a>");
	assert_string_equal(c.used, "UTF-8");
	free(c.out);
}

static void test_bom_beats_http_and_decl(void **state)
{
	(void)state;
	struct conv c = conv(S("\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>\xc3\xa9</a>"),
			     "koi8-r");
	assert_string_equal(c.used, "UTF-8");
	assert_has(c.out, "<a>\xc3\xa9</a>");
	free(c.out);
}

static void test_http_beats_decl(void **state)
{
	(void)state;
	/* 0xE9 is 'é' in latin-1 and 'Й' in KOI8-R */
	struct conv c = conv(S("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>\xe9</a>"),
			     "KOI8-R");
	assert_string_equal(c.used, "KOI8-R");
	assert_has(c.out, "<a>\xd0\x98</a>");
	/* the declaration no longer names an encoding */
	assert_null(strstr(c.out, "encoding"));
	assert_has(c.out, "<?xml version=\"1.0\"");
	free(c.out);
}

static void test_decl_used(void **state)
{
	(void)state;
	struct conv c = conv(S("<?xml version='1.0' encoding='windows-1251'?><a>\xcf\xf0</a>"),
			     NULL);
	assert_string_equal(c.used, "WINDOWS-1251");
	assert_has(c.out, "<a>\xd0\x9f\xd1\x80</a>");
	assert_null(strstr(c.out, "windows-1251"));
	free(c.out);
}

static void test_latin1_is_cp1252(void **state)
{
	(void)state;
	struct conv c = conv(S("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\x93q\x94 \xe9</a>"),
			     NULL);
	assert_string_equal(c.used, "windows-1252");
	assert_int_equal(c.warned, 0);
	assert_has(c.out, "<a>\xe2\x80\x9cq\xe2\x80\x9d \xc3\xa9</a>");
	free(c.out);
}

static void test_no_decl_invalid_utf8_is_cp1252(void **state)
{
	(void)state;
	struct conv c = conv(S("<a>Gr\xfc\xdf" "e</a>"), NULL);
	assert_string_equal(c.used, "windows-1252");
	assert_int_equal(c.warned, 1);
	assert_string_equal(c.out, "<a>Gr\xc3\xbc\xc3\x9f" "e</a>");
	free(c.out);
}

static void test_declared_utf8_latin1_bytes(void **state)
{
	(void)state;
	struct conv c = conv(S("<?xml version=\"1.0\" encoding=\"utf-8\"?><a>caf\xe9</a>"),
			     NULL);
	assert_string_equal(c.used, "windows-1252");
	assert_int_equal(c.warned, 1);
	assert_has(c.out, "caf\xc3\xa9");
	free(c.out);
}

static void test_mostly_utf8_replaced(void **state)
{
	(void)state;
	struct conv c = conv(S("<?xml version=\"1.0\" encoding=\"utf-8\"?><a>\xc3\xa9\xc3\xa9 \xff</a>"),
			     NULL);
	assert_string_equal(c.used, "UTF-8");
	assert_int_equal(c.warned, 1);
	assert_has(c.out, "\xc3\xa9\xc3\xa9 \xef\xbf\xbd</a>");
	free(c.out);
}

static void test_us_ascii(void **state)
{
	(void)state;
	struct conv c = conv(S("<?xml version=\"1.0\" encoding=\"us-ascii\"?><a>\xe9</a>"),
			     NULL);
	assert_string_equal(c.used, "windows-1252");
	assert_has(c.out, "<a>\xc3\xa9</a>");
	free(c.out);
	c = conv(S("<?xml version=\"1.0\" encoding=\"US-ASCII\"?><a>\xc3\xa9</a>"), NULL);
	assert_string_equal(c.used, "UTF-8");
	assert_int_equal(c.warned, 1);
	free(c.out);
	c = conv(S("<?xml version=\"1.0\" encoding=\"ascii\"?><a>plain</a>"), NULL);
	assert_string_equal(c.used, "UTF-8");
	assert_int_equal(c.warned, 0);
	free(c.out);
}

static void test_utf16(void **state)
{
	(void)state;
	/* "<a>é</a>" with a BOM, little endian */
	static const char le[] = "\xff\xfe<\0a\0>\0\xe9\0<\0/\0a\0>\0";
	struct conv c = conv(le, sizeof le - 1, NULL);
	assert_string_equal(c.used, "UTF-16LE");
	assert_string_equal(c.out, "<a>\xc3\xa9</a>");
	free(c.out);
	/* big endian, no BOM: found by the zero pattern */
	static const char be[] = "\0<\0a\0>\xd8\x34\xdd\x1e\0<\0/\0a\0>";
	c = conv(be, sizeof be - 1, "utf-8");
	assert_string_equal(c.used, "UTF-16BE");
	assert_string_equal(c.out, "<a>\xf0\x9d\x84\x9e</a>");
	free(c.out);
	/* lone surrogate and odd trailing byte */
	static const char bad[] = "\xff\xfe<\0\x00\xdc>\0x";
	c = conv(bad, sizeof bad - 1, NULL);
	assert_string_equal(c.out, "<\xef\xbf\xbd>\xef\xbf\xbd");
	free(c.out);
}

static void test_utf32(void **state)
{
	(void)state;
	static const char le[] = "\xff\xfe\0\0<\0\0\0\x1e\xd1\x01\0";
	struct conv c = conv(le, sizeof le - 1, NULL);
	assert_string_equal(c.used, "UTF-32LE");
	assert_string_equal(c.out, "<\xf0\x9d\x84\x9e");
	free(c.out);
	static const char be[] = "\0\0\xfe\xff\0\0\0<\0\x11\0\0";
	c = conv(be, sizeof be - 1, NULL);
	assert_string_equal(c.out, "<\xef\xbf\xbd"); /* > U+10FFFF */
	free(c.out);
}

static void test_decl_says_utf16_bytes_ascii(void **state)
{
	(void)state;
	struct conv c = conv(S("<?xml version=\"1.0\" encoding=\"UTF-16\"?><a>\xc3\xa9</a>"),
			     NULL);
	assert_string_equal(c.used, "UTF-8");
	assert_int_equal(c.warned, 1);
	assert_has(c.out, "<a>\xc3\xa9</a>");
	free(c.out);
}

static void test_unknown_labels(void **state)
{
	(void)state;
	struct conv c = conv(S("<?xml version=\"1.0\" encoding=\"x-bogus\"?><a>\xc3\xa9</a>"),
			     NULL);
	assert_int_equal(c.warned, 1);
	assert_string_equal(c.used, "UTF-8");
	free(c.out);
	c = conv(S("<a>\xc3\xa9</a>"), "no-such-charset; garbage");
	assert_int_equal(c.warned, 1);
	assert_string_equal(c.out, "<a>\xc3\xa9</a>");
	free(c.out);
	/* a label iconv knows that our table does not */
	c = conv(S("<?xml version=\"1.0\" encoding=\"CP850\"?><a>\x82</a>"), NULL);
	assert_int_equal(c.warned, 0);
	assert_has(c.out, "<a>\xc3\xa9</a>");
	free(c.out);
}

static void test_iconv_invalid_replaced(void **state)
{
	(void)state;
	/* truncated Shift_JIS double-byte character at the end */
	struct conv c = conv(S("<?xml version=\"1.0\" encoding=\"shift_jis\"?><a>\x93\xfa\x96"),
			     NULL);
	assert_string_equal(c.used, "CP932");
	assert_has(c.out, "<a>\xe6\x97\xa5\xef\xbf\xbd");
	free(c.out);
}

static void test_aliases(void **state)
{
	(void)state;
	static const struct {
		const char *label, *used;
	} t[] = {
		{ "gb2312", "GB18030" },   { "GBK", "GB18030" },
		{ "Big5", "BIG5-HKSCS" }, { "x-sjis", "CP932" },
		{ "EUC-KR", "CP949" },	   { "latin1", "windows-1252" },
		{ "ISO_8859-1", "windows-1252" },
		{ "iso-8859-9", "WINDOWS-1254" },
		{ "koi8-u", "KOI8-U" },
		{ "mac-roman", "MACINTOSH" }, { "MacLatin2", "MAC-CENTRALEUROPE" },
		{ "mac-iceland", "MAC-IS" },  { "cp_is", "IBM861" },
		{ "ibm039", "IBM037" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct conv c = conv(S("<a>\xc1</a>"), t[i].label);
		assert_string_equal(c.used, t[i].used);
		free(c.out);
	}
}

/* Python-style names with underscores reach iconv with hyphens. */
static void test_underscore_labels(void **state)
{
	(void)state;
	struct conv c = conv(S("<?xml version=\"1.0\" encoding=\"koi8_r\"?>"
			       "<a>\xc1</a>"), NULL);
	assert_has(c.out, "<a>\xd0\xb0</a>"); /* U+0430 */
	assert_int_equal(c.warned, 0);
	free(c.out);
}

/* EBCDIC (XML 1.0 appendix F): "<?xm" is 4C 6F A7 94; the declaration
 * names the code page. */
static void test_ebcdic(void **state)
{
	(void)state;
	/* <?xml version="1.0" encoding="ebcdic-cp-be"?><a>Ø</a> in IBM500;
	 * 0x80 is U+00D8 in both IBM037 and IBM500 */
	static const unsigned char doc[] = {
		0x4C, 0x6F, 0xA7, 0x94, 0x93, 0x40, 0xA5, 0x85, 0x99, 0xA2,
		0x89, 0x96, 0x95, 0x7E, 0x7F, 0xF1, 0x4B, 0xF0, 0x7F, 0x40,
		0x85, 0x95, 0x83, 0x96, 0x84, 0x89, 0x95, 0x87, 0x7E, 0x7F,
		0x85, 0x82, 0x83, 0x84, 0x89, 0x83, 0x60, 0x83, 0x97, 0x60,
		0x82, 0x85, 0x7F, 0x6F, 0x6E, 0x4C, 0x81, 0x6E, 0x80, 0x4C,
		0x61, 0x81, 0x6E,
	};
	struct conv c = conv((const char *)doc, sizeof doc, NULL);
	assert_has(c.out, "<a>\xc3\x98</a>");
	assert_has(c.out, "<?xml version=\"1.0\"");
	assert_null(strstr(c.out, "encoding")); /* blanked for the parser */
	free(c.out);
	/* no encoding named: IBM037 */
	static const unsigned char bare[] = { 0x4C, 0x6F, 0xA7, 0x94, 0x93,
					      0x6F, 0x6E, 0x4C, 0x81, 0x6E,
					      0xC1, 0x4C, 0x61, 0x81, 0x6E };
	c = conv((const char *)bare, sizeof bare, NULL);
	assert_has(c.out, "<a>A</a>");
	free(c.out);
}

static void test_prepare_borrows(void **state)
{
	(void)state;
	static const char doc[] = "\xef\xbb\xbf<a>ok</a>";
	const char *out, *used;
	size_t n;
	int owned, warned;
	assert_int_equal(feed_utf8_prepare(doc, sizeof doc - 1, NULL, &out, &n,
					   &owned, &used, &warned),
			 0);
	assert_int_equal(owned, 0);
	assert_ptr_equal(out, doc + 3);
	assert_int_equal(n, sizeof doc - 4);
	static const char l1[] = "<a>\xe9</a>";
	assert_int_equal(feed_utf8_prepare(l1, sizeof l1 - 1, NULL, &out, &n,
					   &owned, &used, &warned),
			 0);
	assert_int_equal(owned, 1);
	free((char *)out);
	/* empty input */
	assert_int_equal(feed_utf8_prepare("", 0, NULL, &out, &n, &owned, &used,
					   &warned),
			 0);
	assert_int_equal(n, 0);
}

static void test_utf8_valid(void **state)
{
	(void)state;
	assert_true(feed_utf8_valid(S("plain ascii that is longer than eight")));
	assert_true(feed_utf8_valid(S("\xf0\x9f\x98\x80 \xe2\x82\xac")));
	assert_false(feed_utf8_valid(S("\xc0\xaf")));	      /* overlong */
	assert_false(feed_utf8_valid(S("\xed\xa0\x80")));     /* surrogate */
	assert_false(feed_utf8_valid(S("\xf4\x90\x80\x80"))); /* > U+10FFFF */
	assert_false(feed_utf8_valid(S("abcdefgh\xe2\x82")));   /* truncated */
	assert_true(feed_utf8_valid("", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_utf8),
		cmocka_unit_test(test_utf8_bom_removed),
		cmocka_unit_test(test_bom_beats_http_and_decl),
		cmocka_unit_test(test_http_beats_decl),
		cmocka_unit_test(test_decl_used),
		cmocka_unit_test(test_latin1_is_cp1252),
		cmocka_unit_test(test_no_decl_invalid_utf8_is_cp1252),
		cmocka_unit_test(test_declared_utf8_latin1_bytes),
		cmocka_unit_test(test_mostly_utf8_replaced),
		cmocka_unit_test(test_us_ascii),
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_utf32),
		cmocka_unit_test(test_underscore_labels),
		cmocka_unit_test(test_ebcdic),
		cmocka_unit_test(test_decl_says_utf16_bytes_ascii),
		cmocka_unit_test(test_unknown_labels),
		cmocka_unit_test(test_iconv_invalid_replaced),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_prepare_borrows),
		cmocka_unit_test(test_utf8_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
