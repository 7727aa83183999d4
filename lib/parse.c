/*
 * Feed documents to normalized entries. Bytes are decoded to UTF-8 first
 * (parse_decode, with the encoding chosen by parse_choose); the first
 * character then tells JSON from XML. RSS 0.9x, 1.0 and 2.0 and Atom 0.3
 * and 1.0 are read with libxml2's push parser into a tree that is then
 * walked; a JSON Feed is held whole and loaded with jansson.
 */

#include "config.h"

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/SAX2.h>
#include <libxml/encoding.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>

#include "buf.h"
#include "date.h"
#include "entry.h"
#include "html.h"
#include "log.h"
#include "parse.h"
#include "url.h"
#include "xmalloc.h"

/*
 * libxml2 options: no network, recover from errors (feeds are often not
 * well-formed), CDATA as plain text, no error printing (errors come to
 * parse_error_cb), line numbers past 65535, and the encoding left to us
 * (libxml2 is given UTF-8 that parse_decode made). Never NOENT, DTDLOAD,
 * DTDATTR, DTDVALID, XINCLUDE or HUGE (HOSTILE-6): entities are not
 * expanded, no DTD is loaded, libxml2's own size limits stay on.
 */
#define PARSE_OPTIONS	(XML_PARSE_NONET | XML_PARSE_RECOVER | \
			    XML_PARSE_NOCDATA | XML_PARSE_NOERROR | \
			    XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES | \
			    XML_PARSE_IGNORE_ENC)

/* A document larger than this is refused (the fetcher caps lower). */
#define PARSE_MAX_DOC		(64 * 1024 * 1024)
/* A text field is cut at this many bytes (HOSTILE-9). */
#define PARSE_MAX_FIELD		(1024 * 1024)
/* At most this many entries, the newest, are read (HOSTILE-17). */
#define PARSE_MAX_ENTRIES	1000
/* Past this many categories or enclosures an entry takes no more. */
#define PARSE_MAX_CATEGORIES	64
#define PARSE_MAX_ENCLOSURES	16
/* A link longer than this is dropped (HOSTILE-19). */
#define PARSE_MAX_LINK		8192
/* libxml2 is fed at most this much at a time. */
#define PARSE_PIECE		(64 * 1024)
/* Bytes held back at most to find the document's own encoding. */
#define PARSE_HEAD_MAX		1024
/* The start of a document kept to find the feeds a web page links to. */
#define PARSE_HTML_MAX		(256 * 1024)
/* A longer '&...;' is not a reference (entity names are short). */
#define PARSE_MAX_REF		64
/* Longest libxml2 message kept for doc->malformed and causes. */
#define PARSE_MAX_MESSAGE	200

#define NS_ATOM		"http://www.w3.org/2005/Atom"
#define NS_ATOM03	"http://purl.org/atom/ns#"
#define NS_RSS10	"http://purl.org/rss/1.0/"
#define NS_RSS090	"http://my.netscape.com/rdf/simple/0.9/"
#define NS_RDF		"http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_CONTENT	"http://purl.org/rss/1.0/modules/content/"
#define NS_DC		"http://purl.org/dc/elements/1.1/"
#define NS_DCTERMS	"http://purl.org/dc/terms/"
#define NS_XHTML	"http://www.w3.org/1999/xhtml"
#define NS_XML		"http://www.w3.org/XML/1998/namespace"
#define NS_SY		"http://purl.org/rss/1.0/modules/syndication/"

/*
 * An HTML named entity (&nbsp;, &eacute;) handed to libxml2 as if it
 * were predefined, so that it is read as its character (HOSTILE-11).
 */
struct parse_entity {
	xmlEntity		 ent;
	char			 name[32];
	char			 value[8];
	struct parse_entity	*next;
};

/*
 * Where the bare-ampersand filter is in the document: it only needs to
 * know comments, CDATA sections, processing instructions and the
 * DOCTYPE, where '&' means nothing, from everything else.
 */
enum parse_lex {
	LEX_TEXT,		/* text, tags and attribute values */
	LEX_LT,			/* after '<' */
	LEX_BANG,		/* after "<!": "--" or "[CDATA[" next? */
	LEX_COMMENT,
	LEX_CDATA,
	LEX_PI,
	LEX_DECL,		/* <!DOCTYPE ...> and its internal subset */
	LEX_AMP			/* after '&': reading a reference */
};

/* How the bytes are decoded to UTF-8 (parse_decode). */
enum parse_dec {
	DEC_UTF8,
	DEC_CP1252,
	DEC_ICONV
};

/* What the document is, once its first character is known. */
enum parse_mode {
	MODE_HEAD,
	MODE_XML,
	MODE_JSON
};

/*
 * An item and its date, to keep the newest when there are too many:
 * either its entry, read as the item closed (streaming), or its element,
 * read at the end (a document labeled Latin-1, which may turn out to be
 * UTF-8 only once it has all been seen).
 */
struct parse_rank {
	int64_t		 date;
	size_t		 index;
	xmlNodePtr	 node;
	struct entry	*entry;
	const char	*ns;		/* the namespace it was read in */
	int		 atom;
};

struct parse {
	char			*base_url;
	char			*charset;
	xmlParserCtxtPtr	 ctxt;
	struct buf		 head;		/* held back */
	size_t			 total;		/* bytes pushed */
	int			 nonspace;	/* seen more than blanks */
	char			 sniff[512];	/* the first bytes */
	size_t			 nsniff;
	enum parse_mode		 mode;
	int			 depth;
	int			 root_seen;
	int			 root_closed;
	size_t			 run;		/* text run length */
	int			 ending;	/* in the final parse call */
	char			*stop;		/* why it stopped */
	char			*error;		/* first error */
	int			 error_line;
	int			 error_code;	/* its libxml2 code */
	char			*amp_error;	/* first bare '&' */
	int			 amp_line;
	char			*note;		/* first encoding note */
	int			 cut;		/* it ends inside markup */
	struct parse_entity	*entities;

	/* The decoder (parse_decode). */
	int			 decoding;	/* encoding chosen */
	enum parse_dec		 dec;
	iconv_t			 cd;
	size_t			 unit;		/* skipped when invalid */
	char			 pend[16];	/* incomplete sequence */
	size_t			 npend;
	int			 u8_seen;	/* valid multibyte UTF-8 */
	int			 dec_bad;	/* bytes were replaced */
	struct buf		 dec_out;

	struct buf		 json;		/* a JSON document */

	/* A web page, for the feeds it links to. */
	struct buf		 html;
	int			 html_keep;	/* still keeping its start */
	int			 html_page;	/* it is a web page */
	size_t			 html_scan;

	/*
	 * The prolog is held until the root's start tag, so that libxml2
	 * gets the XML declaration and the DOCTYPE in one piece however
	 * the bytes came: its push parser reads a DOCTYPE differently when
	 * it is cut.
	 */
	struct buf		 prolog;
	int			 prolog_done;
	int			 lex_tag;	/* a tag has started */

	/* The bare-ampersand filter (parse_filter). */
	enum parse_lex		 lex;
	char			 lexbuf[PARSE_MAX_REF + 1];
	size_t			 nlex;
	int			 lexend;	/* end marker matched */
	int			 lexquote;	/* LEX_DECL: open quote */
	int			 lexdepth;	/* LEX_DECL: '[' depth */
	int			 lex_in_tag;	/* LEX_TEXT: inside a tag */
	int			 lex_quote;	/* its open quote, or 0 */
	int			 lex_rsq;	/* ']' just before, up to 2 */
	int			 line;
	struct buf		 out;		/* filtered bytes */

	/* Mislabeled Latin-1 (parse_utf8_track). */
	int			 latin1;	/* labeled Latin-1 */
	int			 u8_need;
	int			 u8_bad;
	int			 u8_multi;
	int			 mislabeled;	/* UTF-8 in fact */

	/*
	 * The newest items so far, a heap with the oldest on top. When
	 * streaming, each item is read into an entry as it closes and its
	 * element freed, so the tree never holds more than one item.
	 */
	int			 stream;
	struct parse_rank	*kept;
	size_t			 nkept;
	size_t			 nitems;
};

/* How an Atom text construct or content element is to be read. */
enum parse_type {
	PARSE_TEXT,
	PARSE_HTML,
	PARSE_XHTML,
	PARSE_XML,
	PARSE_SKIP
};

/* What the walkers share while building one document. */
struct parse_walk {
	struct parse	*p;
	struct feed_doc	*d;
	const char	*ns;		/* the format's own namespace */
};

