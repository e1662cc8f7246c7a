/*
 * tz.c - TZif zone files and UTC-to-local conversion (see tz.h).
 *
 * Written from RFC 8536 and POSIX's description of the TZ variable. Every
 * byte of a zone file is treated as hostile: counts are bounded and checked
 * against the bytes present before anything is read or allocated, every
 * index is checked, and every arithmetic step on an instant is either
 * proved in range or overflow-checked.
 */
#include "core/tz.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/time.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Largest |UTC offset| and |rule time of day|: RFC 8536 lets footer rule
 * times reach 167:59:59; real offsets stay under 26 hours. Bounding both
 * keeps every sum of an offset and a date far from int64 overflow. */
#define MAX_SECS (167 * 3600 + 59 * 60 + 59)
/* Longest abbreviation kept ("CEST", "+0545"; POSIX wants >= 3 chars). */
#define ABBR_MAX 32
/* Bounds on a file's counts. tzdata's largest zones have a few hundred
 * transitions, a dozen types, 30 leap seconds and a footer of 50 bytes;
 * these leave generous room and cap memory whatever the header claims. */
#define MAX_TIMES 65536
#define MAX_CHARS 65536
#define MAX_LEAPS 4096
#define MAX_LEAPCORR 86400
#define FOOTER_MAX 256

#define DAY 86400
#define CYCLE_DAYS 146097 /* days in 400 Gregorian years, 20871 weeks */
#define CYCLE_SECS ((int64_t)CYCLE_DAYS * DAY)

/* ==== calendar =========================================================== */

static int64_t floordiv(int64_t a, int64_t b) /* b > 0 */
{
	int64_t q = a / b;
	return (a % b < 0) ? q - 1 : q;
}

static int64_t floormod(int64_t a, int64_t b) /* b > 0; result in [0, b) */
{
	int64_t r = a % b;
	return r < 0 ? r + b : r;
}

static int is_leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int month_days(int64_t y, int m)
{
	static const unsigned char n[12] = {31, 28, 31, 30, 31, 30,
					    31, 31, 30, 31, 30, 31};
	return n[m - 1] + (m == 2 && is_leap(y));
}

/* Proleptic Gregorian date of day z (days since 1970-01-01), by shifting
 * to years that start on March 1st so the leap day ends each year. Exact
 * for |z| < 2^50, far beyond what callers pass. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468; /* days from 0000-03-01 to 1970-01-01 */
	int64_t era = floordiv(z, CYCLE_DAYS);
	int64_t doe = z - era * CYCLE_DAYS; /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;		       /* March = 0 */
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* ==== POSIX TZ strings (the footer) ====================================== */

struct rule_date {
	char kind;    /* 'J' (1-365, no Feb 29), 'n' (0-365), 'M' */
	int a, b, c;  /* J/n: day in a; M: month a, week b, weekday c */
	int32_t secs; /* local time of day, -MAX_SECS .. MAX_SECS */
};

struct footer {
	int present; /* a non-empty TZ string was given */
	int has_dst;
	int32_t std_off, dst_off; /* UTC offsets, east positive */
	struct rule_date start, end;
	char std_abbr[ABBR_MAX + 1], dst_abbr[ABBR_MAX + 1];
};

struct cur {
	const char *p, *end;
};

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static int peek(const struct cur *c) { return c->p < c->end ? *c->p : -1; }

static int eat(struct cur *c, int ch)
{
	if (peek(c) != ch)
		return 0;
	c->p++;
	return 1;
}

/* Unquoted: 3+ letters. Quoted: <3+ of letters, digits, '+', '-'>. */
static int parse_name(struct cur *c, char *out)
{
	int quoted = eat(c, '<');
	const char *b = c->p;
	while (c->p < c->end &&
	       (is_alpha(*c->p) ||
		(quoted && (is_digit(*c->p) || *c->p == '+' || *c->p == '-'))))
		c->p++;
	size_t n = (size_t)(c->p - b);
	if (n < 3 || n > ABBR_MAX || (quoted && !eat(c, '>')))
		return -1;
	memcpy(out, b, n);
	out[n] = '\0';
	return 0;
}

/* Decimal number in [lo, hi] (hi < 10^6, so no overflow). */
static int parse_num(struct cur *c, int lo, int hi, int *out)
{
	int v = 0;
	if (!is_digit(peek(c)))
		return -1;
	while (is_digit(peek(c))) {
		v = v * 10 + (*c->p++ - '0');
		if (v > hi)
			return -1;
	}
	if (v < lo)
		return -1;
	*out = v;
	return 0;
}

