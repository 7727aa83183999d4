#!/bin/sh
# bench/poll: 10,000 feed URLs on a local nginx (1,000 distinct RSS files
# of about 11 KB, each behind 10 URLs, with ETag and Last-Modified):
#  (a) lib/fetch alone (bench/poll_fetch) fetching all 10,000, bodies
#      discarded, against curl --parallel --parallel-max 32 on the same
#      URLs (best of 3 runs each, interleaved);
#  (b) feedmuxd's first full cycle (fetch, parse, store), split by stage
#      from its "cycle:" log line, against the store's own ingest time
#      for the same documents (bench/poll_store: the same feeds in a
#      fresh database, one store_put each; the mean of a run before and
#      a run after the daemon's cycle);
#  (c) its second cycle (SIGUSR1), all 304, against curl --parallel
#      downloading the same URLs in full;
#  and the daemon's peak RSS (VmHWM) over both cycles.
# All 10,000 URLs are on one origin, 127.0.0.1:PORT: the bench
# configuration raises the per-host cap to the global one
# (max_per_host = 32, host_spacing = 0), as curl --parallel has none, and
# sets allow_private (the daemon refuses loopback otherwise).
#
# Needs: nginx (Debian package nginx-light or nginx), curl, python3.

set -u

top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
FETCH=$top_builddir/bench/poll_fetch
STORE=$top_builddir/bench/poll_store
FEEDMUXD=$top_builddir/daemon/feedmuxd
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
NFILES=1000
NURLS=10000

for p in "$FETCH" "$STORE" "$FEEDMUXD" "$NGINX"; do
	if [ ! -x "$p" ]; then
		echo "poll: skipped: $p is missing"
		exit 0
	fi
done
for p in curl python3; do
	if ! command -v $p >/dev/null 2>&1; then
		echo "poll: skipped: $p is missing"
		exit 0
	fi
done

T=$(mktemp -d "${TMPDIR:-/tmp}/poll.XXXXXX") || exit 1
# nginx's worker drops root for nobody: it must read the files.
chmod 755 "$T"
NGINX_PID=
DAEMON_PID=
cleanup()
{
	[ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null &&
	    wait "$DAEMON_PID" 2>/dev/null
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null &&
	    wait "$NGINX_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

die()
{
	echo "poll: $*" >&2
	exit 1
}

free_port()
{
	python3 -c 'import socket; s = socket.socket(); \
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The feeds: 1,000 RSS files of 10 items, about 11 KB each.
python3 - "$T/www" $NFILES <<'EOF' || die "cannot write the feeds"
import os, random, sys
out, n = sys.argv[1], int(sys.argv[2])
random.seed(42)
words = ("the market report council river budget station rail talks envoy "
         "summit weather harbour school vote city plan study court trade "
         "energy price wind storm bridge museum festival team season").split()
os.makedirs(out)
for i in range(n):
    items = []
    for j in range(10):
        title = " ".join(random.choice(words) for _ in range(6)).capitalize()
        body = " ".join(random.choice(words) for _ in range(120))
        items.append(
            "<item><title>%s</title>"
            "<link>http://news.example/%d/story-%d.html</link>"
            "<guid isPermaLink=\"false\">feed-%d-item-%d</guid>"
            "<pubDate>Mon, %02d Nov 2026 %02d:%02d:00 GMT</pubDate>"
            "<author>desk@news.example (Desk %d)</author>"
            "<description>&lt;p&gt;%s.&lt;/p&gt;</description></item>\n"
            % (title, i, j, i, j, 1 + (i * 10 + j) % 28, j, i % 60, i % 7,
               body))
    with open(os.path.join(out, "%03d.xml" % i), "w") as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n'
                '<rss version="2.0"><channel><title>Feed %d</title>'
                '<link>http://news.example/%d/</link>'
                '<description>Bench feed %d</description>\n%s'
                '</channel></rss>\n' % (i, i, i, "".join(items)))
EOF

# nginx on 127.0.0.1: /f/NNNNN.xml is the file of its last three digits.
PORT=$(free_port)
mkdir "$T/nginx" "$T/nginx/tmp"
cat >"$T/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $T/nginx/tmp;
	proxy_temp_path $T/nginx/tmp;
	fastcgi_temp_path $T/nginx/tmp;
	uwsgi_temp_path $T/nginx/tmp;
	scgi_temp_path $T/nginx/tmp;
	types { application/rss+xml xml; }
	keepalive_requests 100000;
	server {
		listen 127.0.0.1:$PORT;
		root $T/www;
		location /f/ {
			rewrite "^/f/\\d\\d(\\d\\d\\d)\\.xml\$" /\$1.xml last;
			return 404;
		}
	}
}
EOF
"$NGINX" -p "$T/nginx" -e "$T/nginx/error.log" -c "$T/nginx/nginx.conf" &
NGINX_PID=$!
i=0
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/f/00000.xml"; do
	i=$((i + 1))
	[ $i -lt 100 ] || die "nginx did not start: $(tail -3 "$T/nginx/error.log")"
	sleep 0.1
done

awk -v port=$PORT -v n=$NURLS 'BEGIN { for (i = 0; i < n; i++)
    printf "http://127.0.0.1:%d/f/%05d.xml\n", port, i }' >"$T/urls.txt"
sed 's/.*/url = "&"\noutput = "\/dev\/null"/' "$T/urls.txt" >"$T/curl.cfg"

