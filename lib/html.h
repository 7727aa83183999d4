/*
 * HTML from feeds: an allowlist sanitizer, and rendering to plain text
 * with paragraph breaks kept. Built on libxml2's HTML parser. No I/O.
 */
#ifndef HTML_H
#define HTML_H

#include <stddef.h>

/*
 * Sanitize an HTML fragment: keep only allowed elements and attributes,
 * URLs (href, src) resolved against base (may be NULL) and limited to
 * http, https and mailto (data: for images only); drop script, style,
 * event handlers, forms, frames, objects and comments with their
 * contents. Returns a new string (caller frees), never NULL.
 */
char	*html_sanitize(const char *html, const char *base);

/*
 * Render an HTML fragment as plain text: tags removed, entities decoded,
 * block elements (p, div, br, li, h1-h6, blockquote, ...) become line
 * breaks, paragraphs are separated by one blank line, runs of spaces
 * collapse. Returns a new string (caller frees), never NULL.
 */
char	*html_to_text(const char *html);

/*
 * Render an HTML fragment as one line of plain text (titles): as
 * html_to_text, but all whitespace, line breaks included, collapses to
 * single spaces and the ends are trimmed.
 */
char	*html_to_line(const char *html);

/*
 * Find the feeds a web page links to: the href of every <link
 * rel="alternate"> whose type is application/rss+xml, atom+xml,
 * feed+json or json, resolved against the page's <base href> and base
 * (may be NULL), in document order, http(s) only, each once. Returns an
 * array of *n new strings (caller frees each and the array), or NULL
 * with *n 0 when there are none.
 */
char	**html_autodiscover(const char *html, size_t len, const char *base,
	    size_t *n);

#endif
