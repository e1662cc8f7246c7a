/*
 * fetch.c - the concurrent fetcher: one libcurl multi handle driven from
 * fetcher_run on the owning thread.
 *
 * Queueing is ours, not curl's: each host has a FIFO of waiting jobs and a
 * count of running ones; hosts with waiting jobs sit on a ring that fill()
 * walks to start jobs while a host is under per_host and the fetcher under
 * total. Redirects are followed here (curl's FOLLOWLOCATION is off) so each
 * hop is re-queued under the host it goes to and we can tell permanent moves
 * from temporary ones. Finished jobs go to a done list whose callbacks run
 * from the top of the run loop only, never from inside a curl callback, so a
 * callback may add requests freely. file:// URLs never reach curl: they are
 * read directly (regular files only, size-capped).
 *
 * Easy handles are pooled and curl_easy_reset between uses; connections
 * live in the multi handle's cache, so keep-alive and HTTP/2 multiplexing
 * carry across jobs.
 */
#include "fetch/fetch.h"
#include "fetch/fetch_int.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/time.h"
#include "core/url.h"

#include "fetch/curl_dl.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A transfer slower than LOW_SPEED_LIMIT bytes/s for LOW_SPEED_TIME seconds
 * is cut (a drip-feeding server must not hold a slot for the whole total
 * timeout). */
#define LOW_SPEED_LIMIT 1024L
#define LOW_SPEED_TIME 30L
/* Body bytes of a redirect or error response read before we hang up: they
 * are thrown away, so there is no point in downloading much of them. */
#define DISCARD_MAX (64 * 1024)
/* Host hash table: initial bucket count (power of two), grown at load 1. */
#define HOST_BUCKETS 256

static const char default_accept[] =
	"application/rss+xml, application/atom+xml, application/feed+json, "
	"application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, "
	"text/html;q=0.7, */*;q=0.5";

struct host;

struct job {
	struct job *next; /* in a host queue, the local queue or done list */
	struct job *rprev, *rnext; /* running list */
	char *url, *etag, *last_modified;
	void *user;
	fetch_done_fn done;
	struct curl_slist *req_hdrs;

	char *cur;         /* URL of the current hop */
	char *host_name;   /* host of cur; NULL for file:// */
	struct host *host; /* while queued or running */
	int hops, all_perm;
	double t0; /* monotonic start of the first hop, 0 before */
	int64_t hop_now;
	CURL *easy;
	struct fetch_hdrs hdrs;
	struct td_buf body;
	size_t discarded;
	int toobig, nomem, abort_ok;
	char errbuf[CURL_ERROR_SIZE];

	/* outcome */
	int status, error;
	char errmsg[256];
	char *permanent_url;
	double seconds;
};

struct host {
	char *name;
	int active;
	struct job *qhead, *qtail;
	struct host *hnext; /* hash chain */
	struct host *rnext; /* ring of hosts with queued jobs */
	int in_ring;
};

struct job_list {
	struct job *head, *tail;
};

struct fetcher {
	int per_host, total, max_redirects;
	size_t max_bytes;
	long connect_timeout, total_timeout;
	char *user_agent;
	CURLM *multi;
	CURL **pool;
	int npool;
	struct host **tab;
	size_t nbuckets, nhosts;
	struct host *ring_head, *ring_tail;
	struct job_list local, done;
	struct job *run_head; /* running transfers */
	int active;
	int running;
};

/* ---- small helpers ------------------------------------------------------ */

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void list_push(struct job_list *l, struct job *j)
{
	j->next = NULL;
	if (l->tail)
		l->tail->next = j;
	else
		l->head = j;
	l->tail = j;
}

static struct job *list_pop(struct job_list *l)
{
	struct job *j = l->head;
	if (j) {
		l->head = j->next;
		if (!l->head)
			l->tail = NULL;
		j->next = NULL;
	}
	return j;
}

static int header_safe(const char *s)
{
	if (!s || !*s || strlen(s) > FETCH_MAX_VALIDATOR * 2)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return 0;
	return 1;
}

static int is_file_url(const char *u)
{
	return td_istarts(u, "file://");
}

/* 1 when a redirect may go to u: http and https only. */
static int scheme_ok_for_redirect(const char *u)
{
	return td_istarts(u, "http://") || td_istarts(u, "https://");
}

