#!/bin/sh
# feedmux refresh --wait with the real daemon against a fixture server
# and a misbehaving one (tests/badsrv): it returns only once every poll
# asked for is recorded, a slow feed included; it says what each brought
# (new stories, not modified, the error); --json the same; exit 1 when a
# feed failed or was not polled within --timeout; one feed by label;
# usage errors exit 2; and without --wait nothing changes.

. "$top_srcdir/tests/integration/lib.sh"

BADSRV=$top_builddir/tests/badsrv
[ -x "$BADSRV" ] || skip_all "tests/badsrv is not built"
$PY -c 'import json' 2>/dev/null || skip_all "python3 is not installed"

fm_setup
mkdir "$T/feeds"
cp "$FIXTURES/pipeline/alpha.rss" "$T/feeds/alpha.rss"
cp "$FIXTURES/pipeline/gamma.rss" "$T/feeds/gamma.rss"
fm_feedsrv "$T/feeds"

"$BADSRV" -l "$T/badsrv.log" >"$T/badsrv.out" 2>&1 &
BADSRV_PID=$!
fm_wait_for 100 grep -q '^port ' "$T/badsrv.out" ||
    { echo "Bail out! badsrv did not start"; exit 1; }
BADSRV_PORT=$(sed -n 's/^port //p' "$T/badsrv.out")
trap 'kill $BADSRV_PID 2>/dev/null; fm_cleanup' 0
F=http://127.0.0.1:$FEEDSRV_PORT
B=http://127.0.0.1:$BADSRV_PORT

# Polled once at start, then not for an hour: only a refresh polls them.
fm_config "timeout = 3s
low_speed = 100/2s
host_spacing = 10ms" <<EOT
[feed "$F/alpha.rss"]
label = Alpha
[feed "$F/gamma.rss"]
label = Gamma
[feed "$B/500"]
label = Broken
EOT
fm_daemon_start

polled()
{
	[ "$(fm_cli feeds --json | $PY -c '
import json, sys
print(sum(1 for f in json.load(sys.stdin) if f["last_fetch"]))')" = 3 ]
}
fm_wait_for 100 polled
ok $? "the daemon polled the three feeds once at start"

# A new story in one feed; the next refresh --wait reports it.
sed 's|<item>|<item><title>Fresh story</title><link>https://alpha.example/fresh</link><guid>https://alpha.example/fresh</guid><description>New.</description></item><item>|' \
    "$T/feeds/alpha.rss" >"$T/alpha.new" && mv "$T/alpha.new" "$T/feeds/alpha.rss"
# The fixture server tells changes by mtime: make it a later second.
touch -d '+2 seconds' "$T/feeds/alpha.rss"
n0=$(grep -c '^GET ' "$T/feedsrv.log")
fm_cli refresh --wait >"$T/out" 2>"$T/err"
is "$?" 1 "refresh --wait with a failing feed exits 1"
sed 's/^/# /' "$T/out"
n1=$(grep -c '^GET ' "$T/feedsrv.log")
is "$((n1 - n0))" 2 "the two feeds of the fixture server were polled before it returned"
grep -q '^ *ID  FEED  *NEW  RESULT$' "$T/out"
ok $? "a table: ID, FEED, NEW, RESULT"
grep -q '^ *[0-9][0-9]*  Alpha  *1  ok 200$' "$T/out"
ok $? "Alpha: one new story, ok 200"
grep -q '^ *[0-9][0-9]*  Gamma  *0  not modified$' "$T/out"
ok $? "Gamma: not modified (304)"
grep -q '^ *[0-9][0-9]*  Broken  *0  error: HTTP 500' "$T/out"
ok $? "Broken: the error"
is "$(cat "$T/err")" "feedmux: refresh: 1 of 3 feeds failed" \
    "one line on stderr says how many failed"
fm_cli entries --json | grep -q '"Fresh story"'
ok $? "the new story is stored when refresh --wait returns"

# One feed, by label, as JSON.
fm_cli refresh Gamma --wait --json >"$T/out"
is "$?" 0 "refresh Gamma --wait --json exits 0"
got=$($PY - "$T/out" <<'EOT'
import json, sys
v = json.load(open(sys.argv[1]))
keys = {"id", "label", "polled", "status", "http_status", "error",
        "new_entries", "result"}
assert len(v) == 1 and set(v[0]) == keys, v
o = v[0]
print(o["label"], o["polled"], o["status"], o["http_status"], o["error"],
      o["new_entries"], o["result"])
EOT
)
is "$got" "Gamma True ok 304 None 0 not modified" \
    "--json: the one feed, polled, 304, no error, nothing new"

# A slow feed: refresh --wait waits for the poll to end, and --timeout
# bounds the wait.
fm_cli add "$B/drip" --label Drip >/dev/null 2>&1
fm_wait_for 100 sh -c "grep -q '^GET /drip ' '$T/badsrv.log'"
ok $? "the drip feed was added and polled"
sleep 4
t0=$(date +%s)
fm_cli refresh Drip --wait >"$T/out" 2>"$T/err"
rc=$?
t1=$(date +%s)
is "$rc" 1 "refresh Drip --wait: the drip fails, exit 1"
[ $((t1 - t0)) -ge 2 ]
ok $? "it waited for the drip to be cut off ($((t1 - t0)) s)"
grep -q '^ *[0-9][0-9]*  Drip  *0  error: ' "$T/out"
ok $? "and reports its error"
sleep 4
fm_cli refresh Drip --wait --timeout 500ms >"$T/out" 2>"$T/err"
is "$?" 1 "refresh --wait --timeout 500ms on the drip exits 1"
grep -q '^ *[0-9][0-9]*  Drip  *0  not polled yet$' "$T/out"
ok $? "the drip is not polled yet after 500 ms"
grep -q '^feedmux: refresh: 1 of 1 feeds not polled within ' "$T/err"
ok $? "stderr names what was not polled in time"

# Usage errors (HOSTILE-62) and plain refresh.
fm_cli refresh --timeout 5s >/dev/null 2>&1
is "$?" 2 "--timeout without --wait is a usage error"
fm_cli refresh --json >/dev/null 2>&1
is "$?" 2 "--json without --wait is a usage error"
fm_cli refresh --wait --timeout soon >/dev/null 2>&1
is "$?" 2 "--timeout soon is a usage error"
fm_cli feeds --wait >/dev/null 2>&1
is "$?" 2 "feeds --wait is a usage error"
fm_cli refresh --wait "No Such Feed" >/dev/null 2>"$T/err"
is "$?" 1 "refresh --wait of an unknown feed exits 1"
fm_cli refresh Gamma >"$T/out" 2>&1
is "$?" 0 "refresh without --wait exits 0"
is "$(cat "$T/out")" "" "and prints nothing"

fm_daemon_stop >/dev/null
is "$STOP_STATUS" 0 "SIGTERM ends the daemon with status 0"
fm_cli refresh --wait >/dev/null 2>"$T/err"
is "$?" 1 "refresh --wait with no daemon exits 1"
done_testing
