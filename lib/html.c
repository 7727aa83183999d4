/* HTML from feeds: allowlist sanitizing and plain-text rendering. */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "buf.h"
#include "html.h"
#include "url.h"
#include "xmalloc.h"

/*
 * The HTML parser never touches the network and never prints: errors in
 * feed HTML are the rule, not news.
 */
#define HTML_OPTIONS	(HTML_PARSE_NONET | HTML_PARSE_NOERROR | \
			    HTML_PARSE_NOWARNING | HTML_PARSE_NODEFDTD | \
			    HTML_PARSE_IGNORE_ENC)

/* Sanitizing passes after the first, at most, to reach a fixed point. */
#define HTML_MAX_PASSES	4

/* No URL in an attribute is longer than this; longer ones are dropped. */
#define HTML_URL_MAX	8192

/* What an element is, for the sanitizer and the text renderer. */
#define HE_KEEP		0x01	/* allowed in sanitized output */
#define HE_VOID		0x02	/* no content: written as <x/> */
#define HE_DROP		0x04	/* removed with its content */
#define HE_BLOCK	0x08	/* text: a line break around */
#define HE_PARA		0x10	/* text: a blank line around */
#define HE_PRE		0x20	/* text: whitespace kept */
#define HE_CELL		0x40	/* text: a space before */
#define HE_BR		0x80	/* text: one line break */

struct html_elem {
	const char	*name;
	int		 flags;
};

/*
 * Sorted by name: looked up with bsearch. Unlisted elements are unwrapped
 * (the tag goes, the content stays). <embed> and <keygen> are void in
 * HTML but not to libxml2, which hangs whatever follows them inside
 * them: they are unwrapped rather than dropped, so that content survives
 * while the elements and their attributes still go.
 */