static void set_err(struct job *j, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(struct job *j, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(j->errmsg, sizeof j->errmsg, fmt, ap);
	va_end(ap);
	for (char *p = j->errmsg; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	j->error = code;
}

static void set_http_err(struct job *j, int status)
{
	const char *reason = fetch_reason(status);
	if (!reason)
		reason = j->hdrs.reason;
	set_err(j, TD_EFETCH, "HTTP %d%s%s", status, *reason ? " " : "",
		reason);
}

static void job_free(struct job *j)
{
	if (!j)
		return;
	free(j->url);
	free(j->etag);
	free(j->last_modified);
	curl_slist_free_all(j->req_hdrs);
	free(j->cur);
	free(j->host_name);
	fetch_hdrs_release(&j->hdrs);
	td_buf_release(&j->body);
	free(j->permanent_url);
	free(j);
}

/* ---- hosts -------------------------------------------------------------- */

static size_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return (size_t)h;
}

static int host_grow(struct fetcher *f)
{
	size_t n = f->nbuckets ? f->nbuckets * 2 : HOST_BUCKETS;
	struct host **t = calloc(n, sizeof *t);
	if (!t)
		return TD_ENOMEM;
	for (size_t i = 0; i < f->nbuckets; i++) {
		struct host *h = f->tab[i], *nx;
		for (; h; h = nx) {
			nx = h->hnext;
			size_t b = hash_str(h->name) & (n - 1);
			h->hnext = t[b];
			t[b] = h;
		}
	}
	free(f->tab);
	f->tab = t;
	f->nbuckets = n;
	return 0;
}

static struct host *host_get(struct fetcher *f, const char *name)
{
	if (f->nbuckets) {
		struct host *h = f->tab[hash_str(name) & (f->nbuckets - 1)];
		for (; h; h = h->hnext)
			if (!strcmp(h->name, name))
				return h;
	}
	if (f->nhosts >= f->nbuckets && host_grow(f))
		return NULL;
	struct host *h = calloc(1, sizeof *h);
	if (!h || !(h->name = strdup(name))) {
		free(h);
		return NULL;
	}
	size_t b = hash_str(name) & (f->nbuckets - 1);
	h->hnext = f->tab[b];
	f->tab[b] = h;
	f->nhosts++;
	return h;
}

/* Free a host nobody uses any more (not running, not queued, not on the
 * ring), so a long-lived fetcher does not collect every host it saw. */
static void host_maybe_free(struct fetcher *f, struct host *h)
{
	if (h->active || h->qhead || h->in_ring)
		return;
	struct host **pp = &f->tab[hash_str(h->name) & (f->nbuckets - 1)];
	while (*pp && *pp != h)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = h->hnext;
	f->nhosts--;
	free(h->name);
	free(h);
}

/* Queue j under the host of j->cur (front: a redirect hop continues before
 * newer work). */
static int enqueue(struct fetcher *f, struct job *j, int front)
{
	if (!j->host_name) {
		list_push(&f->local, j);
		return 0;
	}
	struct host *h = host_get(f, j->host_name);
	if (!h)
		return TD_ENOMEM;
	j->host = h;
	if (front) {
		j->next = h->qhead;
		h->qhead = j;
		if (!h->qtail)
			h->qtail = j;
	} else {
		j->next = NULL;
		if (h->qtail)
			h->qtail->next = j;
		else
			h->qhead = j;
		h->qtail = j;
	}
	if (!h->in_ring) {
		h->in_ring = 1;
		h->rnext = NULL;
		if (f->ring_tail)
			f->ring_tail->rnext = h;
		else
			f->ring_head = h;
		f->ring_tail = h;
	}
	return 0;
}

/* ---- lifecycle ---------------------------------------------------------- */

struct fetcher *fetcher_new(const struct fetch_opts *opts)
{
	char why[256];
	if (td_curl_load(why, sizeof why)) {
		td_log(TD_LOG_ERROR, "fetch: %s", why);
		return NULL;
	}
	struct fetcher *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	struct fetch_opts o = { 0 };
	if (opts)
		o = *opts;
	f->per_host = o.per_host > 0 ? o.per_host : TD_FETCH_PER_HOST;
	f->total = o.total > 0 ? o.total : TD_FETCH_TOTAL;
	f->max_bytes = o.max_bytes ? o.max_bytes : TD_MAX_FETCH_BYTES;
	f->connect_timeout = o.connect_timeout > 0 ? o.connect_timeout
						   : TD_FETCH_CONNECT_TIMEOUT;
	f->total_timeout = o.total_timeout > 0 ? o.total_timeout
					       : TD_FETCH_TOTAL_TIMEOUT;
	f->max_redirects = o.max_redirects > 0 ? o.max_redirects
					       : TD_MAX_REDIRECTS;
	f->user_agent = strdup(o.user_agent ? o.user_agent : fetch_user_agent());
	f->multi = curl_multi_init();
	f->pool = calloc((size_t)f->total, sizeof *f->pool);
	if (!f->user_agent || !f->multi || !f->pool || host_grow(f)) {
		fetcher_free(f);
		return NULL;
	}
	curl_multi_setopt(f->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
			  (long)f->per_host);
	return f;
}

void fetcher_free(struct fetcher *f)
{
	if (!f)
		return;
	struct job *j;
	/* jobs never started or never delivered: no callback (the fetcher is
	 * going away); running ones cannot exist outside fetcher_run */
	while ((j = list_pop(&f->local)))
		job_free(j);
	while ((j = list_pop(&f->done)))
		job_free(j);
	for (size_t i = 0; i < f->nbuckets; i++) {
		struct host *h = f->tab[i], *nx;
		for (; h; h = nx) {
			nx = h->hnext;
			struct job *q = h->qhead, *qn;
			for (; q; q = qn) {
				qn = q->next;
				job_free(q);
			}
			free(h->name);
			free(h);
		}
	}
	free(f->tab);
	for (int i = 0; i < f->npool; i++)
		curl_easy_cleanup(f->pool[i]);
	free(f->pool);
	if (f->multi)
		curl_multi_cleanup(f->multi);
	free(f->user_agent);
	free(f);
}

static int add_header(struct curl_slist **l, const char *name,
		      const char *value)
{
	char line[FETCH_MAX_VALIDATOR * 2 + 64];
	if (!header_safe(value))
		return 0; /* never send a header that could split the request */
	int n = snprintf(line, sizeof line, "%s: %s", name, value);
	if (n < 0 || (size_t)n >= sizeof line)
		return 0;
	struct curl_slist *nl = curl_slist_append(*l, line);
	if (!nl)
		return TD_ENOMEM;
	*l = nl;
	return 0;
}

int fetcher_add(struct fetcher *f, const struct fetch_request *req,
		fetch_done_fn done)
{
	if (!f || !req || !req->url || !done)
		return TD_EINVAL;
	size_t ul = strlen(req->url);
	if (!ul || ul > TD_MAX_URL_BYTES)
		return TD_EINVAL;
	for (size_t i = 0; i < ul; i++)
		if ((unsigned char)req->url[i] <= 0x20 ||
		    (unsigned char)req->url[i] == 0x7f)
			return TD_EINVAL;
	int file = is_file_url(req->url);
	if (!file && !td_url_is_http(req->url))
		return TD_EINVAL;
	int rc = TD_ENOMEM;
	struct job *j = calloc(1, sizeof *j);
	if (!j)
		return TD_ENOMEM;
	fetch_hdrs_init(&j->hdrs);
	td_buf_init(&j->body, f->max_bytes);
	j->user = req->user;
	j->done = done;
	j->all_perm = 1;
	if (!(j->url = strdup(req->url)) || !(j->cur = strdup(req->url)))
		goto fail;
	if (req->etag && !(j->etag = strdup(req->etag)))
		goto fail;
	if (req->last_modified && !(j->last_modified = strdup(req->last_modified)))
		goto fail;
	if (!file) {
		j->host_name = td_url_host(req->url);
		if (!j->host_name) {
			/* curl could not parse it: not a usable URL (or OOM,
			 * which we cannot tell apart here) */
			rc = TD_EINVAL;
			goto fail;
		}
		const char *acc = req->accept ? req->accept : default_accept;
		if (add_header(&j->req_hdrs, "Accept", acc) ||
		    add_header(&j->req_hdrs, "If-None-Match", req->etag) ||
		    add_header(&j->req_hdrs, "If-Modified-Since",
			       req->last_modified))
			goto fail;
	}
	if ((rc = enqueue(f, j, 0)))
		goto fail;
	return 0;
fail:
	job_free(j);
	return rc;
}

/* ---- file:// ------------------------------------------------------------ */

static const char *guess_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} map[] = {
		{ ".rss", "application/rss+xml" },
		{ ".atom", "application/atom+xml" },
		{ ".xml", "application/xml" },
		{ ".rdf", "application/rdf+xml" },
		{ ".json", "application/json" },
		{ ".html", "text/html" },
		{ ".htm", "text/html" },
		{ ".opml", "text/x-opml" },
		{ ".txt", "text/plain" },
	};
	size_t n = strlen(path);
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		size_t e = strlen(map[i].ext);
		if (n > e && !strcasecmp(path + n - e, map[i].ext))
			return map[i].type;
	}
	return NULL;
}

