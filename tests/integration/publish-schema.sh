#!/bin/sh
# The Atom outputs against RFC 4287's own schema (Appendix B, RELAX NG,
# tests/fixtures/schema/atom.rng) with xmllint, on the real daemon
# polling fixture feeds in every shape the schema could trip on: several
# sources and formats, categories with a scheme and a label, an entry
# and a feed with no author, xhtml content and an xhtml title, a story
# carried by two feeds (a rel="via" link), enclosures, an entry with no
# title, one with no link, one with a javascript: link (HOSTILE-19), one
# with no date (HOSTILE-18), markup games in the text (HOSTILE-30).
# Checked: /feed.atom, every /c/SLUG.atom, every older page reached by
# rel="next", and the same with access tokens (the documents opened by
# ?token= carry it in their links, the RSS channel link included).
# RELAX NG cannot say the schema's two Schematron rules (an author for
# every entry; an alternate link or content in every entry): they are
# checked here with XPath. Nothing in the schema is weakened. Last, the
# same checks reject documents broken by hand, so a pass means something.

. "$top_srcdir/tests/integration/lib.sh"

command -v xmllint >/dev/null 2>&1 || skip_all "xmllint is not installed"

RNG=$FIXTURES/schema/atom.rng
TOK=Site-token_0123456789
PTOK=politics.token~9876543210
STORIES=11	# 12 items in 4 feeds, one story carried by two of them

