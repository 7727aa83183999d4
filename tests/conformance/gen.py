#!/usr/bin/env python3
"""Generate the parser conformance corpus: feed documents written for
feedmux, each with the `feedmux parse --json` output it must give.

The expected output is computed here from what each document means
(Python's datetime for dates, its codecs for encodings, urllib.parse for
relative URLs, a model of each entry for the formats), never by running
feedmux. Run from anywhere; it rewrites tests/conformance/*/gen-*.

    python3 tests/conformance/gen.py
"""

import base64
import datetime as dt
import json
import os
import shutil
from urllib.parse import urljoin
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = "https://example.org/feed.xml"   # the test's base URL
UTC = dt.timezone.utc

count = 0


def feed(title="", link="", subtitle="", updated=None, language=None,
         author=None, **hints):
    f = {"title": title, "link": link, "subtitle": subtitle,
         "updated": updated, "language": language, "author": author}
    f.update(hints)
    return f


def entry(id, title="", link=None, author=None, published=None,
          updated=None, summary=None, content=None, categories=(),
          enclosures=()):
    return {"id": id, "title": title, "link": link, "author": author,
            "published": published, "updated": updated,
            "summary": summary, "content": content,
            "categories": list(categories),
            "enclosures": [{"url": u, "type": t, "length": n}
                           for (u, t, n) in enclosures]}


def write(group, name, data, expect=None, err=None, charset=None,
          malformed=None, ext="xml"):
    """One case: the document, and its golden .json or .err."""
    global count
    d = os.path.join(HERE, group)
    os.makedirs(d, exist_ok=True)
    stem = os.path.join(d, "gen-" + name)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(stem + "." + ext, "wb") as f:
        f.write(data)
    if err is not None:
        with open(stem + ".err", "w") as f:
            f.write(err + "\n")
    else:
        with open(stem + ".json", "w", encoding="utf-8") as f:
            json.dump(expect, f, indent=2, ensure_ascii=False)
            f.write("\n")
    if charset is not None:
        with open(stem + ".charset", "w") as f:
            f.write(charset + "\n")
    if malformed is not None:
        with open(stem + ".malformed", "w") as f:
            f.write(malformed + "\n")
    count += 1


def iso(t):
    return None if t is None else t.astimezone(UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def rss20(channel_extra, items, version="2.0", ns=""):
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<rss version="%s"%s><channel>%s%s</channel></rss>\n'
            % (version, ns, channel_extra, "".join(items)))


# ---------------------------------------------------------------- dates

INSTANTS = [
    dt.datetime(2019, 4, 24, 12, 15, 0, tzinfo=UTC),
    dt.datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
    dt.datetime(2000, 2, 29, 0, 0, 0, tzinfo=UTC),
    dt.datetime(2038, 1, 19, 3, 14, 8, tzinfo=UTC),
    dt.datetime(1970, 1, 1, 0, 0, 0, tzinfo=UTC),
    dt.datetime(2024, 7, 4, 6, 5, 4, tzinfo=UTC),
]
OFFSETS = [0, 330, -300, 60, -600, 845, -30]
NAMED = {"UT": 0, "GMT": 0, "Z": 0, "EST": -300, "EDT": -240,
         "CST": -360, "CDT": -300, "MST": -420, "MDT": -360,
         "PST": -480, "PDT": -420, "A": 0, "M": 0, "Y": 0}
WD = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
       "Oct", "Nov", "Dec"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]


