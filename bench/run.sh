#!/bin/sh
# run.sh - `make bench`: print the machine, then run every benchmark and
# print its numbers; the same text is written to bench/out/results.txt.
#
#   sh bench/run.sh [NAME...]   NAME is a bench/NAME.sh (default: all)
#
# One script per bench (parse.sh, fetch.sh, store.sh, ...). Each prints its
# own section and exits non-zero when it could not run; a failing bench does
# not stop the others. New bench/*.sh scripts are picked up automatically
# after the ones listed in ORDER.
set -u
cd "$(dirname "$0")/.." || exit 1
mkdir -p bench/out

ORDER="parse fetch store"
if [ $# -gt 0 ]; then
	benches=$*
else
	benches=$ORDER
	for f in bench/*.sh; do
		b=$(basename "$f" .sh)
		case " $ORDER run lib " in *" $b "*) continue ;; esac
		benches="$benches $b"
	done
fi

header() {
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
	mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
	ver=$(./tidings version 2>/dev/null || echo "tidings not built")
	rev=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
	[ -n "$(git status --porcelain -- src 2>/dev/null)" ] && rev="$rev+modified"
	ccv=$(${CC:-cc} --version 2>/dev/null | head -n 1)
	sf=$(dpkg-query -W -f '${Version}' sfeed 2>/dev/null || echo "?")
	echo "tidings benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "machine: $(nproc) CPUs, ${cpu:-unknown CPU}, ${mem:-? RAM}, $(uname -s) $(uname -r) $(uname -m)"
	echo "build:   $ver (git $rev), $ccv; sfeed $sf"
	load=$(cut -d ' ' -f 1 /proc/loadavg 2>/dev/null)
	echo "load:    $load (1-minute average before the run)"
	if [ -n "$load" ] && [ "$(awk -v l="$load" -v n="$(nproc)" 'BEGIN { print (l > n / 2) }')" = 1 ]; then
		echo "warning: the machine is busy; wall times are inflated, compare CPU times"
	fi
}

start=$(date +%s)
{
	header
	for b in $benches; do
		if [ ! -f "bench/$b.sh" ]; then
			printf '\n== %s ==\nno such bench: bench/%s.sh\n' "$b" "$b"
			continue
		fi
		sh "bench/$b.sh" || echo "($b: did not complete)"
	done
	echo
	echo "total bench time: $(($(date +%s) - start)) s"
} 2>&1 | tee bench/out/results.txt.tmp
mv bench/out/results.txt.tmp bench/out/results.txt
