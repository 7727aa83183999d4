/* Outputs: stored entries rendered as Atom 1.0, RSS 2.0 and HTML. */

#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "date.h"
#include "entry.h"
#include "publish.h"
#include "xmalloc.h"

/* Our own namespace (RSS feedmux:source) and tag: URI prefix. */
#define PUBLISH_NS	"https://feedmux.invalid/ns/1.0"
#define PUBLISH_TAG	"tag:feedmux.invalid,2019:"

#define NS_ATOM		"http://www.w3.org/2005/Atom"
#define NS_CONTENT	"http://purl.org/rss/1.0/modules/content/"
#define NS_DC		"http://purl.org/dc/elements/1.1/"

/* The latest time RFC 3339 can write: 9999-12-31T23:59:59Z. */
#define PUBLISH_TIME_MAX	INT64_C(253402300799)

static int	 is_set(const char *);
static int	 is_http_url(const char *);
static int	 is_abs_uri(const char *);
static void	 add_pct(struct buf *, const char *);
static int64_t	 clamp_time(int64_t, int64_t);
static int64_t	 entry_date(const struct publish_view *,
		     const struct stored_entry *);
static int64_t	 entry_updated(const struct publish_view *,
		     const struct stored_entry *);
static const char *entry_author(const struct stored_entry *);
static const char *source_label(const struct entry_source *);
static const char *source_href(const struct entry_source *);
static char	*view_url(const struct publish_view *, const char *);
static void	 add_view_url(struct buf *, const struct publish_view *,
		     const char *);
static void	 add_view_id(struct buf *, const struct publish_view *);
static char	*entry_id(const struct stored_entry *);
static void	 add_elem(struct buf *, const char *, const char *);
static void	 add_attr(struct buf *, const char *, const char *);
static void	 add_atom_entry(struct buf *, const struct publish_view *,
		     const struct stored_entry *);
static void	 add_rss_item(struct buf *, const struct publish_view *,
		     const struct stored_entry *);
static void	 add_html_article(struct buf *, const struct publish_view *,
		     const struct stored_entry *);
static void	 add_html_source(struct buf *, const struct entry_source *);

/* The page's style sheet: plain, readable on phones and desktops. */
static const char	publish_css[] =
	"html{-webkit-text-size-adjust:100%}"
	"body{max-width:42rem;margin:0 auto;padding:0 1rem 2rem;"
	"font:1.05rem/1.6 Georgia,\"Times New Roman\",serif;"
	"color:#1a1a1a;background:#fff}"
	"header{border-bottom:3px double #1a1a1a;margin-bottom:1rem}"
	"h1{font:700 1.7rem/1.2 system-ui,-apple-system,\"Segoe UI\","
	"Helvetica,Arial,sans-serif;margin:1.2rem 0 .6rem}"
	"article{border-bottom:1px solid #ddd;padding:.8rem 0 1rem;"
	"overflow-wrap:break-word}"
	"h2{font:700 1.25rem/1.3 system-ui,-apple-system,\"Segoe UI\","
	"Helvetica,Arial,sans-serif;margin:.4rem 0}"
	"h2 a{color:inherit;text-decoration:none}"
	"h2 a:hover{text-decoration:underline}"
	".meta,.source,footer{font:.85rem/1.4 system-ui,-apple-system,"
	"\"Segoe UI\",Helvetica,Arial,sans-serif;color:#555}"
	".meta{margin:0 0 .6rem}"
	".source{margin:.6rem 0 0}"
	"a{color:#0b4f8a}"
	"img,video,audio,iframe,table{max-width:100%;height:auto}"
	"pre{overflow-x:auto}"
	"blockquote{margin:0 0 0 1rem;padding-left:.8rem;"
	"border-left:3px solid #ccc;color:#333}"
	"footer{margin-top:1.5rem}"
	"@media (prefers-color-scheme:dark){body{color:#e6e6e6;"
	"background:#161616}header{border-color:#e6e6e6}"
	"article{border-color:#333}a{color:#8cc4ff}"
	".meta,.source,footer{color:#aaa}blockquote{color:#ccc}}";

/* Is the string present and not empty? */
static int
is_set(const char *s)
{
	return (s != NULL && *s != '\0');
}

/* Is this an http or https URL (the only links we re-publish)? */
static int
is_http_url(const char *s)
{
	if (s == NULL)
		return (0);
	return ((strncasecmp(s, "http://", 7) == 0 && s[7] != '\0') ||
	    (strncasecmp(s, "https://", 8) == 0 && s[8] != '\0'));
}

