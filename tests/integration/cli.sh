#!/bin/sh
# The feedmux CLI against a real store: the real daemon polls fixture
# feeds from the fixture server on 127.0.0.1, then the CLI lists, shows,
# parses and refreshes, with the usage errors, terminal escapes and
# broken pipes of HOSTILE-58 to HOSTILE-62.

. "$top_srcdir/tests/integration/lib.sh"

fm_setup
mkdir "$T/feeds"

# pycheck DESC FILE CODE [ARGS...]: run Python CODE with d = the JSON in
# FILE and a = ARGS; a failed assert fails the check.
pycheck()
{
	desc=$1
	file=$2
	code=$3
	shift 3
	prog=$(printf '%s\n' "import json, re, sys" \
	    "d = json.load(open(sys.argv[1]))" "a = sys.argv[2:]" "$code")
	$PY -c "$prog" "$file" "$@" >"$T/py.out" 2>&1
	rc=$?
	ok $rc "$desc"
	[ $rc -eq 0 ] || tail -5 "$T/py.out" | sed 's/^/# /'
}

# okpy STATUS DESC: a check made by Python; its output is the diagnosis.
okpy()
{
	ok "$1" "$2"
	[ "$1" -eq 0 ] || tail -5 "$T/py.out" | sed 's/^/# /'
}

# usage_error DESC ARGS...: the CLI exits 2 with one short line
# "feedmux: ..." first on stderr (HOSTILE-62).
usage_error()
{
	desc=$1
	shift
	fm_cli "$@" >"$T/out" 2>"$T/err"
	rc=$?
	is "$rc" 2 "usage error exits 2: $desc"
	case $(head -1 "$T/err") in
	"feedmux: "*)
		[ "$(wc -c <"$T/err")" -lt 512 ] ;;
	*)
		false ;;
	esac
	ok $? "usage error is a short 'feedmux: ' message: $desc"
}

# no_escapes FILE [c0]: FILE holds no ESC, C1 CSI, BEL, CR or bidi
# override (with c0: no ESC, BEL or CR, the C0 controls).
no_escapes()
{
	$PY -c '
import sys
b = open(sys.argv[1], "rb").read()
bad = [b"\x1b", b"\x07", b"\r"]
if sys.argv[2:] != ["c0"]:
    bad += [b"\xc2\x9b", b"\x9b", b"\xe2\x80\xae", b"\xe2\x80\xac",
        b"\xe2\x81\xa6"]
bad = [x for x in bad if x in b]
print("found:", bad)
sys.exit(1 if bad else 0)' "$@" >"$T/py.out" 2>&1
}

# The fixture feeds. a.xml: RSS 2.0 with paragraphs and an author.
cat >"$T/feeds/a.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>Alpha Site</title>
<link>http://example.org/</link>
<description>Alpha test feed</description>
<item>
<title>Alpha one</title>
<link>http://example.org/a1</link>
<guid>http://example.org/a1</guid>
<dc:creator>Ann Author</dc:creator>
<pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate>
<description>&lt;p&gt;First paragraph of alpha one.&lt;/p&gt;&lt;p&gt;Second paragraph of alpha one.&lt;/p&gt;</description>
</item>
<item>
<title>Alpha two</title>
<link>http://example.org/a2</link>
<guid>http://example.org/a2</guid>
<pubDate>Wed, 03 Jan 2024 10:00:00 GMT</pubDate>
<description>Alpha two text.</description>
</item>
</channel>
</rss>
EOF

# b.xml: Atom 1.0, no label in the config, so its title names it.
cat >"$T/feeds/b.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Bravo Feed</title>
<id>urn:uuid:3f8c1a52-bravo</id>
<updated>2024-01-04T10:00:00Z</updated>
<link href="http://example.net/"/>
<author><name>Bob</name></author>
<entry>
<title>Bravo one</title>
<id>urn:uuid:3f8c1a52-b1</id>
<link href="http://example.net/b1"/>
<published>2024-01-02T10:00:00Z</published>
<updated>2024-01-02T10:00:00Z</updated>
<content type="html">&lt;p&gt;Bravo first.&lt;/p&gt;&lt;p&gt;Bravo second.&lt;/p&gt;</content>
</entry>
<entry>
<title>Bravo two</title>
<id>urn:uuid:3f8c1a52-b2</id>
<link href="http://example.net/b2"/>
<updated>2024-01-04T10:00:00Z</updated>
<summary>Bravo two summary.</summary>
</entry>
</feed>
EOF

