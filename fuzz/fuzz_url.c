/*
 * fuzz_url.c - libFuzzer driver for URL resolution and canonicalisation.
 *
 * The first byte picks a base URL (or, when it is 0xff, the input up to
 * its first NUL is the base); the rest is the reference. Checks, beyond
 * "nothing crashes or leaks":
 *  - every result (resolve, canonical, host) is valid UTF-8 without bytes
 *    <= 0x20 or 0x7f, and no longer than TD_MAX_URL_BYTES;
 *  - resolve is stable: resolve(NULL, resolve(b, r)) == resolve(b, r);
 *  - canonical is idempotent: canonical(canonical(x)) == canonical(x), for
 *    the raw input and for the resolved URL;
 *  - host and path helpers accept whatever resolve returns, and an
 *    absolute path without dot segments survives from_path/to_path.
 */
#include "core/buf.h"
#include "core/limits.h"
#include "core/url.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const bases[] = {
	"http://a/b/c/d;p?q",
	"https://Example.ORG:443/dir/page.html?x=1#frag",
	"file:///srv/lists/sources.opml",
	"http://[::1]:8080/a/",
	"ftp://u:p@0x7f.1/x/",
	"mailto:x@y",
	NULL, /* no base */
};

static void check_text(const char *what, const char *in, const char *s)
{
	size_t n = strlen(s);
	int bad = n > TD_MAX_URL_BYTES || !td_utf8_valid(s, n);
	for (size_t i = 0; i < n && !bad; i++)
		bad = (unsigned char)s[i] <= 0x20 || s[i] == 0x7f;
	if (bad) {
		fprintf(stderr, "%s gave bad text:\n  in  %s\n  out %s\n", what,
			in, s);
		abort();
	}
}

static void check_canonical(const char *in)
{
	char *c = td_url_canonical(in);
	if (!c)
		return;
	check_text("canonical", in, c);
	char *c2 = td_url_canonical(c);
	if (!c2 || strcmp(c, c2)) {
		fprintf(stderr, "canonical not idempotent:\n  in   %s\n  once %s\n  twice %s\n",
			in, c, c2 ? c2 : "(null)");
		abort();
	}
	free(c2);
	free(c);
}

/* to_path(from_path(p)) == p for an absolute path without dot segments. */
static void check_path(const char *p)
{
	if (p[0] != '/')
		return;
	for (const char *s = p; *s; s++)
		if (s[0] == '/' && s[1] == '.' &&
		    (!s[2] || s[2] == '/' || (s[2] == '.' && (!s[3] || s[3] == '/'))))
			return;
	char *u = td_url_from_path(p);
	if (!u)
		return;
	check_text("from_path", p, u);
	char *back = td_url_to_path(u);
	if (!back || strcmp(back, p)) {
		fprintf(stderr, "path round trip:\n  in   %s\n  url  %s\n  back %s\n",
			p, u, back ? back : "(null)");
		abort();
	}
	free(back);
	free(u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4 * TD_MAX_URL_BYTES)
		return 0;
	char *in = malloc(size), *ref;
	const char *base;
	if (!in)
		return 0;
	memcpy(in, data + 1, size - 1);
	in[size - 1] = '\0';
	if (data[0] == 0xff) {
		/* base NUL reference */
		base = in;
		size_t bl = strlen(in);
		ref = bl + 1 < size ? in + bl + 1 : in + bl;
		/* the reference may itself hold NULs: it ends at the first */
	} else {
		base = bases[data[0] % (sizeof bases / sizeof bases[0])];
		ref = in;
	}

	char *r = td_url_resolve(base, ref);
	if (r) {
		check_text("resolve", ref, r);
		char *again = td_url_resolve(NULL, r);
		if (!again || strcmp(again, r)) {
			fprintf(stderr, "resolve not stable:\n  base %s\n  ref  %s\n  once %s\n  twice %s\n",
				base ? base : "(null)", ref, r,
				again ? again : "(null)");
			abort();
		}
		free(again);
		char *h = td_url_host(r);
		if (h)
			check_text("host", r, h);
		free(h);
		free(td_url_to_path(r));
		check_canonical(r);
	}
	/* the empty reference: the base without its fragment */
	char *e = td_url_resolve(base, NULL);
	if (e) {
		check_text("resolve(base, NULL)", base, e);
		if (strchr(e, '#') && !strncmp(e, "http", 4)) {
			fprintf(stderr, "fragment kept: %s\n", e);
			abort();
		}
	}
	free(e);
	check_canonical(ref);
	check_path(ref);
	free(r);
	free(in);
	return 0;
}
