#!/bin/sh
# load.sh - `tidings serve` under BENCH_LOAD_SECONDS (60) of wrk at
# BENCH_LOAD_CONNECTIONS (256) keep-alive connections over a mix of every
# kind of page, while fetch rounds run: zero errors, no memory growth.
#
# The site: a copy of the web bench's database (BENCH_WEB_N = 100,000
# generated articles, bench/web.sh) plus BENCH_LOAD_SOURCES (200) enabled
# sources served on 127.0.0.1 by a small node server written below. Each
# feed gains a new item every 5 s and answers after 100 ms, so with
# fetch_min_interval = 10 s and 2 fetches per host the scheduler is always
# in a round, and every round stores new articles and drops the page cache:
# pages are rendered again all through the run.
#
# The mix (each request picks a line of a weighted list at random; half
# ask for gzip; a browser User-Agent, so article pages count views): article
# pages (2,000 distinct, spread over the whole year of articles) and /a/ID
# redirects, the front page and older pages (random cursors), source and
# tag pages with cursors, search pages and API searches (1,000 distinct
# queries), site/source/tag feeds (RSS, Atom, JSON), the API (lists with
# cursors, single articles, sources), sitemap, about, robots, healthz,
# metrics, the stylesheet. A kind of page that does not answer 2xx/3xx
# before the run (not written yet) is left out and named.
#
# Prints the requests, the errors (wrk: non-2xx/3xx answers, socket errors),
# req/s, latency percentiles, the server's answers by status and fetch
# rounds from /metrics, and the RSS of tidings every 5 s with its growth
# after warm-up (the first BENCH_LOAD_WARMUP = 20 s). Each figure comes with
# the load average and the CPU share other processes took (see web.sh).
# BENCH_LOAD_SERVE_ARGS adds options to `tidings serve` (e.g. --cache-mb 16);
# BENCH_LOAD_MIX replaces the mix ("KIND:PER_1000 ...", kinds as below).
set -u
. bench/lib.sh

SECS=${BENCH_LOAD_SECONDS:-60}
CONNS=${BENCH_LOAD_CONNECTIONS:-256}
NSRC=${BENCH_LOAD_SOURCES:-200}
WARMUP=${BENCH_LOAD_WARMUP:-20}
UA="Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"

section "load: wrk ${SECS} s at $CONNS connections, mixed pages, fetch rounds in progress"
need_tidings
for tool in wrk node curl; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "skipped: $tool not installed"
		exit 1
	fi
done
SRCDB=$(sh bench/web.sh db | tail -n 1)
if [ ! -s "$SRCDB" ]; then
	echo "skipped: no bench database (sh bench/web.sh db)"
	exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tidings-load-bench.XXXXXX")
DB=$OUT/load.db
TPID=
FPID=
SPID=
cleanup() {
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null
	[ -n "$TPID" ] && kill "$TPID" 2>/dev/null
	[ -n "$FPID" ] && kill "$FPID" 2>/dev/null
	rm -rf "$WORK"
	rm -f "$DB" "$DB-wal" "$DB-shm"
}
trap cleanup EXIT INT TERM

# ---- the feeds: a new item per source every 5 s ----
cat >"$WORK/feeds.mjs" <<'EOF'
// GET /f/I?d=MS: the RSS feed of source I after MS ms; 20 items, the newest
// one numbered floor((now - start) / 5 s) + 20, each with about 2 KB of
// text. Links point to .invalid hosts: nothing is fetched for extraction.
import http from 'node:http';
const start = Date.now();
const words = ('the of and to in a council harbor river city police market election court ' +
  'report week company state health school water energy climate price bank season team ' +
  'festival storm flood fire road train airport hospital budget tax law vote party').split(' ');
