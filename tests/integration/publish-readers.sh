#!/bin/sh
# Every output, as real readers read it: Debian's python3-feedparser
# (bozo 0, every field checked against what the sources published) reads
# the Atom, RSS and JSON Feed documents of everything and of a category;
# sfeed reads the Atom and RSS ones; xmllint finds them well-formed; the
# Atom documents have the structure RFC 4287 asks for (checked here
# element by element: no RELAX NG schema of RFC 4287 ships in Debian,
# so no schema validation in this test); the page and OPML parse.

. "$top_srcdir/tests/integration/lib.sh"

$PY -c 'import feedparser' 2>/dev/null ||
    skip_all "python3-feedparser is not installed"
command -v sfeed >/dev/null 2>&1 || skip_all "sfeed is not installed"
command -v xmllint >/dev/null 2>&1 || skip_all "xmllint is not installed"

fm_setup
mkdir "$T/feeds"
cp "$FIXTURES"/pipeline/* "$T/feeds/"
fm_feedsrv "$T/feeds"
fm_config <<EOT
[feed "http://127.0.0.1:$FEEDSRV_PORT/alpha.rss"]
label = Alpha News
category = North Korea
[feed "http://127.0.0.1:$FEEDSRV_PORT/beta.atom"]
category = North Korea
[feed "http://127.0.0.1:$FEEDSRV_PORT/gamma.rss"]
label = Gamma
EOT
fm_daemon_start
U=http://127.0.0.1:$DAEMON_PORT
six()
{
	[ "$(fm_get /feed.atom | grep -c '<entry')" -eq 6 ]
}
fm_wait_for 100 six
ok $? "the daemon publishes the six stories"

# What the sources published, newest first (Gamma's story is undated:
# its date is when it was first seen, so it is first).
cat >"$T/expect.json" <<'EOT'
[
 {"title": "Undated dispatch", "author": "Gamma", "source": "Gamma",
  "link": null, "date": null, "cat": "uncategorized"},
 {"title": "Summit date set", "author": "Lee Su-bin", "source": "Beta Wire",
  "date": "2019-04-26T07:30:00Z", "cat": "north-korea"},
 {"title": "Markets steady & calm", "author": "Min-jun Park",
  "source": "Alpha News", "date": "2019-04-24T23:00:00Z",
  "cat": "north-korea"},
 {"title": "Talks resume in Panmunjom", "author": "Jane Doe",
  "source": "Alpha News", "date": "2019-04-24T12:15:00Z",
  "link": "https://alpha.example/2019/04/talks", "cat": "north-korea"},
 {"title": "Editorial note", "author": "Alpha Desk", "source": "Alpha News",
  "date": "2019-04-23T10:30:00Z", "cat": "north-korea"},
 {"title": "Rail link study", "author": "Beta Staff", "source": "Beta Wire",
  "date": "2019-04-22T16:45:00Z", "cat": "north-korea"}
]
EOT

for view in feed c/north-korea c/uncategorized; do
	for ext in atom rss json; do
		doc=$T/$(echo "$view" | tr / _).$ext
		fm_get "/$view.$ext" >"$doc"
		ok $? "GET /$view.$ext"
		$PY - "$doc" "$ext" "$view" "$T/expect.json" "$U" \
		    >"$T/check.out" 2>&1 <<'EOT'
import calendar, json, sys, time
import feedparser

path, ext, view, expect_path, base = sys.argv[1:6]
with open(expect_path) as f:
    expect = json.load(f)
if view != "feed":
    expect = [e for e in expect if e["cat"] == view[2:]]
bad = []
if ext != "json":
    # As a subscriber reads it: over HTTP, with the Content-Type.
    d = feedparser.parse("%s/%s.%s" % (base, view, ext))
    if d.bozo:
        bad.append("bozo: %r" % d.bozo_exception)
    want_version = {"atom": "atom10", "rss": "rss20"}[ext]
    if d.version != want_version:
        bad.append("version %r" % d.version)
else:
    # Debian's feedparser (6.0.10) has no JSON Feed support: read the
    # fields JSON Feed 1.1 defines into the shape feedparser gives.
    with open(path) as f:
        j = json.load(f)
    def item(i):
        e = {"title": i.get("title"), "id": i.get("id"),
             "link": i.get("url"), "content": i.get("content_html"),
             "summary": i.get("summary")}
        if i.get("authors"):
            e["author"] = i["authors"][0].get("name")
        if i.get("date_published"):
            e["published"] = i["date_published"]
            e["published_parsed"] = time.strptime(i["date_published"],
                                                  "%Y-%m-%dT%H:%M:%SZ")
        return e
    class D(dict):
        __getattr__ = dict.get
    d = D(feed={"title": j.get("title")}, entries=[item(i) for i in
          j.get("items", [])])
if len(d.entries) != len(expect):
    bad.append("%d entries, want %d" % (len(d.entries), len(expect)))
if not d.feed.get("title"):
    bad.append("no feed title")
for e, x in zip(d.entries, expect):
    w = x["title"]
    if e.get("title") != w:
        bad.append("title %r, want %r" % (e.get("title"), w))
    if e.get("author") != x["author"]:
        bad.append("%s: author %r, want %r" % (w, e.get("author"), x["author"]))
    if not e.get("id"):
        bad.append("%s: no id" % w)
    if x.get("link") and e.get("link") != x["link"]:
        bad.append("%s: link %r" % (w, e.get("link")))
    if x["date"] is not None:
        got = e.get("published_parsed")
        want = time.strptime(x["date"], "%Y-%m-%dT%H:%M:%SZ")
        if got is None or calendar.timegm(got) != calendar.timegm(want):
            bad.append("%s: published %r, want %s" % (w, e.get("published"), x["date"]))
    elif e.get("published_parsed") is None:
        bad.append("%s: no date" % w)
    if not (e.get("content") or e.get("summary")):
        bad.append("%s: no text" % w)
    # Where the story came from, in each format's own way.
    if ext == "atom":
        src = e.get("source", {}).get("title")
    elif ext == "rss":
        src = e.get("source", {}).get("title")
    else:
        src = None
    if ext != "json" and src != x["source"]:
        bad.append("%s: source %r, want %r" % (w, src, x["source"]))
if ext == "json":
    with open(path) as f:
        j = json.load(f)
    if j.get("version") != "https://jsonfeed.org/version/1.1":
        bad.append("JSON Feed version %r" % j.get("version"))
    for i, x in zip(j["items"], expect):
        srcs = i.get("_feedmux", {}).get("sources", [])
        if not srcs or srcs[0].get("label") != x["source"]:
            bad.append("%s: _feedmux.sources %r" % (x["title"], srcs))
        if [a.get("name") for a in i.get("authors", [])] != [x["author"]]:
            bad.append("%s: authors %r" % (x["title"], i.get("authors")))
    if j.get("feed_url") != "%s/%s.json" % (base, view):
        bad.append("feed_url %r" % j.get("feed_url"))
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
EOT
		rc=$?
		cat "$T/check.out"
		ok $rc "feedparser reads /$view.$ext: bozo 0, every field right"
	done

	# sfeed: Atom and RSS.
	for ext in atom rss; do
		doc=$T/$(echo "$view" | tr / _).$ext
		sfeed <"$doc" >"$T/sfeed.tsv" 2>"$T/sfeed.err"
		ok $? "sfeed reads /$view.$ext"
		got=$(cut -f 2 "$T/sfeed.tsv" | paste -sd '|' -)
		want=$($PY -c 'import json,sys; v=sys.argv[2]; print("|".join(e["title"] for e in json.load(open(sys.argv[1])) if v == "feed" or e["cat"] == v[2:]))' "$T/expect.json" "$view")
		is "$got" "$want" "sfeed: the titles of /$view.$ext, in order"
		got=$(cut -f 7 "$T/sfeed.tsv" | paste -sd '|' -)
		want=$($PY -c 'import json,sys; v=sys.argv[2]; print("|".join(e["author"] for e in json.load(open(sys.argv[1])) if v == "feed" or e["cat"] == v[2:]))' "$T/expect.json" "$view")
		is "$got" "$want" "sfeed: the authors of /$view.$ext"
		awk -F '\t' '$1 == "" || $6 == "" { exit 1 }' "$T/sfeed.tsv"
		ok $? "sfeed: every entry of /$view.$ext has a date and an id"
		xmllint --noout --nonet "$doc" 2>"$T/xmllint.err"
		ok $? "xmllint: /$view.$ext is well-formed"
	done

	# RFC 4287, element by element.
	doc=$T/$(echo "$view" | tr / _).atom
	$PY - "$doc" >"$T/rfc.out" 2>&1 <<'EOT'
import re, sys, xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
bad = []
date = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
def one(el, name, where):
    n = len(el.findall(A + name))
    if n != 1:
        bad.append("%s: %d atom:%s" % (where, n, name))
def uri(s):
    return re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", s or "") is not None
feed = ET.parse(sys.argv[1]).getroot()
if feed.tag != A + "feed":
    bad.append("root is %s" % feed.tag)
for n in ("id", "title", "updated"):
    one(feed, n, "feed")
if not uri(feed.findtext(A + "id")):
    bad.append("feed id is no IRI")
if not date.match(feed.findtext(A + "updated") or ""):
    bad.append("feed updated is no date-time")
has_author = feed.find(A + "author") is not None
selfs = [l for l in feed.findall(A + "link") if l.get("rel") == "self"]
if len(selfs) != 1:
    bad.append("feed: %d self links" % len(selfs))
for i, e in enumerate(feed.findall(A + "entry")):
    w = "entry %d" % (i + 1)
    for n in ("id", "title", "updated"):
        one(e, n, w)
    if not uri(e.findtext(A + "id")):
        bad.append(w + ": id is no IRI")
    for n in ("updated", "published"):
        v = e.findtext(A + n)
        if v is not None and not date.match(v):
            bad.append("%s: %s %r" % (w, n, v))
    if not has_author and e.find(A + "author") is None and \
       e.find(A + "source/" + A + "author") is None:
        bad.append(w + ": no author (4.1.2)")
    alts = [l for l in e.findall(A + "link") if l.get("rel", "alternate") == "alternate"]
    if e.find(A + "content") is None and not alts:
        bad.append(w + ": no content and no alternate link (4.1.2)")
    pairs = [(l.get("type"), l.get("hreflang")) for l in alts]
    if len(pairs) != len(set(pairs)):
        bad.append(w + ": two alternate links of one type (4.1.1)")
    for l in e.findall(A + "link"):
        if not l.get("href"):
            bad.append(w + ": a link without href")
    if len(e.findall(A + "content")) > 1 or len(e.findall(A + "summary")) > 1:
        bad.append(w + ": more than one content or summary")
    src = e.find(A + "source")
    if src is None or not src.findtext(A + "title"):
        bad.append(w + ": no atom:source title")
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
EOT
	rc=$?
	cat "$T/rfc.out"
	ok $rc "/$view.atom has the structure RFC 4287 asks for"
done

# The page and the OPML document parse; the page links to every feed of
# its view.
fm_get /c/north-korea >"$T/page.html"
xmllint --html --noout --nonet "$T/page.html" 2>"$T/html.err"
ok $? "the category page parses as HTML without error"
n=$(grep -c '<link rel="alternate" type="application/\(atom+xml\|rss+xml\|feed+json\)"[^>]*href="'"$U"'/c/north-korea\.\(atom\|rss\|json\)"' "$T/page.html")
is "$n" 3 "the page offers its Atom, RSS and JSON feeds for autodiscovery"
fm_get /opml >"$T/sources.opml"
xmllint --noout --nonet "$T/sources.opml"
ok $? "the OPML document is well-formed"
got=$($PY - "$T/sources.opml" <<'EOT'
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
out = [r.get("version")]
for o in r.find("body"):
    for c in o:
        out.append("%s/%s/%s" % (o.get("text"), c.get("text"),
                                 c.get("xmlUrl").rsplit("/", 1)[-1]))
print(" ".join(out))
EOT
)
is "$got" "2.0 North Korea/Alpha News/alpha.rss North Korea/Beta Wire/beta.atom Uncategorized/Gamma/gamma.rss" \
    "OPML 2.0: each source under its category, with its feed URL"

fm_daemon_stop >/dev/null
is "$STOP_STATUS" 0 "SIGTERM ends the daemon with status 0"
done_testing
