/*
 * views.c - the view counter: counts in memory, written in batches.
 *
 * Sixteen shards, each an open-addressing table (linear probing) of
 * {article id, base, pending} under its own mutex, so two worker threads
 * rarely wait for each other and a page view costs one short critical
 * section. Nothing about the reader is kept: no address, no cookie, only a
 * number per article.
 *
 * Flush: copy the pending counts out (shard by shard), write them in one
 * transaction (store_views_add), then move them from pending to base. A
 * view counted during the write stays pending for the next flush; a failed
 * write leaves everything pending. The count shown (base + pending) never
 * moves backwards because of a flush.
 */
#include "web/web_int.h"

#include "core/err.h"
#include "store/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define NSHARDS 16

struct slot {
	int64_t id; /* 0: empty (article ids start at 1) */
	int64_t base;
	int64_t pending;
};

struct shard {
	pthread_mutex_t lock;
	struct slot *slots;
	size_t cap; /* power of two, or 0 */
	size_t used;
	size_t max; /* entries allowed in this shard */
};

struct web_views {
	struct shard shards[NSHARDS];
	atomic_uint_fast64_t pending;
};

static uint64_t mix(int64_t id)
{
	uint64_t x = (uint64_t)id;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

struct web_views *web_views_new(size_t max_entries)
{
	struct web_views *v = calloc(1, sizeof *v);
	if (!v)
		return NULL;
	if (!max_entries)
		max_entries = TD_WEB_MAX_VIEW_ENTRIES;
	for (int i = 0; i < NSHARDS; i++) {
		pthread_mutex_init(&v->shards[i].lock, NULL);
		v->shards[i].max = max_entries / NSHARDS ? max_entries / NSHARDS
							 : 1;
	}
	atomic_init(&v->pending, 0);
	return v;
}

void web_views_free(struct web_views *v)
{
	if (!v)
		return;
	for (int i = 0; i < NSHARDS; i++) {
		pthread_mutex_destroy(&v->shards[i].lock);
		free(v->shards[i].slots);
	}
	free(v);
}

static struct shard *shard_of(struct web_views *v, int64_t id, uint64_t *h)
{
	*h = mix(id);
	return &v->shards[*h % NSHARDS];
}

/* The slot of id, or the empty slot where it would go (lock held, cap >
 * 0). */
static struct slot *probe(struct shard *s, int64_t id, uint64_t h)
{
	size_t mask = s->cap - 1;
	for (size_t i = (h / NSHARDS) & mask;; i = (i + 1) & mask)
		if (s->slots[i].id == id || s->slots[i].id == 0)
			return &s->slots[i];
}

/* Rehash into cap slots, keeping only entries with pending views when
 * drop_idle. 0 or TD_ENOMEM (table unchanged). */
static int rehash(struct shard *s, size_t cap, int drop_idle)
{
	struct slot *old = s->slots;
	size_t oldcap = s->cap;
	struct slot *n = calloc(cap, sizeof *n);
	if (!n)
		return TD_ENOMEM;
	s->slots = n;
	s->cap = cap;
	s->used = 0;
	for (size_t i = 0; i < oldcap; i++) {
		if (!old[i].id || (drop_idle && !old[i].pending))
			continue;
		*probe(s, old[i].id, mix(old[i].id)) = old[i];
		s->used++;
	}
	free(old);
	return 0;
}

/* Make room for one more entry (lock held). 0, or TD_ETOOBIG when the shard
 * is full of pending counts, TD_ENOMEM. */
static int make_room(struct shard *s, int *dropped)
{
	if (s->used + 1 > s->max) {
		/* Forget the articles whose counts are all on disk. */
		if (rehash(s, s->cap, 1))
			return TD_ENOMEM;
		*dropped = 1;
		if (s->used + 1 > s->max)
			return TD_ETOOBIG;
	}
	/* keep the load under 3/4 */
	if (!s->cap || (s->used + 1) * 4 > s->cap * 3)
		return rehash(s, s->cap ? s->cap * 2 : 64, 0);
	return 0;
}

int64_t web_views_hit(struct web_views *v, int64_t id, int64_t stored,
		      int count)
{
	uint64_t h;
	struct shard *s = shard_of(v, id, &h);
	int dropped = 0;
	int64_t shown;
	if (stored < 0)
		stored = 0;
	pthread_mutex_lock(&s->lock);
	struct slot *e = s->cap ? probe(s, id, h) : NULL;
	if (!e || !e->id) {
		if (!count) {
			/* not tracked and not counted: nothing to keep */
			pthread_mutex_unlock(&s->lock);
			return stored;
		}
		if (id <= 0 || make_room(s, &dropped)) {
			pthread_mutex_unlock(&s->lock);
			atomic_fetch_add(&web_metrics.views_dropped, 1);
			if (dropped)
				web_cache_invalidate();
			return stored + 1;
		}
		e = probe(s, id, h);
		e->id = id;
		e->base = stored;
		e->pending = 0;
		s->used++;
	}
	if (count) {
		e->pending++;
		atomic_fetch_add(&v->pending, 1);
	}
	shown = e->base + e->pending;
	pthread_mutex_unlock(&s->lock);
	if (count)
		atomic_fetch_add(&web_metrics.views_counted, 1);
	/* Pages cached before the drop show the base they were rendered
	 * with, which may be older than what is on disk now. */
	if (dropped)
		web_cache_invalidate();
	return shown;
}

uint64_t web_views_pending(struct web_views *v)
{
	return atomic_load(&v->pending);
}

int web_views_flush(struct web_views *v, struct store *w, uint64_t *written)
{
	int64_t *ids = NULL, *counts = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	uint64_t total = 0;
	if (written)
		*written = 0;
	for (int i = 0; i < NSHARDS; i++) {
		struct shard *s = &v->shards[i];
		pthread_mutex_lock(&s->lock);
		for (size_t k = 0; k < s->cap && rc == 0; k++) {
			if (!s->slots[k].id || !s->slots[k].pending)
				continue;
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 256;
				int64_t *a = realloc(ids, nc * sizeof *a);
				if (a)
					ids = a;
				int64_t *b = a ? realloc(counts, nc * sizeof *b)
					       : NULL;
				if (b)
					counts = b;
				if (!a || !b) {
					rc = TD_ENOMEM;
					break;
				}
				cap = nc;
			}
			ids[n] = s->slots[k].id;
			counts[n] = s->slots[k].pending;
			n++;
		}
		pthread_mutex_unlock(&s->lock);
	}
	if (rc == 0 && n)
		rc = store_views_add(w, ids, counts, n);
	if (rc == 0) {
		for (size_t k = 0; k < n; k++) {
			uint64_t h;
			struct shard *s = shard_of(v, ids[k], &h);
			pthread_mutex_lock(&s->lock);
			struct slot *e = probe(s, ids[k], h);
			if (e->id == ids[k]) { /* always: only flush drops */
				e->base += counts[k];
				e->pending -= counts[k];
			}
			pthread_mutex_unlock(&s->lock);
			total += (uint64_t)counts[k];
		}
		atomic_fetch_sub(&v->pending, total);
		if (written)
			*written = total;
	}
	free(ids);
	free(counts);
	return rc;
}

