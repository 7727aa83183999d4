/*
 * Unit tests for lib/parse: every fixture against its golden file, whole
 * and in small chunks, and the hostile documents of HOSTILE.md.
 *
 * A fixture tests/fixtures/NAME.xml is checked when NAME.json (the
 * expected `parse --json` output) or NAME.err (the expected start of the
 * error) lies beside it; NAME.malformed, if present, holds the start of
 * doc->malformed, which must otherwise be NULL.
 */

#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libxml/parser.h>

#include "buf.h"
#include "entry.h"
#include "parse.h"
#include "tap.h"

#define FIXTURE_BASE	"https://example.org/feed.xml"
#define STRLEN		((size_t)-1)
#define LIT(s)		s, sizeof(s) - 1

static char	*read_file(const char *, size_t *);
static char	*path_of(const char *, const char *, const char *);
static struct feed_doc *pbuf(const char *, size_t, const char *, char **);
static void	 chomp(char *);
static int	 name_cmp(const void *, const void *);
static struct feed_doc *parse_chunked(const char *, size_t, size_t,
		    const char *, const char *, char **);
static void	 check_fixture(const char *, const char *);
static char	*cat_of(const char *, const char *);
static void	 find_conformance(const char *, char ***, size_t *);
static void	 check_conformance(const char *);
static void	 test_conformance(const char *);
static int	 field_ok(const char *);
static int	 doc_clean(const struct feed_doc *);
static double	 now(void);
static char	*feed_with(const char *);
static int	 listener(int *);
static int	 connected(int);
static void	 test_options(void);
static void	 test_no_outbound(void);
static void	 test_entity_bombs(void);
static void	 test_deep_nesting(void);
static void	 test_huge_text(void);
static void	 test_size_cap(void);
static void	 test_entities(void);
static void	 test_encodings(void);
static char	*title_of(const char *, size_t, const char *, int *);
static void	 test_encodings_more(void);
static void	 test_invalid_chars(void);
static void	 test_not_feeds(void);
static void	 test_truncation(void);
static void	 test_flood(void);
static void	 test_links(void);
static void	 test_ampersands(void);
static void	 test_titles(void);
static void	 test_api(void);

/* Read a whole file; NULL if it cannot be read. */
static char *
read_file(const char *path, size_t *len)
{
	FILE	*f;
	char	*s = NULL;
	size_t	 n = 0, size = 0, r;

	if ((f = fopen(path, "rb")) == NULL)
		return (NULL);
	for (;;) {
		if (size - n < 4096) {
			size = size * 2 + 8192;
			if ((s = realloc(s, size)) == NULL) {
				fclose(f);
				return (NULL);
			}
		}
		if ((r = fread(s + n, 1, size - n - 1, f)) == 0)
			break;
		n += r;
	}
	fclose(f);
	s[n] = '\0';
	if (len != NULL)
		*len = n;
	return (s);
}

/* parse_buffer, with *cause NULL unless it fails. */
static struct feed_doc *
pbuf(const char *data, size_t len, const char *base, char **cause)
{
	*cause = NULL;
	return (parse_buffer(data, len, base, cause));
}

/* DIR/NAME.EXT, allocated. */
static char *
path_of(const char *dir, const char *name, const char *ext)
{
	struct buf	b;

	buf_init(&b);
	buf_printf(&b, "%s/%s%s", dir, name, ext);
	return (buf_steal(&b, NULL));
}

/* Remove trailing whitespace. */
static void
chomp(char *s)
{
	size_t	n = strlen(s);

	while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL)
		s[--n] = '\0';
}

static int
name_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/* Parse data pushed in chunks of size chunk (0: all at once). */
static struct feed_doc *
parse_chunked(const char *data, size_t len, size_t chunk, const char *base,
    const char *charset, char **cause)
{
	struct parse	*p;
	size_t		 off, n;

	*cause = NULL;
	p = parse_new(base, charset);
	if (chunk == 0)
		chunk = len;
	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		if (parse_push(p, data + off, n, cause) != 0) {
			parse_free(p);
			return (NULL);
		}
	}
	return (parse_end(p, cause));
}

/* Check one fixture against its golden files, in three chunkings. */
static void
check_fixture(const char *dir, const char *name)
{
	static const size_t	 chunks[] = { 0, 1, 7 };
	struct feed_doc		*d;
	char			*path, *xml, *json, *err, *mal;
	char			*got, *cause;
	size_t			 len, i;

	path = path_of(dir, name, ".xml");
	xml = read_file(path, &len);
	free(path);
	if (xml == NULL) {
		tap_ok(0, "%s: read", name);
		return;
	}
	path = path_of(dir, name, ".json");
	json = read_file(path, NULL);
	free(path);
	path = path_of(dir, name, ".err");
	err = read_file(path, NULL);
	free(path);
	path = path_of(dir, name, ".malformed");
	mal = read_file(path, NULL);
	free(path);
	if (json != NULL)
		chomp(json);
	if (err != NULL)
		chomp(err);
	if (mal != NULL)
		chomp(mal);

	for (i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
		d = parse_chunked(xml, len, chunks[i], FIXTURE_BASE, NULL,
		    &cause);
		if (err != NULL) {
			tap_ok(d == NULL && cause != NULL &&
			    strncmp(cause, err, strlen(err)) == 0,
			    "%s (chunk %zu): fails with \"%s\"", name,
			    chunks[i], err);
			if (d != NULL || cause == NULL ||
			    strncmp(cause, err, strlen(err)) != 0)
				tap_diag("cause: %s", cause != NULL ? cause :
				    "(none)");
		} else if (tap_ok(d != NULL, "%s (chunk %zu): parses", name,
		    chunks[i])) {
			got = parse_doc_json(d);
			tap_is_str(got, json, "%s (chunk %zu): golden JSON",
			    name, chunks[i]);
			free(got);
			if (mal != NULL)
				tap_ok(d->malformed != NULL &&
				    strncmp(d->malformed, mal,
				    strlen(mal)) == 0,
				    "%s (chunk %zu): malformed \"%s\"", name,
				    chunks[i], mal);
			else
				tap_ok(d->malformed == NULL,
				    "%s (chunk %zu): well-formed", name,
				    chunks[i]);
			if (d->malformed != NULL && mal == NULL)
				tap_diag("malformed: %s", d->malformed);
			tap_ok(doc_clean(d), "%s (chunk %zu): clean fields",
			    name, chunks[i]);
		} else
			tap_diag("cause: %s", cause != NULL ? cause : "(none)");
		feed_doc_free(d);
		free(cause);
	}
	free(xml);
	free(json);
	free(err);
	free(mal);
}

/* The extensions of conformance documents (gen.py writes them). */
static const char *const conformance_exts[] = {
	".xml", ".rss", ".atom", ".rdf", ".jsonfeed", ".html", ".txt"
};

/* A and B, allocated. */
static char *
cat_of(const char *a, const char *b)
{
	struct buf	bb;

	buf_init(&bb);
	buf_printf(&bb, "%s%s", a, b);
	return (buf_steal(&bb, NULL));
}

