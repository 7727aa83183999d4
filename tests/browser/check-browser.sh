#!/bin/sh
# make check-browser: the HTML page in a real browser (issue 6). A real
# daemon publishes fixture feeds, one of them hostile (script elements,
# event handlers, javascript: links in its entries); Debian's headless
# Chromium renders the page and a category page at phone (390x844) and
# desktop (1366x900) widths and saves the screenshots. Then:
#  - no request leaves 127.0.0.1: every name resolves to nothing but
#    127.0.0.1 (--host-resolver-rules), and the browser's own net log
#    (--log-net-log) is read for every TCP connection, UDP datagram and
#    request of the page it made;
#  - no script runs: the served bytes have no <script>, no on*=
#    attribute and no javascript: URL; the Content-Security-Policy
#    header forbids scripts (default-src 'none', no script-src); and the
#    DOM the browser dumps after loading (--dump-dom) shows nothing a
#    script would have done. A control page with a script, under the
#    same flags, shows that the dump would reveal one.
# Not part of make check: it needs the chromium package.
# CHECK_BROWSER_OUT names where the screenshots go (default:
# $top_builddir/tests/browser/screenshots).

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/integration/lib.sh"

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] ||
    skip_all "no $CHROMIUM (Debian package chromium: apt-get install chromium)"
OUT=${CHECK_BROWSER_OUT:-$top_builddir/tests/browser/screenshots}
mkdir -p "$OUT" || exit 1
OUT=$(cd "$OUT" && pwd)

