#!/bin/sh
# feedmuxd under its real unit, with systemd as PID 1 in a container.
#
# Not part of `make check`: it needs root, debootstrap, systemd-nspawn
# and a Debian mirror. It builds the tree out of tree, installs it into
# a fresh Debian root (debootstrap --variant=minbase), boots that root
# with systemd-nspawn (its own network namespace: only lo), serves a
# fixture feed from inside the container, and checks the unit as systemd
# runs it: Type=notify start, STATUS=, the journal, the published feed,
# reload, the watchdog, the state directory, systemd-analyze security and
# a clean stop. Everything it starts is stopped on exit; everything it
# made is removed (FM_KEEP=1 keeps the work directory).
#
# Usage, as root:  tests/systemd/run-under-systemd.sh
# Environment:
#   FM_BASE=DIR        a debootstrapped root to copy instead of running
#                      debootstrap (saves ~4 minutes; it is not modified)
#   FM_MIRROR=URL      the Debian mirror (default: the one apt uses)
#   FM_SUITE=NAME      the Debian suite (default: bookworm)
#   FM_WATCHDOG_WAIT=S seconds to watch for a watchdog kill (default:
#                      2 x WatchdogSec of the unit + 10)
#   FM_KEEP=1          keep the work directory (the root, the build, logs)
#   FM_WORK=DIR        the work directory (default: mktemp under /tmp)
#   FM_INSTALL_TOOLS=1 apt-get install debootstrap systemd-container
#                      if they are missing
# Exit status: 0 when every check passed, 1 if one failed, 2 if it could
# not run at all.

set -u

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
SUITE=${FM_SUITE:-bookworm}
PKGS=systemd,systemd-sysv,dbus,libevent-2.1-7,libcurl4,libxml2,libsqlite3-0
PKGS=$PKGS,libinih1,libjansson4,libsystemd0,curl,python3
# procps: /bin/kill for the unit's ExecReload (priority important, so on
# every regular Debian system, but not in a minbase root).
PKGS=$PKGS,procps
PORT=8080		# feedmux's listener, inside the container's netns
FEEDPORT=8081		# the fixture server, inside the container's netns

NSPAWN_PID=
LEADER=
CG=
MACHINE=fm-$$
made_nspawn_dir=0
checks=0
failed=0

log()
{
	printf '# %s\n' "$*"
}

die()
{
	printf 'Bail out! %s\n' "$*"
	exit 2
}

ok()
{
	checks=$((checks + 1))
	if [ "$1" -eq 0 ]; then
		printf 'ok %d - %s\n' "$checks" "$2"
	else
		failed=$((failed + 1))
		printf 'not ok %d - %s\n' "$checks" "$2"
	fi
}

# Show a command's output as diagnostics.
show()
{
	sed 's/^/#   /'
}

# Run a command inside the booted container (all its namespaces, its root).
ct()
{
	nsenter -t "$LEADER" -m -u -i -n -p -C -- \
	    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb \
	    SYSTEMD_PAGER=cat SYSTEMD_COLORS=0 LC_ALL=C.UTF-8 "$@"
}

prop()
{
	ct systemctl show -P "$1" "$2"
}