static void	 parse_fail(struct parse *, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
static void	 parse_error_cb(void *, xmlErrorPtr);
static xmlEntityPtr parse_get_entity_cb(void *, const xmlChar *);
static xmlEntityPtr parse_get_pentity_cb(void *, const xmlChar *);
static void	 parse_entity_decl_cb(void *, const xmlChar *, int,
		     const xmlChar *, const xmlChar *, xmlChar *);
static void	 parse_unparsed_decl_cb(void *, const xmlChar *,
		     const xmlChar *, const xmlChar *, const xmlChar *);
static void	 parse_internal_subset_cb(void *, const xmlChar *,
		     const xmlChar *, const xmlChar *);
static void	 parse_external_subset_cb(void *, const xmlChar *,
		     const xmlChar *, const xmlChar *);
static xmlParserInputPtr parse_resolve_cb(void *, const xmlChar *,
		     const xmlChar *);
static void	 parse_start_cb(void *, const xmlChar *, const xmlChar *,
		     const xmlChar *, int, const xmlChar **, int, int,
		     const xmlChar **);
static void	 parse_end_cb(void *, const xmlChar *, const xmlChar *,
		     const xmlChar *);
static void	 parse_chars_cb(void *, const xmlChar *, int);
static int	 parse_is_item(xmlNodePtr, const char **, int *);
static int	 parse_rank_worse(const struct parse_rank *,
		     const struct parse_rank *);
static void	 parse_drop(struct parse *, struct parse_rank *);
static void	 parse_free_item(struct parse *, xmlNodePtr);
static void	 parse_keep(struct parse *, xmlNodePtr, const char *, int);
static struct entry *parse_read_item(struct parse *, xmlNodePtr,
		     const char *, int);
static void	 parse_collect(struct parse_walk *, xmlNodePtr *, size_t);
static void	 parse_check_root(struct parse *, const xmlChar *,
		     const xmlChar *);
static char	*parse_short_name(const xmlChar *);
static int	 parse_head_ready(struct parse *);
static char	*parse_decl_encoding(struct parse *);
static size_t	 parse_choose(struct parse *);
static const char *parse_wide_name(const char *);
static int	 parse_set_decoder(struct parse *, const char *);
static void	 parse_note(struct parse *, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
static void	 parse_settle(struct parse *);
static void	 parse_add_cp(struct buf *, uint32_t);
static uint32_t	 parse_cp1252_char(unsigned char);
static int	 parse_utf8_seq(const unsigned char *, size_t);
static size_t	 parse_ascii_run(const unsigned char *, size_t);
static size_t	 parse_safe_run(const unsigned char *, size_t);
static void	 parse_decode(struct parse *, const char *, size_t, int,
		     struct buf *);
static void	 parse_bad_bytes(struct parse *);
static void	 parse_drop_forbidden(struct parse *, struct buf *,
		     size_t);
static void	 parse_input(struct parse *, const char *, size_t, int);
static void	 parse_dispatch(struct parse *, const char *, size_t);
static void	 parse_html_check(struct parse *, int);
static void	 parse_html_fail(struct parse *);
static size_t	 parse_ref_whole(const unsigned char *, size_t);
static int	 parse_ref_char(const char *, size_t, int);
static int	 parse_ref_done(const char *, size_t);
static int	 parse_lex_decl(struct parse *, int);
static void	 parse_bare_amp(struct parse *, struct buf *);
static void	 parse_filter(struct parse *, const char *, size_t,
		     struct buf *);
static void	 parse_filter_end(struct parse *, struct buf *);
static int	 parse_start(struct parse *);
static int	 parse_feed(struct parse *, const char *, size_t);
static void	 parse_prolog_flush(struct parse *);
static void	 parse_note_bytes(struct parse *, const char *, size_t);
static const char *parse_sniff(struct parse *);
static void	 parse_cause(struct parse *, char **);
static const char *parse_entity_value(const xmlChar *, char *);

static int	 parse_is(xmlNodePtr, const char *, const char *);
static void	 parse_walk(xmlNodePtr, int (*)(xmlNodePtr, void *),
		     void (*)(xmlNodePtr, void *), void *);
static int	 parse_text_enter(xmlNodePtr, void *);
static int	 parse_markup_enter(xmlNodePtr, void *);
static void	 parse_markup_leave(xmlNodePtr, void *);
static void	 parse_noop_leave(xmlNodePtr, void *);
static char	*parse_finish_field(struct buf *, xmlNodePtr);
static int	 parse_latin1_name(const char *);
static void	 parse_utf8_track(struct parse *, const char *, size_t);
static int	 parse_cp1252_byte(uint32_t);
static int	 parse_utf8_valid(const unsigned char *, size_t);
static void	 parse_unmojibake(const char *, size_t, struct buf *);
static char	*parse_text(xmlNodePtr);
static char	*parse_markup(xmlNodePtr);
static int	 parse_has_elements(xmlNodePtr);
static char	*parse_attr(xmlNodePtr, const char *, const char *);
static char	*parse_line(const char *);
static int	 parse_looks_html(const char *);
static char	*parse_plain(const char *);
static char	*parse_address(const char *);
static char	*parse_trim(char *);
static char	*parse_base(struct parse *, xmlNodePtr);
static char	*parse_link(const char *, const char *);
static int64_t	 parse_date(xmlNodePtr);
static char	*parse_nonempty(char *);
static char	*parse_escape(const char *);
static char	*parse_hash_id(const struct entry *);
static void	 parse_add_category(struct entry *, char *);
static void	 parse_add_enclosure(struct entry *, char *, char *,
		     const char *);
static char	*parse_rss_author(const char *, int *);
static xmlNodePtr *parse_grow(xmlNodePtr *, size_t, size_t *);
static int64_t	 parse_item_date(xmlNodePtr, const char *, int);

static struct feed_doc *parse_build(struct parse *, char **);
static void	 parse_rss(struct parse_walk *, xmlNodePtr);
static void	 parse_rss_channel(struct parse_walk *, xmlNodePtr);
static struct entry *parse_rss_item(struct parse_walk *, xmlNodePtr);
static void	 parse_atom(struct parse_walk *, xmlNodePtr);
static struct entry *parse_atom_entry(struct parse_walk *, xmlNodePtr);
static enum parse_type parse_atom_type(xmlNodePtr);
static char	*parse_atom_plain(xmlNodePtr);
static char	*parse_atom_html(struct parse *, xmlNodePtr);
static void	 parse_atom_link(struct parse_walk *, struct entry *,
		     xmlNodePtr);
static char	*parse_atom_person(xmlNodePtr);
static xmlNodePtr parse_xhtml_div(xmlNodePtr);
static int	 parse_atom_rel(const char *, const char *);

static enum parse_type parse_atom03_read(xmlNodePtr, char **);
static char	*parse_base64(const char *);
static int	 parse_hint(struct parse_walk *, xmlNodePtr, int64_t *,
		     int64_t *);
static void	 parse_hint_period(struct parse_walk *, int64_t, int64_t);
static int64_t	 parse_number(xmlNodePtr);
static int	 parse_index_cmp(const void *, const void *);
static int	 parse_rank_cmp(const void *, const void *);
static int	 parse_same_ns(const char *, const char *);

static struct feed_doc *parse_json(struct parse *, char **);
static int	 parse_json_hex4(const char *, size_t, size_t);
static void	 parse_json_surrogates(struct parse *);
static char	*parse_json_get(json_t *, const char *);
static char	*parse_json_author(json_t *);
static struct entry *parse_json_item(struct parse *, json_t *,
		     const char *);

static json_t	*parse_json_str(const char *);
static json_t	*parse_json_time(int64_t);

/* Stop the parser for good, with the reason the caller will be given. */
static void
parse_fail(struct parse *p, const char *fmt, ...)
{
	va_list	ap;

	if (p->stop == NULL) {
		va_start(ap, fmt);
		xvasprintf(&p->stop, fmt, ap);
		va_end(ap);
	}
	if (p->ctxt != NULL)
		xmlStopParser(p->ctxt);
}

/* Keep the first error libxml2 reports, as "line N: message". */
static void
parse_error_cb(void *arg, xmlErrorPtr e)
{
	xmlParserCtxtPtr	 ctxt = arg;
	struct parse		*p;
	char			*msg, *clean;
	size_t			 n;

	if (ctxt == NULL || (p = ctxt->_private) == NULL || e == NULL)
		return;
	if (e->level < XML_ERR_ERROR)
		return;
	if (p->error != NULL)
		return;
	/* Messages quote the document: clean them like any field. */
	clean = utf8_clean(e->message != NULL ? e->message : "error",
	    e->message != NULL ? strlen(e->message) : 5);
	msg = parse_line(clean);
	free(clean);
	n = strlen(msg);
	if (n > PARSE_MAX_MESSAGE) {
		n = PARSE_MAX_MESSAGE;
		while (n > 0 && ((unsigned char)msg[n] & 0xc0) == 0x80)
			n--;
		msg[n] = '\0';
	}
	xasprintf(&p->error, "line %d: %s", e->line, msg);
	p->error_line = e->line;
	p->error_code = e->code;
	free(msg);
}

/*
 * Map an HTML named entity to its character, in text only. In an
 * attribute value libxml2 would copy only the first byte of a
 * predefined entity, so there the entity stays undeclared (an error:
 * the character is dropped and the document marked malformed).
 */
static xmlEntityPtr
parse_get_entity_cb(void *arg, const xmlChar *name)
{
	xmlParserCtxtPtr	 ctxt = arg;
	struct parse		*p = ctxt->_private;
	struct parse_entity	*pe;
	char			 value[8];

	if (ctxt->instate == XML_PARSER_ATTRIBUTE_VALUE ||
	    strlen((const char *)name) >= sizeof pe->name ||
	    parse_entity_value(name, value) == NULL)
		return (xmlSAX2GetEntity(arg, name));
	for (pe = p->entities; pe != NULL; pe = pe->next) {
		if (strcmp(pe->name, (const char *)name) == 0)
			return (&pe->ent);
	}
	pe = xcalloc(1, sizeof *pe);
	memcpy(pe->name, name, strlen((const char *)name) + 1);
	memcpy(pe->value, value, sizeof pe->value);
	pe->ent.type = XML_ENTITY_DECL;
	pe->ent.name = (const xmlChar *)pe->name;
	pe->ent.content = (xmlChar *)pe->value;
	pe->ent.length = (int)strlen(pe->value);
	pe->ent.etype = XML_INTERNAL_PREDEFINED_ENTITY;
	pe->next = p->entities;
	p->entities = pe;
	return (&pe->ent);
}

/* Parameter entities are never declared, so never found. */
static xmlEntityPtr
parse_get_pentity_cb(void *arg, const xmlChar *name)
{
	return (NULL);
}

/*
 * Any entity declaration ends the parse: that is what XXE (HOSTILE-1 to
 * HOSTILE-3), billion laughs (HOSTILE-4) and quadratic blowup
 * (HOSTILE-5) need, and no real feed declares entities.
 */
static void
parse_entity_decl_cb(void *arg, const xmlChar *name, int type,
    const xmlChar *public_id, const xmlChar *system_id, xmlChar *content)
{
	xmlParserCtxtPtr	ctxt = arg;

	parse_fail(ctxt->_private,
	    "rejected: the document declares entities");
}

/* An unparsed entity declaration is an entity declaration too. */
static void
parse_unparsed_decl_cb(void *arg, const xmlChar *name,
    const xmlChar *public_id, const xmlChar *system_id,
    const xmlChar *notation)
{
	xmlParserCtxtPtr	ctxt = arg;

	parse_fail(ctxt->_private,
	    "rejected: the document declares entities");
}

/* A DOCTYPE: an HTML one means an HTML page, anything else is kept. */
static void
parse_internal_subset_cb(void *arg, const xmlChar *name,
    const xmlChar *external_id, const xmlChar *system_id)
{
	xmlParserCtxtPtr	ctxt = arg;

	if (name != NULL && strcasecmp((const char *)name, "html") == 0) {
		((struct parse *)ctxt->_private)->html_page = 1;
		xmlStopParser(ctxt);
		return;
	}
	xmlSAX2InternalSubset(arg, name, external_id, system_id);
}

/* External subsets are never loaded (HOSTILE-2). */
static void
parse_external_subset_cb(void *arg, const xmlChar *name,
    const xmlChar *external_id, const xmlChar *system_id)
{
}

/* Nor is any external entity (HOSTILE-1, HOSTILE-2). */
static xmlParserInputPtr
parse_resolve_cb(void *arg, const xmlChar *public_id,
    const xmlChar *system_id)
{
	return (NULL);
}

/*
 * An element starts. The root decides whether this is a feed at all
 * (HOSTILE-14), so a web page is refused at its first tag.
 *
 * Why wellFormed is reset here and in the other callbacks: after any
 * error, libxml2 2.9 drops every later entity reference, &amp; and &lt;
 * included, so one stray '&' in a title would mangle all the escaped
 * HTML after it. The error is already recorded by parse_error_cb.
 */
static void
parse_start_cb(void *arg, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
    int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	xmlParserCtxtPtr	 ctxt = arg;
	struct parse		*p = ctxt->_private;

	ctxt->wellFormed = 1;
	p->run = 0;
	if (p->depth++ == 0) {
		p->root_seen = 1;
		parse_check_root(p, localname, uri);
		if (p->stop != NULL || p->html_page)
			return;
		/* Field extraction finds the parse through the document. */
		if (ctxt->myDoc != NULL)
			ctxt->myDoc->_private = p;
	}
	xmlSAX2StartElementNs(arg, localname, prefix, uri, nb_namespaces,
	    namespaces, nb_attributes, nb_defaulted, attributes);
}

/*
 * An element ends; the root ending means the document is complete. An
 * item or entry that closes is ranked, and read at once when streaming.
 */
static void
parse_end_cb(void *arg, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri)
{
	xmlParserCtxtPtr	 ctxt = arg;
	struct parse		*p = ctxt->_private;
	xmlNodePtr		 n = ctxt->node;
	const char		*ns;
	int			 atom;

	ctxt->wellFormed = 1;
	p->run = 0;
	xmlSAX2EndElementNs(arg, localname, prefix, uri);
	if (n != NULL && p->stop == NULL && parse_is_item(n, &ns, &atom))
		parse_keep(p, n, ns, atom);
	if (p->depth > 0 && --p->depth == 0)
		p->root_closed = 1;
}

/*
 * Is n, just closed, an item or entry the walkers would read: an RSS
 * <item> in <channel> or beside it, an Atom <entry> in <feed> in the
 * feed's own namespace? If so, *ns is the namespace to read it in.
 */
static int
parse_is_item(xmlNodePtr n, const char **ns, int *atom)
{
	xmlNodePtr	 parent = n->parent, root;

	if (n->type != XML_ELEMENT_NODE || parent == NULL ||
	    parent->type != XML_ELEMENT_NODE)
		return (0);
	root = parent;
	if (strcmp((const char *)parent->name, "channel") == 0 &&
	    parent->parent != NULL && parent->parent->type == XML_ELEMENT_NODE)
		root = parent->parent;
	if (root->parent == NULL || root->parent->type != XML_DOCUMENT_NODE)
		return (0);
	*atom = 0;
	if (strcmp((const char *)root->name, "feed") == 0) {
		*atom = 1;
		*ns = parse_is(root, NS_ATOM03, "feed") ? NS_ATOM03 : NS_ATOM;
		return (root == parent && parse_is(n, *ns, "entry"));
	}
	if (strcmp((const char *)root->name, "rss") == 0) {
		*ns = root->ns != NULL ? (const char *)root->ns->href : NULL;
		return (parse_is(n, *ns, "item"));
	}
	/* RDF: the walker checks the namespace against the channel's. */
	*ns = parse_is(n, NS_RSS10, "item") ? NS_RSS10 : NS_RSS090;
	return (parse_is(n, *ns, "item"));
}

/* Does a rank below b: older, or as old and later in the document? */
static int
parse_rank_worse(const struct parse_rank *a, const struct parse_rank *b)
{
	if (a->date != b->date)
		return (a->date < b->date);
	return (a->index > b->index);
}

/*
 * Drop an item that will not be read. Streaming, its element goes,
 * with the text before it, so a flood of items costs no memory at all
 * (HOSTILE-17). Otherwise its content is freed now and the empty
 * element stays, marked, for the walkers to pass over.
 */
static void
parse_drop(struct parse *p, struct parse_rank *r)
{
	xmlNodePtr	n = r->node;

	entry_free(r->entry);
	r->entry = NULL;
	r->node = NULL;
	if (n == NULL)
		return;
	if (!p->stream) {
		xmlFreeNodeList(n->children);
		n->children = n->last = NULL;
		n->_private = n;
		return;
	}
	parse_free_item(p, n);
}

/* Free a closed item's element, and the text before it. */
static void
parse_free_item(struct parse *p, xmlNodePtr n)
{
	xmlNodePtr	prev = n->prev, parent = n->parent;

	xmlUnlinkNode(n);
	xmlFreeNode(n);
	if (prev != NULL && prev->type == XML_TEXT_NODE) {
		xmlUnlinkNode(prev);
		xmlFreeNode(prev);
	}
	/*
	 * libxml2 appends the next text to its parent's last child in
	 * place, by lengths it keeps for the text node it made last; with
	 * that node gone, make it take the slow, safe way.
	 */
	if (parent != NULL && parent->last != NULL &&
	    parent->last->type == XML_TEXT_NODE)
		p->ctxt->nodemem = 0;
}

/*
 * An item closed: keep it among the newest PARSE_MAX_ENTRIES, dropping
 * whichever is now the oldest (HOSTILE-17). The heap has the item that
 * ranks lowest on top. Streaming, a kept item is read into its entry
 * now and its element freed.
 */
static void
parse_keep(struct parse *p, xmlNodePtr n, const char *ns, int atom)
{
	struct parse_rank	 r, tmp;
	size_t			 i, c;

	memset(&r, 0, sizeof r);
	r.date = parse_item_date(n, ns, atom);
	r.index = p->nitems++;
	r.node = n;
	r.ns = ns;
	r.atom = atom;
	if (p->kept == NULL)
		p->kept = xreallocarray(NULL, PARSE_MAX_ENTRIES,
		    sizeof *p->kept);
	if (p->nkept == PARSE_MAX_ENTRIES &&
	    parse_rank_worse(&r, &p->kept[0])) {
		parse_drop(p, &r);
		return;
	}
	if (p->stream) {
		r.entry = parse_read_item(p, n, ns, atom);
		r.node = NULL;
		parse_free_item(p, n);
	} else
		n->_private = p;	/* Read at the end, from the heap. */
	if (p->nkept < PARSE_MAX_ENTRIES) {
		i = p->nkept++;
		p->kept[i] = r;
		while (i > 0 && parse_rank_worse(&p->kept[i],
		    &p->kept[(i - 1) / 2])) {
			tmp = p->kept[i];
			p->kept[i] = p->kept[(i - 1) / 2];
			p->kept[(i - 1) / 2] = tmp;
			i = (i - 1) / 2;
		}
		return;
	}
	parse_drop(p, &p->kept[0]);
	p->kept[0] = r;
	for (i = 0; (c = 2 * i + 1) < p->nkept; i = c) {
		if (c + 1 < p->nkept &&
		    parse_rank_worse(&p->kept[c + 1], &p->kept[c]))
			c++;
		if (!parse_rank_worse(&p->kept[c], &p->kept[i]))
			break;
		tmp = p->kept[i];
		p->kept[i] = p->kept[c];
		p->kept[c] = tmp;
	}
}

/* Read one item or entry into an entry. */
static struct entry *
parse_read_item(struct parse *p, xmlNodePtr n, const char *ns, int atom)
{
	struct parse_walk	w;

	memset(&w, 0, sizeof w);
	w.p = p;
	w.ns = ns;
	return (atom ? parse_atom_entry(&w, n) : parse_rss_item(&w, n));
}

/*
 * Text (CDATA too): a run of text between two tags is cut at the field
 * cap, on a character boundary, so a huge text node costs no memory
 * (HOSTILE-9).
 */
static void
parse_chars_cb(void *arg, const xmlChar *ch, int len)
{
	xmlParserCtxtPtr	 ctxt = arg;
	struct parse		*p = ctxt->_private;
	size_t			 n = (size_t)len;

	ctxt->wellFormed = 1;
	if (p->run >= PARSE_MAX_FIELD)
		return;
	if (n > PARSE_MAX_FIELD - p->run) {
		n = PARSE_MAX_FIELD - p->run;
		while (n > 0 && (ch[n] & 0xc0) == 0x80)
			n--;
	}
	p->run += n;
	if (n > 0)
		xmlSAX2Characters(arg, ch, (int)n);
}

/* Is the root element one of a feed we read? */
static void
parse_check_root(struct parse *p, const xmlChar *localname,
    const xmlChar *uri)
{
	const char	*name = (const char *)localname;
	const char	*ns = (const char *)uri;
	char		*clean;

	if (strcasecmp(name, "html") == 0) {
		/* Read on to its head, for the feeds it links to. */
		p->html_page = 1;
		xmlStopParser(p->ctxt);
		return;
	}
	p->html_keep = 0;
	buf_free(&p->html);
	if (strcmp(name, "rss") == 0)
		return;
	if (strcmp(name, "RDF") == 0 && ns != NULL && strcmp(ns, NS_RDF) == 0)
		return;
	if (strcmp(name, "feed") == 0 && ns != NULL &&
	    (strcmp(ns, NS_ATOM) == 0 || strcmp(ns, NS_ATOM03) == 0))
		return;
	if (strcmp(name, "feed") == 0) {
		parse_fail(p, "not a feed: <feed> outside the Atom namespace");
		return;
	}
	clean = parse_short_name(localname);
	parse_fail(p, "not a feed: <%s> document", clean);
	free(clean);
}

/* An element name from the document, made fit for a message. */
static char *
parse_short_name(const xmlChar *name)
{
	char	*s;
	size_t	 n;

	s = utf8_clean((const char *)name, strlen((const char *)name));
	if ((n = strlen(s)) > 40) {
		n = 40;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		s[n] = '\0';
	}
	return (s);
}

/*
 * Is enough of the document held back to choose its encoding? Four bytes
 * tell a BOM or UTF-16; an XML declaration is waited for up to its end.
 */
static int
parse_head_ready(struct parse *p)
{
	const char	*h = p->head.data;
	size_t		 n = p->head.len;

	if (n < 4)
		return (0);
	if (memcmp(h, "<?xml", n < 5 ? n : 5) == 0 &&
	    memmem(h, n, "?>", 2) == NULL && n < PARSE_HEAD_MAX)
		return (0);
	return (1);
}

/* The encoding named by the held-back XML declaration (caller frees). */
static char *
parse_decl_encoding(struct parse *p)
{
	const char	*h = p->head.data, *end, *e, *q;
	size_t		 n = p->head.len;

	if (h == NULL || n < 5 || strncmp(h, "<?xml", 5) != 0 ||
	    (end = memmem(h, n, "?>", 2)) == NULL ||
	    (e = memmem(h, end - h, "encoding", 8)) == NULL)
		return (NULL);
	e += 8;
	while (e < end && (*e == ' ' || *e == '\t' || *e == '\r' ||
	    *e == '\n' || *e == '='))
		e++;
	if (e >= end || (*e != '"' && *e != '\''))
		return (NULL);
	if ((q = memchr(e + 1, *e, end - e - 1)) == NULL)
		return (NULL);
	return (xstrndup(e + 1, q - e - 1));
}

/*
 * Choose the document's encoding, with the precedence of RFC 7303 3.2:
 * a BOM is authoritative, then the transport's charset, then the XML
 * declaration, then UTF-8. A label the bytes plainly contradict (UTF-16
 * named for a document whose first bytes are ASCII, or the reverse) or
 * that no converter knows is passed over, and the document is marked.
 * Returns the length of the BOM to skip.
 */
static size_t
parse_choose(struct parse *p)
{
	const unsigned char	*h = (const unsigned char *)p->head.data;
	const char		*sixteen = NULL, *wide;
	char			*decl;
	size_t			 n = p->head.len;

	if (n >= 3 && h[0] == 0xef && h[1] == 0xbb && h[2] == 0xbf) {
		parse_set_decoder(p, "UTF-8");
		return (3);
	}
	if (n >= 4 && h[0] == 0xff && h[1] == 0xfe && h[2] == 0 && h[3] == 0) {
		parse_set_decoder(p, "UTF-32LE");
		return (4);
	}
	if (n >= 4 && h[0] == 0 && h[1] == 0 && h[2] == 0xfe && h[3] == 0xff) {
		parse_set_decoder(p, "UTF-32BE");
		return (4);
	}
	if (n >= 2 && h[0] == 0xff && h[1] == 0xfe) {
		parse_set_decoder(p, "UTF-16LE");
		return (2);
	}
	if (n >= 2 && h[0] == 0xfe && h[1] == 0xff) {
		parse_set_decoder(p, "UTF-16BE");
		return (2);
	}
	/* UTF-16 without a BOM shows as ASCII bytes beside NULs. */
	if (n >= 2 && h[0] != 0 && h[1] == 0)
		sixteen = "UTF-16LE";
	else if (n >= 2 && h[0] == 0 && h[1] != 0)
		sixteen = "UTF-16BE";

	if (p->charset != NULL && *p->charset != '\0') {
		wide = parse_wide_name(p->charset);
		if (sixteen != NULL) {
			if (wide == NULL)
				parse_note(p, "charset \"%s\" given, but the "
				    "document is UTF-16", p->charset);
			parse_set_decoder(p, sixteen);
			return (0);
		}
		if (wide != NULL)
			parse_note(p, "charset \"%s\" given, but the "
			    "document is not UTF-16 or UTF-32", p->charset);
		else if (parse_set_decoder(p, p->charset) == 0)
			return (0);
		else
			parse_note(p, "unknown charset \"%s\"", p->charset);
	}
	if (sixteen != NULL) {
		parse_set_decoder(p, sixteen);
		return (0);
	}
	if ((decl = parse_decl_encoding(p)) != NULL) {
		if (parse_wide_name(decl) != NULL)
			parse_note(p, "declared \"%s\", but the document is "
			    "not UTF-16 or UTF-32", decl);
		else if (parse_set_decoder(p, decl) == 0) {
			free(decl);
			return (0);
		} else
			parse_note(p, "unknown encoding \"%s\": read as UTF-8",
			    decl);
		free(decl);
	}
	parse_set_decoder(p, "UTF-8");
	return (0);
}

/* Does an encoding name a UTF-16 or UTF-32 form? Its iconv name if so. */
static const char *
parse_wide_name(const char *name)
{
	if (strncasecmp(name, "utf-16", 6) == 0 ||
	    strncasecmp(name, "utf16", 5) == 0 ||
	    strncasecmp(name, "ucs-2", 5) == 0 ||
	    strncasecmp(name, "ucs2", 4) == 0)
		return ("UTF-16");
	if (strncasecmp(name, "utf-32", 6) == 0 ||
	    strncasecmp(name, "utf32", 5) == 0 ||
	    strncasecmp(name, "ucs-4", 5) == 0 ||
	    strncasecmp(name, "ucs4", 4) == 0)
		return ("UTF-32");
	return (NULL);
}

/*
 * Set up the decoder for an encoding name: UTF-8 and windows-1252 (which
 * ISO-8859-1 and US-ASCII labels mean, as browsers read them) by hand,
 * anything else through iconv. Returns -1 if the name is unknown.
 */
static int
parse_set_decoder(struct parse *p, const char *name)
{
	const char	*wide;
	size_t		 i;

	if (strcasecmp(name, "utf-8") == 0 || strcasecmp(name, "utf8") == 0) {
		p->dec = DEC_UTF8;
		return (0);
	}
	if (parse_latin1_name(name)) {
		p->dec = DEC_CP1252;
		p->latin1 = 1;
		return (0);
	}
	/*
	 * UTF-7 is refused, as browsers refuse it: it hides markup in
	 * plain ASCII ("+ADw-script+AD4-"), and its decoder's state across
	 * pieces made the same bytes read differently however they came.
	 */
	for (i = 0; name[i] != '\0'; i++) {
		if (strncasecmp(name + i, "utf-7", 5) == 0 ||
		    strncasecmp(name + i, "utf7", 4) == 0 ||
		    strncasecmp(name + i, "utf_7", 5) == 0) {
			parse_note(p, "encoding \"%s\" refused (UTF-7): read "
			    "as UTF-8", name);
			return (-1);
		}
	}
	/* Only plain names reach iconv_open. */
	if (strlen(name) > 40)
		return (-1);
	for (i = 0; name[i] != '\0'; i++) {
		if (strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:",
		    name[i]) == NULL)
			return (-1);
	}
	if ((p->cd = iconv_open("UTF-8", name)) == (iconv_t)-1)
		return (-1);
	p->dec = DEC_ICONV;
	p->unit = 1;
	if ((wide = parse_wide_name(name)) != NULL)
		p->unit = strcmp(wide, "UTF-16") == 0 ? 2 : 4;
	return (0);
}

/*
 * Record why the document needed care: the first such note is kept
 * apart from libxml2's first error, which it must not displace, since
 * which of the two came first depends on how the bytes were chunked.
 * parse_settle picks one.
 */
static void
parse_note(struct parse *p, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	if (p->note != NULL)
		return;
	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	p->note = utf8_clean(s, strlen(s));
	free(s);
}

/*
 * The error to report: the earlier by line of libxml2's first and the
 * first bare '&', else the first note. Each is the first of its own
 * stream, so the choice is the same however the bytes came.
 */
static void
parse_settle(struct parse *p)
{
	if (p->amp_error != NULL && (p->error == NULL ||
	    p->amp_line < p->error_line)) {
		free(p->error);
		p->error = p->amp_error;
		p->amp_error = NULL;
	}
	if (p->error == NULL && p->note != NULL) {
		p->error = p->note;
		p->note = NULL;
	}
}

/* Append code point c as UTF-8. */
static void
parse_add_cp(struct buf *out, uint32_t c)
{
	char	u[4];

	if (c < 0x80) {
		buf_addc(out, (char)c);
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3f));
		buf_add(out, u, 2);
	} else {
		u[0] = (char)(0xe0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		buf_add(out, u, 3);
	}
}

