/* test_html_sanitize.c - the allowlist sanitizer: elements, attributes,
 * URLs and srcset, tracking pixels, lazy images, structure that must parse
 * back to the same tree, escaping, limits; every output is also checked to
 * be a fixed point. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/err.h"
#include "html/html.h"
#include "html/html_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BASE "https://example.org/news/story.html"

/* Sanitize in (with base, may be NULL) and compare with want; also check
 * the output is a fixed point. */
static void check_n(const char *in, size_t len, const char *base,
		    const char *want)
{
	struct td_buf a, b;
	td_buf_init(&a, 0);
	td_buf_init(&b, 0);
	assert_int_equal(html_sanitize(in, len, base, &a), 0);
	if (strcmp(td_buf_cstr(&a), want)) {
		print_error("input:  %s\nwant:   %s\ngot:    %s\n", in, want,
			    td_buf_cstr(&a));
		fail();
	}
	assert_int_equal(html_sanitize(a.p ? a.p : "", a.len, base, &b), 0);
	if (strcmp(td_buf_cstr(&a), td_buf_cstr(&b))) {
		print_error("not a fixed point:\n1: %s\n2: %s\n", td_buf_cstr(&a),
			    td_buf_cstr(&b));
		fail();
	}
	td_buf_release(&a);
	td_buf_release(&b);
}

static void check(const char *in, const char *base, const char *want)
{
	check_n(in, strlen(in), base, want);
}

#define REL " rel=\"noopener noreferrer nofollow\""
#define LAZY " loading=\"lazy\""

static void test_basic(void **state)
{
	(void)state;
	check("", NULL, "");
	check("plain text", NULL, "plain text");
	check("<p>Hello <b>world</b></p>", NULL, "<p>Hello <b>world</b></p>");
	check("<P CLASS=x ID=y STYLE='color:red'>Hi</P>", NULL, "<p>Hi</p>");
	check("<p>a<br>b<hr>c", NULL, "<p>a<br>b</p><hr>c");
	check("<em>e</em><i>i</i><u>u</u><s>s</s><strike>k</strike>"
	      "<mark>m</mark><small>s</small><sub>1</sub><sup>2</sup>"
	      "<code>c</code><tt>t</tt><kbd>k</kbd><samp>s</samp><var>v</var>"
	      "<cite>c</cite><dfn>d</dfn><del>d</del><ins>i</ins>",
	      NULL,
	      "<em>e</em><i>i</i><u>u</u><s>s</s><s>k</s><mark>m</mark>"
	      "<small>s</small><sub>1</sub><sup>2</sup><code>c</code>"
	      "<code>t</code><kbd>k</kbd><samp>s</samp><var>v</var>"
	      "<cite>c</cite><dfn>d</dfn><del>d</del><ins>i</ins>");
}

static void test_dropped_with_content(void **state)
{
	(void)state;
	check("a<script>alert(1)</script>b", NULL, "ab");
	check("a<style>p{}</style>b<template><p>t</p></template>c", NULL, "abc");
	check("a<noscript><p>n</p></noscript>b<iframe src=x>i</iframe>c", NULL,
	      "abc");
	check("a<object data=x><p>o</p></object><embed src=x>b", NULL, "ab");
	check("a<svg><text>s</text></svg><math><mi>x</mi></math>b", NULL, "ab");
	check("a<button>b</button><select><option>o</select>"
	      "<textarea>t</textarea><input value=i>c",
	      NULL, "ac");
	check("a<title>t</title><meta charset=x><link rel=x><base href=x>b",
	      NULL, "ab");
	check("a<canvas>c</canvas><dialog open>d</dialog>b", NULL, "ab");
}

static void test_unwrapped(void **state)
{
	(void)state;
	check("<span class=x>a</span><font color=red>b</font><big>c</big>",
	      NULL, "abc");
	check("<p><span>a</span> <label>b</label></p>", NULL, "<p>a b</p>");
	check("<my-widget data-x=1>text</my-widget>", NULL, "text");
	check("<form action=x><p>inside</p></form>", NULL, "<p>inside</p>");
	check("<marquee>m</marquee><blink>b</blink>", NULL, "mb");
}

