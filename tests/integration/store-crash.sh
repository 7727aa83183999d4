#!/bin/sh
# Crash safety: the daemon is killed with SIGKILL at random moments during
# heavy ingest, 20 times (issue 5, HOSTILE-46). After each kill the store
# passes PRAGMA integrity_check, every entry committed before is still
# there, none is doubled, and each poll is all or nothing: a feed's batch
# of 100 items from one round is stored whole or not at all.

. "$top_srcdir/tests/integration/lib.sh"

fm_setup
mkdir "$T/feeds"
fm_feedsrv "$T/feeds"
nfeeds=20
nitems=100
rounds=20

# write_round R: every feed file gets 100 new items of round R.
write_round()
{
	$PY - "$T/feeds" "$nfeeds" "$nitems" "$1" <<'EOT'
import sys
d, nf, ni, r = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
for f in range(nf):
    items = "".join(
        "<item><title>f%d r%d i%d</title>"
        "<link>https://crash.example/f%d/r%d/i%d</link>"
        "<guid>f%d-r%d-i%d</guid>"
        "<pubDate>Wed, 24 Apr 2019 12:%02d:%02d GMT</pubDate>"
        "<description>Feed %d, round %d, item %d.</description></item>\n"
        % (f, r, i, f, r, i, f, r, i, r % 60, i % 60, f, r, i)
        for i in range(ni))
    with open("%s/f%d.rss" % (d, f), "w") as out:
        out.write('<?xml version="1.0"?>\n<rss version="2.0"><channel>'
                  "<title>Crash %d</title><link>https://crash.example/</link>"
                  "<description>x</description>\n%s</channel></rss>\n"
                  % (f, items))
EOT
}

# check: integrity, nothing lost since the last check, nothing doubled,
# every (feed, round) batch whole or absent. Keeps the guids in seen.txt.
check()
{
	$PY - "$T/feedmux.db" "$T/seen.txt" "$nitems" <<'EOT'
import collections, os, sqlite3, sys
db, seen_path, ni = sys.argv[1], sys.argv[2], int(sys.argv[3])
if not os.path.exists(db):
    # Killed before the store was created: nothing was committed.
    if os.path.exists(seen_path):
        sys.exit("the store is gone")
    print(0)
    sys.exit(0)
c = sqlite3.connect("file:%s?mode=rw" % db, uri=True, timeout=10)
ok = c.execute("PRAGMA integrity_check").fetchone()[0]
if ok != "ok":
    sys.exit("integrity_check: %s" % ok)
rows = c.execute("SELECT guid, title FROM entries").fetchall()
titles = collections.Counter(t for _, t in rows)
doubled = [t for t, n in titles.items() if n > 1]
if doubled:
    sys.exit("doubled: %r" % doubled[:5])
guids = set(g for g, _ in rows)
seen = set()
if os.path.exists(seen_path):
    seen = set(open(seen_path).read().split())
lost = seen - guids
if lost:
    sys.exit("lost %d committed entries, e.g. %r" % (len(lost), sorted(lost)[:3]))
batches = collections.Counter(g.rsplit("-", 1)[0] for g in guids)
partial = {b: n for b, n in batches.items() if n != ni}
if partial:
    sys.exit("partial polls: %r" % list(partial.items())[:5])
open(seen_path, "w").write("\n".join(sorted(guids)))
print(len(guids))
EOT
}

{
	i=0
	while [ $i -lt $nfeeds ]; do
		echo "[feed \"http://127.0.0.1:$FEEDSRV_PORT/f$i.rss\"]"
		i=$((i + 1))
	done
} | fm_config "max_connections = 20
max_per_host = 20
host_spacing = 0"
sed -i 's/^interval = 1h$/interval = 1s/' "$T/feedmux.conf"

r=1
fails=0
total=0
while [ $r -le $rounds ]; do
	write_round $r
	"$FEEDMUXD" -c "$T/feedmux.conf" -q >>"$T/feedmuxd.log" 2>&1 &
	DAEMON_PID=$!
	# A random moment in the first 1.5 s: start-up, fetching or storing.
	sleep "$($PY -c 'import random; print(round(random.uniform(0.05, 1.5), 2))')"
	kill -KILL "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
	if ! n=$(check 2>"$T/check.err"); then
		fails=$((fails + 1))
		diag "round $r: $(cat "$T/check.err")"
	else
		total=$n
	fi
	r=$((r + 1))
done
is "$fails" 0 "20 SIGKILLs during ingest: integrity ok, nothing lost, doubled or half-stored"
[ "$total" -gt 0 ]
ok $? "entries were committed between kills ($total)"

# After the last kill the daemon starts normally and goes on ingesting.
write_round $((rounds + 1))
"$FEEDMUXD" -c "$T/feedmux.conf" -q >>"$T/feedmuxd.log" 2>&1 &
DAEMON_PID=$!
all_in()
{
	[ "$(check)" -eq $((total + nfeeds * nitems)) ]
}
fm_wait_for 150 all_in
ok $? "after the last kill the daemon starts and stores the next round whole"
fm_daemon_stop >/dev/null
is "$STOP_STATUS" 0 "and stops cleanly"
check >/dev/null 2>"$T/check.err"
ok $? "the store is whole at the end $(cat "$T/check.err")"

done_testing