/* [+-]hh[:mm[:ss]] with hh <= 167, as seconds. */
static int parse_hms(struct cur *c, int32_t *out)
{
	int neg = 0, h, m = 0, s = 0;
	if (eat(c, '-'))
		neg = 1;
	else
		eat(c, '+');
	if (parse_num(c, 0, 167, &h))
		return -1;
	if (eat(c, ':')) {
		if (parse_num(c, 0, 59, &m))
			return -1;
		if (eat(c, ':') && parse_num(c, 0, 59, &s))
			return -1;
	}
	int32_t v = h * 3600 + m * 60 + s;
	*out = neg ? -v : v;
	return 0;
}

static int parse_date(struct cur *c, struct rule_date *r)
{
	r->b = r->c = 0;
	if (eat(c, 'J')) {
		r->kind = 'J';
		if (parse_num(c, 1, 365, &r->a))
			return -1;
	} else if (eat(c, 'M')) {
		r->kind = 'M';
		if (parse_num(c, 1, 12, &r->a) || !eat(c, '.') ||
		    parse_num(c, 1, 5, &r->b) || !eat(c, '.') ||
		    parse_num(c, 0, 6, &r->c))
			return -1;
	} else {
		r->kind = 'n';
		if (parse_num(c, 0, 365, &r->a))
			return -1;
	}
	r->secs = 2 * 3600;
	if (eat(c, '/') && parse_hms(c, &r->secs))
		return -1;
	return 0;
}

/* Parse s[0..n) into f; 0 or -1. An empty string means "no rule". */
static int parse_tzstring(const char *s, size_t n, struct footer *f)
{
	struct cur c = {s, s + n};
	int32_t v;
	memset(f, 0, sizeof *f);
	if (n == 0)
		return 0;
	f->present = 1;
	if (parse_name(&c, f->std_abbr) || parse_hms(&c, &v))
		return -1;
	f->std_off = -v; /* POSIX counts hours west */
	if (c.p == c.end)
		return 0;
	f->has_dst = 1;
	if (parse_name(&c, f->dst_abbr))
		return -1;
	if (c.p < c.end && *c.p != ',') {
		if (parse_hms(&c, &v))
			return -1;
		f->dst_off = -v;
	} else {
		f->dst_off = f->std_off + 3600;
		if (f->dst_off > MAX_SECS)
			return -1;
	}
	if (c.p == c.end) { /* no rule: the US rule, as tzcode assumes */
		f->start = (struct rule_date){'M', 3, 2, 0, 2 * 3600};
		f->end = (struct rule_date){'M', 11, 1, 0, 2 * 3600};
		return 0;
	}
	if (!eat(&c, ',') || parse_date(&c, &f->start) || !eat(&c, ',') ||
	    parse_date(&c, &f->end))
		return -1;
	return c.p == c.end ? 0 : -1;
}

/* UTC instant of rule date r in year y (|y| small: see footer_offset),
 * given the offset in effect just before it. */
static int64_t rule_instant(const struct rule_date *r, int64_t y, int32_t off)
{
	int64_t day;
	if (r->kind == 'J') {
		day = td_days_from_civil(y, 1, 1) + r->a - 1 +
		      (is_leap(y) && r->a >= 60);
	} else if (r->kind == 'n') {
		day = td_days_from_civil(y, 1, 1) + r->a;
	} else {
		int64_t first = td_days_from_civil(y, (unsigned)r->a, 1);
		int wd = (int)floormod(first + 4, 7); /* 1970-01-01: Thursday */
		day = first + (r->c - wd + 7) % 7 + (int64_t)(r->b - 1) * 7;
		if (day >= first + month_days(y, r->a))
			day -= 7; /* week 5 means the last one */
	}
	return day * DAY + r->secs - off;
}

/* Offset the footer rule gives at t. The Gregorian calendar repeats every
 * 400 years, weekdays included, so t is first moved into 1970..2369: the
 * answer is the same and nothing below can overflow. The state at t is
 * that of the latest rule change at or before it, among the changes of the
 * surrounding years (rule times of up to a week cannot move a change more
 * than a year away). Changes at the same instant take effect in year order,
 * start before end: so a zero-length DST period is none, and a DST period
 * ending exactly when next year's starts (all-year DST) is unbroken. */
