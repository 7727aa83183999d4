/*
 * Unit tests for lib/publish: Atom, RSS and the HTML page from stored
 * entries built here, hostile ones included. Atom and RSS are re-parsed
 * with libxml2 (no recovery, no network) and queried with XPath; every
 * Atom document is validated against RFC 4287's RELAX NG schema
 * (tests/fixtures/schema/atom.rng) and its two Schematron rules.
 *
 * With PUBLISH_DUMP=DIR in the environment, the documents are also
 * written to DIR/feed.atom, DIR/feed.rss and DIR/index.html (for a look
 * with other tools).
 */

#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <jansson.h>

#include "date.h"
#include "entry.h"
#include "publish.h"
#include "tap.h"
#include "xmalloc.h"

#define T_KIM		INT64_C(1556108100)	/* 2019-04-24T12:15:00Z */
#define T_VIEW		INT64_C(1556200000)

static int	 xml_errors;
static xmlRelaxNGPtr atom_rng;

static void	 quiet_cb(void *, xmlErrorPtr);
static struct stored_entry *entry_make(const char *, const char *,
		    const char *, const char *, int64_t, int64_t);
static void	 entry_add_source(struct stored_entry *, const char *,
		    const char *, const char *, const char *);
static void	 entry_add_category(struct stored_entry *, const char *);
static xmlDocPtr parse_xml(const char *, size_t, const char *);
static char	*xp(xmlDocPtr, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static int	 clean_utf8_xml(const char *, size_t);
static int	 has_ci(const char *, const char *);
static void	 dump(const char *, const char *, const char *, size_t);
static void	 test_atom(const struct publish_view *);
static void	 test_rss(const struct publish_view *);
static void	 test_html(const struct publish_view *);
static void	 test_empty(void);
static void	 test_category(struct stored_entry **, size_t);
static void	 load_rng(void);
static int	 atom_valid(const char *, size_t, const char *);
static void	 test_schema(struct stored_entry **, size_t);
static void	 test_link_query(struct stored_entry **, size_t);
static void	 test_hub(struct stored_entry **, size_t);
static void	 test_enclosures(void);

static void
quiet_cb(void *arg, xmlErrorPtr e)
{
	xml_errors++;
	tap_diag("libxml2: line %d: %s", e->line,
	    e->message != NULL ? e->message : "?");
}

static struct stored_entry *
entry_make(const char *guid, const char *title, const char *link,
    const char *author, int64_t published, int64_t updated)
{
	struct stored_entry	*se;
	static int64_t		 id;

	se = xcalloc(1, sizeof *se);
	se->id = ++id;
	se->guid = guid != NULL ? xstrdup(guid) : NULL;
	se->title = xstrdup(title);
	se->link = link != NULL ? xstrdup(link) : NULL;
	se->author = author != NULL ? xstrdup(author) : NULL;
	se->published = published;
	se->updated = updated;
	se->first_seen = T_VIEW - 3600;
	return (se);
}

static void
entry_add_source(struct stored_entry *se, const char *label,
    const char *site, const char *feed_url, const char *link)
{
	struct entry_source	*src;

	se->sources = xreallocarray(se->sources, se->nsources + 1,
	    sizeof *se->sources);
	src = &se->sources[se->nsources++];
	memset(src, 0, sizeof *src);
	src->feed_id = (int64_t)se->nsources;
	src->label = label != NULL ? xstrdup(label) : NULL;
	src->site = site != NULL ? xstrdup(site) : NULL;
	src->feed_url = feed_url != NULL ? xstrdup(feed_url) : NULL;
	src->feed_key = feed_url != NULL ? xstrdup(feed_url) : NULL;
	src->link = link != NULL ? xstrdup(link) : NULL;
}

static void
entry_add_category(struct stored_entry *se, const char *c)
{
	se->categories = xreallocarray(se->categories, se->ncategories + 1,
	    sizeof *se->categories);
	se->categories[se->ncategories++] = xstrdup(c);
}

/* Parse strictly: no recovery, no network; NULL unless well-formed. */
static xmlDocPtr
parse_xml(const char *doc, size_t len, const char *name)
{
	xmlParserCtxtPtr	ctxt;
	xmlDocPtr		d;

	xml_errors = 0;
	ctxt = xmlNewParserCtxt();
	d = xmlCtxtReadMemory(ctxt, doc, (int)len, name, NULL,
	    XML_PARSE_NONET);
	if (d != NULL && (!ctxt->wellFormed || !ctxt->nsWellFormed ||
	    xml_errors != 0)) {
		xmlFreeDoc(d);
		d = NULL;
	}
	xmlFreeParserCtxt(ctxt);
	return (d);
}

/* The string value of an XPath expression (a, r, dc, c, fm prefixes). */
static char *
xp(xmlDocPtr doc, const char *fmt, ...)
{
	xmlXPathContextPtr	 ctx;
	xmlXPathObjectPtr	 obj;
	va_list			 ap;
	char			*expr, *s;

	va_start(ap, fmt);
	xvasprintf(&expr, fmt, ap);
	va_end(ap);
	ctx = xmlXPathNewContext(doc);
	xmlXPathRegisterNs(ctx, BAD_CAST "a",
	    BAD_CAST "http://www.w3.org/2005/Atom");
	xmlXPathRegisterNs(ctx, BAD_CAST "dc",
	    BAD_CAST "http://purl.org/dc/elements/1.1/");
	xmlXPathRegisterNs(ctx, BAD_CAST "c",
	    BAD_CAST "http://purl.org/rss/1.0/modules/content/");
	xmlXPathRegisterNs(ctx, BAD_CAST "fm",
	    BAD_CAST "https://feedmux.invalid/ns/1.0");
	obj = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	if (obj == NULL)
		s = xstrdup("(xpath error)");
	else {
		obj = xmlXPathConvertString(obj);
		s = xstrdup((const char *)obj->stringval);
		xmlXPathFreeObject(obj);
	}
	xmlXPathFreeContext(ctx);
	free(expr);
	return (s);
}

/*
 * Is the document valid UTF-8 with no character XML forbids (C0 but
 * tab, LF, CR; U+FFFE, U+FFFF; surrogates) and no NUL before len?
 */
static int
clean_utf8_xml(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n, k;
	uint32_t		 c;

	while (i < len) {
		c = p[i];
		if (c < 0x80) {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				return (0);
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 2;
			c &= 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 3;
			c &= 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 4;
			c &= 0x07;
		} else
			return (0);
		if (i + n > len)
			return (0);
		for (k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return (0);
			c = (c << 6) | (p[i + k] & 0x3f);
		}
		if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
		    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ||
		    c == 0xfffe || c == 0xffff)
			return (0);
		i += n;
	}
	return (1);
}

/* Does s contain needle, ignoring case? */
static int
has_ci(const char *s, const char *needle)
{
	size_t	n = strlen(needle);

	for (; *s != '\0'; s++) {
		if (strncasecmp(s, needle, n) == 0)
			return (1);
	}
	return (0);
}

static void
dump(const char *dir, const char *name, const char *doc, size_t len)
{
	char	*path;
	FILE	*f;

	if (dir == NULL)
		return;
	xasprintf(&path, "%s/%s", dir, name);
	if ((f = fopen(path, "w")) != NULL) {
		fwrite(doc, 1, len, f);
		fclose(f);
	}
	free(path);
}