static const struct html_elem html_elems[] = {
	{ "a", HE_KEEP },
	{ "abbr", HE_KEEP },
	{ "acronym", HE_KEEP },
	{ "address", HE_KEEP|HE_BLOCK },
	{ "applet", HE_DROP },
	{ "article", HE_PARA },
	{ "aside", HE_PARA },
	{ "b", HE_KEEP },
	{ "base", HE_DROP },
	{ "basefont", HE_DROP },
	{ "big", HE_KEEP },
	{ "blockquote", HE_KEEP|HE_PARA },
	{ "body", HE_BLOCK },
	{ "br", HE_KEEP|HE_VOID|HE_BR },
	{ "button", HE_DROP },
	{ "caption", HE_KEEP|HE_BLOCK },
	{ "center", HE_BLOCK },
	{ "cite", HE_KEEP },
	{ "code", HE_KEEP },
	{ "dd", HE_KEEP|HE_BLOCK },
	{ "del", HE_KEEP },
	{ "details", HE_BLOCK },
	{ "dfn", HE_KEEP },
	{ "dir", HE_PARA },
	{ "div", HE_KEEP|HE_BLOCK },
	{ "dl", HE_KEEP|HE_PARA },
	{ "dt", HE_KEEP|HE_BLOCK },
	{ "em", HE_KEEP },
	{ "fieldset", HE_BLOCK },
	{ "figcaption", HE_KEEP|HE_BLOCK },
	{ "figure", HE_KEEP|HE_PARA },
	{ "footer", HE_PARA },
	{ "form", HE_DROP },
	{ "frame", HE_DROP },
	{ "frameset", HE_DROP },
	{ "h1", HE_KEEP|HE_PARA },
	{ "h2", HE_KEEP|HE_PARA },
	{ "h3", HE_KEEP|HE_PARA },
	{ "h4", HE_KEEP|HE_PARA },
	{ "h5", HE_KEEP|HE_PARA },
	{ "h6", HE_KEEP|HE_PARA },
	{ "head", HE_DROP },
	{ "header", HE_PARA },
	{ "hr", HE_KEEP|HE_VOID|HE_PARA },
	{ "i", HE_KEEP },
	{ "iframe", HE_DROP },
	{ "img", HE_KEEP|HE_VOID },
	{ "input", HE_DROP },
	{ "ins", HE_KEEP },
	{ "isindex", HE_DROP },
	{ "kbd", HE_KEEP },
	{ "li", HE_KEEP|HE_BLOCK },
	{ "link", HE_DROP },
	{ "main", HE_PARA },
	{ "mark", HE_KEEP },
	{ "math", HE_DROP },
	{ "menu", HE_PARA },
	{ "meta", HE_DROP },
	{ "nav", HE_PARA },
	{ "noembed", HE_DROP },
	{ "noframes", HE_DROP },
	{ "noscript", HE_DROP },
	{ "object", HE_DROP },
	{ "ol", HE_KEEP|HE_PARA },
	{ "p", HE_KEEP|HE_PARA },
	{ "param", HE_DROP },
	{ "plaintext", HE_DROP },
	{ "pre", HE_KEEP|HE_PARA|HE_PRE },
	{ "q", HE_KEEP },
	{ "s", HE_KEEP },
	{ "samp", HE_KEEP },
	{ "script", HE_DROP },
	{ "section", HE_PARA },
	{ "select", HE_DROP },
	{ "small", HE_KEEP },
	{ "span", HE_KEEP },
	{ "strike", HE_KEEP },
	{ "strong", HE_KEEP },
	{ "style", HE_DROP },
	{ "sub", HE_KEEP },
	{ "summary", HE_BLOCK },
	{ "sup", HE_KEEP },
	{ "svg", HE_DROP },
	{ "table", HE_KEEP|HE_PARA },
	{ "tbody", HE_KEEP },
	{ "td", HE_KEEP|HE_CELL },
	{ "template", HE_DROP },
	{ "textarea", HE_DROP },
	{ "tfoot", HE_KEEP },
	{ "th", HE_KEEP|HE_CELL },
	{ "thead", HE_KEEP },
	{ "time", HE_KEEP },
	{ "title", HE_DROP },
	{ "tr", HE_KEEP|HE_BLOCK },
	{ "tt", HE_KEEP },
	{ "u", HE_KEEP },
	{ "ul", HE_KEEP|HE_PARA },
	{ "var", HE_KEEP },
	{ "xmp", HE_DROP },
};

/* Kinds of attribute value. */
enum html_attr_type {
	HA_TEXT,		/* any text, escaped */
	HA_NUMBER,		/* digits, maybe a trailing % */
	HA_URL,			/* http(s) or mailto, absolute */
	HA_IMAGE_URL		/* as HA_URL, or a data: image */
};

struct html_attr {
	const char		*elem;
	const char		*name;
	enum html_attr_type	 type;
};

/* Every attribute the sanitizer keeps; anything else is dropped. */
static const struct html_attr html_attrs[] = {
	{ "a", "href", HA_URL },
	{ "a", "title", HA_TEXT },
	{ "abbr", "title", HA_TEXT },
	{ "acronym", "title", HA_TEXT },
	{ "blockquote", "cite", HA_URL },
	{ "del", "cite", HA_URL },
	{ "del", "datetime", HA_TEXT },
	{ "dfn", "title", HA_TEXT },
	{ "img", "src", HA_IMAGE_URL },
	{ "img", "alt", HA_TEXT },
	{ "img", "title", HA_TEXT },
	{ "img", "width", HA_NUMBER },
	{ "img", "height", HA_NUMBER },
	{ "ins", "cite", HA_URL },
	{ "ins", "datetime", HA_TEXT },
	{ "li", "value", HA_NUMBER },
	{ "ol", "start", HA_NUMBER },
	{ "q", "cite", HA_URL },
	{ "td", "colspan", HA_NUMBER },
	{ "td", "rowspan", HA_NUMBER },
	{ "th", "colspan", HA_NUMBER },
	{ "th", "rowspan", HA_NUMBER },
	{ "time", "datetime", HA_TEXT },
};