def zone(minutes, colon=False):
    sign = "+" if minutes >= 0 else "-"
    m = abs(minutes)
    return "%s%02d%s%02d" % (sign, m // 60, ":" if colon else "", m % 60)


def rfc822(local, z, weekday=True, seconds=True, year2=False,
           day_pad=True, longmonth=False, wrongday=False):
    wd = WD[(local.weekday() + (3 if wrongday else 0)) % 7]
    day = "%02d" % local.day if day_pad else "%d" % local.day
    mon = MONTHS[local.month - 1] if longmonth else MON[local.month - 1]
    year = "%02d" % (local.year % 100) if year2 else "%04d" % local.year
    tm = local.strftime("%H:%M:%S" if seconds else "%H:%M")
    s = "%s %s %s %s %s" % (day, mon, year, tm, z)
    return (wd + ", " + s) if weekday else s


def date_case(name, text, expect, kind="rss"):
    if kind == "rss":
        doc = rss20("<title>Dates</title><link>https://example.org/</link>",
                    ["<item><title>d</title><guid isPermaLink=\"false\">"
                     "d</guid><pubDate>%s</pubDate></item>" % escape(text)])
        exp = {"format": "rss20",
               "feed": feed("Dates", "https://example.org/"),
               "entries": [entry("d", "d", published=expect)]}
    else:
        doc = ('<?xml version="1.0" encoding="utf-8"?>\n'
               '<feed xmlns="http://www.w3.org/2005/Atom"><title>Dates'
               '</title><id>urn:x</id><entry><id>urn:d</id><title>d</title>'
               '<published>%s</published><updated>%s</updated></entry>'
               '</feed>\n' % (escape(text), escape(text)))
        exp = {"format": "atom10", "feed": feed("Dates"),
               "entries": [entry("urn:d", "d", published=expect,
                                 updated=expect)]}
    write("dates", name, doc, exp)


def gen_dates():
    n = 0
    for i, t in enumerate(INSTANTS):
        for off in OFFSETS:
            local = t.astimezone(dt.timezone(dt.timedelta(minutes=off)))
            n += 1
            date_case("rfc822-%02d" % n, rfc822(local, zone(off)), iso(t))
            n += 1
            date_case("iso-%02d" % n, local.isoformat(), iso(t), "atom")
        local = t
        variants = [
            ("noweekday", rfc822(local, "GMT", weekday=False), iso(t)),
            ("noseconds", rfc822(local, "+0000", seconds=False),
             iso(t.replace(second=0))),
            ("year2", rfc822(local, "GMT", year2=True), iso(t)),
            ("unpadded", rfc822(local, "GMT", day_pad=False), iso(t)),
            ("longmonth", rfc822(local, "GMT", longmonth=True), iso(t)),
            ("wrongday", rfc822(local, "GMT", wrongday=True), iso(t)),
            ("iso-z", t.strftime("%Y-%m-%dT%H:%M:%SZ"), iso(t)),
            ("iso-lower", t.strftime("%Y-%m-%dt%H:%M:%Sz"), iso(t)),
            ("iso-space", t.strftime("%Y-%m-%d %H:%M:%SZ"), iso(t)),
            ("iso-frac", t.strftime("%Y-%m-%dT%H:%M:%S.987654Z"), iso(t)),
            ("iso-nosec", t.strftime("%Y-%m-%dT%H:%MZ"),
             iso(t.replace(second=0))),
            ("iso-date", t.strftime("%Y-%m-%d"),
             iso(t.replace(hour=0, minute=0, second=0))),
            ("iso-month", t.strftime("%Y-%m"),
             iso(t.replace(day=1, hour=0, minute=0, second=0))),
            ("iso-year", t.strftime("%Y"),
             iso(t.replace(month=1, day=1, hour=0, minute=0, second=0))),
            ("iso-nozone", t.strftime("%Y-%m-%dT%H:%M:%S"), iso(t)),
        ]
        if t.year < 2000 or t.year >= 2050:
            variants = [v for v in variants if v[0] != "year2"]
        for (v, text, exp) in variants:
            date_case("%s-%d" % (v, i), text, exp,
                      "atom" if v.startswith("iso") else "rss")
    t = INSTANTS[0]
    for z, off in NAMED.items():
        local = t.astimezone(dt.timezone(dt.timedelta(minutes=off)))
        date_case("named-%s" % z, rfc822(local, z), iso(t))
    # Two-digit years: RFC 2822 4.3.
    for y2, y4 in (("49", 2049), ("50", 1950), ("00", 2000), ("99", 1999)):
        date_case("year2-%s" % y2, "01 Jan %s 00:00:00 GMT" % y2,
                  "%d-01-01T00:00:00Z" % y4)
    bad = ["", "not a date", "Tue, 31 Feb 2024 00:00:00 GMT",
           "2019-13-01", "2019-02-30", "0000-01-01T00:00:00Z",
           "99999-01-01T00:00:00Z", "Wed, 24 Apr 2019 12:15:00 +9999",
           "1e10", "2019-04-24T25:00:00Z", "yesterday",
           "Wed, 32 Apr 2019 12:15:00 GMT", "2019-04-24T12:61:00Z",
           "Foo, 24 Bar 2019 12:15:00 GMT", "24/04/2019"]
    for i, b in enumerate(bad):
        date_case("invalid-%02d" % i, b, None)
        date_case("invalid-atom-%02d" % i, b, None, "atom")


# ------------------------------------------------------------ encodings

SAMPLES = [
    ("utf-8", "Grüße, 日本語, ελληνικά — “quoted” 🎉"),
    ("iso-8859-1", "Café déjà vu, naïve façade, 50 °C ±1"),
    ("windows-1252", "“Smart” quotes – dashes… €5 œuvre"),
    ("iso-8859-2", "Zażółć gęślą jaźń, Příliš žluťoučký"),
    ("iso-8859-5", "Съешь же ещё этих мягких"),
    ("iso-8859-7", "Ξεσκεπάζω την ψυχοφθόρα"),
    ("iso-8859-15", "Euro € œ Ÿ Š"),
    ("koi8-r", "Широкая электрификация"),
    ("windows-1251", "Чешская республика"),
    ("shift_jis", "日本語のテキスト、カタカナ"),
    ("euc-jp", "いろはにほへと 漢字"),
    ("euc-kr", "한국어 텍스트"),
    ("gb2312", "简体中文测试"),
    ("big5", "繁體中文測試"),
    ("gb18030", "中文 €"),
]


def enc_doc(text, decl):
    d = ('<?xml version="1.0" encoding="%s"?>\n' % decl) if decl else ""
    return (d + '<rss version="2.0"><channel><title>%s</title>'
            '<link>https://example.org/</link><item><title>%s</title>'
            '<guid isPermaLink="false">1</guid></item></channel></rss>\n'
            % (escape(text), escape(text)))


def enc_expect(text):
    return {"format": "rss20",
            "feed": feed(text, "https://example.org/"),
            "entries": [entry("1", text)]}


def gen_encodings():
    for enc, text in SAMPLES:
        name = enc.replace("_", "-")
        write("encodings", "decl-" + name,
              enc_doc(text, enc).encode(enc), enc_expect(text))
        write("encodings", "charset-" + name,
              enc_doc(text, None).encode(enc), enc_expect(text),
              charset=enc)
        # The transport's charset beats the declaration (RFC 7303 3.2).
        if enc not in ("utf-8",):
            write("encodings", "charset-beats-decl-" + name,
                  enc_doc(text, "utf-8").encode(enc), enc_expect(text),
                  charset=enc)
    text = "Ünïcödé ✓ 𝄞"
    for enc, bom in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
                     ("utf-32-le", b"\xff\xfe\x00\x00"),
                     ("utf-32-be", b"\x00\x00\xfe\xff")):
        body = enc_doc(text, "utf-16" if "16" in enc else "utf-32")
        write("encodings", "bom-" + enc, bom + body.encode(enc),
              enc_expect(text))
        # A BOM beats a contradicting charset.
        write("encodings", "bom-beats-charset-" + enc,
              bom + body.encode(enc), enc_expect(text), charset="iso-8859-1")
        if "16" in enc:
            write("encodings", "nobom-" + enc,
                  enc_doc(text, None).encode(enc), enc_expect(text))
            write("encodings", "nobom-decl-" + enc,
                  body.encode(enc), enc_expect(text))
    write("encodings", "bom-utf-8",
          b"\xef\xbb\xbf" + enc_doc(text, "utf-8").encode("utf-8"),
          enc_expect(text))
    write("encodings", "bom-utf-8-beats-charset",
          b"\xef\xbb\xbf" + enc_doc(text, None).encode("utf-8"),
          enc_expect(text), charset="windows-1252")
    # Mislabeled: Latin-1 declared, UTF-8 sent (HOSTILE-12).
    for decl in ("iso-8859-1", "ISO-8859-1", "windows-1252", "us-ascii"):
        t = "Café “déjà” — ok"
        write("encodings", "mislabeled-" + decl.lower(),
              enc_doc(t, decl).encode("utf-8"), enc_expect(t),
              malformed="labeled Latin-1 but UTF-8")
    t = "naïve café"
    write("encodings", "mislabeled-charset-latin1",
          enc_doc(t, None).encode("utf-8"), enc_expect(t),
          charset="ISO-8859-1", malformed="labeled Latin-1 but UTF-8")
    # Undeclared or wrongly declared single-byte text: windows-1252.
    t = "Café – “ok”"
    write("encodings", "undeclared-cp1252",
          enc_doc(t, None).encode("cp1252"), enc_expect(t),
          malformed="bytes invalid")
    write("encodings", "wrong-utf8-decl-cp1252",
          enc_doc(t, "utf-8").encode("cp1252"), enc_expect(t),
          malformed="bytes invalid")
    write("encodings", "unknown-decl-utf8",
          enc_doc("Grüße", "x-foo").encode("utf-8"), enc_expect("Grüße"),
          malformed="unknown encoding")
    write("encodings", "unknown-decl-cp1252",
          enc_doc("Grüße", "x-foo").encode("cp1252"), enc_expect("Grüße"),
          malformed="unknown encoding")
    write("encodings", "unknown-charset",
          enc_doc("Grüße", None).encode("utf-8"), enc_expect("Grüße"),
          charset="x-unknown", malformed="unknown charset")
    # Invalid bytes in a UTF-8 document become U+FFFD.
    doc = enc_doc("é X Y", None).encode("utf-8")
    doc = doc.replace(b"X", b"\xff").replace(b"Y", b"\xed\xa0\x80")
    write("encodings", "invalid-utf8", doc,
          enc_expect("é \ufffd \ufffd\ufffd\ufffd"),
          malformed="bytes invalid")
    doc = b"\xff\xfe" + enc_doc("aXb", "utf-16").encode("utf-16-le")
    doc = doc.replace("X".encode("utf-16-le"), b"\x00\xdc")
    write("encodings", "invalid-utf16-surrogate", doc,
          enc_expect("a\ufffdb"), malformed="bytes invalid")


