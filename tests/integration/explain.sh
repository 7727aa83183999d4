#!/bin/sh
# feedmux explain: a real daemon polls a well-behaved feed with publisher
# hints (<ttl>, skipDays) on tests/feedsrv, and misbehaving ones on
# tests/badsrv (429 with Retry-After: 120, 503 with Retry-After: 2, 410);
# explain names the ttl for the first, Retry-After or the backoff for the
# others, "gone" for the 410, with validators, status and errors. The
# hints are stored: after a restart a poll answered 304 (no document)
# still plans by the stored <ttl>, and the CLI still shows them. Search
# finds a new story within seconds though the daemon indexes it apart.

. "$top_srcdir/tests/integration/lib.sh"

BADSRV=$top_builddir/tests/badsrv
[ -x "$BADSRV" ] || skip_all "tests/badsrv is not built"

fm_setup
mkdir "$T/feeds"
# A day of the week three days from today: skipped, but never on the way
# of a poll two minutes ahead.
skipday=$($PY -c 'import datetime; print((datetime.datetime.utcnow() +
    datetime.timedelta(days=3)).strftime("%A"))')
cat >"$T/feeds/hinted.rss" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Hinted</title>
<link>https://hinted.example/</link><description>d</description>
<ttl>2</ttl>
<skipDays><day>$skipday</day></skipDays>
<item><title>One</title><link>https://hinted.example/1</link>
<guid>https://hinted.example/1</guid></item>
</channel></rss>
EOF
fm_feedsrv "$T/feeds"

"$BADSRV" -l "$T/badsrv.log" >"$T/badsrv.out" 2>&1 &
BADSRV_PID=$!
fm_wait_for 100 grep -q '^port ' "$T/badsrv.out" ||
    { echo "Bail out! badsrv did not start"; exit 1; }
BADSRV_PORT=$(sed -n 's/^port //p' "$T/badsrv.out")
trap 'kill $BADSRV_PID 2>/dev/null; fm_cleanup' 0

B=http://127.0.0.1:$BADSRV_PORT
fm_config "max_interval = 1h" <<EOF
[feed "http://127.0.0.1:$FEEDSRV_PORT/hinted.rss"]
label = hinted
interval = 10s
[feed "$B/429s"]
label = limited
interval = 10s
[feed "$B/503"]
label = busy
interval = 10s
[feed "$B/gone"]
label = gone
interval = 10s
EOF

# Before any daemon ran: the store does not exist yet.
fm_cli explain hinted >/dev/null 2>"$T/err"
is "$?" 1 "explain before the store exists exits 1"

fm_daemon_start

# Every feed polled once.
polled()
{
	fm_cli feeds --json >"$T/feeds.json" &&
	$PY -c 'import json, sys
f = json.load(open(sys.argv[1]))
sys.exit(0 if len(f) == 4 and all(x["last_fetch"] for x in f) else 1)' \
	    "$T/feeds.json"
}
fm_wait_for 150 polled
ok $? "the daemon polled the four feeds"

# The well-behaved feed: <ttl> of 2 min over an interval of 10 s.
fm_cli explain hinted >"$T/hinted.txt" 2>&1
ok $? "explain hinted exits 0"
sed 's/^/# /' "$T/hinted.txt"
grep -q "^next poll [0-9-]* [0-9:]* UTC (in [0-9]* [a-z]*.*): the feed's interval is 10 s; the publisher's <ttl> of 2 min asks for less often, so 2 min" \
    "$T/hinted.txt"
ok $? "hinted: next poll, absolute and relative, decided by the <ttl>"
grep -q "^publisher hints: <ttl> 2 min; skipDays $skipday" "$T/hinted.txt"
ok $? "hinted: the hints, skipDays by name"
grep -q '^status: ok, HTTP 200, last poll ' "$T/hinted.txt"
ok $? "hinted: status and last poll"
grep -q '^errors: none' "$T/hinted.txt"
ok $? "hinted: no errors"
fm_cli explain --json hinted >"$T/hinted.json"
ok $? "explain --json hinted exits 0"
$PY - "$T/hinted.json" "$T/hinted.txt" "$skipday" <<'EOT'
import json, sys
j = json.load(open(sys.argv[1]))
txt = open(sys.argv[2]).read()
assert j["reason"] == "ttl", j
assert j["hints"]["ttl_minutes"] == 2, j
assert j["hints"]["skip_days"] == [sys.argv[3]], j
assert j["plan"]["interval_ms"] == 10000, j
assert 90 <= j["next_poll_in"] <= 133, j
assert 120000 <= j["plan"]["delay_ms"] <= 132000, j
assert j["etag"], j
assert "validators: ETag %s; Last-Modified %s" % (j["etag"],
    j["last_modified"]) in txt, (j, txt)
# The relative time may have moved by a second between the two runs.
assert j["explanation"].split("): ", 1)[1] in txt, (j, txt)
assert j["http_status"] == 200 and j["error_count"] == 0, j
EOT
ok $? "hinted --json: reason ttl, the hints, the plan, the validators shown"

# 429 with Retry-After: 120 over a backoff of about 20 s: honoured.
fm_cli explain limited >"$T/limited.txt" 2>&1
sed 's/^/# /' "$T/limited.txt"
grep -q "backing off after 1 failure in a row (last: HTTP 429): the interval of 10 s doubled per failure is 20 s, shortened by up to 10% of jitter; Retry-After asked for 2 min, honoured (longer than the backoff); so 2 min" \
    "$T/limited.txt"
