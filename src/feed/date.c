/*
 * date.c - the dates feeds write, to UTC seconds.
 *
 * Two paths. A strict one for ISO 8601 / RFC 3339 / W3C-DTF shapes (a
 * string that starts with a four-digit year followed by '-', a digit, 'W' or
 * nothing), and a tolerant token-based one for everything else: RFC 822 /
 * 1123 / 2822, asctime, US and European styles, month and weekday names in
 * English, German, French, Spanish, Italian, Portuguese, Dutch, Swedish,
 * Norwegian, Danish, Finnish, Polish, Czech, Hungarian, Turkish, Russian and
 * Greek (accents and case folded, abbreviations with or without a dot), and
 * Korean, Japanese and Chinese dates written with unit characters
 * (2024年1月6日, 2024년 1월 6일). No locale, no libc time conversion, no
 * allocation: one pass over at most DATE_MAX_LEN bytes.
 *
 * Rules chosen where the standards or real feeds leave room (tested in
 * tests/unit/test_feed_date.c):
 *
 * - Missing zone: UTC, except that Korean and Japanese- or Chinese-only
 *   words (오후, 午後, 下午, 曜日, 星期) imply +09:00 or +08:00 (see
 *   cjk_zone). Missing time: 00:00:00. Missing seconds: 0.
 *   Fractional seconds are dropped. A leap second (60) becomes 59.
 *   "24:00:00" is the end of the day (next day 00:00:00).
 * - Two-digit years: 00-49 are 2000-2049, 50-99 are 1950-1999; three-digit
 *   years add 1900 (both RFC 2822 4.3).
 * - Military one-letter zones other than Z carry no information (RFC 1123
 *   5.2.14 erratum: RFC 822 gave their signs backwards) and are read as UTC,
 *   as RFC 2822 4.3 says; so is an unknown all-capitals 3-5 letter zone
 *   after a time. A numeric offset beats a zone name when both are given
 *   ("+0100 (CET)", "GMT+0100"). IST is India (+05:30), BST is British
 *   Summer Time, CST is US Central (RFC 822).
 * - Numeric dates: a four-digit first group means Y-M-D (any of - / .);
 *   dots otherwise mean D.M.Y (European); with '/' or '-' and a year last,
 *   the date is D/M/Y or M/D/Y only when that is unambiguous (one of the
 *   first two numbers is above 12, or both are equal), else no date.
 * - A bare integer of 9-10 digits is Unix seconds, of 13 digits Unix
 *   milliseconds. Eight digits are a basic ISO date (20240106).
 * - Year and month alone ("2024-01", "January 2024") mean the first day.
 * - Out-of-range fields (Feb 30, 25:00, minute 60, month 13) give
 *   TD_TIME_NONE rather than a silently normalised date; so do results
 *   before 1900-01-01T00:00:00Z or after 2200-12-31T23:59:59Z (placeholder
 *   dates like 0001-01-01 from broken generators, and typos).
 * - Weekday names are recognised and ignored (feeds often get them wrong).
 * - A word we do not know (beyond a few fillers such as "at", "de", "um",
 *   "Uhr", "kl.", "г.") makes the string no date, so that prose is never
 *   read as a date.
 */
#include "feed/feed.h"

#include "core/time.h"

#include <stdint.h>
#include <string.h>

#define DATE_MAX_LEN 256 /* longer strings are not dates */
#define WORD_MAX 64      /* folded word buffer */
#define YEAR_MIN 1900
#define YEAR_MAX 2200
#define NOT_ISO (INT64_MIN + 1) /* parse_iso: try the tolerant parser */

/* ---- character classes ---- */

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Length of a whitespace character at p (ASCII or a Unicode space that
 * date strings use: NBSP, en/em/thin spaces, narrow NBSP, ideographic). */
static size_t space_len(const unsigned char *p, const unsigned char *e)
{
	if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' ||
	    *p == '\v')
		return 1;
	if (*p == 0xC2 && e - p >= 2 && p[1] == 0xA0)
		return 2;
	if (*p == 0xE2 && e - p >= 3 && p[1] == 0x80 &&
	    ((p[2] >= 0x80 && p[2] <= 0x8B) || p[2] == 0xAF))
		return 3;
	if (*p == 0xE3 && e - p >= 3 && p[1] == 0x80 && p[2] == 0x80)
		return 3;
	return 0;
}

static const unsigned char *skip_ws(const unsigned char *p,
				    const unsigned char *e)
{
	size_t n;
	while (p < e && (n = space_len(p, e)))
		p += n;
	return p;
}

/* Skip a parenthesised comment starting at p ('('), nested; an unclosed one
 * runs to the end. */
static const unsigned char *skip_comment(const unsigned char *p,
					 const unsigned char *e)
{
	int depth = 0;
	for (; p < e; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p + 1;
	}
	return e;
}

/* Skip whitespace and comments. */
static const unsigned char *skip_ws_comments(const unsigned char *p,
					     const unsigned char *e)
{
	for (;;) {
		p = skip_ws(p, e);
		if (p < e && *p == '(')
			p = skip_comment(p, e);
		else
			return p;
	}
}

/* Read n digits at p (caller checked they are digits). */
static int num(const unsigned char *p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (p[i] - '0');
	return v;
}

static int digit_run(const unsigned char *p, const unsigned char *e)
{
	int n = 0;
	while (p + n < e && is_digit(p[n]))
		n++;
	return n;
}

/* ---- calendar ---- */

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const unsigned char dm[] = { 31, 28, 31, 30, 31, 30,
					    31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

#define T_LO (-2208988800LL) /* 1900-01-01T00:00:00Z */
#define T_HI 7289654399LL     /* 2200-12-31T23:59:59Z */

static int in_range(int64_t t)
{
	return t >= T_LO && t <= T_HI;
}

/* Validate the fields and convert; off is the zone offset in seconds east
 * of UTC. */
static int64_t make_time(int y, int mo, int d, int h, int mi, int s, int off)
{
	if (y < YEAR_MIN - 1 || y > YEAR_MAX + 1 || mo < 1 || mo > 12 ||
	    d < 1 || d > days_in_month(y, mo))
		return TD_TIME_NONE;
	if (h == 24 && mi == 0 && s == 0) {
		/* ISO 8601 end of day: fine as arithmetic */
	} else if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) {
		return TD_TIME_NONE;
	}
	if (s == 60)
		s = 59;
	int64_t t = td_timegm(y, (unsigned)mo, (unsigned)d, (unsigned)h,
			      (unsigned)mi, (unsigned)s) -
		    off;
	return in_range(t) ? t : TD_TIME_NONE;
}

/* Days since the epoch of the Monday of ISO week 1 of year y. */
static int64_t iso_week1_monday(int y)
{
	int64_t jan4 = td_days_from_civil(y, 1, 4);
	int64_t wd = ((jan4 + 3) % 7 + 7) % 7; /* 0 = Monday; 1970-01-01 Thu */
	return jan4 - wd;
}

