#!/bin/sh
# bench/bigstore: a store of 1,000,000 entries. How long the real CLI
# takes to answer `feedmux entries --limit 50` and `feedmux search WORD`
# (targets: under 50 ms each), and the daemon's peak RSS (VmHWM) while it
# serves / and /feed.atom from that store (target: under 64 MiB). The
# baseline is the same command on a store of 1,000 entries built the same
# way, in the same run: the ratio is what a million entries cost.
#
# The stores are built quickly by bench/ingest -p build (the store's own
# schema and feeds, then a bare SQLite loop with the search rows); items
# have about 1 KB of HTML. Their feeds are disabled: the daemon polls
# nothing. Needs: curl, python3 (Debian: curl, python3).
#
# Environment: BIG_N=1000000, BIG_BYTES=1000, BIG_RUNS=7 (each command is
# run that many times; the median is printed), BIG_KEEP=PATH (build the
# big store there once and keep it between runs).

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${BIG_N:=1000000}"
: "${BIG_BYTES:=1000}"
: "${BIG_RUNS:=7}"
INGEST=$top_builddir/bench/ingest
FEEDMUX=$top_builddir/cli/feedmux
FEEDMUXD=$top_builddir/daemon/feedmuxd
PY=/usr/bin/python3

if ! command -v curl >/dev/null 2>&1; then
	echo "bigstore: skipped: curl is not installed"
	exit 0
fi
for p in "$INGEST" "$FEEDMUX" "$FEEDMUXD"; do
	if ! [ -x "$p" ]; then
		echo "bigstore: $p is not built" >&2
		exit 1
	fi
done
T=$(mktemp -d "${TMPDIR:-/tmp}/bench-bigstore.XXXXXX") || exit 1
DPID=
cleanup()
{
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail()
{
	echo "bigstore: $*" >&2
	[ -f "$T/feedmuxd.log" ] && tail -20 "$T/feedmuxd.log" >&2
	exit 1
}

free_port()
{
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# conf NAME DATABASE: a configuration with no feeds.
conf()
{
	{
		echo "[daemon]"
		echo "database = $2"
		echo "listen = 127.0.0.1:$(free_port)"
		echo "control = $T/$1.sock"
		echo "log_level = warning"
	} >"$T/$1.conf"
}

SMALL=$T/small.db
BIG=${BIG_KEEP:-$T/big.db}
"$INGEST" -p build -n 1000 -s "$BIG_BYTES" "$SMALL" ||
    fail "cannot build the small store"
if [ -z "$BIG_KEEP" ] || ! [ -s "$BIG_KEEP" ]; then
	t0=$(date +%s)
	"$INGEST" -p build -n "$BIG_N" -s "$BIG_BYTES" "$BIG" ||
	    fail "cannot build the big store"
	echo "bigstore: built $BIG_N entries in $(($(date +%s) - t0)) s" \
	    "($(($(stat -c %s "$BIG") / 1048576)) MiB)"
fi
conf small "$SMALL"
conf big "$BIG"

# The CLI: median wall time of BIG_RUNS runs (after one to warm the cache).
$PY - "$FEEDMUX" "$T/small.conf" "$T/big.conf" "$BIG" "$BIG_RUNS" <<'EOT' ||
import sqlite3, subprocess, sys, time, os
feedmux, small, big, bigdb, runs = sys.argv[1:6]
runs = int(runs)

# A word of the newest story's title that about 0.1-1 % of stories have.
db = sqlite3.connect("file:%s?mode=ro" % bigdb, uri=True)
total = db.execute("SELECT count(*) FROM entries").fetchone()[0]
word, hits = None, 0
for (title,) in db.execute("SELECT title FROM entries ORDER BY id DESC "
                           "LIMIT 50"):
    for w in title.split():
        n = db.execute("SELECT count(*) FROM entries_fts WHERE entries_fts "
                       "MATCH ?", (w,)).fetchone()[0]
        if word is None or abs(n - total / 300) < abs(hits - total / 300):
            word, hits = w, n
    if total / 1000 <= hits <= total / 100:
        break
db.close()

def median_ms(conf, args):
    env = dict(os.environ, FEEDMUX_CONFIG=conf)
    t = []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        r = subprocess.run([feedmux] + args, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        t1 = time.perf_counter()
        if r.returncode != 0:
            sys.exit("bigstore: feedmux %s: %s" % (" ".join(args),
                     r.stderr.decode().strip()))
        if i > 0:
            t.append((t1 - t0) * 1000)
    t.sort()
    return t[len(t) // 2]

for what, args in (("entries --limit 50", ["entries", "--limit", "50"]),
                   ("search %s (%d of %d entries match)" % (word, hits, total),
                    ["search", word])):
    b = median_ms(big, args)
    s = median_ms(small, args)
    print("bigstore: %s  %.1f ms  (baseline %.1f ms on 1,000 entries, "
          "ratio %.2f, target 50 ms)" % (what, b, s, b / s), flush=True)
# What starting the program alone costs, for reading the figures above.
print("bigstore: (feedmux --version alone: %.1f ms)" %
      median_ms(small, ["--version"]), flush=True)
EOT
    fail "the CLI figures failed"

# The daemon: start it on a store, fetch / and /feed.atom, read VmHWM.
# Prints VmHWM in kB and the tenths of a second it took to answer (it
# checks the file, PRAGMA quick_check, before it listens).
daemon_hwm()
{
	port=$(sed -n 's/^listen = 127.0.0.1://p' "$T/$1.conf")
	"$FEEDMUXD" -c "$T/$1.conf" >"$T/feedmuxd.log" 2>&1 &
	DPID=$!
	n=0
	until curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; do
		n=$((n + 1))
		[ "$n" -lt 1200 ] ||
		    fail "feedmuxd on the $1 store did not answer in 120 s"
		sleep 0.1
	done
	for path in / /feed.atom / /feed.atom; do
		curl -sf -o /dev/null "http://127.0.0.1:$port$path" ||
		    fail "GET $path on the $1 store failed"
	done
	hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' \
	    "/proc/$DPID/status")
	kill "$DPID"
	wait "$DPID" 2>/dev/null
	DPID=
	echo "$hwm $n"
}
big=$(daemon_hwm big) || exit 1
small=$(daemon_hwm small) || exit 1
$PY -c 'import sys; b, bt, s, st = map(int, sys.argv[1:5])
print("bigstore: feedmuxd VmHWM serving / and /feed.atom  %.1f MiB  "
      "(baseline %.1f MiB on 1,000 entries, ratio %.2f, target 64 MiB)"
      % (b / 1024, s / 1024, b / s))
print("bigstore: feedmuxd start to first answer  %.1f s  (baseline %.1f s "
      "on 1,000 entries)" % (bt / 10, st / 10))' $big $small