# ---------------------------------------------------------------- URLs

RELS = ["a/b.html", "/root", "../up", "./here", "?q=1&r=2", "#frag",
        "//other.example/p", "https://abs.example/x", "b%20c",
        "deep/er/../x", "..", "", "x?y#z"]


def gen_urls():
    bases = [None, "https://base.example/dir/", "/other/", "sub/"]
    for i, rel in enumerate(RELS):
        for j, xb in enumerate(bases):
            base = BASE if xb is None else urljoin(BASE, xb)
            want = urljoin(base, rel) if rel else None
            if rel == "" or rel == "#frag":
                # An empty link is no link; a fragment resolves.
                want = None if rel == "" else urljoin(base, rel)
            attr = "" if xb is None else ' xml:base="%s"' % escape(xb)
            doc = rss20("<title>U</title>",
                        ['<item%s><title>u</title><guid isPermaLink="false">'
                         'u</guid><link>%s</link></item>'
                         % (attr, escape(rel))])
            exp = {"format": "rss20", "feed": feed("U"),
                   "entries": [entry("u", "u", link=want)]}
            write("urls", "rss-%02d-%d" % (i, j), doc, exp)
            doc = ('<feed xmlns="http://www.w3.org/2005/Atom"%s>'
                   '<title>U</title><entry><id>urn:u</id><title>u</title>'
                   '<link href="%s"/><content type="html">%s</content>'
                   '</entry></feed>\n'
                   % (attr, escape(rel, {'"': "&quot;"}),
                      escape('<a href="%s">x</a>' % rel)))
            # In content, "" is a reference to the base (RFC 3986 5.2).
            href = urljoin(base, rel)
            content = '<a href="%s">x</a>' % escape(href)
            exp = {"format": "atom10", "feed": feed("U"),
                   "entries": [entry("urn:u", "u", link=want,
                                     content=content)]}
            write("urls", "atom-%02d-%d" % (i, j), doc, exp)
    # Only http and https links survive (HOSTILE-19).
    for i, bad in enumerate(["javascript:alert(1)", "data:text/html,x",
                             "file:///etc/passwd", "ftp://x.example/",
                             "JaVaScRiPt:alert(1)", " javascript:x",
                             "vbscript:x", "mailto:a@b.example"]):
        doc = rss20("<title>U</title>",
                    ['<item><title>u</title><guid isPermaLink="false">u'
                     '</guid><link>%s</link></item>' % escape(bad)])
        exp = {"format": "rss20", "feed": feed("U"),
               "entries": [entry("u", "u")]}
        write("urls", "hostile-%02d" % i, doc, exp)
    # Nested xml:base, relative on relative.
    doc = ('<feed xmlns="http://www.w3.org/2005/Atom" '
           'xml:base="https://n.example/a/b/"><title>N</title>'
           '<entry xml:base="../c/"><id>urn:n</id><title>n</title>'
           '<link xml:base="d/" href="e"/></entry></feed>\n')
    exp = {"format": "atom10", "feed": feed("N"),
           "entries": [entry("urn:n", "n", link="https://n.example/a/c/d/e")]}
    write("urls", "nested-base", doc, exp)
    doc = ('<feed xmlns="http://www.w3.org/2005/Atom" '
           'xml:base="file:///etc/"><title>N</title>'
           '<entry><id>urn:n</id><title>n</title>'
           '<link href="passwd"/></entry></feed>\n')
    exp = {"format": "atom10", "feed": feed("N"),
           "entries": [entry("urn:n", "n")]}
    write("urls", "file-base", doc, exp)


