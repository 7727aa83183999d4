#!/bin/sh
# Rules at every scope with the real daemon: three sources in two
# categories, global, category and feed include/exclude rules, each
# changing what /feed.atom and /c/SLUG.atom show; each change made by
# SIGHUP, so it applies to entries already stored; a story two feeds
# carried is shown where one of them keeps it; a bad rule in each scope
# refused at its file:line; `feedmux rules test`, as text and JSON,
# naming the rule and the scope that decided; and all of it with paging,
# a category token, 304s and gzip, as a reader walks it.

. "$top_srcdir/tests/integration/lib.sh"

$PY -c 'import feedparser' 2>/dev/null ||
    skip_all "python3-feedparser is not installed"

fm_setup
mkdir "$T/feeds"

# item TITLE LINK DATE TEXT
item()
{
	printf '<item><title>%s</title><link>%s</link><guid>%s</guid>' \
	    "$1" "$2" "$2"
	printf '<pubDate>%s</pubDate><description>%s</description></item>\n' \
	    "$3" "$4"
}

# rss TITLE < ITEMS
rss()
{
	printf '<?xml version="1.0" encoding="UTF-8"?>\n'
	printf '<rss version="2.0"><channel><title>%s</title>' "$1"
	printf '<link>https://example.org/</link><description>d</description>\n'
	cat
	printf '</channel></rss>\n'
}

PARADE="Troops marched through Pyongyang on Thursday."
{
	item "Pyongyang parade" https://kcna.example/parade \
	    "Thu, 25 Apr 2019 10:00:00 GMT" "$PARADE"
	item "Sponsored: visit the DMZ" https://kcna.example/dmz \
	    "Wed, 24 Apr 2019 10:00:00 GMT" \
	    "Tours of the border of North and South Korea. Sponsored."
	item "Kim speech on farms" https://kcna.example/farms \
	    "Tue, 23 Apr 2019 10:00:00 GMT" "The leader spoke of the harvest."
} | rss KCNA >"$T/feeds/kcna.rss"
{
	item "Missile test over the sea" https://nknews.example/missile \
	    "Thu, 25 Apr 2019 09:00:00 GMT" "North Korea fired a missile."
	item "Weather in Seoul" https://nknews.example/weather \
	    "Mon, 22 Apr 2019 10:00:00 GMT" "Rain is expected all week."
} | rss "NK News" >"$T/feeds/nknews.rss"
# The parade story again, as the wire carried it: one entry, two sources.
{
	item "Summit date set" https://wire.example/summit \
	    "Wed, 24 Apr 2019 09:00:00 GMT" \
	    "Leaders of South Korea and Japan will meet."
	item "Markets steady" https://wire.example/markets \
	    "Sun, 21 Apr 2019 10:00:00 GMT" "Trading was light."
	item "Pyongyang parade" https://kcna.example/parade \
	    "Thu, 25 Apr 2019 10:00:00 GMT" "$PARADE"
} | rss Wire >"$T/feeds/wire.rss"
fm_feedsrv "$T/feeds"
F=http://127.0.0.1:$FEEDSRV_PORT