/* ---- zones ---- */

struct zone {
	const char *name; /* lower case */
	int minutes;      /* east of UTC */
	int utc;          /* GMT/UTC/UT: an offset may follow ("GMT+2") */
};

static const struct zone zones[] = {
	{ "gmt", 0, 1 },     { "utc", 0, 1 },     { "ut", 0, 1 },
	{ "uct", 0, 1 },     { "z", 0, 1 },       { "zulu", 0, 1 },
	{ "wet", 0, 0 },     { "west", 60, 0 },   { "bst", 60, 0 },
	{ "ist", 330, 0 },   { "cet", 60, 0 },    { "cest", 120, 0 },
	{ "met", 60, 0 },    { "mest", 120, 0 },  { "mez", 60, 0 },
	{ "mesz", 120, 0 },  { "eet", 120, 0 },   { "eest", 180, 0 },
	{ "msk", 180, 0 },   { "msd", 240, 0 },   { "est", -300, 0 },
	{ "edt", -240, 0 },  { "cst", -360, 0 },  { "cdt", -300, 0 },
	{ "mst", -420, 0 },  { "mdt", -360, 0 },  { "pst", -480, 0 },
	{ "pdt", -420, 0 },  { "akst", -540, 0 }, { "akdt", -480, 0 },
	{ "hst", -600, 0 },  { "ast", -240, 0 },  { "adt", -180, 0 },
	{ "nst", -210, 0 },  { "ndt", -150, 0 },  { "jst", 540, 0 },
	{ "kst", 540, 0 },   { "hkt", 480, 0 },   { "sgt", 480, 0 },
	{ "awst", 480, 0 },  { "acst", 570, 0 },  { "acdt", 630, 0 },
	{ "aest", 600, 0 },  { "aedt", 660, 0 },  { "nzst", 720, 0 },
	{ "nzdt", 780, 0 },  { "wib", 420, 0 },   { "ict", 420, 0 },
	{ "pkt", 300, 0 },   { "npt", 345, 0 },   { "sast", 120, 0 },
	{ "cat", 120, 0 },   { "eat", 180, 0 },   { "wat", 60, 0 },
	{ "brt", -180, 0 },  { "brst", -120, 0 }, { "art", -180, 0 },
	{ "irst", 210, 0 },  { "gst", 240, 0 },   { "idt", 180, 0 },
	/* US zones without standard/daylight letter, as some feeds write
	 * them ("16:31:00 ET"): standard time, as for EST */
	{ "et", -300, 0 },   { "ct", -360, 0 },   { "mt", -420, 0 },
	{ "pt", -480, 0 },
};

/* Zone named by the lower-case word w (n bytes), or NULL. */
static const struct zone *zone_lookup(const char *w, size_t n)
{
	if (n < 1 || n > 5)
		return NULL;
	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++)
		if (zones[i].name[0] == w[0] && strlen(zones[i].name) == n &&
		    !memcmp(zones[i].name, w, n))
			return &zones[i];
	return NULL;
}

/* Parse a numeric offset at *pp (which points at '+' or '-'): +h, +hh,
 * +hmm, +hhmm, +h:mm, +hh:mm. Sets *off (seconds east) and advances. */
static int parse_offset(const unsigned char **pp, const unsigned char *e,
			int *off)
{
	const unsigned char *p = *pp;
	int sign = *p == '-' ? -1 : 1;
	p++;
	int n = digit_run(p, e), h, m = 0;
	if (n == 1 || n == 2) {
		h = num(p, n);
		p += n;
		if (e - p >= 3 && *p == ':' && is_digit(p[1]) &&
		    is_digit(p[2])) {
			m = num(p + 1, 2);
			p += 3;
		}
	} else if (n == 3 || n == 4) {
		h = num(p, n - 2);
		m = num(p + n - 2, 2);
		p += n;
	} else {
		return 0;
	}
	if (h > 23 || m > 59)
		return 0;
	*off = sign * (h * 3600 + m * 60);
	*pp = p;
	return 1;
}

/* Parse a zone at *pp for the ISO path: Z, a numeric offset, or a zone
 * name (optionally followed by an offset when it is GMT/UTC). */
static int parse_zone(const unsigned char **pp, const unsigned char *e,
		      int *off)
{
	const unsigned char *p = *pp;
	if (*p == '+' || *p == '-') {
		if (!parse_offset(&p, e, off))
			return 0;
		*pp = p;
		return 1;
	}
	if ((*p == 'Z' || *p == 'z') && (p + 1 == e || !is_alpha(p[1]))) {
		*off = 0;
		*pp = p + 1;
		return 1;
	}
	char w[8];
	size_t n = 0;
	while (p < e && is_alpha(*p)) {
		if (n == sizeof w)
			return 0;
		w[n++] = (char)(*p | 0x20);
		p++;
	}
	const struct zone *z = zone_lookup(w, n);
	if (!z)
		return 0;
	*off = z->minutes * 60;
	if (z->utc && p < e && (*p == '+' || *p == '-') && e - p > 1 &&
	    is_digit(p[1]) && !parse_offset(&p, e, off))
		return 0;
	*pp = p;
	return 1;
}

/* ---- ISO 8601 / RFC 3339 / W3C-DTF ---- */

/* Parse an ISO 8601 shaped date. Returns the time, TD_TIME_NONE when the
 * shape is ISO but a field is out of range, or NOT_ISO when the string is
 * not of this shape (the tolerant parser then tries). */
