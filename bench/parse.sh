#!/bin/sh
# parse.sh - parse throughput and peak memory: `tidings parse FILE` against
# `sfeed < FILE`, one process per feed, pinned to one core, on a generated
# corpus of realistic feeds (bench/gencorpus.c).
#
# Environment:
#   BENCH_CORPUS_MB  corpus size in MB of 10^6 bytes (default 110)
#   BENCH_REPEAT     timed rounds, each running every tool once (default 3)
#   BENCH_VERIFY     1 (default): count the items each tool printed, untimed
#
# Numbers: MB/s = corpus bytes / wall seconds of the whole sequence
# (process start-up included, as both tools pay it); items/s uses the item
# count the generator recorded; cpu_s = user+sys of all the processes and
# MB/cpu_s the throughput by CPU time, which a busy machine distorts less
# than wall time (each column from the tool's best round; the median ratio
# of rounds compares the tools under the same load). Peak memory is the
# largest max-RSS of any one process (wait4 rusage, like /usr/bin/time -f
# %M).
set -u
. bench/lib.sh

MB=${BENCH_CORPUS_MB:-110}
REPEAT=${BENCH_REPEAT:-3}
VERIFY=${BENCH_VERIFY:-1}
CORPUS=$OUT/corpus
BIG=$OUT/feed-10MiB.xml
BIG_BYTES=10485760 # TD_MAX_FETCH_BYTES, the fetch size cap

section "parse: tidings parse vs sfeed, one process per feed, one core"
need_tidings
if ! command -v sfeed >/dev/null 2>&1; then
	echo "sfeed not installed (apt-get install sfeed): comparison skipped"
fi
bench_cc gencorpus -lm || exit 1
bench_cc runeach || exit 1

# ---- corpus (generated once; regenerated when the parameters change) ----
if ! head -n 1 "$CORPUS/MANIFEST" 2>/dev/null | grep -q "^# gencorpus v1 .* total_mb $MB\$" ||
	[ bench/gencorpus.c -nt "$CORPUS/MANIFEST" ]; then
	rm -rf "$CORPUS"
	"$BIN/gencorpus" corpus "$CORPUS" "$MB" >/dev/null || exit 1
fi
if [ "$(stat -c %s "$BIG" 2>/dev/null)" != "$BIG_BYTES" ] || [ bench/gencorpus.c -nt "$BIG" ]; then
	"$BIN/gencorpus" exact "$BIG" "$BIG_BYTES" >/dev/null || exit 1