# Arithmetic on seconds, in awk.
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
elapsed() { calc "$2 - $1"; }
min() { calc "$1 < $2 ? $1 : $2"; }
ratio() { awk "BEGIN { printf \"%.2f\", $1 / $2 }"; }
fmt() { awk "BEGIN { printf \"%.3f\", $1 }"; }

curl_run()
{
	t0=$(now)
	curl -s --parallel --parallel-max 32 -K "$T/curl.cfg" \
	    >/dev/null 2>&1 || die "curl --parallel failed"
	elapsed "$t0" "$(now)"
}

# (a) lib/fetch alone against curl --parallel, best of 3 each.
curl_best=
fetch_best=
fetch_line=
for run in 1 2 3; do
	c=$(curl_run)
	line=$("$FETCH" "$T/urls.txt" 32) || die "poll_fetch failed: $line"
	f=$(echo "$line" | sed 's/.*wall=\([0-9.]*\).*/\1/')
	curl_best=${curl_best:-$c}
	curl_best=$(min "$curl_best" "$c")
	if [ -z "$fetch_best" ] || [ "$(min "$fetch_best" "$f")" = "$f" ]; then
		fetch_best=$f
		fetch_line=$line
	fi
done
user=$(echo "$fetch_line" | sed 's/.*user=\([0-9.]*\).*/\1/')
sys=$(echo "$fetch_line" | sed 's/.*sys=\([0-9.]*\).*/\1/')
rss=$(echo "$fetch_line" | sed 's/.*maxrss_kb=\([0-9]*\).*/\1/')
echo "poll: (a) lib/fetch, $NURLS fetches, bodies discarded  $(fmt "$fetch_best") s  (baseline curl --parallel-max 32 $(fmt "$curl_best") s, ratio $(ratio "$curl_best" "$fetch_best")x as fast, target >= 1.0x)"
echo "poll: (a) lib/fetch CPU per fetch  $(awk "BEGIN { printf \"%.1f\", ($user + $sys) * 1000000 / $NURLS }") us, peak RSS $((rss / 1024)) MiB"

# The daemon's configuration: every URL a [feed].
LPORT=$(free_port)
{
	echo "[daemon]"
	echo "database = $T/feedmux.db"
	echo "listen = 127.0.0.1:$LPORT"
	echo "control = $T/control.sock"
	echo "allow_private = true"
	echo "max_connections = 32"
	echo "max_per_host = 32"
	echo "host_spacing = 0"
	echo "interval = 1h"
	echo "log_level = info"
	sed 's/.*/[feed "&"]/' "$T/urls.txt"
} >"$T/feedmux.conf"

store_run()
{
	rm -f "$T/store.db" "$T/store.db-wal" "$T/store.db-shm"
	"$STORE" "$T/feedmux.conf" "$T/store.db" "$T/www" ||
	    die "poll_store failed"
}

# (b) the store's ingest, the daemon's first cycle, the store again.
s1=$(store_run | sed 's/.*wall=\([0-9.]*\).*/\1/')

wait_cycles()
{
	i=0
	while [ "$(grep -c ' cycle: ' "$T/feedmuxd.log")" -lt "$1" ]; do
		kill -0 "$DAEMON_PID" 2>/dev/null || die "feedmuxd died: $(tail -5 "$T/feedmuxd.log")"
		i=$((i + 1))
		[ $i -lt 3000 ] || die "no cycle $1 in 300 s"
		sleep 0.1
	done
}
"$FEEDMUXD" -c "$T/feedmux.conf" >"$T/feedmuxd.log" 2>&1 &
DAEMON_PID=$!
wait_cycles 1
c1=$(grep ' cycle: ' "$T/feedmuxd.log" | sed -n 1p)

s2=$(store_run | sed 's/.*wall=\([0-9.]*\).*/\1/')
store=$(calc "($s1 + $s2) / 2")

# (c) every feed again: all 304.
kill -USR1 "$DAEMON_PID"
wait_cycles 2
c2=$(grep ' cycle: ' "$T/feedmuxd.log" | sed -n 2p)
hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/$DAEMON_PID/status)
kill "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
curl_best=$(min "$curl_best" "$(curl_run)")

w1=$(echo "$c1" | sed 's/.* feeds in \([0-9.]*\) s.*/\1/')
w2=$(echo "$c2" | sed 's/.* feeds in \([0-9.]*\) s.*/\1/')
echo "$c1" | grep -q "$NURLS fetched, 0 not modified, 0 failed" ||
    die "the first cycle was not $NURLS 200s: $c1"
echo "$c2" | grep -q "0 fetched, $NURLS not modified, 0 failed" ||
    die "the second cycle was not $NURLS 304s: $c2"

echo "poll: (b) feedmuxd first cycle, $NURLS feeds  $(fmt "$w1") s  (baseline store ingest $(fmt "$store") s [runs $(fmt "$s1"), $(fmt "$s2")], ratio $(ratio "$w1" "$store"), target <= 1.25)"
echo "poll: (b) split: $(echo "$c1" | sed 's/.*(\(fetch[^;]*\);.*/\1/')"
echo "poll: (c) feedmuxd second cycle, all 304  $(fmt "$w2") s  (baseline curl --parallel full downloads $(fmt "$curl_best") s, ratio $(ratio "$w2" "$curl_best"), target <= 1.0)"
echo "poll: (c) split: $(echo "$c2" | sed 's/.*(\(fetch[^;]*\);.*/\1/')"
echo "poll: feedmuxd peak RSS (VmHWM)  $((hwm / 1024)) MiB  (target < 64 MiB)"