# -------------------------------------------------------------- formats

MODELS = [
    dict(id="https://example.org/1", title="First post",
         link="https://example.org/1", author="Ann Author",
         email="ann@example.org",
         date=dt.datetime(2019, 4, 24, 12, 15, tzinfo=UTC),
         html="<p>Hello <b>world</b></p>", cats=["news", "tech"]),
    dict(id="tag:example.org,2019:2", title="Tom & Jerry < 3",
         link="https://example.org/2", author="Bob",
         email="bob@example.org",
         date=dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC),
         html="<p>A &amp; B</p><ul><li>one</li></ul>", cats=["x"]),
    dict(id="urn:uuid:3", title="Ünïcödé 日本語",
         link="https://example.org/3?a=1&b=2", author="Zoë",
         email="zoe@example.org",
         date=dt.datetime(2001, 9, 9, 1, 46, 40, tzinfo=UTC),
         html="<p><a href=\"https://example.org/x\">link</a> "
              "<i>it</i></p>", cats=[]),
    dict(id="4", title="Podcast episode", link="https://example.org/4",
         author="Cy", email="cy@example.org",
         date=dt.datetime(2023, 12, 31, 23, 0, tzinfo=UTC),
         html="<p>Listen.</p>", cats=["audio"],
         enc=("https://cdn.example.org/4.mp3", "audio/mpeg", 1234567)),
]


