/*
 * server.c - libmicrohttpd glue: the request path, the prebuilt responses of
 * cached pages, conditional requests, gzip selection, the scheduler and
 * view-flusher threads, start-up and graceful shutdown.
 *
 * Threads:
 *   - libmicrohttpd's pool (one epoll thread per core by default) runs
 *     on_request; each thread reads through its own read-only connection
 *     (web_req_store), opened on first use.
 *   - the ingest thread owns the main writer connection: it sleeps until
 *     the earliest next_fetch (at most TD_WEB_SCHED_MAX_SLEEP seconds),
 *     runs news_fetch_round, and invalidates the page cache when articles
 *     were added or changed.
 *   - the flusher thread owns a second writer connection and writes the
 *     pending view counts every flush_ms (and once more at shutdown). A
 *     separate connection keeps view writes independent of a long fetch
 *     round; SQLite (WAL) serializes the two writers, each waiting up to
 *     the store's busy timeout.
 *
 * The request path answers on the access handler's SECOND call for a
 * request: with libmicrohttpd 0.9.75 answering on the first call made it
 * close keep-alive connections, at a quarter of the throughput.
 */
#include "web/mhd_dl.h"
#include "web/web_int.h"

#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/time.h"
#include "news/news.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const char csp[] =
	"default-src 'self'; img-src 'self' https: data:; media-src 'self' "
	"https:; style-src 'self'; script-src 'self'; object-src 'none'; "
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

struct web_server {
	struct web_opts o;
	char *db;
	struct td_config defcfg; /* when o.config is NULL */
	const struct td_config *cfg;
	char base_url[512];      /* configured, without trailing '/'; or "" */
	char listen_host[256];
	int port;
	int ipv6;
	struct MHD_Daemon *d;
	struct web_cache *cache;
	struct web_views *views;
	atomic_int inflight;
	char start_error[256];   /* last libmicrohttpd message at start */

	pthread_mutex_t lock;
	pthread_cond_t cond;     /* CLOCK_MONOTONIC */
	int stopping;            /* guarded by lock */
	struct store *writer;    /* the ingest thread's */
	struct store *vwriter;   /* the flusher thread's */
	pthread_t ingest_th, flush_th;
	int ingest_started, flush_started;
};

/* Request states in *req_cls: set by the URI callback, advanced by the first
 * call of the access handler. */
static char mark_new, mark_bad, mark_seen, mark_seen_bad, mark_body;

/* ------------------------------------------------------------------------
 * Small parsers (exposed for tests)
 */

static int is_tchar_end(char c)
{
	return c == ',' || c == ';' || c == ' ' || c == '\t' || c == '\0';
}

/* q=0, q=0.0, q=0.00, q=0.000 mean "not acceptable". */
static int q_is_zero(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (end - p < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=')
		return 0;
	p += 2;
	if (p >= end || *p != '0')
		return 0;
	p++;
	if (p < end && *p == '.') {
		p++;
		while (p < end && *p == '0')
			p++;
	}
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p == end;
}

int web_accepts_gzip(const char *ae)
{
	if (!ae)
		return 0;
	int gzip = -1, star = -1;
	const char *p = ae;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		const char *tok = p;
		while (!is_tchar_end(*p))
			p++;
		size_t n = (size_t)(p - tok);
		const char *params = p;
		while (*p && *p != ',')
			p++;
		/* params: ";q=..." possibly with spaces; only q matters */
		int zero = 0;
		for (const char *s = params; s < p; s++)
			if (*s == ';') {
				const char *e = s + 1;
				while (e < p && *e != ';')
					e++;
				if (q_is_zero(s + 1, e))
					zero = 1;
			}
		if ((n == 4 && !strncasecmp(tok, "gzip", 4)) ||
		    (n == 6 && !strncasecmp(tok, "x-gzip", 6)))
			gzip = !zero;
		else if (n == 1 && *tok == '*')
			star = !zero;
	}
	if (gzip >= 0)
		return gzip;
	return star > 0;
}

int web_etag_matches(const char *inm, const char *etag)
{
	if (!inm || !etag)
		return 0;
	size_t elen = strlen(etag);
	const char *p = inm;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		if (*p == '*')
			return 1;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (*p != '"') { /* not an entity-tag: skip to the next */
			while (*p && *p != ',')
				p++;
			continue;
		}
		const char *q = strchr(p + 1, '"');
		if (!q)
			return 0;
		size_t n = (size_t)(q + 1 - p);
		if (n == elen && !memcmp(p, etag, n))
			return 1;
		p = q + 1;
	}
	return 0;
}

static int two(const char *s, int *v)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return 0;
	*v = (s[0] - '0') * 10 + (s[1] - '0');
	return 1;
}

