/*
 * test_web_cache.c - the page cache: gzip of cached pages, the splice of a
 * per-request hole into cached deflate bytes (decoded with zlib's inflate
 * and compared with the plain page), generations, LRU eviction under the
 * byte budget, reference counting, the detach hook, expiry by
 * cache_seconds against td_now() (driven with TIDINGS_NOW).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/time.h"
#include "web/web_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

/* Inflate a gzip member (exactly one, nothing after it). */
static unsigned char *gunzip(const unsigned char *p, size_t n, size_t *outlen)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	assert_int_equal(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
	size_t cap = 4096, len = 0;
	unsigned char *out = malloc(cap);
	assert_non_null(out);
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	int rc;
	do {
		if (cap - len < 1024) {
			cap *= 2;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		z.next_out = out + len;
		z.avail_out = (uInt)(cap - len);
		rc = inflate(&z, Z_NO_FLUSH);
		len = cap - z.avail_out;
		assert_true(rc == Z_OK || rc == Z_STREAM_END);
	} while (rc != Z_STREAM_END);
	assert_int_equal(z.avail_in, 0); /* nothing trailing */
	inflateEnd(&z);
	*outlen = len;
	return out;
}

static void resp_with(struct web_resp *r, const char *body, size_t len,
		      size_t hole_at, int hole)
{
	web_resp_init(r);
	td_buf_append(&r->body, body, len);
	r->cacheable = 1;
	if (hole) {
		r->hole = hole;
		r->hole_at = hole_at;
		r->hole_id = 7;
		r->hole_views = 0;
	}
}

/* Splice e with views and return the concatenated gzip bytes. */
static unsigned char *spliced_gzip(const struct web_entry *e, int64_t views,
				   size_t *n, struct web_splice *sp)
{
	web_entry_splice(e, views, sp);
	size_t total = 10 + e->gz_prefix_len + sp->hole_z_len +
		       (e->gz_len - e->gz_prefix_len) + 8;
	unsigned char *g = malloc(total), *w = g;
	assert_non_null(g);
	memcpy(w, sp->head, 10);
	w += 10;
	memcpy(w, e->gz, e->gz_prefix_len);
	w += e->gz_prefix_len;
	memcpy(w, sp->hole_z, sp->hole_z_len);
	w += sp->hole_z_len;
	memcpy(w, e->gz + e->gz_prefix_len, e->gz_len - e->gz_prefix_len);
	w += e->gz_len - e->gz_prefix_len;
	memcpy(w, sp->trailer, 8);
	*n = total;
	return g;
}

static void check_splice(const char *body, size_t len, size_t at,
			 int64_t views, int kind)
{
	struct web_resp r;
	resp_with(&r, body, len, at, kind);
	struct web_entry *e = NULL;
	assert_int_equal(web_entry_build("k", 1, &r, web_cache_generation(),
					 &e),
			 0);
	assert_non_null(e->gz);
	struct web_splice sp;
	size_t gn;
	unsigned char *g = spliced_gzip(e, views, &gn, &sp);
	size_t outlen;
	unsigned char *out = gunzip(g, gn, &outlen);
	/* expected: prefix + hole text + suffix */
	char hole[40];
	size_t hl = web_hole_text(kind, views, hole, sizeof hole);
	assert_int_equal(outlen, len + hl);
	assert_memory_equal(out, body, at);
	assert_memory_equal(out + at, hole, hl);
	assert_memory_equal(out + at + hl, body + at, len - at);
	/* the plain pieces agree */
	assert_int_equal(sp.hole_len, hl);
	assert_memory_equal(sp.hole, hole, hl);
	free(out);
	free(g);
	web_entry_unref(e);
	web_resp_release(&r);
}

static char *text_body(size_t n, unsigned seed)
{
	static const char *words[] = { "the ", "council ", "voted ", "<p>",
				       "</p>\n", "harbor ", "flood ", "42 ",
				       "caf\xc3\xa9 ", "budget " };
	char *b = malloc(n + 1);
	assert_non_null(b);
	for (size_t i = 0; i < n;) {
		seed = seed * 1103515245u + 12345u;
		const char *w = words[(seed >> 16) % 10];
		for (; *w && i < n; w++)
			b[i++] = *w;
	}
	b[n] = '\0';
	return b;
}

static char *random_body(size_t n, unsigned seed)
{
	char *b = malloc(n + 1);
	assert_non_null(b);
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		b[i] = (char)(seed >> 16);
	}
	b[n] = '\0';
	return b;
}

