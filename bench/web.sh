#!/bin/sh
# web.sh - `tidings serve` against nginx serving the same bytes, with wrk on
# loopback: an article page (its view count spliced in at every request; the
# requests carry a browser User-Agent, so each one counts a view) and the
# front page, each without and with gzip. 64 connections, keep-alive, 2 wrk
# threads, BENCH_WEB_SECONDS (10) each. Prints req/s, p99 latency, the ratio
# to nginx, and tidings' peak RSS (after a /metrics scrape, which must not
# cost memory).
#
# nginx serves the pages tidings sent (saved with a bot User-Agent, which
# does not count) as static files, with the same security headers; gzip
# twice: the gzip bytes tidings sent through gzip_static (what tidings does:
# compressed once), and nginx compressing on the fly (gzip_comp_level 6).
#
# Every line carries the machine's state: the 1-minute load average before
# the run, and "others", the CPU that processes other than tidings, nginx
# and wrk used during the run, in % of all CPUs (what another engineer's
# build took from the bench). Figures taken with others above ~10% are
# noise, not results.
#
# The database has BENCH_WEB_N (100000) generated articles (bench/
# gen_articles.c), kept in bench/out between runs and regenerated when
# gen_articles.c changes. `sh bench/web.sh db` only makes sure it exists and
# prints its path (the other web benches use it). nginx is installed with
# apt when missing and root; the bench is skipped without wrk or nginx.
set -u
. bench/lib.sh

MODE=${1:-bench}
N=${BENCH_WEB_N:-100000}
SECS=${BENCH_WEB_SECONDS:-10}
LIB=build/rel/libtidings.a
UA="Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
BOT="Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

if [ "$MODE" != db ]; then
	section "web: tidings serve vs nginx, wrk, 64 connections, ${SECS} s each, $N articles"
	need_tidings
	if ! "$TIDINGS" serve --help >/dev/null 2>&1; then
		echo "skipped: $TIDINGS has no serve command"
		exit 1
	fi
	if ! command -v wrk >/dev/null 2>&1; then
		echo "skipped: wrk not installed (apt-get install wrk)"
		exit 1
	fi
	NGINX=$(command -v nginx || echo /usr/sbin/nginx)
	if [ ! -x "$NGINX" ]; then
		echo "skipped: nginx not installed (scripts/deps installs nginx-light)"
		exit 1
	fi
fi
if [ ! -f "$LIB" ]; then
	echo "skipped: $LIB not built (run make)" >&2
	exit 1
fi