/*
 * A windows-1252 byte as a code point. The five bytes it leaves
 * undefined read as the ISO-8859-1 controls they are there.
 */
static uint32_t
parse_cp1252_char(unsigned char b)
{
	static const uint16_t	high[32] = {
		0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
		0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f,
		0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
		0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178
	};

	if (b >= 0x80 && b < 0xa0)
		return (high[b - 0x80]);
	return (b);
}

/*
 * The length of the valid UTF-8 sequence at s (n bytes available): 1 to
 * 4, 0 if it is cut short by the end of the bytes, -1 if invalid.
 */
static int
parse_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	int		need, i;

	if (s[0] < 0x80)
		return (1);
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 1;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 2;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 3;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else
		return (-1);
	for (i = 1; i <= need; i++) {
		if ((size_t)i >= n)
			return (0);
		if (s[i] < lo || s[i] > hi)
			return (-1);
		lo = 0x80;
		hi = 0xbf;
	}
	return (need + 1);
}

/*
 * Decode n bytes to UTF-8 into out. An incomplete sequence at the end is
 * held for the next call unless final. Bytes that are invalid become
 * U+FFFD; in UTF-8, until a valid multibyte sequence has shown the
 * document to be UTF-8, an invalid byte is read as windows-1252 instead
 * (a document labeled UTF-8 by default that is not). Either way the
 * document is marked.
 */
static void
parse_decode(struct parse *p, const char *data, size_t n, int final,
    struct buf *out)
{
	struct buf		 joined;
	const unsigned char	*s;
	char			 tmp[4096], *ip, *op;
	size_t			 i, from, il, ol, skip, start = out->len;
	int			 k;

	buf_init(&joined);
	if (p->npend != 0) {
		buf_add(&joined, p->pend, p->npend);
		buf_add(&joined, data, n);
		data = joined.data;
		n = joined.len;
		p->npend = 0;
	}
	s = (const unsigned char *)data;
	if (p->latin1)
		parse_utf8_track(p, data, n);
	switch (p->dec) {
	case DEC_UTF8:
		for (i = from = 0; i < n; ) {
			if (s[i] < 0x80) {
				i += parse_ascii_run(s + i, n - i);
				continue;
			}
			k = parse_utf8_seq(s + i, n - i);
			if (k > 0) {
				p->u8_seen = 1;
				i += k;
				continue;
			}
			buf_add(out, s + from, i - from);
			if (k == 0 && !final) {
				memcpy(p->pend, s + i, n - i);
				p->npend = n - i;
				from = i = n;
				break;
			}
			parse_bad_bytes(p);
			parse_add_cp(out, p->u8_seen ? 0xfffd :
			    parse_cp1252_char(s[i]));
			from = ++i;
		}
		buf_add(out, s + from, n - from);
		break;
	case DEC_CP1252:
		for (i = from = 0; i < n; i++) {
			if (s[i] < 0x80)
				continue;
			buf_add(out, s + from, i - from);
			parse_add_cp(out, parse_cp1252_char(s[i]));
			from = i + 1;
		}
		buf_add(out, s + from, n - from);
		break;
	case DEC_ICONV:
		ip = (char *)s;
		il = n;
		while (il > 0) {
			op = tmp;
			ol = sizeof tmp;
			if (iconv(p->cd, &ip, &il, &op, &ol) != (size_t)-1) {
				buf_add(out, tmp, op - tmp);
				break;
			}
			k = errno;
			buf_add(out, tmp, op - tmp);
			if (k == E2BIG)
				continue;
			if (k == EINVAL && !final && il <= sizeof p->pend) {
				memcpy(p->pend, ip, il);
				p->npend = il;
				break;
			}
			parse_bad_bytes(p);
			parse_add_cp(out, 0xfffd);
			skip = p->unit < il ? p->unit : il;
			ip += skip;
			il -= skip;
		}
		if (final) {
			op = tmp;
			ol = sizeof tmp;
			iconv(p->cd, NULL, NULL, &op, &ol);
			buf_add(out, tmp, op - tmp);
		}
		break;
	}
	buf_free(&joined);
	parse_drop_forbidden(p, out, start);
}

/*
 * Drop from decoded text (from start on) the characters XML 1.0 never
 * allows: C0 controls but tab, line feed and carriage return, and
 * U+FFFE and U+FFFF. They are never stored anyway, and libxml2's push
 * parser reports them at points that depend on the chunking (a NUL
 * even reads as the end of its input) (HOSTILE-13).
 */
static void
parse_drop_forbidden(struct parse *p, struct buf *out, size_t start)
{
	unsigned char	*s = (unsigned char *)out->data;
	size_t		 i, j, k;
	int		 dropped = 0;

	if (start >= out->len)
		return;
	for (i = j = start; i < out->len; ) {
		k = parse_safe_run(s + i, out->len - i);
		if (j != i && k != 0)
			memmove(s + j, s + i, k);
		i += k;
		j += k;
		if (i == out->len)
			break;
		if ((s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' &&
		    s[i] != '\r') || (s[i] == 0xef && i + 2 < out->len &&
		    s[i + 1] == 0xbf && (s[i + 2] == 0xbe ||
		    s[i + 2] == 0xbf))) {
			i += s[i] == 0xef ? 3 : 1;
			dropped = 1;
			continue;
		}
		s[j++] = s[i++];
	}
	if (!dropped)
		return;
	out->len = j;
	out->data[j] = '\0';
	parse_note(p, "characters XML forbids were dropped");
}

/* Bytes were replaced: note it once. */
static void
parse_bad_bytes(struct parse *p)
{
	if (p->dec_bad)
		return;
	p->dec_bad = 1;
	parse_note(p, "bytes invalid in the document's encoding were "
	    "replaced");
}

/*
 * Take raw bytes: hold the head until the encoding can be chosen, then
 * decode in pieces and dispatch what comes out.
 */
static void
parse_input(struct parse *p, const char *data, size_t len, int final)
{
	size_t	n, skip;

	if (!p->decoding) {
		buf_add(&p->head, data, len);
		if (!final && !parse_head_ready(p))
			return;
		p->decoding = 1;
		skip = parse_choose(p);
		if (p->head.len > skip)
			parse_input(p, p->head.data + skip, p->head.len - skip,
			    final);
		else if (final)
			parse_input(p, "", 0, final);
		buf_free(&p->head);
		return;
	}
	do {
		n = len < PARSE_PIECE ? len : PARSE_PIECE;
		buf_reset(&p->dec_out);
		parse_decode(p, data, n, final && n == len, &p->dec_out);
		if (p->dec_out.len != 0)
			parse_dispatch(p, p->dec_out.data, p->dec_out.len);
		data += n;
		len -= n;
	} while (len > 0 && p->stop == NULL);
}

/*
 * Decoded text: the first character tells JSON from XML; then it goes
 * to the JSON buffer or through the ampersand filter to libxml2. While
 * the document may still be a web page its start is kept, for the
 * feeds it links to.
 */
static void
parse_dispatch(struct parse *p, const char *data, size_t len)
{
	size_t	i, n;

	if (p->html_keep && p->html.len < PARSE_HTML_MAX) {
		n = PARSE_HTML_MAX - p->html.len;
		buf_add(&p->html, data, len < n ? len : n);
	}
	if (p->mode == MODE_HEAD) {
		for (i = 0; i < len && (data[i] == ' ' || data[i] == '\t' ||
		    data[i] == '\r' || data[i] == '\n'); i++)
			;
		if (i == len)
			return;
		data += i;
		len -= i;
		if (*data == '{' || *data == '[') {
			p->mode = MODE_JSON;
			p->html_keep = 0;
			buf_free(&p->html);
		} else {
			p->mode = MODE_XML;
			if (parse_start(p) != 0)
				return;
		}
	}
	if (p->mode == MODE_JSON) {
		buf_add(&p->json, data, len);
		return;
	}
	if (p->html_page)
		return;
	parse_feed(p, data, len);
}

/*
 * A web page: once its head is read (or at the end, or at the cap), the
 * parse fails, naming the first feed the page links to.
 */
static void
parse_html_check(struct parse *p, int final)
{
	const char	*h = p->html.data;
	size_t		 i;
	int		 done = final || p->html.len >= PARSE_HTML_MAX;

	for (i = p->html_scan; !done && i < p->html.len; i++) {
		if (h[i] == '<' && p->html.len - i >= 6 &&
		    (strncasecmp(h + i, "</head", 6) == 0 ||
		    strncasecmp(h + i, "<body", 5) == 0))
			done = 1;
	}
	p->html_scan = p->html.len >= 6 ? p->html.len - 6 : 0;
	if (done)
		parse_html_fail(p);
}

/* Fail as a web page, with the first feed it links to if any. */
static void
parse_html_fail(struct parse *p)
{
	char	**urls;
	size_t	  n = 0, i;

	urls = html_autodiscover(p->html.data != NULL ? p->html.data : "",
	    p->html.len, p->base_url, &n);
	if (n > 0)
		parse_fail(p, "not a feed: an HTML page (it links to a feed: "
		    "%s)", urls[0]);
	else
		parse_fail(p, "not a feed: an HTML page");
	for (i = 0; i < n; i++)
		free(urls[i]);
	free(urls);
}

/*
 * Can c extend ref (the n bytes after an '&') towards a character or
 * entity reference? Bytes past ASCII count as name characters, so that
 * no well-formed document is ever changed.
 */
static int
parse_ref_char(const char *ref, size_t n, int c)
{
	int	digit = c >= '0' && c <= '9';
	int	hex = digit || (c >= 'a' && c <= 'f') ||
		    (c >= 'A' && c <= 'F');
	int	start = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c == '_' || c == ':' || c >= 0x80;

	if (n >= PARSE_MAX_REF)
		return (0);
	if (n == 0)
		return (c == '#' || start);
	if (ref[0] == '#') {
		if (n == 1)
			return (c == 'x' || digit);
		return (ref[1] == 'x' ? hex : digit);
	}
	return (start || digit || c == '.' || c == '-');
}

/*
 * The length of a whole reference after a '&', up to and with its ';',
 * when all of it is in these n bytes; else 0, and the reference is read
 * a byte at a time as it comes (LEX_AMP), to the same result. Text
 * escaped as HTML ("&lt;p&gt;") is mostly references.
 */
static size_t
parse_ref_whole(const unsigned char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (s[i] == ';')
			return (parse_ref_done((const char *)s, i) ? i + 1 : 0);
		if (!parse_ref_char((const char *)s, i, s[i]))
			return (0);
	}
	return (0);
}

/* Is ref a whole reference, ready for its ';'? */
static int
parse_ref_done(const char *ref, size_t n)
{
	if (n == 0)
		return (0);
	if (ref[0] == '#')
		return (n >= 2 && (ref[1] != 'x' || n >= 3));
	return (1);
}

/*
 * Follow a DOCTYPE: quotes and brackets, so that only the '>' closing
 * it ends it. Returns 1 at that '>'.
 */
static int
parse_lex_decl(struct parse *p, int c)
{
	if (p->lexquote != 0) {
		if (c == p->lexquote)
			p->lexquote = 0;
		return (0);
	}
	if (c == '"' || c == '\'')
		p->lexquote = c;
	else if (c == '[')
		p->lexdepth++;
	else if (c == ']' && p->lexdepth > 0)
		p->lexdepth--;
	else if (c == '>' && p->lexdepth == 0)
		return (1);
	return (0);
}

/* Write a bare '&' and what followed it as text, and note it. */
static void
parse_bare_amp(struct parse *p, struct buf *out)
{
	buf_add(out, "&amp;", 5);
	buf_add(out, p->lexbuf, p->nlex);
	if (p->amp_error == NULL) {
		xasprintf(&p->amp_error,
		    "line %d: a bare '&' was read as text", p->line);
		p->amp_line = p->line;
	}
}

/*
 * The bare-ampersand filter. A '&' that starts no character or entity
 * reference ("AT&T", "?a=1&b=2" in a link) is a fatal error to libxml2,
 * which then drops the name after it; feedparser and browsers read it as
 * a literal '&'. So does this filter, by writing it as "&amp;" before
 * libxml2 sees it; the document is still marked malformed. It works on
 * bytes as they are pushed, holding back at most one unfinished
 * reference, so chunking never changes the result.
 */