wait_for()
{
	_n=$1
	shift
	while [ "$_n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
		_n=$((_n - 1))
	done
	return 1
}

cleanup()
{
	set +e
	if [ -n "$NSPAWN_PID" ] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
		log "halting the container"
		# SIGTERM makes systemd-nspawn ask the container to halt.
		kill -TERM "$NSPAWN_PID" 2>/dev/null
		n=0
		while kill -0 "$NSPAWN_PID" 2>/dev/null && [ $n -lt 150 ]; do
			sleep 0.2
			n=$((n + 1))
		done
		if kill -0 "$NSPAWN_PID" 2>/dev/null; then
			log "container did not halt within 30 s: SIGKILL"
			[ -n "$LEADER" ] && kill -KILL "$LEADER" 2>/dev/null
			kill -KILL "$NSPAWN_PID" 2>/dev/null
			sleep 1
		fi
	fi
	# The cgroups systemd-nspawn made under ours, deepest first.
	if [ -n "$CG" ]; then
		for h in systemd unified; do
			d=/sys/fs/cgroup/$h/$CG
			[ -d "$d" ] || continue
			find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
			[ -d "$d" ] && log "could not remove cgroup $d"
		done
	fi
	rm -rf "/run/systemd/nspawn/propagate/$MACHINE"
	if [ "$made_nspawn_dir" = 1 ]; then
		rmdir /run/systemd/nspawn/propagate /run/systemd/nspawn/locks \
		    /run/systemd/nspawn 2>/dev/null
	fi
	if [ -n "${WORK:-}" ] && [ -d "$WORK" ]; then
		if grep -q " $WORK/" /proc/mounts; then
			log "mounts left under $WORK: not removing it"
		elif [ "${FM_KEEP:-0}" = 1 ]; then
			log "kept $WORK"
		else
			rm -rf "$WORK"
		fi
	fi
}

[ "$(id -u)" = 0 ] || die "must run as root"
if ! command -v debootstrap >/dev/null || ! command -v systemd-nspawn >/dev/null
then
	[ "${FM_INSTALL_TOOLS:-0}" = 1 ] ||
	    die "needs debootstrap and systemd-nspawn (apt-get install" \
	    "debootstrap systemd-container, or FM_INSTALL_TOOLS=1)"
	apt-get install -y debootstrap systemd-container >/dev/null ||
	    die "apt-get install debootstrap systemd-container failed"
fi
for c in nsenter curl python3 make; do
	command -v $c >/dev/null || die "needs $c"
done
if [ -z "${FM_MIRROR:-}" ]; then
	FM_MIRROR=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' \
	    /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security |
	    head -1)
	[ -n "$FM_MIRROR" ] || FM_MIRROR=$(sed -n \
	    's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) .*/\2/p' \
	    /etc/apt/sources.list 2>/dev/null | grep -v security | head -1)
	[ -n "$FM_MIRROR" ] || FM_MIRROR=http://deb.debian.org/debian
fi

[ -d /run/systemd/nspawn ] || made_nspawn_dir=1
trap cleanup EXIT
trap 'exit 2' HUP INT TERM
WORK=${FM_WORK:-$(mktemp -d /tmp/fm-systemd.XXXXXX)}
mkdir -p "$WORK" || die "cannot make $WORK"
ROOT=$WORK/$MACHINE
log "work directory $WORK, machine $MACHINE"

# 1. The root file system.
if [ -n "${FM_BASE:-}" ]; then
	[ -x "$FM_BASE/usr/bin/systemctl" ] || die "FM_BASE=$FM_BASE: no systemd"
	log "copying $FM_BASE"
	cp -a "$FM_BASE" "$ROOT" || die "cp -a $FM_BASE failed"
else
	log "debootstrap $SUITE from $FM_MIRROR (a few minutes)"
	debootstrap --variant=minbase --include="$PKGS" "$SUITE" "$ROOT" \
	    "$FM_MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
	    { tail -20 "$WORK/debootstrap.log"; die "debootstrap failed"; }
fi
if [ ! -x "$ROOT/bin/kill" ]; then
	log "no /bin/kill in the root: installing procps into it"
	chroot "$ROOT" apt-get install -y procps >"$WORK/procps.log" 2>&1 ||
	    die "apt-get install procps in the root failed"
