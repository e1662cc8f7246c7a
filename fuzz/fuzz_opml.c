/*
 * fuzz_opml.c - libFuzzer driver for OPML: parse, write, parse again.
 *
 * Whatever the first parse returns must survive a write/parse round trip:
 * the same feed URLs, titles and page URLs, the same first tag (the folder)
 * and, when no tag contains '/', the same tags.
 */
#include "core/buf.h"
#include "core/err.h"
#include "feed/feed.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int by_url(const void *a, const void *b)
{
	const struct feed_outline *x = a, *y = b;
	return strcmp(x->xml_url, y->xml_url);
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static void die(const char *what, const struct feed_outline *a,
		const struct feed_outline *b)
{
	fprintf(stderr, "round trip changed %s:\n  url   %s | %s\n  title %s | %s\n"
			"  html  %s | %s\n  tags  %s | %s\n",
		what, a->xml_url, b->xml_url, a->title ? a->title : "(null)",
		b->title ? b->title : "(null)", a->html_url ? a->html_url : "(null)",
		b->html_url ? b->html_url : "(null)", a->tags ? a->tags : "(null)",
		b->tags ? b->tags : "(null)");
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feed_outline *o = NULL, *o2 = NULL;
	struct td_error err;
	const char *base = "file:///srv/lists/sources.opml";
	int n = feed_opml_parse((const char *)data, size, base, &o, &err);
	if (n <= 0)
		return 0;
	struct td_buf b;
	td_buf_init(&b, 0);
	if (feed_opml_write(o, (size_t)n, "fuzz", &b)) {
		fprintf(stderr, "write failed\n");
		abort();
	}
	int n2 = feed_opml_parse(b.p, b.len, base, &o2, &err);
	if (n2 != n || err.msg[0]) {
		fprintf(stderr, "reparse gave %d (want %d): %s\n%s\n", n2, n,
			err.msg, b.p);
		abort();
	}
	qsort(o, (size_t)n, sizeof *o, by_url);
	qsort(o2, (size_t)n, sizeof *o2, by_url);
	for (int i = 0; i < n; i++) {
		const struct feed_outline *a = &o[i], *c = &o2[i];
		if (strcmp(a->xml_url, c->xml_url))
			die("xml_url", a, c);
		if (!same(a->title, c->title))
			die("title", a, c);
		if (!same(a->html_url, c->html_url))
			die("html_url", a, c);
		size_t fa = a->tags ? strcspn(a->tags, ",") : 0;
		size_t fc = c->tags ? strcspn(c->tags, ",") : 0;
		if (fa != fc || (fa && memcmp(a->tags, c->tags, fa)))
			die("first tag", a, c);
		if ((!a->tags || !strchr(a->tags, '/')) && !same(a->tags, c->tags))
			die("tags", a, c);
	}
	feed_outlines_free(o, (size_t)n);
	feed_outlines_free(o2, (size_t)n2);
	td_buf_release(&b);
	return 0;
}
