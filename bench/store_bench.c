/*
 * store_bench.c - insert rate and search latency of the SQLite store on
 * generated articles. Not run by tests; prints numbers.
 *
 * Build and run (from the repository root, after `make`):
 *   cc -std=gnu11 -O2 -Isrc bench/store_bench.c build/rel/libtidings.a \
 *      $(pkg-config --libs sqlite3 libutf8proc libcurl) -lm \
 *      -o build/rel/store_bench
 *   build/rel/store_bench [N_ARTICLES] [DB_PATH]
 *
 * Input: N articles (default 100,000) spread over 50 sources, published over
 * two years in roughly the order they are stored. Titles have 6-12 words and
 * texts 120-360 words drawn with a Zipf law from a 30,000-word vocabulary
 * (the 200 most frequent are English function and news words); content_orig
 * and content_html carry the text as <p> paragraphs. Inserts run in
 * transactions of 50 articles (one source's fetch), each with 2 tags, through
 * the FTS5 triggers, into a WAL database on disk (synchronous=NORMAL).
 * Searches: 2,000 queries of five kinds (below), limit 20, after the insert,
 * on the same connection, warm cache.
 */
#include "core/err.h"
#include "core/time.h"
#include "store/store.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define VOCAB 30000
#define BATCH 50
#define NSOURCES 50

static const char *const common[] = {
	"the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as",
	"was", "with", "be", "by", "on", "not", "he", "this", "are", "or",
	"his", "from", "at", "which", "but", "have", "an", "had", "they",
	"you", "were", "their", "one", "all", "we", "can", "her", "has",
	"there", "been", "if", "more", "when", "will", "would", "who", "so",
	"no", "she", "other", "its", "may", "these", "what", "them", "than",
	"some", "him", "time", "into", "only", "do", "could", "new", "about",
	"two", "after", "first", "said", "year", "government", "people",
	"minister", "president", "city", "police", "market", "election",
	"court", "council", "report", "week", "company", "state", "world",
	"health", "school", "water", "energy", "climate", "price", "bank",
	"football", "season", "team", "match", "film", "music", "festival",
	"storm", "flood", "fire", "road", "train", "airport", "hospital",
	"budget", "tax", "law", "vote", "party", "leader", "mayor", "union",
	"strike", "workers", "farmers", "students", "teachers", "doctors",
	"village", "river", "bridge", "harbour", "museum", "library", "park",
	"summit", "talks", "deal", "trade", "exports", "inflation", "rates",
	"investigation", "trial", "judge", "sentence", "arrest", "suspect",
	"victims", "rescue", "emergency", "warning", "forecast", "weather",
	"record", "million", "billion", "percent", "january", "february",
	"march", "april", "june", "july", "august", "september", "october",
	"november", "december", "monday", "tuesday", "wednesday", "thursday",
	"friday", "saturday", "sunday", "morning", "evening", "night",
	"today", "yesterday", "tomorrow", "north", "south", "east", "west",
	"central", "national", "local", "regional", "international",
	"european", "public", "private", "officials", "residents",
	"spokesperson", "statement", "announced", "confirmed", "expected",
	"according", "despite", "following", "during", "against", "between",
};
#define NCOMMON (sizeof common / sizeof common[0])