static int32_t footer_offset(const struct footer *f, int64_t t, int *dst,
			     const char **abbr)
{
	if (!f->has_dst) {
		*dst = 0;
		*abbr = f->std_abbr;
		return f->std_off;
	}
	int64_t tt = floormod(t, CYCLE_SECS), y;
	int m, d;
	civil_from_days(tt / DAY, &y, &m, &d);
	int64_t best = INT64_MIN;
	int in_dst = 0;
	for (int64_t yy = y - 2; yy <= y + 1; yy++) {
		int64_t s = rule_instant(&f->start, yy, f->std_off);
		int64_t e = rule_instant(&f->end, yy, f->dst_off);
		if (s <= tt && s >= best) {
			best = s;
			in_dst = 1;
		}
		if (e <= tt && e >= best) {
			best = e;
			in_dst = 0;
		}
	}
	*dst = in_dst;
	*abbr = in_dst ? f->dst_abbr : f->std_abbr;
	return in_dst ? f->dst_off : f->std_off;
}

/* ==== zones ============================================================== */

struct ttype {
	int32_t off;
	int isdst;
	const char *abbr; /* into td_tz.chars, or static */
};

struct td_tz {
	char *name; /* NULL for the built-in UTC */
	size_t ntrans;
	int64_t *trans;	     /* strictly ascending */
	uint8_t *trans_type; /* each < ntypes */
	size_t ntypes;	     /* 1..256 */
	struct ttype types[256];
	char *chars; /* designations, NUL-terminated */
	struct footer footer;
};

static struct td_tz utc_zone = {
    .ntypes = 1,
    .types = {{0, 0, "UTC"}},
};

int32_t td_tz_offset(const struct td_tz *tz, int64_t t, int *is_dst,
		     const char **abbr)
{
	const struct ttype *ty;
	int dst_tmp;
	const char *abbr_tmp;
	if (!is_dst)
		is_dst = &dst_tmp;
	if (!abbr)
		abbr = &abbr_tmp;
	if (!tz)
		tz = &utc_zone;
	size_t n = tz->ntrans;
	if (n == 0 || t >= tz->trans[n - 1]) {
		if (tz->footer.present)
			return footer_offset(&tz->footer, t, is_dst, abbr);
		ty = &tz->types[n ? tz->trans_type[n - 1] : 0];
	} else if (t < tz->trans[0]) {
		ty = &tz->types[0];
	} else { /* trans[lo] <= t < trans[hi] */
		size_t lo = 0, hi = n - 1;
		while (hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;
			if (tz->trans[mid] <= t)
				lo = mid;
			else
				hi = mid;
		}
		ty = &tz->types[tz->trans_type[lo]];
	}
	*is_dst = ty->isdst;
	*abbr = ty->abbr;
	return ty->off;
}

void td_tz_local(const struct td_tz *tz, int64_t t, struct tm *out)
{
	int dst;
	const char *abbr;
	int32_t off = td_tz_offset(tz, t, &dst, &abbr);
	int64_t lt;
	if (__builtin_add_overflow(t, (int64_t)off, &lt))
		lt = off > 0 ? INT64_MAX : INT64_MIN;
	/* first and last second whose year fits tm_year */
	int64_t lo = td_days_from_civil((int64_t)INT_MIN + 1900, 1, 1) * DAY;
	int64_t hi =
	    td_days_from_civil((int64_t)INT_MAX + 1900, 12, 31) * DAY + DAY - 1;
	if (lt < lo)
		lt = lo;
	if (lt > hi)
		lt = hi;
	int64_t days = floordiv(lt, DAY), secs = lt - days * DAY, y;
	int m, d;
	civil_from_days(days, &y, &m, &d);
	memset(out, 0, sizeof *out);
	out->tm_sec = (int)(secs % 60);
	out->tm_min = (int)(secs / 60 % 60);
	out->tm_hour = (int)(secs / 3600);
	out->tm_mday = d;
	out->tm_mon = m - 1;
	out->tm_year = (int)(y - 1900);
	out->tm_wday = (int)floormod(days + 4, 7);
	out->tm_yday = (int)(days - td_days_from_civil(y, 1, 1));
	out->tm_isdst = dst;
	out->tm_gmtoff = off;
	out->tm_zone = abbr;
}

const char *td_tz_name(const struct td_tz *tz)
{
	return tz && tz->name ? tz->name : "UTC";
}

