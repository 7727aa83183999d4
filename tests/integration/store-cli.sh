#!/bin/sh
# The store through the CLI, with the real daemon polling fixture feeds on
# 127.0.0.1: a feed added with the CLI is polled at once; the same story
# from two feeds is one entry with both sources; search, bad queries
# (HOSTILE-53); removal and retention that stick; CLI writes while the
# daemon writes (HOSTILE-51); export, import and check.

. "$top_srcdir/tests/integration/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || skip_all "no sqlite3 shell"

fm_setup
mkdir "$T/feeds"

# pycheck DESC FILE CODE: run Python CODE with d = the JSON in FILE.
pycheck()
{
	prog=$(printf '%s\n' "import json, sys" \
	    "d = json.load(open(sys.argv[1]))" "$3")
	$PY -c "$prog" "$2" >"$T/py.out" 2>&1
	rc=$?
	ok $rc "$1"
	[ $rc -eq 0 ] || tail -5 "$T/py.out" | sed 's/^/# /'
}

# Feed A: three stories. Feed B: one of them under another id, with a
# tracking parameter and a fragment on its link, and one of its own.
cat >"$T/feeds/a.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Alpha</title>
<link>http://example.org/</link><description>a</description>
<item><title>Summit date set</title><link>http://news.example/summit</link>
<guid>a-summit</guid><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate>
<description>Leaders agreed on a date for the summit in Pyongyang.</description></item>
<item><title>Harvest report</title><link>http://news.example/harvest</link>
<guid>a-harvest</guid><pubDate>Tue, 02 Jan 2024 10:00:00 GMT</pubDate>
<description>Rice yields rose this autumn.</description></item>
<item><title>Rail link opens</title><link>http://news.example/rail</link>
<guid>a-rail</guid><pubDate>Wed, 03 Jan 2024 10:00:00 GMT</pubDate>
<description>The first train crossed the river.</description></item>
</channel></rss>
XML
cat >"$T/feeds/b.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Bravo</title>
<link>http://example.net/</link><description>b</description>
<item><title>Summit date is set</title>
<link>http://NEWS.example:80/summit?utm_source=bravo&amp;utm_medium=rss#comments</link>
<guid>urn:bravo:1</guid><pubDate>Mon, 01 Jan 2024 11:00:00 GMT</pubDate>
<description>Bravo's version of the summit story.</description></item>
<item><title>Bravo only</title><link>http://example.net/own</link>
<guid>urn:bravo:2</guid><pubDate>Thu, 04 Jan 2024 10:00:00 GMT</pubDate>
<description>Nobody else has this one.</description></item>
</channel></rss>
XML

fm_feedsrv "$T/feeds"
base=http://127.0.0.1:$FEEDSRV_PORT
fm_config "keep_per_feed = 1000" <<EOF
[feed "$base/a.xml"]
label = Alpha
category = Korea
EOF
fm_daemon_start

# status_ok LABEL: the feed has been polled.
status_ok()
{
	fm_cli feeds --json >"$T/feeds.json" 2>/dev/null &&
	$PY -c 'import json,sys; d=json.load(open(sys.argv[1]))
sys.exit(0 if any(f["label"] == sys.argv[2] and f["status"] == "ok"
    for f in d) else 1)' "$T/feeds.json" "$1"
}

fm_wait_for 100 status_ok Alpha
ok $? "the configured feed is polled"

# add: checked, stored with origin cli, polled at once.
fm_cli add "$base/b.xml" --label Bravo --category World >"$T/out" 2>"$T/err"
is $? 0 "add exits 0"
grep -q "^added feed 2: " "$T/out"
ok $? "add says which id it got"
[ ! -s "$T/err" ]
ok $? "add: the running daemon was told (no note on stderr)"
fm_wait_for 100 status_ok Bravo
ok $? "the added feed is polled at once"

fm_cli add "$base/b.xml" >/dev/null 2>"$T/err"
is $? 1 "adding the same URL again exits 1"
grep -q "already" "$T/err"
ok $? "saying it is there already"
fm_cli add "ftp://example.org/feed" >/dev/null 2>"$T/err"
is $? 1 "add refuses a non-http URL"
fm_cli add "$base/x.xml" --interval 5x >/dev/null 2>&1
is $? 2 "a malformed --interval is a usage error"