int web_parse_http_date(const char *s, int64_t *t)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	/* "Sun, 06 Nov 1994 08:49:37 GMT" */
	if (!s || strlen(s) != 29 || s[3] != ',' || s[4] != ' ' ||
	    s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[19] != ':' ||
	    s[22] != ':' || strcmp(s + 25, " GMT"))
		return TD_EINVAL;
	int day, hh, mm, ss, y1, y2, mon = -1;
	for (int i = 0; i < 12; i++)
		if (!strncmp(s + 8, months + 3 * i, 3))
			mon = i + 1;
	if (mon < 0 || !two(s + 5, &day) || !two(s + 12, &y1) ||
	    !two(s + 14, &y2) || !two(s + 17, &hh) || !two(s + 20, &mm) ||
	    !two(s + 23, &ss) || day < 1 || day > 31 || hh > 23 || mm > 59 ||
	    ss > 60)
		return TD_EINVAL;
	*t = td_timegm(y1 * 100 + y2, (unsigned)mon, (unsigned)day,
		       (unsigned)hh, (unsigned)mm, (unsigned)ss);
	return 0;
}

int web_parse_listen(const char *s, char *host, size_t cap, int *port)
{
	if (!s || !*s || cap < 2)
		return TD_EINVAL;
	const char *ps;
	size_t hlen;
	const char *h = s;
	if (*s == '[') {
		const char *e = strchr(s, ']');
		if (!e || e[1] != ':')
			return TD_EINVAL;
		h = s + 1;
		hlen = (size_t)(e - h);
		ps = e + 2;
	} else {
		const char *c = strrchr(s, ':');
		if (!c) { /* "8080" */
			hlen = 0;
			ps = s;
		} else {
			if (memchr(s, ':', (size_t)(c - s)))
				return TD_EINVAL; /* bare IPv6 needs [] */
			hlen = (size_t)(c - s);
			ps = c + 1;
		}
	}
	if (hlen >= cap)
		return TD_EINVAL;
	int64_t p;
	if (!*ps || td_parse_i64(ps, &p) || p < 0 || p > 65535)
		return TD_EINVAL;
	for (const char *k = ps; *k; k++)
		if (*k < '0' || *k > '9')
			return TD_EINVAL;
	if (hlen)
		memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (!hlen) {
		if (cap < 8)
			return TD_EINVAL;
		memcpy(host, "0.0.0.0", 8);
	}
	*port = (int)p;
	return 0;
}

/* ------------------------------------------------------------------------
 * Responses
 */

/* 1 for the machine-readable answers (the JSON API, the feeds, the
 * sitemap): public, cookie-less data that other sites' scripts may read,
 * so they carry Access-Control-Allow-Origin: *. */
static int is_public_data(const char *type)
{
	return type && (!strncmp(type, "application/json", 16) ||
			!strncmp(type, "application/feed+json", 21) ||
			!strncmp(type, "application/rss+xml", 19) ||
			!strncmp(type, "application/atom+xml", 20));
}

/* Headers every response carries. */
static int add_common(struct MHD_Response *r, int cc, const char *type)
{
	if (is_public_data(type) &&
	    MHD_add_response_header(r, "Access-Control-Allow-Origin", "*") !=
		    MHD_YES)
		return 0;
	return MHD_add_response_header(r, "Content-Security-Policy", csp) ==
		       MHD_YES &&
	       MHD_add_response_header(r, "X-Content-Type-Options",
				       "nosniff") == MHD_YES &&
	       MHD_add_response_header(r, "Referrer-Policy",
				       "strict-origin-when-cross-origin") ==
		       MHD_YES &&
	       MHD_add_response_header(r, "Vary", "Accept-Encoding") ==
		       MHD_YES &&
	       MHD_add_response_header(r, "Cache-Control", web_cc_value(cc)) ==
		       MHD_YES;
}

static int add_entry_headers(struct MHD_Response *r,
			     const struct web_entry *e, const char *etag,
			     int gz)
{
	if (!add_common(r, e->cc, e->content_type))
		return 0;
	if (e->content_type &&
	    MHD_add_response_header(r, "Content-Type", e->content_type) !=
		    MHD_YES)
		return 0;
	if (etag && MHD_add_response_header(r, "ETag", etag) != MHD_YES)
		return 0;
	if (gz &&
	    MHD_add_response_header(r, "Content-Encoding", "gzip") != MHD_YES)
		return 0;
	if (e->location &&
	    MHD_add_response_header(r, "Location", e->location) != MHD_YES)
		return 0;
	if (!e->hole && e->last_modified != TD_TIME_NONE) {
		char d[32];
		td_time_rfc1123(e->last_modified, d);
		if (MHD_add_response_header(r, "Last-Modified", d) != MHD_YES)
			return 0;
	}
	return 1;
}

static void entry_response_done(void *cls)
{
	web_entry_mem_unref(cls);
}

/* A response for an entry without a hole (plain or gzip bytes), holding
 * the entry's bytes until libmicrohttpd is done with it. */