static void test_blocks_and_divs(void **state)
{
	(void)state;
	/* a container holding only blocks disappears */
	check("<div><div><p>a</p></div></div>", NULL, "<p>a</p>");
	/* one holding inline content stays a plain div */
	check("<div class=x>a <b>b</b></div><div>c</div>", NULL,
	      "<div>a <b>b</b></div><div>c</div>");
	check("<section><h2>t</h2>intro<p>p</p></section>", NULL,
	      "<div><h2>t</h2>intro<p>p</p></div>");
	check("<article><header>h</header><footer>f</footer></article>", NULL,
	      "<div>h</div><div>f</div>");
	check("<center>c</center><address>a</address>", NULL,
	      "<div>c</div><div>a</div>");
}

static void test_headings(void **state)
{
	(void)state;
	check("<h1>a</h1><h2>b</h2><h3>c</h3><h6>d</h6>", NULL,
	      "<h2>a</h2><h2>b</h2><h3>c</h3><h6>d</h6>");
	/* never nested, even where the parser would allow it */
	check("<h2><b><h3>x</h3></b></h2>", NULL, "<h2><b>x</b></h2>");
}

static void test_empty_wrappers(void **state)
{
	(void)state;
	check("<p></p><p> </p><p><span></span></p>x", NULL, " x");
	check("<p><br></p>", NULL, "<p><br></p>");
	check("<a href=\"https://a.example/\"></a>x", NULL, "x");
	check("a<b> </b>c", NULL, "a c");
	check("<ul><li></li><li>x</li></ul>", NULL, "<ul><li>x</li></ul>");
	check("<table><tr><td></td></tr></table>", NULL, "");
	check("<table><tr><td></td><td>x</td></tr></table>", NULL,
	      "<table><tbody><tr><td></td><td>x</td></tr></tbody></table>");
	check("<figure><img src=\"https://a.example/1.png\" width=1 "
	      "height=1></figure>",
	      NULL, "");
}

static void test_links(void **state)
{
	(void)state;
	check("<a href=\"https://a.example/x?a=1&amp;b=2\" target=_blank "
	      "title=T onclick=x>l</a>",
	      NULL,
	      "<a href=\"https://a.example/x?a=1&amp;b=2\" title=\"T\"" REL
	      ">l</a>");
	check("<a href=\"page2.html\">l</a>", BASE,
	      "<a href=\"https://example.org/news/page2.html\"" REL ">l</a>");
	check("<a href=\"/x\">l</a>", NULL, "<a href=\"/x\"" REL ">l</a>");
	check("<a href=\"#fn1\">1</a>", BASE,
	      "<a href=\"https://example.org/news/story.html#fn1\"" REL
	      ">1</a>");
	check("<a href=\"mailto:ed@example.org\">m</a>", NULL,
	      "<a href=\"mailto:ed@example.org\"" REL ">m</a>");
	check("<a href=\"ftp://x/\">f</a><a name=top>t</a><a>n</a>", NULL,
	      "ftn");
	/* no nested links */
	check("<a href=\"https://a.example/\">a<marquee><a "
	      "href=\"https://b.example/\">b</a></marquee></a>",
	      NULL, "<a href=\"https://a.example/\"" REL ">ab</a>");
}