/* Gather every conformance document under dir, recursively. */
static void
find_conformance(const char *dir, char ***paths, size_t *n)
{
	DIR		*dp;
	struct dirent	*de;
	char		*path, *dot;
	size_t		 i;

	if ((dp = opendir(dir)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		path = path_of(dir, de->d_name, "");
		if ((dot = strrchr(de->d_name, '.')) == NULL) {
			find_conformance(path, paths, n);
			free(path);
			continue;
		}
		for (i = 0; i < sizeof conformance_exts /
		    sizeof conformance_exts[0]; i++) {
			if (strcmp(dot, conformance_exts[i]) == 0)
				break;
		}
		if (i == sizeof conformance_exts / sizeof conformance_exts[0]) {
			free(path);
			continue;
		}
		*paths = realloc(*paths, (*n + 1) * sizeof **paths);
		if (*paths == NULL)
			abort();
		(*paths)[(*n)++] = path;
	}
	closedir(dp);
}

/*
 * One conformance document PATH.EXT: PATH.json holds the expected parse
 * JSON (compared as JSON, not as text) or PATH.err the start of the
 * error; PATH.charset the transport's charset; PATH.malformed the start
 * of doc->malformed, which must otherwise be NULL. Fed whole and in
 * 1-byte chunks.
 */
static void
check_conformance(const char *path)
{
	static const size_t	 chunks[] = { 0, 1 };
	struct feed_doc		*d;
	json_t			*want = NULL, *got;
	char			*stem, *doc, *err, *mal, *charset, *p, *out;
	char			*cause, *name;
	size_t			 len, i;
	int			 ok;

	stem = strdup(path);
	if (stem == NULL)
		abort();
	*strrchr(stem, '.') = '\0';
	name = strstr(stem, "conformance/");
	name = name != NULL ? name + 12 : stem;
	doc = read_file(path, &len);
	p = cat_of(stem, ".json");
	want = json_load_file(p, 0, NULL);
	free(p);
	p = cat_of(stem, ".err");
	err = read_file(p, NULL);
	free(p);
	p = cat_of(stem, ".malformed");
	mal = read_file(p, NULL);
	free(p);
	p = cat_of(stem, ".charset");
	charset = read_file(p, NULL);
	free(p);
	if (err != NULL)
		chomp(err);
	if (mal != NULL)
		chomp(mal);
	if (charset != NULL)
		chomp(charset);
	if (doc == NULL || (want == NULL && err == NULL)) {
		tap_ok(0, "conformance %s: document and golden file", name);
		goto out;
	}
	for (i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
		d = parse_chunked(doc, len, chunks[i], FIXTURE_BASE, charset,
		    &cause);
		if (err != NULL) {
			ok = d == NULL && cause != NULL &&
			    strncmp(cause, err, strlen(err)) == 0;
			tap_ok(ok, "conformance %s (chunk %zu): fails with "
			    "\"%s\"", name, chunks[i], err);
			if (!ok)
				tap_diag("cause: %s", cause != NULL ? cause :
				    "(none)");
		} else if (d == NULL) {
			tap_ok(0, "conformance %s (chunk %zu): parses", name,
			    chunks[i]);
			tap_diag("cause: %s", cause != NULL ? cause : "(none)");
		} else {
			out = parse_doc_json(d);
			got = json_loads(out, 0, NULL);
			ok = got != NULL && json_equal(got, want) &&
			    doc_clean(d) && (mal != NULL ?
			    d->malformed != NULL && strncmp(d->malformed, mal,
			    strlen(mal)) == 0 : d->malformed == NULL);
			tap_ok(ok, "conformance %s (chunk %zu)", name,
			    chunks[i]);
			if (!ok) {
				tap_diag("got: %s", out);
				tap_diag("malformed: %s", d->malformed != NULL ?
				    d->malformed : "(none)");
			}
			json_decref(got);
			free(out);
		}
		feed_doc_free(d);
		free(cause);
	}
out:
	json_decref(want);
	free(doc);
	free(err);
	free(mal);
	free(charset);
	free(stem);
}

/* Every document of tests/conformance, in a stable order. */
static void
test_conformance(const char *top)
{
	char	 dir[1024], **paths = NULL;
	size_t	 n = 0, i;

	snprintf(dir, sizeof dir, "%s/tests/conformance", top);
	find_conformance(dir, &paths, &n);
	qsort(paths, n, sizeof *paths, name_cmp);
	tap_ok(n >= 400, "found %zu conformance documents in %s", n, dir);
	for (i = 0; i < n; i++) {
		check_conformance(paths[i]);
		free(paths[i]);
	}
	free(paths);
}

/* Valid UTF-8 with nothing XML forbids (HOSTILE-13). */
static int
field_ok(const char *s)
{
	char	*c;
	int	 ok;

	if (s == NULL)
		return (1);
	c = utf8_clean(s, strlen(s));
	ok = strcmp(c, s) == 0;
	free(c);
	return (ok);
}

/* Every string of a document is clean, and the schema's "" are there. */
static int
doc_clean(const struct feed_doc *d)
{
	const struct entry	*e;
	size_t			 i, k;

	if (d->meta.title == NULL || d->meta.link == NULL ||
	    d->meta.subtitle == NULL)
		return (0);
	if (!field_ok(d->meta.title) || !field_ok(d->meta.link) ||
	    !field_ok(d->meta.subtitle) || !field_ok(d->meta.language) ||
	    !field_ok(d->meta.author) || !field_ok(d->malformed))
		return (0);
	for (i = 0; i < d->nentries; i++) {
		e = d->entries[i];
		if (e->id == NULL || e->title == NULL)
			return (0);
		if (!field_ok(e->id) || !field_ok(e->title) ||
		    !field_ok(e->link) || !field_ok(e->author) ||
		    !field_ok(e->summary) || !field_ok(e->content))
			return (0);
		for (k = 0; k < e->ncategories; k++) {
			if (!field_ok(e->categories[k]))
				return (0);
		}
		for (k = 0; k < e->nenclosures; k++) {
			if (!field_ok(e->enclosures[k].url) ||
			    !field_ok(e->enclosures[k].type))
				return (0);
		}
	}
	return (1);
}

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

/* An RSS 2.0 document with one item holding the given XML. */
static char *
feed_with(const char *item)
{
	struct buf	b;

	buf_init(&b);
	buf_adds(&b, "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>"
	    "<title>t</title><link>https://example.org/</link><item>");
	buf_adds(&b, item);
	buf_adds(&b, "</item></channel></rss>\n");
	return (buf_steal(&b, NULL));
}

/* A listening socket on 127.0.0.1, non-blocking; its port in *port. */
static int
listener(int *port)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return (-1);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(fd, 8) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) == -1) {
		close(fd);
		return (-1);
	}
	*port = ntohs(sin.sin_port);
	return (fd);
}

/* Did anything connect to the listener? */
static int
connected(int fd)
{
	int	c;

	if ((c = accept(fd, NULL, NULL)) == -1)
		return (0);
	close(c);
	return (1);
}

/* HOSTILE-6: the option mask never holds a dangerous flag. */
static void
test_options(void)
{
	int	o = parse_xml_options();

	tap_ok((o & XML_PARSE_NOENT) == 0, "HOSTILE-6: no NOENT");
	tap_ok((o & XML_PARSE_DTDLOAD) == 0, "HOSTILE-6: no DTDLOAD");
	tap_ok((o & XML_PARSE_DTDATTR) == 0, "HOSTILE-6: no DTDATTR");
	tap_ok((o & XML_PARSE_DTDVALID) == 0, "HOSTILE-6: no DTDVALID");
	tap_ok((o & XML_PARSE_XINCLUDE) == 0, "HOSTILE-6: no XINCLUDE");
	tap_ok((o & XML_PARSE_HUGE) == 0, "HOSTILE-6: no HUGE");
	tap_ok((o & XML_PARSE_NONET) != 0, "HOSTILE-6: NONET set");
}

