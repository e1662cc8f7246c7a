/*
 * test_web_server.c - the server in-process on 127.0.0.1 (port 0), talked
 * to over a plain socket: headers on every response, cache hits, gzip
 * (spliced and whole) decoded with zlib, 304s, HEAD, 405, 400s, keep-alive,
 * views counted and written at shutdown, invalidation. Every socket read
 * has a timeout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/config.h"
#include "core/err.h"
#include "core/time.h"
#include "store/store.h"
#include "web/web.h"
#include "web/web_int.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#define BROWSER "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Firefox/120.0"

static char dbpath[64];
static int64_t ids[3];
static struct td_config cfg;

struct reply {
	int status;
	char head[8192];
	char *body;
	size_t len;
};

static void reply_free(struct reply *r)
{
	free(r->body);
	r->body = NULL;
}

/* The value of header name in r->head (case-insensitive), copied into out;
 * NULL when absent. */
static const char *header(const struct reply *r, const char *name, char *out,
			  size_t cap)
{
	size_t n = strlen(name);
	for (const char *p = strstr(r->head, "\r\n"); p && p[2];
	     p = strstr(p + 2, "\r\n")) {
		const char *l = p + 2;
		if (!strncasecmp(l, name, n) && l[n] == ':') {
			l += n + 1;
			while (*l == ' ')
				l++;
			const char *e = strstr(l, "\r\n");
			size_t k = e ? (size_t)(e - l) : strlen(l);
			if (k >= cap)
				k = cap - 1;
			memcpy(out, l, k);
			out[k] = '\0';
			return out;
		}
	}
	return NULL;
}

static int dial(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in sa = { 0 };
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	return fd;
}

/* Read one byte with a 5 s timeout; -1 on EOF or timeout. */
static int rd(int fd, char *c)
{
	struct pollfd p = { fd, POLLIN, 0 };
	if (poll(&p, 1, 5000) <= 0)
		return -1;
	return read(fd, c, 1) == 1 ? 0 : -1;
}

/* Send raw and read one response (head, then Content-Length bytes unless
 * no_body). Returns 0, or -1 if the connection closed first. */
static int exchange(int fd, const char *raw, int no_body, struct reply *r)
{
	memset(r, 0, sizeof *r);
	size_t n = strlen(raw);
	assert_int_equal(write(fd, raw, n), (ssize_t)n);
	size_t h = 0;
	char c;
	while (h < sizeof r->head - 1) {
		if (rd(fd, &c))
			return -1;
		r->head[h++] = c;
		if (h >= 4 && !memcmp(r->head + h - 4, "\r\n\r\n", 4))
			break;
	}
	r->head[h] = '\0';
	assert_int_equal(sscanf(r->head, "HTTP/1.1 %d", &r->status), 1);
	char v[32];
	size_t len = 0;
	if (header(r, "Content-Length", v, sizeof v))
		len = (size_t)strtoul(v, NULL, 10);
	if (no_body || r->status == 304)
		len = 0;
	r->body = malloc(len + 1);
	assert_non_null(r->body);
	for (size_t i = 0; i < len; i++)
		if (rd(fd, &r->body[i]))
			return -1;
	r->body[len] = '\0';
	r->len = len;
	return 0;
}

/* One request on a new connection. */
static void get(int port, const char *method, const char *path,
		const char *extra, struct reply *r)
{
	int fd = dial(port);
	char raw[16384];
	snprintf(raw, sizeof raw,
		 "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%sConnection: "
		 "close\r\n\r\n",
		 method, path, extra ? extra : "");
	assert_int_equal(exchange(fd, raw, !strcmp(method, "HEAD"), r), 0);
	close(fd);
}


/* The slugged article path that /a/ID redirects to. */
static void article_path(int port, long long id, char *out, size_t cap)
{
	char p[32], loc[256];
	struct reply r;
	snprintf(p, sizeof p, "/a/%lld", id);
	get(port, "GET", p, NULL, &r);
	assert_int_equal(r.status, 301);
	assert_non_null(header(&r, "Location", loc, sizeof loc));
	snprintf(out, cap, "%s", loc);
	reply_free(&r);
}

