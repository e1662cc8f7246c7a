/*
 * fuzz_web_request.c - libFuzzer driver for the request side of `tidings
 * serve`: what a client controls reaches the route table and every page
 * handler (front, article, source, tag, search, about, feeds, sitemap, API,
 * static, machine routes) against a small in-memory database, plus the
 * header parsers of the request path (Accept-Encoding, If-None-Match,
 * If-Modified-Since) and the cursor and listen-address parsers.
 *
 * Input: lines. Line 1 is the path (as decoded by the server); each further
 * line "key=value" is a query argument (only those the route declares are
 * passed, as the server does), except lines starting with "AE:", "INM:",
 * "IMS:", "UA:" which are header values. Invariants checked: a handler
 * always leaves a complete response (status set, body within the cap), and
 * a hole lies inside the body.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/err.h"
#include "core/time.h"
#include "store/store.h"
#include "web/assets.h"
#include "web/web_int.h"

/* Most query arguments taken from one input (the server caps at
 * TD_WEB_MAX_ARGS). */
#define MAX_ARGS TD_WEB_MAX_ARGS

static struct store *st;
static struct td_config cfg;

static void setup(void)
{
	struct td_error err = { 0 };
	if (store_open(NULL, STORE_MEMORY, &st, &err))
		abort();
	td_config_defaults(&cfg);
	static const char *const titles[] = {
		"Harbor bridge reopens", "Council votes on <budget>",
		"\"Quoted\" & odd title", "Caf\xc3\xa9 prices rise",
	};
	static char *tags[] = { (char *)"Local", (char *)"Politics" };
	for (int s = 0; s < 2; s++) {
		struct store_source src = { 0 };
		char url[64];
		snprintf(url, sizeof url, "http://src%d.test/feed", s);
		src.url = url;
		src.title = s ? (char *)"Second Source" : (char *)"First & Co";
		src.site_url = (char *)"http://src.test/";
		src.tags = (char *)"local";
		int64_t sid;
		if (store_source_add(st, &src, &sid))
			abort();
		for (int i = 0; i < 4; i++) {
			char guid[16];
			snprintf(guid, sizeof guid, "g%d-%d", s, i);
			struct store_article a = { 0 };
			a.source_id = sid;
			a.guid = guid;
			a.url = (char *)"http://src.test/a?x=1&y=2";
			a.title = (char *)titles[i];
			a.author = (char *)"A. Writer";
			a.content_html = (char *)"<p>Safe <em>body</em> text"
						 " about the harbor.</p>";
			a.summary = (char *)"The harbor bridge reopened.";
			a.content_text = (char *)"Safe body text about the"
						 " harbor bridge and the council.";
			a.image = (char *)"https://img.test/x.jpg";
			a.tags = tags;
			a.n_tags = (size_t)(i % 3);
			a.published = 1700000000 + s * 100 + i;
			a.updated = TD_TIME_NONE;
			a.first_seen = 1700000500 + i;
			int64_t id;
			if (store_article_insert(st, &a, &id))
				abort();
		}
	}
	int64_t ids[1] = { 1 }, n[1] = { 3 };
	store_views_add(st, ids, n, 1);
}

/* Copy [p, e) into a fresh NUL-terminated string (NUL bytes cut it). */
static char *dup_range(const char *p, const char *e)
{
	size_t n = (size_t)(e - p);
	char *s = malloc(n + 1);
	if (!s)
		abort();
	memcpy(s, p, n);
	s[n] = 0;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!st)
		setup();
	if (size > 8192)
		return 0;
	const char *p = (const char *)data, *end = p + size;
	char *lines[1 + MAX_ARGS + 4];
	size_t nl = 0;
	while (p <= end && nl < sizeof lines / sizeof *lines) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		if (!e)
			e = end;
		lines[nl++] = dup_range(p, e);
		p = e + 1;
	}
	const char *path = nl ? lines[0] : "/";

	struct web_arg args[MAX_ARGS];
	size_t nargs = 0;
	const char *ae = NULL, *inm = NULL, *ims = NULL, *ua = NULL;
	const char *rest = "";
	const struct web_route *rt = path[0] == '/' ? web_route_find(path, &rest)
						    : NULL;
	for (size_t i = 1; i < nl; i++) {
		char *l = lines[i];
		if (!strncmp(l, "AE:", 3)) {
			ae = l + 3;
		} else if (!strncmp(l, "INM:", 4)) {
			inm = l + 4;
		} else if (!strncmp(l, "IMS:", 4)) {
			ims = l + 4;
		} else if (!strncmp(l, "UA:", 3)) {
			ua = l + 3;
		} else if (nargs < MAX_ARGS) {
			char *eq = strchr(l, '=');
			if (eq)
				*eq = 0;
			if (rt && web_route_has_arg(rt, l)) {
				args[nargs].key = l;
				args[nargs].value = eq ? eq + 1 : "";
				nargs++;
			}
		}
	}

	/* the request path's header parsers */
	if (ae)
		(void)web_accepts_gzip(ae);
	if (inm)
		(void)web_etag_matches(inm, "\"0123456789abcdef\"");
	int64_t t;
	if (ims)
		(void)web_parse_http_date(ims, &t);
	int64_t cp, cid;
	(void)web_cursor_parse(path, &cp, &cid);
	char host[256];
	int port;
	(void)web_parse_listen(path, host, sizeof host, &port);

	if (rt) {
		struct web_req req;
		memset(&req, 0, sizeof req);
		req.method = (size & 1) ? WEB_HEAD : WEB_GET;
		req.path = path;
		req.rest = rest;
		req.base_url = "https://news.example";
		req.cfg = &cfg;
		req.args = args;
		req.n_args = nargs;
		req.user_agent = ua;
		req.now = 1700003600;
		req.st = st;
		struct web_resp resp;
		web_resp_init(&resp);
		web_route_run(rt, &req, &resp);
		if (resp.status < 200 || resp.status > 599)
			abort();
		if (resp.body.len > TD_WEB_MAX_BODY)
			abort();
		if (resp.hole && resp.hole_at > resp.body.len)
			abort();
		web_resp_release(&resp);
	}
	for (size_t i = 0; i < nl; i++)
		free(lines[i]);
	return 0;
}