/* HOSTILE-2, HOSTILE-3, HOSTILE-8: no outbound connection, ever. */
static void
test_no_outbound(void)
{
	struct feed_doc	*d;
	char		 doc[1024], *cause;
	int		 fd, port;

	if ((fd = listener(&port)) == -1) {
		tap_ok(0, "loopback listener");
		return;
	}

	/* HOSTILE-2: an external DTD is not loaded; the feed still reads. */
	snprintf(doc, sizeof doc, "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE rss SYSTEM \"http://127.0.0.1:%d/rss.dtd\">\n"
	    "<rss version=\"2.0\"><channel><title>T &nbsp;&x;</title>"
	    "</channel></rss>\n", port);
	d = pbuf(doc, strlen(doc), NULL, &cause);
	tap_ok(d != NULL, "HOSTILE-2: external DTD ignored, feed read");
	if (d != NULL)
		tap_is_str(d->meta.title, "T", "HOSTILE-2: title read");
	feed_doc_free(d);
	tap_ok(!connected(fd), "HOSTILE-2: no connection for the DTD");

	/* HOSTILE-2: an external entity: rejected, not fetched. */
	snprintf(doc, sizeof doc, "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE rss [<!ENTITY x SYSTEM \"http://127.0.0.1:%d/x\">]>\n"
	    "<rss version=\"2.0\"><channel><title>&x;</title>"
	    "</channel></rss>\n", port);
	d = pbuf(doc, strlen(doc), NULL, &cause);
	tap_ok(d == NULL && cause != NULL &&
	    strstr(cause, "declares entities") != NULL,
	    "HOSTILE-2: external entity rejected");
	free(cause);
	tap_ok(!connected(fd), "HOSTILE-2: no connection for the entity");

	/* HOSTILE-3: a blind parameter entity. */
	snprintf(doc, sizeof doc, "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE rss [<!ENTITY %% r SYSTEM \"http://127.0.0.1:%d/e\">"
	    " %%r;]>\n<rss version=\"2.0\"><channel><title>t</title>"
	    "</channel></rss>\n", port);
	d = pbuf(doc, strlen(doc), NULL, &cause);
	tap_ok(d == NULL, "HOSTILE-3: parameter entity rejected");
	free(cause);
	tap_ok(!connected(fd), "HOSTILE-3: no connection");

	/* HOSTILE-8: XInclude is an unknown element, never processed. */
	snprintf(doc, sizeof doc, "<?xml version=\"1.0\"?>\n"
	    "<rss version=\"2.0\" xmlns:xi=\"http://www.w3.org/2001/XInclude\">"
	    "<channel><title>t</title><item><title>i</title><description>"
	    "<xi:include href=\"http://127.0.0.1:%d/x\" parse=\"text\"/>"
	    "<xi:include href=\"file:///etc/passwd\" parse=\"text\"/>"
	    "</description></item></channel></rss>\n", port);
	d = pbuf(doc, strlen(doc), NULL, &cause);
	tap_ok(d != NULL && d->nentries == 1 &&
	    d->entries[0]->summary == NULL,
	    "HOSTILE-8: xi:include not processed");
	feed_doc_free(d);
	tap_ok(!connected(fd), "HOSTILE-8: no connection");
	close(fd);
}

