/*
 * Outputs: stored entries rendered as Atom 1.0, RSS 2.0, JSON Feed 1.1
 * and HTML, and the sources as OPML 2.0.
 */

#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "buf.h"
#include "date.h"
#include "entry.h"
#include "html.h"
#include "log.h"
#include "publish.h"
#include "url.h"
#include "xmalloc.h"

/* Our own namespace (RSS feedmux:source) and tag: URI prefix. */
#define PUBLISH_NS	"https://feedmux.invalid/ns/1.0"
#define PUBLISH_TAG	"tag:feedmux.invalid,2019:"

#define NS_ATOM		"http://www.w3.org/2005/Atom"
#define NS_CONTENT	"http://purl.org/rss/1.0/modules/content/"
#define NS_DC		"http://purl.org/dc/elements/1.1/"
#define JSONFEED_VERSION	"https://jsonfeed.org/version/1.1"

/* The latest time RFC 3339 can write: 9999-12-31T23:59:59Z. */
#define PUBLISH_TIME_MAX	INT64_C(253402300799)

static int	 is_set(const char *);
static int	 is_http_url(const char *);
static int	 is_media_type(const char *);
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
static char	*redact(const char *);
static char	*view_url(const struct publish_view *, const char *);
static char	*url_query(const char *, const char *);
static char	*view_url_q(const struct publish_view *, const char *,
		     const char *);
static char	*view_title(const struct publish_view *);
static char	*base_path(const struct publish_view *, const char *);
static void	 add_hub_link(struct buf *, const struct publish_view *,
		     const char *);
static char	*site_url(const struct publish_view *, const char *);
static void	 add_view_url(struct buf *, const struct publish_view *,
		     const char *);
static void	 add_view_url_q(struct buf *, const struct publish_view *,
		     const char *, const char *);
static const char *ext_type(const char *);
static void	 add_atom_link(struct buf *, const struct publish_view *,
		     const char *, const char *, const char *,
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
static void	 add_html_enclosures(struct buf *, const struct stored_entry *);
static void	 add_html_nav(struct buf *, const struct publish_view *);
static void	 json_set_str(json_t *, const char *, const char *);
static json_t	*json_item(const struct publish_view *,
		     const struct stored_entry *);
static void	 add_opml_outline(struct buf *,
		     const struct publish_source *);

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
	".meta,.source,footer,.cats,.pager{font:.85rem/1.4 system-ui,"
	"-apple-system,\"Segoe UI\",Helvetica,Arial,sans-serif;color:#555}"
	".cats ul{list-style:none;padding:0;margin:.2rem 0 .8rem;"
	"display:flex;flex-wrap:wrap;gap:.2rem 1rem}"
	".cats a[aria-current]{color:inherit;font-weight:700;"
	"text-decoration:none}"
	".pager{display:flex;justify-content:space-between;"
	"margin:1.2rem 0}"
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

/* Is this a MIME type as Atom wants one ("x/y"), worth saying? */
static int
is_media_type(const char *s)
{
	const char	*slash;

	if (s == NULL || (slash = strchr(s, '/')) == NULL || slash == s ||
	    slash[1] == '\0')
		return (0);
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s <= ' ' || *s == '"' || *s == '<' ||
		    *s == '>' || (unsigned char)*s >= 0x7f)
			return (0);
	}
	return (1);
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
 * A feed URL safe to publish (HOSTILE-45): one with a user name or
 * password in it loses them; any other stays exactly as it is, so the
 * ids made from it do not move. Caller frees.
 */
static char *
redact(const char *s)
{
	const char	*auth, *end;

	if (s == NULL)
		return (NULL);
	if ((auth = strstr(s, "://")) != NULL) {
		auth += 3;
		end = auth + strcspn(auth, "/?#");
		if (memchr(auth, '@', end - auth) != NULL)
			return (url_redact(s));
	}
	return (xstrdup(s));
}

