#!/bin/sh
# fetch.sh - one fetch round of 2,000 sources served on 127.0.0.1 by the
# fixture server (tests/integration/server.mjs, route /many/I: a small feed
# per I; even I answer 304 to a matching If-None-Match, odd I always 200).
#
# Procedure: fresh database; `tidings import` an OPML of the 2,000 URLs;
# `tidings fetch` once to store ETags (reported, not the headline); then the
# timed round `tidings fetch --force`. Wall and CPU (user+sys) come from
# /usr/bin/time; status counts from the server's request log.
#
# Environment: BENCH_SOURCES (default 2000).
set -u
. bench/lib.sh

N=${BENCH_SOURCES:-2000}
SERVER=tests/integration/server.mjs
DB=$OUT/fetch.db
OPML=$OUT/many.opml

section "fetch: one round of $N sources on 127.0.0.1, half answering 304"
need_tidings
if ! command -v node >/dev/null 2>&1 || [ ! -f "$SERVER" ]; then
	echo "skipped: needs node and $SERVER"
	exit 1
fi

# Remove the old log first: the background shell truncates it only when it
# gets to run, and the loop below must not read a previous run's port.
rm -f "$OUT/server.out"
node "$SERVER" --port 0 >"$OUT/server.out" 2>&1 &
spid=$!
trap 'kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null' EXIT INT TERM
port=
i=0
while [ $i -lt 100 ]; do # up to 10 s for the server to listen
	port=$(sed -n 's/^listening \([0-9][0-9]*\)$/\1/p' "$OUT/server.out")
	[ -n "$port" ] && break
	kill -0 "$spid" 2>/dev/null || break
	sleep 0.1
	i=$((i + 1))
done
if [ -z "$port" ]; then
	echo "fixture server did not start:"
	cat "$OUT/server.out"
	exit 1
fi
base=http://127.0.0.1:$port

awk -v n="$N" -v base="$base" 'BEGIN {
	print "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	print "<opml version=\"2.0\"><head><title>fetch bench</title></head><body>"
	print "<outline text=\"Bench\">"
	for (i = 0; i < n; i++)
		printf "<outline type=\"rss\" text=\"Source %d\" xmlUrl=\"%s/many/%d\"/>\n", i, base, i
	print "</outline></body></opml>"
}' >"$OPML"

rm -f "$DB" "$DB-wal" "$DB-shm"
if ! "$TIDINGS" --db "$DB" import "$OPML" >"$OUT/import.out" 2>&1; then
	echo "import failed: $(tail -n 1 "$OUT/import.out")"
	exit 1
fi

# status_counts: "requests=R s200=A s304=B" for the requests logged since
# the last reset (304 = even I with the ETag the server sent).
status_counts() {
	node -e '
fetch(process.argv[1] + "/_log").then((r) => r.json()).then((log) => {
  let a = 0, b = 0, other = 0;
  for (const e of log) {
    const m = /^\/many\/(\d+)$/.exec(e.path);
    if (!m) { other++; continue; }
    const i = Number(m[1]);
    const inm = e.headers["if-none-match"] || "";
    if (i % 2 === 0 && inm.includes(`"many-${i}-v1"`)) b++; else a++;
  }
  console.log(`requests=${log.length} s200=${a} s304=${b} other=${other}`);
}).catch((e) => { console.log("requests=? s200=? s304=? other=?"); });' "$base"
}

# timed LABEL ARGS...: run tidings under GNU time; prints a table row.
timed() {
	label=$1
	shift
	curl -s -X DELETE "$base/_log" >/dev/null
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%e %U %S %M %x' -o "$OUT/fetch.time" \
			"$TIDINGS" --db "$DB" "$@" >"$OUT/fetch.out" 2>"$OUT/fetch.err"
		set -- $(tail -n 1 "$OUT/fetch.time")
		wall=$1 cpu=$(fmt %.2f "$2 + $3") rss=$(fmt %.1f "$4 / 1024") rc=$5
	else
		s=$(date +%s.%N)
		"$TIDINGS" --db "$DB" "$@" >"$OUT/fetch.out" 2>"$OUT/fetch.err"
		rc=$?
		wall=$(fmt %.2f "$(date +%s.%N) - $s") cpu=? rss=?
	fi
	c=$(status_counts)
	printf '%-22s %8s %6s %6s %8s %8s %9s %5s\n' "$label" "$(kv requests "$c")" \
		"$(kv s200 "$c")" "$(kv s304 "$c")" "$wall" "$cpu" "$rss" "$rc"
	if [ "$rc" != 0 ]; then
		echo "  stderr: $(head -c 300 "$OUT/fetch.err")"
	fi
}

printf '%-22s %8s %6s %6s %8s %8s %9s %5s\n' round requests 200 304 wall_s cpu_s maxRSS_MB exit
timed "first (primes ETags)" fetch
timed "second, --force" fetch --force
echo "(target: second round under 10 s wall; cpu = user+sys of tidings; $(nproc) CPUs, not pinned)"
"$TIDINGS" --db "$DB" sources --json 2>/dev/null | node -e '
let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => {
  try {
    const v = JSON.parse(s); let arts = 0, err = 0; const st = {};
    for (const x of v) { arts += x.articles || 0; err += x.last_error ? 1 : 0;
      st[x.last_status] = (st[x.last_status] || 0) + 1; }
    console.log(`stored: ${v.length} sources, ${arts} articles, ${err} with errors; last status ` +
      Object.entries(st).map(([k, n]) => `${k}: ${n}`).join(", "));
  } catch { console.log("stored: ? (tidings sources --json unreadable)"); } });'