/*
 * Is this an absolute URI that can stand as an Atom id as it is: a
 * scheme, a colon, then printable ASCII that URIs allow, with complete
 * percent escapes?
 */
static int
is_abs_uri(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;

	if (s == NULL || !isalpha(*p))
		return (0);
	for (p++; *p != ':'; p++) {
		if (!isalnum(*p) && *p != '+' && *p != '-' && *p != '.')
			return (0);
	}
	if (p[1] == '\0')
		return (0);
	for (p++; *p != '\0'; p++) {
		if (*p <= 0x20 || *p >= 0x7f ||
		    strchr("<>\"{}|\\^`", *p) != NULL)
			return (0);
		if (*p == '%' && (!isxdigit(p[1]) || !isxdigit(p[2])))
			return (0);
	}
	return (1);
}

/* Append a string percent-encoded: only unreserved and ":/@" stay. */
static void
add_pct(struct buf *b, const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~:/@", *p) != NULL)
			buf_addc(b, *p);
		else
			buf_printf(b, "%%%02X", *p);
	}
}

/* A time every output form can write: unknown becomes dflt. */
static int64_t
clamp_time(int64_t t, int64_t dflt)
{
	if (t == TIME_NONE)
		t = dflt;
	if (t == TIME_NONE || t < 0)
		return (0);
	if (t > PUBLISH_TIME_MAX)
		return (PUBLISH_TIME_MAX);
	return (t);
}

/* The date an entry shows: published, else updated, else first seen. */
static int64_t
entry_date(const struct publish_view *view, const struct stored_entry *se)
{
	return (clamp_time(stored_entry_date(se), view->updated));
}

/* When an entry last changed: never before its date. */
static int64_t
entry_updated(const struct publish_view *view,
    const struct stored_entry *se)
{
	int64_t	date, up;

	date = entry_date(view, se);
	if (se->updated == TIME_NONE)
		return (date);
	up = clamp_time(se->updated, date);
	return (up > date ? up : date);
}

/* The author shown: the store's resolved one, else the first label. */
static const char *
entry_author(const struct stored_entry *se)
{
	if (is_set(se->author))
		return (se->author);
	if (se->nsources > 0 && is_set(se->sources[0].label))
		return (se->sources[0].label);
	return (NULL);
}

/* The name of a source: its label, else its site or feed URL. */
static const char *
source_label(const struct entry_source *src)
{
	if (is_set(src->label))
		return (src->label);
	if (is_set(src->site))
		return (src->site);
	if (is_set(src->feed_url))
		return (src->feed_url);
	return ("source");
}

/* Where a further source points: its story, its site, or its feed. */
static const char *
source_href(const struct entry_source *src)
{
	if (is_http_url(src->link))
		return (src->link);
	if (is_http_url(src->site))
		return (src->site);
	if (is_abs_uri(src->feed_url))
		return (src->feed_url);
	return (NULL);
}

/*
 * The URL of this view: the page (ext NULL) or one of its feeds ("atom",
 * "rss"). The combined view lives at "/" and "/feed.EXT", another at
 * "/PATH" and "/PATH.EXT". Not escaped; caller frees.
 */
static char *
view_url(const struct publish_view *view, const char *ext)
{
	struct buf	 u;
	const char	*base = view->base_url != NULL ? view->base_url : "";
	const char	*path = view->path != NULL ? view->path : "";
	size_t		 n;

	buf_init(&u);
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	buf_add(&u, base, n);
	while (*path == '/')
		path++;
	buf_addc(&u, '/');
	if (*path == '\0') {
		if (ext != NULL)
			buf_printf(&u, "feed.%s", ext);
	} else {
		buf_adds(&u, path);
		if (ext != NULL)
			buf_printf(&u, ".%s", ext);
	}
	return (buf_steal(&u, NULL));
}

/* Append the URL of this view, escaped. */
static void
add_view_url(struct buf *b, const struct publish_view *view,
    const char *ext)
{
	char	*s;

	s = view_url(view, ext);
	buf_add_xml(b, s);
	free(s);
}

/* Append the id of this view, escaped: its page URL, or a tag: URI. */
static void
add_view_id(struct buf *b, const struct publish_view *view)
{
	char	*s;

	s = view_url(view, NULL);
	if (is_abs_uri(view->base_url) && is_abs_uri(s))
		buf_add_xml(b, s);
	else {
		buf_adds(b, PUBLISH_TAG "view/");
		add_pct(b, view->path != NULL ? view->path : "");
	}
	free(s);
}

/*
 * An entry's id: its own id when it is an absolute URI, else a stable
 * tag: URI made of the first source's feed URL and that id. Not
 * escaped; caller frees.
 */