/* Read a file:// job to completion (regular files only: a FIFO or device
 * must not block the fetch thread). */
static void run_file(struct fetcher *f, struct job *j)
{
	char *path = td_url_to_path(j->cur);
	int fd = -1;
	j->t0 = mono();
	if (!path) {
		set_err(j, TD_EINVAL, "not a usable file URL");
		goto out;
	}
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		j->status = (e == ENOENT || e == ENOTDIR) ? 404
			    : e == EACCES		  ? 403
							  : 0;
		set_err(j, TD_EFETCH, "%s: %s", path, strerror(e));
		goto out;
	}
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		set_err(j, TD_EFETCH, "%s: not a regular file", path);
		goto out;
	}
	j->status = 200;
	const char *ct = guess_type(path);
	if (ct && !(j->hdrs.content_type = strdup(ct))) {
		set_err(j, TD_ENOMEM, "out of memory");
		goto out;
	}
	char lm[32];
	td_time_rfc1123((int64_t)st.st_mtime, lm);
	if (!(j->hdrs.last_modified = strdup(lm))) {
		set_err(j, TD_ENOMEM, "out of memory");
		goto out;
	}
	/* A second-resolution Last-Modified would miss a file rewritten
	 * within the same second: the ETag (size, mtime in nanoseconds,
	 * inode) decides whether the file changed. */
	char tag[96];
	snprintf(tag, sizeof tag, "\"f%llx-%llx.%lx-%llx\"",
		 (unsigned long long)st.st_size,
		 (unsigned long long)st.st_mtim.tv_sec,
		 (long)st.st_mtim.tv_nsec, (unsigned long long)st.st_ino);
	if (!(j->hdrs.etag = strdup(tag))) {
		set_err(j, TD_ENOMEM, "out of memory");
		goto out;
	}
	if (j->etag && !strcmp(j->etag, tag)) {
		j->status = 304;
		goto out;
	}
	if ((uint64_t)st.st_size > (uint64_t)f->max_bytes) {
		set_err(j, TD_ETOOBIG, "larger than %zu bytes", f->max_bytes);
		goto out;
	}
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			set_err(j, TD_EIO, "%s: %s", path, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if (td_buf_append(&j->body, chunk, (size_t)n)) {
			if (td_buf_err(&j->body) == TD_ETOOBIG)
				set_err(j, TD_ETOOBIG, "larger than %zu bytes",
					f->max_bytes);
			else
				set_err(j, TD_ENOMEM, "out of memory");
			break;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	free(path);
	j->seconds = mono() - j->t0;
	list_push(&f->done, j);
}

/* ---- curl callbacks ----------------------------------------------------- */

static int is_redirect(int status)
{
	return status == 301 || status == 302 || status == 303 ||
	       status == 307 || status == 308;
}

/* The body of this hop is thrown away (redirect or error response). */
static int discarding(const struct job *j)
{
	int s = j->hdrs.status;
	return (is_redirect(s) && j->hdrs.location) || s >= 400 ||
	       (s >= 100 && s < 200) || s == 304;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct job *j = ud;
	size_t len = size * n;
	if (fetch_hdrs_line(&j->hdrs, p, len, j->hop_now)) {
		j->nomem = 1;
		return 0;
	}
	/* end of a final response's headers: reject early by length */
	if ((len == 2 && p[0] == '\r') || (len == 1 && p[0] == '\n')) {
		if (j->hdrs.status >= 200 && j->hdrs.status < 300 &&
		    j->hdrs.content_length > 0 &&
		    (uint64_t)j->hdrs.content_length > (uint64_t)j->body.max) {
			j->toobig = 1;
			return 0;
		}
	}
	return len;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct job *j = ud;
	size_t len = size * n;
	if (discarding(j)) {
		j->discarded += len;
		if (j->discarded > DISCARD_MAX) {
			j->abort_ok = 1;
			return 0;
		}
		return len;
	}
	if (td_buf_append(&j->body, p, len)) {
		if (td_buf_err(&j->body) == TD_ETOOBIG)
			j->toobig = 1;
		else
			j->nomem = 1;
		return 0;
	}
	return len;
}

/* ---- starting and finishing transfers ----------------------------------- */

static CURL *easy_get(struct fetcher *f)
{
	if (f->npool) {
		CURL *e = f->pool[--f->npool];
		curl_easy_reset(e);
		return e;
	}
	return curl_easy_init();
}

static void easy_put(struct fetcher *f, CURL *e)
{
	if (f->npool < f->total)
		f->pool[f->npool++] = e;
	else
		curl_easy_cleanup(e);
}

/* Start the current hop of j; on failure j goes to the done list. The host
 * slot is taken in both cases and released by finish/fail paths. */
static void start(struct fetcher *f, struct job *j)
{
	double now = mono();
	if (!j->t0)
		j->t0 = now;
	long total_ms = f->total_timeout * 1000L;
	long left = total_ms - (long)((now - j->t0) * 1000.0);
	fetch_hdrs_release(&j->hdrs);
	td_buf_reset(&j->body);
	j->discarded = 0;
	j->toobig = j->nomem = j->abort_ok = 0;
	j->errbuf[0] = '\0';
	j->hop_now = td_now();
	if (left <= 0) {
		set_err(j, TD_EFETCH, "timed out after %ld s", f->total_timeout);
		goto fail;
	}
	CURL *e = easy_get(f);
	if (!e) {
		set_err(j, TD_ENOMEM, "out of memory");
		goto fail;
	}
	j->easy = e;
	long low_time = f->total_timeout < LOW_SPEED_TIME ? f->total_timeout
							  : LOW_SPEED_TIME;
	curl_easy_setopt(e, CURLOPT_URL, j->cur);
	curl_easy_setopt(e, CURLOPT_PRIVATE, j);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, j->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, j);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, j);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_USERAGENT, f->user_agent);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, j->req_hdrs);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, f->connect_timeout);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, left);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, LOW_SPEED_LIMIT);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, low_time);
	curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	if (curl_multi_add_handle(f->multi, e) != CURLM_OK) {
		easy_put(f, e);
		j->easy = NULL;
		set_err(j, TD_EFETCH, "curl refused the transfer");
		goto fail;
	}
	j->host->active++;
	f->active++;
	j->rprev = NULL;
	j->rnext = f->run_head;
	if (f->run_head)
		f->run_head->rprev = j;
	f->run_head = j;
	return;