static void test_splice_positions(void **state)
{
	(void)state;
	char *b = text_body(30000, 1);
	size_t at[] = { 0, 1, 100, 15000, 29999, 30000 };
	int64_t views[] = { 0, 1, 12, 999, 1000000, INT64_MAX };
	for (size_t i = 0; i < sizeof at / sizeof at[0]; i++)
		for (size_t k = 0; k < sizeof views / sizeof views[0]; k++) {
			check_splice(b, 30000, at[i], views[k],
				     WEB_HOLE_VIEWS_LABEL);
			check_splice(b, 30000, at[i], views[k],
				     WEB_HOLE_VIEWS);
		}
	free(b);
}

static void test_splice_sizes(void **state)
{
	(void)state;
	/* empty page, tiny page, a page larger than the deflate window and
	 * than one stored block, incompressible bytes */
	check_splice("", 0, 0, 5, WEB_HOLE_VIEWS_LABEL);
	check_splice("x", 1, 1, 5, WEB_HOLE_VIEWS_LABEL);
	char *big = text_body(400000, 7);
	check_splice(big, 400000, 200000, 31, WEB_HOLE_VIEWS_LABEL);
	check_splice(big, 400000, 70000, 1, WEB_HOLE_VIEWS);
	free(big);
	char *rnd = random_body(100000, 3);
	check_splice(rnd, 100000, 50000, 77, WEB_HOLE_VIEWS_LABEL);
	check_splice(rnd, 100000, 0, 77, WEB_HOLE_VIEWS_LABEL);
	free(rnd);
}

static void test_splice_hash_differs(void **state)
{
	(void)state;
	struct web_resp r;
	const char *body = "<p>a</p><span></span><p>b</p>";
	resp_with(&r, body, strlen(body), 14, WEB_HOLE_VIEWS_LABEL);
	struct web_entry *e = NULL;
	assert_int_equal(web_entry_build("k", 1, &r, web_cache_generation(),
					 &e),
			 0);
	struct web_splice a, b, c;
	web_entry_splice(e, 1, &a);
	web_entry_splice(e, 2, &b);
	web_entry_splice(e, 1, &c);
	assert_true(a.hash != b.hash); /* ETags follow the bytes */
	assert_true(a.hash == c.hash);
	web_entry_unref(e);
	web_resp_release(&r);
}

static void test_whole_page_gzip(void **state)
{
	(void)state;
	char *b = text_body(50000, 9);
	struct web_resp r;
	resp_with(&r, b, 50000, 0, 0);
	r.last_modified = 1700000000;
	struct web_entry *e = NULL;
	assert_int_equal(web_entry_build("/", 1, &r, web_cache_generation(),
					 &e),
			 0);
	assert_non_null(e->gz);
	assert_true(e->gz_len < 50000 / 2);
	size_t n;
	unsigned char *out = gunzip(e->gz, e->gz_len, &n);
	assert_int_equal(n, 50000);
	assert_memory_equal(out, b, n);
	free(out);
	/* ETags: quoted, strong, one per coding */
	assert_int_equal(e->etag[0], '"');
	assert_int_equal(strlen(e->etag), 18);
	assert_string_not_equal(e->etag, e->etag_gz);
	assert_int_equal(e->last_modified, 1700000000);
	web_entry_unref(e);
	web_resp_release(&r);
	free(b);

	/* incompressible: no gzip bytes kept */
	char *rnd = random_body(4000, 5);
	resp_with(&r, rnd, 4000, 0, 0);
	assert_int_equal(web_entry_build("/r", 2, &r, web_cache_generation(),
					 &e),
			 0);
	assert_null(e->gz);
	web_entry_unref(e);
	web_resp_release(&r);
	/* not a text type: not compressed */
	resp_with(&r, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 52,
		  0, 0);
	r.content_type = "image/png";
	assert_int_equal(web_entry_build("/p", 2, &r, web_cache_generation(),
					 &e),
			 0);
	assert_null(e->gz);
	web_entry_unref(e);
	web_resp_release(&r);
	free(rnd);
}

static void test_web_gzip(void **state)
{
	(void)state;
	struct td_buf z;
	td_buf_init(&z, 0);
	td_buf_puts(&z, "prefix");
	char *b = text_body(10000, 2);
	assert_int_equal(web_gzip(b, 10000, &z), 0);
	size_t n;
	unsigned char *out =
		gunzip((unsigned char *)z.p + 6, z.len - 6, &n);
	assert_int_equal(n, 10000);
	assert_memory_equal(out, b, n);
	free(out);
	td_buf_reset(&z);
	assert_int_equal(web_gzip("", 0, &z), 0);
	out = gunzip((unsigned char *)z.p, z.len, &n);
	assert_int_equal(n, 0);
	free(out);
	td_buf_release(&z);
	free(b);
}