# One story from two feeds: one entry, both sources.
fm_cli entries --json >"$T/entries.json"
pycheck "the shared story is listed once with both sources" \
    "$T/entries.json" '
s = [e for e in d if e["title"].startswith("Summit")]
assert len(s) == 1, s
assert s[0]["sources"] == ["Alpha", "Bravo"], s[0]["sources"]
assert s[0]["title"] == "Summit date set"
assert len(d) == 4, len(d)'
fm_cli entries --feed Bravo --json >"$T/b.json"
pycheck "entries --feed lists what the feed carried, shared or not" \
    "$T/b.json" 'assert len(d) == 2, d'
fm_cli entries --category World --json >"$T/w.json"
pycheck "entries --category follows every source" "$T/w.json" \
    'assert len(d) == 2, d'
fm_cli entries --since 2024-01-03T00:00:00Z --json >"$T/s.json"
pycheck "entries --since" "$T/s.json" \
    'assert sorted(e["title"] for e in d) == ["Bravo only", "Rail link opens"], d'
fm_cli entries --since nonsense >/dev/null 2>&1
is $? 2 "a malformed --since is a usage error"
fm_cli entries --feed nosuchfeed >/dev/null 2>"$T/err"
is $? 1 "an unknown --feed exits 1"
fm_cli feeds --json >"$T/feeds.json"
pycheck "each feed counts the stories it carried" "$T/feeds.json" '
c = {f["label"]: f["entries"] for f in d}
assert c == {"Alpha": 3, "Bravo": 2}, c'

# Search.
fm_cli search pyongyang --json >"$T/q.json"
pycheck "search finds a word, with a snippet" "$T/q.json" '
assert len(d) == 1 and "[Pyongyang]" in d[0]["snippet"], d'
fm_cli search '"first train"' --json >"$T/q.json"
pycheck "search finds a phrase" "$T/q.json" 'assert len(d) == 1, d'
fm_cli search 'harv*' >"$T/q.txt"
grep -q "Harvest report" "$T/q.txt"
ok $? "search finds a prefix (table)"
# HOSTILE-53
for q in '"unterminated' "'); DROP TABLE entries;--" '%' 'AND'; do
	fm_cli search "$q" >"$T/out" 2>"$T/err"
	is $? 1 "a malformed query exits 1: $q"
	[ "$(wc -l <"$T/err")" -eq 1 ] &&
	    grep -q "^feedmux: search: bad query" "$T/err"
	ok $? "with one 'bad query' line: $q"
done
is "$(sqlite3 "$T/feedmux.db" 'SELECT count(*) FROM entries')" 4 \
    "the entries are all there"

