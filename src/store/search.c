/*
 * search.c - full-text search over the FTS5 index.
 *
 * The query is hostile user input. It is never given to FTS5 as written:
 * we split it into words ourselves (a word is a run of Unicode letters,
 * digits and private-use characters, with combining marks kept inside it,
 * the same classes FTS5's unicode61 tokenizer keeps), quote each word as an
 * FTS5 string ("..." with embedded quotes doubled), AND them, and make the
 * last one a prefix ("word"*) so results follow typing - when it has at
 * least 3 characters (2 for CJK and other scripts from U+2E80 on, whose
 * words are short): shorter prefixes match most of the vocabulary, cost a
 * merge of huge doclists, and say little (the count is taken after what the
 * porter stemmer would strip, see stem_loss). Operators, column
 * filters and punctuation in the input are therefore plain words or
 * separators. A query with no words finds nothing.
 *
 * Ranking: the candidates are the SEARCH_CANDIDATES most recently stored
 * matches (FTS5 walks its index in rowid order and stops there, which keeps
 * the cost flat however common the words are). Those are ranked by td_rank
 * (BM25 without IDF, see below; title weighted 5, author 2, text 1)
 * divided by an age factor
 * 1 + age / RECENCY_SCALE, age being now - published in seconds (never
 * negative): a week-old article needs twice the relevance of today's to
 * rank above it. Ties: newer first.
 */
#include "store/store_int.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/time.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Bytes of the query looked at; the rest is ignored. */
#define QUERY_MAX_BYTES 1024
/* Words used; more add little and cost a doclist each. */
#define QUERY_MAX_TERMS STORE_QUERY_MAX_TERMS
/* Matches considered for ranking (see above). */
#define SEARCH_CANDIDATES 500
/* Shortest last word searched as a prefix, in code points; ideographic
 * and other scripts from U+2E80 (CJK, kana, hangul) from 2. */
#define PREFIX_MIN_CHARS 3
#define PREFIX_MIN_CHARS_CJK 2
/* Seconds of age that halve a result's score. */
#define RECENCY_SCALE (7.0 * 24 * 60 * 60)

static int word_start(int32_t cp)
{
	if (cp < 0x80) /* fast path, same answer as the tables */
		return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
		       (cp >= 'A' && cp <= 'Z');
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
	case UTF8PROC_CATEGORY_CO:
		return 1;
	default:
		return 0;
	}
}

static int is_mark(int32_t cp)
{
	if (cp < 0x300)
		return 0;
	utf8proc_category_t c = utf8proc_category(cp);
	return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC ||
	       c == UTF8PROC_CATEGORY_ME;
}

/* Decode one code point at p (n bytes left); invalid bytes read as one
 * separator byte. Returns the bytes used. */
static size_t next_cp(const char *p, size_t n, int32_t *cp)
{
	utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)p,
					      (utf8proc_ssize_t)n, cp);
	if (r <= 0) {
		*cp = -1;
		return 1;
	}
	return (size_t)r;
}

/* Characters the porter stemmer may take off the end of word w (n bytes)
 * before FTS5 looks the prefix up: "cars"* is searched as "car"*, and
 * "cas"* as "ca"*, a 2-character prefix with no prefix index behind it.
 * An upper bound for the steps that can leave a stem under 4 characters:
 * step 1a (-s, -es, -ies), 1b (-ed, -ing, then maybe one letter of a
 * doubled consonant) and 5a (a final -e). Steps 2 to 4 need a longer stem. */
size_t store_stem_loss(const char *w, size_t n)
{
	static const struct {
		const char *s;
		size_t len, loss;
	} sfx[] = { { "ing", 3, 4 }, { "ies", 3, 2 }, { "es", 2, 2 },
		    { "ed", 2, 3 },  { "s", 1, 1 },   { "e", 1, 1 } };
	for (size_t k = 0; k < sizeof sfx / sizeof sfx[0]; k++) {
		if (n < sfx[k].len)
			continue;
		int match = 1;
		for (size_t j = 0; j < sfx[k].len && match; j++) {
			char c = w[n - sfx[k].len + j];
			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			match = c == sfx[k].s[j];
		}
		/* "-ss" stays as it is */
		if (match && !(sfx[k].s[0] == 's' && n >= 2 &&
			       (w[n - 2] == 's' || w[n - 2] == 'S')))
			return sfx[k].loss;
	}
	return 0;
}