static void test_dangerous_urls(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"<a href=\"javascript:alert(1)\">x</a>",
		"<a href=\"JaVaScRiPt:alert(1)\">x</a>",
		"<a href=\" \x01javascript:alert(1)\">x</a>",
		"<a href=\"java\tscript:alert(1)\">x</a>",
		"<a href=\"java&#x0A;script:alert(1)\">x</a>",
		"<a href=\"java&Tab;script:alert(1)\">x</a>",
		"<a href=\"javascript&colon;alert(1)\">x</a>",
		("<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;"
		 "&#116;&#58;alert(1)\">x</a>"),
		"<a href=\"vbscript:msgbox(1)\">x</a>",
		"<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
		"<a href=\"livescript:x\">x</a>",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct td_buf out;
		td_buf_init(&out, 0);
		for (int b = 0; b < 2; b++) {
			td_buf_reset(&out);
			assert_int_equal(html_sanitize(bad[i], strlen(bad[i]),
						       b ? BASE : NULL, &out),
					 0);
			/* dropped, or made a harmless relative link */
			const char *o = td_buf_cstr(&out);
			const char *ok1 = "<a href=\"./",
				   *ok2 = "<a href=\"https://example.org/";
			if (strcmp(o, "x") && strncmp(o, ok1, strlen(ok1)) &&
			    strncmp(o, ok2, strlen(ok2))) {
				print_error("%s -> %s\n", bad[i], o);
				fail();
			}
		}
		td_buf_release(&out);
	}
	check("<img src=\"javascript:alert(1)\">x", NULL, "x");
	check("<img src=\"data:image/png;base64,AAAA\">x", NULL, "x");
	check("<video poster=\"javascript:x\" src=\"vbscript:x\"></video>x",
	      NULL, "x");
	check("<blockquote cite=\"javascript:x\">q</blockquote>", NULL,
	      "<blockquote>q</blockquote>");
}

static void test_url_clean(void **state)
{
	(void)state;
	char *u;
	u = html_url_clean("  https://A.example/a b\n", NULL, HTML_URL_MEDIA);
	assert_non_null(u); /* the host's case is td_url_resolve's business */
	assert_int_equal(strcasecmp(u, "https://A.example/a%20b"), 0);
	free(u);
	u = html_url_clean("a b.png", NULL, HTML_URL_MEDIA);
	assert_non_null(u);
	assert_string_equal(u, "a b.png"); /* relative: kept as written */
	free(u);
	u = html_url_clean("foo:bar/x", BASE, HTML_URL_LINK);
	assert_null(u);
	/* a relative URL whose first segment holds a colon stays relative */
	u = html_url_clean("1a:b", NULL, HTML_URL_LINK);
	assert_non_null(u);
	assert_string_equal(u, "./1a:b");
	free(u);
	assert_null(html_url_clean("mailto:x@y", NULL, HTML_URL_MEDIA));
	u = html_url_clean("MAILTO:x@y", NULL, HTML_URL_LINK);
	assert_non_null(u);
	free(u);
	assert_null(html_url_clean("", BASE, HTML_URL_LINK));
	assert_null(html_url_clean(" \t ", BASE, HTML_URL_LINK));
	assert_null(html_url_clean("http://a/\x01x", NULL, HTML_URL_LINK));
	u = html_url_clean("//cdn.example/x.png", BASE, HTML_URL_MEDIA);
	assert_non_null(u);
	assert_string_equal(u, "https://cdn.example/x.png");
	free(u);
}

static void test_srcset(void **state)
{
	(void)state;
	struct td_buf b;
	td_buf_init(&b, 0);
	assert_int_equal(html_srcset_clean("a.jpg 1x, b.jpg 2x", BASE, &b), 2);
	assert_string_equal(td_buf_cstr(&b), "https://example.org/news/a.jpg 1x, "
					     "https://example.org/news/b.jpg 2x");
	td_buf_reset(&b);
	/* bad descriptors, bad schemes and duplicates of a kind are dropped */
	assert_int_equal(html_srcset_clean("a.jpg 0w, b.jpg foo, c.jpg 2x 3x, "
					   "javascript:alert(1) 1x, d.jpg 100w",
					   NULL, &b),
			 1);
	assert_string_equal(td_buf_cstr(&b), "d.jpg 100w");
	td_buf_reset(&b);
	/* commas inside a URL, trailing commas, no descriptor */
	assert_int_equal(html_srcset_clean(",,a,b.jpg,,, c.jpg", NULL, &b), 2);
	assert_string_equal(td_buf_cstr(&b), "a,b.jpg, c.jpg");
	td_buf_reset(&b);
	/* parentheses in descriptors, h with w */
	assert_int_equal(html_srcset_clean("a.jpg 100w 50h, b.jpg (x, y) 1x",
					   NULL, &b),
			 1);
	assert_string_equal(td_buf_cstr(&b), "a.jpg 100w");
	td_buf_reset(&b);
	assert_int_equal(html_srcset_clean("", NULL, &b), 0);
	assert_int_equal(html_srcset_clean(" , ,", NULL, &b), 0);
	td_buf_release(&b);
	check("<img srcset=\"javascript:alert(1) 1x\">x", NULL, "x");
	check("<img src=\"a.jpg\" srcset=\"b.jpg 2x\" sizes=\"50vw\">", BASE,
	      "<img src=\"https://example.org/news/a.jpg\" "
	      "srcset=\"https://example.org/news/b.jpg 2x\" sizes=\"50vw\"" LAZY
	      ">");
}