static struct MHD_Response *entry_response(struct web_entry *e, int gz)
{
	void *p = gz ? (void *)e->gz : (void *)e->plain;
	size_t n = gz ? e->gz_len : e->plain_len;
	web_entry_mem_ref(e);
	struct MHD_Response *r =
		MHD_create_response_from_buffer_with_free_callback_cls(
			n, p, entry_response_done, e);
	if (!r) {
		web_entry_mem_unref(e);
		return NULL;
	}
	if (!add_entry_headers(r, e, gz ? e->etag_gz : e->etag, gz)) {
		MHD_destroy_response(r);
		return NULL;
	}
	return r;
}

/* Release the prebuilt responses when the last request is done with the
 * entry (it has left the cache). */
static void entry_detach(struct web_entry *e)
{
	for (int i = 0; i < WEB_ENTRY_ATTACH; i++)
		if (e->attached[i]) {
			MHD_destroy_response(e->attached[i]);
			e->attached[i] = NULL;
		}
}

/* Build the responses a cached entry without a hole is answered with. */
static void entry_attach(struct web_entry *e)
{
	if (e->hole)
		return;
	e->attached[0] = entry_response(e, 0);
	if (e->gz)
		e->attached[1] = entry_response(e, 1);
	e->detach = entry_detach;
}

/* A page with a hole: the entry's bytes around this request's hole, copied
 * into one buffer. Copying a page costs less than what libmicrohttpd does
 * with an iovec response (the headers in one send, the body in another,
 * so two TCP segments per answer). Nothing is compressed here. */
static struct MHD_Response *spliced_response(struct web_entry *e, int gz,
					     int64_t views, char *etag,
					     size_t etag_cap)
{
	struct web_splice sp;
	web_entry_splice(e, views, &sp);
	web_etag(sp.hash, gz, etag, etag_cap);
	struct {
		const void *p;
		size_t n;
	} part[5];
	unsigned k = 0;
	if (gz) {
		part[k].p = sp.head, part[k++].n = sizeof sp.head;
		part[k].p = e->gz, part[k++].n = e->gz_prefix_len;
		part[k].p = sp.hole_z, part[k++].n = sp.hole_z_len;
		part[k].p = e->gz + e->gz_prefix_len;
		part[k++].n = e->gz_len - e->gz_prefix_len;
		part[k].p = sp.trailer, part[k++].n = sizeof sp.trailer;
	} else {
		part[k].p = e->plain, part[k++].n = e->hole_at;
		part[k].p = sp.hole, part[k++].n = sp.hole_len;
		part[k].p = e->plain + e->hole_at;
		part[k++].n = e->plain_len - e->hole_at;
	}
	size_t total = 0;
	for (unsigned i = 0; i < k; i++)
		total += part[i].n;
	char *buf = malloc(total ? total : 1);
	if (!buf)
		return NULL;
	for (size_t i = 0, off = 0; i < k; off += part[i].n, i++)
		memcpy(buf + off, part[i].p, part[i].n);
	struct MHD_Response *r = MHD_create_response_from_buffer(
		total, buf, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(buf);
		return NULL;
	}
	if (!add_entry_headers(r, e, etag, gz)) {
		MHD_destroy_response(r);
		return NULL;
	}
	return r;
}

static enum MHD_Result queue(struct MHD_Connection *c, int status,
			     struct MHD_Response *r, int destroy)
{
	if (!r)
		return MHD_NO; /* out of memory: libmicrohttpd closes */
	enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, r);
	if (destroy)
		MHD_destroy_response(r);
	if (ok == MHD_YES)
		web_metrics_status(status);
	return ok;
}

static enum MHD_Result queue_304(struct MHD_Connection *c,
				 const struct web_entry *e, const char *etag)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (r && !add_entry_headers(r, e, etag, 0)) {
		MHD_destroy_response(r);
		r = NULL;
	}
	/* no Content-Encoding on a 304: it describes no body */
	return queue(c, 304, r, 1);
}

/* A response that is not cached: its own bytes, gzipped on the fly when
 * worth it. Takes the body of resp. */
static enum MHD_Result queue_plain(struct MHD_Connection *c,
				   struct web_resp *resp, int gz_ok,
				   const char *allow)
{
	struct td_buf z;
	td_buf_init(&z, 0);
	int gz = gz_ok && resp->body.len >= 1024 &&
		 (!strncmp(resp->content_type, "text/", 5) ||
		  strstr(resp->content_type, "json") ||
		  strstr(resp->content_type, "xml")) &&
		 web_gzip(resp->body.p, resp->body.len, &z) == 0 &&
		 z.len < resp->body.len;
	size_t n = 0;
	char *p = gz ? td_buf_detach(&z, &n) : td_buf_detach(&resp->body, &n);
	td_buf_release(&z);
	if (!p)
		return MHD_NO;
	struct MHD_Response *r =
		MHD_create_response_from_buffer(n, p, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(p);
		return MHD_NO;
	}
	if (!add_common(r, resp->cc, resp->content_type) ||
	    MHD_add_response_header(r, "Content-Type", resp->content_type) !=
		    MHD_YES ||
	    (gz && MHD_add_response_header(r, "Content-Encoding", "gzip") !=
			   MHD_YES) ||
	    (allow && MHD_add_response_header(r, "Allow", allow) != MHD_YES) ||
	    (resp->location && MHD_add_response_header(r, "Location",
						       resp->location) !=
				       MHD_YES)) {
		MHD_destroy_response(r);
		return MHD_NO;
	}
	if (gz)
		atomic_fetch_add_explicit(&web_metrics.gzip_responses, 1,
					  memory_order_relaxed);
	return queue(c, resp->status, r, 1);
}