# c.xml (HOSTILE-58): a raw ESC clear-screen and OSC 52 clipboard write,
# a C1 CSI, a CR overwrite and bidi overrides in the feed title, the
# entry title, the author and the text.
{
	printf '<?xml version="1.0" encoding="UTF-8"?>\n'
	printf '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
	printf '<channel>\n'
	printf '<title>Hostile\033]0;pwned\007 \342\200\256deeF</title>\n'
	printf '<link>http://example.com/</link>\n'
	printf '<description>escapes</description>\n'
	printf '<item>\n'
	printf '<title>Evil\033[2J\033]52;c;ZXZpbA==\007 title \342\200\256desrever\342\200\254 \302\23331m end</title>\n'
	printf '<link>http://example.com/evil</link>\n'
	printf '<guid>http://example.com/evil</guid>\n'
	printf '<dc:creator>Mallory&#13;Alice\342\201\246</dc:creator>\n'
	printf '<pubDate>Fri, 01 Dec 2023 10:00:00 GMT</pubDate>\n'
	printf '<description>&lt;p&gt;Red \033[31malert\033[0m here.&lt;/p&gt;</description>\n'
	printf '</item>\n'
	printf '</channel>\n'
	printf '</rss>\n'
} >"$T/feeds/c.xml"

# big.xml: 1000 items of 2020 with long titles and text, enough output
# to fill a pipe (HOSTILE-61) and to need cutting on a terminal.
$PY - "$T/feeds/big.xml" <<'EOF'
import sys, time
words = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do "
         "eiusmod tempor incididunt ut labore et dolore magna aliqua ")
with open(sys.argv[1], "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">'
            '<channel><title>Bulk Site</title>'
            '<link>http://example.org/bulk/</link>'
            '<description>many items</description>\n')
    for i in range(1000):
        t = time.gmtime(1577872800 + 60 * i)
        f.write('<item><title>Bulk item %04d %s</title>'
                '<link>http://example.org/bulk/%d</link>'
                '<guid>http://example.org/bulk/%d</guid>'
                '<pubDate>%s</pubDate>'
                '<description>%s</description></item>\n'
                % (i, (words * 2)[:190], i, i,
                   time.strftime("%a, %d %b %Y %H:%M:%S GMT", t),
                   words * 5))
    f.write('</channel></rss>\n')
EOF

# page.html: not a feed.
printf '%s\n' '<!DOCTYPE html>' \
    '<html><head><title>Hi</title></head><body><p>x</p></body></html>' \
    >"$T/feeds/page.html"

fm_feedsrv "$T/feeds"
url=http://127.0.0.1:$FEEDSRV_PORT
fm_config <<EOF
[feed "$url/a.xml"]
label = Alpha
category = Tests

[feed "$url/b.xml"]

[feed "$url/c.xml"]

[feed "$url/big.xml"]
label = Bulk

[feed "$url/missing.xml"]
label = Missing
EOF

# parse: no config, no store, no daemon needed.
fm_cli parse "$T/feeds/a.xml" --json >"$T/parse-a.json" 2>"$T/err"
is "$?" 0 "parse a.xml --json exits 0"
pycheck "parse a.xml --json: the normalized document" "$T/parse-a.json" '
assert d["format"] == "rss20", d["format"]
assert d["feed"]["title"] == "Alpha Site", d["feed"]
assert len(d["entries"]) == 2, len(d["entries"])
e = d["entries"][0]
assert e["title"] == "Alpha one", e
assert e["link"] == "http://example.org/a1", e
assert e["author"] == "Ann Author", e
assert e["published"] == "2024-01-01T10:00:00Z", e
assert "First paragraph" in (e["content"] or e["summary"]), e'

fm_cli parse "$T/feeds/b.xml" --json >"$T/parse-b.json" 2>/dev/null
pycheck "parse b.xml --json: Atom 1.0" "$T/parse-b.json" '
assert d["format"] == "atom10", d["format"]
assert [e["title"] for e in d["entries"]] == ["Bravo one", "Bravo two"]'