static void
parse_filter(struct parse *p, const char *data, size_t len,
    struct buf *out)
{
	const unsigned char	*s = (const unsigned char *)data;
	size_t			 i, k, from = 0;
	int			 c;

	/* Bytes pass through in runs from "from"; a reference is held. */
	for (i = 0; i < len; i++) {
		/* Most bytes are text or CDATA that means nothing here. */
		if (p->lex == LEX_TEXT && !p->lex_in_tag && p->lex_rsq == 0) {
			for (; i < len && s[i] != '&' && s[i] != '<' &&
			    s[i] != ']'; i++)
				p->line += s[i] == '\n';
		} else if (p->lex == LEX_CDATA && p->lexend == 0) {
			for (; i < len && s[i] != ']'; i++)
				p->line += s[i] == '\n';
		}
		if (i == len)
			break;
		c = s[i];
		if (c == '\n')
			p->line++;
again:
		switch (p->lex) {
		case LEX_TEXT:
			if (c == '&' && (k = parse_ref_whole(s + i + 1,
			    len - i - 1)) != 0) {
				/* A whole reference: it stays in the run. */
				i += k;
				p->lex_rsq = 0;
			} else if (c == '&') {
				buf_add(out, s + from, i - from);
				from = i + 1;
				p->lex = LEX_AMP;
				p->nlex = 0;
				p->lex_rsq = 0;
			} else if (c == '<') {
				p->lex_rsq = 0;
				p->lex = LEX_LT;
				p->lex_in_tag = p->lex_quote = 0;
			} else if (!p->lex_in_tag) {
				/*
				 * "]]>" in text is an error libxml2's push
				 * parser recovers from differently with how
				 * the bytes came: its '>' is escaped.
				 */
				if (c == '>' && p->lex_rsq == 2) {
					buf_add(out, s + from, i - from);
					buf_adds(out, "&gt;");
					from = i + 1;
				}
				p->lex_rsq = c == ']' ? (p->lex_rsq < 2 ?
				    p->lex_rsq + 1 : 2) : 0;
				break;
			} else if (p->lex_quote != 0) {
				if (c == p->lex_quote)
					p->lex_quote = 0;
			} else if (c == '"' || c == '\'')
				p->lex_quote = c;
			else if (c == '>')
				p->lex_in_tag = 0;
			break;
		case LEX_LT:
			if (c == '!') {
				p->lex = LEX_BANG;
				p->nlex = 0;
			} else if (c == '?') {
				p->lex = LEX_PI;
				p->lexend = 0;
			} else {
				p->lex_tag = 1;
				p->lex_in_tag = 1;
				p->lex = LEX_TEXT;
				goto again;
			}
			break;
		case LEX_BANG:
			p->lexbuf[p->nlex++] = (char)c;
			if (p->nlex == 2 && memcmp(p->lexbuf, "--", 2) == 0) {
				p->lex = LEX_COMMENT;
				p->lexend = 0;
			} else if (p->nlex == 1 && c == '-')
				;
			else if (memcmp(p->lexbuf, "[CDATA[", p->nlex) == 0) {
				if (p->nlex == 7) {
					p->lex = LEX_CDATA;
					p->lexend = 0;
				}
			} else {
				p->lex = LEX_DECL;
				p->lexquote = p->lexdepth = 0;
				for (k = 0; k < p->nlex; k++) {
					if (parse_lex_decl(p,
					    (unsigned char)p->lexbuf[k]))
						p->lex = LEX_TEXT;
				}
			}
			break;
		case LEX_COMMENT:
			if (c == '-')
				p->lexend = p->lexend < 2 ? p->lexend + 1 : 2;
			else if (c == '>' && p->lexend == 2)
				p->lex = LEX_TEXT;
			else
				p->lexend = 0;
			break;
		case LEX_CDATA:
			if (c == ']')
				p->lexend = p->lexend < 2 ? p->lexend + 1 : 2;
			else if (c == '>' && p->lexend == 2)
				p->lex = LEX_TEXT;
			else
				p->lexend = 0;
			break;
		case LEX_PI:
			if (c == '>' && p->lexend == 1)
				p->lex = LEX_TEXT;
			else
				p->lexend = c == '?';
			break;
		case LEX_DECL:
			if (parse_lex_decl(p, c))
				p->lex = LEX_TEXT;
			break;
		case LEX_AMP:
			if (c == ';' && parse_ref_done(p->lexbuf, p->nlex)) {
				buf_addc(out, '&');
				buf_add(out, p->lexbuf, p->nlex);
				from = i;	/* ';' starts the next run */
				p->lex = LEX_TEXT;
			} else if (c != ';' &&
			    parse_ref_char(p->lexbuf, p->nlex, c)) {
				p->lexbuf[p->nlex++] = (char)c;
				from = i + 1;
			} else {
				parse_bare_amp(p, out);
				from = i;
				p->lex = LEX_TEXT;
				goto again;
			}
			break;
		}
	}
	if (p->lex != LEX_AMP)
		buf_add(out, s + from, len - from);
}

/* The end of the document: an unfinished reference was a bare '&'. */
static void
parse_filter_end(struct parse *p, struct buf *out)
{
	if (p->lex == LEX_AMP) {
		parse_bare_amp(p, out);
		p->lex = LEX_TEXT;
	}
}

/* Create the libxml2 context and hook it; decoded text comes next. */
static int
parse_start(struct parse *p)
{
	xmlParserCtxtPtr	ctxt;
	xmlSAXHandlerPtr	sax;

	ctxt = xmlCreatePushParserCtxt(NULL, NULL, NULL, 0, NULL);
	if (ctxt == NULL) {
		parse_fail(p, "cannot create an XML parser");
		return (-1);
	}
	p->ctxt = ctxt;
	ctxt->_private = p;
	p->stream = !p->latin1;
	xmlCtxtUseOptions(ctxt, PARSE_OPTIONS);

	/* Options first: xmlCtxtUseOptions rewrites some handlers. */
	sax = ctxt->sax;
	sax->serror = parse_error_cb;
	sax->error = NULL;
	sax->warning = NULL;
	sax->getEntity = parse_get_entity_cb;
	sax->getParameterEntity = parse_get_pentity_cb;
	sax->entityDecl = parse_entity_decl_cb;
	sax->unparsedEntityDecl = parse_unparsed_decl_cb;
	sax->internalSubset = parse_internal_subset_cb;
	sax->externalSubset = parse_external_subset_cb;
	sax->resolveEntity = parse_resolve_cb;
	sax->startElementNs = parse_start_cb;
	sax->endElementNs = parse_end_cb;
	sax->characters = parse_chars_cb;
	sax->ignorableWhitespace = parse_chars_cb;
	sax->cdataBlock = NULL;
	return (0);
}

/*
 * Hand decoded UTF-8 to libxml2 through the ampersand filter, in pieces
 * of at most PARSE_PIECE: given 10 MB at once, libxml2 2.9 stops with
 * "Huge input lookup", so a whole file must read as if it came in from
 * the network.
 */
static int
parse_feed(struct parse *p, const char *data, size_t len)
{
	size_t	n;

	for (; len > 0; data += n, len -= n) {
		n = len < PARSE_PIECE ? len : PARSE_PIECE;
		buf_reset(&p->out);
		parse_filter(p, data, n, &p->out);
		/*
		 * Once libxml2 has halted (content after the root) the
		 * filter still follows the bytes, so that where they end is
		 * known the same way however they came.
		 */
		if (p->ctxt->instate == XML_PARSER_EOF)
			continue;
		if (!p->prolog_done) {
			if (p->out.len != 0)
				buf_add(&p->prolog, p->out.data, p->out.len);
			if (p->lex_tag || p->prolog.len >= PARSE_PIECE)
				parse_prolog_flush(p);
		} else if (p->out.len != 0)
			xmlParseChunk(p->ctxt, p->out.data, (int)p->out.len, 0);
	}
	return (p->stop != NULL ? -1 : 0);
}

/* Hand libxml2 the prolog held back, once. */
static void
parse_prolog_flush(struct parse *p)
{
	if (p->prolog_done)
		return;
	p->prolog_done = 1;
	if (p->prolog.len != 0)
		xmlParseChunk(p->ctxt, p->prolog.data, (int)p->prolog.len, 0);
	buf_free(&p->prolog);
}

/*
 * Remember the first bytes, and whether anything but blanks (and BOM
 * bytes) came: a blank document is "empty", not "not a feed".
 */
static void
parse_note_bytes(struct parse *p, const char *data, size_t len)
{
	const unsigned char	*s = (const unsigned char *)data;
	size_t			 i;

	for (i = 0; i < len && p->nsniff < sizeof p->sniff - 1; i++)
		p->sniff[p->nsniff++] = (char)s[i];
	p->sniff[p->nsniff] = '\0';
	for (i = 0; i < len && !p->nonspace; i++) {
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' &&
		    s[i] != '\n' && s[i] != 0 && s[i] != 0xef &&
		    s[i] != 0xbb && s[i] != 0xbf && s[i] != 0xfe &&
		    s[i] != 0xff)
			p->nonspace = 1;
	}
}

/*
 * What a document with no root element is, from its first bytes: HTML
 * that is not XML ("<!doctype html>" in lower case), compressed data
 * that came without its Content-Encoding, or anything else.
 */
static const char *
parse_sniff(struct parse *p)
{
	const char	*s = p->sniff;
	size_t		 i;

	if (p->nsniff >= 2 && (unsigned char)s[0] == 0x1f &&
	    (unsigned char)s[1] == 0x8b)
		return ("gzip-compressed data");
	for (i = 0; i + 5 <= p->nsniff; i++) {
		if (strncasecmp(s + i, "<html", 5) == 0 ||
		    (i + 14 <= p->nsniff &&
		    strncasecmp(s + i, "<!doctype html", 14) == 0))
			return ("an HTML page");
	}
	return ("not an XML document");
}

/* Give the caller a copy of why the parse stopped. */
static void
parse_cause(struct parse *p, char **cause)
{
	if (cause != NULL)
		*cause = xstrdup(p->stop != NULL ? p->stop : "parse failed");
}

