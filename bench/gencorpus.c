/*
 * gencorpus.c - deterministic generator of realistic news feeds for the
 * parse benchmark (bench/parse.sh builds it with cc; not part of tidings).
 *
 *   gencorpus corpus DIR [TOTAL_MB]   feeds into DIR until TOTAL_MB (10^6
 *                                     bytes, default 110) are written, plus
 *                                     DIR/MANIFEST: "name bytes items format"
 *   gencorpus exact FILE BYTES        one RSS 2.0 feed of exactly BYTES
 *
 * The corpus mixes RSS 2.0 (content:encoded in CDATA, or escaped HTML in
 * description), Atom 1.0 (escaped html, CDATA html, or xhtml content) and
 * RSS 1.0/RDF, in proportions close to what a crawl of news sites returns.
 * File sizes follow a log-normal law (median about 18 KB) clamped to
 * 5 KB..5 MB, with one file in 200 drawn from 0.5..5 MB so the corpus has
 * the fat full-content and podcast feeds real crawls have. Items carry
 * HTML bodies with headings, lists, quotes, links, images, named and numeric
 * character references, CDATA, several namespaces and non-ASCII text.
 *
 * Output depends only on the fixed seed and the arguments: the same
 * arguments always produce byte-identical files.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define SEED 0x7469646e67733031ull /* "tidngs01" */
#define MIN_FILE (5 * 1000)
#define MAX_FILE (5 * 1000 * 1000)

/* ---- deterministic random numbers (splitmix64) ---------------------- */

static uint64_t rng_state = SEED;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static unsigned below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

/* Uniform in [lo, hi]. */
static unsigned between(unsigned lo, unsigned hi)
{
	return lo + below(hi - lo + 1);
}

static double unit(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static double normal(void)
{
	double u = unit(), v = unit();
	if (u < 1e-12)
		u = 1e-12;
	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

/* ---- output buffer ---------------------------------------------------- */

struct out {
	char *p;
	size_t len, cap;
};

static void grow(struct out *o, size_t need)
{
	if (o->len + need + 1 <= o->cap)
		return;
	size_t cap = o->cap ? o->cap : 65536;
	while (o->len + need + 1 > cap)
		cap *= 2;
	char *p = realloc(o->p, cap);
	if (!p) {
		fprintf(stderr, "gencorpus: out of memory\n");
		exit(1);
	}
	o->p = p;
	o->cap = cap;
}

static void put(struct out *o, const char *s, size_t n)
{
	grow(o, n);
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = 0;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3))) pf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	grow(o, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(o->p + o->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	o->len += (size_t)n;
}

/* Append s escaped for XML character data (&, <, >). */
static void put_esc(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': puts_(o, "&amp;"); break;
		case '<': puts_(o, "&lt;"); break;
		case '>': puts_(o, "&gt;"); break;
		default: put(o, s + i, 1);
		}
	}
}

/* ---- vocabulary --------------------------------------------------------- */

static const char *const words[] = {
	"the", "the", "the", "of", "of", "and", "and", "to", "to", "a", "a",
	"in", "in", "for", "on", "that", "is", "was", "with", "said", "said",
	"by", "at", "from", "as", "it", "be", "has", "have", "are", "an",
	"will", "after", "its", "their", "more", "than", "about", "year",
	"years", "new", "city", "council", "people", "government", "week",
	"market", "company", "report", "police", "school", "water", "power",
	"bridge", "harbor", "river", "storm", "budget", "vote", "election",
	"minister", "officials", "residents", "plan", "million", "billion",
	"percent", "since", "last", "first", "two", "three", "four", "dozen",
	"would", "could", "which", "while", "during", "before", "under",
	"between", "against", "because", "although", "local", "national",
	"regional", "international", "public", "private", "economy", "energy",
	"climate", "transport", "health", "hospital", "court", "judge", "law",
	"team", "match", "season", "coach", "players", "final", "league",
	"research", "university", "study", "scientists", "data", "software",
	"startup", "investors", "shares", "prices", "inflation", "housing",
	"rent", "tenants", "workers", "union", "strike", "agreement", "talks",
	"summit", "border", "trade", "tariffs", "exports", "farmers", "harvest",
	"flood", "wind", "rain", "forecast", "outage", "repairs", "crews",
	"community", "library", "museum", "festival", "concert", "theatre",
	"announced", "approved", "rejected", "expected", "reported", "warned",
	"according", "spokesperson", "statement", "interview", "director",
	"mayor", "president", "chief", "executive", "analysts", "critics",
	"supporters", "opponents", "review", "proposal", "funding", "grant",
	"café", "naïve", "façade", "résumé", "Zürich", "São", "Paulo", "Kraków",
	"Malmö", "Ærøskøbing", "über", "Ελλάδα", "Москва", "東京", "서울",
	"“quoted”", "‘single’", "—", "–", "…", "€40", "£12", "¥300", "½",
};
#define NWORDS (sizeof words / sizeof words[0])

