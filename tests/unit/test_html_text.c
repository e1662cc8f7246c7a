/* test_html_text.c - HTML to text (blocks, whitespace, skipped elements,
 * entities, NFC), summaries (word boundary, ellipsis, UTF-8) and the
 * truncated-excerpt test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/err.h"
#include "html/html.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void text_is(const char *html, const char *want)
{
	struct td_buf b;
	td_buf_init(&b, 0);
	assert_int_equal(html_to_text(html, strlen(html), &b), 0);
	if (strcmp(td_buf_cstr(&b), want)) {
		print_error("input: %s\nwant: [%s]\ngot:  [%s]\n", html, want,
			    td_buf_cstr(&b));
		fail();
	}
	td_buf_release(&b);
}

static void summary_is(const char *text, size_t max, const char *want)
{
	struct td_buf b;
	td_buf_init(&b, 0);
	assert_int_equal(html_summary(text, strlen(text), max, &b), 0);
	if (strcmp(td_buf_cstr(&b), want)) {
		print_error("input: %s (%zu)\nwant: [%s]\ngot:  [%s]\n", text,
			    max, want, td_buf_cstr(&b));
		fail();
	}
	assert_true(b.len <= (max ? max : 300));
	td_buf_release(&b);
}

static void test_blocks(void **state)
{
	(void)state;
	text_is("", "");
	text_is("  plain   text \n here ", "plain text here");
	text_is("<p>One</p><p>Two</p>", "One\n\nTwo");
	text_is("<h1>Title</h1>Intro<div>Block</div>tail", "Title\n\nIntro\n\nBlock\n\ntail");
	text_is("a<br>b<br><br>c", "a\nb\n\nc");
	text_is("<ul><li>one</li><li>two <b>bold</b></li></ul>after",
		"one\ntwo bold\n\nafter");
	text_is("<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>", "a\nb\nc");
	text_is("<dl><dt>term</dt><dd>def</dd></dl>", "term\ndef");
	text_is("<blockquote><p>q</p></blockquote><hr>x", "q\n\nx");
}

static void test_inline_whitespace(void **state)
{
	(void)state;
	text_is("<p>a <b>b</b><i>c</i>  d\n\te</p>", "a bc d e");
	text_is("<p>no<span>space</span></p>", "nospace");
	text_is("<p>x&nbsp;&nbsp;y\xE2\x80\x83z</p>", "x y z");
	text_is("<p>soft&shy;hyphen zero\xE2\x80\x8Bwidth</p>", "softhyphen zerowidth");
}

static void test_tables(void **state)
{
	(void)state;
	text_is("<table><tr><th>h1</th><th>h2</th></tr><tr><td>a</td><td>b"
		"</td></tr></table>",
		"h1\th2\na\tb");
	text_is("<table><caption>Cap</caption><tr><td>x</td></tr></table>",
		"Cap\nx");
}

static void test_pre(void **state)
{
	(void)state;
	text_is("<p>a</p><pre>  x = 1\n    y\n</pre><p>b</p>",
		"a\n\n  x = 1\n    y\n\n\nb");
	text_is("<pre>\nfirst</pre>", "first");
}

static void test_skipped(void **state)
{
	(void)state;
	text_is("a<script>var x = '<p>';</script>b", "ab");
	text_is("a<style>p { color: red }</style>b", "ab");
	text_is("a<template><p>t</p></template><noscript>n</noscript>b", "ab");
	text_is("a<select><option>o</option></select><textarea>t</textarea>b",
		"ab");
	text_is("a<svg><text>s</text></svg><math><mi>x</mi></math>b", "ab");
	text_is("a<div hidden>h</div>b", "ab");
	text_is("<html><head><title>T</title></head><body><p>Body</p></body>"
		"</html>",
		"Body");
	text_is("a<!-- comment -->b", "ab");
}

/* The "Embedded video: <a>" link extract.c leaves for a player is for
 * readers, not text; the same words written by an author stay. */
static void test_embed_label(void **state)
{
	(void)state;
	text_is("<p>One.</p><p>Embedded video: <a href=\"https://v.example/"
		"e\">v.example</a></p><p>Two.</p>",
		"One.\n\nTwo.");
	text_is("<p>Watch: Embedded tweet: <a href=\"https://x.com/a\">x.com"
		"</a> then read on.</p>",
		"Watch: then read on.");
	text_is("<p>Embedded by: <a href=\"/me\">me</a></p>",
		"Embedded by: me");
	text_is("<p>NotEmbedded video: <a href=\"/z\">z</a></p>",
		"NotEmbedded video: z");
	text_is("<p>Embedded video: no link here</p>",
		"Embedded video: no link here");
}

static void test_entities_nfc(void **state)
{
	(void)state;
	text_is("caf&eacute; &amp; &lt;tag&gt; &#x1F600; &quot;q&quot;",
		"caf\xC3\xA9 & <tag> \xF0\x9F\x98\x80 \"q\"");
	/* e + combining acute -> precomposed */
	text_is("Cafe\xCC\x81", "Caf\xC3\xA9");
	text_is("A&#x30A;", "\xC3\x85");
	/* invalid UTF-8 and controls */
	text_is("a\xFF" "b\x01" "c", "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c");
}