def fmt_rss20(models, version="2.0"):
    items = []
    for m in models:
        x = "<item><title>%s</title><link>%s</link>" % (
            escape(m["title"]), escape(m["link"]))
        x += '<guid isPermaLink="false">%s</guid>' % escape(m["id"])
        x += "<pubDate>%s</pubDate>" % m["date"].strftime(
            "%a, %d %b %Y %H:%M:%S +0000")
        x += "<author>%s (%s)</author>" % (m["email"], escape(m["author"]))
        x += "<description>%s</description>" % escape(m["html"])
        for c in m["cats"]:
            x += "<category>%s</category>" % escape(c)
        if "enc" in m:
            x += '<enclosure url="%s" type="%s" length="%d"/>' % m["enc"]
        items.append(x + "</item>")
    return rss20("<title>Formats</title><link>https://example.org/</link>"
                 "<description>All of them</description>"
                 "<language>en</language>", items, version)


def exp_entry(m, summary=True, content=False, author=True, dates=("p",),
              cats=True, enc=True):
    e = entry(m["id"], m["title"], m["link"],
              m["author"] if author else None,
              iso(m["date"]) if "p" in dates else None,
              iso(m["date"]) if "u" in dates else None,
              m["html"] if summary else None,
              m["html"] if content else None,
              m["cats"] if cats else (),
              [m["enc"]] if enc and "enc" in m else ())
    return e


