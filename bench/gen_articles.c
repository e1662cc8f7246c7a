/*
 * gen_articles.c - a database of generated articles for the web benches.
 *
 *   gen_articles N DB_PATH [WORDS_PATH]
 *
 * N articles (e.g. 100,000) over 40 sources with newspaper-like names and
 * one or two section tags each (the sources are disabled, so `tidings
 * serve` never fetches them), published about every 5 minutes up to now,
 * in transactions of 500. Reproducible: a fixed seed, no clock but the
 * current time for the dates.
 *
 * Sizes follow a news site: a 6-14 word title; a body of 2-16 paragraphs
 * (most 4-8: 0.5-10 KB of text, 2.8 KB on average); the
 * source's HTML kept beside the sanitized body as the ingest does
 * (content_orig, wrapped in the markup a CMS adds); a 200-byte summary;
 * an author out of 60; a lead image on 60% of the articles; 1-3 tags (the
 * source's section and topic tags, 30 in all).
 *
 * Words: the 95 function and news words of a small fixed list, then 6,000
 * made-up words built from syllables, drawn with a Zipf law (the word of
 * rank r with weight 1/(r+1)), so the index has what real text has: a few
 * words in nearly every article and a long tail of rare ones. WORDS_PATH,
 * when given, receives the vocabulary one word a line, in rank order
 * (most common first): the search bench draws its queries from it.
 */
#include "core/err.h"
#include "core/time.h"
#include "store/store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const common[] = {
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
#define NCOMMON (sizeof common / sizeof common[0])
#define NMADE 6000
#define NWORDS (NCOMMON + NMADE)

static const char *const onsets[] = {
	"b", "br", "c", "ch", "d", "dr", "f", "fl", "g", "gr", "h", "j", "k",
	"l", "m", "n", "p", "pl", "qu", "r", "s", "sh", "st", "t", "tr", "v",
	"w", "z",
};
static const char *const vowels[] = { "a", "e", "i", "o", "u", "ai",
				      "ea", "ou", "y" };
static const char *const codas[] = { "", "n", "r", "l", "s", "t", "m",
				     "nd", "rk", "st" };

static const char *const adjectives[] = {
	"Harbor", "Northern", "Valley", "Capital", "Evening", "Morning",
	"Coastal", "Metro", "County", "Lakeside", "Western", "Eastern",
	"Central", "Island", "Riverside", "Highland", "Southern", "Daily",
	"Weekly", "Free",
};
static const char *const papers[] = {
	"Herald", "Gazette", "Tribune", "Courier", "Post", "Chronicle",
	"Observer", "Times", "Record", "Wire", "Ledger", "Dispatch",
};
static const char *const sections[] = {
	"politics", "business", "sport", "culture", "science", "world",
	"local", "health", "technology", "environment",
};
static const char *const topics[] = {
	"elections", "housing", "transport", "education", "weather",
	"crime", "courts", "energy", "agriculture", "football",
	"music", "film", "markets", "climate", "tourism", "space",
	"medicine", "labour", "budget", "festivals",
};
static const char *const first_names[] = {
	"Ana", "Ben", "Chloe", "David", "Elena", "Farid", "Grace", "Hugo",
	"Ines", "Jonas", "Keiko", "Liam", "Maria", "Nadia", "Oscar", "Priya",
	"Quentin", "Rosa", "Samir", "Tess",
};
static const char *const last_names[] = { "Okafor", "Lindqvist", "Moreau" };

#define NSOURCES 40

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

#define PICK(a) (a[rnd() % (sizeof a / sizeof a[0])])

static char made[NMADE][24];
static const char *vocab[NWORDS];
static double cdf[NWORDS];

static void make_vocabulary(void)
{
	for (size_t i = 0; i < NCOMMON; i++)
		vocab[i] = common[i];
	for (size_t i = 0; i < NMADE; i++) {
		for (;;) {
			int syl = 2 + (int)(rnd() % 3);
			size_t len = 0;
			made[i][0] = '\0';
			for (int k = 0; k < syl; k++)
				len += (size_t)snprintf(
					made[i] + len, sizeof made[i] - len,
					"%s%s%s", PICK(onsets), PICK(vowels),
					k == syl - 1 ? PICK(codas) : "");
			/* unique, and not one of the common words */
			int dup = 0;
			for (size_t j = 0; j < NCOMMON + i && !dup; j++)
				dup = !strcmp(j < NCOMMON ? common[j]
							  : made[j - NCOMMON],
					      made[i]);
			if (!dup)
				break;
		}
		vocab[NCOMMON + i] = made[i];
	}
	double sum = 0;
	for (size_t r = 0; r < NWORDS; r++)
		cdf[r] = (sum += 1.0 / (double)(r + 1));
	for (size_t r = 0; r < NWORDS; r++)
		cdf[r] /= sum;
}

static const char *word(void)
{
	double u = (double)(rnd() >> 11) / 9007199254740992.0;
	size_t lo = 0, hi = NWORDS - 1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return vocab[lo];
}

static void sentence(char *out, size_t cap, size_t *len, int nwords)
{
	for (int i = 0; i < nwords && *len + 32 < cap; i++) {
		int n = snprintf(out + *len, cap - *len, "%s%s", i ? " " : "",
				 word());
		*len += (size_t)n;
		if (i == 0)
			out[*len - (size_t)n] &= (char)~0x20; /* capital */
	}
	if (*len + 2 < cap) {
		out[(*len)++] = '.';
		out[*len] = '\0';
	}
}

/* Paragraph count: mostly 4-8, sometimes a brief, sometimes a long read. */
static int paragraphs(void)
{
	uint64_t r = rnd() % 100;
	if (r < 10)
		return 2 + (int)(rnd() % 2);
	if (r < 90)
		return 4 + (int)(rnd() % 5);
	return 9 + (int)(rnd() % 8);
}

