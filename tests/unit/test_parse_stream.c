/*
 * The parser streams: however large a feed, the tree libxml2 builds
 * never holds more than the channel and one item, so its memory stays
 * small (HOSTILE-17). libxml2's own allocations are counted through
 * xmlMemSetup, which is exact and the same on every machine, unlike a
 * process's resident size.
 */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlmemory.h>

#include "buf.h"
#include "entry.h"
#include "parse.h"
#include "tap.h"

/* Each block carries its size in front, kept 16-byte aligned. */
#define HDR	16

static size_t	live, peak;

static void *
count_malloc(size_t n)
{
	unsigned char	*p;

	if ((p = malloc(n + HDR)) == NULL)
		return (NULL);
	memcpy(p, &n, sizeof n);
	live += n;
	if (live > peak)
		peak = live;
	return (p + HDR);
}

static void
count_free(void *v)
{
	unsigned char	*p = v;
	size_t		 n;

	if (p == NULL)
		return;
	p -= HDR;
	memcpy(&n, p, sizeof n);
	live -= n;
	free(p);
}

static void *
count_realloc(void *v, size_t n)
{
	unsigned char	*p = v, *q;
	size_t		 old;

	if (p == NULL)
		return (count_malloc(n));
	p -= HDR;
	memcpy(&old, p, sizeof old);
	if ((q = realloc(p, n + HDR)) == NULL)
		return (NULL);
	memcpy(q, &n, sizeof n);
	live = live - old + n;
	if (live > peak)
		peak = live;
	return (q + HDR);
}

static char *
count_strdup(const char *s)
{
	size_t	 n = strlen(s) + 1;
	char	*p;

	if ((p = count_malloc(n)) != NULL)
		memcpy(p, s, n);
	return (p);
}

/* A feed of n items of about 1 KB each, dated one minute apart. */
static void
make_feed(struct buf *b, int atom, int n)
{
	int	i, k;

	buf_adds(b, atom ?
	    "<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">"
	    "<title>Big</title><id>urn:big</id>\n" :
	    "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>"
	    "<title>Big</title><link>http://example.com/</link>\n");
	for (i = 0; i < n; i++) {
		if (atom)
			buf_printf(b, "<entry><id>urn:e:%d</id><title>Entry %d"
			    "</title><updated>2019-04-%02dT%02d:%02d:00Z"
			    "</updated><content type=\"html\">", i, i,
			    1 + i / 1440 % 28, i / 60 % 24, i % 60);
		else
			buf_printf(b, "<item><guid>urn:e:%d</guid><title>Item "
			    "%d</title><pubDate>%02d Apr 2019 %02d:%02d:00 GMT"
			    "</pubDate><description>", i, i,
			    1 + i / 1440 % 28, i / 60 % 24, i % 60);
		for (k = 0; k < 8; k++)
			buf_adds(b, "&lt;p&gt;Some words of a paragraph, "
			    "enough of them to weigh.&lt;/p&gt;\n");
		buf_adds(b, atom ? "</content></entry>\n" :
		    "</description></item>\n");
	}
	buf_adds(b, atom ? "</feed>\n" : "</channel></rss>\n");
}

static void
check(int atom)
{
	struct buf	 b;
	struct parse	*p;
	struct feed_doc	*d;
	char		*cause = NULL;
	size_t		 off, n;
	const char	*what = atom ? "Atom" : "RSS";

	buf_init(&b);
	make_feed(&b, atom, 20000);
	live = peak = 0;
	p = parse_new("http://example.com/feed", NULL);
	for (off = 0; off < b.len; off += n) {
		n = b.len - off < 65536 ? b.len - off : 65536;
		if (parse_push(p, b.data + off, n, &cause) != 0)
			break;
	}
	d = parse_end(p, &cause);
	tap_ok(d != NULL, "%s: a %zu MB feed of 20000 items parses (%s)",
	    what, b.len >> 20, cause != NULL ? cause : "ok");
	if (d != NULL) {
		tap_is_int((long long)d->nentries, 1000,
		    "%s: the newest 1000 are kept", what);
		tap_is_str(d->entries[d->nentries - 1]->id, "urn:e:19999",
		    "%s: the last is the newest", what);
		tap_is_str(d->entries[0]->id, "urn:e:19000",
		    "%s: the first kept is the 1000th newest", what);
	}
	/*
	 * Kept whole, 1000 items would hold more than 3 MB of tree; the
	 * streaming parser holds one item and libxml2's buffers.
	 */
	tap_ok(peak < 1024 * 1024, "%s: libxml2 peaked at %zu KiB of a %zu "
	    "KiB document (under 1 MiB)", what, peak >> 10, b.len >> 10);
	feed_doc_free(d);
	free(cause);
	buf_free(&b);
}

int
main(void)
{
	if (xmlMemSetup(count_free, count_malloc, count_realloc,
	    count_strdup) != 0) {
		tap_ok(0, "xmlMemSetup");
		return (tap_done());
	}
	xmlInitParser();
	check(0);
	check(1);
	return (tap_done());
}