def gen_formats():
    for n in range(1, len(MODELS) + 1):
        ms = MODELS[:n]
        for version, fmt in (("2.0", "rss20"), ("0.92", "rss092"),
                             ("0.91", "rss091")):
            exp = {"format": fmt,
                   "feed": feed("Formats", "https://example.org/",
                                "All of them", language="en"),
                   "entries": [exp_entry(m) for m in ms]}
            write("formats", "%s-%d" % (fmt, n), fmt_rss20(ms, version),
                  exp)
        # RSS 1.0 with dc and content.
        items = ""
        for m in ms:
            items += ('<item rdf:about="%s"><title>%s</title><link>%s</link>'
                      '<dc:date>%s</dc:date><dc:creator>%s</dc:creator>'
                      '<description>%s</description>'
                      '<content:encoded>%s</content:encoded>'
                      % (escape(m["link"]), escape(m["title"]),
                         escape(m["link"]), iso(m["date"]),
                         escape(m["author"]), escape(m["html"]),
                         escape(m["html"])))
            for c in m["cats"]:
                items += "<dc:subject>%s</dc:subject>" % escape(c)
            items += "</item>"
        doc = ('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org'
               '/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"'
               ' xmlns:dc="http://purl.org/dc/elements/1.1/" '
               'xmlns:content="http://purl.org/rss/1.0/modules/content/">'
               '<channel rdf:about="https://example.org/"><title>Formats'
               '</title><link>https://example.org/</link><description>All'
               '</description><dc:language>en</dc:language></channel>%s'
               '</rdf:RDF>\n' % items)
        exp = {"format": "rss10",
               "feed": feed("Formats", "https://example.org/", "All",
                            language="en"),
               "entries": []}
        for m in ms:
            e = exp_entry(m, content=True, enc=False)
            e["id"] = m["link"]
            exp["entries"].append(e)
        write("formats", "rss10-%d" % n, doc, exp)
        # RSS 0.90.
        items = "".join('<item><title>%s</title><link>%s</link></item>'
                        % (escape(m["title"]), escape(m["link"]))
                        for m in ms)
        doc = ('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org'
               '/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/'
               'rdf/simple/0.9/"><channel><title>Formats</title><link>'
               'https://example.org/</link><description>Old</description>'
               '</channel>%s</rdf:RDF>\n' % items)
        exp = {"format": "rss090",
               "feed": feed("Formats", "https://example.org/", "Old"),
               "entries": [entry(m["link"], m["title"], m["link"])
                           for m in ms]}
        write("formats", "rss090-%d" % n, doc, exp)
        # Atom 1.0.
        x = ""
        for m in ms:
            x += ('<entry><id>%s</id><title type="text">%s</title>'
                  '<link rel="alternate" href="%s"/>'
                  '<author><name>%s</name><email>%s</email></author>'
                  '<published>%s</published><updated>%s</updated>'
                  '<summary type="html">%s</summary>'
                  '<content type="xhtml"><div xmlns="http://www.w3.org/1999/'
                  'xhtml">%s</div></content>'
                  % (escape(m["id"]), escape(m["title"]),
                     escape(m["link"], {'"': "&quot;"}),
                     escape(m["author"]), m["email"], iso(m["date"]),
                     iso(m["date"]), escape(m["html"]),
                     m["html"].replace("&amp;", "&amp;amp;")
                     if False else m["html"]))
            for c in m["cats"]:
                x += '<category term="%s"/>' % escape(c)
            if "enc" in m:
                x += ('<link rel="enclosure" href="%s" type="%s" '
                      'length="%d"/>' % m["enc"])
            x += "</entry>"
        doc = ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://'
               'www.w3.org/2005/Atom" xml:lang="en"><title>Formats</title>'
               '<subtitle>All of them</subtitle><link href="https://'
               'example.org/"/><updated>2024-01-01T00:00:00Z</updated>'
               '<id>urn:f</id>%s</feed>\n' % x)
        exp = {"format": "atom10",
               "feed": feed("Formats", "https://example.org/", "All of them",
                            "2024-01-01T00:00:00Z", "en"),
               "entries": [exp_entry(m, content=True, dates=("p", "u"))
                           for m in ms]}
        write("formats", "atom10-%d" % n, doc, exp)
        # Atom 0.3, content escaped or base64.
        x = ""
        for i, m in enumerate(ms):
            body = (escape(m["html"]) if i % 2 == 0 else
                    base64.b64encode(m["html"].encode()).decode())
            x += ('<entry><id>%s</id><title>%s</title>'
                  '<link rel="alternate" type="text/html" href="%s"/>'
                  '<author><name>%s</name></author>'
                  '<issued>%s</issued><modified>%s</modified>'
                  '<content type="text/html" mode="%s">%s</content>'
                  '</entry>'
                  % (escape(m["id"]), escape(m["title"]),
                     escape(m["link"], {'"': "&quot;"}),
                     escape(m["author"]), iso(m["date"]), iso(m["date"]),
                     "escaped" if i % 2 == 0 else "base64", body))
        doc = ('<?xml version="1.0" encoding="utf-8"?>\n<feed version="0.3" '
               'xmlns="http://purl.org/atom/ns#"><title>Formats</title>'
               '<tagline>Old Atom</tagline><link rel="alternate" '
               'type="text/html" href="https://example.org/"/><modified>'
               '2024-01-01T00:00:00Z</modified>%s</feed>\n' % x)
        exp = {"format": "atom03",
               "feed": feed("Formats", "https://example.org/", "Old Atom",
                            "2024-01-01T00:00:00Z"),
               "entries": [exp_entry(m, summary=False, content=True,
                                     dates=("p", "u"), cats=False,
                                     enc=False) for m in ms]}
        write("formats", "atom03-%d" % n, doc, exp)
        # JSON Feed 1.0 and 1.1.
        for ver, fmt in (("1", "json10"), ("1.1", "json11")):
            items = []
            for m in ms:
                it = {"id": m["id"], "url": m["link"], "title": m["title"],
                      "content_html": m["html"],
                      "date_published": iso(m["date"]),
                      "tags": m["cats"]}
                if ver == "1":
                    it["author"] = {"name": m["author"]}
                else:
                    it["authors"] = [{"name": m["author"]}]
                if "enc" in m:
                    it["attachments"] = [{"url": m["enc"][0],
                                          "mime_type": m["enc"][1],
                                          "size_in_bytes": m["enc"][2]}]
                items.append(it)
            doc = {"version": "https://jsonfeed.org/version/" + ver,
                   "title": "Formats", "home_page_url": "https://example.org/",
                   "description": "All of them", "items": items}
            if ver == "1.1":
                doc["language"] = "en"
            exp = {"format": fmt,
                   "feed": feed("Formats", "https://example.org/",
                                "All of them",
                                language="en" if ver == "1.1" else None),
                   "entries": [exp_entry(m, summary=False, content=True)
                               for m in ms]}
            write("formats", "%s-%d" % (fmt, n),
                  json.dumps(doc, ensure_ascii=(n % 2 == 0), indent=n - 1),
                  exp, ext="jsonfeed")


# ----------------------------------------------------- identity, people

