/*
 * cache.c - the page cache: rendered pages kept in memory with their gzip
 * bytes, invalidated by a global generation counter, bounded by a byte
 * budget with least-recently-used eviction; and the gzip splicing that
 * lets a cached page carry a per-request hole (see web_int.h).
 *
 * One mutex guards the hash table and the LRU list; it is held for a hash
 * lookup and a few pointer moves, never while compressing or freeing.
 * Entries are immutable after web_entry_build and reference-counted.
 *
 * An entry may also carry an expiry (e->expires, td_now() seconds, set from
 * the response's cache_seconds): pages that change without new articles
 * (the front page's "Most read") are re-rendered at most that often. The
 * clock is read only for entries that have one, so the common hit stays
 * free of system calls; td_now() honours TIDINGS_NOW, which tests use.
 */
#include "web/web_int.h"

#include "core/err.h"
#include "core/time.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>
#include <zlib.h>

static atomic_uint_fast64_t generation = 1;

void web_cache_invalidate(void)
{
	atomic_fetch_add(&generation, 1);
}

uint64_t web_cache_generation(void)
{
	return atomic_load(&generation);
}

struct web_cache {
	pthread_mutex_t lock;
	struct web_entry **buckets;
	size_t nbuckets; /* power of two */
	size_t entries;
	size_t bytes;
	size_t budget;
	struct web_entry *head, *tail; /* LRU: head is the most recent */
	uint64_t evictions, stale, stale_served;
};

/* ------------------------------------------------------------------------
 * Entries
 */

void web_etag(uint64_t hash, int gz, char *out, size_t cap)
{
	/* by hand: this runs for every page with a hole */
	static const char hex[] = "0123456789abcdef";
	char t[24];
	size_t n = 0;
	t[n++] = '"';
	for (int i = 60; i >= 0; i -= 4)
		t[n++] = hex[(hash >> i) & 15];
	if (gz) {
		t[n++] = '-';
		t[n++] = 'z';
	}
	t[n++] = '"';
	if (!cap)
		return;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, t, n);
	out[n] = '\0';
}

static void entry_free(struct web_entry *e)
{
	free(e->key);
	free(e->plain);
	free(e->gz);
	free(e->location);
	free(e);
}

void web_entry_ref(struct web_entry *e)
{
	atomic_fetch_add(&e->refs, 1);
}

void web_entry_mem_ref(struct web_entry *e)
{
	atomic_fetch_add(&e->mem_refs, 1);
}

void web_entry_mem_unref(struct web_entry *e)
{
	if (e && atomic_fetch_sub(&e->mem_refs, 1) == 1)
		entry_free(e);
}

void web_entry_unref(struct web_entry *e)
{
	if (!e || atomic_fetch_sub(&e->refs, 1) != 1)
		return;
	/* nobody can reach the entry any more: release what was built on
	 * it; the bytes live on while responses in flight hold them */
	if (e->detach)
		e->detach(e);
	web_entry_mem_unref(e);
}

/* Worth compressing: text, JSON, XML, JavaScript, SVG. */
static int compressible(const char *type)
{
	if (!type)
		return 1;
	return !strncmp(type, "text/", 5) || strstr(type, "json") ||
	       strstr(type, "xml") || strstr(type, "javascript");
}

/* Deflate n bytes at p into out (room for cap bytes at out + *len),
 * appending; flush is Z_SYNC_FLUSH or Z_FINISH. 0 or TD_ENOMEM when the
 * room runs out (cannot happen with deflateBound room). */
static int deflate_into(z_stream *z, const void *p, size_t n, int flush,
			unsigned char *out, size_t cap, size_t *len)
{
	z->next_in = (Bytef *)(uintptr_t)p;
	z->avail_in = (uInt)n;
	for (;;) {
		z->next_out = out + *len;
		z->avail_out = (uInt)(cap - *len);
		int rc = deflate(z, flush);
		*len = cap - z->avail_out;
		if (rc == Z_STREAM_END)
			return 0;
		if (rc != Z_OK && rc != Z_BUF_ERROR)
			return TD_ENOMEM;
		if (z->avail_in == 0 && z->avail_out > 0 && flush != Z_FINISH)
			return 0;
		if (z->avail_out == 0 || rc == Z_BUF_ERROR)
			return TD_ENOMEM; /* no room left: bound was wrong */
	}
}

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* gzip header: magic, deflate, no flags, no mtime, no extra flags, Unix. */
static void gzip_head(unsigned char h[10])
{
	static const unsigned char head[10] = { 0x1f, 0x8b, 8, 0, 0,
						0,    0,    0, 0, 3 };
	memcpy(h, head, 10);
}