fi
# A fresh identity for this boot, and no leftovers from a copied root.
rm -f "$ROOT/etc/machine-id"
: >"$ROOT/etc/machine-id"
rm -rf "$ROOT/var/lib/private/feedmux" "$ROOT/var/lib/feedmux" \
    "$ROOT/var/log/journal"/*

# 2. feedmux, built out of tree and installed as a package would.
log "building $srcdir"
mkdir -p "$WORK/build"
(cd "$WORK/build" && "$srcdir/configure" --prefix=/usr --sysconfdir=/etc \
    --localstatedir=/var --with-systemdsystemunitdir=/lib/systemd/system \
    >configure.log 2>&1) || die "configure failed (see $WORK/build)"
grep -q '^#define HAVE_SYSTEMD 1' "$WORK/build/config.h" ||
    die "configure did not find libsystemd (apt-get install libsystemd-dev)"
make -C "$WORK/build" -j2 >"$WORK/build/make.log" 2>&1 ||
    { tail -20 "$WORK/build/make.log"; die "make failed"; }
make -C "$WORK/build" install DESTDIR="$ROOT" >"$WORK/build/install.log" 2>&1 ||
    { tail -20 "$WORK/build/install.log"; die "make install failed"; }
UNIT=$ROOT/lib/systemd/system/feedmux.service
[ -f "$UNIT" ] || die "the unit was not installed at /lib/systemd/system"
ok 0 "built and installed into the container root"

# 3. A feed served from inside the container, and a config naming it.
mkdir -p "$ROOT/srv/feeds"
cp "$srcdir/tests/fixtures/rss20-full.xml" "$ROOT/srv/feeds/world.rss"
cp "$srcdir/tests/fixtures/pipeline/alpha.rss" "$ROOT/srv/feeds/alpha.rss"
cat >"$ROOT/etc/systemd/system/fm-feedsrv.service" <<EOT
[Unit]
Description=fixture feeds for the feedmux test

[Service]
ExecStart=/usr/bin/python3 -u -m http.server $FEEDPORT --bind 127.0.0.1 --directory /srv/feeds
EOT
CONF=$ROOT/etc/feedmux/feedmux.conf
sed -i -e "s|^listen = [^ ]*|listen = 127.0.0.1:$PORT|" "$CONF"
cat >>"$CONF" <<EOT

[feed "http://127.0.0.1:$FEEDPORT/world.rss"]
label = World
allow_private = true
EOT
cp "$CONF" "$WORK/feedmux.conf.orig"
WATCHDOG_SEC=$(sed -n 's/^WatchdogSec=\([0-9]*\)s$/\1/p' "$UNIT")
[ -n "$WATCHDOG_SEC" ] || WATCHDOG_SEC=60

# 4. Boot. systemd-nspawn runs inside a cgroup of its own (the host may
# have no systemd to give it a scope), with --keep-unit and --register=no
# since there is no system bus or machined on the host.
CG=feedmux-test-$$
for h in systemd unified; do
	[ -d /sys/fs/cgroup/$h ] && mkdir -p /sys/fs/cgroup/$h/$CG
done
log "booting: systemd-nspawn -D $ROOT -M $MACHINE --register=no" \
    "--keep-unit --private-network -b --console=pipe"
(
	for h in systemd unified; do
		# 0: the writer, this subshell (echo is a builtin).
		[ -d /sys/fs/cgroup/$h/$CG ] &&
		    echo 0 >/sys/fs/cgroup/$h/$CG/cgroup.procs
	done
	exec systemd-nspawn -D "$ROOT" -M "$MACHINE" --register=no \
	    --keep-unit --private-network -b --console=pipe
) </dev/null >"$WORK/console.log" 2>&1 &
NSPAWN_PID=$!
leader()
{
	LEADER=$(pgrep -P "$NSPAWN_PID" | head -1)
	[ -n "$LEADER" ] && [ "$(cat /proc/$LEADER/comm 2>/dev/null)" = systemd ]
}
wait_for 150 leader ||
    { cat "$WORK/console.log"; die "the container's systemd did not start"; }
booted()
{
	s=$(ct systemctl is-system-running 2>/dev/null)
	[ "$s" = running ] || [ "$s" = degraded ]
}
wait_for 300 booted
ok $? "systemd boots as PID 1 of the container\
 ($(ct systemctl is-system-running 2>&1))"
ct systemctl --failed --no-legend | show
ct systemctl start fm-feedsrv.service
wait_for 50 ct curl -fsS -o /dev/null "http://127.0.0.1:$FEEDPORT/world.rss"
ok $? "the fixture feed is served inside the container"

# 5. Start: Type=notify, so this returns once READY=1 has arrived.
ct systemd-analyze verify feedmux.service 2>&1 | show
t0=$(date +%s)
ct systemctl start feedmux.service
ok $? "systemctl start feedmux (Type=notify: returns on READY=1)"
ct systemctl show -p Type,ActiveState,SubState,StatusText,MainPID,NRestarts,WatchdogUSec,UID,GID,NotifyAccess feedmux | show
is_active()
{
	[ "$(prop ActiveState feedmux)" = active ] &&
	    [ "$(prop SubState feedmux)" = running ]
}
is_active
ok $? "ActiveState=active SubState=running"
MAINPID=$(prop MainPID feedmux)
[ "${MAINPID:-0}" -gt 0 ] && [ "$(ct cat /proc/$MAINPID/comm)" = feedmuxd ]
ok $? "MainPID $MAINPID is feedmuxd"
polled()
{
	prop StatusText feedmux | grep -q 'last poll: World, ok'
}
wait_for 150 polled
ok $? "StatusText from STATUS= names the poll: $(prop StatusText feedmux)"

# 6. The published feed.
ct curl -fsS "http://127.0.0.1:$PORT/feed.atom" >"$WORK/feed.atom"
ok $? "GET /feed.atom answers"
n=$(grep -c '<entry>' "$WORK/feed.atom")
want=$(grep -c '<item>' "$ROOT/srv/feeds/world.rss")
[ "$n" -eq "$want" ]
ok $? "the feed has the $want entries of the fixture ($n)"
grep -o '<title[^>]*>[^<]*</title>' "$WORK/feed.atom" | head -4 | show
ct curl -fsS "http://127.0.0.1:$PORT/healthz" | show

# 7. Reload: a feed added; the main process and the listener stay.
cat >>"$CONF" <<EOT

[feed "http://127.0.0.1:$FEEDPORT/alpha.rss"]
label = Alpha
allow_private = true
EOT
reload=$(sed -n 's/^ExecReload=\([^ ]*\).*/\1/p' "$UNIT")
ct test -x "$reload"
ok $? "ExecReload's program $reload exists in the root"
ct systemctl reload feedmux.service
ok $? "systemctl reload feedmux"
reloaded()
{
	ct journalctl -u feedmux -o cat _COMM=feedmuxd | grep -q 'SIGHUP: reloading'
}
wait_for 50 reloaded
ok $? "the reload is logged"
alpha()
{
	ct journalctl -u fm-feedsrv -o cat | grep -q 'GET /alpha.rss'
}
wait_for 150 alpha
ok $? "the feed added by the reload is polled"
is_active && [ "$(prop MainPID feedmux)" = "$MAINPID" ]
ok $? "still active, same MainPID after the reload"
ct curl -fsS -o /dev/null "http://127.0.0.1:$PORT/feed.atom"
ok $? "the listener still answers after the reload"

