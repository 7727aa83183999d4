#!/bin/sh
# The fetcher against a misbehaving server (tests/badsrv): a drip, an
# endless body, a gzip bomb, a redirect loop, 301/302/308, 410, 429 with
# both Retry-After forms, a 500 streak, an HTML page with an alternate
# link, a feed with the wrong Content-Type, an empty 200, publisher hints;
# each gets the right status and error in the store and the log, while a
# healthy feed on another server is still polled on time. A feed on
# 127.0.0.1 with allow_private off gets a clear error and the server sees
# no request for it (HOSTILE-33).

. "$top_srcdir/tests/integration/lib.sh"

BADSRV=$top_builddir/tests/badsrv
[ -x "$BADSRV" ] || skip_all "tests/badsrv is not built"

# The time the daemon is left to poll, in seconds.
WINDOW=16

fm_setup
mkdir "$T/feeds"
cp "$FIXTURES/pipeline/alpha.rss" "$T/feeds/healthy.rss"
fm_feedsrv "$T/feeds"

"$BADSRV" -l "$T/badsrv.log" -b 64 >"$T/badsrv.out" 2>&1 &
BADSRV_PID=$!
fm_wait_for 100 grep -q '^port ' "$T/badsrv.out" ||
    { echo "Bail out! badsrv did not start"; exit 1; }
BADSRV_PORT=$(sed -n 's/^port //p' "$T/badsrv.out")
trap 'kill $BADSRV_PID 2>/dev/null; fm_cleanup' 0

B=http://127.0.0.1:$BADSRV_PORT
{
	echo "[feed \"http://127.0.0.1:$FEEDSRV_PORT/healthy.rss\"]"
	echo "label = healthy"
	echo "interval = 2s"
	for p in drip endless bomb loop r301 r302 r308 gone 429s 429d 503 \
	    500 html wrongtype empty ok ttl maxage latin1; do
		echo "[feed \"$B/$p\"]"
		echo "label = $p"
		echo "interval = 2s"
	done
	echo "[feed \"$B/private\"]"
	echo "label = private"
	echo "interval = 2s"
	echo "allow_private = false"
} >"$T/feeds.conf"
# Not in a pipe: fm_config sets DAEMON_PORT in this shell.
fm_config "timeout = 3s
connect_timeout = 2s
low_speed = 100/2s
max_body = 1M
max_redirects = 5
max_per_host = 4
host_spacing = 50ms
max_interval = 1h" <"$T/feeds.conf"
fm_daemon_start
start=$(date +%s)
sleep $WINDOW
fm_cli feeds --json >"$T/feeds.json"
now=$(date +%s)
# A second look at the log after the window, for the gaps of the healthy
# feed and of the 500 streak.
healthy=$(grep -c '^GET /healthy.rss ' "$T/feedsrv.log")

# One line per feed: label|status|error|fetch_url|next_poll - last_fetch.
$PY - "$T/feeds.json" >"$T/feeds.txt" <<'EOT'
import json, sys, datetime
def t(s):
    if s is None:
        return None
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
for f in json.load(open(sys.argv[1])):
    gap = ""
    if f.get("next_poll") and f.get("last_fetch"):
        gap = int(t(f["next_poll"]) - t(f["last_fetch"]))
    print("%s|%s|%s|%s|%s" % (f["label"], f["status"], f["error"] or "",
        f.get("fetch_url") or "", gap))
EOT
sed 's/^/# /' "$T/feeds.txt"

field()	# LABEL N: the Nth field of a feed's line
{
	grep "^$1|" "$T/feeds.txt" | cut -d'|' -f"$2"
}
requests()	# PATH: how many requests badsrv saw for it
{
	grep -c "^GET $1 " "$T/badsrv.log"
}
logged()	# REGEX: the daemon logged it
{
	grep -q "$1" "$T/feedmuxd.log"
}

# The healthy feed, polled every 2 s (plus up to 10% jitter) all along.
[ "$healthy" -ge $((WINDOW / 3)) ]
ok $? "the healthy feed is polled on time beside the misbehaving ones" \
    "($healthy polls in ${WINDOW}s)"
is "$(field healthy 2)" ok "the healthy feed is ok"

# Slow drip: cut off by low_speed, never a hang.
is "$(field drip 2)" error "drip: error"
case "$(field drip 3)" in
*[Ss]low*|*"timed out"*|*Timeout*) ok 0 "drip: cut off ($(field drip 3))";;
*) ok 1 "drip: cut off ($(field drip 3))";;
esac

# Endless body and gzip bomb: stopped at max_body (HOSTILE-38, HOSTILE-10).
is "$(field endless 3)" "body larger than 1048576 bytes" \
    "endless body: stopped at max_body"
is "$(field bomb 3)" "body larger than 1048576 bytes" \
    "gzip bomb: stopped at max_body, counted decompressed"