/* Compress e->plain into e->gz: a whole gzip member without a hole, else
 * the prefix's and the suffix's raw deflate bytes. */
static int compress_entry(struct web_entry *e)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return TD_ENOMEM;
	int rc = TD_ENOMEM;
	size_t pre = e->hole ? e->hole_at : e->plain_len;
	size_t suf = e->plain_len - pre;
	/* bound per part, plus sync markers, header and trailer */
	size_t cap = deflateBound(&z, (uLong)pre) +
		     deflateBound(&z, (uLong)suf) + 64;
	unsigned char *out = malloc(cap);
	if (!out)
		goto out;
	size_t len = 0;
	if (!e->hole) {
		gzip_head(out);
		len = 10;
		if (deflate_into(&z, e->plain, e->plain_len, Z_FINISH, out,
				 cap - 8, &len))
			goto out;
		put_le32(out + len,
			 (uint32_t)crc32(0L, (const Bytef *)e->plain,
					 (uInt)e->plain_len));
		put_le32(out + len + 4, (uint32_t)e->plain_len);
		len += 8;
	} else {
		if (deflate_into(&z, e->plain, pre, Z_SYNC_FLUSH, out, cap,
				 &len))
			goto out;
		e->gz_prefix_len = len;
		if (deflateReset(&z) != Z_OK ||
		    deflate_into(&z, e->plain + pre, suf, Z_FINISH, out, cap,
				 &len))
			goto out;
		e->crc_prefix = (uint32_t)crc32(0L, (const Bytef *)e->plain,
						(uInt)pre);
		e->crc_suffix = (uint32_t)crc32(
			0L, (const Bytef *)e->plain + pre, (uInt)suf);
		e->suffix_op = crc32_combine_gen((z_off_t)suf);
	}
	e->gz = out;
	e->gz_len = len;
	out = NULL;
	rc = 0;
out:
	free(out);
	deflateEnd(&z);
	return rc;
}

int web_entry_build(const char *key, size_t key_len, const struct web_resp *r,
		    uint64_t gen, struct web_entry **out)
{
	*out = NULL;
	if (td_buf_err(&r->body))
		return td_buf_err(&r->body);
	size_t blen = r->body.len;
	/* zlib counts in uInt */
	if (blen > TD_WEB_MAX_BODY || blen > 0xffffffffu)
		return TD_ETOOBIG;
	struct web_entry *e = calloc(1, sizeof *e);
	if (!e)
		return TD_ENOMEM;
	atomic_init(&e->refs, 1);
	atomic_init(&e->mem_refs, 1);
	e->key = malloc(key_len + 1);
	e->plain = malloc(blen + 1);
	if (!e->key || !e->plain)
		goto nomem;
	memcpy(e->key, key, key_len);
	e->key[key_len] = '\0';
	e->key_len = key_len;
	e->key_hash = XXH3_64bits(key, key_len);
	e->gen = gen;
	e->expires = r->cache_seconds > 0 ? td_now() + r->cache_seconds : 0;
	e->status = r->status;
	e->content_type = r->content_type;
	e->cc = r->cc;
	e->last_modified = r->last_modified;
	if (r->location && !(e->location = td_strdup(r->location)))
		goto nomem;
	if (blen)
		memcpy(e->plain, r->body.p, blen);
	e->plain[blen] = '\0';
	e->plain_len = blen;
	if (r->hole && r->hole_at <= blen) {
		e->hole = r->hole;
		e->hole_at = r->hole_at;
		e->hole_id = r->hole_id;
		e->hole_views = r->hole_views;
	}
	e->hash = XXH3_64bits(e->plain, blen);
	web_etag(e->hash, 0, e->etag, sizeof e->etag);
	web_etag(e->hash, 1, e->etag_gz, sizeof e->etag_gz);
	if (e->hole || (blen > 0 && compressible(e->content_type))) {
		if (compress_entry(e))
			goto nomem;
		if (!e->hole && e->gz_len >= blen) { /* no gain */
			free(e->gz);
			e->gz = NULL;
			e->gz_len = 0;
		}
	}
	e->cost = sizeof *e + key_len + blen + e->gz_len +
		  (e->location ? strlen(e->location) : 0) + 64;
	*out = e;
	return 0;
nomem:
	entry_free(e);
	return TD_ENOMEM;
}

/* ------------------------------------------------------------------------
 * Splicing
 */

