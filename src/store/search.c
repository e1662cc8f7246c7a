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
 * the cost flat however common the words are). Those are ranked by bm25
 * (title weighted 5, author 2, text 1) divided by an age factor
 * 1 + age / RECENCY_SCALE, age being now - published in seconds (never
 * negative): a week-old article needs twice the relevance of today's to
 * rank above it. Ties: newer first.
 */
#include "store/store_int.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/time.h"

#include <string.h>
#include <utf8proc.h>

/* Bytes of the query looked at; the rest is ignored. */
#define QUERY_MAX_BYTES 1024
/* Words used; more add little and cost a doclist each. */
#define QUERY_MAX_TERMS 16
/* Matches considered for ranking (see above). */
#define SEARCH_CANDIDATES 1000
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
static size_t stem_loss(const char *w, size_t n)
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

/* Turn a user query into a safe FTS5 expression in out. Returns the number
 * of words (0: nothing to search), or a negative TD_E* code. */
static int build_match(const char *q, struct td_buf *out)
{
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
	if (terms && chars >= (first >= 0x2e80 ? PREFIX_MIN_CHARS_CJK
					       : PREFIX_MIN_CHARS) +
				      stem_loss(q + last, i - last))
		td_buf_putc(out, '*');
	return td_buf_err(out) ? td_buf_err(out) : terms;
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

	struct td_buf match;
	td_buf_init(&match, 0);
	int rc = build_match(query, &match);
	if (rc <= 0)
		goto out;

	/* Innermost: the newest candidates with their bm25. Middle: rank
	 * them, reading published from a small covering index (not the
	 * large rows), and keep the page plus one row (to know whether a
	 * next page exists). Outer: light rows of the page. The snippet and
	 * the marked title come from a second look-up of the same MATCH
	 * restricted to the row, so they are made only for the rows shown.
	 * \x01 and \x02 mark the matches; the stored text never holds them
	 * (html_to_text drops control bytes). */
	sqlite3_stmt *st = store_stmt(
		s, ST_SEARCH_PAGE,
		"SELECT " STORE_ARTICLE_COLS_LIGHT ","
		" (SELECT snippet(articles_fts, 1, char(1), char(2),"
		"   '\xe2\x80\xa6', 32) FROM articles_fts"
		"  WHERE articles_fts MATCH ?1 AND rowid = top.rid),"
		" (SELECT highlight(articles_fts, 0, char(1), char(2))"
		"  FROM articles_fts"
		"  WHERE articles_fts MATCH ?1 AND rowid = top.rid)"
		" FROM"
		" (SELECT c.rid AS rid,"
		"   c.score / (1.0 + max(0, ?3 - r.published) / ?4) AS rank,"
		"   r.published AS published"
		"  FROM (SELECT rowid AS rid,"
		"         bm25(articles_fts, 5.0, 1.0, 2.0) AS score"
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
out:
	td_buf_release(&match);
	return rc < 0 ? rc : 0;
}

int store_search(struct store *s, const char *query, size_t limit,
		 struct store_article **v, size_t *n)
{
	return store_search_page(s, query, 0, limit, v, n, NULL);
}