static int64_t parse_iso(const unsigned char *p, const unsigned char *e)
{
	int y, mo = 1, d = 1, h = 0, mi = 0, s = 0, off = 0;
	int week = -1, wday = 1, yday = -1;
	int n = digit_run(p, e);
	if (n == 8 || n == 7) { /* basic: YYYYMMDD, YYYYDDD */
		y = num(p, 4);
		if (n == 8) {
			mo = num(p + 4, 2);
			d = num(p + 6, 2);
		} else {
			yday = num(p + 4, 3);
		}
		p += n;
	} else if (n == 4) {
		y = num(p, 4);
		p += 4;
		if (p < e && *p == '-') {
			p++;
			if (p < e && *p == 'W') {
				if (digit_run(p + 1, e) != 2)
					return NOT_ISO;
				week = num(p + 1, 2);
				p += 3;
				if (p < e && *p == '-') {
					if (digit_run(p + 1, e) != 1)
						return NOT_ISO;
					wday = p[1] - '0';
					p += 2;
				}
			} else {
				int k = digit_run(p, e);
				if (k == 3 && *p == '0' && e - p > 3 && p[3] == '-') {
					/* "2003-012-31": a zero-padded month
					 * (an ordinal date has no day) */
					p++;
					k = 2;
				}
				if (k == 3) {
					yday = num(p, 3);
					p += 3;
				} else if (k == 1 || k == 2) {
					mo = num(p, k);
					p += k;
					if (p < e && *p == '-') {
						k = digit_run(p + 1, e);
						if (k != 1 && k != 2)
							return NOT_ISO;
						d = num(p + 1, k);
						p += 1 + k;
					}
				} else {
					return NOT_ISO;
				}
			}
		} else if (p < e && *p == 'W') { /* basic week date */
			int k = digit_run(p + 1, e);
			if (k != 2 && k != 3)
				return NOT_ISO;
			week = num(p + 1, 2);
			if (k == 3)
				wday = p[3] - '0';
			p += 1 + k;
		} else if (p != e) {
			return NOT_ISO;
		}
	} else {
		return NOT_ISO;
	}

	/* time */
	if (p < e && (*p == 'T' || *p == 't' || *p == ' ')) {
		const unsigned char *q = p + 1;
		if (*p == ' ')
			q = skip_ws(q, e);
		int k = digit_run(q, e);
		if (k == 0)
			return NOT_ISO;
		if (k == 1 || k == 2) { /* extended: h[h]:mm[:ss] or hh */
			h = num(q, k);
			q += k;
			if (q < e && *q == ':') {
				if (digit_run(q + 1, e) != 2)
					return NOT_ISO;
				mi = num(q + 1, 2);
				q += 3;
				if (q < e && *q == ':') {
					if (digit_run(q + 1, e) != 2)
						return NOT_ISO;
					s = num(q + 1, 2);
					q += 3;
				}
			} else if (k == 1) {
				return NOT_ISO;
			}
		} else if (k == 4 || k == 6) { /* basic: hhmm, hhmmss */
			h = num(q, 2);
			mi = num(q + 2, 2);
			if (k == 6)
				s = num(q + 4, 2);
			q += k;
		} else {
			return NOT_ISO;
		}
		if (q < e && (*q == '.' || *q == ',')) {
			int f = digit_run(q + 1, e);
			if (!f)
				return NOT_ISO;
			q += 1 + f;
		}
		p = q;
		const unsigned char *z = skip_ws(p, e);
		if (z < e && *z != '(' && !parse_zone(&z, e, &off))
			return NOT_ISO; /* "... 1:10 PM", "... CET" etc. */
		p = z;
	} else if (p < e && (*p == 'Z' || *p == 'z')) {
		p++; /* date with a zone, no time: "2024-01-06Z" */
	}
	p = skip_ws_comments(p, e);
	if (p != e)
		return NOT_ISO;

	if (week >= 0) {
		if (week < 1 || week > 53 || wday < 1 || wday > 7 ||
		    y < YEAR_MIN || y > YEAR_MAX)
			return TD_TIME_NONE;
		int64_t mon1 = iso_week1_monday(y);
		if (week == 53 && iso_week1_monday(y + 1) - mon1 < 53 * 7)
			return TD_TIME_NONE;
		int64_t days = mon1 + (week - 1) * 7 + (wday - 1);
		if (h > 24 || mi > 59 || s > 60 || (h == 24 && (mi || s)))
			return TD_TIME_NONE;
		int64_t t = days * 86400 + h * 3600 + mi * 60 +
			    (s == 60 ? 59 : s) - off;
		return in_range(t) ? t : TD_TIME_NONE;
	}
	if (yday >= 0) {
		if (yday < 1 || yday > (is_leap(y) ? 366 : 365))
			return TD_TIME_NONE;
		mo = 1;
		while (yday > days_in_month(y, mo)) {
			yday -= days_in_month(y, mo);
			mo++;
		}
		d = yday;
	}
	return make_time(y, mo, d, h, mi, s, off);
}

/* ---- words: folding and name tables ---- */

/* Latin-1 Supplement U+00C0-U+00FF and Latin Extended-A U+0100-U+017F
 * folded to a base ASCII letter ('*' and '/' for the two signs). */
static const char latin1_fold[] = "aaaaaaaceeeeiiiidnooooo*ouuuuyps"
				  "aaaaaaaceeeeiiiidnooooo/ouuuuypy";
static const char latin_ext_fold[] =
	"aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkk"
	"llllllllllnnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuu"
	"wwyyyzzzzzzs";
_Static_assert(sizeof latin1_fold == 65, "latin1_fold covers 64 code points");
_Static_assert(sizeof latin_ext_fold == 129,
	       "latin_ext_fold covers 128 code points");

/* Decode one UTF-8 sequence (2-4 bytes) at p; returns its length or 0. */
static size_t utf8_decode(const unsigned char *p, const unsigned char *e,
			  uint32_t *cp)
{
	size_t n;
	uint32_t v;
	if ((*p & 0xE0) == 0xC0) {
		n = 2;
		v = *p & 0x1F;
	} else if ((*p & 0xF0) == 0xE0) {
		n = 3;
		v = *p & 0x0F;
	} else if ((*p & 0xF8) == 0xF0) {
		n = 4;
		v = *p & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(e - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3F);
	}
	if (v < 0x80 || (n == 3 && v < 0x800) || (n == 4 && v < 0x10000) ||
	    v > 0x10FFFF)
		return 0;
	*cp = v;
	return n;
}

/* Fold a code point: lower case, Latin accents removed, Greek accents and
 * final sigma normalised, Cyrillic lower case with ё as е. */
static uint32_t fold_cp(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c >= 0xC0 && c <= 0xFF)
		return (unsigned char)latin1_fold[c - 0xC0];
	if (c >= 0x100 && c <= 0x17F)
		return (unsigned char)latin_ext_fold[c - 0x100];
	if (c >= 0x391 && c <= 0x3A9)
		c += 0x20;
	switch (c) {
	case 0x386: case 0x3AC: return 0x3B1; /* alpha */
	case 0x388: case 0x3AD: return 0x3B5; /* epsilon */
	case 0x389: case 0x3AE: return 0x3B7; /* eta */
	case 0x38A: case 0x3AF: case 0x390: case 0x3CA: case 0x3AA:
		return 0x3B9; /* iota */
	case 0x38C: case 0x3CC: return 0x3BF; /* omicron */
	case 0x38E: case 0x3CD: case 0x3B0: case 0x3CB: case 0x3AB:
		return 0x3C5; /* upsilon */
	case 0x38F: case 0x3CE: return 0x3C9; /* omega */
	case 0x3C2: return 0x3C3;             /* final sigma */
	default: break;
	}
	if (c >= 0x410 && c <= 0x42F)
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40F)
		c += 0x50;
	if (c == 0x451)
		return 0x435;
	return c;
}