static void test_images(void **state)
{
	(void)state;
	check("<img src=\"a.jpg\" alt=\"A &amp; B\" title=t width=\"640\" "
	      "height=\"480px\" onerror=x class=c>",
	      NULL,
	      "<img src=\"a.jpg\" alt=\"A &amp; B\" title=\"t\" width=\"640\" "
	      "height=\"480\"" LAZY ">");
	/* decorative images keep alt="" */
	check("<img src=\"a.jpg\" alt=\"\">", NULL,
	      "<img src=\"a.jpg\" alt=\"\"" LAZY ">");
	/* bad dimensions are dropped, not the image */
	check("<img src=\"a.jpg\" width=\"50%\" height=\"99999\">", NULL,
	      "<img src=\"a.jpg\"" LAZY ">");
	check("<img>x<img src=\"\">", NULL, "x");
}

static void test_tracking_pixels(void **state)
{
	(void)state;
	const char *p[] = {
		"<img src=\"https://a.example/p.gif\" width=\"1\" height=\"1\">",
		"<img src=\"https://a.example/p.gif\" width=0>",
		"<img src=\"https://a.example/p.gif\" height=\"1px\">",
		"<img src=\"https://a.example/p.gif\" hidden>",
		"<img src=\"https://a.example/p.gif\" style=\"display: none\">",
		"<img src=\"https://a.example/p.gif\" style=\"VISIBILITY:hidden\">",
		"<img src=\"https://a.example/p.gif\" style=\"width:1px;height:1px\">",
		"<img src=\"http://feeds.feedburner.com/~r/x/~4/y\">",
		"<img src=\"https://pixel.wp.com/g.gif?v=1\">",
		"<img src=\"https://stats.wordpress.com/b.gif\">",
		"<img src=\"https://www.google-analytics.com/collect?v=1\">",
		"<img src=\"https://ad.doubleclick.net/x\">",
		"<img src=\"https://pi.feedsportal.com/r/1.gif\">",
		"<img src=\"https://pixel.example.net/t\">",
		"<img src=\"https://medium.com/_/stat?event=x\">",
	};
	for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
		char in[512];
		snprintf(in, sizeof in, "<p>x%s</p>", p[i]);
		check(in, NULL, "<p>x</p>");
	}
	/* a feedburner image that is not a tracker, a normal 2px image */
	check("<img src=\"https://feeds.feedburner.com/logo.png\">", NULL,
	      "<img src=\"https://feeds.feedburner.com/logo.png\"" LAZY ">");
	check("<img src=\"a.png\" width=2 height=2>", NULL,
	      "<img src=\"a.png\" width=\"2\" height=\"2\"" LAZY ">");
	/* width:10px is not width:1px */
	check("<img src=\"a.png\" style=\"width:10px\">", NULL,
	      "<img src=\"a.png\"" LAZY ">");
}

