# lib.sh - helpers shared by the bench scripts. Sourced, never run; the
# scripts run from the repository root (bench/run.sh cd's there).
#
#   OUT      bench/out (generated data, results; git-ignored)
#   BIN      bench/out/bin (helper programs built from bench/*.c)
#   TIDINGS  the binary under test (default ./tidings)

OUT=bench/out
BIN=$OUT/bin
TIDINGS=${TIDINGS:-./tidings}
mkdir -p "$BIN"

# bench_cc NAME [LIBS...]: build $BIN/NAME from bench/NAME.c unless it is
# newer than the source.
bench_cc() {
	name=$1
	shift
	if [ ! -x "$BIN/$name" ] || [ "bench/$name.c" -nt "$BIN/$name" ]; then
		${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -o "$BIN/$name" "bench/$name.c" "$@" ||
			{ echo "bench: cannot build bench/$name.c" >&2; return 1; }
	fi
}

# kv KEY LINE: the value of KEY=value in a line of key=value pairs.
kv() {
	printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# calc EXPR: floating-point arithmetic through awk ("calc '3 / 2'").
calc() {
	awk "BEGIN { printf \"%s\", $1 }" 2>/dev/null
}

# fmt FORMAT EXPR: calc with a printf format ("fmt %.1f '3 / 2'").
fmt() {
	awk "BEGIN { printf \"$1\", $2 }" 2>/dev/null
}

# section TITLE: a heading in the results.
section() {
	printf '\n== %s ==\n' "$1"
}

# need_tidings: fail the bench (exit 1 from the calling script) when the
# binary is missing; otherwise snapshot it into $BIN, so that a rebuild
# while the bench runs cannot change or remove the binary under test.
need_tidings() {
	if [ ! -x "$TIDINGS" ]; then
		echo "skipped: $TIDINGS not built (run make)"
		exit 1
	fi
	cp "$TIDINGS" "$BIN/tidings.tmp" && mv "$BIN/tidings.tmp" "$BIN/tidings" ||
		{ echo "skipped: cannot copy $TIDINGS"; exit 1; }
	TIDINGS=$BIN/tidings
}

# one_core CMD...: run pinned to CPU 0 when taskset exists.
one_core() {
	if command -v taskset >/dev/null 2>&1; then
		taskset -c 0 "$@"
	else
		"$@"
	fi
}

# serve_port DIR: wait up to 10 s for a `tidings serve --listen
# 127.0.0.1:0` started with its stdout in DIR/serve.out (stderr in
# DIR/serve.err) to print its port; sets TPORT, or says why and fails.
serve_port() {
	TPORT=
	for _ in $(seq 1 100); do
		TPORT=$(sed -n 's/^listening on http:\/\/127\.0\.0\.1:\([0-9]*\)$/\1/p' "$1/serve.out" 2>/dev/null)
		[ -n "$TPORT" ] && return 0
		sleep 0.1
	done
	echo "tidings serve did not start: $(cat "$1/serve.err")"
	return 1
}

# ---- CPU accounting for the server benchmarks (web, search_web, load) ----
# CPU ticks (utime + stime) of the given processes and of their children
# (nginx's workers): ours, not the machine's other work.
own_ticks() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v list=" $* " '
		{ if (index(list, " " $1 " ") || index(list, " " $4 " ")) s += $14 + $15 }
		END { printf "%d", s }'
}
# CPU seconds of the shell's finished children (wrk, curl), as of the last
# `times >"$WORK/times"` (run by the shell itself, not in a subshell)
kids_secs() {
	awk 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); s += p[1] * 60 + p[2] }
		printf "%.2f", s }' "$WORK/times"
}
# busy and total jiffies of the whole machine, "BUSY TOTAL"
machine_ticks() {
	awk '/^cpu / { printf "%d %d", $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9 }' /proc/stat
}