let seed = 1;
const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
const text = (n) => { let s = []; for (let i = 0; i < n; i++) s.push(words[rnd(words.length)]); return s.join(' '); };
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
let served = 0;
const server = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  const m = /^\/f\/(\d+)$/.exec(u.pathname);
  if (!m) { res.writeHead(u.pathname === '/_stats' ? 200 : 404); res.end(String(served)); return; }
  const i = Number(m[1]);
  const delay = Math.min(Number(u.searchParams.get('d') || 0), 5000);
  setTimeout(() => {
    served++;
    const now = Date.now();
    const newest = Math.floor((now - start) / 5000) + 20;
    let items = '';
    for (let k = newest; k > newest - 20; k--) {
      const t = new Date(start + (k - 20) * 5000 - 60000).toUTCString();
      items += `<item><title>${esc(text(8))} ${i}-${k}</title>` +
        `<link>https://load-${i}.invalid/news/${k}.html</link><guid>load-${i}-${k}</guid>` +
        `<pubDate>${t}</pubDate><description>${esc('<p>' + text(150) + '</p><p>' + text(150) + '</p>')}` +
        `</description><category>load</category></item>\n`;
    }
    res.writeHead(200, { 'Content-Type': 'application/rss+xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>` +
      `<title>Load source ${i}</title><link>https://load-${i}.invalid/</link>` +
      `<description>load.sh</description>\n${items}</channel></rss>\n`);
  }, delay);
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
EOF
node "$WORK/feeds.mjs" >"$WORK/feeds.out" 2>&1 &
FPID=$!
FPORT=
for _ in $(seq 1 100); do
	FPORT=$(sed -n 's/^listening \([0-9][0-9]*\)$/\1/p' "$WORK/feeds.out" 2>/dev/null)
	[ -n "$FPORT" ] && break
	sleep 0.1
done
if [ -z "$FPORT" ]; then
	echo "feed server did not start: $(cat "$WORK/feeds.out")"
	exit 1
fi

# ---- the database: a copy of the web bench's, plus the sources ----
rm -f "$DB" "$DB-wal" "$DB-shm"
cp --reflink=auto "$SRCDB" "$DB" || { echo "cannot copy $SRCDB"; exit 1; }
awk -v n="$NSRC" -v base="http://127.0.0.1:$FPORT" 'BEGIN {
	print "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	print "<opml version=\"2.0\"><head><title>load bench</title></head><body>"
	print "<outline text=\"load\">"
	for (i = 0; i < n; i++)
		printf "<outline type=\"rss\" text=\"Load %d\" xmlUrl=\"%s/f/%d?d=100\"/>\n", i, base, i
	print "</outline></body></opml>"
}' >"$WORK/load.opml"
if ! "$TIDINGS" --db "$DB" import "$WORK/load.opml" >"$WORK/import.out" 2>&1; then
	echo "import failed: $(tail -n 1 "$WORK/import.out")"
	exit 1
fi
# one round before serving, so that the run sees the steady state (a few
# new items per source and round), not the first 20 items of every feed
t0=$(date +%s)
if ! TIDINGS_FETCH_MIN_INTERVAL=10 "$TIDINGS" --db "$DB" fetch >"$WORK/fetch.out" 2>&1; then
	echo "first fetch failed: $(tail -n 1 "$WORK/fetch.out")"
	exit 1
fi
N=$(sqlite3 "$DB" 'SELECT count(*) FROM articles' 2>/dev/null || echo "?")
echo "database: copy of $SRCDB, $NSRC more sources on 127.0.0.1 (a new item each every 5 s), fetched once ($(($(date +%s) - t0)) s): $N articles"

# ---- the server ----
# shellcheck disable=SC2086
TIDINGS_FETCH_MIN_INTERVAL=10 "$TIDINGS" --db "$DB" serve --listen 127.0.0.1:0 ${BENCH_LOAD_SERVE_ARGS:-} \
	>"$WORK/serve.out" 2>"$WORK/serve.err" &
TPID=$!
serve_port "$WORK" || exit 1
T=http://127.0.0.1:$TPORT

# ---- the mix ----
# pools of distinct paths, one file per kind
now=$(date +%s)
oldest=$((now - 100000 * 300))
i=0
: >"$WORK/articles"
while [ $i -lt 40 ]; do # 40 x 50 articles from all over the year
	t=$((oldest + (now - oldest) * i / 40 + 1))
	curl -s "$T/api/v1/articles?limit=50&until=$t" | tr ',' '\n' |
		sed -n 's|^"url":"http://[^/]*\(/a/[^"]*\)"$|\1|p' >>"$WORK/articles"
	i=$((i + 1))
