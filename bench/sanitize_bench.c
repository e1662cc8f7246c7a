/*
 * sanitize_bench.c - throughput of html_sanitize and html_to_text on
 * generated, realistic article HTML.
 *
 *   sanitize_bench [MB] [ROUNDS]     (default 4 MB, 5 rounds)
 *
 * The corpus is made of article bodies as CMSs publish them in feeds:
 * paragraphs with inline markup and entities, relative and absolute links,
 * figures with lazy-loaded srcset images, lists, tables, quotes, code, and
 * the noise around them (classes, ids, inline styles, wrapper divs, share
 * widgets, scripts, iframes, tracking pixels). Each article is sanitized
 * with a base URL, as at ingest. Prints MB/s of input on one core (CPU
 * time, best round) and the parse-only rate for comparison.
 */
#include "core/buf.h"
#include "html/html.h"
#include "html/html_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static const char *const words[] = {
	"the", "council", "voted", "on", "Tuesday", "to", "approve", "a",
	"plan", "for", "new", "housing", "near", "river", "officials", "said",
	"residents", "were", "concerned", "about", "traffic", "and", "costs",
	"minister", "budget", "schools", "transit", "election", "report",
	"police", "hospital", "weather", "storm", "market", "prices", "energy",
	"caf\xC3\xA9", "na\xC3\xAFve", "&amp;", "&nbsp;", "&#8217;s", "&mdash;",
};

static void sentence(struct td_buf *b)
{
	int n = 8 + (int)rnd(14);
	for (int i = 0; i < n; i++) {
		const char *w = words[rnd(sizeof words / sizeof words[0])];
		switch (rnd(24)) {
		case 0: td_buf_printf(b, "<strong>%s</strong>", w); break;
		case 1: td_buf_printf(b, "<em>%s</em>", w); break;
		case 2: td_buf_printf(b, "<a href=\"/news/%u/%s\" class=\"inline-link\">%s</a>", rnd(100000), w, w); break;
		case 3: td_buf_printf(b, "<a href=\"https://other.example/%s?utm_source=rss&amp;id=%u\" target=\"_blank\" rel=\"noopener\">%s</a>", w, rnd(1000), w); break;
		case 4: td_buf_printf(b, "<span style=\"font-weight:bold\" class=\"hl\">%s</span>", w); break;
		default: td_buf_puts(b, w);
		}
		td_buf_putc(b, i + 1 < n ? ' ' : '.');
	}
	td_buf_putc(b, ' ');
}

static void paragraph(struct td_buf *b)
{
	td_buf_puts(b, "<p class=\"para\">");
	for (int s = 1 + (int)rnd(4); s > 0; s--)
		sentence(b);
	td_buf_puts(b, "</p>\n");
}

static void figure(struct td_buf *b)
{
	unsigned id = rnd(1000000);
	td_buf_printf(b,
		"<figure class=\"wp-block-image size-large\" id=\"fig-%u\">"
		"<img decoding=\"async\" width=\"1024\" height=\"683\" "
		"src=\"data:image/gif;base64,R0lGODlhAQABAAAAACw=\" "
		"data-src=\"/wp-content/uploads/2024/01/p%u-1024x683.jpg\" "
		"data-srcset=\"/wp-content/uploads/2024/01/p%u-1024x683.jpg 1024w, "
		"/wp-content/uploads/2024/01/p%u-300x200.jpg 300w, "
		"/wp-content/uploads/2024/01/p%u-768x512.jpg 768w\" "
		"sizes=\"(max-width: 1024px) 100vw, 1024px\" alt=\"Photo %u\" "
		"class=\"lazyload wp-image-%u\" style=\"max-width:100%%\">"
		"<figcaption class=\"wp-element-caption\">",
		id, id, id, id, id, id, id);
	sentence(b);
	td_buf_puts(b, "</figcaption></figure>\n");
}

