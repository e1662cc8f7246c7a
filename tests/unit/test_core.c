/*
 * test_core.c - the core helpers: td_buf, string and UTF-8 helpers, file
 * reading, URL resolution and canonicalisation, file:// paths, time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/err.h"
#include "core/time.h"
#include "core/url.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define S(lit) (lit), (sizeof(lit) - 1)

static const char *nz(const char *s)
{
	return s ? s : "(null)";
}

/* ---- td_buf ------------------------------------------------------------- */

static void test_buf_basics(void **state)
{
	struct td_buf b;
	td_buf_init(&b, 0);
	assert_string_equal(td_buf_cstr(&b), "");
	assert_int_equal(b.len, 0);
	assert_int_equal(td_buf_append(&b, "abc", 3), 0);
	assert_int_equal(td_buf_putc(&b, 'd'), 0);
	assert_int_equal(td_buf_puts(&b, "ef"), 0);
	assert_int_equal(td_buf_append(&b, NULL, 0), 0);
	assert_string_equal(td_buf_cstr(&b), "abcdef");
	assert_int_equal(b.len, 6);
	td_buf_truncate(&b, 2);
	assert_string_equal(b.p, "ab");
	td_buf_truncate(&b, 10); /* longer: no-op */
	assert_string_equal(b.p, "ab");
	/* embedded NUL bytes are kept, the buffer stays terminated */
	assert_int_equal(td_buf_append(&b, "\0x", 2), 0);
	assert_int_equal(b.len, 4);
	assert_int_equal(b.p[4], '\0');
	td_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(td_buf_cstr(&b), "");
	td_buf_release(&b);
	assert_null(b.p);
	/* reusable after release */
	assert_int_equal(td_buf_puts(&b, "again"), 0);
	assert_string_equal(b.p, "again");
	td_buf_release(&b);
	td_buf_release(&b); /* twice is fine */
}

static void test_buf_ceiling_sticky(void **state)
{
	struct td_buf b;
	td_buf_init(&b, 10);
	assert_int_equal(td_buf_append(&b, "0123456789", 10), 0);
	assert_int_equal(td_buf_putc(&b, 'x'), TD_ETOOBIG);
	assert_int_equal(td_buf_err(&b), TD_ETOOBIG);
	/* sticky: even an append that would fit now fails */
	td_buf_truncate(&b, 0);
	assert_int_equal(td_buf_puts(&b, "a"), TD_ETOOBIG);
	assert_int_equal(td_buf_printf(&b, "%d", 1), TD_ETOOBIG);
	assert_int_equal(td_buf_put_utf8(&b, 0x41), TD_ETOOBIG);
	assert_int_equal(td_buf_reserve(&b, 0), TD_ETOOBIG);
	assert_int_equal(b.len, 0);
	/* detach of a failed buffer: NULL, and the memory is gone */
	size_t len = 99;
	assert_null(td_buf_detach(&b, &len));
	assert_null(b.p);
	/* reset clears the error */
	td_buf_init(&b, 4);
	assert_int_equal(td_buf_puts(&b, "12345"), TD_ETOOBIG);
	td_buf_reset(&b);
	assert_int_equal(td_buf_err(&b), 0);
	assert_int_equal(td_buf_puts(&b, "1234"), 0);
	assert_string_equal(b.p, "1234");
	td_buf_release(&b);

	/* the first error is the one kept */
	td_buf_init(&b, 0);
	assert_int_equal(td_buf_reserve(&b, SIZE_MAX), TD_ETOOBIG);
	assert_int_equal(td_buf_reserve(&b, SIZE_MAX - 1), TD_ETOOBIG);
	assert_int_equal(td_buf_err(&b), TD_ETOOBIG);
	td_buf_release(&b);

	/* exactly at the ceiling with printf */
	td_buf_init(&b, 5);
	assert_int_equal(td_buf_printf(&b, "%05d", 42), 0);
	assert_string_equal(b.p, "00042");
	assert_int_equal(td_buf_printf(&b, "%s", ""), 0);
	assert_int_equal(td_buf_printf(&b, "x"), TD_ETOOBIG);
	td_buf_release(&b);
	/* a long printf over the ceiling */
	td_buf_init(&b, 300);
	assert_int_equal(td_buf_printf(&b, "%400s", "x"), TD_ETOOBIG);
	assert_int_equal(b.len, 0);
	td_buf_release(&b);
}

static void test_buf_printf_growth(void **state)
{
	struct td_buf b;
	char big[5000];
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	td_buf_init(&b, 0);
	assert_int_equal(td_buf_printf(&b, "[%s]", "short"), 0);
	/* past the 256-byte stack buffer inside printf */
	assert_int_equal(td_buf_printf(&b, "<%s|%d>", big, 7), 0);
	assert_int_equal(b.len, 7 + 1 + 4999 + 3);
	assert_int_equal(strncmp(b.p, "[short]<qqq", 11), 0);
	assert_string_equal(b.p + b.len - 4, "q|7>");
	/* many small ones */
	for (int i = 0; i < 10000; i++)
		td_buf_printf(&b, "%d,", i % 10);
	assert_int_equal(td_buf_err(&b), 0);
	assert_int_equal(b.len, 7 + 5003 + 20000);
	assert_true(b.cap > b.len);
	assert_string_equal(b.p + b.len - 4, "8,9,");
	td_buf_release(&b);
	/* exactly 255, 256 and 257 bytes of output */
	for (int n = 254; n <= 258; n++) {
		td_buf_init(&b, 0);
		td_buf_puts(&b, "ab");
		assert_int_equal(td_buf_printf(&b, "%*s", n, "z"), 0);
		assert_int_equal(b.len, (size_t)n + 2);
		assert_int_equal(b.p[b.len - 1], 'z');
		assert_int_equal(b.p[b.len], '\0');
		td_buf_release(&b);
	}
}