/* How build_match joins the words. */
enum match_mode {
	MATCH_ALL,    /* every word, exactly (as the stemmer sees it) */
	MATCH_PREFIX, /* every word, the last one as a prefix when long
			 enough (a word still being typed) */
};

/* Turn a user query into a safe FTS5 expression in out (words quoted,
 * joined as mode says). Returns the number of words (0: nothing to
 * search), or a negative TD_E* code; *prefixed (may be NULL) is set to 1
 * when MATCH_PREFIX made the last word a prefix. */
static int build_match(const char *q, enum match_mode mode,
		       struct td_buf *out, int *prefixed)
{
	if (prefixed)
		*prefixed = 0;
	size_t len = td_utf8_cut(q, strlen(q), QUERY_MAX_BYTES);
	int terms = 0;
	size_t i = 0, chars = 0, last = 0;
	int32_t first = 0;
	while (i < len && terms < QUERY_MAX_TERMS) {
		int32_t cp;
		size_t k = next_cp(q + i, len - i, &cp);
		if (!word_start(cp)) {
			i += k;
			continue;
		}
		size_t start = i;
		last = i;
		first = cp;
		chars = 1;
		i += k;
		while (i < len) {
			k = next_cp(q + i, len - i, &cp);
			if (!word_start(cp) && !is_mark(cp))
				break;
			i += k;
			chars++;
		}
		if (terms++)
			td_buf_puts(out, " AND ");
		td_buf_putc(out, '"');
		for (size_t j = start; j < i; j++) {
			if (q[j] == '"') /* cannot happen; kept for safety */
				td_buf_putc(out, '"');
			td_buf_putc(out, q[j]);
		}
		td_buf_putc(out, '"');
	}
	if (mode == MATCH_PREFIX && terms &&
	    chars >= (first >= 0x2e80 ? PREFIX_MIN_CHARS_CJK
				      : PREFIX_MIN_CHARS) +
			     store_stem_loss(q + last, i - last)) {
		td_buf_putc(out, '*');
		if (prefixed)
			*prefixed = 1;
	}
	return td_buf_err(out) ? td_buf_err(out) : terms;
}

/* ---- ranking ------------------------------------------------------------
 *
 * td_rank(articles_fts): BM25's term-frequency part, without its inverse
 * document frequency. FTS5's bm25() counts, for every query, how many rows
 * hold each phrase by walking the phrase's whole doclist: for a common word
 * on 100,000 articles that alone took 3-5 ms a word, most of a search. The
 * candidates of an AND query all hold every word, so what IDF adds is only
 * the weighting of words against each other; recency matters more to news
 * readers. Per phrase and column: tf * (K1 + 1) / (tf + K1 * (1 - B + B *
 * len / avglen)), times the column's weight (title 5, text 1, author 2);
 * negated, so that smaller is better, as with bm25(). */

#define RANK_K1 1.2
#define RANK_B 0.75
/* Columns of articles_fts (a query has at most QUERY_MAX_TERMS
 * phrases). */
#define RANK_COLS 3

static void td_rank(const Fts5ExtensionApi *x, Fts5Context *ctx,
		    sqlite3_context *out, int nval, sqlite3_value **val)
{
	static const double weight[RANK_COLS] = { 5.0, 1.0, 2.0 };
	(void)nval;
	(void)val;
	int ncol = x->xColumnCount(ctx), nphrase = x->xPhraseCount(ctx);
	if (ncol > RANK_COLS)
		ncol = RANK_COLS;
	if (nphrase > QUERY_MAX_TERMS)
		nphrase = QUERY_MAX_TERMS;
	int tf[QUERY_MAX_TERMS][RANK_COLS];
	memset(tf, 0, sizeof tf);
	int ninst = 0;
	if (x->xInstCount(ctx, &ninst) != SQLITE_OK) {
		sqlite3_result_error(out, "td_rank: xInstCount", -1);
		return;
	}
	for (int i = 0; i < ninst; i++) {
		int ph, col, off;
		if (x->xInst(ctx, i, &ph, &col, &off) == SQLITE_OK && ph >= 0 &&
		    ph < nphrase && col >= 0 && col < ncol)
			tf[ph][col]++;
	}
	sqlite3_int64 nrow = 0;
	if (x->xRowCount(ctx, &nrow) != SQLITE_OK || nrow < 1)
		nrow = 1;
	double score = 0;
	for (int c = 0; c < ncol; c++) {
		sqlite3_int64 total = 0;
		int len = 0;
		if (x->xColumnTotalSize(ctx, c, &total) != SQLITE_OK)
			total = 0;
		if (x->xColumnSize(ctx, c, &len) != SQLITE_OK)
			len = 0;
		double avg = total > 0 ? (double)total / (double)nrow : 1.0;
		double norm = RANK_K1 * (1 - RANK_B + RANK_B * len / avg);
		for (int p = 0; p < nphrase; p++)
			if (tf[p][c])
				score += weight[c] * tf[p][c] * (RANK_K1 + 1) /
					 (tf[p][c] + norm);
	}
	sqlite3_result_double(out, -score);
}