/* Is the code point a letter we let into words (not punctuation or a
 * space)? Latin, Greek and Cyrillic blocks, CJK ideographs, Hangul
 * syllables, and the ordinal indicators. */
static int word_cp(uint32_t c)
{
	return (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) ||
	       (c >= 0x370 && c <= 0x3FF) || (c >= 0x400 && c <= 0x4FF) ||
	       (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7A3) ||
	       c == 0xAA || c == 0xBA;
}

struct word {
	char key[WORD_MAX]; /* folded, dots removed, NUL-terminated */
	size_t len;         /* bytes in key */
	size_t chars;       /* code points in key */
	int upper;          /* all ASCII capitals in the source */
};

/* Read a word at *pp: letters, with dots inside ("a.m.") and one trailing
 * dot ("Jan.") swallowed. Returns 0 when it is not a usable word. */
static int read_word(const unsigned char **pp, const unsigned char *e,
		     struct word *w)
{
	const unsigned char *p = *pp;
	w->len = w->chars = 0;
	w->upper = 1;
	while (p < e) {
		uint32_t c;
		size_t n;
		if (is_alpha(*p)) {
			c = *p;
			n = 1;
			if (*p >= 'a')
				w->upper = 0;
		} else if (*p == '.') {
			p++;
			if (p < e && is_alpha(*p))
				continue; /* a.m. */
			break;
		} else if (*p >= 0x80 && !space_len(p, e) &&
			   (n = utf8_decode(p, e, &c)) && word_cp(c)) {
			w->upper = 0;
		} else {
			break;
		}
		p += n;
		c = fold_cp(c);
		char tmp[4];
		size_t k;
		if (c < 0x80) {
			tmp[0] = (char)c;
			k = 1;
		} else if (c < 0x800) {
			tmp[0] = (char)(0xC0 | c >> 6);
			tmp[1] = (char)(0x80 | (c & 0x3F));
			k = 2;
		} else {
			tmp[0] = (char)(0xE0 | c >> 12);
			tmp[1] = (char)(0x80 | (c >> 6 & 0x3F));
			tmp[2] = (char)(0x80 | (c & 0x3F));
			k = 3;
		}
		if (w->len + k >= WORD_MAX)
			return 0;
		memcpy(w->key + w->len, tmp, k);
		w->len += k;
		w->chars++;
	}
	w->key[w->len] = '\0';
	*pp = p;
	return w->len > 0;
}

/* Month names, folded (lower case, no accents, final sigma as sigma). Full
 * names and forms (genitive etc.) that are not prefixes of another entry;
 * any prefix of three or more letters of these that names a single month
 * also matches ("sept", "févr", "янв"). */
struct name {
	const char *key;
	unsigned char len;
	unsigned char month;
};

#define M(k, m) { k, sizeof(k) - 1, m }

static const struct name months[] = {
	/* English ("mar" exact: Finnish "marraskuu" shares the prefix) */
	M("mar", 3), M("january", 1), M("february", 2), M("march", 3), M("april", 4),
	M("may", 5), M("june", 6), M("july", 7), M("august", 8),
	M("september", 9), M("october", 10), M("november", 11),
	M("december", 12),
	/* German (with Austrian and ASCII forms) */
	M("januar", 1), M("janner", 1), M("februar", 2), M("feber", 2),
	M("marz", 3), M("maerz", 3), M("mrz", 3), M("mai", 5),
	M("juni", 6), M("juli", 7), M("oktober", 10), M("dezember", 12),
	/* French */
	M("janvier", 1), M("fevrier", 2), M("mars", 3), M("avril", 4),
	M("juin", 6), M("juillet", 7), M("aout", 8), M("septembre", 9),
	M("octobre", 10), M("novembre", 11), M("decembre", 12),
	/* Spanish */
	M("enero", 1), M("febrero", 2), M("marzo", 3), M("abril", 4),
	M("mayo", 5), M("junio", 6), M("julio", 7), M("agosto", 8),
	M("septiembre", 9), M("setiembre", 9), M("octubre", 10),
	M("noviembre", 11), M("diciembre", 12),
	/* Italian */
	M("gennaio", 1), M("febbraio", 2), M("aprile", 4), M("maggio", 5),
	M("giugno", 6), M("luglio", 7), M("settembre", 9), M("ottobre", 10),
	M("dicembre", 12),
	/* Portuguese */
	M("janeiro", 1), M("fevereiro", 2), M("marco", 3), M("maio", 5),
	M("junho", 6), M("julho", 7), M("setembro", 9), M("outubro", 10),
	M("novembro", 11), M("dezembro", 12),
	/* Dutch */
	M("januari", 1), M("februari", 2), M("maart", 3), M("mrt", 3),
	M("mei", 5), M("augustus", 8),
	/* Hungarian */
	M("marcius", 3), M("aprilis", 4), M("majus", 5), M("junius", 6),
	M("julius", 7), M("augusztus", 8), M("szeptember", 9),
	/* Turkish */
	M("ocak", 1), M("subat", 2), M("mart", 3), M("nisan", 4),
	M("mayis", 5), M("haziran", 6), M("temmuz", 7), M("agustos", 8),
	M("eylul", 9), M("ekim", 10), M("kasim", 11), M("aralik", 12),
	/* Finnish (partitive; the nominative is a prefix) */
	M("tammikuuta", 1), M("helmikuuta", 2), M("maaliskuuta", 3),
	M("huhtikuuta", 4), M("toukokuuta", 5), M("kesakuuta", 6),
	M("heinakuuta", 7), M("elokuuta", 8), M("syyskuuta", 9),
	M("lokakuuta", 10), M("marraskuuta", 11), M("joulukuuta", 12),
	/* Swedish, Norwegian, Danish */
	M("maj", 5), M("augusti", 8), M("marts", 3), M("desember", 12),
	/* Polish (nominative, genitive) */
	M("styczen", 1), M("stycznia", 1), M("luty", 2), M("lutego", 2),
	M("marzec", 3), M("marca", 3), M("kwiecien", 4), M("kwietnia", 4),
	M("maja", 5), M("czerwiec", 6), M("czerwca", 6), M("lipiec", 7),
	M("lipca", 7), M("sierpien", 8), M("sierpnia", 8),
	M("wrzesien", 9), M("wrzesnia", 9), M("pazdziernik", 10),
	M("pazdziernika", 10), M("listopad", 11), M("listopada", 11),
	M("grudzien", 12), M("grudnia", 12),
	/* Czech (nominative, genitive) */
	M("leden", 1), M("ledna", 1), M("unor", 2), M("unora", 2),
	M("brezen", 3), M("brezna", 3), M("duben", 4), M("dubna", 4),
	M("kveten", 5), M("kvetna", 5), M("cerven", 6), M("cervna", 6),
	M("cervenec", 7), M("cervence", 7), M("srpen", 8), M("srpna", 8),
	M("zari", 9), M("rijen", 10), M("rijna", 10), M("listopadu", 11),
	M("prosinec", 12), M("prosince", 12),
	/* Russian (nominative, genitive) */
	M("январь", 1), M("января", 1), M("февраль", 2), M("февраля", 2),
	M("март", 3), M("марта", 3), M("апрель", 4), M("апреля", 4),
	M("май", 5), M("мая", 5), M("июнь", 6), M("июня", 6),
	M("июль", 7), M("июля", 7), M("август", 8), M("августа", 8),
	M("сентябрь", 9), M("сентября", 9), M("октябрь", 10),
	M("октября", 10), M("ноябрь", 11), M("ноября", 11),
	M("декабрь", 12), M("декабря", 12),
	/* Greek (nominative, genitive; accents folded) */
	M("ιανουαριοσ", 1), M("ιανουαριου", 1), M("φεβρουαριοσ", 2),
	M("φεβρουαριου", 2), M("μαρτιοσ", 3), M("μαρτιου", 3),
	M("απριλιοσ", 4), M("απριλιου", 4), M("μαιοσ", 5), M("μαιου", 5),
	M("ιουνιοσ", 6), M("ιουνιου", 6), M("ιουλιοσ", 7), M("ιουλιου", 7),
	M("αυγουστοσ", 8), M("αυγουστου", 8), M("σεπτεμβριοσ", 9),
	M("σεπτεμβριου", 9), M("οκτωβριοσ", 10), M("οκτωβριου", 10),
	M("νοεμβριοσ", 11), M("νοεμβριου", 11), M("δεκεμβριοσ", 12),
	M("δεκεμβριου", 12),
};

