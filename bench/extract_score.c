/*
 * extract_score.c - quality and speed measurements for `tidings extract`,
 * built and run by bench/extract.sh (not part of the tidings binary).
 *
 *   extract_score score CORPUS OUTDIR json|html [-v]
 *	Score every CORPUS/<page>/expected.html against OUTDIR/<page>.json
 *	(the content_text field of `tidings extract` output) or
 *	OUTDIR/<page>.html (an article as HTML, e.g. Readability.js output,
 *	reduced to its visible text exactly as expected.html is). A missing
 *	output file counts as empty output. Prints corpus precision, recall
 *	and F1; -v adds one line per page.
 *
 *   extract_score time URL FILE...
 *	Run html_extract in this process on every FILE (read beforehand) and
 *	print "pages N seconds S": extraction time without process start-up.
 *
 * The metric is the one in corpus/readability/README.md (that of the
 * public Article Extraction Benchmark):
 *   1. tokens are maximal runs of Unicode word characters (letters,
 *	digits, '_'); everything else only separates; case matters;
 *   2. shingles are all windows of 4 consecutive tokens, as a multiset (a
 *	text of 1-3 tokens is one short shingle);
 *   3. per page TP = shared shingles, FP = extra in the output, FN =
 *	missing; precision = TP/(TP+FP), recall = TP/(TP+FN);
 *   4. corpus precision = mean page precision over pages with non-empty
 *	output; corpus recall = mean page recall over all pages;
 *	F1 = 2PR/(P+R).
 * Letters are Unicode categories L*, digits N* (the sense of "word
 * character" in Python's re module, which the public benchmark uses).
 * Shingles are compared by a 64-bit hash of their tokens.
 */
#include "core/buf.h"
#include "core/err.h"
#include "html/html.h"

#include <dirent.h>
#include <gumbo.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <utf8proc.h>

#define MAX_FILE (64u * 1024u * 1024u)

/* ---- files ---- */

static char *slurp(const char *path, size_t *len)
{
	struct td_error err = { 0 };
	char *p = NULL;
	if (td_read_file(path, MAX_FILE, &p, len, &err))
		return NULL;
	return p;
}

/* ---- visible text of an HTML document ---- */

static int is_block(GumboTag t)
{
	switch (t) {
	case GUMBO_TAG_ADDRESS: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_ASIDE:
	case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_BR: case GUMBO_TAG_DD:
	case GUMBO_TAG_DETAILS: case GUMBO_TAG_DIV: case GUMBO_TAG_DL:
	case GUMBO_TAG_DT: case GUMBO_TAG_FIELDSET: case GUMBO_TAG_FIGCAPTION:
	case GUMBO_TAG_FIGURE: case GUMBO_TAG_FOOTER: case GUMBO_TAG_FORM:
	case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
	case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6:
	case GUMBO_TAG_HEADER: case GUMBO_TAG_HR: case GUMBO_TAG_LI:
	case GUMBO_TAG_MAIN: case GUMBO_TAG_NAV: case GUMBO_TAG_OL:
	case GUMBO_TAG_P: case GUMBO_TAG_PRE: case GUMBO_TAG_SECTION:
	case GUMBO_TAG_TABLE: case GUMBO_TAG_TBODY: case GUMBO_TAG_THEAD:
	case GUMBO_TAG_TFOOT: case GUMBO_TAG_TR: case GUMBO_TAG_TD:
	case GUMBO_TAG_TH: case GUMBO_TAG_UL: case GUMBO_TAG_CAPTION:
	case GUMBO_TAG_SUMMARY: case GUMBO_TAG_BODY: case GUMBO_TAG_HTML:
		return 1;
	default:
		return 0;
	}
}

static int is_hidden(GumboTag t)
{
	return t == GUMBO_TAG_SCRIPT || t == GUMBO_TAG_STYLE ||
	       t == GUMBO_TAG_TEMPLATE || t == GUMBO_TAG_NOSCRIPT ||
	       t == GUMBO_TAG_HEAD || t == GUMBO_TAG_TITLE;
}