static char *vocab[VOCAB];
static double cdf[VOCAB];
static uint64_t rng = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double rnd01(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static void make_vocab(void)
{
	static const char *const syl[] = {
		"ka", "lo", "mi", "ne", "ru", "ta", "vo", "shi", "bel", "dor",
		"an", "et", "is", "on", "ur", "gra", "pel", "sto", "vin", "zel",
		"ma", "ri", "tol", "ven", "cas", "der", "fi", "gon", "hal", "jur",
	};
	size_t nsyl = sizeof syl / sizeof syl[0];
	for (size_t i = 0; i < VOCAB; i++) {
		if (i < NCOMMON) {
			vocab[i] = strdup(common[i]);
			continue;
		}
		char w[32] = "";
		size_t len = 0;
		int n = 2 + (int)(rnd() % 3);
		for (int k = 0; k < n; k++) {
			const char *s = syl[rnd() % nsyl];
			size_t l = strlen(s);
			memcpy(w + len, s, l);
			len += l;
		}
		w[len] = '\0';
		vocab[i] = strdup(w);
	}
	double sum = 0;
	for (size_t i = 0; i < VOCAB; i++)
		sum += 1.0 / pow((double)(i + 1), 1.05);
	double acc = 0;
	for (size_t i = 0; i < VOCAB; i++) {
		acc += 1.0 / pow((double)(i + 1), 1.05) / sum;
		cdf[i] = acc;
	}
}

static const char *zipf_word(void)
{
	double u = rnd01();
	size_t lo = 0, hi = VOCAB - 1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return vocab[lo];
}

/* Append n Zipf words to buf (cap bytes), with paragraph tags when html. */
static size_t words(char *buf, size_t cap, int n, int html)
{
	size_t len = 0;
	int para = 0;
	for (int i = 0; i < n && len + 64 < cap; i++) {
		if (html && para == 0)
			len += (size_t)snprintf(buf + len, cap - len, "<p>");
		len += (size_t)snprintf(buf + len, cap - len, "%s%s",
					(i && para) ? " " : "", zipf_word());
		if (html && ++para == 40) {
			len += (size_t)snprintf(buf + len, cap - len, ".</p>");
			para = 0;
		} else if (!html) {
			para = 1;
		}
	}
	if (html && para)
		len += (size_t)snprintf(buf + len, cap - len, ".</p>");
	return len;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void machine(void)
{
	struct utsname u;
	char model[256] = "unknown";
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (f) {
		char line[512];
		while (fgets(line, sizeof line, f))
			if (strncmp(line, "model name", 10) == 0) {
				char *p = strchr(line, ':');
				if (p)
					snprintf(model, sizeof model, "%s",
						 p + 2);
				model[strcspn(model, "\n")] = '\0';
				break;
			}
		fclose(f);
	}
	uname(&u);
	printf("machine: %s %s, %s, %ld cores\n", u.sysname, u.release, model,
	       sysconf(_SC_NPROCESSORS_ONLN));
}

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct kind {
	const char *name;
	double *ms, *cpu;
	size_t n;
	size_t results;
	char slowest[256];
	double slowest_cpu;
};

static void stats(const char *what, double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	size_t p99 = (size_t)ceil(0.99 * (double)n) - 1;
	printf("  %s mean %6.2f p50 %6.2f p95 %6.2f p99 %6.2f max %6.2f",
	       what, sum / (double)n, v[n / 2], v[(size_t)(0.95 * (double)n)],
	       v[p99], v[n - 1]);
}

static void report(struct kind *k)
{
	printf("%-30s n=%4zu hits %4.1f\n", k->name, k->n,
	       (double)k->results / (double)k->n);
	stats("wall ms", k->ms, k->n);
	printf("\n");
	if (k->cpu) {
		stats("cpu  ms", k->cpu, k->n);
		printf("\n");
	}
	if (k->slowest[0])
		printf("  slowest: \"%s\" %.2f ms CPU\n", k->slowest,
		       k->slowest_cpu);
}

int main(int argc, char **argv)
{
	long total = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
	const char *path = argc > 2 ? argv[2] : "/tmp/tidings_store_bench.db";
	if (total <= 0)
		return 2;
	/* A third argument "search" reuses the database of an earlier run. */
	int search_only = argc > 3 && strcmp(argv[3], "search") == 0;
	char side[512];
	if (!search_only) {
		unlink(path);
		snprintf(side, sizeof side, "%s-wal", path);
		unlink(side);
		snprintf(side, sizeof side, "%s-shm", path);
		unlink(side);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	machine();
	make_vocab();
	struct store *s;
	struct td_error err = { 0 };
	if (store_open(path, 0, &s, &err)) {
		fprintf(stderr, "open: %s\n", err.msg);
		return 1;
	}
	if (search_only) {
		/* Same vocabulary (seeded); skip to the searches. */
		goto search;
	}
	int64_t src[NSOURCES];
	for (int i = 0; i < NSOURCES; i++) {
		struct store_source so = { 0 };
		char url[64], title[32];
		snprintf(url, sizeof url, "http://source%d.test/feed", i);
		snprintf(title, sizeof title, "Source %d", i);
		so.url = url;
		so.title = title;
		if (store_source_add(s, &so, &src[i]))
			return 1;
	}

	static char title[512], text[8192], html[16384];
	char *tags[2];
	char guid[64], url[128];
	const int64_t t0 = 1640995200; /* 2022-01-01 */
	const int64_t span = 2 * 365 * 86400;
	double gen = 0, ins = 0, ins_cpu = 0, t, c;
	size_t bytes = 0;
	for (long i = 0; i < total; i += BATCH) {
		if (store_begin(s))
			return 1;
		int64_t sid = src[(i / BATCH) % NSOURCES];
		for (long k = i; k < i + BATCH && k < total; k++) {
			t = now_s();
			struct store_article a = { 0 };
			a.source_id = sid;
			snprintf(guid, sizeof guid, "urn:bench:%ld", k);
			snprintf(url, sizeof url, "http://source.test/a/%ld", k);
			words(title, sizeof title, 6 + (int)(rnd() % 7), 0);
			int nw = 120 + (int)(rnd() % 241);
			uint64_t save = rng;
			words(text, sizeof text, nw, 0);
			rng = save; /* the same words, as paragraphs */
			words(html, sizeof html, nw, 1);
			tags[0] = vocab[rnd() % 200];
			tags[1] = vocab[200 + rnd() % 2000];
			a.guid = guid;
			a.url = url;
			a.canonical_url = url;
			a.title = title;
			a.author = vocab[NCOMMON + rnd() % 500];
			a.content_orig = html;
			a.content_html = html;
			a.content_text = text;
			a.summary = NULL;
			a.published = t0 + span * k / total +
				      (int64_t)(rnd() % 7200) - 3600;
			a.updated = TD_TIME_NONE;
			a.first_seen = a.published + 600;
			a.content_hash = rnd();
			a.tags = tags;
			a.n_tags = 2;
			bytes += strlen(text) + 2 * strlen(html) + strlen(title);
			double t1 = now_s();
			gen += t1 - t;
			c = cpu_s();
			int64_t id;
			int rc = store_article_insert(s, &a, &id);
			if (rc) {
				fprintf(stderr, "insert: %s\n",
					store_errmsg(s));
				return 1;
			}
			ins += now_s() - t1;
			ins_cpu += cpu_s() - c;
		}
		t = now_s();
		c = cpu_s();
		if (store_commit(s))
			return 1;
		ins += now_s() - t;
		ins_cpu += cpu_s() - c;
		if ((i + BATCH) % 20000 == 0)
			printf("  %7ld articles: %.0f articles/s so far\n",
			       i + BATCH, (double)(i + BATCH) / ins);
	}
	printf("input: %ld articles, %.0f MB of text and HTML, %d sources, "
	       "transactions of %d\n",
	       total, (double)bytes / 1e6, NSOURCES, BATCH);
	printf("insert: %.1f s wall, %.0f articles/s; %.1f s CPU, %.0f "
	       "articles/CPU-s (generation %.1f s excluded)\n",
	       ins, (double)total / ins, ins_cpu, (double)total / ins_cpu, gen);

search:;
	/* Searches. */
	enum { NQ = 400 };
	struct kind kinds[] = {
		{ .name = "common word (rank 50-200)" },
		{ .name = "mid word (rank 500-5000)" },
		{ .name = "two words" },
		{ .name = "two words + 3-char prefix" },
		{ .name = "4-char prefix" },
		{ .name = "rare word / no match" },
	};
	size_t nk = sizeof kinds / sizeof kinds[0];
	double *all = calloc(NQ * nk, sizeof *all);
	double *allc = calloc(NQ * nk, sizeof *allc);
	size_t nall = 0;
	for (size_t k = 0; k < nk; k++) {
		kinds[k].ms = calloc(NQ, sizeof(double));
		kinds[k].cpu = calloc(NQ, sizeof(double));
		for (int q = 0; q < NQ; q++) {
			char query[256];
			switch (k) {
			case 0:
				snprintf(query, sizeof query, "%s",
					 vocab[50 + rnd() % 150]);
				break;
			case 1:
				snprintf(query, sizeof query, "%s",
					 vocab[500 + rnd() % 4500]);
				break;
			case 2:
				snprintf(query, sizeof query, "%s %s",
					 vocab[100 + rnd() % 1000],
					 vocab[100 + rnd() % 1000]);
				break;
			case 3: {
				const char *w = vocab[300 + rnd() % 3000];
				snprintf(query, sizeof query, "%s %s %.3s",
					 vocab[60 + rnd() % 500],
					 vocab[60 + rnd() % 500], w);
				break;
			}
			case 4:
				snprintf(query, sizeof query, "%.4s",
					 vocab[NCOMMON + rnd() % 3000]);
				break;
			default:
				snprintf(query, sizeof query, "%s%s",
					 vocab[10000 + rnd() % 20000],
					 q % 2 ? "zq" : "");
			}
			struct store_article *v;
			size_t n;
			t = now_s();
			c = cpu_s();
			if (store_search(s, query, 20, &v, &n)) {
				fprintf(stderr, "search: %s\n",
					store_errmsg(s));
				return 1;
			}
			double ms = (now_s() - t) * 1000;
			double cms = (cpu_s() - c) * 1000;
			store_articles_free(v, n);
			if (cms > kinds[k].slowest_cpu) {
				kinds[k].slowest_cpu = cms;
				snprintf(kinds[k].slowest,
					 sizeof kinds[k].slowest, "%s", query);
			}
			kinds[k].cpu[kinds[k].n] = cms;
			kinds[k].ms[kinds[k].n++] = ms;
			kinds[k].results += n;
			allc[nall] = cms;
			all[nall++] = ms;
		}
	}
	printf("search latency (limit 20, %d queries per kind):\n", NQ);
	for (size_t k = 0; k < nk; k++)
		report(&kinds[k]);
	struct kind every = { .name = "all", .ms = all, .cpu = allc,
			      .n = nall };
	report(&every);

	/* Front page and a deep page. */
	double lat[200];
	int64_t cp = 0, cid = 0;
	for (int i = 0; i < 200; i++) {
		struct store_article *v;
		size_t n;
		t = now_s();
		store_latest(s, 0, cp, cid, 30, &v, &n);
		lat[i] = (now_s() - t) * 1000;
		if (n) {
			cp = v[n - 1].published;
			cid = v[n - 1].id;
		}
		store_articles_free(v, n);
	}
	struct kind lk = { .name = "latest, 30 a page, 200 pages", .ms = lat,
			   .n = 200 };
	report(&lk);
	t = now_s();
	store_close(s);
	printf("close (checkpoint): %.2f s\n", now_s() - t);
	for (size_t k = 0; k < nk; k++) {
		free(kinds[k].ms);
		free(kinds[k].cpu);
	}
	free(all);
	free(allc);
	for (size_t i = 0; i < VOCAB; i++)
		free(vocab[i]);
	return 0;
}