# A broken config is refused with file:line (priority 3); the old runs.
cp "$CONF" "$WORK/feedmux.conf.good"
printf '[daemon]\nbogus_key = 1\n' >>"$CONF"
line=$(grep -n '^bogus_key' "$CONF" | cut -d: -f1)
ct systemctl reload feedmux.service
log "systemctl reload with a broken config: exit $? (ExecReload only sends SIGHUP)"
refused()
{
	ct journalctl -u feedmux -o cat -p err _COMM=feedmuxd |
	    grep -q "reload refused: /etc/feedmux/feedmux.conf:$line:"
}
wait_for 50 refused
ok $? "a broken config is refused, logged at priority err with file:line ($line)"
ct journalctl -u feedmux -o cat -p err _COMM=feedmuxd | show
is_active && [ "$(prop MainPID feedmux)" = "$MAINPID" ] &&
    ct curl -fsS -o /dev/null "http://127.0.0.1:$PORT/feed.atom"
ok $? "still active and serving on the old configuration"
cp "$WORK/feedmux.conf.good" "$CONF"

# 8. The journal: priorities from the <N> prefixes, no second timestamp.
ct journalctl -u feedmux -o short-iso --no-hostname | show
ct journalctl -u feedmux -o json _COMM=feedmuxd >"$WORK/journal.json"
python3 - "$WORK/journal.json" <<'EOT'
import json, re, sys
msgs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
bad = [m for m in msgs if re.match(
    r'(<\d>|\d{4}-\d\d-\d\d|[A-Z][a-z]{2} [ \d]\d \d\d:\d\d|feedmux)',
    m.get("MESSAGE", ""))]
prios = sorted({m.get("PRIORITY") for m in msgs})
print("# %d lines from feedmuxd, priorities %s, %d malformed" %
    (len(msgs), prios, len(bad)))
for m in bad:
	print("#   malformed: %r" % m["MESSAGE"])
sys.exit(0 if msgs and not bad and "6" in prios and "3" in prios else 1)
EOT
ok $? "journal lines carry PRIORITY (info and err seen) and no prefix, level\
 or doubled timestamp"
ct journalctl -u feedmux -p warning -o short-iso --no-hostname _COMM=feedmuxd | show

# 9. The watchdog: pings arrive, and no kill after 2 x WatchdogSec.
[ "$(prop WatchdogUSec feedmux)" = "${WATCHDOG_SEC}s" ] ||
    [ "$(prop WatchdogUSec feedmux)" = "$((WATCHDOG_SEC / 60))min" ]