/* Iterative walk (expected pages can nest deeply). */
static void visible_text(GumboNode *root, struct td_buf *out)
{
	struct frame { GumboNode *n; unsigned i; } *st = NULL;
	size_t depth = 0, cap = 0;
	GumboNode *n = root;
	for (;;) {
		if (n) {
			if (n->type == GUMBO_NODE_TEXT ||
			    n->type == GUMBO_NODE_WHITESPACE ||
			    n->type == GUMBO_NODE_CDATA) {
				td_buf_puts(out, n->v.text.text);
				n = NULL;
				continue;
			}
			if (n->type != GUMBO_NODE_ELEMENT &&
			    n->type != GUMBO_NODE_DOCUMENT) {
				n = NULL;
				continue;
			}
			if (n->type == GUMBO_NODE_ELEMENT &&
			    is_hidden(n->v.element.tag)) {
				n = NULL;
				continue;
			}
			if (n->type == GUMBO_NODE_ELEMENT &&
			    is_block(n->v.element.tag))
				td_buf_putc(out, '\n');
			if (depth == cap) {
				cap = cap ? cap * 2 : 64;
				st = realloc(st, cap * sizeof(*st));
				if (!st)
					abort();
			}
			st[depth].n = n;
			st[depth].i = 0;
			depth++;
			n = NULL;
			continue;
		}
		if (!depth)
			break;
		struct frame *f = &st[depth - 1];
		GumboVector *kids = f->n->type == GUMBO_NODE_DOCUMENT ?
					    &f->n->v.document.children :
					    &f->n->v.element.children;
		if (f->i < kids->length) {
			n = kids->data[f->i++];
			continue;
		}
		if (f->n->type == GUMBO_NODE_ELEMENT &&
		    is_block(f->n->v.element.tag))
			td_buf_putc(out, '\n');
		depth--;
	}
	free(st);
}

static char *html_visible_text(const char *html, size_t len)
{
	struct td_buf b;
	td_buf_init(&b, 0);
	GumboOptions opt = kGumboDefaultOptions;
	GumboOutput *g = gumbo_parse_with_options(&opt, html, len);
	if (g) {
		visible_text(g->document, &b);
		gumbo_destroy_output(&opt, g);
	}
	return td_buf_detach(&b, NULL);
}

/* ---- tokens and shingles ---- */

static int is_word(utf8proc_int32_t cp)
{
	if (cp == '_')
		return 1;
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
		return 1;
	default:
		return 0;
	}
}

struct toks {
	uint64_t *h; /* hash per token */
	size_t n, cap;
};

static uint64_t fnv(const unsigned char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

static void tokenize(const char *s, struct toks *t)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, start = 0;
	int in = 0;
	t->n = 0;
	while (i <= len) {
		utf8proc_int32_t cp = -1;
		utf8proc_ssize_t k = 1;
		if (i < len) {
			k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i),
					     &cp);
			if (k < 1)
				k = 1, cp = -1;
		}
		int w = i < len && cp >= 0 && is_word(cp);
		if (w && !in)
			start = i, in = 1;
		else if (!w && in) {
			if (t->n == t->cap) {
				t->cap = t->cap ? t->cap * 2 : 1024;
				t->h = realloc(t->h, t->cap * sizeof(*t->h));
				if (!t->h)
					abort();
			}
			t->h[t->n++] = fnv(p + start, i - start);
			in = 0;
		}
		i += (size_t)k;
	}
}

static int cmp64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Sorted shingle hashes of a text; returns the count. */
static size_t shingles(const char *s, uint64_t **out)
{
	struct toks t = { 0 };
	tokenize(s, &t);
	size_t n = t.n == 0 ? 0 : t.n < 4 ? 1 : t.n - 3;
	uint64_t *sh = malloc((n ? n : 1) * sizeof(*sh));
	if (!sh)
		abort();
	for (size_t i = 0; i < n; i++) {
		uint64_t h = 0x9e3779b97f4a7c15ull;
		for (size_t j = i; j < i + 4 && j < t.n; j++)
			h = (h ^ t.h[j]) * 0x100000001b3ull + (h >> 29);
		sh[i] = h;
	}
	free(t.h);
	qsort(sh, n, sizeof(*sh), cmp64);
	*out = sh;
	return n;
}