static char *gunzip(const char *p, size_t n, size_t *outlen)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	assert_int_equal(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
	size_t cap = 1 << 20;
	char *out = malloc(cap);
	assert_non_null(out);
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	assert_int_equal(z.avail_in, 0);
	*outlen = cap - z.avail_out;
	inflateEnd(&z);
	return out;
}

static int64_t views_of(const char *body)
{
	const char *p = strstr(body, "class=\"views\">");
	assert_non_null(p);
	return strtoll(p + 14, NULL, 10);
}

static void make_db(void)
{
	snprintf(dbpath, sizeof dbpath, "/tmp/tidings-web-XXXXXX");
	int fd = mkstemp(dbpath);
	assert_true(fd >= 0);
	close(fd);
	unlink(dbpath);
	struct store *s = NULL;
	struct td_error err = { 0 };
	assert_int_equal(store_open(dbpath, 0, &s, &err), 0);
	struct store_source src = { 0 };
	src.url = (char *)"http://srv.test/feed";
	src.title = (char *)"Server Source";
	src.disabled = 1; /* nothing to fetch */
	int64_t sid;
	assert_int_equal(store_source_add(s, &src, &sid), 0);
	char text[4000];
	for (size_t i = 0; i < sizeof text - 1; i++)
		text[i] = "news about the harbor "[i % 22];
	text[sizeof text - 1] = '\0';
	for (int i = 0; i < 3; i++) {
		char guid[8], title[32], html[4100];
		snprintf(guid, sizeof guid, "g%d", i);
		snprintf(title, sizeof title, "Story %d", i);
		snprintf(html, sizeof html, "<p>%s</p>", text);
		struct store_article a = { 0 };
		a.source_id = sid;
		a.guid = guid;
		a.url = (char *)"http://srv.test/story";
		a.title = title;
		a.content_html = html;
		a.content_text = text;
		a.published = 1700000000 + i;
		a.updated = TD_TIME_NONE;
		a.first_seen = 1700000000;
		assert_int_equal(store_article_insert(s, &a, &ids[i]), 0);
	}
	store_close(s);
}

static void drop_db(void)
{
	char p[80];
	unlink(dbpath);
	snprintf(p, sizeof p, "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", dbpath);
	unlink(p);
}

static size_t cache_bytes; /* 0: default */

static struct web_server *start(void)
{
	struct web_opts o = { 0 };
	o.cache_bytes = cache_bytes;
	o.db = dbpath;
	o.listen = "127.0.0.1:0";
	o.config = &cfg;
	o.threads = 2;
	o.no_fetch = 1;
	o.flush_ms = 60000; /* only the shutdown flush */
	struct web_server *srv = NULL;
	struct td_error err = { 0 };
	int rc = web_server_start(&o, &srv, &err);
	if (rc)
		fail_msg("start: %s", err.msg);
	assert_true(web_server_port(srv) > 0);
	return srv;
}

