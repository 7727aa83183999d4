#!/bin/sh
# Configuration files, good and broken: `feedmux check-config` and
# `feedmuxd -c` accept the good ones and reject each broken one with
# exit 1 and the exact FILE:LINE of the fault (HOSTILE-55).

. "$top_srcdir/tests/integration/lib.sh"

fm_setup

# daemon_head FILE [INTERVAL [LINE]]: a [daemon] section (valid unless
# INTERVAL or LINE make it wrong), to which a case appends.
daemon_head()
{
	{
		echo "; a test configuration"
		echo "[daemon]"
		echo "database = $T/feedmux.db"
		echo "listen = 127.0.0.1:1"
		echo "control = $T/control.sock"
		echo "title = Config Test"
		echo "interval = ${2:-30m}"
		[ -n "$3" ] && printf '%s\n' "$3"
		echo
	} >"$1"
}

# line_of FILE TEXT: the number of the first line of FILE holding TEXT.
line_of()
{
	grep -a -n -F -e "$2" "$1" | head -1 | cut -d: -f1
}

# nth_line_of FILE TEXT N: the number of the Nth line holding TEXT.
nth_line_of()
{
	grep -a -n -F -e "$2" "$1" | sed -n "$3p" | cut -d: -f1
}

# bad_config NAME FILE LINE: check-config rejects FILE with exit 1 and
# one line on stderr that starts with "feedmux: FILE:LINE:".
bad_config()
{
	"$FEEDMUX" -c "$2" check-config >"$T/out" 2>"$T/err"
	rc=$?
	is "$rc" 1 "$1: check-config exits 1"
	first=$(head -1 "$T/err")
	case $first in
	"feedmux: $2:$3:"*)
		ok 0 "$1: the error names $2:$3" ;;
	*)
		ok 1 "$1: the error names $2:$3"
		diag "stderr: $first" ;;
	esac
	is "$(wc -l <"$T/err" | tr -d ' ')" 1 "$1: one line on stderr"
	is "$(wc -c <"$T/out" | tr -d ' ')" 0 "$1: nothing on stdout"
}

# bad_daemon NAME FILE LINE: feedmuxd refuses to start on FILE, exit 1,
# naming FILE:LINE. Bounded: a daemon that starts anyway is killed.
bad_daemon()
{
	timeout 10 "$FEEDMUXD" -c "$2" >"$T/dout" 2>"$T/derr" </dev/null
	rc=$?
	is "$rc" 1 "$1: feedmuxd exits 1"
	grep -q -F -e "$2:$3:" "$T/derr"
	ok $? "$1: feedmuxd names $2:$3"
	[ "$rc" -eq 1 ] && grep -q -F -e "$2:$3:" "$T/derr" ||
	    sed 's/^/# feedmuxd: /' "$T/derr" | head -5
}

# A good configuration: two feeds, one with every per-feed key.
good=$T/good.conf
daemon_head "$good"
cat >>"$good" <<'EOF'
[feed "https://example.org/world.rss"]
label = CNN
category = North Korea
interval = 1h
include = north korea, pyongyang
exclude = sponsored

[feed "https://example.net/atom.xml"]
EOF
out=$("$FEEDMUX" -c "$good" check-config 2>"$T/err")
is "$?" 0 "good config: check-config exits 0"
is "$out" "$good: ok (2 feeds)" "good config: says ok and counts the feeds"
is "$(cat "$T/err")" "" "good config: nothing on stderr"

out=$("$FEEDMUX" check-config -c "$good" 2>/dev/null)
is "$out" "$good: ok (2 feeds)" "-c after the verb"

out=$(FEEDMUX_CONFIG=$good "$FEEDMUX" check-config 2>/dev/null)
is "$out" "$good: ok (2 feeds)" "\$FEEDMUX_CONFIG names the default file"

# file:// feeds are fine once allow_file says so.
f=$T/file-allowed.conf
daemon_head "$f" 30m "allow_file = true"
cat >>"$f" <<EOF
[feed "file://$T/local.xml"]
EOF
out=$("$FEEDMUX" -c "$f" check-config 2>"$T/err")
is "$?" 0 "file:// feed with allow_file = true: exit 0"
is "$out" "$f: ok (1 feed)" "file:// feed with allow_file = true: ok"

# HOSTILE-55: a missing file.
"$FEEDMUX" -c "$T/missing.conf" check-config >/dev/null 2>"$T/err"
is "$?" 1 "missing config: exit 1"
case $(head -1 "$T/err") in
"feedmux: $T/missing.conf: "*)
	ok 0 "missing config: the error names the file" ;;
*)
	ok 1 "missing config: the error names the file"
	diag "stderr: $(head -1 "$T/err")" ;;
esac

# HOSTILE-55: a directory where the file should be.
mkdir "$T/dir.conf"
"$FEEDMUX" -c "$T/dir.conf" check-config >/dev/null 2>"$T/err"
is "$?" 1 "a directory as config: exit 1"
grep -q -F "$T/dir.conf" "$T/err"
ok $? "a directory as config: the error names it"