/*
 * The URL of this view: the page (ext NULL) or one of its feeds ("atom",
 * "rss", "json"). The combined view lives at "/" and "/feed.EXT", another at
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

/* A URL with "?QUERY" added, unless query is NULL or "". Caller frees. */
static char *
url_query(const char *url, const char *query)
{
	char	*s;

	if (!is_set(query))
		return (xstrdup(url));
	xasprintf(&s, "%s?%s", url, query);
	return (s);
}

/*
 * A link to a page of this view's document ext: with "?QUERY", or with
 * the view's link_query when query is NULL or "". Not escaped; caller
 * frees.
 */
static char *
view_url_q(const struct publish_view *view, const char *ext,
    const char *query)
{
	char	*u, *s;

	u = view_url(view, ext);
	s = url_query(u, is_set(query) ? query : view->link_query);
	free(u);
	return (s);
}

/*
 * The title of this view: the configured one, with the category after
 * a colon for a category view. Caller frees.
 */
static char *
view_title(const struct publish_view *view)
{
	const char	*title;
	char		*s;

	title = is_set(view->title) ? view->title : "feedmux";
	if (!is_set(view->category))
		return (xstrdup(title));
	xasprintf(&s, "%s: %s", title, view->category);
	return (s);
}

/* The URL of a document of the site ("opml", "c/x"), bare. */
static char *
base_path(const struct publish_view *view, const char *path)
{
	const char	*base = view->base_url != NULL ? view->base_url : "";
	size_t		 n;
	char		*s;

	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	xasprintf(&s, "%.*s/%s", (int)n, base, path);
	return (s);
}

/*
 * A link to the page of a document of the site ("" the page of
 * everything, "opml", "c/SLUG"): with the view's link_query if it is
 * this view's page, else with its site_query. Not escaped; caller frees.
 */
static char *
site_url(const struct publish_view *view, const char *path)
{
	const char	*vpath = view->path != NULL ? view->path : "";
	char		*u, *s;

	while (*vpath == '/')
		vpath++;
	u = base_path(view, path);
	s = url_query(u, strcmp(path, vpath) == 0 ? view->link_query :
	    view->site_query);
	free(u);
	return (s);
}

/* Append the URL of this view, escaped. */
static void
add_view_url(struct buf *b, const struct publish_view *view,
    const char *ext)
{
	add_view_url_q(b, view, ext, NULL);
}

/* Append the URL of a page of this view, escaped. */
static void
add_view_url_q(struct buf *b, const struct publish_view *view,
    const char *ext, const char *query)
{
	char	*s;

	s = view_url_q(view, ext, query);
	buf_add_xml(b, s);
	free(s);
}

/* The media type of a view's document: the page (NULL) or a feed. */
static const char *
ext_type(const char *ext)
{
	if (ext == NULL)
		return ("text/html");
	if (strcmp(ext, "atom") == 0)
		return ("application/atom+xml");
	if (strcmp(ext, "rss") == 0)
		return ("application/rss+xml");
	return ("application/feed+json");
}

/*
 * Append an Atom <link> (pfx "atom:" in RSS) to a page of this view's
 * document ext.
 */
static void
add_atom_link(struct buf *b, const struct publish_view *view,
    const char *pfx, const char *rel, const char *ext, const char *query)
{
	buf_printf(b, "<%slink rel=\"%s\" type=\"%s\" href=\"", pfx, rel,
	    ext_type(ext));
	add_view_url_q(b, view, ext, query);
	buf_adds(b, "\"/>\n");
}

/*
 * Append the WebSub hub's <link rel="hub"> (pfx "atom:" in RSS), if the
 * view has one: subscribers find the hub next to rel="self", the topic.
 */