/* ------------------------------------------------------------------------
 * The request path
 */

struct argscan {
	const struct web_route *rt;
	struct web_arg *args;
	size_t n, total;
	int bad;
};

static enum MHD_Result scan_arg(void *cls, enum MHD_ValueKind kind,
				const char *key, const char *value)
{
	struct argscan *a = cls;
	(void)kind;
	if (!value)
		value = "";
	if (++a->total > TD_WEB_MAX_ARGS || !key ||
	    strlen(key) > TD_WEB_MAX_ARG_BYTES ||
	    strlen(value) > TD_WEB_MAX_ARG_BYTES) {
		a->bad = 1;
		return MHD_NO;
	}
	if (a->rt && web_route_has_arg(a->rt, key)) {
		/* control bytes would blur the cache key's separators */
		for (const char *p = value; *p; p++)
			if ((unsigned char)*p < 0x20) {
				a->bad = 1;
				return MHD_NO;
			}
		a->args[a->n].key = key;
		a->args[a->n].value = value;
		a->n++;
	}
	return MHD_YES;
}

/* A Host header we can put in URLs: name or address and port. */
static int host_ok(const char *h)
{
	size_t n = 0;
	for (; h[n]; n++) {
		char c = h[n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		      c == ':' || c == '[' || c == ']' || c == '_'))
			return 0;
	}
	return n > 0 && n <= TD_WEB_MAX_HOST;
}

static int path_ok(const char *p)
{
	if (*p != '/')
		return 0;
	for (; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* Append to a fixed key buffer; 0 when it does not fit. */
static int key_add(char *key, size_t cap, size_t *len, const char *s,
		   size_t n)
{
	if (n >= cap - *len)
		return 0;
	memcpy(key + *len, s, n);
	*len += n;
	key[*len] = '\0';
	return 1;
}

static enum MHD_Result error_response(struct web_server *srv,
				      struct MHD_Connection *c,
				      struct web_req *req, int status)
{
	struct web_resp resp;
	web_resp_init(&resp);
	web_error_page(req, &resp, status);
	enum MHD_Result rc = queue_plain(c, &resp, 0,
					 status == 405 ? "GET, HEAD" : NULL);
	web_resp_release(&resp);
	(void)srv;
	return rc;
}

/* Answer from an entry: conditional requests, gzip, the hole. */
static enum MHD_Result serve_entry(struct MHD_Connection *c,
				   struct web_server *srv, struct web_entry *e,
				   int method, int cached)
{
	const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						     "Accept-Encoding");
	const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						      "If-None-Match");
	int gz = e->gz && web_accepts_gzip(ae);
	int status = e->status;

	if (e->hole) {
		const char *ua = MHD_lookup_connection_value(
			c, MHD_HEADER_KIND, "User-Agent");
		int count = method == WEB_GET && status == 200 &&
			    !web_ua_is_bot(ua);
		int64_t views = web_views_hit(srv->views, e->hole_id,
					      e->hole_views, count);
		char etag[32];
		struct web_splice sp;
		if (inm && status == 200) {
			web_entry_splice(e, views, &sp);
			web_etag(sp.hash, gz, etag, sizeof etag);
			if (web_etag_matches(inm, etag))
				return queue_304(c, e, etag);
		}
		if (gz)
			atomic_fetch_add_explicit(&web_metrics.gzip_responses,
						  1, memory_order_relaxed);
		return queue(c, status,
			     spliced_response(e, gz, views, etag, sizeof etag),
			     1);
	}

	const char *etag = gz ? e->etag_gz : e->etag;
	if (status == 200) {
		if (inm) {
			if (web_etag_matches(inm, etag))
				return queue_304(c, e, etag);
		} else if (e->last_modified != TD_TIME_NONE) {
			const char *ims = MHD_lookup_connection_value(
				c, MHD_HEADER_KIND, "If-Modified-Since");
			int64_t t;
			if (ims && web_parse_http_date(ims, &t) == 0 &&
			    e->last_modified <= t)
				return queue_304(c, e, etag);
		}
	}
	if (gz)
		atomic_fetch_add_explicit(&web_metrics.gzip_responses, 1,
					  memory_order_relaxed);
	struct MHD_Response *r = cached ? e->attached[gz ? 1 : 0] : NULL;
	if (r)
		return queue(c, status, r, 0);
	return queue(c, status, entry_response(e, gz), 1);
}

