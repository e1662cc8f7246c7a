#!/bin/sh
# search_web.sh - search latency through the web path: /search?q= and
# /api/v1/search?q= of `tidings serve` on the web bench's database
# (BENCH_WEB_N = 100,000 generated articles, see bench/web.sh), with wrk.
#
# Queries come from the generator's vocabulary (bench/out/web-words.txt,
# most common word first; bench/gen_articles.c draws words with a Zipf
# law): one common word (the 100 most frequent: "the", "council", ... in
# most articles), one rare word (ranks 2,000-6,000: a few hundred
# articles each), two common words, a common and a rare word. Every
# request is a different URL (common words are also sent in upper/lower
# case variants, which search the same), so the page cache never answers:
# each figure is a real search. The last word of a query is searched as a
# prefix, as the store does for every query (search.c).
#
# Per class and endpoint: BENCH_SEARCH_SECONDS (5) at 1 connection (the
# service time of one search: p50, p99, req/s); then every class mixed at
# 4 connections (two per core: latency with queueing). Target: p99 < 30 ms.
# Each line carries the 1-minute load average and "others", the CPU other
# processes took during the run in % of all CPUs (see web.sh).
set -u
. bench/lib.sh

SECS=${BENCH_SEARCH_SECONDS:-5}
LINES=20000

section "search: /search?q= and /api/v1/search?q=, wrk, every query a new URL"
need_tidings
if ! command -v wrk >/dev/null 2>&1; then
	echo "skipped: wrk not installed (apt-get install wrk)"
	exit 1
fi
DB=$(sh bench/web.sh db | tail -n 1)
WORDS=$OUT/web-words.txt
if [ ! -s "$DB" ] || [ ! -s "$WORDS" ]; then
	echo "skipped: no bench database (sh bench/web.sh db)"
	exit 1
fi
N=$(sqlite3 "$DB" 'SELECT count(*) FROM articles' 2>/dev/null || echo "?")
echo "database: $DB ($N articles, $(du -m "$DB" | cut -f1) MB)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tidings-search-bench.XXXXXX")
TPID=
cleanup() {
	[ -n "$TPID" ] && kill "$TPID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

"$TIDINGS" --db "$DB" serve --no-fetch --listen 127.0.0.1:0 >"$WORK/serve.out" 2>"$WORK/serve.err" &
TPID=$!
serve_port "$WORK" || exit 1
T=http://127.0.0.1:$TPORT

# ---- the queries: one file of paths per class (without the endpoint) ----
# q NAME AWK-PROGRAM: LINES queries of a class into $WORK/NAME.q
q() {
	awk -v lines="$LINES" -v seed="$(printf %s "$1" | cksum | cut -d ' ' -f 1)" '
	function variant(w, k,   i, c, out) { # letters upper-cased by the bits of k
		out = ""
		for (i = 1; i <= length(w); i++) {
			c = substr(w, i, 1)
			if (int(k / 2 ^ (i - 1)) % 2) c = toupper(c)
			out = out c
		}
		return out
	}
	function pick(lo, hi) { return w[lo + int(rand() * (hi - lo + 1))] }
	{ w[NR - 1] = $0 }
	END { srand(seed); n = 0; '"$2"' }' "$WORDS" >"$WORK/$1.q"
}
# one common word in every case variant it has (until LINES)
q common 'for (k = 0; n < lines && k < 4096; k++) for (r = 0; r < 100 && n < lines; r++)
	if (k < 2 ^ length(w[r])) { print variant(w[r], k); n++ }'
q rare 'while (n++ < lines) print pick(2000, 5999)'
q two_common 'for (k = 0; n < lines && k < 16; k++) for (a = 0; a < 100 && n < lines; a++)
	for (b = 0; b < 100 && n < lines; b++) if (a != b) { print variant(w[a], k) "+" w[b]; n++ }'
q common_rare 'while (n++ < lines) { if (rand() < 0.5) print pick(0, 99) "+" pick(2000, 5999);
	else print pick(2000, 5999) "+" pick(0, 99) }'
# a query used twice would be answered from the cache: keep the first
for c in common rare two_common common_rare; do
	awk '!seen[$0]++' "$WORK/$c.q" >"$WORK/$c.u"
	mv "$WORK/$c.u" "$WORK/$c.q"
done
cat "$WORK"/common.q "$WORK"/rare.q "$WORK"/two_common.q "$WORK"/common_rare.q |
	awk 'BEGIN { srand(7) } { print rand() "\t" $0 }' | sort -k1,1 | cut -f 2 | awk '!seen[$0]++' >"$WORK/mixed.q"