/* The state of one sanitizing pass. */
struct html_san {
	struct buf	 out;
	const char	*base;
	int		 changed;	/* something dropped or unwrapped */
};

/* The state of one text rendering pass. */
struct html_text {
	struct buf	 out;
	int		 breaks;	/* line breaks owed */
	int		 space;		/* a space owed */
	int		 pre;		/* inside this many <pre> */
	int		 oneline;	/* every break is a space */
};

/* Feeds found by html_autodiscover. */
struct html_disc {
	char	*base;		/* <base href>, else the caller's */
	int	 based;		/* a <base href> was seen */
	char	**urls;
	size_t	 n;
};

/* html_autodiscover returns at most this many feeds. */
#define HTML_DISC_MAX	32

static int	 html_rel_alternate(const char *);
static int	 html_feed_type(const char *);
static int	 html_disc_enter(xmlNodePtr, void *);
static void	 html_disc_leave(xmlNodePtr, void *);
static int	 html_elem_cmp(const void *, const void *);
static int	 html_elem_flags(const xmlChar *);
static htmlDocPtr html_parse(const char *, int *);
static void	 html_walk(xmlNodePtr, int (*)(xmlNodePtr, void *),
		     void (*)(xmlNodePtr, void *), void *);
static char	*html_attr_value(xmlAttrPtr);
static const struct html_attr *html_attr_find(const char *, const char *);
static int	 html_is_number(const char *);
static int	 html_data_image(const char *);
static char	*html_url(const char *, const char *, int);
static int	 html_san_attrs(struct html_san *, xmlNodePtr, struct buf *,
		     int *);
static char	*html_san_pass(const char *, const char *, int *);
static int	 html_san_enter(xmlNodePtr, void *);
static void	 html_san_leave(xmlNodePtr, void *);
static void	 html_text_break(struct html_text *, int);
static void	 html_text_flush(struct html_text *);
static void	 html_text_add(struct html_text *, const char *);
static int	 html_text_enter(xmlNodePtr, void *);
static void	 html_text_leave(xmlNodePtr, void *);
static char	*html_render(const char *, int);

/* bsearch comparison: an element name against a table entry. */
static int
html_elem_cmp(const void *key, const void *elem)
{
	return (strcmp(key, ((const struct html_elem *)elem)->name));
}

/*
 * The flags of an element by name. A prefixed name ("svg:script") is
 * judged by its local part, so a prefix cannot smuggle in a dropped
 * element; otherwise a prefixed element is unknown.
 */
static int
html_elem_flags(const xmlChar *name)
{
	const struct html_elem	*e;
	const char		*n = (const char *)name, *colon;
	char			 lower[16];
	size_t			 i;

	if ((colon = strrchr(n, ':')) != NULL) {
		e = bsearch(colon + 1, html_elems,
		    sizeof html_elems / sizeof html_elems[0],
		    sizeof html_elems[0], html_elem_cmp);
		return (e != NULL && (e->flags & HE_DROP) ? HE_DROP : 0);
	}
	/* The HTML parser lowercases names; be sure anyway. */
	for (i = 0; n[i] != '\0' && i < sizeof lower - 1; i++)
		lower[i] = n[i] >= 'A' && n[i] <= 'Z' ? n[i] + 32 : n[i];
	if (n[i] != '\0')
		return (0);
	lower[i] = '\0';
	e = bsearch(lower, html_elems, sizeof html_elems / sizeof html_elems[0],
	    sizeof html_elems[0], html_elem_cmp);
	return (e != NULL ? e->flags : 0);
}

/*
 * Parse an HTML fragment into a document. The fragment is cleaned to
 * valid UTF-8 first and put inside an explicit <body>, so the parser
 * neither guesses an encoding nor wraps loose text in an implied <p>.
 * The whole document is walked, not only the body: text after a stray
 * </html> lands outside it.
 */
