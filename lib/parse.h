/*
 * Feed documents to normalized entries: RSS 0.90, 0.91, 0.92, 1.0 and
 * 2.0, Atom 0.3 and 1.0, JSON Feed 1.0 and 1.1, detected from the
 * document itself (never from the URL or the Content-Type). Bytes are
 * pushed as they arrive, so the fetcher can feed the parser from its
 * write callback; the result is the same whether a document arrives
 * whole or a byte at a time. XML is parsed as it comes; a JSON Feed is
 * held whole (up to the document cap) and read at the end. No I/O.
 */
#ifndef PARSE_H
#define PARSE_H

#include <stddef.h>

#include "entry.h"

struct parse;

/*
 * Start parsing a document. base_url (may be NULL) is the URL the
 * document was fetched from, the base for relative links; charset (may be
 * NULL) is the one the transport declared. The encoding is chosen as RFC
 * 7303 3.2 says: a BOM, else the transport's charset, else the XML
 * declaration, else UTF-8. A label the bytes contradict or that iconv
 * does not know is passed over (UTF-8, then windows-1252 for bytes that
 * are not UTF-8); bytes invalid in the encoding become U+FFFD. Either way
 * the document is returned with doc->malformed saying so.
 */
struct parse	*parse_new(const char *base_url, const char *charset);

/* Push the next len bytes. Returns 0, or -1 and sets *cause on error. */
int		 parse_push(struct parse *, const char *, size_t,
		     char **cause);

/*
 * Finish: return the document (caller frees with feed_doc_free) and free
 * the parser, or return NULL and set *cause ("not a feed: an HTML page",
 * "empty document", ...). A web page that links to feeds fails with the
 * first of them named: "not a feed: an HTML page (it links to a feed:
 * URL)". A document that needed recovery is returned with doc->malformed
 * saying why.
 */
struct feed_doc	*parse_end(struct parse *, char **cause);

/* Abandon a parse (a failed transfer). NULL-safe. */
void		 parse_free(struct parse *);

/* Parse a whole buffer: parse_new, one parse_push, parse_end. */
struct feed_doc	*parse_buffer(const char *, size_t, const char *base_url,
		     char **cause);

/*
 * The libxml2 option mask the parser uses, so a test can assert that it
 * never holds NOENT, DTDLOAD, DTDATTR, DTDVALID, XINCLUDE or HUGE
 * (HOSTILE-6).
 */
int		 parse_xml_options(void);

/*
 * Render a document as the `feedmux parse --json` schema of DESIGN.md.
 * Returns a new NUL-terminated string (caller frees).
 */
char		*parse_doc_json(const struct feed_doc *);

#endif