/* Load RFC 4287's schema (Appendix B, as RELAX NG XML). */
static void
load_rng(void)
{
	xmlRelaxNGParserCtxtPtr	 pctxt;
	const char		*top;
	char			*path;

	if ((top = getenv("top_srcdir")) == NULL)
		top = ".";
	xasprintf(&path, "%s/tests/fixtures/schema/atom.rng", top);
	pctxt = xmlRelaxNGNewParserCtxt(path);
	atom_rng = xmlRelaxNGParse(pctxt);
	xmlRelaxNGFreeParserCtxt(pctxt);
	tap_ok(atom_rng != NULL, "the RFC 4287 schema loads (%s)", path);
	free(path);
}

/*
 * Is an Atom document valid: well-formed, valid against RFC 4287's
 * RELAX NG schema, and true to the schema's Schematron rules, which
 * RELAX NG cannot say (an author for every entry, from it or its feed
 * or its source; an alternate link or content in every entry)?
 */
static int
atom_valid(const char *doc, size_t len, const char *name)
{
	xmlRelaxNGValidCtxtPtr	 vctxt;
	xmlDocPtr		 d;
	char			*s;
	int			 ok;

	if (atom_rng == NULL || (d = parse_xml(doc, len, name)) == NULL)
		return (0);
	vctxt = xmlRelaxNGNewValidCtxt(atom_rng);
	xmlRelaxNGSetValidStructuredErrors(vctxt, quiet_cb, NULL);
	ok = xmlRelaxNGValidateDoc(vctxt, d) == 0;
	xmlRelaxNGFreeValidCtxt(vctxt);
	s = xp(d, "concat(count(/a:feed[not(a:author) and a:entry[not("
	    "a:author)]]), count(/a:feed/a:entry[not(a:author or "
	    "../a:author or a:source/a:author)]), count(/a:feed/a:entry[not("
	    "a:link[@rel='alternate'] or a:link[not(@rel)] or "
	    "a:content)]))");
	if (strcmp(s, "000") != 0) {
		tap_diag("%s: Schematron rules broken (%s)", name, s);
		ok = 0;
	}
	free(s);
	xmlFreeDoc(d);
	return (ok);
}

static void
test_atom(const struct publish_view *view)
{
	xmlDocPtr	 d;
	char		*doc, *s, want[DATE_BUFSZ];
	size_t		 len;

	doc = publish_atom(view, &len);
	dump(getenv("PUBLISH_DUMP"), "feed.atom", doc, len);
	tap_is_int(strlen(doc), len, "atom: length matches");
	/* HOSTILE-30 */
	tap_ok(clean_utf8_xml(doc, len), "atom: clean UTF-8, no forbidden "
	    "character");
	d = parse_xml(doc, len, "feed.atom");
	/* HOSTILE-30 */
	tap_ok(d != NULL, "atom: well-formed (strict libxml2 parse)");
	/* HOSTILE-30 */
	tap_ok(atom_valid(doc, len, "feed.atom"), "atom: valid against the "
	    "RFC 4287 schema, hostile entry and all");
	if (d == NULL) {
		tap_diag("%s", doc);
		free(doc);
		return;
	}

	s = xp(d, "count(/a:feed/a:entry)");
	tap_is_str(s, "4", "atom: four entries");
	free(s);
	s = xp(d, "/a:feed/a:id");
	tap_is_str(s, "http://news.example:8080/", "atom: feed id");
	free(s);
	s = xp(d, "/a:feed/a:title");
	tap_is_str(s, "Korea Watch & Co", "atom: feed title unescaped");
	free(s);
	s = xp(d, "/a:feed/a:updated");
	tap_is_str(s, date_rfc3339(T_VIEW, want), "atom: feed updated");
	free(s);
	s = xp(d, "/a:feed/a:link[@rel='self']/@href");
	tap_is_str(s, "http://news.example:8080/feed.atom", "atom: self link");
	free(s);
	s = xp(d, "/a:feed/a:link[@rel='alternate']/@href");
	tap_is_str(s, "http://news.example:8080/", "atom: alternate link");
	free(s);
	s = xp(d, "/a:feed/a:generator");
	tap_is_str(s, "feedmux", "atom: generator");
	free(s);

	s = xp(d, "/a:feed/a:entry[1]/a:id");
	tap_is_str(s, "https://cnn.example/2019/04/24/kim-putin",
	    "atom: a URI guid is the id");
	free(s);
	s = xp(d, "/a:feed/a:entry[1]/a:title[@type='text']");
	tap_is_str(s, "Kim and Putin meet", "atom: entry title");
	free(s);
	s = xp(d, "/a:feed/a:entry[1]/a:link[@rel='alternate']/@href");
	tap_is_str(s, "https://cnn.example/2019/04/24/kim-putin",
	    "atom: entry alternate link");
	free(s);
	s = xp(d, "/a:feed/a:entry[1]/a:published");
	tap_is_str(s, "2019-04-24T12:15:00Z", "atom: published");
	free(s);
	s = xp(d, "/a:feed/a:entry[1]/a:updated");
	tap_is_str(s, "2019-04-24T12:15:00Z", "atom: updated = date");
	free(s);
	s = xp(d, "/a:feed/a:entry[1]/a:author/a:name");
	tap_is_str(s, "Jane Doe", "atom: author name");
	free(s);
	s = xp(d, "concat(/a:feed/a:entry[1]/a:category[1]/@term, '|', "
	    "/a:feed/a:entry[1]/a:category[2]/@term)");
	tap_is_str(s, "World|Asia", "atom: categories");
	free(s);
	s = xp(d, "/a:feed/a:entry[1]/a:content[@type='html']");
	tap_is_str(s, "<p>Kim arrived on Wednesday.</p>"
	    "<p>Kim and Putin talked.</p>", "atom: content is the HTML");
	free(s);
	s = xp(d, "/a:feed/a:entry[1]/a:source/a:title");
	tap_is_str(s, "CNN", "atom: source title");
	free(s);
	s = xp(d, "concat(/a:feed/a:entry[1]/a:source/a:id, '|', "
	    "/a:feed/a:entry[1]/a:source/a:link[@rel='self']/@href, '|', "
	    "/a:feed/a:entry[1]/a:source/a:link[@rel='alternate']/@href)");
	tap_is_str(s, "https://cnn.example/world.rss|"
	    "https://cnn.example/world.rss|https://cnn.example/",
	    "atom: source id, self and alternate");
	free(s);
	s = xp(d, "count(/a:feed/a:entry[1]/a:link[@rel='via'])");
	tap_is_str(s, "0", "atom: one source, no via link");
	free(s);

	/* The hostile entry. */
	s = xp(d, "/a:feed/a:entry[2]/a:id");
	tap_ok(strncmp(s, "tag:feedmux.invalid,2019:", 25) == 0 &&
	    strpbrk(s, " <>\"") == NULL, "atom: a non-URI guid becomes a "
	    "tag: URI (%s)", s);
	free(s);
	s = xp(d, "/a:feed/a:entry[2]/a:title");
	tap_ok(strstr(s, "]]> b </content> & <script>alert(1)") != NULL,
	    "atom: hostile title survives as text");
	free(s);
	s = xp(d, "count(/a:feed/a:entry[2]/a:link[@rel='alternate'])");
	tap_is_str(s, "0", "atom: no link, no alternate");
	free(s);
	s = xp(d, "count(/a:feed/a:entry[2]/a:content)");
	tap_is_str(s, "1", "atom: no link and no content: content carries "
	    "the summary (RFC 4287 4.1.2)");
	free(s);
	s = xp(d, "/a:feed/a:entry[2]/a:content");
	tap_ok(strstr(s, "</summary> ]]>") != NULL, "atom: summary text in "
	    "content");
	free(s);
	s = xp(d, "concat(/a:feed/a:entry[2]/a:link[@rel='via']/@title, '|',"
	    " /a:feed/a:entry[2]/a:link[@rel='via']/@href)");
	tap_is_str(s, "NPR|https://npr.example/s/1",
	    "atom: a further source is a via link");
	free(s);
	s = xp(d, "count(/a:feed/a:entry[2]/a:source/a:id)");
	tap_is_str(s, "0", "atom: a feed URL that is no IRI gives no id");
	free(s);
	s = xp(d, "/a:feed/a:entry[2]/a:source/a:title");
	tap_is_str(s, "BBC", "atom: source title of the first source");
	free(s);

	s = xp(d, "/a:feed/a:entry[3]/a:id");
	tap_is_str(s, "tag:feedmux.invalid,2019:#https://x.example/a"
	    "%3Fb%3D1%26c%3D2", "atom: no guid: the id is made from the link");
	free(s);
	s = xp(d, "concat(/a:feed/a:entry[3]/a:published, '|', "
	    "/a:feed/a:entry[3]/a:updated)");
	tap_is_str(s, "2019-04-24T12:15:00Z|2019-04-24T12:15:00Z",
	    "atom: no published time: the updated one");
	free(s);
	s = xp(d, "/a:feed/a:entry[3]/a:summary");
	tap_is_str(s, "<p>Only a summary.</p>", "atom: summary");
	free(s);
	s = xp(d, "count(/a:feed/a:entry[3]/a:author)");
	tap_is_str(s, "0", "atom: no author, no source: no author element");
	free(s);

	s = xp(d, "/a:feed/a:entry[4]/a:id");
	tap_is_str(s, "https://example.org/?a=1&b=2",
	    "atom: a URI id with & round-trips");
	free(s);
	s = xp(d, "/a:feed/a:entry[4]/a:author/a:name");
	tap_is_str(s, "UPI", "atom: no author: the source label");
	free(s);
	s = xp(d, "concat(/a:feed/a:entry[4]/a:published, '|', "
	    "/a:feed/a:entry[4]/a:updated)");
	tap_is_str(s, "2019-04-24T12:15:00Z|2019-04-25T08:00:00Z",
	    "atom: updated after published");
	free(s);

	xmlFreeDoc(d);
	free(doc);
}