fail:
	j->seconds = mono() - j->t0;
	list_push(&f->done, j);
}

/* Start queued hops while the limits allow. */
static void fill(struct fetcher *f)
{
	struct host *h = f->ring_head, *prev = NULL;
	while (h && f->active < f->total) {
		while (h->qhead && h->active < f->per_host &&
		       f->active < f->total) {
			struct job *j = h->qhead;
			h->qhead = j->next;
			if (!h->qhead)
				h->qtail = NULL;
			j->next = NULL;
			start(f, j);
		}
		struct host *nx = h->rnext;
		if (!h->qhead) {
			if (prev)
				prev->rnext = nx;
			else
				f->ring_head = nx;
			if (f->ring_tail == h)
				f->ring_tail = prev;
			h->in_ring = 0;
			h->rnext = NULL;
			host_maybe_free(f, h);
		} else {
			prev = h;
		}
		h = nx;
	}
}

static const char *curl_phrase(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST: return "could not resolve host";
	case CURLE_COULDNT_RESOLVE_PROXY: return "could not resolve proxy";
	case CURLE_COULDNT_CONNECT: return "could not connect";
	case CURLE_PEER_FAILED_VERIFICATION: return "TLS certificate not trusted";
	case CURLE_SSL_CONNECT_ERROR: return "TLS handshake failed";
	case CURLE_GOT_NOTHING: return "empty reply";
	case CURLE_RECV_ERROR: return "receive failed";
	case CURLE_SEND_ERROR: return "send failed";
	case CURLE_PARTIAL_FILE: return "connection closed early";
	case CURLE_BAD_CONTENT_ENCODING: return "bad content encoding";
	case CURLE_UNSUPPORTED_PROTOCOL: return "unsupported scheme";
	case CURLE_URL_MALFORMAT: return "malformed URL";
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM: return "HTTP/2 error";
	case CURLE_WEIRD_SERVER_REPLY: return "invalid HTTP reply";
	default: return "transfer failed";
	}
}