"$FEEDMUX" -c "$T/no-such.conf" parse --json "$T/feeds/a.xml" \
    >"$T/parse-nc.json" 2>"$T/err"
is "$?" 0 "parse reads no config: a missing -c file does not matter"
cmp -s "$T/parse-a.json" "$T/parse-nc.json"
ok $? "parse: options before or after FILE give the same document"

fm_cli parse - --json <"$T/feeds/a.xml" >"$T/parse-stdin.json" 2>/dev/null
cmp -s "$T/parse-a.json" "$T/parse-stdin.json"
ok $? "parse - reads stdin"

out=$(fm_cli parse "$T/feeds/a.xml" 2>/dev/null)
case $out in
*"format: rss20"*"title: Alpha Site"*"entries: 2"*)
	ok 0 "parse without --json: a short summary" ;;
*)
	ok 1 "parse without --json: a short summary"
	diag "$out" ;;
esac

fm_cli parse "$T/feeds/nope.xml" --json >"$T/out" 2>"$T/err"
is "$?" 1 "parse of a missing file exits 1"
is "$(cat "$T/err")" "feedmux: $T/feeds/nope.xml: No such file or directory" \
    "parse of a missing file: one clear line"
is "$(wc -c <"$T/out" | tr -d ' ')" 0 "parse of a missing file: no output"

fm_cli parse "$T/feeds/page.html" --json >"$T/out" 2>"$T/err"
is "$?" 1 "parse of an HTML page exits 1"
case $(head -1 "$T/err") in
"feedmux: $T/feeds/page.html: not a feed"*)
	ok 0 "parse of an HTML page: not a feed" ;;
*)
	ok 1 "parse of an HTML page: not a feed"
	diag "$(cat "$T/err")" ;;
esac

fm_cli parse "$T/feeds" >/dev/null 2>"$T/err"
is "$?" 1 "parse of a directory exits 1"

# HOSTILE-60: before the daemon ever ran there is no database.
fm_cli feeds >"$T/out" 2>"$T/err"
is "$?" 1 "feeds without a database exits 1"
is "$(cat "$T/err")" "feedmux: $T/feedmux.db: No such file or directory" \
    "feeds without a database: names the file"
fm_cli entries --json >/dev/null 2>&1
is "$?" 1 "entries without a database exits 1"
[ ! -e "$T/feedmux.db" ]
ok $? "the CLI does not create the database"

fm_cli refresh >/dev/null 2>"$T/err"
is "$?" 1 "refresh with no daemon exits 1"
case $(head -1 "$T/err") in
"feedmux: "?*)
	ok 0 "refresh with no daemon: says why" ;;
*)
	ok 1 "refresh with no daemon: says why" ;;
esac

fm_daemon_start

# Wait until every feed was polled and the stories are stored.
settled()
{
	fm_cli feeds --json >"$T/feeds.json" &&
	fm_cli entries --json --limit 0 >"$T/all.json" &&
	$PY -c '
import json, sys
f = json.load(open(sys.argv[1]))
e = json.load(open(sys.argv[2]))
t = [x["title"] for x in e]
sys.exit(not (len(f) == 5 and all(x["status"] != "new" for x in f) and
    {"Alpha one", "Alpha two", "Bravo one", "Bravo two"} <= set(t) and
    sum(x.startswith("Bulk item") for x in t) == 1000))' \
	    "$T/feeds.json" "$T/all.json"
}
fm_wait_for 600 settled
ok $? "the daemon polled every feed and stored the entries"

# The hostile feed may take one more poll cycle to land; wait for it too.
hostile()
{
	fm_cli entries --json --limit 0 >"$T/all.json" &&
	grep -q Evil "$T/all.json"
}
fm_wait_for 100 hostile
rc=$?
ok $rc "the entry with terminal escapes in its title is stored"
# How many stories the store should hold, so one missing story does not
# fail every later check.
total=1004
[ $rc -eq 0 ] && total=1005

# feeds --json: fields, labels, statuses, counts.
fm_cli feeds --json >"$T/feeds.json" 2>"$T/err"
is "$?" 0 "feeds --json exits 0"
pycheck "feeds --json: keys of every object" "$T/feeds.json" '
want = {"id", "url", "fetch_url", "label", "category", "enabled", "status",
    "last_fetch", "next_poll", "entries", "error"}