# ---- the database (generated once, kept) ----
PKGS="libcurl expat gumbo sqlite3 libmicrohttpd jansson zlib libutf8proc libxxhash"
if [ ! -x "$BIN/gen_articles" ] || [ bench/gen_articles.c -nt "$BIN/gen_articles" ] ||
	[ "$LIB" -nt "$BIN/gen_articles" ]; then
	# shellcheck disable=SC2046
	${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -Isrc -o "$BIN/gen_articles" bench/gen_articles.c "$LIB" \
		$(pkg-config --libs $PKGS) -lstemmer -lm -lpthread -ldl >&2 ||
		{ echo "cannot build bench/gen_articles.c" >&2; exit 1; }
fi
DB=$OUT/web-$N.db
WORDS=$OUT/web-words.txt
if [ ! -s "$DB" ] || [ ! -s "$WORDS" ] || [ bench/gen_articles.c -nt "$DB" ]; then
	# generated under another name, so that a bench reading the old one
	# (or an interrupted run) never sees half a database
	rm -f "$DB.tmp" "$DB.tmp-wal" "$DB.tmp-shm"
	"$BIN/gen_articles" "$N" "$DB.tmp" "$WORDS.tmp" >&2 &&
		mv "$WORDS.tmp" "$WORDS" && mv "$DB.tmp" "$DB" ||
		{ echo "cannot generate $DB" >&2; exit 1; }
	rm -f "$DB-wal" "$DB-shm"
fi
if [ "$MODE" = db ]; then
	echo "$DB"
	exit 0
fi
echo "database: $DB, $(du -m "$DB" | cut -f1) MB ($N articles, 40 sources, tags; bench/gen_articles.c)"

# ---- the servers ----
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tidings-web-bench.XXXXXX")
TPID=
NPID=
cleanup() {
	[ -n "$TPID" ] && kill "$TPID" 2>/dev/null
	[ -n "$NPID" ] && kill "$NPID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

"$TIDINGS" --db "$DB" serve --no-fetch --listen 127.0.0.1:0 >"$WORK/serve.out" 2>"$WORK/serve.err" &
TPID=$!
serve_port "$WORK" || exit 1
T=http://127.0.0.1:$TPORT
# an article from the middle of the database, at its slugged address
AID=$((N / 2))
APATH=$(curl -s -o /dev/null -w '%{redirect_url}' -A "$BOT" "$T/a/$AID" | sed 's|^http://[^/]*||')
[ -n "$APATH" ] || APATH=/a/$AID
mkdir -p "$WORK/www"
chmod 755 "$WORK" "$WORK/www" # nginx workers run as nobody
curl -sf -A "$BOT" "$T$APATH" -o "$WORK/www/article.html" &&
	curl -sf -A "$BOT" -H 'Accept-Encoding: gzip' "$T$APATH" -o "$WORK/www/article.html.gz" &&
	curl -sf "$T/" -o "$WORK/www/front.html" &&
	curl -sf -H 'Accept-Encoding: gzip' "$T/" -o "$WORK/www/front.html.gz" ||
	{ echo "cannot fetch the pages from tidings"; exit 1; }
if ! gzip -dc "$WORK/www/article.html.gz" | cmp -s - "$WORK/www/article.html"; then
	echo "error: the spliced gzip article does not decode to the plain page"
	exit 1
fi
printf 'pages: article %s (%s bytes, gzip %s), front page (%s bytes, gzip %s)\n' \
	"$APATH" "$(wc -c <"$WORK/www/article.html")" "$(wc -c <"$WORK/www/article.html.gz")" \
	"$(wc -c <"$WORK/www/front.html")" "$(wc -c <"$WORK/www/front.html.gz")"

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
		echo $((20000 + $$ % 20000))
}
NP1=$(free_port)
NP2=$(free_port)
[ "$NP2" = "$NP1" ] && NP2=$((NP1 + 1))
CSP="default-src 'self'; img-src 'self' https: data:; media-src 'self' https:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
cat >"$WORK/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx.err;
events { worker_connections 4096; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	types { text/html html; }
	default_type text/html;
	charset utf-8;
	client_body_temp_path $WORK/tmp;
	proxy_temp_path $WORK/tmp;
	fastcgi_temp_path $WORK/tmp;
	uwsgi_temp_path $WORK/tmp;
	scgi_temp_path $WORK/tmp;
	add_header Content-Security-Policy "$CSP";
	add_header X-Content-Type-Options nosniff;
	add_header Referrer-Policy strict-origin-when-cross-origin;
	add_header Cache-Control no-cache;
	# the gzip bytes tidings sent, served as they are
	server {
		listen 127.0.0.1:$NP1;
		root $WORK/www;
		gzip_static on;
	}
	# compressed by nginx at every request
	server {
		listen 127.0.0.1:$NP2;
		root $WORK/www;
		gzip on;
		gzip_comp_level 6;
		gzip_types text/html;
	}
}
EOF
mkdir -p "$WORK/tmp"
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK" >"$WORK/nginx.out" 2>&1 &
NPID=$!
ok=
for _ in $(seq 1 50); do
	if curl -sf "http://127.0.0.1:$NP1/article.html" -o /dev/null; then ok=1; break; fi
	sleep 0.1
done
if [ -z "$ok" ]; then
	echo "nginx did not start: $(cat "$WORK/nginx.out" "$WORK/nginx.err" 2>/dev/null)"
	exit 1
fi
curl -sf -H 'Accept-Encoding: gzip' "http://127.0.0.1:$NP1/article.html" | cmp -s - "$WORK/www/article.html.gz" ||
	echo "warning: nginx gzip_static does not serve the same bytes"

# ---- the machine's state (own_ticks, kids_secs, machine_ticks: lib.sh) ----
# others_begin; ...; others_end: OTHERS = % of all CPUs that other
# processes used in between; LOAD = the 1-minute load average at the start.
others_begin() {
	LOAD=$(cut -d ' ' -f 1 /proc/loadavg)
	O_M=$(machine_ticks)
	O_OWN=$(own_ticks "$TPID" "$NPID")
	times >"$WORK/times"
	O_KIDS=$(kids_secs)
}
others_end() {
	m=$(machine_ticks)
	own=$(own_ticks "$TPID" "$NPID")
	times >"$WORK/times"
	kids=$(kids_secs)
	hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
	OTHERS=$(awk -v a="$O_M" -v b="$m" -v o0="$O_OWN" -v o1="$own" -v k0="$O_KIDS" \
		-v k1="$kids" -v hz="$hz" 'BEGIN { split(a, x, " "); split(b, y, " ")
		t = y[2] - x[2]; if (t <= 0) { print "?"; exit }
		o = (y[1] - x[1]) - (o1 - o0) - (k1 - k0) * hz; if (o < 0) o = 0
		printf "%.0f", 100 * o / t }')
}

# ---- wrk ----
# run NAME URL [HEADER...]: prints one line, sets RPS and P99 (ms)
run() {
	name=$1
	url=$2
	shift 2
	others_begin
	wrk -t2 -c64 -d"${SECS}s" --latency "$@" "$url" >"$WORK/wrk.out" 2>&1
	others_end
	RPS=$(sed -n 's/^Requests\/sec:[[:space:]]*\([0-9.]*\).*/\1/p' "$WORK/wrk.out")
	p99=$(sed -n 's/^[[:space:]]*99%[[:space:]]*\([0-9.]*[a-z]*\).*/\1/p' "$WORK/wrk.out")
	case $p99 in
	*us) P99=$(calc "${p99%us} / 1000") ;;
	*ms) P99=${p99%ms} ;;
	*s) P99=$(calc "${p99%s} * 1000") ;;
	*) P99=? ;;
	esac
	errs=$(sed -n 's/^[[:space:]]*\(Socket errors:.*\|Non-2xx.*\)$/\1/p' "$WORK/wrk.out" | tr '\n' ' ')
	printf '  %-33s %7.0f req/s  p99 %6.2f ms  load %-5s others %3s%%  %s\n' \
		"$name" "${RPS:-0}" "$P99" "$LOAD" "$OTHERS" "$errs"
}