def gen_identity():
    def one(name, item, e, ch=""):
        doc = rss20("<title>I</title>" + ch, ["<item>%s</item>" % item])
        write("identity", name, doc,
              {"format": "rss20", "feed": feed("I"), "entries": [e]})

    one("guid-permalink", "<title>t</title><guid>https://example.org/g</guid>",
        entry("https://example.org/g", "t", "https://example.org/g"))
    one("guid-not-permalink",
        '<title>t</title><guid isPermaLink="false">https://example.org/g'
        '</guid>', entry("https://example.org/g", "t"))
    one("guid-relative-permalink", "<title>t</title><guid>p/1</guid>",
        entry("p/1", "t", "https://example.org/p/1"))
    one("link-only", "<title>t</title><link>https://example.org/l</link>",
        entry("https://example.org/l", "t", "https://example.org/l"))
    one("guid-and-link", "<title>t</title><link>https://example.org/l"
        "</link><guid>urn:g</guid>",
        entry("urn:g", "t", "https://example.org/l"))
    one("guid-spaces", "<title>t</title><guid isPermaLink=\"false\">  g1 "
        "\n</guid>", entry("g1", "t"))
    for i, (raw, name) in enumerate([
            ("jdoe@example.org (John Doe)", "John Doe"),
            ("John Doe <jdoe@example.org>", "John Doe"),
            ("jdoe@example.org", "jdoe@example.org"),
            ("John Doe", "John Doe"),
            ("<jdoe@example.org>", "jdoe@example.org"),
            ("  spaced   name  ", "spaced name")]):
        one("rss-author-%d" % i, '<title>t</title><guid isPermaLink="false">'
            'a</guid><author>%s</author>' % escape(raw),
            entry("a", "t", author=name))
    one("dc-creator", '<title>t</title><guid isPermaLink="false">a</guid>'
        '<dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">Dee'
        '</dc:creator>', entry("a", "t", author="Dee"))
    # Atom person constructs inherit (RFC 4287 4.2.1).
    doc = ('<feed xmlns="http://www.w3.org/2005/Atom"><title>P</title>'
           '<author><name>Feed Person</name></author>'
           '<entry><id>1</id><title>a</title></entry>'
           '<entry><id>2</id><title>b</title><author><email>b@x.example'
           '</email></author></entry>'
           '<entry><id>3</id><title>c</title><source><author><name>Src'
           '</name></author></source></entry></feed>')
    write("identity", "atom-inherit", doc,
          {"format": "atom10", "feed": feed("P", author="Feed Person"),
           "entries": [entry("1", "a", author="Feed Person"),
                       entry("2", "b", author="b@x.example"),
                       entry("3", "c", author="Src")]})
    # Categories: RSS category, dc:subject, Atom term/label; duplicates.
    one("categories", '<title>t</title><guid isPermaLink="false">c</guid>'
        '<category>A</category><category domain="x">B</category>'
        '<category>A</category><category> </category>'
        '<dc:subject xmlns:dc="http://purl.org/dc/elements/1.1/">C'
        '</dc:subject>', entry("c", "t", categories=["A", "B", "C"]))
    doc = ('<feed xmlns="http://www.w3.org/2005/Atom"><title>P</title>'
           '<entry><id>1</id><title>a</title><category term="t1"/>'
           '<category term="t2" label="Label Two"/><category label="x"/>'
           '</entry></feed>')
    write("identity", "atom-categories", doc,
          {"format": "atom10", "feed": feed("P"),
           "entries": [entry("1", "a", categories=["t1", "Label Two",
                                                   "x"])]})


# ------------------------------------------------------------- text

def gen_text():
    cases = [
        ("amp", "AT&amp;T", "AT&T"),
        ("escaped-tags", "&lt;b&gt;Bold&lt;/b&gt; move", "Bold move"),
        ("lt-text", "x &lt; y and y &gt; z", "x < y and y > z"),
        ("cdata", "<![CDATA[Fish & <i>chips</i>]]>", "Fish & chips"),
        ("numeric", "&#233;t&#xE9;", "été"),
        ("html-entity", "caf&eacute; &mdash; ok", "café — ok"),
        ("whitespace", "  many \n\t spaces  ", "many spaces"),
        ("double-escaped", "&amp;lt;b&amp;gt;", "<b>"),
        ("bare-amp", "Q&A", "Q&A"),
        ("script", "&lt;script&gt;alert(1)&lt;/script&gt;Title", "Title"),
        ("comment", "a<!-- hidden -->b", "ab"),
        ("nul-ref", "a&#0;b", "ab"),
        ("control", "a\x01b", "ab"),
        ("nul-raw", "a\x00b", "ab"),
        ("fffe", "a&#xFFFE;b", "ab"),
        ("surrogate-ref", "a&#xD800;b", "ab"),
        ("astral", "&#x1F600; smile", "\U0001F600 smile"),
    ]
    for name, raw, want in cases:
        doc = rss20("<title>T</title>",
                    ['<item><title>%s</title><guid isPermaLink="false">t'
                     '</guid></item>' % raw])
        mal = None
        if name in ("bare-amp", "nul-ref", "control", "nul-raw", "fffe",
                    "surrogate-ref"):
            mal = ""
        write("text", "title-" + name, doc,
              {"format": "rss20", "feed": feed("T"),
               "entries": [entry("t", want)]}, malformed=mal)
    # Sanitized summaries (HOSTILE-21 to -28), one vector each.
    vectors = [
        ("<script>alert(1)</script><p>ok</p>", "<p>ok</p>"),
        ("<p onclick=\"x()\">ok</p>", "<p>ok</p>"),
        ("<a href=\"javascript:alert(1)\">ok</a>", "ok"),
        ("<a href=\"java&#x09;script:alert(1)\">ok</a>", "ok"),
        ("<img src=\"x.png\" onerror=\"alert(1)\">",
         "<img src=\"https://example.org/x.png\"/>"),
        ("<iframe src=\"https://evil.example/\"></iframe>ok", "ok"),
        ("<svg onload=\"alert(1)\"><script>x</script></svg>ok", "ok"),
        ("<style>body{}</style><b>ok</b>", "<b>ok</b>"),
        ("<p style=\"color:red\">ok</p>", "<p>ok</p>"),
        ("<form><input name=\"x\"></form>ok", "ok"),
        ("<!--><script>alert(1)</script>-->ok", "ok"),
        ("<object data=\"x\"></object><embed src=\"y\">ok", "ok"),
        ("<a href=\"/rel\">r</a>",
         "<a href=\"https://example.org/rel\">r</a>"),
        ("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
         ""),
        ("<meta http-equiv=\"refresh\" content=\"0;url=x\">ok", "ok"),
        ("<base href=\"https://evil.example/\">ok", "ok"),
        ("<a href=\"vbscript:x\">v</a>", "v"),
        ("<a href=\"data:text/html,x\">d</a>", "d"),
        ("<a href=\"mailto:a@b.example\">m</a>",
         "<a href=\"mailto:a@b.example\">m</a>"),
        ("<noscript><p>x</p></noscript>ok", "ok"),
    ]
    for i, (html, want) in enumerate(vectors):
        doc = rss20("<title>S</title>",
                    ['<item><title>s</title><guid isPermaLink="false">s'
                     '</guid><description>%s</description></item>'
                     % escape(html)])
        write("text", "sanitize-%02d" % i, doc,
              {"format": "rss20", "feed": feed("S"),
               "entries": [entry("s", "s", summary=want or None)]})