static void test_lazy_images(void **state)
{
	(void)state;
	check("<img src=\"data:image/gif;base64,R0lGODlhAQABAAAAACw=\" "
	      "data-src=\"/i/real.jpg\">",
	      BASE, "<img src=\"https://example.org/i/real.jpg\"" LAZY ">");
	check("<img data-original=\"real.jpg\">", NULL,
	      "<img src=\"real.jpg\"" LAZY ">");
	check("<img src=\"/img/blank.gif\" data-lazy-src=\"real.jpg\" "
	      "data-srcset=\"r1.jpg 1x, r2.jpg 2x\">",
	      NULL,
	      "<img src=\"real.jpg\" srcset=\"r1.jpg 1x, r2.jpg 2x\"" LAZY ">");
	/* a real src wins over data-src */
	check("<img src=\"small.jpg\" data-src=\"big.jpg\">", NULL,
	      "<img src=\"small.jpg\"" LAZY ">");
}

static void test_lists_tables(void **state)
{
	(void)state;
	check("<ul><li>a<li>b</ul>", NULL, "<ul><li>a</li><li>b</li></ul>");
	check("<ol start=\" 3 \" reversed type=a><li>x</ol>", NULL,
	      "<ol start=\"3\" reversed type=\"a\"><li>x</li></ol>");
	check("<ol start=x type=Q><li>x</ol>", NULL, "<ol><li>x</li></ol>");
	check("<dl><dt>t<dd>d</dl>", NULL, "<dl><dt>t</dt><dd>d</dd></dl>");
	check("<menu><li>m</menu>", NULL, "<ul><li>m</li></ul>");
	check("<table border=1 style=x><caption>c</caption><thead><tr><th "
	      "scope=COL colspan=2 onclick=x>h</th></tr></thead><tr><td "
	      "rowspan=2 colspan=500>d</td></tr><tfoot><tr><td>f</td></tr>"
	      "</tfoot></table>",
	      NULL,
	      "<table><caption>c</caption><thead><tr><th colspan=\"2\" "
	      "scope=\"col\">h</th></tr></thead><tbody><tr><td rowspan=\"2\">"
	      "d</td></tr></tbody><tfoot><tr><td>f</td></tr></tfoot></table>");
	/* text that the parser would foster-parent never stays in a table */
	check("<table>x<tr><td>y</td></tr></table>", NULL,
	      "x<table><tbody><tr><td>y</td></tr></tbody></table>");
	check("<table><colgroup><col span=2></colgroup><tr><td>y</table>", NULL,
	      "<table><tbody><tr><td>y</td></tr></tbody></table>");
}

static void test_media(void **state)
{
	(void)state;
	check("<figure><picture><source srcset=\"a.webp 1x\" type=\"image/webp\" "
	      "media=\"(min-width: 600px)\"><img src=\"a.jpg\" alt=\"\"></picture>"
	      "<figcaption>Cap</figcaption></figure>",
	      NULL,
	      "<figure><picture><source srcset=\"a.webp 1x\" media=\"(min-width: "
	      "600px)\" type=\"image/webp\"><img src=\"a.jpg\" alt=\"\"" LAZY
	      "></picture><figcaption>Cap</figcaption></figure>");
	check("<picture><source srcset=\"a.webp\"></picture>x", NULL, "x");
	check("<video src=\"v.mp4\" poster=\"p.jpg\" width=640 height=360 "
	      "autoplay loop muted onplay=x>fallback</video>",
	      NULL,
	      "<video src=\"v.mp4\" poster=\"p.jpg\" width=\"640\" "
	      "height=\"360\" controls></video>");
	check("<audio><source src=\"a.ogg\" type=\"audio/ogg\"><source "
	      "src=\"javascript:x\">No audio</audio>",
	      NULL,
	      "<audio controls><source src=\"a.ogg\" "
	      "type=\"audio/ogg\"></audio>");
	check("<video><track src=\"t.vtt\" kind=captions srclang=en "
	      "label=\"English\" default></video>x",
	      NULL, "x");
	check("<video src=\"v.mp4\"><track src=\"t.vtt\" kind=Captions "
	      "srclang=en label=English default></video>",
	      NULL,
	      "<video src=\"v.mp4\" controls><track src=\"t.vtt\" "
	      "kind=\"captions\" srclang=\"en\" label=\"English\" "
	      "default></video>");
	/* source and track only inside media */
	check("<p><source src=a.mp4><track src=t.vtt>x</p>", NULL, "<p>x</p>");
}