static htmlDocPtr
html_parse(const char *html, int *clean)
{
	struct buf	 	 b;
	htmlParserCtxtPtr	 ctxt;
	htmlDocPtr		 doc;

	buf_init(&b);
	buf_adds(&b, "<html><body>");
	buf_add_utf8(&b, html, strlen(html));
	/*
	 * The text is clean UTF-8, which is what libxml2 reads when given
	 * no encoding; naming one would send every byte through a
	 * converter. IGNORE_ENC keeps a <meta charset> in it from
	 * switching encodings midway.
	 */
	if ((ctxt = htmlCreateMemoryParserCtxt(b.data, (int)b.len)) == NULL) {
		buf_free(&b);
		return (NULL);
	}
	htmlCtxtUseOptions(ctxt, HTML_OPTIONS);
	ctxt->charset = XML_CHAR_ENCODING_UTF8;
	htmlParseDocument(ctxt);
	doc = ctxt->myDoc;
	ctxt->myDoc = NULL;
	if (clean != NULL)
		*clean = ctxt->wellFormed;
	htmlFreeParserCtxt(ctxt);
	buf_free(&b);
	return (doc);
}

/*
 * Walk the tree under top in document order without recursion (a
 * hostile document may nest as deep as it likes, HOSTILE-7). enter says
 * whether to go into a node; leave is called after the children of every
 * node entered.
 */
static void
html_walk(xmlNodePtr top, int (*enter)(xmlNodePtr, void *),
    void (*leave)(xmlNodePtr, void *), void *arg)
{
	xmlNodePtr	n = top->children;

	while (n != NULL) {
		if (enter(n, arg)) {
			if (n->children != NULL) {
				n = n->children;
				continue;
			}
			leave(n, arg);
		}
		while (n->next == NULL) {
			n = n->parent;
			if (n == top || n == NULL)
				return;
			leave(n, arg);
		}
		n = n->next;
	}
}

/* The text of an attribute (the HTML parser has decoded it already). */
static char *
html_attr_value(xmlAttrPtr a)
{
	struct buf	b;
	xmlNodePtr	n;

	buf_init(&b);
	for (n = a->children; n != NULL; n = n->next) {
		if ((n->type == XML_TEXT_NODE ||
		    n->type == XML_CDATA_SECTION_NODE) && n->content != NULL)
			buf_adds(&b, (const char *)n->content);
	}
	return (buf_steal(&b, NULL));
}

/* The allowlist entry of an attribute on an element, or NULL. */
static const struct html_attr *
html_attr_find(const char *elem, const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof html_attrs / sizeof html_attrs[0]; i++) {
		if (strcmp(html_attrs[i].elem, elem) == 0 &&
		    strcasecmp(html_attrs[i].name, name) == 0)
			return (&html_attrs[i]);
	}
	return (NULL);
}

/* Digits, optionally followed by one '%': sizes, spans, counters. */
static int
html_is_number(const char *s)
{
	size_t	n = 0;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	if (n == 0 || n > 9)
		return (0);
	if (s[n] == '%')
		n++;
	return (s[n] == '\0');
}

/* Is this a data: URL of a raster image (never SVG, which can script)? */
static int
html_data_image(const char *s)
{
	static const char *const types[] = {
		"data:image/png", "data:image/gif", "data:image/jpeg",
		"data:image/jpg", "data:image/webp"
	};
	size_t	i, n;

	for (i = 0; i < sizeof types / sizeof types[0]; i++) {
		n = strlen(types[i]);
		if (strncasecmp(s, types[i], n) == 0 &&
		    (s[n] == ';' || s[n] == ','))
			return (1);
	}
	return (0);
}

/*
 * Check and resolve a URL attribute: return the URL to write (caller
 * frees), or NULL to drop the attribute (HOSTILE-23).
 */