static enum MHD_Result handle(struct web_server *srv, struct MHD_Connection *c,
			      const char *url, const char *method, int bad_uri,
			      size_t upload)
{
	struct web_arg args[TD_WEB_MAX_ARGS];
	char base[TD_WEB_MAX_HOST + 16];
	struct web_req req;
	memset(&req, 0, sizeof req);
	req.cfg = srv->cfg;
	req.db = srv->db;
	req.path = url ? url : "/";
	req.rest = "";
	req.args = args;

	if (!strcmp(method, "GET"))
		req.method = WEB_GET;
	else if (!strcmp(method, "HEAD"))
		req.method = WEB_HEAD;
	else
		return error_response(srv, c, &req, 405);
	if (upload || bad_uri || !url || !path_ok(url))
		return error_response(srv, c, &req, 400);

	/* the site's URL */
	const char *host = NULL;
	if (srv->base_url[0])
		req.base_url = srv->base_url;
	else {
		host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
		if (host && !host_ok(host))
			return error_response(srv, c, &req, 400);
		if (!host)
			host = srv->listen_host;
		snprintf(base, sizeof base, "http://%s", host);
		req.base_url = base;
	}

	const struct web_route *rt = web_route_find(url, &req.rest);
	struct argscan scan = { .rt = rt, .args = args };
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, scan_arg, &scan);
	if (scan.bad)
		return error_response(srv, c, &req, 400);
	req.n_args = scan.n;
	if (!rt)
		return error_response(srv, c, &req, 404);

	/* cache key: [host \x1f] path (\x1e key \x1d value)* */
	char key[TD_WEB_MAX_HOST + TD_WEB_MAX_URL + 2 * TD_WEB_MAX_ARG_BYTES +
		 64];
	size_t klen = 0;
	int key_fits = 1;
	key[0] = '\0';
	if (host)
		key_fits = key_add(key, sizeof key, &klen, host, strlen(host)) &&
			   key_add(key, sizeof key, &klen, "\x1f", 1);
	key_fits = key_fits && key_add(key, sizeof key, &klen, url, strlen(url));
	for (size_t i = 0; i < req.n_args && key_fits; i++)
		key_fits = key_add(key, sizeof key, &klen, "\x1e", 1) &&
			   key_add(key, sizeof key, &klen, args[i].key,
				   strlen(args[i].key)) &&
			   key_add(key, sizeof key, &klen, "\x1d", 1) &&
			   key_add(key, sizeof key, &klen, args[i].value,
				   strlen(args[i].value));
	if (!key_fits)
		return error_response(srv, c, &req, 400);

	struct web_entry *e = web_cache_get(srv->cache, key, klen);
	if (e) {
		atomic_fetch_add_explicit(&web_metrics.cache_hits, 1,
					  memory_order_relaxed);
		enum MHD_Result rc = serve_entry(c, srv, e, req.method, 1);
		web_entry_unref(e);
		return rc;
	}

	/* render */
	uint64_t gen = web_cache_generation();
	struct web_resp resp;
	web_resp_init(&resp);
	req.user_agent =
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent");
	req.now = td_now();
	web_route_run(rt, &req, &resp);
	enum MHD_Result rc;
	int entry_ok = resp.status < 400 && (resp.cacheable || resp.hole);
	if (entry_ok && web_entry_build(key, klen, &resp, gen, &e) == 0) {
		int cached = 0;
		if (resp.cacheable) {
			atomic_fetch_add_explicit(&web_metrics.cache_misses, 1,
						  memory_order_relaxed);
			entry_attach(e);
			cached = web_cache_put(srv->cache, e);
		} else
			atomic_fetch_add_explicit(
				&web_metrics.cache_uncacheable, 1,
				memory_order_relaxed);
		if (!cached) /* a stale entry of the key must not stay */
			web_cache_forget(srv->cache, key, klen);
		rc = serve_entry(c, srv, e, req.method, cached);
		web_entry_unref(e);
	} else {
		web_cache_forget(srv->cache, key, klen);
		atomic_fetch_add_explicit(&web_metrics.cache_uncacheable, 1,
					  memory_order_relaxed);
		if (resp.hole) /* could not build the entry: no hole then */
			web_error_page(&req, &resp, 500);
		const char *ae = MHD_lookup_connection_value(
			c, MHD_HEADER_KIND, "Accept-Encoding");
		rc = queue_plain(c, &resp, web_accepts_gzip(ae), NULL);
	}
	web_resp_release(&resp);
	return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_size, void **req_cls)
{
	struct web_server *srv = cls;
	(void)version;
	(void)upload_data;
	if (*req_cls != &mark_seen && *req_cls != &mark_seen_bad &&
	    *req_cls != &mark_body) {
		/* First call: the headers are in. GET and HEAD are answered
		 * on the next call. Others, and requests with a body, are
		 * refused now: libmicrohttpd accepts a response while the
		 * body is arriving only before it starts reading it. */
		atomic_fetch_add(&srv->inflight, 1);
		*req_cls = *req_cls == &mark_bad ? &mark_seen_bad : &mark_seen;
		int get_head = !strcmp(method, "GET") || !strcmp(method, "HEAD");
		const char *cl = MHD_lookup_connection_value(
			c, MHD_HEADER_KIND, "Content-Length");
		int body = (cl && strcmp(cl, "0")) ||
			   MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						       "Transfer-Encoding");
		if (!get_head || body)
			return handle(srv, c, url, method, 0, 1);
		return MHD_YES;
	}
	if (*upload_size) { /* a body after all: drop it, answer 400 at the
			       end */
		*upload_size = 0;
		*req_cls = &mark_body;
		return MHD_YES;
	}
	return handle(srv, c, url, method, *req_cls == &mark_seen_bad,
		      *req_cls == &mark_body);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct web_server *srv = cls;
	(void)c;
	(void)toe;
	if (*req_cls == &mark_seen || *req_cls == &mark_seen_bad ||
	    *req_cls == &mark_body)
		atomic_fetch_sub(&srv->inflight, 1);
	*req_cls = NULL;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	(void)cls;
	(void)c;
	/* too long, or a NUL byte that decoding would hide */
	if (!uri || strlen(uri) > TD_WEB_MAX_URL || strstr(uri, "%00"))
		return &mark_bad;
	return &mark_new;
}