static void
test_rss(const struct publish_view *view)
{
	xmlDocPtr	 d;
	char		*doc, *s, want[DATE_BUFSZ];
	size_t		 len;

	doc = publish_rss(view, &len);
	dump(getenv("PUBLISH_DUMP"), "feed.rss", doc, len);
	tap_is_int(strlen(doc), len, "rss: length matches");
	/* HOSTILE-30 */
	tap_ok(clean_utf8_xml(doc, len), "rss: clean UTF-8, no forbidden "
	    "character");
	d = parse_xml(doc, len, "feed.rss");
	/* HOSTILE-30 */
	tap_ok(d != NULL, "rss: well-formed (strict libxml2 parse)");
	if (d == NULL) {
		tap_diag("%s", doc);
		free(doc);
		return;
	}

	s = xp(d, "/rss/@version");
	tap_is_str(s, "2.0", "rss: version");
	free(s);
	s = xp(d, "count(/rss/channel/item)");
	tap_is_str(s, "4", "rss: four items");
	free(s);
	s = xp(d, "concat(/rss/channel/title, '|', /rss/channel/link)");
	tap_is_str(s, "Korea Watch & Co|http://news.example:8080/",
	    "rss: channel title and link");
	free(s);
	s = xp(d, "/rss/channel/a:link[@rel='self']/@href");
	tap_is_str(s, "http://news.example:8080/feed.rss", "rss: atom:link "
	    "self");
	free(s);
	s = xp(d, "/rss/channel/lastBuildDate");
	tap_is_str(s, date_rfc822(T_VIEW, want), "rss: lastBuildDate");
	free(s);
	s = xp(d, "string-length(/rss/channel/description) > 0");
	tap_is_str(s, "true", "rss: channel description");
	free(s);

	s = xp(d, "concat(/rss/channel/item[1]/title, '|', "
	    "/rss/channel/item[1]/link)");
	tap_is_str(s, "Kim and Putin meet|"
	    "https://cnn.example/2019/04/24/kim-putin", "rss: title, link");
	free(s);
	s = xp(d, "concat(/rss/channel/item[1]/guid, '|', "
	    "/rss/channel/item[1]/guid/@isPermaLink)");
	tap_is_str(s, "https://cnn.example/2019/04/24/kim-putin|true",
	    "rss: a guid that is the link is a permalink");
	free(s);
	s = xp(d, "/rss/channel/item[1]/pubDate");
	tap_is_str(s, date_rfc822(T_KIM, want), "rss: pubDate");
	free(s);
	s = xp(d, "/rss/channel/item[1]/dc:creator");
	tap_is_str(s, "Jane Doe", "rss: dc:creator");
	free(s);
	s = xp(d, "count(/rss/channel/item[1]/category)");
	tap_is_str(s, "2", "rss: categories");
	free(s);
	s = xp(d, "/rss/channel/item[1]/c:encoded");
	tap_is_str(s, "<p>Kim arrived on Wednesday.</p>"
	    "<p>Kim and Putin talked.</p>", "rss: content:encoded");
	free(s);
	s = xp(d, "/rss/channel/item[1]/description");
	tap_is_str(s, "<p>Kim arrived on Wednesday.</p>"
	    "<p>Kim and Putin talked.</p>", "rss: description falls back to "
	    "the content");
	free(s);
	s = xp(d, "concat(/rss/channel/item[1]/source, '|', "
	    "/rss/channel/item[1]/source/@url)");
	tap_is_str(s, "CNN|https://cnn.example/world.rss", "rss: source");
	free(s);

	s = xp(d, "/rss/channel/item[2]/guid/@isPermaLink");
	tap_is_str(s, "false", "rss: a made-up guid is no permalink");
	free(s);
	s = xp(d, "count(/rss/channel/item[2]/link)");
	tap_is_str(s, "0", "rss: no link element without a link");
	free(s);
	s = xp(d, "/rss/channel/item[2]/title");
	tap_ok(strstr(s, "]]> b </content> & <script>alert(1)") != NULL,
	    "rss: hostile title survives as text");
	free(s);
	s = xp(d, "concat(/rss/channel/item[2]/fm:source, '|', "
	    "/rss/channel/item[2]/fm:source/@link)");
	tap_is_str(s, "NPR|https://npr.example/s/1", "rss: a further source "
	    "is a feedmux:source");
	free(s);
	s = xp(d, "count(/rss/channel/item[2]/c:encoded)");
	tap_is_str(s, "0", "rss: no content, no content:encoded");
	free(s);

	s = xp(d, "/rss/channel/item[4]/guid");
	tap_is_str(s, "https://example.org/?a=1&b=2", "rss: guid with &");
	free(s);
	s = xp(d, "/rss/channel/item[4]/guid/@isPermaLink");
	tap_is_str(s, "false", "rss: a guid other than the link is no "
	    "permalink");
	free(s);

	xmlFreeDoc(d);
	free(doc);
}