static char *
html_url(const char *value, const char *base, int image)
{
	char	*v, *scheme, *out = NULL;

	v = url_strip(value);
	scheme = url_scheme(v);
	if (scheme != NULL && strcmp(scheme, "mailto") == 0) {
		if (v[7] != '\0')
			out = xstrdup(v);
	} else if (scheme != NULL && strcmp(scheme, "data") == 0) {
		if (image && html_data_image(v))
			out = xstrdup(v);
	} else if (scheme == NULL || strcmp(scheme, "http") == 0 ||
	    strcmp(scheme, "https") == 0) {
		out = url_resolve_http(base, v);
		if (out != NULL && strlen(out) > HTML_URL_MAX) {
			free(out);
			out = NULL;
		}
	}
	free(scheme);
	free(v);
	return (out);
}

/*
 * Append the allowed attributes of an element to attrs. Return 0, or -1
 * when the element is pointless without what was dropped (an <a> with no
 * usable href, an <img> with no usable src); *url says whether it had one.
 */
static int
html_san_attrs(struct html_san *s, xmlNodePtr n, struct buf *attrs,
    int *url)
{
	const struct html_attr	*ha;
	const char		*elem = (const char *)n->name;
	xmlAttrPtr		 a;
	char			*v, *u;

	*url = 0;
	for (a = n->properties; a != NULL; a = a->next) {
		if (a->ns != NULL || strchr((const char *)a->name, ':') != NULL)
			continue;
		if ((ha = html_attr_find(elem, (const char *)a->name)) == NULL)
			continue;
		v = html_attr_value(a);
		switch (ha->type) {
		case HA_TEXT:
			break;
		case HA_NUMBER:
			if (!html_is_number(v)) {
				free(v);
				continue;
			}
			break;
		case HA_URL:
		case HA_IMAGE_URL:
			u = html_url(v, s->base, ha->type == HA_IMAGE_URL);
			free(v);
			if ((v = u) == NULL)
				continue;
			if (strcmp(ha->name, "href") == 0 ||
			    strcmp(ha->name, "src") == 0)
				*url = 1;
			break;
		}
		buf_addc(attrs, ' ');
		buf_adds(attrs, ha->name);
		buf_add(attrs, "=\"", 2);
		buf_add_xml(attrs, v);
		buf_addc(attrs, '"');
		free(v);
	}
	if (strcmp(elem, "a") == 0 || strcmp(elem, "img") == 0)
		return (*url ? 0 : -1);
	return (0);
}

/* Sanitizer, going into a node: write it if allowed, say whether to go on. */
static int
html_san_enter(xmlNodePtr n, void *arg)
{
	struct html_san	*s = arg;
	size_t		 mark;
	int		 flags, url;

	switch (n->type) {
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
		if (n->content != NULL)
			buf_add_xml(&s->out, (const char *)n->content);
		return (0);
	case XML_ELEMENT_NODE:
		break;
	default:
		/* Comments, processing instructions: gone (HOSTILE-28). */
		s->changed = 1;
		return (0);
	}

	flags = html_elem_flags(n->name);
	n->_private = NULL;
	if (flags & HE_DROP) {
		s->changed = 1;
		return (0);
	}
	if (!(flags & HE_KEEP)) {
		/* The <html><body> html_parse wraps it in are no change. */
		if (n->parent == NULL ||
		    n->parent->type != XML_HTML_DOCUMENT_NODE ||
		    strcmp((const char *)n->name, "html") != 0) {
			if (n->parent == NULL ||
			    n->parent->type != XML_ELEMENT_NODE ||
			    strcmp((const char *)n->name, "body") != 0 ||
			    strcmp((const char *)n->parent->name, "html") != 0)
				s->changed = 1;
		}
		return (1);	/* Unknown: keep the content, not the tag. */
	}
	/*
	 * Text after a stray </html> gets a <p> that libxml2 implies in a
	 * second <html>, outside any body: keep its text, not a tag the
	 * input never had (no more tags out than in, HOSTILE-29).
	 */
	if (strcmp((const char *)n->name, "p") == 0 && n->parent != NULL &&
	    (n->parent->type != XML_ELEMENT_NODE ||
	    strcmp((const char *)n->parent->name, "html") == 0)) {
		s->changed = 1;
		return (1);
	}

	/* Written in place, and taken back if the element is dropped. */
	mark = s->out.len;
	buf_addc(&s->out, '<');
	buf_adds(&s->out, (const char *)n->name);
	if (html_san_attrs(s, n, &s->out, &url) != 0) {
		buf_truncate(&s->out, mark);
		s->changed = 1;
		/* An image without a source is nothing; a link is its text. */
		return (!(flags & HE_VOID));
	}
	if (flags & HE_VOID) {
		buf_adds(&s->out, "/>");
		return (0);
	}
	buf_addc(&s->out, '>');
	n->_private = n;	/* Written: close it on the way out. */
	return (1);
}