static char *
entry_id(const struct stored_entry *se)
{
	struct buf	 b;
	const char	*feed = "";

	if (is_abs_uri(se->guid))
		return (xstrdup(se->guid));
	if (se->nsources > 0 && se->sources[0].feed_key != NULL)
		feed = se->sources[0].feed_key;
	buf_init(&b);
	buf_adds(&b, PUBLISH_TAG);
	add_pct(&b, feed);
	buf_addc(&b, '#');
	if (is_set(se->guid))
		add_pct(&b, se->guid);
	else if (is_set(se->link))
		add_pct(&b, se->link);
	else
		buf_printf(&b, "entry-%lld", (long long)se->id);
	return (buf_steal(&b, NULL));
}

/* Append <name>text</name>, the text escaped. */
static void
add_elem(struct buf *b, const char *name, const char *text)
{
	buf_printf(b, "<%s>", name);
	buf_add_xml(b, text);
	buf_printf(b, "</%s>\n", name);
}

/* Append " name="value"", the value escaped. */
static void
add_attr(struct buf *b, const char *name, const char *value)
{
	buf_printf(b, " %s=\"", name);
	buf_add_xml(b, value);
	buf_addc(b, '"');
}

/* Append one Atom entry. */
static void
add_atom_entry(struct buf *b, const struct publish_view *view,
    const struct stored_entry *se)
{
	const struct entry_source	*src;
	const char			*author, *href;
	char				 d[DATE_BUFSZ], *id;
	size_t				 i;
	int				 has_link;

	id = entry_id(se);
	buf_adds(b, "<entry>\n");
	add_elem(b, "id", id);
	free(id);
	buf_adds(b, "<title type=\"text\">");
	buf_add_xml(b, se->title);
	buf_adds(b, "</title>\n");
	has_link = is_http_url(se->link);
	if (has_link) {
		buf_adds(b, "<link rel=\"alternate\" type=\"text/html\"");
		add_attr(b, "href", se->link);
		buf_adds(b, "/>\n");
	}
	for (i = 1; i < se->nsources; i++) {
		src = &se->sources[i];
		if ((href = source_href(src)) == NULL)
			continue;
		buf_adds(b, "<link rel=\"via\"");
		add_attr(b, "title", source_label(src));
		add_attr(b, "href", href);
		buf_adds(b, "/>\n");
	}
	add_elem(b, "published", date_rfc3339(entry_date(view, se), d));
	add_elem(b, "updated", date_rfc3339(entry_updated(view, se), d));
	if ((author = entry_author(se)) != NULL) {
		buf_adds(b, "<author>\n");
		add_elem(b, "name", author);
		buf_adds(b, "</author>\n");
	}
	for (i = 0; i < se->ncategories; i++) {
		if (!is_set(se->categories[i]))
			continue;
		buf_adds(b, "<category");
		add_attr(b, "term", se->categories[i]);
		buf_adds(b, "/>\n");
	}
	if (is_set(se->content)) {
		if (is_set(se->summary)) {
			buf_adds(b, "<summary type=\"html\">");
			buf_add_xml(b, se->summary);
			buf_adds(b, "</summary>\n");
		}
		buf_adds(b, "<content type=\"html\">");
		buf_add_xml(b, se->content);
		buf_adds(b, "</content>\n");
	} else if (has_link) {
		if (is_set(se->summary)) {
			buf_adds(b, "<summary type=\"html\">");
			buf_add_xml(b, se->summary);
			buf_adds(b, "</summary>\n");
		}
	} else {
		/*
		 * RFC 4287 4.1.1: an entry with no content needs an
		 * alternate link. With neither, what text there is (the
		 * summary, or nothing) becomes the content.
		 */
		buf_adds(b, "<content type=\"html\">");
		buf_add_xml(b, se->summary);
		buf_adds(b, "</content>\n");
	}
	if (se->nsources > 0) {
		src = &se->sources[0];
		buf_adds(b, "<source>\n");
		if (is_abs_uri(src->feed_key))
			add_elem(b, "id", src->feed_key);
		add_elem(b, "title", source_label(src));
		if (is_http_url(src->site)) {
			buf_adds(b, "<link rel=\"alternate\""
			    " type=\"text/html\"");
			add_attr(b, "href", src->site);
			buf_adds(b, "/>\n");
		}
		if (is_abs_uri(src->feed_url)) {
			buf_adds(b, "<link rel=\"self\"");
			add_attr(b, "href", src->feed_url);
			buf_adds(b, "/>\n");
		}
		buf_adds(b, "</source>\n");
	}
	buf_adds(b, "</entry>\n");
}

