/*
 * test_fetch.c - the fetcher against the fixture server
 * (tests/integration/server.mjs, started here as a child process on a
 * loopback port), plus the response-header parser on its own.
 *
 * The server tests are skipped when node or the server script cannot be
 * found (set TIDINGS_SRCDIR to the source tree when running from
 * elsewhere). Everything is bounded: an alarm ends a hung run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/limits.h"
#include "core/time.h"
#include "core/url.h"
#include "fetch/fetch.h"
#include "fetch/fetch_int.h"

/* ---- header parser (no server) ------------------------------------------ */

static void feed_lines(struct fetch_hdrs *h, const char *const *lines,
		       int64_t now)
{
	for (; *lines; lines++)
		assert_int_equal(fetch_hdrs_line(h, *lines, strlen(*lines), now), 0);
}

static void test_hdrs_basic(void **state)
{
	(void)state;
	struct fetch_hdrs h;
	fetch_hdrs_init(&h);
	const char *lines[] = {
		"HTTP/1.1 200 OK\r\n",
		"ETag: W/\"abc-123\"\r\n",
		"last-modified:   Sat, 06 Jan 2024 01:10:00 GMT  \r\n",
		"Content-Type: Application/RSS+XML; Charset=\"ISO-8859-1\"\r\n",
		"Content-Length: 1234\r\n",
		"Cache-Control: public, max-age=600, must-revalidate\r\n",
		"X-Unknown: whatever\r\n",
		"\r\n",
		NULL,
	};
	feed_lines(&h, lines, 1000);
	assert_int_equal(h.status, 200);
	assert_string_equal(h.reason, "OK");
	assert_string_equal(h.etag, "W/\"abc-123\"");
	assert_string_equal(h.last_modified, "Sat, 06 Jan 2024 01:10:00 GMT");
	assert_string_equal(h.content_type, "application/rss+xml");
	assert_string_equal(h.charset, "iso-8859-1");
	assert_int_equal(h.content_length, 1234);
	assert_int_equal(h.max_age, 600);
	assert_null(h.location);
	assert_true(h.retry_after == TD_TIME_NONE);
	fetch_hdrs_release(&h);
	assert_null(h.etag);
}

static void test_hdrs_status_resets(void **state)
{
	(void)state;
	struct fetch_hdrs h;
	fetch_hdrs_init(&h);
	const char *lines[] = {
		"HTTP/1.1 301 Moved Permanently\r\n",
		"Location: /next\r\n",
		"ETag: \"old\"\r\n",
		"Retry-After: 5\r\n",
		"\r\n",
		"HTTP/2 200 \r\n",
		"content-type: text/xml\r\n",
		NULL,
	};
	feed_lines(&h, lines, 1000);
	assert_int_equal(h.status, 200);
	assert_string_equal(h.reason, "");
	assert_null(h.location);
	assert_null(h.etag);
	assert_true(h.retry_after == TD_TIME_NONE);
	assert_string_equal(h.content_type, "text/xml");
	assert_null(h.charset);
	fetch_hdrs_release(&h);

	/* malformed status lines leave status 0 */
	fetch_hdrs_init(&h);
	const char *bad[] = { "HTTP/1.1 20 OK\r\n", NULL };
	feed_lines(&h, bad, 0);
	assert_int_equal(h.status, 0);
	const char *bad2[] = { "HTTP/1.1 2000 OK\r\n", NULL };
	feed_lines(&h, bad2, 0);
	assert_int_equal(h.status, 0);
	const char *ok[] = { "HTTP/1.0 404 Not Found\n", NULL };
	feed_lines(&h, ok, 0);
	assert_int_equal(h.status, 404);
	assert_string_equal(h.reason, "Not Found");
	fetch_hdrs_release(&h);
}

static void test_hdrs_retry_after(void **state)
{
	(void)state;
	struct fetch_hdrs h;
	fetch_hdrs_init(&h);
	const char *a[] = { "HTTP/1.1 503 x\r\n", "Retry-After: 120\r\n", NULL };
	feed_lines(&h, a, 1000000);
	assert_int_equal(h.retry_after, 1000120);
	const char *b[] = { "HTTP/1.1 429 x\r\n",
			    "Retry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\n",
			    NULL };
	feed_lines(&h, b, 0);
	assert_int_equal(h.retry_after, 1445412480);
	const char *c[] = { "HTTP/1.1 429 x\r\n", "Retry-After: soon\r\n", NULL };
	feed_lines(&h, c, 0);
	assert_true(h.retry_after == TD_TIME_NONE);
	/* absurd seconds are clamped, never overflow */
	const char *d[] = { "HTTP/1.1 429 x\r\n",
			    "Retry-After: 99999999999999999999999999\r\n", NULL };
	feed_lines(&h, d, 1000);
	assert_int_equal(h.retry_after, 1000 + FETCH_MAX_RETRY_SECS);
	const char *e[] = { "HTTP/1.1 429 x\r\n", "Retry-After: -5\r\n", NULL };
	feed_lines(&h, e, 1000);
	assert_true(h.retry_after == TD_TIME_NONE);
	fetch_hdrs_release(&h);
}