/* The UTF-8 of an HTML named entity into buf[8], or NULL if unknown. */
static const char *
parse_entity_value(const xmlChar *name, char *buf)
{
	const htmlEntityDesc	*h;
	unsigned int		 c;

	if ((h = htmlEntityLookup(name)) == NULL)
		return (NULL);
	c = h->value;
	if (c < 0x80) {
		buf[0] = (char)c;
		buf[1] = '\0';
	} else if (c < 0x800) {
		buf[0] = (char)(0xc0 | (c >> 6));
		buf[1] = (char)(0x80 | (c & 0x3f));
		buf[2] = '\0';
	} else if (c < 0x10000) {
		buf[0] = (char)(0xe0 | (c >> 12));
		buf[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		buf[2] = (char)(0x80 | (c & 0x3f));
		buf[3] = '\0';
	} else
		return (NULL);
	return (buf);
}

struct parse *
parse_new(const char *base_url, const char *charset)
{
	struct parse	*p;

	p = xcalloc(1, sizeof *p);
	if (base_url != NULL)
		p->base_url = xstrdup(base_url);
	if (charset != NULL)
		p->charset = xstrdup(charset);
	p->cd = (iconv_t)-1;
	p->html_keep = 1;
	p->line = 1;
	buf_init(&p->head);
	buf_init(&p->out);
	buf_init(&p->dec_out);
	buf_init(&p->json);
	buf_init(&p->html);
	buf_init(&p->prolog);
	return (p);
}

int
parse_push(struct parse *p, const char *data, size_t len, char **cause)
{
	if (p->stop != NULL)
		goto fail;
	if (len > PARSE_MAX_DOC - p->total) {
		parse_fail(p, "document too large (more than %d MiB)",
		    PARSE_MAX_DOC / 1024 / 1024);
		goto fail;
	}
	if (len == 0)
		return (0);
	p->total += len;
	parse_note_bytes(p, data, len);
	parse_input(p, data, len, 0);
	if (p->html_page && p->stop == NULL)
		parse_html_check(p, 0);
	if (p->stop != NULL)
		goto fail;
	return (0);

fail:
	parse_cause(p, cause);
	return (-1);
}

struct feed_doc *
parse_end(struct parse *p, char **cause)
{
	struct feed_doc	*d;
	char		*name;

	if (p->stop != NULL)
		goto fail;
	if (!p->nonspace) {
		parse_fail(p, "empty document");
		goto fail;
	}
	parse_input(p, "", 0, 1);
	if (p->stop != NULL)
		goto fail;
	if (p->html_page) {
		parse_html_check(p, 1);
		goto fail;
	}
	if (p->mode == MODE_HEAD) {
		parse_fail(p, "empty document");
		goto fail;
	}
	if (p->mode == MODE_JSON) {
		/* On failure parse_json has set *cause. */
		d = parse_json(p, cause);
		parse_free(p);
		return (d);
	}
	/*
	 * Where the bytes end, not when libxml2 complains, tells a cut
	 * document: the push parser waits for more of an unfinished
	 * construct, so its errors come earlier or at the end depending on
	 * how the bytes came (fuzz/regress/parse-recover-vs-truncated).
	 */
	p->cut = p->lex != LEX_TEXT || p->lex_in_tag;
	if (p->ctxt->instate != XML_PARSER_EOF) {
		buf_reset(&p->out);
		parse_filter_end(p, &p->out);
		if (!p->prolog_done && p->out.len != 0)
			buf_add(&p->prolog, p->out.data, p->out.len);
		else if (p->out.len != 0)
			xmlParseChunk(p->ctxt, p->out.data, (int)p->out.len, 0);
		parse_prolog_flush(p);
	}
	p->ending = 1;
	if (p->ctxt->instate != XML_PARSER_EOF)
		xmlParseChunk(p->ctxt, NULL, 0, 1);
	if (p->stop != NULL)
		goto fail;
	if (p->html_page) {
		parse_html_check(p, 1);
		goto fail;
	}

	if (!p->root_seen) {
		if (strcmp(parse_sniff(p), "an HTML page") == 0)
			parse_html_fail(p);
		else
			parse_fail(p, "not a feed: %s", parse_sniff(p));
		goto fail;
	}
	/*
	 * A document whose root never closed, or that raised an error only
	 * once told it had ended (cut inside "</rss>"), is cut short or
	 * broken past repair: an error, never "the entries read so far"
	 * (HOSTILE-15). If libxml2's first error is not the one an end of
	 * input raises, it names what broke the document first. (When it
	 * is raised depends on how the bytes came, as the push parser
	 * waits for more of an unfinished construct, so it is told apart
	 * by what it is, not when.)
	 */
	if ((!p->root_closed || p->cut) && p->error != NULL &&
	    p->error_code != XML_ERR_DOCUMENT_END &&
	    p->error_code != XML_ERR_TAG_NOT_FINISHED &&
	    p->error_code != XML_ERR_GT_REQUIRED &&
	    p->error_code != XML_ERR_LTSLASH_REQUIRED) {
		parse_fail(p, "malformed document: %s", p->error);
		goto fail;
	}
	if (!p->root_closed && p->error == NULL) {
		parse_fail(p, "malformed document: the root is not closed");
		goto fail;
	}
	if (!p->root_closed || p->cut) {
		if (p->ctxt->node != NULL &&
		    p->ctxt->node->type == XML_ELEMENT_NODE) {
			name = parse_short_name(p->ctxt->node->name);
			parse_fail(p, "truncated document: it ends inside <%s>",
			    name);
			free(name);
		} else
			parse_fail(p, "truncated document");
		goto fail;
	}
	/* On failure parse_build has set *cause. */
	d = parse_build(p, cause);
	parse_free(p);
	return (d);

fail:
	parse_cause(p, cause);
	parse_free(p);
	return (NULL);
}

void
parse_free(struct parse *p)
{
	struct parse_entity	*pe, *next;
	size_t			 i;

	if (p == NULL)
		return;
	if (p->ctxt != NULL) {
		if (p->ctxt->myDoc != NULL)
			xmlFreeDoc(p->ctxt->myDoc);
		p->ctxt->myDoc = NULL;
		xmlFreeParserCtxt(p->ctxt);
	}
	if (p->cd != (iconv_t)-1)
		iconv_close(p->cd);
	for (pe = p->entities; pe != NULL; pe = next) {
		next = pe->next;
		free(pe);
	}
	buf_free(&p->head);
	buf_free(&p->out);
	buf_free(&p->dec_out);
	buf_free(&p->json);
	buf_free(&p->html);
	buf_free(&p->prolog);
	for (i = 0; i < p->nkept; i++)
		entry_free(p->kept[i].entry);
	free(p->kept);
	free(p->base_url);
	free(p->charset);
	free(p->stop);
	free(p->error);
	free(p->note);
	free(p->amp_error);
	free(p);
}

struct feed_doc *
parse_buffer(const char *data, size_t len, const char *base_url,
    char **cause)
{
	struct parse	*p;

	p = parse_new(base_url, NULL);
	if (parse_push(p, data, len, cause) != 0) {
		parse_free(p);
		return (NULL);
	}
	return (parse_end(p, cause));
}

int
parse_xml_options(void)
{
	return (PARSE_OPTIONS);
}

/* Is n the element ns:name (ns NULL: in no namespace)? */
static int
parse_is(xmlNodePtr n, const char *ns, const char *name)
{
	if (n->type != XML_ELEMENT_NODE ||
	    strcmp((const char *)n->name, name) != 0)
		return (0);
	if (ns == NULL)
		return (n->ns == NULL || n->ns->href == NULL);
	return (n->ns != NULL && n->ns->href != NULL &&
	    strcmp((const char *)n->ns->href, ns) == 0);
}

/*
 * Walk the subtree under top in document order without recursion, as
 * html.c does: enter says whether to go into a node, leave comes after
 * the children of every node entered. Only elements are entered: the
 * children of an entity reference are its declaration's.
 */
static void
parse_walk(xmlNodePtr top, int (*enter)(xmlNodePtr, void *),
    void (*leave)(xmlNodePtr, void *), void *arg)
{
	xmlNodePtr	n = top->children;

	while (n != NULL) {
		if (enter(n, arg)) {
			if (n->type == XML_ELEMENT_NODE &&
			    n->children != NULL) {
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

/* Plain text: text and CDATA, entity references as their characters. */
static int
parse_text_enter(xmlNodePtr n, void *arg)
{
	struct buf	*b = arg;
	char		 value[8];

	if (b->len >= PARSE_MAX_FIELD)
		return (0);
	switch (n->type) {
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
		if (n->content != NULL)
			buf_adds(b, (const char *)n->content);
		return (0);
	case XML_ENTITY_REF_NODE:
		if (parse_entity_value(n->name, value) != NULL)
			buf_adds(b, value);
		return (0);
	case XML_ELEMENT_NODE:
		return (1);
	default:
		return (0);
	}
}

/*
 * Markup: elements written back as HTML by their local names, text
 * escaped, comments and processing instructions dropped. What comes out
 * goes through the sanitizer.
 */
static int
parse_markup_enter(xmlNodePtr n, void *arg)
{
	static const char *const voids[] = {
		"area", "base", "br", "col", "embed", "hr", "img", "input",
		"link", "meta", "param", "source", "track", "wbr"
	};
	struct buf	*b = arg;
	xmlAttrPtr	 a;
	char		*v;
	size_t		 i;

	/* Past the cap nothing more is written but the closing tags. */
	if (b->len >= PARSE_MAX_FIELD)
		return (0);
	switch (n->type) {
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
		if (n->content != NULL)
			buf_add_xml(b, (const char *)n->content);
		return (0);
	case XML_ENTITY_REF_NODE:
		if (htmlEntityLookup(n->name) != NULL)
			buf_printf(b, "&%s;", (const char *)n->name);
		return (0);
	case XML_ELEMENT_NODE:
		break;
	default:
		return (0);
	}
	buf_addc(b, '<');
	buf_adds(b, (const char *)n->name);
	for (a = n->properties; a != NULL; a = a->next) {
		if (a->ns != NULL)
			continue;
		v = parse_attr(n, NULL, (const char *)a->name);
		buf_addc(b, ' ');
		buf_adds(b, (const char *)a->name);
		buf_add(b, "=\"", 2);
		buf_add_xml(b, v);
		buf_addc(b, '"');
		free(v);
	}
	for (i = 0; i < sizeof voids / sizeof voids[0]; i++) {
		if (strcmp((const char *)n->name, voids[i]) == 0) {
			buf_adds(b, "/>");
			return (0);
		}
	}
	/* Never <x/> for others: HTML would leave it open. */
	buf_addc(b, '>');
	return (1);
}

/* Markup: close the element. */
static void
parse_markup_leave(xmlNodePtr n, void *arg)
{
	struct buf	*b = arg;

	if (n->type == XML_ELEMENT_NODE) {
		buf_add(b, "</", 2);
		buf_adds(b, (const char *)n->name);
		buf_addc(b, '>');
	}
}

/* Nothing to do on leaving (plain text). */
static void
parse_noop_leave(xmlNodePtr n, void *arg)
{
}

/*
 * Cut a field at the cap on a character boundary and clean it; undo
 * mojibake first if the document turned out to be mislabeled UTF-8.
 */
static char *
parse_finish_field(struct buf *b, xmlNodePtr n)
{
	struct parse	*p = n->doc != NULL ? n->doc->_private : NULL;
	struct buf	 fixed;
	char		*s;
	size_t		 len = b->len;

	if (b->data == NULL)
		return (xstrdup(""));
	if (len > PARSE_MAX_FIELD) {
		len = PARSE_MAX_FIELD;
		while (len > 0 && ((unsigned char)b->data[len] & 0xc0) == 0x80)
			len--;
	}
	if (p != NULL && p->mislabeled) {
		buf_init(&fixed);
		parse_unmojibake(b->data, len, &fixed);
		s = utf8_clean(fixed.data != NULL ? fixed.data : "", fixed.len);
		buf_free(&fixed);
	} else
		s = utf8_clean(b->data, len);
	buf_free(b);
	return (s);
}

/*
 * Is this the name of ISO-8859-1, its superset windows-1252, or US-ASCII
 * (all read as windows-1252, as browsers do)?
 */
static int
parse_latin1_name(const char *name)
{
	static const char *const names[] = {
		"iso-8859-1", "iso_8859-1", "iso8859-1", "latin1", "latin-1",
		"l1", "windows-1252", "cp1252", "us-ascii", "ascii"
	};
	size_t	i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcasecmp(name, names[i]) == 0)
			return (1);
	}
	return (0);
}

/*
 * Follow the raw bytes of a document labeled Latin-1: are they all
 * valid UTF-8, with some multibyte sequences? Then the label is wrong
 * (HOSTILE-12), and what libxml2 decoded is mojibake.
 */
static void
parse_utf8_track(struct parse *p, const char *data, size_t len)
{
	const unsigned char	*s = (const unsigned char *)data;
	size_t			 i;

	for (i = 0; i < len && !p->u8_bad; i++) {
		if (p->u8_need > 0) {
			if ((s[i] & 0xc0) == 0x80)
				p->u8_need--;
			else
				p->u8_bad = 1;
		} else if (s[i] < 0x80)
			continue;
		else if (s[i] >= 0xc2 && s[i] <= 0xdf)
			p->u8_need = 1;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			p->u8_need = 2;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			p->u8_need = 3;
		else
			p->u8_bad = 1;
		if (p->u8_need > 0 && (s[i] & 0xc0) == 0xc0)
			p->u8_multi = 1;
	}
}

/* The windows-1252 byte of a code point, or -1. */
static int
parse_cp1252_byte(uint32_t c)
{
	static const uint16_t	high[32] = {
		0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
		0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
		0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
		0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178
	};
	int	i;

	if (c >= 0x80 && c <= 0xff)
		return ((int)c);
	for (i = 0; i < 32; i++) {
		if (high[i] != 0 && high[i] == c)
			return (0x80 + i);
	}
	return (-1);
}

/* Are these bytes complete, valid UTF-8? */
static int
parse_utf8_valid(const unsigned char *s, size_t n)
{
	char	*c;
	int	 ok;

	c = utf8_clean((const char *)s, n);
	ok = strlen(c) == n && memcmp(c, s, n) == 0;
	free(c);
	return (ok);
}

/* Bytes as words, to scan eight at a time. */
#define PARSE_ONES	UINT64_C(0x0101010101010101)
#define PARSE_HIGHS	UINT64_C(0x8080808080808080)

/* How many bytes from s are ASCII (< 0x80)? At least 1 if s[0] is. */
static size_t
parse_ascii_run(const unsigned char *s, size_t n)
{
	uint64_t	w;
	size_t		i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		if ((w & PARSE_HIGHS) != 0)
			break;
	}
	while (i < n && s[i] < 0x80)
		i++;
	return (i);
}

/*
 * How many bytes from s need no look from parse_drop_forbidden: none
 * is a control character or 0xef (the lead byte of U+FFFE and U+FFFF)?
 * A word has a byte below 0x20 when (w - 0x20..) & ~w & 0x80.. is not
 * zero, and a byte 0xef when w ^ 0xef.. has a zero byte.
 */
static size_t
parse_safe_run(const unsigned char *s, size_t n)
{
	uint64_t	w, x;
	size_t		i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		x = w ^ (PARSE_ONES * 0xef);
		if ((((w - PARSE_ONES * 0x20) & ~w) |
		    ((x - PARSE_ONES) & ~x)) & PARSE_HIGHS)
			break;
	}
	while (i < n && s[i] >= 0x20 && s[i] != 0xef)
		i++;
	return (i);
}

/*
 * Undo Latin-1 mojibake: each run of characters that were high Latin-1
 * (or windows-1252) bytes is turned back into those bytes, and kept so
 * if they are valid UTF-8 ("caf\xc3\x83\xc2\xa9" becomes "caf\xc3\xa9").
 * A run that is not, such as a character reference, stays as it was.
 */
static void
parse_unmojibake(const char *src, size_t len, struct buf *out)
{
	const unsigned char	*s = (const unsigned char *)src;
	struct buf		 run;
	size_t			 i = 0, l, start = 0;
	uint32_t		 c;
	int			 byte;

	buf_init(&run);
	while (i <= len) {
		byte = -1;
		l = 1;
		if (i < len) {
			c = s[i];
			if (c >= 0xc0 && c < 0xe0 && i + 1 < len) {
				c = ((c & 0x1f) << 6) | (s[i + 1] & 0x3f);
				l = 2;
			} else if (c >= 0xe0 && c < 0xf0 && i + 2 < len) {
				c = ((c & 0x0f) << 12) |
				    ((s[i + 1] & 0x3f) << 6) |
				    (s[i + 2] & 0x3f);
				l = 3;
			} else if (c >= 0xf0 && i + 3 < len)
				l = 4;
			if (l < 4)
				byte = parse_cp1252_byte(c);
		}
		if (byte != -1) {
			if (run.len == 0)
				start = i;
			buf_addc(&run, (char)byte);
		} else {
			if (run.len != 0) {
				if (parse_utf8_valid((unsigned char *)run.data,
				    run.len))
					buf_add(out, run.data, run.len);
				else
					buf_add(out, s + start, i - start);
				buf_reset(&run);
			}
			if (i < len)
				buf_add(out, s + i, l);
		}
		i += l;
	}
	buf_free(&run);
}

/* All the text under an element (never xmlNodeGetContent). */
static char *
parse_text(xmlNodePtr n)
{
	struct buf	b;

	buf_init(&b);
	parse_walk(n, parse_text_enter, parse_noop_leave, &b);
	return (parse_finish_field(&b, n));
}

/* The children of an element as markup. */
static char *
parse_markup(xmlNodePtr n)
{
	struct buf	b;

	buf_init(&b);
	parse_walk(n, parse_markup_enter, parse_markup_leave, &b);
	return (parse_finish_field(&b, n));
}

/* Does an element hold elements (HTML written unescaped, or xhtml)? */
static int
parse_has_elements(xmlNodePtr n)
{
	for (n = n->children; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE)
			return (1);
	}
	return (0);
}

/* The value of an attribute ns:name (ns NULL: no namespace), or NULL. */
static char *
parse_attr(xmlNodePtr n, const char *ns, const char *name)
{
	xmlAttrPtr	a;
	xmlNodePtr	c;
	struct buf	b;
	char		value[8];

	for (a = n->properties; a != NULL; a = a->next) {
		if (strcmp((const char *)a->name, name) != 0)
			continue;
		if (ns == NULL ? a->ns != NULL : (a->ns == NULL ||
		    a->ns->href == NULL ||
		    strcmp((const char *)a->ns->href, ns) != 0))
			continue;
		buf_init(&b);
		for (c = a->children; c != NULL; c = c->next) {
			if (b.len >= PARSE_MAX_FIELD)
				break;
			if (c->type == XML_TEXT_NODE && c->content != NULL)
				buf_adds(&b, (const char *)c->content);
			else if (c->type == XML_ENTITY_REF_NODE &&
			    parse_entity_value(c->name, value) != NULL)
				buf_adds(&b, value);
		}
		return (parse_finish_field(&b, n));
	}
	return (NULL);
}

/*
 * Collapse whitespace runs (U+00A0 included, as html_to_line does) to
 * one space and trim: one line of text.
 */
static char *
parse_line(const char *s)
{
	struct buf	b;
	int		space = 0;

	buf_init(&b);
	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' ||
		    *s == '\f' || *s == '\v') {
			space = 1;
			continue;
		}
		if ((unsigned char)s[0] == 0xc2 &&
		    (unsigned char)s[1] == 0xa0) {
			space = 1;
			s++;
			continue;
		}
		if (space && b.len != 0)
			buf_addc(&b, ' ');
		space = 0;
		buf_addc(&b, *s);
	}
	return (buf_steal(&b, NULL));
}

/*
 * Does text that may be escaped HTML hold HTML: an end tag, a character
 * or entity reference, or the start tag of an HTML element? This is
 * feedparser's test, so "x<y matters" stays text and "<b>x</b>" is HTML.
 */
static int
parse_looks_html(const char *s)
{
	const char	*p, *q;
	char		 name[16];
	size_t		 n;

	for (p = s; (p = strpbrk(p, "<&")) != NULL; p++) {
		q = p + 1;
		if (*p == '&' && *q == '#')
			q++;
		else if (*p == '<' && *q == '/')
			q++;
		for (n = 0; (q[n] >= 'a' && q[n] <= 'z') ||
		    (q[n] >= 'A' && q[n] <= 'Z') || (q[n] >= '0' &&
		    q[n] <= '9'); n++)
			;
		if (n == 0)
			continue;
		if (*p == '&') {
			if (q[n] == ';')
				return (1);
			continue;
		}
		if (q[-1] == '/' && q[n] == '>')
			return (1);
		if (n >= sizeof name || (q[n] != '>' && q[n] != '/' &&
		    q[n] != ' ' && q[n] != '\t' && q[n] != '\n' &&
		    q[n] != '\r' && q[n] != '\0'))
			continue;
		memcpy(name, q, n);
		name[n] = '\0';
		if (htmlTagLookup((const xmlChar *)name) != NULL ||
		    strcasecmp(name, "svg") == 0 ||
		    strcasecmp(name, "math") == 0)
			return (1);
	}
	return (0);
}

/* Text that may be escaped HTML, as one line of plain text. */
static char *
parse_plain(const char *s)
{
	if (parse_looks_html(s))
		return (html_to_line(s));
	return (parse_line(s));
}

/* An e-mail address as one line, without the angle brackets of "<a@b>". */
static char *
parse_address(const char *s)
{
	char	*line, *p, *q;

	line = parse_line(s);
	for (p = q = line; *p != '\0'; p++) {
		if (*p != '<' && *p != '>')
			*q++ = *p;
	}
	*q = '\0';
	return (line);
}

/* Trim surrounding whitespace in place (ids and URLs). */
static char *
parse_trim(char *s)
{
	size_t	start = 0, len = strlen(s);

	while (start < len && strchr(" \t\r\n", s[start]) != NULL)
		start++;
	while (len > start && strchr(" \t\r\n", s[len - 1]) != NULL)
		len--;
	memmove(s, s + start, len - start);
	s[len - start] = '\0';
	return (s);
}

/*
 * The base URL in effect at an element: the document's URL, then every
 * xml:base from the root down. "" when unknown. An xml:base that does not
 * resolve leaves no base, so relative links under it are dropped.
 */
static char *
parse_base(struct parse *p, xmlNodePtr n)
{
	char		**v = NULL, *cur, *r;
	size_t		  nv = 0, i;
	xmlNodePtr	  x;

	for (x = n; x != NULL && x->type == XML_ELEMENT_NODE; x = x->parent) {
		if ((r = parse_attr(x, NS_XML, "base")) != NULL) {
			v = xreallocarray(v, nv + 1, sizeof *v);
			v[nv++] = r;
		}
	}
	cur = xstrdup(p->base_url != NULL ? p->base_url : "");
	for (i = nv; i > 0; i--) {
		r = url_resolve(cur, v[i - 1]);
		free(cur);
		cur = r != NULL ? r : xstrdup("");
		free(v[i - 1]);
	}
	free(v);
	return (cur);
}

/*
 * Resolve a link against a base; keep it only if it is http(s) and not
 * absurdly long (HOSTILE-19). Returns a new string or NULL.
 */
static char *
parse_link(const char *base, const char *ref)
{
	char	*u;

	if (ref == NULL || *ref == '\0' || strlen(ref) > PARSE_MAX_LINK)
		return (NULL);
	if ((u = url_resolve_http(base, ref)) == NULL)
		return (NULL);
	if (strlen(u) > PARSE_MAX_LINK) {
		free(u);
		return (NULL);
	}
	return (u);
}

/* The date in an element, or TIME_NONE. */
static int64_t
parse_date(xmlNodePtr n)
{
	char	*s;
	int64_t	 t;

	s = parse_text(n);
	if (date_parse(s, &t) != 0)
		t = TIME_NONE;
	free(s);
	return (t);
}

