#!/bin/sh
# bench/parse: throughput of lib/parse's whole normalization (XML,
# sanitizing, dates, URLs) on RSS 2.0 and Atom 1.0 corpora, as ratios
# against baselines run here on the same bytes: a bare libxml2 SAX2 push
# walk (bench/sax2walk), sfeed, and Python's feedparser; and the peak
# memory on a 50 MB feed.
#
#	make bench BENCH=parse
#	top_builddir=BUILD sh bench/parse.sh
#
# Needs (Debian packages): sfeed, python3 and python3-feedparser
# (/usr/bin/python3), time (GNU time, for sfeed's peak memory); and
# bench/parsebench and bench/sax2walk built in $top_builddir.
#
# Corpora, generated into a scratch directory under $TMPDIR by
# bench/gencorpus.py (seeded, the same bytes every run):
#	FMT-small	250 feeds of 20-60 KB each, timed over the whole set
#	FMT-large	one 50 MB feed (about 16,000 items)
#	FMT-slice	its first 5 MB, where feedparser is timed: it takes
#			tens of seconds on the 50 MB feed
# The sides take turns, in 3 rounds of at least 2 repetitions and 0.3 s
# each, so that the load of a shared machine falls on all of them; the
# best time of each side is kept. feedparser runs once per corpus.
# Every figure line reads
#	parse: CORPUS  VALUE UNIT  (BASELINE VALUE UNIT, ratio R, target T)
# and lines starting with '#' say what was counted. Takes 2-3 min on a
# 2-core machine (2 min 38 s under a load average of 9).

set -e
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
PY=/usr/bin/python3
GNUTIME=/usr/bin/time
PARSEBENCH=$top_builddir/bench/parsebench
SAX2WALK=$top_builddir/bench/sax2walk
GENCORPUS=$top_srcdir/bench/gencorpus.py
PARSEBASE=$top_srcdir/bench/parsebase.py

die()
{
	echo "parse: $*" >&2
	exit 1
}

for p in "$PARSEBENCH" "$SAX2WALK"; do
	[ -x "$p" ] || die "$p is missing: build it with" \
	    "'make bench' (or 'make ${p#"$top_builddir/"}') in $top_builddir"
done
[ -x "$PY" ] || die "$PY is missing: install the Debian package python3"
"$PY" -c 'import feedparser' 2>/dev/null ||
    die "feedparser is missing: install the Debian package python3-feedparser"
command -v sfeed >/dev/null 2>&1 ||
    die "sfeed is missing: install the Debian package sfeed"
"$GNUTIME" -f %M true >/dev/null 2>&1 ||
    die "GNU time ($GNUTIME) is missing: install the Debian package time"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-parse.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# field NAME LINE: the value after NAME in a result line.
field()
{
	echo "$2" | awk -v k="$1" '{ for (i = 1; i < NF; i++)
	    if ($i == k) { print $(i + 1); exit } }'
}

# rate VALUE: a figure with as many digits as it deserves.
rate()
{
	awk -v v="$1" 'BEGIN { if (v >= 100) printf "%.0f", v;
	    else if (v >= 1) printf "%.1f", v; else printf "%.2f", v }'
}

# ratio A B: A / B, two decimals under 10.
ratio()
{
	awk -v a="$1" -v b="$2" 'BEGIN { r = a / b;
	    if (r >= 10) printf "%.0f", r; else printf "%.2f", r }'
}

# mib KIB
mib()
{
	awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'
}

# speed CORPUS OURS BASE_NAME BASE TARGET: one throughput line.
speed()
{
	printf 'parse: %s  %s MB/s  (%s %s MB/s, ratio %s, target %s)\n' \
	    "$1" "$(rate "$(field mbps "$2")")" "$3" \
	    "$(rate "$(field mbps "$4")")" \
	    "$(ratio "$(field mbps "$2")" "$(field mbps "$4")")" "$5"
}

# peak CORPUS OURS_KIB BASE_NAME BASE_KIB: one peak memory line.
peak()
{
	printf 'parse: %s peak  %s MiB  (%s %s MiB, ratio %s, target < 16 MiB)\n' \
	    "$1" "$(mib "$2")" "$3" "$(mib "$4")" "$(ratio "$2" "$4")"
}

# best A B: of two result lines, the one with the higher mbps.
best()
{
	if [ -z "$1" ] || awk -v a="$(field mbps "$1")" \
	    -v b="$(field mbps "$2")" 'BEGIN { exit !(b > a) }'; then
		echo "$2"
	else
		echo "$1"
	fi
}

# take VAR COMMAND...: run a side, keep in VAR the better of its line and
# VAR's; a side that fails stops the benchmark.
take()
{
	_var=$1
	shift
	_out=$("$@") || die "failed: $*"
	eval "_old=\$$_var"
	eval "$_var=\$(best \"\$_old\" \"\$_out\")"
}

# sfeed_peak FILE: sfeed's peak resident size in KiB.
sfeed_peak()
{
	"$GNUTIME" -f %M -o "$tmp/time.out" sfeed <"$1" >/dev/null
	tail -n 1 "$tmp/time.out"
}

