#!/bin/sh
# WebSub with the real daemon: websub_hub needs base_url; the feeds
# advertise the hub next to rel="self"; a hub on 127.0.0.1 (a small
# Python server that records what it is sent) is pinged once per feed
# whose bytes changed, with the feed's public URL, and not when nothing
# changed; without allow_private the hub on loopback gets no connection.

. "$top_srcdir/tests/integration/lib.sh"

fm_setup
mkdir "$T/feeds"
cp "$FIXTURES"/pipeline/* "$T/feeds/"
fm_feedsrv "$T/feeds"

# The hub: logs each connection and each POST (path, type, body).
cat >"$T/hub.py" <<'EOT'
import http.server, sys
log = open(sys.argv[1], "a", buffering=1)
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode()
        log.write("POST %s %s %s\n" % (self.path,
                  self.headers.get("Content-Type"), body))
        self.send_response(204)
        self.end_headers()
    def log_message(self, *a):
        pass
class S(http.server.HTTPServer):
    def verify_request(self, request, address):
        log.write("CONNECT\n")
        return True
s = S(("127.0.0.1", 0), H)
print("port", s.server_address[1], flush=True)
s.serve_forever()
EOT
$PY "$T/hub.py" "$T/hub.log" >"$T/hub.out" 2>&1 &
HUB_PID=$!
fm_wait_for 50 grep -q '^port ' "$T/hub.out" ||
    { echo "Bail out! the hub did not start"; exit 1; }
HUB=http://127.0.0.1:$(sed -n 's/^port //p' "$T/hub.out")/hub
: >"$T/hub.log"
trap 'kill $HUB_PID 2>/dev/null; fm_cleanup' 0

# Config: websub_hub needs base_url.
feeds="[feed \"http://127.0.0.1:$FEEDSRV_PORT/alpha.rss\"]
label = Alpha News
category = North Korea
[feed \"http://127.0.0.1:$FEEDSRV_PORT/beta.atom\"]
category = Wires
[feed \"http://127.0.0.1:$FEEDSRV_PORT/gamma.rss\"]
label = Gamma"
fm_config "websub_hub = $HUB" <<EOT
$feeds
EOT
out=$(fm_cli check-config 2>&1)
is "$?" 1 "websub_hub without base_url: check-config exits 1"
case $out in
*":9: websub_hub needs base_url"*) ok 0 "it says why, at the key's line" ;;
*) ok 1 "it says why, at the key's line"; diag "$out" ;;
esac
fm_config "base_url = https://news.example/fm
websub_hub = ftp://127.0.0.1/hub" <<EOT
$feeds
EOT
fm_cli check-config >/dev/null 2>&1
is "$?" 1 "websub_hub must be an http(s) URL"

BASE=https://news.example/fm
fm_config "base_url = $BASE
websub_hub = $HUB
host_spacing = 0" <<EOT
$feeds
EOT
fm_cli check-config >/dev/null 2>&1
is "$?" 0 "websub_hub with base_url is a valid config"
fm_daemon_start

six()
{
	[ "$(fm_get /healthz | $PY -c 'import json,sys; print(json.load(sys.stdin)["entries"])')" = 6 ]
}
fm_wait_for 100 six
ok $? "the daemon stored the six stories"

# Advertised next to rel="self".
fm_get /feed.atom | grep -q "^<link rel=\"hub\" href=\"$HUB\"/>$"
ok $? "the Atom feed links the hub"
fm_get /feed.atom | grep -q "^<link rel=\"self\" type=\"application/atom+xml\" href=\"$BASE/feed.atom\"/>$"
ok $? "and names itself by base_url"
fm_get /c/wires.rss | grep -q "^<atom:link rel=\"hub\" href=\"$HUB\"/>$"
ok $? "an RSS feed links the hub (atom:link)"
got=$(fm_get /feed.json | $PY -c 'import json,sys; print(json.load(sys.stdin)["hubs"])')
is "$got" "[{'type': 'WebSub', 'url': '$HUB'}]" "JSON Feed lists it in hubs"
if $PY -c 'import feedparser' 2>/dev/null; then
	got=$(fm_get /feed.rss | $PY -c '
import sys, feedparser
d = feedparser.parse(sys.stdin.read())
print(d.bozo, [l.href for l in d.feed.links if l.rel == "hub"])')
	is "$got" "False ['$HUB']" "feedparser finds the hub, no bozo"
else
	ok 0 "# SKIP python3-feedparser is not installed"
fi

# The first fetches changed every feed: one ping for each.
topics="feed.atom feed.rss feed.json"
for slug in north-korea uncategorized wires; do
	topics="$topics c/$slug.atom c/$slug.rss c/$slug.json"
done
want=$(for t in $topics; do echo "$BASE/$t"; done | sort)
pinged()
{
	$PY - "$T/hub.log" <<'EOT'
import sys, urllib.parse
for line in open(sys.argv[1]):
    if not line.startswith("POST "):
        continue
    path, ctype, body = line.split(" ", 3)[1:]
    q = urllib.parse.parse_qs(body.strip(), strict_parsing=True)
    if path != "/hub" or ctype != "application/x-www-form-urlencoded" or \
            q.get("hub.mode") != ["publish"] or len(q["hub.url"]) != 1:
        print("bad:", line.strip())
    else:
        print(q["hub.url"][0])
EOT
}
twelve()
{
	[ "$(pinged | wc -l)" -ge 12 ]
}
fm_wait_for 100 twelve
sleep 1.5
is "$(pinged | sort)" "$want" \
    "the store's first change: each of the 12 feeds pinged once, a form POST"
grep -q "websub: hub told of $BASE/feed.atom" "$T/feedmuxd.log"
ok $? "the daemon logs that the hub was told"

# Nothing changed: no ping.
: >"$T/hub.log"
fm_cli refresh >/dev/null 2>&1
polled()
{
	[ "$(grep -c 'gamma.rss 200\|gamma.rss 304' "$T/feedsrv.log")" -ge 2 ]
}
fm_wait_for 50 polled
ok $? "refresh polls the feeds again"
sleep 2.5
is "$(cat "$T/hub.log")" "" "nothing changed: the hub hears nothing"
# A reload renders every feed again, to the same bytes: still no ping.
renders=$(grep -c 'websub: 12 feeds rendered' "$T/feedmuxd.log")
kill -HUP "$DAEMON_PID"
rendered()
{
	[ "$(grep -c 'websub: 12 feeds rendered, 0 changed' "$T/feedmuxd.log")" -ge 1 ] &&
	    [ "$(grep -c 'websub: 12 feeds rendered' "$T/feedmuxd.log")" -gt "$renders" ]
}
fm_wait_for 50 rendered
ok $? "SIGHUP renders the feeds again, the same bytes"
sleep 0.5
is "$(cat "$T/hub.log")" "" "so the hub hears nothing"

# Gamma (Uncategorized) gains an entry: its feeds and the combined ones.
$PY - "$T/feeds/gamma.rss" <<'EOT'
import sys
p = sys.argv[1]
s = open(p).read().replace("<item>", """<item>
<title>Fresh dispatch</title>
<link>https://gamma.example/fresh</link>
<pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate>
<description>New.</description>
</item>
<item>""", 1)
open(p, "w").write(s)
EOT
fm_cli refresh >/dev/null 2>&1
six_pings()
{
	[ "$(pinged | wc -l)" -ge 6 ]
}
fm_wait_for 100 six_pings
sleep 1.5
want=$(for t in feed.atom feed.rss feed.json c/uncategorized.atom \
    c/uncategorized.rss c/uncategorized.json; do echo "$BASE/$t"; done | sort)
is "$(pinged | sort)" "$want" \
    "a new entry: each changed feed pinged once, the others not"
fm_get /c/uncategorized.atom | grep -q 'Fresh dispatch'
ok $? "and the feed the hub is told of has it"

fm_daemon_stop >/dev/null
is "$STOP_STATUS" 0 "SIGTERM ends the daemon with status 0"

# HOSTILE-33: without allow_private the hub on loopback is not reached.
# The feeds are files, so the store still changes.
rm -f "$T"/feedmux.db*
: >"$T/hub.log"
fm_config "base_url = $BASE
websub_hub = $HUB
allow_file = true" <<EOT
[feed "file://$T/feeds/alpha.rss"]
category = North Korea
[feed "file://$T/feeds/beta.atom"]
EOT
sed -i 's/^allow_private = true$/allow_private = false/' "$T/feedmux.conf"
fm_daemon_start
refused()
{
	grep -q "websub: hub not told of $BASE/feed.atom" "$T/feedmuxd.log"
}
fm_wait_for 100 refused
ok $? "the ping is refused, and logged: $(grep -m1 'websub: hub not told' "$T/feedmuxd.log" | sed 's/.*websub/websub/')"
fm_get /feed.atom | grep -q '<entry>'
ok $? "while the feeds were stored"
sleep 1
is "$(cat "$T/hub.log")" "" "the hub on 127.0.0.1 got no connection"
fm_daemon_stop >/dev/null
kill $HUB_PID 2>/dev/null
done_testing