struct str {
	const char *s;
	size_t len;
};

#define S(k) { k, sizeof(k) - 1 }

/* Weekday names, folded; any prefix of two or more letters matches. */
static const struct str weekdays[] = {
	/* English */
	S("monday"), S("tuesday"), S("wednesday"), S("thursday"),
	S("friday"), S("saturday"), S("sunday"),
	/* German */
	S("montag"), S("dienstag"), S("mittwoch"), S("donnerstag"),
	S("freitag"), S("samstag"), S("sonnabend"), S("sonntag"),
	/* French */
	S("lundi"), S("mardi"), S("mercredi"), S("jeudi"), S("vendredi"),
	S("samedi"), S("dimanche"),
	/* Spanish */
	S("lunes"), S("martes"), S("miercoles"), S("jueves"), S("viernes"),
	S("sabado"), S("domingo"),
	/* Italian */
	S("lunedi"), S("martedi"), S("mercoledi"), S("giovedi"),
	S("venerdi"), S("sabato"), S("domenica"),
	/* Portuguese ("-feira" is a filler) */
	S("segunda"), S("terca"), S("quarta"), S("quinta"), S("sexta"),
	/* Dutch */
	S("maandag"), S("dinsdag"), S("woensdag"), S("donderdag"),
	S("vrijdag"), S("zaterdag"), S("zondag"),
	/* Swedish, Norwegian, Danish */
	S("mandag"), S("tirsdag"), S("tisdag"), S("onsdag"), S("torsdag"),
	S("fredag"), S("lordag"), S("sondag"),
	/* Polish */
	S("poniedzialek"), S("wtorek"), S("sroda"), S("czwartek"),
	S("piatek"), S("sobota"), S("niedziela"),
	/* Czech */
	S("pondeli"), S("utery"), S("streda"), S("ctvrtek"), S("patek"),
	S("nedele"),
	/* Russian */
	S("понедельник"), S("вторник"), S("среда"), S("четверг"),
	S("пятница"), S("суббота"), S("воскресенье"),
	/* Hungarian */
	S("hetfo"), S("kedd"), S("szerda"), S("csutortok"), S("pentek"),
	S("szombat"), S("vasarnap"),
	/* Turkish */
	S("pazartesi"), S("sali"), S("carsamba"), S("persembe"), S("cuma"),
	S("cumartesi"), S("pazar"),
	/* Finnish */
	S("maanantai"), S("tiistai"), S("keskiviikko"), S("torstai"),
	S("perjantai"), S("lauantai"), S("sunnuntai"),
	/* Greek */
	S("δευτερα"), S("τριτη"), S("τεταρτη"), S("πεμπτη"),
	S("παρασκευη"), S("σαββατο"), S("κυριακη"),
};

/* Weekday abbreviations that are not prefixes of the names above. */
static const struct str weekday_abbr[] = {
	S("pn"), S("pt"), S("sb"), S("nd"), S("niedz"), /* Polish */
	S("pzt"), S("cmt"),                              /* Turkish */
	S("пн"), S("чт"), S("пт"), S("сб"), S("вс"),     /* Russian */
};

/* Words that may sit between date parts and mean nothing to us. */
static const struct str fillers[] = {
	S("at"),  S("the"), S("of"),   S("on"),    S("t"),    S("de"),
	S("del"), S("el"),  S("las"),  S("a"),     S("as"),   S("o"),
	S("le"),  S("um"),  S("uhr"),  S("am"),    S("den"),  S("der"),
	S("om"),  S("kl"),  S("klo"),  S("kello"), S("alle"), S("ore"),
	S("r"),   S("godz"), S("feira"), S("г"),   S("года"), S("в"),
};

static int key_eq(const struct word *w, const char *s, size_t n)
{
	return n == w->len && w->key[0] == s[0] && !memcmp(w->key, s, n);
}

static int key_prefix_of(const struct word *w, const char *s, size_t n)
{
	return n >= w->len && w->key[0] == s[0] && !memcmp(w->key, s, w->len);
}

static int key_is(const struct word *w, const char *s)
{
	return key_eq(w, s, strlen(s));
}

/* Month 1-12 named by the word, or 0 (unknown or ambiguous prefix). */
static int month_lookup(const struct word *w)
{
	size_t n = sizeof months / sizeof months[0];
	for (size_t i = 0; i < n; i++)
		if (key_eq(w, months[i].key, months[i].len))
			return months[i].month;
	if (w->chars < 3)
		return 0;
	int found = 0;
	for (size_t i = 0; i < n; i++) {
		if (!key_prefix_of(w, months[i].key, months[i].len))
			continue;
		if (found && found != months[i].month)
			return 0;
		found = months[i].month;
	}
	return found;
}

static int is_weekday(const struct word *w)
{
	for (size_t i = 0; i < sizeof weekday_abbr / sizeof weekday_abbr[0];
	     i++)
		if (key_eq(w, weekday_abbr[i].s, weekday_abbr[i].len))
			return 1;
	if (w->chars < 2)
		return 0;
	for (size_t i = 0; i < sizeof weekdays / sizeof weekdays[0]; i++)
		if (key_prefix_of(w, weekdays[i].s, weekdays[i].len))
			return 1;
	return 0;
}