static void test_misc_elements(void **state)
{
	(void)state;
	check("<blockquote cite=\"https://a.example/\"><p>q</p></blockquote>"
	      "<q cite=\"/x\">q</q>",
	      NULL,
	      "<blockquote cite=\"https://a.example/\"><p>q</p></blockquote>"
	      "<q cite=\"/x\">q</q>");
	check("<time datetime=\"2024-01-06T01:10:00Z\">Jan 6</time>"
	      "<time datetime=\"<x>\">t</time>",
	      NULL,
	      "<time datetime=\"2024-01-06T01:10:00Z\">Jan 6</time>"
	      "<time>t</time>");
	check("<abbr title=\"World Health Organization\">WHO</abbr>"
	      "<acronym title=\"x\">y</acronym>",
	      NULL,
	      "<abbr title=\"World Health Organization\">WHO</abbr>"
	      "<abbr title=\"x\">y</abbr>");
	check("<details open ontoggle=x><summary>s</summary>d</details>", NULL,
	      "<details open><summary>s</summary>d</details>");
	check("<ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>", NULL,
	      "<ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>");
	check("a<wbr>b", NULL, "a<wbr>b");
}

static void test_pre(void **state)
{
	(void)state;
	/* a newline always follows <pre>, so one in the content survives */
	check("<pre>x\n y</pre>", NULL, "<pre>\nx\n y</pre>");
	check("<pre>\n\nx</pre>", NULL, "<pre>\n\nx</pre>");
	check("<pre><b>\nx</b></pre>", NULL, "<pre>\n<b>\nx</b></pre>");
	check("<xmp><b>x</b></xmp>", NULL, "<pre>\n&lt;b&gt;x&lt;/b&gt;</pre>");
	check("<pre>a&#13;b</pre>", NULL, "<pre>\na\nb</pre>");
}

static void test_escaping(void **state)
{
	(void)state;
	check("&lt;script&gt;alert(1)&lt;/script&gt; &amp; \"q\" 'a'", NULL,
	      "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; 'a'");
	check("<a href=\"https://a.example/\" title='x\"&lt;y'>l</a>", NULL,
	      "<a href=\"https://a.example/\" title=\"x&quot;&lt;y\"" REL
	      ">l</a>");
	check("caf&eacute; &nbsp;&#x1F600;", NULL,
	      "caf\xC3\xA9 \xC2\xA0\xF0\x9F\x98\x80");
	/* NUL is dropped; gumbo reads controls and invalid UTF-8 as U+FFFD */
#define R "\xEF\xBF\xBD"
	check_n("a\0b\x01\x7f\xC2\x85" "c\xFF\xFE" "d\fe", 14, NULL,
		"ab" R R R "c" R R "d e");
#undef R
	/* NUL inside tag names (the pre-parse scanner must cope) */
	check_n("<rp\0:>a<p\0>b</p\0>", 17, NULL, "ab");
	check("&#0;&#1;&#x80;&#xD800;", NULL,
	      "\xEF\xBF\xBD\xE2\x82\xAC\xEF\xBF\xBD");
}