/* Describe a transport failure in one line. */
static void transport_error(struct fetcher *f, struct job *j, CURLcode rc,
			    long oserr, double connect_time)
{
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		double el = mono() - j->t0;
		if (el + 0.5 >= (double)f->total_timeout)
			set_err(j, TD_EFETCH, "timed out after %ld s",
				f->total_timeout);
		else if (connect_time <= 0.0)
			set_err(j, TD_EFETCH, "connect timed out after %ld s",
				f->connect_timeout);
		else
			set_err(j, TD_EFETCH,
				"too slow (under %ld bytes/s for %ld s)",
				LOW_SPEED_LIMIT, LOW_SPEED_TIME);
		return;
	}
	char phrase[96];
	if (oserr && (rc == CURLE_COULDNT_CONNECT || rc == CURLE_RECV_ERROR ||
		      rc == CURLE_SEND_ERROR)) {
		snprintf(phrase, sizeof phrase, "%s", strerror((int)oserr));
		if (phrase[0] >= 'A' && phrase[0] <= 'Z')
			phrase[0] = (char)(phrase[0] + 32);
	} else {
		snprintf(phrase, sizeof phrase, "%s", curl_phrase(rc));
	}
	set_err(j, TD_EFETCH, "%s (curl: %s)", phrase, curl_easy_strerror(rc));
}