/* NULL for an empty string (freed), else the string. */
static char *
parse_nonempty(char *s)
{
	if (s != NULL && *s == '\0') {
		free(s);
		return (NULL);
	}
	return (s);
}

/* Plain text as HTML: escaped, NULL if empty. */
static char *
parse_escape(const char *s)
{
	struct buf	b;

	if (*s == '\0')
		return (NULL);
	buf_init(&b);
	buf_add_xml(&b, s);
	return (buf_steal(&b, NULL));
}

/*
 * An id for an entry with neither id nor link: FNV-1a 64 of its title,
 * date and text, so the same item gets the same id on every fetch.
 */
static char *
parse_hash_id(const struct entry *e)
{
	char		 date[DATE_BUFSZ] = "", *s;
	const char	*parts[3];
	uint64_t	 h = BUF_HASH_INIT;
	size_t		 i;

	if (e->published != TIME_NONE)
		date_rfc3339(e->published, date);
	else if (e->updated != TIME_NONE)
		date_rfc3339(e->updated, date);
	parts[0] = e->title != NULL ? e->title : "";
	parts[1] = date;
	parts[2] = e->content != NULL ? e->content :
	    (e->summary != NULL ? e->summary : "");
	for (i = 0; i < 3; i++) {
		h = buf_hash(h, parts[i], strlen(parts[i]));
		/* A separator: ("ab","c") is not ("a","bc"). */
		h = buf_hash(h, "\xff", 1);
	}
	xasprintf(&s, "hash:%016llx", (unsigned long long)h);
	return (s);
}

/*
 * Add a category unless empty or already there. Like a title it may be
 * escaped HTML: read as one line of text, so no markup survives in it
 * (HOSTILE-27).
 */
static void
parse_add_category(struct entry *e, char *raw)
{
	char	*c;
	size_t	 i;

	if (e->ncategories >= PARSE_MAX_CATEGORIES) {
		free(raw);
		return;
	}
	c = parse_plain(raw);
	free(raw);
	if (*c == '\0') {
		free(c);
		return;
	}
	for (i = 0; i < e->ncategories; i++) {
		if (strcmp(e->categories[i], c) == 0) {
			free(c);
			return;
		}
	}
	e->categories = xreallocarray(e->categories, e->ncategories + 1,
	    sizeof *e->categories);
	e->categories[e->ncategories++] = c;
}

/* Add an enclosure; url is already checked, type and length raw. */
static void
parse_add_enclosure(struct entry *e, char *url, char *type,
    const char *length)
{
	struct enclosure	*en;
	int64_t			 len = 0;
	const char		*s;

	if (e->nenclosures >= PARSE_MAX_ENCLOSURES) {
		free(url);
		free(type);
		return;
	}
	if (length != NULL) {
		s = length;
		while (*s == ' ' || *s == '\t')
			s++;
		for (; *s >= '0' && *s <= '9'; s++) {
			if (len > (INT64_MAX - 9) / 10) {
				len = 0;
				break;
			}
			len = len * 10 + (*s - '0');
		}
	}
	e->enclosures = xreallocarray(e->enclosures, e->nenclosures + 1,
	    sizeof *e->enclosures);
	en = &e->enclosures[e->nenclosures++];
	en->url = url;
	en->type = type != NULL ? parse_trim(type) : xstrdup("");
	en->length = len;
}

/*
 * The name in an RSS <author>: "jdoe@example.org (John Doe)" and
 * "John Doe <jdoe@example.org>" give "John Doe"; anything else is
 * returned whole. *named says whether a name was found. Names are plain
 * text: markup in them goes (HOSTILE-27), but "Name <address>" is read
 * before that.
 */
static char *
parse_rss_author(const char *s, int *named)
{
	const char	*open, *close;
	char		*line, *name, *plain;

	*named = 0;
	line = parse_line(s);
	name = NULL;
	if ((open = strchr(line, '(')) != NULL &&
	    (close = strrchr(line, ')')) != NULL && close > open)
		name = xstrndup(open + 1, close - open - 1);
	else if ((open = strchr(line, '<')) != NULL && open != line &&
	    (close = strchr(open, '>')) != NULL &&
	    memchr(open, '@', close - open) != NULL && close[1] == '\0')
		name = xstrndup(line, open - line);
	if (name != NULL) {
		plain = parse_plain(name);
		free(name);
		if (*plain != '\0') {
			*named = 1;
			free(line);
			return (plain);
		}
		free(plain);
	}
	/* No name: an address ("<a@b>" too), else text. */
	if (strchr(line, '@') != NULL && strchr(line, ' ') == NULL)
		plain = parse_address(line);
	else
		plain = parse_plain(line);
	free(line);
	return (plain);
}

/* Make room for one more item node, doubling (floods are long). */
static xmlNodePtr *
parse_grow(xmlNodePtr *items, size_t n, size_t *size)
{
	if (n < *size)
		return (items);
	*size = *size == 0 ? 64 : *size * 2;
	return (xreallocarray(items, *size, sizeof *items));
}

/* The date an item is ranked by when there are too many. */
static int64_t
parse_item_date(xmlNodePtr item, const char *ns, int atom)
{
	xmlNodePtr	c;
	int64_t		t, best = TIME_NONE;

	for (c = item->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (atom ? (parse_is(c, NS_ATOM, "published") ||
		    parse_is(c, NS_ATOM, "updated") ||
		    parse_is(c, NS_ATOM03, "issued") ||
		    parse_is(c, NS_ATOM03, "modified") ||
		    parse_is(c, NS_ATOM03, "created")) :
		    (parse_is(c, ns, "pubDate") ||
		    parse_is(c, NS_DC, "date"))) {
			if ((t = parse_date(c)) != TIME_NONE && t > best)
				best = t;
		}
	}
	return (best);
}

/* Document order. */
static int
parse_index_cmp(const void *a, const void *b)
{
	const struct parse_rank	*x = a, *y = b;

	return (x->index < y->index ? -1 : x->index > y->index);
}

/* Newest first; among equals, document order. */
static int
parse_rank_cmp(const void *a, const void *b)
{
	const struct parse_rank	*x = a, *y = b;

	if (x->date != y->date)
		return (x->date > y->date ? -1 : 1);
	return (x->index < y->index ? -1 : x->index > y->index);
}

/* Is a the same namespace as b (either may be NULL, no namespace)? */
static int
parse_same_ns(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

/*
 * The entries, last: the items the tree still holds (any parse_keep
 * did not see as they closed) are ranked like the others, then the
 * newest PARSE_MAX_ENTRIES are added in document order. An Atom entry
 * with no author of its own or its source's takes the feed's.
 */
static void
parse_collect(struct parse_walk *w, xmlNodePtr *items, size_t n)
{
	struct parse		*p = w->p;
	struct parse_rank	*r;
	struct entry		*e;
	size_t			 i;
	int			 atom = w->d->format == FORMAT_ATOM03 ||
				     w->d->format == FORMAT_ATOM10;

	for (i = 0; i < n; i++)
		parse_keep(p, items[i], w->ns, atom);
	if (p->nkept == 0)
		return;
	qsort(p->kept, p->nkept, sizeof *p->kept, parse_index_cmp);
	for (i = 0; i < p->nkept; i++) {
		r = &p->kept[i];
		if (!parse_same_ns(r->ns, w->ns) || r->atom != atom) {
			parse_drop(p, r);
			continue;
		}
		if (r->entry == NULL && r->node != NULL)
			r->entry = parse_read_item(p, r->node, r->ns, atom);
		if ((e = r->entry) == NULL)
			continue;
		r->entry = NULL;
		if (atom && e->author == NULL && w->d->meta.author != NULL)
			e->author = xstrdup(w->d->meta.author);
		feed_doc_add(w->d, e);
	}
}

/* Walk the finished tree into a feed_doc. */
static struct feed_doc *
parse_build(struct parse *p, char **cause)
{
	struct parse_walk	 w;
	xmlNodePtr		 root;
	const char		*name;

	root = xmlDocGetRootElement(p->ctxt->myDoc);
	if (root == NULL) {
		parse_fail(p, "not a feed: not an XML document");
		parse_cause(p, cause);
		return (NULL);
	}
	/* Field extraction finds the parse through the document. */
	p->ctxt->myDoc->_private = p;
	parse_settle(p);
	p->mislabeled = p->latin1 && !p->u8_bad && p->u8_need == 0 &&
	    p->u8_multi;
	if (p->mislabeled && p->error == NULL)
		p->error = xstrdup("labeled Latin-1 but UTF-8: read as UTF-8");
	memset(&w, 0, sizeof w);
	w.p = p;
	w.d = feed_doc_new();
	name = (const char *)root->name;
	if (strcmp(name, "feed") == 0)
		parse_atom(&w, root);
	else
		parse_rss(&w, root);
	if (w.d->format == FORMAT_UNKNOWN) {
		feed_doc_free(w.d);
		parse_fail(p, "not a feed: <%s> document without a channel",
		    name);
		parse_cause(p, cause);
		return (NULL);
	}
	if (p->error != NULL)
		w.d->malformed = xstrdup(p->error);
	if (w.d->meta.title == NULL)
		w.d->meta.title = xstrdup("");
	if (w.d->meta.link == NULL)
		w.d->meta.link = xstrdup("");
	if (w.d->meta.subtitle == NULL)
		w.d->meta.subtitle = xstrdup("");
	return (w.d);
}

/*
 * RSS: 2.0 and 0.9x (<rss>, items in <channel>) and 1.0 and 0.90
 * (<rdf:RDF>, items beside <channel>). Items are read wherever either
 * puts them, in document order.
 */
static void
parse_rss(struct parse_walk *w, xmlNodePtr root)
{
	xmlNodePtr	 c, i, channel = NULL, *items = NULL;
	size_t		 n = 0, size = 0;
	char		*version;

	if (strcmp((const char *)root->name, "rss") == 0) {
		w->ns = root->ns != NULL ? (const char *)root->ns->href : NULL;
		version = parse_attr(root, NULL, "version");
		if (version != NULL && strncmp(version, "0.91", 4) == 0)
			w->d->format = FORMAT_RSS091;
		else if (version != NULL && strncmp(version, "0.92", 4) == 0)
			w->d->format = FORMAT_RSS092;
		else if (version != NULL && (strcmp(version, "0.9") == 0 ||
		    strcmp(version, "0.90") == 0))
			w->d->format = FORMAT_RSS090;
		else
			w->d->format = FORMAT_RSS20;
		free(version);
	} else {
		for (c = root->children; c != NULL; c = c->next) {
			if (parse_is(c, NS_RSS10, "channel")) {
				w->ns = NS_RSS10;
				w->d->format = FORMAT_RSS10;
				break;
			}
			if (parse_is(c, NS_RSS090, "channel")) {
				w->ns = NS_RSS090;
				w->d->format = FORMAT_RSS090;
				break;
			}
		}
		if (w->d->format == FORMAT_UNKNOWN)
			return;
	}

	for (c = root->children; c != NULL; c = c->next) {
		if (parse_is(c, w->ns, "channel")) {
			if (channel == NULL)
				channel = c;
			for (i = c->children; i != NULL; i = i->next) {
				if (!parse_is(i, w->ns, "item") ||
				    i->_private != NULL)
					continue;
				items = parse_grow(items, n, &size);
				items[n++] = i;
			}
		} else if (parse_is(c, w->ns, "item") && c->_private == NULL) {
			items = parse_grow(items, n, &size);
			items[n++] = c;
		}
	}
	if (channel == NULL) {
		w->d->format = FORMAT_UNKNOWN;
		free(items);
		return;
	}
	parse_rss_channel(w, channel);
	parse_collect(w, items, n);
	free(items);
}

/* The feed-level fields of an RSS channel. */
static void
parse_rss_channel(struct parse_walk *w, xmlNodePtr ch)
{
	struct feed_meta	*m = &w->d->meta;
	xmlNodePtr		 c;
	char			*s, *base, *editor = NULL, *creator = NULL;
	int64_t			 built = TIME_NONE, pub = TIME_NONE;
	int64_t			 dc = TIME_NONE, unit = -1, freq = -1;
	int			 named;

	for (c = ch->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (parse_hint(w, c, &unit, &freq))
			continue;
		if (m->title == NULL && parse_is(c, w->ns, "title")) {
			s = parse_has_elements(c) ? parse_markup(c) :
			    parse_text(c);
			m->title = parse_plain(s);
			free(s);
		} else if (m->link == NULL && parse_is(c, w->ns, "link")) {
			base = parse_base(w->p, c);
			s = parse_trim(parse_text(c));
			m->link = parse_link(base, s);
			free(s);
			free(base);
		} else if (m->subtitle == NULL &&
		    parse_is(c, w->ns, "description")) {
			s = parse_has_elements(c) ? parse_markup(c) :
			    parse_text(c);
			m->subtitle = parse_plain(s);
			free(s);
		} else if (m->language == NULL &&
		    (parse_is(c, w->ns, "language") ||
		    parse_is(c, NS_DC, "language"))) {
			m->language = parse_nonempty(parse_trim(parse_text(c)));
		} else if (parse_is(c, w->ns, "lastBuildDate")) {
			if (built == TIME_NONE)
				built = parse_date(c);
		} else if (parse_is(c, w->ns, "pubDate")) {
			if (pub == TIME_NONE)
				pub = parse_date(c);
		} else if (parse_is(c, NS_DC, "date")) {
			if (dc == TIME_NONE)
				dc = parse_date(c);
		} else if (editor == NULL &&
		    parse_is(c, w->ns, "managingEditor")) {
			s = parse_text(c);
			editor = parse_nonempty(parse_rss_author(s, &named));
			free(s);
		} else if (creator == NULL && parse_is(c, NS_DC, "creator")) {
			s = parse_text(c);
			creator = parse_nonempty(parse_plain(s));
			free(s);
		}
	}
	parse_hint_period(w, unit, freq);
	m->updated = built != TIME_NONE ? built :
	    (dc != TIME_NONE ? dc : pub);
	if (editor != NULL) {
		m->author = editor;
		free(creator);
	} else
		m->author = creator;
}

/* One RSS item. */
static struct entry *
parse_rss_item(struct parse_walk *w, xmlNodePtr item)
{
	struct entry	*e;
	xmlNodePtr	 c;
	char		*s, *base, *guid = NULL, *author = NULL;
	char		*creator = NULL, *url, *guid_link = NULL;
	int		 permalink = 1, named = 0;
	int64_t		 dc = TIME_NONE;

	e = entry_new();
	for (c = item->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (e->title == NULL && parse_is(c, w->ns, "title")) {
			/* Possibly-escaped HTML, as feedparser reads it. */
			s = parse_has_elements(c) ? parse_markup(c) :
			    parse_text(c);
			e->title = parse_plain(s);
			free(s);
		} else if (e->link == NULL && parse_is(c, w->ns, "link")) {
			base = parse_base(w->p, c);
			s = parse_trim(parse_text(c));
			e->link = parse_link(base, s);
			free(s);
			free(base);
		} else if (guid == NULL && parse_is(c, w->ns, "guid")) {
			guid = parse_nonempty(parse_trim(parse_text(c)));
			s = parse_attr(c, NULL, "isPermaLink");
			if (s != NULL &&
			    strcasecmp(parse_trim(s), "false") == 0)
				permalink = 0;
			free(s);
			if (guid != NULL && permalink) {
				base = parse_base(w->p, c);
				guid_link = parse_link(base, guid);
				free(base);
			}
		} else if (e->summary == NULL &&
		    parse_is(c, w->ns, "description")) {
			s = parse_has_elements(c) ? parse_markup(c) :
			    parse_text(c);
			base = parse_base(w->p, c);
			e->summary = parse_nonempty(html_sanitize(s,
			    *base != '\0' ? base : NULL));
			free(base);
			free(s);
		} else if (e->content == NULL &&
		    (parse_is(c, NS_CONTENT, "encoded") ||
		    parse_is(c, NS_XHTML, "body"))) {
			s = (parse_is(c, NS_XHTML, "body") ||
			    parse_has_elements(c)) ? parse_markup(c) :
			    parse_text(c);
			base = parse_base(w->p, c);
			e->content = parse_nonempty(html_sanitize(s,
			    *base != '\0' ? base : NULL));
			free(base);
			free(s);
		} else if (author == NULL && parse_is(c, w->ns, "author")) {
			s = parse_text(c);
			author = parse_nonempty(parse_rss_author(s, &named));
			free(s);
		} else if (creator == NULL && parse_is(c, NS_DC, "creator")) {
			s = parse_text(c);
			creator = parse_nonempty(parse_plain(s));
			free(s);
		} else if (parse_is(c, w->ns, "pubDate")) {
			if (e->published == TIME_NONE)
				e->published = parse_date(c);
		} else if (parse_is(c, NS_DC, "date")) {
			if (dc == TIME_NONE)
				dc = parse_date(c);
		} else if (parse_is(c, NS_ATOM, "updated") ||
		    parse_is(c, NS_DCTERMS, "modified")) {
			if (e->updated == TIME_NONE)
				e->updated = parse_date(c);
		} else if (parse_is(c, w->ns, "category") ||
		    parse_is(c, NS_DC, "subject")) {
			parse_add_category(e, parse_text(c));
		} else if (e->nenclosures < PARSE_MAX_ENCLOSURES &&
		    parse_is(c, w->ns, "enclosure")) {
			s = parse_attr(c, NULL, "url");
			base = parse_base(w->p, c);
			url = s != NULL ? parse_link(base, parse_trim(s)) :
			    NULL;
			free(base);
			free(s);
			if (url != NULL) {
				s = parse_attr(c, NULL, "length");
				parse_add_enclosure(e, url,
				    parse_attr(c, NULL, "type"), s);
				free(s);
			}
		}
	}

	if (e->published == TIME_NONE)
		e->published = dc;
	/* A name beats an address: "(Name)" in <author>, else dc:creator. */
	if (author != NULL && (named || creator == NULL)) {
		e->author = author;
		author = NULL;
	} else if (creator != NULL) {
		e->author = creator;
		creator = NULL;
	}
	free(author);
	free(creator);
	if (e->title == NULL)
		e->title = xstrdup("");
	/* RSS 1.0 names an item by its rdf:about, a URL. */
	if (guid == NULL) {
		guid = parse_nonempty(parse_attr(item, NS_RDF, "about"));
		if (guid != NULL) {
			base = parse_base(w->p, item);
			guid_link = parse_link(base, guid);
			free(base);
		}
	}
	/* A permalink guid is the link when there is no <link>. */
	if (e->link == NULL) {
		e->link = guid_link;
		guid_link = NULL;
	}
	free(guid_link);
	if (guid != NULL)
		e->id = guid;
	else if (e->link != NULL)
		e->id = xstrdup(e->link);
	else
		e->id = parse_hash_id(e);
	return (e);
}

/* Does an Atom rel (maybe a full IANA URI) name the wanted relation? */
static int
parse_atom_rel(const char *rel, const char *want)
{
	static const char	iana[] =
	    "http://www.iana.org/assignments/relation/";

	if (rel == NULL || *rel == '\0')
		rel = "alternate";
	if (strncmp(rel, iana, sizeof iana - 1) == 0)
		rel += sizeof iana - 1;
	return (strcmp(rel, want) == 0);
}

/* How to read an Atom text construct or content (RFC 4287 3.1, 4.1.3). */
static enum parse_type
parse_atom_type(xmlNodePtr n)
{
	char		*type, *src;
	enum parse_type	 t;
	size_t		 len;

	if ((src = parse_attr(n, NULL, "src")) != NULL) {
		free(src);
		return (PARSE_SKIP);	/* Out-of-line content. */
	}
	if ((type = parse_attr(n, NULL, "type")) == NULL)
		return (PARSE_TEXT);
	parse_trim(type);
	len = strlen(type);
	if (*type == '\0' || strcasecmp(type, "text") == 0 ||
	    strncasecmp(type, "text/plain", 10) == 0)
		t = PARSE_TEXT;
	else if (strcasecmp(type, "html") == 0 ||
	    strncasecmp(type, "text/html", 9) == 0)
		t = PARSE_HTML;
	else if (strcasecmp(type, "xhtml") == 0 ||
	    strcasecmp(type, "application/xhtml+xml") == 0)
		t = PARSE_XHTML;
	else if ((len > 4 && strcasecmp(type + len - 4, "+xml") == 0) ||
	    (len > 4 && strcasecmp(type + len - 4, "/xml") == 0))
		t = PARSE_XML;
	else if (strncasecmp(type, "text/", 5) == 0)
		t = PARSE_TEXT;
	else
		t = PARSE_SKIP;	/* Base64 media: nothing to show. */
	free(type);
	return (t);
}

/* The xhtml div wrapping xhtml content, or NULL if there is none. */
static xmlNodePtr
parse_xhtml_div(xmlNodePtr n)
{
	xmlNodePtr	c;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_ELEMENT_NODE)
			return (parse_is(c, NS_XHTML, "div") ? c : NULL);
	}
	return (NULL);
}