char *
publish_atom(const struct publish_view *view, size_t *len)
{
	struct buf	b;
	char		d[DATE_BUFSZ];
	size_t		i;

	buf_init(&b);
	buf_adds(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"" NS_ATOM "\">\n<id>");
	add_view_id(&b, view);
	buf_adds(&b, "</id>\n<title type=\"text\">");
	buf_add_xml(&b, view->title);
	buf_adds(&b, "</title>\n");
	add_elem(&b, "updated", date_rfc3339(clamp_time(view->updated, 0),
	    d));
	buf_adds(&b, "<link rel=\"self\" type=\"application/atom+xml\""
	    " href=\"");
	add_view_url(&b, view, "atom");
	buf_adds(&b, "\"/>\n<link rel=\"alternate\" type=\"text/html\""
	    " href=\"");
	add_view_url(&b, view, NULL);
	buf_adds(&b, "\"/>\n");
	/* Every entry has its own author; this one covers an empty feed. */
	buf_adds(&b, "<author>\n");
	add_elem(&b, "name", is_set(view->title) ? view->title : "feedmux");
	buf_adds(&b, "</author>\n");
	buf_adds(&b, "<generator version=\"" PACKAGE_VERSION "\">feedmux"
	    "</generator>\n");
	for (i = 0; i < view->nentries; i++)
		add_atom_entry(&b, view, view->entries[i]);
	buf_adds(&b, "</feed>\n");
	return (buf_steal(&b, len));
}

/* Append one RSS item. */
static void
add_rss_item(struct buf *b, const struct publish_view *view,
    const struct stored_entry *se)
{
	const struct entry_source	*src;
	const char			*author, *desc;
	char				 d[DATE_BUFSZ], *id;
	size_t				 i;
	int				 has_link;

	buf_adds(b, "<item>\n");
	add_elem(b, "title", se->title);
	has_link = is_http_url(se->link);
	if (has_link)
		add_elem(b, "link", se->link);
	id = entry_id(se);
	buf_printf(b, "<guid isPermaLink=\"%s\">",
	    has_link && strcmp(id, se->link) == 0 ? "true" : "false");
	buf_add_xml(b, id);
	buf_adds(b, "</guid>\n");
	free(id);
	add_elem(b, "pubDate", date_rfc822(entry_date(view, se), d));
	if ((author = entry_author(se)) != NULL)
		add_elem(b, "dc:creator", author);
	for (i = 0; i < se->ncategories; i++) {
		if (is_set(se->categories[i]))
			add_elem(b, "category", se->categories[i]);
	}
	desc = is_set(se->summary) ? se->summary : se->content;
	if (is_set(desc))
		add_elem(b, "description", desc);
	if (is_set(se->content))
		add_elem(b, "content:encoded", se->content);
	if (se->nsources > 0 && is_set(se->sources[0].feed_url)) {
		src = &se->sources[0];
		buf_adds(b, "<source");
		add_attr(b, "url", src->feed_url);
		buf_addc(b, '>');
		buf_add_xml(b, source_label(src));
		buf_adds(b, "</source>\n");
	}
	for (i = 1; i < se->nsources; i++) {
		src = &se->sources[i];
		buf_adds(b, "<feedmux:source");
		if (is_set(src->feed_url))
			add_attr(b, "url", src->feed_url);
		if (is_http_url(src->link))
			add_attr(b, "link", src->link);
		if (is_http_url(src->site))
			add_attr(b, "site", src->site);
		buf_addc(b, '>');
		buf_add_xml(b, source_label(src));
		buf_adds(b, "</feedmux:source>\n");
	}
	buf_adds(b, "</item>\n");
}

char *
publish_rss(const struct publish_view *view, size_t *len)
{
	struct buf	b;
	char		d[DATE_BUFSZ];
	size_t		i;

	buf_init(&b);
	buf_adds(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<rss version=\"2.0\" xmlns:atom=\"" NS_ATOM "\""
	    " xmlns:content=\"" NS_CONTENT "\" xmlns:dc=\"" NS_DC "\""
	    " xmlns:feedmux=\"" PUBLISH_NS "\">\n<channel>\n");
	add_elem(&b, "title", view->title);
	buf_adds(&b, "<link>");
	add_view_url(&b, view, NULL);
	buf_adds(&b, "</link>\n");
	add_elem(&b, "description", is_set(view->title) ? view->title :
	    "feedmux");
	buf_adds(&b, "<atom:link rel=\"self\" type=\"application/rss+xml\""
	    " href=\"");
	add_view_url(&b, view, "rss");
	buf_adds(&b, "\"/>\n");
	add_elem(&b, "lastBuildDate", date_rfc822(clamp_time(view->updated,
	    0), d));
	add_elem(&b, "generator", "feedmux " PACKAGE_VERSION);
	for (i = 0; i < view->nentries; i++)
		add_rss_item(&b, view, view->entries[i]);
	buf_adds(&b, "</channel>\n</rss>\n");
	return (buf_steal(&b, len));
}