/* Sanitizer, leaving a node: close what was written. */
static void
html_san_leave(xmlNodePtr n, void *arg)
{
	struct html_san	*s = arg;

	if (n->_private != NULL) {
		buf_add(&s->out, "</", 2);
		buf_adds(&s->out, (const char *)n->name);
		buf_addc(&s->out, '>');
		n->_private = NULL;
	}
}

/*
 * One sanitizing pass: parse, keep what is allowed, write it out. *stable
 * says whether the output is known to be a fixed point already: libxml2
 * read the input without an error to recover from, and the pass dropped
 * and unwrapped nothing, so what is written is the tree libxml2 built
 * from it, which it builds again from that text.
 */
static char *
html_san_pass(const char *html, const char *base, int *stable)
{
	struct html_san	 s;
	htmlDocPtr	 doc;
	char		*out;
	size_t		 start, len;
	int		 clean = 0;

	*stable = 0;
	if ((doc = html_parse(html, &clean)) == NULL)
		return (xstrdup(""));
	buf_init(&s.out);
	s.base = base;
	s.changed = 0;
	html_walk((xmlNodePtr)doc, html_san_enter, html_san_leave, &s);
	xmlFreeDoc(doc);
	*stable = clean && !s.changed;

	/* Trim: surrounding whitespace would not survive another pass. */
	out = buf_steal(&s.out, &len);
	start = 0;
	while (start < len && strchr(" \t\r\n", out[start]) != NULL)
		start++;
	while (len > start && strchr(" \t\r\n", out[len - 1]) != NULL)
		len--;
	memmove(out, out + start, len - start);
	out[len - start] = '\0';
	return (out);
}

/*
 * Sanitize until the output no longer changes. One pass can leave markup
 * that the HTML parser nests differently when it reads it again (an
 * unwrapped element or a prefixed name such as <o:p> changed which tags
 * close which), so the output is passed through again until it is a
 * fixed point: sanitize(sanitize(x)) == sanitize(x) (HOSTILE-29). A pass
 * that recovered from nothing and removed nothing is one already, and
 * most feed content is like that: the second pass is skipped for it.
 */
char *
html_sanitize(const char *html, const char *base)
{
	char	*out, *again;
	int	 i, stable;

	if (html == NULL)
		return (xstrdup(""));
	out = html_san_pass(html, base, &stable);
	for (i = 0; i < HTML_MAX_PASSES && !stable; i++) {
		again = html_san_pass(out, base, &stable);
		if (strcmp(again, out) == 0) {
			free(again);
			break;
		}
		free(out);
		out = again;
	}
	return (out);
}

/* Owe at least n line breaks (a space, on one line) before more text. */
static void
html_text_break(struct html_text *t, int n)
{
	if (t->oneline)
		t->space = 1;
	else if (t->breaks < n)
		t->breaks = n;
}

/* Pay what is owed before the next character of text. */
static void
html_text_flush(struct html_text *t)
{
	if (t->out.len != 0) {
		if (t->breaks > 0)
			buf_add(&t->out, "\n\n", t->breaks);
		else if (t->space)
			buf_addc(&t->out, ' ');
	}
	t->breaks = 0;
	t->space = 0;
}