size_t web_hole_text(int kind, int64_t views, char *out, size_t cap)
{
	/* by hand: this runs for every page with a hole */
	char t[40];
	char digits[24];
	size_t nd = 0, n = 0;
	uint64_t v = views < 0 ? 0 : (uint64_t)views;
	do {
		digits[nd++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (nd)
		t[n++] = digits[--nd];
	if (kind == WEB_HOLE_VIEWS_LABEL) {
		const char *l = views == 1 ? " View" : " Views";
		size_t ll = strlen(l);
		memcpy(t + n, l, ll);
		n += ll;
	}
	if (!cap)
		return 0;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, t, n);
	out[n] = '\0';
	return n;
}

void web_entry_splice(const struct web_entry *e, int64_t views,
		      struct web_splice *sp)
{
	size_t n = web_hole_text(e->hole, views, sp->hole, sizeof sp->hole);
	sp->hole_len = n;
	gzip_head(sp->head);
	/* A stored block (BFINAL 0, BTYPE 00): the prefix ended on a byte
	 * boundary (sync flush), so the 3 header bits and the padding make
	 * one zero byte, then LEN and its complement, then the bytes. */
	sp->hole_z[0] = 0;
	sp->hole_z[1] = (unsigned char)n;
	sp->hole_z[2] = (unsigned char)(n >> 8);
	sp->hole_z[3] = (unsigned char)~n;
	sp->hole_z[4] = (unsigned char)(~n >> 8);
	memcpy(sp->hole_z + 5, sp->hole, n);
	sp->hole_z_len = 5 + n;
	uLong crc = crc32(e->crc_prefix, (const Bytef *)sp->hole, (uInt)n);
	crc = crc32_combine_op(crc, e->crc_suffix, e->suffix_op);
	put_le32(sp->trailer, (uint32_t)crc);
	put_le32(sp->trailer + 4, (uint32_t)(e->plain_len + n));
	/* The plain bytes are a function of the entry and the hole text. */
	sp->hash = e->hash ^ XXH3_64bits_withSeed(sp->hole, n, e->hash);
}

int web_gzip(const void *p, size_t n, struct td_buf *out)
{
	if (n > 0xffffffffu)
		return TD_ETOOBIG;
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return TD_ENOMEM;
	size_t cap = deflateBound(&z, (uLong)n) + 18 + 16;
	int rc = td_buf_reserve(out, cap);
	if (rc == 0) {
		unsigned char *o = (unsigned char *)out->p + out->len;
		size_t len = 10;
		gzip_head(o);
		rc = deflate_into(&z, p, n, Z_FINISH, o, cap - 8, &len);
		if (rc == 0) {
			put_le32(o + len,
				 (uint32_t)crc32(0L, (const Bytef *)p, (uInt)n));
			put_le32(o + len + 4, (uint32_t)n);
			out->len += len + 8;
			out->p[out->len] = '\0';
		}
	}
	deflateEnd(&z);
	return rc;
}

/* ------------------------------------------------------------------------
 * The table
 */

struct web_cache *web_cache_new(size_t budget)
{
	struct web_cache *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->nbuckets = 256;
	c->buckets = calloc(c->nbuckets, sizeof *c->buckets);
	if (!c->buckets) {
		free(c);
		return NULL;
	}
	c->budget = budget ? budget : TD_WEB_CACHE_BYTES;
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

/* Remove e from the table and the list (lock held); the caller drops the
 * table's reference with release_list after unlocking. e->hnext is reused
 * to chain it. */
static void unlink_entry(struct web_cache *c, struct web_entry *e,
			 struct web_entry **dead)
{
	struct web_entry **pp = &c->buckets[e->key_hash & (c->nbuckets - 1)];
	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
	if (e->prev)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
	e->prev = e->next = NULL;
	e->linked = 0;
	c->entries--;
	c->bytes -= e->cost;
	e->hnext = *dead;
	*dead = e;
}

static void release_list(struct web_entry *dead)
{
	while (dead) {
		struct web_entry *next = dead->hnext;
		dead->hnext = NULL;
		web_entry_unref(dead);
		dead = next;
	}
}

void web_cache_free(struct web_cache *c)
{
	if (!c)
		return;
	struct web_entry *dead = NULL;
	pthread_mutex_lock(&c->lock);
	while (c->head)
		unlink_entry(c, c->head, &dead);
	pthread_mutex_unlock(&c->lock);
	release_list(dead);
	pthread_mutex_destroy(&c->lock);
	free(c->buckets);
	free(c);
}

static struct web_entry *find(struct web_cache *c, const char *key,
			      size_t key_len, uint64_t h)
{
	struct web_entry *e = c->buckets[h & (c->nbuckets - 1)];
	for (; e; e = e->hnext)
		if (e->key_hash == h && e->key_len == key_len &&
		    !memcmp(e->key, key, key_len))
			return e;
	return NULL;
}

static void to_front(struct web_cache *c, struct web_entry *e)
{
	if (c->head == e)
		return;
	/* unlink from the list */
	if (e->prev)
		e->prev->next = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else if (c->tail == e)
		c->tail = e->prev;
	e->prev = NULL;
	e->next = c->head;
	if (c->head)
		c->head->prev = e;
	c->head = e;
	if (!c->tail)
		c->tail = e;
}

/* 1 when e has an expiry and it has passed. */
/* Milliseconds of the monotonic clock. */
static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int expired(const struct web_entry *e)
{
	return e->expires != 0 && td_now() >= e->expires;
}

struct web_entry *web_cache_get(struct web_cache *c, const char *key,
				size_t key_len)
{
	uint64_t h = XXH3_64bits(key, key_len);
	uint64_t gen = web_cache_generation();
	struct web_entry *dead = NULL, *e;
	pthread_mutex_lock(&c->lock);
	e = find(c, key, key_len, h);
	if (e && (e->gen != gen || expired(e))) {
		/* Stale: the first request renders the page again; until its
		 * entry replaces this one, others get this one rather than
		 * all rendering the same page at once (after every fetch
		 * round, every page is stale). A refresh that takes too long
		 * (or never puts an entry) lets the next request try. */
		int64_t now = mono_ms();
		if (e->refreshing && now - e->refreshing < TD_WEB_REFRESH_MS) {
			to_front(c, e);
			web_entry_ref(e);
			c->stale_served++;
		} else {
			e->refreshing = now ? now : 1;
			c->stale++;
			e = NULL;
		}
	} else if (e) {
		to_front(c, e);
		web_entry_ref(e);
	}
	pthread_mutex_unlock(&c->lock);
	release_list(dead);
	return e;
}

void web_cache_forget(struct web_cache *c, const char *key, size_t key_len)
{
	uint64_t h = XXH3_64bits(key, key_len);
	struct web_entry *dead = NULL;
	pthread_mutex_lock(&c->lock);
	struct web_entry *e = find(c, key, key_len, h);
	if (e)
		unlink_entry(c, e, &dead);
	pthread_mutex_unlock(&c->lock);
	release_list(dead);
}

/* Double the buckets when the table is full (lock held); on OOM the table
 * keeps its size and chains get longer. */
static void grow(struct web_cache *c)
{
	size_t n = c->nbuckets * 2;
	struct web_entry **b = calloc(n, sizeof *b);
	if (!b)
		return;
	for (size_t i = 0; i < c->nbuckets; i++) {
		struct web_entry *e = c->buckets[i], *next;
		for (; e; e = next) {
			next = e->hnext;
			e->hnext = b[e->key_hash & (n - 1)];
			b[e->key_hash & (n - 1)] = e;
		}
	}
	free(c->buckets);
	c->buckets = b;
	c->nbuckets = n;
}

int web_cache_put(struct web_cache *c, struct web_entry *e)
{
	if (e->linked || e->cost > c->budget / 8 ||
	    e->gen != web_cache_generation() || expired(e))
		return 0;
	struct web_entry *dead = NULL;
	pthread_mutex_lock(&c->lock);
	struct web_entry *old = find(c, e->key, e->key_len, e->key_hash);
	if (old)
		unlink_entry(c, old, &dead);
	if (c->entries >= c->nbuckets)
		grow(c);
	size_t i = e->key_hash & (c->nbuckets - 1);
	e->hnext = c->buckets[i];
	c->buckets[i] = e;
	e->prev = NULL;
	e->next = c->head;
	if (c->head)
		c->head->prev = e;
	c->head = e;
	if (!c->tail)
		c->tail = e;
	e->linked = 1;
	web_entry_ref(e);
	c->entries++;
	c->bytes += e->cost;
	while (c->bytes > c->budget && c->tail && c->tail != e) {
		unlink_entry(c, c->tail, &dead);
		c->evictions++;
	}
	pthread_mutex_unlock(&c->lock);
	release_list(dead);
	return 1;
}

void web_cache_stats(struct web_cache *c, struct web_cache_stats *s)
{
	pthread_mutex_lock(&c->lock);
	s->entries = c->entries;
	s->bytes = c->bytes;
	s->evictions = c->evictions;
	s->stale = c->stale;
	s->stale_served = c->stale_served;
	pthread_mutex_unlock(&c->lock);
}