static void
test_html(const struct publish_view *view)
{
	char	*doc, *want, d[DATE_BUFSZ];
	size_t	 len;

	doc = publish_html(view, &len);
	dump(getenv("PUBLISH_DUMP"), "index.html", doc, len);
	tap_is_int(strlen(doc), len, "html: length matches");
	/* HOSTILE-30 */
	tap_ok(clean_utf8_xml(doc, len), "html: clean UTF-8, no forbidden "
	    "character");
	/* HOSTILE-21, HOSTILE-70: the page carries no script at all. */
	tap_ok(!has_ci(doc, "<script"), "html: no <script anywhere");
	tap_ok(strncmp(doc, "<!DOCTYPE html>\n", 16) == 0, "html: doctype");
	tap_ok(strstr(doc, "<meta charset=\"utf-8\">") != NULL,
	    "html: UTF-8");
	tap_ok(strstr(doc, "<meta name=\"viewport\"") != NULL,
	    "html: viewport");
	tap_ok(strstr(doc, "<link rel=\"alternate\" type=\"application/atom"
	    "+xml\" title=\"Korea Watch &amp; Co\" href=\"http://news.example"
	    ":8080/feed.atom\">") != NULL, "html: Atom autodiscovery");
	tap_ok(strstr(doc, "<link rel=\"alternate\" type=\"application/rss"
	    "+xml\" title=\"Korea Watch &amp; Co\" href=\"http://news.example"
	    ":8080/feed.rss\">") != NULL, "html: RSS autodiscovery");
	tap_ok(strstr(doc, "<h1>Korea Watch &amp; Co</h1>") != NULL,
	    "html: h1 title");

	xasprintf(&want, "<p class=\"meta\">Posted on %s by Jane Doe</p>",
	    date_human(T_KIM, d));
	tap_ok(strstr(doc, want) != NULL, "html: %s", want);
	free(want);
	tap_ok(strstr(doc, "<h2><a href=\"https://cnn.example/2019/04/24/"
	    "kim-putin\">Kim and Putin meet</a></h2>") != NULL,
	    "html: linked title");
	tap_ok(strstr(doc, "<p>Kim arrived on Wednesday.</p>"
	    "<p>Kim and Putin talked.</p>") != NULL,
	    "html: paragraphs stay paragraphs");
	tap_ok(strstr(doc, "<p class=\"source\">[<a href=\"https://"
	    "cnn.example/\">CNN</a>]</p>") != NULL, "html: [CNN] source");
	tap_ok(strstr(doc, "<p class=\"source\">[BBC] [<a href=\"https://"
	    "npr.example/\">NPR</a>]</p>") != NULL,
	    "html: every source, no link without a site");
	tap_ok(strstr(doc, "<h2>a ]]&gt; b &lt;/content&gt; &amp; "
	    "&lt;script&gt;") != NULL, "html: no link: title without <a>, "
	    "escaped");
	tap_ok(strstr(doc, "<p>Only a summary.</p>") != NULL,
	    "html: no content: the summary");
	tap_ok(strstr(doc, "<h2><a href=\"https://x.example/a?b=1&amp;c=2\">"
	    "(untitled)</a></h2>") != NULL, "html: empty title, escaped href");
	xasprintf(&want, "Posted on %s</p>", date_human(T_KIM, d));
	tap_ok(strstr(doc, want) != NULL, "html: no author: no \"by\"");
	free(want);
	tap_ok(strstr(doc, "javascript:") == NULL, "html: a javascript: "
	    "link is not published");
	tap_ok(strstr(doc, "by UPI</p>") != NULL, "html: author falls back "
	    "to the source label");
	tap_ok(strstr(doc, "<p class=\"source\">[UPI]</p>") != NULL,
	    "html: [UPI] without site");
	free(doc);
}

static void
test_empty(void)
{
	struct publish_view	 view;
	xmlDocPtr		 d;
	char			*doc;
	size_t			 len;

	memset(&view, 0, sizeof view);
	view.title = "";
	view.base_url = "";
	view.path = "";
	view.updated = TIME_NONE;

	doc = publish_atom(&view, &len);
	d = parse_xml(doc, len, "empty.atom");
	tap_ok(d != NULL, "empty atom: well-formed");
	tap_ok(atom_valid(doc, len, "empty.atom"), "empty atom: valid "
	    "against the RFC 4287 schema");
	if (d != NULL) {
		free(doc);
		doc = xp(d, "concat(/a:feed/a:link[@rel='self']/@href, '|',"
		    " /a:feed/a:id)");
		tap_is_str(doc, "/feed.atom|tag:feedmux.invalid,2019:view/",
		    "empty atom: relative self link, tag: id");
		xmlFreeDoc(d);
	}
	free(doc);
	doc = publish_rss(&view, &len);
	d = parse_xml(doc, len, "empty.rss");
	tap_ok(d != NULL, "empty rss: well-formed");
	xmlFreeDoc(d);
	free(doc);
	doc = publish_html(&view, &len);
	tap_ok(strstr(doc, "</html>") != NULL && clean_utf8_xml(doc, len),
	    "empty html");
	free(doc);

	/* Another view lives at /PATH and /PATH.atom. */
	view.base_url = "https://news.example/";
	view.path = "c/north-korea";
	doc = publish_atom(&view, &len);
	d = parse_xml(doc, len, "path.atom");
	if (d != NULL) {
		free(doc);
		doc = xp(d, "concat(/a:feed/a:link[@rel='self']/@href, '|',"
		    " /a:feed/a:link[@rel='alternate']/@href, '|', "
		    "/a:feed/a:id)");
		xmlFreeDoc(d);
	}
	tap_is_str(doc, "https://news.example/c/north-korea.atom|"
	    "https://news.example/c/north-korea|"
	    "https://news.example/c/north-korea", "a view with a path");
	free(doc);
}

/*
 * A category view, its second page: the heading, the list of categories,
 * RFC 5005 links, JSON Feed, OPML, and no credentials anywhere.
 */