/* Add text: whitespace runs collapse, except inside <pre>. */
static void
html_text_add(struct html_text *t, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n;

	while (*p != '\0') {
		/* Spaces, tabs, line breaks and U+00A0 are whitespace. */
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
		    *p == '\f' || (p[0] == 0xc2 && p[1] == 0xa0)) {
			n = *p == 0xc2 ? 2 : 1;
			if (t->pre && !t->oneline) {
				if (*p == '\n') {
					if (t->out.len != 0 && t->breaks < 2)
						t->breaks++;
					t->space = 0;
				} else if (*p != '\r') {
					html_text_flush(t);
					buf_addc(&t->out, *p == '\t' ?
					    '\t' : ' ');
				}
			} else
				t->space = 1;
			p += n;
			continue;
		}
		html_text_flush(t);
		n = 1;
		while (p[n] != '\0' && p[n] != ' ' && p[n] != '\t' &&
		    p[n] != '\n' && p[n] != '\r' && p[n] != '\f' &&
		    !(p[n] == 0xc2 && p[n + 1] == 0xa0))
			n++;
		buf_add(&t->out, p, n);
		p += n;
	}
}

/* Text renderer, going into a node. */
static int
html_text_enter(xmlNodePtr n, void *arg)
{
	struct html_text	*t = arg;
	char			*clean;
	int			 flags;

	switch (n->type) {
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
		/* Drop what XML forbids first: it must not split a run. */
		if (n->content != NULL) {
			clean = utf8_clean((const char *)n->content,
			    strlen((const char *)n->content));
			html_text_add(t, clean);
			free(clean);
		}
		return (0);
	case XML_ELEMENT_NODE:
		break;
	default:
		return (0);
	}
	flags = html_elem_flags(n->name);
	if (flags & HE_DROP)
		return (0);
	if (flags & HE_BR) {
		if (t->oneline)
			t->space = 1;
		else if (t->breaks < 2)
			t->breaks++;
		return (0);
	}
	if (flags & HE_PARA)
		html_text_break(t, 2);
	else if (flags & HE_BLOCK)
		html_text_break(t, 1);
	else if (flags & HE_CELL)
		t->space = 1;
	if (flags & HE_PRE)
		t->pre++;
	return (!(flags & HE_VOID));
}

/* Text renderer, leaving a node. */
static void
html_text_leave(xmlNodePtr n, void *arg)
{
	struct html_text	*t = arg;
	int			 flags;

	if (n->type != XML_ELEMENT_NODE)
		return;
	flags = html_elem_flags(n->name);
	if (flags & HE_PARA)
		html_text_break(t, 2);
	else if (flags & HE_BLOCK)
		html_text_break(t, 1);
	if ((flags & HE_PRE) && t->pre > 0)
		t->pre--;
}

/* Render as text: the body of html_to_text and html_to_line. */
static char *
html_render(const char *html, int oneline)
{
	struct html_text	 t;
	htmlDocPtr		 doc;
	char			*out;
	size_t			 len;

	if (html == NULL || (doc = html_parse(html, NULL)) == NULL)
		return (xstrdup(""));
	memset(&t, 0, sizeof t);
	buf_init(&t.out);
	t.oneline = oneline;
	html_walk((xmlNodePtr)doc, html_text_enter, html_text_leave, &t);
	xmlFreeDoc(doc);

	/*
	 * Entities may have decoded to characters XML forbids: clean, then
	 * trim the spaces a <pre> may leave at the end.
	 */
	out = utf8_clean(t.out.data != NULL ? t.out.data : "", t.out.len);
	buf_free(&t.out);
	len = strlen(out);
	while (len > 0 && (out[len - 1] == ' ' || out[len - 1] == '\t' ||
	    out[len - 1] == '\n'))
		out[--len] = '\0';
	return (out);
}

char *
html_to_text(const char *html)
{
	return (html_render(html, 0));
}

char *
html_to_line(const char *html)
{
	return (html_render(html, 1));
}