# Redirect loop: at most max_redirects (HOSTILE-31).
is "$(field loop 2)" error "redirect loop: error"
case "$(field loop 3)" in
*edirect*) ok 0 "redirect loop: says so ($(field loop 3))";;
*) ok 1 "redirect loop: says so ($(field loop 3))";;
esac
n=$(requests /loop)
[ "$n" -ge 6 ] && [ $((n % 6)) -eq 0 ]
ok $? "redirect loop: 6 requests per poll, no more ($n)"

# 301 and 308 move the feed; 302 does not.
is "$(field r301 2)|$(field r301 4)" "ok|$B/ok" "301: ok, now polled at /ok"
is "$(field r308 2)|$(field r308 4)" "ok|$B/ok" "308: ok, now polled at /ok"
is "$(field r302 2)|$(field r302 4)" "ok|" "302: ok, URL kept"
is "$(requests /r301)" 1 "301: the old URL is asked once"
[ "$(requests /r302)" -ge 2 ]
ok $? "302: the old URL is asked again ($(requests /r302))"
logged "feed r301: moved permanently, now polled at $B/ok"
ok $? "301: the move is logged"

# 410: gone, no more polls.
is "$(field gone 2)" gone "410: gone"
is "$(requests /gone)" 1 "410: polled once, never again"

# 429 and 503: Retry-After in seconds and as a date, clamped to max.
is "$(field 429s 3)" "HTTP 429" "429: error HTTP 429"
gap=$(field 429s 5)
[ -n "$gap" ] && [ "$gap" -ge 118 ] && [ "$gap" -le 122 ]
ok $? "429 Retry-After: 120: next poll 120 s later ($gap)"
gap=$(field 429d 5)
[ -n "$gap" ] && [ "$gap" -ge 110 ] && [ "$gap" -le 122 ]
ok $? "429 Retry-After: HTTP date: next poll 2 min later ($gap)"
is "$(requests /429s)|$(requests /429d)" "1|1" \
    "429: no request before Retry-After"
logged "feed 429d: error: HTTP 429; next poll in 1[12][0-9]\.[0-9]*s (Retry-After)"
ok $? "429: the log says why"
[ "$(requests /503)" -ge 2 ]
ok $? "503 Retry-After: 2: asked again after it ($(requests /503))"

# A 500 streak backs off exponentially: 4 s, 8 s, 16 s after a 2 s interval.
n=$(requests /500)
[ "$n" -ge 2 ] && [ "$n" -le 4 ]
ok $? "500 streak: backing off ($n requests in ${WINDOW}s, not $((WINDOW / 2)))"
logged "feed 500: error: HTTP 500; next poll in [0-9.]*s (backoff)"
ok $? "500: the log says backoff"

# HTML instead of a feed: the error names the feed the page links to.
is "$(field html 2)" error "HTML page: error"
case "$(field html 3)" in
*"links to a feed: $B/ok"*) ok 0 "HTML page: names its feed ($(field html 3))";;
*) ok 1 "HTML page: names its feed ($(field html 3))";;
esac

# Wrong Content-Type: the document decides.
is "$(field wrongtype 2)" ok "a feed sent as text/plain is read"

# The charset of the Content-Type reaches the parser.
fm_cli entries --feed latin1 --json >"$T/latin1.json"
is "$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["title"])' \
    "$T/latin1.json" 2>&1)" "Naïve" \
    "ISO-8859-1 declared only by the Content-Type is decoded"

# Empty 200.
is "$(field empty 2)|$(field empty 3)" "error|empty response" \
    "empty 200: empty response"

# Publisher hints, clamped to [min_interval, max_interval].
is "$(field ok 2)" ok "the good feed on the bad server is ok"
gap=$(field ttl 5)
[ -n "$gap" ] && [ "$gap" -ge 59 ] && [ "$gap" -le 67 ]
ok $? "<ttl>1</ttl>: next poll a minute later ($gap)"
logged "feed ttl: 200, .*next poll in [0-9.]*s (ttl)"
ok $? "ttl: the log says why"
logged "feed maxage: 200, .*next poll in [0-9.]*s (Cache-Control)"
ok $? "Cache-Control max-age=7: the log says why"
n=$(requests /maxage)
[ "$n" -ge 1 ] && [ "$n" -le 3 ]
ok $? "max-age=7: polled every 7 s, not 2 s ($n)"

# The address policy: refused before connecting (HOSTILE-33).
is "$(field private 2)" refused "allow_private off: refused"
is "$(field private 3)" \
    "address not allowed: 127.0.0.1 is loopback (allow_private is off)" \
    "allow_private off: a clear error"
is "$(requests /private)" 0 "allow_private off: badsrv saw no request"

fm_daemon_stop >/dev/null
is "$STOP_STATUS" 0 "the daemon stops cleanly"
[ $((now - start)) -lt 40 ]
ok $? "bounded in time"
done_testing
