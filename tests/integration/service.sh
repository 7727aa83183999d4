#!/bin/sh
# The daemon as a service: sd_notify (READY=1, STATUS=, WATCHDOG=1,
# STOPPING=1) on a NOTIFY_SOCKET the test makes, SIGHUP reloads (a feed
# added, a broken config refused with file:line, a storm of SIGHUPs), and
# SIGTERM with 100 transfers in flight ending within 5 s, store intact.

. "$top_srcdir/tests/integration/lib.sh"

grep -q '^#define HAVE_SYSTEMD 1' "$top_builddir/config.h" ||
    skip_all "built without libsystemd"
[ -x "$top_builddir/tests/badsrv" ] || skip_all "tests/badsrv not built"

fm_setup
mkdir "$T/feeds"
cp "$FIXTURES"/pipeline/alpha.rss "$FIXTURES"/pipeline/beta.atom "$T/feeds/"
fm_feedsrv "$T/feeds"

# A datagram socket standing in for systemd's, bounded in time.
$PY - "$T/notify.sock" "$T/notify.log" <<'EOT' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(0.5)
end = time.time() + 60
with open(sys.argv[2], "a") as f:
    while time.time() < end:
        try:
            m = s.recv(4096).decode()
        except socket.timeout:
            continue
        f.write(m.replace("\n", " ") + "\n")
        f.flush()
EOT
NOTIFY_PID=$!
fm_wait_for 50 test -S "$T/notify.sock"

fm_config <<EOT
[feed "http://127.0.0.1:$FEEDSRV_PORT/alpha.rss"]
label = Alpha
EOT
cp "$T/feedmux.conf" "$T/base.conf"
NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=300000
export NOTIFY_SOCKET WATCHDOG_USEC
fm_daemon_start
unset NOTIFY_SOCKET WATCHDOG_USEC

fm_wait_for 50 grep -q '^READY=1' "$T/notify.log"
ok $? "READY=1 arrives once the store is open and the listener bound"
grep -q '^STATUS=.*feeds' "$T/notify.log"
ok $? "STATUS= says how many feeds"
two_watchdogs()
{
	[ "$(grep -c '^WATCHDOG=1' "$T/notify.log")" -ge 3 ]
}
fm_wait_for 30 two_watchdogs
ok $? "WATCHDOG=1 arrives from the event loop, again and again"

alpha_polled()
{
	fm_cli feeds --json | $PY -c 'import json,sys
f = json.load(sys.stdin)
sys.exit(0 if f and all(x["status"] == "ok" for x in f) else 1)'
}
fm_wait_for 100 alpha_polled
ok $? "the configured feed is polled"
grep -q '^STATUS=.*last poll: Alpha, ok, ' "$T/notify.log"
ok $? "STATUS= names the last poll"
etag_before=$(fm_cli feeds --json | $PY -c 'import json,sys; print(json.load(sys.stdin)[0]["last_fetch"])')

# SIGHUP with a feed added: it is polled, the other keeps its state.
cat "$T/base.conf" >"$T/feedmux.conf"
cat >>"$T/feedmux.conf" <<EOT
[feed "http://127.0.0.1:$FEEDSRV_PORT/beta.atom"]
label = Beta
EOT
kill -HUP "$DAEMON_PID"
beta_polled()
{
	grep -q 'GET /beta.atom 200' "$T/feedsrv.log"
}
fm_wait_for 100 beta_polled
ok $? "SIGHUP with an added feed polls it"
is "$(grep -c 'GET /alpha.rss' "$T/feedsrv.log")" 1 \
    "the feed already there is not polled again by the reload"
is "$(fm_cli feeds --json | $PY -c 'import json,sys; print(json.load(sys.stdin)[0]["last_fetch"])')" \
    "$etag_before" "the feed already there keeps its state"
grep -q '^RELOADING=1' "$T/notify.log"
ok $? "RELOADING=1 is sent around a reload"

# SIGHUP with a broken config: refused with file:line, the old one runs.
printf '[daemon]\nbogus_key = 1\n' >>"$T/feedmux.conf"
line=$(grep -n '^bogus_key' "$T/feedmux.conf" | cut -d: -f1)
kill -HUP "$DAEMON_PID"
refused()
{
	grep -q "reload refused: $T/feedmux.conf:$line:" "$T/feedmuxd.log"
}
fm_wait_for 50 refused
ok $? "a broken config is refused and the log names file:line ($line)"
fm_get /healthz >/dev/null
ok $? "the daemon keeps serving on the old configuration"
# (The CLI would refuse the broken file too: read the store through the
# good one, which names the same database.)
is "$("$FEEDMUX" -c "$T/base.conf" feeds --json | $PY -c 'import json,sys; print(sum(1 for f in json.load(sys.stdin) if f["enabled"]))')" \
    2 "both feeds are still enabled"

# A storm of SIGHUPs (HOSTILE-72): no crash, no duplicate schedule.
cat "$T/base.conf" >"$T/feedmux.conf"
n=0
while [ $n -lt 100 ]; do
	kill -HUP "$DAEMON_PID" 2>/dev/null
	n=$((n + 1))
done
sleep 1
kill -0 "$DAEMON_PID"
ok $? "the daemon survives 100 SIGHUPs"
fm_get /healthz >/dev/null
ok $? "and still answers"
is "$(fm_cli feeds --json | $PY -c 'import json,sys; print(sum(1 for f in json.load(sys.stdin) if f["enabled"]))')" \
    1 "the feed removed from the config is no longer polled"
fm_daemon_stop >/dev/null
is "$STOP_STATUS" 0 "SIGTERM ends the daemon with status 0"
grep -q '^STOPPING=1' "$T/notify.log"
ok $? "STOPPING=1 is sent on the way out"
kill "$NOTIFY_PID" 2>/dev/null

# SIGTERM with 100 transfers in flight (HOSTILE-71).
"$top_builddir/tests/badsrv" -l "$T/badsrv.log" >"$T/badsrv.out" 2>&1 &
BADSRV_PID=$!
fm_wait_for 50 grep -q '^port ' "$T/badsrv.out"
bport=$(sed -n 's/^port //p' "$T/badsrv.out")
# The [daemon] keys must come before the first [feed]: rebuild in order.
{
	sed -n '1,/^\[feed/p' "$T/base.conf" | sed '$d'
	echo "max_connections = 100"
	echo "max_per_host = 100"
	echo "host_spacing = 0"
	sed -n '/^\[feed/,$p' "$T/base.conf"
	i=0
	while [ $i -lt 100 ]; do
		echo "[feed \"http://127.0.0.1:$bport/drip?n=$i\"]"
		i=$((i + 1))
	done
} >"$T/feedmux.conf"
fm_daemon_start
hundred()
{
	[ "$(grep -c 'GET /drip' "$T/badsrv.log" 2>/dev/null)" -ge 100 ]
}
fm_wait_for 100 hundred
ok $? "100 transfers are in flight"
start=$(date +%s%N)
fm_daemon_stop >/dev/null
end=$(date +%s%N)
ms=$(( (end - start) / 1000000 ))
is "$STOP_STATUS" 0 "SIGTERM with 100 transfers in flight exits 0"
[ "$ms" -lt 5000 ]
ok $? "within 5 s (took $ms ms)"
kill "$BADSRV_PID" 2>/dev/null
is "$($PY -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])" "$T/feedmux.db")" \
    ok "the store passes PRAGMA integrity_check"

done_testing
