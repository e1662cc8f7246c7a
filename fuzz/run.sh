#!/bin/sh
# run.sh SECONDS BIN... - run each fuzz target for SECONDS on a copy of its
# seed corpus (fuzz/corpus/<name>/); fail on the first crash.
secs=$1; shift
for bin in "$@"; do
	name=$(basename "$bin")
	work=build/fuzz/corpus/$name
	mkdir -p "$work"
	[ -d "fuzz/corpus/$name" ] && cp -r "fuzz/corpus/$name/." "$work/" 2>/dev/null
	dict=""
	[ -f "fuzz/$name.dict" ] && dict="-dict=fuzz/$name.dict"
	echo "fuzz: $name for ${secs}s"
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 $dict -artifact_prefix=build/fuzz/ "$work" \
		>build/fuzz/$name.log 2>&1 || {
		tail -40 build/fuzz/$name.log >&2
		echo "fuzz: $name FAILED" >&2
		exit 1
	}
	grep -E '^(Done|#[0-9]+ *DONE)' build/fuzz/$name.log | tail -1
done
