#!/bin/sh
# bench/serve: how fast the daemon serves /feed.atom (50 entries, about
# 200 KB) from memory, in requests per second, against nginx serving the
# same bytes as a static file, in the same run; then the 304 path of both
# (If-None-Match with each server's own ETag).
#
# Needs: nginx, wrk, curl, python3 (Debian: nginx-light or nginx, wrk,
# curl, python3). Everything listens on 127.0.0.1 on ports the kernel
# picks; everything started here is stopped on exit.
#
# The store is filled the honest way: five generated RSS feeds of ten
# items each (a few KB of HTML per item, as news sites publish) are
# served by a small local HTTP server, and the real daemon polls them.
#
# Environment: SERVE_WRK="-t1 -c8 -d5s" (the same for both servers),
# SERVE_ROUNDS=3 (each round runs both servers, alternating; the median
# round is printed). wrk, nginx and the daemon share the machine's cores:
# on a 2-core machine a figure is a ratio, never an absolute.

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${SERVE_WRK:=-t1 -c8 -d5s}"
: "${SERVE_ROUNDS:=3}"
FEEDMUXD=$top_builddir/daemon/feedmuxd
PY=/usr/bin/python3
TARGET=0.8

for tool in nginx wrk curl; do
	if ! command -v $tool >/dev/null 2>&1 &&
	    ! [ -x /usr/sbin/$tool ]; then
		echo "serve: skipped: $tool is not installed"
		exit 0
	fi
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if ! [ -x "$FEEDMUXD" ]; then
	echo "serve: $FEEDMUXD is not built" >&2
	exit 1
fi

