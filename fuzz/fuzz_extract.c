/*
 * fuzz_extract.c - libFuzzer target for the main-content extractor:
 * html_extract on arbitrary bytes, then html_article_to_json. Checks that
 * the JSON parses back (jansson), that content_text and content_html are
 * always present, that no iframe, MathML or script reaches content_html
 * (embeds become links), and that nothing leaks or crashes (ASan+UBSan).
 */
#include "core/buf.h"
#include "core/err.h"
#include "html/html.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct html_article *a = NULL;
	struct td_error err = { 0 };
	int rc = html_extract((const char *)data, size,
			      "http://example.com/news/story.html", &a, &err);
	if (rc && rc != TD_EPARSE) {
		if (a)
			abort(); /* no article on hard errors */
		return 0;
	}
	if (!a || !a->content_html || !a->content_text)
		abort();
	/* embeds and formulas reach the page as links and text only */
	if (strstr(a->content_html, "<iframe") ||
	    strstr(a->content_html, "<math") ||
	    strstr(a->content_html, "<script"))
		abort();
	struct td_buf b;
	td_buf_init(&b, 0);
	if (html_article_to_json(a, &b))
		abort();
	json_error_t je;
	json_t *j = json_loadb(b.p, b.len, 0, &je);
	if (!j || !json_is_string(json_object_get(j, "content_text")))
		abort();
	json_decref(j);
	td_buf_release(&b);
	html_article_free(a);
	return 0;
}