/* HOSTILE-4, HOSTILE-5: entity bombs rejected fast, before expansion. */
static void
test_entity_bombs(void)
{
	struct feed_doc	*d;
	struct buf	 b;
	char		*cause;
	double		 t0;
	int		 i;

	/* HOSTILE-5: one 50 KB entity referenced 50 000 times. */
	buf_init(&b);
	buf_adds(&b, "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY a \"");
	for (i = 0; i < 50000; i++)
		buf_addc(&b, 'a');
	buf_adds(&b, "\">]>\n<rss version=\"2.0\"><channel><title>t</title>"
	    "<item><description>");
	for (i = 0; i < 50000; i++)
		buf_adds(&b, "&a;");
	buf_adds(&b, "</description></item></channel></rss>\n");
	t0 = now();
	d = pbuf(b.data, b.len, NULL, &cause);
	tap_ok(d == NULL && cause != NULL &&
	    strstr(cause, "declares entities") != NULL,
	    "HOSTILE-5: quadratic blowup rejected (%zu bytes)", b.len);
	tap_ok(now() - t0 < 1.0, "HOSTILE-5: rejected in under a second");
	free(cause);
	buf_free(&b);

	/* HOSTILE-4, in 1-byte chunks too: the parse stops at once. */
	buf_init(&b);
	buf_adds(&b, "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n"
	    "<!ENTITY l0 \"lol\">\n");
	for (i = 1; i < 10; i++)
		buf_printf(&b, "<!ENTITY l%d \"&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;"
		    "&l%d;&l%d;&l%d;&l%d;\">\n", i, i - 1, i - 1, i - 1, i - 1,
		    i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	buf_adds(&b, "]>\n<rss version=\"2.0\"><channel><title>&l9;</title>"
	    "</channel></rss>\n");
	t0 = now();
	d = parse_chunked(b.data, b.len, 1, NULL, NULL, &cause);
	tap_ok(d == NULL && cause != NULL &&
	    strstr(cause, "declares entities") != NULL,
	    "HOSTILE-4: billion laughs rejected");
	tap_ok(now() - t0 < 1.0, "HOSTILE-4: rejected in under a second");
	free(cause);
	buf_free(&b);
}

/* HOSTILE-7: 100 000 nested elements: an error, no stack overflow. */
static void
test_deep_nesting(void)
{
	struct feed_doc	*d;
	struct buf	 b;
	char		*cause;
	int		 i;

	buf_init(&b);
	buf_adds(&b, "<rss version=\"2.0\"><channel><title>t</title><item>"
	    "<description>");
	for (i = 0; i < 100000; i++)
		buf_adds(&b, "<d>");
	buf_adds(&b, "x");
	for (i = 0; i < 100000; i++)
		buf_adds(&b, "</d>");
	buf_adds(&b, "</description></item></channel></rss>");
	d = pbuf(b.data, b.len, NULL, &cause);
	tap_ok(d == NULL && cause != NULL &&
	    strncmp(cause, "malformed document", 18) == 0,
	    "HOSTILE-7: deep nesting is a parse error: %s",
	    cause != NULL ? cause : "(none)");
	feed_doc_free(d);
	free(cause);
	buf_free(&b);

	/* Within the limit, a deep xhtml body is walked without recursion. */
	buf_init(&b);
	buf_adds(&b, "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t"
	    "</title><entry><id>x</id><content type=\"xhtml\"><div xmlns="
	    "\"http://www.w3.org/1999/xhtml\">");
	for (i = 0; i < 200; i++)
		buf_adds(&b, "<span>");
	buf_adds(&b, "deep");
	for (i = 0; i < 200; i++)
		buf_adds(&b, "</span>");
	buf_adds(&b, "</div></content></entry></feed>");
	d = pbuf(b.data, b.len, NULL, &cause);
	tap_ok(d != NULL && d->nentries == 1 &&
	    d->entries[0]->content != NULL &&
	    strstr(d->entries[0]->content, "deep") != NULL,
	    "200 nested xhtml spans are read");
	feed_doc_free(d);
	buf_free(&b);
}

/* HOSTILE-9: a 12 MB description is cut to the 1 MiB field cap. */
static void
test_huge_text(void)
{
	struct feed_doc	*d;
	struct buf	 b;
	char		*cause;
	size_t		 i;

	buf_init(&b);
	buf_adds(&b, "<rss version=\"2.0\"><channel><title>t</title><item>"
	    "<title>huge</title><description>");
	for (i = 0; i < 12 * 1024 * 1024 / 8; i++)
		buf_add(&b, "\xc3\xa9tude. ", 8);
	buf_adds(&b, "</description></item></channel></rss>");
	/* Whole: more than libxml2 takes at once (it is fed in pieces). */
	d = parse_chunked(b.data, b.len, 0, NULL, NULL, &cause);
	tap_ok(d != NULL && d->nentries == 1 && d->malformed == NULL,
	    "HOSTILE-9: huge text read");
	if (d != NULL && d->nentries == 1) {
		tap_ok(d->entries[0]->summary != NULL &&
		    strlen(d->entries[0]->summary) <= 1024 * 1024,
		    "HOSTILE-9: summary cut to 1 MiB (%zu bytes)",
		    d->entries[0]->summary != NULL ?
		    strlen(d->entries[0]->summary) : 0);
		tap_ok(doc_clean(d), "HOSTILE-9: cut on a character boundary");
	}
	feed_doc_free(d);
	free(cause);
	buf_free(&b);
}

/* HOSTILE-10: the document cap is exact. */
static void
test_size_cap(void)
{
	static const char	 head[] = "<rss version=\"2.0\"><channel>"
	    "<title>cap</title></channel></rss>";
	struct parse		*p;
	struct feed_doc		*d;
	char			*pad, *cause = NULL;
	size_t			 cap = 64 * 1024 * 1024, left, n;
	int			 rc = 0;

	if ((pad = malloc(1024 * 1024)) == NULL)
		return;
	memset(pad, ' ', 1024 * 1024);

	p = parse_new(NULL, NULL);
	rc = parse_push(p, head, sizeof head - 1, &cause);
	for (left = cap - (sizeof head - 1); rc == 0 && left > 0; left -= n) {
		n = left < 1024 * 1024 ? left : 1024 * 1024;
		rc = parse_push(p, pad, n, &cause);
	}
	tap_ok(rc == 0, "HOSTILE-10: exactly 64 MiB is accepted");
	d = parse_end(p, &cause);
	tap_ok(d != NULL && strcmp(d->meta.title, "cap") == 0,
	    "HOSTILE-10: and parsed");
	feed_doc_free(d);
	free(cause);
	cause = NULL;

	p = parse_new(NULL, NULL);
	rc = parse_push(p, head, sizeof head - 1, &cause);
	for (left = cap - (sizeof head - 1); rc == 0 && left > 0; left -= n) {
		n = left < 1024 * 1024 ? left : 1024 * 1024;
		rc = parse_push(p, pad, n, &cause);
	}
	if (rc == 0)
		rc = parse_push(p, " ", 1, &cause);
	tap_ok(rc == -1 && cause != NULL && strstr(cause, "too large") != NULL,
	    "HOSTILE-10: one byte more is \"too large\"");
	parse_free(p);
	free(cause);
	free(pad);
}

/*
 * HOSTILE-11, the policy: HTML named entities in text are read as their
 * characters; an unknown name, or any named entity in an attribute, is
 * an error (dropped, the document marked malformed). Predefined and
 * numeric references are always fine.
 */
static void
test_entities(void)
{
	struct feed_doc	*d;
	char		*doc, *cause;

	doc = feed_with("<title>caf&eacute;&nbsp;&amp;&#x20;&hellip;&#233;"
	    "&lt;b&gt;</title><guid>g</guid>");
	d = pbuf(doc, strlen(doc), NULL, &cause);
	tap_ok(d != NULL && d->nentries == 1 && d->malformed == NULL,
	    "HOSTILE-11: HTML entities map, well-formed");
	if (d != NULL && d->nentries == 1)
		tap_is_str(d->entries[0]->title,
		    "caf\xc3\xa9 & \xe2\x80\xa6\xc3\xa9",
		    "HOSTILE-11: entity values");
	feed_doc_free(d);
	free(doc);

	doc = feed_with("<title>a&bogus;b &amp; c</title><guid>g</guid>");
	d = pbuf(doc, strlen(doc), NULL, &cause);
	tap_ok(d != NULL && d->malformed != NULL &&
	    strstr(d->malformed, "bogus") != NULL,
	    "HOSTILE-11: unknown entity marks the document malformed");
	if (d != NULL && d->nentries == 1)
		tap_is_str(d->entries[0]->title, "ab & c",
		    "HOSTILE-11: unknown entity dropped, &amp; kept after it");
	feed_doc_free(d);
	free(doc);

	doc = feed_with("<title>t</title><guid>g</guid><enclosure "
	    "url=\"https://example.org/caf&eacute;.mp3\" type=\"a&amp;b\"/>");
	d = pbuf(doc, strlen(doc), NULL, &cause);
	tap_ok(d != NULL && d->malformed != NULL,
	    "HOSTILE-11: named entity in an attribute is an error");
	if (d != NULL && d->nentries == 1 &&
	    d->entries[0]->nenclosures == 1) {
		tap_is_str(d->entries[0]->enclosures[0].url,
		    "https://example.org/caf.mp3",
		    "HOSTILE-11: and dropped from the attribute");
		tap_is_str(d->entries[0]->enclosures[0].type, "a&b",
		    "HOSTILE-11: &amp; in an attribute is fine");
	} else
		tap_ok(0, "HOSTILE-11: enclosure read");
	feed_doc_free(d);
	free(doc);
}

/* HOSTILE-12: encodings give valid UTF-8 or a clean error. */
static void
test_encodings(void)
{
	static const char	 text[] = "<?xml version=\"1.0\"?>"
	    "<rss version=\"2.0\"><channel><title>caf\xc3\xa9 \xe2\x82\xac"
	    "</title></channel></rss>";
	struct feed_doc		*d;
	struct buf		 b;
	const char		*doc;
	char			*cause;
	size_t			 i, n;
	unsigned char		 c;

	/* UTF-16 LE and BE with a BOM, converted by hand from ASCII+é+€. */
	for (n = 0; n < 2; n++) {
		buf_init(&b);
		buf_add(&b, n == 0 ? "\xff\xfe" : "\xfe\xff", 2);
		for (i = 0; i < sizeof text - 1; i++) {
			uint32_t	cp = (unsigned char)text[i];

			if (cp == 0xc3) {
				cp = 0xe9;
				i++;
			} else if (cp == 0xe2) {
				cp = 0x20ac;
				i += 2;
			}
			c = n == 0 ? cp & 0xff : cp >> 8;
			buf_addc(&b, (char)c);
			c = n == 0 ? cp >> 8 : cp & 0xff;
			buf_addc(&b, (char)c);
		}
		d = parse_chunked(b.data, b.len, 1, NULL, NULL, &cause);
		tap_ok(d != NULL && strcmp(d->meta.title,
		    "caf\xc3\xa9 \xe2\x82\xac") == 0,
		    "HOSTILE-12: UTF-16%s with BOM", n == 0 ? "LE" : "BE");
		if (d == NULL)
			tap_diag("cause: %s", cause);
		feed_doc_free(d);
		free(cause);
		buf_free(&b);
	}

	/* A UTF-8 BOM before <?xml. */
	buf_init(&b);
	buf_adds(&b, "\xef\xbb\xbf");
	buf_adds(&b, text);
	d = parse_chunked(b.data, b.len, 1, NULL, NULL, &cause);
	tap_ok(d != NULL && strcmp(d->meta.title, "caf\xc3\xa9 \xe2\x82\xac")
	    == 0, "HOSTILE-12: UTF-8 BOM");
	feed_doc_free(d);
	free(cause);
	buf_free(&b);

	/* Declared ISO-8859-1, sent ISO-8859-1. */
	doc = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version="
	    "\"2.0\"><channel><title>caf\xe9</title></channel></rss>";
	d = parse_chunked(doc, strlen(doc), 1, NULL, NULL, &cause);
	tap_ok(d != NULL && strcmp(d->meta.title, "caf\xc3\xa9") == 0,
	    "HOSTILE-12: ISO-8859-1 declared and sent");
	feed_doc_free(d);
	free(cause);

	/* Declared ISO-8859-1, sent UTF-8: read as UTF-8, marked. */
	doc = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version="
	    "\"2.0\"><channel><title>caf\xc3\xa9 \xe2\x82\xac &#233;</title>"
	    "</channel></rss>";
	d = parse_chunked(doc, strlen(doc), 1, NULL, NULL, &cause);
	tap_ok(d != NULL && strcmp(d->meta.title,
	    "caf\xc3\xa9 \xe2\x82\xac \xc3\xa9") == 0 && d->malformed != NULL,
	    "HOSTILE-12: ISO-8859-1 declared, UTF-8 sent: no mojibake");
	feed_doc_free(d);
	free(cause);

	/* Real windows-1252 is read as such. */
	doc = "<?xml version=\"1.0\" encoding=\"windows-1252\"?><rss version="
	    "\"2.0\"><channel><title>\x93q\x94 caf\xe9</title>"
	    "</channel></rss>";
	d = parse_chunked(doc, strlen(doc), 1, NULL, NULL, &cause);
	tap_ok(d != NULL && strcmp(d->meta.title,
	    "\xe2\x80\x9cq\xe2\x80\x9d caf\xc3\xa9") == 0 &&
	    d->malformed == NULL, "HOSTILE-12: windows-1252");
	feed_doc_free(d);
	free(cause);

	/* Declared UTF-8, sent ISO-8859-1: valid UTF-8 out, marked. */
	doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version="
	    "\"2.0\"><channel><title>caf\xe9 ok</title></channel></rss>";
	d = parse_chunked(doc, strlen(doc), 1, NULL, NULL, &cause);
	tap_ok(d == NULL || (doc_clean(d) && d->malformed != NULL),
	    "HOSTILE-12: UTF-8 declared, Latin-1 sent: clean and marked");
	feed_doc_free(d);
	free(cause);

	/* An unknown encoding: a clean error or clean text. */
	doc = "<?xml version=\"1.0\" encoding=\"x-foo\"?><rss version="
	    "\"2.0\"><channel><title>caf\xe9</title></channel></rss>";
	d = parse_chunked(doc, strlen(doc), 1, NULL, NULL, &cause);
	tap_ok(d == NULL ? cause != NULL : doc_clean(d),
	    "HOSTILE-12: unknown encoding x-foo handled");
	feed_doc_free(d);
	free(cause);

	/* The transport's charset, when the document names none. */
	doc = "<rss version=\"2.0\"><channel><title>caf\xe9</title>"
	    "</channel></rss>";
	d = parse_chunked(doc, strlen(doc), 1, NULL, "iso-8859-1", &cause);
	tap_ok(d != NULL && strcmp(d->meta.title, "caf\xc3\xa9") == 0,
	    "HOSTILE-12: charset from Content-Type used");
	feed_doc_free(d);
	free(cause);

	/*
	 * A charset contradicting the declaration: Content-Type wins (RFC
	 * 7303 3.2), and UTF-8 bytes under a Latin-1 label are read as
	 * UTF-8 anyway, marked.
	 */
	doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version="
	    "\"2.0\"><channel><title>caf\xc3\xa9</title></channel></rss>";
	d = parse_chunked(doc, strlen(doc), 1, NULL, "iso-8859-1", &cause);
	tap_ok(d != NULL && strcmp(d->meta.title, "caf\xc3\xa9") == 0 &&
	    d->malformed != NULL,
	    "HOSTILE-12: Latin-1 Content-Type on UTF-8 bytes: no mojibake");
	feed_doc_free(d);
	free(cause);
	test_encodings_more();
}

/* One document in an encoding: its title, or NULL (caller frees). */
static char *
title_of(const char *doc, size_t len, const char *charset, int *malformed)
{
	struct feed_doc	*d, *d1;
	char		*cause, *t = NULL;

	d = parse_chunked(doc, len, 0, NULL, charset, &cause);
	free(cause);
	d1 = parse_chunked(doc, len, 1, NULL, charset, &cause);
	free(cause);
	if (d != NULL && d1 != NULL && strcmp(d->meta.title,
	    d1->meta.title) == 0 && doc_clean(d)) {
		t = strdup(d->meta.title);
		*malformed = d->malformed != NULL;
	}
	feed_doc_free(d);
	feed_doc_free(d1);
	return (t);
}

/* HOSTILE-12: RFC 7303 precedence, fallbacks, legacy encodings. */
static void
test_encodings_more(void)
{
	static const struct {
		const char	*doc;
		size_t		 len;
		const char	*charset;
		const char	*title;
		int		 malformed;
		const char	*what;
	} cases[] = {
		{ "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss><channel>"
		    "<title>\x93q\x94</title></channel></rss>", STRLEN,
		    "windows-1252", "\xe2\x80\x9cq\xe2\x80\x9d", 0,
		    "Content-Type beats the declaration" },
		{ "\xef\xbb\xbf<rss><channel><title>caf\xc3\xa9</title>"
		    "</channel></rss>", STRLEN, "iso-8859-1", "caf\xc3\xa9", 0,
		    "a BOM beats Content-Type" },
		{ "<?xml version=\"1.0\" encoding=\"x-foo\"?><rss><channel>"
		    "<title>caf\xc3\xa9</title></channel></rss>", STRLEN, NULL,
		    "caf\xc3\xa9", 1, "unknown encoding: UTF-8" },
		{ "<?xml version=\"1.0\" encoding=\"x-foo\"?><rss><channel>"
		    "<title>caf\xe9</title></channel></rss>", STRLEN, NULL,
		    "caf\xc3\xa9", 1, "unknown encoding: then windows-1252" },
		{ "<rss><channel><title>caf\xe9 \x80</title></channel></rss>",
		    STRLEN, NULL, "caf\xc3\xa9 \xe2\x82\xac", 1,
		    "undeclared, not UTF-8: windows-1252" },
		{ "<rss><channel><title>\xc3\xa9 \xe9 \xff</title></channel>"
		    "</rss>", STRLEN, NULL,
		    "\xc3\xa9 \xef\xbf\xbd \xef\xbf\xbd",
		    1, "UTF-8 with invalid bytes: U+FFFD" },
		{ "<rss><channel><title>\xe2\x82</title></channel></rss>",
		    STRLEN, NULL, "\xc3\xa2\xe2\x80\x9a", 1,
		    "a cut sequence, no UTF-8 before: windows-1252" },
		{ "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><rss>"
		    "<channel><title>\x93\xfa\x96\x7b</title></channel></rss>",
		    STRLEN, NULL, "\xe6\x97\xa5\xe6\x9c\xac", 0, "Shift_JIS" },
		{ "<?xml version=\"1.0\" encoding=\"EUC-KR\"?><rss>"
		    "<channel><title>\xc7\xd1\xb1\xb9</title></channel></rss>",
		    STRLEN, NULL, "\xed\x95\x9c\xea\xb5\xad", 0, "EUC-KR" },
		{ "<rss><channel><title>\xc7\xd1\xb1\xb9</title></channel>"
		    "</rss>", STRLEN, "euc-kr", "\xed\x95\x9c\xea\xb5\xad", 0,
		    "EUC-KR from Content-Type" },
		{ "<?xml version=\"1.0\" encoding=\"ISO-8859-7\"?><rss>"
		    "<channel><title>\xe1\xe2</title></channel></rss>", STRLEN,
		    NULL, "\xce\xb1\xce\xb2", 0, "ISO-8859-7" },
		{ "<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?><rss>"
		    "<channel><title>\xa4</title></channel></rss>", STRLEN,
		    NULL, "\xe2\x82\xac", 0, "ISO-8859-15" },
		{ LIT("<\0r\0s\0s\0>\0<\0c\0h\0a\0n\0n\0e\0l\0>\0<\0t\0i\0t\0"
		    "l\0e\0>\0\xe9\0<\0/\0t\0i\0t\0l\0e\0>\0<\0/\0c\0h\0a\0"
		    "n\0n\0e\0l\0>\0<\0/\0r\0s\0s\0>\0"), NULL, "\xc3\xa9",
		    0, "UTF-16LE without a BOM" },
		{ LIT("\0<\0r\0s\0s\0>\0<\0c\0h\0a\0n\0n\0e\0l\0>\0<\0t\0i\0t"
		    "\0l\0e\0>\0\xe9\0<\0/\0t\0i\0t\0l\0e\0>\0<\0/\0c\0h\0a"
		    "\0n\0n\0e\0l\0>\0<\0/\0r\0s\0s\0>"), "iso-8859-1",
		    "\xc3\xa9", 1, "UTF-16BE without a BOM, labeled Latin-1" },
		{ LIT("\xff\xfe<\0r\0s\0s\0>\0<\0c\0h\0a\0n\0n\0e\0l\0>\0<\0t"
		    "\0i\0t\0l\0e\0>\0\x00\xd8x\0<\0/\0t\0i\0t\0l\0e\0>\0<\0"
		    "/\0c\0h\0a\0n\0n\0e\0l\0>\0<\0/\0r\0s\0s\0>\0"), NULL,
		    "\xef\xbf\xbdx", 1, "UTF-16LE lone surrogate: U+FFFD" },
		{ "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss><channel>"
		    "<title>caf\xc3\xa9</title></channel></rss>", STRLEN, NULL,
		    "caf\xc3\xa9", 1, "UTF-16 declared, 8-bit sent" },
		{ "<rss><channel><title>caf\xc3\xa9</title></channel></rss>",
		    STRLEN, "utf-16", "caf\xc3\xa9", 1,
		    "UTF-16 Content-Type, 8-bit sent" },
		{ "<rss><channel><title>caf\xc3\xa9</title></channel></rss>",
		    STRLEN, "x-nonsense", "caf\xc3\xa9", 1,
		    "unknown Content-Type charset" },
		{ "<?xml version=\"1.0\" encoding=\"us-ascii\"?><rss><channel>"
		    "<title>caf\xc3\xa9</title></channel></rss>", STRLEN, NULL,
		    "caf\xc3\xa9", 1, "US-ASCII declared, UTF-8 sent" },
		{ "<?xml version=\"1.0\" encoding=\"UTF-7\"?><rss><channel>"
		    "<title>+ADw-b+AD4-x</title></channel></rss>", STRLEN, NULL,
		    "+ADw-b+AD4-x", 1, "UTF-7 declared: refused, read as UTF-8" },
		{ "<rss><channel><title>+ADw-b+AD4-x</title></channel></rss>",
		    STRLEN, "unicode-1-1-utf-7", "+ADw-b+AD4-x", 1,
		    "UTF-7 Content-Type: refused" },
		{ "<?xml version=\"1.0\" encoding=\"../../etc/x\"?><rss>"
		    "<channel><title>ok</title></channel></rss>", STRLEN, NULL,
		    "ok", 1, "a path as the encoding name" },
	};
	size_t	 i, len;
	char	*t;
	int	 mal = -1;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		len = cases[i].len == STRLEN ? strlen(cases[i].doc) :
		    cases[i].len;
		mal = -1;
		t = title_of(cases[i].doc, len, cases[i].charset, &mal);
		tap_ok(t != NULL && strcmp(t, cases[i].title) == 0 &&
		    mal == cases[i].malformed, "HOSTILE-12: %s", cases[i].what);
		if (t == NULL || strcmp(t, cases[i].title) != 0 ||
		    mal != cases[i].malformed)
			tap_diag("title \"%s\", malformed %d", t != NULL ? t :
			    "(none)", mal);
		free(t);
	}
}