static int is_filler(const struct word *w)
{
	for (size_t i = 0; i < sizeof fillers / sizeof fillers[0]; i++)
		if (key_eq(w, fillers[i].s, fillers[i].len))
			return 1;
	return 0;
}

/* ---- the tolerant parser ---- */

struct fields {
	int year, mon, day, hour, min, sec; /* -1 when not seen */
	int year_digits;
	int mon_weekday; /* the month word was also a weekday ("mar.") */
	int ampm;        /* 0, 'a' or 'p' */
	int num_off, name_off;
	int have_num_off, have_name_off;
	int after_utc; /* the last token was GMT/UTC: an offset may follow */
	int cjk_off;   /* zone implied by Korean/Japanese/Chinese words */
	int have_cjk_off;
};

/* Korean, Japanese and Chinese dates carry no zone but name their country:
 * Hangul units and 오전/오후 mean Korea (+09:00, as feedparser reads
 * them), 午前/午後/曜日 Japan (+09:00), 上午/下午/星期 China (+08:00). Used
 * only when no zone is written. The ideographs 年月日 alone are shared and
 * imply nothing. */
static void cjk_zone(struct fields *f, int minutes)
{
	if (!f->have_cjk_off) {
		f->have_cjk_off = 1;
		f->cjk_off = minutes * 60;
	}
}

/* Assign a numeric date (three groups a sep b sep c, with digit counts). */
static int numeric_date(struct fields *f, const int v[3], const int nd[3],
			int sep)
{
	int y, m, d;
	if (f->year >= 0 || f->mon >= 0 || f->day >= 0)
		return 0;
	if (nd[0] == 4) { /* Y-M-D in any separator */
		if (nd[1] > 2 || nd[2] > 2)
			return 0;
		y = v[0];
		m = v[1];
		d = v[2];
		f->year_digits = 4;
	} else {
		if (nd[0] > 2 || nd[1] > 2 || (nd[2] != 2 && nd[2] != 4))
			return 0;
		y = v[2];
		f->year_digits = nd[2];
		if (sep == '.' || (v[0] > 12 && v[1] <= 12) || v[0] == v[1]) {
			d = v[0];
			m = v[1];
		} else if (v[1] > 12 && v[0] <= 12) {
			m = v[0];
			d = v[1];
		} else {
			return 0; /* 06/01/2024: June or January? */
		}
	}
	f->year = y;
	f->mon = m;
	f->day = d;
	return 1;
}

/* A time h:mm[:ss[.frac]] (or 13h10) has been read. */
static int set_time(struct fields *f, int h, int m, int s)
{
	if (f->hour >= 0)
		return 0;
	f->hour = h;
	f->min = m;
	f->sec = s;
	return 1;
}

/* A number n digits long with value v followed by a CJK unit (ending at
 * next). */
static int cjk_unit(const unsigned char **pp, const unsigned char *next,
		    struct fields *f, int v, int n, uint32_t unit)
{
	int *slot;
	switch (unit) {
	case 0xB144: /* 년 */
	case 0xC6D4: /* 월 */
	case 0xC77C: /* 일 */
	case 0xC2DC: /* 시 */
	case 0xBD84: /* 분 */
	case 0xCD08: /* 초 */
		cjk_zone(f, 540);
		break;
	default:
		break;
	}
	switch (unit) {
	case 0x5E74: /* 年 */
	case 0xB144:
		if (n != 4 && n != 2)
			return 0;
		f->year_digits = n;
		slot = &f->year;
		break;
	case 0x6708: /* 月 */
	case 0xC6D4:
		slot = &f->mon;
		if (f->mon_weekday)
			f->mon = -1;
		break;
	case 0x65E5: /* 日 */
	case 0x53F7: /* 号 */
	case 0xC77C:
		slot = &f->day;
		break;
	case 0x6642: /* 時 */
	case 0x65F6: /* 时 */
	case 0x70B9: /* 点 */
	case 0xC2DC:
		slot = &f->hour;
		break;
	case 0x5206: /* 分 */
	case 0xBD84:
		slot = &f->min;
		break;
	case 0x79D2: /* 秒 */
	case 0xCD08:
		slot = &f->sec;
		break;
	default:
		return 0;
	}
	if (*slot >= 0 || (slot != &f->year && n > 2))
		return 0;
	*slot = v;
	*pp = next;
	return 1;
}

/* Parse a token starting with a digit. */
static int number_token(const unsigned char **pp, const unsigned char *e,
			struct fields *f)
{
	const unsigned char *p = *pp;
	int n = digit_run(p, e);
	if (n > 4)
		return 0;
	int v = num(p, n);
	p += n;

	/* CJK units: 2024年1月6日 10時10分, 2024년 1월 6일 */
	uint32_t unit;
	size_t ul;
	if (p < e && *p >= 0x80 && (ul = utf8_decode(p, e, &unit)) &&
	    (unit >= 0x4E00 && unit <= 0xD7A3))
		return cjk_unit(pp, p + ul, f, v, n, unit);