static int fail(struct store *s, const char *what)
{
	fprintf(stderr, "gen_articles: %s: %s\n", what, store_errmsg(s));
	store_close(s);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: gen_articles N DB_PATH [WORDS_PATH]\n");
		return 2;
	}
	char *end;
	long n = strtol(argv[1], &end, 10);
	if (n <= 0 || *end) {
		fprintf(stderr, "gen_articles: bad N\n");
		return 2;
	}
	make_vocabulary();
	if (argc == 4) {
		FILE *f = fopen(argv[3], "w");
		if (!f) {
			perror(argv[3]);
			return 1;
		}
		for (size_t r = 0; r < NWORDS; r++)
			fprintf(f, "%s\n", vocab[r]);
		if (fclose(f)) {
			perror(argv[3]);
			return 1;
		}
	}
	struct store *s = NULL;
	struct td_error err = { 0 };
	if (store_open(argv[2], 0, &s, &err)) {
		fprintf(stderr, "gen_articles: %s\n", err.msg);
		return 1;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int64_t src[NSOURCES];
	const char *src_section[NSOURCES];
	for (int i = 0; i < NSOURCES; i++) {
		char url[64], site[64], title[64], tags[64];
		const char *adj = adjectives[i % 20];
		const char *paper = papers[(i * 7 + i / 20) % 12];
		src_section[i] = sections[i % 10];
		snprintf(url, sizeof url, "http://bench-%d.invalid/feed.xml", i);
		snprintf(site, sizeof site, "http://bench-%d.invalid/", i);
		snprintf(title, sizeof title, "The %s %s", adj, paper);
		if (i % 3)
			snprintf(tags, sizeof tags, "%s", src_section[i]);
		else
			snprintf(tags, sizeof tags, "%s,%s", src_section[i],
				 sections[(i + 3) % 10]);
		struct store_source so = { 0 };
		so.url = url;
		so.site_url = site;
		so.title = title;
		so.tags = tags;
		so.mode = STORE_MODE_FEED;
		so.disabled = 1;
		so.created = td_now();
		so.last_fetch = TD_TIME_NONE;
		so.last_new_item = TD_TIME_NONE;
		if (store_source_add(s, &so, &src[i]) && !src[i])
			return fail(s, "source");
	}
	int64_t now = td_now();
	static char title[256], text[20000], html[24000], orig[26000],
		summary[512];
	for (long i = 0; i < n; i++) {
		if (i % 500 == 0 && store_begin(s))
			return fail(s, "begin");
		size_t tl = 0, xl = 0, hl = 0;
		title[0] = text[0] = html[0] = summary[0] = '\0';
		sentence(title, sizeof title, &tl, 6 + (int)(rnd() % 9));
		title[--tl] = '\0'; /* no final period */
		int paras = paragraphs();
		for (int p = 0; p < paras; p++) {
			size_t start = xl;
			int sents = 3 + (int)(rnd() % 3);
			for (int k = 0; k < sents; k++) {
				if (xl && xl + 1 < sizeof text)
					text[xl++] = ' ';
				sentence(text, sizeof text, &xl,
					 8 + (int)(rnd() % 14));
			}
			int w = snprintf(html + hl, sizeof html - hl,
					 "<p>%.*s</p>\n", (int)(xl - start),
					 text + start);
			hl = w < 0 || (size_t)w >= sizeof html - hl
				     ? sizeof html - 1
				     : hl + (size_t)w;
		}
		snprintf(orig, sizeof orig,
			 "<div class=\"entry-content\" data-id=\"%ld\">\n%s"
			 "<div class=\"share\"><a href=\"/share?id=%ld\">"
			 "Share</a></div>\n</div>",
			 i, html, i);
		snprintf(summary, sizeof summary, "%.200s", text);
		int si = (int)(i % NSOURCES);
		char guid[32], url[96], image[96], author[48];
		snprintf(guid, sizeof guid, "bench-%ld", i);
		snprintf(url, sizeof url, "https://bench-%d.invalid/news/%ld.html",
			 si, i);
		snprintf(image, sizeof image,
			 "https://img.bench-%d.invalid/%ld/lead.jpg", si, i);
		snprintf(author, sizeof author, "%s %s", PICK(first_names),
			 PICK(last_names));
		char *tagv[3];
		size_t ntags = 0;
		tagv[ntags++] = (char *)src_section[si];
		int extra = (int)(rnd() % 3);
		for (int k = 0; k < extra; k++) {
			const char *t = PICK(topics);
			if (ntags == 2 && !strcmp(tagv[1], t))
				continue;
			tagv[ntags++] = (char *)t;
		}
		struct store_article a = { 0 };
		a.source_id = src[si];
		a.guid = guid;
		a.url = url;
		a.canonical_url = url;
		a.title = title;
		a.author = author;
		a.summary = summary;
		a.content_orig = orig;
		a.content_html = html;
		a.content_text = text;
		a.image = rnd() % 10 < 6 ? image : NULL;
		a.language = (char *)"en";
		/* every 5 minutes, give or take two */
		a.published = now - (n - i) * 300 + (int64_t)(rnd() % 240) - 120;
		if (a.published > now)
			a.published = now;
		a.updated = TD_TIME_NONE;
		a.first_seen = a.published;
		a.content_hash = rnd();
		a.tags = tagv;
		a.n_tags = ntags;
		int64_t id;
		if (store_article_insert(s, &a, &id))
			return fail(s, "insert");
		if ((i % 500 == 499 || i == n - 1) && store_commit(s))
			return fail(s, "commit");
	}
	store_close(s);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("generated %ld articles in %.1f s\n", n,
	       (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