/* Append one source as "[LABEL]", a link to its site when it has one. */
static void
add_html_source(struct buf *b, const struct entry_source *src)
{
	buf_addc(b, '[');
	if (is_http_url(src->site)) {
		buf_adds(b, "<a");
		add_attr(b, "href", src->site);
		buf_addc(b, '>');
		buf_add_xml(b, source_label(src));
		buf_adds(b, "</a>");
	} else
		buf_add_xml(b, source_label(src));
	buf_addc(b, ']');
}

/* Append one entry of the page as an <article>. */
static void
add_html_article(struct buf *b, const struct publish_view *view,
    const struct stored_entry *se)
{
	const char	*author, *body;
	char		 d[DATE_BUFSZ], *clean;
	size_t		 i;

	buf_adds(b, "<article>\n<h2>");
	if (is_http_url(se->link)) {
		buf_adds(b, "<a");
		add_attr(b, "href", se->link);
		buf_addc(b, '>');
	}
	buf_add_xml(b, is_set(se->title) ? se->title : "(untitled)");
	if (is_http_url(se->link))
		buf_adds(b, "</a>");
	buf_adds(b, "</h2>\n<p class=\"meta\">Posted on ");
	buf_add_xml(b, date_human(entry_date(view, se), d));
	if ((author = entry_author(se)) != NULL) {
		buf_adds(b, " by ");
		buf_add_xml(b, author);
	}
	buf_adds(b, "</p>\n");

	/*
	 * The store sanitized the HTML when the feed was parsed; it goes in
	 * as it is, only made clean UTF-8 with no forbidden character.
	 */
	body = is_set(se->content) ? se->content : se->summary;
	if (is_set(body)) {
		clean = utf8_clean(body, strlen(body));
		buf_adds(b, "<div class=\"content\">\n");
		buf_adds(b, clean);
		buf_adds(b, "\n</div>\n");
		free(clean);
	}
	if (se->nsources > 0) {
		buf_adds(b, "<p class=\"source\">");
		for (i = 0; i < se->nsources; i++) {
			if (i > 0)
				buf_addc(b, ' ');
			add_html_source(b, &se->sources[i]);
		}
		buf_adds(b, "</p>\n");
	}
	buf_adds(b, "</article>\n");
}

char *
publish_html(const struct publish_view *view, size_t *len)
{
	struct buf	 b;
	const char	*title;
	char		 d[DATE_BUFSZ];
	size_t		 i;

	title = is_set(view->title) ? view->title : "feedmux";
	buf_init(&b);
	buf_adds(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\""
	    " content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"generator\" content=\"feedmux " PACKAGE_VERSION
	    "\">\n<title>");
	buf_add_xml(&b, title);
	buf_adds(&b, "</title>\n"
	    "<link rel=\"alternate\" type=\"application/atom+xml\"");
	add_attr(&b, "title", title);
	buf_adds(&b, " href=\"");
	add_view_url(&b, view, "atom");
	buf_adds(&b, "\">\n<link rel=\"alternate\""
	    " type=\"application/rss+xml\"");
	add_attr(&b, "title", title);
	buf_adds(&b, " href=\"");
	add_view_url(&b, view, "rss");
	buf_adds(&b, "\">\n<style>");
	buf_adds(&b, publish_css);
	buf_adds(&b, "</style>\n</head>\n<body>\n<header>\n<h1>");
	buf_add_xml(&b, title);
	buf_adds(&b, "</h1>\n</header>\n<main>\n");
	for (i = 0; i < view->nentries; i++)
		add_html_article(&b, view, view->entries[i]);
	if (view->nentries == 0)
		buf_adds(&b, "<p>Nothing here yet.</p>\n");
	buf_adds(&b, "</main>\n<footer>\n<p>Updated ");
	buf_add_xml(&b, date_human(clamp_time(view->updated, 0), d));
	buf_adds(&b, ". Subscribe: <a href=\"");
	add_view_url(&b, view, "atom");
	buf_adds(&b, "\">Atom</a> or <a href=\"");
	add_view_url(&b, view, "rss");
	buf_adds(&b, "\">RSS</a>.</p>\n</footer>\n</body>\n</html>\n");
	return (buf_steal(&b, len));
}