size_t td_tz_transitions(const struct td_tz *tz, const int64_t **times)
{
	if (!tz)
		tz = &utc_zone;
	if (times)
		*times = tz->trans;
	return tz->ntrans;
}

void td_tz_free(struct td_tz *tz)
{
	if (!tz || tz == &utc_zone)
		return;
	free(tz->name);
	free(tz->trans);
	free(tz->trans_type);
	free(tz->chars);
	free(tz);
}

/* ==== TZif =============================================================== */

struct rd {
	const uint8_t *p;
	size_t len, pos;
};

struct hdr {
	int version; /* 1..4 */
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int64_t be32s(const uint8_t *p)
{
	uint32_t u = be32(p);
	return u <= INT32_MAX ? (int64_t)u : (int64_t)u - 4294967296LL;
}

static int64_t be64s(const uint8_t *p)
{
	uint64_t u = (uint64_t)be32(p) << 32 | be32(p + 4);
	return u <= INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
}

/* Time value of ts (4 or 8) bytes. */
static int64_t get_time(const uint8_t *p, int ts)
{
	return ts == 4 ? be32s(p) : be64s(p);
}

static const char *read_header(struct rd *r, struct hdr *h)
{
	if (r->len - r->pos < 44)
		return "truncated header";
	const uint8_t *p = r->p + r->pos;
	if (memcmp(p, "TZif", 4) != 0)
		return "not a TZif file";
	if (p[4] == 0)
		h->version = 1;
	else if (p[4] >= '2' && p[4] <= '9')
		h->version = p[4] >= '4' ? 4 : p[4] - '0'; /* later: as 4 */
	else
		return "unknown TZif version";
	h->isutcnt = be32(p + 20);
	h->isstdcnt = be32(p + 24);
	h->leapcnt = be32(p + 28);
	h->timecnt = be32(p + 32);
	h->typecnt = be32(p + 36);
	h->charcnt = be32(p + 40);
	r->pos += 44;
	return NULL;
}

/* Bytes of a data block with ts-byte times; 0 when the counts overflow. */
static size_t block_size(const struct hdr *h, int ts)
{
	size_t n = 0, x;
	size_t parts[6][2] = {
	    {h->timecnt, (size_t)ts + 1}, {h->typecnt, 6},  {h->charcnt, 1},
	    {h->leapcnt, (size_t)ts + 4}, {h->isstdcnt, 1}, {h->isutcnt, 1},
	};
	for (int i = 0; i < 6; i++)
		if (td_size_mul(parts[i][0], parts[i][1], &x) ||
		    td_size_add(n, x, &n))
			return 0;
	return n;
}

/* Parse the data block at r (ts-byte times) into z. Returns 0, TD_ENOMEM,
 * or TD_EPARSE with *why set. */
static int parse_block(struct rd *r, const struct hdr *h, int ts,
		       struct td_tz *z, const char **why)
{
	if (h->typecnt < 1 || h->typecnt > 256)
		return *why = "bad type count", TD_EPARSE;
	if (h->charcnt < 1 || h->charcnt > MAX_CHARS)
		return *why = "bad abbreviation size", TD_EPARSE;
	if (h->timecnt > MAX_TIMES)
		return *why = "too many transitions", TD_EPARSE;
	if (h->leapcnt > MAX_LEAPS)
		return *why = "too many leap seconds", TD_EPARSE;
	if ((h->isstdcnt && h->isstdcnt != h->typecnt) ||
	    (h->isutcnt && h->isutcnt != h->typecnt))
		return *why = "bad indicator count", TD_EPARSE;
	size_t size = block_size(h, ts);
	if (size == 0 || size > r->len - r->pos)
		return *why = "truncated data", TD_EPARSE;

	const uint8_t *times = r->p + r->pos;
	const uint8_t *idx = times + (size_t)h->timecnt * ts;
	const uint8_t *types = idx + h->timecnt;
	const uint8_t *chars = types + (size_t)h->typecnt * 6;
	const uint8_t *leaps = chars + h->charcnt;
	const uint8_t *isstd = leaps + (size_t)h->leapcnt * (ts + 4);
	const uint8_t *isut = isstd + h->isstdcnt;

	z->ntrans = h->timecnt;
	z->ntypes = h->typecnt;
	if (z->ntrans) {
		z->trans = malloc(z->ntrans * sizeof *z->trans);
		z->trans_type = malloc(z->ntrans);
	}
	z->chars = malloc((size_t)h->charcnt + 1);
	if ((z->ntrans && (!z->trans || !z->trans_type)) || !z->chars)
		return TD_ENOMEM;