/* A hop finished: redirect (re-queue), or outcome (done list). */
static void finish(struct fetcher *f, struct job *j, CURLcode rc)
{
	CURL *e = j->easy;
	long code = 0, oserr = 0;
	double ct = 0;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(e, CURLINFO_OS_ERRNO, &oserr);
	curl_easy_getinfo(e, CURLINFO_CONNECT_TIME, &ct);
	curl_multi_remove_handle(f->multi, e);
	easy_put(f, e);
	if (j->rprev)
		j->rprev->rnext = j->rnext;
	else
		f->run_head = j->rnext;
	if (j->rnext)
		j->rnext->rprev = j->rprev;
	j->rprev = j->rnext = NULL;
	j->easy = NULL;
	j->host->active--;
	f->active--;
	struct host *h = j->host;
	j->host = NULL;
	host_maybe_free(f, h);

	int status = (int)code;
	if (j->nomem) {
		j->status = status;
		set_err(j, TD_ENOMEM, "out of memory");
	} else if (j->toobig) {
		j->status = status;
		set_err(j, TD_ETOOBIG, "larger than %zu bytes", f->max_bytes);
	} else if (rc != CURLE_OK && !j->abort_ok) {
		j->status = 0;
		transport_error(f, j, rc, oserr, ct);
	} else if (is_redirect(status) && j->hdrs.location) {
		j->status = status;
		if (j->hops >= f->max_redirects) {
			set_err(j, TD_EFETCH, "too many redirects (%d)",
				f->max_redirects);
			goto done;
		}
		char *next = td_url_resolve(j->cur, j->hdrs.location);
		if (!next) {
			set_err(j, TD_EFETCH, "HTTP %d to an invalid Location",
				status);
			goto done;
		}
		if (!scheme_ok_for_redirect(next)) {
			set_err(j, TD_EFETCH,
				"redirect to an unsupported scheme: %.100s",
				next);
			free(next);
			goto done;
		}
		char *hn = td_url_host(next);
		if (!hn) {
			set_err(j, TD_EFETCH, "HTTP %d to an invalid Location",
				status);
			free(next);
			goto done;
		}
		j->hops++;
		if (status != 301 && status != 308)
			j->all_perm = 0;
		free(j->cur);
		free(j->host_name);
		j->cur = next;
		j->host_name = hn;
		if (enqueue(f, j, 1)) {
			set_err(j, TD_ENOMEM, "out of memory");
			goto done;
		}
		return;
	} else {
		j->status = status;
		if (status == 304) {
			td_buf_reset(&j->body);
		} else if (status < 200 || status >= 300) {
			set_http_err(j, status);
		}
	}
done:
	if (!j->error && j->hops && j->all_perm &&
	    !(j->permanent_url = strdup(j->cur)))
		set_err(j, TD_ENOMEM, "out of memory");
	j->seconds = mono() - j->t0;
	list_push(&f->done, j);
}