static const char *const names[] = {
	"Ana Beltran", "Ben Okafor", "Chloé Martin", "Dmitri Sokolov",
	"Elena Brandt", "Farah Haddad", "Gus Halvorsen", "Hana Delacroix",
	"Ines Barros", "Jonas Weiß", "Keiko Varga", "Luis Arrieta",
	"Mireille Achterberg", "Nadia Fairweather", "Owen Castellano",
	"Priya Shah", "Quentin Roux", "Ruth Adeyemi", "Søren Lund",
	"Tomás Ekwueme", "Uma Raman", "Victor Nguyễn", "Wen Li", "Yara Costa",
};
#define NNAMES (sizeof names / sizeof names[0])

static const char *const cats[] = {
	"Politics", "Business", "Technology", "Sports", "Weather", "World",
	"Local", "Science", "Culture", "Health", "Opinion", "Transport",
	"Energy", "Housing", "Education", "Climate", "Food & Drink",
	"Arts <Reviews>", "Économie", "Société",
};
#define NCATS (sizeof cats / sizeof cats[0])

static const char *const entities[] = {
	"&amp;", "&lt;", "&gt;", "&quot;", "&#8217;", "&#8220;", "&#8221;",
	"&#x2014;", "&#233;", "&nbsp;", "&eacute;", "&mdash;", "&hellip;",
	"&copy;", "&#169;",
};
#define NENT (sizeof entities / sizeof entities[0])

static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* ---- text ------------------------------------------------------------- */

/* n words of plain text (may contain non-ASCII and '&'/'<' in category
 * names only: words are XML-safe except for the quotes above). */
static void text_words(struct out *o, unsigned n, int capital)
{
	for (unsigned i = 0; i < n; i++) {
		const char *w = words[below(NWORDS)];
		if (i)
			puts_(o, " ");
		if (i == 0 && capital && w[0] >= 'a' && w[0] <= 'z') {
			char c = (char)(w[0] - 'a' + 'A');
			put(o, &c, 1);
			puts_(o, w + 1);
		} else {
			puts_(o, w);
		}
	}
}

/* A paragraph of HTML with occasional inline markup and references. */
static void html_para(struct out *o, unsigned nwords)
{
	puts_(o, "<p>");
	for (unsigned i = 0; i < nwords; i++) {
		if (i)
			puts_(o, " ");
		unsigned r = below(100);
		if (r < 3) {
			pf(o, "<a href=\"https://news%u.example/%u/%u\">", below(500), below(3000), below(100000));
			text_words(o, between(1, 4), 0);
			puts_(o, "</a>");
		} else if (r < 5) {
			puts_(o, "<em>");
			text_words(o, between(1, 3), 0);
			puts_(o, "</em>");
		} else if (r < 6) {
			puts_(o, "<strong>");
			text_words(o, between(1, 3), 0);
			puts_(o, "</strong>");
		} else if (r < 9) {
			puts_(o, entities[below(NENT)]);
		} else {
			text_words(o, 1, i == 0);
		}
	}
	puts_(o, ".</p>\n");
}

