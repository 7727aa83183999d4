#!/bin/sh
# Access tokens with the real daemon and real readers: a [daemon] token
# guards every output, a [category] token its category. Without a token
# 401; with ?token= (the URL a reader subscribes to) or a Bearer header
# 200; python3-feedparser and sfeed read the token URLs and page through
# every page by the next links the documents carry; /healthz and
# /metrics stay open; a SIGHUP changes the token; the log never shows it.

. "$top_srcdir/tests/integration/lib.sh"

$PY -c 'import feedparser' 2>/dev/null ||
    skip_all "python3-feedparser is not installed"

TOK=Gl0bal-token_0123456789
WTOK=wires.token~9876543210
NEWTOK=the-new-token-after-sighup

fm_setup
mkdir "$T/feeds"
cp "$FIXTURES"/pipeline/* "$T/feeds/"
fm_feedsrv "$T/feeds"
feeds()
{
	cat <<EOT
[feed "http://127.0.0.1:$FEEDSRV_PORT/alpha.rss"]
label = Alpha News
category = North Korea
[feed "http://127.0.0.1:$FEEDSRV_PORT/beta.atom"]
category = Wires
[feed "http://127.0.0.1:$FEEDSRV_PORT/gamma.rss"]
label = Gamma
[category "Wires"]
access_token = $WTOK
EOT
}
# Not in a pipe: fm_config sets DAEMON_PORT in this shell.
feeds >"$T/feeds.conf"
fm_config "access_token = $TOK" <"$T/feeds.conf"
fm_daemon_start
U=http://127.0.0.1:$DAEMON_PORT

six()
{
	[ "$(fm_get /healthz | $PY -c 'import json,sys; print(json.load(sys.stdin)["entries"])')" = 6 ]
}
fm_wait_for 100 six
ok $? "/healthz answers without a token: six stories stored"
sleep 0.2

# status PATH [CURL-ARGS]: the HTTP status of a GET.
status()
{
	p=$1
	shift
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" "$U$p"
}

for p in / /feed.atom /feed.rss /feed.json /opml /c/north-korea \
    /c/wires.atom; do
	is "$(status "$p")" 401 "GET $p without the token: 401"
done
curl -s -D "$T/h401" -o /dev/null --max-time 5 "$U/feed.atom"
grep -qi '^WWW-Authenticate: Bearer realm="feedmux"' "$T/h401"
ok $? "the 401 says WWW-Authenticate: Bearer"
is "$(status "/feed.atom?token=${TOK}x")" 401 "a wrong token: 401"
is "$(status "/feed.atom?token=$TOK")" 200 "?token=: 200"
is "$(status /feed.atom -H "Authorization: Bearer $TOK")" 200 \
    "Authorization: Bearer: 200"
is "$(status /healthz)" 200 "/healthz is open"
is "$(status /metrics)" 200 "/metrics is open"
is "$(status "/c/wires.atom?token=$WTOK")" 200 \
    "the Wires token opens Wires"
is "$(status "/c/north-korea.atom?token=$WTOK")" 401 \
    "and no other category"
is "$(status "/c/wires?token=$TOK")" 200 "the [daemon] token opens Wires"

# feedparser reads the token URLs, following rel="next" to the end.
cat >"$T/page.py" <<'EOT'
import json, sys, urllib.request
import feedparser

url, kind = sys.argv[1], sys.argv[2]
ids, pages, problems = [], 0, []
while url and pages < 20:
    pages += 1
    if kind == "json":
        with urllib.request.urlopen(url, timeout=5) as r:
            doc = json.load(r)
        ids += [i["id"] for i in doc["items"]]
        url = doc.get("next_url")
        continue
    d = feedparser.parse(url)
    if d.get("status") != 200 or d.bozo:
        problems.append("%s: status %s bozo %s %s" % (url, d.get("status"),
            d.bozo, d.get("bozo_exception")))
        break
    ids += [e.id for e in d.entries]
    nxt = [l.href for l in d.feed.get("links", []) if l.rel == "next"]
    url = nxt[0] if nxt else None
print(pages, len(ids), len(set(ids)), ";".join(problems))
EOT
for ext in atom rss json; do
	set -- $($PY "$T/page.py" "$U/feed.$ext?limit=2&token=$TOK" $ext)
	[ "$1" -eq 3 ] && [ "$2" -eq 6 ] && [ "$3" -eq 6 ] && [ -z "$4" ]
	ok $? "feed.$ext?token=: $1 pages by their next links, $2 entries, $3 distinct${4:+ ($4)}"
done
set -- $($PY "$T/page.py" "$U/c/wires.atom?limit=1&token=$WTOK" atom)
[ "$1" -eq 2 ] && [ "$2" -eq 2 ] && [ "$3" -eq 2 ] && [ -z "$4" ]
ok $? "c/wires.atom with its own token: $1 pages, $2 entries${4:+ ($4)}"
$PY - "$U/feed.atom" <<'EOT'
import sys, feedparser
d = feedparser.parse(sys.argv[1])
sys.exit(d.get("status") != 401 or len(d.entries) != 0)
EOT
ok $? "feedparser without the token: 401 and no entries"

# A second reader: sfeed, on the bytes of the token URL.
if command -v sfeed >/dev/null 2>&1; then
	for ext in atom rss; do
		n=$(curl -sf --max-time 5 "$U/feed.$ext?token=$TOK" | sfeed |
		    wc -l)
		is "$n" 6 "sfeed reads feed.$ext?token=: six entries"
	done
else
	ok 0 "# SKIP sfeed is not installed"
fi

# The page links to its feeds, and pages, with the token.
fm_get "/?limit=2&token=$TOK" >"$T/page.html"
grep -q "<link rel=\"alternate\" type=\"application/atom+xml\"[^>]* href=\"$U/feed.atom?token=$TOK\">" "$T/page.html"
ok $? "the page's autodiscovery links carry the token"
grep -q "href=\"$U/c/wires?token=$TOK\"" "$T/page.html"
ok $? "its category links too"
next=$(sed -n 's/.*<a rel="next" href="\([^"]*\)".*/\1/p' "$T/page.html" |
    sed 's/&amp;/\&/g')