T=
SRC_PID=
DAEMON_PID=
NGINX_PID=
cleanup()
{
	[ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null
	[ -n "$SRC_PID" ] && kill "$SRC_PID" 2>/dev/null
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null
	wait 2>/dev/null
	[ -n "$T" ] && rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
T=$(mktemp -d "${TMPDIR:-/tmp}/feedmux-bench-serve.XXXXXX") || exit 1
# nginx's workers may run as another user: they must read the file.
chmod 755 "$T"

fail()
{
	echo "serve: $*" >&2
	[ -f "$T/feedmuxd.log" ] && tail -20 "$T/feedmuxd.log" >&2
	[ -f "$T/nginx/error.log" ] && tail -20 "$T/nginx/error.log" >&2
	exit 1
}

# wait_for TENTHS CMD...: retry CMD every 0.1 s.
wait_for()
{
	n=$1
	shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

free_port()
{
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# The source feeds: 5 x 10 items of several paragraphs each.
mkdir "$T/src" || exit 1
$PY - "$T/src" <<'EOT' || fail "cannot write the source feeds"
import sys, random, email.utils
out = sys.argv[1]
rnd = random.Random(42)
words = ("the council said on tuesday that a new agreement on regional "
    "transport would be signed before the end of the year after months of "
    "talks between the ministries officials warned that costs could rise "
    "if suppliers failed to deliver parts on time and analysts expect "
    "markets to react cautiously to the announcement while residents "
    "remain divided over the plan").split()
def sentence():
    w = [rnd.choice(words) for _ in range(rnd.randint(12, 24))]
    return w[0].capitalize() + " " + " ".join(w[1:]) + "."
def para():
    s = " ".join(sentence() for _ in range(rnd.randint(4, 5)))
    if rnd.random() < 0.3:
        s += (' <a href="https://news%d.example/related/%d">Read more</a>.' %
            (rnd.randint(1, 5), rnd.randint(1, 99999)))
    return "<p>" + s + "</p>"
t0 = 1764300000
for f in range(5):
    items = []
    for i in range(10):
        n = f * 10 + i
        date = email.utils.formatdate(t0 - n * 3607, usegmt=True)
        body = "".join(para() for _ in range(6))
        items.append("""<item>
<title>Story %d of the regional desk: %s</title>
<link>https://news%d.example/2026/11/story-%d</link>
<guid>https://news%d.example/2026/11/story-%d</guid>
<dc:creator>Reporter %d</dc:creator>
<category>Region</category><category>Transport</category>
<pubDate>%s</pubDate>
<description><![CDATA[%s]]></description>
<content:encoded><![CDATA[%s]]></content:encoded>
</item>""" % (n, " ".join(rnd.choice(words) for _ in range(6)), f, n, f, n,
            n % 7, date, sentence(), body))
    with open("%s/news%d.rss" % (out, f), "w") as fp:
        fp.write("""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>News %d</title>
<link>https://news%d.example/</link>
<description>Generated for bench/serve.</description>
%s
</channel>
</rss>
""" % (f, f, "\n".join(items)))
EOT

# A plain static server for the source feeds; it prints its port.
$PY -u - "$T/src" >"$T/src.out" 2>/dev/null <<'EOT' &
import sys, os, functools, http.server
h = functools.partial(http.server.SimpleHTTPRequestHandler,
    directory=sys.argv[1])
h.func.log_message = lambda *a: None
s = http.server.HTTPServer(("127.0.0.1", 0), h)
print("port", s.server_address[1])
s.serve_forever()
EOT
SRC_PID=$!
wait_for 50 grep -q '^port ' "$T/src.out" || fail "the source server did not start"
SRC_PORT=$(sed -n 's/^port //p' "$T/src.out")

# The daemon polls them once.
DAEMON_PORT=$(free_port)
{
	echo "[daemon]"
	echo "database = $T/feedmux.db"
	echo "listen = 127.0.0.1:$DAEMON_PORT"
	echo "control = $T/control.sock"
	echo "title = Bench"
	echo "base_url = http://127.0.0.1:$DAEMON_PORT"
	echo "allow_private = true"
	echo "interval = 1h"
	echo "log_level = warning"
	for f in 0 1 2 3 4; do
		echo "[feed \"http://127.0.0.1:$SRC_PORT/news$f.rss\"]"
		echo "label = News $f"
	done
} >"$T/feedmux.conf"
"$FEEDMUXD" -c "$T/feedmux.conf" >"$T/feedmuxd.log" 2>&1 &
DAEMON_PID=$!
D=http://127.0.0.1:$DAEMON_PORT
fifty()
{
	[ "$(curl -sf --max-time 5 "$D/feed.atom" | grep -c '<entry')" -eq 50 ]
}
wait_for 300 fifty || fail "the daemon did not publish 50 entries"

# The same bytes as a static file for nginx.
mkdir "$T/www" "$T/nginx" || exit 1
curl -sf --max-time 5 -o "$T/www/feed.atom" "$D/feed.atom" ||
    fail "cannot read /feed.atom"
chmod 755 "$T/www"
chmod 644 "$T/www/feed.atom"
size=$(wc -c <"$T/www/feed.atom")

# nginx as Debian's nginx.conf sets it up (sendfile, tcp_nopush,
# tcp_nodelay), with one worker (the daemon is one thread) and no access
# log; and a second server that also keeps the file open
# (open_file_cache, not in Debian's default configuration): no open(2),
# fstat(2) and close(2) per request, a stronger baseline for the 304s.
NGINX_PORT=$(free_port)
NGINX_PORT2=$(free_port)
user=
[ "$(id -u)" -eq 0 ] && user="user root;"
cat >"$T/nginx/nginx.conf" <<EOT
$user
worker_processes 1;
daemon off;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	tcp_nodelay on;
	keepalive_requests 1000000;
	client_body_temp_path $T/nginx/body;
	proxy_temp_path $T/nginx/proxy;
	fastcgi_temp_path $T/nginx/fastcgi;
	uwsgi_temp_path $T/nginx/uwsgi;
	scgi_temp_path $T/nginx/scgi;
	types { application/atom+xml atom; }
	server {
		listen 127.0.0.1:$NGINX_PORT;
		root $T/www;
	}
	server {
		listen 127.0.0.1:$NGINX_PORT2;
		root $T/www;
		open_file_cache max=16;
		open_file_cache_valid 1h;
	}
}
EOT
"$NGINX" -p "$T/nginx" -c "$T/nginx/nginx.conf" 2>"$T/nginx/stderr" &
NGINX_PID=$!
N=http://127.0.0.1:$NGINX_PORT
C=http://127.0.0.1:$NGINX_PORT2
wait_for 50 curl -sf --max-time 2 -o /dev/null "$N/feed.atom" ||
    fail "nginx did not start: $(cat "$T/nginx/stderr")"
curl -sf --max-time 5 -o "$T/nginx.body" "$N/feed.atom"
cmp -s "$T/nginx.body" "$T/www/feed.atom" ||
    fail "nginx and the daemon do not serve the same bytes"

etag()
{
	curl -sf --max-time 5 -D - -o /dev/null "$1" |
	    sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' | tr -d '\r'
}
DETAG=$(etag "$D/feed.atom")
NETAG=$(etag "$N/feed.atom")
CETAG=$(etag "$C/feed.atom")
[ -n "$DETAG" ] && [ -n "$NETAG" ] && [ -n "$CETAG" ] || fail "no ETag"
for u in "$D/feed.atom $DETAG" "$N/feed.atom $NETAG" \
    "$C/feed.atom $CETAG"; do
	set -- $u
	code=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' \
	    -H "If-None-Match: $2" "$1")
	[ "$code" = 304 ] || fail "$1 answers $code to If-None-Match"
done

# rps URL [HEADER]: wrk's requests per second (0 on any error).
rps()
{
	if [ -n "$2" ]; then
		wrk $SERVE_WRK -H "$2" "$1" >"$T/wrk.out" 2>&1
	else
		wrk $SERVE_WRK "$1" >"$T/wrk.out" 2>&1
	fi
	if grep -q 'Non-2xx\|Socket errors' "$T/wrk.out" &&
	    [ -z "$2" ]; then
		sed 's/^/serve: wrk: /' "$T/wrk.out" >&2
		echo 0
		return
	fi
	sed -n 's/^Requests\/sec: *//p' "$T/wrk.out"
}

# median V...: the middle value.
median()
{
	printf '%s\n' "$@" | sort -g | sed -n "$((($# + 1) / 2))p"
}

d200= n200= c200= d304= n304= c304=
r=0
while [ "$r" -lt "$SERVE_ROUNDS" ]; do
	d200="$d200 $(rps "$D/feed.atom")"
	n200="$n200 $(rps "$N/feed.atom")"
	c200="$c200 $(rps "$C/feed.atom")"
	d304="$d304 $(rps "$D/feed.atom" "If-None-Match: $DETAG")"
	n304="$n304 $(rps "$N/feed.atom" "If-None-Match: $NETAG")"
	c304="$c304 $(rps "$C/feed.atom" "If-None-Match: $CETAG")"
	r=$((r + 1))
done

kill -0 "$DAEMON_PID" 2>/dev/null || fail "the daemon died under load"

# report WHAT DAEMON-VALUES BASELINE-VALUES BASELINE-NAME [TARGET]
report()
{
	$PY -c 'import sys
w, d, n, name, t = sys.argv[1:]
d = float(d); n = float(n)
r = d / n if n > 0 else 0
print("serve: %s  %.0f req/s  (baseline %s %.0f req/s, ratio %.2f%s)" %
    (w, d, name, n, r, ", target " + t if t else ""))' \
	    "$1" "$(median $2)" "$(median $3)" "$4" "$5"
	echo "serve:   (rounds: daemon$2; $4$3)"
}
echo "serve: /feed.atom is $size bytes, 50 entries; wrk $SERVE_WRK," \
    "median of $SERVE_ROUNDS rounds; $(nproc) cores shared by wrk and" \
    "the servers"
report "GET /feed.atom 200" "$d200" "$n200" nginx $TARGET
report "GET /feed.atom 304" "$d304" "$n304" nginx $TARGET
report "GET /feed.atom 200" "$d200" "$c200" nginx+open_file_cache
report "GET /feed.atom 304" "$d304" "$c304" nginx+open_file_cache
exit 0
