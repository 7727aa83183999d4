#!/usr/bin/python3
"""Generate the corpora of bench/parse.sh: deterministic, seeded.

    gencorpus.py [--seed N] [--small-count N] [--large-mb N]
        [--slice-mb N] OUTDIR

writes, for FMT in rss and atom:
    OUTDIR/FMT-small/NNN.xml   a few hundred feeds of 20-60 KB each
    OUTDIR/FMT-large.xml       one feed of about --large-mb MB
    OUTDIR/FMT-slice.xml       the first --slice-mb MB of items of the same
                               feed (the large one begins with the same items)

Items look like what blogs and news sites publish: RSS 2.0 with
content:encoded (escaped or CDATA HTML: paragraphs, links, an <img>,
entities), dc:creator, categories, RFC 822 dates, guid; Atom 1.0 with
content type="html", summary, author, categories, RFC 3339 dates, id,
sometimes relative links under xml:base. Sizes are in MB of 10^6 bytes.
Only the standard library is used.
"""

import os
import random
import sys

WORDS = """
the of and to in is that for it as was with be by on not he this are or his
from at which but have an they you were her she there one all we their been
has when who will more no if out so said what up its about into than them can
only other new some could time these two may then do first any my now such
like our over man me even most made after also did many before must through
back years where much your way well down should because each just those
people how too little state good very make world still own see men work long
get here between both life being under never day same another know while last
might us great old year off come since against go came right used take three
network server latency kernel release patch security update browser library
compiler protocol database storage cluster deploy review benchmark feature
council budget election policy museum concert harvest climate river market
garden recipe bakery festival interview research telescope satellite energy
""".split()

CAPS = """Linux Debian Berlin Paris Tokyo Kyoto Lagos Lima Oslo Mozilla Apache
Alice Bob Carol Dave Erin Frank Grace Heidi Ivan Judy Mallory Oscar""".split()

AUTHORS = [
    "Alice Martin", "Bob O'Neil", "Chlo\u00e9 Dupr\u00e9", "Dmitri Ivanov",
    "Erin & Frank", "G\u00fcnther M\u00fcller", "Hiro Tanaka",
    "\u0418\u0432\u0430\u043d \u041f\u0435\u0442\u0440\u043e\u0432",
    "Jos\u00e9 Garc\u00eda", "Kofi Mensah", "Lena Svensson", "Mar\u00eda L\u00f3pez",
]

CATEGORIES = [
    "Technology", "Open Source", "Linux", "Security", "Science", "Politics",
    "Culture", "Food & Drink", "Travel", "Music", "Sports", "Business",
    "C\u00e9cile's picks", "Release notes", "Opinion", "Howto",
]

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
DAYS = "Mon Tue Wed Thu Fri Sat Sun".split()
ZONES822 = ["+0000", "GMT", "-0500", "+0100", "+0530", "-0800", "EST", "UT"]
ZONES3339 = ["Z", "+00:00", "-05:00", "+01:00", "+05:30", "-08:00", "+09:00"]


class Text:
    """Sentences drawn from a fixed pool, so generation stays fast."""

    def __init__(self, rnd):
        self.rnd = rnd
        self.pool = [self._sentence() for _ in range(6000)]

    def _sentence(self):
        rnd = self.rnd
        n = rnd.randint(8, 24)
        w = rnd.choices(WORDS, k=n)
        if rnd.random() < 0.5:
            w[rnd.randrange(n)] = rnd.choice(CAPS)
        if rnd.random() < 0.15:
            # Non-ASCII text: accents, quotes, a dash, some Cyrillic.
            w[rnd.randrange(n)] = rnd.choice([
                "caf\u00e9", "na\u00efve", "\u201cquoted\u201d",
                "\u2014", "\u00fcber", "\u043c\u0438\u0440", "\u20ac12",
                "r\u00e9sum\u00e9"])
        s = " ".join(w)
        return s[0].upper() + s[1:] + rnd.choice([".", ".", ".", "?", "!"])

    def sentences(self, lo, hi):
        return " ".join(self.rnd.choices(self.pool,
                                         k=self.rnd.randint(lo, hi)))

    def title(self):
        w = self.rnd.choices(WORDS, k=self.rnd.randint(4, 10))
        w[0] = self.rnd.choice(CAPS)
        t = " ".join(w)
        r = self.rnd.random()
        if r < 0.2:
            t += " & more"
        elif r < 0.3:
            t += " \u2019s <b>bold</b> claim"
        elif r < 0.4:
            t = "\u201c" + t + "\u201d"
        return t


def xesc(s):
    """Escape text for XML character data or an attribute value."""
    return (s.replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace('"', "&quot;"))