# conf DAEMON-RULES NK-RULES WIRES-RULES KCNA-RULES NKNEWS-RULES
#     WIRE-RULES: the config, each argument lines of its section
#     (\n-separated), the listening port kept once the daemon runs.
conf()
{
	fm_config "$(printf "$1")" <<EOT
[category "North Korea"]
$(printf "$2")
[category "Wires"]
$(printf "$3")
[feed "$F/kcna.rss"]
label = KCNA
category = North Korea
$(printf "$4")
[feed "$F/nknews.rss"]
label = NK News
category = North Korea
$(printf "$5")
[feed "$F/wire.rss"]
label = Wire
category = Wires
$(printf "$6")
EOT
	if [ -n "$U" ]; then
		sed -i "s/^listen = .*/listen = 127.0.0.1:${U##*:}/" \
		    "$T/feedmux.conf"
		DAEMON_PORT=${U##*:}
	fi
}

# titles PATH: the titles of a document, sorted, '|'-separated.
titles()
{
	fm_get "$1" >"$T/doc" || return 1
	$PY - "$T/doc" <<'EOT'
import sys, feedparser
d = feedparser.parse(sys.argv[1])
if d.bozo:
    print("not well-formed: %s" % d.bozo_exception)
else:
    print("|".join(sorted(e.title for e in d.entries)))
EOT
}

# sorted LIST: the '|'-separated LIST sorted as titles sorts.
sorted()
{
	printf '%s\n' "$1" | tr '|' '\n' | LC_ALL=C sort | paste -sd'|' -
}

# shows PATH WANT: does PATH list exactly the titles WANT?
shows()
{
	[ "$(titles "$1")" = "$(sorted "$2")" ]
}

# expect DESC ALL NK WIRES: after a reload, /feed.atom lists ALL (waited
# for: the reload is asynchronous), /c/north-korea.atom NK and
# /c/wires.atom WIRES.
expect()
{
	fm_wait_for 50 shows /feed.atom "$2"
	is "$(titles /feed.atom)" "$(sorted "$2")" "$1: /feed.atom"
	is "$(titles /c/north-korea.atom)" "$(sorted "$3")" \
	    "$1: /c/north-korea.atom"
	is "$(titles /c/wires.atom)" "$(sorted "$4")" "$1: /c/wires.atom"
}

# reload DAEMON-RULES ...: write the config as conf does and SIGHUP.
reload()
{
	conf "$@"
	kill -HUP "$DAEMON_PID"
}

S1="Kim speech on farms"
S2="Missile test over the sea"
S3="Pyongyang parade"
S4="Sponsored: visit the DMZ"
S5="Summit date set"
S6="Markets steady"
S7="Weather in Seoul"

U=
conf "" "" "" "" "" ""
fm_daemon_start
U=http://127.0.0.1:$DAEMON_PORT

stored()
{
	[ "$(fm_cli entries --limit 0 --json |
	    $PY -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 7 ]
}
fm_wait_for 100 stored
ok $? "the daemon stored seven stories (eight items, one carried twice)"
sleep 0.2

expect "no rules" "$S1|$S2|$S3|$S4|$S5|$S6|$S7" \
    "$S1|$S2|$S3|$S4|$S7" "$S6|$S3|$S5"

# Global: [daemon] rules apply to every output.
reload "exclude = sponsored" "" "" "" "" ""
expect "global exclude = sponsored" "$S1|$S2|$S3|$S5|$S6|$S7" \
    "$S1|$S2|$S3|$S7" "$S6|$S3|$S5"
reload "include = korea, pyongyang" "" "" "" "" ""
expect "global include = korea, pyongyang" "$S2|$S3|$S4|$S5" \
    "$S2|$S3|$S4" "$S3|$S5"

# Per category.
reload "" "include = missile, /par(ade|ty)/" "" "" "" ""
expect "[category \"North Korea\"] include = missile, /par(ade|ty)/" \
    "$S2|$S3|$S5|$S6" "$S2|$S3" "$S6|$S3|$S5"
reload "" "" "exclude = Markets" "" "" ""
expect "[category \"Wires\"] exclude = Markets (case-insensitive)" \
    "$S1|$S2|$S3|$S4|$S5|$S7" "$S1|$S2|$S3|$S4|$S7" "$S3|$S5"

# Per feed.
reload "" "" "" "" "include = missile" ""
expect "[feed NK News] include = missile" "$S1|$S2|$S3|$S4|$S5|$S6" \
    "$S1|$S2|$S3|$S4" "$S6|$S3|$S5"
reload "" "" "" "exclude = \"sponsored\", farms" "" ""
expect "[feed KCNA] exclude = \"sponsored\", farms" \
    "$S2|$S3|$S5|$S6|$S7" "$S2|$S3|$S7" "$S6|$S3|$S5"

# A story two feeds carried: shown where one carrying feed keeps it.
reload "" "" "" "exclude = parade" "" ""
expect "KCNA excludes the parade, the wire carried it too" \
    "$S1|$S2|$S3|$S4|$S5|$S6|$S7" "$S1|$S2|$S4|$S7" "$S6|$S3|$S5"
reload "" "" "" "exclude = parade" "" "exclude = parade"
expect "both carrying feeds exclude the parade" \
    "$S1|$S2|$S4|$S5|$S6|$S7" "$S1|$S2|$S4|$S7" "$S6|$S5"
n=$(fm_cli entries --limit 0 --json | $PY -c 'import json,sys; print(len(json.load(sys.stdin)))')
is "$n" 7 "the store keeps every story the rules hide"

# Every scope at once: excludes win, includes narrow at each scope.
ALL_D='include = korea, pyongyang\nexclude = markets'
ALL_NK='include = missile, parade'
ALL_KCNA='exclude = parade'
reload "$ALL_D" "$ALL_NK" "" "$ALL_KCNA" "" ""
expect "rules at every scope" "$S2|$S3|$S5" "$S2" "$S3|$S5"

# HOSTILE-55, HOSTILE-72: a bad rule refused by SIGHUP; the rules in
# force stay.
cp "$T/feedmux.conf" "$T/good.conf"
reload "include = /(/" "" "" "" "" ""
fm_wait_for 50 grep -q 'reload refused:.*bad rule' "$T/feedmuxd.log"
ok $? "SIGHUP with a bad rule: the reload is refused, and logged"
kill -0 "$DAEMON_PID"
ok $? "the daemon runs on"
is "$(titles /feed.atom)" "$(sorted "$S2|$S3|$S5")" "the rules in force stay"
cp "$T/good.conf" "$T/feedmux.conf"

# rules test: the verdict on each stored entry, and why.
fm_cli rules test >"$T/rt.out" 2>"$T/rt.err"
is "$?" 0 "rules test exits 0"
head -1 "$T/rt.out" | grep -q '^ *ID  RESULT  *RULE  *SOURCE  *TITLE$'
ok $? "rules test: a table with a header"
is "$(grep -c . "$T/rt.out")" 8 "rules test: one row per stored story"
# row TITLE REGEX: the row of TITLE matches REGEX (after the id).
row()
{
	grep -F "$1" "$T/rt.out" | grep -q "^ *[0-9][0-9]*  $2"
	ok $? "rules test: $1: $2"
}
row "$S2" 'kept     include "missile" (category North Korea)  *NK News'
row "$S3" 'kept     include "pyongyang" (global)  *Wire'
row "$S4" 'dropped  no include matched (category North Korea)  *KCNA'
row "$S1" 'dropped  no include matched (global)  *KCNA'
row "$S6" 'dropped  exclude "markets" (global)  *Wire'
row "$S7" 'dropped  no include matched (global)  *NK News'
# The same columns line up on every row.
awk 'NR > 1 { print index($0, "kept") + index($0, "dropped") }' \
    "$T/rt.out" | sort -u | wc -l | grep -q '^1$'
ok $? "rules test: the RESULT column is aligned"

fm_cli rules test --feed KCNA >"$T/rt.out"
is "$(grep -c . "$T/rt.out")" 4 "rules test --feed KCNA: its three stories"
row "$S3" 'dropped  exclude "parade" (feed KCNA)  *KCNA'
fm_cli rules test --category Wires --limit 1 >"$T/rt.out"
is "$(grep -c . "$T/rt.out")" 2 "rules test --category Wires --limit 1: one"
row "$S3" 'kept  *include "pyongyang" (global)  *Wire'

fm_cli rules test --json >"$T/rt.json"
is "$?" 0 "rules test --json exits 0"
got=$($PY - "$T/rt.json" <<'EOT'
import json, sys
v = json.load(open(sys.argv[1]))
keys = {"id", "title", "label", "kept", "scope", "scope_name", "type",
        "rule"}
assert all(set(o) == keys and isinstance(o["id"], int) for o in v), v
by = {o["title"]: o for o in v}
def f(t):
    o = by[t]
    return "%s,%s,%s,%s,%s,%s" % (o["kept"], o["scope"], o["scope_name"],
                                  o["type"], o["rule"], o["label"])
print(len(v))
for t in ("Missile test over the sea", "Pyongyang parade",
          "Sponsored: visit the DMZ", "Markets steady"):
    print(f(t))
EOT
)
is "$got" "7
True,category,North Korea,include,missile,NK News
True,global,None,include,pyongyang,Wire
False,category,North Korea,include,None,KCNA
False,global,None,exclude,markets,Wire" \
    "rules test --json: kept, scope, rule and source of each story"
got=$(fm_cli rules test --json --feed KCNA | $PY -c '
import json, sys
o = [o for o in json.load(sys.stdin) if o["title"] == "Pyongyang parade"][0]
print(o["kept"], o["scope"], o["scope_name"], o["type"], o["rule"])')
is "$got" "False feed KCNA exclude parade" \
    "rules test --json --feed KCNA: the feed rule that drops the parade"
reload "exclude = /^sponsored:/" "" "" "" "" ""
got=$(fm_cli rules test --json | $PY -c '
import json, sys
v = json.load(sys.stdin)
print(" ".join("%s:%s:%s" % (o["kept"], o["scope"], o["rule"]) for o in v
               if o["title"] in ("Sponsored: visit the DMZ", "Weather in Seoul")))')
is "$got" "False:global:/^sponsored:/ True:None:None" \
    "rules test --json: a regex rule with its slashes; no rule: nulls"
fm_cli rules test | grep -F "$S4" |
    grep -q '^ *[0-9][0-9]*  dropped  exclude /^sponsored:/ (global)'
ok $? "rules test: a regex rule is shown with its slashes"

# All of it at once, as a reader sees it: rules at every scope, pages
# of one entry, a token on one category, 304s and gzip.
WTOK=wires-token-0123456789
reload "$ALL_D\npage_size = 1" "$ALL_NK" "" "$ALL_KCNA" "" ""
# walk PATH: follow the RFC 5005 next links from PATH with feedparser;
# print the titles in order, '|'-separated, then the number of pages.
walk()
{
	$PY - "$U$1" <<'EOT'
import sys, feedparser
url, titles, pages = sys.argv[1], [], 0
while url and pages < 20:
    d = feedparser.parse(url)
    if d.bozo or d.get("status") != 200:
        sys.exit("%s: bozo %s, status %s" % (url, d.bozo, d.get("status")))
    titles += [e.title for e in d.entries]
    pages += 1
    url = next((l.href for l in d.feed.get("links", [])
                if l.rel == "next"), None)
print("|".join(titles) + " " + str(pages))
EOT
}
one_page()
{
	[ "$(fm_get /feed.atom | grep -c '<entry>')" = 1 ]
}
fm_wait_for 50 one_page
ok $? "page_size = 1: one entry per page"
is "$(walk /feed.atom)" "$S3|$S2|$S5 3" \
    "combined: paging reaches every kept story once, newest first"
is "$(walk /c/north-korea.atom)" "$S2 1" \
    "category North Korea: its one kept story, one page"
reload "$ALL_D\npage_size = 1" "$ALL_NK" "access_token = $WTOK" \
    "$ALL_KCNA" "" ""
fm_wait_for 50 shows /feed.atom "$S2"
ok $? "a token on Wires: its stories leave the open combined feed"
is "$(walk /feed.atom)" "$S2 1" \
    "combined: what open feeds keep, one page (the parade only Wire keeps)"
fm_get /c/wires.atom >/dev/null
is "$?" 22 "category Wires without its token: refused (401)"
is "$(walk "/c/wires.atom?token=$WTOK")" "$S3|$S5 2" \
    "category Wires with ?token=: two pages, the next link keeps the token"
is "$(fm_get /c/wires.rss -H "Authorization: Bearer $WTOK" |
    grep -c '<item>')" 1 "category Wires with a bearer header: one item"
# 304 and gzip on a paged, ruled, guarded document.
fm_get "/c/wires.atom?token=$WTOK" -D "$T/h" -o "$T/plain" >/dev/null
etag=$(sed -n 's/^ETag: *//Ip' "$T/h" | tr -d '\r')
is "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' \
    -H "If-None-Match: $etag" "$U/c/wires.atom?token=$WTOK")" 304 \
    "If-None-Match with its ETag: 304"
curl -s --max-time 5 -H 'Accept-Encoding: gzip' -D "$T/h" \
    -o "$T/gz" "$U/c/wires.atom?token=$WTOK"
grep -qi '^Content-Encoding: gzip' "$T/h" &&
    gzip -dc <"$T/gz" | cmp -s - "$T/plain"
ok $? "Accept-Encoding: gzip: gzip, and the same bytes unpacked"
reload "$ALL_D" "$ALL_NK" "" "$ALL_KCNA" "" ""
fm_wait_for 50 shows /c/wires.atom "$S3|$S5"
ok $? "the token and the page size go with a reload"

# Errors and usage (HOSTILE-62: bad arguments are usage errors).
fm_cli rules test --feed "No Such Feed" >/dev/null 2>"$T/err"
is "$?" 1 "rules test --feed of an unknown feed exits 1"
fm_cli rules frob >/dev/null 2>&1
is "$?" 2 "rules with an unknown subcommand exits 2"
fm_cli rules >/dev/null 2>&1
is "$?" 2 "rules without a subcommand exits 2"
fm_cli rules test --limit x >/dev/null 2>&1
is "$?" 2 "rules test --limit x exits 2"
fm_cli help rules | grep -q '^  rules test'
ok $? "help rules describes the verb"

# HOSTILE-55: a bad rule in each scope; check-config and feedmuxd name
# its file:line.
# bad NAME LINE-TEXT SECTION-HEADER: both refuse it.
bad()
{
	printf '[daemon]\ndatabase = %s\n%s\n%s\n' "$T/x.db" "$3" "$2" \
	    >"$T/bad.conf"
	"$FEEDMUX" -c "$T/bad.conf" check-config >"$T/out" 2>"$T/err"
	is "$?" 1 "$1: check-config exits 1"
	grep -q "^feedmux: $T/bad.conf:4: ${2%% *}: bad rule" "$T/err"
	ok $? "$1: refused at $T/bad.conf:4"
	[ -s "$T/err" ] && [ "$(wc -l <"$T/err")" -eq 1 ] && [ ! -s "$T/out" ]
	ok $? "$1: one line on stderr, nothing on stdout"
	timeout 10 "$FEEDMUXD" -c "$T/bad.conf" >/dev/null 2>"$T/derr" \
	    </dev/null
	is "$?" 1 "$1: feedmuxd exits 1"
	grep -q -F -e "$T/bad.conf:4: ${2%% *}: bad rule" "$T/derr"
	ok $? "$1: feedmuxd names $T/bad.conf:4"
}
bad "[daemon] include = /(/" "include = /(/" "title = x"
bad "[category] exclude = \"open" 'exclude = "open' '[category "A"]'
bad "[feed] include = /r/news" "include = /r/news" '[feed "https://a.example/"]'
fm_cli check-config >/dev/null
ok $? "the good config passes check-config"

fm_daemon_stop >/dev/null
is "$STOP_STATUS" 0 "SIGTERM ends the daemon with status 0"
done_testing