static void on_log(void *cls, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static void on_log(void *cls, const char *fmt, va_list ap)
{
	struct web_server *srv = cls;
	char line[256];
	vsnprintf(line, sizeof line, fmt, ap);
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (!srv->d) /* starting: keep it for the error message */
		snprintf(srv->start_error, sizeof srv->start_error, "%s", line);
	td_log(TD_LOG_DEBUG, "serve: libmicrohttpd: %s", line);
}

/* ------------------------------------------------------------------------
 * Background threads
 */

/* Sleep until deadline (monotonic ms) or stop; returns 1 when stopping. */
static int nap(struct web_server *srv, int64_t ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&srv->lock);
	while (!srv->stopping &&
	       pthread_cond_timedwait(&srv->cond, &srv->lock, &ts) == 0)
		;
	int stop = srv->stopping;
	pthread_mutex_unlock(&srv->lock);
	return stop;
}

static int stopping(struct web_server *srv)
{
	pthread_mutex_lock(&srv->lock);
	int s = srv->stopping;
	pthread_mutex_unlock(&srv->lock);
	return s;
}

/* Earliest next_fetch of the enabled sources; INT64_MAX when none. */
static int64_t next_due(struct store *w)
{
	struct store_source *v = NULL;
	size_t n = 0;
	int64_t t = INT64_MAX;
	if (store_source_due(w, INT64_MAX, &v, &n) == 0) {
		if (n)
			t = v[0].next_fetch;
		store_sources_free(v, n);
	}
	return t;
}

static void *ingest_main(void *arg)
{
	struct web_server *srv = arg;
	while (!stopping(srv)) {
		int64_t now = td_now();
		int64_t due = next_due(srv->writer);
		if (due > now) {
			int64_t wait = due - now;
			if (wait > TD_WEB_SCHED_MAX_SLEEP)
				wait = TD_WEB_SCHED_MAX_SLEEP;
			if (nap(srv, wait * 1000))
				break;
			continue;
		}
		struct news_fetch_opts fo = { .config = srv->cfg };
		struct news_stats st;
		memset(&st, 0, sizeof st);
		struct td_error err = { 0 };
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		int rc = news_fetch_round(srv->writer, &fo, &st, &err);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		atomic_fetch_add(&web_metrics.fetch_rounds, 1);
		atomic_store(&web_metrics.fetch_last_end, td_now());
		atomic_store(&web_metrics.fetch_last_ms,
			     (int64_t)(t1.tv_sec - t0.tv_sec) * 1000 +
				     (t1.tv_nsec - t0.tv_nsec) / 1000000);
		if (rc) {
			atomic_fetch_add(&web_metrics.fetch_errors, 1);
			td_log(TD_LOG_WARN, "serve: fetch round: %s",
			       err.msg[0] ? err.msg : td_strerror(rc));
			if (nap(srv, TD_WEB_SCHED_MAX_SLEEP * 1000))
				break;
			continue;
		}
		atomic_fetch_add(&web_metrics.fetch_new, st.new_articles);
		atomic_fetch_add(&web_metrics.fetch_updated,
				 st.updated_articles);
		atomic_fetch_add(&web_metrics.fetch_failed, st.failed);
		if (st.new_articles || st.updated_articles || st.pages ||
		    st.disabled)
			web_cache_invalidate();
		td_log(TD_LOG_INFO,
		       "serve: fetched %zu sources: %zu new, %zu updated, %zu "
		       "failed",
		       st.sources, st.new_articles, st.updated_articles,
		       st.failed);
		/* never spin on a source that stays due */
		if (nap(srv, 2000))
			break;
	}
	return NULL;
}

static void flush_views(struct web_server *srv, int attempts)
{
	for (int i = 0; i < attempts; i++) {
		uint64_t n = 0;
		int rc = web_views_flush(srv->views, srv->vwriter, &n);
		if (rc == 0) {
			atomic_fetch_add(&web_metrics.views_written, n);
			return;
		}
		atomic_fetch_add(&web_metrics.flush_errors, 1);
		td_log(TD_LOG_WARN, "serve: writing view counts: %s",
		       store_errmsg(srv->vwriter));
	}
}

