/*
 * test_feed_fast.c - the parse speed-ups hold to their slow references:
 * the XML parser's strict fast path against expat (same feed, same
 * warnings; gives up on everything outside its subset), the SSSE3 UTF-8
 * validator against the scalar rules, and the JSON writer's escaping.
 * fuzz/fuzz_feed_xml_fast.c does the first at scale.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "core/limits.h"
#include "feed/feed.h"
#include "feed/feed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* JSON Feed output and warnings of one path, or the error. */
static char *run(const char *doc, size_t len, int path, int *rc)
{
	struct feed_parse_opts o = { .base_url = "http://example.org/f.xml" };
	struct feed *f = NULL;
	struct td_error err = { 0 };
	*rc = feed_parse_xml_via(doc, len, &o, path, &f, &err);
	struct td_buf b;
	td_buf_init(&b, 0);
	if (*rc) {
		td_buf_printf(&b, "error %d %d:%d %s", *rc, err.line, err.col,
			      err.msg);
	} else {
		td_buf_printf(&b, "warnings %zu %d:%d %s\n", f->n_warnings,
			      f->warning_line, f->warning_col, f->warning);
		feed_to_jsonfeed(f, &b);
		feed_free(f);
	}
	assert_int_equal(td_buf_err(&b), 0);
	return td_buf_detach(&b, NULL);
}

/* The fast path reads doc (fast == 1) or gives up on it (fast == 0); the
 * default path gives what expat gives either way. */
static void check(const char *doc, int fast)
{
	int rf, re, rd;
	size_t len = strlen(doc);
	char *e = run(doc, len, FEED_XML_EXPAT_ONLY, &re);
	char *d = run(doc, len, FEED_XML_AUTO, &rd);
	char *f = run(doc, len, FEED_XML_FAST_ONLY, &rf);
	if (strcmp(d, e))
		fail_msg("default and expat differ on %s:\n%s\n----\n%s", doc, d,
			 e);
	if (fast) {
		if (rf)
			fail_msg("fast path gave up on %s", doc);
		if (strcmp(f, e))
			fail_msg("fast and expat differ on %s:\n%s\n----\n%s", doc,
				 f, e);
	} else if (rf != TD_EUNSUPPORTED) {
		fail_msg("fast path read %s (rc %d)", doc, rf);
	}
	free(e);
	free(d);
	free(f);
}

#define RSS(items)                                                            \
	"<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/"       \
	"modules/content/\"><channel><title>T</title>" items                  \
	"</channel></rss>"

static void test_fast_reads_plain_feeds(void **state)
{
	(void)state;
	check("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" RSS(
		      "<item><title>A &amp; B &lt;c&gt; &quot;d&quot; "
		      "&apos;e&apos;</title><link>/a</link></item>"),
	      1);
	check("<?xml version='1.0' encoding='iso-8859-1' standalone='yes' ?>"
	      RSS("<item><title>x</title></item>"),
	      1);
	check("<?xml version=\"1.0\"?>" RSS("<item><title>x</title></item>"), 1);
	check(RSS("<item><title>no declaration</title></item>"), 1);
	/* comments, processing instructions, CDATA, character references */
	check("<?xml version=\"1.0\"?>\n<?xml-stylesheet href=\"s.xsl\"?>\n"
	      "<!-- a - comment -->" RSS(
		      "<item><title>a<!-- c -->b<?pi x?>c</title>"
		      "<description><![CDATA[<p>x & y ]] ]></p>]]></description>"
		      "<content:encoded>&#60;b&#x3E;&#233;&#x1F600;&#0000065;"
		      "</content:encoded></item>") "\n<!-- after -->\n<?end?>\n",
	      1);
	/* Atom with inline XHTML, attributes in both quotes */
	check("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang='en'>"
	      "<title type='text'>F</title><entry><title>e</title>"
	      "<link rel=\"alternate\" href='/e?a=1&amp;b=\"2\"'/>"
	      "<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/"
	      "xhtml\"><p class=\"x\">a &lt; b <br/>c</p></div></content>"
	      "</entry></feed>",
	      1);
}