static void test_headers_and_cache(void **state)
{
	(void)state;
	struct web_server *srv = start();
	int port = web_server_port(srv);
	struct reply r;
	char v[512];
	uint64_t hits0 = atomic_load(&web_metrics.cache_hits);
	get(port, "GET", "/", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Story 2"));
	assert_non_null(header(&r, "Content-Security-Policy", v, sizeof v));
	assert_non_null(strstr(v, "default-src 'self'"));
	assert_non_null(strstr(v, "frame-ancestors 'none'"));
	assert_string_equal(header(&r, "X-Content-Type-Options", v, sizeof v),
			    "nosniff");
	assert_non_null(header(&r, "Referrer-Policy", v, sizeof v));
	assert_string_equal(header(&r, "Vary", v, sizeof v),
			    "Accept-Encoding");
	assert_string_equal(header(&r, "Cache-Control", v, sizeof v),
			    "public, max-age=60");
	assert_non_null(header(&r, "Last-Modified", v, sizeof v));
	char etag[64];
	assert_non_null(header(&r, "ETag", etag, sizeof etag));
	assert_int_equal(etag[0], '"');
	char *plain = r.body;
	size_t plain_len = r.len;
	r.body = NULL;

	/* the same page from the cache, gzip on request */
	get(port, "GET", "/", "Accept-Encoding: gzip, br\r\n", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(header(&r, "Content-Encoding", v, sizeof v),
			    "gzip");
	char etag_gz[64];
	header(&r, "ETag", etag_gz, sizeof etag_gz);
	assert_string_not_equal(etag, etag_gz);
	size_t n;
	char *out = gunzip(r.body, r.len, &n);
	assert_int_equal(n, plain_len);
	assert_memory_equal(out, plain, n);
	free(out);
	reply_free(&r);
	assert_true(atomic_load(&web_metrics.cache_hits) >= hits0 + 1);

	/* conditional requests */
	char extra[256];
	snprintf(extra, sizeof extra, "If-None-Match: %s\r\n", etag);
	get(port, "GET", "/", extra, &r);
	assert_int_equal(r.status, 304);
	assert_string_equal(header(&r, "ETag", v, sizeof v), etag);
	assert_non_null(header(&r, "Content-Security-Policy", v, sizeof v));
	reply_free(&r);
	get(port, "GET", "/", "If-None-Match: \"other\"\r\n", &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	get(port, "GET", "/", "If-Modified-Since: Sun, 06 Nov 2050 08:49:37 "
			      "GMT\r\n",
	    &r);
	assert_int_equal(r.status, 304);
	reply_free(&r);
	get(port, "GET", "/", "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 "
			      "GMT\r\n",
	    &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);

	/* HEAD: headers, no body */
	get(port, "HEAD", "/", NULL, &r);
	assert_int_equal(r.status, 200);
	header(&r, "Content-Length", v, sizeof v);
	assert_int_equal(strtoul(v, NULL, 10), plain_len);
	reply_free(&r);
	free(plain);
	web_server_stop(srv);
}

static void test_bad_requests(void **state)
{
	(void)state;
	struct web_server *srv = start();
	int port = web_server_port(srv);
	struct reply r;
	char v[256];
	get(port, "POST", "/", NULL, &r);
	assert_int_equal(r.status, 405);
	assert_string_equal(header(&r, "Allow", v, sizeof v), "GET, HEAD");
	reply_free(&r);
	get(port, "DELETE", "/a/1", NULL, &r);
	assert_int_equal(r.status, 405);
	reply_free(&r);
	get(port, "GET", "/nothing-here", NULL, &r);
	assert_int_equal(r.status, 404);
	assert_non_null(header(&r, "Content-Security-Policy", v, sizeof v));
	assert_string_equal(header(&r, "Cache-Control", v, sizeof v),
			    "no-store");
	reply_free(&r);
	/* a long URL */
	char path[3000] = "/";
	memset(path + 1, 'a', sizeof path - 2);
	path[sizeof path - 1] = '\0';
	get(port, "GET", path, NULL, &r);
	assert_int_equal(r.status, 400);
	reply_free(&r);
	/* too many query parameters, one too long */
	char q[1024] = "/?";
	for (int i = 0; i < 40; i++) {
		size_t l = strlen(q);
		snprintf(q + l, sizeof q - l, "p%d=1&", i);
	}
	get(port, "GET", q, NULL, &r);
	assert_int_equal(r.status, 400);
	reply_free(&r);
	char q2[1600] = "/?x=";
	memset(q2 + 4, 'b', 1500);
	q2[1504] = '\0';
	get(port, "GET", q2, NULL, &r);
	assert_int_equal(r.status, 400);
	reply_free(&r);
	/* control bytes in the path; a bad Host */
	get(port, "GET", "/a%01b", NULL, &r);
	assert_int_equal(r.status, 400);
	reply_free(&r);
	int fd = dial(port);
	assert_int_equal(exchange(fd,
				  "GET / HTTP/1.1\r\nHost: <evil>\r\n"
				  "Connection: close\r\n\r\n",
				  0, &r),
			 0);
	assert_int_equal(r.status, 400);
	reply_free(&r);
	close(fd);
	/* a GET with a body */
	fd = dial(port);
	assert_int_equal(exchange(fd,
				  "GET / HTTP/1.1\r\nHost: x\r\nContent-Length:"
				  " 5\r\nConnection: close\r\n\r\nhello",
				  0, &r),
			 0);
	assert_int_equal(r.status, 400);
	reply_free(&r);
	close(fd);
	/* headers beyond the connection's memory: refused by the library */
	char big[40000];
	snprintf(big, sizeof big, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: ");
	size_t l = strlen(big);
	memset(big + l, 'h', 36000);
	snprintf(big + l + 36000, sizeof big - l - 36000, "\r\n\r\n");
	fd = dial(port);
	int rc = exchange(fd, big, 0, &r);
	assert_true(rc == -1 || r.status >= 400);
	reply_free(&r);
	close(fd);
	/* still serving */
	get(port, "GET", "/healthz", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "ok\n");
	reply_free(&r);
	web_server_stop(srv);
}

static void test_views_and_splice(void **state)
{
	(void)state;
	struct web_server *srv = start();
	int port = web_server_port(srv);
	char path[256], ua[256], v[128];
	article_path(port, (long long)ids[0], path, sizeof path);
	snprintf(ua, sizeof ua, "User-Agent: %s\r\n", BROWSER);
	struct reply r;
	/* keep-alive: five page views on one connection */
	int fd = dial(port);
	char raw[1024];
	snprintf(raw, sizeof raw, "GET %s HTTP/1.1\r\nHost: x\r\n%s\r\n", path,
		 ua);
	for (int i = 1; i <= 5; i++) {
		assert_int_equal(exchange(fd, raw, 0, &r), 0);
		assert_int_equal(r.status, 200);
		assert_int_equal(views_of(r.body), i);
		assert_string_equal(header(&r, "Cache-Control", v, sizeof v),
				    "no-cache");
		reply_free(&r);
	}
	close(fd);
	/* a bot, a HEAD, a missing User-Agent: not counted */
	get(port, "GET", path, "User-Agent: Googlebot/2.1\r\n", &r);
	assert_int_equal(views_of(r.body), 5);
	reply_free(&r);
	get(port, "HEAD", path, ua, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	get(port, "GET", path, NULL, &r);
	assert_int_equal(views_of(r.body), 5);
	char *plain = r.body;
	size_t plain_len = r.len;
	char etag[64];
	header(&r, "ETag", etag, sizeof etag);
	r.body = NULL;
	/* the bot may revalidate: same count, same bytes, 304 */
	char extra[256];
	snprintf(extra, sizeof extra, "If-None-Match: %s\r\n", etag);
	get(port, "GET", path, extra, &r);
	assert_int_equal(r.status, 304);
	reply_free(&r);
	/* gzip: the spliced stream decodes to the page with the new count */
	char both[512];
	snprintf(both, sizeof both, "%sAccept-Encoding: gzip\r\n", ua);
	get(port, "GET", path, both, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(header(&r, "Content-Encoding", v, sizeof v),
			    "gzip");
	size_t n;
	char *out = gunzip(r.body, r.len, &n);
	out[n < (1 << 20) ? n : n - 1] = '\0';
	assert_int_equal(views_of(out), 6);
	/* identical to the plain page but for the count */
	assert_int_equal(n, plain_len);
	char *a = strstr(plain, "class=\"views\">"),
	     *b = strstr(out, "class=\"views\">");
	assert_memory_equal(out, plain, (size_t)(b - out));
	assert_string_equal(strchr(b, '<'), strchr(a, '<'));
	free(out);
	reply_free(&r);
	free(plain);
	/* another article counts separately */
	article_path(port, (long long)ids[1], path, sizeof path);
	get(port, "GET", path, ua, &r);
	assert_int_equal(views_of(r.body), 1);
	reply_free(&r);
	/* the counts reach the database at shutdown */
	web_server_stop(srv);
	struct store *s = NULL;
	struct td_error err = { 0 };
	assert_int_equal(store_open(dbpath, STORE_READONLY, &s, &err), 0);
	struct store_article art;
	memset(&art, 0, sizeof art);
	assert_int_equal(store_article_get(s, ids[0], &art), 0);
	assert_int_equal(art.views, 6);
	store_article_release(&art);
	assert_int_equal(store_article_get(s, ids[1], &art), 0);
	assert_int_equal(art.views, 1);
	store_article_release(&art);
	store_close(s);
	/* and a new server shows them */
	srv = start();
	article_path(web_server_port(srv), (long long)ids[0], path, sizeof path);
	get(web_server_port(srv), "GET", path, ua, &r);
	assert_int_equal(views_of(r.body), 7);
	reply_free(&r);
	web_server_stop(srv);
}

static void test_invalidate(void **state)
{
	(void)state;
	struct web_server *srv = start();
	int port = web_server_port(srv);
	struct reply r;
	get(port, "GET", "/", NULL, &r);
	assert_null(strstr(r.body, "Breaking"));
	reply_free(&r);
	/* a new article, committed by another connection */
	struct store *s = NULL;
	struct td_error err = { 0 };
	assert_int_equal(store_open(dbpath, 0, &s, &err), 0);
	struct store_article a = { 0 };
	a.source_id = 1;
	a.guid = (char *)"breaking";
	a.title = (char *)"Breaking story";
	a.published = 1800000000;
	a.updated = TD_TIME_NONE;
	a.first_seen = 1800000000;
	int64_t id;
	assert_int_equal(store_article_insert(s, &a, &id), 0);
	store_close(s);
	get(port, "GET", "/", NULL, &r);
	assert_null(strstr(r.body, "Breaking")); /* cached */
	reply_free(&r);
	web_cache_invalidate();
	get(port, "GET", "/", NULL, &r);
	assert_non_null(strstr(r.body, "Breaking story"));
	reply_free(&r);
	get(port, "GET", "/metrics", NULL, &r);
	assert_non_null(strstr(r.body, "tidings_cache_stale_total 1\n"));
	assert_non_null(strstr(r.body, "tidings_articles 4\n"));
	reply_free(&r);
	web_server_stop(srv);
}

/* Clients on keep-alive connections asking for the front page under many
 * Host names (each its own cache entry) through a small cache: entries are
 * evicted while their prebuilt responses are being sent. */
struct client {
	int port;
	int id;
	int ok;
};

static void *client_main(void *p)
{
	struct client *cl = p;
	int fd = dial(cl->port);
	unsigned seed = (unsigned)cl->id * 7919u + 1u;
	for (int i = 0; i < 400; i++) {
		seed = seed * 1103515245u + 12345u;
		int host = (int)((seed >> 16) % 60);
		int gz = (seed >> 8) & 1;
		char raw[256];
		snprintf(raw, sizeof raw,
			 "GET / HTTP/1.1\r\nHost: h%d.test\r\n%s\r\n", host,
			 gz ? "Accept-Encoding: gzip\r\n" : "");
		struct reply r;
		if (exchange(fd, raw, 0, &r) || r.status != 200) {
			reply_free(&r);
			break;
		}
		char *body = r.body;
		size_t n = r.len;
		if (gz) {
			body = gunzip(r.body, r.len, &n);
			body[n < (1 << 20) ? n : n - 1] = '\0';
		}
		char want[64];
		snprintf(want, sizeof want, "Story 2");
		if (strstr(body, want))
			cl->ok++;
		if (gz)
			free(body);
		reply_free(&r);
	}
	close(fd);
	return NULL;
}

static void test_eviction_under_load(void **state)
{
	(void)state;
	cache_bytes = 64 * 1024;
	struct web_server *srv = start();
	cache_bytes = 0;
	struct client cl[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		cl[i] = (struct client){ web_server_port(srv), i, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, client_main,
						&cl[i]),
				 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(cl[i].ok, 400);
	}
	struct reply r;
	get(web_server_port(srv), "GET", "/metrics", NULL, &r);
	char *ev = strstr(r.body, "\ntidings_cache_evictions_total ");
	assert_non_null(ev);
	assert_true(strtoll(ev + 31, NULL, 10) > 0);
	reply_free(&r);
	web_server_stop(srv);
}

/* The scheduler: a due file:// source is fetched at start, its articles
 * show up on the (invalidated) front page, and a new item in the feed is
 * picked up when the source is due again. */
static void test_scheduler(void **state)
{
	(void)state;
	char feed[64];
	snprintf(feed, sizeof feed, "/tmp/tidings-web-feed-XXXXXX");
	int fd = mkstemp(feed);
	assert_true(fd >= 0);
	static const char rss[] =
		"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
		"<title>Sched</title><link>http://sched.test/</link>"
		"<item><title>Scheduled scoop</title><guid>s1</guid>"
		"<link>http://sched.test/1</link>"
		"<pubDate>Tue, 14 Nov 2023 22:13:20 GMT</pubDate>"
		"<description>Body of the scoop.</description></item>"
		"</channel></rss>";
	assert_int_equal(write(fd, rss, sizeof rss - 1), (ssize_t)(sizeof rss - 1));
	close(fd);
	struct store *s = NULL;
	struct td_error err = { 0 };
	assert_int_equal(store_open(dbpath, 0, &s, &err), 0);
	char url[96];
	snprintf(url, sizeof url, "file://%s", feed);
	struct store_source src = { 0 };
	src.url = url;
	src.title = (char *)"Sched";
	src.mode = STORE_MODE_FEED;
	src.created = 1700000000;
	src.last_fetch = TD_TIME_NONE;
	src.last_new_item = TD_TIME_NONE;
	int64_t sid;
	assert_int_equal(store_source_add(s, &src, &sid), 0);
	store_close(s);

	struct web_opts o = { 0 };
	o.db = dbpath;
	o.listen = "127.0.0.1:0";
	o.config = &cfg;
	o.threads = 1;
	struct web_server *srv = NULL;
	assert_int_equal(web_server_start(&o, &srv, &err), 0);
	int port = web_server_port(srv);
	int found = 0;
	for (int i = 0; i < 200 && !found; i++) { /* up to 10 s */
		struct reply r;
		get(port, "GET", "/", NULL, &r);
		found = strstr(r.body, "Scheduled scoop") != NULL;
		reply_free(&r);
		if (!found)
			usleep(50 * 1000);
	}
	assert_true(found);
	struct reply r;
	get(port, "GET", "/metrics", NULL, &r);
	assert_non_null(strstr(r.body, "\ntidings_fetch_rounds_total 1\n"));
	assert_non_null(strstr(r.body, "\ntidings_fetch_new_articles_total 1\n"));
	reply_free(&r);
	web_server_stop(srv);
	unlink(feed);
}

static void test_start_errors(void **state)
{
	(void)state;
	struct web_opts o = { 0 };
	o.db = dbpath;
	o.config = &cfg;
	o.no_fetch = 1;
	struct web_server *srv = NULL;
	struct td_error err = { 0 };
	o.listen = "nonsense";
	assert_int_equal(web_server_start(&o, &srv, &err), TD_EINVAL);
	assert_null(srv);
	/* a port in use */
	struct web_server *first = start();
	char l[32];
	snprintf(l, sizeof l, "127.0.0.1:%d", web_server_port(first));
	o.listen = l;
	assert_int_not_equal(web_server_start(&o, &srv, &err), 0);
	assert_non_null(strstr(err.msg, "cannot listen"));
	web_server_stop(first);
	/* an unusable database */
	o.listen = "127.0.0.1:0";
	o.db = "/nonexistent-dir/x.db";
	assert_int_not_equal(web_server_start(&o, &srv, &err), 0);
	web_server_stop(NULL);
}

static int setup(void **state)
{
	(void)state;
	td_config_defaults(&cfg);
	make_db();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	drop_db();
	td_config_release(&cfg);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_headers_and_cache, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_views_and_splice, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_invalidate, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_eviction_under_load, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_scheduler, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_start_errors, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
