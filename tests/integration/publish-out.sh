#!/bin/sh
# publish --out DIR with the real daemon and store: every document the
# daemon serves is written as a file, in a layout whose links resolve
# on a static host; the bytes are the daemon's; a second run rewrites
# nothing; a symbolic link planted in DIR is refused, its target left
# alone; a directory that cannot be written is an error naming it.

. "$top_srcdir/tests/integration/lib.sh"

$PY -c 'import feedparser' 2>/dev/null ||
    skip_all "python3-feedparser is not installed"
command -v xmllint >/dev/null || skip_all "xmllint is not installed"

fm_setup
mkdir "$T/feeds"
cp "$FIXTURES"/pipeline/* "$T/feeds/"
fm_feedsrv "$T/feeds"
fm_config <<EOT
[feed "http://127.0.0.1:$FEEDSRV_PORT/alpha.rss"]
label = Alpha News
category = North Korea
exclude = markets
[feed "http://127.0.0.1:$FEEDSRV_PORT/beta.atom"]
category = Wires
[feed "http://127.0.0.1:$FEEDSRV_PORT/gamma.rss"]
label = Gamma
EOT
fm_daemon_start
U=http://127.0.0.1:$DAEMON_PORT

six()
{
	[ "$(fm_get /healthz | $PY -c 'import json,sys; print(json.load(sys.stdin)["entries"])')" = 6 ]
}
fm_wait_for 100 six
ok $? "the daemon stored the six stories"

# Every route of the daemon, as URL path and file.
routes="/:index.html /feed.atom:feed.atom /feed.rss:feed.rss
/feed.json:feed.json /opml:opml"
for slug in north-korea uncategorized wires; do
	routes="$routes /c/$slug:c/$slug/index.html"
	for ext in atom rss json; do
		routes="$routes /c/$slug.$ext:c/$slug.$ext"
	done
done

fm_cli publish --out "$T/site" >"$T/run1.out" 2>"$T/run1.err"
is "$?" 0 "publish --out DIR exits 0"
is "$(grep -c '^written ' "$T/run1.out")" 17 "the first run writes 17 files"
miss=
for r in $routes; do
	f=${r#*:}
	grep -qx "written $f" "$T/run1.out" && [ -f "$T/site/$f" ] ||
	    miss="$miss $f"
done
is "$miss" "" "every document of the daemon is a file, and is reported"
is "$(cd "$T/site" && find . -type f ! -name .feedmux-site | wc -l | tr -d ' ')" 17 \
    "and nothing else is written (no temporary file left)"
is "$(wc -l <"$T/site/.feedmux-site" | tr -d ' ')" 17 \
    "DIR/.feedmux-site records the 17 files written"

# The same bytes as the daemon serves for the same store and config.
differ=
for r in $routes; do
	p=${r%%:*} f=${r#*:}
	fm_get "$p" >"$T/got" && cmp -s "$T/got" "$T/site/$f" ||
	    differ="$differ $f"
done
is "$differ" "" "every file is byte for byte the daemon's response"

# They parse.
bad=
for f in feed.atom feed.rss opml c/wires.atom c/north-korea.rss; do
	xmllint --noout "$T/site/$f" 2>/dev/null || bad="$bad $f"
done
is "$bad" "" "the XML documents are well-formed (xmllint)"
got=$($PY - "$T/site" <<'EOT'
import json, os, sys, feedparser
out = []
for f in ("feed.atom", "feed.rss", "c/north-korea.atom", "c/wires.rss",
          "c/uncategorized.atom"):
    d = feedparser.parse(os.path.join(sys.argv[1], f))
    if d.bozo or not d.entries:
        out.append(f)
for f in ("feed.json", "c/wires.json"):
    with open(os.path.join(sys.argv[1], f)) as fp:
        d = json.load(fp)
    if not d["version"].startswith("https://jsonfeed.org/") or not d["items"]:
        out.append(f)
print(" ".join(out))
EOT
)
is "$got" "" "the feeds parse (feedparser, no bozo) and JSON Feed loads"

# The links inside resolve to files of the site, served at base_url.
got=$($PY - "$T/site" "$U" <<'EOT'
import os, re, sys
site, base = sys.argv[1], sys.argv[2]
def target(url):
    p = url[len(base):].split("?")[0]
    if p in ("", "/"):
        return "index.html"
    p = p.lstrip("/")
    if os.path.isdir(os.path.join(site, p)):
        return p + "/index.html"
    return p
bad, n = [], 0
for f in ("index.html", "c/wires/index.html", "feed.atom", "feed.rss",
          "c/north-korea.atom", "c/north-korea.rss"):
    text = open(os.path.join(site, f)).read()
    for rel, href in re.findall(r'<(?:atom:)?link rel="(self|alternate)"[^>]* href="([^"]+)"', text) + \
            [("a", h) for h in re.findall(r'<a href="([^"]+)"', text)]:
        if not href.startswith(base):
            continue
        n += 1
        if not os.path.isfile(os.path.join(site, target(href))):
            bad.append("%s: %s" % (f, href))
print(n > 20, bad)
EOT
)
is "$got" "True []" "every self, alternate and site link points at a file of DIR"
grep -q "<link rel=\"self\" type=\"application/atom+xml\" href=\"$U/c/wires.atom\"/>" \
    "$T/site/c/wires.atom"
ok $? "c/SLUG.atom names itself by its public URL"

# Served by a static web server (Python's http.server) at base_url,
# every link of the site's own documents leads to a document (/c/SLUG
# by the server's redirect to the directory).
SPORT=$(fm_free_port)
sed "s|^listen = .*|&\nbase_url = http://127.0.0.1:$SPORT|" "$T/feedmux.conf" \
    >"$T/static.conf"
"$FEEDMUX" -c "$T/static.conf" publish --out "$T/static" >/dev/null 2>&1
ok $? "publish --out with base_url set to the static host's URL"
(cd "$T/static" && exec $PY -m http.server --bind 127.0.0.1 "$SPORT") \
    >/dev/null 2>&1 &
STATIC_PID=$!
trap 'kill $STATIC_PID 2>/dev/null; fm_cleanup' 0
fm_wait_for 50 curl -sf -o /dev/null "http://127.0.0.1:$SPORT/"
got=$($PY - "http://127.0.0.1:$SPORT" <<'EOT'
import re, sys, urllib.request
base = sys.argv[1]
seen, todo, bad = set(), [base + "/"], []
while todo:
    url = todo.pop()
    if url in seen:
        continue
    seen.add(url)
    try:
        body = urllib.request.urlopen(url, timeout=5).read().decode()
    except Exception as e:
        bad.append("%s: %s" % (url, e))
        continue
    for href in re.findall(r'href="([^"]+)"', body):
        href = href.replace("&amp;", "&")
        if href.startswith(base) and href not in seen:
            todo.append(href)
print(len(seen) >= 17, bad)
EOT
)
is "$got" "True []" "crawling the static site from / reaches every document, no link broken"
kill "$STATIC_PID" 2>/dev/null
trap fm_cleanup 0

# A second run: nothing changed, nothing is rewritten.
find "$T/site" -type f -exec touch -d '2001-02-03 04:05:06' {} +
fm_cli publish --out "$T/site" >"$T/run2.out" 2>&1
is "$?" 0 "a second run exits 0"
is "$(grep -c '^unchanged ' "$T/run2.out"):$(grep -c '^written ' "$T/run2.out")" \
    "17:0" "it reports all 17 files unchanged"
is "$(find "$T/site" -type f ! -newermt '2001-02-04' | wc -l | tr -d ' ')" 18 \
    "and leaves their modification times alone (the record's too)"
got=$(fm_cli publish --out "$T/site" --json | $PY -c '
import json, sys
d = json.load(sys.stdin)
print(len(d), sorted(set(o["status"] for o in d)), d[0]["file"])')
is "$got" "17 ['unchanged'] index.html" "--json: an array of {file, status}"

# A changed document is rewritten, the rest not.
printf 'stale bytes\n' >"$T/site/feed.rss"
touch -d '2001-02-03 04:05:06' "$T/site/feed.rss"
fm_cli publish --out "$T/site" >"$T/run3.out" 2>&1
is "$(grep '^written' "$T/run3.out")" "written feed.rss" \
    "a file whose bytes differ is rewritten, only it"
fm_get /feed.rss | cmp -s - "$T/site/feed.rss"
ok $? "with the daemon's bytes"
touch -d '2001-02-03 04:05:06' "$T/site/feed.rss"

# A user's own files stay.
echo mine >"$T/site/robots.txt"
fm_cli publish --out "$T/site" >/dev/null 2>&1
is "$(cat "$T/site/robots.txt")" mine "a file the user put in DIR stays"

# A category that goes: the files it had go, unless someone changed
# them; a directory holding someone else's file stays.
fm_cli add "http://127.0.0.1:$FEEDSRV_PORT/temp.rss" --category Temp \
    >/dev/null 2>&1
fm_cli publish --out "$T/site" >"$T/run4.out" 2>&1
is "$(grep -c '^written c/temp' "$T/run4.out")" 4 \
    "a new category: its four files are written"
echo "edited by hand" >>"$T/site/c/temp.rss"
mkdir -p "$T/site/c/gone"
echo mine >"$T/site/c/gone.atom"
echo notes >"$T/site/c/temp/notes.txt"
fm_cli remove "http://127.0.0.1:$FEEDSRV_PORT/temp.rss" >/dev/null 2>&1
fm_cli publish --out "$T/site" >"$T/run5.out" 2>&1
is "$?" 0 "the category is gone: publish exits 0"
is "$(grep ' c/temp' "$T/run5.out" | sort | tr '\n' ' ')" \
    "left c/temp.rss removed c/temp.atom removed c/temp.json removed c/temp/index.html " \
    "its files go, but the one changed since is left, and said so"
[ ! -e "$T/site/c/temp.atom" ] && [ ! -e "$T/site/c/temp/index.html" ] &&
    grep -q "edited by hand" "$T/site/c/temp.rss" &&
    [ "$(cat "$T/site/c/temp/notes.txt")" = notes ]
ok $? "on disk too; the directory keeps the user's file"
grep -q '^written opml$' "$T/run5.out" && grep -q '^written index.html$' "$T/run5.out"
ok $? "the page and the OPML, which listed it, are written again"
[ "$(cat "$T/site/c/gone.atom")" = mine ] && [ -d "$T/site/c/gone" ]
ok $? "files publish never wrote stay, even where a category's would be"
fm_cli publish --out "$T/site" >"$T/run6.out" 2>&1
is "$(grep -vc '^unchanged' "$T/run6.out")" 0 \
    "the next run forgets them: all unchanged"
rm -r "$T/site/c/temp" "$T/site/c/temp.rss" "$T/site/c/gone" \
    "$T/site/c/gone.atom"

# A symbolic link planted in DIR is refused, its target untouched.
echo precious >"$T/victim"
rm "$T/site/feed.rss"
ln -s "$T/victim" "$T/site/feed.rss"
fm_cli publish --out "$T/site" >"$T/sym.out" 2>"$T/sym.err"
is "$?" 1 "a symbolic link in DIR: exit 1"
grep -q "$T/site/feed.rss: a symbolic link" "$T/sym.err"
ok $? "the error names the file: $(head -1 "$T/sym.err")"
is "$(cat "$T/victim")" precious "the link's target is untouched"
[ -L "$T/site/feed.rss" ]
ok $? "and the link is left as it was"
rm "$T/site/feed.rss"

mkdir "$T/elsewhere"
rm -r "$T/site/c"
ln -s "$T/elsewhere" "$T/site/c"
fm_cli publish --out "$T/site" >/dev/null 2>"$T/symdir.err"
is "$?" 1 "a symbolic link to a directory in DIR: exit 1"
grep -q "$T/site/c: a symbolic link" "$T/symdir.err"
ok $? "the error names it: $(head -1 "$T/symdir.err")"
is "$(ls -A "$T/elsewhere" | wc -l | tr -d ' ')" 0 \
    "nothing is written where it points"
rm "$T/site/c"

# Errors: a missing parent, a file for DIR, usage.
fm_cli publish --out "$T/no/such/dir" >/dev/null 2>"$T/err"
is "$?" 1 "DIR under a missing directory: exit 1"
grep -q "^feedmux: $T/no/such/dir: " "$T/err"
ok $? "the error names DIR: $(head -1 "$T/err")"
fm_cli publish --out "$T/feedmux.conf" >/dev/null 2>"$T/err"
is "$?" 1 "DIR that is a file: exit 1"
grep -q "$T/feedmux.conf: " "$T/err"
ok $? "the error names it"
fm_cli publish >/dev/null 2>&1
is "$?" 2 "publish without --out is a usage error"
fm_cli feeds --out "$T/site" >/dev/null 2>&1
is "$?" 2 "--out on another verb is a usage error"
fm_cli publish --out "$T/site" extra >/dev/null 2>&1
is "$?" 2 "publish takes no argument"

fm_daemon_stop >/dev/null
is "$STOP_STATUS" 0 "SIGTERM ends the daemon with status 0"

# HOSTILE-48: a directory that cannot be written. Root writes anywhere,
# so then the CLI runs as nobody, owning the rest of $T (reading a WAL
# store wants its directory writable) but not allowed to write in DIR.
mkdir "$T/ro"
as=
if [ "$(id -u)" = 0 ]; then
	if command -v setpriv >/dev/null; then
		as="setpriv --reuid=65534 --regid=65534 --clear-groups"
		chown -R 65534:65534 "$T"
	else
		as=skip
	fi
fi
chmod 555 "$T/ro"
if [ "$as" = skip ]; then
	ok 0 "# SKIP root without setpriv"
	ok 0 "# SKIP root without setpriv"
else
	$as "$FEEDMUX" -c "$T/feedmux.conf" publish --out "$T/ro" \
	    >/dev/null 2>"$T/ro.err"
	is "$?" 1 "a directory that cannot be written: exit 1"
	grep -q "$T/ro: cannot create a file: Permission denied" "$T/ro.err"
	ok $? "the error names it: $(head -1 "$T/ro.err")"
fi
is "$(ls -A "$T/ro" | wc -l | tr -d ' ')" 0 "and nothing is left in it"

# A [daemon] access_token guards every output: no static copy of them.
sed -i "1a access_token = s3cret-token-0123456789" "$T/feedmux.conf"
fm_cli publish --out "$T/site2" >/dev/null 2>"$T/err"
is "$?" 1 "with a [daemon] access_token publish refuses"
grep -q "access_token" "$T/err" && [ ! -e "$T/site2/feed.atom" ]
ok $? "it says why and writes nothing"
done_testing