static void
test_category(struct stored_entry **e, size_t n)
{
	static const struct publish_category cats[] = {
		{ "North Korea", "north-korea" }, { "Wires & <More>", "wires-more" }
	};
	static const struct publish_source srcs[] = {
		{ "CNN", "https://user:secret@cnn.example/world.rss",
		    "https://cnn.example/", "North Korea" },
		{ "UPI", "https://upi.example/rss", NULL, "Wires & <More>" },
		{ "BBC", "https://bbc.example/rss", "javascript:x",
		    "North Korea" },
		{ "", "https://nolabel.example/rss", NULL, "" },
	};
	struct publish_view	 view;
	xmlDocPtr		 d;
	json_t			*j, *it;
	char			*doc, *s;
	size_t			 len;

	memset(&view, 0, sizeof view);
	view.title = "Korea Watch";
	view.base_url = "https://news.example/";
	view.path = "c/north-korea";
	view.category = "North Korea";
	view.updated = T_VIEW;
	view.entries = e;
	view.nentries = n;
	view.query = "limit=2&before=1556108100_9";
	view.first_query = "limit=2";
	view.next_query = "limit=2&before=1556100000_3";
	view.categories = cats;
	view.ncategories = 2;
	view.sources = srcs;
	view.nsources = 4;

	doc = publish_html(&view, &len);
	tap_ok(strstr(doc, "<h1>Category: North Korea</h1>") != NULL,
	    "html: Category: NAME heading");
	tap_ok(strstr(doc, "<title>Korea Watch: North Korea</title>") != NULL,
	    "html: the title names the category");
	tap_ok(strstr(doc, "<link rel=\"alternate\" type=\"application/feed"
	    "+json\" title=\"Korea Watch: North Korea\" href=\"https://news."
	    "example/c/north-korea.json\">") != NULL, "html: JSON Feed "
	    "autodiscovery of the same view");
	tap_ok(strstr(doc, "<li><a href=\"https://news.example/c/north-korea\""
	    " aria-current=\"page\">North Korea</a></li>") != NULL &&
	    strstr(doc, "<li><a href=\"https://news.example/c/wires-more\">"
	    "Wires &amp; &lt;More&gt;</a></li>") != NULL && strstr(doc,
	    "<li><a href=\"https://news.example/\">All</a></li>") != NULL,
	    "html: the categories, this one marked, escaped");
	tap_ok(strstr(doc, "<a rel=\"next\" href=\"https://news.example/c/"
	    "north-korea?limit=2&amp;before=1556100000_3\">Older entries</a>")
	    != NULL && strstr(doc, "<a rel=\"first\" href=\"https://news."
	    "example/c/north-korea?limit=2\">Newest entries</a>") != NULL,
	    "html: pages to older and newest entries");
	tap_ok(strstr(doc, "href=\"https://news.example/opml\">OPML</a>") !=
	    NULL, "html: links to the OPML");
	tap_ok(!has_ci(doc, "<script") && clean_utf8_xml(doc, len),
	    "html: no script, clean UTF-8");
	free(doc);

	doc = publish_atom(&view, &len);
	d = parse_xml(doc, len, "cat.atom");
	tap_ok(d != NULL, "category atom: well-formed");
	tap_ok(atom_valid(doc, len, "cat.atom"), "category atom: valid "
	    "against the RFC 4287 schema, RFC 5005 links and all");
	if (d != NULL) {
		s = xp(d, "concat(/a:feed/a:title, '|', "
		    "/a:feed/a:link[@rel='self']/@href, '|', "
		    "/a:feed/a:link[@rel='first']/@href, '|', "
		    "/a:feed/a:link[@rel='next']/@href, '|', /a:feed/a:id)");
		tap_is_str(s, "Korea Watch: North Korea|"
		    "https://news.example/c/north-korea.atom?limit=2&before="
		    "1556108100_9|https://news.example/c/north-korea.atom?limit=2|"
		    "https://news.example/c/north-korea.atom?limit=2&before="
		    "1556100000_3|https://news.example/c/north-korea",
		    "category atom: title, self, first, next, id");
		free(s);
		xmlFreeDoc(d);
	}
	free(doc);
	doc = publish_rss(&view, &len);
	d = parse_xml(doc, len, "cat.rss");
	tap_ok(d != NULL, "category rss: well-formed");
	if (d != NULL) {
		s = xp(d, "/rss/channel/a:link[@rel='next']/@href");
		tap_is_str(s, "https://news.example/c/north-korea.rss?limit=2&"
		    "before=1556100000_3", "category rss: atom:link next");
		free(s);
		xmlFreeDoc(d);
	}
	free(doc);

	/* JSON Feed 1.1. */
	doc = publish_json(&view, &len);
	tap_is_int(strlen(doc), len, "json: length matches");
	j = json_loadb(doc, len, 0, NULL);
	tap_ok(j != NULL, "json: parses");
	tap_is_str(json_string_value(json_object_get(j, "version")),
	    "https://jsonfeed.org/version/1.1", "json: version 1.1");
	tap_is_str(json_string_value(json_object_get(j, "title")),
	    "Korea Watch: North Korea", "json: title");
	tap_is_str(json_string_value(json_object_get(j, "home_page_url")),
	    "https://news.example/c/north-korea", "json: home_page_url");
	tap_is_str(json_string_value(json_object_get(j, "feed_url")),
	    "https://news.example/c/north-korea.json?limit=2&before="
	    "1556108100_9", "json: feed_url is this page");
	tap_is_str(json_string_value(json_object_get(j, "next_url")),
	    "https://news.example/c/north-korea.json?limit=2&before="
	    "1556100000_3", "json: next_url");
	tap_is_int(json_array_size(json_object_get(j, "items")), n,
	    "json: every entry is an item");
	it = json_array_get(json_object_get(j, "items"), 0);
	tap_is_str(json_string_value(json_object_get(it, "id")),
	    "https://cnn.example/2019/04/24/kim-putin", "json: item id");
	tap_is_str(json_string_value(json_object_get(it, "url")),
	    "https://cnn.example/2019/04/24/kim-putin", "json: item url");
	tap_is_str(json_string_value(json_object_get(it, "date_published")),
	    "2019-04-24T12:15:00Z", "json: date_published");
	tap_is_str(json_string_value(json_object_get(json_array_get(
	    json_object_get(it, "authors"), 0), "name")), "Jane Doe",
	    "json: authors");
	tap_is_str(json_string_value(json_array_get(json_object_get(it,
	    "tags"), 1)), "Asia", "json: tags, the empty category left out");
	tap_is_str(json_string_value(json_object_get(it, "content_html")),
	    "<p>Kim arrived on Wednesday.</p><p>Kim and Putin talked.</p>",
	    "json: content_html");
	tap_is_str(json_string_value(json_object_get(json_array_get(
	    json_object_get(json_object_get(it, "_feedmux"), "sources"), 0),
	    "site")), "https://cnn.example/", "json: _feedmux.sources");
	/* HOSTILE-30: the hostile entry. */
	it = json_array_get(json_object_get(j, "items"), 1);
	s = (char *)json_string_value(json_object_get(it, "title"));
	tap_ok(s != NULL && strstr(s, "]]> b </content> & <script>") != NULL
	    && strchr(s, '\x01') == NULL, "json: a hostile title is a clean "
	    "string");
	tap_ok(json_object_get(it, "url") == NULL, "json: no http link, no "
	    "url");
	tap_is_int(json_array_size(json_object_get(json_object_get(it,
	    "_feedmux"), "sources")), 2, "json: both sources of the second "
	    "item");
	json_decref(j);
	free(doc);

	/* OPML 2.0. */
	doc = publish_opml(&view, &len);
	d = parse_xml(doc, len, "sources.opml");
	tap_ok(d != NULL, "opml: well-formed");
	if (d != NULL) {
		s = xp(d, "concat(/opml/@version, '|', count(/opml/body/"
		    "outline), '|', /opml/body/outline[1]/@text, '|', "
		    "count(/opml/body/outline[1]/outline), '|', /opml/body/"
		    "outline[2]/@title, '|', /opml/body/outline[3]/@text)");
		tap_is_str(s, "2.0|3|North Korea|2|Wires & <More>|"
		    "Uncategorized", "opml: one outline per category, in "
		    "order");
		free(s);
		s = xp(d, "concat(/opml/body/outline[1]/outline[1]/@type, '|',"
		    " /opml/body/outline[1]/outline[1]/@text, '|', /opml/body/"
		    "outline[1]/outline[1]/@xmlUrl, '|', /opml/body/outline[1]/"
		    "outline[1]/@htmlUrl, '|', count(/opml/body/outline[1]/"
		    "outline[2]/@htmlUrl), '|', /opml/body/outline[3]/outline/"
		    "@text)");
		tap_is_str(s, "rss|CNN|https://cnn.example/world.rss|"
		    "https://cnn.example/|0|https://nolabel.example/rss",
		    "opml: a source's outline; credentials removed "
		    "(HOSTILE-45), no javascript: site, no label: the URL");
		free(s);
		s = xp(d, "/opml/head/title");
		tap_is_str(s, "Korea Watch: North Korea", "opml: title");
		free(s);
		xmlFreeDoc(d);
	}
	tap_ok(strstr(doc, "secret") == NULL, "opml: no password");
	free(doc);
}