int store_search_register(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) !=
	    SQLITE_OK)
		return TD_EDB;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (!api || api->iVersion < 2)
		return TD_EDB;
	return api->xCreateFunction(api, "td_rank", NULL, td_rank, NULL) ==
			       SQLITE_OK
		       ? 0
		       : TD_EDB;
}

/* 1 when the FTS5 expression matches any article, 0 when none, or a
 * negative TD_E* code. */
static int any_match(struct store *s, const char *expr)
{
	sqlite3_stmt *st = store_stmt(
		s, ST_SEARCH_ANY,
		"SELECT 1 FROM articles_fts WHERE articles_fts MATCH ?1"
		" LIMIT 1");
	if (!st)
		return TD_EDB;
	store_bind_text(st, 1, expr);
	int step = sqlite3_step(st);
	int rc = step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 : store_dberr(s);
	store_done(st);
	return rc;
}

int store_search_page(struct store *s, const char *query, size_t offset,
		      size_t limit, struct store_article **v, size_t *n,
		      int *more)
{
	*v = NULL;
	*n = 0;
	if (more)
		*more = 0;
	if (!query || limit == 0 || offset >= SEARCH_CANDIDATES)
		return 0;
	if (limit > SEARCH_CANDIDATES - offset)
		limit = SEARCH_CANDIDATES - offset;

	/* The words as typed first; the last word as a prefix only when
	 * they match nothing (a word still being typed): a prefix of a
	 * common word expands to many doclists and costs ten times more. */
	struct td_buf match;
	td_buf_init(&match, 0);
	int prefixed = 0;
	int rc = build_match(query, MATCH_PREFIX, &match, &prefixed);
	if (rc <= 0)
		goto out; /* no words, or out of memory */
	if (prefixed) {
		struct td_buf exact;
		td_buf_init(&exact, 0);
		rc = build_match(query, MATCH_ALL, &exact, NULL);
		if (rc > 0)
			rc = any_match(s, td_buf_cstr(&exact));
		if (rc > 0) {
			td_buf_release(&match);
			match = exact;
		} else {
			td_buf_release(&exact);
		}
		if (rc < 0)
			goto out;
	}

	sqlite3_stmt *st = store_stmt(
		s, ST_SEARCH_PAGE,
		/* the light columns, and the text, to mark (then dropped) */
		"SELECT a.id, a.source_id, a.guid, a.url, a.canonical_url,"
		" a.title, a.author, a.summary, NULL, NULL, a.content_text,"
		" a.image, a.language, a.published, a.updated, a.first_seen,"
		" a.content_hash, a.views, s.title"
		" FROM"
		" (SELECT c.rid AS rid,"
		"   c.score / (1.0 + max(0, ?3 - r.published) / ?4) AS rank,"
		"   r.published AS published"
		"  FROM (SELECT rowid AS rid,"
		"         td_rank(articles_fts) AS score"
		"        FROM articles_fts WHERE articles_fts MATCH ?1"
		"        ORDER BY rowid DESC LIMIT ?2) c"
		"  JOIN articles r INDEXED BY articles_id_published"
		"   ON r.id = c.rid"
		"  ORDER BY rank, published DESC, rid DESC"
		"  LIMIT ?5 OFFSET ?6) top"
		" JOIN articles a ON a.id = top.rid"
		" JOIN sources s ON s.id = a.source_id"
		" ORDER BY top.rank, top.published DESC, top.rid DESC");
	if (!st) {
		rc = TD_EDB;
		goto out;
	}
	store_bind_text(st, 1, td_buf_cstr(&match));
	sqlite3_bind_int(st, 2, SEARCH_CANDIDATES);
	sqlite3_bind_int64(st, 3, td_now());
	sqlite3_bind_double(st, 4, RECENCY_SCALE);
	sqlite3_bind_int64(st, 5, (int64_t)limit + 1);
	sqlite3_bind_int64(st, 6, (int64_t)offset);
	rc = store_article_rows(s, st, limit + 1, v, n);
	if (rc == 0 && *n > limit) {
		store_article_release(&(*v)[limit]);
		*n = limit;
		if (more)
			*more = 1;
	}
	/* the matches marked; the text was read only for that */
	if (rc == 0) {
		struct qword *q = NULL;
		size_t nq = store_query_words(query, &q);
		for (size_t i = 0; i < *n; i++) {
			struct store_article *a = &(*v)[i];
			a->snippet = store_mark_text(a->content_text, q, nq, 1);
			a->title_marked = store_mark_text(a->title, q, nq, 0);
			free(a->content_text);
			a->content_text = NULL;
		}
		free(q);
	}
out:
	td_buf_release(&match);
	return rc < 0 ? rc : 0;
}