case $next in
*token=$TOK*)	rc=0 ;;
*)		rc=1 ;;
esac
ok $rc "its Older entries link carries the token"
is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$next")" 200 \
    "and opens the next page"
fm_get "/feed.atom" -H "Authorization: Bearer $TOK" | grep -q 'token='
[ $? -ne 0 ]
ok $? "a document opened by the header has no token in its links"

# SIGHUP: a new token, the old one no longer opens anything.
fm_config "access_token = $NEWTOK" <"$T/feeds.conf"
# fm_config picked a new port: keep the listening one.
sed -i "s/^listen = .*/listen = 127.0.0.1:${U##*:}/" "$T/feedmux.conf"
DAEMON_PORT=${U##*:}
kill -HUP "$DAEMON_PID"
newtok()
{
	[ "$(status "/feed.atom?token=$NEWTOK")" = 200 ]
}
fm_wait_for 50 newtok
ok $? "after SIGHUP the new token opens the outputs"
is "$(status "/feed.atom?token=$TOK")" 401 "and the old one does not"

# The log shows the requests, never a token.
grep -q 'http: GET /feed.atom?limit=2&token=REDACTED 200' "$T/feedmuxd.log"
ok $? "the request log shows token=REDACTED"
grep -q 'http: GET /feed.atom 401' "$T/feedmuxd.log"
ok $? "and the 401s"
for t in "$TOK" "$WTOK" "$NEWTOK"; do
	grep -qF "$t" "$T/feedmuxd.log"
	[ $? -ne 0 ]
	ok $? "no token in the log (${t%%[-.]*}...)"
done

fm_daemon_stop >/dev/null
is "$STOP_STATUS" 0 "SIGTERM ends the daemon with status 0"

done_testing