def html_body(rnd, text, site, n):
    """An article body in HTML: paragraphs, links, an image, entities."""
    parts = []
    npara = rnd.randint(3, 7)
    img_at = rnd.randrange(npara)
    for i in range(npara):
        s = xesc(text.sentences(2, 6))
        r = rnd.random()
        if r < 0.5:
            # A link inside the paragraph, absolute or relative.
            href = (site + "/%d/%s" % (n, rnd.choice(WORDS))
                    if rnd.random() < 0.7 else "/tag/" + rnd.choice(WORDS))
            cut = s.find(" ", len(s) // 2)
            if cut > 0:
                s = (s[:cut] + ' <a href="%s">%s</a>' % (
                    href, rnd.choice(WORDS)) + s[cut:])
        elif r < 0.65:
            s = "<em>" + s + "</em> &mdash; <strong>note</strong>"
        elif r < 0.75:
            s = s + " Fish &amp; chips&nbsp;&copy; 2026 &hellip;"
        parts.append("<p>" + s + "</p>")
        if i == img_at:
            parts.append(
                '<p><img src="%s/img/%d.jpg" alt="%s" width="640" '
                'height="360" loading="lazy"></p>' % (
                    site, n, xesc(rnd.choice(WORDS))))
    if rnd.random() < 0.3:
        parts.append("<ul>" + "".join(
            "<li>%s</li>" % xesc(text.sentences(1, 1))
            for _ in range(rnd.randint(2, 5))) + "</ul>")
    if rnd.random() < 0.1:
        # Something the sanitizer has to remove.
        parts.append('<script>track(%d)</script><p onclick="x()">'
                     'More</p>' % n)
    if rnd.random() < 0.15:
        parts.append("<blockquote><p>%s</p></blockquote>" %
                     xesc(text.sentences(1, 3)))
    return "\n".join(parts)


def rfc822(rnd, t):
    z = rnd.choice(ZONES822)
    y, mo, d, h, mi, s, wd = t
    return "%s, %02d %s %d %02d:%02d:%02d %s" % (
        DAYS[wd], d, MONTHS[mo - 1], y, h, mi, s, z)


def rfc3339(rnd, t):
    z = rnd.choice(ZONES3339)
    y, mo, d, h, mi, s, _ = t
    frac = ".%03d" % rnd.randrange(1000) if rnd.random() < 0.3 else ""
    return "%d-%02d-%02dT%02d:%02d:%02d%s%s" % (y, mo, d, h, mi, s, frac, z)


def when(i):
    """A time going back in time as i grows (newest item first)."""
    import time
    t = time.gmtime(1795000000 - i * 3671)
    return (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min,
            t.tm_sec, t.tm_wday)


def rss_head(rnd, site, n):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">\n'
        '<channel>\n'
        '<title>Feed %d &amp; friends</title>\n'
        '<link>%s/</link>\n'
        '<atom:link href="%s/feed.xml" rel="self" '
        'type="application/rss+xml"/>\n'
        '<description>News from site %d</description>\n'
        '<language>en-us</language>\n'
        '<lastBuildDate>%s</lastBuildDate>\n'
        '<sy:updatePeriod>hourly</sy:updatePeriod>\n'
        '<sy:updateFrequency>1</sy:updateFrequency>\n'
        '<generator>gencorpus</generator>\n' % (
            n, site, site, n, rfc822(rnd, when(0))))


def rss_item(rnd, text, site, i):
    link = "%s/%d/%s" % (site, i, "-".join(rnd.choices(WORDS, k=4)))
    body = html_body(rnd, text, site, i)
    if rnd.random() < 0.5:
        content = "<![CDATA[" + body + "]]>"
    else:
        content = xesc(body)
    cats = "".join("<category>%s</category>\n" % xesc(c)
                   for c in rnd.sample(CATEGORIES, rnd.randint(1, 4)))
    if rnd.random() < 0.5:
        guid = '<guid isPermaLink="true">%s</guid>' % link
    else:
        guid = '<guid isPermaLink="false">%s-%d-%08x</guid>' % (
            site[8:], i, rnd.getrandbits(32))
    enc = ""
    if rnd.random() < 0.1:
        enc = ('<enclosure url="%s/media/%d.mp3" length="%d" '
               'type="audio/mpeg"/>\n' % (site, i, rnd.randrange(1 << 26)))
    return (
        "<item>\n"
        "<title>%s</title>\n"
        "<link>%s</link>\n"
        "<dc:creator><![CDATA[%s]]></dc:creator>\n"
        "<pubDate>%s</pubDate>\n"
        "%s"
        "%s\n"
        "<description>%s</description>\n"
        "<content:encoded>%s</content:encoded>\n"
        "%s"
        "</item>\n" % (
            xesc(text.title()), link, rnd.choice(AUTHORS),
            rfc822(rnd, when(i)), cats, guid,
            xesc(text.sentences(1, 3) + " [&#8230;]"), content, enc))