/* HOSTILE-13: NULs, controls, U+FFFE and surrogates never reach a field. */
static void
test_invalid_chars(void)
{
	static const char	*items[] = {
		"<title>a&#1;b&#xD800;c&#xFFFE;d</title><guid>g</guid>",
		"<title>a\x01" "b\x1b[2Jc</title><guid>g</guid>",
		"<title>a\xef\xbf\xbe" "b\xed\xa0\x80" "c</title>"
		    "<guid>g</guid>",
		"<title>x</title><description>a&amp;#1;b&amp;#xD800;c"
		    "</description><guid>g</guid>",
		"<title>\xff\xfe bad bytes \xc0\xaf</title><guid>g</guid>",
	};
	struct feed_doc	*d;
	char		*doc, *cause;
	size_t		 i, len;

	for (i = 0; i < sizeof items / sizeof items[0]; i++) {
		doc = feed_with(items[i]);
		d = pbuf(doc, strlen(doc), NULL, &cause);
		tap_ok(d == NULL ? cause != NULL : doc_clean(d),
		    "HOSTILE-13: invalid characters filtered (case %zu)", i);
		feed_doc_free(d);
		free(cause);
		free(doc);
	}

	/* An embedded NUL: length-based all the way, nothing truncated. */
	doc = feed_with("<title>before\x01" "after</title><guid>g</guid>");
	len = strlen(doc);
	doc[strstr(doc, "\x01") - doc] = '\0';
	d = pbuf(doc, len, NULL, &cause);
	tap_ok(d == NULL ? cause != NULL : doc_clean(d),
	    "HOSTILE-13: a NUL byte is handled");
	feed_doc_free(d);
	free(cause);
	free(doc);
}