ok $? "limited: backoff after one 429, Retry-After honoured"
grep -q '^errors: 1 in a row; last: HTTP 429' "$T/limited.txt"
ok $? "limited: the error streak and the last error"
fm_cli explain --json limited | $PY -c 'import json, sys
j = json.load(sys.stdin)
assert j["reason"] == "Retry-After", j
assert j["hints"]["retry_after_seconds"] == 120, j
assert j["status"] == "error" and j["http_status"] == 429, j
assert j["plan"]["delay_ms"] == 120000, j'
ok $? "limited --json: reason Retry-After, 120 s"

# 503 with Retry-After: 2 under a longer backoff.
fm_cli explain busy >"$T/busy.txt" 2>&1
sed 's/^/# /' "$T/busy.txt"
grep -q "backing off after [0-9]* failures* in a row (last: HTTP 503): .*Retry-After asked for 2 s, the backoff is longer" \
    "$T/busy.txt"
ok $? "busy: backoff after 503, Retry-After shorter than the backoff"
fm_cli explain --json busy | $PY -c 'import json, sys
j = json.load(sys.stdin)
assert j["reason"] == "backoff", j
assert j["hints"]["retry_after_seconds"] == 2, j
assert j["error_count"] >= 1, j'
ok $? "busy --json: reason backoff"

# 410: no more polls.
fm_cli explain gone >"$T/gone.txt" 2>&1
sed 's/^/# /' "$T/gone.txt"
grep -q "^no more polls: the server answered 410 Gone" "$T/gone.txt"
ok $? "gone: no more polls, and why"
fm_cli explain --json gone | $PY -c 'import json, sys
j = json.load(sys.stdin)
assert j["reason"] == "gone" and j["next_poll"] is None, j
assert j["status"] == "gone", j'
ok $? "gone --json: reason gone, no next poll"

# By id and by URL, as the other verbs take FEED.
id=$($PY -c 'import json, sys
print([f["id"] for f in json.load(open(sys.argv[1]))
    if f["label"] == "hinted"][0])' "$T/feeds.json")
fm_cli explain "$id" | head -1 | grep -q "^feed $id hinted: http://127.0.0.1:$FEEDSRV_PORT/hinted.rss"
ok $? "explain by id"
fm_cli explain "http://127.0.0.1:$FEEDSRV_PORT/hinted.rss" | grep -q '<ttl> of 2 min'
ok $? "explain by URL"

# Usage.
fm_cli explain nosuch >/dev/null 2>"$T/err"
is "$?" 1 "explain of an unknown feed exits 1"
grep -q 'no feed nosuch' "$T/err"
ok $? "and says so"
fm_cli explain >/dev/null 2>&1
is "$?" 2 "explain without FEED is a usage error"
fm_cli help explain | grep -q '^  explain FEED'
ok $? "help explain"

# A restart: the hints are in the store, not only in the daemon.
before=$(grep -c '^GET /hinted.rss 304' "$T/feedsrv.log")
fm_daemon_stop >/dev/null
is "$STOP_STATUS" 0 "the daemon stops"
fm_cli explain --json hinted | $PY -c 'import json, sys
j = json.load(sys.stdin)
assert j["reason"] == "ttl" and j["hints"]["ttl_minutes"] == 2, j'
ok $? "daemon stopped: explain still names the <ttl>"
fm_daemon_start
fm_cli refresh hinted >/dev/null 2>&1
ok $? "refresh hinted after the restart"
fm_wait_for 100 sh -c "[ \$(grep -c '^GET /hinted.rss 304' '$T/feedsrv.log') -gt $before ]"
ok $? "the poll after the restart is answered 304 (no document)"
was304()
{
	fm_cli explain --json hinted | $PY -c 'import json, sys
sys.exit(0 if json.load(sys.stdin)["http_status"] == 304 else 1)'
}
fm_wait_for 50 was304
ok $? "explain shows the 304"
fm_cli explain hinted >"$T/hinted2.txt" 2>&1
sed 's/^/# /' "$T/hinted2.txt"
grep -q "<ttl> of 2 min asks for less often, so 2 min" "$T/hinted2.txt"
ok $? "after the restart a 304 still plans by the stored <ttl>"
grep -q "^publisher hints: <ttl> 2 min; skipDays $skipday" "$T/hinted2.txt"
ok $? "after the restart the hints are still shown"

# Search: feedmuxd indexes off the polls' transactions (STORE_DEFER_INDEX),
# and still finds a new story within a few seconds.
fm_cli search --json One | $PY -c 'import json, sys
d = json.load(sys.stdin)
assert [e["title"] for e in d] == ["One"], d'
ok $? "search finds the story of the first poll"
sed 's|</channel>|<item><title>Lighthouse keepers strike</title><link>https://hinted.example/2</link><guid>https://hinted.example/2</guid><description>The lamps stay dark.</description></item></channel>|' \
    "$T/feeds/hinted.rss" >"$T/hinted.new" &&
    mv "$T/hinted.new" "$T/feeds/hinted.rss"
fm_cli refresh hinted >/dev/null 2>&1
ok $? "refresh hinted with a new story"
t0=$(date +%s)
found()
{
	fm_cli search --json lighthouse | $PY -c 'import json, sys
d = json.load(sys.stdin)
sys.exit(0 if [e["title"] for e in d] == ["Lighthouse keepers strike"] else 1)'
}
fm_wait_for 50 found
ok $? "search finds the new story within 5 s ($(($(date +%s) - t0)) s)"
grep -q "^GET /hinted.rss 200" "$T/feedsrv.log"
ok $? "it came with a 200"

done_testing