fm_setup
mkdir "$T/feeds"
cp "$FIXTURES"/pipeline/* "$T/feeds/"
cat >"$T/feeds/hostile.rss" <<'EOT'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>Hostile</title><link>http://127.0.0.1/</link>
<description>Entries that try to run script.</description>
<item>
<title>Scripts &lt;script&gt;document.title='PWNED'&lt;/script&gt;</title>
<link>http://127.0.0.1/hostile/1</link>
<pubDate>Wed, 24 Apr 2019 09:00:00 GMT</pubDate>
<description><![CDATA[<p>Before.</p><script>document.title='PWNED'</script>
<p onclick="document.title='PWNED'">Click.</p>
<img src="data:," onerror="document.title='PWNED'" alt="">
<svg onload="document.title='PWNED'"></svg>
<iframe src="javascript:parent.document.title='PWNED'"></iframe>
<a href="javascript:document.title='PWNED'">a javascript: link</a>
<form action="http://127.0.0.1/"><input name="q"></form>
<style>body{background:url(http://tracker.invalid/x.png)}</style>
<p>After.</p>]]></description>
</item>
</channel></rss>
EOT
fm_feedsrv "$T/feeds"
fm_config <<EOT
[feed "http://127.0.0.1:$FEEDSRV_PORT/alpha.rss"]
label = Alpha News
category = North Korea
[feed "http://127.0.0.1:$FEEDSRV_PORT/beta.atom"]
category = Wires
[feed "http://127.0.0.1:$FEEDSRV_PORT/gamma.rss"]
label = Gamma
[feed "http://127.0.0.1:$FEEDSRV_PORT/hostile.rss"]
label = Hostile
EOT
fm_daemon_start
U=http://127.0.0.1:$DAEMON_PORT
seven()
{
	[ "$(fm_get /healthz | $PY -c 'import json,sys; print(json.load(sys.stdin)["entries"])')" = 7 ]
}
fm_wait_for 100 seven
ok $? "the daemon publishes the fixture entries"
sleep 0.2

# chrome NAME URL ARGS...: headless Chromium, its own profile and net log.
chrome()
{
	name=$1 url=$2
	shift 2
	timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
	    --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --disable-default-apps --disable-extensions --no-pings \
	    --disable-domain-reliability --hide-scrollbars \
	    --host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" \
	    --user-data-dir="$T/profile-$name" \
	    --log-net-log="$T/netlog-$name.json" --net-log-capture-mode=Default \
	    "$@" "$url" 2>>"$T/chromium.log"
}

n=0
for page in /:all /c/north-korea:category; do
	path=${page%%:*}
	tag=${page#*:}
	curl -s -D "$T/$tag.head" -o "$T/$tag.html" --max-time 5 "$U$path"
	ok $? "GET $path"

	# The bytes as served: nothing that runs.
	$PY - "$T/$tag.html" <<'EOT'
import sys
from html.parser import HTMLParser
URLS = ("href", "src", "action", "formaction", "data", "xlink:href",
    "poster", "background")
bad = []
class P(HTMLParser):
    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "frame", "form",
                "svg", "math", "base"):
            bad.append("<%s>" % tag)
        for k, v in attrs:
            v = (v or "").strip().lower()
            if k.startswith("on"):
                bad.append("%s on <%s>" % (k, tag))
            elif k in URLS and (v.startswith("javascript:") or
                    v.startswith("vbscript:") or v.startswith("data:text")):
                bad.append("%s=%s" % (k, v[:30]))
            elif tag == "meta" and k == "http-equiv" and v == "refresh":
                bad.append("meta refresh")
P().feed(open(sys.argv[1], encoding="utf-8").read())
print("; ".join(bad))
sys.exit(1 if bad else 0)
EOT
	ok $? "$path: no script, frame, form or on*= handler, no javascript: URL"
	csp=$(sed -n 's/^Content-Security-Policy: *//Ip' "$T/$tag.head" |
	    tr -d '\r')
	case $csp in
	*"default-src 'none'"*)
		case $csp in
		*script-src*)	rc=1 ;;
		*)		rc=0 ;;
		esac ;;
	*)	rc=1 ;;
	esac
	ok $rc "$path: its CSP forbids every script ($csp)"

	for size in 390,844:phone 1366,900:desktop; do
		wh=${size%%:*}
		dev=${size#*:}
		png=$OUT/$tag-$dev.png
		rm -f "$png"
		chrome "$tag-$dev" "$U$path" --window-size="$wh" \
		    --screenshot="$png" >/dev/null
		$PY - "$png" "${wh%%,*}" "${wh#*,}" <<'EOT'
import struct, sys
with open(sys.argv[1], "rb") as f:
    head = f.read(24)
ok = head[:8] == b"\x89PNG\r\n\x1a\n" and \
    struct.unpack(">II", head[16:24]) == (int(sys.argv[2]), int(sys.argv[3]))
sys.exit(not ok)
EOT
		ok $? "$path at $wh: screenshot $png"
		n=$((n + 1))
	done

	# The DOM after loading: what a script would have changed.
	chrome "$tag-dom" "$U$path" --dump-dom >"$T/$tag.dom"
	grep -q '</html>' "$T/$tag.dom"
	ok $? "$path: Chromium dumped its DOM"
	$PY - "$T/$tag.dom" <<'EOT'
import re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
bad = []
if re.search(r"<script", dom, re.I): bad.append("a script element")
if "PWNED" in re.sub(r"<article.*?</article>", "", dom, flags=re.S) or \
        re.search(r"<title>[^<]*PWNED", dom): bad.append("the title changed")
if re.search(r"\son[a-z]+\s*=", dom, re.I): bad.append("an on* handler")
if re.search(r"<(iframe|object|embed|form|svg)\b", dom, re.I):
    bad.append("an active element")
if re.search(r"""\s(href|src|action|formaction|data|xlink:href)\s*=\s*["']?\s*javascript:""", dom, re.I):
    bad.append("a javascript: URL")
print("; ".join(bad))
sys.exit(1 if bad else 0)
EOT
	ok $? "$path: the DOM shows no script ran and none could"
done

# The control, served from 127.0.0.1 too: a page with a script and an
# image elsewhere. Under the same flags its script runs and shows in the
# dump, and its net log shows the request for the image: the checks
# above and below would see either.
cat >"$T/feeds/control.html" <<'EOT'
<!DOCTYPE html><html><head><title>control</title></head>
<body><p id="p">static</p><img src="http://tracker.invalid/pixel.png" alt="">
<script>document.getElementById("p").textContent = "SCRIPT-RAN";</script>
</body></html>
EOT
mkdir "$T/control"
chrome control "http://127.0.0.1:$FEEDSRV_PORT/control.html" \
    --dump-dom >"$T/control.dom"
mv "$T/netlog-control.json" "$T/control/"
grep -q '<p id="p">SCRIPT-RAN</p>' "$T/control.dom"
ok $? "control: a page's script does run and shows in the dump"

# What left the browser, from its net logs: every TCP connection it
# opened, every UDP datagram it sent (a UDP connect sends nothing: the
# browser does one to learn its own address), and every request the
# pages made (their initiator), must be on 127.0.0.1. The browser's own
# background requests (updates, time) are counted: the resolver rules
# leave them nowhere to go, and the TCP check shows none went.
cat >"$T/netlog.py" <<'EOT'
import json, sys, urllib.parse
def host(a):
    return a.rsplit(":", 1)[0].strip("[]")
tcp, udp_sent, page, background, bad = 0, 0, 0, 0, []
for name in sys.argv[1:]:
    with open(name) as f:
        text = f.read()
    try:
        log = json.loads(text)
    except ValueError:
        # A log cut short (the browser killed) misses its end.
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    types = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    udp_addr = {}
    for e in log.get("events", []):
        t, p = types.get(e["type"]), e.get("params") or {}
        src = e.get("source", {}).get("id")
        if t in ("TCP_CONNECT_ATTEMPT", "TCP_CONNECT") and "address" in p:
            tcp += 1
            if host(p["address"]) != "127.0.0.1":
                bad.append("TCP to " + p["address"])
        elif t == "UDP_CONNECT" and "address" in p:
            udp_addr[src] = p["address"]
        elif t == "UDP_BYTES_SENT":
            udp_sent += 1
            a = p.get("address") or udp_addr.get(src, "?")
            if host(a) != "127.0.0.1":
                bad.append("UDP to " + a)
        elif t == "URL_REQUEST_START_JOB" and "url" in p:
            u = urllib.parse.urlsplit(p["url"])
            ini = p.get("initiator", "")
            if ini.startswith("http://127.0.0.1"):
                page += 1
                if u.scheme not in ("data", "blob") and \
                        u.hostname != "127.0.0.1":
                    bad.append("the page asked for " + p["url"])
            elif u.hostname != "127.0.0.1" and u.scheme in ("http", "https"):
                background += 1
print(tcp, udp_sent, page, background)
for b in bad:
    print("OUTSIDE", b)
EOT
$PY "$T/netlog.py" "$T/control/netlog-control.json" >"$T/control.out"
grep -q '^OUTSIDE the page asked for http://tracker.invalid/pixel.png' \
    "$T/control.out"
ok $? "control: the net log shows the page's request elsewhere"
$PY "$T/netlog.py" "$T"/netlog-*.json >"$T/netlog.out"
rc=$?
set -- $(head -1 "$T/netlog.out")
diag "net logs: $1 TCP connects, $2 UDP sends, $3 requests by the pages, $4 background requests of the browser (blocked by the resolver rules)"
grep '^OUTSIDE' "$T/netlog.out" | sed 's/^/# /'
[ $rc -eq 0 ] && [ "${1:-0}" -gt 0 ] && ! grep -q '^OUTSIDE' "$T/netlog.out"
ok $? "no request left 127.0.0.1"

diag "screenshots ($n) in $OUT"
fm_daemon_stop >/dev/null
is "$STOP_STATUS" 0 "the daemon stops cleanly"

done_testing