fi
LIST=$OUT/corpus.list
awk -v d="$CORPUS" 'NR > 1 { print d "/" $1 }' "$CORPUS/MANIFEST" >"$LIST"
files=$(awk 'NR > 1' "$CORPUS/MANIFEST" | wc -l)
bytes=$(awk 'NR > 1 { s += $2 } END { printf "%.0f", s }' "$CORPUS/MANIFEST")
items=$(awk 'NR > 1 { s += $3 } END { printf "%.0f", s }' "$CORPUS/MANIFEST")
mb=$(fmt %.1f "$bytes / 1e6")
mix=$(awk 'NR > 1 { n[$4]++; b[$4] += $2 }
	END { split("rss2 atom rdf", f, " ")
	for (i = 1; i <= 3; i++) printf "%s %d files %.1f MB, ", f[i], n[f[i]], b[f[i]] / 1e6 }' "$CORPUS/MANIFEST" | sed 's/, $//')
sizes=$(awk 'NR > 1 { print $2 }' "$CORPUS/MANIFEST" | sort -n | awk '{ a[NR] = $1 }
	END { printf "min %.0f KB, median %.0f KB, p90 %.0f KB, p99 %.0f KB, max %.1f MB",
	a[1] / 1e3, a[int(NR / 2)] / 1e3, a[int(NR * .9)] / 1e3, a[int(NR * .99)] / 1e3, a[NR] / 1e6 }')
echo "corpus: $files files, $mb MB, $items items ($CORPUS, gencorpus v1, fixed seed)"
echo "        $mix"
echo "        sizes $sizes"
cat "$CORPUS"/*.xml >/dev/null # warm the page cache

# ---- timed runs -------------------------------------------------------------
# REPEAT rounds; a round runs each tool once over the corpus, back to back
# (the order alternates), so the tools of one round share the machine's
# load of that moment. Per tool, the run fastest by wall time gives the
# wall columns and the run cheapest in CPU time the CPU columns. The
# ratio line also gives the median over rounds of sfeed's CPU time over
# tidings' (the same moment's load on both: the figure a busy machine
# disturbs least).
cpu() { calc "$(kv user "$1") + $(kv sys "$1")"; }
have_sfeed=0
command -v sfeed >/dev/null 2>&1 && have_sfeed=1
have_expat=0
bench_cc expatpass -lexpat 2>/dev/null && have_expat=1
keep() { # TOOL LINE: remember the line if it is the tool's best so far
	eval "_w=\${w_$1:-} _c=\${c_$1:-}"
	if [ -z "$_w" ] || [ "$(calc "$(kv wall "$2") < $(kv wall "$_w")")" = 1 ]; then
		eval "w_$1=\$2"
	fi
	if [ -z "$_c" ] || [ "$(calc "$(cpu "$2") < $(cpu "$_c")")" = 1 ]; then
		eval "c_$1=\$2"
	fi
}
ratios=
_i=0
while [ "$_i" -lt "$REPEAT" ]; do
	_t= _s=
	for _tool in tidings sfeed expat; do
		[ $((_i % 2)) = 1 ] && [ "$_tool" = tidings ] && continue
		case $_tool in
		tidings) _t=$(one_core "$BIN/runeach" "$LIST" -- "$TIDINGS" parse '{}') || exit 1
			keep tidings "$_t" ;;
		sfeed) [ $have_sfeed = 1 ] || continue
			_s=$(one_core "$BIN/runeach" -i "$LIST" -- sfeed) || exit 1
			keep sfeed "$_s" ;;
		expat) [ $have_expat = 1 ] || continue
			_x=$(one_core "$BIN/runeach" "$LIST" -- "$BIN/expatpass" '{}') || exit 1
			keep expat "$_x" ;;
		esac
	done
	if [ $((_i % 2)) = 1 ]; then # odd rounds: tidings last
		_t=$(one_core "$BIN/runeach" "$LIST" -- "$TIDINGS" parse '{}') || exit 1
		keep tidings "$_t"
	fi
	[ -n "$_s" ] && ratios="$ratios $(calc "$(cpu "$_s") / $(cpu "$_t")")"
	_i=$((_i + 1))
done

row() { # NAME BEST-WALL-LINE BEST-CPU-LINE
	_w=$(kv wall "$2")
	_c=$(cpu "$3")
	printf '%-9s %6s %6s %7s %8s %7s %8s %8s %9s %9s\n' "$1" \
		"$(kv files "$2")" "$(kv failed "$2")" "$mb" "$(fmt %.2f "$_w")" \
		"$(fmt %.1f "$bytes / 1e6 / $_w")" "$(fmt %.0f "$items / $_w")" \
		"$(fmt %.2f "$_c")" "$(fmt %.1f "$bytes / 1e6 / $_c")" \
		"$(fmt %.1f "$(kv maxrss_kb "$2") / 1024")"
}

echo
printf '%-9s %6s %6s %7s %8s %7s %8s %8s %9s %9s\n' tool files failed MB wall_s MB/s items/s cpu_s MB/cpu_s maxRSS_MB
t_line=$w_tidings
row tidings "$w_tidings" "$c_tidings"
s_line=
if [ $have_sfeed = 1 ]; then
	s_line=$w_sfeed
	row sfeed "$w_sfeed" "$c_sfeed"
fi
[ $have_expat = 1 ] && row expat "$w_expat" "$c_expat"
if [ -n "$s_line" ]; then
	med=$(printf '%s\n' $ratios | sort -n | awk '{ r[NR] = $1 } END { printf "%.2f", r[int((NR + 1) / 2)] }')
	echo "tidings/sfeed throughput: $(fmt %.2f "$(kv wall "$w_sfeed") / $(kv wall "$w_tidings")")x by wall time, $(fmt %.2f "$(cpu "$c_sfeed") / $(cpu "$c_tidings")")x by CPU time, median of rounds ${med}x by CPU time (target >= 1.5x)"
fi
echo "(best of $REPEAT rounds; wall includes process start-up; taskset -c 0;"
echo " expat = bench/expatpass.c, a bare expat pass with no handlers, for scale)"

# Throughput by feed size: the same runs on three slices of the corpus
# (best CPU of REPEAT rounds each). Process start-up is a fixed cost per
# feed, so the ratio for small feeds is mostly start-up and the ratio for
# large ones mostly parsing.
if [ $have_sfeed = 1 ]; then
	echo
	echo "by feed size (MB/cpu-s, best of $REPEAT; share = share of the corpus bytes):"
	printf '  %-16s %6s %7s %6s %9s %9s %7s\n' class files MB share tidings sfeed ratio
	for _cls in "under 32 KB:0:32000" "32-256 KB:32000:256000" "256 KB and over:256000:999999999999"; do
		_name=${_cls%%:*}
		_r=${_cls#*:}
		_lo=${_r%%:*}
		_hi=${_r#*:}
		awk -v d="$CORPUS" -v lo="$_lo" -v hi="$_hi" 'NR > 1 && $2 >= lo && $2 < hi { print d "/" $1 }' "$CORPUS/MANIFEST" >"$OUT/class.list"
		_n=$(wc -l <"$OUT/class.list")
		[ "$_n" -gt 0 ] || continue
		_b=$(awk -v lo="$_lo" -v hi="$_hi" 'NR > 1 && $2 >= lo && $2 < hi { s += $2 } END { printf "%.0f", s }' "$CORPUS/MANIFEST")
		_ct= _cs=
		_i=0
		while [ "$_i" -lt "$REPEAT" ]; do
			_l=$(one_core "$BIN/runeach" "$OUT/class.list" -- "$TIDINGS" parse '{}') || exit 1
			if [ -z "$_ct" ] || [ "$(calc "$(cpu "$_l") < $_ct")" = 1 ]; then _ct=$(cpu "$_l"); fi
			_l=$(one_core "$BIN/runeach" -i "$OUT/class.list" -- sfeed) || exit 1
			if [ -z "$_cs" ] || [ "$(calc "$(cpu "$_l") < $_cs")" = 1 ]; then _cs=$(cpu "$_l"); fi
			_i=$((_i + 1))
		done
		printf '  %-16s %6s %7s %5s%% %9s %9s %6sx\n' "$_name" "$_n" "$(fmt %.1f "$_b / 1e6")" \
			"$(fmt %.0f "100 * $_b / $bytes")" "$(fmt %.1f "$_b / 1e6 / $_ct")" \
			"$(fmt %.1f "$_b / 1e6 / $_cs")" "$(fmt %.2f "$_cs / $_ct")"
	done
fi

# Process start-up floor: the same tiny feed parsed 300 times; the run
# cheapest in CPU time of REPEAT.
best() { # RUNEACH-ARGS...
	_best=
	_i=0
	while [ "$_i" -lt "$REPEAT" ]; do
		_l=$(one_core "$BIN/runeach" "$@") || return 1
		if [ -z "$_best" ] || [ "$(calc "$(cpu "$_l") < $(cpu "$_best")")" = 1 ]; then
			_best=$_l
		fi
		_i=$((_i + 1))
	done
	printf '%s\n' "$_best"
}
TINY=$OUT/tiny.xml
printf '%s\n' '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>i</title><link>https://x.example/1</link></item></channel></rss>' >"$TINY"
awk -v f="$TINY" 'BEGIN { for (i = 0; i < 300; i++) print f }' >"$OUT/tiny.list"
tt=$(best "$OUT/tiny.list" -- "$TIDINGS" parse '{}')
floor="start-up floor (tiny feed x300, per process): tidings $(fmt %.2f "$(kv wall "$tt") / 300 * 1000") ms wall, $(fmt %.2f "$(cpu "$tt") / 300 * 1000") ms CPU"
if [ -n "$s_line" ]; then
	st=$(best -i "$OUT/tiny.list" -- sfeed)
	floor="$floor; sfeed $(fmt %.2f "$(kv wall "$st") / 300 * 1000") ms wall, $(fmt %.2f "$(cpu "$st") / 300 * 1000") ms CPU"
fi
# CPU left for parsing once the start-up floor is taken out, per tool.
net() { # CORPUS-LINE TINY-LINE
	fmt %.1f "$bytes / 1e6 / ($(cpu "$1") - $(kv files "$1") * $(cpu "$2") / 300)"
}
floor="$floor
parse CPU without start-up (cpu_s - files x floor): tidings $(net "$c_tidings" "$tt") MB/cpu-s"
[ -n "$s_line" ] && floor="$floor, sfeed $(net "$c_sfeed" "$st") MB/cpu-s"
if command -v ldd >/dev/null 2>&1; then
	floor="$floor
tidings links $(ldd "$TIDINGS" 2>/dev/null | grep -c '=>') shared libraries"
fi
echo "$floor"

# ---- peak memory ------------------------------------------------------------
echo
echo "peak memory (max RSS of one process):"
printf '  %-8s corpus max %6s MB (%s)\n' tidings "$(fmt %.1f "$(kv maxrss_kb "$t_line") / 1024")" "$(basename "$(kv maxrss_file "$t_line")")"
[ -n "$s_line" ] && printf '  %-8s corpus max %6s MB (%s)\n' sfeed "$(fmt %.1f "$(kv maxrss_kb "$s_line") / 1024")" "$(basename "$(kv maxrss_file "$s_line")")"
echo "$BIG" >"$OUT/big.list"
if [ -x /usr/bin/time ]; then
	big_t() { # CMD...: max RSS (KB), wall and exit status via GNU time
		one_core /usr/bin/time -f '%M %e %x' -o "$OUT/time.out" "$@" >/dev/null 2>&1
		set -- $(tail -n 1 "$OUT/time.out")
		echo "maxrss_kb=$1 wall=$2 status=$3"
	}
	tb=$(big_t "$TIDINGS" parse "$BIG")
	printf '  %-8s 10 MiB feed %5s MB, %s s, exit %s\n' tidings "$(fmt %.1f "$(kv maxrss_kb "$tb") / 1024")" "$(kv wall "$tb")" "$(kv status "$tb")"
	if [ -n "$s_line" ]; then
		sb=$(big_t sh -c 'exec sfeed < "$1"' sh "$BIG")
		printf '  %-8s 10 MiB feed %5s MB, %s s, exit %s\n' sfeed "$(fmt %.1f "$(kv maxrss_kb "$sb") / 1024")" "$(kv wall "$sb")" "$(kv status "$sb")"
	fi
else
	tb=$(one_core "$BIN/runeach" "$OUT/big.list" -- "$TIDINGS" parse '{}')
	printf '  %-8s 10 MiB feed %5s MB, %s s\n' tidings "$(fmt %.1f "$(kv maxrss_kb "$tb") / 1024")" "$(fmt %.2f "$(kv wall "$tb")")"
fi
echo "  (target: tidings under 64 MB for any feed up to the 10 MiB cap)"

# ---- items actually recovered (untimed) -------------------------------------
if [ "$VERIFY" = 1 ]; then
	V=$OUT/verify
	rm -rf "$V"
	mkdir -p "$V/tidings" "$V/sfeed"
	"$BIN/runeach" -o "$V/tidings" "$LIST" -- "$TIDINGS" parse '{}' >/dev/null
	ti=$(python3 -c '
import json, os, sys
d = sys.argv[1]; n = bad = 0
for f in os.listdir(d):
    try:
        n += len(json.load(open(os.path.join(d, f), encoding="utf-8")).get("items", []))
    except Exception:
        bad += 1
print("%d items%s" % (n, " (%d outputs not JSON)" % bad if bad else ""))' "$V/tidings" 2>/dev/null || echo "? items (python3 missing)")
	line="items found: generated $items, tidings $ti"
	if [ -n "$s_line" ]; then
		"$BIN/runeach" -i -o "$V/sfeed" "$LIST" -- sfeed >/dev/null
		line="$line, sfeed $(cat "$V/sfeed"/*.out | wc -l) items"
	fi
	echo
	echo "$line"
	rm -rf "$V"
fi