	for (size_t i = 0; i < z->ntrans; i++) {
		z->trans[i] = get_time(times + i * ts, ts);
		if (i && z->trans[i] <= z->trans[i - 1])
			return *why = "transitions out of order", TD_EPARSE;
		if (idx[i] >= h->typecnt)
			return *why = "bad type index", TD_EPARSE;
		z->trans_type[i] = idx[i];
	}

	memcpy(z->chars, chars, h->charcnt);
	z->chars[h->charcnt] = '\0';
	for (size_t i = 0; i < z->ntypes; i++) {
		const uint8_t *p = types + i * 6;
		int64_t off = be32s(p);
		if (off < -MAX_SECS || off > MAX_SECS)
			return *why = "bad UTC offset", TD_EPARSE;
		if (p[4] > 1)
			return *why = "bad DST flag", TD_EPARSE;
		if (p[5] >= h->charcnt)
			return *why = "bad abbreviation index", TD_EPARSE;
		const char *a = z->chars + p[5];
		size_t alen = strnlen(a, h->charcnt - p[5]);
		if (alen == h->charcnt - p[5] || alen > ABBR_MAX)
			return *why = "bad abbreviation", TD_EPARSE;
		for (size_t k = 0; k < alen; k++)
			if (a[k] < 0x20 || a[k] > 0x7e)
				return *why = "bad abbreviation", TD_EPARSE;
		z->types[i] = (struct ttype){(int32_t)off, p[4], a};
	}

	for (size_t i = 0; i < h->isstdcnt; i++)
		if (isstd[i] > 1 || (h->isutcnt && isut[i] > isstd[i]))
			return *why = "bad indicator", TD_EPARSE;
	for (size_t i = 0; i < h->isutcnt; i++)
		if (isut[i] > 1)
			return *why = "bad indicator", TD_EPARSE;

	/* Leap-second records: transition times count leap seconds; take
	 * each back to POSIX time with the correction in effect then. */
	int64_t prev = 0;
	for (size_t i = 0; i < h->leapcnt; i++) {
		const uint8_t *p = leaps + i * (size_t)(ts + 4);
		int64_t occ = get_time(p, ts), corr = be32s(p + ts);
		if ((i && occ <= prev) || corr < -MAX_LEAPCORR ||
		    corr > MAX_LEAPCORR)
			return *why = "bad leap second", TD_EPARSE;
		prev = occ;
	}
	if (h->leapcnt) {
		size_t l = 0;
		int64_t corr = 0;
		for (size_t i = 0; i < z->ntrans; i++) {
			while (l < h->leapcnt) {
				const uint8_t *p = leaps + l * (size_t)(ts + 4);
				if (get_time(p, ts) > z->trans[i])
					break;
				corr = be32s(p + ts);
				l++;
			}
			if (__builtin_sub_overflow(z->trans[i], corr,
						   &z->trans[i]) ||
			    (i && z->trans[i] <= z->trans[i - 1]))
				return *why = "bad leap second", TD_EPARSE;
		}
	}
	r->pos += size;
	return 0;
}

/* Copy name into out for a message, bounded, printable ASCII only. */
static const char *msg_name(const char *name, char out[TD_TZ_NAME_MAX + 4])
{
	size_t i = 0;
	for (; name && name[i] && i < TD_TZ_NAME_MAX; i++)
		out[i] = (name[i] >= 0x20 && name[i] < 0x7f && name[i] != '"')
			     ? name[i]
			     : '?';
	if (name && name[i])
		out[i++] = '~'; /* cut */
	out[i] = '\0';
	return out;
}

int td_tz_parse(const void *data, size_t len, const char *name,
		struct td_tz **out, struct td_error *err)
{
	struct rd r = {data, len, 0};
	struct hdr h;
	const char *why = NULL;
	char qn[TD_TZ_NAME_MAX + 4];
	int rc = TD_EPARSE;
	struct td_tz *z = calloc(1, sizeof *z);
	if (!z || !(z->name = td_strdup(name ? name : ""))) {
		rc = TD_ENOMEM;
		goto out;
	}
	if (!data)
		r.len = 0;
	if ((why = read_header(&r, &h)))
		goto out;
	if (h.version == 1) {
		rc = parse_block(&r, &h, 4, z, &why);
		goto out;
	}
	/* version 2+: skip the 32-bit data, use the 64-bit data and footer */
	size_t skip = block_size(&h, 4);
	if (skip == 0 || skip > r.len - r.pos) {
		why = "truncated data";
		goto out;
	}
	r.pos += skip;
	if ((why = read_header(&r, &h)))
		goto out;
	if (h.version == 1) {
		why = "bad second header";
		goto out;
	}
	if ((rc = parse_block(&r, &h, 8, z, &why)))
		goto out;
	rc = TD_EPARSE;
	const char *f = (const char *)r.p + r.pos;
	size_t room = r.len - r.pos;
	if (room < 2 || f[0] != '\n') {
		why = "missing footer";
		goto out;
	}
	const char *nl = memchr(
	    f + 1, '\n', room - 1 < FOOTER_MAX + 1 ? room - 1 : FOOTER_MAX + 1);
	if (!nl) {
		why = "bad footer";
		goto out;
	}
	if (parse_tzstring(f + 1, (size_t)(nl - f - 1), &z->footer)) {
		why = "bad TZ string in footer";
		goto out;
	}
	rc = 0;
out:
	if (rc == TD_ENOMEM) {
		td_error_set(err, rc, "out of memory");
	} else if (rc) {
		td_error_set(err, rc, "bad zone file \"%s\": %s",
			     msg_name(name, qn), why ? why : "invalid");
	}
	if (rc) {
		td_tz_free(z);
		return rc;
	}
	*out = z;
	return 0;
}

/* ==== loading by name ==================================================== */

static int valid_name(const char *s)
{
	size_t n = strnlen(s, TD_TZ_NAME_MAX + 1);
	if (n == 0 || n > TD_TZ_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '/') {
			if (i == 0 || s[i - 1] == '/' || i + 1 == n)
				return 0; /* leading, empty or trailing */
		} else if (!is_alpha(c) && !is_digit(c) && c != '_' &&
			   c != '-' && c != '+') {
			return 0;
		}
	}
	return 1;
}