static void article(struct td_buf *b)
{
	td_buf_puts(b, "<div class=\"entry-content\" id=\"content\">\n"
		       "<div class=\"wrapper\" style=\"margin:0 auto\">\n");
	int blocks = 20 + (int)rnd(30);
	for (int i = 0; i < blocks; i++) {
		switch (rnd(20)) {
		case 0: case 1:
			figure(b);
			break;
		case 2:
			td_buf_puts(b, "<h2 class=\"wp-block-heading\" id=\"h\">");
			sentence(b);
			td_buf_puts(b, "</h2>\n");
			break;
		case 3:
			td_buf_puts(b, "<ul class=\"list\">");
			for (int k = 0; k < 4; k++) {
				td_buf_puts(b, "<li>");
				sentence(b);
				td_buf_puts(b, "</li>");
			}
			td_buf_puts(b, "</ul>\n");
			break;
		case 4:
			td_buf_puts(b, "<blockquote class=\"wp-block-quote\"><p>");
			sentence(b);
			td_buf_puts(b, "</p><cite>Someone</cite></blockquote>\n");
			break;
		case 5:
			td_buf_puts(b, "<table class=\"data\"><thead><tr><th>Area</th>"
				       "<th>2023</th><th>2024</th></tr></thead><tbody>");
			for (int k = 0; k < 5; k++)
				td_buf_printf(b, "<tr><td>Row %d</td><td>%u</td><td>%u</td></tr>",
					      k, rnd(1000), rnd(1000));
			td_buf_puts(b, "</tbody></table>\n");
			break;
		case 6:
			td_buf_puts(b, "<script type=\"text/javascript\">window.dataLayer="
				       "window.dataLayer||[];dataLayer.push({event:'view'});"
				       "</script>\n<style>.x{color:red}</style>\n");
			break;
		case 7:
			td_buf_puts(b, "<p><iframe src=\"https://www.youtube.com/embed/x\" "
				       "width=\"560\" height=\"315\" frameborder=\"0\" "
				       "allowfullscreen></iframe></p>\n");
			break;
		case 8:
			td_buf_puts(b, "<pre><code class=\"language-c\">int main(void)\n{\n"
				       "\treturn a &lt; b &amp;&amp; c;\n}\n</code></pre>\n");
			break;
		default:
			paragraph(b);
		}
	}
	td_buf_puts(b, "<div class=\"sharedaddy sd-sharing-enabled\"><ul><li>"
		       "<a href=\"https://example.com/?share=twitter\" class=\"share\">"
		       "<span>Twitter</span></a></li></ul></div>\n"
		       "<img src=\"https://pixel.wp.com/b.gif?host=example.com&amp;"
		       "blog=1\" width=\"1\" height=\"1\" alt=\"\">\n"
		       "<p>The post <a href=\"https://example.com/story/\">Story</a> "
		       "appeared first on <a href=\"https://example.com\">Example"
		       "</a>.</p>\n</div></div>\n");
}

static double cpu_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t mb = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 4;
	int rounds = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 5;
	if (!mb)
		mb = 4;
	if (rounds < 1)
		rounds = 1;
	/* articles, each a separate input */
	size_t cap = 4096, n = 0, total = 0;
	struct td_buf *arts = malloc(cap * sizeof *arts);
	if (!arts)
		return 1;
	while (total < mb * 1024 * 1024 && n < cap) {
		td_buf_init(&arts[n], 0);
		article(&arts[n]);
		total += arts[n].len;
		n++;
	}
	struct td_buf out;
	td_buf_init(&out, 0);
	size_t outbytes = 0;
	double best_san = 1e9, best_txt = 1e9, best_parse = 1e9;
	for (int r = 0; r < rounds; r++) {
		double t0 = cpu_now();
		outbytes = 0;
		for (size_t i = 0; i < n; i++) {
			td_buf_reset(&out);
			if (html_sanitize(arts[i].p, arts[i].len,
					  "https://example.com/2024/01/story.html",
					  &out)) {
				fprintf(stderr, "sanitize failed\n");
				return 1;
			}
			outbytes += out.len;
		}
		double t1 = cpu_now();
		for (size_t i = 0; i < n; i++) {
			td_buf_reset(&out);
			html_to_text(arts[i].p, arts[i].len, &out);
		}
		double t2 = cpu_now();
		for (size_t i = 0; i < n; i++) {
			struct html_parse p;
			if (!html_parse(arts[i].p, arts[i].len, 1, &p))
				html_parse_release(&p);
		}
		double t3 = cpu_now();
		if (t1 - t0 < best_san)
			best_san = t1 - t0;
		if (t2 - t1 < best_txt)
			best_txt = t2 - t1;
		if (t3 - t2 < best_parse)
			best_parse = t3 - t2;
	}
	double m = (double)total / 1e6;
	printf("input: %zu articles, %.2f MB (avg %.1f KB), output %.2f MB; "
	       "best of %d rounds, one core, CPU time\n",
	       n, m, m * 1000.0 / (double)n, (double)outbytes / 1e6, rounds);
	printf("sanitize=%.1f MB/s articles_per_s=%.0f\n", m / best_san,
	       (double)n / best_san);
	printf("to_text=%.1f MB/s\n", m / best_txt);
	printf("parse_only=%.1f MB/s\n", m / best_parse);
	for (size_t i = 0; i < n; i++)
		td_buf_release(&arts[i]);
	free(arts);
	td_buf_release(&out);
	return 0;
}