for f in d:
    assert want <= set(f), sorted(want - set(f))
    assert isinstance(f["id"], int) and isinstance(f["entries"], int), f
    assert f["enabled"] is True, f
    assert f["next_poll"] is None or re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", f["next_poll"]), f'
pycheck "feeds --json: the RSS feed with a label" "$T/feeds.json" '
f = [x for x in d if x["url"] == a[0] + "/a.xml"][0]
assert f["label"] == "Alpha", f
assert f["category"] == "Tests", f
assert f["status"] == "ok", f
assert f["entries"] == 2, f
assert f["error"] is None, f
assert f["fetch_url"] is None, f
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", f["last_fetch"]), f' \
    "$url"
pycheck "feeds --json: a feed without a label is named by its title" \
    "$T/feeds.json" '
f = [x for x in d if x["url"] == a[0] + "/b.xml"][0]
assert f["label"] == "Bravo Feed", f
assert f["category"] == "Uncategorized", f
assert (f["status"], f["entries"]) == ("ok", 2), f' "$url"
pycheck "feeds --json: 1000 entries counted for the big feed" "$T/feeds.json" '
f = [x for x in d if x["url"] == a[0] + "/big.xml"][0]
assert (f["label"], f["status"], f["entries"]) == ("Bulk", "ok", 1000), f' \
    "$url"
pycheck "feeds --json: a 404 is status error with the error text" \
    "$T/feeds.json" '
f = [x for x in d if x["url"] == a[0] + "/missing.xml"][0]
assert f["status"] == "error", f
assert isinstance(f["error"], str) and f["error"], f
assert f["entries"] == 0, f' "$url"
pycheck "feeds --json: in id order" "$T/feeds.json" '
ids = [x["id"] for x in d]
assert ids == sorted(ids) and len(set(ids)) == 5, ids'

# The feeds table: a header and one row per feed, nothing cut off a pipe.
fm_cli feeds >"$T/feeds.txt" 2>"$T/err"
is "$?" 0 "feeds exits 0"
is "$(wc -l <"$T/feeds.txt" | tr -d ' ')" 6 "feeds: a header and 5 rows"
case $(head -1 "$T/feeds.txt") in
*"ID  LABEL"*"STATUS"*"ENTRIES"*)
	ok 0 "feeds: the header" ;;
*)
	ok 1 "feeds: the header"
	diag "$(head -1 "$T/feeds.txt")" ;;