/* Does a rel attribute hold the token "alternate"? */
static int
html_rel_alternate(const char *rel)
{
	const char	*p = rel;
	size_t		 n;

	while (*p != '\0') {
		p += strspn(p, " \t\r\n\f");
		n = strcspn(p, " \t\r\n\f");
		if (n == 9 && strncasecmp(p, "alternate", 9) == 0)
			return (1);
		p += n;
	}
	return (0);
}

/* Is a link type one of a feed? Parameters (";...") are ignored. */
static int
html_feed_type(const char *type)
{
	static const char *const types[] = { "application/rss+xml",
	    "application/atom+xml", "application/feed+json",
	    "application/json" };
	size_t	n, i;

	type += strspn(type, " \t");
	n = strcspn(type, "; \t");
	for (i = 0; i < sizeof types / sizeof types[0]; i++) {
		if (strlen(types[i]) == n &&
		    strncasecmp(type, types[i], n) == 0)
			return (1);
	}
	return (0);
}

/* Gather <base href> and feed links (html_autodiscover). */
static int
html_disc_enter(xmlNodePtr n, void *arg)
{
	struct html_disc	*d = arg;
	xmlAttrPtr		 a;
	char			*rel = NULL, *type = NULL, *href = NULL, *u;
	size_t			 i;

	if (n->type != XML_ELEMENT_NODE)
		return (0);
	if (strcasecmp((const char *)n->name, "link") != 0 &&
	    strcasecmp((const char *)n->name, "base") != 0)
		return (1);
	for (a = n->properties; a != NULL; a = a->next) {
		if (rel == NULL &&
		    strcasecmp((const char *)a->name, "rel") == 0)
			rel = html_attr_value(a);
		else if (type == NULL &&
		    strcasecmp((const char *)a->name, "type") == 0)
			type = html_attr_value(a);
		else if (href == NULL &&
		    strcasecmp((const char *)a->name, "href") == 0)
			href = html_attr_value(a);
	}
	if (strcasecmp((const char *)n->name, "base") == 0) {
		/* The first <base href> is the page's base. */
		if (!d->based && href != NULL &&
		    (u = url_resolve(d->base, href)) != NULL) {
			free(d->base);
			d->base = u;
			d->based = 1;
		}
	} else if (rel != NULL && type != NULL && href != NULL &&
	    d->n < HTML_DISC_MAX && html_rel_alternate(rel) &&
	    html_feed_type(type) && strlen(href) <= HTML_URL_MAX) {
		u = url_strip(href);
		free(href);
		href = u;
		if ((u = url_resolve(d->base, href)) != NULL &&
		    url_is_http(u)) {
			for (i = 0; i < d->n; i++) {
				if (strcmp(d->urls[i], u) == 0)
					break;
			}
			if (i == d->n) {
				d->urls = xreallocarray(d->urls, d->n + 1,
				    sizeof *d->urls);
				d->urls[d->n++] = u;
				u = NULL;
			}
		}
		free(u);
	}
	free(rel);
	free(type);
	free(href);
	return (0);
}

/* Nothing to do on leaving (html_autodiscover). */
static void
html_disc_leave(xmlNodePtr n, void *arg)
{
}

char **
html_autodiscover(const char *html, size_t len, const char *base, size_t *n)
{
	struct html_disc	 d;
	htmlDocPtr		 doc;
	char			*clean;

	memset(&d, 0, sizeof d);
	*n = 0;
	d.base = xstrdup(base != NULL ? base : "");
	clean = utf8_clean(html, len);
	doc = htmlReadMemory(clean, (int)strlen(clean), NULL, "UTF-8",
	    HTML_OPTIONS);
	free(clean);
	if (doc != NULL) {
		html_walk((xmlNodePtr)doc, html_disc_enter, html_disc_leave,
		    &d);
		xmlFreeDoc(doc);
	}
	free(d.base);
	*n = d.n;
	return (d.urls);
}
