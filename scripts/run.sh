#!/bin/sh
# run.sh - what `make run` does after building: load the bundled offline
# sample sources into ./tidings.db (once), fetch them, and start the site.
set -e
db=${TIDINGS_DB:-tidings.db}
if [ ! -f "$db" ]; then
	./tidings --db "$db" import examples/sources.opml
fi
./tidings --db "$db" fetch
if ./tidings serve --help >/dev/null 2>&1; then
	exec ./tidings --db "$db" serve
fi
./tidings --db "$db" sources
echo
./tidings --db "$db" search "" >/dev/null 2>&1 || true