/* An article body of roughly target bytes of HTML. */
static void html_body(struct out *o, size_t target)
{
	size_t start = o->len;
	int first = 1;
	while (o->len - start < target) {
		unsigned r = below(100);
		if (first || r < 70) {
			html_para(o, between(25, 90));
		} else if (r < 78) {
			puts_(o, "<h2>");
			text_words(o, between(3, 8), 1);
			puts_(o, "</h2>\n");
		} else if (r < 85) {
			int ordered = (int)below(2);
			puts_(o, ordered ? "<ol>\n" : "<ul>\n");
			for (unsigned k = between(2, 6); k; k--) {
				puts_(o, "<li>");
				text_words(o, between(4, 16), 1);
				puts_(o, "</li>\n");
			}
			puts_(o, ordered ? "</ol>\n" : "</ul>\n");
		} else if (r < 91) {
			puts_(o, "<blockquote><p>&ldquo;");
			text_words(o, between(10, 40), 1);
			puts_(o, "&rdquo;</p></blockquote>\n");
		} else if (r < 97) {
			pf(o, "<figure><img src=\"https://cdn%u.example/img/%08x.jpg\" alt=\"", below(50), (unsigned)rnd());
			text_words(o, between(3, 8), 1);
			pf(o, "\" width=\"%u\" height=\"%u\"><figcaption>", between(600, 1600), between(400, 1000));
			text_words(o, between(6, 18), 1);
			puts_(o, "</figcaption></figure>\n");
		} else {
			puts_(o, "<table><tr><th>Item</th><th>Value</th></tr>");
			for (unsigned k = between(2, 5); k; k--)
				pf(o, "<tr><td>%s</td><td>%u</td></tr>", words[below(NWORDS)], below(100000));
			puts_(o, "</table>\n");
		}
		first = 0;
	}
}

/* ---- dates ------------------------------------------------------------ */

/* Seconds since the epoch for an item: spread over 2026. */
static int64_t item_time(void)
{
	return 1767225600 + (int64_t)below(330u * 86400u);
}

static void date_rfc822(struct out *o, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	static const char *const zones[] = { "+0000", "GMT", "-0500", "+0100", "-0800", "EST", "PDT", "+0530" };
	pf(o, "%s, %02d %s %04d %02d:%02d:%02d %s", days[tm.tm_wday], tm.tm_mday,
	   months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
	   zones[below(8)]);
}

static void date_rfc3339(struct out *o, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	static const char *const zones[] = { "Z", "+00:00", "-05:00", "+01:00", "+09:00" };
	pf(o, "%04d-%02d-%02dT%02d:%02d:%02d%s", tm.tm_year + 1900, tm.tm_mon + 1,
	   tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, zones[below(5)]);
}

/* ---- feed formats ------------------------------------------------------ */

enum fmt { F_RSS2, F_ATOM, F_RDF };
static const char *const fmt_name[] = { "rss2", "atom", "rdf" };

struct feedinfo {
	unsigned site;
	unsigned style; /* per-format variant */
};

static void rss2_head(struct out *o, const struct feedinfo *f)
{
	puts_(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		 "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"\n"
		 "  xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:atom=\"http://www.w3.org/2005/Atom\"\n"
		 "  xmlns:media=\"http://search.yahoo.com/mrss/\" xmlns:slash=\"http://purl.org/rss/1.0/modules/slash/\"\n"
		 "  xmlns:wfw=\"http://wellformedweb.org/CommentAPI/\" xmlns:x-unknown=\"urn:example:unknown\">\n"
		 "<channel>\n");
	pf(o, "<title>News site %u &amp; friends</title>\n<link>https://news%u.example/</link>\n", f->site, f->site);
	pf(o, "<atom:link href=\"https://news%u.example/feed/\" rel=\"self\" type=\"application/rss+xml\"/>\n", f->site);
	puts_(o, "<description>");
	text_words(o, between(6, 20), 1);
	puts_(o, "</description>\n<language>en-us</language>\n<generator>gencorpus</generator>\n");
	puts_(o, "<lastBuildDate>");
	date_rfc822(o, item_time());
	puts_(o, "</lastBuildDate>\n<x-unknown:flag enabled=\"yes\">ignored</x-unknown:flag>\n");
}

