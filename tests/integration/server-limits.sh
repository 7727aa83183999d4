#!/bin/sh
# The publisher's HTTP server against hostile clients, on the real daemon:
# more slowloris connections than its connection limit, each sending its
# headers a byte at a time and never finishing; an idle connection; an
# oversized header, a body on GET, a huge URI, garbage and malformed
# request lines. All the while /feed.atom and /healthz answer promptly,
# the slow connections are closed within the request timeout, no
# descriptor leaks, and the daemon stops cleanly at the end.
# The limits are the configured ones (http_request_timeout,
# http_max_connections, http_max_header_size), set below the defaults
# (10 s, 512, 16K) so that the checks fail if the keys were ignored.

. "$top_srcdir/tests/integration/lib.sh"

# The daemon runs with 512 descriptors, so it would keep 512 -
# SERVER_FD_RESERVE (128) connections; http_max_connections is lower.
REQUEST_TIMEOUT=3
DAEMON_FDS=512
MAX_CONNS=100
MAX_HEADER=8K
SLOW=600

fm_setup
mkdir "$T/feeds"
cp "$FIXTURES"/pipeline/* "$T/feeds/"
fm_feedsrv "$T/feeds"
fm_config "http_request_timeout = ${REQUEST_TIMEOUT}s
http_max_connections = $MAX_CONNS
http_max_header_size = $MAX_HEADER
http_idle_timeout = 20s" <<EOT
[feed "http://127.0.0.1:$FEEDSRV_PORT/alpha.rss"]
[feed "http://127.0.0.1:$FEEDSRV_PORT/beta.atom"]
EOT
# A descriptor limit the slow clients exceed: without a connection limit
# accept(2) would fail and nobody else would be served.
ulimit -Sn $DAEMON_FDS || skip_all "cannot set the descriptor limit"
fm_daemon_start
ulimit -Sn 4096 2>/dev/null || ulimit -Sn "$(ulimit -Hn)"
count_entries()
{
	[ "$(fm_get /feed.atom | grep -c "<entry")" -eq 5 ]
}
fm_wait_for 100 count_entries
ok $? "the daemon publishes the fixture entries"

[ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((SLOW + 64)) ] &&
    SLOW=$(($(ulimit -n) - 64))
fds_before=$(ls /proc/$DAEMON_PID/fd 2>/dev/null | wc -l)

# The hostile clients, bounded in time.
cat >"$T/hostile.py" <<'EOT'
import selectors, socket, sys, time

port = int(sys.argv[1])
mode = sys.argv[2]

def connect():
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    return s

if mode == "slow":
    # slow N LIMIT: N connections trickling headers one byte at a time;
    # print when each was closed by the server.
    n, limit = int(sys.argv[3]), float(sys.argv[4])
    head = b"GET /feed.atom HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    more = b"X-Slow: a\r\n"
    sel = selectors.DefaultSelector()
    conns = {}
    refused = 0
    for i in range(n):
        try:
            s = connect()
        except OSError:
            refused += 1
            continue
        s.setblocking(False)
        conns[s] = [time.monotonic(), 0, None]
        sel.register(s, selectors.EVENT_READ)
    print("opened", len(conns), "refused", refused, flush=True)
    start = time.monotonic()
    answered = 0
    def closed(s, st):
        st[2] = time.monotonic()
        sel.unregister(s)
        s.close()
    while time.monotonic() - start < limit:
        live = [s for s, st in conns.items() if st[2] is None]
        if not live:
            break
        for key, ev in sel.select(timeout=0.5):
            s = key.fileobj
            st = conns[s]
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if data:
                answered += 1
            else:
                closed(s, st)
        for s, st in conns.items():
            if st[2] is not None:
                continue
            buf = head + more * 1000
            try:
                s.send(buf[st[1]:st[1] + 1])
                st[1] += 1
            except BlockingIOError:
                pass
            except OSError:
                closed(s, st)
    lives = [st[2] - st[0] for st in conns.values() if st[2] is not None]
    print("closed", len(lives), "open", len(conns) - len(lives),
        "answered", answered,
        "max_seconds %.1f" % (max(lives) if lives else -1), flush=True)
    sys.exit(0)

# raw NAME: send one hostile request, print what came back within 5 s:
# the status code, or "closed" if the server closed without an answer.
reqs = {
    "bigheader": b"GET /feed.atom HTTP/1.1\r\nHost: x\r\nX-Big: " +
        b"a" * 70000 + b"\r\n\r\n",
    # Over http_max_header_size = 8K, under the default 16K.
    "midheader": b"GET /feed.atom HTTP/1.1\r\nHost: x\r\nX-Mid: " +
        b"a" * 10000 + b"\r\n\r\n",
    "manyheaders": b"GET /feed.atom HTTP/1.1\r\nHost: x\r\n" +
        b"".join(b"X-H%d: v\r\n" % i for i in range(5000)) + b"\r\n",
    "body": b"GET /feed.atom HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n"
        b"\r\n" + b"b" * 100000,
    "post": b"POST /feed.atom HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
        b"\r\nabc",
    "hugeuri": b"GET /" + b"a" * 65536 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    "hugequery": b"GET /feed.atom?limit=" + b"9" * 65536 +
        b" HTTP/1.1\r\nHost: x\r\n\r\n",
    "garbage": bytes(range(256)) * 8 + b"\r\n\r\n",
    "binaryline": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
    "noversion": b"GET /feed.atom\r\n\r\n",
    "badversion": b"GET /feed.atom HTTP/9.7\r\nHost: x\r\n\r\n",
    "nomethod": b" / HTTP/1.1\r\nHost: x\r\n\r\n",
    "badheader": b"GET /feed.atom HTTP/1.1\r\nHost x\r\n: y\r\n\r\n",
    "negcl": b"GET /feed.atom HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n"
        b"\r\n",
    "dupcl": b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
        b"Content-Length: 5\r\n\r\nabcde",
    "badchunk": b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked"
        b"\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
    "nul": b"GET /feed.atom\x00/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
}
name = sys.argv[3]
s = connect()
s.settimeout(5)
try:
    s.sendall(reqs[name])
except OSError:
    pass
data = b""
try:
    while len(data) < 12:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
except socket.timeout:
    print("timeout")
    sys.exit(0)
except OSError:
    pass
if data.startswith(b"HTTP/1.") and len(data) >= 12:
    print(data[9:12].decode())
else:
    print("closed")
EOT
hostile()
{
	$PY "$T/hostile.py" "$DAEMON_PORT" "$@"
}

# HOSTILE-63: more slow connections than the server keeps.
$PY -u "$T/hostile.py" "$DAEMON_PORT" slow $SLOW \
    $((REQUEST_TIMEOUT + 12)) >"$T/slow.out" 2>&1 &
SLOW_PID=$!
trap 'kill $SLOW_PID 2>/dev/null; fm_cleanup' 0
fm_wait_for 200 grep -q '^opened' "$T/slow.out"
ok $? "the slow clients connected"
diag "$(head -1 "$T/slow.out")"
slow_start=$(date +%s)

# An idle connection that sends nothing at all.
$PY - "$DAEMON_PORT" >"$T/idle.out" 2>&1 <<'EOT' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
t0 = time.monotonic()
s.settimeout(30)
try:
    s.recv(1)
except OSError:
    pass
print("%.1f" % (time.monotonic() - t0))
EOT
IDLE_PID=$!

# Meanwhile, well-behaved clients are served promptly. HOSTILE-63
prompt()
{
	curl -s -o "$T/prompt.out" -w '%{http_code} %{time_total}\n' \
	    --max-time 3 "http://127.0.0.1:$DAEMON_PORT$1"
}
slow_ok=0
i=0
while [ $i -lt 5 ]; do
	for p in /feed.atom /healthz; do
		r=$(prompt $p)
		set -- $r
		if [ "$1" != 200 ] ||
		    ! $PY -c "import sys; sys.exit(float('$2') > 2.0)"; then
			diag "$p during slowloris: $r"
			slow_ok=1
		fi
	done
	sleep 0.5
	i=$((i + 1))
done
ok $slow_ok "/feed.atom and /healthz answer 200 within 2 s during slowloris"

# Oversized and malformed requests: a 4xx or a closed connection, within
# the client's 5 s, never a hang or a 200 for what is not a request.
# HOSTILE-64: a huge header, too many headers, a body on GET, POST.
for c in bigheader:4 midheader:4 manyheaders:4 body:4 post:4 \
    hugeuri:4 hugequery:4 garbage:4 binaryline:4 noversion:4 \
    badversion:4 nomethod:4 badheader:4 negcl:4 dupcl:4 badchunk:4 \
    nul:4; do
	name=${c%%:*}
	want=${c#*:}
	got=$(hostile raw "$name")
	case $got in
	$want*|closed)	rc=0 ;;
	*)		rc=1 ;;
	esac
	case $name in
	bigheader|midheader|manyheaders|body|post) tag=HOSTILE-64 ;;
	hugeuri|hugequery|nul) tag=HOSTILE-65 ;;
	*) tag=HOSTILE-66 ;;
	esac
	ok $rc "$tag: $name is refused ($got)"
done
r=$(prompt /healthz)
is "${r%% *}" 200 "/healthz still answers after the malformed requests"
r=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
    -H "X-Mid: $(printf '%07000d' 0)" "http://127.0.0.1:$DAEMON_PORT/healthz")
is "$r" 200 "a 7 KB header, under http_max_header_size, is served"

# The slow clients are closed within the request timeout (and the ones
# over the limit sooner); none is ever answered with a document.
wait $SLOW_PID
SLOW_PID=
diag "$(tail -1 "$T/slow.out")"
set -- $(tail -1 "$T/slow.out")
is "$4" 0 "every slow connection was closed by the server"
$PY -c "import sys; sys.exit(float('${8:-99}') > $REQUEST_TIMEOUT + 3)"
ok $? "each within ${REQUEST_TIMEOUT} s (+3) of connecting (max $8 s)"
wait $IDLE_PID
idle=$(cat "$T/idle.out")
$PY -c "import sys; sys.exit(not ($REQUEST_TIMEOUT - 1 <= float('$idle') <= $REQUEST_TIMEOUT + 3))"
ok $? "an idle connection is closed after ${REQUEST_TIMEOUT} s ($idle s)"

fm_get /metrics >"$T/metrics"
n=$(sed -n 's/^feedmux_http_connections \([0-9]*\)$/\1/p' "$T/metrics")
is "$n" 1 "/metrics counts one connection open: its own"
n=$(sed -n 's/^feedmux_http_connections_closed_total{reason="limit"} //p' \
    "$T/metrics")
[ "${n:-0}" -ge $((SLOW - MAX_CONNS)) ] || [ "$SLOW" -le "$MAX_CONNS" ]
ok $? "the connections over the limit were closed ($n)"
n=$(sed -n 's/^feedmux_http_connections_closed_total{reason="request_timeout"} //p' \
    "$T/metrics")
[ "${n:-0}" -ge 1 ]
ok $? "the rest timed out waiting for a request ($n)"

sleep 0.5
fds_after=$(ls /proc/$DAEMON_PID/fd 2>/dev/null | wc -l)
[ "$fds_after" -le $((fds_before + 2)) ]
ok $? "no descriptor leaked ($fds_before before, $fds_after after)"

kill -0 "$DAEMON_PID"
ok $? "the daemon is still running"
fm_daemon_stop >/dev/null
is "$STOP_STATUS" 0 "SIGTERM ends the daemon with status 0"

done_testing