/*
 * RFC 4287's schema against what could trip it: times at and past both
 * ends of what RFC 3339 writes, no author anywhere, empty strings, a
 * feed with no title; and the same check rejects documents broken by
 * hand, so a pass means something.
 */
static void
test_schema(struct stored_entry **e, size_t n)
{
	static const struct {
		const char	*from, *to, *why;
	} breaks[] = {
		{ "<id>http://news.example/c/korea</id>",
		    "<subtitle>no id</subtitle>", "no feed id" },
		{ "<id>", "<id>x</id><id>", "two ids" },
		{ "<updated>", "<updated>yesterday ", "updated no date-time" },
		{ "<content type=\"html\">", "<content type=\"xhtml\">",
		    "xhtml content not a div" },
		{ "<name>Korea Watch: Korea</name>", "<uri>x</uri>",
		    "an author with no name" },
		{ "<link rel=\"self\"", "<link rel=\"self\" href2=\"\"",
		    "a link with an unknown attribute" },
	};
	struct stored_entry	*odd[4], **all;
	struct publish_view	 view;
	char			*doc, *bad, *at, d[DATE_BUFSZ];
	size_t			 len, i;

	odd[0] = entry_make("urn:x:far", "Far future", NULL, NULL,
	    INT64_C(253402300799) + 86400 * 400, INT64_MAX);
	odd[0]->content = xstrdup("");
	odd[1] = entry_make("urn:x:past", "", NULL, NULL, INT64_MIN + 1,
	    -1);
	odd[2] = entry_make("", "\x01", NULL, "", TIME_NONE, TIME_NONE);
	odd[3] = entry_make("urn:x:max", "At the end", "https://x.example/m",
	    NULL, INT64_C(253402300799), TIME_NONE);
	entry_add_source(odd[3], "", "", "", "");

	memset(&view, 0, sizeof view);
	view.title = "";
	view.base_url = "http://news.example";
	view.path = "";
	view.updated = INT64_MAX;
	view.entries = odd;
	view.nentries = 4;
	doc = publish_atom(&view, &len);
	tap_ok(atom_valid(doc, len, "odd.atom"), "schema: times past both "
	    "ends, no authors, empty strings: valid");
	tap_ok(strstr(doc, date_rfc3339(INT64_C(253402300799), d)) != NULL &&
	    strstr(doc, "<published>1970-01-01T00:00:00Z</published>") !=
	    NULL, "schema: times clamped to 1970 and 9999 (xsd:dateTime "
	    "has no year 0 and RFC 3339 no year 10000)");
	free(doc);

	/* Every entry at once, on a page of a category. */
	all = xcalloc(n + 4, sizeof *all);
	memcpy(all, e, n * sizeof *all);
	memcpy(all + n, odd, 4 * sizeof *all);
	view.title = "Korea Watch";
	view.path = "c/korea";
	view.category = "Korea";
	view.updated = T_VIEW;
	view.entries = all;
	view.nentries = n + 4;
	view.query = "before=1_2";
	view.next_query = "before=0_1";
	doc = publish_atom(&view, &len);
	tap_ok(atom_valid(doc, len, "all.atom"), "schema: every entry on an "
	    "older page of a category: valid");

	/* The check fails where it should. */
	for (i = 0; i < sizeof breaks / sizeof breaks[0]; i++) {
		at = strstr(doc, breaks[i].from);
		if (at == NULL) {
			tap_ok(0, "schema rejects %s: (no %s)", breaks[i].why,
			    breaks[i].from);
			continue;
		}
		xasprintf(&bad, "%.*s%s%s", (int)(at - doc), doc, breaks[i].to,
		    at + strlen(breaks[i].from));
		tap_ok(!atom_valid(bad, strlen(bad), "broken.atom"),
		    "schema rejects a document with %s", breaks[i].why);
		free(bad);
	}
	/* The Schematron rules: an entry without an author in a feed without. */
	at = strstr(doc, "<author>\n<name>Korea Watch: Korea</name>\n"
	    "</author>\n");
	tap_ok(at != NULL, "schema: the feed has its own author");
	if (at != NULL) {
		xasprintf(&bad, "%.*s%s", (int)(at - doc), doc, at + strlen(
		    "<author>\n<name>Korea Watch: Korea</name>\n</author>\n"));
		tap_ok(!atom_valid(bad, strlen(bad), "noauthor.atom"),
		    "schema: without it an entry with no author is rejected "
		    "(Schematron rule, RFC 4287 4.1.1)");
		free(bad);
	}
	free(doc);
	free(all);
	for (i = 0; i < 4; i++)
		stored_entry_free(odd[i]);
}

/*
 * The queries a guarded document's links carry (link_query, site_query):
 * on every link to a document of the view or of the site, never on ids
 * or links off the site, never twice.
 */
