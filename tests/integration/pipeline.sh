#!/bin/sh
# The walking skeleton end to end: a fixture HTTP server on 127.0.0.1, the
# real daemon polling it, real SQLite, and the combined Atom and RSS feeds
# read by Debian's python3-feedparser as a subscriber would: every entry's
# date, author and source right, the HTML page in the shape of DESIGN.md,
# conditional requests both ways, and a clean stop on SIGTERM.

. "$top_srcdir/tests/integration/lib.sh"

$PY -c 'import feedparser' 2>/dev/null ||
    skip_all "python3-feedparser is not installed"

fm_setup
mkdir "$T/feeds"
cp "$FIXTURES"/pipeline/* "$T/feeds/"
fm_feedsrv "$T/feeds"
since=$(date +%s)
fm_config <<EOT
[feed "http://127.0.0.1:$FEEDSRV_PORT/alpha.rss"]
label = Alpha News
[feed "http://127.0.0.1:$FEEDSRV_PORT/beta.atom"]
category = Wires
[feed "http://127.0.0.1:$FEEDSRV_PORT/gamma.rss"]
label = Gamma
EOT
fm_daemon_start

# Every feed is due at start: wait for all six entries.
count_entries()
{
	[ "$(fm_get /feed.atom | grep -c '<entry')" -eq 6 ]
}
fm_wait_for 100 count_entries
ok $? "the daemon polled every feed and publishes 6 entries"

cat >"$T/expect.json" <<'EOT'
[
 {"title": "Undated dispatch", "author": "Gamma", "source": "Gamma",
  "date": "first-seen"},
 {"title": "Summit date set", "author": "Lee Su-bin", "source": "Beta Wire",
  "date": "2019-04-26T07:30:00Z"},
 {"title": "Markets steady & calm", "author": "Min-jun Park",
  "source": "Alpha News", "date": "2019-04-24T23:00:00Z"},
 {"title": "Talks resume in Panmunjom", "author": "Jane Doe",
  "source": "Alpha News", "date": "2019-04-24T12:15:00Z"},
 {"title": "Editorial note", "author": "Alpha Desk", "source": "Alpha News",
  "date": "2019-04-23T10:30:00Z"},
 {"title": "Rail link study", "author": "Beta Staff", "source": "Beta Wire",
  "date": "2019-04-22T16:45:00Z"}
]
EOT

# A subscriber reads both combined feeds.
for f in feed.atom feed.rss; do
	fm_get /$f >"$T/$f"
	$PY "$top_srcdir/tests/integration/check_feed.py" \
	    "http://127.0.0.1:$DAEMON_PORT/$f" "$T/expect.json" "$since" \
	    >"$T/check.out" 2>&1
	rc=$?
	sed 's/^/# /' "$T/check.out"
	ok $rc "feedparser reads /$f with every date, author and source right"
	xmllint --noout "$T/$f" 2>/dev/null
	ok $? "/$f is well-formed XML"
done
grep -q '<source url="http://127.0.0.1:'"$FEEDSRV_PORT"'/alpha.rss">Alpha News</source>' \
    "$T/feed.rss"
ok $? "RSS names the source with <source url>"

# The HTML page: title linked, Posted on DATE by AUTHOR, paragraphs, [LABEL].
fm_get / >"$T/index.html"
grep -q '<script' "$T/index.html"
[ $? -ne 0 ]
ok $? "the HTML page carries no script"
sed 's/<[^>]*>//g' "$T/index.html" >"$T/index.txt"
grep -q 'Posted on [^<]*2019[^<]* by Jane Doe' "$T/index.txt"
ok $? "the page says Posted on DATE by AUTHOR"
grep -q '\[Alpha News\]' "$T/index.txt"
ok $? "the page tags the source [Alpha News]"
grep -q '<p>Envoys met on Wednesday.</p>' "$T/index.html" &&
    grep -q '<p>Kim and Putin are due to meet next.</p>' "$T/index.html"
ok $? "the page keeps the paragraphs apart"
grep -q 'href="https://alpha.example/2019/04/talks"' "$T/index.html"
ok $? "the title links to the original"
first=$(grep -o 'Undated dispatch\|Summit date set\|Rail link study' \
    "$T/index.html" | head -1)
is "$first" "Undated dispatch" "the page is newest first"

# Conditional requests to the daemon.
etag=$(curl -sI "http://127.0.0.1:$DAEMON_PORT/feed.atom" |
    sed -n 's/^[Ee][Tt]ag: *//p' | tr -d '\r')
[ -n "$etag" ]
ok $? "/feed.atom has an ETag"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" \
    "http://127.0.0.1:$DAEMON_PORT/feed.atom")
is "$code" 304 "a matching If-None-Match gets 304"
lm=$(curl -sI "http://127.0.0.1:$DAEMON_PORT/" |
    sed -n 's/^[Ll]ast-[Mm]odified: *//p' | tr -d '\r')
code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-Modified-Since: $lm" \
    "http://127.0.0.1:$DAEMON_PORT/")
is "$code" 304 "If-Modified-Since on the page gets 304"
code=$(curl -s -o /dev/null -w '%{http_code}' \
    "http://127.0.0.1:$DAEMON_PORT/no/such")
is "$code" 404 "an unknown path gets 404"

# The second poll sends the stored validators: the fixture server answers
# 304 for every feed, and the store keeps its entries.
fm_cli refresh >/dev/null 2>&1
ok $? "feedmux refresh reaches the daemon"
three_304()
{
	[ "$(grep -c ' 304$' "$T/feedsrv.log")" -ge 3 ]
}
fm_wait_for 100 three_304
ok $? "the second poll of each feed is answered 304"
sleep 0.3
count_entries
ok $? "after the 304s the feeds still hold 6 entries"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" \
    "http://127.0.0.1:$DAEMON_PORT/feed.atom")
is "$code" 304 "the combined feed's ETag did not change"

# SIGTERM: stop, commit, exit 0, and the store is intact.
fm_daemon_stop >/dev/null
is "$STOP_STATUS" 0 "SIGTERM ends the daemon with status 0"
n=$(fm_cli entries --limit 0 --json | $PY -c 'import json,sys; print(len(json.load(sys.stdin)))')
is "$n" 6 "the store holds the 6 entries after the stop"

done_testing