esac
err404=$($PY -c '
import json, sys
print([x for x in json.load(open(sys.argv[1]))
    if x["url"].endswith("/missing.xml")][0]["error"])' "$T/feeds.json")
grep "Missing" "$T/feeds.txt" | grep -q -F -e "$err404"
ok $? "feeds: the full error text when stdout is not a terminal"
grep -q "Alpha .*Tests .*ok .*2" "$T/feeds.txt"
ok $? "feeds: the row of a feed"
no_escapes "$T/feeds.txt"
okpy $? "feeds: the hostile feed title is printed without escapes (HOSTILE-58)"

# entries --json: newest first, fields, sources.
fm_cli entries --json --limit 0 >"$T/all.json" 2>"$T/err"
is "$?" 0 "entries --json --limit 0 exits 0"
pycheck "entries --json: newest first" "$T/all.json" '
t = [x["title"] for x in d]
assert t[:4] == ["Bravo two", "Alpha two", "Bravo one", "Alpha one"], t[:5]
ts = [x["published"] or x["updated"] for x in d]
assert all(ts), "an entry without a date"
assert ts == sorted(ts, reverse=True), "not newest first"
assert len(d) == int(a[0]), len(d)' "$total"
pycheck "entries --json: keys and values of an RSS entry" "$T/all.json" '
want = ["id", "title", "link", "author", "published", "updated", "label",
    "sources"]
for x in d:
    assert sorted(x) == sorted(want), sorted(x)
    assert isinstance(x["id"], int), x
e = [x for x in d if x["title"] == "Alpha one"][0]
assert e["link"] == "http://example.org/a1", e
assert e["author"] == "Ann Author", e
assert e["published"] == "2024-01-01T10:00:00Z", e
assert e["label"] == "Alpha", e
assert e["sources"] == ["Alpha"], e'
pycheck "entries --json: an Atom entry with only an updated time" \
    "$T/all.json" '
e = [x for x in d if x["title"] == "Bravo two"][0]
assert e["published"] is None, e
assert e["updated"] == "2024-01-04T10:00:00Z", e
assert e["link"] == "http://example.net/b2", e
assert e["label"] == "Bravo Feed" and e["sources"] == ["Bravo Feed"], e'
pycheck "entries --json: ids are unique" "$T/all.json" '
ids = [x["id"] for x in d]
assert len(ids) == len(set(ids))'

fm_cli entries --json >"$T/default.json" 2>/dev/null
pycheck "entries --json: 50 entries by default" "$T/default.json" '
assert len(d) == 50, len(d)
assert [x["id"] for x in d] == [x["id"] for x in json.load(open(a[0]))][:50]' \
    "$T/all.json"
fm_cli entries --limit 2 --json >"$T/two.json" 2>/dev/null
pycheck "entries --limit 2: the newest two" "$T/two.json" '
assert [x["title"] for x in d] == ["Bravo two", "Alpha two"], d'
fm_cli --json entries --limit=2 >"$T/two-b.json" 2>/dev/null
cmp -s "$T/two.json" "$T/two-b.json"
ok $? "entries: --json before the verb and --limit=N work the same"

# The entries table.
fm_cli entries >"$T/entries.txt" 2>"$T/err"
is "$?" 0 "entries exits 0"
is "$(wc -l <"$T/entries.txt" | tr -d ' ')" 51 "entries: a header and 50 rows"
$PY -c '
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
h = lines[0]
assert h.split() == ["ID", "DATE", "SOURCE", "TITLE"], h
row = [l for l in lines if "Alpha one" in l][0]
assert row.index("Alpha one") == h.index("TITLE"), (row, h)
assert "2024-01-01 10:00" in row, row
assert " Alpha " in row, row
row = [l for l in lines if "Bravo two" in l][0]
assert row.index("Bravo two") == h.index("TITLE"), (row, h)
' "$T/entries.txt" >"$T/py.out" 2>&1
okpy $? "entries: aligned columns id, date, source, title"

# show ID: readable text with the paragraphs kept.
a1=$($PY -c '
import json, sys
print([x["id"] for x in json.load(open(sys.argv[1]))
    if x["title"] == "Alpha one"][0])' "$T/all.json")
fm_cli show "$a1" >"$T/show.txt" 2>"$T/err"
is "$?" 0 "show ID exits 0"
$PY -c '
import sys
s = open(sys.argv[1], encoding="utf-8").read()
lines = s.splitlines()
assert lines[0] == "Alpha one", lines[:3]
assert lines[1].startswith("Posted on "), lines[1]
assert lines[1].endswith(" by Ann Author"), lines[1]
assert "2024" in lines[1], lines[1]
assert "http://example.org/a1" in lines, lines[:5]
assert "[Alpha]" in lines, lines[:5]
p = "First paragraph of alpha one.\n\nSecond paragraph of alpha one.\n"
assert "\n" + p in s, repr(s)
' "$T/show.txt" >"$T/py.out" 2>&1
okpy $? "show: title, Posted on DATE by AUTHOR, link, source, paragraphs"

fm_cli show "$a1" --json >"$T/show.json" 2>/dev/null
pycheck "show --json: the entry with content and text" "$T/show.json" '
assert d["id"] == int(a[0]), d
assert d["title"] == "Alpha one", d
assert d["sources"] == ["Alpha"], d
assert "<p>" in d["content"], d["content"]
p = "First paragraph of alpha one.\n\nSecond paragraph"
assert p in d["text"], d["text"]' \
    "$a1"

bulk=$($PY -c '
import json, sys
print([x["id"] for x in json.load(open(sys.argv[1]))
    if x["title"].startswith("Bulk item 0007")][0])' "$T/all.json")
fm_cli show "$bulk" >"$T/show-bulk.txt" 2>/dev/null
$PY -c '
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) > 8, lines
assert max(len(l) for l in lines) <= 72, max(lines, key=len)
assert lines[0].startswith("Bulk item 0007 lorem"), lines[0]
' "$T/show-bulk.txt" >"$T/py.out" 2>&1
okpy $? "show: long title and text wrapped at 72 columns off a terminal"

fm_cli show 99999999 >"$T/out" 2>"$T/err"
is "$?" 1 "show of an unknown id exits 1"
is "$(cat "$T/err")" "feedmux: no entry 99999999" \
    "show of an unknown id: says so"

# HOSTILE-58: escapes in titles, authors and text never reach the terminal.
evil=$($PY -c '
import json, sys
print([x["id"] for x in json.load(open(sys.argv[1]))
    if "Evil" in x["title"]][0])' "$T/all.json" 2>/dev/null)
if [ -n "$evil" ]; then
	diag "stored title: $($PY -c '
import json, sys
print(ascii([x["title"] for x in json.load(open(sys.argv[1]))
    if "Evil" in x["title"]][0]))' "$T/all.json")"
	fm_cli entries --limit 0 >"$T/entries-all.txt" 2>/dev/null
	no_escapes "$T/entries-all.txt"
	okpy $? "entries: no ESC, CSI, BEL, CR or bidi override printed"
	grep -q "Evil.*title.*end" "$T/entries-all.txt"
	ok $? "entries: the visible text of the hostile title is kept"
	fm_cli show "$evil" >"$T/show-evil.txt" 2>/dev/null
	no_escapes "$T/show-evil.txt"
	okpy $? "show: no ESC, CSI, BEL, CR or bidi override printed"
	grep -q "Red .*alert.* here" "$T/show-evil.txt"
	ok $? "show: the visible text of the hostile content is kept"
	fm_cli show "$evil" --json >"$T/show-evil.json" 2>/dev/null
	no_escapes "$T/show-evil.json" c0
	okpy $? "show --json: C0 controls are escaped by the JSON encoder"
else
	for i in 1 2 3 4 5; do
		ok 1 "the hostile entry is missing: cannot check HOSTILE-58"
	done
fi

# On a terminal, tables are cut to its width.
cat >"$T/onatty.py" <<'EOF'
import fcntl, os, pty, struct, sys, termios
cols = int(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
    os.execv(sys.argv[3], sys.argv[3:])
out = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
lines = out.decode("utf-8").replace("\r\n", "\n").splitlines()
assert os.WEXITSTATUS(status) == 0, status
assert len(lines) > 5, lines
wide = [l for l in lines if len(l) > cols]
assert not wide, wide[:2]
assert sys.argv[2] != "cut" or any("\u2026" in l for l in lines), \
    "nothing was cut"
print(len(lines))
EOF
$PY "$T/onatty.py" 60 cut "$FEEDMUX" -c "$T/feedmux.conf" entries \
    >"$T/py.out" 2>&1
okpy $? "entries on a 60-column terminal: every line fits, long titles cut"
$PY "$T/onatty.py" 80 - "$FEEDMUX" -c "$T/feedmux.conf" feeds \
    >"$T/py.out" 2>&1
okpy $? "feeds on an 80-column terminal: every line fits"

# HOSTILE-61: a reader that goes away is a quiet, successful end.
(fm_cli entries --limit 0 2>"$T/pipe.err"; echo $? >"$T/pipe.rc") |
    head -1 >"$T/pipe.out"
is "$(cat "$T/pipe.rc")" 0 "entries | head -1: the CLI exits 0"
is "$(cat "$T/pipe.err")" "" "entries | head -1: nothing on stderr"
case $(cat "$T/pipe.out") in
*"ID  DATE"*)
	ok 0 "entries | head -1: the header line" ;;
*)
	ok 1 "entries | head -1: the header line" ;;
esac
(fm_cli entries --json --limit 0 2>"$T/pipe.err"; echo $? >"$T/pipe.rc") |
    head -1 >/dev/null
is "$(cat "$T/pipe.rc"):$(cat "$T/pipe.err")" "0:" \
    "entries --json | head -1: exit 0, nothing on stderr"

# Usage errors (HOSTILE-62).
big=$($PY -c 'print("9" * 65536)')
usage_error "--limit -1" entries --limit -1
usage_error "--limit 99999999999999999999" entries --limit 99999999999999999999
usage_error "--limit ''" entries --limit ""
usage_error "--limit 5x" entries --limit 5x
usage_error "--limit ' 5'" entries --limit " 5"
usage_error "--limit +5" entries --limit +5
usage_error "--limit without N" entries --limit
usage_error "--limit of 64 KB" entries --limit "$big"
usage_error "--limit of non-UTF-8 bytes" entries --limit "$(printf '\377\376')"
usage_error "show abc" show abc
usage_error "show ''" show ""
usage_error "show -1" show -1
usage_error "show without an id" show
usage_error "show with two ids" show 1 2
usage_error "show of a 64 KB id" show "$big"
usage_error "show of a huge id" show 99999999999999999999
usage_error "refresh of a 64 KB feed name" refresh "$big"
usage_error "refresh of a non-UTF-8 feed name" refresh "$(printf 'a\377')"
usage_error "an unknown verb" frobnicate
usage_error "an unknown option" entries --frob
usage_error "no verb"
usage_error "--limit on feeds" feeds --limit 5
usage_error "a non-UTF-8 verb" "$(printf '\377')"

out=$(fm_cli --help 2>/dev/null)
is "$?" 0 "--help exits 0"
case $out in
usage:*entries*show*refresh*parse*check-config*)
	ok 0 "--help lists the verbs" ;;
*)
	ok 1 "--help lists the verbs" ;;