done
if [ ! -s "$WORK/articles" ]; then # no API yet: the front page's links
	curl -s "$T/" | sed -n 's|.*href="\(/a/[0-9][^"]*\)".*|\1|p' >"$WORK/articles"
fi
sort -u "$WORK/articles" -o "$WORK/articles"
curl -s "$T/api/v1/sources" | tr ',' '\n' | sed -n 's|^"path":"\(/s/[^"]*\)"$|\1|p' >"$WORK/sources"
[ -s "$WORK/sources" ] || seq 1 40 | sed 's|^|/s/|' >"$WORK/sources"
TAGS="politics business sport culture science world local health technology environment
elections housing transport education weather crime courts energy agriculture football
music film markets climate tourism space medicine labour budget festivals"
awk -v now="$now" -v oldest="$oldest" -v tags="$TAGS" -v words="$OUT/web-words.txt" '
function cursor() { return int(oldest + rand() * (now - oldest)) "-" (1 + int(rand() * 200000)) }
BEGIN {
	srand(11)
	print "/" > "'"$WORK"'/front"
	for (i = 0; i < 200; i++) print "/?before=" cursor() > "'"$WORK"'/front"
	for (i = 0; i < 500; i++) print "/a/" (1 + int(rand() * 100000)) > "'"$WORK"'/redirect"
	nt = split(tags, t, /[ \n]+/)
	for (i = 1; i <= nt; i++) {
		print "/t/" t[i] > "'"$WORK"'/tags"
		for (k = 0; k < 5; k++) print "/t/" t[i] "?before=" cursor() > "'"$WORK"'/tags"
		print "/t/" t[i] "/feed.xml" > "'"$WORK"'/feeds"
		print "/t/" t[i] "/atom.xml" > "'"$WORK"'/feeds"
	}
	print "/feed.xml" > "'"$WORK"'/feeds"
	print "/atom.xml" > "'"$WORK"'/feeds"
	print "/feed.json" > "'"$WORK"'/feeds"
	nw = 0
	while ((getline w < words) > 0) word[nw++] = w
	for (i = 0; i < 1000; i++) {
		r = int(nw * rand() ^ 3) # mostly the common words
		q = word[r]
		if (rand() < 0.3) q = q "+" word[int(nw * rand() ^ 2)]
		print "/search?q=" q "&page=" (1 + i % 2) > "'"$WORK"'/search"
		print "/api/v1/search?q=" q > "'"$WORK"'/apisearch"
	}
	for (i = 0; i < 300; i++) {
		print "/api/v1/articles?limit=" (10 + int(rand() * 40)) "&before=" cursor() > "'"$WORK"'/api"
		print "/api/v1/articles/" (1 + int(rand() * 100000)) > "'"$WORK"'/api"
	}
	print "/api/v1/articles" > "'"$WORK"'/api"
	print "/api/v1/sources" > "'"$WORK"'/api"
	print "/robots.txt" > "'"$WORK"'/misc"
	print "/healthz" > "'"$WORK"'/misc"
	print "/about" > "'"$WORK"'/misc"
	print "/metrics" > "'"$WORK"'/misc"
}'
awk '{ print; print $0 "?before=" int('"$now"' - rand() * 30000000) "-" int(1 + rand() * 100000); print $0 "/feed.json" }' \
	"$WORK/sources" >"$WORK/sourcepages"
curl -s "$T/" | sed -n 's|.*href="\(/static/[^"]*\)".*|\1|p' | sed 's/&#61;/=/g' | head -n 1 >>"$WORK/misc"
echo "/sitemap.xml" >"$WORK/sitemap"

# kind WEIGHT: the share (per 1000 requests) of each kind of path
KINDS=${BENCH_LOAD_MIX:-"articles:380 redirect:40 front:150 sourcepages:90 tags:70 feeds:40 search:20 apisearch:20 api:130 misc:55 sitemap:5"}
: >"$WORK/mix"
skipped=
for kw in $KINDS; do
	k=${kw%%:*} w=${kw#*:}
	[ "$w" -gt 0 ] 2>/dev/null || continue
	[ -s "$WORK/$k" ] || { skipped="$skipped $k(none)"; continue; }
	code=$(curl -s -o /dev/null -w '%{http_code}' "$T$(head -n 1 "$WORK/$k")")
	case $code in
	2?? | 3??) ;;
	*) skipped="$skipped $k($code)"; echo " $k($code)" >>"$WORK/skipped"; continue ;;
	esac
	# w x 10 lines, cycling through the pool
	awk -v n="$((w * 10))" '{ p[NR] = $0 } END { for (i = 0; i < n; i++) print p[1 + i % NR] }' \
		"$WORK/$k" >>"$WORK/mix"
	printf '%s %s (%s distinct) ' "$k" "$w" "$(wc -l <"$WORK/$k")" >>"$WORK/kinds"
