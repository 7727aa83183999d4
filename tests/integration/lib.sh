# Helpers for the integration tests: a temporary directory, a fixture
# HTTP server and the daemon on 127.0.0.1, TAP output. Source it with
#	. "$top_srcdir/tests/integration/lib.sh"
# Everything runs on loopback, bounded in time, and is cleaned up by trap.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
FEEDMUXD=$top_builddir/daemon/feedmuxd
FEEDMUX=$top_builddir/cli/feedmux
FEEDSRV=$top_builddir/tests/feedsrv
FIXTURES=$top_srcdir/tests/fixtures
PY=/usr/bin/python3

tap_n=0
tap_failed=0
T=
FEEDSRV_PID=
FEEDSRV_PORT=
DAEMON_PID=
DAEMON_PORT=

# ok COND-STATUS DESCRIPTION: record a check from the last exit status.
ok()
{
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

# is GOT WANT DESCRIPTION
is()
{
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		echo "# got:  '$1'"
		echo "# want: '$2'"
	fi
}

diag()
{
	echo "# $*"
}

# skip_all REASON: the whole script does not apply here.
skip_all()
{
	echo "1..0 # SKIP $*"
	exit 0
}

done_testing()
{
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
	exit $?
}

fm_cleanup()
{
	[ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null
	[ -n "$FEEDSRV_PID" ] && kill "$FEEDSRV_PID" 2>/dev/null
	wait 2>/dev/null
	[ -n "$T" ] && [ -z "$FM_KEEP" ] && rm -rf "$T"
}

# fm_setup: make $T and arrange for cleanup.
fm_setup()
{
	T=$(mktemp -d "${TMPDIR:-/tmp}/feedmux-test.XXXXXX") || exit 1
	trap fm_cleanup 0
	trap 'exit 1' 1 2 15
}

# fm_feedsrv DIR: serve DIR on 127.0.0.1 (a free port); sets FEEDSRV_PORT.
# Requests are logged one per line to $T/feedsrv.log:
#	METHOD PATH STATUS
fm_feedsrv()
{
	"$FEEDSRV" -d "$1" -l "$T/feedsrv.log" >"$T/feedsrv.out" 2>&1 &
	FEEDSRV_PID=$!
	fm_wait_for 50 grep -q '^port ' "$T/feedsrv.out" ||
	    { echo "Bail out! feedsrv did not start"; exit 1; }
	FEEDSRV_PORT=$(sed -n 's/^port //p' "$T/feedsrv.out")
}

# fm_free_port: print a TCP port free on 127.0.0.1 right now.
fm_free_port()
{
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# fm_config [EXTRA-DAEMON-LINES] < FEED-SECTIONS: write $T/feedmux.conf.
fm_config()
{
	DAEMON_PORT=$(fm_free_port)
	{
		echo "[daemon]"
		echo "database = $T/feedmux.db"
		echo "listen = 127.0.0.1:$DAEMON_PORT"
		echo "control = $T/control.sock"
		echo "title = Test Watch"
		echo "allow_private = true"
		echo "interval = 1h"
		echo "min_interval = 1s"
		[ -n "$1" ] && printf '%s\n' "$1"
		cat
	} >"$T/feedmux.conf"
}

# fm_daemon_start: run feedmuxd on $T/feedmux.conf until it answers.
fm_daemon_start()
{
	"$FEEDMUXD" -c "$T/feedmux.conf" -v >>"$T/feedmuxd.log" 2>&1 &
	DAEMON_PID=$!
	fm_wait_for 100 fm_get /healthz >/dev/null ||
	    { echo "Bail out! feedmuxd did not start"; cat "$T/feedmuxd.log" |
	    sed 's/^/# /'; exit 1; }
}

# fm_daemon_stop: SIGTERM and wait; the exit status goes to STOP_STATUS
# and stdout. Call it in the script's own shell, not in $(...): a subshell
# cannot wait for the daemon.
fm_daemon_stop()
{
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID"
	STOP_STATUS=$?
	echo $STOP_STATUS
	DAEMON_PID=
}

# fm_get PATH [CURL-ARGS...]: GET from the daemon, body on stdout.
fm_get()
{
	p=$1
	shift
	curl -sf --max-time 5 "$@" "http://127.0.0.1:$DAEMON_PORT$p"
}

# fm_wait_for TENTHS CMD...: retry CMD every 0.1 s, up to TENTHS times.
fm_wait_for()
{
	n=$1
	shift
	while [ "$n" -gt 0 ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# fm_cli ARGS...: the CLI on the test config.
fm_cli()
{
	"$FEEDMUX" -c "$T/feedmux.conf" "$@"
}
