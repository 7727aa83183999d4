#!/bin/sh
# make install into a temporary root: every file where it belongs, the
# manual pages readable with man, the unit passing systemd-analyze verify
# and rated OK by systemd-analyze security, and the installed daemon
# running from the installed configuration.

. "$top_srcdir/tests/integration/lib.sh"

fm_setup
root=$T/root
make -C "$top_builddir" install DESTDIR="$root" >"$T/install.log" 2>&1
ok $? "make install DESTDIR=... succeeds"
prefix=$(sed -n 's/^prefix = //p' "$top_builddir/Makefile")
sysconfdir=$(sed -n 's/^sysconfdir = //p' "$top_builddir/Makefile" |
    sed "s|\${prefix}|$prefix|")
unitdir=$(sed -n 's/^systemdsystemunitdir = //p' "$top_builddir/Makefile" |
    sed "s|\$(prefix)|$prefix|; s|\${prefix}|$prefix|")
p=$root$prefix

for f in sbin/feedmuxd bin/feedmux share/man/man1/feedmux.1 \
    share/man/man8/feedmuxd.8 share/man/man5/feedmux.conf.5 \
    share/bash-completion/completions/feedmux; do
	[ -f "$p/$f" ]
	ok $? "installed $f"
done
conf=$root$sysconfdir/feedmux/feedmux.conf
[ -f "$conf" ]
ok $? "installed the example configuration under sysconfdir/feedmux"
unit=$root$unitdir/feedmux.service
[ -f "$unit" ]
ok $? "installed the systemd unit"
grep -q "^ExecStart=$prefix/sbin/feedmuxd -c $sysconfdir/feedmux/feedmux.conf" \
    "$unit"
ok $? "the unit starts the installed daemon on the installed config"

# man shows each page.
for page in 1:feedmux 8:feedmuxd 5:feedmux.conf; do
	s=${page%%:*}
	n=${page#*:}
	MANPATH=$p/share/man MANWIDTH=80 man "$s" "$n" 2>/dev/null |
	    grep -q "^NAME" 
	ok $? "man $s $n shows the page"
done

# The unit, checked as systemd would.
if command -v systemd-analyze >/dev/null 2>&1; then
	sed "s|$prefix/sbin/feedmuxd|$p/sbin/feedmuxd|" "$unit" \
	    >"$T/feedmux.service"
	MANPATH=$p/share/man systemd-analyze verify "$T/feedmux.service" \
	    >"$T/verify.out" 2>&1
	ok $? "systemd-analyze verify accepts the unit"
	sed 's/^/# /' "$T/verify.out"
	score=$(systemd-analyze security --offline=yes "$T/feedmux.service" \
	    2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	diag "systemd-analyze security: $score"
	awk -v s="$score" 'BEGIN { exit !(s != "" && s + 0 <= 2.0) }'
	ok $? "systemd-analyze security rates the unit 2.0 or lower ($score)"
else
	diag "systemd-analyze not found: unit checks not run"
fi

# The installed daemon, on the installed configuration with the paths a
# user would set for this machine.
fm_config </dev/null
sed -e "s|^database = .*|database = $T/feedmux.db|" \
    -e "s|^listen = [^ ]*|listen = 127.0.0.1:$DAEMON_PORT|" \
    -e "s|^control = .*|control = $T/control.sock|" "$conf" \
    >"$T/feedmux.conf"
"$p/bin/feedmux" -c "$T/feedmux.conf" check-config >/dev/null
ok $? "the installed feedmux accepts the installed configuration"
FEEDMUXD=$p/sbin/feedmuxd
fm_daemon_start
ok 0 "the installed feedmuxd starts and answers /healthz"
fm_daemon_stop >/dev/null
is "$STOP_STATUS" 0 "the installed feedmuxd stops with status 0"

done_testing