static void
test_link_query(struct stored_entry **e, size_t n)
{
	static const struct publish_category cats[] = {
		{ "North Korea", "north-korea" }, { "Wires", "wires" }
	};
	struct publish_view	 view;
	xmlDocPtr		 d;
	json_t			*j;
	char			*doc, *s;
	size_t			 len;

	memset(&view, 0, sizeof view);
	view.title = "Korea Watch";
	view.base_url = "https://news.example";
	view.path = "c/north-korea";
	view.category = "North Korea";
	view.updated = T_VIEW;
	view.entries = e;
	view.nentries = n;
	view.categories = cats;
	view.ncategories = 2;
	view.link_query = "token=cat-0123456789";

	/* A category's token: the documents of its view only. */
	doc = publish_rss(&view, &len);
	tap_ok(strstr(doc, "<link>https://news.example/c/north-korea?token="
	    "cat-0123456789</link>") != NULL, "link_query: the RSS channel "
	    "link to the page carries it");
	tap_ok(strstr(doc, "href=\"https://news.example/c/north-korea.rss?"
	    "token=cat-0123456789\"") != NULL, "link_query: the RSS self "
	    "link too");
	tap_ok(strstr(doc, "<link>https://cnn.example/2019/04/24/kim-putin"
	    "</link>") != NULL, "link_query: not an item's link");
	free(doc);
	doc = publish_atom(&view, &len);
	tap_ok(atom_valid(doc, len, "tok.atom"), "link_query: the Atom "
	    "document is valid");
	d = parse_xml(doc, len, "tok.atom");
	s = xp(d, "concat(/a:feed/a:id, '|', /a:feed/a:link[@rel='self']/"
	    "@href, '|', /a:feed/a:link[@rel='alternate']/@href, '|', "
	    "/a:feed/a:entry[1]/a:link[@rel='alternate']/@href)");
	tap_is_str(s, "https://news.example/c/north-korea|https://news.example"
	    "/c/north-korea.atom?token=cat-0123456789|https://news.example/c/"
	    "north-korea?token=cat-0123456789|https://cnn.example/2019/04/24/"
	    "kim-putin", "link_query: on the self and alternate links, not on "
	    "the id or the entries' links");
	free(s);
	xmlFreeDoc(d);
	free(doc);
	doc = publish_html(&view, &len);
	tap_ok(strstr(doc, "type=\"application/atom+xml\" title=\"Korea "
	    "Watch: North Korea\" href=\"https://news.example/c/north-korea"
	    ".atom?token=cat-0123456789\"") != NULL && strstr(doc,
	    "<li><a href=\"https://news.example/c/north-korea?token="
	    "cat-0123456789\" aria-current") != NULL, "link_query: the "
	    "page's feeds and its own category link carry it");
	tap_ok(strstr(doc, "<li><a href=\"https://news.example/c/wires\">")
	    != NULL && strstr(doc, "<li><a href=\"https://news.example/\">")
	    != NULL && strstr(doc, "href=\"https://news.example/opml\">") !=
	    NULL, "link_query: the other views and OPML do not");
	free(doc);

	/* The site's token: every document of the site; page queries. */
	view.site_query = view.link_query;
	view.query = "limit=2&token=cat-0123456789&before=9_9";
	view.first_query = "limit=2&token=cat-0123456789";
	view.next_query = "limit=2&token=cat-0123456789&before=1_1";
	doc = publish_html(&view, &len);
	tap_ok(strstr(doc, "<li><a href=\"https://news.example/c/wires?token="
	    "cat-0123456789\">") != NULL && strstr(doc, "<li><a href=\""
	    "https://news.example/?token=cat-0123456789\">") != NULL &&
	    strstr(doc, "href=\"https://news.example/opml?token="
	    "cat-0123456789\">") != NULL, "site_query: the other views and "
	    "OPML carry it");
	tap_ok(strstr(doc, "<a rel=\"next\" href=\"https://news.example/c/"
	    "north-korea?limit=2&amp;token=cat-0123456789&amp;before=1_1\">")
	    != NULL, "site_query: a page query is the caller's, as it is");
	tap_ok(strstr(doc, "token=cat-0123456789&amp;token") == NULL &&
	    strstr(doc, "token=cat-0123456789?") == NULL, "never twice");
	free(doc);
	doc = publish_json(&view, &len);
	j = json_loadb(doc, len, 0, NULL);
	tap_is_str(json_string_value(json_object_get(j, "home_page_url")),
	    "https://news.example/c/north-korea?token=cat-0123456789",
	    "json: home_page_url carries it");
	tap_is_str(json_string_value(json_object_get(j, "feed_url")),
	    "https://news.example/c/north-korea.json?limit=2&token="
	    "cat-0123456789&before=9_9", "json: feed_url is the page's, once");
	json_decref(j);
	free(doc);
}

/* WebSub: the hub next to rel="self" in each feed, only when set. */
static void
test_hub(struct stored_entry **e, size_t n)
{
	struct publish_view	 view;
	xmlDocPtr		 d;
	json_t			*j;
	char			*doc, *s;
	size_t			 len;

	memset(&view, 0, sizeof view);
	view.title = "Korea Watch";
	view.base_url = "https://news.example";
	view.path = "c/wires";
	view.category = "Wires";
	view.updated = T_VIEW;
	view.entries = e;
	view.nentries = n;
	view.hub = "https://hub.example/?a=1&b=2";

	doc = publish_atom(&view, &len);
	tap_ok(atom_valid(doc, len, "hub.atom"), "hub: the Atom document "
	    "is valid");
	d = parse_xml(doc, len, "hub.atom");
	s = xp(d, "concat(count(/a:feed/a:link[@rel='hub']), '|', "
	    "/a:feed/a:link[@rel='hub']/@href, '|', "
	    "/a:feed/a:link[@rel='self']/@href)");
	tap_is_str(s, "1|https://hub.example/?a=1&b=2|https://news.example/"
	    "c/wires.atom", "hub: Atom links it once, escaped, beside self");
	free(s);
	xmlFreeDoc(d);
	free(doc);
	doc = publish_rss(&view, &len);
	tap_ok(strstr(doc, "<atom:link rel=\"hub\" href=\"https://hub."
	    "example/?a=1&amp;b=2\"/>") != NULL, "hub: RSS as atom:link");
	free(doc);
	doc = publish_json(&view, &len);
	j = json_loadb(doc, len, 0, NULL);
	s = json_dumps(json_object_get(j, "hubs"), JSON_COMPACT);
	tap_is_str(s, "[{\"type\":\"WebSub\",\"url\":\"https://hub."
	    "example/?a=1&b=2\"}]", "hub: JSON Feed hubs");
	free(s);
	json_decref(j);
	free(doc);

	view.hub = NULL;
	doc = publish_atom(&view, &len);
	tap_ok(strstr(doc, "rel=\"hub\"") == NULL, "hub: none when unset "
	    "(Atom)");
	free(doc);
	doc = publish_rss(&view, &len);
	tap_ok(strstr(doc, "rel=\"hub\"") == NULL, "hub: none when unset "
	    "(RSS)");
	free(doc);
	doc = publish_json(&view, &len);
	tap_ok(strstr(doc, "\"hubs\"") == NULL, "hub: none when unset "
	    "(JSON Feed)");
	free(doc);
}

/*
 * Enclosures: Atom one rel="enclosure" link each (type and length only
 * when known), RSS the first alone with the length and type it requires,
 * JSON Feed attachments with a mime_type, the page a list of links; a
 * URL that is not http(s) nowhere; every URL escaped.
 */