static void test_structure_parses_back(void **state)
{
	(void)state;
	/* a block that would close an open <p> is unwrapped */
	check("<p>a<marquee><p>b</p></marquee>c</p>", NULL, "<p>abc</p>");
	check("<p>a<object><ul><li>b</li></ul></object></p>", NULL, "<p>a</p>");
	check("<p><button><div>x</div></button>y</p>", NULL, "<p>y</p>");
	/* an item that would close an open item */
	check("<li>a<section><li>b</li></section></li>", NULL,
	      "<li>a<div>b</div></li>");
	check("<dd>a<section><dt>b</dt></section></dd>", NULL,
	      "<dd>a<div>b</div></dd>");
	/* inside a table cell a <p> is out of scope again */
	check("<p>a</p><table><tr><td><p>b</p></td></tr></table>", NULL,
	      "<p>a</p><table><tbody><tr><td><p>b</p></td></tr></tbody>"
	      "</table>");
	/* mis-nested formatting: the parser's tree is kept */
	check("<b>1<p>2</b>3</p>", NULL, "<b>1</b><p><b>2</b>3</p>");
	check("<a href=\"https://a.example/\">1<p>2</a>3", NULL,
	      "<a href=\"https://a.example/\"" REL ">1</a><p><a "
	      "href=\"https://a.example/\"" REL ">2</a>3</p>");
	/* foreign content never leaks out (gumbo's fragment parser keeps
	 * even <p> inside <svg>: all of it is dropped) */
	check("<svg><p>x</p></svg>y", NULL, "y");
	check("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
	      NULL, "");
}

static void test_deep_nesting(void **state)
{
	(void)state;
	struct td_buf in, out;
	td_buf_init(&in, 0);
	td_buf_init(&out, 0);
	for (int i = 0; i < 100000; i++)
		td_buf_puts(&in, "<div><span><b>");
	td_buf_puts(&in, "deep");
	assert_int_equal(html_sanitize(in.p, in.len, NULL, &out), 0);
	/* bounded output depth; content before the cut survives */
	td_buf_reset(&out);
	td_buf_reset(&in);
	for (int i = 0; i < 300; i++)
		td_buf_puts(&in, "<blockquote>");
	td_buf_puts(&in, "deep");
	assert_int_equal(html_sanitize(in.p, in.len, NULL, &out), 0);
	assert_non_null(strstr(td_buf_cstr(&out), "deep"));
	size_t opened = 0;
	for (const char *p = td_buf_cstr(&out); (p = strstr(p, "<blockquote>"));
	     p++)
		opened++;
	assert_true(opened <= HTML_MAX_DEPTH + 1);
	/* output is a fixed point */
	struct td_buf again;
	td_buf_init(&again, 0);
	assert_int_equal(html_sanitize(out.p, out.len, NULL, &again), 0);
	assert_string_equal(td_buf_cstr(&out), td_buf_cstr(&again));
	td_buf_release(&again);
	td_buf_release(&in);
	td_buf_release(&out);
}

static void test_limits(void **state)
{
	(void)state;
	struct td_buf out;
	td_buf_init(&out, 0);
	char *big = malloc(HTML_MAX_INPUT + 1);
	assert_non_null(big);
	memset(big, 'a', HTML_MAX_INPUT + 1);
	assert_int_equal(html_sanitize(big, HTML_MAX_INPUT + 1, NULL, &out),
			 TD_ETOOBIG);
	assert_int_equal(out.len, 0);
	free(big);
	/* a tag with too many attributes ends the document there */
	td_buf_puts(&out, "kept");
	struct td_buf in;
	td_buf_init(&in, 0);
	td_buf_puts(&in, "<p>before</p><p");
	for (int i = 0; i < 1000; i++)
		td_buf_printf(&in, " a%d", i);
	td_buf_puts(&in, ">after</p>");
	assert_int_equal(html_sanitize(in.p, in.len, NULL, &out), 0);
	assert_string_equal(td_buf_cstr(&out), "kept<p>before</p>");
	/* a full output buffer reports its error */
	struct td_buf small;
	td_buf_init(&small, 8);
	assert_int_equal(html_sanitize("<p>0123456789</p>", 17, NULL, &small),
			 TD_ETOOBIG);
	td_buf_release(&small);
	td_buf_release(&in);
	td_buf_release(&out);
}

/* Hostile nesting is cut before gumbo goes quadratic; sloppy but real
 * markup of the same size is not. */