/* HOSTILE-14: not feeds. */
static void
test_not_feeds(void)
{
	static const struct {
		const char	*data;
		size_t		 len;
		const char	*cause;
	} cases[] = {
		{ "", 0, "empty document" },
		{ " \r\n\t ", 5, "empty document" },
		{ "\xef\xbb\xbf\n", 4, "empty document" },
		{ "just some text\n", STRLEN, "not a feed" },
		{ "{\"version\": 1}", STRLEN, "not a feed" },
		{ "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, "not a feed" },
		{ "\x1f\x8b\x08\0\0\0\0\0\0\x03", 10,
		    "not a feed: gzip-compressed data" },
		{ "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/"
		    "svg\"/>", STRLEN, "not a feed: <svg> document" },
		{ "<HTML><BODY>x</BODY></HTML>", STRLEN,
		    "not a feed: an HTML page" },
		{ "<!doctype html><p>x", STRLEN, "not a feed: an HTML page" },
		{ "<html><head><link rel=\"alternate\" type=\"application/"
		    "rss+xml\" href=\"/rss\"></head><body>x</body></html>",
		    STRLEN, "not a feed: an HTML page (it links to a feed: "
		    "https://example.org/rss)" },
		{ "<!DOCTYPE html><html><head><link rel=\"Alternate Feed\" "
		    "type=\"application/atom+xml\" href=\"a.atom\"><link "
		    "rel=alternate type=application/rss+xml href=b.rss>",
		    STRLEN, "not a feed: an HTML page (it links to a feed: "
		    "https://example.org/a.atom)" },
		{ "<!doctype html><head><base href=\"http://x.test/d/\"><link "
		    "rel=alternate type=\"application/feed+json\" href=f.json>"
		    "</head>", STRLEN, "not a feed: an HTML page (it links to "
		    "a feed: http://x.test/d/f.json)" },
		{ "<html><head><link rel=alternate type=application/rss+xml "
		    "href=\"javascript:alert(1)\"></head></html>", STRLEN,
		    "not a feed: an HTML page" },
		{ "[1, 2]", STRLEN, "not a feed: a JSON document" },
		{ "{\"version\": \"https://jsonfeed.org/version/1.1\", "
		    "\"items\": [", STRLEN, "malformed document" },
		{ "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-"
		    "syntax-ns#\"/>", STRLEN, "not a feed: <RDF>" },
		{ "<rss version=\"2.0\"><title>no channel</title></rss>",
		    STRLEN, "not a feed: <rss> document without a channel" },
	};
	struct feed_doc	*d;
	char		*cause;
	size_t		 i, len;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		len = cases[i].len == STRLEN ? strlen(cases[i].data) :
		    cases[i].len;
		d = parse_chunked(cases[i].data, len, 1, FIXTURE_BASE, NULL,
		    &cause);
		tap_ok(d == NULL && cause != NULL && strncmp(cause,
		    cases[i].cause, strlen(cases[i].cause)) == 0,
		    "HOSTILE-14: \"%s\"", cases[i].cause);
		if (d != NULL || cause == NULL)
			tap_diag("cause: %s", cause != NULL ? cause : "(none)");
		else if (strncmp(cause, cases[i].cause,
		    strlen(cases[i].cause)) != 0)
			tap_diag("cause: %s", cause);
		feed_doc_free(d);
		free(cause);
	}
}