static void test_hdrs_cache_control(void **state)
{
	(void)state;
	struct {
		const char *line;
		int64_t want;
	} cases[] = {
		{ "Cache-Control: max-age=300", 300 },
		{ "Cache-Control: MAX-AGE = 42 ", 42 },
		{ "Cache-Control: max-age=\"77\"", 77 },
		{ "Cache-Control: no-cache", -1 },
		{ "Cache-Control: max-age=", -1 },
		{ "Cache-Control: max-age=12x", -1 },
		{ "Cache-Control: s-maxage=5, max-age=9", 9 },
		{ "Cache-Control: max-age=99999999999999999999", INT32_MAX },
		{ "Cache-Control: max-ages=5", -1 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fetch_hdrs h;
		fetch_hdrs_init(&h);
		fetch_hdrs_line(&h, cases[i].line, strlen(cases[i].line), 0);
		assert_int_equal(h.max_age, cases[i].want);
		fetch_hdrs_release(&h);
	}
}

static void test_hdrs_bounds_and_junk(void **state)
{
	(void)state;
	struct fetch_hdrs h;
	fetch_hdrs_init(&h);
	/* an ETag longer than the limit is dropped, not cut */
	size_t n = FETCH_MAX_VALIDATOR + 100;
	char *line = malloc(n + 16);
	assert_non_null(line);
	memcpy(line, "ETag: ", 6);
	memset(line + 6, 'a', n);
	fetch_hdrs_line(&h, line, n + 6, 0);
	assert_null(h.etag);
	free(line);
	/* control bytes in a validator: dropped (it is sent back later) */
	const char evil[] = "ETag: \"a\x01" "b\"";
	fetch_hdrs_line(&h, evil, sizeof evil - 1, 0);
	assert_null(h.etag);
	/* not NUL-terminated input: only len bytes are read */
	char buf[] = { 'E', 'T', 'a', 'g', ':', ' ', 'x', 'y', 'z' };
	fetch_hdrs_line(&h, buf, 7, 0);
	assert_string_equal(h.etag, "x");
	/* junk lines, folding, no colon, empty name */
	const char *junk[] = { ": value", "No colon here", "  folded: line",
			       "Bad Name: x", "\r\n", "", "HTTP/", NULL };
	for (const char **j = junk; *j; j++)
		assert_int_equal(fetch_hdrs_line(&h, *j, strlen(*j), 0), 0);
	/* content-length */
	const char *cl[] = { "Content-Length: 12, 12", "Content-Length: -1",
			     "Content-Length: 99999999999999999999999", NULL };
	fetch_hdrs_line(&h, cl[0], strlen(cl[0]), 0);
	assert_int_equal(h.content_length, -1);
	fetch_hdrs_line(&h, cl[1], strlen(cl[1]), 0);
	assert_int_equal(h.content_length, -1);
	fetch_hdrs_line(&h, cl[2], strlen(cl[2]), 0);
	assert_int_equal(h.content_length, INT64_MAX);
	/* location kept trimmed */
	const char loc[] = "Location:   http://example.org/a b  \r\n";
	fetch_hdrs_line(&h, loc, sizeof loc - 1, 0);
	assert_string_equal(h.location, "http://example.org/a b");
	fetch_hdrs_release(&h);
}

static void test_content_type(void **state)
{
	(void)state;
	struct {
		const char *in, *type, *charset;
	} cases[] = {
		{ "text/html", "text/html", NULL },
		{ "text/html; charset=UTF-8", "text/html", "utf-8" },
		{ "TEXT/XML;CHARSET=windows-1252", "text/xml", "windows-1252" },
		{ "application/xml; charset=\"iso-8859-1\"", "application/xml",
		  "iso-8859-1" },
		{ "text/xml; format=flowed; charset=koi8-r; charset=utf-8",
		  "text/xml", "koi8-r" },
		{ "text/xml; charset=\"ut\\f-8\"", "text/xml", "utf-8" },
		{ "text/xml; charset=\"utf-8", "text/xml", "utf-8" },
		{ "text/xml; charset=", "text/xml", NULL },
		{ "text/xml; charset=\"\"", "text/xml", NULL },
		{ "text/xml; charset=utf 8", "text/xml", NULL },
		{ "text/xml; charset=<script>", "text/xml", NULL },
		{ "text/xml; charset", "text/xml", NULL },
		{ "text", NULL, NULL },
		{ "text/", NULL, NULL },
		{ "/xml", NULL, NULL },
		{ "a/b/c", NULL, NULL },
		{ "", NULL, NULL },
		{ ";charset=utf-8", NULL, "utf-8" },
		{ "text/html ;  charset = \"utf-8\" ", "text/html", "utf-8" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *t, *c;
		assert_int_equal(fetch_content_type(cases[i].in,
						    strlen(cases[i].in), &t, &c),
				 0);
		if (cases[i].type)
			assert_string_equal(t, cases[i].type);
		else
			assert_null(t);
		if (cases[i].charset)
			assert_string_equal(c, cases[i].charset);
		else
			assert_null(c);
		free(t);
		free(c);
	}
}

static void test_http_date(void **state)
{
	(void)state;
	const int64_t t = 784111777; /* Sun, 06 Nov 1994 08:49:37 GMT */
	struct {
		const char *s;
		int64_t want;
	} cases[] = {
		{ "Sun, 06 Nov 1994 08:49:37 GMT", t },
		{ "Sunday, 06-Nov-94 08:49:37 GMT", t },
		{ "Sun Nov  6 08:49:37 1994", t },
		{ "Nov  6 08:49:37 1994", t },
		{ "  Sun, 06 Nov 1994 08:49:37 GMT  ", t },
		{ "06 Nov 1994 08:49:37 GMT", t },
		{ "Sun, 06 Nov 1994 08:49:37 UTC", t },
		{ "Sun, 06 Nov 1994 09:49:37 +0100", t },
		{ "Sun, 06 Nov 1994 08:49:37", t },
		{ "Sun, 6 Nov 1994 08:49:37 GMT", t },
		{ "Thu, 01 Jan 1970 00:00:00 GMT", 0 },
		{ "Sat, 29 Feb 2020 12:00:00 GMT", 1582977600 },
		{ "Fri, 06 Jan 34 00:00:00 GMT", 2020118400 },
		{ "Sun, 30 Feb 2020 12:00:00 GMT", TD_TIME_NONE },
		{ "Sun, 06 Nov 1994 24:49:37 GMT", TD_TIME_NONE },
		{ "Sun, 06 Nov 1994 08:60:37 GMT", TD_TIME_NONE },
		{ "Sun, 06 Foo 1994 08:49:37 GMT", TD_TIME_NONE },
		{ "Sun, 06 Nov 1994 08:49:37 PST", TD_TIME_NONE },
		{ "Sun, 06 Nov 1994 08:49:37 GMT junk", TD_TIME_NONE },
		{ "Sun, 06 Nov 199 08:49:37 GMT", TD_TIME_NONE },
		{ "Sun, 06 Nov 19945 08:49:37 GMT", TD_TIME_NONE },
		{ "Sun Nov 6 08:49:37", TD_TIME_NONE },
		{ "", TD_TIME_NONE },
		{ "120", TD_TIME_NONE },
		{ "Sundayyyyyyyyyyyyyyyyyyyyy, 06 Nov 1994 08:49:37 GMT",
		  TD_TIME_NONE },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t got = fetch_http_date(cases[i].s, strlen(cases[i].s));
		if (got != cases[i].want)
			fail_msg("%s: got %lld want %lld", cases[i].s,
				 (long long)got, (long long)cases[i].want);
	}
	assert_true(fetch_http_date(NULL, 0) == TD_TIME_NONE);
	/* our own formatter round-trips */
	char buf[32];
	td_time_rfc1123(1704503400, buf);
	assert_int_equal(fetch_http_date(buf, strlen(buf)), 1704503400);
}

static void test_reason(void **state)
{
	(void)state;
	assert_string_equal(fetch_reason(404), "Not Found");
	assert_string_equal(fetch_reason(410), "Gone");
	assert_string_equal(fetch_reason(429), "Too Many Requests");
	assert_null(fetch_reason(599));
}

/* ---- fixture server ------------------------------------------------------ */

static pid_t srv_pid = -1;
static int srv_port;
static char srcdir[1024] = ".";

static int server_start(void **state)
{
	(void)state;
	const char *d = getenv("TIDINGS_SRCDIR");
	if (d && *d)
		snprintf(srcdir, sizeof srcdir, "%s", d);
	char script[1200];
	snprintf(script, sizeof script, "%s/tests/integration/server.mjs",
		 srcdir);
	if (access(script, R_OK))
		return 0; /* tests skip */
	int p[2];
	if (pipe(p))
		return 0;
	pid_t pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execlp("node", "node", script, "--port", "0", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	char line[128];
	size_t n = 0;
	double deadline = (double)time(NULL) + 15;
	while (n + 1 < sizeof line && (double)time(NULL) < deadline) {
		struct pollfd pfd = { p[0], POLLIN, 0 };
		if (poll(&pfd, 1, 500) <= 0)
			continue;
		ssize_t r = read(p[0], line + n, 1);
		if (r <= 0)
			break;
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	close(p[0]);
	if (sscanf(line, "listening %d", &srv_port) != 1 || srv_port <= 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fprintf(stderr, "test_fetch: fixture server did not start\n");
		return 0;
	}
	srv_pid = pid;
	return 0;
}

static int server_stop(void **state)
{
	(void)state;
	if (srv_pid <= 0)
		return 0;
	kill(srv_pid, SIGTERM);
	for (int i = 0; i < 50; i++) {
		if (waitpid(srv_pid, NULL, WNOHANG) == srv_pid) {
			srv_pid = -1;
			return 0;
		}
		usleep(100000);
	}
	kill(srv_pid, SIGKILL);
	waitpid(srv_pid, NULL, 0);
	srv_pid = -1;
	return 0;
}

#define NEED_SERVER()                                                     \
	do {                                                              \
		if (srv_pid <= 0)                                         \
			skip();                                           \
	} while (0)

/* What a callback saw, copied out of the borrowed result. */
struct got {
	int n;
	int status, error;
	char *url, *final_url, *permanent_url, *errmsg, *body;
	size_t len;
	int body_null;
	char *ctype, *charset, *etag, *lm;
	int64_t retry_after, max_age;
	double seconds;
	void *user;
};

static void got_free(struct got *g)
{
	free(g->url);
	free(g->final_url);
	free(g->permanent_url);
	free(g->errmsg);
	free(g->body);
	free(g->ctype);
	free(g->charset);
	free(g->etag);
	free(g->lm);
	memset(g, 0, sizeof *g);
}

static void on_done(const struct fetch_result *r, void *user)
{
	struct got *g = user;
	assert_ptr_equal(r->user, user);
	g->n++;
	g->status = r->status;
	g->error = r->error;
	g->url = td_strdup(r->url);
	g->final_url = td_strdup(r->final_url);
	g->permanent_url = td_strdup(r->permanent_url);
	g->errmsg = td_strdup(r->errmsg);
	g->body_null = r->body == NULL;
	g->body = r->body ? td_strndup(r->body, r->len) : NULL;
	g->len = r->len;
	g->ctype = td_strdup(r->content_type);
	g->charset = td_strdup(r->charset);
	g->etag = td_strdup(r->etag);
	g->lm = td_strdup(r->last_modified);
	g->retry_after = r->retry_after;
	g->max_age = r->max_age;
	g->seconds = r->seconds;
	g->user = r->user;
	/* invariants of every result */
	if (r->error) {
		assert_null(r->body);
		assert_non_null(r->errmsg);
		assert_null(strchr(r->errmsg, '\n'));
	} else {
		assert_non_null(r->body);
		assert_int_equal(r->body[r->len], '\0');
	}
	if (r->status >= 400)
		assert_non_null(r->errmsg);
}

static void url_of(char *out, size_t n, const char *path)
{
	if (!strncmp(path, "http", 4) || !strncmp(path, "file:", 5))
		snprintf(out, n, "%s", path);
	else
		snprintf(out, n, "http://127.0.0.1:%d%s", srv_port, path);
}

static void fetch_full(const struct fetch_opts *o, const char *path,
		       const char *etag, const char *lm, struct got *g)
{
	char url[4096];
	url_of(url, sizeof url, path);
	memset(g, 0, sizeof *g);
	struct fetcher *f = fetcher_new(o);
	assert_non_null(f);
	struct fetch_request req = { url, etag, lm, NULL, g };
	assert_int_equal(fetcher_add(f, &req, on_done), 0);
	assert_int_equal(fetcher_run(f), 0);
	fetcher_free(f);
	assert_int_equal(g->n, 1);
}

static void fetch1(const char *path, struct got *g)
{
	fetch_full(NULL, path, NULL, NULL, g);
}

static json_t *server_json(const char *path)
{
	struct got g;
	fetch1(path, &g);
	assert_int_equal(g.status, 200);
	json_error_t je;
	json_t *j = json_loads(g.body, 0, &je);
	assert_non_null(j);
	got_free(&g);
	return j;
}

static void server_reset(void)
{
	struct got g;
	fetch1("/_reset", &g);
	assert_int_equal(g.status, 204);
	got_free(&g);
}

/* Headers of the last logged request whose path starts with prefix
 * (a new reference), or NULL. */
static json_t *logged_headers(const char *prefix)
{
	json_t *log = server_json("/_log"), *found = NULL;
	size_t i;
	json_t *e;
	json_array_foreach(log, i, e)
	{
		const char *p = json_string_value(json_object_get(e, "path"));
		if (p && !strncmp(p, prefix, strlen(prefix)))
			found = json_object_get(e, "headers");
	}
	if (found)
		json_incref(found);
	json_decref(log);
	return found;
}

static const char *hdr(json_t *h, const char *name)
{
	return json_string_value(json_object_get(h, name));
}

static char *read_fixture(const char *name, size_t *len)
{
	char path[1400];
	snprintf(path, sizeof path, "%s/tests/integration/fixtures/%s", srcdir,
		 name);
	char *out;
	assert_int_equal(td_read_file(path, 1 << 20, &out, len, NULL), 0);
	return out;
}

/* ---- fetch tests ------------------------------------------------------- */

static void test_200_and_request_headers(void **state)
{
	(void)state;
	NEED_SERVER();
	server_reset();
	struct got g;
	fetch1("/feed/rss2.xml", &g);
	assert_int_equal(g.status, 200);
	assert_int_equal(g.error, 0);
	assert_null(g.errmsg);
	size_t flen;
	char *fix = read_fixture("rss2.xml", &flen);
	assert_int_equal(g.len, flen);
	assert_memory_equal(g.body, fix, flen);
	free(fix);
	assert_string_equal(g.ctype, "application/rss+xml");
	assert_null(g.charset);
	assert_null(g.permanent_url);
	assert_string_equal(g.final_url, g.url);
	assert_true(g.retry_after == TD_TIME_NONE);
	assert_int_equal(g.max_age, -1);
	assert_true(g.seconds > 0 && g.seconds < 5);
	got_free(&g);

	json_t *h = logged_headers("/feed/rss2.xml");
	assert_non_null(h);
	assert_string_equal(hdr(h, "user-agent"), fetch_user_agent());
	assert_non_null(strstr(hdr(h, "accept"), "application/rss+xml"));
	assert_non_null(strstr(hdr(h, "accept"), "*/*;q=0.5"));
	assert_non_null(strstr(hdr(h, "accept-encoding"), "gzip"));
	assert_null(hdr(h, "if-none-match"));
	assert_null(hdr(h, "if-modified-since"));
	json_decref(h);
}

static void test_custom_opts_headers(void **state)
{
	(void)state;
	NEED_SERVER();
	char url[256];
	url_of(url, sizeof url, "/feed/atom.xml?custom=1");
	struct fetch_opts o = { .user_agent = "custom-agent/1" };
	struct fetcher *f = fetcher_new(&o);
	struct got g = { 0 };
	struct fetch_request req = { url, NULL, NULL, "text/html", &g };
	assert_int_equal(fetcher_add(f, &req, on_done), 0);
	assert_int_equal(fetcher_run(f), 0);
	fetcher_free(f);
	assert_int_equal(g.status, 200);
	assert_string_equal(g.ctype, "application/atom+xml");
	got_free(&g);
	json_t *h = logged_headers("/feed/atom.xml?custom=1");
	assert_non_null(h);
	assert_string_equal(hdr(h, "user-agent"), "custom-agent/1");
	assert_string_equal(hdr(h, "accept"), "text/html");
	json_decref(h);
}

static void test_conditional_get(void **state)
{
	(void)state;
	NEED_SERVER();
	struct got a, b;
	fetch1("/etag/rss2.xml", &a);
	assert_int_equal(a.status, 200);
	assert_non_null(a.etag);
	assert_non_null(a.lm);
	assert_true(a.len > 0);

	fetch_full(NULL, "/etag/rss2.xml", a.etag, a.lm, &b);
	assert_int_equal(b.status, 304);
	assert_int_equal(b.error, 0);
	assert_false(b.body_null);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.etag, a.etag);
	assert_string_equal(b.lm, a.lm);
	assert_null(b.errmsg);
	got_free(&b);
	json_t *h = logged_headers("/etag/rss2.xml");
	assert_string_equal(hdr(h, "if-none-match"), a.etag);
	assert_string_equal(hdr(h, "if-modified-since"), a.lm);
	json_decref(h);

	/* Last-Modified alone */
	fetch_full(NULL, "/etag/rss2.xml", NULL, a.lm, &b);
	assert_int_equal(b.status, 304);
	got_free(&b);
	/* a stale ETag gets the full body */
	fetch_full(NULL, "/etag/rss2.xml", "\"stale\"", NULL, &b);
	assert_int_equal(b.status, 200);
	assert_int_equal(b.len, a.len);
	got_free(&b);
	/* a 304 without validators hands ours back */
	fetch_full(NULL, "/etag/rss2.xml?bare304=1", a.etag, a.lm, &b);
	assert_int_equal(b.status, 304);
	assert_string_equal(b.etag, a.etag);
	assert_string_equal(b.lm, a.lm);
	got_free(&b);
	/* a validator that could split the request is never sent */
	fetch_full(NULL, "/etag/rss2.xml?evil=1", "\"x\"\r\nX-Evil: 1", NULL,
		   &b);
	assert_int_equal(b.status, 200);
	got_free(&b);
	h = logged_headers("/etag/rss2.xml?evil=1");
	assert_null(hdr(h, "if-none-match"));
	assert_null(hdr(h, "x-evil"));
	json_decref(h);
	got_free(&a);
}

static void expect_redirect(const char *path, const char *final_path,
			    int permanent)
{
	struct got g;
	char want[512];
	url_of(want, sizeof want, final_path);
	fetch1(path, &g);
	if (g.status != 200)
		fail_msg("%s: status %d (%s)", path, g.status,
			 g.errmsg ? g.errmsg : "");
	assert_int_equal(g.error, 0);
	assert_string_equal(g.final_url, want);
	if (permanent)
		assert_string_equal(g.permanent_url, want);
	else
		assert_null(g.permanent_url);
	assert_true(g.len > 0);
	got_free(&g);
}

static void test_redirects(void **state)
{
	(void)state;
	NEED_SERVER();
	expect_redirect("/redirect/301/3/feed/atom.xml", "/feed/atom.xml", 1);
	expect_redirect("/redirect/308/2/feed/atom.xml?abs=1",
			"/feed/atom.xml?abs=1", 1);
	expect_redirect("/redirect/301,308,301/feed/rss2.xml",
			"/feed/rss2.xml", 1);
	expect_redirect("/redirect/302/2/feed/atom.xml", "/feed/atom.xml", 0);
	expect_redirect("/redirect/307/feed/atom.xml", "/feed/atom.xml", 0);
	expect_redirect("/redirect/303/feed/atom.xml", "/feed/atom.xml", 0);
	/* one temporary hop anywhere makes the whole chain temporary */
	expect_redirect("/redirect/301,302,308/feed/atom.xml",
			"/feed/atom.xml", 0);
	expect_redirect("/redirect/308,307/feed/atom.xml", "/feed/atom.xml",
			0);
	/* exactly the cap is fine */
	expect_redirect("/redirect/301/8/feed/atom.xml", "/feed/atom.xml", 1);
	/* redirect into a conditional GET target keeps the validators */
	struct got g;
	fetch1("/etag/atom.xml", &g);
	struct got b;
	fetch_full(NULL, "/redirect/301/2/etag/atom.xml", g.etag, NULL, &b);
	assert_int_equal(b.status, 304);
	assert_non_null(b.permanent_url);
	got_free(&b);
	got_free(&g);
}

static void test_redirect_errors(void **state)
{
	(void)state;
	NEED_SERVER();
	struct got g;
	fetch1("/redirect/301/9/feed/atom.xml", &g);
	assert_int_equal(g.error, TD_EFETCH);
	assert_string_equal(g.errmsg, "too many redirects (8)");
	assert_int_equal(g.status, 301);
	assert_true(g.body_null);
	assert_null(g.permanent_url);
	got_free(&g);

	fetch1("/loop", &g);
	assert_int_equal(g.error, TD_EFETCH);
	assert_string_equal(g.errmsg, "too many redirects (8)");
	got_free(&g);

	struct fetch_opts o = { .max_redirects = 2 };
	fetch_full(&o, "/redirect/302/3/feed/atom.xml", NULL, NULL, &g);
	assert_string_equal(g.errmsg, "too many redirects (2)");
	got_free(&g);
	fetch_full(&o, "/redirect/302/2/feed/atom.xml", NULL, NULL, &g);
	assert_int_equal(g.status, 200);
	got_free(&g);

	const char *bad[] = {
		"/redirect-to?url=file:///etc/passwd",
		"/redirect-to?url=ftp://127.0.0.1/feed.xml",
		"/redirect-to?url=javascript:alert(1)",
		"/redirect-to?code=301&url=gopher://x/",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		fetch1(bad[i], &g);
		assert_int_equal(g.error, TD_EFETCH);
		assert_true(g.body_null);
		assert_non_null(strstr(g.errmsg, "unsupported scheme"));
		got_free(&g);
	}

	fetch1("/redirect-nolocation?code=301", &g);
	assert_int_equal(g.status, 301);
	assert_int_equal(g.error, TD_EFETCH);
	assert_string_equal(g.errmsg, "HTTP 301 Moved Permanently");
	got_free(&g);

	/* an absolute redirect to another host works (localhost) */
	char to[256];
	snprintf(to, sizeof to,
		 "/redirect-to?code=301&url=http://localhost:%d/feed/atom.xml",
		 srv_port);
	fetch1(to, &g);
	assert_int_equal(g.status, 200);
	char want[128];
	snprintf(want, sizeof want, "http://localhost:%d/feed/atom.xml",
		 srv_port);
	assert_string_equal(g.permanent_url, want);
	got_free(&g);
}

static void test_status_errors(void **state)
{
	(void)state;
	NEED_SERVER();
	struct {
		const char *path;
		int status;
		const char *msg;
	} cases[] = {
		{ "/status/404", 404, "HTTP 404 Not Found" },
		{ "/status/410", 410, "HTTP 410 Gone" },
		{ "/status/500", 500, "HTTP 500 Internal Server Error" },
		{ "/status/403", 403, "HTTP 403 Forbidden" },
		{ "/status/599", 599, "HTTP 599 unknown" },
		{ "/nothing-here", 404, "HTTP 404 Not Found" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct got g;
		fetch1(cases[i].path, &g);
		assert_int_equal(g.status, cases[i].status);
		assert_int_equal(g.error, TD_EFETCH);
		assert_true(g.body_null);
		assert_string_equal(g.errmsg, cases[i].msg);
		got_free(&g);
	}
	struct got g;
	fetch1("/status/204", &g);
	assert_int_equal(g.status, 204);
	assert_int_equal(g.error, 0);
	assert_int_equal(g.len, 0);
	got_free(&g);
}

static void test_retry_after(void **state)
{
	(void)state;
	NEED_SERVER();
	struct got g;
	int64_t now = td_now();
	fetch1("/status/503?retry-after=120", &g);
	assert_int_equal(g.status, 503);
	assert_string_equal(g.errmsg, "HTTP 503 Service Unavailable");
	assert_true(g.retry_after >= now + 119 && g.retry_after <= now + 125);
	got_free(&g);

	fetch1("/status/429?retry-after=Wed,%2021%20Oct%202037%2007:28:00%20GMT",
	       &g);
	assert_int_equal(g.status, 429);
	assert_string_equal(g.errmsg, "HTTP 429 Too Many Requests");
	assert_int_equal(g.retry_after, 2139722880);
	got_free(&g);

	fetch1("/status/429?retry-after=never", &g);
	assert_true(g.retry_after == TD_TIME_NONE);
	got_free(&g);
}

static void test_slow_drip_cut(void **state)
{
	(void)state;
	NEED_SERVER();
	struct fetch_opts o = { .total_timeout = 2 };
	struct got g;
	fetch_full(&o, "/slow", NULL, NULL, &g);
	assert_int_equal(g.error, TD_EFETCH);
	assert_int_equal(g.status, 0);
	assert_string_equal(g.errmsg, "timed out after 2 s");
	assert_true(g.seconds >= 1.8 && g.seconds < 4.0);
	got_free(&g);

	/* the total timeout spans every hop of a redirect chain */
	fetch_full(&o, "/redirect/302/2/feed/atom.xml?delay=800", NULL, NULL,
		   &g);
	assert_string_equal(g.errmsg, "timed out after 2 s");
	assert_true(g.seconds < 3.0);
	got_free(&g);
}

static void test_size_cap(void **state)
{
	(void)state;
	NEED_SERVER();
	const char *paths[] = { "/big?mb=12", "/big?mb=12&nolen=1",
				"/big?mb=12&gzip=1" };
	for (size_t i = 0; i < 3; i++) {
		struct got g;
		fetch1(paths[i], &g);
		if (g.error != TD_ETOOBIG)
			fail_msg("%s: error %d", paths[i], g.error);
		assert_int_equal(g.status, 200);
		assert_string_equal(g.errmsg, "larger than 10485760 bytes");
		assert_true(g.body_null);
		got_free(&g);
	}
	/* just under the cap passes */
	struct got g;
	fetch1("/big?mb=9.5&nolen=1", &g);
	assert_int_equal(g.error, 0);
	assert_int_equal(g.len, (size_t)(9.5 * 1024 * 1024));
	got_free(&g);
	/* a small cap */
	struct fetch_opts o = { .max_bytes = 1000 };
	fetch_full(&o, "/feed/rss2.xml", NULL, NULL, &g);
	assert_int_equal(g.error, TD_ETOOBIG);
	assert_string_equal(g.errmsg, "larger than 1000 bytes");
	got_free(&g);
	fetch_full(&o, "/gzip/rss2.xml", NULL, NULL, &g);
	assert_int_equal(g.error, TD_ETOOBIG);
	got_free(&g);
}

static void test_encodings(void **state)
{
	(void)state;
	NEED_SERVER();
	size_t flen;
	char *fix = read_fixture("atom.xml", &flen);
	const char *paths[] = { "/gzip/atom.xml", "/deflate/atom.xml",
				"/br/atom.xml" };
	for (size_t i = 0; i < 3; i++) {
		struct got g;
		fetch1(paths[i], &g);
		assert_int_equal(g.status, 200);
		assert_int_equal(g.error, 0);
		assert_int_equal(g.len, flen);
		assert_memory_equal(g.body, fix, flen);
		assert_string_equal(g.ctype, "application/atom+xml");
		got_free(&g);
	}
	free(fix);
}

static void test_charset_and_headers(void **state)
{
	(void)state;
	NEED_SERVER();
	struct got g;
	fetch1("/charset", &g);
	assert_int_equal(g.status, 200);
	assert_string_equal(g.ctype, "application/rss+xml");
	assert_string_equal(g.charset, "iso-8859-1");
	assert_non_null(strstr(g.body, "encoding=\"UTF-8\""));
	assert_non_null(memchr(g.body, '\xe9', g.len)); /* latin-1 bytes */
	got_free(&g);

	fetch1("/charset?header=Windows-1252&quote=1", &g);
	assert_string_equal(g.charset, "windows-1252");
	got_free(&g);

	fetch1("/with-headers?h=Cache-Control:%20public,%20max-age%3D900"
	       "&h=Content-Type:%20Application/Atom%2BXML%20;%20Charset%3D%22UTF-8%22",
	       &g);
	assert_int_equal(g.max_age, 900);
	assert_string_equal(g.ctype, "application/atom+xml");
	assert_string_equal(g.charset, "utf-8");
	got_free(&g);

	fetch1("/html-with-feed", &g);
	assert_string_equal(g.ctype, "text/html");
	assert_string_equal(g.charset, "utf-8");
	assert_non_null(strstr(g.body, "rel=\"alternate\""));
	got_free(&g);
}

static void test_transport_errors(void **state)
{
	(void)state;
	NEED_SERVER();
	/* a port nobody listens on */
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
	socklen_t al = sizeof a;
	getsockname(s, (struct sockaddr *)&a, &al);
	close(s);
	char url[128];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/feed.xml",
		 ntohs(a.sin_port));
	struct got g;
	fetch1(url, &g);
	assert_int_equal(g.status, 0);
	assert_int_equal(g.error, TD_EFETCH);
	assert_string_equal(g.errmsg,
			    "connection refused (curl: Couldn't connect to server)");
	got_free(&g);

	fetch1("/drop", &g);
	assert_int_equal(g.status, 0);
	assert_int_equal(g.error, TD_EFETCH);
	assert_non_null(strstr(g.errmsg, "(curl: "));
	got_free(&g);

	fetch1("/cut", &g);
	assert_int_equal(g.status, 0);
	assert_int_equal(g.error, TD_EFETCH);
	assert_true(g.body_null);
	got_free(&g);

	fetch1("http://nonexistent.invalid/feed.xml", &g);
	assert_int_equal(g.status, 0);
	assert_int_equal(g.error, TD_EFETCH);
	assert_non_null(strstr(g.errmsg, "resolve"));
	got_free(&g);
}

static void test_per_host_limit(void **state)
{
	(void)state;
	NEED_SERVER();
	server_reset();
	struct fetch_opts o = { .per_host = 2 };
	struct fetcher *f = fetcher_new(&o);
	struct got g[24];
	memset(g, 0, sizeof g);
	for (int i = 0; i < 24; i++) {
		char url[128];
		snprintf(url, sizeof url, "http://%s:%d/many/%d?delay=100",
			 i % 2 ? "localhost" : "127.0.0.1", srv_port, i);
		struct fetch_request req = { url, NULL, NULL, NULL, &g[i] };
		assert_int_equal(fetcher_add(f, &req, on_done), 0);
	}
	assert_int_equal(fetcher_run(f), 0);
	fetcher_free(f);
	for (int i = 0; i < 24; i++) {
		assert_int_equal(g[i].n, 1);
		assert_int_equal(g[i].status, 200);
		got_free(&g[i]);
	}
	json_t *st = server_json("/_stats");
	json_t *bh = json_object_get(st, "by_host");
	const char *k;
	json_t *v;
	int hosts = 0;
	json_object_foreach(bh, k, v)
	{
		if (strstr(k, ":") && json_integer_value(
			json_object_get(v, "requests")) == 12) {
			hosts++;
			assert_int_equal(json_integer_value(json_object_get(
						 v, "max_concurrent")),
					 2);
		}
	}
	assert_int_equal(hosts, 2);
	json_int_t maxc =
		json_integer_value(json_object_get(st, "max_concurrent"));
	assert_true(maxc >= 3 && maxc <= 4);
	json_decref(st);

	/* the total cap binds before per_host */
	server_reset();
	struct fetch_opts o2 = { .per_host = 10, .total = 3 };
	f = fetcher_new(&o2);
	for (int i = 0; i < 12; i++) {
		char url[128];
		snprintf(url, sizeof url, "http://127.0.0.1:%d/many/%d?delay=80",
			 srv_port, i);
		struct fetch_request req = { url, NULL, NULL, NULL, &g[i] };
		assert_int_equal(fetcher_add(f, &req, on_done), 0);
	}
	assert_int_equal(fetcher_run(f), 0);
	fetcher_free(f);
	for (int i = 0; i < 12; i++) {
		assert_int_equal(g[i].status, 200);
		got_free(&g[i]);
	}
	st = server_json("/_stats");
	assert_int_equal(json_integer_value(json_object_get(st, "max_concurrent")),
			 3);
	json_decref(st);
}

/* A callback that queues a follow-up fetch (as article fetches will). */
struct chain {
	struct fetcher *f;
	int depth;
	int seen;
};

static void on_chain(const struct fetch_result *r, void *user)
{
	struct chain *c = user;
	assert_int_equal(r->status, 200);
	c->seen++;
	if (c->seen < c->depth) {
		char url[128];
		snprintf(url, sizeof url, "http://127.0.0.1:%d/many/%d",
			 srv_port, 500 + c->seen);
		struct fetch_request req = { url, NULL, NULL, NULL, c };
		assert_int_equal(fetcher_add(c->f, &req, on_chain), 0);
		/* a second run from inside a callback is refused */
		assert_int_equal(fetcher_run(c->f), TD_EINVAL);
	}
}

static void test_callback_adds(void **state)
{
	(void)state;
	NEED_SERVER();
	struct chain c = { fetcher_new(NULL), 5, 0 };
	char url[128];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/many/499", srv_port);
	struct fetch_request req = { url, NULL, NULL, NULL, &c };
	assert_int_equal(fetcher_add(c.f, &req, on_chain), 0);
	assert_int_equal(fetcher_run(c.f), 0);
	assert_int_equal(c.seen, 5);
	/* the fetcher is reusable after a run */
	c.depth = 6;
	assert_int_equal(fetcher_add(c.f, &req, on_chain), 0);
	assert_int_equal(fetcher_run(c.f), 0);
	assert_int_equal(c.seen, 6);
	fetcher_free(c.f);
}

static void test_file_urls(void **state)
{
	(void)state;
	char path[1400];
	snprintf(path, sizeof path, "%s/tests/integration/fixtures/rss2.xml",
		 srcdir);
	char *url = td_url_from_path(path);
	assert_non_null(url);
	struct got g;
	fetch1(url, &g);
	assert_int_equal(g.status, 200);
	assert_int_equal(g.error, 0);
	size_t flen;
	char *fix = read_fixture("rss2.xml", &flen);
	assert_int_equal(g.len, flen);
	assert_memory_equal(g.body, fix, flen);
	free(fix);
	assert_string_equal(g.ctype, "application/xml");
	assert_non_null(g.lm);
	assert_string_equal(g.final_url, url);
	/* unchanged file: 304 on its ETag (size, mtime in ns, inode) */
	assert_non_null(g.etag);
	struct got b;
	fetch_full(NULL, url, g.etag, g.lm, &b);
	assert_int_equal(b.status, 304);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.error, 0);
	got_free(&b);
	/* a second-resolution date alone is not trusted: the file may have
	 * been rewritten within that second */
	fetch_full(NULL, url, NULL, g.lm, &b);
	assert_int_equal(b.status, 200);
	got_free(&b);
	got_free(&g);
	/* size cap */
	struct fetch_opts o = { .max_bytes = 100 };
	fetch_full(&o, url, NULL, NULL, &g);
	assert_int_equal(g.error, TD_ETOOBIG);
	assert_string_equal(g.errmsg, "larger than 100 bytes");
	got_free(&g);
	free(url);

	/* missing */
	fetch1("file:///nonexistent/tidings/feed.xml", &g);
	assert_int_equal(g.status, 404);
	assert_int_equal(g.error, TD_EFETCH);
	assert_true(g.body_null);
	assert_non_null(strstr(g.errmsg, "No such file"));
	got_free(&g);
	/* not a regular file */
	fetch1("file:///tmp/", &g);
	assert_int_equal(g.error, TD_EFETCH);
	assert_non_null(strstr(g.errmsg, "not a regular file"));
	got_free(&g);
	fetch1("file:///dev/zero", &g);
	assert_int_equal(g.error, TD_EFETCH);
	got_free(&g);
	/* percent-encoded names */
	char dir[] = "/tmp/tidings-fetch-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char fpath[256];
	snprintf(fpath, sizeof fpath, "%s/a feed%%.xml", dir);
	FILE *fp = fopen(fpath, "w");
	assert_non_null(fp);
	fputs("<rss/>", fp);
	fclose(fp);
	url = td_url_from_path(fpath);
	fetch1(url, &g);
	assert_int_equal(g.status, 200);
	assert_string_equal(g.body, "<rss/>");
	got_free(&g);
	free(url);
	unlink(fpath);
	rmdir(dir);
}

static void never(const struct fetch_result *r, void *user)
{
	(void)r;
	(void)user;
	fail_msg("callback fired for a refused request");
}

static void test_add_rejects(void **state)
{
	(void)state;
	struct fetcher *f = fetcher_new(NULL);
	assert_non_null(f);
	const char *bad[] = { "",
			      "ftp://example.org/feed.xml",
			      "javascript:alert(1)",
			      "feed.xml",
			      "http://exa mple.org/",
			      "http://example.org/\r\nX: y",
			      "http://",
			      "gopher://x/" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct fetch_request req = { bad[i], NULL, NULL, NULL, NULL };
		assert_int_equal(fetcher_add(f, &req, never), TD_EINVAL);
	}
	struct fetch_request nul = { NULL, NULL, NULL, NULL, NULL };
	assert_int_equal(fetcher_add(f, &nul, never), TD_EINVAL);
	struct fetch_request ok = { "http://127.0.0.1:1/", NULL, NULL, NULL,
				    NULL };
	assert_int_equal(fetcher_add(f, &ok, NULL), TD_EINVAL);
	assert_int_equal(fetcher_add(NULL, &ok, never), TD_EINVAL);
	/* too long */
	char *longu = malloc(TD_MAX_URL_BYTES + 100);
	memcpy(longu, "http://example.org/", 19);
	memset(longu + 19, 'a', TD_MAX_URL_BYTES + 50);
	longu[TD_MAX_URL_BYTES + 69] = '\0';
	struct fetch_request lr = { longu, NULL, NULL, NULL, NULL };
	assert_int_equal(fetcher_add(f, &lr, never), TD_EINVAL);
	free(longu);
	assert_int_equal(fetcher_run(f), 0); /* nothing queued */
	assert_int_equal(fetcher_run(NULL), TD_EINVAL);
	fetcher_free(f);
	fetcher_free(NULL);
}

static void test_free_with_queued(void **state)
{
	(void)state;
	struct fetcher *f = fetcher_new(NULL);
	struct fetch_request req = { "http://127.0.0.1:1/x", "\"e\"", NULL,
				     NULL, NULL };
	assert_int_equal(fetcher_add(f, &req, never), 0);
	struct fetch_request fr = { "file:///tmp/x", NULL, NULL, NULL, NULL };
	assert_int_equal(fetcher_add(f, &fr, never), 0);
	fetcher_free(f); /* no leak, no callback */
}

/* Hundreds of distinct hosts (the host table grows; every slot is
 * released): 127.0.0.0/8 is all loopback, port 1 refuses. */
static int many_failed;

static void on_refused(const struct fetch_result *r, void *user)
{
	(void)user;
	if (r->status == 0 && r->error == TD_EFETCH && r->errmsg)
		many_failed++;
}

static void test_many_hosts(void **state)
{
	(void)state;
	struct fetch_opts o = { .per_host = 1, .total = 32,
				.connect_timeout = 5 };
	struct fetcher *f = fetcher_new(&o);
	many_failed = 0;
	int n = 0;
	for (int a = 1; a <= 3; a++)
		for (int b = 1; b <= 250; b++) {
			char url[64];
			snprintf(url, sizeof url, "http://127.0.%d.%d:1/f%d", a,
				 b, n);
			struct fetch_request req = { url, NULL, NULL, NULL,
						     NULL };
			assert_int_equal(fetcher_add(f, &req, on_refused), 0);
			n++;
			if (b % 50 == 0) {
				/* the same host twice: queued behind */
				assert_int_equal(fetcher_add(f, &req,
							     on_refused),
						 0);
				n++;
			}
		}
	assert_int_equal(fetcher_run(f), 0);
	fetcher_free(f);
	assert_int_equal(many_failed, n);
}

/* 2,000 sources, half answering 304 (the fetch-round target). */
struct many_ctx {
	int ok200, ok304, bad;
};

static void on_many(const struct fetch_result *r, void *user)
{
	struct many_ctx *c = user;
	if (r->status == 200 && !r->error && r->len > 100)
		c->ok200++;
	else if (r->status == 304 && !r->error)
		c->ok304++;
	else
		c->bad++;
}

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void run_many(const struct fetch_opts *o, const char *label)
{
	enum { N = 2000 };
	struct many_ctx c = { 0 };
	struct fetcher *f = fetcher_new(o);
	double w0 = wall(), c0 = cpu_seconds();
	for (int i = 0; i < N; i++) {
		char url[128], etag[32];
		snprintf(url, sizeof url, "http://127.0.0.1:%d/many/%d",
			 srv_port, i);
		snprintf(etag, sizeof etag, "\"many-%d-v1\"", i);
		struct fetch_request req = { url, etag, NULL, NULL, &c };
		assert_int_equal(fetcher_add(f, &req, on_many), 0);
	}
	assert_int_equal(fetcher_run(f), 0);
	double w = wall() - w0, cpu = cpu_seconds() - c0;
	fetcher_free(f);
	printf("fetch round (%s): %d sources (%d x 200, %d x 304, %d failed) "
	       "in %.2f s wall, %.2f s CPU in the fetcher\n",
	       label, N, c.ok200, c.ok304, c.bad, w, cpu);
	assert_int_equal(c.ok200, N / 2);
	assert_int_equal(c.ok304, N / 2);
	assert_int_equal(c.bad, 0);
	assert_true(w < 10.0);
}

static void test_many_sources(void **state)
{
	(void)state;
	NEED_SERVER();
	run_many(NULL, "one host, per_host 2");
	struct fetch_opts o = { .per_host = 16 };
	run_many(&o, "one host, per_host 16");
}

int main(void)
{
	alarm(110); /* under run-unit.sh's 120 s: a hang names itself */
	setenv("NO_PROXY", "127.0.0.1,localhost", 1);
	setenv("no_proxy", "127.0.0.1,localhost", 1);
	const struct CMUnitTest parser[] = {
		cmocka_unit_test(test_hdrs_basic),
		cmocka_unit_test(test_hdrs_status_resets),
		cmocka_unit_test(test_hdrs_retry_after),
		cmocka_unit_test(test_hdrs_cache_control),
		cmocka_unit_test(test_hdrs_bounds_and_junk),
		cmocka_unit_test(test_content_type),
		cmocka_unit_test(test_http_date),
		cmocka_unit_test(test_reason),
	};
	const struct CMUnitTest fetch[] = {
		cmocka_unit_test(test_add_rejects),
		cmocka_unit_test(test_free_with_queued),
		cmocka_unit_test(test_many_hosts),
		cmocka_unit_test(test_file_urls),
		cmocka_unit_test(test_200_and_request_headers),
		cmocka_unit_test(test_custom_opts_headers),
		cmocka_unit_test(test_conditional_get),
		cmocka_unit_test(test_redirects),
		cmocka_unit_test(test_redirect_errors),
		cmocka_unit_test(test_status_errors),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_slow_drip_cut),
		cmocka_unit_test(test_size_cap),
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_charset_and_headers),
		cmocka_unit_test(test_transport_errors),
		cmocka_unit_test(test_per_host_limit),
		cmocka_unit_test(test_callback_adds),
		cmocka_unit_test(test_many_sources),
	};
	int rc = cmocka_run_group_tests_name("fetch_headers", parser, NULL, NULL);
	rc |= cmocka_run_group_tests_name("fetch", fetch, server_start,
					  server_stop);
	return rc;
}