ratio() { fmt '%.0f%%' "100 * $1 / $2"; }

echo "machine: $(nproc) CPUs; load average before the runs: $(cut -d ' ' -f 1-3 /proc/loadavg)"
echo
echo "article page $APATH (view counted per request):"
run "tidings plain" "$T$APATH" -H "User-Agent: $UA"
tp=$RPS tp99=$P99
run "nginx plain" "http://127.0.0.1:$NP1/article.html" -H "User-Agent: $UA"
np=$RPS
run "tidings gzip (spliced)" "$T$APATH" -H "User-Agent: $UA" -H "Accept-Encoding: gzip"
tg=$RPS tg99=$P99
run "nginx gzip_static (same bytes)" "http://127.0.0.1:$NP1/article.html" -H "User-Agent: $UA" -H "Accept-Encoding: gzip"
ng=$RPS
run "nginx gzip on the fly (level 6)" "http://127.0.0.1:$NP2/article.html" -H "User-Agent: $UA" -H "Accept-Encoding: gzip"
nf=$RPS
echo "  tidings/nginx: plain $(ratio "$tp" "$np"), gzip $(ratio "$tg" "$ng") of gzip_static, $(ratio "$tg" "$nf") of on-the-fly"

echo
echo "front page / (30 latest of $N):"
run "tidings plain" "$T/" -H "User-Agent: $UA"
fp=$RPS fp99=$P99
run "nginx plain" "http://127.0.0.1:$NP1/front.html" -H "User-Agent: $UA"
fnp=$RPS
run "tidings gzip" "$T/" -H "User-Agent: $UA" -H "Accept-Encoding: gzip"
fg=$RPS fg99=$P99
run "nginx gzip_static (same bytes)" "http://127.0.0.1:$NP1/front.html" -H "User-Agent: $UA" -H "Accept-Encoding: gzip"
fng=$RPS
run "nginx gzip on the fly (level 6)" "http://127.0.0.1:$NP2/front.html" -H "User-Agent: $UA" -H "Accept-Encoding: gzip"
fnf=$RPS
echo "  tidings/nginx: plain $(ratio "$fp" "$fnp"), gzip $(ratio "$fg" "$fng") of gzip_static, $(ratio "$fg" "$fnf") of on-the-fly"

# The views were counted (and are written at SIGTERM); /metrics counts the
# articles, which must cost neither time nor memory, so memory is read
# after it. RSS includes the pages of the database file that SQLite has
# memory-mapped, if any.
ms=$(curl -s -o "$WORK/metrics.txt" -w '%{time_total}' "$T/metrics")
VIEWS=$(sed -n 's/^tidings_views_total \([0-9]*\)$/\1/p' "$WORK/metrics.txt")
HITS=$(sed -n 's/^tidings_cache_hits_total \([0-9]*\)$/\1/p' "$WORK/metrics.txt")
ARTS=$(sed -n 's/^tidings_articles \([0-9]*\)$/\1/p' "$WORK/metrics.txt")
RSS=$(awk '/^VmHWM:/ { h = $2 } /^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 }
	END { printf "%.1f MB (now: %.1f MB anonymous, %.1f MB files)", h / 1024, a / 1024, f / 1024 }' \
	"/proc/$TPID/status" 2>/dev/null)
kill -TERM "$TPID"
wait "$TPID"
status=$?
TPID=
kill "$NPID" 2>/dev/null
wait "$NPID" 2>/dev/null
NPID=
echo
echo "tidings: peak RSS ${RSS:-?}; /metrics counted ${ARTS:-?} articles in $(fmt %.1f "$ms * 1000") ms"
echo "tidings: ${VIEWS:-?} views counted, ${HITS:-?} cache hits; SIGTERM exit status $status"
worst=$(awk -v a="$tp99" -v b="$tg99" -v c="$fp99" -v d="$fg99" 'BEGIN { m = a; if (b > m) m = b; if (c > m) m = c; if (d > m) m = d; print m }')
echo "summary: tidings/nginx article $(ratio "$tp" "$np") plain, $(ratio "$tg" "$ng") gzip; front $(ratio "$fp" "$fnp") plain, $(ratio "$fg" "$fng") gzip; worst p99 ${worst} ms; load $(cut -d ' ' -f 1-3 /proc/loadavg) (targets: >= 80%, < 10 ms, RSS < 64 MB)"