/* ------------------------------------------------------------------------
 * Bots
 *
 * Substrings (lower case) of User-Agents that are not a person reading:
 * search and social crawlers (Googlebot, bingbot, Slurp, Baiduspider,
 * facebookexternalhit, Twitterbot, ...), link previews, monitors, feed
 * readers fetching pages, and HTTP libraries and tools (curl, wget,
 * python-requests, Go, Java, ...). Browsers send Mozilla/... strings that
 * contain none of them. A missing or empty User-Agent is not counted
 * either: every browser sends one.
 */
static const char *const bot_words[] = {
	"bot",         "crawl",      "spider",        "slurp",
	"facebookexternalhit", "facebookcatalog", "embedly", "preview",
	"curl",        "wget",       "python",        "go-http-client",
	"java/",       "okhttp",     "libwww",        "httpclient",
	"http-client", "headless",   "lighthouse",    "pingdom",
	"uptime",      "monitor",    "check_http",    "feed",
	"rss",         "scrapy",     "axios",         "node-fetch",
	"undici",      "aiohttp",    "httpx",         "perl",
	"ruby",        "php/",       "wrk",           "apachebench",
	"siege",       "validator",  "archiver",      "ia_archiver",
	"yandex",      "baidu",      "semrush",       "ahrefs",
	"mj12",        "dataprovider", "whatsapp",    "skypeuripreview",
	"snapchat",    "discord",    "slack",         "telegram",
	"vkshare",     "qwantify",   "petalsearch",   "bytespider",
	"gptbot",      "ccbot",      "claude",        "anthropic",
	"perplexity",  "cohere",     "diffbot",       "scan",
};

/* Bigrams that start a bot word: one bit per (first, second) byte, so the
 * scan over a User-Agent compares words only where one could start. */
static uint64_t bigram[65536 / 64];
static pthread_once_t bigram_once = PTHREAD_ONCE_INIT;

static void bigram_init(void)
{
	for (size_t k = 0; k < sizeof bot_words / sizeof bot_words[0]; k++) {
		unsigned b = (unsigned char)bot_words[k][0] << 8 |
			     (unsigned char)bot_words[k][1];
		bigram[b / 64] |= 1ULL << (b % 64);
	}
}

int web_ua_is_bot(const char *ua)
{
	if (!ua)
		return 1;
	pthread_once(&bigram_once, bigram_init);
	unsigned char low[TD_WEB_MAX_UA + 1];
	size_t n = 0;
	int blank = 1;
	for (; ua[n] && n < TD_WEB_MAX_UA; n++) {
		unsigned char c = (unsigned char)ua[n];
		low[n] = c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
		if (c != ' ' && c != '\t')
			blank = 0;
	}
	low[n] = '\0';
	if (blank)
		return 1;
	for (size_t i = 0; i + 1 < n; i++) {
		unsigned b = (unsigned)low[i] << 8 | low[i + 1];
		if (!(bigram[b / 64] & (1ULL << (b % 64))))
			continue;
		for (size_t k = 0; k < sizeof bot_words / sizeof bot_words[0];
		     k++) {
			const char *w = bot_words[k];
			if ((unsigned char)w[0] != low[i] ||
			    (unsigned char)w[1] != low[i + 1])
				continue;
			size_t wl = strlen(w);
			if (wl <= n - i && !memcmp(low + i, w, wl))
				return 1;
		}
	}
	return 0;
}