/* An Atom text construct as one line of plain text (titles). */
static char *
parse_atom_plain(xmlNodePtr n)
{
	xmlNodePtr	 div;
	char		*s, *out;

	if (parse_is(n, NS_ATOM03, (const char *)n->name)) {
		switch (parse_atom03_read(n, &s)) {
		case PARSE_TEXT:
			out = parse_line(s);
			break;
		case PARSE_HTML:
			out = html_to_line(s);
			break;
		default:
			return (xstrdup(""));
		}
		free(s);
		return (out);
	}
	switch (parse_atom_type(n)) {
	case PARSE_TEXT:
		s = parse_text(n);
		out = parse_line(s);
		break;
	case PARSE_HTML:
		s = parse_text(n);
		out = html_to_line(s);
		break;
	case PARSE_XHTML:
		div = parse_xhtml_div(n);
		s = parse_markup(div != NULL ? div : n);
		out = html_to_line(s);
		break;
	case PARSE_XML:
		s = parse_markup(n);
		out = html_to_line(s);
		break;
	default:
		return (xstrdup(""));
	}
	free(s);
	return (out);
}

/* An Atom text construct or content as sanitized HTML, or NULL. */
static char *
parse_atom_html(struct parse *p, xmlNodePtr n)
{
	xmlNodePtr	 div;
	char		*s, *base, *out;

	base = parse_base(p, n);
	if (parse_is(n, NS_ATOM03, (const char *)n->name)) {
		switch (parse_atom03_read(n, &s)) {
		case PARSE_TEXT:
			out = parse_escape(s);
			break;
		case PARSE_HTML:
			out = html_sanitize(s, *base != '\0' ? base : NULL);
			break;
		default:
			free(base);
			return (NULL);
		}
		free(s);
		free(base);
		return (parse_nonempty(out));
	}
	switch (parse_atom_type(n)) {
	case PARSE_TEXT:
		s = parse_text(n);
		out = parse_escape(s);
		break;
	case PARSE_HTML:
		s = parse_text(n);
		out = html_sanitize(s, *base != '\0' ? base : NULL);
		break;
	case PARSE_XHTML:
		/* The wrapper div is not content (RFC 4287 4.1.3.3). */
		div = parse_xhtml_div(n);
		s = parse_markup(div != NULL ? div : n);
		out = html_sanitize(s, *base != '\0' ? base : NULL);
		break;
	case PARSE_XML:
		s = parse_markup(n);
		out = html_sanitize(s, *base != '\0' ? base : NULL);
		break;
	default:
		free(base);
		return (NULL);
	}
	free(s);
	free(base);
	return (parse_nonempty(out));
}

/*
 * An Atom link: the first usable alternate one (rel absent means
 * alternate) is the entry's link; enclosures are kept, up to the cap.
 */
static void
parse_atom_link(struct parse_walk *w, struct entry *e, xmlNodePtr c)
{
	char	*rel, *href, *base, *url, *len;
	int	 alt, enc;

	rel = parse_attr(c, NULL, "rel");
	alt = e->link == NULL && parse_atom_rel(rel, "alternate");
	enc = e->nenclosures < PARSE_MAX_ENCLOSURES &&
	    parse_atom_rel(rel, "enclosure");
	free(rel);
	if ((!alt && !enc) || (href = parse_attr(c, NULL, "href")) == NULL)
		return;
	base = parse_base(w->p, c);
	url = parse_link(base, parse_trim(href));
	free(base);
	free(href);
	if (url == NULL)
		return;
	if (alt) {
		e->link = url;
		return;
	}
	len = parse_attr(c, NULL, "length");
	parse_add_enclosure(e, url, parse_attr(c, NULL, "type"), len);
	free(len);
}

/*
 * An Atom person: the name, else the e-mail, else NULL. Names are plain
 * text, with no markup left in them (HOSTILE-27).
 */
static char *
parse_atom_person(xmlNodePtr n)
{
	xmlNodePtr	 c;
	char		*name = NULL, *email = NULL, *s;
	const char	*ns = n->ns != NULL ? (const char *)n->ns->href : NULL;

	for (c = n->children; c != NULL; c = c->next) {
		if (name == NULL && parse_is(c, ns, "name")) {
			s = parse_text(c);
			name = parse_nonempty(parse_plain(s));
			free(s);
		} else if (email == NULL && parse_is(c, ns, "email")) {
			s = parse_text(c);
			email = parse_nonempty(parse_address(s));
			free(s);
		}
	}
	if (name != NULL) {
		free(email);
		return (name);
	}
	return (email);
}

/*
 * Atom 1.0 (RFC 4287) and Atom 0.3 (the 2003 draft: tagline for
 * subtitle, modified for updated, content with a mode).
 */
static void
parse_atom(struct parse_walk *w, xmlNodePtr root)
{
	struct feed_meta	*m = &w->d->meta;
	xmlNodePtr		 c, *items = NULL;
	size_t			 n = 0, size = 0;
	char			*s, *base, *rel;
	int64_t			 unit = -1, freq = -1;
	int			 a03;

	a03 = parse_is(root, NS_ATOM03, "feed");
	w->ns = a03 ? NS_ATOM03 : NS_ATOM;
	w->d->format = a03 ? FORMAT_ATOM03 : FORMAT_ATOM10;
	m->language = parse_nonempty(parse_attr(root, NS_XML, "lang"));
	for (c = root->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (parse_is(c, w->ns, "entry")) {
			if (c->_private != NULL)
				continue;	/* Seen by parse_keep. */
			items = parse_grow(items, n, &size);
			items[n++] = c;
		} else if (m->title == NULL && parse_is(c, w->ns, "title"))
			m->title = parse_atom_plain(c);
		else if (m->subtitle == NULL &&
		    parse_is(c, w->ns, a03 ? "tagline" : "subtitle"))
			m->subtitle = parse_atom_plain(c);
		else if (m->link == NULL && parse_is(c, w->ns, "link")) {
			rel = parse_attr(c, NULL, "rel");
			if (parse_atom_rel(rel, "alternate")) {
				s = parse_attr(c, NULL, "href");
				base = parse_base(w->p, c);
				m->link = s != NULL ?
				    parse_link(base, parse_trim(s)) : NULL;
				free(base);
				free(s);
			}
			free(rel);
		} else if (m->updated == TIME_NONE &&
		    parse_is(c, w->ns, a03 ? "modified" : "updated"))
			m->updated = parse_date(c);
		else if (m->author == NULL && parse_is(c, w->ns, "author"))
			m->author = parse_atom_person(c);
		else if (parse_is(c, NS_SY, "updatePeriod") ||
		    parse_is(c, NS_SY, "updateFrequency"))
			parse_hint(w, c, &unit, &freq);
	}
	parse_hint_period(w, unit, freq);
	parse_collect(w, items, n);
	free(items);
}

/*
 * One Atom entry; its author falls back to its source's, and then (in
 * parse_collect, as the feed's may come after it) to the feed's (RFC
 * 4287 4.2.1).
 */
static struct entry *
parse_atom_entry(struct parse_walk *w, xmlNodePtr entry)
{
	struct entry	*e;
	xmlNodePtr	 c, sc, source = NULL;
	char		*s, *html;
	int64_t		 created = TIME_NONE;
	int		 a03 = strcmp(w->ns, NS_ATOM03) == 0;

	e = entry_new();
	for (c = entry->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (e->id == NULL && parse_is(c, w->ns, "id"))
			e->id = parse_nonempty(parse_trim(parse_text(c)));
		else if (e->title == NULL && parse_is(c, w->ns, "title"))
			e->title = parse_atom_plain(c);
		else if (parse_is(c, w->ns, "link"))
			parse_atom_link(w, e, c);
		else if (e->author == NULL && parse_is(c, w->ns, "author"))
			e->author = parse_atom_person(c);
		else if (parse_is(c, w->ns, a03 ? "issued" : "published")) {
			if (e->published == TIME_NONE)
				e->published = parse_date(c);
		} else if (parse_is(c, w->ns, a03 ? "modified" : "updated")) {
			if (e->updated == TIME_NONE)
				e->updated = parse_date(c);
		} else if (a03 && parse_is(c, w->ns, "created")) {
			if (created == TIME_NONE)
				created = parse_date(c);
		} else if (e->summary == NULL &&
		    parse_is(c, w->ns, "summary"))
			e->summary = parse_atom_html(w->p, c);
		else if (e->content == NULL && parse_is(c, w->ns, "content")) {
			/* Atom 0.3 may offer several: the first readable. */
			html = parse_atom_html(w->p, c);
			e->content = html;
		} else if (!a03 && parse_is(c, w->ns, "category")) {
			s = parse_nonempty(parse_attr(c, NULL, "label"));
			if (s == NULL)
				s = parse_attr(c, NULL, "term");
			if (s != NULL)
				parse_add_category(e, s);
		} else if (parse_is(c, NS_DC, "subject"))
			parse_add_category(e, parse_text(c));
		else if (source == NULL && parse_is(c, w->ns, "source"))
			source = c;
	}
	if (e->published == TIME_NONE)
		e->published = created;

	if (e->author == NULL && source != NULL) {
		for (sc = source->children; sc != NULL; sc = sc->next) {
			if (parse_is(sc, w->ns, "author")) {
				e->author = parse_atom_person(sc);
				break;
			}
		}
	}
	if (e->title == NULL)
		e->title = xstrdup("");
	if (e->id == NULL) {
		if (e->link != NULL)
			e->id = xstrdup(e->link);
		else
			e->id = parse_hash_id(e);
	}
	return (e);
}

/*
 * Atom 0.3 content and text constructs: type is a MIME type, text/plain
 * by default, and mode says how it is carried: xml (the default),
 * escaped or base64. Sets *out to the text or HTML and returns how to
 * read it: PARSE_TEXT, PARSE_HTML, or PARSE_SKIP with *out NULL.
 */
static enum parse_type
parse_atom03_read(xmlNodePtr n, char **out)
{
	enum parse_type	 t;
	xmlNodePtr	 div;
	char		*type, *mode, *s;
	size_t		 len;

	*out = NULL;
	type = parse_attr(n, NULL, "type");
	mode = parse_attr(n, NULL, "mode");
	if (mode != NULL)
		parse_trim(mode);
	if (type == NULL || *parse_trim(type) == '\0')
		t = PARSE_TEXT;
	else if (strncasecmp(type, "text/html", 9) == 0 ||
	    strcasecmp(type, "html") == 0)
		t = PARSE_HTML;
	else if (strcasecmp(type, "application/xhtml+xml") == 0 ||
	    strcasecmp(type, "xhtml") == 0)
		t = PARSE_XHTML;
	else if ((len = strlen(type)) > 4 &&
	    (strcasecmp(type + len - 4, "+xml") == 0 ||
	    strcasecmp(type + len - 4, "/xml") == 0))
		t = PARSE_XML;
	else if (strncasecmp(type, "text/", 5) == 0 ||
	    strcasecmp(type, "text") == 0)
		t = PARSE_TEXT;
	else
		t = PARSE_SKIP;
	if (t == PARSE_SKIP)
		goto out;
	if (mode != NULL && strcasecmp(mode, "escaped") == 0) {
		*out = parse_text(n);
		if (t != PARSE_TEXT)
			t = PARSE_HTML;
	} else if (mode != NULL && strcasecmp(mode, "base64") == 0) {
		s = parse_text(n);
		*out = parse_base64(s);
		free(s);
		if (t != PARSE_TEXT)
			t = PARSE_HTML;
	} else if (parse_has_elements(n)) {
		/* Inline markup; xhtml comes in a wrapper div. */
		div = t == PARSE_XHTML ? parse_xhtml_div(n) : NULL;
		*out = parse_markup(div != NULL ? div : n);
		t = PARSE_HTML;
	} else {
		*out = parse_text(n);
		if (t != PARSE_HTML)
			t = PARSE_TEXT;
	}
out:
	free(type);
	free(mode);
	return (t);
}

/*
 * Decode base64 (whitespace ignored, '=' ends it) into clean UTF-8; ""
 * if it is not base64.
 */
static char *
parse_base64(const char *s)
{
	static const char	 digits[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct buf		 b;
	const char		*d;
	uint32_t		 acc = 0;
	int			 bits = 0;
	char			*out;

	buf_init(&b);
	for (; *s != '\0' && *s != '='; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			continue;
		if ((d = strchr(digits, *s)) == NULL) {
			buf_free(&b);
			return (xstrdup(""));
		}
		acc = (acc << 6) | (uint32_t)(d - digits);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addc(&b, (char)((acc >> bits) & 0xff));
		}
	}
	out = utf8_clean(b.data != NULL ? b.data : "", b.len);
	buf_free(&b);
	return (out);
}

/*
 * A publisher hint in an RSS channel or a feed: ttl, the syndication
 * module's updatePeriod and updateFrequency (gathered into *unit and
 * *freq for the caller), skipHours and skipDays. Returns 1 if c was one.
 */