/* HOSTILE-15: no proper prefix of a feed is ever a feed. */
static void
test_truncation(void)
{
	struct feed_doc	*d;
	char		 path[1024], *xml, *cause, *end;
	const char	*top;
	size_t		 len, k, complete, bad = 0;

	if ((top = getenv("top_srcdir")) == NULL)
		top = ".";
	snprintf(path, sizeof path, "%s/tests/fixtures/rss20-full.xml", top);
	if ((xml = read_file(path, &len)) == NULL ||
	    (end = strstr(xml, "</rss>")) == NULL) {
		tap_ok(0, "HOSTILE-15: read rss20-full.xml");
		free(xml);
		return;
	}
	complete = (end - xml) + 6;
	for (k = 0; k < complete; k++) {
		d = pbuf(xml, k, FIXTURE_BASE, &cause);
		if (d != NULL || cause == NULL) {
			if (bad++ == 0)
				tap_diag("prefix of %zu bytes parsed", k);
		}
		feed_doc_free(d);
		free(cause);
	}
	tap_ok(bad == 0, "HOSTILE-15: all %zu truncations fail (%zu did not)",
	    complete, bad);
	d = pbuf(xml, complete, FIXTURE_BASE, &cause);
	tap_ok(d != NULL, "HOSTILE-15: the document up to </rss> parses");
	feed_doc_free(d);
	free(xml);
}

/* HOSTILE-17: an item flood keeps the newest entries, quickly. */
static void
test_flood(void)
{
	struct feed_doc	*d;
	struct buf	 b;
	char		*cause;
	double		 t0;
	int		 i, ok = 1;

	buf_init(&b);
	buf_adds(&b, "<rss version=\"2.0\"><channel><title>flood</title>");
	for (i = 0; i < 20000; i++) {
		/* Oldest first, so the newest are at the end. */
		buf_printf(&b, "<item><title>%d</title><guid>%d</guid>"
		    "<pubDate>%s, %02d Jan 2019 %02d:%02d:%02d GMT</pubDate>"
		    "</item>", i, i, "Tue", 1 + i / 86400 % 28,
		    i / 3600 % 24, i / 60 % 60, i % 60);
	}
	buf_adds(&b, "</channel></rss>");
	t0 = now();
	d = pbuf(b.data, b.len, NULL, &cause);
	tap_ok(d != NULL && d->nentries == 1000,
	    "HOSTILE-17: 20000 items capped to 1000 (%zu)",
	    d != NULL ? d->nentries : 0);
	for (i = 0; d != NULL && i < (int)d->nentries && i < 1000; i++) {
		char	id[16];

		snprintf(id, sizeof id, "%d", 19000 + i);
		if (strcmp(d->entries[i]->id, id) != 0)
			ok = 0;
	}
	tap_ok(d != NULL && ok, "HOSTILE-17: the newest 1000, in order");
	tap_ok(now() - t0 < 10.0, "HOSTILE-17: in bounded time (%.2fs)",
	    now() - t0);
	feed_doc_free(d);
	free(cause);
	buf_free(&b);

	/* One item with 100 000 categories and enclosures: capped. */
	buf_init(&b);
	buf_adds(&b, "<rss version=\"2.0\"><channel><title>c</title><item>"
	    "<title>many</title><guid>m</guid>");
	for (i = 0; i < 100000; i++)
		buf_printf(&b, "<category>c%d</category><enclosure url=\""
		    "https://e.org/%d\"/>", i, i);
	buf_adds(&b, "</item></channel></rss>");
	t0 = now();
	d = pbuf(b.data, b.len, NULL, &cause);
	tap_ok(d != NULL && d->nentries == 1 &&
	    d->entries[0]->ncategories == 64 &&
	    d->entries[0]->nenclosures == 16,
	    "HOSTILE-17: categories and enclosures capped");
	tap_ok(now() - t0 < 10.0, "HOSTILE-17: quickly (%.2fs)", now() - t0);
	feed_doc_free(d);
	free(cause);
	buf_free(&b);
}

/* HOSTILE-19 and link resolution. */
static void
test_links(void)
{
	struct feed_doc	*d;
	struct buf	 b;
	char		*doc, *cause;
	int		 i;

	/* A 64 KB link is dropped, the entry kept. */
	buf_init(&b);
	buf_adds(&b, "<title>long</title><guid>g</guid><link>https://"
	    "example.org/");
	for (i = 0; i < 65536; i++)
		buf_addc(&b, 'a');
	buf_adds(&b, "</link>");
	doc = feed_with(b.data);
	buf_free(&b);
	d = pbuf(doc, strlen(doc), NULL, &cause);
	tap_ok(d != NULL && d->nentries == 1 && d->entries[0]->link == NULL,
	    "HOSTILE-19: a 64 KB link is dropped, the entry kept");
	feed_doc_free(d);
	free(doc);

	/* Relative links need a base: without one they are dropped. */
	doc = feed_with("<title>rel</title><link>/story</link>");
	d = pbuf(doc, strlen(doc), NULL, &cause);
	tap_ok(d != NULL && d->nentries == 1 && d->entries[0]->link == NULL,
	    "relative link without a base: dropped");
	feed_doc_free(d);
	d = pbuf(doc, strlen(doc), "http://example.net/a/feed",
	    &cause);
	tap_ok(d != NULL && d->nentries == 1 && d->entries[0]->link != NULL &&
	    strcmp(d->entries[0]->link, "http://example.net/story") == 0,
	    "relative link resolved against the document URL");
	feed_doc_free(d);
	free(doc);

	/* A file: base URL (a local file) never makes file: links. */
	doc = feed_with("<title>rel</title><link>story</link>");
	d = pbuf(doc, strlen(doc), "file:///srv/feed.xml", &cause);
	tap_ok(d != NULL && d->nentries == 1 && d->entries[0]->link == NULL,
	    "HOSTILE-19: no file: link from a file: base");
	feed_doc_free(d);
	free(doc);
}