# ---------------------------------------------------- broken, not feeds

def gen_broken():
    errs = [
        ("html-page", "<!DOCTYPE html><html><head><title>x</title></head>"
         "<body>hi</body></html>", "not a feed: an HTML page"),
        ("html-autodiscover", "<html><head><link rel=\"alternate\" type=\""
         "application/atom+xml\" href=\"/atom.xml\"></head></html>",
         "not a feed: an HTML page (it links to a feed: "
         "https://example.org/atom.xml)"),
        ("empty", "", "empty document"),
        ("blank", "  \n\t\n", "empty document"),
        ("text", "hello world\n", "not a feed"),
        ("json-not-feed", "{\"version\": \"2\", \"items\": []}",
         "not a feed: a JSON document"),
        ("json-array", "[]", "not a feed: a JSON document"),
        ("json-truncated", "{\"version\": \"https://jsonfeed.org/version/"
         "1.1\", \"title\": \"x\", \"items\": [{\"id\": \"1\"",
         "malformed document"),
        ("truncated-rss", "<rss version=\"2.0\"><channel><title>x</title>"
         "<item><title>a</title>",
         "truncated document: it ends inside <item>"),
        ("xxe", "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM "
         "\"file:///etc/passwd\">]><rss><channel><title>&x;</title>"
         "</channel></rss>", "rejected"),
        ("svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
         "not a feed: <svg> document"),
        ("atom-wrong-ns", "<feed><title>x</title></feed>", "not a feed"),
    ]
    for name, doc, err in errs:
        ext = "jsonfeed" if name.startswith("json") else "xml"
        write("broken", name, doc, err=err, ext=ext)
    write("broken", "json-deep", '{"version": "https://jsonfeed.org/'
          'version/1.1", "items": [' + "[" * 5000 + "]" * 5000 + "]}",
          err="malformed document", ext="jsonfeed")
    # Lone surrogate escapes become U+FFFD; NULs are dropped.
    write("broken", "json-surrogates",
          '{"version": "https://jsonfeed.org/version/1.1", "title": '
          '"a\\ud83d\\ude00 \\udc00\\ud800 \\\\ud800 x\\u0000y", '
          '"items": [{"id": "\\ud800", "title": "t"}]}',
          {"format": "json11",
           "feed": feed("a\U0001F600 \ufffd\ufffd \\ud800 xy"),
           "entries": [entry("\ufffd", "t")]},
          malformed="lone surrogates", ext="jsonfeed")
    # Recoverable: entities from HTML, bare ampersands, unknown entities.
    doc = rss20("<title>B&amp;B &nbsp;x</title>",
                ['<item><title>caf&eacute;</title><guid isPermaLink="false">'
                 '1</guid><link>https://example.org/?a=1&b=2</link></item>'])
    write("broken", "recover-entities", doc,
          {"format": "rss20", "feed": feed("B&B x"),
           "entries": [entry("1", "café", "https://example.org/?a=1&b=2")]},
          malformed="line")


def main():
    for g in ("dates", "encodings", "urls", "formats", "identity", "text",
              "broken"):
        d = os.path.join(HERE, g)
        if os.path.isdir(d):
            for f in os.listdir(d):
                if f.startswith("gen-"):
                    os.unlink(os.path.join(d, f))
    gen_dates()
    gen_encodings()
    gen_urls()
    gen_formats()
    gen_identity()
    gen_text()
    gen_broken()
    print("%d documents" % count)


if __name__ == "__main__":
    main()
