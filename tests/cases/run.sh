#!/bin/sh
# run.sh TIDINGS [AREA...] - regression cases stored as data.
#
# Each case is a folder tests/cases/<area>/<name>/ with
#   input          the document fed to the command
#   expected.json  (or expected.html) the exact expected stdout
#   args           optional: extra arguments, one per line (e.g. --base-url)
#   status         optional: expected exit status (default 0)
# Areas map to subcommands: feed -> parse, sanitize -> sanitize,
# extract -> extract. UPDATE=1 rewrites expected files from current output
# (review the diff before committing).
bin=${1:-./tidings}; shift 2>/dev/null
areas=${*:-$(ls tests/cases | grep -v '\.sh$')}
pass=0 fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for area in $areas; do
	case $area in
	feed) cmd=parse ;; sanitize) cmd=sanitize ;; extract) cmd=extract ;;
	*) continue ;;
	esac
	for dir in tests/cases/$area/*/; do
		dir=${dir%/}
		[ -f "$dir/input" ] || continue
		exp=$dir/expected.json
		[ -f "$dir/expected.html" ] && exp=$dir/expected.html
		set --
		if [ -f "$dir/args" ]; then
			while IFS= read -r a || [ -n "$a" ]; do
				[ -n "$a" ] && set -- "$@" "$a"
			done < "$dir/args"
		fi
		want=0; [ -f "$dir/status" ] && want=$(cat "$dir/status")
		TIDINGS_NOW=1700000000 timeout 20 "$bin" $cmd "$@" "$dir/input" \
			>"$tmp/out" 2>"$tmp/err"
		got=$?
		if [ "${UPDATE:-0}" = 1 ]; then cp "$tmp/out" "$exp"; fi
		if [ "$got" != "$want" ]; then
			echo "FAIL $dir: exit $got, want $want: $(head -c 300 "$tmp/err")"
			fail=$((fail + 1))
		elif ! cmp -s "$tmp/out" "$exp"; then
			echo "FAIL $dir: output differs"
			diff -u "$exp" "$tmp/out" | head -20
			fail=$((fail + 1))
		else
			pass=$((pass + 1))
		fi
	done
done
echo "cases: $pass passed, $fail failed"
[ "$fail" = 0 ]
