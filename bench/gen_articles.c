/*
 * gen_articles.c - a database of generated articles for the web bench.
 *
 *   gen_articles N DB_PATH
 *
 * N articles (e.g. 100,000) over 50 sources (disabled, so `tidings serve`
 * never fetches them), published one every 5 minutes up to now, in
 * transactions of 500. Each has a 6-12 word title, an author, a summary,
 * and a body of 6-9 paragraphs (about 4 KB of HTML; the text indexed for
 * search); content_orig is left empty to keep the file small. Words come
 * from a fixed list, so runs are reproducible. Prints the time it took.
 */
#include "core/err.h"
#include "core/time.h"
#include "store/store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const words[] = {
	"the", "of", "and", "to", "in", "a", "council", "harbor", "river",
	"city", "police", "market", "election", "court", "report", "week",
	"company", "state", "health", "school", "water", "energy", "climate",
	"price", "bank", "football", "season", "team", "festival", "storm",
	"flood", "fire", "road", "train", "airport", "hospital", "budget",
	"tax", "law", "vote", "party", "leader", "mayor", "union", "strike",
	"workers", "farmers", "students", "teachers", "village", "bridge",
	"museum", "library", "park", "summit", "talks", "deal", "trade",
	"inflation", "rates", "investigation", "trial", "judge", "residents",
	"officials", "announced", "confirmed", "expected", "according",
	"despite", "following", "during", "against", "between", "record",
	"million", "percent", "morning", "evening", "local", "national",
	"regional", "public", "private", "statement", "spokesperson", "new",
	"said", "year", "first", "after", "about", "two", "will", "would",
};
#define NWORDS (sizeof words / sizeof words[0])

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void sentence(char *out, size_t cap, size_t *len, int nwords)
{
	for (int i = 0; i < nwords && *len + 32 < cap; i++) {
		const char *w = words[rnd() % NWORDS];
		int n = snprintf(out + *len, cap - *len, "%s%s", i ? " " : "",
				 w);
		*len += (size_t)n;
		if (i == 0)
			out[*len - (size_t)n] &= (char)~0x20; /* capital */
	}
	if (*len + 2 < cap) {
		out[(*len)++] = '.';
		out[*len] = '\0';
	}
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: gen_articles N DB_PATH\n");
		return 2;
	}
	long n = strtol(argv[1], NULL, 10);
	if (n <= 0) {
		fprintf(stderr, "gen_articles: bad N\n");
		return 2;
	}
	struct store *s = NULL;
	struct td_error err = { 0 };
	if (store_open(argv[2], 0, &s, &err)) {
		fprintf(stderr, "gen_articles: %s\n", err.msg);
		return 1;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int64_t src[50];
	for (int i = 0; i < 50; i++) {
		char url[64], title[64];
		snprintf(url, sizeof url, "http://bench-%d.invalid/feed.xml", i);
		snprintf(title, sizeof title, "Bench Source %d", i);
		struct store_source so = { 0 };
		so.url = url;
		so.title = title;
		so.disabled = 1;
		so.created = td_now();
		so.last_fetch = TD_TIME_NONE;
		so.last_new_item = TD_TIME_NONE;
		if (store_source_add(s, &so, &src[i]) && !src[i]) {
			fprintf(stderr, "gen_articles: %s\n", store_errmsg(s));
			return 1;
		}
	}
	int64_t now = td_now();
	static char title[256], text[8192], html[10240], summary[512];
	for (long i = 0; i < n; i++) {
		if (i % 500 == 0 && store_begin(s)) {
			fprintf(stderr, "gen_articles: %s\n", store_errmsg(s));
			return 1;
		}
		size_t tl = 0, xl = 0, hl = 0, sl = 0;
		title[0] = text[0] = html[0] = summary[0] = '\0';
		sentence(title, sizeof title, &tl, 6 + (int)(rnd() % 7));
		title[--tl] = '\0'; /* no final period */
		int paras = 6 + (int)(rnd() % 4);
		for (int p = 0; p < paras; p++) {
			size_t start = xl;
			int sents = 3 + (int)(rnd() % 3);
			for (int k = 0; k < sents; k++) {
				if (xl && xl + 1 < sizeof text)
					text[xl++] = ' ';
				sentence(text, sizeof text, &xl,
					 8 + (int)(rnd() % 10));
			}
			hl += (size_t)snprintf(html + hl, sizeof html - hl,
					       "<p>%.*s</p>\n",
					       (int)(xl - start), text + start);
			if (hl >= sizeof html)
				hl = sizeof html - 1;
		}
		snprintf(summary, sizeof summary, "%.200s", text);
		sl = strlen(summary);
		(void)sl;
		char guid[32], url[96];
		snprintf(guid, sizeof guid, "bench-%ld", i);
		snprintf(url, sizeof url,
			 "https://bench-%ld.invalid/news/%ld.html", i % 50, i);
		struct store_article a = { 0 };
		a.source_id = src[i % 50];
		a.guid = guid;
		a.url = url;
		a.title = title;
		a.author = (char *)"Staff Reporter";
		a.summary = summary;
		a.content_html = html;
		a.content_text = text;
		a.published = now - (n - i) * 300;
		a.updated = TD_TIME_NONE;
		a.first_seen = a.published;
		int64_t id;
		if (store_article_insert(s, &a, &id)) {
			fprintf(stderr, "gen_articles: %s\n", store_errmsg(s));
			return 1;
		}
		if ((i % 500 == 499 || i == n - 1) && store_commit(s)) {
			fprintf(stderr, "gen_articles: %s\n", store_errmsg(s));
			return 1;
		}
	}
	store_close(s);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("generated %ld articles in %.1f s\n", n,
	       (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