static void test_hole_text(void **state)
{
	(void)state;
	char t[40];
	assert_int_equal(web_hole_text(WEB_HOLE_VIEWS_LABEL, 1, t, sizeof t),
			 6);
	assert_string_equal(t, "1 View");
	web_hole_text(WEB_HOLE_VIEWS_LABEL, 0, t, sizeof t);
	assert_string_equal(t, "0 Views");
	web_hole_text(WEB_HOLE_VIEWS_LABEL, 12, t, sizeof t);
	assert_string_equal(t, "12 Views");
	web_hole_text(WEB_HOLE_VIEWS, 12, t, sizeof t);
	assert_string_equal(t, "12");
	web_hole_text(WEB_HOLE_VIEWS_LABEL, INT64_MAX, t, sizeof t);
	assert_string_equal(t, "9223372036854775807 Views");
	/* a small buffer truncates, never overflows */
	assert_int_equal(web_hole_text(WEB_HOLE_VIEWS_LABEL, 123456, t, 4), 3);
	assert_string_equal(t, "123");
}

/* ---- the table ---------------------------------------------------------- */

static struct web_entry *page(const char *key, size_t size)
{
	struct web_resp r;
	web_resp_init(&r);
	char *b = random_body(size, (unsigned)strlen(key) * 31u + 7u);
	td_buf_append(&r.body, b, size);
	free(b);
	r.content_type = "application/octet-stream"; /* no gzip: exact cost */
	struct web_entry *e = NULL;
	assert_int_equal(web_entry_build(key, strlen(key), &r,
					 web_cache_generation(), &e),
			 0);
	web_resp_release(&r);
	return e;
}

static int detached;

static void count_detach(struct web_entry *e)
{
	(void)e;
	detached++;
}

static void test_cache_get_put(void **state)
{
	(void)state;
	struct web_cache *c = web_cache_new(1 << 20);
	assert_non_null(c);
	assert_null(web_cache_get(c, "/a", 2));
	struct web_entry *e = page("/a", 1000);
	e->detach = count_detach;
	detached = 0;
	assert_int_equal(web_cache_put(c, e), 1);
	struct web_entry *g = web_cache_get(c, "/a", 2);
	assert_ptr_equal(g, e);
	web_entry_unref(g);
	assert_null(web_cache_get(c, "/b", 2));
	assert_null(web_cache_get(c, "/a/", 3));
	/* replacing a key drops the old entry; it is detached when its last
	 * holder (here, us) lets go */
	struct web_entry *e2 = page("/a", 500);
	assert_int_equal(web_cache_put(c, e2), 1);
	assert_int_equal(detached, 0);
	g = web_cache_get(c, "/a", 2);
	assert_ptr_equal(g, e2);
	web_entry_unref(g);
	struct web_cache_stats s;
	web_cache_stats(c, &s);
	assert_int_equal(s.entries, 1);
	assert_int_equal(s.bytes, e2->cost);
	/* the first entry is still alive while we hold it */
	assert_int_equal(e->plain_len, 1000);
	web_entry_unref(e);
	assert_int_equal(detached, 1);
	/* bytes held past the entry (a response in flight) */
	struct web_entry *e3 = page("/c", 300);
	web_entry_mem_ref(e3);
	web_entry_unref(e3);
	assert_int_equal(e3->plain_len, 300); /* still readable */
	web_entry_mem_unref(e3);
	web_entry_unref(e2);
	web_cache_free(c);
}

static void test_cache_generation(void **state)
{
	(void)state;
	struct web_cache *c = web_cache_new(1 << 20);
	struct web_entry *e = page("/x", 100);
	uint64_t g0 = web_cache_generation();
	assert_int_equal(web_cache_put(c, e), 1);
	web_cache_invalidate();
	assert_true(web_cache_generation() > g0);
	/* stale: the first request renders, the next ones get the stale
	 * entry meanwhile */
	assert_null(web_cache_get(c, "/x", 2));
	struct web_entry *g = web_cache_get(c, "/x", 2);
	assert_ptr_equal(g, e);
	web_entry_unref(g);
	struct web_cache_stats s;
	web_cache_stats(c, &s);
	assert_int_equal(s.entries, 1);
	assert_int_equal(s.stale, 1);
	assert_int_equal(s.stale_served, 1);
	/* an entry rendered before the invalidation is not kept */
	assert_int_equal(web_cache_put(c, e), 0);
	/* the new render replaces the stale entry */
	struct web_entry *e2 = page("/x", 100);
	assert_int_equal(web_cache_put(c, e2), 1);
	g = web_cache_get(c, "/x", 2);
	assert_ptr_equal(g, e2);
	web_entry_unref(g);
	/* stale again: a render that ends uncacheable forgets the key, so
	 * nobody is served the stale page any more */
	web_cache_invalidate();
	assert_null(web_cache_get(c, "/x", 2));
	web_cache_forget(c, "/x", 2);
	assert_null(web_cache_get(c, "/x", 2));
	web_cache_stats(c, &s);
	assert_int_equal(s.entries, 0);
	web_entry_unref(e2);
	web_entry_unref(e);
	web_cache_free(c);
}