# HOSTILE-55: an unknown key in [daemon].
f=$T/unknown-key.conf
daemon_head "$f" 30m "colour = blue"
bad_config "unknown key in [daemon]" "$f" "$(line_of "$f" "colour = blue")"

# HOSTILE-55: an unknown key in a feed section.
f=$T/unknown-feed-key.conf
daemon_head "$f"
cat >>"$f" <<'EOF'
[feed "https://example.org/a.xml"]
label = A
lable = typo
EOF
bad_config "unknown key in a feed" "$f" "$(line_of "$f" "lable = typo")"

# HOSTILE-55: a malformed duration.
f=$T/bad-duration.conf
daemon_head "$f"
cat >>"$f" <<'EOF'
[feed "https://example.org/a.xml"]
interval = 5x
EOF
bad_config "bad duration" "$f" "$(line_of "$f" "interval = 5x")"

# A log level that is none of the four.
f=$T/bad-log-level.conf
daemon_head "$f"
echo "log_level = loud" >>"$f"
bad_config "bad log_level" "$f" "$(line_of "$f" "log_level = loud")"
f=$T/log-level.conf
daemon_head "$f"
echo "log_level = warning" >>"$f"
"$FEEDMUX" -c "$f" check-config >/dev/null 2>&1
ok $? "log_level = warning is accepted"

# HOSTILE-55: a negative duration.
f=$T/negative-duration.conf
daemon_head "$f" -5m
bad_config "negative duration" "$f" "$(line_of "$f" "interval = -5m")"

# HOSTILE-55: a duration of 10^12 hours.
f=$T/huge-duration.conf
daemon_head "$f" 1000000000000h
bad_config "huge duration" "$f" "$(line_of "$f" "interval = 1000000000000h")"

# HOSTILE-55: the same feed URL twice: the second declaration is wrong.
f=$T/duplicate.conf
daemon_head "$f"
cat >>"$f" <<'EOF'
[feed "https://example.org/a.xml"]
label = A

[feed "https://example.org/a.xml"]
label = Again
EOF
dup_line=$(nth_line_of "$f" '[feed "https://example.org/a.xml"]' 2)
bad_config "duplicate feed URL" "$f" "$dup_line"

# HOSTILE-55: a feed URL without a scheme.
f=$T/no-scheme.conf
daemon_head "$f"
cat >>"$f" <<'EOF'
[feed "example.org/feed.xml"]
label = No scheme
EOF
bad_config "feed URL without a scheme" "$f" \
    "$(line_of "$f" '[feed "example.org/feed.xml"]')"

# HOSTILE-55: a file:// feed without allow_file.
f=$T/file-url.conf
daemon_head "$f"
cat >>"$f" <<'EOF'
[feed "file:///etc/passwd"]
label = Local
EOF
file_line=$(line_of "$f" '[feed "file:///etc/passwd"]')
bad_config "file:// feed without allow_file" "$f" "$file_line"

# HOSTILE-55: a line that is not INI at all.
f=$T/syntax.conf
daemon_head "$f"
cat >>"$f" <<'EOF'
[feed "https://example.org/a.xml"]
label = A
this line is not ini
EOF
bad_config "invalid syntax" "$f" "$(line_of "$f" "this line is not ini")"

# HOSTILE-55: bytes that are not UTF-8.
f=$T/latin1.conf
daemon_head "$f"
printf '[feed "https://example.org/a.xml"]\nlabel = Caf\351 \377\n' >>"$f"
bad_config "non-UTF-8 value" "$f" "$(line_of "$f" "label = Caf")"

# The daemon refuses the same files, before doing anything else.
bad_daemon "bad duration" "$T/bad-duration.conf" \
    "$(line_of "$T/bad-duration.conf" "interval = 5x")"
bad_daemon "unknown key" "$T/unknown-key.conf" \
    "$(line_of "$T/unknown-key.conf" "colour = blue")"
bad_daemon "file:// feed without allow_file" "$T/file-url.conf" "$file_line"

timeout 10 "$FEEDMUXD" -c "$T/missing.conf" >/dev/null 2>"$T/derr" \
    </dev/null
is "$?" 1 "missing config: feedmuxd exits 1"
grep -q -F "$T/missing.conf" "$T/derr"
ok $? "missing config: feedmuxd names the file"

[ ! -e "$T/feedmux.db" ]
ok $? "no database is created from a bad config"

# help VERB prints what the verb does; an unknown verb is a usage error.
"$FEEDMUX" help search >"$T/help.out" 2>&1
ok $? "feedmux help search exits 0"
grep -q '^  search QUERY' "$T/help.out" && ! grep -q '^  feeds' "$T/help.out"
ok $? "feedmux help search describes search alone"
"$FEEDMUX" help disable | grep -q 'enable FEED, disable FEED'
ok $? "feedmux help disable finds a verb that shares an entry"
"$FEEDMUX" help nosuchverb >/dev/null 2>&1
is $? 2 "feedmux help with an unknown verb exits 2"
"$FEEDMUXD" --version | grep -q '^feedmuxd [0-9]'
ok $? "feedmuxd --version"
"$FEEDMUXD" --help | grep -q '^usage: feedmuxd'
ok $? "feedmuxd --help"

done_testing