ok $? "WatchdogUSec=$(prop WatchdogUSec feedmux) from the unit's WatchdogSec=${WATCHDOG_SEC}s"
w1=$(prop WatchdogTimestampMonotonic feedmux)
wait=${FM_WATCHDOG_WAIT:-$((2 * WATCHDOG_SEC + 10))}
left=$((t0 + wait - $(date +%s)))
# Long enough for one ping at least (the daemon pings every WatchdogSec/2).
[ $left -ge $((WATCHDOG_SEC / 2 + 5)) ] || left=$((WATCHDOG_SEC / 2 + 5))
wait=$(($(date +%s) + left - t0))
log "waiting $left s (until ${wait} s after the start) for a watchdog kill"
sleep $left
w2=$(prop WatchdogTimestampMonotonic feedmux)
[ -n "$w1" ] && [ -n "$w2" ] && [ "$w2" -gt "$w1" ]
ok $? "WATCHDOG=1 pings keep arriving (WatchdogTimestampMonotonic $w1 -> $w2)"
is_active && [ "$(prop MainPID feedmux)" = "$MAINPID" ] &&
    [ "$(prop NRestarts feedmux)" = 0 ]
ok $? "no watchdog kill after $wait s: active, same MainPID, NRestarts=0"
! ct journalctl -u feedmux -o cat | grep -qi 'watchdog timeout'
ok $? "the journal has no watchdog timeout"

# 10. The state directory belongs to the service's user.
uid=$(ct awk '/^Uid:/ { print $2 }' /proc/$MAINPID/status)
ct ls -la /var/lib/feedmux /var/lib/private/feedmux/ | show
owner=$(ct stat -L -c %u /var/lib/feedmux)
dbowner=$(ct stat -c %u /var/lib/feedmux/feedmux.db)
[ -n "$uid" ] && [ "$uid" != 0 ] && [ "$owner" = "$uid" ] &&
    [ "$dbowner" = "$uid" ]
ok $? "StateDirectory and the database belong to the service user\
 (uid $uid; dir $owner, db $dbowner)"
mode=$(ct stat -L -c %a /var/lib/feedmux)
[ "$mode" = 700 ]
ok $? "the state directory is mode 700 (StateDirectoryMode=0700): $mode"

# 11. systemd-analyze security on the running unit.
ct systemd-analyze security --no-pager feedmux.service >"$WORK/security.txt" 2>&1
grep -v '^  ✓' "$WORK/security.txt" | show
score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' \
    "$WORK/security.txt")
awk -v s="$score" 'BEGIN { exit !(s != "" && s + 0 <= 2.0) }'
ok $? "systemd-analyze security: $score (2.0 or lower)"

# 12. Stop: exit status 0. An inactive unit may be unloaded at once, so
# its ExecMain* properties are read from the manager's debug log line
# "Main process exited, code=..., status=..." instead.
ct systemd-analyze log-level debug
s0=$(date +%s%N)
ct systemctl stop feedmux.service
rc=$?
ms=$(( ($(date +%s%N) - s0) / 1000000 ))
ok $rc "systemctl stop feedmux (${ms} ms)"
sleep 0.5
ct systemd-analyze log-level info
ct journalctl -u feedmux -o cat _PID=1 --since "@$((s0 / 1000000000))" |
    grep -v '^Got \|^Received \|^Sent ' | show
ct journalctl -u feedmux -o cat _PID=1 --since "@$((s0 / 1000000000))" |
    grep -q 'Main process exited, code=exited, status=0/SUCCESS'
ok $? "the main process exited: code=exited, status=0/SUCCESS"
ct journalctl -u feedmux -o cat _PID=1 --since "@$((s0 / 1000000000))" |
    grep -q 'Deactivated successfully'
ok $? "Deactivated successfully (Result=success)"
[ "$(prop ActiveState feedmux)" = inactive ]
ok $? "ActiveState=inactive"
[ $ms -lt 5000 ]
ok $? "within 5 s"
ct systemctl status --no-pager -n 0 feedmux | show

printf '1..%d\n' "$checks"
if [ "$failed" -ne 0 ]; then
	printf '# %d of %d checks failed\n' "$failed" "$checks"
	exit 1
fi
printf '# all %d checks passed\n' "$checks"
exit 0