/* A refresh that never puts its entry lets another request try after
 * TD_WEB_REFRESH_MS. */
static void test_cache_refresh_timeout(void **state)
{
	(void)state;
	struct web_cache *c = web_cache_new(1 << 20);
	struct web_entry *e = page("/slow", 100);
	assert_int_equal(web_cache_put(c, e), 1);
	web_cache_invalidate();
	assert_null(web_cache_get(c, "/slow", 5)); /* renderer 1 */
	struct web_entry *g = web_cache_get(c, "/slow", 5);
	assert_ptr_equal(g, e);
	web_entry_unref(g);
	struct timespec nap = { TD_WEB_REFRESH_MS / 1000,
				(TD_WEB_REFRESH_MS % 1000) * 1000000L + 50000000L };
	nanosleep(&nap, NULL);
	assert_null(web_cache_get(c, "/slow", 5)); /* renderer 2 */
	g = web_cache_get(c, "/slow", 5);
	assert_ptr_equal(g, e);
	web_entry_unref(g);
	web_entry_unref(e);
	web_cache_free(c);
}

static void test_cache_lru(void **state)
{
	(void)state;
	/* budget for about ten 10 KB pages */
	struct web_cache *c = web_cache_new(100 * 1024);
	char key[16];
	for (int i = 0; i < 10; i++) {
		snprintf(key, sizeof key, "/p%d", i);
		struct web_entry *e = page(key, 9000);
		assert_int_equal(web_cache_put(c, e), 1);
		web_entry_unref(e);
	}
	/* touch /p0 so it is the most recent */
	struct web_entry *g = web_cache_get(c, "/p0", 3);
	assert_non_null(g);
	web_entry_unref(g);
	for (int i = 10; i < 20; i++) {
		snprintf(key, sizeof key, "/p%d", i);
		struct web_entry *e = page(key, 9000);
		web_cache_put(c, e);
		web_entry_unref(e);
	}
	struct web_cache_stats s;
	web_cache_stats(c, &s);
	assert_true(s.bytes <= 100 * 1024);
	assert_true(s.evictions >= 9);
	/* the newest are there, the oldest untouched one is gone */
	g = web_cache_get(c, "/p19", 4);
	assert_non_null(g);
	web_entry_unref(g);
	assert_null(web_cache_get(c, "/p1", 3));
	/* a page bigger than an eighth of the budget is not kept */
	struct web_entry *big = page("/big", 20000);
	assert_int_equal(web_cache_put(c, big), 0);
	web_entry_unref(big);
	/* many keys: the table grows and still finds everything */
	struct web_cache *c2 = web_cache_new(64u << 20);
	for (int i = 0; i < 3000; i++) {
		snprintf(key, sizeof key, "/k%d", i);
		struct web_entry *e = page(key, 10);
		assert_int_equal(web_cache_put(c2, e), 1);
		web_entry_unref(e);
	}
	for (int i = 0; i < 3000; i += 7) {
		snprintf(key, sizeof key, "/k%d", i);
		g = web_cache_get(c2, key, strlen(key));
		assert_non_null(g);
		assert_string_equal(g->key, key);
		web_entry_unref(g);
	}
	web_cache_free(c2);
	web_cache_free(c);
}

/* An entry from a response with a cache lifetime, built at time now. */
static struct web_entry *timed_page(const char *key, int seconds)
{
	struct web_resp r;
	web_resp_init(&r);
	td_buf_puts(&r.body, "<p>most read</p>");
	r.cacheable = 1;
	r.cache_seconds = seconds;
	struct web_entry *e = NULL;
	assert_int_equal(web_entry_build(key, strlen(key), &r,
					 web_cache_generation(), &e),
			 0);
	web_resp_release(&r);
	return e;
}