static void test_fast_line_ends_and_attribute_values(void **state)
{
	(void)state;
	/* CR LF and lone CR become LF in text and CDATA */
	check(RSS("<item><title>a\r\nb\rc</title><description><![CDATA[x\r\n"
		  "y\rz\r]]></description><category>c\r\n</category></item>"),
	      1);
	/* tab, LF, CR and CR LF in attribute values become one space each;
	 * references to them do not */
	check("<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><title>t"
	      "</title><link href=\"/a\tb\nc\rd\r\ne&#9;f&#10;g&#13;h\"/>"
	      "<category term=\" x\r\n y \"/></entry></feed>",
	      1);
	check(RSS("<item><title>t</title><enclosure url=\"/e.mp3\" length=\"1\""
		  "\n\t type=\"audio/mpeg\"\r\n/></item>"),
	      1);
}

static void test_fast_gives_up(void **state)
{
	(void)state;
	static const char *const docs[] = {
		/* outside the subset, but XML */
		"<!DOCTYPE rss [<!ENTITY e \"x\">]>" RSS("<item><title>&e;</title></item>"),
		RSS("<item><title>&nbsp;</title></item>"),
		RSS("<item><title>\xc3\xa9t\xc3\xa9</title><caf\xc3\xa9>x</caf\xc3\xa9></item>"),
		"<?xml version=\"1.1\"?>" RSS(""),
		/* malformed: expat's errors and recovery must decide */
		RSS("<item><title>a & b</title></item>"),
		RSS("<item><title>a</titel></item>"),
		RSS("<item><title>a</title>"),
		RSS("<item><title x=\"1\" x=\"2\">a</title></item>"),
		RSS("<item><title x=\"1\"y=\"2\">a</title></item>"),
		RSS("<item><title x=1>a</title></item>"),
		RSS("<item><title>a]]>b</title></item>"),
		RSS("<item><title>a\x01</title></item>"),
		RSS("<item><title>\xef\xbf\xbe</title></item>"),
		RSS("<item><title>&#0;</title></item>"),
		RSS("<item><title>&#xD800;</title></item>"),
		RSS("<item><title>&#X41;</title></item>"),
		RSS("<item><title>&#x110000;</title></item>"),
		RSS("<item><!-- a -- b --><title>a</title></item>"),
		RSS("<item><?xml version=\"1.0\"?><title>a</title></item>"),
		RSS("<item><title>a</title></item>") "<rss/>",
		RSS("<item><title>a</title></item>") "junk",
		"junk" RSS(""),
		" <?xml version=\"1.0\"?>" RSS(""),
		"<?xml version=\"1.0\" encoding=\"utf 8\"?>" RSS(""),
		"<?xml version=\"1.0\" standalone=\"maybe\"?>" RSS(""),
		"<?xml  encoding=\"utf-8\"?>" RSS(""),
		"<html><body>not a feed</body></html>",
		"",
	};
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
		check(docs[i], 0);
}

static void test_fast_depth_limit(void **state)
{
	(void)state;
	/* nesting at the limit is expat's to report */
	for (int depth = TD_MAX_XML_DEPTH - 2; depth <= TD_MAX_XML_DEPTH + 1;
	     depth++) {
		struct td_buf b;
		td_buf_init(&b, 0);
		td_buf_puts(&b, "<rss><channel><title>t</title><item><title>");
		for (int i = 4; i < depth; i++)
			td_buf_puts(&b, "<x>");
		for (int i = 4; i < depth; i++)
			td_buf_puts(&b, "</x>");
		td_buf_puts(&b, "</title></item></channel></rss>");
		assert_int_equal(td_buf_err(&b), 0);
		check(td_buf_cstr(&b), depth <= TD_MAX_XML_DEPTH);
		td_buf_release(&b);
	}
}