int td_tz_load(const char *name, struct td_tz **out, struct td_error *err)
{
	char qn[TD_TZ_NAME_MAX + 4];
	char *data = NULL;
	size_t len = 0;
	struct td_buf path;
	struct stat st;
	struct td_error rerr = {0};
	int rc;
	td_buf_init(&path, 8192);

	if (!name || !*name || !strcmp(name, "UTC") ||
	    !strcmp(name, "Etc/UTC")) {
		*out = &utc_zone;
		return 0;
	}
	if (!valid_name(name))
		return td_error_set(err, TD_EINVAL,
				    "invalid time zone name \"%s\"",
				    msg_name(name, qn));
	const char *dir = getenv("TZDIR");
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	td_buf_printf(&path, "%s/%s", dir, name);
	if ((rc = td_buf_err(&path))) {
		td_error_set(err, rc, "time zone \"%s\": path too long", name);
		goto out;
	}
	if (stat(path.p, &st) != 0) {
		if (errno == ENOENT || errno == ENOTDIR ||
		    errno == ENAMETOOLONG || errno == ELOOP)
			rc = td_error_set(err, TD_ENOTFOUND,
					  "unknown time zone \"%s\"", name);
		else
			rc = td_error_set(err, TD_EIO,
					  "cannot read time zone \"%s\": %s",
					  name, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) { /* a directory such as "Europe" */
		rc = td_error_set(err, TD_ENOTFOUND, "unknown time zone \"%s\"",
				  name);
		goto out;
	}
	if (st.st_size > (off_t)TD_TZ_FILE_MAX) {
		rc = td_error_set(err, TD_ETOOBIG,
				  "bad zone file \"%s\": larger than %u bytes",
				  name, TD_TZ_FILE_MAX);
		goto out;
	}
	if ((rc = td_read_file(path.p, TD_TZ_FILE_MAX, &data, &len, &rerr))) {
		if (rc == TD_ETOOBIG)
			td_error_set(
			    err, rc,
			    "bad zone file \"%s\": larger than %u bytes", name,
			    TD_TZ_FILE_MAX);
		else
			td_error_set(err, rc,
				     "cannot read time zone \"%s\": %s", name,
				     rerr.msg);
		goto out;
	}
	rc = td_tz_parse(data, len, name, out, err);
out:
	free(data);
	td_buf_release(&path);
	return rc;
}