rounds="1 2 3"
each="-n 2 -t 0.3"

"$PY" "$GENCORPUS" --seed 1 --small-count 250 --large-mb 50 \
    --slice-mb 5 "$tmp" || die "gencorpus.py failed"

# The floor under parsebench's peak: its resident size on a one-entry
# feed (the shared libraries libcurl pulls in for lib/url take most).
printf '%s\n' '<?xml version="1.0"?><rss version="2.0"><channel>' \
    '<title>t</title><link>https://example.com/</link><item>' \
    '<title>x</title><link>https://example.com/1</link></item>' \
    '</channel></rss>' >"$tmp/tiny.xml"
out=$("$PARSEBENCH" -n 1 -t 0 "$tmp/tiny.xml") ||
    die "failed: $PARSEBENCH $tmp/tiny.xml"
floor=$(field maxrss_kib "$out")

for fmt in rss atom; do
	set -- "$tmp/$fmt-small"/*.xml
	cat "$@" >"$tmp/$fmt-small.cat"

	# The small set: many feeds, one process each side, in rounds.
	sw= pb= sf=
	for r in $rounds; do
		take sw "$SAX2WALK" $each "$@"
		take pb "$PARSEBENCH" $each "$@"
		take sf "$PY" "$PARSEBASE" sfeed $each "$tmp/$fmt-small.cat"
	done
	fp=$("$PY" "$PARSEBASE" feedparser -n 1 -t 0 "$@") ||
	    die "failed: feedparser on $fmt-small"
	[ "$(field options "$pb")" = "$(field options "$sw")" ] ||
	    echo "# warning: sax2walk's libxml2 options" \
	    "$(field options "$sw") differ from lib/parse's" \
	    "$(field options "$pb")"
	echo "# $fmt-small: $# feeds, $(field bytes "$pb") bytes;" \
	    "entries: feedmux $(field entries "$pb")," \
	    "sax2walk $(field entries "$sw"), sfeed $(field entries "$sf")" \
	    "(the set concatenated, one process), feedparser" \
	    "$(field entries "$fp") (one run);" \
	    "feedmux checksum $(field checksum "$pb")"
	speed "$fmt-small" "$pb" sax2walk "$sw" 0.5
	speed "$fmt-small" "$pb" sfeed "$sf" 0.8
	speed "$fmt-small" "$pb" feedparser "$fp" 40

	# The large feed.
	f=$tmp/$fmt-large.xml
	sw= pb= sf=
	for r in $rounds; do
		take sw "$SAX2WALK" $each "$f"
		take pb "$PARSEBENCH" $each "$f"
		take sf "$PY" "$PARSEBASE" sfeed $each "$f"
	done
	sfk=$(sfeed_peak "$f")
	echo "# $fmt-large: $(field bytes "$pb") bytes;" \
	    "entries: feedmux $(field entries "$pb") (it keeps the newest" \
	    "1000), sax2walk $(field entries "$sw"), sfeed" \
	    "$(field entries "$sf"); feedmux checksum $(field checksum "$pb")"
	speed "$fmt-large" "$pb" sax2walk "$sw" 0.5
	speed "$fmt-large" "$pb" sfeed "$sf" 0.8
	echo "# $fmt-large: parsebench's peak includes $(mib "$floor") MiB" \
	    "it has on a one-entry feed; sax2walk's peak is" \
	    "$(mib "$(field maxrss_kib "$sw")") MiB"
	peak "$fmt-large" "$(field maxrss_kib "$pb")" sfeed "$sfk"

	# feedparser on the first 5 MB of the large feed.
	f=$tmp/$fmt-slice.xml
	pb=
	for r in $rounds; do
		take pb "$PARSEBENCH" $each "$f"
	done
	fp=$("$PY" "$PARSEBASE" feedparser -n 1 -t 0 "$f") ||
	    die "failed: feedparser on $fmt-slice"
	echo "# $fmt-slice: the first $(field bytes "$pb") bytes of" \
	    "$fmt-large (feedparser is too slow for 50 MB);" \
	    "entries: feedmux $(field entries "$pb")," \
	    "feedparser $(field entries "$fp") (one run)"
	speed "$fmt-slice" "$pb" feedparser "$fp" 40
done

# feedparser's peak on a 50 MB feed, once: it takes half a minute or
# more, and is given up past $fplimit seconds.
fplimit=150
if fp=$(timeout "$fplimit" "$PY" "$PARSEBASE" feedparser -n 1 -t 0 \
    "$tmp/rss-large.xml"); then
	pb=$("$PARSEBENCH" -n 1 -t 0 "$tmp/rss-large.xml") ||
	    die "failed: $PARSEBENCH $tmp/rss-large.xml"
	echo "# rss-large: feedparser's peak is that of its whole Python" \
	    "process, measured once; it took $(field best "$fp") s" \
	    "($(rate "$(field mbps "$fp")") MB/s); atom-large is not run" \
	    "through it"
	peak rss-large "$(field maxrss_kib "$pb")" feedparser \
	    "$(field maxrss_kib "$fp")"
else
	echo "# rss-large: feedparser's peak not measured: it did not finish" \
	    "within $fplimit s"
fi