int store_search(struct store *s, const char *query, size_t limit,
		 struct store_article **v, size_t *n)
{
	return store_search_page(s, query, 0, limit, v, n, NULL);
}

/* ---- marking the results ------------------------------------------------
 *
 * FTS5's snippet() and highlight() tokenize and stem the whole text of
 * every result again: on 100,000 articles that was a fifth of a search's
 * time. Here the query's words are folded once (lower case, no accents, as
 * the index's unicode61 tokenizer with remove_diacritics sees them) and cut
 * to what the porter stemmer may leave of them (store_stem_loss); a word of
 * the text matches when its folded form starts with one of those stems:
 * "elections" marks "election" and "elected". The passage is the window of
 * SNIPPET_WORDS words holding the most different query words, earliest
 * first.
 */

/* Words in a passage. */
#define SNIPPET_WORDS 32
/* Words of a text looked at (the passage is found in the first ones). */
#define SNIPPET_SCAN_WORDS 20000
#define FOLD_MAX STORE_FOLD_MAX
struct word {
	size_t start, end; /* bytes */
	int q;             /* query word matched, or -1 */
};

/* Fold the word [p, p + n) into out (at most FOLD_MAX code points):
 * lower case, accents and other marks dropped. Returns the count. */
static size_t fold(const char *p, size_t n, int32_t *out)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k < FOLD_MAX;) {
		int32_t cp;
		i += next_cp(p + i, n - i, &cp);
		if (cp < 0)
			continue;
		if (cp < 0x80) {
			out[k++] = (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
			continue;
		}
		utf8proc_int32_t d[8];
		int last = 0;
		utf8proc_ssize_t m = utf8proc_decompose_char(
			cp, d, 8,
			UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK |
				UTF8PROC_DECOMPOSE,
			&last);
		for (utf8proc_ssize_t j = 0; j < m && j < 8 && k < FOLD_MAX; j++)
			out[k++] = d[j];
	}
	return k;
}

/* The words of text [p, p + n): up to max into w (starts and ends). */
static size_t split(const char *p, size_t n, struct word *w, size_t max)
{
	size_t count = 0, i = 0;
	while (i < n && count < max) {
		int32_t cp;
		size_t k = next_cp(p + i, n - i, &cp);
		if (!(word_start(cp) || is_mark(cp))) {
			i += k;
			continue;
		}
		size_t start = i;
		i += k;
		while (i < n) {
			k = next_cp(p + i, n - i, &cp);
			if (!(word_start(cp) || is_mark(cp)))
				break;
			i += k;
		}
		w[count].start = start;
		w[count].end = i;
		w[count].q = -1;
		count++;
	}
	return count;
}

