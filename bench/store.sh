#!/bin/sh
# store.sh - insert rate and search latency of the SQLite store, measured by
# bench/store_bench.c (written with the store module; see its header for
# the input and the method). Built here against build/rel/libtidings.a.
#
# Environment: BENCH_STORE_N articles (default 20000, to keep `make bench`
# under ten minutes; the program's own default is 100000).
set -u
. bench/lib.sh

N=${BENCH_STORE_N:-20000}
LIB=build/rel/libtidings.a

section "store: insert and search, $N generated articles (bench/store_bench.c)"
if [ ! -f bench/store_bench.c ] || [ ! -f "$LIB" ]; then
	echo "skipped: needs bench/store_bench.c and $LIB (run make)"
	exit 1
fi
PKGS="libcurl expat gumbo sqlite3 libmicrohttpd jansson zlib libutf8proc libxxhash"
if [ ! -x "$BIN/store_bench" ] || [ bench/store_bench.c -nt "$BIN/store_bench" ] ||
	[ "$LIB" -nt "$BIN/store_bench" ]; then
	# shellcheck disable=SC2046
	${CC:-cc} -std=gnu11 -O2 -Isrc -o "$BIN/store_bench" bench/store_bench.c "$LIB" \
		$(pkg-config --libs $PKGS) -lstemmer -lm -lpthread ||
		{ echo "cannot build bench/store_bench.c"; exit 1; }
fi
DB=$OUT/store-bench.db
"$BIN/store_bench" "$N" "$DB" >"$OUT/store.out" 2>&1
status=$?
grep -v '^machine:' "$OUT/store.out"
rm -f "$DB" "$DB-wal" "$DB-shm"
exit $status