# ---- the machine's state (own_ticks, kids_secs, machine_ticks: lib.sh) ----
others_begin() {
	LOAD=$(cut -d ' ' -f 1 /proc/loadavg)
	O_M=$(machine_ticks)
	O_OWN=$(own_ticks "$TPID")
	times >"$WORK/times"
	O_KIDS=$(kids_secs)
}
others_end() {
	m=$(machine_ticks)
	own=$(own_ticks "$TPID")
	times >"$WORK/times"
	kids=$(kids_secs)
	hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
	OTHERS=$(awk -v a="$O_M" -v b="$m" -v o0="$O_OWN" -v o1="$own" -v k0="$O_KIDS" \
		-v k1="$kids" -v hz="$hz" 'BEGIN { split(a, x, " "); split(b, y, " ")
		t = y[2] - x[2]; if (t <= 0) { print "?"; exit }
		o = (y[1] - x[1]) - (o1 - o0) - (k1 - k0) * hz; if (o < 0) o = 0
		printf "%.0f", 100 * o / t }')
}

# ms VALUE: wrk's "1.23ms" / "456.00us" / "1.02s" in milliseconds
ms() {
	case $1 in
	*us) calc "${1%us} / 1000" ;;
	*ms) printf %s "${1%ms}" ;;
	*s) calc "${1%s} * 1000" ;;
	*) printf '?' ;;
	esac
}

# run ENDPOINT CLASS CONNECTIONS: one line; WORST99 keeps the largest p99
WORST99=0
run() {
	ep=$1 cls=$2 conns=$3
	th=1
	[ "$conns" -gt 1 ] && th=2
	sed "s|^|$ep?q=|" "$WORK/$cls.q" >"$WORK/paths"
	others_begin
	wrk -t"$th" -c"$conns" -d"${SECS}s" --timeout 10s --latency -s bench/search_web.lua \
		"$T" -- "$WORK/paths" "$th" >"$WORK/wrk.out" 2>&1
	others_end
	rps=$(sed -n 's/^Requests\/sec:[[:space:]]*\([0-9.]*\).*/\1/p' "$WORK/wrk.out")
	p50=$(ms "$(sed -n 's/^[[:space:]]*50%[[:space:]]*\([0-9.]*[a-z]*\).*/\1/p' "$WORK/wrk.out")")
	p99=$(ms "$(sed -n 's/^[[:space:]]*99%[[:space:]]*\([0-9.]*[a-z]*\).*/\1/p' "$WORK/wrk.out")")
	wrapped=$(sed -n 's/^wrapped: \([0-9]*\)$/\1/p' "$WORK/wrk.out")
	errs=$(sed -n 's/^[[:space:]]*\(Socket errors:.*\|Non-2xx.*\)$/\1/p' "$WORK/wrk.out" | tr '\n' ' ')
	[ "${wrapped:-0}" -gt 0 ] && errs="$errs(queries repeated: cache hits included)"
	rss=$(awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$TPID/status" 2>/dev/null)
	printf '  %-16s %-12s %2s  %7.0f/s  p50 %6.2f ms  p99 %6.2f ms  RSS %3s MB  load %-5s others %3s%%  %s\n' \
		"$ep" "$cls" "$conns" "${rps:-0}" "$p50" "$p99" "$rss" "$LOAD" "$OTHERS" "$errs"
	WORST99=$(awk -v a="$WORST99" -v b="$p99" 'BEGIN { print (b + 0 > a + 0) ? b : a }')
}

echo "machine: $(nproc) CPUs; load average before the runs: $(cut -d ' ' -f 1-3 /proc/loadavg)"
printf '  %-16s %-12s %2s  %9s  %13s  %13s  %s\n' endpoint queries con "req/s" "p50" "p99" "(RSS after the run)"
for ep in /search /api/v1/search; do
	code=$(curl -s -o /dev/null -w '%{http_code}' "$T$ep?q=council")
	if [ "$code" != 200 ]; then
		echo "  $ep: answers $code, not measured"
		continue
	fi
	for cls in common rare two_common common_rare; do
		run "$ep" "$cls" 1
	done
	run "$ep" mixed 4
done
RSS=$(awk '/^VmHWM:/ { h = $2 } /^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 }
	END { printf "%.1f MB (now: %.1f MB anonymous, %.1f MB files)", h / 1024, a / 1024, f / 1024 }' \
	"/proc/$TPID/status" 2>/dev/null)
kill -TERM "$TPID"
wait "$TPID"
TPID=
echo "tidings: peak RSS ${RSS:-?}"
echo "summary: search worst p99 $WORST99 ms (target < 30 ms); load $(cut -d ' ' -f 1-3 /proc/loadavg)"
