/*
 * fuzz_discover.c - libFuzzer driver for feed discovery and sniffing.
 *
 * The first byte picks a base URL. Checks: nothing crashes or leaks; at
 * most 50 links, each absolute http(s) (or file: under a file: base),
 * valid UTF-8 for the URL, and no URL twice.
 */
#include "core/buf.h"
#include "core/url.h"
#include "feed/feed.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const bases[] = {
	"https://example.org/blog/post.html",
	"file:///srv/site/index.html",
	NULL,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *base = bases[data[0] % 3];
	const char *html = (const char *)data + 1;
	size_t len = size - 1;
	struct feed_link *l = NULL;
	int n = feed_discover(html, len, base, &l);
	if (n < 0 || n > 50 || (n == 0) != (l == NULL))
		abort();
	for (int i = 0; i < n; i++) {
		const char *u = l[i].url;
		if (!u || !(td_url_is_http(u) ||
			    (base && !strncmp(base, "file:", 5) &&
			     !strncmp(u, "file:", 5))))
			abort();
		if (!td_utf8_valid(u, strlen(u)))
			abort();
		for (int j = 0; j < i; j++)
			if (!strcmp(l[j].url, u))
				abort();
	}
	feed_links_free(l, n > 0 ? (size_t)n : 0);
	int s = feed_sniff(html, len);
	if (s != 0 && s != 1)
		abort();
	return 0;
}
