#!/bin/sh
# The publisher's views with the real daemon: three sources in three
# categories (one with no category: Uncategorized), a feed-level exclude
# rule, per-category pages and feeds, RFC 5005 paging through every page
# reaching every entry exactly once, 304s, gzip, bad queries, OPML,
# /healthz and /metrics.

. "$top_srcdir/tests/integration/lib.sh"

$PY -c 'import feedparser' 2>/dev/null ||
    skip_all "python3-feedparser is not installed"

fm_setup
mkdir "$T/feeds"
cp "$FIXTURES"/pipeline/* "$T/feeds/"
fm_feedsrv "$T/feeds"
fm_config <<EOT
[feed "http://127.0.0.1:$FEEDSRV_PORT/alpha.rss"]
label = Alpha News
category = North Korea
exclude = markets
[feed "http://127.0.0.1:$FEEDSRV_PORT/beta.atom"]
category = Wires
[feed "http://127.0.0.1:$FEEDSRV_PORT/gamma.rss"]
label = Gamma
EOT
fm_daemon_start
U=http://127.0.0.1:$DAEMON_PORT

# Six stories are stored; the rule keeps five of them in the outputs.
five()
{
	[ "$(fm_get /healthz | $PY -c 'import json,sys; print(json.load(sys.stdin)["entries"])')" = 6 ]
}
fm_wait_for 100 five
ok $? "the daemon stored the six stories"
sleep 0.2
n=$(fm_get /feed.atom | grep -c '<entry')
is "$n" 5 "the combined feed shows the five the rules keep"
fm_get /feed.atom | grep -q 'Markets steady'
[ $? -ne 0 ]
ok $? "exclude = markets drops that story from the outputs"
n=$(fm_cli entries --limit 0 --json | $PY -c 'import json,sys; print(len(json.load(sys.stdin)))')
is "$n" 6 "the store still holds it"

# Per category: page, Atom, RSS, JSON Feed.
check_cat()
{
	slug=$1 name=$2 want=$3
	fm_get "/c/$slug" >"$T/$slug.html"
	ok $? "GET /c/$slug"
	grep -q "<h1>Category: $name</h1>" "$T/$slug.html"
	ok $? "/c/$slug is headed Category: $name"
	grep -q "<link rel=\"alternate\" type=\"application/atom+xml\"[^>]* href=\"$U/c/$slug.atom\">" "$T/$slug.html"
	ok $? "/c/$slug links to its Atom feed"
	for ext in atom rss json; do
		fm_get "/c/$slug.$ext" >"$T/$slug.$ext"
		ok $? "GET /c/$slug.$ext"
	done
	got=$($PY - "$T/$slug.atom" "$T/$slug.rss" "$T/$slug.json" <<'EOT'
import json, sys, feedparser
titles = []
for f in sys.argv[1:3]:
    d = feedparser.parse(f)
    titles.append("|".join(e.title for e in d.entries))
with open(sys.argv[3]) as f:
    titles.append("|".join(i.get("title", "") for i in json.load(f)["items"]))
print(titles[0] if len(set(titles)) == 1 else "differ: %r" % titles)
EOT
)
	is "$got" "$want" "/c/$slug: Atom, RSS and JSON Feed list the same stories"
}
check_cat north-korea "North Korea" "Talks resume in Panmunjom|Editorial note"
check_cat wires Wires "Summit date set|Rail link study"
check_cat uncategorized Uncategorized "Undated dispatch"
grep -q "href=\"$U/c/wires\">Wires</a>" "$T/north-korea.html" &&
    grep -q "href=\"$U/c/uncategorized\">Uncategorized</a>" "$T/north-korea.html"
ok $? "a category page lists the other categories"
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/c/no-such")
is "$code" 404 "an unknown category is 404"

# Paging: ?limit=2 and rel="next", until there is none.
for ext in atom rss json; do
	got=$($PY - "$U/feed.$ext?limit=2" "$U/feed.$ext?limit=500" <<'EOT'
import json, sys, urllib.request, feedparser
def page(url):
    if ".json" in url:
        d = json.load(urllib.request.urlopen(url))
        return [i["id"] for i in d["items"]], d.get("next_url")
    d = feedparser.parse(url)
    assert d.bozo == 0, d.bozo_exception
    nxt = [l.href for l in d.feed.get("links", []) if l.rel == "next"]
    return [e.id for e in d.entries], nxt[0] if nxt else None
url, seen, pages = sys.argv[1], [], 0
while url and pages < 10:
    ids, url = page(url)
    seen += ids
    pages += 1
full, _ = page(sys.argv[2])
print("%d pages, %d entries, %d distinct, %s" % (pages, len(seen),
      len(set(seen)), "same order" if seen == full else "order differs"))
EOT
)
	is "$got" "3 pages, 5 entries, 5 distinct, same order" \
	    "feed.$ext?limit=2: every entry exactly once, newest first"
done
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/feed.atom?limit=0")
is "$code" 400 "?limit=0 is 400"
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/feed.atom?limit=100000")
is "$code" 400 "?limit=100000 is 400"
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/feed.atom?feed=%27%20OR%201=1")
is "$code" 400 "an unknown parameter is 400"

# 304s and gzip.
for p in /c/wires.atom /feed.json /opml; do
	etag=$(curl -sI "$U$p" | sed -n 's/^[Ee][Tt]ag: *//p' | tr -d '\r')
	code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$U$p")
	is "$code" 304 "$p: If-None-Match gets 304"
done
curl -s -D "$T/gz.head" -o "$T/gz.body" -H 'Accept-Encoding: gzip' "$U/feed.atom"
grep -qi '^Content-Encoding: gzip' "$T/gz.head"
ok $? "Accept-Encoding: gzip gets Content-Encoding: gzip"
gzip -dc <"$T/gz.body" >"$T/gz.atom" && fm_get /feed.atom | cmp -s - "$T/gz.atom"
ok $? "the gzip body is the same document"
etag=$(sed -n 's/^[Ee][Tt]ag: *//p' "$T/gz.head" | tr -d '\r')
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept-Encoding: gzip' \
    -H "If-None-Match: $etag" "$U/feed.atom")
is "$code" 304 "the gzip ETag gets 304"

# OPML, /healthz, /metrics.
fm_get /opml >"$T/sources.opml"
got=$($PY - "$T/sources.opml" <<'EOT'
import sys, xml.etree.ElementTree as ET
body = ET.parse(sys.argv[1]).getroot().find("body")
print(";".join("%s=%s" % (o.get("text"), ",".join(c.get("text") for c in o))
               for o in body))
EOT
)
is "$got" "North Korea=Alpha News;Uncategorized=Gamma;Wires=Beta Wire" \
    "OPML: the sources in one outline per category"
got=$(fm_get /healthz | $PY -c 'import json,sys; d=json.load(sys.stdin); print(d["status"], d["feeds"], d["categories"], d["published"])')
is "$got" "ok 3 3 5" "/healthz: status, feeds, categories, published"
fm_get /metrics >"$T/metrics"
grep -q '^feedmux_feeds{status="ok"} 3$' "$T/metrics" &&
    grep -q '^feedmux_entries 6$' "$T/metrics" &&
    grep -q '^feedmux_http_requests_total{route="/c",status="404"} 1$' "$T/metrics" &&
    grep -q '^feedmux_render_seconds_count [1-9]' "$T/metrics"
ok $? "/metrics: feeds by status, entries, requests, render times"

fm_daemon_stop >/dev/null
is "$STOP_STATUS" 0 "SIGTERM ends the daemon with status 0"
done_testing