static void
test_enclosures(void)
{
	struct stored_entry	*e;
	struct publish_view	 view;
	xmlDocPtr		 d;
	json_t			*j;
	char			*doc, *s;
	size_t			 len;

	e = entry_make("ep1", "Episode one", "https://pod.example/ep1",
	    "Host", T_KIM, TIME_NONE);
	e->content = xstrdup("<p>Show notes.</p>");
	e->enclosures = xcalloc(3, sizeof *e->enclosures);
	e->enclosures[0].url = xstrdup("https://cdn.example/ep1.mp3?a=1&b=\"2\"");
	e->enclosures[0].type = xstrdup("audio/mpeg");
	e->enclosures[0].length = 12345678;
	e->enclosures[1].url = xstrdup("javascript:alert(1)");
	e->enclosures[1].type = xstrdup("text/html");
	e->enclosures[2].url = xstrdup("https://cdn.example/notes.pdf");
	e->enclosures[2].type = xstrdup("");
	e->nenclosures = 3;
	entry_add_source(e, "Pod", "https://pod.example/",
	    "https://pod.example/rss", "https://pod.example/ep1");

	memset(&view, 0, sizeof view);
	view.title = "Podcasts";
	view.base_url = "https://news.example";
	view.path = "";
	view.updated = T_VIEW;
	view.entries = &e;
	view.nentries = 1;

	doc = publish_atom(&view, &len);
	tap_ok(atom_valid(doc, len, "encl.atom"), "enclosures: the Atom "
	    "document is valid");
	d = parse_xml(doc, len, "encl.atom");
	s = xp(d, "concat(count(//a:link[@rel='enclosure']), '|', "
	    "//a:link[@rel='enclosure'][1]/@href, '|', "
	    "//a:link[@rel='enclosure'][1]/@type, '|', "
	    "//a:link[@rel='enclosure'][1]/@length, '|', "
	    "//a:link[@rel='enclosure'][2]/@href, '|', "
	    "count(//a:link[@rel='enclosure'][2]/@type), "
	    "count(//a:link[@rel='enclosure'][2]/@length))");
	tap_is_str(s, "2|https://cdn.example/ep1.mp3?a=1&b=\"2\"|audio/mpeg|"
	    "12345678|https://cdn.example/notes.pdf|00", "enclosures: Atom: "
	    "a link each, the javascript: one left out, no empty type or "
	    "length");
	free(s);
	xmlFreeDoc(d);
	free(doc);

	doc = publish_rss(&view, &len);
	d = parse_xml(doc, len, "encl.rss");
	s = xp(d, "concat(count(//item/enclosure), '|', "
	    "//item/enclosure/@url, '|', //item/enclosure/@length, '|', "
	    "//item/enclosure/@type)");
	tap_is_str(s, "1|https://cdn.example/ep1.mp3?a=1&b=\"2\"|12345678|"
	    "audio/mpeg", "enclosures: RSS: the first, once");
	free(s);
	xmlFreeDoc(d);
	free(doc);
	e->enclosures[0].url[0] = 'x';	/* not http(s) now */
	doc = publish_rss(&view, &len);
	tap_ok(strstr(doc, "<enclosure url=\"https://cdn.example/notes.pdf\" "
	    "length=\"0\" type=\"application/octet-stream\"/>") != NULL,
	    "enclosures: RSS: length 0 and a generic type when unknown");
	free(doc);
	e->enclosures[0].url[0] = 'h';

	doc = publish_json(&view, &len);
	j = json_loadb(doc, len, 0, NULL);
	s = json_dumps(json_object_get(json_array_get(json_object_get(j,
	    "items"), 0), "attachments"), JSON_COMPACT);
	tap_is_str(s, "[{\"url\":\"https://cdn.example/ep1.mp3?a=1&b=\\\"2\\\"\","
	    "\"mime_type\":\"audio/mpeg\",\"size_in_bytes\":12345678},"
	    "{\"url\":\"https://cdn.example/notes.pdf\",\"mime_type\":"
	    "\"application/octet-stream\"}]", "enclosures: JSON Feed "
	    "attachments");
	free(s);
	json_decref(j);
	free(doc);

	doc = publish_html(&view, &len);
	tap_ok(strstr(doc, "<ul class=\"enclosures\">\n<li><a href=\"https://"
	    "cdn.example/ep1.mp3?a=1&amp;b=&quot;2&quot;\">ep1.mp3</a> "
	    "(audio/mpeg, 12.3 MB)</li>\n<li><a href=\"https://cdn.example/"
	    "notes.pdf\">notes.pdf</a></li>\n</ul>\n") != NULL &&
	    strstr(doc, "javascript:") == NULL, "enclosures: the page lists "
	    "them as links, escaped, no javascript:");
	free(doc);
	stored_entry_free(e);
}

int
main(void)
{
	struct stored_entry	*e[4];
	struct publish_view	 view;
	size_t			 i;

	xmlSetStructuredErrorFunc(NULL, quiet_cb);
	load_rng();

	e[0] = entry_make("https://cnn.example/2019/04/24/kim-putin",
	    "Kim and Putin meet", "https://cnn.example/2019/04/24/kim-putin",
	    "Jane Doe", T_KIM, TIME_NONE);
	e[0]->content = xstrdup("<p>Kim arrived on Wednesday.</p>"
	    "<p>Kim and Putin talked.</p>");
	entry_add_category(e[0], "World");
	entry_add_category(e[0], "Asia");
	entry_add_category(e[0], "");
	entry_add_source(e[0], "CNN", "https://cnn.example/",
	    "https://cnn.example/world.rss",
	    "https://cnn.example/2019/04/24/kim-putin");

	/* HOSTILE-30: every field carries what XML cannot hold. */
	e[1] = entry_make("42 <\x01>", "a ]]> b </content> & <script>alert(1)"
	    "</script> \x01\x1b[2J \xef\xbf\xbe \xff\xfe\xed\xa0\x80 end",
	    "javascript:alert(1)", "Eve \x07<b>\x0c ]]>", T_KIM - 60,
	    TIME_NONE);
	e[1]->summary = xstrdup("x </summary> ]]> \x0b\xef\xbf\xbf &lt;"
	    "script&gt; \xc0\xaf y");
	entry_add_category(e[1], "]]> </category> \x02\xff");
	entry_add_source(e[1], "BBC", "javascript:alert(2)",
	    "file:///tmp/feeds dir/bbc.xml", NULL);
	entry_add_source(e[1], "NPR", "https://npr.example/",
	    "https://npr.example/rss \x01", "https://npr.example/s/1");

	e[2] = entry_make(NULL, "", "https://x.example/a?b=1&c=2", NULL,
	    TIME_NONE, T_KIM);
	e[2]->summary = xstrdup("<p>Only a summary.</p>");

	e[3] = entry_make("https://example.org/?a=1&b=2", "UPI story",
	    "https://upi.example/story", NULL, T_KIM, T_KIM + 71100);
	e[3]->content = xstrdup("");
	entry_add_source(e[3], "UPI", NULL, "https://upi.example/rss",
	    NULL);

	memset(&view, 0, sizeof view);
	view.title = "Korea Watch & Co";
	view.base_url = "http://news.example:8080";
	view.path = "";
	view.updated = T_VIEW;
	view.entries = e;
	view.nentries = 4;

	test_atom(&view);
	test_rss(&view);
	test_html(&view);
	test_empty();
	test_category(e, 4);
	test_schema(e, 4);
	test_link_query(e, 4);
	test_hub(e, 4);
	test_enclosures();

	for (i = 0; i < 4; i++)
		stored_entry_free(e[i]);
	xmlRelaxNGFree(atom_rng);
	xmlCleanupParser();
	return (tap_done());
}