static void *flush_main(void *arg)
{
	struct web_server *srv = arg;
	int64_t period = srv->o.flush_ms > 0 ? srv->o.flush_ms
					     : TD_WEB_FLUSH_MS;
	while (!nap(srv, period)) {
		flush_views(srv, 1);
		/* hand freed memory back: pages rendered and dropped since
		 * the last flush leave holes the allocator would keep */
		malloc_trim(0);
	}
	flush_views(srv, 5); /* shutdown: try harder */
	return NULL;
}

/* ------------------------------------------------------------------------
 * Start and stop
 */

int web_server_port(const struct web_server *s)
{
	return s->port;
}

static void server_free(struct web_server *srv)
{
	if (!srv)
		return;
	store_close(srv->writer);
	store_close(srv->vwriter);
	if (atomic_load(&web_metrics.cache) == srv->cache)
		atomic_store(&web_metrics.cache, NULL);
	if (atomic_load(&web_metrics.views) == srv->views)
		atomic_store(&web_metrics.views, NULL);
	web_cache_free(srv->cache);
	web_views_free(srv->views);
	pthread_cond_destroy(&srv->cond);
	pthread_mutex_destroy(&srv->lock);
	if (!srv->o.config)
		td_config_release(&srv->defcfg);
	free(srv->db);
	free(srv);
}

static int start_daemon(struct web_server *srv, struct td_error *err)
{
	char host[256];
	int port;
	const char *listen = srv->o.listen ? srv->o.listen : "127.0.0.1:8080";
	if (web_parse_listen(listen, host, sizeof host, &port))
		return td_error_set(err, TD_EINVAL,
				    "bad listen address '%s' (want ADDR:PORT)",
				    listen);
	char ports[8];
	snprintf(ports, sizeof ports, "%d", port);
	struct addrinfo hints, *ai = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	int g = getaddrinfo(host, ports, &hints, &ai);
	if (g || !ai)
		return td_error_set(err, TD_EINVAL, "listen address %s: %s",
				    host, gai_strerror(g));
	struct sockaddr_storage sa;
	memset(&sa, 0, sizeof sa);
	memcpy(&sa, ai->ai_addr, ai->ai_addrlen);
	srv->ipv6 = ai->ai_family == AF_INET6;
	freeaddrinfo(ai);

	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG;
	flags |= MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES
			 ? MHD_USE_EPOLL
			 : MHD_USE_POLL;
	if (srv->ipv6)
		flags |= MHD_USE_IPv6;
	unsigned threads = srv->o.threads > 0 ? (unsigned)srv->o.threads : 0;
	if (!threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 && n < 256 ? (unsigned)n : 1;
	}
	struct MHD_OptionItem opts[] = {
		{ MHD_OPTION_SOCK_ADDR, 0, &sa },
		{ MHD_OPTION_CONNECTION_MEMORY_LIMIT, TD_WEB_CONN_MEMORY, NULL },
		{ MHD_OPTION_CONNECTION_TIMEOUT, TD_WEB_CONN_TIMEOUT, NULL },
		{ MHD_OPTION_CONNECTION_LIMIT, TD_WEB_MAX_CONNECTIONS, NULL },
		{ MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, NULL },
		{ MHD_OPTION_THREAD_POOL_SIZE, threads > 1 ? threads : 0,
		  NULL },
		{ MHD_OPTION_END, 0, NULL },
	};
	if (threads <= 1) /* a pool of one is the plain internal thread */
		opts[5].option = MHD_OPTION_END;
	srv->d = MHD_start_daemon(
		flags, (uint16_t)port, NULL, NULL, on_request, srv,
		MHD_OPTION_EXTERNAL_LOGGER, on_log, srv, MHD_OPTION_ARRAY,
		opts, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv, MHD_OPTION_END);
	if (!srv->d)
		return td_error_set(err, TD_EIO, "cannot listen on %s:%d%s%s",
				    host, port, srv->start_error[0] ? ": " : "",
				    srv->start_error);
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info && info->port ? info->port : port;
	if (!strcmp(host, "0.0.0.0") || !strcmp(host, "::"))
		snprintf(srv->listen_host, sizeof srv->listen_host,
			 "localhost:%d", srv->port);
	else
		snprintf(srv->listen_host, sizeof srv->listen_host,
			 strchr(host, ':') ? "[%s]:%d" : "%s:%d", host,
			 srv->port);
	return 0;
}