static void
add_hub_link(struct buf *b, const struct publish_view *view,
    const char *pfx)
{
	if (!is_http_url(view->hub))
		return;
	buf_printf(b, "<%slink rel=\"hub\" href=\"", pfx);
	buf_add_xml(b, view->hub);
	buf_adds(b, "\"/>\n");
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
	char		*feed;

	if (is_abs_uri(se->guid))
		return (xstrdup(se->guid));
	feed = NULL;
	if (se->nsources > 0)
		feed = redact(se->sources[0].feed_key);
	buf_init(&b);
	buf_adds(&b, PUBLISH_TAG);
	add_pct(&b, feed != NULL ? feed : "");
	free(feed);
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
	const struct enclosure		*en;
	const char			*author, *href;
	char				 d[DATE_BUFSZ], *id, *key;
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
	for (i = 0; i < se->nenclosures; i++) {
		en = &se->enclosures[i];
		if (!is_http_url(en->url))
			continue;
		buf_adds(b, "<link rel=\"enclosure\"");
		add_attr(b, "href", en->url);
		if (is_media_type(en->type))
			add_attr(b, "type", en->type);
		if (en->length > 0)
			buf_printf(b, " length=\"%lld\"", (long long)en->length);
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
		key = redact(src->feed_key);
		if (is_abs_uri(key))
			add_elem(b, "id", key);
		free(key);
		add_elem(b, "title", source_label(src));
		if (is_http_url(src->site)) {
			buf_adds(b, "<link rel=\"alternate\""
			    " type=\"text/html\"");
			add_attr(b, "href", src->site);
			buf_adds(b, "/>\n");
		}
		key = redact(src->feed_url);
		if (is_abs_uri(key)) {
			buf_adds(b, "<link rel=\"self\"");
			add_attr(b, "href", key);
			buf_adds(b, "/>\n");
		}
		free(key);
		buf_adds(b, "</source>\n");
	}
	buf_adds(b, "</entry>\n");
}