static size_t common(const uint64_t *a, size_t na, const uint64_t *b,
		     size_t nb)
{
	size_t i = 0, j = 0, c = 0;
	while (i < na && j < nb) {
		if (a[i] == b[j])
			c++, i++, j++;
		else if (a[i] < b[j])
			i++;
		else
			j++;
	}
	return c;
}

/* ---- score ---- */

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *output_text(const char *outdir, const char *name, int json)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.%s", outdir, name,
		 json ? "json" : "html");
	size_t len = 0;
	char *data = slurp(path, &len);
	if (!data)
		return strdup("");
	char *text = NULL;
	if (json) {
		json_error_t je;
		json_t *j = json_loadb(data, len, 0, &je);
		const char *t = j ? json_string_value(
					    json_object_get(j, "content_text")) :
				    NULL;
		text = strdup(t ? t : "");
		json_decref(j);
	} else {
		text = html_visible_text(data, len);
	}
	free(data);
	return text;
}

static int cmd_score(const char *corpus, const char *outdir, int json,
		     int verbose)
{
	DIR *d = opendir(corpus);
	if (!d) {
		perror(corpus);
		return 1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s/expected.html", corpus,
			 e->d_name);
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		fclose(f);
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				abort();
		}
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);

	double psum = 0, rsum = 0;
	size_t pn = 0;
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s/expected.html", corpus,
			 names[i]);
		size_t len = 0;
		char *exp_html = slurp(path, &len);
		char *exp = html_visible_text(exp_html ? exp_html : "",
					      exp_html ? len : 0);
		char *got = output_text(outdir, names[i], json);
		uint64_t *se, *sg;
		size_t ne = shingles(exp, &se), ng = shingles(got, &sg);
		size_t tp = common(se, ne, sg, ng);
		double p = ng ? (double)tp / (double)ng : 0;
		double r = ne ? (double)tp / (double)ne : (ng ? 0 : 1);
		if (ng)
			psum += p, pn++;
		rsum += r;
		if (verbose)
			printf("%-45s P %.3f R %.3f F %.3f (out %zu, exp %zu)\n",
			       names[i], p, r,
			       p + r > 0 ? 2 * p * r / (p + r) : 0.0, ng, ne);
		free(se), free(sg), free(exp), free(got), free(exp_html);
		free(names[i]);
	}
	free(names);
	double P = pn ? psum / (double)pn : 0, R = n ? rsum / (double)n : 0;
	printf("pages %zu precision %.4f recall %.4f F1 %.4f\n", n, P, R,
	       P + R > 0 ? 2 * P * R / (P + R) : 0.0);
	return 0;
}

/* ---- time ---- */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmd_time(const char *url, int argc, char **argv)
{
	double total = 0;
	for (int i = 0; i < argc; i++) {
		size_t len = 0;
		char *data = slurp(argv[i], &len);
		if (!data) {
			fprintf(stderr, "extract_score: cannot read %s\n",
				argv[i]);
			return 1;
		}
		double t0 = now();
		struct html_article *a = NULL;
		struct td_buf j;
		td_buf_init(&j, 0);
		html_extract(data, len, url, &a, NULL);
		if (a)
			html_article_to_json(a, &j);
		html_article_free(a);
		total += now() - t0;
		td_buf_release(&j);
		free(data);
	}
	printf("pages %d seconds %.3f\n", argc, total);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "score"))
		return cmd_score(argv[2], argv[3], !strcmp(argv[4], "json"),
				 argc > 5 && !strcmp(argv[5], "-v"));
	if (argc >= 3 && !strcmp(argv[1], "time"))
		return cmd_time(argv[2], argc - 3, argv + 3);
	fprintf(stderr, "usage: extract_score score CORPUS OUTDIR json|html "
			"[-v]\n       extract_score time URL FILE...\n");
	return 2;
}