# A removed entry does not come back when the feed still lists it.
rid=$($PY -c 'import json,sys
print([e["id"] for e in json.load(open(sys.argv[1])) if e["title"] == "Harvest report"][0])' "$T/entries.json")
fm_cli remove-entry "$rid"
is $? 0 "remove-entry exits 0"
fm_cli remove-entry "$rid" 2>/dev/null
is $? 1 "removing it again: no such entry, exit 1"
polls()
{
	grep -c "a.xml" "$T/feedsrv.log"
}
before=$(polls)
fm_cli refresh Alpha
fm_wait_for 100 sh -c "[ \$(grep -c a.xml '$T/feedsrv.log') -gt $before ]"
ok $? "Alpha polled again"
sleep 0.5
fm_cli entries --json >"$T/entries.json"
pycheck "the removed entry stays removed" "$T/entries.json" '
assert not [e for e in d if e["title"] == "Harvest report"], d
assert len(d) == 3, d'

# HOSTILE-51: the CLI writes while the daemon polls; both succeed.
fails=0
i=0
while [ $i -lt 20 ]; do
	fm_cli refresh >/dev/null 2>&1
	fm_cli disable Bravo >/dev/null 2>"$T/err" ||
	    { fails=$((fails + 1)); sed 's/^/# /' "$T/err"; }
	fm_cli enable Bravo >/dev/null 2>"$T/err" ||
	    { fails=$((fails + 1)); sed 's/^/# /' "$T/err"; }
	fm_cli edit Bravo --category "World $i" >/dev/null 2>"$T/err" ||
	    { fails=$((fails + 1)); sed 's/^/# /' "$T/err"; }
	i=$((i + 1))
done
is $fails 0 "60 CLI writes during polls all succeed"
! grep -qi "locked\|busy" "$T/feedmuxd.log"
ok $? "the daemon never saw a locked database"
fm_cli edit Alpha --label X >/dev/null 2>"$T/err"
is $? 1 "a configured feed is edited in the config, not the CLI"
grep -q "configuration" "$T/err"
ok $? "saying so"
fm_cli edit Bravo >/dev/null 2>&1
is $? 2 "edit with nothing to change is a usage error"

# stats and check.
fm_cli stats --json >"$T/stats.json"
pycheck "stats" "$T/stats.json" '
assert d["entries"] == 3 and d["shared"] == 1 and d["tombstones"] >= 1, d
assert d["schema_version"] == 5 and d["feeds"] == 2, d'
fm_cli check >"$T/out"
is $? 0 "check: ok"
grep -q ": ok$" "$T/out"
ok $? "check says ok"

# export, then import into a fresh store.
fm_cli export >"$T/export.opml"
is $? 0 "export exits 0"
$PY -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' \
    "$T/export.opml"
ok $? "export is well-formed XML"
grep -q '<outline text="Korea">' "$T/export.opml" &&
    grep -q "text=\"Bravo\" title=\"Bravo\" xmlUrl=\"$base/b.xml\"" \
    "$T/export.opml"
ok $? "categories are outlines, feeds under them"
fm_cli remove Bravo
is $? 0 "remove a CLI feed"
fm_cli entries --json >"$T/entries.json"
pycheck "its own story went; the shared one stays with Alpha" \
    "$T/entries.json" '
t = sorted((e["title"], e["sources"]) for e in d)
assert t == [("Rail link opens", ["Alpha"]), ("Summit date set", ["Alpha"])], t'

sed "s|^database = .*|database = $T/second.db|; s|^control = .*|control = $T/none.sock|" \
    "$T/feedmux.conf" >"$T/second.conf"
"$FEEDMUX" -c "$T/second.conf" import "$T/export.opml" >"$T/out" 2>"$T/err"
is $? 0 "import into a fresh store exits 0"
grep -q "imported 2 feeds" "$T/out"
ok $? "import says how many"
grep -q "not told" "$T/err"
ok $? "import notes that no daemon was told"
"$FEEDMUX" -c "$T/second.conf" feeds --json >"$T/f2.json"
pycheck "imported feeds keep label and category" "$T/f2.json" '
c = sorted((f["label"], f["category"]) for f in d)
assert c[0] == ("Alpha", "Korea"), c
assert c[1][0] == "Bravo" and c[1][1].startswith("World"), c'
"$FEEDMUX" -c "$T/second.conf" import "$T/export.opml" >"$T/out" 2>/dev/null
grep -q "imported 0 feeds (2 already there" "$T/out"
ok $? "importing again adds nothing"
printf '%s\n' '<?xml version="1.0"?>' \
    '<!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>' \
    '<opml><body><outline text="&x;" xmlUrl="http://e.example/f"/></body></opml>' \
    >"$T/ent.opml"
"$FEEDMUX" -c "$T/second.conf" import "$T/ent.opml" >/dev/null 2>&1
"$FEEDMUX" -c "$T/second.conf" feeds --json >"$T/f2.json"
pycheck "import expands no external entity" "$T/f2.json" '
assert not [f for f in d if f["label"] and "root" in f["label"]], d'
echo "not xml" >"$T/bad.opml"
"$FEEDMUX" -c "$T/second.conf" import "$T/bad.opml" >/dev/null 2>&1
is $? 1 "import of a non-OPML file exits 1"

# Retention from the configuration: keep 1 per feed.
fm_daemon_stop >/dev/null
sed 's/^keep_per_feed = 1000/keep_per_feed = 1/' "$T/feedmux.conf" \
    >"$T/keep1.conf"
"$FEEDMUX" -c "$T/keep1.conf" prune --json >"$T/p.json"
pycheck "prune keeps the newest 1 per feed" "$T/p.json" \
    'assert d["entries"] == 1, d'
is "$(sqlite3 "$T/feedmux.db" 'SELECT title FROM entries')" \
    "Rail link opens" "the newest stays"
"$FEEDMUX" -c "$T/keep1.conf" check >/dev/null
is $? 0 "check: still ok after pruning"

done_testing
