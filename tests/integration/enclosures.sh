#!/bin/sh
# Enclosures from source to reader, with the real daemon: a podcast in
# RSS and one in Atom are polled from 127.0.0.1; python3-feedparser
# reads the enclosures of /feed.rss (the first of each item) and
# /feed.atom (every one) with their type and length, and the
# attachments of /feed.json; sfeed reads them from the RSS and Atom
# outputs; the page links them; `feedmux show` prints them, and its
# --json has them as `parse --json` does. An enclosure whose URL is not
# http(s) is dropped, not the item.

. "$top_srcdir/tests/integration/lib.sh"

$PY -c 'import feedparser' 2>/dev/null ||
    skip_all "python3-feedparser is not installed"
command -v sfeed >/dev/null 2>&1 || skip_all "sfeed is not installed"

fm_setup
mkdir "$T/feeds"
cat >"$T/feeds/pod.rss" <<'EOT'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Radio Pod</title>
<link>https://pod.example/</link><description>d</description>
<item><title>Episode two</title><guid>https://pod.example/2</guid>
<link>https://pod.example/2</link>
<pubDate>Thu, 25 Apr 2019 10:00:00 GMT</pubDate>
<description>Second show.</description>
<enclosure url="https://cdn.example/ep2.mp3?x=1&amp;y=2" length="23456789" type="audio/mpeg"/>
</item>
<item><title>Episode one</title><guid>https://pod.example/1</guid>
<link>https://pod.example/1</link>
<pubDate>Wed, 24 Apr 2019 10:00:00 GMT</pubDate>
<description>First show.</description>
<enclosure url="javascript:alert(1)" length="1" type="audio/mpeg"/>
</item>
</channel></rss>
EOT
cat >"$T/feeds/vid.atom" <<'EOT'
<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Video Desk</title>
<id>urn:x:vid</id><updated>2019-04-23T10:00:00Z</updated>
<link href="https://vid.example/"/>
<entry><title>Clip</title><id>urn:x:vid:1</id>
<updated>2019-04-23T10:00:00Z</updated>
<link href="https://vid.example/1"/>
<link rel="enclosure" href="https://cdn.example/clip.mp4" type="video/mp4" length="1000000"/>
<link rel="enclosure" href="https://cdn.example/clip.vtt"/>
<summary>A clip.</summary></entry>
</feed>
EOT
fm_feedsrv "$T/feeds"
fm_config <<EOT
[feed "http://127.0.0.1:$FEEDSRV_PORT/pod.rss"]
label = Pod
[feed "http://127.0.0.1:$FEEDSRV_PORT/vid.atom"]
label = Vid
EOT
fm_daemon_start

three()
{
	[ "$(fm_get /healthz | $PY -c 'import json,sys; print(json.load(sys.stdin)["entries"])')" = 3 ]
}
fm_wait_for 100 three
ok $? "the daemon stored the three items (a bad enclosure URL drops only the enclosure)"

for ext in rss atom json; do
	fm_get "/feed.$ext" >"$T/feed.$ext"
done

got=$($PY - "$T/feed.rss" "$T/feed.atom" <<'EOT'
import sys, feedparser
for path in sys.argv[1:]:
    d = feedparser.parse(path)
    assert not d.bozo, (path, d.bozo_exception)
    for e in d.entries:
        print("%s: %s" % (e.title, " ".join("%s,%s,%s" % (x.href,
            x.get("type", "-"), x.get("length", "-")) for x in e.enclosures)))
EOT
)
is "$got" "Episode two: https://cdn.example/ep2.mp3?x=1&y=2,audio/mpeg,23456789
Episode one: 
Clip: https://cdn.example/clip.mp4,video/mp4,1000000
Episode two: https://cdn.example/ep2.mp3?x=1&y=2,audio/mpeg,23456789
Episode one: 
Clip: https://cdn.example/clip.mp4,video/mp4,1000000 https://cdn.example/clip.vtt,text/html,-" \
    "feedparser: the enclosures of /feed.rss (the first of each) and /feed.atom (all), with type and length (text/html: its default for none)"

got=$($PY - "$T/feed.json" <<'EOT'
import json, sys
for i in json.load(open(sys.argv[1]))["items"]:
    print("%s: %s" % (i["title"], " ".join("%s,%s,%s" % (a["url"],
        a["mime_type"], a.get("size_in_bytes", "-"))
        for a in i.get("attachments", []))))
EOT
)
is "$got" "Episode two: https://cdn.example/ep2.mp3?x=1&y=2,audio/mpeg,23456789
Episode one: 
Clip: https://cdn.example/clip.mp4,video/mp4,1000000 https://cdn.example/clip.vtt,application/octet-stream,-" \
    "JSON Feed: attachments, with a mime_type always"

for ext in rss atom; do
	sfeed <"$T/feed.$ext" >"$T/sfeed.tsv" 2>"$T/sfeed.err"
	ok $? "sfeed reads /feed.$ext"
	got=$(awk -F '\t' '{ print $2 ": " $8 }' "$T/sfeed.tsv")
	is "$got" "Episode two: https://cdn.example/ep2.mp3?x=1&y=2
Episode one: 
Clip: https://cdn.example/clip.mp4" "sfeed: the enclosure of each item in /feed.$ext"
done

fm_get / >"$T/page.html"
grep -q '<li><a href="https://cdn.example/ep2.mp3?x=1&amp;y=2">ep2.mp3</a> (audio/mpeg, 23.5 MB)</li>' \
    "$T/page.html"
ok $? "the page links the enclosure, with its type and size"
grep -q 'javascript:' "$T/page.html"
is "$?" 1 "and no javascript: URL anywhere on it"

id=$(fm_cli entries --json | $PY -c '
import json, sys
print([e["id"] for e in json.load(sys.stdin) if e["title"] == "Clip"][0])')
fm_cli show "$id" >"$T/show.txt"
grep -q '^Enclosure: https://cdn.example/clip.mp4 (video/mp4, 1000000 bytes)$' "$T/show.txt" &&
    grep -q '^Enclosure: https://cdn.example/clip.vtt$' "$T/show.txt"
ok $? "feedmux show prints each enclosure"
got=$(fm_cli show "$id" --json | $PY -c '
import json, sys
print(json.load(sys.stdin)["enclosures"])')
is "$got" "[{'url': 'https://cdn.example/clip.mp4', 'type': 'video/mp4', 'length': 1000000}, {'url': 'https://cdn.example/clip.vtt', 'type': '', 'length': 0}]" \
    "show --json: the enclosures as parse --json has them"

fm_daemon_stop >/dev/null
is "$STOP_STATUS" 0 "SIGTERM ends the daemon with status 0"
done_testing
