/*
 * fuzz_feed_xml_fast.c - libFuzzer driver that holds the XML parser's strict
 * fast path to expat: whenever the fast path reads a whole document
 * (FEED_XML_FAST_ONLY succeeds), the expat path (FEED_XML_EXPAT_ONLY) must
 * give the same feed, warnings and JSON Feed output; and the default path
 * must always agree with expat. A difference aborts. The input length picks
 * an HTTP charset now and then, so converted documents are reached too.
 */
#include "core/buf.h"
#include "core/err.h"
#include "feed/feed.h"
#include "feed/feed_int.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct result {
	int rc;
	struct td_error err;
	struct td_buf json;
	size_t n_warnings;
	char warning[256];
	int line, col;
};

static void run(const uint8_t *data, size_t size,
		const struct feed_parse_opts *opts, int path, struct result *r)
{
	struct feed *f = NULL;
	memset(r, 0, sizeof *r);
	td_buf_init(&r->json, 0);
	r->rc = feed_parse_xml_via((const char *)data, size, opts, path, &f,
				   &r->err);
	if (r->rc == 0) {
		if (!f)
			abort();
		feed_to_jsonfeed(f, &r->json);
		r->n_warnings = f->n_warnings;
		memcpy(r->warning, f->warning, sizeof r->warning);
		r->line = f->warning_line;
		r->col = f->warning_col;
		feed_free(f);
	} else if (f) {
		abort();
	}
}

static void same(const struct result *a, const struct result *b)
{
	if (a->rc != b->rc || a->json.len != b->json.len ||
	    (a->json.len && memcmp(a->json.p, b->json.p, a->json.len)) ||
	    a->n_warnings != b->n_warnings || a->line != b->line ||
	    a->col != b->col || strcmp(a->warning, b->warning) ||
	    (a->rc && (a->err.line != b->err.line || a->err.col != b->err.col ||
		       strcmp(a->err.msg, b->err.msg)))) {
		fprintf(stderr, "paths differ: rc %d/%d warnings %zu/%zu\n%s\n----\n%s\n",
			a->rc, b->rc, a->n_warnings, b->n_warnings,
			td_buf_cstr(&a->json), td_buf_cstr(&b->json));
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const charsets[] = { NULL, NULL, NULL, NULL,
						NULL, "iso-8859-1", "utf-16",
						"utf-8" };
	struct feed_parse_opts opts = {
		.base_url = "http://example.org/feeds/feed.xml",
		.http_charset = charsets[size % 8],
	};
	struct result fast, slow, dflt;
	run(data, size, &opts, FEED_XML_EXPAT_ONLY, &slow);
	run(data, size, &opts, FEED_XML_AUTO, &dflt);
	same(&dflt, &slow);
	run(data, size, &opts, FEED_XML_FAST_ONLY, &fast);
	if (fast.rc == 0)
		same(&fast, &slow);
	else if (fast.rc != TD_EUNSUPPORTED && fast.rc != TD_ENOMEM)
		abort(); /* the fast path only gives up */
	td_buf_release(&fast.json);
	td_buf_release(&slow.json);
	td_buf_release(&dflt.json);
	return 0;
}