	/* time: h[h]:mm[:ss][.frac] */
	if (p < e && *p == ':' && n <= 2) {
		if (digit_run(p + 1, e) != 2)
			return 0;
		int m = num(p + 1, 2), s = 0;
		p += 3;
		if (p < e && *p == ':') {
			if (digit_run(p + 1, e) != 2)
				return 0;
			s = num(p + 1, 2);
			p += 3;
			if (p < e && (*p == '.' || *p == ',') &&
			    digit_run(p + 1, e) > 0)
				p += 1 + digit_run(p + 1, e);
		}
		*pp = p;
		return set_time(f, v, m, s);
	}
	/* French/Portuguese 13h10 */
	if (p < e && (*p == 'h' || *p == 'H') && n <= 2 &&
	    digit_run(p + 1, e) == 2) {
		int m = num(p + 1, 2);
		p += 3;
		*pp = p;
		return set_time(f, v, m, 0);
	}
	/* numeric dates: a-b-c, a/b/c, a.b.c; and hh.mm after a date */
	if (p < e && (*p == '-' || *p == '/' || *p == '.') &&
	    digit_run(p + 1, e) > 0) {
		int sep = *p, vv[3], nd[3];
		vv[0] = v;
		nd[0] = n;
		int k = digit_run(p + 1, e);
		if (k > 4)
			return 0;
		vv[1] = num(p + 1, k);
		nd[1] = k;
		p += 1 + k;
		if (p < e && *p == sep && digit_run(p + 1, e) > 0) {
			k = digit_run(p + 1, e);
			if (k > 4)
				return 0;
			vv[2] = num(p + 1, k);
			nd[2] = k;
			p += 1 + k;
			if (sep == '.' && p < e && *p == '.')
				p++; /* 06.01.2024. */
			*pp = p;
			return numeric_date(f, vv, nd, sep);
		}
		/* two groups: 13.10 as a time once the date is complete */
		if (sep == '.' && n <= 2 && nd[1] == 2 && f->year >= 0 &&
		    f->mon >= 0 && f->day >= 0) {
			*pp = p;
			return set_time(f, v, vv[1], 0);
		}
		return 0;
	}
	/* ordinal suffixes: 1st 2nd 3rd 4th, French 1er, 1º 1ª */
	int ordinal = 0;
	if (e - p >= 2 && is_alpha(p[0]) && is_alpha(p[1]) &&
	    (e - p == 2 || !is_alpha(p[2]))) {
		char a = (char)(p[0] | 0x20), b = (char)(p[1] | 0x20);
		if ((a == 's' && b == 't') || (a == 'n' && b == 'd') ||
		    (a == 'r' && b == 'd') || (a == 't' && b == 'h') ||
		    (a == 'e' && b == 'r')) {
			ordinal = 1;
			p += 2;
		}
	} else if (e - p >= 2 && p[0] == 0xC2 &&
		   (p[1] == 0xBA || p[1] == 0xAA)) {
		ordinal = 1;
		p += 2;
	}
	if (!ordinal && p < e && *p == '.')
		p++; /* German "6. Januar" */
	*pp = p;
	if (ordinal) {
		if (n > 2 || f->day >= 0)
			return 0;
		f->day = v;
		return 1;
	}
	if (n >= 3) {
		if (f->year >= 0)
			return 0;
		f->year = v;
		f->year_digits = n;
		return 1;
	}
	if (f->day < 0) {
		f->day = v;
		return 1;
	}
	if (f->year < 0) {
		f->year = v;
		f->year_digits = n;
		return 1;
	}
	return 0;
}

/* English three-letter month (1-12) or weekday (-1) abbreviations, the
 * common case, without the table scans; 0 for anything else. */