/* Run the callbacks of finished jobs (they may add more). */
static void deliver(struct fetcher *f)
{
	struct job *j;
	while ((j = list_pop(&f->done))) {
		struct fetch_result r = { 0 };
		r.url = j->url;
		r.final_url = j->cur;
		r.permanent_url = j->permanent_url;
		r.status = j->status;
		if (!j->error && j->status >= 400)
			set_http_err(j, j->status); /* never left unset */
		r.error = j->error;
		r.errmsg = (j->error || j->status >= 400) ? j->errmsg : NULL;
		if (!r.error) {
			r.body = td_buf_cstr(&j->body);
			r.len = j->body.len;
		}
		r.content_type = j->hdrs.content_type;
		r.charset = j->hdrs.charset;
		r.etag = j->hdrs.etag;
		r.last_modified = j->hdrs.last_modified;
		if (j->status == 304) {
			/* a 304 need not repeat the validators: keep ours */
			if (!r.etag)
				r.etag = j->etag;
			if (!r.last_modified)
				r.last_modified = j->last_modified;
		}
		r.retry_after = j->hdrs.retry_after;
		r.max_age = j->hdrs.max_age;
		r.seconds = j->seconds;
		r.user = j->user;
		j->done(&r, j->user);
		job_free(j);
	}
}

/* curl itself failed: every running and queued job ends with an error. */
static void abort_all(struct fetcher *f, const char *why)
{
	while (f->run_head) {
		struct job *j = f->run_head;
		j->nomem = j->toobig = j->abort_ok = 0;
		finish(f, j, CURLE_ABORTED_BY_CALLBACK);
		set_err(j, TD_EFETCH, "curl failed: %s", why);
	}
	while (f->ring_head) {
		struct host *h = f->ring_head;
		struct job *j;
		while ((j = h->qhead)) {
			h->qhead = j->next;
			j->next = NULL;
			set_err(j, TD_EFETCH, "curl failed: %s", why);
			list_push(&f->done, j);
		}
		h->qtail = NULL;
		f->ring_head = h->rnext;
		h->in_ring = 0;
		h->rnext = NULL;
		host_maybe_free(f, h);
	}
	f->ring_tail = NULL;
}

int fetcher_run(struct fetcher *f)
{
	if (!f || f->running)
		return TD_EINVAL;
	f->running = 1;
	int rc = 0;
	for (;;) {
		struct job *lj;
		if ((lj = list_pop(&f->local))) {
			run_file(f, lj);
			deliver(f);
			continue;
		}
		if (!rc)
			fill(f);
		if (f->done.head) {
			deliver(f);
			continue;
		}
		if (!f->active)
			break;
		int still = 0;
		CURLMcode mc = curl_multi_perform(f->multi, &still);
		if (mc == CURLM_OK) {
			int left = 0, got = 0;
			CURLMsg *m;
			while ((m = curl_multi_info_read(f->multi, &left))) {
				if (m->msg != CURLMSG_DONE)
					continue;
				struct job *j = NULL;
				curl_easy_getinfo(m->easy_handle,
						  CURLINFO_PRIVATE, (char **)&j);
				CURLcode res = m->data.result;
				finish(f, j, res);
				got = 1;
			}
			if (got || f->local.head)
				continue;
			mc = curl_multi_poll(f->multi, NULL, 0, 1000, NULL);
		}
		if (mc != CURLM_OK) {
			td_log(TD_LOG_ERROR, "fetch: curl multi: %s",
			       curl_multi_strerror(mc));
			rc = TD_EFETCH;
			abort_all(f, curl_multi_strerror(mc));
		}
	}
	f->running = 0;
	return rc;
}