fm_setup
mkdir "$T/feeds"
cp "$FIXTURES"/schema/feeds/* "$T/feeds/"
fm_feedsrv "$T/feeds"
feeds()
{
	cat <<EOT
[feed "http://127.0.0.1:$FEEDSRV_PORT/desk.rss"]
label = Desk
category = Politics
[feed "http://127.0.0.1:$FEEDSRV_PORT/wire.atom"]
category = Politics
[feed "http://127.0.0.1:$FEEDSRV_PORT/blog.atom"]
[feed "http://127.0.0.1:$FEEDSRV_PORT/notes.json"]
label = Lab Notes & Co
category = Tech & Science
EOT
}
# Not in a pipe: fm_config sets DAEMON_PORT in this shell.
feeds >"$T/feeds.conf"
fm_config <"$T/feeds.conf"
fm_daemon_start
U=http://127.0.0.1:$DAEMON_PORT

# Every feed polled: the stories published, the shared one merged.
stored()
{
	[ "$(fm_get /healthz | $PY -c 'import json,sys; print(json.load(sys.stdin)["published"])')" = $STORIES ] &&
	    fm_get /feed.atom | grep -q '<link rel="via"'
}
fm_wait_for 100 stored
ok $? "the daemon publishes the $STORIES stories of four feeds"
sleep 0.2

# What RELAX NG cannot check, and what the walk needs: the Schematron
# rules of RFC 4287 Appendix B, the rel="next" link, the entries' ids.
cat >"$T/atom.py" <<'EOT'
import sys, xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
feed = ET.parse(sys.argv[1]).getroot()
bad = []
entries = feed.findall(A + "entry")
if feed.find(A + "author") is None:
    for i, e in enumerate(entries):
        if e.find(A + "author") is None and \
           e.find(A + "source/" + A + "author") is None:
            bad.append("entry %d: no atom:author, nor its feed" % (i + 1))
for i, e in enumerate(entries):
    links = e.findall(A + "link")
    if e.find(A + "content") is None and not [l for l in links
            if l.get("rel", "alternate") == "alternate"]:
        bad.append("entry %d: no alternate link, no content" % (i + 1))
nxt = [l.get("href") for l in feed.findall(A + "link") if l.get("rel") == "next"]
via = sum(len([l for l in e.findall(A + "link") if l.get("rel") == "via"])
          for e in entries)
with open(sys.argv[2], "w") as f:
    f.write((nxt[0] if nxt else "") + "\n")
    f.write("%d\n" % via)
    for e in entries:
        f.write(e.findtext(A + "id") + "\n")
for b in bad:
    print("# schematron: " + b)
sys.exit(1 if bad else 0)
EOT

# valid FILE: RFC 4287's RELAX NG schema and its Schematron rules; the
# next link, the count of via links and the ids go to FILE.info.
valid()
{
	xmllint --noout --nonet --relaxng "$RNG" "$1" >"$T/rng.out" 2>&1 ||
	    { sed 's/^/# /' "$T/rng.out" | head -20; return 1; }
	$PY "$T/atom.py" "$1" "$1.info"
}

# walk URL [CURL-ARGS]: GET URL and every older page by rel="next";
# each must validate. Prints: pages entries distinct-ids via-links.
walk()
{
	url=$1
	shift
	: >"$T/walk.ids"
	pages=0 via=0 rc=0
	while [ -n "$url" ] && [ $pages -lt 30 ]; do
		pages=$((pages + 1))
		doc=$T/walk.$pages.atom
		curl -sf --max-time 5 "$@" -o "$doc" "$url" ||
		    { echo "# GET $url failed"; rc=1; break; }
		valid "$doc" || { echo "# invalid: $url"; rc=1; }
		url=$(sed -n 1p "$doc.info")
		via=$((via + $(sed -n 2p "$doc.info")))
		sed -n '3,$p' "$doc.info" >>"$T/walk.ids"
	done
	echo "$pages $(wc -l <"$T/walk.ids") $(sort -u "$T/walk.ids" | wc -l) $via $rc"
}

# The views: everything, and each category the page lists.
fm_get / >"$T/index.html"
slugs=$(sed -n 's#.*<li><a href="'"$U"'/c/\([^"?]*\)".*#\1#p' "$T/index.html")
n=$(echo $slugs | wc -w)
[ "$n" -eq 3 ]
ok $? "the page lists three categories ($(echo $slugs))"

fm_get /feed.atom >"$T/feed.atom"
valid "$T/feed.atom"
ok $? "xmllint --relaxng atom.rng accepts /feed.atom"
is "$(sed -n '3,$p' "$T/feed.atom.info" | wc -l)" $STORIES \
    "/feed.atom holds every story"
is "$(sed -n 2p "$T/feed.atom.info")" 1 \
    "the story carried by two feeds has one rel=\"via\" link"
grep -q '<title type="text">No author anywhere</title>' "$T/feed.atom" &&
    grep -q 'A story with no link' "$T/feed.atom"
ok $? "the entry with no author and the one with no link are in it"
total=0
for s in $slugs; do
	fm_get "/c/$s.atom" >"$T/c-$s.atom"
	valid "$T/c-$s.atom"
	ok $? "xmllint --relaxng atom.rng accepts /c/$s.atom"
	total=$((total + $(sed -n '3,$p' "$T/c-$s.atom.info" | wc -l)))
done
is "$total" $STORIES "the categories hold every story once"

# Older pages: two entries a page, to the end.
set -- $(walk "$U/feed.atom?limit=2")
[ "$5" -eq 0 ] && [ "$1" -eq 6 ] && [ "$2" -eq $STORIES ] &&
    [ "$3" -eq $STORIES ]
ok $? "/feed.atom?limit=2: all $1 pages by rel=\"next\" validate, $2 entries, $3 distinct"
for s in $slugs; do
	want=$(sed -n '3,$p' "$T/c-$s.atom.info" | wc -l)
	set -- $(walk "$U/c/$s.atom?limit=1")
	[ "$5" -eq 0 ] && [ "$1" -eq "$want" ] && [ "$3" -eq "$want" ]
	ok $? "/c/$s.atom?limit=1: all $1 pages validate, $3 distinct entries of $want"
done

# The same with access tokens: a [daemon] one and the Politics one.
fm_config "access_token = $TOK" <<EOT
$(cat "$T/feeds.conf")
[category "Politics"]
access_token = $PTOK
EOT
sed -i "s/^listen = .*/listen = 127.0.0.1:${U##*:}/" "$T/feedmux.conf"
DAEMON_PORT=${U##*:}
kill -HUP "$DAEMON_PID"
guarded()
{
	[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$U/feed.atom")" = 401 ]
}
fm_wait_for 50 guarded
ok $? "after SIGHUP the outputs need a token"
set -- $(walk "$U/feed.atom?limit=3&token=$TOK")
[ "$5" -eq 0 ] && [ "$1" -eq 4 ] && [ "$3" -eq $STORIES ]
ok $? "/feed.atom?limit=3&token=: all $1 pages validate, $3 distinct entries"
grep -q "rel=\"next\" type=\"application/atom+xml\" href=\"$U/feed.atom?limit=3&amp;token=$TOK&amp;before=" "$T/walk.1.atom"
ok $? "its next link carries the token"
set -- $(walk "$U/c/politics.atom?limit=2&token=$PTOK")
[ "$5" -eq 0 ] && [ "$1" -eq 3 ] && [ "$3" -eq 6 ]
ok $? "/c/politics.atom with its own token: all $1 pages validate, $3 entries"
grep -q "<link rel=\"alternate\" type=\"text/html\" href=\"$U/c/politics?token=$PTOK\"/>" "$T/walk.1.atom"
ok $? "its alternate link to the page carries the token"
fm_get "/feed.atom" -H "Authorization: Bearer $TOK" >"$T/bearer.atom"
valid "$T/bearer.atom" && ! grep -q 'token=' "$T/bearer.atom"
ok $? "/feed.atom opened by a Bearer header validates, no token in it"

# RSS: the channel <link> to the page carries the token too.
fm_get "/feed.rss?token=$TOK" >"$T/tok.rss"
grep -q "^<link>$U/?token=$TOK</link>" "$T/tok.rss"
ok $? "/feed.rss?token=: the channel link to the page has the token"
fm_get "/c/politics.rss?token=$PTOK" >"$T/ptok.rss"
grep -q "^<link>$U/c/politics?token=$PTOK</link>" "$T/ptok.rss" &&
    ! grep -q "<link>https://desk.example/2019/05/budget?token" "$T/ptok.rss"
ok $? "/c/politics.rss?token=: its channel link too, no item link"
fm_get "/c/politics?token=$PTOK" >"$T/ptok.html"
grep -q "href=\"$U/opml\"" "$T/ptok.html" &&
    grep -q "href=\"$U/c/politics.atom?token=$PTOK\"" "$T/ptok.html"
ok $? "the Politics page: its feeds carry its token, the OPML link does not"

# The checks fail where they should: documents broken by hand.
bad()
{
	valid "$T/broken.atom" >/dev/null 2>&1
	[ $? -ne 0 ]
	ok $? "rejected: $1"
}
sed '0,/^<id>/{/^<id>/d}' "$T/feed.atom" >"$T/broken.atom"
bad "a feed with no atom:id"
sed '0,/<content type="html">/s//<content type="xhtml">/' "$T/feed.atom" \
    >"$T/broken.atom"
bad "xhtml content that is not a div"
sed '0,/<updated>[^<]*</s//<updated>2019-04-31T25:00:00Z</' "$T/feed.atom" \
    >"$T/broken.atom"
bad "an updated that is no xsd:dateTime"
sed '0,/<entry>/s//<entry><foo:x xmlns:foo="urn:x"><foo:y\/><\/foo:x><generator>x<\/generator>/' \
    "$T/feed.atom" >"$T/broken.atom"
bad "an entry with an atom:generator"
$PY - "$T/feed.atom" "$T/broken.atom" <<'EOT'
import re, sys
s = open(sys.argv[1]).read()
open(sys.argv[2], "w").write(re.sub(r"<author>.*?</author>\n", "", s, flags=re.S))
EOT
bad "no author in the feed or its entries (Schematron rule)"
$PY - "$T/feed.atom" "$T/broken.atom" <<'EOT'
import re, sys
s = open(sys.argv[1]).read()
s = re.sub(r'<content type="html">.*?</content>\n', "", s, flags=re.S)
s = re.sub(r'<link rel="alternate" type="text/html" href="https://blog[^>]*>\n', "", s)
open(sys.argv[2], "w").write(s)
EOT
bad "an entry with no content and no alternate link (Schematron rule)"

fm_daemon_stop >/dev/null
is "$STOP_STATUS" 0 "SIGTERM ends the daemon with status 0"
done_testing
