#!/bin/sh
# web.sh - `tidings serve` against nginx serving the same bytes, with wrk on
# loopback: an article page (its view count spliced in at every request; the
# requests carry a browser User-Agent, so each one counts a view) and the
# front page, each without and with gzip. 64 connections, keep-alive, 2 wrk
# threads, BENCH_WEB_SECONDS (10) each. Prints req/s, p99 latency, the ratio
# to nginx, and tidings' peak RSS.
#
# nginx serves the pages tidings sent (saved with a bot User-Agent, which
# does not count) as static files, with the same security headers; gzip
# twice: the gzip bytes tidings sent through gzip_static (what tidings does:
# compressed once), and nginx compressing on the fly (gzip_comp_level 6).
#
# The database has BENCH_WEB_N (100000) generated articles (bench/
# gen_articles.c), kept in bench/out between runs. nginx is installed with
# apt when missing and root; the bench is skipped without wrk or nginx.
set -u
. bench/lib.sh

N=${BENCH_WEB_N:-100000}
SECS=${BENCH_WEB_SECONDS:-10}
LIB=build/rel/libtidings.a
UA="Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
BOT="Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

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
if [ ! -x "$NGINX" ] && [ "$(id -u)" = 0 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y nginx-light >"$OUT/apt-nginx.log" 2>&1 ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y nginx >>"$OUT/apt-nginx.log" 2>&1
	NGINX=$(command -v nginx || echo /usr/sbin/nginx)
fi
if [ ! -x "$NGINX" ]; then
	echo "skipped: nginx not installed (apt-get install nginx-light)"
	exit 1
fi

# ---- the database (generated once, kept) ----
PKGS="libcurl expat gumbo sqlite3 libmicrohttpd jansson zlib libutf8proc libxxhash"
if [ ! -x "$BIN/gen_articles" ] || [ bench/gen_articles.c -nt "$BIN/gen_articles" ] ||
	[ "$LIB" -nt "$BIN/gen_articles" ]; then
	# shellcheck disable=SC2046
	${CC:-cc} -std=gnu11 -O2 -Isrc -o "$BIN/gen_articles" bench/gen_articles.c "$LIB" \
		$(pkg-config --libs $PKGS) -lstemmer -lm -lpthread -ldl ||
		{ echo "cannot build bench/gen_articles.c"; exit 1; }
fi
DB=$OUT/web-$N.db
if [ ! -s "$DB" ] || [ bench/gen_articles.c -nt "$DB" ]; then
	rm -f "$DB" "$DB-wal" "$DB-shm"
	"$BIN/gen_articles" "$N" "$DB" || { echo "cannot generate $DB"; exit 1; }
fi
echo "database: $DB, $(du -m "$DB" | cut -f1) MB"

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
TPORT=
for _ in $(seq 1 100); do
	TPORT=$(sed -n 's/^listening on http:\/\/127\.0\.0\.1:\([0-9]*\)$/\1/p' "$WORK/serve.out")
	[ -n "$TPORT" ] && break
	sleep 0.1
done
if [ -z "$TPORT" ]; then
	echo "tidings serve did not start: $(cat "$WORK/serve.err")"
	exit 1
fi
T=http://127.0.0.1:$TPORT
# an article from the middle of the database
AID=$((N / 2))
APATH=/a/$AID
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

# ---- wrk ----
# run NAME URL [HEADER...]: prints one line, sets RPS and P99 (ms)
run() {
	name=$1
	url=$2
	shift 2
	wrk -t2 -c64 -d"${SECS}s" --latency "$@" "$url" >"$WORK/wrk.out" 2>&1
	RPS=$(sed -n 's/^Requests\/sec:[[:space:]]*\([0-9.]*\).*/\1/p' "$WORK/wrk.out")
	p99=$(sed -n 's/^[[:space:]]*99%[[:space:]]*\([0-9.]*[a-z]*\).*/\1/p' "$WORK/wrk.out")
	case $p99 in
	*us) P99=$(calc "${p99%us} / 1000") ;;
	*ms) P99=${p99%ms} ;;
	*s) P99=$(calc "${p99%s} * 1000") ;;
	*) P99=? ;;
	esac
	errs=$(sed -n 's/^[[:space:]]*\(Socket errors:.*\|Non-2xx.*\)$/\1/p' "$WORK/wrk.out" | tr '\n' ' ')
	printf '  %-40s %9.0f req/s  p99 %7.2f ms  %s\n' "$name" "${RPS:-0}" "$P99" "$errs"
}

ratio() { fmt '%.0f%%' "100 * $1 / $2"; }

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

# Memory, read before /metrics (whose article count maps index pages of
# the database). RSS counts the pages of the database file that SQLite's
# mmap has touched (shared with the OS page cache) besides our own memory.
RSS=$(awk '/^VmHWM:/ { h = $2 } /^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 }
	END { printf "%.1f MB (now: %.1f MB anonymous, %.1f MB mapped files)", h / 1024, a / 1024, f / 1024 }' \
	"/proc/$TPID/status" 2>/dev/null)
# the views were counted and are written
curl -s "$T/metrics" >"$WORK/metrics.txt"
VIEWS=$(sed -n 's/^tidings_views_total \([0-9]*\)$/\1/p' "$WORK/metrics.txt")
HITS=$(sed -n 's/^tidings_cache_hits_total \([0-9]*\)$/\1/p' "$WORK/metrics.txt")
kill -TERM "$TPID"
wait "$TPID"
status=$?
TPID=
kill "$NPID" 2>/dev/null
wait "$NPID" 2>/dev/null
NPID=
echo
echo "tidings: peak RSS ${RSS:-?}, $N articles"
echo "tidings: $VIEWS views counted, $HITS cache hits; SIGTERM exit status $status"
worst=$(awk -v a="$tp99" -v b="$tg99" -v c="$fp99" -v d="$fg99" 'BEGIN { m = a; if (b > m) m = b; if (c > m) m = c; if (d > m) m = d; print m }')
echo "summary: tidings/nginx article $(ratio "$tp" "$np") plain, $(ratio "$tg" "$ng") gzip; front $(ratio "$fp" "$fnp") plain, $(ratio "$fg" "$fng") gzip; worst p99 ${worst} ms (targets: >= 80%, < 10 ms)"