size_t store_query_words(const char *query, struct qword **out)
{
	*out = NULL;
	if (!query)
		return 0;
	size_t len = strlen(query);
	struct word w[STORE_QUERY_MAX_TERMS];
	size_t n = split(query, len, w, STORE_QUERY_MAX_TERMS);
	if (!n)
		return 0;
	struct qword *q = calloc(n, sizeof *q);
	if (!q)
		return 0;
	for (size_t i = 0; i < n; i++) {
		q[i].n = fold(query + w[i].start, w[i].end - w[i].start,
			      q[i].cp);
		size_t loss = store_stem_loss(query + w[i].start,
					      w[i].end - w[i].start);
		q[i].prefix = q[i].n > loss + 2 ? q[i].n - loss : q[i].n;
	}
	*out = q;
	return n;
}

/* The query word that word [p, p + n) matches, or -1. */
static int match(const char *p, size_t n, const struct qword *q, size_t nq)
{
	int32_t f[FOLD_MAX];
	size_t k = fold(p, n, f);
	for (size_t i = 0; i < nq; i++) {
		if (!q[i].prefix || k < q[i].prefix)
			continue;
		/* a short query word is a whole word, not a prefix */
		if (q[i].prefix == q[i].n && q[i].n < 3 && k != q[i].n)
			continue;
		if (!memcmp(f, q[i].cp, q[i].prefix * sizeof *f))
			return (int)i;
	}
	return -1;
}

/* Append text words [from, to) of p with the matched ones between \x01 and
 * \x02 (and what lies between them as it is). */
static void put_marked(struct td_buf *b, const char *p, const struct word *w,
		       size_t from, size_t to)
{
	if (from >= to)
		return;
	size_t at = w[from].start;
	for (size_t i = from; i < to; i++) {
		td_buf_append(b, p + at, w[i].start - at);
		if (w[i].q >= 0)
			td_buf_putc(b, '\x01');
		td_buf_append(b, p + w[i].start, w[i].end - w[i].start);
		if (w[i].q >= 0)
			td_buf_putc(b, '\x02');
		at = w[i].end;
	}
}

char *store_mark_text(const char *text, const struct qword *q, size_t nq,
		      int passage)
{
	if (!text)
		return NULL;
	size_t len = strlen(text);
	size_t max = passage ? SNIPPET_SCAN_WORDS : 1024;
	/* a word takes at least one byte and a separator: size the array
	 * from the text, not the cap (this runs for every result shown) */
	if (max > len / 2 + 1)
		max = len / 2 + 1;
	struct word *w = malloc(max * sizeof *w);
	if (!w)
		return NULL;
	size_t n = split(text, len, w, max);
	for (size_t i = 0; i < n; i++)
		w[i].q = match(text + w[i].start, w[i].end - w[i].start, q, nq);
	size_t from = 0, to = n;
	if (passage && n > SNIPPET_WORDS) {
		/* the window with the most different words, earliest first;
		 * it starts a few words before its first match */
		size_t best = 0, best_count = 0;
		for (size_t i = 0; i < n; i++) {
			if (w[i].q < 0)
				continue;
			size_t s = i > 4 ? i - 4 : 0;
			unsigned seen = 0;
			size_t count = 0;
			for (size_t j = s; j < n && j < s + SNIPPET_WORDS; j++)
				if (w[j].q >= 0 && w[j].q < 32 &&
				    !(seen & (1u << w[j].q))) {
					seen |= 1u << w[j].q;
					count++;
				}
			if (count > best_count) {
				best_count = count;
				best = s;
			}
			if (best_count == nq)
				break;
		}
		from = best;
		to = from + SNIPPET_WORDS < n ? from + SNIPPET_WORDS : n;
	}
	struct td_buf b;
	td_buf_init(&b, 0);
	if (!passage) {
		/* the whole text: what lies before the first word and after
		 * the last stays */
		size_t head = n ? w[0].start : len, tail = n ? w[n - 1].end : len;
		td_buf_append(&b, text, head);
		put_marked(&b, text, w, 0, n);
		td_buf_append(&b, text + tail, len - tail);
	} else {
		if (from > 0)
			td_buf_puts(&b, "\xe2\x80\xa6");
		put_marked(&b, text, w, from, to);
		if (to < n || n == SNIPPET_SCAN_WORDS)
			td_buf_puts(&b, "\xe2\x80\xa6");
	}
	free(w);
	if (td_buf_err(&b)) {
		td_buf_release(&b);
		return NULL;
	}
	return td_buf_detach(&b, NULL);
}
