#!/bin/sh
# extract.sh [CORPUS] - quality and speed of `tidings extract` on the
# article-extraction dev set, side by side with Readability.js.
#
# CORPUS defaults to ../shared/corpus/readability (one folder per page with
# source.html and expected.html; see its README.md for the metric). Every
# page is extracted with its URL set to http://fakehost/test/ as the
# Readability test suite assumes. Prints, for tidings and for Readability.js
# (npm @mozilla/readability on jsdom, installed in bench/readability/ with
# `npm ci` when missing): mean precision, recall and shingle F1 (scored by
# bench/extract_score.c, the same code for both), and pages per second.
# tidings runs one process per page (speed given with and without process
# start-up: the second figure times html_extract in one process);
# Readability runs in one node process, start-up excluded. Then the WORST
# (default 25) pages by F1 for tidings, with precision and recall; every
# page's scores are left in build/bench/extract/pages.txt. READABILITY=0
# skips Readability.js. Needs ./tidings and build/rel/libtidings.a (make).
set -e
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus/readability}
url=http://fakehost/test/
out=build/bench/extract
[ -d "$corpus" ] || { echo "extract.sh: no corpus at $corpus" >&2; exit 1; }
[ -x ./tidings ] && [ -f build/rel/libtidings.a ] ||
	{ echo "extract.sh: run make first" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/ours" "$out/readability"
PKGS="libcurl expat gumbo sqlite3 libmicrohttpd jansson zlib libutf8proc libxxhash"
# shellcheck disable=SC2046
${CC:-cc} -std=gnu11 -O2 -Isrc $(pkg-config --cflags $PKGS) \
	-o "$out/extract_score" bench/extract_score.c build/rel/libtidings.a \
	$(pkg-config --libs $PKGS) -lstemmer -lm -lpthread

dirs=$(for d in "$corpus"/*/; do [ -f "$d/source.html" ] && echo "${d%/}"; done)
n=$(echo "$dirs" | wc -l)
bytes=$(for d in $dirs; do cat "$d/source.html"; done | wc -c)

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
echo "extract: $n pages ($((bytes / 1024)) KiB) from $corpus"
echo "machine: ${cpu:-unknown CPU}, $(nproc) cores, $(uname -sm)"

now() { date +%s%N; }

# ---- tidings: one process per page ----
t0=$(now)
for d in $dirs; do
	./tidings extract --url "$url" "$d/source.html" \
		>"$out/ours/$(basename "$d").json" 2>/dev/null || true
done
t1=$(now)
wall=$(echo "$t0 $t1" | awk '{ printf "%.3f", ($2 - $1) / 1e9 }')
# shellcheck disable=SC2046
inproc=$("$out/extract_score" time "$url" $(for d in $dirs; do echo "$d/source.html"; done) |
	awk '{ print $4 }')
ours=$("$out/extract_score" score "$corpus" "$out/ours" json -v | tee "$out/pages.txt" |
	tail -n 1)

# ---- Readability.js ----
rd=""
if [ "${READABILITY:-1}" != 0 ] && command -v node >/dev/null 2>&1; then
	if [ ! -d bench/readability/node_modules/@mozilla/readability ]; then
		(cd bench/readability && npm ci --silent >/dev/null 2>&1) || true
	fi
	if [ -d bench/readability/node_modules/@mozilla/readability ]; then
		# shellcheck disable=SC2086
		rsecs=$(node bench/readability/run.mjs "$out/readability" "$url" $dirs |
			awk '{ print $4 }')
		rd=$("$out/extract_score" score "$corpus" "$out/readability" html)
	fi
fi

f1() { echo "$1" | awk '{ print $8 }'; }
pr() { echo "$1" | awk '{ printf "P %s R %s", $4, $6 }'; }
rate() { echo "$1 $2" | awk '{ printf "%.1f", ($2 > 0 ? $1 / $2 : 0) }'; }

printf "%-16s %-8s %-24s %s\n" extractor F1 "precision/recall" "pages/s"
printf "%-16s %-8s %-24s %s (with start-up, %ss), %s (html_extract alone, %ss)\n" \
	tidings "$(f1 "$ours")" "$(pr "$ours")" "$(rate "$n" "$wall")" "$wall" \
	"$(rate "$n" "$inproc")" "$inproc"
if [ -n "$rd" ]; then
	printf "%-16s %-8s %-24s %s (start-up excluded, %ss)\n" \
		readability.js "$(f1 "$rd")" "$(pr "$rd")" \
		"$(rate "$n" "$rsecs")" "$rsecs"
	echo "$wall $inproc $rsecs" | awk '{ printf "speed-up: %.1fx with start-up, %.1fx without\n", $3 / $1, $3 / $2 }'
else
	echo "readability.js: not run (READABILITY=0, or node or npm packages missing)"
fi
worst=${WORST:-25}
if [ "$worst" -gt 0 ]; then
	echo "tidings: the $worst worst pages by F1 (all in $out/pages.txt)"
	grep -v '^pages ' "$out/pages.txt" | sort -k7,7n -k1,1 | head -n "$worst"
fi