char *
publish_atom(const struct publish_view *view, size_t *len)
{
	struct buf	 b;
	char		 d[DATE_BUFSZ], *title;
	size_t		 i;

	title = view_title(view);
	buf_init(&b);
	buf_adds(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"" NS_ATOM "\">\n<id>");
	add_view_id(&b, view);
	buf_adds(&b, "</id>\n<title type=\"text\">");
	buf_add_xml(&b, title);
	buf_adds(&b, "</title>\n");
	add_elem(&b, "updated", date_rfc3339(clamp_time(view->updated, 0),
	    d));
	add_atom_link(&b, view, "", "self", "atom", view->query);
	add_hub_link(&b, view, "");
	add_atom_link(&b, view, "", "alternate", NULL, NULL);
	/* RFC 5005 3: the newest page and the next older one. */
	if (view->query != NULL || view->next_query != NULL)
		add_atom_link(&b, view, "", "first", "atom",
		    view->first_query);
	if (view->next_query != NULL)
		add_atom_link(&b, view, "", "next", "atom",
		    view->next_query);
	/* Every entry has its own author; this one covers an empty feed. */
	buf_adds(&b, "<author>\n");
	add_elem(&b, "name", title);
	buf_adds(&b, "</author>\n");
	free(title);
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
	const struct enclosure		*en;
	const char			*author, *desc;
	char				 d[DATE_BUFSZ], *id, *url;
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
	/*
	 * RSS 2.0 allows one enclosure per item (the RSS Advisory Board's
	 * profile; readers take the first): the first http(s) one, with
	 * the length and type RSS requires, 0 and a generic type when the
	 * source did not say.
	 */
	for (i = 0; i < se->nenclosures; i++) {
		en = &se->enclosures[i];
		if (!is_http_url(en->url))
			continue;
		buf_adds(b, "<enclosure");
		add_attr(b, "url", en->url);
		buf_printf(b, " length=\"%lld\"", (long long)(en->length > 0 ?
		    en->length : 0));
		add_attr(b, "type", is_media_type(en->type) ? en->type :
		    "application/octet-stream");
		buf_adds(b, "/>\n");
		break;
	}
	desc = is_set(se->summary) ? se->summary : se->content;
	if (is_set(desc))
		add_elem(b, "description", desc);
	if (is_set(se->content))
		add_elem(b, "content:encoded", se->content);
	if (se->nsources > 0 && is_set(se->sources[0].feed_url)) {
		src = &se->sources[0];
		buf_adds(b, "<source");
		url = redact(src->feed_url);
		add_attr(b, "url", url);
		free(url);
		buf_addc(b, '>');
		buf_add_xml(b, source_label(src));
		buf_adds(b, "</source>\n");
	}
	for (i = 1; i < se->nsources; i++) {
		src = &se->sources[i];
		buf_adds(b, "<feedmux:source");
		if (is_set(src->feed_url)) {
			url = redact(src->feed_url);
			add_attr(b, "url", url);
			free(url);
		}
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
	struct buf	 b;
	char		 d[DATE_BUFSZ], *title;
	size_t		 i;

	title = view_title(view);
	buf_init(&b);
	buf_adds(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<rss version=\"2.0\" xmlns:atom=\"" NS_ATOM "\""
	    " xmlns:content=\"" NS_CONTENT "\" xmlns:dc=\"" NS_DC "\""
	    " xmlns:feedmux=\"" PUBLISH_NS "\">\n<channel>\n");
	add_elem(&b, "title", title);
	buf_adds(&b, "<link>");
	add_view_url(&b, view, NULL);
	buf_adds(&b, "</link>\n");
	add_elem(&b, "description", title);
	free(title);
	add_atom_link(&b, view, "atom:", "self", "rss", view->query);
	add_hub_link(&b, view, "atom:");
	if (view->query != NULL || view->next_query != NULL)
		add_atom_link(&b, view, "atom:", "first", "rss",
		    view->first_query);
	if (view->next_query != NULL)
		add_atom_link(&b, view, "atom:", "next", "rss",
		    view->next_query);
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

/*
 * Append an entry's enclosures as a list of links: the file's name (the
 * last part of the URL's path, else the URL), its type and size when
 * known.
 */
static void
add_html_enclosures(struct buf *b, const struct stored_entry *se)
{
	const struct enclosure	*en;
	const char		*name, *end, *p;
	char			*s;
	size_t			 i, n = 0;

	for (i = 0; i < se->nenclosures; i++) {
		en = &se->enclosures[i];
		if (!is_http_url(en->url))
			continue;
		if (n++ == 0)
			buf_adds(b, "<ul class=\"enclosures\">\n");
		buf_adds(b, "<li><a");
		add_attr(b, "href", en->url);
		buf_addc(b, '>');
		end = en->url + strcspn(en->url, "?#");
		name = NULL;
		for (p = en->url + strcspn(en->url, ":") + 3; p < end; p++) {
			if (*p == '/' && p + 1 < end)
				name = p + 1;
		}
		if (name == NULL) {
			name = en->url;
			end = en->url + strlen(en->url);
		}
		s = xstrndup(name, end - name);
		buf_add_xml(b, s);
		free(s);
		buf_adds(b, "</a>");
		if (is_media_type(en->type) || en->length > 0) {
			buf_adds(b, " (");
			if (is_media_type(en->type))
				buf_add_xml(b, en->type);
			if (is_media_type(en->type) && en->length > 0)
				buf_adds(b, ", ");
			if (en->length >= 1000 * 1000)
				buf_printf(b, "%.1f MB", en->length / 1e6);
			else if (en->length >= 1000)
				buf_printf(b, "%.1f KB", en->length / 1e3);
			else if (en->length > 0)
				buf_printf(b, "%lld bytes",
				    (long long)en->length);
			buf_addc(b, ')');
		}
		buf_adds(b, "</li>\n");
	}
	if (n > 0)
		buf_adds(b, "</ul>\n");
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
	add_html_enclosures(b, se);
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

/* Append the list of categories, the current one marked. */
static void
add_html_nav(struct buf *b, const struct publish_view *view)
{
	const struct publish_category	*c;
	char				*u, *p;
	size_t				 i;
	int				 all;

	if (view->ncategories == 0)
		return;
	all = !is_set(view->category);
	buf_adds(b, "<nav class=\"cats\" aria-label=\"Categories\">\n<ul>\n"
	    "<li><a href=\"");
	u = site_url(view, "");
	buf_add_xml(b, u);
	free(u);
	buf_addc(b, '"');
	if (all)
		buf_adds(b, " aria-current=\"page\"");
	buf_adds(b, ">All</a></li>\n");
	for (i = 0; i < view->ncategories; i++) {
		c = &view->categories[i];
		buf_adds(b, "<li><a href=\"");
		xasprintf(&p, "c/%s", c->slug);
		u = site_url(view, p);
		buf_add_xml(b, u);
		free(u);
		free(p);
		buf_addc(b, '"');
		if (!all && strcmp(view->category, c->name) == 0)
			buf_adds(b, " aria-current=\"page\"");
		buf_addc(b, '>');
		buf_add_xml(b, c->name);
		buf_adds(b, "</a></li>\n");
	}
	buf_adds(b, "</ul>\n</nav>\n");
}

char *
publish_html(const struct publish_view *view, size_t *len)
{
	static const char	*exts[] = { "atom", "rss", "json" };
	static const char	*names[] = { "Atom", "RSS", "JSON Feed" };
	struct buf		 b;
	char			 d[DATE_BUFSZ], *title, *u;
	size_t			 i;

	title = view_title(view);
	buf_init(&b);
	buf_adds(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\""
	    " content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"generator\" content=\"feedmux " PACKAGE_VERSION
	    "\">\n<title>");
	buf_add_xml(&b, title);
	buf_adds(&b, "</title>\n");
	/* Autodiscovery: the feeds of this same view. */
	for (i = 0; i < sizeof exts / sizeof exts[0]; i++) {
		buf_printf(&b, "<link rel=\"alternate\" type=\"%s\"",
		    ext_type(exts[i]));
		add_attr(&b, "title", title);
		buf_adds(&b, " href=\"");
		add_view_url(&b, view, exts[i]);
		buf_adds(&b, "\">\n");
	}
	if (view->next_query != NULL) {
		buf_adds(&b, "<link rel=\"next\" href=\"");
		add_view_url_q(&b, view, NULL, view->next_query);
		buf_adds(&b, "\">\n");
	}
	buf_adds(&b, "<style>");
	buf_adds(&b, publish_css);
	buf_adds(&b, "</style>\n</head>\n<body>\n<header>\n<h1>");
	if (is_set(view->category)) {
		buf_adds(&b, "Category: ");
		buf_add_xml(&b, view->category);
	} else
		buf_add_xml(&b, title);
	buf_adds(&b, "</h1>\n");
	add_html_nav(&b, view);
	buf_adds(&b, "</header>\n<main>\n");
	for (i = 0; i < view->nentries; i++)
		add_html_article(&b, view, view->entries[i]);
	if (view->nentries == 0)
		buf_adds(&b, "<p>Nothing here yet.</p>\n");
	buf_adds(&b, "</main>\n");
	if (view->query != NULL || view->next_query != NULL) {
		buf_adds(&b, "<nav class=\"pager\" aria-label=\"Pages\">\n");
		if (view->query != NULL) {
			buf_adds(&b, "<a rel=\"first\" href=\"");
			add_view_url_q(&b, view, NULL, view->first_query);
			buf_adds(&b, "\">Newest entries</a>\n");
		}
		if (view->next_query != NULL) {
			buf_adds(&b, "<a rel=\"next\" href=\"");
			add_view_url_q(&b, view, NULL, view->next_query);
			buf_adds(&b, "\">Older entries</a>\n");
		}
		buf_adds(&b, "</nav>\n");
	}
	buf_adds(&b, "<footer>\n<p>Updated ");
	buf_add_xml(&b, date_human(clamp_time(view->updated, 0), d));
	buf_adds(&b, ". Subscribe: ");
	for (i = 0; i < sizeof exts / sizeof exts[0]; i++) {
		buf_adds(&b, i == 0 ? "" : i + 1 < sizeof exts /
		    sizeof exts[0] ? ", " : " or ");
		buf_adds(&b, "<a href=\"");
		add_view_url(&b, view, exts[i]);
		buf_printf(&b, "\">%s</a>", names[i]);
	}
	buf_adds(&b, ". Sources: <a href=\"");
	u = site_url(view, "opml");
	buf_add_xml(&b, u);
	free(u);
	buf_adds(&b, "\">OPML</a>.</p>\n</footer>\n</body>\n</html>\n");
	free(title);
	return (buf_steal(&b, len));
}

/* Set a string member, made clean UTF-8; NULL or "" sets nothing. */
static void
json_set_str(json_t *o, const char *key, const char *value)
{
	char	*clean;

	if (!is_set(value))
		return;
	clean = utf8_clean(value, strlen(value));
	if (json_object_set_new(o, key, json_string(clean)) != 0)
		fatalx("json_object_set_new failed");
	free(clean);
}

/* One JSON Feed item. */
static json_t *
json_item(const struct publish_view *view, const struct stored_entry *se)
{
	const struct entry_source	*src;
	const struct enclosure		*en;
	json_t				*item, *a, *o, *fm;
	const char			*author, *body;
	char				 d[DATE_BUFSZ], *id, *s;
	size_t				 i;

	item = json_object();
	id = entry_id(se);
	json_set_str(item, "id", id);
	free(id);
	if (is_http_url(se->link))
		json_set_str(item, "url", se->link);
	if (is_set(se->title))
		json_set_str(item, "title", se->title);
	body = is_set(se->content) ? se->content : se->summary;
	s = utf8_clean(body != NULL ? body : "", body != NULL ?
	    strlen(body) : 0);
	json_object_set_new(item, "content_html", json_string(s));
	free(s);
	if (is_set(se->summary)) {
		s = html_to_line(se->summary);
		json_set_str(item, "summary", s);
		free(s);
	}
	json_set_str(item, "date_published", date_rfc3339(entry_date(view,
	    se), d));
	json_set_str(item, "date_modified", date_rfc3339(entry_updated(view,
	    se), d));
	if ((author = entry_author(se)) != NULL) {
		o = json_object();
		json_set_str(o, "name", author);
		json_array_append_new(a = json_array(), o);
		json_object_set_new(item, "authors", a);
	}
	a = NULL;
	for (i = 0; i < se->ncategories; i++) {
		if (!is_set(se->categories[i]))
			continue;
		if (a == NULL)
			a = json_array();
		s = utf8_clean(se->categories[i], strlen(se->categories[i]));
		json_array_append_new(a, json_string(s));
		free(s);
	}
	if (a != NULL)
		json_object_set_new(item, "tags", a);
	a = NULL;
	for (i = 0; i < se->nenclosures; i++) {
		en = &se->enclosures[i];
		if (!is_http_url(en->url))
			continue;
		if (a == NULL)
			a = json_array();
		o = json_object();
		json_set_str(o, "url", en->url);
		/* Required by JSON Feed. */
		json_set_str(o, "mime_type", is_media_type(en->type) ?
		    en->type : "application/octet-stream");
		if (en->length > 0)
			json_object_set_new(o, "size_in_bytes",
			    json_integer(en->length));
		json_array_append_new(a, o);
	}
	if (a != NULL)
		json_object_set_new(item, "attachments", a);
	if (se->nsources > 0) {
		a = json_array();
		for (i = 0; i < se->nsources; i++) {
			src = &se->sources[i];
			o = json_object();
			json_set_str(o, "label", source_label(src));
			s = redact(src->feed_url);
			json_set_str(o, "feed_url", s);
			free(s);
			if (is_http_url(src->site))
				json_set_str(o, "site", src->site);
			if (is_http_url(src->link))
				json_set_str(o, "link", src->link);
			json_array_append_new(a, o);
		}
		fm = json_object();
		json_object_set_new(fm, "sources", a);
		json_object_set_new(item, "_feedmux", fm);
	}
	return (item);
}

char *
publish_json(const struct publish_view *view, size_t *len)
{
	json_t	*feed, *items, *a, *o;
	char	*title, *u, *out, *s;
	size_t	 i;

	title = view_title(view);
	feed = json_object();
	json_object_set_new(feed, "version", json_string(JSONFEED_VERSION));
	json_set_str(feed, "title", title);
	u = view_url_q(view, NULL, NULL);
	if (is_http_url(u))
		json_set_str(feed, "home_page_url", u);
	free(u);
	u = view_url_q(view, "json", view->query);
	if (is_http_url(u))
		json_set_str(feed, "feed_url", u);
	free(u);
	if (view->next_query != NULL) {
		u = view_url_q(view, "json", view->next_query);
		json_set_str(feed, "next_url", u);
		free(u);
	}
	if (is_http_url(view->hub)) {
		o = json_object();
		json_set_str(o, "type", "WebSub");
		json_set_str(o, "url", view->hub);
		json_array_append_new(a = json_array(), o);
		json_object_set_new(feed, "hubs", a);
	}
	o = json_object();
	json_set_str(o, "name", title);
	json_array_append_new(a = json_array(), o);
	json_object_set_new(feed, "authors", a);
	free(title);
	items = json_array();
	for (i = 0; i < view->nentries; i++)
		json_array_append_new(items, json_item(view,
		    view->entries[i]));
	json_object_set_new(feed, "items", items);
	if ((s = json_dumps(feed, JSON_INDENT(1) | JSON_PRESERVE_ORDER)) ==
	    NULL)
		fatalx("json_dumps failed");
	json_decref(feed);
	xasprintf(&out, "%s\n", s);
	free(s);
	if (len != NULL)
		*len = strlen(out);
	return (out);
}

/* Append one subscription as an OPML outline. */
static void
add_opml_outline(struct buf *b, const struct publish_source *src)
{
	char	*url;

	url = redact(src->xml_url);
	buf_adds(b, "<outline type=\"rss\"");
	add_attr(b, "text", is_set(src->title) ? src->title : url);
	add_attr(b, "title", is_set(src->title) ? src->title : url);
	add_attr(b, "xmlUrl", url);
	if (is_http_url(src->html_url))
		add_attr(b, "htmlUrl", src->html_url);
	buf_adds(b, "/>\n");
	free(url);
}

char *
publish_opml(const struct publish_view *view, size_t *len)
{
	const struct publish_source	*src;
	struct buf			 b;
	const char			*cat, *other;
	char				 d[DATE_BUFSZ], *title;
	size_t				 i, j;

	title = view_title(view);
	buf_init(&b);
	buf_adds(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<opml version=\"2.0\">\n<head>\n");
	add_elem(&b, "title", title);
	free(title);
	add_elem(&b, "dateModified", date_rfc822(clamp_time(view->updated,
	    0), d));
	add_elem(&b, "docs", "http://opml.org/spec2.opml");
	buf_adds(&b, "</head>\n<body>\n");
	/* One outline per category, in the order they first appear. */
	for (i = 0; i < view->nsources; i++) {
		src = &view->sources[i];
		if (!is_set(src->xml_url))
			continue;
		cat = is_set(src->category) ? src->category : "Uncategorized";
		for (j = 0; j < i; j++) {
			other = view->sources[j].category;
			if (!is_set(other))
				other = "Uncategorized";
			if (is_set(view->sources[j].xml_url) &&
			    strcmp(other, cat) == 0)
				break;
		}
		if (j < i)
			continue;
		buf_adds(&b, "<outline");
		add_attr(&b, "text", cat);
		add_attr(&b, "title", cat);
		buf_adds(&b, ">\n");
		for (j = i; j < view->nsources; j++) {
			other = view->sources[j].category;
			if (!is_set(other))
				other = "Uncategorized";
			if (is_set(view->sources[j].xml_url) &&
			    strcmp(other, cat) == 0)
				add_opml_outline(&b, &view->sources[j]);
		}
		buf_adds(&b, "</outline>\n");
	}
	buf_adds(&b, "</body>\n</opml>\n");
	return (buf_steal(&b, len));
}