def rss_tail():
    return "</channel>\n</rss>\n"


def atom_head(rnd, site, n):
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en" '
        'xml:base="%s/">\n'
        '<title type="text">Feed %d &amp; friends</title>\n'
        '<subtitle>News from site %d</subtitle>\n'
        '<id>tag:%s,2026:feed</id>\n'
        '<link rel="alternate" type="text/html" href="%s/"/>\n'
        '<link rel="self" href="%s/atom.xml"/>\n'
        '<updated>%s</updated>\n'
        '<author><name>%s</name></author>\n'
        '<generator uri="https://example.org/" version="1">gencorpus'
        '</generator>\n' % (
            site, n, n, site[8:], site, site, rfc3339(rnd, when(0)),
            xesc(rnd.choice(AUTHORS))))


def atom_entry(rnd, text, site, i):
    slug = "-".join(rnd.choices(WORDS, k=4))
    if rnd.random() < 0.3:
        href = "%d/%s" % (i, slug)	# relative, against xml:base
    else:
        href = "%s/%d/%s" % (site, i, slug)
    cats = "".join('<category term="%s"/>\n' % xesc(c)
                   for c in rnd.sample(CATEGORIES, rnd.randint(1, 4)))
    if rnd.random() < 0.3:
        title = '<title type="html">%s</title>' % xesc(
            xesc(text.title()) + " <em>update</em>")
    else:
        title = "<title>%s</title>" % xesc(text.title())
    author = "<author><name>%s</name>%s</author>\n" % (
        xesc(rnd.choice(AUTHORS)),
        "<email>a%d@example.org</email>" % i if rnd.random() < 0.3 else "")
    t = when(i)
    return (
        "<entry>\n"
        "%s\n"
        '<link rel="alternate" type="text/html" href="%s"/>\n'
        "<id>tag:%s,2026:%d</id>\n"
        "<published>%s</published>\n"
        "<updated>%s</updated>\n"
        "%s"
        "%s"
        '<summary type="text">%s</summary>\n'
        '<content type="html">%s</content>\n'
        "</entry>\n" % (
            title, href, site[8:], i, rfc3339(rnd, t), rfc3339(rnd, t),
            author, cats, xesc(text.sentences(1, 3)),
            xesc(html_body(rnd, text, site, i))))


def atom_tail():
    return "</feed>\n"


FORMATS = {
    "rss": (rss_head, rss_item, rss_tail),
    "atom": (atom_head, atom_entry, atom_tail),
}


def feed(fmt, rnd, text, n, size, marks=()):
    """One feed of at least size bytes; also the prefixes at marks."""
    head, item, tail = FORMATS[fmt]
    site = "https://site%d.example.com" % n
    parts = [head(rnd, site, n)]
    total = len(parts[0].encode())
    cuts = {}
    i = 0
    end = tail()
    while total + len(end) < size:
        s = item(rnd, text, site, i)
        parts.append(s)
        total += len(s.encode())
        i += 1
        for m in marks:
            if m not in cuts and total + len(end) >= m:
                cuts[m] = len(parts)
    parts.append(end)
    slices = {m: "".join(parts[:k]) + end for m, k in cuts.items()}
    return "".join(parts), slices


def write(path, s):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(s)


def main(argv):
    seed, small, large_mb, slice_mb = 1, 250, 50, 5
    args = argv[1:]
    while len(args) > 1 and args[0].startswith("--"):
        opt, val = args[0], args[1]
        args = args[2:]
        if opt == "--seed":
            seed = int(val)
        elif opt == "--small-count":
            small = int(val)
        elif opt == "--large-mb":
            large_mb = float(val)
        elif opt == "--slice-mb":
            slice_mb = float(val)
        else:
            args = []
            break
    if len(args) != 1:
        sys.stderr.write("usage: gencorpus.py [--seed N] [--small-count N] "
                         "[--large-mb N] [--slice-mb N] OUTDIR\n")
        return 2
    out = args[0]
    for k, fmt in enumerate(("rss", "atom")):
        rnd = random.Random(seed * 1000 + k)
        text = Text(rnd)
        d = os.path.join(out, fmt + "-small")
        os.makedirs(d, exist_ok=True)
        for n in range(small):
            s, _ = feed(fmt, rnd, text, n, rnd.randint(20000, 60000))
            write(os.path.join(d, "%03d.xml" % n), s)
        big = int(large_mb * 1e6)
        cut = int(slice_mb * 1e6)
        s, slices = feed(fmt, rnd, text, 100000, big, (cut,))
        write(os.path.join(out, fmt + "-large.xml"), s)
        write(os.path.join(out, fmt + "-slice.xml"), slices[cut])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
