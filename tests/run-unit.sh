#!/bin/sh
# run-unit.sh BIN... - run each cmocka unit test binary with a timeout, so a
# hang names itself; print a summary line.
pass=0 fail=0
for t in "$@"; do
	if timeout 120 "$t"; then pass=$((pass + 1)); else
		echo "FAIL: $t (exit $?)" >&2
		fail=$((fail + 1))
	fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" = 0 ]
