"""Read a published feed as a subscriber would, with feedparser.

    check_feed.py URL EXPECT.json SINCE

EXPECT.json is a list, newest first, of objects with "title", "author",
"source" and "date" (RFC 3339 UTC, or "first-seen": a time at or after the
epoch seconds SINCE). Prints TAP lines without a plan (the caller counts
them) and exits 0 if every check passed.
"""

import calendar
import json
import sys
import time

import feedparser

url, expect_path, since = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(expect_path) as f:
    expect = json.load(f)

failed = 0
n = 0


def ok(cond, what, detail=""):
    global failed, n
    n += 1
    print("%sok - %s" % ("" if cond else "not ", what))
    if not cond:
        failed += 1
        if detail:
            print("# " + detail)


d = feedparser.parse(url)
ok(d.get("bozo", 1) == 0, "%s: read without error" % url,
   repr(d.get("bozo_exception")))
ok(d.version in ("atom10", "rss20"), "%s: format %s" % (url, d.version))
ok(len(d.entries) == len(expect), "%s: %d entries" % (url, len(expect)),
   "got %d" % len(d.entries))
for e, want in zip(d.entries, expect):
    t = want["title"]
    ok(e.get("title") == t, "%s: title %r" % (url, t), repr(e.get("title")))
    ok(e.get("author") == want["author"], "%s: %s: author %r" %
       (url, t, want["author"]), repr(e.get("author")))
    src = e.get("source", {}).get("title")
    ok(src == want["source"], "%s: %s: source %r" % (url, t, want["source"]),
       repr(src))
    st = e.get("published_parsed") or e.get("updated_parsed")
    got = calendar.timegm(st) if st else None
    if want["date"] == "first-seen":
        ok(got is not None and since <= got <= time.time() + 5,
           "%s: %s: date is when it was first seen" % (url, t), repr(got))
    else:
        w = calendar.timegm(time.strptime(want["date"], "%Y-%m-%dT%H:%M:%SZ"))
        ok(got == w, "%s: %s: date %s" % (url, t, want["date"]),
           "got %r" % (time.strftime("%Y-%m-%dT%H:%M:%SZ", st) if st else None))
    ok(e.get("link", "").startswith("https://"), "%s: %s: link" % (url, t),
       repr(e.get("link")))
sys.exit(1 if failed else 0)