static void rss2_item(struct out *o, const struct feedinfo *f, unsigned n, size_t body)
{
	int64_t t = item_time();
	puts_(o, "<item>\n<title>");
	struct out tmp = { 0 };
	text_words(&tmp, between(5, 14), 1);
	put_esc(o, tmp.p, tmp.len);
	free(tmp.p);
	pf(o, "</title>\n<link>https://news%u.example/%u/%u/story-%u.html?utm_source=rss</link>\n",
	   f->site, 2026, between(1, 12), n);
	if (below(4))
		pf(o, "<guid isPermaLink=\"false\">news%u-%u-%llx</guid>\n", f->site, n, (unsigned long long)(rnd() & 0xffffff));
	else
		pf(o, "<guid>https://news%u.example/p/%u</guid>\n", f->site, n);
	puts_(o, "<pubDate>");
	date_rfc822(o, t);
	pf(o, "</pubDate>\n<dc:creator><![CDATA[%s]]></dc:creator>\n", names[below(NNAMES)]);
	for (unsigned k = between(0, 4); k; k--) {
		puts_(o, "<category>");
		const char *c = cats[below(NCATS)];
		put_esc(o, c, strlen(c));
		puts_(o, "</category>\n");
	}
	if (f->style == 0) {
		/* summary + full content in CDATA */
		puts_(o, "<description><![CDATA[");
		text_words(o, between(20, 50), 1);
		puts_(o, "&hellip;]]></description>\n<content:encoded><![CDATA[");
		html_body(o, body);
		puts_(o, "]]></content:encoded>\n");
	} else {
		/* escaped HTML in description, the other common shape */
		struct out h = { 0 };
		html_body(&h, body);
		puts_(o, "<description>");
		put_esc(o, h.p, h.len);
		puts_(o, "</description>\n");
		free(h.p);
	}
	if (below(3) == 0)
		pf(o, "<media:content url=\"https://cdn%u.example/img/%u.jpg\" medium=\"image\" width=\"1200\" height=\"800\"><media:title>Photo</media:title></media:content>\n",
		   f->site % 50, n);
	if (below(8) == 0)
		pf(o, "<enclosure url=\"https://cdn%u.example/audio/%u.mp3\" length=\"%u\" type=\"audio/mpeg\"/>\n",
		   f->site % 50, n, between(1000000, 90000000));
	pf(o, "<slash:comments>%u</slash:comments>\n<wfw:commentRss>https://news%u.example/p/%u/comments/feed/</wfw:commentRss>\n</item>\n",
	   below(200), f->site, n);
}

static const char rss2_tail[] = "</channel>\n</rss>\n";

static void atom_head(struct out *o, const struct feedinfo *f)
{
	puts_(o, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		 "<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:media=\"http://search.yahoo.com/mrss/\"\n"
		 "      xmlns:thr=\"http://purl.org/syndication/thread/1.0\" xml:lang=\"en\"");
	pf(o, " xml:base=\"https://blog%u.example/\">\n", f->site);
	pf(o, "<title type=\"text\">Blog %u</title>\n<subtitle type=\"html\">", f->site);
	text_words(o, between(4, 12), 1);
	puts_(o, " &amp;amp; more</subtitle>\n");
	pf(o, "<id>tag:blog%u.example,2019:feed</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"/\"/>\n"
	      "<link rel=\"self\" href=\"/feed.atom\"/>\n<updated>",
	   f->site);
	date_rfc3339(o, item_time());
	puts_(o, "</updated>\n");
}