static void test_buf_detach(void **state)
{
	struct td_buf b;
	size_t len = 99;
	td_buf_init(&b, 0);
	char *s = td_buf_detach(&b, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
	td_buf_puts(&b, "hello");
	s = td_buf_detach(&b, &len);
	assert_string_equal(s, "hello");
	assert_int_equal(len, 5);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	free(s);
	/* the buffer is usable after detach */
	td_buf_puts(&b, "x");
	s = td_buf_detach(&b, NULL);
	assert_string_equal(s, "x");
	free(s);
	td_buf_release(&b);
}

static void test_buf_utf8(void **state)
{
	struct td_buf b;
	td_buf_init(&b, 0);
	td_buf_put_utf8(&b, 'A');
	td_buf_put_utf8(&b, 0xE9);
	td_buf_put_utf8(&b, 0x20AC);
	td_buf_put_utf8(&b, 0x1F600);
	td_buf_put_utf8(&b, 0x7FF);
	td_buf_put_utf8(&b, 0x800);
	td_buf_put_utf8(&b, 0xFFFF);
	td_buf_put_utf8(&b, 0x10000);
	td_buf_put_utf8(&b, 0x10FFFF);
	assert_string_equal(b.p, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xdf\xbf"
				 "\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80"
				 "\xf4\x8f\xbf\xbf");
	td_buf_reset(&b);
	td_buf_put_utf8(&b, 0xD800);
	td_buf_put_utf8(&b, 0xDFFF);
	td_buf_put_utf8(&b, 0x110000);
	td_buf_put_utf8(&b, UINT32_MAX);
	assert_string_equal(b.p, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	td_buf_release(&b);
}

/* ---- strings ------------------------------------------------------------ */

static void test_str_helpers(void **state)
{
	char *s;
	assert_null(td_strdup(NULL));
	assert_null(td_strndup(NULL, 3));
	s = td_strndup("abcdef", 3);
	assert_string_equal(s, "abc");
	free(s);
	s = td_strndup("a\0b", 3); /* copies n bytes as given */
	assert_int_equal(s[2], 'b');
	assert_int_equal(s[3], '\0');
	free(s);

	assert_true(td_str_ieq(TD_STR("HeLLo"), "hello"));
	assert_false(td_str_ieq(TD_STR("hello"), "hell"));
	assert_false(td_str_ieq(TD_STR("hell"), "hello"));
	assert_true(td_str_ieq(TD_STR(""), ""));

	struct td_str t = td_str_trim(TD_STR(" \t\r\n x y \f\v"));
	assert_int_equal(t.len, 3);
	assert_memory_equal(t.p, "x y", 3);
	t = td_str_trim(TD_STR("   "));
	assert_int_equal(t.len, 0);

	char buf[] = "  a  b \n\t c  ";
	assert_string_equal(td_trim_inplace(buf), "a  b \n\t c");
	assert_string_equal(td_collapse_ws(buf), "a b c");
	char buf2[] = "\n\n";
	assert_string_equal(td_collapse_ws(buf2), "");
	assert_null(td_collapse_ws(NULL));
	assert_null(td_trim_inplace(NULL));

	assert_true(td_istarts("HTTP://x", "http://"));
	assert_true(td_istarts("abc", ""));
	assert_false(td_istarts("ht", "http"));
	assert_false(td_istarts("", "a"));
}

static void test_parse_i64(void **state)
{
	int64_t v = 5;
	assert_int_equal(td_parse_i64("42", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(td_parse_i64("  -17  ", &v), 0);
	assert_int_equal(v, -17);
	assert_int_equal(td_parse_i64("9223372036854775807", &v), 0);
	assert_true(v == INT64_MAX);
	assert_int_equal(td_parse_i64("-9223372036854775808", &v), 0);
	assert_true(v == INT64_MIN);
	v = 5;
	assert_int_equal(td_parse_i64("9223372036854775808", &v), TD_EINVAL);
	assert_int_equal(td_parse_i64("-9223372036854775809", &v), TD_EINVAL);
	assert_int_equal(td_parse_i64("", &v), TD_EINVAL);
	assert_int_equal(td_parse_i64("   ", &v), TD_EINVAL);
	assert_int_equal(td_parse_i64("12x", &v), TD_EINVAL);
	assert_int_equal(td_parse_i64("x12", &v), TD_EINVAL);
	assert_int_equal(td_parse_i64("1 2", &v), TD_EINVAL);
	assert_int_equal(td_parse_i64(NULL, &v), TD_EINVAL);
	assert_int_equal(v, 5);

	size_t r = 0;
	assert_int_equal(td_size_add(SIZE_MAX - 1, 1, &r), 0);
	assert_true(r == SIZE_MAX);
	assert_int_equal(td_size_add(SIZE_MAX, 1, &r), TD_ETOOBIG);
	assert_int_equal(td_size_mul(0, SIZE_MAX, &r), 0);
	assert_int_equal(r, 0);
	assert_int_equal(td_size_mul(SIZE_MAX / 2, 2, &r), 0);
	assert_int_equal(td_size_mul(SIZE_MAX / 2 + 1, 2, &r), TD_ETOOBIG);
	assert_int_equal(td_size_mul((size_t)1 << 32, (size_t)1 << 32, &r),
			 TD_ETOOBIG);
}

/* ---- UTF-8 -------------------------------------------------------------- */

static const struct {
	const char *s;
	size_t len;
	int valid;
	const char *clean; /* td_utf8_clean result */
} utf8_cases[] = {
#define U(lit, v, c) { lit, sizeof(lit) - 1, v, c }
	U("", 1, ""),
	U("plain ascii", 1, "plain ascii"),
	U("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 1,
	  "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
	U("\xc2\x80 \xdf\xbf \xe0\xa0\x80 \xef\xbf\xbf", 1,
	  "\xc2\x80 \xdf\xbf \xe0\xa0\x80 \xef\xbf\xbf"),
	U("\xf0\x90\x80\x80 \xf4\x8f\xbf\xbf", 1, "\xf0\x90\x80\x80 \xf4\x8f\xbf\xbf"),
	/* overlong forms */
	U("a\xc0\xafz", 0, "a\xef\xbf\xbdz"),
	U("a\xc1\xbfz", 0, "a\xef\xbf\xbdz"),
	U("a\xe0\x80\xafz", 0, "a\xef\xbf\xbdz"),
	U("a\xe0\x9f\xbfz", 0, "a\xef\xbf\xbdz"),
	U("a\xf0\x80\x80\xafz", 0, "a\xef\xbf\xbdz"),
	U("a\xf0\x8f\xbf\xbfz", 0, "a\xef\xbf\xbdz"),
	U("\xc0\x80", 0, "\xef\xbf\xbd"), /* overlong NUL */
	/* UTF-16 surrogates */
	U("a\xed\xa0\x80z", 0, "a\xef\xbf\xbdz"),
	U("a\xed\xbf\xbfz", 0, "a\xef\xbf\xbdz"),
	U("\xed\xa0\xbd\xed\xb8\x80", 0, "\xef\xbf\xbd\xef\xbf\xbd"),
	U("\xed\x9f\xbf", 1, "\xed\x9f\xbf"), /* U+D7FF is fine */
	/* beyond U+10FFFF, and bytes that never start a sequence */
	U("a\xf4\x90\x80\x80z", 0, "a\xef\xbf\xbdz"),
	U("a\xf5\x80\x80\x80z", 0, "a\xef\xbf\xbdz"),
	U("a\xf8\x88\x80\x80\x80z", 0, "a\xef\xbf\xbdz"),
	U("a\xfc\x84\x80\x80\x80\x80z", 0, "a\xef\xbf\xbdz"),
	U("a\xfe\xffz", 0, "a\xef\xbf\xbd\xef\xbf\xbdz"),
	/* truncated sequences, at the end and in the middle */
	U("a\xe2\x82", 0, "a\xef\xbf\xbd"),
	U("a\xf0\x9f\x98", 0, "a\xef\xbf\xbd"),
	U("\xc3", 0, "\xef\xbf\xbd"),
	U("\xe2\x82z", 0, "\xef\xbf\xbdz"),
	U("\xf0\x9f\x98\xc3\xa9", 0, "\xef\xbf\xbd\xc3\xa9"),
	/* lone continuation bytes */
	U("\x80", 0, "\xef\xbf\xbd"),
	U("a\x80\xbfz", 0, "a\xef\xbf\xbdz"), /* one per broken run */
	/* control characters: kept tab/LF/CR, dropped others and NUL */
	U("a\tb\nc\rd", 1, "a\tb\nc\rd"),
	U("a\x01\x1f\x7f" "b", 1, "ab"),
	U("a\0b", 1, "ab"),
#undef U
};

static void test_utf8_valid_clean(void **state)
{
	for (size_t i = 0; i < sizeof utf8_cases / sizeof utf8_cases[0]; i++) {
		size_t outlen = 12345;
		int v = td_utf8_valid(utf8_cases[i].s, utf8_cases[i].len);
		if (v != utf8_cases[i].valid)
			fail_msg("case %zu: valid %d", i, v);
		char *c = td_utf8_clean(utf8_cases[i].s, utf8_cases[i].len,
					&outlen);
		assert_non_null(c);
		if (strcmp(c, utf8_cases[i].clean) ||
		    outlen != strlen(utf8_cases[i].clean))
			fail_msg("case %zu: clean gave \"%s\"", i, c);
		assert_true(td_utf8_valid(c, outlen));
		/* cleaning is idempotent */
		size_t l2;
		char *c2 = td_utf8_clean(c, outlen, &l2);
		assert_string_equal(c, c2);
		free(c2);
		free(c);
	}
	size_t n;
	char *c = td_utf8_clean(NULL, 0, &n);
	assert_string_equal(c, "");
	assert_int_equal(n, 0);
	free(c);
	c = td_utf8_clean("ab", 2, NULL);
	assert_string_equal(c, "ab");
	free(c);
}

static void test_utf8_cut(void **state)
{
	const char *s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z"; /* 1+2+3+4+1 */
	size_t len = strlen(s);
	assert_int_equal(td_utf8_cut(s, len, 100), len);
	assert_int_equal(td_utf8_cut(s, len, len), len);
	assert_int_equal(td_utf8_cut(s, len, 0), 0);
	assert_int_equal(td_utf8_cut(s, len, 1), 1);
	assert_int_equal(td_utf8_cut(s, len, 2), 1); /* inside é */
	assert_int_equal(td_utf8_cut(s, len, 3), 3);
	assert_int_equal(td_utf8_cut(s, len, 4), 3); /* inside € */
	assert_int_equal(td_utf8_cut(s, len, 5), 3);
	assert_int_equal(td_utf8_cut(s, len, 6), 6);
	assert_int_equal(td_utf8_cut(s, len, 7), 6); /* inside 😀 */
	assert_int_equal(td_utf8_cut(s, len, 9), 6);
	assert_int_equal(td_utf8_cut(s, len, 10), 10);
	for (size_t m = 0; m <= len; m++)
		assert_true(td_utf8_valid(s, td_utf8_cut(s, len, m)));
	assert_int_equal(td_utf8_cut("", 0, 0), 0);
}

/* ---- files -------------------------------------------------------------- */

static void test_read_file(void **state)
{
	char path[] = "/tmp/td_core_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	char data[100000];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (char)(i * 7);
	assert_int_equal(write(fd, data, sizeof data), (ssize_t)sizeof data);
	close(fd);
	char *out = NULL;
	size_t len = 0;
	struct td_error err = { 0 };
	assert_int_equal(td_read_file(path, sizeof data, &out, &len, &err), 0);
	assert_int_equal(len, sizeof data);
	assert_memory_equal(out, data, sizeof data);
	assert_int_equal(out[len], '\0');
	free(out);
	assert_int_equal(td_read_file(path, sizeof data - 1, &out, &len, &err),
			 TD_ETOOBIG);
	assert_int_equal(err.code, TD_ETOOBIG);
	assert_non_null(strstr(err.msg, path));
	unlink(path);
	assert_int_equal(td_read_file(path, 10, &out, &len, &err), TD_EIO);
	assert_non_null(strstr(err.msg, "No such file"));
	assert_int_equal(td_read_file(path, 10, &out, &len, NULL), TD_EIO);
	/* empty file */
	memcpy(path + strlen(path) - 6, "XXXXXX", 6);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(td_read_file(path, 10, &out, &len, &err), 0);
	assert_int_equal(len, 0);
	assert_string_equal(out, "");
	free(out);
	unlink(path);
}

/* ---- URLs --------------------------------------------------------------- */

static void check_resolve(const char *base, const char *ref, const char *want)
{
	char *got = td_url_resolve(base, ref);
	if (!want) {
		if (got)
			fail_msg("resolve(%s, %s) = %s, want NULL", nz(base),
				 nz(ref), got);
		return;
	}
	if (!got || strcmp(got, want))
		fail_msg("resolve(%s, %s) = %s, want %s", nz(base), nz(ref),
			 nz(got), want);
	free(got);
}

static void test_url_resolve_rfc3986(void **state)
{
	/* RFC 3986 section 5.4.1 and 5.4.2 */
	static const char *cases[][2] = {
		{ "g:h", "g:h" },
		{ "g", "http://a/b/c/g" },
		{ "./g", "http://a/b/c/g" },
		{ "g/", "http://a/b/c/g/" },
		{ "/g", "http://a/g" },
		{ "//g", "http://g/" },
		{ "?y", "http://a/b/c/d;p?y" },
		{ "g?y", "http://a/b/c/g?y" },
		{ "#s", "http://a/b/c/d;p?q#s" },
		{ "g#s", "http://a/b/c/g#s" },
		{ "g?y#s", "http://a/b/c/g?y#s" },
		{ ";x", "http://a/b/c/;x" },
		{ "g;x", "http://a/b/c/g;x" },
		{ "g;x?y#s", "http://a/b/c/g;x?y#s" },
		{ ".", "http://a/b/c/" },
		{ "./", "http://a/b/c/" },
		{ "..", "http://a/b/" },
		{ "../", "http://a/b/" },
		{ "../g", "http://a/b/g" },
		{ "../..", "http://a/" },
		{ "../../", "http://a/" },
		{ "../../g", "http://a/g" },
		/* abnormal examples */
		{ "../../../g", "http://a/g" },
		{ "../../../../g", "http://a/g" },
		{ "/./g", "http://a/g" },
		{ "/../g", "http://a/g" },
		{ "g.", "http://a/b/c/g." },
		{ ".g", "http://a/b/c/.g" },
		{ "g..", "http://a/b/c/g.." },
		{ "..g", "http://a/b/c/..g" },
		{ "./../g", "http://a/b/g" },
		{ "./g/.", "http://a/b/c/g/" },
		{ "g/./h", "http://a/b/c/g/h" },
		{ "g/../h", "http://a/b/c/h" },
		{ "g;x=1/./y", "http://a/b/c/g;x=1/y" },
		{ "g;x=1/../y", "http://a/b/c/y" },
		{ "g?y/./x", "http://a/b/c/g?y/./x" },
		{ "g?y/../x", "http://a/b/c/g?y/../x" },
		{ "g#s/./x", "http://a/b/c/g#s/./x" },
		{ "g#s/../x", "http://a/b/c/g#s/../x" },
		/* the non-strict reading, as browsers do */
		{ "http:g", "http://a/b/c/g" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_resolve("http://a/b/c/d;p?q", cases[i][0], cases[i][1]);
	/* the empty reference (5.4.1 "" -> base): a NULL ref is the empty
	 * reference (the base without its fragment); an empty string links
	 * nowhere, as url.h documents */
	check_resolve("http://a/b/c/d;p?q", NULL, "http://a/b/c/d;p?q");
	check_resolve("http://a/b/c/d;p?q#f", NULL, "http://a/b/c/d;p?q");
	check_resolve("http://a/b/c/d;p?q", "", NULL);
	/* the same with backslashes, which browsers read as slashes */
	check_resolve("http://a/b/c/d;p?q", "..\\..\\g", "http://a/g");
	check_resolve("http://a/b/c/d;p?q", "\\\\g\\h", "http://g/h");
	check_resolve("http://a/b/c/d;p?q", "g\\.\\h\\..\\i", "http://a/b/c/g/i");
}

static void test_url_resolve_more(void **state)
{
	/* protocol-relative keeps the base's scheme */
	check_resolve("https://a.example/x", "//cdn.example/i.png",
		      "https://cdn.example/i.png");
	check_resolve("http://a.example/x", "//cdn.example",
		      "http://cdn.example/");
	/* whitespace: trimmed at the ends, tabs and newlines removed inside,
	 * inner spaces encoded */
	check_resolve("http://a/b/", "  \t\n g h.html \r\n",
		      "http://a/b/g%20h.html");
	check_resolve("http://a/b/", "ht\ttp://x/\ny", "http://x/y");
	/* empty references link nowhere */
	check_resolve("http://a/b", "", NULL);
	check_resolve("http://a/b", "   \t", NULL);
	/* no reference: the base itself, normalised */
	check_resolve("HTTP://a/b/../c", NULL, "http://a/c");
	check_resolve(NULL, NULL, NULL);
	/* passthrough of non-hierarchical schemes */
	check_resolve("http://a/", "mailto:Someone@Example.org?subject=hi",
		      "mailto:Someone@Example.org?subject=hi");
	check_resolve("http://a/", "data:image/png;base64,iVBOR=",
		      "data:image/png;base64,iVBOR=");
	check_resolve(NULL, "javascript:alert(1)", "javascript:alert(1)");
	check_resolve(NULL, "tag:example.org,2004:1", "tag:example.org,2004:1");
	/* relative without a usable base */
	check_resolve(NULL, "g", NULL);
	check_resolve("", "/g", NULL);
	check_resolve("not a url", "g", NULL);
	check_resolve("mailto:x@y", "g", NULL);
	/* absolute refs ignore the base */
	check_resolve("http://a/b", "https://B.example:8443/p?q#f",
		      "https://b.example:8443/p?q#f");
	check_resolve(NULL, "HTTP://x/%7e/a/../b", "http://x/%7e/b");
	check_resolve(NULL, "http://x/\xc3\xa9t\xc3\xa9", "http://x/%C3%A9t%C3%A9");
	check_resolve(NULL, "http://[::1]:8080/x", "http://[::1]:8080/x");
	/* file: */
	check_resolve("file:///srv/list.opml", "feeds/a.xml",
		      "file:///srv/feeds/a.xml");
	check_resolve("file:///srv/a/list.opml", "../b c.xml",
		      "file:///srv/b%20c.xml");
	check_resolve(NULL, "file:///tmp/x", "file:///tmp/x");
	check_resolve("file:///srv/x", "#top", "file:///srv/x#top");
	/* a base with a fragment */
	check_resolve("http://a/b/c#frag", "d", "http://a/b/d");
	check_resolve("http://a/b/c#frag", "#new", "http://a/b/c#new");
	/* a file: URL without slashes has a path and no host; a host is
	 * percent-decoded and must then be text without forbidden characters
	 * (found by fuzz_url/fuzz_discover) */
	check_resolve("http://a/b", "file:'/tpm//ae:/x", "file:///'/tpm//ae:/x");
	check_resolve("http://a/b", "http://feeds.ex%db/x", NULL);
	check_resolve("http://a/b", "http://a%20b/", NULL);
	check_resolve("http://a/b", "http://exa%41mple.com/", "http://exaample.com/");
	/* international host names stay as UTF-8 */
	check_resolve(NULL, "http://b\xc3\xbc" "cher.de/x", "http://b\xc3\xbc" "cher.de/x");
	/* too long */
	char *longref = malloc(10000);
	memcpy(longref, "http://a/", 9);
	memset(longref + 9, 'x', 10000 - 10);
	longref[9999] = '\0';
	assert_null(td_url_resolve(NULL, longref));
	free(longref);
}

/* Each case resolves to want, and what it gives reads back as itself. */
struct rcase {
	const char *base, *ref, *want;
};

static void check_rcases(const struct rcase *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		check_resolve(c[i].base, c[i].ref, c[i].want);
		if (!c[i].want)
			continue;
		check_resolve(NULL, c[i].want, c[i].want);
	}
}

static void test_url_lenient(void **state)
{
	static const struct rcase cases[] = {
		/* C0 controls and spaces trimmed, tab/CR/LF removed, other
		 * controls and DEL encoded */
		{ NULL, "\x01\x1f http://a/x \x1f", "http://a/x" },
		{ NULL, "http://a/x\x01y\x7fz", "http://a/x%01y%7Fz" },
		{ NULL, "h\tt\rt\np://a/\tb", "http://a/b" },
		/* backslashes are slashes in http(s) and file URLs, not in
		 * the query or fragment */
		{ NULL, "http:\\\\a\\b\\c", "http://a/b/c" },
		{ "https://x/y", "\\\\cdn\\i.png", "https://cdn/i.png" },
		{ "http://x/y", "/a\\b\\..\\c", "http://x/a/c" },
		{ NULL, "http://a/?x\\y#z\\w", "http://a/?x\\y#z\\w" },
		{ NULL, "file:///a\\b", "file:///a/b" },
		/* scheme and host lower-cased, path kept */
		{ NULL, "HTTPS://A.EXAMPLE/Path", "https://a.example/Path" },
		/* http: followed by any number of slashes names the host */
		{ NULL, "http:a/b", "http://a/b" },
		{ NULL, "http:///a/b", "http://a/b" },
		{ "https://x/y", "http:g", "http://g/" },
		{ "http://x/y/z", "http:/g", "http://x/g" },
		{ "http://x/y?q#f", "http:", "http://x/y?q" },
		/* international host names: UTF-8, lower-cased, no IDNA */
		{ NULL, "http://B\xc3\x9c" "CHER.de/", "http://b\xc3\xbc" "cher.de/" },
		{ NULL, "http://ex%C3%A9.com/", "http://ex\xc3\xa9.com/" },
		{ NULL, "http://xn--bcher-kva.de/", "http://xn--bcher-kva.de/" },
		{ NULL, "http://a\xff/", NULL },
		{ NULL, "http://a%ff/", NULL },
		{ NULL, "http://a\xc2\x85/", NULL }, /* C1 control */
		/* forbidden host characters, raw or percent-encoded */
		{ NULL, "http://a b/", NULL },
		{ NULL, "http://a<b/", NULL },
		{ NULL, "http://a>b/", NULL },
		{ NULL, "http://a^b/", NULL },
		{ NULL, "http://a|b/", NULL },
		{ NULL, "http://a%b/", NULL },
		{ NULL, "http://a%25b/", NULL },
		{ NULL, "http://a%2Fb/", NULL },
		{ NULL, "http://a%3Fb/", NULL },
		{ NULL, "http://a%23b/", NULL },
		{ NULL, "http://a%40b/", NULL },
		{ NULL, "http://a%00b/", NULL },
		{ NULL, "http://a\x01" "b/", NULL },
		{ NULL, "http://a[b/", NULL },
		/* empty hosts */
		{ NULL, "http://", NULL },
		{ NULL, "http:///", NULL },
		{ NULL, "http://u@/x", NULL },
		{ NULL, "http://:80/", NULL },
		{ "http://a/b", "//", NULL },
		/* userinfo: the last @ ends it, the first : splits it */
		{ NULL, "http://user:pw@h/x", "http://user:pw@h/x" },
		{ NULL, "http://u:p@a@b/", "http://u:p%40a@b/" },
		{ NULL, "http://u:p:q@h/", "http://u:p%3Aq@h/" },
		{ NULL, "http://@h/", "http://h/" },
		{ NULL, "http://u:@h/", "http://u@h/" },
		{ NULL, "http://:p@h/", "http://:p@h/" },
		/* what a component does not allow is encoded (uppercase hex),
		 * what is already encoded is kept as it is */
		{ NULL, "http://a/b c?d e#f g", "http://a/b%20c?d%20e#f%20g" },
		{ NULL, "http://a/\xc3\xa9?\xc3\xa9#\xc3\xa9",
		  "http://a/%C3%A9?%C3%A9#%C3%A9" },
		{ NULL, "http://a/\xff\xfe", "http://a/%FF%FE" },
		{ NULL, "http://a/\"<>`{}|^[]?\"'<>`{}|^#\"<>`{}|^",
		  "http://a/%22%3C%3E%60%7B%7D|^[]?%22%27%3C%3E`{}|^#%22%3C%3E%60{}|^" },
		{ NULL, "http://a/%20%zz%2?%41#%", "http://a/%20%zz%2?%41#%" },
		{ NULL, "http://a/%c3%a9/%C3%A9", "http://a/%c3%a9/%C3%A9" },
		{ NULL, "http://a/%2e%2E/x", "http://a/%2e%2E/x" },
		{ NULL, "http://a/?#", "http://a/?#" },
		{ NULL, "http://a/b?c#d#e?f", "http://a/b?c#d#e?f" },
		/* ports: numeric, at most 65535, default dropped */
		{ NULL, "http://a:80/", "http://a/" },
		{ NULL, "https://a:443/x", "https://a/x" },
		{ NULL, "ftp://a:21/x", "ftp://a/x" },
		{ NULL, "http://a:443/", "http://a:443/" },
		{ NULL, "https://a:80/", "https://a:80/" },
		{ NULL, "http://a:0080/", "http://a/" },
		{ NULL, "http://a:08080/", "http://a:8080/" },
		{ NULL, "http://a:/x", "http://a/x" },
		{ NULL, "http://a:65535/", "http://a:65535/" },
		{ NULL, "http://a:65536/", NULL },
		{ NULL, "http://a:99999999999999999999/", NULL },
		{ NULL, "http://a:x/", NULL },
		{ NULL, "http://a:-1/", NULL },
		{ NULL, "http://a:+1/", NULL },
		{ NULL, "http://a:1:2/", NULL },
		/* empty path */
		{ NULL, "http://a", "http://a/" },
		{ NULL, "http://a?q", "http://a/?q" },
		{ NULL, "http://a#f", "http://a/#f" },
		{ NULL, "https://a.example:8443", "https://a.example:8443/" },
		/* IPv6 literals, validated and written compressed */
		{ NULL, "http://[::1]:8080/x", "http://[::1]:8080/x" },
		{ NULL, "http://[0:0:0:0:0:0:0:1]/", "http://[::1]/" },
		{ NULL, "http://[2001:DB8::1]/", "http://[2001:db8::1]/" },
		{ NULL, "http://[1:0:0:2:0:0:0:3]/", "http://[1:0:0:2::3]/" },
		{ NULL, "http://[1:0:0:0:2:3:4:5]/", "http://[1::2:3:4:5]/" },
		{ NULL, "http://[1:2:3:4:5:6:7:0]/", "http://[1:2:3:4:5:6:7:0]/" },
		{ NULL, "http://[::]/", "http://[::]/" },
		{ NULL, "http://[::ffff:1.2.3.4]/", "http://[::ffff:102:304]/" },
		{ NULL, "http://[::1/", NULL },
		{ NULL, "http://[::1]x/", NULL },
		{ NULL, "http://[fe80::1%25eth0]/", NULL },
		{ NULL, "http://[1:2:3:4:5:6:7:8:9]/", NULL },
		{ NULL, "http://[g::1]/", NULL },
		{ NULL, "http://[]/", NULL },
		/* IPv4: a host ending in a number is an address */
		{ NULL, "http://0x7f.1/", "http://127.0.0.1/" },
		{ NULL, "http://0177.0.0.1/", "http://127.0.0.1/" },
		{ NULL, "http://127.0.0.1./", "http://127.0.0.1/" },
		{ NULL, "http://4294967295/", "http://255.255.255.255/" },
		{ NULL, "http://22./x", "http://0.0.0.22/x" },
		{ NULL, "http://4294967296/", NULL },
		{ NULL, "http://1.2.3.4.5/", NULL },
		{ NULL, "http://256.1.1.1/", NULL },
		{ NULL, "http://1.256.65536/", NULL },
		{ NULL, "http://a.123/", NULL },
		{ NULL, "http://1..2/", NULL },
		{ NULL, "http://0x/", "http://0.0.0.0/" },
		{ NULL, "http://09/", NULL },
		{ NULL, "http://123.a/", "http://123.a/" },
		{ NULL, "http://a.0x1g/", "http://a.0x1g/" },
		{ NULL, "http://host.example./x", "http://host.example./x" },
		/* non-hierarchical schemes: as given, never resolved; only what
		 * is not printable text is encoded */
		{ "http://a/", "MAILTO:Someone@Example.org", "MAILTO:Someone@Example.org" },
		{ NULL, "mailto:a b@x", "mailto:a%20b@x" },
		{ NULL, "mailto:\xc3\xa9@x\xff", "mailto:\xc3\xa9@x%FF" },
		{ NULL, "data:text/plain,a\x7f" "b", "data:text/plain,a%7Fb" },
		{ NULL, "urn:isbn:0451450523", "urn:isbn:0451450523" },
		{ NULL, "feed://example.com/rss", "feed://example.com/rss" },
		{ NULL, " javascript:alert(1)\n", "javascript:alert(1)" },
		{ "urn:x", "g", NULL },
		{ "data:text/html,x", "#f", NULL },
		{ "feed://example.com/rss", "g", NULL },
		{ "mailto:a@b", "?q", NULL },
		/* a scheme starts with a letter: "1x:y" is a relative path */
		{ "http://a/b/", "1x:y", "http://a/b/1x:y" },
		{ "http://a/b/", "./c:d", "http://a/b/c:d" },
		/* ftp resolves like http */
		{ "ftp://a/b/c", "d", "ftp://a/b/d" },
		{ "ftp://a/b/c", "//e/f", "ftp://e/f" },
		/* file: */
		{ NULL, "file:x", "file:///x" },
		{ NULL, "file:/x/y", "file:///x/y" },
		{ NULL, "FILE:///X/Y", "file:///X/Y" },
		{ NULL, "file://localhost/etc/x", "file:///etc/x" },
		{ NULL, "file://LOCALHOST/etc/x", "file:///etc/x" },
		{ NULL, "file://server/share/x", "file://server/share/x" },
		{ NULL, "file:///C:/x/y", "file:///C:/x/y" },
		{ NULL, "file://h:80/", NULL },
		{ NULL, "file://u@h/", NULL },
		{ "file:///srv/a/b.opml", "//h/x", "file://h/x" },
		{ "file:///srv/a/b.opml", "file:c.xml", "file:///srv/a/c.xml" },
		{ "file:///srv/a/b.opml", "/c.xml", "file:///c.xml" },
		{ "file:///srv/a/b.opml", "?q", "file:///srv/a/b.opml?q" },
		/* query-only, fragment-only, protocol-relative */
		{ "http://a/b?q#f", "?", "http://a/b?" },
		{ "http://a/b?q#f", "#", "http://a/b?q#" },
		{ "http://a/b?q#f", "?x#y", "http://a/b?x#y" },
		{ "http://a/b/c", "#s", "http://a/b/c#s" },
		{ "http://a", "g", "http://a/g" },
		{ "https://a:8443/x", "//b/y", "https://b/y" },
		{ "https://u:p@a:8443/x/y", "z", "https://u:p@a:8443/x/z" },
		/* a base that is not a URL */
		{ "", "g", NULL },
		{ "   ", "g", NULL },
		{ "http://", "g", NULL },
		{ "http://a:99999/", "g", NULL },
		{ "/relative/base", "g", NULL },
	};
	check_rcases(cases, sizeof cases / sizeof cases[0]);
}

static void test_url_limits(void **state)
{
	size_t max = 8192; /* TD_MAX_URL_BYTES */
	char *u = malloc(3 * max + 16);
	assert_non_null(u);
	/* exactly at the limit, and one byte over */
	memcpy(u, "http://a/", 9);
	memset(u + 9, 'x', max - 9);
	u[max] = '\0';
	char *r = td_url_resolve(NULL, u);
	assert_non_null(r);
	assert_int_equal(strlen(r), max);
	free(r);
	u[max] = 'x';
	u[max + 1] = '\0';
	assert_null(td_url_resolve(NULL, u));
	assert_null(td_url_canonical(u));
	/* surrounding spaces do not count */
	memmove(u + 2, u, max + 2);
	u[0] = u[1] = ' ';
	u[max + 2] = ' ';
	u[max + 3] = '\0';
	r = td_url_resolve(NULL, u);
	assert_non_null(r);
	free(r);
	/* the result is bounded too: encoding triples non-ASCII bytes */
	memcpy(u, "http://a/", 9);
	memset(u + 9, '\xff', 4000);
	u[4009] = '\0';
	assert_null(td_url_resolve(NULL, u));
	/* base and reference together */
	memset(u + 9, 'b', 5000);
	u[5009] = '/';
	u[5010] = '\0';
	char ref[5001];
	memset(ref, 'r', 5000);
	ref[5000] = '\0';
	assert_null(td_url_resolve(u, ref));
	ref[100] = '\0';
	r = td_url_resolve(u, ref);
	assert_non_null(r);
	free(r);
	/* long opaque URLs */
	memcpy(u, "data:", 5);
	memset(u + 5, 'd', max);
	u[max + 5] = '\0';
	assert_null(td_url_resolve(NULL, u));
	free(u);
}

static void check_canon(const char *in, const char *want)
{
	char *got = td_url_canonical(in);
	if (!want) {
		if (got)
			fail_msg("canonical(%s) = %s, want NULL", nz(in), got);
		return;
	}
	if (!got || strcmp(got, want))
		fail_msg("canonical(%s) = %s, want %s", nz(in), nz(got), want);
	/* idempotent */
	char *again = td_url_canonical(got);
	if (!again || strcmp(again, got))
		fail_msg("canonical not idempotent: %s -> %s", got,
			 again ? again : "NULL");
	free(again);
	free(got);
}

static void test_url_canonical(void **state)
{
	/* tracking parameters */
	check_canon("http://example.com/a?utm_source=x&b=1&fbclid=2",
		    "http://example.com/a?b=1");
	check_canon("http://example.com/a?UTM_Medium=x&gclid=1&dclid=2&msclkid=3"
		    "&mc_cid=4&mc_eid=5&_ga=6&yclid=7&igshid=8&ref_src=9",
		    "http://example.com/a");
	check_canon("http://e.com/?pk_campaign=1&pk_x=2&id=3", "http://e.com/?id=3");
	check_canon("http://e.com/?utm_=1&utmx=2", "http://e.com/?utm_=1&utmx=2");
	check_canon("http://e.com/?a=1&&b=2&", "http://e.com/?a=1&b=2");
	check_canon("http://e.com/?fbclid", "http://e.com/");
	check_canon("http://e.com/p?x=utm_source", "http://e.com/p?x=utm_source");
	/* order of the rest is kept */
	check_canon("http://e.com/?z=1&a=2", "http://e.com/?z=1&a=2");
	/* fragment, case, default port, empty query, trailing dot */
	check_canon("HTTP://Example.COM/Path#frag", "http://example.com/Path");
	check_canon("https://a.example:443", "https://a.example/");
	check_canon("http://a.example:80/", "http://a.example/");
	check_canon("http://a.example:8080/x", "http://a.example:8080/x");
	check_canon("https://a.example:80/x", "https://a.example:80/x");
	check_canon("http://a.example/x?", "http://a.example/x");
	check_canon("http://a.example/x?#", "http://a.example/x");
	check_canon("http://www.Example.com./x", "http://www.example.com/x");
	/* every trailing dot goes; a host that becomes a number is read as
	 * an address, and canonical stays idempotent (found by fuzz_url) */
	check_canon("http://Ex...../#a", "http://ex/");
	check_canon("https://22./p.l", "https://0.0.0.22/p.l");
	check_canon("http://0x7f.1../x", "http://127.0.0.1/x");
	check_canon("http://./x", "http://./x");
	check_canon("http://1.2.3.4.5../", NULL);
	check_canon("http://[::1]:80/x#y", "http://[::1]/x");
	check_canon("HTTP://B\xc3\x9c" "CHER.de./\xc3\xa9",
		    "http://b\xc3\xbc" "cher.de/%C3%A9");
	/* credentials dropped, dot segments removed, spaces encoded */
	check_canon("http://user:pw@a.example/x", "http://a.example/x");
	check_canon("http://@a.example/x", "http://a.example/x");
	check_canon("http://a.example/x?utm_source=a#f", "http://a.example/x");
	check_canon("http://a.example/?q=\"'<>", "http://a.example/?q=%22%27%3C%3E");
	check_canon("http://a.example/x?%20=1&utm_a&b", "http://a.example/x?%20=1&b");
	check_canon("http://a/b/./c/../d", "http://a/b/d");
	check_canon("http://a/x y", "http://a/x%20y");
	check_canon(" http://a/x ", "http://a/x");
	/* file: kept; other schemes and relative refs are not canonical */
	check_canon("file:///tmp/x#y", "file:///tmp/x");
	check_canon("ftp://a/x", NULL);
	check_canon("mailto:x@y", NULL);
	check_canon("/relative", NULL);
	check_canon("", NULL);
	check_canon(NULL, NULL);

	char *h = td_url_host("HTTPS://Sub.Example.ORG:8443/x");
	assert_string_equal(h, "sub.example.org");
	free(h);
	assert_null(td_url_host("/x"));
	assert_null(td_url_host(NULL));
	static const char *hosts[][2] = {
		{ "http://[::1]:8080/", "[::1]" },
		{ "http://B%C3%9C.de/", "b\xc3\xbc.de" },
		{ "http://0x7f.1/", "127.0.0.1" },
		{ " http://u:p@Example.COM.:81/x ", "example.com." },
		{ "file://server/x", "server" },
		{ "file:///x", NULL },
		{ "file://localhost/x", NULL },
		{ "mailto:x@y", NULL },
		{ "feed://example.com/", NULL },
		{ "http://a b/", NULL },
		{ "", NULL },
	};
	for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
		h = td_url_host(hosts[i][0]);
		if (hosts[i][1])
			assert_string_equal(nz(h), hosts[i][1]);
		else
			assert_null(h);
		free(h);
	}
	assert_true(td_url_is_http("http://a/"));
	assert_true(td_url_is_http("HTTPS://a/"));
	assert_false(td_url_is_http("file:///a"));
	assert_false(td_url_is_http("httpx://a"));
	assert_false(td_url_is_http(NULL));
}

static void test_url_paths(void **state)
{
	char *u, *p;
	u = td_url_from_path("/srv/a b/100%/x#1?.xml");
	assert_string_equal(u, "file:///srv/a%20b/100%25/x%231%3F.xml");
	p = td_url_to_path(u);
	assert_string_equal(p, "/srv/a b/100%/x#1?.xml");
	free(u);
	free(p);
	u = td_url_from_path("/srv/./a/../b.xml");
	assert_string_equal(u, "file:///srv/b.xml");
	free(u);
	u = td_url_from_path("/t/\xc3\xa9.xml");
	p = td_url_to_path(u);
	assert_string_equal(p, "/t/\xc3\xa9.xml");
	free(u);
	free(p);

	/* relative paths against a working directory with odd characters */
	char cwd[PATH_MAX], dir[] = "/tmp/td core 100%_XXXXXX";
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chdir(dir), 0);
	u = td_url_from_path("examples/sources.opml");
	p = td_url_to_path(u);
	char want[PATH_MAX + 64];
	snprintf(want, sizeof want, "%s/examples/sources.opml", dir);
	assert_string_equal(p, want);
	assert_non_null(strstr(u, "file:///tmp/td%20core%20100%25_"));
	free(u);
	free(p);
	u = td_url_from_path("../x.xml");
	assert_string_equal(u, "file:///tmp/x.xml");
	free(u);
	u = td_url_from_path("./a/./b");
	snprintf(want, sizeof want, "%s/a/b", dir);
	p = td_url_to_path(u);
	assert_string_equal(p, want);
	free(u);
	free(p);
	assert_int_equal(chdir(cwd), 0);
	rmdir(dir);

	assert_null(td_url_to_path("http://a/x"));
	assert_null(td_url_to_path(NULL));
	p = td_url_to_path("FILE:///x/y%20z");
	assert_string_equal(p, "/x/y z");
	free(p);
	/* backslashes in a file name survive the round trip */
	u = td_url_from_path("/srv/a\\b/c");
	assert_string_equal(u, "file:///srv/a%5Cb/c");
	p = td_url_to_path(u);
	assert_string_equal(p, "/srv/a\\b/c");
	free(u);
	free(p);
	/* only local files; a %00 would cut the path */
	assert_null(td_url_to_path("file://server/x"));
	assert_null(td_url_to_path("file:///a%00b"));
	p = td_url_to_path("file://localhost/x/%zz%41%2");
	assert_string_equal(p, "/x/%zzA%2");
	free(p);
	p = td_url_to_path("file:///a/../b/./c");
	assert_string_equal(p, "/b/c");
	free(p);
}

/* ---- time --------------------------------------------------------------- */

static void check_time(int64_t y, unsigned mo, unsigned d, unsigned h,
		       unsigned mi, unsigned s, int64_t want, const char *iso)
{
	char out[32];
	int64_t t = td_timegm(y, mo, d, h, mi, s);
	if (t != want)
		fail_msg("timegm %lld-%u-%u = %lld, want %lld", (long long)y, mo,
			 d, (long long)t, (long long)want);
	assert_string_equal(td_time_rfc3339(t, out), iso);
}

static void test_time_known(void **state)
{
	check_time(1970, 1, 1, 0, 0, 0, 0, "1970-01-01T00:00:00Z");
	check_time(2024, 1, 6, 1, 10, 0, 1704503400, "2024-01-06T01:10:00Z");
	check_time(2000, 2, 29, 12, 0, 0, 951825600, "2000-02-29T12:00:00Z");
	check_time(2000, 3, 1, 0, 0, 0, 951868800, "2000-03-01T00:00:00Z");
	check_time(1900, 3, 1, 0, 0, 0, -2203891200, "1900-03-01T00:00:00Z");
	check_time(1900, 2, 28, 0, 0, 0, -2203977600, "1900-02-28T00:00:00Z");
	check_time(2100, 3, 1, 0, 0, 0, 4107542400, "2100-03-01T00:00:00Z");
	check_time(2038, 1, 19, 3, 14, 8, 2147483648, "2038-01-19T03:14:08Z");
	check_time(1969, 12, 31, 23, 59, 59, -1, "1969-12-31T23:59:59Z");
	check_time(1901, 12, 13, 20, 45, 52, -2147483648LL,
		   "1901-12-13T20:45:52Z");
	check_time(1, 1, 1, 0, 0, 0, -62135596800LL, "0001-01-01T00:00:00Z");
	check_time(9999, 12, 31, 23, 59, 59, 253402300799LL,
		   "9999-12-31T23:59:59Z");
	check_time(2024, 12, 31, 23, 59, 60, 1735689600, "2025-01-01T00:00:00Z");
	assert_int_equal(td_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(td_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(td_days_from_civil(2000, 1, 1), 10957);

	char out[32];
	assert_string_equal(td_time_rfc1123(1704503400, out),
			    "Sat, 06 Jan 2024 01:10:00 GMT");
	assert_string_equal(td_time_rfc1123(0, out),
			    "Thu, 01 Jan 1970 00:00:00 GMT");
	assert_string_equal(td_time_rfc1123(-86400, out),
			    "Wed, 31 Dec 1969 00:00:00 GMT");
	assert_string_equal(td_time_rfc1123(951782400, out),
			    "Tue, 29 Feb 2000 00:00:00 GMT");
	/* extremes format without overflow */
	assert_non_null(td_time_rfc3339(INT64_MAX, out));
	assert_non_null(td_time_rfc3339(TD_TIME_NONE, out));
	assert_true(strlen(out) < 32);
	assert_non_null(td_time_rfc1123(INT64_MIN, out));
}

static void test_time_against_libc(void **state)
{
	/* every day from 1600 to 2400 at a varying time of day, checked
	 * against glibc's gmtime_r both ways */
	int64_t from = td_timegm(1600, 1, 1, 0, 0, 0);
	int64_t to = td_timegm(2400, 12, 31, 0, 0, 0);
	unsigned n = 0;
	for (int64_t t = from; t <= to; t += 86400 + 3607, n++) {
		time_t tt = (time_t)t;
		struct tm tm;
		assert_non_null(gmtime_r(&tt, &tm));
		int64_t back = td_timegm((int64_t)tm.tm_year + 1900,
					 (unsigned)tm.tm_mon + 1,
					 (unsigned)tm.tm_mday, (unsigned)tm.tm_hour,
					 (unsigned)tm.tm_min, (unsigned)tm.tm_sec);
		if (back != t)
			fail_msg("timegm(gmtime(%lld)) = %lld", (long long)t,
				 (long long)back);
		char want[64], got[32], got2[32], want2[64];
		strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%SZ", &tm);
		td_time_rfc3339(t, got);
		if (strcmp(want, got))
			fail_msg("rfc3339(%lld) = %s, want %s", (long long)t,
				 got, want);
		strftime(want2, sizeof want2, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		td_time_rfc1123(t, got2);
		if (strcmp(want2, got2))
			fail_msg("rfc1123(%lld) = %s, want %s", (long long)t,
				 got2, want2);
	}
	assert_true(n > 280000);
}

static void test_now(void **state)
{
	setenv("TIDINGS_NOW", "1704503400", 1);
	assert_int_equal(td_now(), 1704503400);
	setenv("TIDINGS_NOW", "-5", 1);
	assert_int_equal(td_now(), -5);
	setenv("TIDINGS_NOW", "12abc", 1); /* not a number: the real clock */
	assert_true(td_now() > 1700000000);
	unsetenv("TIDINGS_NOW");
	int64_t a = td_now(), b = (int64_t)time(NULL);
	assert_true(b - a >= 0 && b - a < 5);
}

/* td_json_text: valid text as given, invalid bytes as U+FFFD, NULL as
 * null; the writer escapes as usual. */
static void test_json_text(void **state)
{
	(void)state;
	struct td_buf b;
	td_buf_init(&b, 0);
	struct td_json j;
	td_json_init(&j, &b, 0);
	td_json_arr_begin(&j);
	td_json_text(&j, "caf\xc3\xa9 \"q\"");
	td_json_text(&j, "bad \xff\xfe end");
	td_json_textn(&j, "cut\xc3", 4);
	td_json_text(&j, NULL);
	td_json_arr_end(&j);
	assert_int_equal(td_buf_err(&b), 0);
	assert_string_equal(td_buf_cstr(&b),
			    "[\"caf\xc3\xa9 \\\"q\\\"\","
			    "\"bad \xef\xbf\xbd\xef\xbf\xbd end\","
			    "\"cut\xef\xbf\xbd\",null]");
	td_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_basics),
		cmocka_unit_test(test_buf_ceiling_sticky),
		cmocka_unit_test(test_buf_printf_growth),
		cmocka_unit_test(test_buf_detach),
		cmocka_unit_test(test_buf_utf8),
		cmocka_unit_test(test_str_helpers),
		cmocka_unit_test(test_parse_i64),
		cmocka_unit_test(test_utf8_valid_clean),
		cmocka_unit_test(test_utf8_cut),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_url_resolve_rfc3986),
		cmocka_unit_test(test_url_resolve_more),
		cmocka_unit_test(test_url_lenient),
		cmocka_unit_test(test_url_limits),
		cmocka_unit_test(test_url_canonical),
		cmocka_unit_test(test_url_paths),
		cmocka_unit_test(test_time_known),
		cmocka_unit_test(test_time_against_libc),
		cmocka_unit_test(test_now),
		cmocka_unit_test(test_json_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