static void test_fast_converted_input(void **state)
{
	(void)state;
	/* windows-1252 and UTF-16 documents are converted, then read fast */
	const char cp[] = "<?xml version=\"1.0\" encoding=\"windows-1252\"?>"
			  RSS("<item><title>caf\xe9 \x93q\x94</title></item>");
	char *e, *f;
	int re, rf;
	e = run(cp, sizeof cp - 1, FEED_XML_EXPAT_ONLY, &re);
	f = run(cp, sizeof cp - 1, FEED_XML_FAST_ONLY, &rf);
	assert_int_equal(rf, 0);
	assert_string_equal(f, e);
	free(e);
	free(f);
	const char doc[] = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss>"
			   "<channel><title>\xc3\xa9</title></channel></rss>";
	char u16[2 * sizeof doc + 2];
	size_t n = 0;
	u16[n++] = (char)0xFF;
	u16[n++] = (char)0xFE;
	for (size_t i = 0; i < sizeof doc - 1; i++) {
		unsigned char ch = (unsigned char)doc[i];
		if (ch == 0xC3) { /* U+00E9 */
			u16[n++] = (char)0xE9;
			u16[n++] = 0;
			i++;
			continue;
		}
		u16[n++] = (char)ch;
		u16[n++] = 0;
	}
	e = run(u16, n, FEED_XML_EXPAT_ONLY, &re);
	f = run(u16, n, FEED_XML_FAST_ONLY, &rf);
	assert_int_equal(re, 0);
	assert_int_equal(rf, 0);
	assert_string_equal(f, e);
	free(e);
	free(f);
}

/* ---- UTF-8 validation ---- */

static size_t put_cp(unsigned char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 63));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 63));
		o[2] = (unsigned char)(0x80 | (cp & 63));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 63));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 63));
	o[3] = (unsigned char)(0x80 | (cp & 63));
	return 4;
}

static void test_utf8_valid_matches_rules(void **state)
{
	(void)state;
	/* every 1-3 byte window around the 16- and 64-byte block edges, in
	 * ASCII padding, against the scalar validator (td_utf8_valid) */
	static const unsigned char probe[] = {
		0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0,
		0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0,
		0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
	};
	static const size_t at[] = { 0, 13, 14, 15, 16, 61, 62, 63, 64, 125 };
	const size_t np = sizeof probe;
	char buf[160];
	long n = 0;
	for (size_t p = 0; p < sizeof at / sizeof at[0]; p++)
		for (size_t a = 0; a < np; a++)
			for (size_t b = 0; b < np; b++)
				for (size_t c = 0; c < np; c++) {
					memset(buf, 'a', sizeof buf);
					buf[at[p]] = (char)probe[a];
					buf[at[p] + 1] = (char)probe[b];
					buf[at[p] + 2] = (char)probe[c];
					for (size_t len = at[p] + 1;
					     len <= sizeof buf;
					     len += sizeof buf - at[p] - 1) {
						int want = td_utf8_valid(buf, len);
						if (feed_utf8_valid(buf, len) != want)
							fail_msg("at %zu len %zu: %02x %02x %02x",
								 at[p], len, probe[a],
								 probe[b], probe[c]);
						n++;
					}
				}
	/* long valid text across blocks, then one byte broken anywhere */
	unsigned char text[600];
	size_t len = 0;
	uint32_t cps[] = { 'a', 0xE9, 0x20AC, 0x1F600, ' ', 0x7FF, 0xFFFD,
			   0x10FFFF, 0x800, 0x10000 };
	while (len + 4 < sizeof text)
		len += put_cp(text + len, cps[(len * 7) % 10]);
	assert_true(feed_utf8_valid((char *)text, len));
	for (size_t i = 0; i < len; i++) {
		unsigned char keep = text[i];
		text[i] = keep < 0x80 ? 0x80 : (keep >= 0xC0 ? 0x41 : 0xFF);
		assert_int_equal(feed_utf8_valid((char *)text, len),
				 td_utf8_valid((char *)text, len));
		text[i] = keep;
	}
	assert_true(n > 0);
}

