#!/bin/sh
# sanitize.sh - HTML sanitizer and HTML-to-text throughput, measured by
# bench/sanitize_bench.c on generated article HTML (see its header for the
# input and the method). Built here against build/rel/libtidings.a.
#
# Environment: BENCH_SANITIZE_MB corpus size (default 4), BENCH_SANITIZE_ROUNDS
# (default 5).
set -u
. bench/lib.sh

MB=${BENCH_SANITIZE_MB:-4}
ROUNDS=${BENCH_SANITIZE_ROUNDS:-5}
LIB=build/rel/libtidings.a

section "sanitize: html_sanitize and html_to_text, ${MB} MB of generated articles (bench/sanitize_bench.c)"
if [ ! -f bench/sanitize_bench.c ] || [ ! -f "$LIB" ]; then
	echo "skipped: needs bench/sanitize_bench.c and $LIB (run make)"
	exit 1
fi
PKGS="libcurl expat gumbo sqlite3 libmicrohttpd jansson zlib libutf8proc libxxhash"
if [ ! -x "$BIN/sanitize_bench" ] || [ bench/sanitize_bench.c -nt "$BIN/sanitize_bench" ] ||
	[ "$LIB" -nt "$BIN/sanitize_bench" ]; then
	# shellcheck disable=SC2046
	${CC:-cc} -std=gnu11 -O2 -Isrc -o "$BIN/sanitize_bench" bench/sanitize_bench.c "$LIB" \
		$(pkg-config --libs $PKGS) -lstemmer -lm -lpthread ||
		{ echo "cannot build bench/sanitize_bench.c"; exit 1; }
fi
one_core "$BIN/sanitize_bench" "$MB" "$ROUNDS"