static void test_cache_expiry(void **state)
{
	(void)state;
	setenv("TIDINGS_NOW", "1700000000", 1);
	struct web_cache *c = web_cache_new(1 << 20);
	struct web_entry *e = timed_page("/", 60);
	assert_int_equal(e->expires, 1700000060);
	struct web_entry *forever = timed_page("/about", 0);
	assert_int_equal(forever->expires, 0);
	struct web_entry *neg = timed_page("/neg", -5);
	assert_int_equal(neg->expires, 0); /* negative: no expiry */
	assert_int_equal(web_cache_put(c, e), 1);
	assert_int_equal(web_cache_put(c, forever), 1);
	assert_int_equal(web_cache_put(c, neg), 1);
	/* fresh until the last second of its life */
	setenv("TIDINGS_NOW", "1700000059", 1);
	struct web_entry *g = web_cache_get(c, "/", 1);
	assert_ptr_equal(g, e);
	web_entry_unref(g);
	/* stale from expires on: counted, the first request renders, the
	 * others get the stale page until the new one is put */
	setenv("TIDINGS_NOW", "1700000060", 1);
	assert_null(web_cache_get(c, "/", 1));
	struct web_cache_stats s;
	web_cache_stats(c, &s);
	assert_int_equal(s.entries, 3);
	assert_int_equal(s.stale, 1);
	g = web_cache_get(c, "/", 1);
	assert_ptr_equal(g, e);
	web_entry_unref(g);
	/* entries without an expiry live on, however late */
	setenv("TIDINGS_NOW", "1900000000", 1);
	g = web_cache_get(c, "/about", 6);
	assert_ptr_equal(g, forever);
	web_entry_unref(g);
	g = web_cache_get(c, "/neg", 4);
	assert_ptr_equal(g, neg);
	web_entry_unref(g);
	/* an entry that expired before it was put is not kept */
	assert_int_equal(web_cache_put(c, e), 0);
	web_entry_unref(e);
	/* a re-render made now is kept, with a new expiry */
	e = timed_page("/", 60);
	assert_int_equal(e->expires, 1900000060);
	assert_int_equal(web_cache_put(c, e), 1);
	g = web_cache_get(c, "/", 1);
	assert_ptr_equal(g, e);
	web_entry_unref(g);
	/* the generation still ends a timed entry early */
	web_cache_invalidate();
	assert_null(web_cache_get(c, "/", 1));
	web_cache_forget(c, "/", 1);
	web_entry_unref(e);
	web_entry_unref(forever);
	web_entry_unref(neg);
	web_cache_free(c);
	unsetenv("TIDINGS_NOW");
}

static void test_entry_fields(void **state)
{
	(void)state;
	struct web_resp r;
	web_resp_init(&r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.cc, WEB_CC_NO_STORE);
	assert_int_equal(r.last_modified, TD_TIME_NONE);
	assert_int_equal(web_resp_redirect(&r, 301, "/a/1-x"), 0);
	assert_int_equal(web_resp_redirect(&r, 200, "/a"), TD_EINVAL);
	assert_int_equal(web_resp_redirect(&r, 301, "/a\r\nX: y"), TD_EINVAL);
	r.cc = WEB_CC_IMMUTABLE;
	struct web_entry *e = NULL;
	assert_int_equal(web_entry_build("/a/1", 4, &r, web_cache_generation(),
					 &e),
			 0);
	assert_int_equal(e->status, 301);
	assert_string_equal(e->location, "/a/1-x");
	assert_string_equal(web_cc_value(e->cc),
			    "public, max-age=31536000, immutable");
	web_entry_unref(e);
	web_resp_release(&r);
	/* a body in error is refused */
	web_resp_init(&r);
	r.body.err = TD_ETOOBIG;
	assert_int_equal(web_entry_build("/", 1, &r, 1, &e), TD_ETOOBIG);
	assert_null(e);
	web_resp_release(&r);
	web_entry_unref(NULL);
	web_cache_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_splice_positions),
		cmocka_unit_test(test_splice_sizes),
		cmocka_unit_test(test_splice_hash_differs),
		cmocka_unit_test(test_whole_page_gzip),
		cmocka_unit_test(test_web_gzip),
		cmocka_unit_test(test_hole_text),
		cmocka_unit_test(test_cache_get_put),
		cmocka_unit_test(test_cache_generation),
		cmocka_unit_test(test_cache_refresh_timeout),
		cmocka_unit_test(test_cache_lru),
		cmocka_unit_test(test_cache_expiry),
		cmocka_unit_test(test_entry_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