esac
fm_cli help >/dev/null 2>&1
is "$?" 0 "help exits 0"
fm_cli --version | grep -q '^feedmux [0-9][0-9.]*'
ok $? "--version prints the version"

# refresh reaches the daemon: a new request for the feed follows.
count_a()
{
	grep -c ' /a\.xml ' "$T/feedsrv.log" 2>/dev/null
}
before=$(count_a)
fm_cli refresh Alpha >"$T/out" 2>"$T/err"
is "$?" 0 "refresh FEED exits 0 with the daemon running"
is "$(cat "$T/err")" "" "refresh FEED: nothing on stderr"
more_requests()
{
	[ "$(count_a)" -gt "$before" ]
}
fm_wait_for 150 more_requests
ok $? "refresh FEED: the daemon polls the feed again"

fm_cli refresh "$url/does-not-exist.xml" >/dev/null 2>"$T/err"
is "$?" 1 "refresh of an unknown feed exits 1"
case $(head -1 "$T/err") in
"feedmux: "?*)
	ok 0 "refresh of an unknown feed: says why" ;;
*)
	ok 1 "refresh of an unknown feed: says why" ;;
esac

# The CLI reads while the daemon polls and writes.
before=$(count_a)
fm_cli refresh
is "$?" 0 "refresh (every feed) exits 0"
fails=0
i=0
while [ $i -lt 20 ]; do
	fm_cli entries --json --limit 0 >"$T/during.json" 2>>"$T/during.err" ||
	    fails=$((fails + 1))
	fm_cli feeds >/dev/null 2>>"$T/during.err" || fails=$((fails + 1))
	i=$((i + 1))
done
is "$fails" 0 "40 reads while the daemon polls: no failure"
fm_wait_for 150 more_requests
ok $? "refresh: the daemon polls again"
pycheck "a read during polls sees every entry" "$T/during.json" '
assert len(d) == int(a[0]), len(d)' "$total"

fm_daemon_stop >"$T/stop.out"
is "$(cat "$T/stop.out")" 0 "feedmuxd stops with status 0"

fm_cli refresh >"$T/out" 2>"$T/err"
is "$?" 1 "refresh with the daemon stopped exits 1"
is "$(wc -l <"$T/err" | tr -d ' ')" 1 \
    "refresh with the daemon stopped: one line"
case $(cat "$T/err") in
"feedmux: "?*)
	ok 0 "refresh with the daemon stopped: says why" ;;
*)
	ok 1 "refresh with the daemon stopped: says why" ;;
esac

fm_cli entries --json --limit 0 >"$T/after.json" 2>/dev/null
is "$?" 0 "entries with the daemon stopped exits 0"
pycheck "entries with the daemon stopped: the store is all there" \
    "$T/after.json" '
assert len(d) == int(a[0]), len(d)' "$total"

done_testing