/* The bare-ampersand filter: links and titles keep their '&'. */
static void
test_ampersands(void)
{
	static const struct {
		const char	*item;
		const char	*title;
		const char	*link;
	} cases[] = {
		{ "<title>Q&A</title><link>https://e.org/?a=1&b=2</link>",
		    "Q&A", "https://e.org/?a=1&b=2" },
		{ "<title>AT&T &amp; you</title><link>https://e.org/</link>",
		    "AT&T & you", "https://e.org/" },
		{ "<title>a & b</title><guid>&; &#; &#x; &#12a; &#12;c"
		    "</guid>", "a & b", "&; &#; &#x; &#12a; c" },
		{ "<title><![CDATA[R&D]]></title><link>https://e.org/&amp;x"
		    "</link>", "R&D", "https://e.org/&x" },
		{ "<!-- a & b --><title>x&</title><link>https://e.org/</link>",
		    "x&", "https://e.org/" },
	};
	struct feed_doc	*d;
	char		*doc, *cause;
	size_t		 i, chunk;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		doc = feed_with(cases[i].item);
		for (chunk = 0; chunk < 2; chunk++) {
			d = parse_chunked(doc, strlen(doc), chunk, NULL, NULL,
			    &cause);
			if (!tap_ok(d != NULL && d->nentries == 1,
			    "ampersands %zu (chunk %zu): parses", i, chunk)) {
				free(cause);
				continue;
			}
			tap_is_str(d->entries[0]->title, cases[i].title,
			    "ampersands %zu (chunk %zu): title", i, chunk);
			/* A guid is plain text: the filter shows best there. */
			tap_is_str(d->entries[0]->link != NULL ?
			    d->entries[0]->link : d->entries[0]->id,
			    cases[i].link, "ampersands %zu (chunk %zu): link "
			    "or id", i, chunk);
			feed_doc_free(d);
		}
		free(doc);
	}
}

/*
 * RSS titles may be escaped HTML: read as HTML when they look like it
 * (an end tag, a reference, a known start tag), else kept as text.
 */
static void
test_titles(void)
{
	static const struct {
		const char	*xml;
		const char	*title;
	} cases[] = {
		{ "Why x&lt;y matters", "Why x<y matters" },
		{ "5 &lt; 6 &amp;&amp; 7 &gt; 3", "5 < 6 && 7 > 3" },
		{ "&lt;b&gt;Bold&lt;/b&gt; move", "Bold move" },
		{ "AT&amp;amp;T", "AT&T" },
		{ "&lt;img src=x onerror=alert(1)&gt;Hi", "Hi" },
		{ "  spaced \n\t out&#xA0;&#xA0;here ", "spaced out here" },
		{ "<![CDATA[Caf&eacute; <i>cr&egrave;me</i>]]>",
		    "Caf\xc3\xa9 cr\xc3\xa8me" },
	};
	struct feed_doc	*d;
	char		*doc, *item, *cause;
	size_t		 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		item = NULL;
		if (asprintf(&item, "<title>%s</title><guid>g</guid>",
		    cases[i].xml) == -1)
			return;
		doc = feed_with(item);
		d = pbuf(doc, strlen(doc), NULL, &cause);
		tap_is_str(d != NULL && d->nentries == 1 ?
		    d->entries[0]->title : NULL, cases[i].title,
		    "title %zu", i);
		feed_doc_free(d);
		free(cause);
		free(doc);
		free(item);
	}
}

/* The API's small promises. */
static void
test_api(void)
{
	struct parse	*p;
	struct feed_doc	*d;
	char		*cause = NULL, *j;

	parse_free(NULL);
	tap_ok(1, "parse_free(NULL) is a no-op");

	/* Abandoned mid-document (a failed transfer): nothing leaks. */
	p = parse_new("https://example.org/", "utf-8");
	tap_ok(parse_push(p, "<rss version=\"2.0\"><channel><title>x", 35,
	    &cause) == 0, "push half a document");
	parse_free(p);

	/* A failed push keeps failing, with the same cause. */
	p = parse_new(NULL, NULL);
	parse_push(p, "<html>", 6, &cause);
	free(cause);
	cause = NULL;
	tap_ok(parse_push(p, "<body>", 6, &cause) == -1 && cause != NULL &&
	    strcmp(cause, "not a feed: an HTML page") == 0,
	    "push after a failure fails again");
	free(cause);
	cause = NULL;
	d = parse_end(p, &cause);
	tap_ok(d == NULL && cause != NULL, "and so does the end");
	free(cause);

	/* A NULL cause pointer is allowed. */
	d = parse_buffer("<nope/>", 7, NULL, NULL);
	tap_ok(d == NULL, "parse_buffer with a NULL cause");

	/* JSON of an empty document: the schema with its defaults. */
	d = feed_doc_new();
	d->format = FORMAT_RSS20;
	j = parse_doc_json(d);
	tap_is_str(j, "{\n  \"format\": \"rss20\",\n  \"feed\": {\n"
	    "    \"title\": null,\n    \"link\": null,\n"
	    "    \"subtitle\": null,\n    \"updated\": null,\n"
	    "    \"language\": null,\n    \"author\": null\n  },\n"
	    "  \"entries\": []\n}", "JSON of an empty document");
	free(j);
	feed_doc_free(d);
}

int
main(void)
{
	const char	*top;
	char		 dir[1024], **names = NULL, *base, *path;
	DIR		*dp;
	struct dirent	*de;
	size_t		 n = 0, i, len;
	FILE		*f;

	if ((top = getenv("top_srcdir")) == NULL)
		top = ".";
	snprintf(dir, sizeof dir, "%s/tests/fixtures", top);
	if ((dp = opendir(dir)) == NULL) {
		tap_ok(0, "open %s", dir);
		return (tap_done());
	}
	while ((de = readdir(dp)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".xml") != 0)
			continue;
		base = strndup(de->d_name, len - 4);
		if (base == NULL)
			continue;
		/* Only fixtures with a golden file are parse fixtures. */
		path = path_of(dir, base, ".json");
		if ((f = fopen(path, "r")) == NULL) {
			free(path);
			path = path_of(dir, base, ".err");
			f = fopen(path, "r");
		}
		free(path);
		if (f == NULL) {
			free(base);
			continue;
		}
		fclose(f);
		names = realloc(names, (n + 1) * sizeof *names);
		if (names == NULL)
			return (1);
		names[n++] = base;
	}
	closedir(dp);
	qsort(names, n, sizeof *names, name_cmp);
	tap_ok(n >= 12, "found %zu parse fixtures in %s", n, dir);
	for (i = 0; i < n; i++) {
		check_fixture(dir, names[i]);
		free(names[i]);
	}
	free(names);

	test_conformance(top);
	test_options();
	test_no_outbound();
	test_entity_bombs();
	test_deep_nesting();
	test_huge_text();
	test_size_cap();
	test_entities();
	test_encodings();
	test_invalid_chars();
	test_not_feeds();
	test_truncation();
	test_flood();
	test_links();
	test_ampersands();
	test_titles();
	test_api();
	return (tap_done());
}