static void test_text_appends(void **state)
{
	(void)state;
	struct td_buf b;
	td_buf_init(&b, 0);
	td_buf_puts(&b, ">");
	assert_int_equal(html_to_text("<p>x</p>", 8, &b), 0);
	assert_string_equal(td_buf_cstr(&b), ">x");
	assert_int_equal(html_to_text(NULL, 0, &b), 0);
	assert_string_equal(td_buf_cstr(&b), ">x");
	td_buf_release(&b);
}

static void test_deep(void **state)
{
	(void)state;
	struct td_buf in, out;
	td_buf_init(&in, 0);
	td_buf_init(&out, 0);
	for (int i = 0; i < 50000; i++)
		td_buf_puts(&in, "<div>");
	td_buf_puts(&in, "x");
	assert_int_equal(html_to_text(in.p, in.len, &out), 0);
	td_buf_release(&in);
	td_buf_release(&out);
}

static void test_summary(void **state)
{
	(void)state;
	summary_is("", 0, "");
	summary_is("short text", 0, "short text");
	summary_is("  many   spaces\n\nand lines  ", 0, "many spaces and lines");
	summary_is("The quick brown fox jumps over the lazy dog", 20,
		   "The quick brown\xE2\x80\xA6");
	summary_is("The quick brown fox, jumps", 23, "The quick brown fox\xE2\x80\xA6");
	/* one long word: cut inside it, on a character boundary */
	summary_is("Donaudampfschifffahrtsgesellschaftskapit\xC3\xA4n", 16,
		   "Donaudampfsch\xE2\x80\xA6");
	summary_is("\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4", 9,
		   "\xC3\xA4\xC3\xA4\xC3\xA4\xE2\x80\xA6");
	/* a base letter keeps its combining mark */
	summary_is("abcde\xCC\x81" "fghijkl", 9, "abcd\xE2\x80\xA6");
	/* exactly max: untouched */
	summary_is("0123456789", 10, "0123456789");
	summary_is("0123456789 x", 4, "0123");
	/* default length */
	struct td_buf t, b;
	td_buf_init(&t, 0);
	td_buf_init(&b, 0);
	for (int i = 0; i < 200; i++)
		td_buf_puts(&t, "word ");
	assert_int_equal(html_summary(t.p, t.len, 0, &b), 0);
	assert_true(b.len <= 300 && b.len > 280);
	assert_non_null(strstr(td_buf_cstr(&b), "word\xE2\x80\xA6"));
	td_buf_release(&t);
	td_buf_release(&b);
}

static int truncated(const char *html)
{
	return html_looks_truncated(html, strlen(html));
}

/* About 1700 characters of prose followed by tail. */
static int long_truncated(const char *tail)
{
	struct td_buf b;
	td_buf_init(&b, 0);
	td_buf_puts(&b, "<p>");
	for (int i = 0; i < 60; i++)
		td_buf_puts(&b, "Lorem ipsum dolor sit amet. ");
	td_buf_puts(&b, "</p>");
	td_buf_puts(&b, tail);
	int r = truncated(td_buf_cstr(&b));
	td_buf_release(&b);
	return r;
}

static void test_truncated(void **state)
{
	(void)state;
	assert_true(truncated(""));
	assert_true(truncated("<p>A two-line summary of the story.</p>"));
	assert_false(long_truncated(""));

	static const char *const tails[] = {
		"<p><a href=\"x\">Read more</a></p>",
		"<p><a href=\"x\">Read More &raquo;</a></p>",
		"<p><a href=\"x\">Continue reading &rarr;</a></p>",
		"<p>[&hellip;]</p>",
		"<p>and so on [...]</p>",
		"<p>and then&hellip;</p>",
		"<p><a href=\"x\">Lire la suite</a></p>",
		"<p><a href=\"x\">Weiterlesen</a></p>",
		"<p>(<a href=\"x\">more&hellip;</a>)</p>",
		"<p><a href=\"x\">Read the full story</a></p>",
	};
	for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
		if (!long_truncated(tails[i])) {
			print_error("not truncated: ...%s\n", tails[i]);
			fail();
		}
	}
	/* the WordPress footer alone is no sign of an excerpt ... */
	assert_false(long_truncated("<p>The post <a href=\"x\">Story</a> "
				    "appeared first on <a href=\"y\">Site</a>."
				    "</p>"));
	/* ... but what comes before it counts */
	assert_true(long_truncated("<p>so [&hellip;]</p><p>The post <a "
				   "href=\"x\">Story</a> appeared first on <a "
				   "href=\"y\">Site</a>.</p>"));
	/* words that merely end in "more" do not count */
	assert_false(long_truncated("<p>He wanted to hear more</p>"));
	assert_false(long_truncated("<p>It will cost $5 more.</p>"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_inline_whitespace),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_pre),
		cmocka_unit_test(test_skipped),
		cmocka_unit_test(test_embed_label),
		cmocka_unit_test(test_entities_nfc),
		cmocka_unit_test(test_text_appends),
		cmocka_unit_test(test_deep),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_truncated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