static void atom_item(struct out *o, const struct feedinfo *f, unsigned n, size_t body)
{
	int64_t t = item_time();
	puts_(o, "<entry>\n<title type=\"html\">");
	struct out tmp = { 0 };
	text_words(&tmp, between(5, 14), 1);
	put_esc(o, tmp.p, tmp.len);
	free(tmp.p);
	pf(o, "</title>\n<id>tag:blog%u.example,2026:post-%u</id>\n", f->site, n);
	pf(o, "<link rel=\"alternate\" type=\"text/html\" href=\"2026/%02u/post-%u/\"/>\n", between(1, 12), n);
	puts_(o, "<published>");
	date_rfc3339(o, t);
	puts_(o, "</published>\n<updated>");
	date_rfc3339(o, t + below(86400));
	pf(o, "</updated>\n<author><name>%s</name><uri>/authors/%u</uri></author>\n", names[below(NNAMES)], below(40));
	for (unsigned k = between(0, 3); k; k--) {
		puts_(o, "<category term=\"");
		const char *c = cats[below(NCATS)];
		put_esc(o, c, strlen(c));
		puts_(o, "\"/>\n");
	}
	puts_(o, "<summary type=\"text\">");
	text_words(o, between(15, 40), 1);
	puts_(o, "</summary>\n");
	unsigned style = (f->style + n) % 5;
	if (style < 3) {
		struct out h = { 0 };
		html_body(&h, body);
		puts_(o, "<content type=\"html\">");
		put_esc(o, h.p, h.len);
		puts_(o, "</content>\n");
		free(h.p);
	} else if (style == 3) {
		puts_(o, "<content type=\"html\"><![CDATA[");
		html_body(o, body);
		puts_(o, "]]></content>\n");
	} else {
		/* xhtml: named HTML entities are not XML, so use the body's
		 * numeric references only: generate, then replace. */
		struct out h = { 0 };
		html_body(&h, body);
		puts_(o, "<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">");
		for (size_t i = 0; i < h.len; i++) {
			if (h.p[i] == '&') {
				static const char *const xmlok[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&#" };
				int ok = 0;
				for (size_t k = 0; k < 5; k++)
					if (!strncmp(h.p + i, xmlok[k], strlen(xmlok[k])))
						ok = 1;
				if (!ok) {
					const char *semi = memchr(h.p + i, ';', h.len - i);
					puts_(o, "&#160;");
					i = semi ? (size_t)(semi - h.p) : i;
					continue;
				}
			}
			/* HTML void elements must be closed in XHTML. */
			if (!strncmp(h.p + i, "<img ", 5)) {
				const char *end = memchr(h.p + i, '>', h.len - i);
				if (end) {
					put(o, h.p + i, (size_t)(end - (h.p + i)));
					puts_(o, "/>");
					i = (size_t)(end - h.p);
					continue;
				}
			}
			put(o, h.p + i, 1);
		}
		puts_(o, "</div></content>\n");
		free(h.p);
	}
	if (below(4) == 0)
		pf(o, "<link rel=\"replies\" type=\"text/html\" href=\"2026/post-%u/#comments\" thr:count=\"%u\"/>\n", n, below(90));
	if (below(3) == 0)
		pf(o, "<media:thumbnail url=\"/img/%u-thumb.jpg\" width=\"320\" height=\"180\"/>\n", n);
	puts_(o, "</entry>\n");
}

static const char atom_tail[] = "</feed>\n";

static void rdf_head(struct out *o, const struct feedinfo *f, unsigned nitems, unsigned first)
{
	puts_(o, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		 "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"\n"
		 "  xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
		 "  xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"\n"
		 "  xmlns:sy=\"http://purl.org/rss/1.0/modules/syndication/\">\n");
	pf(o, "<channel rdf:about=\"https://wire%u.example/rss\">\n<title>Wire %u</title>\n"
	      "<link>https://wire%u.example/</link>\n<description>",
	   f->site, f->site, f->site);
	text_words(o, between(6, 16), 1);
	puts_(o, "</description>\n<dc:language>en</dc:language>\n<sy:updatePeriod>hourly</sy:updatePeriod>\n"
		 "<sy:updateFrequency>1</sy:updateFrequency>\n<items><rdf:Seq>\n");
	for (unsigned i = 0; i < nitems; i++)
		pf(o, "<rdf:li rdf:resource=\"https://wire%u.example/a/%u\"/>\n", f->site, first + i);
	puts_(o, "</rdf:Seq></items>\n</channel>\n");
}

static void rdf_item(struct out *o, const struct feedinfo *f, unsigned n, size_t body)
{
	pf(o, "<item rdf:about=\"https://wire%u.example/a/%u\">\n<title>", f->site, n);
	struct out tmp = { 0 };
	text_words(&tmp, between(5, 14), 1);
	put_esc(o, tmp.p, tmp.len);
	free(tmp.p);
	pf(o, "</title>\n<link>https://wire%u.example/a/%u</link>\n<description>", f->site, n);
	text_words(o, between(15, 40), 1);
	pf(o, "</description>\n<dc:creator>%s</dc:creator>\n<dc:date>", names[below(NNAMES)]);
	date_rfc3339(o, item_time());
	puts_(o, "</dc:date>\n<dc:subject>");
	const char *c = cats[below(NCATS)];
	put_esc(o, c, strlen(c));
	puts_(o, "</dc:subject>\n<content:encoded><![CDATA[");
	html_body(o, body);
	puts_(o, "]]></content:encoded>\n</item>\n");
}

static const char rdf_tail[] = "</rdf:RDF>\n";

/* Body size for one item: most items 1-6 KB, some long reads. */
static size_t body_size(void)
{
	unsigned r = below(100);
	if (r < 70)
		return between(800, 4000);
	if (r < 95)
		return between(4000, 12000);
	return between(12000, 40000);
}

/* Generate one feed of about target bytes (never less than the header +
 * one item). Returns the number of items. */
static unsigned gen_feed(struct out *o, enum fmt fmt, size_t target, unsigned site)
{
	struct feedinfo f = { .site = site, .style = below(4) ? 0 : 1 };
	unsigned n = 0;
	o->len = 0;
	if (fmt == F_RDF) {
		/* The item list comes first, so items are generated into a
		 * separate buffer and the header written once their number
		 * is known. */
		struct out items = { 0 };
		unsigned first = below(100000);
		while (items.len < target || n == 0) {
			size_t left = target > items.len ? target - items.len : 0;
			size_t b = body_size();
			if (b > left)
				b = left > 400 ? left : 400;
			rdf_item(&items, &f, first + n, b);
			n++;
		}
		rdf_head(o, &f, n, first);
		put(o, items.p, items.len);
		puts_(o, rdf_tail);
		free(items.p);
		return n;
	}
	if (fmt == F_RSS2)
		rss2_head(o, &f);
	else
		atom_head(o, &f);
	while (o->len < target || n == 0) {
		size_t left = target > o->len ? target - o->len : 0;
		size_t b = body_size();
		if (b > left)
			b = left > 400 ? left : 400;
		if (fmt == F_RSS2)
			rss2_item(o, &f, n, b);
		else
			atom_item(o, &f, n, b);
		n++;
	}
	puts_(o, fmt == F_RSS2 ? rss2_tail : atom_tail);
	return n;
}

static size_t draw_size(unsigned idx)
{
	if (idx % 200 == 199)
		return (size_t)exp(log(500000.0) + unit() * (log(5000000.0) - log(500000.0)));
	double s = exp(log(18000.0) + 1.2 * normal());
	if (s < MIN_FILE)
		s = MIN_FILE + unit() * 3000;
	if (s > MAX_FILE)
		s = MAX_FILE;
	return (size_t)s;
}

static int write_file(const char *path, const struct out *o)
{
	FILE *fp = fopen(path, "wb");
	if (!fp) {
		fprintf(stderr, "gencorpus: %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t w = fwrite(o->p, 1, o->len, fp);
	if (fclose(fp) != 0 || w != o->len) {
		fprintf(stderr, "gencorpus: %s: write failed\n", path);
		return -1;
	}
	return 0;
}

static int cmd_corpus(const char *dir, double total_mb)
{
	if (mkdir(dir, 0777) && errno != EEXIST) {
		fprintf(stderr, "gencorpus: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/MANIFEST.tmp", dir);
	FILE *man = fopen(path, "w");
	if (!man) {
		fprintf(stderr, "gencorpus: %s: %s\n", path, strerror(errno));
		return 1;
	}
	fprintf(man, "# gencorpus v1 seed %016llx total_mb %.0f\n", (unsigned long long)SEED, total_mb);
	struct out o = { 0 };
	double total = 0;
	unsigned long long items = 0;
	unsigned idx = 0;
	while (total < total_mb * 1e6) {
		unsigned r = below(100);
		enum fmt fmt = r < 55 ? F_RSS2 : r < 85 ? F_ATOM : F_RDF;
		size_t target = draw_size(idx);
		unsigned n = gen_feed(&o, fmt, target, idx);
		char name[64];
		snprintf(name, sizeof name, "%05u-%s.xml", idx, fmt_name[fmt]);
		snprintf(path, sizeof path, "%s/%s", dir, name);
		if (write_file(path, &o)) {
			fclose(man);
			return 1;
		}
		fprintf(man, "%s %zu %u %s\n", name, o.len, n, fmt_name[fmt]);
		total += (double)o.len;
		items += n;
		idx++;
	}
	free(o.p);
	if (fclose(man)) {
		fprintf(stderr, "gencorpus: MANIFEST write failed\n");
		return 1;
	}
	char final[4096];
	snprintf(path, sizeof path, "%s/MANIFEST.tmp", dir);
	snprintf(final, sizeof final, "%s/MANIFEST", dir);
	if (rename(path, final)) {
		fprintf(stderr, "gencorpus: %s: %s\n", final, strerror(errno));
		return 1;
	}
	printf("gencorpus: %u files, %.1f MB, %llu items in %s\n", idx, total / 1e6, items, dir);
	return 0;
}

/* One RSS 2.0 feed of exactly `bytes` bytes: items until the next one might
 * not fit, then a last item whose body is padded to the exact length. */
static int cmd_exact(const char *file, size_t bytes)
{
	struct out o = { 0 };
	struct feedinfo f = { .site = 4242, .style = 0 };
	unsigned n = 0;
	rss2_head(&o, &f);
	const size_t reserve = 64 * 1024;
	while (o.len + reserve < bytes) {
		rss2_item(&o, &f, n++, body_size());
	}
	/* Last item: fixed wrapper, then a body exactly as long as needed. */
	static const char pre[] = "<item>\n<title>Padding item</title>\n<guid isPermaLink=\"false\">pad</guid>\n"
				  "<description><![CDATA[<p>";
	static const char post[] = "</p>]]></description>\n</item>\n";
	size_t fixed = o.len + strlen(pre) + strlen(post) + strlen(rss2_tail);
	if (fixed > bytes) {
		fprintf(stderr, "gencorpus: %zu bytes is too small\n", bytes);
		return 1;
	}
	size_t pad = bytes - fixed;
	puts_(&o, pre);
	size_t start = o.len;
	while (o.len - start < pad) {
		const char *w = words[below(NWORDS)];
		size_t wl = strlen(w);
		size_t room = pad - (o.len - start);
		if (wl + 1 <= room) {
			put(&o, w, wl);
			put(&o, " ", 1);
		} else {
			while (room--)
				put(&o, "x", 1);
		}
	}
	puts_(&o, post);
	puts_(&o, rss2_tail);
	n++;
	if (o.len != bytes) {
		fprintf(stderr, "gencorpus: internal error: %zu != %zu\n", o.len, bytes);
		return 1;
	}
	if (write_file(file, &o))
		return 1;
	printf("gencorpus: %s: %zu bytes, %u items\n", file, o.len, n);
	free(o.p);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "corpus")) {
		double mb = argc > 3 ? strtod(argv[3], NULL) : 110;
		if (!(mb > 0 && mb < 100000)) {
			fprintf(stderr, "gencorpus: bad TOTAL_MB\n");
			return 2;
		}
		return cmd_corpus(argv[2], mb);
	}
	if (argc == 4 && !strcmp(argv[1], "exact")) {
		char *end;
		unsigned long long b = strtoull(argv[3], &end, 10);
		if (*end || b < 1024 || b > (1ull << 32)) {
			fprintf(stderr, "gencorpus: bad BYTES\n");
			return 2;
		}
		return cmd_exact(argv[2], (size_t)b);
	}
	fprintf(stderr, "usage: gencorpus corpus DIR [TOTAL_MB]\n"
			"       gencorpus exact FILE BYTES\n");
	return 2;
}