int web_server_start(const struct web_opts *o, struct web_server **out,
		     struct td_error *err)
{
	*out = NULL;
	char msg[256];
	if (td_mhd_load(msg, sizeof msg))
		return td_error_set(err, TD_EUNSUPPORTED, "%s", msg);
	struct web_server *srv = calloc(1, sizeof *srv);
	if (!srv)
		return td_error_set(err, TD_ENOMEM, "out of memory");
	srv->o = *o;
	pthread_mutex_init(&srv->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&srv->cond, &ca);
	pthread_condattr_destroy(&ca);
	atomic_init(&srv->inflight, 0);
	if (o->config)
		srv->cfg = o->config;
	else {
		td_config_defaults(&srv->defcfg);
		srv->cfg = &srv->defcfg;
	}
	int rc;
	/* Memory: a fixed mmap threshold, so that large buffers (rendered
	 * pages, gzip output, feed bodies) always go back to the system when
	 * freed (glibc otherwise raises the threshold after the first free
	 * and keeps them on the heap); few arenas, so that freed memory is
	 * shared between the worker threads instead of kept per thread. */
	mallopt(M_MMAP_THRESHOLD, TD_WEB_MMAP_THRESHOLD);
	mallopt(M_ARENA_MAX, TD_WEB_ARENAS);
	/* the theme and the time zone now, so that their warnings come at
	 * start-up; a theme that fails is logged and pages answer 500 */
	(void)web_theme_init(srv->cfg);
	srv->db = td_strdup(o->db ? o->db : srv->cfg->db);
	srv->cache = web_cache_new(o->cache_bytes);
	srv->views = web_views_new(0);
	if (!srv->db || !srv->cache || !srv->views) {
		rc = td_error_set(err, TD_ENOMEM, "out of memory");
		goto fail;
	}
	const char *bu = srv->cfg->base_url ? srv->cfg->base_url : "";
	size_t bl = strlen(bu);
	while (bl && bu[bl - 1] == '/')
		bl--;
	if (bl >= sizeof srv->base_url || strpbrk(bu, "\r\n\"<>")) {
		rc = td_error_set(err, TD_EINVAL, "bad base_url");
		goto fail;
	}
	memcpy(srv->base_url, bu, bl);
	srv->base_url[bl] = '\0';

	/* The writers first: they create and migrate a new database, so the
	 * readers opened by the workers find it ready. */
	if ((rc = store_open(srv->db, 0, &srv->writer, err)) ||
	    (rc = store_open(srv->db, 0, &srv->vwriter, err)))
		goto fail;
	atomic_store(&web_metrics.cache, srv->cache);
	atomic_store(&web_metrics.views, srv->views);
	atomic_store(&web_metrics.started, td_now());

	if ((rc = start_daemon(srv, err)))
		goto fail;
	if (pthread_create(&srv->flush_th, NULL, flush_main, srv) == 0)
		srv->flush_started = 1;
	else
		td_log(TD_LOG_WARN, "serve: cannot start the view flusher; "
				    "views are written at shutdown");
	if (!o->no_fetch) {
		if (pthread_create(&srv->ingest_th, NULL, ingest_main, srv) ==
		    0)
			srv->ingest_started = 1;
		else
			td_log(TD_LOG_WARN, "serve: cannot start the fetch "
					    "scheduler");
	}
	*out = srv;
	return 0;
fail:
	server_free(srv);
	return rc;
}

void web_server_stop(struct web_server *srv)
{
	if (!srv)
		return;
	/* 1. stop accepting; let in-flight requests finish */
	MHD_socket ls = MHD_quiesce_daemon(srv->d);
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (atomic_load(&srv->inflight) > 0) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 +
			    (t.tv_nsec - t0.tv_nsec) / 1000000 >
		    TD_WEB_DRAIN_MS)
			break;
		struct timespec ms = { 0, 5 * 1000000L };
		nanosleep(&ms, NULL);
	}
	MHD_stop_daemon(srv->d);
	srv->d = NULL;
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	/* 2. stop the threads: the flusher writes what is pending, the
	 * scheduler finishes its round */
	pthread_mutex_lock(&srv->lock);
	srv->stopping = 1;
	pthread_cond_broadcast(&srv->cond);
	pthread_mutex_unlock(&srv->lock);
	if (srv->flush_started)
		pthread_join(srv->flush_th, NULL);
	else
		flush_views(srv, 5);
	if (srv->ingest_started)
		pthread_join(srv->ingest_th, NULL);
	/* 3. close the writers (checkpoints the WAL) */
	server_free(srv);
}

int web_serve(const struct web_opts *o, struct td_error *err)
{
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	signal(SIGPIPE, SIG_IGN);
	/* threads started from here on inherit the mask */
	pthread_sigmask(SIG_BLOCK, &set, &old);
	struct web_server *srv = NULL;
	int rc = web_server_start(o, &srv, err);
	if (rc) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		return rc;
	}
	printf("listening on http://%s\n", srv->listen_host);
	fflush(stdout);
	int sig = 0;
	while (sigwait(&set, &sig) != 0)
		;
	td_log(TD_LOG_INFO, "serve: %s: shutting down",
	       sig == SIGINT ? "SIGINT" : "SIGTERM");
	/* A second signal ends the process at once (committed data is safe;
	 * pending view counts are lost). */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	web_server_stop(srv);
	return 0;
}