static int english3(const struct word *w)
{
	static const char mon[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	static const char wdays[] = "monsuntuewedthufrisat";
	if (w->len != 3)
		return 0;
	for (int i = 0; i < 12; i++)
		if (!memcmp(w->key, mon + 3 * i, 3))
			return i + 1;
	for (int i = 0; i < 7; i++)
		if (!memcmp(w->key, wdays + 3 * i, 3))
			return -1;
	return 0;
}

static int key_starts(const struct word *w, const char *s)
{
	size_t n = strlen(s);
	return w->len >= n && !memcmp(w->key, s, n);
}

static int key_ends(const struct word *w, const char *s)
{
	size_t n = strlen(s);
	return w->len >= n && !memcmp(w->key + w->len - n, s, n);
}

/* Korean, Japanese and Chinese words: AM/PM (written before the time) and
 * weekdays. Returns 1 when the word was one of them. */
static int cjk_word(const struct word *w, struct fields *f)
{
	static const struct {
		const char *key;
		char ampm;
		short zone; /* minutes, or 0 */
	} t[] = {
		{ "오전", 'a', 540 }, { "오후", 'p', 540 },
		{ "午前", 'a', 540 }, { "午後", 'p', 540 },
		{ "上午", 'a', 480 }, { "下午", 'p', 480 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		if (!key_is(w, t[i].key))
			continue;
		if (f->ampm)
			return 0;
		f->ampm = t[i].ampm;
		cjk_zone(f, t[i].zone);
		return 1;
	}
	if (key_ends(w, "曜日") || key_ends(w, "曜")) {
		cjk_zone(f, 540);
		return 1;
	}
	if (key_ends(w, "요일")) {
		cjk_zone(f, 540);
		return 1;
	}
	if (key_starts(w, "星期") || key_starts(w, "礼拜") ||
	    key_starts(w, "禮拜")) {
		cjk_zone(f, 480);
		return 1;
	}
	if ((key_starts(w, "周") || key_starts(w, "週")) && w->chars == 2)
		return 1;
	return 0;
}

/* Handle a word. */
static int word_token(const struct word *w, struct fields *f)
{
	int have_time = f->hour >= 0;
	f->after_utc = 0;
	if ((unsigned char)w->key[0] >= 0xE3 && cjk_word(w, f))
		return 1;
	int fast = english3(w);
	if (fast < 0)
		return 1; /* weekday */
	if (fast > 0 && fast != 3) {
		if (f->mon < 0 || f->mon_weekday) {
			f->mon = fast;
			f->mon_weekday = 0;
			return 1;
		}
		return 0;
	}
	if (have_time && (key_is(w, "am") || key_is(w, "pm"))) {
		if (f->ampm)
			return 0;
		f->ampm = w->key[0];
		return 1;
	}
	/* zones first: no zone name is a month name or prefix */
	if (have_time && w->upper && key_is(w, "at")) {
		/* "16:31:00 AT": Atlantic; the lower-case "at" before a time
		 * is a filler word ("Jan 5 at 10:00") */
		if (!f->have_name_off) {
			f->have_name_off = 1;
			f->name_off = -240 * 60;
		}
		return 1;
	}
	if (key_is(w, "etc") && w->len == 3) /* "Etc/GMT": tz database name */
		return 1;
	const struct zone *z = zone_lookup(w->key, w->len);
	if (z && (w->len > 1 || have_time)) {
		if (!f->have_name_off) {
			f->have_name_off = 1;
			f->name_off = z->minutes * 60;
		}
		f->after_utc = z->utc;
		return 1;
	}
	int m = month_lookup(w);
	if (m) {
		int wd = is_weekday(w);
		if (f->mon < 0 || f->mon_weekday) {
			f->mon = m;
			f->mon_weekday = wd;
			return 1;
		}
		return wd; /* a second month word: fine if it is a weekday */
	}
	if (w->len == 1 && have_time && w->key[0] >= 'a' && w->key[0] <= 'z' &&
	    w->key[0] != 'j') {
		/* military zone: no information, UTC (RFC 2822 4.3) */
		if (!f->have_name_off) {
			f->have_name_off = 1;
			f->name_off = 0;
		}
		return 1;
	}
	if (is_weekday(w) || is_filler(w))
		return 1;
	if (have_time && w->upper && w->len >= 3 && w->len <= 5) {
		/* unknown zone abbreviation: "-0000" (RFC 2822 4.3) */
		if (!f->have_name_off) {
			f->have_name_off = 1;
			f->name_off = 0;
		}
		return 1;
	}
	return 0;
}

static int64_t parse_loose(const unsigned char *p, const unsigned char *e)
{
	struct fields f = { .year = -1, .mon = -1, .day = -1, .hour = -1,
			    .min = -1, .sec = -1 };
	while (p < e) {
		size_t sp = space_len(p, e);
		if (sp) {
			p += sp;
			continue;
		}
		unsigned char c = *p;
		if (c == '(') {
			p = skip_comment(p, e);
		} else if (c == ',' || c == ';' || c == '@' || c == '|' ||
			   c == '.') {
			p++;
		} else if (is_digit(c)) {
			f.after_utc = 0;
			if (!number_token(&p, e, &f))
				return TD_TIME_NONE;
		} else if (c == '+' || c == '-') {
			if ((f.hour >= 0 || f.after_utc) && !f.have_num_off &&
			    e - p > 1 && is_digit(p[1])) {
				if (!parse_offset(&p, e, &f.num_off))
					return TD_TIME_NONE;
				f.have_num_off = 1;
			} else if (c == '-') {
				p++; /* 06-Jan-2024 */
			} else {
				return TD_TIME_NONE;
			}
			f.after_utc = 0;
		} else if (is_alpha(c) || c >= 0x80) {
			struct word w;
			if (!read_word(&p, e, &w) || !word_token(&w, &f))
				return TD_TIME_NONE;
			if (p < e && *p == '/' && w.len == 3 && key_is(&w, "etc"))
				p++; /* "Etc/GMT" */
		} else {
			return TD_TIME_NONE;
		}
	}

	if (f.year < 0 || f.mon < 0)
		return TD_TIME_NONE;
	if (f.day < 0) {
		if (f.hour >= 0)
			return TD_TIME_NONE;
		f.day = 1; /* "January 2024" */
	}
	int y = f.year;
	if (f.year_digits <= 2)
		y += y < 50 ? 2000 : 1900;
	else if (f.year_digits == 3)
		y += 1900;
	int h = f.hour < 0 ? 0 : f.hour, mi = f.min < 0 ? 0 : f.min;
	int s = f.sec < 0 ? 0 : f.sec;
	if (f.ampm && f.hour >= 0) {
		if (h > 12 || (h == 0 && f.ampm == 'p'))
			return TD_TIME_NONE;
		if (f.ampm == 'a' && h == 12)
			h = 0;
		else if (f.ampm == 'p' && h < 12)
			h += 12;
	} else if (h == 24) {
		return TD_TIME_NONE; /* only ISO 8601 has 24:00 */
	}
	int off = f.have_num_off    ? f.num_off
		  : f.have_name_off ? f.name_off
		  : f.have_cjk_off  ? f.cjk_off
				    : 0;
	return make_time(y, f.mon, f.day, h, mi, s, off);
}

/* ---- RFC 822 fast path ---- */

/* The exact shape most RSS feeds write, "Sat, 06 Jan 2024 01:10:00 +0000"
 * (weekday optional, seconds optional, zone +hhmm/-hhmm/GMT/UT/UTC/Z or
 * absent), read without the general machinery. Anything else is NOT_ISO
 * and goes to parse_loose, which gives the same answer, only slower. */
static int64_t parse_rfc822(const unsigned char *p, const unsigned char *e)
{
	static const char mon[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	static const char wdays[] = "monsuntuewedthufrisat";
	char w[3];
	int d, m = 0, y, h, mi, s = 0, off = 0, i;
	if (e - p >= 5 && is_alpha(p[0]) && p[3] == ',' && p[4] == ' ') {
		for (i = 0; i < 3; i++)
			w[i] = (char)(p[i] | 0x20);
		for (i = 0; i < 7 && memcmp(w, wdays + 3 * i, 3); i++)
			;
		if (i == 7)
			return NOT_ISO;
		p += 5;
	}
	int n = digit_run(p, e);
	if ((n != 1 && n != 2) || e - p < n + 15 || p[n] != ' ')
		return NOT_ISO;
	d = num(p, n);
	p += n + 1;
	if (!is_alpha(p[0]) || !is_alpha(p[1]) || !is_alpha(p[2]) ||
	    p[3] != ' ')
		return NOT_ISO;
	for (i = 0; i < 3; i++)
		w[i] = (char)(p[i] | 0x20);
	for (i = 0; i < 12 && !m; i++)
		if (!memcmp(w, mon + 3 * i, 3))
			m = i + 1;
	if (!m || digit_run(p + 4, e) != 4 || p[8] != ' ' ||
	    digit_run(p + 9, e) != 2 || p[11] != ':' ||
	    digit_run(p + 12, e) != 2)
		return NOT_ISO;
	y = num(p + 4, 4);
	h = num(p + 9, 2);
	mi = num(p + 12, 2);
	p += 14;
	if (e - p >= 3 && p[0] == ':' && digit_run(p + 1, e) == 2) {
		s = num(p + 1, 2);
		p += 3;
	}
	if (p < e) {
		if (*p++ != ' ' || p == e)
			return NOT_ISO;
		if ((*p == '+' || *p == '-') && e - p == 5 &&
		    digit_run(p + 1, e) == 4) {
			int hh = num(p + 1, 2), mm = num(p + 3, 2);
			if (hh > 23 || mm > 59)
				return NOT_ISO;
			off = (*p == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
		} else if (!((e - p == 3 && (p[0] | 0x20) == 'g' &&
			      (p[1] | 0x20) == 'm' && (p[2] | 0x20) == 't') ||
			     (e - p == 3 && (p[0] | 0x20) == 'u' &&
			      (p[1] | 0x20) == 't' && (p[2] | 0x20) == 'c') ||
			     (e - p == 2 && (p[0] | 0x20) == 'u' &&
			      (p[1] | 0x20) == 't') ||
			     (e - p == 1 && (p[0] | 0x20) == 'z'))) {
			return NOT_ISO;
		}
	}
	if (h == 24)
		return TD_TIME_NONE; /* only ISO 8601 has 24:00 */
	return make_time(y, m, d, h, mi, s, off);
}

/* ---- entry point ---- */

int64_t feed_date_parse(const char *s, size_t len)
{
	if (!s)
		return TD_TIME_NONE;
	const unsigned char *p = (const unsigned char *)s, *e = p + len;
	p = skip_ws(p, e);
	while (e > p) { /* trim trailing spaces */
		const unsigned char *q = e - 1;
		while (q > p && (*q & 0xC0) == 0x80)
			q--;
		if (!space_len(q, e))
			break;
		e = q;
	}
	if (p == e || e - p > DATE_MAX_LEN)
		return TD_TIME_NONE;

	int n = digit_run(p, e);
	if (n == e - p && (n == 9 || n == 10 || n == 13)) {
		/* Unix seconds or milliseconds */
		int64_t t = 0;
		for (int i = 0; i < n; i++)
			t = t * 10 + (p[i] - '0');
		if (n == 13)
			t /= 1000;
		return in_range(t) ? t : TD_TIME_NONE;
	}
	int64_t t = n >= 4 ? parse_iso(p, e) : parse_rfc822(p, e);
	return t != NOT_ISO ? t : parse_loose(p, e);
}
