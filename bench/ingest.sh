#!/bin/sh
# bench/ingest: entries per second through the store's own API (store_put,
# as the daemon records a parsed document), new and then re-offered
# unchanged, against a bare SQLite loop into the same schema (prepared
# statements, 200 rows per transaction, WAL, the same FTS5 table) run by
# the same program on the same generated items. See bench/ingest.c.
#
# Needs: nothing beyond the build. Environment: INGEST_N=200000 (entries;
# about 3 KB of HTML each: the store files reach about 1.5 GB under
# $TMPDIR, removed on exit).

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${INGEST_N:=200000}"
INGEST=$top_builddir/bench/ingest

if ! [ -x "$INGEST" ]; then
	echo "ingest: $INGEST is not built" >&2
	exit 1
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/bench-ingest.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP

"$INGEST" -n "$INGEST_N" -t 0.8 "$T"