done
echo "mix per 1000 requests: $(cat "$WORK/kinds" 2>/dev/null)"
# what a page costs when it is not cached: 5 distinct paths of each kind, one
# at a time, before the run (the scheduler's round may be running)
printf 'render, not cached (median of 5, ms):'
for kw in $KINDS; do
	k=${kw%%:*} w=${kw#*:}
	[ "$w" -gt 0 ] 2>/dev/null || continue
	grep -q " $k(" "$WORK/skipped" 2>/dev/null && continue
	[ -s "$WORK/$k" ] || continue
	awk 'NR % 7 == 3' "$WORK/$k" | head -n 5 >"$WORK/probe"
	[ -s "$WORK/probe" ] || head -n 5 "$WORK/$k" >"$WORK/probe"
	while read -r p; do
		curl -s -o /dev/null -w '%{time_total}\n' -A "$UA" "$T$p"
	done <"$WORK/probe" | sort -n | awk -v k="$k" '{ v[NR] = $1 } END { printf " %s %.1f", k, 1000 * v[int((NR + 1) / 2)] }'
done
echo
[ -n "$skipped" ] && echo "left out (answer not 2xx/3xx before the run):$skipped"

cat >"$WORK/load.lua" <<EOF
-- a random line of the mix per request; half of them accept gzip
local n = 0
function setup(thread) thread:set("id", n); n = n + 1 end
function init(args)
	paths = {}
	for line in io.lines(args[1]) do paths[#paths + 1] = line end
	math.randomseed(7919 * (id + 1))
end
local plain = { ["User-Agent"] = "$UA" }
local gz = { ["User-Agent"] = "$UA", ["Accept-Encoding"] = "gzip" }
function request()
	local h = plain
	if math.random() < 0.5 then h = gz end
	return wrk.format("GET", paths[math.random(#paths)], h)
end
EOF

# ---- the machine's state (own_ticks, machine_ticks: lib.sh) ----
# one RSS sample line: seconds since wrk started, VmRSS, RssAnon, RssFile, VmHWM
# (MB), fetch rounds, new articles, page cache entries and MB ("-" when
# /metrics took over 2 s: it waits behind the pages being rendered); and
# the others' share of the CPU since the previous sample
metric() {
	v=$(sed -n "s/^$1 \\([0-9.e+]*\\)\$/\\1/p" "$WORK/m.txt")
	printf '%s' "${v:--}"
}
sample() {
	curl -s -m 2 "$T/metrics" >"$WORK/m.txt" 2>/dev/null
	m=$(machine_ticks)
	own=$(own_ticks "$TPID" "$FPID" "$WPID")
	others=$(awk -v a="$PREV_M" -v b="$m" -v o0="$PREV_OWN" -v o1="$own" 'BEGIN {
		split(a, x, " "); split(b, y, " "); t = y[2] - x[2]; if (t <= 0) { print "?"; exit }
		o = (y[1] - x[1]) - (o1 - o0); if (o < 0) o = 0; printf "%.0f", 100 * o / t }')
	PREV_M=$m PREV_OWN=$own
	awk -v t="$(($(date +%s) - START))" -v r="$(metric tidings_fetch_rounds_total)" \
		-v a="$(metric tidings_fetch_new_articles_total)" -v ce="$(metric tidings_cache_entries)" \
		-v cb="$(metric tidings_cache_bytes)" -v o="$others" -v l="$(cut -d ' ' -f 1 /proc/loadavg)" '
		/^VmRSS:/ { rss = $2 } /^RssAnon:/ { an = $2 } /^RssFile:/ { f = $2 } /^VmHWM:/ { h = $2 }
		END { printf "%5d %8.1f %8.1f %8.1f %8.1f %7s %8s %8s %7s %6s %5s%%\n", t, rss / 1024,
			an / 1024, f / 1024, h / 1024, r, a, ce, cb == "-" ? "-" : sprintf("%.1f", cb / 1048576),
			l, o }' "/proc/$TPID/status"
}

# ---- the run ----
echo
printf '%5s %8s %8s %8s %8s %7s %8s %8s %7s %6s %6s\n' t_s rss_MB anon_MB file_MB peak_MB rounds new_arts cache_n cache_MB load others
wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 10s --latency -s "$WORK/load.lua" "$T" -- "$WORK/mix" \
	>"$WORK/wrk.out" 2>&1 &
WPID=$!
START=$(date +%s)
PREV_M=$(machine_ticks)
PREV_OWN=$(own_ticks "$TPID" "$FPID" "$WPID")
: >"$WORK/rss.txt"
(
	# every 5 s while wrk runs; printed as it goes and kept for the end
	while kill -0 "$WPID" 2>/dev/null; do
		sleep 5
		kill -0 "$WPID" 2>/dev/null && sample | tee -a "$WORK/rss.txt"
	done
) &
SPID=$!
wait "$WPID"
wait "$SPID"
SPID=

# ---- the results ----
curl -s "$T/metrics" >"$WORK/m.txt"
reqs=$(sed -n 's/^[[:space:]]*\([0-9]*\) requests in.*/\1/p' "$WORK/wrk.out")
rps=$(sed -n 's/^Requests\/sec:[[:space:]]*\([0-9.]*\).*/\1/p' "$WORK/wrk.out")
non2=$(sed -n 's/^[[:space:]]*Non-2xx or 3xx responses:[[:space:]]*\([0-9]*\).*/\1/p' "$WORK/wrk.out")
sock=$(sed -n 's/^[[:space:]]*Socket errors:[[:space:]]*\(.*\)$/\1/p' "$WORK/wrk.out")
sockn=$(printf '%s' "$sock" | tr -cs '0-9' ' ' | awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; print s }')
lat=$(awk '/Latency Distribution/ { on = 1; next } on && /%/ { printf "p%s %s  ", $1, $2 } on && !/%/ { on = 0 }' "$WORK/wrk.out" | sed 's/%//g')
codes=$(sed -n 's/^tidings_http_requests_total{code="\([0-9a-z]*\)"} \([0-9]*\)$/\1:\2/p' "$WORK/m.txt" |
	grep -v ':0$' | tr '\n' ' ')
echo
echo "wrk: ${reqs:-?} requests in ${SECS} s, ${rps:-?} req/s; latency $lat"
echo "errors: ${non2:-0} non-2xx/3xx answers, ${sockn:-0} socket errors${sock:+ ($sock)}"
echo "tidings answered (by status, whole run): $codes"
echo "fetch: $(metric tidings_fetch_rounds_total) rounds, $(metric tidings_fetch_new_articles_total) new articles, $(metric tidings_fetch_failed_sources_total) failed fetches; page cache dropped $(metric tidings_cache_stale_total) stale pages"
# growth after warm-up: the last sample against the first one after it
growth=$(awk -v w="$WARMUP" '$1 >= w { if (first == "") first = $2; last = $2; if ($2 > max) max = $2 }
	END { if (first == "") print "? ?"; else printf "%+.1f %.1f\n", last - first, max }' "$WORK/rss.txt")
peak=$(awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$TPID/status")
kill -TERM "$TPID"
wait "$TPID"
status=$?
TPID=
echo "tidings: RSS growth after ${WARMUP} s warm-up ${growth% *} MB (highest sample ${growth#* } MB), peak RSS $peak MB; SIGTERM exit status $status"
echo "summary: load ${SECS} s x $CONNS connections: ${reqs:-?} requests, $((${non2:-0} + ${sockn:-0})) errors, ${rps:-?} req/s, $(printf '%s' "$lat" | grep -o 'p99 [^ ]*'); RSS growth ${growth% *} MB, peak $peak MB (targets: 0 errors, ~0 growth, < 64 MB); load $(cut -d ' ' -f 1-3 /proc/loadavg)"