/* ---- JSON escaping ---- */

static void test_json_escape(void **state)
{
	(void)state;
	char s[256];
	for (int i = 0; i < 256; i++)
		s[i] = (char)(i + 1 == 256 ? 0x7F : i + 1);
	struct td_buf b;
	td_buf_init(&b, 0);
	/* each length, so every position in the 16- and 8-byte steps */
	for (size_t n = 0; n <= 40; n++) {
		td_buf_reset(&b);
		td_json_escape(&b, "a\"b\\c\nd\x01" "efghijklmnopqrstuvwxyz\t",
			       n < 32 ? n : 32);
		assert_int_equal(td_buf_err(&b), 0);
		assert_int_equal(b.p[0], '"');
		assert_int_equal(b.p[b.len - 1], '"');
	}
	td_buf_reset(&b);
	td_json_escape(&b, "x\"y\\z\b\f\n\r\t\x01\x1f\x20\xc3\xa9/", 16);
	assert_string_equal(td_buf_cstr(&b),
			    "\"x\\\"y\\\\z\\b\\f\\n\\r\\t\\u0001\\u001F "
			    "\xc3\xa9/\"");
	td_buf_reset(&b);
	td_json_escape(&b, s, 31);
	assert_int_equal(b.len, 2 + 31 * 6 - 5 * 4); /* \b \t \n \f \r short */
	td_buf_release(&b);
}

/* ---- streamed JSON Feed output ---- */

struct sink {
	struct td_buf b;
	int calls;
	int fail_at; /* the call that fails (0: none) */
};

static int collect(void *ud, const char *p, size_t n)
{
	struct sink *k = ud;
	if (++k->calls == k->fail_at)
		return TD_EIO;
	assert_true(n > 0);
	return td_buf_append(&k->b, p, n);
}

static void test_jsonfeed_streamed(void **state)
{
	(void)state;
	struct td_buf doc;
	td_buf_init(&doc, 0);
	td_buf_puts(&doc, "<rss><channel><title>T</title>");
	for (int i = 0; i < 400; i++)
		td_buf_printf(&doc, "<item><title>item %d \"q\"</title>"
				    "<link>http://e.org/%d</link><description>"
				    "&lt;p&gt;some text to make it long, %d"
				    "&lt;/p&gt;</description></item>",
			      i, i, i);
	td_buf_puts(&doc, "</channel></rss>");
	assert_int_equal(td_buf_err(&doc), 0);
	struct feed *f = NULL;
	struct td_error err = { 0 };
	assert_int_equal(feed_parse(doc.p, doc.len, NULL, &f, &err), 0);
	struct td_buf whole;
	td_buf_init(&whole, 0);
	assert_int_equal(feed_to_jsonfeed(f, &whole), 0);
	assert_true(whole.len > 4 * FEED_JSON_WINDOW);

	struct sink k = { .fail_at = 0 };
	td_buf_init(&k.b, 0);
	assert_int_equal(feed_write_jsonfeed(f, collect, &k), 0);
	assert_true(k.calls > 4);
	assert_int_equal(k.b.len, whole.len);
	assert_memory_equal(k.b.p, whole.p, whole.len);
	td_buf_release(&k.b);

	/* the sink's error ends the output and is returned */
	struct sink bad = { .fail_at = 2 };
	td_buf_init(&bad.b, 0);
	assert_int_equal(feed_write_jsonfeed(f, collect, &bad), TD_EIO);
	assert_int_equal(bad.calls, 2);
	td_buf_release(&bad.b);

	td_buf_release(&whole);
	td_buf_release(&doc);
	feed_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fast_reads_plain_feeds),
		cmocka_unit_test(test_fast_line_ends_and_attribute_values),
		cmocka_unit_test(test_fast_gives_up),
		cmocka_unit_test(test_fast_depth_limit),
		cmocka_unit_test(test_fast_converted_input),
		cmocka_unit_test(test_utf8_valid_matches_rules),
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_jsonfeed_streamed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
