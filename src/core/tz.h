/*
 * tz.h - time zones without TZ: read compiled zone files (TZif, RFC 8536,
 * versions 1 to 4) and turn UTC instants into local time.
 *
 * The server is threaded, so setenv("TZ") + tzset() + localtime() is not an
 * option: a struct td_tz is loaded once (usually at start-up, from the
 * `timezone` setting) and is immutable afterwards, so any number of threads
 * may call td_tz_offset/td_tz_local/td_tz_name on it at the same time. The
 * thread that loaded it frees it, after every user is done.
 *
 * Model: a zone is a sorted table of transitions (UTC instants at which the
 * offset changes), a list of local time types (UTC offset, DST flag,
 * abbreviation), and for instants at or after the last transition a rule
 * taken from the file's footer, a POSIX TZ string such as
 * "CET-1CEST,M3.5.0,M10.5.0/3" (with the RFC 8536 extensions: quoted <+05>
 * names, signed rule times, hours up to 167). Instants before the first
 * transition use time type 0, as RFC 8536 says. Version 1 files use their
 * 32-bit data; version 2+ files their 64-bit data and footer. Files with
 * leap-second records ("right/" zones) are read with their transition times
 * converted to POSIX time, since tidings' instants never count leap seconds.
 *
 * Offsets are bounded (|offset| < 168 hours), and every computation is
 * defined for every int64_t instant, INT64_MIN and INT64_MAX included.
 */
#ifndef TD_TZ_H
#define TD_TZ_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct td_error;
struct td_tz;

/* Longest zone name td_tz_load accepts ("America/Argentina/ComodRivadavia"
 * is 32; the longest in tzdata is under 40). */
#define TD_TZ_NAME_MAX 64

/* Largest zone file read. Real ones are under 4 KiB (fat, with 64-bit data
 * and leap seconds); 256 KiB leaves room for any sane future file while
 * bounding what a stray big file in the zone directory can cost. */
#define TD_TZ_FILE_MAX (256u * 1024u)

/* Load the zone called name.
 *
 * "UTC", "Etc/UTC", "" and NULL give UTC without touching the disk (a
 * shared static object; td_tz_free on it does nothing). Any other name must
 * be a plausible zone name: ASCII letters, digits, '/', '_', '-', '+' (no
 * '.', so no ".."); no leading '/', no empty component, at most
 * TD_TZ_NAME_MAX bytes. It is then read from $TZDIR/name (TZDIR from the
 * environment, read at each call; default /usr/share/zoneinfo), at most
 * TD_TZ_FILE_MAX bytes.
 *
 * Returns 0 and sets *out (free with td_tz_free), or:
 *   TD_EINVAL     invalid time zone name "..."
 *   TD_ENOTFOUND  unknown time zone "..."   (no such file, or a directory)
 *   TD_EIO        the file exists but cannot be read
 *   TD_ETOOBIG    bad zone file "...": larger than TD_TZ_FILE_MAX
 *   TD_EPARSE     bad zone file "...": what is wrong
 *   TD_ENOMEM
 * with a one-line message in err (may be NULL). *out is untouched on error.
 * Not for hot paths: call once and share the result. */
int td_tz_load(const char *name, struct td_tz **out, struct td_error *err);

/* Parse the TZif bytes data[0..len) (untrusted: any bytes are safe). name
 * (may be NULL: "") is copied, returned by td_tz_name and used in messages.
 * Returns 0 and sets *out, TD_EPARSE ("bad zone file ...") or TD_ENOMEM;
 * *out is untouched on error. data is not referenced after the call. */
int td_tz_parse(const void *data, size_t len, const char *name,
		struct td_tz **out, struct td_error *err);

/* UTC offset in seconds (east positive) at UTC instant t. tz NULL means
 * UTC. If is_dst is not NULL it gets 1 when the zone says daylight saving
 * time is in effect (Europe/Dublin's winter time is, by its data), else 0.
 * If abbr is not NULL it gets the abbreviation ("CET", "+0545"), borrowed
 * from tz (a static string for UTC) until td_tz_free. */
int32_t td_tz_offset(const struct td_tz *tz, int64_t t, int *is_dst,
		     const char **abbr);

/* Broken-down local time for UTC instant t in zone tz (NULL: UTC): every
 * field of out is set, including tm_wday, tm_yday, tm_isdst, tm_gmtoff and
 * tm_zone (borrowed like abbr above; glibc names these fields so with
 * _GNU_SOURCE or _DEFAULT_SOURCE), so strftime's %z and %Z work. Exact
 * for every local time whose year fits tm_year; beyond that the result is
 * clamped to the first or last second representable. */
void td_tz_local(const struct td_tz *tz, int64_t t, struct tm *out);

/* The zone's name: as given to td_tz_load/td_tz_parse, "UTC" for the
 * built-in UTC and for NULL. Borrowed until td_tz_free. */
const char *td_tz_name(const struct td_tz *tz);

/* The transition table, for tests and fuzzing: sets *times (may be NULL
 * when the count is 0) to the strictly ascending UTC instants at which the
 * offset may change, borrowed until td_tz_free, and returns their count.
 * Changes the footer rule makes after the last one are not listed. */
size_t td_tz_transitions(const struct td_tz *tz, const int64_t **times);

/* Free a zone loaded by td_tz_load or td_tz_parse; NULL and the built-in
 * UTC are accepted and ignored. */
void td_tz_free(struct td_tz *tz);

#endif