static int
parse_hint(struct parse_walk *w, xmlNodePtr c, int64_t *unit, int64_t *freq)
{
	static const char *const days[] = { "sunday", "monday", "tuesday",
	    "wednesday", "thursday", "friday", "saturday" };
	static const struct {
		const char	*name;
		int64_t		 secs;
	} periods[] = { { "hourly", 3600 }, { "daily", 86400 },
	    { "weekly", 604800 }, { "monthly", 2592000 },
	    { "yearly", 31536000 } };
	struct feed_meta	*m = &w->d->meta;
	xmlNodePtr		 x;
	int64_t			 v;
	size_t			 i;
	char			*s;

	if (parse_is(c, w->ns, "ttl")) {
		if (m->ttl == -1 && (v = parse_number(c)) >= 0 &&
		    v <= 10 * 525600)
			m->ttl = (int)v;
	} else if (parse_is(c, NS_SY, "updatePeriod")) {
		s = parse_trim(parse_text(c));
		for (i = 0; i < sizeof periods / sizeof periods[0]; i++) {
			if (strcasecmp(s, periods[i].name) == 0)
				*unit = periods[i].secs;
		}
		free(s);
	} else if (parse_is(c, NS_SY, "updateFrequency")) {
		if ((v = parse_number(c)) >= 1 && v <= 1000000)
			*freq = v;
	} else if (parse_is(c, w->ns, "skipHours")) {
		for (x = c->children; x != NULL; x = x->next) {
			if (parse_is(x, w->ns, "hour") &&
			    (v = parse_number(x)) >= 0 && v <= 24)
				m->skip_hours |= UINT32_C(1) << (v % 24);
		}
	} else if (parse_is(c, w->ns, "skipDays")) {
		for (x = c->children; x != NULL; x = x->next) {
			if (!parse_is(x, w->ns, "day"))
				continue;
			s = parse_trim(parse_text(x));
			for (i = 0; i < 7; i++) {
				if (strcasecmp(s, days[i]) == 0)
					m->skip_days |= 1U << i;
			}
			free(s);
		}
	} else
		return (0);
	return (1);
}

/* Set the update period from the syndication module's two hints. */
static void
parse_hint_period(struct parse_walk *w, int64_t unit, int64_t freq)
{
	if (unit == -1 && freq == -1)
		return;
	if (unit == -1)
		unit = 86400;	/* The module's default: daily. */
	if (freq == -1)
		freq = 1;
	w->d->meta.update_period = unit / freq > 0 ? unit / freq : 1;
}

/* A non-negative decimal number in an element, or -1. */
static int64_t
parse_number(xmlNodePtr n)
{
	char	*s, *p;
	int64_t	 v = 0;

	s = parse_trim(parse_text(n));
	for (p = s; *p >= '0' && *p <= '9'; p++) {
		if (v > INT64_MAX / 100)
			break;
		v = v * 10 + (*p - '0');
	}
	if (p == s || *p != '\0')
		v = -1;
	free(s);
	return (v);
}

/*
 * JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1). The whole
 * document is held (it is capped at PARSE_MAX_DOC) and loaded with
 * jansson, whose parser limits nesting depth itself.
 */
static struct feed_doc *
parse_json(struct parse *p, char **cause)
{
	struct feed_doc	*d = NULL;
	json_error_t	 err;
	json_t		*root, *items, *it, *v;
	const char	*version;
	char		*s, *msg;
	struct parse_rank *r;
	size_t		 i, n, k;

	parse_json_surrogates(p);
	root = json_loadb(p->json.data != NULL ? p->json.data : "",
	    p->json.len, JSON_ALLOW_NUL, &err);
	if (root == NULL) {
		msg = utf8_clean(err.text, strlen(err.text));
		parse_fail(p, "malformed document: line %d: %s", err.line,
		    msg);
		free(msg);
		goto out;
	}
	version = json_string_value(json_object_get(root, "version"));
	if (!json_is_object(root) || version == NULL ||
	    (strncmp(version, "https://jsonfeed.org/version/1", 30) != 0 &&
	    strncmp(version, "http://jsonfeed.org/version/1", 29) != 0)) {
		parse_fail(p, "not a feed: a JSON document, not a JSON Feed");
		goto out;
	}
	d = feed_doc_new();
	s = strstr(version, "/version/1") + 10;
	if (strcmp(s, ".1") == 0 || strcmp(s, ".1/") == 0)
		d->format = FORMAT_JSON11;
	else
		d->format = FORMAT_JSON10;
	if (strcmp(s, "") != 0 && strcmp(s, "/") != 0 &&
	    d->format == FORMAT_JSON10)
		parse_note(p, "unknown JSON Feed version \"%s\"", version);

	s = parse_json_get(root, "title");
	d->meta.title = parse_plain(s != NULL ? s : "");
	free(s);
	s = parse_json_get(root, "description");
	d->meta.subtitle = parse_plain(s != NULL ? s : "");
	free(s);
	s = parse_json_get(root, "home_page_url");
	d->meta.link = parse_link(p->base_url, s != NULL ? parse_trim(s) :
	    NULL);
	free(s);
	if (d->meta.link == NULL)
		d->meta.link = xstrdup("");
	d->meta.language = parse_nonempty(parse_json_get(root, "language"));
	d->meta.author = parse_json_author(root);

	items = json_object_get(root, "items");
	n = json_is_array(items) ? json_array_size(items) : 0;
	/* Keep the newest PARSE_MAX_ENTRIES, in document order. */
	r = xreallocarray(NULL, n > 0 ? n : 1, sizeof *r);
	for (i = 0; i < n; i++) {
		r[i].index = i;
		r[i].node = NULL;
		r[i].date = TIME_NONE;
		it = json_array_get(items, i);
		if ((s = parse_json_get(it, "date_published")) != NULL ||
		    (s = parse_json_get(it, "date_modified")) != NULL) {
			if (date_parse(s, &r[i].date) != 0)
				r[i].date = TIME_NONE;
			free(s);
		}
	}
	k = n;
	if (n > PARSE_MAX_ENTRIES) {
		qsort(r, n, sizeof *r, parse_rank_cmp);
		k = PARSE_MAX_ENTRIES;
		qsort(r, k, sizeof *r, parse_index_cmp);
	}
	for (i = 0; i < k; i++) {
		it = json_array_get(items, r[i].index);
		if (json_is_object(it))
			feed_doc_add(d, parse_json_item(p, it,
			    d->meta.author));
	}
	free(r);
	if ((v = json_object_get(root, "items")) != NULL &&
	    !json_is_array(v))
		parse_note(p, "\"items\" is not an array");
	parse_settle(p);
	if (p->error != NULL)
		d->malformed = xstrdup(p->error);

out:
	json_decref(root);
	if (d == NULL)
		parse_cause(p, cause);
	return (d);
}

/* The value of the four hex digits at s[i], or -1. */
static int
parse_json_hex4(const char *s, size_t len, size_t i)
{
	int	v = 0, k, c;

	if (len - i < 4)
		return (-1);
	for (k = 0; k < 4; k++) {
		c = (unsigned char)s[i + k];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return (-1);
	}
	return (v);
}

/*
 * jansson refuses a whole document for one "\ud800" without its pair:
 * make every lone surrogate escape "\ufffd" (the same length, in place),
 * as invalid bytes become U+FFFD elsewhere.
 */
static void
parse_json_surrogates(struct parse *p)
{
	char	*s = p->json.data;
	size_t	 len = p->json.len, i;
	int	 in = 0, v, w;

	for (i = 0; i < len; i++) {
		if (!in) {
			in = s[i] == '"';
			continue;
		}
		if (s[i] == '"') {
			in = 0;
			continue;
		}
		if (s[i] != '\\' || ++i >= len || s[i] != 'u')
			continue;
		if ((v = parse_json_hex4(s, len, i + 1)) < 0xd800 ||
		    v > 0xdfff)
			continue;
		if (v < 0xdc00 && len - i >= 11 && s[i + 5] == '\\' &&
		    s[i + 6] == 'u' &&
		    (w = parse_json_hex4(s, len, i + 7)) >= 0xdc00 &&
		    w <= 0xdfff) {
			i += 10;	/* A pair: leave it. */
			continue;
		}
		memcpy(s + i + 1, "fffd", 4);
		i += 4;
		parse_note(p, "lone surrogates in JSON strings were replaced");
	}
}

/* A string member, cleaned; a number is written as one. NULL if none. */
static char *
parse_json_get(json_t *o, const char *key)
{
	json_t	*v;
	char	*s;

	if (!json_is_object(o) || (v = json_object_get(o, key)) == NULL)
		return (NULL);
	if (json_is_string(v)) {
		s = utf8_clean(json_string_value(v), json_string_length(v));
		if (strlen(s) > PARSE_MAX_FIELD) {
			free(s);
			return (NULL);
		}
		return (s);
	}
	if (json_is_integer(v)) {
		xasprintf(&s, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return (s);
	}
	return (NULL);
}

/*
 * The author of a feed or item: the first of "authors" (1.1) with a
 * name, else "author" (1.0); its name, else a mailto: address.
 */
static char *
parse_json_author(json_t *o)
{
	json_t		*list, *a;
	char		*name, *url, *s;
	size_t		 i, n;

	list = json_object_get(o, "authors");
	n = json_is_array(list) ? json_array_size(list) : 0;
	for (i = 0; i <= n; i++) {
		a = i < n ? json_array_get(list, i) :
		    json_object_get(o, "author");
		if (!json_is_object(a))
			continue;
		if ((s = parse_json_get(a, "name")) != NULL) {
			name = parse_nonempty(parse_plain(s));
			free(s);
			if (name != NULL)
				return (name);
		}
		if ((url = parse_json_get(a, "url")) != NULL) {
			parse_trim(url);
			if (strncasecmp(url, "mailto:", 7) == 0 &&
			    url[7] != '\0') {
				name = parse_address(url + 7);
				free(url);
				if ((name = parse_nonempty(name)) != NULL)
					return (name);
				continue;
			}
			free(url);
		}
	}
	return (NULL);
}

/* One JSON Feed item. */
static struct entry *
parse_json_item(struct parse *p, json_t *it, const char *feed_author)
{
	struct entry	*e;
	json_t		*list, *a;
	const char	*base = p->base_url;
	char		*s, *url, *len;
	size_t		 i, n;

	e = entry_new();
	e->id = parse_nonempty(parse_json_get(it, "id"));
	if (e->id != NULL)
		parse_trim(e->id);
	e->id = parse_nonempty(e->id);
	s = parse_json_get(it, "url");
	e->link = parse_link(base, s != NULL ? parse_trim(s) : NULL);
	free(s);
	if (e->link == NULL) {
		s = parse_json_get(it, "external_url");
		e->link = parse_link(base, s != NULL ? parse_trim(s) : NULL);
		free(s);
	}
	s = parse_json_get(it, "title");
	e->title = parse_plain(s != NULL ? s : "");
	free(s);
	if ((s = parse_json_get(it, "content_html")) != NULL) {
		e->content = parse_nonempty(html_sanitize(s, base));
		free(s);
	}
	if (e->content == NULL &&
	    (s = parse_json_get(it, "content_text")) != NULL) {
		e->content = parse_escape(s);
		free(s);
	}
	if ((s = parse_json_get(it, "summary")) != NULL) {
		e->summary = parse_escape(s);
		free(s);
	}
	if ((s = parse_json_get(it, "date_published")) != NULL) {
		if (date_parse(s, &e->published) != 0)
			e->published = TIME_NONE;
		free(s);
	}
	if ((s = parse_json_get(it, "date_modified")) != NULL) {
		if (date_parse(s, &e->updated) != 0)
			e->updated = TIME_NONE;
		free(s);
	}
	e->author = parse_json_author(it);
	if (e->author == NULL && feed_author != NULL)
		e->author = xstrdup(feed_author);
	list = json_object_get(it, "tags");
	n = json_is_array(list) ? json_array_size(list) : 0;
	for (i = 0; i < n; i++) {
		a = json_array_get(list, i);
		if (json_is_string(a))
			parse_add_category(e, utf8_clean(json_string_value(a),
			    json_string_length(a)));
	}
	list = json_object_get(it, "attachments");
	n = json_is_array(list) ? json_array_size(list) : 0;
	for (i = 0; i < n && e->nenclosures < PARSE_MAX_ENCLOSURES; i++) {
		a = json_array_get(list, i);
		s = parse_json_get(a, "url");
		url = parse_link(base, s != NULL ? parse_trim(s) : NULL);
		free(s);
		if (url == NULL)
			continue;
		len = parse_json_get(a, "size_in_bytes");
		parse_add_enclosure(e, url, parse_json_get(a, "mime_type"),
		    len);
		free(len);
	}
	if (e->id == NULL) {
		if (e->link != NULL)
			e->id = xstrdup(e->link);
		else
			e->id = parse_hash_id(e);
	}
	return (e);
}

/* A JSON string, or null for NULL. */
static json_t *
parse_json_str(const char *s)
{
	json_t	*j;
	char	*clean;

	if (s == NULL)
		return (json_null());
	if ((j = json_string(s)) != NULL)
		return (j);
	/* Fields are clean already; this is for callers' hand-built docs. */
	clean = utf8_clean(s, strlen(s));
	j = json_string(clean);
	free(clean);
	return (j != NULL ? j : json_string(""));
}

/* A time as RFC 3339, or null. */
static json_t *
parse_json_time(int64_t t)
{
	char	buf[DATE_BUFSZ];

	if (t == TIME_NONE)
		return (json_null());
	return (json_string(date_rfc3339(t, buf)));
}

char *
parse_doc_json(const struct feed_doc *d)
{
	static const char *const days[] = { "sunday", "monday", "tuesday",
	    "wednesday", "thursday", "friday", "saturday" };
	json_t			*root, *feed, *entries, *o, *hints;
	json_t			*cats, *encs, *en;
	const struct entry	*e;
	size_t			 i, k;
	char			*s, *out;

	root = json_object();
	json_object_set_new(root, "format",
	    json_string(feed_format_name(d->format)));

	feed = json_object();
	json_object_set_new(feed, "title", parse_json_str(d->meta.title));
	json_object_set_new(feed, "link", parse_json_str(d->meta.link));
	json_object_set_new(feed, "subtitle",
	    parse_json_str(d->meta.subtitle));
	json_object_set_new(feed, "updated", parse_json_time(d->meta.updated));
	json_object_set_new(feed, "language",
	    parse_json_str(d->meta.language));
	json_object_set_new(feed, "author", parse_json_str(d->meta.author));
	/* Publisher hints appear only when the feed gives them. */
	if (d->meta.ttl != -1)
		json_object_set_new(feed, "ttl", json_integer(d->meta.ttl));
	if (d->meta.update_period != -1)
		json_object_set_new(feed, "update_period",
		    json_integer(d->meta.update_period));
	if (d->meta.skip_hours != 0) {
		hints = json_array();
		for (k = 0; k < 24; k++) {
			if (d->meta.skip_hours & (UINT32_C(1) << k))
				json_array_append_new(hints, json_integer(k));
		}
		json_object_set_new(feed, "skip_hours", hints);
	}
	if (d->meta.skip_days != 0) {
		hints = json_array();
		for (k = 0; k < 7; k++) {
			if (d->meta.skip_days & (1U << k))
				json_array_append_new(hints,
				    json_string(days[k]));
		}
		json_object_set_new(feed, "skip_days", hints);
	}
	json_object_set_new(root, "feed", feed);

	entries = json_array();
	for (i = 0; i < d->nentries; i++) {
		e = d->entries[i];
		o = json_object();
		json_object_set_new(o, "id", parse_json_str(e->id));
		json_object_set_new(o, "title", parse_json_str(e->title));
		json_object_set_new(o, "link", parse_json_str(e->link));
		json_object_set_new(o, "author", parse_json_str(e->author));
		json_object_set_new(o, "published",
		    parse_json_time(e->published));
		json_object_set_new(o, "updated", parse_json_time(e->updated));
		json_object_set_new(o, "summary", parse_json_str(e->summary));
		json_object_set_new(o, "content", parse_json_str(e->content));
		cats = json_array();
		for (k = 0; k < e->ncategories; k++)
			json_array_append_new(cats,
			    parse_json_str(e->categories[k]));
		json_object_set_new(o, "categories", cats);
		encs = json_array();
		for (k = 0; k < e->nenclosures; k++) {
			en = json_object();
			json_object_set_new(en, "url",
			    parse_json_str(e->enclosures[k].url));
			json_object_set_new(en, "type",
			    parse_json_str(e->enclosures[k].type));
			json_object_set_new(en, "length",
			    json_integer(e->enclosures[k].length));
			json_array_append_new(encs, en);
		}
		json_object_set_new(o, "enclosures", encs);
		json_array_append_new(entries, o);
	}
	json_object_set_new(root, "entries", entries);

	s = json_dumps(root, JSON_PRESERVE_ORDER | JSON_INDENT(2));
	json_decref(root);
	if (s == NULL)
		fatalx("%s: json_dumps failed", __func__);
	out = xstrdup(s);
	free(s);
	return (out);
}