static void test_parse_bounds(void **state)
{
	(void)state;
	struct td_buf in, out;
	td_buf_init(&in, 0);
	td_buf_init(&out, 0);
	/* 600 open spans, then a flood of stray end tags and text */
	for (int i = 0; i < 600; i++)
		td_buf_puts(&in, "<span>");
	for (int i = 0; i < 200000; i++)
		td_buf_puts(&in, "</x>y");
	assert_int_equal(html_sanitize(in.p, in.len, NULL, &out), 0);
	assert_true(out.len < 1000);
	/* end tags the tree builder ignores do not hide open elements */
	td_buf_reset(&in);
	td_buf_reset(&out);
	for (int i = 0; i < 100000; i++)
		td_buf_puts(&in, "<span><div></span></div>");
	td_buf_puts(&in, "END");
	assert_int_equal(html_sanitize(in.p, in.len, NULL, &out), 0);
	assert_null(strstr(td_buf_cstr(&out), "END"));
	/* nor do raw-text elements inside SVG */
	td_buf_reset(&in);
	td_buf_reset(&out);
	td_buf_puts(&in, "<p>before</p><svg><style>");
	for (int i = 0; i < 100000; i++)
		td_buf_puts(&in, "<g>");
	td_buf_puts(&in, "</style></svg><p>END</p>");
	assert_int_equal(html_sanitize(in.p, in.len, NULL, &out), 0);
	assert_string_equal(td_buf_cstr(&out), "<p>before</p>");
	/* unclosed formatting elements that the tree builder keeps reopening
	 * nest deeper with every repetition, in browsers too: cut */
	td_buf_reset(&in);
	td_buf_reset(&out);
	for (int i = 0; i < 20000; i++)
		td_buf_puts(&in, "<b>x<table><tr><td>1</table>");
	td_buf_puts(&in, "END");
	assert_int_equal(html_sanitize(in.p, in.len, NULL, &out), 0);
	assert_null(strstr(td_buf_cstr(&out), "END"));
	/* sloppy markup: unclosed p, li, td, option, inline elements */
	td_buf_reset(&in);
	td_buf_reset(&out);
	for (int i = 0; i < 20000; i++)
		td_buf_puts(&in, "<p><b>bold</b><p><i>it</i><div><span>x</div>"
				 "<ul><li>a<li>b</ul><table><tr><td>1<td>2"
				 "</table><select><option>o<option>p</select>");
	td_buf_puts(&in, "<p>END</p>");
	assert_int_equal(html_sanitize(in.p, in.len, NULL, &out), 0);
	assert_non_null(strstr(td_buf_cstr(&out), "END"));
	td_buf_release(&in);
	td_buf_release(&out);
}

static void test_appends(void **state)
{
	(void)state;
	struct td_buf out;
	td_buf_init(&out, 0);
	td_buf_puts(&out, "X");
	assert_int_equal(html_sanitize("<b>y</b>", 8, NULL, &out), 0);
	assert_string_equal(td_buf_cstr(&out), "X<b>y</b>");
	assert_int_equal(html_sanitize(NULL, 0, NULL, &out), 0);
	assert_string_equal(td_buf_cstr(&out), "X<b>y</b>");
	td_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_dropped_with_content),
		cmocka_unit_test(test_unwrapped),
		cmocka_unit_test(test_blocks_and_divs),
		cmocka_unit_test(test_headings),
		cmocka_unit_test(test_empty_wrappers),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_dangerous_urls),
		cmocka_unit_test(test_url_clean),
		cmocka_unit_test(test_srcset),
		cmocka_unit_test(test_images),
		cmocka_unit_test(test_tracking_pixels),
		cmocka_unit_test(test_lazy_images),
		cmocka_unit_test(test_lists_tables),
		cmocka_unit_test(test_media),
		cmocka_unit_test(test_misc_elements),
		cmocka_unit_test(test_pre),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_structure_parses_back),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_parse_bounds),
		cmocka_unit_test(test_appends),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
